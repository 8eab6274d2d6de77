/* A copy-on-write overlay over another block backend (see blk_cow.h). */
#include "host/blk_cow.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/container.h"

struct blk_cow {
        struct blk_backend b;           /* first: the ops get this back */
        struct blk_backend *base;       /* owned; never written */
        uint64_t size;
        uint64_t nchunks;
        uint64_t written;               /* chunks with a RAM copy */
        uint8_t **chunk;                /* [nchunks]: the RAM copy, NULL while clean */
        struct iovec *slice;            /* [BLK_BACKEND_MAX_IOV]: part of a request */
};

#define COW_OF(bb) container_of(bb, struct blk_cow, b)

/* Bytes of chunk idx that are inside the medium. */
static uint64_t chunk_len(const struct blk_cow *c, uint64_t idx)
{
        uint64_t start = idx * BLK_COW_CHUNK;
        return c->size - start < BLK_COW_CHUNK ? c->size - start : BLK_COW_CHUNK;
}

/* The bytes [skip, skip + len) of the request iov[0, n) as iovecs in c->slice; their count.
 * A part of a valid request has at most n iovecs. */
static unsigned slice(struct blk_cow *c, const struct iovec *iov, unsigned n, uint64_t skip, uint64_t len)
{
        unsigned k = 0;
        for (unsigned i = 0; i < n && len; i++) {
                uint64_t l = iov[i].iov_len;
                if (skip >= l) {
                        skip -= l;
                        continue;
                }
                uint64_t take = l - skip < len ? l - skip : len;
                c->slice[k++] = (struct iovec){ .iov_base = (uint8_t *)iov[i].iov_base + skip, .iov_len = (size_t)take };
                skip = 0;
                len -= take;
        }
        return k;
}

/* Copies between p and the iovecs of c->slice[0, k): into them (to_iov) or out of them. */
static void copy_slice(const struct blk_cow *c, unsigned k, uint8_t *p, bool to_iov)
{
        for (unsigned i = 0; i < k; i++) {
                if (to_iov)
                        memcpy(c->slice[i].iov_base, p, c->slice[i].iov_len);
                else
                        memcpy(p, c->slice[i].iov_base, c->slice[i].iov_len);
                p += c->slice[i].iov_len;
        }
}

/* Records that the base failed op after the overlay had moved done bytes of its request. */
static ccada_status base_failed(struct blk_cow *c, enum blk_op op, uint64_t done)
{
        const struct blk_error *e = blk_backend_error(c->base);
        return blk_fail(&c->b.error, op, e->reason, e->sys_errno, done + e->done);
}

/* Reads: written chunks from RAM; each run of clean chunks from the base in one call. */
static ccada_status cow_read(struct blk_backend *b, uint64_t off, const struct iovec *iov, unsigned n)
{
        struct blk_cow *c = COW_OF(b);
        uint64_t total = 0, pos = 0;
        (void)blk_iov_total(iov, n, &total); /* checked by blk_backend_read */
        while (pos < total) {
                uint64_t at = off + pos, idx = at / BLK_COW_CHUNK, len;
                if (c->chunk[idx]) {
                        len = BLK_COW_CHUNK - at % BLK_COW_CHUNK;
                        len = len < total - pos ? len : total - pos;
                        copy_slice(c, slice(c, iov, n, pos, len), c->chunk[idx] + at % BLK_COW_CHUNK, true);
                } else {
                        uint64_t next = idx + 1; /* the run ends before the next written chunk */
                        while (next < c->nchunks && !c->chunk[next] && next * BLK_COW_CHUNK - at < total - pos)
                                next++;
                        len = next * BLK_COW_CHUNK - at;
                        len = len < total - pos ? len : total - pos;
                        if (blk_backend_read(c->base, at, c->slice, slice(c, iov, n, pos, len)) != CCADA_OK)
                                return base_failed(c, BLK_OP_READ, pos);
                }
                pos += len;
        }
        return CCADA_OK;
}

/* Gives chunk idx its RAM copy, filled from the base unless the write [in, in + len) covers
 * all of it. */
static ccada_status cow_chunk(struct blk_cow *c, uint64_t idx, uint64_t in, uint64_t len, uint64_t done)
{
        uint64_t clen = chunk_len(c, idx);
        uint8_t *p = malloc(BLK_COW_CHUNK);
        if (!p)
                return blk_fail(&c->b.error, BLK_OP_WRITE, BLK_ERR_NO_MEMORY, 0, done);
        if (in != 0 || len != clen) {
                struct iovec whole = { .iov_base = p, .iov_len = (size_t)clen };
                if (blk_backend_read(c->base, idx * BLK_COW_CHUNK, &whole, 1) != CCADA_OK) {
                        free(p);
                        const struct blk_error *e = blk_backend_error(c->base);
                        return blk_fail(&c->b.error, BLK_OP_WRITE, e->reason, e->sys_errno, done);
                }
        }
        c->chunk[idx] = p;
        c->written++;
        return CCADA_OK;
}

/* Writes: into each chunk's RAM copy, made on the chunk's first write. */
static ccada_status cow_write(struct blk_backend *b, uint64_t off, const struct iovec *iov, unsigned n)
{
        struct blk_cow *c = COW_OF(b);
        uint64_t total = 0, pos = 0;
        (void)blk_iov_total(iov, n, &total); /* checked by blk_backend_write */
        while (pos < total) {
                uint64_t at = off + pos, idx = at / BLK_COW_CHUNK, in = at % BLK_COW_CHUNK;
                uint64_t len = BLK_COW_CHUNK - in < total - pos ? BLK_COW_CHUNK - in : total - pos;
                ccada_status s = c->chunk[idx] ? CCADA_OK : cow_chunk(c, idx, in, len, pos);
                if (s != CCADA_OK)
                        return s;
                copy_slice(c, slice(c, iov, n, pos, len), c->chunk[idx] + in, false);
                pos += len;
        }
        return CCADA_OK;
}

static ccada_status cow_flush(struct blk_backend *b)
{
        (void)b; /* the overlay is RAM by design: nothing becomes durable */
        return CCADA_OK;
}

static ccada_status cow_size(struct blk_backend *b, uint64_t *bytes)
{
        *bytes = COW_OF(b)->size;
        return CCADA_OK;
}

static void cow_close(struct blk_backend *b)
{
        struct blk_cow *c = COW_OF(b);
        for (uint64_t i = 0; c->chunk && i < c->nchunks; i++)
                free(c->chunk[i]);
        free(c->chunk);
        free(c->slice);
        blk_backend_close(c->base);
        free(c);
}

static const struct blk_backend_ops cow_ops = {
        .kind = "cow",
        .read = cow_read,
        .write = cow_write,
        .flush = cow_flush,
        .size = cow_size,
        .close = cow_close,
};

ccada_status blk_cow_open(struct blk_backend **out, struct blk_backend *base, struct blk_error *why)
{
        uint64_t size;
        if (!out || !base) {
                blk_backend_close(base);
                return CCADA_E_INVAL;
        }
        *out = NULL;
        if (why)
                *why = (struct blk_error){ .op = BLK_OP_OPEN };
        ccada_status s = blk_backend_size(base, &size);
        if (s != CCADA_OK) {
                if (why)
                        *why = *blk_backend_error(base);
                blk_backend_close(base);
                return s;
        }
        struct blk_cow *c = calloc(1, sizeof(*c));
        uint64_t nchunks = size / BLK_COW_CHUNK + (size % BLK_COW_CHUNK ? 1u : 0u);
        if (c && nchunks <= SIZE_MAX / sizeof(*c->chunk)) {
                c->chunk = calloc(nchunks ? (size_t)nchunks : 1, sizeof(*c->chunk)); /* lazily backed */
                c->slice = calloc(BLK_BACKEND_MAX_IOV, sizeof(*c->slice));
        }
        if (!c || !c->chunk || !c->slice) {
                if (c) {
                        free(c->chunk);
                        free(c->slice);
                        free(c);
                }
                blk_backend_close(base);
                return blk_fail(why, BLK_OP_OPEN, BLK_ERR_NO_MEMORY, 0, 0);
        }
        c->b.ops = &cow_ops;
        c->base = base;
        c->size = size;
        c->nchunks = nchunks;
        *out = &c->b;
        return CCADA_OK;
}

const struct blk_backend *blk_cow_base(const struct blk_backend *b)
{
        return b && b->ops == &cow_ops ? COW_OF(b)->base : NULL;
}

uint64_t blk_cow_ram_bytes(const struct blk_backend *b)
{
        return b && b->ops == &cow_ops ? COW_OF(b)->written * BLK_COW_CHUNK : 0;
}
