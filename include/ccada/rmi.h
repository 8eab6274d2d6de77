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

/* RmiInterfaceVersion: major [30:16], minor [15:0]. This RMM implements 1.0. */
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

#define RMI_UNASSIGNED   0  /* RmiRttEntryState */
#define RMI_ASSIGNED     1
#define RMI_TABLE        2

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

/* RMI_FEATURES register 0 fields */
#define RMI_FEATURE_REGISTER_0_S2SZ_SHIFT      0
#define RMI_FEATURE_REGISTER_0_S2SZ_WIDTH      8
#define RMI_FEATURE_REGISTER_0_LPA2            (1ULL << 8)
#define RMI_FEATURE_REGISTER_0_HASH_SHA_256    (1ULL << 32)
#define RMI_FEATURE_REGISTER_0_HASH_SHA_512    (1ULL << 33)
#define RMI_FEATURE_REGISTER_0_MAX_RECS_ORDER_SHIFT 38

/* ---- RmiRealmParams (B4.4.x; 4096 bytes) ---- */
#define RMI_REALM_PARAMS_SIZE            0x1000
#define RMI_REALM_PARAMS_FLAGS           0x000 /* u64: bit0 LPA2, bit1 SVE, bit2 PMU */
#define RMI_REALM_PARAMS_S2SZ            0x008 /* u8 */
#define RMI_REALM_PARAMS_SVE_VL          0x010 /* u8 */
#define RMI_REALM_PARAMS_NUM_BPS         0x018 /* u8 */
#define RMI_REALM_PARAMS_NUM_WPS         0x020 /* u8 */
#define RMI_REALM_PARAMS_PMU_NUM_CTRS    0x028 /* u8 */
#define RMI_REALM_PARAMS_HASH_ALGO       0x030 /* u8 */
#define RMI_REALM_PARAMS_RPV             0x400 /* 64 bytes */
#define RMI_REALM_PARAMS_VMID            0x800 /* u16 */
#define RMI_REALM_PARAMS_RTT_BASE        0x808 /* u64 */
#define RMI_REALM_PARAMS_RTT_LEVEL_START 0x810 /* s64 */
#define RMI_REALM_PARAMS_RTT_NUM_START   0x818 /* u32 */
#define RMI_REALM_FLAGS_LPA2 (1ULL << 0)
#define RMI_REALM_FLAGS_SVE  (1ULL << 1)
#define RMI_REALM_FLAGS_PMU  (1ULL << 2)

/* ---- RmiRecParams (4096 bytes) ---- */
#define RMI_REC_PARAMS_SIZE     0x1000
#define RMI_REC_PARAMS_FLAGS    0x000 /* u64: bit0 RUNNABLE */
#define RMI_REC_PARAMS_MPIDR    0x100
#define RMI_REC_PARAMS_PC       0x200
#define RMI_REC_PARAMS_GPRS     0x300 /* 8 x u64 */
#define RMI_REC_PARAMS_NUM_AUX  0x800
#define RMI_REC_PARAMS_AUX      0x808 /* num_aux x u64 (at most 16) */
#define RMI_REC_PARAMS_MAX_AUX  16
#define RMI_REC_FLAG_RUNNABLE   (1ULL << 0)

/* ---- RmiRecRun (4096 bytes): RmiRecEntry at 0x000, RmiRecExit at 0x800 ---- */
#define RMI_REC_RUN_SIZE           0x1000
#define RMI_REC_ENTRY_OFFSET       0x000
#define RMI_REC_ENTRY_FLAGS        0x000
#define RMI_REC_ENTRY_GPRS         0x200 /* 31 x u64 */
#define RMI_REC_ENTRY_GICV3_HCR    0x300
#define RMI_REC_ENTRY_GICV3_LRS    0x308 /* 16 x u64 */
#define RMI_REC_ENTRY_SIZE         0x800
#define RMI_REC_ENTRY_FLAG_EMUL_MMIO      (1ULL << 0)
#define RMI_REC_ENTRY_FLAG_INJECT_SEA     (1ULL << 1)
#define RMI_REC_ENTRY_FLAG_TRAP_WFI       (1ULL << 2)
#define RMI_REC_ENTRY_FLAG_TRAP_WFE       (1ULL << 3)
#define RMI_REC_ENTRY_FLAG_RIPAS_RESPONSE (1ULL << 4) /* 1 = REJECT */

#define RMI_REC_EXIT_OFFSET        0x800
#define RMI_REC_EXIT_REASON        0x000 /* offsets within the exit part */
#define RMI_REC_EXIT_ESR           0x100
#define RMI_REC_EXIT_FAR           0x108
#define RMI_REC_EXIT_HPFAR         0x110
#define RMI_REC_EXIT_GPRS          0x200 /* 31 x u64 */
#define RMI_REC_EXIT_GICV3_HCR     0x300
#define RMI_REC_EXIT_GICV3_LRS     0x308
#define RMI_REC_EXIT_GICV3_MISR    0x388
#define RMI_REC_EXIT_GICV3_VMCR    0x390
#define RMI_REC_EXIT_CNTP_CTL      0x400
#define RMI_REC_EXIT_CNTP_CVAL     0x408
#define RMI_REC_EXIT_CNTV_CTL      0x410
#define RMI_REC_EXIT_CNTV_CVAL     0x418
#define RMI_REC_EXIT_RIPAS_BASE    0x500
#define RMI_REC_EXIT_RIPAS_TOP     0x508
#define RMI_REC_EXIT_RIPAS_VALUE   0x510
#define RMI_REC_EXIT_IMM           0x600
#define RMI_REC_EXIT_PMU_OVF       0x700
#define RMI_REC_NUM_GPRS           31
#define RMI_GICV3_NUM_LRS          16

/* ---- ESR_EL2 fields reported in exit.esr (Arm ARM D24.2.45) ---- */
#define ESR_EC_SHIFT      26
#define ESR_EC_MASK       (0x3FULL << ESR_EC_SHIFT)
#define ESR_EC_WFX        0x01ULL
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

/* The layouts are the contract: fields in the spec's order, none overlapping, each
 * structure exactly one granule (DEN0137 1.0 B4.4). */
_Static_assert(RMI_REALM_PARAMS_RTT_NUM_START + 4 <= RMI_REALM_PARAMS_SIZE, "RmiRealmParams fits 4 KiB");
_Static_assert(RMI_REALM_PARAMS_RPV + 64 <= RMI_REALM_PARAMS_VMID, "rpv precedes vmid");
_Static_assert(RMI_REC_PARAMS_GPRS + 8 * 8 <= RMI_REC_PARAMS_NUM_AUX, "RmiRecParams gprs[8] before num_aux");
_Static_assert(RMI_REC_PARAMS_AUX + 8 * RMI_REC_PARAMS_MAX_AUX <= RMI_REC_PARAMS_SIZE, "aux[16] fits");
_Static_assert(RMI_REC_ENTRY_GPRS + 8 * RMI_REC_NUM_GPRS <= RMI_REC_ENTRY_GICV3_HCR, "entry gprs[31] before gicv3_hcr");
_Static_assert(RMI_REC_ENTRY_GICV3_LRS + 8 * RMI_GICV3_NUM_LRS <= RMI_REC_ENTRY_SIZE, "entry fits its 2 KiB");
_Static_assert(RMI_REC_EXIT_OFFSET == RMI_REC_ENTRY_SIZE, "RmiRecExit follows RmiRecEntry");
_Static_assert(RMI_REC_EXIT_ESR + 8 == RMI_REC_EXIT_FAR && RMI_REC_EXIT_FAR + 8 == RMI_REC_EXIT_HPFAR, "esr, far, hpfar");
_Static_assert(RMI_REC_EXIT_GPRS + 8 * RMI_REC_NUM_GPRS <= RMI_REC_EXIT_GICV3_HCR, "exit gprs[31] before gicv3_hcr");
_Static_assert(RMI_REC_EXIT_GICV3_LRS + 8 * RMI_GICV3_NUM_LRS == RMI_REC_EXIT_GICV3_MISR, "lrs[16] then misr");
_Static_assert(RMI_REC_EXIT_RIPAS_BASE + 8 == RMI_REC_EXIT_RIPAS_TOP && RMI_REC_EXIT_RIPAS_TOP + 8 == RMI_REC_EXIT_RIPAS_VALUE,
               "ripas_base, ripas_top, ripas_value");
_Static_assert(RMI_REC_EXIT_OFFSET + RMI_REC_EXIT_PMU_OVF + 8 <= RMI_REC_RUN_SIZE, "RmiRecRun fits 4 KiB");

/* Host side: issue one RMI call. regs->x[0] holds the FID on entry and the status on
 * return. Implemented by the RMM (src/rmm); the host knows nothing else of it. */
struct ccada_rmm;
void rmi_smc(struct ccada_rmm *rmm, struct smc_regs *regs);

const char *rmi_command_name(uint64_t fid);   /* "RMI_REC_ENTER", or "RMI_UNKNOWN" */
const char *rmi_status_name(unsigned status); /* "RMI_ERROR_RTT" */
const char *rmi_exit_reason_name(unsigned reason);
const char *rmi_ripas_name(unsigned ripas);

#endif
