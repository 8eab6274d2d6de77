/* A network backend over libslirp: user-mode NAT between the guest's Ethernet and this
 * host's sockets (see net_backend.h for the contract every network backend meets).
 *
 * What it models is QEMU's "-netdev user": the guest sits alone on a small virtual IPv4
 * network, and libslirp plays every other machine on it (libslirp 4.7.0; header
 * <slirp/libslirp.h>, which only net_slirp.c includes). With the defaults:
 *   10.0.2.0/24   the virtual network
 *   10.0.2.2      the gateway and the host: a guest connection to 10.0.2.2:PORT becomes
 *                 a connection from this process to 127.0.0.1:PORT (libslirp's host loopback
 *                 mapping), so a server listening on loopback here is the guest's server
 *   10.0.2.3      the DNS server (libslirp forwards queries to this host's resolver)
 *   10.0.2.15     the first address libslirp's DHCP server hands out (the guest's address)
 *   1500          the MTU: frames are 14..1514 bytes (Ethernet header, no FCS, no VLAN tag)
 * The gateway answers ARP as 52:55:0a:00:02:02 (52:55 and then its IPv4 address) and ICMP
 * echo to 10.0.2.2 and 10.0.2.3 itself. Other destinations are reached through this host's
 * sockets unless the backend is restricted.
 *
 * Frames the guest sends (tx) go to slirp_input at once. Frames libslirp produces land in
 * a bounded FIFO of the backend (rx_queue_frames, default 256, each at most 1514 bytes);
 * when it is full the NEW frame is dropped and counted (TCP retransmits; this is what a
 * real NIC with a full receive ring does). rx_poll first runs one round of libslirp's
 * event loop without blocking (poll(2) with timeout 0 on its sockets, then its timers), so
 * data that has already arrived on a socket becomes frames, and then hands over one frame.
 * wait blocks in poll(2) on libslirp's sockets until a frame is queued or the timeout ends.
 *
 * IPv6 is off unless asked for (ipv6): then the guest's network also has the prefix
 * fec0::/64 with the host at fec0::2 and DNS at fec0::3, and libslirp
 * answers neighbour and router solicitations, sends router advertisements on a timer
 * (every 200 to 600 s) and serves DHCPv6 information requests.
 *
 * Not modelled: host-to-guest port forwarding (hostfwd) and guest forwarding (guestfwd,
 * exec), TFTP and BOOTP file names, SMB, DNS search lists, libslirp's protocol
 * "emulation" (enable_emu, unsafe), state save/load. DHCP and DNS are libslirp's own and
 * stay on.
 *
 * restricted (libslirp's flag) confines the guest to the virtual network: ARP, DHCP and ICMP
 * echo to 10.0.2.2/10.0.2.3 are answered, every other UDP datagram and ICMP echo is dropped,
 * and every TCP connection is reset, including those to 10.0.2.2 (loopback too).
 *
 * Context: single-threaded. Every call on a backend, and every libslirp callback, runs on
 * the caller's thread; libslirp itself keeps some process-wide state (its clock reading
 * `curtime`), so backends in one process must all be used from the same thread.
 * Ownership: net_slirp_open's caller owns the backend and closes it with ops->close.
 */
#ifndef CCADA_HOST_NET_SLIRP_H
#define CCADA_HOST_NET_SLIRP_H

#include <stdbool.h>
#include <stdint.h>

#include "ccada/status.h"
#include "host/net_backend.h"

#define NET_SLIRP_FRAME_MIN        14u   /* an Ethernet header */
#define NET_SLIRP_FRAME_MAX        1514u /* the header and a 1500-byte MTU */
#define NET_SLIRP_MTU_MIN          68u   /* libslirp's IF_MTU_MIN (RFC 791's minimum) */
#define NET_SLIRP_MTU_MAX          1500u /* so that every frame fits NET_SLIRP_FRAME_MAX */
#define NET_SLIRP_RX_QUEUE_DEFAULT 256u
#define NET_SLIRP_RX_QUEUE_MAX     4096u
#define NET_SLIRP_MAX_IOV          1024u /* iovecs in one tx or rx_poll (Linux's UIO_MAXIOV) */

/* An IPv4 address in host byte order: NET_SLIRP_IPV4(10, 0, 2, 2). */
#define NET_SLIRP_IPV4(a, b, c, d) \
        (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))

/* Every field 0 (or false) takes its default. Addresses are IPv4 in host byte order. */
struct net_slirp_config {
        uint32_t network;         /* 10.0.2.0; no bits outside netmask */
        uint32_t netmask;         /* 255.255.255.0; contiguous ones, /1../30 */
        uint32_t host;            /* network + 2: the gateway, which is 127.0.0.1 here */
        uint32_t dhcp_start;      /* network + 15 */
        uint32_t dns;             /* network + 3 */
        unsigned mtu;             /* 1500; NET_SLIRP_MTU_MIN..NET_SLIRP_MTU_MAX */
        unsigned rx_queue_frames; /* NET_SLIRP_RX_QUEUE_DEFAULT; 1..NET_SLIRP_RX_QUEUE_MAX */
        bool restricted;          /* false; see above */
        bool ipv6;                /* false; see above */
};

/* Opens a slirp backend with cfg (addresses other than network and netmask must lie inside
 * the network and differ from its network and broadcast addresses).
 * Errors: CCADA_E_INVAL (out or cfg NULL, a field out of range), CCADA_E_NOMEM,
 * CCADA_E_IO (the monotonic clock cannot be read, or libslirp refused the configuration).
 * *out is NULL on failure. */
ccada_status net_slirp_open(struct net_backend **out, const struct net_slirp_config *cfg) CCADA_MUST_CHECK;

/* What the ops return, and why (net_slirp_error):
 *   tx       CCADA_E_INVAL  BAD_IOV    iovecs malformed (n > NET_SLIRP_MAX_IOV, NULL buffer)
 *            CCADA_E_INVAL  BAD_FRAME  fewer than 14 or more than 1514 bytes; nothing sent
 *   rx_poll  CCADA_E_INVAL  BAD_IOV    as for tx
 *            CCADA_E_INVAL  BAD_ARGUMENT  len NULL
 *            CCADA_E_NOSPC  TOO_BIG    the frame at the head of the queue is longer than the
 *                                      iovecs: it was dropped whole (rx_dropped_too_big), the
 *                                      iovecs are untouched, *len is 0, and the next frame
 *                                      is there for the next call. Not a fault of the backend:
 *                                      the caller's buffers were too small for this frame.
 *            CCADA_OK with *len 0: no frame waiting.
 *   wait     CCADA_E_INVAL  BAD_ARGUMENT  ready NULL or timeout_ms < 0
 *   rx_poll, wait, when no frame is waiting (a waiting frame is handed over, or reported
 *   ready, even when the round of polling before it failed):
 *            CCADA_E_IO     SYSTEM     poll(2) failed (not EINTR, which is retried); sys_errno
 *            CCADA_E_NOMEM  NO_MEMORY  the poll set could not grow; some sockets were not
 *                                      polled this round (the next round tries again)
 * The backend stays usable after every error. */
enum net_slirp_error_reason {
        NET_SLIRP_ERR_NONE = 0,
        NET_SLIRP_ERR_BAD_ARGUMENT,
        NET_SLIRP_ERR_BAD_IOV,
        NET_SLIRP_ERR_BAD_FRAME,
        NET_SLIRP_ERR_TOO_BIG,
        NET_SLIRP_ERR_SYSTEM,
        NET_SLIRP_ERR_NO_MEMORY,
};
const char *net_slirp_error_reason_name(enum net_slirp_error_reason r);

/* Why the last op failed (reason NET_SLIRP_ERR_NONE when it succeeded). */
struct net_slirp_error {
        enum net_slirp_error_reason reason;
        ccada_status status; /* what the op returned */
        int sys_errno;       /* NET_SLIRP_ERR_SYSTEM: errno; else 0 */
};

/* The last op's error; a zeroed record when b is NULL or not a slirp backend. */
struct net_slirp_error net_slirp_last_error(const struct net_backend *b);

/* Counters since open. Every frame libslirp produced is in exactly one of rx_frames,
 * rx_dropped_full, rx_dropped_too_big and rx_queued. */
struct net_slirp_stats {
        uint64_t tx_frames, tx_bytes; /* handed to libslirp (rejected frames not counted) */
        uint64_t rx_frames, rx_bytes; /* handed to the caller by rx_poll */
        uint64_t rx_dropped_full;     /* produced while the queue was full */
        uint64_t rx_dropped_too_big;  /* longer than the caller's iovecs (or than a slot) */
        uint64_t guest_errors;        /* libslirp's guest_error reports */
        uint64_t rx_queued;           /* in the queue now */
        uint64_t rx_queue_high_water; /* most ever in the queue */
};

/* Copies b's counters to *st (all zero when b is NULL or not a slirp backend). */
void net_slirp_get_stats(const struct net_backend *b, struct net_slirp_stats *st);

/* The last message libslirp's guest_error reported (truncated to 127 bytes), "" if none.
 * Valid until the next call on b. libslirp 4.7.0 reports guest errors only for malformed
 * DHCPv6 requests, so only a backend with ipv6 sees any. */
const char *net_slirp_last_guest_error(const struct net_backend *b);

#endif
