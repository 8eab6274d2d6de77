/* RmiRealmParams and RmiRecParams codec (see rmi_params.h). DEN0137 1.0 B4.4.x. */
#include "proto/rmi_params.h"

#include <string.h>

#include "lib/bytes.h"

void rmi_realm_params_encode(const struct rmi_realm_params *p, uint8_t *buf)
{
        struct byte_writer w;
        memset(buf, 0, RMI_REALM_PARAMS_SIZE);
        bw_init(&w, buf, RMI_REALM_PARAMS_SIZE);
        bw_seek(&w, RMI_REALM_PARAMS_FLAGS); bw_le64(&w, p->flags);
        bw_seek(&w, RMI_REALM_PARAMS_S2SZ); bw_u8(&w, (uint8_t)p->s2sz);
        bw_seek(&w, RMI_REALM_PARAMS_SVE_VL); bw_u8(&w, (uint8_t)p->sve_vl);
        bw_seek(&w, RMI_REALM_PARAMS_NUM_BPS); bw_u8(&w, (uint8_t)p->num_bps);
        bw_seek(&w, RMI_REALM_PARAMS_NUM_WPS); bw_u8(&w, (uint8_t)p->num_wps);
        bw_seek(&w, RMI_REALM_PARAMS_PMU_NUM_CTRS); bw_u8(&w, (uint8_t)p->pmu_num_ctrs);
        bw_seek(&w, RMI_REALM_PARAMS_HASH_ALGO); bw_u8(&w, (uint8_t)p->hash_algo);
        bw_seek(&w, RMI_REALM_PARAMS_RPV); bw_bytes(&w, p->rpv, sizeof(p->rpv));
        bw_seek(&w, RMI_REALM_PARAMS_VMID); bw_le16(&w, p->vmid);
        bw_seek(&w, RMI_REALM_PARAMS_RTT_BASE); bw_le64(&w, p->rtt_base);
        bw_seek(&w, RMI_REALM_PARAMS_RTT_LEVEL_START); bw_le64(&w, (uint64_t)p->rtt_level_start);
        bw_seek(&w, RMI_REALM_PARAMS_RTT_NUM_START); bw_le32(&w, p->rtt_num_start);
}

void rmi_realm_params_decode(const uint8_t *buf, struct rmi_realm_params *p)
{
        struct byte_reader r;
        br_init(&r, buf, RMI_REALM_PARAMS_SIZE);
        br_seek(&r, RMI_REALM_PARAMS_FLAGS); p->flags = br_le64(&r);
        br_seek(&r, RMI_REALM_PARAMS_S2SZ); p->s2sz = br_u8(&r);
        br_seek(&r, RMI_REALM_PARAMS_SVE_VL); p->sve_vl = br_u8(&r);
        br_seek(&r, RMI_REALM_PARAMS_NUM_BPS); p->num_bps = br_u8(&r);
        br_seek(&r, RMI_REALM_PARAMS_NUM_WPS); p->num_wps = br_u8(&r);
        br_seek(&r, RMI_REALM_PARAMS_PMU_NUM_CTRS); p->pmu_num_ctrs = br_u8(&r);
        br_seek(&r, RMI_REALM_PARAMS_HASH_ALGO); p->hash_algo = br_u8(&r);
        br_seek(&r, RMI_REALM_PARAMS_RPV); br_bytes(&r, p->rpv, sizeof(p->rpv));
        br_seek(&r, RMI_REALM_PARAMS_VMID); p->vmid = br_le16(&r);
        br_seek(&r, RMI_REALM_PARAMS_RTT_BASE); p->rtt_base = br_le64(&r);
        br_seek(&r, RMI_REALM_PARAMS_RTT_LEVEL_START); p->rtt_level_start = (int64_t)br_le64(&r);
        br_seek(&r, RMI_REALM_PARAMS_RTT_NUM_START); p->rtt_num_start = br_le32(&r);
}

void rmi_rec_params_encode(const struct rmi_rec_params *p, uint8_t *buf)
{
        struct byte_writer w;
        memset(buf, 0, RMI_REC_PARAMS_SIZE);
        bw_init(&w, buf, RMI_REC_PARAMS_SIZE);
        bw_seek(&w, RMI_REC_PARAMS_FLAGS); bw_le64(&w, p->flags);
        bw_seek(&w, RMI_REC_PARAMS_MPIDR); bw_le64(&w, p->mpidr);
        bw_seek(&w, RMI_REC_PARAMS_PC); bw_le64(&w, p->pc);
        bw_seek(&w, RMI_REC_PARAMS_GPRS);
        for (unsigned i = 0; i < 8; i++)
                bw_le64(&w, p->gprs[i]);
        bw_seek(&w, RMI_REC_PARAMS_NUM_AUX); bw_le64(&w, p->num_aux);
        bw_seek(&w, RMI_REC_PARAMS_AUX);
        for (unsigned i = 0; i < RMI_REC_PARAMS_MAX_AUX; i++)
                bw_le64(&w, p->aux[i]);
}

void rmi_rec_params_decode(const uint8_t *buf, struct rmi_rec_params *p)
{
        struct byte_reader r;
        br_init(&r, buf, RMI_REC_PARAMS_SIZE);
        br_seek(&r, RMI_REC_PARAMS_FLAGS); p->flags = br_le64(&r);
        br_seek(&r, RMI_REC_PARAMS_MPIDR); p->mpidr = br_le64(&r);
        br_seek(&r, RMI_REC_PARAMS_PC); p->pc = br_le64(&r);
        br_seek(&r, RMI_REC_PARAMS_GPRS);
        for (unsigned i = 0; i < 8; i++)
                p->gprs[i] = br_le64(&r);
        br_seek(&r, RMI_REC_PARAMS_NUM_AUX); p->num_aux = br_le64(&r);
        br_seek(&r, RMI_REC_PARAMS_AUX);
        for (unsigned i = 0; i < RMI_REC_PARAMS_MAX_AUX; i++)
                p->aux[i] = br_le64(&r);
}
