/* The device's IDE_KM responder (src/device/ide_km_responder.c) through its protocol
 * function: requests built with proto/ide_km.h's encoders, answers read with its decoders,
 * and the recorded DMTF session's IDE_KM requests (tests/kat/spdm12-emu-session, objects
 * 32-57 and 80-91 of session 1, the same again in session 3), whose KP_ACK and K_GOSTOP_ACK
 * answers must come back byte for byte. Expected register values come from the register
 * table of facts §5 (PCIe 6.2 §7.9.26), key order from facts §4 [KEYORDER]. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/ide_km_responder.h"
#include "lib/bytes.h"
#include "proto/ide_km.h"
#include "spdm_kat.h"

#define SID_A 0xFFFF0001u
#define SID_B 0xFFFF0002u
#define BDF 0x0318u /* 03:03.0 */

struct rig {
        struct ide_km_responder *r;
        unsigned insecure_calls;
        char last_why[128];
        uint8_t rsp[512];
        size_t rsp_len;
        /* what the engine was given */
        unsigned prog_calls, go_calls, stop_calls;
        uint8_t engine_key[IDE_KM_KEY_SIZE];
        uint64_t engine_ifv;
        bool engine_refuses;
};

static void on_insecure(void *ctx, const char *why)
{
        struct rig *g = ctx;
        g->insecure_calls++;
        (void)snprintf(g->last_why, sizeof(g->last_why), "%s", why);
}

static void rig_up(struct rig *g)
{
        memset(g, 0, sizeof(*g));
        struct ide_km_responder_cfg c = { .bdf = BDF, .on_insecure = on_insecure, .insecure_ctx = g };
        assert_true(ide_km_responder_new(&g->r, &c));
}

static bool send(struct rig *g, uint32_t sid, const uint8_t *req, size_t len)
{
        return ide_km_responder_handle(g->r, true, sid, req, len, g->rsp, sizeof(g->rsp), &g->rsp_len);
}

static const uint8_t key_aes[IDE_KM_KEY_SIZE] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
                                                  0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
                                                  0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f };

static struct ide_km_key_id kid(enum ide_km_sub_stream ss, enum ide_km_dir d, enum ide_km_key_set ks)
{
        return (struct ide_km_key_id){ .stream_id = 0, .key_set = ks, .dir = d, .sub_stream = ss, .port_index = 1 };
}

/* KEY_PROG; returns the KP_ACK status (fails the test if there is no KP_ACK). */
static enum ide_km_kp_status key_prog(struct rig *g, uint32_t sid, struct ide_km_key_id id, uint64_t ifv)
{
        uint8_t m[IDE_KM_KEY_PROG_SIZE];
        size_t n;
        struct ide_km_key_prog kp = { .id = id, .ifv = ifv };
        struct ide_km_kp_ack ack;
        char why[IDE_KM_WHY_LEN];
        assert_true(ide_km_key_prog_encode(m, sizeof(m), &kp, key_aes, &n));
        assert_true(send(g, sid, m, n));
        if (!ide_km_kp_ack_decode(g->rsp, g->rsp_len, &ack, why))
                fail_msg("KP_ACK: %s", why);
        assert_int_equal(ack.id.stream_id, id.stream_id);
        assert_int_equal(ack.id.port_index, id.port_index);
        return ack.status;
}

/* K_SET_GO or K_SET_STOP; whether it was acknowledged (and the ack echoes the key). */
static bool k_set(struct rig *g, uint32_t sid, uint8_t object, struct ide_km_key_id id)
{
        uint8_t m[IDE_KM_K_SET_SIZE];
        size_t n;
        struct ide_km_k_set ks = { .id = id }, ack;
        assert_true(ide_km_k_set_encode(object, m, sizeof(m), &ks, &n));
        if (!send(g, sid, m, n))
                return false;
        assert_true(ide_km_k_set_decode(IDE_KM_K_GOSTOP_ACK, g->rsp, g->rsp_len, &ack, NULL));
        assert_int_equal(ack.id.stream_id, id.stream_id);
        assert_int_equal(ack.id.key_set, id.key_set);
        assert_int_equal(ack.id.dir, id.dir);
        assert_int_equal(ack.id.sub_stream, id.sub_stream);
        assert_int_equal(ack.id.port_index, id.port_index);
        return true;
}

static void key_all(struct rig *g, uint32_t sid, enum ide_km_key_set ks)
{
        for (unsigned ss = 0; ss < IDE_KM_SUB_STREAMS; ss++)
                for (unsigned d = 0; d < 2; d++)
                        assert_int_equal(key_prog(g, sid, kid((enum ide_km_sub_stream)ss, (enum ide_km_dir)d, ks), 1),
                                         IDE_KM_KP_SUCCESS);
        for (unsigned ss = 0; ss < IDE_KM_SUB_STREAMS; ss++)
                for (unsigned d = 0; d < 2; d++)
                        assert_true(k_set(g, sid, IDE_KM_K_SET_GO, kid((enum ide_km_sub_stream)ss, (enum ide_km_dir)d, ks)));
}

static bool slot_all_zero(const struct ide_km_slot *s)
{
        static const struct ide_km_slot zero;
        return memcmp(s, &zero, sizeof(zero)) == 0;
}

/* ---- QUERY ---- */

static void ide_km_query_answers_the_selective_stream_register_image_for_ports_0_and_1(void **state)
{
        struct rig g;
        (void)state;
        rig_up(&g);
        for (uint8_t port = 0; port <= 1; port++) {
                const uint8_t q[] = { 0x00, 0x00, 0x00, port };
                struct ide_km_query_resp m;
                char why[IDE_KM_WHY_LEN];
                assert_true(send(&g, SID_A, q, sizeof(q)));
                if (!ide_km_query_resp_decode(g.rsp, g.rsp_len, &m, why))
                        fail_msg("QUERY_RESP: %s", why);
                assert_int_equal(m.port_index, port);
                assert_int_equal(m.max_port_index, 1);
                assert_int_equal(m.bus, 0x03);
                assert_int_equal(m.dev_func, 0x18);
                assert_int_equal(m.segment, 0);
                /* facts §5: bit 1 Selective IDE, bit 6 IDE_KM, 23:16 = streams - 1 = 0, no Link IDE */
                assert_int_equal(m.ide_cap, 0x00000042u);
                assert_int_equal(m.link_streams, 0);
                assert_int_equal(m.sel_streams, 1);
                assert_int_equal(m.reg_dw, 7);
                assert_int_equal(m.extra_dw, 0);
                assert_int_equal(ide_km_query_resp_reg(&m, 4), 0); /* Selective Status: Insecure */
        }
        assert_int_equal(ide_km_responder_stats(g.r)->queries, 2);
        ide_km_responder_free(g.r);
}

static void ide_km_query_is_refused_outside_a_session_for_port_2_and_when_malformed(void **state)
{
        struct rig g;
        const uint8_t ok[] = { 0x00, 0x00, 0x00, 0x01 }, port2[] = { 0x00, 0x00, 0x00, 0x02 },
                      longer[] = { 0x00, 0x00, 0x00, 0x01, 0x00 }, tdisp[] = { 0x01, 0x00, 0x00, 0x01 },
                      resp[] = { 0x00, 0x01, 0x00, 0x01 }, unknown[] = { 0x00, 0x07, 0x00, 0x01 };
        (void)state;
        rig_up(&g);
        assert_false(ide_km_responder_handle(g.r, false, 0, ok, sizeof(ok), g.rsp, sizeof(g.rsp), &g.rsp_len));
        assert_int_equal(g.rsp_len, 0);
        assert_false(send(&g, SID_A, port2, sizeof(port2)));
        assert_false(send(&g, SID_A, longer, sizeof(longer)));
        assert_false(send(&g, SID_A, ok, 3));
        assert_false(send(&g, SID_A, ok, 1));
        assert_false(send(&g, SID_A, tdisp, sizeof(tdisp)));
        assert_false(send(&g, SID_A, resp, sizeof(resp)));
        assert_false(send(&g, SID_A, unknown, sizeof(unknown)));
        assert_false(ide_km_responder_handle(g.r, true, SID_A, ok, sizeof(ok), g.rsp, 8, &g.rsp_len)); /* no room */
        assert_int_equal(ide_km_responder_stats(g.r)->refused, 9);
        assert_true(send(&g, SID_A, ok, sizeof(ok)));
        ide_km_responder_free(g.r);
}

/* ---- KEY_PROG ---- */

static void ide_km_key_prog_keeps_the_key_in_aes_order_with_its_ifv_and_session(void **state)
{
        struct rig g;
        (void)state;
        rig_up(&g);
        assert_int_equal(key_prog(&g, SID_A, kid(IDE_KM_NPR, IDE_KM_TX, IDE_KM_K1), 1), IDE_KM_KP_SUCCESS);
        const struct ide_km_slot *s = ide_km_responder_slot(g.r, IDE_KM_NPR, IDE_KM_TX, IDE_KM_K1);
        assert_true(s->programmed);
        assert_false(s->active);
        assert_true(s->key_held);
        assert_memory_equal(s->key, key_aes, sizeof(key_aes));
        assert_int_equal(s->ifv, 1);
        assert_int_equal(s->session_id, SID_A);
        assert_true(slot_all_zero(ide_km_responder_slot(g.r, IDE_KM_NPR, IDE_KM_TX, IDE_KM_K0)));
        assert_true(slot_all_zero(ide_km_responder_slot(g.r, IDE_KM_NPR, IDE_KM_RX, IDE_KM_K1)));
        assert_null(ide_km_responder_slot(g.r, (enum ide_km_sub_stream)3, IDE_KM_TX, IDE_KM_K1));
        ide_km_responder_free(g.r);
}

static void ide_km_key_prog_acks_incorrect_length_for_any_size_but_48(void **state)
{
        struct rig g;
        uint8_t m[64] = { 0 };
        size_t n;
        struct ide_km_key_prog kp = { .id = kid(IDE_KM_PR, IDE_KM_RX, IDE_KM_K0), .ifv = 1 };
        (void)state;
        rig_up(&g);
        assert_true(ide_km_key_prog_encode(m, sizeof(m), &kp, key_aes, &n));
        for (size_t len = 8; len < sizeof(m); len++) {
                struct ide_km_kp_ack ack;
                if (len == IDE_KM_KEY_PROG_SIZE)
                        continue;
                assert_true(send(&g, SID_A, m, len));
                assert_true(ide_km_kp_ack_decode(g.rsp, g.rsp_len, &ack, NULL));
                assert_int_equal(ack.status, IDE_KM_KP_INCORRECT_LENGTH);
        }
        /* shorter than the key identity: nothing to acknowledge */
        assert_false(send(&g, SID_A, m, 7));
        assert_true(slot_all_zero(ide_km_responder_slot(g.r, IDE_KM_PR, IDE_KM_RX, IDE_KM_K0)));
        ide_km_responder_free(g.r);
}

static void ide_km_key_prog_acks_unsupported_port_index_above_1(void **state)
{
        struct rig g;
        struct ide_km_key_id id = kid(IDE_KM_PR, IDE_KM_RX, IDE_KM_K0);
        (void)state;
        rig_up(&g);
        id.port_index = 2;
        assert_int_equal(key_prog(&g, SID_A, id, 1), IDE_KM_KP_UNSUPPORTED_PORT_INDEX);
        id.port_index = 0xFF;
        assert_int_equal(key_prog(&g, SID_A, id, 1), IDE_KM_KP_UNSUPPORTED_PORT_INDEX);
        id.port_index = 0;
        assert_int_equal(key_prog(&g, SID_A, id, 1), IDE_KM_KP_SUCCESS);
        assert_int_equal(ide_km_responder_stats(g.r)->kp_failures, 2);
        ide_km_responder_free(g.r);
}

static void ide_km_key_prog_acks_unsupported_value_for_a_bad_sub_stream_stream_or_ifv(void **state)
{
        struct rig g;
        uint8_t m[IDE_KM_KEY_PROG_SIZE];
        size_t n;
        struct ide_km_key_prog kp = { .id = kid(IDE_KM_CPL, IDE_KM_TX, IDE_KM_K0), .ifv = 1 };
        (void)state;
        rig_up(&g);
        /* sub-stream 3: the ack echoes the KeySubStream byte as it came */
        assert_true(ide_km_key_prog_encode(m, sizeof(m), &kp, key_aes, &n));
        m[6] = 0x32;
        assert_true(send(&g, SID_A, m, n));
        assert_int_equal(g.rsp_len, 8);
        assert_int_equal(g.rsp[1], IDE_KM_KP_ACK);
        assert_int_equal(g.rsp[5], IDE_KM_KP_UNSUPPORTED_VALUE);
        assert_int_equal(g.rsp[6], 0x32);
        /* a stream that Selective Control does not hold */
        struct ide_km_key_id id = kid(IDE_KM_CPL, IDE_KM_TX, IDE_KM_K0);
        id.stream_id = 5;
        assert_int_equal(key_prog(&g, SID_A, id, 1), IDE_KM_KP_UNSUPPORTED_VALUE);
        /* IFV other than the required 1 (facts §4) */
        assert_int_equal(key_prog(&g, SID_A, kid(IDE_KM_CPL, IDE_KM_TX, IDE_KM_K0), 0), IDE_KM_KP_UNSUPPORTED_VALUE);
        assert_int_equal(key_prog(&g, SID_A, kid(IDE_KM_CPL, IDE_KM_TX, IDE_KM_K0), 2), IDE_KM_KP_UNSUPPORTED_VALUE);
        assert_true(slot_all_zero(ide_km_responder_slot(g.r, IDE_KM_CPL, IDE_KM_TX, IDE_KM_K0)));
        /* once the host moves the stream to ID 5, stream 5 is the one */
        ide_km_responder_reg_write(g.r, IDE_KM_RSP_REG_SEL_CTL, 5u << 24, 0x8);
        assert_int_equal(key_prog(&g, SID_A, id, 1), IDE_KM_KP_SUCCESS);
        assert_int_equal(key_prog(&g, SID_A, kid(IDE_KM_CPL, IDE_KM_TX, IDE_KM_K0), 1), IDE_KM_KP_UNSUPPORTED_VALUE);
        ide_km_responder_free(g.r);
}

static void ide_km_key_prog_of_the_active_key_set_or_from_a_session_other_than_the_pinned_one_fails(void **state)
{
        struct rig g;
        (void)state;
        rig_up(&g);
        key_all(&g, SID_A, IDE_KM_K0);
        assert_int_equal(key_prog(&g, SID_A, kid(IDE_KM_PR, IDE_KM_RX, IDE_KM_K0), 1), IDE_KM_KP_UNSPECIFIED_FAILURE);
        /* refresh: the other set, then switch */
        assert_int_equal(key_prog(&g, SID_A, kid(IDE_KM_PR, IDE_KM_RX, IDE_KM_K1), 1), IDE_KM_KP_SUCCESS);
        ide_km_responder_pin(g.r, true, SID_A);
        assert_int_equal(key_prog(&g, SID_B, kid(IDE_KM_PR, IDE_KM_TX, IDE_KM_K1), 1), IDE_KM_KP_UNSPECIFIED_FAILURE);
        assert_false(k_set(&g, SID_B, IDE_KM_K_SET_GO, kid(IDE_KM_PR, IDE_KM_RX, IDE_KM_K1)));
        assert_false(k_set(&g, SID_B, IDE_KM_K_SET_STOP, kid(IDE_KM_PR, IDE_KM_RX, IDE_KM_K0)));
        assert_true(k_set(&g, SID_A, IDE_KM_K_SET_GO, kid(IDE_KM_PR, IDE_KM_RX, IDE_KM_K1)));
        assert_true(ide_km_responder_slot(g.r, IDE_KM_PR, IDE_KM_RX, IDE_KM_K1)->active);
        assert_false(ide_km_responder_slot(g.r, IDE_KM_PR, IDE_KM_RX, IDE_KM_K0)->active);
        assert_true(ide_km_responder_secure(g.r));
        ide_km_responder_pin(g.r, false, 0);
        assert_int_equal(key_prog(&g, SID_B, kid(IDE_KM_PR, IDE_KM_TX, IDE_KM_K1), 1), IDE_KM_KP_SUCCESS);
        assert_int_equal(g.insecure_calls, 0);
        ide_km_responder_free(g.r);
}

/* ---- K_SET_GO / K_SET_STOP and the stream's status ---- */

static void ide_km_stream_is_secure_once_all_six_keys_are_set_going(void **state)
{
        struct rig g;
        (void)state;
        rig_up(&g);
        assert_false(k_set(&g, SID_A, IDE_KM_K_SET_GO, kid(IDE_KM_PR, IDE_KM_RX, IDE_KM_K0))); /* not programmed */
        unsigned n = 0;
        for (unsigned ss = 0; ss < IDE_KM_SUB_STREAMS; ss++)
                for (unsigned d = 0; d < 2; d++) {
                        struct ide_km_key_id id = kid((enum ide_km_sub_stream)ss, (enum ide_km_dir)d, IDE_KM_K0);
                        assert_int_equal(ide_km_responder_reg_read(g.r, IDE_KM_RSP_REG_SEL_STATUS), 0);
                        assert_false(ide_km_responder_keyed_on(g.r, 0, SID_A));
                        assert_int_equal(key_prog(&g, SID_A, id, 1), IDE_KM_KP_SUCCESS);
                        assert_true(k_set(&g, SID_A, IDE_KM_K_SET_GO, id));
                        n++;
                }
        assert_int_equal(n, 6);
        assert_int_equal(ide_km_responder_reg_read(g.r, IDE_KM_RSP_REG_SEL_STATUS), IDE_KM_STATUS_SECURE);
        assert_true(ide_km_responder_secure(g.r));
        assert_true(ide_km_responder_keyed_on(g.r, 0, SID_A));
        assert_false(ide_km_responder_keyed_on(g.r, 0, SID_B));
        assert_false(ide_km_responder_keyed_on(g.r, 1, SID_A));
        assert_int_equal(ide_km_responder_stats(g.r)->gos, 6);
        ide_km_responder_free(g.r);
}

static void ide_km_keys_of_two_sessions_do_not_key_the_stream_on_either(void **state)
{
        struct rig g;
        (void)state;
        rig_up(&g);
        key_all(&g, SID_A, IDE_KM_K0);
        /* one sub-stream and direction refreshed from another session */
        assert_int_equal(key_prog(&g, SID_B, kid(IDE_KM_CPL, IDE_KM_RX, IDE_KM_K1), 1), IDE_KM_KP_SUCCESS);
        assert_true(ide_km_responder_keyed_on(g.r, 0, SID_A)); /* programmed is not going */
        assert_true(k_set(&g, SID_B, IDE_KM_K_SET_GO, kid(IDE_KM_CPL, IDE_KM_RX, IDE_KM_K1)));
        assert_true(ide_km_responder_secure(g.r));
        assert_false(ide_km_responder_keyed_on(g.r, 0, SID_A));
        assert_false(ide_km_responder_keyed_on(g.r, 0, SID_B));
        ide_km_responder_free(g.r);
}

static void ide_km_k_set_stop_of_an_active_key_wipes_it_and_makes_the_stream_insecure(void **state)
{
        struct rig g;
        (void)state;
        rig_up(&g);
        assert_true(k_set(&g, SID_A, IDE_KM_K_SET_STOP, kid(IDE_KM_PR, IDE_KM_RX, IDE_KM_K1))); /* nothing to stop */
        key_all(&g, SID_A, IDE_KM_K0);
        assert_true(k_set(&g, SID_A, IDE_KM_K_SET_STOP, kid(IDE_KM_NPR, IDE_KM_TX, IDE_KM_K0)));
        assert_true(slot_all_zero(ide_km_responder_slot(g.r, IDE_KM_NPR, IDE_KM_TX, IDE_KM_K0)));
        assert_false(ide_km_responder_secure(g.r));
        assert_int_equal(ide_km_responder_reg_read(g.r, IDE_KM_RSP_REG_SEL_STATUS), IDE_KM_STATUS_INSECURE);
        assert_int_equal(g.insecure_calls, 1);
        assert_non_null(strstr(g.last_why, "K_SET_STOP"));
        /* a second stop: still acknowledged, no second event */
        assert_true(k_set(&g, SID_A, IDE_KM_K_SET_STOP, kid(IDE_KM_PR, IDE_KM_TX, IDE_KM_K0)));
        assert_int_equal(g.insecure_calls, 1);
        assert_int_equal(ide_km_responder_stats(g.r)->insecure_events, 1);
        ide_km_responder_free(g.r);
}

static void ide_km_k_set_with_a_bad_port_stream_or_length_is_refused(void **state)
{
        struct rig g;
        uint8_t m[IDE_KM_K_SET_SIZE + 1];
        size_t n;
        (void)state;
        rig_up(&g);
        key_all(&g, SID_A, IDE_KM_K0);
        struct ide_km_k_set ks = { .id = kid(IDE_KM_PR, IDE_KM_RX, IDE_KM_K0) };
        ks.id.port_index = 2;
        assert_true(ide_km_k_set_encode(IDE_KM_K_SET_STOP, m, sizeof(m), &ks, &n));
        assert_false(send(&g, SID_A, m, n));
        ks.id.port_index = 1;
        ks.id.stream_id = 9;
        assert_true(ide_km_k_set_encode(IDE_KM_K_SET_STOP, m, sizeof(m), &ks, &n));
        assert_false(send(&g, SID_A, m, n));
        ks.id.stream_id = 0;
        assert_true(ide_km_k_set_encode(IDE_KM_K_SET_STOP, m, sizeof(m), &ks, &n));
        m[n] = 0;
        assert_false(send(&g, SID_A, m, n + 1));
        assert_false(send(&g, SID_A, m, n - 1));
        m[6] = 0x30; /* sub-stream 3 */
        assert_false(send(&g, SID_A, m, n));
        assert_true(ide_km_responder_secure(g.r)); /* none of it stopped anything */
        assert_int_equal(g.insecure_calls, 0);
        ide_km_responder_free(g.r);
}

/* ---- events ---- */

static void ide_km_session_end_drops_the_keys_that_session_programmed_only(void **state)
{
        struct rig g;
        (void)state;
        rig_up(&g);
        key_all(&g, SID_A, IDE_KM_K0);
        assert_int_equal(key_prog(&g, SID_B, kid(IDE_KM_PR, IDE_KM_RX, IDE_KM_K1), 1), IDE_KM_KP_SUCCESS);
        ide_km_responder_session_ended(g.r, SID_B);
        assert_true(ide_km_responder_secure(g.r));
        assert_true(slot_all_zero(ide_km_responder_slot(g.r, IDE_KM_PR, IDE_KM_RX, IDE_KM_K1)));
        assert_int_equal(g.insecure_calls, 0);
        ide_km_responder_session_ended(g.r, SID_A);
        assert_false(ide_km_responder_secure(g.r));
        assert_int_equal(g.insecure_calls, 1);
        assert_non_null(strstr(g.last_why, "session"));
        for (unsigned ss = 0; ss < IDE_KM_SUB_STREAMS; ss++)
                for (unsigned d = 0; d < 2; d++)
                        assert_true(slot_all_zero(ide_km_responder_slot(g.r, (enum ide_km_sub_stream)ss,
                                                                        (enum ide_km_dir)d, IDE_KM_K0)));
        ide_km_responder_free(g.r);
}

static void ide_km_failure_or_a_new_stream_id_drops_every_key(void **state)
{
        struct rig g;
        (void)state;
        rig_up(&g);
        key_all(&g, SID_A, IDE_KM_K0);
        ide_km_responder_fail(g.r, "MAC check failed");
        assert_false(ide_km_responder_secure(g.r));
        assert_int_equal(g.insecure_calls, 1);
        assert_string_equal(g.last_why, "MAC check failed");
        key_all(&g, SID_A, IDE_KM_K0);
        ide_km_responder_reg_write(g.r, IDE_KM_RSP_REG_SEL_CTL, 0x00000001u, 0xF); /* Enable: same stream */
        assert_true(ide_km_responder_secure(g.r));
        ide_km_responder_reg_write(g.r, IDE_KM_RSP_REG_SEL_CTL, 0x07000001u, 0xF);
        assert_false(ide_km_responder_secure(g.r));
        assert_int_equal(g.insecure_calls, 2);
        assert_int_equal(ide_km_responder_stream_id(g.r), 7);
        ide_km_responder_free(g.r);
}

static void ide_km_registers_keep_their_read_only_bits(void **state)
{
        struct rig g;
        (void)state;
        rig_up(&g);
        for (unsigned i = 0; i < IDE_KM_RSP_REGS; i++)
                ide_km_responder_reg_write(g.r, i, 0xFFFFFFFFu, 0xF);
        /* facts §5: only Enable, TC, Default Stream and Stream ID; RID Limit; Valid, RID Base, Segment Base */
        const uint32_t want[IDE_KM_RSP_REGS] = { 0x42, 0, 0, 0xFF780001u, 0, 0x00FFFF00u, 0xFFFFFF01u };
        for (unsigned i = 0; i < IDE_KM_RSP_REGS; i++)
                assert_int_equal(ide_km_responder_reg_read(g.r, i), want[i]);
        assert_int_equal(ide_km_responder_reg_read(g.r, IDE_KM_RSP_REGS), 0);
        ide_km_responder_reg_write(g.r, IDE_KM_RSP_REG_RID2, 0, 0x1); /* byte 0 only */
        assert_int_equal(ide_km_responder_reg_read(g.r, IDE_KM_RSP_REG_RID2), 0xFFFFFF00u);
        ide_km_responder_free(g.r);
}

/* ---- the engine's key port ---- */

static bool eng_prog(void *ctx, uint8_t stream_id, enum ide_km_sub_stream ss, enum ide_km_dir dir,
                     enum ide_km_key_set ks, const uint8_t key[IDE_KM_KEY_SIZE], uint64_t ifv)
{
        struct rig *g = ctx;
        (void)stream_id, (void)ss, (void)dir, (void)ks;
        g->prog_calls++;
        memcpy(g->engine_key, key, IDE_KM_KEY_SIZE);
        g->engine_ifv = ifv;
        return !g->engine_refuses;
}

static bool eng_go(void *ctx, uint8_t stream_id, enum ide_km_sub_stream ss, enum ide_km_dir dir,
                   enum ide_km_key_set ks)
{
        struct rig *g = ctx;
        (void)stream_id, (void)ss, (void)dir, (void)ks;
        g->go_calls++;
        return !g->engine_refuses;
}

static bool eng_stop(void *ctx, uint8_t stream_id, enum ide_km_sub_stream ss, enum ide_km_dir dir,
                     enum ide_km_key_set ks)
{
        struct rig *g = ctx;
        (void)stream_id, (void)ss, (void)dir, (void)ks;
        g->stop_calls++;
        return true;
}

static void ide_km_with_an_engine_hands_keys_over_and_keeps_none(void **state)
{
        struct rig g;
        (void)state;
        rig_up(&g);
        struct ide_km_port_ops ops = { eng_prog, eng_go, eng_stop, &g };
        ide_km_responder_set_ops(g.r, &ops);
        key_all(&g, SID_A, IDE_KM_K0);
        assert_int_equal(g.prog_calls, 6);
        assert_int_equal(g.go_calls, 6);
        assert_memory_equal(g.engine_key, key_aes, sizeof(key_aes));
        assert_int_equal(g.engine_ifv, 1);
        const struct ide_km_slot *s = ide_km_responder_slot(g.r, IDE_KM_CPL, IDE_KM_TX, IDE_KM_K0);
        assert_true(s->programmed && s->active);
        assert_false(s->key_held);
        uint8_t zero[IDE_KM_KEY_SIZE] = { 0 };
        assert_memory_equal(s->key, zero, sizeof(zero));
        assert_true(k_set(&g, SID_A, IDE_KM_K_SET_STOP, kid(IDE_KM_CPL, IDE_KM_TX, IDE_KM_K0)));
        assert_int_equal(g.stop_calls, 1);
        /* an engine that refuses: failure acknowledged, nothing recorded */
        g.engine_refuses = true;
        assert_int_equal(key_prog(&g, SID_A, kid(IDE_KM_CPL, IDE_KM_TX, IDE_KM_K1), 1), IDE_KM_KP_UNSPECIFIED_FAILURE);
        assert_true(slot_all_zero(ide_km_responder_slot(g.r, IDE_KM_CPL, IDE_KM_TX, IDE_KM_K1)));
        g.engine_refuses = false;
        assert_int_equal(key_prog(&g, SID_A, kid(IDE_KM_CPL, IDE_KM_TX, IDE_KM_K1), 1), IDE_KM_KP_SUCCESS);
        g.engine_refuses = true;
        assert_false(k_set(&g, SID_A, IDE_KM_K_SET_GO, kid(IDE_KM_CPL, IDE_KM_TX, IDE_KM_K1)));
        assert_false(ide_km_responder_slot(g.r, IDE_KM_CPL, IDE_KM_TX, IDE_KM_K1)->active);
        ide_km_responder_free(g.r);
}

/* ---- the recorded DMTF session ---- */

/* Object idx's VENDOR_DEFINED payload (the IDE_KM object) into out. */
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

static const char *kat_field(const struct spdm_kat *k, size_t idx, const char *a, const char *b)
{
        json_t *o = json_array_get(k->objects, idx);
        json_t *j = b ? json_object_get(json_object_get(o, a), b) : json_object_get(o, a);
        return json_is_string(j) ? json_string_value(j) : "";
}

static unsigned replay_session(struct rig *g, const struct spdm_kat *k, long session_number, uint32_t sid)
{
        unsigned n = 0;
        for (size_t idx = 0; idx + 1 < json_array_size(k->objects); idx += 2) {
                json_t *o = json_array_get(k->objects, idx);
                if (strcmp(kat_field(k, idx, "vendor_defined", "protocol"), "PCIe IDE_KM") != 0 ||
                    json_integer_value(json_object_get(o, "session_number")) != session_number)
                        continue;
                uint8_t req[512], rec[512];
                size_t len = kat_payload(k, idx, req, sizeof(req)), rlen = kat_payload(k, idx + 1, rec, sizeof(rec));
                if (!send(g, sid, req, len))
                        fail_msg("object %zu (%s) refused", idx, kat_field(k, idx, "vendor_defined", "message"));
                assert_int_equal(g->rsp[1], rec[1]);
                if (rec[1] == IDE_KM_QUERY_RESP) {
                        /* ours: 7 register DWs and MaxPortIndex 1 where the emulator sends 74 zero DWs
                         * and 7 (facts §8.3); the header fields it echoes are the same */
                        assert_memory_equal(g->rsp, rec, 4);
                        assert_int_equal(g->rsp_len, IDE_KM_QUERY_RESP_HDR_SIZE + 4 * IDE_KM_RSP_REGS);
                } else {
                        assert_int_equal(g->rsp_len, rlen);
                        assert_memory_equal(g->rsp, rec, rlen);
                }
                n++;
        }
        return n;
}

static void ide_km_recorded_dmtf_requests_get_the_recorded_acknowledgements(void **state)
{
        struct spdm_kat k;
        struct rig g;
        (void)state;
        assert_int_equal(spdm_kat_open(&k), 0);
        rig_up(&g);
        /* session 1: QUERY, 6 x (KEY_PROG, K_SET_GO), 6 x K_SET_STOP (objects 32-57, 80-91) */
        assert_int_equal(replay_session(&g, &k, 1, 0xFFFFFFFFu), 1 + 12 + 6);
        assert_false(ide_km_responder_secure(g.r));
        ide_km_responder_session_ended(g.r, 0xFFFFFFFFu);
        /* session 3 does it all again with the same session ID */
        assert_int_equal(replay_session(&g, &k, 3, 0xFFFFFFFFu), 1 + 12 + 6);
        ide_km_responder_free(g.r);
        spdm_kat_close(&k);
}

static void ide_km_recorded_key_prog_keeps_the_key_with_each_wire_dw_reversed(void **state)
{
        struct spdm_kat k;
        struct rig g;
        uint8_t req[64];
        (void)state;
        assert_int_equal(spdm_kat_open(&k), 0);
        rig_up(&g);
        size_t len = kat_payload(&k, 34, req, sizeof(req)); /* K0 | Rx | PR */
        assert_int_equal(len, IDE_KM_KEY_PROG_SIZE);
        assert_true(send(&g, 0xFFFFFFFFu, req, len));
        /* facts §4 [KEYORDER]: Key_DW7 = k[0..3] first, each DW little-endian on the wire */
        uint8_t want[IDE_KM_KEY_SIZE];
        for (size_t i = 0; i < IDE_KM_KEY_SIZE; i++)
                want[i] = req[8 + (i / 4) * 4 + 3 - i % 4];
        const struct ide_km_slot *s = ide_km_responder_slot(g.r, IDE_KM_PR, IDE_KM_RX, IDE_KM_K0);
        assert_true(s->key_held);
        assert_memory_equal(s->key, want, sizeof(want));
        assert_int_equal(s->ifv, 1);
        ide_km_responder_free(g.r);
        spdm_kat_close(&k);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(ide_km_query_answers_the_selective_stream_register_image_for_ports_0_and_1),
                cmocka_unit_test(ide_km_query_is_refused_outside_a_session_for_port_2_and_when_malformed),
                cmocka_unit_test(ide_km_key_prog_keeps_the_key_in_aes_order_with_its_ifv_and_session),
                cmocka_unit_test(ide_km_key_prog_acks_incorrect_length_for_any_size_but_48),
                cmocka_unit_test(ide_km_key_prog_acks_unsupported_port_index_above_1),
                cmocka_unit_test(ide_km_key_prog_acks_unsupported_value_for_a_bad_sub_stream_stream_or_ifv),
                cmocka_unit_test(
                        ide_km_key_prog_of_the_active_key_set_or_from_a_session_other_than_the_pinned_one_fails),
                cmocka_unit_test(ide_km_stream_is_secure_once_all_six_keys_are_set_going),
                cmocka_unit_test(ide_km_keys_of_two_sessions_do_not_key_the_stream_on_either),
                cmocka_unit_test(ide_km_k_set_stop_of_an_active_key_wipes_it_and_makes_the_stream_insecure),
                cmocka_unit_test(ide_km_k_set_with_a_bad_port_stream_or_length_is_refused),
                cmocka_unit_test(ide_km_session_end_drops_the_keys_that_session_programmed_only),
                cmocka_unit_test(ide_km_failure_or_a_new_stream_id_drops_every_key),
                cmocka_unit_test(ide_km_registers_keep_their_read_only_bits),
                cmocka_unit_test(ide_km_with_an_engine_hands_keys_over_and_keeps_none),
                cmocka_unit_test(ide_km_recorded_dmtf_requests_get_the_recorded_acknowledgements),
                cmocka_unit_test(ide_km_recorded_key_prog_keeps_the_key_with_each_wire_dw_reversed),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
