/* Elliptic-curve keys, ECDSA and ECDH over OpenSSL 3 (FIPS 186-5; SEC 1 v2 point encoding;
 * SP 800-56A Rev.3 §5.7.1.2): what the attestation token's signers and verifiers need, and
 * SPDM's (signatures over transcripts, the DHE secret of KEY_EXCHANGE).
 *
 * Signatures are raw r || s, each zero-padded to the curve's coordinate size, as COSE
 * (RFC 9053 §2.1) and SPDM carry them; OpenSSL's DER form never leaves this file.
 * Signing draws its nonce from OpenSSL's generator (OpenSSL 3.0 has no RFC 6979), so two
 * signatures of one message differ; keys derived from a seed do not.
 */
#ifndef CCADA_LIB_EC_H
#define CCADA_LIB_EC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/crypto.h"

enum ec_curve {
        EC_P256,        /* secp256r1, ES256 */
        EC_P384,        /* secp384r1, ES384 */
};

#define EC_COORD_MAX 48
#define EC_POINT_MAX (1 + 2 * EC_COORD_MAX)     /* 0x04 || x || y */
#define EC_SIG_MAX (2 * EC_COORD_MAX)
#define EC_WHY_LEN 128

size_t ec_coord_len(enum ec_curve c);   /* 32, 48 */
size_t ec_point_len(enum ec_curve c);   /* 65, 97 */
size_t ec_sig_len(enum ec_curve c);     /* 64, 96 */
const char *ec_curve_name(enum ec_curve c); /* "P-256", "P-384" */

struct ec_key;

/* A key pair derived from seed bytes and a label that names its use ("ccada IAK"): the
 * private scalar is the first of SHA-512(label || 0x00 || seed || counter), counter a
 * big-endian uint32 from 0, truncated to the coordinate size, that lies in [1, n-1].
 * Same inputs, same key. */
bool ec_key_derive(struct ec_key **out, enum ec_curve c, const uint8_t *seed, size_t seed_len, const char *label);
/* A key pair from its private scalar d: len == ec_coord_len(c) big-endian bytes (leading
 * zeroes kept), 1 <= d <= n-1; false for any other length or value. The caller wipes d. */
bool ec_key_from_scalar(struct ec_key **out, enum ec_curve c, const uint8_t *d, size_t len);
/* A fresh key pair from OpenSSL's generator. */
bool ec_key_generate(struct ec_key **out, enum ec_curve c);
/* A public key from its SEC 1 uncompressed point; false if the point is not on the curve. */
bool ec_key_from_point(struct ec_key **out, enum ec_curve c, const uint8_t *point, size_t len);
/* A P-256 or P-384 key from PEM text: a private key (PKCS#8 or SEC 1 "EC PRIVATE KEY") or a
 * public one (SubjectPublicKeyInfo). On failure why (EC_WHY_LEN) says what was wrong. */
bool ec_key_from_pem(struct ec_key **out, const char *pem, size_t len, char *why);
void ec_key_free(struct ec_key *k);     /* NULL: no-op; the private scalar is wiped */

enum ec_curve ec_key_curve(const struct ec_key *k);
bool ec_key_has_private(const struct ec_key *k);
/* The SEC 1 uncompressed point into out (ec_point_len bytes). */
bool ec_key_point(const struct ec_key *k, uint8_t *out, size_t cap, size_t *len);
/* The public key as SubjectPublicKeyInfo PEM, NUL-terminated, malloc'd: the caller frees. */
bool ec_key_public_pem(const struct ec_key *k, char **out);
/* The private key as PKCS#8 PEM, NUL-terminated, malloc'd: the caller wipes and frees. */
bool ec_key_private_pem(const struct ec_key *k, char **out);

/* ECDSA over the hash h of msg; sig receives r || s (ec_sig_len bytes). False if k has no
 * private key, cap is short or OpenSSL fails. */
bool ec_sign(const struct ec_key *k, enum hash_alg h, const uint8_t *msg, size_t len, uint8_t *sig, size_t cap,
             size_t *sig_len);
/* True only if sig is ec_sig_len bytes of r || s and verifies over the hash h of msg. */
bool ec_verify(const struct ec_key *k, enum hash_alg h, const uint8_t *msg, size_t len, const uint8_t *sig,
               size_t sig_len);

/* The key's OpenSSL EVP_PKEY, borrowed (valid while k lives), for the other src/lib modules
 * that hand keys to OpenSSL (pki.c signs certificates with it). Not for use outside src/lib. */
struct evp_pkey_st *ec_key_evp(const struct ec_key *k);

/* ECDH (SP 800-56A Rev.3 §5.7.1.2, cofactor 1): secret receives the X coordinate of
 * d_mine * Q_peer, ec_coord_len bytes, big-endian, left zero-padded, as SPDM's DHE secret
 * (DSP0274 1.2 KEY_EXCHANGE) and IKEv2 (RFC 5903 §7) take it. False, with nothing written, if mine has no private
 * key, the two keys are on different curves, cap < ec_coord_len or OpenSSL fails. The
 * caller wipes secret when it is done with it; nothing else of it is left in memory. */
bool ec_ecdh(const struct ec_key *mine, const struct ec_key *peer, uint8_t *secret, size_t cap, size_t *len);

#endif
