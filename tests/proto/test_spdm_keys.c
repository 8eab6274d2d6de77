/* src/proto/spdm_keys.c, spdm_secured.c, spdm_sign.c and spdm_transcript.c against a real
 * session: tests/kat/spdm12-emu-session (DMTF spdm-emu ↔ spdm-emu, SPDM 1.2, SHA-384,
 * P-384, secp384r1, AES-256-GCM; every value recomputed independently in Python) and
 * tests/kat/spdm12_sha384_key_schedule.json (what libspdm printed for another session).
 * The code under test computes; the recording answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "lib/ec.h"
#include "proto/spdm_keys.h"
#include "proto/spdm_secured.h"
#include "proto/spdm_sign.h"
#include "proto/spdm_transcript.h"

#define H 48

struct kat {
        json_t *kat, *objects, *schedule;
};

static json_t *load(const char *name)
{
        char path[1024];
        json_error_t err;
        snprintf(path, sizeof(path), "%s/%s", SPDM_KAT_DIR, name);
        json_t *j = json_load_file(path, JSON_ALLOW_NUL, &err);
        if (!j)
                fail_msg("%s: %s (line %d)", path, err.text, err.line);
        return j;
}

static int setup(void **state)
{
        struct kat *k = calloc(1, sizeof(*k));
        k->kat = load("spdm12-emu-session/kat.json");
        json_t *d = load("spdm12-emu-session/doe_objects.json");
        k->objects = json_incref(json_object_get(d, "objects"));
        json_decref(d);
        k->schedule = load("spdm12_sha384_key_schedule.json");
        *state = k;
        return 0;
}

static int teardown(void **state)
{
        struct kat *k = *state;
        json_decref(k->kat);
        json_decref(k->objects);
        json_decref(k->schedule);
        free(k);
        return 0;
}

/* The bytes of a hex string field; fails the test if absent or malformed. */
static size_t hexf(json_t *o, const char *field, uint8_t *out, size_t cap)
{
        json_t *v = json_object_get(o, field);
        size_t n = 0;
        if (!json_is_string(v))
                fail_msg("no string field %s", field);
        if (!hex_decode(json_string_value(v), out, cap, &n))
                fail_msg("field %s is not hex of at most %zu bytes", field, cap);
        return n;
}

static void assert_field(json_t *o, const char *field, const uint8_t *got, size_t n)
{
        uint8_t want[512];
        size_t wn = hexf(o, field, want, sizeof(want));
        if (wn != n || memcmp(want, got, n) != 0)
                fail_msg("%s differs from the recording", field);
}

static json_t *object(struct kat *k, size_t i)
{
        json_t *o = json_array_get(k->objects, i);
        assert_non_null(o);
        assert_int_equal(json_integer_value(json_object_get(o, "index")), i);
        return o;
}

/* ---- bin_str ---- */

static void bin_str_spells_length_version_prefix_label_and_context(void **state)
{
        uint8_t out[SPDM_BIN_STR_MAX], ctx[2] = { 0xaa, 0xbb };
        size_t n;
        (void)state;
        assert_true(spdm_bin_str(0x12, 32, "key", NULL, 0, out, sizeof(out), &n));
        assert_int_equal(n, 13);
        assert_memory_equal(out, "\x20\x00spdm1.2 key", 13); /* facts §1.8, as on the wire */
        assert_true(spdm_bin_str(0x11, 12, "iv", NULL, 0, out, sizeof(out), &n));
        assert_memory_equal(out, "\x0c\x00spdm1.1 iv", 12);
        assert_true(spdm_bin_str(0x13, 0x130, "derived", ctx, 2, out, sizeof(out), &n));
        assert_memory_equal(out, "\x30\x01spdm1.3 derived\xaa\xbb", 19);
}

static void bin_str_refuses_spdm_1_0_long_labels_and_short_buffers(void **state)
{
        uint8_t out[SPDM_BIN_STR_MAX];
        size_t n;
        (void)state;
        assert_false(spdm_bin_str(0x10, 32, "key", NULL, 0, out, sizeof(out), &n));
        assert_false(spdm_bin_str(0x20, 32, "key", NULL, 0, out, sizeof(out), &n));
        assert_false(spdm_bin_str(0x12, 32, "a label too long", NULL, 0, out, sizeof(out), &n));
        assert_false(spdm_bin_str(0x12, 32, "key", NULL, 0, out, 12, &n));
        assert_false(spdm_bin_str(0x12, 32, "key", NULL, 3, out, sizeof(out), &n));
}

/* ---- key schedule ---- */

static void assert_schedule(json_t *want, const struct spdm_key_schedule *ks)
{
        assert_field(want, "handshake_secret", ks->handshake_secret, H);
        assert_field(want, "request_handshake_secret", ks->req_hs.secret, H);
        assert_field(want, "response_handshake_secret", ks->rsp_hs.secret, H);
        assert_field(want, "request_finished_key", ks->req_finished_key, H);
        assert_field(want, "response_finished_key", ks->rsp_finished_key, H);
        assert_field(want, "request_handshake_key", ks->req_hs.key, 32);
        assert_field(want, "request_handshake_iv", ks->req_hs.iv, 12);
        assert_field(want, "response_handshake_key", ks->rsp_hs.key, 32);
        assert_field(want, "response_handshake_iv", ks->rsp_hs.iv, 12);
        assert_field(want, "master_secret", ks->master_secret, H);
        assert_field(want, "request_data_secret", ks->req_data.secret, H);
        assert_field(want, "response_data_secret", ks->rsp_data.secret, H);
        assert_field(want, "export_master_secret", ks->export_master_secret, H);
        assert_field(want, "request_data_key", ks->req_data.key, 32);
        assert_field(want, "request_data_iv", ks->req_data.iv, 12);
        assert_field(want, "response_data_key", ks->rsp_data.key, 32);
        assert_field(want, "response_data_iv", ks->rsp_data.iv, 12);
}

static void key_schedule_reproduces_what_libspdm_printed(void **state)
{
        struct kat *k = *state;
        json_t *in = json_object_get(k->schedule, "inputs");
        uint8_t dhe[H], th1[H], th2[H];
        struct spdm_key_schedule ks;

        assert_int_equal(hexf(in, "dhe_secret", dhe, sizeof(dhe)), H);
        assert_int_equal(hexf(in, "th1_hash", th1, sizeof(th1)), H);
        assert_int_equal(hexf(in, "th2_hash", th2, sizeof(th2)), H);
        assert_true(spdm_ks_handshake(&ks, 0x12, HASH_SHA384, AEAD_AES_256_GCM, dhe, H, th1));
        assert_true(spdm_ks_data(&ks, th2));
        assert_schedule(json_object_get(k->schedule, "outputs"), &ks);
        spdm_ks_wipe(&ks);
}

static void key_schedule_reproduces_every_recorded_key_exchange_session(void **state)
{
        struct kat *k = *state;
        json_t *s;
        size_t i, n = 0;

        json_array_foreach(json_object_get(k->kat, "sessions"), i, s) {
                uint8_t dhe[H], th1[H], th2[H];
                struct spdm_key_schedule ks;

                if (strcmp(json_string_value(json_object_get(s, "kind")), "KEY_EXCHANGE") != 0)
                        continue;       /* PSK sessions: not supported */
                hexf(s, "dhe_secret", dhe, sizeof(dhe));
                hexf(json_object_get(s, "th1"), "hash", th1, sizeof(th1));
                hexf(json_object_get(s, "th2"), "hash", th2, sizeof(th2));
                assert_true(spdm_ks_handshake(&ks, 0x12, HASH_SHA384, AEAD_AES_256_GCM, dhe, H, th1));
                assert_true(spdm_ks_data(&ks, th2));
                assert_schedule(json_object_get(s, "key_schedule"), &ks);

                /* FINISH's RequesterVerifyData and FINISH_RSP's ResponderVerifyData */
                uint8_t th[H], vd[H];
                json_t *f = json_object_get(s, "finish"), *fr = json_object_get(s, "finish_rsp");
                hexf(f, "transcript_hash", th, sizeof(th));
                assert_true(spdm_ks_verify_data(&ks, true, th, vd));
                assert_field(f, "requester_verify_data", vd, H);
                hexf(fr, "transcript_hash", th, sizeof(th));
                assert_true(spdm_ks_verify_data(&ks, false, th, vd));
                assert_field(fr, "responder_verify_data", vd, H);
                spdm_ks_wipe(&ks);
                n++;
        }
        assert_int_equal(n, 2);
}

static void key_schedule_refuses_data_phase_before_handshake_and_twice(void **state)
{
        struct spdm_key_schedule ks;
        uint8_t dhe[H] = { 1 }, th[H] = { 2 };
        (void)state;
        memset(&ks, 0, sizeof(ks));
        ks.hash = HASH_SHA384;
        assert_false(spdm_ks_data(&ks, th));
        assert_false(spdm_ks_handshake(&ks, 0x10, HASH_SHA384, AEAD_AES_256_GCM, dhe, H, th));
        assert_true(spdm_ks_handshake(&ks, 0x12, HASH_SHA384, AEAD_AES_256_GCM, dhe, H, th));
        assert_false(spdm_ks_update(&ks, &ks.req_data));
        assert_true(spdm_ks_data(&ks, th));
        assert_false(spdm_ks_data(&ks, th));
        assert_false(spdm_ks_update(&ks, &ks.req_hs)); /* KEY_UPDATE touches data keys only */
        spdm_ks_wipe(&ks);
}

static void key_update_derives_traffic_upd_from_the_old_secret(void **state)
{
        struct kat *k = *state;
        json_t *s = json_array_get(json_object_get(k->kat, "sessions"), 0);
        uint8_t dhe[H], th1[H], th2[H];
        struct spdm_key_schedule ks;

        hexf(s, "dhe_secret", dhe, sizeof(dhe));
        hexf(json_object_get(s, "th1"), "hash", th1, sizeof(th1));
        hexf(json_object_get(s, "th2"), "hash", th2, sizeof(th2));
        assert_true(spdm_ks_handshake(&ks, 0x12, HASH_SHA384, AEAD_AES_256_GCM, dhe, H, th1));
        assert_true(spdm_ks_data(&ks, th2));
        uint8_t rsp_before[H];
        memcpy(rsp_before, ks.rsp_data.secret, H);
        assert_true(spdm_ks_update(&ks, &ks.req_data));
        /* HKDF-Expand(request_data_secret, u16 48 || "spdm1.2 traffic upd", 48) and its key
         * and IV, computed with Python's hmac module from the recording's secret. */
        json_t *want = json_pack("{s:s, s:s, s:s}",
                                 "s", "6981d6fd14d18535fd163ba3cab8a72435c5ffc0a4415802be614114e7cdf22f"
                                      "d734d9a6e20efd028f969c2b6f8e87ee",
                                 "k", "731511fd1820bdeae908f84435b91bff9aed43ae2e9e77a0d179328eae2025f8",
                                 "i", "27bf7912c078b6ca9cf0a4ec");
        assert_field(want, "s", ks.req_data.secret, H);
        assert_field(want, "k", ks.req_data.key, 32);
        assert_field(want, "i", ks.req_data.iv, 12);
        assert_memory_equal(ks.rsp_data.secret, rsp_before, H);
        json_decref(want);
        spdm_ks_wipe(&ks);
}

/* ---- secured messages ---- */

/* The keys of one direction of a recorded session, by the recording's key name
 * ("request_data", "response_handshake", ...). */
static void dir_for(struct kat *k, int session, const char *key_used, struct spdm_secured_dir *d)
{
        json_t *s = json_array_get(json_object_get(k->kat, "sessions"), (size_t)(session - 1));
        json_t *ks = json_object_get(s, "key_schedule");
        char name[64];
        uint8_t key[32], iv[12];

        snprintf(name, sizeof(name), "%s_key", key_used);
        assert_int_equal(hexf(ks, name, key, sizeof(key)), 32);
        snprintf(name, sizeof(name), "%s_iv", key_used);
        assert_int_equal(hexf(ks, name, iv, sizeof(iv)), 12);
        assert_true(spdm_secured_dir_init(d, AEAD_AES_256_GCM, key, iv));
}

/* Every secured record of the recording, opened with the keys of its session and
 * direction in recorded order, and sealed again to the same bytes. */
static void secured_records_of_the_recording_open_and_reseal_byte_for_byte(void **state)
{
        struct kat *k = *state;
        struct spdm_secured_dir dirs[3][4];
        static const char *const names[4] = { "request_handshake", "response_handshake", "request_data",
                                              "response_data" };
        bool have[3][4] = { { false } };
        size_t i, opened = 0;
        json_t *o;

        json_array_foreach(k->objects, i, o) {
                if (strcmp(json_string_value(json_object_get(o, "kind")), "SECURED_SPDM") != 0)
                        continue;
                int sn = (int)json_integer_value(json_object_get(o, "session_number"));
                const char *key = json_string_value(json_object_get(o, "key_used"));
                unsigned di = 0;
                while (di < 4 && strcmp(names[di], key) != 0)
                        di++;
                assert_true(di < 4 && sn >= 1 && sn <= 3);
                if (!have[sn - 1][di]) {
                        dir_for(k, sn, key, &dirs[sn - 1][di]);
                        have[sn - 1][di] = true;
                }
                struct spdm_secured_dir *d = &dirs[sn - 1][di];
                uint8_t rec[2048], app[2048], want[2048], again[2048], nonce[12];
                size_t rl = hexf(o, "record", rec, sizeof(rec)), al, used, wl, sl;
                uint32_t sid;
                char why[SPDM_SECURED_WHY_LEN];

                assert_int_equal(d->seq, json_integer_value(json_object_get(o, "sequence_number")));
                spdm_secured_nonce(d->iv, d->seq, nonce);
                assert_field(o, "nonce", nonce, 12);
                assert_true(spdm_secured_session_id(rec, rl, &sid));
                uint64_t seq = d->seq;
                if (!spdm_secured_open(d, sid, rec, rl, app, sizeof(app), &al, &used, why))
                        fail_msg("object %zu: %s", i, why);
                assert_int_equal(used, rl);
                wl = hexf(o, "spdm", want, sizeof(want));
                assert_int_equal(al, wl);
                assert_memory_equal(app, want, wl);
                assert_int_equal(json_integer_value(json_object_get(o, "application_data_length")), al);

                d->seq = seq;   /* seal the same message under the same number */
                assert_true(spdm_secured_seal(d, sid, app, al, NULL, 0, again, sizeof(again), &sl));
                assert_int_equal(sl, rl);
                assert_memory_equal(again, rec, rl);
                opened++;
        }
        assert_int_equal(opened, 196);
        for (unsigned s = 0; s < 3; s++)
                for (unsigned di = 0; di < 4; di++)
                        if (have[s][di])
                                spdm_secured_dir_clear(&dirs[s][di]);
}

/* Object 32: the first data record of session 1 (the README's worked example). */
static void first_record(struct kat *k, struct spdm_secured_dir *d, uint8_t *rec, size_t *rl)
{
        json_t *o = object(k, 32);
        dir_for(k, 1, "request_data", d);
        *rl = hexf(o, "record", rec, 2048);
}

static void secured_open_refuses_every_flipped_byte_and_leaves_the_counter(void **state)
{
        struct kat *k = *state;
        struct spdm_secured_dir d;
        uint8_t rec[2048], app[256];
        size_t rl, al, used;
        char why[SPDM_SECURED_WHY_LEN];

        first_record(k, &d, rec, &rl);
        for (size_t i = 0; i < rl; i++) {
                rec[i] ^= 0x01;
                assert_false(spdm_secured_open(&d, 0xffffffff, rec, rl, app, sizeof(app), &al, &used, why));
                assert_int_equal(d.seq, 0);
                rec[i] ^= 0x01;
        }
        assert_true(spdm_secured_open(&d, 0xffffffff, rec, rl, app, sizeof(app), &al, &used, why));
        assert_int_equal(d.seq, 1);
        spdm_secured_dir_clear(&d);
}

static void secured_open_refuses_a_replayed_record(void **state)
{
        struct kat *k = *state;
        struct spdm_secured_dir d;
        uint8_t rec[2048], app[256];
        size_t rl, al, used;
        char why[SPDM_SECURED_WHY_LEN];

        first_record(k, &d, rec, &rl);
        assert_true(spdm_secured_open(&d, 0xffffffff, rec, rl, app, sizeof(app), &al, &used, why));
        assert_false(spdm_secured_open(&d, 0xffffffff, rec, rl, app, sizeof(app), &al, &used, why));
        assert_non_null(strstr(why, "MAC does not verify"));
        assert_int_equal(d.seq, 1);
        spdm_secured_dir_clear(&d);
}

static void secured_open_refuses_truncation_other_sessions_and_bad_lengths(void **state)
{
        struct kat *k = *state;
        struct spdm_secured_dir d;
        uint8_t rec[2048], app[256];
        size_t rl, al, used;
        char why[SPDM_SECURED_WHY_LEN];

        first_record(k, &d, rec, &rl);
        for (size_t n = 0; n < rl; n++)
                assert_false(spdm_secured_open(&d, 0xffffffff, rec, n, app, sizeof(app), &al, &used, why));
        assert_false(spdm_secured_open(&d, 0xfffefffe, rec, rl, app, sizeof(app), &al, &used, why));
        assert_non_null(strstr(why, "session 0xffffffff, expected 0xfffefffe"));
        uint8_t small[6 + 17];
        memcpy(small, rec, 6);
        st_le16(small + 4, 17);
        assert_false(spdm_secured_open(&d, 0xffffffff, small, sizeof(small), app, sizeof(app), &al, &used, why));
        assert_non_null(strstr(why, "too small"));
        assert_false(spdm_secured_open(&d, 0xffffffff, rec, rl, app, 14, &al, &used, why)); /* app is 15 */
        assert_non_null(strstr(why, "larger than the receive buffer"));
        assert_int_equal(d.seq, 0);
        /* DOE padding after the record is the caller's: used says where the record ends */
        rec[rl] = 0;
        assert_true(spdm_secured_open(&d, 0xffffffff, rec, rl + 1, app, sizeof(app), &al, &used, why));
        assert_int_equal(used, rl);
        spdm_secured_dir_clear(&d);
}

static void secured_open_tolerates_random_data_after_the_message(void **state)
{
        uint8_t key[32] = { 3 }, iv[12] = { 4 }, rnd[7] = { 1, 2, 3, 4, 5, 6, 7 }, rec[128], app[64];
        struct spdm_secured_dir tx, rx;
        size_t rl, al, used;
        char why[SPDM_SECURED_WHY_LEN];
        (void)state;

        assert_true(spdm_secured_dir_init(&tx, AEAD_AES_256_GCM, key, iv));
        assert_true(spdm_secured_dir_init(&rx, AEAD_AES_256_GCM, key, iv));
        assert_true(spdm_secured_seal(&tx, 0x12345678, (const uint8_t *)"\x12\xe8\x00\x00", 4, rnd, sizeof(rnd), rec,
                                      sizeof(rec), &rl));
        assert_int_equal(rl, 4 + 7 + SPDM_SECURED_OVERHEAD);
        assert_true(spdm_secured_open(&rx, 0x12345678, rec, rl, app, sizeof(app), &al, &used, why));
        assert_int_equal(al, 4);
        assert_memory_equal(app, "\x12\xe8\x00\x00", 4);
        spdm_secured_dir_clear(&tx);
        spdm_secured_dir_clear(&rx);
}

static void secured_seal_refuses_a_short_buffer_and_an_exhausted_counter(void **state)
{
        uint8_t key[32] = { 3 }, iv[12] = { 4 }, rec[64];
        struct spdm_secured_dir d;
        size_t rl;
        (void)state;
        assert_true(spdm_secured_dir_init(&d, AEAD_AES_256_GCM, key, iv));
        assert_false(spdm_secured_seal(&d, 1, (const uint8_t *)"abcd", 4, NULL, 0, rec, 4 + SPDM_SECURED_OVERHEAD - 1,
                                       &rl));
        assert_int_equal(d.seq, 0);
        d.seq = UINT64_MAX;
        assert_false(spdm_secured_seal(&d, 1, (const uint8_t *)"abcd", 4, NULL, 0, rec, sizeof(rec), &rl));
        spdm_secured_dir_clear(&d);
}

static void secured_nonce_xors_the_sequence_little_endian_into_bytes_0_to_7(void **state)
{
        uint8_t iv[12], nonce[12];
        (void)state;
        memset(iv, 0xff, sizeof(iv));
        spdm_secured_nonce(iv, 0x0102030405060708ull, nonce);
        assert_memory_equal(nonce, "\xf7\xf8\xf9\xfa\xfb\xfc\xfd\xfe\xff\xff\xff\xff", 12);
}

/* ---- transcripts and signatures ---- */

/* A transcript built from a kat.json "components" list: the first length bytes of each
 * named object's SPDM message. */
static void build(struct kat *k, json_t *msg, struct spdm_transcript *t)
{
        json_t *c;
        size_t i;
        json_array_foreach(json_object_get(msg, "components"), i, c) {
                uint8_t m[4096];
                json_t *o = object(k, (size_t)json_integer_value(json_object_get(c, "object")));
                size_t n = hexf(o, "spdm", m, sizeof(m)), len = (size_t)json_integer_value(json_object_get(c, "length"));
                assert_true(len <= n);
                assert_true(spdm_transcript_append(t, m, len));
        }
        uint8_t h[H];
        assert_true(spdm_transcript_hash(t, HASH_SHA384, h));
        assert_field(msg, "hash", h, H);
}

static struct ec_key *leaf_key(struct kat *k)
{
        uint8_t pt[97];
        json_t *slot = json_object_get(json_object_get(k->kat, "certificates"), "slot_0");
        struct ec_key *key;
        assert_int_equal(hexf(slot, "leaf_public_key_uncompressed", pt, sizeof(pt)), 97);
        assert_true(ec_key_from_point(&key, EC_P384, pt, 97));
        return key;
}

/* The signed message M from the transcript hash, then the recorded signature over it. */
static void check_signature(json_t *sig, const uint8_t *th, struct ec_key *key)
{
        uint8_t m[SPDM_SIGNED_MESSAGE_MAX], rs[96];
        size_t ml;
        assert_true(spdm_signed_message(0x12, json_string_value(json_object_get(sig, "signing_context")), th, H, m,
                                        sizeof(m), &ml));
        assert_int_equal(ml, 148);
        assert_field(sig, "signed_message", m, ml);
        hexf(sig, "signature_r", rs, 48);
        hexf(sig, "signature_s", rs + 48, 48);
        assert_true(ec_verify(key, HASH_SHA384, m, ml, rs, 96));
        rs[95] ^= 1;
        assert_false(ec_verify(key, HASH_SHA384, m, ml, rs, 96));
        m[70] ^= 1;     /* the context's padding is signed too */
        rs[95] ^= 1;
        assert_false(ec_verify(key, HASH_SHA384, m, ml, rs, 96));
}

static void challenge_auth_signature_verifies_over_a_b_c(void **state)
{
        struct kat *k = *state;
        json_t *c = json_object_get(k->kat, "challenge");
        struct spdm_transcript a, b, cc, m1;
        uint8_t th[H];

        spdm_transcript_init(&a, 1 << 16);
        spdm_transcript_init(&b, 1 << 16);
        spdm_transcript_init(&cc, 1 << 16);
        spdm_transcript_init(&m1, 1 << 16);
        build(k, json_object_get(c, "message_a"), &a);
        build(k, json_object_get(c, "message_b"), &b);
        build(k, json_object_get(c, "message_c"), &cc);
        assert_true(spdm_transcript_append_t(&m1, &a) && spdm_transcript_append_t(&m1, &b) &&
                    spdm_transcript_append_t(&m1, &cc));
        assert_int_equal(m1.len, 3640);
        assert_true(spdm_transcript_hash(&m1, HASH_SHA384, th));
        json_t *sig = json_object_get(c, "m1");
        assert_field(sig, "transcript_hash", th, H);
        struct ec_key *key = leaf_key(k);
        check_signature(sig, th, key);
        ec_key_free(key);
        spdm_transcript_free(&a);
        spdm_transcript_free(&b);
        spdm_transcript_free(&cc);
        spdm_transcript_free(&m1);
}

static void measurements_signature_verifies_over_a_and_message_m(void **state)
{
        struct kat *k = *state;
        json_t *m = json_object_get(k->kat, "measurements");
        struct spdm_transcript a, mm, l1;
        uint8_t th[H];

        spdm_transcript_init(&a, 1 << 16);
        spdm_transcript_init(&mm, 1 << 16);
        spdm_transcript_init(&l1, 1 << 16);
        build(k, json_object_get(json_object_get(k->kat, "challenge"), "message_a"), &a);
        build(k, json_object_get(m, "message_m"), &mm);
        assert_true(spdm_transcript_append_t(&l1, &a) && spdm_transcript_append_t(&l1, &mm));
        assert_int_equal(l1.len, 679);
        assert_true(spdm_transcript_hash(&l1, HASH_SHA384, th));
        json_t *sig = json_object_get(m, "l1");
        assert_field(sig, "transcript_hash", th, H);
        struct ec_key *key = leaf_key(k);
        check_signature(sig, th, key);
        ec_key_free(key);
        spdm_transcript_free(&a);
        spdm_transcript_free(&mm);
        spdm_transcript_free(&l1);
}

static void key_exchange_rsp_signature_verifies(void **state)
{
        struct kat *k = *state;
        json_t *sig = json_object_get(json_array_get(json_object_get(k->kat, "sessions"), 0),
                                      "key_exchange_rsp_signature");
        uint8_t th[H];
        hexf(sig, "transcript_hash", th, sizeof(th));
        struct ec_key *key = leaf_key(k);
        check_signature(sig, th, key);
        ec_key_free(key);
}

static void signed_message_refuses_spdm_1_1_and_long_contexts(void **state)
{
        uint8_t th[H] = { 0 }, m[SPDM_SIGNED_MESSAGE_MAX];
        size_t ml;
        (void)state;
        assert_false(spdm_signed_message(0x11, SPDM_CTX_MEASUREMENTS, th, H, m, sizeof(m), &ml));
        assert_false(spdm_signed_message(0x12, "a context string longer than 36 bytes", th, H, m, sizeof(m), &ml));
        assert_false(spdm_signed_message(0x12, SPDM_CTX_MEASUREMENTS, th, H, m, 147, &ml));
        assert_true(spdm_signed_message(0x13, SPDM_CTX_MEASUREMENTS, th, H, m, sizeof(m), &ml));
        assert_memory_equal(m, "dmtf-spdm-v1.3.*dmtf-spdm-v1.3.*", 32);
}

static void transcript_past_its_maximum_breaks_for_good(void **state)
{
        struct spdm_transcript t;
        uint8_t h[H], data[100] = { 0 };
        (void)state;
        spdm_transcript_init(&t, 150);
        assert_true(spdm_transcript_append(&t, data, 100));
        assert_false(spdm_transcript_append(&t, data, 51));
        assert_false(spdm_transcript_append(&t, data, 1));
        assert_false(spdm_transcript_hash(&t, HASH_SHA384, h));
        spdm_transcript_reset(&t);
        assert_true(spdm_transcript_append(&t, data, 100));
        assert_true(spdm_transcript_append(&t, data, 50));
        assert_int_equal(t.len, 150);
        spdm_transcript_free(&t);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(bin_str_spells_length_version_prefix_label_and_context),
                cmocka_unit_test(bin_str_refuses_spdm_1_0_long_labels_and_short_buffers),
                cmocka_unit_test(key_schedule_reproduces_what_libspdm_printed),
                cmocka_unit_test(key_schedule_reproduces_every_recorded_key_exchange_session),
                cmocka_unit_test(key_schedule_refuses_data_phase_before_handshake_and_twice),
                cmocka_unit_test(key_update_derives_traffic_upd_from_the_old_secret),
                cmocka_unit_test(secured_records_of_the_recording_open_and_reseal_byte_for_byte),
                cmocka_unit_test(secured_open_refuses_every_flipped_byte_and_leaves_the_counter),
                cmocka_unit_test(secured_open_refuses_a_replayed_record),
                cmocka_unit_test(secured_open_refuses_truncation_other_sessions_and_bad_lengths),
                cmocka_unit_test(secured_open_tolerates_random_data_after_the_message),
                cmocka_unit_test(secured_seal_refuses_a_short_buffer_and_an_exhausted_counter),
                cmocka_unit_test(secured_nonce_xors_the_sequence_little_endian_into_bytes_0_to_7),
                cmocka_unit_test(challenge_auth_signature_verifies_over_a_b_c),
                cmocka_unit_test(measurements_signature_verifies_over_a_and_message_m),
                cmocka_unit_test(key_exchange_rsp_signature_verifies),
                cmocka_unit_test(signed_message_refuses_spdm_1_1_and_long_contexts),
                cmocka_unit_test(transcript_past_its_maximum_breaks_for_good),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
