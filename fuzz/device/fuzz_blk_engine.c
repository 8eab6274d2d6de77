/* ccada-dev's block engine (device/blk_engine.c) under a hostile driver: any sequence of MMIO
 * accesses and of descriptors and data in the memory it reaches by DMA, with memory that
 * faults where the fuzzer says and that changes under the engine after every DMA read (a
 * driver rewriting a descriptor it already posted).
 *
 * Input: items, each op(1) then its arguments
 *   op % 5 == 0  MMIO write:  off(1) (x4, below 0x40), size(1) (bit 0: 8 else 4), value(8 LE)
 *   op % 5 == 1  MMIO read:   off(1), size(1)
 *   op % 5 == 2  memory:      at(2 LE, x4 into the 64 KiB window), n(1), n bytes
 *   op % 5 == 3  faults:      first(1), last(1) pages of the window whose DMA fails (first >
 *                             last: none)
 *   op % 5 == 4  rewrite:     off(1) within a descriptor, byte(1): after every DMA read the
 *                             harness writes byte at that offset of every descriptor slot
 * The window is 64 KiB of memory at IOVA 0x10000 (16 pages); DMA elsewhere fails. The engine
 * has 256 KiB of storage.
 *
 * What must hold after every item: every DMA the engine asks is DW-aligned, at most 1 MiB and
 * does not wrap; every status DW it writes is a blk_desc_status other than PENDING;
 * COMPLETION moves only forward by at most RING_ENTRIES per doorbell, and back to 0 only on
 * RESET; STATUS has no bits but ENABLED and BROKEN and ERROR is an enum value, non-zero
 * exactly when BROKEN; the counters add up (descriptors = ok + refused + data faults); no
 * access outside any buffer (ASan).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "device/blk_engine.h"
#include "lib/bytes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define WIN      0x10000u
#define WIN_LEN  0x10000u
#define PAGE     4096u

struct harness {
        uint8_t mem[WIN_LEN];
        unsigned fault_first, fault_last;
        bool rewrite;
        uint8_t rw_off, rw_byte;
        uint64_t status_writes, data_faults;
};

static void check(bool ok)
{
        if (!ok)
                abort();
}

static bool fake_dma(void *ctx, uint64_t iova, void *buf, size_t len, bool to_memory)
{
        struct harness *h = ctx;
        check(iova % 4 == 0 && len % 4 == 0 && len <= BLK_MAX_XFER && iova <= UINT64_MAX - len);
        if (iova < WIN || iova - WIN > WIN_LEN || len > WIN_LEN - (iova - WIN))
                return false;
        size_t off = (size_t)(iova - WIN);
        for (size_t p = off / PAGE; len && p <= (off + len - 1) / PAGE; p++)
                if (p >= h->fault_first && p <= h->fault_last)
                        return false;
        if (to_memory) {
                if (len == 4 && off % BLK_DESC_SIZE == 0x1C) {
                        uint32_t st = ld_le32(buf);
                        check(st >= BLK_DESC_OK && st <= BLK_DESC_DMA_FAULT);
                        h->status_writes++;
                }
                memcpy(h->mem + off, buf, len);
                return true;
        }
        memcpy(buf, h->mem + off, len);
        if (h->rewrite)
                for (size_t d = h->rw_off % BLK_DESC_SIZE; d < WIN_LEN; d += BLK_DESC_SIZE)
                        h->mem[d] = h->rw_byte;
        return true;
}

static uint32_t rd(struct blk_engine *e, uint64_t off)
{
        uint64_t v;
        check(blk_engine_mmio_read(e, off, 4, &v));
        return (uint32_t)v;
}

static void invariants(struct blk_engine *e)
{
        const struct blk_engine_stats *s = blk_engine_stats(e);
        uint32_t st = rd(e, BLK_REG_STATUS), err = rd(e, BLK_REG_ERROR);
        check((st & ~(BLK_STATUS_ENABLED | BLK_STATUS_BROKEN)) == 0);
        check(err <= BLK_ERR_RING_FAULT);
        check((err != 0) == ((st & BLK_STATUS_BROKEN) != 0));
        check(s->ok + s->refused <= s->descriptors);
        check(s->descriptors - s->ok - s->refused <= s->dma_faults);
}

static void mmio_write(struct blk_engine *e, const uint8_t *a)
{
        uint64_t off = (uint64_t)(a[0] & 0x0F) * 4;
        unsigned size = a[1] & 1 ? 8 : 4;
        uint64_t v = ld_le64(a + 2);
        uint32_t before = rd(e, BLK_REG_COMPLETION), entries = rd(e, BLK_REG_RING_ENTRIES);
        bool reset = off == BLK_REG_CONTROL && (v & BLK_CONTROL_RESET);
        bool ok = blk_engine_mmio_write(e, off, size, v);
        check(ok == (off < BLK_REGS_END && (size == 4 || off == BLK_REG_CAPACITY_LO || off == BLK_REG_RING_BASE_LO)));
        uint32_t after = rd(e, BLK_REG_COMPLETION);
        if (reset)
                check(after == 0);
        else if (off == BLK_REG_DOORBELL && size == 4)
                check(after - before <= entries && after - before <= (uint32_t)v - before);
        else
                check(after == before);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct harness *h = calloc(1, sizeof(*h));
        struct blk_engine *e = NULL;
        struct blk_engine_config c = { .capacity_bytes = 256 * 1024, .dma = fake_dma };
        size_t i = 0;

        if (!h)
                return 0;
        h->fault_first = 1;
        c.dma_ctx = h;
        if (!blk_engine_new(&e, &c)) {
                free(h);
                return 0;
        }
        while (i < size) {
                uint8_t op = data[i++];
                const uint8_t *a = data + i;
                size_t left = size - i;
                uint64_t v;
                switch (op % 5) {
                case 0:
                        if (left < 10)
                                goto out;
                        mmio_write(e, a);
                        i += 10;
                        break;
                case 1:
                        if (left < 2)
                                goto out;
                        if (!blk_engine_mmio_read(e, a[0], a[1], &v))
                                check(v == 0);
                        i += 2;
                        break;
                case 2: {
                        if (left < 3 || left - 3 < a[2])
                                goto out;
                        size_t at = (size_t)(ld_le16(a) * 4u) % WIN_LEN, n = a[2];
                        if (n > WIN_LEN - at)
                                n = WIN_LEN - at;
                        memcpy(h->mem + at, a + 3, n);
                        i += 3 + (size_t)a[2];
                        break;
                }
                case 3:
                        if (left < 2)
                                goto out;
                        h->fault_first = a[0];
                        h->fault_last = a[1];
                        i += 2;
                        break;
                default:
                        if (left < 2)
                                goto out;
                        h->rewrite = true;
                        h->rw_off = a[0];
                        h->rw_byte = a[1];
                        i += 2;
                        break;
                }
                invariants(e);
        }
out:
        blk_engine_free(e);
        free(h);
        return 0;
}
