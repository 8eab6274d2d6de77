/* RmiRealmParams and RmiRecParams (DEN0137 1.0 B4.4.x): the pages the host fills for
 * RMI_REALM_CREATE and RMI_REC_CREATE, and the RMM copies in and decodes. Their layouts and
 * the one codec both parties (and the measurement, which hashes a page of the measured
 * fields) use. The flag values are ABI: include/ccada/rmi.h. */
#ifndef CCADA_PROTO_RMI_PARAMS_H
#define CCADA_PROTO_RMI_PARAMS_H

#include <stdint.h>

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

/* ---- RmiRecParams (4096 bytes) ---- */
#define RMI_REC_PARAMS_SIZE     0x1000
#define RMI_REC_PARAMS_FLAGS    0x000 /* u64: bit0 RUNNABLE */
#define RMI_REC_PARAMS_MPIDR    0x100
#define RMI_REC_PARAMS_PC       0x200
#define RMI_REC_PARAMS_GPRS     0x300 /* 8 x u64 */
#define RMI_REC_PARAMS_NUM_AUX  0x800
#define RMI_REC_PARAMS_AUX      0x808 /* num_aux x u64 (at most 16) */
#define RMI_REC_PARAMS_MAX_AUX  16

/* The layouts are the contract: fields in the spec's order, none overlapping, each page one
 * granule (DEN0137 1.0 B4.4). */
_Static_assert(RMI_REALM_PARAMS_RTT_NUM_START + 4 <= RMI_REALM_PARAMS_SIZE, "RmiRealmParams fits 4 KiB");
_Static_assert(RMI_REALM_PARAMS_RPV + 64 <= RMI_REALM_PARAMS_VMID, "rpv precedes vmid");
_Static_assert(RMI_REC_PARAMS_GPRS + 8 * 8 <= RMI_REC_PARAMS_NUM_AUX, "RmiRecParams gprs[8] before num_aux");
_Static_assert(RMI_REC_PARAMS_AUX + 8 * RMI_REC_PARAMS_MAX_AUX <= RMI_REC_PARAMS_SIZE, "aux[16] fits");

struct rmi_realm_params {
        uint64_t flags;
        unsigned s2sz, sve_vl, num_bps, num_wps, pmu_num_ctrs, hash_algo; /* one byte each */
        uint8_t rpv[64];
        uint16_t vmid;
        uint64_t rtt_base;
        int64_t rtt_level_start;
        uint32_t rtt_num_start;
};

struct rmi_rec_params {
        uint64_t flags, mpidr, pc;
        uint64_t gprs[8];
        uint64_t num_aux;
        uint64_t aux[RMI_REC_PARAMS_MAX_AUX]; /* as written: num_aux says how many count */
};

/* Whole pages: buf holds RMI_REALM_PARAMS_SIZE / RMI_REC_PARAMS_SIZE bytes. An encoder
 * writes every other byte as zero (and the byte-wide fields' low bytes only); a decoder
 * takes any bytes and never fails: validation is the RMM's. */
void rmi_realm_params_encode(const struct rmi_realm_params *p, uint8_t *buf);
void rmi_realm_params_decode(const uint8_t *buf, struct rmi_realm_params *p);
void rmi_rec_params_encode(const struct rmi_rec_params *p, uint8_t *buf);
void rmi_rec_params_decode(const uint8_t *buf, struct rmi_rec_params *p);

#endif
