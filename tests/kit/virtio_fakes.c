/* Fake guest memory, Realm kernel services and host guest-memory access for the
 * virtqueue tests (see fakes.h). */
#include "virtio_fakes.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <cmocka.h>

#include "host/guest_mem.h"

/* ---- kernel heap ---- */

void *rk_zalloc(struct realm_kernel *k, size_t count, size_t size)
{
        return kheap_zalloc(&k->heap, count, size);
}

void rk_kfree(struct realm_kernel *k, void *p)
{
        if (p)
                kheap_free(&k->heap, p);
}

/* ---- the guest: a normal VM as far as shared memory goes (no alias; the rings are all
 * host-visible) ---- */

uint64_t rk_shared_bit(const struct realm_kernel *k)
{
        (void)k;
        return 0;
}

bool rk_is_realm(const struct realm_kernel *k)
{
        (void)k;
        return false;
}

unsigned rk_ida_alloc(struct realm_kernel *k, enum rk_ida ida)
{
        return (unsigned)ida < RK_IDA_COUNT ? rk_ida_take(&k->ida[ida]) : RK_IDA_MAX;
}

void rk_ida_free(struct realm_kernel *k, enum rk_ida ida, unsigned n)
{
        if ((unsigned)ida < RK_IDA_COUNT)
                rk_ida_give(&k->ida[ida], n);
}

/* ---- memory ---- */

struct fake_machine *fake_create(void)
{
        struct fake_machine *m = calloc(1, sizeof(*m));
        assert_non_null(m);
        m->mem = malloc(FAKE_MEM_SIZE);
        assert_non_null(m->mem);
        memset(m->mem, FAKE_FREE_FILL, FAKE_MEM_SIZE);
        m->brk = FAKE_MEM_BASE;
        m->k.m = m;
        m->vm.m = m;
        snprintf(m->task.comm, sizeof(m->task.comm), "%s", "kworker/0:1");
        m->task.pid = 42;
        trace_init(&m->trace);
        assert_true(trace_set_events(&m->trace, "all"));
        m->trace_pipe = open_memstream(&m->trace_text, &m->trace_len);
        assert_non_null(m->trace_pipe);
        trace_set_pipe(&m->trace, m->trace_pipe);
        return m;
}

void fake_destroy(struct fake_machine *m)
{
        if (!m)
                return;
        assert_int_equal(m->k.heap.live, 0); /* the queue freed what it allocated */
        (void)trace_close(&m->trace);
        fclose(m->trace_pipe);
        free(m->trace_text);
        free(m->mem);
        free(m);
}

uint64_t fake_alloc(struct fake_machine *m, size_t len, size_t align, uint8_t fill)
{
        assert_true(m->nallocs < FAKE_MAX_ALLOCS);
        uint64_t a = m->brk + FAKE_CANARY_LEN;
        a = (a + align - 1) & ~((uint64_t)align - 1);
        assert_true(a + len + FAKE_CANARY_LEN <= (uint64_t)FAKE_MEM_BASE + FAKE_MEM_SIZE);
        memset(m->mem + (a - FAKE_MEM_BASE - FAKE_CANARY_LEN), FAKE_CANARY, FAKE_CANARY_LEN);
        memset(m->mem + (a - FAKE_MEM_BASE), fill, len);
        memset(m->mem + (a - FAKE_MEM_BASE + len), FAKE_CANARY, FAKE_CANARY_LEN);
        m->allocs[m->nallocs++] = (struct fake_area){ a, len };
        m->brk = a + len + FAKE_CANARY_LEN;
        return a;
}

bool fake_canaries_intact(const struct fake_machine *m)
{
        for (unsigned i = 0; i < m->nallocs; i++) {
                const uint8_t *p = m->mem + (m->allocs[i].addr - FAKE_MEM_BASE);
                for (size_t j = 1; j <= FAKE_CANARY_LEN; j++)
                        if (p[-(ptrdiff_t)j] != FAKE_CANARY || p[m->allocs[i].len + j - 1] != FAKE_CANARY)
                                return false;
        }
        return true;
}

static bool in_range(uint64_t addr, size_t len)
{
        return addr >= FAKE_MEM_BASE && len <= FAKE_MEM_SIZE && addr - FAKE_MEM_BASE <= FAKE_MEM_SIZE - len;
}

uint8_t *fake_ptr(struct fake_machine *m, uint64_t addr, size_t len)
{
        assert_true(in_range(addr, len));
        return m->mem + (addr - FAKE_MEM_BASE);
}

void fake_revoke(struct fake_machine *m, uint64_t addr, size_t len)
{
        m->revoked = (struct fake_area){ addr, len };
}

static bool revoked(const struct fake_machine *m, uint64_t addr, size_t len)
{
        return m->revoked.len && addr < m->revoked.addr + m->revoked.len && m->revoked.addr < addr + len;
}

/* Checks an access: out_of_range is what the caller's world reports for unmapped memory. */
static ccada_status check(const struct fake_machine *m, uint64_t addr, size_t len, ccada_status out_of_range)
{
        if (!in_range(addr, len))
                return out_of_range;
        if (revoked(m, addr, len))
                return CCADA_E_GPF;
        return CCADA_OK;
}

void fake_fail_nth_access(struct fake_machine *m, unsigned long n)
{
        m->fail_access = n ? m->realm_accesses + n : 0;
}

bool fake_failed_access_fired(const struct fake_machine *m)
{
        return m->fail_access && m->realm_accesses >= m->fail_access;
}

/* ---- the Realm kernel's view ---- */

/* Counts the access, then checks it like check(); the armed access fails. */
static ccada_status realm_check(struct fake_machine *m, uint64_t ipa, size_t len)
{
        if (++m->realm_accesses == m->fail_access)
                return CCADA_E_SEA;
        return check(m, ipa, len, CCADA_E_SEA);
}

ccada_status rk_read(struct realm_kernel *k, uint64_t ipa, void *dst, size_t len)
{
        ccada_status s = realm_check(k->m, ipa, len);
        if (s == CCADA_OK)
                memcpy(dst, k->m->mem + (ipa - FAKE_MEM_BASE), len);
        return s;
}

/* memmove semantics, as the kernel's: each side checked as one access. */
ccada_status rk_copy(struct realm_kernel *k, uint64_t dst, uint64_t src, size_t len)
{
        ccada_status s = realm_check(k->m, src, len);
        if (s == CCADA_OK)
                s = realm_check(k->m, dst, len);
        if (s == CCADA_OK)
                memmove(k->m->mem + (dst - FAKE_MEM_BASE), k->m->mem + (src - FAKE_MEM_BASE), len);
        return s;
}

ccada_status rk_write(struct realm_kernel *k, uint64_t ipa, const void *src, size_t len)
{
        ccada_status s = realm_check(k->m, ipa, len);
        if (s == CCADA_OK)
                memcpy(k->m->mem + (ipa - FAKE_MEM_BASE), src, len);
        return s;
}

ccada_status rk_fill(struct realm_kernel *k, uint64_t ipa, uint8_t byte, size_t len)
{
        ccada_status s = realm_check(k->m, ipa, len);
        if (s == CCADA_OK)
                memset(k->m->mem + (ipa - FAKE_MEM_BASE), byte, len);
        return s;
}

const struct realm_task *rk_current(const struct realm_kernel *k) { return &k->m->task; }

struct trace *rk_trace(struct realm_kernel *k) { return &k->m->trace; }

void rk_printk(struct realm_kernel *k, const char *fmt, ...)
{
        struct fake_machine *m = k->m;
        size_t room = sizeof(m->log) - m->log_len;
        if (room <= 1)
                return;
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(m->log + m->log_len, room - 1, fmt, ap);
        va_end(ap);
        if (n < 0)
                return;
        m->log_len += (size_t)n < room - 1 ? (size_t)n : room - 2;
        m->log[m->log_len++] = '\n';
        m->log[m->log_len] = '\0';
}

/* ---- the host's view ---- */

ccada_status host_gpa_read(struct host_vm *vm, uint64_t gpa, void *dst, size_t len)
{
        ccada_status s = check(vm->m, gpa, len, CCADA_E_RANGE);
        if (s == CCADA_OK)
                memcpy(dst, vm->m->mem + (gpa - FAKE_MEM_BASE), len);
        return s;
}

ccada_status host_gpa_write(struct host_vm *vm, uint64_t gpa, const void *src, size_t len)
{
        ccada_status s = check(vm->m, gpa, len, CCADA_E_RANGE);
        if (s == CCADA_OK)
                memcpy(vm->m->mem + (gpa - FAKE_MEM_BASE), src, len);
        return s;
}

/* ---- observations ---- */

bool fake_log_contains(const struct fake_machine *m, const char *needle)
{
        return strstr(m->log, needle) != NULL;
}

bool fake_trace_contains(struct fake_machine *m, const char *needle)
{
        fflush(m->trace_pipe);
        return m->trace_text && strstr(m->trace_text, needle) != NULL;
}

/* ---- a queue pair ---- */

void fake_vq_setup(struct fake_vq *p, uint16_t qsz, bool indirect, bool event_idx)
{
        memset(p, 0, sizeof(*p));
        p->m = fake_create();
        struct vq_config *c = &p->cfg;
        c->dev_name = "virtio0";
        c->drv_name = "virtio_blk";
        c->name = "req.0";
        c->index = 0;
        c->qsz = qsz;
        c->indirect = indirect;
        c->event_idx = event_idx;
        /* IPA == device address in the fake, so cpu == dma. */
        c->desc.cpu = c->desc.dma = fake_alloc(p->m, vring_desc_table_size(qsz), VRING_DESC_ALIGN, 0xEE);
        c->avail.cpu = c->avail.dma = fake_alloc(p->m, vring_avail_size(qsz), VRING_AVAIL_ALIGN, 0xEE);
        c->used.cpu = c->used.dma = fake_alloc(p->m, vring_used_size(qsz), VRING_USED_ALIGN, 0xEE);
        if (indirect)
                c->indirect_area.cpu = c->indirect_area.dma =
                        fake_alloc(p->m, (size_t)qsz * VQ_INDIRECT_TABLE_BYTES, VRING_DESC_ALIGN, 0xEE);
        assert_int_equal(vq_init(&p->vq, &p->m->k, c), CCADA_OK);
        assert_int_equal(vdq_init(&p->dq, &p->m->vm, qsz, c->desc.dma, c->avail.dma, c->used.dma, indirect, event_idx),
                         CCADA_OK);
}

void fake_vq_teardown(struct fake_vq *p)
{
        vq_destroy(&p->vq);
        fake_destroy(p->m);
        p->m = NULL;
}
