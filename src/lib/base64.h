/* Base64 (RFC 4648 §4) and base64url without padding (§5; what JOSE and the Key Broker's
 * API carry), over OpenSSL's block coder. */
#ifndef CCADA_LIB_BASE64_H
#define CCADA_LIB_BASE64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Characters base64url needs for n bytes, without padding, plus the NUL (a constant
 * expression for a constant n, for array sizes). */
#define B64URL_LEN(n) (((n) / 3) * 4 + ((n) % 3 ? (n) % 3 + 1 : 0) + 1)
static inline size_t b64url_len(size_t n) { return B64URL_LEN(n); }

/* n bytes as standard base64 with padding into out (cap >= 4 * ((n + 2) / 3) + 1). */
bool b64_encode(const uint8_t *in, size_t n, char *out, size_t cap);
/* n bytes as base64url without padding into out (cap >= b64url_len(n)), NUL-terminated. */
bool b64url_encode(const uint8_t *in, size_t n, char *out, size_t cap);
/* The bytes of len characters of base64url (padding "=" tolerated at the end only) into out
 * (cap bytes); *n receives their number. False on any other character, a length no
 * encoding has (len % 4 == 1), non-zero unused bits, or more than cap bytes. */
bool b64url_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *n);
/* The same for the standard alphabet (+ /), padding required to a multiple of 4. */
bool b64_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *n);

#endif
