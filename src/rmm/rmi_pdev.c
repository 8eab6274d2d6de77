/* RMI_PDEV_*: the RMM's physical-device objects (RMM 2.0-beta device assignment as TF-RMM
 * main realises it; facts/spdm-tdisp-ide.md §7.1, §7.3; docs/specs.md "Device assignment").
 *
 * A PDEV lives in a delegated granule the host gives to RMI_PDEV_CREATE. Its conversation
 * with the device is the RMM's SPDM requester (rmm/spdm_requester.h), driven one message per
 * RMI_PDEV_COMMUNICATE: the RMM writes the request into the host's request buffer and asks it
 * (RmiDevCommData Exit, REQ_SEND) to send it to the device's DOE mailbox; the host puts the
 * answer in its response buffer and calls again (Enter, RESPONSE). Everything in those NS
 * pages is the host's, hence hostile: each is copied in once and then only the copy is read.
 *
 * States (RmiPdevState):
 *   NEW        --COMMUNICATE...--> NEEDS_KEY  VCA, DIGESTS, CERTIFICATE (the host caches the
 *                                             VCA and the chain, REQ_CACHE/RSP_CACHE)
 *   NEEDS_KEY  --SET_PUBKEY-----> HAS_KEY     the leaf's public key, which the host took from
 *                                             its cached chain (the RMM parses no X.509)
 *   HAS_KEY    --COMMUNICATE...--> READY      CHALLENGE, MEASUREMENTS (cached), KEY_EXCHANGE,
 *                                             FINISH: a secured session, confirmed by one
 *                                             HEARTBEAT (ccada's; TF-RMM is READY at FINISH)
 *   any        --STOP-----------> STOPPED     after END_SESSION when a session is open
 *   STOPPED    --DESTROY--------> (granule DELEGATED again)
 * Any failure of the conversation (a named requester error, a transport ERROR from the
 * host, an ABORT with a request outstanding) moves the PDEV to ERROR for good; STOP then
 * DESTROY is the way out. A Root Port (category 0) speaks no SPDM: its first COMMUNICATE
 * makes it READY.
 *
 * Where ccada goes beyond TF-RMM: a platform may provision the RMM with a vendor root
 * (rmm_tsm_provision); then the RMM also checks the chain against it and insists that the
 * key given to SET_PUBKEY is the leaf's. Without one it behaves as TF-RMM: the chain is the
 * Realm's to check against the digests the RMM reports. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "lib/crypto.h"
#include "lib/ec.h"
#include "proto/rmi_da.h"
#include "proto/spdm.h"
#include "rmm/da.h"
#include "rmm/rmm_internal.h"
#include "rmm/spdm_requester.h"
#include "rmm/tsm.h"

bool da_enabled(const struct ccada_rmm *rmm)
{
        return rmm->cfg.da;
}

struct rmm_pdev *da_pdev_lookup(struct ccada_rmm *rmm, uint64_t pa)
{
        struct granule *g = granule_find(rmm, pa, GRANULE_PDEV);
        return g ? g->u.pdev : NULL;
}

static void pdev_free(struct rmm_pdev *pd)
{
        if (!pd)
                return;
        spdm_requester_free(pd->req);
        uint8_t scrap[HASH_MAX_LEN];
        if (pd->vca_h)
                (void)hash_end(pd->vca_h, scrap);
        if (pd->cert_h)
                (void)hash_end(pd->cert_h, scrap);
        secure_zero(pd, sizeof(*pd));
        free(pd);
}

void rmm_pdev_free_all(struct ccada_rmm *rmm)
{
        for (uint64_t i = 0; i < rmm->ngranules; i++)
                if (rmm->granules[i].state == GRANULE_PDEV)
                        pdev_free(rmm->granules[i].u.pdev);
}

uint64_t rmm_feature_da(const struct ccada_rmm *rmm)
{
        return da_enabled(rmm) ? RMI_FEATURE_REGISTER_0_DA : 0;
}

/* ---- RMI_PDEV_CREATE ---- */

static bool params_hash(unsigned algo, enum hash_alg *h)
{
        switch (algo) {
        case RMI_HASH_SHA_256: *h = HASH_SHA256; return true;
        case RMI_HASH_SHA_384: *h = HASH_SHA384; return true;
        case RMI_HASH_SHA_512: *h = HASH_SHA512; return true;
        default: return false;
        }
}

static bool pdev_id_in_use(struct ccada_rmm *rmm, uint64_t id)
{
        for (uint64_t i = 0; i < rmm->ngranules; i++)
                if (rmm->granules[i].state == GRANULE_PDEV && rmm->granules[i].u.pdev->p.pdev_id == id)
                        return true;
        return false;
}

static unsigned category(const struct rmi_pdev_params *p)
{
        return (unsigned)(p->flags >> RMI_PDEV_FLAGS_CATEGORY_SHIFT) & 3u;
}

static bool params_valid(struct ccada_rmm *rmm, const struct rmi_pdev_params *p, enum hash_alg *h)
{
        const uint64_t known = RMI_PDEV_FLAGS_SPDM | (3ull << RMI_PDEV_FLAGS_CATEGORY_SHIFT);
        unsigned cat = category(p);
        bool spdm = p->flags & RMI_PDEV_FLAGS_SPDM;
        if (p->flags & ~known || cat > RMI_PDEV_CATEGORY_ON_CHIP)
                return false;
        /* an endpoint must speak SPDM (it is attested); a Root Port does not */
        if (cat == RMI_PDEV_CATEGORY_ROOT_PORT ? spdm : !spdm)
                return false;
        if (p->rid_base >= p->rid_top || p->rid_top > 0x10000u || p->routing_id > 0xFFFFu)
                return false;
        return params_hash(p->hash_algo, h) && !pdev_id_in_use(rmm, p->pdev_id);
}

void rmi_pdev_create(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        uint64_t pdev_pa = a->x[1], params_pa = a->x[2];
        uint8_t page[RMI_PDEV_PARAMS_SIZE];
        struct rmi_pdev_params p;
        enum hash_alg h;

        r->x[0] = RMI_ERROR_INPUT;
        if (!rmm_copy_in_ns(rmm, params_pa, page, sizeof(page)))
                return;
        rmi_pdev_params_decode(page, &p);
        if (!params_valid(rmm, &p, &h))
                return;
        struct granule *g = granule_find(rmm, pdev_pa, GRANULE_DELEGATED);
        if (!g)
                return;
        struct rmm_pdev *pd = calloc(1, sizeof(*pd));
        if (!pd)
                return;
        pd->rmm = rmm;
        pd->pa = pdev_pa;
        pd->p = p;
        pd->hash = h;
        da_pdev_state(pd, RMI_PDEV_STATE_NEW);
        if (p.flags & RMI_PDEV_FLAGS_SPDM) {
                struct spdm_requester_cfg rc;
                if (!rmm_tsm_requester_cfg(rmm, &rc)) {
                        pdev_free(pd);
                        return;
                }
                rc.wait_for_pubkey = true;
                rc.data_transfer_size = PDEV_DTS;
                if (!spdm_requester_new(&pd->req, &rc) || !hash_begin(&pd->vca_h, h) || !hash_begin(&pd->cert_h, h)) {
                        pdev_free(pd);
                        return;
                }
                pd->cert_first = true;
        }
        granule_take(rmm, g, GRANULE_PDEV, NULL, pd);
        r->x[0] = RMI_SUCCESS;
}

/* ---- RMI_PDEV_COMMUNICATE ---- */

static void op_end(struct rmm_pdev *pd, bool ok);

void da_pdev_state(struct rmm_pdev *pd, unsigned to)
{
        if (pd->state == to)
                return;
        if (trace_on(pd->rmm->tr_da, DA_TRACE_PDEV_STATE)) {
                const char *why = "";
                if (to == RMI_PDEV_STATE_ERROR && pd->req)
                        (void)spdm_requester_error(pd->req, &why);
                trace_emit(pd->rmm->tr_da, DA_TRACE_PDEV_STATE, "pdev=0x%llx from=%s to=%s%s%.160s",
                           (unsigned long long)pd->pa, rmi_pdev_state_name(pd->state), rmi_pdev_state_name(to),
                           why && why[0] ? " why=" : "", why ? why : "");
        }
        pd->state = to;
}

void da_pdev_error(struct rmm_pdev *pd)
{
        op_end(pd, false);
        da_pdev_state(pd, RMI_PDEV_STATE_ERROR);
        pd->awaiting = pd->out_pending = pd->stopping = false;
}

/* The accepted response's cacheable part: RSP_CACHE of VCA (VERSION, CAPABILITIES,
 * ALGORITHMS whole), CERTIFICATE (the portion's bytes, past the SPDM chain header and
 * RootHash in the first) or MEASUREMENTS (the measurement record). The RMM hashes the same
 * bytes: those digests are what a Realm will check the host's copies against. */
static bool cache_response(struct rmm_pdev *pd, const uint8_t *msg, size_t len, struct rmi_dev_comm_exit *x)
{
        uint8_t code = len >= 2 ? msg[1] : 0;
        size_t off, n;
        switch (code) {
        case SPDM_VERSION:
        case SPDM_CAPABILITIES:
        case SPDM_ALGORITHMS:
                off = 0;
                n = spdm_requester_last_response_len(pd->req);
                x->cache_obj_id = RMI_DEV_OBJ_VCA;
                if (!hash_update(pd->vca_h, msg, n))
                        return false;
                break;
        case SPDM_CERTIFICATE: {
                size_t portion = ld_le16(msg + 4), skip = 0;
                if (pd->cert_first)     /* Length(2) Reserved(2) RootHash(H): not the certificates */
                        skip = 4 + spdm_requester_result(pd->req)->hash_len;
                if (skip > portion)
                        return false;   /* the requester accepted a chain this short: cannot be */
                pd->cert_first = false;
                off = 8 + skip;
                n = portion - skip;
                x->cache_obj_id = RMI_DEV_OBJ_CERTIFICATE;
                if (!hash_update(pd->cert_h, msg + off, n))
                        return false;
                break;
        }
        case SPDM_MEASUREMENTS:
                off = 8;
                n = (size_t)msg[5] | (size_t)msg[6] << 8 | (size_t)msg[7] << 16;
                if (off + n > len || !hash_once(pd->hash, msg + off, n, pd->meas_digest))
                        return false;
                pd->have_meas = true;
                x->cache_obj_id = RMI_DEV_OBJ_MEASUREMENTS;
                break;
        default:
                return true;
        }
        x->flags |= RMI_DEV_COMM_EXIT_RSP_CACHE;
        x->cache_rsp_offset = off;
        x->cache_rsp_len = n;
        return true;
}

/* A VCA request is cached whole (REQ_CACHE); the host appends it after the response of the
 * same exit, in the conversation's order. */
static bool cache_request(struct rmm_pdev *pd, struct rmi_dev_comm_exit *x)
{
        uint8_t code = pd->out_len >= 2 && !pd->out_secured ? pd->out[1] : 0;
        if (code != SPDM_GET_VERSION && code != SPDM_GET_CAPABILITIES && code != SPDM_NEGOTIATE_ALGORITHMS)
                return true;
        if (x->flags & RMI_DEV_COMM_EXIT_RSP_CACHE && x->cache_obj_id != RMI_DEV_OBJ_VCA)
                return false;
        x->flags |= RMI_DEV_COMM_EXIT_REQ_CACHE;
        x->cache_obj_id = RMI_DEV_OBJ_VCA;
        x->cache_req_offset = 0;
        x->cache_req_len = pd->out_len;
        return hash_update(pd->vca_h, pd->out, pd->out_len);
}

/* The requester's verdict after a step: a request to hand out, a phase finished, or failure. */
static void after_step(struct rmm_pdev *pd, enum spdm_req_status st, const struct spdm_req_out *o)
{
        if (st == SPDM_REQ_FAILED) {
                da_pdev_error(pd);
                return;
        }
        if (st == SPDM_REQ_SEND) {
                pd->out_len = o->len;
                pd->out_secured = o->secured;
                pd->out_pending = true;
                return;
        }
        pd->out_pending = false;
        if (pd->stopping) {
                pd->stopping = false;
                da_pdev_state(pd, RMI_PDEV_STATE_STOPPED);
        } else if (spdm_requester_needs_key(pd->req)) {
                pd->have_vca = hash_end(pd->vca_h, pd->vca_digest);
                pd->have_cert = hash_end(pd->cert_h, pd->cert_digest);
                pd->vca_h = pd->cert_h = NULL;
                if (!pd->have_vca || !pd->have_cert)
                        da_pdev_error(pd);
                else
                        da_pdev_state(pd, RMI_PDEV_STATE_NEEDS_KEY);
        } else if (spdm_requester_result(pd->req)->session && !pd->confirmed) {
                /* ccada: one HEARTBEAT proves the session carries records both ways before
                 * the PDEV is READY (TF-RMM goes READY at FINISH_RSP) */
                pd->confirmed = true;
                struct spdm_req_out hb = { .buf = pd->out, .cap = sizeof(pd->out) };
                after_step(pd, spdm_requester_heartbeat(pd->req, &hb), &hb);
        } else if (spdm_requester_result(pd->req)->session) {
                da_pdev_state(pd, RMI_PDEV_STATE_READY);
        } else {
                da_pdev_error(pd);
        }
}

/* Hands the pending request to the host: into its request buffer, REQ_SEND in Exit. */
static bool hand_out(struct ccada_rmm *rmm, struct rmm_pdev *pd, const struct rmi_dev_comm_enter *e,
                     struct rmi_dev_comm_exit *x)
{
        uint8_t *req;
        if (!rmm_map_ns(rmm, e->req_addr, pd->out_len, HW_ACCESS_WRITE, &req))
                return false;
        memcpy(req, pd->out, pd->out_len);
        x->flags |= RMI_DEV_COMM_EXIT_REQ_SEND;
        x->req_len = pd->out_len;
        x->protocol = pd->out_secured ? RMI_DEV_PROTOCOL_SECURE_SPDM : RMI_DEV_PROTOCOL_SPDM;
        x->timeout = 1000000;   /* us: a DOE exchange the host should give up on */
        pd->out_pending = false;
        pd->awaiting = true;
        return true;
}

static bool conversing(const struct rmm_pdev *pd)
{
        return pd->state == RMI_PDEV_STATE_NEW || pd->state == RMI_PDEV_STATE_HAS_KEY || pd->stopping ||
               (pd->state == RMI_PDEV_STATE_READY && (pd->op || !pd->req));
}

/* PCI-SIG's VENDOR_DEFINED identity: StandardID 3 (PCI-SIG), VendorID 0x0001 (DSP0274 Table
 * 57; facts §4, §6). */
static const uint8_t pcisig_vendor_id[2] = { 0x01, 0x00 };

static void op_end(struct rmm_pdev *pd, bool ok)
{
        struct da_op *op = pd->op;
        pd->op = NULL;
        if (op && op->finish)
                op->finish(op, pd, ok);
}

/* The operation's next request, or its end. */
static enum da_step op_next(struct rmm_pdev *pd, const uint8_t *rsp, size_t rsp_len)
{
        uint8_t payload[PDEV_MSG_MAX / 2];
        size_t n = 0;
        struct da_op *op = pd->op;
        op->cache = false;
        op->spdm = false;
        enum da_step st = op->step(op, pd, rsp, rsp_len, payload, sizeof(payload), &n);
        if (st == DA_DONE || st == DA_FAILED) {
                op_end(pd, st == DA_DONE);
                return st;
        }
        struct spdm_req_out o = { .buf = pd->out, .cap = sizeof(pd->out) };
        enum spdm_req_status rs =
                op->spdm ? spdm_requester_session_message(pd->req, payload, n, &o)
                         : spdm_requester_vendor_defined(pd->req, SPDM_STANDARD_ID_PCISIG, pcisig_vendor_id,
                                                         sizeof(pcisig_vendor_id), payload, n, &o);
        secure_zero(payload, sizeof(payload));  /* KEY_PROG carries keys */
        if (rs != SPDM_REQ_SEND) {
                op_end(pd, false);
                da_pdev_error(pd);
                return DA_FAILED;
        }
        pd->out_len = o.len;
        pd->out_secured = o.secured;
        pd->out_pending = true;
        return DA_SEND;
}

/* The answer to an operation's request: the VDM payload to the operation, whose step may
 * ask for part of it to be cached (written in plaintext into the host's response buffer:
 * the record it came in is sealed). */
static void op_answer(struct ccada_rmm *rmm, struct rmm_pdev *pd, enum spdm_req_status st,
                      const struct rmi_dev_comm_enter *e, struct rmi_dev_comm_exit *x)
{
        const uint8_t *payload;
        size_t n;
        struct da_op *op = pd->op;      /* still valid after it ends: its owner holds it */
        bool got = op->spdm ? spdm_requester_session_response(pd->req, &payload, &n)
                            : spdm_requester_vdm_response(pd->req, &payload, &n);
        if (st != SPDM_REQ_DONE || !got) {
                const char *why = "";
                if (st == SPDM_REQ_FAILED && !op->why[0]) {     /* the operation's reason: the session's */
                        (void)spdm_requester_error(pd->req, &why);
                        snprintf(op->why, sizeof(op->why), "the session failed: %.120s", why ? why : "");
                }
                op_end(pd, false);
                if (st == SPDM_REQ_FAILED)
                        da_pdev_error(pd);
                return;
        }
        if (op_next(pd, payload, n) == DA_FAILED || !op->cache)
                return;
        uint8_t *buf;
        if (op->cache_off > n || op->cache_len > n - op->cache_off ||
            !rmm_map_ns(rmm, e->rsp_addr, op->cache_len, HW_ACCESS_WRITE, &buf)) {
                if (pd->op == op)
                        op_end(pd, false);
                return;
        }
        memcpy(buf, payload + op->cache_off, op->cache_len);
        x->flags |= RMI_DEV_COMM_EXIT_RSP_CACHE;
        x->cache_obj_id = op->cache_obj;
        x->cache_rsp_offset = 0;
        x->cache_rsp_len = op->cache_len;
}

bool da_op_start(struct rmm_pdev *pd, struct da_op *op)
{
        if (pd->state != RMI_PDEV_STATE_READY || pd->op || pd->awaiting || pd->out_pending || !pd->req)
                return false;
        pd->op = op;
        return true;
}

uint64_t da_communicate(struct ccada_rmm *rmm, struct rmm_pdev *pd, uint64_t comm_pa)
{
        uint8_t *comm;
        struct rmi_dev_comm_enter e;
        struct rmi_dev_comm_exit x = { 0 };

        if (!rmm_map_ns(rmm, comm_pa, RMI_DEV_COMM_DATA_SIZE, HW_ACCESS_WRITE, &comm))
                return RMI_ERROR_INPUT;
        rmi_dev_comm_enter_decode(comm, &e);    /* the one read of Enter */
        if (!conversing(pd))
                return RMI_ERROR_DEVICE;
        if (!pd->req) {                 /* a Root Port: nothing to say */
                da_pdev_state(pd, RMI_PDEV_STATE_READY);
                rmi_dev_comm_exit_encode(&x, comm);
                return RMI_SUCCESS;
        }
        if (pd->awaiting) {
                if (e.status == RMI_DEV_COMM_ERROR) {   /* the host could not reach the device */
                        op_end(pd, false);
                        da_pdev_error(pd);
                        rmi_dev_comm_exit_encode(&x, comm);
                        return RMI_SUCCESS;
                }
                const uint8_t *rsp;
                if (e.status != RMI_DEV_COMM_RESPONSE || e.rsp_len > PDEV_MSG_MAX ||
                    (e.rsp_len && !rmm_map_ns(rmm, e.rsp_addr, e.rsp_len, HW_ACCESS_READ, (uint8_t **)&rsp)))
                        return RMI_ERROR_INPUT; /* nothing changed: the host may call again properly */
                size_t n = e.rsp_len;
                if (n)
                        memcpy(pd->in, rsp, n); /* copied once; only the copy is read */
                bool secured = pd->out_secured;
                pd->awaiting = false;
                struct spdm_req_out o = { .buf = pd->out, .cap = sizeof(pd->out) };
                enum spdm_req_status st = spdm_requester_step(pd->req, pd->in, n, secured, &o);
                if (pd->op) {
                        op_answer(rmm, pd, st, &e, &x);
                } else {
                        if (st != SPDM_REQ_FAILED && !secured && !cache_response(pd, pd->in, n, &x))
                                st = SPDM_REQ_FAILED;
                        after_step(pd, st, &o);
                }
        } else if (pd->state == RMI_PDEV_STATE_NEW && !pd->out_pending) {
                struct spdm_req_out o = { .buf = pd->out, .cap = sizeof(pd->out) };
                after_step(pd, spdm_requester_start(pd->req, &o), &o);
        } else if (pd->op && !pd->out_pending) {
                (void)op_next(pd, NULL, 0);
        }
        if (pd->out_pending && (!cache_request(pd, &x) || !hand_out(rmm, pd, &e, &x))) {
                op_end(pd, false);
                da_pdev_error(pd);
        }
        if (pd->state == RMI_PDEV_STATE_ERROR)
                memset(&x, 0, sizeof(x));
        rmi_dev_comm_exit_encode(&x, comm);
        return RMI_SUCCESS;
}

void rmi_pdev_communicate(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        struct rmm_pdev *pd = da_pdev_lookup(rmm, a->x[1]);
        r->x[0] = pd ? da_communicate(rmm, pd, a->x[2]) : RMI_ERROR_INPUT;
}

/* ---- the rest ---- */

void rmi_pdev_get_state(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        struct rmm_pdev *pd = da_pdev_lookup(rmm, a->x[1]);
        r->x[0] = pd ? RMI_SUCCESS : RMI_ERROR_INPUT;
        r->x[1] = pd ? pd->state : 0;
}

/* Whether the RmiSignatureAlgorithm the host names is the BaseAsymSel the device chose. */
static bool sig_algo_matches(unsigned algo, uint32_t base_asym_sel)
{
        if (algo == RMI_SIG_ECDSA_P384)
                return base_asym_sel == SPDM_ASYM_ECDSA_P384;
        if (algo == RMI_SIG_ECDSA_P256)
                return base_asym_sel == SPDM_ASYM_ECDSA_P256;
        return false;   /* RSASSA-3072: not offered by ccada's requester */
}

void rmi_pdev_set_pubkey(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        static const uint8_t no_meta[RMI_PUBKEY_MAX];
        uint8_t page[RMI_PUBKEY_PARAMS_SIZE];
        struct rmi_pubkey_params k;

        r->x[0] = RMI_ERROR_INPUT;
        struct rmm_pdev *pd = da_pdev_lookup(rmm, a->x[1]);
        if (!pd || !rmm_copy_in_ns(rmm, a->x[2], page, sizeof(page)))
                return;
        rmi_pubkey_params_decode(page, &k);
        if (pd->state != RMI_PDEV_STATE_NEEDS_KEY) {
                r->x[0] = RMI_ERROR_DEVICE;
                return;
        }
        const struct spdm_req_result *res = spdm_requester_result(pd->req);
        struct ec_key *probe = NULL;
        enum ec_curve c = k.algo == RMI_SIG_ECDSA_P256 ? EC_P256 : EC_P384;
        /* a malformed key leaves the PDEV waiting for a good one */
        if (!k.key_len || k.key_len > RMI_PUBKEY_MAX || k.metadata_len || memcmp(k.metadata, no_meta, sizeof(no_meta)) ||
            !sig_algo_matches(k.algo, res->algs.base_asym) ||
            !ec_key_from_point(&probe, c, k.key, (size_t)k.key_len))
                return;
        ec_key_free(probe);
        struct spdm_req_out o = { .buf = pd->out, .cap = sizeof(pd->out) };
        enum spdm_req_status st = spdm_requester_set_pubkey(pd->req, k.key, (size_t)k.key_len, &o);
        if (st != SPDM_REQ_SEND) {      /* not the leaf's key, where the RMM knows the leaf */
                da_pdev_error(pd);
                r->x[0] = RMI_ERROR_DEVICE;
                return;
        }
        after_step(pd, st, &o);
        /* the digest a Realm gets (RsiVdevInfo.pubkey_digest): of the key bytes as given */
        pd->have_pubkey = hash_once(pd->hash, k.key, (size_t)k.key_len, pd->pubkey_digest);
        if (!pd->have_pubkey) {
                da_pdev_error(pd);
                r->x[0] = RMI_ERROR_DEVICE;
                return;
        }
        da_pdev_state(pd, RMI_PDEV_STATE_HAS_KEY);
        r->x[0] = RMI_SUCCESS;
}

void rmi_pdev_stop(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        struct rmm_pdev *pd = da_pdev_lookup(rmm, a->x[1]);
        if (!pd) {
                r->x[0] = RMI_ERROR_INPUT;
                return;
        }
        if (pd->state == RMI_PDEV_STATE_STOPPED || pd->stopping || pd->awaiting || pd->op) {
                r->x[0] = RMI_ERROR_DEVICE;     /* stopped, stopping, or mid-exchange: ABORT first */
                return;
        }
        struct spdm_req_out o = { .buf = pd->out, .cap = sizeof(pd->out) };
        if (pd->state == RMI_PDEV_STATE_READY &&
            spdm_requester_end_session(pd->req, &o) == SPDM_REQ_SEND) {
                pd->stopping = true;    /* STOPPED once END_SESSION is answered */
                after_step(pd, SPDM_REQ_SEND, &o);
        } else {
                pd->out_pending = false;
                da_pdev_state(pd, RMI_PDEV_STATE_STOPPED);
        }
        r->x[0] = RMI_SUCCESS;
}

void rmi_pdev_abort(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        struct rmm_pdev *pd = da_pdev_lookup(rmm, a->x[1]);
        if (!pd) {
                r->x[0] = RMI_ERROR_INPUT;
                return;
        }
        /* A conversation cut mid-exchange cannot be resumed: the transcript has a hole. An
         * operation not yet started just ends. */
        if (pd->op && !pd->awaiting && !pd->out_pending)
                op_end(pd, false);
        if (pd->awaiting || pd->out_pending) {
                if (pd->stopping)
                        da_pdev_state(pd, RMI_PDEV_STATE_STOPPED);
                else
                        da_pdev_error(pd);
                pd->awaiting = pd->out_pending = pd->stopping = false;
        }
        r->x[0] = RMI_SUCCESS;
}

void rmi_pdev_destroy(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        struct granule *g = granule_find(rmm, a->x[1], GRANULE_PDEV);
        if (!g) {
                r->x[0] = RMI_ERROR_INPUT;
                return;
        }
        if (g->u.pdev->state != RMI_PDEV_STATE_STOPPED || rmm_stream_uses(rmm, g->u.pdev) ||
            rmm_pdev_has_vdevs(rmm, g->u.pdev)) {
                r->x[0] = RMI_ERROR_DEVICE;
                return;
        }
        pdev_free(g->u.pdev);
        granule_give_back(rmm, g, GRANULE_PDEV);
        r->x[0] = RMI_SUCCESS;
}

/* ---- for the board and tests: what the RMM knows of a PDEV ---- */

bool rmm_pdev_info(struct ccada_rmm *rmm, uint64_t pdev_pa, struct rmm_pdev_info *out)
{
        struct rmm_pdev *pd = da_pdev_lookup(rmm, pdev_pa);
        memset(out, 0, sizeof(*out));
        if (!pd)
                return false;
        out->state = pd->state;
        out->digest_len = hash_len(pd->hash);
        out->have_vca = pd->have_vca;
        out->have_cert = pd->have_cert;
        out->have_meas = pd->have_meas;
        memcpy(out->vca_digest, pd->vca_digest, sizeof(out->vca_digest));
        memcpy(out->cert_digest, pd->cert_digest, sizeof(out->cert_digest));
        memcpy(out->meas_digest, pd->meas_digest, sizeof(out->meas_digest));
        out->requester = pd->req;
        return true;
}
