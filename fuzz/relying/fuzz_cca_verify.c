/* The relying party's token check under arbitrary bytes (a token comes from a Realm the
 * verifier does not trust yet, through a host it never trusts). What must hold: no read
 * outside the input (ASan), no leak, and a verdict that is consistent: true exactly when
 * every check passed, a named failed check and a reason otherwise. The trust anchor is a
 * P-384 key derived from a fixed seed, so signatures in the corpus (tests/kat/cca-tokens,
 * made with other keys) reach the signature checks and fail there. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "relying/cca_verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        uint8_t *in = malloc(size ? size : 1); /* exactly the input: ASan sees any overrun */
        struct cca_verify_result *r = malloc(sizeof(*r));
        struct ec_key *iak = NULL;
        static const uint8_t challenge[64];
        if (!in || !r || !ec_key_derive(&iak, EC_P384, (const uint8_t *)"fuzz", 4, "ccada IAK"))
                abort();
        memcpy(in, data, size);
        struct cca_verify_opts o = { .iak = iak, .challenge = size & 1 ? challenge : NULL, .challenge_len = 64 };
        bool ok = cca_verify(in, size, &o, r);
        if (ok != (r->failed == CCA_CHECK_PASSED) || ok != (r->why[0] == '\0') || r->failed > CCA_CHECK_PASSED)
                abort();
        ec_key_free(iak);
        free(r);
        free(in);
        return 0;
}
