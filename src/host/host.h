/* The UNTRUSTED host: a VMM that builds a Realm through RMI only, runs its REC loop and
 * emulates devices. It touches memory only as the Non-secure world (hw_read/hw_write with
 * HW_WORLD_NS), so anything it tries on Realm memory faults. */
#ifndef CCADA_HOST_HOST_H
#define CCADA_HOST_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ccada/cpu.h"
#include "ccada/rmi.h"
#include "ccada/status.h"
#include "hw/hw.h"
#include "lib/trace.h"

struct host_vm;

/* An emulated MMIO device on the host's bus, at guest-physical [base, base+size)
 * (in a Realm: the IPA with the shared bit cleared). Accesses are 1/2/4/8 bytes. */
struct host_mmio_dev {
        const char *name;
        uint64_t base, size;
        bool (*read)(struct host_mmio_dev *dev, uint64_t off, unsigned size, uint64_t *val);
        bool (*write)(struct host_mmio_dev *dev, uint64_t off, unsigned size, uint64_t val);
        struct host_mmio_dev *next;
};

struct host_vm_config {
        unsigned ipa_bits;              /* s2sz: 33..48; default 40 */
        unsigned hash_algo;             /* RMI_HASH_SHA_256 / _512 */
        uint64_t ram_base;              /* IPA of guest RAM; default 0x80000000 */
        uint64_t ram_size;              /* bytes, multiple of 2 MiB */
        const uint8_t *image;           /* loaded at ram_base with DATA_CREATE (measured) */
        size_t image_len;
        uint8_t rpv[64];
        bool reject_ripas_ram;          /* test knob: REJECT every RIPAS change to RAM */
};

void host_vm_config_default(struct host_vm_config *cfg);

/* What the host observed (for reports and tests). */
struct host_vm_stats {
        uint64_t exits[RMI_EXIT_SERROR + 1];
        uint64_t mmio_reads, mmio_writes;
        uint64_t ripas_changes;
        uint64_t shared_pages;          /* NS pages currently mapped at unprotected aliases */
        uint64_t shared_pages_peak;
        uint64_t peek_shared_ok, peek_private_read_gpf, peek_private_write_gpf;
        bool powered_off;
};

CCADA_MUST_CHECK
ccada_status host_vm_create(struct host_vm **out, struct hw_mem *mem, struct ccada_rmm *rmm,
                            struct trace *trace);
void host_vm_destroy(struct host_vm *vm);

void host_vm_add_mmio(struct host_vm *vm, struct host_mmio_dev *dev);

/* Builds the Realm: version check, delegation, REALM_CREATE, RTTs, RTT_INIT_RIPAS, the
 * image with DATA_CREATE (measured), the rest of RAM with DATA_CREATE_UNKNOWN, REC_CREATE,
 * REALM_ACTIVATE. Errors: CCADA_E_RMM (a call failed: message on stderr), CCADA_E_NOMEM. */
CCADA_MUST_CHECK ccada_status host_vm_create_realm(struct host_vm *vm, const struct host_vm_config *cfg);

/* Builds a normal (non-Realm) VM for comparison: RAM is NS memory the host maps, the
 * image is copied in, no RMM is involved; prog is the guest code its vCPU runs. */
CCADA_MUST_CHECK ccada_status host_vm_create_normal(struct host_vm *vm, const struct host_vm_config *cfg,
                                                   const struct ccada_realm_program *prog);

/* Runs the REC loop until the Realm powers off (CCADA_OK) or something fails. */
CCADA_MUST_CHECK ccada_status host_vm_run(struct host_vm *vm);

void host_vm_get_stats(const struct host_vm *vm, struct host_vm_stats *st);

/* The host's bookkeeping, for tests and the demo: the PA it gave for a protected RAM IPA
 * (0 if none), and the RD/REC/run PAs. */
uint64_t host_vm_private_pa(const struct host_vm *vm, uint64_t ipa);
uint64_t host_vm_rd(const struct host_vm *vm);
uint64_t host_vm_rec(const struct host_vm *vm);
uint64_t host_vm_run_pa(const struct host_vm *vm);
struct ccada_rmm *host_vm_rmm(struct host_vm *vm);

/* One RMI call with up to 5 arguments; results in out (may be NULL). Returns X0. */
uint64_t host_rmi(struct host_vm *vm, uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3,
                  uint64_t a4, uint64_t a5, struct smc_regs *out);

/* NS granule allocator over the machine's memory. 0 when exhausted. */
uint64_t host_alloc_granule(struct host_vm *vm);
void host_free_granule(struct host_vm *vm, uint64_t pa);

#endif
