/* The Realm's hardened VirtIO 1.2 split virtqueue driver.
 *
 * The rings live in shared memory (dma_alloc_coherent: decrypted granules reached through
 * their unprotected alias), so the host can rewrite every byte of them at any moment. The
 * driver therefore:
 *   - keeps a private shadow of everything it publishes (free list, each descriptor's
 *     addr/len/flags/next, each head's in-flight record, avail idx) and never re-reads
 *     shared memory to make a decision about its own state;
 *   - copies each used-ring field in once, validates it, then uses only the copy;
 *   - treats any violation as fatal for the queue: it becomes BROKEN (sticky), emits a
 *     `virtio_broken` trace event and a printk, and every later call returns CCADA_E_BROKEN.
 *     It never crashes and never touches memory outside what it posted.
 *
 * Used length policy (strict, deliberately unlike Linux). Linux validated
 * used.len <= posted device-writable length in 939779f5152d ("virtio_ring: validate used
 * buffer length", 5.16-rc) and reverted it (f124034faa91) because real devices break the
 * rule (vhost-vsock TX reported "used len 44 is larger than in buflen 0"); a 2023 re-post
 * behind a force_used_validation parameter was not merged, so Linux leaves it to each
 * driver. A Realm cannot know which of its devices is merely sloppy and which is hostile,
 * and a too-large len feeds straight into how many bytes the caller bounces back from a
 * SWIOTLB slot. Clamping would hide the fault and hand the caller a length it never asked
 * for; we treat it as a violation and break the queue. Backends that must interoperate
 * with such devices should fix the device, not relax this check.
 *
 * Descriptor state machine (per descriptor index d):
 *     FREE --vq_add--> POSTED (part of an in-flight chain whose head is h)
 *     POSTED --vq_get_used(h)--> FREE
 * Head records: in_flight is true exactly for heads of POSTED chains; num_free plus the
 * descriptors of all in-flight chains equals qsz (invariant; assert checks the weaker
 * num_free + num_in_flight <= qsz, which input cannot break).
 * Queue state: OK --any violation or ring memory fault--> BROKEN (terminal).
 *
 * Ordering: the model is single-threaded, so release (descriptors and ring entry before
 * avail.idx) and acquire (used.idx before the used element) are the program order of the
 * rk_write/rk_read calls; the comments mark where a real driver puts its barriers.
 *
 * Context: caller must not call these with other operations on the same queue at the same
 * time (one REC drives a queue).
 */
#ifndef CCADA_REALM_VIRTQUEUE_H
#define CCADA_REALM_VIRTQUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "ccada/status.h"
#include "proto/virtio.h"
#include "proto/virtio_ring.h"

struct realm_kernel;

/* One shared memory area: the address the driver uses (an IPA, through the alias in a
 * Realm) and the device (DMA) address it publishes for the same bytes. */
struct vq_mem {
        uint64_t cpu;
        uint64_t dma;
};

/* One buffer of a request: an already DMA-mapped device address and its length.
 * Whether the device may write it is given by its position in vq_add(). */
struct vq_buf {
        uint64_t addr;
        uint32_t len;
};

/* Indirect tables: one per head, each VQ_INDIRECT_MAX descriptors. */
#define VQ_INDIRECT_MAX 32u
#define VQ_INDIRECT_TABLE_BYTES (VQ_INDIRECT_MAX * VRING_DESC_SIZE)

/* Everything vq_init() needs. The areas are owned by the caller (dma_alloc_coherent) and
 * must stay mapped until vq_destroy(); vq_init() zeroes them. */
/* The DMA API for indirect tables, as virtio_ring uses it when vring_use_dma_api(): a
 * table is written in private memory, mapped DMA_TO_DEVICE once the request's buffers are
 * mapped (so in a Realm it is bounced, one more swiotlb_bounced line per request), and
 * unmapped when the request completes or is detached. */
struct vq_dma_ops {
        ccada_status (*map_to_device)(void *ctx, uint64_t ipa, size_t len, uint64_t *dma);
        void (*unmap_to_device)(void *ctx, uint64_t dma, size_t len);
};

struct vq_config {
        const char *dev_name;   /* the virtio device ("virtio0"), for logs and trace events */
        const char *drv_name;   /* its driver ("virtio_blk"), for logs; NULL: "virtio" */
        const char *name;       /* the queue's name ("req.0"), for logs; NULL: "vq<index>".
                                 * All three copied, 15 characters kept. */
        unsigned index;         /* queue index within the device */
        uint16_t qsz;           /* power of two, <= 32768 */
        struct vq_mem desc;     /* vring_desc_table_size(qsz) bytes, 16-aligned */
        struct vq_mem avail;    /* vring_avail_size(qsz) bytes, 2-aligned */
        struct vq_mem used;     /* vring_used_size(qsz) bytes, 4-aligned */
        bool indirect;          /* VIRTIO_F_INDIRECT_DESC negotiated */
        bool event_idx;         /* VIRTIO_F_EVENT_IDX negotiated */
        struct vq_mem indirect_area; /* when indirect: qsz * VQ_INDIRECT_TABLE_BYTES, 16-aligned */
        /* With dma: indirect_area.cpu is private memory (its dma unused) and every table is
         * mapped through dma (see struct vq_dma_ops). NULL: indirect_area is memory the
         * device reads as it is (Linux without the DMA API). */
        const struct vq_dma_ops *dma;
        void *dma_ctx;
};

/* Why a queue broke. */
enum vq_violation {
        VQ_OK = 0,
        VQ_USED_IDX_JUMP,       /* used.idx - last_used > qsz (includes going backwards) */
        VQ_USED_IDX_OVERRUN,    /* more completions than buffers in flight */
        VQ_ID_OUT_OF_RANGE,     /* used id >= qsz */
        VQ_ID_NOT_IN_FLIGHT,    /* used id is not an in-flight head (forged or duplicate) */
        VQ_LEN_TOO_LARGE,       /* used len > device-writable bytes posted for that head */
        VQ_RING_FAULT,          /* ring memory could not be read or written */
};
const char *vq_violation_name(enum vq_violation v);

/* Per-descriptor private shadow (what we wrote; never re-read from the ring). */
struct vq_desc_extra {
        uint64_t addr;
        uint32_t len;
        uint16_t flags;
        uint16_t next;          /* chain link while posted, free-list link while free */
};

/* Per-head in-flight record. */
struct vq_head_state {
        bool in_flight;
        bool indirect;          /* the chain is one INDIRECT descriptor */
        uint16_t ndescs;        /* ring descriptors used by the chain */
        uint32_t in_len;        /* total device-writable bytes posted (<= 2^32 - 1) */
        uint64_t token;         /* caller's cookie, returned by vq_get_used() */
        uint64_t table_dma;     /* the indirect table's mapping (with vq_config.dma) */
        uint32_t table_len;     /* its length; 0: none to unmap */
};

struct virtqueue {
        struct realm_kernel *k;
        struct trace_group *tr;         /* "virtio" events (NULL: none) */
        char dev_name[16];
        char drv_name[16];
        char name[16];
        unsigned index;
        uint16_t qsz;
        bool indirect, event_idx;
        struct vq_mem desc, avail, used, indirect_area;
        const struct vq_dma_ops *dma;   /* indirect tables mapped through it (may be NULL) */
        void *dma_ctx;
        /* private shadow */
        struct vq_desc_extra *extra;    /* [qsz] */
        struct vq_head_state *heads;    /* [qsz] */
        uint16_t free_head;
        uint16_t num_free;
        uint16_t num_in_flight;         /* chains posted and not completed */
        uint16_t avail_idx_shadow;      /* last avail.idx we published */
        uint16_t avail_flags_shadow;    /* last avail.flags we published */
        uint16_t kicked_avail_idx;      /* avail idx at the last vq_kick_prepare() */
        uint16_t last_used_idx;         /* next used index we will consume */
        bool broken;
        enum vq_violation violation;
        /* counters */
        uint64_t added, completed, notifies;
};

/* Initialises vq over the caller's ring areas: zeroes them, builds the free list.
 * k must outlive vq. Errors: CCADA_E_INVAL (bad qsz, misaligned area, indirect without an
 * indirect area, NULL argument), CCADA_E_NOMEM (shadow allocation), or the rk_fill error
 * when zeroing the shared areas fails. On error vq holds nothing to destroy. */
ccada_status vq_init(struct virtqueue *vq, struct realm_kernel *k, const struct vq_config *cfg) CCADA_MUST_CHECK;

/* Frees the private shadow. The ring areas stay the caller's. Safe on a zeroed vq. */
void vq_destroy(struct virtqueue *vq);

/* Posts one request: bufs[0..n_out) device-readable, then bufs[n_out..n_out+n_in)
 * device-writable. With INDIRECT_DESC and 1 < n <= VQ_INDIRECT_MAX it takes one ring
 * descriptor (the head's indirect table); otherwise a chain of n descriptors.
 * token comes back from vq_get_used() for this request. Makes the head available
 * (avail.idx advances) but does not notify: call vq_kick_prepare().
 * All or nothing: on any error the request was not posted. It holds no descriptor and no
 * in-flight record, vq_detach_unused() never returns its token, avail.idx and every counter
 * are unchanged, and the caller still owns (and must unmap) its buffers.
 * Errors: CCADA_E_BROKEN (the queue was broken, or a ring write faulted: the queue is then
 * BROKEN with VQ_RING_FAULT); CCADA_E_INVAL (n == 0, NULL bufs, chain could never fit
 * (n > qsz without indirect), total length > 2^32 - 1); CCADA_E_NOSPC (not enough free
 * descriptors now: retry after a completion); with the DMA API, the indirect table's map
 * error (CCADA_E_NOSPC when the bounce pool is full: retry after a completion), the queue
 * not broken. */
ccada_status vq_add(struct virtqueue *vq, const struct vq_buf *bufs, unsigned n_out, unsigned n_in,
                    uint64_t token) CCADA_MUST_CHECK;

/* Decides whether the device must be notified of buffers added since the last call:
 * with EVENT_IDX, iff avail.idx passed the device's avail_event in that interval; without
 * it, iff the device has not set VRING_USED_F_NO_NOTIFY. *notify is false when nothing was
 * added. A hostile avail_event/flags can only cause a spurious or a missing notification,
 * which the host could cause anyway. Emits `virtio_notify` when *notify is true; the caller
 * then writes the transport's notify register.
 * Errors: CCADA_E_BROKEN, ring read error (queue BROKEN). */
ccada_status vq_kick_prepare(struct virtqueue *vq, bool *notify) CCADA_MUST_CHECK;

/* Takes the next completion. On CCADA_OK, *token is the token of the completed request and
 * *len the bytes the device wrote into its device-writable buffers (<= what was posted;
 * the caller may trust exactly that many bytes), and the request's descriptors are free.
 * Returns CCADA_E_BUSY when no completion is pending (nothing changed).
 * Returns CCADA_E_BROKEN (and breaks the queue, see enum vq_violation) on any invalid
 * used-ring content, and on every call once broken. *token and *len are written only on
 * CCADA_OK. A ring fault while re-arming used_event (EVENT_IDX) breaks the queue for
 * later calls but still returns this (valid) completion with CCADA_OK. */
ccada_status vq_get_used(struct virtqueue *vq, uint64_t *token, uint32_t *len) CCADA_MUST_CHECK;

/* Takes back one request the device never completed, for the caller to unmap and free:
 * after the device was reset, or once the queue is BROKEN (the only way to recover its
 * buffers). Returns true and its token, or false when nothing is in flight. Reads no
 * shared memory. The caller must make sure the device no longer uses the ring (reset or
 * broken) before reusing the buffers. */
bool vq_detach_unused(struct virtqueue *vq, uint64_t *token);

/* Asks the device not to interrupt (avail.flags NO_INTERRUPT, or with EVENT_IDX a
 * used_event far behind). Best effort: the device may still interrupt.
 * Errors: CCADA_E_BROKEN, ring write error (queue BROKEN). */
ccada_status vq_disable_cb(struct virtqueue *vq) CCADA_MUST_CHECK;

/* Re-enables interrupts for the next completion and reports in *pending whether
 * completions already arrived (then the caller must poll vq_get_used() instead of waiting).
 * Errors: CCADA_E_BROKEN, ring access error (queue BROKEN). */
ccada_status vq_enable_cb(struct virtqueue *vq, bool *pending) CCADA_MUST_CHECK;

static inline bool vq_is_broken(const struct virtqueue *vq) { return vq->broken; }
static inline enum vq_violation vq_broken_reason(const struct virtqueue *vq) { return vq->violation; }
static inline unsigned vq_num_free(const struct virtqueue *vq) { return vq->num_free; }
static inline unsigned vq_num_in_flight(const struct virtqueue *vq) { return vq->num_in_flight; }

#endif
