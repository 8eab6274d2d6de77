/* Test harness for src/rmm: a machine (hw memory + RMM) and a tiny Non-secure "host" that
 * allocates granules bump-style, issues RMI calls and lays out RmiRealmParams,
 * RmiRecParams and RmiRecRun in NS memory at the offsets of include/ccada/rmi.h.
 *
 * Every helper that is not named try_* asserts success (cmocka), so a test states only
 * the step it is about. Tests see the RMM only as the host and the Realm do: rmi_smc()
 * and the REC's CPU.
 */
#ifndef CCADA_TESTS_RMM_HARNESS_H
#define CCADA_TESTS_RMM_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include "ccada/cpu.h"
#include "ccada/rmi.h"
#include "ccada/rsi.h"
#include "proto/rmi_params.h"
#include "proto/rmi_rec_run.h"
#include "hw/hw.h"
#include "rmm/rmm.h"

#define H_MEM_BASE 0x80000000ULL
#define H_MEM_SIZE (64ULL << 20)
#define H_MEM_END  (H_MEM_BASE + H_MEM_SIZE)

/* The default test Realm: IPA width 40, starting level 1 with two concatenated tables. */
#define H_S2SZ        40
#define H_UNPROT_BASE (1ULL << (H_S2SZ - 1))   /* first unprotected IPA */
#define H_L2_SIZE     (2ULL << 20)              /* a level-2 entry */
#define H_L1_SIZE     (1ULL << 30)              /* a level-1 entry */

struct host {
        struct hw_mem *mem;
        struct ccada_rmm *rmm;
        uint64_t next;          /* bump allocator: next free granule */
        uint16_t next_vmid;
        bool expect_violations; /* a test that breaks the machine on purpose checks them itself */
};

/* A Realm as the host knows it. */
struct hrealm {
        uint64_t rd;
        uint64_t rtt_base;      /* first starting-level RTT */
        unsigned num_start;
        uint16_t vmid;
        unsigned hash_algo;
};

/* The RmiRealmParams fields a test may vary. */
/* ---- machine ---- */
void host_init(struct host *h);                       /* default rmm_config */
void host_init_cfg(struct host *h, const struct rmm_config *cfg);
void host_init_da(struct host *h);                    /* default rmm_config, device assignment on */
void host_fini(struct host *h);
/* Fails the test with the first violation the RMM recorded (its invariants are checked
 * after every RMI and RSI call; isolation on every REC access). rmi() calls it each time. */
void assert_no_violations(struct host *h);
void host_set_program(struct host *h, void (*entry)(struct realm_kernel *, struct ccada_cpu *,
                                                      uint64_t, const uint64_t *),
                      struct realm_kernel *k);

/* cmocka fixtures: *state is a calloc'd, initialised struct host. */
int host_setup(void **state);
int host_teardown(void **state);

/* ---- granules ---- */
uint64_t host_alloc(struct host *h);                   /* one NS granule */
uint64_t host_alloc_n(struct host *h, unsigned n);     /* n contiguous NS granules */
uint64_t host_delegated(struct host *h);               /* allocated and delegated */
uint64_t host_delegated_n(struct host *h, unsigned n); /* n contiguous, delegated */
void host_fill_ns(struct host *h, uint64_t pa, uint8_t byte);  /* whole granule, as NS */
/* True if the whole granule reads as `byte` through the Root world (no GPC). */
bool root_granule_is(struct host *h, uint64_t pa, uint8_t byte);
enum hw_pas host_pas(struct host *h, uint64_t pa);
/* A DELEGATED granule is the only one UNDELEGATE accepts: checks the state by undelegating. */
void assert_undelegate_ok(struct host *h, uint64_t pa);
void assert_undelegate_fails(struct host *h, uint64_t pa);

/* ---- RMI ---- */
/* Issues fid with X1..X5; returns X0 and stores all result registers in *out (may be NULL). */
uint64_t rmi(struct host *h, uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
             uint64_t a5, struct smc_regs *out);

/* ---- Realms ---- */
void hrealm_params_default(struct host *h, struct rmi_realm_params *p);   /* new vmid, rtt fields unset */
uint64_t host_write_realm_params(struct host *h, const struct rmi_realm_params *p); /* NS page */
/* A NEW Realm: s2sz 40, level_start 1, num_start 2, hash_algo as given. */
void host_realm_new_hash(struct host *h, struct hrealm *r, unsigned hash_algo);
void host_realm_new(struct host *h, struct hrealm *r);
/* RTT_CREATE at (ipa, level) with a fresh delegated granule; asserts success. */
uint64_t host_rtt_create(struct host *h, const struct hrealm *r, uint64_t ipa, int level);
/* Level-2 and level-3 tables covering ipa. */
void host_rtts_l3(struct host *h, const struct hrealm *r, uint64_t ipa);
void host_init_ripas(struct host *h, const struct hrealm *r, uint64_t base, uint64_t top);
/* DATA_CREATE of a granule filled with `byte` at ipa (flags as given); returns the data PA. */
uint64_t host_data_create(struct host *h, const struct hrealm *r, uint64_t ipa, uint8_t byte,
                          uint64_t flags);
void host_activate(struct host *h, const struct hrealm *r);

/* ---- RECs ---- */
void hrec_params_default(struct rmi_rec_params *p, uint64_t mpidr);  /* runnable, pc 0 */
uint64_t host_write_rec_params(struct host *h, const struct rmi_rec_params *p);
uint64_t host_rec_create(struct host *h, const struct hrealm *r, uint64_t mpidr);

/* The standard booted Realm of the REC tests, left NEW: level-2/3 tables over [0, 2 MiB),
 * RIPAS RAM over [0, H_RAM_TOP), DATA granules (zero) over [0, H_DATA_TOP), and one
 * runnable REC (mpidr 0). */
#define H_DATA_TOP 0x4000ULL
#define H_RAM_TOP  0x10000ULL
void host_realm_setup(struct host *h, struct hrealm *r, uint64_t *rec);
/* The same with every DATA granule holding `byte` (contents the Realm starts with: RMM
 * tests never write Realm memory behind the Realm's back, the memory oracle would object). */
void host_realm_setup_fill(struct host *h, struct hrealm *r, uint64_t *rec, uint8_t byte);

/* ---- RmiRecRun ---- */
uint64_t host_run_alloc(struct host *h);
void run_set_u64(struct host *h, uint64_t run, uint64_t off, uint64_t v);  /* entry part */
void run_set_flags(struct host *h, uint64_t run, uint64_t flags);
void run_set_gpr(struct host *h, uint64_t run, unsigned i, uint64_t v);
uint64_t run_exit_u64(struct host *h, uint64_t run, uint64_t off);         /* exit part */
uint8_t run_exit_u8(struct host *h, uint64_t run, uint64_t off);
uint64_t run_exit_reason(struct host *h, uint64_t run);
uint64_t run_exit_gpr(struct host *h, uint64_t run, unsigned i);
/* RMI_REC_ENTER; returns X0. */
uint64_t host_rec_enter(struct host *h, uint64_t rec, uint64_t run);

#endif
