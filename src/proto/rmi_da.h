/* The device-assignment structures of RMI (RMM 2.0-beta DA chapter as TF-RMM main realises
 * it; facts/spdm-tdisp-ide.md §7.1): RmiPdevParams and RmiPublicKeyParams, the pages the host
 * fills for RMI_PDEV_CREATE and RMI_PDEV_SET_PUBKEY, and RmiDevCommData, the NS granule
 * through which the RMM and the host carry one device conversation (RMI_PDEV_COMMUNICATE):
 * the host's Enter half at 0x000 (what it brings back from the device), the RMM's Exit half
 * at 0x800 (what it wants sent, and which bytes the host should keep as a cached object).
 *
 * One codec per layout, used by both parties. Decoders take any bytes and never fail:
 * validation is the reader's (for the RMM everything here is hostile). The flag and type
 * values are ABI: include/ccada/rmi.h. */
#ifndef CCADA_PROTO_RMI_DA_H
#define CCADA_PROTO_RMI_DA_H

#include <stddef.h>
#include <stdint.h>

/* ---- RmiPdevParams (4096 bytes) ---- */
#define RMI_PDEV_PARAMS_SIZE       0x1000
#define RMI_PDEV_PARAMS_FLAGS      0x00 /* u64: bit0 SPDM, bits 2:1 category */
#define RMI_PDEV_PARAMS_HB_BASE    0x08 /* u64: the host bridge's ECAM base */
#define RMI_PDEV_PARAMS_PDEV_ID    0x10 /* u64: the host's name for the device */
#define RMI_PDEV_PARAMS_ROUTING_ID 0x18 /* u64: its requester ID */
#define RMI_PDEV_PARAMS_ID_INDEX   0x20 /* u64 */
#define RMI_PDEV_PARAMS_RID_BASE   0x28 /* u32, inclusive */
#define RMI_PDEV_PARAMS_RID_TOP    0x30 /* u32, exclusive */
#define RMI_PDEV_PARAMS_HASH_ALGO  0x38 /* u8: RMI_HASH_SHA_256 / _512 / _384 */

/* ---- RmiPublicKeyParams (4096 bytes) ---- */
#define RMI_PUBKEY_PARAMS_SIZE     0x1000
#define RMI_PUBKEY_PARAMS_KEY      0x000 /* key_len bytes of 1024: an EC point, uncompressed */
#define RMI_PUBKEY_PARAMS_METADATA 0x400 /* metadata_len bytes of 1024 (RSA: the exponent) */
#define RMI_PUBKEY_PARAMS_KEY_LEN  0x800 /* u64 */
#define RMI_PUBKEY_PARAMS_META_LEN 0x808 /* u64 */
#define RMI_PUBKEY_PARAMS_ALGO     0x810 /* u8: RMI_SIG_* */
#define RMI_PUBKEY_MAX             1024

/* ---- RmiDevCommData (one 4 KiB NS granule) ---- */
#define RMI_DEV_COMM_DATA_SIZE      0x1000
#define RMI_DEV_COMM_ENTER          0x000
#define RMI_DEV_COMM_ENTER_STATUS   0x00 /* u8: RMI_DEV_COMM_NONE / RESPONSE / ERROR */
#define RMI_DEV_COMM_ENTER_REQ_ADDR 0x08 /* u64: the request buffer (an NS granule) */
#define RMI_DEV_COMM_ENTER_RSP_ADDR 0x10 /* u64: the response buffer (an NS granule) */
#define RMI_DEV_COMM_ENTER_RSP_LEN  0x18 /* u64: valid bytes in the response buffer */
#define RMI_DEV_COMM_EXIT           0x800
#define RMI_DEV_COMM_EXIT_FLAGS     0x00 /* u64: RMI_DEV_COMM_EXIT_* */
#define RMI_DEV_COMM_EXIT_REQ_OFF   0x08 /* u64: cache_req_offset */
#define RMI_DEV_COMM_EXIT_REQ_LEN   0x10 /* u64: cache_req_len */
#define RMI_DEV_COMM_EXIT_RSP_OFF   0x18 /* u64: cache_rsp_offset */
#define RMI_DEV_COMM_EXIT_RSP_LEN   0x20 /* u64: cache_rsp_len */
#define RMI_DEV_COMM_EXIT_OBJ_ID    0x28 /* u8: RMI_DEV_OBJ_* */
#define RMI_DEV_COMM_EXIT_PROTOCOL  0x30 /* u8: RMI_DEV_PROTOCOL_* */
#define RMI_DEV_COMM_EXIT_REQ_DELAY 0x38 /* u64 */
#define RMI_DEV_COMM_EXIT_REQ_LEN2  0x40 /* u64: req_len, the bytes to send */
#define RMI_DEV_COMM_EXIT_TIMEOUT   0x48 /* u64 */

/* ---- RmiVdevParams (4096 bytes) ---- */
#define RMI_VDEV_PARAMS_SIZE       0x1000
#define RMI_VDEV_PARAMS_FLAGS      0x00  /* u64: bit0 vSMMU */
#define RMI_VDEV_PARAMS_VDEV_ID    0x08  /* u64: the Realm's name for the device */
#define RMI_VDEV_PARAMS_TDI_ID     0x10  /* u64: TDISP INTERFACE_ID.FUNCTION_ID */
#define RMI_VDEV_PARAMS_VSMMU_ADDR 0x20  /* u64 */
#define RMI_VDEV_PARAMS_VSID       0x28  /* u64 */
#define RMI_VDEV_PARAMS_NUM_RANGES 0x30  /* u64 */
#define RMI_VDEV_PARAMS_RANGES     0x200 /* 8 x {base, top (exclusive)} */
#define RMI_VDEV_MAX_RANGES        8

/* ---- RmiVdevMeasureParams (4096 bytes; RMI_VDEV_GET_MEASUREMENTS) ---- */
#define RMI_VDEV_MEASURE_PARAMS_SIZE  0x1000
#define RMI_VDEV_MEASURE_PARAMS_FLAGS 0x000 /* u64: bit0 raw bit stream requested */
#define RMI_VDEV_MEASURE_PARAMS_NONCE 0x100 /* 32 bytes: the signed request's nonce */
#define RMI_VDEV_MEASURE_FLAGS_RAW    1ull
#define RMI_VDEV_MEASURE_NONCE_SIZE   32

/* ---- RmiPdevStreamParams (4096 bytes; 2.0-bet1 IDE stream commands) ---- */
#define RMI_STREAM_PARAMS_SIZE       0x1000
#define RMI_STREAM_PARAMS_FLAGS      0x00  /* u64 */
#define RMI_STREAM_PARAMS_TYPE       0x08  /* u64: 0 NON_TEE, 1 NCOH, 2 COH, 3 NCOH_SYS, 4 COH_SYS */
#define RMI_STREAM_PARAMS_PDEV_1     0x10  /* u64: the Root Port's PDEV */
#define RMI_STREAM_PARAMS_PDEV_2     0x18  /* u64: the endpoint's PDEV */
#define RMI_STREAM_PARAMS_IDE_SID    0x20  /* u64: the IDE Stream ID (< 256) */
#define RMI_STREAM_PARAMS_NUM_RANGES 0x28  /* u64 */
#define RMI_STREAM_PARAMS_RANGES     0x100 /* 16 x {base, top (exclusive)} */
#define RMI_STREAM_MAX_RANGES        16

_Static_assert(RMI_PDEV_PARAMS_HASH_ALGO + 1 <= RMI_PDEV_PARAMS_SIZE, "RmiPdevParams fits 4 KiB");
_Static_assert(RMI_PUBKEY_PARAMS_METADATA == RMI_PUBKEY_PARAMS_KEY + RMI_PUBKEY_MAX, "key[1024] then metadata");
_Static_assert(RMI_PUBKEY_PARAMS_KEY_LEN == RMI_PUBKEY_PARAMS_METADATA + RMI_PUBKEY_MAX, "metadata[1024] then lengths");
_Static_assert(RMI_DEV_COMM_EXIT + RMI_DEV_COMM_EXIT_TIMEOUT + 8 <= RMI_DEV_COMM_DATA_SIZE, "Exit fits the granule");

struct rmi_pdev_params {
        uint64_t flags, hb_base, pdev_id, routing_id, id_index;
        uint32_t rid_base, rid_top;
        unsigned hash_algo;     /* one byte */
};

struct rmi_pubkey_params {
        uint8_t key[RMI_PUBKEY_MAX], metadata[RMI_PUBKEY_MAX];
        uint64_t key_len, metadata_len; /* as written: may exceed 1024 in a hostile page */
        unsigned algo;                  /* one byte */
};

struct rmi_vdev_params {
        uint64_t flags, vdev_id, tdi_id, vsmmu_addr, vsid, num_addr_range;
        struct {
                uint64_t base, top;
        } range[RMI_VDEV_MAX_RANGES];
};

struct rmi_vdev_measure_params {
        uint64_t flags;
        uint8_t nonce[RMI_VDEV_MEASURE_NONCE_SIZE];
};

struct rmi_stream_params {
        uint64_t flags, stream_type, pdev_1, pdev_2, ide_sid, num_ranges;
        struct {
                uint64_t base, top;
        } range[RMI_STREAM_MAX_RANGES];
};

struct rmi_dev_comm_enter {
        unsigned status;                /* one byte */
        uint64_t req_addr, rsp_addr, rsp_len;
};

struct rmi_dev_comm_exit {
        uint64_t flags, cache_req_offset, cache_req_len, cache_rsp_offset, cache_rsp_len;
        unsigned cache_obj_id, protocol; /* one byte each */
        uint64_t req_delay, req_len, timeout;
};

/* Whole pages (RMI_*_SIZE bytes); encoders zero every other byte. */
void rmi_pdev_params_encode(const struct rmi_pdev_params *p, uint8_t *buf);
void rmi_pdev_params_decode(const uint8_t *buf, struct rmi_pdev_params *p);
void rmi_pubkey_params_encode(const struct rmi_pubkey_params *p, uint8_t *buf);
void rmi_pubkey_params_decode(const uint8_t *buf, struct rmi_pubkey_params *p);
void rmi_vdev_params_encode(const struct rmi_vdev_params *p, uint8_t *buf);
void rmi_vdev_params_decode(const uint8_t *buf, struct rmi_vdev_params *p);
void rmi_vdev_measure_params_encode(const struct rmi_vdev_measure_params *p, uint8_t *buf);
void rmi_vdev_measure_params_decode(const uint8_t *buf, struct rmi_vdev_measure_params *p);
void rmi_stream_params_encode(const struct rmi_stream_params *p, uint8_t *buf);
void rmi_stream_params_decode(const uint8_t *buf, struct rmi_stream_params *p);
/* The halves of RmiDevCommData: buf is the whole granule; each touches only its half. */
void rmi_dev_comm_enter_encode(const struct rmi_dev_comm_enter *e, uint8_t *buf);
void rmi_dev_comm_enter_decode(const uint8_t *buf, struct rmi_dev_comm_enter *e);
void rmi_dev_comm_exit_encode(const struct rmi_dev_comm_exit *x, uint8_t *buf);
void rmi_dev_comm_exit_decode(const uint8_t *buf, struct rmi_dev_comm_exit *x);

#endif
