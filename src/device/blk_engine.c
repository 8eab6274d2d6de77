/* ccada-dev's block engine: registers, the descriptor ring, sparse storage. Contract and
 * register map in blk_engine.h. */
#include "device/blk_engine.h"

#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "lib/crypto.h"

#define CHUNK      (64u * 1024u)
#define PAGE       4096u

struct blk_engine {
        struct blk_engine_config cfg;
        uint64_t sectors;
        uint8_t **chunk;          /* capacity / CHUNK (rounded up) pointers, NULL: zeros */
        size_t nchunks;
        uint8_t *staging;         /* BLK_MAX_XFER bytes: a whole transfer before it commits */
        /* registers */
        uint64_t ring_base;       /* as written */
        uint32_t ring_entries;
        bool enabled, broken;
        enum blk_engine_error error;
        uint64_t base;            /* latched at enable */
        uint32_t entries;
        uint32_t head;            /* private shadow: next descriptor to process (COMPLETION) */
        struct blk_engine_stats stats;
};

bool blk_engine_new(struct blk_engine **out, const struct blk_engine_config *cfg)
{
        uint64_t bytes = cfg->capacity_bytes ? cfg->capacity_bytes : BLK_DEFAULT_BYTES;
        struct blk_engine *e;

        *out = NULL;
        if (!cfg->dma || bytes % BLK_SECTOR || bytes > BLK_MAX_BYTES)
                return false;
        if (!(e = calloc(1, sizeof(*e))))
                return false;
        e->cfg = *cfg;
        e->sectors = bytes / BLK_SECTOR;
        e->nchunks = (size_t)((bytes + CHUNK - 1) / CHUNK);
        e->chunk = calloc(e->nchunks, sizeof(*e->chunk));
        e->staging = malloc(BLK_MAX_XFER);
        if (!e->chunk || !e->staging) {
                blk_engine_free(e);
                return false;
        }
        *out = e;
        return true;
}

void blk_engine_free(struct blk_engine *e)
{
        if (!e)
                return;
        for (size_t i = 0; e->chunk && i < e->nchunks; i++)
                free(e->chunk[i]);
        free(e->chunk);
        free(e->staging);
        free(e);
}

void blk_engine_reset(struct blk_engine *e)
{
        e->ring_base = e->base = 0;
        e->ring_entries = e->entries = 0;
        e->enabled = e->broken = false;
        e->error = BLK_ERR_NONE;
        e->head = 0;
}

uint64_t blk_engine_capacity_sectors(const struct blk_engine *e)
{
        return e->sectors;
}

const struct blk_engine_stats *blk_engine_stats(const struct blk_engine *e)
{
        return &e->stats;
}

/* ---- storage ---- */

static void store_read(const struct blk_engine *e, uint64_t off, uint8_t *dst, size_t len)
{
        while (len) {
                size_t c = (size_t)(off / CHUNK), in = (size_t)(off % CHUNK), n = CHUNK - in < len ? CHUNK - in : len;
                if (e->chunk[c])
                        memcpy(dst, e->chunk[c] + in, n);
                else
                        memset(dst, 0, n);
                off += n;
                dst += n;
                len -= n;
        }
}

bool blk_engine_storage_read(const struct blk_engine *e, uint64_t off, void *dst, size_t len)
{
        uint64_t bytes = e->sectors * BLK_SECTOR;
        if (off > bytes || len > bytes - off)
                return false;
        store_read(e, off, dst, len);
        return true;
}

/* Allocates every chunk [off, off+len) needs first, so a write either fits whole or changes
 * nothing. */
static bool store_write(struct blk_engine *e, uint64_t off, const uint8_t *src, size_t len)
{
        for (uint64_t c = off / CHUNK; c <= (off + len - 1) / CHUNK; c++)
                if (!e->chunk[c]) {
                        if (!(e->chunk[c] = calloc(1, CHUNK)))
                                return false;
                        e->stats.chunks++;
                }
        while (len) {
                size_t c = (size_t)(off / CHUNK), in = (size_t)(off % CHUNK), n = CHUNK - in < len ? CHUNK - in : len;
                memcpy(e->chunk[c] + in, src, n);
                off += n;
                src += n;
                len -= n;
        }
        return true;
}

/* ---- DMA ---- */

static bool dma(struct blk_engine *e, uint64_t iova, void *buf, size_t len, bool to_memory)
{
        if (e->cfg.dma(e->cfg.dma_ctx, iova, buf, len, to_memory))
                return true;
        e->stats.dma_faults++;
        return false;
}

/* Writes len bytes to memory, then reads back the last DW written in each 4 KiB page: the
 * posted writes' flushing reads (blk_engine.h). */
static bool dma_to_memory(struct blk_engine *e, uint64_t iova, uint8_t *buf, size_t len)
{
        uint8_t dw[4];
        if (!dma(e, iova, buf, len, true))
                return false;
        for (uint64_t p = iova; p < iova + len; p = (p & ~(uint64_t)(PAGE - 1)) + PAGE) {
                uint64_t end = (p & ~(uint64_t)(PAGE - 1)) + PAGE;
                uint64_t last = (end < iova + len ? end : iova + len) - 4;
                if (!dma(e, last, dw, sizeof(dw), false))
                        return false;
        }
        return true;
}

/* ---- the ring ---- */

/* The checks of blk_engine.h, in its order. */
static enum blk_desc_status desc_check(const struct blk_engine *e, const struct blk_desc *d)
{
        if (d->opcode != BLK_OP_READ && d->opcode != BLK_OP_WRITE && d->opcode != BLK_OP_FLUSH)
                return BLK_DESC_BAD_OPCODE;
        if (d->rsvd8 || d->rsvd16)
                return BLK_DESC_BAD_RESERVED;
        if (d->opcode == BLK_OP_FLUSH)
                return d->length || d->sector || d->buffer ? BLK_DESC_BAD_RESERVED : BLK_DESC_OK;
        if (!d->length || d->length % BLK_SECTOR || d->length > BLK_MAX_XFER)
                return BLK_DESC_BAD_LENGTH;
        if (d->sector >= e->sectors || d->length / BLK_SECTOR > e->sectors - d->sector)
                return BLK_DESC_BAD_RANGE;
        if (d->buffer % 4 || d->buffer > UINT64_MAX - d->length)
                return BLK_DESC_BAD_BUFFER;
        return BLK_DESC_OK;
}

static enum blk_desc_status desc_run(struct blk_engine *e, const struct blk_desc *d)
{
        uint64_t off = d->sector * BLK_SECTOR;
        enum blk_desc_status st = desc_check(e, d);

        if (st != BLK_DESC_OK) {
                e->stats.refused++;
                return st;
        }
        switch (d->opcode) {
        case BLK_OP_READ:
                store_read(e, off, e->staging, d->length);
                st = dma_to_memory(e, d->buffer, e->staging, d->length) ? BLK_DESC_OK : BLK_DESC_DMA_FAULT;
                if (st == BLK_DESC_OK)
                        e->stats.bytes_read += d->length;
                break;
        case BLK_OP_WRITE:
                if (!dma(e, d->buffer, e->staging, d->length, false))
                        st = BLK_DESC_DMA_FAULT;
                else if (!store_write(e, off, e->staging, d->length))
                        st = BLK_DESC_DMA_FAULT; /* out of memory: nothing was written */
                else
                        e->stats.bytes_written += d->length;
                break;
        default:
                e->stats.flushes++; /* RAM: nothing to flush */
                break;
        }
        secure_zero(e->staging, d->length);
        return st;
}

static void broken(struct blk_engine *e, enum blk_engine_error why)
{
        e->broken = true;
        e->error = why;
}

/* Processes descriptors head .. tail-1. */
static void ring_run(struct blk_engine *e, uint32_t tail)
{
        e->stats.doorbells++;
        if (!e->enabled || e->broken)
                return;
        if (tail - e->head > e->entries) {
                broken(e, BLK_ERR_BAD_DOORBELL);
                return;
        }
        while (e->head != tail) {
                uint64_t at = e->base + (uint64_t)(e->head & (e->entries - 1)) * BLK_DESC_SIZE;
                uint8_t raw[BLK_DESC_SIZE], st_dw[4];
                struct blk_desc d; /* the copy in: the only one any decision reads */
                if (!dma(e, at, raw, sizeof(raw), false)) {
                        broken(e, BLK_ERR_RING_FAULT);
                        return;
                }
                blk_desc_decode(raw, &d);
                enum blk_desc_status st = desc_run(e, &d);
                e->stats.descriptors++;
                if (st == BLK_DESC_OK)
                        e->stats.ok++;
                st_le32(st_dw, (uint32_t)st);
                /* a refused status write leaves a descriptor no one can read: the driver sees
                 * COMPLETION move and a status still PENDING */
                (void)dma_to_memory(e, at + BLK_DESC_STATUS_OFFSET, st_dw, sizeof(st_dw));
                e->head++;
        }
}

static void control(struct blk_engine *e, uint32_t v)
{
        if (v & BLK_CONTROL_RESET) {
                blk_engine_reset(e);
                return;
        }
        if (!(v & BLK_CONTROL_ENABLE)) {
                e->enabled = false;
                return;
        }
        if (e->enabled || e->broken)
                return;
        uint32_t n = e->ring_entries;
        if (e->ring_base % BLK_DESC_SIZE || !n || n > BLK_MAX_ENTRIES || (n & (n - 1)) ||
            e->ring_base > UINT64_MAX - (uint64_t)n * BLK_DESC_SIZE) {
                broken(e, BLK_ERR_BAD_RING);
                return;
        }
        e->base = e->ring_base;
        e->entries = n;
        e->enabled = true;
}

static bool reg_read(const struct blk_engine *e, uint64_t off, uint32_t *v)
{
        switch (off) {
        case BLK_REG_ID: *v = BLK_ID; return true;
        case BLK_REG_VERSION: *v = BLK_VERSION; return true;
        case BLK_REG_CAPACITY_LO: *v = (uint32_t)e->sectors; return true;
        case BLK_REG_CAPACITY_HI: *v = (uint32_t)(e->sectors >> 32); return true;
        case BLK_REG_RING_BASE_LO: *v = (uint32_t)e->ring_base; return true;
        case BLK_REG_RING_BASE_HI: *v = (uint32_t)(e->ring_base >> 32); return true;
        case BLK_REG_RING_ENTRIES: *v = e->ring_entries; return true;
        case BLK_REG_DOORBELL: *v = 0; return true;
        case BLK_REG_COMPLETION: *v = e->head; return true;
        case BLK_REG_STATUS: *v = (e->enabled ? BLK_STATUS_ENABLED : 0) | (e->broken ? BLK_STATUS_BROKEN : 0); return true;
        case BLK_REG_ERROR: *v = (uint32_t)e->error; return true;
        case BLK_REG_CONTROL: *v = e->enabled ? BLK_CONTROL_ENABLE : 0; return true;
        default: return false;
        }
}

static bool reg_write(struct blk_engine *e, uint64_t off, uint32_t v)
{
        switch (off) {
        case BLK_REG_RING_BASE_LO:
                if (!e->enabled)
                        e->ring_base = (e->ring_base & ~(uint64_t)UINT32_MAX) | v;
                return true;
        case BLK_REG_RING_BASE_HI:
                if (!e->enabled)
                        e->ring_base = (e->ring_base & UINT32_MAX) | (uint64_t)v << 32;
                return true;
        case BLK_REG_RING_ENTRIES:
                if (!e->enabled)
                        e->ring_entries = v;
                return true;
        case BLK_REG_DOORBELL: ring_run(e, v); return true;
        case BLK_REG_CONTROL: control(e, v); return true;
        default: return off < BLK_REGS_END && off % 4 == 0; /* RO: ignored */
        }
}

/* A 4-byte access at a multiple of 4 inside the map, or an 8-byte one of a 64-bit pair. */
static bool access_ok(uint64_t off, unsigned size)
{
        if (size == 8)
                return off == BLK_REG_CAPACITY_LO || off == BLK_REG_RING_BASE_LO;
        return size == 4 && off < BLK_REGS_END && off % 4 == 0;
}

bool blk_engine_mmio_read(struct blk_engine *e, uint64_t off, unsigned size, uint64_t *val)
{
        uint32_t lo, hi = 0;
        *val = 0;
        if (!access_ok(off, size) || !reg_read(e, off, &lo) || (size == 8 && !reg_read(e, off + 4, &hi)))
                return false;
        *val = (uint64_t)hi << 32 | lo;
        return true;
}

bool blk_engine_mmio_write(struct blk_engine *e, uint64_t off, unsigned size, uint64_t val)
{
        if (!access_ok(off, size))
                return false;
        if (!reg_write(e, off, (uint32_t)val))
                return false;
        return size == 4 || reg_write(e, off + 4, (uint32_t)(val >> 32));
}
