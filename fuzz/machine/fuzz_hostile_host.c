/* The whole machine under a hostile host. Two Realms (A and B) run the real guest kernel and
 * its workload (boot, SWIOTLB, virtio-blk blk-test); between any two REC entries the host,
 * driven by the input, takes actions no honest host would: it destroys and re-creates DATA,
 * undelegates and delegates granules (giving one Realm's freed memory to the other), unmaps
 * and remaps shared pages (also onto Realm granules), scribbles over shared memory, injects
 * SEAs, rejects RIPAS changes, skips handling an exit, or issues any RMI command with
 * arbitrary arguments.
 *
 * What must hold after every step, whatever the host does (a finding aborts):
 *  - every access a REC makes touches only its own Realm's granules, and every protected
 *    load returns what that Realm stored (the RMM's access checks, rmm_config.check_accesses);
 *  - the RMM's invariants (rmm_check_invariants), checked after every step in which an RMI
 *    command other than REC_ENTER ran, and at the end (REC_ENTER alone changes only the
 *    entered REC, whose exit record the next full check covers);
 *  - the process itself survives: no crash, no sanitizer report, no endless loop (a step
 *    budget ends each input).
 * When the schedule is used up the host turns honest for HONEST_TAIL more steps (what a
 * hostile action broke shows up soon after it); a Realm reaches the end of its workload only
 * when the input is long enough (the honest demo is about 2,700 steps for both Realms).
 * The Realms' own verdicts do not matter here: a hostile host may make a workload fail.
 *
 * Input: a byte stream read as a schedule. Each step reads a count byte (mod 3) and that many
 * 24-byte action records (opcode mod 16, then arguments; missing bytes read as 0). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccada/machine.h"
#include "ccada/rmi.h"
#include "host/host.h"
#include "hw/hw.h"
#include "machine/board.h"
#include "rmm/rmm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_STEPS 6000 /* per input: a DESTROYED page makes exits that never progress */
#define NVM       2
#define HONEST_TAIL 512 /* steps an input runs on after its schedule is used up */
#define ACTION_BYTES 24 /* opcode + arguments of one hostile action */

struct sched {
        const uint8_t *p;
        size_t n;
};

static uint8_t take8(struct sched *s)
{
        if (!s->n)
                return 0;
        s->n--;
        return *s->p++;
}

static uint64_t take16(struct sched *s)
{
        uint64_t lo = take8(s);
        return lo | (uint64_t)take8(s) << 8;
}

static uint64_t take64(struct sched *s)
{
        uint64_t v = 0;
        for (int i = 0; i < 8; i++)
                v |= (uint64_t)take8(s) << (8 * i);
        return v;
}

struct fz {
        struct ccada_machine *m;
        struct ccada_rmm *rmm;
        struct hw_mem *mem;
        struct host_vm *vm[NVM];
        bool off[NVM];
        uint64_t checked_calls; /* rmi_calls at the last full check */
};

static void finding(const char *what, const char *first)
{
        fprintf(stderr, "hostile-host fuzzer: %s: %s\n", what, first);
        abort();
}

/* After a step: no violation so far, and a full check when more than REC_ENTER ran. */
static void check_step(struct fz *f, bool force)
{
        struct rmm_stats st;
        const char *first;
        rmm_get_stats(f->rmm, &st);
        if (force || st.rmi_calls > f->checked_calls + 1)
                (void)rmm_check_invariants(f->rmm);
        f->checked_calls = st.rmi_calls;
        if (rmm_violations(f->rmm, &first))
                finding("RMM violation", first);
}

/* A protected IPA in vm's RAM, granule-aligned. */
static uint64_t ram_ipa(struct host_vm *vm, struct sched *s)
{
        uint64_t base, size;
        host_vm_ram(vm, &base, &size);
        return base + ((take16(s) % (size >> 12)) << 12);
}

/* Any granule of physical memory. */
static uint64_t any_pa(struct fz *f, struct sched *s)
{
        uint64_t n = hw_mem_size(f->mem) >> 12;
        return hw_mem_base(f->mem) + ((take16(s) % n) << 12);
}

static uint64_t rmi(struct host_vm *vm, uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
        return host_rmi(vm, fid, a1, a2, a3, a4, 0, NULL);
}

static const uint64_t any_fid[] = {
        RMI_VERSION, RMI_GRANULE_DELEGATE, RMI_GRANULE_UNDELEGATE, RMI_DATA_CREATE, RMI_DATA_CREATE_UNKNOWN,
        RMI_DATA_DESTROY, RMI_REALM_ACTIVATE, RMI_REALM_CREATE, RMI_REALM_DESTROY, RMI_REC_CREATE,
        RMI_REC_DESTROY, RMI_REC_ENTER, RMI_RTT_CREATE, RMI_RTT_DESTROY, RMI_RTT_MAP_UNPROTECTED,
        RMI_RTT_READ_ENTRY, RMI_RTT_UNMAP_UNPROTECTED, RMI_PSCI_COMPLETE, RMI_FEATURES, RMI_RTT_FOLD,
        RMI_REC_AUX_COUNT, RMI_RTT_INIT_RIPAS, RMI_RTT_SET_RIPAS,
};

/* An argument for a raw RMI call: an address the machine has, often, else anything. */
static uint64_t any_arg(struct fz *f, struct host_vm *vm, struct sched *s)
{
        switch (take8(s) % 5) {
        case 0: return any_pa(f, s);
        case 1: return ram_ipa(vm, s);
        case 2: return ram_ipa(vm, s) | host_vm_shared_bit(vm);
        case 3: return take8(s) % 4;
        default: return take64(s);
        }
}

/* Scribbles over a page the host shares with the Realm (legal: shared memory is the host's). */
static void scribble_shared(struct host_vm *vm, struct fz *f, struct sched *s)
{
        uint64_t pa = host_vm_shared_pa(vm, ram_ipa(vm, s) | host_vm_shared_bit(vm));
        uint8_t junk[64];
        uint64_t off = take16(s) % (4096 - sizeof(junk));
        for (size_t i = 0; i < sizeof(junk); i++)
                junk[i] = take8(s);
        if (pa)
                (void)hw_write(f->mem, HW_WORLD_NS, pa + off, junk, sizeof(junk), NULL);
}

/* One hostile action by the host of VM i, between its exit and its next entry. Returns false
 * when the host also skips handling the exit. */
static bool hostile_action(struct fz *f, unsigned i, struct sched *s)
{
        struct host_vm *vm = f->vm[i], *other = f->vm[(i + 1) % NVM];
        uint64_t rd = host_vm_rd(vm);
        uint8_t op = take8(s);
        switch (op % 16) {
        case 0: rmi(vm, RMI_DATA_DESTROY, rd, ram_ipa(vm, s), 0, 0); break;
        case 1: rmi(vm, RMI_GRANULE_UNDELEGATE, any_pa(f, s), 0, 0, 0); break;
        case 2: rmi(vm, RMI_GRANULE_DELEGATE, any_pa(f, s), 0, 0, 0); break;
        case 3: rmi(vm, RMI_RTT_UNMAP_UNPROTECTED, rd, ram_ipa(vm, s) | host_vm_shared_bit(vm), 3, 0); break;
        case 4: rmi(vm, RMI_RTT_MAP_UNPROTECTED, rd, ram_ipa(vm, s) | host_vm_shared_bit(vm), 3, any_pa(f, s)); break;
        case 5: rmi(vm, RMI_DATA_CREATE_UNKNOWN, rd, any_pa(f, s), ram_ipa(vm, s), 0); break;
        case 6: /* give a granule to the other Realm, as the other Realm's host would */
                rmi(other, RMI_DATA_CREATE_UNKNOWN, host_vm_rd(other), any_pa(f, s), ram_ipa(other, s), 0);
                break;
        case 7: scribble_shared(vm, f, s); break;
        case 8: host_vm_set_entry_flags(vm, host_vm_entry_flags(vm) | RMI_REC_ENTRY_FLAG_INJECT_SEA); break;
        case 9: host_vm_set_entry_flags(vm, host_vm_entry_flags(vm) ^ RMI_REC_ENTRY_FLAG_RIPAS_RESPONSE); break;
        case 10: rmi(vm, RMI_RTT_DESTROY, rd, ram_ipa(vm, s) & ~((2ULL << 20) - 1), 3, 0); break;
        case 11: return false;
        case 12: {
                uint64_t fid = any_fid[take8(s) % (sizeof(any_fid) / sizeof(any_fid[0]))];
                uint64_t a1 = take8(s) & 1 ? rd : any_arg(f, vm, s);
                rmi(vm, fid, a1, any_arg(f, vm, s), any_arg(f, vm, s), any_arg(f, vm, s));
                break;
        }
        default: break; /* honest this time */
        }
        return true;
}

/* One step of VM i: enter, maybe misbehave, handle the exit (or not). */
static void step(struct fz *f, unsigned i, struct sched *s)
{
        struct rmi_rec_exit x;
        bool stop = false, handle = true;
        if (host_vm_enter_once(f->vm[i], &x) != CCADA_OK) {
                f->off[i] = true; /* the host gave up on this Realm: allowed */
                check_step(f, false);
                return;
        }
        check_step(f, false);
        for (unsigned n = s->n ? take8(s) % 3 : 0; n && handle; n--) {
                /* Each action is a fixed-size record, so that a mutation of one action does
                 * not shift the ones after it. */
                struct sched rec = { s->p, s->n < ACTION_BYTES ? s->n : ACTION_BYTES };
                s->p += rec.n, s->n -= rec.n;
                handle = hostile_action(f, i, &rec);
        }
        check_step(f, false);
        if (handle && (host_vm_handle_exit(f->vm[i], &x, &stop) != CCADA_OK || stop))
                f->off[i] = true;
        check_step(f, false);
}

static bool fz_start(struct fz *f)
{
        struct ccada_machine_config cfg;
        ccada_machine_config_default(&cfg);
        cfg.mem_size = 8ULL << 20; /* 2 x 2M of RAM, RTTs, shared pages, room to spare */
        cfg.realm_ram = 2ULL << 20;
        cfg.swiotlb_slabs = 256;
        cfg.disk_ram = true;
        cfg.disk_size = 256ULL << 10; /* what blk-test uses */
        cfg.realms = NVM;
        cfg.check_accesses = true;
        memset(f, 0, sizeof(*f));
        if (ccada_machine_create(&f->m, &cfg) != CCADA_OK)
                return false;
        if (machine_boot(f->m) != CCADA_OK) {
                ccada_machine_destroy(f->m);
                return false;
        }
        f->rmm = machine_rmm(f->m);
        f->mem = machine_mem(f->m);
        for (unsigned i = 0; i < NVM; i++)
                f->vm[i] = machine_vm(f->m, i);
        check_step(f, true);
        return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct fz f;
        struct sched s = { data, size };
        if (!fz_start(&f)) {
                fprintf(stderr, "hostile-host fuzzer: the machine did not boot\n");
                abort();
        }
        unsigned steps = 0, tail = 0;
        for (unsigned n = 0; n < MAX_STEPS && tail < HONEST_TAIL && !(f.off[0] && f.off[1]); n++) {
                unsigned i = n % NVM;
                if (!f.off[i])
                        step(&f, i, &s), steps++;
                tail += !s.n;
        }
        check_step(&f, true);
        if (getenv("CCADA_FUZZ_VERBOSE"))
                fprintf(stderr, "hostile-host fuzzer: %u steps, %zu input bytes left, realms passed: A %s, B %s\n",
                        steps, s.n, machine_realm_passed(f.m, 0) ? "yes" : "no",
                        machine_realm_passed(f.m, 1) ? "yes" : "no");
        ccada_machine_destroy(f.m);
        return 0;
}
