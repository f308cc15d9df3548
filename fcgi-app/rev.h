/*
 * rev.h - the protocol revisions the feature layer tells apart, and what each one added.
 * Versions are "YYYY-MM-DD" strings, so strcmp orders them.
 */
#ifndef MCP_REV_H
#define MCP_REV_H

#include <string.h>

#define REV_2024_11_05 "2024-11-05" /* the oldest we speak */
#define REV_2025_03_26                                                                             \
    "2025-03-26" /* audio blocks, tool annotations, completions capability,                        \
                  * progress "message" */
#define REV_2025_06_18                                                                             \
    "2025-06-18"                    /* title fields, outputSchema, structuredContent,              \
                                     * resource_link blocks, elicitation, _meta on blocks,         \
                                     * annotations.lastModified */
#define REV_2025_11_25 "2025-11-25" /* icons, elicitation "mode" */

/* 1 when version (the negotiated revision) includes what came with revision since. */
static inline int rev_has(const char *version, const char *since)
{
    return strcmp(version, since) >= 0;
}

#endif
