/* The CCA token decoders under arbitrary bytes (a relying party decodes a token before it
 * has checked anything of it). The input goes to all four decoders; what the collection
 * accepts goes on to the COSE_Sign1 decoder, and what that accepts to both claims decoders,
 * so the seeds (whole tokens and bare claims maps) reach every layer. What must hold: no
 * decoder reads outside the bytes it was given (ASan) or leaks (LSan); a refusal says why,
 * NUL-terminated within CCA_WHY_LEN; what a decoder accepts encodes back and decodes to the
 * same struct; accepted realm claims yield their RAK point. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/cca_token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Everything one input needs, on the heap: the structs are kilobytes each. */
struct scratch {
        struct cca_collection col, col2;
        struct cose_sign1 cose, cose2;
        struct cca_platform_claims plat, plat2;
        struct cca_realm_claims realm, realm2;
        uint8_t out[CCA_TOKEN_MAX];
        size_t len;
        char why[CCA_WHY_LEN];
};

/* A copy of exactly n bytes, so that ASan sees a decoder read past the end. */
static uint8_t *exact(const uint8_t *p, size_t n)
{
        uint8_t *copy = malloc(n ? n : 1);
        if (!copy)
                abort();
        memcpy(copy, p, n);
        return copy;
}

/* A decoder's verdict: on refusal, a reason. */
static bool accepted(bool ok, const char *why)
{
        if (!ok && (!why[0] || memchr(why, 0, CCA_WHY_LEN) == NULL))
                abort();
        return ok;
}

static void claims(const uint8_t *in, size_t n, struct scratch *s)
{
        uint8_t point[97];
        if (accepted(cca_platform_claims_decode(in, n, &s->plat, s->why), s->why) &&
            (!cca_platform_claims_encode(&s->plat, s->out, sizeof(s->out), &s->len) ||
             !cca_platform_claims_decode(s->out, s->len, &s->plat2, s->why) ||
             memcmp(&s->plat, &s->plat2, sizeof(s->plat))))
                abort();
        if (accepted(cca_realm_claims_decode(in, n, &s->realm, s->why), s->why) &&
            (!cca_realm_claims_encode(&s->realm, s->out, sizeof(s->out), &s->len) ||
             !cca_realm_claims_decode(s->out, s->len, &s->realm2, s->why) ||
             memcmp(&s->realm, &s->realm2, sizeof(s->realm)) || !cca_rak_point(&s->realm, point, s->why)))
                abort();
}

static void cose(const uint8_t *in, size_t n, struct scratch *s)
{
        const struct cose_sign1 *c = &s->cose;
        uint8_t *payload;
        if (!accepted(cose_sign1_decode(in, n, &s->cose, s->why), s->why))
                return;
        if (!cose_sign1_encode(c->alg, c->payload, c->payload_len, c->sig, c->sig_len, s->out, sizeof(s->out),
                               &s->len) ||
            !cose_sign1_decode(s->out, s->len, &s->cose2, s->why) || memcmp(c, &s->cose2, sizeof(*c)))
                abort();
        payload = exact(c->payload, c->payload_len);
        claims(payload, c->payload_len, s);
        free(payload);
}

static void collection(const uint8_t *in, size_t n, struct scratch *s)
{
        const struct cca_collection *c = &s->col;
        if (!accepted(cca_collection_decode(in, n, &s->col, s->why), s->why))
                return;
        if (!cca_collection_encode(c->form, c->platform, c->platform_len, c->realm, c->realm_len, s->out,
                                   sizeof(s->out), &s->len) ||
            !cca_collection_decode(s->out, s->len, &s->col2, s->why) || memcmp(c, &s->col2, sizeof(*c)))
                abort();
        uint8_t *platform = exact(c->platform, c->platform_len), *realm = exact(c->realm, c->realm_len);
        cose(platform, c->platform_len, s);
        cose(realm, c->realm_len, s);
        free(platform);
        free(realm);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        uint8_t *in = exact(data, size);
        struct scratch *s = calloc(1, sizeof(*s));
        if (!s)
                abort();
        collection(in, size, s);
        cose(in, size, s);
        claims(in, size, s);
        free(s);
        free(in);
        return 0;
}
