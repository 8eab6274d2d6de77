/* The platform's root of trust as the RMM reaches it through EL3 (DEN0137 1.0 A7.2.2; the
 * RMM-EL3 interface of TF-RMM: SMC_RMM_GET_REALM_ATTEST_KEY 0xC40001B2 gives the RMM its
 * Realm Attestation Key, SMC_RMM_GET_PLAT_TOKEN 0xC40001B3 the platform token bound to a
 * challenge). On real hardware both come from the RSE, which holds the Initial Attestation
 * Key (IAK) and measured the boot chain; here this file is that RSE: it derives both keys
 * from the machine's seed (or takes the IAK from a PEM the user gives), and signs the
 * platform claims with the IAK. The RMM sees only what the two calls return.
 *
 * The modelled platform: implementation id SHA-256("ccada model platform"); instance id
 * 0x01 || SHA-256(IAK public point), as a UEID of type RAND; lifecycle 0x3000 (secured);
 * config the little-endian uint64 1 (RME enabled); four boot-chain components (BL1, BL2,
 * BL31, RMM), each measured as SHA-256("ccada <type> <version>") and signed by
 * SHA-256("ccada platform signer"); hash algorithm sha-256. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "rmm/rmm_internal.h"

struct attest_platform {
        struct ec_key *iak;
        struct ec_key *rak;
        bool profile_2023;
};

static const struct {
        const char *type, *version;
} platform_components[] = {
        { "BL1", "2.10" }, { "BL2", "2.10" }, { "BL31", "2.10" }, { "RMM", "1.0" },
};

/* The seed bytes keys derive from: "ccada machine seed" || le64(seed). */
static void seed_bytes(uint64_t seed, uint8_t out[26])
{
        memcpy(out, "ccada machine seed", 18);
        st_le64(out + 18, seed);
}

bool attest_platform_create(struct attest_platform **out, uint64_t seed, const char *iak_pem, bool profile_2023,
                            char *why)
{
        uint8_t sb[26];
        struct attest_platform *p = calloc(1, sizeof(*p));
        char ec_why[EC_WHY_LEN];

        *out = NULL;
        if (!p) {
                snprintf(why, RMM_ATTEST_WHY_LEN, "out of memory");
                return false;
        }
        p->profile_2023 = profile_2023;
        seed_bytes(seed, sb);
        if (iak_pem && !ec_key_from_pem(&p->iak, iak_pem, strlen(iak_pem), ec_why)) {
                snprintf(why, RMM_ATTEST_WHY_LEN, "platform attestation key: %s", ec_why);
        } else if (iak_pem && !ec_key_has_private(p->iak)) {
                snprintf(why, RMM_ATTEST_WHY_LEN, "platform attestation key: a public key cannot sign; give the private key");
        } else if (!iak_pem && !ec_key_derive(&p->iak, EC_P384, sb, sizeof(sb), "ccada IAK")) {
                snprintf(why, RMM_ATTEST_WHY_LEN, "platform attestation key: derivation failed (OpenSSL)");
        } else if (!ec_key_derive(&p->rak, EC_P384, sb, sizeof(sb), "ccada RAK")) {
                snprintf(why, RMM_ATTEST_WHY_LEN, "realm attestation key: derivation failed (OpenSSL)");
        } else {
                *out = p;
                return true;
        }
        attest_platform_destroy(p);
        return false;
}

void attest_platform_destroy(struct attest_platform *p)
{
        if (!p)
                return;
        ec_key_free(p->iak);
        ec_key_free(p->rak);
        free(p);
}

const struct ec_key *attest_platform_rak(const struct attest_platform *p) { return p->rak; }
const struct ec_key *attest_platform_iak(const struct attest_platform *p) { return p->iak; }

static bool text(char *dst, const char *src)
{
        int n = snprintf(dst, CCA_TEXT_MAX, "%s", src);
        return n >= 0 && n < CCA_TEXT_MAX;
}

/* The platform claims for challenge (32, 48 or 64 bytes). */
static bool platform_claims(const struct attest_platform *p, const uint8_t *challenge, size_t len,
                            struct cca_platform_claims *c)
{
        uint8_t point[EC_POINT_MAX];
        size_t plen = 0;
        char what[CCA_TEXT_MAX + 32];
        static const char impl[] = "ccada model platform", signer[] = "ccada platform signer";

        memset(c, 0, sizeof(*c));
        memcpy(c->challenge, challenge, len);
        c->challenge_len = len;
        c->instance_id[0] = 0x01;
        c->lifecycle = 0x3000;
        st_le64(c->config, 1);
        c->config_len = 8;
        c->nsw = sizeof(platform_components) / sizeof(platform_components[0]);
        bool ok = text(c->profile, p->profile_2023 ? CCA_PLAT_PROFILE_1_0 : CCA_PLAT_PROFILE_LEGACY) &&
                  text(c->hash_algo, "sha-256") && hash_once(HASH_SHA256, impl, strlen(impl), c->implementation_id) &&
                  ec_key_point(p->iak, point, sizeof(point), &plen) &&
                  hash_once(HASH_SHA256, point, plen, c->instance_id + 1);
        for (unsigned i = 0; ok && i < c->nsw; i++) {
                struct cca_sw_component *s = &c->sw[i];
                int n = snprintf(what, sizeof(what), "ccada %s %s", platform_components[i].type,
                                 platform_components[i].version);
                ok = n > 0 && text(s->type, platform_components[i].type) &&
                     text(s->version, platform_components[i].version) && text(s->hash_algo, "sha-256") &&
                     hash_once(HASH_SHA256, what, (size_t)n, s->measurement) &&
                     hash_once(HASH_SHA256, signer, strlen(signer), s->signer_id);
                s->measurement_len = s->signer_id_len = 32;
        }
        return ok;
}

/* Signs payload with key as a COSE_Sign1 (ES384) into out. */
bool attest_sign1(const struct ec_key *key, const uint8_t *payload, size_t payload_len, uint8_t *out, size_t cap,
                  size_t *len)
{
        uint8_t tbs[CCA_SUBTOKEN_MAX + 64], sig[EC_SIG_MAX];
        size_t tbs_len = 0, sig_len = 0;
        return cose_sign1_tbs_encode(COSE_ALG_ES384, payload, payload_len, tbs, sizeof(tbs), &tbs_len) &&
               ec_sign(key, HASH_SHA384, tbs, tbs_len, sig, sizeof(sig), &sig_len) &&
               cose_sign1_encode(COSE_ALG_ES384, payload, payload_len, sig, sig_len, out, cap, len);
}

bool attest_platform_token(const struct attest_platform *p, const uint8_t *challenge, size_t len, uint8_t *out,
                           size_t cap, size_t *out_len)
{
        struct cca_platform_claims *c = malloc(sizeof(*c));
        uint8_t payload[CCA_SUBTOKEN_MAX];
        size_t payload_len = 0;
        bool ok = c && (len == 32 || len == 48 || len == 64) && platform_claims(p, challenge, len, c) &&
                  cca_platform_claims_encode(c, payload, sizeof(payload), &payload_len) &&
                  attest_sign1(p->iak, payload, payload_len, out, cap, out_len);
        free(c);
        return ok;
}
