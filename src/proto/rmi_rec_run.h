/* RmiRecRun (DEN0137 1.0 B4.4.x): the granule the host hands to RMI_REC_ENTER. Its first
 * half, RmiRecEntry, is written by the host and read by the RMM; its second half, RmiRecExit,
 * is written by the RMM and read by the host. Offsets are in include/ccada/rmi.h; this is
 * the one codec both parties use.
 *
 * The model carries the fields it implements: no GICv3 list registers, timers or PMU state
 * go out (they encode as zero), and an entry's GICv3 fields come in only to be validated. */
#ifndef CCADA_PROTO_RMI_REC_RUN_H
#define CCADA_PROTO_RMI_REC_RUN_H

#include <stdint.h>

#include "ccada/rmi.h"

#define RMI_REC_EXIT_SIZE (RMI_REC_RUN_SIZE - RMI_REC_EXIT_OFFSET)

struct rmi_rec_entry {
        uint64_t flags;
        uint64_t gprs[RMI_REC_NUM_GPRS];
        uint64_t gicv3_hcr;
        uint64_t gicv3_lrs[RMI_GICV3_NUM_LRS];
};

struct rmi_rec_exit {
        unsigned reason; /* the low byte of exit_reason (RmiRecExitReason) */
        uint64_t esr, far, hpfar;
        uint64_t gprs[RMI_REC_NUM_GPRS];
        uint64_t ripas_base, ripas_top;
        uint8_t ripas_value;
        uint16_t imm;
};

/* Whole halves only: buf holds RMI_REC_ENTRY_SIZE / RMI_REC_EXIT_SIZE bytes; every byte the
 * encoder does not define is written as zero. The decoders take any bytes (a hostile
 * writer's too) and never fail: each field is what those bytes say. */
void rmi_rec_entry_encode(const struct rmi_rec_entry *e, uint8_t *buf);
void rmi_rec_entry_decode(const uint8_t *buf, struct rmi_rec_entry *e);
void rmi_rec_exit_encode(const struct rmi_rec_exit *x, uint8_t *buf);
void rmi_rec_exit_decode(const uint8_t *buf, struct rmi_rec_exit *x);

#endif
