/* The device's SPDM responder (device/spdm_responder.c) under any sequence of messages from
 * a hostile host or TSM, plain or secured.
 *
 * Input: byte 0 = flags: bit 0 opens a session first with a scripted requester (VCA, then
 * KEY_EXCHANGE and FINISH in the clear), bit 1 configures the responder without
 * HANDSHAKE_IN_THE_CLEAR (the script then stops after VCA). Then items, each
 *     kind(1) | length(2, LE) | bytes
 * kind bit 0: hand the bytes over as a secured object (DOE type 2); bit 1: if the scripted
 * requester holds the session keys, seal the bytes as the application data of a record
 * first (so the fuzzer reaches the handlers behind the record layer); bits 3:2 pick the
 * response buffer size (64, 200, 1024, 8192 bytes).
 *
 * What must hold after every item: the responder answers (ERROR when nothing else), within
 * the buffer; a plain answer has an SPDM header with a response code and the version 1.0 or
 * 1.2, and an ERROR decodes; a secured answer to a record we sealed opens under the
 * response key we derived independently (keys stay in step, KEY_UPDATE mirrored); and no
 * access outside any buffer (ASan).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "device/spdm_responder.h"
#include "lib/crypto.h"
#include "lib/drbg.h"
#include "lib/ec.h"
#include "lib/pki.h"
#include "proto/spdm.h"
#include "proto/spdm_keys.h"
#include "proto/spdm_secured.h"
#include "proto/spdm_transcript.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BUF 8192

/* The PKI is made once per process (a fuzzer runs millions of inputs; pki_make signs three
 * certificates). It is never changed after it is made. */
static const struct pki *the_pki(void)
{
        static struct pki pki;
        static bool made;
        static const uint8_t seed[] = "ccada fuzz spdm responder";
        if (!made) {
                struct pki_params p = { .not_before = 1767225600, .not_after = 2082758400, .seed = seed,
                                        .seed_len = sizeof(seed) };
                if (!pki_make(&p, &pki, NULL))
                        abort();
                made = true;
        }
        return &pki;
}

static const uint8_t rom[] = "fuzz ROM", fw[] = "fuzz firmware", mode[16] = { 1 };

/* The scripted requester: what it needs to open a session and keep its keys. */
struct script {
        struct spdm_responder *r;
        struct spdm_sizes sz;
        struct spdm_transcript a, th;
        struct spdm_key_schedule ks;
        struct spdm_secured_dir req, rsp;
        bool keyed;
        uint32_t sid;
        uint8_t rsp_buf[BUF];
        size_t rsp_len;
        bool rsp_secured;
};

static void drop_keys(struct script *s)
{
        spdm_ks_wipe(&s->ks);
        spdm_secured_dir_clear(&s->req);
        spdm_secured_dir_clear(&s->rsp);
        s->keyed = false;
}

/* One plain message; false unless the answer is a plain message of code want. */
static bool xchg(struct script *s, const uint8_t *m, size_t n, uint8_t want, bool into_a)
{
        if (!spdm_responder_handle(s->r, false, m, n, s->rsp_buf, BUF, &s->rsp_len, &s->rsp_secured))
                abort();
        if (s->rsp_secured || s->rsp_len < 4 || s->rsp_buf[1] != want)
                return false;
        return !into_a ||
               (spdm_transcript_append(&s->a, m, n) && spdm_transcript_append(&s->a, s->rsp_buf, s->rsp_len));
}

static bool script_vca(struct script *s)
{
        uint8_t m[128];
        size_t n, used;
        struct spdm_sizes v10 = { .version = SPDM_VERSION_10 }, v12 = { .version = SPDM_VERSION_12 };
        struct spdm_get_version gv = { 0 };
        struct spdm_capabilities c = { .ct_exponent = 10,
                                       .flags = SPDM_CAP_CERT | SPDM_CAP_ENCRYPT | SPDM_CAP_MAC | SPDM_CAP_KEY_EX |
                                                SPDM_CAP_HBEAT | SPDM_CAP_KEY_UPD | SPDM_CAP_HANDSHAKE_IN_THE_CLEAR,
                                       .data_transfer_size = 4096,
                                       .max_spdm_msg_size = 4096 };
        struct spdm_algorithms na = {
                .meas_spec = SPDM_MEAS_SPEC_DMTF, .other_params = SPDM_OPAQUE_FMT_1,
                .base_asym = SPDM_ASYM_ECDSA_P384, .base_hash = SPDM_HASH_SHA_384, .alg_count = 3,
                .alg = { { .type = SPDM_ALG_TYPE_DHE, .supported = SPDM_DHE_SECP384R1 },
                         { .type = SPDM_ALG_TYPE_AEAD, .supported = SPDM_AEAD_AES_256_GCM },
                         { .type = SPDM_ALG_TYPE_KEY_SCHEDULE, .supported = SPDM_KEY_SCHEDULE_SPDM } },
        }, sel;
        if (!spdm_get_version_encode(m, sizeof(m), &gv, &v10, &n) || !xchg(s, m, n, SPDM_VERSION, true) ||
            !spdm_get_capabilities_encode(m, sizeof(m), &c, &v12, &n) || !xchg(s, m, n, SPDM_CAPABILITIES, true) ||
            !spdm_negotiate_algorithms_encode(m, sizeof(m), &na, &v12, &n) || !xchg(s, m, n, SPDM_ALGORITHMS, true))
                return false;
        return spdm_algorithms_decode(s->rsp_buf, s->rsp_len, &v12, &sel, &used, NULL) &&
               spdm_sizes_from_algorithms(&sel, SPDM_VERSION_12, true, &s->sz);
}

/* KEY_EXCHANGE and FINISH in the clear (signatures are the tests' business, not this). */
static bool script_session(struct script *s, const struct pki *pki)
{
        static const uint8_t random[SPDM_RANDOM_SIZE] = { 0 };
        struct ec_key *mine = NULL, *peer = NULL;
        uint8_t m[512], point[EC_POINT_MAX], opaque[32], secret[EC_COORD_MAX], th[HASH_MAX_LEN], vd[HASH_MAX_LEN];
        uint8_t chain[4096];
        size_t n, pl, ol, used, sl, h = 48, clen = 4 + h + pki->chain_len;
        struct spdm_opaque_sm sm = { .version_count = 1, .versions = { SPDM_SM_VERSION_11 } };
        struct spdm_key_exchange_rsp kr;
        bool ok;

        if (clen > sizeof(chain))
                return false;
        chain[0] = (uint8_t)(clen & 0xFF);
        chain[1] = (uint8_t)(clen >> 8);
        chain[2] = chain[3] = 0;
        memcpy(chain + 4 + h, pki->chain, pki->chain_len);
        ok = hash_once(HASH_SHA384, pki->root, pki->root_len, chain + 4) && hash_once(HASH_SHA384, chain, clen, th) &&
             ec_key_derive(&mine, EC_P384, random, sizeof(random), "fuzz requester dhe") &&
             ec_key_point(mine, point, sizeof(point), &pl) &&
             spdm_opaque_sm_encode(opaque, sizeof(opaque), SPDM_OPAQUE_FMT_1, &sm, &ol);
        struct spdm_key_exchange ke = { .req_session_id = 0x4321, .random = random, .exchange = point + 1,
                                        .opaque_len = (uint16_t)ol, .opaque = opaque };
        ok = ok && spdm_key_exchange_encode(m, sizeof(m), &ke, &s->sz, &n) && xchg(s, m, n, SPDM_KEY_EXCHANGE_RSP, false) &&
             spdm_key_exchange_rsp_decode(s->rsp_buf, s->rsp_len, &s->sz, 0, &kr, &used, NULL) &&
             spdm_transcript_append_t(&s->th, &s->a) && spdm_transcript_append(&s->th, th, h) &&
             spdm_transcript_append(&s->th, m, n) && spdm_transcript_append(&s->th, s->rsp_buf, used);
        if (ok) {
                point[0] = 0x04;
                memcpy(point + 1, kr.exchange, 96);
                s->sid = (uint32_t)kr.rsp_session_id << 16 | 0x4321u;
        }
        ok = ok && ec_key_from_point(&peer, EC_P384, point, 97) && ec_ecdh(mine, peer, secret, sizeof(secret), &sl) &&
             spdm_transcript_hash(&s->th, HASH_SHA384, th) &&
             spdm_ks_handshake(&s->ks, SPDM_VERSION_12, HASH_SHA384, AEAD_AES_256_GCM, secret, sl, th);
        ec_key_free(mine);
        ec_key_free(peer);
        secure_zero(secret, sizeof(secret));
        /* FINISH: verify data over th || the FINISH header */
        uint8_t fin[4 + HASH_MAX_LEN] = { SPDM_VERSION_12, SPDM_FINISH, 0, 0 };
        ok = ok && spdm_transcript_append(&s->th, fin, 4) && spdm_transcript_hash(&s->th, HASH_SHA384, th) &&
             spdm_ks_verify_data(&s->ks, true, th, vd);
        if (ok)
                memcpy(fin + 4, vd, h);
        ok = ok && spdm_transcript_append(&s->th, vd, h) && xchg(s, fin, 4 + h, SPDM_FINISH_RSP, false) &&
             spdm_transcript_append(&s->th, s->rsp_buf, s->rsp_len) && spdm_transcript_hash(&s->th, HASH_SHA384, th) &&
             spdm_ks_data(&s->ks, th) &&
             spdm_secured_dir_init(&s->req, AEAD_AES_256_GCM, s->ks.req_data.key, s->ks.req_data.iv) &&
             spdm_secured_dir_init(&s->rsp, AEAD_AES_256_GCM, s->ks.rsp_data.key, s->ks.rsp_data.iv);
        s->keyed = ok;
        return ok;
}

/* The checks on a plain answer. */
static void check_plain(const uint8_t *m, size_t len)
{
        struct spdm_header h;
        if (!spdm_header_decode(m, len, &h) || (h.version != SPDM_VERSION_10 && h.version != SPDM_VERSION_12) ||
            (h.code & 0x80))
                abort();
        if (h.code == SPDM_ERROR) {
                struct spdm_sizes sz = { .version = h.version };
                struct spdm_error e;
                size_t used;
                if (!spdm_error_decode(m, len, &sz, &e, &used, NULL) || e.code == 0)
                        abort();
        }
}

/* After our sealed request got a secured answer: it must open under our key, and a
 * KEY_UPDATE_ACK / END_SESSION_ACK moves our keys as the responder's moved. */
static void follow_secured(struct script *s, const uint8_t *req, size_t req_len)
{
        uint8_t app[BUF];
        size_t app_len, used;
        if (!spdm_secured_open(&s->rsp, s->sid, s->rsp_buf, s->rsp_len, app, sizeof(app), &app_len, &used, NULL))
                abort(); /* the responder's keys left ours */
        check_plain(app, app_len);
        if (req_len >= 4 && req[1] == SPDM_KEY_UPDATE && app[1] == SPDM_KEY_UPDATE_ACK) {
                bool all = req[2] == SPDM_KEY_UPDATE_OP_UPDATE_ALL_KEYS;
                if (req[2] != SPDM_KEY_UPDATE_OP_VERIFY_NEW_KEY) {
                        spdm_secured_dir_clear(&s->req);
                        if (!spdm_ks_update(&s->ks, &s->ks.req_data) ||
                            !spdm_secured_dir_init(&s->req, AEAD_AES_256_GCM, s->ks.req_data.key, s->ks.req_data.iv))
                                abort();
                }
                if (all) {
                        spdm_secured_dir_clear(&s->rsp);
                        if (!spdm_ks_update(&s->ks, &s->ks.rsp_data) ||
                            !spdm_secured_dir_init(&s->rsp, AEAD_AES_256_GCM, s->ks.rsp_data.key, s->ks.rsp_data.iv))
                                abort();
                }
        }
        if (app[1] == SPDM_END_SESSION_ACK)
                drop_keys(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const size_t caps[4] = { 64, 200, 1024, BUF };
        static const uint8_t seed[] = "fuzz drbg";
        const struct pki *pki = the_pki();
        struct script s;
        struct drbg *drbg = NULL;
        if (size < 1)
                return 0;
        memset(&s, 0, sizeof(s));
        if (!drbg_new_seeded(&drbg, seed, sizeof(seed), "fuzz"))
                abort();
        struct spdm_responder_cfg cfg = {
                .chain_der = pki->chain, .chain_der_len = pki->chain_len, .leaf_key = pki->leaf_key,
                .meas = { { .index = 1, .value_type = SPDM_MEAS_TYPE_IMMUTABLE_ROM, .value = rom, .len = sizeof(rom) },
                          { .index = 2, .value_type = SPDM_MEAS_TYPE_MUTABLE_FW, .value = fw, .len = sizeof(fw) },
                          { .index = 0xFE, .value_type = SPDM_MEAS_TYPE_DEVICE_MODE, .raw = true, .value = mode,
                            .len = sizeof(mode) } },
                .nmeas = 3,
                .no_handshake_in_the_clear = (data[0] & 2) != 0,
                .drbg = drbg,
        };
        if (!spdm_responder_new(&s.r, &cfg, NULL))
                abort();
        spdm_transcript_init(&s.a, 1u << 16);
        spdm_transcript_init(&s.th, 1u << 16);
        if (data[0] & 1) {
                if (!script_vca(&s))
                        abort(); /* a fresh responder answers a well-formed VCA */
                if (!(data[0] & 2) && !script_session(&s, pki))
                        abort();
        }
        for (size_t i = 1; i + 3 <= size;) {
                uint8_t kind = data[i];
                size_t len = (size_t)data[i + 1] | (size_t)data[i + 2] << 8;
                i += 3;
                if (len > size - i)
                        len = size - i;
                const uint8_t *msg = data + i;
                i += len;
                uint8_t rec[BUF + 64];
                size_t rec_len = len, cap = caps[(kind >> 2) & 3];
                bool ours = (kind & 2) && s.keyed;
                if (ours) {
                        if (!spdm_secured_seal(&s.req, s.sid, msg, len, NULL, 0, rec, sizeof(rec), &rec_len))
                                abort();
                } else {
                        memcpy(rec, msg, len);
                }
                bool secured = ours || (kind & 1);
                if (!spdm_responder_handle(s.r, secured, rec, rec_len, s.rsp_buf, cap, &s.rsp_len, &s.rsp_secured) ||
                    s.rsp_len < 4 || s.rsp_len > cap)
                        abort(); /* always an answer, within the buffer */
                if (!s.rsp_secured) {
                        check_plain(s.rsp_buf, s.rsp_len);
                        if (ours)
                                drop_keys(&s); /* refused in the clear: the session is over */
                } else if (ours) {
                        follow_secured(&s, msg, len);
                } else {
                        abort(); /* a record we did not seal cannot authenticate */
                }
        }
        drop_keys(&s);
        spdm_transcript_free(&s.a);
        spdm_transcript_free(&s.th);
        spdm_responder_free(s.r);
        drbg_free(drbg);
        return 0;
}
