/* src/device/spdm_responder.c from the outside, as a requester sees it (DSP0274 1.2.1,
 * DSP0277 1.1 on the PCIe DOE binding; facts/spdm-tdisp-ide.md §1-2).
 *
 * The independent side is a small requester built here from the tested codecs: it encodes
 * requests, decodes responses with spdm_*_decode, keeps its own transcripts as facts §1.6
 * states them, verifies signatures with ec_verify over spdm_signed_message, derives its own
 * session keys with spdm_ks_* (checked against the recorded DMTF session in
 * tests/proto/test_spdm_keys.c) and seals/opens records with spdm_secured_*. Expected chains
 * and measurement blocks are laid out byte by byte here from the facts' tables, not with the
 * encoders the responder uses. The recorded DMTF requester's own requests
 * (tests/kat/spdm12-emu-session/doe_objects.json) are fed to the responder too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/spdm_responder.h"
#include "lib/crypto.h"
#include "lib/drbg.h"
#include "lib/ec.h"
#include "lib/kdf.h"
#include "lib/pki.h"
#include "lib/x509_chain.h"
#include "proto/spdm.h"
#include "proto/spdm_keys.h"
#include "proto/spdm_secured.h"
#include "proto/spdm_sign.h"
#include "proto/spdm_transcript.h"

#define BUF 8192
#define TMAX (256u * 1024u)

static const time_t jan_2026 = 1767225600, jan_2036 = 2082758400, jun_2027 = 1811808000;

/* Measurement sources: the device's ROM, firmware and firmware configuration (digests) and
 * a raw 16-byte device-mode block at 0xFE. */
static const uint8_t rom[] = "ccada test device boot ROM image";
static const uint8_t fw[] = "ccada test device firmware 1.0.0, a little longer than the ROM";
static const uint8_t conf[] = { 0x01, 0x02, 0x03, 0x04, 0x05 };
static const uint8_t mode[16] = { 0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7,
                                  0xA8, 0xA9, 0xAA, 0xAB, 0xAC, 0xAD, 0xAE, 0xAF };

/* ---- the test requester ---- */

struct offer {
        uint32_t caps;
        uint32_t asym, hash;
        uint16_t dhe, aead;
        uint8_t other;
        uint32_t dts;
};

/* Everything a requester offers; the responder's preferences pick from it. */
static const struct offer full_offer = {
        .caps = SPDM_CAP_CERT | SPDM_CAP_CHAL | SPDM_CAP_ENCRYPT | SPDM_CAP_MAC | SPDM_CAP_KEY_EX | SPDM_CAP_HBEAT |
                SPDM_CAP_KEY_UPD | SPDM_CAP_HANDSHAKE_IN_THE_CLEAR,
        .asym = SPDM_ASYM_ECDSA_P256 | SPDM_ASYM_ECDSA_P384,
        .hash = SPDM_HASH_SHA_256 | SPDM_HASH_SHA_384,
        .dhe = SPDM_DHE_SECP256R1 | SPDM_DHE_SECP384R1,
        .aead = SPDM_AEAD_AES_128_GCM | SPDM_AEAD_AES_256_GCM,
        .other = SPDM_OPAQUE_FMT_1,
        .dts = 4096,
};

struct session {
        uint32_t id;
        bool in_clear;
        struct spdm_key_schedule ks;
        struct spdm_secured_dir req_hs, rsp_hs, req, rsp;
        struct spdm_transcript th;
};

struct requester {
        struct spdm_sizes sz;
        enum hash_alg hash;
        enum aead_alg aead;
        enum ec_curve dhe;
        struct spdm_algorithms sel;
        struct spdm_transcript a, b, c, m;
        struct session s;
};

struct fx {
        struct pki pki;
        struct drbg *drbg;
        struct spdm_responder_cfg cfg;
        struct spdm_responder *r;
        struct requester q;
        uint8_t rsp[BUF];
        size_t rsp_len;
        bool rsp_secured;
        uint8_t app[BUF]; /* the message a secured response carried */
        size_t app_len;
        uint8_t chain[4096]; /* the expected SPDM chain, laid out here */
        size_t chain_len;
};

static void make_pki(struct pki *pki)
{
        static const uint8_t seed[] = "ccada spdm responder test pki";
        struct pki_params p = { .not_before = jan_2026, .not_after = jan_2036, .seed = seed, .seed_len = sizeof(seed) };
        char why[PKI_WHY_LEN] = "";
        if (!pki_make(&p, pki, why))
                fail_msg("pki_make: %s", why);
}

static void fill_cfg(struct fx *f)
{
        f->cfg = (struct spdm_responder_cfg){
                .chain_der = f->pki.chain,
                .chain_der_len = f->pki.chain_len,
                .leaf_key = f->pki.leaf_key,
                .meas = {
                        { .index = 1, .value_type = SPDM_MEAS_TYPE_IMMUTABLE_ROM, .value = rom, .len = sizeof(rom) },
                        { .index = 2, .value_type = SPDM_MEAS_TYPE_MUTABLE_FW, .value = fw, .len = sizeof(fw) },
                        { .index = 3, .value_type = SPDM_MEAS_TYPE_FW_CONFIG, .value = conf, .len = sizeof(conf) },
                        { .index = SPDM_MEAS_INDEX_DEVICE_MODE, .value_type = SPDM_MEAS_TYPE_DEVICE_MODE, .raw = true,
                          .value = mode, .len = sizeof(mode) },
                },
                .nmeas = 4,
                .drbg = f->drbg,
        };
}

static void req_init(struct requester *q)
{
        memset(q, 0, sizeof(*q));
        spdm_transcript_init(&q->a, TMAX);
        spdm_transcript_init(&q->b, TMAX);
        spdm_transcript_init(&q->c, TMAX);
        spdm_transcript_init(&q->m, TMAX);
        spdm_transcript_init(&q->s.th, TMAX);
}

static void session_clear(struct session *s)
{
        spdm_ks_wipe(&s->ks);
        spdm_secured_dir_clear(&s->req_hs);
        spdm_secured_dir_clear(&s->rsp_hs);
        spdm_secured_dir_clear(&s->req);
        spdm_secured_dir_clear(&s->rsp);
        spdm_transcript_reset(&s->th);
        s->id = 0;
}

static void req_free(struct requester *q)
{
        session_clear(&q->s);
        spdm_transcript_free(&q->a);
        spdm_transcript_free(&q->b);
        spdm_transcript_free(&q->c);
        spdm_transcript_free(&q->m);
        spdm_transcript_free(&q->s.th);
}

static void start(struct fx *f)
{
        char why[128] = "";
        if (!spdm_responder_new(&f->r, &f->cfg, why))
                fail_msg("spdm_responder_new: %s", why);
}

/* The SPDM chain of slot 0 for hash h, from the facts' table (§1.5): Length(2) |
 * Reserved(2) | Hash(root DER) | the DER certificates. */
static void expect_chain(struct fx *f, enum hash_alg h)
{
        size_t hl = hash_len(h), total = 4 + hl + f->pki.chain_len;
        assert_true(total <= sizeof(f->chain));
        f->chain[0] = (uint8_t)(total & 0xFF);
        f->chain[1] = (uint8_t)(total >> 8);
        f->chain[2] = f->chain[3] = 0;
        assert_true(hash_once(h, f->pki.root, f->pki.root_len, f->chain + 4));
        memcpy(f->chain + 4 + hl, f->pki.chain, f->pki.chain_len);
        f->chain_len = total;
}

static int setup_cfg(void **state, bool in_clear)
{
        static const uint8_t seed[] = "ccada spdm responder test drbg";
        struct fx *f = calloc(1, sizeof(*f));
        assert_non_null(f);
        make_pki(&f->pki);
        assert_true(drbg_new_seeded(&f->drbg, seed, sizeof(seed), "ccada device spdm"));
        fill_cfg(f);
        f->cfg.no_handshake_in_the_clear = !in_clear;
        req_init(&f->q);
        start(f);
        *state = f;
        return 0;
}

static int setup(void **state)
{
        return setup_cfg(state, true);
}

static int setup_no_clear(void **state)
{
        return setup_cfg(state, false);
}

static int teardown(void **state)
{
        struct fx *f = *state;
        spdm_responder_free(f->r);
        req_free(&f->q);
        drbg_free(f->drbg);
        pki_free(&f->pki);
        free(f);
        return 0;
}

/* ---- exchanges ---- */

/* One plain request; the answer must be plain. */
static void send_plain(struct fx *f, const uint8_t *req, size_t len)
{
        assert_true(spdm_responder_handle(f->r, false, req, len, f->rsp, sizeof(f->rsp), &f->rsp_len, &f->rsp_secured));
        assert_false(f->rsp_secured);
        assert_true(f->rsp_len >= SPDM_HEADER_SIZE);
}

static void assert_error(const uint8_t *m, size_t len, uint8_t version, uint8_t code, uint8_t data)
{
        if (len < 4 || m[1] != SPDM_ERROR)
                fail_msg("expected ERROR %s, got %s (%zu bytes)", spdm_error_name(code), len >= 2 ? spdm_code_name(m[1]) : "nothing",
                         len);
        if (m[2] != code || m[3] != data)
                fail_msg("expected ERROR %s/0x%02x, got %s/0x%02x", spdm_error_name(code), data, spdm_error_name(m[2]), m[3]);
        assert_int_equal(len, 4); /* no ExtendedErrorData for these codes */
        assert_int_equal(m[0], version);
}

/* The plain answer is ERROR code/data (with the negotiated version, or 1.0 before). */
static void expect_error(struct fx *f, uint8_t code, uint8_t data)
{
        assert_false(f->rsp_secured);
        assert_error(f->rsp, f->rsp_len, f->q.sz.version ? f->q.sz.version : SPDM_VERSION_10, code, data);
}

/* A 4-byte request with the negotiated version. */
static void send_header(struct fx *f, uint8_t code, uint8_t p1, uint8_t p2)
{
        uint8_t m[4] = { f->q.sz.version ? f->q.sz.version : SPDM_VERSION_12, code, p1, p2 };
        send_plain(f, m, sizeof(m));
}

/* Seals msg under the session's request key (handshake keys while hs) and sends it; a
 * secured answer is opened with the response key into f->app. Returns whether it was. */
static bool send_secured_raw(struct fx *f, const uint8_t *rec, size_t rec_len, bool hs)
{
        struct session *s = &f->q.s;
        char why[SPDM_SECURED_WHY_LEN] = "";
        size_t used;
        assert_true(spdm_responder_handle(f->r, true, rec, rec_len, f->rsp, sizeof(f->rsp), &f->rsp_len, &f->rsp_secured));
        assert_true(f->rsp_len >= SPDM_HEADER_SIZE);
        if (!f->rsp_secured)
                return false;
        if (!spdm_secured_open(hs ? &s->rsp_hs : &s->rsp, s->id, f->rsp, f->rsp_len, f->app, sizeof(f->app), &f->app_len,
                               &used, why))
                fail_msg("the secured answer does not open: %s", why);
        assert_int_equal(used, f->rsp_len);
        return true;
}

static size_t seal(struct fx *f, const uint8_t *msg, size_t len, bool hs, uint8_t *rec, size_t cap)
{
        size_t n;
        struct session *s = &f->q.s;
        assert_true(spdm_secured_seal(hs ? &s->req_hs : &s->req, s->id, msg, len, NULL, 0, rec, cap, &n));
        return n;
}

static bool send_secured(struct fx *f, const uint8_t *msg, size_t len, bool hs)
{
        uint8_t rec[BUF];
        size_t n = seal(f, msg, len, hs, rec, sizeof(rec));
        return send_secured_raw(f, rec, n, hs);
}

/* ---- VCA ---- */

static void get_version(struct fx *f)
{
        uint8_t req[16];
        size_t n, used;
        struct spdm_sizes v10 = { .version = SPDM_VERSION_10 };
        struct spdm_get_version gv = { 0 };
        struct spdm_version v;
        assert_true(spdm_get_version_encode(req, sizeof(req), &gv, &v10, &n));
        send_plain(f, req, n);
        assert_true(spdm_version_decode(f->rsp, f->rsp_len, &v10, &v, &used, NULL));
        assert_int_equal(used, f->rsp_len);
        spdm_transcript_reset(&f->q.a);
        spdm_transcript_reset(&f->q.b);
        spdm_transcript_reset(&f->q.c);
        spdm_transcript_reset(&f->q.m);
        memset(&f->q.sz, 0, sizeof(f->q.sz));
        assert_true(spdm_transcript_append(&f->q.a, req, n) && spdm_transcript_append(&f->q.a, f->rsp, f->rsp_len));
}

static void get_capabilities(struct fx *f, const struct offer *o, struct spdm_capabilities *out)
{
        uint8_t req[32];
        size_t n, used;
        struct spdm_sizes v12 = { .version = SPDM_VERSION_12 };
        struct spdm_capabilities c = { .ct_exponent = 10, .flags = o->caps, .data_transfer_size = o->dts,
                                       .max_spdm_msg_size = o->dts };
        assert_true(spdm_get_capabilities_encode(req, sizeof(req), &c, &v12, &n));
        send_plain(f, req, n);
        if (!spdm_capabilities_decode(f->rsp, f->rsp_len, &v12, out, &used, NULL))
                fail_msg("CAPABILITIES expected, got %s", spdm_code_name(f->rsp[1]));
        assert_int_equal(used, f->rsp_len);
        assert_true(spdm_transcript_append(&f->q.a, req, n) && spdm_transcript_append(&f->q.a, f->rsp, f->rsp_len));
        f->q.sz.version = SPDM_VERSION_12; /* from here on every message, ERROR too, says 1.2 */
}

static enum hash_alg hash_of(uint32_t bit)
{
        return bit == SPDM_HASH_SHA_256 ? HASH_SHA256 : bit == SPDM_HASH_SHA_384 ? HASH_SHA384 : HASH_SHA512;
}

/* ALGORITHMS (already in f->rsp, answering req) into the requester's state. */
static void take_algorithms(struct fx *f, const uint8_t *req, size_t n, bool in_clear)
{
        struct spdm_sizes v12 = { .version = SPDM_VERSION_12 };
        struct spdm_algorithms *a = &f->q.sel;
        size_t used;
        uint16_t dhe = 0, aead = 0;
        char why[SPDM_WHY_LEN] = "";
        if (!spdm_algorithms_decode(f->rsp, f->rsp_len, &v12, a, &used, why))
                fail_msg("ALGORITHMS expected (%s), got %s", why, spdm_code_name(f->rsp[1]));
        assert_int_equal(used, f->rsp_len);
        assert_true(spdm_sizes_from_algorithms(a, SPDM_VERSION_12, in_clear, &f->q.sz));
        f->q.hash = hash_of(a->base_hash);
        (void)spdm_algorithms_find(a, SPDM_ALG_TYPE_DHE, &dhe);
        (void)spdm_algorithms_find(a, SPDM_ALG_TYPE_AEAD, &aead);
        f->q.dhe = dhe == SPDM_DHE_SECP256R1 ? EC_P256 : EC_P384;
        f->q.aead = aead == SPDM_AEAD_AES_128_GCM ? AEAD_AES_128_GCM : AEAD_AES_256_GCM;
        assert_true(spdm_transcript_append(&f->q.a, req, n) && spdm_transcript_append(&f->q.a, f->rsp, f->rsp_len));
        expect_chain(f, f->q.hash);
}

static size_t encode_negotiate(const struct offer *o, uint8_t *req, size_t cap)
{
        struct spdm_sizes v12 = { .version = SPDM_VERSION_12 };
        struct spdm_algorithms n = {
                .meas_spec = SPDM_MEAS_SPEC_DMTF,
                .other_params = o->other,
                .base_asym = o->asym,
                .base_hash = o->hash,
                .alg_count = 4,
                .alg = { { .type = SPDM_ALG_TYPE_DHE, .supported = o->dhe },
                         { .type = SPDM_ALG_TYPE_AEAD, .supported = o->aead },
                         { .type = SPDM_ALG_TYPE_REQ_BASE_ASYM, .supported = 0 },
                         { .type = SPDM_ALG_TYPE_KEY_SCHEDULE, .supported = SPDM_KEY_SCHEDULE_SPDM } },
        };
        size_t len;
        assert_true(spdm_negotiate_algorithms_encode(req, cap, &n, &v12, &len));
        return len;
}

static void vca_with(struct fx *f, const struct offer *o)
{
        struct spdm_capabilities c;
        uint8_t req[128];
        get_version(f);
        get_capabilities(f, o, &c);
        size_t n = encode_negotiate(o, req, sizeof(req));
        send_plain(f, req, n);
        take_algorithms(f, req, n, (c.flags & o->caps & SPDM_CAP_HANDSHAKE_IN_THE_CLEAR) != 0);
}

static void vca(struct fx *f)
{
        vca_with(f, &full_offer);
}

/* ---- digests, certificates ---- */

static void get_digests(struct fx *f, struct spdm_digests *d)
{
        uint8_t req[8];
        size_t n, used;
        struct spdm_get_digests g = { 0 };
        assert_true(spdm_get_digests_encode(req, sizeof(req), &g, &f->q.sz, &n));
        send_plain(f, req, n);
        if (!spdm_digests_decode(f->rsp, f->rsp_len, &f->q.sz, d, &used, NULL))
                fail_msg("DIGESTS expected, got %s", spdm_code_name(f->rsp[1]));
        assert_true(spdm_transcript_append(&f->q.b, req, n) && spdm_transcript_append(&f->q.b, f->rsp, used));
}

/* GET_CERTIFICATE slot 0 at offset for length; the decoded answer, or false for an ERROR. */
static bool get_cert(struct fx *f, uint8_t slot, uint16_t offset, uint16_t length, struct spdm_certificate *c)
{
        uint8_t req[16];
        size_t n, used;
        struct spdm_get_certificate g = { .slot_id = slot, .offset = offset, .length = length };
        assert_true(spdm_get_certificate_encode(req, sizeof(req), &g, &f->q.sz, &n));
        send_plain(f, req, n);
        if (f->rsp[1] == SPDM_ERROR)
                return false;
        assert_true(spdm_certificate_decode(f->rsp, f->rsp_len, &f->q.sz, c, &used, NULL));
        assert_int_equal(used, f->rsp_len);
        assert_true(spdm_transcript_append(&f->q.b, req, n) && spdm_transcript_append(&f->q.b, f->rsp, used));
        return true;
}

/* Fetches the whole chain in portions of `portion` bytes into out. */
static size_t fetch_chain(struct fx *f, uint16_t portion, uint8_t *out, size_t cap)
{
        size_t got = 0;
        struct spdm_certificate c;
        for (int i = 0; i < 64; i++) {
                assert_true(get_cert(f, 0, (uint16_t)got, portion, &c));
                assert_true(c.portion_length <= portion);
                assert_true(c.portion_length > 0);
                assert_true(got + c.portion_length <= cap);
                memcpy(out + got, c.portion, c.portion_length);
                got += c.portion_length;
                if (c.remainder_length == 0)
                        return got;
                assert_int_equal(got + c.remainder_length, f->chain_len);
        }
        fail_msg("the chain never ended");
        return 0;
}

/* ---- signatures ---- */

static bool sig_ok_key(const struct fx *f, const struct ec_key *k, const uint8_t *tr, size_t len, const char *ctx,
                       const uint8_t *sig)
{
        uint8_t th[HASH_MAX_LEN], m[SPDM_SIGNED_MESSAGE_MAX];
        size_t ml;
        assert_true(hash_once(f->q.hash, tr, len, th));
        assert_true(spdm_signed_message(SPDM_VERSION_12, ctx, th, hash_len(f->q.hash), m, sizeof(m), &ml));
        return ec_verify(k, f->q.hash, m, ml, sig, f->q.sz.sig_len);
}

static bool sig_ok(const struct fx *f, const struct spdm_transcript *t, const char *ctx, const uint8_t *sig)
{
        return sig_ok_key(f, f->pki.leaf_key, t->buf, t->len, ctx, sig);
}

/* ---- measurements laid out here (facts §1.5 measurement block) ---- */

static size_t block(uint8_t *out, enum hash_alg mh, uint8_t index, uint8_t type, bool raw, const uint8_t *v,
                    size_t vlen)
{
        uint8_t d[HASH_MAX_LEN];
        size_t n = raw ? vlen : hash_len(mh);
        if (!raw) {
                assert_true(hash_once(mh, v, vlen, d));
                v = d;
        }
        out[0] = index;
        out[1] = SPDM_MEAS_SPEC_DMTF;
        out[2] = (uint8_t)((n + 3) & 0xFF);
        out[3] = (uint8_t)((n + 3) >> 8);
        out[4] = (uint8_t)(type | (raw ? 0x80 : 0));
        out[5] = (uint8_t)(n & 0xFF);
        out[6] = (uint8_t)(n >> 8);
        memcpy(out + 7, v, n);
        return 7 + n;
}

/* The block of index with measurement hash mh (the negotiated one; SHA-384 unless a test
 * offers only SHA-256). */
static size_t block_mh(uint8_t *out, enum hash_alg mh, uint8_t index)
{
        switch (index) {
        case 1: return block(out, mh, 1, 0, false, rom, sizeof(rom));
        case 2: return block(out, mh, 2, 1, false, fw, sizeof(fw));
        case 3: return block(out, mh, 3, 3, false, conf, sizeof(conf));
        default: return block(out, mh, 0xFE, 5, true, mode, sizeof(mode));
        }
}

static size_t block_of(uint8_t *out, uint8_t index)
{
        return block_mh(out, HASH_SHA384, index);
}

/* The blocks of all four sources (tcb: only ROM, firmware and firmware configuration). */
static size_t record_mh(uint8_t *out, enum hash_alg mh, bool tcb)
{
        size_t n = block_mh(out, mh, 1);
        n += block_mh(out + n, mh, 2);
        n += block_mh(out + n, mh, 3);
        if (!tcb)
                n += block_mh(out + n, mh, 0xFE);
        return n;
}

static size_t record_of(uint8_t *out, bool tcb)
{
        return record_mh(out, HASH_SHA384, tcb);
}

/* GET_MEASUREMENTS (plain or in the session); the answer decoded into m (its record
 * pointing into f->rsp or f->app). Appends both to the requester's message_m. */
static bool get_meas(struct fx *f, bool in_session, uint8_t op, bool sign, const uint8_t *nonce,
                     struct spdm_measurements *m, struct spdm_transcript *mt)
{
        uint8_t req[64];
        size_t n, used;
        struct spdm_get_measurements g = { .attributes = sign ? SPDM_MEAS_ATTR_SIG_REQUESTED : 0, .operation = op,
                                           .nonce = sign ? nonce : NULL, .slot_id = 0 };
        assert_true(spdm_get_measurements_encode(req, sizeof(req), &g, &f->q.sz, &n));
        const uint8_t *rsp = f->rsp;
        size_t rsp_len;
        if (in_session) {
                assert_true(send_secured(f, req, n, false));
                rsp = f->app;
                rsp_len = f->app_len;
        } else {
                send_plain(f, req, n);
                rsp_len = f->rsp_len;
        }
        if (rsp[1] == SPDM_ERROR)
                return false;
        char why[SPDM_WHY_LEN] = "";
        if (!spdm_measurements_decode(rsp, rsp_len, &f->q.sz, sign, m, &used, why))
                fail_msg("MEASUREMENTS does not decode: %s", why);
        assert_int_equal(used, rsp_len);
        assert_true(spdm_transcript_append(mt, req, n) && spdm_transcript_append(mt, rsp, m->sig_off));
        return true;
}

/* ---- sessions ---- */

struct ke_result {
        struct spdm_key_exchange_rsp kr;
        uint8_t rsp[BUF];
        size_t len;
};

static void make_dhe(struct fx *f, struct ec_key **k, uint8_t *exchange)
{
        static const uint8_t seed[] = "requester ephemeral";
        uint8_t point[EC_POINT_MAX];
        size_t pl;
        assert_true(ec_key_derive(k, f->q.dhe, seed, sizeof(seed), "ccada test requester dhe"));
        assert_true(ec_key_point(*k, point, sizeof(point), &pl));
        memcpy(exchange, point + 1, pl - 1);
}

static size_t encode_ke(struct fx *f, uint8_t summary, const uint8_t *exchange, uint8_t *req, size_t cap)
{
        static const uint8_t random[SPDM_RANDOM_SIZE] = { 0x52 };
        uint8_t opaque[64];
        size_t olen, n;
        struct spdm_opaque_sm sm = { .version_count = 2, .versions = { SPDM_SM_VERSION_10, SPDM_SM_VERSION_11 } };
        assert_true(spdm_opaque_sm_encode(opaque, sizeof(opaque), SPDM_OPAQUE_FMT_1, &sm, &olen));
        struct spdm_key_exchange ke = { .summary_type = summary, .slot_id = 0, .req_session_id = 0x1234,
                                        .random = random, .exchange = exchange, .opaque_len = (uint16_t)olen,
                                        .opaque = opaque };
        assert_true(spdm_key_exchange_encode(req, cap, &ke, &f->q.sz, &n));
        return n;
}

/* KEY_EXCHANGE (summary type) and its checks: the signature over A || Hash(Ct) || KE ||
 * KE_RSP before the Signature, the selected secured-message version, TH1 and the handshake
 * keys, ResponderVerifyData when the handshake is not in the clear. */
static void key_exchange(struct fx *f, uint8_t summary)
{
        struct session *s = &f->q.s;
        struct ec_key *mine = NULL, *peer = NULL;
        uint8_t exchange[2 * EC_COORD_MAX], req[512], point[EC_POINT_MAX], secret[EC_COORD_MAX];
        uint8_t ct_hash[HASH_MAX_LEN], th1[HASH_MAX_LEN], vd[HASH_MAX_LEN];
        size_t h = hash_len(f->q.hash), used, slen;
        char why[SPDM_WHY_LEN] = "";

        make_dhe(f, &mine, exchange);
        size_t n = encode_ke(f, summary, exchange, req, sizeof(req));
        send_plain(f, req, n);
        struct spdm_key_exchange_rsp kr;
        if (!spdm_key_exchange_rsp_decode(f->rsp, f->rsp_len, &f->q.sz, summary, &kr, &used, why))
                fail_msg("KEY_EXCHANGE_RSP does not decode (%s): %s", why, spdm_code_name(f->rsp[1]));
        assert_int_equal(used, f->rsp_len);
        assert_int_equal(kr.mut_auth_requested, 0);
        struct spdm_opaque_sm sel;
        assert_true(spdm_opaque_sm_decode(kr.opaque, kr.opaque_len, SPDM_OPAQUE_FMT_1, &sel, NULL));
        assert_true(sel.is_selection);
        assert_int_equal(sel.selected, SPDM_SM_VERSION_11); /* the highest offered */
        if (summary != SPDM_SUMMARY_HASH_NONE) {
                uint8_t rec[512], want[HASH_MAX_LEN];
                size_t rl = record_mh(rec, f->q.hash, summary == SPDM_SUMMARY_HASH_TCB);
                assert_true(hash_once(f->q.hash, rec, rl, want));
                assert_memory_equal(kr.meas_summary_hash, want, h);
        }
        session_clear(s);
        s->in_clear = f->q.sz.handshake_in_the_clear;
        s->id = (uint32_t)kr.rsp_session_id << 16 | 0x1234u;
        assert_true(hash_once(f->q.hash, f->chain, f->chain_len, ct_hash));
        assert_true(spdm_transcript_append_t(&s->th, &f->q.a) && spdm_transcript_append(&s->th, ct_hash, h) &&
                    spdm_transcript_append(&s->th, req, n) && spdm_transcript_append(&s->th, f->rsp, kr.sig_off));
        assert_true(sig_ok(f, &s->th, SPDM_CTX_KEY_EXCHANGE_RSP, kr.signature));
        assert_true(spdm_transcript_append(&s->th, kr.signature, f->q.sz.sig_len));
        assert_int_equal(kr.verify_off, kr.sig_off + f->q.sz.sig_len);
        assert_true(spdm_transcript_hash(&s->th, f->q.hash, th1));

        point[0] = 0x04;
        memcpy(point + 1, kr.exchange, f->q.sz.dhe_len);
        assert_true(ec_key_from_point(&peer, f->q.dhe, point, 1 + f->q.sz.dhe_len));
        assert_true(ec_ecdh(mine, peer, secret, sizeof(secret), &slen));
        ec_key_free(mine);
        ec_key_free(peer);
        assert_true(spdm_ks_handshake(&s->ks, SPDM_VERSION_12, f->q.hash, f->q.aead, secret, slen, th1));
        secure_zero(secret, sizeof(secret));
        if (s->in_clear) {
                assert_null(kr.verify_data);
        } else {
                assert_non_null(kr.verify_data);
                assert_true(spdm_ks_verify_data(&s->ks, false, th1, vd));
                assert_memory_equal(kr.verify_data, vd, h);
                assert_true(spdm_transcript_append(&s->th, kr.verify_data, h));
        }
        assert_true(spdm_secured_dir_init(&s->req_hs, f->q.aead, s->ks.req_hs.key, s->ks.req_hs.iv));
        assert_true(spdm_secured_dir_init(&s->rsp_hs, f->q.aead, s->ks.rsp_hs.key, s->ks.rsp_hs.iv));
}

/* FINISH with RequesterVerifyData (flipped when `bad`); returns the answer: plain in the
 * clear (in f->rsp) or opened from the handshake record (in f->app). */
static const uint8_t *finish_send(struct fx *f, bool bad, size_t *len)
{
        struct session *s = &f->q.s;
        uint8_t req[128], th[HASH_MAX_LEN], vd[HASH_MAX_LEN];
        size_t n;
        struct spdm_finish fin = { .verify_data = vd };
        memset(vd, 0, sizeof(vd));
        assert_true(spdm_finish_encode(req, sizeof(req), &fin, &f->q.sz, &n));
        assert_true(spdm_transcript_append(&s->th, req, SPDM_HEADER_SIZE));
        assert_true(spdm_transcript_hash(&s->th, f->q.hash, th));
        assert_true(spdm_ks_verify_data(&s->ks, true, th, vd));
        if (bad)
                vd[0] ^= 1;
        assert_true(spdm_finish_encode(req, sizeof(req), &fin, &f->q.sz, &n));
        assert_true(spdm_transcript_append(&s->th, req + SPDM_HEADER_SIZE, n - SPDM_HEADER_SIZE));
        if (s->in_clear) {
                send_plain(f, req, n);
                *len = f->rsp_len;
                return f->rsp;
        }
        if (!send_secured(f, req, n, true)) {
                *len = f->rsp_len;
                return f->rsp;
        }
        *len = f->app_len;
        return f->app;
}

static void finish(struct fx *f)
{
        struct session *s = &f->q.s;
        uint8_t th[HASH_MAX_LEN], vd[HASH_MAX_LEN], th2[HASH_MAX_LEN];
        size_t len, used, h = hash_len(f->q.hash);
        const uint8_t *rsp = finish_send(f, false, &len);
        struct spdm_finish_rsp fr;
        if (!spdm_finish_rsp_decode(rsp, len, &f->q.sz, &fr, &used, NULL))
                fail_msg("FINISH_RSP expected, got %s", spdm_code_name(rsp[1]));
        assert_int_equal(used, len);
        assert_int_equal(f->rsp_secured, !s->in_clear);
        if (s->in_clear) {
                assert_true(spdm_transcript_append(&s->th, rsp, SPDM_HEADER_SIZE));
                assert_true(spdm_transcript_hash(&s->th, f->q.hash, th));
                assert_true(spdm_ks_verify_data(&s->ks, false, th, vd));
                assert_memory_equal(fr.verify_data, vd, h);
                assert_true(spdm_transcript_append(&s->th, fr.verify_data, h));
        } else {
                assert_null(fr.verify_data);
                assert_true(spdm_transcript_append(&s->th, rsp, len));
        }
        assert_true(spdm_transcript_hash(&s->th, f->q.hash, th2));
        assert_true(spdm_ks_data(&s->ks, th2));
        assert_true(spdm_secured_dir_init(&s->req, f->q.aead, s->ks.req_data.key, s->ks.req_data.iv));
        assert_true(spdm_secured_dir_init(&s->rsp, f->q.aead, s->ks.rsp_data.key, s->ks.rsp_data.iv));
        uint32_t sid = 0;
        assert_true(spdm_responder_session(f->r, &sid));
        assert_int_equal(sid, s->id);
}

static void open_session(struct fx *f)
{
        vca(f);
        key_exchange(f, SPDM_SUMMARY_HASH_NONE);
        finish(f);
}

/* A 4-byte message in the session; the opened answer must be `want` (a 4-byte message). */
static void session_msg(struct fx *f, uint8_t code, uint8_t p1, uint8_t p2, uint8_t want)
{
        uint8_t m[4] = { SPDM_VERSION_12, code, p1, p2 };
        if (!send_secured(f, m, sizeof(m), false))
                fail_msg("a plain answer to a secured %s: %s", spdm_code_name(code),
                         f->rsp[1] == SPDM_ERROR ? spdm_error_name(f->rsp[2]) : spdm_code_name(f->rsp[1]));
        assert_int_equal(f->app_len, 4);
        if (f->app[1] != want)
                fail_msg("%s expected, got %s (%s)", spdm_code_name(want), spdm_code_name(f->app[1]),
                         f->app[1] == SPDM_ERROR ? spdm_error_name(f->app[2]) : "");
}

static void heartbeat_ok(struct fx *f)
{
        session_msg(f, SPDM_HEARTBEAT, 0, 0, SPDM_HEARTBEAT_ACK);
}

/* ================================ VCA ================================ */

static void version_lists_1_2_only(void **state)
{
        struct fx *f = *state;
        uint8_t req[4] = { SPDM_VERSION_10, SPDM_GET_VERSION, 0, 0 };
        struct spdm_sizes v10 = { .version = SPDM_VERSION_10 };
        struct spdm_version v;
        size_t used;
        send_plain(f, req, sizeof(req));
        assert_true(spdm_version_decode(f->rsp, f->rsp_len, &v10, &v, &used, NULL));
        assert_int_equal(f->rsp[0], SPDM_VERSION_10);
        assert_int_equal(v.entry_count, 1);
        assert_int_equal(v.entries[0], 0x1200); /* major 1, minor 2, update 0, alpha 0 */
        assert_int_equal(f->rsp_len, 8);
}

static void get_version_with_a_version_other_than_1_0_is_version_mismatch(void **state)
{
        struct fx *f = *state;
        uint8_t req[4] = { SPDM_VERSION_12, SPDM_GET_VERSION, 0, 0 };
        send_plain(f, req, sizeof(req));
        expect_error(f, SPDM_ERR_VERSION_MISMATCH, 0);
}

static const uint32_t our_caps = SPDM_CAP_CERT | SPDM_CAP_CHAL | SPDM_CAP_MEAS_SIG | SPDM_CAP_MEAS_FRESH |
                                 SPDM_CAP_ENCRYPT | SPDM_CAP_MAC | SPDM_CAP_KEY_EX | SPDM_CAP_HBEAT | SPDM_CAP_KEY_UPD;

static void capabilities_advertise_cert_chal_signed_meas_and_session_caps_with_handshake_in_the_clear(void **state)
{
        struct fx *f = *state;
        struct spdm_capabilities c;
        get_version(f);
        get_capabilities(f, &full_offer, &c);
        assert_int_equal(c.flags, our_caps | SPDM_CAP_HANDSHAKE_IN_THE_CLEAR);
        assert_int_equal(c.ct_exponent, 12);
        assert_int_equal(c.data_transfer_size, 4096);
        assert_true(c.max_spdm_msg_size >= c.data_transfer_size);
        assert_int_equal(f->rsp[0], SPDM_VERSION_12);
}

static void capabilities_omit_handshake_in_the_clear_when_configured_off(void **state)
{
        struct fx *f = *state;
        struct spdm_capabilities c;
        get_version(f);
        get_capabilities(f, &full_offer, &c);
        assert_int_equal(c.flags, our_caps);
}

static void algorithms_select_the_strongest_common_set_of_a_full_offer(void **state)
{
        struct fx *f = *state;
        uint16_t bits;
        vca(f);
        assert_int_equal(f->q.sel.base_asym, SPDM_ASYM_ECDSA_P384);
        assert_int_equal(f->q.sel.base_hash, SPDM_HASH_SHA_384);
        assert_int_equal(f->q.sel.meas_spec, SPDM_MEAS_SPEC_DMTF);
        assert_int_equal(f->q.sel.meas_hash, SPDM_MEAS_HASH_SHA_384);
        assert_int_equal(f->q.sel.other_params, SPDM_OPAQUE_FMT_1);
        assert_true(spdm_algorithms_find(&f->q.sel, SPDM_ALG_TYPE_DHE, &bits));
        assert_int_equal(bits, SPDM_DHE_SECP384R1);
        assert_true(spdm_algorithms_find(&f->q.sel, SPDM_ALG_TYPE_AEAD, &bits));
        assert_int_equal(bits, SPDM_AEAD_AES_256_GCM);
        assert_true(spdm_algorithms_find(&f->q.sel, SPDM_ALG_TYPE_KEY_SCHEDULE, &bits));
        assert_int_equal(bits, SPDM_KEY_SCHEDULE_SPDM);
        assert_true(spdm_algorithms_find(&f->q.sel, SPDM_ALG_TYPE_REQ_BASE_ASYM, &bits));
        assert_int_equal(bits, 0); /* no mutual authentication */
}

static void algorithms_select_sha256_secp256r1_aes128gcm_when_only_those_are_offered(void **state)
{
        struct fx *f = *state;
        struct offer o = full_offer;
        uint16_t bits;
        o.asym = SPDM_ASYM_ECDSA_P384; /* the leaf key's curve: P-384 signs with SHA-256 too */
        o.hash = SPDM_HASH_SHA_256;
        o.dhe = SPDM_DHE_SECP256R1;
        o.aead = SPDM_AEAD_AES_128_GCM;
        vca_with(f, &o);
        assert_int_equal(f->q.sel.base_hash, SPDM_HASH_SHA_256);
        assert_int_equal(f->q.sel.meas_hash, SPDM_MEAS_HASH_SHA_256);
        assert_true(spdm_algorithms_find(&f->q.sel, SPDM_ALG_TYPE_DHE, &bits));
        assert_int_equal(bits, SPDM_DHE_SECP256R1);
        assert_true(spdm_algorithms_find(&f->q.sel, SPDM_ALG_TYPE_AEAD, &bits));
        assert_int_equal(bits, SPDM_AEAD_AES_128_GCM);
        /* and a whole session works on them */
        key_exchange(f, SPDM_SUMMARY_HASH_ALL);
        finish(f);
        heartbeat_ok(f);
}

static void negotiate(struct fx *f, const struct offer *o)
{
        struct spdm_capabilities c;
        uint8_t req[128];
        get_version(f);
        get_capabilities(f, o, &c);
        send_plain(f, req, encode_negotiate(o, req, sizeof(req)));
}

static void negotiate_algorithms_without_a_common_hash_is_invalid_request(void **state)
{
        struct fx *f = *state;
        struct offer o = full_offer;
        o.hash = SPDM_HASH_SHA3_256;
        negotiate(f, &o);
        expect_error(f, SPDM_ERR_INVALID_REQUEST, 0);
        send_header(f, SPDM_GET_DIGESTS, 0, 0);
        expect_error(f, SPDM_ERR_UNEXPECTED_REQUEST, 0); /* nothing was negotiated */
}

static void negotiate_algorithms_without_a_common_signature_algorithm_is_invalid_request(void **state)
{
        struct fx *f = *state;
        struct offer o = full_offer;
        o.asym = SPDM_ASYM_ECDSA_P256 | SPDM_ASYM_RSAPSS_3072; /* the leaf is P-384 */
        negotiate(f, &o);
        expect_error(f, SPDM_ERR_INVALID_REQUEST, 0);
}

/* ---- the recorded DMTF requester ---- */

static json_t *load_objects(void)
{
        char path[1024];
        json_error_t err;
        snprintf(path, sizeof(path), "%s/spdm12-emu-session/doe_objects.json", SPDM_KAT_DIR);
        json_t *d = json_load_file(path, JSON_ALLOW_NUL, &err);
        if (!d)
                fail_msg("%s: %s (line %d)", path, err.text, err.line);
        json_t *o = json_incref(json_object_get(d, "objects"));
        json_decref(d);
        assert_non_null(o);
        return o;
}

/* Object i's exact SPDM message. */
static size_t emu_msg(json_t *objects, size_t i, uint8_t *out, size_t cap)
{
        json_t *o = json_array_get(objects, i);
        size_t n;
        assert_non_null(o);
        assert_int_equal(json_integer_value(json_object_get(o, "index")), i);
        const char *hex = json_string_value(json_object_get(o, "spdm"));
        assert_non_null(hex);
        assert_true(hex_decode(hex, out, cap, &n));
        return n;
}

/* VCA from the recorded requester's objects 6, 8, 10. */
static void emu_vca(struct fx *f, json_t *objs)
{
        uint8_t req[256];
        size_t n = emu_msg(objs, 6, req, sizeof(req));
        send_plain(f, req, n);
        assert_int_equal(f->rsp[1], SPDM_VERSION);
        assert_true(spdm_transcript_append(&f->q.a, req, n) && spdm_transcript_append(&f->q.a, f->rsp, f->rsp_len));
        n = emu_msg(objs, 8, req, sizeof(req));
        send_plain(f, req, n);
        assert_int_equal(f->rsp[1], SPDM_CAPABILITIES);
        assert_true(spdm_transcript_append(&f->q.a, req, n) && spdm_transcript_append(&f->q.a, f->rsp, f->rsp_len));
        n = emu_msg(objs, 10, req, sizeof(req));
        send_plain(f, req, n);
        take_algorithms(f, req, n, true); /* the emulator offers HANDSHAKE_IN_THE_CLEAR */
}

static void algorithms_select_p384_sha384_secp384r1_aes256gcm_for_the_dmtf_requesters_offer(void **state)
{
        struct fx *f = *state;
        json_t *objs = load_objects();
        uint16_t bits;
        emu_vca(f, objs);
        json_decref(objs);
        assert_int_equal(f->q.sel.base_asym, SPDM_ASYM_ECDSA_P384);
        assert_int_equal(f->q.sel.base_hash, SPDM_HASH_SHA_384);
        assert_int_equal(f->q.sel.meas_hash, SPDM_MEAS_HASH_SHA_384);
        assert_true(spdm_algorithms_find(&f->q.sel, SPDM_ALG_TYPE_DHE, &bits));
        assert_int_equal(bits, SPDM_DHE_SECP384R1);
        assert_true(spdm_algorithms_find(&f->q.sel, SPDM_ALG_TYPE_AEAD, &bits));
        assert_int_equal(bits, SPDM_AEAD_AES_256_GCM);
        assert_true(spdm_algorithms_find(&f->q.sel, SPDM_ALG_TYPE_KEY_SCHEDULE, &bits));
        assert_int_equal(bits, SPDM_KEY_SCHEDULE_SPDM);
        assert_int_equal(f->q.sel.other_params, SPDM_OPAQUE_FMT_1);
}

static void the_dmtf_requesters_digests_certificate_challenge_measurements_and_key_exchange_are_answered(void **state)
{
        struct fx *f = *state;
        json_t *objs = load_objects();
        uint8_t req[512], want[HASH_MAX_LEN], rec[512];
        size_t n, used;
        emu_vca(f, objs);

        n = emu_msg(objs, 12, req, sizeof(req)); /* GET_DIGESTS */
        send_plain(f, req, n);
        struct spdm_digests d;
        assert_true(spdm_digests_decode(f->rsp, f->rsp_len, &f->q.sz, &d, &used, NULL));
        assert_int_equal(d.slot_mask, 1);
        assert_true(hash_once(HASH_SHA384, f->chain, f->chain_len, want));
        assert_memory_equal(d.digests, want, 48);
        assert_true(spdm_transcript_append(&f->q.b, req, n) && spdm_transcript_append(&f->q.b, f->rsp, f->rsp_len));

        n = emu_msg(objs, 14, req, sizeof(req)); /* GET_CERTIFICATE slot 0, 0..0xFFFF */
        send_plain(f, req, n);
        struct spdm_certificate c;
        assert_true(spdm_certificate_decode(f->rsp, f->rsp_len, &f->q.sz, &c, &used, NULL));
        assert_int_equal(c.remainder_length, 0); /* its DataTransferSize is 4608 */
        assert_int_equal(c.portion_length, f->chain_len);
        assert_memory_equal(c.portion, f->chain, f->chain_len);
        assert_true(spdm_transcript_append(&f->q.b, req, n) && spdm_transcript_append(&f->q.b, f->rsp, f->rsp_len));

        n = emu_msg(objs, 18, req, sizeof(req)); /* CHALLENGE slot 0, summary 0xFF */
        send_plain(f, req, n);
        struct spdm_challenge_auth ca;
        assert_true(spdm_challenge_auth_decode(f->rsp, f->rsp_len, &f->q.sz, SPDM_SUMMARY_HASH_ALL, &ca, &used, NULL));
        assert_true(spdm_transcript_append(&f->q.c, req, n) && spdm_transcript_append(&f->q.c, f->rsp, ca.sig_off));
        struct spdm_transcript m1;
        spdm_transcript_init(&m1, TMAX);
        assert_true(spdm_transcript_append_t(&m1, &f->q.a) && spdm_transcript_append_t(&m1, &f->q.b) &&
                    spdm_transcript_append_t(&m1, &f->q.c));
        assert_true(sig_ok(f, &m1, SPDM_CTX_CHALLENGE_AUTH, ca.signature));
        spdm_transcript_free(&m1);
        assert_true(hash_once(HASH_SHA384, rec, record_of(rec, false), want));
        assert_memory_equal(ca.meas_summary_hash, want, 48);

        n = emu_msg(objs, 26, req, sizeof(req)); /* GET_MEASUREMENTS signed, all */
        send_plain(f, req, n);
        struct spdm_measurements m;
        assert_true(spdm_measurements_decode(f->rsp, f->rsp_len, &f->q.sz, true, &m, &used, NULL));
        assert_int_equal(m.num_blocks, 4);
        assert_int_equal(m.record_len, record_of(rec, false));
        assert_memory_equal(m.record, rec, m.record_len);
        struct spdm_transcript l1;
        spdm_transcript_init(&l1, TMAX);
        assert_true(spdm_transcript_append_t(&l1, &f->q.a) && spdm_transcript_append(&l1, req, n) &&
                    spdm_transcript_append(&l1, f->rsp, m.sig_off));
        assert_true(sig_ok(f, &l1, SPDM_CTX_MEASUREMENTS, m.signature));
        spdm_transcript_free(&l1);

        n = emu_msg(objs, 28, req, sizeof(req)); /* KEY_EXCHANGE slot 0, summary 0xFF, SM 1.0-1.2 */
        send_plain(f, req, n);
        struct spdm_key_exchange_rsp kr;
        assert_true(spdm_key_exchange_rsp_decode(f->rsp, f->rsp_len, &f->q.sz, SPDM_SUMMARY_HASH_ALL, &kr, &used, NULL));
        assert_null(kr.verify_data); /* both sides offered HANDSHAKE_IN_THE_CLEAR */
        struct spdm_opaque_sm sel;
        assert_true(spdm_opaque_sm_decode(kr.opaque, kr.opaque_len, SPDM_OPAQUE_FMT_1, &sel, NULL));
        assert_int_equal(sel.selected, SPDM_SM_VERSION_12);
        struct spdm_transcript th;
        spdm_transcript_init(&th, TMAX);
        assert_true(hash_once(HASH_SHA384, f->chain, f->chain_len, want));
        assert_true(spdm_transcript_append_t(&th, &f->q.a) && spdm_transcript_append(&th, want, 48) &&
                    spdm_transcript_append(&th, req, n) && spdm_transcript_append(&th, f->rsp, kr.sig_off));
        assert_true(sig_ok(f, &th, SPDM_CTX_KEY_EXCHANGE_RSP, kr.signature));
        spdm_transcript_free(&th);
        json_decref(objs);
}

/* ================================ ordering ================================ */

static void requests_before_get_version_are_unexpected(void **state)
{
        struct fx *f = *state;
        struct spdm_capabilities c = { .flags = SPDM_CAP_CERT, .data_transfer_size = 4096, .max_spdm_msg_size = 4096 };
        struct spdm_sizes v12 = { .version = SPDM_VERSION_12 };
        uint8_t req[32];
        size_t n;
        assert_true(spdm_get_capabilities_encode(req, sizeof(req), &c, &v12, &n));
        send_plain(f, req, n);
        expect_error(f, SPDM_ERR_UNEXPECTED_REQUEST, 0);
        send_header(f, SPDM_GET_DIGESTS, 0, 0);
        expect_error(f, SPDM_ERR_UNEXPECTED_REQUEST, 0);
        send_header(f, SPDM_HEARTBEAT, 0, 0);
        expect_error(f, SPDM_ERR_UNEXPECTED_REQUEST, 0);
}

static void get_capabilities_twice_is_unexpected(void **state)
{
        struct fx *f = *state;
        struct spdm_capabilities c;
        get_version(f);
        get_capabilities(f, &full_offer, &c);
        struct spdm_sizes v12 = { .version = SPDM_VERSION_12 };
        struct spdm_capabilities g = { .flags = full_offer.caps, .data_transfer_size = 4096, .max_spdm_msg_size = 4096 };
        uint8_t req[32];
        size_t n;
        assert_true(spdm_get_capabilities_encode(req, sizeof(req), &g, &v12, &n));
        send_plain(f, req, n);
        assert_error(f->rsp, f->rsp_len, SPDM_VERSION_12, SPDM_ERR_UNEXPECTED_REQUEST, 0);
}

static void negotiate_algorithms_before_capabilities_is_unexpected(void **state)
{
        struct fx *f = *state;
        uint8_t req[128];
        get_version(f);
        send_plain(f, req, encode_negotiate(&full_offer, req, sizeof(req)));
        assert_int_equal(f->rsp[1], SPDM_ERROR);
        assert_int_equal(f->rsp[2], SPDM_ERR_UNEXPECTED_REQUEST);
}

static void a_request_with_version_1_1_after_1_2_was_negotiated_is_version_mismatch(void **state)
{
        struct fx *f = *state;
        vca(f);
        uint8_t req[4] = { SPDM_VERSION_11, SPDM_GET_DIGESTS, 0, 0 };
        send_plain(f, req, sizeof(req));
        expect_error(f, SPDM_ERR_VERSION_MISMATCH, 0);
        struct spdm_digests d;
        get_digests(f, &d); /* the connection stays */
}

static void get_version_midway_resets_the_connection_until_vca_is_redone(void **state)
{
        struct fx *f = *state;
        struct spdm_digests d;
        vca(f);
        get_digests(f, &d);
        get_version(f);
        send_header(f, SPDM_GET_DIGESTS, 0, 0);
        assert_error(f->rsp, f->rsp_len, SPDM_VERSION_10, SPDM_ERR_UNEXPECTED_REQUEST, 0);
        vca(f);
        get_digests(f, &d);
        assert_int_equal(d.slot_mask, 1);
}

static void get_version_ends_an_established_session(void **state)
{
        struct fx *f = *state;
        uint32_t sid;
        open_session(f);
        get_version(f);
        assert_false(spdm_responder_session(f->r, &sid));
        uint8_t m[4] = { SPDM_VERSION_12, SPDM_HEARTBEAT, 0, 0 };
        assert_false(send_secured(f, m, sizeof(m), false));
        assert_int_equal(f->rsp[1], SPDM_ERROR);
        assert_int_equal(f->rsp[2], SPDM_ERR_INVALID_REQUEST);
}

/* ================================ digests, certificates ================================ */

static void digests_carry_the_hash_of_the_spdm_chain_of_slot_0(void **state)
{
        struct fx *f = *state;
        struct spdm_digests d;
        uint8_t want[HASH_MAX_LEN];
        vca(f);
        get_digests(f, &d);
        assert_int_equal(d.slot_mask, 1);
        assert_int_equal(d.digest_count, 1);
        assert_true(hash_once(HASH_SHA384, f->chain, f->chain_len, want));
        assert_memory_equal(d.digests, want, 48);
        assert_int_equal(f->rsp_len, 4 + 48);
}

static void get_certificate_in_256_byte_portions_reassembles_a_chain_that_verifies(void **state)
{
        struct fx *f = *state;
        uint8_t got[4096], root_hash[HASH_MAX_LEN];
        vca(f);
        size_t n = fetch_chain(f, 256, got, sizeof(got));
        assert_int_equal(n, f->chain_len);
        assert_memory_equal(got, f->chain, n);
        /* read back the fields */
        assert_int_equal(got[0] | got[1] << 8, n);
        assert_int_equal(got[2] | got[3] << 8, 0);
        assert_true(hash_once(HASH_SHA384, f->pki.root, f->pki.root_len, root_hash));
        assert_memory_equal(got + 4, root_hash, 48);
        assert_memory_equal(got + 52, f->pki.chain, f->pki.chain_len);
        struct x509_chain_result res;
        char why[X509_CHAIN_WHY_LEN] = "";
        if (!x509_chain_verify(got + 52, n - 52, f->pki.root, f->pki.root_len, jun_2027, &res, why))
                fail_msg("x509_chain_verify: %s", why);
        assert_int_equal(res.count, 3);
        x509_chain_result_clear(&res);
}

static void get_certificate_portions_are_capped_by_the_requesters_data_transfer_size(void **state)
{
        struct fx *f = *state;
        struct offer o = full_offer;
        struct spdm_certificate c;
        o.dts = 64;
        vca_with(f, &o);
        assert_true(get_cert(f, 0, 0, 0xFFFF, &c));
        assert_true(f->rsp_len <= 64);
        assert_int_equal(c.portion_length + c.remainder_length, f->chain_len);
}

static void get_certificate_offset_past_the_end_is_invalid_request(void **state)
{
        struct fx *f = *state;
        struct spdm_certificate c;
        vca(f);
        assert_false(get_cert(f, 0, (uint16_t)f->chain_len, 16, &c));
        expect_error(f, SPDM_ERR_INVALID_REQUEST, 0);
        assert_false(get_cert(f, 0, 0xFFF0, 16, &c));
        expect_error(f, SPDM_ERR_INVALID_REQUEST, 0);
        assert_true(get_cert(f, 0, (uint16_t)(f->chain_len - 1), 16, &c)); /* the last byte is still there */
        assert_int_equal(c.portion_length, 1);
        assert_int_equal(c.remainder_length, 0);
}

static void get_certificate_for_slot_1_is_invalid_request(void **state)
{
        struct fx *f = *state;
        struct spdm_certificate c;
        vca(f);
        assert_false(get_cert(f, 1, 0, 256, &c));
        expect_error(f, SPDM_ERR_INVALID_REQUEST, 0);
}

/* ================================ CHALLENGE ================================ */

/* CHALLENGE of summary type; returns the decoded CHALLENGE_AUTH and, in m1, A || B || C. */
static void challenge(struct fx *f, uint8_t summary, struct spdm_challenge_auth *ca, struct spdm_transcript *m1)
{
        static const uint8_t nonce[SPDM_NONCE_SIZE] = { 1, 2, 3, 4, 5, 6, 7, 8 };
        uint8_t req[64];
        size_t n, used;
        struct spdm_challenge c = { .slot_id = 0, .summary_type = summary, .nonce = nonce };
        assert_true(spdm_challenge_encode(req, sizeof(req), &c, &f->q.sz, &n));
        send_plain(f, req, n);
        char why[SPDM_WHY_LEN] = "";
        if (!spdm_challenge_auth_decode(f->rsp, f->rsp_len, &f->q.sz, summary, ca, &used, why))
                fail_msg("CHALLENGE_AUTH does not decode (%s): %s", why, spdm_code_name(f->rsp[1]));
        assert_int_equal(used, f->rsp_len);
        spdm_transcript_reset(&f->q.c);
        assert_true(spdm_transcript_append(&f->q.c, req, n) && spdm_transcript_append(&f->q.c, f->rsp, ca->sig_off));
        assert_true(spdm_transcript_append_t(m1, &f->q.a) && spdm_transcript_append_t(m1, &f->q.b) &&
                    spdm_transcript_append_t(m1, &f->q.c));
        spdm_transcript_reset(&f->q.b); /* CHALLENGE_AUTH ends message_b */
        spdm_transcript_reset(&f->q.c);
}

static void challenge_auth_signature_verifies_over_a_b_c_for_summary_types_0_1_and_ff(void **state)
{
        struct fx *f = *state;
        static const uint8_t types[] = { SPDM_SUMMARY_HASH_NONE, SPDM_SUMMARY_HASH_TCB, SPDM_SUMMARY_HASH_ALL };
        uint8_t got[4096], want[HASH_MAX_LEN], rec[512];
        struct spdm_digests d;
        vca(f);
        get_digests(f, &d);
        size_t n = fetch_chain(f, 1024, got, sizeof(got));
        struct x509_chain_result res;
        assert_true(x509_chain_verify(got + 52, n - 52, f->pki.root, f->pki.root_len, jun_2027, &res, NULL));
        for (size_t i = 0; i < sizeof(types); i++) {
                struct spdm_challenge_auth ca;
                struct spdm_transcript m1;
                spdm_transcript_init(&m1, TMAX);
                challenge(f, types[i], &ca, &m1);
                /* the leaf key as the verified chain carries it */
                if (!sig_ok_key(f, res.leaf_key, m1.buf, m1.len, SPDM_CTX_CHALLENGE_AUTH, ca.signature))
                        fail_msg("CHALLENGE_AUTH (summary type 0x%02x) does not verify over A || B || C", types[i]);
                assert_int_equal(ca.slot_id, 0);
                assert_int_equal(ca.slot_mask, 1);
                assert_true(hash_once(HASH_SHA384, f->chain, f->chain_len, want));
                assert_memory_equal(ca.cert_chain_hash, want, 48);
                if (types[i] == SPDM_SUMMARY_HASH_NONE) {
                        assert_null(ca.meas_summary_hash);
                } else {
                        size_t rl = record_of(rec, types[i] == SPDM_SUMMARY_HASH_TCB);
                        assert_true(hash_once(HASH_SHA384, rec, rl, want));
                        assert_memory_equal(ca.meas_summary_hash, want, 48);
                }
                spdm_transcript_free(&m1);
        }
        x509_chain_result_clear(&res);
}

static void challenge_auth_signature_fails_when_any_transcript_byte_is_flipped(void **state)
{
        struct fx *f = *state;
        uint8_t got[4096];
        struct spdm_digests d;
        struct spdm_challenge_auth ca;
        struct spdm_transcript m1;
        vca(f);
        get_digests(f, &d);
        (void)fetch_chain(f, 512, got, sizeof(got));
        spdm_transcript_init(&m1, TMAX);
        challenge(f, SPDM_SUMMARY_HASH_ALL, &ca, &m1);
        assert_true(sig_ok(f, &m1, SPDM_CTX_CHALLENGE_AUTH, ca.signature));
        for (size_t i = 0; i < m1.len; i++) {
                m1.buf[i] ^= 0x01;
                if (sig_ok(f, &m1, SPDM_CTX_CHALLENGE_AUTH, ca.signature))
                        fail_msg("the signature still verifies with transcript byte %zu of %zu flipped", i, m1.len);
                m1.buf[i] ^= 0x01;
        }
        /* and a transcript one byte shorter or longer */
        assert_false(sig_ok_key(f, f->pki.leaf_key, m1.buf, m1.len - 1, SPDM_CTX_CHALLENGE_AUTH, ca.signature));
        assert_true(spdm_transcript_append(&m1, "", 1));
        assert_false(sig_ok(f, &m1, SPDM_CTX_CHALLENGE_AUTH, ca.signature));
        spdm_transcript_free(&m1);
}

static void challenge_for_slot_1_is_invalid_request(void **state)
{
        struct fx *f = *state;
        static const uint8_t nonce[SPDM_NONCE_SIZE] = { 0 };
        uint8_t req[64];
        size_t n;
        vca(f);
        struct spdm_challenge c = { .slot_id = 1, .nonce = nonce };
        assert_true(spdm_challenge_encode(req, sizeof(req), &c, &f->q.sz, &n));
        send_plain(f, req, n);
        expect_error(f, SPDM_ERR_INVALID_REQUEST, 0);
}

/* ================================ GET_MEASUREMENTS ================================ */

static const uint8_t mnonce[SPDM_NONCE_SIZE] = { 0x4E, 0x4F };

static void measurements_count_reports_the_number_of_indices(void **state)
{
        struct fx *f = *state;
        struct spdm_measurements m;
        vca(f);
        assert_true(get_meas(f, false, SPDM_MEAS_OP_COUNT, false, NULL, &m, &f->q.m));
        assert_int_equal(m.num_indices, 4);
        assert_int_equal(m.num_blocks, 0);
        assert_int_equal(m.record_len, 0);
}

static void measurements_of_each_index_carry_the_sha384_of_its_source_or_the_raw_value(void **state)
{
        struct fx *f = *state;
        static const uint8_t idx[] = { 1, 2, 3, 0xFE };
        uint8_t want[256];
        struct spdm_measurements m;
        vca(f);
        for (size_t i = 0; i < sizeof(idx); i++) {
                assert_true(get_meas(f, false, idx[i], false, NULL, &m, &f->q.m));
                size_t n = block_of(want, idx[i]);
                assert_int_equal(m.num_blocks, 1);
                assert_int_equal(m.record_len, n);
                assert_memory_equal(m.record, want, n);
                assert_null(m.signature);
        }
        /* the raw block really is the 16 bytes */
        assert_memory_equal(m.record + 7, mode, sizeof(mode));
        assert_int_equal(m.record[4], 0x85);
}

static void measurements_all_return_every_block_in_index_order(void **state)
{
        struct fx *f = *state;
        uint8_t want[512];
        struct spdm_measurements m;
        vca(f);
        assert_true(get_meas(f, false, SPDM_MEAS_OP_ALL, false, NULL, &m, &f->q.m));
        size_t n = record_of(want, false);
        assert_int_equal(m.num_blocks, 4);
        assert_int_equal(m.record_len, n);
        assert_memory_equal(m.record, want, n);
}

static void measurements_signature_covers_a_and_every_exchange_since_the_last_signed_one(void **state)
{
        struct fx *f = *state;
        struct spdm_measurements m;
        uint8_t nonce1[SPDM_NONCE_SIZE];
        vca(f);
        spdm_transcript_reset(&f->q.m);
        assert_true(spdm_transcript_append_t(&f->q.m, &f->q.a));
        assert_true(get_meas(f, false, 1, false, NULL, &m, &f->q.m));
        assert_true(get_meas(f, false, 0xFE, false, NULL, &m, &f->q.m));
        assert_true(get_meas(f, false, SPDM_MEAS_OP_ALL, true, mnonce, &m, &f->q.m));
        assert_non_null(m.signature);
        assert_int_equal(m.sig_off + f->q.sz.sig_len, f->rsp_len);
        if (!sig_ok(f, &f->q.m, SPDM_CTX_MEASUREMENTS, m.signature))
                fail_msg("MEASUREMENTS signature does not verify over A || three exchanges");
        memcpy(nonce1, m.nonce, sizeof(nonce1));
        /* the next signed one covers A and itself only */
        spdm_transcript_reset(&f->q.m);
        assert_true(spdm_transcript_append_t(&f->q.m, &f->q.a));
        assert_true(get_meas(f, false, 2, true, mnonce, &m, &f->q.m));
        assert_true(sig_ok(f, &f->q.m, SPDM_CTX_MEASUREMENTS, m.signature));
        assert_memory_not_equal(m.nonce, nonce1, SPDM_NONCE_SIZE);
}

static void measurements_message_m_is_reset_by_any_other_request(void **state)
{
        struct fx *f = *state;
        struct spdm_measurements m;
        struct spdm_digests d;
        vca(f);
        assert_true(get_meas(f, false, 1, false, NULL, &m, &f->q.m));
        get_digests(f, &d);
        spdm_transcript_reset(&f->q.m);
        assert_true(spdm_transcript_append_t(&f->q.m, &f->q.a));
        assert_true(get_meas(f, false, 3, true, mnonce, &m, &f->q.m));
        assert_true(sig_ok(f, &f->q.m, SPDM_CTX_MEASUREMENTS, m.signature));
}

static void measurements_of_a_nonexistent_index_are_invalid_request(void **state)
{
        struct fx *f = *state;
        struct spdm_measurements m;
        vca(f);
        assert_false(get_meas(f, false, 9, false, NULL, &m, &f->q.m));
        expect_error(f, SPDM_ERR_INVALID_REQUEST, 0);
        assert_false(get_meas(f, false, 0xFD, true, mnonce, &m, &f->q.m));
        expect_error(f, SPDM_ERR_INVALID_REQUEST, 0);
}

static void measurements_signed_for_slot_1_are_invalid_request(void **state)
{
        struct fx *f = *state;
        uint8_t req[64];
        size_t n;
        vca(f);
        struct spdm_get_measurements g = { .attributes = SPDM_MEAS_ATTR_SIG_REQUESTED, .operation = 1,
                                           .nonce = mnonce, .slot_id = 1 };
        assert_true(spdm_get_measurements_encode(req, sizeof(req), &g, &f->q.sz, &n));
        send_plain(f, req, n);
        expect_error(f, SPDM_ERR_INVALID_REQUEST, 0);
}

/* ================================ sessions ================================ */

static void key_exchange_and_finish_in_the_clear_establish_a_session(void **state)
{
        struct fx *f = *state;
        vca(f);
        assert_true(f->q.sz.handshake_in_the_clear);
        key_exchange(f, SPDM_SUMMARY_HASH_ALL);
        uint32_t sid;
        assert_false(spdm_responder_session(f->r, &sid)); /* not before FINISH */
        finish(f);
        heartbeat_ok(f);
        assert_int_equal(spdm_responder_stats(f->r)->sessions_opened, 1);
}

static void key_exchange_with_tcb_summary_carries_the_hash_of_the_tcb_blocks(void **state)
{
        struct fx *f = *state;
        vca(f);
        key_exchange(f, SPDM_SUMMARY_HASH_TCB);
        finish(f);
}

static void key_exchange_and_secured_finish_when_the_responder_does_not_offer_the_clear(void **state)
{
        struct fx *f = *state;
        vca(f);
        assert_false(f->q.sz.handshake_in_the_clear);
        key_exchange(f, SPDM_SUMMARY_HASH_NONE); /* checks ResponderVerifyData */
        finish(f);                               /* FINISH and FINISH_RSP under the handshake keys */
        heartbeat_ok(f);
}

static void key_exchange_and_secured_finish_when_the_requester_does_not_offer_the_clear(void **state)
{
        struct fx *f = *state;
        struct offer o = full_offer;
        o.caps &= ~SPDM_CAP_HANDSHAKE_IN_THE_CLEAR;
        vca_with(f, &o);
        assert_false(f->q.sz.handshake_in_the_clear);
        key_exchange(f, SPDM_SUMMARY_HASH_ALL);
        finish(f);
        heartbeat_ok(f);
}

static void finish_in_the_clear_with_a_wrong_verify_data_is_decrypt_error_and_ends_the_session(void **state)
{
        struct fx *f = *state;
        size_t len;
        uint32_t sid;
        vca(f);
        key_exchange(f, SPDM_SUMMARY_HASH_NONE);
        const uint8_t *rsp = finish_send(f, true, &len);
        assert_error(rsp, len, SPDM_VERSION_12, SPDM_ERR_DECRYPT_ERROR, 0);
        assert_false(spdm_responder_session(f->r, &sid));
        /* the handshake is gone: a right FINISH now is unexpected */
        spdm_transcript_reset(&f->q.s.th);
        uint8_t fin[4 + 48] = { SPDM_VERSION_12, SPDM_FINISH, 0, 0 };
        send_plain(f, fin, sizeof(fin));
        expect_error(f, SPDM_ERR_UNEXPECTED_REQUEST, 0);
        /* and a new KEY_EXCHANGE is possible */
        key_exchange(f, SPDM_SUMMARY_HASH_NONE);
        finish(f);
}

static void secured_finish_with_a_wrong_verify_data_is_decrypt_error_and_ends_the_session(void **state)
{
        struct fx *f = *state;
        size_t len;
        uint32_t sid;
        vca(f);
        key_exchange(f, SPDM_SUMMARY_HASH_NONE);
        const uint8_t *rsp = finish_send(f, true, &len);
        assert_false(f->rsp_secured); /* the session is gone: no key to answer with */
        assert_error(rsp, len, SPDM_VERSION_12, SPDM_ERR_DECRYPT_ERROR, 0);
        assert_false(spdm_responder_session(f->r, &sid));
        uint8_t hb[4] = { SPDM_VERSION_12, SPDM_HEARTBEAT, 0, 0 };
        assert_false(send_secured(f, hb, sizeof(hb), true));
        assert_int_equal(f->rsp[1], SPDM_ERROR);
}

static void a_second_key_exchange_during_a_session_exceeds_the_session_limit(void **state)
{
        struct fx *f = *state;
        uint8_t exchange[2 * EC_COORD_MAX], req[512];
        struct ec_key *k = NULL;
        open_session(f);
        make_dhe(f, &k, exchange);
        ec_key_free(k);
        send_plain(f, req, encode_ke(f, 0, exchange, req, sizeof(req)));
        expect_error(f, SPDM_ERR_SESSION_LIMIT_EXCEEDED, 0);
        heartbeat_ok(f);
}

static void measurements_in_a_session_are_signed_over_a_and_the_sessions_message_m(void **state)
{
        struct fx *f = *state;
        struct spdm_measurements m;
        struct spdm_transcript mt;
        uint8_t want[512];
        open_session(f);
        spdm_transcript_init(&mt, TMAX);
        assert_true(spdm_transcript_append_t(&mt, &f->q.a));
        /* plain messages do not enter the session's message_m */
        assert_true(get_meas(f, false, 1, false, NULL, &m, &f->q.m));
        assert_true(get_meas(f, true, 2, false, NULL, &m, &mt));
        assert_true(get_meas(f, true, SPDM_MEAS_OP_ALL, true, mnonce, &m, &mt));
        assert_memory_equal(m.record, want, record_of(want, false));
        if (!sig_ok(f, &mt, SPDM_CTX_MEASUREMENTS, m.signature))
                fail_msg("in-session MEASUREMENTS does not verify over A || the session's message_m");
        spdm_transcript_free(&mt);
}

static void measurements_in_a_session_message_m_is_reset_by_another_secured_request(void **state)
{
        struct fx *f = *state;
        struct spdm_measurements m;
        struct spdm_transcript mt;
        open_session(f);
        spdm_transcript_init(&mt, TMAX);
        assert_true(get_meas(f, true, 2, false, NULL, &m, &mt));
        heartbeat_ok(f);
        spdm_transcript_reset(&mt);
        assert_true(spdm_transcript_append_t(&mt, &f->q.a));
        assert_true(get_meas(f, true, 1, true, mnonce, &m, &mt));
        if (!sig_ok(f, &mt, SPDM_CTX_MEASUREMENTS, m.signature))
                fail_msg("a HEARTBEAT did not reset the session's message_m");
        spdm_transcript_free(&mt);
}

static void rekey(struct spdm_key_schedule *ks, struct spdm_traffic_keys *k, struct spdm_secured_dir *d, enum aead_alg a)
{
        spdm_secured_dir_clear(d);
        assert_true(spdm_ks_update(ks, k));
        assert_true(spdm_secured_dir_init(d, a, k->key, k->iv));
}

static void key_update_update_key_then_verify_new_key_changes_only_the_request_key(void **state)
{
        struct fx *f = *state;
        struct session *s = &f->q.s;
        open_session(f);
        heartbeat_ok(f);
        session_msg(f, SPDM_KEY_UPDATE, SPDM_KEY_UPDATE_OP_UPDATE_KEY, 0x5A, SPDM_KEY_UPDATE_ACK);
        assert_int_equal(f->app[2], SPDM_KEY_UPDATE_OP_UPDATE_KEY);
        assert_int_equal(f->app[3], 0x5A);
        rekey(&s->ks, &s->ks.req_data, &s->req, f->q.aead); /* the ACK came under the old response key */
        session_msg(f, SPDM_KEY_UPDATE, SPDM_KEY_UPDATE_OP_VERIFY_NEW_KEY, 0x5B, SPDM_KEY_UPDATE_ACK);
        assert_int_equal(f->app[2], SPDM_KEY_UPDATE_OP_VERIFY_NEW_KEY);
        assert_int_equal(f->app[3], 0x5B);
        heartbeat_ok(f); /* the response key never changed */
}

static void key_update_all_keys_changes_both_keys_after_the_ack(void **state)
{
        struct fx *f = *state;
        struct session *s = &f->q.s;
        open_session(f);
        session_msg(f, SPDM_KEY_UPDATE, SPDM_KEY_UPDATE_OP_UPDATE_ALL_KEYS, 7, SPDM_KEY_UPDATE_ACK);
        rekey(&s->ks, &s->ks.req_data, &s->req, f->q.aead);
        rekey(&s->ks, &s->ks.rsp_data, &s->rsp, f->q.aead);
        session_msg(f, SPDM_KEY_UPDATE, SPDM_KEY_UPDATE_OP_VERIFY_NEW_KEY, 8, SPDM_KEY_UPDATE_ACK);
        heartbeat_ok(f);
}

static void a_record_under_the_old_request_key_after_key_update_is_decrypt_error(void **state)
{
        struct fx *f = *state;
        struct session *s = &f->q.s;
        uint8_t hb[4] = { SPDM_VERSION_12, SPDM_HEARTBEAT, 0, 0 }, rec[64];
        uint32_t sid;
        open_session(f);
        session_msg(f, SPDM_KEY_UPDATE, SPDM_KEY_UPDATE_OP_UPDATE_KEY, 1, SPDM_KEY_UPDATE_ACK);
        size_t n = seal(f, hb, sizeof(hb), false, rec, sizeof(rec)); /* still the old key */
        assert_false(send_secured_raw(f, rec, n, false));
        expect_error(f, SPDM_ERR_DECRYPT_ERROR, 0);
        assert_false(spdm_responder_session(f->r, &sid));
        (void)s;
}

static void end_session_is_acknowledged_and_the_session_is_then_unknown(void **state)
{
        struct fx *f = *state;
        uint32_t sid;
        open_session(f);
        session_msg(f, SPDM_END_SESSION, 0, 0, SPDM_END_SESSION_ACK);
        assert_false(spdm_responder_session(f->r, &sid));
        uint8_t hb[4] = { SPDM_VERSION_12, SPDM_HEARTBEAT, 0, 0 };
        assert_false(send_secured(f, hb, sizeof(hb), false));
        expect_error(f, SPDM_ERR_INVALID_REQUEST, 0);
        assert_int_equal(spdm_responder_stats(f->r)->sessions_ended, 1);
        /* a new one can be opened */
        key_exchange(f, SPDM_SUMMARY_HASH_NONE);
        finish(f);
        heartbeat_ok(f);
}

static void heartbeat_before_finish_is_unexpected_in_the_handshake(void **state)
{
        struct fx *f = *state;
        uint8_t hb[4] = { SPDM_VERSION_12, SPDM_HEARTBEAT, 0, 0 };
        vca(f);
        key_exchange(f, SPDM_SUMMARY_HASH_NONE);
        assert_true(send_secured(f, hb, sizeof(hb), true));
        assert_error(f->app, f->app_len, SPDM_VERSION_12, SPDM_ERR_UNEXPECTED_REQUEST, 0);
        finish(f);
}

/* ================================ secured records ================================ */

static void a_secured_record_with_a_flipped_byte_is_decrypt_error_and_the_session_ends_for_good(void **state)
{
        struct fx *f = *state;
        uint8_t hb[4] = { SPDM_VERSION_12, SPDM_HEARTBEAT, 0, 0 }, rec[64];
        uint32_t sid;
        open_session(f);
        size_t n = seal(f, hb, sizeof(hb), false, rec, sizeof(rec));
        rec[8] ^= 0x80; /* in the ciphertext */
        assert_false(send_secured_raw(f, rec, n, false));
        expect_error(f, SPDM_ERR_DECRYPT_ERROR, 0);
        assert_false(spdm_responder_session(f->r, &sid));
        assert_int_equal(spdm_responder_stats(f->r)->decrypt_failures, 1);
        /* sticky: a proper record (under the next number and the one that failed) is refused */
        assert_false(send_secured(f, hb, sizeof(hb), false));
        expect_error(f, SPDM_ERR_INVALID_REQUEST, 0);
        rec[8] ^= 0x80;
        assert_false(send_secured_raw(f, rec, n, false));
        expect_error(f, SPDM_ERR_INVALID_REQUEST, 0);
}

static void a_replayed_secured_record_is_decrypt_error_and_the_session_ends(void **state)
{
        struct fx *f = *state;
        uint8_t hb[4] = { SPDM_VERSION_12, SPDM_HEARTBEAT, 0, 0 }, rec[64];
        uint32_t sid;
        open_session(f);
        size_t n = seal(f, hb, sizeof(hb), false, rec, sizeof(rec));
        assert_true(send_secured_raw(f, rec, n, false));
        assert_int_equal(f->app[1], SPDM_HEARTBEAT_ACK);
        assert_false(send_secured_raw(f, rec, n, false));
        expect_error(f, SPDM_ERR_DECRYPT_ERROR, 0);
        assert_false(spdm_responder_session(f->r, &sid));
        assert_false(send_secured(f, hb, sizeof(hb), false));
        expect_error(f, SPDM_ERR_INVALID_REQUEST, 0);
}

static void a_secured_record_with_a_tampered_header_is_decrypt_error(void **state)
{
        struct fx *f = *state;
        uint8_t hb[4] = { SPDM_VERSION_12, SPDM_HEARTBEAT, 0, 0 }, rec[64];
        open_session(f);
        size_t n = seal(f, hb, sizeof(hb), false, rec, sizeof(rec));
        rec[n - 1] ^= 1; /* the MAC */
        assert_false(send_secured_raw(f, rec, n, false));
        expect_error(f, SPDM_ERR_DECRYPT_ERROR, 0);
}

/* A record for a session ID the responder never gave out cannot be tied to the session:
 * it is refused in the clear with InvalidRequest and the session goes on. */
static void a_secured_record_for_another_session_id_is_invalid_request_in_the_clear(void **state)
{
        struct fx *f = *state;
        struct session *s = &f->q.s;
        uint8_t hb[4] = { SPDM_VERSION_12, SPDM_HEARTBEAT, 0, 0 }, rec[64];
        uint32_t sid;
        open_session(f);
        uint32_t real = s->id;
        s->id ^= 0x00010000u;
        size_t n = seal(f, hb, sizeof(hb), false, rec, sizeof(rec));
        s->id = real;
        assert_false(send_secured_raw(f, rec, n, false));
        expect_error(f, SPDM_ERR_INVALID_REQUEST, 0);
        assert_true(spdm_responder_session(f->r, &sid));
        /* the responder opened nothing: its next number is still the one the foreign record
         * took on our side */
        s->req.seq--;
        heartbeat_ok(f);
}

static void secured_records_before_any_session_are_invalid_request(void **state)
{
        struct fx *f = *state;
        uint8_t junk[32] = { 0xFF, 0xFF, 0xFF, 0xFF, 20, 0 };
        vca(f);
        assert_true(spdm_responder_handle(f->r, true, junk, sizeof(junk), f->rsp, sizeof(f->rsp), &f->rsp_len,
                                          &f->rsp_secured));
        expect_error(f, SPDM_ERR_INVALID_REQUEST, 0);
        assert_true(spdm_responder_handle(f->r, true, junk, 3, f->rsp, sizeof(f->rsp), &f->rsp_len, &f->rsp_secured));
        expect_error(f, SPDM_ERR_INVALID_REQUEST, 0);
}

/* ================================ unsupported and malformed ================================ */

static void unsupported_requests_are_unsupported_request_with_their_code(void **state)
{
        struct fx *f = *state;
        static const uint8_t codes[] = {
                SPDM_CHUNK_SEND, SPDM_CHUNK_GET, SPDM_GET_ENDPOINT_INFO, SPDM_GET_SUPPORTED_EVENT_TYPES,
                SPDM_PSK_EXCHANGE, SPDM_PSK_FINISH, SPDM_GET_ENCAPSULATED_REQUEST, SPDM_DELIVER_ENCAPSULATED_RESPONSE,
                SPDM_GET_CSR, SPDM_SET_CERTIFICATE, SPDM_GET_MEASUREMENT_EXTENSION_LOG, SPDM_SUBSCRIBE_EVENT_TYPES,
                SPDM_SEND_EVENT, SPDM_GET_KEY_PAIR_INFO, SPDM_SET_KEY_PAIR_INFO, 0x90, 0xC0,
        };
        struct spdm_digests d;
        vca(f);
        for (size_t i = 0; i < sizeof(codes); i++) {
                uint8_t m[8] = { SPDM_VERSION_12, codes[i], 0, 0, 0, 0, 0, 0 };
                send_plain(f, m, sizeof(m) - 4);
                expect_error(f, SPDM_ERR_UNSUPPORTED_REQUEST, codes[i]);
        }
        get_digests(f, &d); /* the connection goes on */
}

static void respond_if_ready_is_unexpected(void **state)
{
        struct fx *f = *state;
        vca(f);
        send_header(f, SPDM_RESPOND_IF_READY, SPDM_GET_MEASUREMENTS, 1);
        expect_error(f, SPDM_ERR_UNEXPECTED_REQUEST, 0);
}

static size_t encode_vdm(struct fx *f, uint8_t *req, size_t cap)
{
        static const uint8_t vid[2] = { 0x01, 0x00 }, payload[5] = { SPDM_PCI_PROTOCOL_TDISP, 0x10, 0x81, 0, 0 };
        struct spdm_vendor_defined v = { .standard_id = SPDM_STANDARD_ID_PCISIG, .vendor_id_len = 2, .vendor_id = vid,
                                         .payload_len = sizeof(payload), .payload = payload };
        size_t n;
        assert_true(spdm_vendor_defined_request_encode(req, cap, &v, &f->q.sz, &n));
        return n;
}

static void vendor_defined_without_a_handler_is_unsupported_request(void **state)
{
        struct fx *f = *state;
        uint8_t req[64];
        vca(f);
        send_plain(f, req, encode_vdm(f, req, sizeof(req)));
        expect_error(f, SPDM_ERR_UNSUPPORTED_REQUEST, SPDM_VENDOR_DEFINED_REQUEST);
}

struct vdm_seen {
        unsigned calls;
        bool secured;
        uint32_t session_id;
        bool refuse;
};

static bool echo_vdm(void *ctx, bool secured, uint32_t session_id, const struct spdm_vendor_defined *req,
                     uint8_t *payload, size_t cap, size_t *payload_len)
{
        struct vdm_seen *s = ctx;
        s->calls++;
        s->secured = secured;
        s->session_id = session_id;
        if (s->refuse || (size_t)req->payload_len + 1 > cap)
                return false;
        payload[0] = 0xEC;
        memcpy(payload + 1, req->payload, req->payload_len);
        *payload_len = req->payload_len + 1u;
        return true;
}

static void check_vdm_echo(const uint8_t *rsp, size_t len, const struct spdm_sizes *sz, const uint8_t *req)
{
        struct spdm_vendor_defined v;
        size_t used;
        assert_true(spdm_vendor_defined_response_decode(rsp, len, sz, &v, &used, NULL));
        assert_int_equal(v.standard_id, SPDM_STANDARD_ID_PCISIG);
        assert_int_equal(v.vendor_id_len, 2);
        assert_memory_equal(v.vendor_id, "\x01\x00", 2);
        assert_int_equal(v.payload_len, 6);
        assert_int_equal(v.payload[0], 0xEC);
        assert_memory_equal(v.payload + 1, req + 11, 5);
}

static void vendor_defined_with_a_handler_echoes_standard_and_vendor_id_around_its_payload(void **state)
{
        struct fx *f = *state;
        struct vdm_seen seen = { 0 };
        uint8_t req[64];
        uint32_t sid;
        spdm_responder_free(f->r);
        f->cfg.vdm = echo_vdm;
        f->cfg.vdm_ctx = &seen;
        start(f);
        vca(f);
        size_t n = encode_vdm(f, req, sizeof(req));
        send_plain(f, req, n);
        check_vdm_echo(f->rsp, f->rsp_len, &f->q.sz, req);
        assert_false(seen.secured);
        key_exchange(f, 0);
        finish(f);
        assert_true(send_secured(f, req, n, false));
        check_vdm_echo(f->app, f->app_len, &f->q.sz, req);
        assert_true(seen.secured);
        assert_true(spdm_responder_session(f->r, &sid));
        assert_int_equal(seen.session_id, sid);
        seen.refuse = true;
        assert_true(send_secured(f, req, n, false));
        assert_error(f->app, f->app_len, SPDM_VERSION_12, SPDM_ERR_UNSUPPORTED_REQUEST, SPDM_VENDOR_DEFINED_REQUEST);
        assert_int_equal(seen.calls, 3);
}

static void session_messages_outside_a_session_require_a_session(void **state)
{
        struct fx *f = *state;
        vca(f);
        send_header(f, SPDM_HEARTBEAT, 0, 0);
        expect_error(f, SPDM_ERR_SESSION_REQUIRED, 0);
        send_header(f, SPDM_KEY_UPDATE, SPDM_KEY_UPDATE_OP_UPDATE_KEY, 0);
        expect_error(f, SPDM_ERR_SESSION_REQUIRED, 0);
        send_header(f, SPDM_END_SESSION, 0, 0);
        expect_error(f, SPDM_ERR_SESSION_REQUIRED, 0);
        open_session(f); /* in the clear while a session is up: still required */
        send_header(f, SPDM_HEARTBEAT, 0, 0);
        expect_error(f, SPDM_ERR_SESSION_REQUIRED, 0);
        heartbeat_ok(f);
}

static void a_message_shorter_than_the_header_is_invalid_request(void **state)
{
        struct fx *f = *state;
        uint8_t m[3] = { SPDM_VERSION_10, SPDM_GET_VERSION, 0 };
        send_plain(f, m, sizeof(m));
        expect_error(f, SPDM_ERR_INVALID_REQUEST, 0);
        send_plain(f, m, 0);
        expect_error(f, SPDM_ERR_INVALID_REQUEST, 0);
        vca(f);
        uint8_t d[3] = { SPDM_VERSION_12, SPDM_GET_DIGESTS, 0 };
        send_plain(f, d, sizeof(d));
        expect_error(f, SPDM_ERR_INVALID_REQUEST, 0);
}

static void doe_padding_of_one_to_three_zero_bytes_is_accepted_and_anything_else_is_invalid(void **state)
{
        struct fx *f = *state;
        uint8_t gv[8] = { SPDM_VERSION_10, SPDM_GET_VERSION, 0, 0, 0, 0, 0, 0 };
        for (size_t pad = 1; pad <= 3; pad++) {
                send_plain(f, gv, 4 + pad);
                assert_int_equal(f->rsp[1], SPDM_VERSION);
        }
        send_plain(f, gv, 8);
        expect_error(f, SPDM_ERR_INVALID_REQUEST, 0);
        vca(f);
        uint8_t gd[8] = { SPDM_VERSION_12, SPDM_GET_DIGESTS, 0, 0, 0, 0, 0, 0 };
        send_plain(f, gd, 7);
        assert_int_equal(f->rsp[1], SPDM_DIGESTS);
        gd[5] = 1;
        send_plain(f, gd, 6);
        expect_error(f, SPDM_ERR_INVALID_REQUEST, 0);
        gd[5] = 0;
        send_plain(f, gd, 8);
        expect_error(f, SPDM_ERR_INVALID_REQUEST, 0);
}

static void a_response_buffer_under_64_bytes_is_refused(void **state)
{
        struct fx *f = *state;
        uint8_t gv[4] = { SPDM_VERSION_10, SPDM_GET_VERSION, 0, 0 };
        assert_false(spdm_responder_handle(f->r, false, gv, 4, f->rsp, 63, &f->rsp_len, &f->rsp_secured));
}

static void responder_new_refuses_bad_configurations(void **state)
{
        struct fx *f = *state;
        struct spdm_responder *r = NULL;
        struct spdm_responder_cfg c = f->cfg;
        c.drbg = NULL;
        assert_false(spdm_responder_new(&r, &c, NULL));
        c = f->cfg;
        c.meas[1].index = 1;
        assert_false(spdm_responder_new(&r, &c, NULL));
        c = f->cfg;
        c.meas[0].index = 0xFF;
        assert_false(spdm_responder_new(&r, &c, NULL));
        c = f->cfg;
        c.meas[0].index = 0;
        assert_false(spdm_responder_new(&r, &c, NULL));
        c = f->cfg;
        c.chain_der_len = 10;
        assert_false(spdm_responder_new(&r, &c, NULL));
        c = f->cfg;
        c.leaf_key = NULL;
        assert_false(spdm_responder_new(&r, &c, NULL));
        assert_null(r);
}

/* A response that does not fit the caller's buffer is never sent, so it must not enter a
 * transcript or change the state either. */
static void a_certificate_too_large_for_the_buffer_is_an_error_and_stays_out_of_message_b(void **state)
{
        struct fx *f = *state;
        uint8_t req[16], got[4096];
        size_t n;
        struct spdm_digests d;
        struct spdm_challenge_auth ca;
        struct spdm_transcript m1;
        vca(f);
        get_digests(f, &d);
        struct spdm_get_certificate g = { .slot_id = 0, .offset = 0, .length = 0xFFFF };
        assert_true(spdm_get_certificate_encode(req, sizeof(req), &g, &f->q.sz, &n));
        assert_true(spdm_responder_handle(f->r, false, req, n, f->rsp, 128, &f->rsp_len, &f->rsp_secured));
        assert_true(f->rsp_len <= 128);
        assert_int_equal(f->rsp[1], SPDM_ERROR);
        (void)fetch_chain(f, 1024, got, sizeof(got));
        spdm_transcript_init(&m1, TMAX);
        challenge(f, SPDM_SUMMARY_HASH_NONE, &ca, &m1);
        if (!sig_ok(f, &m1, SPDM_CTX_CHALLENGE_AUTH, ca.signature))
                fail_msg("the CERTIFICATE that did not fit went into message_b");
        spdm_transcript_free(&m1);
}

static void a_key_exchange_rsp_too_large_for_the_buffer_opens_no_session(void **state)
{
        struct fx *f = *state;
        uint8_t exchange[2 * EC_COORD_MAX], req[512];
        struct ec_key *k = NULL;
        vca(f);
        make_dhe(f, &k, exchange);
        ec_key_free(k);
        size_t n = encode_ke(f, 0, exchange, req, sizeof(req));
        assert_true(spdm_responder_handle(f->r, false, req, n, f->rsp, 128, &f->rsp_len, &f->rsp_secured));
        assert_true(f->rsp_len <= 128);
        assert_int_equal(f->rsp[1], SPDM_ERROR);
        key_exchange(f, SPDM_SUMMARY_HASH_NONE); /* not SessionLimitExceeded */
        finish(f);
        heartbeat_ok(f);
}

static void a_secured_answer_too_large_for_the_buffer_is_a_sealed_error_and_the_session_goes_on(void **state)
{
        struct fx *f = *state;
        uint8_t req[64], rec[128];
        size_t n;
        open_session(f);
        struct spdm_get_measurements g = { .operation = SPDM_MEAS_OP_ALL };
        assert_true(spdm_get_measurements_encode(req, sizeof(req), &g, &f->q.sz, &n));
        size_t rn = seal(f, req, n, false, rec, sizeof(rec));
        assert_true(spdm_responder_handle(f->r, true, rec, rn, f->rsp, 100, &f->rsp_len, &f->rsp_secured));
        assert_true(f->rsp_len <= 100);
        assert_true(f->rsp_secured);
        size_t used;
        assert_true(spdm_secured_open(&f->q.s.rsp, f->q.s.id, f->rsp, f->rsp_len, f->app, sizeof(f->app), &f->app_len,
                                      &used, NULL));
        assert_int_equal(f->app[1], SPDM_ERROR);
        heartbeat_ok(f);
}

/* ================================ determinism ================================ */

struct transcript_out {
        uint8_t bytes[BUF * 2];
        size_t len;
        uint8_t ke_random[SPDM_RANDOM_SIZE], ke_exchange[2 * EC_COORD_MAX];
};

static void record_run(struct fx *f, struct transcript_out *out)
{
        struct spdm_digests d;
        struct spdm_certificate c;
        uint8_t exchange[2 * EC_COORD_MAX], req[512];
        struct ec_key *k = NULL;
        size_t used;
        vca(f);
        memcpy(out->bytes, f->q.a.buf, f->q.a.len);
        out->len = f->q.a.len;
        get_digests(f, &d);
        assert_true(get_cert(f, 0, 0, 0xFFFF, &c));
        memcpy(out->bytes + out->len, f->q.b.buf, f->q.b.len);
        out->len += f->q.b.len;
        make_dhe(f, &k, exchange);
        ec_key_free(k);
        send_plain(f, req, encode_ke(f, 0, exchange, req, sizeof(req)));
        struct spdm_key_exchange_rsp kr;
        assert_true(spdm_key_exchange_rsp_decode(f->rsp, f->rsp_len, &f->q.sz, 0, &kr, &used, NULL));
        memcpy(out->ke_random, kr.random, SPDM_RANDOM_SIZE);
        memcpy(out->ke_exchange, kr.exchange, f->q.sz.dhe_len);
}

static void two_responders_with_the_same_seed_answer_identically_but_for_signatures(void **state)
{
        struct fx *f = *state;
        static const uint8_t seed[] = "ccada spdm responder test drbg";
        struct transcript_out *one = calloc(1, sizeof(*one)), *two = calloc(1, sizeof(*two));
        assert_non_null(one);
        assert_non_null(two);
        record_run(f, one);
        /* a second responder over the same PKI with a fresh generator of the same seed */
        spdm_responder_free(f->r);
        drbg_free(f->drbg);
        assert_true(drbg_new_seeded(&f->drbg, seed, sizeof(seed), "ccada device spdm"));
        f->cfg.drbg = f->drbg;
        start(f);
        record_run(f, two);
        assert_int_equal(one->len, two->len);
        assert_memory_equal(one->bytes, two->bytes, one->len);
        assert_memory_equal(one->ke_random, two->ke_random, SPDM_RANDOM_SIZE);
        assert_memory_equal(one->ke_exchange, two->ke_exchange, 96);
        /* and another seed gives another ephemeral key */
        spdm_responder_free(f->r);
        drbg_free(f->drbg);
        assert_true(drbg_new_seeded(&f->drbg, (const uint8_t *)"other", 5, "ccada device spdm"));
        f->cfg.drbg = f->drbg;
        start(f);
        record_run(f, two);
        assert_memory_not_equal(one->ke_exchange, two->ke_exchange, 96);
        free(one);
        free(two);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
#define TNC(name) cmocka_unit_test_setup_teardown(name, setup_no_clear, teardown)

int main(void)
{
        const struct CMUnitTest tests[] = {
                T(version_lists_1_2_only),
                T(get_version_with_a_version_other_than_1_0_is_version_mismatch),
                T(capabilities_advertise_cert_chal_signed_meas_and_session_caps_with_handshake_in_the_clear),
                TNC(capabilities_omit_handshake_in_the_clear_when_configured_off),
                T(algorithms_select_the_strongest_common_set_of_a_full_offer),
                T(algorithms_select_sha256_secp256r1_aes128gcm_when_only_those_are_offered),
                T(negotiate_algorithms_without_a_common_hash_is_invalid_request),
                T(negotiate_algorithms_without_a_common_signature_algorithm_is_invalid_request),
                T(algorithms_select_p384_sha384_secp384r1_aes256gcm_for_the_dmtf_requesters_offer),
                T(the_dmtf_requesters_digests_certificate_challenge_measurements_and_key_exchange_are_answered),
                T(requests_before_get_version_are_unexpected),
                T(get_capabilities_twice_is_unexpected),
                T(negotiate_algorithms_before_capabilities_is_unexpected),
                T(a_request_with_version_1_1_after_1_2_was_negotiated_is_version_mismatch),
                T(get_version_midway_resets_the_connection_until_vca_is_redone),
                T(get_version_ends_an_established_session),
                T(digests_carry_the_hash_of_the_spdm_chain_of_slot_0),
                T(get_certificate_in_256_byte_portions_reassembles_a_chain_that_verifies),
                T(get_certificate_portions_are_capped_by_the_requesters_data_transfer_size),
                T(get_certificate_offset_past_the_end_is_invalid_request),
                T(get_certificate_for_slot_1_is_invalid_request),
                T(challenge_auth_signature_verifies_over_a_b_c_for_summary_types_0_1_and_ff),
                T(challenge_auth_signature_fails_when_any_transcript_byte_is_flipped),
                T(challenge_for_slot_1_is_invalid_request),
                T(measurements_count_reports_the_number_of_indices),
                T(measurements_of_each_index_carry_the_sha384_of_its_source_or_the_raw_value),
                T(measurements_all_return_every_block_in_index_order),
                T(measurements_signature_covers_a_and_every_exchange_since_the_last_signed_one),
                T(measurements_message_m_is_reset_by_any_other_request),
                T(measurements_of_a_nonexistent_index_are_invalid_request),
                T(measurements_signed_for_slot_1_are_invalid_request),
                T(key_exchange_and_finish_in_the_clear_establish_a_session),
                T(key_exchange_with_tcb_summary_carries_the_hash_of_the_tcb_blocks),
                TNC(key_exchange_and_secured_finish_when_the_responder_does_not_offer_the_clear),
                T(key_exchange_and_secured_finish_when_the_requester_does_not_offer_the_clear),
                T(finish_in_the_clear_with_a_wrong_verify_data_is_decrypt_error_and_ends_the_session),
                TNC(secured_finish_with_a_wrong_verify_data_is_decrypt_error_and_ends_the_session),
                T(a_second_key_exchange_during_a_session_exceeds_the_session_limit),
                T(measurements_in_a_session_are_signed_over_a_and_the_sessions_message_m),
                T(measurements_in_a_session_message_m_is_reset_by_another_secured_request),
                T(key_update_update_key_then_verify_new_key_changes_only_the_request_key),
                T(key_update_all_keys_changes_both_keys_after_the_ack),
                T(a_record_under_the_old_request_key_after_key_update_is_decrypt_error),
                T(end_session_is_acknowledged_and_the_session_is_then_unknown),
                TNC(heartbeat_before_finish_is_unexpected_in_the_handshake),
                T(a_secured_record_with_a_flipped_byte_is_decrypt_error_and_the_session_ends_for_good),
                T(a_replayed_secured_record_is_decrypt_error_and_the_session_ends),
                T(a_secured_record_with_a_tampered_header_is_decrypt_error),
                T(a_secured_record_for_another_session_id_is_invalid_request_in_the_clear),
                T(secured_records_before_any_session_are_invalid_request),
                T(unsupported_requests_are_unsupported_request_with_their_code),
                T(respond_if_ready_is_unexpected),
                T(vendor_defined_without_a_handler_is_unsupported_request),
                T(vendor_defined_with_a_handler_echoes_standard_and_vendor_id_around_its_payload),
                T(session_messages_outside_a_session_require_a_session),
                T(a_message_shorter_than_the_header_is_invalid_request),
                T(doe_padding_of_one_to_three_zero_bytes_is_accepted_and_anything_else_is_invalid),
                T(a_response_buffer_under_64_bytes_is_refused),
                T(responder_new_refuses_bad_configurations),
                T(a_certificate_too_large_for_the_buffer_is_an_error_and_stays_out_of_message_b),
                T(a_key_exchange_rsp_too_large_for_the_buffer_opens_no_session),
                T(a_secured_answer_too_large_for_the_buffer_is_a_sealed_error_and_the_session_goes_on),
                T(two_responders_with_the_same_seed_answer_identically_but_for_signatures),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
