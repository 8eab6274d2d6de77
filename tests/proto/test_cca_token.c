/* The CCA token codecs (src/proto/cca_token.c) against the public vectors of
 * tests/kat/cca-tokens (README.md there names every upstream source and outcome; the facts
 * asserted below come from its manifest.json, or were counted with Python's cbor2, as the
 * comments say), plus each rule the header promises, round trips of random claims, and
 * every truncation and single-byte corruption of the Key Broker's example token.
 *
 * Key order: the claims maps of v01..v05 were written by TF-RMM and TF-M, in an order
 * other than ours (realm 10, 44236, 44240, 44235, 44237, 44238, 44239; software components
 * 1, 5, 4, 2, 6), so their claims are compared field by field after a re-encode, not byte
 * by byte. Their COSE_Sign1 and collection layers, ccatoken's four platform claims
 * vectors, rust-ccatoken's realm-claims.cbor and ccatoken's two realm claims vectors (with
 * 44236 relabelled, see below) are in our order and re-encode byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cbor.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "ccada/parse.h"
#include "lib/crypto.h"
#include "lib/prng.h"
#include "proto/cca_token.h"

#ifndef CCA_KAT_DIR
#error "CCA_KAT_DIR must name tests/kat/cca-tokens"
#endif

#define V01            "tokens/valid/v01-tfrmm-rmm10-399.cbor"
#define V02            "tokens/valid/v02-tfrmm-rmm10-907.cbor"
#define V03            "tokens/valid/v03-keybroker-example-399.cbor"
#define V04            "tokens/valid/v04-draft-ffm-example-399.cbor"
#define V05            "tokens/valid/v05-tfm-realm10-mec-907.cbor"
#define E01            "tokens/edge/e01-ccatoken-good-907.cbor"
#define E02            "tokens/edge/e02-ccatoken-good-399.cbor"
#define E03            "tokens/edge/e03-rust-token02-399.cbor"
#define E04            "tokens/edge/e04-tfm-realm20-907.cbor"
#define E05            "tokens/edge/e05-tfm-rak-private-d-399.cbor"
#define E06            "tokens/edge/e06-draft-da-branch-399-cmw.cbor"
#define I01            "tokens/invalid/i01-rust-bug33-binding-399.cbor"
#define I02            "tokens/invalid/i02-ccatoken-unwrapped-sign1-907.cbor"
#define I03            "tokens/invalid/i03-ccatoken-top-tag18.cbor"
#define I04            "tokens/invalid/i04-ccatoken-907-empty-map.cbor"
#define I05            "tokens/invalid/i05-ccatoken-907-no-realm.cbor"
#define I06            "tokens/invalid/i06-ccatoken-907-not-cose.cbor"
#define I07            "tokens/invalid/i07-ccatoken-907-empty-sign1.cbor"
#define C_PLAT_ALL     "claims/ccatoken-platform-CcaPlatformClaimsAll.cbor"
#define C_PLAT_MAND    "claims/ccatoken-platform-CcaPlatformClaimsMandatoryOnly.cbor"
#define C_REALM_ALL    "claims/ccatoken-realm-CcaRealmClaimsAll.cbor"
#define C_REALM_LEGACY "claims/ccatoken-realm-CcaRealmLegacyClaimsAll.cbor"
#define C_RUST_REALM   "claims/rust-realm-claims.cbor"

/* ---- files ---- */

/* A file's bytes in an allocation of exactly its size (ASan sees any overrun). */
struct blob {
        uint8_t *p;
        size_t n;
};

static struct blob blob_of(const uint8_t *p, size_t n)
{
        struct blob b = { malloc(n ? n : 1), n };
        assert_non_null(b.p);
        if (n)
                memcpy(b.p, p, n);
        return b;
}

/* a then b, in one blob of exactly their size. */
static struct blob joined(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
        struct blob j = { malloc(an + bn ? an + bn : 1), an + bn };
        assert_non_null(j.p);
        if (an)
                memcpy(j.p, a, an);
        if (bn)
                memcpy(j.p + an, b, bn);
        return j;
}

static struct blob kat(const char *rel)
{
        char path[512];
        uint8_t buf[CCA_TOKEN_MAX + 1];
        FILE *f;
        size_t n;
        snprintf(path, sizeof(path), "%s/%s", CCA_KAT_DIR, rel);
        f = fopen(path, "rb");
        if (!f)
                fail_msg("cannot open %s", path);
        n = fread(buf, 1, sizeof(buf), f);
        fclose(f);
        assert_true(n < sizeof(buf));
        return blob_of(buf, n);
}

static void unhex(const char *hex, uint8_t *out, size_t n)
{
        assert_int_equal(strlen(hex), 2 * n);
        for (size_t i = 0; i < n; i++) {
                unsigned v;
                assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
                out[i] = (uint8_t)v;
        }
}

static void assert_why_has(const char *why, const char *part)
{
        if (!strstr(why, part))
                fail_msg("why \"%s\" does not say \"%s\"", why, part);
}

/* ---- a whole token, layer by layer ---- */

enum layer { AT_COLLECTION, AT_PLATFORM_COSE, AT_REALM_COSE, AT_PLATFORM_CLAIMS, AT_REALM_CLAIMS, DECODED };

struct token {
        struct cca_collection col;
        struct cose_sign1 plat, realm;
        struct cca_platform_claims pc;
        struct cca_realm_claims rc;
        char why[CCA_WHY_LEN];
};

static enum layer token_decode(const uint8_t *in, size_t len, struct token *t)
{
        t->why[0] = '\0';
        if (!cca_collection_decode(in, len, &t->col, t->why))
                return AT_COLLECTION;
        if (!cose_sign1_decode(t->col.platform, t->col.platform_len, &t->plat, t->why))
                return AT_PLATFORM_COSE;
        if (!cose_sign1_decode(t->col.realm, t->col.realm_len, &t->realm, t->why))
                return AT_REALM_COSE;
        if (!cca_platform_claims_decode(t->plat.payload, t->plat.payload_len, &t->pc, t->why))
                return AT_PLATFORM_CLAIMS;
        if (!cca_realm_claims_decode(t->realm.payload, t->realm.payload_len, &t->rc, t->why))
                return AT_REALM_CLAIMS;
        return DECODED;
}

/* Decodes a vector (freed on return) and checks the layer it stops at and what why says. */
static struct token *expect_token(const char *file, enum layer stops_at, const char *why_has)
{
        struct token *t = calloc(1, sizeof(*t));
        struct blob b = kat(file);
        enum layer got;
        assert_non_null(t);
        got = token_decode(b.p, b.n, t);
        free(b.p);
        if (got != stops_at)
                fail_msg("%s stopped at layer %d, not %d: %s", file, (int)got, (int)stops_at, t->why);
        if (stops_at != DECODED) {
                assert_true(strlen(t->why) > 0 && strlen(t->why) < CCA_WHY_LEN);
                assert_why_has(t->why, why_has);
        }
        return t;
}

/* One decoder's view of the input, into the matching struct of t. */
typedef bool (*decoder)(const uint8_t *in, size_t len, struct token *t);

static bool decode_collection(const uint8_t *in, size_t len, struct token *t)
{
        return cca_collection_decode(in, len, &t->col, t->why);
}

static bool decode_cose(const uint8_t *in, size_t len, struct token *t)
{
        return cose_sign1_decode(in, len, &t->plat, t->why);
}

static bool decode_platform(const uint8_t *in, size_t len, struct token *t)
{
        return cca_platform_claims_decode(in, len, &t->pc, t->why);
}

static bool decode_realm(const uint8_t *in, size_t len, struct token *t)
{
        return cca_realm_claims_decode(in, len, &t->rc, t->why);
}

/* d refuses the bytes of b (freed here) with a reason that says why_has. */
static void expect_refused(decoder d, struct blob b, const char *why_has)
{
        struct token *t = calloc(1, sizeof(*t));
        assert_non_null(t);
        if (d(b.p, b.n, t))
                fail_msg("accepted an input where %s", why_has);
        assert_why_has(t->why, why_has);
        free(t);
        free(b.p);
}

/* ---- the vectors are the ones the manifest describes ---- */

/* manifest.json: "size" and "sha256" of every token and claims file. */
static const struct {
        const char *file;
        size_t size;
        const char *sha256;
} manifest[] = {
        { V01, 1222, "b40be114ea600d2149df6c44a1dddb512083d78d0111196bae378aafd8a4a222" },
        { V02, 1230, "724cd5fd46c8ee09b2a38b6b061106c4e82c76033cfbc3230bb7c1d3503664d2" },
        { V03, 2074, "718efbb740c4f65c46d29d8d8c8866e0ec1b65de0e974897bae4ceb0afb2075d" },
        { V04, 2124, "70a46f0855e405e6c95a5cfeecf821022ec706978aedaca316ff83430c22fe56" },
        { V05, 2143, "153a9009ea7a9150ffcd11f18d5764f041a54742c7dbc3d99a548f13f83ea598" },
        { E01, 1183, "af5a8f488e5e8890f49fa04bcd3366c74fb64798349e039b3a3ec112876eb78d" },
        { E02, 1175, "8754dd97b5b6597d6358a1df6a4e9a62e9a6eaa53e430a359ec4719ccd4e7206" },
        { E03, 1125, "88d7566e3bd5d06c8680539c1b0beacdf9eaff3af2a63271a44afb5690833c3e" },
        { E04, 2174, "810c3ca0942c3063f08a9c5b8d652d70157d4af7facc77aa0409a9f92ae9dfa5" },
        { E05, 2175, "08b8a21e16f62369b7736b066edd451b6a712313d4c11c25bb5f2ec3a0482c6a" },
        { E06, 2132, "d78e0d47ff08575e6bd9a9490794b737fd9ea03242cf96361d4238118e5cbf17" },
        { I01, 2507, "40af349dbccfba7460227f59ac6d9a9eed9cf6962e578d868d3b584b79b2c80a" },
        { I02, 1127, "46eda766ffede02adbdade518f0edb4c3f5ff291e68b2220ae608f3d1373bf20" },
        { I03, 44, "d2a95502f53df2835aa8ed28a8df19963e2589fc56ae696d51f25b47564beae9" },
        { I04, 4, "37f6cc05d1c0a3dd0276a8b66d8d540a7f3a9ac4d7c7dd4e88a7bcdca2dc649a" },
        { I05, 12, "bbd417cce58c14907e907e36e20d6e9e4cab2187e7c82875f5cde64da24d1294" },
        { I06, 24, "d61595c25e3ef2724c869845fc4c71f34277659a6e487e80fc1bf96b3e8c3a07" },
        { I07, 48, "a8d9945b847c4b7b6f01835a716faab709ef2ca66f1981d6b610bb4c0a0b632b" },
        { C_PLAT_ALL, 301, "bda2362d313080db16e3ddf271c7e59d1e11753546a1d3b5a16d9aaf6df82157" },
        { C_PLAT_MAND, 250, "b795e23f616aeb1bb5ab4244d4d38c981388b859139504d273f43e5d6fa151fb" },
        { C_REALM_ALL, 641, "57ed10dffc757df13f41b07b8e96dc14cfd98e7ea088fd28653eb1b694eab181" },
        { C_REALM_LEGACY, 598, "83bc5adaee5b5ac59916717338bba139ef55f7ba2651300446f65554e8b49522" },
        { C_RUST_REALM, 438, "b713afa423d80207b0c5da0368655cb7dc8fd7b76aec5cbfb75fa7931f6ebdde" },
};

static void cca_kat_files_have_the_size_and_sha256_of_the_manifest(void **state)
{
        (void)state;
        for (size_t i = 0; i < sizeof(manifest) / sizeof(manifest[0]); i++) {
                struct blob b = kat(manifest[i].file);
                uint8_t digest[32];
                char hex[65];
                assert_true(hash_once(HASH_SHA256, b.p, b.n, digest));
                hex_encode(hex, digest, sizeof(digest));
                if (b.n != manifest[i].size || strcmp(hex, manifest[i].sha256))
                        fail_msg("%s: %zu bytes, sha256 %s", manifest[i].file, b.n, hex);
                free(b.p);
        }
}

/* ---- valid tokens ---- */

/* manifest.json "challenge" and "rim" values shared by several tokens (README: AB64, KBN,
 * Z32, KR). */
#define CHALLENGE_AB64                                                                                     \
        "abababababababababababababababababababababababababababababababababababababababababababababababab" \
        "abababababababababababababababab"
#define CHALLENGE_KBN                                                                                      \
        "6e86d6d97cc713bc6dd43dbce491a6b40311c027a8bf85a39da63e9ce44c132a8a119d296fae6a6999e9bf3e4471b0ce" \
        "01245d889424c31e89793b3b1d6b1504"
#define RIM_Z32 "0000000000000000000000000000000000000000000000000000000000000000"
#define RIM_KR  "311314ab73620350cf758834ae5c65d9e8c2dc7febe6e7d9654bbe864e300d49"

/* manifest.json "decoded" of each valid token (and i01, whose defect is the binding); the
 * component counts: README for v01 (4) and v03 (13), cbor2 for v04, v05 and i01. */
static const struct {
        const char *file;
        enum cca_form form;
        const char *platform_profile;
        bool realm_profile;
        size_t rak_len;
        const char *realm_hash;
        size_t rim_len;
        const char *challenge, *rim;
        unsigned nsw;
} valid[] = {
        { V01, CCA_FORM_399, CCA_PLAT_PROFILE_LEGACY, false, 97, "sha-256", 32, CHALLENGE_AB64, RIM_Z32, 4 },
        { V02, CCA_FORM_907, CCA_PLAT_PROFILE_LEGACY, false, 97, "sha-256", 32, CHALLENGE_AB64, RIM_Z32, 4 },
        { V03, CCA_FORM_399, CCA_PLAT_PROFILE_LEGACY, false, 97, "sha-256", 32, CHALLENGE_KBN, RIM_KR, 13 },
        { V04, CCA_FORM_399, CCA_PLAT_PROFILE_1_0, true, 107, "sha-256", 32, CHALLENGE_KBN, RIM_KR, 13 },
        { V05, CCA_FORM_907, CCA_PLAT_PROFILE_1_0, true, 107, "sha-256", 32, CHALLENGE_KBN, RIM_KR, 13 },
        { I01, CCA_FORM_399, CCA_PLAT_PROFILE_LEGACY, false, 97, "sha-512", 64,
          "3dad456a93c39acbdf6f6d8ec5dd6fefa4014a96bac0e93c1b8ee5948b3b15b7b16bb78e7d51c4819b87bb725443c57a9a"
          "4452fd9dafb2b4d8664a3927d12068",
          "d215240f94b00f877563fac0b91a3691ec28878c3b8ef19aa76989b8aa3f44c406209bebc4f8adfb33c03223ff34a3ba6d"
          "71b4a020eb4e54129a2ce63ca25bc2",
          16 },
};

static void cca_token_valid_vectors_decode_at_every_layer_to_their_manifest_facts(void **state)
{
        (void)state;
        for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
                struct token *t = expect_token(valid[i].file, DECODED, "");
                uint8_t challenge[CCA_CHALLENGE_LEN], rim[CCA_MEAS_MAX];
                unhex(valid[i].challenge, challenge, sizeof(challenge));
                unhex(valid[i].rim, rim, valid[i].rim_len);
                assert_int_equal(t->col.form, valid[i].form);
                assert_int_equal(t->plat.alg, COSE_ALG_ES384);
                assert_int_equal(t->realm.alg, COSE_ALG_ES384);
                assert_string_equal(t->pc.profile, valid[i].platform_profile);
                assert_int_equal(t->rc.has_profile, valid[i].realm_profile);
                assert_int_equal(t->rc.rak_len, valid[i].rak_len);
                assert_string_equal(t->rc.rak_hash_algo, "sha-256");
                assert_string_equal(t->rc.hash_algo, valid[i].realm_hash);
                assert_int_equal(t->rc.meas_len, valid[i].rim_len);
                assert_memory_equal(t->rc.challenge, challenge, sizeof(challenge));
                assert_memory_equal(t->rc.rim, rim, valid[i].rim_len);
                assert_int_equal(t->pc.nsw, valid[i].nsw);
                free(t);
        }
}

static void cca_token_v02_holds_the_cose_sign1_of_v01_in_the_cmw_form(void **state)
{
        struct token *a = expect_token(V01, DECODED, ""), *b = expect_token(V02, DECODED, "");
        (void)state;
        assert_int_equal(a->col.platform_len, b->col.platform_len);
        assert_memory_equal(a->col.platform, b->col.platform, a->col.platform_len);
        assert_int_equal(a->col.realm_len, b->col.realm_len);
        assert_memory_equal(a->col.realm, b->col.realm, a->col.realm_len);
        free(a);
        free(b);
}

/* README v03: platform bstr 1511 bytes, realm bstr 547, 13 components, raw 97-byte RAK. */
static void cca_token_v03_keybroker_example_has_its_documented_sizes(void **state)
{
        struct token *t = expect_token(V03, DECODED, "");
        (void)state;
        assert_int_equal(t->col.platform_len, 1511);
        assert_int_equal(t->col.realm_len, 547);
        assert_int_equal(t->pc.nsw, 13);
        assert_string_equal(t->pc.sw[0].type, "RSE_BL1_2"); /* cbor2 */
        assert_string_equal(t->pc.sw[12].type, "SOC_FW_CONFIG");
        assert_int_equal(t->pc.lifecycle, 12291);
        assert_int_equal(t->rc.rak_len, 97);
        assert_int_equal(t->rc.rak[0], 0x04);
        free(t);
}

/* README v04: the RAK is a 107-byte COSE_Key starting A4 01 02 20 02 21 58 30, and the
 * platform nonce is its SHA-256. README keys: v01's raw RAK is the same key. */
static void cca_token_v04_rak_is_the_cose_key_of_v01s_raw_point(void **state)
{
        static const uint8_t head[] = { 0xa4, 0x01, 0x02, 0x20, 0x02, 0x21, 0x58, 0x30 };
        struct token *v04 = expect_token(V04, DECODED, ""), *v01 = expect_token(V01, DECODED, "");
        uint8_t digest[32], point[97], key[CCA_RAK_CLAIM_MAX];
        size_t key_len;
        (void)state;
        assert_int_equal(v04->rc.rak_len, 107);
        assert_memory_equal(v04->rc.rak, head, sizeof(head));
        assert_true(hash_once(HASH_SHA256, v04->rc.rak, v04->rc.rak_len, digest));
        assert_int_equal(v04->pc.challenge_len, 32);
        assert_memory_equal(v04->pc.challenge, digest, 32);
        assert_true(cca_rak_point(&v04->rc, point, v04->why));
        assert_memory_equal(point, v01->rc.rak, 97);
        assert_true(cca_rak_cose_key_encode(v01->rc.rak, 97, key, sizeof(key), &key_len));
        assert_int_equal(key_len, 107);
        assert_memory_equal(key, v04->rc.rak, 107);
        free(v04);
        free(v01);
}

/* README v05: v04's claims plus 44243 (MEC policy), an unknown claim, ignored. */
static void cca_realm_claims_decode_ignores_v05s_unknown_claim_44243(void **state)
{
        struct token *v05 = expect_token(V05, DECODED, ""), *v04 = expect_token(V04, DECODED, "");
        (void)state;
        assert_true(v05->realm.payload_len > v04->realm.payload_len);
        assert_memory_equal(&v05->rc, &v04->rc, sizeof(v05->rc));
        assert_memory_equal(&v05->pc, &v04->pc, sizeof(v05->pc));
        free(v05);
        free(v04);
}

/* README i01: everything decodes; the platform nonce does not bind the RAK, which is the
 * verifier's finding, not the codec's. */
static void cca_token_i01_decodes_because_its_defect_is_the_binding(void **state)
{
        struct token *t = expect_token(I01, DECODED, "");
        uint8_t digest[32];
        (void)state;
        assert_true(hash_once(HASH_SHA256, t->rc.rak, t->rc.rak_len, digest));
        assert_int_equal(t->pc.challenge_len, 32);
        assert_memory_not_equal(t->pc.challenge, digest, 32);
        free(t);
}

/* ---- edge tokens: the README's decisions D1..D4 ---- */

static void cca_realm_claims_decode_rejects_64_byte_measurements_labelled_sha256_d1(void **state)
{
        const char *files[] = { E01, E02, E03 };
        (void)state;
        for (size_t i = 0; i < 3; i++) {
                struct token *t = expect_token(
                        files[i], AT_REALM_CLAIMS,
                        "realm token: claim 44238 (initial-measurement) is 64 bytes; sha-256 needs 32");
                assert_int_equal(t->col.form, i == 0 ? CCA_FORM_907 : CCA_FORM_399);
                assert_int_equal(t->plat.alg, COSE_ALG_ES256); /* manifest: platform_alg -7 */
                assert_int_equal(t->realm.alg, COSE_ALG_ES384);
                free(t);
        }
}

/* README "Edge" (decisions D2..D4) and "Invalid": the layer that refuses each, and why. */
static const struct {
        const char *file;
        enum layer stops_at;
        const char *why_has;
} refused[] = {
        /* D2: realm#2.0.0 is not RMM 1.0 evidence */
        { E04, AT_REALM_CLAIMS, "realm token: claim 265 (profile) is an unknown profile" },
        /* D3: the RAK's COSE_Key carries d, the private key */
        { E05, AT_REALM_CLAIMS, "claim 44237 (public-key) COSE_Key: label -4 (d) is not allowed" },
        /* D4: tag 399 with CMW entries */
        { E06, AT_COLLECTION, "collection: entry 44234 (platform) is a CMW [263, bstr] entry" },
        /* i02: a COSE_Sign1 in place of the bstr that should wrap it */
        { I02, AT_COLLECTION, "collection: tag 18 at byte 11" },
        /* i03: a bare COSE_Sign1 at the top */
        { I03, AT_COLLECTION, "collection: tag 18 at byte 0" },
        /* i04: an empty map */
        { I04, AT_COLLECTION, "collection: entry 44234 (platform) is missing" },
        /* i05: no realm token */
        { I05, AT_COLLECTION, "collection: entry 44241 (realm) is missing" },
        /* i06: entries h'dead' and h'beef' */
        { I06, AT_PLATFORM_COSE, "COSE_Sign1: does not start with tag 18" },
        /* i07: a COSE_Sign1 shell with a two-byte signature */
        { I07, AT_PLATFORM_COSE, "COSE_Sign1: the signature is 2 bytes; ES384 needs 96" },
};

static void cca_token_edge_and_invalid_vectors_stop_at_their_layer_with_the_reason(void **state)
{
        (void)state;
        for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
                free(expect_token(refused[i].file, refused[i].stops_at, refused[i].why_has));
}

/* ---- claims vectors ---- */

/* README "Claims-only vectors": upstream's outcome; ccatoken's two realm "accept" vectors
 * carry 64-byte measurements labelled sha-256 and are refused here (D1). */
static const struct {
        const char *file;
        bool realm, accept;
        const char *why_has;
} claims_vectors[] = {
        { C_PLAT_ALL, false, true, "" },
        { "claims/ccatoken-platform-CcaPlatformLegacyClaimsAll.cbor", false, true, "" },
        { C_PLAT_MAND, false, true, "" },
        { "claims/ccatoken-platform-CcaPlatformLegacyClaimsMandatoryOnly.cbor", false, true, "" },
        { "claims/ccatoken-platform-CcaPlatformClaimsInvalidMultiNonce.cbor", false, false,
          "claim 10 (challenge) is not a byte string" },
        { "claims/ccatoken-platform-CcaPlatformClaimsMissingMandatoryNonce.cbor", false, false,
          "claim 10 (challenge) is missing" },
        { C_REALM_ALL, true, false, "claim 44238 (initial-measurement) is 64 bytes; sha-256 needs 32" },
        { C_REALM_LEGACY, true, false, "claim 44238 (initial-measurement) is 64 bytes; sha-256 needs 32" },
        { "claims/ccatoken-realm-CcaRealmClaimsMissingMandNonce.cbor", true, false,
          "claim 10 (challenge) is missing" },
        { "claims/ccatoken-realm-CcaClaimsMissingMandInitialMeas.cbor", true, false,
          "claim 44238 (initial-measurement) is missing" },
        { "claims/ccatoken-realm-CcaClaimsMissingMandExtendedMeas.cbor", true, false, "realm token: claim" },
        { "claims/ccatoken-realm-CcaClaimsMissingMandHashAlgID.cbor", true, false,
          "claim 44236 (hash-algo-id) is missing" },
        { "claims/ccatoken-realm-CcaClaimsMissingMandPubKey.cbor", true, false, "realm token: claim" },
        { "claims/rust-platform-claims.cbor", false, true, "" },
        { C_RUST_REALM, true, true, "" },
        { "claims/rust-realm-claims+spurious-numeric-key.cbor", true, true, "" },
        { "claims/rust-realm-claims+spurious-text-key.cbor", true, true, "" },
        { "claims/rust-realm-claims-missing-challenge.cbor", true, false, "claim 10 (challenge) is missing" },
        { "claims/rust-realm-inline-empty-map.cbor", true, false, "claim 10 (challenge) is missing" },
        { "claims/rust-realm-inline-short-challenge.cbor", true, false,
          "claim 10 (challenge) is 8 bytes; it must be 64" },
        { "claims/rust-realm-inline-rubbish.cbor", true, false, "realm token: not one complete CBOR item" },
        { "claims/rust-realm-inline-challenge-not-bstr.cbor", true, false,
          "claim 10 (challenge) is not a byte string" },
        { "claims/rust-platform-inline-dup-claim.cbor", false, false,
          "claim 2400 (verification-service) appears twice" },
};

static void cca_claims_decoders_accept_and_reject_the_claims_vectors_as_documented(void **state)
{
        (void)state;
        for (size_t i = 0; i < sizeof(claims_vectors) / sizeof(claims_vectors[0]); i++) {
                struct blob b = kat(claims_vectors[i].file);
                struct token *t = calloc(1, sizeof(*t));
                bool ok;
                assert_non_null(t);
                ok = claims_vectors[i].realm ? cca_realm_claims_decode(b.p, b.n, &t->rc, t->why)
                                             : cca_platform_claims_decode(b.p, b.n, &t->pc, t->why);
                if (ok != claims_vectors[i].accept)
                        fail_msg("%s: %s (%s)", claims_vectors[i].file, ok ? "accepted" : "refused", t->why);
                if (!ok)
                        assert_why_has(t->why, claims_vectors[i].why_has);
                free(t);
                free(b.p);
        }
}

static void cca_claims_vector_rust_realm_claims_decodes_to_its_values(void **state)
{
        struct blob b = kat(C_RUST_REALM);
        struct cca_realm_claims c;
        char why[CCA_WHY_LEN];
        (void)state;
        assert_true(cca_realm_claims_decode(b.p, b.n, &c, why));
        assert_false(c.has_profile);
        for (size_t i = 0; i < CCA_CHALLENGE_LEN; i++)
                assert_int_equal(c.challenge[i], 0xab); /* cbor2 */
        assert_int_equal(c.meas_len, 32);
        assert_int_equal(c.rak_len, 97);
        assert_string_equal(c.hash_algo, "sha-256");
        free(b.p);
}

/* ---- re-encoding the vectors ---- */

static void assert_claims_reencode_exactly(const char *file, bool realm, const struct blob *b)
{
        struct token *t = calloc(1, sizeof(*t));
        uint8_t out[CCA_SUBTOKEN_MAX];
        size_t n = 0;
        assert_non_null(t);
        if (realm && (!cca_realm_claims_decode(b->p, b->n, &t->rc, t->why) ||
                      !cca_realm_claims_encode(&t->rc, out, sizeof(out), &n)))
                fail_msg("%s: %s", file, t->why);
        if (!realm && (!cca_platform_claims_decode(b->p, b->n, &t->pc, t->why) ||
                       !cca_platform_claims_encode(&t->pc, out, sizeof(out), &n)))
                fail_msg("%s: %s", file, t->why);
        assert_int_equal(n, b->n);
        assert_memory_equal(out, b->p, n);
        free(t);
}

/* README: CcaPlatformClaimsAll and ...MandatoryOnly are ccatoken's encoding known answers
 * (Test_CCAPlatform_Claims_MarshalCBOR_*); its two legacy vectors come from the same
 * generator in the same key order. */
static void cca_platform_claims_encode_reproduces_ccatoken_encoding_vectors(void **state)
{
        const char *files[] = { C_PLAT_ALL, C_PLAT_MAND,
                                "claims/ccatoken-platform-CcaPlatformLegacyClaimsAll.cbor",
                                "claims/ccatoken-platform-CcaPlatformLegacyClaimsMandatoryOnly.cbor" };
        (void)state;
        for (size_t i = 0; i < 4; i++) {
                struct blob b = kat(files[i]);
                assert_claims_reencode_exactly(files[i], false, &b);
                free(b.p);
        }
}

/* ccatoken's realm vectors label their 64-byte measurements sha-256, which D1 refuses.
 * Relabelled "sha-512" (text of the same length: every other byte stays where it is) they
 * are valid, and CcaRealmClaimsAll is ccatoken's realm encoding known answer
 * (Test_CcaRealmClaims_MarshalCBOR_all_claims). */
static void relabel_hash_algo_sha512(struct blob *b)
{
        static const uint8_t label[] = { 0x19, 0xac, 0xcc, 0x67, 's', 'h', 'a', '-', '2', '5', '6' };
        uint8_t *hit = NULL;
        for (size_t i = 0; i + sizeof(label) <= b->n; i++) {
                if (!memcmp(b->p + i, label, sizeof(label))) {
                        assert_null(hit);
                        hit = b->p + i;
                }
        }
        assert_non_null(hit);
        memcpy(hit + sizeof(label) - 3, "512", 3);
}

static void cca_realm_claims_encode_reproduces_ccatoken_realm_vectors_relabelled_sha512(void **state)
{
        const char *files[] = { C_REALM_ALL, C_REALM_LEGACY };
        (void)state;
        for (size_t i = 0; i < 2; i++) {
                struct blob b = kat(files[i]);
                struct cca_realm_claims c;
                char why[CCA_WHY_LEN];
                relabel_hash_algo_sha512(&b);
                assert_true(cca_realm_claims_decode(b.p, b.n, &c, why));
                assert_int_equal(c.has_profile, i == 0);
                assert_int_equal(c.rak_len, i == 0 ? 107 : 97);
                assert_int_equal(c.meas_len, 64);
                assert_string_equal(c.rak_hash_algo, "sha-512");
                assert_claims_reencode_exactly(files[i], true, &b);
                free(b.p);
        }
}

static void cca_realm_claims_encode_reproduces_rust_ccatoken_realm_claims(void **state)
{
        struct blob b = kat(C_RUST_REALM);
        (void)state;
        assert_claims_reencode_exactly(C_RUST_REALM, true, &b);
        free(b.p);
}

static const char *const layered[] = { V01, V02, V03, V04, V05, E01, E02, E03, E04, E05, I01 };

/* Their collection and COSE_Sign1 layers are in our form: tag, shortest heads, keys
 * 44234 then 44241, protected header {1: alg}, empty unprotected map. */
static void cca_collection_and_cose_encode_reproduce_the_vectors_byte_for_byte(void **state)
{
        (void)state;
        for (size_t i = 0; i < sizeof(layered) / sizeof(layered[0]); i++) {
                struct blob b = kat(layered[i]);
                struct token *t = calloc(1, sizeof(*t));
                uint8_t *out = malloc(CCA_TOKEN_MAX);
                size_t n = 0;
                assert_true(t && out);
                assert_true(token_decode(b.p, b.n, t) >= AT_PLATFORM_CLAIMS);
                assert_true(cca_collection_encode(t->col.form, t->col.platform, t->col.platform_len,
                                                  t->col.realm, t->col.realm_len, out, CCA_TOKEN_MAX, &n));
                assert_int_equal(n, b.n);
                assert_memory_equal(out, b.p, n);
                assert_true(cose_sign1_encode(t->plat.alg, t->plat.payload, t->plat.payload_len, t->plat.sig,
                                              t->plat.sig_len, out, CCA_TOKEN_MAX, &n));
                assert_int_equal(n, t->col.platform_len);
                assert_memory_equal(out, t->col.platform, n);
                assert_true(cose_sign1_encode(t->realm.alg, t->realm.payload, t->realm.payload_len,
                                              t->realm.sig, t->realm.sig_len, out, CCA_TOKEN_MAX, &n));
                assert_int_equal(n, t->col.realm_len);
                assert_memory_equal(out, t->col.realm, n);
                free(out);
                free(t);
                free(b.p);
        }
}

/* TF-RMM's and TF-M's claims maps are in another key order: re-encoded, they keep every
 * field and their length (v05 less its ignored 44243: "private", 3 + 8 bytes). */
static void cca_claims_of_v01_to_v05_reencode_to_the_same_fields_and_length(void **state)
{
        (void)state;
        for (size_t i = 0; i < 5; i++) {
                struct token *t = expect_token(layered[i], DECODED, ""), *again = calloc(1, sizeof(*again));
                uint8_t out[CCA_SUBTOKEN_MAX];
                size_t n = 0;
                assert_non_null(again);
                assert_true(cca_platform_claims_encode(&t->pc, out, sizeof(out), &n));
                assert_int_equal(n, t->plat.payload_len);
                assert_true(cca_platform_claims_decode(out, n, &again->pc, again->why));
                assert_memory_equal(&again->pc, &t->pc, sizeof(t->pc));
                assert_true(cca_realm_claims_encode(&t->rc, out, sizeof(out), &n));
                assert_int_equal(n, t->realm.payload_len - (i == 4 ? 11 : 0));
                assert_true(cca_realm_claims_decode(out, n, &again->rc, again->why));
                assert_memory_equal(&again->rc, &t->rc, sizeof(t->rc));
                free(again);
                free(t);
        }
}

/* ---- the Sig_structure, checked against the vectors' signatures with OpenSSL ---- */

static EVP_PKEY *p384_key(const uint8_t point[97])
{
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
        EVP_PKEY *key = NULL;
        OSSL_PARAM params[] = {
                OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)"P-384", 0),
                OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)point, 97),
                OSSL_PARAM_construct_end(),
        };
        assert_non_null(ctx);
        assert_int_equal(EVP_PKEY_fromdata_init(ctx), 1);
        assert_int_equal(EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params), 1);
        EVP_PKEY_CTX_free(ctx);
        return key;
}

static EVP_PKEY *pem_key(const char *rel)
{
        char path[512];
        FILE *f;
        EVP_PKEY *key;
        snprintf(path, sizeof(path), "%s/%s", CCA_KAT_DIR, rel);
        f = fopen(path, "r");
        assert_non_null(f);
        key = PEM_read_PUBKEY(f, NULL, NULL, NULL);
        fclose(f);
        assert_non_null(key);
        return key;
}

/* ECDSA over msg with the alg's hash; sig is r || s (RFC 9053 §2.1), OpenSSL wants DER. */
static bool es_verify(EVP_PKEY *key, int alg, const uint8_t *msg, size_t n, const uint8_t *sig,
                      size_t sig_len)
{
        const char *md = alg == COSE_ALG_ES256 ? "SHA256" : alg == COSE_ALG_ES384 ? "SHA384" : "SHA512";
        int half = (int)(sig_len / 2), der_len;
        ECDSA_SIG *s = ECDSA_SIG_new();
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        unsigned char *der = NULL;
        bool ok;
        assert_true(s && ctx);
        assert_int_equal(ECDSA_SIG_set0(s, BN_bin2bn(sig, half, NULL), BN_bin2bn(sig + half, half, NULL)), 1);
        der_len = i2d_ECDSA_SIG(s, &der);
        assert_true(der_len > 0);
        ok = EVP_DigestVerifyInit_ex(ctx, NULL, md, NULL, NULL, key, NULL) == 1 &&
             EVP_DigestVerify(ctx, der, (size_t)der_len, msg, n) == 1;
        OPENSSL_free(der);
        ECDSA_SIG_free(s);
        EVP_MD_CTX_free(ctx);
        return ok;
}

/* Verifies one COSE_Sign1 over the Sig_structure this codec encodes, and that one changed
 * byte of it does not verify (so the check can fail). */
static void assert_signed(EVP_PKEY *key, const struct cose_sign1 *s, const char *file)
{
        uint8_t tbs[CCA_SUBTOKEN_MAX + 64];
        size_t n = 0;
        assert_true(cose_sign1_tbs_encode(s->alg, s->payload, s->payload_len, tbs, sizeof(tbs), &n));
        if (!es_verify(key, s->alg, tbs, n, s->sig, s->sig_len))
                fail_msg("%s: the signature does not cover our Sig_structure", file);
        tbs[n / 2] ^= 1;
        assert_false(es_verify(key, s->alg, tbs, n, s->sig, s->sig_len));
}

/* README keys: cpak-p384 signs the platform tokens of v01..v05, ccatoken-testIAK-p256
 * e01's (ES256); each realm token is signed by the RAK it carries. */
static void cose_sign1_tbs_encode_gives_the_bytes_the_vectors_signed(void **state)
{
        const char *files[] = { V01, V02, V03, V04, V05, E01 };
        (void)state;
        for (size_t i = 0; i < 6; i++) {
                struct blob b = kat(files[i]);
                struct token *t = calloc(1, sizeof(*t));
                EVP_PKEY *iak =
                        pem_key(i == 5 ? "keys/ccatoken-testIAK-p256.pub.pem" : "keys/cpak-p384.pub.pem");
                EVP_PKEY *rak;
                uint8_t point[97];
                assert_non_null(t);
                assert_true(token_decode(b.p, b.n, t) >= AT_PLATFORM_CLAIMS);
                assert_true(cca_realm_claims_decode(t->realm.payload, t->realm.payload_len, &t->rc, t->why) ||
                            i == 5); /* e01: D1 refuses the claims, the signature stands */
                assert_signed(iak, &t->plat, files[i]);
                if (i < 5) {
                        assert_true(cca_rak_point(&t->rc, point, t->why));
                        rak = p384_key(point);
                        assert_signed(rak, &t->realm, files[i]);
                        EVP_PKEY_free(rak);
                }
                EVP_PKEY_free(iak);
                free(t);
                free(b.p);
        }
}

static void cose_sign1_tbs_encode_writes_rfc9052s_sig_structure(void **state)
{
        /* ["Signature1", h'A1013822', h'', h'A0'] (RFC 9052 §4.4; RFC 8949 heads) */
        static const uint8_t want[] = { 0x84, 0x6a, 'S',  'i',  'g',  'n',  'a',  't',  'u',  'r',
                                        'e',  '1',  0x44, 0xa1, 0x01, 0x38, 0x22, 0x40, 0x41, 0xa0 };
        uint8_t out[64], payload = 0xa0;
        size_t n = 0;
        (void)state;
        assert_true(cose_sign1_tbs_encode(COSE_ALG_ES384, &payload, 1, out, sizeof(out), &n));
        assert_int_equal(n, sizeof(want));
        assert_memory_equal(out, want, n);
}

/* ---- COSE_Sign1: the tag, and each rule ---- */

static void assert_same_sign1(const struct cose_sign1 *a, const struct cose_sign1 *b)
{
        assert_int_equal(a->alg, b->alg);
        assert_int_equal(a->protected_len, b->protected_len);
        assert_memory_equal(a->protected_hdr, b->protected_hdr, a->protected_len);
        assert_int_equal(a->payload_len, b->payload_len);
        assert_memory_equal(a->payload, b->payload, a->payload_len);
        assert_int_equal(a->sig_len, b->sig_len);
        assert_memory_equal(a->sig, b->sig, a->sig_len);
}

static void cose_sign1_decode_takes_tag_18_in_one_byte_d2(void **state)
{
        struct token *t = expect_token(V01, DECODED, "");
        (void)state;
        assert_int_equal(t->col.platform[0], 0xd2);
        assert_int_equal(t->col.realm[0], 0xd2);
        assert_int_equal(t->plat.protected_len, 4);
        assert_memory_equal(t->plat.protected_hdr, "\xa1\x01\x38\x22", 4);
        free(t);
}

static void cose_sign1_decode_takes_tag_18_in_two_bytes_d8_12(void **state)
{
        struct token *t = expect_token(V01, DECODED, "");
        struct blob b = joined((const uint8_t *)"\xd8\x12", 2, t->col.platform + 1, t->col.platform_len - 1);
        struct cose_sign1 *s = calloc(1, sizeof(*s));
        (void)state;
        assert_non_null(s);
        assert_true(cose_sign1_decode(b.p, b.n, s, t->why));
        assert_same_sign1(s, &t->plat);
        free(s);
        free(b.p);
        free(t);
}

static void cose_sign1_decode_refuses_an_untagged_or_otherwise_tagged_array(void **state)
{
        struct token *t = expect_token(V01, DECODED, "");
        const uint8_t *array = t->col.platform + 1; /* after d2 */
        size_t n = t->col.platform_len - 1;
        (void)state;
        expect_refused(decode_cose, blob_of(array, n), "does not start with tag 18");
        expect_refused(decode_cose, joined((const uint8_t *)"\xd8\x11", 2, array, n), /* 17, COSE_Mac0 */
                       "does not start with tag 18");
        expect_refused(decode_cose,
                       joined((const uint8_t *)"\xd9\x00\x12", 3, array, n), /* 18, not shortest */
                       "does not start with tag 18");
        expect_refused(decode_cose, blob_of(array, 0), "does not start with tag 18");
        expect_refused(decode_cose, blob_of((const uint8_t *)"\xd2", 1), "COSE_Sign1 after its tag: 0 bytes");
        expect_refused(decode_cose, joined(t->col.platform, n + 1, (const uint8_t *)"", 1),
                       "1 bytes follow the CBOR item");
        free(t);
}

static cbor_item_t *bstr_fill(uint8_t v, size_t n)
{
        uint8_t buf[CCA_SUBTOKEN_MAX + 1];
        cbor_item_t *it;
        assert_true(n <= sizeof(buf));
        memset(buf, v, n);
        it = n ? cbor_build_bytestring(buf, n) : cbor_new_definite_bytestring();
        assert_non_null(it);
        return it;
}

static cbor_item_t *bstr_hex(const char *hex)
{
        uint8_t buf[64];
        size_t n = strlen(hex) / 2;
        assert_true(n <= sizeof(buf));
        unhex(hex, buf, n);
        return n ? cbor_build_bytestring(buf, n) : cbor_new_definite_bytestring();
}

/* An integer item; small ones in one byte, so that test maps stay as short as real ones. */
static cbor_item_t *int_item(int64_t v)
{
        uint64_t raw = v >= 0 ? (uint64_t)v : (uint64_t)(-1 - v);
        if (raw < 24)
                return v >= 0 ? cbor_build_uint8((uint8_t)raw) : cbor_build_negint8((uint8_t)raw);
        return v >= 0 ? cbor_build_uint64(raw) : cbor_build_negint64(raw);
}

/* Serializes item with libcbor (releasing it) into a blob. */
static struct blob serialized(cbor_item_t *item)
{
        uint8_t *buf = malloc(2 * CCA_TOKEN_MAX);
        size_t n;
        struct blob b;
        assert_non_null(item);
        assert_non_null(buf);
        n = cbor_serialize(item, buf, 2 * CCA_TOKEN_MAX);
        cbor_decref(&item);
        assert_true(n > 0);
        b = blob_of(buf, n);
        free(buf);
        return b;
}

/* Takes the references of the items. */
static cbor_item_t *array_of(size_t n, cbor_item_t *const *items)
{
        cbor_item_t *a = cbor_new_definite_array(n);
        assert_non_null(a);
        for (size_t i = 0; i < n; i++) {
                cbor_item_t *it = items[i];
                assert_non_null(it);
                assert_true(cbor_array_push(a, it));
                cbor_decref(&it);
        }
        return a;
}

/* tag 18 around [protected, unprotected, payload, signature]. */
static void expect_cose_items_refused(cbor_item_t *prot, cbor_item_t *unprot, cbor_item_t *payload,
                                      cbor_item_t *sig, const char *why_has)
{
        cbor_item_t *items[] = { prot, unprot, payload, sig };
        cbor_item_t *a = array_of(4, items), *tagged = cbor_build_tag(18, a);
        struct blob b;
        cbor_decref(&a);
        b = serialized(tagged);
        assert_int_equal(b.p[0], 0xd2);
        expect_refused(decode_cose, b, why_has);
}

static void cose_sign1_decode_refuses_each_malformed_field(void **state)
{
        (void)state;
        expect_cose_items_refused(bstr_hex("a20138220300"), cbor_new_definite_map(0), bstr_hex("a0"),
                                  bstr_fill(1, 96),
                                  "protected header is not {1: alg} alone in shortest form");
        expect_cose_items_refused(bstr_hex("a101390022"), cbor_new_definite_map(0), bstr_hex("a0"),
                                  bstr_fill(1, 96),
                                  "protected header is not {1: alg} alone in shortest form");
        expect_cose_items_refused(bstr_hex("a10127"), cbor_new_definite_map(0), bstr_hex("a0"),
                                  bstr_fill(1, 64),
                                  "label 1 (alg) is not ES256 (-7), ES384 (-35) or ES512 (-36)");
        expect_cose_items_refused(bstr_hex("a101654553333834"), cbor_new_definite_map(0), bstr_hex("a0"),
                                  bstr_fill(1, 96), "label 1 (alg) is not ES256");
        expect_cose_items_refused(bstr_hex("a10440"), cbor_new_definite_map(0), bstr_hex("a0"),
                                  bstr_fill(1, 96), "label 1 (alg) is missing");
        expect_cose_items_refused(bstr_hex(""), cbor_new_definite_map(0), bstr_hex("a0"), bstr_fill(1, 96),
                                  "protected header: 0 bytes");
        expect_cose_items_refused(cbor_new_definite_map(0), cbor_new_definite_map(0), bstr_hex("a0"),
                                  bstr_fill(1, 96), "the protected header is not a byte string");
        expect_cose_items_refused(bstr_hex("a1013822"), bstr_hex(""), bstr_hex("a0"), bstr_fill(1, 96),
                                  "the unprotected header is not a map");
        expect_cose_items_refused(bstr_hex("a1013822"), cbor_new_definite_map(0), cbor_new_null(),
                                  bstr_fill(1, 96), "the payload is not a byte string of 1 to 4096 bytes");
        expect_cose_items_refused(bstr_hex("a1013822"), cbor_new_definite_map(0), bstr_hex(""),
                                  bstr_fill(1, 96), "the payload is not a byte string of 1 to 4096 bytes");
        expect_cose_items_refused(bstr_hex("a1013822"), cbor_new_definite_map(0), bstr_hex("a0"),
                                  bstr_fill(1, 95), "the signature is 95 bytes; ES384 needs 96 (r || s)");
        expect_cose_items_refused(bstr_hex("a10126"), cbor_new_definite_map(0), bstr_hex("a0"),
                                  bstr_fill(1, 96), "the signature is 96 bytes; ES256 needs 64");
        expect_cose_items_refused(bstr_hex("a1013822"), cbor_new_definite_map(0), bstr_hex("a0"),
                                  cbor_build_string("sig"), "the signature is not a byte string");
        expect_refused(decode_cose, blob_of((const uint8_t *)"\xd2\x83\x44\xa1\x01\x38\x22\xa0\x41\xa0", 10),
                       "not an array of 4 (protected, unprotected, payload, signature)");
}

static void cose_sign1_decode_accepts_each_alg_with_its_signature_size_and_any_unprotected_map(void **state)
{
        static const struct {
                const char *prot;
                int alg;
                size_t sig;
        } algs[] = { { "a10126", COSE_ALG_ES256, 64 },
                     { "a1013822", COSE_ALG_ES384, 96 },
                     { "a1013823", COSE_ALG_ES512, 132 } };
        (void)state;
        for (size_t i = 0; i < 3; i++) {
                cbor_item_t *unprot = cbor_new_definite_map(1), *items[4], *array, *tagged;
                struct cose_sign1 *s = calloc(1, sizeof(*s));
                char why[CCA_WHY_LEN];
                struct blob b;
                assert_true(unprot && s);
                assert_true(
                        cbor_map_add(unprot, (struct cbor_pair){ .key = cbor_move(int_item(4)),
                                                                 .value = cbor_move(bstr_hex("6b6964")) }));
                items[0] = bstr_hex(algs[i].prot), items[1] = unprot, items[2] = bstr_hex("a0");
                items[3] = bstr_fill(7, algs[i].sig);
                array = array_of(4, items);
                tagged = cbor_build_tag(18, array);
                cbor_decref(&array);
                b = serialized(tagged);
                if (!cose_sign1_decode(b.p, b.n, s, why))
                        fail_msg("%s", why);
                assert_int_equal(s->alg, algs[i].alg);
                assert_int_equal(s->sig_len, algs[i].sig);
                assert_int_equal(s->payload_len, 1);
                free(s);
                free(b.p);
        }
}

/* ---- claims: each rule, on maps rebuilt from a vector with libcbor ---- */

static bool key_is(const cbor_item_t *k, int64_t key)
{
        if (key >= 0)
                return cbor_isa_uint(k) && cbor_get_int(k) == (uint64_t)key;
        return cbor_isa_negint(k) && cbor_get_int(k) == (uint64_t)(-1 - key);
}

static void add_pair(cbor_item_t *map, cbor_item_t *key, cbor_item_t *value)
{
        assert_true(cbor_map_add(map, (struct cbor_pair){ .key = key, .value = value }));
}

/* The map of in with key's value replaced by value (NULL: the key removed; added at the end
 * if absent). Takes value's reference. */
static struct blob with_entry(const uint8_t *in, size_t len, int64_t key, cbor_item_t *value)
{
        struct cbor_load_result r;
        cbor_item_t *src = cbor_load(in, len, &r), *dst, *k;
        struct cbor_pair *p;
        bool found = false;
        assert_non_null(src);
        p = cbor_map_handle(src);
        dst = cbor_new_definite_map(cbor_map_size(src) + 1);
        assert_non_null(dst);
        for (size_t i = 0; i < cbor_map_size(src); i++) {
                if (key_is(p[i].key, key)) {
                        found = true;
                        if (value)
                                add_pair(dst, p[i].key, value);
                } else {
                        add_pair(dst, p[i].key, p[i].value);
                }
        }
        if (!found && value) {
                k = int_item(key);
                add_pair(dst, k, value);
                cbor_decref(&k);
        }
        if (value)
                cbor_decref(&value);
        cbor_decref(&src);
        return serialized(dst);
}

static void expect_entry_refused(decoder d, const struct blob *base, int64_t key, cbor_item_t *value,
                                 const char *why_has)
{
        expect_refused(d, with_entry(base->p, base->n, key, value), why_has);
}

/* An array of n byte strings of len bytes, the last of last_len. */
static cbor_item_t *bstr_array(size_t n, size_t len, size_t last_len)
{
        cbor_item_t *items[CCA_SW_MAX + 2];
        assert_true(n <= sizeof(items) / sizeof(items[0]));
        for (size_t i = 0; i < n; i++)
                items[i] = bstr_fill(0x11, i + 1 == n ? last_len : len);
        return array_of(n, items);
}

static cbor_item_t *text_fill(char c, size_t n)
{
        char buf[CCA_WHY_LEN];
        assert_true(n <= sizeof(buf));
        memset(buf, c, n);
        return cbor_build_stringn(buf, n);
}

static void cca_realm_claims_decode_refuses_each_claim_of_the_wrong_size_or_type(void **state)
{
        struct blob base = kat(C_RUST_REALM); /* no profile, raw RAK, sha-256 */
        (void)state;
        expect_entry_refused(decode_realm, &base, 10, bstr_fill(0xab, 63),
                             "claim 10 (challenge) is 63 bytes; it must be 64");
        expect_entry_refused(decode_realm, &base, 10, NULL,
                             "claim 10 (challenge) is missing; it is mandatory");
        expect_entry_refused(decode_realm, &base, 44235, bstr_fill(0, 32),
                             "claim 44235 (personalization-value) is 32 bytes; it must be 64");
        expect_entry_refused(decode_realm, &base, 44235, NULL,
                             "claim 44235 (personalization-value) is missing");
        expect_entry_refused(decode_realm, &base, 44236, cbor_build_string("sha-384"),
                             "claim 44236 (hash-algo-id) is neither sha-256 nor sha-512");
        expect_entry_refused(decode_realm, &base, 44236, int_item(1),
                             "claim 44236 (hash-algo-id) is not a text string");
        expect_entry_refused(decode_realm, &base, 44238, bstr_fill(0, 20),
                             "realm token: claim 44238 (initial-measurement) is 20 bytes; sha-256 needs 32");
        expect_entry_refused(decode_realm, &base, 44238, cbor_build_string("rim"),
                             "claim 44238 (initial-measurement) is not a byte string");
        expect_entry_refused(decode_realm, &base, 44239, bstr_array(3, 32, 32),
                             "claim 44239 (extensible-measurements) is not an array of 4 byte strings");
        expect_entry_refused(decode_realm, &base, 44239, bstr_array(4, 32, 48),
                             "claim 44239 (extensible-measurements) entry 3 is 48 bytes; sha-256 needs 32");
        expect_entry_refused(decode_realm, &base, 44239, NULL,
                             "claim 44239 (extensible-measurements) is missing");
        expect_entry_refused(
                decode_realm, &base, 44237, bstr_fill(4, 96),
                "claim 44237 (public-key) is 96 bytes; without the profile it is a 97-byte P-384 point");
        expect_entry_refused(decode_realm, &base, 44237, bstr_fill(2, 97),
                             "claim 44237 (public-key) is 97 bytes; without");
        expect_entry_refused(decode_realm, &base, 44237, bstr_fill(4, 161),
                             "claim 44237 (public-key) is 161 bytes; at most 160");
        expect_entry_refused(decode_realm, &base, 44240, cbor_build_string(""),
                             "claim 44240 (public-key-hash-algo-id) is empty");
        expect_entry_refused(decode_realm, &base, 44240, text_fill('a', 64),
                             "is 64 bytes of text; at most 63 fit");
        expect_entry_refused(decode_realm, &base, 44240, cbor_build_stringn("sha\0-256", 8),
                             "holds a NUL character");
        expect_entry_refused(decode_realm, &base, 265, cbor_build_string("tag:arm.com,2024:realm#2.0.0"),
                             "claim 265 (profile) is an unknown profile");
        expect_entry_refused(decode_realm, &base, 265,
                             cbor_build_string(CCA_REALM_PROFILE_1_0), /* but a raw RAK */
                             "realm token: claim 44237 (public-key) COSE_Key: ");
        free(base.p);
}

/* The RAK's COSE_Key: kty, crv, x, y (extra: one more label, 0 for none; y_len 0: no y). */
static cbor_item_t *rak_key(int64_t kty, int64_t crv, size_t x_len, size_t y_len, int64_t extra)
{
        cbor_item_t *m = cbor_new_definite_map(5), *k;
        struct blob b;
        assert_non_null(m);
        add_pair(m, cbor_move(int_item(1)), cbor_move(int_item(kty)));
        add_pair(m, cbor_move(int_item(-1)), cbor_move(int_item(crv)));
        add_pair(m, cbor_move(int_item(-2)), cbor_move(bstr_fill(0x55, x_len)));
        if (y_len)
                add_pair(m, cbor_move(int_item(-3)), cbor_move(bstr_fill(0x66, y_len)));
        if (extra)
                add_pair(m, cbor_move(int_item(extra)), cbor_move(bstr_fill(0x77, 48)));
        b = serialized(m);
        k = cbor_build_bytestring(b.p, b.n);
        free(b.p);
        return k;
}

static struct blob realm_claims_of(const char *file)
{
        struct token *t = expect_token(file, DECODED, "");
        struct blob b = blob_of(t->realm.payload, t->realm.payload_len);
        free(t);
        return b;
}

static void cca_realm_claims_decode_refuses_a_rak_cose_key_other_than_kty_crv_x_y(void **state)
{
        struct blob base = realm_claims_of(V04); /* realm#1.0.0: 44237 is a COSE_Key */
        struct blob b;
        struct token *t = calloc(1, sizeof(*t));
        cbor_item_t *text_label = cbor_new_definite_map(5);
        (void)state;
        assert_true(t && text_label);
        b = with_entry(base.p, base.n, 44237, rak_key(2, 2, 48, 48, 0)); /* the control: accepted */
        assert_true(decode_realm(b.p, b.n, t));
        free(b.p);
        expect_entry_refused(decode_realm, &base, 44237, rak_key(3, 2, 48, 48, 0),
                             "COSE_Key: label 1 (kty) is not 2 (EC2)");
        expect_entry_refused(decode_realm, &base, 44237, rak_key(2, 1, 48, 48, 0),
                             "COSE_Key: label -1 (crv) is not 2 (P-384)");
        expect_entry_refused(decode_realm, &base, 44237, rak_key(2, 2, 47, 48, 0),
                             "COSE_Key: label -2 (x) is 47 bytes; it must be 48");
        expect_entry_refused(decode_realm, &base, 44237, rak_key(2, 2, 48, 0, 0),
                             "COSE_Key: label -3 (y) is missing");
        expect_entry_refused(decode_realm, &base, 44237, rak_key(2, 2, 48, 48, -4),
                             "realm token: claim 44237 (public-key) COSE_Key: label -4 (d) is not allowed");
        expect_entry_refused(decode_realm, &base, 44237, rak_key(2, 2, 48, 48, 5),
                             "COSE_Key: label 5 is not allowed");
        add_pair(text_label, cbor_move(cbor_build_string("kty")), cbor_move(int_item(2)));
        b = serialized(text_label);
        expect_entry_refused(decode_realm, &base, 44237, cbor_build_bytestring(b.p, b.n),
                             "COSE_Key: a text label");
        free(b.p);
        expect_entry_refused(decode_realm, &base, 44237, bstr_fill(0x04, 97),
                             "COSE_Key: 96 bytes follow the CBOR item");
        free(t);
        free(base.p);
}

static cbor_item_t *sw_item(size_t meas_len, size_t signer_len, cbor_item_t *type)
{
        cbor_item_t *m = cbor_new_definite_map(3);
        assert_non_null(m);
        if (meas_len)
                add_pair(m, cbor_move(int_item(2)), cbor_move(bstr_fill(3, meas_len)));
        add_pair(m, cbor_move(int_item(5)), cbor_move(bstr_fill(4, signer_len)));
        if (type)
                add_pair(m, cbor_move(int_item(1)), cbor_move(type));
        return m;
}

static cbor_item_t *sw_list(size_t n)
{
        cbor_item_t *items[CCA_SW_MAX + 1];
        assert_true(n <= CCA_SW_MAX + 1);
        for (size_t i = 0; i < n; i++)
                items[i] = sw_item(32, 32, NULL);
        return array_of(n, items);
}

static cbor_item_t *one_sw(cbor_item_t *component) { return array_of(1, &component); }

static void cca_platform_claims_decode_refuses_each_claim_of_the_wrong_size_or_type(void **state)
{
        struct blob base = kat(C_PLAT_ALL);
        cbor_item_t *bad_instance = bstr_fill(1, 33);
        (void)state;
        cbor_bytestring_handle(bad_instance)[0] = 0x02;
        expect_entry_refused(decode_platform, &base, 265,
                             cbor_build_string("tag:arm.com,2023:cca_platform#2.0.0"),
                             "platform token: claim 265 (profile) is an unknown profile");
        expect_entry_refused(decode_platform, &base, 265, NULL, "claim 265 (profile) is missing");
        expect_entry_refused(decode_platform, &base, 10, bstr_fill(1, 33),
                             "claim 10 (challenge) is 33 bytes; a hash is 32, 48 or 64");
        expect_entry_refused(decode_platform, &base, 2396, bstr_fill(0, 31),
                             "claim 2396 (implementation-id) is 31 bytes; it must be 32");
        expect_entry_refused(decode_platform, &base, 256, bad_instance,
                             "claim 256 (instance-id) does not start with 0x01 (a random UEID)");
        expect_entry_refused(decode_platform, &base, 2401, bstr_fill(0, 257),
                             "claim 2401 (config) is 257 bytes; at most 256");
        expect_entry_refused(decode_platform, &base, 2395, int_item(65536),
                             "claim 2395 (lifecycle) is not an unsigned 16-bit integer");
        expect_entry_refused(decode_platform, &base, 2395, int_item(-1),
                             "claim 2395 (lifecycle) is not an unsigned");
        expect_entry_refused(
                decode_platform, &base, 2399, sw_list(0),
                "claim 2399 (sw-components) is empty; at least one software component is required");
        expect_entry_refused(decode_platform, &base, 2399, sw_list(CCA_SW_MAX + 1),
                             "claim 2399 (sw-components) has 17 software components; ccada keeps at most 16");
        expect_entry_refused(decode_platform, &base, 2399, cbor_new_definite_map(0),
                             "claim 2399 (sw-components) is not an array");
        expect_entry_refused(decode_platform, &base, 2399, one_sw(bstr_fill(0, 1)),
                             "platform token: claim 2399 (sw-components) entry 0: not a CBOR map");
        expect_entry_refused(decode_platform, &base, 2399, one_sw(sw_item(0, 32, NULL)),
                             "claim 2399 (sw-components) entry 0: key 2 (measurement-value) is missing");
        expect_entry_refused(decode_platform, &base, 2399, one_sw(sw_item(32, 20, NULL)),
                             "entry 0: key 5 (signer-id) is 20 bytes; a hash is 32, 48 or 64");
        expect_entry_refused(decode_platform, &base, 2399, one_sw(sw_item(32, 32, int_item(7))),
                             "entry 0: key 1 (measurement-type) is not a text string");
        expect_entry_refused(decode_platform, &base, 2400, int_item(1),
                             "claim 2400 (verification-service) is not a text string");
        expect_entry_refused(decode_platform, &base, 2402, NULL, "claim 2402 (hash-algo-id) is missing");
        free(base.p);
}

static void cca_platform_claims_decode_keeps_up_to_cca_sw_max_components(void **state)
{
        struct blob base = kat(C_PLAT_ALL), b = with_entry(base.p, base.n, 2399, sw_list(CCA_SW_MAX));
        struct token *t = calloc(1, sizeof(*t));
        (void)state;
        assert_non_null(t);
        assert_true(decode_platform(b.p, b.n, t));
        assert_int_equal(t->pc.nsw, CCA_SW_MAX);
        assert_string_equal(t->pc.sw[CCA_SW_MAX - 1].type, "");
        assert_int_equal(t->pc.sw[CCA_SW_MAX - 1].measurement_len, 32);
        free(t);
        free(b.p);
        free(base.p);
}

/* ---- claims maps: keys, forms, and what is not one definite item ---- */

/* base's map plus key: value, whatever is in it already. Takes both references. */
static struct blob with_pair(const struct blob *base, cbor_item_t *key, cbor_item_t *value)
{
        struct cbor_load_result r;
        cbor_item_t *src = cbor_load(base->p, base->n, &r), *dst;
        struct cbor_pair *p;
        assert_non_null(src);
        p = cbor_map_handle(src);
        dst = cbor_new_definite_map(cbor_map_size(src) + 1);
        assert_non_null(dst);
        for (size_t i = 0; i < cbor_map_size(src); i++)
                add_pair(dst, p[i].key, p[i].value);
        add_pair(dst, key, value);
        cbor_decref(&key);
        cbor_decref(&value);
        cbor_decref(&src);
        return serialized(dst);
}

static void cca_claims_decoders_refuse_duplicate_keys_in_any_encoding(void **state)
{
        struct blob base = kat(C_RUST_REALM), once;
        (void)state;
        expect_refused(decode_realm,
                       with_pair(&base, cbor_build_uint16(10), bstr_fill(0xab, 64)), /* 19 00 0a */
                       "realm token: claim 10 (challenge) appears twice; map keys are unique");
        once = with_pair(&base, cbor_build_string("x"), int_item(1));
        expect_refused(decode_realm, with_pair(&once, cbor_build_string("x"), int_item(2)),
                       "realm token: a claim appears twice");
        expect_refused(decode_realm, with_pair(&base, bstr_fill(0, 1), int_item(1)),
                       "realm token: a claim that is neither an integer nor a text string");
        free(once.p);
        free(base.p);
}

/* variant (freed here) decodes to the same realm claims as base. */
static void assert_realm_decodes_like(const struct blob *base, struct blob variant)
{
        struct token *t = calloc(1, sizeof(*t)), *u = calloc(1, sizeof(*u));
        assert_true(t && u);
        assert_true(decode_realm(base->p, base->n, t));
        if (!decode_realm(variant.p, variant.n, u))
                fail_msg("%s", u->why);
        assert_memory_equal(&t->rc, &u->rc, sizeof(t->rc));
        free(t);
        free(u);
        free(variant.p);
}

static void cca_claims_decoders_ignore_unknown_integer_and_text_claims(void **state)
{
        struct blob base = kat(C_RUST_REALM), b = blob_of(base.p, base.n), next;
        cbor_item_t *keys[] = { int_item(1234567), int_item(-70000), cbor_build_negint64(UINT64_MAX),
                                cbor_build_string("unknown") };
        (void)state;
        for (size_t i = 0; i < 4; i++) {
                next = with_pair(&b, keys[i], bstr_array(1, 1, 1));
                free(b.p);
                b = next;
        }
        assert_realm_decodes_like(&base, b);
        free(base.p);
}

static void cca_claims_decoders_accept_long_key_forms_and_indefinite_maps(void **state)
{
        struct blob base = kat(C_RUST_REALM), b;
        struct cbor_load_result r;
        cbor_item_t *src = cbor_load(base.p, base.n, &r), *dst = cbor_new_indefinite_map();
        struct cbor_pair *p;
        (void)state;
        assert_true(src && dst);
        p = cbor_map_handle(src);
        for (size_t i = 0; i < cbor_map_size(src); i++)
                add_pair(dst, cbor_move(cbor_build_uint64(cbor_get_int(p[i].key))), p[i].value);
        cbor_decref(&src);
        b = serialized(dst);
        assert_int_equal(b.p[0], 0xbf);
        assert_int_equal(b.p[1], 0x1b); /* 10 in eight bytes */
        assert_realm_decodes_like(&base, b);
        free(base.p);
}

static void cca_claims_decoders_refuse_what_is_not_one_definite_item(void **state)
{
        struct blob base = kat(C_RUST_REALM), b;
        cbor_item_t *indefinite = cbor_new_indefinite_string();
        uint8_t *big = calloc(1, CCA_SUBTOKEN_MAX + 1);
        static const uint8_t huge_array[] = { 0x9b, 0, 0, 0, 1, 0, 0, 0, 0 };
        static const uint8_t huge_map[] = { 0xa1, 0x0a, 0xba, 0x10, 0, 0, 0 };
        (void)state;
        assert_true(indefinite && big);
        assert_true(cbor_string_add_chunk(indefinite, cbor_move(cbor_build_string("sha-256"))));
        expect_entry_refused(decode_realm, &base, 44236, indefinite, "indefinite-length string at byte");
        expect_refused(decode_realm, blob_of(huge_array, sizeof(huge_array)),
                       "realm token: the head at byte 0 announces more elements than the input holds");
        expect_refused(decode_platform, blob_of(huge_map, sizeof(huge_map)),
                       "platform token: the head at byte 2 announces more elements");
        expect_refused(decode_realm, blob_of(base.p, base.n - 1), "realm token: the CBOR item at byte");
        b = with_pair(&base, int_item(1), int_item(1));
        b.p[0] = 0xd2; /* tag 18 where the map's head was */
        expect_refused(decode_realm, b, "realm token: tag 18 at byte 0 does not belong here");
        expect_refused(decode_platform, blob_of((const uint8_t *)"\x80", 1),
                       "platform token: not a CBOR map");
        expect_refused(decode_realm, joined(base.p, base.n, (const uint8_t *)"\xf6", 1),
                       "realm token: 1 bytes follow the CBOR item");
        expect_refused(decode_realm, blob_of(big, CCA_SUBTOKEN_MAX + 1),
                       "realm token: 4097 bytes; 1 to 4096 are accepted");
        expect_refused(decode_platform, blob_of(big, 0), "platform token: 0 bytes; 1 to 4096 are accepted");
        free(big);
        free(base.p);
}

/* ---- the collection: each rule ---- */

static struct blob collection_of(uint64_t tag, cbor_item_t *platform, cbor_item_t *realm,
                                 cbor_item_t *extra_key)
{
        cbor_item_t *m = cbor_new_definite_map(3), *t;
        assert_non_null(m);
        if (platform)
                add_pair(m, cbor_move(int_item(CCA_KEY_PLATFORM_TOKEN)), cbor_move(platform));
        if (realm)
                add_pair(m, cbor_move(int_item(CCA_KEY_REALM_TOKEN)), cbor_move(realm));
        if (extra_key)
                add_pair(m, cbor_move(extra_key), cbor_move(bstr_fill(0xd2, 8)));
        t = cbor_build_tag(tag, m);
        cbor_decref(&m);
        return serialized(t);
}

static cbor_item_t *cmw(uint64_t format, cbor_item_t *bstr)
{
        cbor_item_t *items[] = { int_item((int64_t)format), bstr };
        return array_of(2, items);
}

static void cca_collection_decode_refuses_each_malformed_form(void **state)
{
        struct cca_collection *c = calloc(1, sizeof(*c));
        struct blob b = collection_of(907, cmw(263, bstr_fill(0xd2, 8)), cmw(263, bstr_fill(0xd2, 8)), NULL);
        char why[CCA_WHY_LEN];
        (void)state;
        assert_non_null(c);
        assert_true(cca_collection_decode(b.p, b.n, c, why)); /* the control */
        free(b.p);
        free(c);
        expect_refused(decode_collection, collection_of(907, bstr_fill(0xd2, 8), bstr_fill(0xd2, 8), NULL),
                       "collection: entry 44234 (platform) is not a CMW [263, bstr] entry");
        expect_refused(decode_collection,
                       collection_of(907, cmw(263, bstr_fill(0xd2, 8)), cmw(264, bstr_fill(0xd2, 8)), NULL),
                       "collection: entry 44241 (realm) is not a CMW [263, bstr] entry");
        expect_refused(decode_collection,
                       collection_of(907, cmw(263, bstr_fill(0xd2, 8)), cmw(263, int_item(1)), NULL),
                       "collection: entry 44241 (realm) is not a byte string");
        expect_refused(decode_collection,
                       collection_of(399, bstr_fill(0xd2, 8), bstr_fill(0xd2, 8), int_item(1)),
                       "collection: entries beside 44234 (platform) and 44241 (realm)");
        expect_refused(decode_collection, collection_of(400, bstr_fill(0xd2, 8), bstr_fill(0xd2, 8), NULL),
                       "collection: tag 400; a CCA token is tag 399 (RMM 1.0) or 907 (CMW)");
        expect_refused(decode_collection,
                       collection_of(399, bstr_fill(0xd2, CCA_SUBTOKEN_MAX + 1), bstr_fill(0xd2, 8), NULL),
                       "entry 44234 (platform) is 4097 bytes; a COSE_Sign1 here is 1 to 4096");
        expect_refused(decode_collection, collection_of(399, bstr_fill(0xd2, 8), bstr_fill(0xd2, 0), NULL),
                       "entry 44241 (realm) is 0 bytes");
        expect_refused(decode_collection,
                       collection_of(399, bstr_fill(0xd2, 8), bstr_fill(0xd2, 8), int_item(44234)),
                       "collection: entry 44234 (platform) appears twice");
        expect_refused(decode_collection, serialized(cbor_new_definite_map(0)),
                       "collection: not a tagged item; a CCA token is tag 399 or 907");
        expect_refused(decode_collection,
                       serialized(cbor_build_tag(399, cbor_move(cbor_new_definite_array(0)))),
                       "collection: not a CBOR map");
}

static void cca_collection_decode_refuses_input_beyond_cca_token_max(void **state)
{
        uint8_t *big = calloc(1, CCA_TOKEN_MAX + 1);
        (void)state;
        assert_non_null(big);
        expect_refused(decode_collection, blob_of(big, CCA_TOKEN_MAX + 1),
                       "collection: 8257 bytes; 1 to 8256 are accepted");
        free(big);
}

/* ---- encoders: what they refuse ---- */

static struct token *decoded(const char *file) { return expect_token(file, DECODED, ""); }

/* c, changed by change from the struct base, is refused by encode (c, base, out, n in scope). */
#define REFUSED(encode, change)                                    \
        do {                                                       \
                c = base;                                          \
                change;                                            \
                if (encode(&c, out, sizeof(out), &n))              \
                        fail_msg("%s accepted " #change, #encode); \
        } while (0)

/* Each change, made to a copy of claims that encode, makes the encoder refuse them. */
static void cca_claims_encoders_refuse_out_of_range_fields(void **state)
{
        struct token *t = decoded(V03), *u = decoded(V04);
        uint8_t out[CCA_SUBTOKEN_MAX];
        size_t n = 0;
        (void)state;
        {
                const struct cca_realm_claims base = u->rc;
                struct cca_realm_claims c = base;
                assert_true(cca_realm_claims_encode(&c, out, sizeof(out), &n));
                REFUSED(cca_realm_claims_encode, c.meas_len = 20);
                REFUSED(cca_realm_claims_encode, c.meas_len = 48);
                REFUSED(cca_realm_claims_encode, c.meas_len = CCA_MEAS_MAX + 1);
                REFUSED(cca_realm_claims_encode, c.rak_len = 0);
                REFUSED(cca_realm_claims_encode, c.rak_len = 97);
                REFUSED(cca_realm_claims_encode, c.rak_len = CCA_RAK_CLAIM_MAX + 1);
                REFUSED(cca_realm_claims_encode, c.has_profile = false);
                REFUSED(cca_realm_claims_encode, snprintf(c.hash_algo, sizeof(c.hash_algo), "sha-384"));
                REFUSED(cca_realm_claims_encode, memset(c.hash_algo, 'a', sizeof(c.hash_algo)));
                REFUSED(cca_realm_claims_encode, c.rak_hash_algo[0] = '\0');
                REFUSED(cca_realm_claims_encode, memset(c.rak_hash_algo, 'a', sizeof(c.rak_hash_algo)));
        }
        {
                const struct cca_platform_claims base = t->pc;
                struct cca_platform_claims c = base;
                assert_true(cca_platform_claims_encode(&c, out, sizeof(out), &n));
                REFUSED(cca_platform_claims_encode, c.nsw = 0);
                REFUSED(cca_platform_claims_encode, c.nsw = CCA_SW_MAX + 1);
                REFUSED(cca_platform_claims_encode, c.challenge_len = 20);
                REFUSED(cca_platform_claims_encode, c.challenge_len = CCA_MEAS_MAX + 1);
                REFUSED(cca_platform_claims_encode, c.config_len = CCA_CONFIG_MAX + 1);
                REFUSED(cca_platform_claims_encode, c.instance_id[0] = 0x02);
                REFUSED(cca_platform_claims_encode, snprintf(c.profile, sizeof(c.profile), "x"));
                REFUSED(cca_platform_claims_encode, c.hash_algo[0] = '\0');
                REFUSED(cca_platform_claims_encode, c.sw[0].measurement_len = 31);
                REFUSED(cca_platform_claims_encode, c.sw[12].signer_id_len = CCA_MEAS_MAX + 1);
                REFUSED(cca_platform_claims_encode, memset(c.sw[3].version, 'v', sizeof(c.sw[3].version)));
                REFUSED(cca_platform_claims_encode,
                        memset(c.verification_service, 'a', sizeof(c.verification_service)));
        }
        free(u);
        free(t);
}

/* 16 components with every text at its longest no longer fit one COSE_Sign1. */
static void cca_platform_claims_encode_refuses_claims_its_decoder_could_not_take(void **state)
{
        struct token *t = decoded(V03);
        uint8_t *out = malloc(4 * CCA_SUBTOKEN_MAX);
        size_t n = 0;
        (void)state;
        assert_non_null(out);
        t->pc.nsw = CCA_SW_MAX;
        for (unsigned i = 0; i < CCA_SW_MAX; i++) {
                t->pc.sw[i] = t->pc.sw[0];
                memset(t->pc.sw[i].type, 't', CCA_TEXT_MAX - 1);
                memset(t->pc.sw[i].version, 'v', CCA_TEXT_MAX - 1);
                memset(t->pc.sw[i].hash_algo, 'h', CCA_TEXT_MAX - 1);
        }
        assert_false(cca_platform_claims_encode(&t->pc, out, 4 * CCA_SUBTOKEN_MAX, &n));
        free(out);
        free(t);
}

/* cap one byte short of the encoding is refused; cap exactly the encoding is not. */
static void cca_encoders_refuse_a_buffer_one_byte_short(void **state)
{
        struct token *t = decoded(V04);
        uint8_t *out = malloc(CCA_TOKEN_MAX), point[97];
        size_t n = 0, m = 0;
        (void)state;
        assert_non_null(out);
        assert_true(cca_realm_claims_encode(&t->rc, out, CCA_TOKEN_MAX, &n));
        assert_false(cca_realm_claims_encode(&t->rc, out, n - 1, &m));
        assert_true(cca_realm_claims_encode(&t->rc, out, n, &m) && m == n);
        assert_true(cca_platform_claims_encode(&t->pc, out, CCA_TOKEN_MAX, &n));
        assert_false(cca_platform_claims_encode(&t->pc, out, n - 1, &m));
        assert_true(cca_platform_claims_encode(&t->pc, out, n, &m) && m == n);
        assert_true(cose_sign1_encode(t->plat.alg, t->plat.payload, t->plat.payload_len, t->plat.sig,
                                      t->plat.sig_len, out, CCA_TOKEN_MAX, &n));
        assert_false(cose_sign1_encode(t->plat.alg, t->plat.payload, t->plat.payload_len, t->plat.sig,
                                       t->plat.sig_len, out, n - 1, &m));
        assert_true(cose_sign1_tbs_encode(t->plat.alg, t->plat.payload, t->plat.payload_len, out,
                                          CCA_TOKEN_MAX, &n));
        assert_false(
                cose_sign1_tbs_encode(t->plat.alg, t->plat.payload, t->plat.payload_len, out, n - 1, &m));
        for (int form = CCA_FORM_399; form <= CCA_FORM_907; form++) {
                assert_true(cca_collection_encode((enum cca_form)form, t->col.platform, t->col.platform_len,
                                                  t->col.realm, t->col.realm_len, out, CCA_TOKEN_MAX, &n));
                assert_false(cca_collection_encode((enum cca_form)form, t->col.platform, t->col.platform_len,
                                                   t->col.realm, t->col.realm_len, out, n - 1, &m));
        }
        assert_true(cca_rak_point(&t->rc, point, t->why));
        assert_true(cca_rak_cose_key_encode(point, sizeof(point), out, 107, &n) && n == 107);
        assert_false(cca_rak_cose_key_encode(point, sizeof(point), out, 106, &m));
        free(out);
        free(t);
}

static void cose_sign1_encode_refuses_unknown_alg_wrong_signature_size_and_empty_payload(void **state)
{
        uint8_t payload[CCA_SUBTOKEN_MAX] = { 0xa0 }, sig[CCA_SIG_MAX] = { 0 }, out[CCA_TOKEN_MAX];
        size_t n = 0;
        (void)state;
        assert_true(cose_sign1_encode(COSE_ALG_ES512, payload, 1, sig, 132, out, sizeof(out), &n));
        assert_false(cose_sign1_encode(-8, payload, 1, sig, 64, out, sizeof(out), &n)); /* EdDSA */
        assert_false(cose_sign1_encode(COSE_ALG_ES384, payload, 1, sig, 64, out, sizeof(out), &n));
        assert_false(cose_sign1_encode(COSE_ALG_ES256, payload, 1, sig, 96, out, sizeof(out), &n));
        assert_false(cose_sign1_encode(COSE_ALG_ES384, payload, 0, sig, 96, out, sizeof(out), &n));
        assert_false(
                cose_sign1_encode(COSE_ALG_ES384, payload, CCA_SUBTOKEN_MAX, sig, 96, out, sizeof(out), &n));
        assert_false(cose_sign1_tbs_encode(-8, payload, 1, out, sizeof(out), &n));
}

static void cca_collection_encode_refuses_empty_or_oversized_entries_and_unknown_forms(void **state)
{
        static uint8_t entry[CCA_SUBTOKEN_MAX + 1], out[2 * CCA_TOKEN_MAX];
        size_t n = 0;
        (void)state;
        assert_true(cca_collection_encode(CCA_FORM_907, entry, CCA_SUBTOKEN_MAX, entry, CCA_SUBTOKEN_MAX, out,
                                          sizeof(out), &n));
        assert_true(n <= CCA_TOKEN_MAX);
        assert_false(cca_collection_encode(CCA_FORM_399, entry, 0, entry, 1, out, sizeof(out), &n));
        assert_false(cca_collection_encode(CCA_FORM_399, entry, 1, entry, 0, out, sizeof(out), &n));
        assert_false(cca_collection_encode(CCA_FORM_907, entry, CCA_SUBTOKEN_MAX + 1, entry, 1, out,
                                           sizeof(out), &n));
        assert_false(cca_collection_encode((enum cca_form)2, entry, 1, entry, 1, out, sizeof(out), &n));
}

static void cca_rak_cose_key_encode_refuses_anything_but_a_97_byte_uncompressed_point(void **state)
{
        uint8_t point[98] = { 0x04 }, out[CCA_RAK_CLAIM_MAX];
        size_t n = 0;
        (void)state;
        assert_true(cca_rak_cose_key_encode(point, 97, out, sizeof(out), &n));
        assert_int_equal(n, 107);
        assert_false(cca_rak_cose_key_encode(point, 96, out, sizeof(out), &n));
        assert_false(cca_rak_cose_key_encode(point, 98, out, sizeof(out), &n));
        point[0] = 0x02;
        assert_false(cca_rak_cose_key_encode(point, 97, out, sizeof(out), &n));
}

static void cca_rak_point_takes_the_raw_claim_and_refuses_a_bad_one(void **state)
{
        struct token *t = decoded(V01);
        uint8_t point[97];
        char why[CCA_WHY_LEN];
        (void)state;
        assert_true(cca_rak_point(&t->rc, point, why));
        assert_memory_equal(point, t->rc.rak, 97);
        t->rc.rak_len = 96;
        assert_false(cca_rak_point(&t->rc, point, why));
        assert_why_has(
                why, "claim 44237 (public-key) is 96 bytes; without the profile it is a 97-byte P-384 point");
        t->rc.rak_len = CCA_RAK_CLAIM_MAX + 1;
        assert_false(cca_rak_point(&t->rc, point, why));
        assert_why_has(why, "is 161 bytes; at most 160");
        t->rc.rak_len = 97;
        t->rc.has_profile = true;
        assert_false(cca_rak_point(&t->rc, point, why));
        assert_why_has(why, "COSE_Key");
        free(t);
}

static void cca_claim_names_follow_the_draft(void **state)
{
        (void)state;
        assert_string_equal(cca_realm_claim_name(10), "challenge");
        assert_string_equal(cca_realm_claim_name(265), "profile");
        assert_string_equal(cca_realm_claim_name(44235), "personalization-value");
        assert_string_equal(cca_realm_claim_name(44236), "hash-algo-id");
        assert_string_equal(cca_realm_claim_name(44237), "public-key");
        assert_string_equal(cca_realm_claim_name(44238), "initial-measurement");
        assert_string_equal(cca_realm_claim_name(44239), "extensible-measurements");
        assert_string_equal(cca_realm_claim_name(44240), "public-key-hash-algo-id");
        assert_string_equal(cca_realm_claim_name(44243), "");
        assert_string_equal(cca_platform_claim_name(265), "profile");
        assert_string_equal(cca_platform_claim_name(10), "challenge");
        assert_string_equal(cca_platform_claim_name(2396), "implementation-id");
        assert_string_equal(cca_platform_claim_name(256), "instance-id");
        assert_string_equal(cca_platform_claim_name(2401), "config");
        assert_string_equal(cca_platform_claim_name(2395), "lifecycle");
        assert_string_equal(cca_platform_claim_name(2399), "sw-components");
        assert_string_equal(cca_platform_claim_name(2400), "verification-service");
        assert_string_equal(cca_platform_claim_name(2402), "hash-algo-id");
        assert_string_equal(cca_platform_claim_name(44237), "");
        assert_string_equal(cca_platform_claim_name(-1), "");
}

/* ---- round trips of random values ---- */

static uint64_t test_seed(void)
{
        const char *env = getenv("CCADA_TEST_SEED");
        uint64_t seed = 0xcca70c3eull;
        enum ccada_number_error e = env ? ccada_parse_u64(env, strlen(env), &seed) : CCADA_NUMBER_OK;
        if (e != CCADA_NUMBER_OK)
                fail_msg("CCADA_TEST_SEED '%s' is not a number: %s", env, ccada_number_error_text(e));
        printf("cca_token property seed: 0x%llx (set CCADA_TEST_SEED to replay)\n", (unsigned long long)seed);
        return seed;
}

/* Printable text of min..max bytes. */
static void random_text(struct prng *r, char *dst, size_t min, size_t max)
{
        size_t n = min + (size_t)prng_below(r, max - min + 1);
        for (size_t i = 0; i < n; i++)
                dst[i] = (char)(' ' + prng_below(r, 95));
        dst[n] = '\0';
}

static size_t random_hash_len(struct prng *r) { return 32 + 16 * (size_t)prng_below(r, 3); }

static void random_realm(struct prng *r, struct cca_realm_claims *c)
{
        uint8_t point[97] = { 0x04 };
        bool sha512 = prng_below(r, 2);
        memset(c, 0, sizeof(*c));
        prng_fill(r, c->challenge, sizeof(c->challenge));
        prng_fill(r, c->rpv, sizeof(c->rpv));
        snprintf(c->hash_algo, sizeof(c->hash_algo), "%s", sha512 ? "sha-512" : "sha-256");
        c->meas_len = sha512 ? 64 : 32;
        prng_fill(r, c->rim, c->meas_len);
        for (size_t i = 0; i < CCA_REM_COUNT; i++)
                prng_fill(r, c->rem[i], c->meas_len);
        prng_fill(r, point + 1, 96);
        c->has_profile = prng_below(r, 2);
        if (c->has_profile) {
                assert_true(cca_rak_cose_key_encode(point, 97, c->rak, sizeof(c->rak), &c->rak_len));
        } else {
                memcpy(c->rak, point, 97);
                c->rak_len = 97;
        }
        random_text(r, c->rak_hash_algo, 1, CCA_TEXT_MAX - 1);
}

/* Component texts stay short enough for 16 components to fit one COSE_Sign1. */
static void random_platform(struct prng *r, struct cca_platform_claims *c)
{
        memset(c, 0, sizeof(*c));
        snprintf(c->profile, sizeof(c->profile), "%s",
                 prng_below(r, 2) ? CCA_PLAT_PROFILE_1_0 : CCA_PLAT_PROFILE_LEGACY);
        c->challenge_len = random_hash_len(r);
        prng_fill(r, c->challenge, c->challenge_len);
        prng_fill(r, c->implementation_id, sizeof(c->implementation_id));
        prng_fill(r, c->instance_id, sizeof(c->instance_id));
        c->instance_id[0] = 0x01;
        c->config_len = (size_t)prng_below(r, CCA_CONFIG_MAX + 1);
        prng_fill(r, c->config, c->config_len);
        c->lifecycle = (uint16_t)prng_below(r, 0x10000);
        c->nsw = 1 + (unsigned)prng_below(r, CCA_SW_MAX);
        for (unsigned i = 0; i < c->nsw; i++) {
                struct cca_sw_component *sw = &c->sw[i];
                random_text(r, sw->type, 0, 15);
                sw->measurement_len = random_hash_len(r);
                prng_fill(r, sw->measurement, sw->measurement_len);
                random_text(r, sw->version, 0, 15);
                sw->signer_id_len = random_hash_len(r);
                prng_fill(r, sw->signer_id, sw->signer_id_len);
                random_text(r, sw->hash_algo, 0, 15);
        }
        if (prng_below(r, 2))
                random_text(r, c->verification_service, 1, CCA_TEXT_MAX - 1);
        random_text(r, c->hash_algo, 1, CCA_TEXT_MAX - 1);
}

static void cca_claims_random_values_encode_then_decode_to_equal_structs(void **state)
{
        uint64_t seed = test_seed();
        struct prng r;
        struct token *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
        uint8_t out[CCA_SUBTOKEN_MAX];
        size_t n = 0;
        (void)state;
        assert_true(a && b);
        prng_seed(&r, seed);
        for (unsigned i = 0; i < 400; i++) {
                random_realm(&r, &a->rc);
                if (!cca_realm_claims_encode(&a->rc, out, sizeof(out), &n) ||
                    !cca_realm_claims_decode(out, n, &b->rc, b->why) || memcmp(&a->rc, &b->rc, sizeof(a->rc)))
                        fail_msg("seed 0x%llx, realm claims %u: %s", (unsigned long long)seed, i, b->why);
                random_platform(&r, &a->pc);
                if (!cca_platform_claims_encode(&a->pc, out, sizeof(out), &n) ||
                    !cca_platform_claims_decode(out, n, &b->pc, b->why) ||
                    memcmp(&a->pc, &b->pc, sizeof(a->pc)))
                        fail_msg("seed 0x%llx, platform claims %u: %s", (unsigned long long)seed, i, b->why);
        }
        free(a);
        free(b);
}

/* Each alg with its protected header (RFC 9052 §3.1: {1: alg}) and r || s size (RFC 9053 §2.1). */
static const struct {
        int alg;
        const char *protected_hdr;
        size_t sig_len;
} cose_algs[] = {
        { COSE_ALG_ES256, "\xa1\x01\x26", 64 },
        { COSE_ALG_ES384, "\xa1\x01\x38\x22", 96 },
        { COSE_ALG_ES512, "\xa1\x01\x38\x23", 132 },
};

static void random_cose(struct prng *r, struct cose_sign1 *c)
{
        size_t k = (size_t)prng_below(r, 3);
        memset(c, 0, sizeof(*c));
        c->alg = cose_algs[k].alg;
        c->protected_len = strlen(cose_algs[k].protected_hdr);
        memcpy(c->protected_hdr, cose_algs[k].protected_hdr, c->protected_len);
        c->payload_len = 1 + (size_t)prng_below(r, CCA_SUBTOKEN_MAX - 256);
        prng_fill(r, c->payload, c->payload_len);
        c->sig_len = cose_algs[k].sig_len;
        prng_fill(r, c->sig, c->sig_len);
}

static void random_collection(struct prng *r, struct cca_collection *c)
{
        memset(c, 0, sizeof(*c));
        c->form = prng_below(r, 2) ? CCA_FORM_907 : CCA_FORM_399;
        c->platform_len = 1 + (size_t)prng_below(r, CCA_SUBTOKEN_MAX);
        c->realm_len = 1 + (size_t)prng_below(r, CCA_SUBTOKEN_MAX);
        prng_fill(r, c->platform, c->platform_len);
        prng_fill(r, c->realm, c->realm_len);
}

static void cose_sign1_and_collection_random_values_encode_then_decode_to_equal_structs(void **state)
{
        uint64_t seed = test_seed();
        struct prng r;
        struct token *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
        uint8_t *out = malloc(CCA_TOKEN_MAX);
        size_t n = 0;
        (void)state;
        assert_true(a && b && out);
        prng_seed(&r, seed);
        for (unsigned i = 0; i < 200; i++) {
                random_cose(&r, &a->plat);
                if (!cose_sign1_encode(a->plat.alg, a->plat.payload, a->plat.payload_len, a->plat.sig,
                                       a->plat.sig_len, out, CCA_TOKEN_MAX, &n) ||
                    !cose_sign1_decode(out, n, &b->plat, b->why) ||
                    memcmp(&a->plat, &b->plat, sizeof(a->plat)))
                        fail_msg("seed 0x%llx, COSE_Sign1 %u: %s", (unsigned long long)seed, i, b->why);
                random_collection(&r, &a->col);
                if (!cca_collection_encode(a->col.form, a->col.platform, a->col.platform_len, a->col.realm,
                                           a->col.realm_len, out, CCA_TOKEN_MAX, &n) ||
                    !cca_collection_decode(out, n, &b->col, b->why) ||
                    memcmp(&a->col, &b->col, sizeof(a->col)))
                        fail_msg("seed 0x%llx, collection %u: %s", (unsigned long long)seed, i, b->why);
        }
        free(out);
        free(a);
        free(b);
}

/* ---- every truncation and every one-byte change of v03 ---- */

/* Every proper prefix of one CBOR item is refused, with a reason. */
static void assert_every_prefix_refused(decoder d, const uint8_t *whole, size_t len)
{
        struct token *t = calloc(1, sizeof(*t));
        assert_non_null(t);
        for (size_t n = 0; n < len; n++) {
                struct blob cut = blob_of(whole, n);
                t->why[0] = '\0';
                if (d(cut.p, n, t))
                        fail_msg("accepted the first %zu of %zu bytes", n, len);
                assert_true(t->why[0] != '\0');
                free(cut.p);
        }
        free(t);
}

static void cca_token_decoders_refuse_v03_cut_at_every_length(void **state)
{
        struct blob b = kat(V03);
        struct token *t = decoded(V03);
        (void)state;
        assert_every_prefix_refused(decode_collection, b.p, b.n);
        assert_every_prefix_refused(decode_cose, t->col.platform, t->col.platform_len);
        assert_every_prefix_refused(decode_cose, t->col.realm, t->col.realm_len);
        assert_every_prefix_refused(decode_platform, t->plat.payload, t->plat.payload_len);
        assert_every_prefix_refused(decode_realm, t->realm.payload, t->realm.payload_len);
        free(t);
        free(b.p);
}

/* What a layer accepted re-encodes and decodes to the same struct. */
static void assert_accepted_layers_round_trip(const struct token *t, enum layer reached)
{
        struct token *u = calloc(1, sizeof(*u));
        uint8_t *out = malloc(CCA_TOKEN_MAX);
        size_t n = 0;
        assert_true(u && out);
        assert_true(cca_collection_encode(t->col.form, t->col.platform, t->col.platform_len, t->col.realm,
                                          t->col.realm_len, out, CCA_TOKEN_MAX, &n));
        assert_true(cca_collection_decode(out, n, &u->col, u->why));
        assert_memory_equal(&u->col, &t->col, sizeof(t->col));
        if (reached > AT_PLATFORM_COSE) {
                assert_true(cose_sign1_encode(t->plat.alg, t->plat.payload, t->plat.payload_len, t->plat.sig,
                                              t->plat.sig_len, out, CCA_TOKEN_MAX, &n));
                assert_true(cose_sign1_decode(out, n, &u->plat, u->why));
                assert_memory_equal(&u->plat, &t->plat, sizeof(t->plat));
        }
        if (reached > AT_PLATFORM_CLAIMS) {
                assert_true(cca_platform_claims_encode(&t->pc, out, CCA_TOKEN_MAX, &n));
                assert_true(cca_platform_claims_decode(out, n, &u->pc, u->why));
                assert_memory_equal(&u->pc, &t->pc, sizeof(t->pc));
        }
        if (reached > AT_REALM_CLAIMS) {
                assert_true(cca_realm_claims_encode(&t->rc, out, CCA_TOKEN_MAX, &n));
                assert_true(cca_realm_claims_decode(out, n, &u->rc, u->why));
                assert_memory_equal(&u->rc, &t->rc, sizeof(t->rc));
        }
        free(out);
        free(u);
}

static void cca_token_decoders_survive_v03_with_any_one_byte_changed(void **state)
{
        struct blob b = kat(V03);
        struct token *t = calloc(1, sizeof(*t));
        (void)state;
        assert_non_null(t);
        for (size_t off = 0; off < b.n; off++) {
                const uint8_t values[] = { (uint8_t)(b.p[off] ^ 0x01), (uint8_t)(b.p[off] ^ 0x80), 0x00, 0xff,
                                           0xd2 };
                for (size_t v = 0; v < sizeof(values); v++) {
                        struct blob c = blob_of(b.p, b.n);
                        enum layer reached;
                        c.p[off] = values[v];
                        reached = token_decode(c.p, c.n, t);
                        if (reached != DECODED)
                                assert_true(t->why[0] != '\0' && strlen(t->why) < CCA_WHY_LEN);
                        if (reached > AT_COLLECTION)
                                assert_accepted_layers_round_trip(t, reached);
                        free(c.p);
                }
        }
        free(t);
        free(b.p);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(cca_kat_files_have_the_size_and_sha256_of_the_manifest),
                cmocka_unit_test(cca_token_valid_vectors_decode_at_every_layer_to_their_manifest_facts),
                cmocka_unit_test(cca_token_v02_holds_the_cose_sign1_of_v01_in_the_cmw_form),
                cmocka_unit_test(cca_token_v03_keybroker_example_has_its_documented_sizes),
                cmocka_unit_test(cca_token_v04_rak_is_the_cose_key_of_v01s_raw_point),
                cmocka_unit_test(cca_realm_claims_decode_ignores_v05s_unknown_claim_44243),
                cmocka_unit_test(cca_token_i01_decodes_because_its_defect_is_the_binding),
                cmocka_unit_test(cca_realm_claims_decode_rejects_64_byte_measurements_labelled_sha256_d1),
                cmocka_unit_test(cca_token_edge_and_invalid_vectors_stop_at_their_layer_with_the_reason),
                cmocka_unit_test(cca_claims_decoders_accept_and_reject_the_claims_vectors_as_documented),
                cmocka_unit_test(cca_claims_vector_rust_realm_claims_decodes_to_its_values),
                cmocka_unit_test(cca_platform_claims_encode_reproduces_ccatoken_encoding_vectors),
                cmocka_unit_test(cca_realm_claims_encode_reproduces_ccatoken_realm_vectors_relabelled_sha512),
                cmocka_unit_test(cca_realm_claims_encode_reproduces_rust_ccatoken_realm_claims),
                cmocka_unit_test(cca_collection_and_cose_encode_reproduce_the_vectors_byte_for_byte),
                cmocka_unit_test(cca_claims_of_v01_to_v05_reencode_to_the_same_fields_and_length),
                cmocka_unit_test(cose_sign1_tbs_encode_gives_the_bytes_the_vectors_signed),
                cmocka_unit_test(cose_sign1_tbs_encode_writes_rfc9052s_sig_structure),
                cmocka_unit_test(cose_sign1_decode_takes_tag_18_in_one_byte_d2),
                cmocka_unit_test(cose_sign1_decode_takes_tag_18_in_two_bytes_d8_12),
                cmocka_unit_test(cose_sign1_decode_refuses_an_untagged_or_otherwise_tagged_array),
                cmocka_unit_test(cose_sign1_decode_refuses_each_malformed_field),
                cmocka_unit_test(
                        cose_sign1_decode_accepts_each_alg_with_its_signature_size_and_any_unprotected_map),
                cmocka_unit_test(cca_realm_claims_decode_refuses_each_claim_of_the_wrong_size_or_type),
                cmocka_unit_test(cca_realm_claims_decode_refuses_a_rak_cose_key_other_than_kty_crv_x_y),
                cmocka_unit_test(cca_platform_claims_decode_refuses_each_claim_of_the_wrong_size_or_type),
                cmocka_unit_test(cca_platform_claims_decode_keeps_up_to_cca_sw_max_components),
                cmocka_unit_test(cca_claims_decoders_refuse_duplicate_keys_in_any_encoding),
                cmocka_unit_test(cca_claims_decoders_ignore_unknown_integer_and_text_claims),
                cmocka_unit_test(cca_claims_decoders_accept_long_key_forms_and_indefinite_maps),
                cmocka_unit_test(cca_claims_decoders_refuse_what_is_not_one_definite_item),
                cmocka_unit_test(cca_collection_decode_refuses_each_malformed_form),
                cmocka_unit_test(cca_collection_decode_refuses_input_beyond_cca_token_max),
                cmocka_unit_test(cca_claims_encoders_refuse_out_of_range_fields),
                cmocka_unit_test(cca_platform_claims_encode_refuses_claims_its_decoder_could_not_take),
                cmocka_unit_test(cca_encoders_refuse_a_buffer_one_byte_short),
                cmocka_unit_test(
                        cose_sign1_encode_refuses_unknown_alg_wrong_signature_size_and_empty_payload),
                cmocka_unit_test(cca_collection_encode_refuses_empty_or_oversized_entries_and_unknown_forms),
                cmocka_unit_test(cca_rak_cose_key_encode_refuses_anything_but_a_97_byte_uncompressed_point),
                cmocka_unit_test(cca_rak_point_takes_the_raw_claim_and_refuses_a_bad_one),
                cmocka_unit_test(cca_claim_names_follow_the_draft),
                cmocka_unit_test(cca_claims_random_values_encode_then_decode_to_equal_structs),
                cmocka_unit_test(cose_sign1_and_collection_random_values_encode_then_decode_to_equal_structs),
                cmocka_unit_test(cca_token_decoders_refuse_v03_cut_at_every_length),
                cmocka_unit_test(cca_token_decoders_survive_v03_with_any_one_byte_changed),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
