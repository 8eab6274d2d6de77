/* A port's IDE engine: key slots, the stream state, sealing and opening TLPs. The contract
 * and the receive rules are in ide.h.  PCIe 6.2 §6.33; facts §4, §5 */
#include "hw/ide.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/aead.h"
#include "lib/bytes.h"
#include "lib/crypto.h"

#define DIRS 2u
#define KEY_SETS 2u
#define TAGS 256u

struct slot {
        enum hw_ide_slot_state state;
        struct aead *aead;  /* NULL iff EMPTY */
        uint64_t counter;   /* next invocation field */
};

/* A non-posted request sent and not yet completed (its last completion not received, nor
 * retired by the requester's Completion Timeout), by tag. */
struct in_flight {
        bool valid;
        bool t;
        uint16_t requester_id;
};

static const char *const ide_events[] = { "ide_key", "ide_state", "ide_fail" };
const struct trace_subsys hw_ide_trace = TRACE_SUBSYS("ide", ide_events);

struct hw_ide {
        struct hw_ide_config cfg;
        struct trace_group *tr;
        enum hw_ide_state state;
        enum hw_ide_fail last_fail;
        bool fail_received;                          /* Status bit 31 */
        struct slot slot[HW_IDE_SUB_STREAMS][DIRS][KEY_SETS];
        enum hw_ide_key_set tx_set[HW_IDE_SUB_STREAMS]; /* the set Tx uses, per sub-stream */
        uint8_t pr_sent, pr_received;                /* PR TLPs since SECURE, mod 256 */
        struct in_flight reads[TAGS];
        struct hw_ide_stats stats;
};

static void say(char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(char *why, const char *fmt, ...)
{
        if (why) {
                va_list ap;
                va_start(ap, fmt);
                (void)vsnprintf(why, HW_IDE_WHY_LEN, fmt, ap);
                va_end(ap);
        }
}

const char *hw_ide_status_name(enum hw_ide_status s)
{
        switch (s) {
        case HW_IDE_OK: return "OK";
        case HW_IDE_BAD_ARG: return "BAD_ARG";
        case HW_IDE_SLOT_BUSY: return "SLOT_BUSY";
        case HW_IDE_NO_KEY: return "NO_KEY";
        case HW_IDE_NOT_SECURE: return "NOT_SECURE";
        case HW_IDE_COUNTER_EXHAUSTED: return "COUNTER_EXHAUSTED";
        case HW_IDE_TAG_BUSY: return "TAG_BUSY";
        case HW_IDE_BAD_TLP: return "BAD_TLP";
        case HW_IDE_NO_ROOM: return "NO_ROOM";
        case HW_IDE_UNEXPECTED_CPL: return "UNEXPECTED_CPL";
        case HW_IDE_CHECK_FAILED: return "CHECK_FAILED";
        case HW_IDE_CRYPTO_ERROR: return "CRYPTO_ERROR";
        }
        return "?";
}

const char *hw_ide_fail_name(enum hw_ide_fail f)
{
        switch (f) {
        case HW_IDE_FAIL_NONE: return "none";
        case HW_IDE_FAIL_NOT_SECURE: return "IDE TLP while Insecure";
        case HW_IDE_FAIL_STREAM_ID: return "misrouted (Stream ID)";
        case HW_IDE_FAIL_NO_MAC: return "no MAC";
        case HW_IDE_FAIL_KEY_SET: return "key set not live";
        case HW_IDE_FAIL_COUNTER: return "invocation counter exhausted";
        case HW_IDE_FAIL_MAC: return "MAC check failed";
        case HW_IDE_FAIL_PR_SENT_COUNTER: return "PR_Sent_Counter mismatch";
        case HW_IDE_FAIL_T_MISMATCH: return "completion T differs from the request's";
        case HW_IDE_FAIL_MESSAGE: return "IDE Fail Message received";
        case HW_IDE_FAIL_KEYS_STOPPED: return "keys stopped";
        }
        return "?";
}

const char *hw_ide_state_name(enum hw_ide_state s)
{
        return s == HW_IDE_SECURE ? "Secure" : s == HW_IDE_INSECURE ? "Insecure" : "?";
}

const char *hw_ide_dir_name(enum hw_ide_dir d)
{
        return d == HW_IDE_RX ? "Rx" : d == HW_IDE_TX ? "Tx" : "?";
}

const char *hw_ide_key_set_name(enum hw_ide_key_set k)
{
        return k == HW_IDE_K0 ? "K0" : k == HW_IDE_K1 ? "K1" : "?";
}

static bool valid(enum hw_ide_sub_stream ss, enum hw_ide_dir dir, enum hw_ide_key_set ks)
{
        return (unsigned)ss < HW_IDE_SUB_STREAMS && (unsigned)dir < DIRS && (unsigned)ks < KEY_SETS;
}

static void slot_wipe(struct slot *s)
{
        aead_free(s->aead); /* cleanses the key schedule */
        s->aead = NULL;
        s->counter = 0;
        s->state = HW_IDE_SLOT_EMPTY;
}

static void wipe_all(struct hw_ide *e)
{
        for (unsigned ss = 0; ss < HW_IDE_SUB_STREAMS; ss++)
                for (unsigned d = 0; d < DIRS; d++)
                        for (unsigned k = 0; k < KEY_SETS; k++)
                                slot_wipe(&e->slot[ss][d][k]);
}

bool hw_ide_new(struct hw_ide **out, const struct hw_ide_config *cfg)
{
        struct hw_ide *e = calloc(1, sizeof(*e));

        *out = e;
        if (!e)
                return false;
        e->cfg = *cfg;
        e->state = HW_IDE_INSECURE;
        e->tr = trace_register(cfg->trace, &hw_ide_trace);
        return true;
}

void hw_ide_free(struct hw_ide *e)
{
        if (!e)
                return;
        wipe_all(e);
        secure_zero(e, sizeof(*e));
        free(e);
}

/* Every (sub-stream, direction) has a key set GO.  facts §5 */
static bool all_live(const struct hw_ide *e)
{
        for (unsigned ss = 0; ss < HW_IDE_SUB_STREAMS; ss++)
                for (unsigned d = 0; d < DIRS; d++)
                        if (e->slot[ss][d][0].state != HW_IDE_SLOT_GO && e->slot[ss][d][1].state != HW_IDE_SLOT_GO)
                                return false;
        return true;
}

/* hw_ide_fail as one word, for a trace line's why=. */
static const char *fail_token(enum hw_ide_fail f)
{
        static const char *const tok[] = {
                [HW_IDE_FAIL_NONE] = "none",          [HW_IDE_FAIL_NOT_SECURE] = "not_secure",
                [HW_IDE_FAIL_STREAM_ID] = "stream_id", [HW_IDE_FAIL_NO_MAC] = "no_mac",
                [HW_IDE_FAIL_KEY_SET] = "key_set",     [HW_IDE_FAIL_COUNTER] = "counter",
                [HW_IDE_FAIL_MAC] = "mac",             [HW_IDE_FAIL_PR_SENT_COUNTER] = "pr_sent_counter",
                [HW_IDE_FAIL_T_MISMATCH] = "t_mismatch", [HW_IDE_FAIL_MESSAGE] = "fail_message",
                [HW_IDE_FAIL_KEYS_STOPPED] = "keys_stopped",
        };
        return (unsigned)f < sizeof(tok) / sizeof(tok[0]) && tok[f] ? tok[f] : "unknown";
}

static const char *end_of(const struct hw_ide *e)
{
        return e->cfg.end ? e->cfg.end : "?";
}

static void trace_key(struct hw_ide *e, enum hw_ide_sub_stream ss, enum hw_ide_dir dir, enum hw_ide_key_set ks,
                      const char *op)
{
        if (trace_on(e->tr, HW_IDE_TRACE_KEY))
                trace_emit(e->tr, HW_IDE_TRACE_KEY, "end=%s sid=%u ss=%s dir=%s ks=%s op=%s", end_of(e),
                           e->cfg.stream_id, hw_ide_sub_stream_name(ss), hw_ide_dir_name(dir), hw_ide_key_set_name(ks),
                           op);
}

static void go_insecure(struct hw_ide *e, enum hw_ide_fail why)
{
        bool was = e->state == HW_IDE_SECURE;

        if (was && trace_on(e->tr, HW_IDE_TRACE_STATE))
                trace_emit(e->tr, HW_IDE_TRACE_STATE, "end=%s sid=%u from=Secure to=Insecure why=%s", end_of(e),
                           e->cfg.stream_id, fail_token(why));
        e->state = HW_IDE_INSECURE;
        if (was && e->cfg.on_insecure)
                e->cfg.on_insecure(e->cfg.ctx, why);
}

/* Recomputes the state after a go or a stop. */
static void update_state(struct hw_ide *e)
{
        if (all_live(e)) {
                if (e->state != HW_IDE_SECURE) {
                        e->pr_sent = e->pr_received = 0;
                        e->state = HW_IDE_SECURE;
                        if (trace_on(e->tr, HW_IDE_TRACE_STATE))
                                trace_emit(e->tr, HW_IDE_TRACE_STATE, "end=%s sid=%u from=Insecure to=Secure",
                                           end_of(e), e->cfg.stream_id);
                }
        } else if (e->state == HW_IDE_SECURE) {
                e->last_fail = HW_IDE_FAIL_KEYS_STOPPED;
                go_insecure(e, HW_IDE_FAIL_KEYS_STOPPED);
        }
}

enum hw_ide_status hw_ide_key_prog(struct hw_ide *e, enum hw_ide_sub_stream ss, enum hw_ide_dir dir,
                                   enum hw_ide_key_set ks, const uint8_t *key, uint64_t ifv)
{
        if (!valid(ss, dir, ks) || !key)
                return HW_IDE_BAD_ARG;
        struct slot *s = &e->slot[ss][dir][ks];
        if (s->state == HW_IDE_SLOT_GO)
                return HW_IDE_SLOT_BUSY;
        slot_wipe(s);
        if (!aead_new(&s->aead, AEAD_AES_256_GCM, key, HW_IDE_KEY_LEN))
                return HW_IDE_CRYPTO_ERROR;
        s->counter = ifv;
        s->state = HW_IDE_SLOT_PROGRAMMED;
        trace_key(e, ss, dir, ks, "prog");
        return HW_IDE_OK;
}

enum hw_ide_status hw_ide_key_go(struct hw_ide *e, enum hw_ide_sub_stream ss, enum hw_ide_dir dir,
                                 enum hw_ide_key_set ks)
{
        if (!valid(ss, dir, ks))
                return HW_IDE_BAD_ARG;
        struct slot *s = &e->slot[ss][dir][ks];
        if (s->state == HW_IDE_SLOT_EMPTY)
                return HW_IDE_NO_KEY;
        s->state = HW_IDE_SLOT_GO;
        if (dir == HW_IDE_TX)
                e->tx_set[ss] = ks;
        trace_key(e, ss, dir, ks, "go");
        update_state(e);
        return HW_IDE_OK;
}

enum hw_ide_status hw_ide_key_stop(struct hw_ide *e, enum hw_ide_sub_stream ss, enum hw_ide_dir dir,
                                   enum hw_ide_key_set ks)
{
        if (!valid(ss, dir, ks))
                return HW_IDE_BAD_ARG;
        slot_wipe(&e->slot[ss][dir][ks]);
        trace_key(e, ss, dir, ks, "stop");
        if (dir == HW_IDE_TX && e->tx_set[ss] == ks && e->slot[ss][dir][!ks].state == HW_IDE_SLOT_GO)
                e->tx_set[ss] = (enum hw_ide_key_set)!ks;
        update_state(e);
        return HW_IDE_OK;
}

enum hw_ide_state hw_ide_state(const struct hw_ide *e)
{
        return e->state;
}

enum hw_ide_slot_state hw_ide_slot(const struct hw_ide *e, enum hw_ide_sub_stream ss, enum hw_ide_dir dir,
                                   enum hw_ide_key_set ks)
{
        return valid(ss, dir, ks) ? e->slot[ss][dir][ks].state : HW_IDE_SLOT_EMPTY;
}

uint64_t hw_ide_slot_counter(const struct hw_ide *e, enum hw_ide_sub_stream ss, enum hw_ide_dir dir,
                             enum hw_ide_key_set ks)
{
        return valid(ss, dir, ks) ? e->slot[ss][dir][ks].counter : 0;
}

bool hw_ide_slot_wiped(const struct hw_ide *e, enum hw_ide_sub_stream ss, enum hw_ide_dir dir,
                       enum hw_ide_key_set ks)
{
        if (!valid(ss, dir, ks))
                return true;
        const struct slot *s = &e->slot[ss][dir][ks];
        return s->state == HW_IDE_SLOT_EMPTY && !s->aead && s->counter == 0;
}

enum hw_ide_fail hw_ide_last_fail(const struct hw_ide *e)
{
        return e->last_fail;
}

const struct hw_ide_stats *hw_ide_stats(const struct hw_ide *e)
{
        return &e->stats;
}

void hw_ide_regs(const struct hw_ide *e, struct hw_ide_regs *out)
{
        memset(out, 0, sizeof(*out));
        /* algorithm 0 (AES-GCM-256, 96-bit MAC) in bits 12:8; one selective stream (23:16 = 0) */
        out->ide_cap = HW_IDE_CAP_SELECTIVE | HW_IDE_CAP_IDE_KM;
        out->sel_ctl = HW_IDE_SEL_CTL_ENABLE | (e->cfg.default_stream ? HW_IDE_SEL_CTL_DEFAULT : 0) |
                       (uint32_t)e->cfg.stream_id << 24;
        out->sel_sts = (uint32_t)e->state | (e->fail_received ? HW_IDE_SEL_STS_FAIL : 0);
}

void hw_ide_fail_message(struct hw_ide *e)
{
        e->fail_received = true;
        e->stats.fail_messages++;
        e->last_fail = HW_IDE_FAIL_MESSAGE;
        if (trace_on(e->tr, HW_IDE_TRACE_FAIL))
                trace_emit(e->tr, HW_IDE_TRACE_FAIL, "end=%s sid=%u why=%s", end_of(e), e->cfg.stream_id,
                           fail_token(HW_IDE_FAIL_MESSAGE));
        wipe_all(e);
        go_insecure(e, HW_IDE_FAIL_MESSAGE);
}

void hw_ide_clear_fail_status(struct hw_ide *e)
{
        e->fail_received = false;
}

/* IV = 0x00000000 || invocation field, big-endian.  facts §4 */
static void nonce_of(uint64_t counter, uint8_t nonce[AEAD_NONCE_LEN])
{
        st_be32(nonce, 0);
        st_be64(nonce + 4, counter);
}

/* ---- transmit ---- */

/* The TLP as it goes on the wire: the prefix the engine chooses, or none. */
static enum hw_ide_status tx_frame(struct hw_ide *e, const struct hw_tlp *in, struct hw_tlp *t, char *why)
{
        *t = *in;
        memset(&t->ide, 0, sizeof(t->ide));
        t->mac = NULL;
        if (e->state != HW_IDE_SECURE) {
                if (in->ide.t) {
                        say(why, "T=1 %s while the stream is Insecure", hw_tlp_kind_name(in->kind));
                        return HW_IDE_NOT_SECURE;
                }
                return HW_IDE_OK;
        }
        enum hw_ide_sub_stream ss = hw_tlp_sub_stream(in->kind);
        t->ide.present = true;
        t->ide.t = in->ide.t;
        t->ide.k = e->tx_set[ss] == HW_IDE_K1;
        t->ide.m = true;
        t->ide.sub_stream = (uint8_t)ss;
        t->ide.stream_id = e->cfg.stream_id;
        t->ide.pr_sent_counter = ss == HW_IDE_PR ? 0 : e->pr_sent;
        return HW_IDE_OK;
}

static enum hw_ide_status tx_seal(struct hw_ide *e, const struct hw_tlp *t, uint8_t *wire, size_t n)
{
        enum hw_ide_sub_stream ss = (enum hw_ide_sub_stream)t->ide.sub_stream;
        struct slot *s = &e->slot[ss][HW_IDE_TX][e->tx_set[ss]];
        size_t hdr = hw_tlp_hdr_len(t), plen = hw_tlp_has_data(t->kind) ? t->len : 0;
        uint8_t nonce[AEAD_NONCE_LEN], tag[AEAD_TAG_LEN];

        nonce_of(s->counter, nonce);
        if (!aead_seal(s->aead, nonce, wire, hdr, wire + hdr, plen, wire + hdr, tag)) {
                secure_zero(wire, n);
                return HW_IDE_CRYPTO_ERROR;
        }
        memcpy(wire + hdr + plen, tag, HW_TLP_MAC_LEN); /* the leading 96 bits */
        s->counter++;
        if (ss == HW_IDE_PR)
                e->pr_sent++;
        e->stats.sealed++;
        e->stats.bytes_sealed += plen;
        return HW_IDE_OK;
}

enum hw_ide_status hw_ide_tx(struct hw_ide *e, const struct hw_tlp *tlp, uint8_t *wire, size_t cap, size_t *len,
                             char *why)
{
        struct hw_tlp t;
        enum hw_ide_status st;

        size_t n;
        *len = 0;
        if ((st = tx_frame(e, tlp, &t, why)) != HW_IDE_OK)
                return st;
        /* The codec checks the TLP as it encodes it (one check per TLP: this is the hot path);
         * the plaintext it wrote is wiped if the engine then refuses to send it. */
        if (!hw_tlp_encode(&t, wire, cap, &n, why))
                return hw_tlp_check(&t, NULL) && hw_tlp_wire_len(&t) > cap ? HW_IDE_NO_ROOM : HW_IDE_BAD_TLP;
        if (t.kind == HW_TLP_MRD && e->reads[t.tag].valid) {
                secure_zero(wire, n);
                say(why, "tag %u is still waiting for its completion", (unsigned)t.tag);
                return HW_IDE_TAG_BUSY;
        }
        if (t.ide.present && e->slot[t.ide.sub_stream][HW_IDE_TX][e->tx_set[t.ide.sub_stream]].counter == UINT64_MAX) {
                secure_zero(wire, n);
                say(why, "%s Tx invocation counter exhausted: re-key", hw_ide_sub_stream_name(t.ide.sub_stream));
                return HW_IDE_COUNTER_EXHAUSTED;
        }
        if (t.ide.present) {
                if ((st = tx_seal(e, &t, wire, n)) != HW_IDE_OK) {
                        say(why, "AES-GCM seal failed");
                        return st;
                }
        } else {
                e->stats.clear_tx++;
        }
        if (t.kind == HW_TLP_MRD)
                e->reads[t.tag] = (struct in_flight){ .valid = true, .t = t.ide.t, .requester_id = t.requester_id };
        *len = n;
        return HW_IDE_OK;
}

/* ---- receive ---- */

static enum hw_ide_status fail(struct hw_ide *e, const struct hw_tlp *t, enum hw_ide_fail why_fail, char *why)
{
        say(why, "IDE check failed: %s", hw_ide_fail_name(why_fail));
        if (trace_on(e->tr, HW_IDE_TRACE_FAIL))
                trace_emit(e->tr, HW_IDE_TRACE_FAIL, "end=%s sid=%u why=%s ss=%s t=%u", end_of(e), e->cfg.stream_id,
                           fail_token(why_fail), hw_ide_sub_stream_name(hw_tlp_sub_stream(t->kind)),
                           (unsigned)(t->ide.present && t->ide.t));
        e->last_fail = why_fail;
        e->stats.check_failures++;
        if (why_fail == HW_IDE_FAIL_MAC)
                e->stats.mac_failures++;
        wipe_all(e);
        go_insecure(e, why_fail);
        return HW_IDE_CHECK_FAILED;
}

/* The IDE checks and the MAC of an IDE TLP; plain receives the payload. */
static enum hw_ide_status rx_open(struct hw_ide *e, const uint8_t *wire, const struct hw_tlp *t, uint8_t *plain,
                                  char *why)
{
        const struct hw_tlp_ide *p = &t->ide;
        size_t hdr = hw_tlp_hdr_len(t), plen = hw_tlp_has_data(t->kind) ? t->len : 0;
        uint8_t nonce[AEAD_NONCE_LEN];

        if (e->state != HW_IDE_SECURE)
                return fail(e, t, HW_IDE_FAIL_NOT_SECURE, why);
        if (p->stream_id != e->cfg.stream_id)
                return fail(e, t, HW_IDE_FAIL_STREAM_ID, why);
        if (!p->m)
                return fail(e, t, HW_IDE_FAIL_NO_MAC, why);
        struct slot *s = &e->slot[p->sub_stream][HW_IDE_RX][p->k ? 1 : 0];
        if (s->state != HW_IDE_SLOT_GO)
                return fail(e, t, HW_IDE_FAIL_KEY_SET, why);
        if (s->counter == UINT64_MAX)
                return fail(e, t, HW_IDE_FAIL_COUNTER, why);
        nonce_of(s->counter, nonce);
        if (!aead_open_short(s->aead, nonce, wire, hdr, wire + hdr, plen, t->mac, HW_TLP_MAC_LEN, plain))
                return fail(e, t, HW_IDE_FAIL_MAC, why);
        s->counter++;
        if (p->sub_stream == HW_IDE_PR)
                e->pr_received++;
        else if (p->pr_sent_counter != e->pr_received)
                return fail(e, t, HW_IDE_FAIL_PR_SENT_COUNTER, why);
        e->stats.opened++;
        e->stats.bytes_opened += plen;
        return HW_IDE_OK;
}

/* A completion must answer a read this port sent, with the same T.  facts §5 */
static enum hw_ide_status rx_completion(struct hw_ide *e, const struct hw_tlp *t, char *why)
{
        struct in_flight *r = &e->reads[t->tag];

        if (!r->valid || r->requester_id != t->requester_id) {
                e->stats.unexpected_cpl++;
                say(why, "completion for tag %u of 0x%04x: no such read in flight", (unsigned)t->tag,
                    (unsigned)t->requester_id);
                return HW_IDE_UNEXPECTED_CPL;
        }
        bool t_bit = t->ide.present && t->ide.t;
        if (r->t != t_bit)
                return fail(e, t, HW_IDE_FAIL_T_MISMATCH, why);
        /* A CplD with more bytes to come keeps the tag; the last one (Byte Count = Length)
         * and an error completion (a Cpl ends its read) free it.  PCIe 6.2 §2.3.1.1 */
        if (t->kind == HW_TLP_CPLD && t->byte_count > t->len)
                e->stats.split_cpl++;
        else
                r->valid = false;
        return HW_IDE_OK;
}

bool hw_ide_tag_in_flight(const struct hw_ide *e, uint8_t tag)
{
        return e->reads[tag].valid;
}

enum hw_ide_status hw_ide_retire_tag(struct hw_ide *e, uint8_t tag)
{
        if (!e->reads[tag].valid)
                return HW_IDE_BAD_ARG;
        e->reads[tag] = (struct in_flight){ .valid = false };
        e->stats.cpl_timeouts++;
        return HW_IDE_OK;
}

static enum hw_ide_status rx(struct hw_ide *e, const uint8_t *wire, size_t len, struct hw_tlp *out, uint8_t *plain,
                             size_t cap, char *why)
{
        enum hw_ide_status st;

        if (!hw_tlp_decode(wire, len, out, why)) {
                e->stats.malformed++;
                return HW_IDE_BAD_TLP;
        }
        size_t plen = hw_tlp_has_data(out->kind) ? out->len : 0;
        if (plen > cap) {
                say(why, "%zu bytes of room for a %zu-byte payload", cap, plen);
                return HW_IDE_NO_ROOM;
        }
        if (out->ide.present) {
                if ((st = rx_open(e, wire, out, plain, why)) != HW_IDE_OK)
                        return st;
        } else {
                if (plen)
                        memcpy(plain, out->data, plen);
                e->stats.clear_rx++;
        }
        if (out->kind == HW_TLP_CPL || out->kind == HW_TLP_CPLD)
                if ((st = rx_completion(e, out, why)) != HW_IDE_OK)
                        return st;
        out->data = plen ? plain : NULL;
        out->mac = NULL;
        return HW_IDE_OK;
}

enum hw_ide_status hw_ide_rx(struct hw_ide *e, const uint8_t *wire, size_t len, struct hw_tlp *out, uint8_t *plain,
                             size_t cap, char *why)
{
        enum hw_ide_status st = rx(e, wire, len, out, plain, cap, why);

        if (st != HW_IDE_OK) {
                memset(out, 0, sizeof(*out));
                if (plain && cap)
                        secure_zero(plain, cap);
        }
        return st;
}
