/* The Realm DMA API over SWIOTLB: force-bounce in a Realm, direct mapping in a normal VM,
 * shared coherent allocations, scatter-gather, and the swiotlb_bounced trace line. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_kernel.h"
#include "realm/dma.h"
#include "realm/swiotlb.h"

#define KiB 1024u

struct env {
        struct realm_kernel *k;
        struct swiotlb *tlb;
        struct dma_dev dev;
        uint64_t buf;           /* 1 MiB private scratch */
        uint64_t pool;
        unsigned long nslabs;
        char *trace;
        size_t trace_len;
        FILE *pipe;
};

static void env_init_sized(struct env *e, bool realm, size_t pool_size)
{
        struct swiotlb_config c = { .size = pool_size };
        unsigned na;

        memset(e, 0, sizeof(*e));
        e->k = fake_kernel_new(realm);
        assert_int_equal(swiotlb_init(e->k, &c, &e->tlb), CCADA_OK);
        assert_true(swiotlb_pool_info(e->tlb, 0, &e->pool, &e->nslabs, &na));
        assert_int_equal(rk_alloc_pages(e->k, 256, &e->buf), CCADA_OK);
        dma_dev_init(&e->dev, e->k, "0000:00:00.0", "virtio-pci", e->tlb);
        e->pipe = open_memstream(&e->trace, &e->trace_len);
        trace_set_pipe(rk_trace(e->k), e->pipe);
        assert_true(trace_set_events(rk_trace(e->k), "all"));
}

static void env_init(struct env *e, bool realm)
{
        env_init_sized(e, realm, 0);
}

static const char *env_trace(struct env *e)
{
        fflush(e->pipe);
        return e->trace ? e->trace : "";
}

static void env_fini(struct env *e)
{
        struct swiotlb_stats st;

        swiotlb_get_stats(e->tlb, &st);
        assert_int_equal(st.used, 0);
        trace_set_pipe(rk_trace(e->k), NULL);
        fclose(e->pipe);
        free(e->trace);
        swiotlb_destroy(e->tlb);
        assert_int_equal(fake_kernel_decrypted_pages(e->k), 0);
        assert_int_equal(fake_kernel_bad_frees(e->k), 0);
        fake_kernel_free(e->k);
}

static struct swiotlb_stats stats(const struct env *e)
{
        struct swiotlb_stats st;

        swiotlb_get_stats(e->tlb, &st);
        return st;
}

static void fill(struct env *e, uint64_t ipa, uint8_t c, size_t n)
{
        assert_int_equal(rk_fill(e->k, ipa, c, n), CCADA_OK);
}

static void expect_guest(struct env *e, uint64_t ipa, uint8_t c, size_t n)
{
        uint8_t *b = malloc(n);

        assert_int_equal(rk_read(e->k, ipa, b, n), CCADA_OK);
        for (size_t i = 0; i < n; i++)
                if (b[i] != c)
                        fail_msg("guest byte %zu of 0x%llx: 0x%02x, want 0x%02x", i,
                                 (unsigned long long)ipa, b[i], c);
        free(b);
}

static void expect_host(struct env *e, uint64_t addr, uint8_t c, size_t n)
{
        uint8_t *b = malloc(n);

        assert_int_equal(fake_host_read(e->k, addr, b, n), CCADA_OK);
        for (size_t i = 0; i < n; i++)
                if (b[i] != c)
                        fail_msg("host byte %zu of 0x%llx: 0x%02x, want 0x%02x", i,
                                 (unsigned long long)addr, b[i], c);
        free(b);
}

static void host_fill(struct env *e, uint64_t addr, uint8_t c, size_t n)
{
        uint8_t *b = malloc(n);

        memset(b, c, n);
        assert_int_equal(fake_host_write(e->k, addr, b, n), CCADA_OK);
        free(b);
}

/* The line of event `name` in the trace, from ": name: " to the end of line. */
static void expect_trace_fields(struct env *e, const char *name, const char *fields)
{
        char want[512];

        snprintf(want, sizeof(want), ": %s: %s\n", name, fields);
        if (!strstr(env_trace(e), want))
                fail_msg("trace lacks \"%s\"; trace:\n%s", want, env_trace(e));
}

/* ---- Realm: force bounce ---- */

static void dma_map_single_realm_bounces_with_force_trace_line(void **state)
{
        struct env e;
        uint64_t dma;
        char fields[256], prefix[64];

        env_init(&e, true);
        assert_true(e.dev.force_bounce);
        rk_set_current(e.k, "keybroker-app", 143);
        fill(&e, e.buf + 0x17e, 'k', 66);
        assert_int_equal(dma_map_single(&e.dev, e.buf + 0x17e, 66, DMA_TO_DEVICE, 0, &dma), CCADA_OK);
        snprintf(fields, sizeof(fields),
                 "dev_name: 0000:00:00.0 dma_mask=ffffffffffffffff dev_addr=%llx size=66 FORCE",
                 (unsigned long long)(e.buf + 0x17e));
        expect_trace_fields(&e, "swiotlb_bounced", fields);
        /* Attributed to the current task, as the kernel's trace_print_context prints it. */
        snprintf(prefix, sizeof(prefix), "%16s-%-7d [000] ", "keybroker-app", 143);
        assert_non_null(strstr(env_trace(&e), prefix));
        /* The device address is the bounce slot's unprotected alias. */
        assert_true(dma & FAKE_SHARED_BIT);
        assert_true(swiotlb_is_buffer(e.tlb, dma));
        expect_host(&e, dma, 'k', 66);
        assert_int_equal(stats(&e).bounces, 1);
        assert_int_equal(dma_unmap_single(&e.dev, dma, 66, DMA_TO_DEVICE, 0), CCADA_OK);
        env_fini(&e);
}

static void dma_map_single_realm_bounced_event_precedes_allocation(void **state)
{
        struct env e;
        uint64_t dma, big;

        env_init_sized(&e, true, 256 * KiB);
        assert_int_equal(dma_map_single(&e.dev, e.buf, 256 * KiB, DMA_TO_DEVICE, 0, &big), CCADA_OK);
        /* Exhaustion: the bounced event is still emitted (before the allocation fails). */
        assert_int_equal(dma_map_single(&e.dev, e.buf, 64, DMA_TO_DEVICE, 0, &dma), CCADA_E_NOSPC);
        assert_int_equal(dma, DMA_MAPPING_ERROR);
        assert_non_null(strstr(env_trace(&e), "size=64 FORCE\n"));
        assert_non_null(strstr(env_trace(&e), "swiotlb_full: dev=0000:00:00.0 size=64 total=128 used=128\n"));
        assert_non_null(strstr(fake_kernel_log(e.k),
                               "virtio-pci 0000:00:00.0: swiotlb buffer is full (sz: 64 bytes), total 128 (slots), used 128 (slots)\n"));
        assert_int_equal(dma_unmap_single(&e.dev, big, 256 * KiB, DMA_TO_DEVICE, 0), CCADA_OK);
        env_fini(&e);
}

static void dma_map_single_realm_round_trip_through_host(void **state)
{
        struct env e;
        uint64_t out, in;

        env_init(&e, true);
        fill(&e, e.buf, 'r', 512);
        fill(&e, e.buf + 4096, 'w', 512);
        assert_int_equal(dma_map_single(&e.dev, e.buf, 512, DMA_TO_DEVICE, 0, &out), CCADA_OK);
        assert_int_equal(dma_map_single(&e.dev, e.buf + 4096, 512, DMA_FROM_DEVICE, 0, &in), CCADA_OK);
        expect_host(&e, out, 'r', 512);  /* the host backend reads the request */
        host_fill(&e, in, 'H', 512);      /* and writes the response */
        assert_int_equal(dma_unmap_single(&e.dev, out, 512, DMA_TO_DEVICE, 0), CCADA_OK);
        assert_int_equal(dma_unmap_single(&e.dev, in, 512, DMA_FROM_DEVICE, 0), CCADA_OK);
        expect_guest(&e, e.buf + 4096, 'H', 512);
        expect_guest(&e, e.buf, 'r', 512);
        /* The private buffer itself was never host-visible. */
        uint8_t b;

        assert_int_equal(fake_host_read(e.k, e.buf, &b, 1), CCADA_E_GPF);
        env_fini(&e);
}

static void dma_map_single_realm_alias_beyond_dma_mask_fails(void **state)
{
        struct env e;
        uint64_t dma;

        env_init(&e, true);
        e.dev.dma_mask = 0xffffffffull; /* the alias has bit 32 set */
        assert_int_equal(dma_map_single(&e.dev, e.buf, 100, DMA_TO_DEVICE, 0, &dma), CCADA_E_RANGE);
        assert_int_equal(dma, DMA_MAPPING_ERROR);
        assert_non_null(strstr(fake_kernel_log(e.k), "swiotlb addr 0x1"));
        assert_int_equal(stats(&e).used, 0);
        env_fini(&e);
}

static void dma_map_single_realm_without_pool_fails_state(void **state)
{
        struct env e;
        uint64_t dma;

        env_init(&e, true);
        e.dev.tlb = NULL;
        assert_int_equal(dma_map_single(&e.dev, e.buf, 100, DMA_TO_DEVICE, 0, &dma), CCADA_E_STATE);
        assert_int_equal(dma, DMA_MAPPING_ERROR);
        assert_non_null(strstr(fake_kernel_log(e.k), "Can not allocate SWIOTLB buffer earlier"));
        env_fini(&e);
}

static void dma_map_single_rejects_dma_none_and_zero_size(void **state)
{
        struct env e;
        uint64_t dma;

        env_init(&e, true);
        assert_int_equal(dma_map_single(&e.dev, e.buf, 100, DMA_NONE, 0, &dma), CCADA_E_INVAL);
        assert_int_equal(dma_map_single(&e.dev, e.buf, 0, DMA_TO_DEVICE, 0, &dma), CCADA_E_INVAL);
        assert_int_equal(dma_map_single(&e.dev, e.buf, 1, (enum dma_data_direction)7, 0, &dma),
                         CCADA_E_INVAL);
        assert_int_equal(dma, DMA_MAPPING_ERROR);
        assert_int_equal(dma_unmap_single(&e.dev, e.pool, 100, DMA_NONE, 0), CCADA_E_INVAL);
        assert_int_equal(stats(&e).used, 0);
        env_fini(&e);
}

static void dma_unmap_single_realm_non_bounce_address_rejected(void **state)
{
        struct env e;
        uint64_t dma;

        env_init(&e, true);
        assert_int_equal(dma_map_single(&e.dev, e.buf, 100, DMA_FROM_DEVICE, 0, &dma), CCADA_OK);
        assert_int_equal(dma_unmap_single(&e.dev, e.buf, 100, DMA_FROM_DEVICE, 0), CCADA_E_INVAL);
        assert_int_equal(dma_sync_single_for_cpu(&e.dev, e.buf, 100, DMA_FROM_DEVICE), CCADA_E_INVAL);
        assert_non_null(strstr(fake_kernel_log(e.k), "not a bounce buffer address"));
        assert_int_equal(dma_unmap_single(&e.dev, dma, 100, DMA_FROM_DEVICE, 0), CCADA_OK);
        assert_int_equal(dma_unmap_single(&e.dev, dma, 100, DMA_FROM_DEVICE, 0), CCADA_E_INVAL);
        env_fini(&e);
}

static void dma_sync_single_range_syncs_only_the_range(void **state)
{
        struct env e;
        uint64_t dma;

        env_init(&e, true);
        fill(&e, e.buf, 'o', 8192);
        assert_int_equal(dma_map_single(&e.dev, e.buf, 8192, DMA_FROM_DEVICE, 0, &dma), CCADA_OK);
        host_fill(&e, dma, 'D', 8192);
        assert_int_equal(dma_sync_single_range_for_cpu(&e.dev, dma, 1000, 2000, DMA_FROM_DEVICE),
                         CCADA_OK);
        expect_guest(&e, e.buf, 'o', 1000);
        expect_guest(&e, e.buf + 1000, 'D', 2000);
        expect_guest(&e, e.buf + 3000, 'o', 8192 - 3000);
        /* FROM_DEVICE: sync_for_device copies nothing (facts §1.6). */
        fill(&e, e.buf, 'n', 8192);
        assert_int_equal(dma_sync_single_range_for_device(&e.dev, dma, 0, 8192, DMA_FROM_DEVICE),
                         CCADA_OK);
        expect_host(&e, dma, 'D', 8192);
        assert_int_equal(dma_unmap_single(&e.dev, dma, 8192, DMA_FROM_DEVICE, DMA_ATTR_SKIP_CPU_SYNC),
                         CCADA_OK);
        expect_guest(&e, e.buf, 'n', 8192);
        env_fini(&e);
}

static void dma_max_mapping_size_matches_swiotlb(void **state)
{
        struct env e;

        env_init(&e, true);
        assert_int_equal(dma_max_mapping_size(&e.dev), 256 * KiB);
        e.dev.min_align_mask = 4095;
        assert_int_equal(dma_max_mapping_size(&e.dev), 252 * KiB);
        e.dev.force_bounce = false;
        e.dev.tlb = NULL;
        assert_int_equal(dma_max_mapping_size(&e.dev), SIZE_MAX);
        e.dev.tlb = e.tlb;
        env_fini(&e);
}

/* ---- normal VM ---- */

static void dma_map_single_normal_vm_maps_directly_without_pool_access(void **state)
{
        struct env e;
        uint64_t dma;

        env_init(&e, false);
        assert_false(e.dev.force_bounce);
        assert_int_equal(rk_shared_bit(e.k), 0);
        fake_kernel_watch(e.k, e.pool, e.nslabs << IO_TLB_SHIFT);
        fill(&e, e.buf, 'd', 4096);
        assert_int_equal(dma_map_single(&e.dev, e.buf, 4096, DMA_BIDIRECTIONAL, 0, &dma), CCADA_OK);
        assert_int_equal(dma, e.buf);
        assert_int_equal(dma_sync_single_for_cpu(&e.dev, dma, 4096, DMA_BIDIRECTIONAL), CCADA_OK);
        assert_int_equal(dma_sync_single_for_device(&e.dev, dma, 4096, DMA_BIDIRECTIONAL), CCADA_OK);
        assert_int_equal(dma_unmap_single(&e.dev, dma, 4096, DMA_BIDIRECTIONAL, 0), CCADA_OK);
        assert_int_equal(fake_kernel_watch_hits(e.k), 0);
        assert_int_equal(stats(&e).bounces, 0);
        assert_null(strstr(env_trace(&e), "swiotlb_bounced"));
        env_fini(&e);
}

static void dma_map_single_normal_vm_over_mask_bounces_normal(void **state)
{
        struct env e;
        uint64_t filler, high, dma;
        char fields[256];

        env_init(&e, false);
        e.dev.dma_mask = 0xffffff; /* 16 MiB */
        assert_int_equal(rk_alloc_pages(e.k, 4096, &filler), CCADA_OK);
        assert_int_equal(rk_alloc_pages(e.k, 1, &high), CCADA_OK);
        assert_true(high > 0xffffff);
        fill(&e, high, 'h', 66);
        assert_int_equal(dma_map_single(&e.dev, high, 66, DMA_BIDIRECTIONAL, 0, &dma), CCADA_OK);
        assert_true(dma <= 0xffffff);
        assert_true(swiotlb_is_buffer(e.tlb, dma));
        snprintf(fields, sizeof(fields),
                 "dev_name: 0000:00:00.0 dma_mask=ffffff dev_addr=%llx size=66 NORMAL",
                 (unsigned long long)high);
        expect_trace_fields(&e, "swiotlb_bounced", fields);
        host_fill(&e, dma, 'x', 10);
        assert_int_equal(dma_unmap_single(&e.dev, dma, 66, DMA_BIDIRECTIONAL, 0), CCADA_OK);
        expect_guest(&e, high, 'x', 10);
        expect_guest(&e, high + 10, 'h', 56);
        /* Without a pool, an unreachable buffer cannot be mapped. */
        e.dev.tlb = NULL;
        assert_int_equal(dma_map_single(&e.dev, high, 66, DMA_TO_DEVICE, 0, &dma), CCADA_E_RANGE);
        assert_non_null(strstr(fake_kernel_log(e.k), "DMA addr 0x"));
        e.dev.tlb = e.tlb;
        env_fini(&e);
}

/* ---- coherent allocations ---- */

static void dma_alloc_coherent_realm_returns_alias_host_can_read(void **state)
{
        struct env e;
        uint64_t cpu, dma;
        size_t free0;

        env_init(&e, true);
        free0 = fake_kernel_free_pages(e.k);
        assert_int_equal(dma_alloc_coherent(&e.dev, 6000, &cpu, &dma), CCADA_OK);
        assert_int_equal(cpu, dma);
        assert_true(cpu & FAKE_SHARED_BIT);
        assert_int_equal(fake_kernel_free_pages(e.k), free0 - 2);
        expect_guest(&e, cpu, 0, 8192); /* zeroed after sharing */
        assert_int_equal(rk_write(e.k, cpu + 100, "ring", 4), CCADA_OK);
        char b[4];

        assert_int_equal(fake_host_read(e.k, dma + 100, b, 4), CCADA_OK);
        assert_memory_equal(b, "ring", 4);
        /* Shared memory is reached only through the alias. */
        assert_int_equal(rk_read(e.k, cpu & ~FAKE_SHARED_BIT, b, 4), CCADA_E_SEA);
        assert_int_equal(stats(&e).bounces, 0); /* not bounced */
        assert_int_equal(dma_free_coherent(&e.dev, 6000, cpu, dma), CCADA_OK);
        assert_int_equal(fake_kernel_free_pages(e.k), free0);
        env_fini(&e);
}

static void dma_alloc_coherent_normal_vm_returns_ipa(void **state)
{
        struct env e;
        uint64_t cpu, dma;

        env_init(&e, false);
        assert_int_equal(dma_alloc_coherent(&e.dev, 100, &cpu, &dma), CCADA_OK);
        assert_int_equal(cpu, dma);
        assert_int_equal(cpu % RK_PAGE_SIZE, 0);
        assert_true(cpu < FAKE_MEM_SIZE);
        assert_int_equal(fake_kernel_decrypted_pages(e.k), 0);
        assert_int_equal(dma_free_coherent(&e.dev, 100, cpu, dma), CCADA_OK);
        env_fini(&e);
}

static void dma_alloc_coherent_decrypt_failure_leaks(void **state)
{
        struct env e;
        uint64_t cpu, dma;
        size_t free0;

        env_init(&e, true);
        free0 = fake_kernel_free_pages(e.k);
        fake_kernel_fail_decrypt(e.k, 1);
        assert_int_equal(dma_alloc_coherent(&e.dev, 4096, &cpu, &dma), CCADA_E_RMM);
        assert_int_equal(cpu, DMA_MAPPING_ERROR);
        assert_int_equal(dma, DMA_MAPPING_ERROR);
        assert_int_equal(fake_kernel_free_pages(e.k), free0 - 1);
        assert_non_null(strstr(fake_kernel_log(e.k), "failed to decrypt, 1 pages leaked"));
        env_fini(&e);
}

static void dma_free_coherent_encrypt_failure_leaks_and_warns(void **state)
{
        struct env e;
        uint64_t cpu, dma;
        size_t free0;

        env_init(&e, true);
        free0 = fake_kernel_free_pages(e.k);
        assert_int_equal(dma_alloc_coherent(&e.dev, 4096, &cpu, &dma), CCADA_OK);
        fake_kernel_fail_encrypt(e.k, 1);
        assert_int_equal(dma_free_coherent(&e.dev, 4096, cpu, dma), CCADA_E_RMM);
        assert_int_equal(fake_kernel_free_pages(e.k), free0 - 1); /* leaked, not freed */
        assert_int_equal(fake_kernel_bad_frees(e.k), 0);
        assert_non_null(strstr(fake_kernel_log(e.k), "failed to encrypt, 1 pages leaked"));
        assert_int_equal(dma_free_coherent(&e.dev, 4096, cpu, dma + 1), CCADA_E_INVAL);
        /* Recover the leaked page so the fixture's checks hold. */
        assert_int_equal(rk_set_memory_encrypted(e.k, cpu & ~FAKE_SHARED_BIT, 1), CCADA_OK);
        rk_free_pages(e.k, cpu & ~FAKE_SHARED_BIT, 1);
        env_fini(&e);
}

/* ---- scatter-gather ---- */

static void dma_map_sg_round_trip_copies_each_entry(void **state)
{
        struct env e;
        struct dma_sg sg[3] = {
                { .ipa = 0, .length = 16 }, { .ipa = 0, .length = 5000 }, { .ipa = 0, .length = 300 },
        };
        int n;

        env_init(&e, true);
        for (unsigned i = 0; i < 3; i++) {
                sg[i].ipa = e.buf + i * 16384 + 7;
                fill(&e, sg[i].ipa, (uint8_t)('a' + i), sg[i].length);
        }
        assert_int_equal(dma_map_sg(&e.dev, sg, 3, DMA_BIDIRECTIONAL, 0, &n), CCADA_OK);
        assert_int_equal(n, 3);
        for (unsigned i = 0; i < 3; i++) {
                assert_int_equal(sg[i].dma_length, sg[i].length);
                assert_true(sg[i].dma_address & FAKE_SHARED_BIT);
                expect_host(&e, sg[i].dma_address, (uint8_t)('a' + i), sg[i].length);
                host_fill(&e, sg[i].dma_address, (uint8_t)('A' + i), sg[i].length);
        }
        assert_int_equal(stats(&e).bounces, 3);
        assert_int_equal(dma_unmap_sg(&e.dev, sg, 3, DMA_BIDIRECTIONAL, 0), CCADA_OK);
        for (unsigned i = 0; i < 3; i++)
                expect_guest(&e, sg[i].ipa, (uint8_t)('A' + i), sg[i].length);
        env_fini(&e);
}

static void dma_map_sg_failure_unmaps_entries_already_mapped(void **state)
{
        struct env e;
        struct dma_sg sg[3] = { { .length = 4096 }, { .length = 4096 }, { .length = 256 * KiB } };
        int n = -1;

        env_init_sized(&e, true, 256 * KiB);
        for (unsigned i = 0; i < 3; i++)
                sg[i].ipa = e.buf + i * 4096;
        fill(&e, e.buf, 'k', 8192);
        assert_int_equal(dma_map_sg(&e.dev, sg, 3, DMA_FROM_DEVICE, DMA_ATTR_NO_WARN, &n), CCADA_E_NOSPC);
        assert_int_equal(n, 0);
        assert_int_equal(stats(&e).used, 0);
        expect_guest(&e, e.buf, 'k', 8192); /* undone without copy-back */
        assert_int_equal(dma_map_sg(&e.dev, sg, 0, DMA_FROM_DEVICE, 0, &n), CCADA_E_INVAL);
        env_fini(&e);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(dma_map_single_realm_bounces_with_force_trace_line),
                cmocka_unit_test(dma_map_single_realm_bounced_event_precedes_allocation),
                cmocka_unit_test(dma_map_single_realm_round_trip_through_host),
                cmocka_unit_test(dma_map_single_realm_alias_beyond_dma_mask_fails),
                cmocka_unit_test(dma_map_single_realm_without_pool_fails_state),
                cmocka_unit_test(dma_map_single_rejects_dma_none_and_zero_size),
                cmocka_unit_test(dma_unmap_single_realm_non_bounce_address_rejected),
                cmocka_unit_test(dma_sync_single_range_syncs_only_the_range),
                cmocka_unit_test(dma_max_mapping_size_matches_swiotlb),
                cmocka_unit_test(dma_map_single_normal_vm_maps_directly_without_pool_access),
                cmocka_unit_test(dma_map_single_normal_vm_over_mask_bounces_normal),
                cmocka_unit_test(dma_alloc_coherent_realm_returns_alias_host_can_read),
                cmocka_unit_test(dma_alloc_coherent_normal_vm_returns_ipa),
                cmocka_unit_test(dma_alloc_coherent_decrypt_failure_leaks),
                cmocka_unit_test(dma_free_coherent_encrypt_failure_leaks_and_warns),
                cmocka_unit_test(dma_map_sg_round_trip_copies_each_entry),
                cmocka_unit_test(dma_map_sg_failure_unmaps_entries_already_mapped),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
