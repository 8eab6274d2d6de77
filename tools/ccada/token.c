/* ccada token make | dump | verify, and ccada measure: the CCA attestation token a Realm
 * gets, what it says, and whether a relying party should believe it (src/relying). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ccada/machine.h"
#include "ccada/report.h"
#include "cli.h"
#include "lib/base64.h"
#include "lib/crypto.h"
#include "lib/json.h"
#include "machine_opts.h"
#include "relying/cca_verify.h"
#include "relying/kbs.h"

#define TOKEN_FILE_MAX (4 * CCA_TOKEN_MAX) /* room for the token as hex or base64url text */

void cli_token_help(FILE *f)
{
        fputs("usage: ccada token make [--challenge HEX] [-o FILE] [--format raw|hex|b64url]\n"
              "                        [--iak-pub-out PUB.pem] [--force] [machine options]\n"
              "       ccada token dump FILE [--json]\n"
              "       ccada token verify FILE --iak PUB.pem [--challenge HEX]\n"
              "                          [--rim HEX... | --reference-values FILE] [--json]\n"
              "\n"
              "make    boots the Realm of the machine options with the attest workload: the host\n"
              "        relays the challenge (32..64 bytes of hex; default 64 zero bytes), the\n"
              "        Realm asks the RMM for a token (RSI_ATTESTATION_TOKEN_INIT/CONTINUE) and\n"
              "        the token is written to stdout or FILE: raw CBOR (default; not to a\n"
              "        terminal), hex, or base64url as the Key Broker's API carries it.\n"
              "        --iak-pub-out writes the platform attestation key's public half (PEM),\n"
              "        what a verifier trusts. Existing files are kept unless --force.\n"
              "dump    prints every claim of FILE (raw CBOR, hex or base64url) with its name;\n"
              "        signatures are not checked (that is verify).\n"
              "verify  checks FILE as a relying party does: both signatures (the platform's with\n"
              "        --iak, the realm's with the key it carries), the binding between them, the\n"
              "        claims' shapes, and if given the challenge issued and the RIM among the\n"
              "        --rim reference values (repeatable) or those of a --reference-values\n"
              "        file (the Key Broker's {\"reference-values\": [base64 RIM, ...]}).\n"
              "        Says which check failed.\n"
              "\n"
              "exit status: 0 done (verify: every check passed), 1 failed, 2 usage error\n",
              f);
}

/* ---- reading a token file: raw CBOR, hex or base64url, detected ---- */

static bool text_byte(uint8_t c)
{
        return (c >= 0x20 && c < 0x7f) || c == '\n' || c == '\r' || c == '\t';
}

/* Reads path into out (TOKEN_FILE_MAX); a text file (hex, base64url) is decoded. */
static bool read_token(const char *cmd, const char *path, uint8_t *out, size_t *len)
{
        FILE *f = fopen(path, "rb");
        if (!f) {
                fprintf(stderr, "ccada %s: cannot read '%s': %s\n", cmd, path, strerror(errno));
                return false;
        }
        uint8_t *raw = malloc(TOKEN_FILE_MAX + 1);
        size_t n = raw ? fread(raw, 1, TOKEN_FILE_MAX + 1, f) : 0;
        bool err = !raw || ferror(f);
        fclose(f);
        if (err || n == 0 || n > TOKEN_FILE_MAX) {
                fprintf(stderr, "ccada %s: '%s' %s\n", cmd, path,
                        err ? "could not be read" : n ? "is larger than any attestation token" : "is empty");
                free(raw);
                return false;
        }
        bool text = true;
        for (size_t i = 0; i < n && text; i++)
                text = text_byte(raw[i]);
        while (text && n && (raw[n - 1] == '\n' || raw[n - 1] == '\r' || raw[n - 1] == ' '))
                n--;
        bool ok = true;
        if (!text) {
                memcpy(out, raw, n);
                *len = n;
        } else {
                raw[n] = '\0';
                ok = hex_decode((char *)raw, out, CCA_TOKEN_MAX, len) ||
                     b64url_decode((char *)raw, n, out, CCA_TOKEN_MAX, len);
                if (!ok)
                        fprintf(stderr, "ccada %s: '%s' is text but neither hex nor base64url of a token\n", cmd, path);
        }
        free(raw);
        return ok;
}

/* ---- dump ---- */

static void print_hex(const char *label, const uint8_t *b, size_t n)
{
        char hex[2 * CCA_CONFIG_MAX + 1];
        hex_encode(hex, b, n);
        printf("  %-26s %s\n", label, hex);
}

static const char *claim_label(char *buf, size_t cap, const char *name, int key)
{
        snprintf(buf, cap, "%s (%d):", name, key);
        return buf;
}

static void dump_platform_text(const struct cca_platform_claims *c)
{
        char l[64];
        printf("platform claims:\n");
        printf("  %-26s %s\n", claim_label(l, sizeof(l), "profile", CCA_PLAT_PROFILE), c->profile);
        print_hex(claim_label(l, sizeof(l), "challenge", CCA_PLAT_CHALLENGE), c->challenge, c->challenge_len);
        print_hex(claim_label(l, sizeof(l), "implementation-id", CCA_PLAT_IMPLEMENTATION_ID), c->implementation_id, sizeof(c->implementation_id));
        print_hex(claim_label(l, sizeof(l), "instance-id", CCA_PLAT_INSTANCE_ID), c->instance_id,
                  sizeof(c->instance_id));
        print_hex(claim_label(l, sizeof(l), "config", CCA_PLAT_CONFIG), c->config, c->config_len);
        printf("  %-26s 0x%04x\n", claim_label(l, sizeof(l), "lifecycle", CCA_PLAT_LIFECYCLE), c->lifecycle);
        printf("  %-26s %u\n", claim_label(l, sizeof(l), "sw-components", CCA_PLAT_SW_COMPONENTS), c->nsw);
        for (unsigned i = 0; i < c->nsw; i++) {
                const struct cca_sw_component *s = &c->sw[i];
                char m[2 * CCA_MEAS_MAX + 1], sid[2 * CCA_MEAS_MAX + 1];
                hex_encode(m, s->measurement, s->measurement_len);
                hex_encode(sid, s->signer_id, s->signer_id_len);
                printf("    [%u] type %s, version %s, hash-algo-id %s\n        measurement %s\n        signer-id   %s\n", i,
                       s->type[0] ? s->type : "-", s->version[0] ? s->version : "-", s->hash_algo[0] ? s->hash_algo : "-",
                       m, sid);
        }
        if (c->verification_service[0])
                printf("  %-26s %s\n", claim_label(l, sizeof(l), "verification-service", CCA_PLAT_VERIFICATION_SERVICE),
                       c->verification_service);
        printf("  %-26s %s\n", claim_label(l, sizeof(l), "hash-algo-id", CCA_PLAT_HASH_ALGO), c->hash_algo);
}

static void dump_realm_text(const struct cca_realm_claims *c)
{
        char l[64];
        printf("realm claims:\n");
        print_hex(claim_label(l, sizeof(l), "challenge", CCA_REALM_CHALLENGE), c->challenge, sizeof(c->challenge));
        printf("  %-26s %s\n", claim_label(l, sizeof(l), "profile", CCA_REALM_PROFILE),
               c->has_profile ? CCA_REALM_PROFILE_1_0 : "(absent: RMM 1.0 legacy)");
        print_hex(claim_label(l, sizeof(l), "personalization-value", CCA_REALM_RPV), c->rpv, sizeof(c->rpv));
        printf("  %-26s %s\n", claim_label(l, sizeof(l), "hash-algo-id", CCA_REALM_HASH_ALGO), c->hash_algo);
        print_hex(claim_label(l, sizeof(l), "public-key", CCA_REALM_PUB_KEY), c->rak, c->rak_len);
        print_hex(claim_label(l, sizeof(l), "initial-measurement", CCA_REALM_RIM), c->rim, c->meas_len);
        for (unsigned i = 0; i < CCA_REM_COUNT; i++) {
                char hex[2 * CCA_MEAS_MAX + 1];
                hex_encode(hex, c->rem[i], c->meas_len);
                printf("  %-26s [%u] %s\n", i ? "" : claim_label(l, sizeof(l), "extensible-measurements", CCA_REALM_REM),
                       i, hex);
        }
        printf("  %-26s %s\n", claim_label(l, sizeof(l), "public-key-hash-algo-id", CCA_REALM_PUB_KEY_HASH_ALGO),
               c->rak_hash_algo);
}

static void json_hex(struct json_writer *w, const char *key, const uint8_t *b, size_t n)
{
        char hex[2 * CCA_CONFIG_MAX + 1];
        hex_encode(hex, b, n);
        json_string(w, key, hex);
}

static void dump_platform_json(struct json_writer *w, const struct cca_platform_claims *c)
{
        json_begin_object(w, "platform");
        json_string(w, "profile", c->profile);
        json_hex(w, "challenge", c->challenge, c->challenge_len);
        json_hex(w, "implementation-id", c->implementation_id, sizeof(c->implementation_id));
        json_hex(w, "instance-id", c->instance_id, sizeof(c->instance_id));
        json_hex(w, "config", c->config, c->config_len);
        json_u64(w, "lifecycle", c->lifecycle);
        json_begin_array(w, "sw-components");
        for (unsigned i = 0; i < c->nsw; i++) {
                json_begin_object(w, NULL);
                if (c->sw[i].type[0])
                        json_string(w, "type", c->sw[i].type);
                json_hex(w, "measurement", c->sw[i].measurement, c->sw[i].measurement_len);
                if (c->sw[i].version[0])
                        json_string(w, "version", c->sw[i].version);
                json_hex(w, "signer-id", c->sw[i].signer_id, c->sw[i].signer_id_len);
                if (c->sw[i].hash_algo[0])
                        json_string(w, "hash-algo-id", c->sw[i].hash_algo);
                json_end_object(w);
        }
        json_end_array(w);
        if (c->verification_service[0])
                json_string(w, "verification-service", c->verification_service);
        json_string(w, "hash-algo-id", c->hash_algo);
        json_end_object(w);
}

static void dump_realm_json(struct json_writer *w, const struct cca_realm_claims *c)
{
        json_begin_object(w, "realm");
        json_hex(w, "challenge", c->challenge, sizeof(c->challenge));
        if (c->has_profile)
                json_string(w, "profile", CCA_REALM_PROFILE_1_0);
        json_hex(w, "personalization-value", c->rpv, sizeof(c->rpv));
        json_string(w, "hash-algo-id", c->hash_algo);
        json_hex(w, "public-key", c->rak, c->rak_len);
        json_hex(w, "initial-measurement", c->rim, c->meas_len);
        json_begin_array(w, "extensible-measurements");
        for (unsigned i = 0; i < CCA_REM_COUNT; i++)
                json_hex(w, NULL, c->rem[i], c->meas_len);
        json_end_array(w);
        json_string(w, "public-key-hash-algo-id", c->rak_hash_algo);
        json_end_object(w);
}

/* Both tokens decoded, no signature checked. */
struct dumped {
        struct cca_collection col;
        struct cose_sign1 plat, realm;
        struct cca_platform_claims pc;
        struct cca_realm_claims rc;
};

static bool decode_all(const uint8_t *tok, size_t len, struct dumped *d, char *why)
{
        char w[CCA_WHY_LEN];
        const char *part = "collection";
        bool ok = cca_collection_decode(tok, len, &d->col, w) &&
                  (part = "platform token", cose_sign1_decode(d->col.platform, d->col.platform_len, &d->plat, w)) &&
                  (part = "realm token", cose_sign1_decode(d->col.realm, d->col.realm_len, &d->realm, w)) &&
                  (part = "platform claims", cca_platform_claims_decode(d->plat.payload, d->plat.payload_len, &d->pc, w)) &&
                  (part = "realm claims", cca_realm_claims_decode(d->realm.payload, d->realm.payload_len, &d->rc, w));
        if (!ok)
                snprintf(why, CCA_VERIFY_WHY_LEN, "%s: %s", part, w);
        return ok;
}

static const char *alg_name(int alg)
{
        return alg == COSE_ALG_ES256 ? "ES256" : alg == COSE_ALG_ES384 ? "ES384" : alg == COSE_ALG_ES512 ? "ES512" : "?";
}

static int token_dump(int argc, char **argv)
{
        static const struct option opts[] = { { "json", no_argument, NULL, 'j' }, { "help", no_argument, NULL, 'h' }, { 0 } };
        bool json = false;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
                if (c == 'j')
                        json = true;
                else
                        return cli_token_help(c == 'h' ? stdout : stderr), c == 'h' ? CLI_OK : CLI_USAGE;
        }
        if (optind != argc - 1) {
                fprintf(stderr, "ccada token dump: give one token FILE\n");
                return CLI_USAGE;
        }
        uint8_t *tok = malloc(CCA_TOKEN_MAX);
        struct dumped *d = malloc(sizeof(*d));
        size_t len = 0;
        char why[CCA_VERIFY_WHY_LEN];
        int rc = CLI_FAIL;
        if (!tok || !d || !read_token("token dump", argv[optind], tok, &len))
                goto out;
        if (!decode_all(tok, len, d, why)) {
                fprintf(stderr, "ccada token dump: '%s' is not a CCA token: %s\n", argv[optind], why);
                goto out;
        }
        if (json) {
                struct json_writer w;
                json_init(&w, stdout, true);
                json_begin_object(&w, NULL);
                json_u64(&w, "tag", d->col.form == CCA_FORM_907 ? CCA_TAG_CMW_COLLECTION : CCA_TAG_COLLECTION);
                json_string(&w, "platform-alg", alg_name(d->plat.alg));
                json_string(&w, "realm-alg", alg_name(d->realm.alg));
                dump_platform_json(&w, &d->pc);
                dump_realm_json(&w, &d->rc);
                json_end_object(&w);
                rc = json_finish(&w) ? CLI_OK : CLI_FAIL;
        } else {
                printf("CCA token, %zu bytes: tag %u (%s), platform token %zu bytes (%s), realm token %zu bytes (%s)\n", len,
                       d->col.form == CCA_FORM_907 ? CCA_TAG_CMW_COLLECTION : CCA_TAG_COLLECTION,
                       d->col.form == CCA_FORM_907 ? "CMW collection" : "RMM 1.0 collection", d->col.platform_len,
                       alg_name(d->plat.alg), d->col.realm_len, alg_name(d->realm.alg));
                dump_platform_text(&d->pc);
                dump_realm_text(&d->rc);
                printf("signatures not checked: ccada token verify checks them\n");
                rc = CLI_OK;
        }
out:
        free(tok);
        free(d);
        return rc;
}

/* ---- verify ---- */

#define MAX_RIMS 64

struct verify_opts {
        const char *iak;
        uint8_t challenge[CCA_CHALLENGE_LEN];
        bool challenge_given;
        struct cca_rim rims[MAX_RIMS];
        size_t nrims;
        bool json;
};

static int parse_challenge(const char *cmd, const char *arg, uint8_t out[64], size_t *len)
{
        uint8_t tmp[64] = { 0 };
        if (!hex_decode(arg, tmp, sizeof(tmp), len) || *len < 32)
                return cli_bad_value(cmd, "--challenge", arg, "must be 32 to 64 bytes of hex");
        memcpy(out, tmp, 64); /* zero-padded to 64, as Linux pads a shorter one */
        return CLI_OK;
}

/* --reference-values FILE: its RIMs join the --rim ones. */
static int reference_values(struct verify_opts *o, const char *path)
{
        struct kbs_config *cfg = calloc(1, sizeof(*cfg));
        char text[65536], why[128];
        size_t n = 0;
        int rc = CLI_OK;
        if (!cfg)
                rc = CLI_FAIL;
        else if (!cli_read_file(path, text, sizeof(text), &n, why, sizeof(why)) ||
                 !kbs_reference_values_parse(text, n, cfg, why))
                rc = cli_bad_value("token verify", "--reference-values", path, why);
        for (size_t i = 0; rc == CLI_OK && i < cfg->nrims; i++) {
                if (o->nrims == MAX_RIMS) {
                        rc = cli_bad_value("token verify", "--reference-values", path, "at most 64 reference values");
                        break;
                }
                o->rims[o->nrims++] = cfg->rims[i];
        }
        free(cfg);
        return rc;
}

static int verify_opt(struct verify_opts *o, int c, const char *arg)
{
        size_t n = 0;
        switch (c) {
        case 'i': o->iak = arg; return CLI_OK;
        case 'j': o->json = true; return CLI_OK;
        case 'c':
                o->challenge_given = true;
                return parse_challenge("token verify", arg, o->challenge, &n);
        case 'R': return reference_values(o, arg);
        case 'r':
                if (o->nrims == MAX_RIMS)
                        return cli_bad_value("token verify", "--rim", arg, "at most 64 reference values");
                if (!hex_decode(arg, o->rims[o->nrims].value, CCA_MEAS_MAX, &n) || (n != 32 && n != 48 && n != 64))
                        return cli_bad_value("token verify", "--rim", arg, "must be 32, 48 or 64 bytes of hex");
                o->rims[o->nrims++].len = n;
                return CLI_OK;
        default:
                return cli_token_help(c == 'h' ? stdout : stderr), c == 'h' ? -1 : CLI_USAGE;
        }
}

static bool load_iak(const char *path, struct ec_key **k)
{
        char pem[16384], why[EC_WHY_LEN];
        size_t n = 0;
        if (!cli_read_file(path, pem, sizeof(pem), &n, why, sizeof(why)) || !ec_key_from_pem(k, pem, n, why)) {
                fprintf(stderr, "ccada token verify: --iak '%s': %s\n", path, why);
                return false;
        }
        return true;
}

static void verify_print(const struct verify_opts *o, const struct cca_verify_result *r, bool ok)
{
        if (o->json) {
                struct json_writer w;
                json_init(&w, stdout, true);
                json_begin_object(&w, NULL);
                json_bool(&w, "verified", ok);
                json_string(&w, "failed", ok ? "" : cca_check_name(r->failed));
                json_string(&w, "why", r->why);
                if (ok) {
                        char hex[2 * CCA_MEAS_MAX + 1];
                        hex_encode(hex, r->realm.rim, r->realm.meas_len);
                        json_string(&w, "rim", hex);
                }
                json_end_object(&w);
                (void)json_finish(&w);
                return;
        }
        if (!ok) {
                printf("FAILED %s: %s\n", cca_check_name(r->failed), r->why);
                return;
        }
        char hex[2 * CCA_MEAS_MAX + 1];
        hex_encode(hex, r->realm.rim, r->realm.meas_len);
        printf("platform signature  ok (%s, the --iak key)\n"
               "realm signature     ok (%s, the RAK the realm token carries)\n"
               "binding             ok (platform challenge = %s of the RAK claim)\n"
               "claims              ok (every claim of the right shape)\n"
               "challenge           %s\n"
               "reference value     %s\n"
               "RIM                 %s\n"
               "token verified\n",
               alg_name(r->platform_alg), alg_name(r->realm_alg), r->realm.rak_hash_algo,
               o->challenge_given ? "ok (the one given)" : "not checked (no --challenge)",
               o->nrims ? "ok (the RIM is a reference value)" : "not checked (no --rim or --reference-values)", hex);
}

static int token_verify(int argc, char **argv)
{
        static const struct option opts[] = {
                { "iak", required_argument, NULL, 'i' }, { "challenge", required_argument, NULL, 'c' },
                { "rim", required_argument, NULL, 'r' }, { "json", no_argument, NULL, 'j' },
                { "reference-values", required_argument, NULL, 'R' },
                { "help", no_argument, NULL, 'h' },      { 0 },
        };
        struct verify_opts *o = calloc(1, sizeof(*o));
        uint8_t *tok = malloc(CCA_TOKEN_MAX);
        struct cca_verify_result *r = malloc(sizeof(*r));
        struct ec_key *iak = NULL;
        size_t len = 0;
        int c, rc = CLI_FAIL;
        if (!o || !tok || !r)
                goto out;
        optind = 1;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1)
                if ((rc = verify_opt(o, c, optarg)) != CLI_OK) {
                        rc = rc < 0 ? CLI_OK : rc;
                        goto out;
                }
        rc = CLI_USAGE;
        if (optind != argc - 1 || !o->iak) {
                fprintf(stderr, "ccada token verify: give one token FILE and --iak PUB.pem (the platform key you trust)\n");
                goto out;
        }
        rc = CLI_FAIL;
        if (!read_token("token verify", argv[optind], tok, &len) || !load_iak(o->iak, &iak))
                goto out;
        struct cca_verify_opts vo = { .iak = iak, .challenge = o->challenge_given ? o->challenge : NULL,
                                      .challenge_len = CCA_CHALLENGE_LEN, .rims = o->rims,
                                      .nrims = o->nrims };
        bool ok = cca_verify(tok, len, &vo, r);
        verify_print(o, r, ok);
        rc = ok ? CLI_OK : CLI_FAIL;
out:
        ec_key_free(iak);
        free(o);
        free(tok);
        free(r);
        return rc;
}

/* ---- make ---- */

enum { T_CHALLENGE = 256, T_OUT, T_FORMAT, T_IAKOUT, T_FORCE };

struct make_opts {
        struct machine_opts m;
        const char *out, *iak_out;
        const char *format;             /* "raw", "hex", "b64url" */
        bool force;
};

static int make_opt(void *ctx, int c, const char *arg)
{
        struct make_opts *o = ctx;
        switch (c) {
        case T_CHALLENGE: return parse_challenge("token make", arg, o->m.cfg.challenge, &o->m.cfg.challenge_len);
        case 'o':
        case T_OUT: o->out = arg; return CLI_OK;
        case T_IAKOUT: o->iak_out = arg; return CLI_OK;
        case T_FORCE: o->force = true; return CLI_OK;
        case T_FORMAT:
                if (strcmp(arg, "raw") && strcmp(arg, "hex") && strcmp(arg, "b64url"))
                        return cli_bad_value("token make", "--format", arg, "must be raw, hex or b64url");
                o->format = arg;
                return CLI_OK;
        default: return cli_token_help(stderr), CLI_USAGE;
        }
}

/* True (said on stderr) when path exists and must be kept: no --force. */
static bool kept(const char *path, bool force)
{
        struct stat st;
        if (!path || force || stat(path, &st) != 0)
                return false;
        fprintf(stderr, "ccada token make: '%s' exists; it is kept (give --force to replace it)\n", path);
        return true;
}

/* Writes n bytes to path through a temporary file and a rename: all or nothing. */
static bool write_file(const char *path, const void *data, size_t n, bool force)
{
        char tmp[4096];
        if (kept(path, force))
                return false;
        int len = snprintf(tmp, sizeof(tmp), "%s.ccada-tmp", path);
        FILE *f = len > 0 && (size_t)len < sizeof(tmp) ? fopen(tmp, "wb") : NULL;
        bool ok = f && fwrite(data, 1, n, f) == n;
        ok = f && fclose(f) == 0 && ok;
        if (ok && rename(tmp, path) != 0)
                ok = false;
        if (!ok) {
                fprintf(stderr, "ccada token make: cannot write '%s': %s\n", path, strerror(errno));
                if (f)
                        (void)remove(tmp);
        }
        return ok;
}

/* The token in the format asked for: raw bytes, or a text line. */
static bool encode_out(const char *format, const uint8_t *tok, size_t len, char **out, size_t *n)
{
        if (!strcmp(format, "raw")) {
                *out = malloc(len);
                if (*out)
                        memcpy(*out, tok, len), *n = len;
                return *out != NULL;
        }
        size_t cap = !strcmp(format, "hex") ? 2 * len + 2 : b64url_len(len) + 1;
        *out = malloc(cap);
        if (!*out)
                return false;
        if (!strcmp(format, "hex"))
                hex_encode(*out, tok, len);
        else if (!b64url_encode(tok, len, *out, cap))
                return false;
        *n = strlen(*out);
        (*out)[(*n)++] = '\n';
        return true;
}

/* The attest workload's token from the report, into tok (CCA_TOKEN_MAX). */
static bool token_of(const struct ccada_report *rep, uint8_t *tok, size_t *len)
{
        struct ccada_report_value v, err;
        if (!ccada_report_get(rep, "attest", "token", &v) || v.type != CCADA_REPORT_HEX) {
                if (ccada_report_get(rep, "", "error", &err) && err.text && err.text[0])
                        fprintf(stderr, "ccada token make: the Realm got no token: %s\n", err.text);
                else
                        fprintf(stderr, "ccada token make: the Realm got no token (see its report: ccada run --workload attest)\n");
                return false;
        }
        return hex_decode(v.text, tok, CCA_TOKEN_MAX, len);
}

/* Runs the machine; on success *tok holds the token and, if asked, *pem the IAK's. */
static int make_run(struct make_opts *o, uint8_t *tok, size_t *len, char **pem)
{
        struct ccada_machine *m;
        struct ccada_report *rep = NULL;
        char err[256];
        ccada_status st = ccada_machine_create(&m, &o->m.cfg);
        if (st != CCADA_OK) {
                fprintf(stderr, "ccada token make: cannot build the machine: %s\n", ccada_status_text(st));
                return CLI_FAIL;
        }
        if (o->iak_out && ccada_machine_iak_public_pem(m, pem, err, sizeof(err)) != CCADA_OK) {
                fprintf(stderr, "ccada token make: %s\n", err);
                ccada_machine_destroy(m);
                return CLI_FAIL;
        }
        st = ccada_machine_run(m);
        if (ccada_report_create(&rep) == CCADA_OK)
                ccada_machine_report(m, st == CCADA_OK, rep);
        ccada_machine_destroy(m);
        bool ok = rep && st == CCADA_OK && token_of(rep, tok, len);
        if (st != CCADA_OK)
                fprintf(stderr, "ccada token make: the run failed: %s\n", ccada_status_text(st));
        ccada_report_destroy(rep);
        return ok ? CLI_OK : CLI_FAIL;
}

static int token_make(int argc, char **argv)
{
        static const struct option own[] = {
                { "challenge", required_argument, NULL, T_CHALLENGE }, { "output", required_argument, NULL, T_OUT },
                { "format", required_argument, NULL, T_FORMAT },       { "iak-pub-out", required_argument, NULL, T_IAKOUT },
                { "force", no_argument, NULL, T_FORCE },               { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        struct make_opts *o = calloc(1, sizeof(*o));
        uint8_t *tok = malloc(CCA_TOKEN_MAX);
        char *pem = NULL, *text = NULL;
        size_t len = 0, n = 0;
        int rc = CLI_FAIL;
        if (!o || !tok)
                goto out;
        machine_opts_init(&o->m, "token make");
        o->format = "raw";
        /* -o FILE: getopt_long with the shared table has no short options; accept it here. */
        for (int i = 1; i + 1 < argc; i++)
                if (!strcmp(argv[i], "-o"))
                        argv[i] = "--output";
        rc = machine_opts_parse(&o->m, argc, argv, own, make_opt, o, cli_token_help, 0);
        if (rc) {
                rc = rc < 0 ? CLI_OK : rc;
                goto out;
        }
        rc = CLI_USAGE;
        if (!strcmp(o->format, "raw") && !o->out && isatty(STDOUT_FILENO)) {
                fprintf(stderr, "ccada token make: the token is binary CBOR and stdout is a terminal: give -o FILE or "
                                "--format hex|b64url\n");
                goto out;
        }
        rc = CLI_FAIL;
        if (kept(o->out, o->force) || kept(o->iak_out, o->force)) /* before running, not after */
                goto out;
        o->m.cfg.workload = "attest";
        o->m.cfg.console = NULL;
        if ((rc = make_run(o, tok, &len, o->iak_out ? &pem : NULL)) != CLI_OK)
                goto out;
        rc = CLI_FAIL;
        if (!encode_out(o->format, tok, len, &text, &n))
                goto out;
        if (o->iak_out && !write_file(o->iak_out, pem, strlen(pem), o->force))
                goto out;
        if (o->out ? !write_file(o->out, text, n, o->force) : fwrite(text, 1, n, stdout) != n || fflush(stdout) != 0)
                goto out;
        rc = CLI_OK;
out:
        free(o);
        free(tok);
        free(pem);
        free(text);
        return rc;
}

int cli_token(int argc, char **argv)
{
        if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
                cli_token_help(argc < 2 ? stderr : stdout);
                return argc < 2 ? CLI_USAGE : CLI_OK;
        }
        if (!strcmp(argv[1], "make"))
                return token_make(argc - 1, argv + 1);
        if (!strcmp(argv[1], "dump"))
                return token_dump(argc - 1, argv + 1);
        if (!strcmp(argv[1], "verify"))
                return token_verify(argc - 1, argv + 1);
        fprintf(stderr, "ccada token: unknown action '%s' (make, dump or verify)\n", argv[1]);
        cli_token_help(stderr);
        return CLI_USAGE;
}

/* ---- measure ---- */

void cli_measure_help(FILE *f)
{
        fputs("usage: ccada measure [--json] [machine options]\n"
              "\n"
              "Prints the Realm Initial Measurement (RIM, hex) the Realm of these options gets,\n"
              "without running it: the host builds the Realm through RMI as a run would, and\n"
              "the RMM's measurement is read. The same as the RIM the running Realm reports and\n"
              "its attestation token carries: what a verifier's reference values list.\n"
              "\n"
              "options:\n"
              "  --workload NAME    the Realm's program, part of what is measured (default demo;\n"
              "                     ccada token make runs attest)\n"
              "  --json             {\"rim\": HEX, \"hash\": ALG}\n",
              f);
        machine_opts_help(f);
        fputs("  -h, --help         show this help\n", f);
}

struct measure_opts {
        struct machine_opts m;
        bool json;
};

static int measure_opt(void *ctx, int c, const char *arg)
{
        struct measure_opts *o = ctx;
        if (c == 'w')
                return cli_set_workload(&o->m, arg);
        if (c != 'j')
                return cli_measure_help(stderr), CLI_USAGE;
        o->json = true;
        return CLI_OK;
}

int cli_measure(int argc, char **argv)
{
        static const struct option own[] = { { "json", no_argument, NULL, 'j' },
                                             { "workload", required_argument, NULL, 'w' },
                                             { "help", no_argument, NULL, 'h' }, { 0 } };
        struct measure_opts *o = calloc(1, sizeof(*o));
        int rc = CLI_FAIL;
        if (!o)
                return CLI_FAIL;
        struct machine_opts *m = &o->m;
        machine_opts_init(m, "measure");
        rc = machine_opts_parse(m, argc, argv, own, measure_opt, o, cli_measure_help, 0);
        if (rc) {
                free(o);
                return rc < 0 ? CLI_OK : rc;
        }
        struct ccada_machine *mach;
        uint8_t rim[64];
        size_t len = 0;
        ccada_status st = ccada_machine_create(&mach, &m->cfg);
        if (st == CCADA_OK) {
                st = ccada_machine_measure(mach, rim, &len);
                ccada_machine_destroy(mach);
        }
        if (st != CCADA_OK) {
                fprintf(stderr, "ccada measure: %s\n",
                        st == CCADA_E_STATE && m->cfg.normal_vm ? "a normal VM has no RIM" : ccada_status_text(st));
                free(o);
                return CLI_FAIL;
        }
        char hex[129];
        hex_encode(hex, rim, len);
        if (o->json)
                printf("{\"rim\": \"%s\", \"hash\": \"%s\"}\n", hex, len == 64 ? "sha-512" : "sha-256");
        else
                printf("%s\n", hex);
        free(o);
        return CLI_OK;
}
