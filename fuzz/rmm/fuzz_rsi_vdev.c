/* RSI_VDEV_GET_INFO / DMA_ENABLE / DMA_DISABLE and RMI_VDEV_COMPLETE between a hostile Realm,
 * a hostile host and a hostile device. Set up honestly before the input is read: ccada-dev's
 * PDEV READY with its IDE stream, a Realm (four DATA pages, one REC running a program that
 * makes one RSI call per request and returns to the host in between) and its VDEV (vdev_id
 * VID) STARTED, the platform SMMU wired to the RMM. The input is a sequence of moves, one byte
 * each with operands after some; an "argument" is one byte: below 0xF0 it picks one of the
 * interesting values of args[] (ids, nonces, IPAs, PAs), else 8 raw bytes follow.
 *   0 the Realm calls fid (1 byte: GET_INFO, DMA_ENABLE, DMA_DISABLE, FEATURES, other) with six
 *     arguments; every RMI_EXIT_VDEV_REQUEST is answered per 1 byte: 0 complete with the VDEV,
 *     1 complete with two arguments, 2 nothing, 3 unlock (and relay) then complete, 4 destroy
 *     then complete, 5 re-report then complete
 *   1 the host calls RMI_VDEV_COMPLETE with two arguments
 *   2 the host runs a VDEV command (1 byte: LOCK, REPORT, START, UNLOCK, DESTROY, CREATE) and
 *     relays it honestly
 *   3 the TDI's stream (or the next one) writes 64 bytes with T (1 byte) at an argument IOVA
 * What must hold after every move: the RMM's invariants (checked inside every call); a REALM
 * STE for the TDI only while its VDEV is STARTED, owned by the Realm; a DMA write that went
 * through only from the TDI's stream with T=1, into one of the Realm's DATA pages at its IPA;
 * GET_INFO success only with the VDEV's current state and nonces in the Realm's buffer;
 * DMA_ENABLE success only for a STARTED VDEV with the nonces given. */
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
#include "hw/smmu.h"
#include "lib/bytes.h"
#include "lib/ec.h"
#include "lib/x509_chain.h"
#include "proto/rmi_da.h"
#include "proto/rmi_params.h"
#include "proto/rmi_rec_run.h"
#include "proto/rsi_vdev.h"
#include "rmm/rmm.h"
#include "rmm/tsm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MEM_BASE 0x80000000ULL
#define MEM_SIZE (2ULL << 20)
#define BDF      HW_PCIE_BDF(0, 3, 0)
#define RP_RID   HW_PCIE_BDF(0, 1, 0)
#define VID      0x77
#define NPAGES   4
#define G(n)     (MEM_BASE + (uint64_t)(n) * GRANULE_SIZE)

struct realm_kernel {
        struct smc_regs in, out;
        bool has_cmd;
        unsigned done;
        uint8_t info[RSI_VDEV_INFO_SIZE];
        enum cpu_result load;
};

struct ctx {
        struct hw_mem *mem;
        struct ccada_rmm *rmm;
        struct hw_pcie pcie;
        struct pdev *dev;
        struct doe_relay relay;
        struct hw_ide *rp_ide;
        struct hw_smmu *smmu;
        uint64_t next;                          /* bump allocator */
        uint64_t pdev, rp, comm, req, rsp, rd, rec, run, vdev;
        uint64_t data_pa[NPAGES];
        uint8_t chain[16384];
        size_t chain_len;
        struct rmi_dev_comm_exit x;
        struct realm_kernel k;
        uint64_t args[16];
        const uint8_t *in;
        size_t size, i;
};

static void prog(struct realm_kernel *k, struct ccada_cpu *cpu, uint64_t pc, const uint64_t *x)
{
        (void)pc;
        (void)x;
        for (;;) {
                if (k->has_cmd) {
                        k->out = k->in;
                        cpu_smc(cpu, &k->out);
                        if (k->in.x[0] == RSI_VDEV_GET_INFO && k->out.x[0] == RSI_SUCCESS)
                                k->load = cpu_load(cpu, k->in.x[2], k->info, sizeof(k->info));
                        k->has_cmd = false;
                        k->done++;
                }
                struct smc_regs hc = { .x = { RSI_HOST_CALL, 0 } };
                cpu_smc(cpu, &hc);
        }
}

static uint64_t call(struct ctx *c, uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t *x1)
{
        struct smc_regs r = { .x = { fid, a1, a2, a3, a4 } };
        const char *first;
        rmi_smc(c->rmm, &r);
        if (rmm_violations(c->rmm, &first))
                abort();
        if (x1)
                *x1 = r.x[1];
        return r.x[0];
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
        must(call(c, RMI_RTT_INIT_RIPAS, c->rd, 0, 0x10000, 0, NULL));
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
        struct rmi_vdev_params vp = { .vdev_id = VID, .tdi_id = BDF };
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

static void answer(struct ctx *c)
{
        uint8_t how = byte(c) % 6;
        uint64_t a = 0, b = 0;
        if (how == 1) {
                a = arg(c);
                b = arg(c);
        }
        switch (how) {
        case 0: (void)call(c, RMI_VDEV_COMPLETE, c->rec, c->vdev, 0, 0, NULL); break;
        case 1: (void)call(c, RMI_VDEV_COMPLETE, a, b, 0, 0, NULL); break;
        case 2: break;
        case 3: vdev_cmd(c, RMI_VDEV_UNLOCK); (void)call(c, RMI_VDEV_COMPLETE, c->rec, c->vdev, 0, 0, NULL); break;
        case 4: (void)call(c, RMI_VDEV_COMPLETE, c->rec, c->vdev, 0, 0, NULL); vdev_cmd(c, RMI_VDEV_DESTROY); break;
        default:
                (void)call(c, RMI_VDEV_COMPLETE, c->rec, c->vdev, 0, 0, NULL);
                vdev_cmd(c, RMI_VDEV_GET_INTERFACE_REPORT);
                break;
        }
}

static void realm_call(struct ctx *c)
{
        static const uint64_t fids[] = { RSI_VDEV_GET_INFO, RSI_VDEV_DMA_ENABLE, RSI_VDEV_DMA_DISABLE, RSI_FEATURES,
                                         RSI_FID(0x19E) };
        struct smc_regs in = { .x = { fids[byte(c) % 5] } };
        for (unsigned k = 1; k <= 6; k++)
                in.x[k] = arg(c);
        c->k.in = in;
        c->k.has_cmd = true;
        struct rmm_vdev_info before;
        for (unsigned round = 0; round < 8 && c->k.has_cmd; round++) {
                if (call(c, RMI_REC_ENTER, c->rec, c->run, 0, 0, NULL) != RMI_SUCCESS)
                        abort();
                uint8_t x[RMI_REC_EXIT_SIZE];
                if (hw_read(c->mem, HW_WORLD_NS, c->run + RMI_REC_EXIT_OFFSET, x, sizeof(x), NULL) != HW_OK)
                        abort();
                unsigned reason = rmi_rec_exit_decode_reason(x);
                if (reason == RMI_EXIT_HOST_CALL)
                        break;
                if (reason != RMI_EXIT_VDEV_REQUEST || ld_le64(x + RMI_REC_EXIT_VDEV_ID_1) != in.x[1])
                        abort(); /* the only exit an RSI_VDEV_* call makes, naming the Realm's id */
                answer(c);
        }
        if (c->k.has_cmd)
                abort();
        /* what the Realm was told agrees with the VDEV as it stands now (nothing ran since) */
        bool known = rmm_vdev_info(c->rmm, c->vdev, &before);
        if (in.x[0] == RSI_VDEV_GET_INFO && c->k.out.x[0] == RSI_SUCCESS) {
                struct rsi_vdev_info vi;
                if (c->k.load != CPU_OK || !known || in.x[1] != VID)
                        abort();
                rsi_vdev_info_decode(c->k.info, &vi);
                if (vi.lock_nonce != before.lock_nonce || vi.report_nonce != before.report_nonce ||
                    (vi.state == RSI_VDEV_STATE_STARTED) != (before.state == RMI_VDEV_STATE_STARTED))
                        abort();
        }
        if (in.x[0] == RSI_VDEV_DMA_ENABLE && c->k.out.x[0] == RSI_SUCCESS &&
            (!known || in.x[1] != VID || before.state != RMI_VDEV_STATE_STARTED || in.x[4] != before.lock_nonce ||
             in.x[6] != before.report_nonce))
                abort();
}

static void tdi_write(struct ctx *c)
{
        bool t = byte(c) & 1, other = byte(c) & 1;
        uint64_t iova = arg(c);
        uint16_t sid = other ? (uint16_t)(BDF + 1) : (uint16_t)BDF;
        uint8_t buf[64];
        struct rmm_vdev_info vi;
        memset(buf, 0xD7, sizeof(buf));
        if (hw_dma(c->smmu, sid, t, iova, buf, sizeof(buf), HW_ACCESS_WRITE, NULL) != HW_OK)
                return;
        /* it went through: the TDI's T=1 stream of a STARTED VDEV, into the Realm's page */
        if (other || !t || !rmm_vdev_info(c->rmm, c->vdev, &vi) || vi.state != RMI_VDEV_STATE_STARTED ||
            iova > NPAGES * GRANULE_SIZE - sizeof(buf))
                abort();
        for (uint64_t a = iova; a < iova + sizeof(buf); a++) {
                uint8_t b;
                if (hw_read(c->mem, HW_WORLD_ROOT, c->data_pa[a / GRANULE_SIZE] + (a & GRANULE_MASK), &b, 1, NULL) !=
                            HW_OK ||
                    b != 0xD7)
                        abort();
        }
}

static void check_ste(struct ctx *c)
{
        struct hw_ste ste;
        struct rmm_vdev_info vi;
        hw_smmu_ste_get(c->smmu, BDF, &ste);
        if (ste.mode == HW_STE_REALM &&
            (!rmm_vdev_info(c->rmm, c->vdev, &vi) || vi.state != RMI_VDEV_STATE_STARTED || ste.owner != 2))
                abort(); /* a REALM STE outlived its STARTED VDEV, or names another Realm (vmid 1) */
        hw_smmu_ste_get(c->smmu, (uint16_t)(BDF + 1), &ste);
        if (ste.mode != HW_STE_ABORT)
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
            !doe_relay_discover(&c.relay, why) || !hw_smmu_create(&c.smmu, c.mem, NULL))
                abort();
        rmm_platform_smmu(c.rmm, c.smmu);
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
        const uint64_t interesting[] = { VID, 0, 1, 2, 3, 0x1000, 0x1200, 0x2000, 0x2040, 0x8000,
                                         1ULL << 39, c.rec, c.vdev, c.rd, c.pdev, c.data_pa[2] };
        memcpy(c.args, interesting, sizeof(c.args));
        c.in = data;
        c.size = size;
        while (c.i < size) {
                switch (byte(&c) % 4) {
                case 0: realm_call(&c); break;
                case 1: {
                        uint64_t a = arg(&c), b = arg(&c);
                        (void)call(&c, RMI_VDEV_COMPLETE, a, b, 0, 0, NULL);
                        break;
                }
                case 2: {
                        static const uint64_t fids[] = { RMI_VDEV_LOCK, RMI_VDEV_GET_INTERFACE_REPORT, RMI_VDEV_START,
                                                         RMI_VDEV_UNLOCK, RMI_VDEV_DESTROY };
                        uint8_t which = byte(&c) % 6;
                        if (which == 5)
                                vdev_create(&c);
                        else
                                vdev_cmd(&c, fids[which]);
                        break;
                }
                default: tdi_write(&c); break;
                }
                check_ste(&c);
        }
        rmm_destroy(c.rmm);
        hw_smmu_destroy(c.smmu);
        pdev_free(c.dev);
        hw_ide_free(c.rp_ide);
        hw_mem_destroy(c.mem);
        return 0;
}
