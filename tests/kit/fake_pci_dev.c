/* Test-only PCI bus and virtio-blk device: see fake_pci_dev.h. */
#include "fake_pci_dev.h"

#include <stdlib.h>
#include <string.h>

#include "fake_pci_kernel.h"
#include "host/guest_mem.h"
#include "proto/pci.h"
#include "proto/virtio.h"
#include "proto/virtio_blk.h"

/* ---- host view of guest memory for virtqueue_dev.c ---- */

ccada_status host_gpa_read(struct host_vm *vm, uint64_t gpa, void *dst, size_t len)
{
        return fake_host_read(vm->k, gpa, dst, len);
}

ccada_status host_gpa_write(struct host_vm *vm, uint64_t gpa, const void *src, size_t len)
{
        return fake_host_write(vm->k, gpa, src, len);
}

void fdev_cfg_put(uint8_t *img, unsigned off, unsigned size, uint64_t v)
{
        for (unsigned i = 0; i < size; i++)
                img[off + i] = (uint8_t)(v >> (8 * i));
}

uint64_t fdev_cfg_get(const uint8_t *img, unsigned off, unsigned size)
{
        uint64_t v = 0;
        for (unsigned i = 0; i < size; i++)
                v |= (uint64_t)img[off + i] << (8 * i);
        return v;
}

/* ---- configuration space ---- */

static struct fdev_fn *fn_at(struct fdev *d, uint64_t off)
{
        unsigned dev = (unsigned)(off >> 15) & 31, fn = (unsigned)(off >> 12) & 7;
        for (unsigned i = 0; i < FDEV_MAX_FNS; i++)
                if (d->fns[i].present && d->fns[i].dev == dev && d->fns[i].fn == fn)
                        return &d->fns[i];
        return NULL;
}

static bool bar_reg(unsigned reg, unsigned *i)
{
        if (reg < PCI_BASE_ADDRESS_0 || reg >= PCI_BASE_ADDRESS_0 + 24 || reg % 4)
                return false;
        *i = (reg - PCI_BASE_ADDRESS_0) / 4;
        return true;
}

static uint64_t cfg_read(struct fdev_fn *f, unsigned reg, unsigned size)
{
        unsigned i;
        if (!f)
                return ((uint64_t)1 << (8 * size)) - 1; /* no function: all ones */
        if (reg >= 256)
                return 0;
        if (size == 4 && bar_reg(reg, &i))
                return f->probing[i] ? f->sizing[i] : f->bar[i];
        return fdev_cfg_get(f->cfg, reg, size);
}

static void cfg_write(struct fdev_fn *f, unsigned reg, unsigned size, uint64_t v)
{
        unsigned i;
        if (!f || reg >= 256)
                return;
        if (size == 4 && bar_reg(reg, &i)) {
                f->probing[i] = (uint32_t)v == 0xFFFFFFFFu;
                if (!f->probing[i]) {
                        /* the type bits of a BAR's low register are read-only */
                        uint32_t ro = f->upper[i] ? 0 : f->bar[i] & 0xFu;
                        f->bar[i] = ((uint32_t)v & (f->upper[i] ? ~0u : ~0xFu)) | ro;
                        f->bar_writes++;
                }
                return;
        }
        if (reg == PCI_COMMAND && size == 2)
                fdev_cfg_put(f->cfg, reg, 2, v);
}

/* ---- virtio common configuration.  virtio 1.2 §4.1.4.3 ---- */

static void device_reset(struct fdev *d)
{
        d->status = 0;
        d->driver_features = 0;
        d->dfsel = d->gfsel = 0;
        d->qsel = 0;
        d->qsize = d->queue_size;
        d->qenable = 0;
        d->qdesc = d->qavail = d->qused = 0;
        d->dq_ready = false;
        d->kicked = false;
}

static unsigned common_width(unsigned off)
{
        if (off < 0x10 || (off >= 0x20 && off < 0x38))
                return 4;
        if (off == VIRTIO_PCI_COMMON_STATUS || off == VIRTIO_PCI_COMMON_CFGGENERATION)
                return 1;
        return 2;
}

static uint64_t common_read(struct fdev *d, unsigned off)
{
        switch (off) {
        case VIRTIO_PCI_COMMON_DFSELECT: return d->dfsel;
        case VIRTIO_PCI_COMMON_DF: return d->dfsel < 2 ? (uint32_t)(d->features >> (32 * d->dfsel)) : 0;
        case VIRTIO_PCI_COMMON_GFSELECT: return d->gfsel;
        case VIRTIO_PCI_COMMON_GF: return d->gfsel < 2 ? (uint32_t)(d->driver_features >> (32 * d->gfsel)) : 0;
        case VIRTIO_PCI_COMMON_MSIX: return VIRTIO_MSI_NO_VECTOR;
        case VIRTIO_PCI_COMMON_NUMQ: return d->num_queues;
        case VIRTIO_PCI_COMMON_STATUS: return d->status;
        case VIRTIO_PCI_COMMON_CFGGENERATION: return d->unstable_generation ? d->generation++ : d->generation;
        case VIRTIO_PCI_COMMON_Q_SELECT: return d->qsel;
        case VIRTIO_PCI_COMMON_Q_SIZE: return d->qsel == 0 ? d->qsize : 0;
        case VIRTIO_PCI_COMMON_Q_MSIX: return VIRTIO_MSI_NO_VECTOR;
        case VIRTIO_PCI_COMMON_Q_ENABLE: return d->qenable;
        case VIRTIO_PCI_COMMON_Q_NOFF: return d->notify_off;
        default: return 0;
        }
}

static void enable_queue(struct fdev *d)
{
        bool ind = (d->driver_features >> VIRTIO_F_INDIRECT_DESC) & 1, ev = (d->driver_features >> VIRTIO_F_EVENT_IDX) & 1;
        if (vdq_init(&d->dq, &d->vm, d->qsize, d->qdesc, d->qavail, d->qused, ind, ev) != CCADA_OK) {
                d->bad_access++;
                return;
        }
        d->qenable = 1;
        d->dq_ready = true;
}

static void set_u64_half(uint64_t *r, unsigned off, unsigned base, uint64_t v)
{
        if (off == base)
                *r = (*r & ~0xFFFFFFFFull) | (uint32_t)v;
        else
                *r = (*r & 0xFFFFFFFFull) | (uint64_t)(uint32_t)v << 32;
}

static void common_write(struct fdev *d, unsigned off, uint64_t v)
{
        switch (off) {
        case VIRTIO_PCI_COMMON_DFSELECT: d->dfsel = (uint32_t)v; break;
        case VIRTIO_PCI_COMMON_GFSELECT: d->gfsel = (uint32_t)v; break;
        case VIRTIO_PCI_COMMON_GF:
                if (d->gfsel < 2)
                        set_u64_half(&d->driver_features, d->gfsel ? 4 : 0, 0, v);
                break;
        case VIRTIO_PCI_COMMON_STATUS:
                if (d->nstatus_writes < sizeof(d->status_writes))
                        d->status_writes[d->nstatus_writes++] = (uint8_t)v;
                if (v == 0 && !d->never_reset)
                        device_reset(d);
                else if (v != 0)
                        d->status = (uint8_t)(d->clear_features_ok ? v & ~VIRTIO_STATUS_FEATURES_OK : v);
                break;
        case VIRTIO_PCI_COMMON_Q_SELECT: d->qsel = (uint16_t)v; break;
        case VIRTIO_PCI_COMMON_Q_SIZE: d->qsize = (uint16_t)v; break;
        case VIRTIO_PCI_COMMON_Q_ENABLE: if (v == 1) enable_queue(d); break;
        case VIRTIO_PCI_COMMON_Q_DESCLO: case VIRTIO_PCI_COMMON_Q_DESCHI:
                set_u64_half(&d->qdesc, off, VIRTIO_PCI_COMMON_Q_DESCLO, v); break;
        case VIRTIO_PCI_COMMON_Q_AVAILLO: case VIRTIO_PCI_COMMON_Q_AVAILHI:
                set_u64_half(&d->qavail, off, VIRTIO_PCI_COMMON_Q_AVAILLO, v); break;
        case VIRTIO_PCI_COMMON_Q_USEDLO: case VIRTIO_PCI_COMMON_Q_USEDHI:
                set_u64_half(&d->qused, off, VIRTIO_PCI_COMMON_Q_USEDLO, v); break;
        case VIRTIO_PCI_COMMON_MSIX: case VIRTIO_PCI_COMMON_Q_MSIX: break;
        default: d->bad_access++; break;
        }
}

/* ---- BAR 0 ---- */

static bool bar0(struct fdev *d, uint64_t ipa, uint64_t *off)
{
        struct fdev_fn *f = &d->fns[0];
        uint64_t base = f->bar[0] & ~0xFull;
        if (!(fdev_cfg_get(f->cfg, PCI_COMMAND, 2) & PCI_COMMAND_MEMORY) || ipa < base || ipa >= base + FDEV_BAR0_SIZE)
                return false;
        *off = ipa - base;
        return true;
}

static ccada_status bar0_read(struct fdev *d, uint64_t off, unsigned size, uint64_t *val)
{
        if (off < FDEV_COMMON_OFF + 0x40) {
                if (size != common_width((unsigned)off))
                        d->bad_access++;
                *val = common_read(d, (unsigned)off);
        } else if (off >= FDEV_DEVICE_OFF && off + size <= FDEV_DEVICE_OFF + sizeof(d->blkcfg)) {
                if (size > 4)
                        d->bad_access++;
                *val = fdev_cfg_get(d->blkcfg, (unsigned)(off - FDEV_DEVICE_OFF), size);
        } else {
                *val = 0; /* ISR and the rest */
        }
        return CCADA_OK;
}

static ccada_status bar0_write(struct fdev *d, uint64_t off, unsigned size, uint64_t v)
{
        if (off < FDEV_COMMON_OFF + 0x40) {
                if (size != common_width((unsigned)off))
                        d->bad_access++;
                common_write(d, (unsigned)off, v);
        } else if (off >= FDEV_NOTIFY_OFF && off < FDEV_NOTIFY_OFF + 0x1000) {
                if (size != 2 || v != 0)
                        d->bad_access++;
                d->notifies++;
                d->kicked = true;
        } else {
                d->bad_access++;
        }
        return CCADA_OK;
}

static ccada_status mmio_read(void *ctx, uint64_t ipa, unsigned size, uint64_t *val)
{
        struct fdev *d = ctx;
        uint64_t off;
        if (ipa >= FDEV_ECAM && ipa < FDEV_ECAM + PCI_ECAM_BUS0_SIZE) {
                *val = cfg_read(fn_at(d, ipa - FDEV_ECAM), (unsigned)(ipa & 0xFFF), size);
                return CCADA_OK;
        }
        if (bar0(d, ipa, &off))
                return bar0_read(d, off, size, val);
        return CCADA_E_SEA;
}

static ccada_status mmio_write(void *ctx, uint64_t ipa, unsigned size, uint64_t val)
{
        struct fdev *d = ctx;
        uint64_t off;
        if (ipa >= FDEV_ECAM && ipa < FDEV_ECAM + PCI_ECAM_BUS0_SIZE) {
                cfg_write(fn_at(d, ipa - FDEV_ECAM), (unsigned)(ipa & 0xFFF), size, val);
                return CCADA_OK;
        }
        if (bar0(d, ipa, &off))
                return bar0_write(d, off, size, val);
        return CCADA_E_SEA;
}

/* ---- requests.  virtio 1.2 §5.2.6 ---- */

static bool in_disk(uint64_t sector, uint64_t len)
{
        return sector <= FDEV_DISK_SECTORS && len / 512 <= FDEV_DISK_SECTORS - sector && len % 512 == 0;
}

static uint8_t serve(struct fdev *d, const struct vdq_elem *e, uint32_t type, uint64_t sector, uint32_t *used)
{
        uint64_t in_data = e->in_len - 1, out_data = e->out_len - VIRTIO_BLK_REQ_HDR_SIZE;
        *used = (uint32_t)e->in_len;
        switch (type) {
        case VIRTIO_BLK_T_IN:
                if (!in_disk(sector, in_data))
                        return VIRTIO_BLK_S_IOERR;
                return vdq_write_in(&d->dq, e, 0, d->disk + sector * 512, in_data) == CCADA_OK ? VIRTIO_BLK_S_OK
                                                                                              : VIRTIO_BLK_S_IOERR;
        case VIRTIO_BLK_T_OUT:
                if (!in_disk(sector, out_data))
                        return VIRTIO_BLK_S_IOERR;
                return vdq_read_out(&d->dq, e, VIRTIO_BLK_REQ_HDR_SIZE, d->disk + sector * 512, out_data) == CCADA_OK
                               ? VIRTIO_BLK_S_OK
                               : VIRTIO_BLK_S_IOERR;
        case VIRTIO_BLK_T_FLUSH:
                d->flushes++;
                return VIRTIO_BLK_S_OK;
        case VIRTIO_BLK_T_GET_ID:
                return vdq_write_in(&d->dq, e, 0, d->id, in_data < 20 ? in_data : 20) == CCADA_OK ? VIRTIO_BLK_S_OK
                                                                                                  : VIRTIO_BLK_S_IOERR;
        default:
                return VIRTIO_BLK_S_UNSUPP;
        }
}

static void handle(struct fdev *d, const struct vdq_elem *e)
{
        uint8_t raw[VIRTIO_BLK_REQ_HDR_SIZE];
        struct virtio_blk_req_hdr h;
        uint32_t used = 0;
        uint8_t status = VIRTIO_BLK_S_IOERR;

        d->requests++;
        for (unsigned i = 0; i < e->n_out + e->n_in; i++)
                if (rk_is_realm(d->k) && !(e->segs[i].gpa & FAKE_SHARED_BIT))
                        d->private_segs++;
        unsigned data_segs = e->n_out + e->n_in - 2;
        if (data_segs > d->max_data_segs)
                d->max_data_segs = data_segs;
        if (e->in_len >= 1 && e->out_len >= sizeof(raw) && vdq_read_out(&d->dq, e, 0, raw, sizeof(raw)) == CCADA_OK &&
            virtio_blk_req_hdr_decode(raw, sizeof(raw), &h)) {
                d->last_type = h.type;
                status = serve(d, e, h.type, h.sector, &used);
        }
        if (d->force_status >= 0)
                status = (uint8_t)d->force_status;
        if (e->in_len >= 1 && vdq_write_in(&d->dq, e, e->in_len - 1, &status, 1) != CCADA_OK)
                d->bad_access++;
        if (d->force_used_len >= 0)
                used = (uint32_t)d->force_used_len;
        if (vdq_push(&d->dq, e->head, used) != CCADA_OK)
                d->bad_access++;
}

static void on_wait(struct realm_kernel *k, void *arg)
{
        struct fdev *d = arg;
        (void)k;
        if (!d->kicked || !d->dq_ready || d->never_complete || !(d->status & VIRTIO_STATUS_DRIVER_OK))
                return;
        d->kicked = false;
        while (vdq_pop(&d->dq, &d->elem) == CCADA_OK)
                handle(d, &d->elem);
}

/* ---- set-up ---- */

void fdev_set_bar(struct fdev_fn *f, unsigned i, uint64_t size, bool is64)
{
        uint64_t mask = ~(size - 1);
        f->sizing[i] = ((uint32_t)mask & ~0xFu) | (is64 ? PCI_BASE_ADDRESS_MEM_TYPE_64 : 0);
        f->bar[i] = is64 ? PCI_BASE_ADDRESS_MEM_TYPE_64 : 0;
        if (is64) {
                f->sizing[i + 1] = (uint32_t)(mask >> 32);
                f->upper[i + 1] = true;
                f->bar[i + 1] = 0;
        }
}

struct fdev_fn *fdev_add_fn(struct fdev *d, uint8_t dev, uint8_t fn, uint16_t vendor, uint16_t device,
                            uint32_t bar0_size)
{
        for (unsigned i = 0; i < FDEV_MAX_FNS; i++) {
                struct fdev_fn *f = &d->fns[i];
                if (f->present)
                        continue;
                memset(f, 0, sizeof(*f));
                f->present = true;
                f->dev = dev;
                f->fn = fn;
                fdev_cfg_put(f->cfg, PCI_VENDOR_ID, 2, vendor);
                fdev_cfg_put(f->cfg, PCI_DEVICE_ID, 2, device);
                fdev_cfg_put(f->cfg, PCI_REVISION_ID, 4, 0x02000001u); /* class 0x020000, rev 1 */
                if (bar0_size)
                        fdev_set_bar(f, 0, bar0_size, false);
                return f;
        }
        abort();
}

void fdev_put_vcap(struct fdev *d, uint8_t off, uint8_t next, uint8_t type, uint8_t bar, uint32_t offset,
                   uint32_t length, uint32_t mult)
{
        uint8_t *c = d->fns[0].cfg + off;
        c[VIRTIO_PCI_CAP_OFF_VNDR] = PCI_CAP_ID_VNDR;
        c[VIRTIO_PCI_CAP_OFF_NEXT] = next;
        c[VIRTIO_PCI_CAP_OFF_LEN] = type == VIRTIO_PCI_CAP_NOTIFY_CFG ? VIRTIO_PCI_NOTIFY_CAP_SIZE : VIRTIO_PCI_CAP_SIZE;
        c[VIRTIO_PCI_CAP_OFF_CFG_TYPE] = type;
        c[VIRTIO_PCI_CAP_OFF_BAR] = bar;
        fdev_cfg_put(c, VIRTIO_PCI_CAP_OFF_OFFSET, 4, offset);
        fdev_cfg_put(c, VIRTIO_PCI_CAP_OFF_LENGTH, 4, length);
        if (type == VIRTIO_PCI_CAP_NOTIFY_CFG)
                fdev_cfg_put(c, VIRTIO_PCI_NOTIFY_CAP_OFF_MULTIPLIER, 4, mult);
}

static void setup_virtio_fn(struct fdev *d)
{
        struct fdev_fn *f = fdev_add_fn(d, 0, 0, VIRTIO_PCI_VENDOR_ID, 0x1042, FDEV_BAR0_SIZE);
        fdev_cfg_put(f->cfg, PCI_REVISION_ID, 4, 0x01000001u); /* class 0x010000, rev 1 */
        fdev_cfg_put(f->cfg, PCI_SUBSYSTEM_ID, 2, VIRTIO_ID_BLOCK);
        fdev_cfg_put(f->cfg, PCI_STATUS, 2, PCI_STATUS_CAP_LIST);
        f->cfg[PCI_CAPABILITY_LIST] = FDEV_CAP_COMMON;
        fdev_put_vcap(d, FDEV_CAP_COMMON, FDEV_CAP_NOTIFY, VIRTIO_PCI_CAP_COMMON_CFG, 0, FDEV_COMMON_OFF, 0x38, 0);
        fdev_put_vcap(d, FDEV_CAP_NOTIFY, FDEV_CAP_ISR, VIRTIO_PCI_CAP_NOTIFY_CFG, 0, FDEV_NOTIFY_OFF, 0x1000, 4);
        fdev_put_vcap(d, FDEV_CAP_ISR, FDEV_CAP_DEVICE, VIRTIO_PCI_CAP_ISR_CFG, 0, FDEV_ISR_OFF, 4, 0);
        fdev_put_vcap(d, FDEV_CAP_DEVICE, 0, VIRTIO_PCI_CAP_DEVICE_CFG, 0, FDEV_DEVICE_OFF, 0x100, 0);
}

struct fdev *fdev_new(struct realm_kernel *k)
{
        struct fdev *d = calloc(1, sizeof(*d));
        if (!d)
                abort();
        d->disk = calloc(FDEV_DISK_SECTORS, 512);
        if (!d->disk)
                abort();
        d->k = k;
        d->vm.k = k;
        d->features = VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM) |
                      VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX) |
                      VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) | VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) |
                      VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) | VIRTIO_BIT(VIRTIO_BLK_F_SIZE_MAX);
        d->num_queues = 1;
        d->queue_size = 128;
        d->qsize = d->queue_size;
        d->force_status = -1;
        d->force_used_len = -1;
        fdev_cfg_put(d->blkcfg, VIRTIO_BLK_CFG_CAPACITY, 8, FDEV_DISK_SECTORS);
        fdev_cfg_put(d->blkcfg, VIRTIO_BLK_CFG_SIZE_MAX, 4, 1u << 20);
        fdev_cfg_put(d->blkcfg, VIRTIO_BLK_CFG_SEG_MAX, 4, 126);
        fdev_cfg_put(d->blkcfg, VIRTIO_BLK_CFG_BLK_SIZE, 4, 512);
        memcpy(d->id, "ccada-fake-disk-0001", 20);
        setup_virtio_fn(d);
        fake_kernel_set_mmio(k, &(struct fake_mmio){ mmio_read, mmio_write, d });
        fake_kernel_set_pci_window(k, FDEV_ECAM, FDEV_WINDOW, FDEV_WINDOW_SIZE);
        fake_kernel_set_wait_hook(k, on_wait, d);
        return d;
}

void fdev_free(struct fdev *d)
{
        if (!d)
                return;
        fake_kernel_set_mmio(d->k, NULL);
        fake_kernel_set_wait_hook(d->k, NULL, NULL);
        free(d->disk);
        free(d);
}
