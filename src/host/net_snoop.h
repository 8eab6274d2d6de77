/* What the host sees of a guest's network traffic: a network backend that passes every
 * frame on to another backend and keeps a copy of its TCP payload, as any host (or anyone
 * on its path) can. In a Realm those frames come out of, and go into, the bounce buffers
 * the Realm shared: the learning path's closing point is that these bytes have left the
 * Realm's protection, and only end-to-end protection (TLS) keeps them private.
 *
 * The snoop parses each frame (Ethernet II, IPv4 without options or with, TCP; nothing
 * else is kept) with bounds checks: the frames are the guest's, hostile to the host like
 * any other input. The TCP payload is appended per direction in frame order (a stream per
 * direction, not per connection; nothing is reordered) up to NET_SNOOP_KEEP bytes each.
 * What it finds there (net_snoop_findings): HTTP request and status lines and the header
 * fields that follow them, a CCA attestation token in base64url (it starts "2QGP", the
 * encoding of CBOR tag 399, or "2QOL", tag 907), an RSA JWK, and TLS records (a content
 * type 20..23 and version 3.x at the start of a segment).
 *
 * Context: single-threaded, like the backend it wraps. */
#ifndef CCADA_HOST_NET_SNOOP_H
#define CCADA_HOST_NET_SNOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ccada/status.h"
#include "host/net_backend.h"

#define NET_SNOOP_KEEP (256u << 10)     /* payload bytes kept per direction */
#define NET_SNOOP_LINES 2048u           /* HTTP lines found, "|"-separated */

/* out: guest to host ("out" of the guest); in: host to guest. */
struct net_snoop_counts {
        uint64_t frames, ipv4, tcp_segments, tcp_bytes, tls_records, malformed;
};

struct net_snoop_findings {
        struct net_snoop_counts out, in;
        char http_out[NET_SNOOP_LINES]; /* request lines and fields, as printable text */
        char http_in[NET_SNOOP_LINES];  /* status lines and fields */
        bool cca_token_out;             /* an attestation token in clear, leaving the guest */
        bool jwk_out;                   /* an RSA public key (JWK) leaving the guest */
        bool wrapped_key_in;            /* a {"data": ...} answer coming in */
};

/* Wraps inner (which the snoop then owns and closes). Errors: CCADA_E_INVAL (NULL),
 * CCADA_E_NOMEM (inner is closed). */
ccada_status net_snoop_open(struct net_backend **out, struct net_backend *inner) CCADA_MUST_CHECK;

/* What the snoop found so far. b must be a snoop (else all zero). */
void net_snoop_findings(const struct net_backend *b, struct net_snoop_findings *f);

/* The parser alone, for tests and the fuzzer: takes one frame as the host saw it. */
struct net_snoop;
struct net_snoop *net_snoop_new(void);
void net_snoop_free(struct net_snoop *s);
void net_snoop_frame(struct net_snoop *s, bool to_guest, const uint8_t *frame, size_t len);
void net_snoop_report(const struct net_snoop *s, struct net_snoop_findings *f);

#endif
