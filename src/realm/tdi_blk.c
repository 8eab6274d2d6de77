/* The Realm's driver for an accepted ccada-dev block function (contract: tdi_blk.h). */
#include "realm/tdi_blk.h"

#include "proto/cblk.h"
#include "realm/dma.h"
#include "realm/kernel.h"

struct tdi_blk {
        struct realm_kernel *k;
        struct dma_dev *dev;
        uint64_t bar;
        uint64_t sectors;
        uint64_t ring_ipa, ring_dma;
        uint32_t prod;          /* our producer index (free-running) */
        struct tdi_blk_stats stats;
};

static ccada_status rd32(struct tdi_blk *b, uint32_t off, uint32_t *v)
{
        uint64_t x;
        ccada_status st = rk_mmio_read_protected(b->k, b->bar + off, 4, &x);
        *v = (uint32_t)x;
        return st;
}

static ccada_status wr32(struct tdi_blk *b, uint32_t off, uint32_t v)
{
        return rk_mmio_write_protected(b->k, b->bar + off, 4, v);
}

uint64_t tdi_blk_capacity(const struct tdi_blk *b)
{
        return b->sectors;
}

const struct tdi_blk_stats *tdi_blk_stats(const struct tdi_blk *b)
{
        return &b->stats;
}

/* The engine enabled and not BROKEN, as its STATUS register says. */
static ccada_status engine_ok(struct tdi_blk *b)
{
        uint32_t status;
        ccada_status st = rd32(b, BLK_REG_STATUS, &status);
        if (st != CCADA_OK)
                return st;
        return (status & (BLK_STATUS_ENABLED | BLK_STATUS_BROKEN)) == BLK_STATUS_ENABLED ? CCADA_OK : CCADA_E_PEER;
}

static ccada_status enable(struct tdi_blk *b)
{
        ccada_status st;
        if ((st = wr32(b, BLK_REG_CONTROL, BLK_CONTROL_RESET)) != CCADA_OK ||
            (st = rk_mmio_write_protected(b->k, b->bar + BLK_REG_RING_BASE_LO, 8, b->ring_dma)) != CCADA_OK ||
            (st = wr32(b, BLK_REG_RING_ENTRIES, TDI_BLK_RING_ENTRIES)) != CCADA_OK ||
            (st = wr32(b, BLK_REG_CONTROL, BLK_CONTROL_ENABLE)) != CCADA_OK)
                return st;
        b->prod = 0;
        return engine_ok(b);
}

ccada_status tdi_blk_probe(struct realm_kernel *k, uint64_t bar_ipa, uint64_t bar_size, struct dma_dev *dev,
                           struct tdi_blk **out)
{
        *out = NULL;
        if (bar_size < BLK_REGS_END || bar_ipa & 0xFFF || !dev)
                return CCADA_E_INVAL;
        struct tdi_blk *b = rk_zalloc(k, 1, sizeof(*b));
        if (!b)
                return CCADA_E_NOMEM;
        *b = (struct tdi_blk){ .k = k, .dev = dev, .bar = bar_ipa, .ring_dma = DMA_MAPPING_ERROR };
        uint32_t id, version;
        uint64_t cap;
        ccada_status st = rd32(b, BLK_REG_ID, &id);
        if (st == CCADA_OK)
                st = rd32(b, BLK_REG_VERSION, &version);
        if (st == CCADA_OK)
                st = rk_mmio_read_protected(k, bar_ipa + BLK_REG_CAPACITY_LO, 8, &cap);
        if (st == CCADA_OK && (id != BLK_ID || version >> 16 != BLK_VERSION >> 16))
                st = CCADA_E_PEER;
        if (st == CCADA_OK) {
                b->sectors = cap;
                st = rk_alloc_pages(k, 1, &b->ring_ipa);
        }
        if (st == CCADA_OK && (st = rk_fill(k, b->ring_ipa, 0, 4096)) == CCADA_OK)
                st = dma_map_single(dev, b->ring_ipa, TDI_BLK_RING_ENTRIES * BLK_DESC_SIZE, DMA_BIDIRECTIONAL, 0,
                                    &b->ring_dma);
        if (st == CCADA_OK)
                st = enable(b);
        if (st != CCADA_OK) {
                tdi_blk_remove(b);
                return st;
        }
        *out = b;
        return CCADA_OK;
}

void tdi_blk_remove(struct tdi_blk *b)
{
        if (!b)
                return;
        if (b->ring_dma != DMA_MAPPING_ERROR) {
                /* best effort: the device stops using the ring; a direct mapping has nothing to undo */
                if (wr32(b, BLK_REG_CONTROL, BLK_CONTROL_RESET) != CCADA_OK)
                        rk_printk(b->k, "tdi-blk: reset on remove faulted");
                if (dma_unmap_single(b->dev, b->ring_dma, TDI_BLK_RING_ENTRIES * BLK_DESC_SIZE, DMA_BIDIRECTIONAL, 0) !=
                    CCADA_OK)
                        rk_printk(b->k, "tdi-blk: the ring's mapping would not unmap");
        }
        if (b->ring_ipa)
                rk_free_pages(b->k, b->ring_ipa, 1);
        rk_kfree(b->k, b);
}

/* Rings the doorbell for descriptors [first, b->prod) and checks what came back: each one
 * with its own cookie and status OK. */
static ccada_status ring_and_check(struct tdi_blk *b, uint32_t first, bool write)
{
        uint32_t completion;
        ccada_status st;
        b->stats.doorbells++;
        if ((st = wr32(b, BLK_REG_DOORBELL, b->prod)) != CCADA_OK || (st = rd32(b, BLK_REG_COMPLETION, &completion)) != CCADA_OK)
                return st;
        if (completion != b->prod)       /* it runs the ring inside the doorbell: all, or it broke */
                return CCADA_E_PEER;
        for (uint32_t i = first; i != b->prod; i++) {
                uint8_t raw[BLK_DESC_SIZE];
                struct blk_desc d;
                if ((st = rk_read(b->k, b->ring_ipa + (i % TDI_BLK_RING_ENTRIES) * BLK_DESC_SIZE, raw, sizeof(raw))) !=
                    CCADA_OK)
                        return st;
                blk_desc_decode(raw, &d); /* our copy: read once */
                b->stats.descriptors++;
                if (d.cookie != i)
                        return CCADA_E_PEER;
                if (d.status != BLK_DESC_OK)
                        return d.status == BLK_DESC_PENDING ? CCADA_E_PEER : CCADA_E_IO;
                if (d.opcode == BLK_OP_FLUSH)
                        continue;
                if (write)
                        b->stats.bytes_written += d.length;
                else
                        b->stats.bytes_read += d.length;
        }
        return CCADA_OK;
}

static ccada_status put_desc(struct tdi_blk *b, const struct blk_desc *d)
{
        uint8_t raw[BLK_DESC_SIZE];
        blk_desc_encode(d, raw);
        return rk_write(b->k, b->ring_ipa + (d->cookie % TDI_BLK_RING_ENTRIES) * BLK_DESC_SIZE, raw, sizeof(raw));
}

/* One batch: up to a ring of descriptors of the request from byte *done, one doorbell. */
static ccada_status batch(struct tdi_blk *b, bool write, uint64_t sector, uint64_t dma, uint64_t len, uint64_t *done)
{
        uint32_t first = b->prod;
        ccada_status st = CCADA_OK;
        while (*done < len && b->prod - first < TDI_BLK_RING_ENTRIES && st == CCADA_OK) {
                uint64_t chunk = len - *done < BLK_MAX_XFER ? len - *done : BLK_MAX_XFER;
                struct blk_desc d = { .opcode = write ? BLK_OP_WRITE : BLK_OP_READ, .length = (uint32_t)chunk,
                                      .sector = sector + *done / BLK_SECTOR, .buffer = dma + *done,
                                      .cookie = b->prod, .status = BLK_DESC_PENDING };
                if ((st = put_desc(b, &d)) == CCADA_OK) {
                        *done += chunk;
                        b->prod++;
                }
        }
        if (st != CCADA_OK) {
                b->prod = first; /* nothing was rung: those slots are free again */
                return st;
        }
        return ring_and_check(b, first, write);
}

ccada_status tdi_blk_flush(struct tdi_blk *b)
{
        struct blk_desc d = { .opcode = BLK_OP_FLUSH, .cookie = b->prod, .status = BLK_DESC_PENDING };
        uint32_t first = b->prod;
        ccada_status st = put_desc(b, &d);
        if (st == CCADA_OK) {
                b->prod++;
                st = ring_and_check(b, first, false);
        }
        if (st == CCADA_OK)
                b->stats.flushes++;
        else
                b->stats.errors++;
        return st;
}

ccada_status tdi_blk_rw(struct tdi_blk *b, bool write, uint64_t sector, uint64_t ipa, uint64_t len)
{
        if (!len || len % BLK_SECTOR || sector > b->sectors || len / BLK_SECTOR > b->sectors - sector) {
                b->stats.errors++;
                return CCADA_E_INVAL;
        }
        uint64_t dma;
        enum dma_data_direction dir = write ? DMA_TO_DEVICE : DMA_FROM_DEVICE;
        ccada_status st = dma_map_single(b->dev, ipa, (size_t)len, dir, 0, &dma);
        uint64_t done = 0;
        while (st == CCADA_OK && done < len)
                st = batch(b, write, sector, dma, len, &done);
        if (dma != DMA_MAPPING_ERROR) {
                ccada_status u = dma_unmap_single(b->dev, dma, (size_t)len, dir, 0);
                if (st == CCADA_OK)
                        st = u;
        }
        if (st == CCADA_OK)
                b->stats.requests++;
        else
                b->stats.errors++;
        return st;
}
