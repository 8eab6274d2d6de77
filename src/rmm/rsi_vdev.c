/* The Realm's side of device assignment (RMM 2.0-beta as TF-RMM main realises it;
 * facts/spdm-tdisp-ide.md §7.2, §7.3): RSI_VDEV_GET_INFO, RSI_VDEV_DMA_ENABLE,
 * RSI_VDEV_DMA_DISABLE, RSI_VDEV_VALIDATE_MAPPING (answered by RMI_RTT_DEV_VALIDATE,
 * rmi_dev_mem.c), the host's RMI_VDEV_COMPLETE that answers them, and the platform SMMU's
 * REALM stream table entry of an accepted TDI.
 *
 * A Realm names a device by the vdev_id the host gave RMI_VDEV_CREATE. Each call first exits
 * to the host (RMI_EXIT_VDEV_REQUEST, the vdev_id in RmiRecExit.vdev_id_1); the host resolves
 * the id to a VDEV object and answers with RMI_VDEV_COMPLETE(rec, vdev), which the RMM accepts
 * only for a VDEV of the REC's own Realm with that vdev_id. On the next REC_ENTER the RMM
 * finishes the call with the VDEV named, looked up again (the host may have destroyed it in
 * between). A host that re-enters without a successful COMPLETE has no such device: the call
 * fails with RSI_ERROR_INPUT. (ccada's choice; TF-RMM main since its vdev_map rework resolves
 * the id inside the RMM and exits to the host for none of these three calls.)
 *
 * Status codes: RSI_ERROR_STATE when the RMM offers no device assignment (TF-RMM: the Realm
 * was not created with DA); RSI_ERROR_INPUT for a bad argument or an unknown device;
 * RSI_ERROR_DEVICE when the device is not what the Realm verified (not STARTED, or a nonce
 * moved on: re-locked or re-reported since), as TF-RMM main and the specification's
 * RsiCommandReturnCode say; also when the platform has no SMMU to program.
 *
 * DMA: DMA_ENABLE gives the TDI's stream (StreamID = its requester ID, the VDEV's tdi_id) a
 * REALM STE owned by the Realm whose stage 2 is walked by realm_s2 below, then enables it;
 * DMA_DISABLE, an UNLOCK, a VDEV leaving STARTED and DESTROY write ABORT (da_vdev_dma_off).
 * So a REALM STE exists only for a STARTED VDEV, and never outlives its Realm (a Realm with
 * VDEVs cannot be destroyed, a VDEV is destroyed only when not STARTED). */
#include <string.h>

#include "hw/smmu.h"
#include "proto/rsi_vdev.h"
#include "rmm/da.h"
#include "rmm/rmm_internal.h"

void rmm_platform_smmu(struct ccada_rmm *rmm, struct hw_smmu *smmu)
{
        rmm->smmu = smmu;
}

/* RsiFeatureRegister0 (RMM 2.0-beta B5.5.8). TF-RMM main sets DA when the Realm was created
 * with device assignment enabled; ccada's Realms (RMM 1.0 RmiRealmParams) have no such flag,
 * so every Realm of an RMM that offers DA sees it. */
uint64_t rsi_feature_register_0(const struct ccada_rmm *rmm)
{
        return da_enabled(rmm) ? RSI_FEATURE_REGISTER_0_DA : 0;
}

/* ---- the exit to the host and its answer ---- */

/* Asks the host which VDEV vdev_id names; returns it once the host answered with a VDEV of
 * this Realm with that id that still exists, else NULL. */
static struct rmm_vdev *vdev_resolve(struct rec *rec, uint64_t vdev_id, struct da_vdev_view *vv)
{
        struct rmi_rec_exit x = { .reason = RMI_EXIT_VDEV_REQUEST, .vdev_id = vdev_id };
        rec->vdev_id = vdev_id;
        rec->vdev_pa = 0;
        rec->vdev_done = false;
        rec_exit_and_wait(rec, REC_PENDING_VDEV, &x);
        bool done = rec->vdev_done;
        uint64_t pa = rec->vdev_pa;
        rec->vdev_done = false;
        if (!done)
                return NULL;
        struct rmm_vdev *v = da_vdev_lookup(rec->rmm, pa);
        if (!v)
                return NULL;
        da_vdev_view(v, vv);
        return vv->realm == rec->realm && vv->vdev_id == vdev_id ? v : NULL;
}

/* RMI_VDEV_COMPLETE(rec, vdev): the host names the VDEV a REC's RMI_EXIT_VDEV_REQUEST asked
 * for. Failure conditions as RMM 2.0-beta B4.5.81: rec and vdev granules, the REC waiting on
 * a VDEV request, the VDEV's Realm and vdev_id (RMI_ERROR_INPUT), a TDISP operation of the
 * VDEV in flight (RMI_ERROR_DEVICE). */
void rmi_vdev_complete(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        struct da_vdev_view vv;
        r->x[0] = RMI_ERROR_INPUT;
        struct granule *g = granule_find(rmm, a->x[1], GRANULE_REC);
        struct rmm_vdev *v = da_vdev_lookup(rmm, a->x[2]);
        if (!g || !v)
                return;
        struct rec *rec = g->u.rec;
        da_vdev_view(v, &vv);
        if (rec->pending != REC_PENDING_VDEV || rec->vdev_done || vv.realm != rec->realm ||
            vv.vdev_id != rec->vdev_id)
                return;
        if (vv.busy) {
                r->x[0] = RMI_ERROR_DEVICE;
                return;
        }
        rec->vdev_pa = a->x[2];
        rec->vdev_done = true;
        r->x[0] = RMI_SUCCESS;
}

/* ---- RSI_VDEV_GET_INFO ---- */

static uint8_t rsi_vdev_state(unsigned rmi_state)
{
        switch (rmi_state) {
        case RMI_VDEV_STATE_LOCKED: return RSI_VDEV_STATE_LOCKED;
        case RMI_VDEV_STATE_STARTED: return RSI_VDEV_STATE_STARTED;
        case RMI_VDEV_STATE_ERROR: return RSI_VDEV_STATE_ERROR;
        default: return RSI_VDEV_STATE_UNLOCKED;        /* NEW and UNLOCKED, as TF-RMM */
        }
}

static void info_fill(const struct da_vdev_view *vv, struct rsi_vdev_info *info)
{
        const struct rmm_pdev *pd = vv->pd;
        size_t n = hash_len(pd->hash);
        memset(info, 0, sizeof(*info));
        info->cert_id = 0;                      /* the one slot ccada's requester reads */
        info->hash_algo = (uint8_t)pd->p.hash_algo; /* RsiHashAlgorithm = RmiHashAlgorithm */
        info->lock_nonce = vv->lock_nonce;
        info->meas_nonce = vv->meas_nonce;      /* RMI_VDEV_GET_MEASUREMENTS done for the VDEV */
        info->report_nonce = vv->report_nonce;
        info->format_type = RSI_VDEV_REPORT_FORMAT_TDISP;
        info->format_version = 1u << 16 | 0u;   /* TDISP 1.0 (the RMM insists on it at CREATE) */
        info->state = rsi_vdev_state(vv->state);
        if (pd->have_vca)
                memcpy(info->vca_digest, pd->vca_digest, n);
        if (pd->have_cert)
                memcpy(info->cert_digest, pd->cert_digest, n);
        if (pd->have_pubkey)
                memcpy(info->pubkey_digest, pd->pubkey_digest, n);
        if (vv->have_meas)      /* the VDEV's own fetch; before any, the PDEV's attestation's */
                memcpy(info->meas_digest, vv->meas_digest, n);
        else if (pd->have_meas)
                memcpy(info->meas_digest, pd->meas_digest, n);
        if (vv->have_report)
                memcpy(info->report_digest, vv->report_digest, n);
}

/* The buffer is a protected IPA the Realm's stage 2 maps to its own RAM now: written without
 * a fault, so without another exit. */
static bool info_buffer_mapped(const struct rec *rec, uint64_t ipa)
{
        struct rtt_walk w;
        rtt_walk(rec->realm, ipa, RTT_PAGE_LEVEL, &w);
        const struct rtte *e = rtt_walk_entry(&w);
        return w.level == RTT_PAGE_LEVEL && e->state == RMI_ASSIGNED && e->ripas == RMI_RAM;
}

void rsi_vdev_get_info(struct rec *rec, struct smc_regs *r)
{
        uint64_t vdev_id = r->x[1], ipa = r->x[2];      /* copied once */
        struct da_vdev_view vv;
        struct rsi_vdev_info info;
        uint8_t buf[RSI_VDEV_INFO_SIZE];
        if (!da_enabled(rec->rmm)) {
                r->x[0] = RSI_ERROR_STATE;
                return;
        }
        r->x[0] = RSI_ERROR_INPUT;
        if (!rsi_addr_ok(rec, ipa, RSI_VDEV_INFO_ALIGN) || !vdev_resolve(rec, vdev_id, &vv) ||
            !info_buffer_mapped(rec, ipa))
                return;
        info_fill(&vv, &info);
        rsi_vdev_info_encode(&info, buf);
        r->x[0] = rec_mem_write(rec, ipa, buf, sizeof(buf)) == CPU_OK ? RSI_SUCCESS : RSI_ERROR_INPUT;
}

/* ---- RSI_VDEV_DMA_ENABLE / RSI_VDEV_DMA_DISABLE ---- */

/* The Realm's stage 2 as the SMMU walks it for the TDI (hw_smmu_s2_fn): a protected IPA the
 * RTT maps to a DATA granule with RIPAS RAM. An unprotected IPA is not given to the TDI (its
 * T=1 requests reach private memory only), nor is anything unassigned, EMPTY or DESTROYED. */
static bool realm_s2(void *ctx, uint64_t ipa, enum hw_access access, uint64_t *pa)
{
        const struct realm *realm = ctx;
        struct rtt_walk w;
        (void)access;   /* no stage-2 permissions in the model: RAM is read-write */
        if (!rtt_ipa_protected(realm, ipa))
                return false;
        rtt_walk(realm, ipa, RTT_PAGE_LEVEL, &w);
        const struct rtte *e = rtt_walk_entry(&w);
        if (w.level != RTT_PAGE_LEVEL || e->state != RMI_ASSIGNED || e->ripas != RMI_RAM)
                return false;
        *pa = e->addr;
        return true;
}

/* Test builds: the accepted TDI's DMA writes are the Realm's stores too (it took the device
 * into its trust), so the memory oracle learns them as they land. */
static void realm_dma_written(void *ctx, uint64_t ipa, const void *bytes, size_t len)
{
        struct realm *realm = ctx;
        uint8_t *mine = realm->shadow ? shadow_bytes(realm->shadow, ipa, len) : NULL;
        if (mine)
                memcpy(mine, bytes, len);
}

/* A REALM STE for the TDI's stream with DMA enabled; nothing changed on failure. */
static bool dma_on(struct ccada_rmm *rmm, struct realm *realm, uint64_t tdi_id)
{
        struct hw_ste ste = { .mode = HW_STE_REALM, .owner = realm_owner_tag(realm), .s2 = realm_s2,
                              .s2_ctx = realm, .written = realm_dma_written };
        if (!rmm->smmu || tdi_id > 0xFFFFu)
                return false;
        uint16_t sid = (uint16_t)tdi_id;
        if (hw_smmu_ste_set(rmm->smmu, HW_WORLD_REALM, sid, &ste) != HW_SMMU_OK)
                return false;
        if (hw_smmu_ste_dma_enable(rmm->smmu, HW_WORLD_REALM, sid, true) != HW_SMMU_OK) {
                da_vdev_dma_off(rmm, tdi_id);
                return false;
        }
        return true;
}

void da_vdev_dma_off(struct ccada_rmm *rmm, uint64_t tdi_id)
{
        static const struct hw_ste abort_ste = { .mode = HW_STE_ABORT };
        struct hw_ste cur;
        if (!rmm->smmu || tdi_id > 0xFFFFu)
                return;
        hw_smmu_ste_get(rmm->smmu, (uint16_t)tdi_id, &cur);
        if (cur.mode != HW_STE_REALM)
                return;
        /* the Realm world may write any STE, and ABORT needs no table: cannot be refused */
        if (hw_smmu_ste_set(rmm->smmu, HW_WORLD_REALM, (uint16_t)tdi_id, &abort_ste) != HW_SMMU_OK)
                rmm_violation(rmm, "the SMMU refused to abort stream 0x%04llx", (unsigned long long)tdi_id);
}

/* X1 vdev_id, X2 flags (RsiVdevDmaFlags: ATS; none here), X3 the plane for non-ATS requests
 * (0: ccada's Realms have one plane), X4..X6 the lock, measurement and report nonces the Realm
 * verified (RSI_VDEV_GET_INFO). */
void rsi_vdev_dma_enable(struct rec *rec, struct smc_regs *r)
{
        uint64_t vdev_id = r->x[1], flags = r->x[2], plane = r->x[3];   /* copied once */
        uint64_t lock_nonce = r->x[4], meas_nonce = r->x[5], report_nonce = r->x[6];
        struct da_vdev_view vv;
        if (!da_enabled(rec->rmm)) {
                r->x[0] = RSI_ERROR_STATE;
                return;
        }
        r->x[0] = RSI_ERROR_INPUT;
        if (flags || plane || !vdev_resolve(rec, vdev_id, &vv))
                return;
        r->x[0] = RSI_ERROR_DEVICE;
        if (vv.state != RMI_VDEV_STATE_STARTED || lock_nonce != vv.lock_nonce || meas_nonce != vv.meas_nonce ||
            report_nonce != vv.report_nonce || !dma_on(rec->rmm, rec->realm, vv.tdi_id))
                return;
        r->x[0] = RSI_SUCCESS;
}

void rsi_vdev_dma_disable(struct rec *rec, struct smc_regs *r)
{
        uint64_t vdev_id = r->x[1];
        struct da_vdev_view vv;
        if (!da_enabled(rec->rmm)) {
                r->x[0] = RSI_ERROR_STATE;
                return;
        }
        if (!vdev_resolve(rec, vdev_id, &vv)) {
                r->x[0] = RSI_ERROR_INPUT;
                return;
        }
        da_vdev_dma_off(rec->rmm, vv.tdi_id);
        r->x[0] = RSI_SUCCESS;
}

/* ---- RSI_VDEV_VALIDATE_MAPPING ---- */

/* X1 vdev_id, X2 ipa_base, X3 ipa_top, X4 pa_base, X5 flags (RsiDevMemFlags: bit 0 shared,
 * bit 1 coherent; neither is offered, so only 0), X6..X8 the lock, measurement and report
 * nonces the Realm verified. After the VDEV request the REC exits with
 * RMI_EXIT_VDEV_VALIDATE_MAPPING (vdev_id, dev_mem_base/top/pa) and waits; the host calls
 * RMI_RTT_DEV_VALIDATE zero or more times and re-enters, with DEV_MEM_RESPONSE to reject.
 * X1 is how far the range was validated, X2 RSI_REJECT when the host stopped short and
 * rejected, else RSI_ACCEPT (TF-RMM main's complete_dev_mem_mapping). The VDEV must be LOCKED
 * or STARTED (RSI_ERROR_INPUT otherwise, as TF-RMM); a nonce that moved on is
 * RSI_ERROR_DEVICE (meas_nonce counts the VDEV's RMI_VDEV_GET_MEASUREMENTS, as TF-RMM). */
void rsi_vdev_validate_mapping(struct rec *rec, struct smc_regs *r)
{
        uint64_t vdev_id = r->x[1], base = r->x[2], top = r->x[3], pa = r->x[4], flags = r->x[5]; /* copied once */
        uint64_t lock_nonce = r->x[6], meas_nonce = r->x[7], report_nonce = r->x[8];
        const struct realm *realm = rec->realm;
        struct da_vdev_view vv;
        if (!da_enabled(rec->rmm)) {
                r->x[0] = RSI_ERROR_STATE;
                return;
        }
        r->x[0] = RSI_ERROR_INPUT;
        if ((base | top | pa) & GRANULE_MASK || base >= top || top > (uint64_t)1 << (realm->s2sz - 1) || flags ||
            pa + (top - base) < pa || !vdev_resolve(rec, vdev_id, &vv))
                return;
        if (vv.state != RMI_VDEV_STATE_LOCKED && vv.state != RMI_VDEV_STATE_STARTED)
                return;
        r->x[0] = RSI_ERROR_DEVICE;
        if (lock_nonce != vv.lock_nonce || meas_nonce != vv.meas_nonce || report_nonce != vv.report_nonce)
                return;
        rec->dev_mem_base = rec->dev_mem_addr = base;
        rec->dev_mem_top = top;
        rec->dev_mem_pa = pa;
        rec->dev_mem_vdev = rec->vdev_pa;
        struct rmi_rec_exit x = { .reason = RMI_EXIT_VDEV_VALIDATE_MAPPING, .vdev_id = vdev_id, .dev_mem_base = base,
                                  .dev_mem_top = top, .dev_mem_pa = pa };
        rec_exit_and_wait(rec, REC_PENDING_DEV_MEM, &x);
        r->x[0] = RSI_SUCCESS;
        r->x[1] = rec->dev_mem_addr;
        r->x[2] = rec->dev_mem_addr != top && rec->dev_mem_reject ? RSI_REJECT : RSI_ACCEPT;
        rec->dev_mem_base = rec->dev_mem_top = rec->dev_mem_addr = rec->dev_mem_pa = rec->dev_mem_vdev = 0;
}
