/* A random bit generator with two modes, behind one handle, for code that needs random bytes
 * (SPDM nonces and RandomData, ephemeral ECDH keys, session IDs) and must also be able to run
 * reproducibly (the deterministic machine: same seed, same run).
 *
 * Deterministic mode is HMAC_DRBG of NIST SP 800-90A Rev.1 §10.1.2 with SHA-256, without
 * prediction resistance, reseeding or additional input, instantiated (§10.1.2.3) with
 *     entropy_input = seed (all its bytes), nonce = empty, personalization_string = label
 * (the label's bytes without its NUL), so its seed material is seed || label (unframed:
 * ("ab", "c") and ("a", "bc") are one stream; labels are fixed names, seeds fixed-size). Each
 * drbg_bytes call is one Generate (§10.1.2.5) per DRBG_MAX_REQUEST bytes of the request, in
 * order; the stream therefore depends on how the caller splits its requests, exactly as
 * SP 800-90A defines it. Same seed, label and request sizes: the same bytes on every run,
 * build and platform. It is built here on OpenSSL's HMAC (EVP_MAC) and not on OpenSSL's own
 * HMAC-DRBG (EVP_RAND): that one can be fed deterministically only through the TEST-RAND
 * parent, which its manual marks "for test purposes only", which wants at least 32 bytes
 * of entropy and 16 of nonce (so not any seed), and whose draw sizes and fork-triggered
 * reseeds are OpenSSL internals; those would decide our stream.
 * Nothing here is a secret generator for production keys: a seeded DRBG is as secret as
 * its seed.
 *
 * System mode draws from OpenSSL's RAND_bytes (its own seeded CTR-DRBG): not reproducible.
 *
 * A drbg is not thread-safe; each owner keeps its own. drbg_free wipes the state.
 */
#ifndef CCADA_LIB_DRBG_H
#define CCADA_LIB_DRBG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest Generate: max_number_of_bits_per_request = 2^19 (SP 800-90A Rev.1 Table 2). */
#define DRBG_MAX_REQUEST 65536u

struct drbg;

/* A deterministic generator (see above). seed: seed_len >= 1 bytes; label: a NUL-terminated
 * name of the stream's use ("ccada device nonces"), "" allowed. False if seed_len is 0,
 * label is NULL or OpenSSL fails; *out is then NULL. The caller may wipe seed afterwards. */
bool drbg_new_seeded(struct drbg **out, const uint8_t *seed, size_t seed_len, const char *label);
/* A generator over OpenSSL's RAND_bytes. False only if allocation fails. */
bool drbg_new_system(struct drbg **out);
/* n random bytes into out (n may be 0; any n, split into requests of at most
 * DRBG_MAX_REQUEST). False if OpenSSL fails or, in deterministic mode, the reseed interval
 * of 2^48 requests is spent; a generator that failed once stays failed (out is then
 * unspecified). */
bool drbg_bytes(struct drbg *d, void *out, size_t n);
/* True for drbg_new_seeded generators. */
bool drbg_is_deterministic(const struct drbg *d);
void drbg_free(struct drbg *d); /* NULL: no-op; the state is wiped */

#endif
