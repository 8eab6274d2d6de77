/* virtio-net device model (virtio 1.2 §5.1) on the virtio-pci transport.
 *
 * Two queues: 0 receiveq, 1 transmitq. Every packet in either direction starts with the
 * 12-byte header (VERSION_1: num_buffers always present; virtio 1.2 §5.1.6); the layout
 * across descriptors does not matter (virtio 1.2 §2.7.4, message framing). Frames reach
 * the outside only through a struct net_backend (host/net_backend.h), as iovecs over the
 * guest's shared pages: the device keeps no bounce buffer of its own. Only the header is
 * copied (it is decoded or encoded).
 *
 * Transmit (the driver notifies queue 1; served synchronously, in ring order):
 *   a chain is device-readable only: the header, then an Ethernet frame of 14..1514 bytes
 *   (VIRTIO_NET_ETH_HLEN..VIRTIO_NET_MAX_FRAME). No offload is offered, so the header's
 *   flags must be 0 and gso_type NONE (virtio 1.2 §5.1.6.2.1: without CSUM or a HOST_TSO/UFO
 *   feature the driver MUST set them so); its other fields are not used. The frame, without
 *   the header, goes to the backend's tx; the chain comes back used with len 0.
 *   - The backend answers BUSY: the chain stays popped and unsent (held), the queue is not
 *     read further, and the same frame is offered again, before anything newer, at the next
 *     virtio_net_dev_poll() or transmit notification. Order is kept.
 *   - The backend fails: the frame is lost, as on a wire (backend_errors); the chain is used.
 * Receive (frames from the backend's rx_poll):
 *   a chain is device-writable only and at least VIRTIO_NET_RX_BUF (12 + 1514) bytes long:
 *   MRG_RXBUF is not offered, so one chain holds one whole packet (virtio 1.2 §5.1.6.3.1;
 *   Linux always posts at least that). The device holds at most one popped receive chain
 *   at a time, and may hold it until a frame comes; rx_poll writes the frame after the
 *   header, the device then writes the header (all zero but num_buffers = 1, virtio 1.2
 *   §5.1.6.4.1) and returns the chain used with len = 12 + frame length. Frames are delivered
 *   when the driver notifies queue 0 (it posted buffers) and at virtio_net_dev_poll(), which
 *   the machine calls when the guest waits; never from anywhere else.
 *
 * Dropped, not reset (the ring itself is intact: the device can give the chain back and go
 * on, as vhost-net does with a frame its tap refuses; STYLE.md keeps the sticky broken state
 * for conversations that cannot recover). The chain is returned used with len 0, counted,
 * and traced with drop=<reason>:
 *   transmit: a device-writable part, a readable part shorter than the header plus 14 or
 *   longer than 12 + 1514, a flags or gso_type other than 0, a header or frame in memory
 *   the host cannot reach (tx_dropped_bad). (QEMU is stricter for a chain without a whole
 *   header: it sets DEVICE_NEEDS_RESET. Dropping it costs the guest nothing it did not ask
 *   for and keeps one rule for every malformed frame.)
 *   receive: a device-readable part, a writable part shorter than VIRTIO_NET_RX_BUF, or
 *   buffer memory the host cannot reach (rx_bad_buffers). Holding such a chain would stall
 *   the queue for good (it can never take a full-size frame) and there is no unpop; a
 *   Linux driver takes a used len 0 as a short packet (rx_length_errors) and refills. The
 *   backend's frame is not taken for a chain that is then refused: it waits for the next.
 * DEVICE_NEEDS_RESET (virtio_pci_dev_needs_reset; nothing more is served until reset): a
 * ring the driver broke (vdq_pop's CCADA_E_PEER), a ring the host cannot reach (vdq_pop or
 * vdq_push failing).
 * Reset (the driver writes 0 to device_status): the held receive chain and the unsent
 * transmit chain are forgotten, without being used: the rings they came from are gone.
 *
 * Offered features: MAC (config mac) and STATUS (config status = LINK_UP, read-only), plus
 * the transport's (VERSION_1, ACCESS_PLATFORM, INDIRECT_DESC, EVENT_IDX). Config space:
 * mac, status, max_virtqueue_pairs (= 1); writes are ignored.
 * Not modelled: MRG_RXBUF, checksum and segmentation offloads (CSUM, GUEST_CSUM, HOST_ and
 * GUEST_TSO/UFO/USO), the control queue (CTRL_VQ: no RX mode, MAC or VLAN filtering, no
 * announce), multiqueue (MQ, RSS, HASH_REPORT), MTU, SPEED_DUPLEX, link changes.
 *
 * Everything the device decides on (chain shape, lengths, the transmit header) is copied in
 * or shadowed once; a frame is data only: a driver that changes it in flight gets what it
 * raced, as with any DMA. Guest buffers are mapped again at each attempt and never kept
 * across calls (a mapping is valid only until the guest next runs).
 *
 * Context: single-threaded; the device is owned by whoever opened it.
 */
#ifndef CCADA_HOST_VIRTIO_NET_DEV_H
#define CCADA_HOST_VIRTIO_NET_DEV_H

#include <stdint.h>

#include "ccada/status.h"
#include "host/guest_mem.h"
#include "host/net_backend.h"
#include "host/virtio_pci.h"
#include "proto/virtio_net.h"

#define VIRTIO_NET_DEV_RXQ        0u /* receiveq1  virtio 1.2 §5.1.2 */
#define VIRTIO_NET_DEV_TXQ        1u /* transmitq1 */
#define VIRTIO_NET_DEV_NUM_QUEUES 2u
#define VIRTIO_NET_DEV_QUEUE_SIZE 256u      /* default maximum queue size */
#define VIRTIO_NET_DEV_CLASS      0x020000u /* network controller, Ethernet */
/* Config space: mac, status, max_virtqueue_pairs.  virtio 1.2 §5.1.4 */
#define VIRTIO_NET_DEV_CFG_SIZE (VIRTIO_NET_CFG_MAX_VQ_PAIRS + 2u)
/* 52:54:00:12:34:56, the MAC of an unconfigured QEMU NIC, as the bytes of an initialiser:
 * uint8_t mac[6] = { VIRTIO_NET_DEV_DEFAULT_MAC }. */
#define VIRTIO_NET_DEV_DEFAULT_MAC 0x52, 0x54, 0x00, 0x12, 0x34, 0x56
/* iovecs one frame may need: a page each, plus two per segment for its ends. */
#define VIRTIO_NET_DEV_MAX_IOV (VIRTIO_NET_MAX_FRAME / HOST_GPA_PAGE_SIZE + 2u * VDQ_MAX_SEGS)

struct virtio_net_dev; /* opaque */

struct virtio_net_dev_config {
        struct host_vm *vm;  /* whose memory the queues live in (required) */
        struct trace *trace; /* may be NULL */
        uint8_t mac[6];      /* all zero: VIRTIO_NET_DEV_DEFAULT_MAC */
        uint16_t queue_size; /* maximum queue size; 0: VIRTIO_NET_DEV_QUEUE_SIZE */
        /* Optional, passed to the transport (see struct virtio_pci_config). */
        void (*interrupt)(struct virtio_pci_dev *d, uint8_t isr);
};

struct virtio_net_dev_stats {
        uint64_t tx_frames, tx_bytes; /* taken by the backend (bytes without the header) */
        uint64_t tx_dropped_bad;      /* transmit chains refused (see the header comment) */
        uint64_t tx_busy_retries;     /* times the backend answered BUSY (the frame was kept) */
        uint64_t rx_frames, rx_bytes; /* put into the receive queue (bytes without the header) */
        /* Polls that ended with no receive chain posted and a frame waiting (wait said so). */
        uint64_t rx_no_buffer;
        uint64_t rx_bad_buffers; /* receive chains refused (returned with len 0) */
        uint64_t backend_errors; /* tx, rx_poll or wait failed, or rx_poll broke its contract */
};

/* Opens a device over backend b, which it takes over: b is closed by virtio_net_dev_close,
 * or at once when this call fails (when it can be: b and its close op are not NULL).
 * Errors: CCADA_E_INVAL (NULL arguments, no vm, a backend without tx, rx_poll or close,
 * a bad queue size), CCADA_E_NOMEM. */
ccada_status virtio_net_dev_open(struct virtio_net_dev **out, const struct virtio_net_dev_config *cfg,
                                 struct net_backend *b) CCADA_MUST_CHECK;

/* Closes the backend and frees d (NULL: no-op). Remove it from its bus first. */
void virtio_net_dev_close(struct virtio_net_dev *d);

/* What the machine calls while the guest waits (a WFI exit): offers a transmit frame the
 * backend refused with BUSY again (and serves the rest of the transmit queue once it is
 * taken), then puts every frame the backend has into the receive queue while receive
 * chains last, without blocking. When that delivered nothing, timeout_ms > 0, the backend
 * has a wait op and a receive chain is posted, it calls wait(timeout_ms) once and then
 * delivers again. When it ends with no receive chain posted, it asks the backend's wait op
 * (timeout 0: it does not block) whether a frame is waiting, for rx_no_buffer.
 * *delivered (may be NULL) is the number of frames put into the receive queue. A device
 * that is not LIVE, or whose queues are not enabled, does nothing (no backend call): CCADA_OK.
 * Errors: CCADA_E_INVAL (NULL d); the backend's error from rx_poll or wait, or CCADA_E_IO
 * for a frame rx_poll reported outside 14..1514 bytes (counted in backend_errors; frames
 * delivered before it are in *delivered, and the device goes on). */
ccada_status virtio_net_dev_poll(struct virtio_net_dev *d, int timeout_ms,
                                 unsigned *delivered) CCADA_MUST_CHECK;

/* The transport and PCI function, for host_pci_bus_add() and tests. */
struct virtio_pci_dev *virtio_net_dev_pci(struct virtio_net_dev *d);
struct host_pci_func *virtio_net_dev_func(struct virtio_net_dev *d);

void virtio_net_dev_get_stats(const struct virtio_net_dev *d, struct virtio_net_dev_stats *st);
/* The backend, for inspection (the device still owns it). */
struct net_backend *virtio_net_dev_backend(struct virtio_net_dev *d);

#endif
