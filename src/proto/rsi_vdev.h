/* RsiVdevInfo: what RSI_VDEV_GET_INFO writes into a Realm's 512-byte buffer (RMM 2.0-beta
 * device assignment; RMM spec B5.5 "RsiVdevInfo", facts/spdm-tdisp-ide.md §7.2). The RMM
 * encodes it; a Realm decodes it. Its layout is the contract: every offset is checked below.
 *
 * The layout is the specification's (format_type at 0x30, format_version at 0x38, state at
 * 0x40, the digests from 0x80), which TF-RMM main follows since it added format_type; TF-RMM
 * before that had tdisp_version at 0x30, state at 0x38 and the digests from 0x40. */
#ifndef CCADA_PROTO_RSI_VDEV_H
#define CCADA_PROTO_RSI_VDEV_H

#include <stdint.h>

#define RSI_VDEV_INFO_SIZE           0x200
#define RSI_VDEV_INFO_FLAGS          0x000 /* u64: RsiVdevFlags (P2P, vSMMU): 0 here */
#define RSI_VDEV_INFO_CERT_ID        0x008 /* u64: the certificate slot */
#define RSI_VDEV_INFO_HASH_ALGO      0x010 /* u8: RSI_HASH_* of every digest below */
#define RSI_VDEV_INFO_LOCK_NONCE     0x018 /* u64 */
#define RSI_VDEV_INFO_MEAS_NONCE     0x020 /* u64 */
#define RSI_VDEV_INFO_REPORT_NONCE   0x028 /* u64 */
#define RSI_VDEV_INFO_FORMAT_TYPE    0x030 /* u8: RSI_VDEV_REPORT_FORMAT_* */
#define RSI_VDEV_INFO_FORMAT_VERSION 0x038 /* u64: TDISP: major << 16 | minor */
#define RSI_VDEV_INFO_STATE          0x040 /* u8: RSI_VDEV_STATE_* */
#define RSI_VDEV_INFO_VCA_DIGEST     0x080 /* 64 bytes each, the hash's length used */
#define RSI_VDEV_INFO_CERT_DIGEST    0x0C0
#define RSI_VDEV_INFO_PUBKEY_DIGEST  0x100
#define RSI_VDEV_INFO_MEAS_DIGEST    0x140
#define RSI_VDEV_INFO_REPORT_DIGEST  0x180
#define RSI_VDEV_INFO_VSMMU_ADDR     0x1C0 /* u64: only with flags.vsmmu */
#define RSI_VDEV_INFO_VSMMU_VSID     0x1C8 /* u64 */
#define RSI_VDEV_DIGEST_MAX          64

_Static_assert(RSI_VDEV_INFO_VCA_DIGEST + RSI_VDEV_DIGEST_MAX == RSI_VDEV_INFO_CERT_DIGEST &&
                       RSI_VDEV_INFO_CERT_DIGEST + RSI_VDEV_DIGEST_MAX == RSI_VDEV_INFO_PUBKEY_DIGEST &&
                       RSI_VDEV_INFO_PUBKEY_DIGEST + RSI_VDEV_DIGEST_MAX == RSI_VDEV_INFO_MEAS_DIGEST &&
                       RSI_VDEV_INFO_MEAS_DIGEST + RSI_VDEV_DIGEST_MAX == RSI_VDEV_INFO_REPORT_DIGEST &&
                       RSI_VDEV_INFO_REPORT_DIGEST + RSI_VDEV_DIGEST_MAX == RSI_VDEV_INFO_VSMMU_ADDR,
               "the five digests follow each other, 64 bytes each, up to vsmmu_addr");
_Static_assert(RSI_VDEV_INFO_STATE < RSI_VDEV_INFO_VCA_DIGEST, "state before the digests");
_Static_assert(RSI_VDEV_INFO_VSMMU_VSID + 8 <= RSI_VDEV_INFO_SIZE, "RsiVdevInfo is 512 bytes");

struct rsi_vdev_info {
        uint64_t flags, cert_id;
        uint8_t hash_algo;
        uint64_t lock_nonce, meas_nonce, report_nonce;
        uint8_t format_type;
        uint64_t format_version;
        uint8_t state;
        uint8_t vca_digest[RSI_VDEV_DIGEST_MAX], cert_digest[RSI_VDEV_DIGEST_MAX];
        uint8_t pubkey_digest[RSI_VDEV_DIGEST_MAX], meas_digest[RSI_VDEV_DIGEST_MAX];
        uint8_t report_digest[RSI_VDEV_DIGEST_MAX];
        uint64_t vsmmu_addr, vsmmu_vsid;
};

/* buf holds RSI_VDEV_INFO_SIZE bytes. The encoder writes every byte (reserved ones zero);
 * the decoder takes any bytes and never fails, reading each field once. */
void rsi_vdev_info_encode(const struct rsi_vdev_info *v, uint8_t *buf);
void rsi_vdev_info_decode(const uint8_t *buf, struct rsi_vdev_info *v);

#endif
