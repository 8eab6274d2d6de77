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

#include "ccada/cpu.h"
#include "ccada/rmi.h"
#include "ccada/rsi.h"
#include "device/pdev.h"
#include "host/doe_relay.h"
#include "hw/hw.h"
#include "hw/ide.h"
#include "hw/pcie.h"
#include "lib/bytes.h"
#include "lib/ec.h"
#include "lib/x509_chain.h"
#include "proto/rmi_da.h"
#include "proto/rmi_params.h"
#include "proto/rmi_rec_run.h"
#include "rmm/rmm.h"
#include "rmm/tsm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MEM_BASE 0x80000000ULL
#define MEM_SIZE (2ULL << 20)
#define BDF      HW_PCIE_BDF(0, 3, 0)
#define RP_RID   HW_PCIE_BDF(0, 1, 0)
#define VID      0x77
#define NPAGES   4
#define WIN      0x40000000ULL
#define WIN_SIZE 0x8000ULL
#define IPA_DEV  0x100000ULL
#define PAGE     GRANULE_SIZE

enum kop { K_SMC, K_MMIO_READ, K_MMIO_WRITE, K_LOAD };

struct realm_kernel {
        enum kop op;
        struct smc_regs in, out;
        uint64_t ipa;
        unsigned size;
        uint64_t val;
        enum cpu_result res;
        uint8_t buf[16];
        bool has_cmd;
        unsigned done;
};

struct ctx {
        struct hw_mem *mem;
        struct ccada_rmm *rmm;
        struct hw_pcie pcie;
        struct pdev *dev;
        struct doe_relay relay;
        struct hw_ide *rp_ide;
        uint64_t next;                          /* bump allocator */
        uint64_t pdev, rp, comm, req, rsp, rd, rec, run, vdev;
        uint64_t data_pa[NPAGES];
        uint8_t chain[16384];
        size_t chain_len;
        struct rmi_dev_comm_exit x;
        struct realm_kernel k;
        uint64_t args[32];
        const uint8_t *in;
        size_t size, i;
        /* the fake device behind the window */
        unsigned dev_calls;
        uint64_t dev_pa;
        unsigned dev_size;
        bool dev_write;
};

static void prog(struct realm_kernel *k, struct ccada_cpu *cpu, uint64_t pc, const uint64_t *x)
{
        (void)pc;
        (void)x;
        for (;;) {
                if (k->has_cmd) {
                        switch (k->op) {
                        case K_SMC:
                                k->out = k->in;
                                cpu_smc(cpu, &k->out);
                                break;
                        case K_MMIO_READ: k->res = cpu_mmio_read(cpu, k->ipa, k->size, &k->val); break;
                        case K_MMIO_WRITE: k->res = cpu_mmio_write(cpu, k->ipa, k->size, k->val); break;
                        case K_LOAD: k->res = cpu_load(cpu, k->ipa, k->buf, sizeof(k->buf)); break;
                        }
                        k->has_cmd = false;
                        k->done++;
                }
                struct smc_regs hc = { .x = { RSI_HOST_CALL, 0 } };
                cpu_smc(cpu, &hc);
        }
}

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

/* One RMI call with X1..X6; aborts on any RMM violation (invariants are checked inside). */
static uint64_t call6(struct ctx *c, uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                      uint64_t a6, struct smc_regs *out)
{
        struct smc_regs r = { .x = { fid, a1, a2, a3, a4, a5, a6 } };
        const char *first;
        rmi_smc(c->rmm, &r);
        if (rmm_violations(c->rmm, &first))
                abort();
        if (out)
                *out = r;
        return r.x[0];
}

static uint64_t call(struct ctx *c, uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t *x1)
{
        struct smc_regs r;
        uint64_t st = call6(c, fid, a1, a2, a3, a4, 0, 0, &r);
        if (x1)
                *x1 = r.x[1];
        return st;
}

static void must(uint64_t status)
{
        if (status != RMI_SUCCESS)
                abort();
}

static uint64_t ns_page(struct ctx *c)
{
        uint64_t pa = c->next;
        c->next += GRANULE_SIZE;
        if (c->next > MEM_BASE + MEM_SIZE)
                abort();
        return pa;
}

static uint64_t delegated(struct ctx *c)
{
        uint64_t pa = ns_page(c);
        must(call(c, RMI_GRANULE_DELEGATE, pa, 0, 0, 0, NULL));
        return pa;
}

static void ns_write(struct ctx *c, uint64_t pa, const void *b, size_t n)
{
        if (hw_write(c->mem, HW_WORLD_NS, pa, b, n, NULL) != HW_OK)
                abort();
}

/* COMMUNICATE (PDEV, or the VDEV) relaying honestly until the RMM asks nothing more. */
static void communicate(struct ctx *c, bool vdev)
{
        static uint8_t page[RMI_DEV_COMM_DATA_SIZE], req[GRANULE_SIZE], rsp[DOE_RELAY_MAX_OBJECT];
        char why[DOE_RELAY_WHY_LEN];
        unsigned status = RMI_DEV_COMM_NONE;
        size_t n = 0;
        for (unsigned round = 0; round < 64; round++) {
                struct rmi_dev_comm_enter e = { .status = status, .req_addr = c->req, .rsp_addr = c->rsp, .rsp_len = n };
                bool sec;
                memset(page, 0, sizeof(page));
                rmi_dev_comm_enter_encode(&e, page);
                ns_write(c, c->comm, page, sizeof(page));
                uint64_t st = vdev ? call(c, RMI_VDEV_COMMUNICATE, c->rd, c->pdev, c->vdev, c->comm, NULL)
                                   : call(c, RMI_PDEV_COMMUNICATE, c->pdev, c->comm, 0, 0, NULL);
                if (st != RMI_SUCCESS || hw_read(c->mem, HW_WORLD_NS, c->comm, page, sizeof(page), NULL) != HW_OK)
                        return;
                rmi_dev_comm_exit_decode(page, &c->x);
                if (c->x.flags & RMI_DEV_COMM_EXIT_RSP_CACHE && c->x.cache_obj_id == RMI_DEV_OBJ_CERTIFICATE &&
                    c->x.cache_rsp_len <= sizeof(c->chain) - c->chain_len && c->x.cache_rsp_offset < GRANULE_SIZE &&
                    hw_read(c->mem, HW_WORLD_NS, c->rsp + c->x.cache_rsp_offset, c->chain + c->chain_len,
                            (size_t)c->x.cache_rsp_len, NULL) == HW_OK)
                        c->chain_len += (size_t)c->x.cache_rsp_len;
                if (!(c->x.flags & RMI_DEV_COMM_EXIT_REQ_SEND) || c->x.req_len > sizeof(req) ||
                    hw_read(c->mem, HW_WORLD_NS, c->req, req, (size_t)c->x.req_len, NULL) != HW_OK ||
                    !doe_relay_exchange(&c->relay, c->x.protocol == RMI_DEV_PROTOCOL_SECURE_SPDM, req,
                                        (size_t)c->x.req_len, rsp, sizeof(rsp), &n, &sec, why) ||
                    n > GRANULE_SIZE)
                        return;
                ns_write(c, c->rsp, rsp, n);
                status = RMI_DEV_COMM_RESPONSE;
        }
}

static void pdev_up(struct ctx *c)
{
        static uint8_t page[RMI_PUBKEY_PARAMS_SIZE];
        static struct rmi_pubkey_params k;
        struct rmi_pdev_params rp = { .pdev_id = 9, .routing_id = RP_RID, .rid_top = 0x100,
                                      .hash_algo = RMI_HASH_SHA_384 };
        struct rmi_pdev_params ep = { .flags = RMI_PDEV_FLAGS_SPDM | 1ull << RMI_PDEV_FLAGS_CATEGORY_SHIFT,
                                      .pdev_id = 1, .routing_id = BDF, .rid_base = BDF, .rid_top = BDF + 1,
                                      .hash_algo = RMI_HASH_SHA_384 };
        struct hw_ide_config ec = { .stream_id = 0, .default_stream = true };
        struct ec_key *key = NULL;
        char why[X509_CHAIN_WHY_LEN];
        uint64_t params = ns_page(c), handle = 0;
        size_t n = 0;

        if (!hw_ide_new(&c->rp_ide, &ec))
                abort();
        rmm_platform_root_port(c->rmm, RP_RID, c->rp_ide);
        c->rp = delegated(c);
        rmi_pdev_params_encode(&rp, page);
        ns_write(c, params, page, RMI_PDEV_PARAMS_SIZE);
        must(call(c, RMI_PDEV_CREATE, c->rp, params, 0, 0, NULL));
        must(call(c, RMI_PDEV_COMMUNICATE, c->rp, c->comm, 0, 0, NULL)); /* a Root Port: READY at once */
        c->pdev = delegated(c);
        rmi_pdev_params_encode(&ep, page);
        ns_write(c, params, page, RMI_PDEV_PARAMS_SIZE);
        must(call(c, RMI_PDEV_CREATE, c->pdev, params, 0, 0, NULL));
        communicate(c, false);
        memset(&k, 0, sizeof(k));
        if (!x509_chain_leaf_key(c->chain, c->chain_len, &key, NULL, 0, why) ||
            !ec_key_point(key, k.key, sizeof(k.key), &n))
                abort();
        ec_key_free(key);
        k.key_len = n;
        k.algo = RMI_SIG_ECDSA_P384;
        rmi_pubkey_params_encode(&k, page);
        ns_write(c, params, page, sizeof(page));
        must(call(c, RMI_PDEV_SET_PUBKEY, c->pdev, params, 0, 0, NULL));
        communicate(c, false);
        struct rmi_stream_params sp = { .stream_type = RMI_STREAM_TYPE_NCOH, .pdev_1 = c->rp, .pdev_2 = c->pdev };
        rmi_stream_params_encode(&sp, page);
        ns_write(c, params, page, RMI_STREAM_PARAMS_SIZE);
        must(call(c, RMI_PDEV_STREAM_CONNECT, params, 0, 0, 0, &handle));
        communicate(c, false);
        must(call(c, RMI_PDEV_STREAM_COMPLETE, c->pdev, c->rp, handle, 0, NULL));
}

static void realm_up(struct ctx *c)
{
        static uint8_t page[RMI_REALM_PARAMS_SIZE];
        struct rmi_realm_params rp = { .s2sz = 40, .num_bps = 1, .num_wps = 1, .vmid = 1, .rtt_level_start = 1,
                                       .rtt_num_start = 2 };
        uint64_t params = ns_page(c);
        c->rd = delegated(c);
        rp.rtt_base = delegated(c);
        if (delegated(c) != rp.rtt_base + GRANULE_SIZE)
                abort();
        rmi_realm_params_encode(&rp, page);
        ns_write(c, params, page, sizeof(page));
        must(call(c, RMI_REALM_CREATE, c->rd, params, 0, 0, NULL));
        must(call(c, RMI_RTT_CREATE, c->rd, delegated(c), 0, 2, NULL));
        must(call(c, RMI_RTT_CREATE, c->rd, delegated(c), 0, 3, NULL));
        must(call(c, RMI_RTT_INIT_RIPAS, c->rd, 0, 0x10000, 0, NULL)); /* EMPTY above: device memory goes there */
        uint64_t src = ns_page(c);
        for (unsigned i = 0; i < NPAGES; i++) {
                c->data_pa[i] = delegated(c);
                must(call(c, RMI_DATA_CREATE, c->rd, c->data_pa[i], (uint64_t)i * GRANULE_SIZE, src,
                          RMI_NO_MEASURE_CONTENT));
        }
        struct rmi_rec_params recp = { .flags = RMI_REC_FLAG_RUNNABLE };
        static uint8_t rpage[RMI_REC_PARAMS_SIZE];
        rmi_rec_params_encode(&recp, rpage);
        ns_write(c, params, rpage, sizeof(rpage));
        c->rec = delegated(c);
        must(call(c, RMI_REC_CREATE, c->rd, c->rec, params, 0, NULL));
        must(call(c, RMI_REALM_ACTIVATE, c->rd, 0, 0, 0, NULL));
        struct ccada_realm_program p = { .entry = prog, .kernel = &c->k };
        if (!rmm_bind_realm_program(c->rmm, c->rd, &p))
                abort();
        c->run = ns_page(c);
}

static void vdev_create(struct ctx *c)
{
        static uint8_t page[RMI_VDEV_PARAMS_SIZE];
        struct rmi_vdev_params vp = { .vdev_id = VID, .tdi_id = BDF, .num_addr_range = 2 };
        vp.range[0].base = WIN;                 /* BAR0 */
        vp.range[0].top = WIN + 0x4000;
        vp.range[1].base = WIN + WIN_SIZE;      /* outside the window */
        vp.range[1].top = WIN + WIN_SIZE + 0x4000;
        uint64_t params = ns_page(c);
        rmi_vdev_params_encode(&vp, page);
        ns_write(c, params, page, sizeof(page));
        if (call(c, RMI_VDEV_CREATE, c->rd, c->pdev, c->vdev, params, NULL) == RMI_SUCCESS)
                communicate(c, true);
}

static void vdev_cmd(struct ctx *c, uint64_t fid)
{
        if (call(c, fid, c->rd, c->pdev, c->vdev, 0, NULL) == RMI_SUCCESS)
                communicate(c, true);
}


/* ---- the input ---- */

static uint8_t byte(struct ctx *c)
{
        return c->i < c->size ? c->in[c->i++] : 0;
}

static uint64_t arg(struct ctx *c)
{
        uint8_t b = byte(c);
        if (b < 0xF0)
                return c->args[b % (sizeof(c->args) / sizeof(c->args[0]))];
        uint64_t v = 0;
        for (unsigned k = 0; k < 8; k++)
                v = v << 8 | byte(c);
        return v;
}

/* The level-3 entry at ipa (aligned down) as RTT_READ_ENTRY reports it; false if none. */
static bool read_entry(struct ctx *c, uint64_t ipa, uint64_t *state, uint64_t *addr, uint64_t *ripas)
{
        struct smc_regs r;
        if (call6(c, RMI_RTT_READ_ENTRY, c->rd, ipa & ~GRANULE_MASK, 3, 0, 0, 0, &r) != RMI_SUCCESS || r.x[1] != 3)
                return false;
        *state = r.x[2];
        *addr = r.x[3];
        *ripas = r.x[4];
        return true;
}

static void move_map(struct ctx *c)
{
        uint64_t rd = arg(c), vdev = arg(c), base = arg(c), top = arg(c), flags = arg(c), oaddr = arg(c);
        (void)call6(c, RMI_RTT_DEV_MAP, rd, vdev, base, top, flags, oaddr, NULL);
}

static void move_unmap(struct ctx *c)
{
        uint64_t rd = arg(c), base = arg(c), top = arg(c);
        (void)call6(c, RMI_RTT_DEV_UNMAP, rd, base, top, 0, 0, 0, NULL);
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
                if (call6(c, RMI_RTT_DEV_VALIDATE, c->rd, c->rec, from, to, 0, 0, &r) == RMI_SUCCESS) {
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
                if (hw_write(c->mem, HW_WORLD_NS, c->run + RMI_REC_ENTRY_FLAGS, &flags, sizeof(flags), NULL) != HW_OK ||
                    call(c, RMI_REC_ENTER, c->rec, c->run, 0, 0, NULL) != RMI_SUCCESS ||
                    hw_read(c->mem, HW_WORLD_NS, c->run + RMI_REC_EXIT_OFFSET, x, sizeof(x), NULL) != HW_OK)
                        abort();
                flags = 0;
                switch (rmi_rec_exit_decode_reason(x)) {
                case RMI_EXIT_HOST_CALL: break;
                case RMI_EXIT_VDEV_REQUEST: (void)call(c, RMI_VDEV_COMPLETE, c->rec, c->vdev, 0, 0, NULL); break;
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
                        (void)call(c, RMI_RTT_SET_RIPAS, c->rd, c->rec, c->k.in.x[1], top, NULL);
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
        c->k.op = K_SMC;
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
        c->k.op = how & 1 ? K_MMIO_WRITE : K_MMIO_READ;
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
        c->k.op = K_LOAD;
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
        c->k.op = K_SMC;
        c->k.in = (struct smc_regs){ .x = { RSI_IPA_STATE_SET, base, top, ripas, 0 } };
        realm_run(c);
        if (dev && c->k.out.x[0] != RSI_ERROR_INPUT)
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static struct ctx c;
        struct rmm_config rc;
        char why[PDEV_WHY_LEN];
        struct pdev_config pc = { .bdf = BDF, .seed = (const uint8_t *)"fuzz", .seed_len = 4 };
        memset(&c, 0, sizeof(c));
        rmm_config_default(&rc);
        rc.da = true;
        rc.check_invariants = true;
        hw_pcie_init(&c.pcie);
        if (!hw_mem_create(&c.mem, MEM_BASE, MEM_SIZE, NULL) || !rmm_create(&c.rmm, c.mem, NULL, &rc) ||
            !pdev_new(&c.dev, &c.pcie, &pc, why) || !doe_relay_find(&c.relay, &c.pcie, NULL, why) ||
            !doe_relay_discover(&c.relay, why) || !rmm_platform_dev_mem(c.rmm, WIN, WIN_SIZE, fake_device, &c))
                abort();
        c.next = MEM_BASE;
        c.comm = ns_page(&c);
        c.req = ns_page(&c);
        c.rsp = ns_page(&c);
        pdev_up(&c);
        realm_up(&c);
        c.vdev = delegated(&c);
        vdev_create(&c);
        vdev_cmd(&c, RMI_VDEV_LOCK);
        vdev_cmd(&c, RMI_VDEV_GET_INTERFACE_REPORT);
        vdev_cmd(&c, RMI_VDEV_START);
        const uint64_t interesting[] = {
                VID, 0, 1, 2, 3, RMI_ADDR_TYPE_SINGLE, IPA_DEV, IPA_DEV + PAGE, IPA_DEV + 2 * PAGE, IPA_DEV + 4 * PAGE,
                IPA_DEV + 0x10, 0x1000, 0x8000, 0x200000, 1ULL << 39, (1ULL << 39) + IPA_DEV, WIN, WIN + PAGE,
                WIN + 2 * PAGE, WIN + 0x4000, WIN + WIN_SIZE - PAGE, WIN + WIN_SIZE, WIN + 0x20, c.data_pa[1],
                c.rd, c.vdev, c.rec, c.pdev, (2ULL << 20) - PAGE, 2ULL << 20, UINT64_MAX - PAGE + 1, 4 };
        _Static_assert(sizeof(interesting) == sizeof(c.args), "32 interesting arguments");
        memcpy(c.args, interesting, sizeof(c.args));
        c.in = data;
        c.size = size;
        while (c.i < size) {
                switch (byte(&c) % 8) {
                case 0: move_map(&c); break;
                case 1: move_unmap(&c); break;
                case 2: {
                        uint64_t rd = arg(&c), rec = arg(&c), base = arg(&c), top = arg(&c);
                        (void)call(&c, RMI_RTT_DEV_VALIDATE, rd, rec, base, top, NULL);
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
        pdev_free(c.dev);
        hw_ide_free(c.rp_ide);
        hw_mem_destroy(c.mem);
        return 0;
}
