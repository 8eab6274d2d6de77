/* A test PKI for a device model's SPDM identity (RFC 5280 X.509 v3 over OpenSSL 3): a root CA
 * (self-signed), an intermediate CA signed by the root and a leaf signed by the intermediate,
 * all ECDSA P-384 with ecdsa-with-SHA384 (or, with p256, P-256 with ecdsa-with-SHA256), made by
 * us and never from foreign keys.
 *
 * Each certificate: version 3; serial = 16 bytes of SHA-256 of the subject's public point,
 * first byte 0x40..0x7f (positive, unique per key); validity exactly [not_before, not_after];
 * issuer = the issuer's subject; extensions (RFC 5280 §4.2.1):
 *   root, intermediate: basicConstraints CA:TRUE (critical; the intermediate with pathLen 0),
 *                       keyUsage keyCertSign, cRLSign (critical);
 *   leaf:               basicConstraints CA:FALSE (critical), keyUsage digitalSignature
 *                       (critical);
 *   all three:          subjectKeyIdentifier (SHA-1 of the public key, RFC 5280 §4.2.1.2
 *                       method 1) and authorityKeyIdentifier keyIdentifier = the issuer's SKI.
 * Keys: with a seed, ec_key_derive(P-384, seed, label) with the labels "ccada pki root",
 * "ccada pki intermediate", "ccada pki leaf" (same seed, same keys; the signatures still
 * differ, as OpenSSL 3.0 draws ECDSA nonces at random); without, fresh from OpenSSL.
 */
#ifndef CCADA_LIB_PKI_H
#define CCADA_LIB_PKI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "lib/ec.h"

#define PKI_WHY_LEN 128
#define PKI_SUBJECT_MAX 256

#define PKI_DEFAULT_ROOT "CN=ccada test root CA"
#define PKI_DEFAULT_INTERMEDIATE "CN=ccada test intermediate CA"
#define PKI_DEFAULT_LEAF "CN=ccada device"

struct pki_params {
        /* Subjects as one line "ATTR=value[,ATTR=value...]" in RFC 2253 order (most specific
         * first, as x509_chain prints them), no escapes, values without ',', '=' or '\\';
         * ATTR a short name OpenSSL knows (CN, O, OU, C, ...). NULL: the PKI_DEFAULT_*. */
        const char *root_subject, *intermediate_subject, *leaf_subject;
        time_t not_before, not_after; /* not_before < not_after */
        const uint8_t *seed;          /* NULL or seed_len 0: fresh keys */
        size_t seed_len;
        bool p256;                    /* all three P-256 with ecdsa-with-SHA256 instead */
};

struct pki {
        uint8_t *root, *intermediate, *leaf; /* DER, malloc'd */
        size_t root_len, intermediate_len, leaf_len;
        uint8_t *chain; /* root || intermediate || leaf, as an SPDM chain's Certificates */
        size_t chain_len;
        struct ec_key *root_key, *intermediate_key, *leaf_key; /* private */
};

/* Makes the three certificates and keys into *out (all owned by it: pki_free). False, with
 * *out all NULL and why (PKI_WHY_LEN) saying what was wrong: a subject, the validity window,
 * or an OpenSSL step. */
bool pki_make(const struct pki_params *p, struct pki *out, char *why);
/* Frees everything in p, wiping the private keys, and zeroes p. NULL: no-op. */
void pki_free(struct pki *p);

#endif
