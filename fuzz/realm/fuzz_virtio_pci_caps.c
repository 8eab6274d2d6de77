/* The Realm's virtio-pci transport (src/realm/virtio_pci.c) against a device the host
 * controls: its capability list, BARs, feature bits, status behaviour, queue size, notify
 * offset and config generation all come from the input. The function is enumerated by the
 * real src/realm/pci.c over configuration space served from the input (pci_space.h); its
 * BAR space is a small virtio device model here.
 *
 * What must hold (a finding aborts):
 *  - probing (through pci_bind_driver) succeeds exactly when the rules of
 *    src/realm/virtio_pci.h, applied here independently to the first COMMON, NOTIFY, ISR and
 *    DEVICE capability in the list, accept them; a refused device stays unbound;
 *  - every region it accepted is that capability's: an assigned memory BAR, non-empty,
 *    inside the BAR, long and aligned enough, at the BAR's address plus the offset;
 *  - every access the driver then makes to BAR space lies inside a region it accepted;
 *  - negotiation fails as the contract says (reset timeout, no VERSION_1, in a Realm no
 *    ACCESS_PLATFORM, FEATURES_OK cleared), writes FAILED when it fails, and otherwise
 *    accepts only offered features it implements, VERSION_1 always, ACCESS_PLATFORM in a
 *    Realm, and tells the device exactly those;
 *  - a queue is set up exactly when it exists, its size is a power of two and its notify
 *    offset fits the NOTIFY region; the size is at most the maximum asked; the notify
 *    address lies inside the NOTIFY region; the rings the device is given are aligned and
 *    in memory the host can reach (shared, through the alias in a Realm);
 *  - config_read returns the device's bytes when the generation is stable, fails after its
 *    retries when it never is, RANGE beyond the DEVICE region, UNSUPPORTED without one;
 *  - DRIVER_OK fails exactly when the device reports NEEDS_RESET;
 *  - virtio_pci_destroy gives back every page it took, re-encrypted.
 * (The expectations after probing hold for a device whose regions are apart; where the host
 * makes them overlap the steps still run, inside the regions, and give every page back.)
 *
 * Input: 14 header bytes (b0: bit 0 a Realm, bit 1 the device was left running and never
 * resets, bit 2 it clears FEATURES_OK, bit 3 its config generation never settles, bit 4
 * NEEDS_RESET at DRIVER_OK; b1..b8 the device features; b9..b10 queue_size; b11..b12
 * queue_notify_off; b13 num_queues), one function (pci_space.h), then the noise for
 * changing answers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_pci_kernel.h"
#include "lib/bytes.h"
#include "lib/container.h"
#include "pci_space.h"
#include "proto/virtio.h"
#include "proto/virtio_ring.h"
#include "realm/kernel.h"
#include "realm/pci.h"
#include "realm/virtio_pci.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HDR_BYTES 14u
#define B_REALM        0x01u
#define B_NEVER_RESET  0x02u
#define B_CLEAR_FEAT   0x04u
#define B_UNSTABLE_GEN 0x08u
#define B_NEEDS_RESET  0x10u
#define MAX_QUEUE      64u /* the maximum size the harness asks for */

/* The device behind BAR space. */
struct vdev {
        uint8_t behave;
        uint64_t features, driver_features;
        uint16_t qsize_offered, noff, num_queues;
        uint32_t dfsel, gfsel;
        uint8_t status, generation, last_status_write;
        uint16_t qsel, qsize;
        uint64_t qdesc, qavail, qused;
        bool enabled;
        uint64_t notify_at;             /* last notify write (0: none) */
        const struct virtio_pci_dev *vp; /* the regions its accesses must lie in (NULL: before probe) */
};

struct fz {
        struct pspace ps;
        struct pci_root root;
        struct vdev dev;
        struct virtio_pci_dev vp;
        struct realm_kernel *k;
        bool realm;
};

/* One fake kernel per mode for the process: a new one costs 64 MiB of guest memory, most of
 * an input's time under ASan. Each input gives back every page it takes (checked); its heap
 * is checked when the process exits (the fake kernel counts it, but privately). */
static struct realm_kernel *kernels[2];

static void __attribute__((noreturn)) finding(const char *what)
{
        fprintf(stderr, "virtio-pci fuzzer: %s\n", what);
        for (unsigned i = 0; i < 2; i++)
                if (kernels[i])
                        fprintf(stderr, "the guest's log:\n%s", fake_kernel_log(kernels[i]));
        abort();
}

/* ---- the device's BAR space ---- */

static bool in_region(const struct virtio_pci_region *r, uint64_t ipa, unsigned size)
{
        return r->present && ipa >= r->addr && size <= r->length && ipa - r->addr <= r->length - size;
}

/* The region an access falls in; a finding if none (the driver touched what it did not accept). */
static const struct virtio_pci_region *region_at(const struct vdev *d, uint64_t ipa, unsigned size)
{
        const struct virtio_pci_dev *vp = d->vp;
        if (!vp)
                finding("the driver touched BAR space before it probed the device");
        const struct virtio_pci_region *r[] = { &vp->common, &vp->notify, &vp->isr, &vp->device };
        for (unsigned i = 0; i < 4; i++)
                if (in_region(r[i], ipa, size))
                        return r[i];
        finding("the driver touched BAR space outside the regions it accepted");
}

static uint64_t common_read(struct vdev *d, uint64_t off)
{
        switch (off) {
        case VIRTIO_PCI_COMMON_DFSELECT: return d->dfsel;
        case VIRTIO_PCI_COMMON_DF: return d->dfsel < 2 ? (uint32_t)(d->features >> (32 * d->dfsel)) : 0;
        case VIRTIO_PCI_COMMON_GFSELECT: return d->gfsel;
        case VIRTIO_PCI_COMMON_NUMQ: return d->num_queues;
        case VIRTIO_PCI_COMMON_STATUS: return d->status;
        case VIRTIO_PCI_COMMON_CFGGENERATION: return d->behave & B_UNSTABLE_GEN ? d->generation++ : d->generation;
        case VIRTIO_PCI_COMMON_Q_SELECT: return d->qsel;
        case VIRTIO_PCI_COMMON_Q_SIZE: return d->qsel < d->num_queues ? d->qsize : 0;
        case VIRTIO_PCI_COMMON_Q_ENABLE: return d->enabled;
        case VIRTIO_PCI_COMMON_Q_NOFF: return d->noff;
        default: return 0;
        }
}

static void set_half(uint64_t *r, bool high, uint64_t v)
{
        *r = high ? (*r & 0xFFFFFFFFu) | (uint64_t)(uint32_t)v << 32 : (*r & ~0xFFFFFFFFULL) | (uint32_t)v;
}

static void write_status(struct vdev *d, uint8_t v)
{
        d->last_status_write = v;
        if (v == 0) {
                if (!(d->behave & B_NEVER_RESET)) {
                        d->status = 0;
                        d->enabled = false;
                        d->driver_features = 0;
                }
                return;
        }
        d->status = v;
        if (d->behave & B_CLEAR_FEAT)
                d->status &= (uint8_t)~VIRTIO_STATUS_FEATURES_OK;
        if (d->behave & B_NEEDS_RESET && v & VIRTIO_STATUS_DRIVER_OK)
                d->status |= VIRTIO_STATUS_DEVICE_NEEDS_RESET;
}

static void common_write(struct vdev *d, uint64_t off, uint64_t v)
{
        switch (off) {
        case VIRTIO_PCI_COMMON_DFSELECT: d->dfsel = (uint32_t)v; break;
        case VIRTIO_PCI_COMMON_GFSELECT: d->gfsel = (uint32_t)v; break;
        case VIRTIO_PCI_COMMON_GF:
                if (d->gfsel < 2)
                        set_half(&d->driver_features, d->gfsel, v);
                break;
        case VIRTIO_PCI_COMMON_STATUS: write_status(d, (uint8_t)v); break;
        case VIRTIO_PCI_COMMON_Q_SELECT: d->qsel = (uint16_t)v; break;
        case VIRTIO_PCI_COMMON_Q_SIZE: d->qsize = (uint16_t)v; break;
        case VIRTIO_PCI_COMMON_Q_ENABLE: d->enabled = v == 1; break;
        case VIRTIO_PCI_COMMON_Q_DESCLO: case VIRTIO_PCI_COMMON_Q_DESCHI:
                set_half(&d->qdesc, off == VIRTIO_PCI_COMMON_Q_DESCHI, v); break;
        case VIRTIO_PCI_COMMON_Q_AVAILLO: case VIRTIO_PCI_COMMON_Q_AVAILHI:
                set_half(&d->qavail, off == VIRTIO_PCI_COMMON_Q_AVAILHI, v); break;
        case VIRTIO_PCI_COMMON_Q_USEDLO: case VIRTIO_PCI_COMMON_Q_USEDHI:
                set_half(&d->qused, off == VIRTIO_PCI_COMMON_Q_USEDHI, v); break;
        default: break;
        }
}

/* Device configuration bytes: a pattern the harness knows. */
static uint8_t config_byte(uint64_t off) { return (uint8_t)(0x5A ^ off * 7); }

static ccada_status bar_read(void *ctx, uint64_t ipa, unsigned size, uint64_t *val)
{
        struct vdev *d = ctx;
        const struct virtio_pci_region *r = region_at(d, ipa, size);
        uint64_t off = ipa - r->addr;
        *val = 0;
        if (r == &d->vp->common) {
                *val = common_read(d, off);
        } else if (r == &d->vp->device) {
                for (unsigned i = 0; i < size; i++)
                        *val |= (uint64_t)config_byte(off + i) << (8 * i);
        }
        return CCADA_OK;
}

static ccada_status bar_write(void *ctx, uint64_t ipa, unsigned size, uint64_t val)
{
        struct vdev *d = ctx;
        const struct virtio_pci_region *r = region_at(d, ipa, size);
        if (r == &d->vp->common)
                common_write(d, ipa - r->addr, val);
        else if (r == &d->vp->notify)
                d->notify_at = ipa;
        else
                finding("the driver wrote to the ISR or DEVICE region");
        return CCADA_OK;
}

/* ---- the capability rules, independently (virtio_pci.h) ---- */

struct cap_rule {
        bool present;
        uint8_t bar;
        uint32_t offset, length, mult;
};

/* The first capability of each type 1..4 (COMMON, NOTIFY, ISR, DEVICE), from the image and
 * the enumerated list; false when the first of some type breaks a rule. */
static bool caps_by_rules(const struct pci_device *pdev, const struct pspace_fn *f, struct cap_rule r[5])
{
        memset(r, 0, 5 * sizeof(*r));
        for (unsigned i = 0; i < pdev->ncaps; i++) {
                unsigned off = pdev->caps[i].off;
                if (pdev->caps[i].id != PCI_CAP_ID_VNDR)
                        continue;
                uint8_t raw[VIRTIO_PCI_NOTIFY_CAP_SIZE] = { 0 };
                memcpy(raw, f->cfg + off, off + sizeof(raw) <= 256 ? sizeof(raw) : 256 - off);
                unsigned type = raw[VIRTIO_PCI_CAP_OFF_CFG_TYPE];
                if (type < VIRTIO_PCI_CAP_COMMON_CFG || type > VIRTIO_PCI_CAP_DEVICE_CFG || r[type].present)
                        continue;
                unsigned need = type == VIRTIO_PCI_CAP_NOTIFY_CFG ? VIRTIO_PCI_NOTIFY_CAP_SIZE : VIRTIO_PCI_CAP_SIZE;
                unsigned align = type == VIRTIO_PCI_CAP_COMMON_CFG || type == VIRTIO_PCI_CAP_DEVICE_CFG ? 4
                                 : type == VIRTIO_PCI_CAP_NOTIFY_CFG ? 2 : 1;
                struct cap_rule c = { true, raw[VIRTIO_PCI_CAP_OFF_BAR], ld_le32(raw + VIRTIO_PCI_CAP_OFF_OFFSET),
                                      ld_le32(raw + VIRTIO_PCI_CAP_OFF_LENGTH),
                                      ld_le32(raw + VIRTIO_PCI_NOTIFY_CAP_OFF_MULTIPLIER) };
                if (raw[VIRTIO_PCI_CAP_OFF_LEN] < need || off + need > 256 || c.bar >= PCI_NUM_BARS ||
                    !pdev->bars[c.bar].size ||
                    c.length < (type == VIRTIO_PCI_CAP_COMMON_CFG ? VIRTIO_PCI_COMMON_CFG_SIZE_1_0 : 1u) ||
                    (uint64_t)c.offset + c.length > pdev->bars[c.bar].size || c.offset % align ||
                    (type == VIRTIO_PCI_CAP_NOTIFY_CFG && c.mult && (c.mult < 2 || (c.mult & (c.mult - 1)))))
                        return false;
                r[type] = c;
        }
        return r[VIRTIO_PCI_CAP_COMMON_CFG].present && r[VIRTIO_PCI_CAP_NOTIFY_CFG].present &&
               r[VIRTIO_PCI_CAP_ISR_CFG].present;
}

static void check_region(const struct pci_device *pdev, const struct virtio_pci_region *g, const struct cap_rule *c)
{
        if (g->present != c->present)
                finding("a region is present that the rules do not give, or the other way round");
        if (!c->present)
                return;
        const struct pci_bar *b = &pdev->bars[c->bar];
        if (g->bar != c->bar || g->offset != c->offset || g->length != c->length || g->addr != b->addr + c->offset ||
            !g->length || (uint64_t)g->offset + g->length > b->size)
                finding("a region is not its capability's, or not inside its BAR");
}

/* ---- probing, through the PCI core ---- */

struct vdriver {
        struct pci_driver drv;
        struct virtio_pci_dev *vp;
};

static ccada_status vprobe(struct pci_device *pdev)
{
        const struct vdriver *vd = container_of(pdev->driver, struct vdriver, drv);
        return virtio_pci_probe(vd->vp, pdev->k, pdev, "virtio_fuzz", NULL);
}

/* Probes and checks; true when the device was taken. */
static bool check_probe(struct fz *f, struct pci_device *pdev)
{
        struct cap_rule rule[5];
        const struct pspace_fn *fn = pspace_find(&f->ps, pdev->dev, pdev->fn);
        bool want = caps_by_rules(pdev, fn, rule);
        struct vdriver vd = { { "virtio-pci", pdev->vendor, pdev->device, vprobe }, &f->vp };
        ccada_status st = pci_bind_driver(pdev, &vd.drv);
        if (st != (want ? CCADA_OK : CCADA_E_PEER))
                finding(want ? "refused a device whose capabilities keep the rules"
                             : "took a device whose capabilities break the rules");
        if ((pdev->driver != NULL) != want)
                finding("a refused device stayed bound, or a taken one is unbound");
        pci_unbind_driver(pdev);
        if (!want)
                return false;
        check_region(pdev, &f->vp.common, &rule[VIRTIO_PCI_CAP_COMMON_CFG]);
        check_region(pdev, &f->vp.notify, &rule[VIRTIO_PCI_CAP_NOTIFY_CFG]);
        check_region(pdev, &f->vp.isr, &rule[VIRTIO_PCI_CAP_ISR_CFG]);
        check_region(pdev, &f->vp.device, &rule[VIRTIO_PCI_CAP_DEVICE_CFG]);
        if (f->vp.notify_mult != rule[VIRTIO_PCI_CAP_NOTIFY_CFG].mult)
                finding("notify_off_multiplier is not the NOTIFY capability's");
        return true;
}

/* ---- the transport's steps ---- */

#define TRANSPORT_FEATURES (VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX) | \
                            VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM))

static bool check_negotiate(struct fz *f)
{
        const struct vdev *d = &f->dev;
        uint64_t got = 0, wanted = ~0ULL;
        ccada_status want = CCADA_OK;
        if (d->behave & B_NEVER_RESET)
                want = CCADA_E_IO;
        else if (!(d->features & VIRTIO_BIT(VIRTIO_F_VERSION_1)) ||
                 (f->realm && !(d->features & VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM))))
                want = CCADA_E_UNSUPPORTED;
        else if (d->behave & B_CLEAR_FEAT)
                want = CCADA_E_REJECTED;
        ccada_status st = virtio_pci_negotiate(&f->vp, wanted, &got);
        if (st != want)
                finding("virtio_pci_negotiate's status is not the contract's");
        if (st != CCADA_OK) {
                if (!(d->last_status_write & VIRTIO_STATUS_FAILED))
                        finding("a failed negotiation did not write FAILED");
                return false;
        }
        uint64_t allowed = (VIRTIO_BIT(VIRTIO_TRANSPORT_F_START) - 1) | TRANSPORT_FEATURES;
        if (got != (d->features & allowed) || d->driver_features != got || !(d->status & VIRTIO_STATUS_FEATURES_OK))
                finding("negotiated other features than offered and implemented, or told the device others");
        return true;
}

static bool check_setup_queue(struct fz *f)
{
        const struct vdev *d = &f->dev;
        const struct virtio_pci_dev *vp = &f->vp;
        struct virtqueue *vq = NULL;
        uint16_t size = d->qsize_offered < MAX_QUEUE ? d->qsize_offered : MAX_QUEUE;
        uint64_t at = (uint64_t)d->noff * vp->notify_mult;
        bool want = d->num_queues > 0 && d->qsize_offered && vring_size_valid(d->qsize_offered) &&
                    at <= vp->notify.length && vp->notify.length - at >= 2;
        ccada_status st = virtio_pci_setup_queue(&f->vp, 0, MAX_QUEUE, "req.0", &vq);
        if ((st == CCADA_OK) != want || (!want && st != CCADA_E_PEER))
                finding("virtio_pci_setup_queue's status is not the contract's");
        if (!want)
                return false;
        const struct virtio_pci_queue *q = &vp->queues[0];
        if (vq != &q->vq || q->size != size || vq->qsz != size || d->qsize != size || !d->enabled)
                finding("the queue is not of the size asked, or not enabled");
        if (q->notify_addr != vp->notify.addr + at || !in_region(&vp->notify, q->notify_addr, 2))
                finding("the notify address is not inside the NOTIFY region");
        uint8_t b;
        uint64_t shared = f->realm ? rk_shared_bit(f->k) : 0;
        if (d->qdesc % VRING_DESC_ALIGN || d->qavail % VRING_AVAIL_ALIGN || d->qused % VRING_USED_ALIGN ||
            (d->qdesc & d->qavail & d->qused & shared) != shared || fake_host_read(f->k, d->qdesc, &b, 1) != CCADA_OK ||
            fake_host_read(f->k, d->qavail, &b, 1) != CCADA_OK || fake_host_read(f->k, d->qused, &b, 1) != CCADA_OK)
                finding("the rings given to the device are misaligned or not in memory the host can reach");
        return true;
}

static void check_config_read(struct fz *f)
{
        struct virtio_cfg_field fl[2] = { { 0, 8, 0 }, { 0x14, 4, 0 } };
        const struct virtio_pci_region *r = &f->vp.device;
        ccada_status want = !r->present ? CCADA_E_UNSUPPORTED
                            : r->length < 0x18 || r->length < 8 ? CCADA_E_RANGE
                            : f->dev.behave & B_UNSTABLE_GEN ? CCADA_E_PEER : CCADA_OK;
        ccada_status st = virtio_pci_config_read(&f->vp, fl, 2);
        if (st != want)
                finding("virtio_pci_config_read's status is not the contract's");
        for (unsigned i = 0; st == CCADA_OK && i < 2; i++)
                for (unsigned j = 0; j < fl[i].size; j++)
                        if ((uint8_t)(fl[i].val >> (8 * j)) != config_byte(fl[i].off + j))
                                finding("virtio_pci_config_read returned bytes the device did not give");
}

static void check_driver_ok(struct fz *f, bool queue)
{
        ccada_status want = f->dev.behave & B_NEEDS_RESET ? CCADA_E_IO : CCADA_OK;
        if (virtio_pci_driver_ok(&f->vp) != want)
                finding("virtio_pci_driver_ok's status is not the contract's");
        if (queue && (virtio_pci_notify(&f->vp, 0) != CCADA_OK || f->dev.notify_at != f->vp.queues[0].notify_addr))
                finding("the notify did not reach the queue's notify address");
}

/* Whether the regions the driver accepted are apart (the device model answers an address
 * for the first region holding it, so overlapping regions make another device). */
static bool regions_apart(const struct virtio_pci_dev *vp)
{
        const struct virtio_pci_region *r[] = { &vp->common, &vp->notify, &vp->isr, &vp->device };
        for (unsigned i = 0; i < 4; i++)
                for (unsigned j = i + 1; j < 4; j++)
                        if (r[i]->present && r[j]->present && r[i]->addr < r[j]->addr + r[j]->length &&
                            r[j]->addr < r[i]->addr + r[i]->length)
                                return false;
        return true;
}

/* Consumes a status the harness does not judge (gcc does not take a (void) cast for it). */
static void unjudged(ccada_status st) { (void)st; }

/* The same steps without the contract's expectations: the driver must still stay inside the
 * regions it accepted and give every page back. */
static void exercise(struct fz *f)
{
        struct virtqueue *vq;
        struct virtio_cfg_field fl[2] = { { 0, 8, 0 }, { 0x14, 4, 0 } };
        if (virtio_pci_negotiate(&f->vp, ~0ULL, NULL) != CCADA_OK)
                return;
        bool queue = virtio_pci_setup_queue(&f->vp, 0, MAX_QUEUE, "req.0", &vq) == CCADA_OK;
        unjudged(virtio_pci_config_read(&f->vp, fl, 2));
        if (virtio_pci_driver_ok(&f->vp) == CCADA_OK && queue)
                unjudged(virtio_pci_notify(&f->vp, 0));
}

/* ---- one input ---- */

/* At exit: fake_kernel_free aborts if the guest's heap was not given back. */
static void kernels_free(void)
{
        fake_kernel_free(kernels[0]);
        fake_kernel_free(kernels[1]);
}

static struct realm_kernel *kernel(bool realm)
{
        if (!kernels[0] && !kernels[1])
                atexit(kernels_free);
        if (!kernels[realm])
                kernels[realm] = fake_kernel_new(realm);
        fake_kernel_log_clear(kernels[realm]);
        return kernels[realm];
}

static void setup(struct fz *f, const uint8_t *data, size_t size)
{
        uint8_t h[HDR_BYTES] = { 0 };
        memcpy(h, data, size < HDR_BYTES ? size : HDR_BYTES);
        size_t off = size < HDR_BYTES ? size : HDR_BYTES;
        memset(f, 0, sizeof(*f));
        off += pspace_parse(&f->ps, 1, data + off, size - off);
        f->ps.noise = data + off;
        f->ps.noise_n = size - off;
        f->realm = h[0] & B_REALM;
        f->k = kernel(f->realm);
        f->dev = (struct vdev){ .behave = h[0], .features = ld_le64(h + 1), .qsize_offered = ld_le16(h + 9),
                                .noff = ld_le16(h + 11), .num_queues = h[13], .vp = &f->vp };
        f->dev.qsize = f->dev.qsize_offered;
        f->dev.status = f->dev.behave & B_NEVER_RESET ? 0x0F : 0; /* left running, and it will stay so */
        f->ps.other_read = bar_read;
        f->ps.other_write = bar_write;
        f->ps.other_ctx = &f->dev;
        pspace_install(&f->ps, f->k, 1ULL << 28);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static struct fz f;
        setup(&f, data, size);
        size_t free_pages = fake_kernel_free_pages(f.k);
        if (pci_root_init(&f.root, f.k) != CCADA_OK || pci_enumerate(&f.root) != CCADA_OK)
                finding("the bus did not enumerate");
        bool steady = !(f.ps.fns[0].knobs & PSPACE_VOLATILE && f.ps.noise_n);
        if (f.root.ndevs && steady && check_probe(&f, &f.root.devs[0])) {
                if (!regions_apart(&f.vp)) {
                        exercise(&f);
                } else if (check_negotiate(&f)) {
                        bool queue = check_setup_queue(&f);
                        check_config_read(&f);
                        check_driver_ok(&f, queue);
                }
        }
        if (getenv("CCADA_FUZZ_VERBOSE"))
                fprintf(stderr, "virtio-pci fuzzer: %u functions, features 0x%llx, queue %s\n%s", f.root.ndevs,
                        (unsigned long long)f.vp.features, f.vp.queues[0].active ? "set up" : "none",
                        fake_kernel_log(f.k));
        virtio_pci_destroy(&f.vp);
        if (fake_kernel_free_pages(f.k) != free_pages || fake_kernel_decrypted_pages(f.k) || fake_kernel_bad_frees(f.k))
                finding("virtio_pci_destroy did not give back every page, re-encrypted");
        fake_kernel_set_mmio(f.k, NULL);
        return 0;
}
