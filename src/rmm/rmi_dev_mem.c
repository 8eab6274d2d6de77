/* Device memory in a Realm's stage 2 (RMM 2.0-beta device assignment as TF-RMM main
 * realises it; facts/spdm-tdisp-ide.md §7.3 step 8): RMI_RTT_DEV_MAP, RMI_RTT_DEV_UNMAP and
 * RMI_RTT_DEV_VALIDATE, the host's answer to a Realm's RSI_VDEV_VALIDATE_MAPPING (rsi_vdev.c).
 *
 * The host maps an assigned device's MMIO with DEV_MAP: each level-3 entry from base becomes
 * ASSIGNED_DEV with RIPAS EMPTY, its output address oaddr + (ipa - base). The Realm, having
 * verified the device's interface report, asks the RMM to confirm a range maps the device PA
 * it expects (RSI_VDEV_VALIDATE_MAPPING, which exits to the host); the host answers with
 * DEV_VALIDATE, which gives RIPAS DEV to each entry that maps exactly what the Realm asked
 * for. Only then do the Realm's single-register accesses reach the device (rec_mem.c, as
 * TEE requests: T=1). DEV_UNMAP takes a mapping back: RIPAS DEV becomes DESTROYED (the Realm
 * is never silently given something else there), EMPTY stays EMPTY.
 *
 * Like ccada's other range commands each call stops at top or at the end of the level-3
 * table it started in and returns out_top in x1; the host loops.
 *
 * ccada deviation: device memory is outside the GPT of ccada's hardware model (hw/hw.h covers
 * DRAM), so the host does not delegate it (TF-RMM tracks "dev granules" and wants them
 * delegated). The RMM tracks it itself: the platform names one window of device memory
 * (rmm_platform_dev_mem), and a record per granule of it says which Realm maps it at which
 * IPA, for which VDEV. A device PA is mapped at most once in the whole RMM; the mapping's PA
 * must lie in the window and in one of the VDEV's address ranges (RmiVdevParams), and the
 * VDEV must be LOCKED or STARTED. A VDEV with mappings cannot be destroyed (rmi_vdev.c). */
#include <stdlib.h>

#include "rmm/da.h"
#include "rmm/rmm_internal.h"

bool rmm_platform_dev_mem(struct ccada_rmm *rmm, uint64_t base, uint64_t size, rmm_dev_mmio_fn fn, void *ctx)
{
        uint64_t mbase = hw_mem_base(rmm->mem), msize = hw_mem_size(rmm->mem);
        if (rmm->dev_mem.size || !fn || !size || size > RMM_DEV_MEM_MAX_SIZE || (base | size) & GRANULE_MASK ||
            base + size < base)
                return false;
        if (base < mbase + msize && mbase < base + size) /* overlaps the memory the GPT covers */
                return false;
        struct dev_gran *g = calloc(size >> GRANULE_SHIFT, sizeof(*g));
        if (!g)
                return false;
        rmm->dev_mem = (struct rmm_dev_mem){ .base = base, .size = size, .fn = fn, .ctx = ctx, .g = g };
        return true;
}

void dev_mem_free(struct ccada_rmm *rmm)
{
        free(rmm->dev_mem.g);
        rmm->dev_mem = (struct rmm_dev_mem){ 0 };
}

/* [pa, pa + len) lies in the window (len > 0). */
static bool in_window(const struct ccada_rmm *rmm, uint64_t pa, uint64_t len)
{
        const struct rmm_dev_mem *dm = &rmm->dev_mem;
        return dm->size && pa >= dm->base && len <= dm->size && pa - dm->base <= dm->size - len;
}

struct dev_gran *dev_mem_gran(struct ccada_rmm *rmm, uint64_t pa)
{
        if (!in_window(rmm, pa & ~GRANULE_MASK, GRANULE_SIZE))
                return NULL;
        return &rmm->dev_mem.g[(pa - rmm->dev_mem.base) >> GRANULE_SHIFT];
}

bool dev_mem_vdev_mapped(const struct ccada_rmm *rmm, uint64_t vdev_pa)
{
        const struct rmm_dev_mem *dm = &rmm->dev_mem;
        for (uint64_t i = 0; i < dm->size >> GRANULE_SHIFT; i++)
                if (dm->g[i].realm && dm->g[i].vdev == vdev_pa)
                        return true;
        return false;
}

/* base, top granule aligned, base < top, both in the protected half. */
static bool prot_range_ok(const struct realm *realm, uint64_t base, uint64_t top)
{
        return !((base | top) & GRANULE_MASK) && base < top && top <= (uint64_t)1 << (realm->s2sz - 1);
}

static void trace_dev_map(struct ccada_rmm *rmm, const char *op, uint64_t base, uint64_t top, uint64_t pa,
                          uint64_t progress)
{
        if (trace_on(rmm->tr_rmm, RMM_TRACE_DEV_MAP))
                trace_emit(rmm->tr_rmm, RMM_TRACE_DEV_MAP, "op=%s base=0x%llx top=0x%llx pa=0x%llx progress=0x%llx",
                           op, (unsigned long long)base, (unsigned long long)top, (unsigned long long)pa,
                           (unsigned long long)progress);
}

/* RMI_RTT_DEV_MAP(rd, vdev, base, top, flags, oaddr) -> x1 out_top. */
void rmi_rtt_dev_map(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        uint64_t rd = a->x[1], vdev = a->x[2], base = a->x[3], top = a->x[4], flags = a->x[5], oaddr = a->x[6];
        struct da_vdev_view vv;
        struct rtt_walk w;

        r->x[0] = RMI_ERROR_INPUT;
        struct realm *realm = rd_lookup(rmm, rd);
        struct rmm_vdev *v = da_vdev_lookup(rmm, vdev);
        if (!realm || !v)
                return;
        da_vdev_view(v, &vv);
        if (vv.realm != realm)
                return;
        if (vv.state != RMI_VDEV_STATE_LOCKED && vv.state != RMI_VDEV_STATE_STARTED) {
                r->x[0] = RMI_ERROR_DEVICE;
                return;
        }
        if (!prot_range_ok(realm, base, top) || flags != RMI_ADDR_TYPE_SINGLE || oaddr & GRANULE_MASK)
                return;
        uint64_t size = top - base;
        if (!in_window(rmm, oaddr, size) || !da_vdev_range_covers(v, oaddr, oaddr + size))
                return;
        /* a device granule is mapped at most once, anywhere */
        for (uint64_t off = 0; off < size; off += GRANULE_SIZE)
                if (dev_mem_gran(rmm, oaddr + off)->realm)
                        return;
        rtt_walk(realm, base, RTT_PAGE_LEVEL, &w);
        if (w.level < RTT_PAGE_LEVEL) {
                r->x[0] = RMI_RETURN(RMI_ERROR_RTT, w.level);
                return;
        }
        uint64_t ipa = base;
        for (unsigned i = w.index; i < RTT_ENTRIES && ipa < top; i++, ipa += GRANULE_SIZE) {
                struct rtte *e = &w.table->e[i];
                if (e->state != RMI_UNASSIGNED || e->ripas != RMI_EMPTY)
                        break;
                uint64_t pa = oaddr + (ipa - base);
                e->state = RMI_ASSIGNED_DEV;
                e->ripas = RMI_EMPTY;
                e->addr = pa;
                e->attrs = 0;
                w.table->live++;
                *dev_mem_gran(rmm, pa) = (struct dev_gran){ .realm = realm, .rd = rd, .ipa = ipa, .vdev = vdev };
        }
        if (ipa == base) {
                r->x[0] = RMI_RETURN(RMI_ERROR_RTT, RTT_PAGE_LEVEL);
                return;
        }
        trace_dev_map(rmm, "map", base, top, oaddr, ipa);
        r->x[0] = RMI_SUCCESS;
        r->x[1] = ipa;
}

/* RMI_RTT_DEV_UNMAP(rd, base, top) -> x1 out_top. */
void rmi_rtt_dev_unmap(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        uint64_t rd = a->x[1], base = a->x[2], top = a->x[3];
        struct rtt_walk w;

        r->x[0] = RMI_ERROR_INPUT;
        struct realm *realm = rd_lookup(rmm, rd);
        if (!realm || !prot_range_ok(realm, base, top))
                return;
        rtt_walk(realm, base, RTT_PAGE_LEVEL, &w);
        if (w.level < RTT_PAGE_LEVEL) {
                r->x[0] = RMI_RETURN(RMI_ERROR_RTT, w.level);
                return;
        }
        uint64_t ipa = base, pa0 = rtt_walk_entry(&w)->addr;
        for (unsigned i = w.index; i < RTT_ENTRIES && ipa < top; i++, ipa += GRANULE_SIZE) {
                struct rtte *e = &w.table->e[i];
                if (e->state != RMI_ASSIGNED_DEV)
                        break;
                struct dev_gran *g = dev_mem_gran(rmm, e->addr);
                if (g)
                        *g = (struct dev_gran){ 0 };
                else
                        rmm_violation(rmm, "DEV_UNMAP: IPA 0x%llx maps 0x%llx, outside the device window",
                                      (unsigned long long)ipa, (unsigned long long)e->addr);
                e->state = RMI_UNASSIGNED;
                /* the host can take device memory away, never silently */
                e->ripas = e->ripas == RMI_DEV ? RMI_DESTROYED : RMI_EMPTY;
                e->addr = 0;
                w.table->live--;
        }
        if (ipa == base) {
                r->x[0] = RMI_RETURN(RMI_ERROR_RTT, RTT_PAGE_LEVEL);
                return;
        }
        trace_dev_map(rmm, "unmap", base, top, pa0, ipa);
        r->x[0] = RMI_SUCCESS;
        r->x[1] = ipa;
}

/* RMI_RTT_DEV_VALIDATE(rd, rec, base, top) -> x1 out_top: RIPAS DEV from base on each entry
 * that maps the device PA the REC's RSI_VDEV_VALIDATE_MAPPING asked for, for that VDEV. */
void rmi_rtt_dev_validate(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        uint64_t rd = a->x[1], rec_pa = a->x[2], base = a->x[3], top = a->x[4];
        struct rtt_walk w;

        r->x[0] = RMI_ERROR_INPUT;
        struct realm *realm = rd_lookup(rmm, rd);
        struct granule *rg = granule_find(rmm, rec_pa, GRANULE_REC);
        if (!realm || !rg)
                return;
        struct rec *rec = rg->u.rec;
        if (rec->realm != realm) {
                r->x[0] = RMI_ERROR_REC;
                return;
        }
        if (!prot_range_ok(realm, base, top) || rec->pending != REC_PENDING_DEV_MEM || base != rec->dev_mem_addr ||
            top > rec->dev_mem_top)
                return;
        rtt_walk(realm, base, RTT_PAGE_LEVEL, &w);
        if (w.level < RTT_PAGE_LEVEL) {
                r->x[0] = RMI_RETURN(RMI_ERROR_RTT, w.level);
                return;
        }
        uint64_t ipa = base;
        for (unsigned i = w.index; i < RTT_ENTRIES && ipa < top; i++, ipa += GRANULE_SIZE) {
                struct rtte *e = &w.table->e[i];
                const struct dev_gran *g = e->state == RMI_ASSIGNED_DEV ? dev_mem_gran(rmm, e->addr) : NULL;
                if (!g || e->addr != rec->dev_mem_pa + (ipa - rec->dev_mem_base) || g->vdev != rec->dev_mem_vdev)
                        break;
                e->ripas = RMI_DEV;
        }
        if (ipa == base) {
                r->x[0] = RMI_RETURN(RMI_ERROR_RTT, RTT_PAGE_LEVEL);
                return;
        }
        rec->dev_mem_addr = ipa;
        if (trace_on(rmm->tr_rmm, RMM_TRACE_DEV_VALIDATE))
                trace_emit(rmm->tr_rmm, RMM_TRACE_DEV_VALIDATE, "base=0x%llx top=0x%llx pa=0x%llx progress=0x%llx",
                           (unsigned long long)base, (unsigned long long)top,
                           (unsigned long long)(rec->dev_mem_pa + (base - rec->dev_mem_base)),
                           (unsigned long long)ipa);
        r->x[0] = RMI_SUCCESS;
        r->x[1] = ipa;
}
