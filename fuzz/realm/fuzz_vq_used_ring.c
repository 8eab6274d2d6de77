/* The Realm's virtqueue driver (src/realm/virtqueue.c) under a hostile device that owns the
 * shared ring memory: between the driver's calls it completes requests honestly, writes any
 * used element or used.idx, scribbles over any ring byte (descriptors and the avail ring
 * included), or pulls a ring area away (every access to it then faults).
 *
 * The harness runs a reference model of the contract in src/realm/virtqueue.h and compares
 * every call with it (a finding aborts):
 *  - vq_add returns what the contract says (OK, INVAL, NOSPC, BROKEN when a ring write
 *    faults) and on success publishes exactly the request: a chain (or an indirect table)
 *    with the buffers' addresses, lengths and flags, in descriptors no other request holds,
 *    its head in the avail ring, avail.idx one further; on failure nothing is posted;
 *  - vq_get_used returns BUSY, or a token of a request in flight with the length the device
 *    wrote (never more than its device-writable bytes), or BROKEN with the reason the
 *    contract gives for that used-ring content (idx jump, overrun, id out of range, id not
 *    in flight, length too large, ring fault); on anything but OK its outputs are untouched;
 *  - vq_kick_prepare, vq_enable_cb, vq_disable_cb answer as the contract says from the
 *    device's flags and event indices; a broken queue stays broken for every call;
 *  - vq_num_free and vq_num_in_flight match the model after every call (never more
 *    completions than requests);
 *  - the driver reads only the used ring and writes only the descriptor table, the avail
 *    ring and the indirect tables (it keeps private shadows of what it publishes);
 *  - at the end vq_detach_unused hands back every request still in flight exactly once,
 *    num_free is the queue size again, and vq_destroy frees everything vq_init allocated.
 *
 * Input: byte 0 the queue size (1 << (b % 5)), byte 1 bit 0 INDIRECT_DESC, bit 1 EVENT_IDX;
 * then 8-byte records (an opcode and 7 argument bytes; see run_op). */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "proto/virtio_ring.h"
#include "realm/kernel.h"
#include "realm/kheap.h"
#include "realm/virtqueue.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Guest memory: the ring areas of a queue of at most 16 entries, shared, so the driver and
 * the device name them by their alias (IPA | SHARED_BIT). */
#define SHARED_BIT (1ULL << 39)
#define MEM_BASE   0x10000u
#define MEM_SIZE   0x4000u
#define DESC_AT    0x10000u
#define AVAIL_AT   0x10400u
#define USED_AT    0x10800u
#define IND_AT     0x11000u /* 16 x VQ_INDIRECT_TABLE_BYTES, to 0x13000 */
#define MAX_QSZ    16u
#define OP_BYTES   8u
#define MAX_OPS    512u
#define MAX_BUFS   40u

enum area { AREA_NONE, AREA_DESC, AREA_AVAIL, AREA_USED, AREA_IND, AREA_COUNT };

/* ---- the fake guest kernel: memory, heap, log ---- */

struct realm_kernel {
        uint8_t mem[MEM_SIZE];
        struct kheap heap;
        enum area revoked;      /* the area the device pulled away */
        bool initialised;       /* vq_init returned: only the rings' own accesses from now on */
        uint16_t qsz;
        bool indirect;
        char log[256];          /* the last printk */
};

static void __attribute__((noreturn, format(printf, 1, 2))) finding(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "vq-used-ring fuzzer: ");
        vfprintf(stderr, fmt, ap);
        fprintf(stderr, "\n");
        va_end(ap);
        abort();
}

static uint64_t area_start(enum area a)
{
        static const uint64_t at[AREA_COUNT] = { 0, DESC_AT, AVAIL_AT, USED_AT, IND_AT };
        return at[a];
}

static uint64_t area_len(const struct realm_kernel *k, enum area a)
{
        switch (a) {
        case AREA_DESC: return vring_desc_table_size(k->qsz);
        case AREA_AVAIL: return vring_avail_size(k->qsz);
        case AREA_USED: return vring_used_size(k->qsz);
        case AREA_IND: return k->indirect ? (uint64_t)k->qsz * VQ_INDIRECT_TABLE_BYTES : 0;
        default: return 0;
        }
}

static bool inside(const struct realm_kernel *k, enum area a, uint64_t ipa, size_t len)
{
        uint64_t s = area_start(a), l = area_len(k, a);
        return a != AREA_NONE && ipa >= s && len <= l && ipa - s <= l - len;
}

static bool overlaps(const struct realm_kernel *k, enum area a, uint64_t ipa, size_t len)
{
        uint64_t s = area_start(a), l = area_len(k, a);
        return a != AREA_NONE && len && ipa < s + l && s < ipa + len;
}

/* Checks one access of the driver: through the alias, reads only from the used ring, writes
 * only to what the driver publishes (vq_init may fill every area). */
static ccada_status access(struct realm_kernel *k, uint64_t alias, size_t len, bool write)
{
        uint64_t ipa = alias & ~SHARED_BIT;
        if (!(alias & SHARED_BIT))
                finding("the driver reached ring memory at 0x%llx, not through its alias", (unsigned long long)alias);
        if (ipa < MEM_BASE || len > MEM_SIZE || ipa - MEM_BASE > MEM_SIZE - len)
                finding("the driver accessed %zu bytes at 0x%llx, outside guest memory", len, (unsigned long long)ipa);
        bool ok = write ? inside(k, AREA_DESC, ipa, len) || inside(k, AREA_AVAIL, ipa, len) ||
                                  inside(k, AREA_IND, ipa, len) || (!k->initialised && inside(k, AREA_USED, ipa, len))
                        : inside(k, AREA_USED, ipa, len);
        if (!ok)
                finding("the driver %s %zu bytes at 0x%llx, outside what it may %s", write ? "wrote" : "read", len,
                        (unsigned long long)ipa, write ? "publish" : "read (the used ring)");
        return overlaps(k, k->revoked, ipa, len) ? CCADA_E_GPF : CCADA_OK;
}

ccada_status rk_read(struct realm_kernel *k, uint64_t ipa, void *dst, size_t len)
{
        ccada_status s = access(k, ipa, len, false);
        if (s == CCADA_OK)
                memcpy(dst, k->mem + ((ipa & ~SHARED_BIT) - MEM_BASE), len);
        return s;
}

ccada_status rk_write(struct realm_kernel *k, uint64_t ipa, const void *src, size_t len)
{
        ccada_status s = access(k, ipa, len, true);
        if (s == CCADA_OK)
                memcpy(k->mem + ((ipa & ~SHARED_BIT) - MEM_BASE), src, len);
        return s;
}

ccada_status rk_fill(struct realm_kernel *k, uint64_t ipa, uint8_t byte, size_t len)
{
        ccada_status s = access(k, ipa, len, true);
        if (s == CCADA_OK)
                memset(k->mem + ((ipa & ~SHARED_BIT) - MEM_BASE), byte, len);
        return s;
}

ccada_status rk_copy(struct realm_kernel *k, uint64_t dst_ipa, uint64_t src_ipa, size_t len)
{
        finding("the driver copied %zu bytes from 0x%llx to 0x%llx: it has no reason to", len,
                (unsigned long long)src_ipa, (unsigned long long)dst_ipa);
}

bool rk_is_realm(const struct realm_kernel *k) { return true; }

uint64_t rk_shared_bit(const struct realm_kernel *k) { return SHARED_BIT; }

void *rk_zalloc(struct realm_kernel *k, size_t count, size_t size) { return kheap_zalloc(&k->heap, count, size); }

void rk_kfree(struct realm_kernel *k, void *p) { kheap_free(&k->heap, p); }

struct trace *rk_trace(struct realm_kernel *k) { return NULL; }

void rk_printk(struct realm_kernel *k, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(k->log, sizeof(k->log), fmt, ap);
        va_end(ap);
}

/* The device's view: plain bytes (addr with or without the alias bit). */
static uint8_t *dev_ptr(struct realm_kernel *k, uint64_t addr) { return k->mem + ((addr & ~SHARED_BIT) - MEM_BASE); }

/* ---- the reference model ---- */

struct mhead {
        bool in_flight;
        uint64_t token;
        uint16_t ndescs;
        uint32_t in_len;
        bool done;              /* the honest device has completed it */
};

struct model {
        uint16_t qsz;
        bool indirect, event_idx, broken;
        enum vq_violation why;
        struct mhead head[MAX_QSZ];
        int8_t owner[MAX_QSZ];          /* head whose chain holds descriptor d, or -1 */
        unsigned in_flight, descs_held;
        uint16_t avail_idx, kicked, last_used, flags;
        uint16_t dev_used;              /* the honest device's used.idx */
        uint64_t next_token;
};

struct fz {
        struct realm_kernel k;
        struct model m;
        struct virtqueue vq;
};

static uint16_t rd16(struct fz *f, uint64_t addr) { return ld_le16(dev_ptr(&f->k, addr)); }

static void check_counts(struct fz *f, const char *after)
{
        if (vq_num_in_flight(&f->vq) != f->m.in_flight || vq_num_free(&f->vq) != f->m.qsz - f->m.descs_held)
                finding("after %s: %u in flight, %u free; the model has %u in flight holding %u of %u descriptors",
                        after, vq_num_in_flight(&f->vq), vq_num_free(&f->vq), f->m.in_flight, f->m.descs_held,
                        f->m.qsz);
        if (vq_is_broken(&f->vq) != f->m.broken || (f->m.broken && vq_broken_reason(&f->vq) != f->m.why))
                finding("after %s: queue %s (%s); the model says %s (%s)", after,
                        vq_is_broken(&f->vq) ? "broken" : "ok", vq_violation_name(vq_broken_reason(&f->vq)),
                        f->m.broken ? "broken" : "ok", vq_violation_name(f->m.why));
}

static void check_status(const char *call, ccada_status got, ccada_status want)
{
        if (got != want)
                finding("%s returned %s, the contract says %s", call, ccada_status_name(got), ccada_status_name(want));
}

static ccada_status model_break(struct model *m, enum vq_violation why)
{
        m->broken = true;
        m->why = why;
        return CCADA_E_BROKEN;
}

/* ---- vq_add ---- */

/* The status the contract gives a request of n buffers (total bytes `total`), before any
 * ring write; *need is the ring descriptors it takes. */
static ccada_status add_plan(const struct model *m, unsigned n, uint64_t total, bool *ind, unsigned *need)
{
        *ind = m->indirect && n > 1 && n <= VQ_INDIRECT_MAX;
        *need = *ind ? 1 : n;
        if (m->broken)
                return CCADA_E_BROKEN;
        if (n == 0 || total > UINT32_MAX || (!*ind && n > m->qsz))
                return CCADA_E_INVAL;
        return m->qsz - m->descs_held < *need ? CCADA_E_NOSPC : CCADA_OK;
}

/* The descriptor at `at` carries buffer b with these flags (and, if next >= 0, that link). */
static void check_desc(struct fz *f, uint64_t at, const struct vq_buf *b, uint16_t flags, int next, const char *what)
{
        struct vring_desc d;
        (void)vring_desc_decode(dev_ptr(&f->k, at), VRING_DESC_SIZE, &d);
        if (d.addr != b->addr || d.len != b->len || d.flags != flags ||
            (next >= 0 && flags & VRING_DESC_F_NEXT && d.next != next))
                finding("%s: descriptor {0x%llx, %u, flags %u, next %u}, posted {0x%llx, %u, flags %u}", what,
                        (unsigned long long)d.addr, d.len, d.flags, d.next, (unsigned long long)b->addr, b->len,
                        flags);
}

static uint16_t buf_flags(unsigned i, unsigned n_out, unsigned n)
{
        return (uint16_t)((i >= n_out ? VRING_DESC_F_WRITE : 0) | (i + 1 < n ? VRING_DESC_F_NEXT : 0));
}

/* Reads back what a successful vq_add published and records it; head is in the avail ring. */
static void check_published(struct fz *f, const struct vq_buf *b, unsigned n_out, unsigned n, bool ind,
                            uint32_t in_len)
{
        struct model *m = &f->m;
        uint16_t head = rd16(f, AVAIL_AT + vring_avail_ring_off(m->avail_idx & (m->qsz - 1)));
        if (rd16(f, AVAIL_AT + VRING_AVAIL_OFF_IDX) != (uint16_t)(m->avail_idx + 1) || head >= m->qsz ||
            m->head[head].in_flight)
                finding("vq_add published head %u (avail.idx %u), not a free head behind avail.idx %u", head,
                        rd16(f, AVAIL_AT + VRING_AVAIL_OFF_IDX), m->avail_idx);
        uint16_t d = head;
        for (unsigned i = 0; i < (ind ? 1 : n); i++) {
                if (d >= m->qsz || m->owner[d] >= 0)
                        finding("vq_add chained descriptor %u, which is out of range or held", d);
                m->owner[d] = (int8_t)head;
                if (!ind)
                        check_desc(f, DESC_AT + vring_desc_off(d), &b[i], buf_flags(i, n_out, n), -1, "chain");
                d = rd16(f, DESC_AT + vring_desc_off(d) + VRING_DESC_OFF_NEXT);
        }
        if (ind) {
                struct vring_desc t;
                (void)vring_desc_decode(dev_ptr(&f->k, DESC_AT + vring_desc_off(head)), VRING_DESC_SIZE, &t);
                if (t.flags != VRING_DESC_F_INDIRECT || t.len != n * VRING_DESC_SIZE || !(t.addr & SHARED_BIT) ||
                    !inside(&f->k, AREA_IND, t.addr & ~SHARED_BIT, t.len))
                        finding("vq_add's indirect descriptor {0x%llx, %u, flags %u} is not its table",
                                (unsigned long long)t.addr, t.len, t.flags);
                for (unsigned i = 0; i < n; i++)
                        check_desc(f, t.addr + vring_desc_off(i), &b[i], buf_flags(i, n_out, n), (int)i + 1,
                                   "indirect table");
        }
        m->head[head] = (struct mhead){ true, m->next_token, (uint16_t)(ind ? 1 : n), in_len, false };
        m->in_flight++;
        m->descs_held += ind ? 1 : n;
        m->avail_idx++;
}

static void op_add(struct fz *f, const uint8_t *a)
{
        struct vq_buf b[MAX_BUFS];
        unsigned n_out = a[0] & 3, n_in = a[0] >> 2 & 3;
        if (a[0] & 0x80) { /* long chains: beyond the queue and the indirect table */
                n_out = a[1] % 34;
                n_in = a[2] % 7;
        }
        uint64_t total = 0, in = 0;
        for (unsigned i = 0; i < n_out + n_in; i++) {
                b[i].addr = 0x100000ULL * (i + 1) + a[1 + i % 6];
                b[i].len = a[0] & 0x40 && i == 0 ? UINT32_MAX : (uint32_t)(a[1 + (i + 3) % 6] * (i + 7)) % 4097;
                total += b[i].len;
                in += i >= n_out ? b[i].len : 0;
        }
        bool ind;
        unsigned need;
        ccada_status want = add_plan(&f->m, n_out + n_in, total, &ind, &need);
        if (want == CCADA_OK && (f->k.revoked == AREA_DESC || f->k.revoked == AREA_AVAIL ||
                                 (ind && f->k.revoked == AREA_IND)))
                want = model_break(&f->m, VQ_RING_FAULT); /* all or nothing: nothing posted */
        f->m.next_token++;
        check_status("vq_add", vq_add(&f->vq, b, n_out, n_in, f->m.next_token), want);
        if (want == CCADA_OK)
                check_published(f, b, n_out, n_out + n_in, ind, (uint32_t)in);
}

/* ---- vq_get_used ---- */

static void model_detach(struct model *m, uint16_t head)
{
        for (unsigned d = 0; d < m->qsz; d++)
                if (m->owner[d] == head)
                        m->owner[d] = -1;
        m->descs_held -= m->head[head].ndescs;
        m->in_flight--;
        m->head[head] = (struct mhead){ 0 };
}

/* What the contract says vq_get_used returns for the ring as it is now. */
static ccada_status used_oracle(struct fz *f, struct vring_used_elem *e)
{
        struct model *m = &f->m;
        if (m->broken)
                return CCADA_E_BROKEN;
        if (f->k.revoked == AREA_USED)
                return model_break(m, VQ_RING_FAULT);
        uint16_t n = (uint16_t)(rd16(f, USED_AT + VRING_USED_OFF_IDX) - m->last_used);
        if (n > m->qsz)
                return model_break(m, VQ_USED_IDX_JUMP);
        if (n > m->in_flight)
                return model_break(m, VQ_USED_IDX_OVERRUN);
        if (n == 0)
                return CCADA_E_BUSY;
        (void)vring_used_elem_decode(dev_ptr(&f->k, USED_AT + vring_used_ring_off(m->last_used & (m->qsz - 1))),
                                     VRING_USED_ELEM_SIZE, e);
        if (e->id >= m->qsz)
                return model_break(m, VQ_ID_OUT_OF_RANGE);
        if (!m->head[e->id].in_flight)
                return model_break(m, VQ_ID_NOT_IN_FLIGHT);
        if (e->len > m->head[e->id].in_len)
                return model_break(m, VQ_LEN_TOO_LARGE);
        return CCADA_OK;
}

static void op_get_used(struct fz *f)
{
        struct model *m = &f->m;
        struct vring_used_elem e = { 0 };
        uint64_t token = 0xDEADBEEFULL;
        uint32_t len = 0xBEEF;
        ccada_status want = used_oracle(f, &e);
        uint16_t used_event = rd16(f, AVAIL_AT + vring_used_event_off(m->qsz));
        check_status("vq_get_used", vq_get_used(&f->vq, &token, &len), want);
        if (want != CCADA_OK) {
                if (token != 0xDEADBEEFULL || len != 0xBEEF)
                        finding("vq_get_used wrote its outputs on %s", ccada_status_name(want));
                return;
        }
        if (token != m->head[e.id].token || len != e.len)
                finding("vq_get_used returned token %llu len %u; head %u in flight is token %llu, device len %u",
                        (unsigned long long)token, len, e.id, (unsigned long long)m->head[e.id].token, e.len);
        model_detach(m, (uint16_t)e.id);
        m->last_used++;
        /* With EVENT_IDX and callbacks on, used_event follows; else it stays.  virtio 1.2 §2.7.10 */
        if (m->event_idx && !(m->flags & VRING_AVAIL_F_NO_INTERRUPT)) {
                if (f->k.revoked == AREA_AVAIL)
                        (void)model_break(m, VQ_RING_FAULT); /* this completion still counts */
                else if (rd16(f, AVAIL_AT + vring_used_event_off(m->qsz)) != m->last_used)
                        finding("vq_get_used did not move used_event to %u", m->last_used);
        } else if (rd16(f, AVAIL_AT + vring_used_event_off(m->qsz)) != used_event) {
                finding("vq_get_used moved used_event with callbacks off or without EVENT_IDX");
        }
}

/* ---- notifications ---- */

/* virtio 1.2 §2.7.10: notify iff event is in [old, new). */
static bool need_event(uint16_t event, uint16_t now, uint16_t old)
{
        return (uint16_t)(now - event - 1) < (uint16_t)(now - old);
}

static void op_kick(struct fz *f)
{
        struct model *m = &f->m;
        bool notify = true, want_notify = false;
        ccada_status want = CCADA_OK;
        uint16_t old = m->kicked;
        if (m->broken) {
                want = CCADA_E_BROKEN;
        } else if ((m->kicked = m->avail_idx) != old) {
                if (f->k.revoked == AREA_USED)
                        want = model_break(m, VQ_RING_FAULT);
                else if (m->event_idx)
                        want_notify = need_event(rd16(f, USED_AT + vring_avail_event_off(m->qsz)), m->avail_idx, old);
                else
                        want_notify = !(rd16(f, USED_AT + VRING_USED_OFF_FLAGS) & VRING_USED_F_NO_NOTIFY);
        }
        check_status("vq_kick_prepare", vq_kick_prepare(&f->vq, &notify), want);
        if (notify != want_notify)
                finding("vq_kick_prepare said notify=%d, the contract says %d", notify, want_notify);
}

static void op_disable_cb(struct fz *f)
{
        struct model *m = &f->m;
        ccada_status want = CCADA_OK;
        bool writes = false;
        if (m->broken) {
                want = CCADA_E_BROKEN;
        } else if (!(m->flags & VRING_AVAIL_F_NO_INTERRUPT)) {
                m->flags |= VRING_AVAIL_F_NO_INTERRUPT;
                writes = !m->event_idx; /* with EVENT_IDX flags stay 0: used_event stops moving */
                if (writes && f->k.revoked == AREA_AVAIL) {
                        want = model_break(m, VQ_RING_FAULT);
                        writes = false;
                }
        }
        check_status("vq_disable_cb", vq_disable_cb(&f->vq), want);
        if (writes && rd16(f, AVAIL_AT + VRING_AVAIL_OFF_FLAGS) != m->flags)
                finding("vq_disable_cb did not publish avail.flags %u", m->flags);
}

static void op_enable_cb(struct fz *f)
{
        struct model *m = &f->m;
        bool pending = true, want_pending = false;
        ccada_status want = CCADA_OK;
        if (m->broken) {
                want = CCADA_E_BROKEN;
        } else {
                m->flags &= (uint16_t)~VRING_AVAIL_F_NO_INTERRUPT;
                if (f->k.revoked == AREA_AVAIL || f->k.revoked == AREA_USED)
                        want = model_break(m, VQ_RING_FAULT);
                else
                        want_pending = rd16(f, USED_AT + VRING_USED_OFF_IDX) != m->last_used;
        }
        check_status("vq_enable_cb", vq_enable_cb(&f->vq, &pending), want);
        if (pending != want_pending)
                finding("vq_enable_cb said pending=%d, the contract says %d", pending, want_pending);
        if (want == CCADA_OK && rd16(f, AVAIL_AT + (m->event_idx ? vring_used_event_off(m->qsz) : VRING_AVAIL_OFF_FLAGS)) !=
                                        (m->event_idx ? m->last_used : m->flags))
                finding("vq_enable_cb did not publish %s", m->event_idx ? "used_event" : "avail.flags");
}

/* Takes one request back; its token must be one in flight. */
static bool detach_one(struct fz *f)
{
        struct model *m = &f->m;
        uint64_t token = 0;
        bool got = vq_detach_unused(&f->vq, &token);
        if (got != (m->in_flight > 0))
                finding("vq_detach_unused returned %d with %u requests in flight", got, m->in_flight);
        if (!got)
                return false;
        for (unsigned h = 0; h < m->qsz; h++) {
                if (m->head[h].in_flight && m->head[h].token == token) {
                        model_detach(m, (uint16_t)h);
                        return true;
                }
        }
        finding("vq_detach_unused returned token %llu, which is not in flight", (unsigned long long)token);
}

/* ---- the device ---- */

static void dev_used_elem(struct fz *f, unsigned slot, uint32_t id, uint32_t len)
{
        uint8_t *p = dev_ptr(&f->k, USED_AT + vring_used_ring_off(slot & (f->m.qsz - 1)));
        st_le32(p + VRING_USED_ELEM_OFF_ID, id);
        st_le32(p + VRING_USED_ELEM_OFF_LEN, len);
}

/* An honest completion of the k-th request in flight it has not completed yet, writing at
 * most its in_len bytes. */
static void dev_complete(struct fz *f, const uint8_t *a)
{
        struct model *m = &f->m;
        unsigned open = 0, k;
        for (unsigned h = 0; h < m->qsz; h++)
                open += m->head[h].in_flight && !m->head[h].done;
        k = open ? a[0] % open : 0;
        for (unsigned h = 0; h < m->qsz; h++) {
                if (!m->head[h].in_flight || m->head[h].done || k--)
                        continue;
                m->head[h].done = true;
                dev_used_elem(f, m->dev_used, h, (uint32_t)(ld_le32(a + 1) % (m->head[h].in_len + 1ULL)));
                st_le16(dev_ptr(&f->k, USED_AT + VRING_USED_OFF_IDX), ++m->dev_used);
                return;
        }
}

static void dev_scribble(struct fz *f, const uint8_t *a)
{
        enum area ar = (enum area)(1 + a[0] % (AREA_COUNT - 1));
        uint64_t len = area_len(&f->k, ar);
        if (len < 4)
                return;
        uint64_t off = ld_le16(a + 1) % (len - 3);
        memcpy(dev_ptr(&f->k, area_start(ar) + off), a + 3, 4);
}

/* ---- one input ---- */

static void run_op(struct fz *f, const uint8_t *r)
{
        const uint8_t *a = r + 1;
        switch (r[0] % 12) {
        case 0: op_add(f, a); break;
        case 1: op_get_used(f); break;
        case 2: op_kick(f); break;
        case 3: op_enable_cb(f); break;
        case 4: op_disable_cb(f); break;
        case 5: (void)detach_one(f); break;
        case 6: dev_complete(f, a); break;
        case 7: dev_used_elem(f, a[0], a[1] & 1 ? ld_le32(a + 2) : a[2] % 20u, a[1] & 2 ? ld_le32(a + 3) : a[3] * 3u);
                break;
        case 8: /* used.idx: anything, or the honest one plus a small step */
                st_le16(dev_ptr(&f->k, USED_AT + VRING_USED_OFF_IDX),
                        a[0] & 1 ? ld_le16(a + 1) : (uint16_t)(f->m.dev_used + (a[1] % 5) - 1));
                break;
        case 9: dev_scribble(f, a); break;
        case 10: f->k.revoked = (enum area)(a[0] % 8 < AREA_COUNT ? a[0] % 8 : AREA_NONE); break;
        default: op_get_used(f); op_get_used(f); break;
        }
        check_counts(f, "an operation");
}

static void setup(struct fz *f, uint8_t qsz_sel, uint8_t features)
{
        memset(f, 0, sizeof(*f));
        struct model *m = &f->m;
        m->qsz = (uint16_t)(1u << (qsz_sel % 5));
        m->indirect = features & 1;
        m->event_idx = features & 2;
        memset(m->owner, -1, sizeof(m->owner));
        f->k.qsz = m->qsz;
        f->k.indirect = m->indirect;
        memset(f->k.mem, 0xEE, sizeof(f->k.mem));
        struct vq_config cfg = {
                .dev_name = "virtio0", .qsz = m->qsz, .indirect = m->indirect, .event_idx = m->event_idx,
                .desc = { DESC_AT | SHARED_BIT, DESC_AT | SHARED_BIT },
                .avail = { AVAIL_AT | SHARED_BIT, AVAIL_AT | SHARED_BIT },
                .used = { USED_AT | SHARED_BIT, USED_AT | SHARED_BIT },
                .indirect_area = { IND_AT | SHARED_BIT, IND_AT | SHARED_BIT },
        };
        check_status("vq_init", vq_init(&f->vq, &f->k, &cfg), CCADA_OK);
        f->k.initialised = true;
        check_counts(f, "vq_init");
}

/* Every request in flight comes back exactly once; then the queue is whole and frees all. */
static void teardown(struct fz *f)
{
        while (detach_one(f))
                ;
        if (vq_num_free(&f->vq) != f->m.qsz)
                finding("after detaching everything %u of %u descriptors are free", vq_num_free(&f->vq), f->m.qsz);
        vq_destroy(&f->vq);
        if (f->k.heap.live)
                finding("vq_destroy left %zu allocations", f->k.heap.live);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static struct fz f; /* 16 KiB of guest memory: off the stack */
        setup(&f, size > 0 ? data[0] : 0, size > 1 ? data[1] : 0);
        for (size_t off = 2, n = 0; off < size && n < MAX_OPS; off += OP_BYTES, n++) {
                uint8_t r[OP_BYTES] = { 0 };
                memcpy(r, data + off, size - off < OP_BYTES ? size - off : OP_BYTES);
                run_op(&f, r);
        }
        if (getenv("CCADA_FUZZ_VERBOSE"))
                fprintf(stderr, "vq-used-ring fuzzer: qsz %u, %llu added, %llu completed, queue %s (%s)\n", f.m.qsz,
                        (unsigned long long)f.vq.added, (unsigned long long)f.vq.completed,
                        f.m.broken ? "broken" : "ok", vq_violation_name(f.m.why));
        teardown(&f);
        return 0;
}
