/* The device's IDE_KM responder (the DSM side of PCIe 6.0 §6.33.3; facts/spdm-tdisp-ide.md
 * §4, §5): answers QUERY, KEY_PROG, K_SET_GO and K_SET_STOP that the TSM sends inside a
 * secured SPDM session (VENDOR_DEFINED, PCI-SIG protocol ID 0x00), and owns the registers
 * of the device's one Selective IDE stream that config space shows at PDEV_IDE_OFFSET + 4.
 * Wire formats are proto/ide_km.h's; this file is the policy.
 *
 * The port. ccada-dev has one IDE-capable port, its upstream port. QUERY_RESP says
 * MaxPortIndex 1 and PortIndex 0 and 1 both name that port: facts §4 marks the meaning of
 * PortIndex UNVERIFIED; TF-RMM and spdm-emu send 1, Microsoft Cerberus's DSM accepts only 0,
 * so the device accepts both readings of "this port" rather than guess one. Anything above
 * 1 is Unsupported Port Index (KP_ACK status 2; QUERY, K_SET_GO and K_SET_STOP, which carry
 * no status, are refused and the device answers SPDM ERROR).
 *
 * The register image (QUERY_RESP and config space, in this order; PCIe 6.2 §7.9.26):
 *   0 IDE Capability   Selective IDE (bit 1), IDE_KM (bit 6), algorithm 0 (AES-GCM-256,
 *                      96-bit MAC), 1 Selective stream (23:16 = 0); no Link IDE
 *   1 IDE Control      0 (Flow-Through is not supported)
 *   2 Sel. Capability  0 address association blocks
 *   3 Sel. Control     writable: Enable (0), TC (21:19), Default Stream (22), Stream ID (31:24)
 *   4 Sel. Status      state 3:0: 2 Secure once a key set is active (K_SET_GO) in all six
 *                      sub-stream x direction slots, else 0 Insecure (Enable is not required)
 *   5 RID Assoc. 1     writable: RID Limit (23:8)
 *   6 RID Assoc. 2     writable: Valid (0), RID Base (23:8), Segment Base (31:24)
 *
 * Keys. One slot per (sub-stream PR/NPR/CPL, direction Rx/Tx, key set K0/K1) of the stream
 * whose ID Selective Control holds (0 after reset): KEY_PROG for another Stream ID is
 * Unsupported Value. A slot records the session that programmed it, the IFV, whether its
 * key set is active (K_SET_GO) and on which session. The key itself goes to the IDE engine
 * through struct ide_km_port_ops and is wiped right after; without ops the slot keeps it (a
 * stand-in for the engine) until K_SET_STOP, a new KEY_PROG, the session's end, a failure or
 * free, each of which wipes it (secure_zero).
 *
 * Policy beyond the wire format (ccada's, each named where it is checked):
 *   - only inside a secured session; outside one the handler returns false (SPDM ERROR);
 *   - KEY_PROG: IFV must be 1 (facts §4, the required initial value), else Unsupported Value;
 *     the active key set of a slot cannot be reprogrammed (refresh programs the other set),
 *     and a stream pinned by a locked TDI takes keys only from the locking session: both
 *     Unspecified Failure;
 *   - K_SET_GO of a key set that was never programmed is refused (SPDM ERROR): a K_GOSTOP_ACK
 *     would tell the TSM a key is in use that is not;
 *   - K_SET_STOP of a key set not programmed is acknowledged (nothing to stop).
 * Events that drop keys (their session ends, ide_km_responder_fail, a new Stream ID written
 * to Selective Control) make a Secure stream Insecure and call on_insecure.
 *
 * Single-threaded; no globals.
 */
#ifndef CCADA_DEVICE_IDE_KM_RESPONDER_H
#define CCADA_DEVICE_IDE_KM_RESPONDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/ide_km.h"

#define IDE_KM_RSP_REGS 7u             /* the register image's DWs (see above) */
#define IDE_KM_RSP_MAX_PORT_INDEX 1u
#define IDE_KM_RSP_REG_SEL_CTL 3u
#define IDE_KM_RSP_REG_SEL_STATUS 4u
#define IDE_KM_RSP_REG_RID1 5u
#define IDE_KM_RSP_REG_RID2 6u
#define IDE_KM_SEL_CTL_STREAM_ID_SHIFT 24u
#define IDE_KM_STATUS_INSECURE 0u
#define IDE_KM_STATUS_SECURE 2u

/* The IDE engine's key port (hw/ide, wired by pdev). Each returns false if the engine
 * refuses; the responder then answers a failure and keeps its state. key is AES order
 * (k[0] first); the callee copies what it needs, the responder wipes its copy on return. */
struct ide_km_port_ops {
        bool (*key_prog)(void *ctx, uint8_t stream_id, enum ide_km_sub_stream ss, enum ide_km_dir dir,
                         enum ide_km_key_set ks, const uint8_t key[IDE_KM_KEY_SIZE], uint64_t ifv);
        bool (*go)(void *ctx, uint8_t stream_id, enum ide_km_sub_stream ss, enum ide_km_dir dir,
                   enum ide_km_key_set ks);
        bool (*stop)(void *ctx, uint8_t stream_id, enum ide_km_sub_stream ss, enum ide_km_dir dir,
                     enum ide_km_key_set ks);
        void *ctx;
};

/* Called when the stream leaves Secure, with the reason. */
typedef void (*ide_km_insecure_fn)(void *ctx, const char *why);

struct ide_km_responder_cfg {
        uint16_t bdf;                   /* DevFuncNum and BusNum of QUERY_RESP */
        uint8_t segment;
        ide_km_insecure_fn on_insecure; /* NULL: none */
        void *insecure_ctx;
};

/* One key slot (a view for traces and tests). */
struct ide_km_slot {
        bool programmed;        /* KEY_PROG accepted, not stopped or dropped since */
        bool active;            /* the slot's sub-stream and direction use this key set (K_SET_GO) */
        uint32_t session_id;    /* the session that programmed it */
        uint32_t go_session_id; /* the session that sent K_SET_GO (when active) */
        uint64_t ifv;
        bool key_held;          /* no ops were set: key[] holds it (AES order) */
        uint8_t key[IDE_KM_KEY_SIZE];
};

struct ide_km_responder_stats {
        uint64_t requests, refused;     /* refused: answered false (SPDM ERROR) */
        uint64_t queries, key_progs, kp_failures, gos, stops, insecure_events;
        uint8_t last_kp_status;         /* of the last KP_ACK sent */
};

struct ide_km_responder;

bool ide_km_responder_new(struct ide_km_responder **out, const struct ide_km_responder_cfg *cfg)
        __attribute__((warn_unused_result));
void ide_km_responder_free(struct ide_km_responder *r); /* NULL: no-op; wipes every key */

/* The key port (copied; NULL: record only, keys stay in the slots). */
void ide_km_responder_set_ops(struct ide_km_responder *r, const struct ide_km_port_ops *ops);

/* One IDE_KM object (the VENDOR_DEFINED payload, protocol ID included) from session_id
 * (valid when secured). Writes the answer's payload to rsp (cap bytes) and returns true;
 * false (nothing written, state unchanged) for a request outside a session, one too short or
 * of an unknown or response object ID, and the refusals listed above: the device then
 * answers SPDM ERROR. */
bool ide_km_responder_handle(struct ide_km_responder *r, bool secured, uint32_t session_id, const uint8_t *req,
                             size_t len, uint8_t *rsp, size_t cap, size_t *rsp_len)
        __attribute__((warn_unused_result));

/* Register DW i of the image (0 for i >= IDE_KM_RSP_REGS), and a config write of it with
 * byte enables be (read-only bits and registers keep their value). */
uint32_t ide_km_responder_reg_read(const struct ide_km_responder *r, unsigned i);
void ide_km_responder_reg_write(struct ide_km_responder *r, unsigned i, uint32_t val, uint8_t be);

uint8_t ide_km_responder_stream_id(const struct ide_km_responder *r);
bool ide_km_responder_secure(const struct ide_km_responder *r);
/* Whether stream stream_id is Secure with every active key programmed and set going on
 * session_id (TDISP §11.4.5: LOCK needs the default stream keyed over the locking session). */
bool ide_km_responder_keyed_on(const struct ide_km_responder *r, uint8_t stream_id, uint32_t session_id);
const struct ide_km_slot *ide_km_responder_slot(const struct ide_km_responder *r, enum ide_km_sub_stream ss,
                                                enum ide_km_dir dir, enum ide_km_key_set ks);

/* Pins the stream to session_id (a TDI locked over it: key refresh only from that session,
 * TDISP §11.4.5) or releases it. */
void ide_km_responder_pin(struct ide_km_responder *r, bool pinned, uint32_t session_id);
/* The SPDM session ended: every key it programmed is dropped (facts §5). */
void ide_km_responder_session_ended(struct ide_km_responder *r, uint32_t session_id);
/* The link or the engine reports IDE Check Failed or link down: every key is dropped and
 * the stream is Insecure (facts §5: recovery needs new keys). */
void ide_km_responder_fail(struct ide_km_responder *r, const char *why);

const struct ide_km_responder_stats *ide_km_responder_stats(const struct ide_km_responder *r);

#endif
