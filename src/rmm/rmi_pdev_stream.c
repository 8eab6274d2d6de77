/* RMI_PDEV_STREAM_CONNECT / COMPLETE / DISCONNECT: a selective IDE stream between a Root
 * Port and an endpoint, keyed by the RMM (RMM 2.0-bet1 as TF-RMM main and the Linux
 * arm-cca-host patches use it: CONNECT(params) gives a handle, the host runs COMMUNICATE
 * until the operation is done, COMPLETE(pdev1, pdev2, handle) confirms it; facts §4, §7).
 *
 * The keys never leave the RMM but to the two IDE engines: the endpoint's through IDE_KM
 * KEY_PROG inside the PDEV's SPDM session (the host relays sealed records), the Root
 * Port's through the platform (TF-RMM: an EL3 service; here the board hands the RMM its
 * Root Port's engine, rmm_platform_root_port). The order is the PCIe one TF-RMM follows:
 *   QUERY                                  the endpoint has a selective stream
 *   KEY_PROG x6 (PR, NPR, CPL x Rx, Tx)    K0, IFV 1; each KP_ACK must be SUCCESS
 *   Root Port keys                         its Tx = the endpoint's Rx, and the reverse
 *   K_SET_GO Rx x3, Root Port Rx go        each K_GOSTOP_ACK must echo the request
 *   K_SET_GO Tx x3, Root Port Tx go        -> both ends Secure
 * Every key is drawn from the RMM's DRBG and wiped from the RMM as soon as both engines
 * hold it. Anything unexpected fails the operation; COMPLETE then says ERROR_DEVICE.
 *
 * Simplifications (docs/specs.md): one stream per RMM, key set K0 only (no refresh), no
 * address association ranges, stream type NCOH only, the Root Port's part done inside the
 * endpoint's COMMUNICATE (so RMI_DEV_COMM_EXIT_STREAM_WAIT is never needed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/ide.h"
#include "lib/drbg.h"
#include "proto/ide_km.h"
#include "rmm/da.h"
#include "rmm/rmm_internal.h"
#include "rmm/tsm.h"

enum stream_phase { PH_QUERY, PH_KEY_PROG, PH_GO_RX, PH_GO_TX, PH_STOP, PH_DONE };

struct rmm_stream {
        struct da_op op;
        uint64_t handle;
        struct rmm_pdev *rp, *ep;
        uint8_t sid;
        enum stream_phase phase;
        unsigned i;                     /* index within the phase */
        bool ok, done, connected;
        /* [sub-stream][endpoint direction]: the endpoint's Rx key is the Root Port's Tx key */
        uint8_t key[IDE_KM_SUB_STREAMS][2][IDE_KM_KEY_SIZE];
};

static void stream_trace(const struct ccada_rmm *rmm, const struct rmm_stream *s, const char *what)
{
        if (trace_on(rmm->tr_da, DA_TRACE_IDE_STREAM))
                trace_emit(rmm->tr_da, DA_TRACE_IDE_STREAM, "sid=%u rp=0x%04x ep=0x%04llx %s", s->sid, rmm->rp_rid,
                           (unsigned long long)s->ep->p.routing_id, what);
}

static void wipe_keys(struct rmm_stream *s)
{
        secure_zero(s->key, sizeof(s->key));
}

static struct rmm_stream *stream_of(struct da_op *op)
{
        return (struct rmm_stream *)(void *)((char *)op - offsetof(struct rmm_stream, op));
}

static enum da_step fail(struct rmm_stream *s, const char *what, const char *detail)
{
        snprintf(s->op.why, sizeof(s->op.why), "%s%s%s", what, detail[0] ? ": " : "", detail);
        wipe_keys(s);
        return DA_FAILED;
}

static struct ide_km_key_id key_id(const struct rmm_stream *s, unsigned ss, unsigned dir)
{
        return (struct ide_km_key_id){ .stream_id = s->sid, .key_set = IDE_KM_K0, .dir = (enum ide_km_dir)dir,
                                       .sub_stream = (enum ide_km_sub_stream)ss, .port_index = 0 };
}

static bool same_id(const struct ide_km_key_id *a, const struct ide_km_key_id *b)
{
        return a->stream_id == b->stream_id && a->key_set == b->key_set && a->dir == b->dir &&
               a->sub_stream == b->sub_stream && a->port_index == b->port_index;
}

/* The Root Port's engine gets the partner keys and goes: Rx or Tx for all sub-streams. */
static bool rp_program(struct ccada_rmm *rmm, struct rmm_stream *s)
{
        struct hw_ide *rp = rmm->rp_ide;
        for (unsigned ss = 0; ss < IDE_KM_SUB_STREAMS; ss++) {
                /* the Root Port receives what the endpoint sends: its Rx key = the endpoint's Tx */
                if (hw_ide_key_prog(rp, (enum hw_ide_sub_stream)ss, HW_IDE_RX, HW_IDE_K0, s->key[ss][IDE_KM_TX],
                                    HW_IDE_IFV_INITIAL) != HW_IDE_OK ||
                    hw_ide_key_prog(rp, (enum hw_ide_sub_stream)ss, HW_IDE_TX, HW_IDE_K0, s->key[ss][IDE_KM_RX],
                                    HW_IDE_IFV_INITIAL) != HW_IDE_OK)
                        return false;
        }
        return true;
}

static bool rp_go(struct ccada_rmm *rmm, enum hw_ide_dir dir)
{
        for (unsigned ss = 0; ss < IDE_KM_SUB_STREAMS; ss++)
                if (hw_ide_key_go(rmm->rp_ide, (enum hw_ide_sub_stream)ss, dir, HW_IDE_K0) != HW_IDE_OK)
                        return false;
        return true;
}

static void rp_stop(struct ccada_rmm *rmm)
{
        for (unsigned ss = 0; ss < IDE_KM_SUB_STREAMS; ss++)
                for (unsigned d = 0; d < 2; d++)
                        if (hw_ide_key_stop(rmm->rp_ide, (enum hw_ide_sub_stream)ss, (enum hw_ide_dir)d,
                                            HW_IDE_K0) != HW_IDE_OK)
                                continue; /* a slot already empty: nothing to stop */
}

/* The endpoint's K_SET request (GO or STOP) number i of its phase. */
static bool k_set(struct rmm_stream *s, uint8_t object, unsigned ss, unsigned dir, uint8_t *req, size_t cap,
                  size_t *len)
{
        struct ide_km_k_set k = { .id = key_id(s, ss, dir) };
        return ide_km_k_set_encode(object, req, cap, &k, len);
}

static bool ack_matches(struct rmm_stream *s, const uint8_t *rsp, size_t n, unsigned ss, unsigned dir)
{
        struct ide_km_k_set a;
        struct ide_km_key_id want = key_id(s, ss, dir);
        return ide_km_k_set_decode(IDE_KM_K_GOSTOP_ACK, rsp, n, &a, NULL) && same_id(&a.id, &want);
}

static enum da_step stream_step(struct da_op *op, struct rmm_pdev *pd, const uint8_t *rsp, size_t n, uint8_t *req,
                                size_t cap, size_t *len)
{
        struct rmm_stream *s = stream_of(op);
        struct ccada_rmm *rmm = pd->rmm;
        char why[IDE_KM_WHY_LEN] = "";
        /* 1. judge the answer to the last request */
        if (rsp) {
                unsigned ss = s->i / 2, dir = s->i % 2;
                switch (s->phase) {
                case PH_QUERY: {
                        struct ide_km_query_resp q;
                        if (!ide_km_query_resp_decode(rsp, n, &q, why))
                                return fail(s, "QUERY_RESP", why);
                        if (!(q.ide_cap & IDE_KM_CAP_SELECTIVE) || q.sel_streams == 0)
                                return fail(s, "QUERY_RESP: the endpoint has no selective IDE stream", "");
                        s->phase = PH_KEY_PROG;
                        s->i = 0;
                        break;
                }
                case PH_KEY_PROG: {
                        struct ide_km_kp_ack a;
                        struct ide_km_key_id want = key_id(s, ss, dir);
                        if (!ide_km_kp_ack_decode(rsp, n, &a, why))
                                return fail(s, "KP_ACK", why);
                        if (!same_id(&a.id, &want) || a.status != IDE_KM_KP_SUCCESS)
                                return fail(s, "KP_ACK", ide_km_kp_status_name(a.status));
                        if (++s->i == 2 * IDE_KM_SUB_STREAMS) {
                                if (!rp_program(rmm, s))
                                        return fail(s, "the Root Port's IDE engine refused a key", "");
                                stream_trace(rmm, s, "keys programmed: 3 sub-streams x Rx, Tx at both ends (K0)");
                                s->phase = PH_GO_RX;
                                s->i = 0;
                        }
                        break;
                }
                case PH_GO_RX:
                case PH_GO_TX:
                case PH_STOP: {
                        unsigned kss = s->phase == PH_STOP ? s->i / 2 : s->i;
                        unsigned kdir = s->phase == PH_STOP ? s->i % 2 : s->phase == PH_GO_RX ? IDE_KM_RX : IDE_KM_TX;
                        if (!ack_matches(s, rsp, n, kss, kdir))
                                return fail(s, "K_GOSTOP_ACK: not the key set the request named", "");
                        s->i++;
                        if (s->phase == PH_GO_RX && s->i == IDE_KM_SUB_STREAMS) {
                                if (!rp_go(rmm, HW_IDE_RX))
                                        return fail(s, "the Root Port's Rx keys would not go", "");
                                s->phase = PH_GO_TX;
                                s->i = 0;
                        } else if (s->phase == PH_GO_TX && s->i == IDE_KM_SUB_STREAMS) {
                                if (!rp_go(rmm, HW_IDE_TX))
                                        return fail(s, "the Root Port's Tx keys would not go", "");
                                wipe_keys(s);
                                s->phase = PH_DONE;
                                if (hw_ide_state(rmm->rp_ide) != HW_IDE_SECURE)
                                        return fail(s, "the Root Port's stream is not Secure", "");
                                stream_trace(rmm, s, "Secure");
                                return DA_DONE;
                        } else if (s->phase == PH_STOP && s->i == 2 * IDE_KM_SUB_STREAMS) {
                                s->phase = PH_DONE;
                                return DA_DONE;
                        }
                        break;
                }
                case PH_DONE:
                        return DA_DONE;
                }
        }
        /* 2. the next request */
        unsigned ss = s->i / 2, dir = s->i % 2;
        bool built = false;
        switch (s->phase) {
        case PH_QUERY: {
                struct ide_km_query q = { .port_index = 0 };
                built = ide_km_query_encode(req, cap, &q, len);
                break;
        }
        case PH_KEY_PROG: {
                struct ide_km_key_prog k = { .id = key_id(s, ss, dir), .ifv = HW_IDE_IFV_INITIAL };
                built = ide_km_key_prog_encode(req, cap, &k, s->key[ss][dir], len);
                break;
        }
        case PH_GO_RX: built = k_set(s, IDE_KM_K_SET_GO, s->i, IDE_KM_RX, req, cap, len); break;
        case PH_GO_TX: built = k_set(s, IDE_KM_K_SET_GO, s->i, IDE_KM_TX, req, cap, len); break;
        case PH_STOP: built = k_set(s, IDE_KM_K_SET_STOP, ss, dir, req, cap, len); break;
        case PH_DONE: return DA_DONE;
        }
        return built ? DA_SEND : fail(s, "encoding an IDE_KM request failed", "");
}

static void stream_finish(struct da_op *op, struct rmm_pdev *pd, bool ok)
{
        struct rmm_stream *s = stream_of(op);
        if (!ok && trace_on(pd->rmm->tr_da, DA_TRACE_IDE_STREAM))
                trace_emit(pd->rmm->tr_da, DA_TRACE_IDE_STREAM, "sid=%u failed: %.160s", s->sid,
                           op->why[0] ? op->why : "the session broke");
        else if (s->phase == PH_DONE && s->connected)
                stream_trace(pd->rmm, s, "stopped at both ends");
        s->done = true;
        s->ok = ok;
        wipe_keys(s);
}

/* ---- RMI ---- */

static bool stream_type_supported(uint64_t t)
{
        return t == RMI_STREAM_TYPE_NCOH;
}

void rmi_pdev_stream_connect(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        uint8_t page[RMI_STREAM_PARAMS_SIZE];
        struct rmi_stream_params p;
        r->x[0] = RMI_ERROR_INPUT;
        if (!rmm_copy_in_ns(rmm, a->x[1], page, sizeof(page)))
                return;
        rmi_stream_params_decode(page, &p);
        struct rmm_pdev *rp = da_pdev_lookup(rmm, p.pdev_1), *ep = da_pdev_lookup(rmm, p.pdev_2);
        struct hw_ide_regs regs;
        if (!rp || !ep || rp->req || !ep->req || p.flags || !stream_type_supported(p.stream_type) ||
            p.ide_sid > 0xFF || p.num_ranges)
                return;
        if (!rmm->rp_ide || rp->p.routing_id != rmm->rp_rid) {
                r->x[0] = RMI_ERROR_DEVICE;     /* no Root Port engine the RMM can key */
                return;
        }
        hw_ide_regs(rmm->rp_ide, &regs);
        if (regs.sel_ctl >> 24 != p.ide_sid || rmm->stream || rp->state != RMI_PDEV_STATE_READY ||
            ep->state != RMI_PDEV_STATE_READY || ep->op) {
                r->x[0] = RMI_ERROR_DEVICE;
                return;
        }
        struct rmm_stream *s = calloc(1, sizeof(*s));
        if (!s)
                return;
        s->rp = rp;
        s->ep = ep;
        s->sid = (uint8_t)p.ide_sid;
        s->handle = 1;
        s->op.step = stream_step;
        s->op.finish = stream_finish;
        if (!drbg_bytes(rmm_tsm_drbg(rmm), (uint8_t *)s->key, sizeof(s->key)) || !da_op_start(ep, &s->op)) {
                wipe_keys(s);
                free(s);
                return;
        }
        rmm->stream = s;
        r->x[0] = RMI_SUCCESS;
        r->x[1] = s->handle;
}

static struct rmm_stream *stream_args(struct ccada_rmm *rmm, const struct smc_regs *a)
{
        struct rmm_stream *s = rmm->stream;
        struct rmm_pdev *p1 = da_pdev_lookup(rmm, a->x[1]), *p2 = da_pdev_lookup(rmm, a->x[2]);
        if (!s || a->x[3] != s->handle || !p1 || !p2)
                return NULL;
        /* either order: TF-RMM's harness names the endpoint first, Linux the Root Port */
        if (!((p1 == s->rp && p2 == s->ep) || (p1 == s->ep && p2 == s->rp)))
                return NULL;
        return s;
}

void rmi_pdev_stream_complete(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        struct rmm_stream *s = stream_args(rmm, a);
        if (!s) {
                r->x[0] = RMI_ERROR_INPUT;
                return;
        }
        if (!s->done || !s->ok) {
                r->x[0] = RMI_ERROR_DEVICE;     /* still running, or it failed */
                return;
        }
        if (s->phase == PH_DONE && !s->connected && hw_ide_state(rmm->rp_ide) == HW_IDE_SECURE) {
                s->connected = true;
        } else if (s->connected) {              /* a DISCONNECT finished */
                rmm->stream = NULL;
                free(s);
        }
        r->x[0] = RMI_SUCCESS;
}

void rmi_pdev_stream_disconnect(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        struct rmm_stream *s = stream_args(rmm, a);
        if (!s) {
                r->x[0] = RMI_ERROR_INPUT;
                return;
        }
        if (!s->connected || !s->done) {
                r->x[0] = RMI_ERROR_DEVICE;
                return;
        }
        rp_stop(rmm);
        s->phase = PH_STOP;
        s->i = 0;
        s->done = s->ok = false;
        if (s->ep->state != RMI_PDEV_STATE_READY || !da_op_start(s->ep, &s->op)) {
                /* the endpoint cannot be told (its session is gone): the stream is down anyway */
                rmm->stream = NULL;
                free(s);
        }
        r->x[0] = RMI_SUCCESS;
}

bool rmm_stream_uses(const struct ccada_rmm *rmm, const struct rmm_pdev *pd)
{
        return rmm->stream && (rmm->stream->rp == pd || rmm->stream->ep == pd);
}

bool rmm_stream_secure(const struct ccada_rmm *rmm)
{
        return rmm->stream && rmm->stream->connected && rmm->rp_ide && hw_ide_state(rmm->rp_ide) == HW_IDE_SECURE;
}

void rmm_stream_free(struct ccada_rmm *rmm)
{
        if (rmm->stream) {
                wipe_keys(rmm->stream);
                free(rmm->stream);
                rmm->stream = NULL;
        }
}

void rmm_platform_root_port(struct ccada_rmm *rmm, uint16_t rid, struct hw_ide *ide)
{
        rmm->rp_rid = rid;
        rmm->rp_ide = ide;
}
