/* The RMM's side of attestation (DEN0137 1.0 A7.2): what it keeps from the platform at its
 * first use (the RAK, and the platform token bound to it), and the realm token it builds
 * and signs for a Realm's challenge, wrapped with the platform token in the collection.
 *
 * As TF-RMM v1.0 does at boot (attest_init), the RMM asks the platform once for the RAK and
 * for the platform token whose challenge is SHA-256 of the RAK as claim 44237 encodes it:
 * the 97-byte point, or its COSE_Key when tokens carry the realm profile. It does so at the
 * first token a Realm asks for, so that machines that never attest never derive keys. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rmm/rmm_internal.h"

struct rmm_attest {
        struct attest_platform *platform;
        uint8_t rak_claim[CCA_RAK_CLAIM_MAX];   /* claim 44237 as every realm token encodes it */
        size_t rak_claim_len;
        uint8_t plat_token[CCA_SUBTOKEN_MAX];   /* the platform's COSE_Sign1 */
        size_t plat_len;
};

static bool attest_setup(struct ccada_rmm *rmm, struct rmm_attest *a, char *why)
{
        uint8_t point[EC_POINT_MAX], challenge[HASH_MAX_LEN];
        size_t plen = 0;

        if (!attest_platform_create(&a->platform, rmm->cfg.seed, rmm->iak_pem, rmm->cfg.token_profile, why))
                return false;
        if (!ec_key_point(attest_platform_rak(a->platform), point, sizeof(point), &plen)) {
                snprintf(why, RMM_ATTEST_WHY_LEN, "realm attestation key: no public point (OpenSSL)");
                return false;
        }
        if (rmm->cfg.token_profile) {
                if (!cca_rak_cose_key_encode(point, plen, a->rak_claim, sizeof(a->rak_claim), &a->rak_claim_len))
                        goto encode;
        } else {
                memcpy(a->rak_claim, point, plen);
                a->rak_claim_len = plen;
        }
        if (!hash_once(HASH_SHA256, a->rak_claim, a->rak_claim_len, challenge) ||
            !attest_platform_token(a->platform, challenge, 32, a->plat_token, sizeof(a->plat_token), &a->plat_len))
                goto encode;
        return true;
encode:
        snprintf(why, RMM_ATTEST_WHY_LEN, "platform token: encoding or signing failed");
        return false;
}

struct rmm_attest *rmm_attest_get(struct ccada_rmm *rmm, char *why)
{
        if (rmm->attest)
                return rmm->attest;
        struct rmm_attest *a = calloc(1, sizeof(*a));
        if (!a) {
                snprintf(why, RMM_ATTEST_WHY_LEN, "out of memory");
                return NULL;
        }
        if (!attest_setup(rmm, a, why)) {
                rmm_attest_free(a);
                return NULL;
        }
        rmm->attest = a;
        return a;
}

void rmm_attest_free(struct rmm_attest *a)
{
        if (!a)
                return;
        attest_platform_destroy(a->platform);
        free(a);
}

bool rmm_realm_rim(struct ccada_rmm *rmm, uint64_t rd, uint8_t out[64], size_t *len)
{
        struct granule *g = granule_find(rmm, rd, GRANULE_RD);
        if (!g)
                return false;
        *len = hash_len(g->u.realm->hash);
        memcpy(out, g->u.realm->rim, *len);
        return true;
}

bool rmm_attest_iak_public_pem(struct ccada_rmm *rmm, char **pem, char *why)
{
        struct rmm_attest *a = rmm_attest_get(rmm, why);
        *pem = NULL;
        if (a && !ec_key_public_pem(attest_platform_iak(a->platform), pem))
                snprintf(why, RMM_ATTEST_WHY_LEN, "platform attestation key: PEM export failed (OpenSSL)");
        return *pem != NULL;
}

/* DEN0137 1.0 A7.2.3.1: the realm claims of rec's Realm for challenge, as they are now. */
bool attest_realm_claims_encode(const struct rmm_attest *a, const struct realm *realm, const uint8_t *challenge,
                                bool profile, uint8_t *out, size_t cap, size_t *len)
{
        struct cca_realm_claims c;
        size_t n = hash_len(realm->hash);

        memset(&c, 0, sizeof(c));
        memcpy(c.challenge, challenge, CCA_CHALLENGE_LEN);
        c.has_profile = profile;
        memcpy(c.rpv, realm->rpv, CCA_RPV_LEN);
        snprintf(c.hash_algo, sizeof(c.hash_algo), "%s", hash_alg_name(realm->hash));
        memcpy(c.rak, a->rak_claim, a->rak_claim_len);
        c.rak_len = a->rak_claim_len;
        memcpy(c.rim, realm->rim, n);
        for (unsigned i = 0; i < CCA_REM_COUNT; i++)
                memcpy(c.rem[i], realm->rem[i], n);
        c.meas_len = n;
        snprintf(c.rak_hash_algo, sizeof(c.rak_hash_algo), "sha-256");
        return cca_realm_claims_encode(&c, out, cap, len);
}

/* Signs the realm claims with the RAK and wraps both tokens in the collection. */
bool attest_token_build(const struct rmm_attest *a, enum cca_form form, const uint8_t *claims, size_t claims_len,
                        uint8_t *out, size_t cap, size_t *len)
{
        uint8_t realm_token[CCA_SUBTOKEN_MAX];
        size_t rlen = 0;
        return attest_sign1(attest_platform_rak(a->platform), claims, claims_len, realm_token, sizeof(realm_token),
                            &rlen) &&
               cca_collection_encode(form, a->plat_token, a->plat_len, realm_token, rlen, out, cap, len);
}
