/* virtio-net header codec and receive checks.  virtio 1.2 §5.1.6 */
#include "proto/virtio_net.h"

#include <stdio.h>
#include <string.h>

#include "lib/bytes.h"

bool virtio_net_hdr_encode(uint8_t *out, size_t out_len, const struct virtio_net_hdr *h)
{
        if (out_len < VIRTIO_NET_HDR_SIZE)
                return false;
        struct byte_writer w;
        bw_init(&w, out, VIRTIO_NET_HDR_SIZE);
        bw_u8(&w, h->flags);
        bw_u8(&w, h->gso_type);
        bw_le16(&w, h->hdr_len);
        bw_le16(&w, h->gso_size);
        bw_le16(&w, h->csum_start);
        bw_le16(&w, h->csum_offset);
        bw_le16(&w, h->num_buffers);
        return bw_ok(&w);
}

bool virtio_net_hdr_decode(const uint8_t *in, size_t in_len, struct virtio_net_hdr *h)
{
        struct byte_reader r;
        br_init(&r, in, in_len < VIRTIO_NET_HDR_SIZE ? 0 : VIRTIO_NET_HDR_SIZE);
        h->flags = br_u8(&r);
        h->gso_type = br_u8(&r);
        h->hdr_len = br_le16(&r);
        h->gso_size = br_le16(&r);
        h->csum_start = br_le16(&r);
        h->csum_offset = br_le16(&r);
        h->num_buffers = br_le16(&r);
        return br_ok(&r);
}

void virtio_net_tx_hdr_plain(struct virtio_net_hdr *h)
{
        memset(h, 0, sizeof(*h));
}

static bool has(uint64_t features, int bit)
{
        return features >> bit & 1;
}

/* The GSO type's rule: NONE always; the others only with the feature that offers them. */
static bool gso_ok(uint8_t gso, uint64_t f, char *why)
{
        uint8_t type = gso & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;
        bool ok = type == VIRTIO_NET_HDR_GSO_NONE || (type == VIRTIO_NET_HDR_GSO_TCPV4 && has(f, VIRTIO_NET_F_GUEST_TSO4)) ||
                  (type == VIRTIO_NET_HDR_GSO_TCPV6 && has(f, VIRTIO_NET_F_GUEST_TSO6)) ||
                  (type == VIRTIO_NET_HDR_GSO_UDP && has(f, VIRTIO_NET_F_GUEST_UFO));
        if (!ok)
                snprintf(why, 96, "gso_type %u (%s) was not negotiated", type, virtio_net_gso_name(type));
        else if ((gso & VIRTIO_NET_HDR_GSO_ECN) && !has(f, VIRTIO_NET_F_GUEST_ECN))
                snprintf(why, 96, "gso_type has ECN, which was not negotiated"), ok = false;
        return ok;
}

bool virtio_net_rx_hdr_ok(const struct virtio_net_hdr *h, uint64_t f, size_t len, char *why)
{
        const unsigned known = VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID | VIRTIO_NET_HDR_F_RSC_INFO;
        if (len < VIRTIO_NET_HDR_SIZE + VIRTIO_NET_ETH_HLEN || len > VIRTIO_NET_RX_BUF)
                snprintf(why, 96, "a %zu-byte packet (header included) is outside %u..%u", len,
                         VIRTIO_NET_HDR_SIZE + VIRTIO_NET_ETH_HLEN, VIRTIO_NET_RX_BUF);
        else if (!has(f, VIRTIO_NET_F_MRG_RXBUF) && h->num_buffers != 1)
                snprintf(why, 96, "num_buffers %u without MRG_RXBUF (must be 1)", h->num_buffers);
        else if (h->flags & ~known)
                snprintf(why, 96, "unknown flag bits 0x%x", h->flags & ~known);
        else if (h->flags & VIRTIO_NET_HDR_F_RSC_INFO)
                snprintf(why, 96, "RSC_INFO, which was not negotiated");
        else if ((h->flags & (VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID)) &&
                 !has(f, VIRTIO_NET_F_GUEST_CSUM))
                snprintf(why, 96, "checksum flags without GUEST_CSUM");
        else if ((h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
                 (size_t)h->csum_start + h->csum_offset + 2 > len - VIRTIO_NET_HDR_SIZE)
                snprintf(why, 96, "the checksum at %u + %u lies beyond the %zu-byte frame", h->csum_start,
                         h->csum_offset, len - VIRTIO_NET_HDR_SIZE);
        else if (!gso_ok(h->gso_type, f, why))
                return false;
        else
                return true;
        return false;
}

const char *virtio_net_gso_name(uint8_t gso_type)
{
        switch (gso_type & ~VIRTIO_NET_HDR_GSO_ECN) {
        case VIRTIO_NET_HDR_GSO_NONE: return "NONE";
        case VIRTIO_NET_HDR_GSO_TCPV4: return "TCPV4";
        case VIRTIO_NET_HDR_GSO_UDP: return "UDP";
        case VIRTIO_NET_HDR_GSO_TCPV6: return "TCPV6";
        case VIRTIO_NET_HDR_GSO_UDP_L4: return "UDP_L4";
        default: return "?";
        }
}
