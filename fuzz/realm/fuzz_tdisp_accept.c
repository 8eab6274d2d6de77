/* The Realm's verify-and-accept decision (src/realm/tdisp_accept.c) under hostile bytes: the
 * policy file a user edits and the evidence a host hands over.
 *
 * Input: byte 0 even: the rest is a policy file for tdisp_policy_parse. Byte 0 odd: byte 1
 * flags (bit 0 honest digests: the harness hashes the objects itself, as an RMM that cached
 * the same bytes would, so the chain, record and report parsers are reached; bit 1 debug
 * allowed; bits 3:2 the VDEV state; bits 5:4 the hash algorithm, 3 unknown; bit 6 a policy
 * firmware digest of 48 bytes 0xAA), byte 2 min and byte 3 max MMIO ranges (mod 17), then
 * five objects, each a u16 LE length and its bytes: VCA, certificate chain, measurement
 * record, interface report, trust anchor (cut short at the input's end). Whatever the input:
 * no read out of bounds, no leak, and the result is consistent with the verdict. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ccada/rsi.h"
#include "lib/crypto.h"
#include "lib/ec.h"
#include "lib/x509_chain.h"
#include "realm/tdisp_accept.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_policy(const uint8_t *data, size_t size)
{
        struct tdisp_policy p;
        char why[TDISP_ACCEPT_WHY_LEN];
        memset(why, 'x', sizeof(why));
        if (tdisp_policy_parse((const char *)data, size, &p, why)) {
                if (p.min_mmio_ranges > p.max_mmio_ranges || p.max_mmio_ranges > TDISP_ACCEPT_MAX_RANGES ||
                    p.fw_index < 1 || p.fw_index > 0xFE || p.fw_digest_len > TDISP_POLICY_DIGEST_MAX ||
                    p.have_fw_digest != (p.fw_digest_len > 0) || why[0] != 0)
                        abort();
        } else if (!memchr(why, 0, sizeof(why)) || why[0] == 0) {
                abort();
        }
}

/* The next u16-prefixed object of [*p, end), cut at end. */
static const uint8_t *take(const uint8_t **p, const uint8_t *end, size_t *len)
{
        size_t left = (size_t)(end - *p), n = 0;
        if (left >= 2) {
                n = (size_t)(*p)[0] | (size_t)(*p)[1] << 8;
                *p += 2;
                left -= 2;
        } else {
                *p = end;
                left = 0;
        }
        if (n > left)
                n = left;
        const uint8_t *obj = *p;
        *p += n;
        *len = n;
        return obj;
}

static enum hash_alg alg_of(uint8_t rsi)
{
        return rsi == RSI_HASH_SHA_256 ? HASH_SHA256 : rsi == RSI_HASH_SHA_512 ? HASH_SHA512 : HASH_SHA384;
}

/* Digests as an honest RMM that cached these bytes would give them. */
static void honest_digests(struct rsi_vdev_info *info, const struct tdisp_evidence *ev)
{
        enum hash_alg h = alg_of(info->hash_algo);
        struct ec_key *key = NULL;
        uint8_t point[EC_POINT_MAX];
        size_t point_len = 0;
        char why[X509_CHAIN_WHY_LEN];
        if (!hash_once(h, ev->vca, ev->vca_len, info->vca_digest) ||
            !hash_once(h, ev->certs, ev->certs_len, info->cert_digest) ||
            !hash_once(h, ev->meas, ev->meas_len, info->meas_digest) ||
            !hash_once(h, ev->report, ev->report_len, info->report_digest))
                abort();
        if (x509_chain_leaf_key(ev->certs, ev->certs_len, &key, NULL, 0, why)) {
                if (!ec_key_point(key, point, sizeof(point), &point_len) ||
                    !hash_once(h, point, point_len, info->pubkey_digest))
                        abort();
                ec_key_free(key);
        }
}

static void check_result(enum tdisp_verdict v, const struct tdisp_policy *pol, const struct tdisp_accept_result *r,
                         const char *why)
{
        if (!memchr(why, 0, TDISP_ACCEPT_WHY_LEN) || (v == TDISP_VERDICT_ACCEPT) != (why[0] == 0))
                abort();
        if (v > TDISP_VERDICT_REPORT || r->fw_digest_len > TDISP_POLICY_DIGEST_MAX ||
            r->range_count > TDISP_ACCEPT_MAX_RANGES || !memchr(r->leaf_subject, 0, sizeof(r->leaf_subject)))
                abort();
        if (v == TDISP_VERDICT_ACCEPT) {
                if (r->range_count < pol->min_mmio_ranges || r->range_count > pol->max_mmio_ranges ||
                    (!pol->debug_allowed && (!r->mode_found || r->debug)))
                        abort();
                if (pol->have_fw_digest && (!r->fw_found || r->fw_digest_len != pol->fw_digest_len ||
                                            memcmp(r->fw_digest, pol->fw_digest, pol->fw_digest_len) != 0))
                        abort();
        } else if (r->range_count != 0) {
                abort();
        }
}

static void fuzz_accept(const uint8_t *data, size_t size)
{
        const uint8_t *p = data, *end = data + size;
        uint8_t flags = size > 0 ? data[0] : 0, lo = size > 1 ? data[1] : 0, hi = size > 2 ? data[2] : 0;
        struct rsi_vdev_info info;
        struct tdisp_evidence ev;
        struct tdisp_policy pol;
        struct tdisp_accept_result res;
        const uint8_t *anchor;
        size_t anchor_len;
        char why[TDISP_ACCEPT_WHY_LEN];
        p += size < 3 ? size : 3;
        ev.vca = take(&p, end, &ev.vca_len);
        ev.certs = take(&p, end, &ev.certs_len);
        ev.meas = take(&p, end, &ev.meas_len);
        ev.report = take(&p, end, &ev.report_len);
        anchor = take(&p, end, &anchor_len);
        memset(&info, 0, sizeof(info));
        info.state = (uint8_t)(flags >> 2 & 3);
        info.hash_algo = (uint8_t)(flags >> 4 & 3);
        info.format_type = RSI_VDEV_REPORT_FORMAT_TDISP;
        if (flags & 1)
                honest_digests(&info, &ev);
        tdisp_policy_default(&pol);
        pol.debug_allowed = flags & 2;
        pol.min_mmio_ranges = lo % 17u;
        pol.max_mmio_ranges = hi % 17u;
        if (flags & 0x40) {
                pol.have_fw_digest = true;
                pol.fw_digest_len = 48;
                memset(pol.fw_digest, 0xAA, 48);
        }
        memset(why, 'x', sizeof(why));
        enum tdisp_verdict v = tdisp_accept_check(&info, &ev, anchor, anchor_len, 1796169600, &pol, &res, why);
        check_result(v, &pol, &res, why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        /* a copy of exactly size bytes, so a read past the end is caught by ASan */
        uint8_t *copy = malloc(size ? size : 1);
        if (!copy)
                abort();
        if (size)
                memcpy(copy, data, size);
        if (size && (copy[0] & 1))
                fuzz_accept(copy + 1, size - 1);
        else
                fuzz_policy(size ? copy + 1 : copy, size ? size - 1 : 0);
        free(copy);
        return 0;
}
