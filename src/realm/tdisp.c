/* The Realm's TDISP driver, first half: evidence fetched and checked against the RMM's
 * digests (see tdisp.h). */
#include "realm/tdisp.h"

#include <string.h>

#include "ccada/rsi.h"
#include "lib/bytes.h"
#include "lib/crypto.h"
#include "proto/hostcall.h"
#include "realm/kernel.h"

const char *rk_dev_obj_name(int obj)
{
        static const char *const names[] = { "VCA", "certificate chain", "measurements", "interface report" };
        return obj >= 0 && obj < RK_DEV_NOBJ ? names[obj] : "?";
}

static bool info_hash(uint8_t algo, enum hash_alg *h)
{
        switch (algo) {
        case RSI_HASH_SHA_256: *h = HASH_SHA256; return true;
        case RSI_HASH_SHA_384: *h = HASH_SHA384; return true;
        case RSI_HASH_SHA_512: *h = HASH_SHA512; return true;
        default: return false;
        }
}

/* One object: page by page through a shared buffer, copied into private memory as it comes;
 * the host's word for the length is believed only up to HOSTCALL_DEV_OBJECT_TOTAL_MAX and
 * must not change between pieces. */
static ccada_status fetch(struct realm_kernel *k, uint64_t vdev_id, unsigned obj, uint64_t shared, uint8_t **out,
                          size_t *out_len)
{
        uint8_t piece[HOSTCALL_DEV_OBJECT_MAX];
        uint8_t *buf = NULL;
        size_t have = 0, total = 0;
        *out = NULL;
        *out_len = 0;
        do {
                uint64_t g[31] = { vdev_id, obj, have, shared | rk_shared_bit(k), HOSTCALL_DEV_OBJECT_MAX };
                ccada_status st = rk_host_call(k, HOSTCALL_DEV_OBJECT, g);
                if (st != CCADA_OK) {
                        rk_kfree(k, buf);
                        return st;
                }
                uint64_t whole = g[0], n = g[1];
                if (!buf) {
                        /* none (the RMM has its digest: the host withholds it) or too much */
                        if (whole == 0 || whole > HOSTCALL_DEV_OBJECT_TOTAL_MAX)
                                return CCADA_E_PEER;
                        total = (size_t)whole;
                        if (!(buf = rk_zalloc(k, total, 1)))
                                return CCADA_E_NOMEM;
                }
                if (whole != total || n == 0 || n > HOSTCALL_DEV_OBJECT_MAX || n > total - have ||
                    (st = rk_shared_read(k, shared | rk_shared_bit(k), piece, (size_t)n)) != CCADA_OK) {
                        rk_kfree(k, buf);
                        return st != CCADA_OK ? st : CCADA_E_PEER;
                }
                memcpy(buf + have, piece, (size_t)n);   /* copied in once, never re-read */
                have += (size_t)n;
        } while (have < total);
        *out = buf;
        *out_len = total;
        return CCADA_OK;
}

ccada_status rk_vdev_evidence_get(struct realm_kernel *k, uint64_t vdev_id, struct rk_vdev_evidence *ev)
{
        enum hash_alg h;
        uint64_t page;
        memset(ev, 0, sizeof(*ev));
        ev->bad = -1;
        ccada_status st = rk_vdev_get_info(k, vdev_id, &ev->info);
        if (st != CCADA_OK)
                return st;
        if (!info_hash(ev->info.hash_algo, &h))
                return CCADA_E_RMM;
        if ((st = rk_alloc_pages(k, 1, &page)) != CCADA_OK)
                return st;
        if ((st = rk_set_memory_decrypted(k, page, 1)) != CCADA_OK)
                return st;      /* the page's state is unknown: leaked, as the kernel does */
        const uint8_t *digest[RK_DEV_NOBJ] = { ev->info.vca_digest, ev->info.cert_digest, ev->info.meas_digest,
                                               ev->info.report_digest };
        for (unsigned i = 0; i < RK_DEV_NOBJ && st == CCADA_OK; i++) {
                uint8_t d[HASH_MAX_LEN];
                st = fetch(k, vdev_id, i, page, &ev->obj[i], &ev->len[i]);
                if (st == CCADA_OK && !hash_once(h, ev->obj[i], ev->len[i], d))
                        st = CCADA_E_NOMEM;
                if (st == CCADA_OK && memcmp(d, digest[i], hash_len(h)) != 0 && ev->bad < 0)
                        ev->bad = (int)i;
        }
        if (rk_set_memory_encrypted(k, page, 1) == CCADA_OK)
                rk_free_pages(k, page, 1);
        if (st != CCADA_OK) {
                rk_vdev_evidence_free(k, ev);
                return st;
        }
        return ev->bad < 0 ? CCADA_OK : CCADA_E_VERIFY;
}

void rk_vdev_evidence_free(struct realm_kernel *k, struct rk_vdev_evidence *ev)
{
        for (unsigned i = 0; i < RK_DEV_NOBJ; i++) {
                rk_kfree(k, ev->obj[i]);
                ev->obj[i] = NULL;
                ev->len[i] = 0;
        }
}
