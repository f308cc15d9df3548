/* watch.c - the table of resources that change on a timer (see watch.h). */
#include "watch.h"

static const struct watch_def watch_table[] = {
    {CFG_SET_CONFORMANCE, "test://watched-resource", WATCH_CONFORMANCE_PERIOD_S},
};

const struct watch_def *watch_defs(size_t *n)
{
    *n = sizeof(watch_table) / sizeof(watch_table[0]);
    return watch_table;
}
