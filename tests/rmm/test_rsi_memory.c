/* The RIPAS change flow: RSI_IPA_STATE_SET / RSI_IPA_STATE_GET (DEN0137 1.0 B5.3.6,
 * B5.3.5) and the host's RMI_RTT_SET_RIPAS (B4.3.21), A5.4.
 * The standard Realm: DATA over [0, 16 KiB), RIPAS RAM over [0, 64 KiB), EMPTY above. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "rmm_harness.h"

#define T(fn) cmocka_unit_test_setup_teardown(fn, host_setup, host_teardown)
#define ERR_RTT(level) RMI_RETURN(RMI_ERROR_RTT, (level))
#define MAXC 8

struct realm_kernel {
        void (*body)(struct realm_kernel *k, struct ccada_cpu *cpu);
        struct smc_regs in[MAXC];
        struct smc_regs out[MAXC];
        unsigned n;
        unsigned calls;         /* IPA_STATE_SET calls made by body_set_until_done */
        bool finished;
        enum cpu_result res;
};

static void prog(struct realm_kernel *k, struct ccada_cpu *cpu, uint64_t pc, const uint64_t *x)
{
        k->body(k, cpu);
        k->finished = true;
}

static void body_calls(struct realm_kernel *k, struct ccada_cpu *cpu)
{
        for (unsigned i = 0; i < k->n; i++) {
                k->out[i] = k->in[i];
                cpu_smc(cpu, &k->out[i]);
        }
}

/* The Linux loop: call IPA_STATE_SET again from new_base until top, stop on REJECT. */
static void body_set_until_done(struct realm_kernel *k, struct ccada_cpu *cpu)
{
        uint64_t base = k->in[0].x[1], top = k->in[0].x[2];
        while (base < top && k->calls < MAXC) {
                struct smc_regs r = k->in[0];
                r.x[1] = base;
                cpu_smc(cpu, &r);
                k->out[k->calls++] = r;
                if (r.x[0] != RSI_SUCCESS || r.x[2] == RSI_REJECT)
                        return;
                base = r.x[1];
        }
}

static void add_call(struct realm_kernel *k, uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
        assert_true(k->n < MAXC);
        k->in[k->n++] = (struct smc_regs){ .x = { fid, a1, a2, a3, a4 } };
}

struct mem_fx {
        struct hrealm r;
        uint64_t rec, run;
        struct realm_kernel k;
};

static void fx_init(struct host *h, struct mem_fx *f, void (*body)(struct realm_kernel *, struct ccada_cpu *))
{
        memset(f, 0, sizeof(*f));
        host_realm_setup(h, &f->r, &f->rec);
        host_activate(h, &f->r);
        f->k.body = body;
        host_set_program(h, prog, &f->k);
        f->run = host_run_alloc(h);
}

static void enter_expect(struct host *h, struct mem_fx *f, uint64_t reason)
{
        assert_int_equal(host_rec_enter(h, f->rec, f->run), RMI_SUCCESS);
        assert_int_equal(run_exit_reason(h, f->run), reason);
}

static void run_to_completion(struct host *h, struct mem_fx *f)
{
        enter_expect(h, f, RMI_EXIT_PSCI);
        assert_int_equal(run_exit_gpr(h, f->run, 0), PSCI_CPU_OFF);
        assert_true(f->k.finished);
}

static uint64_t set_ripas(struct host *h, struct mem_fx *f, uint64_t base, uint64_t top, uint64_t *progress)
{
        struct smc_regs out;
        uint64_t st = rmi(h, RMI_RTT_SET_RIPAS, f->r.rd, f->rec, base, top, 0, &out);
        if (progress)
                *progress = out.x[1];
        return st;
}

static uint64_t ripas_of(struct host *h, struct mem_fx *f, uint64_t ipa)
{
        struct smc_regs out;
        assert_int_equal(rmi(h, RMI_RTT_READ_ENTRY, f->r.rd, ipa, 3, 0, 0, &out), RMI_SUCCESS);
        return out.x[4];
}

/* ---- RSI_IPA_STATE_SET input checks: ERROR_INPUT, and no REC exit ---- */

#define RB_ACC 0x8000ULL /* RIPAS RAM, no DATA */

static void check_state_set_rejected(struct host *h, uint64_t base, uint64_t top, uint64_t ripas, uint64_t flags)
{
        struct mem_fx f;
        fx_init(h, &f, body_calls);
        add_call(&f.k, RSI_IPA_STATE_SET, base, top, ripas, flags);
        run_to_completion(h, &f);
        assert_int_equal(f.k.out[0].x[0], RSI_ERROR_INPUT);
        assert_int_equal(ripas_of(h, &f, H_RAM_TOP), RMI_EMPTY);
        /* nothing pending: even a well-formed SET_RIPAS is refused */
        assert_int_equal(set_ripas(h, &f, H_RAM_TOP, H_RAM_TOP + 0x1000, NULL), RMI_ERROR_INPUT);
}

static void rsi_ipa_state_set_rejects_unaligned_base(void **state)
{
        check_state_set_rejected(*state, H_RAM_TOP + 0x10, H_RAM_TOP + 0x2000, RSI_RIPAS_RAM, 0);
}

static void rsi_ipa_state_set_rejects_unaligned_top(void **state)
{
        check_state_set_rejected(*state, H_RAM_TOP, H_RAM_TOP + 0x1800, RSI_RIPAS_RAM, 0);
}

static void rsi_ipa_state_set_rejects_top_not_above_base(void **state)
{
        check_state_set_rejected(*state, H_RAM_TOP, H_RAM_TOP, RSI_RIPAS_RAM, 0);
}

static void rsi_ipa_state_set_rejects_top_below_base(void **state)
{
        check_state_set_rejected(*state, H_RAM_TOP + 0x2000, H_RAM_TOP, RSI_RIPAS_RAM, 0);
}

static void rsi_ipa_state_set_rejects_unprotected_range(void **state)
{
        check_state_set_rejected(*state, H_UNPROT_BASE - 0x1000, H_UNPROT_BASE + 0x1000, RSI_RIPAS_RAM, 0);
}

static void rsi_ipa_state_set_rejects_destroyed_ripas(void **state)
{
        check_state_set_rejected(*state, H_RAM_TOP, H_RAM_TOP + 0x1000, RSI_RIPAS_DESTROYED, 0);
}

static void rsi_ipa_state_set_rejects_ripas_value_3(void **state)
{
        check_state_set_rejected(*state, H_RAM_TOP, H_RAM_TOP + 0x1000, 3, 0);
}

/* B5.3.6 has five failure conditions (base_align, top_align, size_valid, rgn_bound,
 * ripas_valid): X3[63:8] and flags bits other than change_destroyed are SBZ, not checked.
 * The request goes to the host with RIPAS X3[7:0]. */
static void check_state_set_accepted(struct host *h, uint64_t ripas_reg, uint64_t flags, uint8_t ripas)
{
        struct mem_fx f;
        uint64_t progress;
        fx_init(h, &f, body_calls);
        add_call(&f.k, RSI_IPA_STATE_SET, RB_ACC, RB_ACC + 0x2000, ripas_reg, flags);
        enter_expect(h, &f, RMI_EXIT_RIPAS_CHANGE);
        assert_int_equal(run_exit_u8(h, f.run, RMI_REC_EXIT_RIPAS_VALUE), ripas);
        assert_int_equal(set_ripas(h, &f, RB_ACC, RB_ACC + 0x2000, &progress), RMI_SUCCESS);
        assert_int_equal(progress, RB_ACC + 0x2000);
        run_to_completion(h, &f);
        assert_int_equal(f.k.out[0].x[0], RSI_SUCCESS);
        assert_int_equal(f.k.out[0].x[1], RB_ACC + 0x2000);
        assert_int_equal(ripas_of(h, &f, RB_ACC), ripas);
}

static void rsi_ipa_state_set_ignores_flags_bits_other_than_change_destroyed(void **state)
{
        check_state_set_accepted(*state, RSI_RIPAS_EMPTY, ~(uint64_t)RSI_CHANGE_DESTROYED, RMI_EMPTY);
}

static void rsi_ipa_state_set_takes_ripas_from_x3_bits_7_0(void **state)
{
        check_state_set_accepted(*state, 0xABCD00ULL | RSI_RIPAS_EMPTY, 0, RMI_EMPTY);
}

static void rsi_ipa_state_set_ripas_valid_looks_at_x3_bits_7_0_only(void **state)
{
        /* 0x100 | RAM is RAM; 0x102 is DESTROYED (bits 7:0 = 2): ripas_valid */
        check_state_set_rejected(*state, H_RAM_TOP, H_RAM_TOP + 0x1000, 0x100 | RSI_RIPAS_DESTROYED, 0);
}

/* ---- the flow ---- */

#define RB H_RAM_TOP
#define RT (H_RAM_TOP + 0x4000)

static void rsi_ipa_state_set_exits_ripas_change_with_range_and_value(void **state)
{
        struct host *h = *state;
        struct mem_fx f;
        uint64_t progress;
        fx_init(h, &f, body_set_until_done);
        f.k.in[0] = (struct smc_regs){ .x = { RSI_IPA_STATE_SET, RB, RT, RSI_RIPAS_RAM, 0 } };
        enter_expect(h, &f, RMI_EXIT_RIPAS_CHANGE);
        assert_int_equal(run_exit_u64(h, f.run, RMI_REC_EXIT_RIPAS_BASE), RB);
        assert_int_equal(run_exit_u64(h, f.run, RMI_REC_EXIT_RIPAS_TOP), RT);
        assert_int_equal(run_exit_u8(h, f.run, RMI_REC_EXIT_RIPAS_VALUE), RMI_RAM);
        assert_int_equal(set_ripas(h, &f, RB, RT, &progress), RMI_SUCCESS);
        assert_int_equal(progress, RT);
        assert_int_equal(ripas_of(h, &f, RB), RMI_RAM);
        assert_int_equal(ripas_of(h, &f, RT - 0x1000), RMI_RAM);
        assert_int_equal(ripas_of(h, &f, RT), RMI_EMPTY);
        run_to_completion(h, &f);
        assert_int_equal(f.k.calls, 1);
        assert_int_equal(f.k.out[0].x[0], RSI_SUCCESS);
        assert_int_equal(f.k.out[0].x[1], RT);
        assert_int_equal(f.k.out[0].x[2], RSI_ACCEPT);
}

/* The host completes part of the range; the Realm sees new_base < top, ACCEPT, and asks again. */
static void rtt_set_ripas_partial_progress_makes_realm_call_again(void **state)
{
        struct host *h = *state;
        struct mem_fx f;
        uint64_t progress;
        fx_init(h, &f, body_set_until_done);
        f.k.in[0] = (struct smc_regs){ .x = { RSI_IPA_STATE_SET, RB, RT, RSI_RIPAS_RAM, 0 } };
        enter_expect(h, &f, RMI_EXIT_RIPAS_CHANGE);
        assert_int_equal(set_ripas(h, &f, RB, RB + 0x1000, &progress), RMI_SUCCESS);
        assert_int_equal(progress, RB + 0x1000);
        /* the host may continue in several steps, each from where the last ended */
        assert_int_equal(set_ripas(h, &f, RB + 0x1000, RB + 0x2000, &progress), RMI_SUCCESS);
        assert_int_equal(progress, RB + 0x2000);
        enter_expect(h, &f, RMI_EXIT_RIPAS_CHANGE);
        assert_int_equal(f.k.calls, 1);
        assert_int_equal(f.k.out[0].x[0], RSI_SUCCESS);
        assert_int_equal(f.k.out[0].x[1], RB + 0x2000);
        assert_int_equal(f.k.out[0].x[2], RSI_ACCEPT);
        assert_int_equal(run_exit_u64(h, f.run, RMI_REC_EXIT_RIPAS_BASE), RB + 0x2000);
        assert_int_equal(run_exit_u64(h, f.run, RMI_REC_EXIT_RIPAS_TOP), RT);
        assert_int_equal(set_ripas(h, &f, RB + 0x2000, RT, &progress), RMI_SUCCESS);
        run_to_completion(h, &f);
        assert_int_equal(f.k.calls, 2);
        assert_int_equal(f.k.out[1].x[1], RT);
        assert_int_equal(f.k.out[1].x[2], RSI_ACCEPT);
        assert_int_equal(ripas_of(h, &f, RT - 0x1000), RMI_RAM);
}

static void rtt_set_ripas_rejected_ram_request_reports_reject(void **state)
{
        struct host *h = *state;
        struct mem_fx f;
        fx_init(h, &f, body_set_until_done);
        f.k.in[0] = (struct smc_regs){ .x = { RSI_IPA_STATE_SET, RB, RT, RSI_RIPAS_RAM, 0 } };
        enter_expect(h, &f, RMI_EXIT_RIPAS_CHANGE);
        run_set_flags(h, f.run, RMI_REC_ENTRY_FLAG_RIPAS_RESPONSE);
        run_to_completion(h, &f);
        assert_int_equal(f.k.out[0].x[0], RSI_SUCCESS);
        assert_int_equal(f.k.out[0].x[1], RB);
        assert_int_equal(f.k.out[0].x[2], RSI_REJECT);
        assert_int_equal(ripas_of(h, &f, RB), RMI_EMPTY);
}

/* A request to change RIPAS to EMPTY cannot be rejected (A5.4.3). */
static void rtt_set_ripas_reject_of_empty_request_still_accepts(void **state)
{
        struct host *h = *state;
        struct mem_fx f;
        uint64_t progress;
        fx_init(h, &f, body_set_until_done);
        f.k.in[0] = (struct smc_regs){ .x = { RSI_IPA_STATE_SET, 0x8000, H_RAM_TOP, RSI_RIPAS_EMPTY, 0 } };
        enter_expect(h, &f, RMI_EXIT_RIPAS_CHANGE);
        assert_int_equal(run_exit_u8(h, f.run, RMI_REC_EXIT_RIPAS_VALUE), RMI_EMPTY);
        assert_int_equal(set_ripas(h, &f, 0x8000, H_RAM_TOP, &progress), RMI_SUCCESS);
        run_set_flags(h, f.run, RMI_REC_ENTRY_FLAG_RIPAS_RESPONSE);
        run_to_completion(h, &f);
        assert_int_equal(f.k.out[0].x[1], H_RAM_TOP);
        assert_int_equal(f.k.out[0].x[2], RSI_ACCEPT);
        assert_int_equal(ripas_of(h, &f, 0x8000), RMI_EMPTY);
}

/* base != ripas_addr, top > ripas_top: ERROR_INPUT, and the change is still pending intact. */
static void rtt_set_ripas_out_of_range_fails_error_input(void **state)
{
        struct host *h = *state;
        struct mem_fx f;
        uint64_t progress;
        fx_init(h, &f, body_set_until_done);
        f.k.in[0] = (struct smc_regs){ .x = { RSI_IPA_STATE_SET, RB, RT, RSI_RIPAS_RAM, 0 } };
        enter_expect(h, &f, RMI_EXIT_RIPAS_CHANGE);
        assert_int_equal(set_ripas(h, &f, RB + 0x1000, RT, NULL), RMI_ERROR_INPUT);
        assert_int_equal(set_ripas(h, &f, RB - 0x1000, RT, NULL), RMI_ERROR_INPUT);
        assert_int_equal(set_ripas(h, &f, RB, RT + 0x1000, NULL), RMI_ERROR_INPUT);
        assert_int_equal(set_ripas(h, &f, RB, RB, NULL), RMI_ERROR_INPUT);
        assert_int_equal(set_ripas(h, &f, RB + 8, RT, NULL), RMI_ERROR_INPUT);
        assert_int_equal(ripas_of(h, &f, RB), RMI_EMPTY);
        assert_int_equal(ripas_of(h, &f, RT), RMI_EMPTY);
        assert_int_equal(set_ripas(h, &f, RB, RT, &progress), RMI_SUCCESS);
        assert_int_equal(progress, RT);
        run_to_completion(h, &f);
        assert_int_equal(f.k.out[0].x[1], RT);
}

static void rtt_set_ripas_with_rec_of_another_realm_fails_error_rec(void **state)
{
        struct host *h = *state;
        struct mem_fx f;
        struct hrealm other;
        fx_init(h, &f, body_set_until_done);
        f.k.in[0] = (struct smc_regs){ .x = { RSI_IPA_STATE_SET, RB, RT, RSI_RIPAS_RAM, 0 } };
        enter_expect(h, &f, RMI_EXIT_RIPAS_CHANGE);
        host_realm_new(h, &other);
        host_rtts_l3(h, &other, 0);
        assert_int_equal(rmi(h, RMI_RTT_SET_RIPAS, other.rd, f.rec, RB, RT, 0, NULL), RMI_ERROR_REC);
        struct smc_regs out;
        assert_int_equal(rmi(h, RMI_RTT_READ_ENTRY, other.rd, RB, 3, 0, 0, &out), RMI_SUCCESS);
        assert_int_equal(out.x[4], RMI_EMPTY);
        assert_int_equal(set_ripas(h, &f, RB, RT, NULL), RMI_SUCCESS);
}

static void rtt_set_ripas_rejects_rd_or_rec_of_wrong_kind(void **state)
{
        struct host *h = *state;
        struct mem_fx f;
        fx_init(h, &f, body_set_until_done);
        f.k.in[0] = (struct smc_regs){ .x = { RSI_IPA_STATE_SET, RB, RT, RSI_RIPAS_RAM, 0 } };
        enter_expect(h, &f, RMI_EXIT_RIPAS_CHANGE);
        assert_int_equal(rmi(h, RMI_RTT_SET_RIPAS, f.rec, f.rec, RB, RT, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(h, RMI_RTT_SET_RIPAS, f.r.rd, f.r.rd, RB, RT, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(set_ripas(h, &f, RB, RT, NULL), RMI_SUCCESS);
}

/* Once the Realm has been re-entered, the change is over: nothing more may be set. */
static void rtt_set_ripas_after_completion_fails_error_input(void **state)
{
        struct host *h = *state;
        struct mem_fx f;
        fx_init(h, &f, body_set_until_done);
        f.k.in[0] = (struct smc_regs){ .x = { RSI_IPA_STATE_SET, RB, RT, RSI_RIPAS_RAM, 0 } };
        enter_expect(h, &f, RMI_EXIT_RIPAS_CHANGE);
        run_set_flags(h, f.run, RMI_REC_ENTRY_FLAG_RIPAS_RESPONSE);
        run_to_completion(h, &f);
        assert_int_equal(set_ripas(h, &f, RB, RT, NULL), RMI_ERROR_INPUT);
        assert_int_equal(ripas_of(h, &f, RB), RMI_EMPTY);
}

/* NO_CHANGE_DESTROYED: progress stops at a DESTROYED page; CHANGE_DESTROYED goes through. */
static void rtt_set_ripas_stops_at_destroyed_unless_change_destroyed(void **state)
{
        struct host *h = *state;
        struct mem_fx f;
        uint64_t progress;
        fx_init(h, &f, body_calls);
        add_call(&f.k, RSI_IPA_STATE_SET, 0x1000, 0x4000, RSI_RIPAS_RAM, RSI_NO_CHANGE_DESTROYED);
        add_call(&f.k, RSI_IPA_STATE_SET, 0x2000, 0x4000, RSI_RIPAS_RAM, RSI_CHANGE_DESTROYED);
        assert_int_equal(rmi(h, RMI_DATA_DESTROY, f.r.rd, 0x2000, 0, 0, 0, NULL), RMI_SUCCESS);
        assert_int_equal(ripas_of(h, &f, 0x2000), RMI_DESTROYED);
        enter_expect(h, &f, RMI_EXIT_RIPAS_CHANGE);
        assert_int_equal(set_ripas(h, &f, 0x1000, 0x4000, &progress), RMI_SUCCESS);
        assert_int_equal(progress, 0x2000);
        enter_expect(h, &f, RMI_EXIT_RIPAS_CHANGE);
        assert_int_equal(f.k.out[0].x[1], 0x2000);
        assert_int_equal(set_ripas(h, &f, 0x2000, 0x4000, &progress), RMI_SUCCESS);
        assert_int_equal(progress, 0x4000);
        run_to_completion(h, &f);
        assert_int_equal(f.k.out[1].x[1], 0x4000);
        assert_int_equal(ripas_of(h, &f, 0x2000), RMI_RAM);
}

/* no_progress (DEN0137 1.0 B4.3.21): under RSI_NO_CHANGE_DESTROYED a DESTROYED entry at
 * base leaves nothing to change: ERROR_RTT with the walk level, not SUCCESS; the Realm,
 * re-entered, sees new_base == base. */
static void rtt_set_ripas_no_progress_at_destroyed_entry_fails_error_rtt_3(void **state)
{
        struct host *h = *state;
        struct mem_fx f;
        fx_init(h, &f, body_calls);
        add_call(&f.k, RSI_IPA_STATE_SET, 0x2000, 0x4000, RSI_RIPAS_RAM, RSI_NO_CHANGE_DESTROYED);
        assert_int_equal(rmi(h, RMI_DATA_DESTROY, f.r.rd, 0x2000, 0, 0, 0, NULL), RMI_SUCCESS);
        enter_expect(h, &f, RMI_EXIT_RIPAS_CHANGE);
        assert_int_equal(set_ripas(h, &f, 0x2000, 0x4000, NULL), ERR_RTT(3));
        assert_int_equal(ripas_of(h, &f, 0x2000), RMI_DESTROYED);
        assert_int_equal(ripas_of(h, &f, 0x3000), RMI_RAM);
        run_to_completion(h, &f);
        assert_int_equal(f.k.out[0].x[0], RSI_SUCCESS);
        assert_int_equal(f.k.out[0].x[1], 0x2000);
}

/* no_progress: top inside the level-2 block at base, whose RIPAS must change: ERROR_RTT(2)
 * (the host must create a level-3 table). With the RIPAS already right it is no failure:
 * SUCCESS, out_top == base. */
static void rtt_set_ripas_no_progress_with_top_inside_block_fails_error_rtt_2(void **state)
{
        struct host *h = *state;
        struct mem_fx f;
        uint64_t progress;
        fx_init(h, &f, body_calls);
        add_call(&f.k, RSI_IPA_STATE_SET, H_L2_SIZE, H_L2_SIZE + 0x3000, RSI_RIPAS_RAM, 0);
        add_call(&f.k, RSI_IPA_STATE_SET, H_L2_SIZE, H_L2_SIZE + 0x3000, RSI_RIPAS_EMPTY, 0);
        enter_expect(h, &f, RMI_EXIT_RIPAS_CHANGE);
        assert_int_equal(set_ripas(h, &f, H_L2_SIZE, H_L2_SIZE + 0x3000, NULL), ERR_RTT(2));
        assert_int_equal(ripas_of(h, &f, H_L2_SIZE), RMI_EMPTY); /* the level-2 block */
        enter_expect(h, &f, RMI_EXIT_RIPAS_CHANGE); /* the Realm saw no progress, and goes on */
        assert_int_equal(set_ripas(h, &f, H_L2_SIZE, H_L2_SIZE + 0x3000, &progress), RMI_SUCCESS);
        assert_int_equal(progress, H_L2_SIZE);
        run_to_completion(h, &f);
        assert_int_equal(f.k.out[0].x[1], H_L2_SIZE);
        assert_int_equal(f.k.out[1].x[1], H_L2_SIZE);
}

/* Without a level-3 table the host answers a whole 2 MiB block at a time. */
static void rtt_set_ripas_over_level2_block_progresses_by_block(void **state)
{
        struct host *h = *state;
        struct mem_fx f;
        uint64_t progress;
        fx_init(h, &f, body_calls);
        add_call(&f.k, RSI_IPA_STATE_SET, H_L2_SIZE, 3 * H_L2_SIZE, RSI_RIPAS_RAM, 0);
        add_call(&f.k, RSI_IPA_STATE_SET, H_L2_SIZE + 0x1000, 2 * H_L2_SIZE, RSI_RIPAS_EMPTY, 0);
        enter_expect(h, &f, RMI_EXIT_RIPAS_CHANGE);
        assert_int_equal(set_ripas(h, &f, H_L2_SIZE, 3 * H_L2_SIZE, &progress), RMI_SUCCESS);
        assert_int_equal(progress, 3 * H_L2_SIZE);
        enter_expect(h, &f, RMI_EXIT_RIPAS_CHANGE);
        /* base_align: base inside a block whose RIPAS must change; the host must create a
         * level-3 table first */
        assert_int_equal(set_ripas(h, &f, H_L2_SIZE + 0x1000, 2 * H_L2_SIZE, NULL), ERR_RTT(2));
        run_to_completion(h, &f);
        assert_int_equal(f.k.out[0].x[1], 3 * H_L2_SIZE);
        assert_int_equal(f.k.out[1].x[1], H_L2_SIZE + 0x1000); /* no progress */
        assert_int_equal(ripas_of(h, &f, H_L2_SIZE + 0x1000), RMI_RAM);
}

/* base_align (B4.3.21) fails only when the RIPAS at base must change. With it already right,
 * an unaligned base progresses to the end of its block (walk_top). When top lies inside the
 * same block, the spec's walk_top falls below base; ccada refuses that, as TF-RMM 1.0 refuses
 * every unaligned base. */
static void rtt_set_ripas_base_align_fails_only_when_ripas_must_change(void **state)
{
        struct host *h = *state;
        struct mem_fx f;
        uint64_t progress;
        fx_init(h, &f, body_calls);
        add_call(&f.k, RSI_IPA_STATE_SET, H_L2_SIZE, 2 * H_L2_SIZE, RSI_RIPAS_RAM, 0);
        add_call(&f.k, RSI_IPA_STATE_SET, H_L2_SIZE + 0x1000, 3 * H_L2_SIZE, RSI_RIPAS_RAM, 0);
        add_call(&f.k, RSI_IPA_STATE_SET, H_L2_SIZE + 0x1000, H_L2_SIZE + 0x5000, RSI_RIPAS_RAM, 0);
        enter_expect(h, &f, RMI_EXIT_RIPAS_CHANGE);
        assert_int_equal(set_ripas(h, &f, H_L2_SIZE, 2 * H_L2_SIZE, &progress), RMI_SUCCESS);
        enter_expect(h, &f, RMI_EXIT_RIPAS_CHANGE);
        assert_int_equal(set_ripas(h, &f, H_L2_SIZE + 0x1000, 3 * H_L2_SIZE, &progress), RMI_SUCCESS);
        assert_int_equal(progress, 3 * H_L2_SIZE); /* its block already RAM, then the next one */
        enter_expect(h, &f, RMI_EXIT_RIPAS_CHANGE);
        assert_int_equal(set_ripas(h, &f, H_L2_SIZE + 0x1000, H_L2_SIZE + 0x5000, NULL), ERR_RTT(2));
        run_to_completion(h, &f);
        assert_int_equal(f.k.out[1].x[1], 3 * H_L2_SIZE);
        assert_int_equal(f.k.out[2].x[1], H_L2_SIZE + 0x1000);
        struct smc_regs out;
        assert_int_equal(rmi(h, RMI_RTT_READ_ENTRY, f.r.rd, 2 * H_L2_SIZE, 2, 0, 0, &out), RMI_SUCCESS);
        assert_int_equal(out.x[4], RMI_RAM);
}

/* ---- RSI_IPA_STATE_GET ---- */

static void rsi_ipa_state_get_returns_ripas_and_top_of_region(void **state)
{
        struct host *h = *state;
        struct mem_fx f;
        fx_init(h, &f, body_calls);
        add_call(&f.k, RSI_IPA_STATE_GET, 0, H_L2_SIZE, 0, 0);
        add_call(&f.k, RSI_IPA_STATE_GET, H_RAM_TOP, H_L2_SIZE, 0, 0);
        add_call(&f.k, RSI_IPA_STATE_GET, 0x3000, 0x5000, 0, 0);
        add_call(&f.k, RSI_IPA_STATE_GET, H_L2_SIZE, 3 * H_L2_SIZE, 0, 0); /* level-2 blocks */
        run_to_completion(h, &f);
        assert_int_equal(f.k.out[0].x[0], RSI_SUCCESS);
        assert_int_equal(f.k.out[0].x[1], H_RAM_TOP);
        assert_int_equal(f.k.out[0].x[2], RSI_RIPAS_RAM);
        assert_int_equal(f.k.out[1].x[1], H_L2_SIZE);
        assert_int_equal(f.k.out[1].x[2], RSI_RIPAS_EMPTY);
        assert_int_equal(f.k.out[2].x[1], 0x5000); /* capped at end */
        assert_int_equal(f.k.out[2].x[2], RSI_RIPAS_RAM);
        assert_int_equal(f.k.out[3].x[1], 3 * H_L2_SIZE);
        assert_int_equal(f.k.out[3].x[2], RSI_RIPAS_EMPTY);
}

static void rsi_ipa_state_get_rejects_bad_range(void **state)
{
        struct host *h = *state;
        struct mem_fx f;
        fx_init(h, &f, body_calls);
        add_call(&f.k, RSI_IPA_STATE_GET, 0x10, 0x2000, 0, 0);
        add_call(&f.k, RSI_IPA_STATE_GET, 0x2000, 0x2000, 0, 0);
        add_call(&f.k, RSI_IPA_STATE_GET, 0, H_UNPROT_BASE + 0x1000, 0, 0);
        add_call(&f.k, RSI_IPA_STATE_GET, H_UNPROT_BASE, H_UNPROT_BASE + 0x1000, 0, 0);
        run_to_completion(h, &f);
        for (unsigned i = 0; i < 4; i++)
                assert_int_equal(f.k.out[i].x[0], RSI_ERROR_INPUT);
}

/* The Realm's view after a change to EMPTY: its own DATA page now aborts (A5.2.2). */
static void body_empty_then_load(struct realm_kernel *k, struct ccada_cpu *cpu)
{
        uint64_t v = 0;
        body_calls(k, cpu);
        k->res = cpu_load(cpu, 0x3000, &v, sizeof(v));
}

static void rsi_ipa_state_set_empty_over_data_makes_access_sea(void **state)
{
        struct host *h = *state;
        struct mem_fx f;
        fx_init(h, &f, body_empty_then_load);
        add_call(&f.k, RSI_IPA_STATE_SET, 0x3000, 0x4000, RSI_RIPAS_EMPTY, 0);
        enter_expect(h, &f, RMI_EXIT_RIPAS_CHANGE);
        assert_int_equal(set_ripas(h, &f, 0x3000, 0x4000, NULL), RMI_SUCCESS);
        run_to_completion(h, &f);
        assert_int_equal(f.k.res, CPU_SEA);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                T(rsi_ipa_state_set_rejects_unaligned_base),
                T(rsi_ipa_state_set_rejects_unaligned_top),
                T(rsi_ipa_state_set_rejects_top_not_above_base),
                T(rsi_ipa_state_set_rejects_top_below_base),
                T(rsi_ipa_state_set_rejects_unprotected_range),
                T(rsi_ipa_state_set_rejects_destroyed_ripas),
                T(rsi_ipa_state_set_rejects_ripas_value_3),
                T(rsi_ipa_state_set_ignores_flags_bits_other_than_change_destroyed),
                T(rsi_ipa_state_set_takes_ripas_from_x3_bits_7_0),
                T(rsi_ipa_state_set_ripas_valid_looks_at_x3_bits_7_0_only),
                T(rsi_ipa_state_set_exits_ripas_change_with_range_and_value),
                T(rtt_set_ripas_partial_progress_makes_realm_call_again),
                T(rtt_set_ripas_rejected_ram_request_reports_reject),
                T(rtt_set_ripas_reject_of_empty_request_still_accepts),
                T(rtt_set_ripas_out_of_range_fails_error_input),
                T(rtt_set_ripas_with_rec_of_another_realm_fails_error_rec),
                T(rtt_set_ripas_rejects_rd_or_rec_of_wrong_kind),
                T(rtt_set_ripas_after_completion_fails_error_input),
                T(rtt_set_ripas_stops_at_destroyed_unless_change_destroyed),
                T(rtt_set_ripas_no_progress_at_destroyed_entry_fails_error_rtt_3),
                T(rtt_set_ripas_no_progress_with_top_inside_block_fails_error_rtt_2),
                T(rtt_set_ripas_over_level2_block_progresses_by_block),
                T(rtt_set_ripas_base_align_fails_only_when_ripas_must_change),
                T(rsi_ipa_state_get_returns_ripas_and_top_of_region),
                T(rsi_ipa_state_get_rejects_bad_range),
                T(rsi_ipa_state_set_empty_over_data_makes_access_sea),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
