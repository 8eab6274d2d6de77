/* src/proto/ide_km.c: the IDE_KM objects (PCIe 6.0 §6.33.3) over the VENDOR_DEFINED payload.
 * Known answers: every PCIe IDE_KM message of the recorded DMTF spdm-emu session
 * (tests/kat/spdm12-emu-session: objects 32-57 and 80-91 of session 1, 152-177 and 200-211 of
 * session 3, decrypted), checked against what facts §4 and §8.3 and flow.txt say the emulator
 * did; the key and IFV byte order against vectors written by hand from facts §4 [KEYORDER]. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "lib/crypto.h"
#include "lib/prng.h"
#include "proto/ide_km.h"
#include "proto/spdm.h"
#include "spdm_kat.h"

#define SEED               0x4944454b4d000012ull
#define IDE_KM_KAT_OBJECTS 76u /* 26 + 12 per session, sessions 1 and 3 */

static struct spdm_kat kat;

static int setup(void **state)
{
        (void)state;
        return spdm_kat_open(&kat);
}

static int teardown(void **state)
{
        (void)state;
        spdm_kat_close(&kat);
        return 0;
}

/* ---- one decoder switch over all objects, for the walks below ---- */

union ide_km_any {
        struct ide_km_query query;
        struct ide_km_query_resp query_resp;
        struct ide_km_key_prog key_prog;
        struct ide_km_kp_ack kp_ack;
        struct ide_km_k_set k_set;
};

static bool decode_any(uint8_t object, const uint8_t *in, size_t len, union ide_km_any *u, char *why)
{
        switch (object) {
        case IDE_KM_QUERY: return ide_km_query_decode(in, len, &u->query, why);
        case IDE_KM_QUERY_RESP: return ide_km_query_resp_decode(in, len, &u->query_resp, why);
        case IDE_KM_KEY_PROG: return ide_km_key_prog_decode(in, len, &u->key_prog, why);
        case IDE_KM_KP_ACK: return ide_km_kp_ack_decode(in, len, &u->kp_ack, why);
        default: return ide_km_k_set_decode(object, in, len, &u->k_set, why);
        }
}

static size_t any_size(uint8_t object)
{
        switch (object) {
        case IDE_KM_QUERY: return sizeof(struct ide_km_query);
        case IDE_KM_QUERY_RESP: return sizeof(struct ide_km_query_resp);
        case IDE_KM_KEY_PROG: return sizeof(struct ide_km_key_prog);
        case IDE_KM_KP_ACK: return sizeof(struct ide_km_kp_ack);
        default: return sizeof(struct ide_km_k_set);
        }
}

/* Encodes a decoded object again; KEY_PROG through a wiped AES-order copy of its key. */
static bool encode_any(uint8_t object, uint8_t *out, size_t cap, const union ide_km_any *u, size_t *len)
{
        uint8_t key[IDE_KM_KEY_SIZE];
        bool ok;
        switch (object) {
        case IDE_KM_QUERY: return ide_km_query_encode(out, cap, &u->query, len);
        case IDE_KM_QUERY_RESP: return ide_km_query_resp_encode(out, cap, &u->query_resp, len);
        case IDE_KM_KEY_PROG:
                ide_km_key_prog_key(&u->key_prog, key);
                ok = ide_km_key_prog_encode(out, cap, &u->key_prog, key, len);
                secure_zero(key, sizeof(key));
                return ok;
        case IDE_KM_KP_ACK: return ide_km_kp_ack_encode(out, cap, &u->kp_ack, len);
        default: return ide_km_k_set_encode(object, out, cap, &u->k_set, len);
        }
}

static bool all_zero(const void *p, size_t n) { return spdm_kat_all_zero(p, n); }

static void assert_same_id(const struct ide_km_key_id *a, const struct ide_km_key_id *b)
{
        assert_int_equal(a->stream_id, b->stream_id);
        assert_int_equal(a->key_set, b->key_set);
        assert_int_equal(a->dir, b->dir);
        assert_int_equal(a->sub_stream, b->sub_stream);
        assert_int_equal(a->port_index, b->port_index);
}

/* A decode that must fail: false, a reason, the output all zero. */
static void assert_refused(uint8_t object, const uint8_t *in, size_t len, const char *reason)
{
        union ide_km_any u;
        char why[IDE_KM_WHY_LEN] = "";
        memset(&u, 0xA5, sizeof(u));
        if (decode_any(object, in, len, &u, why))
                fail_msg("%s of %zu bytes decoded", ide_km_object_name(object), len);
        assert_true(why[0] != '\0');
        assert_true(all_zero(&u, any_size(object)));
        if (reason && !strstr(why, reason))
                fail_msg("%s: \"%s\" does not say \"%s\"", ide_km_object_name(object), why, reason);
}

/* ---- the recording ---- */

struct kat_msg {
        size_t idx;
        uint8_t *payload; /* a heap copy of exactly len bytes (ASan sees any over-read) */
        size_t len;
        const char *name; /* vendor_defined.message */
};

/* Object idx's IDE_KM payload, from its decrypted VENDOR_DEFINED message; false if the
 * object is not a PCIe IDE_KM message. */
static bool kat_ide_km(size_t idx, struct kat_msg *m)
{
        static uint8_t msg[SPDM_KAT_MSG_MAX];
        json_t *o = json_array_get(kat.objects, idx);
        json_t *vd = json_object_get(o, "vendor_defined");
        const char *proto = json_string_value(json_object_get(vd, "protocol"));
        if (!proto || strcmp(proto, "PCIe IDE_KM"))
                return false;
        const struct spdm_sizes sz = spdm_any_kat_sizes();
        struct spdm_vendor_defined v;
        size_t n = spdm_kat_msg(&kat, idx, msg, sizeof(msg)), used;
        char why[SPDM_WHY_LEN] = "";
        uint8_t pid;
        assert_true(n >= 4);
        bool ok = msg[1] == SPDM_VENDOR_DEFINED_REQUEST
                          ? spdm_vendor_defined_request_decode(msg, n, &sz, &v, &used, why)
                          : spdm_vendor_defined_response_decode(msg, n, &sz, &v, &used, why);
        if (!ok)
                fail_msg("object %zu: %s", idx, why);
        assert_int_equal(used, n);
        assert_true(spdm_vdm_pcisig_protocol(&v, &pid));
        assert_int_equal(pid, SPDM_PCI_PROTOCOL_IDE_KM);
        m->idx = idx;
        m->len = v.payload_len;
        m->payload = malloc(m->len);
        assert_non_null(m->payload);
        memcpy(m->payload, v.payload, m->len);
        m->name = json_string_value(json_object_get(vd, "message"));
        assert_non_null(m->name);
        return true;
}

static bool kat_range(size_t idx)
{
        return (idx >= 32 && idx <= 57) || (idx >= 80 && idx <= 91) || (idx >= 152 && idx <= 177) ||
               (idx >= 200 && idx <= 211);
}

static void ide_km_messages_of_the_recording_are_objects_32_57_80_91_152_177_200_211(void **state)
{
        unsigned count = 0;
        (void)state;
        for (size_t idx = 0; idx < json_array_size(kat.objects); idx++) {
                struct kat_msg m;
                if (!kat_ide_km(idx, &m))
                        continue;
                if (!kat_range(idx))
                        fail_msg("object %zu is IDE_KM outside the README's ranges", idx);
                free(m.payload);
                count++;
        }
        assert_int_equal(count, IDE_KM_KAT_OBJECTS);
}

/* Every recorded message: its object ID names what the recording names, it decodes, it
 * re-encodes byte for byte, one byte short of cap refuses to encode, and every strict
 * prefix and the message plus one byte are refused (QUERY_RESP: see the next test). */
static void ide_km_recorded_messages_decode_reencode_identically_and_refuse_every_truncation(void **state)
{
        unsigned checked = 0;
        (void)state;
        for (size_t idx = 0; idx < json_array_size(kat.objects); idx++) {
                struct kat_msg m;
                union ide_km_any u;
                uint8_t object, enc[2048];
                size_t elen = 99;
                char why[IDE_KM_WHY_LEN] = "";
                if (!kat_ide_km(idx, &m))
                        continue;
                assert_true(ide_km_object_id(m.payload, m.len, &object, why));
                assert_string_equal(ide_km_object_name(object), m.name);
                if (!decode_any(object, m.payload, m.len, &u, why))
                        fail_msg("object %zu (%s): %s", idx, m.name, why);
                assert_true(encode_any(object, enc, sizeof(enc), &u, &elen));
                assert_int_equal(elen, m.len);
                assert_memory_equal(enc, m.payload, m.len);
                assert_false(encode_any(object, enc, m.len - 1, &u, &elen));
                assert_int_equal(elen, 0);
                for (size_t cut = 0; cut < m.len; cut++) {
                        uint8_t *t = malloc(cut ? cut : 1);
                        assert_non_null(t);
                        memcpy(t, m.payload, cut);
                        if (object == IDE_KM_QUERY_RESP && cut >= IDE_KM_QUERY_RESP_HDR_SIZE + 2 * 4 &&
                            cut % 4 == 0) {
                                /* a shorter run of the trailing zero DWs is still a whole image */
                                assert_true(decode_any(object, t, cut, &u, why));
                                assert_int_equal(u.query_resp.extra_dw,
                                                 (cut - IDE_KM_QUERY_RESP_HDR_SIZE) / 4 - 2);
                        } else {
                                assert_refused(object, t, cut, NULL);
                        }
                        free(t);
                }
                uint8_t *longer = calloc(1, m.len + 1);
                assert_non_null(longer);
                memcpy(longer, m.payload, m.len);
                if (object != IDE_KM_QUERY_RESP)
                        assert_refused(object, longer, m.len + 1, "must be");
                else
                        assert_refused(object, longer, m.len + 1, "not whole DWs");
                free(longer);
                free(m.payload);
                checked++;
        }
        assert_int_equal(checked, IDE_KM_KAT_OBJECTS);
}

/* facts §8.3: QUERY port 1; the sample DSM answers dev/func 0, bus 0, segment 0,
 * MaxPortIndex 7 and 74 zero register DWs (an IDE Capability of 0: no Link, no Selective). */
static void ide_km_recorded_query_asks_port_1_and_query_resp_is_the_sample_dsms(void **state)
{
        static const size_t at[] = { 32, 152 };
        (void)state;
        for (size_t i = 0; i < 2; i++) {
                struct kat_msg q, r;
                struct ide_km_query qm;
                struct ide_km_query_resp rm;
                char why[IDE_KM_WHY_LEN] = "";
                assert_true(kat_ide_km(at[i], &q));
                assert_true(kat_ide_km(at[i] + 1, &r));
                assert_true(ide_km_query_decode(q.payload, q.len, &qm, why));
                assert_int_equal(qm.port_index, 1);
                assert_true(ide_km_query_resp_decode(r.payload, r.len, &rm, why));
                assert_int_equal(rm.port_index, 1);
                assert_int_equal(rm.dev_func, 0);
                assert_int_equal(rm.bus, 0);
                assert_int_equal(rm.segment, 0);
                assert_int_equal(rm.max_port_index, 7);
                assert_int_equal(rm.reg_dw, 74);
                assert_ptr_equal(rm.regs, r.payload + 8);
                assert_int_equal(rm.ide_cap, 0);
                assert_int_equal(rm.ide_ctl, 0);
                assert_int_equal(rm.link_streams, 0);
                assert_int_equal(rm.sel_streams, 0);
                assert_int_equal(rm.image_dw, 2);
                assert_int_equal(rm.extra_dw, 72);
                free(q.payload);
                free(r.payload);
        }
}

/* facts §4 and §8.3: per session, KEY_PROG then K_SET_GO for K0 x {Rx, Tx} x {PR, NPR, CPL}
 * on stream 0, port 1, IFV 1, each acknowledged (status 0) for the key it names; later
 * K_SET_STOP x 6 for the same keys. Every (direction, sub-stream) appears exactly once. */
static void ide_km_recorded_sequence_programs_starts_and_stops_k0_rx_tx_pr_npr_cpl_of_stream_0(void **state)
{
        static const size_t prog_first[] = { 34, 154 }, stop_first[] = { 80, 200 };
        (void)state;
        for (size_t s = 0; s < 2; s++) {
                unsigned seen_prog = 0, seen_stop = 0;
                for (size_t k = 0; k < 6; k++) {
                        struct kat_msg kp, ack, go, gack;
                        struct ide_km_key_prog p;
                        struct ide_km_kp_ack a;
                        struct ide_km_k_set g, ga;
                        char why[IDE_KM_WHY_LEN] = "";
                        size_t at = prog_first[s] + 4 * k;
                        assert_true(kat_ide_km(at, &kp) && kat_ide_km(at + 1, &ack));
                        assert_true(kat_ide_km(at + 2, &go) && kat_ide_km(at + 3, &gack));
                        assert_true(ide_km_key_prog_decode(kp.payload, kp.len, &p, why));
                        assert_int_equal(p.id.stream_id, 0);
                        assert_int_equal(p.id.key_set, IDE_KM_K0);
                        assert_int_equal(p.id.port_index, 1);
                        assert_true(p.ifv == 1);
                        assert_ptr_equal(p.key_wire, kp.payload + IDE_KM_KEY_PROG_OFF_KEY);
                        seen_prog |= 1u << (p.id.dir * 3 + p.id.sub_stream);
                        assert_true(ide_km_kp_ack_decode(ack.payload, ack.len, &a, why));
                        assert_int_equal(a.status, IDE_KM_KP_SUCCESS);
                        assert_same_id(&a.id, &p.id);
                        assert_true(ide_km_k_set_decode(IDE_KM_K_SET_GO, go.payload, go.len, &g, why));
                        assert_same_id(&g.id, &p.id);
                        assert_true(
                                ide_km_k_set_decode(IDE_KM_K_GOSTOP_ACK, gack.payload, gack.len, &ga, why));
                        assert_same_id(&ga.id, &p.id);

                        struct kat_msg st, sack;
                        struct ide_km_k_set sm, sa;
                        assert_true(kat_ide_km(stop_first[s] + 2 * k, &st) &&
                                    kat_ide_km(stop_first[s] + 2 * k + 1, &sack));
                        assert_true(ide_km_k_set_decode(IDE_KM_K_SET_STOP, st.payload, st.len, &sm, why));
                        assert_true(
                                ide_km_k_set_decode(IDE_KM_K_GOSTOP_ACK, sack.payload, sack.len, &sa, why));
                        assert_same_id(&sa.id, &sm.id);
                        assert_int_equal(sm.id.stream_id, 0);
                        assert_int_equal(sm.id.key_set, IDE_KM_K0);
                        assert_int_equal(sm.id.port_index, 1);
                        seen_stop |= 1u << (sm.id.dir * 3 + sm.id.sub_stream);
                        free(kp.payload), free(ack.payload), free(go.payload), free(gack.payload);
                        free(st.payload), free(sack.payload);
                }
                assert_int_equal(seen_prog, 0x3F);
                assert_int_equal(seen_stop, 0x3F);
        }
}

/* Object 34's key, the 4-byte groups of its wire bytes reversed by hand from facts §4. */
static void ide_km_key_prog_key_of_object_34_is_its_wire_dwords_byte_reversed(void **state)
{
        static const uint8_t want[IDE_KM_KEY_SIZE] = {
                0xc2, 0xac, 0xfb, 0x76, 0x62, 0xe6, 0x55, 0x31, 0x8c, 0x27, 0xf0,
                0x80, 0x31, 0xe2, 0x5e, 0xe6, 0x68, 0x49, 0xc5, 0x38, 0x07, 0x6f,
                0xe4, 0x84, 0x64, 0x36, 0x58, 0xed, 0xf2, 0x1b, 0x2e, 0x19,
        };
        struct kat_msg m;
        struct ide_km_key_prog p;
        uint8_t key[IDE_KM_KEY_SIZE];
        (void)state;
        assert_true(kat_ide_km(34, &m));
        assert_true(ide_km_key_prog_decode(m.payload, m.len, &p, NULL));
        ide_km_key_prog_key(&p, key);
        assert_memory_equal(key, want, sizeof(want));
        secure_zero(key, sizeof(key));
        free(m.payload);
}

/* ---- byte order, by hand from facts §4 ---- */

/* Key bytes k[i] = i: Key_DW7 = 00010203h first, little-endian; the facts' wire example
 * 00 02 00 00 00 00 00 01 <key> 00 00 00 00 01 00 00 00 for stream 0, K0 Rx PR, port 1, IFV 1. */
static void ide_km_key_prog_encode_writes_key_dw7_first_little_endian_and_ifv_dw1_first(void **state)
{
        static const uint8_t want[IDE_KM_KEY_PROG_SIZE] = {
                0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, /* */
                3,    2,    1,    0,    7,    6,    5,    4,    11,   10,   9,    8,    15, 14,
                13,   12,   19,   18,   17,   16,   23,   22,   21,   20,   27,   26,   25, 24,
                31,   30,   29,   28,   0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
        };
        struct ide_km_key_prog m = { .id = { 0, IDE_KM_K0, IDE_KM_RX, IDE_KM_PR, 1 }, .ifv = 1 };
        uint8_t key[IDE_KM_KEY_SIZE], out[64], back[IDE_KM_KEY_SIZE];
        size_t len;
        (void)state;
        for (size_t i = 0; i < sizeof(key); i++)
                key[i] = (uint8_t)i;
        assert_true(ide_km_key_prog_encode(out, sizeof(out), &m, key, &len));
        assert_int_equal(len, IDE_KM_KEY_PROG_SIZE);
        assert_memory_equal(out, want, sizeof(want));
        struct ide_km_key_prog d;
        assert_true(ide_km_key_prog_decode(want, sizeof(want), &d, NULL));
        ide_km_key_prog_key(&d, back);
        assert_memory_equal(back, key, sizeof(key));
        assert_true(d.ifv == 1);
}

/* IFV_DW1 (IV bytes 4..7) then IFV_DW0 (IV bytes 8..11), each little-endian: wire
 * 11 22 33 44 55 66 77 88 is DW1 = 44332211h, DW0 = 88776655h. */
static void ide_km_key_prog_ifv_is_dw1_then_dw0_each_little_endian(void **state)
{
        uint8_t in[IDE_KM_KEY_PROG_SIZE] = { 0x00, 0x02, 0, 0, 0x07, 0, 0x21, 0x00 };
        static const uint8_t ifv[8] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };
        struct ide_km_key_prog d;
        (void)state;
        memcpy(in + IDE_KM_KEY_PROG_OFF_IFV, ifv, sizeof(ifv));
        assert_true(ide_km_key_prog_decode(in, sizeof(in), &d, NULL));
        assert_true(d.ifv == 0x4433221188776655ull);
        assert_int_equal(d.id.stream_id, 7);
        assert_int_equal(d.id.key_set, IDE_KM_K1); /* 0x21 = K1 | Rx | CPL */
        assert_int_equal(d.id.dir, IDE_KM_RX);
        assert_int_equal(d.id.sub_stream, IDE_KM_CPL);
        assert_int_equal(d.id.port_index, 0);
}

/* facts §4: "0x12 = K0|Tx|NPR". */
static void ide_km_key_sub_stream_0x12_is_k0_tx_npr(void **state)
{
        static const uint8_t go[8] = { 0x00, 0x04, 0x00, 0x00, 0x05, 0x00, 0x12, 0x03 };
        struct ide_km_k_set m = { .id = { 5, IDE_KM_K0, IDE_KM_TX, IDE_KM_NPR, 3 } }, d;
        uint8_t out[8];
        size_t len;
        (void)state;
        assert_true(ide_km_k_set_encode(IDE_KM_K_SET_GO, out, sizeof(out), &m, &len));
        assert_memory_equal(out, go, sizeof(go));
        assert_true(ide_km_k_set_decode(IDE_KM_K_SET_GO, go, sizeof(go), &d, NULL));
        assert_same_id(&d.id, &m.id);
}

/* ---- error paths ---- */

static void ide_km_object_id_rejects_short_and_non_ide_km_payloads(void **state)
{
        static const uint8_t tdisp[4] = { 0x01, 0x00, 0x00, 0x01 }, query[4] = { 0x00, 0x00, 0x00, 0x01 };
        uint8_t object = 0x55;
        char why[IDE_KM_WHY_LEN] = "";
        (void)state;
        assert_false(ide_km_object_id(query, 1, &object, why));
        assert_int_equal(object, 0);
        assert_non_null(strstr(why, "shorter"));
        assert_false(ide_km_object_id(NULL, 4, &object, why));
        assert_false(ide_km_object_id(tdisp, sizeof(tdisp), &object, why));
        assert_non_null(strstr(why, "not IDE_KM"));
        assert_true(ide_km_object_id(query, 2, &object, why));
        assert_int_equal(object, IDE_KM_QUERY);
        for (unsigned o = IDE_KM_QUERY; o <= IDE_KM_K_GOSTOP_ACK; o++)
                assert_refused((uint8_t)o, tdisp, sizeof(tdisp), "not IDE_KM");
}

/* Each decoder takes its own object ID only (a KP_ACK is no K_GOSTOP_ACK). */
static void ide_km_decoders_reject_another_object_id(void **state)
{
        (void)state;
        for (unsigned want = IDE_KM_QUERY; want <= IDE_KM_K_GOSTOP_ACK; want++)
                for (unsigned got = 0; got < 256; got++) {
                        uint8_t in[IDE_KM_KEY_PROG_SIZE] = { 0x00, (uint8_t)got };
                        if (got != want)
                                assert_refused((uint8_t)want, in, sizeof(in), "where");
                }
}

static void ide_km_k_set_decode_refuses_objects_outside_go_stop_and_ack(void **state)
{
        static const uint8_t ack[8] = { 0x00, 0x03, 0, 0, 0, 0, 0, 1 };
        struct ide_km_k_set d;
        struct ide_km_k_set m = { .id = { 0, IDE_KM_K0, IDE_KM_RX, IDE_KM_PR, 1 } };
        uint8_t out[8];
        size_t len = 99;
        char why[IDE_KM_WHY_LEN] = "";
        (void)state;
        assert_false(ide_km_k_set_decode(IDE_KM_KP_ACK, ack, sizeof(ack), &d, why));
        assert_non_null(strstr(why, "K_SET layout"));
        assert_false(ide_km_k_set_encode(IDE_KM_KP_ACK, out, sizeof(out), &m, &len));
        assert_int_equal(len, 0);
        assert_false(ide_km_k_set_encode(0x07, out, sizeof(out), &m, &len));
}

/* Sub-stream 3..15 in KeySubStream bits 7:4 are reserved encodings (facts §4: 0 PR, 1 NPR,
 * 2 CPL), in every object that carries the byte. */
static void ide_km_decoders_reject_reserved_sub_streams_3_to_15(void **state)
{
        static const uint8_t objects[] = { IDE_KM_KEY_PROG, IDE_KM_KP_ACK, IDE_KM_K_SET_GO, IDE_KM_K_SET_STOP,
                                           IDE_KM_K_GOSTOP_ACK };
        (void)state;
        for (size_t i = 0; i < sizeof(objects); i++)
                for (unsigned sub = 0; sub < 16; sub++) {
                        size_t len = objects[i] == IDE_KM_KEY_PROG ? IDE_KM_KEY_PROG_SIZE : 8;
                        uint8_t in[IDE_KM_KEY_PROG_SIZE] = {
                                0x00, objects[i], 0, 0, 0, 0, (uint8_t)(sub << 4 | 3), 1
                        };
                        union ide_km_any u;
                        if (sub < 3) {
                                assert_true(decode_any(objects[i], in, len, &u, NULL));
                                continue;
                        }
                        assert_refused(objects[i], in, len, "reserved");
                }
}

static void ide_km_kp_ack_decode_rejects_status_above_unspecified_failure(void **state)
{
        uint8_t in[8] = { 0x00, 0x03, 0, 0, 0, 0, 0x00, 1 };
        struct ide_km_kp_ack d;
        (void)state;
        for (unsigned s = 0; s < 256; s++) {
                in[5] = (uint8_t)s;
                if (s <= IDE_KM_KP_UNSPECIFIED_FAILURE) {
                        assert_true(ide_km_kp_ack_decode(in, sizeof(in), &d, NULL));
                        assert_int_equal(d.status, s);
                } else {
                        assert_refused(IDE_KM_KP_ACK, in, sizeof(in), "Status");
                }
        }
}

/* Reserved fields (byte 2 of QUERY/QUERY_RESP, bytes 2-3 and the Reserved byte 5 elsewhere,
 * KeySubStream bits 3:2) are ignored on decode and written as zero. */
static void ide_km_decoders_ignore_reserved_fields_and_encoders_write_them_zero(void **state)
{
        uint8_t q[4] = { 0x00, 0x00, 0xFF, 0x02 };
        uint8_t g[8] = { 0x00, 0x05, 0xFF, 0xFF, 0x09, 0xFF, 0x2C | 0x01, 0x04 };
        uint8_t kp[IDE_KM_KEY_PROG_SIZE] = { 0x00, 0x02, 0xFF, 0xFF, 0x01, 0xFF, 0x1E, 0x00 };
        struct ide_km_query qd;
        struct ide_km_k_set gd;
        struct ide_km_key_prog kd;
        uint8_t out[IDE_KM_KEY_PROG_SIZE], key[IDE_KM_KEY_SIZE];
        size_t len;
        (void)state;
        assert_true(ide_km_query_decode(q, sizeof(q), &qd, NULL));
        assert_int_equal(qd.port_index, 2);
        assert_true(ide_km_query_encode(out, sizeof(out), &qd, &len));
        assert_memory_equal(out, ((const uint8_t[]){ 0x00, 0x00, 0x00, 0x02 }), 4);

        assert_true(ide_km_k_set_decode(IDE_KM_K_SET_STOP, g, sizeof(g), &gd, NULL));
        assert_int_equal(gd.id.sub_stream, IDE_KM_CPL);
        assert_int_equal(gd.id.key_set, IDE_KM_K1);
        assert_int_equal(gd.id.dir, IDE_KM_RX);
        assert_true(ide_km_k_set_encode(IDE_KM_K_SET_STOP, out, sizeof(out), &gd, &len));
        assert_memory_equal(out, ((const uint8_t[]){ 0x00, 0x05, 0, 0, 0x09, 0, 0x21, 0x04 }), 8);

        assert_true(ide_km_key_prog_decode(kp, sizeof(kp), &kd, NULL));
        assert_int_equal(kd.id.sub_stream, IDE_KM_NPR); /* 0x1E: NPR, Tx, K0, bits 3:2 set */
        assert_int_equal(kd.id.dir, IDE_KM_TX);
        assert_int_equal(kd.id.key_set, IDE_KM_K0);
        ide_km_key_prog_key(&kd, key);
        assert_true(ide_km_key_prog_encode(out, sizeof(out), &kd, key, &len));
        assert_memory_equal(out, ((const uint8_t[]){ 0x00, 0x02, 0, 0, 0x01, 0, 0x12, 0x00 }), 8);
        secure_zero(key, sizeof(key));
}

/* An encoder never writes what a decoder refuses, and never a partial object. */
static void ide_km_encoders_refuse_out_of_range_fields_short_buffers_and_no_key(void **state)
{
        const struct ide_km_key_id ok = { 0, IDE_KM_K0, IDE_KM_TX, IDE_KM_CPL, 1 };
        struct ide_km_key_id bad[3] = { ok, ok, ok };
        uint8_t out[IDE_KM_KEY_PROG_SIZE], key[IDE_KM_KEY_SIZE] = { 1 };
        size_t len;
        (void)state;
        bad[0].key_set = (enum ide_km_key_set)2;
        bad[1].dir = (enum ide_km_dir)2;
        bad[2].sub_stream = (enum ide_km_sub_stream)3;
        for (size_t i = 0; i < 3; i++) {
                struct ide_km_key_prog kp = { .id = bad[i], .ifv = 1 };
                struct ide_km_kp_ack a = { .id = bad[i] };
                struct ide_km_k_set g = { .id = bad[i] };
                memset(out, 0xEE, sizeof(out));
                len = 99;
                assert_false(ide_km_key_prog_encode(out, sizeof(out), &kp, key, &len));
                assert_int_equal(len, 0);
                assert_false(ide_km_kp_ack_encode(out, sizeof(out), &a, &len));
                assert_false(ide_km_k_set_encode(IDE_KM_K_SET_GO, out, sizeof(out), &g, &len));
                for (size_t j = 0; j < sizeof(out); j++)
                        assert_int_equal(out[j], 0xEE);
        }
        struct ide_km_kp_ack st = { .id = ok, .status = (enum ide_km_kp_status)5 };
        assert_false(ide_km_kp_ack_encode(out, sizeof(out), &st, &len));
        struct ide_km_key_prog kp = { .id = ok, .ifv = 1 };
        assert_false(ide_km_key_prog_encode(out, sizeof(out), &kp, NULL, &len));
        /* one byte short: the key must not reach a buffer that cannot hold the object */
        memset(out, 0xEE, sizeof(out));
        assert_false(ide_km_key_prog_encode(out, IDE_KM_KEY_PROG_SIZE - 1, &kp, key, &len));
        assert_int_equal(len, 0);
        for (size_t j = 0; j < sizeof(out); j++)
                assert_int_equal(out[j], 0xEE);
        struct ide_km_query q = { 1 };
        assert_false(ide_km_query_encode(out, IDE_KM_QUERY_SIZE - 1, &q, &len));
        struct ide_km_k_set g = { .id = ok };
        assert_false(ide_km_k_set_encode(IDE_KM_K_GOSTOP_ACK, out, IDE_KM_K_SET_SIZE - 1, &g, &len));
        struct ide_km_kp_ack a = { .id = ok };
        assert_false(ide_km_kp_ack_encode(out, IDE_KM_KP_ACK_SIZE - 1, &a, &len));
        assert_int_equal(len, 0);
}

/* ---- QUERY_RESP register images ---- */

/* Builds a QUERY_RESP payload whose image is regs[0..n) into out; returns its length. */
static size_t query_resp(uint8_t *out, const uint32_t *regs, size_t n)
{
        static const uint8_t hdr[8] = { 0x00, 0x01, 0x00, 0x01, 0x08, 0x02, 0x00, 0x07 };
        memcpy(out, hdr, sizeof(hdr));
        for (size_t i = 0; i < n; i++)
                st_le32(out + 8 + 4 * i, regs[i]);
        return 8 + 4 * n;
}

/* IDE Capability: Link (bit 0) with 3 TCs (bits 15:13 = 2), Selective (bit 1) with 2 streams
 * (bits 23:16 = 1); stream 0 has 1 address block, stream 1 has 2: 2 + 3*2 + 8 + 11 = 27 DW. */
static size_t sample_image(uint32_t *regs)
{
        size_t n = 0;
        regs[n++] = 0x1u | 0x2u | 2u << 13 | 1u << 16;
        regs[n++] = 0x4u; /* IDE Control: Flow-Through enabled */
        for (unsigned i = 0; i < 3; i++) {
                regs[n++] = 0x1u | (unsigned)i << 24; /* Link Control: enable, stream ID */
                regs[n++] = 0x2u;                     /* Status: Secure */
        }
        for (unsigned s = 0; s < 2; s++) {
                regs[n++] = s + 1; /* Selective Capability: address blocks */
                regs[n++] = 0x1u | (7u + s) << 24;
                regs[n++] = 0x2u;
                regs[n++] = 0xAB00u;
                regs[n++] = 0x1u;
                for (unsigned b = 0; b <= s; b++) {
                        regs[n++] = 0x00100001u;
                        regs[n++] = 0xFFFFFFFFu;
                        regs[n++] = 0x12345678u;
                }
        }
        return n;
}

static void ide_km_query_resp_decode_walks_link_and_selective_stream_blocks(void **state)
{
        uint32_t regs[64];
        uint8_t in[8 + 4 * 64], out[sizeof(in)];
        struct ide_km_query_resp d;
        size_t first, len;
        unsigned blocks;
        char why[IDE_KM_WHY_LEN] = "";
        (void)state;
        size_t n = sample_image(regs);
        assert_int_equal(n, 27);
        size_t inlen = query_resp(in, regs, n);
        if (!ide_km_query_resp_decode(in, inlen, &d, why))
                fail_msg("%s", why);
        assert_int_equal(d.dev_func, 0x08);
        assert_int_equal(d.bus, 0x02);
        assert_int_equal(d.max_port_index, 7);
        assert_int_equal(d.link_streams, 3);
        assert_int_equal(d.sel_streams, 2);
        assert_int_equal(d.image_dw, 27);
        assert_int_equal(d.extra_dw, 0);
        assert_int_equal(d.ide_ctl, 4);
        for (size_t i = 0; i < n; i++)
                assert_int_equal(ide_km_query_resp_reg(&d, i), regs[i]);
        assert_int_equal(ide_km_query_resp_reg(&d, n), 0);
        assert_true(ide_km_query_resp_sel_stream(&d, 0, &first, &blocks));
        assert_int_equal(first, 8);
        assert_int_equal(blocks, 1);
        assert_true(ide_km_query_resp_sel_stream(&d, 1, &first, &blocks));
        assert_int_equal(first, 16);
        assert_int_equal(blocks, 2);
        assert_false(ide_km_query_resp_sel_stream(&d, 2, &first, &blocks));
        assert_int_equal(first, 0);
        assert_true(ide_km_query_resp_encode(out, sizeof(out), &d, &len));
        assert_int_equal(len, inlen);
        assert_memory_equal(out, in, inlen);
}

static void ide_km_query_resp_decode_rejects_images_shorter_than_the_capability_describes(void **state)
{
        uint32_t regs[64];
        uint8_t in[8 + 4 * 64];
        (void)state;
        size_t n = sample_image(regs);
        /* every whole-DW cut: inside the Link blocks, a Selective block's fixed part, its address blocks */
        for (size_t k = 2; k < n; k++) {
                size_t len = query_resp(in, regs, k);
                assert_refused(IDE_KM_QUERY_RESP, in, len, k < 8 ? "Link IDE" : "Selective IDE stream");
        }
        for (size_t k = 0; k < 2; k++)
                assert_refused(IDE_KM_QUERY_RESP, in, query_resp(in, regs, k),
                               "Capability and Control are missing");
        assert_refused(IDE_KM_QUERY_RESP, in, 7, "must be");
        assert_refused(IDE_KM_QUERY_RESP, in, query_resp(in, regs, n) - 1, "not whole DWs");
}

static void ide_km_query_resp_decode_accepts_zero_dwords_after_the_image_and_rejects_others(void **state)
{
        uint32_t regs[64] = { 0 };
        uint8_t in[8 + 4 * 64];
        struct ide_km_query_resp d;
        (void)state;
        size_t n = sample_image(regs);
        assert_true(ide_km_query_resp_decode(in, query_resp(in, regs, n + 3), &d, NULL));
        assert_int_equal(d.image_dw, n);
        assert_int_equal(d.extra_dw, 3);
        regs[n + 2] = 0x100;
        assert_refused(IDE_KM_QUERY_RESP, in, query_resp(in, regs, n + 3), "not zero");
        /* with a capability of 0 the image is 2 DWs: anything after must be zero too */
        uint32_t zero[4] = { 0, 0, 0, 1 };
        assert_refused(IDE_KM_QUERY_RESP, in, query_resp(in, zero, 4), "DW 3");
}

/* The largest image: Link with 8 TCs, 256 Selective streams with 15 address blocks each. */
static void ide_km_query_resp_decode_takes_the_largest_image_and_refuses_one_dword_more(void **state)
{
        size_t max = IDE_KM_REGS_MAX_DW;
        uint32_t *regs = calloc(max + 1, sizeof(*regs));
        uint8_t *in = malloc(8 + 4 * (max + 1)), *out = malloc(8 + 4 * max);
        struct ide_km_query_resp d;
        size_t n = 0, len;
        (void)state;
        assert_true(regs && in && out);
        assert_int_equal(max, 12818);
        regs[n++] = 0x3u | 7u << 13 | 255u << 16;
        regs[n++] = 0;
        n += 16;
        for (unsigned s = 0; s < 256; s++) {
                regs[n] = 15;
                n += 5 + 45;
        }
        assert_int_equal(n, max);
        assert_true(ide_km_query_resp_decode(in, query_resp(in, regs, n), &d, NULL));
        assert_int_equal(d.link_streams, 8);
        assert_int_equal(d.sel_streams, 256);
        assert_int_equal(d.image_dw, max);
        assert_true(ide_km_query_resp_encode(out, 8 + 4 * max, &d, &len));
        assert_false(ide_km_query_resp_encode(out, 8 + 4 * max - 1, &d, &len));
        assert_refused(IDE_KM_QUERY_RESP, in, query_resp(in, regs, n + 1), "more than");
        free(regs), free(in), free(out);
}

static void ide_km_query_resp_encode_refuses_what_the_decoder_would(void **state)
{
        uint32_t regs[64] = { 0 };
        uint8_t img[4 * 64], out[8 + 4 * 64];
        struct ide_km_query_resp m = { .port_index = 1, .regs = img };
        size_t len = 99;
        (void)state;
        size_t n = sample_image(regs);
        for (size_t i = 0; i < n + 1; i++)
                st_le32(img + 4 * i, regs[i]);
        m.reg_dw = n - 1; /* the last address block cut */
        assert_false(ide_km_query_resp_encode(out, sizeof(out), &m, &len));
        assert_int_equal(len, 0);
        m.reg_dw = 1;
        assert_false(ide_km_query_resp_encode(out, sizeof(out), &m, &len));
        st_le32(img + 4 * n, 1);
        m.reg_dw = n + 1; /* a non-zero DW after the image */
        assert_false(ide_km_query_resp_encode(out, sizeof(out), &m, &len));
        m.regs = NULL;
        m.reg_dw = n;
        assert_false(ide_km_query_resp_encode(out, sizeof(out), &m, &len));
        m.regs = img;
        assert_true(ide_km_query_resp_encode(out, sizeof(out), &m, &len));
        assert_int_equal(len, 8 + 4 * n);
}

/* ---- round trip over random valid structs ---- */

static struct ide_km_key_id random_id(struct prng *p)
{
        struct ide_km_key_id id = {
                .stream_id = (uint8_t)prng_next(p),
                .key_set = prng_below(p, 2) ? IDE_KM_K1 : IDE_KM_K0,
                .dir = prng_below(p, 2) ? IDE_KM_TX : IDE_KM_RX,
                .sub_stream = (enum ide_km_sub_stream)prng_below(p, IDE_KM_SUB_STREAMS),
                .port_index = (uint8_t)prng_next(p),
        };
        return id;
}

/* A random image the generator counts itself; returns its DWs (extra zero DWs included). */
static size_t random_image(struct prng *p, uint8_t *img, unsigned *link, unsigned *sel, size_t *image)
{
        uint32_t cap = (uint32_t)prng_next(p) & ~(IDE_KM_CAP_LINK | IDE_KM_CAP_SELECTIVE) & ~0x00FFE000u;
        *link = *sel = 0;
        if (prng_below(p, 2)) {
                *link = (unsigned)prng_below(p, 8) + 1;
                cap |= IDE_KM_CAP_LINK | (*link - 1) << 13;
        }
        if (prng_below(p, 2)) {
                *sel = (unsigned)prng_below(p, 6) + 1;
                cap |= IDE_KM_CAP_SELECTIVE | (*sel - 1) << 16;
        }
        size_t n = 0;
        st_le32(img + 4 * n++, cap);
        st_le32(img + 4 * n++, (uint32_t)prng_next(p));
        for (unsigned i = 0; i < 2 * *link; i++)
                st_le32(img + 4 * n++, (uint32_t)prng_next(p));
        for (unsigned s = 0; s < *sel; s++) {
                unsigned blocks = (unsigned)prng_below(p, 16);
                st_le32(img + 4 * n++, ((uint32_t)prng_next(p) & ~0xFu) | blocks);
                for (unsigned i = 0; i < 4 + 3 * blocks; i++)
                        st_le32(img + 4 * n++, (uint32_t)prng_next(p));
        }
        *image = n;
        size_t extra = (size_t)prng_below(p, 4);
        memset(img + 4 * n, 0, 4 * extra);
        return n + extra;
}

static void ide_km_objects_round_trip_over_random_valid_structs(void **state)
{
        static uint8_t img[4 * 600], out[8 + sizeof(img)];
        struct prng p;
        (void)state;
        prng_seed(&p, SEED);
        printf("seed 0x%016" PRIx64 "\n", (uint64_t)SEED);
        for (unsigned iter = 0; iter < 2000; iter++) {
                size_t len = 0;
                char why[IDE_KM_WHY_LEN] = "";
                uint8_t object = (uint8_t)prng_below(&p, 7);
                union ide_km_any m, d;
                uint8_t key[IDE_KM_KEY_SIZE], back[IDE_KM_KEY_SIZE];
                unsigned link = 0, sel = 0;
                size_t image = 0;
                memset(&m, 0, sizeof(m));
                switch (object) {
                case IDE_KM_QUERY: m.query.port_index = (uint8_t)prng_next(&p); break;
                case IDE_KM_QUERY_RESP:
                        m.query_resp.port_index = (uint8_t)prng_next(&p);
                        m.query_resp.dev_func = (uint8_t)prng_next(&p);
                        m.query_resp.bus = (uint8_t)prng_next(&p);
                        m.query_resp.segment = (uint8_t)prng_next(&p);
                        m.query_resp.max_port_index = (uint8_t)prng_next(&p);
                        m.query_resp.regs = img;
                        m.query_resp.reg_dw = random_image(&p, img, &link, &sel, &image);
                        break;
                case IDE_KM_KEY_PROG:
                        m.key_prog.id = random_id(&p);
                        m.key_prog.ifv = prng_next(&p);
                        prng_fill(&p, key, sizeof(key));
                        break;
                case IDE_KM_KP_ACK:
                        m.kp_ack.id = random_id(&p);
                        m.kp_ack.status = (enum ide_km_kp_status)prng_below(&p, IDE_KM_KP_STATUS_MAX + 1);
                        break;
                default: m.k_set.id = random_id(&p); break;
                }
                bool ok = object == IDE_KM_KEY_PROG
                                  ? ide_km_key_prog_encode(out, sizeof(out), &m.key_prog, key, &len)
                                  : encode_any(object, out, sizeof(out), &m, &len);
                if (!ok)
                        fail_msg("seed 0x%" PRIx64 " iteration %u: %s did not encode", (uint64_t)SEED, iter,
                                 ide_km_object_name(object));
                if (!decode_any(object, out, len, &d, why))
                        fail_msg("seed 0x%" PRIx64 " iteration %u: %s: %s", (uint64_t)SEED, iter,
                                 ide_km_object_name(object), why);
                switch (object) {
                case IDE_KM_QUERY: assert_int_equal(d.query.port_index, m.query.port_index); break;
                case IDE_KM_QUERY_RESP:
                        assert_int_equal(d.query_resp.port_index, m.query_resp.port_index);
                        assert_int_equal(d.query_resp.dev_func, m.query_resp.dev_func);
                        assert_int_equal(d.query_resp.bus, m.query_resp.bus);
                        assert_int_equal(d.query_resp.segment, m.query_resp.segment);
                        assert_int_equal(d.query_resp.max_port_index, m.query_resp.max_port_index);
                        assert_int_equal(d.query_resp.reg_dw, m.query_resp.reg_dw);
                        assert_memory_equal(d.query_resp.regs, img, 4 * d.query_resp.reg_dw);
                        assert_int_equal(d.query_resp.link_streams, link);
                        assert_int_equal(d.query_resp.sel_streams, sel);
                        assert_int_equal(d.query_resp.image_dw, image);
                        assert_int_equal(d.query_resp.extra_dw, d.query_resp.reg_dw - image);
                        break;
                case IDE_KM_KEY_PROG:
                        assert_same_id(&d.key_prog.id, &m.key_prog.id);
                        assert_true(d.key_prog.ifv == m.key_prog.ifv);
                        ide_km_key_prog_key(&d.key_prog, back);
                        assert_memory_equal(back, key, sizeof(key));
                        secure_zero(back, sizeof(back));
                        secure_zero(key, sizeof(key));
                        break;
                case IDE_KM_KP_ACK:
                        assert_same_id(&d.kp_ack.id, &m.kp_ack.id);
                        assert_int_equal(d.kp_ack.status, m.kp_ack.status);
                        break;
                default: assert_same_id(&d.k_set.id, &m.k_set.id); break;
                }
        }
}

/* ---- names ---- */

static void ide_km_names_cover_every_value_and_mark_others(void **state)
{
        static const char *objects[] = { "QUERY",    "QUERY_RESP", "KEY_PROG",    "KP_ACK",
                                         "K_SET_GO", "K_SET_STOP", "K_GOSTOP_ACK" };
        static const char *status[] = { "SUCCESS", "INCORRECT_LENGTH", "UNSUPPORTED_PORT_INDEX",
                                        "UNSUPPORTED_VALUE", "UNSPECIFIED_FAILURE" };
        (void)state;
        for (unsigned i = 0; i < 7; i++)
                assert_string_equal(ide_km_object_name((uint8_t)i), objects[i]);
        assert_string_equal(ide_km_object_name(7), "?");
        for (unsigned i = 0; i < 5; i++)
                assert_string_equal(ide_km_kp_status_name((enum ide_km_kp_status)i), status[i]);
        assert_string_equal(ide_km_kp_status_name((enum ide_km_kp_status)5), "?");
        assert_string_equal(ide_km_key_set_name(IDE_KM_K0), "K0");
        assert_string_equal(ide_km_key_set_name(IDE_KM_K1), "K1");
        assert_string_equal(ide_km_key_set_name((enum ide_km_key_set)2), "?");
        assert_string_equal(ide_km_dir_name(IDE_KM_RX), "Rx");
        assert_string_equal(ide_km_dir_name(IDE_KM_TX), "Tx");
        assert_string_equal(ide_km_dir_name((enum ide_km_dir)2), "?");
        assert_string_equal(ide_km_sub_stream_name(IDE_KM_PR), "PR");
        assert_string_equal(ide_km_sub_stream_name(IDE_KM_NPR), "NPR");
        assert_string_equal(ide_km_sub_stream_name(IDE_KM_CPL), "CPL");
        assert_string_equal(ide_km_sub_stream_name((enum ide_km_sub_stream)3), "?");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(ide_km_messages_of_the_recording_are_objects_32_57_80_91_152_177_200_211),
                cmocka_unit_test(
                        ide_km_recorded_messages_decode_reencode_identically_and_refuse_every_truncation),
                cmocka_unit_test(ide_km_recorded_query_asks_port_1_and_query_resp_is_the_sample_dsms),
                cmocka_unit_test(
                        ide_km_recorded_sequence_programs_starts_and_stops_k0_rx_tx_pr_npr_cpl_of_stream_0),
                cmocka_unit_test(ide_km_key_prog_key_of_object_34_is_its_wire_dwords_byte_reversed),
                cmocka_unit_test(ide_km_key_prog_encode_writes_key_dw7_first_little_endian_and_ifv_dw1_first),
                cmocka_unit_test(ide_km_key_prog_ifv_is_dw1_then_dw0_each_little_endian),
                cmocka_unit_test(ide_km_key_sub_stream_0x12_is_k0_tx_npr),
                cmocka_unit_test(ide_km_object_id_rejects_short_and_non_ide_km_payloads),
                cmocka_unit_test(ide_km_decoders_reject_another_object_id),
                cmocka_unit_test(ide_km_k_set_decode_refuses_objects_outside_go_stop_and_ack),
                cmocka_unit_test(ide_km_decoders_reject_reserved_sub_streams_3_to_15),
                cmocka_unit_test(ide_km_kp_ack_decode_rejects_status_above_unspecified_failure),
                cmocka_unit_test(ide_km_decoders_ignore_reserved_fields_and_encoders_write_them_zero),
                cmocka_unit_test(ide_km_encoders_refuse_out_of_range_fields_short_buffers_and_no_key),
                cmocka_unit_test(ide_km_query_resp_decode_walks_link_and_selective_stream_blocks),
                cmocka_unit_test(
                        ide_km_query_resp_decode_rejects_images_shorter_than_the_capability_describes),
                cmocka_unit_test(
                        ide_km_query_resp_decode_accepts_zero_dwords_after_the_image_and_rejects_others),
                cmocka_unit_test(ide_km_query_resp_decode_takes_the_largest_image_and_refuses_one_dword_more),
                cmocka_unit_test(ide_km_query_resp_encode_refuses_what_the_decoder_would),
                cmocka_unit_test(ide_km_objects_round_trip_over_random_valid_structs),
                cmocka_unit_test(ide_km_names_cover_every_value_and_mark_others),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
