/* The Realm's TDISP driver, first half (src/realm/tdisp.c): RSI_VDEV_GET_INFO's digests,
 * the host's cached objects fetched through HOSTCALL_DEV_OBJECT into a shared page and
 * copied in, each hashed and compared. The host here is the test (the fake kernel's host
 * call), honest or lying; the digests are computed by the test with hash_once over the
 * objects it serves, not by the code under test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "ccada/rsi.h"
#include "fake_kernel.h"
#include "lib/crypto.h"
#include "proto/hostcall.h"
#include "proto/rsi_vdev.h"
#include "proto/tdisp.h"
#include "realm/tdisp.h"

#define NOBJ 4

struct host {
        uint8_t obj[NOBJ][9000];
        size_t len[NOBJ];
        /* lies */
        uint64_t claim_total;           /* nonzero: the length it claims */
        bool grow;                      /* the claimed length grows between pieces */
        bool overfill;                  /* says it wrote more than the buffer */
        bool flip_after_first;          /* changes a byte of the object between two fetches */
        unsigned calls;
        /* the second half: where it says it mapped the BAR, and what START does */
        uint64_t mmio_ipa, mmio_len;
        bool start_works;               /* the RMM's VDEV goes to STARTED */
        bool relock;                    /* ... after a re-lock: a new lock nonce */
        unsigned mmio_calls, start_calls;
};

static void serve(void *ctx, struct realm_kernel *k, uint16_t imm, uint64_t g[31])
{
        struct host *h = ctx;
        assert_int_equal(imm, HOSTCALL_DEV_OBJECT);
        h->calls++;
        uint64_t obj = g[1], off = g[2], ipa = g[3], cap = g[4];
        assert_true(ipa & FAKE_SHARED_BIT);    /* the Realm hands out the alias of a shared page */
        assert_true(cap <= HOSTCALL_DEV_OBJECT_MAX);
        if (g[0] != 1 || obj >= NOBJ) {
                g[0] = g[1] = 0;
                return;
        }
        size_t len = h->len[obj], n = off < len ? len - (size_t)off : 0;
        if (n > cap)
                n = (size_t)cap;
        assert_int_equal(fake_host_write(k, ipa, h->obj[obj] + off, n), CCADA_OK);
        g[0] = h->claim_total ? h->claim_total : len;
        if (h->grow && off)
                g[0] = len + 4;
        g[1] = h->overfill ? cap + 1 : n;
}

struct rig {
        struct realm_kernel *k;
        struct host h;
        struct rsi_vdev_info info;
};

static void digests(struct rig *r)
{
        uint8_t *d[NOBJ] = { r->info.vca_digest, r->info.cert_digest, r->info.meas_digest, r->info.report_digest };
        for (unsigned i = 0; i < NOBJ; i++)
                assert_true(hash_once(HASH_SHA384, r->h.obj[i], r->h.len[i], d[i]));
}

static int setup(void **state)
{
        static struct rig r;
        memset(&r, 0, sizeof(r));
        r.k = fake_kernel_new(true);
        static const size_t lens[NOBJ] = { 144, 8200, 243, 100 }; /* the chain needs three pieces */
        for (unsigned i = 0; i < NOBJ; i++) {
                r.h.len[i] = lens[i];
                for (size_t j = 0; j < lens[i]; j++)
                        r.h.obj[i][j] = (uint8_t)(i * 31 + j * 7);
        }
        r.info.hash_algo = RSI_HASH_SHA_384;
        r.info.state = RSI_VDEV_STATE_LOCKED;
        digests(&r);
        fake_kernel_set_vdev_info(r.k, 1, &r.info);
        fake_kernel_set_host_call(r.k, serve, &r.h);
        *state = &r;
        return 0;
}

static int teardown(void **state)
{
        struct rig *r = *state;
        assert_int_equal(fake_kernel_bad_frees(r->k), 0);
        fake_kernel_free(r->k);
        return 0;
}

static void evidence_from_an_honest_host_matches_every_digest(void **state)
{
        struct rig *r = *state;
        struct rk_vdev_evidence ev;
        size_t free_before = fake_kernel_free_pages(r->k);
        assert_int_equal(rk_vdev_evidence_get(r->k, 1, &ev), CCADA_OK);
        assert_int_equal(ev.bad, -1);
        for (unsigned i = 0; i < NOBJ; i++) {
                assert_int_equal(ev.len[i], r->h.len[i]);
                assert_memory_equal(ev.obj[i], r->h.obj[i], r->h.len[i]);
        }
        assert_int_equal(r->h.calls, 1 + 3 + 1 + 1);   /* the 8200-byte chain in three pieces */
        assert_int_equal(fake_kernel_decrypted_pages(r->k), 0); /* the shared page went back */
        assert_int_equal(fake_kernel_free_pages(r->k), free_before);
        rk_vdev_evidence_free(r->k, &ev);
}

static void evidence_names_the_first_object_whose_digest_differs(void **state)
{
        struct rig *r = *state;
        struct rk_vdev_evidence ev;
        r->h.obj[3][99] ^= 0x01;                        /* the host swaps a byte of its report */
        assert_int_equal(rk_vdev_evidence_get(r->k, 1, &ev), CCADA_E_VERIFY);
        assert_int_equal(ev.bad, RK_DEV_REPORT);
        assert_int_equal(ev.len[RK_DEV_REPORT], 100);   /* still fetched, for the verdict */
        rk_vdev_evidence_free(r->k, &ev);
        r->h.obj[3][99] ^= 0x01;
        r->h.obj[1][5000] ^= 0x80;                      /* and in the chain's second piece */
        assert_int_equal(rk_vdev_evidence_get(r->k, 1, &ev), CCADA_E_VERIFY);
        assert_int_equal(ev.bad, RK_DEV_CERT);
        rk_vdev_evidence_free(r->k, &ev);
}

static void evidence_refuses_a_host_that_lies_about_lengths(void **state)
{
        struct rig *r = *state;
        struct rk_vdev_evidence ev;
        r->h.claim_total = HOSTCALL_DEV_OBJECT_TOTAL_MAX + 1;   /* more than a Realm takes */
        assert_int_equal(rk_vdev_evidence_get(r->k, 1, &ev), CCADA_E_PEER);
        r->h.claim_total = 0;
        r->h.grow = true;                                       /* the length changes midway */
        assert_int_equal(rk_vdev_evidence_get(r->k, 1, &ev), CCADA_E_PEER);
        r->h.grow = false;
        r->h.overfill = true;                                   /* more than the buffer holds */
        assert_int_equal(rk_vdev_evidence_get(r->k, 1, &ev), CCADA_E_PEER);
        r->h.overfill = false;
        r->h.claim_total = 50000;                               /* more than it then gives */
        assert_int_equal(rk_vdev_evidence_get(r->k, 1, &ev), CCADA_E_PEER);
        assert_int_equal(fake_kernel_decrypted_pages(r->k), 0);
        for (unsigned i = 0; i < NOBJ; i++)
                assert_null(ev.obj[i]);                         /* nothing half-fetched is handed out */
}

static void evidence_an_object_withheld_by_the_host_is_refused(void **state)
{
        struct rig *r = *state;
        struct rk_vdev_evidence ev;
        r->h.len[RK_DEV_MEAS] = 0;                              /* "I have none" */
        assert_int_equal(rk_vdev_evidence_get(r->k, 1, &ev), CCADA_E_PEER);
        assert_int_equal(fake_kernel_decrypted_pages(r->k), 0);
}

static void evidence_for_a_device_the_rmm_does_not_know_asks_the_host_nothing(void **state)
{
        struct rig *r = *state;
        struct rk_vdev_evidence ev;
        assert_int_equal(rk_vdev_evidence_get(r->k, 2, &ev), CCADA_E_UNSUPPORTED);
        assert_int_equal(r->h.calls, 0);
        r->info.hash_algo = 9;                                  /* an algorithm the Realm has not */
        fake_kernel_set_vdev_info(r->k, 1, &r->info);
        assert_int_equal(rk_vdev_evidence_get(r->k, 1, &ev), CCADA_E_RMM);
        assert_int_equal(r->h.calls, 0);
}

static void evidence_when_the_host_call_fails_frees_everything(void **state)
{
        struct rig *r = *state;
        struct rk_vdev_evidence ev;
        size_t free_before = fake_kernel_free_pages(r->k);
        fake_kernel_set_host_call(r->k, NULL, NULL);
        assert_int_equal(rk_vdev_evidence_get(r->k, 1, &ev), CCADA_E_RMM);
        assert_int_equal(fake_kernel_free_pages(r->k), free_before);
        assert_int_equal(fake_kernel_decrypted_pages(r->k), 0);
}

/* ---- the second half: validate the BAR, START, DMA ---- */

#define BAR_PA 0x60000000ull
#define BAR_IPA 0x10000000ull

static void serve_start(void *ctx, struct realm_kernel *k, uint16_t imm, uint64_t g[31])
{
        struct host *h = ctx;
        if (imm == HOSTCALL_DEV_MMIO) {
                h->mmio_calls++;
                assert_int_equal(g[1], BAR_PA); /* the Realm asks about the range of the report */
                g[0] = h->mmio_ipa;
                g[1] = h->mmio_len;
                return;
        }
        assert_int_equal(imm, HOSTCALL_DEV_START);
        h->start_calls++;
        struct rsi_vdev_info *v = fake_kernel_vdev_info(k);
        if (h->start_works)
                v->state = RSI_VDEV_STATE_STARTED;
        if (h->relock)
                v->lock_nonce++;
        g[0] = 1; /* it always says it did */
}

static int setup_start(void **state)
{
        setup(state);
        struct rig *r = *state;
        r->h.mmio_ipa = BAR_IPA;
        r->h.mmio_len = 0x4000;
        r->h.start_works = true;
        r->info.lock_nonce = 1;
        r->info.report_nonce = 1;
        fake_kernel_set_vdev_info(r->k, 1, &r->info);
        fake_kernel_set_host_call(r->k, serve_start, &r->h);
        struct fake_dev_mem m = { .ipa = BAR_IPA, .pa = BAR_PA, .size = 0x4000 };
        fake_kernel_set_dev_mem(r->k, &m);
        return 0;
}

static const struct tdi_mmio_range bar = { .first_page = BAR_PA >> 12, .num_pages = 4 };

static void tdi_start_validates_the_bar_starts_the_tdi_and_enables_its_dma(void **state)
{
        struct rig *r = *state;
        struct rk_tdi t;
        assert_int_equal(rk_tdi_start(r->k, 1, &r->info, &bar, &t), CCADA_OK);
        assert_true(t.validated && t.started && t.dma);
        assert_int_equal(t.mmio_ipa, BAR_IPA);
        assert_int_equal(t.mmio_pa, BAR_PA);
        assert_int_equal(t.mmio_size, 0x4000);
        assert_int_equal(r->h.mmio_calls, 1);
        assert_int_equal(r->h.start_calls, 1);
        assert_true(fake_kernel_dma_enabled(r->k));
}

static void tdi_start_refuses_an_ipa_the_host_gives_that_cannot_be_the_mapping(void **state)
{
        struct rig *r = *state;
        struct rk_tdi t;
        static const uint64_t bad[][2] = { { 0, 0x4000 }, { BAR_IPA + 8, 0x4000 }, { BAR_IPA, 0x1000 },
                                           { BAR_IPA | FAKE_SHARED_BIT, 0x4000 } };
        for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                r->h.mmio_ipa = bad[i][0];
                r->h.mmio_len = bad[i][1];
                assert_int_equal(rk_tdi_start(r->k, 1, &r->info, &bar, &t), CCADA_E_PEER);
                assert_false(t.validated);
        }
        assert_int_equal(r->h.start_calls, 0);
        assert_false(fake_kernel_dma_enabled(r->k));
}

static void tdi_start_stops_when_the_rmm_refuses_the_mapping(void **state)
{
        struct rig *r = *state;
        struct rk_tdi t;
        r->h.mmio_ipa = BAR_IPA + 0x100000; /* a page-aligned IPA the host did not map there */
        assert_int_equal(rk_tdi_start(r->k, 1, &r->info, &bar, &t), CCADA_E_REJECTED);
        assert_false(t.validated || t.started || t.dma);
        assert_int_equal(r->h.start_calls, 0); /* never started, never given DMA */
        assert_false(fake_kernel_dma_enabled(r->k));
}

static void tdi_start_does_not_believe_a_host_that_says_it_started_the_tdi(void **state)
{
        struct rig *r = *state;
        struct rk_tdi t;
        r->h.start_works = false; /* "done", but the RMM's VDEV is still LOCKED */
        assert_int_equal(rk_tdi_start(r->k, 1, &r->info, &bar, &t), CCADA_E_STATE);
        assert_true(t.validated);
        assert_false(t.started || t.dma);
        assert_false(fake_kernel_dma_enabled(r->k));
}

static void tdi_start_stops_when_the_device_was_relocked_since_the_realm_verified_it(void **state)
{
        struct rig *r = *state;
        struct rk_tdi t;
        r->h.relock = true; /* the host re-locks (a new lock nonce) and starts that */
        assert_int_equal(rk_tdi_start(r->k, 1, &r->info, &bar, &t), CCADA_E_VERIFY);
        assert_false(t.started || t.dma);
        assert_false(fake_kernel_dma_enabled(r->k));
}

static void tdi_start_refuses_an_empty_range(void **state)
{
        struct rig *r = *state;
        struct rk_tdi t;
        const struct tdi_mmio_range none = { .first_page = BAR_PA >> 12, .num_pages = 0 };
        assert_int_equal(rk_tdi_start(r->k, 1, &r->info, &none, &t), CCADA_E_INVAL);
        assert_int_equal(r->h.mmio_calls, 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
#define S(fn) cmocka_unit_test_setup_teardown(fn, setup_start, teardown)

int main(void)
{
        const struct CMUnitTest tests[] = {
                T(evidence_from_an_honest_host_matches_every_digest),
                T(evidence_names_the_first_object_whose_digest_differs),
                T(evidence_refuses_a_host_that_lies_about_lengths),
                T(evidence_an_object_withheld_by_the_host_is_refused),
                T(evidence_for_a_device_the_rmm_does_not_know_asks_the_host_nothing),
                T(evidence_when_the_host_call_fails_frees_everything),
                S(tdi_start_validates_the_bar_starts_the_tdi_and_enables_its_dma),
                S(tdi_start_refuses_an_ipa_the_host_gives_that_cannot_be_the_mapping),
                S(tdi_start_stops_when_the_rmm_refuses_the_mapping),
                S(tdi_start_does_not_believe_a_host_that_says_it_started_the_tdi),
                S(tdi_start_stops_when_the_device_was_relocked_since_the_realm_verified_it),
                S(tdi_start_refuses_an_empty_range),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
