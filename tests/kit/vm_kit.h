/* Test kit for the host VMM's seam (src/host/host.h): a small board whose Realm runs the
 * real guest kernel and the demo, booted and ready to step with host_vm_enter_once /
 * host_vm_handle_exit, and helpers that step it as the honest host does. Every helper
 * asserts success (cmocka). */
#ifndef CCADA_TESTS_HOST_VM_KIT_H
#define CCADA_TESTS_HOST_VM_KIT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ccada/machine.h"
#include "host/host.h"

/* A small one-Realm board (16 MiB of memory, 4 MiB Realm, RAM disk), created and booted.
 * trace_pipe (may be NULL) receives every trace event. */
struct ccada_machine *kit_board(uint64_t seed, bool check_invariants, FILE *trace_pipe);

/* Steps vm as the honest host until an exit for which want(x, arg) is true: returns true
 * with *x entered but not yet handled. False if the Realm powered off first. */
bool kit_run_until(struct host_vm *vm, bool (*want)(struct host_vm *vm, const struct rmi_rec_exit *x, void *arg),
                   void *arg, struct rmi_rec_exit *x);

/* The IPA of a data abort exit (HPFAR page, FAR offset). */
uint64_t kit_exit_ipa(const struct rmi_rec_exit *x);
/* A data abort exit (SYNC, EC = data abort from a lower EL); emulatable when isv. */
bool kit_is_data_abort(const struct rmi_rec_exit *x, bool isv);

#endif
