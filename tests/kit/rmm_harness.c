/* Test harness for src/rmm (see rmm_harness.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "rmm_harness.h"

void host_init_cfg(struct host *h, const struct rmm_config *cfg)
{
        struct rmm_config c;
        if (cfg)
                c = *cfg;
        else
                rmm_config_default(&c);
        c.check_invariants = true; /* every RMI and RSI call of every RMM test is checked */
        memset(h, 0, sizeof(*h));
        assert_true(hw_mem_create(&h->mem, H_MEM_BASE, H_MEM_SIZE, NULL));
        assert_true(rmm_create(&h->rmm, h->mem, NULL, &c));
        h->next = H_MEM_BASE;
        h->next_vmid = 1;
}

void host_init(struct host *h)
{
        host_init_cfg(h, NULL);
}

void host_init_da(struct host *h)
{
        struct rmm_config c;
        rmm_config_default(&c);
        c.da = true;
        host_init_cfg(h, &c);
}

void assert_no_violations(struct host *h)
{
        const char *first;
        if (!h->expect_violations && rmm_violations(h->rmm, &first) != 0)
                fail_msg("RMM violation: %s", first);
}

void host_fini(struct host *h)
{
        assert_no_violations(h);
        rmm_destroy(h->rmm);
        hw_mem_destroy(h->mem);
}

int host_setup(void **state)
{
        struct host *h = calloc(1, sizeof(*h));
        if (!h)
                return -1;
        host_init(h);
        *state = h;
        return 0;
}

int host_teardown(void **state)
{
        struct host *h = *state;
        host_fini(h);
        free(h);
        return 0;
}

void host_set_program(struct host *h, void (*entry)(struct realm_kernel *, struct ccada_cpu *,
                                                      uint64_t, const uint64_t *),
                      struct realm_kernel *k)
{
        struct ccada_realm_program prog = { .entry = entry, .kernel = k };
        rmm_set_realm_program(h->rmm, &prog);
}

/* ---- granules ---- */

uint64_t host_alloc_n(struct host *h, unsigned n)
{
        uint64_t pa = h->next;
        assert_true(pa + n * GRANULE_SIZE <= H_MEM_END);
        h->next += n * GRANULE_SIZE;
        return pa;
}

uint64_t host_alloc(struct host *h)
{
        return host_alloc_n(h, 1);
}

uint64_t host_delegated_n(struct host *h, unsigned n)
{
        uint64_t pa = host_alloc_n(h, n);
        for (unsigned i = 0; i < n; i++)
                assert_int_equal(rmi(h, RMI_GRANULE_DELEGATE, pa + i * GRANULE_SIZE, 0, 0, 0, 0, NULL),
                                 RMI_SUCCESS);
        return pa;
}

uint64_t host_delegated(struct host *h)
{
        return host_delegated_n(h, 1);
}

void host_fill_ns(struct host *h, uint64_t pa, uint8_t byte)
{
        assert_int_equal(hw_fill(h->mem, HW_WORLD_NS, pa, byte, GRANULE_SIZE, NULL), HW_OK);
}

bool root_granule_is(struct host *h, uint64_t pa, uint8_t byte)
{
        uint8_t buf[GRANULE_SIZE];
        assert_int_equal(hw_read(h->mem, HW_WORLD_ROOT, pa, buf, sizeof(buf), NULL), HW_OK);
        for (size_t i = 0; i < sizeof(buf); i++)
                if (buf[i] != byte)
                        return false;
        return true;
}

enum hw_pas host_pas(struct host *h, uint64_t pa)
{
        enum hw_pas pas;
        assert_true(hw_gpt_get(h->mem, pa, &pas));
        return pas;
}

void assert_undelegate_ok(struct host *h, uint64_t pa)
{
        assert_int_equal(rmi(h, RMI_GRANULE_UNDELEGATE, pa, 0, 0, 0, 0, NULL), RMI_SUCCESS);
        assert_int_equal(host_pas(h, pa), HW_PAS_NS);
}

void assert_undelegate_fails(struct host *h, uint64_t pa)
{
        assert_int_equal(rmi(h, RMI_GRANULE_UNDELEGATE, pa, 0, 0, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(host_pas(h, pa), HW_PAS_REALM);
}

/* ---- RMI ---- */

uint64_t rmi(struct host *h, uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
             uint64_t a5, struct smc_regs *out)
{
        struct smc_regs r = { .x = { fid, a1, a2, a3, a4, a5 } };
        rmi_smc(h->rmm, &r);
        assert_no_violations(h);
        if (out)
                *out = r;
        return r.x[0];
}

/* ---- Realms ---- */

void hrealm_params_default(struct host *h, struct rmi_realm_params *p)
{
        memset(p, 0, sizeof(*p));
        p->s2sz = H_S2SZ;
        p->num_bps = 1; /* two breakpoints and two watchpoints: counts minus one (B4.4.12) */
        p->num_wps = 1;
        p->hash_algo = RMI_HASH_SHA_256;
        p->vmid = h->next_vmid++;
        p->rtt_level_start = 1;
        p->rtt_num_start = 2;
        for (unsigned i = 0; i < sizeof(p->rpv); i++)
                p->rpv[i] = (uint8_t)(0xA0 + i);
}

uint64_t host_write_realm_params(struct host *h, const struct rmi_realm_params *p)
{
        uint8_t page[RMI_REALM_PARAMS_SIZE];
        rmi_realm_params_encode(p, page);
        uint64_t pa = host_alloc(h);
        assert_int_equal(hw_write(h->mem, HW_WORLD_NS, pa, page, sizeof(page), NULL), HW_OK);
        return pa;
}

void host_realm_new_hash(struct host *h, struct hrealm *r, unsigned hash_algo)
{
        struct rmi_realm_params p;
        hrealm_params_default(h, &p);
        p.hash_algo = hash_algo;
        r->rd = host_delegated(h);
        r->rtt_base = host_delegated_n(h, 2);
        r->num_start = 2;
        r->vmid = p.vmid;
        r->hash_algo = hash_algo;
        p.rtt_base = r->rtt_base;
        uint64_t params = host_write_realm_params(h, &p);
        assert_int_equal(rmi(h, RMI_REALM_CREATE, r->rd, params, 0, 0, 0, NULL), RMI_SUCCESS);
}

void host_realm_new(struct host *h, struct hrealm *r)
{
        host_realm_new_hash(h, r, RMI_HASH_SHA_256);
}

uint64_t host_rtt_create(struct host *h, const struct hrealm *r, uint64_t ipa, int level)
{
        uint64_t rtt = host_delegated(h);
        assert_int_equal(rmi(h, RMI_RTT_CREATE, r->rd, rtt, ipa, (uint64_t)level, 0, NULL), RMI_SUCCESS);
        return rtt;
}

void host_rtts_l3(struct host *h, const struct hrealm *r, uint64_t ipa)
{
        (void)host_rtt_create(h, r, ipa & ~(H_L1_SIZE - 1), 2);
        (void)host_rtt_create(h, r, ipa & ~(H_L2_SIZE - 1), 3);
}

void host_init_ripas(struct host *h, const struct hrealm *r, uint64_t base, uint64_t top)
{
        struct smc_regs out;
        assert_int_equal(rmi(h, RMI_RTT_INIT_RIPAS, r->rd, base, top, 0, 0, &out), RMI_SUCCESS);
        assert_int_equal(out.x[1], top);
}

uint64_t host_data_create(struct host *h, const struct hrealm *r, uint64_t ipa, uint8_t byte,
                          uint64_t flags)
{
        uint64_t src = host_alloc(h);
        host_fill_ns(h, src, byte);
        uint64_t data = host_delegated(h);
        assert_int_equal(rmi(h, RMI_DATA_CREATE, r->rd, data, ipa, src, flags, NULL), RMI_SUCCESS);
        return data;
}

void host_activate(struct host *h, const struct hrealm *r)
{
        assert_int_equal(rmi(h, RMI_REALM_ACTIVATE, r->rd, 0, 0, 0, 0, NULL), RMI_SUCCESS);
}

/* ---- RECs ---- */

void hrec_params_default(struct rmi_rec_params *p, uint64_t mpidr)
{
        memset(p, 0, sizeof(*p));
        p->flags = RMI_REC_FLAG_RUNNABLE;
        p->mpidr = mpidr;
}

uint64_t host_write_rec_params(struct host *h, const struct rmi_rec_params *p)
{
        uint8_t page[RMI_REC_PARAMS_SIZE];
        rmi_rec_params_encode(p, page);
        uint64_t pa = host_alloc(h);
        assert_int_equal(hw_write(h->mem, HW_WORLD_NS, pa, page, sizeof(page), NULL), HW_OK);
        return pa;
}

uint64_t host_rec_create(struct host *h, const struct hrealm *r, uint64_t mpidr)
{
        struct rmi_rec_params p;
        hrec_params_default(&p, mpidr);
        uint64_t params = host_write_rec_params(h, &p);
        uint64_t rec = host_delegated(h);
        assert_int_equal(rmi(h, RMI_REC_CREATE, r->rd, rec, params, 0, 0, NULL), RMI_SUCCESS);
        return rec;
}

void host_realm_setup_fill(struct host *h, struct hrealm *r, uint64_t *rec, uint8_t byte)
{
        host_realm_new(h, r);
        host_rtts_l3(h, r, 0);
        host_init_ripas(h, r, 0, H_RAM_TOP);
        for (uint64_t ipa = 0; ipa < H_DATA_TOP; ipa += GRANULE_SIZE)
                (void)host_data_create(h, r, ipa, byte, RMI_NO_MEASURE_CONTENT);
        *rec = host_rec_create(h, r, 0);
}

void host_realm_setup(struct host *h, struct hrealm *r, uint64_t *rec)
{
        host_realm_setup_fill(h, r, rec, 0);
}

/* ---- RmiRecRun ---- */

uint64_t host_run_alloc(struct host *h)
{
        return host_alloc(h);
}

void run_set_u64(struct host *h, uint64_t run, uint64_t off, uint64_t v)
{
        uint8_t b[8];
        st_le64(b, v);
        assert_int_equal(hw_write(h->mem, HW_WORLD_NS, run + RMI_REC_ENTRY_OFFSET + off, b, 8, NULL), HW_OK);
}

void run_set_flags(struct host *h, uint64_t run, uint64_t flags)
{
        run_set_u64(h, run, RMI_REC_ENTRY_FLAGS, flags);
}

void run_set_gpr(struct host *h, uint64_t run, unsigned i, uint64_t v)
{
        run_set_u64(h, run, RMI_REC_ENTRY_GPRS + 8 * i, v);
}

uint64_t run_exit_u64(struct host *h, uint64_t run, uint64_t off)
{
        uint8_t b[8];
        assert_int_equal(hw_read(h->mem, HW_WORLD_NS, run + RMI_REC_EXIT_OFFSET + off, b, 8, NULL), HW_OK);
        return ld_le64(b);
}

uint8_t run_exit_u8(struct host *h, uint64_t run, uint64_t off)
{
        uint8_t b;
        assert_int_equal(hw_read(h->mem, HW_WORLD_NS, run + RMI_REC_EXIT_OFFSET + off, &b, 1, NULL), HW_OK);
        return b;
}

uint64_t run_exit_reason(struct host *h, uint64_t run)
{
        return run_exit_u64(h, run, RMI_REC_EXIT_REASON);
}

uint64_t run_exit_gpr(struct host *h, uint64_t run, unsigned i)
{
        return run_exit_u64(h, run, RMI_REC_EXIT_GPRS + 8 * i);
}

uint64_t host_rec_enter(struct host *h, uint64_t rec, uint64_t run)
{
        return rmi(h, RMI_REC_ENTER, rec, run, 0, 0, 0, NULL);
}
