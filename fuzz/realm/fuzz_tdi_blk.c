/* The Realm's driver of an accepted ccada-dev block function (src/realm/tdi_blk.c) against a
 * hostile device: every register read (ID, VERSION, CAPACITY, STATUS, COMPLETION) answers
 * from the input, and after each doorbell the device writes input bytes over the ring's
 * descriptors (their cookies and statuses) and into the data buffer. Writes are swallowed.
 * What must hold (a finding aborts): no crash or out-of-bounds access (ASan/UBSan); probe
 * and rw end with a status; OK from rw only if every descriptor came back with its own cookie
 * and status OK; every page comes back after remove,
 * none is ever decrypted. */
#include <stdlib.h>
#include <string.h>

#include "fake_pci_kernel.h"
#include "proto/cblk.h"
#include "realm/dma.h"
#include "realm/tdi_blk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BAR 0x10000000ull

struct dev {
        struct realm_kernel *k;
        const uint8_t *p;
        size_t left;
        uint64_t ring;          /* the IOVA the driver programmed */
        uint64_t buf[2];        /* the last buffers seen in descriptors */
};

static uint64_t take(struct dev *d, unsigned n)
{
        uint64_t v = 0;
        for (unsigned i = 0; i < n && d->left; i++, d->left--)
                v |= (uint64_t)*d->p++ << (8 * i);
        return v;
}

static ccada_status rd(void *ctx, uint64_t ipa, unsigned size, uint64_t *val)
{
        struct dev *d = ctx;
        (void)ipa;
        *val = take(d, size);
        return CCADA_OK;
}

/* The device's answer to a doorbell: scribbles over the ring, as a broken device might. */
static void scribble(struct dev *d)
{
        unsigned n = (unsigned)take(d, 1) % 8;
        for (unsigned i = 0; i < n && d->left >= 3; i++) {
                uint64_t off = take(d, 2) % (TDI_BLK_RING_ENTRIES * BLK_DESC_SIZE);
                uint8_t b[8];
                size_t w = d->left < sizeof(b) ? d->left : sizeof(b);
                memcpy(b, d->p, w);
                d->p += w, d->left -= w;
                if (off + w > TDI_BLK_RING_ENTRIES * BLK_DESC_SIZE)
                        w = (size_t)(TDI_BLK_RING_ENTRIES * BLK_DESC_SIZE - off);
                if (fake_tdi_dma(d->k, d->ring + off, b, w, true) != CCADA_OK)
                        abort(); /* the ring is private memory of the Realm */
        }
}

static ccada_status wr(void *ctx, uint64_t ipa, unsigned size, uint64_t val)
{
        struct dev *d = ctx;
        if (ipa == BAR + BLK_REG_RING_BASE_LO && size == 8)
                d->ring = val;
        if (ipa == BAR + BLK_REG_DOORBELL && d->ring)
                scribble(d);
        return CCADA_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static struct realm_kernel *k; /* one kernel for every input: each run gives back its pages */
        if (!k)
                k = fake_kernel_new(true);
        size_t free_before = fake_kernel_free_pages(k);
        struct dev d = { .k = k, .p = data, .left = size };
        struct fake_mmio m = { .read = rd, .write = wr, .ctx = &d };
        struct dma_dev dev;
        struct tdi_blk *b;
        uint64_t buf;
        fake_kernel_set_mmio_protected(k, &m);
        dma_dev_init(&dev, k, "0000:00:03.0", "tdi-blk", NULL);
        dev.force_bounce = false;
        if (rk_alloc_pages(k, 2, &buf) != CCADA_OK)
                abort();
        if (tdi_blk_probe(k, BAR, 0x4000, &dev, &b) == CCADA_OK) {
                for (unsigned i = 0; i < 4 && d.left; i++) {
                        bool write = take(&d, 1) & 1;
                        uint64_t sector = take(&d, 2), len = (take(&d, 1) % 17) * 512;
                        ccada_status st = tdi_blk_rw(b, write, sector, buf, len);
                        if (st == CCADA_OK && (!len || sector + len / 512 > tdi_blk_capacity(b)))
                                abort(); /* a request the driver must have refused */
                }
                tdi_blk_remove(b);
        }
        if (fake_kernel_decrypted_pages(k))
                abort();
        rk_free_pages(k, buf, 2);
        if (fake_kernel_free_pages(k) != free_before)
                abort(); /* the driver kept a page */
        return 0;
}
