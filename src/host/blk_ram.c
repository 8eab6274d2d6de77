/* A block backend in host RAM (see blk_ram.h). */
#include "host/blk_ram.h"

#include <stdlib.h>
#include <string.h>

struct blk_ram {
        struct blk_backend b; /* first: the ops get this back */
        uint64_t size;
        uint8_t *alloc; /* size + one page, zeroed */
        uint8_t *bytes; /* alloc rounded up to a page */
};

#define RAM_ALIGN 4096u /* the host's page */

#define RAM_OF(bb) ((struct blk_ram *)(void *)(bb))

static ccada_status ram_read(struct blk_backend *b, uint64_t off, const struct iovec *iov, unsigned n)
{
        const uint8_t *p = RAM_OF(b)->bytes + off;
        for (unsigned i = 0; i < n; i++) {
                if (iov[i].iov_len) /* an empty iovec may have no buffer at all */
                        memcpy(iov[i].iov_base, p, iov[i].iov_len);
                p += iov[i].iov_len;
        }
        return CCADA_OK;
}

static ccada_status ram_write(struct blk_backend *b, uint64_t off, const struct iovec *iov, unsigned n)
{
        uint8_t *p = RAM_OF(b)->bytes + off;
        for (unsigned i = 0; i < n; i++) {
                if (iov[i].iov_len)
                        memcpy(p, iov[i].iov_base, iov[i].iov_len);
                p += iov[i].iov_len;
        }
        return CCADA_OK;
}

static ccada_status ram_flush(struct blk_backend *b)
{
        (void)b;
        return CCADA_OK;
}

static ccada_status ram_size(struct blk_backend *b, uint64_t *bytes)
{
        *bytes = RAM_OF(b)->size;
        return CCADA_OK;
}

static void ram_close(struct blk_backend *b)
{
        free(RAM_OF(b)->alloc);
        free(b);
}

static const struct blk_backend_ops ram_ops = {
        .kind = "ram",
        .read = ram_read,
        .write = ram_write,
        .flush = ram_flush,
        .size = ram_size,
        .close = ram_close,
};

ccada_status blk_ram_open(struct blk_backend **out, uint64_t size, struct blk_error *why)
{
        if (!out || size > SIZE_MAX - RAM_ALIGN)
                return CCADA_E_INVAL;
        *out = NULL;
        if (why)
                *why = (struct blk_error){ .op = BLK_OP_OPEN };
        /* Page-aligned, like the guest pages it exchanges data with: a sector-aligned copy
         * between the two then has source and destination at the same offset in their pages,
         * which memcpy handles fastest (a destination a few bytes ahead of its source modulo
         * 4 KiB makes its loads wait on earlier stores to aliasing addresses: 4 KiB random
         * writes ran at two thirds of the speed). calloc: zero, and lazily backed when large. */
        struct blk_ram *r = calloc(1, sizeof(*r));
        if (r)
                r->alloc = calloc((size_t)size + RAM_ALIGN, 1);
        if (!r || !r->alloc) {
                free(r);
                return blk_fail(why, BLK_OP_OPEN, BLK_ERR_NO_MEMORY, 0, 0);
        }
        r->bytes = r->alloc + (-(uintptr_t)r->alloc & (RAM_ALIGN - 1));
        r->b.ops = &ram_ops;
        r->size = size;
        *out = &r->b;
        return CCADA_OK;
}

uint8_t *blk_ram_bytes(struct blk_backend *b) { return b && b->ops == &ram_ops ? RAM_OF(b)->bytes : NULL; }
