/* What a Realm's memory accesses do, and the REC exits they cause. DEN0137 1.0 A5.2.2
 * (protected IPA, RIPAS), A5.2.6 (unprotected IPA, GPF), A4.3.x (data abort exits,
 * emulatable aborts, EMUL_MMIO / INJECT_SEA on re-entry). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "rmm_harness.h"

#define T(fn) cmocka_unit_test_setup_teardown(fn, host_setup, host_teardown)

enum op { OP_LOAD, OP_STORE, OP_MMIO_READ, OP_MMIO_WRITE, OP_COPY, OP_LOAD_WFI_LOAD, OP_LOAD_LOAD, OP_LOAD_WFI_LOAD2 };

/* The Realm does one access (then a second identical one when `twice`) and records it. */
struct realm_kernel {
        enum op op;
        uint64_t ipa, ipa2;
        unsigned size;
        uint64_t val;           /* MMIO write value / MMIO read result */
        uint8_t buf[64];
        enum cpu_result res, res2;
        unsigned done;
        bool finished;
};

static void prog(struct realm_kernel *k, struct ccada_cpu *cpu, uint64_t pc, const uint64_t *x)
{
        switch (k->op) {
        case OP_LOAD: k->res = cpu_load(cpu, k->ipa, k->buf, k->size); break;
        case OP_STORE: k->res = cpu_store(cpu, k->ipa, k->buf, k->size); break;
        case OP_MMIO_READ: k->res = cpu_mmio_read(cpu, k->ipa, k->size, &k->val); break;
        case OP_MMIO_WRITE: k->res = cpu_mmio_write(cpu, k->ipa, k->size, k->val); break;
        case OP_COPY: k->res = cpu_copy(cpu, k->ipa2, k->ipa, k->size); break;
        case OP_LOAD_WFI_LOAD:
                k->res = cpu_load(cpu, k->ipa, k->buf, k->size);
                cpu_wfi(cpu);
                k->res2 = cpu_load(cpu, k->ipa, k->buf, k->size);
                break;
        case OP_LOAD_WFI_LOAD2: /* ipa, a WFI (the host acts), then ipa2 into the second half of buf */
                k->res = cpu_load(cpu, k->ipa, k->buf, k->size);
                cpu_wfi(cpu);
                k->res2 = cpu_load(cpu, k->ipa2, k->buf + 32, k->size);
                break;
        case OP_LOAD_LOAD: /* ipa, then ipa2 into the second half of buf */
                k->res = cpu_load(cpu, k->ipa, k->buf, k->size);
                k->res2 = cpu_load(cpu, k->ipa2, k->buf + 32, k->size);
                break;
        }
        k->done++;
        k->finished = true;
}

struct acc_fx {
        struct hrealm r;
        uint64_t rec, run;
        struct realm_kernel k;
};

/* The standard Realm (DATA holding `fill`) plus tables over the first 2 MiB of unprotected
 * space; not yet active. */
static void fx_init_fill(struct host *h, struct acc_fx *f, enum op op, uint64_t ipa, unsigned size, uint8_t fill)
{
        memset(f, 0, sizeof(*f));
        host_realm_setup_fill(h, &f->r, &f->rec, fill);
        host_rtts_l3(h, &f->r, H_UNPROT_BASE);
        f->k.op = op;
        f->k.ipa = ipa;
        f->k.size = size;
        f->run = host_run_alloc(h);
}

static void fx_init(struct host *h, struct acc_fx *f, enum op op, uint64_t ipa, unsigned size)
{
        fx_init_fill(h, f, op, ipa, size, 0);
}

static void fx_start(struct host *h, struct acc_fx *f)
{
        host_activate(h, &f->r);
        host_set_program(h, prog, &f->k);
}

static void enter_expect(struct host *h, struct acc_fx *f, uint64_t flags, uint64_t reason)
{
        run_set_flags(h, f->run, flags);
        assert_int_equal(host_rec_enter(h, f->rec, f->run), RMI_SUCCESS);
        assert_int_equal(run_exit_reason(h, f->run), reason);
}

static void enter_to_completion(struct host *h, struct acc_fx *f, uint64_t flags)
{
        enter_expect(h, f, flags, RMI_EXIT_PSCI);
        assert_true(f->k.finished);
}

static uint64_t data_pa(struct host *h, struct acc_fx *f, uint64_t ipa)
{
        struct smc_regs out;
        assert_int_equal(rmi(h, RMI_RTT_READ_ENTRY, f->r.rd, ipa, 3, 0, 0, &out), RMI_SUCCESS);
        assert_int_equal(out.x[2], RMI_ASSIGNED);
        return out.x[3] & 0x0000FFFFFFFFF000ULL;
}

static uint64_t hpfar_of(uint64_t ipa)
{
        return (ipa >> GRANULE_SHIFT) << HPFAR_FIPA_SHIFT;
}

/* ---- protected IPAs ---- */

static void realm_load_from_ram_data_succeeds(void **state)
{
        struct host *h = *state;
        struct acc_fx f;
        fx_init_fill(h, &f, OP_LOAD, 0x1000, 16, 0x3C);
        uint8_t pat[16];
        memset(pat, 0x3C, sizeof(pat));
        fx_start(h, &f);
        enter_to_completion(h, &f, 0);
        assert_int_equal(f.k.res, CPU_OK);
        assert_memory_equal(f.k.buf, pat, sizeof(pat));
}

static void realm_access_to_empty_ripas_is_sea_without_exit(void **state)
{
        struct host *h = *state;
        struct acc_fx f;
        fx_init(h, &f, OP_LOAD, H_RAM_TOP, 8);
        fx_start(h, &f);
        enter_to_completion(h, &f, 0);
        assert_int_equal(f.k.res, CPU_SEA);
}

static void realm_access_outside_ipa_space_is_sea(void **state)
{
        struct host *h = *state;
        struct acc_fx f;
        fx_init(h, &f, OP_MMIO_READ, 1ULL << H_S2SZ, 4);
        fx_start(h, &f);
        enter_to_completion(h, &f, 0);
        assert_int_equal(f.k.res, CPU_SEA);
}

/* Unassigned RAM: a stage-2 abort the host sees (ISV=0, HPFAR), fixes, and re-enters. */
static void realm_store_to_unassigned_ram_exits_then_completes_after_data_create_unknown(void **state)
{
        struct host *h = *state;
        struct acc_fx f;
        uint64_t ipa = 0x5000 + 0x123;
        fx_init(h, &f, OP_STORE, ipa, 8);
        memset(f.k.buf, 0x7E, 8);
        fx_start(h, &f);
        enter_expect(h, &f, 0, RMI_EXIT_SYNC);
        uint64_t esr = run_exit_u64(h, f.run, RMI_REC_EXIT_ESR);
        assert_int_equal((esr & ESR_EC_MASK) >> ESR_EC_SHIFT, ESR_EC_DABT_LOWER);
        assert_false(esr & ESR_ISV);
        assert_true(esr & ESR_WNR);
        assert_int_equal(esr & ESR_DFSC_MASK, ESR_DFSC_TRANS_L3);
        assert_int_equal(run_exit_u64(h, f.run, RMI_REC_EXIT_HPFAR), hpfar_of(ipa));
        assert_int_equal(run_exit_u64(h, f.run, RMI_REC_EXIT_FAR), 0x123);
        assert_false(f.k.finished);
        /* re-entering without fixing anything: the access faults again */
        enter_expect(h, &f, 0, RMI_EXIT_SYNC);
        assert_int_equal(run_exit_u64(h, f.run, RMI_REC_EXIT_HPFAR), hpfar_of(ipa));
        uint64_t data = host_delegated(h);
        assert_int_equal(rmi(h, RMI_DATA_CREATE_UNKNOWN, f.r.rd, data, 0x5000, 0, 0, NULL), RMI_SUCCESS);
        enter_to_completion(h, &f, 0);
        assert_int_equal(f.k.res, CPU_OK);
        uint8_t got[8];
        assert_int_equal(hw_read(h->mem, HW_WORLD_ROOT, data + 0x123, got, 8, NULL), HW_OK);
        assert_memory_equal(got, f.k.buf, 8);
}

static void realm_access_to_unassigned_ram_with_inject_sea_is_sea(void **state)
{
        struct host *h = *state;
        struct acc_fx f;
        fx_init(h, &f, OP_LOAD, 0x6000, 8);
        fx_start(h, &f);
        enter_expect(h, &f, 0, RMI_EXIT_SYNC);
        enter_to_completion(h, &f, RMI_REC_ENTRY_FLAG_INJECT_SEA);
        assert_int_equal(f.k.res, CPU_SEA);
}

/* A protected abort is not emulatable: EMUL_MMIO on re-entry is refused. */
static void rmi_rec_enter_with_emul_mmio_after_protected_abort_fails_error_rec(void **state)
{
        struct host *h = *state;
        struct acc_fx f;
        fx_init(h, &f, OP_MMIO_READ, 0x6000, 4);
        fx_start(h, &f);
        enter_expect(h, &f, 0, RMI_EXIT_SYNC);
        assert_false(run_exit_u64(h, f.run, RMI_REC_EXIT_ESR) & ESR_ISV);
        run_set_flags(h, f.run, RMI_REC_ENTRY_FLAG_EMUL_MMIO);
        assert_int_equal(host_rec_enter(h, f.rec, f.run), RMI_ERROR_REC);
        enter_to_completion(h, &f, RMI_REC_ENTRY_FLAG_INJECT_SEA);
        assert_int_equal(f.k.res, CPU_SEA);
}

/* DESTROYED: an exit that never makes progress (A5.2.2). */
static void realm_access_to_destroyed_ripas_exits_until_sea_injected(void **state)
{
        struct host *h = *state;
        struct acc_fx f;
        fx_init(h, &f, OP_LOAD, 0x2000, 8);
        fx_start(h, &f);
        assert_int_equal(rmi(h, RMI_DATA_DESTROY, f.r.rd, 0x2000, 0, 0, 0, NULL), RMI_SUCCESS);
        enter_expect(h, &f, 0, RMI_EXIT_SYNC);
        uint64_t data = host_delegated(h);
        assert_int_equal(rmi(h, RMI_DATA_CREATE_UNKNOWN, f.r.rd, data, 0x2000, 0, 0, NULL),
                         RMI_RETURN(RMI_ERROR_RTT, 3));
        enter_expect(h, &f, 0, RMI_EXIT_SYNC);
        assert_int_equal(run_exit_u64(h, f.run, RMI_REC_EXIT_HPFAR), hpfar_of(0x2000));
        enter_to_completion(h, &f, RMI_REC_ENTRY_FLAG_INJECT_SEA);
        assert_int_equal(f.k.res, CPU_SEA);
}

/* ---- unprotected IPAs: emulatable MMIO ---- */

#define MMIO_IPA (H_UNPROT_BASE + 0x10)

static void realm_mmio_read_of_unmapped_unprotected_ipa_exits_emulatable(void **state)
{
        struct host *h = *state;
        struct acc_fx f;
        fx_init(h, &f, OP_MMIO_READ, MMIO_IPA, 4);
        fx_start(h, &f);
        enter_expect(h, &f, 0, RMI_EXIT_SYNC);
        uint64_t esr = run_exit_u64(h, f.run, RMI_REC_EXIT_ESR);
        assert_int_equal((esr & ESR_EC_MASK) >> ESR_EC_SHIFT, ESR_EC_DABT_LOWER);
        assert_true(esr & ESR_ISV);
        assert_int_equal((esr & ESR_SAS_MASK) >> ESR_SAS_SHIFT, 2); /* word */
        assert_false(esr & ESR_WNR);
        assert_int_equal(run_exit_u64(h, f.run, RMI_REC_EXIT_FAR), 0x10); /* offset only */
        assert_int_equal(run_exit_u64(h, f.run, RMI_REC_EXIT_HPFAR), hpfar_of(MMIO_IPA));
        run_set_gpr(h, f.run, 0, 0x1122334455667788ULL);
        enter_to_completion(h, &f, RMI_REC_ENTRY_FLAG_EMUL_MMIO);
        assert_int_equal(f.k.res, CPU_OK);
        assert_int_equal(f.k.val, 0x55667788ULL); /* truncated to the access size */
}

static void realm_mmio_write_exit_carries_value_size_and_wnr(void **state)
{
        struct host *h = *state;
        struct acc_fx f;
        fx_init(h, &f, OP_MMIO_WRITE, H_UNPROT_BASE + 0x0FFE, 2);
        f.k.val = 0xABCD;
        fx_start(h, &f);
        enter_expect(h, &f, 0, RMI_EXIT_SYNC);
        uint64_t esr = run_exit_u64(h, f.run, RMI_REC_EXIT_ESR);
        assert_true(esr & ESR_ISV);
        assert_true(esr & ESR_WNR);
        assert_int_equal((esr & ESR_SAS_MASK) >> ESR_SAS_SHIFT, 1); /* halfword */
        assert_int_equal((esr & ESR_SRT_MASK) >> ESR_SRT_SHIFT, 0);
        assert_int_equal(run_exit_gpr(h, f.run, 0), 0xABCD);
        assert_int_equal(run_exit_u64(h, f.run, RMI_REC_EXIT_FAR), 0xFFE);
        enter_to_completion(h, &f, RMI_REC_ENTRY_FLAG_EMUL_MMIO);
        assert_int_equal(f.k.res, CPU_OK);
}

/* Without EMUL_MMIO the instruction is re-executed and faults again. */
static void realm_mmio_without_emul_mmio_is_reexecuted_and_faults_again(void **state)
{
        struct host *h = *state;
        struct acc_fx f;
        fx_init(h, &f, OP_MMIO_READ, MMIO_IPA, 8);
        fx_start(h, &f);
        enter_expect(h, &f, 0, RMI_EXIT_SYNC);
        enter_expect(h, &f, 0, RMI_EXIT_SYNC);
        assert_true(run_exit_u64(h, f.run, RMI_REC_EXIT_ESR) & ESR_ISV);
        assert_int_equal(run_exit_u64(h, f.run, RMI_REC_EXIT_HPFAR), hpfar_of(MMIO_IPA));
        assert_false(f.k.finished);
        run_set_gpr(h, f.run, 0, 0xFEEDFACECAFEBEEFULL);
        enter_to_completion(h, &f, RMI_REC_ENTRY_FLAG_EMUL_MMIO);
        assert_int_equal(f.k.val, 0xFEEDFACECAFEBEEFULL);
        assert_int_equal(f.k.done, 1);
}

static void realm_mmio_with_inject_sea_is_sea(void **state)
{
        struct host *h = *state;
        struct acc_fx f;
        fx_init(h, &f, OP_MMIO_READ, MMIO_IPA, 4);
        fx_start(h, &f);
        enter_expect(h, &f, 0, RMI_EXIT_SYNC);
        enter_to_completion(h, &f, RMI_REC_ENTRY_FLAG_INJECT_SEA);
        assert_int_equal(f.k.res, CPU_SEA);
}

/* A malformed RmiRecEntry while an MMIO exit is pending: refused, the exit stays pending. */
static void rmi_rec_enter_malformed_during_pending_mmio_leaves_rec_usable(void **state)
{
        struct host *h = *state;
        struct acc_fx f;
        fx_init(h, &f, OP_MMIO_READ, MMIO_IPA, 4);
        fx_start(h, &f);
        enter_expect(h, &f, 0, RMI_EXIT_SYNC);
        run_set_flags(h, f.run, RMI_REC_ENTRY_FLAG_EMUL_MMIO | (1ULL << 7));
        assert_int_equal(host_rec_enter(h, f.rec, f.run), RMI_ERROR_INPUT);
        run_set_flags(h, f.run, RMI_REC_ENTRY_FLAG_EMUL_MMIO);
        run_set_u64(h, f.run, RMI_REC_ENTRY_GICV3_HCR, 1ULL << 20);
        assert_int_equal(host_rec_enter(h, f.rec, f.run), RMI_ERROR_REC);
        run_set_u64(h, f.run, RMI_REC_ENTRY_GICV3_HCR, 0);
        run_set_u64(h, f.run, RMI_REC_ENTRY_GICV3_LRS, 1ULL << 61);
        assert_int_equal(host_rec_enter(h, f.rec, f.run), RMI_ERROR_REC);
        run_set_u64(h, f.run, RMI_REC_ENTRY_GICV3_LRS, 0);
        assert_int_equal(host_rec_enter(h, f.rec, host_delegated(h)), RMI_ERROR_INPUT);
        assert_false(f.k.finished);
        run_set_gpr(h, f.run, 0, 0x42);
        enter_to_completion(h, &f, RMI_REC_ENTRY_FLAG_EMUL_MMIO);
        assert_int_equal(f.k.res, CPU_OK);
        assert_int_equal(f.k.val, 0x42);
}

static void realm_mmio_rejects_bad_size_or_misaligned_access(void **state)
{
        struct host *h = *state;
        struct acc_fx f;
        fx_init(h, &f, OP_MMIO_READ, MMIO_IPA + 2, 4);
        fx_start(h, &f);
        enter_to_completion(h, &f, 0);
        assert_int_equal(f.k.res, CPU_SEA);
}

/* ---- unprotected IPAs mapped by the host ---- */

static void realm_access_to_mapped_ns_granule_reaches_it(void **state)
{
        struct host *h = *state;
        struct acc_fx f;
        fx_init(h, &f, OP_COPY, H_UNPROT_BASE + 0x40, 32); /* shared -> private */
        f.k.ipa2 = 0x1000;
        uint64_t ns = host_alloc(h);
        host_fill_ns(h, ns, 0x5D);
        assert_int_equal(rmi(h, RMI_RTT_MAP_UNPROTECTED, f.r.rd, H_UNPROT_BASE, 3, ns, 0, NULL), RMI_SUCCESS);
        fx_start(h, &f);
        enter_to_completion(h, &f, 0);
        assert_int_equal(f.k.res, CPU_OK);
        uint8_t got[32], want[32];
        memset(want, 0x5D, sizeof(want));
        assert_int_equal(hw_read(h->mem, HW_WORLD_ROOT, data_pa(h, &f, 0x1000), got, 32, NULL), HW_OK);
        assert_memory_equal(got, want, 32);
}

/* The REC's translation cache must not outlive the mapping: after the host unmaps the
 * page, the same access faults to the host again instead of reaching the old granule. */
static void realm_access_after_host_unmap_faults_despite_cached_translation(void **state)
{
        struct host *h = *state;
        struct acc_fx f;
        fx_init(h, &f, OP_LOAD_WFI_LOAD, H_UNPROT_BASE + 0x10, 16);
        uint64_t ns = host_alloc(h);
        host_fill_ns(h, ns, 0x77);
        assert_int_equal(rmi(h, RMI_RTT_MAP_UNPROTECTED, f.r.rd, H_UNPROT_BASE, 3, ns, 0, NULL), RMI_SUCCESS);
        fx_start(h, &f);
        enter_expect(h, &f, RMI_REC_ENTRY_FLAG_TRAP_WFI, RMI_EXIT_SYNC); /* the WFI */
        assert_int_equal(f.k.res, CPU_OK);
        assert_int_equal(f.k.buf[0], 0x77);
        assert_int_equal(rmi(h, RMI_RTT_UNMAP_UNPROTECTED, f.r.rd, H_UNPROT_BASE, 3, 0, 0, NULL), RMI_SUCCESS);
        enter_expect(h, &f, RMI_REC_ENTRY_FLAG_TRAP_WFI, RMI_EXIT_SYNC); /* the second load: abort */
        enter_to_completion(h, &f, RMI_REC_ENTRY_FLAG_INJECT_SEA);
        assert_int_equal(f.k.res2, CPU_SEA);
}

/* The REC's TLB also holds the granule protection verdict of a granule it reached. A GPT
 * change is no RTT change (RMI_GRANULE_DELEGATE changes no mapping), so the verdict must go
 * stale by itself: the Realm loads from a shared page (translated, checked, cached), exits
 * on a WFI, the host delegates the shared page's granule while it stays mapped, and the
 * Realm's next load of it is a GPF that moves nothing (DEN0137 1.0 A5.2.6). */
static void rec_access_faults_after_gpt_change_of_cached_granule(void **state)
{
        struct host *h = *state;
        struct acc_fx f;
        fx_init(h, &f, OP_LOAD_WFI_LOAD, H_UNPROT_BASE + 0x20, 16);
        uint64_t ns = host_alloc(h);
        host_fill_ns(h, ns, 0x6B);
        assert_int_equal(rmi(h, RMI_RTT_MAP_UNPROTECTED, f.r.rd, H_UNPROT_BASE, 3, ns, 0, NULL), RMI_SUCCESS);
        fx_start(h, &f);
        enter_expect(h, &f, RMI_REC_ENTRY_FLAG_TRAP_WFI, RMI_EXIT_SYNC); /* the WFI */
        assert_int_equal(f.k.res, CPU_OK);
        assert_int_equal(f.k.buf[0], 0x6B);
        memset(f.k.buf, 0x11, sizeof(f.k.buf));
        assert_int_equal(rmi(h, RMI_GRANULE_DELEGATE, ns, 0, 0, 0, 0, NULL), RMI_SUCCESS);
        uint64_t gpfs = hw_gpf_count(h->mem);
        enter_to_completion(h, &f, RMI_REC_ENTRY_FLAG_TRAP_WFI);
        assert_int_equal(f.k.res2, CPU_GPF);
        assert_true(hw_gpf_count(h->mem) > gpfs);
        for (unsigned i = 0; i < 16; i++)
                assert_int_equal(f.k.buf[i], 0x11); /* nothing moved */
}

/* The same with no RMM involved at all: the Root world changes the PAS of a shared granule
 * the Realm reached a moment ago (hw_gpt_transition, as EL3 may). The verdict cached for it
 * is stale because the GPT changed, whoever changed it. */
static void rec_access_faults_after_root_changes_pas_of_cached_shared_granule(void **state)
{
        struct host *h = *state;
        struct acc_fx f;
        fx_init(h, &f, OP_LOAD_WFI_LOAD, H_UNPROT_BASE + 0x20, 16);
        uint64_t ns = host_alloc(h);
        host_fill_ns(h, ns, 0x6B);
        assert_int_equal(rmi(h, RMI_RTT_MAP_UNPROTECTED, f.r.rd, H_UNPROT_BASE, 3, ns, 0, NULL), RMI_SUCCESS);
        fx_start(h, &f);
        enter_expect(h, &f, RMI_REC_ENTRY_FLAG_TRAP_WFI, RMI_EXIT_SYNC);
        assert_int_equal(f.k.res, CPU_OK);
        assert_int_equal(hw_gpt_transition(h->mem, HW_WORLD_ROOT, ns, HW_PAS_NS, HW_PAS_SECURE), HW_OK);
        enter_to_completion(h, &f, RMI_REC_ENTRY_FLAG_TRAP_WFI);
        assert_int_equal(f.k.res2, CPU_GPF);
}

/* Two shared pages (0x6B, 0x7C); the Realm loads page 0 (a miss that prefetches page 1 with
 * its verdict) and stops at a WFI before loading page 1. Returns page 1's granule. */
static uint64_t fx_two_shared_pages(struct host *h, struct acc_fx *f)
{
        fx_init(h, f, OP_LOAD_WFI_LOAD2, H_UNPROT_BASE + 0x20, 16);
        f->k.ipa2 = H_UNPROT_BASE + GRANULE_SIZE + 0x20;
        uint64_t ns0 = host_alloc(h), ns1 = host_alloc(h);
        host_fill_ns(h, ns0, 0x6B);
        host_fill_ns(h, ns1, 0x7C);
        assert_int_equal(rmi(h, RMI_RTT_MAP_UNPROTECTED, f->r.rd, H_UNPROT_BASE, 3, ns0, 0, NULL), RMI_SUCCESS);
        assert_int_equal(rmi(h, RMI_RTT_MAP_UNPROTECTED, f->r.rd, H_UNPROT_BASE + GRANULE_SIZE, 3, ns1, 0, NULL),
                         RMI_SUCCESS);
        fx_start(h, f);
        enter_expect(h, f, RMI_REC_ENTRY_FLAG_TRAP_WFI, RMI_EXIT_SYNC);
        return ns1;
}

/* A miss fills the next pages with their verdicts: the first load of page 0 prefetches page
 * 1, allowed (NS); the Root world then moves page 1's granule to Secure, with no RTT
 * change; the load of page 1 (never accessed, only prefetched) is a GPF and reads nothing. */
static void rec_access_faults_after_root_changes_pas_of_prefetched_granule(void **state)
{
        struct host *h = *state;
        struct acc_fx f;
        uint64_t ns1 = fx_two_shared_pages(h, &f);
        assert_int_equal(f.k.res, CPU_OK);
        assert_int_equal(f.k.buf[0], 0x6B);
        assert_int_equal(hw_gpt_transition(h->mem, HW_WORLD_ROOT, ns1, HW_PAS_NS, HW_PAS_SECURE), HW_OK);
        enter_to_completion(h, &f, RMI_REC_ENTRY_FLAG_TRAP_WFI);
        assert_int_equal(f.k.res2, CPU_GPF);
        for (unsigned i = 32; i < 48; i++)
                assert_int_equal(f.k.buf[i], 0);
}

/* Without that change, the prefetched verdict serves the load: the bytes of page 1. */
static void rec_access_reads_prefetched_granule_with_its_verdict(void **state)
{
        struct host *h = *state;
        struct acc_fx f;
        (void)fx_two_shared_pages(h, &f);
        enter_to_completion(h, &f, RMI_REC_ENTRY_FLAG_TRAP_WFI);
        assert_int_equal(f.k.res2, CPU_OK);
        for (unsigned i = 32; i < 48; i++)
                assert_int_equal(f.k.buf[i], 0x7C);
}

/* And for a protected IPA, whose verdict is the Realm world's: the Root world moves the
 * Realm's DATA granule to the Secure PAS (which breaks the RMM's invariants, as an EL3 bug
 * would); the Realm's next load of it is a GPF, not a read of Secure memory. */
static void rec_access_to_protected_ipa_faults_after_root_moves_cached_granule_to_secure(void **state)
{
        struct host *h = *state;
        struct acc_fx f;
        fx_init_fill(h, &f, OP_LOAD_WFI_LOAD, 0x1000, 16, 0x3C);
        uint64_t data = data_pa(h, &f, 0x1000);
        fx_start(h, &f);
        enter_expect(h, &f, RMI_REC_ENTRY_FLAG_TRAP_WFI, RMI_EXIT_SYNC);
        assert_int_equal(f.k.res, CPU_OK);
        assert_int_equal(f.k.buf[0], 0x3C);
        h->expect_violations = true; /* a DATA granule outside the Realm PAS */
        assert_int_equal(hw_gpt_transition(h->mem, HW_WORLD_ROOT, data, HW_PAS_REALM, HW_PAS_SECURE), HW_OK);
        enter_to_completion(h, &f, RMI_REC_ENTRY_FLAG_TRAP_WFI);
        assert_int_equal(f.k.res2, CPU_GPF);
}

/* An RTT change still invalidates the TLB when the granule's PAS stays the same: the host
 * unmaps a shared page and maps another NS granule at the same IPA; the Realm's next load
 * reads the new granule, not the one it had cached. */
static void rec_access_after_host_remaps_cached_ipa_reads_new_granule(void **state)
{
        struct host *h = *state;
        struct acc_fx f;
        fx_init(h, &f, OP_LOAD_WFI_LOAD, H_UNPROT_BASE + 0x30, 16);
        uint64_t old = host_alloc(h), fresh = host_alloc(h);
        host_fill_ns(h, old, 0x01);
        host_fill_ns(h, fresh, 0x02);
        assert_int_equal(rmi(h, RMI_RTT_MAP_UNPROTECTED, f.r.rd, H_UNPROT_BASE, 3, old, 0, NULL), RMI_SUCCESS);
        fx_start(h, &f);
        enter_expect(h, &f, RMI_REC_ENTRY_FLAG_TRAP_WFI, RMI_EXIT_SYNC);
        assert_int_equal(f.k.buf[0], 0x01);
        assert_int_equal(rmi(h, RMI_RTT_UNMAP_UNPROTECTED, f.r.rd, H_UNPROT_BASE, 3, 0, 0, NULL), RMI_SUCCESS);
        assert_int_equal(rmi(h, RMI_RTT_MAP_UNPROTECTED, f.r.rd, H_UNPROT_BASE, 3, fresh, 0, NULL), RMI_SUCCESS);
        enter_to_completion(h, &f, RMI_REC_ENTRY_FLAG_TRAP_WFI);
        assert_int_equal(f.k.res2, CPU_OK);
        assert_int_equal(f.k.buf[0], 0x02);
}

/* A miss also fills the TLB with the pages after it in the same table (a stream's next
 * pages), but never with a verdict: the first access to such a page still runs the GPC.
 * Here the page after a shared page maps a delegated granule: loading it is a GPF. */
static void rec_access_to_page_after_a_miss_still_runs_gpc(void **state)
{
        struct host *h = *state;
        struct acc_fx f;
        fx_init(h, &f, OP_LOAD_LOAD, H_UNPROT_BASE + 0x40, 16);
        f.k.ipa2 = H_UNPROT_BASE + GRANULE_SIZE + 0x40;
        uint64_t ns = host_alloc(h), deleg = host_delegated(h);
        host_fill_ns(h, ns, 0x4E);
        assert_int_equal(rmi(h, RMI_RTT_MAP_UNPROTECTED, f.r.rd, H_UNPROT_BASE, 3, ns, 0, NULL), RMI_SUCCESS);
        assert_int_equal(rmi(h, RMI_RTT_MAP_UNPROTECTED, f.r.rd, H_UNPROT_BASE + GRANULE_SIZE, 3, deleg, 0, NULL),
                         RMI_SUCCESS);
        fx_start(h, &f);
        enter_to_completion(h, &f, 0);
        assert_int_equal(f.k.res, CPU_OK);
        assert_int_equal(f.k.buf[0], 0x4E);
        assert_int_equal(f.k.res2, CPU_GPF);
        for (unsigned i = 32; i < 48; i++)
                assert_int_equal(f.k.buf[i], 0);
}

/* Nor does it fill a page the walk would not translate: after the last DATA page, the next
 * (RIPAS RAM, unassigned) still faults to the host (A5.2.2). */
static void rec_access_to_unassigned_page_after_a_miss_exits_to_host(void **state)
{
        struct host *h = *state;
        struct acc_fx f;
        fx_init(h, &f, OP_LOAD_LOAD, H_DATA_TOP - GRANULE_SIZE, 8);
        f.k.ipa2 = H_DATA_TOP;
        fx_start(h, &f);
        enter_expect(h, &f, 0, RMI_EXIT_SYNC);
        assert_int_equal(f.k.res, CPU_OK);
        assert_int_equal(run_exit_u64(h, f.run, RMI_REC_EXIT_HPFAR), hpfar_of(H_DATA_TOP));
        enter_to_completion(h, &f, RMI_REC_ENTRY_FLAG_INJECT_SEA);
        assert_int_equal(f.k.res2, CPU_SEA);
}

/* The RMM does not check the PAS of an unprotected mapping (DEN0137 1.0 A5.2.6): mapping a
 * delegated granule succeeds, but the Realm's access through it is a GPF and moves nothing. */
static void rtt_map_unprotected_of_delegated_granule_succeeds_but_realm_access_gpfs(void **state)
{
        struct host *h = *state;
        struct acc_fx f;
        fx_init(h, &f, OP_STORE, H_UNPROT_BASE + 0x80, 16);
        memset(f.k.buf, 0xEE, 16);
        uint64_t deleg = host_delegated(h);
        assert_int_equal(rmi(h, RMI_RTT_MAP_UNPROTECTED, f.r.rd, H_UNPROT_BASE, 3, deleg, 0, NULL), RMI_SUCCESS);
        uint64_t gpfs = hw_gpf_count(h->mem);
        fx_start(h, &f);
        enter_to_completion(h, &f, 0);
        assert_int_equal(f.k.res, CPU_GPF);
        assert_true(hw_gpf_count(h->mem) > gpfs);
        assert_true(root_granule_is(h, deleg, 0));
        assert_undelegate_ok(h, deleg); /* still DELEGATED: the RMM never took it */
}

/* Aliasing the Realm's own private DATA granule through unprotected IPA space. */
static void rtt_map_unprotected_of_realm_data_gives_realm_gpf_and_data_intact(void **state)
{
        struct host *h = *state;
        struct acc_fx f;
        fx_init(h, &f, OP_MMIO_WRITE, H_UNPROT_BASE + 0x100, 8);
        f.k.val = 0x4141414141414141ULL;
        uint64_t data = data_pa(h, &f, 0x2000);
        assert_int_equal(rmi(h, RMI_RTT_MAP_UNPROTECTED, f.r.rd, H_UNPROT_BASE, 3, data, 0, NULL), RMI_SUCCESS);
        fx_start(h, &f);
        enter_to_completion(h, &f, 0);
        assert_int_equal(f.k.res, CPU_GPF);
        assert_true(root_granule_is(h, data, 0));
}

static void rtt_map_unprotected_of_delegated_granule_load_gpfs_and_leaks_nothing(void **state)
{
        struct host *h = *state;
        struct acc_fx f;
        fx_init(h, &f, OP_LOAD, H_UNPROT_BASE, 16);
        uint64_t data = data_pa(h, &f, 0x1000);
        uint8_t secret[16];
        memset(secret, 0x99, sizeof(secret));
        assert_int_equal(hw_write(h->mem, HW_WORLD_ROOT, data, secret, sizeof(secret), NULL), HW_OK);
        assert_int_equal(rmi(h, RMI_RTT_MAP_UNPROTECTED, f.r.rd, H_UNPROT_BASE, 3, data, 0, NULL), RMI_SUCCESS);
        fx_start(h, &f);
        enter_to_completion(h, &f, 0);
        assert_int_equal(f.k.res, CPU_GPF);
        for (unsigned i = 0; i < 16; i++)
                assert_int_equal(f.k.buf[i], 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                T(realm_load_from_ram_data_succeeds),
                T(realm_access_to_empty_ripas_is_sea_without_exit),
                T(realm_access_outside_ipa_space_is_sea),
                T(realm_store_to_unassigned_ram_exits_then_completes_after_data_create_unknown),
                T(realm_access_to_unassigned_ram_with_inject_sea_is_sea),
                T(rmi_rec_enter_with_emul_mmio_after_protected_abort_fails_error_rec),
                T(realm_access_to_destroyed_ripas_exits_until_sea_injected),
                T(realm_mmio_read_of_unmapped_unprotected_ipa_exits_emulatable),
                T(realm_mmio_write_exit_carries_value_size_and_wnr),
                T(realm_mmio_without_emul_mmio_is_reexecuted_and_faults_again),
                T(realm_mmio_with_inject_sea_is_sea),
                T(rmi_rec_enter_malformed_during_pending_mmio_leaves_rec_usable),
                T(realm_mmio_rejects_bad_size_or_misaligned_access),
                T(realm_access_to_mapped_ns_granule_reaches_it),
                T(realm_access_after_host_unmap_faults_despite_cached_translation),
                T(rec_access_faults_after_gpt_change_of_cached_granule),
                T(rec_access_faults_after_root_changes_pas_of_cached_shared_granule),
                T(rec_access_to_protected_ipa_faults_after_root_moves_cached_granule_to_secure),
                T(rec_access_faults_after_root_changes_pas_of_prefetched_granule),
                T(rec_access_reads_prefetched_granule_with_its_verdict),
                T(rec_access_after_host_remaps_cached_ipa_reads_new_granule),
                T(rec_access_to_page_after_a_miss_still_runs_gpc),
                T(rec_access_to_unassigned_page_after_a_miss_exits_to_host),
                T(rtt_map_unprotected_of_delegated_granule_succeeds_but_realm_access_gpfs),
                T(rtt_map_unprotected_of_realm_data_gives_realm_gpf_and_data_intact),
                T(rtt_map_unprotected_of_delegated_granule_load_gpfs_and_leaks_nothing),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
