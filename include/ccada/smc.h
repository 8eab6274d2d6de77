/* The SMC conduit: SMCCC v1.2 register block (X0..X17) passed to a call and back. */
#ifndef CCADA_SMC_H
#define CCADA_SMC_H

#include <stdint.h>

#define SMC_NREGS 18

struct smc_regs {
        uint64_t x[SMC_NREGS];
};

#define SMCCC_RET_SUCCESS         0ULL
#define SMCCC_RET_NOT_SUPPORTED   0xFFFFFFFFFFFFFFFFULL /* -1 */

/* PSCI 1.1 (DEN0022) function IDs used by Realms. */
#define PSCI_VERSION            0x84000000ULL
#define PSCI_CPU_OFF            0x84000002ULL
#define PSCI_CPU_ON_64          0xC4000003ULL
#define PSCI_AFFINITY_INFO_64   0xC4000004ULL
#define PSCI_SYSTEM_OFF         0x84000008ULL
#define PSCI_SYSTEM_RESET       0x84000009ULL
#define PSCI_FEATURES           0x8400000AULL

#define PSCI_RET_SUCCESS            0
#define PSCI_RET_NOT_SUPPORTED      (-1)
#define PSCI_RET_INVALID_PARAMETERS (-2)
#define PSCI_RET_DENIED             (-3)

#endif
