/* RSI_VDEV_GET_INFO / RSI_VDEV_DMA_ENABLE / RSI_VDEV_DMA_DISABLE and RMI_VDEV_COMPLETE (RMM
 * 2.0-beta device assignment as TF-RMM main realises it; facts/spdm-tdisp-ide.md §7.2, §7.3).
 * A REC runs a tiny Realm program that makes one RSI call per request of the test and goes
 * back to the host (RSI_HOST_CALL) in between; the test is the host: it brings ccada-dev's
 * PDEV to READY with its IDE stream and a VDEV through LOCK, report and START (the rig of
 * tests/kit/da_rig.c), keeps the objects the RMM marks for caching, and answers each
 * RMI_EXIT_VDEV_REQUEST with RMI_VDEV_COMPLETE. What the Realm gets is checked against
 * independent views: hashes of the host's cached bytes, the SMMU's stream table entry, and
 * device DMA through the SMMU seen at the physical page. The RMM's invariants are checked after
 * every call (rmm_harness). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "da_rig.h"
#include "lib/crypto.h"
#include "proto/spdm.h"
#include "proto/tdisp.h"
#include "rmm/tsm.h"
#include "rmm_harness.h"

#define BDF      DA_RIG_BDF
#define VDEV_ID  DA_RIG_VDEV_ID

/* The Realm's IPA layout: four DATA pages, RIPAS RAM up to H_RAM_TOP. */
#define IPA_INFO   0x1000ULL     /* RsiVdevInfo */
#define IPA_DMA    0x2000ULL     /* what the TDI writes */
#define IPA_NODATA 0x8000ULL     /* RIPAS RAM, not mapped */
#define NPAGES     4

struct fx;
typedef void (*answer_fn)(struct fx *f);

struct fx {
        struct host h;
        struct da_rig rig;                      /* ccada-dev, its PDEV and the current VDEV */
        struct hrealm realm, other;             /* the Realm that runs, and one that does not */
        uint64_t rec, run;
        uint64_t data_pa[NPAGES], other_pa;
        struct realm_kernel k;                  /* the Realm: da_rig_realm_program, DA_SMC only */
        answer_fn answer;                       /* the host's reply to a VDEV request */
        unsigned requests;                      /* RMI_EXIT_VDEV_REQUESTs seen */
        unsigned validations;                   /* RMI_EXIT_VDEV_VALIDATE_MAPPINGs seen */
        uint64_t requested_id;
};

static void fail_test(const char *why)
{
        fail_msg("%s", why);
}

/* The Realm that runs: DATA pages over [0, NPAGES pages), RIPAS RAM to H_RAM_TOP, one REC. */
static void realm_up(struct fx *f)
{
        host_realm_new(&f->h, &f->realm);
        host_rtts_l3(&f->h, &f->realm, 0);
        host_init_ripas(&f->h, &f->realm, 0, H_RAM_TOP);
        for (unsigned i = 0; i < NPAGES; i++)
                f->data_pa[i] = host_data_create(&f->h, &f->realm, (uint64_t)i * GRANULE_SIZE, 0,
                                                 RMI_NO_MEASURE_CONTENT);
        f->rec = host_rec_create(&f->h, &f->realm, 0);
        host_activate(&f->h, &f->realm);
        assert_true(rmm_bind_realm_program(f->h.rmm, f->realm.rd, &(struct ccada_realm_program){
                                                   .entry = da_rig_realm_program, .kernel = &f->k }));
        f->run = host_run_alloc(&f->h);
        /* the other Realm: one DATA page holding 0x5A */
        host_realm_new(&f->h, &f->other);
        host_rtts_l3(&f->h, &f->other, 0);
        host_init_ripas(&f->h, &f->other, 0, GRANULE_SIZE);
        f->other_pa = host_data_create(&f->h, &f->other, 0, 0x5A, RMI_NO_MEASURE_CONTENT);
}

static void answer_with_the_vdev(struct fx *f)
{
        assert_int_equal(rmi(&f->h, RMI_VDEV_COMPLETE, f->rec, f->rig.vdev, 0, 0, 0, NULL), RMI_SUCCESS);
}

static void answer_nothing(struct fx *f)
{
        (void)f;
}

static int setup(void **state)
{
        struct fx *f = calloc(1, sizeof(*f));
        assert_non_null(f);
        host_init_da(&f->h);
        f->answer = answer_with_the_vdev;
        da_rig_init(&f->rig, &(struct da_rig_config){ .mem = f->h.mem, .rmm = f->h.rmm, .seed = "rsi-vdev",
                                                      .ns_base = host_alloc_n(&f->h, 512), .ns_granules = 512,
                                                      .trust_root = true, .smmu = true, .fail = fail_test });
        da_rig_pdev_ready_with_stream(&f->rig);
        realm_up(f);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fx *f = *state;
        da_rig_fini(&f->rig);
        host_fini(&f->h);
        free(f);
        return 0;
}

/* ---- the Realm's calls ---- */

/* Has the Realm make one RSI call; answers its VDEV requests with f->answer; returns X0. */
static uint64_t realm_call_regs(struct fx *f, const struct smc_regs *in)
{
        unsigned before = f->k.done;
        f->k.in = *in;
        f->k.has_cmd = true;
        for (unsigned i = 0; i < 4; i++) {
                assert_int_equal(host_rec_enter(&f->h, f->rec, f->run), RMI_SUCCESS);
                uint64_t reason = run_exit_reason(&f->h, f->run);
                if (reason == RMI_EXIT_HOST_CALL) {
                        assert_int_equal(f->k.done, before + 1);
                        return f->k.out.x[0];
                }
                if (reason == RMI_EXIT_VDEV_VALIDATE_MAPPING) { /* the host validates nothing */
                        f->validations++;
                        continue;
                }
                assert_int_equal(reason, RMI_EXIT_VDEV_REQUEST);
                f->requests++;
                f->requested_id = run_exit_u64(&f->h, f->run, RMI_REC_EXIT_VDEV_ID_1);
                f->answer(f);
        }
        fail_msg("the Realm's call did not finish");
        return 0;
}

static uint64_t realm_call(struct fx *f, uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                           uint64_t a5, uint64_t a6)
{
        return realm_call_regs(f, &(struct smc_regs){ .x = { fid, a1, a2, a3, a4, a5, a6 } });
}

static uint64_t get_info(struct fx *f, uint64_t vdev_id, uint64_t ipa)
{
        return realm_call(f, RSI_VDEV_GET_INFO, vdev_id, ipa, 0, 0, 0, 0);
}

static uint64_t dma_enable(struct fx *f, uint64_t lock, uint64_t meas, uint64_t report)
{
        return realm_call(f, RSI_VDEV_DMA_ENABLE, VDEV_ID, 0, 0, lock, meas, report);
}

static struct rsi_vdev_info info_seen(struct fx *f)
{
        struct rsi_vdev_info i;
        assert_int_equal(f->k.load, CPU_OK);
        rsi_vdev_info_decode(f->k.info, &i);
        return i;
}

static bool page_is_zero(struct fx *f, uint64_t pa)
{
        uint8_t b[GRANULE_SIZE], z[GRANULE_SIZE] = { 0 };
        assert_int_equal(hw_read(f->h.mem, HW_WORLD_ROOT, pa, b, sizeof(b), NULL), HW_OK);
        return memcmp(b, z, sizeof(b)) == 0;
}

static enum hw_ste_mode ste_mode(struct fx *f, uint16_t sid)
{
        struct hw_ste s;
        hw_smmu_ste_get(f->rig.smmu, sid, &s);
        return s.mode;
}

/* One T=1 (or T=0) write of 64 bytes by stream sid at iova; its fault reason. */
static enum hw_dma_reason tdi_write(struct fx *f, uint16_t sid, bool t, uint64_t iova, uint8_t byte)
{
        uint8_t buf[64];
        struct hw_dma_fault fault = { .reason = HW_DMA_OK };
        memset(buf, byte, sizeof(buf));
        enum hw_result r = hw_dma(f->rig.smmu, sid, t, iova, buf, sizeof(buf), HW_ACCESS_WRITE, &fault);
        assert_true((r == HW_OK) == (fault.reason == HW_DMA_OK));
        return fault.reason;
}

/* ---- RSI_FEATURES and an RMM without device assignment ---- */

static void rsi_features_advertises_device_assignment(void **state)
{
        struct fx *f = *state;
        assert_int_equal(realm_call(f, RSI_FEATURES, 0, 0, 0, 0, 0, 0), RSI_SUCCESS);
        assert_int_equal(f->k.out.x[1], RSI_FEATURE_REGISTER_0_DA);
        assert_int_equal(realm_call(f, RSI_FEATURES, 1, 0, 0, 0, 0, 0), RSI_SUCCESS);
        assert_int_equal(f->k.out.x[1], 0);
}

static void rsi_vdev_calls_fail_state_without_device_assignment_and_never_exit(void **state)
{
        struct fx f2;
        (void)state;
        memset(&f2, 0, sizeof(f2));
        host_init(&f2.h);                               /* cfg.da false */
        host_realm_new(&f2.h, &f2.realm);
        host_rtts_l3(&f2.h, &f2.realm, 0);
        host_init_ripas(&f2.h, &f2.realm, 0, H_RAM_TOP);
        for (unsigned i = 0; i < NPAGES; i++)
                (void)host_data_create(&f2.h, &f2.realm, (uint64_t)i * GRANULE_SIZE, 0, RMI_NO_MEASURE_CONTENT);
        f2.rec = host_rec_create(&f2.h, &f2.realm, 0);
        host_activate(&f2.h, &f2.realm);
        assert_true(rmm_bind_realm_program(f2.h.rmm, f2.realm.rd, &(struct ccada_realm_program){
                                                   .entry = da_rig_realm_program, .kernel = &f2.k }));
        f2.run = host_run_alloc(&f2.h);
        f2.answer = answer_nothing;
        assert_int_equal(get_info(&f2, VDEV_ID, IPA_INFO), RSI_ERROR_STATE);
        assert_int_equal(dma_enable(&f2, 1, 0, 1), RSI_ERROR_STATE);
        assert_int_equal(realm_call(&f2, RSI_VDEV_DMA_DISABLE, VDEV_ID, 0, 0, 0, 0, 0), RSI_ERROR_STATE);
        assert_int_equal(f2.requests, 0);
        assert_int_equal(realm_call(&f2, RSI_FEATURES, 0, 0, 0, 0, 0, 0), RSI_SUCCESS);
        assert_int_equal(f2.k.out.x[1], 0);
        assert_int_equal(rmi(&f2.h, RMI_VDEV_COMPLETE, f2.rec, host_delegated(&f2.h), 0, 0, 0, NULL),
                         SMCCC_RET_NOT_SUPPORTED);
        host_fini(&f2.h);
}

/* ---- RSI_VDEV_GET_INFO ---- */

static void vdev_get_info_gives_the_realm_digests_of_what_the_host_cached(void **state)
{
        struct fx *f = *state;
        struct rmm_pdev_info pi;
        struct rmm_vdev_info vi;
        uint8_t d[HASH_MAX_LEN], zero[RSI_VDEV_DIGEST_MAX] = { 0 };
        da_rig_vdev_started(&f->rig, f->realm.rd, NULL);
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_SUCCESS);
        assert_int_equal(f->requests, 1);               /* one exit, naming the Realm's id */
        assert_int_equal(f->requested_id, VDEV_ID);
        struct rsi_vdev_info i = info_seen(f);
        assert_int_equal(i.flags, 0);
        assert_int_equal(i.cert_id, 0);
        assert_int_equal(i.hash_algo, RSI_HASH_SHA_384);
        assert_int_equal(i.lock_nonce, 1);
        assert_int_equal(i.meas_nonce, 0);
        assert_int_equal(i.report_nonce, 1);
        assert_int_equal(i.format_type, RSI_VDEV_REPORT_FORMAT_TDISP);
        assert_int_equal(i.format_version, 0x10000);
        assert_int_equal(i.state, RSI_VDEV_STATE_STARTED);
        /* each digest is of the bytes the host holds (what a Realm fetches and checks) */
        assert_true(hash_once(HASH_SHA384, f->rig.obj[RMI_DEV_OBJ_VCA], f->rig.obj_len[RMI_DEV_OBJ_VCA], d));
        assert_memory_equal(i.vca_digest, d, 48);
        assert_true(hash_once(HASH_SHA384, f->rig.obj[RMI_DEV_OBJ_CERTIFICATE],
                              f->rig.obj_len[RMI_DEV_OBJ_CERTIFICATE], d));
        assert_memory_equal(i.cert_digest, d, 48);
        assert_true(hash_once(HASH_SHA384, f->rig.point, f->rig.point_len, d));
        assert_memory_equal(i.pubkey_digest, d, 48);
        assert_true(hash_once(HASH_SHA384, f->rig.obj[RMI_DEV_OBJ_MEASUREMENTS],
                              f->rig.obj_len[RMI_DEV_OBJ_MEASUREMENTS], d));
        assert_memory_equal(i.meas_digest, d, 48);
        assert_true(hash_once(HASH_SHA384, f->rig.obj[RMI_DEV_OBJ_INTERFACE_REPORT],
                              f->rig.obj_len[RMI_DEV_OBJ_INTERFACE_REPORT], d));
        assert_memory_equal(i.report_digest, d, 48);
        /* and what the RMM computed; the bytes past a SHA-384 digest are zero */
        assert_true(rmm_pdev_info(f->h.rmm, f->rig.pdev, &pi));
        assert_true(rmm_vdev_info(f->h.rmm, f->rig.vdev, &vi));
        assert_memory_equal(i.vca_digest, pi.vca_digest, 48);
        assert_memory_equal(i.meas_digest, pi.meas_digest, 48);
        assert_memory_equal(i.report_digest, vi.report_digest, 48);
        assert_memory_equal(i.vca_digest + 48, zero, 16);
        assert_memory_equal(i.report_digest + 48, zero, 16);
        assert_int_equal(i.vsmmu_addr, 0);
}

static void vdev_get_info_reports_locked_and_the_nonces_as_they_move(void **state)
{
        struct fx *f = *state;
        da_rig_vdev_locked_reported(&f->rig, f->realm.rd, NULL);
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_SUCCESS);
        struct rsi_vdev_info i = info_seen(f);
        assert_int_equal(i.state, RSI_VDEV_STATE_LOCKED);
        assert_int_equal(i.report_nonce, 1);
        da_rig_vdev_op(&f->rig, RMI_VDEV_GET_INTERFACE_REPORT);
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_SUCCESS);
        i = info_seen(f);
        assert_int_equal(i.report_nonce, 2);
        da_rig_vdev_op(&f->rig, RMI_VDEV_UNLOCK);
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_SUCCESS);
        i = info_seen(f);
        assert_int_equal(i.state, RSI_VDEV_STATE_UNLOCKED);
        uint8_t zero[RSI_VDEV_DIGEST_MAX] = { 0 };
        assert_memory_equal(i.report_digest, zero, sizeof(zero)); /* no report since the unlock */
}

static void vdev_get_info_for_an_id_the_host_cannot_resolve_fails_input(void **state)
{
        struct fx *f = *state;
        da_rig_vdev_started(&f->rig, f->realm.rd, NULL);
        f->answer = answer_nothing;                     /* the host has no VDEV 0x78 */
        assert_int_equal(get_info(f, VDEV_ID + 1, IPA_INFO), RSI_ERROR_INPUT);
        assert_int_equal(f->requests, 1);
        assert_int_equal(f->requested_id, VDEV_ID + 1);
        assert_true(page_is_zero(f, f->data_pa[IPA_INFO / GRANULE_SIZE]));
}

/* Tries to answer the request with the VDEV: refused, since its vdev_id is not the one asked. */
static void answer_with_the_vdev_refused(struct fx *f)
{
        assert_int_equal(rmi(&f->h, RMI_VDEV_COMPLETE, f->rec, f->rig.vdev, 0, 0, 0, NULL), RMI_ERROR_INPUT);
}

static void vdev_complete_with_a_vdev_of_another_id_is_refused_and_the_call_fails(void **state)
{
        struct fx *f = *state;
        da_rig_vdev_started(&f->rig, f->realm.rd, NULL);
        f->answer = answer_with_the_vdev_refused;
        assert_int_equal(get_info(f, VDEV_ID + 1, IPA_INFO), RSI_ERROR_INPUT);
        assert_true(page_is_zero(f, f->data_pa[IPA_INFO / GRANULE_SIZE]));
}

static void vdev_get_info_for_a_vdev_of_another_realm_fails_input(void **state)
{
        struct fx *f = *state;
        da_rig_vdev_create(&f->rig, f->other.rd, NULL);        /* same vdev_id, the other Realm's */
        f->answer = answer_with_the_vdev_refused;
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_ERROR_INPUT);
        assert_int_equal(f->requests, 1);
        assert_true(page_is_zero(f, f->data_pa[IPA_INFO / GRANULE_SIZE]));
}

static void vdev_get_info_refuses_an_unprotected_or_unaligned_buffer_without_an_exit(void **state)
{
        struct fx *f = *state;
        da_rig_vdev_started(&f->rig, f->realm.rd, NULL);
        assert_int_equal(get_info(f, VDEV_ID, H_UNPROT_BASE + IPA_INFO), RSI_ERROR_INPUT);
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO + 0x100), RSI_ERROR_INPUT);
        assert_int_equal(get_info(f, VDEV_ID, 1ULL << 48), RSI_ERROR_INPUT);
        assert_int_equal(f->requests, 0);
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO + 0x200), RSI_SUCCESS); /* 512-aligned is enough */
}

static void vdev_get_info_refuses_a_buffer_the_realm_has_not_mapped(void **state)
{
        struct fx *f = *state;
        da_rig_vdev_started(&f->rig, f->realm.rd, NULL);
        assert_int_equal(get_info(f, VDEV_ID, IPA_NODATA), RSI_ERROR_INPUT);     /* RAM, unassigned */
        assert_int_equal(get_info(f, VDEV_ID, H_RAM_TOP), RSI_ERROR_INPUT);      /* EMPTY */
        assert_int_equal(f->requests, 2);
}

/* ---- RMI_VDEV_COMPLETE ---- */

static void vdev_complete_needs_a_rec_waiting_on_a_vdev_request(void **state)
{
        struct fx *f = *state;
        da_rig_vdev_started(&f->rig, f->realm.rd, NULL);
        /* the REC is not waiting (not run yet; then idle in a host call) */
        assert_int_equal(rmi(&f->h, RMI_VDEV_COMPLETE, f->rec, f->rig.vdev, 0, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(realm_call(f, RSI_FEATURES, 0, 0, 0, 0, 0, 0), RSI_SUCCESS);
        assert_int_equal(rmi(&f->h, RMI_VDEV_COMPLETE, f->rec, f->rig.vdev, 0, 0, 0, NULL), RMI_ERROR_INPUT);
}

/* Bad arguments, a second answer, a VDEV mid-operation; then the right answer. */
static void answer_after_refusals(struct fx *f)
{
        assert_int_equal(rmi(&f->h, RMI_VDEV_COMPLETE, f->rig.vdev, f->rig.vdev, 0, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(&f->h, RMI_VDEV_COMPLETE, f->rec, f->rec, 0, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(&f->h, RMI_VDEV_COMPLETE, f->rec, f->rig.vdev + 8, 0, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(&f->h, RMI_VDEV_COMPLETE, f->rec + 8, f->rig.vdev, 0, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(da_rig_vdev_rmi(&f->rig, RMI_VDEV_GET_INTERFACE_REPORT), RMI_SUCCESS); /* TDISP in flight */
        assert_int_equal(rmi(&f->h, RMI_VDEV_COMPLETE, f->rec, f->rig.vdev, 0, 0, 0, NULL), RMI_ERROR_DEVICE);
        da_rig_communicate(&f->rig, f->rig.vdev);
        assert_int_equal(rmi(&f->h, RMI_VDEV_COMPLETE, f->rec, f->rig.vdev, 0, 0, 0, NULL), RMI_SUCCESS);
        assert_int_equal(rmi(&f->h, RMI_VDEV_COMPLETE, f->rec, f->rig.vdev, 0, 0, 0, NULL), RMI_ERROR_INPUT);
}

static void vdev_complete_refuses_bad_arguments_and_a_busy_vdev_then_accepts(void **state)
{
        struct fx *f = *state;
        da_rig_vdev_started(&f->rig, f->realm.rd, NULL);
        f->answer = answer_after_refusals;
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_SUCCESS);
        struct rsi_vdev_info i = info_seen(f);
        assert_int_equal(i.report_nonce, 2);            /* the report fetched while it waited */
}

/* The host destroys the VDEV it named before re-entering the REC. */
static void answer_then_destroy(struct fx *f)
{
        answer_with_the_vdev(f);
        da_rig_vdev_op(&f->rig, RMI_VDEV_UNLOCK);
        assert_int_equal(da_rig_vdev_rmi(&f->rig, RMI_VDEV_DESTROY), RMI_SUCCESS);
}

static void vdev_destroyed_after_complete_fails_the_call(void **state)
{
        struct fx *f = *state;
        da_rig_vdev_started(&f->rig, f->realm.rd, NULL);
        f->answer = answer_then_destroy;
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_ERROR_INPUT);
        assert_true(page_is_zero(f, f->data_pa[IPA_INFO / GRANULE_SIZE]));
}

/* ---- RSI_VDEV_DMA_ENABLE / DISABLE ---- */

static void dma_enable_is_refused_before_the_vdev_is_started(void **state)
{
        struct fx *f = *state;
        da_rig_vdev_locked_reported(&f->rig, f->realm.rd, NULL);
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_SUCCESS);
        struct rsi_vdev_info i = info_seen(f);
        assert_int_equal(dma_enable(f, i.lock_nonce, i.meas_nonce, i.report_nonce), RSI_ERROR_DEVICE);
        assert_int_equal(ste_mode(f, BDF), HW_STE_ABORT);
}

static void dma_enable_refuses_flags_and_planes_without_an_exit(void **state)
{
        struct fx *f = *state;
        da_rig_vdev_started(&f->rig, f->realm.rd, NULL);
        assert_int_equal(realm_call(f, RSI_VDEV_DMA_ENABLE, VDEV_ID, 1, 0, 1, 0, 1), RSI_ERROR_INPUT);
        assert_int_equal(realm_call(f, RSI_VDEV_DMA_ENABLE, VDEV_ID, 0, 1, 1, 0, 1), RSI_ERROR_INPUT);
        assert_int_equal(f->requests, 0);
        assert_int_equal(ste_mode(f, BDF), HW_STE_ABORT);
}

static void dma_enable_with_stale_nonces_is_refused(void **state)
{
        struct fx *f = *state;
        da_rig_vdev_started(&f->rig, f->realm.rd, NULL);
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_SUCCESS);
        struct rsi_vdev_info old = info_seen(f);
        da_rig_vdev_op(&f->rig, RMI_VDEV_GET_INTERFACE_REPORT);      /* re-reported since the Realm looked */
        assert_int_equal(dma_enable(f, old.lock_nonce, old.meas_nonce, old.report_nonce), RSI_ERROR_DEVICE);
        assert_int_equal(ste_mode(f, BDF), HW_STE_ABORT);
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_SUCCESS);
        struct rsi_vdev_info now = info_seen(f);
        assert_int_equal(dma_enable(f, now.lock_nonce - 1, now.meas_nonce, now.report_nonce), RSI_ERROR_DEVICE);
        assert_int_equal(dma_enable(f, now.lock_nonce, now.meas_nonce + 1, now.report_nonce), RSI_ERROR_DEVICE);
        assert_int_equal(ste_mode(f, BDF), HW_STE_ABORT);
        assert_int_equal(dma_enable(f, now.lock_nonce, now.meas_nonce, now.report_nonce), RSI_SUCCESS);
        assert_int_equal(ste_mode(f, BDF), HW_STE_REALM);
}

static void dma_enable_after_a_relock_needs_the_new_lock_nonce(void **state)
{
        struct fx *f = *state;
        da_rig_vdev_started(&f->rig, f->realm.rd, NULL);
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_SUCCESS);
        struct rsi_vdev_info old = info_seen(f);
        da_rig_vdev_op(&f->rig, RMI_VDEV_UNLOCK);
        da_rig_vdev_op(&f->rig, RMI_VDEV_LOCK);
        da_rig_vdev_op(&f->rig, RMI_VDEV_GET_INTERFACE_REPORT);
        da_rig_vdev_op(&f->rig, RMI_VDEV_START);
        assert_int_equal(dma_enable(f, old.lock_nonce, old.meas_nonce, old.report_nonce), RSI_ERROR_DEVICE);
        assert_int_equal(dma_enable(f, old.lock_nonce + 1, old.meas_nonce, old.report_nonce), RSI_ERROR_DEVICE);
        assert_int_equal(dma_enable(f, old.lock_nonce + 1, old.meas_nonce, old.report_nonce + 1), RSI_SUCCESS);
}

static void dma_enable_lets_the_tdi_write_its_realm_and_nothing_else(void **state)
{
        struct fx *f = *state;
        uint8_t b[64], other[GRANULE_SIZE], want[GRANULE_SIZE];
        da_rig_vdev_started(&f->rig, f->realm.rd, NULL);
        assert_int_equal(tdi_write(f, BDF, true, IPA_DMA, 0xC3), HW_DMA_STREAM_ABORT);   /* before */
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_SUCCESS);
        struct rsi_vdev_info i = info_seen(f);
        assert_int_equal(dma_enable(f, i.lock_nonce, i.meas_nonce, i.report_nonce), RSI_SUCCESS);
        struct hw_ste ste;
        hw_smmu_ste_get(f->rig.smmu, BDF, &ste);
        assert_int_equal(ste.mode, HW_STE_REALM);
        assert_true(ste.dma_enabled);
        assert_int_equal(ste.owner, (uint32_t)f->realm.vmid + 1);
        /* a T=1 write lands in the Realm's page behind IPA_DMA */
        assert_int_equal(tdi_write(f, BDF, true, IPA_DMA + 0x40, 0xC3), HW_DMA_OK);
        assert_int_equal(hw_read(f->h.mem, HW_WORLD_ROOT, f->data_pa[IPA_DMA / GRANULE_SIZE] + 0x40, b, sizeof(b),
                                 NULL),
                         HW_OK);
        for (unsigned k = 0; k < sizeof(b); k++)
                assert_int_equal(b[k], 0xC3);
        /* and nowhere else: T=0, an IPA not mapped, mapped but RIPAS EMPTY, unprotected (even
         * where the host mapped a shared page), the other Realm's page by its PA, another stream */
        uint64_t empty = host_delegated(&f->h), shared = host_alloc(&f->h);
        assert_int_equal(rmi(&f->h, RMI_DATA_CREATE_UNKNOWN, f->realm.rd, empty, H_RAM_TOP, 0, 0, NULL), RMI_SUCCESS);
        host_rtts_l3(&f->h, &f->realm, H_UNPROT_BASE);
        assert_int_equal(rmi(&f->h, RMI_RTT_MAP_UNPROTECTED, f->realm.rd, H_UNPROT_BASE + IPA_DMA, 3, shared, 0, NULL),
                         RMI_SUCCESS);
        assert_int_equal(tdi_write(f, BDF, false, IPA_DMA, 0xEE), HW_DMA_T_MISMATCH);
        assert_int_equal(tdi_write(f, BDF, true, IPA_NODATA, 0xEE), HW_DMA_S2_FAULT);
        assert_int_equal(tdi_write(f, BDF, true, H_RAM_TOP, 0xEE), HW_DMA_S2_FAULT);
        assert_int_equal(tdi_write(f, BDF, true, H_UNPROT_BASE + IPA_DMA, 0xEE), HW_DMA_S2_FAULT);
        assert_true(page_is_zero(f, empty));
        assert_true(page_is_zero(f, shared));
        assert_int_equal(tdi_write(f, BDF, true, f->other_pa, 0xEE), HW_DMA_S2_FAULT);
        assert_int_equal(tdi_write(f, BDF + 1, true, IPA_DMA, 0xEE), HW_DMA_STREAM_ABORT);
        assert_int_equal(hw_read(f->h.mem, HW_WORLD_ROOT, f->other_pa, other, sizeof(other), NULL), HW_OK);
        memset(want, 0x5A, sizeof(want));
        assert_memory_equal(other, want, sizeof(want));
        assert_true(page_is_zero(f, f->data_pa[3]));
        /* the host cannot take the stream over */
        struct hw_ste bypass = { .mode = HW_STE_BYPASS };
        assert_int_equal(hw_smmu_ste_set(f->rig.smmu, HW_WORLD_NS, BDF, &bypass), HW_SMMU_DENIED);
}

static void dma_disable_takes_the_stream_back_to_abort(void **state)
{
        struct fx *f = *state;
        da_rig_vdev_started(&f->rig, f->realm.rd, NULL);
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_SUCCESS);
        struct rsi_vdev_info i = info_seen(f);
        assert_int_equal(dma_enable(f, i.lock_nonce, i.meas_nonce, i.report_nonce), RSI_SUCCESS);
        assert_int_equal(tdi_write(f, BDF, true, IPA_DMA, 0x11), HW_DMA_OK);
        assert_int_equal(realm_call(f, RSI_VDEV_DMA_DISABLE, VDEV_ID, 0, 0, 0, 0, 0), RSI_SUCCESS);
        assert_int_equal(ste_mode(f, BDF), HW_STE_ABORT);
        assert_int_equal(tdi_write(f, BDF, true, IPA_DMA, 0x22), HW_DMA_STREAM_ABORT);
        assert_int_equal(realm_call(f, RSI_VDEV_DMA_DISABLE, VDEV_ID, 0, 0, 0, 0, 0), RSI_SUCCESS); /* again */
        f->answer = answer_nothing;
        assert_int_equal(realm_call(f, RSI_VDEV_DMA_DISABLE, VDEV_ID, 0, 0, 0, 0, 0), RSI_ERROR_INPUT);
}

static void vdev_unlock_takes_the_stream_down_before_the_tdi_stops(void **state)
{
        struct fx *f = *state;
        da_rig_vdev_started(&f->rig, f->realm.rd, NULL);
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_SUCCESS);
        struct rsi_vdev_info i = info_seen(f);
        assert_int_equal(dma_enable(f, i.lock_nonce, i.meas_nonce, i.report_nonce), RSI_SUCCESS);
        assert_int_equal(da_rig_vdev_rmi(&f->rig, RMI_VDEV_UNLOCK), RMI_SUCCESS);
        assert_int_equal(ste_mode(f, BDF), HW_STE_ABORT);       /* at once, STOP not yet sent */
        assert_int_equal(pdev_tdi_state(f->rig.dev), TDISP_STATE_RUN);
        assert_int_equal(tdi_write(f, BDF, true, IPA_DMA, 0x33), HW_DMA_STREAM_ABORT);
        da_rig_communicate(&f->rig, f->rig.vdev);
        assert_int_equal(da_rig_vdev_rmi(&f->rig, RMI_VDEV_DESTROY), RMI_SUCCESS);
}

static void vdev_error_takes_the_stream_down(void **state)
{
        struct fx *f = *state;
        da_rig_vdev_started(&f->rig, f->realm.rd, NULL);
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_SUCCESS);
        struct rsi_vdev_info i = info_seen(f);
        assert_int_equal(dma_enable(f, i.lock_nonce, i.meas_nonce, i.report_nonce), RSI_SUCCESS);
        /* a report fetch the host aborts mid-exchange: the VDEV goes to ERROR */
        assert_int_equal(da_rig_vdev_rmi(&f->rig, RMI_VDEV_GET_INTERFACE_REPORT), RMI_SUCCESS);
        da_rig_enter(&f->rig, RMI_DEV_COMM_NONE, 0);
        assert_int_equal(rmi(&f->h, RMI_VDEV_COMMUNICATE, f->rig.vdev_rd, f->rig.pdev, f->rig.vdev,
                             f->rig.comm, 0, NULL),
                         RMI_SUCCESS);
        assert_int_equal(da_rig_vdev_rmi(&f->rig, RMI_VDEV_ABORT), RMI_SUCCESS);
        struct smc_regs r;
        assert_int_equal(rmi(&f->h, RMI_VDEV_GET_STATE, f->rig.vdev_rd, f->rig.pdev, f->rig.vdev, 0, 0, &r),
                         RMI_SUCCESS);
        assert_int_equal(r.x[1], RMI_VDEV_STATE_ERROR);
        assert_int_equal(ste_mode(f, BDF), HW_STE_ABORT);
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_SUCCESS);
        assert_int_equal(info_seen(f).state, RSI_VDEV_STATE_ERROR);
}

/* ---- RMI_VDEV_GET_MEASUREMENTS ---- */

/* An NS RmiVdevMeasureParams with flags and a nonce of bytes fill. */
static uint64_t measure_params(struct fx *f, uint64_t flags, uint8_t fill)
{
        static struct rmi_vdev_measure_params p;
        static uint8_t page[RMI_VDEV_MEASURE_PARAMS_SIZE];
        p.flags = flags;
        memset(p.nonce, fill, sizeof(p.nonce));
        rmi_vdev_measure_params_encode(&p, page);
        return da_rig_page_of(&f->rig, page, sizeof(page));
}

static uint64_t vmeasure(struct fx *f, uint64_t params)
{
        return rmi(&f->h, RMI_VDEV_GET_MEASUREMENTS, f->rig.vdev_rd, f->rig.pdev, f->rig.vdev, params, 0, NULL);
}

/* GET_MEASUREMENTS with nonce fill...; the host's cached copy starts afresh. */
static void measure(struct fx *f, uint64_t flags, uint8_t fill)
{
        free(f->rig.obj[RMI_DEV_OBJ_MEASUREMENTS]);
        f->rig.obj[RMI_DEV_OBJ_MEASUREMENTS] = NULL;
        f->rig.obj_len[RMI_DEV_OBJ_MEASUREMENTS] = 0;
        assert_int_equal(vmeasure(f, measure_params(f, flags, fill)), RMI_SUCCESS);
        da_rig_communicate(&f->rig, f->rig.vdev);
}

static unsigned vdev_state(struct fx *f)
{
        struct smc_regs r;
        assert_int_equal(rmi(&f->h, RMI_VDEV_GET_STATE, f->rig.vdev_rd, f->rig.pdev, f->rig.vdev, 0, 0, &r),
                         RMI_SUCCESS);
        return (unsigned)r.x[1];
}

static unsigned pdev_state(struct fx *f)
{
        struct smc_regs r;
        assert_int_equal(rmi(&f->h, RMI_PDEV_GET_STATE, f->rig.pdev, 0, 0, 0, 0, &r), RMI_SUCCESS);
        return (unsigned)r.x[1];
}

/* The measurement record the host cached decodes as ccada-dev's five DMTF blocks. */
static void assert_cached_record_is_the_devices(struct fx *f)
{
        struct spdm_meas_iter it;
        struct spdm_meas_block b;
        unsigned n = 0;
        enum spdm_iter st;
        assert_true(f->rig.obj_len[RMI_DEV_OBJ_MEASUREMENTS] > 0);
        spdm_meas_iter_init(&it, f->rig.obj[RMI_DEV_OBJ_MEASUREMENTS], f->rig.obj_len[RMI_DEV_OBJ_MEASUREMENTS], 5);
        while ((st = spdm_meas_next(&it, &b, NULL)) == SPDM_ITER_ITEM)
                n++;
        assert_int_equal(st, SPDM_ITER_END);
        assert_int_equal(n, 5);
}

static void vdev_get_measurements_caches_the_record_and_keeps_its_digest_in_locked_and_started(void **state)
{
        struct fx *f = *state;
        struct rmm_vdev_info vi;
        uint8_t d[HASH_MAX_LEN];
        da_rig_vdev_locked_reported(&f->rig, f->realm.rd, NULL);
        measure(f, 0, 0xA1);
        assert_int_equal(vdev_state(f), RMI_VDEV_STATE_LOCKED);
        assert_cached_record_is_the_devices(f);
        assert_true(rmm_vdev_info(f->h.rmm, f->rig.vdev, &vi));
        assert_true(vi.have_meas);
        assert_int_equal(vi.meas_nonce, 1);
        assert_true(hash_once(HASH_SHA384, f->rig.obj[RMI_DEV_OBJ_MEASUREMENTS],
                              f->rig.obj_len[RMI_DEV_OBJ_MEASUREMENTS], d));
        assert_memory_equal(vi.meas_digest, d, 48);

        da_rig_vdev_op(&f->rig, RMI_VDEV_START);
        measure(f, 0, 0xB2);
        assert_int_equal(vdev_state(f), RMI_VDEV_STATE_STARTED);
        assert_int_equal(pdev_state(f), RMI_PDEV_STATE_READY);
        assert_cached_record_is_the_devices(f);
        assert_true(rmm_vdev_info(f->h.rmm, f->rig.vdev, &vi));
        assert_int_equal(vi.meas_nonce, 2);
        assert_true(hash_once(HASH_SHA384, f->rig.obj[RMI_DEV_OBJ_MEASUREMENTS],
                              f->rig.obj_len[RMI_DEV_OBJ_MEASUREMENTS], d));
        assert_memory_equal(vi.meas_digest, d, 48);
}

static void vdev_get_measurements_carries_the_hosts_nonce_to_the_device_signed(void **state)
{
        struct fx *f = *state;
        uint8_t want[32];
        const struct spdm_responder_stats *ds = pdev_spdm_stats(f->rig.dev);
        da_rig_vdev_locked_reported(&f->rig, f->realm.rd, NULL);
        uint64_t before = ds->meas_requests;
        measure(f, 0, 0x3C);
        assert_int_equal(ds->meas_requests, before + 1);
        memset(want, 0x3C, sizeof(want));
        assert_memory_equal(ds->last_meas_nonce, want, sizeof(want));
        measure(f, RMI_VDEV_MEASURE_FLAGS_RAW, 0xC3);   /* raw asked: ccada-dev answers digests */
        memset(want, 0xC3, sizeof(want));
        assert_memory_equal(ds->last_meas_nonce, want, sizeof(want));
        assert_cached_record_is_the_devices(f);
        struct rmm_vdev_info vi;
        assert_true(rmm_vdev_info(f->h.rmm, f->rig.vdev, &vi));
        assert_int_equal(vi.meas_nonce, 2);
}

static void vdev_get_info_reports_the_vdevs_measurements_once_fetched(void **state)
{
        struct fx *f = *state;
        struct rmm_pdev_info pi;
        struct rmm_vdev_info vi;
        da_rig_vdev_started(&f->rig, f->realm.rd, NULL);
        assert_true(rmm_pdev_info(f->h.rmm, f->rig.pdev, &pi));
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_SUCCESS);
        struct rsi_vdev_info i = info_seen(f);
        assert_int_equal(i.meas_nonce, 0);                      /* none yet: the PDEV's */
        assert_memory_equal(i.meas_digest, pi.meas_digest, 48);
        measure(f, 0, 0x11);
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_SUCCESS);
        i = info_seen(f);
        assert_true(rmm_vdev_info(f->h.rmm, f->rig.vdev, &vi));
        assert_int_equal(i.meas_nonce, 1);
        assert_memory_equal(i.meas_digest, vi.meas_digest, 48);
        uint8_t d[HASH_MAX_LEN];
        assert_true(hash_once(HASH_SHA384, f->rig.obj[RMI_DEV_OBJ_MEASUREMENTS],
                              f->rig.obj_len[RMI_DEV_OBJ_MEASUREMENTS], d));
        assert_memory_equal(i.meas_digest, d, 48);
        measure(f, 0, 0x12);
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_SUCCESS);
        assert_int_equal(info_seen(f).meas_nonce, 2);
}

static void a_host_changing_its_cached_measurements_changes_nothing_the_realm_is_told(void **state)
{
        struct fx *f = *state;
        uint8_t honest[HASH_MAX_LEN], forged[HASH_MAX_LEN];
        da_rig_vdev_started(&f->rig, f->realm.rd, NULL);
        measure(f, 0, 0x21);
        assert_true(hash_once(HASH_SHA384, f->rig.obj[RMI_DEV_OBJ_MEASUREMENTS],
                              f->rig.obj_len[RMI_DEV_OBJ_MEASUREMENTS], honest));
        /* the host rewrites its copy (and the response buffer the RMM wrote it to) */
        f->rig.obj[RMI_DEV_OBJ_MEASUREMENTS][f->rig.obj_len[RMI_DEV_OBJ_MEASUREMENTS] - 1] ^= 0x01;
        static uint8_t junk[GRANULE_SIZE];
        memset(junk, 0xEE, sizeof(junk));
        da_rig_write_ns(&f->rig, f->rig.rsp, junk, sizeof(junk));
        assert_true(hash_once(HASH_SHA384, f->rig.obj[RMI_DEV_OBJ_MEASUREMENTS],
                              f->rig.obj_len[RMI_DEV_OBJ_MEASUREMENTS], forged));
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_SUCCESS);
        struct rsi_vdev_info i = info_seen(f);
        assert_memory_equal(i.meas_digest, honest, 48);
        assert_memory_not_equal(i.meas_digest, forged, 48);
}

static void vdev_get_measurements_refuses_bad_arguments_with_error_input_and_changes_nothing(void **state)
{
        struct fx *f = *state;
        struct rmm_vdev_info vi;
        da_rig_vdev_locked_reported(&f->rig, f->realm.rd, NULL);
        uint64_t good = measure_params(f, 0, 0x44);
        assert_int_equal(rmi(&f->h, RMI_VDEV_GET_MEASUREMENTS, f->rig.pdev, f->rig.pdev, f->rig.vdev, good, 0, NULL),
                         RMI_ERROR_INPUT);      /* not an RD */
        assert_int_equal(rmi(&f->h, RMI_VDEV_GET_MEASUREMENTS, f->other.rd, f->rig.pdev, f->rig.vdev, good, 0, NULL),
                         RMI_ERROR_INPUT);      /* another Realm's RD */
        assert_int_equal(rmi(&f->h, RMI_VDEV_GET_MEASUREMENTS, f->rig.vdev_rd, f->rig.rp_pdev, f->rig.vdev,
                             good, 0, NULL),
                         RMI_ERROR_INPUT); /* another PDEV */
        assert_int_equal(rmi(&f->h, RMI_VDEV_GET_MEASUREMENTS, f->rig.vdev_rd, f->rig.pdev, f->rig.rp_pdev,
                             good, 0, NULL),
                         RMI_ERROR_INPUT); /* not a VDEV */
        assert_int_equal(rmi(&f->h, RMI_VDEV_GET_MEASUREMENTS, f->rig.vdev_rd, f->rig.pdev, f->rig.vdev,
                             f->rig.rp_pdev, 0, NULL),
                         RMI_ERROR_INPUT); /* params not NS memory */
        assert_int_equal(rmi(&f->h, RMI_VDEV_GET_MEASUREMENTS, f->rig.vdev_rd, f->rig.pdev, f->rig.vdev,
                             good + 8, 0, NULL),
                         RMI_ERROR_INPUT); /* params not a granule */
        assert_int_equal(rmi(&f->h, RMI_VDEV_GET_MEASUREMENTS, f->rig.vdev_rd, f->rig.pdev, f->rig.vdev,
                             1ULL << 52, 0, NULL),
                         RMI_ERROR_INPUT); /* no memory there */
        assert_int_equal(vmeasure(f, measure_params(f, 2, 0x44)), RMI_ERROR_INPUT);     /* unknown flag */
        assert_int_equal(vmeasure(f, measure_params(f, 1ULL << 63, 0x44)), RMI_ERROR_INPUT);
        assert_true(rmm_vdev_info(f->h.rmm, f->rig.vdev, &vi));
        assert_int_equal(vi.meas_nonce, 0);
        assert_false(vi.have_meas);
        /* nothing started: the VDEV has nothing to communicate, and a good call works */
        da_rig_enter(&f->rig, RMI_DEV_COMM_NONE, 0);
        assert_int_equal(rmi(&f->h, RMI_VDEV_COMMUNICATE, f->rig.vdev_rd, f->rig.pdev, f->rig.vdev,
                             f->rig.comm, 0, NULL),
                         RMI_ERROR_DEVICE);
        measure(f, 0, 0x44);
        assert_true(rmm_vdev_info(f->h.rmm, f->rig.vdev, &vi));
        assert_int_equal(vi.meas_nonce, 1);
}

static void vdev_get_measurements_in_new_unlocked_or_error_or_while_busy_fails_device(void **state)
{
        struct fx *f = *state;
        uint64_t params = measure_params(f, 0, 0x55);
        /* NEW: its CREATE exchanges are still to run */
        static struct rmi_vdev_params p;
        static uint8_t page[RMI_VDEV_PARAMS_SIZE];
        memset(&p, 0, sizeof(p));
        p.vdev_id = VDEV_ID;
        p.tdi_id = BDF;
        rmi_vdev_params_encode(&p, page);
        f->rig.vdev = host_delegated(&f->h);
        f->rig.vdev_rd = f->realm.rd;
        assert_int_equal(rmi(&f->h, RMI_VDEV_CREATE, f->realm.rd, f->rig.pdev, f->rig.vdev,
                             da_rig_page_of(&f->rig, page, sizeof(page)), 0, NULL),
                         RMI_SUCCESS);
        assert_int_equal(vdev_state(f), RMI_VDEV_STATE_NEW);
        assert_int_equal(vmeasure(f, params), RMI_ERROR_DEVICE);
        da_rig_communicate(&f->rig, f->rig.vdev);
        assert_int_equal(vdev_state(f), RMI_VDEV_STATE_UNLOCKED);
        assert_int_equal(vmeasure(f, params), RMI_ERROR_DEVICE);
        /* LOCKED with the LOCK's exchanges still running, then its own already running */
        assert_int_equal(da_rig_vdev_rmi(&f->rig, RMI_VDEV_LOCK), RMI_SUCCESS);
        assert_int_equal(vmeasure(f, params), RMI_ERROR_DEVICE);
        da_rig_communicate(&f->rig, f->rig.vdev);
        assert_int_equal(vdev_state(f), RMI_VDEV_STATE_LOCKED);
        assert_int_equal(vmeasure(f, params), RMI_SUCCESS);
        assert_int_equal(vmeasure(f, params), RMI_ERROR_DEVICE);
        assert_int_equal(da_rig_vdev_rmi(&f->rig, RMI_VDEV_GET_INTERFACE_REPORT), RMI_ERROR_DEVICE);
        /* the host aborts it mid-exchange: ERROR, where it is refused too */
        da_rig_enter(&f->rig, RMI_DEV_COMM_NONE, 0);
        assert_int_equal(rmi(&f->h, RMI_VDEV_COMMUNICATE, f->rig.vdev_rd, f->rig.pdev, f->rig.vdev,
                             f->rig.comm, 0, NULL),
                         RMI_SUCCESS);
        assert_int_equal(da_rig_vdev_rmi(&f->rig, RMI_VDEV_ABORT), RMI_SUCCESS);
        assert_int_equal(vdev_state(f), RMI_VDEV_STATE_ERROR);
        assert_int_equal(vmeasure(f, params), RMI_ERROR_DEVICE);
        struct rmm_vdev_info vi;
        assert_true(rmm_vdev_info(f->h.rmm, f->rig.vdev, &vi));
        assert_int_equal(vi.meas_nonce, 0);
}

static void a_device_answering_error_to_get_measurements_puts_the_vdev_in_error_with_a_reason(void **state)
{
        struct fx *f = *state;
        struct rmm_vdev_info vi;
        da_rig_vdev_started(&f->rig, f->realm.rd, NULL);
        spdm_responder_meas_fault(pdev_responder(f->rig.dev), SPDM_RSP_MEAS_ERROR);
        measure(f, 0, 0x66);
        assert_int_equal(vdev_state(f), RMI_VDEV_STATE_ERROR);
        assert_true(rmm_vdev_info(f->h.rmm, f->rig.vdev, &vi));
        assert_non_null(strstr(vi.why, "GET_MEASUREMENTS answered ERROR"));
        assert_int_equal(vi.meas_nonce, 0);
        assert_false(vi.have_meas);
        assert_int_equal(f->rig.obj_len[RMI_DEV_OBJ_MEASUREMENTS], 0);      /* nothing cached */
        assert_int_equal(pdev_state(f), RMI_PDEV_STATE_READY);          /* the session lives on */
        assert_int_equal(ste_mode(f, BDF), HW_STE_ABORT);
}

static void a_device_answering_garbage_to_get_measurements_puts_the_vdev_in_error_with_a_reason(void **state)
{
        struct fx *f = *state;
        struct rmm_vdev_info vi;
        da_rig_vdev_started(&f->rig, f->realm.rd, NULL);
        spdm_responder_meas_fault(pdev_responder(f->rig.dev), SPDM_RSP_MEAS_GARBAGE);
        measure(f, 0, 0x77);
        assert_int_equal(vdev_state(f), RMI_VDEV_STATE_ERROR);
        assert_true(rmm_vdev_info(f->h.rmm, f->rig.vdev, &vi));
        assert_non_null(strstr(vi.why, "MEASUREMENTS"));
        assert_false(vi.have_meas);
        assert_int_equal(f->rig.obj_len[RMI_DEV_OBJ_MEASUREMENTS], 0);
        /* a malformed answer in the session breaks it (the requester's rule) */
        assert_int_equal(pdev_state(f), RMI_PDEV_STATE_ERROR);
}

static void dma_enable_and_validate_mapping_need_the_current_meas_nonce(void **state)
{
        struct fx *f = *state;
        da_rig_vdev_started(&f->rig, f->realm.rd, NULL);
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_SUCCESS);
        struct rsi_vdev_info old = info_seen(f);
        measure(f, 0, 0x88);                            /* measured again since the Realm looked */
        struct smc_regs v = { .x = { RSI_VDEV_VALIDATE_MAPPING, VDEV_ID, 0x100000, 0x101000, 0x40000000, 0,
                                     old.lock_nonce, old.meas_nonce, old.report_nonce } };
        assert_int_equal(realm_call_regs(f, &v), RSI_ERROR_DEVICE);
        assert_int_equal(f->validations, 0);
        assert_int_equal(dma_enable(f, old.lock_nonce, old.meas_nonce, old.report_nonce), RSI_ERROR_DEVICE);
        assert_int_equal(ste_mode(f, BDF), HW_STE_ABORT);
        v.x[7] = old.meas_nonce + 1;
        assert_int_equal(realm_call_regs(f, &v), RSI_SUCCESS);
        assert_int_equal(f->validations, 1);
        assert_int_equal(dma_enable(f, old.lock_nonce, old.meas_nonce + 1, old.report_nonce), RSI_SUCCESS);
        assert_int_equal(ste_mode(f, BDF), HW_STE_REALM);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(rsi_vdev_calls_fail_state_without_device_assignment_and_never_exit),
                T(rsi_features_advertises_device_assignment),
                T(vdev_get_info_gives_the_realm_digests_of_what_the_host_cached),
                T(vdev_get_info_reports_locked_and_the_nonces_as_they_move),
                T(vdev_get_info_for_an_id_the_host_cannot_resolve_fails_input),
                T(vdev_complete_with_a_vdev_of_another_id_is_refused_and_the_call_fails),
                T(vdev_get_info_for_a_vdev_of_another_realm_fails_input),
                T(vdev_get_info_refuses_an_unprotected_or_unaligned_buffer_without_an_exit),
                T(vdev_get_info_refuses_a_buffer_the_realm_has_not_mapped),
                T(vdev_complete_needs_a_rec_waiting_on_a_vdev_request),
                T(vdev_complete_refuses_bad_arguments_and_a_busy_vdev_then_accepts),
                T(vdev_destroyed_after_complete_fails_the_call),
                T(dma_enable_is_refused_before_the_vdev_is_started),
                T(dma_enable_refuses_flags_and_planes_without_an_exit),
                T(dma_enable_with_stale_nonces_is_refused),
                T(dma_enable_after_a_relock_needs_the_new_lock_nonce),
                T(dma_enable_lets_the_tdi_write_its_realm_and_nothing_else),
                T(dma_disable_takes_the_stream_back_to_abort),
                T(vdev_unlock_takes_the_stream_down_before_the_tdi_stops),
                T(vdev_error_takes_the_stream_down),
                T(vdev_get_measurements_caches_the_record_and_keeps_its_digest_in_locked_and_started),
                T(vdev_get_measurements_carries_the_hosts_nonce_to_the_device_signed),
                T(vdev_get_info_reports_the_vdevs_measurements_once_fetched),
                T(a_host_changing_its_cached_measurements_changes_nothing_the_realm_is_told),
                T(vdev_get_measurements_refuses_bad_arguments_with_error_input_and_changes_nothing),
                T(vdev_get_measurements_in_new_unlocked_or_error_or_while_busy_fails_device),
                T(a_device_answering_error_to_get_measurements_puts_the_vdev_in_error_with_a_reason),
                T(a_device_answering_garbage_to_get_measurements_puts_the_vdev_in_error_with_a_reason),
                T(dma_enable_and_validate_mapping_need_the_current_meas_nonce),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
