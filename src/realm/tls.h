/* A TLS 1.3 client (RFC 8446) for Realm apps, over OpenSSL 3 with memory BIOs, on any
 * blocking byte stream given as an ops table: the Realm's TCP connection (net.h rk_tcp_send
 * and rk_tcp_recv), or a socket in a test.
 *
 * The server is authenticated by pin alone: the SHA-256 of its leaf certificate's DER
 * encoding must equal the 32 bytes the app was given (lib/x509.h makes such a certificate
 * and its pin). No CA, no chain, no name or validity check: the pin is the whole trust, and
 * the handshake's CertificateVerify proves the server holds the pinned certificate's key.
 * A mismatch stops the handshake before the client's Finished: no application data is sent.
 *
 * Everything the transport delivers is the peer's and hostile: records are parsed by
 * OpenSSL from bounded buffers, the handshake may bring at most RK_TLS_HANDSHAKE_MAX bytes
 * and the certificate list RK_TLS_CERT_LIST_MAX, and one rk_tls_recv call takes at most
 * RK_TLS_IDLE_MAX bytes that carry no application data.
 *
 * Session states:
 *   OPEN        after rk_tls_connect: send and recv work.
 *   READ_CLOSED the peer sent close_notify, or the transport reported EOF: recv gives
 *               *got 0 with CCADA_OK from then on (rk_tls_peer_closed_cleanly tells the
 *               two apart); send is still tried (TLS 1.3 allows a half-close).
 *   BROKEN      a send or recv failed (transport error, malformed record, alert, a
 *               violated limit): sticky, every later send/recv returns CCADA_E_BROKEN;
 *               rk_tls_why says what happened.
 * rk_tls_close may be called in every state.
 *
 * Timeouts: timeout_ms is handed, unchanged, to every transport call a function makes: it
 * bounds each wait for the network, not the whole call.
 *
 * Context: one thread (the Realm task) per session; the transport's ctx stays the caller's
 * and must outlive the session. Uses OpenSSL's per-thread error queue, which it clears
 * before each step and leaves empty.
 */
#ifndef CCADA_REALM_TLS_H
#define CCADA_REALM_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ccada/status.h"

#define RK_TLS_PIN_LEN       32 /* SHA-256 */
#define RK_TLS_WHY_LEN       160
#define RK_TLS_HANDSHAKE_MAX (64u * 1024u)  /* bytes received before the handshake ends */
#define RK_TLS_CERT_LIST_MAX (32u * 1024u)  /* the server's Certificate message */
#define RK_TLS_IDLE_MAX      (256u * 1024u) /* per rk_tls_recv, without application data */

/* A blocking byte stream; the Realm's is rk_tcp_send / rk_tcp_recv on an rk_tcp.
 * send: all len bytes, or an error. recv: waits for at least one byte (*got 1..cap), the
 * peer's close (*got 0, CCADA_OK), an error or a timeout. Errors are passed up unchanged. */
struct rk_tls_transport {
        ccada_status (*send)(void *ctx, const void *data, size_t len, unsigned timeout_ms);
        ccada_status (*recv)(void *ctx, void *buf, size_t cap, size_t *got, unsigned timeout_ms);
        void *ctx;
};

struct rk_tls;

/* Runs a TLS 1.3 handshake over t (copied: t itself may go after the call) and checks the
 * server's certificate against pin. On success *out is an OPEN session; on failure *out
 * is NULL and why (whylen bytes, may be NULL) says what failed.
 * Errors: CCADA_E_INVAL (a NULL argument or transport op), CCADA_E_NOMEM (OpenSSL could
 * not set up), CCADA_E_VERIFY (the certificate is not the pinned one), CCADA_E_IO (the
 * server closed the connection during the handshake), CCADA_E_PEER (a malformed or
 * refused handshake: not TLS, an alert, another version, a bad signature, a limit
 * exceeded), CCADA_E_RANGE (the transport reported more bytes than asked for), or
 * whatever t->send or t->recv returned (CCADA_E_IO, CCADA_E_TIMEOUT, ...). */
ccada_status rk_tls_connect(const struct rk_tls_transport *t, const uint8_t pin[RK_TLS_PIN_LEN],
                            unsigned timeout_ms, struct rk_tls **out, char *why,
                            size_t whylen) CCADA_MUST_CHECK;

/* Encrypts and sends all len bytes (in records of at most 16 KiB). Errors: CCADA_E_INVAL,
 * CCADA_E_BROKEN (an earlier failure), the transport's status, CCADA_E_PEER,
 * CCADA_E_RANGE; each of them but CCADA_E_INVAL leaves the session BROKEN. */
ccada_status rk_tls_send(struct rk_tls *s, const void *data, size_t len,
                         unsigned timeout_ms) CCADA_MUST_CHECK;

/* Waits for application data and copies up to cap (> 0) bytes of it into buf (*got).
 * *got 0 with CCADA_OK: the peer closed (close_notify or EOF, see rk_tls_peer_closed_cleanly).
 * Errors as rk_tls_send, plus CCADA_E_PEER for RK_TLS_IDLE_MAX bytes without data. */
ccada_status rk_tls_recv(struct rk_tls *s, void *buf, size_t cap, size_t *got,
                         unsigned timeout_ms) CCADA_MUST_CHECK;

/* After recv gave *got 0: true if the peer sent close_notify, false for a bare EOF (the
 * data may have been cut short: a caller that knows the length it expects can tell). */
bool rk_tls_peer_closed_cleanly(const struct rk_tls *s);

/* What the last failed call found ("" if none), for logs. */
const char *rk_tls_why(const struct rk_tls *s);

/* Sends close_notify unless the session is BROKEN (best effort: errors are ignored) and
 * frees s. Does not close the transport. NULL: no-op. */
void rk_tls_close(struct rk_tls *s, unsigned timeout_ms);

#endif
