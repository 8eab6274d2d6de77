/* The Realm's TLS 1.3 client (see tls.h): OpenSSL's state machine between two memory BIOs,
 * pumped by hand. What OpenSSL writes into wbio goes out through the transport; what the
 * transport brings goes into rbio, and only when OpenSSL asks for more (WANT_READ), so
 * rbio never holds more than one transport read beyond what OpenSSL needs. */
#include "realm/tls.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/crypto.h"

/* One transport read or write: a full record (2^14 bytes of ciphertext plus its expansion
 * and 5-byte header, RFC 8446 §5.2) fits. */
#define IO_CAP           (16384u + 256u + 5u)
#define RECORD_PLAIN_MAX 16384u /* RFC 8446 §5.1 */

enum pin_verdict { PIN_UNSEEN, PIN_MATCH, PIN_MISMATCH, PIN_UNREADABLE };

struct rk_tls {
        struct rk_tls_transport t;
        SSL_CTX *ctx;
        SSL *ssl;
        BIO *rbio, *wbio; /* owned by ssl */
        uint8_t pin[RK_TLS_PIN_LEN];
        uint8_t seen[RK_TLS_PIN_LEN]; /* the SHA-256 of the certificate the server showed */
        enum pin_verdict verdict;
        bool broken, peer_closed, clean_close;
        char why[RK_TLS_WHY_LEN];
        uint8_t io[IO_CAP];
};

static void say(char *why, size_t whylen, const char *text)
{
        if (why && whylen)
                snprintf(why, whylen, "%s", text);
}

/* OpenSSL's reason for the first error on the queue, then the queue emptied. */
static const char *ssl_reason(int ssl_err)
{
        unsigned long e = ERR_peek_error();
        const char *r = e ? ERR_reason_error_string(e) : NULL;
        ERR_clear_error();
        if (r)
                return r; /* a static string in OpenSSL's table */
        switch (ssl_err) {
        case SSL_ERROR_SYSCALL: return "the record layer stopped without a reason";
        case SSL_ERROR_ZERO_RETURN: return "the server closed the session";
        default: return "OpenSSL gave no reason";
        }
}

/* The certificate callback (SSL_CTX_set_cert_verify_callback): replaces chain building and
 * checks the leaf against the pin. Returning 0 makes the handshake fail with an alert. */
static int pin_check(X509_STORE_CTX *store, void *arg)
{
        struct rk_tls *s = arg;
        X509 *leaf = X509_STORE_CTX_get0_cert(store);
        unsigned char *der = NULL;
        int n = leaf ? i2d_X509(leaf, &der) : -1;
        bool hashed = n > 0 && hash_once(HASH_SHA256, der, (size_t)n, s->seen);
        OPENSSL_free(der);
        if (!hashed)
                s->verdict = PIN_UNREADABLE;
        else
                s->verdict = CRYPTO_memcmp(s->seen, s->pin, RK_TLS_PIN_LEN) == 0 ? PIN_MATCH : PIN_MISMATCH;
        X509_STORE_CTX_set_error(store, s->verdict == PIN_MATCH ? X509_V_OK : X509_V_ERR_CERT_REJECTED);
        return s->verdict == PIN_MATCH;
}

/* Sends everything OpenSSL has written. */
static ccada_status flush(struct rk_tls *s, unsigned timeout_ms)
{
        size_t pending;
        while ((pending = BIO_ctrl_pending(s->wbio)) > 0) {
                int want = (int)(pending < IO_CAP ? pending : IO_CAP);
                int n = BIO_read(s->wbio, s->io, want);
                if (n <= 0 || n > want) {
                        snprintf(s->why, sizeof(s->why), "OpenSSL's write buffer did not give its %zu bytes",
                                 pending);
                        return CCADA_E_STATE;
                }
                ccada_status st = s->t.send(s->t.ctx, s->io, (size_t)n, timeout_ms);
                if (st != CCADA_OK) {
                        snprintf(s->why, sizeof(s->why), "the transport could not send: %s",
                                 ccada_status_text(st));
                        return st;
                }
        }
        return CCADA_OK;
}

/* Sends the alert OpenSSL wrote after a failure, best effort: the failure is the news, so
 * why keeps saying it whatever the transport does. */
static void flush_alert(struct rk_tls *s, unsigned timeout_ms)
{
        char kept[RK_TLS_WHY_LEN];
        memcpy(kept, s->why, sizeof(kept));
        (void)flush(s, timeout_ms);
        memcpy(s->why, kept, sizeof(kept));
}

/* One transport read into rbio; *eof when the peer closed. *budget is what may still come
 * (decremented), CCADA_E_PEER past it. */
static ccada_status fill(struct rk_tls *s, unsigned timeout_ms, bool *eof, size_t *budget, const char *limit)
{
        size_t got = 0;
        ccada_status st = s->t.recv(s->t.ctx, s->io, sizeof(s->io), &got, timeout_ms);
        *eof = false;
        if (st != CCADA_OK) {
                snprintf(s->why, sizeof(s->why), "the transport could not receive: %s",
                         ccada_status_text(st));
                return st;
        }
        if (got > sizeof(s->io)) {
                snprintf(s->why, sizeof(s->why), "the transport reported %zu bytes for a %zu-byte buffer",
                         got, sizeof(s->io));
                return CCADA_E_RANGE;
        }
        if (got == 0) {
                *eof = true;
                return CCADA_OK;
        }
        if (got > *budget) {
                snprintf(s->why, sizeof(s->why), "the server sent more than %s", limit);
                return CCADA_E_PEER;
        }
        *budget -= got;
        if (BIO_write(s->rbio, s->io, (int)got) != (int)got) {
                snprintf(s->why, sizeof(s->why), "OpenSSL's read buffer did not take %zu bytes", got);
                return CCADA_E_NOMEM;
        }
        return CCADA_OK;
}

/* A context for one session: TLS 1.3 only, the pin as the whole certificate check, no
 * session cache (nothing is resumed), a bounded certificate list. */
static bool setup(struct rk_tls *s)
{
        s->ctx = SSL_CTX_new(TLS_client_method());
        if (!s->ctx || SSL_CTX_set_min_proto_version(s->ctx, TLS1_3_VERSION) != 1 ||
            SSL_CTX_set_max_proto_version(s->ctx, TLS1_3_VERSION) != 1)
                return false;
        SSL_CTX_set_verify(s->ctx, SSL_VERIFY_PEER, NULL);
        SSL_CTX_set_cert_verify_callback(s->ctx, pin_check, s);
        SSL_CTX_set_session_cache_mode(s->ctx, SSL_SESS_CACHE_OFF);
        SSL_CTX_set_max_cert_list(s->ctx, RK_TLS_CERT_LIST_MAX);
        s->ssl = SSL_new(s->ctx);
        s->rbio = BIO_new(BIO_s_mem());
        s->wbio = BIO_new(BIO_s_mem());
        if (!s->ssl || !s->rbio || !s->wbio) {
                BIO_free(s->rbio);
                BIO_free(s->wbio);
                s->rbio = s->wbio = NULL;
                return false;
        }
        SSL_set_bio(s->ssl, s->rbio, s->wbio); /* s->ssl owns both now */
        SSL_set_connect_state(s->ssl);
        return true;
}

/* Why the handshake stopped, once OpenSSL said it failed (err from SSL_get_error) in the
 * state at (SSL_state_string_long before the failing step). */
static ccada_status handshake_failed(struct rk_tls *s, int err, const char *at)
{
        char hex[2 * RK_TLS_PIN_LEN + 1];
        const char *reason = ssl_reason(err);
        switch (s->verdict) {
        case PIN_MISMATCH:
                hex_encode(hex, s->seen, sizeof(s->seen));
                snprintf(s->why, sizeof(s->why), "the server's certificate is not the one pinned (sha256 %s)",
                         hex);
                return CCADA_E_VERIFY;
        case PIN_UNREADABLE:
                snprintf(s->why, sizeof(s->why),
                         "the server's certificate could not be encoded to check its pin");
                return CCADA_E_VERIFY;
        default:
                snprintf(s->why, sizeof(s->why), "the TLS handshake failed (%s): %s", at, reason);
                return CCADA_E_PEER;
        }
}

/* The pin once more, on the certificate the finished handshake holds: the callback must
 * have seen this very certificate, and matched it. */
static bool pinned(struct rk_tls *s)
{
        X509 *peer = SSL_get0_peer_certificate(s->ssl);
        unsigned char *der = NULL;
        uint8_t md[HASH_MAX_LEN];
        int n = peer ? i2d_X509(peer, &der) : -1;
        bool ok = s->verdict == PIN_MATCH && n > 0 && hash_once(HASH_SHA256, der, (size_t)n, md) &&
                  CRYPTO_memcmp(md, s->pin, RK_TLS_PIN_LEN) == 0;
        OPENSSL_free(der);
        return ok;
}

static ccada_status handshake(struct rk_tls *s, unsigned timeout_ms)
{
        size_t budget = RK_TLS_HANDSHAKE_MAX;
        for (;;) {
                const char *at = SSL_state_string_long(s->ssl); /* a static string */
                ERR_clear_error();
                int r = SSL_connect(s->ssl);
                int err = r == 1 ? SSL_ERROR_NONE : SSL_get_error(s->ssl, r);
                if (err != SSL_ERROR_NONE && err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
                        ccada_status st = handshake_failed(s, err, at);
                        flush_alert(s, timeout_ms);
                        return st;
                }
                ccada_status st = flush(s, timeout_ms); /* ClientHello, or the client's Finished */
                if (st != CCADA_OK)
                        return st;
                if (err == SSL_ERROR_NONE)
                        break;
                if (err == SSL_ERROR_WANT_WRITE)
                        continue;
                bool eof;
                if ((st = fill(s, timeout_ms, &eof, &budget, "64 KiB in its handshake")) != CCADA_OK)
                        return st;
                if (eof) {
                        snprintf(s->why, sizeof(s->why),
                                 "the server closed the connection during the handshake");
                        return CCADA_E_IO;
                }
        }
        if (!pinned(s)) {
                snprintf(s->why, sizeof(s->why), "the handshake ended without the pinned certificate");
                return CCADA_E_VERIFY;
        }
        return CCADA_OK;
}

static void session_free(struct rk_tls *s)
{
        SSL_free(s->ssl); /* and both BIOs; OpenSSL wipes the traffic keys */
        SSL_CTX_free(s->ctx);
        secure_zero(s->io, sizeof(s->io));
        free(s);
        ERR_clear_error();
}

ccada_status rk_tls_connect(const struct rk_tls_transport *t, const uint8_t pin[RK_TLS_PIN_LEN],
                            unsigned timeout_ms, struct rk_tls **out, char *why, size_t whylen)
{
        if (out)
                *out = NULL;
        if (!t || !t->send || !t->recv || !pin || !out) {
                say(why, whylen, "rk_tls_connect: a NULL argument or transport operation");
                return CCADA_E_INVAL;
        }
        struct rk_tls *s = calloc(1, sizeof(*s));
        if (!s) {
                say(why, whylen, "out of memory for the TLS session");
                return CCADA_E_NOMEM;
        }
        s->t = *t;
        memcpy(s->pin, pin, RK_TLS_PIN_LEN);
        ERR_clear_error();
        ccada_status st = setup(s) ? handshake(s, timeout_ms) : CCADA_E_NOMEM;
        if (st == CCADA_E_NOMEM && !s->why[0])
                snprintf(s->why, sizeof(s->why), "OpenSSL could not set up a TLS 1.3 client");
        if (st != CCADA_OK) {
                say(why, whylen, s->why);
                session_free(s);
                return st;
        }
        *out = s;
        return CCADA_OK;
}

/* A failure that ends the session: recorded, sticky. */
static ccada_status broken(struct rk_tls *s, ccada_status st)
{
        s->broken = true;
        ERR_clear_error();
        return st;
}

/* An SSL_write_ex or SSL_read_ex error other than WANT_*: the session is over. */
static ccada_status record_failed(struct rk_tls *s, int err, const char *what, unsigned timeout_ms)
{
        snprintf(s->why, sizeof(s->why), "%s failed: %s", what, ssl_reason(err));
        flush_alert(s, timeout_ms);
        return broken(s, CCADA_E_PEER);
}

ccada_status rk_tls_send(struct rk_tls *s, const void *data, size_t len, unsigned timeout_ms)
{
        const uint8_t *p = data;
        if (!s || (!data && len))
                return CCADA_E_INVAL;
        if (s->broken)
                return CCADA_E_BROKEN;
        while (len) {
                size_t chunk = len < RECORD_PLAIN_MAX ? len : RECORD_PLAIN_MAX, n = 0;
                ERR_clear_error();
                int r = SSL_write_ex(s->ssl, p, chunk, &n);
                int err = r == 1 ? SSL_ERROR_NONE : SSL_get_error(s->ssl, r);
                if (err != SSL_ERROR_NONE && err != SSL_ERROR_WANT_WRITE && err != SSL_ERROR_WANT_READ)
                        return record_failed(s, err, "encrypting application data", timeout_ms);
                if (err == SSL_ERROR_NONE) {
                        if (n != chunk) { /* no partial writes without SSL_MODE_ENABLE_PARTIAL_WRITE */
                                snprintf(s->why, sizeof(s->why), "OpenSSL took %zu of %zu bytes", n, chunk);
                                return broken(s, CCADA_E_STATE);
                        }
                        p += n, len -= n;
                }
                ccada_status st = flush(s, timeout_ms);
                if (st != CCADA_OK)
                        return broken(s, st);
                if (err == SSL_ERROR_WANT_READ) { /* TLS 1.3 writes need no reads; never loop on one */
                        snprintf(s->why, sizeof(s->why), "OpenSSL wanted to read before it could write");
                        return broken(s, CCADA_E_STATE);
                }
        }
        return CCADA_OK;
}

/* The transport's EOF while reading: a READ_CLOSED session without close_notify. */
static ccada_status eof_reached(struct rk_tls *s, size_t *got)
{
        s->peer_closed = true;
        *got = 0;
        return CCADA_OK;
}

ccada_status rk_tls_recv(struct rk_tls *s, void *buf, size_t cap, size_t *got, unsigned timeout_ms)
{
        size_t budget = RK_TLS_IDLE_MAX;
        if (got)
                *got = 0;
        if (!s || !buf || !cap || !got)
                return CCADA_E_INVAL;
        if (s->broken)
                return CCADA_E_BROKEN;
        if (s->peer_closed)
                return CCADA_OK;
        for (;;) {
                ccada_status st = flush(s, timeout_ms); /* a KeyUpdate answer OpenSSL queued */
                if (st != CCADA_OK)
                        return broken(s, st);
                size_t n = 0;
                ERR_clear_error();
                int r = SSL_read_ex(s->ssl, buf, cap, &n);
                int err = r == 1 ? SSL_ERROR_NONE : SSL_get_error(s->ssl, r);
                if (err == SSL_ERROR_NONE) {
                        *got = n;
                        return CCADA_OK;
                }
                if (err == SSL_ERROR_ZERO_RETURN) {
                        s->clean_close = true;
                        ERR_clear_error();
                        return eof_reached(s, got);
                }
                if (err == SSL_ERROR_WANT_WRITE)
                        continue;
                if (err != SSL_ERROR_WANT_READ)
                        return record_failed(s, err, "reading application data", timeout_ms);
                bool eof;
                if ((st = fill(s, timeout_ms, &eof, &budget, "256 KiB without application data")) != CCADA_OK)
                        return broken(s, st);
                if (eof)
                        return eof_reached(s, got);
        }
}

bool rk_tls_peer_closed_cleanly(const struct rk_tls *s) { return s && s->clean_close; }

const char *rk_tls_why(const struct rk_tls *s) { return s ? s->why : ""; }

void rk_tls_close(struct rk_tls *s, unsigned timeout_ms)
{
        if (!s)
                return;
        if (!s->broken) {
                ERR_clear_error();
                if (SSL_shutdown(s->ssl) >= 0) /* close_notify into wbio; the peer's is not awaited */
                        (void)flush(s, timeout_ms);
        }
        session_free(s);
}
