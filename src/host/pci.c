/* The host's emulated PCI bus (see pci.h).  PCIe 6.2 §7.2.2 (ECAM), §7.5.1 (type 0 header) */
#include "host/pci.h"

#include <stdio.h>
#include <string.h>

#include "lib/bytes.h"
#include "lib/container.h"

#define PCI_CACHE_LINE_SIZE     0x0C /* u8, RW */
#define PCI_LATENCY_TIMER       0x0D /* u8, RW */
#define PCI_COMMAND_INTX_DISABLE 0x0400 /* PCIe 6.2 §7.5.1.1.3 */
#define PCI_CAP_LIST_END        0x100u  /* capabilities in the standard header area */
#define PCI_BAR_MAX_SIZE        0x80000000u
#define PCI_FOUR_GIB            ((uint64_t)1 << 32)

_Static_assert(PCI_CFG_SPACE_SIZE * PCI_MAX_FUNCTIONS * PCI_MAX_DEVICES == PCI_ECAM_BUS0_SIZE,
               "PCIe 6.2 §7.2.2: ECAM gives 4 KiB per function, 8 functions, 32 devices");


void host_pci_bdf_name(char out[PCI_BDF_NAME_LEN], unsigned bus, unsigned dev, unsigned fn)
{
        snprintf(out, PCI_BDF_NAME_LEN, "0000:%02x:%02x.%x", bus & 0xFFu, dev & 0x1Fu, fn & 7u);
}

static uint32_t bar_reg_off(unsigned bar) { return PCI_BASE_ADDRESS_0 + 4u * bar; }

/* ---- a function's configuration space ---- */

void host_pci_func_init(struct host_pci_func *func, const struct host_pci_ids *ids, host_pci_bar_read_fn bar_read,
                        host_pci_bar_write_fn bar_write)
{
        memset(func, 0, sizeof(*func));
        st_le16(func->cfg + PCI_VENDOR_ID, ids->vendor);
        st_le16(func->cfg + PCI_DEVICE_ID, ids->device);
        func->cfg[PCI_REVISION_ID] = ids->revision;
        func->cfg[PCI_CLASS_PROG] = (uint8_t)ids->class_code;
        st_le16(func->cfg + PCI_CLASS_DEVICE, (uint16_t)(ids->class_code >> 8));
        func->cfg[PCI_HEADER_TYPE] = 0; /* type 0, single function */
        st_le16(func->cfg + PCI_SUBSYSTEM_VENDOR_ID, ids->subsys_vendor);
        st_le16(func->cfg + PCI_SUBSYSTEM_ID, ids->subsys);
        /* The only fields a guest may change.  PCIe 6.2 §7.5.1.1 */
        st_le16(func->wmask + PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE);
        func->wmask[PCI_CACHE_LINE_SIZE] = 0xFF;
        func->wmask[PCI_LATENCY_TIMER] = 0xFF;
        func->wmask[PCI_INTERRUPT_LINE] = 0xFF;
        func->cap_end = PCI_STD_HEADER_SIZE;
        func->bar_read = bar_read;
        func->bar_write = bar_write;
}

ccada_status host_pci_func_set_bar(struct host_pci_func *func, unsigned bar, uint32_t size, bool prefetch)
{
        if (!func || bar >= PCI_NUM_BARS || size < 16 || size > PCI_BAR_MAX_SIZE || (size & (size - 1)))
                return CCADA_E_INVAL;
        if (func->bus)
                return CCADA_E_STATE;
        uint32_t flags = PCI_BASE_ADDRESS_MEM_TYPE_32 | (prefetch ? PCI_BASE_ADDRESS_MEM_PREFETCH : 0);
        /* Address bits are the writable ones; the rest read back as the flags, which is
         * what makes sizing work.  PCIe 6.2 §7.5.1.2.1 */
        func->bar_size[bar] = size;
        st_le32(func->cfg + bar_reg_off(bar), flags);
        st_le32(func->wmask + bar_reg_off(bar), ~(size - 1) & (uint32_t)PCI_BASE_ADDRESS_MEM_MASK);
        return CCADA_OK;
}

ccada_status host_pci_func_add_cap(struct host_pci_func *func, const uint8_t *cap, size_t len, unsigned *off)
{
        if (!func || !cap || len < 2)
                return CCADA_E_INVAL;
        if (func->bus)
                return CCADA_E_STATE;
        unsigned at = (func->cap_end + 3u) & ~3u;
        if (len > PCI_CAP_LIST_END - at)
                return CCADA_E_NOSPC;
        memcpy(func->cfg + at, cap, len);
        func->cfg[at + 1] = 0; /* end of list */
        if (func->last_cap)
                func->cfg[func->last_cap + 1] = (uint8_t)at;
        else
                func->cfg[PCI_CAPABILITY_LIST] = (uint8_t)at;
        st_le16(func->cfg + PCI_STATUS, (uint16_t)(ld_le16(func->cfg + PCI_STATUS) | PCI_STATUS_CAP_LIST));
        func->last_cap = (uint8_t)at;
        func->cap_end = (uint8_t)(at + len <= 0xFF ? at + len : 0xFF);
        if (off)
                *off = at;
        return CCADA_OK;
}

uint64_t host_pci_func_bar_addr(const struct host_pci_func *func, unsigned bar)
{
        if (bar >= PCI_NUM_BARS || !func->bar_size[bar])
                return 0;
        return ld_le32(func->cfg + bar_reg_off(bar)) & PCI_BASE_ADDRESS_MEM_MASK & ~((uint64_t)func->bar_size[bar] - 1);
}

bool host_pci_func_mem_enabled(const struct host_pci_func *func)
{
        return ld_le16(func->cfg + PCI_COMMAND) & PCI_COMMAND_MEMORY;
}

static bool cfg_range_ok(uint32_t off, unsigned size)
{
        return size >= 1 && size <= 8 && off < PCI_CFG_SPACE_SIZE && size <= PCI_CFG_SPACE_SIZE - off;
}

bool host_pci_func_cfg_read(const struct host_pci_func *func, uint32_t off, unsigned size, uint64_t *val)
{
        if (!cfg_range_ok(off, size))
                return false;
        uint64_t v = 0;
        for (unsigned i = 0; i < size; i++)
                v |= (uint64_t)func->cfg[off + i] << (8 * i);
        *val = v;
        return true;
}

bool host_pci_func_cfg_write(struct host_pci_func *func, uint32_t off, unsigned size, uint64_t val)
{
        if (!cfg_range_ok(off, size))
                return false;
        /* Byte by byte through the write mask: read-only bits keep their value.
         * PCIe 6.2 §7.4 (register attributes RO / RW) */
        for (unsigned i = 0; i < size; i++) {
                uint8_t m = func->wmask[off + i], b = (uint8_t)(val >> (8 * i));
                func->cfg[off + i] = (uint8_t)((func->cfg[off + i] & ~m) | (b & m));
        }
        return true;
}

/* ---- the bus ---- */

/* ECAM: every byte is decoded on its own, so an access may even straddle functions. */
static bool ecam_read_byte(const struct host_pci_bus *bus, uint64_t off, uint8_t *b)
{
        unsigned dev = (unsigned)(off >> 15) & 0x1Fu, fn = (unsigned)(off >> 12) & 7u;
        const struct host_pci_func *f = fn == 0 ? bus->slots[dev] : NULL;
        uint64_t v;
        /* No function: reads return all ones, so the vendor ID reads 0xFFFF.
         * PCIe 6.2 §7.5.1.1.1 */
        if (!f || !host_pci_func_cfg_read(f, (uint32_t)(off & (PCI_CFG_SPACE_SIZE - 1)), 1, &v))
                v = 0xFF;
        *b = (uint8_t)v;
        return true;
}

static bool ecam_read(struct host_mmio_dev *dev, uint64_t off, unsigned size, uint64_t *val)
{
        struct host_pci_bus *bus = container_of(dev, struct host_pci_bus, ecam);
        if (size < 1 || size > 8 || off >= dev->size || size > dev->size - off)
                return false;
        uint64_t v = 0;
        for (unsigned i = 0; i < size; i++) {
                uint8_t b;
                (void)ecam_read_byte(bus, off + i, &b);
                v |= (uint64_t)b << (8 * i);
        }
        bus->stats.cfg_reads++;
        *val = v;
        return true;
}

static bool ecam_write(struct host_mmio_dev *dev, uint64_t off, unsigned size, uint64_t val)
{
        struct host_pci_bus *bus = container_of(dev, struct host_pci_bus, ecam);
        if (size < 1 || size > 8 || off >= dev->size || size > dev->size - off)
                return false;
        for (unsigned i = 0; i < size; i++) {
                uint64_t o = off + i;
                unsigned d = (unsigned)(o >> 15) & 0x1Fu, fn = (unsigned)(o >> 12) & 7u;
                struct host_pci_func *f = fn == 0 ? bus->slots[d] : NULL;
                if (f) /* writes to absent functions are dropped */
                        (void)host_pci_func_cfg_write(f, (uint32_t)(o & (PCI_CFG_SPACE_SIZE - 1)), 1,
                                                      (val >> (8 * i)) & 0xFF);
        }
        bus->stats.cfg_writes++;
        return true;
}

/* The function and BAR that decode [addr, addr + size), or false. */
static bool bar_claim(struct host_pci_bus *bus, uint64_t addr, unsigned size, struct host_pci_func **func,
                      unsigned *bar, uint64_t *off)
{
        for (unsigned d = 0; d < PCI_MAX_DEVICES; d++) {
                struct host_pci_func *f = bus->slots[d];
                if (!f || !host_pci_func_mem_enabled(f))
                        continue;
                for (unsigned b = 0; b < PCI_NUM_BARS; b++) {
                        uint64_t base = host_pci_func_bar_addr(f, b), sz = f->bar_size[b];
                        if (!sz || addr < base || addr - base >= sz || size > sz - (addr - base))
                                continue;
                        *func = f;
                        *bar = b;
                        *off = addr - base;
                        return true;
                }
        }
        return false;
}

static bool window_access(struct host_mmio_dev *dev, uint64_t off, unsigned size, bool write, uint64_t *val)
{
        struct host_pci_bus *bus = container_of(dev, struct host_pci_bus, window);
        struct host_pci_func *f;
        unsigned bar;
        uint64_t boff;

        if (size != 1 && size != 2 && size != 4 && size != 8)
                return false;
        if (!bar_claim(bus, dev->base + off, size, &f, &bar, &boff)) {
                bus->stats.unclaimed++;
                return false;
        }
        bool ok;
        if (write) {
                bus->stats.bar_writes++;
                ok = f->bar_write && f->bar_write(f, bar, boff, size, *val);
        } else {
                bus->stats.bar_reads++;
                *val = 0;
                ok = f->bar_read && f->bar_read(f, bar, boff, size, val);
        }
        if (!ok)
                bus->stats.refused++;
        return ok;
}

static bool window_read(struct host_mmio_dev *dev, uint64_t off, unsigned size, uint64_t *val)
{
        return window_access(dev, off, size, false, val);
}

static bool window_write(struct host_mmio_dev *dev, uint64_t off, unsigned size, uint64_t val)
{
        return window_access(dev, off, size, true, &val);
}

ccada_status host_pci_bus_init(struct host_pci_bus *bus, uint64_t ecam_base, uint64_t win_base, uint64_t win_size)
{
        if (!bus || (ecam_base & (PCI_ECAM_BUS0_SIZE - 1)) || win_size == 0)
                return CCADA_E_INVAL;
        if (win_base >= PCI_FOUR_GIB || win_size > PCI_FOUR_GIB - win_base)
                return CCADA_E_INVAL;
        if (win_base < ecam_base + PCI_ECAM_BUS0_SIZE && ecam_base < win_base + win_size)
                return CCADA_E_INVAL;
        memset(bus, 0, sizeof(*bus));
        bus->ecam = (struct host_mmio_dev){
                .name = "pci-ecam", .base = ecam_base, .size = PCI_ECAM_BUS0_SIZE,
                .read = ecam_read, .write = ecam_write,
        };
        bus->window = (struct host_mmio_dev){
                .name = "pci-mmio", .base = win_base, .size = win_size,
                .read = window_read, .write = window_write,
        };
        return CCADA_OK;
}

ccada_status host_pci_bus_add(struct host_pci_bus *bus, struct host_pci_func *func, unsigned devnum)
{
        if (!bus || !func || devnum >= PCI_MAX_DEVICES || func->bus)
                return CCADA_E_INVAL;
        if (bus->slots[devnum])
                return CCADA_E_BUSY;
        bus->slots[devnum] = func;
        func->bus = bus;
        func->devnum = (uint8_t)devnum;
        host_pci_bdf_name(func->name, 0, devnum, 0);
        return CCADA_OK;
}

void host_pci_bus_remove(struct host_pci_func *func)
{
        if (!func || !func->bus)
                return;
        func->bus->slots[func->devnum] = NULL;
        func->bus = NULL;
        func->name[0] = '\0';
}
