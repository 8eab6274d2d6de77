/* The Realm's TCP/IP stack: lwIP on the virtio-net driver (see net.h for the threading and
 * timer choices). */
#include "realm/net.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "lwip/etharp.h"
#include "lwip/init.h"
#include "lwip/ip4_frag.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "netif/ethernet.h"

#include "lib/trace.h"
#include "proto/virtio_net.h"
#include "realm/kernel.h"
#include "realm/sync.h"
#include "realm/virtio_net.h"

/* lwIP's own state is process-wide: these two are the only process-wide state of ours,
 * and exist because of it. lwip_init runs once per process (a second call would register
 * its cyclic timers again); one stack is up at a time. */
static pthread_once_t lwip_once = PTHREAD_ONCE_INIT;
static _Atomic(struct rk_net *) lwip_owner;

static void lwip_init_once(void) { lwip_init(); }

struct rk_net {
        struct realm_kernel *k;
        struct virtio_net *dev;
        struct netif nif;
        uint64_t tcp_due_ms, arp_due_ms; /* next tcp_tmr / etharp_tmr + ip_reass_tmr */
        bool dev_broken;
        struct rk_net_stats stats;
};

/* Segments (pbuf chains) received and not yet read. A chain counts 16 bits, so chains are
 * queued rather than concatenated; with the queue full lwIP keeps the data and offers it
 * again (its window then closes). */
#define RX_QUEUE 256u

struct rk_tcp {
        struct rk_net *net;
        struct tcp_pcb *pcb;            /* NULL once lwIP freed it (error) or we closed it */
        bool connected, peer_closed, failed;
        err_t err;
        struct pbuf *rx[RX_QUEUE];      /* received, not yet read, in order (a ring) */
        unsigned rx_head, rx_count;
        size_t rx_off;                  /* bytes of rx[rx_head] already read */
};

/* ---- time ---- */

static uint64_t now_ms(const struct rk_net *net)
{
        const struct trace *t = rk_trace(net->k);
        return t ? t->now_ns / 1000000u : 0;
}

/* The timers lwIP's timeout list would run, at their intervals of virtual time. */
static void run_timers(struct rk_net *net)
{
        uint64_t now = now_ms(net);
        if (now >= net->tcp_due_ms) {
                tcp_tmr();
                net->stats.timer_runs++;
                net->tcp_due_ms = now + TCP_TMR_INTERVAL;
        }
        if (now >= net->arp_due_ms) {
                etharp_tmr();
                ip_reass_tmr();
                net->arp_due_ms = now + ARP_TMR_INTERVAL;
        }
}

/* ---- the interface ---- */

static err_t link_output(struct netif *nif, struct pbuf *p)
{
        struct rk_net *net = nif->state;
        uint8_t frame[VIRTIO_NET_MAX_FRAME];
        const void *bytes = p->payload;

        if (p->tot_len > sizeof(frame))
                return ERR_IF;
        if (p->len != p->tot_len) { /* a chain: gather it (the driver copies into Realm RAM) */
                if (pbuf_copy_partial(p, frame, p->tot_len, 0) != p->tot_len)
                        return ERR_IF;
                bytes = frame;
        }
        ccada_status st = virtio_net_xmit(net->dev, bytes, p->tot_len);
        if (st == CCADA_E_BROKEN)
                net->dev_broken = true;
        if (st != CCADA_OK) {
                net->stats.frames_refused++;
                return ERR_IF; /* dropped, as a full queue drops; TCP sends it again */
        }
        net->stats.frames_out++;
        return ERR_OK;
}

static err_t netif_setup(struct netif *nif)
{
        struct rk_net *net = nif->state;
        nif->name[0] = 'e';
        nif->name[1] = 'n';
        nif->hwaddr_len = ETH_HWADDR_LEN;
        virtio_net_mac(net->dev, nif->hwaddr);
        nif->mtu = 1500;
        nif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
        nif->output = etharp_output;
        nif->linkoutput = link_output;
        return ERR_OK;
}

/* Passes every waiting frame to lwIP and runs the timers that are due. True when a frame
 * came. Frames are received straight into a pbuf (the stack's memory). The receive path
 * runs as NAPI does, in a softirq: on the task's own time when the task did not sleep, in
 * the idle task's ("<idle>-0") after it slept waiting (after_wait), as a Linux task blocked
 * in connect or recv leaves the CPU idle until the interrupt. So a trace filtered on the
 * app's name shows what the app itself sends, as the lab's "grep keybroker-app-" does. */
static bool net_poll(struct rk_net *net, bool after_wait)
{
        struct rk_cpu_ctx saved, napi;
        struct realm_task task = *rk_current(net->k);
        bool any = false;

        if (after_wait)
                rk_set_current(net->k, "<idle>", 0);
        rk_cpu_ctx_get(net->k, &saved);
        napi = saved;
        napi.softirq = true;
        rk_cpu_ctx_set(net->k, &napi);
        for (;;) {
                struct pbuf *p = pbuf_alloc(PBUF_RAW, VIRTIO_NET_MAX_FRAME, PBUF_RAM);
                size_t len = 0;
                if (!p)
                        break;
                ccada_status st = virtio_net_receive(net->dev, p->payload, VIRTIO_NET_MAX_FRAME, &len);
                if (st != CCADA_OK) {
                        pbuf_free(p);
                        if (st == CCADA_E_BROKEN)
                                net->dev_broken = true;
                        break;
                }
                pbuf_realloc(p, (u16_t)len);
                net->stats.frames_in++;
                any = true;
                if (net->nif.input(p, &net->nif) != ERR_OK)
                        pbuf_free(p);
        }
        run_timers(net);
        rk_cpu_ctx_set(net->k, &saved);
        if (after_wait)
                rk_set_current(net->k, task.comm, task.pid);
        return any;
}

/* Runs the stack until done(arg), the device breaks or timeout_ms of virtual time passed. */
static ccada_status net_wait(struct rk_net *net, bool (*done)(void *), void *arg, unsigned timeout_ms)
{
        uint64_t start = now_ms(net);
        bool came = net_poll(net, false);
        for (;;) {
                if (done(arg))
                        return CCADA_OK;
                if (net->dev_broken)
                        return CCADA_E_BROKEN;
                if (now_ms(net) - start >= timeout_ms)
                        return CCADA_E_TIMEOUT;
                if (!came) {
                        rk_wait(net->k);
                        came = net_poll(net, true);
                        if (!came) { /* an idle tick: the next timer interrupt */
                                struct trace *t = rk_trace(net->k);
                                if (t)
                                        trace_advance(t, (uint64_t)RK_NET_IDLE_TICK_MS * 1000000u);
                                net->stats.idle_ticks++;
                        }
                } else {
                        came = net_poll(net, false);
                }
        }
}

static void ip4_of(ip4_addr_t *a, const uint8_t b[4], uint8_t d0, uint8_t d1, uint8_t d2, uint8_t d3)
{
        bool zero = !(b[0] | b[1] | b[2] | b[3]);
        IP4_ADDR(a, zero ? d0 : b[0], zero ? d1 : b[1], zero ? d2 : b[2], zero ? d3 : b[3]);
}

ccada_status rk_net_up(struct realm_kernel *k, struct virtio_net *dev, const struct rk_net_config *cfg,
                       struct rk_net **out)
{
        static const struct rk_net_config none;
        ip4_addr_t ip, mask, gw;

        if (!k || !dev || !out)
                return CCADA_E_INVAL;
        if (!cfg)
                cfg = &none;
        struct rk_net *net = rk_zalloc(k, 1, sizeof(*net));
        if (!net)
                return CCADA_E_NOMEM;
        struct rk_net *expected = NULL;
        if (!atomic_compare_exchange_strong(&lwip_owner, &expected, net)) {
                rk_kfree(k, net);
                rk_printk(k, "net: another Realm's network stack is up in this process (lwIP is process-wide)");
                return CCADA_E_BUSY;
        }
        if (pthread_once(&lwip_once, lwip_init_once) != 0) {
                atomic_store(&lwip_owner, NULL);
                rk_kfree(k, net);
                return CCADA_E_NOMEM;
        }
        net->k = k;
        net->dev = dev;
        ip4_of(&ip, cfg->ip, 10, 0, 2, 15);
        ip4_of(&mask, cfg->netmask, 255, 255, 255, 0);
        ip4_of(&gw, cfg->gateway, 10, 0, 2, 2);
        if (!netif_add(&net->nif, &ip, &mask, &gw, net, netif_setup, ethernet_input)) {
                atomic_store(&lwip_owner, NULL);
                rk_kfree(k, net);
                return CCADA_E_NOMEM;
        }
        netif_set_default(&net->nif);
        netif_set_up(&net->nif);
        if (virtio_net_link_up(dev))
                netif_set_link_up(&net->nif);
        uint64_t now = now_ms(net);
        net->tcp_due_ms = now + TCP_TMR_INTERVAL;
        net->arp_due_ms = now + ARP_TMR_INTERVAL;
        rk_printk(k, "net: %s up, %u.%u.%u.%u/%u via %u.%u.%u.%u", virtio_net_name(dev), ip4_addr1(&ip),
                  ip4_addr2(&ip), ip4_addr3(&ip), ip4_addr4(&ip), (unsigned)__builtin_popcount(ip4_addr_get_u32(&mask)),
                  ip4_addr1(&gw), ip4_addr2(&gw), ip4_addr3(&gw), ip4_addr4(&gw));
        *out = net;
        return CCADA_OK;
}

static bool no_connections(void *arg)
{
        (void)arg;
        return tcp_active_pcbs == NULL;
}

void rk_net_down(struct rk_net *net)
{
        if (!net)
                return;
        if (!net->dev_broken && tcp_active_pcbs)
                (void)net_wait(net, no_connections, net, RK_NET_LINGER_MS);
        while (tcp_active_pcbs)
                tcp_abort(tcp_active_pcbs);
        while (tcp_tw_pcbs)
                tcp_abort(tcp_tw_pcbs);
        netif_set_down(&net->nif);
        netif_remove(&net->nif);
        atomic_store(&lwip_owner, NULL);
        rk_kfree(net->k, net);
}

void rk_net_get_stats(const struct rk_net *net, struct rk_net_stats *st)
{
        if (st)
                *st = net ? net->stats : (struct rk_net_stats){ 0 };
}

/* ---- TCP ---- */

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
        struct rk_tcp *c = arg;
        (void)pcb;
        if (c)
                c->connected = err == ERR_OK;
        return ERR_OK;
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
        struct rk_tcp *c = arg;
        (void)pcb;
        if (!c) {
                if (p)
                        pbuf_free(p);
                return ERR_OK;
        }
        if (!p) {
                c->peer_closed = true;
                return ERR_OK;
        }
        if (err != ERR_OK) {
                pbuf_free(p);
                return ERR_OK;
        }
        if (c->rx_count == RX_QUEUE)
                return ERR_MEM; /* lwIP keeps p and offers it again */
        c->rx[(c->rx_head + c->rx_count++) % RX_QUEUE] = p;
        return ERR_OK;
}

/* lwIP freed the pcb (reset, refused, aborted). */
static void on_error(void *arg, err_t err)
{
        struct rk_tcp *c = arg;
        if (!c)
                return;
        c->pcb = NULL;
        c->failed = true;
        c->err = err;
}

static const char *err_text(err_t e)
{
        switch (e) {
        case ERR_RST: return "connection reset by peer";
        case ERR_ABRT: return "connection aborted";
        case ERR_CLSD: return "connection closed";
        case ERR_RTE: return "no route to host";
        case ERR_CONN: return "connection refused";
        case ERR_TIMEOUT: return "timed out";
        case ERR_MEM: return "out of memory";
        default: return "network error";
        }
}

static bool conn_settled(void *arg)
{
        const struct rk_tcp *c = arg;
        return c->connected || c->failed;
}

ccada_status rk_tcp_connect(struct rk_net *net, const uint8_t ip[4], uint16_t port, unsigned timeout_ms,
                            struct rk_tcp **out, const char **why)
{
        ip_addr_t dst;
        const char *dummy;

        if (!why)
                why = &dummy;
        *why = NULL;
        if (!net || !ip || !out || port == 0)
                return CCADA_E_INVAL;
        struct rk_tcp *c = rk_zalloc(net->k, 1, sizeof(*c));
        if (!c)
                return CCADA_E_NOMEM;
        c->net = net;
        if (!(c->pcb = tcp_new())) {
                rk_kfree(net->k, c);
                return CCADA_E_NOMEM;
        }
        tcp_arg(c->pcb, c);
        tcp_recv(c->pcb, on_recv);
        tcp_err(c->pcb, on_error);
        /* TCP_NODELAY, as HTTP clients set it (hyper, curl): with Nagle a request's last
         * partial segment waits for the peer's delayed ACK, 200 ms with libslirp. */
        tcp_nagle_disable(c->pcb);
        IP_ADDR4(&dst, ip[0], ip[1], ip[2], ip[3]);
        /* No loopback interface: lwIP's loopback path hands packets to the tcpip thread,
         * which this stack never starts. The Realm's own address and 127/8 are refused. */
        bool local = ip[0] == 127 || ip4_addr_cmp(ip_2_ip4(&dst), netif_ip4_addr(&net->nif));
        err_t e = local ? ERR_RTE : tcp_connect(c->pcb, &dst, port, on_connected);
        ccada_status st = e == ERR_OK ? net_wait(net, conn_settled, c, timeout_ms) : CCADA_E_IO;
        if (st == CCADA_OK && c->failed) {
                st = CCADA_E_IO;
                *why = err_text(c->err == ERR_RST ? ERR_CONN : c->err);
        } else if (e != ERR_OK) {
                *why = err_text(e);
        }
        if (st != CCADA_OK) {
                rk_tcp_close(c);
                return st;
        }
        *out = c;
        return CCADA_OK;
}

struct send_wait {
        struct rk_tcp *c;
        size_t need;
};

static bool send_room(void *arg)
{
        const struct send_wait *w = arg;
        return !w->c->pcb || w->c->failed || tcp_sndbuf(w->c->pcb) >= w->need;
}

ccada_status rk_tcp_send(struct rk_tcp *c, const void *data, size_t len, unsigned timeout_ms)
{
        const uint8_t *p = data;

        if (!c || (!data && len))
                return CCADA_E_INVAL;
        while (len) {
                if (c->failed || !c->pcb)
                        return CCADA_E_IO;
                size_t room = tcp_sndbuf(c->pcb);
                size_t n = len < room ? len : room;
                if (n > 0xFFFFu)
                        n = 0xFFFFu;
                err_t e = n ? tcp_write(c->pcb, p, (u16_t)n, TCP_WRITE_FLAG_COPY | (n < len ? TCP_WRITE_FLAG_MORE : 0))
                            : ERR_MEM;
                if (e == ERR_MEM) { /* full: send what is queued, wait until acknowledgements free room */
                        (void)tcp_output(c->pcb);
                        struct send_wait w = { c, room + 1 };
                        ccada_status st = net_wait(c->net, send_room, &w, timeout_ms);
                        if (st != CCADA_OK)
                                return st;
                        continue;
                }
                if (e != ERR_OK)
                        return CCADA_E_IO;
                p += n;
                len -= n;
        }
        if (c->pcb && tcp_output(c->pcb) != ERR_OK)
                return CCADA_E_IO;
        return c->net->dev_broken ? CCADA_E_BROKEN : CCADA_OK;
}

static bool recv_ready(void *arg)
{
        const struct rk_tcp *c = arg;
        return c->rx_count || c->peer_closed || c->failed;
}

ccada_status rk_tcp_recv(struct rk_tcp *c, void *buf, size_t cap, size_t *got, unsigned timeout_ms)
{
        if (!c || !buf || !got || cap == 0)
                return CCADA_E_INVAL;
        *got = 0;
        ccada_status st = net_wait(c->net, recv_ready, c, timeout_ms);
        if (st != CCADA_OK)
                return st;
        if (!c->rx_count)
                return c->failed ? CCADA_E_IO : CCADA_OK; /* closed by the peer: end of stream */
        size_t n = 0;
        uint8_t *out = buf;
        while (n < cap && c->rx_count) { /* whole chains read are freed */
                struct pbuf *p = c->rx[c->rx_head];
                size_t take = p->tot_len - c->rx_off < cap - n ? p->tot_len - c->rx_off : cap - n;
                if (pbuf_copy_partial(p, out + n, (u16_t)take, (u16_t)c->rx_off) != take)
                        return CCADA_E_IO;
                n += take;
                c->rx_off += take;
                if (c->rx_off == p->tot_len) {
                        pbuf_free(p);
                        c->rx_head = (c->rx_head + 1) % RX_QUEUE;
                        c->rx_count--;
                        c->rx_off = 0;
                }
        }
        *got = n;
        /* Open the window by what was read (tcp_recved counts 16 bits at a time). */
        for (size_t left = n; c->pcb && left;) {
                u16_t step = left > 0xFFFFu ? 0xFFFFu : (u16_t)left;
                tcp_recved(c->pcb, step);
                left -= step;
        }
        if (c->pcb) {
                /* tcp_cleanup_rbuf: having read, the task acknowledges at once what it has
                 * not yet acknowledged (a bare ACK, sent from its own context). */
                if (c->pcb->flags & TF_ACK_DELAY) {
                        tcp_ack_now(c->pcb);
                        (void)tcp_output(c->pcb); /* best effort: lwIP sends it later otherwise */
                }
        }
        return CCADA_OK;
}

void rk_tcp_close(struct rk_tcp *c)
{
        if (!c)
                return;
        if (c->pcb) {
                tcp_arg(c->pcb, NULL);
                tcp_recv(c->pcb, NULL);
                tcp_err(c->pcb, NULL);
                if (tcp_close(c->pcb) != ERR_OK)
                        tcp_abort(c->pcb);
                c->pcb = NULL;
        }
        while (c->rx_count) {
                pbuf_free(c->rx[c->rx_head]);
                c->rx_head = (c->rx_head + 1) % RX_QUEUE;
                c->rx_count--;
        }
        rk_kfree(c->net->k, c);
}
