/* RMI_REC_CREATE / RMI_REC_DESTROY / RMI_REC_AUX_COUNT and the failure conditions of
 * RMI_REC_ENTER. DEN0137 1.0 B4.3.11-B4.3.13, B4.3.14; the WFI exit (A4.3.4.1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "rmm_harness.h"

#define GICV3_LR_HW_BIT (1ULL << 61) /* ICH_LR.HW: the host may not set it (B4.3.14 rec_gicv3) */

#define T(fn) cmocka_unit_test_setup_teardown(fn, host_setup, host_teardown)

/* The Realm: counts its runs and returns (the REC then turns itself off). */
struct realm_kernel {
        unsigned runs;
        uint64_t pc;
        uint64_t x[8];
        uint64_t psci_version;
        struct host *h;         /* prog_rewrite_entry_then_wfi: the host's run page, which */
        uint64_t run;           /* "another host CPU" rewrites while the REC runs */
};

static void prog_once(struct realm_kernel *k, struct ccada_cpu *cpu, uint64_t pc, const uint64_t *x)
{
        struct smc_regs r = { .x = { PSCI_VERSION } };
        k->runs++;
        k->pc = pc;
        for (unsigned i = 0; i < 8; i++)
                k->x[i] = x[i];
        cpu_smc(cpu, &r);
        k->psci_version = r.x[0];
}

static uint64_t try_rec_create(struct host *h, uint64_t rd, uint64_t rec, const struct rmi_rec_params *p)
{
        return rmi(h, RMI_REC_CREATE, rd, rec, host_write_rec_params(h, p), 0, 0, NULL);
}

/* ---- REC_CREATE ---- */

static void rmi_rec_create_makes_rec_granule_busy(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        uint64_t rec = host_rec_create(h, &r, 0);
        assert_undelegate_fails(h, rec);
        assert_int_equal(rmi(h, RMI_GRANULE_DELEGATE, rec, 0, 0, 0, 0, NULL), RMI_ERROR_INPUT);
}

static void rmi_rec_create_rejects_params_not_ns(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        struct rmi_rec_params p;
        host_realm_new(h, &r);
        hrec_params_default(&p, 0);
        uint64_t params = host_write_rec_params(h, &p);
        uint64_t rec = host_delegated(h);
        assert_int_equal(rmi(h, RMI_REC_CREATE, r.rd, rec, params + 8, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(h, RMI_GRANULE_DELEGATE, params, 0, 0, 0, 0, NULL), RMI_SUCCESS);
        assert_int_equal(rmi(h, RMI_REC_CREATE, r.rd, rec, params, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_undelegate_ok(h, rec);
}

static void rmi_rec_create_rejects_rd_that_is_not_rd(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        struct rmi_rec_params p;
        host_realm_new(h, &r);
        hrec_params_default(&p, 0);
        uint64_t rec = host_delegated(h);
        assert_int_equal(try_rec_create(h, r.rtt_base, rec, &p), RMI_ERROR_INPUT);
        assert_int_equal(try_rec_create(h, host_delegated(h), rec, &p), RMI_ERROR_INPUT);
        assert_undelegate_ok(h, rec);
}

static void rmi_rec_create_rejects_undelegated_rec(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        struct rmi_rec_params p;
        host_realm_new(h, &r);
        hrec_params_default(&p, 0);
        uint64_t ns = host_alloc(h);
        assert_int_equal(try_rec_create(h, r.rd, ns, &p), RMI_ERROR_INPUT);
        assert_int_equal(host_pas(h, ns), HW_PAS_NS);
        assert_int_equal(try_rec_create(h, r.rd, r.rtt_base, &p), RMI_ERROR_INPUT); /* an RTT */
        assert_int_equal(try_rec_create(h, r.rd, r.rd, &p), RMI_ERROR_INPUT);       /* the RD */
        assert_int_equal(try_rec_create(h, r.rd, host_delegated(h) + 0x40, &p), RMI_ERROR_INPUT);
        (void)host_rec_create(h, &r, 0); /* mpidr 0 is still free */
}

/* realm_state */
static void rmi_rec_create_in_active_realm_fails_error_realm(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        struct rmi_rec_params p;
        host_realm_new(h, &r);
        host_activate(h, &r);
        hrec_params_default(&p, 0);
        uint64_t rec = host_delegated(h);
        assert_int_equal(try_rec_create(h, r.rd, rec, &p), RMI_ERROR_REALM);
        assert_undelegate_ok(h, rec);
}

/* mpidr_index: RECs are created in MPIDR order */
static void rmi_rec_create_rejects_mpidr_out_of_order(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        struct rmi_rec_params p;
        host_realm_new(h, &r);
        hrec_params_default(&p, 1);
        uint64_t rec = host_delegated(h);
        assert_int_equal(try_rec_create(h, r.rd, rec, &p), RMI_ERROR_INPUT);
        (void)host_rec_create(h, &r, 0);
        assert_int_equal(try_rec_create(h, r.rd, rec, &p), RMI_SUCCESS);
        hrec_params_default(&p, 1);
        assert_int_equal(try_rec_create(h, r.rd, host_delegated(h), &p), RMI_ERROR_INPUT); /* duplicate */
}

static void rmi_rec_create_rejects_mpidr_with_reserved_bits(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        struct rmi_rec_params p;
        host_realm_new(h, &r);
        uint64_t rec = host_delegated(h);
        hrec_params_default(&p, 1ULL << 4); /* Aff0[7:4] */
        assert_int_equal(try_rec_create(h, r.rd, rec, &p), RMI_ERROR_INPUT);
        hrec_params_default(&p, 1ULL << 31);
        assert_int_equal(try_rec_create(h, r.rd, rec, &p), RMI_ERROR_INPUT);
        assert_undelegate_ok(h, rec);
}

static void rmi_rec_create_accepts_mpidr_aff1_after_sixteen_aff0(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        for (uint64_t i = 0; i < 16; i++)
                (void)host_rec_create(h, &r, i);
        (void)host_rec_create(h, &r, 0x100); /* Aff1 = 1, Aff0 = 0: index 16 */
}

/* Realm.rec_index only grows: destroying a REC does not free its MPIDR for another. */
static void rmi_rec_create_after_rec_destroy_rejects_reused_mpidr(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        struct rmi_rec_params p;
        host_realm_new(h, &r);
        uint64_t rec0 = host_rec_create(h, &r, 0);
        (void)host_rec_create(h, &r, 1);
        assert_int_equal(rmi(h, RMI_REC_DESTROY, rec0, 0, 0, 0, 0, NULL), RMI_SUCCESS);
        hrec_params_default(&p, 1);
        uint64_t rec = host_delegated(h);
        assert_int_equal(try_rec_create(h, r.rd, rec, &p), RMI_ERROR_INPUT);
        hrec_params_default(&p, 2);
        assert_int_equal(try_rec_create(h, r.rd, rec, &p), RMI_SUCCESS);
}

/* MPIDR of REC index i: Aff0[3:0] = i % 16, Aff1 = i / 16. */
static uint64_t mpidr_of(uint64_t i) { return (i & 0xF) | (i >> 4) << 8; }

/* num_recs (B4.3.12): a Realm has at most 2^MAX_RECS_ORDER - 1 RECs (RMI_FEATURES); one
 * more fails with ERROR_REALM. REC_DESTROY makes room again. */
static void rmi_rec_create_num_recs_at_max_recs_fails_error_realm(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        struct rmi_rec_params p;
        struct smc_regs out;
        assert_int_equal(rmi(h, RMI_FEATURES, 0, 0, 0, 0, 0, &out), RMI_SUCCESS);
        uint64_t max_recs = (1ULL << RMI_FEATURE_FIELD(out.x[1], MAX_RECS_ORDER)) - 1;
        host_realm_new(h, &r);
        uint64_t first = host_rec_create(h, &r, mpidr_of(0));
        for (uint64_t i = 1; i < max_recs; i++)
                (void)host_rec_create(h, &r, mpidr_of(i));
        hrec_params_default(&p, mpidr_of(max_recs));
        uint64_t rec = host_delegated(h);
        assert_int_equal(try_rec_create(h, r.rd, rec, &p), RMI_ERROR_REALM);
        assert_int_equal(rmi(h, RMI_REC_DESTROY, first, 0, 0, 0, 0, NULL), RMI_SUCCESS);
        assert_int_equal(try_rec_create(h, r.rd, rec, &p), RMI_SUCCESS);
}

/* num_aux must equal RMI_REC_AUX_COUNT (0) */
static void rmi_rec_create_rejects_nonzero_num_aux(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        struct rmi_rec_params p;
        host_realm_new(h, &r);
        hrec_params_default(&p, 0);
        p.num_aux = 1;
        uint64_t rec = host_delegated(h);
        assert_int_equal(try_rec_create(h, r.rd, rec, &p), RMI_ERROR_INPUT);
        assert_undelegate_ok(h, rec);
}

static void rmi_rec_create_rejects_unknown_flags(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        struct rmi_rec_params p;
        host_realm_new(h, &r);
        hrec_params_default(&p, 0);
        p.flags |= 1ULL << 1;
        uint64_t rec = host_delegated(h);
        assert_int_equal(try_rec_create(h, r.rd, rec, &p), RMI_ERROR_INPUT);
        assert_undelegate_ok(h, rec);
}

/* ---- REC_AUX_COUNT ---- */

static void rmi_rec_aux_count_returns_zero(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        struct smc_regs out;
        host_realm_new(h, &r);
        assert_int_equal(rmi(h, RMI_REC_AUX_COUNT, r.rd, 0, 0, 0, 0, &out), RMI_SUCCESS);
        assert_int_equal(out.x[1], 0);
}

static void rmi_rec_aux_count_rejects_granule_that_is_not_rd(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        assert_int_equal(rmi(h, RMI_REC_AUX_COUNT, r.rtt_base, 0, 0, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(h, RMI_REC_AUX_COUNT, host_alloc(h), 0, 0, 0, 0, NULL), RMI_ERROR_INPUT);
}

/* ---- REC_DESTROY ---- */

static void rmi_rec_destroy_returns_granule_to_delegated(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        uint64_t rec = host_rec_create(h, &r, 0);
        assert_int_equal(rmi(h, RMI_REC_DESTROY, rec, 0, 0, 0, 0, NULL), RMI_SUCCESS);
        assert_true(root_granule_is(h, rec, 0));
        assert_undelegate_ok(h, rec);
        assert_int_equal(rmi(h, RMI_REALM_DESTROY, r.rd, 0, 0, 0, 0, NULL), RMI_SUCCESS);
}

static void rmi_rec_destroy_rejects_granule_that_is_not_rec(void **state)
{
        struct host *h = *state;
        struct hrealm r;
        host_realm_new(h, &r);
        uint64_t rec = host_rec_create(h, &r, 0);
        assert_int_equal(rmi(h, RMI_REC_DESTROY, r.rd, 0, 0, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(h, RMI_REC_DESTROY, host_delegated(h), 0, 0, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(h, RMI_REC_DESTROY, rec + 8, 0, 0, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(h, RMI_REC_DESTROY, rec, 0, 0, 0, 0, NULL), RMI_SUCCESS);
        assert_int_equal(rmi(h, RMI_REC_DESTROY, rec, 0, 0, 0, 0, NULL), RMI_ERROR_INPUT);
}

/* ---- REC_ENTER: the REC runs with the PC and GPRs of RmiRecParams ---- */

static void rmi_rec_enter_runs_realm_with_params_pc_and_gprs(void **state)
{
        struct host *h = *state;
        struct realm_kernel k = { 0 };
        struct hrealm r;
        struct rmi_rec_params p;
        host_realm_new(h, &r);
        hrec_params_default(&p, 0);
        p.pc = 0x80000;
        for (unsigned i = 0; i < 8; i++)
                p.gprs[i] = 0x1000 + i;
        uint64_t rec = host_delegated(h);
        assert_int_equal(try_rec_create(h, r.rd, rec, &p), RMI_SUCCESS);
        host_activate(h, &r);
        host_set_program(h, prog_once, &k);
        uint64_t run = host_run_alloc(h);
        assert_int_equal(host_rec_enter(h, rec, run), RMI_SUCCESS);
        assert_int_equal(k.runs, 1);
        assert_int_equal(k.pc, 0x80000);
        for (unsigned i = 0; i < 8; i++)
                assert_int_equal(k.x[i], 0x1000 + i);
        /* PSCI_VERSION is answered by the RMM without an exit (PSCI 1.1). */
        assert_int_equal(k.psci_version, 0x10001);
        /* Returning from the entry is CPU_OFF: a PSCI exit, after which the REC is off. */
        assert_int_equal(run_exit_reason(h, run), RMI_EXIT_PSCI);
        assert_int_equal(run_exit_gpr(h, run, 0), PSCI_CPU_OFF);
        assert_int_equal(host_rec_enter(h, rec, run), RMI_ERROR_REC);
        assert_int_equal(k.runs, 1);
}

/* A fixture for the REC_ENTER failures: an active Realm whose REC has not run yet. */
struct enter_fx {
        struct hrealm r;
        uint64_t rec, run;
        struct realm_kernel k;
};

static void enter_fx_init(struct host *h, struct enter_fx *f)
{
        memset(f, 0, sizeof(*f));
        host_realm_new(h, &f->r);
        f->rec = host_rec_create(h, &f->r, 0);
        host_activate(h, &f->r);
        host_set_program(h, prog_once, &f->k);
        f->run = host_run_alloc(h);
}

/* The REC is intact: a correct REC_ENTER runs it to its first exit. */
static void assert_rec_still_usable(struct host *h, struct enter_fx *f)
{
        assert_int_equal(f->k.runs, 0);
        run_set_flags(h, f->run, 0);
        run_set_u64(h, f->run, RMI_REC_ENTRY_GICV3_HCR, 0);
        for (unsigned i = 0; i < RMI_GICV3_NUM_LRS; i++)
                run_set_u64(h, f->run, RMI_REC_ENTRY_GICV3_LRS + 8 * i, 0);
        assert_int_equal(host_rec_enter(h, f->rec, f->run), RMI_SUCCESS);
        assert_int_equal(f->k.runs, 1);
        assert_int_equal(run_exit_reason(h, f->run), RMI_EXIT_PSCI);
}

static void rmi_rec_enter_rejects_granule_that_is_not_rec(void **state)
{
        struct host *h = *state;
        struct enter_fx f;
        enter_fx_init(h, &f);
        assert_int_equal(host_rec_enter(h, f.r.rd, f.run), RMI_ERROR_INPUT);
        assert_int_equal(host_rec_enter(h, host_delegated(h), f.run), RMI_ERROR_INPUT);
        assert_int_equal(host_rec_enter(h, f.rec + 0x10, f.run), RMI_ERROR_INPUT);
        assert_rec_still_usable(h, &f);
}

static void rmi_rec_enter_rejects_run_page_not_ns(void **state)
{
        struct host *h = *state;
        struct enter_fx f;
        enter_fx_init(h, &f);
        uint64_t bad = host_delegated(h);
        assert_int_equal(host_rec_enter(h, f.rec, bad), RMI_ERROR_INPUT);
        assert_true(root_granule_is(h, bad, 0)); /* no exit record written into it */
        assert_int_equal(host_rec_enter(h, f.rec, f.run + 8), RMI_ERROR_INPUT);
        assert_int_equal(host_rec_enter(h, f.rec, H_MEM_END), RMI_ERROR_INPUT);
        assert_int_equal(host_rec_enter(h, f.rec, f.r.rd), RMI_ERROR_INPUT);
        assert_rec_still_usable(h, &f);
}

static void rmi_rec_enter_in_new_realm_fails_error_realm(void **state)
{
        struct host *h = *state;
        struct realm_kernel k = { 0 };
        struct hrealm r;
        host_realm_new(h, &r);
        uint64_t rec = host_rec_create(h, &r, 0);
        host_set_program(h, prog_once, &k);
        uint64_t run = host_run_alloc(h);
        assert_int_equal(host_rec_enter(h, rec, run), RMI_ERROR_REALM);
        assert_int_equal(k.runs, 0);
        host_activate(h, &r);
        assert_int_equal(host_rec_enter(h, rec, run), RMI_SUCCESS);
        assert_int_equal(k.runs, 1);
}

static void rmi_rec_enter_non_runnable_rec_fails_error_rec(void **state)
{
        struct host *h = *state;
        struct realm_kernel k = { 0 };
        struct hrealm r;
        struct rmi_rec_params p;
        host_realm_new(h, &r);
        hrec_params_default(&p, 0);
        p.flags = 0;
        uint64_t rec = host_delegated(h);
        assert_int_equal(try_rec_create(h, r.rd, rec, &p), RMI_SUCCESS);
        host_activate(h, &r);
        host_set_program(h, prog_once, &k);
        assert_int_equal(host_rec_enter(h, rec, host_run_alloc(h)), RMI_ERROR_REC);
        assert_int_equal(k.runs, 0);
}

static void rmi_rec_enter_with_unknown_entry_flag_fails_error_input(void **state)
{
        struct host *h = *state;
        struct enter_fx f;
        enter_fx_init(h, &f);
        run_set_flags(h, f.run, 1ULL << 5);
        assert_int_equal(host_rec_enter(h, f.rec, f.run), RMI_ERROR_INPUT);
        run_set_flags(h, f.run, 1ULL << 63);
        assert_int_equal(host_rec_enter(h, f.rec, f.run), RMI_ERROR_INPUT);
        assert_rec_still_usable(h, &f);
}

/* rec_mmio */
static void rmi_rec_enter_with_emul_mmio_but_no_pending_mmio_fails_error_rec(void **state)
{
        struct host *h = *state;
        struct enter_fx f;
        enter_fx_init(h, &f);
        run_set_flags(h, f.run, RMI_REC_ENTRY_FLAG_EMUL_MMIO);
        assert_int_equal(host_rec_enter(h, f.rec, f.run), RMI_ERROR_REC);
        assert_rec_still_usable(h, &f);
}

static void rmi_rec_enter_with_inject_sea_but_no_pending_abort_fails_error_rec(void **state)
{
        struct host *h = *state;
        struct enter_fx f;
        enter_fx_init(h, &f);
        run_set_flags(h, f.run, RMI_REC_ENTRY_FLAG_INJECT_SEA);
        assert_int_equal(host_rec_enter(h, f.rec, f.run), RMI_ERROR_REC);
        assert_rec_still_usable(h, &f);
}

/* rec_gicv3 */
static void rmi_rec_enter_with_gicv3_hcr_reserved_bits_fails_error_rec(void **state)
{
        struct host *h = *state;
        struct enter_fx f;
        enter_fx_init(h, &f);
        run_set_u64(h, f.run, RMI_REC_ENTRY_GICV3_HCR, 1ULL << 8);
        assert_int_equal(host_rec_enter(h, f.rec, f.run), RMI_ERROR_REC);
        run_set_u64(h, f.run, RMI_REC_ENTRY_GICV3_HCR, 1ULL << 63);
        assert_int_equal(host_rec_enter(h, f.rec, f.run), RMI_ERROR_REC);
        assert_rec_still_usable(h, &f);
}

static void rmi_rec_enter_with_hw_list_register_fails_error_rec(void **state)
{
        struct host *h = *state;
        struct enter_fx f;
        enter_fx_init(h, &f);
        run_set_u64(h, f.run, RMI_REC_ENTRY_GICV3_LRS + 8 * 15, 1ULL << 61);
        assert_int_equal(host_rec_enter(h, f.rec, f.run), RMI_ERROR_REC);
        assert_rec_still_usable(h, &f);
}

/* ---- REC exit due to WFI (A4.3.4.1) ---- */

static void prog_wfi(struct realm_kernel *k, struct ccada_cpu *cpu, uint64_t pc, const uint64_t *x)
{
        k->runs++;
        cpu_wfi(cpu);
}

/* exit.esr holds ESR_EL2.EC and ISS.TI only (0x04000000 for a WFI: EC 0x01, TI 0), no IL;
 * every other exit field but the GIC, timer and PMU ones is zero. */
static void rec_exit_due_to_wfi_esr_holds_only_ec_and_ti(void **state)
{
        struct host *h = *state;
        struct enter_fx f;
        enter_fx_init(h, &f);
        host_set_program(h, prog_wfi, &f.k);
        run_set_flags(h, f.run, RMI_REC_ENTRY_FLAG_TRAP_WFI);
        assert_int_equal(host_rec_enter(h, f.rec, f.run), RMI_SUCCESS);
        assert_int_equal(run_exit_reason(h, f.run), RMI_EXIT_SYNC);
        assert_int_equal(run_exit_u64(h, f.run, RMI_REC_EXIT_ESR), 0x04000000);
        assert_int_equal(run_exit_u64(h, f.run, RMI_REC_EXIT_FAR), 0);
        assert_int_equal(run_exit_u64(h, f.run, RMI_REC_EXIT_HPFAR), 0);
        for (unsigned i = 0; i < RMI_REC_NUM_GPRS; i++)
                assert_int_equal(run_exit_gpr(h, f.run, i), 0);
        /* without TRAP_WFI the WFI completes in the Realm: no exit for it */
        run_set_flags(h, f.run, 0);
        assert_int_equal(host_rec_enter(h, f.rec, f.run), RMI_SUCCESS);
        assert_int_equal(run_exit_reason(h, f.run), RMI_EXIT_PSCI);
}

/* ---- what crosses the run page (B4.4, A4.2, A4.3; see rmi_rec_enter) ---- */

/* The exit half is written whole: the fields this exit defines, every other byte zero,
 * whatever the host's page held there before (as TF-RMM zeroes its rmi_rec_exit). */
static void rmi_rec_enter_writes_the_exit_half_zero_but_for_the_fields_the_exit_defines(void **state)
{
        struct host *h = *state;
        struct enter_fx f;
        uint8_t page[RMI_REC_EXIT_SIZE], want[RMI_REC_EXIT_SIZE];
        enter_fx_init(h, &f);
        host_set_program(h, prog_wfi, &f.k);
        memset(page, 0xAA, sizeof(page));
        assert_int_equal(hw_write(h->mem, HW_WORLD_NS, f.run + RMI_REC_EXIT_OFFSET, page, sizeof(page), NULL), HW_OK);
        run_set_flags(h, f.run, RMI_REC_ENTRY_FLAG_TRAP_WFI);
        assert_int_equal(host_rec_enter(h, f.rec, f.run), RMI_SUCCESS);
        assert_int_equal(hw_read(h->mem, HW_WORLD_NS, f.run + RMI_REC_EXIT_OFFSET, page, sizeof(page), NULL), HW_OK);
        memset(want, 0, sizeof(want));
        want[RMI_REC_EXIT_REASON] = RMI_EXIT_SYNC;
        want[RMI_REC_EXIT_ESR + 3] = 0x04; /* esr = 0x04000000: EC WFx, TI 0 (A4.3.4.1) */
        assert_memory_equal(page, want, sizeof(page));
}

/* The entry is copied in once, before validation: a host that rewrites its run page while
 * the REC runs (from another CPU; here the Realm program stands in for it) changes nothing
 * for this entry. TRAP_WFI cleared in the page still traps the WFI. */
static void prog_rewrite_entry_then_wfi(struct realm_kernel *k, struct ccada_cpu *cpu, uint64_t pc,
                                        const uint64_t *x)
{
        k->runs++;
        run_set_flags(k->h, k->run, 0);
        run_set_u64(k->h, k->run, RMI_REC_ENTRY_GICV3_LRS, GICV3_LR_HW_BIT);
        cpu_wfi(cpu);
}

static void rmi_rec_enter_does_not_read_the_entry_again_while_the_rec_runs(void **state)
{
        struct host *h = *state;
        struct enter_fx f;
        enter_fx_init(h, &f);
        f.k.h = h;
        f.k.run = f.run;
        host_set_program(h, prog_rewrite_entry_then_wfi, &f.k);
        run_set_flags(h, f.run, RMI_REC_ENTRY_FLAG_TRAP_WFI);
        assert_int_equal(host_rec_enter(h, f.rec, f.run), RMI_SUCCESS);
        assert_int_equal(f.k.runs, 1);
        assert_int_equal(run_exit_reason(h, f.run), RMI_EXIT_SYNC);
        assert_int_equal(run_exit_u64(h, f.run, RMI_REC_EXIT_ESR), 0x04000000);
        /* the next entry is a new copy: the rewritten page is what it sees, and refuses */
        assert_int_equal(host_rec_enter(h, f.rec, f.run), RMI_ERROR_REC);
        run_set_u64(h, f.run, RMI_REC_ENTRY_GICV3_LRS, 0);
        assert_int_equal(host_rec_enter(h, f.rec, f.run), RMI_SUCCESS);
        assert_int_equal(run_exit_reason(h, f.run), RMI_EXIT_PSCI);
}

/* A Realm destroyed with a REC in the middle of an exit: nothing leaks, granules return. */
static void prog_host_call_forever(struct realm_kernel *k, struct ccada_cpu *cpu, uint64_t pc,
                                   const uint64_t *x)
{
        for (;;) {
                struct smc_regs r = { .x = { RSI_HOST_CALL, 0x1000 } };
                cpu_smc(cpu, &r);
                k->runs++;
        }
}

static void rmi_rec_destroy_of_rec_suspended_in_exit_succeeds(void **state)
{
        struct host *h = *state;
        struct realm_kernel k = { 0 };
        struct hrealm r;
        uint64_t rec;
        host_realm_setup(h, &r, &rec);
        host_activate(h, &r);
        host_set_program(h, prog_host_call_forever, &k);
        uint64_t run = host_run_alloc(h);
        assert_int_equal(host_rec_enter(h, rec, run), RMI_SUCCESS);
        assert_int_equal(run_exit_reason(h, run), RMI_EXIT_HOST_CALL);
        assert_int_equal(rmi(h, RMI_REC_DESTROY, rec, 0, 0, 0, 0, NULL), RMI_SUCCESS);
        assert_undelegate_ok(h, rec);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                T(rmi_rec_create_makes_rec_granule_busy),
                T(rmi_rec_create_rejects_params_not_ns),
                T(rmi_rec_create_rejects_rd_that_is_not_rd),
                T(rmi_rec_create_rejects_undelegated_rec),
                T(rmi_rec_create_in_active_realm_fails_error_realm),
                T(rmi_rec_create_rejects_mpidr_out_of_order),
                T(rmi_rec_create_rejects_mpidr_with_reserved_bits),
                T(rmi_rec_create_accepts_mpidr_aff1_after_sixteen_aff0),
                T(rmi_rec_create_after_rec_destroy_rejects_reused_mpidr),
                T(rmi_rec_create_num_recs_at_max_recs_fails_error_realm),
                T(rmi_rec_create_rejects_nonzero_num_aux),
                T(rmi_rec_create_rejects_unknown_flags),
                T(rmi_rec_aux_count_returns_zero),
                T(rmi_rec_aux_count_rejects_granule_that_is_not_rd),
                T(rmi_rec_destroy_returns_granule_to_delegated),
                T(rmi_rec_destroy_rejects_granule_that_is_not_rec),
                T(rmi_rec_destroy_of_rec_suspended_in_exit_succeeds),
                T(rmi_rec_enter_runs_realm_with_params_pc_and_gprs),
                T(rmi_rec_enter_rejects_granule_that_is_not_rec),
                T(rmi_rec_enter_rejects_run_page_not_ns),
                T(rmi_rec_enter_in_new_realm_fails_error_realm),
                T(rmi_rec_enter_non_runnable_rec_fails_error_rec),
                T(rmi_rec_enter_with_unknown_entry_flag_fails_error_input),
                T(rmi_rec_enter_with_emul_mmio_but_no_pending_mmio_fails_error_rec),
                T(rmi_rec_enter_with_inject_sea_but_no_pending_abort_fails_error_rec),
                T(rmi_rec_enter_with_gicv3_hcr_reserved_bits_fails_error_rec),
                T(rmi_rec_enter_with_hw_list_register_fails_error_rec),
                T(rec_exit_due_to_wfi_esr_holds_only_ec_and_ti),
                T(rmi_rec_enter_writes_the_exit_half_zero_but_for_the_fields_the_exit_defines),
                T(rmi_rec_enter_does_not_read_the_entry_again_while_the_rec_runs),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
