/* The `net-test` app (see net_test.h). */
#include "realm/apps/net_test.h"

#include <stdio.h>
#include <string.h>

#include "ccada/parse.h"
#include "ccada/report.h"
#include "lib/bytes.h"
#include "proto/hostcall.h"
#include "realm/apps/app_args.h"
#include "realm/apps/bench.h"
#include "realm/net.h"
#include "realm/pci.h"
#include "realm/virtio_net.h"

#define CONNECT_MS 5000u
#define IO_MS 5000u

bool net_test_parse_args(const char *args, uint16_t *port, uint64_t *bytes, char *why, size_t whylen)
{
        *port = 0;
        *bytes = NET_TEST_DEFAULT_BYTES;
        for (const char *p = args ? args : ""; *p;) {
                while (*p == ' ')
                        p++;
                size_t n = strcspn(p, " ");
                if (n == 0)
                        break;
                uint64_t v = 0;
                enum ccada_number_error e = CCADA_NUMBER_OK;
                if (n > 5 && !strncmp(p, "port=", 5)) {
                        e = ccada_parse_u64(p + 5, n - 5, &v);
                        if (e != CCADA_NUMBER_OK || v == 0 || v > 65535) {
                                snprintf(why, whylen, "port='%.*s': a TCP port from 1 to 65535", (int)(n - 5), p + 5);
                                return false;
                        }
                        *port = (uint16_t)v;
                } else if (n > 6 && !strncmp(p, "bytes=", 6)) {
                        e = ccada_parse_size(p + 6, n - 6, &v);
                        if (e != CCADA_NUMBER_OK || v == 0 || v > NET_TEST_MAX_BYTES) {
                                snprintf(why, whylen, "bytes='%.*s': from 1 to 64M", (int)(n - 6), p + 6);
                                return false;
                        }
                        *bytes = v;
                } else {
                        snprintf(why, whylen, "unknown argument '%.*s' (arguments: port=P [bytes=N])", (int)n, p);
                        return false;
                }
                p += n;
        }
        if (*port == 0) {
                snprintf(why, whylen, "no port=P: the host's TCP echo service to connect to");
                return false;
        }
        return true;
}


static uint8_t pattern(uint64_t i) { return (uint8_t)(i * 131u + (i >> 8) * 7u + 1u); }

/* Sends bytes in chunks, reading each chunk's echo back and checking it. in and chunk:
 * NET_TEST_CHUNK bytes each. */
static ccada_status exchange(struct rk_tcp *c, uint64_t bytes, uint64_t *sent, uint64_t *echoed, bool *same,
                             uint8_t *in, uint8_t *chunk)
{
        *same = true;
        while (*sent < bytes) {
                size_t n = bytes - *sent < NET_TEST_CHUNK ? (size_t)(bytes - *sent) : NET_TEST_CHUNK;
                for (size_t i = 0; i < n; i++)
                        chunk[i] = pattern(*sent + i);
                ccada_status st = rk_tcp_send(c, chunk, n, IO_MS);
                if (st != CCADA_OK)
                        return st;
                *sent += n;
                while (*echoed < *sent) {
                        size_t got = 0;
                        if ((st = rk_tcp_recv(c, in, NET_TEST_CHUNK, &got, IO_MS)) != CCADA_OK)
                                return st;
                        if (got == 0)
                                return CCADA_E_IO; /* the peer closed early */
                        for (size_t i = 0; i < got; i++)
                                *same &= in[i] == pattern(*echoed + i);
                        *echoed += got;
                }
        }
        return CCADA_OK;
}

static void report(struct realm_kernel *k, struct virtio_net *dev, const struct rk_net_stats *ns, uint64_t sent,
                   uint64_t echoed, bool connected, bool verified, double ns_exchange)
{
        struct ccada_report_section *s = rk_report_section(k, NET_TEST_SECTION);
        struct virtio_net_stats ds;
        virtio_net_get_stats(dev, &ds);
        ccada_report_bool(s, "connected", connected);
        ccada_report_u64(s, "bytes_sent", sent);
        ccada_report_u64(s, "bytes_echoed", echoed);
        ccada_report_bool(s, "verified", verified);
        ccada_report_u64(s, "frames_out", ds.tx_packets);
        ccada_report_u64(s, "frames_in", ds.rx_packets);
        ccada_report_u64(s, "tx_copy_bytes", ds.tx_copy_bytes);
        ccada_report_u64(s, "rx_copy_bytes", ds.rx_copy_bytes);
        ccada_report_u64(s, "rx_dropped", ds.rx_dropped + ds.rx_length_errors);
        ccada_report_u64(s, "idle_ticks", ns->idle_ticks);
        /* Host time (CLOCK_MONOTONIC) from connect to the last byte echoed: the throughput
         * benchmark's figure (ccada bench net); not deterministic. */
        ccada_report_u64(s, "exchange_ns", (uint64_t)ns_exchange);
}

void realm_net_test_init(struct realm_kernel *k)
{
        char args[APP_ARGS_MAX + 1], why[128];
        uint16_t port = 0;
        uint64_t bytes = 0, sent = 0, echoed = 0;
        bool same = false, connected = false;
        struct virtio_net *dev = NULL;
        struct rk_net *net = NULL;
        struct rk_tcp *c = NULL;
        const char *cwhy = NULL;
        static const uint8_t host[4] = { 10, 0, 2, 2 };

        rk_report_check(k, "net_echo", false);
        ccada_status ast = app_args_get(k, args);
        if (ast != CCADA_OK) {
                rk_report_error(k, "net-test: no arguments from the host (give port=P): %s", ccada_status_text(ast));
                return;
        }
        if (!net_test_parse_args(args, &port, &bytes, why, sizeof(why))) {
                rk_report_error(k, "net-test: %s", why);
                return;
        }
        struct realm_task prev = *rk_current(k); /* the device comes up in the kernel's context */
        struct pci_root *root = rk_zalloc(k, 1, sizeof(*root));
        ccada_status st = root ? virtio_net_probe_first(k, root, &dev) : CCADA_E_NOMEM;
        if (st == CCADA_E_UNSUPPORTED)
                rk_report_error(k, "net-test: no virtio-net device (give the machine --device virtio-net)");
        else if (st != CCADA_OK)
                rk_report_error(k, "net-test: the virtio-net device cannot be used: %s", ccada_status_text(st));
        if (st == CCADA_OK && (st = rk_net_up(k, dev, NULL, &net)) != CCADA_OK)
                rk_report_error(k, "net-test: the network cannot come up: %s", ccada_status_text(st));
        double t0 = bench_now_ns(), t1 = t0;
        if (st == CCADA_OK) {
                rk_set_current(k, NET_TEST_COMM, NET_TEST_PID);
                st = rk_tcp_connect(net, host, port, CONNECT_MS, &c, &cwhy);
                connected = st == CCADA_OK;
        }
        uint8_t *bufs = st == CCADA_OK ? rk_zalloc(k, 2, NET_TEST_CHUNK) : NULL;
        if (st == CCADA_OK && !bufs)
                st = CCADA_E_NOMEM;
        if (st == CCADA_OK)
                st = exchange(c, bytes, &sent, &echoed, &same, bufs, bufs + NET_TEST_CHUNK);
        rk_kfree(k, bufs);
        t1 = bench_now_ns();
        rk_tcp_close(c);
        rk_set_current(k, prev.comm, prev.pid); /* the app has exited; the kernel finishes the close */
        if (connected)
                rk_printk(k, "net-test: %llu bytes to 10.0.2.2:%u and back: %s", (unsigned long long)sent, port,
                          st == CCADA_OK && same ? "verified" : "FAILED");
        else if (net)
                rk_report_error(k, "net-test: cannot connect to 10.0.2.2:%u: %s", port,
                                cwhy ? cwhy : ccada_status_text(st));
        if (connected && st != CCADA_OK)
                rk_report_error(k, "net-test: the exchange failed: %s", ccada_status_text(st));
        struct rk_net_stats ns;
        rk_net_get_stats(net, &ns); /* before the close's last frames: the exchange's own */
        rk_net_down(net);
        if (dev)
                report(k, dev, &ns, sent, echoed, connected, st == CCADA_OK && same, t1 - t0);
        rk_report_check(k, "net_echo", st == CCADA_OK && same && echoed == bytes);
        virtio_net_destroy(dev);
        rk_kfree(k, root);
}
