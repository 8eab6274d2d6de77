/* The cost of PCIe IDE sealing (hw/ide.h) per TLP size, next to the floor it cannot beat: a
 * raw OpenSSL EVP AES-256-GCM loop over the same payload with a header-sized AAD. The issue's
 * target is IDE throughput >= 0.8 of EVP's. ccada bench ide and ccada bench tdisp (its floor). */
#ifndef CCADA_MACHINE_IDE_BENCH_H
#define CCADA_MACHINE_IDE_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ide_bench_row {
        uint32_t size;          /* payload bytes of the memory write (a DW multiple, <= 4096) */
        unsigned iters;
        double ide_ns_per_tlp;  /* hw_ide_tx of a T=1 MWr on a Secure stream: encode, seal, MAC */
        double evp_ns_per_op;   /* EVP: set nonce, 16-byte AAD, encrypt size bytes, tag */
        double ratio;           /* evp_ns_per_op / ide_ns_per_tlp (1.0 = as fast as raw EVP) */
};

/* Measures each of n sizes with iters TLPs each into rows[0..n). False if a size is not a
 * DW multiple in 4..4096, iters is 0, or a crypto call fails. */
bool ide_bench_run(const uint32_t *sizes, size_t n, unsigned iters, struct ide_bench_row *rows)
        __attribute__((warn_unused_result));

#endif
