/* SWIOTLB (src/realm/swiotlb*.c) under sequences of map, unmap and sync calls with sizes,
 * directions, attributes, offsets and alignments from the input, on a small pool (256 KiB to
 * 1 MiB, one to four areas, growth on or off, Linux's list or the bitmap allocator) over the fake Realm kernel of tests/realm,
 * while the device writes into the bounce slots it was given and the CPU into its buffers.
 *
 * The harness keeps the bytes every party should see (the guest's buffers, and each live
 * mapping's bounce bytes) and the table of swiotlb.h ("Copies per direction"). What must
 * hold (a finding aborts):
 *  - a map succeeds or fails as the contract says: INVAL for no direction, size 0 or an
 *    alloc_align_mask that is not 2^n - 1 below a segment; RANGE beyond a segment; never
 *    RANGE up to swiotlb_max_mapping_size without alloc_align_mask; NOSPC only when full;
 *  - a mapping lies inside a pool, apart from every other live mapping, keeps the bits of
 *    the original under min_align_mask, starts its allocation on an alloc_align_mask
 *    boundary, and holds the original's bytes right after the map (every direction:
 *    CVE-2022-0854);
 *  - sync_for_device copies the original into the slot for TO_DEVICE and BIDIRECTIONAL,
 *    sync_for_cpu copies the slot back for FROM_DEVICE and BIDIRECTIONAL, both for any
 *    sub-range (clamped at the mapping's end), and nothing else moves;
 *  - an unmap of a live mapping's start with its size succeeds, copies back for FROM_DEVICE
 *    and BIDIRECTIONAL unless DMA_ATTR_SKIP_CPU_SYNC, and frees exactly the slots its map
 *    took; any other unmap is refused with nothing changed;
 *  - after every call: used is the sum of what the live mappings took, used_hiwater the
 *    peak after a map since the last reset (to 0), bounces and full count the maps that succeeded and that
 *    found no room, nslabs the slots of all pools;
 *  - after every call, the slot state machine's invariants (swiotlb_check_invariants);
 *  - at the end, after unmapping everything, used is 0, the guest's buffers hold exactly
 *    the bytes the table says, and swiotlb_destroy gives back every page, re-encrypted.
 *
 * Input: 4 header bytes (pool size (1 + b0 % 4) * 256 KiB, areas 1 << (b1 % 3), b1 bit 2
 * growth (two pools at most), b1 bit 3 the bitmap allocator; min_align_mask of the device from b2; the device's CPU b3),
 * then 8-byte records (an opcode and 7 argument bytes; see run_op). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_kernel.h"
#include "lib/bytes.h"
#include "realm/dma_dev.h"
#include "realm/kernel.h"
#include "realm/swiotlb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HDR_BYTES   4u
#define OP_BYTES    8u
#define MAX_OPS     96u
#define MAX_MAPS    48u
#define SCRATCH     (320u * 1024u)       /* the guest's buffers */
#define SEGMENT     ((size_t)IO_TLB_SEGSIZE * IO_TLB_SIZE)

struct mapping {
        uint64_t tlb, orig;
        size_t size;
        enum dma_data_direction dir;
        unsigned long slots;            /* what its map added to used */
        uint8_t *bounce;                /* the bytes its slot holds */
};

struct fz {
        struct realm_kernel *k;
        struct swiotlb *tlb;
        struct dma_dev dev;
        uint64_t scratch;               /* IPA of the guest's buffers */
        uint8_t *guest;                 /* what the guest's buffers hold (SCRATCH bytes) */
        struct mapping maps[MAX_MAPS];
        unsigned nmaps;
        uint64_t dead[8];               /* starts of mappings already unmapped */
        unsigned ndead;
        unsigned long used, hiwater, bounces, full;
        uint8_t *buf;                   /* room for reads (SCRATCH bytes) */
};

/* One kernel and one scratch area for the process (a new kernel costs 64 MiB of guest
 * memory, most of an input's time under ASan); each input gives back what its pool took
 * (checked), and the heap is checked when the process exits. */
static struct realm_kernel *the_kernel;
static uint64_t the_scratch;

static void __attribute__((noreturn)) finding(const char *what)
{
        fprintf(stderr, "swiotlb fuzzer: %s\nthe guest's log:\n%s", what, the_kernel ? fake_kernel_log(the_kernel) : "");
        abort();
}

static void must(ccada_status st, const char *what)
{
        if (st != CCADA_OK)
                finding(what);
}

/* ---- what the parties see ---- */

static void check_guest(struct fz *f, uint64_t off, size_t len, const char *after)
{
        must(rk_read(f->k, f->scratch + off, f->buf, len), "the guest cannot read its own buffer");
        if (memcmp(f->buf, f->guest + off, len)) {
                fprintf(stderr, "swiotlb fuzzer: after %s:\n", after);
                finding("the guest's buffer does not hold what the copies say");
        }
}

static void check_bounce(struct fz *f, const struct mapping *m, const char *after)
{
        must(fake_host_read(f->k, m->tlb, f->buf, m->size), "the device cannot read its bounce slot");
        if (memcmp(f->buf, m->bounce, m->size)) {
                fprintf(stderr, "swiotlb fuzzer: after %s:\n", after);
                finding("the bounce slot does not hold what the copies say");
        }
}

static void check_stats(struct fz *f, const char *after)
{
        struct swiotlb_stats st;
        unsigned long nslabs = 0, n;
        uint64_t start;
        unsigned areas;
        swiotlb_get_stats(f->tlb, &st);
        for (unsigned i = 0; swiotlb_pool_info(f->tlb, i, &start, &n, &areas); i++)
                nslabs += n;
        if (st.used != f->used || st.used_hiwater != f->hiwater || st.bounces != f->bounces || st.full != f->full ||
            st.nslabs != nslabs || st.used > st.nslabs) {
                fprintf(stderr, "swiotlb fuzzer: after %s: used %lu (want %lu), hiwater %lu (%lu), bounces %lu (%lu), "
                        "full %lu (%lu), nslabs %lu (%lu)\n", after, st.used, f->used, st.used_hiwater, f->hiwater,
                        st.bounces, f->bounces, st.full, f->full, st.nslabs, nslabs);
                finding("the counters do not add up");
        }
}

/* ---- map ---- */

/* The slots a map took: what used grew by. */
static unsigned long used_now(const struct fz *f)
{
        struct swiotlb_stats st;
        swiotlb_get_stats(f->tlb, &st);
        return st.used;
}

/* A new mapping's address against the contract and every live mapping. */
static void check_placed(struct fz *f, uint64_t tlb, uint64_t orig, size_t size, uint64_t aam)
{
        uint64_t offset = orig & f->dev.min_align_mask & (aam | (IO_TLB_SIZE - 1));
        if (!swiotlb_is_buffer(f->tlb, tlb) || !swiotlb_is_buffer(f->tlb, tlb + size - 1))
                finding("a mapping is not inside a pool");
        if ((tlb ^ orig) & f->dev.min_align_mask || (tlb - offset) & aam)
                finding("a mapping breaks min_align_mask or alloc_align_mask");
        for (unsigned i = 0; i < f->nmaps; i++)
                if (tlb < f->maps[i].tlb + f->maps[i].size && f->maps[i].tlb < tlb + size)
                        finding("two live mappings share bounce bytes");
}

/* What the contract says of a map request before it looks for room: INVAL, RANGE, or OK
 * (then OK or NOSPC). */
static ccada_status map_rules(const struct fz *f, size_t size, enum dma_data_direction dir, uint64_t aam)
{
        if (dir > DMA_FROM_DEVICE || !size || aam >= SEGMENT || (aam & (aam + 1)))
                return CCADA_E_INVAL;
        if (size > SEGMENT)
                return CCADA_E_RANGE;
        return CCADA_OK;
}

static void do_map(struct fz *f, uint64_t orig_off, size_t size, enum dma_data_direction dir, unsigned long attrs,
                   uint64_t aam, unsigned cpu, bool api)
{
        uint64_t tlb = 0, before = used_now(f), orig = f->scratch + orig_off;
        ccada_status want = map_rules(f, size, dir, aam), st;
        if (api) {
                st = swiotlb_map(&f->dev, orig, size, dir, attrs, &tlb);
                if (st == CCADA_OK && !(tlb & FAKE_SHARED_BIT))
                        finding("swiotlb_map gave the device an address without the alias bit");
                tlb &= ~FAKE_SHARED_BIT;
        } else {
                st = swiotlb_tbl_map_single(&f->dev, orig, size, aam, dir, attrs, cpu, &tlb);
        }
        if (want != CCADA_OK || st == CCADA_E_RANGE) {
                /* RANGE also when padding pushes a request past a segment, never below the max */
                if (st != want && !(st == CCADA_E_RANGE && want == CCADA_OK &&
                                    (aam || size > swiotlb_max_mapping_size(&f->dev))))
                        finding("a map was not refused as the contract says");
                return;
        }
        if (st == CCADA_E_NOSPC) {
                if (!f->nmaps && !aam && size <= swiotlb_max_mapping_size(&f->dev))
                        finding("an empty pool had no room for a mapping of at most the maximum size");
                f->full++;
                return;
        }
        must(st, "a map failed for another reason than room");
        check_placed(f, tlb, orig, size, aam);
        if (f->nmaps == MAX_MAPS)
                finding("the harness lost count of its mappings");
        struct mapping *m = &f->maps[f->nmaps++];
        *m = (struct mapping){ tlb, orig, size, dir, used_now(f) - before, malloc(size) };
        if (!m->bounce)
                abort();
        if (m->slots < (size + IO_TLB_SIZE - 1) / IO_TLB_SIZE)
                finding("a map took fewer slots than its bytes need");
        memcpy(m->bounce, f->guest + orig_off, size); /* every direction: CVE-2022-0854 */
        f->used += m->slots;
        f->hiwater = f->used > f->hiwater ? f->used : f->hiwater;
        f->bounces++;
        check_bounce(f, m, "a map");
}

/* ---- unmap and sync ---- */

/* bounce -> original for [off, off + n) of m. */
static void to_cpu(struct fz *f, const struct mapping *m, size_t off, size_t n)
{
        memcpy(f->guest + (m->orig - f->scratch) + off, m->bounce + off, n);
}

/* original -> bounce, with every other mapping of the same guest bytes unchanged. */
static void to_device(struct fz *f, struct mapping *m, size_t off, size_t n)
{
        memcpy(m->bounce + off, f->guest + (m->orig - f->scratch) + off, n);
}

static void forget(struct fz *f, unsigned i)
{
        f->dead[f->ndead++ % 8] = f->maps[i].tlb;
        f->used -= f->maps[i].slots;
        free(f->maps[i].bounce);
        f->maps[i] = f->maps[--f->nmaps];
}

/* The live mapping that starts at tlb with this size, or MAX_MAPS. */
static unsigned live_at(const struct fz *f, uint64_t tlb, size_t size)
{
        for (unsigned i = 0; i < f->nmaps; i++)
                if (f->maps[i].tlb == tlb && f->maps[i].size == size)
                        return i;
        return MAX_MAPS;
}

/* Unmaps [tlb, tlb + size), named by its canonical address or (alias) the device's. */
static void do_unmap(struct fz *f, uint64_t tlb, size_t size, enum dma_data_direction dir, unsigned long attrs,
                     bool alias)
{
        unsigned i = live_at(f, tlb, size);
        ccada_status st = swiotlb_tbl_unmap_single(&f->dev, tlb | (alias ? FAKE_SHARED_BIT : 0), size, dir, attrs);
        if (i == MAX_MAPS || dir > DMA_FROM_DEVICE) {
                if (st != CCADA_E_INVAL)
                        finding("an unmap of what is not a live mapping's start and size was not refused");
                return;
        }
        must(st, "the unmap of a live mapping failed");
        struct mapping *m = &f->maps[i];
        if ((dir == DMA_FROM_DEVICE || dir == DMA_BIDIRECTIONAL) && !(attrs & DMA_ATTR_SKIP_CPU_SYNC))
                to_cpu(f, m, 0, m->size);
        check_guest(f, m->orig - f->scratch, m->size, "an unmap");
        forget(f, i);
}

static void do_sync(struct fz *f, unsigned i, size_t off, size_t n, enum dma_data_direction dir, bool for_cpu)
{
        struct mapping *m = &f->maps[i];
        ccada_status st = for_cpu ? swiotlb_sync_single_for_cpu(&f->dev, m->tlb + off, n, dir)
                                  : swiotlb_sync_single_for_device(&f->dev, m->tlb + off, n, dir);
        if (dir > DMA_FROM_DEVICE) {
                if (st != CCADA_E_INVAL)
                        finding("a sync with no direction was not refused");
                return;
        }
        must(st, "a sync inside a live mapping failed");
        size_t len = n < m->size - off ? n : m->size - off; /* clamped at the mapping's end */
        if (for_cpu && dir != DMA_TO_DEVICE)
                to_cpu(f, m, off, len);
        if (!for_cpu && dir != DMA_FROM_DEVICE)
                to_device(f, m, off, len);
        check_guest(f, m->orig - f->scratch, m->size, for_cpu ? "a sync for the CPU" : "a sync for the device");
        check_bounce(f, m, for_cpu ? "a sync for the CPU" : "a sync for the device");
}

/* ---- the parties' own writes ---- */

/* The device writes n bytes of v at off of mapping i's slot. */
static void device_writes(struct fz *f, unsigned i, size_t off, size_t n, uint8_t v)
{
        struct mapping *m = &f->maps[i];
        n = n < m->size - off ? n : m->size - off;
        memset(f->buf, v, n);
        must(fake_host_write(f->k, m->tlb + off, f->buf, n), "the device cannot write its bounce slot");
        memset(m->bounce + off, v, n);
}

/* The CPU writes n bytes of v at off of its buffers. */
static void cpu_writes(struct fz *f, size_t off, size_t n, uint8_t v)
{
        must(rk_fill(f->k, f->scratch + off, v, n), "the guest cannot write its own buffer");
        memset(f->guest + off, v, n);
}

/* ---- one input ---- */

/* A mapping size: small, medium, up to a segment, or at the edges. */
static size_t pick_size(const struct fz *f, uint8_t cls, uint16_t v)
{
        switch (cls & 3) {
        case 0: return 1u + v % 2048u;
        case 1: return 1u + (size_t)v % (64u * 1024u);
        case 2: return 1u + ((size_t)v * 5u) % SEGMENT;
        default: {
                const size_t edge[] = { 0, swiotlb_max_mapping_size(&f->dev), SEGMENT, SEGMENT + 1 };
                return edge[v % 4];
        }
        }
}

static uint64_t pick_align(uint8_t b)
{
        static const uint64_t masks[] = { 0, 0, IO_TLB_SIZE - 1, 0xFFF, 0x3FFF, SEGMENT - 1, 0x1000, SEGMENT };
        return masks[b % 8]; /* the last two are not 2^n - 1 below a segment */
}

static void op_map(struct fz *f, const uint8_t *a, bool api)
{
        if (f->nmaps == MAX_MAPS) /* the harness follows at most MAX_MAPS live mappings */
                return;
        size_t size = pick_size(f, a[2] >> 4, ld_le16(a + 3));
        size_t span = size < SCRATCH ? size : SCRATCH;
        uint64_t off = ld_le16(a) * 5ull % (SCRATCH - span + 1);
        unsigned long attrs = (a[2] & 4 ? DMA_ATTR_SKIP_CPU_SYNC : 0) | (a[2] & 8 ? 0 : DMA_ATTR_NO_WARN);
        do_map(f, off, size, (enum dma_data_direction)(a[2] & 3), attrs, api ? 0 : pick_align(a[5]), a[6], api);
}

static void op_unmap(struct fz *f, const uint8_t *a)
{
        if (!f->nmaps && !f->ndead)
                return;
        const struct mapping *m = f->nmaps ? &f->maps[a[0] % f->nmaps] : NULL;
        uint64_t tlb = m ? m->tlb : f->dead[a[0] % (f->ndead < 8 ? f->ndead : 8)];
        size_t size = m ? m->size : 1;
        enum dma_data_direction dir = m && !(a[2] & 0x80) ? m->dir : (enum dma_data_direction)(a[2] & 3);
        switch (a[1] % 8) {
        case 5: size += 1; break;                              /* another size */
        case 6: tlb += a[3] & 1 ? 1 : IO_TLB_SIZE; break;       /* not the start */
        case 7: if (f->ndead) tlb = f->dead[a[3] % (f->ndead < 8 ? f->ndead : 8)]; break; /* unmapped */
        default: break;
        }
        do_unmap(f, tlb, size, dir, a[2] & 4 ? DMA_ATTR_SKIP_CPU_SYNC : 0, a[2] & 8);
}

static void op_sync(struct fz *f, const uint8_t *a, bool for_cpu)
{
        if (!f->nmaps)
                return;
        unsigned i = a[0] % f->nmaps;
        size_t off = ld_le16(a + 1) % f->maps[i].size;
        do_sync(f, i, off, ld_le16(a + 3) * (a[5] & 0x10 ? 16u : 1u), (enum dma_data_direction)(a[5] & 3), for_cpu);
}

static void run_op(struct fz *f, const uint8_t *r)
{
        const uint8_t *a = r + 1;
        switch (r[0] % 9) {
        case 0: op_map(f, a, false); break;
        case 1: op_map(f, a, true); break;
        case 2: op_unmap(f, a); break;
        case 3: op_sync(f, a, true); break;
        case 4: op_sync(f, a, false); break;
        case 5:
                if (f->nmaps)
                        device_writes(f, a[0] % f->nmaps, ld_le16(a + 1) % f->maps[a[0] % f->nmaps].size,
                                      ld_le16(a + 3), a[5]);
                break;
        case 6: {
                size_t off = ld_le32(a) % SCRATCH, n = ld_le16(a + 4) % 4096u;
                cpu_writes(f, off, n < SCRATCH - off ? n : SCRATCH - off, a[6]);
                break;
        }
        case 7:
                swiotlb_reset_hiwater(f->tlb); /* to 0, as Linux's debugfs write: the next map raises it */
                f->hiwater = 0;
                break;
        default: op_unmap(f, (const uint8_t[]){ a[0], 0, (uint8_t)(a[2] & 0x7F), 0 }); break;
        }
        check_stats(f, "an operation");
}

/* At exit: fake_kernel_free aborts if the guest's heap was not given back. */
static void kernel_free(void) { fake_kernel_free(the_kernel); }

static struct realm_kernel *kernel(void)
{
        if (!the_kernel) {
                the_kernel = fake_kernel_new(true);
                atexit(kernel_free);
                must(rk_alloc_pages(the_kernel, SCRATCH / RK_PAGE_SIZE, &the_scratch), "no room for the buffers");
        }
        fake_kernel_log_clear(the_kernel);
        return the_kernel;
}

static void setup(struct fz *f, const uint8_t *h)
{
        memset(f, 0, sizeof(*f));
        f->k = kernel();
        f->scratch = the_scratch;
        static uint8_t pattern[SCRATCH], guest[SCRATCH], buf[SCRATCH];
        if (!pattern[1])
                for (size_t i = 0; i < SCRATCH; i++)
                        pattern[i] = (uint8_t)(i * 131 + (i >> 11));
        f->guest = guest;
        f->buf = buf;
        memcpy(f->guest, pattern, SCRATCH);
        must(rk_write(f->k, f->scratch, f->guest, SCRATCH), "the guest cannot write its own buffer");
        struct swiotlb_config cfg = { .size = (1u + h[0] % 4u) * (256u * 1024u), .nareas = 1u << (h[1] % 3),
                                      .ncpus = 4, .grow = h[1] & 4, .max_pools = 2,
                                      .alloc = h[1] & 8 ? SWIOTLB_ALLOC_BITMAP : SWIOTLB_ALLOC_LIST };
        must(swiotlb_init(f->k, &cfg, &f->tlb), "swiotlb_init refused a valid small pool");
        dma_dev_init(&f->dev, f->k, "0000:00:01.0", "virtio-pci", f->tlb);
        static const uint64_t min_align[] = { 0, 0, 0x3, 0xFFF, 0x7FF, 0x1FFF };
        f->dev.min_align_mask = min_align[h[2] % 6];
        f->dev.cpu = h[3];
        check_stats(f, "swiotlb_init");
}

/* Unmaps what is left, checks the guest's bytes and that the pool gives back every page. */
static void teardown(struct fz *f, size_t free_pages)
{
        while (f->nmaps)
                do_unmap(f, f->maps[0].tlb, f->maps[0].size, f->maps[0].dir, 0, false);
        check_stats(f, "unmapping everything");
        if (f->used != 0)
                finding("used is not 0 after every mapping was unmapped");
        check_guest(f, 0, SCRATCH, "unmapping everything");
        swiotlb_destroy(f->tlb);
        if (fake_kernel_free_pages(f->k) != free_pages || fake_kernel_decrypted_pages(f->k) || fake_kernel_bad_frees(f->k))
                finding("swiotlb_destroy did not give back every page, re-encrypted");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static struct fz f;
        uint8_t h[HDR_BYTES] = { 0 };
        memcpy(h, data, size < HDR_BYTES ? size : HDR_BYTES);
        size_t free_pages = fake_kernel_free_pages(kernel());
        setup(&f, h);
        for (size_t off = HDR_BYTES, n = 0; off < size && n < MAX_OPS; off += OP_BYTES, n++) {
                uint8_t r[OP_BYTES] = { 0 };
                memcpy(r, data + off, size - off < OP_BYTES ? size - off : OP_BYTES);
                run_op(&f, r);
                const char *why;
                if (!swiotlb_check_invariants(f.tlb, &why))
                        finding(why);
        }
        if (getenv("CCADA_FUZZ_VERBOSE"))
                fprintf(stderr, "swiotlb fuzzer: %lu maps, %lu full, %u live, hiwater %lu\n%s", f.bounces, f.full,
                        f.nmaps, f.hiwater, fake_kernel_log(f.k));
        teardown(&f, free_pages);
        return 0;
}
