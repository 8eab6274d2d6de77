/* A test-only PCI bus 0 and virtio-blk or virtio-net device (modern virtio-pci), emulated
 * behind the fake kernel's MMIO hook, for the Realm's PCI / virtio-pci / virtio-blk /
 * virtio-net driver tests and fuzzers.
 *
 * Functions: fdev->fns[] (slot, function, a 256-byte config image, BAR sizing values).
 * fns[0] is the virtio-blk device: vendor 0x1AF4 device 0x1042 class 0x010000, a 32-bit
 * 16 KiB BAR 0 holding COMMON (0x0000, 0x38 bytes), ISR (0x1000), DEVICE (0x2000, 0x100)
 * and NOTIFY (0x3000, 0x1000, multiplier 4), with capabilities at 0x40/0x50/0x64/0x74.
 * Tests overwrite any config byte or knob to play a hostile host.
 *
 * The device processes its queue when the driver waits (rk_wait) after a notify, with
 * src/host/virtqueue_dev.c over the fake guest memory (host view: decrypted pages only
 * in a Realm, so a driver that hands it a private address gets an I/O error).
 *
 * virtio-net (fdev_make_net): fns[0] becomes device 0x1041, class 0x020000, with two queues
 * (receiveq 0, transmitq 1) and the configuration mac[6] at 0, status le16 at 6
 * (virtio 1.2 §5.1.4). Frames the test injects (fdev_net_inject*) wait in a FIFO for a
 * receive buffer; frames the driver sends are checked (one 12-byte all-zero header first:
 * virtio 1.2 §5.1.6.2) and logged without their header. Unless `manual`, the device serves
 * both queues whenever the driver notifies or waits, and when a frame is injected; with
 * `manual` only the fdev_net_rx_* / fdev_net_tx_complete calls move buffers, so a fuzzer
 * decides which buffer completes, with what length and what bytes.
 */
#ifndef CCADA_TESTS_REALM_FAKE_PCI_DEV_H
#define CCADA_TESTS_REALM_FAKE_PCI_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host/virtqueue_dev.h"
#include "proto/virtio_net.h"
#include "realm/kernel.h"

#define FDEV_ECAM 0x40000000ull
#define FDEV_WINDOW 0x50000000ull
#define FDEV_WINDOW_SIZE (256ull << 20)
#define FDEV_MAX_FNS 4u
#define FDEV_BAR0_SIZE 0x4000u
#define FDEV_COMMON_OFF 0x0000u
#define FDEV_ISR_OFF 0x1000u
#define FDEV_DEVICE_OFF 0x2000u
#define FDEV_NOTIFY_OFF 0x3000u
#define FDEV_CAP_COMMON 0x40u
#define FDEV_CAP_NOTIFY 0x50u
#define FDEV_CAP_ISR 0x64u
#define FDEV_CAP_DEVICE 0x74u
#define FDEV_DISK_SECTORS 8192u /* 4 MiB */
#define FDEV_MAX_QUEUES 2u
/* virtio-net */
#define FDEV_NET_DEVICE_ID 0x1041u
#define FDEV_NET_MAX_QSZ 256u   /* receive buffers the device can hold (the transport's maximum) */
#define FDEV_NET_MAX_FRAME 2048u /* a frame the test injects, or the device reads on transmit */
#define FDEV_NET_FIFO 32u       /* injected frames waiting for a receive buffer */
#define FDEV_NET_TX_LOG 16u     /* the last frames sent (older ones overwritten) */
#define FDEV_NET_RX_SEGS 4u     /* writable segments of a receive buffer the device uses */
#define FDEV_NET_GARBAGE 0xEEu  /* what rx_garbage writes beyond the used length */

struct host_vm {
        struct realm_kernel *k;
};

struct fdev_fn {
        bool present;
        uint8_t dev, fn;
        uint8_t cfg[256];
        uint32_t sizing[6];     /* what a BAR reads after all ones were written */
        bool probing[6];
        uint32_t bar[6];        /* current BAR register values */
        bool upper[6];          /* register is the upper half of a 64-bit BAR */
        unsigned bar_writes;
};

/* One virtqueue's registers (as the driver programmed them) and its device side. */
#define FDEV_QUEUE_FIELDS                                                                          \
        uint16_t qsize, qenable;                                                                   \
        uint64_t qdesc, qavail, qused;                                                             \
        bool dq_ready;          /* enabled: dq serves it */                                        \
        struct vdev_queue dq;                                                                      \
        bool kicked;            /* notified since last served */
struct fdev_queue {
        FDEV_QUEUE_FIELDS
};

/* A receive buffer the device popped and has not completed. */
struct fdev_rxbuf {
        bool held;
        unsigned long seq;      /* pop order: the oldest is filled first */
        uint32_t in_len;        /* its device-writable bytes */
        unsigned nseg;
        struct vdq_seg seg[FDEV_NET_RX_SEGS];
};

struct fdev_frame {
        uint8_t hdr[VIRTIO_NET_HDR_SIZE]; /* written before it (receive) */
        uint16_t len;
        uint8_t data[FDEV_NET_MAX_FRAME];
};

struct fdev {
        struct realm_kernel *k;
        struct host_vm vm;
        struct fdev_fn fns[FDEV_MAX_FNS];
        /* virtio knobs (fns[0]) */
        uint64_t features;      /* offered */
        uint16_t num_queues, queue_size, notify_off;
        bool clear_features_ok, never_reset, unstable_generation, never_complete;
        int force_status;       /* -1: real status */
        int force_used_len;     /* -1: real length */
        uint16_t queue_size_of[FDEV_MAX_QUEUES]; /* nonzero: that queue's size, not queue_size */
        uint8_t blkcfg[0x100];  /* device configuration image (little-endian; virtio-net's
                                 * after fdev_make_net) */
        uint8_t id[20];
        uint8_t *disk;
        /* virtio state */
        uint32_t dfsel, gfsel;
        uint64_t driver_features;
        uint8_t status, generation;
        uint16_t qsel;
        /* Per queue, indexed by queue_select. Queue 0's fields keep the names they had when
         * the device had one queue (d->qsize, d->qdesc, d->dq ...), for the tests written
         * then: the anonymous struct lays out exactly as q[0]. */
        union {
                struct fdev_queue q[FDEV_MAX_QUEUES];
                struct {
                        FDEV_QUEUE_FIELDS
                };
        };
        struct vdq_elem elem;
        /* virtio-net knobs (fdev_make_net) */
        bool net;
        bool manual;            /* never serve by itself: only the fdev_net_* calls do */
        bool tx_hold;           /* never complete a transmit buffer */
        bool rx_garbage;        /* fill receive buffers beyond the used length (FDEV_NET_GARBAGE) */
        bool dup_complete;      /* push every completion twice (both queues) */
        int forge_id;           /* -1: real; else the used id pushed for every completion
                                 * (beyond the queue size too) */
        /* (force_used_len applies to receive completions; a transmit one is always 0) */
        /* virtio-net state */
        struct fdev_frame *rx_fifo;     /* [FDEV_NET_FIFO] */
        unsigned rx_fifo_head, rx_fifo_n;
        struct fdev_rxbuf *rx_held;     /* [FDEV_NET_MAX_QSZ], by head */
        unsigned long rx_seq;
        struct fdev_frame *tx_log;      /* [FDEV_NET_TX_LOG] */
        /* virtio-net observations */
        unsigned rx_frames;     /* receive completions pushed (forged ones too) */
        unsigned tx_frames;     /* transmit buffers taken and logged */
        unsigned tx_bad;        /* transmit buffers with a device-writable part, too short or too long */
        unsigned tx_bad_hdr;    /* transmit headers not all zero */
        unsigned tx_max_segs;   /* most descriptors in one transmit buffer */
        /* observations */
        unsigned bad_access;    /* wrong-width or unknown register accesses; virtio-net:
                                 * also receive buffers of the wrong shape, failed pushes */
        unsigned notifies, requests, flushes, max_data_segs;
        unsigned private_segs;  /* segments without the shared bit (Realm) */
        uint32_t last_type;
        uint8_t status_writes[16];
        unsigned nstatus_writes;
};

/* Creates the bus with the virtio-blk function at 00:00.0, installs the MMIO model,
 * the PCI window and the rk_wait hook on k. Aborts on allocation failure. */
struct fdev *fdev_new(struct realm_kernel *k);
void fdev_free(struct fdev *d);

/* Adds a plain function (no caps) with a 32-bit memory BAR 0 of bar0_size (0: none). */
struct fdev_fn *fdev_add_fn(struct fdev *d, uint8_t dev, uint8_t fn, uint16_t vendor, uint16_t device,
                            uint32_t bar0_size);
/* Makes BAR i of f a memory BAR of size (64-bit: also uses i + 1). */
void fdev_set_bar(struct fdev_fn *f, unsigned i, uint64_t size, bool is64);
/* Writes a virtio vendor capability at off of fns[0]. */
void fdev_put_vcap(struct fdev *d, uint8_t off, uint8_t next, uint8_t type, uint8_t bar, uint32_t offset,
                   uint32_t length, uint32_t mult);
/* Makes fns[0] a virtio-net device (see the top of this file): features VERSION_1,
 * ACCESS_PLATFORM, EVENT_IDX, MAC, STATUS; two queues; MAC 52:54:00:12:34:56, link up.
 * Call before the driver probes. Aborts on allocation failure. */
void fdev_make_net(struct fdev *d);
/* Queues a frame (len <= FDEV_NET_MAX_FRAME) for the receive queue behind the header a
 * device without offloads writes (num_buffers 1), or behind the 12 header bytes given, and
 * tries to deliver it now. Aborts when the FIFO is full or len too large (a test bug). */
void fdev_net_inject(struct fdev *d, const void *frame, size_t len);
void fdev_net_inject_hdr(struct fdev *d, const uint8_t hdr[VIRTIO_NET_HDR_SIZE], const void *frame,
                         size_t len);
/* Serves both queues now, as on a notify (no-op when manual or never_complete, or before
 * DRIVER_OK). */
void fdev_serve(struct fdev *d);
/* Injected frames not yet delivered. */
unsigned fdev_net_rx_pending(const struct fdev *d);
/* The i-th frame the driver sent (from 0), or NULL when never sent or overwritten. */
const struct fdev_frame *fdev_net_tx_frame(const struct fdev *d, unsigned i);

/* Manual control, for a hostile device that chooses each step itself.
 * fdev_net_rx_take: pops every receive buffer the driver made available; returns how many
 * the device holds now. fdev_net_rx_held: whether head is held (and its writable length).
 * fdev_net_rx_complete: writes n bytes of src at the start of held buffer `id` (cut to its
 * length; nothing when id is not held), then pushes id with used length used_len, whatever
 * they are (an id beyond the queue is written into the used ring all the same). The
 * buffer is no longer held. CCADA_E_STATE before DRIVER_OK; else vdq_push's status.
 * fdev_net_tx_complete: takes and logs up to max transmit buffers and completes them
 * (length 0); returns how many. */
unsigned fdev_net_rx_take(struct fdev *d);
bool fdev_net_rx_held(const struct fdev *d, uint16_t head, uint32_t *in_len);
ccada_status fdev_net_rx_complete(struct fdev *d, uint32_t id, const void *src, size_t n, uint32_t used_len);
unsigned fdev_net_tx_complete(struct fdev *d, unsigned max);

/* Little-endian helpers on a config image. */
void fdev_cfg_put(uint8_t *img, unsigned off, unsigned size, uint64_t v);
uint64_t fdev_cfg_get(const uint8_t *img, unsigned off, unsigned size);

#endif
