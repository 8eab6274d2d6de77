/* Realm Services Interface, RMM specification 1.0 (DEN0137 1.0, chapter B5).
 * Realm code calls the RMM with an SMC: cpu_smc() with the FID in X0. */
#ifndef CCADA_RSI_H
#define CCADA_RSI_H

#include <stdint.h>

#define RSI_FID(n) (0xC4000000ULL | (n))
#define RSI_VERSION                    RSI_FID(0x190)
#define RSI_FEATURES                   RSI_FID(0x191)
#define RSI_MEASUREMENT_READ           RSI_FID(0x192)
#define RSI_MEASUREMENT_EXTEND         RSI_FID(0x193)
#define RSI_ATTESTATION_TOKEN_INIT     RSI_FID(0x194)
#define RSI_ATTESTATION_TOKEN_CONTINUE RSI_FID(0x195)
#define RSI_REALM_CONFIG               RSI_FID(0x196)
#define RSI_IPA_STATE_SET              RSI_FID(0x197)
#define RSI_IPA_STATE_GET              RSI_FID(0x198)
#define RSI_HOST_CALL                  RSI_FID(0x199)
/* Device assignment (RMM 2.0-beta as TF-RMM main realises it; RMM 1.0 has none:
 * facts/spdm-tdisp-ide.md §7.2). Implemented only when the RMM offers device assignment. */
#define RSI_VDEV_DMA_ENABLE            RSI_FID(0x19C)
#define RSI_VDEV_GET_INFO              RSI_FID(0x19D)
/* vdev_id, ipa_base, ipa_top, pa_base, flags, lock/meas/report nonces -> x1 next IPA,
 * x2 RsiResponse (TF-RMM main smc-rsi.h) */
#define RSI_VDEV_VALIDATE_MAPPING      RSI_FID(0x19F)
#define RSI_VDEV_DMA_DISABLE           RSI_FID(0x1A4)

#define RSI_ABI_VERSION(major, minor) (((uint64_t)(major) << 16) | (minor))
#define RSI_ABI_VERSION_1_0 RSI_ABI_VERSION(1, 0)

/* RsiCommandReturnCode */
#define RSI_SUCCESS        0
#define RSI_ERROR_INPUT    1
#define RSI_ERROR_STATE    2
#define RSI_INCOMPLETE     3
#define RSI_ERROR_UNKNOWN  4
#define RSI_ERROR_DEVICE   5 /* RMM 2.0-beta: a Realm device is not in the state the command needs */

/* RsiRipas */
#define RSI_RIPAS_EMPTY     0
#define RSI_RIPAS_RAM       1
#define RSI_RIPAS_DESTROYED 2
#define RSI_RIPAS_DEV       3 /* RMM 2.0-beta (TF-RMM main smc-rsi.h): validated device memory */

/* RsiRipasChangeDestroyed (IPA_STATE_SET flags bit 0) */
#define RSI_NO_CHANGE_DESTROYED 0
#define RSI_CHANGE_DESTROYED    1

/* RsiResponse */
#define RSI_ACCEPT 0
#define RSI_REJECT 1

/* RsiHashAlgorithm */
#define RSI_HASH_SHA_256 0
#define RSI_HASH_SHA_512 1
#define RSI_HASH_SHA_384 2 /* RMM 2.0-beta (device digests); the same encoding as RmiHashAlgorithm */

/* RsiFeatureRegister0 (RMM 2.0-beta B5.5.8): bit 0 DA, Realm device assignment supported. */
#define RSI_FEATURE_REGISTER_0_DA (1ULL << 0)

/* RsiVdevState: a VDEV as the Realm sees it (RSI_VDEV_GET_INFO) */
#define RSI_VDEV_STATE_UNLOCKED 0
#define RSI_VDEV_STATE_LOCKED   1
#define RSI_VDEV_STATE_STARTED  2
#define RSI_VDEV_STATE_ERROR    3

/* RsiVdevReportFormatType: how the device reports its interface */
#define RSI_VDEV_REPORT_FORMAT_IMPL_DEFINED 0
#define RSI_VDEV_REPORT_FORMAT_TDISP        1

/* RSI_VDEV_GET_INFO's buffer: 512 bytes, 512-aligned (layout: src/proto/rsi_vdev.h) */
#define RSI_VDEV_INFO_ALIGN 0x200

/* RsiRealmConfig (4096 bytes) */
#define RSI_REALM_CONFIG_SIZE      0x1000
#define RSI_REALM_CONFIG_IPA_WIDTH 0x000 /* u64 */
#define RSI_REALM_CONFIG_HASH_ALGO 0x008 /* u8 */
#define RSI_REALM_CONFIG_RPV       0x200 /* 64 bytes */

/* RsiHostCall (256 bytes) */
#define RSI_HOST_CALL_SIZE  0x100
#define RSI_HOST_CALL_IMM   0x00 /* u16 */
#define RSI_HOST_CALL_GPRS  0x08 /* 31 x u64 */
#define RSI_HOST_CALL_NUM_GPRS 31

_Static_assert(RSI_HOST_CALL_GPRS + 8 * RSI_HOST_CALL_NUM_GPRS == RSI_HOST_CALL_SIZE, "RsiHostCall is 256 bytes");
_Static_assert(RSI_REALM_CONFIG_RPV + 64 <= RSI_REALM_CONFIG_SIZE, "RsiRealmConfig fits 4 KiB");

#define RSI_MEASUREMENT_SLOTS 5  /* 0 = RIM, 1..4 = REMs */
#define RSI_MEASUREMENT_MAX   64 /* bytes */

const char *rsi_command_name(uint64_t fid);
const char *rsi_status_name(unsigned status);
const char *rsi_ripas_name(unsigned ripas);

#endif
