/* The device's TDISP responder (src/device/tdisp_responder.c): the TDI state machine of
 * facts §6.6 and the error codes of §6.5 through its protocol function (requests built and
 * answers read with proto/tdisp.h, IDE keys set through the IDE_KM responder); the recorded
 * DMTF session's TDISP requests (tests/kat/spdm12-emu-session, objects 58-79); and
 * ccada-dev on the platform's PCIe with the RMM's SPDM requester over a real secured
 * session: keys, LOCK, the report in portions, START, and ERROR when the session ends or a
 * BAR is written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/ide_km_responder.h"
#include "device/pdev.h"
#include "device/tdisp_responder.h"
#include "lib/drbg.h"
#include "proto/ide_km.h"
#include "proto/tdisp.h"
#include "rmm/spdm_requester.h"
#include "spdm_kat.h"

#define SID_A 0xFFFF0001u
#define SID_B 0xFFFF0002u
#define FID 0x0318u
#define BAR_ADDR 0x40000000ull

struct rig {
        struct drbg *drbg;
        struct ide_km_responder *ide;
        struct tdisp_responder *t;
        struct tdisp_bar bars[3];
        size_t nbars;
        uint8_t rsp[512];
        size_t rsp_len;
        uint8_t nonce[TDISP_NONCE_SIZE];
};

static size_t rig_bars(void *ctx, struct tdisp_bar *out, size_t cap)
{
        struct rig *g = ctx;
        size_t n = g->nbars < cap ? g->nbars : cap;
        memcpy(out, g->bars, n * sizeof(*out));
        return g->nbars;
}

static void on_insecure(void *ctx, const char *why)
{
        struct rig *g = ctx;
        tdisp_responder_ide_failed(g->t, why);
}

/* 64 bytes, as pdev gives: the report is 100 bytes like the emulator's (facts §8.3) */
static const uint8_t info[64] = "device info";

static void rig_up(struct rig *g, uint32_t fid)
{
        memset(g, 0, sizeof(*g));
        g->bars[0] = (struct tdisp_bar){ .bei = 0, .addr = BAR_ADDR, .size = 0x4000 };
        g->nbars = 1;
        assert_true(drbg_new_seeded(&g->drbg, (const uint8_t *)"t", 1, "tdisp test"));
        struct ide_km_responder_cfg ic = { .bdf = (uint16_t)fid, .on_insecure = on_insecure, .insecure_ctx = g };
        assert_true(ide_km_responder_new(&g->ide, &ic));
        struct tdisp_responder_cfg tc = { .function_id = fid, .drbg = g->drbg, .ide = g->ide, .bars = rig_bars,
                                          .bars_ctx = g, .device_info = info, .device_info_len = sizeof(info) };
        char why[TDISP_RSP_REASON_LEN];
        assert_true(tdisp_responder_new(&g->t, &tc, why));
}

static void rig_down(struct rig *g)
{
        tdisp_responder_free(g->t);
        ide_km_responder_free(g->ide);
        drbg_free(g->drbg);
}

/* The first count default-stream keys (stream 0, K0) programmed and set going on sid,
 * skipping those already going. */
static void key_all(struct rig *g, uint32_t sid, unsigned count)
{
        static const uint8_t key[IDE_KM_KEY_SIZE] = { 1, 2, 3 };
        uint8_t m[64], r[64];
        size_t n, rn;
        unsigned done = 0;
        for (unsigned ss = 0; ss < IDE_KM_SUB_STREAMS; ss++)
                for (unsigned d = 0; d < 2 && done < count; d++, done++) {
                        struct ide_km_key_id id = { .sub_stream = (enum ide_km_sub_stream)ss, .dir = (enum ide_km_dir)d,
                                                    .port_index = 1 };
                        struct ide_km_key_prog kp = { .id = id, .ifv = 1 };
                        struct ide_km_k_set go = { .id = id };
                        if (ide_km_responder_slot(g->ide, id.sub_stream, id.dir, IDE_KM_K0)->active)
                                continue;
                        assert_true(ide_km_key_prog_encode(m, sizeof(m), &kp, key, &n));
                        assert_true(ide_km_responder_handle(g->ide, true, sid, m, n, r, sizeof(r), &rn));
                        assert_int_equal(r[5], IDE_KM_KP_SUCCESS);
                        assert_true(ide_km_k_set_encode(IDE_KM_K_SET_GO, m, sizeof(m), &go, &n));
                        assert_true(ide_km_responder_handle(g->ide, true, sid, m, n, r, sizeof(r), &rn));
                }
}

static bool send(struct rig *g, uint32_t sid, const uint8_t *m, size_t n)
{
        return tdisp_responder_handle(g->t, true, sid, m, n, g->rsp, sizeof(g->rsp), &g->rsp_len);
}

/* The ERROR_CODE of the answer, 0 if it is not TDISP_ERROR. */
static uint32_t error_of(const struct rig *g)
{
        struct tdisp_error e;
        if (g->rsp_len < TDISP_MSG_HEADER_SIZE || g->rsp[2] != TDISP_ERROR)
                return 0;
        assert_true(tdisp_error_decode(g->rsp, g->rsp_len, &e, NULL));
        return e.error_code;
}

static uint32_t lock_with(struct rig *g, uint32_t sid, uint32_t fid, uint16_t flags, uint8_t stream, uint64_t off)
{
        uint8_t m[64];
        size_t n;
        struct tdisp_lock_interface_request q = { .function_id = fid, .flags = flags, .default_stream_id = stream,
                                                  .mmio_reporting_offset = off };
        assert_true(tdisp_lock_interface_request_encode(m, sizeof(m), &q, &n));
        assert_true(send(g, sid, m, n));
        uint32_t e = error_of(g);
        if (e == 0) {
                struct tdisp_nonce_msg r;
                assert_true(tdisp_lock_interface_response_decode(g->rsp, g->rsp_len, &r, NULL));
                memcpy(g->nonce, r.nonce, sizeof(g->nonce));
        }
        return e;
}

static uint32_t lock(struct rig *g, uint32_t sid)
{
        return lock_with(g, sid, FID, TDISP_LOCK_NO_FW_UPDATE, 0, 0);
}

static uint32_t start_with(struct rig *g, uint32_t sid, const uint8_t *nonce)
{
        uint8_t m[64];
        size_t n;
        struct tdisp_nonce_msg q = { .function_id = FID };
        memcpy(q.nonce, nonce, TDISP_NONCE_SIZE);
        assert_true(tdisp_start_interface_request_encode(m, sizeof(m), &q, &n));
        assert_true(send(g, sid, m, n));
        return error_of(g);
}

static uint32_t bare(struct rig *g, uint32_t sid, uint8_t type)
{
        uint8_t m[TDISP_MSG_HEADER_SIZE] = { TDISP_PROTOCOL_ID, TDISP_VERSION_10, type, 0, 0, 0x18, 0x03 };
        assert_true(send(g, sid, m, sizeof(m)));
        return error_of(g);
}

static uint8_t state_by_message(struct rig *g)
{
        struct tdisp_interface_state s;
        assert_int_equal(bare(g, SID_A, TDISP_GET_DEVICE_INTERFACE_STATE), 0);
        assert_true(tdisp_device_interface_state_decode(g->rsp, g->rsp_len, &s, NULL));
        assert_int_equal(s.tdi_state, tdisp_responder_state(g->t));
        return s.tdi_state;
}

static uint32_t get_report(struct rig *g, uint32_t sid, uint16_t offset, uint16_t length)
{
        uint8_t m[64];
        size_t n;
        struct tdisp_get_report q = { .function_id = FID, .offset = offset, .length = length };
        assert_true(tdisp_get_device_interface_report_encode(m, sizeof(m), &q, &n));
        assert_true(send(g, sid, m, n));
        return error_of(g);
}

/* Drives the TDI to state s (through the messages). */
static void go_to(struct rig *g, uint8_t s)
{
        if (s == TDISP_STATE_CONFIG_UNLOCKED)
                return;
        key_all(g, SID_A, 6);
        assert_int_equal(lock(g, SID_A), 0);
        if (s == TDISP_STATE_RUN)
                assert_int_equal(start_with(g, SID_A, g->nonce), 0);
        if (s == TDISP_STATE_ERROR)
                tdisp_responder_session_ended(g->t, SID_A);
        assert_int_equal(tdisp_responder_state(g->t), s);
}

/* ---- versions, capabilities, the header checks ---- */

static void tdisp_get_version_answers_1_0_whatever_version_it_came_with(void **state)
{
        struct rig g;
        (void)state;
        rig_up(&g, FID);
        for (unsigned v = 0; v < 0x100; v += 0x11) {
                uint8_t m[TDISP_MSG_HEADER_SIZE] = { TDISP_PROTOCOL_ID, (uint8_t)v, TDISP_GET_TDISP_VERSION, 0, 0, 0x18, 0x03 };
                struct tdisp_version r;
                assert_true(send(&g, SID_A, m, sizeof(m)));
                assert_true(tdisp_version_decode(g.rsp, g.rsp_len, &r, NULL));
                assert_int_equal(r.version_count, 1);
                assert_int_equal(r.versions[0], 0x10);
                assert_int_equal(r.function_id, FID);
        }
        rig_down(&g);
}

static void tdisp_capabilities_name_requests_0x81_to_0x87_and_the_lock_flags_honoured(void **state)
{
        struct rig g;
        uint8_t m[64];
        size_t n;
        struct tdisp_get_capabilities q = { .function_id = FID };
        struct tdisp_capabilities c;
        (void)state;
        rig_up(&g, FID);
        assert_true(tdisp_get_capabilities_encode(m, sizeof(m), &q, &n));
        assert_true(send(&g, SID_A, m, n));
        assert_true(tdisp_capabilities_decode(g.rsp, g.rsp_len, &c, NULL));
        for (unsigned code = 0x80; code <= 0xFF; code++)
                assert_int_equal(tdisp_caps_supports(&c, (uint8_t)code), code >= 0x81 && code <= 0x87);
        assert_int_equal(c.lock_flags_supported, 0x0007);
        rig_down(&g);
}

static void tdisp_another_version_is_version_mismatch_except_in_get_version(void **state)
{
        struct rig g;
        (void)state;
        rig_up(&g, FID);
        const uint8_t codes[] = { TDISP_GET_DEVICE_INTERFACE_STATE, TDISP_STOP_INTERFACE_REQUEST,
                                  TDISP_GET_TDISP_CAPABILITIES, TDISP_BIND_P2P_STREAM_REQUEST };
        for (size_t i = 0; i < sizeof(codes); i++) {
                uint8_t m[TDISP_MSG_HEADER_SIZE] = { TDISP_PROTOCOL_ID, 0x11, codes[i], 0, 0, 0x18, 0x03 };
                assert_true(send(&g, SID_A, m, sizeof(m)));
                assert_int_equal(error_of(&g), TDISP_ERR_VERSION_MISMATCH);
        }
        rig_down(&g);
}

static void tdisp_optional_and_unknown_requests_are_unsupported_with_their_code(void **state)
{
        struct rig g;
        const uint8_t codes[] = { 0x88, 0x89, 0x8A, 0x8B, 0x8C, 0xFF, 0x80, 0x01, 0x05, 0x7F };
        (void)state;
        rig_up(&g, FID);
        go_to(&g, TDISP_STATE_RUN); /* where BIND_P2P and SET_MMIO_ATTRIBUTE would be legal */
        for (size_t i = 0; i < sizeof(codes); i++) {
                struct tdisp_error e;
                assert_int_equal(bare(&g, SID_A, codes[i]), TDISP_ERR_UNSUPPORTED_REQUEST);
                assert_true(tdisp_error_decode(g.rsp, g.rsp_len, &e, NULL));
                assert_int_equal(e.error_data, codes[i]);
                assert_int_equal(e.function_id, FID);
        }
        assert_int_equal(tdisp_responder_state(g.t), TDISP_STATE_RUN);
        rig_down(&g);
}

static void tdisp_another_interface_is_invalid_interface(void **state)
{
        struct rig g;
        (void)state;
        rig_up(&g, FID);
        key_all(&g, SID_A, 6);
        assert_int_equal(lock_with(&g, SID_A, FID + 1, 0, 0, 0), TDISP_ERR_INVALID_INTERFACE);
        /* segment named: 1 is not ours, 0 is */
        assert_int_equal(lock_with(&g, SID_A, FID | 1u << 24 | 1u << 16, 0, 0, 0), TDISP_ERR_INVALID_INTERFACE);
        assert_int_equal(tdisp_responder_state(g.t), TDISP_STATE_CONFIG_UNLOCKED);
        assert_int_equal(lock_with(&g, SID_A, FID | 1u << 24, 0, 0, 0), 0);
        rig_down(&g);
}

static void tdisp_outside_a_session_or_shorter_than_the_header_is_refused(void **state)
{
        struct rig g;
        uint8_t m[TDISP_MSG_HEADER_SIZE] = { TDISP_PROTOCOL_ID, TDISP_VERSION_10, TDISP_GET_DEVICE_INTERFACE_STATE, 0, 0,
                                             0x18, 0x03 };
        (void)state;
        rig_up(&g, FID);
        assert_false(tdisp_responder_handle(g.t, false, 0, m, sizeof(m), g.rsp, sizeof(g.rsp), &g.rsp_len));
        assert_false(send(&g, SID_A, m, sizeof(m) - 1));
        assert_false(tdisp_responder_handle(g.t, true, SID_A, m, sizeof(m), g.rsp, 63, &g.rsp_len));
        m[0] = 0x00; /* IDE_KM's protocol ID */
        assert_false(send(&g, SID_A, m, sizeof(m)));
        assert_int_equal(tdisp_responder_stats(g.t)->refused, 4);
        rig_down(&g);
}

static void tdisp_malformed_requests_are_invalid_request_and_change_nothing(void **state)
{
        struct rig g;
        uint8_t m[64];
        size_t n;
        struct tdisp_lock_interface_request q = { .function_id = FID };
        (void)state;
        rig_up(&g, FID);
        key_all(&g, SID_A, 6);
        assert_true(tdisp_lock_interface_request_encode(m, sizeof(m), &q, &n));
        for (size_t cut = TDISP_MSG_HEADER_SIZE; cut < n; cut++) {
                assert_true(send(&g, SID_A, m, cut));
                assert_int_equal(error_of(&g), TDISP_ERR_INVALID_REQUEST);
        }
        m[n] = 0;
        assert_true(send(&g, SID_A, m, n + 1));
        assert_int_equal(error_of(&g), TDISP_ERR_INVALID_REQUEST);
        assert_int_equal(tdisp_responder_state(g.t), TDISP_STATE_CONFIG_UNLOCKED);
        uint8_t gv[TDISP_MSG_HEADER_SIZE + 1] = { TDISP_PROTOCOL_ID, TDISP_VERSION_10, TDISP_GET_TDISP_VERSION, 0, 0, 0x18,
                                                  0x03 };
        assert_true(send(&g, SID_A, gv, sizeof(gv)));
        assert_int_equal(error_of(&g), TDISP_ERR_INVALID_REQUEST);
        rig_down(&g);
}

/* ---- LOCK ---- */

static void tdisp_lock_is_refused_until_every_default_stream_key_is_set(void **state)
{
        struct rig g;
        (void)state;
        rig_up(&g, FID);
        assert_int_equal(lock(&g, SID_A), TDISP_ERR_INVALID_REQUEST);
        key_all(&g, SID_A, 5);
        assert_int_equal(lock(&g, SID_A), TDISP_ERR_INVALID_REQUEST);
        assert_int_equal(state_by_message(&g), TDISP_STATE_CONFIG_UNLOCKED);
        key_all(&g, SID_A, 6);
        assert_int_equal(lock_with(&g, SID_A, FID, 0, 1, 0), TDISP_ERR_INVALID_REQUEST); /* not the keyed stream */
        assert_int_equal(lock(&g, SID_A), 0);
        assert_int_equal(state_by_message(&g), TDISP_STATE_CONFIG_LOCKED);
        uint32_t sid;
        assert_true(tdisp_responder_locked(g.t, &sid));
        assert_int_equal(sid, SID_A);
        rig_down(&g);
}

static void tdisp_lock_is_refused_with_keys_from_another_session(void **state)
{
        struct rig g;
        (void)state;
        rig_up(&g, FID);
        key_all(&g, SID_A, 6);
        assert_int_equal(lock(&g, SID_B), TDISP_ERR_INVALID_REQUEST);
        assert_int_equal(tdisp_responder_state(g.t), TDISP_STATE_CONFIG_UNLOCKED);
        rig_down(&g);
}

static void tdisp_lock_refuses_flags_the_tdi_does_not_honour(void **state)
{
        struct rig g;
        const uint16_t bad[] = { TDISP_LOCK_BIND_P2P, TDISP_LOCK_ALL_REQUEST_REDIRECT, 0x0020, 0x8000 };
        (void)state;
        rig_up(&g, FID);
        key_all(&g, SID_A, 6);
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                assert_int_equal(lock_with(&g, SID_A, FID, bad[i], 0, 0), TDISP_ERR_INVALID_REQUEST);
        assert_int_equal(lock_with(&g, SID_A, FID, 0x0007, 0, 0), 0);
        rig_down(&g);
}

static void tdisp_lock_refuses_bars_no_range_can_describe(void **state)
{
        struct rig g;
        const struct tdisp_bar bad[][2] = {
                { { 0, 0x40000000, 0x4000 }, { 2, 0x40002000, 0x4000 } }, /* overlap */
                { { 0, 0x40000800, 0x4000 }, { 2, 0x50000000, 0x1000 } }, /* unaligned */
                { { 0, 0x40000000, 0 }, { 2, 0x50000000, 0x1000 } },      /* empty */
                { { 2, 0x40000000, 0x1000 }, { 0, 0x50000000, 0x1000 } }, /* not ascending */
                { { 0, 0xFFFFFFFFFFFFF000ull, 0x2000 }, { 2, 0x50000000, 0x1000 } }, /* wraps */
        };
        (void)state;
        rig_up(&g, FID);
        key_all(&g, SID_A, 6);
        g.nbars = 2;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                memcpy(g.bars, bad[i], sizeof(bad[i]));
                assert_int_equal(lock(&g, SID_A), TDISP_ERR_INVALID_DEVICE_CONFIGURATION);
        }
        g.nbars = 7; /* more than a TDI has */
        assert_int_equal(lock(&g, SID_A), TDISP_ERR_INVALID_DEVICE_CONFIGURATION);
        assert_int_equal(tdisp_responder_state(g.t), TDISP_STATE_CONFIG_UNLOCKED);
        rig_down(&g);
}

static void tdisp_lock_outside_config_unlocked_is_invalid_interface_state(void **state)
{
        const uint8_t states[] = { TDISP_STATE_CONFIG_LOCKED, TDISP_STATE_RUN, TDISP_STATE_ERROR };
        (void)state;
        for (size_t i = 0; i < sizeof(states); i++) {
                struct rig g;
                rig_up(&g, FID);
                go_to(&g, states[i]);
                assert_int_equal(lock(&g, SID_A), TDISP_ERR_INVALID_INTERFACE_STATE);
                assert_int_equal(tdisp_responder_state(g.t), states[i]);
                rig_down(&g);
        }
}

/* ---- START ---- */

static void tdisp_start_with_the_lock_nonce_runs_and_uses_the_nonce_up(void **state)
{
        struct rig g;
        (void)state;
        rig_up(&g, FID);
        assert_int_equal(start_with(&g, SID_A, g.nonce), TDISP_ERR_INVALID_INTERFACE_STATE);
        go_to(&g, TDISP_STATE_CONFIG_LOCKED);
        uint8_t wrong[TDISP_NONCE_SIZE];
        memcpy(wrong, g.nonce, sizeof(wrong));
        wrong[31] ^= 1;
        assert_int_equal(start_with(&g, SID_A, wrong), TDISP_ERR_INVALID_NONCE);
        assert_int_equal(state_by_message(&g), TDISP_STATE_CONFIG_LOCKED);
        assert_int_equal(start_with(&g, SID_A, g.nonce), 0);
        assert_int_equal(state_by_message(&g), TDISP_STATE_RUN);
        assert_int_equal(start_with(&g, SID_A, g.nonce), TDISP_ERR_INVALID_INTERFACE_STATE);
        rig_down(&g);
}

static void tdisp_every_lock_draws_a_new_nonce(void **state)
{
        struct rig g;
        uint8_t first[TDISP_NONCE_SIZE], zero[TDISP_NONCE_SIZE] = { 0 };
        (void)state;
        rig_up(&g, FID);
        go_to(&g, TDISP_STATE_CONFIG_LOCKED);
        memcpy(first, g.nonce, sizeof(first));
        assert_memory_not_equal(first, zero, sizeof(zero));
        assert_int_equal(bare(&g, SID_A, TDISP_STOP_INTERFACE_REQUEST), 0);
        assert_int_equal(lock(&g, SID_A), 0);
        assert_memory_not_equal(first, g.nonce, sizeof(first));
        assert_int_equal(start_with(&g, SID_A, first), TDISP_ERR_INVALID_NONCE);
        rig_down(&g);
}

/* ---- STOP and ERROR ---- */

static void tdisp_stop_from_every_state_unlocks_and_destroys_the_nonce(void **state)
{
        const uint8_t states[] = { TDISP_STATE_CONFIG_UNLOCKED, TDISP_STATE_CONFIG_LOCKED, TDISP_STATE_RUN,
                                   TDISP_STATE_ERROR };
        (void)state;
        for (size_t i = 0; i < sizeof(states); i++) {
                struct rig g;
                rig_up(&g, FID);
                go_to(&g, states[i]);
                assert_int_equal(bare(&g, SID_A, TDISP_STOP_INTERFACE_REQUEST), 0);
                assert_int_equal(g.rsp[2], TDISP_STOP_INTERFACE_RESPONSE);
                assert_int_equal(state_by_message(&g), TDISP_STATE_CONFIG_UNLOCKED);
                assert_int_equal(start_with(&g, SID_A, g.nonce), TDISP_ERR_INVALID_INTERFACE_STATE);
                assert_int_equal(get_report(&g, SID_A, 0, 0xFFFF), TDISP_ERR_INVALID_INTERFACE_STATE);
                /* the stream is no longer pinned: another session may key it */
                ide_km_responder_session_ended(g.ide, SID_A);
                key_all(&g, SID_B, 6);
                assert_int_equal(lock(&g, SID_B), 0);
                rig_down(&g);
        }
}

static void tdisp_session_end_moves_locked_and_run_to_error_and_other_sessions_do_not(void **state)
{
        const uint8_t states[] = { TDISP_STATE_CONFIG_LOCKED, TDISP_STATE_RUN };
        (void)state;
        for (size_t i = 0; i < sizeof(states); i++) {
                struct rig g;
                rig_up(&g, FID);
                go_to(&g, states[i]);
                tdisp_responder_session_ended(g.t, SID_B);
                assert_int_equal(tdisp_responder_state(g.t), states[i]);
                tdisp_responder_session_ended(g.t, SID_A);
                assert_int_equal(state_by_message(&g), TDISP_STATE_ERROR);
                assert_non_null(strstr(tdisp_responder_error_reason(g.t), "session"));
                assert_int_equal(start_with(&g, SID_A, g.nonce), TDISP_ERR_INVALID_INTERFACE_STATE);
                assert_int_equal(get_report(&g, SID_A, 0, 0xFFFF), TDISP_ERR_INVALID_INTERFACE_STATE);
                assert_int_equal(tdisp_responder_stats(g.t)->error_transitions, 1);
                rig_down(&g);
        }
        struct rig g;
        rig_up(&g, FID);
        tdisp_responder_session_ended(g.t, 0);
        tdisp_responder_ide_failed(g.t, "x");
        tdisp_responder_config_changed(g.t, "y");
        assert_int_equal(tdisp_responder_state(g.t), TDISP_STATE_CONFIG_UNLOCKED);
        assert_string_equal(tdisp_responder_error_reason(g.t), "");
        rig_down(&g);
}

static void tdisp_ide_stream_going_insecure_moves_run_to_error(void **state)
{
        struct rig g;
        uint8_t m[16], r[16];
        size_t n, rn;
        (void)state;
        rig_up(&g, FID);
        go_to(&g, TDISP_STATE_RUN);
        /* K_SET_STOP of an active default-stream key from the locking session */
        struct ide_km_k_set ks = { .id = { .sub_stream = IDE_KM_CPL, .dir = IDE_KM_RX, .port_index = 1 } };
        assert_true(ide_km_k_set_encode(IDE_KM_K_SET_STOP, m, sizeof(m), &ks, &n));
        assert_true(ide_km_responder_handle(g.ide, true, SID_A, m, n, r, sizeof(r), &rn));
        assert_int_equal(tdisp_responder_state(g.t), TDISP_STATE_ERROR);
        assert_non_null(strstr(tdisp_responder_error_reason(g.t), "Insecure"));
        rig_down(&g);
        rig_up(&g, FID);
        go_to(&g, TDISP_STATE_CONFIG_LOCKED);
        tdisp_responder_config_changed(g.t, "a BAR write");
        assert_int_equal(tdisp_responder_state(g.t), TDISP_STATE_ERROR);
        assert_non_null(strstr(tdisp_responder_error_reason(g.t), "a BAR write"));
        rig_down(&g);
}

/* ---- the report ---- */

static void assemble(struct rig *g, uint16_t length, uint64_t offset, uint8_t *buf, size_t cap, size_t *len)
{
        struct tdi_report_asm a;
        char why[TDISP_WHY_LEN];
        unsigned portions = 0;
        tdi_report_asm_init(&a, buf, cap);
        while (!tdi_report_asm_done(&a)) {
                struct tdisp_get_report q = { .function_id = FID, .offset = tdi_report_asm_next(&a), .length = length };
                struct tdisp_report_portion p;
                assert_int_equal(get_report(g, SID_A, q.offset, q.length), 0);
                assert_true(tdisp_device_interface_report_decode(g->rsp, g->rsp_len, &p, why));
                if (!tdi_report_asm_add(&a, &q, &p, why))
                        fail_msg("portion %u: %s", portions, why);
                assert_true(++portions < 200);
        }
        (void)offset;
        *len = a.have;
}

static void tdisp_report_portions_reassemble_to_a_report_that_passes_the_checks(void **state)
{
        const uint16_t lengths[] = { 1, 7, 16, 64, 0xFFFF };
        const uint64_t offsets[] = { 0, 0xD0000000, (uint64_t)-0x40000000 };
        (void)state;
        for (size_t o = 0; o < 3; o++) {
                struct rig g;
                rig_up(&g, FID);
                key_all(&g, SID_A, 6);
                assert_int_equal(lock_with(&g, SID_A, FID, TDISP_LOCK_NO_FW_UPDATE, 0, offsets[o]), 0);
                for (size_t l = 0; l < sizeof(lengths) / sizeof(lengths[0]); l++) {
                        uint8_t buf[512];
                        size_t len;
                        struct tdi_mmio_range ranges[4];
                        struct tdi_report r;
                        char why[TDISP_WHY_LEN];
                        assemble(&g, lengths[l], offsets[o], buf, sizeof(buf), &len);
                        assert_int_equal(len, 20 + 16 + sizeof(info));
                        assert_true(tdi_report_decode(buf, len, &r, ranges, 4, why));
                        struct tdi_report_policy p = { .lock_flags = TDISP_LOCK_NO_FW_UPDATE,
                                                       .mmio_reporting_offset = offsets[o] };
                        if (!tdi_report_check(&r, &p, why))
                                fail_msg("%s", why);
                        assert_int_equal(r.range_count, 1);
                        assert_int_equal(ranges[0].first_page, (BAR_ADDR + offsets[o]) >> 12);
                        assert_int_equal(ranges[0].num_pages, 4);
                        assert_int_equal(ranges[0].range_id, 0);
                        assert_int_equal(ranges[0].attributes, 0);
                        assert_int_equal(r.interface_info, TDI_INFO_NO_FW_UPDATE | TDI_INFO_DMA_NO_PASID);
                        assert_int_equal(r.device_info_len, sizeof(info));
                        assert_memory_equal(r.device_info, info, sizeof(info));
                        uint64_t base, size;
                        assert_true(tdi_mmio_range_addr(&ranges[0], offsets[o], &base, &size));
                        assert_int_equal(base, BAR_ADDR);
                        assert_int_equal(size, 0x4000);
                }
                rig_down(&g);
        }
}

static void tdisp_report_with_an_offset_past_its_end_or_length_0_is_invalid_request(void **state)
{
        struct rig g;
        (void)state;
        rig_up(&g, FID);
        assert_int_equal(get_report(&g, SID_A, 0, 0xFFFF), TDISP_ERR_INVALID_INTERFACE_STATE);
        go_to(&g, TDISP_STATE_RUN);
        size_t total = 20 + 16 + sizeof(info);
        assert_int_equal(get_report(&g, SID_A, 0, 0), TDISP_ERR_INVALID_REQUEST);
        assert_int_equal(get_report(&g, SID_A, (uint16_t)total, 1), TDISP_ERR_INVALID_REQUEST);
        assert_int_equal(get_report(&g, SID_A, 0xFFFF, 0xFFFF), TDISP_ERR_INVALID_REQUEST);
        assert_int_equal(get_report(&g, SID_A, (uint16_t)(total - 1), 0xFFFF), 0);
        struct tdisp_report_portion p;
        assert_true(tdisp_device_interface_report_decode(g.rsp, g.rsp_len, &p, NULL));
        assert_int_equal(p.portion_length, 1);
        assert_int_equal(p.remainder_length, 0);
        assert_int_equal(state_by_message(&g), TDISP_STATE_RUN);
        rig_down(&g);
}

/* ---- the recorded DMTF session ---- */

static size_t kat_payload(const struct spdm_kat *k, size_t idx, uint8_t *out, size_t cap)
{
        uint8_t msg[SPDM_KAT_MSG_MAX];
        const struct spdm_sizes sz = spdm_any_kat_sizes();
        struct spdm_vendor_defined v;
        size_t n = spdm_kat_msg(k, idx, msg, sizeof(msg)), used = 0;
        bool ok = msg[1] == SPDM_VENDOR_DEFINED_REQUEST ? spdm_vendor_defined_request_decode(msg, n, &sz, &v, &used, NULL)
                                                        : spdm_vendor_defined_response_decode(msg, n, &sz, &v, &used, NULL);
        assert_true(ok);
        assert_true(v.payload_len <= cap);
        memcpy(out, v.payload, v.payload_len);
        return v.payload_len;
}

static void tdisp_recorded_dmtf_requests_get_answers_of_the_same_codes_and_lengths(void **state)
{
        struct spdm_kat k;
        struct rig g;
        uint8_t rec_nonce[TDISP_NONCE_SIZE] = { 0 };
        (void)state;
        assert_int_equal(spdm_kat_open(&k), 0);
        rig_up(&g, 0xBEEF); /* the emulator's INTERFACE_ID (facts §8.3) */
        /* the recorded IDE_KM requests key stream 0 on session 0xFFFFFFFF (objects 32-57) */
        for (size_t idx = 32; idx <= 56; idx += 2) {
                uint8_t req[128], r[512];
                size_t len = kat_payload(&k, idx, req, sizeof(req)), rn;
                assert_true(ide_km_responder_handle(g.ide, true, 0xFFFFFFFFu, req, len, r, sizeof(r), &rn));
        }
        for (size_t idx = 58; idx <= 78; idx += 2) {
                uint8_t req[128], rec[256];
                size_t len = kat_payload(&k, idx, req, sizeof(req)), rlen = kat_payload(&k, idx + 1, rec, sizeof(rec));
                if (req[2] == TDISP_START_INTERFACE_REQUEST) {
                        /* a TSM sends back the nonce it was given: ours, not the recorded one */
                        assert_memory_equal(req + TDISP_MSG_HEADER_SIZE, rec_nonce, TDISP_NONCE_SIZE);
                        memcpy(req + TDISP_MSG_HEADER_SIZE, g.nonce, TDISP_NONCE_SIZE);
                }
                assert_true(send(&g, 0xFFFFFFFFu, req, len));
                if (g.rsp[2] != rec[2] || g.rsp_len != rlen)
                        fail_msg("object %zu: answer 0x%02x of %zu bytes, recorded 0x%02x of %zu", idx, g.rsp[2],
                                 g.rsp_len, rec[2], rlen);
                assert_memory_equal(g.rsp, rec, TDISP_MSG_HEADER_SIZE);
                if (rec[2] == TDISP_DEVICE_INTERFACE_STATE || rec[2] == TDISP_TDISP_VERSION)
                        assert_memory_equal(g.rsp, rec, rlen);
                if (rec[2] == TDISP_LOCK_INTERFACE_RESPONSE) {
                        memcpy(rec_nonce, rec + TDISP_MSG_HEADER_SIZE, TDISP_NONCE_SIZE);
                        memcpy(g.nonce, g.rsp + TDISP_MSG_HEADER_SIZE, TDISP_NONCE_SIZE);
                }
        }
        assert_int_equal(tdisp_responder_state(g.t), TDISP_STATE_CONFIG_UNLOCKED);
        assert_int_equal(tdisp_responder_stats(g.t)->errors, 0);
        rig_down(&g);
        spdm_kat_close(&k);
}

/* ---- ccada-dev with the RMM's requester over a real session ---- */

#define BUF 16384
#define DEC_2026 1796169600

struct dev_rig {
        struct hw_pcie pcie;
        struct pdev *dev;
        struct drbg *drbg;
        struct spdm_requester *req;
        struct spdm_req_out out;
        uint8_t buf[BUF], answer[BUF];
};

static enum spdm_req_status relay(struct dev_rig *g, enum spdm_req_status st)
{
        while (st == SPDM_REQ_SEND) {
                size_t alen = 0;
                bool asec = false;
                assert_true(spdm_responder_handle(pdev_responder(g->dev), g->out.secured, g->out.buf, g->out.len,
                                                  g->answer, BUF, &alen, &asec));
                st = spdm_requester_step(g->req, g->answer, alen, asec, &g->out);
        }
        return st;
}

static void dev_up(struct dev_rig *g)
{
        char why[PDEV_WHY_LEN] = "";
        const uint8_t *root;
        size_t root_len;
        struct pdev_config pc = { .bdf = HW_PCIE_BDF(0, 3, 0), .seed = (const uint8_t *)"d", .seed_len = 1 };
        memset(g, 0, sizeof(*g));
        hw_pcie_init(&g->pcie);
        if (!pdev_new(&g->dev, &g->pcie, &pc, why))
                fail_msg("pdev_new: %s", why);
        pdev_root(g->dev, &root, &root_len);
        assert_true(drbg_new_seeded(&g->drbg, (const uint8_t *)"tsm", 3, "rmm spdm"));
        struct spdm_requester_cfg qc = { .trust_anchor = root, .trust_anchor_len = root_len, .now = DEC_2026,
                                         .drbg = g->drbg };
        assert_true(spdm_requester_new(&g->req, &qc));
        g->out = (struct spdm_req_out){ .buf = g->buf, .cap = BUF };
        assert_int_equal(relay(g, spdm_requester_start(g->req, &g->out)), SPDM_REQ_DONE);
}

static void dev_down(struct dev_rig *g)
{
        spdm_requester_free(g->req);
        drbg_free(g->drbg);
        pdev_free(g->dev);
}

/* One VENDOR_DEFINED exchange in the session; the answer's payload. */
static const uint8_t *vdm(struct dev_rig *g, const uint8_t *payload, size_t len, size_t *rlen)
{
        static const uint8_t vid[2] = { 0x01, 0x00 };
        const uint8_t *back;
        assert_int_equal(relay(g, spdm_requester_vendor_defined(g->req, SPDM_STANDARD_ID_PCISIG, vid, 2, payload, len,
                                                                &g->out)),
                         SPDM_REQ_DONE);
        assert_true(spdm_requester_vdm_response(g->req, &back, rlen));
        return back;
}

static void dev_key_all(struct dev_rig *g)
{
        static const uint8_t key[IDE_KM_KEY_SIZE] = { 9, 8, 7 };
        for (unsigned ss = 0; ss < IDE_KM_SUB_STREAMS; ss++)
                for (unsigned d = 0; d < 2; d++) {
                        uint8_t m[64];
                        size_t n, rn;
                        struct ide_km_key_id id = { .sub_stream = (enum ide_km_sub_stream)ss, .dir = (enum ide_km_dir)d,
                                                    .port_index = 1 };
                        struct ide_km_key_prog kp = { .id = id, .ifv = 1 };
                        struct ide_km_k_set go = { .id = id };
                        struct ide_km_kp_ack ack;
                        assert_true(ide_km_key_prog_encode(m, sizeof(m), &kp, key, &n));
                        const uint8_t *r = vdm(g, m, n, &rn);
                        assert_true(ide_km_kp_ack_decode(r, rn, &ack, NULL));
                        assert_int_equal(ack.status, IDE_KM_KP_SUCCESS);
                        assert_true(ide_km_k_set_encode(IDE_KM_K_SET_GO, m, sizeof(m), &go, &n));
                        r = vdm(g, m, n, &rn);
                        assert_int_equal(r[1], IDE_KM_K_GOSTOP_ACK);
                }
        /* facts §5: Selective Stream Status (cap + 0x14) reads Secure */
        assert_int_equal(hw_pcie_cfg_read(&g->pcie, HW_PCIE_BDF(0, 3, 0), PDEV_IDE_OFFSET + 0x14, 4) & 0xF, 2);
}

/* LOCK over the session; returns the nonce through *nonce. */
static void dev_lock(struct dev_rig *g, uint64_t off, uint8_t nonce[TDISP_NONCE_SIZE])
{
        uint8_t m[64];
        size_t n, rn;
        struct tdisp_lock_interface_request q = { .function_id = HW_PCIE_BDF(0, 3, 0), .mmio_reporting_offset = off };
        struct tdisp_nonce_msg r;
        assert_true(tdisp_lock_interface_request_encode(m, sizeof(m), &q, &n));
        const uint8_t *p = vdm(g, m, n, &rn);
        assert_true(tdisp_lock_interface_response_decode(p, rn, &r, NULL));
        memcpy(nonce, r.nonce, TDISP_NONCE_SIZE);
        assert_int_equal(pdev_tdi_state(g->dev), TDISP_STATE_CONFIG_LOCKED);
}

static void pdev_bar0_sizes_as_a_16k_64_bit_memory_bar(void **state)
{
        struct dev_rig g;
        uint16_t bdf = HW_PCIE_BDF(0, 3, 0);
        (void)state;
        dev_up(&g);
        assert_int_equal(hw_pcie_cfg_read(&g.pcie, bdf, 0x10, 4), 0x00000004u);
        hw_pcie_cfg_write(&g.pcie, bdf, 0x10, 4, 0xFFFFFFFFu);
        hw_pcie_cfg_write(&g.pcie, bdf, 0x14, 4, 0xFFFFFFFFu);
        /* PCIe 6.2 §7.5.1.2.1: the size is ~mask + 1 over both DWs */
        uint64_t mask = (uint64_t)hw_pcie_cfg_read(&g.pcie, bdf, 0x14, 4) << 32 |
                        (hw_pcie_cfg_read(&g.pcie, bdf, 0x10, 4) & ~0xFu);
        assert_int_equal(~mask + 1, 0x4000);
        assert_int_equal(hw_pcie_cfg_read(&g.pcie, bdf, 0x10, 4) & 0xF, 0x4);
        hw_pcie_cfg_write(&g.pcie, bdf, 0x10, 4, 0x12346000u);
        hw_pcie_cfg_write(&g.pcie, bdf, 0x14, 4, 0x00000008u);
        assert_int_equal(pdev_bar0(g.dev), 0x812344000ull);
        hw_pcie_cfg_write(&g.pcie, bdf, 0x11, 1, 0x80); /* one byte */
        assert_int_equal(pdev_bar0(g.dev), 0x812348000ull);
        assert_int_equal(hw_pcie_cfg_read(&g.pcie, bdf, 0x18, 4), 0);
        /* the IDE capability: Selective IDE, IDE_KM, one stream (facts §5) */
        assert_int_equal(hw_pcie_cfg_read(&g.pcie, bdf, PDEV_IDE_OFFSET + 4, 4), 0x42);
        dev_down(&g);
}

static void pdev_tdi_runs_after_keys_lock_report_and_start_over_a_real_session(void **state)
{
        struct dev_rig g;
        uint8_t nonce[TDISP_NONCE_SIZE], m[64], buf[512];
        size_t n, rn;
        struct tdi_report_asm a;
        (void)state;
        dev_up(&g);
        hw_pcie_cfg_write(&g.pcie, HW_PCIE_BDF(0, 3, 0), 0x10, 4, 0x10000000u);
        hw_pcie_cfg_write(&g.pcie, HW_PCIE_BDF(0, 3, 0), 0x04, 2, 0x0006);
        dev_key_all(&g);
        dev_lock(&g, 0x1000, nonce);
        tdi_report_asm_init(&a, buf, sizeof(buf));
        while (!tdi_report_asm_done(&a)) {
                struct tdisp_get_report q = { .function_id = HW_PCIE_BDF(0, 3, 0), .offset = tdi_report_asm_next(&a),
                                              .length = 40 };
                struct tdisp_report_portion p;
                assert_true(tdisp_get_device_interface_report_encode(m, sizeof(m), &q, &n));
                const uint8_t *r = vdm(&g, m, n, &rn);
                assert_true(tdisp_device_interface_report_decode(r, rn, &p, NULL));
                assert_true(tdi_report_asm_add(&a, &q, &p, NULL));
        }
        struct tdi_mmio_range ranges[2];
        struct tdi_report rep;
        struct tdi_report_policy pol = { .mmio_reporting_offset = 0x1000 };
        assert_int_equal(a.have, 100);
        assert_true(tdi_report_decode(buf, a.have, &rep, ranges, 2, NULL));
        assert_true(tdi_report_check(&rep, &pol, NULL));
        assert_int_equal(ranges[0].first_page, 0x10001);
        struct tdisp_nonce_msg s = { .function_id = HW_PCIE_BDF(0, 3, 0) };
        memcpy(s.nonce, nonce, sizeof(nonce));
        assert_true(tdisp_start_interface_request_encode(m, sizeof(m), &s, &n));
        const uint8_t *r = vdm(&g, m, n, &rn);
        assert_int_equal(r[2], TDISP_START_INTERFACE_RESPONSE);
        assert_int_equal(pdev_tdi_state(g.dev), TDISP_STATE_RUN);
        /* a COMMAND write that keeps both enables is allowed */
        hw_pcie_cfg_write(&g.pcie, HW_PCIE_BDF(0, 3, 0), 0x04, 2, 0x0006);
        assert_int_equal(pdev_tdi_state(g.dev), TDISP_STATE_RUN);
        assert_int_equal(pdev_tdisp_stats(g.dev)->starts, 1);
        assert_int_equal(pdev_ide_km_stats(g.dev)->gos, 6);
        /* ending the session: the TDI goes to ERROR and the keys are gone */
        assert_int_equal(relay(&g, spdm_requester_end_session(g.req, &g.out)), SPDM_REQ_DONE);
        assert_int_equal(pdev_tdi_state(g.dev), TDISP_STATE_ERROR);
        assert_non_null(strstr(pdev_tdi_error_reason(g.dev), "session"));
        assert_int_equal(hw_pcie_cfg_read(&g.pcie, HW_PCIE_BDF(0, 3, 0), PDEV_IDE_OFFSET + 0x14, 4) & 0xF, 0);
        dev_down(&g);
}

static void pdev_config_writes_a_locked_tdi_depends_on_move_it_to_error(void **state)
{
        struct { uint16_t off; unsigned size; uint32_t val; const char *why; } writes[] = {
                { 0x10, 4, 0x20000000u, "BAR" },
                { 0x14, 4, 0, "BAR" },
                { 0x1C, 4, 0, "BAR" },
                { 0x30, 4, 0, "ROM" },
                { 0x0F, 1, 0x40, "BIST" },
                { 0x04, 2, 0x0004, "Memory Space" },
                { 0x04, 2, 0x0002, "Bus Master" },
                { 0x48, 2, 0x8000, "FLR" },
                { PDEV_IDE_OFFSET + 0x10, 4, 0x00000001u, "IDE" },
                { PDEV_IDE_OFFSET + 0x18, 4, 0, "IDE" },
        };
        (void)state;
        for (size_t i = 0; i < sizeof(writes) / sizeof(writes[0]); i++) {
                struct dev_rig g;
                uint8_t nonce[TDISP_NONCE_SIZE];
                dev_up(&g);
                hw_pcie_cfg_write(&g.pcie, HW_PCIE_BDF(0, 3, 0), 0x10, 4, 0x10000000u);
                hw_pcie_cfg_write(&g.pcie, HW_PCIE_BDF(0, 3, 0), 0x04, 2, 0x0006);
                dev_key_all(&g);
                dev_lock(&g, 0, nonce);
                /* allowed while locked: STATUS, DOE capability reads, COMMAND keeping the enables */
                hw_pcie_cfg_write(&g.pcie, HW_PCIE_BDF(0, 3, 0), 0x06, 2, 0xFFFF);
                hw_pcie_cfg_write(&g.pcie, HW_PCIE_BDF(0, 3, 0), 0x48, 2, 0x0001);
                assert_int_equal(pdev_tdi_state(g.dev), TDISP_STATE_CONFIG_LOCKED);
                hw_pcie_cfg_write(&g.pcie, HW_PCIE_BDF(0, 3, 0), writes[i].off, writes[i].size, writes[i].val);
                assert_int_equal(pdev_tdi_state(g.dev), TDISP_STATE_ERROR);
                if (!strstr(pdev_tdi_error_reason(g.dev), writes[i].why))
                        fail_msg("write %zu: %s", i, pdev_tdi_error_reason(g.dev));
                dev_down(&g);
        }
}

static void pdev_ide_failure_moves_a_running_tdi_to_error(void **state)
{
        struct dev_rig g;
        uint8_t nonce[TDISP_NONCE_SIZE];
        (void)state;
        dev_up(&g);
        dev_key_all(&g);
        dev_lock(&g, 0, nonce);
        pdev_ide_failed(g.dev, "MAC check failed");
        assert_int_equal(pdev_tdi_state(g.dev), TDISP_STATE_ERROR);
        assert_non_null(strstr(pdev_tdi_error_reason(g.dev), "MAC check failed"));
        assert_int_equal(hw_pcie_cfg_read(&g.pcie, HW_PCIE_BDF(0, 3, 0), PDEV_IDE_OFFSET + 0x14, 4) & 0xF, 0);
        dev_down(&g);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(tdisp_get_version_answers_1_0_whatever_version_it_came_with),
                cmocka_unit_test(tdisp_capabilities_name_requests_0x81_to_0x87_and_the_lock_flags_honoured),
                cmocka_unit_test(tdisp_another_version_is_version_mismatch_except_in_get_version),
                cmocka_unit_test(tdisp_optional_and_unknown_requests_are_unsupported_with_their_code),
                cmocka_unit_test(tdisp_another_interface_is_invalid_interface),
                cmocka_unit_test(tdisp_outside_a_session_or_shorter_than_the_header_is_refused),
                cmocka_unit_test(tdisp_malformed_requests_are_invalid_request_and_change_nothing),
                cmocka_unit_test(tdisp_lock_is_refused_until_every_default_stream_key_is_set),
                cmocka_unit_test(tdisp_lock_is_refused_with_keys_from_another_session),
                cmocka_unit_test(tdisp_lock_refuses_flags_the_tdi_does_not_honour),
                cmocka_unit_test(tdisp_lock_refuses_bars_no_range_can_describe),
                cmocka_unit_test(tdisp_lock_outside_config_unlocked_is_invalid_interface_state),
                cmocka_unit_test(tdisp_start_with_the_lock_nonce_runs_and_uses_the_nonce_up),
                cmocka_unit_test(tdisp_every_lock_draws_a_new_nonce),
                cmocka_unit_test(tdisp_stop_from_every_state_unlocks_and_destroys_the_nonce),
                cmocka_unit_test(tdisp_session_end_moves_locked_and_run_to_error_and_other_sessions_do_not),
                cmocka_unit_test(tdisp_ide_stream_going_insecure_moves_run_to_error),
                cmocka_unit_test(tdisp_report_portions_reassemble_to_a_report_that_passes_the_checks),
                cmocka_unit_test(tdisp_report_with_an_offset_past_its_end_or_length_0_is_invalid_request),
                cmocka_unit_test(tdisp_recorded_dmtf_requests_get_answers_of_the_same_codes_and_lengths),
                cmocka_unit_test(pdev_bar0_sizes_as_a_16k_64_bit_memory_bar),
                cmocka_unit_test(pdev_tdi_runs_after_keys_lock_report_and_start_over_a_real_session),
                cmocka_unit_test(pdev_config_writes_a_locked_tdi_depends_on_move_it_to_error),
                cmocka_unit_test(pdev_ide_failure_moves_a_running_tdi_to_error),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
