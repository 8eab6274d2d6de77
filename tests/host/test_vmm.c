/* The VMM's VMs (src/host/vmm.c, granules.c, realm_build.c): peers on one host share one
 * NS granule allocator, so no granule goes to two VMs; each Realm gets the VMID its
 * configuration names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "host/host.h"
#include "rmm/rmm.h"

#define MEM_BASE 0x80000000ULL

struct rig {
        struct hw_mem *mem;
        struct ccada_rmm *rmm;
};

static void rig_init(struct rig *r, uint64_t mem_size)
{
        struct rmm_config rc;
        assert_true(hw_mem_create(&r->mem, MEM_BASE, mem_size, NULL));
        rmm_config_default(&rc);
        assert_true(rmm_create(&r->rmm, r->mem, NULL, &rc));
}

static void rig_fini(struct rig *r)
{
        rmm_destroy(r->rmm);
        hw_mem_destroy(r->mem);
}

static void host_vm_peers_share_one_allocator_so_no_granule_is_handed_out_twice(void **state)
{
        enum { N = 64 };
        struct rig r;
        struct host_vm *a, *b;
        uint64_t got[N + 1];
        unsigned n = 0;
        (void)state;
        rig_init(&r, N * 4096);
        assert_int_equal(host_vm_create(&a, r.mem, r.rmm, NULL), CCADA_OK);
        assert_int_equal(host_vm_create_peer(&b, a), CCADA_OK);
        for (;;) {
                uint64_t pa = host_alloc_granule(n % 2 ? b : a);
                if (!pa)
                        break;
                assert_true(n < N);
                got[n++] = pa;
        }
        assert_int_equal(n, N);
        assert_int_equal(host_alloc_granule(a), 0);
        for (unsigned i = 0; i < n; i++)
                for (unsigned j = i + 1; j < n; j++)
                        assert_true(got[i] != got[j]);
        host_free_granule(a, got[10]); /* freed by one, the next to ask gets it */
        assert_int_equal(host_alloc_granule(b), got[10]);
        host_vm_destroy(a);
        host_vm_destroy(b);
        rig_fini(&r);
}

static void host_vm_peers_may_be_destroyed_in_any_order(void **state)
{
        struct rig r;
        struct host_vm *a, *b;
        (void)state;
        rig_init(&r, 16 * 4096);
        assert_int_equal(host_vm_create(&a, r.mem, r.rmm, NULL), CCADA_OK);
        assert_int_equal(host_vm_create_peer(&b, a), CCADA_OK);
        uint64_t first = host_alloc_granule(a);
        host_vm_destroy(a); /* the allocator lives on with b */
        uint64_t second = host_alloc_granule(b);
        assert_true(first && second && first != second);
        host_vm_destroy(b);
        host_vm_destroy(NULL);
        rig_fini(&r);
}

static void host_vm_create_peer_refuses_a_missing_peer(void **state)
{
        struct host_vm *b = NULL;
        (void)state;
        assert_int_equal(host_vm_create_peer(&b, NULL), CCADA_E_INVAL);
        assert_null(b);
}

/* A granule some other RMI caller delegated is not Non-secure: the allocator skips it. */
static void host_alloc_granule_skips_a_granule_that_is_not_non_secure(void **state)
{
        struct rig r;
        struct host_vm *a;
        (void)state;
        rig_init(&r, 16 * 4096);
        assert_int_equal(host_vm_create(&a, r.mem, r.rmm, NULL), CCADA_OK);
        assert_int_equal(host_rmi(a, RMI_GRANULE_DELEGATE, MEM_BASE, 0, 0, 0, 0, NULL), RMI_SUCCESS);
        assert_int_equal(host_alloc_granule(a), MEM_BASE + 4096);
        host_vm_destroy(a);
        rig_fini(&r);
}

static void small_realm(struct host_vm_config *cfg)
{
        host_vm_config_default(cfg);
        cfg->ram_size = 2ULL << 20;
}

static void host_vm_config_vmid_defaults_to_1_and_names_the_realm(void **state)
{
        struct rig r;
        struct host_vm *a, *b, *c;
        struct host_vm_config cfg;
        (void)state;
        rig_init(&r, 16ULL << 20);
        small_realm(&cfg);
        assert_int_equal(cfg.vmid, 1);
        assert_int_equal(host_vm_create(&a, r.mem, r.rmm, NULL), CCADA_OK);
        assert_int_equal(host_vm_create_realm(a, &cfg), CCADA_OK);
        assert_int_equal(host_vm_create_peer(&b, a), CCADA_OK);
        assert_int_equal(host_vm_create_realm(b, &cfg), CCADA_E_RMM); /* VMID 1 is taken */
        cfg.vmid = 2;
        assert_int_equal(host_vm_create_peer(&c, a), CCADA_OK);
        assert_int_equal(host_vm_create_realm(c, &cfg), CCADA_OK);
        for (uint64_t i = 0; i < cfg.ram_size; i += 4096)
                for (uint64_t j = 0; j < cfg.ram_size; j += 4096)
                        assert_true(host_vm_private_pa(a, cfg.ram_base + i) != host_vm_private_pa(c, cfg.ram_base + j));
        host_vm_destroy(b);
        host_vm_destroy(a);
        host_vm_destroy(c);
        rig_fini(&r);
}

static void host_vm_accessors_show_ram_shared_bit_and_aliases_once_built(void **state)
{
        struct rig r;
        struct host_vm *a;
        struct host_vm_config cfg;
        uint64_t base = 1, size = 1;
        (void)state;
        rig_init(&r, 16ULL << 20);
        small_realm(&cfg);
        assert_int_equal(host_vm_create(&a, r.mem, r.rmm, NULL), CCADA_OK);
        host_vm_ram(a, &base, &size);
        assert_true(base == 0 && size == 0);
        assert_int_equal(host_vm_shared_bit(a), 0);
        assert_int_equal(host_vm_shared_pa(a, cfg.ram_base), 0);
        assert_int_equal(host_vm_private_pa(a, cfg.ram_base), 0);
        assert_int_equal(host_vm_create_realm(a, &cfg), CCADA_OK);
        host_vm_ram(a, &base, &size);
        assert_int_equal(base, cfg.ram_base);
        assert_int_equal(size, cfg.ram_size);
        assert_int_equal(host_vm_shared_bit(a), 1ULL << (cfg.ipa_bits - 1));
        assert_true(host_vm_private_pa(a, cfg.ram_base) != 0);
        assert_int_equal(host_vm_shared_pa(a, cfg.ram_base | host_vm_shared_bit(a)), 0); /* nothing shared yet */
        assert_int_equal(host_vm_shared_pa(a, cfg.ram_base + cfg.ram_size), 0);
        host_vm_destroy(a);
        rig_fini(&r);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(host_vm_peers_share_one_allocator_so_no_granule_is_handed_out_twice),
                cmocka_unit_test(host_vm_peers_may_be_destroyed_in_any_order),
                cmocka_unit_test(host_vm_create_peer_refuses_a_missing_peer),
                cmocka_unit_test(host_alloc_granule_skips_a_granule_that_is_not_non_secure),
                cmocka_unit_test(host_vm_config_vmid_defaults_to_1_and_names_the_realm),
                cmocka_unit_test(host_vm_accessors_show_ram_shared_bit_and_aliases_once_built),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
