/* The Realm guest kernel: the services its subsystems (DMA/SWIOTLB, PCI, VirtIO drivers,
 * apps) build on. Everything here runs inside the guest, on its CPU (include/ccada/cpu.h):
 * memory is reached by IPA through stage 2, the RMM through RSI, the host only through
 * shared memory, MMIO exits and host calls.
 *
 * Memory model: data that crosses the DMA path (app buffers, bounce slots, rings) lives in
 * modelled guest memory and is reached with rk_read/rk_write/rk_copy. The kernel's own
 * bookkeeping (C structs) lives in the simulator's heap and stands for private Realm
 * memory: the host has no way to name it.
 *
 * Concurrency: one task runs at a time on the Realm's one CPU; while it waits for the host
 * (rk_wait, a WFI exit) nothing else of the Realm runs. Code that waits polls with rk_wait
 * between polls and gives up after a bound; code that may one day share data between
 * threads (SWIOTLB, a network stack) uses the kernel's rk_lock/rk_event and nothing else.
 * The whole story, and what a threaded stack must do to fit it, is in realm/sync.h.
 */
#ifndef CCADA_REALM_KERNEL_H
#define CCADA_REALM_KERNEL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ccada/status.h"
#include "lib/trace.h"
#include "realm/sync.h"

#define RK_PAGE_SIZE 4096u
#define RK_PAGE_SHIFT 12

struct realm_kernel;
struct ccada_cpu;

struct realm_task {
        char comm[16];
        int pid;
};

/* --- lifecycle (the board, src/machine). The kernel is booted by realm_kernel_entry
 * (realm/boot.h) on the REC's CPU. --- */

/* The workload run after boot (the kernel's "init"). */
typedef void (*realm_init_fn)(struct realm_kernel *k);

/* A kernel that will run init (may be NULL) after boot, tracing to trace (may be NULL).
 * False when out of memory. */
bool realm_kernel_create(struct realm_kernel **out, struct trace *trace, realm_init_fn init);
/* Frees k and everything its guest allocated (NULL: no-op). */
void realm_kernel_destroy(struct realm_kernel *k);
/* The Realm owner's trust for assigned devices, part of the Realm's own software (as the
 * vendor root and reference values would be in a Linux Realm's root file system; ccada
 * measures neither, like the kernel's code): the device vendor's root certificate (DER), the
 * reference policy text (realm/tdisp_accept.h's format) and the time to check certificates at
 * (the Realm has no clock). Copied. False: out of memory. */
bool realm_kernel_set_device_trust(struct realm_kernel *k, const uint8_t *anchor, size_t anchor_len,
                                   const char *policy, size_t policy_len, int64_t now);
/* What realm_kernel_set_device_trust gave; false when nothing. */
bool rk_device_trust(const struct realm_kernel *k, const uint8_t **anchor, size_t *anchor_len, const char **policy,
                     size_t *policy_len, int64_t *now);

/* --- memory by IPA (checked by the CPU; errors: CCADA_E_SEA, CCADA_E_GPF, CCADA_E_STATE
 * when the guest is halted). A private buffer is a protected IPA; shared memory is reached
 * through its alias (ipa | rk_shared_bit()). --- */
ccada_status rk_read(struct realm_kernel *k, uint64_t ipa, void *dst, size_t len) CCADA_MUST_CHECK;
ccada_status rk_write(struct realm_kernel *k, uint64_t ipa, const void *src, size_t len) CCADA_MUST_CHECK;
ccada_status rk_copy(struct realm_kernel *k, uint64_t dst_ipa, uint64_t src_ipa, size_t len) CCADA_MUST_CHECK;
ccada_status rk_fill(struct realm_kernel *k, uint64_t ipa, uint8_t byte, size_t len) CCADA_MUST_CHECK;

/* --- memory the host controls (shared pages, the rings, the bounce pool), src/realm/shared.c:
 * the same accesses, but only through the unprotected alias in a Realm (anything else is a
 * bug of the caller: CCADA_E_INVAL and a WARNING on the console). Every read of host-controlled memory goes
 * through these, so one grep lists them; a copy has the alias on at least one side. --- */
ccada_status rk_shared_read(struct realm_kernel *k, uint64_t ipa, void *dst, size_t len) CCADA_MUST_CHECK;
ccada_status rk_shared_write(struct realm_kernel *k, uint64_t ipa, const void *src, size_t len) CCADA_MUST_CHECK;
ccada_status rk_shared_fill(struct realm_kernel *k, uint64_t ipa, uint8_t byte, size_t len) CCADA_MUST_CHECK;
ccada_status rk_shared_copy(struct realm_kernel *k, uint64_t dst, uint64_t src, size_t len) CCADA_MUST_CHECK;

/* 1 << (ipa_bits - 1) in a Realm (PROT_NS_SHARED); 0 in a normal VM. */
uint64_t rk_shared_bit(const struct realm_kernel *k);
/* True when running in a Realm (RSI answered). Drives force_dma_unencrypted(). */
bool rk_is_realm(const struct realm_kernel *k);

/* Device numbering, as Linux's IDAs give it: the lowest number not in use, so devices are
 * named in probe order ("virtio0", "vda") and a number comes back when its device goes. */
enum rk_ida {
        RK_IDA_VIRTIO,          /* virtio devices: virtio%u (drivers/virtio/virtio.c) */
        RK_IDA_VIRTBLK,         /* virtio-blk disks: vda, vdb, ... (virtio_blk.c vd_index_ida) */
        RK_IDA_COUNT
};
#define RK_IDA_MAX 64u          /* numbers per id space; past them rk_ida_alloc gives RK_IDA_MAX */
unsigned rk_ida_alloc(struct realm_kernel *k, enum rk_ida ida);
void rk_ida_free(struct realm_kernel *k, enum rk_ida ida, unsigned n);

/* The id space itself, a bit per number in use: what every kernel's rk_ida_* works on. */
static inline unsigned rk_ida_take(uint64_t *used)
{
        for (unsigned n = 0; n < RK_IDA_MAX; n++) {
                if (!(*used >> n & 1u)) {
                        *used |= (uint64_t)1 << n;
                        return n;
                }
        }
        return RK_IDA_MAX;
}

static inline void rk_ida_give(uint64_t *used, unsigned n)
{
        if (n < RK_IDA_MAX)
                *used &= ~((uint64_t)1 << n);
}

/* --- page allocator over protected RAM: contiguous, zeroed pages. CCADA_E_NOMEM when no
 * run of npages is free. --- */
ccada_status rk_alloc_pages(struct realm_kernel *k, size_t npages, uint64_t *ipa) CCADA_MUST_CHECK;
void rk_free_pages(struct realm_kernel *k, uint64_t ipa, size_t npages);

/* --- the kernel heap (kzalloc/kfree) for the guest's own bookkeeping: count * size zeroed
 * bytes, NULL when out of memory (or the product overflows). What is still allocated when
 * the kernel is destroyed goes with it (realm/kheap.h). --- */
void *rk_zalloc(struct realm_kernel *k, size_t count, size_t size);
void rk_kfree(struct realm_kernel *k, void *p); /* NULL: no-op */

/* set_memory_decrypted/encrypted semantics (arch/arm64/mm/pageattr.c): RSI_IPA_STATE_SET
 * to EMPTY (decrypt) or RAM (encrypt) with CHANGE_DESTROYED, looping on partial progress.
 * After decrypting, the pages are reached only through their alias. No-op in a normal VM.
 * On failure the pages must be leaked by the caller (their state is unknown).
 * Errors: CCADA_E_INVAL (not page-aligned / not allocated RAM), CCADA_E_REJECTED,
 * CCADA_E_RMM. */
ccada_status rk_set_memory_decrypted(struct realm_kernel *k, uint64_t ipa, size_t npages) CCADA_MUST_CHECK;
ccada_status rk_set_memory_encrypted(struct realm_kernel *k, uint64_t ipa, size_t npages) CCADA_MUST_CHECK;

/* --- MMIO (the ioremap'd view: through the alias in a Realm), size 1/2/4/8. --- */
ccada_status rk_mmio_read(struct realm_kernel *k, uint64_t ipa, unsigned size, uint64_t *val) CCADA_MUST_CHECK;
ccada_status rk_mmio_write(struct realm_kernel *k, uint64_t ipa, unsigned size, uint64_t val) CCADA_MUST_CHECK;
/* The same at the protected IPA itself (Linux: ioremap_encrypted): an accepted TDI's MMIO, which
 * the RMM maps with RIPAS DEV. Before RSI_VDEV_VALIDATE_MAPPING the access is an SEA. */
ccada_status rk_mmio_read_protected(struct realm_kernel *k, uint64_t ipa, unsigned size, uint64_t *val)
        CCADA_MUST_CHECK;
ccada_status rk_mmio_write_protected(struct realm_kernel *k, uint64_t ipa, unsigned size, uint64_t val)
        CCADA_MUST_CHECK;

/* WFI: give the host a chance to run its backends. */
void rk_wait(struct realm_kernel *k);

/* --- RSI helpers used by the kernel and its apps. --- */
ccada_status rk_measurement_extend(struct realm_kernel *k, unsigned index, const void *data,
                                   size_t len) CCADA_MUST_CHECK;
ccada_status rk_measurement_read(struct realm_kernel *k, unsigned index, uint8_t out[64]) CCADA_MUST_CHECK;
/* An attestation token for a challenge of 32 to 64 bytes (zero-padded to 64), fetched as
 * Linux's arm-cca-guest driver does: RSI_ATTESTATION_TOKEN_INIT, then
 * RSI_ATTESTATION_TOKEN_CONTINUE into one private granule, granule after granule, copying
 * each out. *token (rk_zalloc'd, the caller rk_kfree's it) receives *len bytes.
 * CCADA_E_INVAL: bad challenge length; CCADA_E_RMM: the RMM refused or the token outgrew
 * the bound INIT gave (Linux: -ENXIO); CCADA_E_NOMEM; CCADA_E_STATE: not a Realm. */
ccada_status rk_attestation_token(struct realm_kernel *k, const uint8_t *challenge, size_t challenge_len,
                                  uint8_t **token, size_t *len) CCADA_MUST_CHECK;
/* RSI_VDEV_GET_INFO (RMM 2.0-beta device assignment) for vdev_id into *out.
 * CCADA_E_UNSUPPORTED: no such device for this Realm, or not a Realm (the RMM answered
 * ERROR_INPUT or ERROR_STATE); CCADA_E_RMM: another refusal. */
struct rsi_vdev_info;
ccada_status rk_vdev_get_info(struct realm_kernel *k, uint64_t vdev_id, struct rsi_vdev_info *out) CCADA_MUST_CHECK;
/* RSI_VDEV_VALIDATE_MAPPING: the device memory the host mapped at [ipa, top) is the PA range
 * from pa the Realm verified in the interface report, for the device as verified (its nonces:
 * a re-lock or re-report since is refused). Then the pages have RIPAS DEV and
 * rk_mmio_*_protected reaches the device. CCADA_E_REJECTED (the host refused),
 * CCADA_E_VERIFY (the nonces moved on), CCADA_E_UNSUPPORTED (no DA), CCADA_E_RMM. */
ccada_status rk_vdev_validate_mapping(struct realm_kernel *k, uint64_t vdev_id, uint64_t ipa, uint64_t top, uint64_t pa,
                                      const struct rsi_vdev_info *verified) CCADA_MUST_CHECK;
/* RSI_VDEV_DMA_ENABLE / _DISABLE: the TDI's DMA reaches the Realm's private memory (the device
 * must be STARTED with the nonces verified: CCADA_E_VERIFY otherwise) / no longer does. */
ccada_status rk_vdev_dma_enable(struct realm_kernel *k, uint64_t vdev_id, const struct rsi_vdev_info *verified)
        CCADA_MUST_CHECK;
ccada_status rk_vdev_dma_disable(struct realm_kernel *k, uint64_t vdev_id) CCADA_MUST_CHECK;
/* A host call (proto/hostcall.h), GPRs in and out: RSI_HOST_CALL in a Realm, the vendor
 * hypercall in a normal VM. CCADA_E_RMM when the call was refused. */
ccada_status rk_host_call(struct realm_kernel *k, uint16_t imm, uint64_t gprs[31]) CCADA_MUST_CHECK;
void rk_poweroff(struct realm_kernel *k);

/* --- what the measured boot image describes (proto/realm_image.h) --- */
uint64_t rk_console_base(const struct realm_kernel *k);
/* The boot command line. */
const char *rk_cmdline(const struct realm_kernel *k);
/* The PCI host bridge (ECAM base 0: none). */
void rk_pci_window(const struct realm_kernel *k, uint64_t *ecam, uint64_t *mmio_base, uint64_t *mmio_size);

/* --- the report (include/ccada/report.h): boot and the apps put what they found into
 * sections of it and name the checks that decide whether the run passed; the board prints
 * it after the run. --- */
struct ccada_report;
struct ccada_report_section;
struct ccada_report_section *rk_report_section(struct realm_kernel *k, const char *name);
void rk_report_check(struct realm_kernel *k, const char *name, bool ok);
/* The run's first failure, as the top-level "error" text (a later one does not replace it;
 * truncated to RK_REPORT_ERROR_MAX - 1 characters). */
#define RK_REPORT_ERROR_MAX 160
void rk_report_error(struct realm_kernel *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The kernel's report, for the board (never NULL once the kernel exists). */
const struct ccada_report *realm_kernel_report(const struct realm_kernel *k);
/* Bytes of the Realm's measurements: its hash algorithm's length (RsiRealmConfig.hash_algo:
 * SHA-256 32, SHA-512 64). */
size_t rk_hash_len(const struct realm_kernel *k);

/* --- tasks, logging, tracing --- */
const struct realm_task *rk_current(const struct realm_kernel *k);
/* Switches the current task (comm truncated to 15 chars); events are attributed to it. */
void rk_set_current(struct realm_kernel *k, const char *comm, int pid);

/* spin_lock_irqsave / spin_unlock_irqrestore: takes l with interrupts masked and one more
 * preemption level, so trace lines emitted meanwhile carry the flags a kernel prints there
 * ("d..1."). Returns the interrupt state to restore. */
bool rk_spin_lock_irqsave(struct realm_kernel *k, struct rk_lock *l);
void rk_spin_unlock_irqrestore(struct realm_kernel *k, struct rk_lock *l, bool irqs_were_off);
/* The trace the kernel's parts register their subsystems with (may be NULL). */
struct trace *rk_trace(struct realm_kernel *k);
/* The CPU context the trace lines show, for code that models more of it than a spin lock
 * (the network's transmit path: BH off and two locks, "b..2."): read it, change it, put the
 * old one back. */
void rk_cpu_ctx_get(const struct realm_kernel *k, struct rk_cpu_ctx *c);
void rk_cpu_ctx_set(struct realm_kernel *k, const struct rk_cpu_ctx *c);
/* The "realm" trace subsystem: realm_printk, every line the kernel prints. */
enum { REALM_TRACE_PRINTK };
extern const struct trace_subsys realm_trace;
void rk_printk(struct realm_kernel *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
