/* The device's SPDM 1.2 responder. DSP0274 1.2.1, DSP0277 1.1; facts/spdm-tdisp-ide.md §1-2. */
#include "device/spdm_responder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/aead.h"
#include "lib/bytes.h"
#include "lib/crypto.h"
#include "lib/kdf.h"
#include "proto/spdm_keys.h"
#include "proto/spdm_secured.h"
#include "proto/spdm_sign.h"
#include "proto/spdm_transcript.h"

#define MSG_MAX       8192u        /* the largest message built or accepted */
#define TRANSCRIPT_MAX (256u * 1024u)
#define DEFAULT_DTS   4096u
#define DEFAULT_CT_EXPONENT 12u
#define RSP_SESSION_ID 0xFFFFu     /* one session at a time: its half of the ID */

enum conn_state {
        CONN_IDLE,              /* nothing yet, or after an error that needs GET_VERSION */
        CONN_VERSION,           /* VERSION sent */
        CONN_CAPABILITIES,      /* CAPABILITIES sent */
        CONN_NEGOTIATED,        /* ALGORITHMS sent */
};

enum sess_state {
        SESS_NONE,
        SESS_HANDSHAKE,         /* KEY_EXCHANGE_RSP sent, FINISH awaited */
        SESS_ESTABLISHED,
};

/* What to do once a response is sealed (keys change only after the response they answer
 * went out under the old ones). */
enum post_action {
        POST_NONE,
        POST_ESTABLISH,         /* FINISH_RSP out: switch to the data keys */
        POST_END,               /* END_SESSION_ACK out: forget the session */
        POST_RSP_KEY_UPDATE,    /* KEY_UPDATE_ACK (UpdateAllKeys) out: new response key */
};

struct session {
        enum sess_state state;
        uint32_t id;
        bool in_clear;
        struct spdm_key_schedule ks;
        struct spdm_secured_dir req_hs, rsp_hs, req_data, rsp_data;
        struct spdm_transcript th;      /* A || H(Ct) || KEY_EXCHANGE || ... */
        struct spdm_transcript mm;      /* message_m inside the session */
};

struct spdm_responder {
        struct spdm_responder_cfg cfg;
        struct spdm_responder_stats stats;
        enum conn_state state;
        uint8_t version;
        uint32_t our_caps;
        struct spdm_capabilities req;   /* the requester's */
        struct spdm_sizes sz;
        enum hash_alg hash, meas_hash;
        enum ec_curve dhe_curve;
        enum aead_alg aead;
        bool have_dhe, have_aead;
        uint8_t opaque_fmt;
        uint32_t meas_hash_bit;
        struct spdm_transcript a, b, c, m;
        uint8_t *chain;                 /* slot 0 as an SPDM chain for the negotiated hash */
        size_t chain_len;
        uint8_t chain_hash[HASH_MAX_LEN];
        size_t root_len;                /* the first DER certificate of cfg.chain_der */
        struct session s;
        uint8_t *msg;                   /* MSG_MAX: the response being built */
        uint8_t *inner;                 /* MSG_MAX: a decrypted request */
        enum post_action post;
        enum spdm_rsp_meas_fault meas_fault;
};

/* ---- small helpers ---- */

static void why_set(char *why, size_t n, const char *msg)
{
        if (why)
                snprintf(why, n, "%s", msg);
}

static bool ct_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
        uint8_t d = 0;
        for (size_t i = 0; i < n; i++)
                d |= (uint8_t)(a[i] ^ b[i]);
        return d == 0;
}

static bool hash_from_bit(uint32_t bit, enum hash_alg *out)
{
        switch (bit) {
        case SPDM_HASH_SHA_256:
                *out = HASH_SHA256;
                return true;
        case SPDM_HASH_SHA_384:
                *out = HASH_SHA384;
                return true;
        case SPDM_HASH_SHA_512:
                *out = HASH_SHA512;
                return true;
        }
        return false;
}

static uint32_t meas_bit_for(enum hash_alg h)
{
        return h == HASH_SHA256 ? SPDM_MEAS_HASH_SHA_256 : h == HASH_SHA384 ? SPDM_MEAS_HASH_SHA_384
                                                                             : SPDM_MEAS_HASH_SHA_512;
}

static uint32_t asym_bit(enum ec_curve c)
{
        return c == EC_P256 ? SPDM_ASYM_ECDSA_P256 : SPDM_ASYM_ECDSA_P384;
}

/* The first of prefs (in order) that is set in offered, or 0. */
static uint32_t pick(uint32_t offered, const uint32_t *prefs, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (offered & prefs[i])
                        return prefs[i];
        return 0;
}

/* ---- sessions ---- */

static void session_end(struct spdm_responder *r)
{
        struct session *s = &r->s;
        bool ended = s->state != SESS_NONE;
        uint32_t id = s->id;
        if (ended)
                r->stats.sessions_ended++;
        spdm_ks_wipe(&s->ks);
        spdm_secured_dir_clear(&s->req_hs);
        spdm_secured_dir_clear(&s->rsp_hs);
        spdm_secured_dir_clear(&s->req_data);
        spdm_secured_dir_clear(&s->rsp_data);
        spdm_transcript_free(&s->th);
        spdm_transcript_free(&s->mm);
        memset(s, 0, sizeof(*s));
        spdm_transcript_init(&s->th, TRANSCRIPT_MAX);
        spdm_transcript_init(&s->mm, TRANSCRIPT_MAX);
        if (ended && r->cfg.session_ended)
                r->cfg.session_ended(r->cfg.session_ended_ctx, id);
}

/* GET_VERSION: back to the start (DSP0274 1.2.1 §10.3: "resets the connection"). */
static void conn_reset(struct spdm_responder *r)
{
        session_end(r);
        r->state = CONN_IDLE;
        r->version = 0;
        memset(&r->req, 0, sizeof(r->req));
        memset(&r->sz, 0, sizeof(r->sz));
        r->have_dhe = r->have_aead = false;
        spdm_transcript_reset(&r->a);
        spdm_transcript_reset(&r->b);
        spdm_transcript_reset(&r->c);
        spdm_transcript_reset(&r->m);
        if (r->chain) {
                secure_zero(r->chain, r->chain_len);
                free(r->chain);
        }
        r->chain = NULL;
        r->chain_len = 0;
}

/* ---- responses ---- */

struct out {
        uint8_t *buf;
        size_t cap, len;
};

static uint8_t err_version(const struct spdm_responder *r)
{
        return r->state >= CONN_VERSION && r->version ? r->version : SPDM_VERSION_10;
}

/* An ERROR with code and data into o; for the stats. */
static void error_rsp(struct spdm_responder *r, struct out *o, uint8_t code, uint8_t data)
{
        struct spdm_error e = { .code = code, .data = data };
        struct spdm_sizes sz = r->sz;
        sz.version = err_version(r);
        r->stats.errors++;
        r->stats.last_error = code;
        if (!spdm_error_encode(o->buf, o->cap, &e, &sz, &o->len))
                o->len = 0;
}

/* ---- measurements ---- */

/* One DMTF block for source i into out (cap bytes). */
static bool meas_block(const struct spdm_responder *r, const struct spdm_meas_source *src, uint8_t *out, size_t cap,
                       size_t *len)
{
        uint8_t digest[HASH_MAX_LEN];
        struct spdm_meas_block b = {
                .index = src->index,
                .spec = SPDM_MEAS_SPEC_DMTF,
                .value_type = src->value_type,
                .raw = src->raw,
        };
        if (src->raw) {
                b.value = src->value;
                b.value_size = (uint16_t)src->len;
        } else {
                if (!hash_once(r->meas_hash, src->value, src->len, digest))
                        return false;
                b.value = digest;
                b.value_size = (uint16_t)hash_len(r->meas_hash);
        }
        return spdm_meas_block_encode(out, cap, &b, len);
}

/* The record of every block (index 0xFF), or of one, or only those in the TCB (ccada's
 * choice, as DSP0274 leaves it to the device: immutable ROM, mutable firmware and firmware
 * configuration). *count receives the number of blocks. */
enum meas_sel { MEAS_ALL, MEAS_TCB, MEAS_ONE };

static bool meas_record(const struct spdm_responder *r, enum meas_sel sel, uint8_t index, uint8_t *out, size_t cap,
                        size_t *len, unsigned *count)
{
        size_t off = 0;
        *count = 0;
        for (unsigned i = 0; i < r->cfg.nmeas; i++) {
                const struct spdm_meas_source *src = &r->cfg.meas[i];
                uint8_t t = src->value_type;
                if (sel == MEAS_ONE && src->index != index)
                        continue;
                if (sel == MEAS_TCB && t != SPDM_MEAS_TYPE_IMMUTABLE_ROM && t != SPDM_MEAS_TYPE_MUTABLE_FW &&
                    t != SPDM_MEAS_TYPE_FW_CONFIG)
                        continue;
                size_t n;
                if (!meas_block(r, src, out + off, cap - off, &n))
                        return false;
                off += n;
                (*count)++;
        }
        *len = off;
        return true;
}

/* MeasurementSummaryHash for type (1 TCB, 0xFF all): Hash of the blocks concatenated, with
 * the negotiated base hash (what the DMTF emulator puts there; kat.json
 * measurement_summary_hash_observation). */
static bool summary_hash(const struct spdm_responder *r, uint8_t type, uint8_t *out)
{
        uint8_t rec[MSG_MAX];
        size_t len;
        unsigned n;
        return meas_record(r, type == SPDM_SUMMARY_HASH_TCB ? MEAS_TCB : MEAS_ALL, 0, rec, sizeof(rec), &len, &n) &&
               hash_once(r->hash, rec, len, out);
}

/* ---- signing ---- */

/* Signs transcript t (hash of it, then M) with the leaf key; sig receives S bytes. */
static bool sign_transcript(const struct spdm_responder *r, const struct spdm_transcript *t, const char *context,
                            uint8_t *sig)
{
        uint8_t th[HASH_MAX_LEN], m[SPDM_SIGNED_MESSAGE_MAX];
        size_t ml, sl;
        return spdm_transcript_hash(t, r->hash, th) &&
               spdm_signed_message(r->version, context, th, hash_len(r->hash), m, sizeof(m), &ml) &&
               ec_sign(r->cfg.leaf_key, r->hash, m, ml, sig, r->sz.sig_len, &sl) && sl == r->sz.sig_len;
}

/* ---- the handlers: req (len bytes, exact), the response into o ---- */

struct req {
        const uint8_t *buf;
        size_t len;             /* as received (DOE pad included for plain messages) */
        struct spdm_header h;
        bool secured;
};

/* Decoded request length check: used bytes are the message, the rest may only be DOE pad. */
static bool exact(const struct req *q, size_t used)
{
        return spdm_trailing_pad_ok(q->buf, q->len, used);
}

static void on_get_version(struct spdm_responder *r, const struct req *q, struct out *o)
{
        struct spdm_get_version gv;
        struct spdm_sizes sz = { .version = SPDM_VERSION_10 };
        struct spdm_version v = { .entry_count = 1, .entries = { SPDM_VERSION_ENTRY(SPDM_VERSION_12) } };
        size_t used;

        conn_reset(r);
        if (q->h.version != SPDM_VERSION_10) {
                error_rsp(r, o, SPDM_ERR_VERSION_MISMATCH, 0);
                return;
        }
        if (!spdm_get_version_decode(q->buf, q->len, &sz, &gv, &used, NULL) || !exact(q, used)) {
                error_rsp(r, o, SPDM_ERR_INVALID_REQUEST, 0);
                return;
        }
        if (!spdm_version_encode(o->buf, o->cap, &v, &sz, &o->len) || !spdm_transcript_append(&r->a, q->buf, used) ||
            !spdm_transcript_append(&r->a, o->buf, o->len)) {
                error_rsp(r, o, SPDM_ERR_UNSPECIFIED, 0);
                return;
        }
        r->state = CONN_VERSION;
}

static void on_get_capabilities(struct spdm_responder *r, const struct req *q, struct out *o)
{
        struct spdm_capabilities c, ours;
        struct spdm_sizes sz = { .version = q->h.version };
        size_t used;

        if (r->state != CONN_VERSION) {
                error_rsp(r, o, SPDM_ERR_UNEXPECTED_REQUEST, 0);
                return;
        }
        if (q->h.version != SPDM_VERSION_12) {
                error_rsp(r, o, SPDM_ERR_VERSION_MISMATCH, 0);
                return;
        }
        if (!spdm_get_capabilities_decode(q->buf, q->len, &sz, &c, &used, NULL) || !exact(q, used) ||
            ((c.flags & SPDM_CAP_KEY_EX) && !(c.flags & (SPDM_CAP_ENCRYPT | SPDM_CAP_MAC)))) {
                error_rsp(r, o, SPDM_ERR_INVALID_REQUEST, 0);
                return;
        }
        r->version = SPDM_VERSION_12;
        ours = (struct spdm_capabilities){
                .ct_exponent = r->cfg.ct_exponent ? r->cfg.ct_exponent : DEFAULT_CT_EXPONENT,
                .flags = r->our_caps,
                .data_transfer_size = r->cfg.data_transfer_size ? r->cfg.data_transfer_size : DEFAULT_DTS,
        };
        ours.max_spdm_msg_size = ours.data_transfer_size;
        if (!spdm_capabilities_encode(o->buf, o->cap, &ours, &sz, &o->len) ||
            !spdm_transcript_append(&r->a, q->buf, used) || !spdm_transcript_append(&r->a, o->buf, o->len)) {
                error_rsp(r, o, SPDM_ERR_UNSPECIFIED, 0);
                return;
        }
        r->req = c;
        r->state = CONN_CAPABILITIES;
}

/* Slot 0 as an SPDM certificate chain for the negotiated hash. */
static bool build_chain(struct spdm_responder *r)
{
        size_t h = hash_len(r->hash), total = 4 + h + r->cfg.chain_der_len;
        uint8_t root_hash[HASH_MAX_LEN];
        if (total > UINT16_MAX || !hash_once(r->hash, r->cfg.chain_der, r->root_len, root_hash))
                return false;
        struct spdm_cert_chain c = { .length = (uint16_t)total, .root_hash = root_hash, .certs = r->cfg.chain_der,
                                     .certs_len = r->cfg.chain_der_len };
        r->chain = malloc(total);
        size_t len;
        if (!r->chain || !spdm_cert_chain_encode(r->chain, total, &c, &r->sz, &len) || len != total)
                return false;
        r->chain_len = total;
        return hash_once(r->hash, r->chain, total, r->chain_hash);
}

static void on_negotiate_algorithms(struct spdm_responder *r, const struct req *q, struct out *o)
{
        static const uint32_t hash_pref[] = { SPDM_HASH_SHA_384, SPDM_HASH_SHA_512, SPDM_HASH_SHA_256 };
        static const uint32_t dhe_pref[] = { SPDM_DHE_SECP384R1, SPDM_DHE_SECP256R1 };
        static const uint32_t aead_pref[] = { SPDM_AEAD_AES_256_GCM, SPDM_AEAD_AES_128_GCM,
                                              SPDM_AEAD_CHACHA20_POLY1305 };
        struct spdm_algorithms n, a;
        struct spdm_sizes sz = { .version = r->version };
        size_t used;

        if (r->state != CONN_CAPABILITIES) {
                error_rsp(r, o, SPDM_ERR_UNEXPECTED_REQUEST, 0);
                return;
        }
        if (!spdm_negotiate_algorithms_decode(q->buf, q->len, &sz, &n, &used, NULL) || !exact(q, used)) {
                error_rsp(r, o, SPDM_ERR_INVALID_REQUEST, 0);
                return;
        }
        memset(&a, 0, sizeof(a));
        a.meas_spec = n.meas_spec & SPDM_MEAS_SPEC_DMTF;
        a.base_asym = n.base_asym & asym_bit(ec_key_curve(r->cfg.leaf_key));
        a.base_hash = pick(n.base_hash & (r->cfg.hash_mask ? r->cfg.hash_mask : ~0u), hash_pref, 3);
        if (!a.base_asym || !a.base_hash || !hash_from_bit(a.base_hash, &r->hash)) {
                /* nothing to sign or hash with that the requester accepts */
                error_rsp(r, o, SPDM_ERR_INVALID_REQUEST, 0);
                return;
        }
        r->meas_hash = r->hash;
        a.meas_hash = a.meas_spec ? meas_bit_for(r->meas_hash) : 0;
        uint8_t fmt = n.other_params & SPDM_OPAQUE_FMT_MASK;
        a.other_params = (fmt & SPDM_OPAQUE_FMT_1) ? SPDM_OPAQUE_FMT_1 : (fmt & SPDM_OPAQUE_FMT_0) ? SPDM_OPAQUE_FMT_0 : 0;
        r->opaque_fmt = a.other_params;
        a.alg_count = n.alg_count;
        for (unsigned i = 0; i < n.alg_count; i++) {
                uint16_t sel = 0, off = n.alg[i].supported;
                switch (n.alg[i].type) {
                case SPDM_ALG_TYPE_DHE:
                        sel = (uint16_t)pick(off & (r->cfg.dhe_mask ? r->cfg.dhe_mask : ~0u), dhe_pref, 2);
                        r->have_dhe = sel != 0;
                        r->dhe_curve = sel == SPDM_DHE_SECP256R1 ? EC_P256 : EC_P384;
                        break;
                case SPDM_ALG_TYPE_AEAD:
                        sel = (uint16_t)pick(off & (r->cfg.aead_mask ? r->cfg.aead_mask : ~0u), aead_pref, 3);
                        r->have_aead = sel != 0;
                        r->aead = sel == SPDM_AEAD_AES_128_GCM ? AEAD_AES_128_GCM
                                  : sel == SPDM_AEAD_CHACHA20_POLY1305 ? AEAD_CHACHA20_POLY1305
                                                                         : AEAD_AES_256_GCM;
                        break;
                case SPDM_ALG_TYPE_REQ_BASE_ASYM:
                        sel = 0;        /* no mutual authentication */
                        break;
                case SPDM_ALG_TYPE_KEY_SCHEDULE:
                        sel = (uint16_t)(off & SPDM_KEY_SCHEDULE_SPDM);
                        break;
                }
                a.alg[i] = (struct spdm_alg_struct){ .type = n.alg[i].type, .supported = sel };
        }
        bool in_clear = (r->our_caps & SPDM_CAP_HANDSHAKE_IN_THE_CLEAR) &&
                        (r->req.flags & SPDM_CAP_HANDSHAKE_IN_THE_CLEAR);
        if (!spdm_sizes_from_algorithms(&a, r->version, in_clear, &r->sz)) {
                error_rsp(r, o, SPDM_ERR_INVALID_REQUEST, 0);
                return;
        }
        r->meas_hash_bit = a.meas_hash;
        if (!spdm_algorithms_encode(o->buf, o->cap, &a, &r->sz, &o->len) ||
            !spdm_transcript_append(&r->a, q->buf, used) || !spdm_transcript_append(&r->a, o->buf, o->len) ||
            !build_chain(r)) {
                error_rsp(r, o, SPDM_ERR_UNSPECIFIED, 0);
                return;
        }
        r->state = CONN_NEGOTIATED;
}

static void on_get_digests(struct spdm_responder *r, const struct req *q, struct out *o)
{
        struct spdm_get_digests g;
        size_t used;
        if (!spdm_get_digests_decode(q->buf, q->len, &r->sz, &g, &used, NULL) || !exact(q, used)) {
                error_rsp(r, o, SPDM_ERR_INVALID_REQUEST, 0);
                return;
        }
        struct spdm_digests d = { .slot_mask = 1, .digests = r->chain_hash, .digest_count = 1 };
        if (!spdm_digests_encode(o->buf, o->cap, &d, &r->sz, &o->len) ||
            (!q->secured && (!spdm_transcript_append(&r->b, q->buf, used) ||
                             !spdm_transcript_append(&r->b, o->buf, o->len))))
                error_rsp(r, o, SPDM_ERR_UNSPECIFIED, 0);
}

static void on_get_certificate(struct spdm_responder *r, const struct req *q, struct out *o)
{
        struct spdm_get_certificate g;
        size_t used;
        if (!spdm_get_certificate_decode(q->buf, q->len, &r->sz, &g, &used, NULL) || !exact(q, used) ||
            g.slot_id != 0 || g.offset >= r->chain_len) {
                error_rsp(r, o, SPDM_ERR_INVALID_REQUEST, 0);
                return;
        }
        size_t room = r->req.data_transfer_size - 8, mine = (r->cfg.data_transfer_size ? r->cfg.data_transfer_size
                                                                                        : DEFAULT_DTS) - 8;
        size_t portion = r->chain_len - g.offset;
        if (portion > g.length)
                portion = g.length;
        if (portion > room)
                portion = room;
        if (portion > mine)
                portion = mine;
        struct spdm_certificate c = { .slot_id = 0, .portion_length = (uint16_t)portion,
                                      .remainder_length = (uint16_t)(r->chain_len - g.offset - portion),
                                      .portion = r->chain + g.offset };
        if (!spdm_certificate_encode(o->buf, o->cap, &c, &r->sz, &o->len) ||
            (!q->secured && (!spdm_transcript_append(&r->b, q->buf, used) ||
                             !spdm_transcript_append(&r->b, o->buf, o->len))))
                error_rsp(r, o, SPDM_ERR_UNSPECIFIED, 0);
}

static void on_challenge(struct spdm_responder *r, const struct req *q, struct out *o)
{
        struct spdm_challenge c;
        uint8_t nonce[SPDM_NONCE_SIZE], summary[HASH_MAX_LEN], sig[SPDM_SIG_MAX] = { 0 };
        size_t used;

        if (!spdm_challenge_decode(q->buf, q->len, &r->sz, &c, &used, NULL) || !exact(q, used) || c.slot_id != 0) {
                error_rsp(r, o, SPDM_ERR_INVALID_REQUEST, 0);
                return;
        }
        bool with_summary = c.summary_type != SPDM_SUMMARY_HASH_NONE;
        if (!drbg_bytes(r->cfg.drbg, nonce, sizeof(nonce)) || (with_summary && !summary_hash(r, c.summary_type, summary))) {
                error_rsp(r, o, SPDM_ERR_UNSPECIFIED, 0);
                return;
        }
        struct spdm_challenge_auth ca = { .slot_id = 0, .slot_mask = 1, .cert_chain_hash = r->chain_hash,
                                          .nonce = nonce, .meas_summary_hash = with_summary ? summary : NULL,
                                          .signature = sig };
        size_t sig_off;
        bool ok = spdm_challenge_auth_encode(o->buf, o->cap, &ca, &r->sz, &o->len);
        sig_off = o->len - r->sz.sig_len;
        ok = ok && spdm_transcript_append(&r->c, q->buf, used) && spdm_transcript_append(&r->c, o->buf, sig_off);
        struct spdm_transcript m1;
        spdm_transcript_init(&m1, TRANSCRIPT_MAX);
        ok = ok && spdm_transcript_append_t(&m1, &r->a) && spdm_transcript_append_t(&m1, &r->b) &&
             spdm_transcript_append_t(&m1, &r->c) && sign_transcript(r, &m1, SPDM_CTX_CHALLENGE_AUTH, o->buf + sig_off);
        spdm_transcript_free(&m1);
        spdm_transcript_reset(&r->b);
        spdm_transcript_reset(&r->c);
        if (!ok)
                error_rsp(r, o, SPDM_ERR_UNSPECIFIED, 0);
}

static void on_get_measurements(struct spdm_responder *r, const struct req *q, struct out *o)
{
        struct spdm_get_measurements g;
        struct spdm_transcript *mm = q->secured ? &r->s.mm : &r->m;
        uint8_t nonce[SPDM_NONCE_SIZE], rec[MSG_MAX], sig[SPDM_SIG_MAX] = { 0 };
        size_t used, rec_len = 0;
        unsigned count = 0;

        if (!spdm_get_measurements_decode(q->buf, q->len, &r->sz, &g, &used, NULL) || !exact(q, used)) {
                error_rsp(r, o, SPDM_ERR_INVALID_REQUEST, 0);
                return;
        }
        bool signed_ = g.attributes & SPDM_MEAS_ATTR_SIG_REQUESTED;
        r->stats.meas_requests++;
        if (signed_)
                memcpy(r->stats.last_meas_nonce, g.nonce, sizeof(r->stats.last_meas_nonce));
        if (r->meas_fault == SPDM_RSP_MEAS_ERROR) {
                error_rsp(r, o, SPDM_ERR_UNSPECIFIED, 0);
                return;
        }
        if (signed_ && g.slot_id != 0) {
                error_rsp(r, o, SPDM_ERR_INVALID_REQUEST, 0);
                return;
        }
        struct spdm_measurements m = { .slot_id = 0, .nonce = nonce, .signature = signed_ ? sig : NULL };
        if (g.operation == SPDM_MEAS_OP_COUNT) {
                m.num_indices = (uint8_t)r->cfg.nmeas;
        } else if (!meas_record(r, g.operation == SPDM_MEAS_OP_ALL ? MEAS_ALL : MEAS_ONE, g.operation, rec,
                                sizeof(rec), &rec_len, &count)) {
                error_rsp(r, o, SPDM_ERR_UNSPECIFIED, 0);
                return;
        } else if (count == 0) {
                error_rsp(r, o, SPDM_ERR_INVALID_REQUEST, 0);   /* no such index */
                spdm_transcript_reset(mm);
                return;
        }
        m.num_blocks = (uint8_t)count;
        m.record_len = (uint32_t)rec_len;
        m.record = rec_len ? rec : NULL;
        if (!drbg_bytes(r->cfg.drbg, nonce, sizeof(nonce)) ||
            !spdm_measurements_encode(o->buf, o->cap, &m, &r->sz, &o->len)) {
                error_rsp(r, o, SPDM_ERR_UNSPECIFIED, 0);
                return;
        }
        if (o->len > r->req.data_transfer_size) {
                spdm_transcript_reset(mm);
                error_rsp(r, o, SPDM_ERR_RESPONSE_TOO_LARGE, 0);
                return;
        }
        if (r->meas_fault == SPDM_RSP_MEAS_GARBAGE) {   /* a record length past the message */
                o->buf[5] = o->buf[6] = o->buf[7] = 0xFF;
                spdm_transcript_reset(mm);
                return;
        }
        size_t body = signed_ ? o->len - r->sz.sig_len : o->len;
        bool ok = spdm_transcript_append(mm, q->buf, used) && spdm_transcript_append(mm, o->buf, body);
        if (ok && signed_) {
                struct spdm_transcript l1;
                spdm_transcript_init(&l1, TRANSCRIPT_MAX);
                ok = spdm_transcript_append_t(&l1, &r->a) && spdm_transcript_append_t(&l1, mm) &&
                     sign_transcript(r, &l1, SPDM_CTX_MEASUREMENTS, o->buf + body);
                spdm_transcript_free(&l1);
                spdm_transcript_reset(mm);
        }
        if (!ok) {
                spdm_transcript_reset(mm);
                error_rsp(r, o, SPDM_ERR_UNSPECIFIED, 0);
        }
}

/* The secured-message version to use from the requester's opaque data: the highest of
 * 1.0, 1.1, 1.2 it lists (DSP0277 versions have the same record layout on DOE). */
static bool pick_sm_version(const struct spdm_responder *r, const struct spdm_key_exchange *ke, uint16_t *out)
{
        struct spdm_opaque_sm sm;
        uint16_t best = 0;
        if (!r->opaque_fmt || !spdm_opaque_sm_decode(ke->opaque, ke->opaque_len, r->opaque_fmt, &sm, NULL) ||
            sm.is_selection)
                return false;
        for (unsigned i = 0; i < sm.version_count; i++) {
                uint16_t v = (uint16_t)(sm.versions[i] & 0xFF00u);
                if ((v == SPDM_SM_VERSION_10 || v == SPDM_SM_VERSION_11 || v == SPDM_SM_VERSION_12) && v > best)
                        best = v;
        }
        *out = best;
        return best != 0;
}

static bool dirs_init(struct spdm_secured_dir *d, enum aead_alg alg, const struct spdm_traffic_keys *k)
{
        return spdm_secured_dir_init(d, alg, k->key, k->iv);
}

static void on_key_exchange(struct spdm_responder *r, const struct req *q, struct out *o)
{
        struct session *s = &r->s;
        struct spdm_key_exchange ke;
        uint8_t point[EC_POINT_MAX], mine[EC_POINT_MAX], seed[64], secret[EC_COORD_MAX], random[SPDM_RANDOM_SIZE];
        uint8_t summary[HASH_MAX_LEN], opaque[64], sig[SPDM_SIG_MAX] = { 0 }, vd[HASH_MAX_LEN] = { 0 };
        uint8_t ct_hash[HASH_MAX_LEN], th1[HASH_MAX_LEN];
        struct ec_key *peer = NULL, *eph = NULL;
        size_t used, plen, slen, olen;
        uint16_t smv;

        if (s->state != SESS_NONE) {
                error_rsp(r, o, SPDM_ERR_SESSION_LIMIT_EXCEEDED, 0);
                return;
        }
        if (!spdm_key_exchange_decode(q->buf, q->len, &r->sz, &ke, &used, NULL) || !exact(q, used) || ke.slot_id != 0 ||
            !r->have_dhe || !r->have_aead || !(r->req.flags & SPDM_CAP_ENCRYPT) || !pick_sm_version(r, &ke, &smv)) {
                error_rsp(r, o, SPDM_ERR_INVALID_REQUEST, 0);
                return;
        }
        size_t coord = ec_coord_len(r->dhe_curve);
        point[0] = 0x04;
        memcpy(point + 1, ke.exchange, 2 * coord);
        bool ok = ec_key_from_point(&peer, r->dhe_curve, point, 1 + 2 * coord);
        if (!ok) {
                error_rsp(r, o, SPDM_ERR_INVALID_REQUEST, 0);
                return;
        }
        ok = drbg_bytes(r->cfg.drbg, seed, sizeof(seed)) &&
             ec_key_derive(&eph, r->dhe_curve, seed, sizeof(seed), "ccada spdm responder dhe") &&
             ec_ecdh(eph, peer, secret, sizeof(secret), &slen) && ec_key_point(eph, mine, sizeof(mine), &plen) &&
             drbg_bytes(r->cfg.drbg, random, sizeof(random)) &&
             (ke.summary_type == SPDM_SUMMARY_HASH_NONE || summary_hash(r, ke.summary_type, summary));
        secure_zero(seed, sizeof(seed));
        ec_key_free(eph);
        ec_key_free(peer);
        struct spdm_opaque_sm sel = { .is_selection = true, .selected = smv };
        ok = ok && spdm_opaque_sm_encode(opaque, sizeof(opaque), r->opaque_fmt, &sel, &olen);
        session_end(r);
        s->in_clear = r->sz.handshake_in_the_clear;
        s->id = (uint32_t)RSP_SESSION_ID << 16 | ke.req_session_id;
        struct spdm_key_exchange_rsp kr = {
                .rsp_session_id = RSP_SESSION_ID,
                .random = random,
                .exchange = mine + 1,
                .meas_summary_hash = ke.summary_type != SPDM_SUMMARY_HASH_NONE ? summary : NULL,
                .opaque_len = (uint16_t)olen,
                .opaque = opaque,
                .signature = sig,
                .verify_data = s->in_clear ? NULL : vd,
        };
        size_t h = hash_len(r->hash);
        ok = ok && spdm_key_exchange_rsp_encode(o->buf, o->cap, &kr, &r->sz, &o->len);
        size_t sig_off = o->len - r->sz.sig_len - (s->in_clear ? 0 : h);
        ok = ok && hash_once(r->hash, r->chain, r->chain_len, ct_hash) && spdm_transcript_append_t(&s->th, &r->a) &&
             spdm_transcript_append(&s->th, ct_hash, h) && spdm_transcript_append(&s->th, q->buf, used) &&
             spdm_transcript_append(&s->th, o->buf, sig_off) &&
             sign_transcript(r, &s->th, SPDM_CTX_KEY_EXCHANGE_RSP, o->buf + sig_off) &&
             spdm_transcript_append(&s->th, o->buf + sig_off, r->sz.sig_len) &&
             spdm_transcript_hash(&s->th, r->hash, th1) &&
             spdm_ks_handshake(&s->ks, r->version, r->hash, r->aead, secret, slen, th1);
        secure_zero(secret, sizeof(secret));
        if (ok && !s->in_clear) {
                ok = spdm_ks_verify_data(&s->ks, false, th1, o->buf + sig_off + r->sz.sig_len) &&
                     spdm_transcript_append(&s->th, o->buf + sig_off + r->sz.sig_len, h);
        }
        ok = ok && dirs_init(&s->req_hs, r->aead, &s->ks.req_hs) && dirs_init(&s->rsp_hs, r->aead, &s->ks.rsp_hs);
        if (!ok) {
                session_end(r);
                error_rsp(r, o, SPDM_ERR_UNSPECIFIED, 0);
                return;
        }
        s->state = SESS_HANDSHAKE;
        r->stats.sessions_opened++;
}

static void on_finish(struct spdm_responder *r, const struct req *q, struct out *o)
{
        struct session *s = &r->s;
        struct spdm_finish f;
        uint8_t th[HASH_MAX_LEN], want[HASH_MAX_LEN], vd[HASH_MAX_LEN], th2[HASH_MAX_LEN];
        size_t used, h = hash_len(r->hash);

        /* FINISH goes in the clear exactly when the handshake is in the clear. */
        if (s->state != SESS_HANDSHAKE || q->secured == s->in_clear) {
                error_rsp(r, o, SPDM_ERR_UNEXPECTED_REQUEST, 0);
                return;
        }
        if (!spdm_finish_decode(q->buf, q->len, &r->sz, &f, &used, NULL) || !exact(q, used) || f.sig_included) {
                error_rsp(r, o, SPDM_ERR_INVALID_REQUEST, 0);
                return;
        }
        bool ok = spdm_transcript_append(&s->th, q->buf, f.verify_off) && spdm_transcript_hash(&s->th, r->hash, th) &&
                  spdm_ks_verify_data(&s->ks, true, th, want);
        if (!ok || !ct_equal(want, f.verify_data, h)) {
                /* DSP0274 1.2.1 §10.14: a RequesterVerifyData that does not verify ends the
                 * handshake with DecryptError */
                session_end(r);
                r->stats.decrypt_failures++;
                error_rsp(r, o, SPDM_ERR_DECRYPT_ERROR, 0);
                return;
        }
        struct spdm_finish_rsp fr = { .verify_data = s->in_clear ? vd : NULL };
        memset(vd, 0, sizeof(vd));
        ok = spdm_transcript_append(&s->th, f.verify_data, h) && spdm_finish_rsp_encode(o->buf, o->cap, &fr, &r->sz, &o->len);
        if (ok && s->in_clear) {
                ok = spdm_transcript_append(&s->th, o->buf, SPDM_HEADER_SIZE) && spdm_transcript_hash(&s->th, r->hash, th) &&
                     spdm_ks_verify_data(&s->ks, false, th, o->buf + SPDM_HEADER_SIZE) &&
                     spdm_transcript_append(&s->th, o->buf + SPDM_HEADER_SIZE, h);
        } else if (ok) {
                ok = spdm_transcript_append(&s->th, o->buf, o->len);
        }
        ok = ok && spdm_transcript_hash(&s->th, r->hash, th2) && spdm_ks_data(&s->ks, th2) &&
             dirs_init(&s->req_data, r->aead, &s->ks.req_data) && dirs_init(&s->rsp_data, r->aead, &s->ks.rsp_data);
        if (!ok) {
                session_end(r);
                error_rsp(r, o, SPDM_ERR_UNSPECIFIED, 0);
                return;
        }
        r->post = POST_ESTABLISH;
}

/* The 4-byte session messages: HEARTBEAT, KEY_UPDATE, END_SESSION. */
static void on_heartbeat(struct spdm_responder *r, const struct req *q, struct out *o)
{
        struct spdm_heartbeat hb = { 0 };
        size_t used;
        if (!spdm_heartbeat_decode(q->buf, q->len, &r->sz, &hb, &used, NULL) || !exact(q, used) ||
            !spdm_heartbeat_ack_encode(o->buf, o->cap, &hb, &r->sz, &o->len))
                error_rsp(r, o, SPDM_ERR_INVALID_REQUEST, 0);
}

/* New keys for one direction: the schedule's secret and key advance, the record counter
 * restarts at 0 (DSP0277 §6.4). */
static bool rekey(struct spdm_responder *r, struct spdm_traffic_keys *k, struct spdm_secured_dir *d)
{
        spdm_secured_dir_clear(d);
        return spdm_ks_update(&r->s.ks, k) && dirs_init(d, r->aead, k);
}

static void on_key_update(struct spdm_responder *r, const struct req *q, struct out *o)
{
        struct session *s = &r->s;
        struct spdm_key_update ku;
        size_t used;
        if (!spdm_key_update_decode(q->buf, q->len, &r->sz, &ku, &used, NULL) || !exact(q, used) ||
            ku.operation < SPDM_KEY_UPDATE_OP_UPDATE_KEY || ku.operation > SPDM_KEY_UPDATE_OP_VERIFY_NEW_KEY) {
                error_rsp(r, o, SPDM_ERR_INVALID_REQUEST, 0);
                return;
        }
        if (!spdm_key_update_ack_encode(o->buf, o->cap, &ku, &r->sz, &o->len)) {
                error_rsp(r, o, SPDM_ERR_UNSPECIFIED, 0);
                return;
        }
        /* UpdateKey and UpdateAllKeys: the requester's next record uses its new key; the
         * ACK still goes under the old response key, and UpdateAllKeys changes that one
         * right after it (DSP0274 1.2.1 §10.17). VerifyNewKey arrived under the new key:
         * opening it was the check. */
        if (ku.operation != SPDM_KEY_UPDATE_OP_VERIFY_NEW_KEY && !rekey(r, &s->ks.req_data, &s->req_data)) {
                error_rsp(r, o, SPDM_ERR_UNSPECIFIED, 0);
                return;
        }
        if (ku.operation == SPDM_KEY_UPDATE_OP_UPDATE_ALL_KEYS)
                r->post = POST_RSP_KEY_UPDATE;
}

static void on_end_session(struct spdm_responder *r, const struct req *q, struct out *o)
{
        struct spdm_end_session e;
        size_t used;
        if (!spdm_end_session_decode(q->buf, q->len, &r->sz, &e, &used, NULL) || !exact(q, used)) {
                error_rsp(r, o, SPDM_ERR_INVALID_REQUEST, 0);
                return;
        }
        struct spdm_end_session ack = { 0 };
        if (!spdm_end_session_ack_encode(o->buf, o->cap, &ack, &r->sz, &o->len)) {
                error_rsp(r, o, SPDM_ERR_UNSPECIFIED, 0);
                return;
        }
        r->post = POST_END;
}

static void on_vendor_defined(struct spdm_responder *r, const struct req *q, struct out *o)
{
        struct spdm_vendor_defined v;
        uint8_t payload[MSG_MAX / 2];
        size_t used, plen = 0;
        if (!spdm_vendor_defined_request_decode(q->buf, q->len, &r->sz, &v, &used, NULL) || !exact(q, used)) {
                error_rsp(r, o, SPDM_ERR_INVALID_REQUEST, 0);
                return;
        }
        if (!r->cfg.vdm || !r->cfg.vdm(r->cfg.vdm_ctx, q->secured, r->s.id, &v, payload, sizeof(payload), &plen) ||
            plen > UINT16_MAX) {
                error_rsp(r, o, SPDM_ERR_UNSUPPORTED_REQUEST, SPDM_VENDOR_DEFINED_REQUEST);
                return;
        }
        struct spdm_vendor_defined rsp = { .standard_id = v.standard_id, .vendor_id_len = v.vendor_id_len,
                                           .vendor_id = v.vendor_id, .payload_len = (uint16_t)plen,
                                           .payload = payload };
        if (!spdm_vendor_defined_response_encode(o->buf, o->cap, &rsp, &r->sz, &o->len))
                error_rsp(r, o, SPDM_ERR_UNSPECIFIED, 0);
}

/* Requests this responder does not implement (answered UnsupportedRequest). */
static bool unsupported(uint8_t code)
{
        switch (code) {
        case SPDM_GET_VERSION:
        case SPDM_GET_CAPABILITIES:
        case SPDM_NEGOTIATE_ALGORITHMS:
        case SPDM_GET_DIGESTS:
        case SPDM_GET_CERTIFICATE:
        case SPDM_CHALLENGE:
        case SPDM_GET_MEASUREMENTS:
        case SPDM_KEY_EXCHANGE:
        case SPDM_FINISH:
        case SPDM_HEARTBEAT:
        case SPDM_KEY_UPDATE:
        case SPDM_END_SESSION:
        case SPDM_VENDOR_DEFINED_REQUEST:
        case SPDM_RESPOND_IF_READY:
                return false;
        }
        return true;
}

/* One request (plain, or the message a record carried when q->secured): the response into o. */
static void dispatch(struct spdm_responder *r, const struct req *q, struct out *o)
{
        struct session *s = &r->s;
        uint8_t code = q->h.code;

        r->stats.requests++;
        if (code == SPDM_GET_VERSION) {
                if (q->secured) {       /* never inside a session */
                        error_rsp(r, o, SPDM_ERR_UNEXPECTED_REQUEST, 0);
                        return;
                }
                on_get_version(r, q, o);
                return;
        }
        if (unsupported(code)) {
                error_rsp(r, o, SPDM_ERR_UNSUPPORTED_REQUEST, code);
                return;
        }
        if (r->state == CONN_IDLE) {
                error_rsp(r, o, SPDM_ERR_UNEXPECTED_REQUEST, 0);
                return;
        }
        if (q->h.version != (r->version ? r->version : SPDM_VERSION_12)) {
                error_rsp(r, o, SPDM_ERR_VERSION_MISMATCH, 0);
                return;
        }
        if (code == SPDM_GET_CAPABILITIES) {
                on_get_capabilities(r, q, o);
                return;
        }
        if (code == SPDM_NEGOTIATE_ALGORITHMS) {
                on_negotiate_algorithms(r, q, o);
                return;
        }
        if (r->state != CONN_NEGOTIATED || code == SPDM_RESPOND_IF_READY) {
                /* RESPOND_IF_READY: this responder never answers ResponseNotReady */
                error_rsp(r, o, SPDM_ERR_UNEXPECTED_REQUEST, 0);
                return;
        }
        /* message_m covers consecutive GET_MEASUREMENTS: any other request resets the one of
         * its channel (the connection's in the clear, the session's inside it) */
        if (code != SPDM_GET_MEASUREMENTS)
                spdm_transcript_reset(q->secured ? &s->mm : &r->m);
        if (s->state == SESS_HANDSHAKE && q->secured && code != SPDM_FINISH) {
                error_rsp(r, o, SPDM_ERR_UNEXPECTED_REQUEST, 0);
                return;
        }
        switch (code) {
        case SPDM_GET_DIGESTS:
                on_get_digests(r, q, o);
                return;
        case SPDM_GET_CERTIFICATE:
                on_get_certificate(r, q, o);
                return;
        case SPDM_GET_MEASUREMENTS:
                on_get_measurements(r, q, o);
                return;
        case SPDM_CHALLENGE:
        case SPDM_KEY_EXCHANGE:
                if (q->secured) {
                        error_rsp(r, o, SPDM_ERR_UNEXPECTED_REQUEST, 0);
                        return;
                }
                if (code == SPDM_CHALLENGE)
                        on_challenge(r, q, o);
                else
                        on_key_exchange(r, q, o);
                return;
        case SPDM_FINISH:
                on_finish(r, q, o);
                return;
        case SPDM_VENDOR_DEFINED_REQUEST:
                on_vendor_defined(r, q, o);
                return;
        }
        /* HEARTBEAT, KEY_UPDATE, END_SESSION: only inside an established session */
        if (!q->secured || s->state != SESS_ESTABLISHED) {
                error_rsp(r, o, SPDM_ERR_SESSION_REQUIRED, 0);
                return;
        }
        if (code == SPDM_HEARTBEAT)
                on_heartbeat(r, q, o);
        else if (code == SPDM_KEY_UPDATE)
                on_key_update(r, q, o);
        else
                on_end_session(r, q, o);
}

/* ---- entry ---- */

static void post_actions(struct spdm_responder *r)
{
        struct session *s = &r->s;
        switch (r->post) {
        case POST_NONE:
                break;
        case POST_ESTABLISH:
                spdm_secured_dir_clear(&s->req_hs);
                spdm_secured_dir_clear(&s->rsp_hs);
                s->state = SESS_ESTABLISHED;
                break;
        case POST_END:
                session_end(r);
                break;
        case POST_RSP_KEY_UPDATE:
                if (!rekey(r, &s->ks.rsp_data, &s->rsp_data))
                        session_end(r);         /* no key to answer with: the session is gone */
                break;
        }
        r->post = POST_NONE;
}

bool spdm_responder_handle(struct spdm_responder *r, bool secured, const uint8_t *req, size_t len, uint8_t *rsp,
                           size_t cap, size_t *rsp_len, bool *rsp_secured)
{
        struct session *s = &r->s;
        struct out o = { .buf = r->msg, .cap = MSG_MAX };
        struct req q = { .buf = req, .len = len, .secured = false };

        if (cap < 64)
                return false;
        /* Handlers commit (transcripts, session state) once their response is encoded, so
         * they must encode only what can be sent: at most cap bytes, less the record
         * overhead when the answer will be sealed. An answer that does not fit fails to
         * encode and becomes an ERROR, leaving no trace. */
        size_t room = secured ? cap - SPDM_SECURED_OVERHEAD : cap;
        o.cap = room < MSG_MAX ? room : MSG_MAX;
        r->post = POST_NONE;
        *rsp_secured = false;
        if (!secured) {
                if (!spdm_header_decode(req, len, &q.h)) {
                        r->stats.requests++;
                        error_rsp(r, &o, SPDM_ERR_INVALID_REQUEST, 0);
                } else {
                        dispatch(r, &q, &o);
                }
                if (o.len > cap) {
                        o.len = 0;
                        error_rsp(r, &o, SPDM_ERR_RESPONSE_TOO_LARGE, 0);
                }
                memcpy(rsp, o.buf, o.len);
                *rsp_len = o.len;
                post_actions(r);
                return true;
        }

        r->stats.secured_in++;
        uint32_t sid = 0;
        struct spdm_secured_dir *in = s->state == SESS_HANDSHAKE ? &s->req_hs : &s->req_data;
        struct spdm_secured_dir *out = s->state == SESS_HANDSHAKE ? &s->rsp_hs : &s->rsp_data;
        size_t inner_len = 0, used = 0;
        char why[SPDM_SECURED_WHY_LEN];
        if (!spdm_secured_session_id(req, len, &sid) || s->state == SESS_NONE || sid != s->id ||
            (s->state == SESS_HANDSHAKE && s->in_clear)) {
                r->stats.requests++;
                error_rsp(r, &o, SPDM_ERR_INVALID_REQUEST, 0);  /* no such session: in the clear */
                memcpy(rsp, o.buf, o.len);
                *rsp_len = o.len;
                return true;
        }
        if (!spdm_secured_open(in, sid, req, len, r->inner, MSG_MAX, &inner_len, &used, why) ||
            !spdm_trailing_pad_ok(req, len, used)) {
                /* DSP0277 §6: a record that does not authenticate ends the session */
                r->stats.requests++;
                r->stats.decrypt_failures++;
                session_end(r);
                error_rsp(r, &o, SPDM_ERR_DECRYPT_ERROR, 0);
                memcpy(rsp, o.buf, o.len);
                *rsp_len = o.len;
                return true;
        }
        q = (struct req){ .buf = r->inner, .len = inner_len, .secured = true };
        if (!spdm_header_decode(r->inner, inner_len, &q.h)) {
                r->stats.requests++;
                error_rsp(r, &o, SPDM_ERR_INVALID_REQUEST, 0);
        } else {
                dispatch(r, &q, &o);
        }
        secure_zero(r->inner, inner_len);
        if (s->state == SESS_NONE || !out->aead) {
                /* the request ended the session (a failed FINISH): answer in the clear */
                memcpy(rsp, o.buf, o.len <= cap ? o.len : 0);
                *rsp_len = o.len <= cap ? o.len : 0;
                return true;
        }
        if (!spdm_secured_seal(out, s->id, o.buf, o.len, NULL, 0, rsp, cap, rsp_len)) {
                session_end(r);
                o.len = 0;
                error_rsp(r, &o, SPDM_ERR_UNSPECIFIED, 0);
                memcpy(rsp, o.buf, o.len);
                *rsp_len = o.len;
                return true;
        }
        *rsp_secured = true;
        post_actions(r);
        return true;
}

/* ---- life cycle ---- */

bool spdm_responder_new(struct spdm_responder **out, const struct spdm_responder_cfg *cfg, char *why)
{
        struct spdm_responder *r;
        size_t n = 0;

        *out = NULL;
        if (!cfg->drbg) {
                why_set(why, 128, "no random generator");
                return false;
        }
        if (!cfg->leaf_key || !ec_key_has_private(cfg->leaf_key)) {
                why_set(why, 128, "no private leaf key");
                return false;
        }
        if (cfg->nmeas > SPDM_RSP_MAX_MEAS) {
                why_set(why, 128, "too many measurements");
                return false;
        }
        for (unsigned i = 0; i < cfg->nmeas; i++) {
                const struct spdm_meas_source *m = &cfg->meas[i];
                if (m->index == 0 || m->index == 0xFF || (m->raw && m->len > 0xFFFF - 3) || (m->len && !m->value)) {
                        why_set(why, 128, "a measurement has index 0 or 0xFF, or no value");
                        return false;
                }
                for (unsigned j = 0; j < i; j++)
                        if (cfg->meas[j].index == m->index) {
                                why_set(why, 128, "two measurements share an index");
                                return false;
                        }
        }
        /* the root: the first DER element of the chain */
        struct spdm_cert_chain c = { .certs = cfg->chain_der, .certs_len = cfg->chain_der_len };
        const uint8_t *cert;
        size_t cert_len;
        if (!cfg->chain_der || spdm_cert_chain_next(&c, &n, &cert, &cert_len, NULL) != SPDM_ITER_ITEM) {
                why_set(why, 128, "the certificate chain does not start with a DER certificate");
                return false;
        }
        if (!(r = calloc(1, sizeof(*r))) || !(r->msg = malloc(MSG_MAX)) || !(r->inner = malloc(MSG_MAX))) {
                if (r) {
                        free(r->msg);
                        free(r);
                }
                why_set(why, 128, "out of memory");
                return false;
        }
        r->cfg = *cfg;
        r->root_len = cert_len;
        r->our_caps = SPDM_CAP_CERT | SPDM_CAP_CHAL | SPDM_CAP_MEAS_SIG | SPDM_CAP_MEAS_FRESH | SPDM_CAP_ENCRYPT |
                      SPDM_CAP_MAC | SPDM_CAP_KEY_EX | SPDM_CAP_HBEAT | SPDM_CAP_KEY_UPD |
                      (cfg->no_handshake_in_the_clear ? 0 : SPDM_CAP_HANDSHAKE_IN_THE_CLEAR);
        spdm_transcript_init(&r->a, TRANSCRIPT_MAX);
        spdm_transcript_init(&r->b, TRANSCRIPT_MAX);
        spdm_transcript_init(&r->c, TRANSCRIPT_MAX);
        spdm_transcript_init(&r->m, TRANSCRIPT_MAX);
        spdm_transcript_init(&r->s.th, TRANSCRIPT_MAX);
        spdm_transcript_init(&r->s.mm, TRANSCRIPT_MAX);
        *out = r;
        return true;
}

void spdm_responder_free(struct spdm_responder *r)
{
        if (!r)
                return;
        r->cfg.session_ended = NULL;    /* whoever listened may be gone already */
        conn_reset(r);
        spdm_transcript_free(&r->a);
        spdm_transcript_free(&r->b);
        spdm_transcript_free(&r->c);
        spdm_transcript_free(&r->m);
        spdm_transcript_free(&r->s.th);
        spdm_transcript_free(&r->s.mm);
        secure_zero(r->msg, MSG_MAX);
        secure_zero(r->inner, MSG_MAX);
        free(r->msg);
        free(r->inner);
        free(r);
}

const struct spdm_responder_stats *spdm_responder_stats(const struct spdm_responder *r)
{
        return &r->stats;
}

void spdm_responder_meas_fault(struct spdm_responder *r, enum spdm_rsp_meas_fault f)
{
        r->meas_fault = f;
}

bool spdm_responder_session(const struct spdm_responder *r, uint32_t *session_id)
{
        if (r->s.state != SESS_ESTABLISHED)
                return false;
        *session_id = r->s.id;
        return true;
}
