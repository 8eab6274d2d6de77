/* HMAC_DRBG (NIST SP 800-90A Rev.1 §10.1.2, SHA-256) on OpenSSL's EVP_MAC, and a front for
 * RAND_bytes (see drbg.h). */
#include "lib/drbg.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "lib/crypto.h"

#define OUTLEN 32                           /* SHA-256 */
#define RESEED_INTERVAL ((uint64_t)1 << 48) /* SP 800-90A Rev.1 Table 2 */
#define SYSTEM_CHUNK ((size_t)1 << 20)      /* RAND_bytes takes an int */

struct drbg {
        bool deterministic;
        bool broken; /* sticky: an HMAC failed or the reseed interval is spent */
        EVP_MAC_CTX *mac;
        uint8_t key[OUTLEN], v[OUTLEN];
        uint64_t reseed_counter;
};

/* One HMAC input: up to four byte strings, concatenated; n[i] == 0 skips p[i]. */
struct parts {
        const void *p[4];
        size_t n[4];
};

/* out = HMAC-SHA-256(d->key, parts). out may alias a part (it is written last). */
static bool hmac(struct drbg *d, const struct parts *in, uint8_t out[OUTLEN])
{
        OSSL_PARAM params[] = {
                OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
                OSSL_PARAM_construct_end(),
        };
        uint8_t mac[OUTLEN];
        size_t len = 0;
        bool ok = EVP_MAC_init(d->mac, d->key, OUTLEN, params) == 1;
        for (size_t i = 0; ok && i < 4; i++)
                ok = in->n[i] == 0 || EVP_MAC_update(d->mac, in->p[i], in->n[i]) == 1;
        ok = ok && EVP_MAC_final(d->mac, mac, &len, sizeof(mac)) == 1 && len == OUTLEN;
        if (ok)
                memcpy(out, mac, OUTLEN);
        secure_zero(mac, sizeof(mac));
        return ok;
}

/* HMAC_DRBG_Update (§10.1.2.2) with provided_data = a || b (either may be empty):
 *   K = HMAC(K, V || 0x00 || provided_data); V = HMAC(K, V);
 *   if provided_data is not empty: K = HMAC(K, V || 0x01 || provided_data); V = HMAC(K, V). */
static bool update(struct drbg *d, const void *a, size_t a_len, const void *b, size_t b_len)
{
        unsigned rounds = a_len + b_len > 0 ? 2 : 1;
        for (unsigned r = 0; r < rounds; r++) {
                const uint8_t sep = (uint8_t)r;
                struct parts k_in = { { d->v, &sep, a, b }, { OUTLEN, 1, a_len, b_len } };
                struct parts v_in = { { d->v }, { OUTLEN } };
                if (!hmac(d, &k_in, d->key) || !hmac(d, &v_in, d->v))
                        return false;
        }
        return true;
}

/* HMAC_DRBG_Generate (§10.1.2.5) of n <= DRBG_MAX_REQUEST bytes, no additional input. */
static bool generate(struct drbg *d, uint8_t *out, size_t n)
{
        struct parts v_in = { { d->v }, { OUTLEN } };
        if (d->reseed_counter > RESEED_INTERVAL)
                return false; /* step 1: a reseed is required, and this generator has no entropy source */
        for (size_t off = 0; off < n; off += OUTLEN) {
                if (!hmac(d, &v_in, d->v))
                        return false;
                memcpy(out + off, d->v, n - off < OUTLEN ? n - off : OUTLEN);
        }
        if (!update(d, NULL, 0, NULL, 0))
                return false;
        d->reseed_counter++;
        return true;
}

bool drbg_new_seeded(struct drbg **out, const uint8_t *seed, size_t seed_len, const char *label)
{
        struct drbg *d = NULL;
        EVP_MAC *mac = NULL;
        *out = NULL;
        if (seed_len == 0 || !seed || !label || !(d = calloc(1, sizeof(*d))))
                return false;
        d->deterministic = true;
        mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
        d->mac = mac ? EVP_MAC_CTX_new(mac) : NULL;
        EVP_MAC_free(mac); /* the context keeps its own reference */
        /* §10.1.2.3: Key = 0x00..00, V = 0x01..01, Update(seed_material), reseed_counter = 1 */
        memset(d->key, 0x00, OUTLEN);
        memset(d->v, 0x01, OUTLEN);
        d->reseed_counter = 1;
        if (!d->mac || !update(d, seed, seed_len, label, strlen(label))) {
                drbg_free(d);
                return false;
        }
        *out = d;
        return true;
}

bool drbg_new_system(struct drbg **out)
{
        *out = calloc(1, sizeof(**out));
        return *out != NULL;
}

bool drbg_bytes(struct drbg *d, void *out, size_t n)
{
        uint8_t *p = out;
        while (!d->broken && n > 0) {
                size_t chunk = d->deterministic ? (n < DRBG_MAX_REQUEST ? n : DRBG_MAX_REQUEST)
                                                : (n < SYSTEM_CHUNK ? n : SYSTEM_CHUNK);
                bool ok = d->deterministic ? generate(d, p, chunk) : RAND_bytes(p, (int)chunk) == 1;
                d->broken = !ok;
                p += chunk, n -= chunk;
        }
        return !d->broken;
}

bool drbg_is_deterministic(const struct drbg *d) { return d->deterministic; }

void drbg_free(struct drbg *d)
{
        if (!d)
                return;
        EVP_MAC_CTX_free(d->mac); /* OpenSSL wipes the HMAC key it holds */
        secure_zero(d, sizeof(*d));
        free(d);
}
