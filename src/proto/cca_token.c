/* The CCA attestation token's codecs (see cca_token.h), over libcbor 0.8.
 *
 * Decoding goes in three steps: a size check of the input's CBOR heads (libcbor's streaming
 * decoder), cbor_load, then a walk over the loaded items that copies every value into the
 * caller's struct after checking its type and size. Encoding builds libcbor items and
 * serializes them; the claims encoders then decode what they wrote, so they refuse exactly
 * what the decoders refuse. Every item is released on every path. */
#include <cbor.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/container.h"
#include "proto/cca_token.h"

#define P384_COORD_LEN    48
#define P384_POINT_LEN    (1 + 2 * P384_COORD_LEN) /* SEC1 uncompressed: 0x04 || x || y */
#define SEC1_UNCOMPRESSED 0x04
#define UEID_TYPE_RAND    0x01 /* EAT (RFC 9711) §4.2.1: the UEID type byte of a random id */
#define HASH_LEN_256      32
#define HASH_LEN_384      48
#define HASH_LEN_512      64

/* COSE labels: header parameter alg (RFC 9052 §3.1); COSE_Key kty (RFC 9052 §7.1), crv, x,
 * y, d (RFC 9053 §7.1.1); the values EC2 and P-384 (RFC 9053 §7). */
#define COSE_HDR_ALG  1
#define COSE_KEY_KTY  1
#define COSE_KEY_CRV  (-1)
#define COSE_KEY_X    (-2)
#define COSE_KEY_Y    (-3)
#define COSE_KEY_D    (-4)
#define COSE_KTY_EC2  2
#define COSE_CRV_P384 2

/* ---- names ---- */

struct key_name {
        int64_t key;
        const char *name;
};

static const struct key_name realm_names[] = {
        { CCA_REALM_PROFILE, "profile" },
        { CCA_REALM_CHALLENGE, "challenge" },
        { CCA_REALM_RPV, "personalization-value" },
        { CCA_REALM_RIM, "initial-measurement" },
        { CCA_REALM_REM, "extensible-measurements" },
        { CCA_REALM_HASH_ALGO, "hash-algo-id" },
        { CCA_REALM_PUB_KEY, "public-key" },
        { CCA_REALM_PUB_KEY_HASH_ALGO, "public-key-hash-algo-id" },
};

static const struct key_name platform_names[] = {
        { CCA_PLAT_PROFILE, "profile" },
        { CCA_PLAT_CHALLENGE, "challenge" },
        { CCA_PLAT_IMPLEMENTATION_ID, "implementation-id" },
        { CCA_PLAT_INSTANCE_ID, "instance-id" },
        { CCA_PLAT_CONFIG, "config" },
        { CCA_PLAT_LIFECYCLE, "lifecycle" },
        { CCA_PLAT_SW_COMPONENTS, "sw-components" },
        { CCA_PLAT_VERIFICATION_SERVICE, "verification-service" },
        { CCA_PLAT_HASH_ALGO, "hash-algo-id" },
};

/* draft-ffm-rats-cca-token, the platform token's software component. */
static const struct key_name sw_names[] = {
        { CCA_SW_TYPE, "measurement-type" },  { CCA_SW_MEASUREMENT, "measurement-value" },
        { CCA_SW_VERSION, "version" },        { CCA_SW_SIGNER_ID, "signer-id" },
        { CCA_SW_HASH_ALGO, "hash-algo-id" },
};

static const struct key_name cose_key_names[] = {
        { COSE_KEY_KTY, "kty" }, { COSE_KEY_CRV, "crv" }, { COSE_KEY_X, "x" },
        { COSE_KEY_Y, "y" },     { COSE_KEY_D, "d" },
};

static const struct key_name cose_header_names[] = { { COSE_HDR_ALG, "alg" } };

static const struct key_name collection_names[] = {
        { CCA_KEY_PLATFORM_TOKEN, "platform" },
        { CCA_KEY_REALM_TOKEN, "realm" },
};

static const char *name_in(const struct key_name *t, size_t n, int64_t key)
{
        for (size_t i = 0; i < n; i++)
                if (t[i].key == key)
                        return t[i].name;
        return "";
}

const char *cca_realm_claim_name(int64_t key) { return name_in(realm_names, ARRAY_SIZE(realm_names), key); }

const char *cca_platform_claim_name(int64_t key)
{
        return name_in(platform_names, ARRAY_SIZE(platform_names), key);
}

static const char *sw_key_name(int64_t key) { return name_in(sw_names, ARRAY_SIZE(sw_names), key); }

static const char *cose_key_label_name(int64_t key)
{
        return name_in(cose_key_names, ARRAY_SIZE(cose_key_names), key);
}

static const char *cose_header_label_name(int64_t key)
{
        return name_in(cose_header_names, ARRAY_SIZE(cose_header_names), key);
}

static const char *collection_entry_name(int64_t key)
{
        return name_in(collection_names, ARRAY_SIZE(collection_names), key);
}

/* ---- why ---- */

/* Where a decoder is: the message prefix ("realm token"), what a map key is called there
 * ("claim", "key", "label", "entry") and the names of the keys. */
struct scope {
        const char *part;
        const char *what;
        const char *(*name)(int64_t key);
        char *why;
};

__attribute__((format(printf, 2, 3))) static bool fail(char *why, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, CCA_WHY_LEN, fmt, ap);
        va_end(ap);
        return false;
}

/* "<part>: <what> <key> (<name>) <rule>". */
__attribute__((format(printf, 3, 4))) static bool failk(const struct scope *s, int64_t key, const char *fmt,
                                                        ...)
{
        char rule[CCA_WHY_LEN];
        const char *name = s->name(key);
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(rule, sizeof(rule), fmt, ap);
        va_end(ap);
        if (name[0])
                return fail(s->why, "%s: %s %" PRId64 " (%s) %s", s->part, s->what, key, name, rule);
        return fail(s->why, "%s: %s %" PRId64 " %s", s->part, s->what, key, rule);
}

/* ---- loading: libcbor, with the sizes it trusts checked first ---- */

struct head_count {
        size_t len;      /* of the input */
        size_t declared; /* elements that the array and map heads seen so far announce */
        bool too_many;
        bool indefinite_string;
};

static void on_array(void *ctx, size_t n)
{
        struct head_count *h = ctx;
        if (n > h->len - h->declared)
                h->too_many = true;
        else
                h->declared += n;
}

static void on_map(void *ctx, size_t n)
{
        struct head_count *h = ctx;
        if (n > (h->len - h->declared) / 2)
                h->too_many = true;
        else
                h->declared += 2 * n;
}

static void on_indefinite_string(void *ctx)
{
        struct head_count *h = ctx;
        h->indefinite_string = true;
}

/* libcbor 0.8 allocates the slots an array or map head announces before it reads a single
 * element: five bytes can ask for gigabytes. Every element takes at least one byte, so the
 * elements all heads announce together can never exceed the input's length; more is refused
 * before cbor_load. Strings of indefinite length are refused too: no CCA producer writes
 * them, and the copies below take a string in one piece. Tags 6..20 in one byte (which
 * libcbor 0.8 cannot decode, its issue #307) belong nowhere inside a token but at the start
 * of a COSE_Sign1, which cose_sign1_decode reads itself. */
static bool check_heads(const uint8_t *in, size_t len, const char *part, char *why)
{
        struct cbor_callbacks cb = cbor_empty_callbacks;
        struct head_count h = { .len = len };
        cb.array_start = on_array;
        cb.map_start = on_map;
        cb.byte_string_start = on_indefinite_string; /* the indefinite-length forms */
        cb.string_start = on_indefinite_string;
        for (size_t pos = 0; pos < len;) {
                struct cbor_decoder_result r = cbor_stream_decode(in + pos, len - pos, &cb, &h);
                if (r.status == CBOR_DECODER_NEDATA)
                        return fail(why, "%s: the CBOR item at byte %zu is cut short", part, pos);
                if (r.status != CBOR_DECODER_FINISHED && in[pos] >= 0xc6 && in[pos] <= 0xd4)
                        return fail(why, "%s: tag %d at byte %zu does not belong here", part, in[pos] - 0xc0,
                                    pos);
                if (r.status != CBOR_DECODER_FINISHED)
                        return fail(why, "%s: not well-formed CBOR at byte %zu (0x%02x)", part, pos, in[pos]);
                if (h.too_many)
                        return fail(why,
                                    "%s: the head at byte %zu announces more elements than the input holds",
                                    part, pos);
                if (h.indefinite_string)
                        return fail(why,
                                    "%s: indefinite-length string at byte %zu; only definite lengths are "
                                    "accepted",
                                    part, pos);
                pos += r.read;
        }
        return true;
}

static const char *load_error(cbor_error_code code)
{
        switch (code) {
        case CBOR_ERR_NOTENOUGHDATA: return "it is cut short";
        case CBOR_ERR_NODATA: return "it is empty";
        case CBOR_ERR_MALFORMATED: return "it is malformed";
        case CBOR_ERR_MEMERROR: return "out of memory";
        case CBOR_ERR_SYNTAXERROR: return "a break or an element is out of place";
        default: return "libcbor refuses it";
        }
}

/* One well-formed CBOR item (RFC 8949 §1.2) of exactly len bytes (1..max), or NULL with why. */
static cbor_item_t *load(const uint8_t *in, size_t len, size_t max, const char *part, char *why)
{
        struct cbor_load_result r;
        cbor_item_t *item;
        if (!len || len > max) {
                fail(why, "%s: %zu bytes; 1 to %zu are accepted", part, len, max);
                return NULL;
        }
        if (!check_heads(in, len, part, why))
                return NULL;
        item = cbor_load(in, len, &r);
        if (!item) {
                fail(why, "%s: not one complete CBOR item: %s (near byte %zu)", part,
                     load_error(r.error.code), r.error.position);
                return NULL;
        }
        if (r.read != len) {
                cbor_decref(&item);
                fail(why, "%s: %zu bytes follow the CBOR item", part, len - r.read);
                return NULL;
        }
        return item;
}

/* ---- reading items ---- */

static bool is_int(const cbor_item_t *it) { return cbor_isa_uint(it) || cbor_isa_negint(it); }

/* A CBOR integer as an int64_t; false if it is not an integer or does not fit. */
static bool as_int64(const cbor_item_t *it, int64_t *v)
{
        if (!is_int(it) || cbor_get_int(it) > INT64_MAX)
                return false;
        *v = cbor_isa_uint(it) ? (int64_t)cbor_get_int(it) : -1 - (int64_t)cbor_get_int(it);
        return true;
}

static bool same_key(const cbor_item_t *a, const cbor_item_t *b)
{
        size_t n;
        if (cbor_typeof(a) != cbor_typeof(b))
                return false;
        if (is_int(a))
                return cbor_get_int(a) == cbor_get_int(b);
        n = cbor_string_length(a);
        return n == cbor_string_length(b) && (!n || !memcmp(cbor_string_handle(a), cbor_string_handle(b), n));
}

static bool key_dup(const struct scope *s, const cbor_item_t *key)
{
        int64_t k;
        if (as_int64(key, &k))
                return failk(s, k, "appears twice; map keys are unique");
        return fail(s->why, "%s: a %s appears twice; map keys are unique", s->part, s->what);
}

/* A map whose keys are integers or text strings (CWT, RFC 8392: a claim key is one or the
 * other), each once (RFC 8949 §5.6: a map with duplicate keys is not valid). */
static bool check_map(const struct scope *s, const cbor_item_t *map)
{
        const struct cbor_pair *p;
        size_t n;
        if (!cbor_isa_map(map))
                return fail(s->why, "%s: not a CBOR map", s->part);
        p = cbor_map_handle(map);
        n = cbor_map_size(map);
        for (size_t i = 0; i < n; i++) {
                if (!is_int(p[i].key) && !cbor_isa_string(p[i].key))
                        return fail(s->why, "%s: a %s that is neither an integer nor a text string", s->part,
                                    s->what);
                for (size_t j = 0; j < i; j++)
                        if (same_key(p[i].key, p[j].key))
                                return key_dup(s, p[i].key);
        }
        return true;
}

static cbor_item_t *load_map(const uint8_t *in, size_t len, size_t max, const struct scope *s)
{
        cbor_item_t *map = load(in, len, max, s->part, s->why);
        if (map && !check_map(s, map))
                cbor_decref(&map);
        return map;
}

/* The value of key in a checked map, or NULL. */
static const cbor_item_t *lookup(const cbor_item_t *map, int64_t key)
{
        const struct cbor_pair *p = cbor_map_handle(map);
        size_t n = cbor_map_size(map);
        int64_t k;
        for (size_t i = 0; i < n; i++)
                if (as_int64(p[i].key, &k) && k == key)
                        return p[i].value;
        return NULL;
}

static bool need(const struct scope *s, const cbor_item_t *map, int64_t key, const cbor_item_t **v)
{
        *v = lookup(map, key);
        return *v ? true : failk(s, key, "is missing; it is mandatory");
}

static bool bstr_item(const cbor_item_t *v, const uint8_t **p, size_t *n)
{
        *p = NULL;
        *n = 0;
        if (!cbor_isa_bytestring(v) || !cbor_bytestring_is_definite(v))
                return false;
        *p = cbor_bytestring_handle(v);
        *n = cbor_bytestring_length(v);
        return true;
}

static bool bstr_of(const struct scope *s, int64_t key, const cbor_item_t *v, const uint8_t **p, size_t *n)
{
        return bstr_item(v, p, n) ? true : failk(s, key, "is not a byte string");
}

static void copy_out(uint8_t *dst, const uint8_t *src, size_t n)
{
        if (n)
                memcpy(dst, src, n);
}

/* A byte string of exactly want bytes. */
static bool take_fixed(const struct scope *s, int64_t key, const cbor_item_t *v, uint8_t *dst, size_t want)
{
        const uint8_t *p;
        size_t n;
        if (!bstr_of(s, key, v, &p, &n))
                return false;
        if (n != want)
                return failk(s, key, "is %zu bytes; it must be %zu", n, want);
        copy_out(dst, p, n);
        return true;
}

static bool hash_sized(size_t n) { return n == HASH_LEN_256 || n == HASH_LEN_384 || n == HASH_LEN_512; }

/* A hash value: 32, 48 or 64 bytes (draft-ffm-rats-cca-token, cca-hash-type). */
static bool take_hash(const struct scope *s, int64_t key, const cbor_item_t *v, uint8_t *dst, size_t *len)
{
        const uint8_t *p;
        size_t n;
        if (!bstr_of(s, key, v, &p, &n))
                return false;
        if (!hash_sized(n))
                return failk(s, key, "is %zu bytes; a hash is 32, 48 or 64", n);
        copy_out(dst, p, n);
        *len = n;
        return true;
}

/* A text string that fits CCA_TEXT_MAX with its NUL and holds none itself; a mandatory one
 * is not empty. */
static bool take_text(const struct scope *s, int64_t key, const cbor_item_t *v, bool mandatory,
                      char dst[CCA_TEXT_MAX])
{
        size_t n;
        if (!cbor_isa_string(v) || !cbor_string_is_definite(v))
                return failk(s, key, "is not a text string");
        n = cbor_string_length(v);
        if (n >= CCA_TEXT_MAX)
                return failk(s, key, "is %zu bytes of text; at most %d fit", n, CCA_TEXT_MAX - 1);
        if (mandatory && !n)
                return failk(s, key, "is empty");
        if (n && memchr(cbor_string_handle(v), 0, n))
                return failk(s, key, "holds a NUL character");
        copy_out((uint8_t *)dst, cbor_string_handle(v), n);
        dst[n] = '\0';
        return true;
}

static bool text_terminated(const char *s) { return memchr(s, 0, CCA_TEXT_MAX) != NULL; }

/* ---- building items ---- */

/* An integer in its shortest form (RFC 8949 §4.1): libcbor writes the width it is given. */
static cbor_item_t *build_int(int64_t v)
{
        bool neg = v < 0;
        uint64_t raw = neg ? (uint64_t)(-(v + 1)) : (uint64_t)v;
        if (raw <= UINT8_MAX)
                return neg ? cbor_build_negint8((uint8_t)raw) : cbor_build_uint8((uint8_t)raw);
        if (raw <= UINT16_MAX)
                return neg ? cbor_build_negint16((uint16_t)raw) : cbor_build_uint16((uint16_t)raw);
        if (raw <= UINT32_MAX)
                return neg ? cbor_build_negint32((uint32_t)raw) : cbor_build_uint32((uint32_t)raw);
        return neg ? cbor_build_negint64(raw) : cbor_build_uint64(raw);
}

static cbor_item_t *build_bstr(const uint8_t *p, size_t n)
{
        return n ? cbor_build_bytestring(p, n) : cbor_new_definite_bytestring();
}

/* Tags item (whose reference it takes; NULL passes through). */
static cbor_item_t *build_tag(uint64_t tag, cbor_item_t *item)
{
        cbor_item_t *t;
        if (!item)
                return NULL;
        t = cbor_build_tag(tag, item);
        cbor_decref(&item);
        return t;
}

/* Adds key: value to map, taking value's reference (NULL: its allocation failed). */
static bool put(cbor_item_t *map, int64_t key, cbor_item_t *value)
{
        cbor_item_t *k = build_int(key);
        bool ok = k && value && cbor_map_add(map, (struct cbor_pair){ .key = k, .value = value });
        if (k)
                cbor_decref(&k);
        if (value)
                cbor_decref(&value);
        return ok;
}

static bool push(cbor_item_t *array, cbor_item_t *item)
{
        bool ok = item && cbor_array_push(array, item);
        if (item)
                cbor_decref(&item);
        return ok;
}

/* item if every step that built it succeeded, else NULL (item released). */
static cbor_item_t *done(cbor_item_t *item, bool ok)
{
        if (ok)
                return item;
        if (item)
                cbor_decref(&item);
        return NULL;
}

/* Serializes item (definite lengths, shortest heads) into out and releases it; false if it
 * does not fit cap or is longer than max, the most its decoder takes. */
static bool emit(cbor_item_t *item, uint8_t *out, size_t cap, size_t max, size_t *len)
{
        size_t n;
        if (!item)
                return false;
        n = cbor_serialize(item, out, cap);
        cbor_decref(&item);
        if (!n || n > max)
                return false;
        *len = n;
        return true;
}

/* A claims map: its token part, its keys' names, and the walk that checks and copies it. */
struct claims_kind {
        const char *part;
        const char *(*name)(int64_t key);
        bool (*walk)(const struct scope *s, const cbor_item_t *map, void *claims);
};

/* Zeroes claims (size bytes), loads a map of at most CCA_SUBTOKEN_MAX bytes, walks it into
 * claims and releases it. */
static bool claims_decode(const uint8_t *in, size_t len, const struct claims_kind *kind, void *claims,
                          size_t size, char *why)
{
        const struct scope s = { kind->part, "claim", kind->name, why };
        cbor_item_t *map;
        bool ok;
        memset(claims, 0, size);
        map = load_map(in, len, CCA_SUBTOKEN_MAX, &s);
        if (!map)
                return false;
        ok = kind->walk(&s, map, claims);
        cbor_decref(&map);
        return ok;
}

/* ---- COSE_Key of the RAK (draft-ffm-rats-cca-token; RFC 9053 §7.1.1) ---- */

static bool cose_key_labels(const struct scope *s, const cbor_item_t *map)
{
        const struct cbor_pair *p = cbor_map_handle(map);
        size_t n = cbor_map_size(map);
        int64_t k;
        for (size_t i = 0; i < n; i++) {
                if (!as_int64(p[i].key, &k))
                        return fail(s->why, "%s: a text label; it holds only kty, crv, x and y", s->part);
                if (k != COSE_KEY_KTY && k != COSE_KEY_CRV && k != COSE_KEY_X && k != COSE_KEY_Y)
                        return failk(s, k, "is not allowed; it holds only kty, crv, x and y");
        }
        return true;
}

static bool cose_key_int(const struct scope *s, const cbor_item_t *map, int64_t label, int64_t want,
                         const char *meaning)
{
        const cbor_item_t *v;
        int64_t got;
        if (!need(s, map, label, &v))
                return false;
        if (!as_int64(v, &got) || got != want)
                return failk(s, label, "is not %" PRId64 " (%s)", want, meaning);
        return true;
}

/* DEN0137 1.0 A7.2.3.1; draft-ffm-rats-cca-token: with the realm profile, claim 44237 is a
 * COSE_Key of exactly kty EC2, crv P-384, x and y (never d, the private key: D3). */
static bool cose_key_point(const uint8_t *key, size_t len, uint8_t point[P384_POINT_LEN], char *why)
{
        const struct scope s = { "realm token: claim 44237 (public-key) COSE_Key", "label",
                                 cose_key_label_name, why };
        const cbor_item_t *x, *y;
        cbor_item_t *map = load_map(key, len, CCA_RAK_CLAIM_MAX, &s);
        bool ok;
        if (!map)
                return false;
        ok = cose_key_labels(&s, map) && cose_key_int(&s, map, COSE_KEY_KTY, COSE_KTY_EC2, "EC2") &&
             cose_key_int(&s, map, COSE_KEY_CRV, COSE_CRV_P384, "P-384") && need(&s, map, COSE_KEY_X, &x) &&
             take_fixed(&s, COSE_KEY_X, x, point + 1, P384_COORD_LEN) && need(&s, map, COSE_KEY_Y, &y) &&
             take_fixed(&s, COSE_KEY_Y, y, point + 1 + P384_COORD_LEN, P384_COORD_LEN);
        point[0] = SEC1_UNCOMPRESSED;
        cbor_decref(&map);
        return ok;
}

bool cca_rak_point(const struct cca_realm_claims *c, uint8_t point[97], char *why)
{
        if (c->rak_len > CCA_RAK_CLAIM_MAX)
                return fail(why, "realm token: claim 44237 (public-key) is %zu bytes; at most %d", c->rak_len,
                            CCA_RAK_CLAIM_MAX);
        if (c->has_profile)
                return cose_key_point(c->rak, c->rak_len, point, why);
        if (c->rak_len != P384_POINT_LEN || c->rak[0] != SEC1_UNCOMPRESSED)
                return fail(why,
                            "realm token: claim 44237 (public-key) is %zu bytes; without the profile it is a "
                            "97-byte P-384 point starting 0x04",
                            c->rak_len);
        memcpy(point, c->rak, P384_POINT_LEN);
        return true;
}

bool cca_rak_cose_key_encode(const uint8_t *point, size_t point_len, uint8_t *out, size_t cap, size_t *len)
{
        cbor_item_t *m;
        bool ok;
        if (point_len != P384_POINT_LEN || point[0] != SEC1_UNCOMPRESSED)
                return false;
        m = cbor_new_definite_map(4);
        ok = m && put(m, COSE_KEY_KTY, build_int(COSE_KTY_EC2)) &&
             put(m, COSE_KEY_CRV, build_int(COSE_CRV_P384)) &&
             put(m, COSE_KEY_X, build_bstr(point + 1, P384_COORD_LEN)) &&
             put(m, COSE_KEY_Y, build_bstr(point + 1 + P384_COORD_LEN, P384_COORD_LEN));
        return emit(done(m, ok), out, cap, CCA_RAK_CLAIM_MAX, len);
}

/* ---- realm claims (DEN0137 1.0 A7.2.3.1) ---- */

/* The digest size of the realm hash algorithm 44236 names, "sha-256" or "sha-512" (DEN0137
 * 1.0 A7.2.3.1), else 0. */
static size_t realm_hash_len(const char *name)
{
        if (!strcmp(name, "sha-256"))
                return HASH_LEN_256;
        if (!strcmp(name, "sha-512"))
                return HASH_LEN_512;
        return 0;
}

/* D2: a profile, if present, is realm#1.0.0; a realm#2.0.0 token is not RMM 1.0 evidence. */
static bool realm_profile(const struct scope *s, const cbor_item_t *map, struct cca_realm_claims *out)
{
        const cbor_item_t *v = lookup(map, CCA_REALM_PROFILE);
        char profile[CCA_TEXT_MAX];
        if (!v)
                return true;
        if (!take_text(s, CCA_REALM_PROFILE, v, true, profile))
                return false;
        if (strcmp(profile, CCA_REALM_PROFILE_1_0))
                return failk(s, CCA_REALM_PROFILE, "is an unknown profile; RMM 1.0 tokens are %s",
                             CCA_REALM_PROFILE_1_0);
        out->has_profile = true;
        return true;
}

/* DEN0137 1.0 A7.2.3.1: the challenge and the personalization value are 64 bytes each. */
static bool realm_values(const struct scope *s, const cbor_item_t *map, struct cca_realm_claims *out)
{
        const cbor_item_t *chal, *rpv, *alg, *rak_alg;
        if (!need(s, map, CCA_REALM_CHALLENGE, &chal) ||
            !take_fixed(s, CCA_REALM_CHALLENGE, chal, out->challenge, CCA_CHALLENGE_LEN) ||
            !need(s, map, CCA_REALM_RPV, &rpv) || !take_fixed(s, CCA_REALM_RPV, rpv, out->rpv, CCA_RPV_LEN) ||
            !need(s, map, CCA_REALM_HASH_ALGO, &alg) ||
            !take_text(s, CCA_REALM_HASH_ALGO, alg, true, out->hash_algo) ||
            !need(s, map, CCA_REALM_PUB_KEY_HASH_ALGO, &rak_alg) ||
            !take_text(s, CCA_REALM_PUB_KEY_HASH_ALGO, rak_alg, true, out->rak_hash_algo))
                return false;
        out->meas_len = realm_hash_len(out->hash_algo);
        if (!out->meas_len)
                return failk(s, CCA_REALM_HASH_ALGO, "is neither sha-256 nor sha-512");
        return true;
}

/* D1: the RIM and every REM have the digest size of 44236 ("all hash values which are
 * present in the Realm token", draft-ffm-rats-cca-token; TF-RMM writes exactly that). */
static bool realm_measurement(const struct scope *s, int64_t key, size_t entry, const cbor_item_t *v,
                              uint8_t *dst, const struct cca_realm_claims *out)
{
        const uint8_t *p;
        size_t n;
        if (!bstr_of(s, key, v, &p, &n))
                return false;
        if (n != out->meas_len && key == CCA_REALM_RIM)
                return failk(s, key, "is %zu bytes; %s needs %zu", n, out->hash_algo, out->meas_len);
        if (n != out->meas_len)
                return failk(s, key, "entry %zu is %zu bytes; %s needs %zu", entry, n, out->hash_algo,
                             out->meas_len);
        copy_out(dst, p, n);
        return true;
}

static bool realm_measurements(const struct scope *s, const cbor_item_t *map, struct cca_realm_claims *out)
{
        const cbor_item_t *rim, *rem;
        cbor_item_t **e;
        if (!need(s, map, CCA_REALM_RIM, &rim) ||
            !realm_measurement(s, CCA_REALM_RIM, 0, rim, out->rim, out) || !need(s, map, CCA_REALM_REM, &rem))
                return false;
        if (!cbor_isa_array(rem) || cbor_array_size(rem) != CCA_REM_COUNT)
                return failk(s, CCA_REALM_REM, "is not an array of %d byte strings", CCA_REM_COUNT);
        e = cbor_array_handle(rem);
        for (size_t i = 0; i < CCA_REM_COUNT; i++)
                if (!realm_measurement(s, CCA_REALM_REM, i, e[i], out->rem[i], out))
                        return false;
        return true;
}

/* 44237: a raw point without the profile, a COSE_Key with it (D3). */
static bool realm_rak(const struct scope *s, const cbor_item_t *map, struct cca_realm_claims *out)
{
        const cbor_item_t *v;
        const uint8_t *p;
        uint8_t point[P384_POINT_LEN];
        if (!need(s, map, CCA_REALM_PUB_KEY, &v) || !bstr_of(s, CCA_REALM_PUB_KEY, v, &p, &out->rak_len))
                return false;
        if (out->rak_len > CCA_RAK_CLAIM_MAX)
                return failk(s, CCA_REALM_PUB_KEY, "is %zu bytes; at most %d", out->rak_len,
                             CCA_RAK_CLAIM_MAX);
        copy_out(out->rak, p, out->rak_len);
        return cca_rak_point(out, point, s->why);
}

static bool realm_claims(const struct scope *s, const cbor_item_t *map, void *claims)
{
        struct cca_realm_claims *out = claims;
        return realm_profile(s, map, out) && realm_values(s, map, out) && realm_measurements(s, map, out) &&
               realm_rak(s, map, out);
}

bool cca_realm_claims_decode(const uint8_t *in, size_t len, struct cca_realm_claims *out, char *why)
{
        static const struct claims_kind realm = { "realm token", cca_realm_claim_name, realm_claims };
        return claims_decode(in, len, &realm, out, sizeof(*out), why);
}

static cbor_item_t *realm_rem_array(const struct cca_realm_claims *c)
{
        cbor_item_t *a = cbor_new_definite_array(CCA_REM_COUNT);
        bool ok = a != NULL;
        for (size_t i = 0; i < CCA_REM_COUNT; i++)
                ok = ok && push(a, build_bstr(c->rem[i], c->meas_len));
        return done(a, ok);
}

/* The keys in the order of cca_token.h's table. */
static cbor_item_t *realm_map(const struct cca_realm_claims *c)
{
        cbor_item_t *m = cbor_new_definite_map(c->has_profile ? 8 : 7);
        bool ok = m &&
                  (!c->has_profile || put(m, CCA_REALM_PROFILE, cbor_build_string(CCA_REALM_PROFILE_1_0))) &&
                  put(m, CCA_REALM_CHALLENGE, build_bstr(c->challenge, CCA_CHALLENGE_LEN)) &&
                  put(m, CCA_REALM_RPV, build_bstr(c->rpv, CCA_RPV_LEN)) &&
                  put(m, CCA_REALM_RIM, build_bstr(c->rim, c->meas_len)) &&
                  put(m, CCA_REALM_REM, realm_rem_array(c)) &&
                  put(m, CCA_REALM_HASH_ALGO, cbor_build_string(c->hash_algo)) &&
                  put(m, CCA_REALM_PUB_KEY, build_bstr(c->rak, c->rak_len)) &&
                  put(m, CCA_REALM_PUB_KEY_HASH_ALGO, cbor_build_string(c->rak_hash_algo));
        return done(m, ok);
}

bool cca_realm_claims_encode(const struct cca_realm_claims *c, uint8_t *out, size_t cap, size_t *len)
{
        struct cca_realm_claims back;
        char why[CCA_WHY_LEN];
        size_t n;
        if (c->meas_len > CCA_MEAS_MAX || c->rak_len > CCA_RAK_CLAIM_MAX || !text_terminated(c->hash_algo) ||
            !text_terminated(c->rak_hash_algo) || !emit(realm_map(c), out, cap, CCA_SUBTOKEN_MAX, &n) ||
            !cca_realm_claims_decode(out, n, &back, why))
                return false;
        *len = n;
        return true;
}

/* ---- platform claims (DEN0137 1.0 A7.2.3.2) ---- */

static bool platform_profile(const struct scope *s, const cbor_item_t *map, struct cca_platform_claims *out)
{
        const cbor_item_t *v;
        if (!need(s, map, CCA_PLAT_PROFILE, &v) || !take_text(s, CCA_PLAT_PROFILE, v, true, out->profile))
                return false;
        if (strcmp(out->profile, CCA_PLAT_PROFILE_1_0) && strcmp(out->profile, CCA_PLAT_PROFILE_LEGACY))
                return failk(s, CCA_PLAT_PROFILE, "is an unknown profile; known are %s and %s",
                             CCA_PLAT_PROFILE_1_0, CCA_PLAT_PROFILE_LEGACY);
        return true;
}

/* DEN0137 1.0 A7.2.3.2: the challenge a hash of the RAK, implementation id 32 bytes, the
 * instance id a 33-byte UEID. */
static bool platform_ids(const struct scope *s, const cbor_item_t *map, struct cca_platform_claims *out)
{
        const cbor_item_t *chal, *impl, *inst, *cfg;
        const uint8_t *p;
        if (!need(s, map, CCA_PLAT_CHALLENGE, &chal) ||
            !take_hash(s, CCA_PLAT_CHALLENGE, chal, out->challenge, &out->challenge_len) ||
            !need(s, map, CCA_PLAT_IMPLEMENTATION_ID, &impl) ||
            !take_fixed(s, CCA_PLAT_IMPLEMENTATION_ID, impl, out->implementation_id, CCA_IMPL_ID_LEN) ||
            !need(s, map, CCA_PLAT_INSTANCE_ID, &inst) ||
            !take_fixed(s, CCA_PLAT_INSTANCE_ID, inst, out->instance_id, CCA_INSTANCE_ID_LEN) ||
            !need(s, map, CCA_PLAT_CONFIG, &cfg) || !bstr_of(s, CCA_PLAT_CONFIG, cfg, &p, &out->config_len))
                return false;
        if (out->instance_id[0] != UEID_TYPE_RAND)
                return failk(s, CCA_PLAT_INSTANCE_ID, "does not start with 0x01 (a random UEID)");
        if (out->config_len > CCA_CONFIG_MAX)
                return failk(s, CCA_PLAT_CONFIG, "is %zu bytes; at most %d", out->config_len, CCA_CONFIG_MAX);
        copy_out(out->config, p, out->config_len);
        return true;
}

static bool platform_rest(const struct scope *s, const cbor_item_t *map, struct cca_platform_claims *out)
{
        const cbor_item_t *life, *alg, *vs = lookup(map, CCA_PLAT_VERIFICATION_SERVICE);
        if (!need(s, map, CCA_PLAT_LIFECYCLE, &life))
                return false;
        if (!cbor_isa_uint(life) || cbor_get_int(life) > UINT16_MAX)
                return failk(s, CCA_PLAT_LIFECYCLE, "is not an unsigned 16-bit integer");
        out->lifecycle = (uint16_t)cbor_get_int(life);
        return (!vs || take_text(s, CCA_PLAT_VERIFICATION_SERVICE, vs, false, out->verification_service)) &&
               need(s, map, CCA_PLAT_HASH_ALGO, &alg) &&
               take_text(s, CCA_PLAT_HASH_ALGO, alg, true, out->hash_algo);
}

static bool sw_component(const struct scope *plat, size_t i, const cbor_item_t *item,
                         struct cca_sw_component *sw)
{
        char part[CCA_WHY_LEN / 2];
        const struct scope s = { part, "key", sw_key_name, plat->why };
        const cbor_item_t *meas, *signer;
        const cbor_item_t *type, *ver, *alg;
        snprintf(part, sizeof(part), "%s: claim %d (sw-components) entry %zu", plat->part,
                 CCA_PLAT_SW_COMPONENTS, i);
        if (!check_map(&s, item))
                return false;
        type = lookup(item, CCA_SW_TYPE);
        ver = lookup(item, CCA_SW_VERSION);
        alg = lookup(item, CCA_SW_HASH_ALGO);
        return (!type || take_text(&s, CCA_SW_TYPE, type, false, sw->type)) &&
               need(&s, item, CCA_SW_MEASUREMENT, &meas) &&
               take_hash(&s, CCA_SW_MEASUREMENT, meas, sw->measurement, &sw->measurement_len) &&
               (!ver || take_text(&s, CCA_SW_VERSION, ver, false, sw->version)) &&
               need(&s, item, CCA_SW_SIGNER_ID, &signer) &&
               take_hash(&s, CCA_SW_SIGNER_ID, signer, sw->signer_id, &sw->signer_id_len) &&
               (!alg || take_text(&s, CCA_SW_HASH_ALGO, alg, false, sw->hash_algo));
}

/* DEN0137 1.0 A7.2.3.2: one or more software components. */
static bool platform_sw(const struct scope *s, const cbor_item_t *map, struct cca_platform_claims *out)
{
        const cbor_item_t *v;
        cbor_item_t **e;
        size_t n;
        if (!need(s, map, CCA_PLAT_SW_COMPONENTS, &v))
                return false;
        if (!cbor_isa_array(v))
                return failk(s, CCA_PLAT_SW_COMPONENTS, "is not an array");
        n = cbor_array_size(v);
        if (!n)
                return failk(s, CCA_PLAT_SW_COMPONENTS,
                             "is empty; at least one software component is required");
        if (n > CCA_SW_MAX)
                return failk(s, CCA_PLAT_SW_COMPONENTS, "has %zu software components; ccada keeps at most %d",
                             n, CCA_SW_MAX);
        e = cbor_array_handle(v);
        for (size_t i = 0; i < n; i++)
                if (!sw_component(s, i, e[i], &out->sw[i]))
                        return false;
        out->nsw = (unsigned)n;
        return true;
}

static bool platform_claims(const struct scope *s, const cbor_item_t *map, void *claims)
{
        struct cca_platform_claims *out = claims;
        return platform_profile(s, map, out) && platform_ids(s, map, out) && platform_sw(s, map, out) &&
               platform_rest(s, map, out);
}

bool cca_platform_claims_decode(const uint8_t *in, size_t len, struct cca_platform_claims *out, char *why)
{
        static const struct claims_kind platform = { "platform token", cca_platform_claim_name,
                                                     platform_claims };
        return claims_decode(in, len, &platform, out, sizeof(*out), why);
}

static size_t present(const char *text) { return text[0] ? 1 : 0; }

static cbor_item_t *sw_map(const struct cca_sw_component *sw)
{
        cbor_item_t *m =
                cbor_new_definite_map(2 + present(sw->type) + present(sw->version) + present(sw->hash_algo));
        bool ok = m && (!present(sw->type) || put(m, CCA_SW_TYPE, cbor_build_string(sw->type))) &&
                  put(m, CCA_SW_MEASUREMENT, build_bstr(sw->measurement, sw->measurement_len)) &&
                  (!present(sw->version) || put(m, CCA_SW_VERSION, cbor_build_string(sw->version))) &&
                  put(m, CCA_SW_SIGNER_ID, build_bstr(sw->signer_id, sw->signer_id_len)) &&
                  (!present(sw->hash_algo) || put(m, CCA_SW_HASH_ALGO, cbor_build_string(sw->hash_algo)));
        return done(m, ok);
}

static cbor_item_t *sw_array(const struct cca_platform_claims *c)
{
        cbor_item_t *a = cbor_new_definite_array(c->nsw);
        bool ok = a != NULL;
        for (unsigned i = 0; i < c->nsw; i++)
                ok = ok && push(a, sw_map(&c->sw[i]));
        return done(a, ok);
}

/* The keys in the order of cca_token.h's table. */
static cbor_item_t *platform_map(const struct cca_platform_claims *c)
{
        cbor_item_t *m = cbor_new_definite_map(8 + present(c->verification_service));
        bool ok = m && put(m, CCA_PLAT_PROFILE, cbor_build_string(c->profile)) &&
                  put(m, CCA_PLAT_CHALLENGE, build_bstr(c->challenge, c->challenge_len)) &&
                  put(m, CCA_PLAT_IMPLEMENTATION_ID, build_bstr(c->implementation_id, CCA_IMPL_ID_LEN)) &&
                  put(m, CCA_PLAT_INSTANCE_ID, build_bstr(c->instance_id, CCA_INSTANCE_ID_LEN)) &&
                  put(m, CCA_PLAT_CONFIG, build_bstr(c->config, c->config_len)) &&
                  put(m, CCA_PLAT_LIFECYCLE, build_int(c->lifecycle)) &&
                  put(m, CCA_PLAT_SW_COMPONENTS, sw_array(c)) &&
                  (!present(c->verification_service) ||
                   put(m, CCA_PLAT_VERIFICATION_SERVICE, cbor_build_string(c->verification_service))) &&
                  put(m, CCA_PLAT_HASH_ALGO, cbor_build_string(c->hash_algo));
        return done(m, ok);
}

/* What the encoder reads of c is within c's arrays. */
static bool platform_in_bounds(const struct cca_platform_claims *c)
{
        if (c->challenge_len > CCA_MEAS_MAX || c->config_len > CCA_CONFIG_MAX || c->nsw > CCA_SW_MAX ||
            !text_terminated(c->profile) || !text_terminated(c->verification_service) ||
            !text_terminated(c->hash_algo))
                return false;
        for (unsigned i = 0; i < c->nsw; i++) {
                const struct cca_sw_component *sw = &c->sw[i];
                if (sw->measurement_len > CCA_MEAS_MAX || sw->signer_id_len > CCA_MEAS_MAX ||
                    !text_terminated(sw->type) || !text_terminated(sw->version) ||
                    !text_terminated(sw->hash_algo))
                        return false;
        }
        return true;
}

bool cca_platform_claims_encode(const struct cca_platform_claims *c, uint8_t *out, size_t cap, size_t *len)
{
        struct cca_platform_claims back;
        char why[CCA_WHY_LEN];
        size_t n;
        if (!platform_in_bounds(c) || !emit(platform_map(c), out, cap, CCA_SUBTOKEN_MAX, &n) ||
            !cca_platform_claims_decode(out, n, &back, why))
                return false;
        *len = n;
        return true;
}

/* ---- COSE_Sign1 (RFC 9052 §4.2, §4.4) ---- */

/* The size of r || s for the ECDSA algorithms (RFC 9053 §2.1), 0 for any other. */
static size_t cose_sig_len(int64_t alg)
{
        switch (alg) {
        case COSE_ALG_ES256: return 2 * 32;
        case COSE_ALG_ES384: return 2 * 48;
        case COSE_ALG_ES512: return 2 * 66;
        default: return 0;
        }
}

static const char *cose_alg_name(int64_t alg)
{
        return alg == COSE_ALG_ES256 ? "ES256" : alg == COSE_ALG_ES384 ? "ES384" : "ES512";
}

#define PROTECTED_MAX sizeof(((struct cose_sign1 *)NULL)->protected_hdr)

/* The protected header, {1: alg} (RFC 9052 §3.1), as its bytes. */
static bool protected_encode(int64_t alg, uint8_t *out, size_t cap, size_t *len)
{
        cbor_item_t *m;
        bool ok;
        if (!cose_sig_len(alg))
                return false;
        m = cbor_new_definite_map(1);
        ok = m && put(m, COSE_HDR_ALG, build_int(alg));
        return emit(done(m, ok), out, cap, PROTECTED_MAX, len);
}

bool cose_sign1_tbs_encode(int alg, const uint8_t *payload, size_t payload_len, uint8_t *out, size_t cap,
                           size_t *len)
{
        uint8_t prot[PROTECTED_MAX];
        size_t prot_len;
        cbor_item_t *a;
        bool ok;
        if (!protected_encode(alg, prot, sizeof(prot), &prot_len))
                return false;
        /* Sig_structure = ["Signature1", body_protected, external_aad (empty), payload] */
        a = cbor_new_definite_array(4);
        ok = a && push(a, cbor_build_string("Signature1")) && push(a, build_bstr(prot, prot_len)) &&
             push(a, build_bstr(NULL, 0)) && push(a, build_bstr(payload, payload_len));
        return emit(done(a, ok), out, cap, SIZE_MAX, len);
}

bool cose_sign1_encode(int alg, const uint8_t *payload, size_t payload_len, const uint8_t *sig,
                       size_t sig_len, uint8_t *out, size_t cap, size_t *len)
{
        uint8_t prot[PROTECTED_MAX];
        size_t prot_len;
        cbor_item_t *a;
        bool ok;
        if (!payload_len || sig_len != cose_sig_len(alg) ||
            !protected_encode(alg, prot, sizeof(prot), &prot_len))
                return false;
        a = cbor_new_definite_array(4);
        ok = a && push(a, build_bstr(prot, prot_len)) && push(a, cbor_new_definite_map(0)) &&
             push(a, build_bstr(payload, payload_len)) && push(a, build_bstr(sig, sig_len));
        return emit(build_tag(CCA_TAG_COSE_SIGN1, done(a, ok)), out, cap, CCA_SUBTOKEN_MAX, len);
}

/* The signature covers the protected header's bytes as sent; cose_sign1_tbs_encode writes
 * {1: alg} in its shortest form, so that is the one form accepted. */
static bool cose_protected(const cbor_item_t *v, struct cose_sign1 *out, char *why)
{
        const struct scope s = { "COSE_Sign1 protected header", "label", cose_header_label_name, why };
        const cbor_item_t *a;
        const uint8_t *p;
        uint8_t canon[PROTECTED_MAX];
        size_t n, canon_len;
        int64_t alg = 0;
        cbor_item_t *map;
        bool ok;
        if (!bstr_item(v, &p, &n))
                return fail(why, "COSE_Sign1: the protected header is not a byte string");
        map = load_map(p, n, PROTECTED_MAX, &s);
        if (!map)
                return false;
        ok = need(&s, map, COSE_HDR_ALG, &a) &&
             ((as_int64(a, &alg) && cose_sig_len(alg)) ||
              failk(&s, COSE_HDR_ALG, "is not ES256 (-7), ES384 (-35) or ES512 (-36)"));
        cbor_decref(&map);
        if (!ok)
                return false;
        if (!protected_encode(alg, canon, sizeof(canon), &canon_len) || canon_len != n || memcmp(canon, p, n))
                return fail(why, "COSE_Sign1: the protected header is not {1: alg} alone in shortest form");
        out->alg = (int)alg;
        memcpy(out->protected_hdr, p, n);
        out->protected_len = n;
        return true;
}

static bool cose_fields(const cbor_item_t *arr, struct cose_sign1 *out, char *why)
{
        cbor_item_t **e;
        const uint8_t *payload, *sig;
        size_t payload_len, sig_len;
        if (!cbor_isa_array(arr) || cbor_array_size(arr) != 4)
                return fail(why,
                            "COSE_Sign1: not an array of 4 (protected, unprotected, payload, signature)");
        e = cbor_array_handle(arr);
        if (!cose_protected(e[0], out, why))
                return false;
        if (!cbor_isa_map(e[1]))
                return fail(why, "COSE_Sign1: the unprotected header is not a map");
        if (!bstr_item(e[2], &payload, &payload_len) || !payload_len || payload_len > CCA_SUBTOKEN_MAX)
                return fail(why, "COSE_Sign1: the payload is not a byte string of 1 to %d bytes",
                            CCA_SUBTOKEN_MAX);
        if (!bstr_item(e[3], &sig, &sig_len))
                return fail(why, "COSE_Sign1: the signature is not a byte string");
        if (sig_len != cose_sig_len(out->alg))
                return fail(why, "COSE_Sign1: the signature is %zu bytes; %s needs %zu (r || s)", sig_len,
                            cose_alg_name(out->alg), cose_sig_len(out->alg));
        memcpy(out->payload, payload, payload_len);
        out->payload_len = payload_len;
        memcpy(out->sig, sig, sig_len);
        out->sig_len = sig_len;
        return true;
}

/* RFC 9052 §2: COSE_Sign1_Tagged is tag 18, in one byte (d2) as producers write it, or in
 * two (d8 12). libcbor 0.8 cannot decode the one-byte form (its issue #307, fixed after
 * 0.10), so the tag is read here and the array after it handed to libcbor. */
static size_t cose_tag_len(const uint8_t *in, size_t len)
{
        if (len >= 1 && in[0] == 0xd2)
                return 1;
        if (len >= 2 && in[0] == 0xd8 && in[1] == CCA_TAG_COSE_SIGN1)
                return 2;
        return 0;
}

bool cose_sign1_decode(const uint8_t *in, size_t len, struct cose_sign1 *out, char *why)
{
        size_t tag = cose_tag_len(in, len);
        cbor_item_t *arr;
        bool ok;
        memset(out, 0, sizeof(*out));
        if (len > CCA_SUBTOKEN_MAX)
                return fail(why, "COSE_Sign1: %zu bytes; at most %d are accepted", len, CCA_SUBTOKEN_MAX);
        if (!tag)
                return fail(why, "COSE_Sign1: does not start with tag 18 (d2 or d8 12)");
        arr = load(in + tag, len - tag, CCA_SUBTOKEN_MAX, "COSE_Sign1 after its tag", why);
        if (!arr)
                return false;
        ok = cose_fields(arr, out, why);
        cbor_decref(&arr);
        return ok;
}

/* ---- the collection (DEN0137 1.0 A7.2; draft-ffm-rats-cca-token) ---- */

static bool is_cmw_entry(const cbor_item_t *v)
{
        int64_t format;
        return cbor_isa_array(v) && cbor_array_size(v) == 2 && cbor_isa_uint(cbor_array_handle(v)[0]) &&
               as_int64(cbor_array_handle(v)[0], &format) && format == CCA_CMW_CONTENT_FORMAT;
}

static bool collection_take(const struct scope *s, int64_t key, const cbor_item_t *v, enum cca_form form,
                            uint8_t *dst, size_t *len)
{
        const uint8_t *p;
        if (form == CCA_FORM_399 && cbor_isa_array(v)) /* D4 */
                return failk(s, key,
                             "is a CMW [263, bstr] entry; tag 399 holds byte strings, tag 907 CMW entries");
        if (form == CCA_FORM_907 && !is_cmw_entry(v))
                return failk(s, key, "is not a CMW [263, bstr] entry, which tag 907 holds");
        if (form == CCA_FORM_907)
                v = cbor_array_handle(v)[1];
        if (!bstr_of(s, key, v, &p, len))
                return false;
        if (!*len || *len > CCA_SUBTOKEN_MAX)
                return failk(s, key, "is %zu bytes; a COSE_Sign1 here is 1 to %d", *len, CCA_SUBTOKEN_MAX);
        copy_out(dst, p, *len);
        return true;
}

static bool collection_map(const cbor_item_t *map, struct cca_collection *out, char *why)
{
        const struct scope s = { "collection", "entry", collection_entry_name, why };
        const cbor_item_t *plat, *realm;
        if (!check_map(&s, map) || !need(&s, map, CCA_KEY_PLATFORM_TOKEN, &plat) ||
            !need(&s, map, CCA_KEY_REALM_TOKEN, &realm))
                return false;
        if (cbor_map_size(map) != 2)
                return fail(why, "collection: entries beside 44234 (platform) and 44241 (realm)");
        return collection_take(&s, CCA_KEY_PLATFORM_TOKEN, plat, out->form, out->platform,
                               &out->platform_len) &&
               collection_take(&s, CCA_KEY_REALM_TOKEN, realm, out->form, out->realm, &out->realm_len);
}

static bool collection_tagged(const cbor_item_t *root, struct cca_collection *out, char *why)
{
        cbor_item_t *map;
        bool ok;
        if (!cbor_isa_tag(root))
                return fail(why, "collection: not a tagged item; a CCA token is tag 399 or 907");
        switch (cbor_tag_value(root)) {
        case CCA_TAG_COLLECTION: out->form = CCA_FORM_399; break;
        case CCA_TAG_CMW_COLLECTION: out->form = CCA_FORM_907; break;
        default:
                return fail(why, "collection: tag %" PRIu64 "; a CCA token is tag 399 (RMM 1.0) or 907 (CMW)",
                            cbor_tag_value(root));
        }
        map = cbor_tag_item(root);
        if (!map)
                return fail(why, "collection: the tag holds nothing");
        ok = collection_map(map, out, why);
        cbor_decref(&map);
        return ok;
}

bool cca_collection_decode(const uint8_t *in, size_t len, struct cca_collection *out, char *why)
{
        cbor_item_t *root;
        bool ok;
        memset(out, 0, sizeof(*out));
        root = load(in, len, CCA_TOKEN_MAX, "collection", why);
        if (!root)
                return false;
        ok = collection_tagged(root, out, why);
        cbor_decref(&root);
        return ok;
}

static cbor_item_t *collection_entry(enum cca_form form, const uint8_t *p, size_t n)
{
        cbor_item_t *a;
        bool ok;
        if (form == CCA_FORM_399)
                return build_bstr(p, n);
        a = cbor_new_definite_array(2);
        ok = a && push(a, build_int(CCA_CMW_CONTENT_FORMAT)) && push(a, build_bstr(p, n));
        return done(a, ok);
}

bool cca_collection_encode(enum cca_form form, const uint8_t *platform, size_t platform_len,
                           const uint8_t *realm, size_t realm_len, uint8_t *out, size_t cap, size_t *len)
{
        cbor_item_t *m;
        bool ok;
        if ((form != CCA_FORM_399 && form != CCA_FORM_907) || !platform_len ||
            platform_len > CCA_SUBTOKEN_MAX || !realm_len || realm_len > CCA_SUBTOKEN_MAX)
                return false;
        m = cbor_new_definite_map(2);
        ok = m && put(m, CCA_KEY_PLATFORM_TOKEN, collection_entry(form, platform, platform_len)) &&
             put(m, CCA_KEY_REALM_TOKEN, collection_entry(form, realm, realm_len));
        return emit(
                build_tag(form == CCA_FORM_399 ? CCA_TAG_COLLECTION : CCA_TAG_CMW_COLLECTION, done(m, ok)),
                out, cap, CCA_TOKEN_MAX, len);
}
