/* Private to src/realm/kernel.c and src/realm/boot.c: the steps by which boot brings the
 * kernel layer up, and the little of the kernel's state that boot reads or keeps there.
 * No other file includes it.
 *
 * The kernel layer (memory, RSI, console) sets its own state up in the steps below;
 * realm_kernel_entry (boot.c) runs them in this order, goes no further when one fails,
 * then builds what sits on top of the kernel (the default SWIOTLB pool) and runs init.
 * struct realm_kernel stays private to kernel.c, and this header includes nothing of the
 * Realm but the boot image format, so kernel.c including it makes no circle.
 */
#ifndef CCADA_REALM_KERNEL_INTERNAL_H
#define CCADA_REALM_KERNEL_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "proto/realm_image.h"

struct ccada_cpu;
struct realm_kernel;
struct swiotlb;

/* Attaches the REC's CPU and reads the boot image at image_ipa into the kernel.
 * False when it cannot be read or does not parse (realm_image_parse). */
bool rk_boot_image(struct realm_kernel *k, struct ccada_cpu *cpu, uint64_t image_ipa);

/* What arm64_rsi_init found (rsi_version_matches, rsi_get_realm_config). */
enum rk_rsi_state {
        RK_RSI_ABSENT,          /* RSI_VERSION not supported: not a Realm (a normal VM) */
        RK_RSI_OK,              /* RSI 1.0 and a realm config: a Realm */
        RK_RSI_REFUSED,         /* the RMM does not support 1.0: Linux boots as a non-Realm */
        RK_RSI_NO_CONFIG,       /* REALM_CONFIG failed or gave an unusable IPA width: the same */
};
struct rk_rsi_probe {
        enum rk_rsi_state state;
        uint32_t lower, higher; /* the revisions RSI_VERSION gave (X1, X2), major << 16 | minor */
};

/* arm64_rsi_init: RSI_VERSION for 1.0, then REALM_CONFIG (written at config_ipa) for the
 * IPA width and so the shared bit. Only RK_RSI_OK makes a Realm (rk_is_realm); in every
 * other case the guest goes on as a non-Realm, as Linux does. Prints nothing: the console
 * is not up yet (boot prints what it found, rk_rsi_probe). */
void rk_boot_rsi(struct realm_kernel *k, uint64_t config_ipa);
const struct rk_rsi_probe *rk_rsi_probe(const struct realm_kernel *k);

/* Enables the console if its region is emulated (RIPAS EMPTY in a Realm). */
void rk_boot_console(struct realm_kernel *k);

/* The page allocator over the image's RAM, the first reserved_pages of it taken; in a
 * Realm all RAM made RIPAS RAM first. Also allocates the page for RsiHostCall. */
bool rk_boot_memory(struct realm_kernel *k, uint64_t reserved_pages);

/* The boot image as parsed by rk_boot_image. */
const struct realm_image_info *rk_image(const struct realm_kernel *k);
/* The IPA width REALM_CONFIG gave (0 in a normal VM). */
unsigned rk_ipa_bits(const struct realm_kernel *k);

/* Runs the init given to realm_kernel_create, if any. */
void rk_run_init(struct realm_kernel *k);

/* Where boot keeps the default bounce pool (realm/boot.h: rk_default_swiotlb). NULL until
 * boot creates it; freed with the kernel's heap. */
struct swiotlb **rk_default_swiotlb_slot(struct realm_kernel *k);

#endif
