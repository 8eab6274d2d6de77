/* A REC's memory accesses: stage-2 translation through the Realm's RTT, then physical
 * accesses as the Realm world (so the GPC applies), and the REC exits an access causes. DEN0137 1.0 A5.2 (IPA space, RIPAS and access outcomes),
 * A4.3.x (REC exit due to data abort, emulatable aborts).
 *
 * Where a translation may be cached, and what invalidates it:
 *  - The REC's TLB (rec->tlb) holds, for an IPA page, the output granule's PA and the granule
 *    protection verdicts obtained for it: for a protected IPA the Realm world's check, for an
 *    unprotected one the check as Non-secure (the output address is in the NS PAS) and as
 *    the Realm world. Only successful walks and allowed accesses are cached: a fault is
 *    looked up afresh every time, so it is counted and traced every time. A miss also
 *    fills the next pages of the same level-3 table (tlb_prefetch), as translations
 *    without verdicts: prefetching never runs, and so never skips, a GPC.
 *    A translation depends only on the Realm's RTT; every RMI command that can change it
 *    bumps realm->rtt_gen (rmi.c). A verdict depends only on the output granule's GPT entry,
 *    the world and whether the PA is memory: the worlds' rights are a fixed table, the memory
 *    regions are fixed when the machine is made, and the ownership tags of hw.h are a test
 *    aid the GPC never reads (the isolation check reads them live). Every GPT change
 *    (DELEGATE, UNDELEGATE: hw_gpt_transition, the only writer of an entry) advances
 *    hw_gpt_gen(). An entry is therefore used only while both generations are those it was
 *    filled at; the pair is sufficient, and either changing invalidates every entry of every
 *    REC at no cost (the stale ones simply stop matching). The GPC is per granule and
 *    regions are granule-aligned, so a verdict for one piece of a granule holds for all of it.
 *  - A PA in a local variable is valid only until the REC next exits to the host. While the
 *    REC is out the host may destroy, undelegate, re-delegate or unmap anything. A
 *    translation is therefore a struct rec_pa stamped with rec->exits, and the one function
 *    that moves bytes (rec_phys) refuses a stale one. It moves them without checking again
 *    (hw_ptr): every rec_pa carries a verdict current when it was made, and nothing can
 *    change the GPT or the RTT before the REC exits. An access that needs two translations
 *    (a copy) restarts its piece when resolving the second one exited: the first is
 *    translated (and protection-checked) again, as the instruction would be on re-entry.
 *  - Each granule-bounded piece of a bulk access is one access: pieces before an exit have
 *    completed (as the instructions of a memcpy loop before a fault have), the faulting
 *    piece is re-translated after the exit.
 * Nothing else in src/rmm keeps a Realm PA across an exit: RSI handlers that touch Realm
 * memory around an exit (RSI_HOST_CALL) access it through rec_mem_read/rec_mem_write
 * before and after, each translating afresh. */
#include <assert.h>
#include <string.h>

#include "lib/chunk.h"
#include "rmm/rmm_internal.h"

/* Device memory (an ASSIGNED_DEV entry with RIPAS DEV, RMM 2.0-beta) is translated
 * (XLATE_DEV) but never cached in the TLB nor prefetched (tlb_prefetch fills ASSIGNED entries
 * only): each access walks, so an unmap or a RIPAS change is seen at once even without the
 * generation moving. Only rec_mmio reaches it; a bulk access (rec_access, rec_copy) there is
 * an SEA, as a Realm accesses device memory with single-register loads and stores.
 *
 * Whether an ASSIGNED entry can be accessed: a protected one only with RIPAS RAM. */
static bool assigned_ok(const struct rtte *e, bool unprotected)
{
        return unprotected || e->ripas == RMI_RAM;
}

/* The stage-2 walk. On XLATE_OK, *w is where it ended (a level-3 entry). */
static enum rec_xlate rec_walk(struct rec *rec, uint64_t ipa, uint64_t *pa, bool *unprotected,
                               struct rtt_walk *w)
{
        const struct realm *realm = rec->realm;

        if (!rtt_ipa_in_range(realm, ipa))
                return XLATE_SEA;
        *unprotected = !rtt_ipa_protected(realm, ipa);
        rtt_walk(realm, ipa, RTT_PAGE_LEVEL, w);
        const struct rtte *e = rtt_walk_entry(w);
        if (e->state == RMI_ASSIGNED_DEV) {
                /* device memory: reachable once the Realm validated it (RIPAS DEV); before
                 * that, and after the host unmapped it, as RIPAS EMPTY / DESTROYED memory */
                if (e->ripas != RMI_DEV)
                        return XLATE_SEA;
                *pa = e->addr + (ipa & GRANULE_MASK);
                return XLATE_DEV;
        }
        if (e->state == RMI_ASSIGNED) {
                if (!assigned_ok(e, *unprotected))
                        return XLATE_SEA; /* assigned but RIPAS EMPTY: A5.2.2 */
                *pa = e->addr + (ipa & GRANULE_MASK);
                return XLATE_OK;
        }
        if (!*unprotected && e->ripas == RMI_EMPTY)
                return XLATE_SEA;
        /* Unassigned RAM, DESTROYED (an exit that never makes progress), or an unmapped
         * unprotected IPA: a stage-2 fault the host sees. */
        return XLATE_FAULT;
}

static enum rec_xlate gpc_to_xlate(enum hw_result h)
{
        return h == HW_OK ? XLATE_OK : h == HW_GPF ? XLATE_GPF : XLATE_SEA;
}

/* The granule protection check of the access (A5.2.6). An unprotected IPA's output address
 * is in the Non-secure PAS (the stage-2 descriptor's NS bit), so the GPC checks it as NS: a
 * granule the host mapped there that is not Non-secure faults. The data then moves with the
 * Realm world, which is checked too. A fault is a GPF (counted, traced) or, outside memory,
 * an external abort. */
static enum rec_xlate rec_gpc(struct rec *rec, const struct rec_pa *p, size_t len, bool write)
{
        enum hw_access a = write ? HW_ACCESS_WRITE : HW_ACCESS_READ;
        enum hw_result h = HW_OK;
        if (p->unprot)
                h = hw_check(rec->rmm->mem, HW_WORLD_NS, p->pa, len, a, NULL);
        if (h == HW_OK)
                h = hw_check(rec->rmm->mem, HW_WORLD_REALM, p->pa, len, a, NULL);
        return gpc_to_xlate(h);
}

/* The epoch that names the current (rtt_gen, gpt_gen) pair: a new one when either moved
 * since the last lookup. When the epochs run out every entry is cleared and they restart. */
static uint64_t tlb_epoch(struct rec *rec)
{
        struct rec_tlb *t = &rec->tlb;
        uint64_t rtt_gen = rec->realm->rtt_gen + 1, gpt_gen = *rec->rmm->gpt_gen; /* hw_gpt_gen */
        if (t->rtt_gen != rtt_gen || t->gpt_gen != gpt_gen) {
                t->rtt_gen = rtt_gen, t->gpt_gen = gpt_gen;
                if (++t->epoch >> REC_TLB_EPOCH_BITS) {
                        memset(t->e, 0, sizeof(t->e));
                        t->epoch = 1;
                }
        }
        return t->epoch;
}

static struct rec_tlb_entry *tlb_set(struct rec *rec, uint64_t page)
{
        return &rec->tlb.e[page % REC_TLB_SETS * REC_TLB_WAYS];
}

/* A miss walked to the level-3 entry of `page`: the pages after it in the same table are the
 * likely next ones (a copy streaming through a buffer, a bounce pool used slot after slot),
 * so their translations are filled now, from entries the walk already reached, each with
 * its GPC verdict (hw_granule_worlds: the worlds the GPT lets reach the granule now; the
 * same verdict rec_gpc would get at this GPT generation, which keys the entry). A granule
 * the access would fault on gets no verdict: its first use runs rec_gpc, which faults (and
 * counts and traces the fault) as any access would. Each goes in as its set's most
 * recently used way, evicting the least recently used: a stream touches it next, and
 * a hit needs it in way 0. Only what rec_walk would translate is filled: the table is one 2 MiB
 * block, inside the IPA space and on one side of the protected/unprotected boundary, like
 * `page`. */
static void tlb_prefetch(struct rec *rec, const struct rtt_walk *w, uint64_t page, bool unprot, uint64_t epoch)
{
        const unsigned need = 1u << HW_WORLD_REALM | (unprot ? 1u << HW_WORLD_NS : 0);
        for (unsigned i = 1; i <= REC_TLB_PREFETCH && w->index + i < RTT_ENTRIES; i++) {
                const struct rtte *e = &w->table->e[w->index + i];
                if (e->state != RMI_ASSIGNED || !assigned_ok(e, unprot))
                        return;
                uint64_t tag = (page + i) << REC_TLB_EPOCH_BITS | epoch;
                struct rec_tlb_entry *set = tlb_set(rec, page + i);
                unsigned way = 0;
                while (way < REC_TLB_WAYS && set[way].tag != tag)
                        way++;
                if (way < REC_TLB_WAYS)
                        continue;
                bool allowed = (hw_granule_worlds(rec->rmm->mem, e->addr) & need) == need;
                for (way = REC_TLB_WAYS - 1; way > 0; way--) /* the LRU goes; this is next */
                        set[way] = set[way - 1];
                set[0] = (struct rec_tlb_entry){
                        .tag = tag,
                        .pa = e->addr | (unprot ? REC_TLB_UNPROT : 0) | (allowed ? REC_TLB_READ | REC_TLB_WRITE : 0) };
        }
}

/* Everything but a hit in the most recent way of a set, with the verdict this access needs,
 * at an unchanged epoch: walk if need be, check if need be, and make the entry the set's
 * most recent. */
__attribute__((noinline)) /* keeps the hit path in rec_translate small */
static enum rec_xlate tlb_slow(struct rec *rec, size_t len, bool write, struct rec_pa *out)
{
        uint64_t page = out->ipa >> GRANULE_SHIFT;
        uint64_t need = write ? REC_TLB_WRITE : REC_TLB_READ;
        struct rtt_walk w;
        if (out->ipa >> REC_TLB_IPA_BITS) { /* no tag for it (and an SEA unless max_s2sz > 48) */
                enum rec_xlate x = rec_walk(rec, out->ipa, &out->pa, &out->unprot, &w);
                return x == XLATE_OK ? rec_gpc(rec, out, len, write) : x;
        }
        uint64_t epoch = tlb_epoch(rec);
        uint64_t tag = page << REC_TLB_EPOCH_BITS | epoch;
        struct rec_tlb_entry *set = tlb_set(rec, page);
        unsigned way = 0;
        while (way < REC_TLB_WAYS && set[way].tag != tag)
                way++;
        struct rec_tlb_entry e = { .tag = tag };
        if (way < REC_TLB_WAYS) {
                e = set[way];
                out->pa = (e.pa & ~GRANULE_MASK) | (out->ipa & GRANULE_MASK);
                out->unprot = e.pa & REC_TLB_UNPROT;
        } else {
                way = REC_TLB_WAYS - 1; /* the least recently used is evicted */
                enum rec_xlate x = rec_walk(rec, out->ipa, &out->pa, &out->unprot, &w);
                if (x != XLATE_OK)
                        return x;
                e.pa = (out->pa & ~GRANULE_MASK) | (out->unprot ? REC_TLB_UNPROT : 0);
                tlb_prefetch(rec, &w, page, out->unprot, epoch);
        }
        if (!(e.pa & need)) {
                enum rec_xlate x = rec_gpc(rec, out, len, write);
                if (x != XLATE_OK)
                        return x; /* never cached: the next access faults (and counts) again */
                e.pa |= need;
        }
        for (; way > 0; way--)
                set[way] = set[way - 1];
        set[0] = e;
        return XLATE_OK;
}

enum rec_xlate rec_translate(struct rec *rec, uint64_t ipa, size_t len, bool write, struct rec_pa *out)
{
        const struct rec_tlb *t = &rec->tlb;
        uint64_t page = ipa >> GRANULE_SHIFT;
        uint64_t need = write ? REC_TLB_WRITE : REC_TLB_READ;

        out->ipa = ipa, out->epoch = rec->exits, out->unprot = false;
        if (t->rtt_gen == rec->realm->rtt_gen + 1 && t->gpt_gen == *rec->rmm->gpt_gen && !(ipa >> REC_TLB_IPA_BITS)) {
                const struct rec_tlb_entry *e = tlb_set(rec, page);
                if (e->tag == (page << REC_TLB_EPOCH_BITS | t->epoch) && e->pa & need) {
                        out->pa = (e->pa & ~GRANULE_MASK) | (ipa & GRANULE_MASK); /* no walk, no GPC */
                        out->unprot = e->pa & REC_TLB_UNPROT;
                        return XLATE_OK;
                }
        }
        return tlb_slow(rec, len, write, out);
}

static uint64_t esr_dabt(bool isv, unsigned size, bool write)
{
        uint64_t esr = ESR_EC_DABT_LOWER << ESR_EC_SHIFT | ESR_IL | ESR_DFSC_TRANS_L3;
        if (isv) {
                unsigned sas = size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;
                esr |= ESR_ISV | (uint64_t)sas << ESR_SAS_SHIFT; /* SRT = 0: x0 */
        }
        if (write)
                esr |= ESR_WNR;
        return esr;
}

/* A data abort exit. Returns after the host re-entered; rec->sea says whether it asked
 * for an SEA, rec->emulated whether it emulated the access. */
static void rec_data_abort(struct rec *rec, uint64_t ipa, bool isv, unsigned size, bool write,
                           uint64_t wval)
{
        struct rmi_rec_exit x = {
                .reason = RMI_EXIT_SYNC,
                .esr = esr_dabt(isv, size, write),
                .far = ipa & GRANULE_MASK, /* only the offset within the granule is exposed */
                .hpfar = (ipa >> GRANULE_SHIFT) << HPFAR_FIPA_SHIFT,
        };
        if (isv && write)
                x.gprs[0] = wval;
        rec_exit_and_wait(rec, isv ? REC_PENDING_MMIO : REC_PENDING_ABORT, &x);
}

static enum cpu_result halted(const struct rec *rec)
{
        return rec->realm->state == REALM_SYSTEM_OFF ? CPU_HALTED : CPU_OK;
}

/* Translates and checks one granule-bounded piece of len bytes, resolving stage-2 faults
 * with the host. On CPU_OK, *out is valid until the REC's next exit. */
static inline enum cpu_result rec_xlate_resolve(struct rec *rec, uint64_t ipa, size_t len, bool write,
                                         struct rec_pa *out)
{
        for (;;) {
                enum rec_xlate x = rec_translate(rec, ipa, len, write, out);
                if (x == XLATE_OK)
                        return CPU_OK;
                if (x == XLATE_GPF)
                        return CPU_GPF;
                if (x == XLATE_SEA || x == XLATE_DEV)
                        return CPU_SEA; /* device memory takes single-register accesses only */
                rec_data_abort(rec, ipa, false, 0, write, 0);
                if (rec->sea)
                        return CPU_SEA;
                if (halted(rec) != CPU_OK)
                        return CPU_HALTED;
        }
}

static size_t piece(uint64_t ipa, size_t len)
{
        size_t room = (size_t)(GRANULE_SIZE - (ipa & GRANULE_MASK));
        return len < room ? len : room;
}

/* The one place a REC's access moves bytes: only with translations made since its last
 * exit (anything else is a bug in this file, not something input can cause). Each carries
 * the GPC verdict rec_translate obtained or found current, so the bytes move unchecked. */
static void rec_phys(struct rec *rec, enum rec_op op, const struct rec_pa *to, const struct rec_pa *from,
                     uint8_t *buf, uint8_t byte, size_t n)
{
        struct hw_mem *mem = rec->rmm->mem;
        bool check = rec->rmm->cfg.check_accesses;
        assert(to->epoch == rec->exits && (!from || from->epoch == rec->exits));
        if (check)
                rec_check_before(rec, op, to, from, n);
        uint8_t *p = hw_ptr(mem, to->pa);
        switch (op) {
        case OP_LOAD: memcpy(buf, p, n); break;
        case OP_STORE: memcpy(p, buf, n); break;
        case OP_FILL: memset(p, byte, n); break;
        default: memmove(p, hw_ptr(mem, from->pa), n); break; /* a piece may overlap itself */
        }
        if (check)
                rec_check_after(rec, op, to, buf, byte, n);
}

/* Loads, stores and fills, one granule-bounded piece at a time. */
enum cpu_result rec_access(struct rec *rec, enum rec_op op, uint64_t ipa, uint8_t *buf, uint8_t byte,
                                  size_t len)
{
        while (len) {
                struct rec_pa pa;
                size_t n = piece(ipa, len);
                enum cpu_result res = rec_xlate_resolve(rec, ipa, n, op != OP_LOAD, &pa);
                if (res != CPU_OK)
                        return res;
                rec_phys(rec, op, &pa, NULL, buf, byte, n);
                ipa += n, len -= n;
                if (buf)
                        buf += n;
        }
        return CPU_OK;
}

/* Both translations of one copy piece with no exit between them. If resolving the
 * destination exited to the host, the source PA predates that exit: the piece restarts
 * and the source is translated and checked again (it may now be DESTROYED, unmapped, or
 * a granule of another world). */
static enum cpu_result rec_copy_xlate(struct rec *rec, uint64_t d, uint64_t s, size_t n, struct rec_pa *dpa,
                                      struct rec_pa *spa)
{
        for (;;) {
                enum cpu_result res = rec_xlate_resolve(rec, s, n, false, spa);
                if (res != CPU_OK)
                        return res;
                res = rec_xlate_resolve(rec, d, n, true, dpa);
                if (res != CPU_OK || spa->epoch == rec->exits)
                        return res;
        }
}

/* memmove semantics: copy backwards when dst overlaps the tail of src. */
enum cpu_result rec_copy(struct rec *rec, uint64_t dst, uint64_t src, size_t len)
{
        bool backwards = chunk_backwards(dst, src, len);
        while (len) {
                uint64_t s0, d0;
                size_t n = chunk_next(dst, src, len, GRANULE_MASK, backwards, &d0, &s0);
                struct rec_pa spa, dpa;
                enum cpu_result res = rec_copy_xlate(rec, d0, s0, n, &dpa, &spa);
                if (res != CPU_OK)
                        return res;
                rec_phys(rec, OP_COPY, &dpa, &spa, NULL, 0, n);
                if (!backwards)
                        src += n, dst += n;
                len -= n;
        }
        return CPU_OK;
}

static bool mmio_size_ok(unsigned size)
{
        return size == 1 || size == 2 || size == 4 || size == 8;
}

/* A single-register access to device memory the Realm validated: a TEE request (T=1) to
 * the platform's device at pa; the device not completing it is an SEA. A read's value holds
 * size bytes. */
static enum cpu_result rec_dev_access(struct rec *rec, uint64_t pa, unsigned size, bool write, uint64_t *val)
{
        const struct rmm_dev_mem *dm = &rec->rmm->dev_mem;
        uint64_t mask = size == 8 ? UINT64_MAX : (1ULL << (8 * size)) - 1;
        uint64_t v = write ? *val & mask : 0;
        if (!dm->fn || !dm->fn(dm->ctx, pa, size, write, &v))
                return CPU_SEA;
        if (!write)
                *val = v & mask;
        return CPU_OK;
}

/* A single-register access: memory if mapped, the device if validated device memory;
 * otherwise an emulatable abort exit. Without EMUL_MMIO on re-entry the instruction runs
 * again (and faults again), as on hardware. */
enum cpu_result rec_mmio(struct rec *rec, uint64_t ipa, unsigned size, bool write, uint64_t *val)
{
        if (!mmio_size_ok(size) || ipa & (size - 1))
                return CPU_SEA;
        for (;;) {
                struct rec_pa p;
                enum rec_xlate x = rec_translate(rec, ipa, size, write, &p);
                bool unprot = p.unprot;
                if (x == XLATE_SEA)
                        return CPU_SEA;
                if (x == XLATE_GPF)
                        return CPU_GPF;
                if (x == XLATE_DEV)
                        return rec_dev_access(rec, p.pa, size, write, val);
                if (x == XLATE_OK) {
                        uint8_t b[8] = { 0 };
                        for (unsigned i = 0; write && i < size; i++)
                                b[i] = (uint8_t)(*val >> (8 * i));
                        rec_phys(rec, write ? OP_STORE : OP_LOAD, &p, NULL, b, 0, size);
                        if (!write) {
                                *val = 0;
                                for (unsigned i = 0; i < size; i++)
                                        *val |= (uint64_t)b[i] << (8 * i);
                        }
                        return CPU_OK;
                }
                rec_data_abort(rec, ipa, unprot, size, write, write ? *val : 0);
                if (rec->sea)
                        return CPU_SEA;
                if (halted(rec) != CPU_OK)
                        return CPU_HALTED;
                if (unprot && rec->emulated) {
                        if (!write)
                                *val = size == 8 ? rec->mmio_val : rec->mmio_val & ((1ULL << (8 * size)) - 1);
                        return CPU_OK;
                }
        }
}

enum cpu_result rec_mem_read(struct rec *rec, uint64_t ipa, void *dst, size_t len)
{
        return rec_access(rec, OP_LOAD, ipa, dst, 0, len);
}

enum cpu_result rec_mem_write(struct rec *rec, uint64_t ipa, const void *src, size_t len)
{
        /* hw_write takes const data: the cast only shares rec_access's loop */
        return rec_access(rec, OP_STORE, ipa, (uint8_t *)(uintptr_t)src, 0, len);
}
