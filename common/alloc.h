/*
 * alloc.h - allocation wrappers that abort on out-of-memory, so that error paths deal
 * with real errors only (as lighttpd does). Memory from these is released with free().
 */
#ifndef MCP_ALLOC_H
#define MCP_ALLOC_H
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
