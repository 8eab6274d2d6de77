/* The Realm's TDISP driver: evidence fetched and checked against the RMM's digests, then the
 * accepted device's MMIO validated, started and given DMA (see tdisp.h). */
#include "realm/tdisp.h"

#include <string.h>

#include "ccada/rsi.h"
#include "lib/bytes.h"
#include "lib/crypto.h"
#include "proto/hostcall.h"
#include "proto/tdisp.h"
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

/* The IPA where the host says it mapped the range at pa (untrusted: validated next). */
static ccada_status host_mmio(struct realm_kernel *k, uint64_t vdev_id, uint64_t pa, uint64_t size, uint64_t *ipa)
{
        uint64_t g[31] = { vdev_id, pa };
        ccada_status st = rk_host_call(k, HOSTCALL_DEV_MMIO, g);
        if (st != CCADA_OK)
                return st;
        uint64_t at = g[0], len = g[1]; /* copied once */
        if (!at || at & 0xFFF || len < size || at + size < at || at & rk_shared_bit(k))
                return CCADA_E_PEER;
        *ipa = at;
        return CCADA_OK;
}

ccada_status rk_tdi_start(struct realm_kernel *k, uint64_t vdev_id, const struct rsi_vdev_info *verified,
                          const struct tdi_mmio_range *range, struct rk_tdi *out)
{
        memset(out, 0, sizeof(*out));
        out->vdev_id = vdev_id;
        if (!range->num_pages || range->first_page > (UINT64_MAX >> 12) - range->num_pages)
                return CCADA_E_INVAL;
        uint64_t pa = range->first_page << 12, size = (uint64_t)range->num_pages << 12, ipa;
        ccada_status st = host_mmio(k, vdev_id, pa, size, &ipa);
        if (st != CCADA_OK)
                return st;
        /* the host's IPA must map exactly the range the Realm verified in the report */
        if ((st = rk_vdev_validate_mapping(k, vdev_id, ipa, ipa + size, pa, verified)) != CCADA_OK)
                return st;
        out->mmio_ipa = ipa;
        out->mmio_pa = pa;
        out->mmio_size = size;
        out->validated = true;
        uint64_t g[31] = { vdev_id };
        if ((st = rk_host_call(k, HOSTCALL_DEV_START, g)) != CCADA_OK)
                return st;
        /* the host's word is not enough: the RMM says STARTED, with the nonces verified */
        struct rsi_vdev_info now;
        if ((st = rk_vdev_get_info(k, vdev_id, &now)) != CCADA_OK)
                return st;
        if (now.state != RSI_VDEV_STATE_STARTED)
                return CCADA_E_STATE;
        if (now.lock_nonce != verified->lock_nonce || now.report_nonce != verified->report_nonce ||
            now.meas_nonce != verified->meas_nonce)
                return CCADA_E_VERIFY;
        out->started = true;
        if ((st = rk_vdev_dma_enable(k, vdev_id, verified)) != CCADA_OK)
                return st;
        out->dma = true;
        return CCADA_OK;
}
