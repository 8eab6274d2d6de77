/* The relying party's token check (see cca_verify.h). */
#include "relying/cca_verify.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *cca_check_name(enum cca_check c)
{
        static const char *const names[] = {
                [CCA_CHECK_DECODE] = "decode",
                [CCA_CHECK_PLATFORM_SIGNATURE] = "platform-signature",
                [CCA_CHECK_REALM_KEY] = "realm-key",
                [CCA_CHECK_REALM_SIGNATURE] = "realm-signature",
                [CCA_CHECK_BINDING] = "binding",
                [CCA_CHECK_CHALLENGE] = "challenge",
                [CCA_CHECK_REFERENCE_VALUE] = "reference-value",
                [CCA_CHECK_PASSED] = "passed",
        };
        return (unsigned)c < sizeof(names) / sizeof(names[0]) ? names[c] : "unknown";
}

__attribute__((format(printf, 3, 4))) static bool fail(struct cca_verify_result *r, enum cca_check c,
                                                       const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->why, sizeof(r->why), fmt, ap);
        va_end(ap);
        r->failed = c;
        return false;
}

/* The digest a COSE algorithm signs with, and the curve its key must be on. */
static bool alg_params(int alg, enum hash_alg *h, enum ec_curve *c)
{
        if (alg == COSE_ALG_ES256)
                *h = HASH_SHA256, *c = EC_P256;
        else if (alg == COSE_ALG_ES384)
                *h = HASH_SHA384, *c = EC_P384;
        else
                return false;
        return true;
}

/* Whether key verifies s (RFC 9052 §4.4: the signature over the Sig_structure). */
static bool sign1_verifies(const struct cose_sign1 *s, const struct ec_key *key, const char *which,
                           struct cca_verify_result *r, enum cca_check c)
{
        uint8_t *tbs = malloc(CCA_SUBTOKEN_MAX + 64);
        size_t tbs_len = 0;
        enum hash_alg h;
        enum ec_curve curve;
        bool ok = false;

        if (!tbs)
                return fail(r, c, "%s token: out of memory", which);
        if (!alg_params(s->alg, &h, &curve))
                fail(r, c, "%s token: COSE algorithm %d is not ES256 or ES384", which, s->alg);
        else if (curve != ec_key_curve(key))
                fail(r, c, "%s token: signed %s, but the key is on %s", which, s->alg == COSE_ALG_ES256 ? "ES256" : "ES384",
                     ec_curve_name(ec_key_curve(key)));
        else if (!cose_sign1_tbs_encode(s->alg, s->payload, s->payload_len, tbs, CCA_SUBTOKEN_MAX + 64, &tbs_len))
                fail(r, c, "%s token: its Sig_structure does not fit", which);
        else if (!ec_verify(key, h, tbs, tbs_len, s->sig, s->sig_len))
                fail(r, c, "%s token: the signature does not verify with the %s", which,
                     c == CCA_CHECK_PLATFORM_SIGNATURE ? "platform attestation key (IAK) given" : "RAK of claim 44237");
        else
                ok = true;
        free(tbs);
        return ok;
}

static bool hash_named(const char *name, enum hash_alg *h)
{
        if (!strcmp(name, "sha-256"))
                *h = HASH_SHA256;
        else if (!strcmp(name, "sha-384"))
                *h = HASH_SHA384;
        else if (!strcmp(name, "sha-512"))
                *h = HASH_SHA512;
        else
                return false;
        return true;
}

/* A7.2.3.2 / ccatoken evidence.go: platform challenge == H_44240(claim 44237 as encoded). */
static bool binding_holds(struct cca_verify_result *r)
{
        uint8_t digest[HASH_MAX_LEN];
        enum hash_alg h;
        if (!hash_named(r->realm.rak_hash_algo, &h))
                return fail(r, CCA_CHECK_BINDING, "realm token: claim 44240 names \"%s\", not sha-256, sha-384 or sha-512",
                            r->realm.rak_hash_algo);
        if (!hash_once(h, r->realm.rak, r->realm.rak_len, digest))
                return fail(r, CCA_CHECK_BINDING, "binding: hashing the RAK failed (OpenSSL)");
        if (r->platform.challenge_len != hash_len(h) || memcmp(r->platform.challenge, digest, hash_len(h)) != 0)
                return fail(r, CCA_CHECK_BINDING,
                            "binding: the platform challenge is not the %s of the realm token's RAK claim: the two "
                            "tokens were not made for each other",
                            r->realm.rak_hash_algo);
        return true;
}

static bool decode(const uint8_t *token, size_t len, struct cose_sign1 *plat, struct cose_sign1 *realm,
                   struct cca_verify_result *r)
{
        struct cca_collection *col = malloc(sizeof(*col));
        char why[CCA_WHY_LEN];
        bool ok = false;

        if (!col)
                return fail(r, CCA_CHECK_DECODE, "out of memory");
        if (!cca_collection_decode(token, len, col, why))
                fail(r, CCA_CHECK_DECODE, "collection: %s", why);
        else if (!cose_sign1_decode(col->platform, col->platform_len, plat, why))
                fail(r, CCA_CHECK_DECODE, "platform token: %s", why);
        else if (!cose_sign1_decode(col->realm, col->realm_len, realm, why))
                fail(r, CCA_CHECK_DECODE, "realm token: %s", why);
        else if (!cca_platform_claims_decode(plat->payload, plat->payload_len, &r->platform, why))
                fail(r, CCA_CHECK_DECODE, "platform claims: %s", why);
        else if (!cca_realm_claims_decode(realm->payload, realm->payload_len, &r->realm, why))
                fail(r, CCA_CHECK_DECODE, "realm claims: %s", why);
        else
                ok = true;
        if (ok) {
                r->form = col->form;
                r->platform_len = col->platform_len, r->realm_len = col->realm_len;
                r->platform_alg = plat->alg, r->realm_alg = realm->alg;
        }
        free(col);
        return ok;
}

static bool rim_is_reference(const struct cca_verify_opts *o, const struct cca_realm_claims *c)
{
        for (size_t i = 0; i < o->nrims; i++)
                if (o->rims[i].len == c->meas_len && memcmp(o->rims[i].value, c->rim, c->meas_len) == 0)
                        return true;
        return false;
}

/* The checks after both signatures: the binding, the challenge, the reference values. */
static bool claims_hold(const struct cca_verify_opts *o, struct cca_verify_result *r)
{
        if (!binding_holds(r))
                return false;
        if (o->challenge &&
            (o->challenge_len != CCA_CHALLENGE_LEN || memcmp(o->challenge, r->realm.challenge, CCA_CHALLENGE_LEN) != 0))
                return fail(r, CCA_CHECK_CHALLENGE, "realm token: its challenge (claim 10) is not the one issued");
        if (o->rims && o->nrims && !rim_is_reference(o, &r->realm)) {
                char hex[2 * CCA_MEAS_MAX + 1];
                hex_encode(hex, r->realm.rim, r->realm.meas_len);
                return fail(r, CCA_CHECK_REFERENCE_VALUE, "realm token: its RIM %s is none of the %zu reference values",
                            hex, o->nrims);
        }
        return true;
}

bool cca_verify(const uint8_t *token, size_t len, const struct cca_verify_opts *o, struct cca_verify_result *r)
{
        struct cose_sign1 *s = calloc(2, sizeof(*s));
        struct ec_key *rak = NULL;
        uint8_t point[97];
        char why[CCA_WHY_LEN];
        bool ok = false;

        memset(r, 0, sizeof(*r));
        if (!s)
                return fail(r, CCA_CHECK_DECODE, "out of memory");
        if (!decode(token, len, &s[0], &s[1], r) ||
            !sign1_verifies(&s[0], o->iak, "platform", r, CCA_CHECK_PLATFORM_SIGNATURE))
                goto out;
        if (!cca_rak_point(&r->realm, point, why)) {
                fail(r, CCA_CHECK_REALM_KEY, "realm token: claim 44237: %s", why);
                goto out;
        }
        if (!ec_key_from_point(&rak, EC_P384, point, sizeof(point))) {
                fail(r, CCA_CHECK_REALM_KEY, "realm token: claim 44237 is not a point on P-384");
                goto out;
        }
        ok = sign1_verifies(&s[1], rak, "realm", r, CCA_CHECK_REALM_SIGNATURE) && claims_hold(o, r);
        if (ok)
                r->failed = CCA_CHECK_PASSED;
out:
        ec_key_free(rak);
        free(s);
        return ok;
}
