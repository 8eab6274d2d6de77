/* The Realm guest's virtio-pci modern transport (see virtio_pci.h for the contract and
 * the trust model).  virtio 1.2 §4.1 */
#include "realm/virtio_pci.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/bytes.h"
#include "proto/virtio.h"
#include "proto/virtio_ring.h"
#include "realm/kernel.h"

/* Device-specific feature bits are 0..23.  virtio 1.2 §2.2 */
#define VIRTIO_DEVICE_FEATURES_MASK (VIRTIO_BIT(VIRTIO_TRANSPORT_F_START) - 1)
/* Transport features this driver implements (besides VERSION_1 and ACCESS_PLATFORM). */
#define VIRTIO_PCI_OPTIONAL_FEATURES (VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX))

/* Consumes a status on a best-effort path (teardown after a failure). */
static void best_effort(ccada_status st) { (void)st; }

static ccada_status __attribute__((format(printf, 2, 3))) vp_refuse(const struct virtio_pci_dev *vp,
                                                                    const char *fmt, ...)
{
        char why[160];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(why, sizeof(why), fmt, ap);
        va_end(ap);
        rk_printk(vp->k, "virtio-pci %s: %s", vp->pdev->name, why);
        return CCADA_E_PEER;
}

/* ---- capabilities.  virtio 1.2 §4.1.4 ---- */

/* A vendor capability as copied from configuration space (once). */
struct vcap {
        uint8_t off, len, cfg_type, bar;
        uint32_t offset, length, mult;
};

static ccada_status read_vcap(const struct pci_device *pdev, uint8_t off, struct vcap *c)
{
        uint8_t raw[VIRTIO_PCI_NOTIFY_CAP_SIZE] = { 0 };
        unsigned n = off + VIRTIO_PCI_NOTIFY_CAP_SIZE <= 256 ? VIRTIO_PCI_NOTIFY_CAP_SIZE : VIRTIO_PCI_CAP_SIZE;

        for (unsigned i = 0; i < n && off + i + 4 <= 256; i += 4) {
                uint32_t v;
                ccada_status st = pci_cfg_read32(pdev, (uint16_t)(off + i), &v);
                if (st != CCADA_OK)
                        return st;
                st_le32(raw + i, v);
        }
        c->off = off;
        c->len = raw[VIRTIO_PCI_CAP_OFF_LEN];
        c->cfg_type = raw[VIRTIO_PCI_CAP_OFF_CFG_TYPE];
        c->bar = raw[VIRTIO_PCI_CAP_OFF_BAR];
        c->offset = ld_le32(raw + VIRTIO_PCI_CAP_OFF_OFFSET);
        c->length = ld_le32(raw + VIRTIO_PCI_CAP_OFF_LENGTH);
        c->mult = ld_le32(raw + VIRTIO_PCI_NOTIFY_CAP_OFF_MULTIPLIER);
        if (off + VIRTIO_PCI_CAP_SIZE > 256)
                c->len = 0; /* cannot hold a capability: refused by validate_vcap */
        return CCADA_OK;
}

static uint32_t min_length(uint8_t type)
{
        return type == VIRTIO_PCI_CAP_COMMON_CFG ? VIRTIO_PCI_COMMON_CFG_SIZE_1_0 : 1u;
}

static uint32_t alignment(uint8_t type)
{
        switch (type) {
        case VIRTIO_PCI_CAP_COMMON_CFG: return 4;  /* 32-bit registers */
        case VIRTIO_PCI_CAP_NOTIFY_CFG: return 2;  /* virtio 1.2 §4.1.4.4 */
        case VIRTIO_PCI_CAP_DEVICE_CFG: return 4;  /* virtio 1.2 §4.1.4.6 */
        default: return 1;
        }
}

/* Checks one capability against the BARs pdev was given and fills r. */
static ccada_status validate_vcap(struct virtio_pci_dev *vp, const struct vcap *c, struct virtio_pci_region *r)
{
        const char *name = virtio_pci_cap_name(c->cfg_type);
        unsigned need = c->cfg_type == VIRTIO_PCI_CAP_NOTIFY_CFG ? VIRTIO_PCI_NOTIFY_CAP_SIZE : VIRTIO_PCI_CAP_SIZE;

        if (c->len < need || c->off + need > 256)
                return vp_refuse(vp, "%s capability at 0x%02x: length %u is too short", name, c->off, c->len);
        if (c->bar >= PCI_NUM_BARS || !vp->pdev->bars[c->bar].size)
                return vp_refuse(vp, "%s capability: BAR %u is not an assigned memory BAR", name, c->bar);
        const struct pci_bar *bar = &vp->pdev->bars[c->bar];
        if (c->length < min_length(c->cfg_type))
                return vp_refuse(vp, "%s capability: length 0x%x is too short", name, c->length);
        if ((uint64_t)c->offset + c->length > bar->size)
                return vp_refuse(vp, "%s capability: [0x%x, +0x%x) is outside BAR %u (0x%llx bytes)", name,
                                 c->offset, c->length, c->bar, (unsigned long long)bar->size);
        if (c->offset % alignment(c->cfg_type))
                return vp_refuse(vp, "%s capability: offset 0x%x is misaligned", name, c->offset);
        if (c->cfg_type == VIRTIO_PCI_CAP_NOTIFY_CFG && c->mult && (c->mult < 2 || (c->mult & (c->mult - 1))))
                return vp_refuse(vp, "notify_off_multiplier %u is not 0 or a power of two", c->mult);
        r->present = true;
        r->bar = c->bar;
        r->offset = c->offset;
        r->length = c->length;
        r->addr = bar->addr + c->offset;
        if (c->cfg_type == VIRTIO_PCI_CAP_NOTIFY_CFG)
                vp->notify_mult = c->mult;
        return CCADA_OK;
}

static struct virtio_pci_region *region_of(struct virtio_pci_dev *vp, uint8_t type)
{
        switch (type) {
        case VIRTIO_PCI_CAP_COMMON_CFG: return &vp->common;
        case VIRTIO_PCI_CAP_NOTIFY_CFG: return &vp->notify;
        case VIRTIO_PCI_CAP_ISR_CFG: return &vp->isr;
        case VIRTIO_PCI_CAP_DEVICE_CFG: return &vp->device;
        default: return NULL;
        }
}

/* The driver uses the first capability of each type.  virtio 1.2 §4.1.4 */
static ccada_status find_caps(struct virtio_pci_dev *vp)
{
        uint8_t off;

        for (unsigned i = 0; pci_find_capability(vp->pdev, PCI_CAP_ID_VNDR, i, &off); i++) {
                struct vcap c;
                ccada_status st = read_vcap(vp->pdev, off, &c);
                if (st != CCADA_OK)
                        return st;
                struct virtio_pci_region *r = region_of(vp, c.cfg_type);
                if (!r || r->present)
                        continue;
                if ((st = validate_vcap(vp, &c, r)) != CCADA_OK)
                        return st;
        }
        if (!vp->common.present || !vp->notify.present || !vp->isr.present)
                return vp_refuse(vp, "missing capabilities (common %d notify %d isr %d)", vp->common.present,
                                 vp->notify.present, vp->isr.present);
        return CCADA_OK;
}

ccada_status virtio_pci_probe(struct virtio_pci_dev *vp, struct realm_kernel *k, struct pci_device *pdev,
                              const char *driver, struct swiotlb *tlb)
{
        if (!vp || !k || !pdev)
                return CCADA_E_INVAL;
        memset(vp, 0, sizeof(*vp));
        vp->k = k;
        vp->pdev = pdev;
        vp->driver = driver ? driver : "virtio";
        dma_dev_init(&vp->dma, k, pdev->name, "virtio-pci", tlb);
        ccada_status st = find_caps(vp);
        if (st != CCADA_OK) {
                memset(&vp->common, 0, sizeof(vp->common)); /* nothing to reset on destroy */
                return st;
        }
        /* register_virtio_device: the index comes from the virtio core's IDA */
        vp->index = rk_ida_alloc(k, RK_IDA_VIRTIO);
        vp->numbered = true;
        snprintf(vp->name, sizeof(vp->name), "virtio%u", vp->index);
        return CCADA_OK;
}

/* ---- register access (MMIO exits) ---- */

static ccada_status reg_read(struct virtio_pci_dev *vp, const struct virtio_pci_region *r, uint32_t off,
                             unsigned size, uint64_t *v)
{
        *v = 0;
        if (!r->present || off > r->length || r->length - off < size)
                return CCADA_E_RANGE;
        ccada_status st = rk_mmio_read(vp->k, r->addr + off, size, v);
        if (st != CCADA_OK)
                *v = 0;
        if (size < 8)
                *v &= ((uint64_t)1 << (8 * size)) - 1;
        return st;
}

static ccada_status reg_write(struct virtio_pci_dev *vp, const struct virtio_pci_region *r, uint32_t off,
                              unsigned size, uint64_t v)
{
        if (!r->present || off > r->length || r->length - off < size)
                return CCADA_E_RANGE;
        return rk_mmio_write(vp->k, r->addr + off, size, v);
}

static ccada_status common_read(struct virtio_pci_dev *vp, uint32_t off, unsigned size, uint64_t *v)
{
        return reg_read(vp, &vp->common, off, size, v);
}

static ccada_status common_write(struct virtio_pci_dev *vp, uint32_t off, unsigned size, uint64_t v)
{
        return reg_write(vp, &vp->common, off, size, v);
}

/* 64-bit common registers as two 32-bit halves, low first.  virtio 1.2 §4.1.3.1 */
static ccada_status common_write64(struct virtio_pci_dev *vp, uint32_t off, uint64_t v)
{
        ccada_status st = common_write(vp, off, 4, (uint32_t)v);
        return st != CCADA_OK ? st : common_write(vp, off + 4, 4, v >> 32);
}

/* Adds bits to the status we last wrote (our shadow, not the device's answer). */
static ccada_status add_status(struct virtio_pci_dev *vp, uint8_t bits)
{
        vp->status = (uint8_t)(vp->status | bits);
        return common_write(vp, VIRTIO_PCI_COMMON_STATUS, 1, vp->status);
}

ccada_status virtio_pci_reset(struct virtio_pci_dev *vp)
{
        uint64_t s = 0;
        ccada_status st = common_write(vp, VIRTIO_PCI_COMMON_STATUS, 1, 0);

        vp->status = 0;
        for (unsigned i = 0; st == CCADA_OK && i < VIRTIO_PCI_RESET_POLLS; i++) {
                if ((st = common_read(vp, VIRTIO_PCI_COMMON_STATUS, 1, &s)) != CCADA_OK || s == 0)
                        return st;
                rk_wait(vp->k);
        }
        if (st != CCADA_OK)
                return st;
        rk_printk(vp->k, "virtio-pci %s: device did not reset (status 0x%02x)", vp->pdev->name, (unsigned)s);
        return CCADA_E_IO;
}

/* ---- feature negotiation.  virtio 1.2 §3.1.1, §6 ---- */

static ccada_status read_features(struct virtio_pci_dev *vp, uint64_t *features)
{
        uint64_t lo, hi;
        ccada_status st = common_write(vp, VIRTIO_PCI_COMMON_DFSELECT, 4, 0);

        if (st == CCADA_OK)
                st = common_read(vp, VIRTIO_PCI_COMMON_DF, 4, &lo);
        if (st == CCADA_OK)
                st = common_write(vp, VIRTIO_PCI_COMMON_DFSELECT, 4, 1);
        if (st == CCADA_OK)
                st = common_read(vp, VIRTIO_PCI_COMMON_DF, 4, &hi);
        *features = st == CCADA_OK ? lo | hi << 32 : 0;
        return st;
}

static ccada_status write_features(struct virtio_pci_dev *vp, uint64_t features)
{
        ccada_status st = common_write(vp, VIRTIO_PCI_COMMON_GFSELECT, 4, 0);

        if (st == CCADA_OK)
                st = common_write(vp, VIRTIO_PCI_COMMON_GF, 4, (uint32_t)features);
        if (st == CCADA_OK)
                st = common_write(vp, VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
        if (st == CCADA_OK)
                st = common_write(vp, VIRTIO_PCI_COMMON_GF, 4, features >> 32);
        return st;
}

/* Linux virtio_features_ok with restricted memory access (CoCo guests). */
static ccada_status check_required(struct virtio_pci_dev *vp, uint64_t dev)
{
        if (!(dev & VIRTIO_BIT(VIRTIO_F_VERSION_1))) {
                rk_printk(vp->k, "virtio-pci %s: device must provide VIRTIO_F_VERSION_1 (legacy is not supported)",
                          vp->pdev->name);
                return CCADA_E_UNSUPPORTED;
        }
        if (rk_is_realm(vp->k) && !(dev & VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM))) {
                rk_printk(vp->k, "virtio-pci %s: device must provide VIRTIO_F_ACCESS_PLATFORM", vp->pdev->name);
                return CCADA_E_UNSUPPORTED;
        }
        return CCADA_OK;
}

static ccada_status negotiate_steps(struct virtio_pci_dev *vp, uint64_t wanted)
{
        uint64_t dev, num_queues, s;
        ccada_status st;

        if ((st = virtio_pci_reset(vp)) != CCADA_OK || (st = add_status(vp, VIRTIO_STATUS_ACKNOWLEDGE)) != CCADA_OK ||
            (st = add_status(vp, VIRTIO_STATUS_DRIVER)) != CCADA_OK || (st = read_features(vp, &dev)) != CCADA_OK ||
            (st = common_read(vp, VIRTIO_PCI_COMMON_NUMQ, 2, &num_queues)) != CCADA_OK)
                return st;
        vp->device_features = dev;
        vp->num_queues = (uint16_t)num_queues;
        if ((st = check_required(vp, dev)) != CCADA_OK)
                return st;
        uint64_t allowed = (wanted & (VIRTIO_DEVICE_FEATURES_MASK | VIRTIO_PCI_OPTIONAL_FEATURES)) |
                           VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM);
        uint64_t drv = dev & allowed;
        if ((st = write_features(vp, drv)) != CCADA_OK ||
            (st = add_status(vp, VIRTIO_STATUS_FEATURES_OK)) != CCADA_OK ||
            (st = common_read(vp, VIRTIO_PCI_COMMON_STATUS, 1, &s)) != CCADA_OK)
                return st;
        if (!(s & VIRTIO_STATUS_FEATURES_OK)) {
                rk_printk(vp->k, "virtio-pci %s: device did not accept features 0x%llx (FEATURES_OK cleared)",
                          vp->pdev->name, (unsigned long long)drv);
                return CCADA_E_REJECTED;
        }
        vp->features = drv;
        return CCADA_OK;
}

ccada_status virtio_pci_negotiate(struct virtio_pci_dev *vp, uint64_t wanted, uint64_t *negotiated)
{
        if (!vp || !vp->common.present)
                return CCADA_E_INVAL;
        vp->features = 0;
        ccada_status st = negotiate_steps(vp, wanted);
        if (st != CCADA_OK) {
                vp->status = 0;
                best_effort(add_status(vp, VIRTIO_STATUS_FAILED));
                return st;
        }
        if (negotiated)
                *negotiated = vp->features;
        return CCADA_OK;
}

/* ---- queues.  virtio 1.2 §4.1.5.1.3 ---- */

struct ring_layout {
        size_t avail_off, used_off, bytes;
};

static struct ring_layout ring_layout(uint16_t qsz)
{
        struct ring_layout l;

        l.avail_off = vring_desc_table_size(qsz);
        l.used_off = (l.avail_off + vring_avail_size(qsz) + VRING_USED_ALIGN - 1) & ~(size_t)(VRING_USED_ALIGN - 1);
        l.bytes = l.used_off + vring_used_size(qsz);
        return l;
}

/* Reads and checks queue_size and queue_notify_off of the selected queue. */
static ccada_status queue_params(struct virtio_pci_dev *vp, unsigned index, uint16_t max_size,
                                 struct virtio_pci_queue *q)
{
        uint64_t size, noff;
        ccada_status st = common_write(vp, VIRTIO_PCI_COMMON_Q_SELECT, 2, index);

        if (st == CCADA_OK)
                st = common_read(vp, VIRTIO_PCI_COMMON_Q_SIZE, 2, &size);
        if (st != CCADA_OK)
                return st;
        if (size == 0 || !vring_size_valid((uint32_t)size))
                return vp_refuse(vp, "queue %u: size %u is not a power of two", index, (unsigned)size);
        if (size > max_size) {
                size = max_size;
                if ((st = common_write(vp, VIRTIO_PCI_COMMON_Q_SIZE, 2, size)) != CCADA_OK)
                        return st;
        }
        if ((st = common_read(vp, VIRTIO_PCI_COMMON_Q_NOFF, 2, &noff)) != CCADA_OK)
                return st;
        uint64_t at = noff * vp->notify_mult; /* virtio 1.2 §4.1.4.4 */
        if (at > vp->notify.length || vp->notify.length - at < 2)
                return vp_refuse(vp, "queue %u: notify offset %u x %u is outside the notify region (0x%x bytes)",
                                 index, (unsigned)noff, vp->notify_mult, vp->notify.length);
        q->size = (uint16_t)size;
        q->notify_addr = vp->notify.addr + at;
        return CCADA_OK;
}

static void free_queue_memory(struct virtio_pci_dev *vp, struct virtio_pci_queue *q)
{
        vq_destroy(&q->vq);
        if (q->ring_bytes && dma_free_coherent(&vp->dma, q->ring_bytes, q->ring_cpu, q->ring_dma) != CCADA_OK)
                rk_printk(vp->k, "virtio-pci %s: ring memory leaked", vp->pdev->name);
        if (q->ind_bytes)
                rk_free_pages(vp->k, q->ind_cpu, q->ind_bytes / RK_PAGE_SIZE);
        memset(q, 0, sizeof(*q));
}

/* vring_map_single / vring_unmap_one for indirect tables: the streaming DMA API on the
 * device (in a Realm: bounced through SWIOTLB). */
static ccada_status table_map(void *ctx, uint64_t ipa, size_t len, uint64_t *dma)
{
        struct virtio_pci_dev *vp = ctx;
        return dma_map_single(&vp->dma, ipa, len, DMA_TO_DEVICE, 0, dma);
}

static void table_unmap(void *ctx, uint64_t dma, size_t len)
{
        struct virtio_pci_dev *vp = ctx;
        if (dma_unmap_single(&vp->dma, dma, len, DMA_TO_DEVICE, 0) != CCADA_OK)
                rk_printk(vp->k, "virtio-pci %s: indirect table unmap failed", vp->pdev->name);
}

static const struct vq_dma_ops vp_table_dma = { .map_to_device = table_map, .unmap_to_device = table_unmap };

static ccada_status alloc_queue(struct virtio_pci_dev *vp, unsigned index, const char *name,
                                struct virtio_pci_queue *q)
{
        struct ring_layout l = ring_layout(q->size);
        bool indirect = virtio_pci_has_feature(vp, VIRTIO_F_INDIRECT_DESC);
        ccada_status st = dma_alloc_coherent(&vp->dma, l.bytes, &q->ring_cpu, &q->ring_dma);

        if (st != CCADA_OK)
                return st;
        q->ring_bytes = l.bytes;
        if (indirect) {
                /* Linux kmallocs each table in private memory and maps it per request; here
                 * one private area holds a table per head (the pages are the kmalloc). */
                size_t n = ((size_t)q->size * VQ_INDIRECT_TABLE_BYTES + RK_PAGE_SIZE - 1) & ~(size_t)(RK_PAGE_SIZE - 1);
                if ((st = rk_alloc_pages(vp->k, n / RK_PAGE_SIZE, &q->ind_cpu)) != CCADA_OK)
                        return st;
                q->ind_bytes = n;
        }
        struct vq_config cfg = {
                .dev_name = vp->name,
                .drv_name = vp->driver,
                .name = name,
                .index = index,
                .qsz = q->size,
                .desc = { q->ring_cpu, q->ring_dma },
                .avail = { q->ring_cpu + l.avail_off, q->ring_dma + l.avail_off },
                .used = { q->ring_cpu + l.used_off, q->ring_dma + l.used_off },
                .indirect = indirect,
                .event_idx = virtio_pci_has_feature(vp, VIRTIO_F_EVENT_IDX),
                .indirect_area = { q->ind_cpu, 0 },
                .dma = &vp_table_dma,
                .dma_ctx = vp,
        };
        return vq_init(&q->vq, vp->k, &cfg);
}

static ccada_status program_queue(struct virtio_pci_dev *vp, const struct virtio_pci_queue *q)
{
        struct ring_layout l = ring_layout(q->size);
        ccada_status st = common_write64(vp, VIRTIO_PCI_COMMON_Q_DESCLO, q->ring_dma);

        if (st == CCADA_OK)
                st = common_write64(vp, VIRTIO_PCI_COMMON_Q_AVAILLO, q->ring_dma + l.avail_off);
        if (st == CCADA_OK)
                st = common_write64(vp, VIRTIO_PCI_COMMON_Q_USEDLO, q->ring_dma + l.used_off);
        if (st == CCADA_OK)
                st = common_write(vp, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
        return st;
}

ccada_status virtio_pci_setup_queue(struct virtio_pci_dev *vp, unsigned index, uint16_t max_size, const char *name,
                                    struct virtqueue **out)
{
        if (!vp || !out || index >= VIRTIO_PCI_MAX_QUEUES || vp->queues[index].active || !max_size ||
            max_size > VIRTIO_PCI_MAX_QUEUE_SIZE || (max_size & (max_size - 1)))
                return CCADA_E_INVAL;
        if (!(vp->status & VIRTIO_STATUS_FEATURES_OK) || (vp->status & VIRTIO_STATUS_DRIVER_OK))
                return CCADA_E_STATE;
        if (index >= vp->num_queues)
                return vp_refuse(vp, "queue %u does not exist (num_queues %u)", index, vp->num_queues);
        struct virtio_pci_queue *q = &vp->queues[index];
        memset(q, 0, sizeof(*q));
        ccada_status st = queue_params(vp, index, max_size, q);
        if (st == CCADA_OK)
                st = alloc_queue(vp, index, name, q);
        if (st == CCADA_OK)
                st = program_queue(vp, q);
        if (st != CCADA_OK) {
                free_queue_memory(vp, q);
                return st;
        }
        q->active = true;
        *out = &q->vq;
        return CCADA_OK;
}

ccada_status virtio_pci_driver_ok(struct virtio_pci_dev *vp)
{
        uint64_t s;

        if (!vp || !(vp->status & VIRTIO_STATUS_FEATURES_OK))
                return CCADA_E_STATE;
        ccada_status st = add_status(vp, VIRTIO_STATUS_DRIVER_OK);
        if (st == CCADA_OK)
                st = common_read(vp, VIRTIO_PCI_COMMON_STATUS, 1, &s);
        if (st != CCADA_OK)
                return st;
        if (s & (VIRTIO_STATUS_DEVICE_NEEDS_RESET | VIRTIO_STATUS_FAILED)) {
                rk_printk(vp->k, "virtio-pci %s: device failed at DRIVER_OK (status 0x%02x)", vp->pdev->name,
                          (unsigned)s);
                return CCADA_E_IO;
        }
        return CCADA_OK;
}

ccada_status virtio_pci_notify(struct virtio_pci_dev *vp, unsigned index)
{
        if (!vp || index >= VIRTIO_PCI_MAX_QUEUES || !vp->queues[index].active)
                return CCADA_E_INVAL;
        return rk_mmio_write(vp->k, vp->queues[index].notify_addr, 2, index);
}

/* ---- device configuration.  virtio 1.2 §4.1.4.6, §2.5.1 ---- */

static ccada_status check_fields(const struct virtio_pci_dev *vp, const struct virtio_cfg_field *f, unsigned n)
{
        if (!f || !n)
                return CCADA_E_INVAL;
        if (!vp->device.present)
                return CCADA_E_UNSUPPORTED;
        for (unsigned i = 0; i < n; i++) {
                unsigned sz = f[i].size;
                if ((sz != 1 && sz != 2 && sz != 4 && sz != 8) || f[i].off % (sz < 4 ? sz : 4))
                        return CCADA_E_INVAL;
                if ((uint32_t)f[i].off + sz > vp->device.length)
                        return CCADA_E_RANGE;
        }
        return CCADA_OK;
}

static ccada_status read_field(struct virtio_pci_dev *vp, struct virtio_cfg_field *f)
{
        uint64_t lo, hi = 0;
        ccada_status st = reg_read(vp, &vp->device, f->off, f->size == 8 ? 4 : f->size, &lo);

        if (st == CCADA_OK && f->size == 8)
                st = reg_read(vp, &vp->device, f->off + 4u, 4, &hi);
        f->val = lo | hi << 32;
        return st;
}

ccada_status virtio_pci_config_read(struct virtio_pci_dev *vp, struct virtio_cfg_field *fields, unsigned n)
{
        if (!vp)
                return CCADA_E_INVAL;
        ccada_status st = check_fields(vp, fields, n);
        if (st != CCADA_OK)
                return st;
        for (unsigned attempt = 0; attempt < VIRTIO_PCI_CFG_RETRIES; attempt++) {
                uint64_t g0, g1;
                if ((st = common_read(vp, VIRTIO_PCI_COMMON_CFGGENERATION, 1, &g0)) != CCADA_OK)
                        return st;
                for (unsigned i = 0; i < n; i++)
                        if ((st = read_field(vp, &fields[i])) != CCADA_OK)
                                return st;
                if ((st = common_read(vp, VIRTIO_PCI_COMMON_CFGGENERATION, 1, &g1)) != CCADA_OK)
                        return st;
                if (g0 == g1)
                        return CCADA_OK;
        }
        return vp_refuse(vp, "config_generation did not settle after %u reads", VIRTIO_PCI_CFG_RETRIES);
}

/* ---- teardown ---- */

void virtio_pci_destroy(struct virtio_pci_dev *vp)
{
        if (!vp || !vp->k)
                return;
        if (vp->common.present)
                best_effort(virtio_pci_reset(vp)); /* reports a device that does not reset */
        for (unsigned i = 0; i < VIRTIO_PCI_MAX_QUEUES; i++)
                if (vp->queues[i].active || vp->queues[i].ring_bytes)
                        free_queue_memory(vp, &vp->queues[i]);
        vp->features = 0;
        vp->status = 0;
        if (vp->numbered)
                rk_ida_free(vp->k, RK_IDA_VIRTIO, vp->index);
        vp->numbered = false;
}
