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

#include "da_rig.h"
#include "fuzz_reader.h"
#include "lib/bytes.h"
#include "proto/rmi_rec_run.h"
#include "rmm/tsm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MEM_BASE 0x80000000ULL
#define MEM_SIZE (2ULL << 20)
#define BDF      DA_RIG_BDF
#define VID      DA_RIG_VDEV_ID
#define NPAGES   DA_RIG_DATA_PAGES

/* The set-up (tests/kit/da_rig.c, its fail hook left NULL: abort) on the harness's own small
 * machine; every RMI call checks the RMM's violations and aborts on one. */
struct ctx {
        struct hw_mem *mem;
        struct ccada_rmm *rmm;
        struct da_rig rig;                      /* ccada-dev, its PDEV and the VDEV */
        struct da_rig_realm realm;
        struct realm_kernel k;
        uint64_t args[16];
        struct fuzz_reader rd;                  /* the input (fuzz_reader.h) */
};

static uint64_t call(struct ctx *c, uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
        return da_rig_rmi(&c->rig, fid, a1, a2, a3, a4, 0, 0, NULL);
}

/* A VDEV command (or CREATE again at the same granule) the host relays honestly; refusals and
 * failed exchanges are the input's business. */
static void vdev_cmd(struct ctx *c, uint64_t fid)
{
        (void)da_rig_try_vdev_cmd(&c->rig, fid);
}

static void vdev_create(struct ctx *c)
{
        (void)da_rig_try_vdev_create(&c->rig, c->realm.rd, c->rig.vdev, NULL);
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

static void answer(struct ctx *c)
{
        uint8_t how = byte(c) % 6;
        uint64_t a = 0, b = 0;
        if (how == 1) {
                a = arg(c);
                b = arg(c);
        }
        switch (how) {
        case 0: (void)call(c, RMI_VDEV_COMPLETE, c->realm.rec, c->rig.vdev, 0, 0); break;
        case 1: (void)call(c, RMI_VDEV_COMPLETE, a, b, 0, 0); break;
        case 2: break;
        case 3: vdev_cmd(c, RMI_VDEV_UNLOCK); (void)call(c, RMI_VDEV_COMPLETE, c->realm.rec, c->rig.vdev, 0, 0); break;
        case 4: (void)call(c, RMI_VDEV_COMPLETE, c->realm.rec, c->rig.vdev, 0, 0); vdev_cmd(c, RMI_VDEV_DESTROY); break;
        default:
                (void)call(c, RMI_VDEV_COMPLETE, c->realm.rec, c->rig.vdev, 0, 0);
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
                if (call(c, RMI_REC_ENTER, c->realm.rec, c->realm.run, 0, 0) != RMI_SUCCESS)
                        abort();
                uint8_t x[RMI_REC_EXIT_SIZE];
                if (hw_read(c->mem, HW_WORLD_NS, c->realm.run + RMI_REC_EXIT_OFFSET, x, sizeof(x), NULL) != HW_OK)
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
        bool known = rmm_vdev_info(c->rmm, c->rig.vdev, &before);
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
        if (hw_dma(c->rig.smmu, sid, t, iova, buf, sizeof(buf), HW_ACCESS_WRITE, NULL) != HW_OK)
                return;
        /* it went through: the TDI's T=1 stream of a STARTED VDEV, into the Realm's page */
        if (other || !t || !rmm_vdev_info(c->rmm, c->rig.vdev, &vi) || vi.state != RMI_VDEV_STATE_STARTED ||
            iova > NPAGES * GRANULE_SIZE - sizeof(buf))
                abort();
        for (uint64_t a = iova; a < iova + sizeof(buf); a++) {
                uint8_t b;
                if (hw_read(c->mem, HW_WORLD_ROOT, c->realm.data_pa[a / GRANULE_SIZE] + (a & GRANULE_MASK), &b, 1, NULL) !=
                            HW_OK ||
                    b != 0xD7)
                        abort();
        }
}

static void check_ste(struct ctx *c)
{
        struct hw_ste ste;
        struct rmm_vdev_info vi;
        hw_smmu_ste_get(c->rig.smmu, BDF, &ste);
        if (ste.mode == HW_STE_REALM &&
            (!rmm_vdev_info(c->rmm, c->rig.vdev, &vi) || vi.state != RMI_VDEV_STATE_STARTED || ste.owner != 2))
                abort(); /* a REALM STE outlived its STARTED VDEV, or names another Realm (vmid 1) */
        hw_smmu_ste_get(c->rig.smmu, (uint16_t)(BDF + 1), &ste);
        if (ste.mode != HW_STE_ABORT)
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
        if (!hw_mem_create(&c.mem, MEM_BASE, MEM_SIZE, NULL) || !rmm_create(&c.rmm, c.mem, NULL, &rc))
                abort();
        da_rig_init(&c.rig, &(struct da_rig_config){ .mem = c.mem, .rmm = c.rmm, .ns_base = MEM_BASE,
                                                     .ns_granules = MEM_SIZE / GRANULE_SIZE, .seed = "fuzz",
                                                     .smmu = true });
        da_rig_pdev_ready_with_stream(&c.rig);
        da_rig_realm_up(&c.rig, &c.realm, &c.k);
        da_rig_vdev_started(&c.rig, c.realm.rd, NULL);
        const uint64_t interesting[] = { VID, 0, 1, 2, 3, 0x1000, 0x1200, 0x2000, 0x2040, 0x8000,
                                         1ULL << 39, c.realm.rec, c.rig.vdev, c.realm.rd, c.rig.pdev,
                                         c.realm.data_pa[2] };
        memcpy(c.args, interesting, sizeof(c.args));
        c.rd = (struct fuzz_reader){ .in = data, .size = size };
        while (c.rd.i < size) {
                switch (byte(&c) % 4) {
                case 0: realm_call(&c); break;
                case 1: {
                        uint64_t a = arg(&c), b = arg(&c);
                        (void)call(&c, RMI_VDEV_COMPLETE, a, b, 0, 0);
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
        da_rig_fini(&c.rig);
        hw_mem_destroy(c.mem);
        return 0;
}
