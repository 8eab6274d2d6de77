/* The RMM's SPDM 1.2 requester. DSP0274 1.2.1, DSP0277 1.1; facts/spdm-tdisp-ide.md §1-2, §7. */
#include "rmm/spdm_requester.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/aead.h"
#include "lib/bytes.h"
#include "lib/crypto.h"
#include "lib/ec.h"
#include "lib/x509_chain.h"
#include "proto/spdm_keys.h"
#include "proto/spdm_secured.h"
#include "proto/spdm_sign.h"
#include "proto/spdm_transcript.h"

#define MSG_MAX         8192u
#define CHAIN_MAX       65535u
#define TRANSCRIPT_MAX  (256u * 1024u)
#define DEFAULT_DTS     4096u
#define REQ_SESSION_ID  0xFFFFu
#define NOT_READY_RETRIES 3

enum step {
        ST_IDLE,
        ST_VERSION,
        ST_CAPABILITIES,
        ST_ALGORITHMS,
        ST_DIGESTS,
        ST_CERTIFICATE,
        ST_NEEDS_KEY,           /* chain in, waiting for the public key (wait_for_pubkey) */
        ST_CHALLENGE,
        ST_MEASUREMENTS,
        ST_KEY_EXCHANGE,
        ST_FINISH,
        ST_SESSION,             /* established, nothing outstanding */
        ST_HEARTBEAT,
        ST_KEY_UPDATE,
        ST_KEY_VERIFY,
        ST_VDM,
        ST_MESSAGE,             /* a whole SPDM request of the caller's (spdm_requester_session_message) */
        ST_END_SESSION,
        ST_ENDED,
        ST_FAILED,
};

struct spdm_requester {
        struct spdm_requester_cfg cfg;
        struct spdm_req_result res;
        enum step step;
        enum spdm_req_error err;
        char why[SPDM_REQ_WHY_LEN];
        struct spdm_sizes sz;
        enum hash_alg hash;
        enum ec_curve asym_curve, dhe_curve;
        enum aead_alg aead;
        uint8_t opaque_fmt;
        struct spdm_capabilities rsp_caps;
        struct spdm_transcript a, b, c, m, th;
        uint8_t *chain;
        size_t chain_len, chain_total;
        uint8_t digest[SPDM_HASH_MAX];
        struct ec_key *leaf;
        uint8_t nonce[SPDM_NONCE_SIZE];
        uint8_t last_req[MSG_MAX];      /* the last request sent (plain) */
        size_t last_req_len;
        unsigned not_ready;
        uint8_t summary_type;
        bool have_summary;
        struct ec_key *eph;
        uint8_t key_update_op, key_update_tag;
        struct spdm_key_schedule ks;
        struct spdm_secured_dir req_hs, rsp_hs, req_data, rsp_data;
        uint8_t *inner;                 /* MSG_MAX: a decrypted response */
        uint8_t *vdm;                   /* the last VENDOR_DEFINED_RESPONSE payload, or the last
                                           answer to a caller's message (ST_MESSAGE) */
        size_t vdm_len;
        bool msg_signed;                /* that message was a signed GET_MEASUREMENTS */
        bool in_clear;
        size_t last_rsp_len;            /* bytes of the last response the transcript took */
};

static const char *const error_names[] = {
        [SPDM_REQ_OK] = "ok",
        [SPDM_REQ_E_MALFORMED] = "malformed",
        [SPDM_REQ_E_UNEXPECTED] = "unexpected-response",
        [SPDM_REQ_E_PEER_ERROR] = "peer-error",
        [SPDM_REQ_E_NEGOTIATION] = "negotiation",
        [SPDM_REQ_E_CERT_CHAIN] = "cert-chain",
        [SPDM_REQ_E_SIGNATURE] = "signature",
        [SPDM_REQ_E_MISMATCH] = "mismatch",
        [SPDM_REQ_E_VERIFY_DATA] = "verify-data",
        [SPDM_REQ_E_SECURED] = "secured-record",
        [SPDM_REQ_E_STATE] = "state",
        [SPDM_REQ_E_INTERNAL] = "internal",
};

const char *spdm_req_error_name(enum spdm_req_error e)
{
        return (unsigned)e < sizeof(error_names) / sizeof(error_names[0]) ? error_names[e] : "unknown";
}

/* ---- failure ---- */

static void wipe_session(struct spdm_requester *r)
{
        spdm_ks_wipe(&r->ks);
        spdm_secured_dir_clear(&r->req_hs);
        spdm_secured_dir_clear(&r->rsp_hs);
        spdm_secured_dir_clear(&r->req_data);
        spdm_secured_dir_clear(&r->rsp_data);
        ec_key_free(r->eph);
        r->eph = NULL;
        r->res.session = false;
}

__attribute__((format(printf, 3, 4))) static enum spdm_req_status fail(struct spdm_requester *r,
                                                                       enum spdm_req_error e, const char *fmt, ...)
{
        va_list ap;
        if (r->step != ST_FAILED) {
                r->err = e;
                va_start(ap, fmt);
                vsnprintf(r->why, sizeof(r->why), fmt, ap);
                va_end(ap);
                r->step = ST_FAILED;
                wipe_session(r);
        }
        return SPDM_REQ_FAILED;
}

/* ---- algorithms ---- */

static bool hash_of(uint32_t bit, enum hash_alg *h)
{
        if (bit == SPDM_HASH_SHA_256)
                *h = HASH_SHA256;
        else if (bit == SPDM_HASH_SHA_384)
                *h = HASH_SHA384;
        else
                return false;
        return true;
}

/* ---- sending ---- */

static void observe(struct spdm_requester *r, bool request, bool secured, const uint8_t *msg, size_t len)
{
        if (r->cfg.observe)
                r->cfg.observe(r->cfg.observe_ctx, request, secured, msg, len);
}

/* Sends the message built in r->last_req (last_req_len bytes), plain or under the session's
 * request key (the handshake key while the session is being set up). */
static enum spdm_req_status send(struct spdm_requester *r, struct spdm_req_out *out, bool secured)
{
        observe(r, true, secured, r->last_req, r->last_req_len);
        r->res.messages++;
        r->not_ready = 0;
        out->secured = secured;
        if (!secured) {
                if (r->last_req_len > out->cap)
                        return fail(r, SPDM_REQ_E_INTERNAL, "output buffer too small");
                memcpy(out->buf, r->last_req, r->last_req_len);
                out->len = r->last_req_len;
                return SPDM_REQ_SEND;
        }
        struct spdm_secured_dir *d = r->step == ST_FINISH ? &r->req_hs : &r->req_data;
        if (!spdm_secured_seal(d, r->res.session_id, r->last_req, r->last_req_len, NULL, 0, out->buf, out->cap,
                               &out->len))
                return fail(r, SPDM_REQ_E_INTERNAL, "sealing the request failed");
        return SPDM_REQ_SEND;
}

/* Encoders write into last_req; a false from one is an internal error. */
#define BUILD(call)                                                                                          \
        do {                                                                                                 \
                if (!(call))                                                                                 \
                        return fail(r, SPDM_REQ_E_INTERNAL, "encoding %s failed", #call);                   \
        } while (0)

static enum spdm_req_status send_get_version(struct spdm_requester *r, struct spdm_req_out *out)
{
        struct spdm_sizes sz = { .version = SPDM_VERSION_10 };
        struct spdm_get_version g = { 0 };
        BUILD(spdm_get_version_encode(r->last_req, MSG_MAX, &g, &sz, &r->last_req_len));
        r->step = ST_VERSION;
        return send(r, out, false);
}

static uint32_t our_dts(const struct spdm_requester *r)
{
        return r->cfg.data_transfer_size ? r->cfg.data_transfer_size : DEFAULT_DTS;
}

static enum spdm_req_status send_get_capabilities(struct spdm_requester *r, struct spdm_req_out *out)
{
        struct spdm_capabilities c = {
                .ct_exponent = 20,      /* TF-RMM's */
                .flags = SPDM_CAP_CERT | SPDM_CAP_ENCRYPT | SPDM_CAP_MAC | SPDM_CAP_KEY_EX | SPDM_CAP_HBEAT |
                         SPDM_CAP_KEY_UPD | (r->cfg.no_handshake_in_the_clear ? 0 : SPDM_CAP_HANDSHAKE_IN_THE_CLEAR),
                .data_transfer_size = our_dts(r),
                .max_spdm_msg_size = our_dts(r),
        };
        BUILD(spdm_get_capabilities_encode(r->last_req, MSG_MAX, &c, &r->sz, &r->last_req_len));
        r->step = ST_CAPABILITIES;
        return send(r, out, false);
}

static enum spdm_req_status send_negotiate_algorithms(struct spdm_requester *r, struct spdm_req_out *out)
{
        struct spdm_algorithms n = {
                .meas_spec = SPDM_MEAS_SPEC_DMTF,
                .other_params = SPDM_OPAQUE_FMT_1,
                .base_asym = SPDM_ASYM_ECDSA_P256 | SPDM_ASYM_ECDSA_P384,
                .base_hash = SPDM_HASH_SHA_256 | SPDM_HASH_SHA_384,
                .alg_count = 3,
                .alg = {
                        { .type = SPDM_ALG_TYPE_DHE, .supported = SPDM_DHE_SECP256R1 | SPDM_DHE_SECP384R1 },
                        { .type = SPDM_ALG_TYPE_AEAD, .supported = SPDM_AEAD_AES_128_GCM | SPDM_AEAD_AES_256_GCM },
                        { .type = SPDM_ALG_TYPE_KEY_SCHEDULE, .supported = SPDM_KEY_SCHEDULE_SPDM },
                },
        };
        BUILD(spdm_negotiate_algorithms_encode(r->last_req, MSG_MAX, &n, &r->sz, &r->last_req_len));
        r->step = ST_ALGORITHMS;
        return send(r, out, false);
}

static enum spdm_req_status send_get_certificate(struct spdm_requester *r, struct spdm_req_out *out)
{
        uint32_t room = r->rsp_caps.data_transfer_size < our_dts(r) ? r->rsp_caps.data_transfer_size : our_dts(r);
        struct spdm_get_certificate g = { .slot_id = 0, .offset = (uint16_t)r->chain_len,
                                          .length = (uint16_t)(room - 8) };
        BUILD(spdm_get_certificate_encode(r->last_req, MSG_MAX, &g, &r->sz, &r->last_req_len));
        r->step = ST_CERTIFICATE;
        return send(r, out, false);
}

/* ---- receiving ---- */

/* Appends the last request and the response's first n bytes to t. */
static bool record(struct spdm_requester *r, struct spdm_transcript *t, const uint8_t *rsp, size_t n)
{
        r->last_rsp_len = n;
        return spdm_transcript_append(t, r->last_req, r->last_req_len) && spdm_transcript_append(t, rsp, n);
}

static bool verify_sig(struct spdm_requester *r, const struct spdm_transcript *t, const char *context,
                       const uint8_t *sig)
{
        uint8_t th[SPDM_HASH_MAX], m[SPDM_SIGNED_MESSAGE_MAX];
        size_t ml;
        return spdm_transcript_hash(t, r->hash, th) &&
               spdm_signed_message(r->sz.version, context, th, hash_len(r->hash), m, sizeof(m), &ml) &&
               ec_verify(r->leaf, r->hash, m, ml, sig, r->sz.sig_len);
}

static enum spdm_req_status on_version(struct spdm_requester *r, const uint8_t *in, size_t len,
                                       struct spdm_req_out *out)
{
        struct spdm_sizes sz = { .version = SPDM_VERSION_10 };
        struct spdm_version v;
        size_t used;
        char why[SPDM_WHY_LEN] = "";
        if (!spdm_version_decode(in, len, &sz, &v, &used, why) || !spdm_trailing_pad_ok(in, len, used))
                return fail(r, SPDM_REQ_E_MALFORMED, "VERSION: %s", why[0] ? why : "bytes after the message");
        bool has12 = false;
        for (unsigned i = 0; i < v.entry_count; i++)
                has12 |= SPDM_VERSION_ENTRY_BYTE(v.entries[i]) == SPDM_VERSION_12;
        if (!has12)
                return fail(r, SPDM_REQ_E_NEGOTIATION, "VERSION: the responder does not speak SPDM 1.2");
        if (!record(r, &r->a, in, used))
                return fail(r, SPDM_REQ_E_INTERNAL, "transcript");
        r->sz.version = SPDM_VERSION_12;
        r->res.version = SPDM_VERSION_12;
        return send_get_capabilities(r, out);
}

static enum spdm_req_status on_capabilities(struct spdm_requester *r, const uint8_t *in, size_t len,
                                            struct spdm_req_out *out)
{
        static const uint32_t need = SPDM_CAP_CERT | SPDM_CAP_CHAL | SPDM_CAP_MEAS_SIG | SPDM_CAP_ENCRYPT |
                                     SPDM_CAP_MAC | SPDM_CAP_KEY_EX;
        struct spdm_capabilities c;
        size_t used;
        char why[SPDM_WHY_LEN] = "";
        if (!spdm_capabilities_decode(in, len, &r->sz, &c, &used, why) || !spdm_trailing_pad_ok(in, len, used))
                return fail(r, SPDM_REQ_E_MALFORMED, "CAPABILITIES: %s", why[0] ? why : "bytes after the message");
        if ((c.flags & need) != need || (c.flags & SPDM_CAP_MEAS_MASK) != SPDM_CAP_MEAS_SIG)
                return fail(r, SPDM_REQ_E_NEGOTIATION,
                            "CAPABILITIES: flags 0x%08x lack one of CERT, CHAL, MEAS (signed), ENCRYPT, MAC, KEY_EX",
                            c.flags);
        if (!record(r, &r->a, in, used))
                return fail(r, SPDM_REQ_E_INTERNAL, "transcript");
        r->rsp_caps = c;
        r->res.rsp_caps = c.flags;
        r->in_clear = !r->cfg.no_handshake_in_the_clear && (c.flags & SPDM_CAP_HANDSHAKE_IN_THE_CLEAR);
        return send_negotiate_algorithms(r, out);
}

static enum spdm_req_status on_algorithms(struct spdm_requester *r, const uint8_t *in, size_t len,
                                          struct spdm_req_out *out)
{
        struct spdm_algorithms a;
        uint16_t dhe = 0, aead = 0, ks = 0;
        size_t used;
        char why[SPDM_WHY_LEN] = "";
        if (!spdm_algorithms_decode(in, len, &r->sz, &a, &used, why) || !spdm_trailing_pad_ok(in, len, used))
                return fail(r, SPDM_REQ_E_MALFORMED, "ALGORITHMS: %s", why[0] ? why : "bytes after the message");
        (void)spdm_algorithms_find(&a, SPDM_ALG_TYPE_DHE, &dhe);
        (void)spdm_algorithms_find(&a, SPDM_ALG_TYPE_AEAD, &aead);
        (void)spdm_algorithms_find(&a, SPDM_ALG_TYPE_KEY_SCHEDULE, &ks);
        if (!hash_of(a.base_hash, &r->hash) ||
            (a.base_asym != SPDM_ASYM_ECDSA_P256 && a.base_asym != SPDM_ASYM_ECDSA_P384) ||
            (dhe != SPDM_DHE_SECP256R1 && dhe != SPDM_DHE_SECP384R1) ||
            (aead != SPDM_AEAD_AES_128_GCM && aead != SPDM_AEAD_AES_256_GCM) || ks != SPDM_KEY_SCHEDULE_SPDM ||
            a.meas_spec != SPDM_MEAS_SPEC_DMTF || !spdm_meas_hash_size(a.meas_hash) ||
            (a.other_params & SPDM_OPAQUE_FMT_MASK) != SPDM_OPAQUE_FMT_1)
                return fail(r, SPDM_REQ_E_NEGOTIATION,
                            "ALGORITHMS: a selection outside the offer (asym 0x%x hash 0x%x dhe 0x%x aead 0x%x "
                            "key schedule 0x%x measurements 0x%x/0x%x opaque 0x%x)",
                            a.base_asym, a.base_hash, dhe, aead, ks, a.meas_spec, a.meas_hash, a.other_params);
        if (!spdm_sizes_from_algorithms(&a, r->sz.version, r->in_clear, &r->sz) || !record(r, &r->a, in, used))
                return fail(r, SPDM_REQ_E_INTERNAL, "sizes");
        r->asym_curve = a.base_asym == SPDM_ASYM_ECDSA_P256 ? EC_P256 : EC_P384;
        r->dhe_curve = dhe == SPDM_DHE_SECP256R1 ? EC_P256 : EC_P384;
        r->aead = aead == SPDM_AEAD_AES_128_GCM ? AEAD_AES_128_GCM : AEAD_AES_256_GCM;
        r->opaque_fmt = SPDM_OPAQUE_FMT_1;
        r->res.algs = a;
        r->res.algs.ext_asym = r->res.algs.ext_hash = NULL;
        for (unsigned i = 0; i < SPDM_ALG_STRUCTS_MAX; i++)
                r->res.algs.alg[i].ext = NULL;
        spdm_algorithms_text(&a, r->res.algorithms, sizeof(r->res.algorithms));
        r->res.hash_len = hash_len(r->hash);
        struct spdm_get_digests g = { 0 };
        BUILD(spdm_get_digests_encode(r->last_req, MSG_MAX, &g, &r->sz, &r->last_req_len));
        r->step = ST_DIGESTS;
        return send(r, out, false);
}

static enum spdm_req_status on_digests(struct spdm_requester *r, const uint8_t *in, size_t len,
                                       struct spdm_req_out *out)
{
        struct spdm_digests d;
        size_t used;
        char why[SPDM_WHY_LEN] = "";
        if (!spdm_digests_decode(in, len, &r->sz, &d, &used, why) || !spdm_trailing_pad_ok(in, len, used))
                return fail(r, SPDM_REQ_E_MALFORMED, "DIGESTS: %s", why[0] ? why : "bytes after the message");
        const uint8_t *slot0 = spdm_digests_slot(&d, &r->sz, 0);
        if (!slot0)
                return fail(r, SPDM_REQ_E_MISMATCH, "DIGESTS: slot 0 holds no certificate chain");
        memcpy(r->digest, slot0, r->sz.hash_len);
        if (!record(r, &r->b, in, used))
                return fail(r, SPDM_REQ_E_INTERNAL, "transcript");
        r->chain_len = r->chain_total = 0;
        return send_get_certificate(r, out);
}

/* The whole chain is in: its digest, header, RootHash and X.509 path to the anchor. */
static enum spdm_req_status check_chain(struct spdm_requester *r)
{
        uint8_t h[SPDM_HASH_MAX], root_hash[SPDM_HASH_MAX];
        struct spdm_cert_chain c;
        struct x509_chain_result xr;
        size_t used, off = 0, cert_len;
        const uint8_t *cert;
        char why[X509_CHAIN_WHY_LEN] = "";

        if (!hash_once(r->hash, r->chain, r->chain_len, h))
                return fail(r, SPDM_REQ_E_INTERNAL, "hash");
        if (memcmp(h, r->digest, r->sz.hash_len) != 0)
                return fail(r, SPDM_REQ_E_CERT_CHAIN, "the certificate chain's hash differs from DIGESTS' slot 0");
        if (!spdm_cert_chain_decode(r->chain, r->chain_len, &r->sz, &c, &used, why) || used != r->chain_len)
                return fail(r, SPDM_REQ_E_CERT_CHAIN, "certificate chain: %s", why[0] ? why : "Length differs");
        if (spdm_cert_chain_next(&c, &off, &cert, &cert_len, why) != SPDM_ITER_ITEM ||
            !hash_once(r->hash, cert, cert_len, root_hash) || memcmp(root_hash, c.root_hash, r->sz.hash_len) != 0)
                return fail(r, SPDM_REQ_E_CERT_CHAIN, "certificate chain: RootHash is not the hash of its first certificate");
        r->res.chain_len = r->chain_len;
        memcpy(r->res.chain_digest, r->digest, r->sz.hash_len);
        if (!r->cfg.trust_anchor)       /* the RMM's way: the Realm checks the chain */
                return SPDM_REQ_SEND;
        if (!x509_chain_verify(c.certs, c.certs_len, r->cfg.trust_anchor, r->cfg.trust_anchor_len, r->cfg.now, &xr,
                               why))
                return fail(r, SPDM_REQ_E_CERT_CHAIN, "certificate chain: %s", why);
        bool curve_ok = ec_key_curve(xr.leaf_key) == r->asym_curve;
        if (!curve_ok) {
                x509_chain_result_clear(&xr);
                return fail(r, SPDM_REQ_E_CERT_CHAIN, "the leaf key's curve is not the negotiated signature algorithm");
        }
        r->leaf = xr.leaf_key;
        xr.leaf_key = NULL;
        snprintf(r->res.leaf_subject, sizeof(r->res.leaf_subject), "%s", xr.leaf_subject);
        snprintf(r->res.root_subject, sizeof(r->res.root_subject), "%s", xr.root_subject);
        r->res.cert_count = (unsigned)xr.count;
        x509_chain_result_clear(&xr);
        return SPDM_REQ_SEND;
}

static enum spdm_req_status send_challenge(struct spdm_requester *r, struct spdm_req_out *out);

static enum spdm_req_status on_certificate(struct spdm_requester *r, const uint8_t *in, size_t len,
                                           struct spdm_req_out *out)
{
        struct spdm_certificate c;
        size_t used;
        char why[SPDM_WHY_LEN] = "";
        if (!spdm_certificate_decode(in, len, &r->sz, &c, &used, why) || !spdm_trailing_pad_ok(in, len, used))
                return fail(r, SPDM_REQ_E_MALFORMED, "CERTIFICATE: %s", why[0] ? why : "bytes after the message");
        uint16_t asked = ld_le16(r->last_req + 6);
        size_t total = r->chain_len + c.portion_length + c.remainder_length;
        if (c.slot_id != 0 || c.portion_length == 0 || c.portion_length > asked)
                return fail(r, SPDM_REQ_E_MISMATCH, "CERTIFICATE: slot %u, %u bytes for a request of %u", c.slot_id,
                            c.portion_length, asked);
        if (total > CHAIN_MAX || (r->chain_total && total != r->chain_total))
                return fail(r, SPDM_REQ_E_MISMATCH, "CERTIFICATE: the chain's size changed between portions");
        if (!r->chain && !(r->chain = malloc(CHAIN_MAX)))
                return fail(r, SPDM_REQ_E_INTERNAL, "out of memory");
        r->chain_total = total;
        memcpy(r->chain + r->chain_len, c.portion, c.portion_length);
        r->chain_len += c.portion_length;
        if (!record(r, &r->b, in, used))
                return fail(r, SPDM_REQ_E_INTERNAL, "transcript");
        if (c.remainder_length)
                return send_get_certificate(r, out);
        if (check_chain(r) != SPDM_REQ_SEND)
                return SPDM_REQ_FAILED;
        if (r->cfg.wait_for_pubkey) {
                r->step = ST_NEEDS_KEY;
                return SPDM_REQ_DONE;
        }
        return send_challenge(r, out);
}

static enum spdm_req_status send_challenge(struct spdm_requester *r, struct spdm_req_out *out)
{
        if (!drbg_bytes(r->cfg.drbg, r->nonce, sizeof(r->nonce)))
                return fail(r, SPDM_REQ_E_INTERNAL, "random");
        struct spdm_challenge ch = { .slot_id = 0, .summary_type = SPDM_SUMMARY_HASH_ALL, .nonce = r->nonce };
        BUILD(spdm_challenge_encode(r->last_req, MSG_MAX, &ch, &r->sz, &r->last_req_len));
        r->step = ST_CHALLENGE;
        return send(r, out, false);
}

static enum spdm_req_status on_challenge_auth(struct spdm_requester *r, const uint8_t *in, size_t len,
                                              struct spdm_req_out *out)
{
        struct spdm_challenge_auth ca;
        size_t used;
        char why[SPDM_WHY_LEN] = "";
        if (!spdm_challenge_auth_decode(in, len, &r->sz, SPDM_SUMMARY_HASH_ALL, &ca, &used, why) ||
            !spdm_trailing_pad_ok(in, len, used))
                return fail(r, SPDM_REQ_E_MALFORMED, "CHALLENGE_AUTH: %s", why[0] ? why : "bytes after the message");
        if (ca.slot_id != 0 || !(ca.slot_mask & 1) || ca.basic_mut_auth_req)
                return fail(r, SPDM_REQ_E_MISMATCH, "CHALLENGE_AUTH: slot %u, mask 0x%02x, mutual authentication %d",
                            ca.slot_id, ca.slot_mask, ca.basic_mut_auth_req);
        if (memcmp(ca.cert_chain_hash, r->digest, r->sz.hash_len) != 0)
                return fail(r, SPDM_REQ_E_MISMATCH, "CHALLENGE_AUTH: CertChainHash is not the chain's hash");
        struct spdm_transcript m1;
        spdm_transcript_init(&m1, TRANSCRIPT_MAX);
        bool ok = record(r, &r->c, in, ca.sig_off) && spdm_transcript_append_t(&m1, &r->a) &&
                  spdm_transcript_append_t(&m1, &r->b) && spdm_transcript_append_t(&m1, &r->c);
        bool sig_ok = ok && verify_sig(r, &m1, SPDM_CTX_CHALLENGE_AUTH, ca.signature);
        spdm_transcript_free(&m1);
        spdm_transcript_reset(&r->b);
        spdm_transcript_reset(&r->c);
        if (!ok)
                return fail(r, SPDM_REQ_E_INTERNAL, "transcript");
        if (!sig_ok)
                return fail(r, SPDM_REQ_E_SIGNATURE, "CHALLENGE_AUTH: the signature does not verify with the leaf key");
        memcpy(r->res.meas_summary, ca.meas_summary_hash, r->sz.hash_len);
        r->have_summary = true;
        if (!drbg_bytes(r->cfg.drbg, r->nonce, sizeof(r->nonce)))
                return fail(r, SPDM_REQ_E_INTERNAL, "random");
        struct spdm_get_measurements g = { .attributes = SPDM_MEAS_ATTR_SIG_REQUESTED,
                                           .operation = SPDM_MEAS_OP_ALL, .nonce = r->nonce, .slot_id = 0 };
        BUILD(spdm_get_measurements_encode(r->last_req, MSG_MAX, &g, &r->sz, &r->last_req_len));
        r->step = ST_MEASUREMENTS;
        return send(r, out, false);
}

/* ephemeral key and KEY_EXCHANGE */
static enum spdm_req_status send_key_exchange(struct spdm_requester *r, struct spdm_req_out *out)
{
        uint8_t seed[64], point[EC_POINT_MAX], random[SPDM_RANDOM_SIZE], opaque[64];
        size_t plen, olen;
        struct spdm_opaque_sm sm = { .version_count = 3,
                                     .versions = { SPDM_SM_VERSION_10, SPDM_SM_VERSION_11, SPDM_SM_VERSION_12 } };
        bool ok = drbg_bytes(r->cfg.drbg, seed, sizeof(seed)) &&
                  ec_key_derive(&r->eph, r->dhe_curve, seed, sizeof(seed), "ccada spdm requester dhe") &&
                  ec_key_point(r->eph, point, sizeof(point), &plen) && drbg_bytes(r->cfg.drbg, random, sizeof(random)) &&
                  spdm_opaque_sm_encode(opaque, sizeof(opaque), r->opaque_fmt, &sm, &olen);
        secure_zero(seed, sizeof(seed));
        if (!ok)
                return fail(r, SPDM_REQ_E_INTERNAL, "ephemeral key");
        struct spdm_key_exchange ke = { .summary_type = SPDM_SUMMARY_HASH_ALL, .slot_id = 0,
                                        .req_session_id = REQ_SESSION_ID, .random = random, .exchange = point + 1,
                                        .opaque_len = (uint16_t)olen, .opaque = opaque };
        BUILD(spdm_key_exchange_encode(r->last_req, MSG_MAX, &ke, &r->sz, &r->last_req_len));
        r->step = ST_KEY_EXCHANGE;
        return send(r, out, false);
}

static enum spdm_req_status on_measurements(struct spdm_requester *r, const uint8_t *in, size_t len,
                                            struct spdm_req_out *out)
{
        struct spdm_measurements m;
        struct spdm_meas_iter it;
        struct spdm_meas_block b;
        size_t used;
        char why[SPDM_WHY_LEN] = "";
        enum spdm_iter st;

        if (!spdm_measurements_decode(in, len, &r->sz, true, &m, &used, why) || !spdm_trailing_pad_ok(in, len, used))
                return fail(r, SPDM_REQ_E_MALFORMED, "MEASUREMENTS: %s", why[0] ? why : "bytes after the message");
        if (m.slot_id != 0)
                return fail(r, SPDM_REQ_E_MISMATCH, "MEASUREMENTS: signed with slot %u, asked slot 0", m.slot_id);
        struct spdm_transcript l1;
        spdm_transcript_init(&l1, TRANSCRIPT_MAX);
        bool ok = record(r, &r->m, in, m.sig_off) && spdm_transcript_append_t(&l1, &r->a) &&
                  spdm_transcript_append_t(&l1, &r->m);
        bool sig_ok = ok && verify_sig(r, &l1, SPDM_CTX_MEASUREMENTS, m.signature);
        spdm_transcript_free(&l1);
        spdm_transcript_reset(&r->m);
        if (!ok)
                return fail(r, SPDM_REQ_E_INTERNAL, "transcript");
        if (!sig_ok)
                return fail(r, SPDM_REQ_E_SIGNATURE,
                            "MEASUREMENTS: the signature does not verify over this request's nonce (replayed, "
                            "altered or signed by another key)");
        r->res.nmeas = 0;
        spdm_meas_iter_init(&it, m.record, m.record_len, m.num_blocks);
        while ((st = spdm_meas_next(&it, &b, why)) == SPDM_ITER_ITEM) {
                if (r->res.nmeas == SPDM_REQ_MAX_MEAS)
                        return fail(r, SPDM_REQ_E_MALFORMED, "MEASUREMENTS: more than %d blocks", SPDM_REQ_MAX_MEAS);
                struct spdm_req_meas *o = &r->res.meas[r->res.nmeas++];
                o->index = b.index;
                o->value_type = b.value_type;
                o->raw = b.raw;
                o->len = b.value_size;
                memcpy(o->value, b.value, b.value_size < sizeof(o->value) ? b.value_size : sizeof(o->value));
        }
        if (st == SPDM_ITER_ERROR)
                return fail(r, SPDM_REQ_E_MALFORMED, "MEASUREMENTS: %s", why);
        uint8_t h[SPDM_HASH_MAX];
        if (!hash_once(r->hash, m.record, m.record_len, h))
                return fail(r, SPDM_REQ_E_INTERNAL, "hash");
        if (memcmp(h, r->res.meas_summary, r->sz.hash_len) != 0)
                return fail(r, SPDM_REQ_E_MISMATCH,
                            "MEASUREMENTS: the blocks do not hash to CHALLENGE_AUTH's MeasurementSummaryHash");
        return send_key_exchange(r, out);
}

static enum spdm_req_status on_key_exchange_rsp(struct spdm_requester *r, const uint8_t *in, size_t len,
                                                struct spdm_req_out *out)
{
        struct spdm_key_exchange_rsp kr;
        struct spdm_opaque_sm sm;
        struct ec_key *peer = NULL;
        uint8_t point[EC_POINT_MAX], secret[EC_COORD_MAX], ct[SPDM_HASH_MAX], th[SPDM_HASH_MAX], vd[SPDM_HASH_MAX];
        size_t used, slen, h = r->sz.hash_len, coord = ec_coord_len(r->dhe_curve);
        char why[SPDM_WHY_LEN] = "";

        if (!spdm_key_exchange_rsp_decode(in, len, &r->sz, SPDM_SUMMARY_HASH_ALL, &kr, &used, why) ||
            !spdm_trailing_pad_ok(in, len, used))
                return fail(r, SPDM_REQ_E_MALFORMED, "KEY_EXCHANGE_RSP: %s", why[0] ? why : "bytes after the message");
        if (kr.mut_auth_requested)
                return fail(r, SPDM_REQ_E_NEGOTIATION, "KEY_EXCHANGE_RSP: mutual authentication requested");
        if (!spdm_opaque_sm_decode(kr.opaque, kr.opaque_len, r->opaque_fmt, &sm, why) || !sm.is_selection ||
            ((sm.selected & 0xFF00u) != SPDM_SM_VERSION_10 && (sm.selected & 0xFF00u) != SPDM_SM_VERSION_11 &&
             (sm.selected & 0xFF00u) != SPDM_SM_VERSION_12))
                return fail(r, SPDM_REQ_E_MISMATCH, "KEY_EXCHANGE_RSP: no secured-message version we offered selected");
        if (memcmp(kr.meas_summary_hash, r->res.meas_summary, h) != 0)
                return fail(r, SPDM_REQ_E_MISMATCH,
                            "KEY_EXCHANGE_RSP: MeasurementSummaryHash differs from the one CHALLENGE_AUTH signed");
        /* transcript up to the signature, then the signature itself */
        bool ok = hash_once(r->hash, r->chain, r->chain_len, ct) && spdm_transcript_append_t(&r->th, &r->a) &&
                  spdm_transcript_append(&r->th, ct, h) && record(r, &r->th, in, kr.sig_off);
        if (!ok)
                return fail(r, SPDM_REQ_E_INTERNAL, "transcript");
        if (!verify_sig(r, &r->th, SPDM_CTX_KEY_EXCHANGE_RSP, kr.signature))
                return fail(r, SPDM_REQ_E_SIGNATURE, "KEY_EXCHANGE_RSP: the signature does not verify with the leaf key");
        point[0] = 0x04;
        memcpy(point + 1, kr.exchange, 2 * coord);
        ok = ec_key_from_point(&peer, r->dhe_curve, point, 1 + 2 * coord);
        if (!ok)
                return fail(r, SPDM_REQ_E_MALFORMED, "KEY_EXCHANGE_RSP: ExchangeData is not a point on the curve");
        ok = ec_ecdh(r->eph, peer, secret, sizeof(secret), &slen) &&
             spdm_transcript_append(&r->th, kr.signature, r->sz.sig_len) && spdm_transcript_hash(&r->th, r->hash, th) &&
             spdm_ks_handshake(&r->ks, r->sz.version, r->hash, r->aead, secret, slen, th);
        secure_zero(secret, sizeof(secret));
        ec_key_free(peer);
        ec_key_free(r->eph);
        r->eph = NULL;
        if (!ok)
                return fail(r, SPDM_REQ_E_INTERNAL, "key schedule");
        if (!r->in_clear) {
                if (!kr.verify_data || !spdm_ks_verify_data(&r->ks, false, th, vd))
                        return fail(r, SPDM_REQ_E_INTERNAL, "verify data");
                if (memcmp(vd, kr.verify_data, h) != 0)
                        return fail(r, SPDM_REQ_E_VERIFY_DATA, "KEY_EXCHANGE_RSP: ResponderVerifyData does not verify");
                if (!spdm_transcript_append(&r->th, kr.verify_data, h))
                        return fail(r, SPDM_REQ_E_INTERNAL, "transcript");
        }
        r->res.sm_version = sm.selected;
        r->res.session_id = (uint32_t)kr.rsp_session_id << 16 | REQ_SESSION_ID;
        if (!spdm_secured_dir_init(&r->req_hs, r->aead, r->ks.req_hs.key, r->ks.req_hs.iv) ||
            !spdm_secured_dir_init(&r->rsp_hs, r->aead, r->ks.rsp_hs.key, r->ks.rsp_hs.iv))
                return fail(r, SPDM_REQ_E_INTERNAL, "keys");
        /* FINISH: RequesterVerifyData over the transcript with FINISH's header */
        struct spdm_finish f = { .sig_included = false, .req_slot_id = 0, .verify_data = vd };
        memset(vd, 0, sizeof(vd));
        BUILD(spdm_finish_encode(r->last_req, MSG_MAX, &f, &r->sz, &r->last_req_len));
        ok = spdm_transcript_append(&r->th, r->last_req, SPDM_HEADER_SIZE) &&
             spdm_transcript_hash(&r->th, r->hash, th) &&
             spdm_ks_verify_data(&r->ks, true, th, r->last_req + SPDM_HEADER_SIZE) &&
             spdm_transcript_append(&r->th, r->last_req + SPDM_HEADER_SIZE, h);
        if (!ok)
                return fail(r, SPDM_REQ_E_INTERNAL, "FINISH");
        r->step = ST_FINISH;
        return send(r, out, !r->in_clear);
}

static enum spdm_req_status on_finish_rsp(struct spdm_requester *r, const uint8_t *in, size_t len)
{
        struct spdm_finish_rsp fr;
        uint8_t th[SPDM_HASH_MAX], vd[SPDM_HASH_MAX];
        size_t used, h = r->sz.hash_len;
        char why[SPDM_WHY_LEN] = "";
        if (!spdm_finish_rsp_decode(in, len, &r->sz, &fr, &used, why) || !spdm_trailing_pad_ok(in, len, used))
                return fail(r, SPDM_REQ_E_MALFORMED, "FINISH_RSP: %s", why[0] ? why : "bytes after the message");
        if (r->in_clear) {
                if (!spdm_transcript_append(&r->th, in, SPDM_HEADER_SIZE) || !spdm_transcript_hash(&r->th, r->hash, th) ||
                    !spdm_ks_verify_data(&r->ks, false, th, vd))
                        return fail(r, SPDM_REQ_E_INTERNAL, "verify data");
                if (memcmp(vd, fr.verify_data, h) != 0)
                        return fail(r, SPDM_REQ_E_VERIFY_DATA, "FINISH_RSP: ResponderVerifyData does not verify");
                if (!spdm_transcript_append(&r->th, fr.verify_data, h))
                        return fail(r, SPDM_REQ_E_INTERNAL, "transcript");
        } else if (!spdm_transcript_append(&r->th, in, used)) {
                return fail(r, SPDM_REQ_E_INTERNAL, "transcript");
        }
        if (!spdm_transcript_hash(&r->th, r->hash, th) || !spdm_ks_data(&r->ks, th) ||
            !spdm_secured_dir_init(&r->req_data, r->aead, r->ks.req_data.key, r->ks.req_data.iv) ||
            !spdm_secured_dir_init(&r->rsp_data, r->aead, r->ks.rsp_data.key, r->ks.rsp_data.iv))
                return fail(r, SPDM_REQ_E_INTERNAL, "data keys");
        spdm_secured_dir_clear(&r->req_hs);
        spdm_secured_dir_clear(&r->rsp_hs);
        r->res.session = true;
        r->step = ST_SESSION;
        return SPDM_REQ_DONE;
}

/* In-session requests and answers. */
static enum spdm_req_status send_in_session(struct spdm_requester *r, struct spdm_req_out *out, enum step st)
{
        r->step = st;
        return send(r, out, true);
}

/* The answer to a caller's message, kept whole (len bytes of it) for
 * spdm_requester_session_response. */
static enum spdm_req_status message_answer(struct spdm_requester *r, const uint8_t *in, size_t len)
{
        if (!r->vdm && !(r->vdm = malloc(MSG_MAX)))
                return fail(r, SPDM_REQ_E_INTERNAL, "out of memory");
        memcpy(r->vdm, in, len);
        r->vdm_len = len;
        r->step = ST_SESSION;
        return SPDM_REQ_DONE;
}

/* MEASUREMENTS to a caller's GET_MEASUREMENTS: it must decode, and when a signature was asked
 * for it must verify over L1 = VCA || this request || the response up to the signature
 * (DSP0274 1.2.1 §10.11: the session's message_m; nothing is kept across requests). */
static enum spdm_req_status on_message_answer(struct spdm_requester *r, const uint8_t *in, size_t len)
{
        struct spdm_measurements m;
        size_t used;
        char why[SPDM_WHY_LEN] = "";
        if (!spdm_measurements_decode(in, len, &r->sz, r->msg_signed, &m, &used, why) ||
            !spdm_trailing_pad_ok(in, len, used))
                return fail(r, SPDM_REQ_E_MALFORMED, "MEASUREMENTS: %s", why[0] ? why : "bytes after the message");
        if (r->msg_signed) {
                if (m.slot_id != 0)
                        return fail(r, SPDM_REQ_E_MISMATCH, "MEASUREMENTS: signed with slot %u, asked slot 0",
                                    m.slot_id);
                struct spdm_transcript l1;
                spdm_transcript_init(&l1, TRANSCRIPT_MAX);
                bool ok = spdm_transcript_append_t(&l1, &r->a) &&
                          spdm_transcript_append(&l1, r->last_req, r->last_req_len) &&
                          spdm_transcript_append(&l1, in, m.sig_off);
                bool sig_ok = ok && verify_sig(r, &l1, SPDM_CTX_MEASUREMENTS, m.signature);
                spdm_transcript_free(&l1);
                if (!ok)
                        return fail(r, SPDM_REQ_E_INTERNAL, "transcript");
                if (!sig_ok)
                        return fail(r, SPDM_REQ_E_SIGNATURE,
                                    "MEASUREMENTS: the signature does not verify over this request's nonce");
        }
        return message_answer(r, in, used);
}

static bool rekey(struct spdm_requester *r, struct spdm_traffic_keys *k, struct spdm_secured_dir *d)
{
        spdm_secured_dir_clear(d);
        return spdm_ks_update(&r->ks, k) && spdm_secured_dir_init(d, r->aead, k->key, k->iv);
}

static enum spdm_req_status on_session_answer(struct spdm_requester *r, const uint8_t *in, size_t len,
                                              struct spdm_req_out *out)
{
        size_t used;
        char why[SPDM_WHY_LEN] = "";
        switch (r->step) {
        case ST_HEARTBEAT: {
                struct spdm_heartbeat hb;
                if (!spdm_heartbeat_ack_decode(in, len, &r->sz, &hb, &used, why) || used != len)
                        return fail(r, SPDM_REQ_E_MALFORMED, "HEARTBEAT_ACK: %s", why[0] ? why : "bytes after it");
                r->step = ST_SESSION;
                return SPDM_REQ_DONE;
        }
        case ST_KEY_UPDATE:
        case ST_KEY_VERIFY: {
                struct spdm_key_update ku;
                if (!spdm_key_update_ack_decode(in, len, &r->sz, &ku, &used, why) || used != len)
                        return fail(r, SPDM_REQ_E_MALFORMED, "KEY_UPDATE_ACK: %s", why[0] ? why : "bytes after it");
                uint8_t want = r->step == ST_KEY_VERIFY ? SPDM_KEY_UPDATE_OP_VERIFY_NEW_KEY : r->key_update_op;
                if (ku.operation != want || ku.tag != r->key_update_tag)
                        return fail(r, SPDM_REQ_E_MISMATCH, "KEY_UPDATE_ACK: operation %u tag %u, sent %u tag %u",
                                    ku.operation, ku.tag, want, r->key_update_tag);
                if (r->step == ST_KEY_VERIFY) {
                        r->step = ST_SESSION;
                        return SPDM_REQ_DONE;
                }
                /* the ACK came under the old response key; now the new ones */
                if (!rekey(r, &r->ks.req_data, &r->req_data) ||
                    (r->key_update_op == SPDM_KEY_UPDATE_OP_UPDATE_ALL_KEYS &&
                     !rekey(r, &r->ks.rsp_data, &r->rsp_data)))
                        return fail(r, SPDM_REQ_E_INTERNAL, "key update");
                r->key_update_tag++;
                struct spdm_key_update v = { .operation = SPDM_KEY_UPDATE_OP_VERIFY_NEW_KEY, .tag = r->key_update_tag };
                BUILD(spdm_key_update_encode(r->last_req, MSG_MAX, &v, &r->sz, &r->last_req_len));
                return send_in_session(r, out, ST_KEY_VERIFY);
        }
        case ST_VDM: {
                struct spdm_vendor_defined v;
                if (!spdm_vendor_defined_response_decode(in, len, &r->sz, &v, &used, why) || used != len)
                        return fail(r, SPDM_REQ_E_MALFORMED, "VENDOR_DEFINED_RESPONSE: %s",
                                    why[0] ? why : "bytes after it");
                if (!r->vdm && !(r->vdm = malloc(MSG_MAX)))
                        return fail(r, SPDM_REQ_E_INTERNAL, "out of memory");
                memcpy(r->vdm, v.payload, v.payload_len);
                r->vdm_len = v.payload_len;
                r->step = ST_SESSION;
                return SPDM_REQ_DONE;
        }
        case ST_MESSAGE:
                return on_message_answer(r, in, len);
        case ST_END_SESSION: {
                struct spdm_end_session e;
                if (!spdm_end_session_ack_decode(in, len, &r->sz, &e, &used, why) || used != len)
                        return fail(r, SPDM_REQ_E_MALFORMED, "END_SESSION_ACK: %s", why[0] ? why : "bytes after it");
                wipe_session(r);
                r->step = ST_ENDED;
                return SPDM_REQ_DONE;
        }
        default:
                return fail(r, SPDM_REQ_E_STATE, "no request outstanding");
        }
}

/* The response code each step waits for. */
static uint8_t expected(enum step s)
{
        switch (s) {
        case ST_VERSION:
                return SPDM_VERSION;
        case ST_CAPABILITIES:
                return SPDM_CAPABILITIES;
        case ST_ALGORITHMS:
                return SPDM_ALGORITHMS;
        case ST_DIGESTS:
                return SPDM_DIGESTS;
        case ST_CERTIFICATE:
                return SPDM_CERTIFICATE;
        case ST_CHALLENGE:
                return SPDM_CHALLENGE_AUTH;
        case ST_MEASUREMENTS:
                return SPDM_MEASUREMENTS;
        case ST_KEY_EXCHANGE:
                return SPDM_KEY_EXCHANGE_RSP;
        case ST_FINISH:
                return SPDM_FINISH_RSP;
        case ST_HEARTBEAT:
                return SPDM_HEARTBEAT_ACK;
        case ST_KEY_UPDATE:
        case ST_KEY_VERIFY:
                return SPDM_KEY_UPDATE_ACK;
        case ST_VDM:
                return SPDM_VENDOR_DEFINED_RESPONSE;
        case ST_MESSAGE:
                return SPDM_GET_MEASUREMENTS & 0x7Fu;  /* the one request code it accepts */
        case ST_END_SESSION:
                return SPDM_END_SESSION_ACK;
        default:
                return 0;
        }
}

/* Whether the answer to the outstanding request comes as a secured record. */
static bool expect_secured(const struct spdm_requester *r)
{
        return r->step >= ST_HEARTBEAT || (r->step == ST_FINISH && !r->in_clear);
}

enum spdm_req_status spdm_requester_step(struct spdm_requester *r, const uint8_t *rsp, size_t len, bool secured,
                                         struct spdm_req_out *out)
{
        const uint8_t *in = rsp;
        size_t in_len = len;
        char why[SPDM_SECURED_WHY_LEN] = "";

        if (r->step == ST_FAILED)
                return SPDM_REQ_FAILED;
        uint8_t want = expected(r->step);
        if (!want)
                return fail(r, SPDM_REQ_E_STATE, "a response arrived with no request outstanding");
        if (secured) {
                if (!expect_secured(r))
                        return fail(r, SPDM_REQ_E_UNEXPECTED, "a secured record where a plain %s was due",
                                    spdm_code_name(want));
                struct spdm_secured_dir *d = r->step == ST_FINISH ? &r->rsp_hs : &r->rsp_data;
                size_t used;
                if (!spdm_secured_open(d, r->res.session_id, rsp, len, r->inner, MSG_MAX, &in_len, &used, why) ||
                    !spdm_trailing_pad_ok(rsp, len, used))
                        return fail(r, SPDM_REQ_E_SECURED, "secured record: %s", why[0] ? why : "bytes after it");
                in = r->inner;
        }
        struct spdm_header h;
        if (!spdm_header_decode(in, in_len, &h))
                return fail(r, SPDM_REQ_E_MALFORMED, "a response shorter than an SPDM header (%zu bytes)", in_len);
        observe(r, false, secured, in, in_len);
        uint8_t version = r->step == ST_VERSION ? SPDM_VERSION_10 : r->sz.version;
        if (h.version != version)
                return fail(r, SPDM_REQ_E_MISMATCH, "%s with version 0x%02x, negotiated 0x%02x", spdm_code_name(h.code),
                            h.version, version);
        if (h.code == SPDM_ERROR) {
                struct spdm_error e;
                size_t used;
                struct spdm_sizes sz = r->sz;
                sz.version = version;
                if (!spdm_error_decode(in, in_len, &sz, &e, &used, NULL))
                        return fail(r, SPDM_REQ_E_MALFORMED, "an ERROR that does not decode");
                if (e.code == SPDM_ERR_RESPONSE_NOT_READY && e.request_code == r->last_req[1] &&
                    r->not_ready < NOT_READY_RETRIES) {
                        /* DSP0274 1.2.1 §10.10: ask again; the request stays in the transcript */
                        uint8_t again[4] = { r->sz.version, SPDM_RESPOND_IF_READY, e.request_code, e.token };
                        r->not_ready++;
                        observe(r, true, expect_secured(r), again, sizeof(again));
                        out->secured = expect_secured(r);
                        if (!out->secured) {
                                memcpy(out->buf, again, sizeof(again));
                                out->len = sizeof(again);
                                return SPDM_REQ_SEND;
                        }
                        struct spdm_secured_dir *d = r->step == ST_FINISH ? &r->req_hs : &r->req_data;
                        if (!spdm_secured_seal(d, r->res.session_id, again, sizeof(again), NULL, 0, out->buf, out->cap,
                                               &out->len))
                                return fail(r, SPDM_REQ_E_INTERNAL, "sealing RESPOND_IF_READY failed");
                        return SPDM_REQ_SEND;
                }
                if (r->step == ST_MESSAGE)      /* the caller's message: the caller judges the ERROR */
                        return message_answer(r, in, used);
                return fail(r, SPDM_REQ_E_PEER_ERROR, "the device answered %s with ERROR %s (0x%02x, data 0x%02x)",
                            spdm_code_name(r->last_req[1]), spdm_error_name(e.code), e.code, e.data);
        }
        if (h.code != want)
                return fail(r, SPDM_REQ_E_UNEXPECTED, "%s where %s was due", spdm_code_name(h.code),
                            spdm_code_name(want));
        if (expect_secured(r) && !secured)
                return fail(r, SPDM_REQ_E_UNEXPECTED, "a plain %s where a secured one was due", spdm_code_name(want));
        switch (r->step) {
        case ST_VERSION:
                return on_version(r, in, in_len, out);
        case ST_CAPABILITIES:
                return on_capabilities(r, in, in_len, out);
        case ST_ALGORITHMS:
                return on_algorithms(r, in, in_len, out);
        case ST_DIGESTS:
                return on_digests(r, in, in_len, out);
        case ST_CERTIFICATE:
                return on_certificate(r, in, in_len, out);
        case ST_CHALLENGE:
                return on_challenge_auth(r, in, in_len, out);
        case ST_MEASUREMENTS:
                return on_measurements(r, in, in_len, out);
        case ST_KEY_EXCHANGE:
                return on_key_exchange_rsp(r, in, in_len, out);
        case ST_FINISH:
                return on_finish_rsp(r, in, in_len);
        default:
                return on_session_answer(r, in, in_len, out);
        }
}

/* ---- entry points ---- */

enum spdm_req_status spdm_requester_start(struct spdm_requester *r, struct spdm_req_out *out)
{
        if (r->step != ST_IDLE)
                return fail(r, SPDM_REQ_E_STATE, "already started");
        return send_get_version(r, out);
}

size_t spdm_requester_last_response_len(const struct spdm_requester *r)
{
        return r->last_rsp_len;
}

bool spdm_requester_needs_key(const struct spdm_requester *r)
{
        return r->step == ST_NEEDS_KEY;
}

enum spdm_req_status spdm_requester_set_pubkey(struct spdm_requester *r, const uint8_t *point, size_t len,
                                               struct spdm_req_out *out)
{
        struct ec_key *k = NULL;
        if (r->step == ST_FAILED)
                return SPDM_REQ_FAILED;
        if (r->step != ST_NEEDS_KEY)
                return fail(r, SPDM_REQ_E_STATE, "a public key given while none was awaited");
        if (!ec_key_from_point(&k, r->asym_curve, point, len))
                return fail(r, SPDM_REQ_E_MISMATCH, "the public key given is not a point of the negotiated curve");
        if (r->leaf) {  /* the chain was checked: the key must be its leaf's */
                uint8_t a[EC_POINT_MAX], b[EC_POINT_MAX];
                size_t al, bl;
                bool same = ec_key_point(r->leaf, a, sizeof(a), &al) && ec_key_point(k, b, sizeof(b), &bl) &&
                            al == bl && !memcmp(a, b, al);
                if (!same) {
                        ec_key_free(k);
                        return fail(r, SPDM_REQ_E_MISMATCH, "the public key given is not the leaf certificate's");
                }
                ec_key_free(r->leaf);
        }
        r->leaf = k;
        return send_challenge(r, out);
}

static enum spdm_req_status in_session(struct spdm_requester *r)
{
        if (r->step == ST_FAILED)
                return SPDM_REQ_FAILED;
        if (r->step != ST_SESSION)
                return fail(r, SPDM_REQ_E_STATE, "no established session, or a request outstanding");
        return SPDM_REQ_SEND;
}

enum spdm_req_status spdm_requester_heartbeat(struct spdm_requester *r, struct spdm_req_out *out)
{
        if (in_session(r) != SPDM_REQ_SEND)
                return SPDM_REQ_FAILED;
        struct spdm_heartbeat hb = { 0 };
        BUILD(spdm_heartbeat_encode(r->last_req, MSG_MAX, &hb, &r->sz, &r->last_req_len));
        return send_in_session(r, out, ST_HEARTBEAT);
}

enum spdm_req_status spdm_requester_key_update(struct spdm_requester *r, bool all, struct spdm_req_out *out)
{
        if (in_session(r) != SPDM_REQ_SEND)
                return SPDM_REQ_FAILED;
        r->key_update_op = all ? SPDM_KEY_UPDATE_OP_UPDATE_ALL_KEYS : SPDM_KEY_UPDATE_OP_UPDATE_KEY;
        r->key_update_tag++;
        struct spdm_key_update ku = { .operation = r->key_update_op, .tag = r->key_update_tag };
        BUILD(spdm_key_update_encode(r->last_req, MSG_MAX, &ku, &r->sz, &r->last_req_len));
        return send_in_session(r, out, ST_KEY_UPDATE);
}

enum spdm_req_status spdm_requester_end_session(struct spdm_requester *r, struct spdm_req_out *out)
{
        if (in_session(r) != SPDM_REQ_SEND)
                return SPDM_REQ_FAILED;
        struct spdm_end_session e = { 0 };
        BUILD(spdm_end_session_encode(r->last_req, MSG_MAX, &e, &r->sz, &r->last_req_len));
        return send_in_session(r, out, ST_END_SESSION);
}

enum spdm_req_status spdm_requester_vendor_defined(struct spdm_requester *r, uint16_t standard_id,
                                                   const uint8_t *vendor_id, uint8_t vendor_id_len,
                                                   const uint8_t *payload, size_t len, struct spdm_req_out *out)
{
        if (in_session(r) != SPDM_REQ_SEND)
                return SPDM_REQ_FAILED;
        if (len > UINT16_MAX)
                return fail(r, SPDM_REQ_E_STATE, "vendor-defined payload too long");
        struct spdm_vendor_defined v = { .standard_id = standard_id, .vendor_id_len = vendor_id_len,
                                         .vendor_id = vendor_id, .payload_len = (uint16_t)len, .payload = payload };
        BUILD(spdm_vendor_defined_request_encode(r->last_req, MSG_MAX, &v, &r->sz, &r->last_req_len));
        r->vdm_len = 0;
        return send_in_session(r, out, ST_VDM);
}

bool spdm_requester_vdm_response(const struct spdm_requester *r, const uint8_t **payload, size_t *len)
{
        if (!r->vdm || r->step == ST_FAILED)
                return false;
        *payload = r->vdm;
        *len = r->vdm_len;
        return true;
}

enum spdm_req_status spdm_requester_session_message(struct spdm_requester *r, const uint8_t *msg, size_t len,
                                                    struct spdm_req_out *out)
{
        struct spdm_get_measurements g;
        size_t used;
        if (in_session(r) != SPDM_REQ_SEND)
                return SPDM_REQ_FAILED;
        if (len > MSG_MAX || !spdm_get_measurements_decode(msg, len, &r->sz, &g, &used, NULL) || used != len)
                return fail(r, SPDM_REQ_E_STATE, "the caller's message is not a GET_MEASUREMENTS of this session");
        memcpy(r->last_req, msg, len);
        r->last_req_len = len;
        r->msg_signed = g.attributes & SPDM_MEAS_ATTR_SIG_REQUESTED;
        r->vdm_len = 0;
        return send_in_session(r, out, ST_MESSAGE);
}

bool spdm_requester_session_response(const struct spdm_requester *r, const uint8_t **msg, size_t *len)
{
        if (!r->vdm || !r->vdm_len || r->step == ST_FAILED)
                return false;
        *msg = r->vdm;
        *len = r->vdm_len;
        return true;
}

const struct spdm_sizes *spdm_requester_sizes(const struct spdm_requester *r)
{
        return &r->sz;
}

bool spdm_requester_new(struct spdm_requester **out, const struct spdm_requester_cfg *cfg)
{
        struct spdm_requester *r;
        *out = NULL;
        bool anchor_ok = cfg->trust_anchor ? cfg->trust_anchor_len > 0 : cfg->wait_for_pubkey;
        if (!cfg->drbg || !anchor_ok || !(r = calloc(1, sizeof(*r))))
                return false;
        if (!(r->inner = malloc(MSG_MAX))) {
                free(r);
                return false;
        }
        r->cfg = *cfg;
        spdm_transcript_init(&r->a, TRANSCRIPT_MAX);
        spdm_transcript_init(&r->b, TRANSCRIPT_MAX);
        spdm_transcript_init(&r->c, TRANSCRIPT_MAX);
        spdm_transcript_init(&r->m, TRANSCRIPT_MAX);
        spdm_transcript_init(&r->th, TRANSCRIPT_MAX);
        *out = r;
        return true;
}

void spdm_requester_free(struct spdm_requester *r)
{
        if (!r)
                return;
        wipe_session(r);
        ec_key_free(r->leaf);
        spdm_transcript_free(&r->a);
        spdm_transcript_free(&r->b);
        spdm_transcript_free(&r->c);
        spdm_transcript_free(&r->m);
        spdm_transcript_free(&r->th);
        if (r->chain)
                secure_zero(r->chain, r->chain_len);
        free(r->chain);
        secure_zero(r->inner, MSG_MAX);
        free(r->inner);
        free(r->vdm);
        secure_zero(r->last_req, sizeof(r->last_req));
        free(r);
}

const struct spdm_req_result *spdm_requester_result(const struct spdm_requester *r)
{
        return &r->res;
}

bool spdm_requester_chain(const struct spdm_requester *r, const uint8_t **chain, size_t *len)
{
        if (!r->res.chain_len)
                return false;
        *chain = r->chain;
        *len = r->chain_len;
        return true;
}

enum spdm_req_error spdm_requester_error(const struct spdm_requester *r, const char **why)
{
        if (why)
                *why = r->why;
        return r->err;
}
