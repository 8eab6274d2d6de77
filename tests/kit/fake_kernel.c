/* Fake Realm kernel for unit tests: see fake_kernel.h, and fake_pci_kernel.h for the MMIO,
 * PCI window and default bounce pool controls of the PCI / virtio driver tests. */
#include "fake_pci_kernel.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccada/report.h"
#include "ccada/rsi.h"
#include "proto/rsi_vdev.h"
#include "realm/kheap.h"

#define NPAGES (FAKE_MEM_SIZE / RK_PAGE_SIZE)

struct realm_kernel {
        uint8_t *mem;
        bool realm;
        uint64_t shared;
        bool used[NPAGES];
        bool decrypted[NPAGES];
        pthread_mutex_t lock;   /* allocator, flags, log, counters */
        char *log;
        size_t log_len, log_cap;
        struct trace trace;
        struct realm_task cur;
        struct rk_cpu_ctx ctx;
        void (*wait_hook)(struct realm_kernel *k, void *arg);
        void *wait_arg;
        unsigned long wait_calls;
        size_t fail_alloc_over;
        unsigned fail_decrypt, fail_encrypt;
        uint64_t watch_lo, watch_hi;
        unsigned long watch_hits;
        unsigned long bad_frees;
        struct fake_mmio mmio;  /* device side of rk_mmio_* (fake_kernel_set_mmio) */
        struct fake_mmio mmio_protected; /* of rk_mmio_*_protected (fake_kernel_set_mmio_protected) */
        unsigned long mmio_shared_bit_calls;
        uint64_t ecam, mmio_base, mmio_size;
        struct swiotlb *tlb;
        struct kheap heap;      /* rk_zalloc */
        uint64_t ida[RK_IDA_COUNT];
        char cmdline[256];
        struct ccada_report *report;    /* rk_report_*: what the code under test reported */
        fake_host_call_fn host_call;    /* rk_host_call (fake_kernel_set_host_call) */
        void *host_call_ctx;
        bool have_vdev;                 /* rk_vdev_get_info answers (fake_kernel_set_vdev_info) */
        struct rsi_vdev_info vdev;
        struct fake_dev_mem dev_mem;    /* what RSI_VDEV_VALIDATE_MAPPING accepts */
        bool dma_enabled;
        uint64_t vdev_id;
};

struct realm_kernel *fake_kernel_new(bool realm)
{
        struct realm_kernel *k = calloc(1, sizeof(*k));

        if (!k)
                abort();
        k->mem = calloc(1, FAKE_MEM_SIZE);
        if (!k->mem)
                abort();
        k->realm = realm;
        k->shared = realm ? FAKE_SHARED_BIT : 0;
        k->used[0] = true; /* IPA 0 is never a buffer */
        pthread_mutex_init(&k->lock, NULL);
        trace_init(&k->trace);
        if (ccada_report_create(&k->report) != CCADA_OK)
                abort();
        rk_set_current(k, "swapper/0", 0);
        return k;
}

void fake_kernel_free(struct realm_kernel *k)
{
        if (!k)
                return;
        if (k->heap.live) {
                /* every test frees what the code under test allocated: a leak fails it */
                fprintf(stderr, "fake kernel: %zu heap allocations never freed\n", k->heap.live);
                abort();
        }
        pthread_mutex_destroy(&k->lock);
        ccada_report_destroy(k->report);
        free(k->log);
        free(k->mem);
        free(k);
}

/* ---- kernel heap (the code under test may allocate from several threads) ---- */

void *rk_zalloc(struct realm_kernel *k, size_t count, size_t size)
{
        pthread_mutex_lock(&k->lock);
        void *p = kheap_zalloc(&k->heap, count, size);
        pthread_mutex_unlock(&k->lock);
        return p;
}

void rk_kfree(struct realm_kernel *k, void *p)
{
        if (!p)
                return;
        pthread_mutex_lock(&k->lock);
        kheap_free(&k->heap, p);
        pthread_mutex_unlock(&k->lock);
}

/* ---- checked guest access ---- */

/* Resolves a guest access to an offset in mem, applying the Realm rules page by page. */
static ccada_status guest_check(struct realm_kernel *k, uint64_t ipa, size_t len, size_t *off)
{
        bool alias = k->shared && (ipa & k->shared);
        uint64_t c = ipa & ~k->shared;

        if (c >= FAKE_MEM_SIZE || len > FAKE_MEM_SIZE - c)
                return CCADA_E_SEA;
        if (len) {
                pthread_mutex_lock(&k->lock);
                for (uint64_t p = c / RK_PAGE_SIZE; p <= (c + len - 1) / RK_PAGE_SIZE; p++) {
                        if (k->decrypted[p] != alias) {
                                pthread_mutex_unlock(&k->lock);
                                return CCADA_E_SEA;
                        }
                }
                if (c < k->watch_hi && c + len > k->watch_lo)
                        k->watch_hits++;
                pthread_mutex_unlock(&k->lock);
        }
        *off = (size_t)c;
        return CCADA_OK;
}

ccada_status rk_read(struct realm_kernel *k, uint64_t ipa, void *dst, size_t len)
{
        size_t off;
        ccada_status st = guest_check(k, ipa, len, &off);

        if (st == CCADA_OK && len)
                memcpy(dst, k->mem + off, len);
        return st;
}

ccada_status rk_write(struct realm_kernel *k, uint64_t ipa, const void *src, size_t len)
{
        size_t off;
        ccada_status st = guest_check(k, ipa, len, &off);

        if (st == CCADA_OK && len)
                memcpy(k->mem + off, src, len);
        return st;
}

ccada_status rk_copy(struct realm_kernel *k, uint64_t dst_ipa, uint64_t src_ipa, size_t len)
{
        size_t d, s;
        ccada_status st = guest_check(k, src_ipa, len, &s);

        if (st == CCADA_OK)
                st = guest_check(k, dst_ipa, len, &d);
        if (st == CCADA_OK && len)
                memmove(k->mem + d, k->mem + s, len);
        return st;
}

ccada_status rk_fill(struct realm_kernel *k, uint64_t ipa, uint8_t byte, size_t len)
{
        size_t off;
        ccada_status st = guest_check(k, ipa, len, &off);

        if (st == CCADA_OK && len)
                memset(k->mem + off, byte, len);
        return st;
}

uint64_t rk_shared_bit(const struct realm_kernel *k) { return k->shared; }
bool rk_is_realm(const struct realm_kernel *k) { return k->realm; }
const char *rk_cmdline(const struct realm_kernel *k) { return k->cmdline; }
struct ccada_report_section *rk_report_section(struct realm_kernel *k, const char *name)
{
        return ccada_report_section(k->report, name);
}
const struct ccada_report *fake_kernel_report(const struct realm_kernel *k) { return k->report; }

void fake_kernel_set_cmdline(struct realm_kernel *k, const char *cmdline)
{
        snprintf(k->cmdline, sizeof(k->cmdline), "%s", cmdline ? cmdline : "");
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

/* ---- pages ---- */

ccada_status rk_alloc_pages(struct realm_kernel *k, size_t npages, uint64_t *ipa)
{
        ccada_status st = CCADA_E_NOMEM;

        if (!npages || npages > NPAGES)
                return CCADA_E_NOMEM;
        pthread_mutex_lock(&k->lock);
        if (k->fail_alloc_over && npages > k->fail_alloc_over)
                goto out;
        for (size_t p = 1, run = 0; p < NPAGES; p++) {
                run = k->used[p] ? 0 : run + 1;
                if (run == npages) {
                        size_t first = p + 1 - npages;

                        for (size_t i = first; i <= p; i++)
                                k->used[i] = true;
                        memset(k->mem + first * RK_PAGE_SIZE, 0, npages * RK_PAGE_SIZE);
                        *ipa = (uint64_t)first * RK_PAGE_SIZE;
                        st = CCADA_OK;
                        break;
                }
        }
out:
        pthread_mutex_unlock(&k->lock);
        return st;
}

void rk_free_pages(struct realm_kernel *k, uint64_t ipa, size_t npages)
{
        pthread_mutex_lock(&k->lock);
        for (size_t p = ipa / RK_PAGE_SIZE; p < ipa / RK_PAGE_SIZE + npages && p < NPAGES; p++) {
                if (k->decrypted[p])
                        k->bad_frees++;
                k->used[p] = false;
        }
        pthread_mutex_unlock(&k->lock);
}

static ccada_status set_state(struct realm_kernel *k, uint64_t ipa, size_t npages, bool dec)
{
        ccada_status st = CCADA_OK;

        if (!k->realm)
                return CCADA_OK; /* no-op in a normal VM */
        if (ipa % RK_PAGE_SIZE || ipa / RK_PAGE_SIZE + npages > NPAGES || !npages)
                return CCADA_E_INVAL;
        pthread_mutex_lock(&k->lock);
        unsigned *fail = dec ? &k->fail_decrypt : &k->fail_encrypt;

        if (*fail) {
                (*fail)--;
                st = CCADA_E_RMM;
                goto out;
        }
        for (size_t p = ipa / RK_PAGE_SIZE; p < ipa / RK_PAGE_SIZE + npages; p++) {
                if (!k->used[p]) {
                        st = CCADA_E_INVAL;
                        goto out;
                }
        }
        for (size_t p = ipa / RK_PAGE_SIZE; p < ipa / RK_PAGE_SIZE + npages; p++) {
                k->decrypted[p] = dec;
                /* RIPAS change with CHANGE_DESTROYED: contents are not preserved. */
                memset(k->mem + p * RK_PAGE_SIZE, dec ? 0xa5 : 0x00, RK_PAGE_SIZE);
        }
out:
        pthread_mutex_unlock(&k->lock);
        return st;
}

ccada_status rk_set_memory_decrypted(struct realm_kernel *k, uint64_t ipa, size_t npages)
{
        return set_state(k, ipa, npages, true);
}

ccada_status rk_set_memory_encrypted(struct realm_kernel *k, uint64_t ipa, size_t npages)
{
        return set_state(k, ipa, npages, false);
}

/* The real kernel adds the shared bit itself: callers pass canonical addresses. One
 * that passes the alias is counted (and still served, as the hardware would). */
static uint64_t mmio_canonical(struct realm_kernel *k, uint64_t ipa)
{
        if (k->shared && (ipa & k->shared))
                k->mmio_shared_bit_calls++;
        return ipa & ~k->shared;
}

static bool mmio_size_ok(unsigned size)
{
        return size == 1 || size == 2 || size == 4 || size == 8;
}

ccada_status rk_mmio_read(struct realm_kernel *k, uint64_t ipa, unsigned size, uint64_t *val)
{
        *val = 0;
        if (!mmio_size_ok(size))
                return CCADA_E_INVAL;
        if (!k->mmio.read)
                return CCADA_E_SEA;
        return k->mmio.read(k->mmio.ctx, mmio_canonical(k, ipa), size, val);
}

ccada_status rk_mmio_write(struct realm_kernel *k, uint64_t ipa, unsigned size, uint64_t val)
{
        if (!mmio_size_ok(size))
                return CCADA_E_INVAL;
        if (!k->mmio.write)
                return CCADA_E_SEA;
        return k->mmio.write(k->mmio.ctx, mmio_canonical(k, ipa), size, val);
}

ccada_status rk_mmio_read_protected(struct realm_kernel *k, uint64_t ipa, unsigned size, uint64_t *val)
{
        *val = 0;
        if (!mmio_size_ok(size))
                return CCADA_E_INVAL;
        if (!k->mmio_protected.read || (k->shared && ipa & k->shared))
                return CCADA_E_SEA;
        return k->mmio_protected.read(k->mmio_protected.ctx, ipa, size, val);
}

ccada_status rk_mmio_write_protected(struct realm_kernel *k, uint64_t ipa, unsigned size, uint64_t val)
{
        if (!mmio_size_ok(size))
                return CCADA_E_INVAL;
        if (!k->mmio_protected.write || (k->shared && ipa & k->shared))
                return CCADA_E_SEA;
        return k->mmio_protected.write(k->mmio_protected.ctx, ipa, size, val);
}

void fake_kernel_set_mmio_protected(struct realm_kernel *k, const struct fake_mmio *mmio)
{
        k->mmio_protected = mmio ? *mmio : (struct fake_mmio){ 0 };
}

void fake_kernel_set_mmio(struct realm_kernel *k, const struct fake_mmio *mmio)
{
        k->mmio = mmio ? *mmio : (struct fake_mmio){ 0 };
}

unsigned long fake_kernel_mmio_alias_calls(const struct realm_kernel *k) { return k->mmio_shared_bit_calls; }

void fake_kernel_set_pci_window(struct realm_kernel *k, uint64_t ecam, uint64_t mmio_base, uint64_t mmio_size)
{
        k->ecam = ecam;
        k->mmio_base = mmio_base;
        k->mmio_size = mmio_size;
}

void rk_pci_window(const struct realm_kernel *k, uint64_t *ecam, uint64_t *mmio_base, uint64_t *mmio_size)
{
        *ecam = k->ecam;
        *mmio_base = k->mmio_base;
        *mmio_size = k->mmio_size;
}

void fake_kernel_set_swiotlb(struct realm_kernel *k, struct swiotlb *tlb) { k->tlb = tlb; }

struct swiotlb *rk_default_swiotlb(struct realm_kernel *k) { return k->tlb; }

void rk_wait(struct realm_kernel *k)
{
        pthread_mutex_lock(&k->lock);
        k->wait_calls++;
        pthread_mutex_unlock(&k->lock);
        if (k->wait_hook)
                k->wait_hook(k, k->wait_arg);
}

/* ---- tasks, log, trace ---- */

const struct realm_task *rk_current(const struct realm_kernel *k) { return &k->cur; }

static void show_ctx(struct realm_kernel *k)
{
        char flags[6];
        rk_cpu_ctx_flags(&k->ctx, flags);
        trace_set_who(&k->trace, k->cur.comm, k->cur.pid, 0, flags);
}

void rk_set_current(struct realm_kernel *k, const char *comm, int pid)
{
        size_t n = comm ? strnlen(comm, sizeof(k->cur.comm) - 1) : 0;

        memcpy(k->cur.comm, comm ? comm : "", n);
        k->cur.comm[n] = '\0';
        k->cur.pid = pid;
        show_ctx(k);
}

bool rk_spin_lock_irqsave(struct realm_kernel *k, struct rk_lock *l)
{
        bool was = rk_cpu_ctx_irqsave(&k->ctx);
        rk_lock_acquire(l);
        show_ctx(k);
        return was;
}

void rk_spin_unlock_irqrestore(struct realm_kernel *k, struct rk_lock *l, bool irqs_were_off)
{
        rk_lock_release(l);
        rk_cpu_ctx_irqrestore(&k->ctx, irqs_were_off);
        show_ctx(k);
}

void rk_cpu_ctx_get(const struct realm_kernel *k, struct rk_cpu_ctx *c) { *c = k->ctx; }

void rk_cpu_ctx_set(struct realm_kernel *k, const struct rk_cpu_ctx *c)
{
        k->ctx = *c;
        show_ctx(k);
}

struct trace *rk_trace(struct realm_kernel *k) { return &k->trace; }

void rk_printk(struct realm_kernel *k, const char *fmt, ...)
{
        char line[1025];
        va_list ap;

        va_start(ap, fmt);
        int n = vsnprintf(line, sizeof(line) - 1, fmt, ap);

        va_end(ap);
        if (n < 0)
                return;
        size_t len = strnlen(line, sizeof(line) - 1);

        /* One message per call, newline added (as the real kernel's console does). */
        line[len++] = '\n';
        line[len] = '\0';

        pthread_mutex_lock(&k->lock);
        if (k->log_len + len + 1 > k->log_cap) {
                size_t cap = (k->log_cap ? k->log_cap * 2 : 4096) + len;
                char *p = realloc(k->log, cap);

                if (!p)
                        abort();
                k->log = p;
                k->log_cap = cap;
        }
        memcpy(k->log + k->log_len, line, len + 1);
        k->log_len += len;
        pthread_mutex_unlock(&k->lock);
        if (getenv("FAKE_KERNEL_VERBOSE"))
                fputs(line, stderr);
}

const char *fake_kernel_log(const struct realm_kernel *k) { return k->log ? k->log : ""; }

void fake_kernel_log_clear(struct realm_kernel *k)
{
        pthread_mutex_lock(&k->lock);
        k->log_len = 0;
        if (k->log)
                k->log[0] = '\0';
        pthread_mutex_unlock(&k->lock);
}

unsigned fake_kernel_log_count(const struct realm_kernel *k, const char *needle)
{
        unsigned n = 0;
        size_t nl = strlen(needle);

        for (const char *p = fake_kernel_log(k); nl && (p = strstr(p, needle)); p += nl)
                n++;
        return n;
}

/* ---- host view and test controls ---- */

static ccada_status host_check(struct realm_kernel *k, uint64_t addr, size_t len, size_t *off)
{
        uint64_t c = addr & ~FAKE_SHARED_BIT;

        if (c >= FAKE_MEM_SIZE || len > FAKE_MEM_SIZE - c)
                return CCADA_E_RANGE;
        for (uint64_t p = c / RK_PAGE_SIZE; len && p <= (c + len - 1) / RK_PAGE_SIZE; p++)
                if (k->realm && !k->decrypted[p])
                        return CCADA_E_GPF;
        *off = (size_t)c;
        return CCADA_OK;
}

ccada_status fake_host_read(struct realm_kernel *k, uint64_t addr, void *dst, size_t len)
{
        size_t off;
        ccada_status st = host_check(k, addr, len, &off);

        if (st == CCADA_OK && len)
                memcpy(dst, k->mem + off, len);
        return st;
}

ccada_status fake_host_write(struct realm_kernel *k, uint64_t addr, const void *src, size_t len)
{
        size_t off;
        ccada_status st = host_check(k, addr, len, &off);

        if (st == CCADA_OK && len)
                memcpy(k->mem + off, src, len);
        return st;
}

ccada_status fake_tdi_dma(struct realm_kernel *k, uint64_t ipa, void *buf, size_t len, bool to_memory)
{
        if (k->shared && ipa & k->shared)
                return CCADA_E_GPF; /* a T=1 request names a protected IPA */
        if (ipa >= FAKE_MEM_SIZE || len > FAKE_MEM_SIZE - ipa)
                return CCADA_E_RANGE;
        for (uint64_t p = ipa / RK_PAGE_SIZE; len && p <= (ipa + len - 1) / RK_PAGE_SIZE; p++)
                if (k->decrypted[p])
                        return CCADA_E_GPF; /* shared now: not the Realm's stage-2 RAM */
        if (len && to_memory)
                memcpy(k->mem + ipa, buf, len);
        else if (len)
                memcpy(buf, k->mem + ipa, len);
        return CCADA_OK;
}

void fake_kernel_set_wait_hook(struct realm_kernel *k,
                               void (*hook)(struct realm_kernel *k, void *arg), void *arg)
{
        k->wait_hook = hook;
        k->wait_arg = arg;
}

unsigned long fake_kernel_wait_calls(const struct realm_kernel *k) { return k->wait_calls; }
void fake_kernel_fail_alloc_over(struct realm_kernel *k, size_t max_pages) { k->fail_alloc_over = max_pages; }
void fake_kernel_fail_decrypt(struct realm_kernel *k, unsigned n) { k->fail_decrypt = n; }
void fake_kernel_fail_encrypt(struct realm_kernel *k, unsigned n) { k->fail_encrypt = n; }

void fake_kernel_watch(struct realm_kernel *k, uint64_t ipa, size_t len)
{
        k->watch_lo = ipa;
        k->watch_hi = ipa + len;
        k->watch_hits = 0;
}

unsigned long fake_kernel_watch_hits(const struct realm_kernel *k) { return k->watch_hits; }

size_t fake_kernel_free_pages(const struct realm_kernel *k)
{
        size_t n = 0;

        for (size_t p = 0; p < NPAGES; p++)
                n += !k->used[p];
        return n;
}

size_t fake_kernel_decrypted_pages(const struct realm_kernel *k)
{
        size_t n = 0;

        for (size_t p = 0; p < NPAGES; p++)
                n += k->decrypted[p];
        return n;
}

unsigned long fake_kernel_bad_frees(const struct realm_kernel *k) { return k->bad_frees; }

void fake_kernel_set_host_call(struct realm_kernel *k, fake_host_call_fn fn, void *ctx)
{
        k->host_call = fn;
        k->host_call_ctx = ctx;
}

ccada_status rk_host_call(struct realm_kernel *k, uint16_t imm, uint64_t gprs[31])
{
        if (!k->host_call)
                return CCADA_E_RMM;
        k->host_call(k->host_call_ctx, k, imm, gprs);
        return CCADA_OK;
}

void fake_kernel_set_vdev_info(struct realm_kernel *k, uint64_t vdev_id, const struct rsi_vdev_info *info)
{
        k->have_vdev = info != NULL;
        k->vdev_id = vdev_id;
        if (info)
                k->vdev = *info;
}

void fake_kernel_set_dev_mem(struct realm_kernel *k, const struct fake_dev_mem *m)
{
        k->dev_mem = m ? *m : (struct fake_dev_mem){ 0 };
}

bool fake_kernel_dma_enabled(const struct realm_kernel *k) { return k->dma_enabled; }

struct rsi_vdev_info *fake_kernel_vdev_info(struct realm_kernel *k) { return &k->vdev; }

/* The RMM's checks as rsi_vdev.c makes them: a known device, LOCKED or STARTED, the nonces the
 * Realm verified; then the host's mapping (dev_mem) is validated page by page, or rejected. */
static bool nonces_ok(const struct realm_kernel *k, const struct rsi_vdev_info *v)
{
        return v->lock_nonce == k->vdev.lock_nonce && v->meas_nonce == k->vdev.meas_nonce &&
               v->report_nonce == k->vdev.report_nonce;
}

ccada_status rk_vdev_validate_mapping(struct realm_kernel *k, uint64_t vdev_id, uint64_t ipa, uint64_t top, uint64_t pa,
                                      const struct rsi_vdev_info *verified)
{
        k->dev_mem.calls++;
        if (!k->have_vdev || vdev_id != k->vdev_id || ipa >= top || (ipa | top | pa) & 0xFFF)
                return CCADA_E_RMM;
        if ((k->vdev.state != RSI_VDEV_STATE_LOCKED && k->vdev.state != RSI_VDEV_STATE_STARTED) ||
            !nonces_ok(k, verified))
                return CCADA_E_VERIFY;
        if (k->dev_mem.reject || ipa != k->dev_mem.ipa || top - ipa > k->dev_mem.size || pa != k->dev_mem.pa)
                return CCADA_E_REJECTED;
        k->dev_mem.validated = true;
        return CCADA_OK;
}

ccada_status rk_vdev_dma_enable(struct realm_kernel *k, uint64_t vdev_id, const struct rsi_vdev_info *verified)
{
        if (!k->have_vdev || vdev_id != k->vdev_id)
                return CCADA_E_RMM;
        if (k->vdev.state != RSI_VDEV_STATE_STARTED || !nonces_ok(k, verified))
                return CCADA_E_VERIFY;
        k->dma_enabled = true;
        return CCADA_OK;
}

ccada_status rk_vdev_dma_disable(struct realm_kernel *k, uint64_t vdev_id)
{
        if (!k->have_vdev || vdev_id != k->vdev_id)
                return CCADA_E_RMM;
        k->dma_enabled = false;
        return CCADA_OK;
}

ccada_status rk_vdev_get_info(struct realm_kernel *k, uint64_t vdev_id, struct rsi_vdev_info *out)
{
        if (!k->have_vdev || vdev_id != k->vdev_id)
                return CCADA_E_UNSUPPORTED;
        *out = k->vdev;
        return CCADA_OK;
}
