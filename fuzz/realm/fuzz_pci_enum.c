/* The Realm's PCI bus 0 enumeration (src/realm/pci.c) against configuration space the host
 * serves from the input (pci_space.h): up to four functions at any device/function number,
 * any header, BARs that size to anything (type bits changing while sized, if the host
 * likes), any capability list, answers that change between reads, and one access that
 * faults. Then driver binding with a probe that succeeds or fails as the input says.
 *
 * What must hold (a finding aborts):
 *  - pci_enumerate returns CCADA_OK, or the fault's CCADA_E_SEA exactly when the faulting
 *    access happened;
 *  - every enumerated function is one the host serves, named by its BDF, found where the
 *    scan rules allow (function 0, or a function of a device whose function 0 says
 *    multi-function), with the IDs the host gave;
 *  - its BARs: each a power of two >= 16 bytes, naturally aligned, inside the window the
 *    boot image gave, no two overlapping (across all functions), the upper slot of a 64-bit
 *    BAR empty, and the BAR registers hold the addresses; MEMORY|MASTER is on;
 *  - its capabilities are at 4-byte aligned offsets >= 0x40 inside the 256-byte header, at
 *    most 48, all distinct, in list order, and pci_find_capability agrees with them;
 *  - with a well-behaved host (no changing answers, no fault) the decision matches the
 *    rules of src/realm/pci.h, computed here independently: a function is taken iff its
 *    header type is 0, every BAR sizes to a valid size or none, its capability list is
 *    well formed, and its BARs fit the window (largest first, naturally aligned);
 *  - a refused function keeps its BARs and COMMAND as the host had them; absent functions
 *    are never written; nothing but COMMAND and the BARs is ever written;
 *  - pci_probe_drivers binds exactly the functions whose probe succeeds, a failed probe
 *    leaves the function unbound, and a bound function cannot be bound again.
 *
 * Input: 4 header bytes (functions b0 % 5; window 1 << (12 + b1 % 20) bytes; the faulting
 * access b2 * 3 (0: none); b3 unused), the functions (pci_space.h), then the noise stream
 * for changing answers. A function's probe fails when its revision ID is odd. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_pci_kernel.h"
#include "pci_space.h"
#include "realm/kernel.h"
#include "realm/pci.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HDR_BYTES 4u

/* One fake kernel for the process (a new one per input costs 64 MiB of guest memory, which
 * under ASan is most of the time): enumeration allocates nothing from it. */
static struct realm_kernel *the_kernel;

static void __attribute__((noreturn)) finding(const struct pci_device *d, const char *what)
{
        fprintf(stderr, "pci-enum fuzzer: %s: %s\nthe guest's log:\n%s", d ? d->name : "bus 0", what,
                fake_kernel_log(the_kernel));
        abort();
}

/* ---- the rules, independently: will this function be taken? ---- */

struct expect {
        uint64_t next;          /* the window's first free address */
        uint64_t base, end;
};

/* The size a BAR register pair sizes to: 0 (none), or UINT64_MAX when the function must be
 * refused. *slots is 2 for a 64-bit BAR. */
static uint64_t rule_bar_size(const struct pspace_fn *f, unsigned i, uint64_t window, unsigned *slots)
{
        uint32_t orig = f->bar[i];
        *slots = 1;
        if (orig & PCI_BASE_ADDRESS_SPACE_IO)
                return 0;
        uint32_t type = orig & PCI_BASE_ADDRESS_MEM_TYPE_MASK;
        if (type != PCI_BASE_ADDRESS_MEM_TYPE_32 && type != PCI_BASE_ADDRESS_MEM_TYPE_64)
                return UINT64_MAX;
        bool is64 = type == PCI_BASE_ADDRESS_MEM_TYPE_64;
        if (is64 && i + 1 >= PCI_NUM_BARS)
                return UINT64_MAX;
        uint32_t rb = f->knobs & PSPACE_RAW_SIZING ? f->sizing[i] : (f->sizing[i] & ~0xFu) | (orig & 0xFu);
        uint32_t hi = is64 ? f->sizing[i + 1] : 0xFFFFFFFFu;
        *slots = is64 ? 2 : 1;
        if ((rb & 0xFu) != (orig & 0xFu))
                return UINT64_MAX;
        if ((rb & ~0xFu) == 0 && (!is64 || hi == 0))
                return 0;
        uint64_t size = ~(((uint64_t)hi << 32) | (rb & ~0xFu)) + 1;
        if (size < PCI_BAR_MIN_SIZE || (size & (size - 1)) || size > window)
                return UINT64_MAX;
        return size;
}

static bool rule_caps_ok(const struct pspace_fn *f)
{
        bool seen[64] = { false };
        if (!(pspace_cfg16(f, PCI_STATUS) & PCI_STATUS_CAP_LIST))
                return true;
        unsigned n = 0;
        for (unsigned p = f->cfg[PCI_CAPABILITY_LIST]; p; p = f->cfg[p + 1]) {
                if (p < PCI_STD_HEADER_SIZE || p % 4 || seen[p / 4] || n++ == PCI_MAX_CAPS)
                        return false;
                seen[p / 4] = true;
        }
        return true;
}

/* Takes the function's BARs from the window, largest first, each naturally aligned. */
static bool rule_fits(struct expect *x, const uint64_t size[PCI_NUM_BARS])
{
        bool done[PCI_NUM_BARS] = { false };
        uint64_t next = x->next;
        for (;;) {
                int pick = -1;
                for (unsigned i = 0; i < PCI_NUM_BARS; i++)
                        if (size[i] && !done[i] && (pick < 0 || size[i] > size[pick]))
                                pick = (int)i;
                if (pick < 0)
                        break;
                uint64_t at = (next + size[pick] - 1) & ~(size[pick] - 1);
                if (at < next || at > x->end || x->end - at < size[pick])
                        return false;
                next = at + size[pick];
                done[pick] = true;
        }
        x->next = next;
        return true;
}

static bool rule_takes(const struct pspace_fn *f, struct expect *x, unsigned taken)
{
        uint64_t size[PCI_NUM_BARS] = { 0 };
        if ((f->cfg[PCI_HEADER_TYPE] & 0x7Fu) != 0 || taken == PCI_ROOT_MAX_DEVICES)
                return false;
        for (unsigned i = 0, slots; i < PCI_NUM_BARS; i += slots) {
                size[i] = rule_bar_size(f, i, x->end - x->base, &slots);
                if (size[i] == UINT64_MAX)
                        return false;
        }
        return rule_caps_ok(f) && rule_fits(x, size);
}

/* ---- checks ---- */

static void check_bars(const struct pci_root *root, const struct pci_device *d, const struct pspace_fn *f)
{
        for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
                const struct pci_bar *b = &d->bars[i];
                if (!b->size)
                        continue;
                if (b->size < PCI_BAR_MIN_SIZE || b->size & (b->size - 1) || b->addr & (b->size - 1) ||
                    b->addr < root->mmio_base || b->addr - root->mmio_base > root->mmio_size - b->size ||
                    b->size > root->mmio_size)
                        finding(d, "a BAR is not a naturally aligned power of two inside the window");
                if (b->is64 && (i + 1 >= PCI_NUM_BARS || d->bars[i + 1].size))
                        finding(d, "a 64-bit BAR's upper slot holds a BAR");
                if ((f->bar[i] & ~0xFu) != (uint32_t)b->addr || (b->is64 && f->bar[i + 1] != (uint32_t)(b->addr >> 32)))
                        finding(d, "the BAR register does not hold the address assigned");
                for (unsigned j = 0; j < root->ndevs; j++)
                        for (unsigned k = 0; k < PCI_NUM_BARS; k++) {
                                const struct pci_bar *o = &root->devs[j].bars[k];
                                if (o != b && o->size && o->addr < b->addr + b->size && b->addr < o->addr + o->size)
                                        finding(d, "two BARs overlap");
                        }
        }
}

static void check_caps(const struct pci_device *d, const struct pspace_fn *f, bool steady)
{
        bool seen[64] = { false };
        if (d->ncaps > PCI_MAX_CAPS)
                finding(d, "more than 48 capabilities");
        for (unsigned i = 0; i < d->ncaps; i++) {
                unsigned off = d->caps[i].off, nth = 0;
                if (off < PCI_STD_HEADER_SIZE || off % 4 || seen[off / 4])
                        finding(d, "a capability offset is in the header, misaligned or repeated");
                seen[off / 4] = true;
                if (steady && (f->cfg[off] != d->caps[i].id ||
                               off != (i ? f->cfg[d->caps[i - 1].off + 1] : f->cfg[PCI_CAPABILITY_LIST])))
                        finding(d, "the capability list is not the one the host serves");
                for (unsigned j = 0; j < i; j++)
                        nth += d->caps[j].id == d->caps[i].id;
                uint8_t at;
                if (!pci_find_capability(d, d->caps[i].id, nth, &at) || at != off)
                        finding(d, "pci_find_capability disagrees with the list");
        }
        if (steady && d->ncaps && f->cfg[d->caps[d->ncaps - 1].off + 1])
                finding(d, "the capability list was cut short");
}

static void check_taken(const struct pci_root *root, struct pspace *ps, const struct pci_device *d, bool steady)
{
        const struct pspace_fn *f = pspace_find(ps, d->dev, d->fn);
        const struct pspace_fn *f0 = pspace_find(ps, d->dev, 0);
        char name[32];
        snprintf(name, sizeof(name), "0000:00:%02x.%x", d->dev, d->fn);
        if (!f || d->bus || strcmp(name, d->name) || d->cfg_base != PSPACE_ECAM + PCI_ECAM_OFFSET(0, d->dev, d->fn, 0))
                finding(d, "enumerated a function the host does not serve, or misnamed it");
        if (d->fn && (!f0 || (steady && (!(f0->cfg[PCI_HEADER_TYPE] & 0x80u) || pspace_cfg16(f0, PCI_VENDOR_ID) == 0xFFFFu))))
                finding(d, "scanned a function of a device that is not multi-function");
        if (steady && (d->vendor != pspace_cfg16(f, PCI_VENDOR_ID) || d->device != pspace_cfg16(f, PCI_DEVICE_ID) ||
                       d->class != pspace_cfg32(f, PCI_REVISION_ID) >> 8))
                finding(d, "the IDs are not the host's");
        if ((pspace_cfg16(f, PCI_COMMAND) & (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER)) !=
            (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER))
                finding(d, "MEMORY|MASTER is off on an enumerated function");
        check_bars(root, d, f);
        check_caps(d, f, steady);
}

/* Whether root->devs holds (dev, fn). */
static bool taken(const struct pci_root *root, unsigned dev, unsigned fn)
{
        for (unsigned i = 0; i < root->ndevs; i++)
                if (root->devs[i].dev == dev && root->devs[i].fn == fn)
                        return true;
        return false;
}

/* The functions the scan reaches, in its order, against the rules; refused ones untouched. */
static void check_decisions(const struct pci_root *root, struct pspace *ps, struct pspace *orig, bool steady)
{
        struct expect x = { root->mmio_base, root->mmio_base, root->mmio_base + root->mmio_size };
        unsigned n = 0;
        for (unsigned dev = 0; dev < PCI_MAX_DEVICES; dev++) {
                const struct pspace_fn *f0 = pspace_find(orig, dev, 0);
                if (!f0 || pspace_cfg16(f0, PCI_VENDOR_ID) == 0xFFFFu)
                        continue; /* no function 0: the scan looks no further */
                for (unsigned fn = 0; fn < (f0->cfg[PCI_HEADER_TYPE] & 0x80u ? PCI_MAX_FUNCTIONS : 1); fn++) {
                        const struct pspace_fn *o = pspace_find(orig, dev, fn);
                        const struct pspace_fn *f = pspace_find(ps, dev, fn);
                        if (!o || pspace_cfg16(o, PCI_VENDOR_ID) == 0xFFFFu)
                                continue;
                        bool want = rule_takes(o, &x, n), got = taken(root, dev, fn);
                        n += want;
                        if (steady && want != got)
                                finding(NULL, got ? "took a function the rules refuse" : "refused a function the rules take");
                        /* (a function answering at random makes the enumerator restore what it read) */
                        if (!got && !(o->knobs & PSPACE_VOLATILE) &&
                            (memcmp(f->bar, o->bar, sizeof(f->bar)) || pspace_cfg16(f, PCI_COMMAND) != pspace_cfg16(o, PCI_COMMAND)))
                                finding(NULL, "a refused function's BARs or COMMAND were left changed");
                }
        }
}

/* ---- binding ---- */

/* The probe fails for a function whose revision is odd (a choice of the input). */
static bool probe_fails(const struct pci_device *dev) { return dev->revision & 1; }

static ccada_status probe(struct pci_device *dev)
{
        if (!dev->driver)
                finding(dev, "probe runs without dev->driver");
        return probe_fails(dev) ? CCADA_E_PEER : CCADA_OK;
}

static void check_binding(struct pci_root *root)
{
        struct pci_driver drv[PSPACE_MAX_FNS];
        unsigned n = 0, bound, want = 0;
        for (unsigned i = 0; i < root->ndevs && n < PSPACE_MAX_FNS; i++)
                drv[n++] = (struct pci_driver){ "fuzz", root->devs[i].vendor, root->devs[i].device, probe };
        if (pci_probe_drivers(root, drv, n, &bound) != CCADA_OK)
                finding(NULL, "pci_probe_drivers refused an enumerated bus");
        for (unsigned i = 0; i < root->ndevs; i++) {
                struct pci_device *d = &root->devs[i];
                bool ok = !probe_fails(d);
                want += ok;
                if ((d->driver != NULL) != ok)
                        finding(d, ok ? "a probe succeeded but the function is unbound"
                                      : "a failed probe left the function bound");
                if (ok && pci_bind_driver(d, d->driver) != CCADA_E_BUSY)
                        finding(d, "a bound function was bound again");
        }
        if (bound != want)
                finding(NULL, "pci_probe_drivers counted another number of bindings");
}

static void kernel_free(void) { fake_kernel_free(the_kernel); }

static struct realm_kernel *kernel(void)
{
        if (!the_kernel) {
                the_kernel = fake_kernel_new(true);
                atexit(kernel_free);
        }
        fake_kernel_log_clear(the_kernel);
        return the_kernel;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static struct pspace ps, orig;
        static struct pci_root root;
        uint8_t hdr[HDR_BYTES] = { 0 };
        memcpy(hdr, data, size < HDR_BYTES ? size : HDR_BYTES);
        size_t off = size < HDR_BYTES ? size : HDR_BYTES;
        off += pspace_parse(&ps, hdr[0] % (PSPACE_MAX_FNS + 1), data + off, size - off);
        ps.noise = data + off;
        ps.noise_n = size - off;
        ps.fault_at = hdr[2] * 3ul;
        orig = ps;
        bool steady = !ps.fault_at;
        for (unsigned i = 0; i < PSPACE_MAX_FNS; i++)
                steady &= !(ps.fns[i].present && ps.fns[i].knobs & PSPACE_VOLATILE && ps.noise_n);

        struct realm_kernel *k = kernel();
        pspace_install(&ps, k, 1ULL << (12 + hdr[1] % 20));
        if (pci_root_init(&root, k) != CCADA_OK)
                finding(NULL, "pci_root_init refused a valid window");
        ccada_status st = pci_enumerate(&root);
        if (st != (ps.faulted ? CCADA_E_SEA : CCADA_OK))
                finding(NULL, "pci_enumerate's status does not say whether an access faulted");
        steady &= !ps.faulted;
        for (unsigned i = 0; i < root.ndevs; i++)
                check_taken(&root, &ps, &root.devs[i], steady);
        if (ps.absent_writes)
                finding(NULL, "wrote to a function that is not there");
        for (unsigned i = 0; i < PSPACE_MAX_FNS; i++)
                if (ps.fns[i].other_writes)
                        finding(NULL, "wrote configuration space other than COMMAND and the BARs");
        if (!ps.faulted)
                check_decisions(&root, &ps, &orig, steady);
        if (st == CCADA_OK)
                check_binding(&root);
        if (getenv("CCADA_FUZZ_VERBOSE"))
                fprintf(stderr, "pci-enum fuzzer: %s, %u taken, %u skipped\n%s", ccada_status_name(st), root.ndevs,
                        root.skipped, fake_kernel_log(k));
        fake_kernel_set_mmio(k, NULL);
        return 0;
}
