/* The Key Broker's logic (see kbs.h). JSON through jansson, RSA through lib/rsa, tokens
 * through relying/cca_verify. */
#include "relying/kbs.h"

#include <jansson.h>
#include <openssl/rand.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base64.h"
#include "lib/crypto.h"
#include "lib/rsa.h"
#include "relying/cca_verify.h"

#define KEY_PATH "/keys/v1/key/"
#define EVIDENCE_PATH "/keys/v1/evidence/"

struct challenge {
        uint32_t id;                    /* 0: free */
        uint64_t seq;                   /* issue order, to drop the oldest */
        uint8_t value[CCA_CHALLENGE_LEN];
        size_t key;                     /* index into cfg.keys */
        struct rsa_key *wrap_key;
        enum rsa_wrap wrap;
};

struct kbs {
        struct kbs_config cfg;
        struct challenge ch[KBS_MAX_CHALLENGES];
        uint64_t seq;
};

bool kbs_create(struct kbs **out, const struct kbs_config *cfg)
{
        *out = NULL;
        if (!cfg->endpoint || strlen(cfg->endpoint) > 160)
                return false;
        struct kbs *k = calloc(1, sizeof(*k));
        if (!k)
                return false;
        k->cfg = *cfg;
        *out = k;
        return true;
}

static void challenge_drop(struct challenge *c)
{
        rsa_key_free(c->wrap_key);
        secure_zero(c, sizeof(*c));
}

void kbs_destroy(struct kbs *k)
{
        if (!k)
                return;
        for (size_t i = 0; i < KBS_MAX_CHALLENGES; i++)
                challenge_drop(&k->ch[i]);
        secure_zero(k, sizeof(*k));
        free(k);
}

void kbs_response_free(struct kbs_response *r)
{
        free(r->body);
        r->body = NULL;
}

/* ---- responses ---- */

static void respond(struct kbs_response *r, int status, json_t *obj)
{
        static const char fallback[] = "{\"type\":\"InternalError\",\"detail\":\"No answer could be made.\"}";
        r->status = status;
        r->body = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
        json_decref(obj);
        if (!r->body && (r->body = malloc(sizeof(fallback))) != NULL) { /* jansson out of memory */
                r->status = 500;
                memcpy(r->body, fallback, sizeof(fallback));
        }
        r->body_len = r->body ? strlen(r->body) : 0;
}

/* Bytes a client or a token chose are echoed as printable ASCII only: JSON strings must be
 * UTF-8, and an operator's terminal takes no escape sequences from a request. */
static void printable(char *s)
{
        for (; *s; s++)
                if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
                        *s = '?';
}

__attribute__((format(printf, 4, 5))) static void problem(struct kbs_response *r, int status, const char *type,
                                                          const char *fmt, ...)
{
        char detail[400];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(detail, sizeof(detail), fmt, ap);
        va_end(ap);
        printable(detail);
        respond(r, status, json_pack("{s:s, s:s}", "type", type, "detail", detail));
}

__attribute__((format(printf, 2, 3))) static void note(struct kbs_response *r, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->log, sizeof(r->log), fmt, ap);
        va_end(ap);
        printable(r->log);
}

/* ---- the key request ---- */

static bool name_ok(const char *s, size_t n)
{
        if (n == 0 || n >= KBS_KEY_NAME_MAX)
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '_' || c == '.'))
                        return false;
        }
        return true;
}

static bool json_content_type(const char *ct)
{
        static const char *const ok[] = { "application/json",
                                          "application/vnd.veraison.keybroker.background-check-key-request+json" };
        for (size_t i = 0; ct && i < sizeof(ok) / sizeof(ok[0]); i++) {
                size_t n = strlen(ok[i]);
                if (!strncmp(ct, ok[i], n) && (ct[n] == '\0' || ct[n] == ';'))
                        return true;
        }
        return false;
}

/* A base64url member of a JWK into out. */
static bool jwk_member(json_t *jwk, const char *name, uint8_t *out, size_t cap, size_t *len)
{
        const char *s = json_string_value(json_object_get(jwk, name));
        return s && b64url_decode(s, strlen(s), out, cap, len);
}

/* {"pubkey": {"kty": "RSA", "alg": ..., "n": ..., "e": ...}} into a key; why on failure. */
static bool parse_wrap_key(const uint8_t *body, size_t len, struct rsa_key **key, enum rsa_wrap *w, char *why,
                           size_t why_len)
{
        json_error_t err;
        json_t *doc = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES, &err);
        json_t *jwk = json_object_get(doc, "pubkey");
        const char *kty = json_string_value(json_object_get(jwk, "kty"));
        const char *alg = json_string_value(json_object_get(jwk, "alg"));
        uint8_t n[RSA_MAX_BYTES + 1], e[8];
        size_t n_len = 0, e_len = 0;
        bool ok = false;

        if (!doc)
                snprintf(why, why_len, "the body is not JSON: %s (line %d)", err.text, err.line);
        else if (!json_is_object(jwk))
                snprintf(why, why_len, "no \"pubkey\" object");
        else if (!kty || strcmp(kty, "RSA"))
                snprintf(why, why_len, "pubkey.kty must be \"RSA\"");
        else if (!alg || (strcmp(alg, "RSA1_5") && strcmp(alg, "RSA-OAEP")))
                snprintf(why, why_len, "pubkey.alg must be \"RSA1_5\" or \"RSA-OAEP\"");
        else if (!jwk_member(jwk, "n", n, sizeof(n), &n_len) || !jwk_member(jwk, "e", e, sizeof(e), &e_len))
                snprintf(why, why_len, "pubkey.n and pubkey.e must be unpadded base64url (n at most %d bits)",
                         RSA_MAX_BITS);
        else if (!rsa_key_from_ne(key, n, n_len, e, e_len))
                snprintf(why, why_len, "pubkey is not an RSA key of %d to %d bits with an odd exponent", RSA_MIN_BITS,
                         RSA_MAX_BITS);
        else
                ok = true;
        *w = alg && !strcmp(alg, "RSA-OAEP") ? RSA_WRAP_OAEP_SHA256 : RSA_WRAP_PKCS1_V15;
        json_decref(doc);
        return ok;
}

static struct challenge *find(struct kbs *k, uint32_t id)
{
        for (size_t i = 0; id && i < KBS_MAX_CHALLENGES; i++)
                if (k->ch[i].id == id)
                        return &k->ch[i];
        return NULL;
}

/* A free slot, or the oldest challenge's, dropped. */
static struct challenge *slot(struct kbs *k)
{
        struct challenge *old = &k->ch[0];
        for (size_t i = 0; i < KBS_MAX_CHALLENGES; i++) {
                if (!k->ch[i].id)
                        return &k->ch[i];
                if (k->ch[i].seq < old->seq)
                        old = &k->ch[i];
        }
        challenge_drop(old);
        return old;
}

/* A fresh challenge: 64 random bytes and a non-zero id no outstanding challenge has. */
static bool issue(struct kbs *k, struct challenge *c)
{
        uint32_t id = 0;
        do {
                uint8_t b[4];
                if (RAND_bytes(b, sizeof(b)) != 1)
                        return false;
                id = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
        } while (!id || find(k, id));
        c->id = id;
        c->seq = ++k->seq;
        return RAND_bytes(c->value, sizeof(c->value)) == 1;
}

static void key_request(struct kbs *k, const char *name, const char *ct, const uint8_t *body, size_t len,
                        struct kbs_response *r)
{
        char why[200];
        struct rsa_key *wrap_key = NULL;
        enum rsa_wrap w;
        size_t key;

        for (key = 0; key < k->cfg.nkeys && strcmp(k->cfg.keys[key].name, name); key++)
                ;
        if (!json_content_type(ct)) {
                problem(r, 415, "UnsupportedMediaType", "A key request is application/json, not '%s'.", ct ? ct : "(none)");
                return;
        }
        if (!parse_wrap_key(body, len, &wrap_key, &w, why, sizeof(why))) {
                problem(r, 400, "BadRequest", "The key request is malformed: %s.", why);
                return;
        }
        if (key == k->cfg.nkeys) {
                rsa_key_free(wrap_key);
                problem(r, 404, "KeyNotFound", "This broker holds no key named '%s'.", name);
                return;
        }
        struct challenge *c = slot(k);
        char b64[B64URL_LEN(CCA_CHALLENGE_LEN)];
        if (!issue(k, c) || !b64url_encode(c->value, sizeof(c->value), b64, sizeof(b64))) {
                rsa_key_free(wrap_key);
                challenge_drop(c);
                problem(r, 500, "InternalError", "No random bytes for a challenge.");
                return;
        }
        c->key = key, c->wrap_key = wrap_key, c->wrap = w;
        snprintf(r->location, sizeof(r->location), "%s/keys/v1/evidence/%u", k->cfg.endpoint, c->id);
        respond(r, 201, json_pack("{s:s, s:[s]}", "challenge", b64, "accept", KBS_ACCEPT));
        note(r, "challenge %u issued for key '%s' (%s)", c->id, name, w == RSA_WRAP_OAEP_SHA256 ? "RSA-OAEP" : "RSA1_5");
}

/* ---- the evidence ---- */

/* The 403 of a token that failed, and the operator's line for a RIM outside the values. */
static void refuse(struct kbs_response *r, const struct cca_verify_result *v, uint32_t id)
{
        if (v->failed != CCA_CHECK_REFERENCE_VALUE) {
                note(r, "challenge %u: %s: %s", id, cca_check_name(v->failed), v->why);
                problem(r, 403, "AttestationFailure", "No attestation result was obtained. %s", v->why);
                return;
        }
        char b64[4 * ((CCA_MEAS_MAX + 2) / 3) + 1];
        if (!b64_encode(v->realm.rim, v->realm.meas_len, b64, sizeof(b64)))
                b64[0] = '\0';
        note(r, "challenge %u: the RIM is not a reference value; to release to this Realm, give "
                "--reference-values a file holding {\"reference-values\": [\"%s\"]}", id, b64);
        problem(r, 403, "AttestationFailure", "The attestation result is not in policy.");
}

static void evidence(struct kbs *k, uint32_t id, const char *ct, const uint8_t *body, size_t len,
                     struct kbs_response *r)
{
        struct challenge *found = find(k, id), c;
        if (!found) {
                note(r, "evidence for challenge %u, which was not issued or was used", id);
                problem(r, 403, "AttestationFailure", "The challenge identifier did not match any issued challenge.");
                return;
        }
        c = *found; /* single use: gone before anything is looked at */
        memset(found, 0, sizeof(*found));
        uint8_t *token = malloc(CCA_TOKEN_MAX);
        struct cca_verify_result *v = malloc(sizeof(*v));
        size_t tlen = 0;
        while (len && (body[len - 1] == '\n' || body[len - 1] == '\r'))
                len--;
        if (!token || !v)
                problem(r, 500, "InternalError", "Out of memory.");
        else if (!ct || strcmp(ct, KBS_EVIDENCE_TYPE))
                problem(r, 403, "AttestationFailure",
                        "No attestation result was obtained. The evidence's media type is '%s'; this broker takes '%s'.",
                        ct ? ct : "(none)", KBS_EVIDENCE_TYPE);
        else if (!b64url_decode((const char *)body, len, token, CCA_TOKEN_MAX, &tlen))
                problem(r, 403, "AttestationFailure",
                        "No attestation result was obtained. The evidence is not a token in unpadded base64url.");
        else {
                struct cca_verify_opts o = { .iak = k->cfg.iak, .challenge = c.value, .challenge_len = sizeof(c.value),
                                             .rims = k->cfg.rims, .nrims = k->cfg.nrims };
                static const struct cca_rim none = { .len = 0 }; /* matches no RIM */
                if (!o.nrims) /* no reference values: nothing is in policy */
                        o.rims = &none, o.nrims = 1;
                if (!cca_verify(token, tlen, &o, v))
                        refuse(r, v, c.id);
                else {
                        const struct kbs_key *key = &k->cfg.keys[c.key];
                        uint8_t ct_buf[RSA_MAX_BYTES];
                        char b64[B64URL_LEN(RSA_MAX_BYTES)];
                        size_t n = 0;
                        if (!rsa_wrap(c.wrap_key, c.wrap, key->secret, key->len, ct_buf, sizeof(ct_buf), &n) ||
                            !b64url_encode(ct_buf, n, b64, sizeof(b64)))
                                problem(r, 500, "InternalError", "Wrapping the key failed.");
                        else {
                                respond(r, 200, json_pack("{s:s}", "data", b64));
                                note(r, "challenge %u: token verified; key '%s' released", c.id, key->name);
                        }
                }
        }
        free(token);
        free(v);
        challenge_drop(&c);
}

/* ---- dispatch ---- */

/* A ChallengeId: decimal digits only, 1..2^32-1. */
static bool parse_id(const char *s, uint32_t *id)
{
        uint64_t v = 0;
        if (!*s || *s == '0')
                return false;
        for (; *s; s++) {
                if (*s < '0' || *s > '9' || (v = v * 10 + (uint64_t)(*s - '0')) > UINT32_MAX)
                        return false;
        }
        *id = (uint32_t)v;
        return true;
}

void kbs_handle(struct kbs *k, const char *method, const char *path, const char *content_type, const uint8_t *body,
                size_t len, struct kbs_response *r)
{
        const bool key_path = !strncmp(path, KEY_PATH, strlen(KEY_PATH));
        const bool evidence_path = !strncmp(path, EVIDENCE_PATH, strlen(EVIDENCE_PATH));
        const char *rest = key_path ? path + strlen(KEY_PATH) : evidence_path ? path + strlen(EVIDENCE_PATH) : path;
        uint32_t id;
        memset(r, 0, sizeof(*r));
        if ((key_path || evidence_path) && strcmp(method, "POST"))
                problem(r, 405, "MethodNotAllowed", "Only POST is served here.");
        else if ((key_path || evidence_path) && len > KBS_BODY_MAX)
                problem(r, 413, "PayloadTooLarge", "A request body is at most %d bytes.", KBS_BODY_MAX);
        else if (key_path && name_ok(rest, strlen(rest)))
                key_request(k, rest, content_type, body, len, r);
        else if (evidence_path && parse_id(rest, &id))
                evidence(k, id, content_type, body, len, r);
        else
                problem(r, 404, "NotFound",
                        "No such resource; this broker serves POST %s{KeyId} and POST %s{ChallengeId}.", KEY_PATH,
                        EVIDENCE_PATH);
}

/* ---- configuration ---- */

bool kbs_reference_values_parse(const char *text, size_t len, struct kbs_config *cfg, char *why)
{
        json_error_t err;
        json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
        json_t *arr = json_object_get(doc, "reference-values");
        bool ok = doc && json_is_array(arr) && json_array_size(arr) <= sizeof(cfg->rims) / sizeof(cfg->rims[0]);
        if (!doc)
                snprintf(why, 128, "not JSON: %.80s (line %d)", err.text, err.line);
        else if (!ok)
                snprintf(why, 128, "not {\"reference-values\": [...]} with at most 64 values");
        for (size_t i = 0; ok && i < json_array_size(arr); i++) {
                const char *s = json_string_value(json_array_get(arr, i));
                size_t n = 0;
                ok = s && b64_decode(s, strlen(s), cfg->rims[i].value, CCA_MEAS_MAX, &n) && (n == 32 || n == 48 || n == 64);
                if (!ok)
                        snprintf(why, 128, "value %zu is not the standard base64 of a 32, 48 or 64-byte RIM", i);
                cfg->rims[i].len = n;
        }
        if (ok)
                cfg->nrims = json_array_size(arr);
        json_decref(doc);
        return ok;
}

bool kbs_key_parse(const char *arg, struct kbs_config *cfg, char *why)
{
        const char *eq = strchr(arg, '=');
        size_t n = eq ? (size_t)(eq - arg) : 0, slen = eq ? strlen(eq + 1) : 0;
        if (!eq || !name_ok(arg, n)) {
                snprintf(why, 128, "must be NAME=SECRET, NAME of letters, digits, '-', '_' or '.' (at most %d)",
                         KBS_KEY_NAME_MAX - 1);
                return false;
        }
        if (slen == 0 || slen > KBS_SECRET_MAX) {
                snprintf(why, 128, "the secret must be 1 to %d bytes", KBS_SECRET_MAX);
                return false;
        }
        size_t i;
        for (i = 0; i < cfg->nkeys && (strlen(cfg->keys[i].name) != n || strncmp(cfg->keys[i].name, arg, n)); i++)
                ;
        if (i == KBS_MAX_KEYS) {
                snprintf(why, 128, "at most %d keys", KBS_MAX_KEYS);
                return false;
        }
        memcpy(cfg->keys[i].name, arg, n);
        cfg->keys[i].name[n] = '\0';
        memcpy(cfg->keys[i].secret, eq + 1, slen);
        cfg->keys[i].len = slen;
        if (i == cfg->nkeys)
                cfg->nkeys++;
        return true;
}
