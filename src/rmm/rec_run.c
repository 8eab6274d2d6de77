/* RMI_REC_ENTER: copy RmiRecEntry in, validate, complete the pending exit, run the REC's
 * coroutine until its next exit, copy RmiRecExit out. DEN0137 1.0 B4.3.14, A4.2 (REC
 * entry), A4.3 (REC exit), A5.4 (RIPAS change completion). */
#include "rmm/rmm_internal.h"

#define REC_ENTRY_FLAGS_VALID 0x1FULL /* EMUL_MMIO .. RIPAS_RESPONSE */
/* and, where the RMM offers device assignment, DEV_MEM_RESPONSE (bit 6; bit 5, S2AP_RESPONSE,
 * names a feature ccada lacks) */
/* ICH_HCR_EL2 bits the host may set (En, UIE, LRENPIE, NPIE, VGrp0EIE/DIE, VGrp1EIE/DIE). */
#define GICV3_HCR_VALID 0xFFULL
#define GICV3_LR_HW     (1ULL << 61)

/* rec_mmio, rec_gicv3, flags: the entry must make sense for what the REC is waiting on. */
static bool rec_entry_valid(const struct rec *rec, const struct rmi_rec_entry *e)
{
        bool abort = rec->pending == REC_PENDING_MMIO || rec->pending == REC_PENDING_ABORT;
        if ((e->flags & RMI_REC_ENTRY_FLAG_EMUL_MMIO) && rec->pending != REC_PENDING_MMIO)
                return false;
        if ((e->flags & RMI_REC_ENTRY_FLAG_INJECT_SEA) && !abort)
                return false;
        if (e->gicv3_hcr & ~GICV3_HCR_VALID)
                return false;
        for (unsigned i = 0; i < RMI_GICV3_NUM_LRS; i++)
                if (e->gicv3_lrs[i] & GICV3_LR_HW)
                        return false;
        return true;
}

/* Hands the host's answer to the Realm side, which finishes the interrupted operation. */
static void rec_complete_pending(struct rec *rec)
{
        const struct rmi_rec_entry *e = &rec->entry;
        rec->sea = e->flags & RMI_REC_ENTRY_FLAG_INJECT_SEA;
        rec->emulated = e->flags & RMI_REC_ENTRY_FLAG_EMUL_MMIO;
        rec->mmio_val = e->gprs[0];
        rec->ripas_reject = e->flags & RMI_REC_ENTRY_FLAG_RIPAS_RESPONSE;
        rec->dev_mem_reject = e->flags & RMI_REC_ENTRY_FLAG_DEV_MEM_RESPONSE;
}

static void rec_main(struct coro *self, void *arg)
{
        struct rec *rec = arg;
        struct ccada_rmm *rmm = rec->rmm;
        const struct ccada_realm_program *prog = rec->realm->prog.entry ? &rec->realm->prog : &rmm->prog;
        if (prog->entry)
                prog->entry(prog->kernel, &rec->cpu, rec->pc, rec->gprs);
        /* Falling off the end: the REC turns itself off (PSCI CPU_OFF). */
        rec->halted = true;
        rec->runnable = false;
        rec->exit = (struct rmi_rec_exit){ .reason = RMI_EXIT_PSCI, .gprs[0] = PSCI_CPU_OFF };
        rec->pending = REC_PENDING_NONE;
}

static const char *const rmm_events[] = {
        [RMM_TRACE_REC_ENTER] = "rec_enter",
        [RMM_TRACE_REC_EXIT] = "rec_exit",
        [RMM_TRACE_RIPAS_CHANGE] = "ripas_change",
        [RMM_TRACE_DEV_MAP] = "dev_map",
        [RMM_TRACE_DEV_VALIDATE] = "dev_validate",
};
const struct trace_subsys rmm_trace = TRACE_SUBSYS("rmm", rmm_events);

/* Runs the REC until its next exit. False if the coroutine could not be created. */
static bool rec_run(struct rec *rec)
{
        struct trace *t = rec->rmm->trace;
        if (!rec->coro && !coro_create(&rec->coro, 0, rec_main, rec))
                return false;
        struct trace_who host = t ? trace_get_who(t) : (struct trace_who){ 0 };
        if (t) {
                trace_restore_who(t, rec->who);
                trace_advance(t, 2000); /* world switch into the Realm */
        }
        coro_resume(rec->coro);
        if (t) {
                rec->who = trace_get_who(t);
                trace_restore_who(t, host);
        }
        return true;
}

static void trace_rec_exit(struct ccada_rmm *rmm, const struct rec *rec)
{
        const struct rmi_rec_exit *x = &rec->exit;
        if (!trace_on(rmm->tr_rmm, RMM_TRACE_REC_EXIT))
                return;
        trace_emit(rmm->tr_rmm, RMM_TRACE_REC_EXIT, "reason=%s esr=0x%llx far=0x%llx hpfar=0x%llx imm=%u ripas_base=0x%llx ripas_top=0x%llx ripas=%s",
                   rmi_exit_reason_name(x->reason), (unsigned long long)x->esr, (unsigned long long)x->far,
                   (unsigned long long)x->hpfar, x->imm, (unsigned long long)x->ripas_base,
                   (unsigned long long)x->ripas_top, rmi_ripas_name(x->ripas_value));
}

/* What crosses the boundary, and how (the choice, and where it comes from):
 *  - TF-RMM's smc_rec_enter (runtime/rmi/run.c) ns_buffer_read()s the whole struct
 *    rmi_rec_enter (2 KiB, padding included) into a stack copy, and on the way out zeroes a
 *    whole struct rmi_rec_exit, fills it and ns_buffer_write()s all 2 KiB back, so the host
 *    never sees a field the exit does not define, whatever its page held before.
 *  - ccada does the same on the way out: the exit half is zeroed and every field the exit
 *    defines is written (DEN0137 1.0 A4.3: the fields an exit reason does not name are
 *    zero), straight into the mapped page instead of through a stack buffer. On the way in
 *    it reads each RmiRecEntry field once (not the padding) from the mapped page into the
 *    private copy `entry`, as TF-RMM's copy does; validation and everything after it use
 *    only the copy, and the page is not read again (a host changing it meanwhile, from
 *    another CPU, changes nothing). The byte-for-byte codec and the bounce buffers were
 *    what a round trip cost (docs/performance.md); the copies themselves are kept. */
void rmi_rec_enter(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        uint64_t rec_pa = a->x[1], run_ptr = a->x[2];
        uint8_t *run;
        struct rmi_rec_entry entry;

        r->x[0] = RMI_ERROR_INPUT;
        /* run_align, run_bound, run_pas (B4.3.14) */
        if (!rmm_map_ns(rmm, run_ptr, RMI_REC_ENTRY_SIZE, HW_ACCESS_READ, &run))
                return;
        rmi_rec_entry_decode(run + RMI_REC_ENTRY_OFFSET, &entry); /* copied in once */
        struct granule *g = granule_find(rmm, rec_pa, GRANULE_REC);
        if (!g)
                return;
        struct rec *rec = g->u.rec;
        if (rec->realm->state != REALM_ACTIVE) {
                r->x[0] = RMI_ERROR_REALM;
                return;
        }
        if (entry.flags & ~(REC_ENTRY_FLAGS_VALID | (rmm->cfg.da ? RMI_REC_ENTRY_FLAG_DEV_MEM_RESPONSE : 0)))
                return;
        if (!rec->runnable || rec->halted || rec->psci_pending || !rec_entry_valid(rec, &entry)) {
                r->x[0] = RMI_ERROR_REC;
                return;
        }
        rec->entry = entry;
        rec_complete_pending(rec);
        if (trace_on(rmm->tr_rmm, RMM_TRACE_REC_ENTER))
                trace_emit(rmm->tr_rmm, RMM_TRACE_REC_ENTER, "rec=0x%llx flags=0x%llx",
                           (unsigned long long)rec_pa, (unsigned long long)entry.flags);
        if (!rec_run(rec))
                return;
        /* Mapped again: the Realm ran in between, and the check holds only at the time. */
        if (!rmm_map_ns(rmm, run_ptr, RMI_REC_RUN_SIZE, HW_ACCESS_WRITE, &run))
                return;
        rmi_rec_exit_encode(&rec->exit, run + RMI_REC_EXIT_OFFSET);
        if (rec->exit.reason <= RMI_EXIT_LAST)
                rmm->stats.rec_exits[rec->exit.reason]++;
        trace_rec_exit(rmm, rec);
        r->x[0] = RMI_SUCCESS;
}
