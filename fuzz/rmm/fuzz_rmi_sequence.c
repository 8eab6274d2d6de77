/* Random RMI command sequences from a hostile host against a fresh RMM over 64 granules of
 * memory. The RMM runs with check_invariants (rmm_check_invariants after every RMI and RSI
 * call, isolation and the memory oracle on every REC access). Realm code, when the host
 * enters a REC, runs a small script the input supplies (loads, stores, MMIO, RIPAS changes,
 * host calls, PSCI, attestation token calls), so that REC_ENTER, PSCI_COMPLETE and RTT_SET_RIPAS have something to
 * complete.
 *
 * Input: a sequence of 32-byte records (a short last one reads as zeroes):
 *   byte 0      the command: index into rmi_fids[] (mod its length)
 *   byte 1      a mutation byte for the pages the harness prepares (see ns_page)
 *   bytes 2-31  five arguments X1..X5, each a kind byte and a 40-bit value (see arg),
 *               biased to granules of memory, RDs, RECs and DELEGATED granules the host
 *               holds, IPAs at table boundaries, small numbers, and pages the harness
 *               fills with valid RmiRealmParams, RmiRecParams, RmiRecEntry or DATA content;
 *               for REC_ENTER, the argument bytes X3..X5 are also the Realm's script.
 *
 * The harness keeps the host's own model of every granule (UNDELEGATED, DELEGATED, RD, REC,
 * RTT, DATA and, for the last four, the RD that owns it), updated only from the results of
 * successful commands. What must hold after every step (a finding aborts):
 *  - no RMM violation (rmm_violations() == 0);
 *  - the status in X0 is an RmiStatusCode (no index with SUCCESS or ERROR_INPUT, none
 *    above 3), or NOT_SUPPORTED for RMI_RTT_FOLD;
 *  - DELEGATE succeeds exactly for an aligned, in-memory UNDELEGATED granule, UNDELEGATE
 *    exactly for a DELEGATED one, REALM_ACTIVATE exactly for a NEW Realm's RD, and
 *    REC_AUX_COUNT exactly for an RD;
 *  - every other success is allowed by the model: each granule argument was in the state
 *    the command needs (RD, a DELEGATED target, an NS parameter page, a REC of the same
 *    Realm, ...), REALM_DESTROY only for a Realm that owns nothing besides its starting
 *    tables, RTT_DESTROY and DATA_DESTROY give back a granule of that Realm;
 *  - every granule the RMM holds (any state but UNDELEGATED) is in the Realm PAS and an NS
 *    read of it faults with a GPF; every other granule is Non-secure and readable;
 *  - a granule UNDELEGATE gave back reads as zeroes from the NS world (no Realm data
 *    reaches the host). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccada/cpu.h"
#include "ccada/rmi.h"
#include "ccada/rsi.h"
#include "hw/hw.h"
#include "lib/bytes.h"
#include "proto/rmi_params.h"
#include "proto/rmi_rec_run.h"
#include "rmm/rmm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MEM_BASE   0x80000000ULL
#define NGRAN      64u
#define REC_BYTES  32u
#define NARGS      5u
#define ARG_BYTES  6u
#define MAX_STEPS  256u /* records per input */
#define TAPE_BYTES (3u * ARG_BYTES) /* X3..X5 of a REC_ENTER record */

static const uint64_t rmi_fids[] = {
        RMI_GRANULE_DELEGATE, RMI_GRANULE_UNDELEGATE, RMI_REALM_CREATE, RMI_REALM_ACTIVATE,
        RMI_REALM_DESTROY, RMI_REC_CREATE, RMI_REC_DESTROY, RMI_REC_ENTER, RMI_RTT_CREATE,
        RMI_RTT_DESTROY, RMI_RTT_INIT_RIPAS, RMI_RTT_SET_RIPAS, RMI_RTT_MAP_UNPROTECTED,
        RMI_RTT_UNMAP_UNPROTECTED, RMI_RTT_READ_ENTRY, RMI_DATA_CREATE, RMI_DATA_CREATE_UNKNOWN,
        RMI_DATA_DESTROY, RMI_PSCI_COMPLETE, RMI_REC_AUX_COUNT, RMI_VERSION, RMI_FEATURES,
        RMI_RTT_FOLD,
};
#define NFIDS (sizeof(rmi_fids) / sizeof(rmi_fids[0]))

/* The host's model of a granule. */
enum gstate { G_UNDELEGATED, G_DELEGATED, G_RD, G_REC, G_RTT, G_DATA };

struct gmodel {
        uint8_t state;          /* enum gstate */
        bool root;              /* G_RTT: a starting table (given back by REALM_DESTROY) */
        uint8_t owner;          /* REC, RTT, DATA: granule index of the owning RD */
        /* G_RD only: what the host knows of its Realm */
        bool active;
        unsigned s2sz, num_start, first_root;
        uint16_t vmid;
        uint64_t rec_index;     /* MPIDR index of its next REC */
        /* G_REC only: its last exit, which the next RmiRecEntry answers */
        uint64_t exit_esr;
        unsigned exit_reason;
};

struct fz {
        struct hw_mem *mem;
        struct ccada_rmm *rmm;
        struct gmodel g[NGRAN];
        unsigned cur_rd;        /* granule index of the current record's X1 (an RD, or the RD
                                 * REALM_CREATE makes, which its tables must avoid), or NGRAN */
        uint8_t mutate;         /* the record's mutation byte */
        uint64_t step;
        /* the Realm's script for the REC being entered */
        const uint8_t *tape;
        size_t tape_n;
        uint64_t entries;       /* REC_ENTERs issued */
        bool verbose;           /* CCADA_FUZZ_VERBOSE: print every call */
};

/* Realm code sees its kernel pointer only; here it is the harness. */
struct realm_kernel {
        struct fz *f;
};

static void __attribute__((noreturn)) finding(const struct fz *f, uint64_t fid, const char *what)
{
        fprintf(stderr, "rmi-sequence fuzzer: step %llu, %s: %s\n", (unsigned long long)f->step,
                rmi_command_name(fid), what);
        abort();
}

static uint64_t gpa(unsigned i) { return MEM_BASE + ((uint64_t)i << GRANULE_SHIFT); }

/* Granule index of pa, or NGRAN when pa is unaligned or outside memory. */
static unsigned gidx(uint64_t pa)
{
        if (pa < MEM_BASE || pa & GRANULE_MASK || (pa - MEM_BASE) >> GRANULE_SHIFT >= NGRAN)
                return NGRAN;
        return (unsigned)((pa - MEM_BASE) >> GRANULE_SHIFT);
}

static bool is(const struct fz *f, uint64_t pa, enum gstate s)
{
        unsigned i = gidx(pa);
        return i < NGRAN && f->g[i].state == s;
}

/* The k-th granule (mod their number) in state s; NGRAN if none is. */
static unsigned nth_in_state(const struct fz *f, enum gstate s, uint64_t k)
{
        unsigned n = 0, hit[NGRAN];
        for (unsigned i = 0; i < NGRAN; i++)
                if (f->g[i].state == s)
                        hit[n++] = i;
        return n ? hit[k % n] : NGRAN;
}

/* The Realm the current record's X1 names, if X1 is an RD. */
static const struct gmodel *cur_realm(const struct fz *f)
{
        return f->cur_rd < NGRAN && f->g[f->cur_rd].state == G_RD ? &f->g[f->cur_rd] : NULL;
}

/* ---- the Realm's code ---- */

/* The Realm's IPA width as its REC was told (X0 of RmiRecParams), else 40. */
static unsigned realm_s2sz(uint64_t x0) { return x0 >= 32 && x0 <= 48 ? (unsigned)x0 : 40; }

static uint64_t tape_take(struct fz *f)
{
        if (!f->tape_n)
                return 0;
        f->tape_n--;
        return *f->tape++;
}

/* One operation of the script: an opcode byte and a 16-bit argument. */
static void realm_op(struct fz *f, struct ccada_cpu *cpu, unsigned s2sz)
{
        uint64_t shared = (uint64_t)1 << (s2sz - 1);
        uint64_t op = tape_take(f), v = tape_take(f);
        v |= tape_take(f) << 8;
        uint64_t page = (v % 64) << GRANULE_SHIFT, word = 0;
        struct smc_regs r = { { 0 } };
        switch (op % 14) {
        case 0: (void)cpu_load(cpu, page | (v >> 6 & 0xFF8), &word, sizeof(word)); return;
        case 1: word = v * 0x9E3779B97F4A7C15ULL; (void)cpu_store(cpu, page, &word, sizeof(word)); return;
        case 2: (void)cpu_mmio_read(cpu, shared | page, 4, &word); return;
        case 3: (void)cpu_mmio_write(cpu, shared | page, 8, v); return;
        case 4: r = (struct smc_regs){ { RSI_IPA_STATE_SET, page, page + ((v >> 6 & 3) + 1) * GRANULE_SIZE,
                                         v >> 8 & 1, v >> 9 & 1 } }; break;
        case 5: r = (struct smc_regs){ { RSI_REALM_CONFIG, page } }; break;
        case 6: r = (struct smc_regs){ { RSI_HOST_CALL, page | (v >> 6 & 0xF00) } }; break;
        case 7: /* the new REC's X0 (context) is its IPA width, as REC_CREATE gave the first */
                r = (struct smc_regs){ { v & 0x100 ? PSCI_AFFINITY_INFO_64 : PSCI_CPU_ON_64, v >> 9 & 3, page,
                                         v & 0x800 ? v : s2sz } };
                break;
        case 8: r = (struct smc_regs){ { RSI_MEASUREMENT_EXTEND, 1 + v % 4, v >> 2 & 0x3F, v } }; break;
        case 9: r = (struct smc_regs){ { RSI_IPA_STATE_GET, page, page + GRANULE_SIZE * 4 } }; break;
        case 10: (void)cpu_fill(cpu, page, (uint8_t)v, (v >> 8) + 1); return;
        case 12: r = (struct smc_regs){ { RSI_ATTESTATION_TOKEN_INIT, v, v * 3, v * 5, v * 7, v, v, v, v } }; break;
        case 13: /* an IPA that may be unaligned or shared, an offset and a size that may run over */
                r = (struct smc_regs){ { RSI_ATTESTATION_TOKEN_CONTINUE, (v & 1 ? shared : 0) | page | (v & 2 ? 8 : 0),
                                         (v >> 2 & 7) << 10, (v >> 5 & 0x1F) << 8 } };
                break;
        default: (void)cpu_copy(cpu, page, (v >> 6 & 0x3F) << GRANULE_SHIFT, (v >> 4 & 0xFF) + 1); return;
        }
        cpu_smc(cpu, &r);
}

/* Exits to the host for sure: an emulatable MMIO read at the last unprotected page (the
 * harness never maps it), else, if that did not exit (a raw argument mapped it), CPU_OFF. */
static void realm_idle(struct fz *f, struct ccada_cpu *cpu, unsigned s2sz)
{
        uint64_t seen = f->entries, v;
        (void)cpu_mmio_read(cpu, ((uint64_t)1 << s2sz) - GRANULE_SIZE, 4, &v);
        if (f->entries == seen) {
                struct smc_regs r = { { PSCI_CPU_OFF } };
                cpu_smc(cpu, &r);
        }
}

static void realm_main(struct realm_kernel *k, struct ccada_cpu *cpu, uint64_t pc, const uint64_t x[8])
{
        struct fz *f = k->f;
        unsigned s2sz = realm_s2sz(x[0]);
        (void)pc;
        for (;;) {
                while (f->tape_n)
                        realm_op(f, cpu, s2sz);
                realm_idle(f, cpu, s2sz);
        }
}

/* ---- arguments ---- */

/* A valid number of starting tables for s2sz at level (Arm ARM D8.2), or 0. */
static unsigned num_start_for(unsigned s2sz, unsigned level)
{
        unsigned cover = GRANULE_SHIFT + 9 * (4 - level); /* bits resolved from `level` down */
        if (level > 3 || s2sz + 9 <= cover || s2sz > cover + 4)
                return 0;
        return s2sz > cover ? 1u << (s2sz - cover) : 1u;
}

/* A granule index where n DELEGATED granules other than the current RD start (search from
 * `from`), or NGRAN. */
static unsigned delegated_run(const struct fz *f, unsigned from, unsigned n)
{
        for (unsigned t = 0; t < NGRAN; t++) {
                unsigned i = (from + t) % NGRAN, j = 0;
                while (j < n && i + j < NGRAN && f->g[i + j].state == G_DELEGATED && i + j != f->cur_rd)
                        j++;
                if (j == n)
                        return i;
        }
        return NGRAN;
}

static void realm_params(const struct fz *f, uint64_t v, struct rmi_realm_params *p)
{
        static const unsigned s2szs[] = { 32, 33, 36, 40, 44, 48, 31, 49 };
        memset(p, 0, sizeof(*p));
        p->s2sz = s2szs[v % 8];
        p->rtt_level_start = (int64_t)(v >> 3 & 3);
        for (unsigned l = 0; l < 4 && !num_start_for(p->s2sz, (unsigned)p->rtt_level_start); l++)
                p->rtt_level_start = l; /* the first valid level if the chosen one is not */
        p->rtt_num_start = num_start_for(p->s2sz, (unsigned)p->rtt_level_start);
        unsigned base = delegated_run(f, (unsigned)(v >> 5) % NGRAN, p->rtt_num_start ? p->rtt_num_start : 1);
        p->rtt_base = base < NGRAN ? gpa(base) : gpa((unsigned)(v >> 5) % NGRAN);
        p->vmid = (uint16_t)(v >> 11 & 3);
        p->hash_algo = (unsigned)(v >> 13) % 3; /* 2 is invalid */
        for (unsigned i = 0; i < sizeof(p->rpv); i++)
                p->rpv[i] = (uint8_t)(v >> 15) + (uint8_t)i;
        p->num_bps = 1; /* two breakpoints and watchpoints, minus one (DEN0137 1.0 B4.4.12) */
        p->num_wps = 1;
        switch (f->mutate % 8) { /* one field wrong, sometimes */
        case 1: p->rtt_num_start++; break;
        case 2: p->flags = RMI_REALM_FLAGS_SVE; break;
        case 3: p->rtt_base += 0x800; break;
        case 4: p->rtt_level_start = -1; break;
        case 7: /* breakpoints: the reserved 0 or one too many; else a PMU Realm (valid) */
                if (f->mutate & 8) {
                        p->num_bps = f->mutate & 16 ? 0 : 2;
                } else {
                        p->flags = RMI_REALM_FLAGS_PMU;
                        p->pmu_num_ctrs = 1;
                }
                break;
        default: break;
        }
}

/* MPIDR of REC index i (Aff0[3:0], Aff1 from bit 4). */
static uint64_t mpidr_of(uint64_t i) { return (i & 0xF) | (i >> 4 & 0xFF) << 8; }

static void rec_params(const struct fz *f, uint64_t v, struct rmi_rec_params *p)
{
        const struct gmodel *rd = cur_realm(f);
        memset(p, 0, sizeof(*p));
        p->flags = v & 7 ? RMI_REC_FLAG_RUNNABLE : 0;
        p->mpidr = mpidr_of(rd ? rd->rec_index : v >> 3 & 3);
        p->gprs[0] = rd ? rd->s2sz : 40;
        p->pc = v >> 8;
        if (f->mutate % 8 == 5)
                p->mpidr += 1;
        if (f->mutate % 8 == 6)
                p->num_aux = 1;
}

/* RmiRecEntry for the REC in X1: the answer an honest host gives to its last exit (emulate
 * an MMIO access, or nothing), or, one time in four, any flags and an SEA. */
static void rec_entry(const struct fz *f, uint64_t v, struct rmi_rec_entry *e)
{
        const struct gmodel *rec = f->cur_rd < NGRAN && f->g[f->cur_rd].state == G_REC ? &f->g[f->cur_rd] : NULL;
        memset(e, 0, sizeof(*e));
        e->gprs[0] = v >> 7;
        if (v % 4 == 0)
                e->flags = v >> 2 & 0x1F;
        else if (rec && rec->exit_reason == RMI_EXIT_SYNC && rec->exit_esr & ESR_ISV)
                e->flags = RMI_REC_ENTRY_FLAG_EMUL_MMIO;
}

/* Fills an NS granule (the UNDELEGATED one the low byte of v picks) with what the command
 * expects from it: RmiRealmParams, RmiRecParams, an RmiRecEntry, or a DATA source (every
 * byte v >> 8). The bits above the low byte choose the contents. Returns its PA. */
static uint64_t ns_page(struct fz *f, uint64_t fid, uint64_t v)
{
        static uint8_t page[GRANULE_SIZE];
        unsigned i = nth_in_state(f, G_UNDELEGATED, v & 0xFF);
        if (i == NGRAN)
                return gpa((unsigned)v % NGRAN);
        memset(page, (int)(v >> 8), sizeof(page));
        if (fid == RMI_REALM_CREATE) {
                struct rmi_realm_params p;
                realm_params(f, v >> 8, &p);
                rmi_realm_params_encode(&p, page);
        } else if (fid == RMI_REC_CREATE) {
                struct rmi_rec_params p;
                rec_params(f, v >> 8, &p);
                rmi_rec_params_encode(&p, page);
        } else if (fid == RMI_REC_ENTER) {
                struct rmi_rec_entry e;
                rec_entry(f, v >> 8, &e);
                rmi_rec_entry_encode(&e, page);
        }
        if (hw_write(f->mem, HW_WORLD_NS, gpa(i), page, sizeof(page), NULL) != HW_OK)
                finding(f, fid, "the host cannot write an UNDELEGATED granule");
        return gpa(i);
}

/* An IPA of the current Realm: a page of its first 256 KiB, a 2 MiB or 1 GiB boundary, or
 * an unprotected page. */
static uint64_t ipa_arg(const struct fz *f, uint64_t v)
{
        const struct gmodel *rd = cur_realm(f);
        unsigned s2sz = rd ? rd->s2sz : 40;
        uint64_t n = v >> 2;
        switch (v & 3) {
        case 0: return (n % 64) << GRANULE_SHIFT;
        case 1: return (n % 8) << 21;
        case 2: return (n % 4) << 30;
        default: return (uint64_t)1 << (s2sz - 1) | (n % 64) << GRANULE_SHIFT;
        }
}

static uint64_t arg(struct fz *f, uint64_t fid, unsigned kind, uint64_t v)
{
        unsigned i;
        switch (kind % 8) {
        case 0: return gpa((unsigned)(v % NGRAN));
        case 1: i = nth_in_state(f, G_RD, v); return gpa(i < NGRAN ? i : (unsigned)(v % NGRAN));
        case 2: i = nth_in_state(f, G_REC, v); return gpa(i < NGRAN ? i : (unsigned)(v % NGRAN));
        case 3: i = nth_in_state(f, G_DELEGATED, v); return gpa(i < NGRAN ? i : (unsigned)(v % NGRAN));
        case 4: return ipa_arg(f, v);
        case 5: return v % 4;
        case 6: return ns_page(f, fid, v);
        default: return v & 1 ? MEM_BASE + (v >> 1) : v << 24 | v; /* unaligned, or anything */
        }
}

/* ---- the model's checks and updates ---- */

/* X0 is an RmiStatusCode (DEN0137 1.0 B4.4): a status, and an index (at most an RTT level)
 * only with an error that has one; nothing above bit 15. */
static void check_status(const struct fz *f, uint64_t fid, uint64_t x0)
{
        if (fid == RMI_RTT_FOLD) {
                if (x0 != SMCCC_RET_NOT_SUPPORTED)
                        finding(f, fid, "an unimplemented command did not return NOT_SUPPORTED");
                return;
        }
        unsigned st = RMI_STATUS(x0), idx = RMI_INDEX(x0);
        if (x0 >> 16 || st > RMI_ERROR_RTT || idx > 3 || ((st == RMI_SUCCESS || st == RMI_ERROR_INPUT) && idx))
                finding(f, fid, "X0 is not an RmiStatusCode");
}

static bool owned_by(const struct fz *f, uint64_t pa, enum gstate s, unsigned rd)
{
        unsigned i = gidx(pa);
        return i < NGRAN && f->g[i].state == s && f->g[i].owner == rd;
}

static void take(struct fz *f, uint64_t pa, enum gstate s, unsigned rd)
{
        unsigned i = gidx(pa);
        if (i == NGRAN)
                finding(f, RMI_VERSION, "the model took a granule outside memory");
        struct gmodel *g = &f->g[i];
        g->state = (uint8_t)s;
        g->owner = (uint8_t)rd;
        g->root = false;
}

static void give_back(struct fz *f, unsigned i)
{
        memset(&f->g[i], 0, sizeof(f->g[i]));
        f->g[i].state = G_DELEGATED;
}

/* Whether the Realm of RD i owns anything besides its starting tables. */
static bool owns_objects(const struct fz *f, unsigned rd)
{
        for (unsigned i = 0; i < NGRAN; i++) {
                const struct gmodel *g = &f->g[i];
                if ((g->state == G_REC || g->state == G_DATA || (g->state == G_RTT && !g->root)) && g->owner == rd)
                        return true;
        }
        return false;
}

/* The granule UNDELEGATE gave back: NS may read it, and it is all zeroes. */
static void check_scrubbed(struct fz *f, uint64_t pa)
{
        static uint8_t buf[GRANULE_SIZE];
        if (hw_read(f->mem, HW_WORLD_NS, pa, buf, sizeof(buf), NULL) != HW_OK)
                finding(f, RMI_GRANULE_UNDELEGATE, "the granule given back is not readable by NS");
        for (size_t j = 0; j < sizeof(buf); j++)
                if (buf[j])
                        finding(f, RMI_GRANULE_UNDELEGATE, "the granule given back holds Realm data");
}

static void on_realm_create(struct fz *f, const uint64_t *a)
{
        uint8_t page[RMI_REALM_PARAMS_SIZE];
        struct rmi_realm_params p;
        unsigned rd = gidx(a[1]);
        if (!is(f, a[1], G_DELEGATED) || !is(f, a[2], G_UNDELEGATED) ||
            hw_read(f->mem, HW_WORLD_NS, a[2], page, sizeof(page), NULL) != HW_OK)
                finding(f, RMI_REALM_CREATE, "succeeded without a DELEGATED RD and an NS parameter page");
        rmi_realm_params_decode(page, &p);
        for (unsigned i = 0; i < NGRAN; i++)
                if (f->g[i].state == G_RD && f->g[i].vmid == p.vmid)
                        finding(f, RMI_REALM_CREATE, "succeeded with the VMID of a live Realm");
        for (uint32_t j = 0; j < p.rtt_num_start; j++) {
                uint64_t t = p.rtt_base + (uint64_t)j * GRANULE_SIZE;
                if (!is(f, t, G_DELEGATED) || t == a[1])
                        finding(f, RMI_REALM_CREATE, "succeeded with a starting table that is not DELEGATED");
                take(f, t, G_RTT, rd);
                f->g[gidx(t)].root = true;
        }
        take(f, a[1], G_RD, rd);
        struct gmodel *g = &f->g[rd];
        g->s2sz = p.s2sz;
        g->num_start = p.rtt_num_start;
        g->first_root = gidx(p.rtt_base);
        g->vmid = p.vmid;
}

static void on_realm_destroy(struct fz *f, const uint64_t *a)
{
        unsigned rd = gidx(a[1]);
        if (!is(f, a[1], G_RD) || owns_objects(f, rd))
                finding(f, RMI_REALM_DESTROY, "destroyed a Realm that still owns RECs, DATA or tables");
        const struct gmodel g = f->g[rd];
        for (unsigned j = 0; j < g.num_start; j++) {
                if (!owned_by(f, gpa(g.first_root + j), G_RTT, rd))
                        finding(f, RMI_REALM_DESTROY, "the model lost a starting table");
                give_back(f, g.first_root + j);
        }
        give_back(f, rd);
}

static void on_rec_create(struct fz *f, const uint64_t *a)
{
        uint8_t page[RMI_REC_PARAMS_SIZE];
        struct rmi_rec_params p;
        unsigned rd = gidx(a[1]);
        if (!is(f, a[1], G_RD) || f->g[rd].active || !is(f, a[2], G_DELEGATED) || !is(f, a[3], G_UNDELEGATED) ||
            hw_read(f->mem, HW_WORLD_NS, a[3], page, sizeof(page), NULL) != HW_OK)
                finding(f, RMI_REC_CREATE, "succeeded without a NEW Realm, a DELEGATED REC and an NS page");
        rmi_rec_params_decode(page, &p);
        if (p.mpidr != mpidr_of(f->g[rd].rec_index))
                finding(f, RMI_REC_CREATE, "succeeded out of MPIDR order");
        f->g[rd].rec_index++;
        take(f, a[2], G_REC, rd);
}

/* Success of the commands the model follows in detail: REALM, REC, RTT and DATA granules. */
static void on_success_objects(struct fz *f, uint64_t fid, const uint64_t *a, const struct smc_regs *r)
{
        unsigned rd = gidx(a[1]);
        bool has_rd = is(f, a[1], G_RD);
        switch (fid) {
        case RMI_REALM_CREATE: on_realm_create(f, a); return;
        case RMI_REALM_DESTROY: on_realm_destroy(f, a); return;
        case RMI_REC_CREATE: on_rec_create(f, a); return;
        case RMI_REC_DESTROY:
                if (!is(f, a[1], G_REC))
                        finding(f, fid, "destroyed a granule that is not a REC");
                give_back(f, gidx(a[1]));
                return;
        case RMI_RTT_CREATE:
                if (!has_rd || !is(f, a[2], G_DELEGATED))
                        finding(f, fid, "succeeded without an RD and a DELEGATED table");
                take(f, a[2], G_RTT, rd);
                return;
        case RMI_RTT_DESTROY:
        case RMI_DATA_DESTROY: {
                enum gstate s = fid == RMI_RTT_DESTROY ? G_RTT : G_DATA;
                unsigned i = gidx(r->x[1]);
                if (!has_rd || !owned_by(f, r->x[1], s, rd) || i == NGRAN || f->g[i].root)
                        finding(f, fid, "gave back a granule the Realm did not own");
                give_back(f, i);
                return;
        }
        case RMI_DATA_CREATE:
                if (!has_rd || f->g[rd].active || !is(f, a[4], G_UNDELEGATED))
                        finding(f, fid, "succeeded without a NEW Realm and an NS source");
                /* fall through */
        case RMI_DATA_CREATE_UNKNOWN:
                if (!has_rd || !is(f, a[2], G_DELEGATED))
                        finding(f, fid, "succeeded without an RD and a DELEGATED target");
                take(f, a[2], G_DATA, rd);
                return;
        default: return;
        }
}

/* Keeps the REC's exit (from the run page) for the next entry; the reason must be one. */
static void note_exit(struct fz *f, const uint64_t *a)
{
        static uint8_t buf[RMI_REC_EXIT_SIZE];
        struct rmi_rec_exit x;
        struct gmodel *rec = &f->g[gidx(a[1])];
        if (hw_read(f->mem, HW_WORLD_NS, a[2] + RMI_REC_EXIT_OFFSET, buf, sizeof(buf), NULL) != HW_OK)
                finding(f, RMI_REC_ENTER, "the run page is not readable by NS");
        rmi_rec_exit_decode(buf, &x);
        if (x.reason > RMI_EXIT_SERROR)
                finding(f, RMI_REC_ENTER, "the exit reason is not an RmiRecExitReason");
        rec->exit_reason = x.reason;
        rec->exit_esr = x.esr;
}

/* Success of the commands that create nothing: their granule arguments were right. */
static void on_success_other(struct fz *f, uint64_t fid, const uint64_t *a)
{
        unsigned rd = gidx(a[1]);
        bool has_rd = is(f, a[1], G_RD);
        switch (fid) {
        case RMI_REC_ENTER:
                if (!is(f, a[1], G_REC) || !f->g[f->g[gidx(a[1])].owner].active || !is(f, a[2], G_UNDELEGATED))
                        finding(f, fid, "entered without a REC of an active Realm and an NS run page");
                note_exit(f, a);
                return;
        case RMI_RTT_SET_RIPAS:
                if (!has_rd || !owned_by(f, a[2], G_REC, rd))
                        finding(f, fid, "succeeded without an RD and a REC of its Realm");
                return;
        case RMI_PSCI_COMPLETE:
                if (!is(f, a[1], G_REC) || !is(f, a[2], G_REC) || f->g[gidx(a[1])].owner != f->g[gidx(a[2])].owner)
                        finding(f, fid, "succeeded without two RECs of one Realm");
                return;
        case RMI_RTT_INIT_RIPAS:
                if (!has_rd || f->g[rd].active)
                        finding(f, fid, "succeeded without a NEW Realm");
                return;
        case RMI_RTT_MAP_UNPROTECTED:
        case RMI_RTT_UNMAP_UNPROTECTED:
        case RMI_RTT_READ_ENTRY:
                if (!has_rd)
                        finding(f, fid, "succeeded without an RD");
                return;
        default: return;
        }
}

/* Commands whose outcome the model decides by itself: success iff the model allows it. */
static void check_exact(struct fz *f, uint64_t fid, const uint64_t *a, bool ok)
{
        unsigned i = gidx(a[1]);
        switch (fid) {
        case RMI_GRANULE_DELEGATE:
                if (ok != is(f, a[1], G_UNDELEGATED))
                        finding(f, fid, ok ? "delegated a granule the host did not hold"
                                           : "refused an UNDELEGATED granule");
                if (ok)
                        give_back(f, i);
                return;
        case RMI_GRANULE_UNDELEGATE:
                if (ok != is(f, a[1], G_DELEGATED))
                        finding(f, fid, ok ? "undelegated a granule that is not DELEGATED"
                                           : "refused a DELEGATED granule");
                if (ok) {
                        memset(&f->g[i], 0, sizeof(f->g[i]));
                        check_scrubbed(f, a[1]);
                }
                return;
        case RMI_REALM_ACTIVATE:
                if (ok != (is(f, a[1], G_RD) && !f->g[i].active))
                        finding(f, fid, ok ? "activated what is not a NEW Realm" : "refused a NEW Realm");
                if (ok)
                        f->g[i].active = true;
                return;
        case RMI_REC_AUX_COUNT:
                if (ok != is(f, a[1], G_RD))
                        finding(f, fid, "answered for what is not an RD, or refused an RD");
                return;
        default: return;
        }
}

/* Every granule the RMM holds is Realm PAS and faults for NS; every other one is NS. */
static void check_pas(struct fz *f, uint64_t fid)
{
        for (unsigned i = 0; i < NGRAN; i++) {
                enum hw_pas pas;
                bool held = f->g[i].state != G_UNDELEGATED;
                enum hw_result want = held ? HW_GPF : HW_OK;
                if (!hw_gpt_get(f->mem, gpa(i), &pas) || (pas == HW_PAS_REALM) != held ||
                    hw_check(f->mem, HW_WORLD_NS, gpa(i), GRANULE_SIZE, HW_ACCESS_READ, NULL) != want)
                        finding(f, fid, held ? "a granule the RMM holds is not protected from NS"
                                             : "an UNDELEGATED granule is not Non-secure");
        }
}

static void check_violations(const struct fz *f, uint64_t fid)
{
        const char *first;
        if (rmm_violations(f->rmm, &first))
                finding(f, fid, first);
}

/* ---- one step ---- */

static uint64_t val40(const uint8_t *p)
{
        return ld_le32(p) | (uint64_t)p[4] << 32;
}

/* CCADA_FUZZ_VERBOSE: one line per call (and the exit a successful REC_ENTER wrote). */
static void trace_call(struct fz *f, const uint64_t *a, const struct smc_regs *r)
{
        uint8_t x[8] = { 0 };
        if (a[0] == RMI_REC_ENTER && r->x[0] == RMI_SUCCESS)
                (void)hw_read(f->mem, HW_WORLD_NS, a[2] + RMI_REC_EXIT_OFFSET + RMI_REC_EXIT_REASON, x, 1, NULL);
        fprintf(stderr, "%3llu %-26s x1=0x%llx x2=0x%llx x3=0x%llx x4=0x%llx -> 0x%llx%s%s\n",
                (unsigned long long)f->step, rmi_command_name(a[0]), (unsigned long long)a[1],
                (unsigned long long)a[2], (unsigned long long)a[3], (unsigned long long)a[4],
                (unsigned long long)r->x[0], a[0] == RMI_REC_ENTER && r->x[0] == RMI_SUCCESS ? " exit " : "",
                a[0] == RMI_REC_ENTER && r->x[0] == RMI_SUCCESS ? rmi_exit_reason_name(x[0]) : "");
}

static void step(struct fz *f, const uint8_t *rec)
{
        uint64_t fid = rmi_fids[rec[0] % NFIDS], a[1 + NARGS] = { fid };
        f->mutate = rec[1];
        f->cur_rd = NGRAN;
        for (unsigned j = 0; j < NARGS; j++) {
                const uint8_t *p = rec + 2 + ARG_BYTES * j;
                a[1 + j] = arg(f, fid, p[0], val40(p + 1));
                if (j == 0)
                        f->cur_rd = gidx(a[1]); /* later arguments take its Realm's IPA width */
        }
        struct smc_regs r = { { a[0], a[1], a[2], a[3], a[4], a[5] } };
        if (fid == RMI_REC_ENTER) {
                f->tape = rec + 2 + 2 * ARG_BYTES;
                f->tape_n = TAPE_BYTES;
                f->entries++;
        }
        rmi_smc(f->rmm, &r);
        f->tape_n = 0;
        if (f->verbose)
                trace_call(f, a, &r);
        check_violations(f, fid);
        check_status(f, fid, r.x[0]);
        bool ok = r.x[0] == RMI_SUCCESS;
        check_exact(f, fid, a, ok);
        if (ok) {
                on_success_objects(f, fid, a, &r);
                on_success_other(f, fid, a);
        }
        check_pas(f, fid);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static struct fz f; /* 64 granule models and the REC tape: kept off the stack */
        struct rmm_config cfg;
        struct realm_kernel k = { &f };
        struct ccada_realm_program prog = { realm_main, &k };

        memset(&f, 0, sizeof(f));
        f.verbose = getenv("CCADA_FUZZ_VERBOSE") != NULL;
        rmm_config_default(&cfg);
        cfg.check_invariants = true;
        if (!hw_mem_create(&f.mem, MEM_BASE, (uint64_t)NGRAN << GRANULE_SHIFT, NULL) ||
            !rmm_create(&f.rmm, f.mem, NULL, &cfg)) {
                fprintf(stderr, "rmi-sequence fuzzer: out of memory\n");
                abort();
        }
        rmm_set_realm_program(f.rmm, &prog);
        for (size_t off = 0; off < size && f.step < MAX_STEPS; off += REC_BYTES, f.step++) {
                uint8_t rec[REC_BYTES] = { 0 };
                memcpy(rec, data + off, size - off < REC_BYTES ? size - off : REC_BYTES);
                step(&f, rec);
        }
        (void)rmm_check_invariants(f.rmm);
        check_violations(&f, RMI_VERSION);
        rmm_destroy(f.rmm);
        hw_mem_destroy(f.mem);
        return 0;
}
