/* src/relying/kbs_http.c over real loopback sockets: the HTTPS server (kbs_server_start_tls)
 * with a certificate from lib/x509, talked to by an OpenSSL client written here that
 * authenticates it by pin, as the Realm's client will; and the plain server beside it.
 * What the broker answers is tests/relying/test_kbs.c's subject: here only that the
 * request gets through TLS and the answer comes back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "lib/base64.h"
#include "lib/crypto.h"
#include "lib/rsa.h"
#include "lib/x509.h"
#include "relying/kbs.h"
#include "relying/kbs_http.h"

#define ENDPOINT "https://127.0.0.1:8443"

struct fx {
        struct kbs *k;
        struct ec_key *iak;
        struct kbs_server *srv;
        char *cert, *key;
        uint8_t pin[X509_CERT_PIN_LEN];
        char req[2048];
        size_t req_len;
};

/* A JWK of a fresh RSA-1024 key (as tests/relying/test_kbs.c makes one). */
static void jwk(char *out, size_t cap)
{
        struct rsa_key *k;
        uint8_t n[RSA_MAX_BYTES], e[8];
        size_t nl, el;
        char bn[B64URL_LEN(128)], be[16];
        assert_true(rsa_key_generate(&k, 1024) && rsa_key_ne(k, n, &nl, e, &el));
        assert_true(nl == 128 && b64url_encode(n, nl, bn, sizeof(bn)) &&
                    b64url_encode(e, el, be, sizeof(be)));
        snprintf(out, cap, "{\"pubkey\":{\"kty\":\"RSA\",\"alg\":\"RSA1_5\",\"n\":\"%s\",\"e\":\"%s\"}}", bn,
                 be);
        rsa_key_free(k);
}

static int setup(void **state)
{
        struct fx *f = calloc(1, sizeof(*f));
        struct kbs_config *cfg = calloc(1, sizeof(*cfg));
        char why[128], body[1024];
        if (!f || !cfg || !ec_key_derive(&f->iak, EC_P384, (const uint8_t *)"t", 1, "ccada IAK"))
                return -1;
        cfg->endpoint = ENDPOINT;
        cfg->iak = f->iak;
        if (!kbs_key_parse("skywalker=May the force be with you.", cfg, why) || !kbs_create(&f->k, cfg) ||
            !x509_self_signed("ccada kbs", "127.0.0.1", 1, &f->cert, &f->key, f->pin, why))
                return -1;
        free(cfg);
        jwk(body, sizeof(body));
        int n = snprintf(
                f->req, sizeof(f->req),
                "POST /keys/v1/key/skywalker HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Content-Type: application/json\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
                strlen(body), body);
        if (n < 0 || (size_t)n >= sizeof(f->req))
                return -1;
        f->req_len = (size_t)n;
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fx *f = *state;
        kbs_server_stop(f->srv);
        kbs_destroy(f->k);
        ec_key_free(f->iak);
        free(f->cert);
        secure_zero(f->key, strlen(f->key));
        free(f->key);
        free(f);
        return 0;
}

static void start_tls(struct fx *f)
{
        char why[KBS_HTTP_WHY_LEN] = "";
        if (!kbs_server_start_tls(&f->srv, f->k, "127.0.0.1", 0, NULL, f->cert, f->key, why)) {
                if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
                        skip(); /* this libmicrohttpd has no TLS: why says so */
                fail_msg("kbs_server_start_tls: %s", why);
        }
        assert_int_not_equal(kbs_server_port(f->srv), 0);
}

/* A TCP connection to the server, every wait bounded by 10 s. */
static int tcp_connect(uint16_t port)
{
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
        struct timeval tv = { .tv_sec = 10 };
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        assert_true(fd >= 0);
        assert_int_equal(inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr), 1);
        assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
        assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)), 0);
        assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
        return fd;
}

/* A client context that accepts any certificate in the handshake: the pin is checked
 * after it (pinned), as nothing here is signed by a CA. */
static SSL_CTX *client_ctx(int min_version, int max_version)
{
        SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
        assert_non_null(ctx);
        assert_int_equal(SSL_CTX_set_min_proto_version(ctx, min_version), 1);
        assert_int_equal(SSL_CTX_set_max_proto_version(ctx, max_version), 1);
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
        return ctx;
}

/* Whether the server's certificate is the pinned one: SHA-256 of its DER. */
static bool pinned(SSL *ssl, const uint8_t pin[X509_CERT_PIN_LEN])
{
        X509 *peer = SSL_get0_peer_certificate(ssl);
        unsigned char *der = NULL;
        uint8_t md[EVP_MAX_MD_SIZE];
        unsigned mdlen = 0;
        int n = peer ? i2d_X509(peer, &der) : -1;
        bool ok = n > 0 && EVP_Digest(der, (size_t)n, md, &mdlen, EVP_sha256(), NULL) == 1 && mdlen == 32 &&
                  CRYPTO_memcmp(md, pin, 32) == 0;
        OPENSSL_free(der);
        return ok;
}

/* Sends req over ssl and reads the answer until the server closes; its length. */
static size_t exchange(SSL *ssl, const char *req, size_t len, char *resp, size_t cap)
{
        size_t done = 0, n = 0;
        assert_int_equal(SSL_write_ex(ssl, req, len, &done), 1);
        assert_int_equal(done, len);
        for (done = 0; done + 1 < cap && SSL_read_ex(ssl, resp + done, cap - 1 - done, &n) == 1;)
                done += n;
        resp[done] = '\0';
        return done;
}

static void kbs_server_start_tls_answers_a_pinned_tls_1_3_client_with_201_and_a_location(void **state)
{
        struct fx *f = *state;
        char resp[4096];
        /* the server keeps its own copies: the caller's may go at once */
        char *cert = strdup(f->cert), *key = strdup(f->key), why[KBS_HTTP_WHY_LEN];
        assert_true(cert && key);
        bool started = kbs_server_start_tls(&f->srv, f->k, "127.0.0.1", 0, NULL, cert, key, why);
        secure_zero(cert, strlen(cert));
        secure_zero(key, strlen(key));
        free(cert);
        free(key);
        if (!started && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
                skip();
        if (!started)
                fail_msg("kbs_server_start_tls: %s", why);
        bool only_13 = strcmp(kbs_server_tls_versions(f->srv), "TLS 1.3") == 0;

        SSL_CTX *ctx = client_ctx(TLS1_2_VERSION, TLS1_3_VERSION); /* the server picks */
        SSL *ssl = SSL_new(ctx);
        int fd = tcp_connect(kbs_server_port(f->srv));
        assert_true(ssl && SSL_set_fd(ssl, fd) == 1);
        assert_int_equal(SSL_connect(ssl), 1);
        assert_true(SSL_version(ssl) == TLS1_3_VERSION || !only_13);
        assert_true(pinned(ssl, f->pin));
        exchange(ssl, f->req, f->req_len, resp, sizeof(resp));
        if (strncmp(resp, "HTTP/1.1 201 ", 13) != 0)
                fail_msg("answer: %s", resp);
        assert_non_null(strstr(resp, "\r\nLocation: " ENDPOINT "/keys/v1/evidence/"));
        assert_non_null(strstr(resp, "\"challenge\":\""));
        SSL_free(ssl);
        SSL_CTX_free(ctx);
        close(fd);
}

static void kbs_server_start_tls_is_told_apart_from_another_certificate_by_its_pin(void **state)
{
        struct fx *f = *state;
        uint8_t other[X509_CERT_PIN_LEN];
        memcpy(other, f->pin, sizeof(other));
        other[31] ^= 1;
        start_tls(f);
        SSL_CTX *ctx = client_ctx(TLS1_3_VERSION, TLS1_3_VERSION);
        SSL *ssl = SSL_new(ctx);
        int fd = tcp_connect(kbs_server_port(f->srv));
        assert_true(ssl && SSL_set_fd(ssl, fd) == 1);
        assert_int_equal(SSL_connect(ssl), 1);
        assert_false(pinned(ssl, other));
        assert_true(pinned(ssl, f->pin));
        SSL_free(ssl);
        SSL_CTX_free(ctx);
        close(fd);
}

static void kbs_server_start_tls_refuses_a_client_that_speaks_only_tls_1_2(void **state)
{
        struct fx *f = *state;
        start_tls(f);
        if (strcmp(kbs_server_tls_versions(f->srv), "TLS 1.3") != 0)
                skip(); /* the fallback: this GnuTLS allows TLS 1.2 */
        SSL_CTX *ctx = client_ctx(TLS1_2_VERSION, TLS1_2_VERSION);
        SSL *ssl = SSL_new(ctx);
        int fd = tcp_connect(kbs_server_port(f->srv));
        assert_true(ssl && SSL_set_fd(ssl, fd) == 1);
        assert_int_not_equal(SSL_connect(ssl), 1);
        ERR_clear_error();
        SSL_free(ssl);
        SSL_CTX_free(ctx);
        close(fd);
}

/* Whether the len bytes at p (NULs and all) hold needle. */
static bool holds(const char *p, size_t len, const char *needle)
{
        size_t n = strlen(needle);
        for (size_t i = 0; i + n <= len; i++)
                if (memcmp(p + i, needle, n) == 0)
                        return true;
        return false;
}

static void kbs_server_start_tls_gives_a_plain_http_client_no_http_answer(void **state)
{
        struct fx *f = *state;
        char resp[4096];
        size_t have = 0;
        ssize_t n;
        start_tls(f);
        int fd = tcp_connect(kbs_server_port(f->srv));
        assert_int_equal(send(fd, f->req, f->req_len, MSG_NOSIGNAL), (ssize_t)f->req_len);
        /* until the server closes, resets, or 10 s pass (SO_RCVTIMEO) */
        while (have + 1 < sizeof(resp) && (n = recv(fd, resp + have, sizeof(resp) - 1 - have, 0)) > 0)
                have += (size_t)n;
        resp[have] = '\0';
        assert_false(holds(resp, have, "HTTP/"));
        assert_false(holds(resp, have, "challenge"));
        close(fd);
}

static void kbs_server_start_tls_refuses_a_key_that_is_not_the_certificates(void **state)
{
        struct fx *f = *state;
        char *cert2, *key2, why[KBS_HTTP_WHY_LEN] = "";
        uint8_t pin2[X509_CERT_PIN_LEN];
        assert_true(x509_self_signed("other", NULL, 1, &cert2, &key2, pin2, why));
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
                skip();
        assert_false(kbs_server_start_tls(&f->srv, f->k, "127.0.0.1", 0, NULL, f->cert, key2, why));
        assert_null(f->srv);
        assert_string_equal(why, "the TLS certificate and key: the private key is not the certificate's");
        assert_false(kbs_server_start_tls(&f->srv, f->k, "127.0.0.1", 0, NULL, "", f->key, why));
        assert_non_null(strstr(why, "the certificate is not PEM"));
        assert_false(kbs_server_start_tls(&f->srv, f->k, "127.0.0.1", 0, NULL, NULL, NULL, why));
        assert_non_null(strstr(why, "none given"));
        assert_false(kbs_server_start_tls(&f->srv, f->k, "localhost", 0, NULL, f->cert, f->key, why));
        assert_non_null(strstr(why, "not an IPv4 address"));
        free(cert2);
        secure_zero(key2, strlen(key2));
        free(key2);
}

static void kbs_server_start_still_serves_plain_http(void **state)
{
        struct fx *f = *state;
        char why[KBS_HTTP_WHY_LEN], resp[4096];
        size_t have = 0;
        ssize_t n;
        if (!kbs_server_start(&f->srv, f->k, "127.0.0.1", 0, NULL, why))
                fail_msg("%s", why);
        assert_null(kbs_server_tls_versions(f->srv));
        int fd = tcp_connect(kbs_server_port(f->srv));
        assert_int_equal(send(fd, f->req, f->req_len, MSG_NOSIGNAL), (ssize_t)f->req_len);
        while (have + 1 < sizeof(resp) && (n = recv(fd, resp + have, sizeof(resp) - 1 - have, 0)) > 0)
                have += (size_t)n;
        resp[have] = '\0';
        if (strncmp(resp, "HTTP/1.1 201 ", 13) != 0)
                fail_msg("answer: %s", resp);
        close(fd);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(
                        kbs_server_start_tls_answers_a_pinned_tls_1_3_client_with_201_and_a_location, setup,
                        teardown),
                cmocka_unit_test_setup_teardown(
                        kbs_server_start_tls_is_told_apart_from_another_certificate_by_its_pin, setup,
                        teardown),
                cmocka_unit_test_setup_teardown(
                        kbs_server_start_tls_refuses_a_client_that_speaks_only_tls_1_2, setup, teardown),
                cmocka_unit_test_setup_teardown(kbs_server_start_tls_gives_a_plain_http_client_no_http_answer,
                                                setup, teardown),
                cmocka_unit_test_setup_teardown(
                        kbs_server_start_tls_refuses_a_key_that_is_not_the_certificates, setup, teardown),
                cmocka_unit_test_setup_teardown(kbs_server_start_still_serves_plain_http, setup, teardown),
        };
        signal(SIGPIPE, SIG_IGN); /* a server that closes first must fail a test, not end it */
        return cmocka_run_group_tests(tests, NULL, NULL);
}
