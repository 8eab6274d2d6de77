/* RSA keys for key wrapping over OpenSSL 3 (RFC 8017): what the Key Broker wraps a secret
 * to (a JWK's n and e, RFC 7518 §6.3.1) and what a Realm client unwraps it with.
 * RSA1_5 is RSAES-PKCS1-v1_5, RSA-OAEP is RSAES-OAEP with SHA-256 and MGF1-SHA-256, as the
 * keybroker-demo server uses them. */
#ifndef CCADA_LIB_RSA_H
#define CCADA_LIB_RSA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum rsa_wrap { RSA_WRAP_PKCS1_V15, RSA_WRAP_OAEP_SHA256 };

#define RSA_MIN_BITS 1024       /* the keybroker client's ephemeral key */
#define RSA_MAX_BITS 4096
#define RSA_MAX_BYTES (RSA_MAX_BITS / 8)

struct rsa_key;

/* A public key from big-endian modulus and exponent bytes. False unless the modulus is
 * RSA_MIN_BITS..RSA_MAX_BITS and odd, and the exponent is odd and from 3 to 2^32-1. */
bool rsa_key_from_ne(struct rsa_key **out, const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len);
/* A fresh key pair (e = 65537) of bits bits (RSA_MIN_BITS..RSA_MAX_BITS). */
bool rsa_key_generate(struct rsa_key **out, unsigned bits);
void rsa_key_free(struct rsa_key *k); /* NULL: no-op */
/* The modulus and exponent, big-endian, without leading zeros, into n (RSA_MAX_BYTES) and
 * e (8 bytes). */
bool rsa_key_ne(const struct rsa_key *k, uint8_t *n, size_t *n_len, uint8_t *e, size_t *e_len);
size_t rsa_key_bytes(const struct rsa_key *k);

/* Encrypts len bytes to k; out receives rsa_key_bytes(k) bytes. False if msg is too long
 * for the padding or OpenSSL fails. */
bool rsa_wrap(const struct rsa_key *k, enum rsa_wrap w, const uint8_t *msg, size_t len, uint8_t *out, size_t cap,
              size_t *out_len);
/* Decrypts with k's private half; false on any failure (wrong key, bad padding). */
bool rsa_unwrap(const struct rsa_key *k, enum rsa_wrap w, const uint8_t *ct, size_t len, uint8_t *out, size_t cap,
                size_t *out_len);

#endif
