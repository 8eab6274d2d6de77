/* The libslirp network backend (see net_slirp.h).
 *
 * libslirp runs inside the caller's thread: it calls back send_packet for each frame it
 * produces (appended to the receive queue here), asks for timers (kept in a list here and
 * fired from tx, rx_poll and wait) and lets the application poll its sockets
 * (slirp_pollfds_fill builds a pollfd array through add_poll, slirp_pollfds_poll reads the
 * results through get_revents). All state is in struct net_slirp, which is libslirp's opaque.
 */
#ifndef _POSIX_C_SOURCE /* the build defines it; this lets the file be checked on its own */
#define _POSIX_C_SOURCE 200809L
#endif
#include "host/net_slirp.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <slirp/libslirp.h>

#define NS_PER_MS       1000000
#define POLL_SET_FIRST  16u    /* pollfds first allocated; doubled as libslirp needs */
#define POLL_SET_MAX    65536u /* sockets polled in one round at most */
#define TIMER_FIRES_MAX 64u    /* timer callbacks in one run (a handler may re-arm itself) */
#define GUEST_ERROR_MAX 128u

/* A frame libslirp produced, waiting for rx_poll. */
struct rx_slot {
        uint16_t len; /* 1..NET_SLIRP_FRAME_MAX */
        uint8_t bytes[NET_SLIRP_FRAME_MAX];
};

/* A timer libslirp created: timer_new (cb set) or timer_new_opaque (cb NULL: fired through
 * slirp_handle_timer with id). */
struct slirp_timer {
        struct slirp_timer *next;
        int64_t expire_ns; /* on the monotonic clock; TIMER_DISARMED when not armed */
        SlirpTimerCb cb;
        SlirpTimerId id;
        void *cb_opaque;
};

#define TIMER_DISARMED (-1)

struct net_slirp {
        struct net_backend b; /* first: the ops get this back */
        Slirp *slirp;
        bool closing; /* inside slirp_cleanup: frames are no longer queued */

        /* The receive queue: a ring of rx_cap slots, rx_count of them full from rx_head. */
        struct rx_slot *rx;
        unsigned rx_cap, rx_head, rx_count;

        /* One round's poll set (rebuilt by every slirp_pollfds_fill). */
        struct pollfd *pfd;
        unsigned npfd, pfd_cap;
        bool pfd_full; /* a socket could not be added this round */

        struct slirp_timer *timers;

        /* The frame being sent, gathered here so libslirp sees one contiguous buffer (it
         * checks ARP and NC-SI frames against their length itself: 4.7.0 answers neither
         * when one is cut short). */
        uint8_t tx[NET_SLIRP_FRAME_MAX];

        struct net_slirp_stats stats;
        struct net_slirp_error err;
        char guest_error[GUEST_ERROR_MAX];
};

#define SLIRP_OF(bb) ((struct net_slirp *)(void *)(bb))

const char *net_slirp_error_reason_name(enum net_slirp_error_reason r)
{
        switch (r) {
        case NET_SLIRP_ERR_NONE: return "none";
        case NET_SLIRP_ERR_BAD_ARGUMENT: return "bad_argument";
        case NET_SLIRP_ERR_BAD_IOV: return "bad_iov";
        case NET_SLIRP_ERR_BAD_FRAME: return "bad_frame";
        case NET_SLIRP_ERR_TOO_BIG: return "too_big";
        case NET_SLIRP_ERR_SYSTEM: return "system";
        case NET_SLIRP_ERR_NO_MEMORY: return "no_memory";
        }
        return "?";
}

static ccada_status fail(struct net_slirp *s, ccada_status st, enum net_slirp_error_reason r, int sys_errno)
{
        s->err = (struct net_slirp_error){ .reason = r, .status = st, .sys_errno = sys_errno };
        return st;
}

/* The monotonic clock in ns. open checked that it can be read; clock_gettime then fails
 * only for a bad pointer. */
static int64_t now_ns(void)
{
        struct timespec ts;
        if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
                return 0;
        return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- iovecs ---- */

/* Total bytes of iov[0, n) in *total, or SIZE_MAX once it passes limit (so the sum cannot
 * overflow); false when the iovecs are malformed (too many, a NULL buffer that is not empty). */
static bool iov_total(const struct iovec *iov, unsigned n, size_t limit, size_t *total)
{
        size_t sum = 0;
        if (n > NET_SLIRP_MAX_IOV || (n && !iov))
                return false;
        for (unsigned i = 0; i < n; i++) {
                if (iov[i].iov_len && !iov[i].iov_base)
                        return false;
                if (iov[i].iov_len > limit - sum) {
                        sum = SIZE_MAX;
                        limit = SIZE_MAX; /* keep checking the remaining buffers */
                        continue;
                }
                sum += iov[i].iov_len;
        }
        *total = sum;
        return true;
}

/* ---- libslirp's callbacks ---- */

/* What send_packet returns for a frame it took (queued or dropped on purpose). */
static ssize_t accepted(size_t len) { return len > SSIZE_MAX ? SSIZE_MAX : (ssize_t)len; }

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
        struct net_slirp *s = opaque;
        if (s->closing)
                return accepted(len);
        /* Dropping is what libslirp expects of a guest that cannot take a frame now: TCP
         * retransmits. A negative return would only make it log a critical message. */
        if (len == 0 || len > NET_SLIRP_FRAME_MAX) { /* not with an MTU of at most 1500 */
                s->stats.rx_dropped_too_big++;
                return accepted(len);
        }
        if (s->rx_count == s->rx_cap) {
                s->stats.rx_dropped_full++;
                return accepted(len);
        }
        struct rx_slot *slot = &s->rx[(s->rx_head + s->rx_count) % s->rx_cap];
        memcpy(slot->bytes, buf, len);
        slot->len = (uint16_t)len;
        s->rx_count++;
        s->stats.rx_queued = s->rx_count;
        if (s->rx_count > s->stats.rx_queue_high_water)
                s->stats.rx_queue_high_water = s->rx_count;
        return accepted(len);
}

static void cb_guest_error(const char *msg, void *opaque)
{
        struct net_slirp *s = opaque;
        s->stats.guest_errors++;
        snprintf(s->guest_error, sizeof(s->guest_error), "%s", msg ? msg : "(null)");
}

static int64_t cb_clock_get_ns(void *opaque)
{
        (void)opaque;
        return now_ns();
}

static struct slirp_timer *timer_add(struct net_slirp *s, SlirpTimerCb cb, SlirpTimerId id, void *cb_opaque)
{
        struct slirp_timer *t = calloc(1, sizeof(*t));
        if (!t)
                return NULL; /* libslirp then has no timer: it never fires */
        *t = (struct slirp_timer){
                .next = s->timers, .expire_ns = TIMER_DISARMED, .cb = cb, .id = id, .cb_opaque = cb_opaque
        };
        s->timers = t;
        return t;
}

static void *cb_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
        return timer_add(opaque, cb, SLIRP_TIMER_NUM, cb_opaque);
}

static void *cb_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
        return timer_add(opaque, NULL, id, cb_opaque);
}

static void cb_timer_free(void *timer, void *opaque)
{
        struct net_slirp *s = opaque;
        for (struct slirp_timer **pp = &s->timers; *pp; pp = &(*pp)->next) {
                if (*pp == timer) {
                        *pp = (*pp)->next;
                        free(timer);
                        return;
                }
        }
}

/* expire_ms: when, in ms on the clock cb_clock_get_ns reads. */
static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
        struct slirp_timer *t = timer;
        (void)opaque;
        if (!t)
                return;
        if (expire_ms <= 0)
                t->expire_ns = 0;
        else if (expire_ms > INT64_MAX / NS_PER_MS)
                t->expire_ns = INT64_MAX;
        else
                t->expire_ns = expire_ms * NS_PER_MS;
}

/* libslirp registers its sockets for an application that polls them from another thread;
 * here every round polls what slirp_pollfds_fill lists, and nothing runs in between. */
static void cb_register_poll_fd(int fd, void *opaque)
{
        (void)fd;
        (void)opaque;
}

static void cb_unregister_poll_fd(int fd, void *opaque)
{
        (void)fd;
        (void)opaque;
}

static void cb_notify(void *opaque) { (void)opaque; }

/* Called inside slirp_new, before it returns. */
static void cb_init_completed(Slirp *slirp, void *opaque)
{
        struct net_slirp *s = opaque;
        s->slirp = slirp;
}

static const SlirpCb slirp_callbacks = {
        .send_packet = cb_send_packet,
        .guest_error = cb_guest_error,
        .clock_get_ns = cb_clock_get_ns,
        .timer_new = cb_timer_new,
        .timer_free = cb_timer_free,
        .timer_mod = cb_timer_mod,
        .register_poll_fd = cb_register_poll_fd,
        .unregister_poll_fd = cb_unregister_poll_fd,
        .notify = cb_notify,
        .init_completed = cb_init_completed,
        .timer_new_opaque = cb_timer_new_opaque,
};

/* ---- timers ---- */

/* Fires every armed timer that is due, each disarmed before its handler runs (a handler may
 * re-arm or free any timer, so the scan restarts after each one). */
static void timers_run(struct net_slirp *s)
{
        for (unsigned fired = 0; fired < TIMER_FIRES_MAX; fired++) {
                int64_t now = now_ns();
                struct slirp_timer *t = s->timers;
                while (t && (t->expire_ns == TIMER_DISARMED || t->expire_ns > now))
                        t = t->next;
                if (!t)
                        return;
                t->expire_ns = TIMER_DISARMED;
                if (t->cb)
                        t->cb(t->cb_opaque);
                else
                        slirp_handle_timer(s->slirp, t->id, t->cb_opaque);
        }
}

/* ms until the first armed timer is due (rounded up; 0 if one is due), at most limit_ms. */
static uint32_t timers_next_ms(const struct net_slirp *s, uint32_t limit_ms)
{
        int64_t now = now_ns();
        uint32_t ms = limit_ms;
        for (const struct slirp_timer *t = s->timers; t; t = t->next) {
                if (t->expire_ns == TIMER_DISARMED)
                        continue;
                int64_t left = t->expire_ns - now;
                if (left <= 0)
                        return 0;
                if (left / NS_PER_MS < (int64_t)ms)
                        ms = (uint32_t)((left + NS_PER_MS - 1) / NS_PER_MS);
        }
        return ms;
}

/* ---- one round of libslirp's event loop ---- */

static int cb_add_poll(int fd, int events, void *opaque)
{
        struct net_slirp *s = opaque;
        if (s->npfd == s->pfd_cap) {
                unsigned cap = s->pfd_cap ? s->pfd_cap * 2 : POLL_SET_FIRST;
                struct pollfd *p = cap <= POLL_SET_MAX ? realloc(s->pfd, cap * sizeof(*p)) : NULL;
                if (!p) {
                        s->pfd_full = true;
                        return -1; /* libslirp skips this socket this round */
                }
                s->pfd = p;
                s->pfd_cap = cap;
        }
        int ev = 0;
        if (events & SLIRP_POLL_IN)
                ev |= POLLIN;
        if (events & SLIRP_POLL_OUT)
                ev |= POLLOUT;
        if (events & SLIRP_POLL_PRI)
                ev |= POLLPRI;
        /* POLLERR and POLLHUP are always reported. */
        s->pfd[s->npfd] = (struct pollfd){ .fd = fd, .events = (short)ev };
        return (int)s->npfd++;
}

static int cb_get_revents(int idx, void *opaque)
{
        const struct net_slirp *s = opaque;
        if (idx < 0 || (unsigned)idx >= s->npfd)
                return 0;
        int re = s->pfd[idx].revents, ev = 0;
        if (re & POLLIN)
                ev |= SLIRP_POLL_IN;
        if (re & POLLOUT)
                ev |= SLIRP_POLL_OUT;
        if (re & POLLPRI)
                ev |= SLIRP_POLL_PRI;
        if (re & POLLERR)
                ev |= SLIRP_POLL_ERR;
        if (re & POLLHUP)
                ev |= SLIRP_POLL_HUP;
        return ev;
}

/* Polls libslirp's sockets for up to timeout_ms (less if libslirp's TCP timers or a timer of
 * ours need it sooner), lets libslirp act on what is ready, then fires due timers.
 * CCADA_E_IO: poll failed (other than EINTR); CCADA_E_NOMEM: a socket could not be polled.
 * Either way libslirp ran its timers and output, so the round did what it could. */
static ccada_status pump(struct net_slirp *s, uint32_t timeout_ms)
{
        uint32_t ms = timeout_ms;
        s->npfd = 0;
        s->pfd_full = false;
        slirp_pollfds_fill(s->slirp, &ms, cb_add_poll, s);
        ms = timers_next_ms(s, ms < timeout_ms ? ms : timeout_ms);
        int rc = poll(s->pfd, s->npfd, ms > INT_MAX ? INT_MAX : (int)ms);
        int poll_errno = rc < 0 ? errno : 0;
        /* After a failed poll libslirp still runs its TCP timers and output, not its sockets. */
        slirp_pollfds_poll(s->slirp, rc < 0, cb_get_revents, s);
        timers_run(s);
        if (rc < 0 && poll_errno != EINTR)
                return fail(s, CCADA_E_IO, NET_SLIRP_ERR_SYSTEM, poll_errno);
        if (s->pfd_full)
                return fail(s, CCADA_E_NOMEM, NET_SLIRP_ERR_NO_MEMORY, 0);
        return CCADA_OK;
}

/* ---- the ops ---- */

static ccada_status ns_tx(struct net_backend *b, const struct iovec *iov, unsigned n)
{
        struct net_slirp *s = SLIRP_OF(b);
        size_t len;
        s->err = (struct net_slirp_error){ 0 };
        if (!iov_total(iov, n, NET_SLIRP_FRAME_MAX, &len))
                return fail(s, CCADA_E_INVAL, NET_SLIRP_ERR_BAD_IOV, 0);
        if (len < NET_SLIRP_FRAME_MIN || len > NET_SLIRP_FRAME_MAX)
                return fail(s, CCADA_E_INVAL, NET_SLIRP_ERR_BAD_FRAME, 0);
        size_t off = 0;
        for (unsigned i = 0; i < n; i++) {
                if (iov[i].iov_len)
                        memcpy(s->tx + off, iov[i].iov_base, iov[i].iov_len);
                off += iov[i].iov_len;
        }
        timers_run(s);
        slirp_input(s->slirp, s->tx, (int)len);
        s->stats.tx_frames++;
        s->stats.tx_bytes += len;
        return CCADA_OK;
}

static ccada_status ns_rx_poll(struct net_backend *b, const struct iovec *iov, unsigned n, size_t *len)
{
        struct net_slirp *s = SLIRP_OF(b);
        size_t room;
        s->err = (struct net_slirp_error){ 0 };
        if (!len)
                return fail(s, CCADA_E_INVAL, NET_SLIRP_ERR_BAD_ARGUMENT, 0);
        *len = 0;
        if (!iov_total(iov, n, NET_SLIRP_FRAME_MAX, &room))
                return fail(s, CCADA_E_INVAL, NET_SLIRP_ERR_BAD_IOV, 0);
        ccada_status st = pump(s, 0);
        if (!s->rx_count)
                return st; /* CCADA_OK (nothing waiting) or what failed in the round */
        /* A waiting frame is handed over even after a failed round (a poll(2) that keeps
         * failing must not strand it); the failure is reported once the queue is empty. */
        s->err = (struct net_slirp_error){ 0 };
        const struct rx_slot *slot = &s->rx[s->rx_head];
        s->rx_head = (s->rx_head + 1) % s->rx_cap;
        s->rx_count--;
        s->stats.rx_queued = s->rx_count;
        if (slot->len > room) {
                s->stats.rx_dropped_too_big++;
                return fail(s, CCADA_E_NOSPC, NET_SLIRP_ERR_TOO_BIG, 0);
        }
        size_t off = 0;
        for (unsigned i = 0; i < n && off < slot->len; i++) {
                size_t chunk = slot->len - off < iov[i].iov_len ? slot->len - off : iov[i].iov_len;
                if (chunk)
                        memcpy(iov[i].iov_base, slot->bytes + off, chunk);
                off += chunk;
        }
        *len = slot->len;
        s->stats.rx_frames++;
        s->stats.rx_bytes += slot->len;
        return CCADA_OK;
}

static ccada_status ns_wait(struct net_backend *b, int timeout_ms, bool *ready)
{
        struct net_slirp *s = SLIRP_OF(b);
        s->err = (struct net_slirp_error){ 0 };
        if (!ready || timeout_ms < 0)
                return fail(s, CCADA_E_INVAL, NET_SLIRP_ERR_BAD_ARGUMENT, 0);
        *ready = false;
        const int64_t deadline = now_ns() + (int64_t)timeout_ms * NS_PER_MS;
        /* A frame already waiting ends the wait before any blocking: a round of poll would
         * otherwise sleep up to libslirp's own timeout (a second) with the frame in hand. */
        while (!s->rx_count) {
                int64_t left = deadline - now_ns();
                uint32_t ms = left <= 0 ? 0 : (uint32_t)((left + NS_PER_MS - 1) / NS_PER_MS);
                ccada_status st = pump(s, ms);
                if (st != CCADA_OK && !s->rx_count)
                        return st;
                if (!s->rx_count && now_ns() >= deadline)
                        return CCADA_OK;
        }
        s->err = (struct net_slirp_error){ 0 }; /* a frame is ready: the call succeeded */
        *ready = true;
        return CCADA_OK;
}

static void ns_close(struct net_backend *b)
{
        struct net_slirp *s = SLIRP_OF(b);
        s->closing = true;
        if (s->slirp)
                slirp_cleanup(s->slirp); /* closes its sockets; frees its timers through us */
        while (s->timers) {
                struct slirp_timer *t = s->timers;
                s->timers = t->next;
                free(t);
        }
        free(s->pfd);
        free(s->rx);
        free(s);
}

static const struct net_backend_ops net_slirp_ops = {
        .kind = "slirp",
        .tx = ns_tx,
        .rx_poll = ns_rx_poll,
        .wait = ns_wait,
        .close = ns_close,
};

/* ---- opening ---- */

/* The configuration with its defaults applied, or false when a field is out of range. */
static bool config_resolve(const struct net_slirp_config *in, struct net_slirp_config *out)
{
        struct net_slirp_config c = *in;
        if (!c.network)
                c.network = NET_SLIRP_IPV4(10, 0, 2, 0);
        if (!c.netmask)
                c.netmask = NET_SLIRP_IPV4(255, 255, 255, 0);
        uint32_t hostmask = ~c.netmask;
        /* Contiguous ones (hostmask + 1 a power of two) and at least 4 addresses. */
        if ((hostmask & (hostmask + 1)) != 0 || hostmask < 3 || (c.network & hostmask))
                return false;
        if (!c.host)
                c.host = c.network | 2;
        if (!c.dhcp_start)
                c.dhcp_start = c.network | 15;
        if (!c.dns)
                c.dns = c.network | 3;
        const uint32_t inside[] = { c.host, c.dhcp_start, c.dns };
        for (size_t i = 0; i < sizeof(inside) / sizeof(inside[0]); i++) {
                uint32_t h = inside[i] & hostmask;
                if ((inside[i] & c.netmask) != c.network || h == 0 || h == hostmask)
                        return false;
        }
        if (!c.mtu)
                c.mtu = NET_SLIRP_MTU_MAX;
        if (c.mtu < NET_SLIRP_MTU_MIN || c.mtu > NET_SLIRP_MTU_MAX)
                return false;
        if (!c.rx_queue_frames)
                c.rx_queue_frames = NET_SLIRP_RX_QUEUE_DEFAULT;
        if (c.rx_queue_frames > NET_SLIRP_RX_QUEUE_MAX)
                return false;
        *out = c;
        return true;
}

static struct in_addr in4(uint32_t host_order) { return (struct in_addr){ .s_addr = htonl(host_order) }; }

/* fec0::low, QEMU's IPv6 defaults for user networking. */
static struct in6_addr in6_site_local(uint8_t low)
{
        struct in6_addr a;
        memset(&a, 0, sizeof(a));
        a.s6_addr[0] = 0xfe;
        a.s6_addr[1] = 0xc0;
        a.s6_addr[15] = low;
        return a;
}

ccada_status net_slirp_open(struct net_backend **out, const struct net_slirp_config *cfg)
{
        struct net_slirp_config c;
        struct timespec ts;
        if (!out)
                return CCADA_E_INVAL;
        *out = NULL;
        if (!cfg || !config_resolve(cfg, &c))
                return CCADA_E_INVAL;
        if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
                return CCADA_E_IO;
        struct net_slirp *s = calloc(1, sizeof(*s));
        if (s)
                s->rx = calloc(c.rx_queue_frames, sizeof(*s->rx));
        if (!s || !s->rx) {
                free(s);
                return CCADA_E_NOMEM;
        }
        s->b.ops = &net_slirp_ops;
        s->rx_cap = c.rx_queue_frames;

        const SlirpConfig sc = {
                .version = 4,
                .restricted = c.restricted,
                .in_enabled = true,
                .vnetwork = in4(c.network),
                .vnetmask = in4(c.netmask),
                .vhost = in4(c.host),
                .in6_enabled = c.ipv6,
                .vprefix_addr6 = in6_site_local(0),
                .vprefix_len = 64,
                .vhost6 = in6_site_local(2),
                .vnameserver6 = in6_site_local(3),
                .vdhcp_start = in4(c.dhcp_start),
                .vnameserver = in4(c.dns),
                .if_mtu = c.mtu,
                .if_mru = c.mtu,
                .disable_host_loopback = false, /* 10.0.2.2 is 127.0.0.1 */
                .enable_emu = false,
        };
        Slirp *slirp = slirp_new(&sc, &slirp_callbacks, s);
        if (!slirp) {
                ns_close(&s->b);
                return CCADA_E_IO;
        }
        s->slirp = slirp;
        *out = &s->b;
        return CCADA_OK;
}

/* ---- inspection ---- */

static const struct net_slirp *ns_of_const(const struct net_backend *b)
{
        return b && b->ops == &net_slirp_ops ? (const struct net_slirp *)(const void *)b : NULL;
}

struct net_slirp_error net_slirp_last_error(const struct net_backend *b)
{
        const struct net_slirp *s = ns_of_const(b);
        return s ? s->err : (struct net_slirp_error){ 0 };
}

void net_slirp_get_stats(const struct net_backend *b, struct net_slirp_stats *st)
{
        const struct net_slirp *s = ns_of_const(b);
        if (!st)
                return;
        *st = s ? s->stats : (struct net_slirp_stats){ 0 };
}

const char *net_slirp_last_guest_error(const struct net_backend *b)
{
        const struct net_slirp *s = ns_of_const(b);
        return s ? s->guest_error : "";
}
