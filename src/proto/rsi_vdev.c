/* RsiVdevInfo codec (see rsi_vdev.h). */
#include "proto/rsi_vdev.h"

#include <string.h>

#include "lib/bytes.h"

void rsi_vdev_info_encode(const struct rsi_vdev_info *v, uint8_t *buf)
{
        memset(buf, 0, RSI_VDEV_INFO_SIZE);
        st_le64(buf + RSI_VDEV_INFO_FLAGS, v->flags);
        st_le64(buf + RSI_VDEV_INFO_CERT_ID, v->cert_id);
        buf[RSI_VDEV_INFO_HASH_ALGO] = v->hash_algo;
        st_le64(buf + RSI_VDEV_INFO_LOCK_NONCE, v->lock_nonce);
        st_le64(buf + RSI_VDEV_INFO_MEAS_NONCE, v->meas_nonce);
        st_le64(buf + RSI_VDEV_INFO_REPORT_NONCE, v->report_nonce);
        buf[RSI_VDEV_INFO_FORMAT_TYPE] = v->format_type;
        st_le64(buf + RSI_VDEV_INFO_FORMAT_VERSION, v->format_version);
        buf[RSI_VDEV_INFO_STATE] = v->state;
        memcpy(buf + RSI_VDEV_INFO_VCA_DIGEST, v->vca_digest, RSI_VDEV_DIGEST_MAX);
        memcpy(buf + RSI_VDEV_INFO_CERT_DIGEST, v->cert_digest, RSI_VDEV_DIGEST_MAX);
        memcpy(buf + RSI_VDEV_INFO_PUBKEY_DIGEST, v->pubkey_digest, RSI_VDEV_DIGEST_MAX);
        memcpy(buf + RSI_VDEV_INFO_MEAS_DIGEST, v->meas_digest, RSI_VDEV_DIGEST_MAX);
        memcpy(buf + RSI_VDEV_INFO_REPORT_DIGEST, v->report_digest, RSI_VDEV_DIGEST_MAX);
        st_le64(buf + RSI_VDEV_INFO_VSMMU_ADDR, v->vsmmu_addr);
        st_le64(buf + RSI_VDEV_INFO_VSMMU_VSID, v->vsmmu_vsid);
}

void rsi_vdev_info_decode(const uint8_t *buf, struct rsi_vdev_info *v)
{
        v->flags = ld_le64(buf + RSI_VDEV_INFO_FLAGS);
        v->cert_id = ld_le64(buf + RSI_VDEV_INFO_CERT_ID);
        v->hash_algo = buf[RSI_VDEV_INFO_HASH_ALGO];
        v->lock_nonce = ld_le64(buf + RSI_VDEV_INFO_LOCK_NONCE);
        v->meas_nonce = ld_le64(buf + RSI_VDEV_INFO_MEAS_NONCE);
        v->report_nonce = ld_le64(buf + RSI_VDEV_INFO_REPORT_NONCE);
        v->format_type = buf[RSI_VDEV_INFO_FORMAT_TYPE];
        v->format_version = ld_le64(buf + RSI_VDEV_INFO_FORMAT_VERSION);
        v->state = buf[RSI_VDEV_INFO_STATE];
        memcpy(v->vca_digest, buf + RSI_VDEV_INFO_VCA_DIGEST, RSI_VDEV_DIGEST_MAX);
        memcpy(v->cert_digest, buf + RSI_VDEV_INFO_CERT_DIGEST, RSI_VDEV_DIGEST_MAX);
        memcpy(v->pubkey_digest, buf + RSI_VDEV_INFO_PUBKEY_DIGEST, RSI_VDEV_DIGEST_MAX);
        memcpy(v->meas_digest, buf + RSI_VDEV_INFO_MEAS_DIGEST, RSI_VDEV_DIGEST_MAX);
        memcpy(v->report_digest, buf + RSI_VDEV_INFO_REPORT_DIGEST, RSI_VDEV_DIGEST_MAX);
        v->vsmmu_addr = ld_le64(buf + RSI_VDEV_INFO_VSMMU_ADDR);
        v->vsmmu_vsid = ld_le64(buf + RSI_VDEV_INFO_VSMMU_VSID);
}
