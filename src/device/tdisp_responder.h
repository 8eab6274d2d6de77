/* The device's TDISP 1.0 responder (the DSM side of PCIe 6.2 §11; facts/spdm-tdisp-ide.md
 * §6): one TDI, the device's physical function, whose INTERFACE_ID.FUNCTION_ID is its
 * Requester ID (segment 0, Segment Valid clear or set). Requests come as VENDOR_DEFINED
 * payloads of PCI-SIG protocol 0x01 inside a secured SPDM session; wire formats are
 * proto/tdisp.h's.
 *
 * The TDI state machine (§11.2; facts §6.6):
 *
 *   CONFIG_UNLOCKED --LOCK_INTERFACE_REQUEST ok--> CONFIG_LOCKED --START (nonce)--> RUN
 *   CONFIG_LOCKED, RUN --error event--> ERROR
 *   any --STOP_INTERFACE_REQUEST--> CONFIG_UNLOCKED
 *
 *   LOCK       generates START_INTERFACE_NONCE (32 bytes, the device's DRBG), records the
 *              session it came on, the flags, the default stream and MMIO_REPORTING_OFFSET,
 *              and takes the report (the BARs as they are then).
 *   START      with the nonce: RUN; the nonce is destroyed.
 *   STOP       scrubs: nonce, session, report; the IDE stream is no longer pinned.
 *   error events (locked states only): the locking session ends or breaks
 *              (tdisp_responder_session_ended), the default IDE stream goes Insecure
 *              (tdisp_responder_ide_failed), a configuration change the TDI depends on
 *              (tdisp_responder_config_changed, which pdev calls for §11.2's example
 *              register policy). Entering ERROR destroys the nonce and records why.
 *   Invariants: a nonce exists only in CONFIG_LOCKED; the IDE stream is pinned to the
 *   locking session exactly while CONFIG_LOCKED or RUN.
 *
 * Answers (checked in this order; every error is TDISP_ERROR with the request's
 * INTERFACE_ID):
 *   outside a secured session, or shorter than the 17-byte header: false (SPDM ERROR);
 *   TDISPVersion other than 1.0 (except GET_TDISP_VERSION)       VERSION_MISMATCH
 *   BIND_P2P, UNBIND_P2P, SET_MMIO_ATTRIBUTE, VDM, and any code that
 *     is not a TDISP 1.0 request                                  UNSUPPORTED_REQUEST (data: the code)
 *   another INTERFACE_ID                                          INVALID_INTERFACE
 *   a request that does not decode (length, fields)               INVALID_REQUEST
 *   a request not legal in the TDI's state (§11.3 table)          INVALID_INTERFACE_STATE
 *   LOCK: flags outside those supported (NO_FW_UPDATE,
 *     SYSTEM_CACHE_LINE_SIZE, LOCK_MSIX: ccada's reading), or the default stream not keyed
 *     and set going entirely on this session (TDISP §11.4.5)      INVALID_REQUEST
 *   LOCK: the DRBG fails                                          INSUFFICIENT_ENTROPY
 *   LOCK: BARs overlap, are empty or not page-sized               INVALID_DEVICE_CONFIGURATION
 *   GET_DEVICE_INTERFACE_REPORT: OFFSET at or past the report's
 *     end, LENGTH 0                                               INVALID_REQUEST
 *   START: another nonce                                          INVALID_NONCE
 * A refused request changes nothing but the counters.
 *
 * The report (§11.3.11): INTERFACE_INFO = NO_FW_UPDATE | DMA_NO_PASID (the device cannot
 * update its firmware at all, and does DMA without PASID), no MSI-X, no TPH, one MMIO range
 * per BAR in ascending BAR order, Range ID = BEI, FirstPage = (BAR address +
 * MMIO_REPORTING_OFFSET) >> 12, then the configured DEVICE_SPECIFIC_INFO. Portions are as
 * long as LENGTH, the rest of the report and the response buffer allow.
 *
 * Single-threaded; no globals.
 */
#ifndef CCADA_DEVICE_TDISP_RESPONDER_H
#define CCADA_DEVICE_TDISP_RESPONDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "device/ide_km_responder.h"
#include "lib/drbg.h"

#define TDISP_RSP_MAX_BARS 6u
#define TDISP_RSP_DEVICE_INFO_MAX 256u
#define TDISP_RSP_REASON_LEN 128u

/* A memory BAR of the TDI as configured now: BEI (0-5), address and size in bytes. */
struct tdisp_bar {
        uint8_t bei;
        uint64_t addr, size;
};
/* The TDI's memory BARs in ascending BEI order into bars (cap entries); their number. */
typedef size_t (*tdisp_bars_fn)(void *ctx, struct tdisp_bar *bars, size_t cap);

struct tdisp_responder_cfg {
        uint32_t function_id;           /* the TDI's INTERFACE_ID.FUNCTION_ID (its RID) */
        struct drbg *drbg;              /* START_INTERFACE_NONCE (not owned) */
        struct ide_km_responder *ide;   /* the default stream's keys (not owned) */
        tdisp_bars_fn bars;
        void *bars_ctx;
        const uint8_t *device_info;     /* DEVICE_SPECIFIC_INFO (copied), at most ..._MAX bytes */
        size_t device_info_len;
};

struct tdisp_responder_stats {
        uint64_t requests, errors, refused;     /* refused: answered false (SPDM ERROR) */
        uint64_t locks, starts, stops, error_transitions;
        uint32_t last_error_code;               /* the ERROR_CODE of the last TDISP_ERROR sent */
};

struct tdisp_responder;

/* Errors: no DRBG, IDE_KM responder or BAR callback; device info too long; no memory. */
bool tdisp_responder_new(struct tdisp_responder **out, const struct tdisp_responder_cfg *cfg, char *why)
        __attribute__((warn_unused_result));
void tdisp_responder_free(struct tdisp_responder *t); /* NULL: no-op; wipes the nonce */

/* One TDISP request (the VENDOR_DEFINED payload, protocol ID included) from session_id
 * (valid when secured): the response payload into rsp (cap bytes, at least 64). False
 * (nothing written, state unchanged) outside a session, for fewer than 17 bytes, or if cap
 * is too small for any answer; the device then answers SPDM ERROR. */
bool tdisp_responder_handle(struct tdisp_responder *t, bool secured, uint32_t session_id, const uint8_t *req,
                            size_t len, uint8_t *rsp, size_t cap, size_t *rsp_len)
        __attribute__((warn_unused_result));

uint8_t tdisp_responder_state(const struct tdisp_responder *t); /* TDISP_STATE_* */
/* Why the TDI last went to ERROR ("" if it never did). */
const char *tdisp_responder_error_reason(const struct tdisp_responder *t);
/* Whether the TDI is locked (CONFIG_LOCKED or RUN) and, if so, over which session. */
bool tdisp_responder_locked(const struct tdisp_responder *t, uint32_t *session_id);

/* Error events: each moves CONFIG_LOCKED or RUN to ERROR with why, and does nothing in
 * the other states. session_ended only for the session that locked the TDI. */
void tdisp_responder_session_ended(struct tdisp_responder *t, uint32_t session_id);
void tdisp_responder_ide_failed(struct tdisp_responder *t, const char *why);
void tdisp_responder_config_changed(struct tdisp_responder *t, const char *what);

const struct tdisp_responder_stats *tdisp_responder_stats(const struct tdisp_responder *t);

#endif
