/* A REC's memory accesses: stage-2 translation through the Realm's RTT, then physical
 * accesses as the Realm world (so the GPC applies), and the REC exits an access causes. DEN0137 1.0 A5.2 (IPA space, RIPAS and access outcomes),
 * A4.3.x (REC exit due to data abort, emulatable aborts).
 *
 * Where a translation may be cached, and what invalidates it:
 *  - The REC's TLB (rec->tlb) holds IPA page -> PA page for successful stage-2 walks. Every
 *    RMI command that can change a Realm's stage-2 mapping bumps realm->rtt_gen (rmi.c),
 *    which invalidates every entry of every REC of that Realm. The TLB never caches the
 *    granule protection check: every access checks the PAS again, so a GPT change (DELEGATE,
 *    UNDELEGATE) needs no invalidation.
 *  - A PA in a local variable is valid only until the REC next exits to the host. While the
 *    REC is out the host may destroy, undelegate, re-delegate or unmap anything. A
 *    translation is therefore a struct rec_pa stamped with rec->exits, and the one function
 *    that moves bytes (rec_phys) refuses a stale one. An access that needs two translations
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

static enum rec_xlate rec_walk(struct rec *rec, uint64_t ipa, uint64_t *pa, bool *unprotected)
{
        const struct realm *realm = rec->realm;
        struct rtt_walk w;

        if (!rtt_ipa_in_range(realm, ipa))
                return XLATE_SEA;
        *unprotected = !rtt_ipa_protected(realm, ipa);
        rtt_walk(realm, ipa, RTT_PAGE_LEVEL, &w);
        const struct rtte *e = rtt_walk_entry(&w);
        if (e->state == RMI_ASSIGNED) {
                if (!*unprotected && e->ripas != RMI_RAM)
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

enum rec_xlate rec_translate(struct rec *rec, uint64_t ipa, uint64_t *pa, bool *unprotected)
{
        uint64_t page = ipa >> GRANULE_SHIFT;
        struct rec_tlb_entry *t = &rec->tlb[page % REC_TLB_ENTRIES];
        uint64_t gen = rec->realm->rtt_gen + 1; /* never 0: a zeroed entry is never valid */

        if (t->gen == gen && t->ipa_page == page) {
                *pa = t->pa_page | (ipa & GRANULE_MASK);
                *unprotected = t->unprot;
                return XLATE_OK;
        }
        enum rec_xlate x = rec_walk(rec, ipa, pa, unprotected);
        if (x == XLATE_OK)
                *t = (struct rec_tlb_entry){ .ipa_page = page, .pa_page = *pa & ~GRANULE_MASK, .gen = gen,
                                             .unprot = *unprotected };
        return x;
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

static enum cpu_result hw_to_cpu(enum hw_result h);

/* An unprotected IPA's output address is in the Non-secure PAS (the stage-2 descriptor's
 * NS bit), so the GPC checks the access as NS: a granule the host mapped there that is not
 * Non-secure faults (DEN0137 1.0 A5.2.6). The data then moves with the Realm world. */
static enum cpu_result unprot_check(struct rec *rec, uint64_t pa, size_t len, bool write)
{
        return hw_to_cpu(hw_check(rec->rmm->mem, HW_WORLD_NS, pa, len,
                                  write ? HW_ACCESS_WRITE : HW_ACCESS_READ, NULL));
}

/* Translates one granule-bounded piece of len bytes, resolving stage-2 faults with the
 * host. On CPU_OK, *out is valid until the REC's next exit. */
static enum cpu_result rec_xlate_resolve(struct rec *rec, uint64_t ipa, size_t len, bool write,
                                         struct rec_pa *out)
{
        for (;;) {
                enum rec_xlate x = rec_translate(rec, ipa, &out->pa, &out->unprot);
                if (x == XLATE_OK) {
                        out->ipa = ipa;
                        out->epoch = rec->exits;
                        return out->unprot ? unprot_check(rec, out->pa, len, write) : CPU_OK;
                }
                if (x == XLATE_SEA)
                        return CPU_SEA;
                rec_data_abort(rec, ipa, false, 0, write, 0);
                if (rec->sea)
                        return CPU_SEA;
                if (halted(rec) != CPU_OK)
                        return CPU_HALTED;
        }
}

static enum cpu_result hw_to_cpu(enum hw_result h)
{
        return h == HW_OK ? CPU_OK : h == HW_GPF ? CPU_GPF : CPU_SEA;
}

static size_t piece(uint64_t ipa, size_t len)
{
        size_t room = (size_t)(GRANULE_SIZE - (ipa & GRANULE_MASK));
        return len < room ? len : room;
}

/* The one place a REC's access moves bytes: only with translations made since its last
 * exit (anything else is a bug in this file, not something input can cause). */
static enum cpu_result rec_phys(struct rec *rec, enum rec_op op, const struct rec_pa *to,
                                const struct rec_pa *from, uint8_t *buf, uint8_t byte, size_t n)
{
        struct hw_mem *mem = rec->rmm->mem;
        bool check = rec->rmm->cfg.check_accesses;
        assert(to->epoch == rec->exits && (!from || from->epoch == rec->exits));
        if (check)
                rec_check_before(rec, op, to, from, n);
        enum hw_result h;
        switch (op) {
        case OP_LOAD: h = hw_read(mem, HW_WORLD_REALM, to->pa, buf, n, NULL); break;
        case OP_STORE: h = hw_write(mem, HW_WORLD_REALM, to->pa, buf, n, NULL); break;
        case OP_FILL: h = hw_fill(mem, HW_WORLD_REALM, to->pa, byte, n, NULL); break;
        default: h = hw_copy(mem, HW_WORLD_REALM, to->pa, from->pa, n, NULL); break;
        }
        if (check && h == HW_OK)
                rec_check_after(rec, op, to, buf, byte, n);
        return hw_to_cpu(h);
}

/* Loads, stores and fills, one granule-bounded piece at a time. */
enum cpu_result rec_access(struct rec *rec, enum rec_op op, uint64_t ipa, uint8_t *buf, uint8_t byte,
                                  size_t len)
{
        while (len) {
                struct rec_pa pa;
                size_t n = piece(ipa, len);
                enum cpu_result res = rec_xlate_resolve(rec, ipa, n, op != OP_LOAD, &pa);
                if (res == CPU_OK)
                        res = rec_phys(rec, op, &pa, NULL, buf, byte, n);
                if (res != CPU_OK)
                        return res;
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
                if (res == CPU_OK)
                        res = rec_phys(rec, OP_COPY, &dpa, &spa, NULL, 0, n);
                if (res != CPU_OK)
                        return res;
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

/* A single-register access: memory if mapped; otherwise an emulatable abort exit. Without
 * EMUL_MMIO on re-entry the instruction runs again (and faults again), as on hardware. */
enum cpu_result rec_mmio(struct rec *rec, uint64_t ipa, unsigned size, bool write, uint64_t *val)
{
        if (!mmio_size_ok(size) || ipa & (size - 1))
                return CPU_SEA;
        for (;;) {
                uint64_t pa;
                bool unprot;
                enum rec_xlate x = rec_translate(rec, ipa, &pa, &unprot);
                if (x == XLATE_SEA)
                        return CPU_SEA;
                if (x == XLATE_OK) {
                        struct rec_pa p = { .ipa = ipa, .pa = pa, .epoch = rec->exits, .unprot = unprot };
                        uint8_t b[8] = { 0 };
                        if (unprot && unprot_check(rec, pa, size, write) != CPU_OK)
                                return CPU_GPF;
                        for (unsigned i = 0; write && i < size; i++)
                                b[i] = (uint8_t)(*val >> (8 * i));
                        enum cpu_result res = rec_phys(rec, write ? OP_STORE : OP_LOAD, &p, NULL, b, 0, size);
                        if (!write) {
                                *val = 0;
                                for (unsigned i = 0; i < size; i++)
                                        *val |= (uint64_t)b[i] << (8 * i);
                        }
                        return res;
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
