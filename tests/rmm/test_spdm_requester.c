/* src/rmm/spdm_requester.c against the device's responder (src/device/spdm_responder.c), in
 * process: the whole attestation flow for every combination both sides support, the
 * session's requests, and a relay that tampers with what it carries (each tampering is
 * caught with a named error, and a broken requester stays broken). The two sides share
 * nothing but the bytes between them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/spdm_responder.h"
#include "lib/crypto.h"
#include "lib/pki.h"
#include "rmm/spdm_requester.h"

#define BUF 16384
#define JAN_2026 1767225600
#define JAN_2036 2082758400
#define DEC_2026 1796169600

static const uint8_t rom[] = "ccada device boot ROM v1";
static const uint8_t fw[] = "ccada device firmware 1.4.2";
static const uint8_t hwcfg[] = "lanes=16 bars=2";
static const uint8_t fwcfg[] = "debug=0 features=ide,tdisp";
static const uint8_t mode[16] = { 0x01, 0, 0, 0, 0x01, 0, 0, 0, 0x01, 0, 0, 0, 0x00, 0, 0, 0 };

/* A relay's hook: may change the message it carries (toward the device when request). */
typedef void (*tamper_fn)(void *ctx, unsigned n, bool request, bool secured, uint8_t *buf, size_t *len);

struct rig {
        struct pki pki, other;
        struct drbg *rsp_drbg, *req_drbg;
        struct spdm_responder *rsp;
        struct spdm_requester *req;
        struct spdm_req_out out;
        uint8_t *buf, *answer;
        unsigned n;             /* messages relayed */
        tamper_fn tamper;
        void *tamper_ctx;
};

struct opts {
        enum ec_curve curve;
        bool rsp_no_clear, req_no_clear;
        bool wrong_anchor;      /* the requester trusts another root */
        bool impostor;          /* the responder presents the chain but signs with another key */
        uint32_t hash, dhe, aead; /* the responder's masks (0: all) */
        uint32_t req_dts;       /* the requester's DataTransferSize (0: default) */
};

static bool echo_vdm(void *ctx, bool secured, uint32_t sid, const struct spdm_vendor_defined *req, uint8_t *payload,
                     size_t cap, size_t *len)
{
        (void)ctx;
        (void)sid;
        if (!secured || req->payload_len > cap)
                return false;
        memcpy(payload, req->payload, req->payload_len);
        *len = req->payload_len;
        return true;
}

static void rig_up(struct rig *g, const struct opts *o)
{
        static const uint8_t seed[] = "test pki", seed2[] = "another pki";
        struct pki_params p = { .not_before = JAN_2026, .not_after = JAN_2036, .seed = seed, .seed_len = sizeof(seed),
                                .p256 = o->curve == EC_P256 };
        char why[256] = "";

        memset(g, 0, sizeof(*g));
        assert_true(pki_make(&p, &g->pki, why));
        p.seed = seed2;
        p.seed_len = sizeof(seed2);
        assert_true(pki_make(&p, &g->other, why));
        assert_true(drbg_new_seeded(&g->rsp_drbg, (const uint8_t *)"r", 1, "responder"));
        assert_true(drbg_new_seeded(&g->req_drbg, (const uint8_t *)"q", 1, "requester"));
        struct spdm_responder_cfg rc = {
                .chain_der = g->pki.chain,
                .chain_der_len = g->pki.chain_len,
                .leaf_key = o->impostor ? g->other.leaf_key : g->pki.leaf_key,
                .meas = {
                        { .index = 1, .value_type = SPDM_MEAS_TYPE_IMMUTABLE_ROM, .value = rom, .len = sizeof(rom) },
                        { .index = 2, .value_type = SPDM_MEAS_TYPE_MUTABLE_FW, .value = fw, .len = sizeof(fw) },
                        { .index = 3, .value_type = SPDM_MEAS_TYPE_HW_CONFIG, .value = hwcfg, .len = sizeof(hwcfg) },
                        { .index = 4, .value_type = SPDM_MEAS_TYPE_FW_CONFIG, .value = fwcfg, .len = sizeof(fwcfg) },
                        { .index = 0xFE, .value_type = SPDM_MEAS_TYPE_DEVICE_MODE, .raw = true, .value = mode,
                          .len = sizeof(mode) },
                },
                .nmeas = 5,
                .no_handshake_in_the_clear = o->rsp_no_clear,
                .hash_mask = o->hash,
                .dhe_mask = o->dhe,
                .aead_mask = o->aead,
                .drbg = g->rsp_drbg,
                .vdm = echo_vdm,
        };
        assert_true(spdm_responder_new(&g->rsp, &rc, why));
        struct spdm_requester_cfg qc = {
                .trust_anchor = o->wrong_anchor ? g->other.root : g->pki.root,
                .trust_anchor_len = o->wrong_anchor ? g->other.root_len : g->pki.root_len,
                .now = DEC_2026,
                .drbg = g->req_drbg,
                .no_handshake_in_the_clear = o->req_no_clear,
                .data_transfer_size = o->req_dts,
        };
        assert_true(spdm_requester_new(&g->req, &qc));
        g->buf = malloc(BUF);
        g->answer = malloc(BUF);
        g->out = (struct spdm_req_out){ .buf = g->buf, .cap = BUF };
}

static void rig_down(struct rig *g)
{
        spdm_requester_free(g->req);
        spdm_responder_free(g->rsp);
        drbg_free(g->req_drbg);
        drbg_free(g->rsp_drbg);
        pki_free(&g->pki);
        pki_free(&g->other);
        free(g->buf);
        free(g->answer);
}

/* Relays while the requester has something to send; returns its last status. */
static enum spdm_req_status relay(struct rig *g, enum spdm_req_status st)
{
        while (st == SPDM_REQ_SEND) {
                size_t alen = 0;
                bool asec = false;
                if (g->tamper)
                        g->tamper(g->tamper_ctx, g->n, true, g->out.secured, g->out.buf, &g->out.len);
                assert_true(spdm_responder_handle(g->rsp, g->out.secured, g->out.buf, g->out.len, g->answer, BUF, &alen,
                                                  &asec));
                if (g->tamper)
                        g->tamper(g->tamper_ctx, g->n, false, asec, g->answer, &alen);
                g->n++;
                st = spdm_requester_step(g->req, g->answer, alen, asec, &g->out);
        }
        return st;
}

static enum spdm_req_status attest(struct rig *g)
{
        return relay(g, spdm_requester_start(g->req, &g->out));
}

static void assert_failed_with(struct rig *g, enum spdm_req_status st, enum spdm_req_error e, const char *text)
{
        const char *why;
        assert_int_equal(st, SPDM_REQ_FAILED);
        enum spdm_req_error got = spdm_requester_error(g->req, &why);
        if (got != e || !strstr(why, text))
                fail_msg("failed with %s (%s), expected %s containing '%s'", spdm_req_error_name(got), why,
                         spdm_req_error_name(e), text);
        assert_false(spdm_requester_result(g->req)->session);
        /* broken stays broken: nothing more goes out */
        g->out.len = 0;
        assert_int_equal(spdm_requester_step(g->req, g->answer, 4, false, &g->out), SPDM_REQ_FAILED);
        assert_int_equal(spdm_requester_heartbeat(g->req, &g->out), SPDM_REQ_FAILED);
        assert_int_equal(g->out.len, 0);
}

/* ---- the flow ---- */

static void check_attested(struct rig *g, bool in_clear)
{
        const struct spdm_req_result *res = spdm_requester_result(g->req);
        uint32_t sid;
        const char *why;
        enum spdm_req_error e = spdm_requester_error(g->req, &why);
        if (e != SPDM_REQ_OK)
                fail_msg("%s: %s", spdm_req_error_name(e), why);
        assert_int_equal(res->version, SPDM_VERSION_12);
        assert_true(res->session);
        assert_true(spdm_responder_session(g->rsp, &sid));
        assert_int_equal(sid, res->session_id);
        assert_string_equal(res->leaf_subject, "CN=ccada device");
        assert_string_equal(res->root_subject, "CN=ccada test root CA");
        assert_int_equal(res->cert_count, 3);
        assert_int_equal(res->nmeas, 5);
        /* the firmware digest is SHA-384 of the firmware, as the device measured it */
        uint8_t d[HASH_MAX_LEN];
        assert_true(hash_once(HASH_SHA384, fw, sizeof(fw), d));
        assert_int_equal(res->meas[1].index, 2);
        assert_int_equal(res->meas[1].len, 48);
        assert_memory_equal(res->meas[1].value, d, 48);
        assert_true(res->meas[4].raw);
        assert_memory_equal(res->meas[4].value, mode, sizeof(mode));
        assert_int_equal(res->sm_version, SPDM_SM_VERSION_12);
        /* VERSION, CAPABILITIES, ALGORITHMS, DIGESTS, one CERTIFICATE (the chain fits 4096
         * bytes), CHALLENGE, MEASUREMENTS, KEY_EXCHANGE, FINISH */
        assert_int_equal(res->messages, 9);
        (void)in_clear;
}

static void requester_attests_the_device_and_opens_a_session(void **state)
{
        struct rig g;
        struct opts o = { .curve = EC_P384 };
        (void)state;
        rig_up(&g, &o);
        assert_int_equal(attest(&g), SPDM_REQ_DONE);
        check_attested(&g, true);
        assert_non_null(strstr(spdm_requester_result(g.req)->algorithms, "SHA-384"));
        rig_down(&g);
}

static void requester_attests_with_the_handshake_secured_when_either_side_declines_the_clear(void **state)
{
        (void)state;
        for (int i = 0; i < 3; i++) {
                struct rig g;
                struct opts o = { .curve = EC_P384, .rsp_no_clear = i & 1, .req_no_clear = i & 2 };
                rig_up(&g, &o);
                assert_int_equal(attest(&g), SPDM_REQ_DONE);
                check_attested(&g, i == 0);
                rig_down(&g);
        }
}

/* Every combination both sides support: a P-256 or P-384 device key x SHA-256/384 x
 * secp256r1/secp384r1 x AES-128/256-GCM x handshake in the clear or secured, each selected,
 * each a working session. */
static void every_supported_algorithm_combination_attests_and_carries_the_session(void **state)
{
        static const uint32_t hashes[] = { SPDM_HASH_SHA_256, SPDM_HASH_SHA_384 };
        static const uint32_t dhes[] = { SPDM_DHE_SECP256R1, SPDM_DHE_SECP384R1 };
        static const uint32_t aeads[] = { SPDM_AEAD_AES_128_GCM, SPDM_AEAD_AES_256_GCM };
        (void)state;
        for (unsigned i = 0; i < 32; i++) {
                struct rig g;
                struct opts o = { .curve = (i >> 4) & 1 ? EC_P256 : EC_P384, .hash = hashes[i & 1],
                                  .dhe = dhes[(i >> 1) & 1], .aead = aeads[(i >> 2) & 1], .rsp_no_clear = (i >> 3) & 1 };
                rig_up(&g, &o);
                assert_int_equal(attest(&g), SPDM_REQ_DONE);
                const struct spdm_req_result *res = spdm_requester_result(g.req);
                uint16_t dhe = 0, aead = 0;
                assert_int_equal(res->algs.base_hash, o.hash);
                assert_int_equal(res->algs.base_asym, o.curve == EC_P256 ? SPDM_ASYM_ECDSA_P256 : SPDM_ASYM_ECDSA_P384);
                assert_true(spdm_algorithms_find(&res->algs, SPDM_ALG_TYPE_DHE, &dhe) && dhe == o.dhe);
                assert_true(spdm_algorithms_find(&res->algs, SPDM_ALG_TYPE_AEAD, &aead) && aead == o.aead);
                assert_int_equal(res->hash_len, o.hash == SPDM_HASH_SHA_256 ? 32 : 48);
                assert_int_equal(relay(&g, spdm_requester_key_update(g.req, true, &g.out)), SPDM_REQ_DONE);
                assert_int_equal(relay(&g, spdm_requester_heartbeat(g.req, &g.out)), SPDM_REQ_DONE);
                assert_int_equal(relay(&g, spdm_requester_end_session(g.req, &g.out)), SPDM_REQ_DONE);
                rig_down(&g);
        }
}

static void certificate_chain_comes_in_portions_when_the_transfer_size_is_small(void **state)
{
        struct rig g;
        struct opts o = { .curve = EC_P384, .req_dts = 400 };
        (void)state;
        rig_up(&g, &o);
        assert_int_equal(attest(&g), SPDM_REQ_DONE);
        const struct spdm_req_result *res = spdm_requester_result(g.req);
        size_t portions = (res->chain_len + 391) / 392;
        assert_true(portions >= 4);
        assert_int_equal(res->messages, 8 + portions);
        rig_down(&g);
}

static void session_carries_heartbeat_key_updates_vendor_messages_and_ends(void **state)
{
        struct rig g;
        struct opts o = { .curve = EC_P384 };
        const uint8_t vid[2] = { 0x01, 0x00 }, payload[] = { 0x01, 0x10, 0x81, 0, 0, 0 };
        const uint8_t *back;
        size_t back_len;
        (void)state;
        rig_up(&g, &o);
        assert_int_equal(attest(&g), SPDM_REQ_DONE);
        assert_int_equal(relay(&g, spdm_requester_heartbeat(g.req, &g.out)), SPDM_REQ_DONE);
        assert_int_equal(relay(&g, spdm_requester_key_update(g.req, false, &g.out)), SPDM_REQ_DONE);
        assert_int_equal(relay(&g, spdm_requester_heartbeat(g.req, &g.out)), SPDM_REQ_DONE);
        assert_int_equal(relay(&g, spdm_requester_key_update(g.req, true, &g.out)), SPDM_REQ_DONE);
        assert_int_equal(relay(&g, spdm_requester_vendor_defined(g.req, SPDM_STANDARD_ID_PCISIG, vid, 2, payload,
                                                                 sizeof(payload), &g.out)),
                         SPDM_REQ_DONE);
        assert_true(spdm_requester_vdm_response(g.req, &back, &back_len));
        assert_int_equal(back_len, sizeof(payload));
        assert_memory_equal(back, payload, sizeof(payload));
        assert_int_equal(relay(&g, spdm_requester_end_session(g.req, &g.out)), SPDM_REQ_DONE);
        uint32_t sid;
        assert_false(spdm_responder_session(g.rsp, &sid));
        /* the session is over: no more session requests */
        assert_int_equal(spdm_requester_heartbeat(g.req, &g.out), SPDM_REQ_FAILED);
        rig_down(&g);
}

/* ---- the relay attacks ---- */

struct flip {
        uint8_t code;           /* the response to tamper with (plain) */
        size_t at;              /* byte offset */
        bool done;
};

static void flip_in_response(void *ctx, unsigned n, bool request, bool secured, uint8_t *buf, size_t *len)
{
        struct flip *f = ctx;
        (void)n;
        if (request || secured || f->done || *len <= f->at || buf[1] != f->code)
                return;
        buf[f->at] ^= 0x01;
        f->done = true;
}

static void a_flipped_certificate_byte_breaks_the_chain(void **state)
{
        struct rig g;
        struct opts o = { .curve = EC_P384 };
        struct flip f = { .code = SPDM_CERTIFICATE, .at = 600 };
        (void)state;
        rig_up(&g, &o);
        g.tamper = flip_in_response;
        g.tamper_ctx = &f;
        assert_failed_with(&g, attest(&g), SPDM_REQ_E_CERT_CHAIN, "differs from DIGESTS");
        assert_true(f.done);
        rig_down(&g);
}

static void a_flipped_measurement_breaks_the_signature(void **state)
{
        struct rig g;
        struct opts o = { .curve = EC_P384 };
        struct flip f = { .code = SPDM_MEASUREMENTS, .at = 20 };
        (void)state;
        rig_up(&g, &o);
        g.tamper = flip_in_response;
        g.tamper_ctx = &f;
        assert_failed_with(&g, attest(&g), SPDM_REQ_E_SIGNATURE, "MEASUREMENTS");
        rig_down(&g);
}

/* Replay: the MEASUREMENTS of an earlier attestation given for this one's request. */
struct replay {
        uint8_t saved[BUF];
        size_t len;
        bool use;
};

static void keep_or_replay_measurements(void *ctx, unsigned n, bool request, bool secured, uint8_t *buf, size_t *len)
{
        struct replay *rp = ctx;
        (void)n;
        if (request || secured || buf[1] != SPDM_MEASUREMENTS)
                return;
        if (rp->use) {
                memcpy(buf, rp->saved, rp->len);
                *len = rp->len;
        } else {
                memcpy(rp->saved, buf, *len);
                rp->len = *len;
        }
}

static void a_replayed_measurements_response_is_refused(void **state)
{
        struct rig g;
        struct opts o = { .curve = EC_P384 };
        static struct replay rp;
        (void)state;
        memset(&rp, 0, sizeof(rp));
        rig_up(&g, &o);
        g.tamper = keep_or_replay_measurements;
        g.tamper_ctx = &rp;
        assert_int_equal(attest(&g), SPDM_REQ_DONE);
        assert_true(rp.len > 0);
        rig_down(&g);
        /* a second attestation (the device's DRBG restarts, the requester's nonce differs) */
        rig_up(&g, &o);
        g.tamper = keep_or_replay_measurements;
        g.tamper_ctx = &rp;
        rp.use = true;
        uint8_t other[8] = "again";
        assert_true(drbg_bytes(g.req_drbg, other, sizeof(other)));      /* move the requester's nonce on */
        assert_failed_with(&g, attest(&g), SPDM_REQ_E_SIGNATURE, "replayed");
        rig_down(&g);
}

struct cut {
        uint8_t code;
        size_t keep;
};

static void truncate_response(void *ctx, unsigned n, bool request, bool secured, uint8_t *buf, size_t *len)
{
        struct cut *c = ctx;
        (void)n;
        if (!request && !secured && buf[1] == c->code && *len > c->keep)
                *len = c->keep;
}

static void a_truncated_response_is_malformed(void **state)
{
        static const uint8_t codes[] = { SPDM_VERSION, SPDM_CAPABILITIES, SPDM_ALGORITHMS, SPDM_DIGESTS,
                                         SPDM_CERTIFICATE, SPDM_CHALLENGE_AUTH, SPDM_MEASUREMENTS,
                                         SPDM_KEY_EXCHANGE_RSP, SPDM_FINISH_RSP };
        (void)state;
        for (size_t i = 0; i < sizeof(codes); i++) {
                struct rig g;
                struct opts o = { .curve = EC_P384 };
                struct cut c = { .code = codes[i], .keep = 6 };
                rig_up(&g, &o);
                g.tamper = truncate_response;
                g.tamper_ctx = &c;
                assert_failed_with(&g, attest(&g), SPDM_REQ_E_MALFORMED, spdm_code_name(codes[i]));
                rig_down(&g);
        }
}

/* Reorder: the relay holds back the answer to one request and delivers it for the next. */
struct hold {
        uint8_t saved[BUF];
        size_t len;
        unsigned at;
};

static void swap_answers(void *ctx, unsigned n, bool request, bool secured, uint8_t *buf, size_t *len)
{
        struct hold *h = ctx;
        (void)secured;
        if (request)
                return;
        if (n == h->at) {
                memcpy(h->saved, buf, *len);
                h->len = *len;
        }
        if (n == h->at + 1) {
                memcpy(buf, h->saved, h->len);
                *len = h->len;
        }
}

static void a_reordered_response_is_unexpected(void **state)
{
        struct rig g;
        struct opts o = { .curve = EC_P384 };
        static struct hold h;
        (void)state;
        h.at = 2;       /* ALGORITHMS is kept and given back for GET_DIGESTS */
        rig_up(&g, &o);
        g.tamper = swap_answers;
        g.tamper_ctx = &h;
        assert_failed_with(&g, attest(&g), SPDM_REQ_E_UNEXPECTED, "ALGORITHMS where DIGESTS was due");
        rig_down(&g);
}

static void a_device_of_another_root_is_not_trusted(void **state)
{
        struct rig g;
        struct opts o = { .curve = EC_P384, .wrong_anchor = true };
        (void)state;
        rig_up(&g, &o);
        assert_failed_with(&g, attest(&g), SPDM_REQ_E_CERT_CHAIN, "trust anchor");
        rig_down(&g);
}

static void a_device_answering_with_another_key_fails_the_challenge(void **state)
{
        struct rig g;
        struct opts o = { .curve = EC_P384, .impostor = true };
        (void)state;
        rig_up(&g, &o);
        assert_failed_with(&g, attest(&g), SPDM_REQ_E_SIGNATURE, "CHALLENGE_AUTH");
        rig_down(&g);
}

static void flip_secured(void *ctx, unsigned n, bool request, bool secured, uint8_t *buf, size_t *len)
{
        bool *done = ctx;
        (void)n;
        if (!request && secured && !*done && *len > 10) {
                buf[10] ^= 0x80;
                *done = true;
        }
}

static void a_flipped_secured_record_breaks_the_session(void **state)
{
        struct rig g;
        struct opts o = { .curve = EC_P384 };
        bool done = false;
        (void)state;
        rig_up(&g, &o);
        assert_int_equal(attest(&g), SPDM_REQ_DONE);
        g.tamper = flip_secured;
        g.tamper_ctx = &done;
        assert_failed_with(&g, relay(&g, spdm_requester_heartbeat(g.req, &g.out)), SPDM_REQ_E_SECURED, "MAC");
        rig_down(&g);
}

static void requests_out_of_order_are_refused(void **state)
{
        struct rig g;
        struct opts o = { .curve = EC_P384 };
        (void)state;
        rig_up(&g, &o);
        assert_int_equal(spdm_requester_heartbeat(g.req, &g.out), SPDM_REQ_FAILED);
        const char *why;
        assert_int_equal(spdm_requester_error(g.req, &why), SPDM_REQ_E_STATE);
        rig_down(&g);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(requester_attests_the_device_and_opens_a_session),
                cmocka_unit_test(requester_attests_with_the_handshake_secured_when_either_side_declines_the_clear),
                cmocka_unit_test(every_supported_algorithm_combination_attests_and_carries_the_session),
                cmocka_unit_test(certificate_chain_comes_in_portions_when_the_transfer_size_is_small),
                cmocka_unit_test(session_carries_heartbeat_key_updates_vendor_messages_and_ends),
                cmocka_unit_test(a_flipped_certificate_byte_breaks_the_chain),
                cmocka_unit_test(a_flipped_measurement_breaks_the_signature),
                cmocka_unit_test(a_replayed_measurements_response_is_refused),
                cmocka_unit_test(a_truncated_response_is_malformed),
                cmocka_unit_test(a_reordered_response_is_unexpected),
                cmocka_unit_test(a_device_of_another_root_is_not_trusted),
                cmocka_unit_test(a_device_answering_with_another_key_fails_the_challenge),
                cmocka_unit_test(a_flipped_secured_record_breaks_the_session),
                cmocka_unit_test(requests_out_of_order_are_refused),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
