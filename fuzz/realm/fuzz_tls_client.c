/* The Realm's TLS client (src/realm/tls.c) against a hostile server: the input is all the
 * server ever says. rk_tls_connect runs over a transport that swallows what the client
 * sends and answers each receive with the next piece of the input; after the input, the
 * server closes (or the network times out).
 *
 * What must hold: no read or write outside a buffer (ASan), no leak; the handshake fails,
 * with one of the statuses tls.h lists for a server's doing (PEER, IO, VERIFY, or the
 * transport's TIMEOUT) and a why that says something; it never succeeds (nobody can finish
 * a handshake to a pin made of the input's hash without the pinned key); the client takes
 * no more than RK_TLS_HANDSHAKE_MAX bytes and one transport read beyond.
 *
 * Input: byte 0 bits 0-6 the size of each piece (0: all that is left at once), bit 7 the
 * end is a timeout instead of a close; then the server's byte stream (the seeds, from
 * fuzz/corpus/make_tls_client_seeds.py, are real servers' first flights).
 *
 * A ServerHello must echo the ClientHello's random legacy_session_id (RFC 8446 §4.1.3),
 * which no stored input can know: where the stream starts like a ServerHello with a
 * 32-byte session id, the harness writes the client's into it before the client reads it,
 * so inputs reach the extensions, a HelloRetryRequest and the encrypted records.
 * Debian's libssl carries no coverage hooks: the fuzzer is guided by tls.c's own branches
 * (the pump, the limits, the error paths) and explores OpenSSL's parser blind. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/crypto.h"
#include "realm/tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Offsets in the first record of either hello: a 5-byte record header, a 4-byte handshake
 * header, legacy_version, the 32-byte random, then legacy_session_id's length and bytes. */
#define SID_LEN_AT 43u
#define SID_AT     44u
#define SID_LEN    32u

struct server_stream {
        uint8_t *p; /* a copy of the input's stream: the session id is written into it */
        size_t left, piece, taken;
        bool end_in_timeout;
        uint8_t sid[SID_LEN]; /* the first ClientHello's legacy_session_id */
        bool sid_seen;
};

static ccada_status swallow(void *ctx, const void *data, size_t len, unsigned timeout_ms)
{
        struct server_stream *s = ctx;
        const uint8_t *b = data;
        (void)timeout_ms;
        if (!s->sid_seen && len >= SID_AT + SID_LEN && b[0] == 0x16 && b[5] == 0x01 &&
            b[SID_LEN_AT] == SID_LEN) {
                memcpy(s->sid, b + SID_AT, SID_LEN);
                s->sid_seen = true;
        }
        return CCADA_OK;
}

/* Before the first byte goes out: the client's session id into a ServerHello's. */
static void echo_session_id(struct server_stream *s)
{
        if (s->sid_seen && s->left >= SID_AT + SID_LEN && s->p[0] == 0x16 && s->p[5] == 0x02 &&
            s->p[SID_LEN_AT] == SID_LEN)
                memcpy(s->p + SID_AT, s->sid, SID_LEN);
}

static ccada_status answer(void *ctx, void *buf, size_t cap, size_t *got, unsigned timeout_ms)
{
        struct server_stream *s = ctx;
        (void)timeout_ms;
        if (!s->taken)
                echo_session_id(s);
        if (!s->left) {
                *got = 0;
                return s->end_in_timeout ? CCADA_E_TIMEOUT : CCADA_OK;
        }
        size_t n = s->piece && s->piece < s->left ? s->piece : s->left;
        n = n < cap ? n : cap;
        memcpy(buf, s->p, n);
        s->p += n, s->left -= n, s->taken += n;
        *got = n;
        return CCADA_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (!size)
                return 0;
        uint8_t *stream = malloc(size - 1 ? size - 1 : 1); /* exactly the stream: ASan sees overruns */
        if (!stream)
                abort();
        memcpy(stream, data + 1, size - 1);
        struct server_stream s = { .p = stream,
                                   .left = size - 1,
                                   .piece = data[0] & 0x7fu,
                                   .end_in_timeout = (data[0] & 0x80u) != 0 };
        struct rk_tls_transport t = { .send = swallow, .recv = answer, .ctx = &s };
        uint8_t pin[RK_TLS_PIN_LEN];
        struct rk_tls *tls = NULL;
        char why[RK_TLS_WHY_LEN];
        memset(why, 'x', sizeof(why));
        if (!hash_once(HASH_SHA256, data, size, pin))
                abort();
        ccada_status st = rk_tls_connect(&t, pin, 1000, &tls, why, sizeof(why));
        bool expected = st == CCADA_E_PEER || st == CCADA_E_IO || st == CCADA_E_VERIFY ||
                        (st == CCADA_E_TIMEOUT && s.end_in_timeout);
        if (!expected || tls || !memchr(why, '\0', sizeof(why)) || strlen(why) < 10)
                abort();
        if (s.taken > RK_TLS_HANDSHAKE_MAX + 16384u + 256u + 5u)
                abort();
        free(stream);
        return 0;
}
