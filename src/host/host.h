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
#include "proto/rmi_rec_run.h"

struct host_vm;

/* The "host" trace subsystem: mmio (every emulated MMIO access, with its device and value)
 * and host_call (every RSI_HOST_CALL exit the VMM serves). */
enum { HOST_TRACE_MMIO, HOST_TRACE_HOST_CALL };
extern const struct trace_subsys host_trace;

/* An emulated MMIO device on the host's bus, at guest-physical [base, base+size)
 * (in a Realm: the IPA with the shared bit cleared). Accesses are 1/2/4/8 bytes. */
struct host_mmio_dev {
        const char *name;
        uint64_t base, size;
        bool (*read)(struct host_mmio_dev *dev, uint64_t off, unsigned size, uint64_t *val);
        bool (*write)(struct host_mmio_dev *dev, uint64_t off, unsigned size, uint64_t val);
        uint64_t reads, writes;         /* accesses the bus served here (counted by the bus) */
        struct host_mmio_dev *next;
};

/* Something the host serves while the guest waits (a WFI exit): a device whose input comes
 * from outside the machine (a network backend's sockets). poll delivers what is ready to
 * the guest and may block up to timeout_ms (>= 0) for input; it returns whether it
 * delivered anything. The guest waits only when it has nothing else to do, so blocking there
 * makes a guest waiting for the network spend real time only as long as the network does. */
struct host_idle_dev {
        const char *name;
        bool (*poll)(struct host_idle_dev *dev, int timeout_ms);
        struct host_idle_dev *next;
};

/* The longest a WFI exit blocks for outside input when nothing is ready (ms). */
#define HOST_IDLE_BLOCK_MS 10

struct host_vm_config {
        unsigned ipa_bits;              /* s2sz: 33..48; default 40 */
        unsigned hash_algo;             /* RMI_HASH_SHA_256 / _512 */
        uint64_t ram_base;              /* IPA of guest RAM; default 0x80000000 */
        uint64_t ram_size;              /* bytes, multiple of 2 MiB */
        const uint8_t *image;           /* loaded at ram_base with DATA_CREATE (measured) */
        size_t image_len;
        uint8_t rpv[64];
        uint16_t vmid;                  /* RmiRealmParams.vmid, unique among live Realms; default 1 */
        bool reject_ripas_ram;          /* test knob: REJECT every RIPAS change to RAM */
        /* Host calls this VMM does not serve itself go to call_hook (NULL: returned
         * unchanged), which writes its answer into out (a copy of in on entry). */
        void (*call_hook)(void *ctx, uint16_t imm, const uint64_t in[31], uint64_t out[31]);
        void *call_hook_ctx;
        /* A Realm's RSI_VDEV_* call names a device by its vdev_id (RMI_EXIT_VDEV_REQUEST): the
         * VDEV granule the host gave it (0: none; the host then re-enters without answering
         * and the call fails). Called with call_hook_ctx. NULL: no devices. */
        uint64_t (*vdev_lookup)(void *ctx, uint64_t vdev_id);
};

void host_vm_config_default(struct host_vm_config *cfg);

/* What the host observed (for reports and tests). */
struct host_vm_stats {
        uint64_t exits[RMI_EXIT_LAST + 1];
        uint64_t mmio_reads, mmio_writes;
        uint64_t ripas_changes;
        uint64_t dev_mem_validations;   /* RMI_EXIT_VDEV_VALIDATE_MAPPING exits answered */
        uint64_t shared_pages;          /* NS pages currently mapped at unprotected aliases */
        uint64_t shared_pages_peak;
        uint64_t peek_shared_ok, peek_private_read_gpf, peek_private_write_gpf;
        uint64_t peek_private_read_ok, peek_private_write_ok; /* a normal VM: nothing stops the host */
        bool powered_off;
};

/* A VM of a new host over mem: its own NS granule allocator (every granule of mem free).
 * trace may be NULL.
 * Errors: CCADA_E_NOMEM. */
CCADA_MUST_CHECK
ccada_status host_vm_create(struct host_vm **out, struct hw_mem *mem, struct ccada_rmm *rmm,
                            struct trace *trace);
/* A second VM on the same host: same memory, RMM, trace and the SAME NS page allocator as
 * peer (two VMs are never handed the same granule). The allocator is reference-counted:
 * the VMs may be destroyed in any order. The host's n-th VM (from 0) traces as pid 1000 + n
 * and logs as "host[vm n]:". Errors: CCADA_E_INVAL (peer NULL), CCADA_E_NOMEM. */
CCADA_MUST_CHECK ccada_status host_vm_create_peer(struct host_vm **out, struct host_vm *peer);
/* Frees the host's bookkeeping (not the Realm: its granules stay with the RMM). NULL: no-op. */
void host_vm_destroy(struct host_vm *vm);

void host_vm_add_mmio(struct host_vm *vm, struct host_mmio_dev *dev);
/* Serves dev on every WFI exit of vm until host_vm_remove_idle (dev must outlive that). */
void host_vm_add_idle(struct host_vm *vm, struct host_idle_dev *dev);
void host_vm_remove_idle(struct host_vm *vm, struct host_idle_dev *dev);
/* What a WFI exit does: every idle device delivers what is ready; when none had anything,
 * each may block up to HOST_IDLE_BLOCK_MS for input. Returns whether anything was delivered. */
bool host_vm_idle(struct host_vm *vm);

/* Builds the Realm: version check, delegation, REALM_CREATE, RTTs, RTT_INIT_RIPAS, the
 * image with DATA_CREATE (measured), the rest of RAM with DATA_CREATE_UNKNOWN, REC_CREATE,
 * REALM_ACTIVATE. Errors: CCADA_E_RMM (a call failed: message on stderr), CCADA_E_NOMEM. */
CCADA_MUST_CHECK ccada_status host_vm_create_realm(struct host_vm *vm, const struct host_vm_config *cfg);

/* Builds a normal (non-Realm) VM for comparison: RAM is NS memory the host maps, the
 * image is copied in, no RMM is involved; prog is the guest code its vCPU runs. */
CCADA_MUST_CHECK ccada_status host_vm_create_normal(struct host_vm *vm, const struct host_vm_config *cfg,
                                                   const struct ccada_realm_program *prog);

/* Runs the REC loop until the Realm powers off (CCADA_OK) or something fails: exactly
 * host_vm_enter_once then host_vm_handle_exit, again and again. A normal VM runs its
 * guest code to the end instead. Errors: those of the two steps. */
CCADA_MUST_CHECK ccada_status host_vm_run(struct host_vm *vm);

/* The seam between two REC entries, where a test or a fuzzer may act as a hostile host
 * (any RMI call through host_rmi) around the real Realm guest. A hostile host's calls may
 * break the honest host's bookkeeping (a page it populated destroyed, an alias it mapped
 * unmapped): host_vm_handle_exit then copes where the Realm can go on (it forgets the
 * granule, undelegating it when it can and leaking it otherwise, with a message on stderr)
 * or fails with CCADA_E_RMM and a message. */

/* A REC exit as the host decoded it from its RmiRecRun page (DEN0137 1.0 RmiRecExit). */
/* Enters the REC once with the pending entry (initially flags TRAP_WFI; then whatever the last
 * host_vm_handle_exit prepared, possibly changed with host_vm_set_entry_flags) and decodes
 * the exit into *x. The run page is read and written in place, only the fields used: the
 * entry's flags and the GPRs it answers with (an MMIO read's value, a host call's answer;
 * the rest of the entry half is left as it was), then the exit's reason and the fields that
 * reason defines (DEN0137 1.0 A4.3; every other field of *x is zero). A successful entry
 * consumes the pending entry (the next one is flags TRAP_WFI and no GPRs, until
 * host_vm_handle_exit prepares another); *x is zeroed first.
 * Errors: CCADA_E_RMM (REC_ENTER failed, message on stderr; the pending entry is kept),
 * CCADA_E_GPF, CCADA_E_PEER (undecodable run page), CCADA_E_STATE (no Realm built). */
CCADA_MUST_CHECK ccada_status host_vm_enter_once(struct host_vm *vm, struct rmi_rec_exit *x);
/* The honest host's handling of exit x (MMIO emulation, stage-2 faults, RIPAS changes, host
 * calls, PSCI); prepares the next entry, replacing the pending one (so change its flags
 * after this call). *stop becomes true when the Realm powered off. x may come from anywhere:
 * every field is checked before use. Errors: CCADA_E_RMM (an RMI call failed: message on
 * stderr), CCADA_E_PEER (an exit reason the host cannot handle), CCADA_E_NOMEM (no NS
 * memory to give), CCADA_E_STATE (no Realm built). */
CCADA_MUST_CHECK ccada_status host_vm_handle_exit(struct host_vm *vm, const struct rmi_rec_exit *x, bool *stop);
/* The next entry's flags (RMI_REC_ENTRY_FLAG_*), which a hostile host may change. */
uint64_t host_vm_entry_flags(const struct host_vm *vm);
void host_vm_set_entry_flags(struct host_vm *vm, uint64_t flags);

void host_vm_get_stats(const struct host_vm *vm, struct host_vm_stats *st);

/* The host's bookkeeping, for tests and the demo: the PA it gave for a protected RAM IPA
 * (0 if none), and the RD/REC/run PAs. */
uint64_t host_vm_private_pa(const struct host_vm *vm, uint64_t ipa);
uint64_t host_vm_rd(const struct host_vm *vm);
uint64_t host_vm_rec(const struct host_vm *vm);
uint64_t host_vm_run_pa(const struct host_vm *vm);
struct ccada_rmm *host_vm_rmm(struct host_vm *vm);
/* For tests and fuzzers: the NS granule the host maps at ipa's unprotected alias (0 if none;
 * ipa with or without the shared bit; like host_vm_private_pa, plus ipa's offset in its
 * page), the shared bit (0 before a Realm is built, and in a normal VM), and guest RAM
 * (both 0 before the VM is built). */
uint64_t host_vm_shared_pa(const struct host_vm *vm, uint64_t ipa);
uint64_t host_vm_shared_bit(const struct host_vm *vm);
void host_vm_ram(const struct host_vm *vm, uint64_t *base, uint64_t *size);

/* One RMI call with up to 5 arguments; results in out (may be NULL). Returns X0. */
uint64_t host_rmi(struct host_vm *vm, uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3,
                  uint64_t a4, uint64_t a5, struct smc_regs *out);
/* One RMI call with whole registers (x[0] the FID; a command of 6 or more arguments): the
 * results replace them. Returns X0. */
uint64_t host_rmi_regs(struct host_vm *vm, struct smc_regs *r);

/* The host's NS granule allocator over the machine's memory, shared by the VMs of one host
 * (host_vm_create_peer). Allocation clears the granule as the NS world; 0 when exhausted
 * (or the granule cannot be cleared). Freeing a PA outside memory is a no-op. */
uint64_t host_alloc_granule(struct host_vm *vm);
void host_free_granule(struct host_vm *vm, uint64_t pa);

#endif
