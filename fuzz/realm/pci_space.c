/* PCI configuration space served from fuzz input (see pci_space.h). */
#include "pci_space.h"

#include <string.h>

#include "fake_pci_kernel.h"
#include "lib/bytes.h"

uint32_t pspace_cfg16(const struct pspace_fn *f, unsigned off) { return ld_le16(f->cfg + off); }
uint32_t pspace_cfg32(const struct pspace_fn *f, unsigned off) { return ld_le32(f->cfg + off); }

struct pspace_fn *pspace_find(struct pspace *ps, unsigned dev, unsigned fn)
{
        for (unsigned i = 0; i < PSPACE_MAX_FNS; i++)
                if (ps->fns[i].present && ps->fns[i].dev == dev && ps->fns[i].fn == fn)
                        return &ps->fns[i];
        return NULL;
}

size_t pspace_parse(struct pspace *ps, unsigned n, const uint8_t *in, size_t len)
{
        uint8_t b[PSPACE_FN_BYTES];
        size_t used = 0;
        memset(ps, 0, sizeof(*ps));
        for (unsigned i = 0; i < n && i < PSPACE_MAX_FNS; i++) {
                size_t take = len - used < sizeof(b) ? len - used : sizeof(b);
                memset(b, 0, sizeof(b));
                memcpy(b, in + used, take);
                used += take;
                unsigned dev = b[0] % PCI_MAX_DEVICES, fn = b[1] % PCI_MAX_FUNCTIONS;
                if (pspace_find(ps, dev, fn))
                        continue;
                struct pspace_fn *f = &ps->fns[i];
                f->present = true;
                f->dev = (uint8_t)dev;
                f->fn = (uint8_t)fn;
                f->knobs = b[2];
                for (unsigned j = 0; j < PCI_NUM_BARS; j++)
                        f->sizing[j] = ld_le32(b + 3 + 4 * j);
                memcpy(f->cfg, b + 3 + 4 * PCI_NUM_BARS, sizeof(f->cfg));
                for (unsigned j = 0; j < PCI_NUM_BARS; j++)
                        f->bar[j] = pspace_cfg32(f, PCI_BASE_ADDRESS_0 + 4 * j);
                /* the layout the device has: a 64-bit memory BAR takes the next register */
                for (unsigned j = 0; j + 1 < PCI_NUM_BARS; j++) {
                        if ((f->bar[j] & 0x7u) == PCI_BASE_ADDRESS_MEM_TYPE_64)
                                f->upper[++j] = true;
                }
        }
        return used;
}

static bool bar_reg(unsigned reg, unsigned *i)
{
        if (reg < PCI_BASE_ADDRESS_0 || reg >= PCI_BASE_ADDRESS_0 + 4 * PCI_NUM_BARS)
                return false;
        *i = (reg - PCI_BASE_ADDRESS_0) / 4;
        return true;
}

/* What a BAR register reads now: its value, or its sizing answer while probed. The low
 * register of a 64-bit BAR and a 32-bit BAR keep their type bits in an honest answer. */
static uint32_t bar_value(const struct pspace_fn *f, unsigned i)
{
        if (!f->probing[i])
                return f->bar[i];
        if (f->knobs & PSPACE_RAW_SIZING)
                return f->sizing[i];
        return f->upper[i] ? f->sizing[i] : (f->sizing[i] & ~0xFu) | (f->bar[i] & 0xFu);
}

static uint64_t cfg_read(struct pspace *ps, struct pspace_fn *f, unsigned reg, unsigned size)
{
        uint8_t view[260] = { 0 };
        if (reg >= 256)
                return 0;
        memcpy(view, f->cfg, 256);
        for (unsigned i = 0; i < PCI_NUM_BARS; i++)
                st_le32(view + PCI_BASE_ADDRESS_0 + 4 * i, bar_value(f, i));
        uint64_t v = 0;
        for (unsigned j = 0; j < size && reg + j < 256; j++) {
                uint8_t byte = view[reg + j];
                if (f->knobs & PSPACE_VOLATILE && ps->noise_n) {
                        byte ^= *ps->noise++;
                        ps->noise_n--;
                }
                v |= (uint64_t)byte << (8 * j);
        }
        return v;
}

static void cfg_write(struct pspace_fn *f, unsigned reg, unsigned size, uint64_t v)
{
        unsigned i;
        if (size == 4 && bar_reg(reg, &i)) {
                f->probing[i] = (uint32_t)v == 0xFFFFFFFFu;
                if (!f->probing[i]) {
                        uint32_t ro = f->upper[i] ? 0 : 0xFu;
                        f->bar[i] = ((uint32_t)v & ~ro) | (f->bar[i] & ro);
                        f->bar_writes++;
                }
        } else if (reg == PCI_COMMAND && size == 2) {
                st_le16(f->cfg + PCI_COMMAND, (uint16_t)v);
        } else {
                f->other_writes++;
        }
}

/* The access counter and the one access that faults. */
static bool fault_now(struct pspace *ps)
{
        if (++ps->accesses != ps->fault_at)
                return false;
        ps->faulted = true;
        return true;
}

static ccada_status mmio_read(void *ctx, uint64_t ipa, unsigned size, uint64_t *val)
{
        struct pspace *ps = ctx;
        *val = 0;
        if (fault_now(ps))
                return CCADA_E_SEA;
        if (ipa < PSPACE_ECAM || ipa >= PSPACE_ECAM + PCI_ECAM_BUS0_SIZE)
                return ps->other_read ? ps->other_read(ps->other_ctx, ipa, size, val) : CCADA_E_SEA;
        uint64_t off = ipa - PSPACE_ECAM;
        struct pspace_fn *f = pspace_find(ps, (unsigned)(off >> 15) & 31, (unsigned)(off >> 12) & 7);
        *val = f ? cfg_read(ps, f, (unsigned)(off & 0xFFF), size) : (size == 8 ? UINT64_MAX : (1ULL << (8 * size)) - 1);
        return CCADA_OK;
}

static ccada_status mmio_write(void *ctx, uint64_t ipa, unsigned size, uint64_t val)
{
        struct pspace *ps = ctx;
        if (fault_now(ps))
                return CCADA_E_SEA;
        if (ipa < PSPACE_ECAM || ipa >= PSPACE_ECAM + PCI_ECAM_BUS0_SIZE)
                return ps->other_write ? ps->other_write(ps->other_ctx, ipa, size, val) : CCADA_E_SEA;
        uint64_t off = ipa - PSPACE_ECAM;
        struct pspace_fn *f = pspace_find(ps, (unsigned)(off >> 15) & 31, (unsigned)(off >> 12) & 7);
        if (f)
                cfg_write(f, (unsigned)(off & 0xFFF), size, val);
        else
                ps->absent_writes++;
        return CCADA_OK;
}

void pspace_install(struct pspace *ps, struct realm_kernel *k, uint64_t window_size)
{
        fake_kernel_set_mmio(k, &(struct fake_mmio){ mmio_read, mmio_write, ps });
        fake_kernel_set_pci_window(k, PSPACE_ECAM, PSPACE_WINDOW, window_size);
}
