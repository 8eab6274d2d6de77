/* The interposer on the Root Port <-> ccada-dev link, and the host's write to a locked TDI
 * (contract: link_attacks.h). */
#include "machine/link_attacks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/pdev.h"
#include "hw/hw.h"
#include "hw/root_port.h"
#include "hw/tlp.h"

static const struct link_attack attacks[] = {
        { "snoop-link", "an interposer on the link copies every TLP while the device works for the Realm",
          "ciphertext", LINK_SNOOP },
        { "flip-tlp", "an interposer flips a bit of the first payload the device sends the Realm",
          "IDE MAC", LINK_FLIP },
        { "replay-tlp", "an interposer sends the device's first write to the Realm again, in place of its second",
          "IDE counter", LINK_REPLAY },
        { "locked-bar-write", "the host moves BAR0 of the device after it was locked for the Realm",
          "TDI ERROR", HOST_LOCKED_BAR },
        { "other-ca", "the host assigns a device whose certificates chain to another CA than the Realm owner's",
          "CHAIN", DEVICE_OTHER_CA },
        { "wrong-measurement", "the host assigns the device running firmware 2.0, which the Realm owner's policy does not list",
          "FIRMWARE", DEVICE_WRONG_FW },
        { "dma-before-run", "the device writes the Realm's memory before it was accepted, and once RUN before the Realm enabled its DMA",
          "SMMU fault", DEVICE_DMA_EARLY },
        { "dma-unvalidated", "the accepted device writes where the Realm never pointed it: a page it shared, past its RAM, its own BAR",
          "SMMU fault", DEVICE_DMA_STRAY },
};

const struct link_attack *link_attacks(size_t *n)
{
        *n = sizeof(attacks) / sizeof(attacks[0]);
        return attacks;
}

const struct link_attack *link_attack_find(const char *name)
{
        for (size_t i = 0; name && i < sizeof(attacks) / sizeof(attacks[0]); i++)
                if (!strcmp(attacks[i].name, name))
                        return &attacks[i];
        return NULL;
}

/* A payload as it crossed the wire, padded to 16 bytes so that each one's blocks start at a
 * 16-byte offset of the capture. */
static void capture(struct link_tap *t, const uint8_t *data, size_t n)
{
        size_t padded = (n + 15) & ~(size_t)15;
        if (!t->captured && !(t->captured = calloc(1, LINK_TAP_CAPTURE_MAX)))
                return;
        if (padded > LINK_TAP_CAPTURE_MAX - t->captured_len)
                return;
        memcpy(t->captured + t->captured_len, data, n);
        t->captured_len += padded;
}

enum hw_tap_verdict link_tap(void *ctx, enum hw_link_end from, uint8_t *wire, size_t *len, size_t cap)
{
        struct link_tap *t = ctx;
        struct hw_tlp tlp;
        char why[HW_TLP_WHY_LEN];
        if (!hw_tlp_decode(wire, *len, &tlp, why))
                return HW_TAP_PASS; /* not a TLP it understands: let it by */
        t->tlps++;
        t->sealed += tlp.ide.present;
        bool data = hw_tlp_has_data(tlp.kind) && tlp.data && tlp.len;
        bool tdi = data && tlp.ide.present && tlp.ide.t;
        t->tdi_data += tdi;
        t->clear_data += data && !tlp.ide.present;
        switch (t->attack->kind) {
        case LINK_SNOOP:
                if (data)
                        capture(t, tlp.data, tlp.len);
                break;
        case LINK_FLIP:
                if (tdi && from == HW_LINK_EP && !t->hits) {
                        wire[tlp.data - wire] ^= 0x01; /* the payload's first bit, in place */
                        t->hits++;
                }
                break;
        case LINK_REPLAY:
                if (!tdi || from != HW_LINK_EP || tlp.kind != HW_TLP_MWR || t->hits)
                        break;
                if (!t->saved_len) {
                        memcpy(t->saved, wire, *len);   /* the first: kept, let by */
                        t->saved_len = *len;
                } else if (t->saved_len <= cap) {
                        memcpy(wire, t->saved, t->saved_len); /* the second: the first again */
                        *len = t->saved_len;
                        t->hits++;
                }
                break;
        case HOST_LOCKED_BAR:
        case DEVICE_OTHER_CA:
        case DEVICE_WRONG_FW:
        case DEVICE_DMA_EARLY:
        case DEVICE_DMA_STRAY:
                break;
        }
        return HW_TAP_PASS;
}

void link_attack_rogue_dma(struct pdev *d, struct hw_root_port *rp, struct hw_mem *mem, struct rogue_dma *s)
{
        uint8_t junk[64], before[64], after[64];
        memset(junk, 0xA5, sizeof(junk));
        bool seen = s->pa && hw_read(mem, HW_WORLD_ROOT, s->pa, before, sizeof(before), NULL) == HW_OK;
        uint64_t faults = hw_root_port_stats(rp)->smmu_faults;
        s->sent = pdev_dma(d, s->iova, junk, sizeof(junk), true) == PDEV_DMA_OK;
        struct hw_dma_fault f;
        s->refused = hw_root_port_stats(rp)->smmu_faults > faults && hw_root_port_last_fault(rp, &f);
        snprintf(s->reason, sizeof(s->reason), "%s", s->refused ? hw_dma_reason_name(f.reason) : "");
        s->unchanged = !s->pa || (seen && hw_read(mem, HW_WORLD_ROOT, s->pa, after, sizeof(after), NULL) == HW_OK &&
                                  !memcmp(before, after, sizeof(after)));
}

bool link_attack_rogue_contained(const struct rogue_dma *s, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (!s[i].sent || !s[i].refused || !s[i].unchanged)
                        return false;
        return n > 0;
}

void link_tap_free(struct link_tap *t)
{
        free(t->captured);
        t->captured = NULL;
        t->captured_len = 0;
}

static int block_cmp(const void *a, const void *b)
{
        return memcmp(a, b, 16);
}

size_t link_tap_plaintext_blocks(const struct link_tap *t, const uint8_t *plain, size_t len)
{
        size_t nblocks = len / 16, hits = 0;
        if (!nblocks || !t->captured_len)
                return 0;
        uint8_t *sorted = malloc(nblocks * 16);
        if (!sorted)
                return SIZE_MAX; /* cannot tell: counted as a finding */
        memcpy(sorted, plain, nblocks * 16);
        qsort(sorted, nblocks, 16, block_cmp);
        static const uint8_t zero[16];
        for (size_t off = 0; off + 16 <= t->captured_len; off += 16) {
                const uint8_t *b = t->captured + off;
                if (memcmp(b, zero, 16) && bsearch(b, sorted, nblocks, 16, block_cmp))
                        hits++; /* (an all-zero block is padding, or says nothing) */
        }
        free(sorted);
        return hits;
}
