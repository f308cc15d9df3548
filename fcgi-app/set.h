/*
 * set.h - feature sets: named groups of tools, resources, resource templates and prompts
 * that a configuration turns on through server.sets (a mask of enum cfg_set).
 *
 * A set is a constant table of pointers. Adding a tool to a set means writing its
 * struct tool_def (one file) and adding one line to the set's tool table. Adding a set means
 * a file defining a struct set_def, one extern line below, and one line in set.c's table.
 *
 * The registries (tool.c, resource.c, prompt.c) walk the enabled sets in table order; a name
 * or URI that occurs in two enabled sets resolves to the first.
 */
#ifndef MCP_SET_H
#define MCP_SET_H

#include <stdbool.h>
#include <stddef.h>

#include "cfg.h"

struct tool_def;
struct resource_def;
struct resource_template_def;
struct prompt_def;

struct set_def {
    unsigned bit;      /* enum cfg_set */
    bool subscribable; /* its resources change: advertise resources.subscribe */
    /* NULL-terminated tables; a NULL table means none. */
    const struct tool_def *const *tools;
    const struct resource_def *const *resources;
    const struct resource_template_def *const *templates;
    const struct prompt_def *const *prompts;
};

/* The sets (defined in set_<name>.c). */
extern const struct set_def set_conformance;

enum set_kind { SET_TOOLS, SET_RESOURCES, SET_TEMPLATES, SET_PROMPTS };

/* Walks the items of one kind across the sets cfg enables, in order. */
struct set_iter {
    const struct mcp_cfg *cfg; /* borrowed */
    enum set_kind kind;
    size_t set, item;
};

void set_iter_init(struct set_iter *it, const struct mcp_cfg *cfg, enum set_kind kind);
/* The next item (a const struct tool_def *, ... according to kind), or NULL at the end. */
const void *set_iter_next(struct set_iter *it);

/* Number of items of kind across the enabled sets. */
size_t set_count(const struct mcp_cfg *cfg, enum set_kind kind);

/* 1 when an enabled set has subscribable resources. */
int set_any_subscribable(const struct mcp_cfg *cfg);

#endif
