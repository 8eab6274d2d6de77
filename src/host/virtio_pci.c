/* virtio-pci modern transport, device side (see virtio_pci.h).  virtio 1.2 §4.1 */
#include "host/virtio_pci.h"

#include <string.h>

#include "lib/bytes.h"
#include "lib/container.h"

_Static_assert(VIRTIO_PCI_COMMON_CFG_SIZE <= VIRTIO_PCI_REGION_SIZE, "common cfg fits its region");
_Static_assert(VIRTIO_PCI_MAX_QUEUES * VIRTIO_PCI_NOTIFY_MULT <= VIRTIO_PCI_REGION_SIZE, "notify fits its region");
_Static_assert(VIRTIO_PCI_NOTIFY_OFF + VIRTIO_PCI_REGION_SIZE <= VIRTIO_PCI_BAR0_SIZE, "regions fit BAR0");
/* "The offset ... MUST be 4-byte aligned."  virtio 1.2 §4.1.4 */
_Static_assert(VIRTIO_PCI_COMMON_OFF % 4 == 0 && VIRTIO_PCI_ISR_OFF % 4 == 0 && VIRTIO_PCI_DEVICE_OFF % 4 == 0 &&
               VIRTIO_PCI_NOTIFY_OFF % 4 == 0, "virtio 1.2 §4.1.4: capability offsets are 4-byte aligned");
/* "notify_off_multiplier ... MUST be an even power of 2, or 0."  virtio 1.2 §4.1.4.4 */
_Static_assert(VIRTIO_PCI_NOTIFY_MULT == 4, "virtio 1.2 §4.1.4.4: multiplier is an even power of two");

static void vp_trace_broken(struct virtio_pci_dev *d, unsigned q, const char *reason);
static void reset_state(struct virtio_pci_dev *d);

/* ---- configuration space: the vendor-specific capabilities ---- */

/* struct virtio_pci_cap (+ notify_off_multiplier for NOTIFY_CFG).  virtio 1.2 §4.1.4 */
static ccada_status add_vcap(struct virtio_pci_dev *d, uint8_t type, uint32_t offset, uint32_t length)
{
        uint8_t cap[VIRTIO_PCI_NOTIFY_CAP_SIZE];
        size_t len = type == VIRTIO_PCI_CAP_NOTIFY_CFG ? VIRTIO_PCI_NOTIFY_CAP_SIZE : VIRTIO_PCI_CAP_SIZE;

        memset(cap, 0, sizeof(cap));
        cap[VIRTIO_PCI_CAP_OFF_VNDR] = PCI_CAP_ID_VNDR;
        cap[VIRTIO_PCI_CAP_OFF_LEN] = (uint8_t)len;
        cap[VIRTIO_PCI_CAP_OFF_CFG_TYPE] = type;
        cap[VIRTIO_PCI_CAP_OFF_BAR] = VIRTIO_PCI_BAR;
        cap[VIRTIO_PCI_CAP_OFF_ID] = 0;
        st_le32(cap + VIRTIO_PCI_CAP_OFF_OFFSET, offset);
        st_le32(cap + VIRTIO_PCI_CAP_OFF_LENGTH, length);
        if (type == VIRTIO_PCI_CAP_NOTIFY_CFG)
                st_le32(cap + VIRTIO_PCI_NOTIFY_CAP_OFF_MULTIPLIER, VIRTIO_PCI_NOTIFY_MULT);
        return host_pci_func_add_cap(&d->func, cap, len, NULL);
}

static bool config_valid(const struct virtio_pci_config *c)
{
        return c && c->ops && c->ops->queue_notify && c->vm && c->num_queues >= 1 &&
               c->num_queues <= VIRTIO_PCI_MAX_QUEUES && vring_size_valid(c->queue_size_max) &&
               c->cfg_size <= VIRTIO_PCI_REGION_SIZE;
}

static bool vp_bar_read(struct host_pci_func *f, unsigned bar, uint64_t off, unsigned size, uint64_t *val);
static bool vp_bar_write(struct host_pci_func *f, unsigned bar, uint64_t off, unsigned size, uint64_t val);

ccada_status virtio_pci_dev_init(struct virtio_pci_dev *d, const struct virtio_pci_config *cfg)
{
        if (!d || !config_valid(cfg))
                return CCADA_E_INVAL;
        memset(d, 0, sizeof(*d));
        d->cfg = *cfg;
        d->tr = trace_register(cfg->trace, &virtio_trace);
        d->device_features = cfg->features | VIRTIO_PCI_TRANSPORT_FEATURES;
        /* Non-transitional: device ID 0x1040 + ID, revision >= 1.  virtio 1.2 §4.1.2.1 */
        struct host_pci_ids ids = {
                .vendor = VIRTIO_PCI_VENDOR_ID,
                .device = virtio_pci_modern_device_id(cfg->device_id),
                .subsys_vendor = VIRTIO_PCI_SUBSYS_VENDOR_ID,
                .subsys = (uint16_t)cfg->device_id,
                .class_code = cfg->class_code,
                .revision = 1,
        };
        host_pci_func_init(&d->func, &ids, vp_bar_read, vp_bar_write);
        ccada_status s = host_pci_func_set_bar(&d->func, VIRTIO_PCI_BAR, VIRTIO_PCI_BAR0_SIZE, false);
        if (s == CCADA_OK)
                s = add_vcap(d, VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_COMMON_OFF, VIRTIO_PCI_COMMON_CFG_SIZE);
        if (s == CCADA_OK)
                s = add_vcap(d, VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_PCI_NOTIFY_OFF,
                             cfg->num_queues * VIRTIO_PCI_NOTIFY_MULT);
        if (s == CCADA_OK)
                s = add_vcap(d, VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_ISR_OFF, VIRTIO_PCI_ISR_LEN);
        if (s == CCADA_OK && cfg->cfg_size)
                s = add_vcap(d, VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_PCI_DEVICE_OFF, cfg->cfg_size);
        if (s != CCADA_OK)
                return s;
        reset_state(d); /* the type's reset callback is not called: it may not be set up yet */
        return CCADA_OK;
}

struct host_pci_func *virtio_pci_dev_func(struct virtio_pci_dev *d) { return &d->func; }

const char *virtio_pci_dev_name(const struct virtio_pci_dev *d) { return d->func.name; }

uint64_t virtio_pci_dev_features(const struct virtio_pci_dev *d) { return d->driver_features; }

uint8_t virtio_pci_dev_status(const struct virtio_pci_dev *d) { return d->status; }

/* ---- device state ---- */

/* Transport state back to its initial values (not the type's). */
static void reset_state(struct virtio_pci_dev *d)
{
        d->status = 0;
        d->driver_features = 0;
        d->dfselect = d->gfselect = 0;
        d->isr = 0;
        d->queue_select = 0;
        for (unsigned i = 0; i < VIRTIO_PCI_MAX_QUEUES; i++) {
                memset(&d->queues[i], 0, sizeof(d->queues[i]));
                d->queues[i].size = i < d->cfg.num_queues ? d->cfg.queue_size_max : 0;
        }
}

void virtio_pci_dev_reset(struct virtio_pci_dev *d)
{
        reset_state(d);
        d->stats.resets++;
        if (d->cfg.ops->reset)
                d->cfg.ops->reset(d);
}

static bool live(const struct virtio_pci_dev *d)
{
        return (d->status & VIRTIO_STATUS_DRIVER_OK) && !(d->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
}

struct vdev_queue *virtio_pci_queue(struct virtio_pci_dev *d, unsigned q)
{
        if (!live(d) || q >= d->cfg.num_queues || !d->queues[q].enabled || d->queues[q].vq.broken)
                return NULL;
        return &d->queues[q].vq;
}

static void raise_isr(struct virtio_pci_dev *d, uint8_t bits)
{
        d->isr |= bits;
        d->stats.interrupts++;
        if (d->cfg.interrupt)
                d->cfg.interrupt(d, bits);
}

void virtio_pci_dev_needs_reset(struct virtio_pci_dev *d, unsigned q, const char *reason)
{
        if (d->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET)
                return;
        d->status |= VIRTIO_STATUS_DEVICE_NEEDS_RESET;
        d->stats.driver_errors++;
        vp_trace_broken(d, q, reason);
        /* "the device MUST send a device configuration change notification"  virtio 1.2 §2.1.2 */
        raise_isr(d, VIRTIO_PCI_ISR_CONFIG);
}

void virtio_pci_queue_done(struct virtio_pci_dev *d, unsigned q)
{
        struct vdev_queue *vq = virtio_pci_queue(d, q);
        bool notify = false;
        if (!vq)
                return;
        if (vdq_should_notify(vq, &notify) != CCADA_OK) {
                virtio_pci_dev_needs_reset(d, q, vdq_error_name(vq->error));
                return;
        }
        if (notify)
                raise_isr(d, VIRTIO_PCI_ISR_QUEUE);
}

void virtio_pci_dev_config_changed(struct virtio_pci_dev *d)
{
        d->generation++;
        raise_isr(d, VIRTIO_PCI_ISR_CONFIG);
}

/* ---- tracing ---- */

static void vp_trace_broken(struct virtio_pci_dev *d, unsigned q, const char *reason)
{
        if (trace_on(d->tr, VIRTIO_TRACE_BROKEN))
                trace_emit(d->tr, VIRTIO_TRACE_BROKEN, "dev=%s q=%u reason=%s status=DEVICE_NEEDS_RESET",
                           virtio_pci_dev_name(d), q, reason ? reason : "?");
}

static void vp_trace_notify(struct virtio_pci_dev *d, unsigned q, const char *outcome)
{
        if (trace_on(d->tr, VIRTIO_TRACE_NOTIFY))
                trace_emit(d->tr, VIRTIO_TRACE_NOTIFY, "dev=%s q=%u side=device %s", virtio_pci_dev_name(d),
                           q, outcome);
}

/* ---- common configuration  virtio 1.2 §4.1.4.3 ---- */

/* Width of the field at off (0: no field starts there). */
static unsigned common_width(uint64_t off)
{
        switch (off) {
        case VIRTIO_PCI_COMMON_STATUS:
        case VIRTIO_PCI_COMMON_CFGGENERATION:
                return 1;
        case VIRTIO_PCI_COMMON_MSIX:
        case VIRTIO_PCI_COMMON_NUMQ:
        case VIRTIO_PCI_COMMON_Q_SELECT:
        case VIRTIO_PCI_COMMON_Q_SIZE:
        case VIRTIO_PCI_COMMON_Q_MSIX:
        case VIRTIO_PCI_COMMON_Q_ENABLE:
        case VIRTIO_PCI_COMMON_Q_NOFF:
        case VIRTIO_PCI_COMMON_Q_NDATA:
        case VIRTIO_PCI_COMMON_Q_RESET:
                return 2;
        case VIRTIO_PCI_COMMON_DFSELECT:
        case VIRTIO_PCI_COMMON_DF:
        case VIRTIO_PCI_COMMON_GFSELECT:
        case VIRTIO_PCI_COMMON_GF:
        case VIRTIO_PCI_COMMON_Q_DESCHI:
        case VIRTIO_PCI_COMMON_Q_AVAILHI:
        case VIRTIO_PCI_COMMON_Q_USEDHI:
                return 4;
        case VIRTIO_PCI_COMMON_Q_DESCLO:
        case VIRTIO_PCI_COMMON_Q_AVAILLO:
        case VIRTIO_PCI_COMMON_Q_USEDLO:
                return 8; /* or 4: the low half */
        default:
                return 0;
        }
}

/* "The driver MUST access each field using the natural access method"; 64-bit fields
 * may be written as two 32-bit halves.  virtio 1.2 §4.1.3.1 */
static bool common_access_ok(uint64_t off, unsigned size)
{
        unsigned w = common_width(off);
        return w != 0 && (size == w || (w == 8 && size == 4));
}

/* The selected queue, or NULL when queue_select names no queue. */
static struct virtio_pci_queue *selected(struct virtio_pci_dev *d)
{
        return d->queue_select < d->cfg.num_queues ? &d->queues[d->queue_select] : NULL;
}

static uint64_t feature_window(uint64_t features, uint32_t select)
{
        return select < 2 ? (uint32_t)(features >> (32 * select)) : 0;
}

static uint64_t queue_reg_read(const struct virtio_pci_dev *d, const struct virtio_pci_queue *q, uint64_t off)
{
        if (!q)
                return 0; /* queue_size 0: "not available"  virtio 1.2 §4.1.4.3.1 */
        switch (off) {
        case VIRTIO_PCI_COMMON_Q_SIZE: return q->size;
        case VIRTIO_PCI_COMMON_Q_MSIX: return VIRTIO_MSI_NO_VECTOR;
        case VIRTIO_PCI_COMMON_Q_ENABLE: return q->enabled;
        case VIRTIO_PCI_COMMON_Q_NOFF: return d->queue_select; /* notify at index * multiplier */
        case VIRTIO_PCI_COMMON_Q_DESCLO: return q->desc;
        case VIRTIO_PCI_COMMON_Q_DESCHI: return q->desc >> 32;
        case VIRTIO_PCI_COMMON_Q_AVAILLO: return q->driver;
        case VIRTIO_PCI_COMMON_Q_AVAILHI: return q->driver >> 32;
        case VIRTIO_PCI_COMMON_Q_USEDLO: return q->device;
        case VIRTIO_PCI_COMMON_Q_USEDHI: return q->device >> 32;
        default: return 0; /* queue_notif_config_data, queue_reset: not offered */
        }
}

static uint64_t common_read(struct virtio_pci_dev *d, uint64_t off)
{
        switch (off) {
        case VIRTIO_PCI_COMMON_DFSELECT: return d->dfselect;
        case VIRTIO_PCI_COMMON_DF: return feature_window(d->device_features, d->dfselect);
        case VIRTIO_PCI_COMMON_GFSELECT: return d->gfselect;
        case VIRTIO_PCI_COMMON_GF: return feature_window(d->driver_features, d->gfselect);
        case VIRTIO_PCI_COMMON_MSIX: return VIRTIO_MSI_NO_VECTOR;
        case VIRTIO_PCI_COMMON_NUMQ: return d->cfg.num_queues;
        case VIRTIO_PCI_COMMON_STATUS: return d->status;
        case VIRTIO_PCI_COMMON_CFGGENERATION: return d->generation;
        case VIRTIO_PCI_COMMON_Q_SELECT: return d->queue_select;
        default: return queue_reg_read(d, selected(d), off);
        }
}

/* FEATURES_OK is accepted iff the driver took only offered features and VERSION_1.
 * virtio 1.2 §2.2.2, §6.1 */
static bool features_acceptable(const struct virtio_pci_dev *d)
{
        return !(d->driver_features & ~d->device_features) && (d->driver_features & VIRTIO_BIT(VIRTIO_F_VERSION_1));
}

static void status_write(struct virtio_pci_dev *d, uint8_t v)
{
        if (v == 0) { /* virtio 1.2 §4.1.4.3.1 */
                virtio_pci_dev_reset(d);
                return;
        }
        uint8_t old = d->status;
        v = (uint8_t)((v & ~VIRTIO_STATUS_DEVICE_NEEDS_RESET) | (old & VIRTIO_STATUS_DEVICE_NEEDS_RESET));
        /* "the device MUST NOT accept the FEATURES_OK bit" for features it cannot
         * support; the driver re-reads status to find out.  virtio 1.2 §3.1.1 */
        if ((v & VIRTIO_STATUS_FEATURES_OK) && !(old & VIRTIO_STATUS_FEATURES_OK) && !features_acceptable(d)) {
                v &= (uint8_t)~VIRTIO_STATUS_FEATURES_OK;
                d->stats.features_refused++;
        }
        d->status = v;
        /* Buffers the driver added before DRIVER_OK are served now. */
        if ((v & VIRTIO_STATUS_DRIVER_OK) && !(old & VIRTIO_STATUS_DRIVER_OK))
                for (unsigned q = 0; q < d->cfg.num_queues; q++)
                        if (virtio_pci_queue(d, q))
                                d->cfg.ops->queue_notify(d, q);
}

/* queue_enable = 1: the driver's ring addresses go through vdq_init(). */
static void queue_enable(struct virtio_pci_dev *d, struct virtio_pci_queue *q)
{
        if (q->enabled)
                return;
        if (!(d->status & VIRTIO_STATUS_FEATURES_OK)) { /* virtio 1.2 §3.1.1 step 7 after 5-6 */
                virtio_pci_dev_needs_reset(d, d->queue_select, "queue_enable_before_features_ok");
                return;
        }
        uint64_t f = d->driver_features;
        ccada_status s = vdq_init(&q->vq, d->cfg.vm, q->size, q->desc, q->driver, q->device,
                                  f & VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC), f & VIRTIO_BIT(VIRTIO_F_EVENT_IDX));
        if (s != CCADA_OK) {
                virtio_pci_dev_needs_reset(d, d->queue_select, "queue_config_invalid");
                return;
        }
        q->enabled = true;
}

static void set_half(uint64_t *reg, uint64_t off, uint64_t lo_off, unsigned size, uint64_t val)
{
        if (size == 8)
                *reg = val;
        else if (off == lo_off)
                *reg = (*reg & ~(uint64_t)UINT32_MAX) | (uint32_t)val;
        else
                *reg = (*reg & UINT32_MAX) | ((uint64_t)(uint32_t)val << 32);
}

/* Writes to the selected queue's fields. Ignored for a missing or enabled queue: "The
 * driver MUST configure the other virtqueue fields before enabling".  virtio 1.2 §4.1.4.3.2 */
static void queue_reg_write(struct virtio_pci_dev *d, uint64_t off, unsigned size, uint64_t val)
{
        struct virtio_pci_queue *q = selected(d);
        if (!q || q->enabled)
                return;
        switch (off) {
        case VIRTIO_PCI_COMMON_Q_SIZE:
                /* A power of two no larger than the maximum; others are ignored. */
                if (vring_size_valid((uint32_t)val) && val <= d->cfg.queue_size_max)
                        q->size = (uint16_t)val;
                return;
        case VIRTIO_PCI_COMMON_Q_ENABLE:
                if (val == 1)
                        queue_enable(d, q);
                return; /* writing 0 needs RING_RESET, not offered */
        case VIRTIO_PCI_COMMON_Q_DESCLO:
        case VIRTIO_PCI_COMMON_Q_DESCHI:
                set_half(&q->desc, off, VIRTIO_PCI_COMMON_Q_DESCLO, size, val);
                return;
        case VIRTIO_PCI_COMMON_Q_AVAILLO:
        case VIRTIO_PCI_COMMON_Q_AVAILHI:
                set_half(&q->driver, off, VIRTIO_PCI_COMMON_Q_AVAILLO, size, val);
                return;
        case VIRTIO_PCI_COMMON_Q_USEDLO:
        case VIRTIO_PCI_COMMON_Q_USEDHI:
                set_half(&q->device, off, VIRTIO_PCI_COMMON_Q_USEDLO, size, val);
                return;
        default:
                return; /* read-only or not offered */
        }
}

static void common_write(struct virtio_pci_dev *d, uint64_t off, unsigned size, uint64_t val)
{
        switch (off) {
        case VIRTIO_PCI_COMMON_DFSELECT:
                d->dfselect = (uint32_t)val;
                return;
        case VIRTIO_PCI_COMMON_GFSELECT:
                d->gfselect = (uint32_t)val;
                return;
        case VIRTIO_PCI_COMMON_GF:
                /* Features are fixed once FEATURES_OK was accepted.  virtio 1.2 §3.1.1 */
                if (d->gfselect < 2 && !(d->status & VIRTIO_STATUS_FEATURES_OK)) {
                        unsigned sh = 32 * d->gfselect;
                        d->driver_features = (d->driver_features & ~((uint64_t)UINT32_MAX << sh)) |
                                             ((uint64_t)(uint32_t)val << sh);
                }
                return;
        case VIRTIO_PCI_COMMON_STATUS:
                status_write(d, (uint8_t)val);
                return;
        case VIRTIO_PCI_COMMON_Q_SELECT:
                d->queue_select = (uint16_t)val;
                return;
        case VIRTIO_PCI_COMMON_DF:
        case VIRTIO_PCI_COMMON_MSIX:            /* no MSI-X: stays NO_VECTOR */
        case VIRTIO_PCI_COMMON_NUMQ:
        case VIRTIO_PCI_COMMON_CFGGENERATION:
                return;
        default:
                queue_reg_write(d, off, size, val);
                return;
        }
}

/* ---- notifications  virtio 1.2 §4.1.4.4, §4.1.5.2 ---- */

static bool notify_write(struct virtio_pci_dev *d, uint64_t off, unsigned size, uint64_t val)
{
        if (size != 2 && size != 4)
                return false;
        /* Without NOTIFICATION_DATA the driver writes the queue index.  virtio 1.2 §4.1.5.2 */
        unsigned q = (unsigned)(val & 0xFFFF);
        d->stats.notifies++;
        const char *why = NULL;
        if (q >= d->cfg.num_queues)
                why = "ignored=bad_queue";
        else if (!live(d))
                why = d->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET ? "ignored=needs_reset" : "ignored=not_live";
        else if (!virtio_pci_queue(d, q))
                why = "ignored=queue_not_ready";
        vp_trace_notify(d, q, why ? why : "served");
        if (why) {
                d->stats.notifies_ignored++;
                return true;
        }
        d->cfg.ops->queue_notify(d, q);
        return true;
}

/* ---- BAR0 dispatch ---- */

static bool in_region(uint64_t off, unsigned size, uint64_t base, uint64_t len)
{
        return off >= base && off - base < len && size <= len - (off - base);
}

static bool vp_bar_read(struct host_pci_func *f, unsigned bar, uint64_t off, unsigned size, uint64_t *val)
{
        struct virtio_pci_dev *d = container_of(f, struct virtio_pci_dev, func);
        uint64_t mask = size == 8 ? UINT64_MAX : ((uint64_t)1 << (8 * size)) - 1;
        *val = 0;
        if (bar != VIRTIO_PCI_BAR)
                return false;
        if (in_region(off, size, VIRTIO_PCI_COMMON_OFF, VIRTIO_PCI_COMMON_CFG_SIZE)) {
                if (!common_access_ok(off - VIRTIO_PCI_COMMON_OFF, size))
                        return false;
                *val = common_read(d, off - VIRTIO_PCI_COMMON_OFF) & mask;
        } else if (in_region(off, size, VIRTIO_PCI_ISR_OFF, VIRTIO_PCI_ISR_LEN)) {
                *val = d->isr; /* read clears  virtio 1.2 §4.1.4.5 */
                d->isr = 0;
        } else if (in_region(off, size, VIRTIO_PCI_DEVICE_OFF, d->cfg.cfg_size)) {
                if (!d->cfg.ops->cfg_read)
                        return true;
                if (!d->cfg.ops->cfg_read(d, (uint32_t)(off - VIRTIO_PCI_DEVICE_OFF), size, val))
                        return false;
                *val &= mask;
        }
        return true; /* elsewhere in BAR0: reads as zero */
}

static bool vp_bar_write(struct host_pci_func *f, unsigned bar, uint64_t off, unsigned size, uint64_t val)
{
        struct virtio_pci_dev *d = container_of(f, struct virtio_pci_dev, func);
        if (bar != VIRTIO_PCI_BAR)
                return false;
        if (in_region(off, size, VIRTIO_PCI_COMMON_OFF, VIRTIO_PCI_COMMON_CFG_SIZE)) {
                if (!common_access_ok(off - VIRTIO_PCI_COMMON_OFF, size))
                        return false;
                common_write(d, off - VIRTIO_PCI_COMMON_OFF, size, val);
        } else if (in_region(off, size, VIRTIO_PCI_NOTIFY_OFF, (uint64_t)d->cfg.num_queues * VIRTIO_PCI_NOTIFY_MULT)) {
                return notify_write(d, off - VIRTIO_PCI_NOTIFY_OFF, size, val);
        } else if (in_region(off, size, VIRTIO_PCI_DEVICE_OFF, d->cfg.cfg_size)) {
                if (d->cfg.ops->cfg_write)
                        return d->cfg.ops->cfg_write(d, (uint32_t)(off - VIRTIO_PCI_DEVICE_OFF), size, val);
        }
        return true; /* ISR and unused space ignore writes */
}
