/* virtio-net (device ID 1): the per-packet header, feature bits and configuration layout,
 * and the checks a driver makes of a header a device wrote (the receive path of a
 * confidential guest: everything the device writes is hostile).  virtio 1.2 §5.1
 *
 * With VIRTIO_F_VERSION_1 the header is always 12 bytes (num_buffers present even without
 * MRG_RXBUF), at the start of every packet in both directions:
 *     u8 flags; u8 gso_type; le16 hdr_len; le16 gso_size; le16 csum_start;
 *     le16 csum_offset; le16 num_buffers;                      virtio 1.2 §5.1.6
 */
#ifndef CCADA_PROTO_VIRTIO_NET_H
#define CCADA_PROTO_VIRTIO_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/virtio.h" /* VIRTIO_ID_NET */

/* The header.  virtio 1.2 §5.1.6 */
#define VIRTIO_NET_HDR_SIZE         12u
#define VIRTIO_NET_HDR_OFF_FLAGS    0u
#define VIRTIO_NET_HDR_OFF_GSO_TYPE 1u
#define VIRTIO_NET_HDR_OFF_HDR_LEN  2u
#define VIRTIO_NET_HDR_OFF_GSO_SIZE 4u
#define VIRTIO_NET_HDR_OFF_CSUM_START  6u
#define VIRTIO_NET_HDR_OFF_CSUM_OFFSET 8u
#define VIRTIO_NET_HDR_OFF_NUM_BUFFERS 10u
_Static_assert(VIRTIO_NET_HDR_OFF_NUM_BUFFERS + 2 == VIRTIO_NET_HDR_SIZE, "virtio 1.2 §5.1.6: 12 bytes");

#define VIRTIO_NET_HDR_F_NEEDS_CSUM 1u
#define VIRTIO_NET_HDR_F_DATA_VALID 2u
#define VIRTIO_NET_HDR_F_RSC_INFO   4u
#define VIRTIO_NET_HDR_GSO_NONE  0u
#define VIRTIO_NET_HDR_GSO_TCPV4 1u
#define VIRTIO_NET_HDR_GSO_UDP   3u
#define VIRTIO_NET_HDR_GSO_TCPV6 4u
#define VIRTIO_NET_HDR_GSO_UDP_L4 5u
#define VIRTIO_NET_HDR_GSO_ECN   0x80u

/* Feature bits.  virtio 1.2 §5.1.3 */
#define VIRTIO_NET_F_CSUM       0
#define VIRTIO_NET_F_GUEST_CSUM 1
#define VIRTIO_NET_F_MTU        3
#define VIRTIO_NET_F_MAC        5
#define VIRTIO_NET_F_GUEST_TSO4 7
#define VIRTIO_NET_F_GUEST_TSO6 8
#define VIRTIO_NET_F_GUEST_ECN  9
#define VIRTIO_NET_F_GUEST_UFO  10
#define VIRTIO_NET_F_MRG_RXBUF  15
#define VIRTIO_NET_F_STATUS     16
#define VIRTIO_NET_F_CTRL_VQ    17
#define VIRTIO_NET_F_MQ         22
#define VIRTIO_NET_F_HASH_REPORT 57
#define VIRTIO_NET_F_RSS        60

/* struct virtio_net_config offsets.  virtio 1.2 §5.1.4 */
#define VIRTIO_NET_CFG_MAC          0x00 /* u8[6] */
#define VIRTIO_NET_CFG_STATUS       0x06 /* le16 */
#define VIRTIO_NET_CFG_MAX_VQ_PAIRS 0x08 /* le16 */
#define VIRTIO_NET_CFG_MTU          0x0A /* le16 */
#define VIRTIO_NET_S_LINK_UP  1u
#define VIRTIO_NET_S_ANNOUNCE 2u

/* Frames: an Ethernet frame without FCS, at most the 1514 bytes of a 1500-byte MTU (no
 * VLAN tag room: the device offers no VLAN filtering), at least its 14-byte header. */
#define VIRTIO_NET_ETH_HLEN      14u
#define VIRTIO_NET_MAX_FRAME     1514u
#define VIRTIO_NET_RX_BUF        (VIRTIO_NET_HDR_SIZE + VIRTIO_NET_MAX_FRAME) /* 1526: §5.1.6.3.1 */

struct virtio_net_hdr {
        uint8_t flags, gso_type;
        uint16_t hdr_len, gso_size, csum_start, csum_offset, num_buffers;
};

bool virtio_net_hdr_encode(uint8_t *out, size_t out_len, const struct virtio_net_hdr *h);
bool virtio_net_hdr_decode(const uint8_t *in, size_t in_len, struct virtio_net_hdr *h);

/* Whether a received packet of len bytes (header included) whose header is h may be passed
 * up, for a driver that negotiated features (the bits above). Refused, with why (96 bytes):
 * a packet shorter than the header plus an Ethernet header or longer than
 * VIRTIO_NET_RX_BUF; num_buffers other than 1 without MRG_RXBUF (one buffer per packet);
 * any GSO type but NONE without a GUEST_TSO/UFO feature, and ECN without GUEST_ECN;
 * NEEDS_CSUM or DATA_VALID without GUEST_CSUM, NEEDS_CSUM with a csum_start + csum_offset
 * + 2 beyond the packet; RSC_INFO (never negotiated); unknown flag bits.
 * virtio 1.2 §5.1.6.4.1 (what a device must not do) and Linux's virtio_net receive checks. */
bool virtio_net_rx_hdr_ok(const struct virtio_net_hdr *h, uint64_t features, size_t len, char *why);

/* The header a driver writes for a packet it sends without offloads: all zero (num_buffers
 * too: §5.1.6.2, "the driver MUST set num_buffers to zero"). */
void virtio_net_tx_hdr_plain(struct virtio_net_hdr *h);

const char *virtio_net_gso_name(uint8_t gso_type);

#endif
