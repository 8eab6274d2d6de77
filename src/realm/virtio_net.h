/* The Realm guest's virtio-net driver over the virtio-pci modern transport, as Linux's
 * drivers/net/virtio_net.c runs one queue pair without offloads.  virtio 1.2 §5.1
 *
 * Features: VERSION_1 and ACCESS_PLATFORM (the transport's), MAC and STATUS when offered;
 * no checksum or segmentation offload, no MRG_RXBUF, no control queue, one queue pair
 * (receiveq 0 "input.0", transmitq 1 "output.0"), so every packet is one Ethernet frame of
 * at most 1514 bytes behind a 12-byte header (virtio 1.2 §5.1.6).
 *
 * Transmit (start_xmit with can_push): the frame is copied from the caller's memory (the
 * network stack's own buffer) into a transmit buffer in Realm RAM, after 12 bytes of
 * headroom; the header is written into that headroom and header + frame are mapped
 * TO_DEVICE as ONE mapping, one descriptor. In a Realm that is one bounce of 12 + frame
 * bytes: a bare 54-byte TCP ACK shows as one "swiotlb_bounced ... size=66 FORCE" line.
 * Buffers the device has sent are reclaimed (unmapped) before each transmit and at each
 * poll (free_old_xmit).
 *
 * Receive (small buffers, add_recvbuf_small): the receive queue is kept full of buffers of
 * VIRTIO_NET_RX_BUF (1526) bytes in Realm RAM, each mapped FROM_DEVICE (one bounce mapping
 * each in a Realm). A completed buffer is unmapped (the bounce copies it back into private
 * memory), its header read from that private copy once and checked (virtio_net_rx_hdr_ok:
 * length, num_buffers, GSO type, flags), the frame copied into the caller's buffer, and the
 * buffer mapped and posted again. A packet that fails the checks is dropped and counted
 * (rx_length_errors / rx_dropped), as Linux drops it; the device stays usable.
 *
 * Copies: bytes moved between the caller's memory and Realm RAM are counted apart from the
 * bounces (tx_copy_bytes, rx_copy_bytes): what a Linux skb would not need, since the stack
 * there builds frames in Realm RAM itself.
 *
 * Device state: OK --queue violation (a forged or duplicate used id, a used length beyond
 * what was posted, used.idx running away: virtqueue.h), a ring or notify fault, a
 * configuration it cannot use--> BROKEN (terminal: the device is reset, every buffer taken
 * back and unmapped without copy-back; later calls return CCADA_E_BROKEN).
 *
 * Context: single-threaded; the caller owns n, as NAPI owns a receive queue and the queue's
 * lock a transmit queue in Linux. Polled: no interrupts.
 */
#ifndef CCADA_REALM_VIRTIO_NET_H
#define CCADA_REALM_VIRTIO_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ccada/status.h"
#include "realm/pci.h"

struct realm_kernel;
struct virtio_net;

/* Queue sizes asked for, and the buffers kept. */
#define VIRTIO_NET_QUEUE_SIZE 256u
#define VIRTIO_NET_RX_BUFS 256u         /* Linux fills the whole receive ring */
#define VIRTIO_NET_TX_BUFS 64u          /* frames in flight */
/* A buffer's room in Realm RAM: header + largest frame, rounded up. */
#define VIRTIO_NET_BUF_BYTES 2048u

struct virtio_net_stats {
        uint64_t tx_packets, tx_bytes;  /* frames posted, their bytes (no header) */
        uint64_t tx_dropped;            /* refused: no buffer, no descriptor, mapping failed */
        uint64_t rx_packets, rx_bytes;  /* frames passed up */
        uint64_t rx_length_errors;      /* too short or too long */
        uint64_t rx_dropped;            /* other header violations, or the caller's buffer too small */
        uint64_t tx_copy_bytes;         /* caller's memory -> Realm RAM */
        uint64_t rx_copy_bytes;         /* Realm RAM -> caller's memory */
        uint64_t notifies;              /* notify writes (exits) */
        unsigned rx_posted;             /* receive buffers with the device now */
};

/* Binds the first virtio-net function under root (enumerating it if needed) and brings it
 * up: features, queues, the receive ring filled, DRIVER_OK.
 * Errors: CCADA_E_UNSUPPORTED (no device, or one the transport refuses: no VERSION_1, no
 * ACCESS_PLATFORM in a Realm), CCADA_E_PEER (a multicast or zero MAC, a configuration too
 * short), CCADA_E_NOMEM, and the transport's. */
ccada_status virtio_net_probe_first(struct realm_kernel *k, struct pci_root *root,
                                    struct virtio_net **out) CCADA_MUST_CHECK;

/* Resets the device, takes every buffer back, unmaps and frees everything. NULL: no-op. */
void virtio_net_destroy(struct virtio_net *n);

/* Sends one Ethernet frame of len (14..1514) bytes at frame (the caller's memory).
 * Errors: CCADA_E_INVAL (length), CCADA_E_NOSPC (no transmit buffer, descriptor or bounce
 * slot now: dropped and counted, nothing posted), CCADA_E_BROKEN. */
ccada_status virtio_net_xmit(struct virtio_net *n, const void *frame, size_t len) CCADA_MUST_CHECK;

/* Takes the next received frame into dst (cap bytes): *len is its length. Packets that
 * fail the checks are dropped and counted on the way. CCADA_E_BUSY: none waiting.
 * Errors: CCADA_E_BROKEN (the device broke a queue rule now or before). */
ccada_status virtio_net_receive(struct virtio_net *n, void *dst, size_t cap, size_t *len) CCADA_MUST_CHECK;

void virtio_net_mac(const struct virtio_net *n, uint8_t mac[6]);
bool virtio_net_link_up(const struct virtio_net *n);
bool virtio_net_is_broken(const struct virtio_net *n);
const char *virtio_net_name(const struct virtio_net *n);       /* the PCI BDF */
uint64_t virtio_net_features(const struct virtio_net *n);
void virtio_net_get_stats(const struct virtio_net *n, struct virtio_net_stats *st);

#endif
