/* src/realm/tls.c: the Realm's TLS 1.3 client over a transport on one end of a socketpair,
 * against a server thread on the other end written here with OpenSSL's SSL_accept and a
 * certificate from lib/x509 (or against a "server" that sends what a test wants). The
 * transport counts what crosses it and can fail on demand; the time it is given is only
 * recorded (the socketpair waits on SO_RCVTIMEO, so a broken test ends instead of hanging). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "lib/crypto.h"
#include "lib/x509.h"
#include "realm/tls.h"

#define BIG (100u * 1024u)

/* What the server thread does after (or instead of) the handshake. */
enum mode {
        SERVE_ECHO_BIG,      /* read BIG bytes, send them back, then wait for close_notify */
        SERVE_BYE_NOTIFY,    /* send "bye" and close_notify */
        SERVE_BYE_EOF,       /* send "bye" and close the socket without close_notify */
        SERVE_TICKETS,       /* send session tickets until the client stops reading */
        SERVE_RECORD_JUNK,   /* after the handshake, bytes that are no TLS record */
        SERVE_GARBAGE,       /* no TLS at all: junk in answer to the ClientHello */
        SERVE_CLOSE_AT_ONCE, /* read the ClientHello and close */
};

struct server {
        int fd;
        SSL_CTX *ctx;
        enum mode mode;
        pthread_t thread;
        /* results, read after the join */
        bool accepted, close_notify;
        int version;
        size_t app_in;
        bool echo_intact;
};

/* The client's transport: one socketpair end. */
struct pipe_tx {
        int fd;
        unsigned send_timeout, recv_timeout; /* the last timeout_ms each op was given */
        unsigned sends, recvs;
        ccada_status fail_send, fail_recv; /* returned instead of doing the I/O */
        bool lie_about_length;             /* recv claims one byte more than cap */
};

struct fx {
        char *cert, *key;
        uint8_t pin[X509_CERT_PIN_LEN];
        struct server srv;
        struct pipe_tx tx;
        struct rk_tls_transport t;
        bool running;
};

static ccada_status tx_send(void *ctx, const void *data, size_t len, unsigned timeout_ms)
{
        struct pipe_tx *p = ctx;
        const uint8_t *b = data;
        p->send_timeout = timeout_ms, p->sends++;
        if (p->fail_send != CCADA_OK)
                return p->fail_send;
        while (len) {
                ssize_t n = send(p->fd, b, len, MSG_NOSIGNAL);
                if (n <= 0)
                        return errno == EAGAIN ? CCADA_E_TIMEOUT : CCADA_E_IO;
                b += n, len -= (size_t)n;
        }
        return CCADA_OK;
}

static ccada_status tx_recv(void *ctx, void *buf, size_t cap, size_t *got, unsigned timeout_ms)
{
        struct pipe_tx *p = ctx;
        p->recv_timeout = timeout_ms, p->recvs++;
        if (p->fail_recv != CCADA_OK)
                return p->fail_recv;
        ssize_t n = recv(p->fd, buf, cap, 0);
        if (n < 0)
                return errno == EAGAIN ? CCADA_E_TIMEOUT : CCADA_E_IO;
        *got = (size_t)n + (p->lie_about_length && n > 0 ? cap - (size_t)n + 1 : 0);
        return CCADA_OK;
}

static void timeouts(int fd)
{
        struct timeval tv = { .tv_sec = 10 };
        assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
        assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)), 0);
}

static int setup(void **state)
{
        struct fx *f = calloc(1, sizeof(*f));
        char why[X509_CERT_WHY_LEN];
        int sv[2];
        if (!f || !x509_self_signed("ccada kbs", "10.0.2.2", 1, &f->cert, &f->key, f->pin, why) ||
            socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
                return -1;
        timeouts(sv[0]);
        timeouts(sv[1]);
        f->tx.fd = sv[0];
        f->srv.fd = sv[1];
        f->t = (struct rk_tls_transport){ .send = tx_send, .recv = tx_recv, .ctx = &f->tx };
        *state = f;
        return 0;
}

/* The client's end closes first, so a server blocked on it returns, then it is joined. */
static int teardown(void **state)
{
        struct fx *f = *state;
        close(f->tx.fd);
        if (f->running)
                pthread_join(f->srv.thread, NULL);
        close(f->srv.fd);
        SSL_CTX_free(f->srv.ctx);
        free(f->cert);
        secure_zero(f->key, strlen(f->key));
        free(f->key);
        free(f);
        return 0;
}

static void serve_echo_big(struct server *s, SSL *ssl)
{
        uint8_t *buf = malloc(BIG);
        size_t n = 0;
        if (!buf)
                return;
        while (s->app_in < BIG && SSL_read_ex(ssl, buf + s->app_in, BIG - s->app_in, &n) == 1)
                s->app_in += n;
        s->echo_intact = s->app_in == BIG;
        for (size_t i = 0; s->echo_intact && i < BIG; i++)
                s->echo_intact = buf[i] == (uint8_t)(i * 7 + 3);
        if (s->app_in == BIG && SSL_write_ex(ssl, buf, BIG, &n) == 1) {
                uint8_t one;
                s->close_notify =
                        SSL_read_ex(ssl, &one, 1, &n) == 0 && SSL_get_error(ssl, 0) == SSL_ERROR_ZERO_RETURN;
        }
        free(buf);
}

static void serve_after_handshake(struct server *s, SSL *ssl)
{
        size_t n;
        switch (s->mode) {
        case SERVE_ECHO_BIG: serve_echo_big(s, ssl); break;
        case SERVE_BYE_NOTIFY:
                if (SSL_write_ex(ssl, "bye", 3, &n) == 1)
                        (void)SSL_shutdown(ssl);
                break;
        case SERVE_BYE_EOF:
                (void)SSL_write_ex(ssl, "bye", 3, &n);
                shutdown(s->fd, SHUT_RDWR);
                break;
        case SERVE_TICKETS:
                for (int i = 0; i < 5000 && SSL_new_session_ticket(ssl) == 1 && SSL_do_handshake(ssl) == 1;
                     i++)
                        continue;
                break;
        case SERVE_RECORD_JUNK: (void)send(s->fd, "\x17\x03\x03\x00\x05junk!", 10, MSG_NOSIGNAL); break;
        default: break;
        }
}

/* Junk where the ServerHello should be, or nothing at all. */
static void serve_without_tls(struct server *s)
{
        uint8_t hello[4096];
        if (recv(s->fd, hello, sizeof(hello), 0) <= 0)
                return;
        if (s->mode == SERVE_GARBAGE)
                (void)send(s->fd, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", 47, MSG_NOSIGNAL);
        shutdown(s->fd, SHUT_RDWR);
}

static void *serve(void *arg)
{
        struct server *s = arg;
        if (s->mode == SERVE_GARBAGE || s->mode == SERVE_CLOSE_AT_ONCE) {
                serve_without_tls(s);
                return NULL;
        }
        SSL *ssl = SSL_new(s->ctx);
        if (ssl && SSL_set_fd(ssl, s->fd) == 1 && SSL_accept(ssl) == 1) {
                s->accepted = true;
                s->version = SSL_version(ssl);
                serve_after_handshake(s, ssl);
        }
        SSL_free(ssl);
        ERR_clear_error();
        return NULL;
}

/* Starts the server thread in mode, speaking at most max_version. */
static void start(struct fx *f, enum mode mode, int max_version)
{
        BIO *cb = BIO_new_mem_buf(f->cert, -1), *kb = BIO_new_mem_buf(f->key, -1);
        X509 *x = PEM_read_bio_X509(cb, NULL, NULL, NULL);
        EVP_PKEY *k = PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL);
        f->srv.ctx = SSL_CTX_new(TLS_server_method());
        assert_true(x && k && f->srv.ctx);
        assert_int_equal(SSL_CTX_use_certificate(f->srv.ctx, x), 1);
        assert_int_equal(SSL_CTX_use_PrivateKey(f->srv.ctx, k), 1);
        assert_int_equal(SSL_CTX_set_max_proto_version(f->srv.ctx, max_version), 1);
        X509_free(x);
        EVP_PKEY_free(k);
        BIO_free(cb);
        BIO_free(kb);
        f->srv.mode = mode;
        assert_int_equal(pthread_create(&f->srv.thread, NULL, serve, &f->srv), 0);
        f->running = true;
}

static void join(struct fx *f)
{
        assert_int_equal(pthread_join(f->srv.thread, NULL), 0);
        f->running = false;
}

static struct rk_tls *connect_ok(struct fx *f)
{
        struct rk_tls *s = NULL;
        char why[RK_TLS_WHY_LEN] = "";
        ccada_status st = rk_tls_connect(&f->t, f->pin, 1000, &s, why, sizeof(why));
        if (st != CCADA_OK)
                fail_msg("rk_tls_connect: %s: %s", ccada_status_name(st), why);
        assert_non_null(s);
        assert_string_equal(rk_tls_why(s), "");
        return s;
}

static void rk_tls_connect_succeeds_with_the_servers_pin_and_speaks_tls_1_3(void **state)
{
        struct fx *f = *state;
        start(f, SERVE_BYE_NOTIFY, TLS1_3_VERSION);
        struct rk_tls *s = connect_ok(f);
        rk_tls_close(s, 1000);
        join(f);
        assert_true(f->srv.accepted);
        assert_int_equal(f->srv.version, TLS1_3_VERSION);
        assert_int_equal(ERR_peek_error(), 0); /* the thread's queue is left empty */
}

static void rk_tls_connect_with_another_pin_fails_verify_before_any_data(void **state)
{
        struct fx *f = *state;
        struct rk_tls *s = (struct rk_tls *)&s; /* not NULL: connect must clear it */
        char why[RK_TLS_WHY_LEN], want[RK_TLS_WHY_LEN], hex[65];
        uint8_t other[RK_TLS_PIN_LEN];
        memcpy(other, f->pin, sizeof(other));
        other[0] ^= 0x80;
        start(f, SERVE_ECHO_BIG, TLS1_3_VERSION);
        assert_int_equal(rk_tls_connect(&f->t, other, 1000, &s, why, sizeof(why)), CCADA_E_VERIFY);
        assert_null(s);
        hex_encode(hex, f->pin, sizeof(f->pin));
        snprintf(want, sizeof(want), "the server's certificate is not the one pinned (sha256 %s)", hex);
        assert_string_equal(why, want);
        close(f->tx.fd); /* the server, waiting for a Finished, gets the alert or EOF */
        f->tx.fd = -1;
        join(f);
        assert_false(f->srv.accepted); /* no client Finished: no application data possible */
        assert_int_equal(f->srv.app_in, 0);
}

static void rk_tls_echoes_100_kib_both_ways(void **state)
{
        struct fx *f = *state;
        uint8_t *out = malloc(BIG), *in = malloc(BIG);
        size_t have = 0, got = 0;
        assert_true(out && in);
        for (size_t i = 0; i < BIG; i++)
                out[i] = (uint8_t)(i * 7 + 3);
        start(f, SERVE_ECHO_BIG, TLS1_3_VERSION);
        struct rk_tls *s = connect_ok(f);
        assert_int_equal(rk_tls_send(s, out, BIG, 2000), CCADA_OK);
        while (have < BIG) {
                assert_int_equal(rk_tls_recv(s, in + have, BIG - have, &got, 2000), CCADA_OK);
                assert_true(got > 0 && got <= 16384);
                have += got;
        }
        assert_memory_equal(in, out, BIG);
        rk_tls_close(s, 2000);
        join(f);
        assert_true(f->srv.echo_intact);
        assert_true(f->srv.close_notify); /* rk_tls_close sent it */
        free(out);
        free(in);
}

static void rk_tls_recv_gives_0_after_close_notify_and_says_it_was_clean(void **state)
{
        struct fx *f = *state;
        char buf[16];
        size_t got = 99;
        start(f, SERVE_BYE_NOTIFY, TLS1_3_VERSION);
        struct rk_tls *s = connect_ok(f);
        assert_int_equal(rk_tls_recv(s, buf, sizeof(buf), &got, 1000), CCADA_OK);
        assert_int_equal(got, 3);
        assert_memory_equal(buf, "bye", 3);
        assert_int_equal(rk_tls_recv(s, buf, sizeof(buf), &got, 1000), CCADA_OK);
        assert_int_equal(got, 0);
        assert_true(rk_tls_peer_closed_cleanly(s));
        got = 99;
        assert_int_equal(rk_tls_recv(s, buf, sizeof(buf), &got, 1000), CCADA_OK); /* and so it stays */
        assert_int_equal(got, 0);
        rk_tls_close(s, 1000);
}

static void rk_tls_recv_gives_0_after_a_bare_eof_and_says_it_was_not_clean(void **state)
{
        struct fx *f = *state;
        char buf[16];
        size_t got = 0;
        start(f, SERVE_BYE_EOF, TLS1_3_VERSION);
        struct rk_tls *s = connect_ok(f);
        assert_int_equal(rk_tls_recv(s, buf, sizeof(buf), &got, 1000), CCADA_OK);
        assert_int_equal(got, 3);
        assert_int_equal(rk_tls_recv(s, buf, sizeof(buf), &got, 1000), CCADA_OK);
        assert_int_equal(got, 0);
        assert_false(rk_tls_peer_closed_cleanly(s));
        rk_tls_close(s, 1000); /* its close_notify goes nowhere: ignored */
}

static void rk_tls_connect_to_a_server_that_is_not_tls_fails_as_a_peer_fault(void **state)
{
        struct fx *f = *state;
        struct rk_tls *s = NULL;
        char why[RK_TLS_WHY_LEN] = "";
        start(f, SERVE_GARBAGE, TLS1_3_VERSION);
        assert_int_equal(rk_tls_connect(&f->t, f->pin, 1000, &s, why, sizeof(why)), CCADA_E_PEER);
        assert_null(s);
        assert_string_equal(why,
                            "the TLS handshake failed (SSLv3/TLS write client hello): wrong version number");
        assert_int_equal(ERR_peek_error(), 0);
}

static void rk_tls_connect_to_a_server_that_closes_fails_with_io(void **state)
{
        struct fx *f = *state;
        struct rk_tls *s = NULL;
        char why[RK_TLS_WHY_LEN] = "";
        start(f, SERVE_CLOSE_AT_ONCE, TLS1_3_VERSION);
        assert_int_equal(rk_tls_connect(&f->t, f->pin, 1000, &s, why, sizeof(why)), CCADA_E_IO);
        assert_string_equal(why, "the server closed the connection during the handshake");
}

static void rk_tls_connect_refuses_a_server_that_speaks_only_tls_1_2(void **state)
{
        struct fx *f = *state;
        struct rk_tls *s = NULL;
        char why[RK_TLS_WHY_LEN] = "";
        start(f, SERVE_BYE_NOTIFY, TLS1_2_VERSION);
        assert_int_equal(rk_tls_connect(&f->t, f->pin, 1000, &s, why, sizeof(why)), CCADA_E_PEER);
        if (!strstr(why, "protocol version"))
                fail_msg("why: %s", why);
}

static void rk_tls_connect_passes_transport_errors_up(void **state)
{
        struct fx *f = *state;
        struct rk_tls *s = NULL;
        char why[RK_TLS_WHY_LEN] = "";
        f->tx.fail_send = CCADA_E_TIMEOUT;
        assert_int_equal(rk_tls_connect(&f->t, f->pin, 1000, &s, why, sizeof(why)), CCADA_E_TIMEOUT);
        assert_string_equal(why, "the transport could not send: timed out");
        f->tx.fail_send = CCADA_OK;
        f->tx.fail_recv = CCADA_E_BROKEN; /* the ClientHello goes into the socket, unanswered */
        assert_int_equal(rk_tls_connect(&f->t, f->pin, 1000, &s, why, sizeof(why)), CCADA_E_BROKEN);
        assert_string_equal(why, "the transport could not receive: the conversation is broken");
        assert_null(s);
}

static void rk_tls_after_a_transport_error_is_broken_for_good(void **state)
{
        struct fx *f = *state;
        char buf[16];
        size_t got = 0;
        start(f, SERVE_BYE_NOTIFY, TLS1_3_VERSION);
        struct rk_tls *s = connect_ok(f);
        f->tx.fail_recv = CCADA_E_IO;
        assert_int_equal(rk_tls_recv(s, buf, sizeof(buf), &got, 1000), CCADA_E_IO);
        assert_string_equal(rk_tls_why(s), "the transport could not receive: I/O error");
        f->tx.fail_recv = CCADA_OK;
        assert_int_equal(rk_tls_recv(s, buf, sizeof(buf), &got, 1000), CCADA_E_BROKEN);
        assert_int_equal(rk_tls_send(s, "x", 1, 1000), CCADA_E_BROKEN);
        unsigned sends = f->tx.sends;
        rk_tls_close(s, 1000); /* no close_notify on a broken session */
        assert_int_equal(f->tx.sends, sends);
}

static void rk_tls_send_passes_a_transport_error_up_and_breaks(void **state)
{
        struct fx *f = *state;
        start(f, SERVE_BYE_NOTIFY, TLS1_3_VERSION);
        struct rk_tls *s = connect_ok(f);
        f->tx.fail_send = CCADA_E_IO;
        assert_int_equal(rk_tls_send(s, "hello", 5, 1000), CCADA_E_IO);
        assert_int_equal(rk_tls_send(s, "hello", 5, 1000), CCADA_E_BROKEN);
        rk_tls_close(s, 1000);
}

static void rk_tls_passes_timeout_ms_to_every_transport_call(void **state)
{
        struct fx *f = *state;
        char buf[16];
        size_t got = 0;
        struct rk_tls *s = NULL;
        char why[RK_TLS_WHY_LEN];
        start(f, SERVE_BYE_NOTIFY, TLS1_3_VERSION);
        assert_int_equal(rk_tls_connect(&f->t, f->pin, 1234, &s, why, sizeof(why)), CCADA_OK);
        assert_int_equal(f->tx.send_timeout, 1234);
        assert_int_equal(f->tx.recv_timeout, 1234);
        assert_int_equal(rk_tls_send(s, "x", 1, 4321), CCADA_OK);
        assert_int_equal(f->tx.send_timeout, 4321);
        assert_int_equal(rk_tls_recv(s, buf, sizeof(buf), &got, 777), CCADA_OK);
        assert_int_equal(f->tx.recv_timeout, 777);
        rk_tls_close(s, 55);
        assert_int_equal(f->tx.send_timeout, 55);
}

static void rk_tls_recv_of_a_record_that_does_not_decrypt_breaks_the_session(void **state)
{
        struct fx *f = *state;
        char buf[16];
        size_t got = 0;
        start(f, SERVE_RECORD_JUNK, TLS1_3_VERSION);
        struct rk_tls *s = connect_ok(f);
        assert_int_equal(rk_tls_recv(s, buf, sizeof(buf), &got, 1000), CCADA_E_PEER);
        assert_int_equal(got, 0);
        if (strcmp(rk_tls_why(s), "reading application data failed: decryption failed or bad record mac") !=
            0)
                fail_msg("why: %s", rk_tls_why(s));
        assert_int_equal(rk_tls_recv(s, buf, sizeof(buf), &got, 1000), CCADA_E_BROKEN);
        rk_tls_close(s, 1000);
        assert_int_equal(ERR_peek_error(), 0);
}

static void rk_tls_recv_stops_after_256_kib_without_application_data(void **state)
{
        struct fx *f = *state;
        char buf[16];
        size_t got = 0;
        start(f, SERVE_TICKETS, TLS1_3_VERSION);
        struct rk_tls *s = connect_ok(f);
        assert_int_equal(rk_tls_recv(s, buf, sizeof(buf), &got, 1000), CCADA_E_PEER);
        assert_string_equal(rk_tls_why(s), "the server sent more than 256 KiB without application data");
        rk_tls_close(s, 1000);
}

static void rk_tls_refuses_a_transport_that_reports_more_than_it_was_asked_for(void **state)
{
        struct fx *f = *state;
        struct rk_tls *s = NULL;
        char why[RK_TLS_WHY_LEN] = "";
        start(f, SERVE_BYE_NOTIFY, TLS1_3_VERSION);
        f->tx.lie_about_length = true;
        assert_int_equal(rk_tls_connect(&f->t, f->pin, 1000, &s, why, sizeof(why)), CCADA_E_RANGE);
        assert_non_null(strstr(why, "the transport reported"));
}

static void rk_tls_calls_refuse_null_arguments(void **state)
{
        struct fx *f = *state;
        struct rk_tls *s = NULL;
        struct rk_tls_transport half = { .send = tx_send, .ctx = &f->tx };
        char why[RK_TLS_WHY_LEN] = "", buf[4];
        size_t got = 0;
        assert_int_equal(rk_tls_connect(NULL, f->pin, 1000, &s, why, sizeof(why)), CCADA_E_INVAL);
        assert_int_equal(rk_tls_connect(&half, f->pin, 1000, &s, why, sizeof(why)), CCADA_E_INVAL);
        assert_int_equal(rk_tls_connect(&f->t, NULL, 1000, &s, NULL, 0), CCADA_E_INVAL);
        assert_int_equal(rk_tls_connect(&f->t, f->pin, 1000, NULL, why, sizeof(why)), CCADA_E_INVAL);
        assert_int_equal(f->tx.sends + f->tx.recvs, 0);
        assert_int_equal(rk_tls_send(NULL, "x", 1, 1), CCADA_E_INVAL);
        assert_int_equal(rk_tls_recv(NULL, buf, sizeof(buf), &got, 1), CCADA_E_INVAL);
        assert_string_equal(rk_tls_why(NULL), "");
        assert_false(rk_tls_peer_closed_cleanly(NULL));
        rk_tls_close(NULL, 1);
        start(f, SERVE_BYE_NOTIFY, TLS1_3_VERSION);
        s = connect_ok(f);
        assert_int_equal(rk_tls_recv(s, buf, 0, &got, 1), CCADA_E_INVAL);
        assert_int_equal(rk_tls_recv(s, NULL, 4, &got, 1), CCADA_E_INVAL);
        assert_int_equal(rk_tls_send(s, NULL, 1, 1), CCADA_E_INVAL);
        assert_int_equal(rk_tls_send(s, NULL, 0, 1), CCADA_OK);
        rk_tls_close(s, 1000);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
        const struct CMUnitTest tests[] = {
                T(rk_tls_connect_succeeds_with_the_servers_pin_and_speaks_tls_1_3),
                T(rk_tls_connect_with_another_pin_fails_verify_before_any_data),
                T(rk_tls_echoes_100_kib_both_ways),
                T(rk_tls_recv_gives_0_after_close_notify_and_says_it_was_clean),
                T(rk_tls_recv_gives_0_after_a_bare_eof_and_says_it_was_not_clean),
                T(rk_tls_connect_to_a_server_that_is_not_tls_fails_as_a_peer_fault),
                T(rk_tls_connect_to_a_server_that_closes_fails_with_io),
                T(rk_tls_connect_refuses_a_server_that_speaks_only_tls_1_2),
                T(rk_tls_connect_passes_transport_errors_up),
                T(rk_tls_after_a_transport_error_is_broken_for_good),
                T(rk_tls_send_passes_a_transport_error_up_and_breaks),
                T(rk_tls_passes_timeout_ms_to_every_transport_call),
                T(rk_tls_recv_of_a_record_that_does_not_decrypt_breaks_the_session),
                T(rk_tls_recv_stops_after_256_kib_without_application_data),
                T(rk_tls_refuses_a_transport_that_reports_more_than_it_was_asked_for),
                T(rk_tls_calls_refuse_null_arguments),
        };
        signal(SIGPIPE, SIG_IGN); /* the server thread's writes to a closed end fail, not kill */
        return cmocka_run_group_tests(tests, NULL, NULL);
}
