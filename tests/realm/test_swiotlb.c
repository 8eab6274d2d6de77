/* SWIOTLB bounce pool: Linux semantics (facts/rme-swiotlb-virtio.md §1) and the
 * documented extensions (growth, back-pressure, the bitmap allocator). Runs over the fake
 * Realm kernel, which faults any access to the pool that does not go through its alias.
 *
 * Built twice: test_swiotlb with Linux's free-run list, test_swiotlb_bitmap with every pool
 * of every test on the bitmap allocator (TEST_ALLOC), so that each expectation below (the
 * slots taken, the cursor, the areas, the failures) holds for both. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ccada/parse.h"
#include "fake_kernel.h"
#include "lib/prng.h"
#include "realm/dma.h"
#include "realm/swiotlb.h"

#define KiB 1024u
#define BUF_PAGES 1024u /* 4 MiB of private scratch */

#ifndef TEST_ALLOC
#define TEST_ALLOC SWIOTLB_ALLOC_LIST
#endif

/* The slot state machine holds (swiotlb.h); fails the test with what broke. */
static void expect_invariants(struct swiotlb *tlb)
{
        const char *why;

        if (!swiotlb_check_invariants(tlb, &why))
                fail_msg("swiotlb invariant broken: %s", why);
}

struct env {
        struct realm_kernel *k;
        struct swiotlb *tlb;
        struct dma_dev dev;
        uint64_t pool;          /* canonical start of pool 0 */
        unsigned long nslabs;
        unsigned nareas;
        uint64_t buf;           /* private scratch */
        size_t free_before;     /* fake pages free before swiotlb_init */
};

static void env_init_alloc(struct env *e, bool realm, const struct swiotlb_config *cfg, enum swiotlb_alloc alloc)
{
        struct swiotlb_config c = cfg ? *cfg : (struct swiotlb_config){ 0 };

        c.alloc = alloc;
        memset(e, 0, sizeof(*e));
        e->k = fake_kernel_new(realm);
        assert_int_equal(rk_alloc_pages(e->k, BUF_PAGES, &e->buf), CCADA_OK);
        e->free_before = fake_kernel_free_pages(e->k);
        assert_int_equal(swiotlb_init(e->k, &c, &e->tlb), CCADA_OK);
        assert_true(swiotlb_pool_info(e->tlb, 0, &e->pool, &e->nslabs, &e->nareas));
        dma_dev_init(&e->dev, e->k, "0000:00:01.0", "virtio-pci", e->tlb);
}

static void env_init(struct env *e, bool realm, const struct swiotlb_config *cfg)
{
        env_init_alloc(e, realm, cfg, TEST_ALLOC);
}

static struct swiotlb_stats stats(const struct env *e)
{
        struct swiotlb_stats st;

        swiotlb_get_stats(e->tlb, &st);
        return st;
}

/* Destroys the pool; checks it is back to private and free memory. */
static void env_fini(struct env *e)
{
        expect_invariants(e->tlb);
        swiotlb_destroy(e->tlb);
        assert_int_equal(fake_kernel_decrypted_pages(e->k), 0);
        assert_int_equal(fake_kernel_free_pages(e->k), e->free_before);
        assert_int_equal(fake_kernel_bad_frees(e->k), 0);
        fake_kernel_free(e->k);
}

static struct swiotlb_config small_cfg(size_t size)
{
        struct swiotlb_config c = { .size = size };

        return c;
}

static uint64_t map(struct env *e, uint64_t orig, size_t size, enum dma_data_direction dir)
{
        uint64_t t;

        assert_int_equal(swiotlb_tbl_map_single(&e->dev, orig, size, 0, dir, 0, e->dev.cpu, &t),
                         CCADA_OK);
        expect_invariants(e->tlb);
        return t;
}

static void unmap(struct env *e, uint64_t t, size_t size, enum dma_data_direction dir)
{
        assert_int_equal(swiotlb_tbl_unmap_single(&e->dev, t, size, dir, 0), CCADA_OK);
        expect_invariants(e->tlb);
}

static unsigned long slot_of(const struct env *e, uint64_t t)
{
        return (unsigned long)((t - e->pool) >> IO_TLB_SHIFT);
}

static void fill(struct env *e, uint64_t ipa, uint8_t c, size_t len)
{
        assert_int_equal(rk_fill(e->k, ipa, c, len), CCADA_OK);
}

/* Every byte of the guest's [ipa, ipa+len) equals c. */
static void expect_guest(struct env *e, uint64_t ipa, uint8_t c, size_t len)
{
        uint8_t *b = malloc(len);

        assert_non_null(b);
        assert_int_equal(rk_read(e->k, ipa, b, len), CCADA_OK);
        for (size_t i = 0; i < len; i++)
                if (b[i] != c)
                        fail_msg("guest byte %zu of 0x%llx is 0x%02x, want 0x%02x", i,
                                 (unsigned long long)ipa, b[i], c);
        free(b);
}

/* Every byte the host sees at bounce address t equals c. */
static void expect_host(struct env *e, uint64_t t, uint8_t c, size_t len)
{
        uint8_t *b = malloc(len);

        assert_non_null(b);
        assert_int_equal(fake_host_read(e->k, t, b, len), CCADA_OK);
        for (size_t i = 0; i < len; i++)
                if (b[i] != c)
                        fail_msg("host byte %zu of 0x%llx is 0x%02x, want 0x%02x", i,
                                 (unsigned long long)t, b[i], c);
        free(b);
}

static void host_fill(struct env *e, uint64_t t, uint8_t c, size_t len)
{
        uint8_t *b = malloc(len);

        assert_non_null(b);
        memset(b, c, len);
        assert_int_equal(fake_host_write(e->k, t, b, len), CCADA_OK);
        free(b);
}

/* The pool is whole: it can be filled completely with maximal mappings, then emptied. */
static void expect_pool_whole(struct env *e)
{
        unsigned long n = stats(e).nslabs / IO_TLB_SEGSIZE;
        uint64_t *t = calloc(n, sizeof(*t));

        assert_int_equal(stats(e).used, 0);
        for (unsigned long i = 0; i < n; i++)
                t[i] = map(e, e->buf, 256 * KiB, DMA_TO_DEVICE);
        assert_int_equal(stats(e).used, stats(e).nslabs);
        for (unsigned long i = 0; i < n; i++)
                unmap(e, t[i], 256 * KiB, DMA_TO_DEVICE);
        assert_int_equal(stats(e).used, 0);
        free(t);
}

/* ---- init, sizing, destroy ---- */

static void swiotlb_init_default_prints_boot_lines_and_shares_pool(void **state)
{
        struct env e;
        char want[128];

        env_init(&e, true, NULL);
        assert_int_equal(e.nslabs, SWIOTLB_DEFAULT_SIZE / IO_TLB_SIZE);
        assert_int_equal(e.nareas, 1);
        /* swiotlb_print_info prints mem->end, the exclusive end */
        snprintf(want, sizeof(want), "software IO TLB: mapped [mem 0x%016llx-0x%016llx] (4MB)\n",
                 (unsigned long long)e.pool,
                 (unsigned long long)(e.pool + SWIOTLB_DEFAULT_SIZE));
        assert_non_null(strstr(fake_kernel_log(e.k), want));
        assert_non_null(strstr(fake_kernel_log(e.k), "software IO TLB: area num 1.\n"));
        assert_null(strstr(fake_kernel_log(e.k), "roundup"));
        /* Linux warns of memory encryption at the first bounce, not at boot */
        assert_null(strstr(fake_kernel_log(e.k), "Memory encryption"));
        assert_int_equal(fake_kernel_decrypted_pages(e.k), SWIOTLB_DEFAULT_SIZE / RK_PAGE_SIZE);
        /* The host reaches the pool; the guest reaches it only through the alias. */
        uint8_t b[16];

        assert_int_equal(fake_host_read(e.k, e.pool, b, sizeof(b)), CCADA_OK);
        assert_int_equal(rk_read(e.k, e.pool, b, sizeof(b)), CCADA_E_SEA);
        assert_int_equal(rk_read(e.k, e.pool | FAKE_SHARED_BIT, b, sizeof(b)), CCADA_OK);
        assert_int_equal(fake_host_read(e.k, e.buf, b, sizeof(b)), CCADA_E_GPF);
        env_fini(&e);
}

static void swiotlb_init_too_small_for_areas_raises_nslabs(void **state)
{
        struct swiotlb_config c = { .size = 128 * KiB, .nareas = 4 };
        struct env e;

        env_init(&e, true, &c);
        assert_int_equal(e.nslabs, 4 * IO_TLB_SEGSIZE);
        assert_int_equal(e.nareas, 4);
        assert_non_null(strstr(fake_kernel_log(e.k), "software IO TLB: area num 4.\n"));
        assert_non_null(strstr(fake_kernel_log(e.k),
                               "software IO TLB: SWIOTLB bounce buffer size roundup to 1MB\n"));
        env_fini(&e);
}

static void swiotlb_init_not_power_of_two_rounds_up(void **state)
{
        struct swiotlb_config c = { .size = 3u << 20, .ncpus = 3 };
        struct env e;

        env_init(&e, true, &c);
        assert_int_equal(e.nslabs, 2048);
        assert_int_equal(e.nareas, 4); /* 3 CPUs rounded up */
        assert_non_null(strstr(fake_kernel_log(e.k), "roundup to 4MB\n"));
        env_fini(&e);
}

static void swiotlb_init_odd_size_rounds_to_segment_multiple(void **state)
{
        struct swiotlb_config c = { .size = 100 };
        struct env e;

        env_init(&e, true, &c);
        assert_int_equal(e.nslabs, IO_TLB_SEGSIZE);
        env_fini(&e);
}

static void swiotlb_init_bad_config_rejected(void **state)
{
        struct swiotlb_config c = { .nareas = 3 }; /* not a power of two */
        struct realm_kernel *k = fake_kernel_new(true);
        struct swiotlb *tlb = NULL;

        assert_int_equal(swiotlb_init(k, &c, &tlb), CCADA_E_INVAL);
        assert_null(tlb);
        c = (struct swiotlb_config){ .size = SWIOTLB_MAX_SIZE + 1 };
        assert_int_equal(swiotlb_init(k, &c, &tlb), CCADA_E_INVAL);
        c = (struct swiotlb_config){ .max_pools = SWIOTLB_MAX_POOLS_LIMIT + 1 };
        assert_int_equal(swiotlb_init(k, &c, &tlb), CCADA_E_INVAL);
        c = (struct swiotlb_config){ .alloc = (enum swiotlb_alloc)2 }; /* neither list nor bitmap */
        assert_int_equal(swiotlb_init(k, &c, &tlb), CCADA_E_INVAL);
        assert_null(tlb);
        assert_int_equal(fake_kernel_decrypted_pages(k), 0);
        fake_kernel_free(k);
}

static void swiotlb_init_alloc_failure_halves_pool(void **state)
{
        struct realm_kernel *k = fake_kernel_new(true);
        struct swiotlb *tlb;
        struct swiotlb_stats st;

        fake_kernel_fail_alloc_over(k, 256); /* 1 MiB */
        assert_int_equal(swiotlb_init(k, NULL, &tlb), CCADA_OK);
        swiotlb_get_stats(tlb, &st);
        assert_int_equal(st.nslabs, IO_TLB_MIN_SLABS);
        assert_non_null(strstr(fake_kernel_log(k), "(1MB)\n"));
        swiotlb_destroy(tlb);
        fake_kernel_free(k);
}

static void swiotlb_init_decrypt_failure_leaks_pages(void **state)
{
        struct realm_kernel *k = fake_kernel_new(true);
        struct swiotlb *tlb = NULL;
        size_t before = fake_kernel_free_pages(k);

        fake_kernel_fail_decrypt(k, 1);
        assert_int_equal(swiotlb_init(k, NULL, &tlb), CCADA_E_RMM);
        assert_int_equal(fake_kernel_free_pages(k), before - SWIOTLB_DEFAULT_SIZE / RK_PAGE_SIZE);
        assert_non_null(strstr(fake_kernel_log(k), "pages will be leaked"));
        fake_kernel_free(k);
}

static void swiotlb_destroy_encrypt_failure_leaks_pool(void **state)
{
        struct realm_kernel *k = fake_kernel_new(true);
        struct swiotlb *tlb;
        size_t before = fake_kernel_free_pages(k);

        assert_int_equal(swiotlb_init(k, NULL, &tlb), CCADA_OK);
        fake_kernel_fail_encrypt(k, 1);
        swiotlb_destroy(tlb);
        assert_int_equal(fake_kernel_free_pages(k), before - SWIOTLB_DEFAULT_SIZE / RK_PAGE_SIZE);
        assert_int_equal(fake_kernel_bad_frees(k), 0);
        assert_non_null(strstr(fake_kernel_log(k), "Failed to encrypt memory"));
        fake_kernel_free(k);
}

/* ---- alignment (facts §1.4 steps 1-3) ---- */

static void swiotlb_map_small_buffers_take_consecutive_unaligned_slots(void **state)
{
        struct env e;

        env_init(&e, true, NULL);
        uint64_t a = map(&e, e.buf + 0x123, 100, DMA_TO_DEVICE);
        uint64_t b = map(&e, e.buf + 5, 100, DMA_TO_DEVICE);

        assert_int_equal(a, e.pool); /* no min_align_mask: low bits not kept */
        assert_int_equal(b, e.pool + IO_TLB_SIZE);
        assert_int_equal(stats(&e).used, 2);
        unmap(&e, a, 100, DMA_TO_DEVICE);
        unmap(&e, b, 100, DMA_TO_DEVICE);
        env_fini(&e);
}

static void swiotlb_map_page_or_larger_is_page_aligned(void **state)
{
        struct env e;

        env_init(&e, true, NULL);
        uint64_t a = map(&e, e.buf, 100, DMA_TO_DEVICE);        /* slot 0 */
        uint64_t b = map(&e, e.buf + 0x10, 4096, DMA_TO_DEVICE); /* skips slot 1 */
        uint64_t c = map(&e, e.buf, 100, DMA_TO_DEVICE);        /* slot 4 */
        uint64_t d = map(&e, e.buf, 5000, DMA_TO_DEVICE);       /* skips slot 5 */

        assert_int_equal(slot_of(&e, b), 2);
        assert_int_equal(b % RK_PAGE_SIZE, 0);
        assert_int_equal(slot_of(&e, c), 4);
        assert_int_equal(slot_of(&e, d), 6);
        assert_int_equal(d % RK_PAGE_SIZE, 0);
        unmap(&e, a, 100, DMA_TO_DEVICE);
        unmap(&e, b, 4096, DMA_TO_DEVICE);
        unmap(&e, c, 100, DMA_TO_DEVICE);
        unmap(&e, d, 5000, DMA_TO_DEVICE);
        expect_pool_whole(&e);
        env_fini(&e);
}

static void swiotlb_map_min_align_mask_preserves_low_bits(void **state)
{
        struct env e;

        env_init(&e, true, NULL);
        e.dev.min_align_mask = 4095; /* NVMe */
        uint64_t orig = e.buf + 0x923;

        fill(&e, orig, 0x6e, 5000);
        uint64_t t = map(&e, orig, 5000, DMA_TO_DEVICE);

        assert_int_equal(t & 4095, 0x923);
        assert_int_equal(slot_of(&e, t), 1); /* not page-aligned: the device set a mask */
        assert_int_equal(stats(&e).used, 3);  /* 0x123 + 5000 bytes */
        expect_host(&e, t, 0x6e, 5000);
        unmap(&e, t, 5000, DMA_TO_DEVICE);
        assert_int_equal(swiotlb_max_mapping_size(&e.dev), 252 * KiB);
        env_fini(&e);
}

static void swiotlb_map_alloc_align_mask_aligns_and_pads(void **state)
{
        struct env e;
        uint64_t t;

        env_init(&e, true, NULL);
        e.dev.min_align_mask = 4095;
        uint64_t orig = e.buf + 0xa40; /* pre-padding: one whole slot + 0x240 */

        fill(&e, orig, 0x11, 100);
        assert_int_equal(swiotlb_tbl_map_single(&e.dev, orig, 100, 0xffff, DMA_FROM_DEVICE, 0, 0, &t),
                         CCADA_OK);
        assert_int_equal((t | FAKE_SHARED_BIT) & 0xffff, 0xa40);
        assert_int_equal(stats(&e).used, 32); /* ALIGN(100 + 0xa40, 64 KiB) */
        /* Before the mapping start (inside the head slot): refused, nothing copied. */
        assert_int_equal(swiotlb_sync_single_for_cpu(&e.dev, t - 1, 10, DMA_FROM_DEVICE),
                         CCADA_E_INVAL);
        /* The padding slot is not a mapping. */
        assert_int_equal(swiotlb_tbl_unmap_single(&e.dev, t - IO_TLB_SIZE, 100, DMA_FROM_DEVICE, 0),
                         CCADA_E_INVAL);
        host_fill(&e, t, 0xdd, 100);
        unmap(&e, t, 100, DMA_FROM_DEVICE);
        expect_guest(&e, orig, 0xdd, 100);
        expect_guest(&e, orig - 1, 0x00, 1);
        expect_guest(&e, orig + 100, 0x00, 1);
        expect_pool_whole(&e);
        env_fini(&e);
}

static void swiotlb_map_alloc_align_mask_not_a_mask_rejected(void **state)
{
        struct env e;
        uint64_t t;

        env_init(&e, true, NULL);
        assert_int_equal(swiotlb_tbl_map_single(&e.dev, e.buf, 100, 0x1234, DMA_TO_DEVICE, 0, 0, &t),
                         CCADA_E_INVAL);
        assert_int_equal(t, DMA_MAPPING_ERROR);
        assert_int_equal(stats(&e).used, 0);
        env_fini(&e);
}

/* ---- areas (facts §1.3) ---- */

static void swiotlb_area_choice_starts_at_cpu_area(void **state)
{
        struct swiotlb_config c = { .size = 1u << 20, .nareas = 4 };
        struct env e;

        env_init(&e, true, &c);
        assert_int_equal(e.nareas, 4);
        e.dev.cpu = 2;
        uint64_t a = map(&e, e.buf, 100, DMA_TO_DEVICE);

        e.dev.cpu = 5; /* & (nareas - 1) */
        uint64_t b = map(&e, e.buf, 100, DMA_TO_DEVICE);

        assert_int_equal(slot_of(&e, a), 256);
        assert_int_equal(slot_of(&e, b), 128);
        unmap(&e, a, 100, DMA_TO_DEVICE);
        unmap(&e, b, 100, DMA_TO_DEVICE);
        env_fini(&e);
}

static void swiotlb_area_full_falls_over_to_next_area(void **state)
{
        struct swiotlb_config c = { .size = 1u << 20, .nareas = 4 };
        struct env e;

        env_init(&e, true, &c);
        e.dev.cpu = 3;
        uint64_t a = map(&e, e.buf, 256 * KiB, DMA_TO_DEVICE); /* all of area 3 */
        uint64_t b = map(&e, e.buf, 100, DMA_TO_DEVICE);       /* wraps to area 0 */
        uint64_t d = map(&e, e.buf, 256 * KiB, DMA_TO_DEVICE); /* area 0 busy: area 1 */

        assert_int_equal(slot_of(&e, a), 384);
        assert_int_equal(slot_of(&e, b), 0);
        assert_int_equal(slot_of(&e, d), 128);
        unmap(&e, a, 256 * KiB, DMA_TO_DEVICE);
        unmap(&e, b, 100, DMA_TO_DEVICE);
        unmap(&e, d, 256 * KiB, DMA_TO_DEVICE);
        expect_pool_whole(&e);
        env_fini(&e);
}

/* ---- segments and sizes ---- */

static void swiotlb_map_over_256k_fails_cleanly_256k_works(void **state)
{
        struct env e;
        uint64_t t;

        env_init(&e, true, NULL);
        assert_int_equal(swiotlb_tbl_map_single(&e.dev, e.buf, 256 * KiB + 1, 0, DMA_TO_DEVICE, 0, 0, &t),
                         CCADA_E_RANGE);
        assert_int_equal(t, DMA_MAPPING_ERROR);
        assert_non_null(strstr(fake_kernel_log(e.k), "swiotlb buffer is full (sz: 262145 bytes)"));
        assert_int_equal(stats(&e).used, 0);
        t = map(&e, e.buf, 256 * KiB, DMA_TO_DEVICE);
        assert_int_equal(stats(&e).used, IO_TLB_SEGSIZE);
        unmap(&e, t, 256 * KiB, DMA_TO_DEVICE);
        /* With min_align_mask, low bits eat into the segment: 256 KiB at +0x10 fails. */
        e.dev.min_align_mask = 4095;
        assert_int_equal(swiotlb_tbl_map_single(&e.dev, e.buf + 0x10, 256 * KiB, 0, DMA_TO_DEVICE, 0, 0, &t),
                         CCADA_E_RANGE);
        expect_pool_whole(&e);
        env_fini(&e);
}

static void swiotlb_map_never_crosses_segment_boundary(void **state)
{
        struct swiotlb_config c = small_cfg(1u << 20);
        struct env e;

        env_init(&e, true, &c);
        uint64_t a = map(&e, e.buf, 200 * KiB, DMA_TO_DEVICE); /* slots 0..99 */
        uint64_t b = map(&e, e.buf, 100 * KiB, DMA_TO_DEVICE); /* 28 left in segment 0 */
        uint64_t d = map(&e, e.buf, 40 * KiB, DMA_TO_DEVICE);  /* fits in 150..177 */

        assert_int_equal(slot_of(&e, a), 0);
        assert_int_equal(slot_of(&e, b), 128);
        assert_int_equal(slot_of(&e, d), 178);
        unmap(&e, b, 100 * KiB, DMA_TO_DEVICE);
        uint64_t f = map(&e, e.buf, 56 * KiB, DMA_TO_DEVICE); /* 28 slots: 100..127 fit */

        assert_int_equal(slot_of(&e, f), 198);                 /* next-fit from the cursor */
        unmap(&e, a, 200 * KiB, DMA_TO_DEVICE);
        unmap(&e, d, 40 * KiB, DMA_TO_DEVICE);
        unmap(&e, f, 56 * KiB, DMA_TO_DEVICE);
        expect_pool_whole(&e);
        env_fini(&e);
}

static void swiotlb_seg_boundary_mask_respected(void **state)
{
        struct env e;

        env_init(&e, true, NULL);
        e.dev.seg_boundary_mask = 0x3fff; /* 16 KiB: 8 slots */
        uint64_t a = map(&e, e.buf, 6 * KiB, DMA_TO_DEVICE);
        uint64_t b = map(&e, e.buf, 6 * KiB, DMA_TO_DEVICE);
        uint64_t da = a | FAKE_SHARED_BIT, db = b | FAKE_SHARED_BIT;

        assert_int_equal(da >> 14, (da + 6 * KiB - 1) >> 14);
        assert_int_equal(db >> 14, (db + 6 * KiB - 1) >> 14);
        unmap(&e, a, 6 * KiB, DMA_TO_DEVICE);
        unmap(&e, b, 6 * KiB, DMA_TO_DEVICE);
        env_fini(&e);
}

/* ---- exhaustion ---- */

static void swiotlb_exhaustion_prints_exact_message_and_keeps_state(void **state)
{
        struct swiotlb_config c = small_cfg(512 * KiB);
        struct env e;
        char *tr = NULL;
        size_t trlen = 0;
        FILE *pipe = open_memstream(&tr, &trlen);
        uint64_t t, x;

        env_init(&e, true, &c);
        trace_set_pipe(rk_trace(e.k), pipe);
        assert_true(trace_set_events(rk_trace(e.k), "swiotlb_full"));
        uint64_t a = map(&e, e.buf, 256 * KiB, DMA_TO_DEVICE);
        uint64_t b = map(&e, e.buf, 256 * KiB, DMA_TO_DEVICE);

        fake_kernel_log_clear(e.k);
        assert_int_equal(swiotlb_tbl_map_single(&e.dev, e.buf, 2048, 0, DMA_TO_DEVICE, 0, 0, &t),
                         CCADA_E_NOSPC);
        assert_int_equal(t, DMA_MAPPING_ERROR);
        assert_string_equal(fake_kernel_log(e.k),
                            "virtio-pci 0000:00:01.0: swiotlb buffer is full (sz: 2048 bytes), "
                            "total 256 (slots), used 256 (slots)\n");
        fflush(pipe);
        assert_non_null(strstr(tr, "swiotlb_full: dev=0000:00:01.0 size=2048 total=256 used=256\n"));
        /* DMA_ATTR_NO_WARN: fails the same, silently. */
        fake_kernel_log_clear(e.k);
        assert_int_equal(swiotlb_tbl_map_single(&e.dev, e.buf, 2048, 0, DMA_TO_DEVICE,
                                                DMA_ATTR_NO_WARN, 0, &t), CCADA_E_NOSPC);
        assert_string_equal(fake_kernel_log(e.k), "");
        assert_int_equal(stats(&e).full, 2);
        assert_int_equal(stats(&e).used, 256);
        /* Recovery: unmap one, map again. */
        unmap(&e, a, 256 * KiB, DMA_TO_DEVICE);
        x = map(&e, e.buf, 2048, DMA_TO_DEVICE);
        unmap(&e, x, 2048, DMA_TO_DEVICE);
        unmap(&e, b, 256 * KiB, DMA_TO_DEVICE);
        expect_pool_whole(&e);
        trace_set_pipe(rk_trace(e.k), NULL);
        fclose(pipe);
        free(tr);
        env_fini(&e);
}

static void swiotlb_fragmented_pool_fails_large_request(void **state)
{
        struct swiotlb_config c = small_cfg(512 * KiB);
        struct env e;
        uint64_t t[256];

        env_init(&e, true, &c);
        for (unsigned i = 0; i < 256; i++)
                t[i] = map(&e, e.buf, 100, DMA_TO_DEVICE);
        for (unsigned i = 0; i < 256; i += 2)
                unmap(&e, t[i], 100, DMA_TO_DEVICE);
        uint64_t x;

        /* 128 slots free, but no two are contiguous. */
        assert_int_equal(swiotlb_tbl_map_single(&e.dev, e.buf, 4096, 0, DMA_TO_DEVICE, 0, 0, &x),
                         CCADA_E_NOSPC);
        assert_non_null(strstr(fake_kernel_log(e.k), "total 256 (slots), used 128 (slots)"));
        for (unsigned i = 1; i < 256; i += 2)
                unmap(&e, t[i], 100, DMA_TO_DEVICE);
        expect_pool_whole(&e);
        env_fini(&e);
}

/* ---- next-fit cursor ---- */

static void swiotlb_cursor_is_next_fit_not_first_fit(void **state)
{
        struct env e;

        env_init(&e, true, NULL);
        uint64_t a = map(&e, e.buf, 100, DMA_TO_DEVICE);
        uint64_t b = map(&e, e.buf, 100, DMA_TO_DEVICE);

        unmap(&e, a, 100, DMA_TO_DEVICE);
        uint64_t c = map(&e, e.buf, 100, DMA_TO_DEVICE);

        assert_int_equal(slot_of(&e, c), 2); /* slot 0 is free, but the cursor is at 2 */
        unmap(&e, b, 100, DMA_TO_DEVICE);
        unmap(&e, c, 100, DMA_TO_DEVICE);
        env_fini(&e);
}

static void swiotlb_cursor_wraps_by_reset_to_area_start(void **state)
{
        struct swiotlb_config c = small_cfg(256 * KiB);
        struct env e;

        env_init(&e, true, &c);
        uint64_t a = map(&e, e.buf, 254 * KiB, DMA_TO_DEVICE); /* slots 0..126 */

        unmap(&e, a, 254 * KiB, DMA_TO_DEVICE);
        uint64_t b = map(&e, e.buf, 100, DMA_TO_DEVICE);       /* slot 127 */
        uint64_t d = map(&e, e.buf, 100, DMA_TO_DEVICE);       /* cursor 128 -> 0 */

        assert_int_equal(slot_of(&e, b), 127);
        assert_int_equal(slot_of(&e, d), 0);
        unmap(&e, b, 100, DMA_TO_DEVICE);
        unmap(&e, d, 100, DMA_TO_DEVICE);
        /* Cursor at 1 (odd) and a page-aligned request: the index steps to 2. */
        uint64_t f = map(&e, e.buf, 4096, DMA_TO_DEVICE);

        assert_int_equal(slot_of(&e, f), 2);
        unmap(&e, f, 4096, DMA_TO_DEVICE);
        expect_pool_whole(&e);
        env_fini(&e);
}

/* ---- copy semantics (facts §1.6) and stale data (CVE-2022-0854) ---- */

static void swiotlb_from_device_never_exposes_previous_users_data(void **state)
{
        struct swiotlb_config c = small_cfg(256 * KiB); /* one segment: same slots reused */
        struct env e;

        env_init(&e, true, &c);
        uint64_t secret = e.buf, mine = e.buf + 512 * KiB;

        rk_set_current(e.k, "secret-app", 101);
        fill(&e, secret, 'S', 256 * KiB);
        uint64_t a = map(&e, secret, 256 * KiB, DMA_TO_DEVICE);

        unmap(&e, a, 256 * KiB, DMA_TO_DEVICE);
        expect_host(&e, a, 'S', 256 * KiB); /* not scrubbed (Linux) */
        rk_set_current(e.k, "reader", 202);
        fill(&e, mine, 'o', 256 * KiB);
        uint64_t b = map(&e, mine, 256 * KiB, DMA_FROM_DEVICE);

        assert_int_equal(b, a);
        /* The device sees only the caller's own bytes ... */
        expect_host(&e, b, 'o', 256 * KiB);
        /* ... and a partial device write returns the caller's old bytes elsewhere. */
        host_fill(&e, b, 'D', 100);
        unmap(&e, b, 256 * KiB, DMA_FROM_DEVICE);
        expect_guest(&e, mine, 'D', 100);
        expect_guest(&e, mine + 100, 'o', 256 * KiB - 100);
        env_fini(&e);
}

static void swiotlb_map_copies_to_bounce_for_every_direction(void **state)
{
        const enum dma_data_direction dirs[] = { DMA_TO_DEVICE, DMA_FROM_DEVICE, DMA_BIDIRECTIONAL };
        struct env e;

        env_init(&e, true, NULL);
        for (unsigned i = 0; i < 3; i++) {
                for (unsigned skip = 0; skip < 2; skip++) {
                        uint64_t t;
                        uint8_t c = (uint8_t)(0x30 + i * 2 + skip);

                        fill(&e, e.buf, c, 3000);
                        assert_int_equal(swiotlb_tbl_map_single(&e.dev, e.buf, 3000, 0, dirs[i],
                                                                skip ? DMA_ATTR_SKIP_CPU_SYNC : 0,
                                                                0, &t), CCADA_OK);
                        expect_host(&e, t, c, 3000);
                        assert_int_equal(swiotlb_tbl_unmap_single(&e.dev, t, 3000, dirs[i],
                                                                  DMA_ATTR_SKIP_CPU_SYNC), CCADA_OK);
                }
        }
        assert_int_equal(stats(&e).bounced_bytes, 6 * 3000);
        assert_int_equal(stats(&e).bounces, 6);
        env_fini(&e);
}

/* One row of the table: after mapping (orig = 'o', bounce = 'o'), orig becomes 'O' and the
 * bounce 'B'; then op runs. Returns what orig and bounce hold afterwards. */
enum op { OP_SYNC_DEV, OP_SYNC_CPU, OP_UNMAP, OP_UNMAP_SKIP };

static void run_op(struct env *e, enum op op, enum dma_data_direction dir, uint8_t *orig_after,
                   uint8_t *bounce_after)
{
        const size_t n = 1500;
        uint64_t t;

        fill(e, e->buf, 'o', n);
        t = map(e, e->buf, n, dir);
        fill(e, e->buf, 'O', n);
        host_fill(e, t, 'B', n);
        switch (op) {
        case OP_SYNC_DEV:
                assert_int_equal(swiotlb_sync_single_for_device(&e->dev, t, n, dir), CCADA_OK);
                break;
        case OP_SYNC_CPU:
                assert_int_equal(swiotlb_sync_single_for_cpu(&e->dev, t, n, dir), CCADA_OK);
                break;
        case OP_UNMAP:
        case OP_UNMAP_SKIP:
                assert_int_equal(swiotlb_tbl_unmap_single(&e->dev, t, n, dir,
                                                          op == OP_UNMAP_SKIP ? DMA_ATTR_SKIP_CPU_SYNC : 0),
                                 CCADA_OK);
                break;
        }
        assert_int_equal(rk_read(e->k, e->buf + n / 2, orig_after, 1), CCADA_OK);
        assert_int_equal(fake_host_read(e->k, t + n / 2, bounce_after, 1), CCADA_OK);
        expect_guest(e, e->buf, *orig_after, n);
        expect_host(e, t, *bounce_after, n);
        if (op == OP_SYNC_DEV || op == OP_SYNC_CPU)
                unmap(e, t, n, DMA_TO_DEVICE); /* no copy-back */
}

static void swiotlb_copies_follow_direction_table(void **state)
{
        /* facts §1.6. 'O' in the bounce = copied to the device; 'B' in orig = copied back. */
        static const struct {
                enum op op;
                enum dma_data_direction dir;
                uint8_t orig, bounce;
        } rows[] = {
                { OP_SYNC_DEV, DMA_TO_DEVICE, 'O', 'O' },
                { OP_SYNC_DEV, DMA_FROM_DEVICE, 'O', 'B' },
                { OP_SYNC_DEV, DMA_BIDIRECTIONAL, 'O', 'O' },
                { OP_SYNC_CPU, DMA_TO_DEVICE, 'O', 'B' },
                { OP_SYNC_CPU, DMA_FROM_DEVICE, 'B', 'B' },
                { OP_SYNC_CPU, DMA_BIDIRECTIONAL, 'B', 'B' },
                { OP_UNMAP, DMA_TO_DEVICE, 'O', 'B' },
                { OP_UNMAP, DMA_FROM_DEVICE, 'B', 'B' },
                { OP_UNMAP, DMA_BIDIRECTIONAL, 'B', 'B' },
                { OP_UNMAP_SKIP, DMA_FROM_DEVICE, 'O', 'B' },
                { OP_UNMAP_SKIP, DMA_BIDIRECTIONAL, 'O', 'B' },
        };
        struct env e;

        env_init(&e, true, NULL);
        for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
                uint8_t o, b;

                run_op(&e, rows[i].op, rows[i].dir, &o, &b);
                if (o != rows[i].orig || b != rows[i].bounce)
                        fail_msg("row %zu (op %d dir %s): orig '%c' bounce '%c', want '%c' '%c'", i,
                                 rows[i].op, dma_data_direction_name(rows[i].dir), o, b,
                                 rows[i].orig, rows[i].bounce);
        }
        assert_int_equal(stats(&e).used, 0);
        env_fini(&e);
}

static void swiotlb_partial_sync_copies_only_the_subrange(void **state)
{
        struct env e;

        env_init(&e, true, NULL);
        for (unsigned m = 0; m < 2; m++) {
                /* m = 1: min_align_mask keeps 0x300 low bits; the sub-range then starts in
                 * a later slot at an in-slot offset below 0x300 (negative tlb_offset). */
                e.dev.min_align_mask = m ? 4095 : 0;
                uint64_t orig = e.buf + (m ? 0x300 : 0);
                size_t off = 2048 - 0x300 + 16, len = 3000;

                fill(&e, orig, 'o', 8192);
                uint64_t t = map(&e, orig, 8192, DMA_BIDIRECTIONAL);

                host_fill(&e, t, 'D', 8192);
                assert_int_equal(swiotlb_sync_single_for_cpu(&e.dev, t + off, len, DMA_BIDIRECTIONAL),
                                 CCADA_OK);
                expect_guest(&e, orig, 'o', off);
                expect_guest(&e, orig + off, 'D', len);
                expect_guest(&e, orig + off + len, 'o', 8192 - off - len);
                fill(&e, orig, 'n', 8192);
                assert_int_equal(swiotlb_sync_single_for_device(&e.dev, t + 100, 50, DMA_BIDIRECTIONAL),
                                 CCADA_OK);
                expect_host(&e, t, 'D', 100);
                expect_host(&e, t + 100, 'n', 50);
                expect_host(&e, t + 150, 'D', 8192 - 150);
                unmap(&e, t, 8192, DMA_TO_DEVICE);
        }
        env_fini(&e);
}

static void swiotlb_sync_past_mapping_end_is_clamped_with_warning(void **state)
{
        struct env e;

        env_init(&e, true, NULL);
        fill(&e, e.buf, 'o', 1000);
        fill(&e, e.buf + 1000, 'g', 4096); /* guard: the caller's neighbour */
        uint64_t t = map(&e, e.buf, 1000, DMA_FROM_DEVICE);

        host_fill(&e, t, 'D', IO_TLB_SIZE);
        assert_int_equal(swiotlb_sync_single_for_cpu(&e.dev, t + 900, 1000, DMA_FROM_DEVICE),
                         CCADA_OK);
        assert_non_null(strstr(fake_kernel_log(e.k),
                               "virtio-pci 0000:00:01.0: Buffer overflow detected. Allocation size: 100. Mapping size: 1000.\n"));
        expect_guest(&e, e.buf, 'o', 900);
        expect_guest(&e, e.buf + 900, 'D', 100);
        expect_guest(&e, e.buf + 1000, 'g', 4096);
        unmap(&e, t, 1000, DMA_FROM_DEVICE);
        expect_guest(&e, e.buf + 1000, 'g', 4096);
        env_fini(&e);
}

/* ---- bad unmaps never corrupt the pool ---- */

static void swiotlb_unmap_outside_every_pool_rejected(void **state)
{
        struct env e;

        env_init(&e, true, NULL);
        uint64_t t = map(&e, e.buf, 100, DMA_FROM_DEVICE);

        assert_int_equal(swiotlb_tbl_unmap_single(&e.dev, e.buf, 100, DMA_FROM_DEVICE, 0), CCADA_E_INVAL);
        assert_int_equal(swiotlb_tbl_unmap_single(&e.dev, e.pool + SWIOTLB_DEFAULT_SIZE, 100,
                                                  DMA_FROM_DEVICE, 0), CCADA_E_INVAL);
        assert_non_null(strstr(fake_kernel_log(e.k), "outside every pool"));
        assert_int_equal(stats(&e).used, 1);
        unmap(&e, t, 100, DMA_FROM_DEVICE);
        expect_pool_whole(&e);
        env_fini(&e);
}

static void swiotlb_double_unmap_rejected(void **state)
{
        struct env e;

        env_init(&e, true, NULL);
        uint64_t t = map(&e, e.buf, 100, DMA_TO_DEVICE);
        uint64_t u = map(&e, e.buf, 5000, DMA_TO_DEVICE);

        unmap(&e, t, 100, DMA_TO_DEVICE);
        assert_int_equal(swiotlb_tbl_unmap_single(&e.dev, t, 100, DMA_TO_DEVICE, 0), CCADA_E_INVAL);
        assert_non_null(strstr(fake_kernel_log(e.k), "double unmap"));
        /* Inside a live mapping but not its start. */
        assert_int_equal(swiotlb_tbl_unmap_single(&e.dev, u + IO_TLB_SIZE, 100, DMA_TO_DEVICE, 0),
                         CCADA_E_INVAL);
        assert_int_equal(swiotlb_tbl_unmap_single(&e.dev, u + 1, 5000, DMA_TO_DEVICE, 0), CCADA_E_INVAL);
        assert_int_equal(stats(&e).used, 3);
        unmap(&e, u, 5000, DMA_TO_DEVICE);
        assert_int_equal(swiotlb_tbl_unmap_single(&e.dev, u, 5000, DMA_TO_DEVICE, 0), CCADA_E_INVAL);
        expect_pool_whole(&e);
        env_fini(&e);
}

static void swiotlb_unmap_wrong_size_rejected(void **state)
{
        struct env e;

        env_init(&e, true, NULL);
        uint64_t t = map(&e, e.buf, 5000, DMA_TO_DEVICE);

        assert_int_equal(swiotlb_tbl_unmap_single(&e.dev, t, 4999, DMA_TO_DEVICE, 0), CCADA_E_INVAL);
        assert_int_equal(swiotlb_tbl_unmap_single(&e.dev, t, 256 * KiB, DMA_TO_DEVICE, 0), CCADA_E_INVAL);
        assert_non_null(strstr(fake_kernel_log(e.k), "size differs from the mapped size"));
        assert_int_equal(stats(&e).used, 3);
        unmap(&e, t, 5000, DMA_TO_DEVICE);
        expect_pool_whole(&e);
        env_fini(&e);
}

static void swiotlb_sync_of_unmapped_slot_rejected(void **state)
{
        struct env e;

        env_init(&e, true, NULL);
        assert_int_equal(swiotlb_sync_single_for_cpu(&e.dev, e.pool, 10, DMA_FROM_DEVICE), CCADA_E_INVAL);
        assert_int_equal(swiotlb_sync_single_for_device(&e.dev, e.buf, 10, DMA_TO_DEVICE), CCADA_E_INVAL);
        assert_int_equal(swiotlb_sync_single_for_device(&e.dev, e.pool, 10, DMA_NONE), CCADA_E_INVAL);
        expect_pool_whole(&e);
        env_fini(&e);
}

static void swiotlb_map_of_unreadable_buffer_fails_and_releases(void **state)
{
        struct env e;
        uint64_t t;

        env_init(&e, true, NULL);
        /* The pool itself, by its protected IPA: the guest cannot read it (SEA). */
        assert_int_equal(swiotlb_tbl_map_single(&e.dev, e.pool + 8192, 100, 0, DMA_TO_DEVICE, 0, 0, &t),
                         CCADA_E_SEA);
        assert_int_equal(t, DMA_MAPPING_ERROR);
        assert_int_equal(stats(&e).used, 0);
        expect_pool_whole(&e);
        env_fini(&e);
}

/* ---- (a) growth ---- */

static void swiotlb_grow_adds_pool_where_default_fails(void **state)
{
        struct swiotlb_config plain = small_cfg(256 * KiB);
        struct swiotlb_config grow = { .size = 256 * KiB, .grow = true };
        struct env e;
        uint64_t t;

        env_init(&e, true, &plain);
        uint64_t a = map(&e, e.buf, 256 * KiB, DMA_TO_DEVICE);

        assert_int_equal(swiotlb_tbl_map_single(&e.dev, e.buf, 100, 0, DMA_TO_DEVICE, 0, 0, &t),
                         CCADA_E_NOSPC);
        unmap(&e, a, 256 * KiB, DMA_TO_DEVICE);
        env_fini(&e);

        env_init(&e, true, &grow);
        a = map(&e, e.buf, 256 * KiB, DMA_TO_DEVICE);
        fill(&e, e.buf, 'g', 100);
        uint64_t b = map(&e, e.buf, 100, DMA_TO_DEVICE);
        uint64_t start;
        unsigned long n;
        unsigned na;

        assert_int_equal(stats(&e).pools, 2);
        assert_int_equal(stats(&e).nslabs, 256);
        assert_int_equal(stats(&e).full, 0);
        assert_true(swiotlb_pool_info(e.tlb, 1, &start, &n, &na));
        assert_int_equal(n, 128);
        assert_true(b >= start && b < start + (n << IO_TLB_SHIFT));
        assert_true(swiotlb_is_buffer(e.tlb, b | FAKE_SHARED_BIT));
        expect_host(&e, b, 'g', 100); /* new pool is shared too */
        assert_non_null(strstr(fake_kernel_log(e.k), "software IO TLB: added pool 1"));
        unmap(&e, a, 256 * KiB, DMA_TO_DEVICE);
        unmap(&e, b, 100, DMA_TO_DEVICE);
        expect_pool_whole(&e);
        env_fini(&e); /* checks both pools were re-encrypted and freed */
}

static void swiotlb_grow_respects_max_pools(void **state)
{
        struct swiotlb_config c = { .size = 256 * KiB, .grow = true, .max_pools = 2 };
        struct env e;
        uint64_t t;

        env_init(&e, true, &c);
        uint64_t a = map(&e, e.buf, 256 * KiB, DMA_TO_DEVICE);
        uint64_t b = map(&e, e.buf, 256 * KiB, DMA_TO_DEVICE);

        assert_int_equal(swiotlb_tbl_map_single(&e.dev, e.buf, 100, 0, DMA_TO_DEVICE, 0, 0, &t),
                         CCADA_E_NOSPC);
        assert_int_equal(stats(&e).pools, 2);
        assert_int_equal(stats(&e).full, 1);
        assert_non_null(strstr(fake_kernel_log(e.k), "total 256 (slots), used 256 (slots)"));
        unmap(&e, a, 256 * KiB, DMA_TO_DEVICE);
        unmap(&e, b, 256 * KiB, DMA_TO_DEVICE);
        env_fini(&e);
}

static void swiotlb_grow_halves_new_pool_when_memory_is_short(void **state)
{
        struct swiotlb_config c = { .size = 1u << 20, .grow = true };
        struct env e;
        uint64_t t[5], start;
        unsigned long n;
        unsigned na;

        env_init(&e, true, &c);
        fake_kernel_fail_alloc_over(e.k, 64); /* 128 slots at most */
        for (unsigned i = 0; i < 5; i++)
                t[i] = map(&e, e.buf, 256 * KiB, DMA_TO_DEVICE);
        assert_true(swiotlb_pool_info(e.tlb, 1, &start, &n, &na));
        assert_int_equal(n, 128);
        assert_int_equal(stats(&e).nslabs, 640);
        /* Nothing at all can be allocated: growth fails, the map fails as exhaustion. */
        fake_kernel_fail_alloc_over(e.k, 1);
        uint64_t x;

        assert_int_equal(swiotlb_tbl_map_single(&e.dev, e.buf, 100, 0, DMA_TO_DEVICE, 0, 0, &x),
                         CCADA_E_NOSPC);
        assert_non_null(strstr(fake_kernel_log(e.k), "Failed to allocate new pool"));
        fake_kernel_fail_alloc_over(e.k, 0);
        for (unsigned i = 0; i < 5; i++)
                unmap(&e, t[i], 256 * KiB, DMA_TO_DEVICE);
        env_fini(&e);
}

/* ---- (b) back-pressure ---- */

#define container_of(p, type, member) ((type *)(void *)((char *)(p) - offsetof(type, member)))

struct bp_ctx {
        struct env e;
        uint64_t held;
        unsigned calls;
        unsigned delay_ms;
        ccada_status unmap_status;
};

static void bp_reclaim(struct dma_dev *dev)
{
        struct bp_ctx *c = container_of(dev, struct bp_ctx, e.dev);

        c->calls++;
        if (c->held != DMA_MAPPING_ERROR) {
                unmap(&c->e, c->held, 256 * KiB, DMA_TO_DEVICE);
                c->held = DMA_MAPPING_ERROR;
        }
}

static void swiotlb_backpressure_reclaim_hook_frees_slots(void **state)
{
        struct swiotlb_config cfg = { .size = 256 * KiB, .backpressure = true };
        struct bp_ctx c = { .calls = 0 };
        uint64_t t;

        env_init(&c.e, true, &cfg);
        swiotlb_set_reclaim(c.e.tlb, bp_reclaim);
        c.held = map(&c.e, c.e.buf, 256 * KiB, DMA_TO_DEVICE);
        t = map(&c.e, c.e.buf, 4096, DMA_TO_DEVICE);
        assert_int_equal(c.calls, 1);
        assert_int_equal(c.held, DMA_MAPPING_ERROR);
        assert_int_equal(stats(&c.e).full, 0);
        assert_int_equal(fake_kernel_wait_calls(c.e.k), 0);
        unmap(&c.e, t, 4096, DMA_TO_DEVICE);
        env_fini(&c.e);
}

static void bp_wfi_completes(struct realm_kernel *k, void *arg)
{
        bp_reclaim(&((struct bp_ctx *)arg)->e.dev);
}

static void swiotlb_backpressure_wfi_lets_host_complete(void **state)
{
        struct swiotlb_config cfg = { .size = 256 * KiB, .backpressure = true };
        struct bp_ctx c = { .calls = 0 };

        env_init(&c.e, true, &cfg);
        fake_kernel_set_wait_hook(c.e.k, bp_wfi_completes, &c);
        c.held = map(&c.e, c.e.buf, 256 * KiB, DMA_TO_DEVICE);
        uint64_t t = map(&c.e, c.e.buf, 4096, DMA_TO_DEVICE);

        assert_int_equal(fake_kernel_wait_calls(c.e.k), 1);
        unmap(&c.e, t, 4096, DMA_TO_DEVICE);
        env_fini(&c.e);
}

static void swiotlb_backpressure_without_progress_fails_as_exhaustion(void **state)
{
        struct swiotlb_config cfg = { .size = 256 * KiB, .backpressure = true };
        struct env e;
        uint64_t t;

        env_init(&e, true, &cfg);
        uint64_t a = map(&e, e.buf, 256 * KiB, DMA_TO_DEVICE);

        assert_int_equal(swiotlb_tbl_map_single(&e.dev, e.buf, 100, 0, DMA_TO_DEVICE, 0, 0, &t),
                         CCADA_E_NOSPC);
        assert_int_equal(fake_kernel_wait_calls(e.k), SWIOTLB_BP_WFI_ROUNDS);
        assert_int_equal(stats(&e).full, 1);
        assert_non_null(strstr(fake_kernel_log(e.k), "swiotlb buffer is full (sz: 100 bytes)"));
        unmap(&e, a, 256 * KiB, DMA_TO_DEVICE);
        env_fini(&e);
}

static void *bp_unmapper(void *arg)
{
        struct bp_ctx *c = arg;
        struct timespec d = { 0, (long)c->delay_ms * 1000000L };

        nanosleep(&d, NULL);
        /* No cmocka asserts off the main thread: the result is checked after join. */
        c->unmap_status = swiotlb_tbl_unmap_single(&c->e.dev, c->held, 256 * KiB, DMA_TO_DEVICE, 0);
        return NULL;
}

static double now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void swiotlb_backpressure_threaded_waits_for_other_thread_unmap(void **state)
{
        struct swiotlb_config cfg = { .size = 256 * KiB, .backpressure = true, .threaded = true };
        struct bp_ctx c = { .delay_ms = 50 };
        pthread_t th;

        env_init(&c.e, true, &cfg);
        c.held = map(&c.e, c.e.buf, 256 * KiB, DMA_TO_DEVICE);
        double t0 = now_ms();

        assert_int_equal(pthread_create(&th, NULL, bp_unmapper, &c), 0);
        uint64_t t = map(&c.e, c.e.buf, 4096, DMA_TO_DEVICE);
        double waited = now_ms() - t0;

        assert_int_equal(pthread_join(th, NULL), 0);
        assert_int_equal(c.unmap_status, CCADA_OK);
        assert_true(waited >= 40.0);
        assert_true(waited < 900.0);
        assert_int_equal(stats(&c.e).full, 0);
        unmap(&c.e, t, 4096, DMA_TO_DEVICE);
        env_fini(&c.e);
}

static void swiotlb_backpressure_threaded_times_out(void **state)
{
        struct swiotlb_config cfg = { .size = 256 * KiB, .backpressure = true, .threaded = true,
                                      .wait_ms = 60 };
        struct env e;
        uint64_t t;

        env_init(&e, true, &cfg);
        uint64_t a = map(&e, e.buf, 256 * KiB, DMA_TO_DEVICE);
        double t0 = now_ms();

        assert_int_equal(swiotlb_tbl_map_single(&e.dev, e.buf, 100, 0, DMA_TO_DEVICE, 0, 0, &t),
                         CCADA_E_NOSPC);
        assert_true(now_ms() - t0 >= 50.0);
        assert_int_equal(stats(&e).full, 1);
        unmap(&e, a, 256 * KiB, DMA_TO_DEVICE);
        env_fini(&e);
}

/* ---- counters and trace ---- */

static void swiotlb_hiwater_tracks_peak_and_resets(void **state)
{
        struct env e;

        env_init(&e, true, NULL);
        uint64_t a = map(&e, e.buf, 100, DMA_TO_DEVICE);
        uint64_t b = map(&e, e.buf, 5000, DMA_TO_DEVICE);

        unmap(&e, a, 100, DMA_TO_DEVICE);
        unmap(&e, b, 5000, DMA_TO_DEVICE);
        assert_int_equal(stats(&e).used, 0);
        assert_int_equal(stats(&e).used_hiwater, 4);
        swiotlb_reset_hiwater(e.tlb);
        assert_int_equal(stats(&e).used_hiwater, 0);
        a = map(&e, e.buf, 100, DMA_TO_DEVICE);
        assert_int_equal(stats(&e).used_hiwater, 1);
        unmap(&e, a, 100, DMA_TO_DEVICE);
        assert_int_equal(stats(&e).bounces, 3);
        assert_int_equal(stats(&e).pools, 1);
        env_fini(&e);
}

static void swiotlb_trace_events_have_key_value_fields(void **state)
{
        struct env e;
        char *tr = NULL, want[256];
        size_t len = 0;
        FILE *pipe = open_memstream(&tr, &len);

        env_init(&e, true, NULL);
        trace_set_pipe(rk_trace(e.k), pipe);
        assert_true(trace_set_events(rk_trace(e.k), "swiotlb_map,swiotlb_unmap,swiotlb_sync"));
        uint64_t t = map(&e, e.buf + 0x10, 100, DMA_FROM_DEVICE);
        uint64_t dma = t | FAKE_SHARED_BIT;

        assert_int_equal(swiotlb_sync_single_for_cpu(&e.dev, t, 100, DMA_FROM_DEVICE), CCADA_OK);
        unmap(&e, t, 100, DMA_FROM_DEVICE);
        fflush(pipe);
        snprintf(want, sizeof(want), "swiotlb_map: dev=0000:00:01.0 orig=0x%llx tlb=0x%llx size=100 dir=FROM_DEVICE\n",
                 (unsigned long long)(e.buf + 0x10), (unsigned long long)dma);
        assert_non_null(strstr(tr, want));
        snprintf(want, sizeof(want), "swiotlb_sync: dev=0000:00:01.0 tlb=0x%llx size=100 dir=FROM_DEVICE for=cpu\n",
                 (unsigned long long)dma);
        assert_non_null(strstr(tr, want));
        snprintf(want, sizeof(want), "swiotlb_unmap: dev=0000:00:01.0 orig=0x%llx tlb=0x%llx size=100 dir=FROM_DEVICE\n",
                 (unsigned long long)(e.buf + 0x10), (unsigned long long)dma);
        assert_non_null(strstr(tr, want));
        trace_set_pipe(rk_trace(e.k), NULL);
        fclose(pipe);
        free(tr);
        env_fini(&e);
}

/* Linux: pr_warn_once in swiotlb_tbl_map_single when memory encryption is active, so the
 * line comes at the first bounce, once, and never in a guest without it. */
static void swiotlb_announces_memory_encryption_once_at_the_first_bounce(void **state)
{
        static const char line[] = "software IO TLB: Memory encryption is active and system is using DMA bounce buffers\n";
        struct env e;

        (void)state;
        env_init(&e, true, NULL);
        assert_int_equal(fake_kernel_log_count(e.k, line), 0);
        unmap(&e, map(&e, e.buf, 64, DMA_TO_DEVICE), 64, DMA_TO_DEVICE);
        assert_int_equal(fake_kernel_log_count(e.k, line), 1);
        unmap(&e, map(&e, e.buf, 64, DMA_FROM_DEVICE), 64, DMA_FROM_DEVICE);
        assert_int_equal(fake_kernel_log_count(e.k, line), 1);
        env_fini(&e);
}

/* Linux's "swiotlb" trace system has one event; ccada's own are in "ccada_swiotlb". */
static void swiotlb_subsystem_is_only_linux_swiotlb_bounced(void **state)
{
        struct env e;
        char *tr = NULL;
        size_t len = 0;
        FILE *pipe = open_memstream(&tr, &len);

        (void)state;
        assert_non_null(pipe);
        env_init(&e, true, NULL);
        trace_set_pipe(rk_trace(e.k), pipe);
        assert_true(trace_set_events(rk_trace(e.k), "swiotlb"));
        uint64_t t = 0;
        assert_int_equal(swiotlb_map(&e.dev, e.buf, 100, DMA_TO_DEVICE, 0, &t), CCADA_OK);
        assert_int_equal(swiotlb_sync_single_for_cpu(&e.dev, t & ~FAKE_SHARED_BIT, 100, DMA_TO_DEVICE),
                         CCADA_OK);
        unmap(&e, t & ~FAKE_SHARED_BIT, 100, DMA_TO_DEVICE);
        assert_int_equal(fflush(pipe), 0);
        assert_non_null(strstr(tr, ": swiotlb_bounced: dev_name: 0000:00:01.0 "));
        assert_null(strstr(tr, "swiotlb_map:"));
        assert_null(strstr(tr, "swiotlb_sync:"));
        assert_null(strstr(tr, "swiotlb_unmap:"));

        assert_true(trace_set_events(rk_trace(e.k), "ccada_swiotlb"));
        assert_int_equal(swiotlb_map(&e.dev, e.buf, 100, DMA_TO_DEVICE, 0, &t), CCADA_OK);
        unmap(&e, t & ~FAKE_SHARED_BIT, 100, DMA_TO_DEVICE);
        assert_int_equal(fflush(pipe), 0);
        assert_non_null(strstr(tr, "swiotlb_map: dev=0000:00:01.0 "));
        assert_non_null(strstr(tr, "swiotlb_unmap: dev=0000:00:01.0 "));
        assert_int_equal(trace_count(rk_trace(e.k), "swiotlb_bounced"), 1);
        trace_set_pipe(rk_trace(e.k), NULL);
        fclose(pipe);
        free(tr);
        env_fini(&e);
}

/* ---- randomized property test ---- */

#define PROP_LIVE 64u
#define PROP_REGION (64u * KiB)

struct live {
        bool on;
        uint64_t t;
        size_t off, size;
        enum dma_data_direction dir;
        uint8_t *bounce;        /* what the device should see */
};

struct prop {
        struct env e;
        struct prng rng;
        struct live live[PROP_LIVE];
        uint8_t *orig;          /* shadow of the whole scratch (PROP_LIVE regions) */
        unsigned long nmaps, nfull, nbad;
};

static uint64_t region(const struct prop *p, unsigned i) { return p->e.buf + (uint64_t)i * PROP_REGION; }

static void prop_check_region(struct prop *p, unsigned i)
{
        uint8_t *b = malloc(PROP_REGION);

        assert_int_equal(rk_read(p->e.k, region(p, i), b, PROP_REGION), CCADA_OK);
        if (memcmp(b, p->orig + (size_t)i * PROP_REGION, PROP_REGION) != 0)
                fail_msg("region %u differs from its shadow", i);
        free(b);
}

static void prop_check_bounce(struct prop *p, const struct live *l)
{
        uint8_t *b = malloc(l->size);

        assert_int_equal(fake_host_read(p->e.k, l->t, b, l->size), CCADA_OK);
        if (memcmp(b, l->bounce, l->size) != 0)
                fail_msg("bounce of 0x%llx differs from its shadow", (unsigned long long)l->t);
        free(b);
}

static size_t prop_size(struct prop *p)
{
        switch (prng_below(&p->rng, 4)) {
        case 0:
                return 1 + (size_t)prng_below(&p->rng, 64);
        case 1:
                return 1 + (size_t)prng_below(&p->rng, 4096);
        default:
                return 1 + (size_t)prng_below(&p->rng, PROP_REGION - 4096);
        }
}

static void prop_map(struct prop *p, unsigned i)
{
        struct live *l = &p->live[i];
        uint8_t *o = p->orig + (size_t)i * PROP_REGION;

        l->size = prop_size(p);
        l->off = (size_t)prng_below(&p->rng, PROP_REGION - l->size + 1);
        l->dir = (enum dma_data_direction)prng_below(&p->rng, 3);
        prng_fill(&p->rng, o + l->off, l->size);
        assert_int_equal(rk_write(p->e.k, region(p, i) + l->off, o + l->off, l->size), CCADA_OK);
        ccada_status st = swiotlb_tbl_map_single(&p->e.dev, region(p, i) + l->off, l->size, 0, l->dir,
                                                 DMA_ATTR_NO_WARN, 0, &l->t);

        if (st == CCADA_E_NOSPC) {
                p->nfull++;
                return;
        }
        assert_int_equal(st, CCADA_OK);
        uint64_t first = l->t - p->e.pool, last = first + l->size - 1;

        assert_int_equal(first >> 18, last >> 18); /* within one 256 KiB segment */
        assert_int_equal(l->t & p->e.dev.min_align_mask, (region(p, i) + l->off) & p->e.dev.min_align_mask);
        l->bounce = malloc(l->size);
        memcpy(l->bounce, o + l->off, l->size);
        prop_check_bounce(p, l);
        l->on = true;
        p->nmaps++;
}

/* A random sub-range [*a, *a + *n) of the mapping. */
static void prop_range(struct prop *p, const struct live *l, size_t *a, size_t *n)
{
        *a = (size_t)prng_below(&p->rng, l->size);
        *n = 1 + (size_t)prng_below(&p->rng, l->size - *a);
}

static void prop_device_write(struct prop *p, struct live *l)
{
        size_t a, n;

        prop_range(p, l, &a, &n);
        prng_fill(&p->rng, l->bounce + a, n);
        assert_int_equal(fake_host_write(p->e.k, l->t + a, l->bounce + a, n), CCADA_OK);
}

static void prop_sync(struct prop *p, unsigned i, bool for_cpu)
{
        struct live *l = &p->live[i];
        uint8_t *o = p->orig + (size_t)i * PROP_REGION + l->off;
        size_t a, n;

        prop_range(p, l, &a, &n);
        if (for_cpu) {
                assert_int_equal(swiotlb_sync_single_for_cpu(&p->e.dev, l->t + a, n, l->dir), CCADA_OK);
                if (l->dir != DMA_TO_DEVICE)
                        memcpy(o + a, l->bounce + a, n);
                return;
        }
        prng_fill(&p->rng, o + a, n);
        assert_int_equal(rk_write(p->e.k, region(p, i) + l->off + a, o + a, n), CCADA_OK);
        assert_int_equal(swiotlb_sync_single_for_device(&p->e.dev, l->t + a, n, l->dir), CCADA_OK);
        if (l->dir != DMA_FROM_DEVICE)
                memcpy(l->bounce + a, o + a, n);
}

static void prop_unmap(struct prop *p, unsigned i)
{
        struct live *l = &p->live[i];
        bool skip = prng_below(&p->rng, 8) == 0;

        prop_check_bounce(p, l);
        assert_int_equal(swiotlb_tbl_unmap_single(&p->e.dev, l->t, l->size, l->dir,
                                                  skip ? DMA_ATTR_SKIP_CPU_SYNC : 0), CCADA_OK);
        if (l->dir != DMA_TO_DEVICE && !skip)
                memcpy(p->orig + (size_t)i * PROP_REGION + l->off, l->bounce, l->size);
        prop_check_region(p, i);
        if (prng_below(&p->rng, 16) == 0) { /* a double unmap changes nothing */
                assert_int_equal(swiotlb_tbl_unmap_single(&p->e.dev, l->t, l->size, l->dir, 0),
                                 CCADA_E_INVAL);
                p->nbad++;
        }
        free(l->bounce);
        l->bounce = NULL;
        l->on = false;
}

static void prop_step(struct prop *p)
{
        unsigned i = (unsigned)prng_below(&p->rng, PROP_LIVE);
        struct live *l = &p->live[i];

        if (!l->on) {
                prop_map(p, i);
        } else {
                switch (prng_below(&p->rng, 5)) {
                case 0:
                        prop_device_write(p, l);
                        break;
                case 1:
                        prop_sync(p, i, true);
                        break;
                case 2:
                        prop_sync(p, i, false);
                        break;
                default:
                        prop_unmap(p, i);
                        break;
                }
        }
        expect_invariants(p->e.tlb);
}

/* The bitmap allocator is an implementation of the same search: for any sequence of maps
 * (sizes from one byte to a segment, alloc_align_mask, a device min_align_mask, two CPUs'
 * areas) and unmaps, it takes exactly the slots Linux's list does, and fails exactly when
 * the list fails. */
static void swiotlb_bitmap_takes_the_slots_linux_list_takes(void **state)
{
        struct swiotlb_config c = { .size = 512 * KiB, .nareas = 2 };
        struct env list, bits;
        struct prng rng;
        struct { uint64_t t; size_t size; bool on; } live[48] = { { 0 } };
        unsigned long maps = 0, full = 0;

        (void)state;
        prng_seed(&rng, 0xb17a110cull);
        env_init_alloc(&list, true, &c, SWIOTLB_ALLOC_LIST);
        env_init_alloc(&bits, true, &c, SWIOTLB_ALLOC_BITMAP);
        list.dev.min_align_mask = bits.dev.min_align_mask = 2047;
        for (unsigned step = 0; step < 6000; step++) {
                unsigned i = (unsigned)prng_below(&rng, 48);

                if (live[i].on) {
                        assert_int_equal(swiotlb_tbl_unmap_single(&list.dev, live[i].t, live[i].size, DMA_TO_DEVICE, 0), CCADA_OK);
                        assert_int_equal(swiotlb_tbl_unmap_single(&bits.dev, live[i].t - list.pool + bits.pool,
                                                                  live[i].size, DMA_TO_DEVICE, 0), CCADA_OK);
                        live[i].on = false;
                } else {
                        unsigned kind = (unsigned)prng_below(&rng, 4);
                        size_t size = kind == 0 ? 1 + (size_t)prng_below(&rng, 2048)
                                    : kind == 1 ? 1 + (size_t)prng_below(&rng, 16 * KiB)
                                                : 1 + (size_t)prng_below(&rng, 200 * KiB);
                        uint64_t align = prng_below(&rng, 4) == 0 ? (1ull << prng_below(&rng, 17)) - 1 : 0;
                        uint64_t off = prng_below(&rng, 4096);
                        unsigned cpu = (unsigned)prng_below(&rng, 2);
                        uint64_t tl, tb;
                        ccada_status sl = swiotlb_tbl_map_single(&list.dev, list.buf + off, size, align, DMA_TO_DEVICE,
                                                                 DMA_ATTR_NO_WARN, cpu, &tl);
                        ccada_status sb = swiotlb_tbl_map_single(&bits.dev, bits.buf + off, size, align, DMA_TO_DEVICE,
                                                                 DMA_ATTR_NO_WARN, cpu, &tb);

                        assert_int_equal(sb, sl);
                        if (sl == CCADA_OK) {
                                if (tl - list.pool != tb - bits.pool)
                                        fail_msg("step %u: map of %zu bytes (align 0x%llx, cpu %u): list took pool+0x%llx, bitmap pool+0x%llx",
                                                 step, size, (unsigned long long)align, cpu,
                                                 (unsigned long long)(tl - list.pool), (unsigned long long)(tb - bits.pool));
                                live[i].t = tl;
                                live[i].size = size;
                                live[i].on = true;
                                maps++;
                        } else {
                                full++;
                        }
                }
                expect_invariants(list.tlb);
                expect_invariants(bits.tlb);
                assert_int_equal(stats(&list).used, stats(&bits).used);
        }
        /* the sequence both filled the pool and mapped plenty: the comparison saw both outcomes */
        assert_true(maps > 1000);
        assert_true(full > 10);
        for (unsigned i = 0; i < 48; i++) {
                if (!live[i].on)
                        continue;
                assert_int_equal(swiotlb_tbl_unmap_single(&list.dev, live[i].t, live[i].size, DMA_TO_DEVICE, 0), CCADA_OK);
                assert_int_equal(swiotlb_tbl_unmap_single(&bits.dev, live[i].t - list.pool + bits.pool, live[i].size,
                                                          DMA_TO_DEVICE, 0), CCADA_OK);
        }
        assert_int_equal(stats(&list).used, 0);
        env_fini(&list);
        env_fini(&bits);
}

static void swiotlb_random_ops_keep_data_and_return_used_to_zero(void **state)
{
        struct swiotlb_config c = { .size = 512 * KiB, .nareas = 2 };
        const char *env = getenv("CCADA_TEST_SEED");
        uint64_t seed = 0x5eed2024ull;
        enum ccada_number_error why = env ? ccada_parse_u64(env, strlen(env), &seed) : CCADA_NUMBER_OK;
        if (why != CCADA_NUMBER_OK)
                fail_msg("CCADA_TEST_SEED '%s' is not a number: %s", env, ccada_number_error_text(why));
        struct prop *p = calloc(1, sizeof(*p));

        printf("swiotlb property test seed: 0x%llx (set CCADA_TEST_SEED to replay)\n",
               (unsigned long long)seed);
        prng_seed(&p->rng, seed);
        for (unsigned phase = 0; phase < 2; phase++) {
                env_init(&p->e, true, &c);
                p->e.dev.min_align_mask = phase ? 4095 : 0;
                p->orig = calloc(PROP_LIVE, PROP_REGION);
                for (unsigned step = 0; step < 4000; step++)
                        prop_step(p);
                for (unsigned i = 0; i < PROP_LIVE; i++)
                        if (p->live[i].on)
                                prop_unmap(p, i);
                for (unsigned i = 0; i < PROP_LIVE; i++)
                        prop_check_region(p, i);
                assert_int_equal(stats(&p->e).used, 0);
                assert_true(stats(&p->e).used_hiwater <= stats(&p->e).nslabs);
                assert_true(p->nmaps > 500);
                expect_pool_whole(&p->e);
                free(p->orig);
                env_fini(&p->e);
        }
        printf("  maps %lu, exhausted %lu, rejected double unmaps %lu\n", p->nmaps, p->nfull, p->nbad);
        free(p);
}

/* ---- concurrency: per-area locks ---- */

struct worker {
        struct env *e;
        struct dma_dev dev;
        unsigned id;
        unsigned long ok, full, errors;
};

static void *worker_run(void *arg)
{
        struct worker *w = arg;
        struct prng r;
        uint64_t base = w->e->buf + (uint64_t)w->id * (512 * KiB);
        uint8_t *pat = malloc(64 * KiB), *got = malloc(64 * KiB);

        prng_seed(&r, 1000 + w->id);
        for (unsigned i = 0; i < 1500; i++) {
                size_t n = 1 + (size_t)prng_below(&r, 64 * KiB);
                uint64_t t;

                prng_fill(&r, pat, n);
                if (rk_write(w->e->k, base, pat, n) != CCADA_OK)
                        w->errors++;
                ccada_status st = swiotlb_tbl_map_single(&w->dev, base, n, 0, DMA_BIDIRECTIONAL,
                                                         DMA_ATTR_NO_WARN, w->dev.cpu, &t);

                if (st == CCADA_E_NOSPC) {
                        w->full++;
                        continue;
                }
                if (st != CCADA_OK || fake_host_read(w->e->k, t, got, n) != CCADA_OK ||
                    memcmp(got, pat, n) != 0 ||
                    swiotlb_tbl_unmap_single(&w->dev, t, n, DMA_BIDIRECTIONAL, 0) != CCADA_OK)
                        w->errors++;
                else
                        w->ok++;
        }
        free(pat);
        free(got);
        return NULL;
}

static void swiotlb_concurrent_maps_on_all_areas_stay_consistent(void **state)
{
        struct swiotlb_config c = { .size = 1u << 20, .ncpus = 4 };
        struct worker w[4];
        pthread_t th[4];
        struct env e;

        env_init(&e, true, &c);
        assert_int_equal(e.nareas, 4);
        for (unsigned i = 0; i < 4; i++) {
                w[i] = (struct worker){ .e = &e, .dev = e.dev, .id = i };
                w[i].dev.cpu = i;
                assert_int_equal(pthread_create(&th[i], NULL, worker_run, &w[i]), 0);
        }
        for (unsigned i = 0; i < 4; i++) {
                assert_int_equal(pthread_join(th[i], NULL), 0);
                assert_int_equal(w[i].errors, 0);
                assert_true(w[i].ok > 0);
        }
        assert_int_equal(stats(&e).used, 0);
        expect_pool_whole(&e);
        env_fini(&e);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(swiotlb_init_default_prints_boot_lines_and_shares_pool),
                cmocka_unit_test(swiotlb_init_too_small_for_areas_raises_nslabs),
                cmocka_unit_test(swiotlb_init_not_power_of_two_rounds_up),
                cmocka_unit_test(swiotlb_init_odd_size_rounds_to_segment_multiple),
                cmocka_unit_test(swiotlb_init_bad_config_rejected),
                cmocka_unit_test(swiotlb_init_alloc_failure_halves_pool),
                cmocka_unit_test(swiotlb_init_decrypt_failure_leaks_pages),
                cmocka_unit_test(swiotlb_destroy_encrypt_failure_leaks_pool),
                cmocka_unit_test(swiotlb_map_small_buffers_take_consecutive_unaligned_slots),
                cmocka_unit_test(swiotlb_map_page_or_larger_is_page_aligned),
                cmocka_unit_test(swiotlb_map_min_align_mask_preserves_low_bits),
                cmocka_unit_test(swiotlb_map_alloc_align_mask_aligns_and_pads),
                cmocka_unit_test(swiotlb_map_alloc_align_mask_not_a_mask_rejected),
                cmocka_unit_test(swiotlb_area_choice_starts_at_cpu_area),
                cmocka_unit_test(swiotlb_area_full_falls_over_to_next_area),
                cmocka_unit_test(swiotlb_map_over_256k_fails_cleanly_256k_works),
                cmocka_unit_test(swiotlb_map_never_crosses_segment_boundary),
                cmocka_unit_test(swiotlb_seg_boundary_mask_respected),
                cmocka_unit_test(swiotlb_exhaustion_prints_exact_message_and_keeps_state),
                cmocka_unit_test(swiotlb_fragmented_pool_fails_large_request),
                cmocka_unit_test(swiotlb_cursor_is_next_fit_not_first_fit),
                cmocka_unit_test(swiotlb_cursor_wraps_by_reset_to_area_start),
                cmocka_unit_test(swiotlb_from_device_never_exposes_previous_users_data),
                cmocka_unit_test(swiotlb_map_copies_to_bounce_for_every_direction),
                cmocka_unit_test(swiotlb_copies_follow_direction_table),
                cmocka_unit_test(swiotlb_partial_sync_copies_only_the_subrange),
                cmocka_unit_test(swiotlb_sync_past_mapping_end_is_clamped_with_warning),
                cmocka_unit_test(swiotlb_unmap_outside_every_pool_rejected),
                cmocka_unit_test(swiotlb_double_unmap_rejected),
                cmocka_unit_test(swiotlb_unmap_wrong_size_rejected),
                cmocka_unit_test(swiotlb_sync_of_unmapped_slot_rejected),
                cmocka_unit_test(swiotlb_map_of_unreadable_buffer_fails_and_releases),
                cmocka_unit_test(swiotlb_grow_adds_pool_where_default_fails),
                cmocka_unit_test(swiotlb_grow_respects_max_pools),
                cmocka_unit_test(swiotlb_grow_halves_new_pool_when_memory_is_short),
                cmocka_unit_test(swiotlb_backpressure_reclaim_hook_frees_slots),
                cmocka_unit_test(swiotlb_backpressure_wfi_lets_host_complete),
                cmocka_unit_test(swiotlb_backpressure_without_progress_fails_as_exhaustion),
                cmocka_unit_test(swiotlb_backpressure_threaded_waits_for_other_thread_unmap),
                cmocka_unit_test(swiotlb_backpressure_threaded_times_out),
                cmocka_unit_test(swiotlb_hiwater_tracks_peak_and_resets),
                cmocka_unit_test(swiotlb_trace_events_have_key_value_fields),
                cmocka_unit_test(swiotlb_subsystem_is_only_linux_swiotlb_bounced),
                cmocka_unit_test(swiotlb_announces_memory_encryption_once_at_the_first_bounce),
                cmocka_unit_test(swiotlb_random_ops_keep_data_and_return_used_to_zero),
                cmocka_unit_test(swiotlb_bitmap_takes_the_slots_linux_list_takes),
                cmocka_unit_test(swiotlb_concurrent_maps_on_all_areas_stay_consistent),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
