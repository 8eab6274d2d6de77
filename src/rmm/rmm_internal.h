/* RMM private state: granules, realms, RTTs, RECs. Only src/rmm includes this. */
#ifndef CCADA_RMM_INTERNAL_H
#define CCADA_RMM_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "ccada/cpu.h"
#include "ccada/rmi.h"
#include "ccada/rsi.h"
#include "hw/hw.h"
#include "lib/container.h"
#include "lib/coro.h"
#include "lib/crypto.h"
#include "lib/ec.h"
#include "lib/trace.h"
#include "proto/rmi_params.h"
#include "proto/rmi_rec_run.h"
#include "rmm/rmm.h"

/* ---- What this RMM offers: RMI_FEATURES register 0 (DEN0137 1.0 B4.4.6), the same
 * fields TF-RMM 1.0 fills, for the PE ccada models. RMI_REALM_CREATE accepts exactly what
 * is offered here (B4.3.9 params_supp; A3.1). docs/specs.md explains each value. ----
 * S2SZ and the SHA-512 bit come from rmm_config; SHA-256 is always offered. */
#define RMM_FEAT_LPA2           0  /* no FEAT_LPA2: a 48-bit PA, 4 KiB granules */
#define RMM_FEAT_SVE_EN         0  /* no SVE (so SVE_VL is 0) */
#define RMM_FEAT_NUM_BPS        1  /* minus one: two breakpoints, the least a PE has */
#define RMM_FEAT_NUM_WPS        1  /* minus one: two watchpoints, the least a PE has */
#define RMM_FEAT_PMU_EN         1  /* TF-RMM 1.0 always offers the PMU (it requires PMUv3p7) */
#define RMM_FEAT_PMU_NUM_CTRS   1  /* the least that lets a Realm enable it without FEAT_HPMN0 */
#define RMM_FEAT_GICV3_NUM_LRS  (RMI_GICV3_NUM_LRS - 1) /* minus one: REC_ENTER takes all 16 */
#define RMM_FEAT_MAX_RECS_ORDER 10 /* as TF-RMM: up to 2^10 - 1 = 1023 RECs per Realm */
#define RMM_MAX_RECS            ((1u << RMM_FEAT_MAX_RECS_ORDER) - 1)
/* rmi.c: the register 0 value RMI_FEATURES returns, for REALM_CREATE to check against. */
uint64_t rmm_feature_register_0(const struct ccada_rmm *rmm);

/* Granule states (DEN0137 1.0 A2.2.3). Every transition into or out of RD, REC, DATA and
 * RTT goes through DELEGATED. Invariant: a DELEGATED granule is all zeroes and its PAS is
 * Realm; an UNDELEGATED granule's PAS is whatever it was (normally Non-secure). */
enum granule_state {
        GRANULE_UNDELEGATED = 0,
        GRANULE_DELEGATED,
        GRANULE_RD,
        GRANULE_REC,
        GRANULE_REC_AUX,
        GRANULE_DATA,
        GRANULE_RTT,
        GRANULE_PDEV,           /* device assignment (RMM 2.0-beta): the RMM's, no Realm owns it */
        GRANULE_VDEV,           /* a Realm's view of a TDI: owned by that Realm */
};

struct realm;
struct rec;
struct rtt;
struct rmm_pdev;
struct rmm_vdev;

struct granule {
        uint8_t state;          /* enum granule_state */
        struct realm *owner;    /* RD, REC, RTT, DATA: the Realm it belongs to; else NULL */
        union {
                struct realm *realm;    /* GRANULE_RD */
                struct rec *rec;        /* GRANULE_REC */
                struct rtt *rtt;        /* GRANULE_RTT */
                struct rmm_pdev *pdev;  /* GRANULE_PDEV */
                struct rmm_vdev *vdev;  /* GRANULE_VDEV */
        } u;
};

/* ---- stage 2 (RTT) ----
 * A real tree of 512-entry tables, levels start..3 with 4 KiB granules (entry sizes
 * 512 GiB / 1 GiB / 2 MiB / 4 KiB). The RMM keeps the tables in its own memory rather than
 * in the RTT granules' bytes; the RTT granules are still delegated and owned. Blocks are
 * supported for UNASSIGNED entries (RIPAS at block level); ASSIGNED entries exist only at
 * level 3 (DATA_CREATE and RTT_MAP_UNPROTECTED take level 3 only; see docs/specs.md). */
#define RTT_ENTRIES 512
#define RTT_PAGE_LEVEL 3

struct rtte {
        uint8_t state;          /* RMI_UNASSIGNED / RMI_ASSIGNED / RMI_TABLE / RMI_ASSIGNED_DEV */
        uint8_t ripas;          /* protected IPA only */
        uint64_t addr;          /* ASSIGNED(_DEV): output PA; TABLE: the child table's granule PA */
        uint64_t attrs;         /* unprotected ASSIGNED: the host's descriptor attributes */
        struct rtt *table;      /* TABLE */
};

struct rtt {
        uint64_t pa;
        int level;
        unsigned live;          /* entries that are ASSIGNED or TABLE */
        struct rtte e[RTT_ENTRIES];
};

struct rtt_walk {
        struct rtt *table;      /* table holding the entry reached */
        unsigned index;
        int level;              /* level of that entry */
};

enum realm_state {
        REALM_NEW = 0,
        REALM_ACTIVE,
        REALM_SYSTEM_OFF,
};

struct realm {
        uint64_t rd;
        enum realm_state state;
        unsigned s2sz;
        enum hash_alg hash;
        struct hasher *meas;            /* RIM and REM extensions, hash */
        unsigned hash_algo_rmi;         /* RMI_HASH_* as given */
        uint8_t rpv[64];
        uint16_t vmid;
        int level_start;
        unsigned num_start;
        struct rtt **root;              /* num_start tables */
        unsigned num_recs;              /* live RECs (REALM_DESTROY's realm_live) */
        unsigned num_vdevs;             /* its VDEVs (also realm_live) */
        unsigned rec_index;             /* MPIDR index of the next REC; never decreases (B4.3.12) */
        uint8_t rim[64];
        uint8_t rem[4][64];
        uint64_t rtt_gen;               /* bumped by every command that may change a mapping */
        struct ccada_realm_program prog; /* its RECs' code; entry NULL: the RMM's default */
        struct shadow *shadow;          /* test builds: the memory oracle; else NULL */
};

/* The tag the hardware model's ownership aid records for a Realm's granules (hw.h): VMIDs
 * are unique among live Realms, and 0 means "no Realm". */
static inline uint32_t realm_owner_tag(const struct realm *r) { return r ? (uint32_t)r->vmid + 1 : 0; }

/* A REC's pending exit: what must be completed on the next REC_ENTER. */
enum rec_pending {
        REC_PENDING_NONE = 0,
        REC_PENDING_MMIO,       /* emulatable data abort (ISV=1) */
        REC_PENDING_ABORT,      /* non-emulatable stage-2 abort: host may map and re-enter */
        REC_PENDING_WFI,
        REC_PENDING_RIPAS,
        REC_PENDING_HOST_CALL,
        REC_PENDING_PSCI,
        REC_PENDING_VDEV,       /* RMI_EXIT_VDEV_REQUEST: RMI_VDEV_COMPLETE may name the VDEV */
        REC_PENDING_DEV_MEM,    /* RMI_EXIT_VDEV_VALIDATE_MAPPING: RMI_RTT_DEV_VALIDATE may progress */
};


/* A REC's translation cache (a model of the TLB): for an IPA page, the output granule's PA
 * and the granule protection verdicts already obtained for it. It answers only for the
 * (realm->rtt_gen, hw_gpt_gen()) pair it was filled at (rec_mem.c says why that pair is what
 * makes an entry stale): the pair current at a lookup is named by `epoch`, a new one each
 * time either generation moves, and an entry's tag holds the epoch it was filled in, so a
 * move invalidates every entry without touching them.
 * 4-way set associative, 256 sets indexed by the low bits of the IPA page, least recently
 * used way replaced (way 0 is the most recent): a stream of pages (a SWIOTLB bounce through
 * a 64 MiB pool) then costs misses on the stream only, not on the pages it is copied from.
 * 16 bytes an entry: 16 KiB of each (heap allocated) REC. */
#define REC_TLB_WAYS 4u
#define REC_TLB_SETS 256u
#define REC_TLB_ENTRIES (REC_TLB_WAYS * REC_TLB_SETS)
#define REC_TLB_PREFETCH 15u     /* a miss also fills up to this many following pages */
#define REC_TLB_IPA_BITS 48u     /* no FEAT_LPA2 (RMM_FEAT_LPA2): an IPA is at most 48 bits */
#define REC_TLB_EPOCH_BITS (64u - (REC_TLB_IPA_BITS - GRANULE_SHIFT)) /* the rest of a tag */
/* Flags in the low (granule offset) bits of rec_tlb_entry.pa. */
#define REC_TLB_UNPROT 1u        /* an unprotected IPA: NS output address */
#define REC_TLB_READ   2u        /* the GPC allowed reading the granule (both worlds if UNPROT) */
#define REC_TLB_WRITE  4u        /* ... and writing it */
struct rec_tlb_entry {
        uint64_t tag;           /* IPA page << REC_TLB_EPOCH_BITS | epoch filled in (0: never) */
        uint64_t pa;            /* the output granule's PA | REC_TLB_* flags */
};
struct rec_tlb {
        uint64_t rtt_gen;       /* realm->rtt_gen + 1 (so never 0) ... */
        uint64_t gpt_gen;       /* ... and hw_gpt_gen() that epoch stands for */
        uint64_t epoch;         /* 1 .. 2^EPOCH_BITS - 1; 0 (at calloc) is never current */
        struct rec_tlb_entry e[REC_TLB_ENTRIES]; /* set s is e[s * WAYS ...] */
};

struct rec {
        struct ccada_cpu cpu;           /* must be first: container_of */
        struct ccada_rmm *rmm;
        struct realm *realm;
        uint64_t pa;
        uint64_t rd;
        bool runnable;
        uint64_t mpidr;
        uint64_t pc;
        uint64_t gprs[8];
        struct coro *coro;
        bool halted;                    /* the code returned or SYSTEM_OFF */
        struct trace_who who;           /* the Realm's trace context across exits */
        struct rec_tlb tlb;
        uint64_t exits;                 /* exits to the host so far: a PA translated while this
                                         * was n is never used once it is n+1 (rec_cpu.c) */
        uint8_t scratch[GRANULE_SIZE];  /* test builds: a copy's source bytes (invariants.c) */

        enum rec_pending pending;
        struct rmi_rec_exit exit;      /* built by the Realm side, copied out by REC_ENTER */
        struct rmi_rec_entry entry;    /* copied in by REC_ENTER */
        /* completion results for the Realm side */
        bool sea;                       /* host asked to inject an SEA */
        bool emulated;                  /* host emulated the MMIO access */
        uint64_t mmio_val;
        /* RIPAS change in progress (DEN0137 1.0 A5.4) */
        uint64_t ripas_addr, ripas_top;
        uint8_t ripas_value;
        bool ripas_change_destroyed;
        bool ripas_reject;
        /* PSCI request awaiting RMI_PSCI_COMPLETE */
        bool psci_pending;
        uint64_t psci_fid;
        uint64_t psci_target_mpidr;
        uint64_t psci_entry, psci_context;
        uint64_t psci_result;
        /* Attestation token generation (rsi_attest.c): rec.attest_state is
         * ATTEST_IN_PROGRESS iff attest_in_progress; attest holds the generation (heap). */
        bool attest_in_progress;
        struct rec_attest *attest;
        /* RSI_VDEV_* (rsi_vdev.c): the vdev_id the REC asked the host to resolve, and the VDEV
         * granule RMI_VDEV_COMPLETE named for it (valid while vdev_done; cleared at each exit) */
        uint64_t vdev_id;
        uint64_t vdev_pa;
        bool vdev_done;
        /* RSI_VDEV_VALIDATE_MAPPING in progress (rsi_vdev.c, rmi_dev_mem.c): the range, how
         * far RMI_RTT_DEV_VALIDATE got (dev_mem_addr), the device PA of dev_mem_base, the VDEV
         * granule the vdev_id resolved to, and the host's DEV_MEM_RESPONSE on re-entry */
        uint64_t dev_mem_base, dev_mem_top, dev_mem_addr, dev_mem_pa, dev_mem_vdev;
        bool dev_mem_reject;
};

/* The platform's device-memory window (rmm_platform_dev_mem) and, per granule of it, which
 * Realm maps it where (RMI_RTT_DEV_MAP): a device PA is mapped at most once in the RMM. */
struct dev_gran {
        const struct realm *realm;      /* NULL: not mapped */
        uint64_t rd;                    /* that Realm's RD (the invariants look it up by it) */
        uint64_t ipa;
        uint64_t vdev;                  /* the VDEV granule the mapping was made for */
};
struct rmm_dev_mem {
        uint64_t base, size;
        rmm_dev_mmio_fn fn;
        void *ctx;
        struct dev_gran *g;             /* size >> GRANULE_SHIFT records */
};

struct ccada_rmm {
        struct hw_mem *mem;
        const uint64_t *gpt_gen;        /* hw_gpt_gen_view(mem): the REC TLBs' key, read inline */
        struct trace *trace;            /* the clock and the "who" of events (may be NULL) */
        struct trace_group *tr_rmi, *tr_rsi, *tr_rmm, *tr_da; /* its subsystems (NULL: none) */
        struct rmm_config cfg;
        uint64_t base;                  /* first PA */
        uint64_t ngranules;
        struct granule *granules;
        struct ccada_realm_program prog;
        uint8_t vmids[65536 / 8];
        struct rmm_stats stats;
        /* Test builds: invariant and isolation violations found so far (invariants.c). */
        uint64_t violations;
        char first_violation[RMM_VIOLATION_TEXT];
        char *iak_pem;                  /* cfg.iak_pem's copy (cfg.iak_pem points here) */
        struct rmm_attest *attest;      /* attest.c: set up at the first token; NULL before */
        struct rmm_tsm *tsm;            /* tsm.c: the device conversation; NULL before */
        /* device assignment (rmi_pdev_stream.c): the platform's Root Port IDE engine (the
         * board's, rmm_platform_root_port) and the one IDE stream the RMM keys */
        struct hw_ide *rp_ide;
        uint16_t rp_rid;
        struct rmm_stream *stream;
        struct hw_smmu *smmu;           /* the platform SMMU (rmm_platform_smmu); NULL: none */
        struct rmm_dev_mem dev_mem;     /* the device-memory window; size 0: none */
};

/* ---- granule.c: the granule state machine (DEN0137 1.0 A2.2), as TF-RMM keeps it: a
 * handler finds a granule in the state it expects, then moves it with one of the calls
 * below, which assert the from-state. No other code writes a granule's state, owner or
 * object. ---- */
struct granule *granule_at(struct ccada_rmm *rmm, uint64_t pa);  /* NULL if unaligned/outside */
/* The granule at pa if it is in state `expected` (gran_align, gran_bound, gran_state). */
struct granule *granule_find(struct ccada_rmm *rmm, uint64_t pa, enum granule_state expected);
uint64_t granule_pa(const struct ccada_rmm *rmm, const struct granule *g);
/* UNDELEGATED (NS PAS) -> DELEGATED: the PAS change through EL3, then scrubbed. False (and
 * nothing changed) if EL3 refuses or the scrub fails; a failed scrub is also a violation. */
bool granule_delegate(struct ccada_rmm *rmm, struct granule *g);
/* DELEGATED -> UNDELEGATED: scrubbed again, then back to NS PAS. False (still DELEGATED) if
 * either step fails. */
bool granule_undelegate(struct ccada_rmm *rmm, struct granule *g);
/* DELEGATED -> to (RD, REC, RTT, DATA), owned by owner, with its object (the struct realm of
 * an RD, struct rec of a REC, struct rtt of an RTT; NULL for DATA): the one place a granule
 * gains an owner, so the RMM's record and the hardware model's ownership tag agree. */
void granule_take(struct ccada_rmm *rmm, struct granule *g, enum granule_state to, struct realm *owner,
                  void *obj);
/* from (RD, REC, RTT or DATA) -> DELEGATED: scrubbed first (a DELEGATED granule is zero),
 * no owner, no object. A failed scrub is a violation. */
void granule_give_back(struct ccada_rmm *rmm, struct granule *g, enum granule_state from);
/* Zeroes a delegated granule that holds no object (a failed DATA_CREATE's copy). */
void granule_scrub_delegated(struct ccada_rmm *rmm, struct granule *g);

/* ---- attestation: attest_platform.c (the platform's root of trust behind EL3), attest.c
 * (the RMM's keys and tokens), rsi_attest.c (the RSI commands) ---- */
struct attest_platform;
/* Keys from seed, or the IAK from iak_pem (NULL: derived); why (RMM_ATTEST_WHY_LEN) on failure. */
bool attest_platform_create(struct attest_platform **out, uint64_t seed, const char *iak_pem, bool profile_2023,
                            char *why);
void attest_platform_destroy(struct attest_platform *p);
const struct ec_key *attest_platform_rak(const struct attest_platform *p); /* SMC_RMM_GET_REALM_ATTEST_KEY */
const struct ec_key *attest_platform_iak(const struct attest_platform *p);
/* SMC_RMM_GET_PLAT_TOKEN: the platform token (COSE_Sign1, ES384) for a 32/48/64-byte challenge. */
bool attest_platform_token(const struct attest_platform *p, const uint8_t *challenge, size_t len, uint8_t *out,
                           size_t cap, size_t *out_len);
/* A COSE_Sign1 over payload signed ES384 with key. */
bool attest_sign1(const struct ec_key *key, const uint8_t *payload, size_t payload_len, uint8_t *out, size_t cap,
                  size_t *len);
struct rmm_attest;
/* The RMM's attestation state, set up at the first call; NULL (why says why) if that failed. */
struct rmm_attest *rmm_attest_get(struct ccada_rmm *rmm, char *why);
void rmm_attest_free(struct rmm_attest *a);
bool attest_realm_claims_encode(const struct rmm_attest *a, const struct realm *realm, const uint8_t *challenge,
                                bool profile, uint8_t *out, size_t cap, size_t *len);
bool attest_token_build(const struct rmm_attest *a, enum cca_form form, const uint8_t *claims, size_t claims_len,
                        uint8_t *out, size_t cap, size_t *len);
struct rec_attest;
void rec_attest_reset(struct rec *rec); /* NO_ATTEST_IN_PROGRESS; frees the generation */
void rsi_attest_token_init(struct rec *rec, struct smc_regs *r);
void rsi_attest_token_continue(struct rec *rec, struct smc_regs *r);

/* ---- invariants.c (run after every RMI and RSI call when cfg.check_invariants) ---- */
void rmm_violation(struct ccada_rmm *rmm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A REC's translated address and the exit count at which it was translated (rec_cpu.c).
 * Only rec_translate makes one, and only once the GPC allowed the access: holding a rec_pa of
 * the current epoch is holding a current verdict, which is what lets rec_phys move bytes
 * through hw_ptr unchecked. */
struct rec_pa {
        uint64_t ipa, pa;
        uint64_t epoch;
        bool unprot;
};
enum rec_op { OP_LOAD, OP_STORE, OP_FILL, OP_COPY };
/* Test builds, around every physical access a REC makes (n bytes within one granule):
 * before, the isolation check (only its own Realm's granules) and, for a copy, the source
 * bytes captured and checked against the oracle; after a successful access, a load is
 * checked against the oracle and a store, fill or copy updates it (protected IPAs). */
void rec_check_before(struct rec *rec, enum rec_op op, const struct rec_pa *to, const struct rec_pa *from,
                      size_t n);
void rec_check_after(struct rec *rec, enum rec_op op, const struct rec_pa *to, const uint8_t *buf, uint8_t byte,
                     size_t n);

/* ---- shadow.c: the memory oracle of test builds (what a Realm stored, by IPA page) ---- */
struct shadow;
struct shadow *shadow_create(void);
void shadow_destroy(struct shadow *s);
/* Sets the page at ipa to content (NULL: zero). False when out of memory. */
bool shadow_set_page(struct shadow *s, uint64_t ipa, const uint8_t *content);
void shadow_drop_page(struct shadow *s, uint64_t ipa);
/* The oracle's bytes for [ipa, ipa+len) within one page; NULL if it has no such page. */
uint8_t *shadow_bytes(const struct shadow *s, uint64_t ipa, size_t len);

/* ---- rtt.c ---- */
uint64_t rtt_entry_size(int level);
void rtt_walk(const struct realm *r, uint64_t ipa, int target_level, struct rtt_walk *w);
static inline struct rtte *rtt_walk_entry(const struct rtt_walk *w) { return &w->table->e[w->index]; }
bool rtt_ipa_in_range(const struct realm *r, uint64_t ipa);
bool rtt_ipa_protected(const struct realm *r, uint64_t ipa);
/* The IPA entry 0 of w's table maps (ipa is any IPA the walk was for). */
uint64_t rtt_walk_table_base(const struct rtt_walk *w, uint64_t ipa);
/* RttSkipNonLiveEntries (DEN0137 1.0 B3.76), the `top` of DATA_DESTROY, RTT_DESTROY and
 * RTT_UNMAP_UNPROTECTED: ipa itself if the entry w reached is live (ASSIGNED, unprotected
 * ASSIGNED or TABLE), else the IPA of the next live entry of that table, else the end of
 * the table. */
uint64_t rtt_skip_non_live(const struct rtt_walk *w, uint64_t ipa);
/* RttIsLive (A5.5.8): an RTT is live if an entry is ASSIGNED or TABLE. An unprotected
 * ASSIGNED (ASSIGNED_NS) entry is live itself but does not make its RTT live. */
bool rtt_is_live(const struct realm *r, const struct rtt *t, uint64_t ipa);
struct rtt *rtt_table_new(uint64_t pa, int level, const struct rtte *parent);
void rtt_table_free(struct rtt *t);
void rtt_tree_free(struct realm *r);  /* root tables and everything below */
/* rmi_realm.c: frees r and what it owns in the model (not its granules). NULL: no-op. */
void realm_free(struct realm *r);

/* ---- measurement.c ---- */
bool measure_realm_create(struct realm *r, const struct rmi_realm_params *p);
bool measure_data(struct realm *r, uint64_t ipa, uint64_t flags, const uint8_t *content4k);
bool measure_rec(struct realm *r, const struct rmi_rec_params *p);
bool measure_ripas(struct realm *r, uint64_t base, uint64_t top);
bool measure_extend_rem(struct realm *r, unsigned index, const uint8_t *val, size_t size);

/* ---- rmi_*.c handlers: regs in, results out ---- */
void rmi_granule_delegate(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
void rmi_granule_undelegate(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
void rmi_realm_create(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
void rmi_realm_activate(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
void rmi_realm_destroy(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
void rmi_rec_create(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
void rmi_rec_destroy(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
void rmi_rec_aux_count(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
void rmi_rec_enter(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
void rmi_psci_complete(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
void rmi_rtt_create(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
void rmi_rtt_destroy(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
void rmi_rtt_read_entry(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
void rmi_rtt_init_ripas(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
void rmi_rtt_set_ripas(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
void rmi_rtt_map_unprotected(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
void rmi_rtt_unmap_unprotected(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
void rmi_data_create(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
void rmi_data_create_unknown(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
void rmi_data_destroy(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
/* rmi_dev_mem.c: device memory in a Realm's stage 2 (RMM 2.0-beta, TF-RMM main) */
void rmi_rtt_dev_map(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
void rmi_rtt_dev_unmap(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
void rmi_rtt_dev_validate(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
/* The record of the device granule at pa, or NULL when pa is outside the window. */
struct dev_gran *dev_mem_gran(struct ccada_rmm *rmm, uint64_t pa);
/* Whether any device granule is mapped for the VDEV at vdev_pa (VDEV_DESTROY refuses then). */
bool dev_mem_vdev_mapped(const struct ccada_rmm *rmm, uint64_t vdev_pa);
void dev_mem_free(struct ccada_rmm *rmm);      /* rmm_destroy */

/* rmi_pdev.c: device assignment (RMM 2.0-beta DA, facts/spdm-tdisp-ide.md §7). */
void rmi_pdev_create(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
void rmi_pdev_communicate(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
void rmi_pdev_get_state(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
void rmi_pdev_set_pubkey(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
void rmi_pdev_stop(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
void rmi_pdev_abort(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
void rmi_pdev_destroy(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
void rmm_pdev_free_all(struct ccada_rmm *rmm);  /* rmm_destroy */
/* rmi_pdev_stream.c */
struct rmm_stream;
void rmi_pdev_stream_connect(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
void rmi_pdev_stream_complete(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
void rmi_pdev_stream_disconnect(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
bool rmm_stream_uses(const struct ccada_rmm *rmm, const struct rmm_pdev *pd);
void rmm_stream_free(struct ccada_rmm *rmm);    /* rmm_destroy */
/* rmi_vdev.c */
void rmi_vdev_create(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
void rmi_vdev_communicate(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
void rmi_vdev_get_state(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
void rmi_vdev_lock(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
void rmi_vdev_get_interface_report(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
void rmi_vdev_get_measurements(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
void rmi_vdev_start(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
void rmi_vdev_unlock(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
void rmi_vdev_abort(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
void rmi_vdev_destroy(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
bool rmm_pdev_has_vdevs(struct ccada_rmm *rmm, const struct rmm_pdev *pd);
void rmm_vdev_free_all(struct ccada_rmm *rmm);  /* rmm_destroy */
uint64_t rmm_feature_da(const struct ccada_rmm *rmm); /* RMI_FEATURE_REGISTER_0_DA or 0 */

/* Looks up an RD argument: aligned, in range, in state RD. NULL otherwise. */
struct realm *rd_lookup(struct ccada_rmm *rmm, uint64_t rd);
/* Reads a 4 KiB parameter page from NS memory (RMM copies it in once). False if pa is
 * unaligned, outside memory or not Non-secure. */
bool rmm_copy_in_ns(struct ccada_rmm *rmm, uint64_t pa, uint8_t *buf, size_t len);
/* Maps [pa, pa+len) of one Non-secure granule (len <= GRANULE_SIZE) for the RMM (TF-RMM maps an NS granule into a
 * buffer slot the same way): false, and *out unchanged, if pa is unaligned, outside memory,
 * not Non-secure, or the access faults. The pointer is good only until the next thing that
 * can change the GPT (in practice: until the RMI call returns). Whatever is read through it
 * is the host's and hostile: read each field once into a private copy, validate the copy. */
bool rmm_map_ns(struct ccada_rmm *rmm, uint64_t pa, size_t len, enum hw_access access, uint8_t **out);

/* ---- the Realm side: rec_cpu.c (the CPU's ops: traps), rec_exit.c, rec_mem.c, rsi*.c ---- */
extern const struct ccada_cpu_ops rec_cpu_ops;
void rec_exit_to_host(struct rec *rec);           /* yields; returns at the next REC_ENTER */
/* Exits with *x, marking what the host's next REC_ENTER completes; returns after it. */
void rec_exit_and_wait(struct rec *rec, enum rec_pending pending, const struct rmi_rec_exit *x);
void rsi_handle(struct rec *rec, struct smc_regs *regs);
/* RSI handlers by area (rsi_*.c, psci.c): regs in, results out, as the Realm sees them. */
void rsi_measurement_read(struct rec *rec, struct smc_regs *r);
void rsi_measurement_extend(struct rec *rec, struct smc_regs *r);
void rsi_realm_config(struct rec *rec, struct smc_regs *r);
void rsi_ipa_state_set(struct rec *rec, struct smc_regs *r);
void rsi_ipa_state_get(struct rec *rec, struct smc_regs *r);
void rsi_host_call(struct rec *rec, struct smc_regs *r);
/* rsi_vdev.c: device assignment from the Realm's side (RMM 2.0-beta) */
void rsi_vdev_get_info(struct rec *rec, struct smc_regs *r);
void rsi_vdev_dma_enable(struct rec *rec, struct smc_regs *r);
void rsi_vdev_dma_disable(struct rec *rec, struct smc_regs *r);
void rsi_vdev_validate_mapping(struct rec *rec, struct smc_regs *r);
uint64_t rsi_feature_register_0(const struct ccada_rmm *rmm);
void rmi_vdev_complete(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);
bool psci_is_fid(uint64_t fid);
void psci_handle(struct rec *rec, struct smc_regs *r);
/* The RMM writes Realm memory for an RSI call only at protected IPAs (RIPAS RAM is then
 * the access's own check). */
static inline bool rsi_addr_ok(const struct rec *rec, uint64_t ipa, uint64_t align)
{
        return !(ipa & (align - 1)) && rtt_ipa_protected(rec->realm, ipa);
}
/* rec_mem.c: the REC's accesses (faults resolved with the host, as on hardware). buf is the
 * source of a store, the destination of a load, NULL for a fill. */
enum cpu_result rec_access(struct rec *rec, enum rec_op op, uint64_t ipa, uint8_t *buf, uint8_t byte,
                           size_t len);
enum cpu_result rec_copy(struct rec *rec, uint64_t dst, uint64_t src, size_t len); /* memmove */
enum cpu_result rec_mmio(struct rec *rec, uint64_t ipa, unsigned size, bool write, uint64_t *val);
/* Translates a protected or unprotected IPA and checks the access of len bytes at it (within
 * one granule) as the hardware would: stage 2, then the granule protection check. */
enum rec_xlate {
        XLATE_OK,
        XLATE_SEA,      /* RIPAS EMPTY, outside the IPA space, or output address not memory */
        XLATE_FAULT,    /* stage-2 fault: unassigned; the host may fix it */
        XLATE_GPF,      /* the GPC denied the access to the output granule (DEN0137 1.0 A5.2.6) */
        XLATE_DEV,      /* device memory (ASSIGNED_DEV, RIPAS DEV): out->pa is the device PA; only a
                         * single-register access reaches it (rec_mmio), never through the TLB */
};
/* On XLATE_OK *out is the translation, stamped with rec->exits; on XLATE_FAULT and XLATE_GPF
 * out->unprot says whether the IPA is unprotected. Served from rec->tlb when it can be. */
enum rec_xlate rec_translate(struct rec *rec, uint64_t ipa, size_t len, bool write, struct rec_pa *out);
/* Access helpers for RSI handlers writing Realm memory (RsiRealmConfig, RsiHostCall):
 * protected, RIPAS RAM; faults are resolved with the host like any access. */
enum cpu_result rec_mem_read(struct rec *rec, uint64_t ipa, void *dst, size_t len);
enum cpu_result rec_mem_write(struct rec *rec, uint64_t ipa, const void *src, size_t len);

#endif
