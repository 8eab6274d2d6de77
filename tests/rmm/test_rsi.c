/* RSI commands other than the RIPAS flow, and PSCI as the RMM answers it.
 * DEN0137 1.0 B5.3 (RSI_VERSION, RSI_FEATURES, RSI_MEASUREMENT_READ/EXTEND,
 * RSI_REALM_CONFIG, RSI_HOST_CALL), A7.1 (RIM and REMs), B6.3 (PSCI). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <openssl/sha.h>

#include "lib/bytes.h"
#include "rmm_harness.h"

#define T(fn) cmocka_unit_test_setup_teardown(fn, host_setup, host_teardown)
#define MAXC 16

/* The Realm side of a test: body() runs on the REC and records what it saw. */
struct realm_kernel {
        void (*body)(struct realm_kernel *k, struct ccada_cpu *cpu);
        struct smc_regs in[MAXC];       /* calls to make (body-specific) */
        struct smc_regs out[MAXC];      /* their results */
        unsigned n;
        bool finished;
        uint8_t buf[RSI_REALM_CONFIG_SIZE];
        enum cpu_result res;
};

static void prog(struct realm_kernel *k, struct ccada_cpu *cpu, uint64_t pc, const uint64_t *x)
{
        k->body(k, cpu);
        k->finished = true;
}

/* Makes every call in k->in[0..n) in order, results to k->out. */
static void body_calls(struct realm_kernel *k, struct ccada_cpu *cpu)
{
        for (unsigned i = 0; i < k->n; i++) {
                k->out[i] = k->in[i];
                cpu_smc(cpu, &k->out[i]);
        }
}

static void add_call(struct realm_kernel *k, uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
        assert_true(k->n < MAXC);
        k->in[k->n++] = (struct smc_regs){ .x = { fid, a1, a2, a3 } };
}

struct rsi_fx {
        struct hrealm r;
        uint64_t rec, run;
        struct realm_kernel k;
};

/* The standard Realm, activated, running body. */
static void fx_init(struct host *h, struct rsi_fx *f, void (*body)(struct realm_kernel *, struct ccada_cpu *))
{
        memset(f, 0, sizeof(*f));
        host_realm_setup(h, &f->r, &f->rec);
        host_activate(h, &f->r);
        f->k.body = body;
        host_set_program(h, prog, &f->k);
        f->run = host_run_alloc(h);
}

/* Runs the REC once and expects it to finish without any exit but the final CPU_OFF. */
static void run_to_completion(struct host *h, struct rsi_fx *f)
{
        assert_int_equal(host_rec_enter(h, f->rec, f->run), RMI_SUCCESS);
        assert_int_equal(run_exit_reason(h, f->run), RMI_EXIT_PSCI);
        assert_int_equal(run_exit_gpr(h, f->run, 0), PSCI_CPU_OFF);
        assert_true(f->k.finished);
}

/* ---- RSI_VERSION (B5.3.10) ---- */

static void rsi_version_1_0_succeeds_reporting_1_0(void **state)
{
        struct host *h = *state;
        struct rsi_fx f;
        fx_init(h, &f, body_calls);
        add_call(&f.k, RSI_VERSION, RSI_ABI_VERSION_1_0, 0, 0);
        run_to_completion(h, &f);
        assert_int_equal(f.k.out[0].x[0], RSI_SUCCESS);
        assert_int_equal(f.k.out[0].x[1], RSI_ABI_VERSION(1, 0));
        assert_int_equal(f.k.out[0].x[2], RSI_ABI_VERSION(1, 0));
}

static void rsi_version_other_revision_fails_error_input_reporting_1_0(void **state)
{
        struct host *h = *state;
        struct rsi_fx f;
        fx_init(h, &f, body_calls);
        add_call(&f.k, RSI_VERSION, RSI_ABI_VERSION(2, 0), 0, 0);
        add_call(&f.k, RSI_VERSION, RSI_ABI_VERSION(0, 1), 0, 0);
        run_to_completion(h, &f);
        for (unsigned i = 0; i < 2; i++) {
                assert_int_equal(f.k.out[i].x[0], RSI_ERROR_INPUT);
                assert_int_equal(f.k.out[i].x[1], RSI_ABI_VERSION_1_0);
                assert_int_equal(f.k.out[i].x[2], RSI_ABI_VERSION_1_0);
        }
}

/* ---- RSI_FEATURES ---- */

static void rsi_features_reads_zero(void **state)
{
        struct host *h = *state;
        struct rsi_fx f;
        fx_init(h, &f, body_calls);
        add_call(&f.k, RSI_FEATURES, 0, 0, 0);
        add_call(&f.k, RSI_FEATURES, 7, 0, 0);
        run_to_completion(h, &f);
        assert_int_equal(f.k.out[0].x[0], RSI_SUCCESS);
        assert_int_equal(f.k.out[0].x[1], 0);
        assert_int_equal(f.k.out[1].x[0], RSI_SUCCESS);
        assert_int_equal(f.k.out[1].x[1], 0);
}

static void rsi_unknown_fid_returns_not_supported(void **state)
{
        struct host *h = *state;
        struct rsi_fx f;
        fx_init(h, &f, body_calls);
        add_call(&f.k, RSI_FID(0x1AF), 0, 0, 0);
        add_call(&f.k, RMI_GRANULE_DELEGATE, f.r.rd, 0, 0); /* the RMI is not reachable from a Realm */
        run_to_completion(h, &f);
        assert_int_equal(f.k.out[0].x[0], SMCCC_RET_NOT_SUPPORTED);
        assert_int_equal(f.k.out[1].x[0], SMCCC_RET_NOT_SUPPORTED);
        assert_undelegate_fails(h, f.r.rd);
}

/* ---- RSI_REALM_CONFIG ---- */

static void body_realm_config(struct realm_kernel *k, struct ccada_cpu *cpu)
{
        body_calls(k, cpu);
        k->res = cpu_load(cpu, 0x1000, k->buf, sizeof(k->buf));
}

static void check_realm_config(struct host *h, unsigned hash_algo)
{
        struct rsi_fx f;
        memset(&f, 0, sizeof(f));
        host_realm_new_hash(h, &f.r, hash_algo);
        host_rtts_l3(h, &f.r, 0);
        host_init_ripas(h, &f.r, 0, 0x2000);
        (void)host_data_create(h, &f.r, 0x1000, 0xFF, 0);
        f.rec = host_rec_create(h, &f.r, 0);
        host_activate(h, &f.r);
        f.k.body = body_realm_config;
        host_set_program(h, prog, &f.k);
        f.run = host_run_alloc(h);
        add_call(&f.k, RSI_REALM_CONFIG, 0x1000, 0, 0);
        run_to_completion(h, &f);
        assert_int_equal(f.k.out[0].x[0], RSI_SUCCESS);
        assert_int_equal(f.k.res, CPU_OK);
        assert_int_equal(ld_le64(f.k.buf + RSI_REALM_CONFIG_IPA_WIDTH), H_S2SZ);
        assert_int_equal(f.k.buf[RSI_REALM_CONFIG_HASH_ALGO], hash_algo);
        for (unsigned i = 0; i < 64; i++)
                assert_int_equal(f.k.buf[RSI_REALM_CONFIG_RPV + i], 0xA0 + i);
        assert_int_equal(f.k.buf[RSI_REALM_CONFIG_HASH_ALGO + 1], 0); /* rest of the page zero */
        assert_int_equal(f.k.buf[RSI_REALM_CONFIG_SIZE - 1], 0);
}

static void rsi_realm_config_writes_ipa_width_hash_algo_and_rpv(void **state)
{
        check_realm_config(*state, RMI_HASH_SHA_256);
}

static void rsi_realm_config_of_sha512_realm_reports_sha512(void **state)
{
        check_realm_config(*state, RMI_HASH_SHA_512);
}

static void rsi_realm_config_rejects_unaligned_or_unprotected_ipa(void **state)
{
        struct host *h = *state;
        struct rsi_fx f;
        fx_init(h, &f, body_calls);
        add_call(&f.k, RSI_REALM_CONFIG, 0x1008, 0, 0);
        add_call(&f.k, RSI_REALM_CONFIG, 0x1800, 0, 0);
        add_call(&f.k, RSI_REALM_CONFIG, H_UNPROT_BASE, 0, 0);
        add_call(&f.k, RSI_REALM_CONFIG, H_UNPROT_BASE - GRANULE_SIZE / 2, 0, 0);
        run_to_completion(h, &f); /* no exit: the IPA is refused before any access */
        for (unsigned i = 0; i < 4; i++)
                assert_int_equal(f.k.out[i].x[0], RSI_ERROR_INPUT);
}

/* ---- RSI_MEASUREMENT_READ / RSI_MEASUREMENT_EXTEND ---- */

static void regs_to_bytes(const struct smc_regs *r, unsigned first, uint8_t out[64])
{
        for (unsigned i = 0; i < 8; i++)
                st_le64(out + 8 * i, r->x[first + i]);
}

static void rsi_measurement_read_rejects_index_5(void **state)
{
        struct host *h = *state;
        struct rsi_fx f;
        fx_init(h, &f, body_calls);
        add_call(&f.k, RSI_MEASUREMENT_READ, 5, 0, 0);
        add_call(&f.k, RSI_MEASUREMENT_READ, UINT64_MAX, 0, 0);
        run_to_completion(h, &f);
        assert_int_equal(f.k.out[0].x[0], RSI_ERROR_INPUT);
        assert_int_equal(f.k.out[1].x[0], RSI_ERROR_INPUT);
}

static void rsi_measurement_extend_rejects_bad_index_and_size(void **state)
{
        struct host *h = *state;
        struct rsi_fx f;
        fx_init(h, &f, body_calls);
        add_call(&f.k, RSI_MEASUREMENT_EXTEND, 0, 8, 0); /* the RIM cannot be extended */
        add_call(&f.k, RSI_MEASUREMENT_EXTEND, 5, 8, 0);
        add_call(&f.k, RSI_MEASUREMENT_EXTEND, 1, 65, 0);
        add_call(&f.k, RSI_MEASUREMENT_READ, 1, 0, 0);
        run_to_completion(h, &f);
        for (unsigned i = 0; i < 3; i++)
                assert_int_equal(f.k.out[i].x[0], RSI_ERROR_INPUT);
        assert_int_equal(f.k.out[3].x[0], RSI_SUCCESS);
        for (unsigned i = 1; i <= 8; i++)
                assert_int_equal(f.k.out[3].x[i], 0); /* REM1 still zero */
}

/* REM[i] = H(REM[i] || value[0..size)), computed here directly with OpenSSL. */
static void check_extend(struct host *h, unsigned hash_algo)
{
        struct rsi_fx f;
        memset(&f, 0, sizeof(f));
        host_realm_new_hash(h, &f.r, hash_algo);
        f.rec = host_rec_create(h, &f.r, 0);
        host_activate(h, &f.r);
        f.k.body = body_calls;
        host_set_program(h, prog, &f.k);
        f.run = host_run_alloc(h);

        uint8_t v1[64], v2[64];
        for (unsigned i = 0; i < 64; i++) {
                v1[i] = (uint8_t)(i * 3 + 1);
                v2[i] = (uint8_t)(0xF0 ^ i);
        }
        struct smc_regs c = { .x = { RSI_MEASUREMENT_EXTEND, 2, 10 } };
        for (unsigned i = 0; i < 8; i++)
                c.x[3 + i] = ld_le64(v1 + 8 * i);
        f.k.in[f.k.n++] = c;
        c.x[2] = 64;
        for (unsigned i = 0; i < 8; i++)
                c.x[3 + i] = ld_le64(v2 + 8 * i);
        f.k.in[f.k.n++] = c;
        add_call(&f.k, RSI_MEASUREMENT_READ, 2, 0, 0);
        add_call(&f.k, RSI_MEASUREMENT_READ, 1, 0, 0);
        run_to_completion(h, &f);
        assert_int_equal(f.k.out[0].x[0], RSI_SUCCESS);
        assert_int_equal(f.k.out[1].x[0], RSI_SUCCESS);
        assert_int_equal(f.k.out[2].x[0], RSI_SUCCESS);

        size_t hl = hash_algo == RMI_HASH_SHA_512 ? 64 : 32;
        uint8_t buf[128] = { 0 }, want[64] = { 0 }, got[64];
        memcpy(buf + hl, v1, 10); /* REM starts all zero */
        if (hl == 64)
                SHA512(buf, hl + 10, want);
        else
                SHA256(buf, hl + 10, want);
        memcpy(buf, want, hl);
        memcpy(buf + hl, v2, 64);
        if (hl == 64)
                SHA512(buf, hl + 64, want);
        else
                SHA256(buf, hl + 64, want);
        regs_to_bytes(&f.k.out[2], 1, got);
        assert_memory_equal(got, want, 64); /* upper bytes zero for SHA-256 */
        regs_to_bytes(&f.k.out[3], 1, got);
        memset(want, 0, sizeof(want));
        assert_memory_equal(got, want, 64); /* other REMs untouched */
}

static void rsi_measurement_extend_sha256_rem_is_hash_of_rem_and_data(void **state)
{
        check_extend(*state, RMI_HASH_SHA_256);
}

static void rsi_measurement_extend_sha512_rem_is_hash_of_rem_and_data(void **state)
{
        check_extend(*state, RMI_HASH_SHA_512);
}

/* ---- RIM (A7.1) ---- */

/* Builds and runs a Realm whose only image granule holds `byte`; returns its RIM. */
static void realm_rim(struct host *h, unsigned hash_algo, uint8_t byte, uint8_t rim[64])
{
        struct rsi_fx f;
        memset(&f, 0, sizeof(f));
        host_realm_new_hash(h, &f.r, hash_algo);
        host_rtts_l3(h, &f.r, 0);
        host_init_ripas(h, &f.r, 0, 0x4000);
        (void)host_data_create(h, &f.r, 0x1000, byte, RMI_MEASURE_CONTENT);
        f.rec = host_rec_create(h, &f.r, 0);
        host_activate(h, &f.r);
        f.k.body = body_calls;
        host_set_program(h, prog, &f.k);
        f.run = host_run_alloc(h);
        add_call(&f.k, RSI_MEASUREMENT_READ, 0, 0, 0);
        run_to_completion(h, &f);
        assert_int_equal(f.k.out[0].x[0], RSI_SUCCESS);
        regs_to_bytes(&f.k.out[0], 1, rim);
}

static bool all_zero(const uint8_t *p, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (p[i])
                        return false;
        return true;
}

static void rim_same_sequence_twice_gives_same_rim(void **state)
{
        struct host *h = *state;
        uint8_t a[64], b[64];
        realm_rim(h, RMI_HASH_SHA_256, 0x11, a);
        realm_rim(h, RMI_HASH_SHA_256, 0x11, b); /* other RD, RTT, data PAs and VMID */
        assert_memory_equal(a, b, 64);
        assert_false(all_zero(a, 32));
        assert_true(all_zero(a + 32, 32)); /* SHA-256: upper 32 bytes zero */
}

static void rim_changes_with_image_content(void **state)
{
        struct host *h = *state;
        uint8_t a[64], b[64];
        realm_rim(h, RMI_HASH_SHA_256, 0x11, a);
        realm_rim(h, RMI_HASH_SHA_256, 0x12, b);
        assert_memory_not_equal(a, b, 32);
}

static void rim_of_sha512_realm_is_64_bytes(void **state)
{
        struct host *h = *state;
        uint8_t a[64], b[64];
        realm_rim(h, RMI_HASH_SHA_512, 0x11, a);
        realm_rim(h, RMI_HASH_SHA_256, 0x11, b);
        assert_false(all_zero(a + 32, 32));
        assert_memory_not_equal(a, b, 32);
}

/* REALM_CREATE alone: RIM0 = H(zeroed RmiRealmParams holding only the measured fields). */
static void rim_of_empty_realm_is_hash_of_measured_params(void **state)
{
        struct host *h = *state;
        struct rsi_fx f;
        memset(&f, 0, sizeof(f));
        host_realm_new(h, &f.r);
        struct rmi_rec_params p;
        hrec_params_default(&p, 0);
        p.flags = 0; /* a non-runnable REC is not measured... */
        uint64_t nr = host_delegated(h);
        assert_int_equal(rmi(h, RMI_REC_CREATE, f.r.rd, nr, host_write_rec_params(h, &p), 0, 0, NULL), RMI_SUCCESS);
        /* ...and cannot run, so read the RIM through a second, runnable REC: measured. */
        f.rec = host_rec_create(h, &f.r, 1);
        host_activate(h, &f.r);
        f.k.body = body_calls;
        host_set_program(h, prog, &f.k);
        f.run = host_run_alloc(h);
        add_call(&f.k, RSI_MEASUREMENT_READ, 0, 0, 0);
        run_to_completion(h, &f);
        uint8_t got[64], page[RMI_REALM_PARAMS_SIZE] = { 0 }, h0[32], d[256] = { 0 }, rec_page[RMI_REC_PARAMS_SIZE] = { 0 };
        regs_to_bytes(&f.k.out[0], 1, got);
        page[RMI_REALM_PARAMS_S2SZ] = H_S2SZ;
        page[RMI_REALM_PARAMS_NUM_BPS] = 1; /* measured as given: the count minus one */
        page[RMI_REALM_PARAMS_NUM_WPS] = 1;
        SHA256(page, sizeof(page), h0);
        /* RmmMeasurementDescriptorRec for the runnable REC (flags RUNNABLE, pc 0, gprs 0) */
        st_le64(rec_page + RMI_REC_PARAMS_FLAGS, RMI_REC_FLAG_RUNNABLE);
        d[0] = 1;
        st_le64(d + 8, 0x100);
        memcpy(d + 0x10, h0, 32);
        SHA256(rec_page, sizeof(rec_page), d + 0x50);
        uint8_t want[64] = { 0 };
        SHA256(d, sizeof(d), want);
        assert_memory_equal(got, want, 64);
}

/* ---- RSI_HOST_CALL ---- */

#define HC_IPA 0x2000ULL

static void body_host_call(struct realm_kernel *k, struct ccada_cpu *cpu)
{
        uint8_t hc[RSI_HOST_CALL_SIZE] = { 0 };
        st_le16(hc + RSI_HOST_CALL_IMM, 0x1234);
        for (unsigned i = 0; i < RSI_HOST_CALL_NUM_GPRS; i++)
                st_le64(hc + RSI_HOST_CALL_GPRS + 8 * i, 0x100 + i);
        k->res = cpu_store(cpu, HC_IPA, hc, sizeof(hc));
        k->out[0] = (struct smc_regs){ .x = { RSI_HOST_CALL, HC_IPA } };
        cpu_smc(cpu, &k->out[0]);
        (void)cpu_load(cpu, HC_IPA, k->buf, RSI_HOST_CALL_SIZE);
}

static void rsi_host_call_passes_imm_and_gprs_out_and_host_gprs_back(void **state)
{
        struct host *h = *state;
        struct rsi_fx f;
        fx_init(h, &f, body_host_call);
        assert_int_equal(host_rec_enter(h, f.rec, f.run), RMI_SUCCESS);
        assert_int_equal(run_exit_reason(h, f.run), RMI_EXIT_HOST_CALL);
        assert_int_equal(run_exit_u64(h, f.run, RMI_REC_EXIT_IMM) & 0xFFFF, 0x1234);
        for (unsigned i = 0; i < RSI_HOST_CALL_NUM_GPRS; i++) {
                assert_int_equal(run_exit_gpr(h, f.run, i), 0x100 + i);
                run_set_gpr(h, f.run, i, 0x900 + i);
        }
        assert_false(f.k.finished);
        run_to_completion(h, &f);
        assert_int_equal(f.k.res, CPU_OK);
        assert_int_equal(f.k.out[0].x[0], RSI_SUCCESS);
        assert_int_equal(ld_le16(f.k.buf + RSI_HOST_CALL_IMM), 0x1234);
        for (unsigned i = 0; i < RSI_HOST_CALL_NUM_GPRS; i++)
                assert_int_equal(ld_le64(f.k.buf + RSI_HOST_CALL_GPRS + 8 * i), 0x900 + i);
}

static void rsi_host_call_rejects_unaligned_or_unprotected_ipa(void **state)
{
        struct host *h = *state;
        struct rsi_fx f;
        fx_init(h, &f, body_calls);
        add_call(&f.k, RSI_HOST_CALL, HC_IPA + 8, 0, 0);
        add_call(&f.k, RSI_HOST_CALL, H_UNPROT_BASE, 0, 0);
        run_to_completion(h, &f); /* no HOST_CALL exit */
        assert_int_equal(f.k.out[0].x[0], RSI_ERROR_INPUT);
        assert_int_equal(f.k.out[1].x[0], RSI_ERROR_INPUT);
}

/* ---- PSCI ---- */

static void psci_version_is_answered_by_rmm_without_exit(void **state)
{
        struct host *h = *state;
        struct rsi_fx f;
        fx_init(h, &f, body_calls);
        add_call(&f.k, PSCI_VERSION, 0, 0, 0);
        add_call(&f.k, PSCI_FEATURES, PSCI_SYSTEM_OFF, 0, 0);
        add_call(&f.k, PSCI_FEATURES, 0x84000001ULL, 0, 0); /* CPU_SUSPEND: not offered */
        run_to_completion(h, &f);
        assert_int_equal(f.k.out[0].x[0], 0x10001);
        assert_int_equal(f.k.out[1].x[0], 0);
        assert_int_equal(f.k.out[2].x[0], (uint64_t)(int64_t)PSCI_RET_NOT_SUPPORTED);
}

static void psci_system_off_exits_and_later_rec_enter_fails_error_realm(void **state)
{
        struct host *h = *state;
        struct rsi_fx f;
        fx_init(h, &f, body_calls);
        add_call(&f.k, PSCI_SYSTEM_OFF, 0, 0, 0);
        add_call(&f.k, RSI_VERSION, RSI_ABI_VERSION_1_0, 0, 0);
        assert_int_equal(host_rec_enter(h, f.rec, f.run), RMI_SUCCESS);
        assert_int_equal(run_exit_reason(h, f.run), RMI_EXIT_PSCI);
        assert_int_equal(run_exit_gpr(h, f.run, 0), PSCI_SYSTEM_OFF);
        assert_int_equal(host_rec_enter(h, f.rec, f.run), RMI_ERROR_REALM);
        assert_false(f.k.finished);
        /* The Realm can be torn down. */
        assert_int_equal(rmi(h, RMI_REC_DESTROY, f.rec, 0, 0, 0, 0, NULL), RMI_SUCCESS);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                T(rsi_version_1_0_succeeds_reporting_1_0),
                T(rsi_version_other_revision_fails_error_input_reporting_1_0),
                T(rsi_features_reads_zero),
                T(rsi_unknown_fid_returns_not_supported),
                T(rsi_realm_config_writes_ipa_width_hash_algo_and_rpv),
                T(rsi_realm_config_of_sha512_realm_reports_sha512),
                T(rsi_realm_config_rejects_unaligned_or_unprotected_ipa),
                T(rsi_measurement_read_rejects_index_5),
                T(rsi_measurement_extend_rejects_bad_index_and_size),
                T(rsi_measurement_extend_sha256_rem_is_hash_of_rem_and_data),
                T(rsi_measurement_extend_sha512_rem_is_hash_of_rem_and_data),
                T(rim_same_sequence_twice_gives_same_rim),
                T(rim_changes_with_image_content),
                T(rim_of_sha512_realm_is_64_bytes),
                T(rim_of_empty_realm_is_hash_of_measured_params),
                T(rsi_host_call_passes_imm_and_gprs_out_and_host_gprs_back),
                T(rsi_host_call_rejects_unaligned_or_unprotected_ipa),
                T(psci_version_is_answered_by_rmm_without_exit),
                T(psci_system_off_exits_and_later_rec_enter_fails_error_realm),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
