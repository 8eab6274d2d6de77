/* A fake Realm kernel for unit tests of src/realm subsystems (DMA API, SWIOTLB).
 *
 * Implements the rk_* functions of src/realm/kernel.h that subsystems use (not the RSI
 * helpers, rk_cmdline or rk_console_base: only boot and the apps call those), and
 * rk_default_swiotlb of src/realm/boot.h, over a malloc'd guest memory at IPA 0 (64 MiB,
 * ipa_bits 33: shared bit 1 << 32), with a first-fit page allocator (page 0 is never
 * handed out) and per-page "decrypted" flags. MMIO, rk_pci_window and
 * rk_default_swiotlb are set up by the PCI / virtio tests through fake_pci_kernel.h
 * (without that, MMIO faults, there is no PCI window and no default bounce pool). Accesses are checked as the CPU
 * would after set_memory_decrypted: a protected IPA of a decrypted page, or the alias of a
 * page that is not decrypted, gives CCADA_E_SEA. So a test passing proves the code under
 * test reached shared memory only through its alias.
 *
 * In normal-VM mode the shared bit is 0, rk_is_realm is false and
 * rk_set_memory_decrypted/encrypted are no-ops.
 *
 * Thread safety: rk_* calls may come from several threads (the allocator, log and counters
 * take a mutex); tests keep concurrent data accesses disjoint.
 */
#ifndef CCADA_TESTS_REALM_FAKE_KERNEL_H
#define CCADA_TESTS_REALM_FAKE_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "realm/kernel.h"

#define FAKE_MEM_SIZE (64u << 20)
#define FAKE_IPA_BITS 33u
#define FAKE_SHARED_BIT (1ull << (FAKE_IPA_BITS - 1))

/* A new kernel; realm false gives a normal VM. Aborts on out-of-memory (tests only). */
struct realm_kernel *fake_kernel_new(bool realm);
void fake_kernel_free(struct realm_kernel *k);

/* Everything rk_printk printed since creation or the last clear, one line per message
 * (a newline is appended to each, as the real kernel does; NUL-terminated). */
const char *fake_kernel_log(const struct realm_kernel *k);
void fake_kernel_log_clear(struct realm_kernel *k);
/* Number of occurrences of needle in the log. */
unsigned fake_kernel_log_count(const struct realm_kernel *k, const char *needle);

/* The host's (or a device's) view: it reaches decrypted pages only (any page in a normal
 * VM). addr may be the alias or the canonical IPA. CCADA_E_GPF for a private page,
 * CCADA_E_RANGE outside memory. */
ccada_status fake_host_read(struct realm_kernel *k, uint64_t addr, void *dst, size_t len);
ccada_status fake_host_write(struct realm_kernel *k, uint64_t addr, const void *src, size_t len);

/* An accepted TDI's DMA (T=1 through the Realm's stage 2): it reaches private pages by their
 * protected IPA, not decrypted ones (CCADA_E_GPF), nothing outside memory (CCADA_E_RANGE). */
ccada_status fake_tdi_dma(struct realm_kernel *k, uint64_t ipa, void *buf, size_t len, bool to_memory);

/* rk_wait calls hook(k, arg) (NULL: nothing) and counts calls. */
void fake_kernel_set_wait_hook(struct realm_kernel *k,
                               void (*hook)(struct realm_kernel *k, void *arg), void *arg);
unsigned long fake_kernel_wait_calls(const struct realm_kernel *k);

/* Failure injection: rk_alloc_pages of more than max_pages fails with CCADA_E_NOMEM
 * (0: off); the next n decrypt / encrypt calls fail with CCADA_E_RMM. */
void fake_kernel_fail_alloc_over(struct realm_kernel *k, size_t max_pages);
void fake_kernel_fail_decrypt(struct realm_kernel *k, unsigned n);
void fake_kernel_fail_encrypt(struct realm_kernel *k, unsigned n);

/* Counts guest (rk_*) accesses touching [ipa, ipa+len) (canonical). */
void fake_kernel_watch(struct realm_kernel *k, uint64_t ipa, size_t len);
unsigned long fake_kernel_watch_hits(const struct realm_kernel *k);

size_t fake_kernel_free_pages(const struct realm_kernel *k);
size_t fake_kernel_decrypted_pages(const struct realm_kernel *k);
/* Pages freed while still decrypted (a bug in the code under test). */
unsigned long fake_kernel_bad_frees(const struct realm_kernel *k);

/* The kernel command line rk_cmdline returns ("" until set). */
void fake_kernel_set_cmdline(struct realm_kernel *k, const char *cmdline);

/* rk_host_call: fn(ctx, k, imm, gprs) answers in place (NULL: the call fails, CCADA_E_RMM).
 * It reaches guest memory as the host does (fake_host_read/fake_host_write). */
typedef void (*fake_host_call_fn)(void *ctx, struct realm_kernel *k, uint16_t imm, uint64_t gprs[31]);
void fake_kernel_set_host_call(struct realm_kernel *k, fake_host_call_fn fn, void *ctx);
/* rk_vdev_get_info answers info for vdev_id (NULL: no device: CCADA_E_UNSUPPORTED). */
struct rsi_vdev_info;
void fake_kernel_set_vdev_info(struct realm_kernel *k, uint64_t vdev_id, const struct rsi_vdev_info *info);
/* The device's state as the fake RMM keeps it (a test moves it: START, a re-lock). */
struct rsi_vdev_info *fake_kernel_vdev_info(struct realm_kernel *k);
/* rk_vdev_validate_mapping: the device (known, LOCKED or STARTED) with the nonces the Realm
 * verified, else CCADA_E_VERIFY; then the host's mapping must be [ipa, ipa + size) -> pa and
 * not rejected, else CCADA_E_REJECTED. rk_vdev_dma_enable: STARTED and the same nonces, else
 * CCADA_E_VERIFY. */
struct fake_dev_mem {
        uint64_t ipa, pa, size;
        bool reject;
        bool validated;         /* out: a validation succeeded */
        unsigned calls;         /* out */
};
void fake_kernel_set_dev_mem(struct realm_kernel *k, const struct fake_dev_mem *m);
bool fake_kernel_dma_enabled(const struct realm_kernel *k);

/* What the code under test put into the kernel's report (rk_report_section). */
struct ccada_report;
const struct ccada_report *fake_kernel_report(const struct realm_kernel *k);

#endif
