/* A self-signed X.509 v3 server certificate over OpenSSL 3 (RFC 5280), for a TLS server
 * whose clients authenticate it by pin: the SHA-256 of the certificate's DER encoding,
 * handed to them out of band (the lab prints it; the Realm's TLS client, realm/tls.h,
 * compares it). Nothing here builds or checks a chain: the pin is the trust.
 */
#ifndef CCADA_LIB_X509_H
#define CCADA_LIB_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define X509_CERT_WHY_LEN  128
#define X509_CERT_PIN_LEN  32 /* SHA-256 */
#define X509_CERT_CN_MAX   64 /* RFC 5280 Appendix A.1, ub-common-name */
#define X509_CERT_DAYS_MAX 3650u

/* A fresh P-256 key and a certificate for it, signed with itself:
 *   version 3; a random positive serial of 16 octets (126 random bits); issuer = subject = CN=common_name
 *   (UTF-8, 1..X509_CERT_CN_MAX bytes); valid from now for days days (1..X509_CERT_DAYS_MAX);
 *   extensions (RFC 5280 §4.2.1): basicConstraints CA:FALSE (critical), keyUsage
 *   digitalSignature (critical), extendedKeyUsage serverAuth, and, when ip_san is not NULL,
 *   subjectAltName with that one iPAddress (IPv4 dotted quad or IPv6 text);
 *   signature ecdsa-with-SHA256.
 * On success *cert_pem receives the certificate ("-----BEGIN CERTIFICATE-----") and
 * *key_pem the private key as PKCS#8 ("-----BEGIN PRIVATE KEY-----"), both malloc'd and
 * NUL-terminated, and fingerprint the SHA-256 of the certificate's DER (the pin).
 * Ownership: the caller frees both strings, and wipes the key first:
 *   secure_zero(key_pem, strlen(key_pem)); free(key_pem);
 * On failure both are NULL and why (X509_CERT_WHY_LEN) says what was wrong: a bad argument
 * (common_name, ip_san, days) or an OpenSSL step that failed. */
bool x509_self_signed(const char *common_name, const char *ip_san, unsigned days, char **cert_pem,
                      char **key_pem, uint8_t fingerprint[X509_CERT_PIN_LEN], char *why);

/* Whether cert_pem is one PEM certificate OpenSSL reads and key_pem (NUL-terminated both)
 * the private key of its public key: what a TLS server checks before it serves them, so a
 * mismatch is reported as such and not as a handshake that fails later. On success
 * fingerprint (NULL: not wanted) receives the certificate's pin, as x509_self_signed gives
 * it. False with why (X509_CERT_WHY_LEN) naming the part that is wrong. */
bool x509_pair_check(const char *cert_pem, const char *key_pem, uint8_t fingerprint[X509_CERT_PIN_LEN],
                     char *why);

#endif
