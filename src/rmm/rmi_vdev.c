/* RMI_VDEV_*: a Realm's view of one TDISP interface (TDI) of a PDEV (RMM 2.0-beta device
 * assignment as TF-RMM main realises it; facts/spdm-tdisp-ide.md §6, §7).
 *
 * A VDEV lives in a delegated granule owned by its Realm. Each command that needs the
 * device starts a TDISP operation in the PDEV's secured session; the host then drives it
 * with RMI_VDEV_COMMUNICATE (one VENDOR_DEFINED exchange per call, relayed like any other)
 * until the RMM asks for nothing more:
 *
 *   CREATE             NEW      GET_TDISP_VERSION (1.0), GET_TDISP_CAPABILITIES   -> UNLOCKED
 *   LOCK               UNLOCKED GET_DEVICE_INTERFACE_STATE (CONFIG_UNLOCKED),
 *                               LOCK_INTERFACE_REQUEST (flags: the supported ones but
 *                               LOCK_MSIX, as TF-RMM; default stream 0; offset 0): the RMM
 *                               keeps the START_INTERFACE_NONCE                -> LOCKED
 *   GET_INTERFACE_REPORT LOCKED, STARTED: GET_DEVICE_INTERFACE_REPORT in portions; the host
 *                               caches each portion (plaintext, written by the RMM into its
 *                               response buffer); the RMM hashes and keeps the report's
 *                               MMIO ranges; report_nonce moves on
 *   GET_MEASUREMENTS   LOCKED, STARTED: SPDM GET_MEASUREMENTS (all blocks, signed, the
 *                               host's nonce) in the session; the host caches the
 *                               measurement record (plaintext); the RMM hashes it (the VDEV's
 *                               meas_digest) and meas_nonce moves on. A device ERROR, or an
 *                               answer that does not decode: ERROR (the session lives on)
 *   START              LOCKED   START_INTERFACE_REQUEST(nonce)                 -> STARTED
 *   UNLOCK             any but NEW: STOP_INTERFACE_REQUEST                     -> UNLOCKED
 *   DESTROY            NEW, UNLOCKED, ERROR, and no RMI_RTT_DEV_MAP mapping made for it
 *                               left (rmi_dev_mem.c): the granule is DELEGATED again
 * A TDISP_ERROR, an answer that does not decode or does not answer the request, or a
 * broken session moves the VDEV to ERROR (the PDEV to ERROR too when the session broke).
 * lock_nonce / report_nonce / meas_nonce count the LOCKs, reports and measurements fetched: a Realm that saw them
 * can tell (RSI_VDEV_GET_INFO, next increment) whether anything changed since it verified. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/spdm.h"
#include "proto/tdisp.h"
#include "rmm/da.h"
#include "rmm/rmm_internal.h"
#include "rmm/tsm.h"

#define REPORT_MAX 4096u
#define PORTION_MAX 1024u       /* LENGTH asked per GET_DEVICE_INTERFACE_REPORT */
#define VDEV_MAX_RANGES 16u

enum vop { VOP_NONE, VOP_INIT, VOP_LOCK, VOP_REPORT, VOP_START, VOP_STOP, VOP_MEAS };

struct rmm_vdev {
        struct da_op op;
        uint64_t pa;
        struct realm *realm;
        struct rmm_pdev *pd;
        unsigned state;                 /* RMI_VDEV_STATE_* */
        struct rmi_vdev_params p;
        enum vop vop;
        unsigned step;
        bool op_ok;
        struct tdisp_capabilities caps;
        uint8_t nonce[TDISP_NONCE_SIZE];
        bool have_nonce;
        uint64_t lock_nonce, report_nonce;
        uint8_t report[REPORT_MAX];
        struct tdi_report_asm a;
        struct tdisp_get_report last_get;
        size_t report_len;
        uint8_t report_digest[HASH_MAX_LEN];
        bool have_report;
        struct tdi_mmio_range ranges[VDEV_MAX_RANGES];
        unsigned nranges;
        /* RMI_VDEV_GET_MEASUREMENTS: the host's nonce and raw flag for the request, the digest
         * of the record being fetched, and the last one fetched whole */
        uint8_t meas_req_nonce[SPDM_NONCE_SIZE];
        bool meas_raw;
        uint8_t meas_pending[HASH_MAX_LEN], meas_digest[HASH_MAX_LEN];
        bool have_meas;
        uint64_t meas_nonce;
};

static void vdev_state(struct rmm_vdev *v, unsigned to)
{
        struct ccada_rmm *rmm = v->pd->rmm;
        if (v->state != to && trace_on(rmm->tr_da, DA_TRACE_VDEV_STATE))
                trace_emit(rmm->tr_da, DA_TRACE_VDEV_STATE, "vdev=0x%llx tdi=0x%04llx from=%s to=%s%s%.160s",
                           (unsigned long long)v->pa, (unsigned long long)v->p.tdi_id, rmi_vdev_state_name(v->state),
                           rmi_vdev_state_name(to), to == RMI_VDEV_STATE_ERROR && v->op.why[0] ? " why=" : "",
                           to == RMI_VDEV_STATE_ERROR ? v->op.why : "");
        v->state = to;
}

/* tdisp_request / tdisp_response: a TDISP message of this VDEV's, by name. */
static void tdisp_trace(struct rmm_vdev *v, bool request, const uint8_t *msg, size_t n)
{
        struct ccada_rmm *rmm = v->pd->rmm;
        unsigned ev = request ? DA_TRACE_TDISP_REQUEST : DA_TRACE_TDISP_RESPONSE;
        if (!trace_on(rmm->tr_da, ev) || n < TDISP_MSG_HEADER_SIZE || v->vop == VOP_MEAS)
                return;
        char extra[64] = "";
        struct tdisp_error e;
        if (msg[2] == TDISP_ERROR && tdisp_error_decode(msg, n, &e, NULL))
                snprintf(extra, sizeof(extra), " %s", tdisp_error_name(e.error_code));
        trace_emit(rmm->tr_da, ev, "tdi=0x%04llx code=0x%02x %s%s len=%zu", (unsigned long long)v->p.tdi_id,
                   msg[2], tdisp_code_name(msg[2]), extra, n);
}

static struct rmm_vdev *vdev_of(struct da_op *op)
{
        return (struct rmm_vdev *)(void *)((char *)op - offsetof(struct rmm_vdev, op));
}

static enum da_step vfail(struct rmm_vdev *v, const char *what, const char *detail)
{
        snprintf(v->op.why, sizeof(v->op.why), "%s%s%s", what, detail && detail[0] ? " " : "", detail ? detail : "");
        return DA_FAILED;
}

/* A TDISP_ERROR answer, named. */
static enum da_step tdisp_refused(struct rmm_vdev *v, const uint8_t *rsp, size_t n, const char *req)
{
        struct tdisp_error e;
        char text[96];
        if (n >= 2 && rsp[1 + 1] == TDISP_ERROR && tdisp_error_decode(rsp, n, &e, NULL)) {
                snprintf(text, sizeof(text), "%s answered TDISP_ERROR %s", req, tdisp_error_name(e.error_code));
                return vfail(v, text, "");
        }
        snprintf(text, sizeof(text), "%s: the answer does not decode as its response", req);
        return vfail(v, text, "");
}

static bool ours(const struct rmm_vdev *v, uint32_t function_id)
{
        return function_id == v->p.tdi_id;
}

/* The answer to GET_MEASUREMENTS (the requester checked its signature when it decodes): the
 * measurement record cached for the host, its digest kept until the operation ends. */
static enum da_step meas_answer(struct rmm_vdev *v, const uint8_t *rsp, size_t n)
{
        const struct spdm_sizes *sz = spdm_requester_sizes(v->pd->req);
        struct spdm_measurements m;
        struct spdm_error e;
        size_t used;
        char why[SPDM_WHY_LEN] = "", text[96];
        if (n >= 2 && rsp[1] == SPDM_ERROR) {
                if (!spdm_error_decode(rsp, n, sz, &e, &used, why))
                        return vfail(v, "GET_MEASUREMENTS: an ERROR that does not decode:", why);
                snprintf(text, sizeof(text), "GET_MEASUREMENTS answered ERROR %s (0x%02x)", spdm_error_name(e.code),
                         e.code);
                return vfail(v, text, "");
        }
        if (!spdm_measurements_decode(rsp, n, sz, true, &m, &used, why))
                return vfail(v, "GET_MEASUREMENTS: the answer does not decode as MEASUREMENTS:", why);
        if (m.num_blocks == 0 || !m.record)
                return vfail(v, "GET_MEASUREMENTS: MEASUREMENTS with no blocks", "");
        if (!hash_once(v->pd->hash, m.record, m.record_len, v->meas_pending))
                return vfail(v, "GET_MEASUREMENTS: hashing the record failed", "");
        v->op.cache = true;
        v->op.cache_obj = RMI_DEV_OBJ_MEASUREMENTS;
        v->op.cache_off = (size_t)(m.record - rsp);
        v->op.cache_len = m.record_len;
        return DA_DONE;
}

static enum da_step vdev_step(struct da_op *op, struct rmm_pdev *pd, const uint8_t *rsp, size_t n, uint8_t *req,
                              size_t cap, size_t *len)
{
        struct rmm_vdev *v = vdev_of(op);
        uint32_t fid = (uint32_t)v->p.tdi_id;
        char why[TDISP_WHY_LEN] = "";
        /* 1. the answer to the last request */
        if (rsp)
                tdisp_trace(v, false, rsp, n);
        if (rsp) {
                switch (v->vop) {
                case VOP_INIT:
                        if (v->step == 0) {
                                struct tdisp_version tv;
                                bool has10 = false;
                                if (!tdisp_version_decode(rsp, n, &tv, why) || !ours(v, tv.function_id))
                                        return tdisp_refused(v, rsp, n, "GET_TDISP_VERSION");
                                for (unsigned i = 0; i < tv.version_count; i++)
                                        has10 |= tv.versions[i] == 0x10;
                                if (!has10)
                                        return vfail(v, "the device does not speak TDISP 1.0", "");
                        } else {
                                if (!tdisp_capabilities_decode(rsp, n, &v->caps, why) ||
                                    !ours(v, v->caps.function_id))
                                        return tdisp_refused(v, rsp, n, "GET_TDISP_CAPABILITIES");
                                return DA_DONE;
                        }
                        break;
                case VOP_LOCK:
                        if (v->step == 0) {
                                struct tdisp_interface_state st;
                                if (!tdisp_device_interface_state_decode(rsp, n, &st, why) ||
                                    !ours(v, st.function_id))
                                        return tdisp_refused(v, rsp, n, "GET_DEVICE_INTERFACE_STATE");
                                if (st.tdi_state != TDISP_STATE_CONFIG_UNLOCKED)
                                        return vfail(v, "the TDI is not CONFIG_UNLOCKED but",
                                                     tdisp_state_name(st.tdi_state));
                        } else {
                                struct tdisp_nonce_msg m;
                                if (!tdisp_lock_interface_response_decode(rsp, n, &m, why) ||
                                    !ours(v, m.function_id))
                                        return tdisp_refused(v, rsp, n, "LOCK_INTERFACE_REQUEST");
                                memcpy(v->nonce, m.nonce, sizeof(v->nonce));
                                v->have_nonce = true;
                                return DA_DONE;
                        }
                        break;
                case VOP_REPORT: {
                        struct tdisp_report_portion rp;
                        if (!tdisp_device_interface_report_decode(rsp, n, &rp, why))
                                return tdisp_refused(v, rsp, n, "GET_DEVICE_INTERFACE_REPORT");
                        if (!tdi_report_asm_add(&v->a, &v->last_get, &rp, why))
                                return vfail(v, "DEVICE_INTERFACE_REPORT", why);
                        /* the host keeps this portion: the plaintext bytes, not the record */
                        v->op.cache = true;
                        v->op.cache_obj = RMI_DEV_OBJ_INTERFACE_REPORT;
                        v->op.cache_off = (size_t)(rp.portion - rsp);
                        v->op.cache_len = rp.portion_length;
                        if (tdi_report_asm_done(&v->a))
                                return DA_DONE;
                        break;
                }
                case VOP_START: {
                        struct tdisp_bare b;
                        if (!tdisp_start_interface_response_decode(rsp, n, &b, why) || !ours(v, b.function_id))
                                return tdisp_refused(v, rsp, n, "START_INTERFACE_REQUEST");
                        return DA_DONE;
                }
                case VOP_STOP: {
                        struct tdisp_bare b;
                        if (!tdisp_stop_interface_response_decode(rsp, n, &b, why) || !ours(v, b.function_id))
                                return tdisp_refused(v, rsp, n, "STOP_INTERFACE_REQUEST");
                        return DA_DONE;
                }
                case VOP_MEAS:
                        return meas_answer(v, rsp, n);
                case VOP_NONE:
                        return DA_FAILED;
                }
                v->step++;
        }
        /* 2. the next request */
        bool built = false;
        switch (v->vop) {
        case VOP_INIT:
                if (v->step == 0) {
                        struct tdisp_bare b = { .function_id = fid };
                        built = tdisp_get_version_encode(req, cap, &b, len);
                } else {
                        struct tdisp_get_capabilities g = { .function_id = fid };
                        built = tdisp_get_capabilities_encode(req, cap, &g, len);
                }
                break;
        case VOP_LOCK:
                if (v->step == 0) {
                        struct tdisp_bare b = { .function_id = fid };
                        built = tdisp_get_device_interface_state_encode(req, cap, &b, len);
                } else {
                        struct tdisp_lock_interface_request l = {
                                .function_id = fid,
                                .flags = (uint16_t)(v->caps.lock_flags_supported & ~TDISP_LOCK_LOCK_MSIX &
                                                    ~TDISP_LOCK_RESERVED & ~TDISP_LOCK_ALL_REQUEST_REDIRECT &
                                                    ~(1u << 3)),
                                .default_stream_id = 0,
                        };
                        built = tdisp_lock_interface_request_encode(req, cap, &l, len);
                }
                break;
        case VOP_REPORT:
                v->last_get = (struct tdisp_get_report){ .function_id = fid, .offset = tdi_report_asm_next(&v->a),
                                                         .length = PORTION_MAX };
                built = tdisp_get_device_interface_report_encode(req, cap, &v->last_get, len);
                break;
        case VOP_START: {
                struct tdisp_nonce_msg m = { .function_id = fid };
                memcpy(m.nonce, v->nonce, sizeof(m.nonce));
                built = tdisp_start_interface_request_encode(req, cap, &m, len);
                secure_zero(&m, sizeof(m));
                break;
        }
        case VOP_STOP: {
                struct tdisp_bare b = { .function_id = fid };
                built = tdisp_stop_interface_request_encode(req, cap, &b, len);
                break;
        }
        case VOP_MEAS: {
                struct spdm_get_measurements g = {
                        .attributes = (uint8_t)(SPDM_MEAS_ATTR_SIG_REQUESTED |
                                                (v->meas_raw ? SPDM_MEAS_ATTR_RAW_BIT_STREAM : 0u)),
                        .operation = SPDM_MEAS_OP_ALL, .nonce = v->meas_req_nonce, .slot_id = 0 };
                v->op.spdm = true;
                if (!spdm_get_measurements_encode(req, cap, &g, spdm_requester_sizes(pd->req), len))
                        return vfail(v, "encoding GET_MEASUREMENTS failed", "");
                return DA_SEND;
        }
        case VOP_NONE:
                return DA_FAILED;
        }
        if (built)
                tdisp_trace(v, true, req, *len);
        return built ? DA_SEND : vfail(v, "encoding a TDISP request failed", "");
}

/* The report is whole: its digest, and its MMIO ranges checked and kept. */
static bool report_done(struct rmm_vdev *v)
{
        struct tdi_report r;
        char why[TDISP_WHY_LEN];
        v->report_len = v->a.have;
        if (!tdi_report_decode(v->report, v->report_len, &r, v->ranges, VDEV_MAX_RANGES, why) ||
            !hash_once(v->pd->hash, v->report, v->report_len, v->report_digest))
                return false;
        v->nranges = r.range_count;
        v->have_report = true;
        v->report_nonce++;
        return true;
}

static void vdev_finish_state(struct rmm_vdev *v, bool ok);

/* The TDI's DMA runs only while its VDEV is STARTED (rsi_vdev.c gives it a REALM STE). */
static void vdev_finish(struct da_op *op, struct rmm_pdev *pd, bool ok)
{
        struct rmm_vdev *v = vdev_of(op);
        vdev_finish_state(v, ok);
        if (v->state != RMI_VDEV_STATE_STARTED)
                da_vdev_dma_off(pd->rmm, v->p.tdi_id);
}

static void vdev_finish_state(struct rmm_vdev *v, bool ok)
{
        enum vop was = v->vop;
        v->vop = VOP_NONE;
        v->op_ok = ok;
        if (!ok) {
                vdev_state(v, RMI_VDEV_STATE_ERROR);
                secure_zero(v->nonce, sizeof(v->nonce));
                v->have_nonce = false;
                return;
        }
        switch (was) {
        case VOP_INIT: vdev_state(v, RMI_VDEV_STATE_UNLOCKED); break;
        case VOP_LOCK: vdev_state(v, RMI_VDEV_STATE_LOCKED); v->lock_nonce++; break;
        case VOP_REPORT:
                if (!report_done(v))
                        vdev_state(v, RMI_VDEV_STATE_ERROR);
                break;
        case VOP_START:
                vdev_state(v, RMI_VDEV_STATE_STARTED);
                secure_zero(v->nonce, sizeof(v->nonce)); /* used up (TDISP §11.2) */
                v->have_nonce = false;
                break;
        case VOP_STOP:
                vdev_state(v, RMI_VDEV_STATE_UNLOCKED);
                v->have_report = false;
                break;
        case VOP_MEAS:
                memcpy(v->meas_digest, v->meas_pending, sizeof(v->meas_digest));
                v->have_meas = true;
                v->meas_nonce++;
                break;
        case VOP_NONE: break;
        }
}

static bool begin(struct rmm_vdev *v, enum vop kind)
{
        v->vop = kind;
        v->step = 0;
        v->op.why[0] = '\0';
        if (kind == VOP_REPORT)
                tdi_report_asm_init(&v->a, v->report, sizeof(v->report));
        if (!da_op_start(v->pd, &v->op)) {
                v->vop = VOP_NONE;
                return false;
        }
        return true;
}

/* ---- argument checks shared by the commands: rd, pdev, vdev ---- */

static struct rmm_vdev *vdev_args(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        r->x[0] = RMI_ERROR_INPUT;
        struct realm *realm = rd_lookup(rmm, a->x[1]);
        struct rmm_pdev *pd = da_pdev_lookup(rmm, a->x[2]);
        struct granule *g = granule_find(rmm, a->x[3], GRANULE_VDEV);
        if (!realm || !pd || !g || g->u.vdev->realm != realm || g->u.vdev->pd != pd)
                return NULL;
        return g->u.vdev;
}

static bool vdev_id_in_use(struct ccada_rmm *rmm, const struct realm *realm, uint64_t id, uint64_t tdi)
{
        for (uint64_t i = 0; i < rmm->ngranules; i++) {
                const struct granule *g = &rmm->granules[i];
                if (g->state == GRANULE_VDEV &&
                    ((g->u.vdev->realm == realm && g->u.vdev->p.vdev_id == id) || g->u.vdev->p.tdi_id == tdi))
                        return true;
        }
        return false;
}

void rmi_vdev_create(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        uint8_t page[RMI_VDEV_PARAMS_SIZE];
        struct rmi_vdev_params p;
        r->x[0] = RMI_ERROR_INPUT;
        struct realm *realm = rd_lookup(rmm, a->x[1]);
        struct rmm_pdev *pd = da_pdev_lookup(rmm, a->x[2]);
        struct granule *g = granule_find(rmm, a->x[3], GRANULE_DELEGATED);
        if (!realm || !pd || !g || !rmm_copy_in_ns(rmm, a->x[4], page, sizeof(page)))
                return;
        rmi_vdev_params_decode(page, &p);
        /* flags: no vSMMU here; the TDI must be a function of the PDEV's requester ID range */
        if (p.flags || p.tdi_id > 0xFFFFu || p.tdi_id < pd->p.rid_base || p.tdi_id >= pd->p.rid_top ||
            p.num_addr_range > RMI_VDEV_MAX_RANGES || vdev_id_in_use(rmm, realm, p.vdev_id, p.tdi_id))
                return;
        for (uint64_t i = 0; i < p.num_addr_range; i++)
                if (p.range[i].base >= p.range[i].top || (p.range[i].base | p.range[i].top) & GRANULE_MASK)
                        return;
        if (pd->state != RMI_PDEV_STATE_READY || !pd->req || pd->op) {
                r->x[0] = RMI_ERROR_DEVICE;
                return;
        }
        struct rmm_vdev *v = calloc(1, sizeof(*v));
        if (!v)
                return;
        v->pa = a->x[3];
        v->realm = realm;
        v->pd = pd;
        v->p = p;
        v->state = RMI_VDEV_STATE_NEW;
        v->op.step = vdev_step;
        v->op.finish = vdev_finish;
        if (!begin(v, VOP_INIT)) {
                free(v);
                r->x[0] = RMI_ERROR_DEVICE;
                return;
        }
        realm->num_vdevs++;
        granule_take(rmm, g, GRANULE_VDEV, realm, v);
        r->x[0] = RMI_SUCCESS;
}

void rmi_vdev_communicate(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        struct rmm_vdev *v = vdev_args(rmm, a, r);
        if (!v)
                return;
        if (v->vop == VOP_NONE || v->pd->op != &v->op) {
                r->x[0] = RMI_ERROR_DEVICE;     /* nothing of this VDEV's is running */
                return;
        }
        r->x[0] = da_communicate(rmm, v->pd, a->x[4]);
}

void rmi_vdev_get_state(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        struct rmm_vdev *v = vdev_args(rmm, a, r);
        if (!v)
                return;
        r->x[0] = RMI_SUCCESS;
        r->x[1] = v->state;
}

/* Starts kind when the VDEV is in one of the states of mask (bit per state). */
static void command(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r, enum vop kind,
                    unsigned mask)
{
        struct rmm_vdev *v = vdev_args(rmm, a, r);
        if (!v)
                return;
        if (!(mask >> v->state & 1) || v->vop != VOP_NONE || !begin(v, kind)) {
                r->x[0] = RMI_ERROR_DEVICE;
                return;
        }
        r->x[0] = RMI_SUCCESS;
}

#define BIT(s) (1u << (s))

void rmi_vdev_lock(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        /* TDISP: the default stream's keys must be set on the locking session (the device
         * checks); the RMM insists its stream is up first */
        if (!rmm_stream_secure(rmm)) {
                r->x[0] = rd_lookup(rmm, a->x[1]) ? RMI_ERROR_DEVICE : RMI_ERROR_INPUT;
                return;
        }
        command(rmm, a, r, VOP_LOCK, BIT(RMI_VDEV_STATE_UNLOCKED));
}

void rmi_vdev_get_interface_report(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        command(rmm, a, r, VOP_REPORT, BIT(RMI_VDEV_STATE_LOCKED) | BIT(RMI_VDEV_STATE_STARTED));
}

/* x1 rd, x2 pdev, x3 vdev, x4 the NS RmiVdevMeasureParams: flags (bit 0: raw bit stream
 * asked; passed on as GET_MEASUREMENTS RawBitStreamRequested; ccada-dev answers digests all
 * the same) and the nonce the signed request carries. Read once, whole. */
void rmi_vdev_get_measurements(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        uint8_t page[RMI_VDEV_MEASURE_PARAMS_SIZE];
        struct rmi_vdev_measure_params p;
        struct rmm_vdev *v = vdev_args(rmm, a, r);
        if (!v || !rmm_copy_in_ns(rmm, a->x[4], page, sizeof(page)))
                return;
        rmi_vdev_measure_params_decode(page, &p);
        secure_zero(page, sizeof(page));
        if (p.flags & ~RMI_VDEV_MEASURE_FLAGS_RAW)
                return;
        r->x[0] = RMI_ERROR_DEVICE;
        if ((v->state != RMI_VDEV_STATE_LOCKED && v->state != RMI_VDEV_STATE_STARTED) || v->vop != VOP_NONE ||
            v->pd->op)
                return;
        memcpy(v->meas_req_nonce, p.nonce, sizeof(v->meas_req_nonce));
        v->meas_raw = p.flags & RMI_VDEV_MEASURE_FLAGS_RAW;
        if (!begin(v, VOP_MEAS))
                return;
        r->x[0] = RMI_SUCCESS;
}

void rmi_vdev_start(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        struct rmm_vdev *v = vdev_args(rmm, a, r);
        if (v && !v->have_report) {     /* the Realm can only have checked a report it got */
                r->x[0] = RMI_ERROR_DEVICE;
                return;
        }
        command(rmm, a, r, VOP_START, BIT(RMI_VDEV_STATE_LOCKED));
}

void rmi_vdev_unlock(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        command(rmm, a, r, VOP_STOP,
                BIT(RMI_VDEV_STATE_LOCKED) | BIT(RMI_VDEV_STATE_STARTED) | BIT(RMI_VDEV_STATE_ERROR));
        if (r->x[0] == RMI_SUCCESS)     /* DMA stops before the TDI is told to stop */
                da_vdev_dma_off(rmm, granule_at(rmm, a->x[3])->u.vdev->p.tdi_id);
}

void rmi_vdev_abort(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        struct rmm_vdev *v = vdev_args(rmm, a, r);
        if (!v)
                return;
        if (v->vop != VOP_NONE && v->pd->op == &v->op) {
                /* the PDEV's ABORT: mid-exchange the session has a hole (PDEV ERROR) */
                struct smc_regs pa = { .x = { RMI_PDEV_ABORT, v->pd->pa } }, pr = { 0 };
                rmi_pdev_abort(rmm, &pa, &pr);
        }
        r->x[0] = RMI_SUCCESS;
}

void rmi_vdev_destroy(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        struct rmm_vdev *v = vdev_args(rmm, a, r);
        if (!v)
                return;
        /* ... nor while the Realm's stage 2 maps its device memory (RMI_RTT_DEV_MAP): the host
         * unmaps first (RMI_RTT_DEV_UNMAP), so every device-memory mapping has a VDEV */
        if (v->vop != VOP_NONE ||
            !(v->state == RMI_VDEV_STATE_NEW || v->state == RMI_VDEV_STATE_UNLOCKED ||
              v->state == RMI_VDEV_STATE_ERROR) || dev_mem_vdev_mapped(rmm, v->pa)) {
                r->x[0] = RMI_ERROR_DEVICE;
                return;
        }
        struct granule *g = granule_at(rmm, v->pa);
        da_vdev_dma_off(rmm, v->p.tdi_id);
        v->realm->num_vdevs--;
        secure_zero(v, sizeof(*v));
        free(v);
        granule_give_back(rmm, g, GRANULE_VDEV);
        r->x[0] = RMI_SUCCESS;
}

bool rmm_pdev_has_vdevs(struct ccada_rmm *rmm, const struct rmm_pdev *pd)
{
        for (uint64_t i = 0; i < rmm->ngranules; i++)
                if (rmm->granules[i].state == GRANULE_VDEV && rmm->granules[i].u.vdev->pd == pd)
                        return true;
        return false;
}

void rmm_vdev_free_all(struct ccada_rmm *rmm)
{
        for (uint64_t i = 0; i < rmm->ngranules; i++)
                if (rmm->granules[i].state == GRANULE_VDEV) {
                        secure_zero(rmm->granules[i].u.vdev, sizeof(struct rmm_vdev));
                        free(rmm->granules[i].u.vdev);
                }
}

bool rmm_vdev_info(struct ccada_rmm *rmm, uint64_t vdev_pa, struct rmm_vdev_info *out)
{
        struct granule *g = granule_find(rmm, vdev_pa, GRANULE_VDEV);
        memset(out, 0, sizeof(*out));
        if (!g)
                return false;
        const struct rmm_vdev *v = g->u.vdev;
        out->state = v->state;
        out->lock_nonce = v->lock_nonce;
        out->report_nonce = v->report_nonce;
        out->meas_nonce = v->meas_nonce;
        out->have_report = v->have_report;
        out->have_meas = v->have_meas;
        memcpy(out->meas_digest, v->meas_digest, sizeof(out->meas_digest));
        out->report_len = v->report_len;
        out->nranges = v->nranges;
        memcpy(out->report_digest, v->report_digest, sizeof(out->report_digest));
        snprintf(out->why, sizeof(out->why), "%s", v->op.why);
        return true;
}

/* ---- for the Realm's RSI calls (rsi_vdev.c) ---- */

struct rmm_vdev *da_vdev_lookup(struct ccada_rmm *rmm, uint64_t pa)
{
        struct granule *g = granule_find(rmm, pa, GRANULE_VDEV);
        return g ? g->u.vdev : NULL;
}

bool da_vdev_range_covers(const struct rmm_vdev *v, uint64_t base, uint64_t top)
{
        for (uint64_t i = 0; i < v->p.num_addr_range && i < RMI_VDEV_MAX_RANGES; i++)
                if (base >= v->p.range[i].base && top <= v->p.range[i].top && base < top)
                        return true;
        return false;
}

void da_vdev_view(const struct rmm_vdev *v, struct da_vdev_view *out)
{
        *out = (struct da_vdev_view){
                .realm = v->realm,
                .pd = v->pd,
                .state = v->state,
                .busy = v->vop != VOP_NONE,
                .vdev_id = v->p.vdev_id,
                .tdi_id = v->p.tdi_id,
                .lock_nonce = v->lock_nonce,
                .report_nonce = v->report_nonce,
                .meas_nonce = v->meas_nonce,
                .have_report = v->have_report,
                .have_meas = v->have_meas,
                .report_digest = v->report_digest,
                .meas_digest = v->meas_digest,
        };
}
