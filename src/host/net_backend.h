/* Network backends: where a host network device model sends and gets frames.
 *
 * virtio-net (host/virtio_net_dev.c, virtio 1.2 §5.1) reaches the outside only through
 * this table, so libslirp (user-mode NAT), a tap device or a vhost-user
 * daemon are interchangeable behind it, as struct blk_backend_ops makes file and RAM disks
 * interchangeable behind virtio-blk (host/blk_backend.h). The conventions are the same:
 *   - frames are iovecs over the guest's shared pages (vdq_map_out / vdq_map_in), one
 *     Ethernet frame per call, without the virtio-net header (the device model handles it);
 *   - results are a ccada_status, with the reason recorded in the backend as for block
 *     backends; a backend never accepts part of a frame: a frame is sent whole or not at all;
 *   - the machine is single-threaded: nothing calls the device model back from another
 *     thread. rx_poll is called when the guest waits (a WFI exit) and when it posts receive
 *     buffers, and hands over at most one frame per call;
 *   - a backend whose frames come from the outside world (sockets) may make the guest's
 *     wait block until one is ready (wait), so a Realm waiting for the network spends real
 *     time only as long as the network does, and the number of its waits does not depend
 *     on how fast the host is.
 */
#ifndef CCADA_HOST_NET_BACKEND_H
#define CCADA_HOST_NET_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

#include "ccada/status.h"

struct net_backend;

struct net_backend_ops {
        const char *kind; /* "slirp", "tap", "vhost-user": for logs */
        /* Sends the frame iov[0, n) (its bytes in order). CCADA_E_BUSY: the backend cannot
         * take it now (the device model keeps it in the ring and retries on the next poll);
         * nothing was sent. */
        ccada_status (*tx)(struct net_backend *b, const struct iovec *iov, unsigned n);
        /* Receives at most one frame into iov[0, n); *len is its length (0: none waiting).
         * A frame longer than the iovecs is dropped whole and counted, not truncated. */
        ccada_status (*rx_poll)(struct net_backend *b, const struct iovec *iov, unsigned n, size_t *len);
        /* Blocks until a frame is waiting for rx_poll or timeout_ms (>= 0) have passed, doing
         * the backend's own work (timers, sockets) meanwhile; *ready says whether a frame
         * is waiting. NULL: the backend never has frames that rx_poll would not see at once
         * (a test backend), and the device does not block. */
        ccada_status (*wait)(struct net_backend *b, int timeout_ms, bool *ready);
        /* Releases everything and frees b. Cannot fail. */
        void (*close)(struct net_backend *b);
};

/* The part every network backend starts with (implementations embed it first). */
struct net_backend {
        const struct net_backend_ops *ops;
};

#endif
