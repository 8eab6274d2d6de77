/* The Realm's TCP/IP stack: lwIP (Debian's liblwip 2.1.3) over the virtio-net driver, and
 * the blocking TCP client calls a Realm app uses.
 *
 * How lwIP runs here, and why (facts/ecosystem.md §2.2). Debian ships lwIP built for the
 * GNU Hurd: NO_SYS=0, a pthread port, core locking. A NO_SYS=1 build would need lwIP's
 * sources, which no Debian binary package ships. That binary still allows the raw API from
 * ONE thread without the tcpip thread: lwip_init() (not tcpip_init), and the core-lock check
 * (sys_check_core_locking) passes while no tcpip thread was ever marked. So:
 *   - no tcpip thread is started: every lwIP call is made from the Realm's own task, on the
 *     REC, in the order the Realm makes it; received frames go straight to ethernet_input;
 *   - lwIP's timers are not run from its timeout list (sys_check_timeouts reads the host's
 *     wall clock through sys_now): the stack calls tcp_tmr, etharp_tmr and ip_reass_tmr
 *     itself at their intervals of the Realm's virtual clock (the machine's trace clock);
 *   - a task waits for the network in rk_net's wait loop: it drains the receive queue into
 *     lwIP, runs the timers that are due, checks what it waits for and, when nothing came,
 *     waits for the host (rk_wait: a WFI exit, where the host delivers frames and may block
 *     for them, host.h host_idle_dev). A wait that brings no frame counts as one idle tick
 *     (RK_NET_IDLE_TICK_MS of virtual time), as a tickless kernel sleeps to its next timer.
 *     Nothing in the loop holds a lock across the wait, so the REC loop never deadlocks.
 * Together: given the frames it receives, the Realm's network path is deterministic (no
 * thread, no wall clock); frames arrive as the host's sockets deliver them.
 *
 * lwIP keeps its state in process globals: one Realm network stack may be up per process
 * at a time (rk_net_up says CCADA_E_BUSY otherwise). Its buffers (pbufs) are the stack's
 * own memory, not Realm RAM: frames are copied between them and the driver's buffers in
 * Realm RAM, counted by the driver (virtio_net_stats tx_copy_bytes / rx_copy_bytes).
 *
 * Context: single-threaded, the Realm task that brought the stack up.
 */
#ifndef CCADA_REALM_NET_H
#define CCADA_REALM_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ccada/status.h"

struct realm_kernel;
struct virtio_net;
struct rk_net;
struct rk_tcp;

#define RK_NET_IDLE_TICK_MS 10u

/* Addresses as four bytes, most significant first. All zero: libslirp's defaults (guest
 * 10.0.2.15/24, gateway 10.0.2.2). */
struct rk_net_config {
        uint8_t ip[4], netmask[4], gateway[4];
};

struct rk_net_stats {
        uint64_t frames_in, frames_out;         /* through the driver */
        uint64_t frames_refused;                /* the driver could not send (dropped) */
        uint64_t idle_ticks;                    /* waits that brought nothing */
        uint64_t timer_runs;                    /* tcp_tmr calls */
};

/* Brings the interface up on dev (which stays the caller's). Errors: CCADA_E_BUSY (another
 * Realm network stack is up in this process), CCADA_E_INVAL, CCADA_E_NOMEM. */
ccada_status rk_net_up(struct realm_kernel *k, struct virtio_net *dev, const struct rk_net_config *cfg,
                       struct rk_net **out) CCADA_MUST_CHECK;
/* Lets connections still closing finish (bounded by RK_NET_LINGER_MS of virtual time),
 * aborts the rest and takes the interface down. NULL: no-op. */
#define RK_NET_LINGER_MS 2000u
void rk_net_down(struct rk_net *net);
void rk_net_get_stats(const struct rk_net *net, struct rk_net_stats *st);

/* A TCP connection to ip:port, waiting up to timeout_ms (virtual) for the handshake;
 * Nagle's algorithm off (TCP_NODELAY), as HTTP clients have it.
 * Errors: CCADA_E_IO (refused, reset, unreachable: *why says which, may be NULL),
 * CCADA_E_TIMEOUT, CCADA_E_BROKEN (the device broke), CCADA_E_NOMEM. */
ccada_status rk_tcp_connect(struct rk_net *net, const uint8_t ip[4], uint16_t port, unsigned timeout_ms,
                            struct rk_tcp **out, const char **why) CCADA_MUST_CHECK;
/* Queues all len bytes and pushes them out, waiting for send-buffer room as needed. */
ccada_status rk_tcp_send(struct rk_tcp *c, const void *data, size_t len, unsigned timeout_ms) CCADA_MUST_CHECK;
/* Waits until data is there (then copies up to cap bytes: *got), the peer closed (*got 0,
 * CCADA_OK), the connection failed (CCADA_E_IO) or timeout_ms passed (CCADA_E_TIMEOUT). */
ccada_status rk_tcp_recv(struct rk_tcp *c, void *buf, size_t cap, size_t *got, unsigned timeout_ms) CCADA_MUST_CHECK;
/* Closes (FIN) and frees c; the stack finishes the close. NULL: no-op. */
void rk_tcp_close(struct rk_tcp *c);

#endif
