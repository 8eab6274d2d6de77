/* src/host/net_slirp.c: the libslirp network backend, driven with raw Ethernet frames built
 * here (ARP, IPv4, ICMP, TCP, with their checksums computed here) against real sockets on
 * 127.0.0.1. Nothing here reaches beyond loopback: TCP goes to 10.0.2.2, which is
 * 127.0.0.1, and the random-frame test runs restricted, where libslirp opens no socket. */
#ifndef _POSIX_C_SOURCE /* the build defines it; this lets the file be checked on its own */
#define _POSIX_C_SOURCE 200809L
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#include "ccada/parse.h"
#include "host/net_slirp.h"
#include "lib/prng.h"

#define GUEST_IP    NET_SLIRP_IPV4(10, 0, 2, 15)
#define GW_IP       NET_SLIRP_IPV4(10, 0, 2, 2)
#define DNS_IP      NET_SLIRP_IPV4(10, 0, 2, 3)
#define FRAME_BUF   2048u
#define PATIENCE_MS 5000 /* how long a test waits for what must come (a failure, not a bound) */

#define ETH_ARP  0x0806
#define ETH_IPV4 0x0800
#define TCP_FIN  0x01
#define TCP_SYN  0x02
#define TCP_RST  0x04
#define TCP_PSH  0x08
#define TCP_ACK  0x10

static const uint8_t guest_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
/* libslirp's address for 10.0.2.2: 52:55 and the IPv4 address. */
static const uint8_t gw_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };

/* ---- bytes ---- */

static void put16(uint8_t *p, uint16_t v)
{
        p[0] = (uint8_t)(v >> 8);
        p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
        put16(p, (uint16_t)(v >> 16));
        put16(p + 2, (uint16_t)v);
}

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) << 16 | get16(p + 2); }

static int64_t mono_ms(void)
{
        struct timespec ts;
        assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the Internet checksum (RFC 1071), written out here to check libslirp's ---- */

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t acc)
{
        for (size_t i = 0; i + 1 < n; i += 2)
                acc += get16(p + i);
        if (n & 1)
                acc += (uint32_t)p[n - 1] << 8;
        return acc;
}

static uint16_t fold(uint32_t acc)
{
        while (acc >> 16)
                acc = (acc & 0xffff) + (acc >> 16);
        return (uint16_t)~acc;
}

static uint32_t pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto, size_t len)
{
        uint8_t ph[12];
        put32(ph, src);
        put32(ph + 4, dst);
        ph[8] = 0;
        ph[9] = proto;
        put16(ph + 10, (uint16_t)len);
        return sum16(ph, sizeof(ph), 0);
}

/* ---- building frames ---- */

static size_t eth(uint8_t *f, const uint8_t dst[6], uint16_t type)
{
        memcpy(f, dst, 6);
        memcpy(f + 6, guest_mac, 6);
        put16(f + 12, type);
        return 14;
}

static size_t arp_request(uint8_t *f, uint32_t sender_ip, uint32_t target_ip)
{
        size_t n = eth(f, bcast_mac, ETH_ARP);
        put16(f + n, 1); /* Ethernet */
        put16(f + n + 2, ETH_IPV4);
        f[n + 4] = 6;
        f[n + 5] = 4;
        put16(f + n + 6, 1); /* request */
        memcpy(f + n + 8, guest_mac, 6);
        put32(f + n + 14, sender_ip);
        memset(f + n + 18, 0, 6);
        put32(f + n + 24, target_ip);
        return n + 28;
}

/* An IPv4 frame from the guest to the gateway's MAC, carrying l4 (already checksummed). */
static size_t ipv4(uint8_t *f, uint8_t proto, uint32_t src, uint32_t dst, const uint8_t *l4, size_t l4len)
{
        static uint16_t ip_id = 1;
        size_t n = eth(f, gw_mac, ETH_IPV4);
        uint8_t *ip = f + n;
        memset(ip, 0, 20);
        ip[0] = 0x45;
        put16(ip + 2, (uint16_t)(20 + l4len));
        put16(ip + 4, ip_id++);
        put16(ip + 6, 0x4000); /* DF */
        ip[8] = 64;
        ip[9] = proto;
        put32(ip + 12, src);
        put32(ip + 16, dst);
        put16(ip + 10, fold(sum16(ip, 20, 0)));
        memcpy(ip + 20, l4, l4len);
        return n + 20 + l4len;
}

struct tcp_seg {
        uint32_t src, dst; /* IPv4 */
        uint16_t sport, dport;
        uint32_t seq, ack;
        uint8_t flags;
        uint16_t window;
        uint8_t opts[40];
        size_t optlen; /* a multiple of 4 */
        uint8_t payload[1500];
        size_t len;
};

static size_t tcp_frame(uint8_t *f, const struct tcp_seg *t)
{
        uint8_t l4[1600];
        size_t hl = 20 + t->optlen;
        assert_true(t->optlen % 4 == 0 && hl + t->len <= sizeof(l4));
        memset(l4, 0, hl);
        put16(l4, t->sport);
        put16(l4 + 2, t->dport);
        put32(l4 + 4, t->seq);
        put32(l4 + 8, t->ack);
        l4[12] = (uint8_t)((hl / 4) << 4);
        l4[13] = t->flags;
        put16(l4 + 14, t->window);
        memcpy(l4 + 20, t->opts, t->optlen);
        memcpy(l4 + hl, t->payload, t->len);
        put16(l4 + 16, fold(sum16(l4, hl + t->len, pseudo_sum(t->src, t->dst, 6, hl + t->len))));
        return ipv4(f, 6, t->src, t->dst, l4, hl + t->len);
}

/* A guest segment from 10.0.2.15:sport to 10.0.2.2:dport. */
static struct tcp_seg guest_seg(uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags)
{
        struct tcp_seg t = { .src = GUEST_IP,
                             .dst = GW_IP,
                             .sport = sport,
                             .dport = dport,
                             .seq = seq,
                             .ack = ack,
                             .flags = flags,
                             .window = 65535 };
        if (flags & TCP_SYN) { /* MSS 1460, as a Linux guest would offer */
                const uint8_t mss[4] = { 2, 4, 0x05, 0xb4 };
                memcpy(t.opts, mss, sizeof(mss));
                t.optlen = sizeof(mss);
        }
        return t;
}

/* ---- reading frames ---- */

/* The TCP segment in frame f[0, n), checksums verified; false if f is not one. */
static bool parse_tcp(const uint8_t *f, size_t n, struct tcp_seg *t)
{
        if (n < 14 + 20 || get16(f + 12) != ETH_IPV4)
                return false;
        const uint8_t *ip = f + 14;
        size_t ihl = (size_t)(ip[0] & 15) * 4, total = get16(ip + 2);
        if ((ip[0] >> 4) != 4 || ihl < 20 || total < ihl + 20 || 14 + total > n || ip[9] != 6)
                return false;
        assert_int_equal(fold(sum16(ip, ihl, 0)), 0); /* libslirp's IP checksum is right */
        const uint8_t *l4 = ip + ihl;
        size_t l4len = total - ihl, hl = (size_t)(l4[12] >> 4) * 4;
        assert_true(hl >= 20 && hl <= l4len);
        memset(t, 0, sizeof(*t));
        t->src = get32(ip + 12);
        t->dst = get32(ip + 16);
        assert_int_equal(fold(sum16(l4, l4len, pseudo_sum(t->src, t->dst, 6, l4len))), 0);
        t->sport = get16(l4);
        t->dport = get16(l4 + 2);
        t->seq = get32(l4 + 4);
        t->ack = get32(l4 + 8);
        t->flags = l4[13];
        t->window = get16(l4 + 14);
        t->optlen = hl - 20;
        memcpy(t->opts, l4 + 20, t->optlen);
        t->len = l4len - hl;
        memcpy(t->payload, l4 + hl, t->len);
        return true;
}

/* The value of TCP option kind in t (its bytes after kind and length), or NULL. */
static const uint8_t *tcp_option(const struct tcp_seg *t, uint8_t kind, uint8_t *optlen)
{
        for (size_t i = 0; i < t->optlen;) {
                if (t->opts[i] == 0)
                        break;
                if (t->opts[i] == 1) {
                        i++;
                        continue;
                }
                if (i + 1 >= t->optlen || t->opts[i + 1] < 2 || i + t->opts[i + 1] > t->optlen)
                        break;
                if (t->opts[i] == kind) {
                        *optlen = (uint8_t)(t->opts[i + 1] - 2);
                        return &t->opts[i + 2];
                }
                i += t->opts[i + 1];
        }
        return NULL;
}

/* ---- driving the backend ---- */

static struct net_backend *open_with(const struct net_slirp_config *cfg)
{
        struct net_backend *b = NULL;
        assert_int_equal(net_slirp_open(&b, cfg), CCADA_OK);
        assert_non_null(b);
        assert_string_equal(b->ops->kind, "slirp");
        return b;
}

static struct net_backend *open_default(void) { return open_with(&(struct net_slirp_config){ 0 }); }

static struct net_slirp_stats stats(const struct net_backend *b)
{
        struct net_slirp_stats st;
        net_slirp_get_stats(b, &st);
        return st;
}

static void send_frame(struct net_backend *b, const uint8_t *f, size_t n)
{
        struct iovec iov = { (void *)f, n };
        assert_int_equal(b->ops->tx(b, &iov, 1), CCADA_OK);
}

/* The next frame within timeout_ms (its length), or 0 when none came. */
static size_t recv_frame(struct net_backend *b, uint8_t *buf, int timeout_ms)
{
        const int64_t end = mono_ms() + timeout_ms;
        for (;;) {
                size_t len = 1;
                struct iovec iov = { buf, FRAME_BUF };
                bool ready = true;
                assert_int_equal(b->ops->rx_poll(b, &iov, 1, &len), CCADA_OK);
                if (len)
                        return len;
                int64_t left = end - mono_ms();
                if (left <= 0)
                        return 0;
                assert_int_equal(b->ops->wait(b, (int)left, &ready), CCADA_OK);
        }
}

/* Answers libslirp's ARP question for the guest's address, if f is one. */
static bool answer_arp_for_guest(struct net_backend *b, const uint8_t *f, size_t n)
{
        if (n < 42 || get16(f + 12) != ETH_ARP || get16(f + 20) != 1 || get32(f + 38) != GUEST_IP)
                return false;
        uint8_t r[64] = { 0 };
        size_t m = eth(r, f + 6, ETH_ARP);
        put16(r + m, 1);
        put16(r + m + 2, ETH_IPV4);
        r[m + 4] = 6;
        r[m + 5] = 4;
        put16(r + m + 6, 2); /* reply */
        memcpy(r + m + 8, guest_mac, 6);
        put32(r + m + 14, GUEST_IP);
        memcpy(r + m + 18, f + 22, 6);
        memcpy(r + m + 24, f + 28, 4);
        send_frame(b, r, m + 28);
        return true;
}

/* The next TCP segment to the guest's port within PATIENCE_MS that has all of flags_all set
 * (and, when with_data, a payload); other frames are skipped. */
static bool recv_tcp(struct net_backend *b, uint16_t port, uint8_t flags_all, bool with_data,
                     struct tcp_seg *t)
{
        uint8_t f[FRAME_BUF];
        const int64_t end = mono_ms() + PATIENCE_MS;
        for (int64_t left = PATIENCE_MS; left > 0; left = end - mono_ms()) {
                size_t n = recv_frame(b, f, (int)left);
                if (!n || answer_arp_for_guest(b, f, n) || !parse_tcp(f, n, t))
                        continue;
                if (t->dport == port && (t->flags & flags_all) == flags_all && (!with_data || t->len))
                        return true;
        }
        return false;
}

/* The guest asks who has 10.0.2.2, which also tells libslirp the guest's MAC. */
static void arp_gateway(struct net_backend *b)
{
        uint8_t f[FRAME_BUF];
        send_frame(b, f, arp_request(f, GUEST_IP, GW_IP));
        size_t n = recv_frame(b, f, PATIENCE_MS);
        assert_true(n >= 42);
        assert_int_equal(get16(f + 12), ETH_ARP);
}

/* ---- host sockets ---- */

/* A non-blocking TCP listener on 127.0.0.1, port chosen by the kernel. */
static int listen_loopback(uint16_t *port)
{
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t alen = sizeof(a);
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        assert_true(fd >= 0);
        assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
        assert_int_equal(listen(fd, 4), 0);
        assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
        *port = ntohs(a.sin_port);
        return fd;
}

/* A loopback port nothing listens on (bound, then closed again). */
static uint16_t closed_port(void)
{
        uint16_t port;
        int fd = listen_loopback(&port);
        assert_int_equal(close(fd), 0);
        return port;
}

/* Waits (running the backend meanwhile) until fd has events, up to PATIENCE_MS. */
static bool host_ready(struct net_backend *b, int fd, short events)
{
        const int64_t end = mono_ms() + PATIENCE_MS;
        while (mono_ms() < end) {
                struct pollfd p = { .fd = fd, .events = events };
                bool ready;
                if (poll(&p, 1, 10) > 0)
                        return true;
                assert_int_equal(b->ops->wait(b, 0, &ready), CCADA_OK);
        }
        return false;
}

/* Reads exactly n bytes from fd (non-blocking), running the backend meanwhile. */
static void host_read(struct net_backend *b, int fd, uint8_t *buf, size_t n)
{
        size_t got = 0;
        while (got < n) {
                assert_true(host_ready(b, fd, POLLIN));
                ssize_t r = read(fd, buf + got, n - got);
                if (r < 0 && (errno == EAGAIN || errno == EINTR))
                        continue;
                assert_true(r > 0);
                got += (size_t)r;
        }
}

/* A guest connection to 10.0.2.2:port, through the handshake. */
struct conn {
        uint16_t gport, hport;
        uint32_t snd_nxt; /* the guest's next sequence number */
        uint32_t rcv_nxt; /* the next sequence number the guest expects */
        struct tcp_seg synack;
};

static void conn_open(struct net_backend *b, struct conn *c, uint16_t gport, uint16_t hport)
{
        uint8_t f[FRAME_BUF];
        const uint32_t iss = 0x10000000u + gport;
        *c = (struct conn){ .gport = gport, .hport = hport };
        struct tcp_seg syn = guest_seg(gport, hport, iss, 0, TCP_SYN);
        send_frame(b, f, tcp_frame(f, &syn));
        assert_true(recv_tcp(b, gport, TCP_SYN | TCP_ACK, false, &c->synack));
        assert_int_equal(c->synack.ack, iss + 1);
        c->snd_nxt = iss + 1;
        c->rcv_nxt = c->synack.seq + 1;
        struct tcp_seg ack = guest_seg(gport, hport, c->snd_nxt, c->rcv_nxt, TCP_ACK);
        send_frame(b, f, tcp_frame(f, &ack));
}

static void conn_send(struct net_backend *b, struct conn *c, const void *data, size_t len, uint8_t flags)
{
        uint8_t f[FRAME_BUF];
        struct tcp_seg t = guest_seg(c->gport, c->hport, c->snd_nxt, c->rcv_nxt, flags);
        if (len)
                memcpy(t.payload, data, len);
        t.len = len;
        send_frame(b, f, tcp_frame(f, &t));
        c->snd_nxt += (uint32_t)len + ((flags & TCP_FIN) ? 1u : 0u);
}

/* Accepts the connection libslirp made to the listener. */
static int host_accept(struct net_backend *b, int lfd)
{
        assert_true(host_ready(b, lfd, POLLIN));
        int fd = accept(lfd, NULL, NULL);
        assert_true(fd >= 0);
        int fl = fcntl(fd, F_GETFL);
        assert_true(fl >= 0);
        assert_int_equal(fcntl(fd, F_SETFL, fl | O_NONBLOCK), 0);
        return fd;
}

/* ---- ARP ---- */

static void net_slirp_answers_arp_for_the_gateway(void **state)
{
        struct net_backend *b = open_default();
        uint8_t f[FRAME_BUF];
        (void)state;
        send_frame(b, f, arp_request(f, GUEST_IP, GW_IP));
        size_t n = recv_frame(b, f, PATIENCE_MS);
        assert_true(n >= 42);
        assert_memory_equal(f, guest_mac, 6);  /* to the asker */
        assert_memory_equal(f + 6, gw_mac, 6); /* from 52:55:0a:00:02:02 */
        assert_int_equal(get16(f + 12), ETH_ARP);
        assert_int_equal(get16(f + 14), 1);
        assert_int_equal(get16(f + 16), ETH_IPV4);
        assert_int_equal(get16(f + 20), 2);     /* reply */
        assert_memory_equal(f + 22, gw_mac, 6); /* 10.0.2.2 is at gw_mac */
        assert_int_equal(get32(f + 28), GW_IP);
        assert_memory_equal(f + 32, guest_mac, 6);
        assert_int_equal(get32(f + 38), GUEST_IP);
        assert_int_equal(stats(b).rx_frames, 1);
        assert_int_equal(stats(b).rx_bytes, n);
        assert_int_equal(stats(b).tx_frames, 1);
        assert_int_equal(stats(b).tx_bytes, 42);
        b->ops->close(b);
}

static void net_slirp_answers_arp_for_the_dns_address(void **state)
{
        struct net_backend *b = open_default();
        uint8_t f[FRAME_BUF];
        const uint8_t dns_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x03 };
        (void)state;
        send_frame(b, f, arp_request(f, GUEST_IP, DNS_IP));
        assert_true(recv_frame(b, f, PATIENCE_MS) >= 42);
        assert_memory_equal(f + 22, dns_mac, 6);
        assert_int_equal(get32(f + 28), DNS_IP);
        b->ops->close(b);
}

static void net_slirp_ignores_arp_for_other_addresses(void **state)
{
        struct net_backend *b = open_default();
        uint8_t f[FRAME_BUF];
        bool ready = true;
        (void)state;
        send_frame(b, f, arp_request(f, GUEST_IP, NET_SLIRP_IPV4(10, 0, 2, 99)));
        assert_int_equal(b->ops->wait(b, 20, &ready), CCADA_OK);
        assert_false(ready);
        assert_int_equal(stats(b).tx_frames, 1);
        b->ops->close(b);
}

static void net_slirp_open_uses_the_configured_network(void **state)
{
        const struct net_slirp_config cfg = { .network = NET_SLIRP_IPV4(192, 168, 76, 0) };
        const uint8_t mac[6] = { 0x52, 0x55, 192, 168, 76, 2 };
        struct net_backend *b = open_with(&cfg);
        uint8_t f[FRAME_BUF];
        (void)state;
        send_frame(b, f, arp_request(f, NET_SLIRP_IPV4(192, 168, 76, 15), NET_SLIRP_IPV4(192, 168, 76, 2)));
        assert_true(recv_frame(b, f, PATIENCE_MS) >= 42);
        assert_memory_equal(f + 22, mac, 6);
        assert_int_equal(get32(f + 28), NET_SLIRP_IPV4(192, 168, 76, 2));
        /* 10.0.2.2 is nobody there. */
        send_frame(b, f, arp_request(f, NET_SLIRP_IPV4(192, 168, 76, 15), GW_IP));
        assert_int_equal(recv_frame(b, f, 20), 0);
        b->ops->close(b);
}

/* ---- ICMP ---- */

/* Sends an ICMP echo request to dst and checks the echo reply that comes back. */
static void expect_echo_reply(struct net_backend *b, uint32_t dst, uint16_t seq)
{
        uint8_t f[FRAME_BUF], echo[8 + 32];
        echo[0] = 8; /* echo request */
        echo[1] = 0;
        put16(echo + 2, 0);
        put16(echo + 4, 0x1234);
        put16(echo + 6, seq);
        for (size_t i = 8; i < sizeof(echo); i++)
                echo[i] = (uint8_t)(i + seq);
        put16(echo + 2, fold(sum16(echo, sizeof(echo), 0)));
        send_frame(b, f, ipv4(f, 1, GUEST_IP, dst, echo, sizeof(echo)));
        size_t n = recv_frame(b, f, PATIENCE_MS);
        assert_int_equal(n, 14 + 20 + sizeof(echo));
        assert_memory_equal(f, guest_mac, 6);
        assert_int_equal(get16(f + 12), ETH_IPV4);
        assert_int_equal(f[14 + 9], 1);
        assert_int_equal(fold(sum16(f + 14, 20, 0)), 0);
        assert_int_equal(get32(f + 14 + 12), dst);
        assert_int_equal(get32(f + 14 + 16), GUEST_IP);
        const uint8_t *icmp = f + 14 + 20;
        assert_int_equal(icmp[0], 0); /* echo reply */
        assert_int_equal(get16(icmp + 4), 0x1234);
        assert_int_equal(get16(icmp + 6), seq);
        assert_memory_equal(icmp + 8, echo + 8, sizeof(echo) - 8);
        assert_int_equal(fold(sum16(icmp, sizeof(echo), 0)), 0);
}

/* libslirp answers echo requests to its own addresses itself (no host socket). */
static void net_slirp_answers_icmp_echo_to_the_gateway_and_dns(void **state)
{
        struct net_backend *b = open_default();
        (void)state;
        arp_gateway(b);
        expect_echo_reply(b, GW_IP, 1);
        expect_echo_reply(b, DNS_IP, 2);
        b->ops->close(b);
}

/* ---- TCP ---- */

static void net_slirp_connects_guest_tcp_to_host_loopback(void **state)
{
        static const char up[] = "hello from the guest";
        static const char down[] = "hello from the host";
        struct net_backend *b = open_default();
        struct conn c;
        struct tcp_seg t;
        uint8_t buf[64];
        uint16_t port;
        (void)state;
        int lfd = listen_loopback(&port);
        arp_gateway(b);
        conn_open(b, &c, 40001, port);
        assert_int_equal(c.synack.src, GW_IP);
        assert_int_equal(c.synack.sport, port);
        assert_int_equal(c.synack.dst, GUEST_IP);
        int fd = host_accept(b, lfd);

        /* guest -> host */
        conn_send(b, &c, up, sizeof(up) - 1, TCP_ACK | TCP_PSH);
        host_read(b, fd, buf, sizeof(up) - 1);
        assert_memory_equal(buf, up, sizeof(up) - 1);

        /* host -> guest */
        assert_int_equal(write(fd, down, sizeof(down) - 1), (ssize_t)(sizeof(down) - 1));
        assert_true(recv_tcp(b, c.gport, TCP_ACK, true, &t));
        assert_int_equal(t.len, sizeof(down) - 1);
        assert_memory_equal(t.payload, down, sizeof(down) - 1);
        assert_int_equal(t.seq, c.rcv_nxt);
        assert_int_equal(t.ack, c.snd_nxt); /* the guest's data was acknowledged */
        c.rcv_nxt += (uint32_t)t.len;

        /* The guest's FIN is the host's end of file. */
        conn_send(b, &c, NULL, 0, TCP_FIN | TCP_ACK);
        assert_true(host_ready(b, fd, POLLIN));
        assert_int_equal(read(fd, buf, sizeof(buf)), 0);

        struct net_slirp_stats st = stats(b);
        assert_true(st.rx_frames >= 3); /* ARP reply, SYN-ACK, data */
        assert_int_equal(st.rx_dropped_full + st.rx_dropped_too_big, 0);
        close(fd);
        close(lfd);
        b->ops->close(b);
}

/* libslirp 4.7.0's SYN-ACK carries one option, MSS = MTU - 40; no window scaling, no
 * timestamps, no SACK. */
static void net_slirp_syn_ack_offers_only_mss(void **state)
{
        struct net_backend *b = open_default();
        struct conn c;
        uint8_t olen = 0;
        uint16_t port;
        (void)state;
        int lfd = listen_loopback(&port);
        arp_gateway(b);
        conn_open(b, &c, 40002, port);
        const uint8_t *mss = tcp_option(&c.synack, 2, &olen);
        assert_non_null(mss);
        assert_int_equal(olen, 2);
        assert_int_equal(get16(mss), 1460);
        assert_null(tcp_option(&c.synack, 8, &olen)); /* timestamps */
        assert_null(tcp_option(&c.synack, 3, &olen)); /* window scale */
        assert_null(tcp_option(&c.synack, 4, &olen)); /* SACK permitted */
        close(host_accept(b, lfd));
        close(lfd);
        b->ops->close(b);
}

static void net_slirp_resets_a_syn_to_a_closed_host_port(void **state)
{
        struct net_backend *b = open_default();
        uint8_t f[FRAME_BUF];
        struct tcp_seg t;
        uint16_t port = closed_port();
        (void)state;
        arp_gateway(b);
        struct tcp_seg syn = guest_seg(40003, port, 5000, 0, TCP_SYN);
        send_frame(b, f, tcp_frame(f, &syn));
        assert_true(recv_tcp(b, 40003, TCP_RST, false, &t));
        assert_int_equal(t.sport, port);
        assert_int_equal(t.flags & TCP_SYN, 0);
        assert_true(t.flags & TCP_ACK);
        assert_int_equal(t.ack, 5001);
        b->ops->close(b);
}

static void net_slirp_restricted_resets_a_syn_even_to_a_listening_host_port(void **state)
{
        const struct net_slirp_config cfg = { .restricted = true };
        struct net_backend *b = open_with(&cfg);
        uint8_t f[FRAME_BUF];
        struct tcp_seg t;
        uint16_t port;
        (void)state;
        int lfd = listen_loopback(&port);
        arp_gateway(b);
        struct tcp_seg syn = guest_seg(40004, port, 7000, 0, TCP_SYN);
        send_frame(b, f, tcp_frame(f, &syn));
        assert_true(recv_tcp(b, 40004, TCP_RST, false, &t));
        assert_int_equal(t.ack, 7001);
        struct pollfd p = { .fd = lfd, .events = POLLIN };
        assert_int_equal(poll(&p, 1, 0), 0); /* nobody connected */
        expect_echo_reply(b, GW_IP, 3);      /* the gateway itself still answers */
        close(lfd);
        b->ops->close(b);
}

/* ---- IPv6 (only when asked for) ---- */

#define ETH_IPV6 0x86dd

static const uint8_t guest_ll[16] = { 0xfe, 0x80, 0,    0,    0,    0,    0,    0,
                                      0x50, 0x54, 0x00, 0xff, 0xfe, 0x12, 0x34, 0x56 };
static const uint8_t all_routers[16] = { 0xff, 0x02, [15] = 2 };
static const uint8_t all_dhcp[16] = { 0xff, 0x02, [13] = 1, [15] = 2 }; /* ff02::1:2 */

/* An IPv6 frame from the guest's link-local address to dst (multicast, so its MAC is 33:33
 * and the address's last four bytes); the checksum at l4[cksum_at] is filled in here. */
static size_t ipv6(uint8_t *f, uint8_t nh, const uint8_t dst[16], uint8_t *l4, size_t l4len, size_t cksum_at)
{
        uint8_t mac[6] = { 0x33, 0x33, dst[12], dst[13], dst[14], dst[15] };
        size_t n = eth(f, mac, ETH_IPV6);
        uint8_t *ip = f + n;
        memset(ip, 0, 40);
        ip[0] = 0x60;
        put16(ip + 4, (uint16_t)l4len);
        ip[6] = nh;
        ip[7] = 255; /* hop limit: neighbour discovery requires 255 */
        memcpy(ip + 8, guest_ll, 16);
        memcpy(ip + 24, dst, 16);
        uint32_t acc = sum16(guest_ll, 16, 0);
        acc = sum16(dst, 16, acc);
        acc += (uint32_t)l4len + nh;
        put16(l4 + cksum_at, 0);
        put16(l4 + cksum_at, fold(sum16(l4, l4len, acc)));
        memcpy(ip + 40, l4, l4len);
        return n + 40 + l4len;
}

/* The option of type in an ICMPv6 neighbour-discovery message's options [p, p + n). */
static const uint8_t *nd_option(const uint8_t *p, size_t n, uint8_t type)
{
        for (size_t i = 0; i + 2 <= n && p[i + 1];) {
                size_t len = (size_t)p[i + 1] * 8;
                if (i + len > n)
                        break;
                if (p[i] == type)
                        return p + i;
                i += len;
        }
        return NULL;
}

static void send_router_solicitation(struct net_backend *b)
{
        uint8_t f[FRAME_BUF], rs[8] = { 133 };
        send_frame(b, f, ipv6(f, 58, all_routers, rs, sizeof(rs), 2));
}

static void net_slirp_ipv6_advertises_the_fec0_prefix_when_solicited(void **state)
{
        const struct net_slirp_config cfg = { .ipv6 = true };
        const uint8_t prefix[16] = { 0xfe, 0xc0 };
        struct net_backend *b = open_with(&cfg);
        uint8_t f[FRAME_BUF];
        (void)state;
        send_router_solicitation(b);
        size_t n = recv_frame(b, f, PATIENCE_MS);
        assert_true(n >= 14 + 40 + 16);
        assert_int_equal(get16(f + 12), ETH_IPV6);
        const uint8_t *ip = f + 14, *ra = ip + 40;
        assert_int_equal(ip[6], 58);
        assert_int_equal(ra[0], 134); /* router advertisement */
        size_t ralen = get16(ip + 4);
        assert_true(40 + ralen <= n - 14);
        const uint8_t *pi = nd_option(ra + 16, ralen - 16, 3); /* prefix information */
        assert_non_null(pi);
        assert_int_equal(pi[2], 64);
        assert_memory_equal(pi + 16, prefix, 16);
        b->ops->close(b); /* frees the router advertisement timer (ASan checks) */
}

static void net_slirp_ipv6_is_off_by_default(void **state)
{
        struct net_backend *b = open_default();
        uint8_t f[FRAME_BUF];
        (void)state;
        send_router_solicitation(b);
        assert_int_equal(recv_frame(b, f, 20), 0);
        b->ops->close(b);
}

/* libslirp reports a DHCPv6 request whose option runs past its end as a guest error. */
static void net_slirp_records_libslirp_guest_errors(void **state)
{
        const struct net_slirp_config cfg = { .ipv6 = true };
        struct net_backend *b = open_with(&cfg);
        uint8_t f[FRAME_BUF];
        /* UDP 546 -> 547: an information request whose client id claims 32 bytes. */
        uint8_t udp[8 + 10] = { 0x02, 0x22, 0x02, 0x23, 0,    sizeof(udp), 0,    0,    11,
                                0x12, 0x34, 0x56, 0x00, 0x01, 0x00,        0x20, 0xaa, 0xbb };
        (void)state;
        assert_string_equal(net_slirp_last_guest_error(b), "");
        send_frame(b, f, ipv6(f, 17, all_dhcp, udp, sizeof(udp), 6));
        assert_int_equal(stats(b).guest_errors, 1);
        assert_string_equal(net_slirp_last_guest_error(b), "Guest sent bad DHCPv6 packet!");
        b->ops->close(b);
}

/* ---- tx ---- */

static void net_slirp_tx_rejects_frames_shorter_than_a_header(void **state)
{
        struct net_backend *b = open_default();
        uint8_t f[FRAME_BUF] = { 0 };
        struct iovec iov = { f, 13 };
        (void)state;
        arp_request(f, GUEST_IP, GW_IP);
        assert_int_equal(b->ops->tx(b, &iov, 1), CCADA_E_INVAL);
        assert_int_equal(net_slirp_last_error(b).reason, NET_SLIRP_ERR_BAD_FRAME);
        assert_int_equal(net_slirp_last_error(b).status, CCADA_E_INVAL);
        assert_int_equal(b->ops->tx(b, NULL, 0), CCADA_E_INVAL);
        assert_int_equal(stats(b).tx_frames, 0);
        assert_int_equal(stats(b).tx_bytes, 0);
        iov.iov_len = 14; /* a bare header is a frame */
        assert_int_equal(b->ops->tx(b, &iov, 1), CCADA_OK);
        assert_int_equal(net_slirp_last_error(b).reason, NET_SLIRP_ERR_NONE);
        assert_int_equal(stats(b).tx_frames, 1);
        b->ops->close(b);
}

static void net_slirp_tx_rejects_frames_longer_than_1514_bytes(void **state)
{
        struct net_backend *b = open_default();
        uint8_t f[FRAME_BUF] = { 0 };
        (void)state;
        arp_request(f, GUEST_IP, GW_IP); /* would be answered if it went through */
        struct iovec iov = { f, 1515 };
        assert_int_equal(b->ops->tx(b, &iov, 1), CCADA_E_INVAL);
        assert_int_equal(net_slirp_last_error(b).reason, NET_SLIRP_ERR_BAD_FRAME);
        struct iovec two[2] = { { f, 1000 }, { f + 1000, 515 } };
        assert_int_equal(b->ops->tx(b, two, 2), CCADA_E_INVAL);
        struct iovec huge[2] = { { f, 1000 }, { f, SIZE_MAX } };
        assert_int_equal(b->ops->tx(b, huge, 2), CCADA_E_INVAL);
        assert_int_equal(stats(b).tx_frames, 0);
        assert_int_equal(recv_frame(b, f, 0), 0); /* nothing reached libslirp */
        iov.iov_len = 1514;
        assert_int_equal(b->ops->tx(b, &iov, 1), CCADA_OK);
        assert_int_equal(stats(b).tx_frames, 1);
        assert_int_equal(stats(b).tx_bytes, 1514);
        b->ops->close(b);
}

static void net_slirp_tx_rejects_malformed_iovecs(void **state)
{
        struct net_backend *b = open_default();
        uint8_t f[FRAME_BUF] = { 0 };
        (void)state;
        size_t n = arp_request(f, GUEST_IP, GW_IP);
        struct iovec bad[2] = { { f, n }, { NULL, 1 } };
        assert_int_equal(b->ops->tx(b, bad, 2), CCADA_E_INVAL);
        assert_int_equal(net_slirp_last_error(b).reason, NET_SLIRP_ERR_BAD_IOV);
        assert_int_equal(b->ops->tx(b, NULL, 1), CCADA_E_INVAL);
        struct iovec *many = calloc(NET_SLIRP_MAX_IOV + 1, sizeof(*many));
        many[0] = (struct iovec){ f, n };
        assert_int_equal(b->ops->tx(b, many, NET_SLIRP_MAX_IOV + 1), CCADA_E_INVAL);
        assert_int_equal(b->ops->tx(b, many, NET_SLIRP_MAX_IOV), CCADA_OK); /* empty ones are fine */
        free(many);
        assert_int_equal(stats(b).tx_frames, 1);
        b->ops->close(b);
}

static void net_slirp_tx_gathers_a_frame_from_several_iovecs(void **state)
{
        struct net_backend *b = open_default();
        uint8_t f[FRAME_BUF];
        (void)state;
        size_t n = arp_request(f, GUEST_IP, GW_IP);
        struct iovec iov[4] = { { f, 5 }, { NULL, 0 }, { f + 5, 20 }, { f + 25, n - 25 } };
        assert_int_equal(b->ops->tx(b, iov, 4), CCADA_OK);
        assert_true(recv_frame(b, f, PATIENCE_MS) >= 42);
        assert_int_equal(get16(f + 20), 2);
        assert_int_equal(get32(f + 28), GW_IP);
        b->ops->close(b);
}

/* ---- rx ---- */

static void net_slirp_rx_drops_a_frame_longer_than_the_iovecs_and_delivers_the_next(void **state)
{
        struct net_backend *b = open_default();
        uint8_t f[FRAME_BUF], small[41];
        size_t len = 99;
        (void)state;
        send_frame(b, f, arp_request(f, GUEST_IP, GW_IP));
        send_frame(b, f, arp_request(f, GUEST_IP, DNS_IP));
        memset(small, 0xaa, sizeof(small));
        struct iovec iov[2] = { { small, 20 }, { small + 20, 21 } };
        assert_int_equal(b->ops->rx_poll(b, iov, 2, &len), CCADA_E_NOSPC);
        assert_int_equal(len, 0);
        assert_int_equal(net_slirp_last_error(b).reason, NET_SLIRP_ERR_TOO_BIG);
        for (size_t i = 0; i < sizeof(small); i++)
                assert_int_equal(small[i], 0xaa); /* not truncated into the iovecs */
        struct net_slirp_stats st = stats(b);
        assert_int_equal(st.rx_dropped_too_big, 1);
        assert_int_equal(st.rx_frames, 0);
        assert_int_equal(st.rx_queued, 1);
        /* The next frame (the answer for 10.0.2.3) is still there. */
        size_t n = recv_frame(b, f, PATIENCE_MS);
        assert_true(n >= 42);
        assert_int_equal(get32(f + 28), DNS_IP);
        assert_int_equal(net_slirp_last_error(b).reason, NET_SLIRP_ERR_NONE);
        assert_int_equal(stats(b).rx_frames, 1);
        assert_int_equal(stats(b).rx_queued, 0);
        b->ops->close(b);
}

static void net_slirp_rx_scatters_a_frame_across_iovecs(void **state)
{
        struct net_backend *b = open_default();
        uint8_t f[FRAME_BUF], whole[FRAME_BUF], parts[3][FRAME_BUF];
        size_t len = 0;
        (void)state;
        send_frame(b, f, arp_request(f, GUEST_IP, GW_IP));
        send_frame(b, f, arp_request(f, GUEST_IP, GW_IP)); /* the same answer twice */
        size_t n = recv_frame(b, whole, PATIENCE_MS);
        assert_true(n > 30);
        struct iovec iov[4] = { { parts[0], 10 }, { NULL, 0 }, { parts[1], 20 }, { parts[2], FRAME_BUF } };
        assert_int_equal(b->ops->rx_poll(b, iov, 4, &len), CCADA_OK);
        assert_int_equal(len, n);
        assert_memory_equal(parts[0], whole, 10);
        assert_memory_equal(parts[1], whole + 10, 20);
        assert_memory_equal(parts[2], whole + 30, n - 30);
        b->ops->close(b);
}

static void net_slirp_rx_poll_with_nothing_waiting_gives_len_0(void **state)
{
        struct net_backend *b = open_default();
        uint8_t f[FRAME_BUF];
        struct iovec iov = { f, sizeof(f) };
        size_t len = 99;
        (void)state;
        assert_int_equal(b->ops->rx_poll(b, &iov, 1, &len), CCADA_OK);
        assert_int_equal(len, 0);
        assert_int_equal(b->ops->rx_poll(b, NULL, 0, &len), CCADA_OK); /* no buffers: still a poll */
        assert_int_equal(len, 0);
        b->ops->close(b);
}

static void net_slirp_rx_poll_rejects_bad_arguments(void **state)
{
        struct net_backend *b = open_default();
        uint8_t f[FRAME_BUF];
        struct iovec iov = { f, sizeof(f) };
        struct iovec bad = { NULL, 64 };
        size_t len = 99;
        (void)state;
        send_frame(b, f, arp_request(f, GUEST_IP, GW_IP));
        assert_int_equal(b->ops->rx_poll(b, &iov, 1, NULL), CCADA_E_INVAL);
        assert_int_equal(net_slirp_last_error(b).reason, NET_SLIRP_ERR_BAD_ARGUMENT);
        assert_int_equal(b->ops->rx_poll(b, NULL, 1, &len), CCADA_E_INVAL);
        assert_int_equal(len, 0);
        assert_int_equal(b->ops->rx_poll(b, &bad, 1, &len), CCADA_E_INVAL);
        assert_int_equal(net_slirp_last_error(b).reason, NET_SLIRP_ERR_BAD_IOV);
        assert_int_equal(b->ops->rx_poll(b, &iov, NET_SLIRP_MAX_IOV + 1, &len), CCADA_E_INVAL);
        /* None of them took the waiting frame. */
        assert_int_equal(stats(b).rx_queued, 1);
        assert_true(recv_frame(b, f, 0) >= 42);
        b->ops->close(b);
}

/* ---- wait ---- */

static void net_slirp_wait_0_with_nothing_pending_is_not_ready(void **state)
{
        struct net_backend *b = open_default();
        bool ready = true;
        (void)state;
        assert_int_equal(b->ops->wait(b, 0, &ready), CCADA_OK);
        assert_false(ready);
        b->ops->close(b);
}

static void net_slirp_wait_lasts_the_timeout_when_nothing_comes(void **state)
{
        struct net_backend *b = open_default();
        bool ready = true;
        (void)state;
        int64_t t0 = mono_ms();
        assert_int_equal(b->ops->wait(b, 50, &ready), CCADA_OK);
        assert_true(mono_ms() - t0 >= 50);
        assert_false(ready);
        b->ops->close(b);
}

static void net_slirp_wait_reports_a_waiting_frame(void **state)
{
        struct net_backend *b = open_default();
        uint8_t f[FRAME_BUF];
        bool ready = false;
        (void)state;
        send_frame(b, f, arp_request(f, GUEST_IP, GW_IP));
        assert_int_equal(b->ops->wait(b, 0, &ready), CCADA_OK);
        assert_true(ready);
        ready = false;
        assert_int_equal(b->ops->wait(b, PATIENCE_MS, &ready), CCADA_OK);
        assert_true(ready);
        assert_int_equal(stats(b).rx_queued, 1); /* wait does not take it */
        b->ops->close(b);
}

/* wait wakes up for data arriving on a socket, not only for frames libslirp made itself. */
static void net_slirp_wait_wakes_for_host_data(void **state)
{
        struct net_backend *b = open_default();
        struct conn c;
        struct tcp_seg t;
        uint8_t f[FRAME_BUF];
        uint16_t port;
        bool ready = false;
        (void)state;
        int lfd = listen_loopback(&port);
        arp_gateway(b);
        conn_open(b, &c, 40005, port);
        int fd = host_accept(b, lfd);
        while (recv_frame(b, f, 0)) /* nothing left in the queue */
                ;
        assert_int_equal(write(fd, "x", 1), 1);
        assert_int_equal(b->ops->wait(b, PATIENCE_MS, &ready), CCADA_OK);
        assert_true(ready);
        assert_true(recv_tcp(b, c.gport, TCP_ACK, true, &t));
        assert_int_equal(t.len, 1);
        assert_int_equal(t.payload[0], 'x');
        close(fd);
        close(lfd);
        b->ops->close(b);
}

static void net_slirp_wait_rejects_bad_arguments(void **state)
{
        struct net_backend *b = open_default();
        bool ready = true;
        (void)state;
        assert_int_equal(b->ops->wait(b, -1, &ready), CCADA_E_INVAL);
        assert_int_equal(net_slirp_last_error(b).reason, NET_SLIRP_ERR_BAD_ARGUMENT);
        assert_int_equal(b->ops->wait(b, 0, NULL), CCADA_E_INVAL);
        b->ops->close(b);
}

/* ---- the queue ---- */

static void net_slirp_full_queue_drops_new_frames_and_counts_them(void **state)
{
        const struct net_slirp_config cfg = { .rx_queue_frames = 2 };
        struct net_backend *b = open_with(&cfg);
        uint8_t f[FRAME_BUF];
        (void)state;
        const uint32_t asked[5] = { GW_IP, DNS_IP, GW_IP, DNS_IP, GW_IP };
        for (size_t i = 0; i < 5; i++)
                send_frame(b, f, arp_request(f, GUEST_IP, asked[i]));
        struct net_slirp_stats st = stats(b);
        assert_int_equal(st.rx_queued, 2);
        assert_int_equal(st.rx_dropped_full, 3);
        assert_int_equal(st.rx_queue_high_water, 2);
        /* The first two answers are kept, in order; the new ones were dropped. */
        assert_true(recv_frame(b, f, 0) >= 42);
        assert_int_equal(get32(f + 28), GW_IP);
        assert_true(recv_frame(b, f, 0) >= 42);
        assert_int_equal(get32(f + 28), DNS_IP);
        assert_int_equal(recv_frame(b, f, 0), 0);
        /* Room again. */
        send_frame(b, f, arp_request(f, GUEST_IP, DNS_IP));
        assert_true(recv_frame(b, f, 0) >= 42);
        st = stats(b);
        assert_int_equal(st.rx_frames, 3);
        assert_int_equal(st.rx_dropped_full, 3);
        b->ops->close(b);
}

/* ---- opening ---- */

static void net_slirp_open_rejects_null_arguments(void **state)
{
        struct net_backend *b = (struct net_backend *)&b;
        const struct net_slirp_config cfg = { 0 };
        (void)state;
        assert_int_equal(net_slirp_open(NULL, &cfg), CCADA_E_INVAL);
        assert_int_equal(net_slirp_open(&b, NULL), CCADA_E_INVAL);
        assert_null(b);
}

static void net_slirp_open_rejects_an_out_of_range_config(void **state)
{
        const struct net_slirp_config bad[] = {
                { .mtu = NET_SLIRP_MTU_MAX + 1 },
                { .mtu = NET_SLIRP_MTU_MIN - 1 },
                { .rx_queue_frames = NET_SLIRP_RX_QUEUE_MAX + 1 },
                { .netmask = NET_SLIRP_IPV4(255, 0, 255, 0) },     /* not contiguous */
                { .netmask = NET_SLIRP_IPV4(255, 255, 255, 254) }, /* too small */
                { .network = NET_SLIRP_IPV4(10, 0, 2, 1) },        /* host bits set */
                { .host = NET_SLIRP_IPV4(10, 0, 3, 2) },           /* outside */
                { .dns = NET_SLIRP_IPV4(10, 0, 2, 255) },          /* broadcast */
                { .dhcp_start = NET_SLIRP_IPV4(192, 168, 0, 15) }, /* outside */
                { .network = NET_SLIRP_IPV4(10, 0, 2, 0),
                  .netmask = NET_SLIRP_IPV4(255, 255, 255, 248) }, /* 10.0.2.15 is outside */
        };
        (void)state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct net_backend *b = (struct net_backend *)&b;
                assert_int_equal(net_slirp_open(&b, &bad[i]), CCADA_E_INVAL);
                assert_null(b);
        }
        /* The limits themselves are in range. */
        const struct net_slirp_config ok = { .mtu = NET_SLIRP_MTU_MIN,
                                             .rx_queue_frames = NET_SLIRP_RX_QUEUE_MAX };
        struct net_backend *b = open_with(&ok);
        b->ops->close(b);
}

static void net_slirp_inspection_of_other_backends_is_empty(void **state)
{
        struct net_slirp_stats st;
        const struct net_backend_ops other_ops = { .kind = "other" };
        const struct net_backend other = { .ops = &other_ops };
        (void)state;
        memset(&st, 0xff, sizeof(st));
        net_slirp_get_stats(NULL, &st);
        assert_int_equal(st.tx_frames, 0);
        assert_int_equal(st.rx_queue_high_water, 0);
        memset(&st, 0xff, sizeof(st));
        net_slirp_get_stats(&other, &st);
        assert_int_equal(st.rx_frames, 0);
        net_slirp_get_stats(&other, NULL);
        assert_int_equal(net_slirp_last_error(&other).reason, NET_SLIRP_ERR_NONE);
        assert_string_equal(net_slirp_last_guest_error(&other), "");
        assert_string_equal(net_slirp_error_reason_name(NET_SLIRP_ERR_TOO_BIG), "too_big");
}

/* ---- hostile frames ---- */

/* A few hundred frames of random bytes and lengths, a third of them shaped as ARP and a third
 * as IPv4 to the gateway, so libslirp's parsers see more than unknown Ethernet types. The
 * backend runs restricted: whatever the bytes say, libslirp opens no socket. */
static void net_slirp_survives_random_frames_and_its_counts_add_up(void **state)
{
        const struct net_slirp_config cfg = { .restricted = true, .rx_queue_frames = 8 };
        struct net_backend *b = open_with(&cfg);
        struct prng rng;
        uint8_t f[FRAME_BUF];
        uint64_t bytes = 0, delivered = 0, too_small = 0;
        const char *env = getenv("CCADA_TEST_SEED");
        uint64_t seed = 0x51177ull;
        enum ccada_number_error why = env ? ccada_parse_u64(env, strlen(env), &seed) : CCADA_NUMBER_OK;
        (void)state;
        if (why != CCADA_NUMBER_OK)
                fail_msg("CCADA_TEST_SEED '%s' is not a number: %s", env, ccada_number_error_text(why));
        printf("net_slirp random frames seed: 0x%llx (set CCADA_TEST_SEED to replay)\n",
               (unsigned long long)seed);
        prng_seed(&rng, seed);
        arp_gateway(b);
        for (unsigned i = 0; i < 400; i++) {
                size_t n = 14 + (size_t)prng_below(&rng, NET_SLIRP_FRAME_MAX - 14 + 1);
                prng_fill(&rng, f, n);
                switch (i % 3) {
                case 0: put16(f + 12, ETH_ARP); break;
                case 1:
                        put16(f + 12, ETH_IPV4);
                        if (n >= 14 + 20) {
                                f[14] = (uint8_t)(0x40 | (f[14] & 15));
                                put32(f + 14 + 16, (i & 4) ? GW_IP : DNS_IP);
                        }
                        break;
                default: break;
                }
                struct iovec iov = { f, n };
                assert_int_equal(b->ops->tx(b, &iov, 1), CCADA_OK);
                bytes += n;
                if (prng_below(&rng, 4) == 0) {
                        size_t len = 0;
                        struct iovec r = { f, (size_t)prng_below(&rng, FRAME_BUF) };
                        ccada_status st = b->ops->rx_poll(b, &r, 1, &len);
                        assert_true(st == CCADA_OK || st == CCADA_E_NOSPC);
                        delivered += len != 0;
                        too_small += st == CCADA_E_NOSPC;
                }
        }
        while (recv_frame(b, f, 0))
                delivered++;
        struct net_slirp_stats st = stats(b);
        assert_int_equal(st.tx_frames, 400 + 1);
        assert_int_equal(st.tx_bytes, bytes + 42);
        assert_int_equal(st.rx_frames, delivered + 1);
        assert_int_equal(st.rx_dropped_too_big, too_small);
        assert_int_equal(st.rx_queued, 0);
        assert_true(st.rx_queue_high_water <= 8);
        /* And it still works. */
        send_frame(b, f, arp_request(f, GUEST_IP, GW_IP));
        assert_true(recv_frame(b, f, PATIENCE_MS) >= 42);
        assert_memory_equal(f + 22, gw_mac, 6);
        b->ops->close(b);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(net_slirp_answers_arp_for_the_gateway),
                cmocka_unit_test(net_slirp_answers_arp_for_the_dns_address),
                cmocka_unit_test(net_slirp_ignores_arp_for_other_addresses),
                cmocka_unit_test(net_slirp_open_uses_the_configured_network),
                cmocka_unit_test(net_slirp_answers_icmp_echo_to_the_gateway_and_dns),
                cmocka_unit_test(net_slirp_connects_guest_tcp_to_host_loopback),
                cmocka_unit_test(net_slirp_syn_ack_offers_only_mss),
                cmocka_unit_test(net_slirp_resets_a_syn_to_a_closed_host_port),
                cmocka_unit_test(net_slirp_restricted_resets_a_syn_even_to_a_listening_host_port),
                cmocka_unit_test(net_slirp_ipv6_advertises_the_fec0_prefix_when_solicited),
                cmocka_unit_test(net_slirp_ipv6_is_off_by_default),
                cmocka_unit_test(net_slirp_records_libslirp_guest_errors),
                cmocka_unit_test(net_slirp_tx_rejects_frames_shorter_than_a_header),
                cmocka_unit_test(net_slirp_tx_rejects_frames_longer_than_1514_bytes),
                cmocka_unit_test(net_slirp_tx_rejects_malformed_iovecs),
                cmocka_unit_test(net_slirp_tx_gathers_a_frame_from_several_iovecs),
                cmocka_unit_test(net_slirp_rx_drops_a_frame_longer_than_the_iovecs_and_delivers_the_next),
                cmocka_unit_test(net_slirp_rx_scatters_a_frame_across_iovecs),
                cmocka_unit_test(net_slirp_rx_poll_with_nothing_waiting_gives_len_0),
                cmocka_unit_test(net_slirp_rx_poll_rejects_bad_arguments),
                cmocka_unit_test(net_slirp_wait_0_with_nothing_pending_is_not_ready),
                cmocka_unit_test(net_slirp_wait_lasts_the_timeout_when_nothing_comes),
                cmocka_unit_test(net_slirp_wait_reports_a_waiting_frame),
                cmocka_unit_test(net_slirp_wait_wakes_for_host_data),
                cmocka_unit_test(net_slirp_wait_rejects_bad_arguments),
                cmocka_unit_test(net_slirp_full_queue_drops_new_frames_and_counts_them),
                cmocka_unit_test(net_slirp_open_rejects_null_arguments),
                cmocka_unit_test(net_slirp_open_rejects_an_out_of_range_config),
                cmocka_unit_test(net_slirp_inspection_of_other_backends_is_empty),
                cmocka_unit_test(net_slirp_survives_random_frames_and_its_counts_add_up),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
