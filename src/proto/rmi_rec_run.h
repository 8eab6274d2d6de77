/* RmiRecRun (DEN0137 1.0 B4.4.x): the granule the host hands to RMI_REC_ENTER. Its first
 * half, RmiRecEntry, is written by the host and read by the RMM; its second half, RmiRecExit,
 * is written by the RMM and read by the host. Its layout, and the one codec both parties
 * use. The flag and exit-reason values are ABI: include/ccada/rmi.h.
 *
 * The model carries the fields it implements: no GICv3 list registers, timers or PMU state
 * go out (they encode as zero), and an entry's GICv3 fields come in only to be validated. */
#ifndef CCADA_PROTO_RMI_REC_RUN_H
#define CCADA_PROTO_RMI_REC_RUN_H

#include <stdint.h>

/* ---- RmiRecRun (4096 bytes): RmiRecEntry at 0x000, RmiRecExit at 0x800 ---- */
#define RMI_REC_RUN_SIZE           0x1000
#define RMI_REC_ENTRY_OFFSET       0x000
#define RMI_REC_ENTRY_FLAGS        0x000
#define RMI_REC_ENTRY_GPRS         0x200 /* 31 x u64 */
#define RMI_REC_ENTRY_GICV3_HCR    0x300
#define RMI_REC_ENTRY_GICV3_LRS    0x308 /* 16 x u64 */
#define RMI_REC_ENTRY_SIZE         0x800

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
#define RMI_REC_EXIT_VDEV_ID_1     0x530 /* RMM 2.0-beta, TF-RMM main smc-rmi.h: RMI_EXIT_VDEV_REQUEST */
/* RMM 2.0-beta, TF-RMM main smc-rmi.h / the 2026 Linux CCA host patches' rmi_smc.h (s2ap_base
 * 0x520, s2ap_top 0x528 and vdev_id_2 0x538 lie between, unused here):
 * RMI_EXIT_VDEV_VALIDATE_MAPPING's range and the device PA it should map */
#define RMI_REC_EXIT_DEV_MEM_BASE  0x540
#define RMI_REC_EXIT_DEV_MEM_TOP   0x548
#define RMI_REC_EXIT_DEV_MEM_PA    0x550
#define RMI_REC_EXIT_IMM           0x600
#define RMI_REC_EXIT_PMU_OVF       0x700
#define RMI_REC_NUM_GPRS           31
#define RMI_GICV3_NUM_LRS          16

/* The layout is the contract: fields in the spec's order, none overlapping, one granule
 * (DEN0137 1.0 B4.4). */
_Static_assert(RMI_REC_ENTRY_GPRS + 8 * RMI_REC_NUM_GPRS <= RMI_REC_ENTRY_GICV3_HCR, "entry gprs[31] before gicv3_hcr");
_Static_assert(RMI_REC_ENTRY_GICV3_LRS + 8 * RMI_GICV3_NUM_LRS <= RMI_REC_ENTRY_SIZE, "entry fits its 2 KiB");
_Static_assert(RMI_REC_EXIT_OFFSET == RMI_REC_ENTRY_SIZE, "RmiRecExit follows RmiRecEntry");
_Static_assert(RMI_REC_EXIT_ESR + 8 == RMI_REC_EXIT_FAR && RMI_REC_EXIT_FAR + 8 == RMI_REC_EXIT_HPFAR, "esr, far, hpfar");
_Static_assert(RMI_REC_EXIT_GPRS + 8 * RMI_REC_NUM_GPRS <= RMI_REC_EXIT_GICV3_HCR, "exit gprs[31] before gicv3_hcr");
_Static_assert(RMI_REC_EXIT_GICV3_LRS + 8 * RMI_GICV3_NUM_LRS == RMI_REC_EXIT_GICV3_MISR, "lrs[16] then misr");
_Static_assert(RMI_REC_EXIT_RIPAS_BASE + 8 == RMI_REC_EXIT_RIPAS_TOP && RMI_REC_EXIT_RIPAS_TOP + 8 == RMI_REC_EXIT_RIPAS_VALUE,
               "ripas_base, ripas_top, ripas_value");
_Static_assert(RMI_REC_EXIT_RIPAS_VALUE < RMI_REC_EXIT_VDEV_ID_1 && RMI_REC_EXIT_VDEV_ID_1 + 8 <= RMI_REC_EXIT_IMM,
               "vdev_id_1 between the RIPAS fields and imm");
_Static_assert(RMI_REC_EXIT_VDEV_ID_1 + 16 <= RMI_REC_EXIT_DEV_MEM_BASE && RMI_REC_EXIT_DEV_MEM_BASE + 8 == RMI_REC_EXIT_DEV_MEM_TOP &&
               RMI_REC_EXIT_DEV_MEM_TOP + 8 == RMI_REC_EXIT_DEV_MEM_PA && RMI_REC_EXIT_DEV_MEM_PA + 8 <= RMI_REC_EXIT_IMM,
               "dev_mem_base, dev_mem_top, dev_mem_pa after vdev_id_1 and vdev_id_2, before imm");
_Static_assert(RMI_REC_EXIT_OFFSET + RMI_REC_EXIT_PMU_OVF + 8 <= RMI_REC_RUN_SIZE, "RmiRecRun fits 4 KiB");

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
        uint64_t vdev_id;  /* vdev_id_1: the Realm's name for a device (RMI_EXIT_VDEV_REQUEST,
                            * RMI_EXIT_VDEV_VALIDATE_MAPPING) */
        uint64_t dev_mem_base, dev_mem_top, dev_mem_pa; /* RMI_EXIT_VDEV_VALIDATE_MAPPING */
};

/* Whole halves: buf holds RMI_REC_ENTRY_SIZE / RMI_REC_EXIT_SIZE bytes; every byte the
 * encoder does not define is written as zero. The decoders take any bytes (a hostile
 * writer's too) and never fail: each field is what those bytes say. Each field is read or
 * written exactly once, at its fixed offset (no padding is touched by a decoder), so a
 * decoder run on a half mapped in place is a copy-in: the struct is the private copy, and
 * nothing is read again from buf afterwards. */
void rmi_rec_entry_encode(const struct rmi_rec_entry *e, uint8_t *buf);
void rmi_rec_entry_decode(const uint8_t *buf, struct rmi_rec_entry *e);
void rmi_rec_exit_encode(const struct rmi_rec_exit *x, uint8_t *buf);
void rmi_rec_exit_decode(const uint8_t *buf, struct rmi_rec_exit *x);

/* Field by field, in place (as Linux KVM keeps a pointer to its run page and reads
 * run->exit.esr or writes run->enter.gprs[0] one field at a time): for a party that uses only
 * some fields. buf is a whole half, as above; bytes of other fields are neither read nor
 * written. */

/* Writes entry.flags and entry.gprs[0..ngprs) (ngprs <= RMI_REC_NUM_GPRS); the rest of the
 * entry half, GICv3 fields included, stays as it was. */
void rmi_rec_entry_encode_used(const struct rmi_rec_entry *e, unsigned ngprs, uint8_t *buf);

/* Groups of RmiRecExit fields besides exit_reason, by which exit reasons define them
 * (DEN0137 1.0 A4.3): a data abort or other synchronous exception (esr, far, hpfar), a
 * RIPAS change (ripas_base, ripas_top, ripas_value), a host call (imm), a VDEV request
 * (vdev_id), a device-memory validation (dev_mem_base, dev_mem_top, dev_mem_pa; its
 * vdev_id is FIELDS_VDEV). gprs are counted apart (ngprs). */
enum {
        RMI_REC_EXIT_FIELDS_SYNDROME = 1u << 0,
        RMI_REC_EXIT_FIELDS_RIPAS = 1u << 1,
        RMI_REC_EXIT_FIELDS_IMM = 1u << 2,
        RMI_REC_EXIT_FIELDS_VDEV = 1u << 3,
        RMI_REC_EXIT_FIELDS_DEV_MEM = 1u << 4,
};

/* The low byte of exit.exit_reason (RmiRecExitReason). */
unsigned rmi_rec_exit_decode_reason(const uint8_t *buf);
/* Sets x->reason, the groups in fields and gprs[0..ngprs) (ngprs <= RMI_REC_NUM_GPRS) from
 * buf; every other field of *x is zero. */
void rmi_rec_exit_decode_used(const uint8_t *buf, unsigned fields, unsigned ngprs, struct rmi_rec_exit *x);

#endif
