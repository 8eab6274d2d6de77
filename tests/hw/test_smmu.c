/* src/hw/smmu.c: the stream table, who may program it, the translation of a device's DMA
 * (BYPASS: IOVA = PA as Non-secure; REALM: the Realm's stage 2, as the Realm world, only its
 * own granules), all-or-nothing transactions, the event queue, the trace event, statistics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/dma.h"
#include "hw/smmu.h"

#define BASE    0x80000000ull
#define NPAGES  32u
#define SIZE    (NPAGES * GRANULE_SIZE)
#define PA(i)   (BASE + (uint64_t)(i) * GRANULE_SIZE)

#define IPA_BASE 0x40000000ull  /* the Realm's IPA space as the test's stage 2 maps it */
#define IPA(i)   (IPA_BASE + (uint64_t)(i) * GRANULE_SIZE)
#define S2_PAGES 24u

#define SID_NS    0x0100u       /* 01:00.0, a Non-secure function */
#define SID_TDI   0x0208u       /* 02:01.0, the function of an accepted TDI */
#define REALM_TAG 1u            /* VMID 0 + 1 */
#define OTHER_TAG 2u

/* A Realm's stage 2 as the RMM would walk it: IPA(i) -> pa[i] where mapped[i]. */
struct seen;
struct test_s2 {
        uint64_t pa[S2_PAGES];
        bool mapped[S2_PAGES];
        unsigned calls;
        uint64_t last_ipa;
        enum hw_access last_access;
        struct seen *seen;      /* the written observer's record (its test only) */
};

static bool test_s2_walk(void *ctx, uint64_t ipa, enum hw_access access, uint64_t *pa)
{
        struct test_s2 *s2 = ctx;
        uint64_t i = (ipa - IPA_BASE) >> GRANULE_SHIFT;

        s2->calls++;
        s2->last_ipa = ipa;
        s2->last_access = access;
        if (ipa < IPA_BASE || i >= S2_PAGES || !s2->mapped[i])
                return false;
        *pa = s2->pa[i];
        return true;
}

struct fixture {
        struct hw_mem *m;
        struct hw_smmu *s;
        struct trace t;
        struct test_s2 s2;
};

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));

        if (!f)
                return -1;
        trace_init(&f->t);
        if (!hw_mem_create(&f->m, BASE, SIZE, &f->t) || !hw_smmu_create(&f->s, f->m, &f->t)) {
                hw_mem_destroy(f->m);
                free(f);
                return -1;
        }
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;

        hw_smmu_destroy(f->s);
        hw_mem_destroy(f->m);
        (void)trace_close(&f->t);
        free(f);
        return 0;
}

/* Root moves granule pa to pas, whatever it is now. */
static void set_pas(struct hw_mem *m, uint64_t pa, enum hw_pas pas)
{
        enum hw_pas cur;

        assert_true(hw_gpt_get(m, pa, &cur));
        assert_int_equal(hw_gpt_transition(m, HW_WORLD_ROOT, pa, cur, pas), HW_OK);
}

/* Page i becomes a Realm granule of owner tag, mapped at IPA(ipa_page). */
static void realm_page(struct fixture *f, unsigned ipa_page, unsigned i, uint32_t tag)
{
        set_pas(f->m, PA(i), HW_PAS_REALM);
        hw_owner_set(f->m, PA(i), tag);
        f->s2.pa[ipa_page] = PA(i);
        f->s2.mapped[ipa_page] = true;
}

static void install_bypass(struct fixture *f, uint16_t sid)
{
        const struct hw_ste ste = { .mode = HW_STE_BYPASS };

        assert_int_equal(hw_smmu_ste_set(f->s, HW_WORLD_NS, sid, &ste), HW_SMMU_OK);
}

static void install_realm(struct fixture *f, uint16_t sid, bool dma_enabled)
{
        const struct hw_ste ste = {
                .mode = HW_STE_REALM, .owner = REALM_TAG, .s2 = test_s2_walk, .s2_ctx = &f->s2,
        };

        assert_int_equal(hw_smmu_ste_set(f->s, HW_WORLD_REALM, sid, &ste), HW_SMMU_OK);
        if (dma_enabled)
                assert_int_equal(hw_smmu_ste_dma_enable(f->s, HW_WORLD_REALM, sid, true), HW_SMMU_OK);
}

/* Every byte of memory, read as Root. */
static uint8_t *snapshot(struct fixture *f)
{
        uint8_t *copy = malloc(SIZE);

        assert_non_null(copy);
        assert_int_equal(hw_read(f->m, HW_WORLD_ROOT, BASE, copy, SIZE, NULL), HW_OK);
        return copy;
}

static void assert_memory_is(struct fixture *f, const uint8_t *before)
{
        uint8_t *now = snapshot(f);

        assert_memory_equal(now, before, SIZE);
        free(now);
}

static void fill(uint8_t *buf, size_t len, uint8_t seed)
{
        for (size_t i = 0; i < len; i++)
                buf[i] = (uint8_t)(seed + i * 7u);
}

/* ---- the stream table ---- */

static void smmu_every_stream_starts_abort(void **state)
{
        struct fixture *f = *state;
        const uint16_t sids[] = { 0, SID_NS, SID_TDI, UINT16_MAX };
        struct hw_ste ste;

        for (size_t i = 0; i < sizeof(sids) / sizeof(sids[0]); i++) {
                memset(&ste, 0xA5, sizeof(ste));
                hw_smmu_ste_get(f->s, sids[i], &ste);
                assert_int_equal(ste.mode, HW_STE_ABORT);
                assert_false(ste.dma_enabled);
                assert_int_equal(ste.owner, 0);
                assert_null(ste.s2);
        }
}

/* Each STE mode x T bit x DMA enable: only BYPASS with T=0 and REALM with T=1 and DMA
 * enabled get through; the others fault for the reason the SMMU checks first. */
static void smmu_ste_mode_t_bit_and_dma_enable_decide_each_transaction(void **state)
{
        struct fixture *f = *state;
        const struct {
                enum hw_ste_mode mode;
                bool t, dma;
                enum hw_dma_reason want;
        } cases[] = {
                { HW_STE_ABORT, false, false, HW_DMA_STREAM_ABORT },
                { HW_STE_ABORT, true, false, HW_DMA_STREAM_ABORT },
                { HW_STE_BYPASS, false, false, HW_DMA_OK },
                { HW_STE_BYPASS, true, false, HW_DMA_T_MISMATCH },
                { HW_STE_REALM, false, false, HW_DMA_T_MISMATCH },
                { HW_STE_REALM, false, true, HW_DMA_T_MISMATCH },
                { HW_STE_REALM, true, false, HW_DMA_NOT_ENABLED },
                { HW_STE_REALM, true, true, HW_DMA_OK },
        };
        const struct hw_ste abort_ste = { .mode = HW_STE_ABORT };
        uint8_t out[100], back[100];

        realm_page(f, 0, 3, REALM_TAG);
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                uint16_t sid = (uint16_t)(0x300 + i);
                uint64_t iova = cases[i].mode == HW_STE_REALM ? IPA(0) + 0x40 : PA(1) + 0x40;
                uint64_t pa = cases[i].mode == HW_STE_REALM ? PA(3) + 0x40 : PA(1) + 0x40;
                struct hw_dma_fault fault = { .reason = HW_DMA_OK };
                uint8_t *before = snapshot(f);
                enum hw_result r;

                if (cases[i].mode == HW_STE_BYPASS)
                        install_bypass(f, sid);
                else if (cases[i].mode == HW_STE_REALM)
                        install_realm(f, sid, cases[i].dma);
                else
                        assert_int_equal(hw_smmu_ste_set(f->s, HW_WORLD_ROOT, sid, &abort_ste),
                                         HW_SMMU_OK);
                if (cases[i].mode != HW_STE_REALM && cases[i].dma)
                        assert_int_equal(hw_smmu_ste_dma_enable(f->s, HW_WORLD_ROOT, sid, true),
                                         HW_SMMU_BAD_STE);
                fill(out, sizeof(out), (uint8_t)i);
                r = hw_dma(f->s, sid, cases[i].t, iova, out, sizeof(out), HW_ACCESS_WRITE, &fault);
                if (cases[i].want == HW_DMA_OK) {
                        assert_int_equal(r, HW_OK);
                        assert_int_equal(hw_read(f->m, HW_WORLD_ROOT, pa, back, sizeof(back), NULL),
                                         HW_OK);
                        assert_memory_equal(back, out, sizeof(out));
                        memset(back, 0, sizeof(back));
                        assert_int_equal(hw_dma(f->s, sid, cases[i].t, iova, back, sizeof(back),
                                                HW_ACCESS_READ, NULL),
                                         HW_OK);
                        assert_memory_equal(back, out, sizeof(out));
                } else {
                        assert_int_equal(r, HW_DMA_FAULT);
                        assert_int_equal(fault.reason, cases[i].want);
                        assert_int_equal(fault.stream_id, sid);
                        assert_int_equal(fault.t, cases[i].t);
                        assert_int_equal(fault.iova, iova);
                        assert_false(fault.translated);
                        assert_memory_is(f, before);
                }
                free(before);
        }
}

static void smmu_ns_world_may_program_bypass_and_abort(void **state)
{
        struct fixture *f = *state;
        struct hw_ste ste = { .mode = HW_STE_BYPASS, .dma_enabled = true, .owner = 9,
                              .s2 = test_s2_walk, .s2_ctx = f };
        struct hw_ste got;

        /* fields a BYPASS entry does not have are not kept */
        assert_int_equal(hw_smmu_ste_set(f->s, HW_WORLD_NS, SID_NS, &ste), HW_SMMU_OK);
        hw_smmu_ste_get(f->s, SID_NS, &got);
        assert_int_equal(got.mode, HW_STE_BYPASS);
        assert_false(got.dma_enabled);
        assert_int_equal(got.owner, 0);
        assert_null(got.s2);
        assert_null(got.s2_ctx);
        ste.mode = HW_STE_ABORT;
        assert_int_equal(hw_smmu_ste_set(f->s, HW_WORLD_NS, SID_NS, &ste), HW_SMMU_OK);
        hw_smmu_ste_get(f->s, SID_NS, &got);
        assert_int_equal(got.mode, HW_STE_ABORT);
        assert_int_equal(hw_dma(f->s, SID_NS, false, PA(0), NULL, 0, HW_ACCESS_READ, NULL),
                         HW_DMA_FAULT);
}

/* RME-DA: the host cannot install, repoint, abort or enable a Realm stream. */
static void smmu_ns_world_cannot_touch_a_realm_ste(void **state)
{
        struct fixture *f = *state;
        const enum hw_world outsiders[] = { HW_WORLD_NS, HW_WORLD_SECURE };
        struct test_s2 evil = { .pa = { PA(5) }, .mapped = { true } };
        struct hw_ste want, got;
        struct hw_smmu_stats st;

        install_realm(f, SID_TDI, true);
        hw_smmu_ste_get(f->s, SID_TDI, &want);
        for (size_t i = 0; i < 2; i++) {
                const struct hw_ste tries[] = {
                        { .mode = HW_STE_ABORT },
                        { .mode = HW_STE_BYPASS },
                        { .mode = HW_STE_REALM, .dma_enabled = true, .owner = REALM_TAG,
                          .s2 = test_s2_walk, .s2_ctx = &evil },
                };
                for (size_t j = 0; j < 3; j++)
                        assert_int_equal(hw_smmu_ste_set(f->s, outsiders[i], SID_TDI, &tries[j]),
                                         HW_SMMU_DENIED);
                assert_int_equal(hw_smmu_ste_dma_enable(f->s, outsiders[i], SID_TDI, false),
                                 HW_SMMU_DENIED);
                /* nor make a fresh stream a Realm one */
                assert_int_equal(hw_smmu_ste_set(f->s, outsiders[i], SID_NS, &tries[2]),
                                 HW_SMMU_DENIED);
        }
        hw_smmu_ste_get(f->s, SID_TDI, &got);
        assert_memory_equal(&got, &want, sizeof(got));
        hw_smmu_ste_get(f->s, SID_NS, &got);
        assert_int_equal(got.mode, HW_STE_ABORT);
        hw_smmu_stats(f->s, &st);
        assert_int_equal(st.ste_refused, 10);
        /* the RMM (Realm PAS) and the monitor (Root) may */
        got = (struct hw_ste){ .mode = HW_STE_ABORT };
        assert_int_equal(hw_smmu_ste_set(f->s, HW_WORLD_ROOT, SID_TDI, &got), HW_SMMU_OK);
        hw_smmu_ste_get(f->s, SID_TDI, &got);
        assert_int_equal(got.mode, HW_STE_ABORT);
}

static void smmu_ste_set_rejects_malformed_entries_and_callers(void **state)
{
        struct fixture *f = *state;
        struct hw_ste ste = { .mode = HW_STE_REALM, .owner = REALM_TAG, .s2 = NULL };
        struct hw_ste got;

        assert_int_equal(hw_smmu_ste_set(f->s, HW_WORLD_REALM, SID_TDI, &ste), HW_SMMU_BAD_STE);
        ste.s2 = test_s2_walk;
        ste.owner = 0;
        assert_int_equal(hw_smmu_ste_set(f->s, HW_WORLD_REALM, SID_TDI, &ste), HW_SMMU_BAD_STE);
        ste.owner = REALM_TAG;
        ste.mode = (enum hw_ste_mode)7;
        assert_int_equal(hw_smmu_ste_set(f->s, HW_WORLD_ROOT, SID_TDI, &ste), HW_SMMU_BAD_STE);
        ste.mode = HW_STE_BYPASS;
        assert_int_equal(hw_smmu_ste_set(f->s, (enum hw_world)9, SID_TDI, &ste), HW_SMMU_DENIED);
        /* DMA enable is for a REALM stream only, by the Realm side only */
        assert_int_equal(hw_smmu_ste_dma_enable(f->s, HW_WORLD_REALM, SID_TDI, true), HW_SMMU_BAD_STE);
        install_bypass(f, SID_NS);
        assert_int_equal(hw_smmu_ste_dma_enable(f->s, HW_WORLD_ROOT, SID_NS, true), HW_SMMU_BAD_STE);
        assert_int_equal(hw_smmu_ste_dma_enable(f->s, (enum hw_world)9, SID_NS, true), HW_SMMU_DENIED);
        hw_smmu_ste_get(f->s, SID_TDI, &got);
        assert_int_equal(got.mode, HW_STE_ABORT);
        hw_smmu_ste_get(f->s, SID_NS, &got);
        assert_int_equal(got.mode, HW_STE_BYPASS);
        assert_false(got.dma_enabled);
}

/* ---- BYPASS: IOVA = PA, Non-secure PAS only ---- */

static void smmu_bypass_stream_reads_and_writes_ns_memory(void **state)
{
        struct fixture *f = *state;
        uint8_t out[3 * GRANULE_SIZE], in[sizeof(out)], back[sizeof(out)];
        struct hw_smmu_stats st;

        install_bypass(f, SID_NS);
        fill(out, sizeof(out), 0x11);
        /* an unaligned transfer over four pages */
        assert_int_equal(hw_dma(f->s, SID_NS, false, PA(2) + 0x123, out, sizeof(out),
                                HW_ACCESS_WRITE, NULL),
                         HW_OK);
        assert_int_equal(hw_read(f->m, HW_WORLD_NS, PA(2) + 0x123, back, sizeof(back), NULL), HW_OK);
        assert_memory_equal(back, out, sizeof(out));
        assert_int_equal(hw_dma(f->s, SID_NS, false, PA(2) + 0x123, in, sizeof(in), HW_ACCESS_READ,
                                NULL),
                         HW_OK);
        assert_memory_equal(in, out, sizeof(out));
        hw_smmu_stats(f->s, &st);
        assert_int_equal(st.transactions, 2);
        assert_int_equal(st.bytes, 2 * sizeof(out));
        assert_int_equal(hw_smmu_evtq_count(f->s), 0);
}

static void smmu_bypass_stream_faults_gpf_on_every_granule_not_non_secure(void **state)
{
        struct fixture *f = *state;
        const enum hw_pas pas[] = { HW_PAS_REALM, HW_PAS_ROOT, HW_PAS_SECURE };
        uint8_t buf[16];

        install_bypass(f, SID_NS);
        for (size_t i = 0; i < 3; i++) {
                uint64_t pa = PA(4 + i);
                struct hw_dma_fault fault;
                uint8_t *before;

                set_pas(f->m, pa, pas[i]);
                hw_owner_set(f->m, pa, pas[i] == HW_PAS_REALM ? REALM_TAG : 0);
                before = snapshot(f);
                memset(buf, 0x5A, sizeof(buf));
                for (unsigned acc = 0; acc < 2; acc++) {
                        assert_int_equal(hw_dma(f->s, SID_NS, false, pa + 8, buf, sizeof(buf),
                                                (enum hw_access)acc, &fault),
                                         HW_GPF);
                        assert_int_equal(fault.reason, HW_DMA_GPF);
                        assert_true(fault.translated);
                        assert_int_equal(fault.pa, pa + 8);
                        assert_int_equal(fault.iova, pa + 8);
                }
                assert_memory_is(f, before);
                for (size_t j = 0; j < sizeof(buf); j++)
                        assert_int_equal(buf[j], 0x5A);
                free(before);
        }
        /* the GPC saw them: its own count and event */
        assert_int_equal(hw_gpf_count(f->m), 6);
}

static void smmu_bypass_stream_faults_outside_memory_and_on_wrap(void **state)
{
        struct fixture *f = *state;
        uint8_t buf[32] = { 0 };
        struct hw_dma_fault fault;

        install_bypass(f, SID_NS);
        assert_int_equal(hw_dma(f->s, SID_NS, false, BASE - 16, buf, sizeof(buf), HW_ACCESS_WRITE,
                                &fault),
                         HW_ADDR_FAULT);
        assert_int_equal(fault.reason, HW_DMA_ADDR_FAULT);
        assert_int_equal(hw_dma(f->s, SID_NS, false, BASE + SIZE - 16, buf, sizeof(buf),
                                HW_ACCESS_READ, &fault),
                         HW_ADDR_FAULT);
        assert_int_equal(fault.iova, BASE + SIZE);     /* the second page is the refused one */
        assert_int_equal(hw_dma(f->s, SID_NS, false, UINT64_MAX - 7, buf, sizeof(buf),
                                HW_ACCESS_READ, &fault),
                         HW_ADDR_FAULT);
        assert_false(fault.translated);
        assert_int_equal(hw_gpf_count(f->m), 0);
}

/* ---- REALM: the Realm's stage 2, the Realm's own granules ---- */

static void smmu_realm_stream_reaches_its_realm_granules_through_stage2(void **state)
{
        struct fixture *f = *state;
        uint8_t out[GRANULE_SIZE], back[sizeof(out)];

        /* IPA pages 4, 5 -> PA pages 9, 6: not contiguous */
        realm_page(f, 4, 9, REALM_TAG);
        realm_page(f, 5, 6, REALM_TAG);
        install_realm(f, SID_TDI, true);
        fill(out, sizeof(out), 0x21);
        assert_int_equal(hw_dma(f->s, SID_TDI, true, IPA(4) + GRANULE_SIZE - 32, out, sizeof(out),
                                HW_ACCESS_WRITE, NULL),
                         HW_OK);
        assert_int_equal(f->s2.last_ipa, IPA(5));
        assert_int_equal(f->s2.last_access, HW_ACCESS_WRITE);
        assert_int_equal(hw_read(f->m, HW_WORLD_REALM, PA(9) + GRANULE_SIZE - 32, back, 32, NULL),
                         HW_OK);
        assert_memory_equal(back, out, 32);
        assert_int_equal(hw_read(f->m, HW_WORLD_REALM, PA(6), back, sizeof(out) - 32, NULL), HW_OK);
        assert_memory_equal(back, out + 32, sizeof(out) - 32);
        memset(back, 0, sizeof(back));
        assert_int_equal(hw_dma(f->s, SID_TDI, true, IPA(4) + GRANULE_SIZE - 32, back, sizeof(back),
                                HW_ACCESS_READ, NULL),
                         HW_OK);
        assert_memory_equal(back, out, sizeof(out));
        assert_int_equal(f->s2.last_access, HW_ACCESS_READ);
}

/* What a written observer saw: each piece's IPA and length, and the bytes. */
struct seen {
        unsigned calls;
        uint64_t ipa[4];
        size_t len[4];
        uint8_t bytes[2 * GRANULE_SIZE];
        size_t total;
};

static void observe(void *ctx, uint64_t ipa, const void *bytes, size_t len)
{
        struct seen *w = ((struct test_s2 *)ctx)->seen;
        assert_true(w->calls < 4 && w->total + len <= sizeof(w->bytes));
        w->ipa[w->calls] = ipa;
        w->len[w->calls++] = len;
        memcpy(w->bytes + w->total, bytes, len);
        w->total += len;
}

static void smmu_realm_stream_tells_its_observer_every_piece_it_wrote_and_nothing_else(void **state)
{
        struct fixture *f = *state;
        struct seen w = { 0 };
        uint8_t out[GRANULE_SIZE], back[sizeof(out)];
        realm_page(f, 4, 9, REALM_TAG);
        realm_page(f, 5, 6, REALM_TAG);
        f->s2.seen = &w;
        const struct hw_ste ste = { .mode = HW_STE_REALM, .owner = REALM_TAG, .s2 = test_s2_walk, .s2_ctx = &f->s2,
                                    .written = observe };
        assert_int_equal(hw_smmu_ste_set(f->s, HW_WORLD_REALM, SID_TDI, &ste), HW_SMMU_OK);
        assert_int_equal(hw_smmu_ste_dma_enable(f->s, HW_WORLD_REALM, SID_TDI, true), HW_SMMU_OK);
        fill(out, sizeof(out), 0x33);
        assert_int_equal(hw_dma(f->s, SID_TDI, true, IPA(4) + GRANULE_SIZE - 32, out, sizeof(out), HW_ACCESS_WRITE,
                                NULL),
                         HW_OK);
        assert_int_equal(w.calls, 2); /* page by page, by IPA */
        assert_int_equal(w.ipa[0], IPA(4) + GRANULE_SIZE - 32);
        assert_int_equal(w.len[0], 32);
        assert_int_equal(w.ipa[1], IPA(5));
        assert_int_equal(w.len[1], sizeof(out) - 32);
        assert_memory_equal(w.bytes, out, sizeof(out));
        /* a read, and a refused write, tell it nothing */
        assert_int_equal(hw_dma(f->s, SID_TDI, true, IPA(4), back, sizeof(back), HW_ACCESS_READ, NULL), HW_OK);
        assert_int_not_equal(hw_dma(f->s, SID_TDI, true, IPA(7), out, 64, HW_ACCESS_WRITE, NULL), HW_OK);
        assert_int_equal(w.calls, 2);
}

static void smmu_realm_stream_faults_where_stage2_maps_nothing(void **state)
{
        struct fixture *f = *state;
        uint8_t buf[8] = { 0 };
        struct hw_dma_fault fault;

        realm_page(f, 0, 3, REALM_TAG);
        install_realm(f, SID_TDI, true);
        /* an IPA the stage 2 leaves unmapped, and the PA of the Realm's own granule used as
         * an IOVA: a Realm stream has no IOVA = PA */
        const uint64_t iovas[] = { IPA(1), PA(3), IPA(S2_PAGES) };
        for (size_t i = 0; i < 3; i++) {
                assert_int_equal(hw_dma(f->s, SID_TDI, true, iovas[i], buf, sizeof(buf),
                                        HW_ACCESS_WRITE, &fault),
                                 HW_DMA_FAULT);
                assert_int_equal(fault.reason, HW_DMA_S2_FAULT);
                assert_int_equal(fault.iova, iovas[i]);
                assert_false(fault.translated);
        }
        /* a stage 2 answer that is not a granule address is refused too */
        f->s2.pa[0] = PA(3) + 4;
        assert_int_equal(hw_dma(f->s, SID_TDI, true, IPA(0), buf, sizeof(buf), HW_ACCESS_WRITE,
                                &fault),
                         HW_DMA_FAULT);
        assert_int_equal(fault.reason, HW_DMA_S2_FAULT);
        /* and one outside memory is an address fault */
        f->s2.pa[0] = BASE + SIZE;
        assert_int_equal(hw_dma(f->s, SID_TDI, true, IPA(0), buf, sizeof(buf), HW_ACCESS_READ,
                                &fault),
                         HW_ADDR_FAULT);
        assert_true(fault.translated);
        assert_int_equal(fault.pa, BASE + SIZE);
}

static void smmu_realm_stream_refuses_granules_its_realm_does_not_own(void **state)
{
        struct fixture *f = *state;
        uint8_t buf[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
        struct hw_dma_fault fault;
        uint8_t *before;

        realm_page(f, 0, 3, OTHER_TAG);  /* another Realm's data */
        realm_page(f, 1, 4, 0);          /* delegated, the RMM's own (an RTT, say) */
        set_pas(f->m, PA(5), HW_PAS_ROOT);
        f->s2.pa[2] = PA(5);
        f->s2.mapped[2] = true;
        install_realm(f, SID_TDI, true);
        before = snapshot(f);
        for (unsigned i = 0; i < 2; i++) {
                assert_int_equal(hw_dma(f->s, SID_TDI, true, IPA(i) + 16, buf, sizeof(buf),
                                        HW_ACCESS_WRITE, &fault),
                                 HW_DMA_FAULT);
                assert_int_equal(fault.reason, HW_DMA_OWNER_MISMATCH);
                assert_int_equal(fault.pa, PA(3 + i) + 16);
        }
        /* a Root granule: the GPC refuses a Realm-world access */
        assert_int_equal(hw_dma(f->s, SID_TDI, true, IPA(2), buf, sizeof(buf), HW_ACCESS_READ,
                                &fault),
                         HW_GPF);
        assert_int_equal(fault.reason, HW_DMA_GPF);
        assert_memory_is(f, before);
        free(before);
}

/* The Realm's unprotected IPA maps Non-secure memory (bounce buffers): a Realm-world access
 * reaches it, as the Realm's CPUs do. */
static void smmu_realm_stream_reaches_ns_granules_its_stage2_maps(void **state)
{
        struct fixture *f = *state;
        uint8_t out[16], back[16];

        f->s2.pa[7] = PA(12);
        f->s2.mapped[7] = true;
        install_realm(f, SID_TDI, true);
        fill(out, sizeof(out), 0x31);
        assert_int_equal(hw_dma(f->s, SID_TDI, true, IPA(7), out, sizeof(out), HW_ACCESS_WRITE,
                                NULL),
                         HW_OK);
        assert_int_equal(hw_read(f->m, HW_WORLD_NS, PA(12), back, sizeof(back), NULL), HW_OK);
        assert_memory_equal(back, out, sizeof(out));
}

static void smmu_realm_stream_stops_when_its_dma_is_disabled(void **state)
{
        struct fixture *f = *state;
        uint8_t buf[8] = { 0 };
        struct hw_dma_fault fault;

        realm_page(f, 0, 3, REALM_TAG);
        install_realm(f, SID_TDI, true);
        assert_int_equal(hw_dma(f->s, SID_TDI, true, IPA(0), buf, sizeof(buf), HW_ACCESS_READ, NULL),
                         HW_OK);
        assert_int_equal(hw_smmu_ste_dma_enable(f->s, HW_WORLD_REALM, SID_TDI, false), HW_SMMU_OK);
        f->s2.calls = 0;
        assert_int_equal(hw_dma(f->s, SID_TDI, true, IPA(0), buf, sizeof(buf), HW_ACCESS_READ,
                                &fault),
                         HW_DMA_FAULT);
        assert_int_equal(fault.reason, HW_DMA_NOT_ENABLED);
        assert_int_equal(f->s2.calls, 0);       /* refused before any translation */
}

/* ---- all or nothing ---- */

static void smmu_multi_page_write_faulting_on_its_last_page_changes_nothing(void **state)
{
        struct fixture *f = *state;
        uint8_t out[4 * GRANULE_SIZE];
        struct hw_dma_fault fault;
        uint8_t *before;

        /* BYPASS: the fourth page is delegated */
        install_bypass(f, SID_NS);
        set_pas(f->m, PA(11), HW_PAS_REALM);
        /* REALM: the fourth IPA page is unmapped */
        for (unsigned i = 0; i < 3; i++)
                realm_page(f, 8 + i, 16 + i, REALM_TAG);
        install_realm(f, SID_TDI, true);
        before = snapshot(f);
        fill(out, sizeof(out), 0x41);
        assert_int_equal(hw_dma(f->s, SID_NS, false, PA(8), out, sizeof(out), HW_ACCESS_WRITE,
                                &fault),
                         HW_GPF);
        assert_int_equal(fault.iova, PA(11));
        assert_int_equal(hw_dma(f->s, SID_TDI, true, IPA(8), out, sizeof(out), HW_ACCESS_WRITE,
                                &fault),
                         HW_DMA_FAULT);
        assert_int_equal(fault.reason, HW_DMA_S2_FAULT);
        assert_int_equal(fault.iova, IPA(11));
        assert_memory_is(f, before);
        free(before);
}

static void smmu_multi_page_read_faulting_on_its_last_page_leaves_the_buffer(void **state)
{
        struct fixture *f = *state;
        uint8_t in[3 * GRANULE_SIZE];
        struct hw_dma_fault fault;

        for (unsigned i = 0; i < 2; i++)
                realm_page(f, i, 20 + i, REALM_TAG);
        realm_page(f, 2, 22, OTHER_TAG);
        assert_int_equal(hw_fill(f->m, HW_WORLD_ROOT, PA(20), 0x77, 3 * GRANULE_SIZE, NULL), HW_OK);
        install_realm(f, SID_TDI, true);
        memset(in, 0xEE, sizeof(in));
        assert_int_equal(hw_dma(f->s, SID_TDI, true, IPA(0) + 1, in, sizeof(in) - 1, HW_ACCESS_READ,
                                &fault),
                         HW_DMA_FAULT);
        assert_int_equal(fault.reason, HW_DMA_OWNER_MISMATCH);
        assert_int_equal(fault.iova, IPA(2));
        for (size_t i = 0; i < sizeof(in); i++)
                assert_int_equal(in[i], 0xEE);
}

static void smmu_rejects_overlong_or_malformed_requests(void **state)
{
        struct fixture *f = *state;
        static uint8_t buf[HW_DMA_MAX_LEN + 1];
        struct hw_dma_fault fault;

        install_bypass(f, SID_NS);
        assert_int_equal(hw_dma(f->s, SID_NS, false, PA(0), buf, HW_DMA_MAX_LEN + 1,
                                HW_ACCESS_READ, &fault),
                         HW_DMA_FAULT);
        assert_int_equal(fault.reason, HW_DMA_BAD_REQUEST);
        assert_int_equal(hw_dma(f->s, SID_NS, false, PA(0), buf, 4, (enum hw_access)5, &fault),
                         HW_DMA_FAULT);
        assert_int_equal(fault.reason, HW_DMA_BAD_REQUEST);
        /* the longest one, unaligned: 17 pages */
        assert_int_equal(hw_dma(f->s, SID_NS, false, PA(0) + 1, buf, HW_DMA_MAX_LEN, HW_ACCESS_READ,
                                NULL),
                         HW_OK);
}

static void smmu_zero_length_transaction_is_checked_but_moves_nothing(void **state)
{
        struct fixture *f = *state;
        struct hw_dma_fault fault;

        install_bypass(f, SID_NS);
        set_pas(f->m, PA(1), HW_PAS_REALM);
        assert_int_equal(hw_dma(f->s, SID_NS, false, PA(0), NULL, 0, HW_ACCESS_WRITE, NULL), HW_OK);
        assert_int_equal(hw_dma(f->s, SID_NS, false, PA(1), NULL, 0, HW_ACCESS_WRITE, &fault),
                         HW_GPF);
        assert_int_equal(hw_dma(f->s, SID_NS, true, PA(0), NULL, 0, HW_ACCESS_WRITE, &fault),
                         HW_DMA_FAULT);
        assert_int_equal(fault.reason, HW_DMA_T_MISMATCH);
}

/* ---- fault records ---- */

static void smmu_event_queue_keeps_the_oldest_records_and_counts_overflow(void **state)
{
        struct fixture *f = *state;
        struct hw_dma_fault ev;
        struct hw_smmu_stats st;

        for (unsigned i = 0; i < HW_SMMU_EVTQ_LEN + 5; i++)
                assert_int_equal(hw_dma(f->s, (uint16_t)i, i & 1u, PA(0) + i, NULL, 0,
                                        HW_ACCESS_READ, NULL),
                                 HW_DMA_FAULT);
        assert_int_equal(hw_smmu_evtq_count(f->s), HW_SMMU_EVTQ_LEN);
        hw_smmu_stats(f->s, &st);
        assert_int_equal(st.evtq_overflows, 5);
        assert_int_equal(st.faults[HW_DMA_STREAM_ABORT], HW_SMMU_EVTQ_LEN + 5);
        for (unsigned i = 0; i < HW_SMMU_EVTQ_LEN; i++) {
                assert_true(hw_smmu_evtq_pop(f->s, &ev));
                assert_int_equal(ev.stream_id, i);
                assert_int_equal(ev.t, i & 1u);
                assert_int_equal(ev.iova, PA(0) + i);
                assert_int_equal(ev.reason, HW_DMA_STREAM_ABORT);
        }
        memset(&ev, 0x3C, sizeof(ev));
        assert_false(hw_smmu_evtq_pop(f->s, &ev));
        assert_int_equal(ev.stream_id, 0x3C3C);
        /* drained, it fills again from the start */
        assert_int_equal(hw_dma(f->s, 7, false, PA(1), NULL, 0, HW_ACCESS_WRITE, NULL), HW_DMA_FAULT);
        assert_int_equal(hw_smmu_evtq_count(f->s), 1);
        assert_true(hw_smmu_evtq_pop(f->s, &ev));
        assert_int_equal(ev.stream_id, 7);
        assert_int_equal(ev.access, HW_ACCESS_WRITE);
        hw_smmu_stats(f->s, &st);
        assert_int_equal(st.evtq_overflows, 5);
}

static void smmu_fault_emits_smmu_fault_trace_line(void **state)
{
        struct fixture *f = *state;
        uint8_t buf[4] = { 0 };
        char *text = NULL;
        size_t len = 0;
        FILE *pipe = open_memstream(&text, &len);

        assert_non_null(pipe);
        trace_set_pipe(&f->t, pipe);
        assert_true(trace_set_events(&f->t, "smmu"));
        trace_set_who(&f->t, "dev", 7, 0, NULL);
        assert_int_equal(hw_dma(f->s, SID_TDI, true, IPA(3) + 4, buf, sizeof(buf), HW_ACCESS_WRITE,
                                NULL),
                         HW_DMA_FAULT);
        assert_int_equal(trace_count(&f->t, "smmu_fault"), 1);
        assert_int_equal(fflush(pipe), 0);
        assert_string_equal(text, "             dev-7       [000] .....     0.000000: smmu_fault: "
                                  "sid=0x0208 t=1 access=write iova=0x40003004 pa=- "
                                  "reason=stream_abort\n");
        /* a GPF is both the GPC's event and the SMMU's, with the output address */
        assert_true(trace_set_events(&f->t, "smmu,gpf"));
        install_bypass(f, SID_NS);
        set_pas(f->m, PA(2), HW_PAS_REALM);
        assert_int_equal(hw_dma(f->s, SID_NS, false, PA(2), buf, sizeof(buf), HW_ACCESS_READ, NULL),
                         HW_GPF);
        assert_int_equal(fflush(pipe), 0);
        assert_non_null(strstr(text, "gpf: world=Non-secure pa=0x80002000 pas=Realm access=read\n"));
        assert_non_null(strstr(text, "smmu_fault: sid=0x0100 t=0 access=read iova=0x80002000 "
                                     "pa=0x80002000 reason=gpf\n"));
        trace_set_pipe(&f->t, NULL);
        assert_int_equal(fclose(pipe), 0);
        free(text);
}

/* smmu_ste: every STE change made, as it now stands and by whom; a refused one says nothing. */
static void smmu_ste_changes_emit_smmu_ste_trace_lines(void **state)
{
        struct fixture *f = *state;
        char *text = NULL;
        size_t len = 0;
        FILE *pipe = open_memstream(&text, &len);
        struct hw_ste abort = { .mode = HW_STE_ABORT };

        assert_non_null(pipe);
        trace_set_pipe(&f->t, pipe);
        assert_true(trace_set_events(&f->t, "smmu_ste"));
        install_bypass(f, SID_NS);
        install_realm(f, SID_TDI, true);
        assert_int_equal(hw_smmu_ste_set(f->s, HW_WORLD_NS, SID_TDI, &abort), HW_SMMU_DENIED);
        assert_int_equal(hw_smmu_ste_dma_enable(f->s, HW_WORLD_ROOT, SID_TDI, false), HW_SMMU_OK);
        assert_int_equal(fflush(pipe), 0);
        assert_non_null(strstr(text, "smmu_ste: sid=0x0100 mode=bypass dma=- by=Non-secure\n"));
        assert_non_null(strstr(text, "smmu_ste: sid=0x0208 mode=realm dma=off by=Realm\n"));
        assert_non_null(strstr(text, "smmu_ste: sid=0x0208 mode=realm dma=on by=Realm\n"));
        assert_non_null(strstr(text, "smmu_ste: sid=0x0208 mode=realm dma=off by=Root\n"));
        assert_int_equal(trace_count(&f->t, "smmu_ste"), 4);
        trace_set_pipe(&f->t, NULL);
        assert_int_equal(fclose(pipe), 0);
        free(text);
}

static void smmu_without_trace_still_queues_and_counts(void **state)
{
        struct hw_mem *m;
        struct hw_smmu *s;
        struct hw_smmu_stats st;
        struct hw_dma_fault ev;

        (void)state;
        assert_true(hw_mem_create(&m, BASE, SIZE, NULL));
        assert_true(hw_smmu_create(&s, m, NULL));
        assert_int_equal(hw_dma(s, 1, false, BASE, NULL, 0, HW_ACCESS_READ, NULL), HW_DMA_FAULT);
        hw_smmu_stats(s, &st);
        assert_int_equal(st.transactions, 1);
        assert_int_equal(st.faults[HW_DMA_STREAM_ABORT], 1);
        assert_true(hw_smmu_evtq_pop(s, &ev));
        assert_int_equal(ev.stream_id, 1);
        hw_smmu_destroy(s);
        hw_mem_destroy(m);
}

static void smmu_stats_count_transactions_bytes_and_faults_by_reason(void **state)
{
        struct fixture *f = *state;
        uint8_t buf[100] = { 0 };
        struct hw_smmu_stats st;

        install_bypass(f, SID_NS);
        install_realm(f, SID_TDI, false);
        assert_int_equal(hw_dma(f->s, SID_NS, false, PA(0), buf, sizeof(buf), HW_ACCESS_WRITE, NULL),
                         HW_OK);
        assert_int_equal(hw_dma(f->s, SID_NS, true, PA(0), buf, sizeof(buf), HW_ACCESS_WRITE, NULL),
                         HW_DMA_FAULT);
        assert_int_equal(hw_dma(f->s, SID_TDI, true, IPA(0), buf, sizeof(buf), HW_ACCESS_WRITE, NULL),
                         HW_DMA_FAULT);
        assert_int_equal(hw_dma(f->s, SID_TDI, false, IPA(0), buf, sizeof(buf), HW_ACCESS_WRITE, NULL),
                         HW_DMA_FAULT);
        hw_smmu_stats(f->s, &st);
        assert_int_equal(st.transactions, 4);
        assert_int_equal(st.bytes, sizeof(buf));
        assert_int_equal(st.faults[HW_DMA_OK], 0);
        assert_int_equal(st.faults[HW_DMA_T_MISMATCH], 2);
        assert_int_equal(st.faults[HW_DMA_NOT_ENABLED], 1);
        assert_int_equal(st.faults[HW_DMA_GPF], 0);
        assert_int_equal(st.ste_writes, 2);
        assert_int_equal(st.ste_refused, 0);
}

static void smmu_statuses_and_modes_have_names(void **state)
{
        (void)state;
        assert_string_equal(hw_smmu_status_name(HW_SMMU_OK), "ok");
        assert_string_equal(hw_smmu_status_name(HW_SMMU_DENIED), "denied");
        assert_string_equal(hw_smmu_status_name(HW_SMMU_BAD_STE), "bad_ste");
        assert_string_equal(hw_smmu_status_name(HW_SMMU_NO_MEMORY), "no_memory");
        assert_string_equal(hw_smmu_status_name((enum hw_smmu_status)42), "unknown");
        assert_string_equal(hw_ste_mode_name(HW_STE_ABORT), "abort");
        assert_string_equal(hw_ste_mode_name(HW_STE_BYPASS), "bypass");
        assert_string_equal(hw_ste_mode_name(HW_STE_REALM), "realm");
        assert_string_equal(hw_ste_mode_name((enum hw_ste_mode)42), "unknown");
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
        const struct CMUnitTest tests[] = {
                T(smmu_every_stream_starts_abort),
                T(smmu_ste_mode_t_bit_and_dma_enable_decide_each_transaction),
                T(smmu_ns_world_may_program_bypass_and_abort),
                T(smmu_ns_world_cannot_touch_a_realm_ste),
                T(smmu_ste_set_rejects_malformed_entries_and_callers),
                T(smmu_bypass_stream_reads_and_writes_ns_memory),
                T(smmu_bypass_stream_faults_gpf_on_every_granule_not_non_secure),
                T(smmu_bypass_stream_faults_outside_memory_and_on_wrap),
                T(smmu_realm_stream_reaches_its_realm_granules_through_stage2),
                T(smmu_realm_stream_tells_its_observer_every_piece_it_wrote_and_nothing_else),
                T(smmu_realm_stream_faults_where_stage2_maps_nothing),
                T(smmu_realm_stream_refuses_granules_its_realm_does_not_own),
                T(smmu_realm_stream_reaches_ns_granules_its_stage2_maps),
                T(smmu_realm_stream_stops_when_its_dma_is_disabled),
                T(smmu_multi_page_write_faulting_on_its_last_page_changes_nothing),
                T(smmu_multi_page_read_faulting_on_its_last_page_leaves_the_buffer),
                T(smmu_rejects_overlong_or_malformed_requests),
                T(smmu_zero_length_transaction_is_checked_but_moves_nothing),
                T(smmu_event_queue_keeps_the_oldest_records_and_counts_overflow),
                T(smmu_fault_emits_smmu_fault_trace_line),
                T(smmu_ste_changes_emit_smmu_ste_trace_lines),
                cmocka_unit_test(smmu_without_trace_still_queues_and_counts),
                T(smmu_stats_count_transactions_bytes_and_faults_by_reason),
                T(smmu_statuses_and_modes_have_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
