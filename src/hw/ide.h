/* A port's PCIe IDE engine: one selective IDE stream, sealing the TLPs the port sends and
 * opening those it receives.  PCIe 6.2 §6.33; facts §4 (keys, IFV) and §5 (registers,
 * failure handling).
 *
 * One engine per port: a Root Port has one, the Endpoint has one, and hw/link.h connects
 * them. The engine has one stream (its Stream ID is set at creation) and, per sub-stream
 * (PR, NPR, CPL) x direction (Rx, Tx) x key set (K0, K1), a key slot: an AES-256-GCM key
 * and a 64-bit invocation counter. The key schedule lives in an OpenSSL context that is
 * cleansed when the slot is emptied; the engine keeps no other copy of key bytes.
 *
 * Key slot states:   EMPTY --prog--> PROGRAMMED --go--> GO
 *                    any --stop / stream failure / free--> EMPTY (key wiped)
 * PROGRAMMED may be re-programmed; GO may not (stop it first). prog takes the AES key in
 * natural byte order (k[0] first, as AES and NIST use it; turning IDE_KM's KEY_PROG DW order
 * into that is proto/ide_km's business) and the initial invocation field (IFV; 1 at every
 * establishment and refresh, facts §4). Tx sends with the key set that went GO last for
 * its sub-stream; Rx accepts either key set that is GO (the K bit names it), so a refresh
 * programs the other set, goes Rx then Tx, and stops the old one without a gap.
 *
 * Stream state (Selective IDE Stream Status bits 3:0):
 *   INSECURE (0)  until every (sub-stream, direction) has a key set GO; again after a
 *                 stop leaves one without, and after any failure below.
 *   SECURE (2)    every (sub-stream, direction) has a key set GO.
 * Nonce of each AES-GCM operation: 0x00000000 || invocation counter (64-bit, big-endian),
 * the counter of the slot used; it increments after each TLP (one MAC per TLP: no
 * aggregation). A Tx slot whose counter reached UINT64_MAX refuses to seal (re-key): a
 * nonce is never used twice.
 *
 * Transmit rule (hw_ide_tx): while SECURE every TLP goes on the stream as an IDE TLP
 * (prefix with the caller's T, the engine's K, M=1, Stream ID, PR_Sent_Counter; header and
 * prefix authenticated as AAD, payload encrypted, 12-byte MAC appended). While INSECURE a
 * TLP with T=0 goes in clear without a prefix and one with T=1 is refused: a TEE TLP never
 * leaves unprotected.
 *
 * Receive (hw_ide_rx), in this order; a failure is an IDE Check Failed error:
 *   malformed bytes                        -> HW_IDE_BAD_TLP, dropped, no state change
 *   IDE TLP while INSECURE (any T)         -> failure NOT_SECURE (no key can open it)
 *   Stream ID not ours (misrouted)         -> failure STREAM_ID
 *   M=0 (a MAC withheld; no aggregation)   -> failure NO_MAC
 *   K names a key set not GO for Rx        -> failure KEY_SET
 *   Rx counter exhausted                   -> failure COUNTER
 *   MAC does not verify                    -> failure MAC (a flipped bit, a replayed, dropped
 *                                             or reordered TLP: the counter is implicit)
 *   NPR/CPL whose PR_Sent_Counter differs from the PR TLPs received since SECURE (mod 256)
 *                                          -> failure PR_SENT_COUNTER (a posted write dropped
 *                                             before a read or completion)
 *   completion for no request in flight    -> HW_IDE_UNEXPECTED_CPL, dropped, no state change
 *   completion whose T differs from its request's (a clear completion counts as T=0)
 *                                          -> failure T_MISMATCH
 * A read stays in flight (its tag busy for hw_ide_tx) from its MRd until its last completion:
 * a CplD with Byte Count = Length (tlp.h), or a Cpl (an error status ends the read). A CplD
 * with Byte Count > Length is one of several (split completion, PCIe 6.2 §2.3.1.1): opened
 * and checked as above (each one its own MAC and counter, T against the read's) and
 * delivered, the tag kept. Whether the split adds up (Byte Count, Lower Address, order) is
 * the requester's check, not the engine's. A read whose completions never all come is
 * ended by the requester's Completion Timeout (PCIe 6.2 §2.8): hw_ide_retire_tag frees the
 * tag, and a completion for it arriving later is UNEXPECTED_CPL.
 * A TLP without prefix while SECURE is delivered with T=0: a requester or completer must
 * not treat it as TEE traffic (TDISP §11.2.1). Nothing of a refused TLP is delivered.
 * On failure the engine moves to INSECURE, wipes every key slot, counts it, calls the
 * owner's callback (on a SECURE -> INSECURE transition) and returns HW_IDE_CHECK_FAILED; the
 * caller (hw/link.c) must then deliver the IDE Fail Message to the partner, whose
 * hw_ide_fail_message() sets Status bit 31 and does the same. Re-keying recovers.
 *
 * Ours, not checked against the spec text (facts §5 marks them UNVERIFIED): PR_Sent_Counter
 * as the count of PR TLPs (mod 256) since the stream went SECURE, and the AAD as prefix +
 * header bytes exactly as sent.
 *
 * Single-threaded, like the rest of hw/; no globals.
 */
#ifndef CCADA_HW_IDE_H
#define CCADA_HW_IDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/tlp.h"
#include "lib/trace.h"

#define HW_IDE_MUST_CHECK __attribute__((warn_unused_result))

#define HW_IDE_KEY_LEN 32u              /* AES-256 (IDE algorithm 0, facts §5) */
#define HW_IDE_IFV_INITIAL 1u           /* facts §4 */
#define HW_IDE_WHY_LEN HW_TLP_WHY_LEN

enum hw_ide_dir { HW_IDE_RX = 0, HW_IDE_TX = 1 };
enum hw_ide_key_set { HW_IDE_K0 = 0, HW_IDE_K1 = 1 };

/* Selective IDE Stream Status bits 3:0.  facts §5 */
enum hw_ide_state { HW_IDE_INSECURE = 0, HW_IDE_SECURE = 2 };

enum hw_ide_slot_state { HW_IDE_SLOT_EMPTY, HW_IDE_SLOT_PROGRAMMED, HW_IDE_SLOT_GO };

enum hw_ide_status {
        HW_IDE_OK = 0,
        HW_IDE_BAD_ARG,            /* sub-stream, direction or key set outside the enums, NULL key */
        HW_IDE_SLOT_BUSY,          /* prog on a slot that is GO: stop it first */
        HW_IDE_NO_KEY,             /* go on an EMPTY slot */
        HW_IDE_NOT_SECURE,         /* Tx: T=1 while INSECURE */
        HW_IDE_COUNTER_EXHAUSTED,  /* Tx: the slot's counter would wrap; re-key */
        HW_IDE_TAG_BUSY,           /* Tx: a read with that tag still waiting for its last completion */
        HW_IDE_BAD_TLP,            /* Tx: not a TLP the codec encodes; Rx: malformed bytes */
        HW_IDE_NO_ROOM,            /* the caller's buffer is too small */
        HW_IDE_UNEXPECTED_CPL,     /* Rx: a completion for no read in flight (dropped) */
        HW_IDE_CHECK_FAILED,       /* Rx: IDE Check Failed; the stream is now INSECURE */
        HW_IDE_CRYPTO_ERROR,       /* OpenSSL failed (a local fault) */
};

/* Why a stream went INSECURE. */
enum hw_ide_fail {
        HW_IDE_FAIL_NONE = 0,
        HW_IDE_FAIL_NOT_SECURE,
        HW_IDE_FAIL_STREAM_ID,
        HW_IDE_FAIL_NO_MAC,
        HW_IDE_FAIL_KEY_SET,
        HW_IDE_FAIL_COUNTER,
        HW_IDE_FAIL_MAC,
        HW_IDE_FAIL_PR_SENT_COUNTER,
        HW_IDE_FAIL_T_MISMATCH,
        HW_IDE_FAIL_MESSAGE,       /* the partner's IDE Fail Message */
        HW_IDE_FAIL_KEYS_STOPPED,  /* the owner stopped a key the stream needed (no error) */
};

const char *hw_ide_status_name(enum hw_ide_status s);
const char *hw_ide_fail_name(enum hw_ide_fail f);
const char *hw_ide_state_name(enum hw_ide_state s);  /* "Insecure", "Secure" */
const char *hw_ide_dir_name(enum hw_ide_dir d);      /* "Rx", "Tx" */
const char *hw_ide_key_set_name(enum hw_ide_key_set k); /* "K0", "K1" */

/* The "ide" trace subsystem, each line naming the engine's end and stream:
 *   ide_key    a key slot programmed (prog), put in use (go) or emptied (stop)
 *   ide_state  the stream's state changed (Insecure -> Secure when every sub-stream and
 *              direction has a key set GO; Secure -> Insecure with the reason)
 *   ide_fail   an IDE Check Failed on receive (the reason and the TLP's sub-stream), or an
 *              IDE Fail Message received */
enum { HW_IDE_TRACE_KEY, HW_IDE_TRACE_STATE, HW_IDE_TRACE_FAIL };
extern const struct trace_subsys hw_ide_trace;

/* Called when the stream goes from SECURE to INSECURE, with the reason; the owner (a
 * device) moves the TDIs bound to the stream to ERROR. It must not free the engine. */
typedef void (*hw_ide_insecure_fn)(void *ctx, enum hw_ide_fail why);

struct hw_ide_config {
        uint8_t stream_id;
        bool default_stream;         /* Selective IDE Stream Control bit 22 */
        hw_ide_insecure_fn on_insecure; /* may be NULL */
        void *ctx;
        struct trace *trace;         /* the "ide" events (NULL: none); must outlive the engine */
        const char *end;             /* its name in them, a static string ("rp", "ep"; NULL: "?") */
};

/* The stream's registers as a config-space image shows them.  facts §5 */
struct hw_ide_regs {
        uint32_t ide_cap;   /* Selective IDE, IDE_KM; algorithm 0; one selective stream */
        uint32_t ide_ctl;   /* 0 */
        uint32_t sel_cap;   /* 0 address association blocks */
        uint32_t sel_ctl;   /* Enable, Default Stream, Stream ID[31:24] */
        uint32_t sel_sts;   /* state[3:0], Received IDE Fail Message [31] */
};
#define HW_IDE_CAP_SELECTIVE   (1u << 1)
#define HW_IDE_CAP_IDE_KM      (1u << 6)
#define HW_IDE_SEL_CTL_ENABLE  (1u << 0)
#define HW_IDE_SEL_CTL_DEFAULT (1u << 22)
#define HW_IDE_SEL_STS_FAIL    (1u << 31)

struct hw_ide_stats {
        uint64_t sealed, opened;             /* IDE TLPs */
        uint64_t bytes_sealed, bytes_opened; /* their payload bytes */
        uint64_t clear_tx, clear_rx;         /* TLPs without prefix */
        uint64_t mac_failures;               /* HW_IDE_FAIL_MAC */
        uint64_t check_failures;             /* every failure this engine detected, MAC included */
        uint64_t fail_messages;              /* IDE Fail Messages received */
        uint64_t malformed, unexpected_cpl;  /* dropped without a failure */
        uint64_t split_cpl;                  /* CplDs accepted that were not their read's last */
        uint64_t cpl_timeouts;               /* reads retired by hw_ide_retire_tag */
};

struct hw_ide;

/* A new engine with every slot EMPTY (stream INSECURE). False only when out of memory. */
bool hw_ide_new(struct hw_ide **out, const struct hw_ide_config *cfg) HW_IDE_MUST_CHECK;
/* Empties every slot (keys wiped) and frees. NULL: no-op. */
void hw_ide_free(struct hw_ide *e);

/* Loads key (HW_IDE_KEY_LEN bytes, natural order) and ifv into a slot: OK, BAD_ARG,
 * SLOT_BUSY (the slot is GO), CRYPTO_ERROR. The caller keeps and wipes its copy of key. */
enum hw_ide_status hw_ide_key_prog(struct hw_ide *e, enum hw_ide_sub_stream ss, enum hw_ide_dir dir,
                                   enum hw_ide_key_set ks, const uint8_t *key, uint64_t ifv) HW_IDE_MUST_CHECK;
/* K_SET_GO: the slot starts to be used (Tx: it becomes the sub-stream's Tx key set). OK,
 * BAD_ARG, NO_KEY. GO on a GO slot is OK and changes nothing but the Tx choice. */
enum hw_ide_status hw_ide_key_go(struct hw_ide *e, enum hw_ide_sub_stream ss, enum hw_ide_dir dir,
                                 enum hw_ide_key_set ks) HW_IDE_MUST_CHECK;
/* K_SET_STOP: the slot is emptied and its key wiped (any state). OK, BAD_ARG. A Tx stop of
 * the set in use falls back to the other set if it is GO. */
enum hw_ide_status hw_ide_key_stop(struct hw_ide *e, enum hw_ide_sub_stream ss, enum hw_ide_dir dir,
                                   enum hw_ide_key_set ks) HW_IDE_MUST_CHECK;

enum hw_ide_state hw_ide_state(const struct hw_ide *e);
/* A slot's state (EMPTY for arguments outside the enums) and its next invocation counter
 * (0 when EMPTY). */
enum hw_ide_slot_state hw_ide_slot(const struct hw_ide *e, enum hw_ide_sub_stream ss, enum hw_ide_dir dir,
                                   enum hw_ide_key_set ks);
uint64_t hw_ide_slot_counter(const struct hw_ide *e, enum hw_ide_sub_stream ss, enum hw_ide_dir dir,
                             enum hw_ide_key_set ks);
/* Whether a slot holds no key material: EMPTY, no cipher context, counter 0. */
bool hw_ide_slot_wiped(const struct hw_ide *e, enum hw_ide_sub_stream ss, enum hw_ide_dir dir,
                       enum hw_ide_key_set ks);
enum hw_ide_fail hw_ide_last_fail(const struct hw_ide *e);
void hw_ide_regs(const struct hw_ide *e, struct hw_ide_regs *out);
const struct hw_ide_stats *hw_ide_stats(const struct hw_ide *e);

/* Puts tlp on the wire by the transmit rule above: wire (cap bytes) receives the bytes and
 * *len their number. tlp->ide.t is the caller's T; the other prefix fields and tlp->mac
 * are ignored (the engine writes them). Returns OK, NOT_SECURE, COUNTER_EXHAUSTED,
 * TAG_BUSY, BAD_TLP (hw_tlp_check refused it; why says so), NO_ROOM (cap below
 * HW_TLP_MAX_WIRE is fine if the TLP fits), CRYPTO_ERROR; on any error *len is 0, no
 * counter moved and nothing usable is in wire. why (HW_IDE_WHY_LEN) may be NULL. */
enum hw_ide_status hw_ide_tx(struct hw_ide *e, const struct hw_tlp *tlp, uint8_t *wire, size_t cap, size_t *len,
                             char *why) HW_IDE_MUST_CHECK;

/* Receives the len bytes of one TLP by the receive rules above. On OK *out is the TLP in
 * clear: out->data points into plain (cap bytes, HW_TLP_MAX_DATA always suffices; the
 * payload is copied there even for a clear TLP, so nothing points into wire),
 * out->mac is NULL, out->ide holds the prefix as received (present=false for a clear TLP).
 * Any other status: *out all zero and plain zeroed: nothing of the TLP is delivered.
 * Returns OK, BAD_TLP, NO_ROOM, UNEXPECTED_CPL, CHECK_FAILED (see hw_ide_last_fail),
 * CRYPTO_ERROR. why (HW_IDE_WHY_LEN) may be NULL. */
enum hw_ide_status hw_ide_rx(struct hw_ide *e, const uint8_t *wire, size_t len, struct hw_tlp *out, uint8_t *plain,
                             size_t cap, char *why) HW_IDE_MUST_CHECK;

/* Whether a read with this tag is in flight (sent, its last completion not yet received). */
bool hw_ide_tag_in_flight(const struct hw_ide *e, uint8_t tag);
/* Completion Timeout (PCIe 6.2 §2.8), called by the requester that gave up waiting: the read
 * with this tag is no longer in flight, so the tag may be sent again; a completion for it
 * that arrives later is dropped as UNEXPECTED_CPL. OK (counted in cpl_timeouts), or BAD_ARG
 * when no read with that tag is in flight (nothing changes). The stream state and the
 * counters are untouched: a completion lost on a Secure stream still fails the next one's
 * MAC (the counter is implicit). */
enum hw_ide_status hw_ide_retire_tag(struct hw_ide *e, uint8_t tag) HW_IDE_MUST_CHECK;

/* The partner's IDE Fail Message arrived: Status bit 31 set, stream INSECURE, every slot
 * wiped, callback if it was SECURE. */
void hw_ide_fail_message(struct hw_ide *e);
/* Clears Status bit 31 (software writes 1 to it). */
void hw_ide_clear_fail_status(struct hw_ide *e);

#endif
