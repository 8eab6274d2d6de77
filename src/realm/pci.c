/* The Realm guest's PCI bus 0 (see pci.h for the contract and the trust model).
 * PCI Local Bus 3.0 §6.1-§6.7, PCIe 6.2 §7.2.2 (ECAM), §7.5.1 (type 0 header). */
#include "realm/pci.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "realm/kernel.h"

/* I/O space decoding enable.  PCI Local Bus 3.0 §6.2.2 */
#define PCI_COMMAND_IO_SPACE 0x0001u
/* Capabilities live in the first 256 bytes.  PCI Local Bus 3.0 §6.7 */
#define PCI_COMPAT_SPACE_SIZE 256u

/* ---- configuration space accessors ---- */

static bool cfg_off_ok(const struct pci_device *dev, uint16_t off, unsigned size)
{
        return dev && off % size == 0 && off + size <= PCI_CFG_SPACE_SIZE;
}

static ccada_status cfg_read(const struct pci_device *dev, uint16_t off, unsigned size, uint64_t *val)
{
        *val = 0;
        if (!cfg_off_ok(dev, off, size))
                return CCADA_E_INVAL;
        ccada_status st = rk_mmio_read(dev->k, dev->cfg_base + off, size, val);
        if (st != CCADA_OK)
                *val = 0;
        /* The host may answer with more bits than the register has: keep the register. */
        if (size < 8)
                *val &= ((uint64_t)1 << (8 * size)) - 1;
        return st;
}

static ccada_status cfg_write(const struct pci_device *dev, uint16_t off, unsigned size, uint64_t val)
{
        if (!cfg_off_ok(dev, off, size))
                return CCADA_E_INVAL;
        return rk_mmio_write(dev->k, dev->cfg_base + off, size, val);
}

ccada_status pci_cfg_read8(const struct pci_device *dev, uint16_t off, uint8_t *val)
{
        uint64_t v;
        ccada_status st = cfg_read(dev, off, 1, &v);
        *val = (uint8_t)v;
        return st;
}

ccada_status pci_cfg_read16(const struct pci_device *dev, uint16_t off, uint16_t *val)
{
        uint64_t v;
        ccada_status st = cfg_read(dev, off, 2, &v);
        *val = (uint16_t)v;
        return st;
}

ccada_status pci_cfg_read32(const struct pci_device *dev, uint16_t off, uint32_t *val)
{
        uint64_t v;
        ccada_status st = cfg_read(dev, off, 4, &v);
        *val = (uint32_t)v;
        return st;
}

ccada_status pci_cfg_write8(const struct pci_device *dev, uint16_t off, uint8_t val)
{
        return cfg_write(dev, off, 1, val);
}

ccada_status pci_cfg_write16(const struct pci_device *dev, uint16_t off, uint16_t val)
{
        return cfg_write(dev, off, 2, val);
}

ccada_status pci_cfg_write32(const struct pci_device *dev, uint16_t off, uint32_t val)
{
        return cfg_write(dev, off, 4, val);
}

/* ---- root ---- */

ccada_status pci_root_init(struct pci_root *root, struct realm_kernel *k)
{
        uint64_t ecam, base, size;

        if (!root || !k)
                return CCADA_E_INVAL;
        memset(root, 0, sizeof(*root));
        rk_pci_window(k, &ecam, &base, &size);
        if (!ecam)
                return CCADA_E_UNSUPPORTED;
        if (!size || base % PCI_BAR_MIN_SIZE || base + size < base || ecam + PCI_ECAM_BUS0_SIZE < ecam)
                return CCADA_E_INVAL;
        if (ecam < base + size && base < ecam + PCI_ECAM_BUS0_SIZE)
                return CCADA_E_INVAL;
        root->k = k;
        root->ecam = ecam;
        root->mmio_base = base;
        root->mmio_size = size;
        root->mmio_next = base;
        return CCADA_OK;
}

/* ---- one function: refusing it ---- */

/* Logs why the function is refused ("pci 0000:00:01.0: <why>; device ignored") and
 * returns CCADA_E_PEER. */
static ccada_status __attribute__((format(printf, 2, 3))) refuse(const struct pci_device *d, const char *fmt, ...)
{
        char why[160];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(why, sizeof(why), fmt, ap);
        va_end(ap);
        rk_printk(d->k, "pci %s: %s; device ignored", d->name, why);
        return CCADA_E_PEER;
}

/* ---- BAR sizing.  PCI Local Bus 3.0 §6.2.5.1 ---- */

/* Writes all ones to a BAR register, reads the mask back and restores the original. */
static ccada_status probe_bar_reg(const struct pci_device *d, uint16_t reg, uint32_t orig, uint32_t *rb)
{
        ccada_status st = pci_cfg_write32(d, reg, 0xFFFFFFFFu);
        if (st == CCADA_OK)
                st = pci_cfg_read32(d, reg, rb);
        ccada_status st2 = pci_cfg_write32(d, reg, orig);
        return st != CCADA_OK ? st : st2;
}

/* Validates the read-back of BAR i and records its size. orig/rb are the low register,
 * orig_hi/rb_hi the upper one (64-bit BARs; rb_hi is all ones for 32-bit BARs). */
static ccada_status decode_bar(struct pci_root *root, struct pci_device *d, unsigned i, uint32_t orig, uint32_t rb,
                               uint32_t rb_hi, bool is64)
{
        if ((rb & 0xFu) != (orig & 0xFu))
                return refuse(d, "BAR %u: type bits changed while sizing (0x%x -> 0x%x)", i, orig & 0xFu, rb & 0xFu);
        uint64_t mask = ((uint64_t)rb_hi << 32) | (rb & (uint32_t)PCI_BASE_ADDRESS_MEM_MASK);
        if ((rb & (uint32_t)PCI_BASE_ADDRESS_MEM_MASK) == 0 && (!is64 || rb_hi == 0))
                return CCADA_OK; /* no writable address bits: BAR not implemented */
        uint64_t size = ~mask + 1;
        if (size == 0 || (size & (size - 1)) != 0 || size < PCI_BAR_MIN_SIZE)
                return refuse(d, "BAR %u: size mask 0x%llx is not a power of two", i, (unsigned long long)mask);
        if (size > root->mmio_size)
                return refuse(d, "BAR %u: size 0x%llx is larger than the window (0x%llx)", i,
                              (unsigned long long)size, (unsigned long long)root->mmio_size);
        d->bars[i].size = size;
        d->bars[i].is64 = is64;
        d->bars[i].prefetch = (orig & PCI_BASE_ADDRESS_MEM_PREFETCH) != 0;
        return CCADA_OK;
}

/* Sizes BAR i; *slots is 2 for a 64-bit BAR (the next register is its upper half). */
static ccada_status size_bar(struct pci_root *root, struct pci_device *d, unsigned i, unsigned *slots)
{
        uint16_t reg = (uint16_t)(PCI_BASE_ADDRESS_0 + 4 * i);
        uint32_t orig, rb, orig_hi, rb_hi = 0xFFFFFFFFu;
        ccada_status st = pci_cfg_read32(d, reg, &orig);

        *slots = 1;
        if (st != CCADA_OK)
                return st;
        if (orig & PCI_BASE_ADDRESS_SPACE_IO) {
                rk_printk(d->k, "pci %s: BAR %u: I/O space is not supported, not assigned", d->name, i);
                return CCADA_OK;
        }
        uint32_t type = orig & PCI_BASE_ADDRESS_MEM_TYPE_MASK;
        if (type != PCI_BASE_ADDRESS_MEM_TYPE_32 && type != PCI_BASE_ADDRESS_MEM_TYPE_64)
                return refuse(d, "BAR %u: unsupported memory type %u", i, (unsigned)type >> 1);
        bool is64 = type == PCI_BASE_ADDRESS_MEM_TYPE_64;
        if (is64 && i + 1 >= PCI_NUM_BARS)
                return refuse(d, "BAR %u: 64-bit BAR has no upper half", i);
        if ((st = probe_bar_reg(d, reg, orig, &rb)) != CCADA_OK)
                return st;
        if (is64) {
                *slots = 2;
                if ((st = pci_cfg_read32(d, (uint16_t)(reg + 4), &orig_hi)) != CCADA_OK ||
                    (st = probe_bar_reg(d, (uint16_t)(reg + 4), orig_hi, &rb_hi)) != CCADA_OK)
                        return st;
        }
        return decode_bar(root, d, i, orig, rb, rb_hi, is64);
}

static ccada_status size_bars(struct pci_root *root, struct pci_device *d)
{
        for (unsigned i = 0, slots; i < PCI_NUM_BARS; i += slots) {
                ccada_status st = size_bar(root, d, i, &slots);
                if (st != CCADA_OK)
                        return st;
        }
        return CCADA_OK;
}

/* ---- BAR assignment ---- */

/* Places every sized BAR in the window, largest first, each naturally aligned, after
 * root->mmio_next. Commits root->mmio_next only when all fit. */
static ccada_status assign_bars(struct pci_root *root, struct pci_device *d)
{
        uint64_t next = root->mmio_next, end = root->mmio_base + root->mmio_size;
        bool done[PCI_NUM_BARS] = { false };

        for (;;) {
                int pick = -1;
                for (unsigned i = 0; i < PCI_NUM_BARS; i++)
                        if (d->bars[i].size && !done[i] && (pick < 0 || d->bars[i].size > d->bars[pick].size))
                                pick = (int)i;
                if (pick < 0)
                        break;
                struct pci_bar *b = &d->bars[pick];
                uint64_t addr = (next + b->size - 1) & ~(b->size - 1);
                if (addr < next || addr > end || end - addr < b->size)
                        return refuse(d, "BAR %d: no space left in the window for 0x%llx bytes", pick,
                                      (unsigned long long)b->size);
                b->addr = addr;
                next = addr + b->size;
                done[pick] = true;
        }
        root->mmio_next = next;
        return CCADA_OK;
}

static ccada_status program_bars(struct pci_device *d)
{
        for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
                const struct pci_bar *b = &d->bars[i];
                uint16_t reg = (uint16_t)(PCI_BASE_ADDRESS_0 + 4 * i);
                ccada_status st;

                if (!b->size)
                        continue;
                if ((st = pci_cfg_write32(d, reg, (uint32_t)b->addr)) != CCADA_OK)
                        return st;
                if (b->is64 && (st = pci_cfg_write32(d, (uint16_t)(reg + 4), (uint32_t)(b->addr >> 32))) != CCADA_OK)
                        return st;
                rk_printk(d->k, "pci %s: BAR %u [mem 0x%08llx-0x%08llx%s%s]", d->name, i,
                          (unsigned long long)b->addr, (unsigned long long)(b->addr + b->size - 1),
                          b->is64 ? " 64bit" : "", b->prefetch ? " pref" : "");
        }
        return CCADA_OK;
}

/* ---- capability list.  PCI Local Bus 3.0 §6.7 ---- */

static ccada_status walk_caps(struct pci_device *d)
{
        bool seen[PCI_COMPAT_SPACE_SIZE / 4] = { false }; /* one per dword */
        uint16_t status;
        uint8_t ptr;
        ccada_status st = pci_cfg_read16(d, PCI_STATUS, &status);

        d->ncaps = 0;
        if (st != CCADA_OK || !(status & PCI_STATUS_CAP_LIST))
                return st;
        if ((st = pci_cfg_read8(d, PCI_CAPABILITY_LIST, &ptr)) != CCADA_OK)
                return st;
        while (ptr) {
                uint16_t hdr;

                if (ptr < PCI_STD_HEADER_SIZE || ptr % 4)
                        return refuse(d, "capability pointer 0x%02x is out of bounds", ptr);
                if (seen[ptr / 4])
                        return refuse(d, "capability list loops back to 0x%02x", ptr);
                if (d->ncaps == PCI_MAX_CAPS)
                        return refuse(d, "more than %u capabilities", PCI_MAX_CAPS);
                seen[ptr / 4] = true;
                if ((st = pci_cfg_read16(d, ptr, &hdr)) != CCADA_OK)
                        return st;
                d->caps[d->ncaps].id = (uint8_t)hdr;
                d->caps[d->ncaps].off = ptr;
                d->ncaps++;
                ptr = (uint8_t)(hdr >> 8);
        }
        return CCADA_OK;
}

bool pci_find_capability(const struct pci_device *dev, uint8_t id, unsigned index, uint8_t *off)
{
        for (unsigned i = 0; dev && i < dev->ncaps && i < PCI_MAX_CAPS; i++) {
                if (dev->caps[i].id != id)
                        continue;
                if (index-- == 0) {
                        *off = dev->caps[i].off;
                        return true;
                }
        }
        return false;
}

/* ---- enumeration ---- */

static void function_init(struct pci_device *d, const struct pci_root *root, unsigned dev, unsigned fn)
{
        memset(d, 0, sizeof(*d));
        d->k = root->k;
        d->bus = 0;
        d->dev = (uint8_t)dev;
        d->fn = (uint8_t)fn;
        d->cfg_base = root->ecam + PCI_ECAM_OFFSET(0, dev, fn, 0);
        snprintf(d->name, sizeof(d->name), "0000:%02x:%02x.%x", 0u, dev & 0x1Fu, fn & 0x7u);
}

/* set_pcie_port_type: the PCI Express capability's device/port type (PCIe 6.2 §7.5.3.2,
 * bits 7:4), found as pci_find_capability finds it, before the full walk of the list: at
 * most PCI_MAX_CAPS entries, stopping quietly at a pointer into the header. -1: none. */
static int pcie_port_type(struct pci_device *d)
{
        uint16_t status, hdr, flags;
        uint8_t ptr;

        if (pci_cfg_read16(d, PCI_STATUS, &status) != CCADA_OK || !(status & PCI_STATUS_CAP_LIST) ||
            pci_cfg_read8(d, PCI_CAPABILITY_LIST, &ptr) != CCADA_OK)
                return -1;
        for (unsigned ttl = PCI_MAX_CAPS; ttl && ptr >= PCI_STD_HEADER_SIZE; ttl--) {
                ptr &= (uint8_t)~3u;
                if (pci_cfg_read16(d, ptr, &hdr) != CCADA_OK || (hdr & 0xFFu) == 0xFFu)
                        return -1;
                if ((hdr & 0xFFu) == PCI_CAP_ID_EXP)
                        return pci_cfg_read16(d, (uint16_t)(ptr + PCI_EXP_FLAGS), &flags) == CCADA_OK
                                       ? (flags >> 4) & 0xF
                                       : -1;
                ptr = (uint8_t)(hdr >> 8);
        }
        return -1;
}

/* Linux pci_type_str (drivers/pci/probe.c, 6.8+), the end of the "[vvvv:dddd] type .."
 * line: the PCIe port type when the function has a PCI Express capability, else its
 * header layout. "PCIe Endpoint", "PCIe Legacy Endpoint", "PCIe Root Port", "PCIe Root
 * Complex Integrated Endpoint" and "conventional PCI endpoint" are checked against recorded
 * boot logs; the other names follow the same table. */
static const char *pci_type_str(struct pci_device *d)
{
        static const char *const pcie[] = {
                [0x0] = "PCIe Endpoint",
                [0x1] = "PCIe Legacy Endpoint",
                [0x4] = "PCIe Root Port",
                [0x5] = "PCIe Switch Upstream Port",
                [0x6] = "PCIe Switch Downstream Port",
                [0x7] = "PCIe to PCI/PCI-X bridge",
                [0x8] = "PCI/PCI-X to PCIe bridge",
                [0x9] = "PCIe Root Complex Integrated Endpoint",
                [0xA] = "PCIe Root Complex Event Collector",
        };
        int type = pcie_port_type(d);

        if (type >= 0)
                return (size_t)type < sizeof(pcie) / sizeof(pcie[0]) && pcie[type] ? pcie[type] : "PCIe unknown";
        switch (d->header_type & 0x7Fu) {
        case 0: return "conventional PCI endpoint";
        case 1: return "conventional PCI bridge";
        case 2: return "CardBus bridge";
        default: return "conventional PCI";
        }
}

static ccada_status read_ids(struct pci_device *d)
{
        uint32_t rc;
        ccada_status st = pci_cfg_read16(d, PCI_DEVICE_ID, &d->device);

        if (st == CCADA_OK)
                st = pci_cfg_read32(d, PCI_REVISION_ID, &rc);
        if (st == CCADA_OK)
                st = pci_cfg_read8(d, PCI_HEADER_TYPE, &d->header_type);
        if (st != CCADA_OK)
                return st;
        d->revision = (uint8_t)rc;
        d->class = rc >> 8;
        rk_printk(d->k, "pci %s: [%04x:%04x] type %02x class 0x%06x %s", d->name, d->vendor, d->device,
                  d->header_type & 0x7Fu, d->class, pci_type_str(d));
        return CCADA_OK;
}

/* Sizes, walks, assigns and programs with decoding off; CCADA_E_PEER when refused. */
static ccada_status configure(struct pci_root *root, struct pci_device *d, uint16_t cmd)
{
        ccada_status st;

        if ((d->header_type & 0x7Fu) != 0)
                return refuse(d, "header type %02x is not supported", d->header_type & 0x7Fu);
        if (root->ndevs == PCI_ROOT_MAX_DEVICES)
                return refuse(d, "more than %u functions", PCI_ROOT_MAX_DEVICES);
        uint16_t quiet = (uint16_t)(cmd & ~(PCI_COMMAND_MEMORY | PCI_COMMAND_IO_SPACE)); /* no decoding while sizing */
        if ((st = pci_cfg_write16(d, PCI_COMMAND, quiet)) != CCADA_OK)
                return st;
        if ((st = size_bars(root, d)) != CCADA_OK || (st = walk_caps(d)) != CCADA_OK ||
            (st = assign_bars(root, d)) != CCADA_OK || (st = program_bars(d)) != CCADA_OK)
                return st;
        return pci_cfg_write16(d, PCI_COMMAND, (uint16_t)(cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER));
}

/* Sets up one function. *present tells whether a function answered. */
static ccada_status setup_function(struct pci_root *root, unsigned dev, unsigned fn, bool *present)
{
        struct pci_device d;
        uint16_t cmd;
        ccada_status st;

        function_init(&d, root, dev, fn);
        *present = false;
        if ((st = pci_cfg_read16(&d, PCI_VENDOR_ID, &d.vendor)) != CCADA_OK)
                return st;
        if (d.vendor == 0xFFFFu)
                return CCADA_OK;
        *present = true;
        if ((st = read_ids(&d)) != CCADA_OK || (st = pci_cfg_read16(&d, PCI_COMMAND, &cmd)) != CCADA_OK)
                return st;
        st = configure(root, &d, cmd);
        if (st == CCADA_E_PEER) {
                root->skipped++;
                return pci_cfg_write16(&d, PCI_COMMAND, cmd); /* leave it as we found it */
        }
        if (st != CCADA_OK)
                return st;
        root->devs[root->ndevs++] = d;
        return CCADA_OK;
}

ccada_status pci_enumerate(struct pci_root *root)
{
        if (!root || !root->k || root->enumerated)
                return CCADA_E_STATE;
        root->enumerated = true;
        for (unsigned dev = 0; dev < PCI_MAX_DEVICES; dev++) {
                bool present;
                ccada_status st = setup_function(root, dev, 0, &present);

                if (st != CCADA_OK)
                        return st;
                if (!present)
                        continue;
                /* Read the multi-function bit again from function 0 itself: the copy in
                 * root->devs does not exist when function 0 was refused. */
                struct pci_device f0;
                uint8_t ht;
                function_init(&f0, root, dev, 0);
                if ((st = pci_cfg_read8(&f0, PCI_HEADER_TYPE, &ht)) != CCADA_OK)
                        return st;
                for (unsigned fn = 1; (ht & 0x80u) && fn < PCI_MAX_FUNCTIONS; fn++)
                        if ((st = setup_function(root, dev, fn, &present)) != CCADA_OK)
                                return st;
        }
        return CCADA_OK;
}

/* ---- driver binding ---- */

ccada_status pci_bind_driver(struct pci_device *dev, const struct pci_driver *drv)
{
        if (!dev || !drv || !drv->probe || dev->vendor != drv->vendor || dev->device != drv->device)
                return CCADA_E_INVAL;
        if (dev->driver)
                return CCADA_E_BUSY;
        dev->driver = drv;
        ccada_status st = drv->probe(dev);
        if (st != CCADA_OK) {
                dev->driver = NULL;
                rk_printk(dev->k, "%s: probe of %s failed with %s", drv->name ? drv->name : "?", dev->name,
                          ccada_status_name(st));
        }
        return st;
}

void pci_unbind_driver(struct pci_device *dev)
{
        if (dev)
                dev->driver = NULL;
}

ccada_status pci_probe_drivers(struct pci_root *root, const struct pci_driver *drivers, size_t ndrivers,
                               unsigned *bound)
{
        unsigned n = 0;

        if (bound)
                *bound = 0;
        if (!root || (!drivers && ndrivers))
                return CCADA_E_INVAL;
        if (!root->enumerated)
                return CCADA_E_STATE;
        for (unsigned i = 0; i < root->ndevs && i < PCI_ROOT_MAX_DEVICES; i++) {
                struct pci_device *d = &root->devs[i];
                for (size_t j = 0; j < ndrivers && !d->driver; j++) {
                        if (d->vendor != drivers[j].vendor || d->device != drivers[j].device)
                                continue;
                        if (pci_bind_driver(d, &drivers[j]) == CCADA_OK)
                                n++;
                }
        }
        if (bound)
                *bound = n;
        return CCADA_OK;
}
