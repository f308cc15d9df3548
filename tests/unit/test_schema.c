/*
 * test_schema.c - schema_validate(): one test per supported keyword or behaviour, the
 * conformance fixture json_schema_2020_12_tool, the messages, and the depth/work bounds.
 *
 * Schemas and instances are written with ' for " (see tjson()) to keep them readable.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "schema.h"

/* The inputSchema of the conformance fixture json_schema_2020_12_tool, verbatim. */
static const char *const fixture_schema =
    "{'$schema': 'https://json-schema.org/draft/2020-12/schema',"
    " 'type': 'object',"
    " '$defs': {'address': {'$anchor': 'addressDef', 'type': 'object',"
    "                       'properties': {'street': {'type': 'string'},"
    "                                      'city': {'type': 'string'}}}},"
    " 'properties': {'name': {'type': 'string'},"
    "                'address': {'$ref': '#/$defs/address'},"
    "                'contactMethod': {'type': 'string', 'enum': ['phone', 'email']},"
    "                'phone': {'type': 'string'},"
    "                'email': {'type': 'string'}},"
    " 'allOf': [{'anyOf': [{'required': ['phone']}, {'required': ['email']}]}],"
    " 'if': {'properties': {'contactMethod': {'const': 'phone'}}, 'required': ['contactMethod']},"
    " 'then': {'required': ['phone']},"
    " 'else': {'required': ['email']},"
    " 'additionalProperties': false}";

/* Parses text with every ' replaced by "; fails the test on a parse error. Caller owns. */
static json_object *tjson(const char *text)
{
    char *copy = strdup(text);
    assert_non_null(copy);
    for (char *p = copy; *p != '\0'; p++)
        if (*p == '\'')
            *p = '"';
    enum json_tokener_error jerr = json_tokener_success;
    json_object *o = json_tokener_parse_verbose(copy, &jerr);
    free(copy);
    assert_int_equal(jerr, json_tokener_success);
    return o;
}

static char msg[RPC_MSG_LEN];

/* Validates and keeps the message in msg. */
static enum mcp_err check_objs(json_object *schema, json_object *inst)
{
    struct rpc_fail fail = {{0}, NULL};
    snprintf(fail.message, sizeof fail.message, "stale");
    enum mcp_err err = schema_validate(schema, inst, &fail);
    assert_null(fail.data);
    snprintf(msg, sizeof msg, "%s", fail.message);
    return err;
}

static enum mcp_err check(const char *schema, const char *inst)
{
    json_object *s = tjson(schema), *i = tjson(inst);
    enum mcp_err err = check_objs(s, i);
    json_object_put(s);
    json_object_put(i);
    return err;
}

#define VALID(s, i)                                                                                \
    do {                                                                                           \
        assert_int_equal(check((s), (i)), MCP_OK);                                                 \
        assert_string_equal(msg, "");                                                              \
    } while (0)
#define INVALID(s, i, m)                                                                           \
    do {                                                                                           \
        assert_int_equal(check((s), (i)), MCP_E_INVALID_PARAMS);                                   \
        assert_string_equal(msg, (m));                                                             \
    } while (0)
#define INTERNAL(s, i, m)                                                                          \
    do {                                                                                           \
        assert_int_equal(check((s), (i)), MCP_E_INTERNAL);                                         \
        assert_string_equal(msg, (m));                                                             \
    } while (0)
#define INTERNAL_PREFIX(s, i, p)                                                                   \
    do {                                                                                           \
        assert_int_equal(check((s), (i)), MCP_E_INTERNAL);                                         \
        assert_true(strncmp(msg, (p), strlen(p)) == 0);                                            \
    } while (0)

/* --- the conformance fixture --------------------------------------------------------------- */

static void test_fixture_valid_instances(void **state)
{
    (void)state;
    VALID(fixture_schema, "{'name': 'Ada', 'email': 'ada@example.org'}");
    VALID(fixture_schema, "{'name': 'Ada', 'contactMethod': 'phone', 'phone': '+44 20'}");
    VALID(fixture_schema, "{'contactMethod': 'email', 'email': 'a@b', 'phone': '1'}");
    VALID(fixture_schema, "{'name': 'Ada', 'email': 'a@b',"
                          " 'address': {'street': '1 Main St', 'city': 'Leeds'}}");
}

static void test_fixture_phone_or_email_required(void **state)
{
    (void)state;
    INVALID(fixture_schema, "{'name': 'Ada'}", "/: does not match any schema in anyOf");
    INVALID(fixture_schema, "{}", "/: does not match any schema in anyOf");
}

static void test_fixture_if_then_else(void **state)
{
    (void)state;
    /* contactMethod phone -> then: phone required */
    INVALID(fixture_schema, "{'contactMethod': 'phone', 'email': 'a@b'}",
            "/: missing required property \"phone\"");
    /* contactMethod absent or not phone -> else: email required */
    INVALID(fixture_schema, "{'phone': '1'}", "/: missing required property \"email\"");
    INVALID(fixture_schema, "{'contactMethod': 'email', 'phone': '1'}",
            "/: missing required property \"email\"");
}

static void test_fixture_additional_properties_false(void **state)
{
    (void)state;
    INVALID(fixture_schema, "{'email': 'a@b', 'nickname': 'x'}",
            "/nickname: property not allowed (additionalProperties is false)");
}

static void test_fixture_ref_to_address_def(void **state)
{
    (void)state;
    INVALID(fixture_schema, "{'email': 'a@b', 'address': {'street': 5}}",
            "/address/street: expected type string, got integer");
    INVALID(fixture_schema, "{'email': 'a@b', 'address': 'Leeds'}",
            "/address: expected type object, got string");
}

static void test_fixture_enum_and_root_type(void **state)
{
    (void)state;
    INVALID(fixture_schema, "{'email': 'a@b', 'contactMethod': 'fax'}",
            "/contactMethod: must be one of \"phone\", \"email\"");
    INVALID(fixture_schema, "[]", "/: expected type object, got array");
    INVALID(fixture_schema, "{'name': 7, 'email': 'a@b'}",
            "/name: expected type string, got integer");
}

/* --- type, enum, const ---------------------------------------------------------------------- */

static void test_type_mismatch_names_location(void **state)
{
    (void)state;
    INVALID("{'properties': {'age': {'type': 'integer'}}}", "{'age': 'x'}",
            "/age: expected type integer, got string");
    INVALID("{'type': 'string'}", "null", "/: expected type string, got null");
    VALID("{'type': 'null'}", "null");
    VALID("{'type': 'boolean'}", "false");
    VALID("{'type': 'number'}", "3");
    VALID("{'type': 'number'}", "3.25");
}

static void test_type_integer_accepts_zero_fraction(void **state)
{
    (void)state;
    VALID("{'type': 'integer'}", "1.0");
    VALID("{'type': 'integer'}", "-4");
    INVALID("{'type': 'integer'}", "1.5", "/: expected type integer, got number");
}

static void test_type_array_of_types(void **state)
{
    (void)state;
    VALID("{'type': ['string', 'null']}", "null");
    VALID("{'type': ['string', 'null']}", "'x'");
    INVALID("{'type': ['string', 'null']}", "5", "/: expected type string or null, got integer");
}

static void test_enum(void **state)
{
    (void)state;
    VALID("{'enum': [1, 'two', null, {'a': [1]}]}", "{'a': [1.0]}");
    VALID("{'enum': [1, 'two', null]}", "null");
    INVALID("{'enum': [1, 'two', null, true]}", "2", "/: must be one of 1, \"two\", null, true");
    INVALID("{'enum': ['a', 'b']}", "'A'", "/: must be one of \"a\", \"b\"");
}

static void test_enum_message_is_cut(void **state)
{
    (void)state;
    assert_int_equal(check("{'enum': ['aaaaaaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbbbbbb',"
                           " 'cccccccccccccccccccc', 'dddddddddddddddddddd',"
                           " 'eeeeeeeeeeeeeeeeeeee', 'ffffffffffffffffffff',"
                           " 'gggggggggggggggggggg', 'hhhhhhhhhhhhhhhhhhhh']}",
                           "'z'"),
                     MCP_E_INVALID_PARAMS);
    assert_true(strncmp(msg, "/: must be one of \"aaaaaaaaaaaaaaaaaaaa\", ", 41) == 0);
    assert_true(strstr(msg, ", ...") != NULL);
    assert_true(strlen(msg) < 200);
}

static void test_const_deep_equality(void **state)
{
    (void)state;
    VALID("{'const': {'a': [1, 2], 'b': null}}", "{'b': null, 'a': [1.0, 2]}");
    INVALID("{'const': {'a': [1, 2]}}", "{'a': [2, 1]}", "/: must equal {...} (const)");
    INVALID("{'const': 'x'}", "'y'", "/: must equal \"x\" (const)");
    VALID("{'const': null}", "null");
    INVALID("{'const': null}", "0", "/: must equal null (const)");
}

/* --- numbers -------------------------------------------------------------------------------- */

static void test_numeric_bounds(void **state)
{
    (void)state;
    VALID("{'minimum': 0, 'maximum': 10}", "0");
    VALID("{'minimum': 0, 'maximum': 10}", "10");
    INVALID("{'minimum': 0}", "-1", "/: must be >= 0 (minimum)");
    INVALID("{'maximum': 1.5}", "2", "/: must be <= 1.5 (maximum)");
    INVALID("{'exclusiveMinimum': 0}", "0", "/: must be > 0 (exclusiveMinimum)");
    INVALID("{'exclusiveMaximum': 10}", "10", "/: must be < 10 (exclusiveMaximum)");
    VALID("{'exclusiveMaximum': 10}", "9.999");
    VALID("{'minimum': 5}", "'strings are not numbers'");
}

static void test_numeric_bounds_are_exact_for_64_bit_integers(void **state)
{
    (void)state;
    INVALID("{'minimum': 9223372036854775807}", "9223372036854775806",
            "/: must be >= 9223372036854775807 (minimum)");
    VALID("{'minimum': 9223372036854775807}", "9223372036854775807");
    INVALID("{'maximum': 18446744073709551614}", "18446744073709551615",
            "/: must be <= 18446744073709551614 (maximum)");
    INVALID("{'maximum': 9007199254740992}", "9007199254740993",
            "/: must be <= 9007199254740992 (maximum)");
}

static void test_multiple_of(void **state)
{
    (void)state;
    VALID("{'multipleOf': 3}", "9");
    INVALID("{'multipleOf': 3}", "10", "/: must be a multiple of 3 (multipleOf)");
    VALID("{'multipleOf': 0.1}", "0.3");
    VALID("{'multipleOf': 0.01}", "19.99");
    INVALID("{'multipleOf': 0.1}", "0.35", "/: must be a multiple of 0.1 (multipleOf)");
    INTERNAL("{'multipleOf': 0}", "1",
             "invalid schema: \"multipleOf\" must be a number greater than 0");
}

/* --- strings -------------------------------------------------------------------------------- */

static void test_string_length_counts_code_points(void **state)
{
    (void)state;
    VALID("{'minLength': 3, 'maxLength': 3}", "'h\xc3\xa9\xc3\xa9'"); /* 5 bytes */
    VALID("{'maxLength': 1}", "'\xf0\x9f\x98\x80'");                  /* 1 emoji */
    INVALID("{'maxLength': 2}", "'h\xc3\xa9\xc3\xa9'",
            "/: must be at most 2 characters long (maxLength)");
    INVALID("{'minLength': 1}", "''", "/: must be at least 1 character long (minLength)");
}

static void test_pattern(void **state)
{
    (void)state;
    const char *zip = "{'properties': {'zip': {'type': 'string', 'pattern': '^[0-9]{5}$'}}}";
    VALID(zip, "{'zip': '12345'}");
    INVALID(zip, "{'zip': '1234a'}", "/zip: does not match pattern \"^[0-9]{5}$\"");
    VALID("{'pattern': 'b'}", "'abc'"); /* not anchored */
    VALID("{'pattern': '^a'}", "42");   /* only applies to strings */
}

static void test_pattern_ecma_escapes_are_rewritten(void **state)
{
    (void)state;
    const char *phone = "{'pattern': '^\\\\d{3}-\\\\d{4}$'}";
    VALID(phone, "'555-1234'");
    INVALID(phone, "'ddd-dddd'", "/: does not match pattern \"^\\\\d{3}-\\\\d{4}$\"");
    const char *email = "{'pattern': '^[\\\\w.+-]+@[\\\\w-]+\\\\.[a-z]{2,}$'}";
    VALID(email, "'a.b+c_d@ex-ample.org'");
    INVALID(email, "'a b@example.org'",
            "/: does not match pattern \"^[\\\\w.+-]+@[\\\\w-]+\\\\.[a-z]{2,}$\"");
    VALID("{'pattern': '^[\\\\]\\\\-^a]+$'}", "']-^a'"); /* ] - ^ escaped inside [...] */
    INVALID("{'pattern': '^[\\\\]\\\\-^a]+$'}", "'b'",
            "/: does not match pattern \"^[\\\\]\\\\-^a]+$\"");
    VALID("{'pattern': '^\\\\S+\\\\s\\\\S+$'}", "'two words'");
    VALID("{'pattern': '^a\\\\/b\\\\.c$'}", "'a/b.c'");
    INVALID("{'pattern': '^a\\\\.c$'}", "'abc'", "/: does not match pattern \"^a\\\\.c$\"");
}

static void test_pattern_counts_utf8_code_points(void **state)
{
    (void)state;
    VALID("{'pattern': '^\xc3\xa9+$'}", "'\xc3\xa9\xc3\xa9'"); /* é+ repeats é */
    VALID("{'pattern': '^.{3}$'}", "'h\xc3\xa9\xc3\xa9'");     /* 3 characters */
    INVALID("{'pattern': '^.{3}$'}", "'h\xc3\xa9'", "/: does not match pattern \"^.{3}$\"");
    VALID("{'pattern': '^[a-z\xc3\xa9]+$'}", "'caf\xc3\xa9'"); /* [a-zé] */
    INVALID("{'pattern': '^[a-z\xc3\xa9]+$'}", "'caf\xc3\xa8'",
            "/: does not match pattern \"^[a-z\xc3\xa9]+$\"");
    VALID("{'pattern': '^[^<>]{4}$'}", "'Jos\xc3\xa9'"); /* negated class */
    VALID("{'pattern': '^\\\\D{2}$'}", "'\xc3\xa9x'");
    VALID("{'pattern': '^\\\\\xc3\xa9{2}$'}", "'\xc3\xa9\xc3\xa9'"); /* \é is é */
    INVALID("{'pattern': '^a.b$'}", "'a\\nb'", "/: does not match pattern \"^a.b$\"");
    INTERNAL("{'pattern': '^[^\xc3\xa9]$'}", "'x'",
             "invalid schema: pattern \"^[^\xc3\xa9]$\": a negated class with non-ASCII characters "
             "(needs a UTF-8 locale) is not supported");
    INTERNAL_PREFIX("{'pattern': '[\xc3\xa0-\xc3\xbc]'}", "'x'",
                    "invalid schema: pattern \"[\xc3\xa0-\xc3\xbc]\": a range of non-ASCII");
    VALID("{'pattern': '^.{1,255}$'}", "'short'"); /* a common size stays within bounds */
}

static void test_pattern_sees_whole_string_with_nul(void **state)
{
    (void)state;
    INVALID("{'pattern': '^a$'}", "'a\\u0000b'", "/: does not match pattern \"^a$\"");
    VALID("{'pattern': 'b$'}", "'a\\u0000b'");
}

static void test_pattern_ecma_only_syntax_is_internal(void **state)
{
    (void)state;
    INTERNAL("{'pattern': '(?=x)'}", "'x'",
             "invalid schema: pattern \"(?=x)\": a (?...) group is not supported");
    INTERNAL("{'pattern': '(a)\\\\1'}", "'aa'",
             "invalid schema: pattern \"(a)\\\\1\": a backreference is not supported");
    INTERNAL("{'pattern': '\\\\u0041'}", "'A'",
             "invalid schema: pattern \"\\\\u0041\": an ECMA-262 escape is not supported");
}

static void test_pattern_quantifiers_follow_ecma(void **state)
{
    (void)state;
    VALID("{'pattern': '^a+?b*?c??d{2}?$'}", "'aadd'"); /* lazy: same match or no match */
    VALID("{'pattern': '^x{$'}", "'x{'");               /* not a quantifier: literal */
    VALID("{'pattern': '^{,3}$'}", "'{,3}'");
    INTERNAL("{'pattern': 'a**'}", "'a'",
             "invalid schema: pattern \"a**\": a quantifier with nothing to repeat is not "
             "supported");
    INTERNAL("{'pattern': 'a{2}{3}'}", "'a'",
             "invalid schema: pattern \"a{2}{3}\": a quantifier with nothing to repeat is not "
             "supported");
    INTERNAL("{'pattern': '+a'}", "'a'",
             "invalid schema: pattern \"+a\": a quantifier with nothing to repeat is not "
             "supported");
}

static void test_pattern_uncompilable_is_internal(void **state)
{
    (void)state;
    INTERNAL_PREFIX("{'pattern': 'a('}", "'a'",
                    "invalid schema: pattern \"a(\" does not compile: ");
    INTERNAL_PREFIX("{'pattern': '[z-a]'}", "'a'",
                    "invalid schema: pattern \"[z-a]\" does not compile: ");
}

static void test_pattern_size_is_bounded(void **state)
{
    (void)state;
    INTERNAL("{'pattern': '(a{100}){100}'}", "'a'",
             "schema too complex: pattern \"(a{100}){100}\" expands to more than 4000 atoms");
    INTERNAL("{'pattern': '((a{20}){20}){20}'}", "'a'",
             "schema too complex: pattern \"((a{20}){20}){20}\" expands to more than 4000 atoms");
    INTERNAL("{'pattern': '(((((((((((((((((((((((((((((((((a)))))))))))))))))))))))))))))))))'}",
             "'a'",
             "schema too complex: pattern \"(((((((((((((((((((((((((((((((((a))))))))))))))...\" "
             "has groups nested too deeply");
    VALID("{'pattern': '^[a-f0-9]{64}$'}",
          "'0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'");
}

/* --- arrays --------------------------------------------------------------------------------- */

static void test_items_location_is_index(void **state)
{
    (void)state;
    INVALID("{'properties': {'tags': {'items': {'type': 'string'}}}}", "{'tags': ['a', 'b', 3]}",
            "/tags/2: expected type string, got integer");
}

static void test_prefix_items_then_items(void **state)
{
    (void)state;
    const char *tuple =
        "{'prefixItems': [{'type': 'string'}, {'type': 'integer'}], 'items': false}";
    VALID(tuple, "['a', 1]");
    VALID(tuple, "['a']");
    INVALID(tuple, "['a', 'b']", "/1: expected type integer, got string");
    INVALID(tuple, "['a', 1, 2]", "/2: item not allowed (items is false)");
    VALID("{'prefixItems': [{'type': 'string'}], 'items': {'type': 'integer'}}", "['a', 1, 2]");
    INVALID("{'prefixItems': [{'type': 'string'}], 'items': {'type': 'integer'}}", "['a', 1, 'c']",
            "/2: expected type integer, got string");
}

static void test_min_max_items(void **state)
{
    (void)state;
    INVALID("{'minItems': 1}", "[]", "/: must have at least 1 item (minItems)");
    INVALID("{'maxItems': 2}", "[1, 2, 3]", "/: must have at most 2 items (maxItems)");
    VALID("{'minItems': 1, 'maxItems': 2}", "[1, 2]");
}

static void test_unique_items(void **state)
{
    (void)state;
    VALID("{'uniqueItems': true}", "[1, '1', [1], {'a': 1}]");
    INVALID("{'uniqueItems': true}", "[1, 2, 1.0]", "/: items 0 and 2 are equal (uniqueItems)");
    INVALID("{'uniqueItems': true}", "[{'a': 1, 'b': 2}, {'b': 2, 'a': 1}]",
            "/: items 0 and 1 are equal (uniqueItems)");
    VALID("{'uniqueItems': false}", "[1, 1]");
}

static void test_contains_min_max(void **state)
{
    (void)state;
    INVALID("{'contains': {'type': 'integer'}}", "['a']",
            "/: must contain an item matching the contains schema");
    VALID("{'contains': {'type': 'integer'}}", "['a', 1]");
    INVALID("{'contains': {'type': 'integer'}, 'minContains': 2}", "[1, 'a']",
            "/: must contain at least 2 items matching the contains schema (minContains)");
    INVALID("{'contains': {'type': 'integer'}, 'maxContains': 1}", "[1, 2]",
            "/: must contain at most 1 item matching the contains schema (maxContains)");
    VALID("{'contains': {'type': 'integer'}, 'minContains': 0}", "[]");
    VALID("{'minContains': 5}", "[]"); /* without contains */
}

/* --- objects -------------------------------------------------------------------------------- */

static void test_required(void **state)
{
    (void)state;
    INVALID("{'required': ['name', 'age']}", "{'age': 1}", "/: missing required property \"name\"");
    VALID("{'required': ['name']}", "{'name': null}");
    VALID("{'required': ['name']}", "'not an object'");
}

static void test_additional_properties_schema(void **state)
{
    (void)state;
    const char *s = "{'properties': {'id': {'type': 'string'}},"
                    " 'additionalProperties': {'type': 'integer'}}";
    VALID(s, "{'id': 'x', 'a': 1, 'b': 2}");
    INVALID(s, "{'id': 'x', 'a': 'one'}", "/a: expected type integer, got string");
}

static void test_pattern_properties(void **state)
{
    (void)state;
    const char *s = "{'patternProperties': {'^x-': {'type': 'string'}},"
                    " 'additionalProperties': false}";
    VALID(s, "{'x-a': 's', 'x-b': 't'}");
    INVALID(s, "{'x-a': 1}", "/x-a: expected type string, got integer");
    INVALID(s, "{'x-a': 's', 'y': 1}", "/y: property not allowed (additionalProperties is false)");
}

static void test_property_names(void **state)
{
    (void)state;
    const char *s = "{'propertyNames': {'maxLength': 3, 'pattern': '^[a-z]+$'}}";
    VALID(s, "{'abc': 1, 'de': 2}");
    INVALID(s, "{'abcd': 1}", "/: property name \"abcd\" does not match propertyNames");
    INVALID(s, "{'AB': 1}", "/: property name \"AB\" does not match propertyNames");
}

static void test_min_max_properties(void **state)
{
    (void)state;
    INVALID("{'minProperties': 1}", "{}", "/: must have at least 1 property (minProperties)");
    INVALID("{'maxProperties': 1}", "{'a': 1, 'b': 2}",
            "/: must have at most 1 property (maxProperties)");
    INVALID("{'minProperties': 2}", "{'a': 1}",
            "/: must have at least 2 properties (minProperties)");
}

static void test_dependent_required(void **state)
{
    (void)state;
    const char *s = "{'dependentRequired': {'credit_card': ['billing_address']}}";
    VALID(s, "{'name': 'x'}");
    VALID(s, "{'credit_card': 1, 'billing_address': 'y'}");
    INVALID(s, "{'credit_card': 1}",
            "/: property \"billing_address\" is required when \"credit_card\" is present "
            "(dependentRequired)");
}

static void test_dependent_schemas(void **state)
{
    (void)state;
    const char *s = "{'dependentSchemas': {'unit': {'required': ['value']}}}";
    VALID(s, "{}");
    INVALID(s, "{'unit': 'kg'}", "/: missing required property \"value\"");
}

static void test_location_escapes_json_pointer(void **state)
{
    (void)state;
    INVALID("{'properties': {'a/b': {'properties': {'c~d': {'type': 'string'}}}}}",
            "{'a/b': {'c~d': 1}}", "/a~1b/c~0d: expected type string, got integer");
}

static void test_long_location_is_cut(void **state)
{
    (void)state;
    char key[301];
    memset(key, 'k', 300);
    key[300] = '\0';
    char schema[800], inst[800];
    snprintf(schema, sizeof schema, "{'additionalProperties': {'type': 'string'}}");
    snprintf(inst, sizeof inst, "{'%s': 1}", key);
    assert_int_equal(check(schema, inst), MCP_E_INVALID_PARAMS);
    assert_true(strlen(msg) < RPC_MSG_LEN);
    assert_non_null(strstr(msg, "kkk...: expected type string, got integer"));
}

/* --- applicators ---------------------------------------------------------------------------- */

static void test_all_of_reports_inner_error(void **state)
{
    (void)state;
    INVALID("{'allOf': [{'type': 'integer'}, {'minimum': 3}]}", "2", "/: must be >= 3 (minimum)");
    VALID("{'allOf': [{'type': 'integer'}, {'minimum': 3}]}", "3");
}

static void test_any_of(void **state)
{
    (void)state;
    const char *s = "{'properties': {'v': {'anyOf': [{'type': 'string'}, {'type': 'integer'}]}}}";
    VALID(s, "{'v': 1}");
    INVALID(s, "{'v': true}", "/v: does not match any schema in anyOf");
}

static void test_one_of(void **state)
{
    (void)state;
    const char *s = "{'oneOf': [{'type': 'integer'}, {'minimum': 2}]}";
    VALID(s, "1");   /* integer only */
    VALID(s, "2.5"); /* minimum only */
    INVALID(s, "3", "/: matches more than one schema in oneOf (0 and 1)");
    INVALID(s, "1.5", "/: does not match any schema in oneOf");
}

static void test_not(void **state)
{
    (void)state;
    VALID("{'not': {'type': 'string'}}", "1");
    INVALID("{'not': {'type': 'string'}}", "'x'", "/: must not match the schema in not");
}

static void test_if_then_else(void **state)
{
    (void)state;
    const char *s = "{'if': {'minimum': 10}, 'then': {'multipleOf': 10}, 'else': {'maximum': 5}}";
    VALID(s, "20");
    VALID(s, "4");
    INVALID(s, "15", "/: must be a multiple of 10 (multipleOf)");
    INVALID(s, "7", "/: must be <= 5 (maximum)");
    VALID("{'then': false, 'else': false}", "1"); /* without if */
}

static void test_boolean_schemas(void **state)
{
    (void)state;
    VALID("true", "{'anything': [1]}");
    INVALID("false", "1", "/: no value is allowed here (schema is false)");
    INVALID("{'properties': {'x': false}}", "{'x': 1}",
            "/x: no value is allowed here (schema is false)");
    VALID("{}", "null");
}

/* --- references ----------------------------------------------------------------------------- */

static void test_ref_defs_and_definitions(void **state)
{
    (void)state;
    VALID("{'$defs': {'pos': {'minimum': 0}}, '$ref': '#/$defs/pos'}", "1");
    INVALID("{'$defs': {'pos': {'minimum': 0}}, '$ref': '#/$defs/pos'}", "-1",
            "/: must be >= 0 (minimum)");
    INVALID("{'definitions': {'s': {'type': 'string'}}, 'items': {'$ref': '#/definitions/s'}}",
            "['a', 1]", "/1: expected type string, got integer");
}

static void test_ref_pointer_escapes(void **state)
{
    (void)state;
    const char *s = "{'$defs': {'a/b': {'type': 'string'}, 'c~d': {'type': 'integer'},"
                    "           'e f': {'type': 'boolean'}},"
                    " 'properties': {'x': {'$ref': '#/$defs/a~1b'}, 'y': {'$ref': '#/$defs/c~0d'},"
                    "                'z': {'$ref': '#/$defs/e%20f'}}}";
    VALID(s, "{'x': 's', 'y': 1, 'z': true}");
    INVALID(s, "{'x': 1}", "/x: expected type string, got integer");
    INVALID(s, "{'y': 's'}", "/y: expected type integer, got string");
    INVALID(s, "{'z': 1}", "/z: expected type boolean, got integer");
    /* pointer through an array */
    INVALID("{'$defs': {'t': {'prefixItems': [true, {'type': 'null'}]}},"
            " '$ref': '#/$defs/t/prefixItems/1'}",
            "0", "/: expected type null, got integer");
}

static void test_ref_anchor(void **state)
{
    (void)state;
    const char *s = "{'$defs': {'address': {'$anchor': 'addressDef', 'type': 'object',"
                    "                       'required': ['city']}},"
                    " 'properties': {'home': {'$ref': '#addressDef'}}}";
    VALID(s, "{'home': {'city': 'Leeds'}}");
    INVALID(s, "{'home': {}}", "/home: missing required property \"city\"");
}

static void test_ref_root_recursion(void **state)
{
    (void)state;
    const char *tree = "{'type': 'object', 'properties': {'children': {'type': 'array',"
                       " 'items': {'$ref': '#'}}}, 'additionalProperties': false}";
    VALID(tree, "{'children': [{'children': []}, {}]}");
    INVALID(tree, "{'children': [{'children': [{'x': 1}]}]}",
            "/children/0/children/0/x: property not allowed (additionalProperties is false)");
}

static void test_ref_remote_is_internal(void **state)
{
    (void)state;
    INTERNAL("{'$ref': 'https://example.com/s.json'}", "1",
             "unsupported $ref \"https://example.com/s.json\": only references within the schema "
             "(\"#...\") are resolved, nothing is fetched");
    INTERNAL_PREFIX("{'properties': {'a': {'$ref': 'other.json#/x'}}}", "{'a': 1}",
                    "unsupported $ref \"other.json#/x\"");
}

static void test_ref_unresolvable_is_internal(void **state)
{
    (void)state;
    INTERNAL("{'$ref': '#/$defs/missing'}", "1",
             "invalid schema: $ref \"#/$defs/missing\" does not resolve");
    INTERNAL("{'$ref': '#nowhere'}", "1", "invalid schema: $ref \"#nowhere\" does not resolve");
}

/* --- dialects, unknown and unsupported keywords, malformed schemas ---------------------------- */

static void test_dialect_2020_12_and_draft_07_accepted(void **state)
{
    (void)state;
    VALID("{'$schema': 'https://json-schema.org/draft/2020-12/schema', 'type': 'object'}", "{}");
    VALID("{'$schema': 'http://json-schema.org/draft-07/schema#', 'type': 'object',"
          " 'definitions': {'n': {'type': 'number'}},"
          " 'properties': {'n': {'$ref': '#/definitions/n'}}}",
          "{'n': 1}");
    INVALID("{'$schema': 'http://json-schema.org/draft-07/schema#',"
            " 'properties': {'n': {'type': 'number'}}}",
            "{'n': 'x'}", "/n: expected type number, got string");
}

static void test_dialect_other_is_internal(void **state)
{
    (void)state;
    INTERNAL("{'$schema': 'http://json-schema.org/draft-04/schema#', 'type': 'object'}", "{}",
             "unsupported $schema dialect \"http://json-schema.org/draft-04/schema#\" (supported: "
             "JSON Schema 2020-12 and draft-07)");
}

static void test_annotations_and_unknown_keywords_ignored(void **state)
{
    (void)state;
    VALID("{'type': 'string', 'title': 't', 'description': 'd', 'default': 5, 'examples': [1],"
          " 'format': 'email', 'deprecated': true, '$comment': 'c', 'readOnly': true,"
          " '$id': 'https://example.com/x', 'x-vendor': {'type': 'integer'}}",
          "'not an email'");
}

static void test_unsupported_keywords_are_internal(void **state)
{
    (void)state;
    INTERNAL("{'unevaluatedProperties': false}", "{}",
             "unsupported schema keyword \"unevaluatedProperties\"");
    INTERNAL("{'items': [{'type': 'string'}]}", "['a']",
             "invalid schema: \"items\" must be a schema (the draft-07 array form is not "
             "supported; use prefixItems)");
}

static void test_malformed_schema_is_internal(void **state)
{
    (void)state;
    INTERNAL("{'minLength': -1}", "'x'",
             "invalid schema: \"minLength\" must be a non-negative integer");
    INTERNAL("{'type': 'strin'}", "'x'",
             "invalid schema: \"type\" must be a JSON Schema type name");
    INTERNAL("{'required': 'name'}", "{}",
             "invalid schema: \"required\" must be an array of strings");
    INTERNAL("{'anyOf': []}", "1",
             "invalid schema: \"anyOf\" must be a non-empty array of schemas");
    INTERNAL("{'properties': {'a': 5}}", "{'a': 1}",
             "invalid schema: a schema must be an object or a boolean, not integer");
    INTERNAL("null", "{}", "invalid schema: a schema must be an object or a boolean, not null");
}

/* --- bounds --------------------------------------------------------------------------------- */

static void test_depth_bound_ref_cycle(void **state)
{
    (void)state;
    INTERNAL("{'$ref': '#'}", "{}", "schema too complex: nested deeper than 64 levels");
    INTERNAL("{'$defs': {'a': {'$ref': '#/$defs/b'}, 'b': {'$ref': '#/$defs/a'}},"
             " '$ref': '#/$defs/a'}",
             "1", "schema too complex: nested deeper than 64 levels");
}

static void test_depth_bound_nested_schema(void **state)
{
    (void)state;
    json_object *s = json_object_new_object();
    for (int i = 0; i < 100; i++) {
        json_object *arr = json_object_new_array(), *outer = json_object_new_object();
        json_object_array_add(arr, s);
        json_object_object_add(outer, "allOf", arr);
        s = outer;
    }
    assert_int_equal(check_objs(s, NULL), MCP_E_INTERNAL);
    assert_string_equal(msg, "schema too complex: nested deeper than 64 levels");
    json_object_put(s);
}

static void test_work_bound_exponential_schema(void **state)
{
    (void)state;
    /* l_i = allOf [l_{i-1}, l_{i-1}]: 2^24 evaluations with 48 levels of nesting */
    char name[16], ref[32];
    json_object *defs = json_object_new_object();
    json_object_object_add(defs, "l0", json_object_new_boolean(1));
    for (int i = 1; i <= 24; i++) {
        json_object *arr = json_object_new_array(), *li = json_object_new_object();
        snprintf(ref, sizeof ref, "#/$defs/l%d", i - 1);
        for (int k = 0; k < 2; k++) {
            json_object *r = json_object_new_object();
            json_object_object_add(r, "$ref", json_object_new_string(ref));
            json_object_array_add(arr, r);
        }
        json_object_object_add(li, "allOf", arr);
        snprintf(name, sizeof name, "l%d", i);
        json_object_object_add(defs, name, li);
    }
    json_object *s = json_object_new_object();
    json_object_object_add(s, "$defs", defs);
    json_object_object_add(s, "$ref", json_object_new_string("#/$defs/l24"));
    assert_int_equal(check_objs(s, NULL), MCP_E_INTERNAL);
    assert_string_equal(msg, "schema too complex: validation needs more than 1000000 steps");
    json_object_put(s);
}

static void test_work_bound_large_instance(void **state)
{
    (void)state;
    json_object *s = tjson("{'uniqueItems': true}");
    json_object *arr = json_object_new_array();
    for (int i = 0; i < 3000; i++)
        json_object_array_add(arr, json_object_new_int(i));
    assert_int_equal(check_objs(s, arr), MCP_E_INTERNAL);
    assert_string_equal(msg, "schema too complex: validation needs more than 1000000 steps");
    json_object_put(s);
    json_object_put(arr);

    /* a realistic size stays well inside the budget */
    s = tjson("{'uniqueItems': true, 'items': {'type': 'integer'}}");
    arr = json_object_new_array();
    for (int i = 0; i < 1000; i++)
        json_object_array_add(arr, json_object_new_int(i));
    assert_int_equal(check_objs(s, arr), MCP_OK);
    json_object_put(s);
    json_object_put(arr);
}

/* --- contract ------------------------------------------------------------------------------- */

static void test_message_cleared_on_success_and_fail_optional(void **state)
{
    (void)state;
    VALID("{'type': 'object'}", "{}"); /* check() pre-fills "stale" */
    json_object *s = tjson("{'type': 'string'}");
    assert_int_equal(schema_validate(s, NULL, NULL), MCP_E_INVALID_PARAMS);
    json_object_put(s);
}

static void test_schema_is_not_modified(void **state)
{
    (void)state;
    json_object *s = tjson(fixture_schema);
    json_object *before = tjson(fixture_schema);
    json_object *i = tjson("{'contactMethod': 'fax', 'x': 1.5}");
    assert_int_equal(check_objs(s, i), MCP_E_INVALID_PARAMS);
    assert_true(json_object_equal(s, before));
    json_object_put(s);
    json_object_put(before);
    json_object_put(i);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_valid_instances),
        cmocka_unit_test(test_fixture_phone_or_email_required),
        cmocka_unit_test(test_fixture_if_then_else),
        cmocka_unit_test(test_fixture_additional_properties_false),
        cmocka_unit_test(test_fixture_ref_to_address_def),
        cmocka_unit_test(test_fixture_enum_and_root_type),
        cmocka_unit_test(test_type_mismatch_names_location),
        cmocka_unit_test(test_type_integer_accepts_zero_fraction),
        cmocka_unit_test(test_type_array_of_types),
        cmocka_unit_test(test_enum),
        cmocka_unit_test(test_enum_message_is_cut),
        cmocka_unit_test(test_const_deep_equality),
        cmocka_unit_test(test_numeric_bounds),
        cmocka_unit_test(test_numeric_bounds_are_exact_for_64_bit_integers),
        cmocka_unit_test(test_multiple_of),
        cmocka_unit_test(test_string_length_counts_code_points),
        cmocka_unit_test(test_pattern),
        cmocka_unit_test(test_pattern_ecma_escapes_are_rewritten),
        cmocka_unit_test(test_pattern_counts_utf8_code_points),
        cmocka_unit_test(test_pattern_sees_whole_string_with_nul),
        cmocka_unit_test(test_pattern_ecma_only_syntax_is_internal),
        cmocka_unit_test(test_pattern_quantifiers_follow_ecma),
        cmocka_unit_test(test_pattern_uncompilable_is_internal),
        cmocka_unit_test(test_pattern_size_is_bounded),
        cmocka_unit_test(test_items_location_is_index),
        cmocka_unit_test(test_prefix_items_then_items),
        cmocka_unit_test(test_min_max_items),
        cmocka_unit_test(test_unique_items),
        cmocka_unit_test(test_contains_min_max),
        cmocka_unit_test(test_required),
        cmocka_unit_test(test_additional_properties_schema),
        cmocka_unit_test(test_pattern_properties),
        cmocka_unit_test(test_property_names),
        cmocka_unit_test(test_min_max_properties),
        cmocka_unit_test(test_dependent_required),
        cmocka_unit_test(test_dependent_schemas),
        cmocka_unit_test(test_location_escapes_json_pointer),
        cmocka_unit_test(test_long_location_is_cut),
        cmocka_unit_test(test_all_of_reports_inner_error),
        cmocka_unit_test(test_any_of),
        cmocka_unit_test(test_one_of),
        cmocka_unit_test(test_not),
        cmocka_unit_test(test_if_then_else),
        cmocka_unit_test(test_boolean_schemas),
        cmocka_unit_test(test_ref_defs_and_definitions),
        cmocka_unit_test(test_ref_pointer_escapes),
        cmocka_unit_test(test_ref_anchor),
        cmocka_unit_test(test_ref_root_recursion),
        cmocka_unit_test(test_ref_remote_is_internal),
        cmocka_unit_test(test_ref_unresolvable_is_internal),
        cmocka_unit_test(test_dialect_2020_12_and_draft_07_accepted),
        cmocka_unit_test(test_dialect_other_is_internal),
        cmocka_unit_test(test_annotations_and_unknown_keywords_ignored),
        cmocka_unit_test(test_unsupported_keywords_are_internal),
        cmocka_unit_test(test_malformed_schema_is_internal),
        cmocka_unit_test(test_depth_bound_ref_cycle),
        cmocka_unit_test(test_depth_bound_nested_schema),
        cmocka_unit_test(test_work_bound_exponential_schema),
        cmocka_unit_test(test_work_bound_large_instance),
        cmocka_unit_test(test_message_cleared_on_success_and_fail_optional),
        cmocka_unit_test(test_schema_is_not_modified),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("schema", tests, NULL, NULL);
}
