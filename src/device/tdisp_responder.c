/* The device's TDISP 1.0 responder and its TDI state machine.  PCIe 6.2 §11; facts §6 */
#include "device/tdisp_responder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/crypto.h"
#include "proto/tdisp.h"

#define REPORT_MAX (TDI_REPORT_MIN_SIZE + TDISP_MMIO_RANGE_SIZE * TDISP_RSP_MAX_BARS + TDISP_RSP_DEVICE_INFO_MAX)
#define PAGE_SIZE (1ull << TDI_PAGE_SHIFT)
#define MIN_CAP 64u
/* LOCK flags this TDI honours: it never updates firmware, has no cache-line dependence
 * and no MSI-X (so locking it is trivially true); no P2P, no request redirection. */
#define LOCK_FLAGS_SUPPORTED (TDISP_LOCK_NO_FW_UPDATE | TDISP_LOCK_SYSTEM_CACHE_LINE_SIZE | TDISP_LOCK_LOCK_MSIX)
#define DEV_ADDR_WIDTH 48u /* the device's DMA engine forms 48-bit addresses */

struct tdisp_responder {
        struct tdisp_responder_cfg cfg;
        uint8_t device_info[TDISP_RSP_DEVICE_INFO_MAX];
        uint8_t state;                  /* TDISP_STATE_* */
        uint32_t session_id;            /* the locking session (locked states only) */
        bool nonce_valid;               /* CONFIG_LOCKED only */
        uint8_t nonce[TDISP_NONCE_SIZE];
        struct tdisp_lock_interface_request lock;
        uint8_t report[REPORT_MAX];     /* taken at LOCK */
        size_t report_len;
        char reason[TDISP_RSP_REASON_LEN];
        struct tdisp_responder_stats stats;
};

/* What a handler produced: a response in buf, or an error code (and its ERROR_DATA). */
struct answer {
        uint8_t *buf;
        size_t cap, len;
        uint32_t error, error_data;
};

static bool is_locked(uint8_t state)
{
        return state == TDISP_STATE_CONFIG_LOCKED || state == TDISP_STATE_RUN;
}

/* Back to CONFIG_UNLOCKED's contents: no nonce, session, report or pin. */
static void scrub(struct tdisp_responder *t)
{
        secure_zero(t->nonce, sizeof(t->nonce));
        secure_zero(t->report, sizeof(t->report));
        memset(&t->lock, 0, sizeof(t->lock));
        t->nonce_valid = false;
        t->session_id = 0;
        t->report_len = 0;
        ide_km_responder_pin(t->cfg.ide, false, 0);
}

static void enter_error(struct tdisp_responder *t, const char *why)
{
        if (!is_locked(t->state))
                return;
        secure_zero(t->nonce, sizeof(t->nonce)); /* facts §6.6: destroyed leaving CONFIG_LOCKED */
        t->nonce_valid = false;
        ide_km_responder_pin(t->cfg.ide, false, 0);
        t->state = TDISP_STATE_ERROR;
        t->stats.error_transitions++;
        (void)snprintf(t->reason, sizeof(t->reason), "%s", why ? why : "unspecified");
}

/* ---- the report ---- */

static uint32_t build_report(struct tdisp_responder *t, uint64_t offset, uint8_t *out, size_t *len)
{
        struct tdisp_bar bars[TDISP_RSP_MAX_BARS];
        struct tdi_mmio_range ranges[TDISP_RSP_MAX_BARS];
        size_t n = t->cfg.bars(t->cfg.bars_ctx, bars, TDISP_RSP_MAX_BARS);

        if (n > TDISP_RSP_MAX_BARS)
                return TDISP_ERR_INVALID_DEVICE_CONFIGURATION;
        for (size_t i = 0; i < n; i++) {
                const struct tdisp_bar *b = &bars[i];
                /* §11.3.11 / facts §6.5: BARs that overlap make LOCK fail; ccada also refuses
                 * empty, unaligned and wrapping ones, which no range can describe exactly */
                if (b->size == 0 || b->size % PAGE_SIZE || b->addr % PAGE_SIZE || b->addr + b->size < b->addr ||
                    (b->size >> TDI_PAGE_SHIFT) > UINT32_MAX || (i && b->bei <= bars[i - 1].bei))
                        return TDISP_ERR_INVALID_DEVICE_CONFIGURATION;
                for (size_t j = 0; j < i; j++)
                        if (b->addr < bars[j].addr + bars[j].size && bars[j].addr < b->addr + b->size)
                                return TDISP_ERR_INVALID_DEVICE_CONFIGURATION;
                ranges[i] = (struct tdi_mmio_range){ .first_page = (b->addr + offset) >> TDI_PAGE_SHIFT,
                                                     .num_pages = (uint32_t)(b->size >> TDI_PAGE_SHIFT),
                                                     .range_id = b->bei };
        }
        struct tdi_report r = { .interface_info = TDI_INFO_NO_FW_UPDATE | TDI_INFO_DMA_NO_PASID,
                                .range_count = (uint32_t)n,
                                .ranges = ranges,
                                .device_info_len = (uint32_t)t->cfg.device_info_len,
                                .device_info = t->device_info };
        return tdi_report_encode(out, REPORT_MAX, &r, len) ? 0 : TDISP_ERR_UNSPECIFIED;
}

/* ---- requests (each: decode, state, checks, encode, commit) ---- */

static uint32_t on_get_version(struct answer *a, const struct tdisp_header *h, size_t len)
{
        static const uint8_t versions[] = { TDISP_VERSION_10 };
        /* any TDISPVersion: the requester is asking which one to use */
        if (len != TDISP_MSG_HEADER_SIZE)
                return TDISP_ERR_INVALID_REQUEST;
        struct tdisp_version m = { .function_id = h->function_id, .version_count = 1, .versions = versions };
        return tdisp_version_encode(a->buf, a->cap, &m, &a->len) ? 0 : TDISP_ERR_UNSPECIFIED;
}

static uint32_t on_get_capabilities(struct answer *a, const uint8_t *req, size_t len)
{
        struct tdisp_get_capabilities q;
        if (!tdisp_get_capabilities_decode(req, len, &q, NULL))
                return TDISP_ERR_INVALID_REQUEST;
        struct tdisp_capabilities m = { .function_id = q.function_id,
                                        .lock_flags_supported = LOCK_FLAGS_SUPPORTED,
                                        .dev_addr_width = DEV_ADDR_WIDTH,
                                        .num_req_this = 1,
                                        .num_req_all = 1 };
        for (uint8_t c = TDISP_GET_TDISP_VERSION; c <= TDISP_STOP_INTERFACE_REQUEST; c++)
                m.req_msgs_supported[(c - 0x80u) / 8u] |= (uint8_t)(1u << ((c - 0x80u) % 8u));
        return tdisp_capabilities_encode(a->buf, a->cap, &m, &a->len) ? 0 : TDISP_ERR_UNSPECIFIED;
}

static uint32_t lock_check(struct tdisp_responder *t, uint32_t sid, const struct tdisp_lock_interface_request *q)
{
        if (q->flags & ~LOCK_FLAGS_SUPPORTED)
                return TDISP_ERR_INVALID_REQUEST;
        /* TDISP §11.4.5: every key of the default stream programmed over this session */
        if (!ide_km_responder_keyed_on(t->cfg.ide, q->default_stream_id, sid))
                return TDISP_ERR_INVALID_REQUEST;
        return 0;
}

static uint32_t on_lock(struct tdisp_responder *t, uint32_t sid, struct answer *a, const uint8_t *req, size_t len)
{
        struct tdisp_lock_interface_request q;
        struct tdisp_nonce_msg m = { 0 };
        uint8_t report[REPORT_MAX];
        size_t report_len = 0;
        uint32_t e;

        if (!tdisp_lock_interface_request_decode(req, len, &q, NULL))
                return TDISP_ERR_INVALID_REQUEST;
        if (t->state != TDISP_STATE_CONFIG_UNLOCKED)
                return TDISP_ERR_INVALID_INTERFACE_STATE;
        if ((e = lock_check(t, sid, &q)) != 0 || (e = build_report(t, q.mmio_reporting_offset, report, &report_len)))
                return e;
        m.function_id = q.function_id;
        if (!drbg_bytes(t->cfg.drbg, m.nonce, sizeof(m.nonce)))
                e = TDISP_ERR_INSUFFICIENT_ENTROPY;
        else if (!tdisp_lock_interface_response_encode(a->buf, a->cap, &m, &a->len))
                e = TDISP_ERR_UNSPECIFIED;
        if (e == 0) { /* commit */
                memcpy(t->nonce, m.nonce, sizeof(t->nonce));
                memcpy(t->report, report, report_len);
                t->report_len = report_len;
                t->nonce_valid = true;
                t->lock = q;
                t->session_id = sid;
                t->state = TDISP_STATE_CONFIG_LOCKED;
                ide_km_responder_pin(t->cfg.ide, true, sid);
                t->stats.locks++;
        }
        secure_zero(&m, sizeof(m));
        return e;
}

static uint32_t on_get_report(struct tdisp_responder *t, struct answer *a, const uint8_t *req, size_t len)
{
        struct tdisp_get_report q;
        if (!tdisp_get_device_interface_report_decode(req, len, &q, NULL))
                return TDISP_ERR_INVALID_REQUEST;
        if (!is_locked(t->state))
                return TDISP_ERR_INVALID_INTERFACE_STATE;
        if (q.offset >= t->report_len || q.length == 0)
                return TDISP_ERR_INVALID_REQUEST;
        size_t left = t->report_len - q.offset, room = a->cap - (TDISP_MSG_HEADER_SIZE + 4u);
        size_t n = q.length < left ? q.length : left;
        n = n < room ? n : room;
        struct tdisp_report_portion m = { .function_id = q.function_id,
                                          .portion_length = (uint16_t)n,
                                          .remainder_length = (uint16_t)(left - n),
                                          .portion = t->report + q.offset };
        return tdisp_device_interface_report_encode(a->buf, a->cap, &m, &a->len) ? 0 : TDISP_ERR_UNSPECIFIED;
}

static uint32_t on_get_state(struct tdisp_responder *t, struct answer *a, const uint8_t *req, size_t len)
{
        struct tdisp_bare q;
        if (!tdisp_get_device_interface_state_decode(req, len, &q, NULL))
                return TDISP_ERR_INVALID_REQUEST;
        struct tdisp_interface_state m = { .function_id = q.function_id, .tdi_state = t->state };
        return tdisp_device_interface_state_encode(a->buf, a->cap, &m, &a->len) ? 0 : TDISP_ERR_UNSPECIFIED;
}

static bool nonce_equal(const uint8_t *a, const uint8_t *b)
{
        uint8_t d = 0;
        for (size_t i = 0; i < TDISP_NONCE_SIZE; i++)
                d |= (uint8_t)(a[i] ^ b[i]);
        return d == 0;
}

static uint32_t on_start(struct tdisp_responder *t, struct answer *a, const uint8_t *req, size_t len)
{
        struct tdisp_nonce_msg q;
        uint32_t e = 0;
        if (!tdisp_start_interface_request_decode(req, len, &q, NULL))
                return TDISP_ERR_INVALID_REQUEST;
        if (t->state != TDISP_STATE_CONFIG_LOCKED)
                e = TDISP_ERR_INVALID_INTERFACE_STATE;
        else if (!t->nonce_valid || !nonce_equal(q.nonce, t->nonce))
                e = TDISP_ERR_INVALID_NONCE;
        else {
                struct tdisp_bare m = { .function_id = q.function_id };
                if (!tdisp_start_interface_response_encode(a->buf, a->cap, &m, &a->len))
                        e = TDISP_ERR_UNSPECIFIED;
        }
        if (e == 0) { /* facts §6.6: the nonce is used up */
                secure_zero(t->nonce, sizeof(t->nonce));
                t->nonce_valid = false;
                t->state = TDISP_STATE_RUN;
                t->stats.starts++;
        }
        secure_zero(&q, sizeof(q));
        return e;
}

static uint32_t on_stop(struct tdisp_responder *t, struct answer *a, const uint8_t *req, size_t len)
{
        struct tdisp_bare q;
        if (!tdisp_stop_interface_request_decode(req, len, &q, NULL))
                return TDISP_ERR_INVALID_REQUEST;
        struct tdisp_bare m = { .function_id = q.function_id };
        if (!tdisp_stop_interface_response_encode(a->buf, a->cap, &m, &a->len))
                return TDISP_ERR_UNSPECIFIED;
        /* facts §6.6: from any state; the device holds no TVM data beyond what scrub wipes
         * and its DMA engine is not running TDI work in this model */
        scrub(t);
        t->state = TDISP_STATE_CONFIG_UNLOCKED;
        t->stats.stops++;
        return 0;
}

/* ---- dispatch ---- */

static bool interface_ok(const struct tdisp_responder *t, uint32_t fid)
{
        uint32_t ours = t->cfg.function_id;
        if ((fid & TDISP_FUNCTION_ID_RID_MASK) != (ours & TDISP_FUNCTION_ID_RID_MASK))
                return false;
        /* a segment that is named must be ours; reserved bits 31:25 are ignored */
        return !(fid & TDISP_FUNCTION_ID_SEGMENT_VALID) ||
               (fid & TDISP_FUNCTION_ID_SEGMENT_MASK) == (ours & TDISP_FUNCTION_ID_SEGMENT_MASK);
}

static bool implemented(uint8_t type)
{
        return type >= TDISP_GET_TDISP_VERSION && type <= TDISP_STOP_INTERFACE_REQUEST;
}

static uint32_t dispatch(struct tdisp_responder *t, uint32_t sid, const struct tdisp_header *h, const uint8_t *req,
                         size_t len, struct answer *a)
{
        if (h->type != TDISP_GET_TDISP_VERSION && h->version != TDISP_VERSION_10)
                return TDISP_ERR_VERSION_MISMATCH;
        if (!implemented(h->type)) {
                a->error_data = h->type;
                return TDISP_ERR_UNSUPPORTED_REQUEST;
        }
        if (!interface_ok(t, h->function_id))
                return TDISP_ERR_INVALID_INTERFACE;
        switch (h->type) {
        case TDISP_GET_TDISP_VERSION:
                return on_get_version(a, h, len);
        case TDISP_GET_TDISP_CAPABILITIES:
                return on_get_capabilities(a, req, len);
        case TDISP_LOCK_INTERFACE_REQUEST:
                return on_lock(t, sid, a, req, len);
        case TDISP_GET_DEVICE_INTERFACE_REPORT:
                return on_get_report(t, a, req, len);
        case TDISP_GET_DEVICE_INTERFACE_STATE:
                return on_get_state(t, a, req, len);
        case TDISP_START_INTERFACE_REQUEST:
                return on_start(t, a, req, len);
        default:
                return on_stop(t, a, req, len);
        }
}

bool tdisp_responder_handle(struct tdisp_responder *t, bool secured, uint32_t session_id, const uint8_t *req,
                            size_t len, uint8_t *rsp, size_t cap, size_t *rsp_len)
{
        struct tdisp_header h;
        struct answer a = { .buf = rsp, .cap = cap };

        *rsp_len = 0;
        t->stats.requests++;
        /* facts §6: secured messages only */
        if (!secured || cap < MIN_CAP || !tdisp_header_decode(req, len, &h, NULL)) {
                t->stats.refused++;
                return false;
        }
        a.error = dispatch(t, session_id, &h, req, len, &a);
        if (a.error) {
                struct tdisp_error e = { .function_id = h.function_id, .error_code = a.error,
                                         .error_data = a.error_data };
                t->stats.errors++;
                t->stats.last_error_code = a.error;
                if (!tdisp_error_encode(rsp, cap, &e, &a.len)) {
                        t->stats.refused++;
                        return false;
                }
        }
        *rsp_len = a.len;
        return true;
}

/* ---- state and events ---- */

uint8_t tdisp_responder_state(const struct tdisp_responder *t)
{
        return t->state;
}

const char *tdisp_responder_error_reason(const struct tdisp_responder *t)
{
        return t->reason;
}

bool tdisp_responder_locked(const struct tdisp_responder *t, uint32_t *session_id)
{
        if (!is_locked(t->state))
                return false;
        *session_id = t->session_id;
        return true;
}

void tdisp_responder_session_ended(struct tdisp_responder *t, uint32_t session_id)
{
        if (is_locked(t->state) && session_id == t->session_id)
                enter_error(t, "the SPDM session that locked the TDI ended");
}

void tdisp_responder_ide_failed(struct tdisp_responder *t, const char *why)
{
        char r[TDISP_RSP_REASON_LEN];
        (void)snprintf(r, sizeof(r), "the default IDE stream went Insecure: %s", why ? why : "unspecified");
        enter_error(t, r);
}

void tdisp_responder_config_changed(struct tdisp_responder *t, const char *what)
{
        char r[TDISP_RSP_REASON_LEN];
        (void)snprintf(r, sizeof(r), "configuration changed while locked: %s", what ? what : "unspecified");
        enter_error(t, r);
}

const struct tdisp_responder_stats *tdisp_responder_stats(const struct tdisp_responder *t)
{
        return &t->stats;
}

/* ---- life cycle ---- */

bool tdisp_responder_new(struct tdisp_responder **out, const struct tdisp_responder_cfg *cfg, char *why)
{
        const char *err = NULL;
        *out = NULL;
        if (!cfg->drbg || !cfg->ide || !cfg->bars)
                err = "a TDISP responder needs a DRBG, an IDE_KM responder and the BARs";
        else if (cfg->device_info_len > TDISP_RSP_DEVICE_INFO_MAX || (cfg->device_info_len && !cfg->device_info))
                err = "the device-specific report information is too long or missing";
        struct tdisp_responder *t = err ? NULL : calloc(1, sizeof(*t));
        if (!t) {
                if (why)
                        (void)snprintf(why, TDISP_RSP_REASON_LEN, "%s", err ? err : "out of memory");
                return false;
        }
        t->cfg = *cfg;
        if (cfg->device_info_len)
                memcpy(t->device_info, cfg->device_info, cfg->device_info_len);
        t->cfg.device_info = t->device_info;
        t->state = TDISP_STATE_CONFIG_UNLOCKED;
        *out = t;
        return true;
}

void tdisp_responder_free(struct tdisp_responder *t)
{
        if (!t)
                return;
        secure_zero(t, sizeof(*t));
        free(t);
}
