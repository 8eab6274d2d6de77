/* Fake guest memory and a minimal virtio-pci test driver (see host_fakes.h). */
#include "host_fakes.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <cmocka.h>

#include "host/guest_mem.h"
#include "host/virtio_pci.h"
#include "lib/bytes.h"
#include "proto/virtio.h"

/* ---- memory ---- */

struct host_vm *fake_vm_create(void)
{
        struct host_vm *vm = calloc(1, sizeof(*vm));
        assert_non_null(vm);
        vm->mem = calloc(1, FAKE_RAM_SIZE);
        assert_non_null(vm->mem);
        vm->brk = FAKE_RAM_BASE;
        trace_init(&vm->trace);
        assert_true(trace_set_events(&vm->trace, "all"));
        vm->trace_pipe = open_memstream(&vm->trace_text, &vm->trace_len);
        assert_non_null(vm->trace_pipe);
        trace_set_pipe(&vm->trace, vm->trace_pipe);
        return vm;
}

void fake_vm_destroy(struct host_vm *vm)
{
        if (!vm)
                return;
        (void)trace_close(&vm->trace);
        fclose(vm->trace_pipe);
        free(vm->trace_text);
        free(vm->mem);
        free(vm);
}

uint64_t fake_alloc(struct host_vm *vm, size_t len, size_t align)
{
        uint64_t a = (vm->brk + align - 1) & ~((uint64_t)align - 1);
        assert_true(a + len <= (uint64_t)FAKE_RAM_BASE + FAKE_RAM_SIZE);
        vm->brk = a + len;
        return a;
}

static bool in_ram(uint64_t gpa, size_t len)
{
        return gpa >= FAKE_RAM_BASE && len <= FAKE_RAM_SIZE && gpa - FAKE_RAM_BASE <= FAKE_RAM_SIZE - len;
}

uint8_t *fake_ptr(struct host_vm *vm, uint64_t gpa, size_t len)
{
        assert_true(in_ram(gpa, len));
        return vm->mem + (gpa - FAKE_RAM_BASE);
}

void fake_revoke(struct host_vm *vm, uint64_t gpa, uint64_t len)
{
        vm->revoked_addr = gpa;
        vm->revoked_len = len;
}

static ccada_status check(const struct host_vm *vm, uint64_t gpa, size_t len)
{
        if (!in_ram(gpa, len))
                return CCADA_E_RANGE;
        if (vm->revoked_len && gpa < vm->revoked_addr + vm->revoked_len && vm->revoked_addr < gpa + len)
                return CCADA_E_GPF;
        return CCADA_OK;
}

ccada_status host_gpa_read(struct host_vm *vm, uint64_t gpa, void *dst, size_t len)
{
        ccada_status s = check(vm, gpa, len);
        if (s == CCADA_OK) {
                memcpy(dst, vm->mem + (gpa - FAKE_RAM_BASE), len);
                vm->reads++;
        }
        return s;
}

ccada_status host_gpa_write(struct host_vm *vm, uint64_t gpa, const void *src, size_t len)
{
        ccada_status s = check(vm, gpa, len);
        if (s == CCADA_OK) {
                memcpy(vm->mem + (gpa - FAKE_RAM_BASE), src, len);
                vm->writes++;
        }
        return s;
}

/* One contiguous buffer: appended, or merged into the last iovec when it continues it. */
ccada_status host_gpa_map(struct host_vm *vm, uint64_t gpa, size_t len, bool write, struct iovec *iov, unsigned max,
                          unsigned *n)
{
        (void)write;
        ccada_status s = check(vm, gpa, len);
        if (s != CCADA_OK || len == 0)
                return s;
        uint8_t *p = vm->mem + (gpa - FAKE_RAM_BASE);
        if (*n > 0 && (uint8_t *)iov[*n - 1].iov_base + iov[*n - 1].iov_len == p)
                iov[*n - 1].iov_len += len;
        else if (*n < max)
                iov[(*n)++] = (struct iovec){ .iov_base = p, .iov_len = len };
        else
                return CCADA_E_NOSPC;
        vm->maps++;
        return CCADA_OK;
}

bool fake_trace_contains(struct host_vm *vm, const char *needle)
{
        fflush(vm->trace_pipe);
        return vm->trace_text && strstr(vm->trace_text, needle) != NULL;
}

/* ---- guest-side accessors ---- */

bool cfg_rd_ok(struct host_pci_bus *bus, uint64_t ecam_off, unsigned size, uint64_t *val)
{
        *val = 0;
        return bus->ecam.read(&bus->ecam, ecam_off, size, val);
}

uint64_t cfg_rd(struct host_pci_bus *bus, unsigned dev, uint32_t reg, unsigned size)
{
        uint64_t v;
        assert_true(cfg_rd_ok(bus, PCI_ECAM_OFFSET(0, dev, 0, reg), size, &v));
        return v;
}

void cfg_wr(struct host_pci_bus *bus, unsigned dev, uint32_t reg, unsigned size, uint64_t val)
{
        assert_true(bus->ecam.write(&bus->ecam, PCI_ECAM_OFFSET(0, dev, 0, reg), size, val));
}

bool mem_rd(struct host_pci_bus *bus, uint64_t addr, unsigned size, uint64_t *val)
{
        *val = 0;
        if (addr < bus->window.base || addr - bus->window.base >= bus->window.size)
                return false;
        return bus->window.read(&bus->window, addr - bus->window.base, size, val);
}

bool mem_wr(struct host_pci_bus *bus, uint64_t addr, unsigned size, uint64_t val)
{
        if (addr < bus->window.base || addr - bus->window.base >= bus->window.size)
                return false;
        return bus->window.write(&bus->window, addr - bus->window.base, size, val);
}

/* ---- the test driver ---- */

void tdrv_attach(struct tdrv *t, struct host_vm *vm, struct host_pci_bus *bus, unsigned devnum)
{
        memset(t, 0, sizeof(*t));
        t->vm = vm;
        t->bus = bus;
        t->devnum = devnum;
        t->bar0 = TDRV_BAR0;
        cfg_wr(bus, devnum, PCI_BASE_ADDRESS_0, 4, t->bar0);
        cfg_wr(bus, devnum, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

uint64_t tdrv_common_rd(struct tdrv *t, uint32_t off, unsigned size)
{
        uint64_t v;
        assert_true(mem_rd(t->bus, t->bar0 + VIRTIO_PCI_COMMON_OFF + off, size, &v));
        return v;
}

void tdrv_common_wr(struct tdrv *t, uint32_t off, unsigned size, uint64_t val)
{
        assert_true(mem_wr(t->bus, t->bar0 + VIRTIO_PCI_COMMON_OFF + off, size, val));
}

uint8_t tdrv_status(struct tdrv *t) { return (uint8_t)tdrv_common_rd(t, VIRTIO_PCI_COMMON_STATUS, 1); }

uint8_t tdrv_negotiate(struct tdrv *t, uint64_t features)
{
        tdrv_common_wr(t, VIRTIO_PCI_COMMON_STATUS, 1, 0);
        tdrv_common_wr(t, VIRTIO_PCI_COMMON_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE);
        tdrv_common_wr(t, VIRTIO_PCI_COMMON_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
        for (uint32_t sel = 0; sel < 2; sel++) {
                tdrv_common_wr(t, VIRTIO_PCI_COMMON_GFSELECT, 4, sel);
                tdrv_common_wr(t, VIRTIO_PCI_COMMON_GF, 4, (uint32_t)(features >> (32 * sel)));
        }
        tdrv_common_wr(t, VIRTIO_PCI_COMMON_STATUS, 1,
                       VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
        return tdrv_status(t);
}

struct tdrv_queue *tdrv_queue_n(struct tdrv *t, uint16_t index)
{
        assert_true(index < TDRV_MAX_QUEUES);
        return index == 0 ? &t->q : &t->more[index - 1];
}

void tdrv_setup_queue_n(struct tdrv *t, uint16_t index, uint16_t qsz)
{
        struct tdrv_queue *q = tdrv_queue_n(t, index);
        memset(q, 0, sizeof(*q));
        q->index = index;
        q->qsz = qsz;
        q->desc = fake_alloc(t->vm, vring_desc_table_size(qsz), VRING_DESC_ALIGN);
        q->avail = fake_alloc(t->vm, vring_avail_size(qsz), VRING_AVAIL_ALIGN);
        q->used = fake_alloc(t->vm, vring_used_size(qsz), VRING_USED_ALIGN);
        tdrv_common_wr(t, VIRTIO_PCI_COMMON_Q_SELECT, 2, index);
        tdrv_common_wr(t, VIRTIO_PCI_COMMON_Q_SIZE, 2, qsz);
        tdrv_common_wr(t, VIRTIO_PCI_COMMON_Q_DESCLO, 8, q->desc);
        tdrv_common_wr(t, VIRTIO_PCI_COMMON_Q_AVAILLO, 8, q->avail);
        tdrv_common_wr(t, VIRTIO_PCI_COMMON_Q_USEDLO, 8, q->used);
        tdrv_common_wr(t, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
}

void tdrv_setup_queue(struct tdrv *t, uint16_t qsz) { tdrv_setup_queue_n(t, 0, qsz); }

void tdrv_driver_ok(struct tdrv *t)
{
        tdrv_common_wr(t, VIRTIO_PCI_COMMON_STATUS, 1, tdrv_status(t) | VIRTIO_STATUS_DRIVER_OK);
}

void tdrv_bringup(struct tdrv *t, uint64_t features, uint16_t qsz)
{
        assert_true(tdrv_negotiate(t, features) & VIRTIO_STATUS_FEATURES_OK);
        tdrv_setup_queue(t, qsz);
        assert_int_equal(tdrv_common_rd(t, VIRTIO_PCI_COMMON_Q_ENABLE, 2), 1);
        tdrv_driver_ok(t);
}

void tdrv_put_desc_n(struct tdrv *t, uint16_t index, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
                     uint16_t next)
{
        struct vring_desc d = { .addr = addr, .len = len, .flags = flags, .next = next };
        uint64_t at = tdrv_queue_n(t, index)->desc + vring_desc_off(i);
        assert_true(vring_desc_encode(fake_ptr(t->vm, at, VRING_DESC_SIZE), VRING_DESC_SIZE, &d));
}

void tdrv_put_desc(struct tdrv *t, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
        tdrv_put_desc_n(t, 0, i, addr, len, flags, next);
}

uint16_t tdrv_add_n(struct tdrv *t, uint16_t index, const struct tbuf *bufs, unsigned n)
{
        struct tdrv_queue *q = tdrv_queue_n(t, index);
        uint16_t head = q->next_desc;
        for (unsigned i = 0; i < n; i++) {
                uint16_t idx = (uint16_t)((head + i) % q->qsz), next = (uint16_t)((head + i + 1) % q->qsz);
                uint16_t flags = (uint16_t)((bufs[i].write ? VRING_DESC_F_WRITE : 0) |
                                            (i + 1 < n ? VRING_DESC_F_NEXT : 0));
                tdrv_put_desc_n(t, index, idx, bufs[i].gpa, bufs[i].len, flags, next);
        }
        q->next_desc = (uint16_t)((head + n) % q->qsz);
        tdrv_publish_n(t, index, head);
        return head;
}

uint16_t tdrv_add(struct tdrv *t, const struct tbuf *bufs, unsigned n) { return tdrv_add_n(t, 0, bufs, n); }

uint16_t tdrv_add_indirect_n(struct tdrv *t, uint16_t index, const struct tbuf *bufs, unsigned n)
{
        struct tdrv_queue *q = tdrv_queue_n(t, index);
        uint64_t table = fake_alloc(t->vm, (size_t)n * VRING_DESC_SIZE, VRING_DESC_ALIGN);
        for (unsigned i = 0; i < n; i++) {
                struct vring_desc d = {
                        .addr = bufs[i].gpa, .len = bufs[i].len, .next = (uint16_t)(i + 1),
                        .flags = (uint16_t)((bufs[i].write ? VRING_DESC_F_WRITE : 0) |
                                            (i + 1 < n ? VRING_DESC_F_NEXT : 0)),
                };
                assert_true(vring_desc_encode(fake_ptr(t->vm, table + vring_desc_off(i), VRING_DESC_SIZE),
                                              VRING_DESC_SIZE, &d));
        }
        uint16_t head = q->next_desc;
        tdrv_put_desc_n(t, index, head, table, (uint32_t)(n * VRING_DESC_SIZE), VRING_DESC_F_INDIRECT, 0);
        q->next_desc = (uint16_t)((head + 1) % q->qsz);
        tdrv_publish_n(t, index, head);
        return head;
}

uint16_t tdrv_add_indirect(struct tdrv *t, const struct tbuf *bufs, unsigned n)
{
        return tdrv_add_indirect_n(t, 0, bufs, n);
}

void tdrv_publish_n(struct tdrv *t, uint16_t index, uint16_t head)
{
        struct tdrv_queue *q = tdrv_queue_n(t, index);
        st_le16(fake_ptr(t->vm, q->avail + vring_avail_ring_off(q->avail_idx % q->qsz), 2), head);
        q->avail_idx++;
        st_le16(fake_ptr(t->vm, q->avail + VRING_AVAIL_OFF_IDX, 2), q->avail_idx);
}

void tdrv_publish(struct tdrv *t, uint16_t head) { tdrv_publish_n(t, 0, head); }

/* Writes the queue's index to its notify address. */
void tdrv_kick_n(struct tdrv *t, uint16_t index)
{
        struct tdrv_queue *q = tdrv_queue_n(t, index);
        tdrv_common_wr(t, VIRTIO_PCI_COMMON_Q_SELECT, 2, q->index);
        uint64_t noff = tdrv_common_rd(t, VIRTIO_PCI_COMMON_Q_NOFF, 2);
        assert_true(mem_wr(t->bus, t->bar0 + VIRTIO_PCI_NOTIFY_OFF + noff * VIRTIO_PCI_NOTIFY_MULT, 2, q->index));
}

void tdrv_kick(struct tdrv *t) { tdrv_kick_n(t, 0); }

bool tdrv_get_used_n(struct tdrv *t, uint16_t index, uint32_t *id, uint32_t *len)
{
        struct tdrv_queue *q = tdrv_queue_n(t, index);
        uint16_t used_idx = ld_le16(fake_ptr(t->vm, q->used + VRING_USED_OFF_IDX, 2));
        if (used_idx == q->used_seen)
                return false;
        struct vring_used_elem e;
        uint64_t at = q->used + vring_used_ring_off(q->used_seen % q->qsz);
        assert_true(vring_used_elem_decode(fake_ptr(t->vm, at, VRING_USED_ELEM_SIZE), VRING_USED_ELEM_SIZE, &e));
        q->used_seen++;
        *id = e.id;
        *len = e.len;
        return true;
}

bool tdrv_get_used(struct tdrv *t, uint32_t *id, uint32_t *len) { return tdrv_get_used_n(t, 0, id, len); }
