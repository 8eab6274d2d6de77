/* A translation is valid only until the REC's next exit (DESIGN.md §3). A Realm copy whose
 * destination faults exits to the host; while the REC is out the host destroys or unmaps the
 * source and gives its granule to someone else. On re-entry the copy must translate and
 * check the source again, never move bytes from the PA it had before the exit.
 *
 * What the spec says happens then: the source IPA is now RIPAS DESTROYED, and a Realm
 * access to a DESTROYED IPA causes a REC exit due to data abort that the host cannot
 * resolve: RMI_DATA_CREATE(_UNKNOWN) refuses a DESTROYED IPA, only the Realm can change
 * that RIPAS (DEN0137 1.0 A5.2.2, A5.4; TF-RMM injects an SEA only for RIPAS EMPTY and
 * reports every other protected-IPA abort to the host). The host may then inject an SEA.
 * A granule mapped at an unprotected IPA that is no longer Non-secure gives a granule
 * protection fault (A5.2.6). In every variant no byte of the host or of another Realm
 * reaches the Realm. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "rmm_harness.h"

#define T(fn) cmocka_unit_test_setup_teardown(fn, host_setup, host_teardown)

#define SRC      0x0ULL         /* protected DATA holding the Realm's secret */
#define DST      0x5000ULL      /* protected, RIPAS RAM, unassigned: the copy's store faults */
#define LEN      16
#define SECRET_A 0xA5
#define HOST_B   0xEE           /* what the host writes into the freed granule */
#define SECRET_B 0xB7           /* realm B's secret */

/* Realm A: copy LEN bytes src -> DST, then load DST back. */
struct realm_kernel {
        uint64_t src;
        enum cpu_result copy_res, load_res;
        uint8_t got[LEN];
        bool finished;
};

static void prog(struct realm_kernel *k, struct ccada_cpu *cpu, uint64_t pc, const uint64_t *x)
{
        k->copy_res = cpu_copy(cpu, DST, k->src, LEN);
        k->load_res = cpu_load(cpu, DST, k->got, LEN);
        k->finished = true;
}

struct fx {
        struct hrealm a, b;
        uint64_t rec, run;
        struct realm_kernel k;
};

static uint64_t data_pa(struct host *h, const struct hrealm *r, uint64_t ipa)
{
        struct smc_regs out;
        assert_int_equal(rmi(h, RMI_RTT_READ_ENTRY, r->rd, ipa, 3, 0, 0, &out), RMI_SUCCESS);
        assert_int_equal(out.x[2], RMI_ASSIGNED);
        return out.x[3] & 0x0000FFFFFFFFF000ULL;
}

/* Realm A active with its REC; realm B NEW with tables and RIPAS RAM, able to take DATA. */
static void fx_init(struct host *h, struct fx *f, uint64_t src)
{
        memset(f, 0, sizeof(*f));
        host_realm_setup_fill(h, &f->a, &f->rec, SECRET_A);
        host_rtts_l3(h, &f->a, H_UNPROT_BASE);
        host_realm_new(h, &f->b);
        host_rtts_l3(h, &f->b, 0);
        host_init_ripas(h, &f->b, 0, H_RAM_TOP);
        f->run = host_run_alloc(h);
        f->k.src = src;
        host_activate(h, &f->a);
        host_set_program(h, prog, &f->k);
}

static uint64_t enter(struct host *h, struct fx *f, uint64_t flags)
{
        run_set_flags(h, f->run, flags);
        assert_int_equal(host_rec_enter(h, f->rec, f->run), RMI_SUCCESS);
        return run_exit_reason(h, f->run);
}

static void expect_abort_at(struct host *h, struct fx *f, uint64_t ipa)
{
        assert_int_equal(enter(h, f, 0), RMI_EXIT_SYNC);
        assert_int_equal(run_exit_u64(h, f->run, RMI_REC_EXIT_HPFAR), (ipa >> GRANULE_SHIFT) << HPFAR_FIPA_SHIFT);
        assert_false(f->k.finished);
}

/* The copy's store faults at DST: the REC is out at the host. */
static void run_until_destination_fault(struct host *h, struct fx *f)
{
        expect_abort_at(h, f, DST);
}

/* The host maps DST as the copy needed, and re-enters. */
static void host_maps_destination(struct host *h, struct fx *f)
{
        assert_int_equal(rmi(h, RMI_DATA_CREATE_UNKNOWN, f->a.rd, host_delegated(h), DST, 0, 0, NULL), RMI_SUCCESS);
}

/* Realm B takes granule pa as DATA at IPA 0 with its secret. */
static void realm_b_takes(struct host *h, struct fx *f, uint64_t pa)
{
        uint64_t src = host_alloc(h);
        host_fill_ns(h, src, SECRET_B);
        assert_int_equal(rmi(h, RMI_DATA_CREATE, f->b.rd, pa, 0, src, RMI_NO_MEASURE_CONTENT, NULL), RMI_SUCCESS);
}

/* After the copy could not complete: DST holds nothing of anyone else. */
static void expect_no_foreign_byte(const struct fx *f)
{
        assert_true(f->k.finished);
        assert_int_equal(f->k.load_res, CPU_OK);
        for (unsigned i = 0; i < LEN; i++)
                assert_int_equal(f->k.got[i], 0); /* DATA_CREATE_UNKNOWN: zero */
}

/* The DESTROYED source: an exit that never makes progress, however often the host enters;
 * only an injected SEA ends the copy. */
static void expect_destroyed_source_never_completes(struct host *h, struct fx *f)
{
        for (int i = 0; i < 3; i++)
                expect_abort_at(h, f, SRC);
        assert_int_equal(enter(h, f, RMI_REC_ENTRY_FLAG_INJECT_SEA), RMI_EXIT_PSCI);
        assert_int_equal(f->k.copy_res, CPU_SEA);
        expect_no_foreign_byte(f);
}

static void realm_copy_source_destroyed_and_undelegated_during_exit_never_reads_host_bytes(void **state)
{
        struct host *h = *state;
        struct fx f;
        fx_init(h, &f, SRC);
        run_until_destination_fault(h, &f);
        struct smc_regs out;
        assert_int_equal(rmi(h, RMI_DATA_DESTROY, f.a.rd, SRC, 0, 0, 0, &out), RMI_SUCCESS);
        uint64_t freed = out.x[1];
        assert_int_equal(rmi(h, RMI_GRANULE_UNDELEGATE, freed, 0, 0, 0, 0, NULL), RMI_SUCCESS);
        host_fill_ns(h, freed, HOST_B);
        host_maps_destination(h, &f);
        expect_destroyed_source_never_completes(h, &f);
}

static void realm_copy_source_destroyed_and_given_to_another_realm_never_reads_its_data(void **state)
{
        struct host *h = *state;
        struct fx f;
        fx_init(h, &f, SRC);
        run_until_destination_fault(h, &f);
        struct smc_regs out;
        assert_int_equal(rmi(h, RMI_DATA_DESTROY, f.a.rd, SRC, 0, 0, 0, &out), RMI_SUCCESS);
        realm_b_takes(h, &f, out.x[1]);
        host_maps_destination(h, &f);
        expect_destroyed_source_never_completes(h, &f);
}

/* Realm A copies from a shared page (an NS granule mapped at the first unprotected IPA);
 * the copy's store faults and the REC is out at the host. Returns the shared granule. */
static uint64_t run_shared_copy_until_destination_fault(struct host *h, struct fx *f)
{
        uint64_t shared = host_alloc(h);
        host_fill_ns(h, shared, 0x5A);
        fx_init(h, f, H_UNPROT_BASE);
        assert_int_equal(rmi(h, RMI_RTT_MAP_UNPROTECTED, f->a.rd, H_UNPROT_BASE, 3, shared, 0, NULL), RMI_SUCCESS);
        run_until_destination_fault(h, f);
        return shared;
}

/* Realm B took the shared granule; the host maps the destination and re-enters: the
 * re-checked source is no longer Non-secure, so the copy is a GPF and nothing of B moves. */
static void expect_gpf_after_redelegation(struct host *h, struct fx *f, uint64_t shared)
{
        realm_b_takes(h, f, shared);
        host_maps_destination(h, f);
        assert_int_equal(enter(h, f, 0), RMI_EXIT_PSCI);
        assert_int_equal(f->k.copy_res, CPU_GPF);
        expect_no_foreign_byte(f);
}

/* The host unmaps the shared source, delegates its NS granule to realm B as DATA and maps
 * the same PA again at the same unprotected IPA. */
static void realm_copy_shared_source_redelegated_during_exit_is_gpf(void **state)
{
        struct host *h = *state;
        struct fx f;
        uint64_t shared = run_shared_copy_until_destination_fault(h, &f);
        assert_int_equal(rmi(h, RMI_RTT_UNMAP_UNPROTECTED, f.a.rd, H_UNPROT_BASE, 3, 0, 0, NULL), RMI_SUCCESS);
        assert_int_equal(rmi(h, RMI_GRANULE_DELEGATE, shared, 0, 0, 0, 0, NULL), RMI_SUCCESS);
        assert_int_equal(rmi(h, RMI_RTT_MAP_UNPROTECTED, f.a.rd, H_UNPROT_BASE, 3, shared, 0, NULL), RMI_SUCCESS);
        expect_gpf_after_redelegation(h, &f, shared);
}

/* The same, but the host leaves the mapping in place and only changes the granule's PAS
 * (a GPT change needs no TLB invalidation: the PAS is checked on every access). */
static void realm_copy_shared_source_delegated_while_mapped_is_gpf(void **state)
{
        struct host *h = *state;
        struct fx f;
        uint64_t shared = run_shared_copy_until_destination_fault(h, &f);
        assert_int_equal(rmi(h, RMI_GRANULE_DELEGATE, shared, 0, 0, 0, 0, NULL), RMI_SUCCESS);
        expect_gpf_after_redelegation(h, &f, shared);
}

/* The honest case still works: the host only maps the destination, and the copy completes
 * with the Realm's own bytes. */
static void realm_copy_completes_after_destination_fault_when_source_untouched(void **state)
{
        struct host *h = *state;
        struct fx f;
        fx_init(h, &f, SRC);
        run_until_destination_fault(h, &f);
        host_maps_destination(h, &f);
        assert_int_equal(enter(h, &f, 0), RMI_EXIT_PSCI);
        assert_int_equal(f.k.copy_res, CPU_OK);
        for (unsigned i = 0; i < LEN; i++)
                assert_int_equal(f.k.got[i], SECRET_A);
}

/* The copy faulted at DST and the host mapped it: the next entry completes it. The tests of
 * the checks tamper with the machine here, as a bug would. Returns the source's PA. */
static uint64_t run_until_copy_can_complete(struct host *h, struct fx *f)
{
        fx_init(h, f, SRC);
        uint64_t src_pa = data_pa(h, &f->a, SRC);
        run_until_destination_fault(h, f);
        host_maps_destination(h, f);
        h->expect_violations = true;
        return src_pa;
}

/* The isolation check itself: a REC that reaches a granule of another Realm is reported,
 * with the access. (The RMM never lets this happen; the test breaks the machine's
 * ownership record on purpose, as a bug in the RMM would.) */
static void isolation_check_reports_rec_access_to_granule_of_another_realm(void **state)
{
        struct host *h = *state;
        struct fx f;
        hw_owner_set(h->mem, run_until_copy_can_complete(h, &f), 0xBEEF);
        assert_int_equal(enter(h, &f, 0), RMI_EXIT_PSCI);
        const char *first;
        assert_true(rmm_violations(h->rmm, &first) >= 1);
        assert_non_null(strstr(first, "isolation: REC"));
        assert_non_null(strstr(first, "reads 16 bytes at IPA 0x0"));
        assert_non_null(strstr(first, "owned by tag 48879"));
}

/* The memory oracle: a Realm load must return what the Realm stored. Bytes changed behind
 * its back (here by the Root world, as a bug that maps the wrong granule would) are reported
 * at the load that sees them. */
static void memory_oracle_reports_load_of_bytes_the_realm_never_stored(void **state)
{
        struct host *h = *state;
        struct fx f;
        uint64_t src_pa = run_until_copy_can_complete(h, &f);
        uint8_t junk = 0x77;
        assert_int_equal(hw_write(h->mem, HW_WORLD_ROOT, src_pa + 3, &junk, 1, NULL), HW_OK);
        assert_int_equal(enter(h, &f, 0), RMI_EXIT_PSCI);
        const char *first;
        assert_true(rmm_violations(h->rmm, &first) >= 1);
        assert_string_equal(first, "memory: the Realm with VMID 1 loaded 0x77 at IPA 0x3, but stored 0xa5 there");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                T(realm_copy_source_destroyed_and_undelegated_during_exit_never_reads_host_bytes),
                T(realm_copy_source_destroyed_and_given_to_another_realm_never_reads_its_data),
                T(realm_copy_shared_source_redelegated_during_exit_is_gpf),
                T(realm_copy_shared_source_delegated_while_mapped_is_gpf),
                T(realm_copy_completes_after_destination_fault_when_source_untouched),
                T(isolation_check_reports_rec_access_to_granule_of_another_realm),
                T(memory_oracle_reports_load_of_bytes_the_realm_never_stored),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
