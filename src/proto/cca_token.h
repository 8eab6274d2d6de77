/* The CCA attestation token as bytes (DEN0137 1.0 A7.2; draft-ffm-rats-cca-token; facts:
 * rme-swiotlb-virtio.md §4): the collection that holds a platform token and a realm token,
 * each a COSE_Sign1, and the two claims maps. Pure codecs, through libcbor: no keys, no
 * signing, no policy beyond the shapes the specification gives each claim. Signing and
 * verifying are the caller's (rmm/ builds tokens, relying/ verifies them), over the
 * Sig_structure this file encodes.
 *
 * Layouts:
 *   collection, RMM 1.0 (tag 399):   399({44234: bstr(platform COSE_Sign1), 44241: bstr(realm COSE_Sign1)})
 *   collection, CMW (tag 907):       907({44234: [263, bstr], 44241: [263, bstr]})
 *   COSE_Sign1 (tag 18):             18([bstr({1: alg}), {}, bstr(claims map), bstr(r || s)])
 *   Sig_structure (what is signed):  ["Signature1", bstr(protected), bstr(''), bstr(claims map)]
 *
 * Decoders zero the caller's struct, then copy what they return into it (the input is read
 * once and never kept; two decodes of the same content compare equal with memcmp), check
 * every shape rule below, and on failure return false with a sentence in why (CCA_WHY_LEN
 * bytes, always NUL-terminated) that names the part, the claim and the rule, e.g.
 * "realm token: claim 44238 (initial-measurement) is 20 bytes; sha-256 needs 32".
 * On failure the struct's content is unspecified.
 */
#ifndef CCADA_PROTO_CCA_TOKEN_H
#define CCADA_PROTO_CCA_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CCA_WHY_LEN 160

/* CBOR tags and map keys. */
#define CCA_TAG_COLLECTION 399u         /* RMM 1.0, TF-RMM v1.0 */
#define CCA_TAG_CMW_COLLECTION 907u     /* TF-RMM main, veraison/ccatoken Sign() */
#define CCA_CMW_CONTENT_FORMAT 263u     /* application/eat+cwt */
#define CCA_TAG_COSE_SIGN1 18u
#define CCA_KEY_PLATFORM_TOKEN 44234
#define CCA_KEY_REALM_TOKEN 44241

/* COSE algorithms (protected header key 1). */
#define COSE_ALG_ES256 (-7)
#define COSE_ALG_ES384 (-35)
#define COSE_ALG_ES512 (-36)

/* Realm claims (A7.2.3.1), in the order the encoder writes them: veraison/ccatoken's, whose
 * encoding known-answer vector (tests/kat/cca-tokens, CcaRealmClaimsAll) the tests match
 * byte for byte. TF-RMM writes 10, 44236, 44240, 44235, 44237, 44238, 44239; CBOR maps
 * are unordered, and the decoder takes any order. */
#define CCA_REALM_PROFILE 265            /* written only when has_profile */
#define CCA_REALM_CHALLENGE 10
#define CCA_REALM_RPV 44235
#define CCA_REALM_RIM 44238
#define CCA_REALM_REM 44239
#define CCA_REALM_HASH_ALGO 44236
#define CCA_REALM_PUB_KEY 44237
#define CCA_REALM_PUB_KEY_HASH_ALGO 44240
#define CCA_REALM_PROFILE_1_0 "tag:arm.com,2023:realm#1.0.0"

/* Platform claims (A7.2.3.2), in the order the encoder writes them (2400 only when not
 * empty): ccatoken's, as its encoding vectors CcaPlatformClaimsAll and
 * CcaPlatformClaimsMandatoryOnly show. */
#define CCA_PLAT_PROFILE 265
#define CCA_PLAT_CHALLENGE 10
#define CCA_PLAT_IMPLEMENTATION_ID 2396
#define CCA_PLAT_INSTANCE_ID 256
#define CCA_PLAT_CONFIG 2401
#define CCA_PLAT_LIFECYCLE 2395
#define CCA_PLAT_SW_COMPONENTS 2399
#define CCA_PLAT_VERIFICATION_SERVICE 2400
#define CCA_PLAT_HASH_ALGO 2402
#define CCA_PLAT_PROFILE_1_0 "tag:arm.com,2023:cca_platform#1.0.0"
#define CCA_PLAT_PROFILE_LEGACY "http://arm.com/CCA-SSD/1.0.0"
/* Software component map keys, in the order the encoder writes them (1, 4 and 6 only when
 * not empty). */
#define CCA_SW_TYPE 1
#define CCA_SW_MEASUREMENT 2
#define CCA_SW_VERSION 4
#define CCA_SW_SIGNER_ID 5
#define CCA_SW_HASH_ALGO 6

/* Sizes. */
#define CCA_CHALLENGE_LEN 64            /* the realm challenge; the platform's is 32, 48 or 64 */
#define CCA_RPV_LEN 64
#define CCA_MEAS_MAX 64                 /* a RIM, a REM, a component's measurement: 32, 48 or 64 */
#define CCA_REM_COUNT 4
#define CCA_EC_POINT_MAX 133            /* SEC1 uncompressed point, P-521; P-384 is 97 */
#define CCA_RAK_CLAIM_MAX 160           /* claim 44237 as encoded: a raw point or a COSE_Key */
#define CCA_IMPL_ID_LEN 32
#define CCA_INSTANCE_ID_LEN 33          /* UEID: 0x01 then 32 bytes */
#define CCA_CONFIG_MAX 256
#define CCA_TEXT_MAX 64                 /* any text claim, NUL included */
#define CCA_SW_MAX 16                   /* software components kept (the Key Broker's example has 13) */
#define CCA_SIG_MAX 132                 /* r || s, ES512 */
#define CCA_SUBTOKEN_MAX 4096           /* one COSE_Sign1 */
#define CCA_TOKEN_MAX (2 * CCA_SUBTOKEN_MAX + 64) /* the whole collection */

enum cca_form {
        CCA_FORM_399,   /* tag 399, bstr entries (default: what RMM 1.0 specifies) */
        CCA_FORM_907,   /* tag 907, [263, bstr] entries */
};

struct cca_realm_claims {
        uint8_t challenge[CCA_CHALLENGE_LEN];
        bool has_profile;               /* claim 265 = CCA_REALM_PROFILE_1_0; then 44237 is a COSE_Key */
        uint8_t rpv[CCA_RPV_LEN];
        char hash_algo[CCA_TEXT_MAX];   /* 44236: "sha-256" or "sha-512" */
        /* 44237 exactly as encoded (the binding hashes these bytes): the 97-byte SEC1 point
         * without a profile, a COSE_Key {1: 2, -1: 2, -2: x, -3: y} with one. */
        uint8_t rak[CCA_RAK_CLAIM_MAX];
        size_t rak_len;
        uint8_t rim[CCA_MEAS_MAX];
        size_t meas_len;                /* the RIM's and every REM's: the size of hash_algo */
        uint8_t rem[CCA_REM_COUNT][CCA_MEAS_MAX];
        char rak_hash_algo[CCA_TEXT_MAX]; /* 44240 */
};

struct cca_sw_component {
        char type[CCA_TEXT_MAX];        /* 1, optional ("" when absent) */
        uint8_t measurement[CCA_MEAS_MAX]; /* 2 */
        size_t measurement_len;
        char version[CCA_TEXT_MAX];     /* 4, optional */
        uint8_t signer_id[CCA_MEAS_MAX]; /* 5 */
        size_t signer_id_len;
        char hash_algo[CCA_TEXT_MAX];   /* 6, optional */
};

struct cca_platform_claims {
        char profile[CCA_TEXT_MAX];     /* 265: CCA_PLAT_PROFILE_1_0 or _LEGACY */
        uint8_t challenge[CCA_MEAS_MAX]; /* 10: H(RAK claim), 32, 48 or 64 bytes */
        size_t challenge_len;
        uint8_t implementation_id[CCA_IMPL_ID_LEN];
        uint8_t instance_id[CCA_INSTANCE_ID_LEN];
        uint8_t config[CCA_CONFIG_MAX];
        size_t config_len;
        uint16_t lifecycle;
        struct cca_sw_component sw[CCA_SW_MAX];
        unsigned nsw;                   /* at least 1 */
        char verification_service[CCA_TEXT_MAX]; /* 2400, optional */
        char hash_algo[CCA_TEXT_MAX];   /* 2402 */
};

/* A COSE_Sign1, decoded. */
struct cose_sign1 {
        int alg;                        /* from the protected header */
        uint8_t protected_hdr[16];      /* the protected bstr's content, as encoded */
        size_t protected_len;
        uint8_t payload[CCA_SUBTOKEN_MAX];
        size_t payload_len;
        uint8_t sig[CCA_SIG_MAX];
        size_t sig_len;
};

/* A collection, decoded: the two COSE_Sign1 byte strings. */
struct cca_collection {
        enum cca_form form;
        uint8_t platform[CCA_SUBTOKEN_MAX];
        size_t platform_len;
        uint8_t realm[CCA_SUBTOKEN_MAX];
        size_t realm_len;
};

/* ---- encoders: write into out (cap bytes) and set *len; false if a field is out of range
 * or the result does not fit. Definite lengths, shortest forms, map keys in the order of
 * the tables above. Out of range is whatever the matching decoder would refuse: the claims
 * encoders decode what they wrote and return false if that fails, so every encoded claims
 * map decodes. ---- */

/* Claim 44237 for a realm with the profile claim: the COSE_Key of a P-384 SEC1 point
 * (97 bytes, 0x04 || x || y), {1: 2, -1: 2, -2: bstr x, -3: bstr y}. */
bool cca_rak_cose_key_encode(const uint8_t *point, size_t point_len, uint8_t *out, size_t cap, size_t *len);
bool cca_realm_claims_encode(const struct cca_realm_claims *c, uint8_t *out, size_t cap, size_t *len);
bool cca_platform_claims_encode(const struct cca_platform_claims *c, uint8_t *out, size_t cap, size_t *len);
/* The bytes to sign for a COSE_Sign1 with protected header {1: alg} over payload; alg is
 * COSE_ALG_ES256, _ES384 or _ES512 (the encoders and the decoder know no other). */
bool cose_sign1_tbs_encode(int alg, const uint8_t *payload, size_t payload_len, uint8_t *out, size_t cap,
                           size_t *len);
/* The tagged COSE_Sign1 (tag 18 in its one-byte form 0xd2, as every producer writes it);
 * payload not empty, sig_len the alg's r || s size (64, 96 or 132), the whole at most
 * CCA_SUBTOKEN_MAX bytes. */
bool cose_sign1_encode(int alg, const uint8_t *payload, size_t payload_len, const uint8_t *sig, size_t sig_len,
                       uint8_t *out, size_t cap, size_t *len);
bool cca_collection_encode(enum cca_form form, const uint8_t *platform, size_t platform_len, const uint8_t *realm,
                           size_t realm_len, uint8_t *out, size_t cap, size_t *len);

/* ---- decoders: the whole input must be one well-formed item, nothing after it, of at most
 * CCA_TOKEN_MAX (collection) or CCA_SUBTOKEN_MAX bytes (the others). Strings of indefinite
 * length are refused, and so are array and map heads announcing more elements than the
 * input has bytes (libcbor 0.8 would allocate them all first). ---- */

/* Tag 399 with bstr entries, or tag 907 with [263, bstr] entries; both entries present,
 * non-empty, at most CCA_SUBTOKEN_MAX bytes, and no other entry; anything else (tag 18 at
 * the top, 399 with CMW entries, 907 with bstr entries, a COSE_Sign1 not wrapped in a
 * bstr) is refused. The entries' content is cose_sign1_decode's to check. */
bool cca_collection_decode(const uint8_t *in, size_t len, struct cca_collection *out, char *why);
/* Tag 18 (0xd2 or d8 12) around [bstr protected, map unprotected, bstr payload, bstr
 * signature]; the protected header exactly {1: alg} in shortest form (the bytes
 * cose_sign1_tbs_encode signs over), alg ES256, ES384 or ES512, the signature its r || s
 * size, the payload not empty. The unprotected map's content is ignored. libcbor 0.8
 * refuses the one-byte tags 6..20 (its issue #307): the decoder handles the tag itself. */
bool cose_sign1_decode(const uint8_t *in, size_t len, struct cose_sign1 *out, char *why);
/* Every mandatory claim present once, each of the right type and size; unknown claims are
 * ignored; a duplicate key is refused, and so is a key that is neither an integer nor a
 * text string. Text claims fit CCA_TEXT_MAX with their NUL and hold no NUL; the mandatory
 * ones (profiles, hash algorithm names) are not empty. Realm: the profile, if present, must be
 * CCA_REALM_PROFILE_1_0 (a realm#2.0.0 token is not RMM 1.0 evidence); 44236 names
 * sha-256 or sha-512 and the RIM and all four REMs have its size; 44237 is a 97-byte
 * point starting 0x04 without the profile, and with it a COSE_Key holding exactly kty 2,
 * crv 2, x and y of 48 bytes (a key carrying d, the private key, is refused). Platform:
 * the profile is one of the two known; challenge 32/48/64, implementation id 32,
 * instance id 33 starting 0x01, config at most CCA_CONFIG_MAX, lifecycle a uint16, 1 to
 * CCA_SW_MAX software components (more are refused, not cut), each with a measurement
 * (32/48/64) and a signer id (32/48/64). */
bool cca_realm_claims_decode(const uint8_t *in, size_t len, struct cca_realm_claims *out, char *why);
bool cca_platform_claims_decode(const uint8_t *in, size_t len, struct cca_platform_claims *out, char *why);
/* The P-384 point (0x04 || x || y, 97 bytes) claim 44237 holds: itself without the
 * profile, rebuilt from x and y of the COSE_Key with it. */
bool cca_rak_point(const struct cca_realm_claims *c, uint8_t point[97], char *why);

/* Names for dumps and for why: "challenge", "initial-measurement", ... ("" if unknown). */
const char *cca_realm_claim_name(int64_t key);
const char *cca_platform_claim_name(int64_t key);

#endif
