/*
 * watch.h - resources that change on a timer, shared by the feature set that serves them
 * (fcgi-app) and mcp-sessiond, which tells subscribed sessions when they change.
 *
 * A resource of this table changes whenever time(NULL) / period_s changes (its content is
 * computed from that number); sessiond sends notifications/resources/updated {"uri"} to
 * every session subscribed to uri right after each such change, while set is on in
 * server.sets.
 */
#ifndef MCP_WATCH_H
#define MCP_WATCH_H

#include <stddef.h>

#include "cfg.h"

/* test://watched-resource of the conformance set changes every this many seconds. */
#define WATCH_CONFORMANCE_PERIOD_S 3

struct watch_def {
    unsigned set;    /* enum cfg_set bit that serves it */
    const char *uri; /* the resource */
    int period_s;    /* it changes when time(NULL) / period_s does */
};

/* The table; *n receives its length. */
const struct watch_def *watch_defs(size_t *n);

#endif
