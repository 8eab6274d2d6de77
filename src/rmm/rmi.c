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

static void rmi_features(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        /* DEN0137 1.0 B4.3.9: only register 0 exists; others read as zero. */
        uint64_t v = 0;
        if (a->x[1] == 0) {
                v = (uint64_t)rmm->cfg.max_s2sz << RMI_FEATURE_REGISTER_0_S2SZ_SHIFT;
                v |= RMI_FEATURE_REGISTER_0_HASH_SHA_256;
                if (rmm->cfg.sha512)
                        v |= RMI_FEATURE_REGISTER_0_HASH_SHA_512;
                v |= 4ULL << RMI_FEATURE_REGISTER_0_MAX_RECS_ORDER_SHIFT;
        }
        r->x[0] = RMI_SUCCESS;
        r->x[1] = v;
}

typedef void (*rmi_handler)(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r);

static rmi_handler rmi_lookup(uint64_t fid)
{
        switch (fid) {
        case RMI_VERSION: return rmi_version;
        case RMI_FEATURES: return rmi_features;
        case RMI_GRANULE_DELEGATE: return rmi_granule_delegate;
        case RMI_GRANULE_UNDELEGATE: return rmi_granule_undelegate;
        case RMI_REALM_CREATE: return rmi_realm_create;
        case RMI_REALM_ACTIVATE: return rmi_realm_activate;
        case RMI_REALM_DESTROY: return rmi_realm_destroy;
        case RMI_REC_CREATE: return rmi_rec_create;
        case RMI_REC_DESTROY: return rmi_rec_destroy;
        case RMI_REC_AUX_COUNT: return rmi_rec_aux_count;
        case RMI_REC_ENTER: return rmi_rec_enter;
        case RMI_PSCI_COMPLETE: return rmi_psci_complete;
        case RMI_RTT_CREATE: return rmi_rtt_create;
        case RMI_RTT_DESTROY: return rmi_rtt_destroy;
        case RMI_RTT_READ_ENTRY: return rmi_rtt_read_entry;
        case RMI_RTT_INIT_RIPAS: return rmi_rtt_init_ripas;
        case RMI_RTT_SET_RIPAS: return rmi_rtt_set_ripas;
        case RMI_RTT_MAP_UNPROTECTED: return rmi_rtt_map_unprotected;
        case RMI_RTT_UNMAP_UNPROTECTED: return rmi_rtt_unmap_unprotected;
        case RMI_DATA_CREATE: return rmi_data_create;
        case RMI_DATA_CREATE_UNKNOWN: return rmi_data_create_unknown;
        case RMI_DATA_DESTROY: return rmi_data_destroy;
        default: return NULL;
        }
}

/* Commands that may change a Realm's stage-2 translations (x1 is the RD for all). */
static bool changes_mappings(uint64_t fid)
{
        return fid == RMI_RTT_CREATE || fid == RMI_RTT_DESTROY || fid == RMI_RTT_INIT_RIPAS ||
               fid == RMI_RTT_SET_RIPAS || fid == RMI_RTT_MAP_UNPROTECTED || fid == RMI_RTT_UNMAP_UNPROTECTED ||
               fid == RMI_DATA_CREATE || fid == RMI_DATA_CREATE_UNKNOWN || fid == RMI_DATA_DESTROY;
}

void rmi_smc(struct ccada_rmm *rmm, struct smc_regs *r)
{
        uint64_t fid = r->x[0];
        uint64_t a1 = r->x[1], a2 = r->x[2], a3 = r->x[3];
        rmi_handler h = rmi_lookup(fid);

        rmm->stats.rmi_calls++;
        trace_advance(rmm->trace, 1000); /* virtual time: about 1 us per RMI call */
        if (!h) {
                /* SMCCC: unknown function IDs return NOT_SUPPORTED (includes RTT_FOLD). */
                r->x[0] = SMCCC_RET_NOT_SUPPORTED;
        } else {
                /* Handlers read the arguments from a copy and write results into zeroed
                 * registers: no argument leaks back as a result. */
                struct smc_regs args = *r;
                memset(r, 0, sizeof(*r));
                h(rmm, &args, r);
                struct realm *realm = changes_mappings(fid) ? rd_lookup(rmm, a1) : NULL;
                if (realm)
                        realm->rtt_gen++; /* invalidates every REC's translation cache */
                if (rmm->cfg.check_invariants)
                        (void)rmm_check_invariants(rmm);
        }
        if (trace_on(rmm->trace, TRACE_RMI_CALL) && fid != RMI_REC_ENTER) {
                unsigned st = RMI_STATUS(r->x[0]);
                trace_emit(rmm->trace, TRACE_RMI_CALL, "cmd=%s x1=0x%llx x2=0x%llx x3=0x%llx status=%s index=%u",
                           rmi_command_name(fid), (unsigned long long)a1, (unsigned long long)a2,
                           (unsigned long long)a3,
                           h ? rmi_status_name(st) : "NOT_SUPPORTED", h ? RMI_INDEX(r->x[0]) : 0);
        }
}
