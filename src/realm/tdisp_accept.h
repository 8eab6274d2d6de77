/* The Realm's verify-and-accept decision for an assigned TDISP device (RMM 2.0-beta device
 * assignment, facts/spdm-tdisp-ide.md §7.2, §7.3; TDISP: PCIe 6.2 §11.3): before a Realm lets
 * a TDI into its trust boundary (RSI_VDEV_DMA_ENABLE, MMIO validation) it checks the objects
 * the host cached against the digests the RMM gave it (RSI_VDEV_GET_INFO), the certificate
 * chain against its own trust anchor, the measurements against a reference policy the user
 * writes, and the interface report.
 *
 * This file is the pure decision: everything comes in as bytes, nothing is fetched, nothing
 * is kept. The evidence is the host's (untrusted, possibly shared memory): each object is
 * copied into private storage once, hashed and parsed only there, and nothing in the result
 * points into it.
 *
 * The checks, in this order (the first failure is the verdict):
 *   INFO           RsiVdevInfo names no known hash algorithm or a report format other than TDISP
 *   STATE          the VDEV is not LOCKED or STARTED (RsiVdevState)
 *   VCA_DIGEST     hash(vca) != vca_digest (VCA: GET_VERSION..ALGORITHMS, requests and responses)
 *   CERT_DIGEST    hash(certs) != cert_digest (the DER certificates, root first)
 *   CHAIN          x509_chain_verify(certs, anchor, now) refuses
 *   PUBKEY_DIGEST  hash(leaf's uncompressed EC point) != pubkey_digest: the RMM talks to
 *                  another key than the chain's leaf
 *   MEAS_DIGEST    hash(meas) != meas_digest (the MEASUREMENTS response's measurement record)
 *   MEAS_MALFORMED the record is not DMTF measurement blocks exactly filling it, or an index
 *                  repeats (DSP0274 1.2.1 §10.11.1)
 *   FIRMWARE       the policy names a firmware digest and the block at its index is missing,
 *                  raw, or another value
 *   DEBUG          debug not allowed and the device mode block (index 0xFE, raw, 16 bytes) is
 *                  missing or malformed, or its DeviceModeState has invasive debug on
 *   REPORT_DIGEST  hash(report) != report_digest (the whole TDI report)
 *   REPORT         the report does not decode, tdi_report_check refuses it, or its MMIO range
 *                  count lies outside the policy's [min, max]
 */
#ifndef CCADA_REALM_TDISP_ACCEPT_H
#define CCADA_REALM_TDISP_ACCEPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "lib/x509_chain.h"
#include "proto/rsi_vdev.h"
#include "proto/tdisp.h"

#define TDISP_ACCEPT_WHY_LEN 224
#define TDISP_ACCEPT_MAX_RANGES 16          /* MMIO ranges a Realm takes from one report */
#define TDISP_EVIDENCE_MAX (1u << 20)       /* bytes of one evidence object; more is refused */
#define TDISP_POLICY_TEXT_MAX (64u * 1024u) /* bytes of a policy file */
#define TDISP_POLICY_DIGEST_MAX 64
#define TDISP_DEVICE_MODE_INVASIVE_DEBUG (1u << 1) /* DeviceModeState bit 1 (identity.h: UNVERIFIED) */

/* What the Realm's owner accepts. tdisp_policy_default gives: no firmware digest required,
 * firmware_index 2, debug refused, 1..TDISP_ACCEPT_MAX_RANGES MMIO ranges, lock_flags 0 and
 * mmio_reporting_offset 0 (what the RMM sends in LOCK_INTERFACE_REQUEST: not in the file). */
struct tdisp_policy {
        bool have_fw_digest;
        uint8_t fw_digest[TDISP_POLICY_DIGEST_MAX];
        size_t fw_digest_len;
        unsigned fw_index;              /* the measurement index of the firmware digest, 1..0xFE */
        bool debug_allowed;
        unsigned min_mmio_ranges, max_mmio_ranges;
        uint16_t lock_flags;            /* for tdi_report_check: LOCK_MSIX allows MSI-X ranges */
        uint64_t mmio_reporting_offset; /* for tdi_report_check and the addresses */
};

enum tdisp_verdict {
        TDISP_VERDICT_ACCEPT,
        TDISP_VERDICT_INFO,
        TDISP_VERDICT_STATE,
        TDISP_VERDICT_VCA_DIGEST,
        TDISP_VERDICT_CERT_DIGEST,
        TDISP_VERDICT_CHAIN,
        TDISP_VERDICT_PUBKEY_DIGEST,
        TDISP_VERDICT_MEAS_DIGEST,
        TDISP_VERDICT_MEAS_MALFORMED,
        TDISP_VERDICT_FIRMWARE,
        TDISP_VERDICT_DEBUG,
        TDISP_VERDICT_REPORT_DIGEST,
        TDISP_VERDICT_REPORT,
};

/* The cached objects as the host handed them (any bytes; pointers may be NULL with length 0). */
struct tdisp_evidence {
        const uint8_t *vca, *certs, *meas, *report;
        size_t vca_len, certs_len, meas_len, report_len;
};

/* What the Realm learnt, all copied out of the evidence. Filled as the checks pass: on a
 * refusal the fields of the checks not reached are zero. */
struct tdisp_accept_result {
        char leaf_subject[X509_CHAIN_SUBJECT_LEN];  /* after CHAIN */
        bool fw_found;                              /* after MEAS_MALFORMED: a digest at fw_index */
        uint8_t fw_digest[TDISP_POLICY_DIGEST_MAX];
        size_t fw_digest_len;
        bool mode_found, debug;                     /* the device mode block; invasive debug on */
        uint16_t interface_info;                    /* after REPORT: TDI_INFO_* */
        uint32_t range_count;
        struct tdi_mmio_range ranges[TDISP_ACCEPT_MAX_RANGES];
};

/* "ACCEPT", "STATE", "VCA_DIGEST", ... ("?" for a value out of range). */
const char *tdisp_verdict_name(enum tdisp_verdict v);

/* The defaults above into *p. */
void tdisp_policy_default(struct tdisp_policy *p);

/* Parses a policy file: len bytes of text (no terminator needed), lines of "key = value",
 * '#' to the end of a line is a comment, blank lines and spaces/tabs around keys and values
 * are ignored. Keys (each at most once):
 *     firmware_digest = <hex, 2..128 digits, even>   the expected firmware measurement value
 *     firmware_index  = <1..254>                     its measurement index (default 2)
 *     debug           = off | on                     on: a device in debug mode is accepted
 *     min_mmio_ranges = <0..16>, max_mmio_ranges = <0..16>  (min <= max)
 * Numbers are ccada_parse_u64's (decimal or 0x hex). True: *out is the defaults with the
 * file's values. False: *out is the defaults and why (TDISP_ACCEPT_WHY_LEN) names the line:
 * "line 3: unknown key \"firmwre_digest\"", "line 5: firmware_digest given twice (first on
 * line 2)", "line 4: firmware_digest: 'g' is not a hex digit", "line 6: no '=' after the key",
 * a NUL byte, a text over TDISP_POLICY_TEXT_MAX, "min_mmio_ranges 3 above max_mmio_ranges 2". */
bool tdisp_policy_parse(const char *text, size_t len, struct tdisp_policy *out, char *why)
        __attribute__((warn_unused_result));

/* The decision. info: RSI_VDEV_GET_INFO's answer, decoded (the Realm's own memory); ev: the
 * host's objects; anchor_der/anchor_len: the Realm's trust anchor (one DER root
 * certificate); now: the time certificates must be valid at; pol: the owner's policy.
 * Returns TDISP_VERDICT_ACCEPT or the first refusal (order above); *out as described at
 * struct tdisp_accept_result; why (TDISP_ACCEPT_WHY_LEN) says what failed ("" on accept).
 * Allocates only transiently (private copies of the evidence, freed before returning). */
enum tdisp_verdict tdisp_accept_check(const struct rsi_vdev_info *info, const struct tdisp_evidence *ev,
                                      const uint8_t *anchor_der, size_t anchor_len, time_t now,
                                      const struct tdisp_policy *pol, struct tdisp_accept_result *out, char *why)
        __attribute__((warn_unused_result));

#endif
