/* RTT commands. DEN0137 1.0 B4.3.15 (RTT_CREATE), B4.3.16 (RTT_DESTROY), B4.3.18
 * (RTT_INIT_RIPAS), B4.3.19 (RTT_MAP_UNPROTECTED), B4.3.20 (RTT_READ_ENTRY),
 * B4.3.21 (RTT_SET_RIPAS), B4.3.22 (RTT_UNMAP_UNPROTECTED). RTT_FOLD (B4.3.17) is not
 * implemented, so ASSIGNED entries exist only at level 3 (the invariants check it): no
 * command here meets an assigned block.
 * Failure conditions are checked in the spec's order; ERROR_RTT carries the level at
 * which the walk stopped in the index field. */
#include "rmm/rmm_internal.h"

/* The spec's failure conditions shared by the RTT commands, by the spec's names; the RD has
 * been looked up by the caller (rd_align, rd_bound, rd_state: rd_lookup). */

/* level_bound: min_level <= level <= 3. */
static bool level_bound(uint64_t level, int min_level)
{
        return (int64_t)level >= min_level && level <= RTT_PAGE_LEVEL;
}

/* ipa_align: ipa is aligned to the size of an entry at level. */
static bool ipa_align(uint64_t ipa, int level)
{
        return !(ipa & (rtt_entry_size(level) - 1));
}

/* level_bound, ipa_align (to the entry size at align_level), ipa_bound, in that order. */
static bool rtt_args_ok(const struct realm *realm, uint64_t ipa, uint64_t level, int min_level, int align_level)
{
        return level_bound(level, min_level) && ipa_align(ipa, align_level) && rtt_ipa_in_range(realm, ipa);
}

/* RTT_CREATE / RTT_DESTROY: level in [start+1, 3], ipa aligned to the parent entry. */
static bool rtt_table_args_ok(const struct realm *realm, uint64_t ipa, uint64_t level)
{
        /* level_bound before anything uses level: (int)level - 1 of a host's 0x80000000 overflows */
        return level_bound(level, realm->level_start + 1) &&
               rtt_args_ok(realm, ipa, level, realm->level_start + 1, (int)level - 1);
}

/* MAP/UNMAP_UNPROTECTED: level 3 only (page mappings are all this model has), ipa
 * page-aligned, in range, and unprotected. */
static bool unprot_page_args_ok(const struct realm *realm, uint64_t ipa, uint64_t level)
{
        return rtt_args_ok(realm, ipa, level, RTT_PAGE_LEVEL, RTT_PAGE_LEVEL) && !rtt_ipa_protected(realm, ipa);
}

void rmi_rtt_create(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        uint64_t rd = a->x[1], rtt = a->x[2], ipa = a->x[3], level = a->x[4];
        struct rtt_walk w;

        r->x[0] = RMI_ERROR_INPUT;
        struct realm *realm = rd_lookup(rmm, rd);
        if (!realm || !rtt_table_args_ok(realm, ipa, level))
                return;
        struct granule *g = granule_find(rmm, rtt, GRANULE_DELEGATED);
        if (!g)
                return;
        rtt_walk(realm, ipa, (int)level - 1, &w);
        if (w.level < (int)level - 1) {
                r->x[0] = RMI_RETURN(RMI_ERROR_RTT, w.level);
                return;
        }
        struct rtte *parent = rtt_walk_entry(&w);
        /* rtte_state: only a TABLE entry fails (B4.3.15); any other is unfolded into the new
         * table (A5.5.7). Here that is an UNASSIGNED entry: there are no assigned blocks. */
        if (parent->state == RMI_TABLE) {
                r->x[0] = RMI_RETURN(RMI_ERROR_RTT, w.level);
                return;
        }
        struct rtt *t = rtt_table_new(rtt, (int)level, rtt_ipa_protected(realm, ipa) ? parent : NULL);
        if (!t)
                return;
        parent->state = RMI_TABLE;
        parent->table = t;
        parent->addr = rtt;
        w.table->live++;
        granule_take(rmm, g, GRANULE_RTT, realm, t);
        r->x[0] = RMI_SUCCESS;
}

void rmi_rtt_destroy(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        uint64_t rd = a->x[1], ipa = a->x[2], level = a->x[3];
        struct rtt_walk w;

        r->x[0] = RMI_ERROR_INPUT;
        struct realm *realm = rd_lookup(rmm, rd);
        if (!realm || !rtt_table_args_ok(realm, ipa, level))
                return;
        rtt_walk(realm, ipa, (int)level - 1, &w);
        struct rtte *parent = rtt_walk_entry(&w);
        /* rtt_walk, rtte_state: no table at ipa; top = walk_top (B3.76), past the entries
         * that map nothing from the one the walk reached, to the next live entry or the end
         * of that table (an assigned block would give top == ipa) */
        if (w.level < (int)level - 1 || parent->state != RMI_TABLE) {
                r->x[0] = RMI_RETURN(RMI_ERROR_RTT, w.level);
                r->x[2] = rtt_skip_non_live(&w, ipa);
                return;
        }
        struct rtt *child = parent->table;
        /* rtt_live (A5.5.8): an ASSIGNED or TABLE entry; unprotected mappings (ASSIGNED_NS)
         * do not keep a table alive and go with it */
        if (rtt_is_live(realm, child, ipa)) {
                r->x[0] = RMI_RETURN(RMI_ERROR_RTT, level);
                r->x[2] = ipa;
                return;
        }
        granule_give_back(rmm, granule_at(rmm, child->pa), GRANULE_RTT);
        parent->state = RMI_UNASSIGNED;
        parent->table = NULL;
        parent->addr = 0;
        /* The host can destroy a Realm's memory, never silently: RIPAS becomes DESTROYED. */
        parent->ripas = rtt_ipa_protected(realm, ipa) ? RMI_DESTROYED : RMI_EMPTY;
        w.table->live--;
        r->x[0] = RMI_SUCCESS;
        r->x[1] = child->pa;
        r->x[2] = rtt_skip_non_live(&w, ipa); /* top: the entry is no longer live */
        rtt_table_free(child);
}

void rmi_rtt_read_entry(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        uint64_t rd = a->x[1], ipa = a->x[2], level = a->x[3];
        struct realm *realm = rd_lookup(rmm, rd);
        struct rtt_walk w;

        r->x[0] = RMI_ERROR_INPUT;
        if (!realm || !rtt_args_ok(realm, ipa, level, realm->level_start, level <= 3 ? (int)level : 3))
                return;
        rtt_walk(realm, ipa, (int)level, &w);
        const struct rtte *e = rtt_walk_entry(&w);
        r->x[0] = RMI_SUCCESS;
        r->x[1] = (uint64_t)w.level;
        r->x[2] = e->state;
        r->x[3] = e->state == RMI_UNASSIGNED ? 0 : e->addr | e->attrs;
        r->x[4] = rtt_ipa_protected(realm, ipa) ? e->ripas : RMI_EMPTY;
}

/* Shared checks of INIT_RIPAS and SET_RIPAS: base/top aligned, top > base, protected. */
static bool ripas_range_ok(const struct realm *realm, uint64_t base, uint64_t top)
{
        if (base & GRANULE_MASK || top & GRANULE_MASK || top <= base)
                return false;
        return top <= ((uint64_t)1 << (realm->s2sz - 1));
}

void rmi_rtt_init_ripas(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        uint64_t rd = a->x[1], base = a->x[2], top = a->x[3];
        struct realm *realm = rd_lookup(rmm, rd);
        struct rtt_walk w;

        if (!realm || !ripas_range_ok(realm, base, top)) {
                r->x[0] = RMI_ERROR_INPUT;
                return;
        }
        if (realm->state != REALM_NEW) {
                r->x[0] = RMI_ERROR_REALM;
                return;
        }
        rtt_walk(realm, base, RTT_PAGE_LEVEL, &w);
        uint64_t size = rtt_entry_size(w.level);
        uint64_t addr = base;
        /* The entry reached must start at base: otherwise the host must create a deeper table. */
        if (base & (size - 1)) {
                r->x[0] = RMI_RETURN(RMI_ERROR_RTT, w.level);
                return;
        }
        for (unsigned i = w.index; i < RTT_ENTRIES && addr + size <= top; i++) {
                struct rtte *e = &w.table->e[i];
                if (e->state != RMI_UNASSIGNED || e->ripas == RMI_DESTROYED)
                        break;
                e->ripas = RMI_RAM;
                if (!measure_ripas(realm, addr, addr + size))
                        break;
                addr += size;
        }
        if (addr == base) {
                r->x[0] = RMI_RETURN(RMI_ERROR_RTT, w.level);
                return;
        }
        r->x[0] = RMI_SUCCESS;
        r->x[1] = addr;
}

/* walk_top of RTT_SET_RIPAS: RttSkipEntriesWithRipas (DEN0137 1.0 B3.75). From the entry
 * the walk reached (w; its table maps from IPA `table`), up to the first TABLE entry, or
 * ASSIGNED_DEV one (device memory's RIPAS is DEV_VALIDATE's and DEV_UNMAP's alone), or
 * DESTROYED one if stop_at_destroyed, or the end of the table; no further than top,
 * aligned down to an entry. */
static uint64_t ripas_walk_top(const struct rtt_walk *w, uint64_t table, uint64_t top, bool stop_at_destroyed)
{
        uint64_t size = rtt_entry_size(w->level);
        unsigned i = w->index;
        while (i < RTT_ENTRIES && w->table->e[i].state != RMI_TABLE && w->table->e[i].state != RMI_ASSIGNED_DEV &&
               !(stop_at_destroyed && w->table->e[i].ripas == RMI_DESTROYED))
                i++;
        uint64_t walk_top = table + (uint64_t)i * size;
        return walk_top > top ? top & ~(size - 1) : walk_top;
}

void rmi_rtt_set_ripas(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        uint64_t rd = a->x[1], rec_pa = a->x[2], base = a->x[3], top = a->x[4];
        struct realm *realm = rd_lookup(rmm, rd);
        struct granule *rg = granule_find(rmm, rec_pa, GRANULE_REC);
        struct rtt_walk w;

        r->x[0] = RMI_ERROR_INPUT;
        if (!realm || !rg)
                return;
        struct rec *rec = rg->u.rec;
        /* rec_owner */
        if (rec->realm != realm) {
                r->x[0] = RMI_ERROR_REC;
                return;
        }
        /* size_valid, base_bound (== rec.ripas_addr), top_bound (<= rec.ripas_top),
         * top_gran_align */
        if (!ripas_range_ok(realm, base, top) || rec->pending != REC_PENDING_RIPAS ||
            base != rec->ripas_addr || top > rec->ripas_top)
                return;
        rtt_walk(realm, base, RTT_PAGE_LEVEL, &w);
        uint64_t size = rtt_entry_size(w.level), table = rtt_walk_table_base(&w, base);
        bool change = rtt_walk_entry(&w)->ripas != rec->ripas_value; /* RIPAS at base, before */
        uint64_t walk_top = ripas_walk_top(&w, table, top, !rec->ripas_change_destroyed);
        /* base_align: base inside a block whose RIPAS must change (the host must create a
         * table first). With the RIPAS already right the spec lets an unaligned base pass;
         * where its walk_top would then fall below base (top inside the same block),
         * ccada refuses it too, as TF-RMM 1.0 refuses every unaligned base. */
        if (base & (size - 1) && (change || walk_top <= base)) {
                r->x[0] = RMI_RETURN(RMI_ERROR_RTT, w.level);
                return;
        }
        /* device memory at base: SET_RIPAS never changes it (the Realm's RSI_IPA_STATE_SET
         * refuses such a range; a host that mapped one since meets this) */
        if (rtt_walk_entry(&w)->state == RMI_ASSIGNED_DEV) {
                r->x[0] = RMI_RETURN(RMI_ERROR_RTT, w.level);
                return;
        }
        /* no_progress: nothing can change from base (a DESTROYED entry under
         * RSI_NO_CHANGE_DESTROYED, or top inside the block at base) */
        if (walk_top == base && change) {
                r->x[0] = RMI_RETURN(RMI_ERROR_RTT, w.level);
                return;
        }
        for (unsigned i = w.index; table + (uint64_t)i * size < walk_top; i++)
                w.table->e[i].ripas = rec->ripas_value;
        rec->ripas_addr = walk_top;
        if (trace_on(rmm->tr_rmm, RMM_TRACE_RIPAS_CHANGE))
                trace_emit(rmm->tr_rmm, RMM_TRACE_RIPAS_CHANGE, "base=0x%llx top=0x%llx ripas=%s progress=0x%llx",
                           (unsigned long long)base, (unsigned long long)top,
                           rmi_ripas_name(rec->ripas_value), (unsigned long long)walk_top);
        r->x[0] = RMI_SUCCESS;
        r->x[1] = walk_top; /* out_top = MinAddress(top, walk_top) */
}

/* RmiRttEntry for MAP_UNPROTECTED: output address [47:12], MemAttr [5:2], S2AP [7:6],
 * SH [9:8]; every other bit must be zero (desc_valid). */
#define UNPROT_DESC_ADDR_MASK  0x0000FFFFFFFFF000ULL
#define UNPROT_DESC_ATTR_MASK  0x00000000000003FCULL

void rmi_rtt_map_unprotected(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        uint64_t rd = a->x[1], ipa = a->x[2], level = a->x[3], desc = a->x[4];
        struct realm *realm = rd_lookup(rmm, rd);
        struct rtt_walk w;

        r->x[0] = RMI_ERROR_INPUT;
        if (!realm || !unprot_page_args_ok(realm, ipa, level))
                return;
        uint64_t pa = desc & UNPROT_DESC_ADDR_MASK;
        if (desc & ~(UNPROT_DESC_ADDR_MASK | UNPROT_DESC_ATTR_MASK) ||
            !hw_mem_contains(rmm->mem, pa, GRANULE_SIZE))
                return;
        rtt_walk(realm, ipa, RTT_PAGE_LEVEL, &w);
        if (w.level < RTT_PAGE_LEVEL) {
                r->x[0] = RMI_RETURN(RMI_ERROR_RTT, w.level);
                return;
        }
        struct rtte *e = rtt_walk_entry(&w);
        if (e->state != RMI_UNASSIGNED) {
                r->x[0] = RMI_RETURN(RMI_ERROR_RTT, RTT_PAGE_LEVEL);
                return;
        }
        /* The RMM does not check the PAS of pa: a non-NS granule here makes the Realm's
         * accesses GPF (DEN0137 1.0 A5.2.6), which the Realm must tolerate. */
        e->state = RMI_ASSIGNED;
        e->addr = pa;
        e->attrs = desc & UNPROT_DESC_ATTR_MASK;
        w.table->live++;
        r->x[0] = RMI_SUCCESS;
}

void rmi_rtt_unmap_unprotected(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        uint64_t rd = a->x[1], ipa = a->x[2], level = a->x[3];
        struct realm *realm = rd_lookup(rmm, rd);
        struct rtt_walk w;

        r->x[0] = RMI_ERROR_INPUT;
        if (!realm || !unprot_page_args_ok(realm, ipa, level))
                return;
        rtt_walk(realm, ipa, RTT_PAGE_LEVEL, &w);
        struct rtte *e = rtt_walk_entry(&w);
        /* rtt_walk, rtte_state; top = walk_top (B3.76) */
        if (w.level < RTT_PAGE_LEVEL || e->state != RMI_ASSIGNED) {
                r->x[0] = RMI_RETURN(RMI_ERROR_RTT, w.level);
                r->x[1] = rtt_skip_non_live(&w, ipa);
                return;
        }
        e->state = RMI_UNASSIGNED;
        e->addr = 0;
        e->attrs = 0;
        w.table->live--;
        r->x[0] = RMI_SUCCESS;
        r->x[1] = rtt_skip_non_live(&w, ipa); /* top: the next live entry, or the table's end */
}
