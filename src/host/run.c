/* The VMM's REC loop: REC_ENTER, read RmiRecExit from the run page (the host's own NS
 * memory), handle the exit, enter again. Each step is its own call (host_vm_enter_once,
 * host_vm_handle_exit) so that a test or a fuzzer can act between two entries.
 * DEN0137 1.0 A4.3 (exits), A5.4 (RIPAS change). */
#include <string.h>

#include "host/guest_mem.h"
#include "host/vm_internal.h"
#include "lib/bytes.h"
#include "proto/hostcall.h"

/* The run page is the host's own NS memory. Like Linux KVM (which keeps rec->run and reads
 * run->exit.esr, writes run->enter.gprs[0], one field at a time) the host maps it and reads
 * and writes in place only the fields it uses; the mapping is taken again around every
 * REC_ENTER, as hw_map's check holds only until the next RMI call. */
static ccada_status map_run(struct host_vm *vm, enum hw_access access, uint8_t **run)
{
        void *p;
        if (hw_map(vm->mem, HW_WORLD_NS, vm->run, RMI_REC_RUN_SIZE, access, &p, NULL) != HW_OK)
                return CCADA_E_GPF;
        *run = p;
        return CCADA_OK;
}

/* entry.flags and the GPRs this entry answers with (A4.2); the GICv3 fields, which the
 * model's host never sets, and GPRs it does not answer with stay as they are. */
static ccada_status write_entry(struct host_vm *vm, const struct rmi_rec_entry *e)
{
        uint8_t *run;
        ccada_status st = map_run(vm, HW_ACCESS_WRITE, &run);
        if (st == CCADA_OK)
                rmi_rec_entry_encode_used(e, vm->next_gprs, run + RMI_REC_ENTRY_OFFSET);
        return st;
}

/* exit_reason, then the fields that reason defines (DEN0137 1.0 A4.3); everything else in
 * *x is zero, whatever the page holds there. */
static ccada_status read_exit(struct host_vm *vm, struct rmi_rec_exit *x)
{
        uint8_t *run;
        unsigned fields = 0, ngprs = 0;
        ccada_status st = map_run(vm, HW_ACCESS_READ, &run);
        if (st != CCADA_OK)
                return st;
        const uint8_t *exit_half = run + RMI_REC_EXIT_OFFSET;
        switch (rmi_rec_exit_decode_reason(exit_half)) {
        case RMI_EXIT_SYNC: /* gprs[0]: the value of an emulatable write */
                fields = RMI_REC_EXIT_FIELDS_SYNDROME;
                ngprs = 1;
                break;
        case RMI_EXIT_SERROR: fields = RMI_REC_EXIT_FIELDS_SYNDROME; break;
        case RMI_EXIT_PSCI: ngprs = 4; break; /* the PSCI function id and its arguments */
        case RMI_EXIT_RIPAS_CHANGE: fields = RMI_REC_EXIT_FIELDS_RIPAS; break;
        case RMI_EXIT_HOST_CALL:
                fields = RMI_REC_EXIT_FIELDS_IMM;
                ngprs = RMI_REC_NUM_GPRS;
                break;
        case RMI_EXIT_VDEV_REQUEST: fields = RMI_REC_EXIT_FIELDS_VDEV; break;
        case RMI_EXIT_VDEV_VALIDATE_MAPPING: fields = RMI_REC_EXIT_FIELDS_VDEV | RMI_REC_EXIT_FIELDS_DEV_MEM; break;
        default: break; /* IRQ, FIQ: the reason alone */
        }
        rmi_rec_exit_decode_used(exit_half, fields, ngprs, x);
        return CCADA_OK;
}

/* An emulatable data abort (ISV=1) on an emulated device: do the access. */
static void handle_mmio(struct host_vm *vm, const struct rmi_rec_exit *x, uint64_t ipa, struct rmi_rec_entry *e)
{
        unsigned size = 1u << ((x->esr & ESR_SAS_MASK) >> ESR_SAS_SHIFT);
        bool write = x->esr & ESR_WNR;
        uint64_t val = write ? x->gprs[0] : 0;

        if (!host_mmio_access(vm, ipa & ~vm->shared_bit, size, write, &val)) {
                e->flags |= RMI_REC_ENTRY_FLAG_INJECT_SEA;
                return;
        }
        e->flags |= RMI_REC_ENTRY_FLAG_EMUL_MMIO;
        e->gprs[0] = val;
        vm->next_gprs = 1;
}

/* A stage-2 fault the host may fix by giving memory; otherwise an SEA for the Realm. */
static void handle_abort(struct host_vm *vm, uint64_t ipa, struct rmi_rec_entry *e)
{
        uint64_t i;
        bool fixed = false;
        if (host_ram_index(vm, ipa, &i)) {
                if (!(ipa & vm->shared_bit) && !vm->prot_pa[i] && !vm->shared_pa[i])
                        fixed = host_populate_page(vm, ipa & ~GRANULE_MASK) == CCADA_OK;
        }
        if (!fixed)
                e->flags |= RMI_REC_ENTRY_FLAG_INJECT_SEA;
}

static void handle_sync(struct host_vm *vm, const struct rmi_rec_exit *x, struct rmi_rec_entry *e)
{
        uint64_t ec = (x->esr & ESR_EC_MASK) >> ESR_EC_SHIFT;
        if (ec == ESR_EC_WFX) {
                (void)host_vm_idle(vm); /* the guest re-checks what it waits for */
                return;
        }
        if (ec != ESR_EC_DABT_LOWER) {
                e->flags |= RMI_REC_ENTRY_FLAG_INJECT_SEA;
                return;
        }
        uint64_t ipa = ((x->hpfar >> HPFAR_FIPA_SHIFT) << GRANULE_SHIFT) | (x->far & GRANULE_MASK);
        if (x->esr & ESR_ISV)
                handle_mmio(vm, x, ipa, e);
        else
                handle_abort(vm, ipa, e);
}

/* RIPAS_CHANGE: apply it with RTT_SET_RIPAS and move the backing memory (A5.4.2). */
static ccada_status handle_ripas(struct host_vm *vm, const struct rmi_rec_exit *x, struct rmi_rec_entry *e)
{
        struct smc_regs r;
        vm->stats.ripas_changes++;
        if (x->ripas_value == RMI_RAM && vm->cfg.reject_ripas_ram) {
                e->flags |= RMI_REC_ENTRY_FLAG_RIPAS_RESPONSE;
                return CCADA_OK;
        }
        uint64_t base = x->ripas_base, tables_at = UINT64_MAX;
        while (base < x->ripas_top) {
                uint64_t x0 = host_rmi(vm, RMI_RTT_SET_RIPAS, vm->rd, vm->rec, base, x->ripas_top, 0, &r);
                /* DEN0137 1.0 B4.3.21: ERROR_RTT below level 3 (base_align, or no_progress
                 * with top inside a block) asks for tables down to level 3, then again; at
                 * level 3 it is no_progress at a DESTROYED page the Realm asked not to
                 * change, and the Realm sees new_base < top. */
                if (RMI_STATUS(x0) == RMI_ERROR_RTT && RMI_INDEX(x0) < 3 && tables_at != base) {
                        ccada_status st = host_ensure_rtt(vm, base, 3);
                        if (st != CCADA_OK)
                                return st;
                        tables_at = base;
                        continue;
                }
                if (RMI_STATUS(x0) == RMI_ERROR_RTT)
                        break;
                if (x0 != RMI_SUCCESS) {
                        host_log(vm, "RMI_RTT_SET_RIPAS failed: %s", rmi_status_name(RMI_STATUS(x0)));
                        return CCADA_E_RMM;
                }
                for (uint64_t ipa = base; ipa < r.x[1]; ipa += GRANULE_SIZE) {
                        uint64_t i;
                        if (!host_ram_index(vm, ipa, &i))
                                continue; /* not RAM the host backs: nothing to move */
                        ccada_status st = x->ripas_value == RMI_EMPTY ? host_share_page(vm, ipa)
                                                                      : host_unshare_page(vm, ipa);
                        if (st != CCADA_OK)
                                return st;
                }
                if (r.x[1] == base)
                        break; /* no progress with RIPAS already right: nothing more to do */
                base = r.x[1];
        }
        return CCADA_OK;
}

/* The PA behind a guest page that is not shared: a Realm's protected page (a DATA granule
 * the host gave; not the host's to touch), a normal VM's RAM (the host's own). 0: none. */
static uint64_t peek_private_pa(const struct host_vm *vm, uint64_t ipa)
{
        uint64_t i;
        if (!vm->normal)
                return host_vm_private_pa(vm, ipa);
        return host_ram_index(vm, ipa, &i) && vm->ram_pa[i] ? vm->ram_pa[i] + (ipa & GRANULE_MASK) : 0;
}

/* Bytes into gprs[first..], 8 to a little-endian word (zero beyond len). */
static void bytes_to_words(const uint8_t *buf, size_t len, uint64_t *gprs, unsigned first)
{
        uint8_t w[HOSTCALL_PEEK_MAX] = { 0 };
        memcpy(w, buf, len);
        for (unsigned i = 0; i < HOSTCALL_PEEK_MAX / 8; i++)
                gprs[first + i] = ld_le64(w + 8 * i);
}

/* One try on the private page as the NS world: HOSTCALL_PEEK_FAULTED (a granule protection
 * fault: a Realm's page), HOSTCALL_PEEK_DONE (it worked: a normal VM's), 0 (no page). */
static uint64_t peek_private(struct host_vm *vm, uint64_t pa, uint8_t *buf, size_t len, bool write)
{
        struct hw_fault f;
        if (!pa)
                return 0;
        enum hw_result h = write ? hw_write(vm->mem, HW_WORLD_NS, pa, buf, len, &f)
                                 : hw_read(vm->mem, HW_WORLD_NS, pa, buf, len, &f);
        return h == HW_GPF ? HOSTCALL_PEEK_FAULTED : h == HW_OK ? HOSTCALL_PEEK_DONE : 0;
}

/* HOSTCALL_DEMO_PEEK (proto/hostcall.h): read the shared page, read and write the private
 * one, as the NS world, and say what was read. In a Realm the first works and the others
 * are granule protection faults; in a normal VM all of them work. */
static void handle_peek(struct host_vm *vm, const uint64_t in[31], uint64_t out[31])
{
        uint8_t buf[HOSTCALL_PEEK_MAX] = { 0 };
        size_t len = in[2] < sizeof(buf) ? (size_t)in[2] : sizeof(buf);
        uint64_t pa = peek_private_pa(vm, in[1]);

        out[0] = len && host_gpa_read(vm, in[0], buf, len) == CCADA_OK;
        bytes_to_words(buf, out[0] ? len : 0, out, HOSTCALL_PEEK_SHARED_WORDS);
        memset(buf, 0, sizeof(buf));
        out[1] = len ? peek_private(vm, pa, buf, len, false) : 0;
        bytes_to_words(buf, out[1] == HOSTCALL_PEEK_DONE ? len : 0, out, HOSTCALL_PEEK_PRIVATE_WORDS);
        memset(buf, 0x66, sizeof(buf));
        out[2] = len ? peek_private(vm, pa, buf, len, true) : 0;
        vm->stats.peek_shared_ok += out[0];
        vm->stats.peek_private_read_gpf += out[1] == HOSTCALL_PEEK_FAULTED;
        vm->stats.peek_private_write_gpf += out[2] == HOSTCALL_PEEK_FAULTED;
        vm->stats.peek_private_read_ok += out[1] == HOSTCALL_PEEK_DONE;
        vm->stats.peek_private_write_ok += out[2] == HOSTCALL_PEEK_DONE;
}

void host_serve_call(struct host_vm *vm, uint16_t imm, const uint64_t in[31], uint64_t out[31])
{
        if (trace_on(vm->tr, HOST_TRACE_HOST_CALL))
                trace_emit(vm->tr, HOST_TRACE_HOST_CALL, "imm=0x%x x0=0x%llx x1=0x%llx", imm,
                           (unsigned long long)in[0], (unsigned long long)in[1]);
        memcpy(out, in, 31 * sizeof(uint64_t)); /* unknown calls: returned unchanged */
        if (imm == HOSTCALL_DEMO_PEEK)
                handle_peek(vm, in, out);
        else if (vm->cfg.call_hook)
                vm->cfg.call_hook(vm->cfg.call_hook_ctx, imm, in, out);
}

static void handle_host_call(struct host_vm *vm, const struct rmi_rec_exit *x, struct rmi_rec_entry *e)
{
        _Static_assert(sizeof(x->gprs) == 31 * sizeof(uint64_t) && sizeof(e->gprs) == sizeof(x->gprs),
                       "a host call carries 31 GPRs each way");
        host_serve_call(vm, x->imm, x->gprs, e->gprs);
        vm->next_gprs = RMI_REC_NUM_GPRS;
}

/* Returns true when the loop must stop (the Realm is off). */
static bool handle_psci(struct host_vm *vm, const struct rmi_rec_exit *x)
{
        uint64_t fid = x->gprs[0];
        if (fid == PSCI_SYSTEM_OFF || fid == PSCI_SYSTEM_RESET || fid == PSCI_CPU_OFF) {
                vm->stats.powered_off = true;
                return true;
        }
        /* CPU_ON / AFFINITY_INFO for another REC: this VMM runs a single REC. */
        struct smc_regs r;
        (void)host_rmi(vm, RMI_PSCI_COMPLETE, vm->rec, vm->rec, (uint64_t)(int64_t)PSCI_RET_DENIED, 0, 0, &r);
        return false;
}

/* The Realm names a device: the host answers with the VDEV it created for that vdev_id
 * (RMI_VDEV_COMPLETE), or re-enters without an answer (the RSI call then fails). */
static void handle_vdev_request(struct host_vm *vm, const struct rmi_rec_exit *x)
{
        uint64_t vdev = vm->cfg.vdev_lookup ? vm->cfg.vdev_lookup(vm->cfg.call_hook_ctx, x->vdev_id) : 0;
        if (!vdev)
                return;
        uint64_t x0 = host_rmi(vm, RMI_VDEV_COMPLETE, vm->rec, vdev, 0, 0, 0, NULL);
        if (x0 != RMI_SUCCESS)
                host_log(vm, "RMI_VDEV_COMPLETE for vdev_id %llu failed: %s", (unsigned long long)x->vdev_id,
                         rmi_status_name(RMI_STATUS(x0)));
}

/* The Realm asks to validate device memory it was told of: the host has mapped it
 * (RMI_RTT_DEV_MAP) and now lets the RMM check each page against the range the Realm named
 * (RMI_RTT_DEV_VALIDATE), page table by page table. Whatever the RMM refuses ends the walk
 * and the host answers REJECT; the Realm sees how far it got. */
static void handle_dev_mem(struct host_vm *vm, const struct rmi_rec_exit *x, struct rmi_rec_entry *e)
{
        struct smc_regs r;
        uint64_t base = x->dev_mem_base;
        vm->stats.dev_mem_validations++;
        while (base < x->dev_mem_top) {
                uint64_t x0 = host_rmi(vm, RMI_RTT_DEV_VALIDATE, vm->rd, vm->rec, base, x->dev_mem_top, 0, &r);
                if (x0 != RMI_SUCCESS || r.x[1] <= base || r.x[1] > x->dev_mem_top) {
                        host_log(vm, "RMI_RTT_DEV_VALIDATE at IPA 0x%llx (vdev_id %llu): %s: rejecting",
                                 (unsigned long long)base, (unsigned long long)x->vdev_id,
                                 x0 != RMI_SUCCESS ? rmi_status_name(RMI_STATUS(x0)) : "no progress");
                        e->flags |= RMI_REC_ENTRY_FLAG_DEV_MEM_RESPONSE;
                        return;
                }
                base = r.x[1];
        }
}

static ccada_status handle_exit(struct host_vm *vm, const struct rmi_rec_exit *x, struct rmi_rec_entry *e,
                                bool *stop)
{
        switch (x->reason) {
        case RMI_EXIT_SYNC: handle_sync(vm, x, e); return CCADA_OK;
        case RMI_EXIT_RIPAS_CHANGE: return handle_ripas(vm, x, e);
        case RMI_EXIT_HOST_CALL: handle_host_call(vm, x, e); return CCADA_OK;
        case RMI_EXIT_PSCI: *stop = handle_psci(vm, x); return CCADA_OK;
        case RMI_EXIT_VDEV_REQUEST: handle_vdev_request(vm, x); return CCADA_OK;
        case RMI_EXIT_VDEV_VALIDATE_MAPPING: handle_dev_mem(vm, x, e); return CCADA_OK;
        case RMI_EXIT_IRQ:
        case RMI_EXIT_FIQ: return CCADA_OK;
        default:
                host_log(vm, "unexpected REC exit %s", rmi_exit_reason_name(x->reason));
                return CCADA_E_PEER;
        }
}

/* What the host writes when it has nothing to say: trap WFI, no GPRs. */
static void entry_reset(struct host_vm *vm)
{
        memset(&vm->next, 0, sizeof(vm->next));
        vm->next.flags = RMI_REC_ENTRY_FLAG_TRAP_WFI;
        vm->next_gprs = 0;
}

static bool has_realm(const struct host_vm *vm)
{
        return vm->created && !vm->normal;
}

static ccada_status enter_rec(struct host_vm *vm, struct rmi_rec_exit *x)
{
        ccada_status st = write_entry(vm, &vm->next);
        if (st != CCADA_OK)
                return st;
        uint64_t x0 = host_rmi(vm, RMI_REC_ENTER, vm->rec, vm->run, 0, 0, 0, NULL);
        if (x0 != RMI_SUCCESS) {
                host_log(vm, "RMI_REC_ENTER failed: %s", rmi_status_name(RMI_STATUS(x0)));
                return CCADA_E_RMM;
        }
        entry_reset(vm); /* consumed */
        if ((st = read_exit(vm, x)) != CCADA_OK)
                return st;
        vm->stats.exits[x->reason <= RMI_EXIT_LAST ? x->reason : RMI_EXIT_SERROR]++;
        return CCADA_OK;
}

ccada_status host_vm_enter_once(struct host_vm *vm, struct rmi_rec_exit *x)
{
        memset(x, 0, sizeof(*x));
        if (!has_realm(vm))
                return CCADA_E_STATE;
        struct trace_who saved = host_trace_enter(vm);
        ccada_status st = enter_rec(vm, x);
        host_trace_leave(vm, saved);
        return st;
}

ccada_status host_vm_handle_exit(struct host_vm *vm, const struct rmi_rec_exit *x, bool *stop)
{
        *stop = false;
        if (!has_realm(vm))
                return CCADA_E_STATE;
        struct trace_who saved = host_trace_enter(vm);
        entry_reset(vm);
        ccada_status st = handle_exit(vm, x, &vm->next, stop);
        host_trace_leave(vm, saved);
        return st;
}

uint64_t host_vm_entry_flags(const struct host_vm *vm)
{
        return vm->next.flags;
}

void host_vm_set_entry_flags(struct host_vm *vm, uint64_t flags)
{
        vm->next.flags = flags;
}

ccada_status host_vm_run(struct host_vm *vm)
{
        ccada_status st;
        bool stop = false;

        if (!vm->created)
                return CCADA_E_STATE;
        if (vm->normal)
                return host_vm_run_normal(vm);
        do {
                struct rmi_rec_exit x;
                st = host_vm_enter_once(vm, &x);
                if (st == CCADA_OK)
                        st = host_vm_handle_exit(vm, &x, &stop);
        } while (st == CCADA_OK && !stop);
        return st;
}

void host_vm_get_stats(const struct host_vm *vm, struct host_vm_stats *st)
{
        *st = vm->stats;
}

uint64_t host_vm_private_pa(const struct host_vm *vm, uint64_t ipa)
{
        uint64_t i;
        if (!vm->prot_pa || (ipa & vm->shared_bit) || !host_ram_index(vm, ipa, &i))
                return 0;
        return vm->prot_pa[i] ? vm->prot_pa[i] + (ipa & GRANULE_MASK) : 0;
}

uint64_t host_vm_shared_pa(const struct host_vm *vm, uint64_t ipa)
{
        uint64_t i;
        if (!vm->shared_pa || !host_ram_index(vm, ipa, &i))
                return 0;
        return vm->shared_pa[i] ? vm->shared_pa[i] + (ipa & GRANULE_MASK) : 0;
}

uint64_t host_vm_shared_bit(const struct host_vm *vm) { return vm->shared_bit; }

void host_vm_ram(const struct host_vm *vm, uint64_t *base, uint64_t *size)
{
        *base = vm->created ? vm->cfg.ram_base : 0;
        *size = vm->created ? vm->cfg.ram_size : 0;
}

uint64_t host_vm_rd(const struct host_vm *vm) { return vm->rd; }
uint64_t host_vm_rec(const struct host_vm *vm) { return vm->rec; }
uint64_t host_vm_run_pa(const struct host_vm *vm) { return vm->run; }
struct ccada_rmm *host_vm_rmm(struct host_vm *vm) { return vm->rmm; }
