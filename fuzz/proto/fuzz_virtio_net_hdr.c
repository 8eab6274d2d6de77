/* The virtio-net receive header check under any header, features and length (a device
 * writes the header; the driver decides from it what to pass up). What must hold: a header
 * taken is one the rules of virtio_net.h allow, checked here again independently; every
 * refusal gives a reason; encode and decode are inverse. Input: 8 bytes of features, 2 of
 * length (little-endian), then the 12-byte header. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/virtio_net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct virtio_net_hdr h, back;
        uint64_t f = 0;
        uint8_t out[VIRTIO_NET_HDR_SIZE];
        char why[96] = "";
        if (size < 10 + VIRTIO_NET_HDR_SIZE)
                return 0;
        for (unsigned i = 0; i < 8; i++)
                f |= (uint64_t)data[i] << (8 * i);
        size_t len = (size_t)(data[8] | data[9] << 8);
        if (!virtio_net_hdr_decode(data + 10, size - 10, &h) || !virtio_net_hdr_encode(out, sizeof(out), &h) ||
            memcmp(out, data + 10, sizeof(out)) || !virtio_net_hdr_decode(out, sizeof(out), &back) ||
            memcmp(&back, &h, sizeof(h)))
                abort();
        bool ok = virtio_net_rx_hdr_ok(&h, f, len, why);
        bool mrg = f >> VIRTIO_NET_F_MRG_RXBUF & 1, csum = f >> VIRTIO_NET_F_GUEST_CSUM & 1;
        if (ok && (len < 26 || len > VIRTIO_NET_RX_BUF || (!mrg && h.num_buffers != 1) || (h.flags & ~3u) ||
                   (h.flags && !csum) || (h.gso_type & 0x7f) == VIRTIO_NET_HDR_GSO_UDP_L4 ||
                   ((h.flags & 1) && (size_t)h.csum_start + h.csum_offset + 2 > len - VIRTIO_NET_HDR_SIZE)))
                abort();
        if (!ok && !why[0])
                abort();
        return 0;
}
