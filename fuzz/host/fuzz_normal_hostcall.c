/* The host serving a normal VM's host calls (src/host/normal_vm.c, HOSTCALL_VENDOR_HYP_FID):
 * the guest is hostile to the host and chooses everything: the block's guest-physical
 * address (misaligned, outside RAM, straddling its end), the block's bytes (the call's imm
 * and 31 GPRs: for the demo's peek, addresses and a length the host then reads and writes).
 *
 * Checked after each call (a finding aborts):
 *  - x0 is SMCCC_RET_SUCCESS exactly when the block is 8-aligned and lies inside the guest's
 *    RAM, else HOSTCALL_RET_INVALID_PARAMETER;
 *  - on success the block holds the answer: the imm unchanged; for a call other than the
 *    peek every GPR as the guest wrote it, except gprs[0] = 1 for a benchmark figure
 *    (HOSTCALL_BENCH_SAMPLE), which the VMM's owner took; for the peek, answers that are
 *    among the values hostcall.h allows, and no byte of RAM outside the block and the
 *    private page the peek names was changed;
 *  - every served call the VMM does not serve itself reaches the owner's hook (the
 *    config's call_hook), once, with the guest's GPRs and an answer that starts as their
 *    copy;
 *  - on failure no byte of RAM changed;
 *  - the host counts one HOST_CALL exit per call.
 *
 * Input: records of 12 bytes (a 4-byte GPA offset from the RAM base, signed so it can fall
 * below it; a 2-byte imm selector: low bits 01 = the peek, 11 = a benchmark figure, else
 * that imm (moved off the two); then 6 bytes: the peek's shared and
 * private page numbers and its length) followed by up to 64 bytes of GPR values. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ccada/rsi.h"
#include "ccada/smc.h"
#include "host/host.h"
#include "hw/hw.h"
#include "lib/bytes.h"
#include "proto/hostcall.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RAM_BASE 0x80000000ull
#define RAM_SIZE (64ull << 10)       /* small: every call snapshots all of it twice */
#define MEM_SIZE (1ull << 20)
#define REC_BYTES 76u

struct fz {
        const uint8_t *data;
        size_t size;
        uint8_t *before, *after;
        size_t hooked, expect_hooked;   /* calls the owner's hook got; served calls it should get */
};

static void finding(const char *what)
{
        (void)what;
        abort();
}

static void snapshot(struct ccada_cpu *cpu, uint8_t *to)
{
        if (cpu_load(cpu, RAM_BASE, to, RAM_SIZE) != CPU_OK)
                finding("the guest cannot read its own RAM");
}

/* Every byte of RAM outside [lo, hi) and outside the page at priv is as before. */
static void only_changed(const struct fz *f, uint64_t lo, uint64_t hi, uint64_t priv)
{
        for (uint64_t i = 0; i < RAM_SIZE; i++) {
                uint64_t gpa = RAM_BASE + i;
                if ((gpa >= lo && gpa < hi) || (priv && gpa >= priv && gpa < priv + 4096))
                        continue;
                if (f->before[i] != f->after[i])
                        finding("the host wrote guest RAM the call did not name");
        }
}

/* The VMM's owner, as the machine is: takes a benchmark figure (answers 1), leaves the rest. */
static void owner_hook(void *ctx, uint16_t imm, const uint64_t in[31], uint64_t out[31])
{
        struct fz *f = ctx;
        if (memcmp(in, out, 31 * sizeof(uint64_t)))
                finding("the owner's hook got an answer that is not a copy of the call");
        f->hooked++;
        if (imm == HOSTCALL_BENCH_SAMPLE)
                out[0] = 1;
}

static uint16_t other_imm(const uint8_t *sel)
{
        uint16_t imm = ld_le16(sel);
        return imm == HOSTCALL_DEMO_PEEK || imm == HOSTCALL_BENCH_SAMPLE ? (uint16_t)(imm ^ 0x100) : imm;
}

static void one_call(struct fz *f, struct ccada_cpu *cpu, const uint8_t *rec, const uint8_t *gprs, size_t ngpr_bytes)
{
        int32_t off = (int32_t)ld_le32(rec);
        uint64_t gpa = RAM_BASE + (uint64_t)(int64_t)off;
        bool peek = (rec[4] & 3) == 1, bench = (rec[4] & 3) == 3;
        uint64_t shared = RAM_BASE + (uint64_t)(rec[6] % 20) * 4096, priv = RAM_BASE + (uint64_t)(rec[7] % 20) * 4096;
        uint64_t len = ld_le32(rec + 8) & 0xFFu;
        uint8_t block[RSI_HOST_CALL_SIZE] = { 0 };
        bool in_ram = !(gpa & 7) && gpa >= RAM_BASE && gpa + RSI_HOST_CALL_SIZE <= RAM_BASE + RAM_SIZE;

        st_le16(block + RSI_HOST_CALL_IMM, peek ? HOSTCALL_DEMO_PEEK : bench ? HOSTCALL_BENCH_SAMPLE : other_imm(rec + 4));
        for (size_t i = 0; i < ngpr_bytes && i < 8 * RSI_HOST_CALL_NUM_GPRS; i++)
                block[RSI_HOST_CALL_GPRS + i] = gprs[i];
        if (peek) {
                st_le64(block + RSI_HOST_CALL_GPRS, shared);
                st_le64(block + RSI_HOST_CALL_GPRS + 8, priv);
                st_le64(block + RSI_HOST_CALL_GPRS + 16, len);
        }
        if (in_ram && cpu_store(cpu, gpa, block, sizeof(block)) != CPU_OK)
                finding("the guest cannot write its own RAM");
        snapshot(cpu, f->before);
        struct smc_regs r = { .x = { HOSTCALL_VENDOR_HYP_FID, gpa } };
        cpu_smc(cpu, &r);
        snapshot(cpu, f->after);
        if (!in_ram) {
                if (r.x[0] != HOSTCALL_RET_INVALID_PARAMETER)
                        finding("a block outside RAM or misaligned was served");
                if (memcmp(f->before, f->after, RAM_SIZE))
                        finding("a refused call changed guest RAM");
                return;
        }
        if (r.x[0] != SMCCC_RET_SUCCESS)
                finding("a block inside RAM was refused");
        uint8_t back[RSI_HOST_CALL_SIZE];
        if (cpu_load(cpu, gpa, back, sizeof(back)) != CPU_OK)
                finding("the block cannot be read back");
        if (ld_le16(back + RSI_HOST_CALL_IMM) != ld_le16(block + RSI_HOST_CALL_IMM))
                finding("the imm changed");
        if (!peek) {
                f->expect_hooked++;
                if (bench)
                        st_le64(block + RSI_HOST_CALL_GPRS, 1); /* the owner took the figure */
                if (memcmp(back, block, sizeof(block)))
                        finding("an unknown call's GPRs were not returned unchanged");
                only_changed(f, gpa, gpa + RSI_HOST_CALL_SIZE, 0);
                return;
        }
        uint64_t a1 = ld_le64(back + RSI_HOST_CALL_GPRS + 8), a2 = ld_le64(back + RSI_HOST_CALL_GPRS + 16);
        uint64_t a0 = ld_le64(back + RSI_HOST_CALL_GPRS);
        if (a0 > 1 || a1 > HOSTCALL_PEEK_DONE || a2 > HOSTCALL_PEEK_DONE)
                finding("a peek answer outside what hostcall.h allows");
        only_changed(f, gpa, gpa + RSI_HOST_CALL_SIZE, a2 == HOSTCALL_PEEK_DONE ? priv : 0);
}

static void guest(struct realm_kernel *kctx, struct ccada_cpu *cpu, uint64_t pc, const uint64_t x[8])
{
        struct fz *f = (struct fz *)(void *)kctx;
        (void)pc;
        (void)x;
        for (size_t at = 0; at + 12 <= f->size;) {
                size_t n = f->size - at - 12 < 64 ? f->size - at - 12 : 64;
                one_call(f, cpu, f->data + at, f->data + at + 12, n);
                at += 12 + n;
        }
        struct smc_regs off = { .x = { PSCI_SYSTEM_OFF } };
        cpu_smc(cpu, &off);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct hw_mem *mem;
        struct host_vm *vm;
        struct host_vm_config cfg;
        struct fz f = { .data = data, .size = size };
        struct host_vm_stats st;

        f.before = malloc(RAM_SIZE);
        f.after = malloc(RAM_SIZE);
        if (!f.before || !f.after || !hw_mem_create(&mem, RAM_BASE, MEM_SIZE, NULL))
                abort();
        if (host_vm_create(&vm, mem, NULL, NULL) != CCADA_OK)
                abort();
        host_vm_config_default(&cfg);
        cfg.ram_size = RAM_SIZE;
        cfg.call_hook = owner_hook;
        cfg.call_hook_ctx = &f;
        struct ccada_realm_program prog = { .entry = guest, .kernel = (struct realm_kernel *)(void *)&f };
        if (host_vm_create_normal(vm, &cfg, &prog) != CCADA_OK)
                abort();
        if (host_vm_run(vm) != CCADA_OK)
                finding("the guest did not power off");
        host_vm_get_stats(vm, &st);
        size_t calls = 0;
        for (size_t at = 0; at + 12 <= size; calls++)
                at += 12 + (size - at - 12 < 64 ? size - at - 12 : 64);
        if (st.exits[RMI_EXIT_HOST_CALL] != calls)
                finding("one HOST_CALL exit per call");
        if (f.hooked != f.expect_hooked)
                finding("a served call the VMM does not serve itself missed the owner's hook, or reached it twice");
        host_vm_destroy(vm);
        hw_mem_destroy(mem);
        free(f.before);
        free(f.after);
        return 0;
}
