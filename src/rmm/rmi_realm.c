/* RMI_REALM_CREATE / RMI_REALM_ACTIVATE / RMI_REALM_DESTROY. DEN0137 1.0 B4.3.9, B4.3.8,
 * B4.3.10.
 * RmiRealmParams is copied in from NS memory once, then decoded with the byte reader. */
#include <stdlib.h>
#include <string.h>

#include "rmm/rmm_internal.h"

#define S2SZ_MIN 32

/* Number of concatenated starting tables that s2sz needs at level, or 0 if the pair is
 * not a valid stage-2 configuration (Arm ARM D8.2: at most 16 concatenated tables, and
 * the starting level must resolve at least one address bit). */
static unsigned rtt_num_start_for(unsigned s2sz, int64_t level)
{
        if (level < 0 || level > 3)
                return 0;
        unsigned cover = (unsigned)(GRANULE_SHIFT + 9 * (4 - level));
        if (s2sz + 9 <= cover || s2sz > cover + 4)
                return 0;
        return s2sz > cover ? 1u << (s2sz - cover) : 1u;
}

/* params_valid, params_supp (DEN0137 1.0 B4.3.9.2): a valid RmiRealmParams (B4.4.12)
 * asking only for what RMI_FEATURES offers (A3.1), checked as TF-RMM 1.0 checks it. */
static bool realm_params_valid(const struct ccada_rmm *rmm, const struct rmi_realm_params *p)
{
        uint64_t feat = rmm_feature_register_0(rmm);
        /* RmiRealmFlags (B4.4.11): bits 63:3 SBZ; LPA2 only if offered (A3.1.2) */
        if (p->flags >> 3 || ((p->flags & RMI_REALM_FLAGS_LPA2) && !(feat & RMI_FEATURE_REGISTER_0_LPA2)))
                return false;
        /* A3.1.3: SVE only if offered, no longer a vector than offered. Without SVE, sve_vl
         * is not looked at (only measured), as in TF-RMM 1.0. */
        if ((p->flags & RMI_REALM_FLAGS_SVE) &&
            (!(feat & RMI_FEATURE_REGISTER_0_SVE_EN) || p->sve_vl > RMI_FEATURE_FIELD(feat, SVE_VL)))
                return false;
        /* A3.1.5: no more PMU counters than offered, and at least one: a PMU with none needs
         * FEAT_HPMN0, which the modelled PE lacks (TF-RMM 1.0 alike). Without the PMU,
         * pmu_num_ctrs is only measured. */
        if ((p->flags & RMI_REALM_FLAGS_PMU) &&
            (!(feat & RMI_FEATURE_REGISTER_0_PMU_EN) || p->pmu_num_ctrs == 0 ||
             p->pmu_num_ctrs > RMI_FEATURE_FIELD(feat, PMU_NUM_CTRS)))
                return false;
        /* A3.1.4, B4.4.12: num_bps and num_wps are counts minus one (0 is reserved), no
         * more than RMI_FEATURES offers in the same encoding (B4.4.6) */
        if (p->num_bps == 0 || p->num_bps > RMI_FEATURE_FIELD(feat, NUM_BPS) || p->num_wps == 0 ||
            p->num_wps > RMI_FEATURE_FIELD(feat, NUM_WPS))
                return false;
        /* A3.1.2: the IPA width */
        if (p->s2sz < S2SZ_MIN || p->s2sz > RMI_FEATURE_FIELD(feat, S2SZ))
                return false;
        /* A3.1.1: an offered hash algorithm */
        if (!(p->hash_algo == RMI_HASH_SHA_256 && (feat & RMI_FEATURE_REGISTER_0_HASH_SHA_256)) &&
            !(p->hash_algo == RMI_HASH_SHA_512 && (feat & RMI_FEATURE_REGISTER_0_HASH_SHA_512)))
                return false;
        /* rtt_num_level */
        unsigned n = rtt_num_start_for(p->s2sz, p->rtt_level_start);
        return n != 0 && n == p->rtt_num_start;
}

static bool vmid_in_use(const struct ccada_rmm *rmm, uint16_t vmid)
{
        return (rmm->vmids[vmid / 8] >> (vmid % 8)) & 1;
}

static void vmid_set(struct ccada_rmm *rmm, uint16_t vmid, bool used)
{
        if (used)
                rmm->vmids[vmid / 8] |= (uint8_t)(1u << (vmid % 8));
        else
                rmm->vmids[vmid / 8] &= (uint8_t)~(1u << (vmid % 8));
}

/* rtt_align, rtt_state, alias: the starting tables are DELEGATED and do not include rd. */
static bool rtt_granules_ok(struct ccada_rmm *rmm, uint64_t rd, const struct rmi_realm_params *p)
{
        for (uint32_t i = 0; i < p->rtt_num_start; i++) {
                uint64_t pa = p->rtt_base + (uint64_t)i * GRANULE_SIZE;
                if (!granule_find(rmm, pa, GRANULE_DELEGATED) || pa == rd)
                        return false;
        }
        return true;
}

static struct realm *realm_build(struct ccada_rmm *rmm, uint64_t rd, const struct rmi_realm_params *p)
{
        struct realm *r = calloc(1, sizeof(*r));
        if (!r)
                return NULL;
        r->rd = rd;
        r->state = REALM_NEW;
        r->s2sz = p->s2sz;
        r->hash_algo_rmi = p->hash_algo;
        r->hash = p->hash_algo == RMI_HASH_SHA_512 ? HASH_SHA512 : HASH_SHA256;
        memcpy(r->rpv, p->rpv, sizeof(r->rpv));
        r->vmid = p->vmid;
        r->level_start = (int)p->rtt_level_start;
        r->num_start = p->rtt_num_start;
        r->root = calloc(r->num_start, sizeof(*r->root));
        if (!r->root)
                goto fail;
        for (unsigned i = 0; i < r->num_start; i++) {
                r->root[i] = rtt_table_new(p->rtt_base + (uint64_t)i * GRANULE_SIZE, r->level_start, NULL);
                if (!r->root[i])
                        goto fail;
        }
        if (!hasher_new(&r->meas, r->hash) || !measure_realm_create(r, p))
                goto fail;
        if (rmm->cfg.check_accesses && !(r->shadow = shadow_create()))
                goto fail;
        return r;
fail:
        realm_free(r);
        return NULL;
}

void realm_free(struct realm *r)
{
        if (!r)
                return;
        rtt_tree_free(r);
        shadow_destroy(r->shadow);
        hasher_free(r->meas);
        free(r);
}

void rmi_realm_create(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        uint64_t rd = a->x[1], params_ptr = a->x[2];
        uint8_t page[RMI_REALM_PARAMS_SIZE];
        struct rmi_realm_params p;

        r->x[0] = RMI_ERROR_INPUT;
        /* params_align, params_bound, params_pas */
        if (!rmm_copy_in_ns(rmm, params_ptr, page, sizeof(page)))
                return;
        rmi_realm_params_decode(page, &p);
        /* params_valid, params_supp */
        if (!realm_params_valid(rmm, &p))
                return;
        /* rd_align, rd_bound, rd_state */
        struct granule *g = granule_find(rmm, rd, GRANULE_DELEGATED);
        if (!g)
                return;
        /* rtt_align, rtt_state, alias */
        if (p.rtt_base & GRANULE_MASK || !rtt_granules_ok(rmm, rd, &p))
                return;
        /* vmid_valid */
        if (vmid_in_use(rmm, p.vmid))
                return;
        struct realm *realm = realm_build(rmm, rd, &p);
        if (!realm)
                return;
        for (uint32_t i = 0; i < p.rtt_num_start; i++) {
                uint64_t pa = p.rtt_base + (uint64_t)i * GRANULE_SIZE;
                granule_take(rmm, granule_at(rmm, pa), GRANULE_RTT, realm, realm->root[i]);
        }
        vmid_set(rmm, p.vmid, true);
        granule_take(rmm, g, GRANULE_RD, realm, realm);
        r->x[0] = RMI_SUCCESS;
}

void rmi_realm_activate(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        struct realm *realm = rd_lookup(rmm, a->x[1]);
        if (!realm) {
                r->x[0] = RMI_ERROR_INPUT;
                return;
        }
        if (realm->state != REALM_NEW) {
                r->x[0] = RMI_ERROR_REALM;
                return;
        }
        realm->state = REALM_ACTIVE; /* the RIM is frozen from here on */
        r->x[0] = RMI_SUCCESS;
}

static bool realm_is_live(const struct realm *realm)
{
        if (realm->num_recs || realm->num_vdevs)
                return true;
        for (unsigned i = 0; i < realm->num_start; i++)
                if (realm->root[i]->live)
                        return true;
        return false;
}

void rmi_realm_destroy(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        uint64_t rd = a->x[1];
        struct realm *realm = rd_lookup(rmm, rd);
        if (!realm) {
                r->x[0] = RMI_ERROR_INPUT;
                return;
        }
        /* realm_live */
        if (realm_is_live(realm)) {
                r->x[0] = RMI_ERROR_REALM;
                return;
        }
        for (unsigned i = 0; i < realm->num_start; i++)
                granule_give_back(rmm, granule_at(rmm, realm->root[i]->pa), GRANULE_RTT);
        granule_give_back(rmm, granule_at(rmm, rd), GRANULE_RD);
        vmid_set(rmm, realm->vmid, false);
        realm_free(realm);
        r->x[0] = RMI_SUCCESS;
}
