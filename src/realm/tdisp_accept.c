/* The Realm's verify-and-accept decision for an assigned TDISP device: see tdisp_accept.h. */
#include "realm/tdisp_accept.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccada/parse.h"
#include "ccada/rsi.h"
#include "lib/crypto.h"
#include "lib/ec.h"
#include "proto/spdm.h"

static bool fail(char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool fail(char *why, const char *fmt, ...)
{
        if (why) {
                va_list ap;
                va_start(ap, fmt);
                vsnprintf(why, TDISP_ACCEPT_WHY_LEN, fmt, ap);
                va_end(ap);
        }
        return false;
}

const char *tdisp_verdict_name(enum tdisp_verdict v)
{
        static const char *const names[] = {
                [TDISP_VERDICT_ACCEPT] = "ACCEPT",
                [TDISP_VERDICT_INFO] = "INFO",
                [TDISP_VERDICT_STATE] = "STATE",
                [TDISP_VERDICT_VCA_DIGEST] = "VCA_DIGEST",
                [TDISP_VERDICT_CERT_DIGEST] = "CERT_DIGEST",
                [TDISP_VERDICT_CHAIN] = "CHAIN",
                [TDISP_VERDICT_PUBKEY_DIGEST] = "PUBKEY_DIGEST",
                [TDISP_VERDICT_MEAS_DIGEST] = "MEAS_DIGEST",
                [TDISP_VERDICT_MEAS_MALFORMED] = "MEAS_MALFORMED",
                [TDISP_VERDICT_FIRMWARE] = "FIRMWARE",
                [TDISP_VERDICT_DEBUG] = "DEBUG",
                [TDISP_VERDICT_REPORT_DIGEST] = "REPORT_DIGEST",
                [TDISP_VERDICT_REPORT] = "REPORT",
        };
        if ((unsigned)v >= sizeof(names) / sizeof(names[0]) || !names[v])
                return "?";
        return names[v];
}

void tdisp_policy_default(struct tdisp_policy *p)
{
        memset(p, 0, sizeof(*p));
        p->fw_index = 2;
        p->min_mmio_ranges = 1;
        p->max_mmio_ranges = TDISP_ACCEPT_MAX_RANGES;
}

/* ---- the policy file ---- */

enum policy_key { KEY_FW_DIGEST, KEY_FW_INDEX, KEY_DEBUG, KEY_MIN_RANGES, KEY_MAX_RANGES, KEY_COUNT };

static const char *const key_names[KEY_COUNT] = {
        [KEY_FW_DIGEST] = "firmware_digest", [KEY_FW_INDEX] = "firmware_index", [KEY_DEBUG] = "debug",
        [KEY_MIN_RANGES] = "min_mmio_ranges", [KEY_MAX_RANGES] = "max_mmio_ranges",
};

static bool blank(char c)
{
        return c == ' ' || c == '\t' || c == '\r';
}

/* [*s, *e) without the blanks around it. */
static void trim(const char **s, const char **e)
{
        while (*s < *e && blank(**s))
                (*s)++;
        while (*e > *s && blank((*e)[-1]))
                (*e)--;
}

static int hex_digit(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

static bool parse_hex(const char *v, size_t n, struct tdisp_policy *p, unsigned line, char *why)
{
        if (n < 2 || n > 2 * TDISP_POLICY_DIGEST_MAX || n % 2)
                return fail(why, "line %u: firmware_digest: %zu hex digits (an even number from 2 to %u)", line, n,
                            2 * TDISP_POLICY_DIGEST_MAX);
        for (size_t i = 0; i < n; i += 2) {
                int hi = hex_digit(v[i]), lo = hex_digit(v[i + 1]);
                if (hi < 0 || lo < 0)
                        return fail(why, "line %u: firmware_digest: '%c' is not a hex digit", line,
                                    hi < 0 ? v[i] : v[i + 1]);
                p->fw_digest[i / 2] = (uint8_t)(hi << 4 | lo);
        }
        p->fw_digest_len = n / 2;
        p->have_fw_digest = true;
        return true;
}

static bool parse_uint(const char *v, size_t n, uint64_t lo, uint64_t hi, unsigned *out, enum policy_key k,
                       unsigned line, char *why)
{
        uint64_t x = 0;
        enum ccada_number_error e = ccada_parse_u64(v, n, &x);
        if (e != CCADA_NUMBER_OK)
                return fail(why, "line %u: %s: %s", line, key_names[k], ccada_number_error_text(e));
        if (x < lo || x > hi)
                return fail(why, "line %u: %s: %llu is outside %llu..%llu", line, key_names[k], (unsigned long long)x,
                            (unsigned long long)lo, (unsigned long long)hi);
        *out = (unsigned)x;
        return true;
}

static bool set_value(struct tdisp_policy *p, enum policy_key k, const char *v, size_t n, unsigned line, char *why)
{
        switch (k) {
        case KEY_FW_DIGEST:
                return parse_hex(v, n, p, line, why);
        case KEY_FW_INDEX:
                return parse_uint(v, n, 1, 0xFE, &p->fw_index, k, line, why);
        case KEY_DEBUG:
                if (n == 2 && !memcmp(v, "on", 2))
                        p->debug_allowed = true;
                else if (n == 3 && !memcmp(v, "off", 3))
                        p->debug_allowed = false;
                else
                        return fail(why, "line %u: debug: \"%.*s\" is neither on nor off", line, (int)(n > 32 ? 32 : n),
                                    v);
                return true;
        case KEY_MIN_RANGES:
                return parse_uint(v, n, 0, TDISP_ACCEPT_MAX_RANGES, &p->min_mmio_ranges, k, line, why);
        case KEY_MAX_RANGES:
                return parse_uint(v, n, 0, TDISP_ACCEPT_MAX_RANGES, &p->max_mmio_ranges, k, line, why);
        case KEY_COUNT:
                break;
        }
        return fail(why, "line %u: no such key", line);
}

/* One line [s, e) (no newline). seen[k] is the line a key was set on (0: not yet). */
static bool parse_line(const char *s, const char *e, unsigned line, unsigned seen[KEY_COUNT], struct tdisp_policy *p,
                       char *why)
{
        const char *hash = memchr(s, '#', (size_t)(e - s));
        if (hash)
                e = hash;
        trim(&s, &e);
        if (s == e)
                return true;
        const char *eq = memchr(s, '=', (size_t)(e - s));
        if (!eq)
                return fail(why, "line %u: no '=' after the key", line);
        const char *ks = s, *ke = eq, *vs = eq + 1, *ve = e;
        trim(&ks, &ke);
        trim(&vs, &ve);
        size_t kn = (size_t)(ke - ks), vn = (size_t)(ve - vs);
        if (!kn)
                return fail(why, "line %u: no key before '='", line);
        enum policy_key k = KEY_COUNT;
        for (unsigned i = 0; i < KEY_COUNT; i++)
                if (strlen(key_names[i]) == kn && !memcmp(key_names[i], ks, kn))
                        k = (enum policy_key)i;
        if (k == KEY_COUNT)
                return fail(why, "line %u: unknown key \"%.*s\"", line, (int)(kn > 32 ? 32 : kn), ks);
        if (seen[k])
                return fail(why, "line %u: %s given twice (first on line %u)", line, key_names[k], seen[k]);
        if (!vn)
                return fail(why, "line %u: %s has no value", line, key_names[k]);
        seen[k] = line;
        return set_value(p, k, vs, vn, line, why);
}

bool tdisp_policy_parse(const char *text, size_t len, struct tdisp_policy *out, char *why)
{
        struct tdisp_policy p;
        unsigned seen[KEY_COUNT] = { 0 };
        tdisp_policy_default(out);
        tdisp_policy_default(&p);
        if (why)
                why[0] = '\0';
        if (len > TDISP_POLICY_TEXT_MAX)
                return fail(why, "the policy is %zu bytes (at most %u)", len, TDISP_POLICY_TEXT_MAX);
        if (len && !text)
                return fail(why, "no policy text");
        unsigned line = 1;
        for (size_t off = 0; off < len; line++) {
                const char *s = text + off;
                const char *nl = memchr(s, '\n', len - off);
                const char *e = nl ? nl : text + len;
                if (memchr(s, '\0', (size_t)(e - s)))
                        return fail(why, "line %u: a NUL byte", line);
                if (!parse_line(s, e, line, seen, &p, why))
                        return false;
                off = (size_t)(e - text) + (nl ? 1u : 0u);
        }
        if (p.min_mmio_ranges > p.max_mmio_ranges)
                return fail(why, "min_mmio_ranges %u above max_mmio_ranges %u (lines %u, %u)", p.min_mmio_ranges,
                            p.max_mmio_ranges, seen[KEY_MIN_RANGES], seen[KEY_MAX_RANGES]);
        *out = p;
        return true;
}

/* ---- the decision ---- */

/* The Realm's private copies of the host's objects. */
struct copies {
        uint8_t *obj[4];
        size_t len[4];
};
enum { OBJ_VCA, OBJ_CERTS, OBJ_MEAS, OBJ_REPORT };

static const char *const obj_names[4] = { "VCA", "certificate chain", "measurement record", "interface report" };

static void copies_free(struct copies *c)
{
        for (unsigned i = 0; i < 4; i++)
                free(c->obj[i]);
}

static bool hash_of(uint8_t algo, enum hash_alg *out)
{
        switch (algo) {
        case RSI_HASH_SHA_256:
                *out = HASH_SHA256;
                return true;
        case RSI_HASH_SHA_384:
                *out = HASH_SHA384;
                return true;
        case RSI_HASH_SHA_512:
                *out = HASH_SHA512;
                return true;
        default:
                return false;
        }
}

/* Copies object i in once (so what is hashed is what is parsed) and checks its digest. */
static bool take_and_hash(struct copies *c, unsigned i, const uint8_t *src, size_t len, enum hash_alg h,
                          const uint8_t *expect, char *why)
{
        uint8_t d[HASH_MAX_LEN];
        if (len > TDISP_EVIDENCE_MAX)
                return fail(why, "the %s is %zu bytes (at most %u)", obj_names[i], len, TDISP_EVIDENCE_MAX);
        if (len && !src)
                return fail(why, "the %s is missing", obj_names[i]);
        c->obj[i] = malloc(len ? len : 1);
        if (!c->obj[i])
                return fail(why, "no memory for the %s", obj_names[i]);
        if (len)
                memcpy(c->obj[i], src, len);
        c->len[i] = len;
        if (!hash_once(h, c->obj[i], len, d))
                return fail(why, "hashing the %s failed", obj_names[i]);
        if (memcmp(d, expect, hash_len(h)) != 0)
                return fail(why, "the %s does not match its %s digest from RSI_VDEV_GET_INFO", obj_names[i],
                            hash_alg_name(h));
        return true;
}

static enum tdisp_verdict check_info(const struct rsi_vdev_info *info, enum hash_alg *h, char *why)
{
        if (!hash_of(info->hash_algo, h))
                return fail(why, "RsiVdevInfo: unknown hash algorithm %u", info->hash_algo), TDISP_VERDICT_INFO;
        if (info->format_type != RSI_VDEV_REPORT_FORMAT_TDISP)
                return fail(why, "RsiVdevInfo: report format %u is not TDISP", info->format_type), TDISP_VERDICT_INFO;
        if (info->state != RSI_VDEV_STATE_LOCKED && info->state != RSI_VDEV_STATE_STARTED)
                return fail(why, "the VDEV is in state %u, not LOCKED or STARTED", info->state), TDISP_VERDICT_STATE;
        return TDISP_VERDICT_ACCEPT;
}

/* The chain against the anchor, then the leaf's key against the key the RMM was given. */
static enum tdisp_verdict check_chain(const struct copies *c, const struct rsi_vdev_info *info, enum hash_alg h,
                                      const uint8_t *anchor, size_t anchor_len, time_t now,
                                      struct tdisp_accept_result *out, char *why)
{
        struct x509_chain_result r;
        char xwhy[X509_CHAIN_WHY_LEN] = "";
        uint8_t point[EC_POINT_MAX], d[HASH_MAX_LEN];
        size_t point_len = 0;
        if (!x509_chain_verify(c->obj[OBJ_CERTS], c->len[OBJ_CERTS], anchor, anchor_len, now, &r, xwhy))
                return fail(why, "certificate chain: %s", xwhy), TDISP_VERDICT_CHAIN;
        memcpy(out->leaf_subject, r.leaf_subject, sizeof(out->leaf_subject));
        bool ok = ec_key_point(r.leaf_key, point, sizeof(point), &point_len) && hash_once(h, point, point_len, d);
        x509_chain_result_clear(&r);
        if (!ok)
                return fail(why, "the leaf's public key could not be encoded"), TDISP_VERDICT_PUBKEY_DIGEST;
        if (memcmp(d, info->pubkey_digest, hash_len(h)) != 0)
                return fail(why, "the leaf's public key is not the one the RMM verifies the device with"),
                       TDISP_VERDICT_PUBKEY_DIGEST;
        return TDISP_VERDICT_ACCEPT;
}

/* Walks the record (blocks until it is exactly consumed: the cached object has no
 * NumberOfBlocks), taking the firmware digest and the device mode. */
static bool walk_meas(const struct copies *c, const struct tdisp_policy *pol, struct tdisp_accept_result *out,
                      char *why)
{
        struct spdm_meas_iter it;
        struct spdm_meas_block b;
        bool seen[256] = { false };
        char swhy[160] = "";
        if (!c->len[OBJ_MEAS])
                return fail(why, "the measurement record is empty");
        spdm_meas_iter_init(&it, c->obj[OBJ_MEAS], c->len[OBJ_MEAS], ~0u);
        while (it.off < it.len) {
                if (spdm_meas_next(&it, &b, swhy) != SPDM_ITER_ITEM)
                        return fail(why, "measurement record: %s", swhy);
                if (seen[b.index])
                        return fail(why, "measurement record: index %u appears twice", b.index);
                seen[b.index] = true;
                if (b.index == pol->fw_index && !b.raw && b.value_size <= TDISP_POLICY_DIGEST_MAX) {
                        out->fw_found = true;
                        out->fw_digest_len = b.value_size;
                        if (b.value_size)
                                memcpy(out->fw_digest, b.value, b.value_size);
                }
                if (b.index == SPDM_MEAS_INDEX_DEVICE_MODE) {
                        if (!b.raw || b.value_type != SPDM_MEAS_TYPE_DEVICE_MODE || b.value_size != 16)
                                return fail(why, "measurement record: the device mode block is not 16 raw bytes");
                        uint32_t state = (uint32_t)b.value[12] | (uint32_t)b.value[13] << 8 |
                                         (uint32_t)b.value[14] << 16 | (uint32_t)b.value[15] << 24;
                        out->mode_found = true;
                        out->debug = (state & TDISP_DEVICE_MODE_INVASIVE_DEBUG) != 0;
                }
        }
        return true;
}

static enum tdisp_verdict check_meas(const struct copies *c, const struct tdisp_policy *pol,
                                     struct tdisp_accept_result *out, char *why)
{
        if (!walk_meas(c, pol, out, why)) {
                out->fw_found = out->mode_found = out->debug = false; /* nothing of a malformed record */
                out->fw_digest_len = 0;
                memset(out->fw_digest, 0, sizeof(out->fw_digest));
                return TDISP_VERDICT_MEAS_MALFORMED;
        }
        if (pol->have_fw_digest) {
                if (!out->fw_found)
                        return fail(why, "no firmware digest at measurement index %u", pol->fw_index),
                               TDISP_VERDICT_FIRMWARE;
                if (out->fw_digest_len != pol->fw_digest_len ||
                    memcmp(out->fw_digest, pol->fw_digest, pol->fw_digest_len) != 0)
                        return fail(why, "the firmware digest at index %u is not the policy's", pol->fw_index),
                               TDISP_VERDICT_FIRMWARE;
        }
        if (!pol->debug_allowed) {
                if (!out->mode_found)
                        return fail(why, "no device mode measurement: debug mode cannot be ruled out"),
                               TDISP_VERDICT_DEBUG;
                if (out->debug)
                        return fail(why, "the device is in invasive debug mode"), TDISP_VERDICT_DEBUG;
        }
        return TDISP_VERDICT_ACCEPT;
}

static enum tdisp_verdict check_report(const struct copies *c, const struct tdisp_policy *pol,
                                       struct tdisp_accept_result *out, char *why)
{
        struct tdi_report r;
        struct tdi_mmio_range ranges[TDISP_ACCEPT_MAX_RANGES];
        struct tdi_report_policy rp = { .lock_flags = pol->lock_flags,
                                        .mmio_reporting_offset = pol->mmio_reporting_offset };
        char twhy[160] = "";
        if (!tdi_report_decode(c->obj[OBJ_REPORT], c->len[OBJ_REPORT], &r, ranges, TDISP_ACCEPT_MAX_RANGES, twhy))
                return fail(why, "interface report: %s", twhy), TDISP_VERDICT_REPORT;
        if (!tdi_report_check(&r, &rp, twhy))
                return fail(why, "interface report: %s", twhy), TDISP_VERDICT_REPORT;
        if (r.range_count < pol->min_mmio_ranges || r.range_count > pol->max_mmio_ranges)
                return fail(why, "interface report: %u MMIO ranges, the policy wants %u..%u", r.range_count,
                            pol->min_mmio_ranges, pol->max_mmio_ranges),
                       TDISP_VERDICT_REPORT;
        out->interface_info = r.interface_info;
        out->range_count = r.range_count;
        memcpy(out->ranges, ranges, sizeof(ranges[0]) * r.range_count);
        return TDISP_VERDICT_ACCEPT;
}

static enum tdisp_verdict check(struct copies *c, const struct rsi_vdev_info *info, const struct tdisp_evidence *ev,
                                const uint8_t *anchor, size_t anchor_len, time_t now, const struct tdisp_policy *pol,
                                struct tdisp_accept_result *out, char *why)
{
        enum hash_alg h = HASH_SHA256;
        enum tdisp_verdict v = check_info(info, &h, why);
        if (v != TDISP_VERDICT_ACCEPT)
                return v;
        if (!take_and_hash(c, OBJ_VCA, ev->vca, ev->vca_len, h, info->vca_digest, why))
                return TDISP_VERDICT_VCA_DIGEST;
        if (!take_and_hash(c, OBJ_CERTS, ev->certs, ev->certs_len, h, info->cert_digest, why))
                return TDISP_VERDICT_CERT_DIGEST;
        v = check_chain(c, info, h, anchor, anchor_len, now, out, why);
        if (v != TDISP_VERDICT_ACCEPT)
                return v;
        if (!take_and_hash(c, OBJ_MEAS, ev->meas, ev->meas_len, h, info->meas_digest, why))
                return TDISP_VERDICT_MEAS_DIGEST;
        v = check_meas(c, pol, out, why);
        if (v != TDISP_VERDICT_ACCEPT)
                return v;
        if (!take_and_hash(c, OBJ_REPORT, ev->report, ev->report_len, h, info->report_digest, why))
                return TDISP_VERDICT_REPORT_DIGEST;
        return check_report(c, pol, out, why);
}

enum tdisp_verdict tdisp_accept_check(const struct rsi_vdev_info *info, const struct tdisp_evidence *ev,
                                      const uint8_t *anchor_der, size_t anchor_len, time_t now,
                                      const struct tdisp_policy *pol, struct tdisp_accept_result *out, char *why)
{
        struct copies c = { 0 };
        memset(out, 0, sizeof(*out));
        if (why)
                why[0] = '\0';
        enum tdisp_verdict v = check(&c, info, ev, anchor_der, anchor_len, now, pol, out, why);
        copies_free(&c);
        return v;
}
