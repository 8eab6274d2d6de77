/* src/machine/spdm_bench.c (include/ccada/spdm_bench.h): what ccada bench spdm stands on.
 * No timing is asserted here (benchmarks measure, tests do not): the refusals, and that one
 * repetition runs the flow the figures claim (the selection, the message and operation
 * counts, the secured records' sizes from DSP0277's layout, the connection's framing). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "ccada/spdm_bench.h"

/* a == b up to rounding (cmocka's float assertion works in single precision) */
#define assert_close(a, b) assert_close_((a), (b), #a, #b)
static void assert_close_(double a, double b, const char *ta, const char *tb)
{
        double m = fabs(a) > fabs(b) ? fabs(a) : fabs(b);
        if (fabs(a - b) > 1e-9 * m)
                fail_msg("%s = %.17g, %s = %.17g", ta, a, tb, b);
}

static void assert_refused(const struct ccada_spdm_bench_cfg *cfg, const char *text)
{
        struct ccada_spdm_bench_result r, zero;
        char why[160] = "";
        memset(&r, 0xa5, sizeof(r));
        memset(&zero, 0, sizeof(zero));
        assert_int_equal(ccada_spdm_bench_run(cfg, &r, why, sizeof(why)), CCADA_E_INVAL);
        if (!strstr(why, text))
                fail_msg("why '%s' does not contain '%s'", why, text);
        /* nothing half filled that a caller could print */
        assert_memory_equal(&r, &zero, sizeof(r));
}

static void spdm_bench_rejects_zero_repetitions(void **state)
{
        (void)state;
        assert_refused(&(struct ccada_spdm_bench_cfg){ .reps = 0 }, "repetitions must be 1..31");
}

static void spdm_bench_rejects_more_repetitions_than_it_keeps(void **state)
{
        (void)state;
        assert_refused(&(struct ccada_spdm_bench_cfg){ .reps = CCADA_SPDM_BENCH_MAX_REPS + 1 },
                       "repetitions must be 1..31");
}

static void spdm_bench_rejects_more_heartbeats_than_the_maximum(void **state)
{
        (void)state;
        assert_refused(&(struct ccada_spdm_bench_cfg){ .reps = 1,
                                                       .heartbeats = CCADA_SPDM_BENCH_MAX_HEARTBEATS + 1 },
                       "heartbeats at most 1000000");
}

static void spdm_bench_rejects_a_missing_configuration_or_result(void **state)
{
        struct ccada_spdm_bench_result r;
        char why[160] = "";
        (void)state;
        assert_refused(NULL, "repetitions must be");
        assert_int_equal(
                ccada_spdm_bench_run(&(struct ccada_spdm_bench_cfg){ .reps = 1 }, NULL, why, sizeof(why)),
                CCADA_E_INVAL);
        assert_non_null(strstr(why, "no result"));
        /* why is optional */
        assert_int_equal(ccada_spdm_bench_run(&(struct ccada_spdm_bench_cfg){ .reps = 0 }, &r, NULL, 0),
                         CCADA_E_INVAL);
}

static void spdm_bench_one_repetition_runs_the_stated_flow(void **state)
{
        struct ccada_spdm_bench_result r;
        char why[256] = "";
        (void)state;
        ccada_status st = ccada_spdm_bench_run(&(struct ccada_spdm_bench_cfg){ .reps = 1, .heartbeats = 10 },
                                               &r, why, sizeof(why));
        if (st != CCADA_OK)
                fail_msg("%s: %s", ccada_status_name(st), why);
        assert_int_equal(r.reps, 1);
        assert_int_equal(r.heartbeats, 10);
        /* P-384, SHA-384, secp384r1, AES-256-GCM, as the header states */
        assert_non_null(strstr(r.algorithms, "ECDSA-P384 SHA-384 secp384r1 AES-256-GCM"));
        /* VERSION, CAPABILITIES, ALGORITHMS, DIGESTS, CERTIFICATE, CHALLENGE, MEASUREMENTS,
         * KEY_EXCHANGE, FINISH */
        assert_int_equal(r.messages, 9);
        assert_int_equal(r.ops.sign, 3);
        assert_int_equal(r.ops.verify, 6);
        assert_int_equal(r.ops.ecdh, 2);
        assert_int_equal(r.ops.keygen, 2);
        /* DSP0277 on DOE: SessionID 4, Length 2, ApplicationDataLength 2, HEARTBEAT or
         * HEARTBEAT_ACK (4 bytes: SPDMVersion, code, Param1, Param2), MAC 16 */
        assert_int_equal(r.request_record, 4 + 2 + 2 + 4 + 16);
        assert_int_equal(r.response_record, 4 + 2 + 2 + 4 + 16);
        /* every frame: a 12-byte header and a DOE object of whole DWs; 18 frames at least
         * 12 + 8 + 4 bytes each, and the 3-certificate chain among them */
        assert_int_equal(r.socket_bytes % 4, 0);
        assert_true(r.socket_bytes > 18 * (12 + 8 + 4) + 3 * 300);
        /* one repetition: each median is its only sample */
        assert_true(r.attest_ms > 0 && r.attest_secured_ms > 0 && r.socket_ms > r.socket_connect_ms);
        assert_true(r.floor_sign_ms > 0 && r.floor_verify_ms > 0 && r.floor_ecdh_ms > 0 &&
                    r.floor_keygen_ms > 0);
        assert_close(r.floor_ms, r.floor_sign_ms + r.floor_verify_ms + r.floor_ecdh_ms + r.floor_keygen_ms);
        assert_close(r.ratio, r.attest_ms / r.floor_ms);
        assert_close(r.ratio_min, r.ratio);
        assert_close(r.ratio_max, r.ratio);
        assert_close(r.socket_ratio, r.socket_ms / r.attest_ms);
        assert_true(r.socket_io_us_per_message > 0 && r.socket_io_us_per_message * 18 / 1e3 < r.socket_ms);
        assert_true(r.round_trips_per_s > 0 && r.aead_round_trips_per_s > 0);
        assert_close(r.messages_per_s, 2 * r.round_trips_per_s);
        assert_close(r.session_ratio, r.aead_round_trips_per_s / r.round_trips_per_s);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(spdm_bench_rejects_zero_repetitions),
                cmocka_unit_test(spdm_bench_rejects_more_repetitions_than_it_keeps),
                cmocka_unit_test(spdm_bench_rejects_more_heartbeats_than_the_maximum),
                cmocka_unit_test(spdm_bench_rejects_a_missing_configuration_or_result),
                cmocka_unit_test(spdm_bench_one_repetition_runs_the_stated_flow),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
