/* The host's DOE relay facing a hostile device: every configuration read of the function
 * returns the next four bytes of the input (then all ones), so the capability list, the
 * Status register and the objects read from the mailbox are the fuzzer's. What must hold:
 * no crash, no read or write outside the relay's buffers, discovery and an exchange
 * return (no endless loop), and a failed exchange says why; an accepted answer fits the
 * caller's buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "host/doe_relay.h"
#include "lib/bytes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct dev {
        const uint8_t *data;
        size_t size, off;
        unsigned reads;
};

static uint32_t rd(void *ctx, uint16_t off)
{
        struct dev *d = ctx;
        (void)off;
        d->reads++;
        if (d->off + 4 > d->size)
                return 0xFFFFFFFFu;
        uint32_t v = ld_le32(d->data + d->off);
        d->off += 4;
        return v;
}

static void wr(void *ctx, uint16_t off, uint32_t val, uint8_t be)
{
        (void)ctx;
        (void)off;
        (void)val;
        (void)be;
}

static const struct hw_pcie_func_ops ops = { rd, wr };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct hw_pcie p;
        struct doe_relay r;
        struct dev d = { .data = data, .size = size };
        char why[DOE_RELAY_WHY_LEN] = "";
        static uint8_t rsp[1024];
        size_t rlen = 0;
        bool sec = false;

        hw_pcie_init(&p);
        if (!hw_pcie_attach(&p, HW_PCIE_BDF(0, 0, 0), &ops, &d))
                abort();
        if (!doe_relay_find(&r, &p, NULL, why))
                return 0;
        r.max_polls = 64;
        (void)doe_relay_discover(&r, why);
        why[0] = 0;
        bool ok = doe_relay_exchange(&r, false, (const uint8_t *)"\x12\x84\x00\x00", 4, rsp, sizeof(rsp), &rlen, &sec, why);
        if ((!ok && !why[0]) || (ok && rlen > sizeof(rsp)))
                abort();
        return 0;
}
