/* The seam of the host's REC loop (src/host/run.c): host_vm_enter_once and
 * host_vm_handle_exit are the loop of host_vm_run, and what a hostile host changes
 * between them (the next entry's flags) reaches the RMM and the real Realm guest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ccada/report.h"
#include "hw/hw.h"
#include "machine/board.h"
#include "proto/hostcall.h"
#include "realm/realm.h"
#include "rmm/rmm.h"
#include "vm_kit.h"

struct traced_run {
        char *trace;
        size_t len;
        struct host_vm_stats stats;
        char *report;   /* the Realm's report, as JSON */
        bool passed;
};

/* The report as JSON text (caller frees): two reports are the same when their texts are. */
static char *report_json(const struct ccada_report *r)
{
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        assert_non_null(f);
        assert_true(ccada_report_print_json(r, f));
        assert_int_equal(fclose(f), 0);
        return text;
}

static void run_traced(bool by_steps, struct traced_run *out)
{
        FILE *f = open_memstream(&out->trace, &out->len);
        assert_non_null(f);
        struct ccada_machine *m = kit_board(3, false, f);
        struct host_vm *vm = machine_vm(m, 0);
        if (by_steps) {
                bool stop = false;
                while (!stop) {
                        struct rmi_rec_exit x;
                        assert_int_equal(host_vm_enter_once(vm, &x), CCADA_OK);
                        assert_int_equal(host_vm_handle_exit(vm, &x, &stop), CCADA_OK);
                }
        } else {
                assert_int_equal(host_vm_run(vm), CCADA_OK);
        }
        host_vm_get_stats(vm, &out->stats);
        out->report = report_json(machine_realm_report(m, 0));
        out->passed = machine_realm_passed(m, 0);
        ccada_machine_destroy(m);
        assert_int_equal(fclose(f), 0);
}

static void host_vm_enter_once_and_handle_exit_reproduce_host_vm_run(void **state)
{
        struct traced_run whole, steps;
        (void)state;
        run_traced(false, &whole);
        run_traced(true, &steps);
        assert_true(whole.passed && steps.passed);
        assert_true(whole.len > 0);
        assert_int_equal(whole.len, steps.len);
        assert_memory_equal(whole.trace, steps.trace, whole.len);
        assert_memory_equal(&whole.stats, &steps.stats, sizeof(whole.stats));
        assert_string_equal(whole.report, steps.report);
        free(whole.trace);
        free(steps.trace);
        free(whole.report);
        free(steps.report);
}

/* An MMIO read of the PL011's identification registers. */
static bool is_uart_id_read(struct host_vm *vm, const struct rmi_rec_exit *x)
{
        uint64_t ipa = kit_exit_ipa(x) & ~host_vm_shared_bit(vm);
        return kit_is_data_abort(x, true) && !(x->esr & ESR_WNR) && ipa >= MACHINE_CONSOLE_BASE + 0xFE0 &&
               ipa < MACHINE_CONSOLE_BASE + 0x1000;
}

static void host_vm_set_entry_flags_inject_sea_on_an_mmio_exit_reaches_the_realm(void **state)
{
        struct ccada_machine *m = kit_board(1, true, NULL);
        struct host_vm *vm = machine_vm(m, 0);
        unsigned injected = 0;
        bool stop = false;
        (void)state;
        while (!stop) {
                struct rmi_rec_exit x;
                assert_int_equal(host_vm_enter_once(vm, &x), CCADA_OK);
                assert_int_equal(host_vm_handle_exit(vm, &x, &stop), CCADA_OK);
                if (!is_uart_id_read(vm, &x))
                        continue;
                assert_true(host_vm_entry_flags(vm) & RMI_REC_ENTRY_FLAG_EMUL_MMIO); /* the honest answer */
                host_vm_set_entry_flags(vm, RMI_REC_ENTRY_FLAG_TRAP_WFI | RMI_REC_ENTRY_FLAG_INJECT_SEA);
                injected++;
        }
        const struct ccada_report *rep = machine_realm_report(m, 0);
        struct ccada_report_value booted, blk, mmio;
        assert_true(injected > 0);
        assert_true(ccada_report_get(rep, "checks", "booted", &booted) && booted.b);
        assert_true(ccada_report_get(rep, "checks", "blk_verified", &blk) && blk.b);
        assert_true(ccada_report_get(rep, "checks", "mmio", &mmio));
        assert_false(mmio.b); /* the Realm could not identify its UART */
        assert_false(machine_realm_passed(m, 0));
        ccada_machine_destroy(m);
}

static bool is_protected_abort(struct host_vm *vm, const struct rmi_rec_exit *x, void *arg)
{
        uint64_t base, size, ipa = kit_exit_ipa(x);
        (void)arg;
        host_vm_ram(vm, &base, &size);
        return kit_is_data_abort(x, false) && !(ipa & host_vm_shared_bit(vm)) && ipa >= base && ipa < base + size;
}

static bool is_mmio(struct host_vm *vm, const struct rmi_rec_exit *x, void *arg)
{
        (void)vm, (void)arg;
        return kit_is_data_abort(x, true);
}

/* The hostile host destroys every RAM page; the Realm's next access is a stage-2 fault the
 * honest host answers with an SEA. Entered without it, the access faults again. */
static void host_vm_set_entry_flags_without_sea_makes_a_stage2_fault_come_back(void **state)
{
        struct ccada_machine *m = kit_board(1, false, NULL);
        struct host_vm *vm = machine_vm(m, 0);
        struct rmi_rec_exit x, again;
        uint64_t base, size;
        bool stop;
        (void)state;
        assert_true(kit_run_until(vm, is_mmio, NULL, &x)); /* booted: RAM is RIPAS RAM */
        host_vm_ram(vm, &base, &size);
        for (uint64_t ipa = base; ipa < base + size; ipa += 4096)
                assert_int_equal(host_rmi(vm, RMI_DATA_DESTROY, host_vm_rd(vm), ipa, 0, 0, 0, NULL), RMI_SUCCESS);
        assert_int_equal(host_vm_handle_exit(vm, &x, &stop), CCADA_OK);
        assert_true(kit_run_until(vm, is_protected_abort, NULL, &x));
        assert_int_equal(host_vm_handle_exit(vm, &x, &stop), CCADA_OK);
        assert_true(host_vm_entry_flags(vm) & RMI_REC_ENTRY_FLAG_INJECT_SEA);
        host_vm_set_entry_flags(vm, RMI_REC_ENTRY_FLAG_TRAP_WFI);
        assert_int_equal(host_vm_enter_once(vm, &again), CCADA_OK);
        assert_true(is_protected_abort(vm, &again, NULL));
        assert_int_equal(again.hpfar, x.hpfar);
        assert_int_equal(again.esr, x.esr);
        /* With the SEA, the Realm gets past the access (its workload fails; it powers off). */
        assert_int_equal(host_vm_handle_exit(vm, &again, &stop), CCADA_OK);
        assert_int_equal(host_vm_run(vm), CCADA_OK);
        assert_false(machine_realm_passed(m, 0));
        ccada_machine_destroy(m);
}

static void host_vm_enter_once_refused_by_the_rmm_keeps_the_pending_entry(void **state)
{
        struct ccada_machine *m = kit_board(1, false, NULL);
        struct host_vm *vm = machine_vm(m, 0);
        struct rmi_rec_exit x;
        (void)state;
        assert_int_equal(host_vm_entry_flags(vm), RMI_REC_ENTRY_FLAG_TRAP_WFI);
        host_vm_set_entry_flags(vm, RMI_REC_ENTRY_FLAG_EMUL_MMIO); /* nothing to emulate yet */
        memset(&x, 0xAA, sizeof(x));
        assert_int_equal(host_vm_enter_once(vm, &x), CCADA_E_RMM);
        assert_int_equal(x.reason, 0);
        assert_int_equal(host_vm_entry_flags(vm), RMI_REC_ENTRY_FLAG_EMUL_MMIO);
        host_vm_set_entry_flags(vm, RMI_REC_ENTRY_FLAG_TRAP_WFI);
        assert_int_equal(host_vm_run(vm), CCADA_OK);
        assert_true(machine_realm_passed(m, 0));
        ccada_machine_destroy(m);
}

static void host_vm_enter_once_consumes_the_entry_and_handle_exit_prepares_the_next(void **state)
{
        struct ccada_machine *m = kit_board(1, false, NULL);
        struct host_vm *vm = machine_vm(m, 0);
        struct rmi_rec_exit x;
        bool stop;
        (void)state;
        host_vm_set_entry_flags(vm, RMI_REC_ENTRY_FLAG_TRAP_WFI | RMI_REC_ENTRY_FLAG_TRAP_WFE);
        assert_int_equal(host_vm_enter_once(vm, &x), CCADA_OK);
        assert_int_equal(host_vm_entry_flags(vm), RMI_REC_ENTRY_FLAG_TRAP_WFI);
        host_vm_set_entry_flags(vm, RMI_REC_ENTRY_FLAG_TRAP_WFE);
        assert_int_equal(host_vm_handle_exit(vm, &x, &stop), CCADA_OK);
        assert_true(host_vm_entry_flags(vm) & RMI_REC_ENTRY_FLAG_TRAP_WFI);
        assert_false(host_vm_entry_flags(vm) & RMI_REC_ENTRY_FLAG_TRAP_WFE);
        ccada_machine_destroy(m);
}

/* The host writes its run page in place, as KVM does: entry.flags and the GPRs it answers
 * with, nothing else (DEN0137 1.0 B4.4); a first entry answers with none. */
static void host_vm_enter_once_writes_only_the_entry_fields_it_uses(void **state)
{
        struct ccada_machine *m = kit_board(1, false, NULL);
        struct host_vm *vm = machine_vm(m, 0);
        struct hw_mem *mem = machine_mem(m);
        uint64_t run = host_vm_run_pa(vm);
        uint8_t marker[8], back[8], flags[8];
        struct rmi_rec_exit x;
        (void)state;
        memset(marker, 0x5A, sizeof(marker));
        assert_int_equal(hw_write(mem, HW_WORLD_NS, run + RMI_REC_ENTRY_GPRS + 8 * 30, marker, 8, NULL), HW_OK);
        assert_int_equal(hw_write(mem, HW_WORLD_NS, run + 0x100, marker, 8, NULL), HW_OK); /* padding */
        assert_int_equal(host_vm_enter_once(vm, &x), CCADA_OK);
        assert_int_equal(hw_read(mem, HW_WORLD_NS, run + RMI_REC_ENTRY_GPRS + 8 * 30, back, 8, NULL), HW_OK);
        assert_memory_equal(back, marker, 8);
        assert_int_equal(hw_read(mem, HW_WORLD_NS, run + 0x100, back, 8, NULL), HW_OK);
        assert_memory_equal(back, marker, 8);
        assert_int_equal(hw_read(mem, HW_WORLD_NS, run + RMI_REC_ENTRY_FLAGS, flags, 8, NULL), HW_OK);
        assert_int_equal(flags[0], RMI_REC_ENTRY_FLAG_TRAP_WFI);
        ccada_machine_destroy(m);
}

static void host_vm_handle_exit_rejects_an_exit_reason_it_does_not_know(void **state)
{
        struct ccada_machine *m = kit_board(1, false, NULL);
        struct rmi_rec_exit x = { .reason = 0x7F };
        bool stop = true;
        (void)state;
        assert_int_equal(host_vm_handle_exit(machine_vm(m, 0), &x, &stop), CCADA_E_PEER);
        assert_false(stop);
        ccada_machine_destroy(m);
}

/* A RIPAS change the REC never asked for: the RMM refuses RTT_SET_RIPAS, the host says so. */
static void host_vm_handle_exit_of_a_made_up_ripas_change_fails_with_an_rmm_error(void **state)
{
        struct ccada_machine *m = kit_board(1, false, NULL);
        struct host_vm *vm = machine_vm(m, 0);
        uint64_t base, size;
        bool stop;
        (void)state;
        host_vm_ram(vm, &base, &size);
        struct rmi_rec_exit x = { .reason = RMI_EXIT_RIPAS_CHANGE, .ripas_base = base + size - 4096,
                                   .ripas_top = base + size, .ripas_value = RMI_EMPTY };
        assert_int_equal(host_vm_handle_exit(vm, &x, &stop), CCADA_E_RMM);
        x.ripas_base = ~0ULL << 12; /* wildly out of range */
        x.ripas_top = ~0ULL;
        assert_int_equal(host_vm_handle_exit(vm, &x, &stop), CCADA_E_RMM);
        ccada_machine_destroy(m);
}

static bool is_ripas_change_to_ram(struct host_vm *vm, const struct rmi_rec_exit *x, void *arg)
{
        (void)vm, (void)arg;
        return x->reason == RMI_EXIT_RIPAS_CHANGE && x->ripas_value == RMI_RAM;
}

/* The Realm's boot-time change of all RAM to RIPAS RAM asks not to revive DESTROYED pages
 * (RSI_NO_CHANGE_DESTROYED). Over a page a hostile host destroyed, RTT_SET_RIPAS progresses
 * up to it, then fails with no_progress (DEN0137 1.0 B4.3.21): the honest host takes that
 * as the end of what it can do, not as an RMM failure, and the Realm, seeing no progress,
 * does not boot. */
static void host_vm_handle_exit_of_ripas_change_to_destroyed_page_is_no_progress(void **state)
{
        struct ccada_machine *m = kit_board(1, true, NULL);
        struct host_vm *vm = machine_vm(m, 0);
        struct rmi_rec_exit x;
        uint64_t base, size;
        bool stop;
        (void)state;
        host_vm_ram(vm, &base, &size);
        assert_true(kit_run_until(vm, is_ripas_change_to_ram, NULL, &x));
        uint64_t victim = base + size / 2;
        assert_true(x.ripas_base < victim && victim < x.ripas_top);
        assert_int_equal(host_rmi(vm, RMI_DATA_DESTROY, host_vm_rd(vm), victim, 0, 0, 0, NULL), RMI_SUCCESS);
        assert_int_equal(host_vm_handle_exit(vm, &x, &stop), CCADA_OK);
        assert_int_equal(host_vm_enter_once(vm, &x), CCADA_OK);
        assert_int_equal(x.reason, RMI_EXIT_RIPAS_CHANGE); /* the Realm asks again from the page */
        assert_int_equal(x.ripas_base, victim);
        assert_int_equal(host_vm_handle_exit(vm, &x, &stop), CCADA_OK);
        assert_int_equal(host_vm_run(vm), CCADA_OK);
        assert_false(machine_realm_passed(m, 0));
        assert_int_equal(rmm_violations(machine_rmm(m), NULL), 0);
        ccada_machine_destroy(m);
}

static void host_vm_seam_needs_a_realm(void **state)
{
        struct ccada_machine_config cfg;
        struct ccada_machine *m;
        struct rmi_rec_exit x;
        bool stop;
        (void)state;
        ccada_machine_config_default(&cfg);
        cfg.mem_size = 16ULL << 20;
        cfg.realm_ram = 4ULL << 20;
        cfg.disk_ram = true;
        cfg.disk_size = 1ULL << 20;
        assert_int_equal(ccada_machine_create(&m, &cfg), CCADA_OK);
        memset(&x, 0xAA, sizeof(x));
        assert_int_equal(host_vm_enter_once(machine_vm(m, 0), &x), CCADA_E_STATE); /* not built */
        assert_int_equal(x.reason, 0);
        assert_int_equal(host_vm_handle_exit(machine_vm(m, 0), &x, &stop), CCADA_E_STATE);
        ccada_machine_destroy(m);
        cfg.normal_vm = true;
        assert_int_equal(ccada_machine_create(&m, &cfg), CCADA_OK);
        assert_int_equal(machine_boot(m), CCADA_OK);
        assert_int_equal(host_vm_enter_once(machine_vm(m, 0), &x), CCADA_E_STATE); /* no REC */
        assert_int_equal(host_vm_handle_exit(machine_vm(m, 0), &x, &stop), CCADA_E_STATE);
        ccada_machine_destroy(m);
}

/* Issue 8, point 9: show the lesson. The host's peek (HOSTCALL_DEMO_PEEK, src/host/run.c). */

static const char *view_text(const struct ccada_report *rep, const char *key)
{
        struct ccada_report_value v;
        assert_true(ccada_report_get(rep, "host_view", key, &v));
        return v.text;
}

static bool check_of(const struct ccada_report *rep, const char *name)
{
        struct ccada_report_value v;
        assert_true(ccada_report_get(rep, "checks", name, &v));
        return v.b;
}

/* In a Realm the host reads the bounce slot of a buffer the demo mapped for a device: its
 * bytes are the Realm's own payload, which left Realm protection; the private page faults. */
static void host_peek_of_a_bounce_slot_shows_the_realms_own_payload(void **state)
{
        struct ccada_machine *m = kit_board(1, false, NULL);
        struct host_vm *vm = machine_vm(m, 0);
        struct host_vm_stats hs;
        (void)state;
        assert_int_equal(host_vm_run(vm), CCADA_OK);
        const struct ccada_report *rep = machine_realm_report(m, 0);
        assert_string_equal(view_text(rep, "bounce_slot_text"), "realm payload for a device: bounced out via SWIOTLB");
        assert_string_equal(view_text(rep, "shared_page_text"), "hello from the realm (shared page)");
        assert_true(check_of(rep, "host_saw_bounced_payload"));
        host_vm_get_stats(vm, &hs);
        assert_int_equal(hs.peek_shared_ok, 2);
        assert_int_equal(hs.peek_private_read_gpf, 2);
        assert_int_equal(hs.peek_private_write_gpf, 2);
        assert_int_equal(hs.peek_private_read_ok + hs.peek_private_write_ok, 0);
        assert_true(machine_realm_passed(m, 0));
        ccada_machine_destroy(m);
}

/* The demo's second peek (the first is at its shared page): the one at the bounce slot. */
static bool is_bounce_peek(struct host_vm *vm, const struct rmi_rec_exit *x, void *arg)
{
        unsigned *peeks = arg;
        (void)vm;
        return x->reason == RMI_EXIT_HOST_CALL && x->imm == HOSTCALL_DEMO_PEEK && ++*peeks == 2;
}

/* The Realm compares what the host says it saw with its payload: a host that changed the
 * slot before it peeked shows other bytes, and the check fails. */
static void host_peek_of_a_slot_the_host_changed_fails_the_payload_check(void **state)
{
        struct ccada_machine *m = kit_board(1, false, NULL);
        struct host_vm *vm = machine_vm(m, 0);
        struct rmi_rec_exit x;
        unsigned peeks = 0;
        bool stop;
        (void)state;
        assert_true(kit_run_until(vm, is_bounce_peek, &peeks, &x));
        uint64_t pa = host_vm_shared_pa(vm, x.gprs[0]);
        assert_int_equal(hw_write(machine_mem(m), HW_WORLD_NS, pa, "tampered", 8, NULL), HW_OK);
        assert_int_equal(host_vm_handle_exit(vm, &x, &stop), CCADA_OK);
        assert_int_equal(host_vm_run(vm), CCADA_OK);
        const struct ccada_report *rep = machine_realm_report(m, 0);
        assert_false(check_of(rep, "host_saw_bounced_payload"));
        assert_true(check_of(rep, "host_read_bounce_slot"));
        assert_memory_equal(view_text(rep, "bounce_slot_text"), "tampered", 8);
        assert_false(machine_realm_passed(m, 0));
        ccada_machine_destroy(m);
}

/* A made-up peek: the host tries only a page that is the Realm's (not an alias, in RAM) and
 * reads nothing for length 0; a huge length is cut to HOSTCALL_PEEK_MAX (ASan sees any
 * overrun of the host's buffer). */
static void host_peek_tries_only_private_pages_and_reads_nothing_for_length_zero(void **state)
{
        struct ccada_machine *m = kit_board(1, false, NULL);
        struct host_vm *vm = machine_vm(m, 0);
        struct host_vm_stats hs;
        uint64_t base, size;
        bool stop;
        (void)state;
        host_vm_ram(vm, &base, &size);
        struct rmi_rec_exit x = { .reason = RMI_EXIT_HOST_CALL, .imm = HOSTCALL_DEMO_PEEK };
        x.gprs[1] = base, x.gprs[2] = 1u << 20; /* the image page: the Realm's; a huge length */
        assert_int_equal(host_vm_handle_exit(vm, &x, &stop), CCADA_OK);
        x.gprs[1] = base | host_vm_shared_bit(vm); /* an alias: not a private page */
        assert_int_equal(host_vm_handle_exit(vm, &x, &stop), CCADA_OK);
        x.gprs[1] = base + size; /* beyond RAM */
        assert_int_equal(host_vm_handle_exit(vm, &x, &stop), CCADA_OK);
        x.gprs[1] = base, x.gprs[2] = 0; /* length 0 */
        assert_int_equal(host_vm_handle_exit(vm, &x, &stop), CCADA_OK);
        host_vm_get_stats(vm, &hs);
        assert_int_equal(hs.peek_private_read_gpf, 1);
        assert_int_equal(hs.peek_private_write_gpf, 1);
        assert_int_equal(hs.peek_shared_ok, 0);
        ccada_machine_destroy(m);
}

/* In a normal VM nothing stops the host: it reads the guest's private page (the secret, in
 * clear) and writes it (the guest finds its data changed). The call is a hypercall. */
static void host_peek_in_a_normal_vm_reads_and_writes_the_guests_private_page(void **state)
{
        struct ccada_machine_config cfg;
        struct ccada_machine *m;
        struct host_vm_stats hs;
        (void)state;
        ccada_machine_config_default(&cfg);
        cfg.mem_size = 16ULL << 20;
        cfg.realm_ram = 4ULL << 20;
        cfg.disk_ram = true;
        cfg.disk_size = 1ULL << 20;
        cfg.normal_vm = true;
        assert_int_equal(ccada_machine_create(&m, &cfg), CCADA_OK);
        assert_int_equal(ccada_machine_run(m), CCADA_OK);
        const struct ccada_report *rep = machine_realm_report(m, 0);
        assert_string_equal(view_text(rep, "private_page_text"), "realm private data: the host must never read this");
        assert_true(check_of(rep, "host_read_guest_private"));
        assert_true(check_of(rep, "host_wrote_guest_private"));
        host_vm_get_stats(machine_vm(m, 0), &hs);
        assert_int_equal(hs.peek_private_read_ok, 1);
        assert_int_equal(hs.peek_private_write_ok, 1);
        assert_int_equal(hs.peek_private_read_gpf + hs.peek_private_write_gpf, 0);
        assert_int_equal(hs.exits[RMI_EXIT_HOST_CALL], 1);
        assert_true(machine_realm_passed(m, 0));
        ccada_machine_destroy(m);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(host_vm_enter_once_and_handle_exit_reproduce_host_vm_run),
                cmocka_unit_test(host_vm_set_entry_flags_inject_sea_on_an_mmio_exit_reaches_the_realm),
                cmocka_unit_test(host_vm_set_entry_flags_without_sea_makes_a_stage2_fault_come_back),
                cmocka_unit_test(host_vm_enter_once_refused_by_the_rmm_keeps_the_pending_entry),
                cmocka_unit_test(host_vm_enter_once_consumes_the_entry_and_handle_exit_prepares_the_next),
                cmocka_unit_test(host_vm_enter_once_writes_only_the_entry_fields_it_uses),
                cmocka_unit_test(host_vm_handle_exit_rejects_an_exit_reason_it_does_not_know),
                cmocka_unit_test(host_vm_handle_exit_of_a_made_up_ripas_change_fails_with_an_rmm_error),
                cmocka_unit_test(host_vm_handle_exit_of_ripas_change_to_destroyed_page_is_no_progress),
                cmocka_unit_test(host_vm_seam_needs_a_realm),
                cmocka_unit_test(host_peek_of_a_bounce_slot_shows_the_realms_own_payload),
                cmocka_unit_test(host_peek_of_a_slot_the_host_changed_fails_the_payload_check),
                cmocka_unit_test(host_peek_tries_only_private_pages_and_reads_nothing_for_length_zero),
                cmocka_unit_test(host_peek_in_a_normal_vm_reads_and_writes_the_guests_private_page),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
