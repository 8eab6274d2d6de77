/* Realm Management Interface, RMM specification 1.0 (DEN0137 1.0, chapter B4).
 *
 * The host calls the RMM with rmi_smc(): function ID in X0, arguments in X1.., results
 * back in X0.. (X0 = RmiStatusCode with the index in bits [15:8]). Structures that cross
 * the interface live in Non-secure memory at physical addresses given as arguments; the
 * RMM copies them in once. Their layouts are the offsets below.
 */
#ifndef CCADA_RMI_H
#define CCADA_RMI_H

#include <stdint.h>

#include "ccada/smc.h"

/* ---- Function IDs (DEN0137 1.0 B4.3; SMC64 fast, OEN 4) ---- */
#define RMI_FID(n) (0xC4000000ULL | (n))
#define RMI_VERSION                RMI_FID(0x150)
#define RMI_GRANULE_DELEGATE       RMI_FID(0x151)
#define RMI_GRANULE_UNDELEGATE     RMI_FID(0x152)
#define RMI_DATA_CREATE            RMI_FID(0x153)
#define RMI_DATA_CREATE_UNKNOWN    RMI_FID(0x154)
#define RMI_DATA_DESTROY           RMI_FID(0x155)
#define RMI_REALM_ACTIVATE         RMI_FID(0x157)
#define RMI_REALM_CREATE           RMI_FID(0x158)
#define RMI_REALM_DESTROY          RMI_FID(0x159)
#define RMI_REC_CREATE             RMI_FID(0x15A)
#define RMI_REC_DESTROY            RMI_FID(0x15B)
#define RMI_REC_ENTER              RMI_FID(0x15C)
#define RMI_RTT_CREATE             RMI_FID(0x15D)
#define RMI_RTT_DESTROY            RMI_FID(0x15E)
#define RMI_RTT_MAP_UNPROTECTED    RMI_FID(0x15F)
#define RMI_RTT_READ_ENTRY         RMI_FID(0x161)
#define RMI_RTT_UNMAP_UNPROTECTED  RMI_FID(0x162)
#define RMI_PSCI_COMPLETE          RMI_FID(0x164)
#define RMI_FEATURES               RMI_FID(0x165)
#define RMI_RTT_FOLD               RMI_FID(0x166)
#define RMI_REC_AUX_COUNT          RMI_FID(0x167)
#define RMI_RTT_INIT_RIPAS         RMI_FID(0x168)
#define RMI_RTT_SET_RIPAS          RMI_FID(0x169)
/* RMM 2.0-beta device memory (TF-RMM main smc-rmi.h; the 2026 Linux CCA host patches'
 * rmi_smc.h): rd, rec, base, top -> x1 out_top. The host's answer to a REC's
 * RMI_EXIT_VDEV_VALIDATE_MAPPING: RIPAS DEV on the entries it confirms. */
#define RMI_RTT_DEV_VALIDATE       RMI_FID(0x163)

/* RmiInterfaceVersion: major [30:16], minor [15:0]. This RMM implements 1.0. */
/* ---- Device assignment (RMM 2.0-beta "DA" chapter as TF-RMM main realises it; RMM 1.0
 * has none: facts/spdm-tdisp-ide.md §7, docs/specs.md "Device assignment" says what each
 * follows). Commands without a handler answer NOT_SUPPORTED. ---- */
#define RMI_PDEV_ABORT             RMI_FID(0x174)
#define RMI_PDEV_COMMUNICATE       RMI_FID(0x175)
#define RMI_PDEV_CREATE            RMI_FID(0x176)
#define RMI_PDEV_DESTROY           RMI_FID(0x177)
#define RMI_PDEV_GET_STATE         RMI_FID(0x178)
#define RMI_PDEV_SET_PUBKEY        RMI_FID(0x17B)
#define RMI_PDEV_STOP              RMI_FID(0x17C)
#define RMI_VDEV_ABORT             RMI_FID(0x185)
#define RMI_VDEV_COMMUNICATE       RMI_FID(0x186)
#define RMI_VDEV_CREATE            RMI_FID(0x187)
#define RMI_VDEV_DESTROY           RMI_FID(0x188)
#define RMI_VDEV_GET_STATE         RMI_FID(0x189)
#define RMI_VDEV_UNLOCK            RMI_FID(0x18A)
#define RMI_VDEV_COMPLETE          RMI_FID(0x18E) /* rec, vdev: answers RMI_EXIT_VDEV_REQUEST */
#define RMI_VDEV_GET_INTERFACE_REPORT RMI_FID(0x1D0)
/* rd, pdev, vdev, PA of an NS RmiVdevMeasureParams */
#define RMI_VDEV_GET_MEASUREMENTS  RMI_FID(0x1D1)
#define RMI_VDEV_LOCK              RMI_FID(0x1D2)
#define RMI_VDEV_START             RMI_FID(0x1D3)
/* rd, vdev (PA of the VDEV granule), base IPA, top IPA, flags, oaddr -> x1 out_top */
#define RMI_RTT_DEV_MAP            RMI_FID(0x1F7) /* TF-RMM main smc-rmi.h */
/* rd, base, top -> x1 out_top */
#define RMI_RTT_DEV_UNMAP          RMI_FID(0x1F8) /* TF-RMM main smc-rmi.h */
#define RMI_PDEV_STREAM_CONNECT    RMI_FID(0x204) /* 2.0-bet1: the IDE stream commands */
#define RMI_PDEV_STREAM_DISCONNECT RMI_FID(0x205)
#define RMI_PDEV_STREAM_COMPLETE   RMI_FID(0x206)

#define RMI_ABI_VERSION(major, minor) (((uint64_t)(major) << 16) | (minor))
#define RMI_ABI_VERSION_1_0 RMI_ABI_VERSION(1, 0)

/* ---- RmiStatusCode (B4.4) ---- */
#define RMI_SUCCESS       0
#define RMI_ERROR_INPUT   1
#define RMI_ERROR_REALM   2
#define RMI_ERROR_REC     3
#define RMI_ERROR_RTT     4
#define RMI_STATUS(x0)    ((unsigned)((x0) & 0xFF))
#define RMI_INDEX(x0)     ((unsigned)(((x0) >> 8) & 0xFF))
#define RMI_RETURN(status, index) ((uint64_t)(status) | ((uint64_t)(index) << 8))

/* ---- Enumerations ---- */
#define RMI_EMPTY        0  /* RmiRipas */
#define RMI_RAM          1
#define RMI_DESTROYED    2
#define RMI_DEV          3  /* RMM 2.0-beta, TF-RMM main smc-rmi.h: device memory the Realm validated */

#define RMI_UNASSIGNED   0  /* RmiRttEntryState */
#define RMI_ASSIGNED     1
#define RMI_TABLE        2
#define RMI_ASSIGNED_DEV 3  /* RMM 2.0-beta, TF-RMM main smc-rmi.h: mapped to device memory (DEV_MAP) */

/* RMI_RTT_DEV_MAP flags (TF-RMM main smc-rmi.h): bits [1:0] the form of oaddr; only
 * RMI_ADDR_TYPE_SINGLE here (oaddr is the PA of base, the range contiguous); every other
 * flags bit must be zero. */
#define RMI_DEV_MAP_FLAGS_OADDR_MASK 0x3ULL
#define RMI_ADDR_TYPE_SINGLE         1

#define RMI_ACCEPT       0  /* RmiResponse */
#define RMI_REJECT       1

#define RMI_HASH_SHA_256 0  /* RmiHashAlgorithm */
#define RMI_HASH_SHA_512 1

#define RMI_NO_MEASURE_CONTENT 0 /* RmiDataFlags */
#define RMI_MEASURE_CONTENT    1

/* RmiRecExitReason */
#define RMI_EXIT_SYNC          0
#define RMI_EXIT_IRQ           1
#define RMI_EXIT_FIQ           2
#define RMI_EXIT_PSCI          3
#define RMI_EXIT_RIPAS_CHANGE  4
#define RMI_EXIT_HOST_CALL     5
#define RMI_EXIT_SERROR        6
/* RMM 2.0-beta: a Realm's RSI_VDEV_* call names a device by its vdev_id (RmiRecExit.vdev_id_1);
 * the host answers with RMI_VDEV_COMPLETE. The value is TF-RMM main's (lib/smc/include/
 * smc-rmi.h, RMI_EXIT_VDEV_REQUEST U(8); 7 is RMI_EXIT_S2AP_CHANGE, which ccada lacks). */
#define RMI_EXIT_VDEV_REQUEST  8
/* RMM 2.0-beta (TF-RMM main smc-rmi.h RMI_EXIT_VDEV_VALIDATE_MAPPING U(9)): a Realm's
 * RSI_VDEV_VALIDATE_MAPPING asks the host to confirm [dev_mem_base, dev_mem_top) maps the
 * device PA dev_mem_pa (RmiRecExit 0x540..0x550, vdev_id_1 the vdev_id); the host answers
 * with RMI_RTT_DEV_VALIDATE, and RMI_REC_ENTRY_FLAG_DEV_MEM_RESPONSE on re-entry rejects. */
#define RMI_EXIT_VDEV_VALIDATE_MAPPING 9
#define RMI_EXIT_LAST          RMI_EXIT_VDEV_VALIDATE_MAPPING /* counters by reason: [0, RMI_EXIT_LAST] */

/* RmiFeatureRegister0 (DEN0137 1.0 B4.4.6): what RMI_FEATURES returns for index 0. The
 * counts NUM_BPS, NUM_WPS and GICV3_NUM_LRS are encoded "minus one" (NUM_BPS = 1 means two
 * breakpoints; 0 is reserved), PMU_NUM_CTRS is the count itself, and the maximum number of
 * RECs per Realm is 2^MAX_RECS_ORDER - 1. */
#define RMI_FEATURE_REGISTER_0_S2SZ_SHIFT           0
#define RMI_FEATURE_REGISTER_0_S2SZ_WIDTH           8
#define RMI_FEATURE_REGISTER_0_LPA2                 (1ULL << 8)
#define RMI_FEATURE_REGISTER_0_SVE_EN               (1ULL << 9)
#define RMI_FEATURE_REGISTER_0_SVE_VL_SHIFT         10
#define RMI_FEATURE_REGISTER_0_SVE_VL_WIDTH         4
#define RMI_FEATURE_REGISTER_0_NUM_BPS_SHIFT        14
#define RMI_FEATURE_REGISTER_0_NUM_BPS_WIDTH        6
#define RMI_FEATURE_REGISTER_0_NUM_WPS_SHIFT        20
#define RMI_FEATURE_REGISTER_0_NUM_WPS_WIDTH        6
#define RMI_FEATURE_REGISTER_0_PMU_EN               (1ULL << 26)
#define RMI_FEATURE_REGISTER_0_PMU_NUM_CTRS_SHIFT   27
#define RMI_FEATURE_REGISTER_0_PMU_NUM_CTRS_WIDTH   5
#define RMI_FEATURE_REGISTER_0_HASH_SHA_256         (1ULL << 32)
#define RMI_FEATURE_REGISTER_0_HASH_SHA_512         (1ULL << 33)
#define RMI_FEATURE_REGISTER_0_GICV3_NUM_LRS_SHIFT  34
#define RMI_FEATURE_REGISTER_0_GICV3_NUM_LRS_WIDTH  4
#define RMI_FEATURE_REGISTER_0_MAX_RECS_ORDER_SHIFT 38
#define RMI_FEATURE_REGISTER_0_MAX_RECS_ORDER_WIDTH 4
/* A field of a feature register value: RMI_FEATURE_FIELD(v, NUM_BPS). */
#define RMI_FEATURE_FIELD(v, f) \
        (((v) >> RMI_FEATURE_REGISTER_0_##f##_SHIFT) & ((1ULL << RMI_FEATURE_REGISTER_0_##f##_WIDTH) - 1))

/* RMI_FEATURES register 0 bit 42 (TF-RMM main): device assignment supported. ccada sets it
 * only when the machine has an assignable device. */
#define RMI_FEATURE_REGISTER_0_DA                   (1ULL << 42)

/* ---- Device assignment status codes and types (TF-RMM main, RMM 2.0-beta) ---- */
#define RMI_ERROR_NOT_SUPPORTED 5
#define RMI_ERROR_DEVICE        6

#define RMI_PDEV_STATE_NEW       0  /* RmiPdevState */
#define RMI_PDEV_STATE_NEEDS_KEY 1
#define RMI_PDEV_STATE_HAS_KEY   2
#define RMI_PDEV_STATE_READY     3
#define RMI_PDEV_STATE_STOPPED   4
#define RMI_PDEV_STATE_ERROR     5

#define RMI_PDEV_FLAGS_SPDM          (1ULL << 0) /* RmiPdevFlags: the device speaks SPDM */
#define RMI_PDEV_FLAGS_CATEGORY_SHIFT 1          /* bits 2:1 */
#define RMI_PDEV_CATEGORY_ROOT_PORT  0
#define RMI_PDEV_CATEGORY_OFF_CHIP   1
#define RMI_PDEV_CATEGORY_ON_CHIP    2

#define RMI_SIG_RSASSA_3072 0  /* RmiSignatureAlgorithm */
#define RMI_SIG_ECDSA_P256  1
#define RMI_SIG_ECDSA_P384  2

#define RMI_HASH_SHA_384 2     /* RmiHashAlgorithm, DA only (TF-RMM: 0 SHA-256, 1 SHA-512, 2 SHA-384) */

#define RMI_DEV_COMM_NONE     0  /* RmiDevCommStatus (Enter.status) */
#define RMI_DEV_COMM_RESPONSE 1
#define RMI_DEV_COMM_ERROR    2

#define RMI_DEV_COMM_EXIT_REQ_CACHE (1ULL << 0) /* RmiDevCommExitFlags */
#define RMI_DEV_COMM_EXIT_RSP_CACHE (1ULL << 1)
#define RMI_DEV_COMM_EXIT_REQ_SEND  (1ULL << 2)
#define RMI_DEV_COMM_EXIT_RSP_WAIT  (1ULL << 3)
#define RMI_DEV_COMM_EXIT_RSP_RESET (1ULL << 4)
#define RMI_DEV_COMM_EXIT_MULTI     (1ULL << 5)

#define RMI_DEV_OBJ_VCA              0  /* RmiDevCommObject */
#define RMI_DEV_OBJ_CERTIFICATE      1
#define RMI_DEV_OBJ_MEASUREMENTS     2
#define RMI_DEV_OBJ_INTERFACE_REPORT 3

#define RMI_VDEV_STATE_NEW      0  /* RmiVdevState */
#define RMI_VDEV_STATE_UNLOCKED 1
#define RMI_VDEV_STATE_LOCKED   2
#define RMI_VDEV_STATE_STARTED  3
#define RMI_VDEV_STATE_ERROR    4

#define RMI_STREAM_TYPE_NON_TEE 0  /* RmiPdevStreamType */
#define RMI_STREAM_TYPE_NCOH    1
#define RMI_STREAM_TYPE_COH     2

#define RMI_DEV_PROTOCOL_SPDM        0  /* RmiDevCommProtocol: DOE type 1 */
#define RMI_DEV_PROTOCOL_SECURE_SPDM 1  /* DOE type 2 */

/* ---- RmiRealmParams.flags, RmiRecParams.flags, RmiRecEntry.flags (the layouts themselves
 * are wire formats: src/proto/rmi_params.h, src/proto/rmi_rec_run.h) ---- */
#define RMI_REALM_FLAGS_LPA2 (1ULL << 0)
#define RMI_REALM_FLAGS_SVE  (1ULL << 1)
#define RMI_REALM_FLAGS_PMU  (1ULL << 2)

#define RMI_REC_FLAG_RUNNABLE   (1ULL << 0)

#define RMI_REC_ENTRY_FLAG_EMUL_MMIO      (1ULL << 0)
#define RMI_REC_ENTRY_FLAG_INJECT_SEA     (1ULL << 1)
#define RMI_REC_ENTRY_FLAG_TRAP_WFI       (1ULL << 2)
#define RMI_REC_ENTRY_FLAG_TRAP_WFE       (1ULL << 3)
#define RMI_REC_ENTRY_FLAG_RIPAS_RESPONSE (1ULL << 4) /* 1 = REJECT */
/* RMM 2.0-beta (TF-RMM main smc-rmi.h REC_ENTRY_FLAG_DEV_MEM_RESPONSE, bit 6): 1 = REJECT
 * the Realm's RSI_VDEV_VALIDATE_MAPPING (bit 5 is S2AP_RESPONSE, which ccada lacks) */
#define RMI_REC_ENTRY_FLAG_DEV_MEM_RESPONSE (1ULL << 6)

/* ---- ESR_EL2 fields reported in exit.esr (Arm ARM D24.2.45) ---- */
#define ESR_EC_SHIFT      26
#define ESR_EC_MASK       (0x3FULL << ESR_EC_SHIFT)
#define ESR_EC_WFX        0x01ULL
#define ESR_WFX_TI_MASK   0x3ULL  /* ISS.TI of a trapped WFx: 0 WFI, 1 WFE, 2 WFIT, 3 WFET */
#define ESR_WFX_TI_WFI    0x0ULL
#define ESR_EC_DABT_LOWER 0x24ULL
#define ESR_IL            (1ULL << 25)
#define ESR_ISV           (1ULL << 24)
#define ESR_SAS_SHIFT     22      /* access size: 0 byte, 1 half, 2 word, 3 dword */
#define ESR_SAS_MASK      (3ULL << ESR_SAS_SHIFT)
#define ESR_SRT_SHIFT     16      /* register transferred */
#define ESR_SRT_MASK      (0x1FULL << ESR_SRT_SHIFT)
#define ESR_WNR           (1ULL << 6)
#define ESR_DFSC_MASK     0x3FULL
#define ESR_DFSC_TRANS_L3 0x07ULL /* translation fault, level 3 */
/* HPFAR_EL2.FIPA holds IPA[51:12] in bits [43:4]. */
#define HPFAR_FIPA_SHIFT  4

/* Host side: issue one RMI call. regs->x[0] holds the FID on entry and the status on
 * return. Implemented by the RMM (src/rmm); the host knows nothing else of it. */
struct ccada_rmm;
void rmi_smc(struct ccada_rmm *rmm, struct smc_regs *regs);

const char *rmi_command_name(uint64_t fid);   /* "RMI_REC_ENTER", or "RMI_UNKNOWN" */
const char *rmi_status_name(unsigned status); /* "RMI_ERROR_RTT" */
const char *rmi_exit_reason_name(unsigned reason);
const char *rmi_ripas_name(unsigned ripas);
const char *rmi_pdev_state_name(unsigned state); /* "NEEDS_KEY" */
const char *rmi_vdev_state_name(unsigned state); /* "LOCKED" */

#endif
