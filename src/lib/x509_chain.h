/* X.509 certificate chain verification over OpenSSL 3 (RFC 5280 §6 path validation, done by
 * X509_verify_cert), for the Certificates part of an SPDM certificate chain (DSP0274 1.2
 * GET_CERTIFICATE: ASN.1 DER X.509 v3 certificates concatenated, root first, leaf last).
 *
 * The chain is hostile input: any bytes, any length. It is split by its DER headers (definite
 * lengths only; each certificate must be exactly what its header says), at most
 * X509_CHAIN_MAX_CERTS certificates, no byte left over. The trust anchor (a self-issued root
 * certificate, DER; an intermediate is refused) is the only trusted certificate. The chain's first certificate must be the anchor
 * itself (byte-equal) or be issued by it, and every next certificate must be issued by the one
 * before it (X509_check_issued: names, key identifiers, the issuer's keyUsage), so the path
 * OpenSSL validates is the chain as given, in order. OpenSSL then checks every signature
 * (the anchor's own self-signature too), every validity period at the caller's time, and the
 * basicConstraints and pathLenConstraint of every certificate but the leaf (OpenSSL's default,
 * non-strict rules: a v1 self-signed root counts as a CA). Extended key usage is not checked.
 * The leaf must not be a CA (DSP0274 1.2 leaf certificate requirements), so a chain cut after
 * its root or intermediate does not pass, and its key must be ECDSA P-256 or P-384 (what
 * SPDM's BaseAsymAlgo offers here).
 */
#ifndef CCADA_LIB_X509_CHAIN_H
#define CCADA_LIB_X509_CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "lib/ec.h"

#define X509_CHAIN_WHY_LEN 160
#define X509_CHAIN_MAX_CERTS 8
#define X509_CHAIN_SUBJECT_LEN 128 /* one-line RFC 2253 text, cut (with "...") if longer */

struct x509_chain_result {
        struct ec_key *leaf_key;                    /* owned: x509_chain_result_clear frees it */
        char leaf_subject[X509_CHAIN_SUBJECT_LEN];  /* "CN=DMTF libspdm ECP384 responder cert" */
        char root_subject[X509_CHAIN_SUBJECT_LEN];  /* the trust anchor's subject */
        size_t count;                               /* certificates in the chain as given */
};

/* Verifies chain (chain_len bytes of concatenated DER certificates, root first, leaf last)
 * against the trust anchor (anchor_len bytes, one DER certificate) at the time at.
 * True: *out is filled; the caller calls x509_chain_result_clear when done.
 * False: *out is zeroed (leaf_key NULL) and why (X509_CHAIN_WHY_LEN) says what failed and
 * where, e.g. "certificate 3 of 3 (CN=...): signature does not verify with its issuer's key",
 * "certificate 2 of 3 (CN=...): not valid until 2023-09-12 07:11:33 UTC",
 * "trailing bytes after certificate 2", "certificate 1 of 3 (CN=...): not issued by the trust
 * anchor (CN=...)", "leaf key is RSA-3072; only ECDSA P-256/P-384 are accepted". */
bool x509_chain_verify(const uint8_t *chain, size_t chain_len, const uint8_t *anchor, size_t anchor_len, time_t at,
                       struct x509_chain_result *out, char *why);
/* The last certificate's public key (and, if subject is not NULL, its subject in cap bytes)
 * with no verification at all: what a host does to hand the RMM the device's key
 * (RMI_PDEV_SET_PUBKEY) from a chain it merely cached. The chain is split and parsed as
 * above; the key must be ECDSA P-256 or P-384. False, with why, otherwise. */
bool x509_chain_leaf_key(const uint8_t *chain, size_t chain_len, struct ec_key **key, char *subject, size_t cap,
                         char *why);
/* Frees the leaf key and zeroes r. NULL: no-op. */
void x509_chain_result_clear(struct x509_chain_result *r);

#endif
