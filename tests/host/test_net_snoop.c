/* What the host sees of a guest's traffic (host/net_snoop.c): the parser against frames
 * built here, hostile ones included, and the backend wrapper's pass-through. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "host/net_snoop.h"

/* An Ethernet/IPv4/TCP frame carrying payload; returns its length. */
static size_t tcp_frame(uint8_t *f, const void *payload, size_t n)
{
        memset(f, 0, 54);
        f[12] = 0x08, f[13] = 0x00;                     /* IPv4 */
        uint8_t *ip = f + 14;
        ip[0] = 0x45;
        size_t total = 20 + 20 + n;
        ip[2] = (uint8_t)(total >> 8), ip[3] = (uint8_t)total;
        ip[9] = 6;                                      /* TCP */
        uint8_t *tcp = ip + 20;
        tcp[12] = 5 << 4;                               /* 20-byte header */
        memcpy(tcp + 20, payload, n);
        return 14 + total;
}

static void feed(struct net_snoop *s, bool in, const char *text)
{
        uint8_t f[1514];
        size_t len = tcp_frame(f, text, strlen(text));
        net_snoop_frame(s, in, f, len);
}

static void net_snoop_reads_http_heads_token_and_jwk_in_clear(void **state)
{
        struct net_snoop *s = net_snoop_new();
        struct net_snoop_findings f;
        (void)state;
        assert_non_null(s);
        feed(s, false, "POST /keys/v1/key/skywalker HTTP/1.1\r\nHost: 10.0.2.2:8088\r\n\r\n");
        feed(s, false, "{\"pubkey\":{\"kty\":\"RSA\",\"alg\":\"RSA1_5\"}}");
        feed(s, false, "POST /keys/v1/evidence/7 HTTP/1.1\r\nContent-Length: 8\r\n\r\n2QGPoQF4");
        feed(s, true, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{\"data\":\"x\"}");
        net_snoop_report(s, &f);
        assert_string_equal(f.http_out, "POST /keys/v1/key/skywalker HTTP/1.1 | Host: 10.0.2.2:8088 | "
                                        "POST /keys/v1/evidence/7 HTTP/1.1 | Content-Length: 8");
        assert_string_equal(f.http_in, "HTTP/1.1 200 OK | Content-Length: 10");
        assert_true(f.cca_token_out);
        assert_true(f.jwk_out);
        assert_true(f.wrapped_key_in);
        assert_int_equal(f.out.tcp_segments, 3);
        assert_int_equal(f.in.tcp_segments, 1);
        assert_int_equal(f.out.tls_records, 0);
        net_snoop_free(s);
}

static void net_snoop_sees_only_tls_records_when_the_stream_is_encrypted(void **state)
{
        static const uint8_t hello[] = { 0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5 };
        static const uint8_t data[] = { 0x17, 0x03, 0x03, 0x00, 0x04, 0xde, 0xad, 0xbe, 0xef };
        struct net_snoop *s = net_snoop_new();
        struct net_snoop_findings f;
        uint8_t fr[1514];
        (void)state;
        net_snoop_frame(s, false, fr, tcp_frame(fr, hello, sizeof(hello)));
        net_snoop_frame(s, false, fr, tcp_frame(fr, data, sizeof(data)));
        net_snoop_frame(s, true, fr, tcp_frame(fr, data, sizeof(data)));
        net_snoop_report(s, &f);
        assert_int_equal(f.out.tls_records, 2);
        assert_int_equal(f.in.tls_records, 1);
        assert_string_equal(f.http_out, "");
        assert_false(f.cca_token_out);
        net_snoop_free(s);
}

static void net_snoop_counts_malformed_frames_and_keeps_nothing_from_them(void **state)
{
        struct net_snoop *s = net_snoop_new();
        struct net_snoop_findings f;
        uint8_t fr[1514];
        (void)state;
        size_t len = tcp_frame(fr, "POST / HTTP/1.1\r\n\r\n", 19);
        uint8_t bad[1514];
        memcpy(bad, fr, len);
        bad[14] = 0x44;                                 /* IHL 4: shorter than a header */
        net_snoop_frame(s, false, bad, len);
        memcpy(bad, fr, len);
        bad[16] = 0x7F, bad[17] = 0xFF;                 /* total length beyond the frame */
        net_snoop_frame(s, false, bad, len);
        memcpy(bad, fr, len);
        bad[14 + 20 + 12] = 0xF0;                       /* TCP header of 60 bytes: beyond */
        net_snoop_frame(s, false, bad, len);
        net_snoop_frame(s, false, fr, 30);              /* cut short */
        net_snoop_frame(s, false, fr, 5);               /* not even Ethernet */
        net_snoop_report(s, &f);
        assert_int_equal(f.out.frames, 5);
        assert_int_equal(f.out.malformed, 4);
        assert_int_equal(f.out.tcp_bytes, 0);
        assert_string_equal(f.http_out, "");
        net_snoop_free(s);
}

static void net_snoop_keeps_at_most_its_bound_per_direction(void **state)
{
        struct net_snoop *s = net_snoop_new();
        struct net_snoop_findings f;
        uint8_t payload[1400], fr[1514];
        (void)state;
        memset(payload, 'a', sizeof(payload));
        size_t len = tcp_frame(fr, payload, sizeof(payload));
        for (unsigned i = 0; i < NET_SNOOP_KEEP / sizeof(payload) + 10; i++)
                net_snoop_frame(s, false, fr, len);
        net_snoop_report(s, &f);
        assert_true(f.out.tcp_bytes > NET_SNOOP_KEEP); /* counted */
        net_snoop_free(s);
}

/* ---- the wrapper ---- */

struct fake {
        struct net_backend b;
        uint8_t sent[2048];
        size_t sent_len;
        bool closed;
        int *closes;
};

static ccada_status fake_tx(struct net_backend *b, const struct iovec *iov, unsigned n)
{
        struct fake *f = (struct fake *)b;
        f->sent_len = 0;
        for (unsigned i = 0; i < n; i++) {
                memcpy(f->sent + f->sent_len, iov[i].iov_base, iov[i].iov_len);
                f->sent_len += iov[i].iov_len;
        }
        return CCADA_OK;
}

static ccada_status fake_rx(struct net_backend *b, const struct iovec *iov, unsigned n, size_t *len)
{
        (void)b;
        uint8_t fr[1514];
        size_t l = tcp_frame(fr, "HTTP/1.1 403 Forbidden\r\n\r\n", 26);
        assert_true(n == 1 && iov[0].iov_len >= l);
        memcpy(iov[0].iov_base, fr, l);
        *len = l;
        return CCADA_OK;
}

static void fake_close(struct net_backend *b)
{
        struct fake *f = (struct fake *)b;
        (*f->closes)++;
        free(f);
}

static const struct net_backend_ops fake_ops = { "fake", fake_tx, fake_rx, NULL, fake_close };

static void net_snoop_backend_passes_frames_through_and_keeps_a_copy(void **state)
{
        int closes = 0;
        struct fake *inner = calloc(1, sizeof(*inner));
        struct net_backend *b = NULL;
        struct net_snoop_findings f;
        uint8_t fr[1514], rx[1514];
        size_t len = tcp_frame(fr, "GET /x HTTP/1.1\r\n\r\n", 19), got = 0;
        bool ready = true;
        (void)state;
        inner->b.ops = &fake_ops;
        inner->closes = &closes;
        assert_int_equal(net_snoop_open(&b, &inner->b), CCADA_OK);
        struct iovec iov[2] = { { fr, 20 }, { fr + 20, len - 20 } };
        assert_int_equal(b->ops->tx(b, iov, 2), CCADA_OK);
        assert_int_equal(inner->sent_len, len);
        assert_memory_equal(inner->sent, fr, len);
        struct iovec in = { rx, sizeof(rx) };
        assert_int_equal(b->ops->rx_poll(b, &in, 1, &got), CCADA_OK);
        assert_true(got > 0);
        assert_int_equal(b->ops->wait(b, 0, &ready), CCADA_OK); /* inner has none: never ready */
        assert_false(ready);
        net_snoop_findings(b, &f);
        assert_string_equal(f.http_out, "GET /x HTTP/1.1");
        assert_string_equal(f.http_in, "HTTP/1.1 403 Forbidden");
        b->ops->close(b);
        assert_int_equal(closes, 1);
}

static void net_snoop_open_refuses_null_and_findings_of_another_backend_are_zero(void **state)
{
        struct net_backend *b = NULL;
        struct net_snoop_findings f;
        struct fake other = { .b.ops = &fake_ops };
        (void)state;
        assert_int_equal(net_snoop_open(&b, NULL), CCADA_E_INVAL);
        assert_int_equal(net_snoop_open(NULL, &other.b), CCADA_E_INVAL);
        memset(&f, 0xAA, sizeof(f));
        net_snoop_findings(&other.b, &f);
        assert_int_equal(f.out.frames, 0);
        assert_string_equal(f.http_out, "");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(net_snoop_reads_http_heads_token_and_jwk_in_clear),
                cmocka_unit_test(net_snoop_sees_only_tls_records_when_the_stream_is_encrypted),
                cmocka_unit_test(net_snoop_counts_malformed_frames_and_keeps_nothing_from_them),
                cmocka_unit_test(net_snoop_keeps_at_most_its_bound_per_direction),
                cmocka_unit_test(net_snoop_backend_passes_frames_through_and_keeps_a_copy),
                cmocka_unit_test(net_snoop_open_refuses_null_and_findings_of_another_backend_are_zero),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
