/*
 * fuzz_mrtr.c - libFuzzer driver for mrtr_open (requestState is untrusted input).
 *
 * The input is a wire text opened for a fixed key and binding: anything but a state sealed
 * for exactly that binding (the corpus holds one) must be refused with MCP_E_INVALID_PARAMS
 * and a "requestState" message, never crash, leak or read past the input. The same bytes
 * are also tried as a handler's JSON state: when they parse, seal then open must give the
 * same value back, and the sealed text with one character changed must be refused. They
 * are also tried as the call's arguments: a state bound to them opens with them and with
 * nothing else (absent arguments are {}).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cfg.h"
#include "mrtr.h"
#include "rpc.h"

/* the key, binding and clock the corpus states were sealed with */
#define FUZZ_KEY "fuzz-key-0123456789abcdef0123456789abcdef"
#define FUZZ_NOW ((time_t)1800000000)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct mrtr_bind fuzz_bind = {"fuzzer", "tools/call", "fuzz_tool", NULL};

static void fuzz_open(const struct mcp_cfg *cfg, const char *wire, size_t len)
{
    struct rpc_fail fail = {{0}, NULL};
    json_object *state = NULL;
    enum mcp_err err = mrtr_open(cfg, &fuzz_bind, wire, len, FUZZ_NOW, &state, &fail);

    if (err == MCP_OK) {
        if (state == NULL)
            abort();
    } else if (err != MCP_E_INVALID_PARAMS || state != NULL ||
               strncmp(fail.message, "Invalid params: requestState", 28) != 0) {
        abort();
    }
    json_object_put(state);
    rpc_fail_clear(&fail);
}

static void fuzz_round_trip(const struct mcp_cfg *cfg, const char *text, size_t len)
{
    struct rpc_fail fail = {{0}, NULL};
    json_object *v = NULL, *back = NULL;
    char *wire = NULL;
    size_t n;

    if (rpc_parse(text, len, 32, &v) != MCP_OK || v == NULL)
        goto done;
    if (mrtr_seal(cfg, &fuzz_bind, v, FUZZ_NOW, &wire, &fail) != MCP_OK) {
        /* only an oversize state may be refused */
        if (strlen(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN)) <= MRTR_STATE_MAX)
            abort();
        goto done;
    }
    n = strlen(wire);
    if (n > MRTR_WIRE_MAX ||
        mrtr_open(cfg, &fuzz_bind, wire, n, FUZZ_NOW + 1, &back, &fail) != MCP_OK ||
        !json_object_equal(v, back))
        abort();
    json_object_put(back);
    back = NULL;
    /* v as the arguments the state is bound to */
    {
        struct mrtr_bind with = fuzz_bind;
        enum mcp_err want =
            json_object_is_type(v, json_type_object) && json_object_object_length(v) == 0
                ? MCP_OK
                : MCP_E_INVALID_PARAMS;
        with.args = v;
        free(wire);
        wire = NULL;
        if (mrtr_seal(cfg, &with, v, FUZZ_NOW, &wire, &fail) != MCP_OK)
            abort();
        n = strlen(wire);
        if (mrtr_open(cfg, &with, wire, n, FUZZ_NOW, &back, &fail) != MCP_OK)
            abort();
        json_object_put(back);
        back = NULL;
        if (mrtr_open(cfg, &fuzz_bind, wire, n, FUZZ_NOW, &back, &fail) != want)
            abort();
        json_object_put(back);
        back = NULL;
    }
    /* change one character (chosen by the input) to another base64url character */
    {
        size_t at = len % n;
        wire[at] = wire[at] == 'A' ? 'B' : 'A';
        if (mrtr_open(cfg, &fuzz_bind, wire, n, FUZZ_NOW, &back, &fail) != MCP_E_INVALID_PARAMS ||
            back != NULL)
            abort();
    }
done:
    free(wire);
    json_object_put(back);
    json_object_put(v);
    rpc_fail_clear(&fail);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct mcp_cfg cfg;
    char *copy = malloc(size + 1);

    if (copy == NULL)
        abort();
    if (cfg.state_key_len == 0) {
        cfg_defaults(&cfg);
        memcpy(cfg.state_key, FUZZ_KEY, sizeof(FUZZ_KEY) - 1);
        cfg.state_key_len = sizeof(FUZZ_KEY) - 1;
    }
    /* exactly size bytes, so reads past the input are caught; then a terminated copy */
    fuzz_open(&cfg, (const char *)data, size);
    memcpy(copy, data, size);
    copy[size] = '\0';
    fuzz_round_trip(&cfg, copy, size);
    free(copy);
    return 0;
}
