/* The host's virtqueue device side (src/host/virtqueue_dev.c) popping requests from guest
 * memory the (hostile) guest controls entirely: the avail ring, avail.idx, the descriptor
 * table, indirect tables, loops, lengths, addresses; parts of memory may be unreachable (a
 * hole that faults like a granule that is not Non-secure, and everything beyond the guest's
 * 8 KiB, which is not mapped).
 *
 * The harness walks each request itself, by the rules virtqueue_dev.h states, and compares
 * (a finding aborts):
 *  - vdq_pop returns what the rules say: BUSY, the peer error (q->error among the rules the
 *    first bad descriptor breaks), the memory fault (q->error VDQ_MEM_FAULT, q->fault and
 *    the status the access's), BROKEN once broken, or OK with exactly the segments of the
 *    chain (addresses, lengths, order, readable before writable, totals) and its head;
 *  - it terminates: it reads guest memory no more often than the walk needs (avail.idx,
 *    the ring slot, each descriptor visited once: bounded by the table sizes and
 *    VDQ_MAX_SEGS, whatever loops the guest builds);
 *  - every read of vdq_pop lies in the avail ring, the descriptor table or an indirect
 *    table a descriptor named; its one write (avail_event, EVENT_IDX) is in the used ring;
 *  - vdq_read_out returns the bytes of the device-readable segments at that offset (or
 *    the error of the first unreachable piece, or RANGE past out_len) and reads nothing else;
 *    vdq_write_in writes only into the device-writable segments, exactly the bytes given;
 *  - vdq_push writes only the used element and used.idx, which then say head and len.
 *
 * Input: an 8-byte header (queue size 1 << (b0 % 7), features b1: bit 0 INDIRECT_DESC, bit 1
 * EVENT_IDX, bit 2 notifications off; the hole at b2 * 32 of b3 * 16 bytes; pops b4 % 16 + 1;
 * the image length b5..b6; b7 seeds the payload offsets), the memory image from GPA 0, then
 * 8-byte patches (after pop p, write 4 bytes at an offset) the guest applies between pops. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/guest_mem.h"
#include "host/virtqueue_dev.h"
#include "lib/bytes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Guest memory: GPA [0, MEM_SIZE). The rings sit at fixed places (a queue of at most 64). */
#define MEM_SIZE   0x2000u
#define AVAIL_AT   0x0000u  /* idx at 2: the first bytes of the image */
#define DESC_AT    0x0100u
#define USED_AT    0x0500u
#define HDR_BYTES  8u
#define PATCH_BYTES 8u
#define MAX_PAYLOAD 64u
#define MAX_RANGES (2u + VDQ_MAX_SEGS)

struct range {
        uint64_t at, len;
};

/* What the device may touch during the call under test. */
struct allowed {
        struct range r[MAX_RANGES];
        unsigned n;
};

struct host_vm {
        uint8_t mem[MEM_SIZE];
        uint64_t hole, hole_len;        /* faults with CCADA_E_GPF */
        const struct allowed *reads, *writes; /* NULL: the harness's own setup, unchecked */
        unsigned nreads;
        const char *call;
};

static void __attribute__((noreturn)) finding(const char *what, unsigned long long a, unsigned long long b)
{
        fprintf(stderr, "avail-ring fuzzer: %s (0x%llx, 0x%llx)\n", what, a, b);
        abort();
}

/* ---- the fake guest memory ---- */

/* The status of an access to [gpa, gpa+len): unmapped beyond MEM_SIZE, a GPF in the hole. */
static ccada_status reach(const struct host_vm *vm, uint64_t gpa, uint64_t len)
{
        if (gpa > MEM_SIZE || len > MEM_SIZE - gpa)
                return CCADA_E_RANGE;
        if (len && vm->hole_len && gpa < vm->hole + vm->hole_len && vm->hole < gpa + len)
                return CCADA_E_GPF;
        return CCADA_OK;
}

static bool within(const struct allowed *a, uint64_t gpa, uint64_t len)
{
        for (unsigned i = 0; a && i < a->n; i++)
                if (gpa >= a->r[i].at && len <= a->r[i].len && gpa - a->r[i].at <= a->r[i].len - len)
                        return true;
        return false;
}

static void check_access(struct host_vm *vm, uint64_t gpa, size_t len, bool write)
{
        const struct allowed *a = write ? vm->writes : vm->reads;
        if (!write)
                vm->nreads++;
        if (!len || (!vm->reads && !vm->writes))
                return;
        if (!within(a, gpa, len)) {
                fprintf(stderr, "avail-ring fuzzer: during %s:\n", vm->call);
                finding(write ? "the device wrote guest memory it was not given" : "the device read guest memory nobody named",
                        gpa, len);
        }
}

ccada_status host_gpa_read(struct host_vm *vm, uint64_t gpa, void *dst, size_t len)
{
        check_access(vm, gpa, len, false);
        ccada_status s = reach(vm, gpa, len);
        if (s == CCADA_OK)
                memcpy(dst, vm->mem + gpa, len);
        return s;
}

ccada_status host_gpa_write(struct host_vm *vm, uint64_t gpa, const void *src, size_t len)
{
        check_access(vm, gpa, len, true);
        ccada_status s = reach(vm, gpa, len);
        if (s == CCADA_OK)
                memcpy(vm->mem + gpa, src, len);
        return s;
}

/* ---- the reference walk ---- */

struct ref {
        uint16_t qsz, last_avail;
        bool indirect, event_idx, notify, broken;
        ccada_status status;    /* of the pop */
        uint32_t errors;        /* PEER: the rules the first bad descriptor breaks (bit per enum vdq_error) */
        struct vdq_elem e;
        struct allowed reads;   /* what the pop may read */
        unsigned max_reads;
};

static void allow(struct allowed *a, uint64_t at, uint64_t len)
{
        if (a->n < MAX_RANGES)
                a->r[a->n++] = (struct range){ at, len };
}

static bool wraps(uint64_t addr, uint32_t len) { return len && addr > UINT64_MAX - (len - 1); }

/* Reads a descriptor as the device must; false with ref->status set when unreachable. */
static bool ref_desc(struct host_vm *vm, struct ref *r, uint64_t at, struct vring_desc *d)
{
        r->max_reads++;
        if ((r->status = reach(vm, at, VRING_DESC_SIZE)) != CCADA_OK)
                return false;
        (void)vring_desc_decode(vm->mem + at, VRING_DESC_SIZE, d);
        return true;
}

/* The rules an INDIRECT descriptor breaks.  virtio 1.2 §2.7.5.3.1 */
static uint32_t indirect_errors(const struct ref *r, const struct vring_desc *d, bool nested)
{
        uint32_t v = 0;
        if (nested)
                v |= 1u << VDQ_INDIRECT_NESTED;
        if (!r->indirect)
                v |= 1u << VDQ_INDIRECT_NOT_NEGOTIATED;
        if (d->flags & VRING_DESC_F_NEXT)
                v |= 1u << VDQ_INDIRECT_WITH_NEXT;
        if (d->len == 0 || d->len % VRING_DESC_SIZE)
                v |= 1u << VDQ_INDIRECT_BAD_LEN;
        if (wraps(d->addr, d->len))
                v |= 1u << VDQ_ADDR_WRAP;
        return v;
}

/* The rules a buffer descriptor breaks when appended to e. */
static uint32_t seg_errors(const struct vdq_elem *e, const struct vring_desc *d)
{
        uint32_t v = 0;
        if (!(d->flags & VRING_DESC_F_WRITE) && e->n_in)
                v |= 1u << VDQ_READ_AFTER_WRITE;   /* virtio 1.2 §2.7.4.2 */
        if (e->n_out + e->n_in >= VDQ_MAX_SEGS)
                v |= 1u << VDQ_TOO_MANY_SEGS;
        if (wraps(d->addr, d->len))
                v |= 1u << VDQ_ADDR_WRAP;
        if (e->out_len + e->in_len + d->len > VDQ_MAX_CHAIN_BYTES) /* virtio 1.2 §2.7.5.2 */
                v |= 1u << VDQ_TOTAL_LEN;
        return v;
}

static bool ref_fail(struct ref *r, uint32_t errors)
{
        r->errors = errors;
        r->status = CCADA_E_PEER;
        return false;
}

/* Appends a buffer descriptor to e (its rules already checked). */
static void ref_append(struct vdq_elem *e, const struct vring_desc *d)
{
        e->segs[e->n_out + e->n_in] = (struct vdq_seg){ d->addr, d->len };
        if (d->flags & VRING_DESC_F_WRITE) {
                e->n_in++;
                e->in_len += d->len;
        } else {
                e->n_out++;
                e->out_len += d->len;
        }
}

/* Walks the chain from index start of a table of n descriptors at table (the ring's, or an
 * indirect one); true when it ends well, else ref->status (and ref->errors) say why. */
static bool ref_walk(struct host_vm *vm, struct ref *r, uint64_t table, uint64_t n, uint64_t start, bool nested)
{
        uint64_t i = start;
        for (uint64_t count = 1;; count++) {
                struct vring_desc d;
                uint32_t v = (i >= n ? 1u << VDQ_NEXT_OUT_OF_RANGE : 0) | (count > n ? 1u << VDQ_CHAIN_TOO_LONG : 0);
                if (v)
                        return ref_fail(r, v);
                if (!ref_desc(vm, r, table + VRING_DESC_SIZE * i, &d))
                        return false;
                if (d.flags & VRING_DESC_F_INDIRECT) {
                        if ((v = indirect_errors(r, &d, nested)))
                                return ref_fail(r, v);
                        allow(&r->reads, d.addr, d.len);
                        return ref_walk(vm, r, d.addr, d.len / VRING_DESC_SIZE, 0, true);
                }
                if ((v = seg_errors(&r->e, &d)))
                        return ref_fail(r, v);
                ref_append(&r->e, &d);
                if (!(d.flags & VRING_DESC_F_NEXT))
                        return true;
                i = d.next;
        }
}

/* What vdq_pop must do now (reads memory without the checks of the device's accesses). */
static void ref_pop(struct host_vm *vm, struct ref *r)
{
        memset(&r->e, 0, sizeof(r->e));
        r->reads.n = 0;
        r->max_reads = 2;
        r->errors = 0;
        allow(&r->reads, AVAIL_AT, vring_avail_size(r->qsz));
        allow(&r->reads, DESC_AT, vring_desc_table_size(r->qsz));
        if (r->broken) {
                r->status = CCADA_E_BROKEN;
                return;
        }
        if ((r->status = reach(vm, AVAIL_AT + VRING_AVAIL_OFF_IDX, 2)) != CCADA_OK)
                return;
        uint16_t n = (uint16_t)(ld_le16(vm->mem + AVAIL_AT + VRING_AVAIL_OFF_IDX) - r->last_avail);
        uint64_t slot = AVAIL_AT + vring_avail_ring_off(r->last_avail & (r->qsz - 1));
        if (n == 0) {
                r->status = CCADA_E_BUSY;
                return;
        }
        if (n > r->qsz) {
                (void)ref_fail(r, 1u << VDQ_AVAIL_IDX_JUMP);
                return;
        }
        if ((r->status = reach(vm, slot, 2)) != CCADA_OK)
                return;
        r->e.head = ld_le16(vm->mem + slot);
        if (r->e.head >= r->qsz) {
                (void)ref_fail(r, 1u << VDQ_HEAD_OUT_OF_RANGE);
                return;
        }
        if (!ref_walk(vm, r, DESC_AT, r->qsz, r->e.head, false))
                return;
        r->status = CCADA_OK;
        r->last_avail++;
        if (r->event_idx && r->notify) /* the pop then publishes avail_event */
                r->status = reach(vm, USED_AT + vring_avail_event_off(r->qsz), 2);
}

/* ---- comparing ---- */

struct fz {
        struct host_vm vm;
        struct vdev_queue q;
        struct ref r;
        struct vdq_elem e;
        uint8_t hdr[HDR_BYTES];
        uint8_t want[MAX_PAYLOAD], got[MAX_PAYLOAD];
};

/* Runs a call of the device with what it may read and write. */
static void arm(struct fz *f, const char *call, const struct allowed *reads, const struct allowed *writes)
{
        f->vm.call = call;
        f->vm.reads = reads;
        f->vm.writes = writes;
        f->vm.nreads = 0;
}

static void check_pop(struct fz *f, ccada_status s)
{
        struct ref *r = &f->r;
        const struct vdev_queue *q = &f->q;
        if (s != r->status)
                finding("vdq_pop's status differs from the rules' (got, want)", s, r->status);
        if (f->vm.nreads > r->max_reads)
                finding("vdq_pop read guest memory more often than the walk needs (reads, needed)", f->vm.nreads,
                        r->max_reads);
        if (s == CCADA_E_PEER && !(q->error < 32 && r->errors >> q->error & 1))
                finding("vdq_pop blamed the driver for a rule the first bad descriptor keeps (error, rules)", q->error,
                        r->errors);
        if (s != CCADA_OK && s != CCADA_E_BUSY && s != CCADA_E_PEER && s != CCADA_E_BROKEN &&
            (q->error != VDQ_MEM_FAULT || q->fault != s))
                finding("vdq_pop's memory fault is not recorded (error, fault)", q->error, q->fault);
        r->broken |= s != CCADA_OK && s != CCADA_E_BUSY;
        if (q->broken != r->broken || q->last_avail_idx != r->last_avail)
                finding("vdq_pop left the queue in another state (broken, last_avail)", q->broken, q->last_avail_idx);
        if (s != CCADA_OK)
                return;
        const struct vdq_elem *e = &f->e, *w = &r->e;
        if (e->head != w->head || e->n_out != w->n_out || e->n_in != w->n_in || e->out_len != w->out_len ||
            e->in_len != w->in_len)
                finding("vdq_pop returned another request (head, segments)", e->head, e->n_out + e->n_in);
        for (unsigned i = 0; i < e->n_out + e->n_in; i++)
                if (e->segs[i].gpa != w->segs[i].gpa || e->segs[i].len != w->segs[i].len)
                        finding("vdq_pop returned another segment (index, address)", i, e->segs[i].gpa);
}

/* The segments of one direction as allowed ranges. */
static void seg_ranges(const struct vdq_seg *segs, unsigned n, struct allowed *a)
{
        a->n = 0;
        for (unsigned i = 0; i < n; i++)
                allow(a, segs[i].gpa, segs[i].len);
}

/* The rules' copy of bytes [off, off + len) of segs (total bytes long) into or out of buf. */
static ccada_status ref_copy(struct host_vm *vm, const struct vdq_seg *segs, unsigned n, uint64_t total,
                             uint64_t off, uint8_t *buf, size_t len, bool to_guest)
{
        if (off > total || len > total - off)
                return CCADA_E_RANGE;
        for (unsigned i = 0; i < n && len; i++) {
                if (off >= segs[i].len) {
                        off -= segs[i].len;
                        continue;
                }
                size_t chunk = segs[i].len - off < len ? (size_t)(segs[i].len - off) : len;
                ccada_status s = reach(vm, segs[i].gpa + off, chunk);
                if (s != CCADA_OK)
                        return s;
                if (to_guest)
                        memcpy(vm->mem + segs[i].gpa + off, buf, chunk);
                else
                        memcpy(buf, vm->mem + segs[i].gpa + off, chunk);
                buf += chunk;
                len -= chunk;
                off = 0;
        }
        return CCADA_OK;
}

static bool disjoint(const struct vdq_seg *segs, unsigned n)
{
        for (unsigned i = 0; i < n; i++)
                for (unsigned j = i + 1; j < n; j++)
                        if (segs[i].len && segs[j].len && segs[i].gpa < segs[j].gpa + segs[j].len &&
                            segs[j].gpa < segs[i].gpa + segs[i].len)
                                return false;
        return true;
}

/* vdq_read_out and vdq_write_in at an offset the header seeds. */
static void check_payload(struct fz *f, unsigned pop)
{
        static struct allowed a;
        const struct vdq_elem *e = &f->e;
        uint8_t seed = (uint8_t)(f->hdr[7] + 37 * pop);
        uint64_t off = seed & 0x80 ? e->out_len - (seed & 7) : seed & 7;
        size_t len = (size_t)(seed >> 3) % (MAX_PAYLOAD + 1);

        seg_ranges(e->segs, e->n_out, &a);
        arm(f, "vdq_read_out", &a, NULL);
        memset(f->got, 0, sizeof(f->got));
        ccada_status want = ref_copy(&f->vm, e->segs, e->n_out, e->out_len, off, f->want, len, false);
        ccada_status s = vdq_read_out(&f->q, e, off, f->got, len);
        if (s != want || (s == CCADA_OK && memcmp(f->got, f->want, len)))
                finding("vdq_read_out returned other bytes or status (status, want)", s, want);

        off = seed & 0x40 ? e->in_len - (seed & 3) : seed & 3;
        for (size_t i = 0; i < len; i++)
                f->want[i] = (uint8_t)(0xA5 ^ i ^ pop);
        seg_ranges(e->segs + e->n_out, e->n_in, &a);
        arm(f, "vdq_write_in", NULL, &a);
        s = vdq_write_in(&f->q, e, off, f->want, len);
        arm(f, "the harness", NULL, NULL);
        want = ref_copy(&f->vm, e->segs + e->n_out, e->n_in, e->in_len, off, f->got, len, false);
        if (s == CCADA_OK && want == CCADA_OK && disjoint(e->segs + e->n_out, e->n_in) && memcmp(f->got, f->want, len))
                finding("vdq_write_in wrote other bytes (offset, length)", off, len);
        if ((s == CCADA_OK) != (want == CCADA_OK))
                finding("vdq_write_in's status differs from the segments' reachability (status, want)", s, want);
}

/* vdq_push of the popped head, then vdq_should_notify. */
static void check_push(struct fz *f)
{
        static struct allowed a;
        struct ref *r = &f->r;
        uint16_t slot = f->q.used_idx & (r->qsz - 1);
        uint32_t len = (uint32_t)(f->e.in_len < 0x10000 ? f->e.in_len : 0x10000);
        a.n = 0;
        allow(&a, USED_AT + vring_used_ring_off(slot), VRING_USED_ELEM_SIZE);
        allow(&a, USED_AT + VRING_USED_OFF_IDX, 2);
        ccada_status want = reach(&f->vm, a.r[0].at, a.r[0].len);
        if (want == CCADA_OK)
                want = reach(&f->vm, a.r[1].at, a.r[1].len);
        arm(f, "vdq_push", NULL, &a);
        ccada_status s = vdq_push(&f->q, f->e.head, len);
        if (s != want)
                finding("vdq_push's status differs from the used ring's reachability (status, want)", s, want);
        r->broken |= s != CCADA_OK;
        if (s == CCADA_OK && (ld_le32(f->vm.mem + a.r[0].at) != f->e.head || ld_le32(f->vm.mem + a.r[0].at + 4) != len ||
                              ld_le16(f->vm.mem + a.r[1].at) != f->q.used_idx))
                finding("vdq_push published another element (head, len)", f->e.head, len);

        a.n = 0;
        allow(&a, AVAIL_AT, vring_avail_size(r->qsz));
        arm(f, "vdq_should_notify", &a, NULL);
        bool notify;
        s = vdq_should_notify(&f->q, &notify);
        r->broken |= s != CCADA_OK;
        if (f->q.broken != r->broken)
                finding("vdq_should_notify left the queue in another state (broken, want)", f->q.broken, r->broken);
}

/* ---- one input ---- */

static void setup(struct fz *f, const uint8_t *data, size_t size, size_t *used)
{
        memset(f, 0, sizeof(*f));
        memcpy(f->hdr, data, size < HDR_BYTES ? size : HDR_BYTES);
        size_t img = ld_le16(f->hdr + 5);
        size_t avail = size > HDR_BYTES ? size - HDR_BYTES : 0;
        img = img < avail ? img : avail;
        img = img < MEM_SIZE ? img : MEM_SIZE;
        memcpy(f->vm.mem, data + HDR_BYTES, img);
        *used = size < HDR_BYTES ? size : HDR_BYTES + img;
        f->vm.hole = (uint64_t)f->hdr[2] * 32;
        f->vm.hole_len = (uint64_t)f->hdr[3] * 16;
        struct ref *r = &f->r;
        r->qsz = (uint16_t)(1u << (f->hdr[0] % 7));
        r->indirect = f->hdr[1] & 1;
        r->event_idx = f->hdr[1] & 2;
        r->notify = !(f->hdr[1] & 4);
        if (vdq_init(&f->q, &f->vm, r->qsz, DESC_AT, AVAIL_AT, USED_AT, r->indirect, r->event_idx) != CCADA_OK)
                finding("vdq_init refused a valid queue (qsz, features)", r->qsz, f->hdr[1]);
        if (!r->notify && vdq_set_notification(&f->q, false) != CCADA_OK)
                r->broken = true; /* used.flags in the hole */
}

/* The guest's changes after pop p. */
static void patch(struct fz *f, const uint8_t *p, size_t n, unsigned pop, unsigned npops)
{
        for (size_t off = 0; off + PATCH_BYTES <= n; off += PATCH_BYTES) {
                const uint8_t *r = p + off;
                if (r[0] % npops != pop)
                        continue;
                uint64_t at = ld_le16(r + 1) % (MEM_SIZE - 3);
                memcpy(f->vm.mem + at, r + 3, 4);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static struct fz f; /* guest memory and three 4 KiB requests: off the stack */
        size_t used;
        setup(&f, data, size, &used);
        unsigned npops = f.hdr[4] % 16 + 1;
        for (unsigned p = 0; p < npops; p++) {
                static struct allowed w;
                w.n = 0;
                allow(&w, USED_AT + vring_avail_event_off(f.r.qsz), 2);
                ref_pop(&f.vm, &f.r);
                arm(&f, "vdq_pop", &f.r.reads, &w);
                ccada_status s = vdq_pop(&f.q, &f.e);
                arm(&f, "the harness", NULL, NULL);
                if (getenv("CCADA_FUZZ_VERBOSE"))
                        fprintf(stderr, "avail-ring fuzzer: pop %u: %s, error %s, %u segments\n", p,
                                ccada_status_name(s), vdq_error_name(f.q.error), s == CCADA_OK ? f.e.n_out + f.e.n_in : 0);
                check_pop(&f, s);
                if (s == CCADA_OK) {
                        check_payload(&f, p);
                        check_push(&f);
                }
                patch(&f, data + used, size - used, p, npops);
        }
        return 0;
}
