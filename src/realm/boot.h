/* Realm boot: the entry point the RMM runs on the REC, and what boot builds on top of the
 * kernel layer (realm/kernel.h) before it runs init: the default SWIOTLB pool, sized from
 * the command line. It sits above both the kernel and SWIOTLB, so neither depends on it.
 */
#ifndef CCADA_REALM_BOOT_H
#define CCADA_REALM_BOOT_H

#include <stdint.h>

struct ccada_cpu;
struct realm_kernel;
struct swiotlb;

/* The entry point the RMM runs on the REC (see struct ccada_realm_program); x[0] is the
 * boot image's IPA. Boots like an arm64 Linux Realm (RSI version and config, RAM made
 * RIPAS RAM, console, in a Realm the bounce pool), runs init, fills the kernel's report
 * (rk_report_*) and powers off. Without a valid image it returns at once (the REC
 * turns off); a boot step that fails panics: the error goes into the report, then off. */
void realm_kernel_entry(struct realm_kernel *k, struct ccada_cpu *cpu, uint64_t pc, const uint64_t x[8]);

/* The kernel's default bounce pool (NULL in a normal VM, and before boot creates it). */
struct swiotlb *rk_default_swiotlb(struct realm_kernel *k);

#endif
