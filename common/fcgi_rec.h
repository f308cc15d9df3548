/*
 * fcgi_rec.h - the few FastCGI records sessiond handles on a connection handed over by a
 * worker (FastCGI 1.0 specification): it writes STDOUT and END_REQUEST records, and reads
 * what the web server may still send (ABORT_REQUEST, late STDIN/PARAMS, anything else).
 * libfcgi does everything else, in the workers.
 *
 * Record: 8-byte header {version 1, type, requestId (16 bit BE), contentLength (16 bit BE),
 * paddingLength, reserved}, content (<= 65535 bytes), padding (we pad content to a multiple
 * of 8).
 */
#ifndef MCP_FCGI_REC_H
#define MCP_FCGI_REC_H

#include <stddef.h>
#include <stdint.h>

#include "mcp_err.h"

#define FCGI_REC_HEADER_LEN  8
#define FCGI_REC_MAX_CONTENT 65535

enum fcgi_rec_type {
    FCGI_REC_BEGIN_REQUEST = 1,
    FCGI_REC_ABORT_REQUEST = 2,
    FCGI_REC_END_REQUEST = 3,
    FCGI_REC_PARAMS = 4,
    FCGI_REC_STDIN = 5,
    FCGI_REC_STDOUT = 6,
    FCGI_REC_STDERR = 7,
    FCGI_REC_DATA = 8,
    FCGI_REC_GET_VALUES = 9,
    FCGI_REC_GET_VALUES_RESULT = 10,
    FCGI_REC_UNKNOWN_TYPE = 11,
};

/* Bytes fcgi_rec_stdout needs for len bytes of data (headers and padding of every record;
 * len 0 is the empty STDOUT record that ends the stream). */
size_t fcgi_rec_stdout_size(size_t len);

/* Writes len bytes of data as STDOUT records of request_id into out (cap bytes), splitting
 * at FCGI_REC_MAX_CONTENT. len 0 writes the one empty record that closes STDOUT. Returns the
 * bytes written, or 0 when cap is too small. */
size_t fcgi_rec_stdout(uint16_t request_id, const void *data, size_t len, void *out, size_t cap);

/* Writes END_REQUEST (appStatus, protocolStatus 0 = REQUEST_COMPLETE) into out[16]. Returns
 * 16. */
size_t fcgi_rec_end_request(uint16_t request_id, uint32_t app_status, void *out);

/* Incremental reader of the records the web server sends after the hand-off. A zeroed struct
 * is a reader at the start of a record. */
struct fcgi_rec_reader {
    unsigned char hdr[FCGI_REC_HEADER_LEN];
    size_t hdr_have; /* header bytes collected */
    size_t skip;     /* content + padding bytes of the current record still to skip */
    uint8_t type;    /* type of the current record */
};

enum fcgi_rec_event {
    FCGI_REC_NOTHING, /* all input consumed, nothing that matters */
    FCGI_REC_ABORT,   /* an ABORT_REQUEST for request_id: the client left */
    FCGI_REC_BAD,     /* not FastCGI (bad version): close the connection */
};

/* Feeds n bytes. Records other than ABORT_REQUEST for request_id are skipped (contents
 * ignored), whatever their size; partial headers and contents carry over to the next call.
 * Returns the first event found (and stops consuming there). */
enum fcgi_rec_event fcgi_rec_read(struct fcgi_rec_reader *r, uint16_t request_id, const void *data,
                                  size_t n);

#endif
