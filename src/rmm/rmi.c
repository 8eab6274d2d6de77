/* RMI entry: decode the function ID, dispatch, trace. DEN0137 1.0 B4.3. */
#include <string.h>

#include "rmm/rmm_internal.h"

static void rmi_version(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        /* DEN0137 1.0 B4.3.23: SUCCESS iff the requested revision is implemented. */
        uint64_t req = a->x[1];
        r->x[0] = req == RMI_ABI_VERSION_1_0 ? RMI_SUCCESS : RMI_ERROR_INPUT;
        r->x[1] = RMI_ABI_VERSION_1_0;
        r->x[2] = RMI_ABI_VERSION_1_0;
}

/* RmiFeatureRegister0 (DEN0137 1.0 B4.4.6) of this RMM: the RMM_FEAT_* choices
 * (rmm_internal.h) and the configured IPA width and hash algorithms. */
uint64_t rmm_feature_register_0(const struct ccada_rmm *rmm)
{
        uint64_t v = (uint64_t)rmm->cfg.max_s2sz << RMI_FEATURE_REGISTER_0_S2SZ_SHIFT;
        if (RMM_FEAT_LPA2)
                v |= RMI_FEATURE_REGISTER_0_LPA2;
        if (RMM_FEAT_SVE_EN)
                v |= RMI_FEATURE_REGISTER_0_SVE_EN;
        v |= (uint64_t)RMM_FEAT_NUM_BPS << RMI_FEATURE_REGISTER_0_NUM_BPS_SHIFT;
        v |= (uint64_t)RMM_FEAT_NUM_WPS << RMI_FEATURE_REGISTER_0_NUM_WPS_SHIFT;
        if (RMM_FEAT_PMU_EN)
                v |= RMI_FEATURE_REGISTER_0_PMU_EN;
        v |= (uint64_t)RMM_FEAT_PMU_NUM_CTRS << RMI_FEATURE_REGISTER_0_PMU_NUM_CTRS_SHIFT;
        v |= RMI_FEATURE_REGISTER_0_HASH_SHA_256;
        if (rmm->cfg.sha512)
                v |= RMI_FEATURE_REGISTER_0_HASH_SHA_512;
        v |= (uint64_t)RMM_FEAT_GICV3_NUM_LRS << RMI_FEATURE_REGISTER_0_GICV3_NUM_LRS_SHIFT;
        v |= (uint64_t)RMM_FEAT_MAX_RECS_ORDER << RMI_FEATURE_REGISTER_0_MAX_RECS_ORDER_SHIFT;
        v |= rmm_feature_da(rmm);
        return v;
}

static void rmi_features(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        /* DEN0137 1.0 B4.3.4: only register 0 exists; others read as zero. */
        r->x[0] = RMI_SUCCESS;
        r->x[1] = a->x[1] == 0 ? rmm_feature_register_0(rmm) : 0;
}

typedef void (*rmi_handler)(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);

enum {
        RMI_MAPS = 1u << 0, /* may change the stage-2 translations of the Realm whose RD is x1 */
        RMI_DA = 1u << 1,   /* device assignment: exists only when the RMM offers it (cfg.da) */
};

struct rmi_cmd {
        rmi_handler handler;
        unsigned flags;
};

/* The RMI commands DEN0137 1.0 defines occupy function IDs 0x150..0x169 (B4.3), the PDEV
 * commands of device assignment 0x174..0x17C, the VDEV ones 0x185..0x18A, 0x18E and 0x1D0..0x1D3,
 * device memory 0x163 (RTT_DEV_VALIDATE) and 0x1F7..0x1F8 (RTT_DEV_MAP / UNMAP),
 * and the IDE stream ones 0x204..0x206 (RMM
 * 2.0-beta); the table is indexed by the
 * offset from the first. RMI_RTT_FOLD (and the IDs without a command here) have no handler:
 * NOT_SUPPORTED, as SMCCC says for an unknown function. */
#define RMI_FID_FIRST RMI_VERSION
#define RMI_FID_LAST  RMI_PDEV_STREAM_COMPLETE
#define RMI_CMD(fid)  [(fid) - RMI_FID_FIRST]
static const struct rmi_cmd rmi_cmds[] = {
        RMI_CMD(RMI_VERSION) = { rmi_version, 0 },
        RMI_CMD(RMI_FEATURES) = { rmi_features, 0 },
        RMI_CMD(RMI_GRANULE_DELEGATE) = { rmi_granule_delegate, 0 },
        RMI_CMD(RMI_GRANULE_UNDELEGATE) = { rmi_granule_undelegate, 0 },
        RMI_CMD(RMI_REALM_CREATE) = { rmi_realm_create, 0 },
        RMI_CMD(RMI_REALM_ACTIVATE) = { rmi_realm_activate, 0 },
        RMI_CMD(RMI_REALM_DESTROY) = { rmi_realm_destroy, 0 },
        RMI_CMD(RMI_REC_CREATE) = { rmi_rec_create, 0 },
        RMI_CMD(RMI_REC_DESTROY) = { rmi_rec_destroy, 0 },
        RMI_CMD(RMI_REC_AUX_COUNT) = { rmi_rec_aux_count, 0 },
        RMI_CMD(RMI_REC_ENTER) = { rmi_rec_enter, 0 },
        RMI_CMD(RMI_PSCI_COMPLETE) = { rmi_psci_complete, 0 },
        RMI_CMD(RMI_RTT_CREATE) = { rmi_rtt_create, RMI_MAPS },
        RMI_CMD(RMI_RTT_DESTROY) = { rmi_rtt_destroy, RMI_MAPS },
        RMI_CMD(RMI_RTT_READ_ENTRY) = { rmi_rtt_read_entry, 0 },
        RMI_CMD(RMI_RTT_INIT_RIPAS) = { rmi_rtt_init_ripas, RMI_MAPS },
        RMI_CMD(RMI_RTT_SET_RIPAS) = { rmi_rtt_set_ripas, RMI_MAPS },
        RMI_CMD(RMI_RTT_MAP_UNPROTECTED) = { rmi_rtt_map_unprotected, RMI_MAPS },
        RMI_CMD(RMI_RTT_UNMAP_UNPROTECTED) = { rmi_rtt_unmap_unprotected, RMI_MAPS },
        RMI_CMD(RMI_DATA_CREATE) = { rmi_data_create, RMI_MAPS },
        RMI_CMD(RMI_DATA_CREATE_UNKNOWN) = { rmi_data_create_unknown, RMI_MAPS },
        RMI_CMD(RMI_DATA_DESTROY) = { rmi_data_destroy, RMI_MAPS },
        RMI_CMD(RMI_RTT_DEV_VALIDATE) = { rmi_rtt_dev_validate, RMI_MAPS | RMI_DA },
        RMI_CMD(RMI_RTT_DEV_MAP) = { rmi_rtt_dev_map, RMI_MAPS | RMI_DA },
        RMI_CMD(RMI_RTT_DEV_UNMAP) = { rmi_rtt_dev_unmap, RMI_MAPS | RMI_DA },
        RMI_CMD(RMI_PDEV_ABORT) = { rmi_pdev_abort, RMI_DA },
        RMI_CMD(RMI_PDEV_COMMUNICATE) = { rmi_pdev_communicate, RMI_DA },
        RMI_CMD(RMI_PDEV_CREATE) = { rmi_pdev_create, RMI_DA },
        RMI_CMD(RMI_PDEV_DESTROY) = { rmi_pdev_destroy, RMI_DA },
        RMI_CMD(RMI_PDEV_GET_STATE) = { rmi_pdev_get_state, RMI_DA },
        RMI_CMD(RMI_PDEV_SET_PUBKEY) = { rmi_pdev_set_pubkey, RMI_DA },
        RMI_CMD(RMI_PDEV_STOP) = { rmi_pdev_stop, RMI_DA },
        RMI_CMD(RMI_VDEV_ABORT) = { rmi_vdev_abort, RMI_DA },
        RMI_CMD(RMI_VDEV_COMMUNICATE) = { rmi_vdev_communicate, RMI_DA },
        RMI_CMD(RMI_VDEV_CREATE) = { rmi_vdev_create, RMI_DA },
        RMI_CMD(RMI_VDEV_DESTROY) = { rmi_vdev_destroy, RMI_DA },
        RMI_CMD(RMI_VDEV_GET_STATE) = { rmi_vdev_get_state, RMI_DA },
        RMI_CMD(RMI_VDEV_UNLOCK) = { rmi_vdev_unlock, RMI_DA },
        RMI_CMD(RMI_VDEV_COMPLETE) = { rmi_vdev_complete, RMI_DA },
        RMI_CMD(RMI_VDEV_GET_INTERFACE_REPORT) = { rmi_vdev_get_interface_report, RMI_DA },
        RMI_CMD(RMI_VDEV_GET_MEASUREMENTS) = { rmi_vdev_get_measurements, RMI_DA },
        RMI_CMD(RMI_VDEV_LOCK) = { rmi_vdev_lock, RMI_DA },
        RMI_CMD(RMI_VDEV_START) = { rmi_vdev_start, RMI_DA },
        RMI_CMD(RMI_PDEV_STREAM_CONNECT) = { rmi_pdev_stream_connect, RMI_DA },
        RMI_CMD(RMI_PDEV_STREAM_DISCONNECT) = { rmi_pdev_stream_disconnect, RMI_DA },
        RMI_CMD(RMI_PDEV_STREAM_COMPLETE) = { rmi_pdev_stream_complete, RMI_DA },
};
_Static_assert(ARRAY_SIZE(rmi_cmds) == RMI_FID_LAST - RMI_FID_FIRST + 1,
               "the table reaches the last RMI function ID implemented");

/* NULL for a function ID without a handler. */
static const struct rmi_cmd *rmi_lookup(uint64_t fid)
{
        if (fid < RMI_FID_FIRST || fid > RMI_FID_LAST || !rmi_cmds[fid - RMI_FID_FIRST].handler)
                return NULL;
        return &rmi_cmds[fid - RMI_FID_FIRST];
}

static const char *const rmi_events[] = { [RMI_TRACE_CALL] = "rmi_call" };
const struct trace_subsys rmi_trace = TRACE_SUBSYS("rmi", rmi_events);

void rmi_smc(struct ccada_rmm *rmm, struct smc_regs *r)
{
        uint64_t fid = r->x[0];
        uint64_t a1 = r->x[1], a2 = r->x[2], a3 = r->x[3];
        const struct rmi_cmd *cmd = rmi_lookup(fid);
        if (cmd && cmd->flags & RMI_DA && !rmm->cfg.da)
                cmd = NULL; /* no device to assign: the commands do not exist */

        rmm->stats.rmi_calls++;
        trace_advance(rmm->trace, 1000); /* virtual time: about 1 us per RMI call */
        if (!cmd) {
                /* SMCCC: unknown function IDs return NOT_SUPPORTED (includes RTT_FOLD). */
                r->x[0] = SMCCC_RET_NOT_SUPPORTED;
        } else {
                /* Handlers read the arguments from a copy and write results into zeroed
                 * registers: no argument leaks back as a result. */
                struct smc_regs args = *r;
                memset(r, 0, sizeof(*r));
                cmd->handler(rmm, &args, r);
                struct realm *realm = cmd->flags & RMI_MAPS ? rd_lookup(rmm, a1) : NULL;
                if (realm)
                        realm->rtt_gen++; /* invalidates every REC's translation cache */
                if (rmm->cfg.check_invariants)
                        (void)rmm_check_invariants(rmm);
        }
        if (trace_on(rmm->tr_rmi, RMI_TRACE_CALL) && fid != RMI_REC_ENTER) {
                unsigned st = RMI_STATUS(r->x[0]);
                trace_emit(rmm->tr_rmi, RMI_TRACE_CALL, "cmd=%s x1=0x%llx x2=0x%llx x3=0x%llx status=%s index=%u",
                           rmi_command_name(fid), (unsigned long long)a1, (unsigned long long)a2,
                           (unsigned long long)a3,
                           cmd ? rmi_status_name(st) : "NOT_SUPPORTED", cmd ? RMI_INDEX(r->x[0]) : 0);
        }
}
