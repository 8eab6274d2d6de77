#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "machine/board.h"
#include "vm_kit.h"

struct ccada_machine *kit_board(uint64_t seed, bool check_invariants, FILE *trace_pipe)
{
        struct ccada_machine_config cfg;
        struct ccada_machine *m;
        ccada_machine_config_default(&cfg);
        cfg.seed = seed;
        cfg.mem_size = 16ULL << 20;
        cfg.realm_ram = 4ULL << 20;
        cfg.swiotlb_slabs = 256;
        cfg.disk_ram = true;
        cfg.disk_size = 1ULL << 20;
        cfg.check_invariants = check_invariants;
        cfg.trace_pipe = trace_pipe;
        cfg.trace_events = trace_pipe ? "all" : NULL;
        assert_int_equal(ccada_machine_create(&m, &cfg), CCADA_OK);
        assert_int_equal(machine_boot(m), CCADA_OK);
        return m;
}

bool kit_run_until(struct host_vm *vm, bool (*want)(struct host_vm *vm, const struct rmi_rec_exit *x, void *arg),
                   void *arg, struct rmi_rec_exit *x)
{
        bool stop = false;
        while (!stop) {
                assert_int_equal(host_vm_enter_once(vm, x), CCADA_OK);
                if (want(vm, x, arg))
                        return true;
                assert_int_equal(host_vm_handle_exit(vm, x, &stop), CCADA_OK);
        }
        return false;
}

uint64_t kit_exit_ipa(const struct rmi_rec_exit *x)
{
        return ((x->hpfar >> HPFAR_FIPA_SHIFT) << 12) | (x->far & 0xFFF);
}

bool kit_is_data_abort(const struct rmi_rec_exit *x, bool isv)
{
        return x->reason == RMI_EXIT_SYNC && (x->esr & ESR_EC_MASK) >> ESR_EC_SHIFT == ESR_EC_DABT_LOWER &&
               !!(x->esr & ESR_ISV) == isv;
}
