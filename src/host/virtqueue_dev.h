/* The device side of a VirtIO 1.2 split virtqueue, for the host's VirtIO backends.
 *
 * The host reaches the rings and buffers through host_gpa_read/host_gpa_write (guest
 * memory the host mapped; in a Realm only the shared, Non-secure granules). The driver is
 * not trusted either: a broken or malicious guest must not make a backend loop forever,
 * overflow its segment array or read outside what the guest named. vdq_pop() therefore
 * bounds every walk (at most the table's size in descriptors, at most VDQ_MAX_SEGS
 * segments, one level of indirection, total length at most 2^32 bytes) and reports the
 * first rule the driver broke. Like a QEMU/vhost device that calls virtio_error(), the
 * queue then stays BROKEN until re-initialised; the backend should set
 * DEVICE_NEEDS_RESET.
 *
 * Queue state: OK --driver fault (vdq_pop) or ring access fault--> BROKEN (terminal).
 * Context: single-threaded; one backend drives a queue.
 */
#ifndef CCADA_HOST_VIRTQUEUE_DEV_H
#define CCADA_HOST_VIRTQUEUE_DEV_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "ccada/status.h"
#include "proto/virtio_ring.h"

struct host_vm;

#define VDQ_MAX_SEGS 256u                       /* segments per request */
#define VDQ_MAX_CHAIN_BYTES ((uint64_t)1 << 32) /* virtio 1.2 §2.7.5.2 */

/* The first rule a driver broke (vdq_pop). */
enum vdq_error {
        VDQ_OK = 0,
        VDQ_AVAIL_IDX_JUMP,      /* avail.idx - last_avail > qsz */
        VDQ_HEAD_OUT_OF_RANGE,   /* avail ring entry >= qsz */
        VDQ_NEXT_OUT_OF_RANGE,   /* next >= size of its table */
        VDQ_CHAIN_TOO_LONG,      /* more descriptors than the table holds: a loop */
        VDQ_INDIRECT_NOT_NEGOTIATED,
        VDQ_INDIRECT_NESTED,     /* INDIRECT inside an indirect table  virtio 1.2 §2.7.5.3.1 */
        VDQ_INDIRECT_WITH_NEXT,  /* INDIRECT together with NEXT  virtio 1.2 §2.7.5.3.1 */
        VDQ_INDIRECT_BAD_LEN,    /* table length 0 or not a multiple of 16 */
        VDQ_TOO_MANY_SEGS,       /* more than VDQ_MAX_SEGS buffers */
        VDQ_TOTAL_LEN,           /* chain longer than 2^32 bytes */
        VDQ_ADDR_WRAP,           /* addr + len wraps the address space */
        VDQ_READ_AFTER_WRITE,    /* device-readable after device-writable  virtio 1.2 §2.7.4.2 */
        VDQ_MEM_FAULT,           /* ring or table memory not reachable (host_gpa_* failed) */
};
const char *vdq_error_name(enum vdq_error e);

/* One guest buffer: guest-physical address (unprotected IPA in a Realm) and length. */
struct vdq_seg {
        uint64_t gpa;
        uint32_t len;
};

/* One popped request: segs[0, n_out) device-readable, then segs[n_out, n_out + n_in)
 * device-writable, in chain order. Large (about 4 KiB): keep it off small stacks. */
struct vdq_elem {
        uint16_t head;          /* pass to vdq_push() */
        unsigned n_out, n_in;
        uint64_t out_len, in_len; /* byte totals */
        struct vdq_seg segs[VDQ_MAX_SEGS];
};

struct vdev_queue {
        struct host_vm *vm;
        uint16_t qsz;
        uint64_t desc, avail, used;     /* guest-physical addresses of the areas */
        bool indirect, event_idx;
        uint16_t last_avail_idx;        /* next avail index to pop */
        uint16_t used_idx;              /* shadow of the used.idx we published */
        uint16_t signalled_used;        /* used_idx at the last vdq_should_notify() */
        bool notify_enabled;            /* we want driver notifications */
        bool broken;
        enum vdq_error error;
        ccada_status fault;             /* host_gpa_* status behind VDQ_MEM_FAULT */
        uint64_t popped, pushed;
};

/* Initialises q for a queue the driver set up at the given guest-physical addresses.
 * Touches no guest memory. Errors: CCADA_E_INVAL (NULL, qsz not a power of two
 * <= 32768, misaligned area). */
ccada_status vdq_init(struct vdev_queue *q, struct host_vm *vm, uint16_t qsz, uint64_t desc_gpa, uint64_t avail_gpa,
                      uint64_t used_gpa, bool indirect, bool event_idx) CCADA_MUST_CHECK;

/* Takes the next available request and collects its segments into *elem (overwritten).
 * Returns CCADA_OK; CCADA_E_BUSY when the driver has made nothing new available;
 * CCADA_E_PEER when the driver broke a rule (q->error says which; the queue is then
 * BROKEN); CCADA_E_BROKEN once broken. Reads at most a bounded number of descriptors. */
ccada_status vdq_pop(struct vdev_queue *q, struct vdq_elem *elem) CCADA_MUST_CHECK;

/* Returns head to the driver with len bytes written: the used element, then used.idx.
 * virtio 1.2 §2.7.8.2 ("set len prior to updating the used idx").
 * Errors: CCADA_E_BROKEN; CCADA_E_INVAL (head >= qsz); host_gpa_write's error (queue
 * BROKEN with VDQ_MEM_FAULT). The device should report len <= the request's in_len. */
ccada_status vdq_push(struct vdev_queue *q, uint16_t head, uint32_t len) CCADA_MUST_CHECK;

/* Whether to interrupt the driver for what was pushed since the last call: with
 * EVENT_IDX iff used.idx passed the driver's used_event, else iff avail.flags lacks
 * NO_INTERRUPT. *notify is false when nothing was pushed.  virtio 1.2 §2.7.10
 * Errors: CCADA_E_BROKEN, host_gpa_read's error (queue BROKEN). */
ccada_status vdq_should_notify(struct vdev_queue *q, bool *notify) CCADA_MUST_CHECK;

/* Asks the driver to notify (enable) or not (disable) when it adds buffers: with
 * EVENT_IDX by writing avail_event (kept current by vdq_pop while enabled), else through
 * used.flags NO_NOTIFY.  virtio 1.2 §2.7.7
 * Errors: CCADA_E_BROKEN, host_gpa_write's error (queue BROKEN). */
ccada_status vdq_set_notification(struct vdev_queue *q, bool enable) CCADA_MUST_CHECK;

/* Copies len bytes starting at byte off of elem's device-readable part into dst.
 * Errors: CCADA_E_RANGE (off + len beyond out_len; nothing copied), or host_gpa_read's
 * error (CCADA_E_RANGE / CCADA_E_GPF: the driver named memory the host cannot read;
 * dst partially written). */
ccada_status vdq_read_out(struct vdev_queue *q, const struct vdq_elem *elem, uint64_t off, void *dst,
                          size_t len) CCADA_MUST_CHECK;

/* Copies len bytes from src into elem's device-writable part starting at byte off.
 * Errors as vdq_read_out (against in_len). */
ccada_status vdq_write_in(struct vdev_queue *q, const struct vdq_elem *elem, uint64_t off, const void *src,
                          size_t len) CCADA_MUST_CHECK;

/* ---- the payload as iovecs, for backends (virtqueue_dev_iov.c) ----
 * The iovec view of a request at the backend edge, as QEMU's VirtQueueElement gives it:
 * host buffers over the guest's shared pages themselves (host_gpa_map), so a backend moves
 * the payload with no copy of the device's own. Same rules as host_gpa_map: use the buffers
 * before the host next enters the guest or calls the RMM.
 *
 * vdq_map_out: bytes [off, off + len) of elem's device-readable part, as at most max iovecs
 * in iov; *n is their count. vdq_map_in: the same over the device-writable part.
 * Errors: CCADA_E_RANGE (off + len beyond out_len / in_len; nothing resolved), or
 * host_gpa_map's error (CCADA_E_RANGE / CCADA_E_GPF: the driver named memory the host cannot
 * reach; CCADA_E_NOSPC: more than max iovecs needed). On error *n is 0. */
ccada_status vdq_map_out(struct vdev_queue *q, const struct vdq_elem *elem, uint64_t off, uint64_t len,
                         struct iovec *iov, unsigned max, unsigned *n) CCADA_MUST_CHECK;
ccada_status vdq_map_in(struct vdev_queue *q, const struct vdq_elem *elem, uint64_t off, uint64_t len,
                        struct iovec *iov, unsigned max, unsigned *n) CCADA_MUST_CHECK;

#endif
