/* test_page.c - opaque, list-bound cursors and page arithmetic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "b64.h"
#include "page.h"

static size_t decode(enum page_list list, const char *cursor, enum mcp_err want)
{
    size_t off = 12345;
    assert_int_equal(page_cursor_decode(list, cursor, strlen(cursor), &off), want);
    return off;
}

/* A cursor made by hand from its raw text, for forging tests. */
static void forge(const char *raw, enum b64_pad pad, char *out, size_t size)
{
    assert_int_equal(b64_encode(B64_URL, pad, raw, strlen(raw), out, size), MCP_OK);
}

static void cursors_round_trip_per_list(void **state)
{
    static const size_t offsets[] = {1, 2, 49, 50, 1000, PAGE_OFFSET_MAX};
    char buf[PAGE_CURSOR_MAX + 1];
    (void)state;
    for (int l = PAGE_TOOLS; l <= PAGE_PROMPTS; l++)
        for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
            assert_int_equal(page_cursor_encode((enum page_list)l, offsets[i], buf, sizeof(buf)),
                             MCP_OK);
            assert_true(strlen(buf) <= PAGE_CURSOR_MAX);
            assert_null(strpbrk(buf, "=+/:"));
            assert_int_equal(decode((enum page_list)l, buf, MCP_OK), offsets[i]);
        }
    assert_int_equal(page_cursor_encode(PAGE_TOOLS, PAGE_OFFSET_MAX + 1, buf, sizeof(buf)),
                     MCP_E_INTERNAL);
    assert_int_equal(page_cursor_encode(PAGE_TOOLS, 1, buf, 4), MCP_E_INTERNAL);
}

static void a_cursor_of_one_list_is_refused_by_another(void **state)
{
    char buf[PAGE_CURSOR_MAX + 1];
    (void)state;
    for (int a = PAGE_TOOLS; a <= PAGE_PROMPTS; a++) {
        assert_int_equal(page_cursor_encode((enum page_list)a, 2, buf, sizeof(buf)), MCP_OK);
        for (int b = PAGE_TOOLS; b <= PAGE_PROMPTS; b++)
            if (a != b)
                decode((enum page_list)b, buf, MCP_E_INVALID_PARAMS);
    }
}

static void only_the_canonical_form_is_accepted(void **state)
{
    char buf[128];
    (void)state;
    decode(PAGE_TOOLS, "", MCP_E_INVALID_PARAMS);
    decode(PAGE_TOOLS, "garbage!", MCP_E_INVALID_PARAMS);
    decode(PAGE_TOOLS, "dG9vbHM6Mg", MCP_OK); /* "tools:2" */
    forge("tools:2", B64_PAD, buf, sizeof(buf));
    decode(PAGE_TOOLS, buf, MCP_E_INVALID_PARAMS); /* padded */
    forge("tools:02", B64_NOPAD, buf, sizeof(buf));
    decode(PAGE_TOOLS, buf, MCP_E_INVALID_PARAMS); /* leading zero */
    forge("tools:", B64_NOPAD, buf, sizeof(buf));
    decode(PAGE_TOOLS, buf, MCP_E_INVALID_PARAMS);
    forge("tools:-1", B64_NOPAD, buf, sizeof(buf));
    decode(PAGE_TOOLS, buf, MCP_E_INVALID_PARAMS);
    forge("tools:2x", B64_NOPAD, buf, sizeof(buf));
    decode(PAGE_TOOLS, buf, MCP_E_INVALID_PARAMS);
    forge("tools:1000000", B64_NOPAD, buf, sizeof(buf));
    decode(PAGE_TOOLS, buf, MCP_E_INVALID_PARAMS);
    forge("toolsx2", B64_NOPAD, buf, sizeof(buf));
    decode(PAGE_TOOLS, buf, MCP_E_INVALID_PARAMS);
    forge("tool:2", B64_NOPAD, buf, sizeof(buf));
    decode(PAGE_TOOLS, buf, MCP_E_INVALID_PARAMS);
    forge("tools:99999999999999999999999", B64_NOPAD, buf, sizeof(buf));
    decode(PAGE_TOOLS, buf, MCP_E_INVALID_PARAMS);
    memset(buf, 'A', PAGE_CURSOR_MAX + 4);
    buf[PAGE_CURSOR_MAX + 4] = '\0';
    decode(PAGE_TOOLS, buf, MCP_E_INVALID_PARAMS); /* over the length bound */
}

static json_object *params_with_cursor(json_object *cursor)
{
    json_object *p = json_object_new_object();
    json_object_object_add(p, "cursor", cursor);
    return p;
}

static void page_begin_reads_the_cursor(void **state)
{
    struct rpc_fail fail = {{0}, NULL};
    struct page pg;
    char buf[PAGE_CURSOR_MAX + 1];
    json_object *p;
    (void)state;

    assert_int_equal(page_begin(PAGE_TOOLS, NULL, 5, 2, &pg, &fail), MCP_OK);
    assert_int_equal(pg.first, 0);
    assert_int_equal(pg.end, 2);

    p = params_with_cursor(NULL); /* "cursor": null is the first page */
    assert_int_equal(page_begin(PAGE_TOOLS, p, 5, 2, &pg, &fail), MCP_OK);
    assert_int_equal(pg.first, 0);
    json_object_put(p);

    page_cursor_encode(PAGE_TOOLS, 4, buf, sizeof(buf));
    p = params_with_cursor(json_object_new_string(buf));
    assert_int_equal(page_begin(PAGE_TOOLS, p, 5, 2, &pg, &fail), MCP_OK);
    assert_int_equal(pg.first, 4);
    assert_int_equal(pg.end, 5);
    /* the same cursor past the end of a shorter list */
    assert_int_equal(page_begin(PAGE_TOOLS, p, 4, 2, &pg, &fail), MCP_E_INVALID_PARAMS);
    assert_string_equal(fail.message, "invalid cursor");
    json_object_put(p);

    p = params_with_cursor(json_object_new_int(2));
    assert_int_equal(page_begin(PAGE_TOOLS, p, 5, 2, &pg, &fail), MCP_E_INVALID_PARAMS);
    json_object_put(p);

    page_cursor_encode(PAGE_TOOLS, 0, buf, sizeof(buf)); /* never issued */
    p = params_with_cursor(json_object_new_string(buf));
    assert_int_equal(page_begin(PAGE_TOOLS, p, 5, 2, &pg, &fail), MCP_E_INVALID_PARAMS);
    json_object_put(p);
    rpc_fail_clear(&fail);
}

static void next_cursor_only_when_more_remain(void **state)
{
    struct page pg = {0, 2};
    json_object *r = json_object_new_object(), *c;
    size_t off;
    (void)state;

    page_end(PAGE_PROMPTS, &pg, 2, r);
    assert_false(json_object_object_get_ex(r, "nextCursor", NULL));
    page_end(PAGE_PROMPTS, &pg, 3, r);
    assert_true(json_object_object_get_ex(r, "nextCursor", &c));
    assert_int_equal(page_cursor_decode(PAGE_PROMPTS, json_object_get_string(c),
                                        (size_t)json_object_get_string_len(c), &off),
                     MCP_OK);
    assert_int_equal(off, 2);
    json_object_put(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cursors_round_trip_per_list),
        cmocka_unit_test(a_cursor_of_one_list_is_refused_by_another),
        cmocka_unit_test(only_the_canonical_form_is_accepted),
        cmocka_unit_test(page_begin_reads_the_cursor),
        cmocka_unit_test(next_cursor_only_when_more_remain),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("page", tests, NULL, NULL);
}
