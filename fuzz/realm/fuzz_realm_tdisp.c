/* The Realm's evidence fetch (src/realm/tdisp.c) against a hostile host: every answer to
 * HOSTCALL_DEV_OBJECT comes from the input: the whole length it claims (u32), how much it
 * says it wrote (u16) and the bytes it writes into the shared page. The RMM's digests are
 * those of four fixed objects (what an honest host would serve).
 * What must hold (a finding aborts): no crash or out-of-bounds access (ASan); an OK result
 * hands out objects whose digests are the RMM's; OK or VERIFY hands out objects no longer
 * than the Realm's limit; any other result hands out nothing; the shared page is always
 * given back (no page left decrypted) and nothing is freed while decrypted. */
#include <stdlib.h>
#include <string.h>

#include "ccada/rsi.h"
#include "fake_kernel.h"
#include "lib/crypto.h"
#include "proto/hostcall.h"
#include "proto/rsi_vdev.h"
#include "realm/tdisp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct tape {
        const uint8_t *p;
        size_t left;
};

static uint64_t take(struct tape *t, unsigned n)
{
        uint64_t v = 0;
        for (unsigned i = 0; i < n && t->left; i++, t->left--)
                v |= (uint64_t)*t->p++ << (8 * i);
        return v;
}

static void hostile(void *ctx, struct realm_kernel *k, uint16_t imm, uint64_t g[31])
{
        struct tape *t = ctx;
        (void)imm;
        uint64_t ipa = g[3], cap = g[4];
        uint64_t whole = take(t, 3), n = take(t, 2);
        size_t w = (size_t)(n < cap ? n : cap);
        if (w > t->left)
                w = t->left;
        if (w && fake_host_write(k, ipa, t->p, w) == CCADA_OK) {
                t->p += w;
                t->left -= w;
        }
        g[0] = whole;
        g[1] = n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static struct realm_kernel *k;
        static const uint8_t fixed[4][8] = { "vca", "certs", "meas", "report" };
        struct rsi_vdev_info info;
        struct tape t = { data, size };
        struct rk_vdev_evidence ev;
        if (!k)
                k = fake_kernel_new(true);
        memset(&info, 0, sizeof(info));
        info.hash_algo = RSI_HASH_SHA_256;
        uint8_t *d[4] = { info.vca_digest, info.cert_digest, info.meas_digest, info.report_digest };
        for (unsigned i = 0; i < 4; i++)
                if (!hash_once(HASH_SHA256, fixed[i], strlen((const char *)fixed[i]), d[i]))
                        abort();
        fake_kernel_set_vdev_info(k, 1, &info);
        fake_kernel_set_host_call(k, hostile, &t);
        ccada_status st = rk_vdev_evidence_get(k, 1, &ev);
        if (st == CCADA_OK || st == CCADA_E_VERIFY) {
                for (unsigned i = 0; i < RK_DEV_NOBJ; i++) {
                        uint8_t h[HASH_MAX_LEN];
                        if (!ev.obj[i] || ev.len[i] == 0 || ev.len[i] > HOSTCALL_DEV_OBJECT_TOTAL_MAX)
                                abort();
                        if (st == CCADA_OK &&
                            (!hash_once(HASH_SHA256, ev.obj[i], ev.len[i], h) || memcmp(h, d[i], 32) != 0))
                                abort();
                }
                if ((st == CCADA_OK) != (ev.bad < 0))
                        abort();
                rk_vdev_evidence_free(k, &ev);
        } else {
                for (unsigned i = 0; i < RK_DEV_NOBJ; i++)
                        if (ev.obj[i])
                                abort();
        }
        if (fake_kernel_decrypted_pages(k) != 0 || fake_kernel_bad_frees(k) != 0)
                abort();
        return 0;
}
