/* Device memory in a Realm's stage 2 between a hostile host and a hostile Realm:
 * RMI_RTT_DEV_MAP / RMI_RTT_DEV_UNMAP / RMI_RTT_DEV_VALIDATE, RSI_VDEV_VALIDATE_MAPPING and its
 * exit, the Realm's accesses to what is mapped. Set up honestly before the input is read (as
 * fuzz_rsi_vdev.c): ccada-dev's PDEV READY with its IDE stream, a Realm (four DATA pages, RIPAS
 * RAM below 0x10000, EMPTY above, one REC running a program that does one thing per request
 * and returns to the host in between) with a level-3 table over [0, 2 MiB) and its VDEV (vdev_id
 * VID, address ranges [WIN, WIN + 16 KiB) and one outside the window) STARTED; the platform's
 * device window [WIN, WIN + WIN_SIZE) is a fake device that records every access and refuses
 * those to BAR0's last granule. The input is a sequence of moves, one byte each with operands after some;
 * an "argument" is one byte: below 0xF0 it picks one of args[] (ids, nonces, IPAs, PAs, the
 * objects), else 8 raw bytes follow.
 *   0 DEV_MAP(rd, vdev, base, top, flags, oaddr)        6 arguments
 *   1 DEV_UNMAP(rd, base, top)                           3 arguments
 *   2 DEV_VALIDATE(rd, rec, base, top)                   4 arguments (no validation waiting)
 *   3 the Realm's RSI_VDEV_VALIDATE_MAPPING              8 arguments; each VDEV request is
 *     answered with RMI_VDEV_COMPLETE, each validation exit by 1 byte n (DEV_VALIDATE calls,
 *     n % 4), per call 1 byte (bit 0: from the progress so far, else an argument base) and a
 *     top argument, then 1 byte (bit 0: DEV_MEM_RESPONSE, reject; bit 1: a DEV_MAP or
 *     DEV_UNMAP move runs too, before the re-entry)
 *   4 the Realm's single-register access: 1 byte (bit 0 write, bits 2:1 size 1/2/4/8), an IPA
 *   5 the Realm's bulk load (16 bytes) at an IPA
 *   6 a VDEV command (1 byte: LOCK, REPORT, START, UNLOCK, DESTROY), relayed honestly
 *   7 the Realm's RSI_IPA_STATE_SET(base, top, ripas byte), the host answering with one
 *     RMI_RTT_SET_RIPAS(base, top argument)
 * Every stage-2 fault exit is answered with an SEA. What must hold after every move: the
 * RMM's invariants (checked inside every call: device entries at level 3, protected, in the
 * window and recorded for their Realm and IPA, each record mapped); a validation that
 * succeeded left RIPAS DEV on exactly [base, X1) mapping pa + offset, and REJECT only when the
 * host rejected short of top; an access reached the device only through an ASSIGNED_DEV entry
 * with RIPAS DEV, at its PA, with the Realm's size, and such an access that completed did reach
 * it; a bulk load never reaches the device; IPA_STATE_SET over device memory is refused
 * without an exit. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "da_rig.h"
#include "fuzz_reader.h"
#include "lib/bytes.h"
#include "proto/rmi_rec_run.h"
#include "rmm/tsm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MEM_BASE 0x80000000ULL
#define MEM_SIZE (2ULL << 20)
#define VID      DA_RIG_VDEV_ID
#define WIN      0x40000000ULL
#define WIN_SIZE 0x8000ULL
#define IPA_DEV  0x100000ULL
#define PAGE     GRANULE_SIZE

/* The set-up (tests/kit/da_rig.c, its fail hook left NULL: abort) on the harness's own small
 * machine; every RMI call checks the RMM's violations and aborts on one. */
struct ctx {
        struct hw_mem *mem;
        struct ccada_rmm *rmm;
        struct da_rig rig;                      /* ccada-dev, its PDEV and the VDEV */
        struct rmi_vdev_params vdev_params;
        struct da_rig_realm realm;
        struct realm_kernel k;                  /* DA_SMC, DA_MMIO_READ/WRITE, DA_LOAD */
        uint64_t args[32];
        struct fuzz_reader rd;                  /* the input (fuzz_reader.h) */
        /* the fake device behind the window */
        unsigned dev_calls;
        uint64_t dev_pa;
        unsigned dev_size;
        bool dev_write;
};

static bool fake_device(void *ctx, uint64_t pa, unsigned size, bool write, uint64_t *val)
{
        struct ctx *c = ctx;
        c->dev_calls++;
        c->dev_pa = pa;
        c->dev_size = size;
        c->dev_write = write;
        if (!write)
                *val = pa ^ 0x5A5A5A5A5A5A5A5AULL;
        return pa < WIN + 0x3000; /* BAR0's last granule does not complete */
}

static uint64_t call(struct ctx *c, uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
        return da_rig_rmi(&c->rig, fid, a1, a2, a3, a4, 0, 0, NULL);
}

/* A VDEV command the host relays honestly; refusals and failed exchanges are the input's. */
static void vdev_cmd(struct ctx *c, uint64_t fid)
{
        (void)da_rig_try_vdev_cmd(&c->rig, fid);
}

/* ---- the input ---- */

static uint8_t byte(struct ctx *c)
{
        return fuzz_byte(&c->rd);
}

static uint64_t arg(struct ctx *c)
{
        return fuzz_arg(&c->rd, c->args, sizeof(c->args) / sizeof(c->args[0]));
}

/* The level-3 entry at ipa (aligned down) as RTT_READ_ENTRY reports it; false if none. */
static bool read_entry(struct ctx *c, uint64_t ipa, uint64_t *state, uint64_t *addr, uint64_t *ripas)
{
        struct smc_regs r;
        if (da_rig_rmi(&c->rig, RMI_RTT_READ_ENTRY, c->realm.rd, ipa & ~GRANULE_MASK, 3, 0, 0, 0, &r) != RMI_SUCCESS || r.x[1] != 3)
                return false;
        *state = r.x[2];
        *addr = r.x[3];
        *ripas = r.x[4];
        return true;
}

static void move_map(struct ctx *c)
{
        uint64_t rd = arg(c), vdev = arg(c), base = arg(c), top = arg(c), flags = arg(c), oaddr = arg(c);
        (void)da_rig_rmi(&c->rig, RMI_RTT_DEV_MAP, rd, vdev, base, top, flags, oaddr, NULL);
}

static void move_unmap(struct ctx *c)
{
        uint64_t rd = arg(c), base = arg(c), top = arg(c);
        (void)da_rig_rmi(&c->rig, RMI_RTT_DEV_UNMAP, rd, base, top, 0, 0, 0, NULL);
}

/* The host's answer to a validation exit; the flags of the re-entry. */
static uint64_t answer_validation(struct ctx *c, uint64_t base)
{
        uint64_t progress = base;
        unsigned n = byte(c) % 4;
        for (unsigned k = 0; k < n; k++) {
                bool honest = byte(c) & 1;
                uint64_t from = honest ? progress : arg(c), to = arg(c);
                struct smc_regs r;
                if (da_rig_rmi(&c->rig, RMI_RTT_DEV_VALIDATE, c->realm.rd, c->realm.rec, from, to, 0, 0, &r) == RMI_SUCCESS) {
                        if (from != progress || r.x[1] <= from || r.x[1] > to)
                                abort(); /* progress only from where it stood, within the call's range */
                        progress = r.x[1];
                }
        }
        uint8_t how = byte(c);
        if (how & 2) {
                if (byte(c) & 1)
                        move_map(c);
                else
                        move_unmap(c);
        }
        return how & 1 ? RMI_REC_ENTRY_FLAG_DEV_MEM_RESPONSE : 0;
}

/* Runs the Realm's request to its end; validation exits answered from the input. */
static void realm_run(struct ctx *c)
{
        uint64_t flags = 0;
        c->k.has_cmd = true;
        for (unsigned round = 0; round < 8 && c->k.has_cmd; round++) {
                uint8_t x[RMI_REC_EXIT_SIZE];
                if (hw_write(c->mem, HW_WORLD_NS, c->realm.run + RMI_REC_ENTRY_FLAGS, &flags, sizeof(flags), NULL) != HW_OK ||
                    call(c, RMI_REC_ENTER, c->realm.rec, c->realm.run, 0, 0) != RMI_SUCCESS ||
                    hw_read(c->mem, HW_WORLD_NS, c->realm.run + RMI_REC_EXIT_OFFSET, x, sizeof(x), NULL) != HW_OK)
                        abort();
                flags = 0;
                switch (rmi_rec_exit_decode_reason(x)) {
                case RMI_EXIT_HOST_CALL: break;
                case RMI_EXIT_VDEV_REQUEST: (void)call(c, RMI_VDEV_COMPLETE, c->realm.rec, c->rig.vdev, 0, 0); break;
                case RMI_EXIT_VDEV_VALIDATE_MAPPING: {
                        struct rmi_rec_exit e;
                        rmi_rec_exit_decode(x, &e);
                        if (c->k.in.x[0] != RSI_VDEV_VALIDATE_MAPPING || e.vdev_id != c->k.in.x[1] ||
                            e.dev_mem_base != c->k.in.x[2] || e.dev_mem_top != c->k.in.x[3] ||
                            e.dev_mem_pa != c->k.in.x[4])
                                abort(); /* the exit names exactly what the Realm asked */
                        flags = answer_validation(c, e.dev_mem_base);
                        break;
                }
                case RMI_EXIT_RIPAS_CHANGE: {
                        uint64_t top = arg(c);
                        (void)call(c, RMI_RTT_SET_RIPAS, c->realm.rd, c->realm.rec, c->k.in.x[1], top);
                        break;
                }
                case RMI_EXIT_SYNC: flags = RMI_REC_ENTRY_FLAG_INJECT_SEA; break;
                default: abort();
                }
        }
        if (c->k.has_cmd)
                abort();
}

static void move_validate_mapping(struct ctx *c)
{
        struct smc_regs in = { .x = { RSI_VDEV_VALIDATE_MAPPING } };
        for (unsigned k = 1; k <= 8; k++)
                in.x[k] = arg(c);
        c->k.op = DA_SMC;
        c->k.in = in;
        realm_run(c);
        const struct smc_regs *out = &c->k.out;
        if (out->x[0] != RSI_SUCCESS)
                return;
        uint64_t base = in.x[2], top = in.x[3], pa = in.x[4], got = out->x[1];
        if (got < base || got > top || got & GRANULE_MASK || (out->x[2] != RSI_ACCEPT && out->x[2] != RSI_REJECT) ||
            (out->x[2] == RSI_REJECT && got == top))
                abort();
        /* nothing ran since the re-entry: what was validated is device memory at the PA asked */
        for (uint64_t ipa = base; ipa < got; ipa += PAGE) {
                uint64_t st, addr, ripas;
                if (!read_entry(c, ipa, &st, &addr, &ripas) || st != RMI_ASSIGNED_DEV || ripas != RMI_DEV ||
                    addr != pa + (ipa - base))
                        abort();
        }
}

static void move_access(struct ctx *c)
{
        static const unsigned sizes[] = { 1, 2, 4, 8 };
        uint8_t how = byte(c);
        uint64_t ipa = arg(c), st = 0, addr = 0, ripas = 0;
        unsigned calls = c->dev_calls;
        c->k.op = how & 1 ? DA_MMIO_WRITE : DA_MMIO_READ;
        c->k.ipa = ipa;
        c->k.size = sizes[(how >> 1) & 3];
        c->k.val = 0x1122334455667788ULL;
        realm_run(c);
        bool dev = read_entry(c, ipa, &st, &addr, &ripas) && st == RMI_ASSIGNED_DEV && ripas == RMI_DEV &&
                   ipa < 1ULL << 39;
        if (c->dev_calls != calls) {
                if (c->dev_calls != calls + 1 || !dev || c->dev_pa != addr + (ipa & GRANULE_MASK) ||
                    c->dev_size != c->k.size || c->dev_write != (bool)(how & 1))
                        abort();
        } else if (dev && c->k.res == CPU_OK) {
                abort(); /* a completed access to validated device memory that never reached it */
        }
}

static void move_load(struct ctx *c)
{
        unsigned calls = c->dev_calls;
        c->k.op = DA_LOAD;
        c->k.ipa = arg(c);
        realm_run(c);
        if (c->dev_calls != calls)
                abort();
}

/* Whether an entry of [base, top) within the level-3 table is ASSIGNED_DEV (the harness's
 * Realm has one level-3 table, over [0, 2 MiB)). */
static bool has_dev(struct ctx *c, uint64_t base, uint64_t top)
{
        for (uint64_t ipa = base; ipa < top && ipa < (2ULL << 20); ipa += PAGE) {
                uint64_t st, addr, ripas;
                if (read_entry(c, ipa, &st, &addr, &ripas) && st == RMI_ASSIGNED_DEV)
                        return true;
        }
        return false;
}

static void move_ipa_state_set(struct ctx *c)
{
        uint64_t base = arg(c), top = arg(c);
        uint8_t ripas = byte(c) % 3;
        /* (looked at for ranges of up to 64 pages: each look is an RMI call with the invariants) */
        bool dev = !(base & GRANULE_MASK) && base < top && top <= (2ULL << 20) && top - base <= 64 * PAGE &&
                   has_dev(c, base, top);
        c->k.op = DA_SMC;
        c->k.in = (struct smc_regs){ .x = { RSI_IPA_STATE_SET, base, top, ripas, 0 } };
        realm_run(c);
        if (dev && c->k.out.x[0] != RSI_ERROR_INPUT)
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static struct ctx c;
        struct rmm_config rc;
        memset(&c, 0, sizeof(c));
        rmm_config_default(&rc);
        rc.da = true;
        rc.check_invariants = true;
        if (!hw_mem_create(&c.mem, MEM_BASE, MEM_SIZE, NULL) || !rmm_create(&c.rmm, c.mem, NULL, &rc) ||
            !rmm_platform_dev_mem(c.rmm, WIN, WIN_SIZE, fake_device, &c))
                abort();
        da_rig_init(&c.rig, &(struct da_rig_config){ .mem = c.mem, .rmm = c.rmm, .ns_base = MEM_BASE,
                                                     .ns_granules = MEM_SIZE / GRANULE_SIZE, .seed = "fuzz" });
        da_rig_pdev_ready_with_stream(&c.rig);
        da_rig_realm_up(&c.rig, &c.realm, &c.k);       /* RIPAS EMPTY above: device memory goes there */
        da_rig_vdev_params_default(&c.vdev_params);
        c.vdev_params.num_addr_range = 2;
        c.vdev_params.range[0].base = WIN;              /* BAR0 */
        c.vdev_params.range[0].top = WIN + 0x4000;
        c.vdev_params.range[1].base = WIN + WIN_SIZE;   /* outside the window */
        c.vdev_params.range[1].top = WIN + WIN_SIZE + 0x4000;
        da_rig_vdev_started(&c.rig, c.realm.rd, &c.vdev_params);
        const uint64_t interesting[] = {
                VID, 0, 1, 2, 3, RMI_ADDR_TYPE_SINGLE, IPA_DEV, IPA_DEV + PAGE, IPA_DEV + 2 * PAGE, IPA_DEV + 4 * PAGE,
                IPA_DEV + 0x10, 0x1000, 0x8000, 0x200000, 1ULL << 39, (1ULL << 39) + IPA_DEV, WIN, WIN + PAGE,
                WIN + 2 * PAGE, WIN + 0x4000, WIN + WIN_SIZE - PAGE, WIN + WIN_SIZE, WIN + 0x20, c.realm.data_pa[1],
                c.realm.rd, c.rig.vdev, c.realm.rec, c.rig.pdev, (2ULL << 20) - PAGE, 2ULL << 20,
                UINT64_MAX - PAGE + 1, 4 };
        _Static_assert(sizeof(interesting) == sizeof(c.args), "32 interesting arguments");
        memcpy(c.args, interesting, sizeof(c.args));
        c.rd = (struct fuzz_reader){ .in = data, .size = size };
        while (c.rd.i < size) {
                switch (byte(&c) % 8) {
                case 0: move_map(&c); break;
                case 1: move_unmap(&c); break;
                case 2: {
                        uint64_t rd = arg(&c), rec = arg(&c), base = arg(&c), top = arg(&c);
                        (void)call(&c, RMI_RTT_DEV_VALIDATE, rd, rec, base, top);
                        break;
                }
                case 3: move_validate_mapping(&c); break;
                case 4: move_access(&c); break;
                case 5: move_load(&c); break;
                case 6: {
                        static const uint64_t fids[] = { RMI_VDEV_LOCK, RMI_VDEV_GET_INTERFACE_REPORT, RMI_VDEV_START,
                                                         RMI_VDEV_UNLOCK, RMI_VDEV_DESTROY };
                        vdev_cmd(&c, fids[byte(&c) % 5]);
                        break;
                }
                default: move_ipa_state_set(&c); break;
                }
        }
        rmm_destroy(c.rmm);
        da_rig_fini(&c.rig);
        hw_mem_destroy(c.mem);
        return 0;
}
