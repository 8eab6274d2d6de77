/* The board's insides, for tests and fuzzers that drive a machine step by step; the public
 * API (include/ccada/machine.h) runs it whole.
 *
 * A board holds one Realm (slot 0, "A") or two (slot 1, "B"; ccada_machine_config.realms).
 * Each slot has its own host VM (B's made with host_vm_create_peer: one host, one NS
 * granule allocator), Realm kernel, PL011 console and PCI bus with a virtio-blk disk. Both
 * Realms share the physical memory, the RMM and the trace.
 *
 * Stepping by hand: ccada_machine_create, machine_boot, then for each VM
 * host_vm_enter_once / host_vm_handle_exit (src/host/host.h) with any RMI calls between
 * them (host_rmi), then machine_realm_passed / ccada_machine_report.
 */
#ifndef CCADA_MACHINE_BOARD_H
#define CCADA_MACHINE_BOARD_H

#include <stdbool.h>

#include "ccada/machine.h"
#include "ccada/status.h"
#include "realm/kernel.h"

struct ccada_rmm;
struct host_vm;
struct hw_mem;
struct ccada_report;

#define MACHINE_MAX_REALMS 2
/* Where every Realm's PL011 console sits (IPA, shared bit clear). */
#define MACHINE_CONSOLE_BASE 0x09000000ULL
/* Where a Realm's RAM starts in its IPA space (as on Arm's virt machine). It equals the
 * default physical base of the board's memory, but they are different things: the host
 * backs each RAM page with any granule. */
#define MACHINE_REALM_RAM_IPA 0x80000000ULL

struct hw_mem *machine_mem(struct ccada_machine *m);
struct ccada_rmm *machine_rmm(struct ccada_machine *m);
struct host_vm *machine_vm(struct ccada_machine *m, unsigned i);   /* 0: A; 1: B when realms == 2; else NULL */
/* Builds every VM ready to enter (what ccada_machine_run does before its loop). Once only.
 * Errors: CCADA_E_STATE (called before), CCADA_E_INVAL (the boot image does not fit),
 * and those of host_vm_create_realm / host_vm_create_normal. */
CCADA_MUST_CHECK ccada_status machine_boot(struct ccada_machine *m);
/* A workload: the Realm app its kernel runs as init (workloads.c). */
struct machine_workload {
        const char *name, *summary;
        realm_init_fn init;
};
/* The workload called name (NULL: the default); NULL when there is none. */
const struct machine_workload *machine_workload_find(const char *name);

/* True when the Realm in slot i passed its workload (its demo checks), after it powered off. */
bool machine_realm_passed(const struct ccada_machine *m, unsigned i);
/* What the Realm in slot i reported (RIM, REM, checks); NULL when there is no slot i. */
const struct ccada_report *machine_realm_report(const struct ccada_machine *m, unsigned i);

#endif
