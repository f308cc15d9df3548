/* set.c - the table of feature sets and iteration over the enabled ones. */
#include "set.h"

/* Every known set, in listing order. One line per set. */
static const struct set_def *const set_table[] = {
    &set_conformance,
};

#define SET_TABLE_LEN (sizeof(set_table) / sizeof(set_table[0]))

/* Item i of one kind in set s (NULL past the end). Each table is read through its own
 * type; only the result is converted to const void *. */
static const void *set_item(const struct set_def *s, enum set_kind kind, size_t i)
{
    switch (kind) {
    case SET_TOOLS:
        return s->tools != NULL ? (const void *)s->tools[i] : NULL;
    case SET_RESOURCES:
        return s->resources != NULL ? (const void *)s->resources[i] : NULL;
    case SET_TEMPLATES:
        return s->templates != NULL ? (const void *)s->templates[i] : NULL;
    case SET_PROMPTS:
        return s->prompts != NULL ? (const void *)s->prompts[i] : NULL;
    }
    return NULL;
}

void set_iter_init(struct set_iter *it, const struct mcp_cfg *cfg, enum set_kind kind)
{
    it->cfg = cfg;
    it->kind = kind;
    it->set = 0;
    it->item = 0;
}

const void *set_iter_next(struct set_iter *it)
{
    for (; it->set < SET_TABLE_LEN; it->set++, it->item = 0) {
        const struct set_def *s = set_table[it->set];
        const void *item;
        if ((it->cfg->sets & s->bit) == 0)
            continue;
        item = set_item(s, it->kind, it->item);
        if (item != NULL) {
            it->item++;
            return item;
        }
    }
    return NULL;
}

size_t set_count(const struct mcp_cfg *cfg, enum set_kind kind)
{
    struct set_iter it;
    size_t n = 0;

    set_iter_init(&it, cfg, kind);
    while (set_iter_next(&it) != NULL)
        n++;
    return n;
}

int set_any_subscribable(const struct mcp_cfg *cfg)
{
    for (size_t i = 0; i < SET_TABLE_LEN; i++)
        if ((cfg->sets & set_table[i]->bit) != 0 && set_table[i]->subscribable)
            return 1;
    return 0;
}
