/* The device's IDE_KM responder.  PCIe 6.0 §6.33.3; facts §4, §5 */
#include "device/ide_km_responder.h"

#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "lib/crypto.h"

/* IDE Capability: Selective IDE, IDE_KM, algorithm 0, one Selective stream.  facts §5 */
#define IDE_CAP_VALUE (IDE_KM_CAP_SELECTIVE | 0x40u)
/* Selective IDE Stream Control bits the host may write: Enable, TC, Default Stream,
 * Stream ID (aggregation, PCRC, partial header encryption, config requests and TEE-limited
 * are not supported, algorithm 0 only).  facts §5 */
#define SEL_CTL_WRITABLE 0xFF780001u
#define RID1_WRITABLE 0x00FFFF00u
#define RID2_WRITABLE 0xFFFFFF01u
#define IFV_REQUIRED 1u /* facts §4: the invocation field starts at 1 */
#define KS_COUNT 2u
#define DIR_COUNT 2u

struct ide_km_responder {
        struct ide_km_responder_cfg cfg;
        struct ide_km_port_ops ops;
        bool have_ops;
        uint32_t regs[IDE_KM_RSP_REGS];
        struct ide_km_slot slot[IDE_KM_SUB_STREAMS][DIR_COUNT][KS_COUNT];
        bool secure;
        bool pinned;
        uint32_t pin_session;
        struct ide_km_responder_stats stats;
};

static struct ide_km_slot *slot_of(struct ide_km_responder *r, const struct ide_km_key_id *id)
{
        return &r->slot[id->sub_stream][id->dir][id->key_set];
}

/* ---- key slots and the stream's state ---- */

static void slot_drop(struct ide_km_responder *r, enum ide_km_sub_stream ss, enum ide_km_dir dir,
                      enum ide_km_key_set ks)
{
        struct ide_km_slot *s = &r->slot[ss][dir][ks];
        /* Dropping cannot be refused: an engine that says no is still told, and the slot goes. */
        if (s->programmed && r->have_ops && r->ops.stop)
                (void)r->ops.stop(r->ops.ctx, ide_km_responder_stream_id(r), ss, dir, ks);
        secure_zero(s, sizeof(*s));
}

/* Secure: every sub-stream and direction has an active key set.  facts §5 */
static bool all_active(const struct ide_km_responder *r)
{
        for (unsigned ss = 0; ss < IDE_KM_SUB_STREAMS; ss++)
                for (unsigned d = 0; d < DIR_COUNT; d++)
                        if (!r->slot[ss][d][IDE_KM_K0].active && !r->slot[ss][d][IDE_KM_K1].active)
                                return false;
        return true;
}

static void status_update(struct ide_km_responder *r, const char *why)
{
        bool was = r->secure;
        r->secure = all_active(r);
        r->regs[IDE_KM_RSP_REG_SEL_STATUS] = r->secure ? IDE_KM_STATUS_SECURE : IDE_KM_STATUS_INSECURE;
        if (was && !r->secure) {
                r->stats.insecure_events++;
                if (r->cfg.on_insecure)
                        r->cfg.on_insecure(r->cfg.insecure_ctx, why);
        }
}

static void drop_where(struct ide_km_responder *r, bool all, uint32_t session_id, const char *why)
{
        for (unsigned ss = 0; ss < IDE_KM_SUB_STREAMS; ss++)
                for (unsigned d = 0; d < DIR_COUNT; d++)
                        for (unsigned k = 0; k < KS_COUNT; k++) {
                                const struct ide_km_slot *s = &r->slot[ss][d][k];
                                if (s->programmed && (all || s->session_id == session_id))
                                        slot_drop(r, (enum ide_km_sub_stream)ss, (enum ide_km_dir)d,
                                                  (enum ide_km_key_set)k);
                        }
        status_update(r, why);
}

/* ---- the objects ---- */

static bool port_ok(uint8_t port_index)
{
        return port_index <= IDE_KM_RSP_MAX_PORT_INDEX;
}

static bool pin_ok(const struct ide_km_responder *r, uint32_t session_id)
{
        return !r->pinned || r->pin_session == session_id;
}

static bool on_query(struct ide_km_responder *r, const uint8_t *req, size_t len, uint8_t *rsp, size_t cap,
                     size_t *rsp_len)
{
        struct ide_km_query q;
        uint8_t image[4 * IDE_KM_RSP_REGS];
        if (!ide_km_query_decode(req, len, &q, NULL) || !port_ok(q.port_index))
                return false;
        for (unsigned i = 0; i < IDE_KM_RSP_REGS; i++)
                st_le32(image + 4 * i, r->regs[i]);
        struct ide_km_query_resp m = { .port_index = q.port_index,
                                       .dev_func = (uint8_t)(r->cfg.bdf & 0xFFu),
                                       .bus = (uint8_t)(r->cfg.bdf >> 8),
                                       .segment = r->cfg.segment,
                                       .max_port_index = IDE_KM_RSP_MAX_PORT_INDEX,
                                       .regs = image,
                                       .reg_dw = IDE_KM_RSP_REGS };
        if (!ide_km_query_resp_encode(rsp, cap, &m, rsp_len))
                return false;
        r->stats.queries++;
        return true;
}

/* Hands a decoded KEY_PROG's key to the engine or the slot; the status to acknowledge. */
static enum ide_km_kp_status key_prog_commit(struct ide_km_responder *r, uint32_t session_id,
                                             const struct ide_km_key_prog *m)
{
        struct ide_km_slot *s = slot_of(r, &m->id);
        uint8_t key[IDE_KM_KEY_SIZE];
        bool ok = true;

        ide_km_key_prog_key(m, key);
        if (r->have_ops && r->ops.key_prog)
                ok = r->ops.key_prog(r->ops.ctx, m->id.stream_id, m->id.sub_stream, m->id.dir, m->id.key_set, key,
                                     m->ifv);
        if (ok) {
                secure_zero(s, sizeof(*s));
                s->programmed = true;
                s->session_id = session_id;
                s->ifv = m->ifv;
                if (!r->have_ops) {
                        memcpy(s->key, key, sizeof(key));
                        s->key_held = true;
                }
        }
        secure_zero(key, sizeof(key));
        return ok ? IDE_KM_KP_SUCCESS : IDE_KM_KP_UNSPECIFIED_FAILURE;
}

/* The checks in KP_ACK status order: length, port, values, then ccada's policy. */
static enum ide_km_kp_status key_prog_status(struct ide_km_responder *r, uint32_t session_id, const uint8_t *req,
                                             size_t len)
{
        struct ide_km_key_prog m;
        if (len != IDE_KM_KEY_PROG_SIZE)
                return IDE_KM_KP_INCORRECT_LENGTH;
        if (!port_ok(req[7]))
                return IDE_KM_KP_UNSUPPORTED_PORT_INDEX;
        /* the decoder refuses a reserved sub-stream; the Stream ID must be the one
         * Selective Control holds; the IFV must be the required initial value */
        if (!ide_km_key_prog_decode(req, len, &m, NULL) || m.id.stream_id != ide_km_responder_stream_id(r) ||
            m.ifv != IFV_REQUIRED)
                return IDE_KM_KP_UNSUPPORTED_VALUE;
        if (slot_of(r, &m.id)->active || !pin_ok(r, session_id))
                return IDE_KM_KP_UNSPECIFIED_FAILURE;
        return key_prog_commit(r, session_id, &m);
}

static bool on_key_prog(struct ide_km_responder *r, uint32_t session_id, const uint8_t *req, size_t len,
                        uint8_t *rsp, size_t cap, size_t *rsp_len)
{
        if (len < IDE_KM_KP_ACK_SIZE)
                return false; /* too short to name the key an acknowledgement would echo */
        struct ide_km_kp_ack ack = { .id = { .stream_id = req[4], .port_index = req[7] } };
        if (cap < IDE_KM_KP_ACK_SIZE)
                return false;
        ack.status = key_prog_status(r, session_id, req, len);
        r->stats.key_progs++;
        if (ack.status != IDE_KM_KP_SUCCESS)
                r->stats.kp_failures++;
        r->stats.last_kp_status = (uint8_t)ack.status;
        if (!ide_km_kp_ack_encode(rsp, cap, &ack, rsp_len))
                return false;
        /* The acknowledgement echoes KeySubStream as it came (a reserved sub-stream
         * included, which the encoder would not write). */
        rsp[6] = req[6];
        return true;
}

/* K_SET_GO / K_SET_STOP: the key identity, checked; false to refuse. */
static bool k_set_check(const struct ide_km_responder *r, uint8_t object, uint32_t session_id, const uint8_t *req,
                        size_t len, struct ide_km_k_set *m)
{
        return ide_km_k_set_decode(object, req, len, m, NULL) && port_ok(m->id.port_index) &&
               m->id.stream_id == ide_km_responder_stream_id(r) && pin_ok(r, session_id);
}

static bool on_k_set(struct ide_km_responder *r, uint8_t object, uint32_t session_id, const uint8_t *req, size_t len,
                     uint8_t *rsp, size_t cap, size_t *rsp_len)
{
        struct ide_km_k_set m;
        if (cap < IDE_KM_K_SET_SIZE || !k_set_check(r, object, session_id, req, len, &m))
                return false;
        struct ide_km_slot *s = slot_of(r, &m.id);
        if (object == IDE_KM_K_SET_GO) {
                if (!s->programmed)
                        return false; /* no key to go with */
                if (r->have_ops && r->ops.go &&
                    !r->ops.go(r->ops.ctx, m.id.stream_id, m.id.sub_stream, m.id.dir, m.id.key_set))
                        return false;
                r->slot[m.id.sub_stream][m.id.dir][!m.id.key_set].active = false;
                s->active = true;
                s->go_session_id = session_id;
                r->stats.gos++;
                status_update(r, "K_SET_GO switched key sets");
        } else {
                slot_drop(r, m.id.sub_stream, m.id.dir, m.id.key_set);
                r->stats.stops++;
                status_update(r, "K_SET_STOP stopped an active key set");
        }
        return ide_km_k_set_encode(IDE_KM_K_GOSTOP_ACK, rsp, cap, &m, rsp_len);
}

bool ide_km_responder_handle(struct ide_km_responder *r, bool secured, uint32_t session_id, const uint8_t *req,
                             size_t len, uint8_t *rsp, size_t cap, size_t *rsp_len)
{
        uint8_t object;
        bool ok = false;

        *rsp_len = 0;
        r->stats.requests++;
        /* facts §4: IDE_KM travels only in a secured session */
        if (secured && ide_km_object_id(req, len, &object, NULL)) {
                switch (object) {
                case IDE_KM_QUERY:
                        ok = on_query(r, req, len, rsp, cap, rsp_len);
                        break;
                case IDE_KM_KEY_PROG:
                        ok = on_key_prog(r, session_id, req, len, rsp, cap, rsp_len);
                        break;
                case IDE_KM_K_SET_GO:
                case IDE_KM_K_SET_STOP:
                        ok = on_k_set(r, object, session_id, req, len, rsp, cap, rsp_len);
                        break;
                default: /* responses and unknown objects */
                        break;
                }
        }
        if (!ok) {
                *rsp_len = 0;
                r->stats.refused++;
        }
        return ok;
}

/* ---- registers ---- */

uint32_t ide_km_responder_reg_read(const struct ide_km_responder *r, unsigned i)
{
        return i < IDE_KM_RSP_REGS ? r->regs[i] : 0;
}

static uint32_t be_mask(uint8_t be)
{
        uint32_t m = 0;
        for (unsigned b = 0; b < 4; b++)
                if (be & (1u << b))
                        m |= 0xFFu << (8 * b);
        return m;
}

void ide_km_responder_reg_write(struct ide_km_responder *r, unsigned i, uint32_t val, uint8_t be)
{
        uint32_t writable;
        switch (i) {
        case IDE_KM_RSP_REG_SEL_CTL:
                writable = SEL_CTL_WRITABLE;
                break;
        case IDE_KM_RSP_REG_RID1:
                writable = RID1_WRITABLE;
                break;
        case IDE_KM_RSP_REG_RID2:
                writable = RID2_WRITABLE;
                break;
        default:
                return; /* capabilities, control (nothing supported to enable) and status */
        }
        uint32_t m = writable & be_mask(be), next = (r->regs[i] & ~m) | (val & m);
        /* keys belong to a Stream ID: a new one drops them (told to the engine under the old) */
        if (i == IDE_KM_RSP_REG_SEL_CTL &&
            (uint8_t)(next >> IDE_KM_SEL_CTL_STREAM_ID_SHIFT) != ide_km_responder_stream_id(r))
                drop_where(r, true, 0, "the Stream ID changed: its keys are gone");
        r->regs[i] = next;
}

uint8_t ide_km_responder_stream_id(const struct ide_km_responder *r)
{
        return (uint8_t)(r->regs[IDE_KM_RSP_REG_SEL_CTL] >> IDE_KM_SEL_CTL_STREAM_ID_SHIFT);
}

bool ide_km_responder_secure(const struct ide_km_responder *r)
{
        return r->secure;
}

bool ide_km_responder_keyed_on(const struct ide_km_responder *r, uint8_t stream_id, uint32_t session_id)
{
        if (!r->secure || stream_id != ide_km_responder_stream_id(r))
                return false;
        for (unsigned ss = 0; ss < IDE_KM_SUB_STREAMS; ss++)
                for (unsigned d = 0; d < DIR_COUNT; d++)
                        for (unsigned k = 0; k < KS_COUNT; k++) {
                                const struct ide_km_slot *s = &r->slot[ss][d][k];
                                if (s->active && (s->session_id != session_id || s->go_session_id != session_id))
                                        return false;
                        }
        return true;
}

const struct ide_km_slot *ide_km_responder_slot(const struct ide_km_responder *r, enum ide_km_sub_stream ss,
                                                enum ide_km_dir dir, enum ide_km_key_set ks)
{
        if ((unsigned)ss >= IDE_KM_SUB_STREAMS || (unsigned)dir >= DIR_COUNT || (unsigned)ks >= KS_COUNT)
                return NULL;
        return &r->slot[ss][dir][ks];
}

/* ---- events ---- */

void ide_km_responder_pin(struct ide_km_responder *r, bool pinned, uint32_t session_id)
{
        r->pinned = pinned;
        r->pin_session = pinned ? session_id : 0;
}

void ide_km_responder_session_ended(struct ide_km_responder *r, uint32_t session_id)
{
        drop_where(r, false, session_id, "the SPDM session that programmed the keys ended");
}

void ide_km_responder_fail(struct ide_km_responder *r, const char *why)
{
        drop_where(r, true, 0, why ? why : "IDE check failed");
}

/* ---- life cycle ---- */

bool ide_km_responder_new(struct ide_km_responder **out, const struct ide_km_responder_cfg *cfg)
{
        struct ide_km_responder *r = calloc(1, sizeof(*r));
        *out = NULL;
        if (!r)
                return false;
        r->cfg = *cfg;
        r->regs[0] = IDE_CAP_VALUE;
        *out = r;
        return true;
}

void ide_km_responder_set_ops(struct ide_km_responder *r, const struct ide_km_port_ops *ops)
{
        r->have_ops = ops != NULL;
        if (ops)
                r->ops = *ops;
        else
                memset(&r->ops, 0, sizeof(r->ops));
}

void ide_km_responder_free(struct ide_km_responder *r)
{
        if (!r)
                return;
        secure_zero(r, sizeof(*r));
        free(r);
}

const struct ide_km_responder_stats *ide_km_responder_stats(const struct ide_km_responder *r)
{
        return &r->stats;
}
