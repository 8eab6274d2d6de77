/* A fake CPU for booting the real Realm kernel (src/realm/kernel.c, boot.c) without an RMM
 * or a host: RAM is a byte array reached at its IPAs and through the unprotected alias,
 * RSI answers as the test sets it (RSI_VERSION's status and revisions, an IPA width for
 * REALM_CONFIG, or no RSI at all), IPA_STATE_SET accepts every range, the PL011 data
 * register collects the console, MEASUREMENT_READ of index i gives the bytes 0xi0, 0xi1,
 * ... (i * 16 + n, mod 256), and PSCI SYSTEM_OFF turns the CPU off. Every other MMIO
 * read is all ones (no PCI function answers). Single-threaded; for tests of boot. */
#ifndef CCADA_TESTKIT_FAKE_CPU_H
#define CCADA_TESTKIT_FAKE_CPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ccada/cpu.h"

struct fake_cpu {
        struct ccada_cpu cpu;
        uint8_t *ram;
        uint64_t ram_base, ram_size, console_base;
        /* RSI as the test wants it; rsi_absent: every RSI call is NOT_SUPPORTED */
        bool rsi_absent;
        uint64_t version_status, version_lower, version_higher;
        uint64_t config_status, ipa_bits;
        bool off;               /* SYSTEM_OFF was called */
        FILE *console;          /* collects the console (open_memstream) */
        char *console_text;
        size_t console_len;
};

/* A Realm with RSI 1.0 (lower = higher = 1.0), IPA width 40 and ram_size bytes of RAM at
 * 0x80000000, its boot image (REALM_IMAGE_SIZE bytes) at the start of RAM with cmdline. */
void fake_cpu_init(struct fake_cpu *c, uint64_t ram_size, const char *cmdline);
void fake_cpu_fini(struct fake_cpu *c);
/* The console so far, one line per printk. */
const char *fake_cpu_console(struct fake_cpu *c);

#endif
