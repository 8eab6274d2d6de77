/* The relying party's check of a CCA attestation token (DEN0137 1.0 A7.2; the steps of
 * facts rme-swiotlb-virtio.md §4.4, as Veraison's ccatoken takes them): decode the
 * collection and both COSE_Sign1, verify the platform token with the trusted platform key
 * (IAK), take the RAK from the realm token's claim 44237, verify the realm token with it,
 * check the binding (the platform challenge is the hash named by claim 44240 of claim
 * 44237 exactly as encoded), then what the caller asks for: the realm challenge it issued,
 * and the RIM among its reference values. The first check that fails stops the others and
 * is named, with a sentence that says what was wrong. `ccada token verify` and the Key
 * Broker both use this. */
#ifndef CCADA_RELYING_CCA_VERIFY_H
#define CCADA_RELYING_CCA_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/ec.h"
#include "proto/cca_token.h"

enum cca_check {
        CCA_CHECK_DECODE,               /* the collection, a COSE_Sign1 or a claims map */
        CCA_CHECK_PLATFORM_SIGNATURE,   /* the IAK does not verify the platform token */
        CCA_CHECK_REALM_KEY,            /* claim 44237 is not a usable P-384 key */
        CCA_CHECK_REALM_SIGNATURE,      /* the RAK does not verify the realm token */
        CCA_CHECK_BINDING,              /* platform challenge != H(RAK claim) */
        CCA_CHECK_CHALLENGE,            /* not the realm challenge the caller issued */
        CCA_CHECK_REFERENCE_VALUE,      /* the RIM is none of the reference values */
        CCA_CHECK_PASSED,
};
const char *cca_check_name(enum cca_check c); /* "decode", "platform-signature", ... "passed" */

#define CCA_VERIFY_WHY_LEN 200

/* A reference value: a RIM a relying party accepts. */
struct cca_rim {
        uint8_t value[CCA_MEAS_MAX];
        size_t len;                             /* 32, 48 or 64 */
};

struct cca_verify_opts {
        const struct ec_key *iak;               /* the trust anchor (P-256 or P-384) */
        const uint8_t *challenge;               /* the realm challenge issued (NULL: not checked) */
        size_t challenge_len;                   /* 64 */
        const struct cca_rim *rims;             /* reference RIMs (NULL or nrims 0: not checked) */
        size_t nrims;
};

struct cca_verify_result {
        enum cca_check failed;          /* CCA_CHECK_PASSED when every check held */
        char why[CCA_VERIFY_WHY_LEN];   /* "" when passed */
        enum cca_form form;
        int platform_alg, realm_alg;
        size_t platform_len, realm_len; /* the two COSE_Sign1, bytes */
        struct cca_platform_claims platform; /* valid from CCA_CHECK_PLATFORM_SIGNATURE on */
        struct cca_realm_claims realm;
};

/* True when the token passed every check; r says which one failed otherwise. r is large
 * (the claims): allocate it. */
bool cca_verify(const uint8_t *token, size_t len, const struct cca_verify_opts *o, struct cca_verify_result *r);

#endif
