/* RmiPdevParams, RmiPublicKeyParams and RmiDevCommData codecs (see rmi_da.h). */
#include "proto/rmi_da.h"

#include <string.h>

#include "lib/bytes.h"

void rmi_pdev_params_encode(const struct rmi_pdev_params *p, uint8_t *buf)
{
        struct byte_writer w;
        memset(buf, 0, RMI_PDEV_PARAMS_SIZE);
        bw_init(&w, buf, RMI_PDEV_PARAMS_SIZE);
        bw_seek(&w, RMI_PDEV_PARAMS_FLAGS); bw_le64(&w, p->flags);
        bw_seek(&w, RMI_PDEV_PARAMS_HB_BASE); bw_le64(&w, p->hb_base);
        bw_seek(&w, RMI_PDEV_PARAMS_PDEV_ID); bw_le64(&w, p->pdev_id);
        bw_seek(&w, RMI_PDEV_PARAMS_ROUTING_ID); bw_le64(&w, p->routing_id);
        bw_seek(&w, RMI_PDEV_PARAMS_ID_INDEX); bw_le64(&w, p->id_index);
        bw_seek(&w, RMI_PDEV_PARAMS_RID_BASE); bw_le32(&w, p->rid_base);
        bw_seek(&w, RMI_PDEV_PARAMS_RID_TOP); bw_le32(&w, p->rid_top);
        bw_seek(&w, RMI_PDEV_PARAMS_HASH_ALGO); bw_u8(&w, (uint8_t)p->hash_algo);
}

void rmi_pdev_params_decode(const uint8_t *buf, struct rmi_pdev_params *p)
{
        struct byte_reader r;
        br_init(&r, buf, RMI_PDEV_PARAMS_SIZE);
        br_seek(&r, RMI_PDEV_PARAMS_FLAGS); p->flags = br_le64(&r);
        br_seek(&r, RMI_PDEV_PARAMS_HB_BASE); p->hb_base = br_le64(&r);
        br_seek(&r, RMI_PDEV_PARAMS_PDEV_ID); p->pdev_id = br_le64(&r);
        br_seek(&r, RMI_PDEV_PARAMS_ROUTING_ID); p->routing_id = br_le64(&r);
        br_seek(&r, RMI_PDEV_PARAMS_ID_INDEX); p->id_index = br_le64(&r);
        br_seek(&r, RMI_PDEV_PARAMS_RID_BASE); p->rid_base = br_le32(&r);
        br_seek(&r, RMI_PDEV_PARAMS_RID_TOP); p->rid_top = br_le32(&r);
        br_seek(&r, RMI_PDEV_PARAMS_HASH_ALGO); p->hash_algo = br_u8(&r);
}

void rmi_pubkey_params_encode(const struct rmi_pubkey_params *p, uint8_t *buf)
{
        struct byte_writer w;
        memset(buf, 0, RMI_PUBKEY_PARAMS_SIZE);
        bw_init(&w, buf, RMI_PUBKEY_PARAMS_SIZE);
        bw_seek(&w, RMI_PUBKEY_PARAMS_KEY); bw_bytes(&w, p->key, sizeof(p->key));
        bw_seek(&w, RMI_PUBKEY_PARAMS_METADATA); bw_bytes(&w, p->metadata, sizeof(p->metadata));
        bw_seek(&w, RMI_PUBKEY_PARAMS_KEY_LEN); bw_le64(&w, p->key_len);
        bw_seek(&w, RMI_PUBKEY_PARAMS_META_LEN); bw_le64(&w, p->metadata_len);
        bw_seek(&w, RMI_PUBKEY_PARAMS_ALGO); bw_u8(&w, (uint8_t)p->algo);
}

void rmi_pubkey_params_decode(const uint8_t *buf, struct rmi_pubkey_params *p)
{
        struct byte_reader r;
        br_init(&r, buf, RMI_PUBKEY_PARAMS_SIZE);
        br_seek(&r, RMI_PUBKEY_PARAMS_KEY); br_bytes(&r, p->key, sizeof(p->key));
        br_seek(&r, RMI_PUBKEY_PARAMS_METADATA); br_bytes(&r, p->metadata, sizeof(p->metadata));
        br_seek(&r, RMI_PUBKEY_PARAMS_KEY_LEN); p->key_len = br_le64(&r);
        br_seek(&r, RMI_PUBKEY_PARAMS_META_LEN); p->metadata_len = br_le64(&r);
        br_seek(&r, RMI_PUBKEY_PARAMS_ALGO); p->algo = br_u8(&r);
}

void rmi_dev_comm_enter_encode(const struct rmi_dev_comm_enter *e, uint8_t *buf)
{
        struct byte_writer w;
        memset(buf + RMI_DEV_COMM_ENTER, 0, RMI_DEV_COMM_EXIT - RMI_DEV_COMM_ENTER);
        bw_init(&w, buf + RMI_DEV_COMM_ENTER, RMI_DEV_COMM_EXIT - RMI_DEV_COMM_ENTER);
        bw_seek(&w, RMI_DEV_COMM_ENTER_STATUS); bw_u8(&w, (uint8_t)e->status);
        bw_seek(&w, RMI_DEV_COMM_ENTER_REQ_ADDR); bw_le64(&w, e->req_addr);
        bw_seek(&w, RMI_DEV_COMM_ENTER_RSP_ADDR); bw_le64(&w, e->rsp_addr);
        bw_seek(&w, RMI_DEV_COMM_ENTER_RSP_LEN); bw_le64(&w, e->rsp_len);
}

void rmi_dev_comm_enter_decode(const uint8_t *buf, struct rmi_dev_comm_enter *e)
{
        struct byte_reader r;
        br_init(&r, buf + RMI_DEV_COMM_ENTER, RMI_DEV_COMM_EXIT - RMI_DEV_COMM_ENTER);
        br_seek(&r, RMI_DEV_COMM_ENTER_STATUS); e->status = br_u8(&r);
        br_seek(&r, RMI_DEV_COMM_ENTER_REQ_ADDR); e->req_addr = br_le64(&r);
        br_seek(&r, RMI_DEV_COMM_ENTER_RSP_ADDR); e->rsp_addr = br_le64(&r);
        br_seek(&r, RMI_DEV_COMM_ENTER_RSP_LEN); e->rsp_len = br_le64(&r);
}

void rmi_dev_comm_exit_encode(const struct rmi_dev_comm_exit *x, uint8_t *buf)
{
        struct byte_writer w;
        memset(buf + RMI_DEV_COMM_EXIT, 0, RMI_DEV_COMM_DATA_SIZE - RMI_DEV_COMM_EXIT);
        bw_init(&w, buf + RMI_DEV_COMM_EXIT, RMI_DEV_COMM_DATA_SIZE - RMI_DEV_COMM_EXIT);
        bw_seek(&w, RMI_DEV_COMM_EXIT_FLAGS); bw_le64(&w, x->flags);
        bw_seek(&w, RMI_DEV_COMM_EXIT_REQ_OFF); bw_le64(&w, x->cache_req_offset);
        bw_seek(&w, RMI_DEV_COMM_EXIT_REQ_LEN); bw_le64(&w, x->cache_req_len);
        bw_seek(&w, RMI_DEV_COMM_EXIT_RSP_OFF); bw_le64(&w, x->cache_rsp_offset);
        bw_seek(&w, RMI_DEV_COMM_EXIT_RSP_LEN); bw_le64(&w, x->cache_rsp_len);
        bw_seek(&w, RMI_DEV_COMM_EXIT_OBJ_ID); bw_u8(&w, (uint8_t)x->cache_obj_id);
        bw_seek(&w, RMI_DEV_COMM_EXIT_PROTOCOL); bw_u8(&w, (uint8_t)x->protocol);
        bw_seek(&w, RMI_DEV_COMM_EXIT_REQ_DELAY); bw_le64(&w, x->req_delay);
        bw_seek(&w, RMI_DEV_COMM_EXIT_REQ_LEN2); bw_le64(&w, x->req_len);
        bw_seek(&w, RMI_DEV_COMM_EXIT_TIMEOUT); bw_le64(&w, x->timeout);
}

void rmi_dev_comm_exit_decode(const uint8_t *buf, struct rmi_dev_comm_exit *x)
{
        struct byte_reader r;
        br_init(&r, buf + RMI_DEV_COMM_EXIT, RMI_DEV_COMM_DATA_SIZE - RMI_DEV_COMM_EXIT);
        br_seek(&r, RMI_DEV_COMM_EXIT_FLAGS); x->flags = br_le64(&r);
        br_seek(&r, RMI_DEV_COMM_EXIT_REQ_OFF); x->cache_req_offset = br_le64(&r);
        br_seek(&r, RMI_DEV_COMM_EXIT_REQ_LEN); x->cache_req_len = br_le64(&r);
        br_seek(&r, RMI_DEV_COMM_EXIT_RSP_OFF); x->cache_rsp_offset = br_le64(&r);
        br_seek(&r, RMI_DEV_COMM_EXIT_RSP_LEN); x->cache_rsp_len = br_le64(&r);
        br_seek(&r, RMI_DEV_COMM_EXIT_OBJ_ID); x->cache_obj_id = br_u8(&r);
        br_seek(&r, RMI_DEV_COMM_EXIT_PROTOCOL); x->protocol = br_u8(&r);
        br_seek(&r, RMI_DEV_COMM_EXIT_REQ_DELAY); x->req_delay = br_le64(&r);
        br_seek(&r, RMI_DEV_COMM_EXIT_REQ_LEN2); x->req_len = br_le64(&r);
        br_seek(&r, RMI_DEV_COMM_EXIT_TIMEOUT); x->timeout = br_le64(&r);
}

void rmi_vdev_measure_params_encode(const struct rmi_vdev_measure_params *p, uint8_t *buf)
{
        memset(buf, 0, RMI_VDEV_MEASURE_PARAMS_SIZE);
        st_le64(buf + RMI_VDEV_MEASURE_PARAMS_FLAGS, p->flags);
        memcpy(buf + RMI_VDEV_MEASURE_PARAMS_NONCE, p->nonce, sizeof(p->nonce));
}

void rmi_vdev_measure_params_decode(const uint8_t *buf, struct rmi_vdev_measure_params *p)
{
        p->flags = ld_le64(buf + RMI_VDEV_MEASURE_PARAMS_FLAGS);
        memcpy(p->nonce, buf + RMI_VDEV_MEASURE_PARAMS_NONCE, sizeof(p->nonce));
}

void rmi_stream_params_encode(const struct rmi_stream_params *p, uint8_t *buf)
{
        struct byte_writer w;
        memset(buf, 0, RMI_STREAM_PARAMS_SIZE);
        bw_init(&w, buf, RMI_STREAM_PARAMS_SIZE);
        bw_seek(&w, RMI_STREAM_PARAMS_FLAGS); bw_le64(&w, p->flags);
        bw_seek(&w, RMI_STREAM_PARAMS_TYPE); bw_le64(&w, p->stream_type);
        bw_seek(&w, RMI_STREAM_PARAMS_PDEV_1); bw_le64(&w, p->pdev_1);
        bw_seek(&w, RMI_STREAM_PARAMS_PDEV_2); bw_le64(&w, p->pdev_2);
        bw_seek(&w, RMI_STREAM_PARAMS_IDE_SID); bw_le64(&w, p->ide_sid);
        bw_seek(&w, RMI_STREAM_PARAMS_NUM_RANGES); bw_le64(&w, p->num_ranges);
        bw_seek(&w, RMI_STREAM_PARAMS_RANGES);
        for (unsigned i = 0; i < RMI_STREAM_MAX_RANGES; i++) {
                bw_le64(&w, p->range[i].base);
                bw_le64(&w, p->range[i].top);
        }
}

void rmi_stream_params_decode(const uint8_t *buf, struct rmi_stream_params *p)
{
        struct byte_reader r;
        br_init(&r, buf, RMI_STREAM_PARAMS_SIZE);
        br_seek(&r, RMI_STREAM_PARAMS_FLAGS); p->flags = br_le64(&r);
        br_seek(&r, RMI_STREAM_PARAMS_TYPE); p->stream_type = br_le64(&r);
        br_seek(&r, RMI_STREAM_PARAMS_PDEV_1); p->pdev_1 = br_le64(&r);
        br_seek(&r, RMI_STREAM_PARAMS_PDEV_2); p->pdev_2 = br_le64(&r);
        br_seek(&r, RMI_STREAM_PARAMS_IDE_SID); p->ide_sid = br_le64(&r);
        br_seek(&r, RMI_STREAM_PARAMS_NUM_RANGES); p->num_ranges = br_le64(&r);
        br_seek(&r, RMI_STREAM_PARAMS_RANGES);
        for (unsigned i = 0; i < RMI_STREAM_MAX_RANGES; i++) {
                p->range[i].base = br_le64(&r);
                p->range[i].top = br_le64(&r);
        }
}

void rmi_vdev_params_encode(const struct rmi_vdev_params *p, uint8_t *buf)
{
        struct byte_writer w;
        memset(buf, 0, RMI_VDEV_PARAMS_SIZE);
        bw_init(&w, buf, RMI_VDEV_PARAMS_SIZE);
        bw_seek(&w, RMI_VDEV_PARAMS_FLAGS); bw_le64(&w, p->flags);
        bw_seek(&w, RMI_VDEV_PARAMS_VDEV_ID); bw_le64(&w, p->vdev_id);
        bw_seek(&w, RMI_VDEV_PARAMS_TDI_ID); bw_le64(&w, p->tdi_id);
        bw_seek(&w, RMI_VDEV_PARAMS_VSMMU_ADDR); bw_le64(&w, p->vsmmu_addr);
        bw_seek(&w, RMI_VDEV_PARAMS_VSID); bw_le64(&w, p->vsid);
        bw_seek(&w, RMI_VDEV_PARAMS_NUM_RANGES); bw_le64(&w, p->num_addr_range);
        bw_seek(&w, RMI_VDEV_PARAMS_RANGES);
        for (unsigned i = 0; i < RMI_VDEV_MAX_RANGES; i++) {
                bw_le64(&w, p->range[i].base);
                bw_le64(&w, p->range[i].top);
        }
}

void rmi_vdev_params_decode(const uint8_t *buf, struct rmi_vdev_params *p)
{
        struct byte_reader r;
        br_init(&r, buf, RMI_VDEV_PARAMS_SIZE);
        br_seek(&r, RMI_VDEV_PARAMS_FLAGS); p->flags = br_le64(&r);
        br_seek(&r, RMI_VDEV_PARAMS_VDEV_ID); p->vdev_id = br_le64(&r);
        br_seek(&r, RMI_VDEV_PARAMS_TDI_ID); p->tdi_id = br_le64(&r);
        br_seek(&r, RMI_VDEV_PARAMS_VSMMU_ADDR); p->vsmmu_addr = br_le64(&r);
        br_seek(&r, RMI_VDEV_PARAMS_VSID); p->vsid = br_le64(&r);
        br_seek(&r, RMI_VDEV_PARAMS_NUM_RANGES); p->num_addr_range = br_le64(&r);
        br_seek(&r, RMI_VDEV_PARAMS_RANGES);
        for (unsigned i = 0; i < RMI_VDEV_MAX_RANGES; i++) {
                p->range[i].base = br_le64(&r);
                p->range[i].top = br_le64(&r);
        }
}
