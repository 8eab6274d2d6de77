/* The device side of one DOE extended capability (ID 0x2E): the registers a host reads and
 * writes in configuration space, the mailbox behind them, DOE Discovery answered here, and
 * CMA/SPDM (type 1) and Secured CMA/SPDM (type 2) objects handed to the device's responder.
 * PCIe 6.0 §6.30 (DOE), §7.9.24 (the capability); facts: spdm-tdisp-ide.md §3.
 *
 * Offsets are relative to the capability (proto/doe.h DOE_REG_*), DW aligned, below
 * DOE_CAP_SIZE (0x18); anything else is not this capability (read/write return false).
 *
 * States (enum doe_mailbox_state):
 *   IDLE       no request DW written, no response pending
 *   RECEIVING  1.. DWs of a request written, Go not yet written
 *   BUSY       Go accepted: the request waits for doe_mailbox_step() (or, with
 *              process_on_go, is answered inside the Go write, so BUSY is never seen)
 *   READY      a response object is being read out
 *   ERROR      the host misused the mailbox or the responder broke a rule; only Abort leaves
 *
 * Register reads (any state):
 *   0x00 ext cap header  ID 0x2E | version 1 << 16 | next_cap << 20
 *   0x04 Capabilities    0: no interrupt support (the model is polled)
 *   0x08 Control         0 (Abort and Go read as 0; Interrupt Enable is 0 without support)
 *   0x0C Status          Busy in BUSY, Error in ERROR, Data Object Ready in READY, else 0
 *   0x10 Write Mailbox   0
 *   0x14 Read Mailbox    READY: the current response DW; other states: 0
 *
 * Register writes (state → effect → next state):
 *   0x00, 0x04 (read-only) and 0x0C Status: ignored (no interrupt status to clear)
 *   Control with Abort (whatever else the value holds, any state):
 *                 drop the request, the response and the error → IDLE   (PCIe 6.0 §6.30.2)
 *   Control with Go:
 *     IDLE/RECEIVING, fewer than 2 DWs written, or fewer than the header's Length
 *                 → ERROR ("Go before the whole object": undefined in the spec, made visible)
 *     RECEIVING, more DWs written than the header's Length
 *                 → discarded silently → IDLE  (§6.30.1: a DW count that disagrees with the
 *                   Length is discarded)
 *     RECEIVING, exactly Length DWs  → BUSY (then answered at once if process_on_go)
 *     BUSY/READY  → ERROR (a new request while one is in flight or unread)
 *     ERROR       → ignored
 *   Write Mailbox:
 *     IDLE/RECEIVING → append the DW; more than max_object_dw DWs, or a second DW whose
 *                 Length exceeds max_object_dw → ERROR (an object larger than the mailbox)
 *     BUSY/READY  → ERROR, the buffers untouched (the request was copied in; never re-read)
 *     ERROR       → ignored
 *   Read Mailbox (any value):
 *     READY       → advance one DW; after the last DW → IDLE
 *     IDLE/RECEIVING/BUSY → ERROR (nothing to advance)
 *     ERROR       → ignored
 *   Interrupt Enable: ignored (no interrupt support).
 *
 * Processing a request (BUSY → step):
 *   vendor 0x0001 type 0 (Discovery) with a 1-DW payload: answered here. Index 0, 1, 2 →
 *     types 0, 1, 2 with Next Index 1, 2, 0 (what spdm-emu answers, facts §3.1). Any other
 *     index, or a payload of another size: discarded without a response → IDLE. The spec
 *     text for an index past the last entry was not available here (UNVERIFIED); QEMU
 *     answers Vendor 0xFFFF instead, spdm-emu's behaviour was not observed.
 *   vendor 0x0001 type 1 or 2: handed whole (header included, pad included) to handle().
 *     It returns false for "no response" → IDLE, or true with a whole DOE response object
 *     in rsp[0..*rsp_len) → READY. A response that is not a well-formed object
 *     (proto/doe.h doe_object_decode) or is longer than rsp_cap (= max_object_dw * 4)
 *     → ERROR (the device broke; the host must Abort).
 *   any other vendor or type: discarded → IDLE (the responder sees only types 1 and 2).
 *
 * Invariants (doe_mailbox_invariants_ok): written DWs <= max_object_dw; response DWs <=
 * max_object_dw; read position < response DWs in READY; IDLE has nothing buffered; BUSY
 * holds a complete object; Status has at most one bit set.
 */
#ifndef CCADA_DEVICE_DOE_MAILBOX_H
#define CCADA_DEVICE_DOE_MAILBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/doe.h"

#define DOE_MAILBOX_MIN_DW 16u /* 64 bytes: room for discovery and small SPDM messages */
#define DOE_MAILBOX_WHY_LEN 96u

enum doe_mailbox_state {
        DOE_MB_IDLE,
        DOE_MB_RECEIVING,
        DOE_MB_BUSY,
        DOE_MB_READY,
        DOE_MB_ERROR,
};

/* The responder behind the mailbox: see "Processing a request" above. req is the mailbox's
 * own copy, valid during the call. */
typedef bool (*doe_mailbox_handler)(void *ctx, const uint8_t *req, size_t req_len, uint8_t *rsp, size_t rsp_cap,
                                    size_t *rsp_len);

struct doe_mailbox_config {
        uint32_t max_object_dw;   /* DOE_MAILBOX_MIN_DW .. DOE_MAX_DW (1 MiB) */
        uint16_t next_cap;        /* next extended capability offset: 0, or 0x100..0xFFC DW aligned */
        bool process_on_go;       /* answer inside the Go write instead of in doe_mailbox_step() */
        doe_mailbox_handler handle;
        void *handle_ctx;
};

struct doe_mailbox;

/* A mailbox in IDLE with buffers of max_object_dw DWs each way. NULL (and why, if not
 * NULL) for a configuration outside the ranges above or no memory. */
struct doe_mailbox *doe_mailbox_new(const struct doe_mailbox_config *cfg, char *why);

/* Wipes the buffers (they may hold SPDM messages) and frees. NULL is a no-op. */
void doe_mailbox_free(struct doe_mailbox *mb);

/* Config-space DW access at offset (relative to the capability). False when offset is not
 * a DW register of this capability; *val is then 0. */
bool doe_mailbox_read(struct doe_mailbox *mb, uint32_t offset, uint32_t *val);
bool doe_mailbox_write(struct doe_mailbox *mb, uint32_t offset, uint32_t val);

/* The device's turn: processes a request in BUSY. True if it did work. */
bool doe_mailbox_step(struct doe_mailbox *mb);

enum doe_mailbox_state doe_mailbox_state(const struct doe_mailbox *mb);
const char *doe_mailbox_state_name(enum doe_mailbox_state s);

/* Why the mailbox went to ERROR (empty otherwise): for logs and tests. */
const char *doe_mailbox_error(const struct doe_mailbox *mb);

/* Checks the invariants above; false with why (DOE_MAILBOX_WHY_LEN) if one fails. */
bool doe_mailbox_invariants_ok(const struct doe_mailbox *mb, char *why);

#endif
