/* The Realm kernel, its lowest layer: its bring-up steps (RSI version, realm config, RAM
 * RIPAS, console), page allocator, memory encryption ops, MMIO and console, RSI helpers.
 * Modelled on arch/arm64/kernel/rsi.c and arch/arm64/mm/pageattr.c behaviour (no code
 * taken). Boot itself, and what it builds on top of this layer, is realm/boot.c: this file
 * includes nothing of the Realm above the boot image format, the heap and the report. */
#include "realm/kernel.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccada/cpu.h"
#include "ccada/report.h"
#include "ccada/rsi.h"
#include "lib/bytes.h"
#include "proto/hostcall.h"
#include "proto/realm_image.h"
#include "proto/rsi_vdev.h"
#include "realm/kernel_internal.h"
#include "realm/kheap.h"

_Static_assert(REALM_IMAGE_PAGE_SIZE == RK_PAGE_SIZE, "the boot image's RAM is in kernel pages");

struct realm_kernel {
        struct ccada_cpu *cpu;
        struct trace *trace;
        struct trace_group *tr;         /* "realm" events (NULL: none) */
        realm_init_fn init;
        struct realm_task task;
        struct rk_cpu_ctx ctx;          /* what the trace lines' flags show */
        bool is_realm;
        unsigned ipa_bits;
        uint64_t shared_bit;
        struct realm_image_info img;
        uint64_t ram_pages;
        uint8_t *page_used;             /* one byte per RAM page: 0 free, 1 used */
        uint8_t *page_shared;           /* 1 if decrypted */
        uint64_t alloc_hint;
        uint64_t hostcall_ipa;          /* a protected page for RsiHostCall */
        uint64_t console;               /* console MMIO address as mapped (alias in a Realm) */
        bool console_ok;
        struct swiotlb *swiotlb;        /* the default bounce pool (a Realm only), set by boot.c */
        struct kheap heap;              /* everything the guest allocated (rk_zalloc) */
        struct ccada_report *report;    /* what boot and the apps found (rk_report_*) */
        struct rk_rsi_probe rsi;        /* what RSI_VERSION and REALM_CONFIG gave at boot */
        uint64_t ida[RK_IDA_COUNT];     /* numbers in use, a bit each (rk_ida_alloc) */
        uint8_t hash_algo;              /* RsiRealmConfig.hash_algo: 0 SHA-256, 1 SHA-512 */
        /* the Realm owner's device trust (realm_kernel_set_device_trust), NULL: none */
        uint8_t *dev_anchor;
        size_t dev_anchor_len;
        char *dev_policy;
        size_t dev_policy_len;
        int64_t dev_now;
};

static ccada_status from_cpu(enum cpu_result r)
{
        switch (r) {
        case CPU_OK: return CCADA_OK;
        case CPU_GPF: return CCADA_E_GPF;
        case CPU_HALTED: return CCADA_E_STATE;
        default: return CCADA_E_SEA;
        }
}

static const char *const realm_events[] = { [REALM_TRACE_PRINTK] = "realm_printk" };
const struct trace_subsys realm_trace = TRACE_SUBSYS("realm", realm_events);

bool realm_kernel_create(struct realm_kernel **out, struct trace *trace, realm_init_fn init)
{
        struct realm_kernel *k = calloc(1, sizeof(*k));
        if (!k)
                return false;
        k->trace = trace;
        k->tr = trace_register(trace, &realm_trace);
        k->init = init;
        if (ccada_report_create(&k->report) != CCADA_OK) {
                free(k);
                return false;
        }
        *out = k;
        return true;
}

void realm_kernel_destroy(struct realm_kernel *k)
{
        if (!k)
                return;
        kheap_release(&k->heap); /* the guest is gone, its allocations with it */
        free(k->dev_anchor);
        free(k->dev_policy);
        free(k->page_used);
        free(k->page_shared);
        ccada_report_destroy(k->report);
        free(k);
}

const struct ccada_report *realm_kernel_report(const struct realm_kernel *k) { return k->report; }

bool realm_kernel_set_device_trust(struct realm_kernel *k, const uint8_t *anchor, size_t anchor_len,
                                   const char *policy, size_t policy_len, int64_t now)
{
        uint8_t *a = anchor_len ? malloc(anchor_len) : NULL;
        char *p = malloc(policy_len + 1);
        if ((anchor_len && !a) || !p) {
                free(a);
                free(p);
                return false;
        }
        if (anchor_len)
                memcpy(a, anchor, anchor_len);
        if (policy_len)
                memcpy(p, policy, policy_len);
        p[policy_len] = '\0';
        free(k->dev_anchor);
        free(k->dev_policy);
        k->dev_anchor = a;
        k->dev_anchor_len = anchor_len;
        k->dev_policy = p;
        k->dev_policy_len = policy_len;
        k->dev_now = now;
        return true;
}

bool rk_device_trust(const struct realm_kernel *k, const uint8_t **anchor, size_t *anchor_len, const char **policy,
                     size_t *policy_len, int64_t *now)
{
        if (!k->dev_anchor)
                return false;
        *anchor = k->dev_anchor;
        *anchor_len = k->dev_anchor_len;
        *policy = k->dev_policy;
        *policy_len = k->dev_policy_len;
        *now = k->dev_now;
        return true;
}

struct ccada_report_section *rk_report_section(struct realm_kernel *k, const char *name)
{
        return ccada_report_section(k->report, name);
}

void rk_report_check(struct realm_kernel *k, const char *name, bool ok)
{
        ccada_report_check(k->report, name, ok);
}

void rk_report_error(struct realm_kernel *k, const char *fmt, ...)
{
        struct ccada_report_value v;
        char text[RK_REPORT_ERROR_MAX];
        va_list ap;
        if (ccada_report_get(k->report, "", "error", &v) && v.text[0])
                return; /* the first failure is the one that explains the rest */
        va_start(ap, fmt);
        vsnprintf(text, sizeof(text), fmt, ap);
        va_end(ap);
        ccada_report_text(rk_report_section(k, ""), "error", text);
}

size_t rk_hash_len(const struct realm_kernel *k)
{
        return k->hash_algo == RSI_HASH_SHA_512 ? 64 : 32;
}

const struct rk_rsi_probe *rk_rsi_probe(const struct realm_kernel *k) { return &k->rsi; }

unsigned rk_ida_alloc(struct realm_kernel *k, enum rk_ida ida)
{
        return (unsigned)ida < RK_IDA_COUNT ? rk_ida_take(&k->ida[ida]) : RK_IDA_MAX;
}

void rk_ida_free(struct realm_kernel *k, enum rk_ida ida, unsigned n)
{
        if ((unsigned)ida < RK_IDA_COUNT)
                rk_ida_give(&k->ida[ida], n);
}

void *rk_zalloc(struct realm_kernel *k, size_t count, size_t size)
{
        return kheap_zalloc(&k->heap, count, size);
}

void rk_kfree(struct realm_kernel *k, void *p)
{
        if (p)
                kheap_free(&k->heap, p);
}

ccada_status rk_read(struct realm_kernel *k, uint64_t ipa, void *dst, size_t len)
{
        return from_cpu(cpu_load(k->cpu, ipa, dst, len));
}

ccada_status rk_write(struct realm_kernel *k, uint64_t ipa, const void *src, size_t len)
{
        return from_cpu(cpu_store(k->cpu, ipa, src, len));
}

ccada_status rk_copy(struct realm_kernel *k, uint64_t dst_ipa, uint64_t src_ipa, size_t len)
{
        return from_cpu(cpu_copy(k->cpu, dst_ipa, src_ipa, len));
}

ccada_status rk_fill(struct realm_kernel *k, uint64_t ipa, uint8_t byte, size_t len)
{
        return from_cpu(cpu_fill(k->cpu, ipa, byte, len));
}

uint64_t rk_shared_bit(const struct realm_kernel *k) { return k->shared_bit; }
uint64_t rk_console_base(const struct realm_kernel *k) { return k->img.console_base; }
const char *rk_cmdline(const struct realm_kernel *k) { return k->img.cmdline; }

void rk_pci_window(const struct realm_kernel *k, uint64_t *ecam, uint64_t *mmio_base, uint64_t *mmio_size)
{
        *ecam = k->img.pci_ecam;
        *mmio_base = k->img.pci_mmio_base;
        *mmio_size = k->img.pci_mmio_size;
}
bool rk_is_realm(const struct realm_kernel *k) { return k->is_realm; }
const struct realm_task *rk_current(const struct realm_kernel *k) { return &k->task; }
struct trace *rk_trace(struct realm_kernel *k) { return k->trace; }

/* The current context's flags into the trace's "who" (only read by events: nothing to do
 * while none is enabled; events are chosen before the guest runs). */
static void show_ctx(struct realm_kernel *k, bool always)
{
        char flags[6];
        if (!k->trace || (!always && !trace_active(k->trace)))
                return;
        rk_cpu_ctx_flags(&k->ctx, flags);
        trace_set_who(k->trace, k->task.comm, k->task.pid, 0, flags);
}

void rk_set_current(struct realm_kernel *k, const char *comm, int pid)
{
        snprintf(k->task.comm, sizeof(k->task.comm), "%s", comm);
        k->task.pid = pid;
        show_ctx(k, true);
}

bool rk_spin_lock_irqsave(struct realm_kernel *k, struct rk_lock *l)
{
        bool was = rk_cpu_ctx_irqsave(&k->ctx);
        rk_lock_acquire(l);
        show_ctx(k, false);
        return was;
}

void rk_spin_unlock_irqrestore(struct realm_kernel *k, struct rk_lock *l, bool irqs_were_off)
{
        rk_lock_release(l);
        rk_cpu_ctx_irqrestore(&k->ctx, irqs_were_off);
        show_ctx(k, false);
}


void rk_cpu_ctx_get(const struct realm_kernel *k, struct rk_cpu_ctx *c)
{
        *c = k->ctx;
}

void rk_cpu_ctx_set(struct realm_kernel *k, const struct rk_cpu_ctx *c)
{
        k->ctx = *c;
        show_ctx(k, false);
}

ccada_status rk_mmio_read(struct realm_kernel *k, uint64_t ipa, unsigned size, uint64_t *val)
{
        return from_cpu(cpu_mmio_read(k->cpu, ipa | k->shared_bit, size, val));
}

ccada_status rk_mmio_write(struct realm_kernel *k, uint64_t ipa, unsigned size, uint64_t val)
{
        return from_cpu(cpu_mmio_write(k->cpu, ipa | k->shared_bit, size, val));
}

ccada_status rk_mmio_read_protected(struct realm_kernel *k, uint64_t ipa, unsigned size, uint64_t *val)
{
        return from_cpu(cpu_mmio_read(k->cpu, ipa & ~k->shared_bit, size, val));
}

ccada_status rk_mmio_write_protected(struct realm_kernel *k, uint64_t ipa, unsigned size, uint64_t val)
{
        return from_cpu(cpu_mmio_write(k->cpu, ipa & ~k->shared_bit, size, val));
}

void rk_wait(struct realm_kernel *k)
{
        cpu_wfi(k->cpu);
}

/* printk: the console is the PL011's data register, one MMIO write per byte, as an
 * earlycon does. Also a trace event. */
void rk_printk(struct realm_kernel *k, const char *fmt, ...)
{
        char buf[1024]; /* Linux: a record's text is at most about 1 KiB (PRINTKRB_RECORD_MAX) */
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        if (n < 0)
                return;
        size_t len = strlen(buf);
        if (trace_on(k->tr, REALM_TRACE_PRINTK))
                trace_emit(k->tr, REALM_TRACE_PRINTK, "%s", buf);
        if (!k->console_ok)
                return;
        for (size_t i = 0; i <= len; i++) {
                uint8_t c = i < len ? (uint8_t)buf[i] : '\n';
                if (rk_mmio_write(k, k->img.console_base, 4, c) != CCADA_OK) {
                        k->console_ok = false; /* a console that faults is abandoned, not retried */
                        return;
                }
        }
}

/* ---- page allocator over protected RAM ---- */

ccada_status rk_alloc_pages(struct realm_kernel *k, size_t npages, uint64_t *ipa)
{
        if (!npages)
                return CCADA_E_INVAL;
        if (npages > k->ram_pages)
                return CCADA_E_NOMEM; /* more than there is: out of memory, as memblock says */
        for (uint64_t n = 0; n < k->ram_pages; n++) {
                uint64_t start = (k->alloc_hint + n) % k->ram_pages;
                if (start + npages > k->ram_pages)
                        continue;
                uint64_t i = 0;
                while (i < npages && !k->page_used[start + i])
                        i++;
                if (i < npages)
                        continue;
                uint64_t addr = k->img.ram_base + (start << RK_PAGE_SHIFT);
                ccada_status st = rk_fill(k, addr, 0, npages * RK_PAGE_SIZE);
                if (st != CCADA_OK)
                        return st;
                memset(k->page_used + start, 1, npages);
                k->alloc_hint = start + npages;
                *ipa = addr;
                return CCADA_OK;
        }
        return CCADA_E_NOMEM;
}

static bool ram_range(const struct realm_kernel *k, uint64_t ipa, size_t npages, uint64_t *first)
{
        if (ipa & (RK_PAGE_SIZE - 1) || ipa < k->img.ram_base || !npages)
                return false;
        *first = (ipa - k->img.ram_base) >> RK_PAGE_SHIFT;
        return *first < k->ram_pages && npages <= k->ram_pages - *first;
}

void rk_free_pages(struct realm_kernel *k, uint64_t ipa, size_t npages)
{
        uint64_t first;
        if (!ram_range(k, ipa, npages, &first)) {
                rk_printk(k, "BUG: free of bad range 0x%llx (+%zu pages)", (unsigned long long)ipa, npages);
                return;
        }
        memset(k->page_used + first, 0, npages);
}

/* ---- RSI ---- */

static void rsi(struct realm_kernel *k, struct smc_regs *r)
{
        cpu_smc(k->cpu, r);
}

/* rsi_set_memory_range: loop IPA_STATE_SET until the whole range is done. */
static ccada_status rsi_set_range(struct realm_kernel *k, uint64_t base, uint64_t top, unsigned ripas,
                                  unsigned flags)
{
        while (base < top) {
                struct smc_regs r = { .x = { RSI_IPA_STATE_SET, base, top, ripas, flags } };
                rsi(k, &r);
                if (r.x[0] != RSI_SUCCESS || r.x[1] < base || r.x[1] > top)
                        return CCADA_E_RMM;
                if (r.x[2] != RSI_ACCEPT)
                        return CCADA_E_REJECTED;
                if (r.x[1] == base)
                        return CCADA_E_RMM; /* no progress: a DESTROYED page */
                base = r.x[1];
        }
        return CCADA_OK;
}

static ccada_status set_memory_state(struct realm_kernel *k, uint64_t ipa, size_t npages, bool shared)
{
        uint64_t first;
        if (!ram_range(k, ipa, npages, &first))
                return CCADA_E_INVAL;
        for (size_t i = 0; i < npages; i++)
                if (!k->page_used[first + i] || k->page_shared[first + i] == shared)
                        return CCADA_E_INVAL;
        if (k->is_realm) {
                ccada_status st = rsi_set_range(k, ipa, ipa + npages * RK_PAGE_SIZE,
                                                shared ? RSI_RIPAS_EMPTY : RSI_RIPAS_RAM, RSI_CHANGE_DESTROYED);
                if (st != CCADA_OK) {
                        rk_printk(k, "Failed to %s memory, %zu pages will be leaked",
                                  shared ? "decrypt" : "encrypt", npages);
                        return st;
                }
        }
        memset(k->page_shared + first, shared, npages);
        return CCADA_OK;
}

ccada_status rk_set_memory_decrypted(struct realm_kernel *k, uint64_t ipa, size_t npages)
{
        return set_memory_state(k, ipa, npages, true);
}

ccada_status rk_set_memory_encrypted(struct realm_kernel *k, uint64_t ipa, size_t npages)
{
        return set_memory_state(k, ipa, npages, false);
}

ccada_status rk_measurement_extend(struct realm_kernel *k, unsigned index, const void *data, size_t len)
{
        uint8_t v[64] = { 0 };
        if (len > sizeof(v))
                return CCADA_E_INVAL;
        memcpy(v, data, len);
        struct smc_regs r = { .x = { RSI_MEASUREMENT_EXTEND, index, len } };
        for (unsigned i = 0; i < 8; i++)
                r.x[3 + i] = ld_le64(v + 8 * i);
        rsi(k, &r);
        return r.x[0] == RSI_SUCCESS ? CCADA_OK : CCADA_E_RMM;
}

ccada_status rk_measurement_read(struct realm_kernel *k, unsigned index, uint8_t out[64])
{
        struct smc_regs r = { .x = { RSI_MEASUREMENT_READ, index } };
        rsi(k, &r);
        if (r.x[0] != RSI_SUCCESS)
                return CCADA_E_RMM;
        for (unsigned i = 0; i < 8; i++)
                st_le64(out + 8 * i, r.x[1 + i]);
        return CCADA_OK;
}

/* Fills one granule at ipa with CONTINUE calls; *got bytes, *status the last call's. */
static void attest_granule(struct realm_kernel *k, uint64_t ipa, size_t *got, uint64_t *status)
{
        uint64_t off = 0;
        do {
                struct smc_regs r = { .x = { RSI_ATTESTATION_TOKEN_CONTINUE, ipa, off, RK_PAGE_SIZE - off } };
                rsi(k, &r);
                *status = r.x[0];
                if ((r.x[0] == RSI_SUCCESS || r.x[0] == RSI_INCOMPLETE) && r.x[1] <= RK_PAGE_SIZE - off)
                        off += r.x[1];
                else if (r.x[0] == RSI_SUCCESS || r.x[0] == RSI_INCOMPLETE)
                        *status = RSI_ERROR_UNKNOWN; /* more than it was given room for */
        } while (*status == RSI_INCOMPLETE && off < RK_PAGE_SIZE);
        *got = (size_t)off;
}

ccada_status rk_attestation_token(struct realm_kernel *k, const uint8_t *challenge, size_t challenge_len,
                                  uint8_t **token, size_t *len)
{
        uint8_t ch[64] = { 0 };
        uint64_t page, status = RSI_INCOMPLETE;
        size_t have = 0;

        *token = NULL, *len = 0;
        if (challenge_len < 32 || challenge_len > 64)
                return CCADA_E_INVAL;
        if (!k->is_realm)
                return CCADA_E_STATE;
        memcpy(ch, challenge, challenge_len);
        struct smc_regs r = { .x = { RSI_ATTESTATION_TOKEN_INIT } };
        for (unsigned i = 0; i < 8; i++)
                r.x[1 + i] = ld_le64(ch + 8 * i);
        rsi(k, &r);
        if (r.x[0] != RSI_SUCCESS || r.x[1] == 0 || r.x[1] > (1u << 20))
                return CCADA_E_RMM;
        size_t max = (size_t)r.x[1];
        uint8_t *buf = rk_zalloc(k, 1, max);
        ccada_status st = buf ? rk_alloc_pages(k, 1, &page) : CCADA_E_NOMEM;
        bool have_page = st == CCADA_OK;
        while (st == CCADA_OK && status == RSI_INCOMPLETE) {
                size_t got = 0;
                attest_granule(k, page, &got, &status);
                if (status != RSI_SUCCESS && status != RSI_INCOMPLETE)
                        st = CCADA_E_RMM;
                else if (got > max - have)
                        st = CCADA_E_RMM;
                else if ((st = rk_read(k, page, buf + have, got)) == CCADA_OK)
                        have += got;
        }
        if (have_page)
                rk_free_pages(k, page, 1);
        if (st != CCADA_OK) {
                rk_kfree(k, buf);
                return st;
        }
        *token = buf, *len = have;
        return CCADA_OK;
}

/* RSI_VDEV_GET_INFO (RMM 2.0-beta): the RMM writes RsiVdevInfo into a private page of ours. */
ccada_status rk_vdev_get_info(struct realm_kernel *k, uint64_t vdev_id, struct rsi_vdev_info *out)
{
        uint8_t buf[RSI_VDEV_INFO_SIZE];
        uint64_t page;
        if (!k->is_realm)
                return CCADA_E_UNSUPPORTED;
        ccada_status st = rk_alloc_pages(k, 1, &page);
        if (st != CCADA_OK)
                return st;
        struct smc_regs r = { .x = { RSI_VDEV_GET_INFO, vdev_id, page } };
        rsi(k, &r);
        if (r.x[0] == RSI_SUCCESS)
                st = rk_read(k, page, buf, sizeof(buf));
        else
                st = r.x[0] == RSI_ERROR_INPUT || r.x[0] == RSI_ERROR_STATE ? CCADA_E_UNSUPPORTED : CCADA_E_RMM;
        rk_free_pages(k, page, 1);
        if (st == CCADA_OK)
                rsi_vdev_info_decode(buf, out); /* one read of each field, from our copy */
        return st;
}

/* RSI_VDEV_VALIDATE_MAPPING (RMM 2.0-beta) over [ipa, top) -> pa, looping on partial progress
 * (the host answers page table by page table). */
ccada_status rk_vdev_validate_mapping(struct realm_kernel *k, uint64_t vdev_id, uint64_t ipa, uint64_t top, uint64_t pa,
                                      const struct rsi_vdev_info *verified)
{
        if (!k->is_realm)
                return CCADA_E_UNSUPPORTED;
        uint64_t base = ipa;
        while (base < top) {
                struct smc_regs r = { .x = { RSI_VDEV_VALIDATE_MAPPING, vdev_id, base, top, pa + (base - ipa), 0,
                                             verified->lock_nonce, verified->meas_nonce, verified->report_nonce } };
                rsi(k, &r);
                if (r.x[0] != RSI_SUCCESS)
                        return r.x[0] == RSI_ERROR_DEVICE ? CCADA_E_VERIFY
                               : r.x[0] == RSI_ERROR_STATE ? CCADA_E_UNSUPPORTED
                                                           : CCADA_E_RMM;
                uint64_t next = r.x[1]; /* copied once */
                if (r.x[2] == RSI_REJECT)
                        return CCADA_E_REJECTED;
                if (next <= base || next > top)
                        return CCADA_E_RMM;
                base = next;
        }
        return CCADA_OK;
}

/* RSI_VDEV_DMA_ENABLE with the nonces the Realm verified: no ATS, plane 0. */
ccada_status rk_vdev_dma_enable(struct realm_kernel *k, uint64_t vdev_id, const struct rsi_vdev_info *verified)
{
        if (!k->is_realm)
                return CCADA_E_UNSUPPORTED;
        struct smc_regs r = { .x = { RSI_VDEV_DMA_ENABLE, vdev_id, 0, 0, verified->lock_nonce, verified->meas_nonce,
                                     verified->report_nonce } };
        rsi(k, &r);
        return r.x[0] == RSI_SUCCESS ? CCADA_OK : r.x[0] == RSI_ERROR_DEVICE ? CCADA_E_VERIFY : CCADA_E_RMM;
}

ccada_status rk_vdev_dma_disable(struct realm_kernel *k, uint64_t vdev_id)
{
        if (!k->is_realm)
                return CCADA_E_UNSUPPORTED;
        struct smc_regs r = { .x = { RSI_VDEV_DMA_DISABLE, vdev_id } };
        rsi(k, &r);
        return r.x[0] == RSI_SUCCESS ? CCADA_OK : CCADA_E_RMM;
}

/* RSI_HOST_CALL through the kernel's RsiHostCall page; gprs in and out. */
ccada_status rk_host_call(struct realm_kernel *k, uint16_t imm, uint64_t gprs[31])
{
        uint8_t hc[RSI_HOST_CALL_SIZE] = { 0 };
        st_le16(hc + RSI_HOST_CALL_IMM, imm);
        for (unsigned i = 0; i < RSI_HOST_CALL_NUM_GPRS; i++)
                st_le64(hc + RSI_HOST_CALL_GPRS + 8 * i, gprs[i]);
        ccada_status st = rk_write(k, k->hostcall_ipa, hc, sizeof(hc));
        if (st != CCADA_OK)
                return st;
        /* A normal VM has no RSI: the same block goes to the host by hypercall. */
        struct smc_regs r = { .x = { k->is_realm ? RSI_HOST_CALL : HOSTCALL_VENDOR_HYP_FID, k->hostcall_ipa } };
        rsi(k, &r);
        if (r.x[0] != (k->is_realm ? RSI_SUCCESS : SMCCC_RET_SUCCESS))
                return CCADA_E_RMM;
        if ((st = rk_read(k, k->hostcall_ipa, hc, sizeof(hc))) != CCADA_OK)
                return st;
        for (unsigned i = 0; i < RSI_HOST_CALL_NUM_GPRS; i++)
                gprs[i] = ld_le64(hc + RSI_HOST_CALL_GPRS + 8 * i);
        return CCADA_OK;
}

void rk_poweroff(struct realm_kernel *k)
{
        struct smc_regs r = { .x = { PSCI_SYSTEM_OFF } };
        rsi(k, &r); /* does not return in a Realm: the RMM never enters it again */
}

/* ---- bring-up steps, run by realm_kernel_entry (boot.c) ---- */

bool rk_boot_image(struct realm_kernel *k, struct ccada_cpu *cpu, uint64_t image_ipa)
{
        uint8_t image[REALM_IMAGE_SIZE];

        k->cpu = cpu;
        return rk_read(k, image_ipa, image, sizeof(image)) == CCADA_OK &&
               realm_image_parse(image, sizeof(image), &k->img);
}

/* arm64_rsi_init: RSI_VERSION (rsi_version_matches), then REALM_CONFIG for the IPA width
 * (the shared bit). Anything but RSI 1.0 with a config leaves a non-Realm guest. */
void rk_boot_rsi(struct realm_kernel *k, uint64_t config_ipa)
{
        struct smc_regs r = { .x = { RSI_VERSION, RSI_ABI_VERSION_1_0 } };
        rsi(k, &r);
        k->rsi = (struct rk_rsi_probe){ .state = RK_RSI_ABSENT };
        if (r.x[0] == SMCCC_RET_NOT_SUPPORTED)
                return; /* not a Realm: a normal VM */
        k->rsi.lower = (uint32_t)r.x[1];
        k->rsi.higher = (uint32_t)r.x[2];
        if (r.x[0] != RSI_SUCCESS) {
                k->rsi.state = RK_RSI_REFUSED;
                return;
        }
        struct smc_regs c = { .x = { RSI_REALM_CONFIG, config_ipa } };
        rsi(k, &c);
        uint8_t cfg[16];
        k->rsi.state = RK_RSI_NO_CONFIG;
        if (c.x[0] != RSI_SUCCESS || rk_read(k, config_ipa, cfg, sizeof(cfg)) != CCADA_OK)
                return;
        uint64_t ipa_bits = ld_le64(cfg + RSI_REALM_CONFIG_IPA_WIDTH);
        if (ipa_bits < 33 || ipa_bits > 52)
                return; /* no usable shared bit */
        k->ipa_bits = (unsigned)ipa_bits;
        k->hash_algo = cfg[RSI_REALM_CONFIG_HASH_ALGO];
        k->rsi.state = RK_RSI_OK;
        k->is_realm = true;
        k->shared_bit = 1ULL << (k->ipa_bits - 1);
}

/* The console's region is outside RAM: RIPAS EMPTY, so it is reached through the alias
 * (arm64_rsi_is_protected). */
void rk_boot_console(struct realm_kernel *k)
{
        if (k->is_realm) {
                struct smc_regs r = { .x = { RSI_IPA_STATE_GET, k->img.console_base, k->img.console_base + RK_PAGE_SIZE } };
                rsi(k, &r);
                if (r.x[0] != RSI_SUCCESS || r.x[2] != RSI_RIPAS_EMPTY)
                        return; /* not an emulated region: no console */
        }
        k->console_ok = true;
}

bool rk_boot_memory(struct realm_kernel *k, uint64_t reserved_pages)
{
        k->ram_pages = k->img.ram_size >> RK_PAGE_SHIFT;
        k->page_used = calloc(k->ram_pages, 1);
        k->page_shared = calloc(k->ram_pages, 1);
        if (!k->page_used || !k->page_shared || reserved_pages >= k->ram_pages)
                return false;
        memset(k->page_used, 1, reserved_pages);
        k->alloc_hint = reserved_pages;
        /* arm64_rsi_setup_memory: all RAM protected, without reviving DESTROYED pages. */
        if (k->is_realm && rsi_set_range(k, k->img.ram_base, k->img.ram_base + k->img.ram_size,
                                         RSI_RIPAS_RAM, RSI_NO_CHANGE_DESTROYED) != CCADA_OK)
                return false;
        return rk_alloc_pages(k, 1, &k->hostcall_ipa) == CCADA_OK;
}

const struct realm_image_info *rk_image(const struct realm_kernel *k) { return &k->img; }
unsigned rk_ipa_bits(const struct realm_kernel *k) { return k->ipa_bits; }
struct swiotlb **rk_default_swiotlb_slot(struct realm_kernel *k) { return &k->swiotlb; }

void rk_run_init(struct realm_kernel *k)
{
        if (k->init)
                k->init(k);
}
