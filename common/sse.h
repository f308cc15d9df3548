/*
 * sse.h - Server-Sent Events framing (WHATWG HTML "server-sent events") for our streams, and
 * the event ids that name their stream.
 *
 * An event we write:   [id: <id>\n] [event: <name>\n] [retry: <ms>\n] data: <line>\n ... \n
 * Every line of the data gets its own "data:" prefix (CR, LF and CRLF all end a line). A
 * comment (heartbeat) is ": <text>\n\n".
 *
 * Event ids: "<key>.<seq>": key = a stream key (decimal, 0..999999), seq = decimal
 * (0..2^53); see fcgi-app/sessc.h.
 */
#ifndef MCP_SSE_H
#define MCP_SSE_H

#include <stddef.h>
#include <stdint.h>

#include "mcp_err.h"

#define SSE_ID_MAX 40 /* bytes of an event id with the NUL */

/* Bytes sse_event needs (an upper bound) for data of len bytes and the optional fields. */
size_t sse_event_size(const char *id, const char *event, size_t len);

/* Writes one event into out (cap bytes). id, event may be NULL; retry_ms < 0 = no retry
 * field; data may hold any bytes except NUL. Returns the bytes written, 0 when cap is too
 * small or id or event holds CR or LF. data NULL or len 0 writes "data: \n" (an event with
 * empty data, e.g. priming). */
size_t sse_event(char *out, size_t cap, const char *id, const char *event, long retry_ms,
                 const char *data, size_t len);

/* Writes a comment ": <text>\n\n" (text without line breaks; NULL = ""). Returns bytes, 0 if
 * too small or text holds CR or LF. */
size_t sse_comment(char *out, size_t cap, const char *text);

/* Formats an event id "<key>.<seq>" into out[SSE_ID_MAX]. */
void sse_id_format(char *out, uint32_t key, uint64_t seq);

/* Parses an event id (e.g. a Last-Event-ID header): exactly "<key>.<seq>" in decimal with no
 * sign, no leading zeros (except "0"), key <= 999999, seq <= 2^53. MCP_OK or
 * MCP_E_BAD_EVENT_ID. */
enum mcp_err sse_id_parse(const char *s, uint32_t *key, uint64_t *seq);

#endif
