/* The device side of a DOE mailbox.  PCIe 6.0 §6.30, §7.9.24; the state table is in
 * doe_mailbox.h. */
#include "device/doe_mailbox.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "lib/crypto.h" /* secure_zero */

/* The protocols this mailbox lists in DOE Discovery, by index (facts §3.1). */
static const uint8_t discovery_types[] = { DOE_TYPE_DISCOVERY, DOE_TYPE_CMA_SPDM, DOE_TYPE_SECURED_CMA_SPDM };
#define DISCOVERY_ENTRIES (sizeof(discovery_types) / sizeof(discovery_types[0]))

struct doe_mailbox {
        struct doe_mailbox_config cfg;
        enum doe_mailbox_state state;
        uint8_t *req; /* the request as written, max_object_dw DWs */
        size_t req_dw;
        uint8_t *rsp; /* the response being read out */
        size_t rsp_dw, rsp_pos;
        char error[DOE_MAILBOX_WHY_LEN];
};

static size_t cap_bytes(const struct doe_mailbox *mb)
{
        return (size_t)mb->cfg.max_object_dw * DOE_DW;
}

/* ---- transitions ---- */

static void reset(struct doe_mailbox *mb)
{
        memset(mb->req, 0, mb->req_dw * DOE_DW);
        memset(mb->rsp, 0, mb->rsp_dw * DOE_DW);
        mb->req_dw = mb->rsp_dw = mb->rsp_pos = 0;
        mb->error[0] = '\0';
        mb->state = DOE_MB_IDLE;
}

__attribute__((format(printf, 2, 3))) static void fail(struct doe_mailbox *mb, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(mb->error, sizeof(mb->error), fmt, ap);
        va_end(ap);
        mb->state = DOE_MB_ERROR;
}

/* The Length of the header in req (2 DWs written), 0 decoded as 2^18. */
static size_t req_length_dw(const struct doe_mailbox *mb)
{
        uint32_t len = ld_le32(mb->req + DOE_DW) & DOE_LENGTH_MASK;
        return len ? len : DOE_MAX_DW;
}

static void write_mailbox(struct doe_mailbox *mb, uint32_t val)
{
        switch (mb->state) {
        case DOE_MB_IDLE:
        case DOE_MB_RECEIVING: break;
        case DOE_MB_BUSY:
        case DOE_MB_READY:
                fail(mb, "Write Data Mailbox written while %s", doe_mailbox_state_name(mb->state));
                return;
        case DOE_MB_ERROR: return;
        }
        if (mb->req_dw == mb->cfg.max_object_dw) {
                fail(mb, "request longer than the mailbox's %u DW", mb->cfg.max_object_dw);
                return;
        }
        st_le32(mb->req + mb->req_dw * DOE_DW, val);
        mb->req_dw++;
        mb->state = DOE_MB_RECEIVING;
        if (mb->req_dw == DOE_HEADER_DW && req_length_dw(mb) > mb->cfg.max_object_dw)
                fail(mb, "request Length %zu DW exceeds the mailbox's %u DW", req_length_dw(mb),
                     mb->cfg.max_object_dw);
}

static void go(struct doe_mailbox *mb)
{
        switch (mb->state) {
        case DOE_MB_IDLE:
        case DOE_MB_RECEIVING: break;
        case DOE_MB_BUSY:
        case DOE_MB_READY: fail(mb, "Go while %s", doe_mailbox_state_name(mb->state)); return;
        case DOE_MB_ERROR: return;
        }
        if (mb->req_dw < DOE_HEADER_DW) {
                fail(mb, "Go after %zu DW: no whole DOE header", mb->req_dw);
                return;
        }
        size_t len = req_length_dw(mb);
        if (len > mb->req_dw)
                fail(mb, "Go after %zu of the %zu DW the header announces", mb->req_dw, len);
        else if (len < mb->req_dw)
                reset(mb); /* PCIe 6.0 §6.30.1: a DW count that disagrees with Length: discarded */
        else
                mb->state = DOE_MB_BUSY;
}

static void read_mailbox_advance(struct doe_mailbox *mb)
{
        switch (mb->state) {
        case DOE_MB_READY: break;
        case DOE_MB_ERROR: return;
        default: fail(mb, "Read Data Mailbox written while %s", doe_mailbox_state_name(mb->state)); return;
        }
        if (++mb->rsp_pos == mb->rsp_dw)
                reset(mb);
}

/* ---- processing ---- */

/* DOE Discovery, answered by the mailbox itself; false = discard. */
static bool discovery(struct doe_mailbox *mb, const struct doe_object *obj, size_t *rsp_len)
{
        struct doe_discovery_req req;
        uint8_t payload[DOE_DW];
        if (!doe_discovery_req_decode(obj->payload, obj->payload_len, &req, NULL) || req.index >= DISCOVERY_ENTRIES)
                return false;
        struct doe_discovery_rsp rsp = {
                DOE_VENDOR_PCI_SIG, discovery_types[req.index],
                (uint8_t)(req.index + 1u == DISCOVERY_ENTRIES ? 0u : req.index + 1u), /* < 3 */
        };
        return doe_discovery_rsp_encode(payload, sizeof(payload), &rsp) &&
               doe_object_encode(DOE_VENDOR_PCI_SIG, DOE_TYPE_DISCOVERY, payload, sizeof(payload), mb->rsp,
                                 cap_bytes(mb), rsp_len);
}

/* Checks the responder's answer; the mailbox goes to READY or ERROR. */
static void take_response(struct doe_mailbox *mb, size_t rsp_len)
{
        struct doe_object obj;
        char why[DOE_WHY_LEN];
        if (rsp_len > cap_bytes(mb)) {
                secure_zero(mb->rsp, cap_bytes(mb));
                fail(mb, "the responder reported %zu bytes for a %zu-byte buffer", rsp_len, cap_bytes(mb));
                return;
        }
        if (!doe_object_decode(mb->rsp, rsp_len, &obj, why)) {
                secure_zero(mb->rsp, cap_bytes(mb));
                fail(mb, "the responder's answer is no DOE object: %.60s", why);
                return;
        }
        memset(mb->req, 0, mb->req_dw * DOE_DW);
        mb->req_dw = 0;
        mb->rsp_dw = rsp_len / DOE_DW;
        mb->rsp_pos = 0;
        mb->state = DOE_MB_READY;
}

bool doe_mailbox_step(struct doe_mailbox *mb)
{
        struct doe_object obj;
        size_t rsp_len = 0;
        bool answered;
        if (mb->state != DOE_MB_BUSY)
                return false;
        if (!doe_object_decode(mb->req, mb->req_dw * DOE_DW, &obj, NULL) || obj.vendor != DOE_VENDOR_PCI_SIG)
                answered = false;
        else if (obj.type == DOE_TYPE_DISCOVERY)
                answered = discovery(mb, &obj, &rsp_len);
        else if (obj.type == DOE_TYPE_CMA_SPDM || obj.type == DOE_TYPE_SECURED_CMA_SPDM)
                answered = mb->cfg.handle(mb->cfg.handle_ctx, mb->req, mb->req_dw * DOE_DW, mb->rsp, cap_bytes(mb),
                                          &rsp_len);
        else
                answered = false;
        if (!answered) {
                /* the responder may have written into rsp before giving up */
                secure_zero(mb->rsp, cap_bytes(mb));
                reset(mb);
        } else {
                take_response(mb, rsp_len);
        }
        return true;
}

/* ---- registers ---- */

static bool in_cap(uint32_t offset)
{
        return offset < DOE_CAP_SIZE && offset % DOE_DW == 0;
}

bool doe_mailbox_read(struct doe_mailbox *mb, uint32_t offset, uint32_t *val)
{
        *val = 0;
        if (!in_cap(offset))
                return false;
        switch (offset) {
        case DOE_REG_EXT_CAP_HEADER:
                *val = DOE_EXT_CAP_ID | DOE_EXT_CAP_VERSION << 16 | (uint32_t)mb->cfg.next_cap << 20;
                break;
        case DOE_REG_STATUS:
                *val = mb->state == DOE_MB_BUSY    ? DOE_STATUS_BUSY
                       : mb->state == DOE_MB_ERROR ? DOE_STATUS_ERROR
                       : mb->state == DOE_MB_READY ? DOE_STATUS_DATA_OBJECT_READY
                                                   : 0;
                break;
        case DOE_REG_READ_MAILBOX:
                if (mb->state == DOE_MB_READY)
                        *val = ld_le32(mb->rsp + mb->rsp_pos * DOE_DW);
                break;
        default: break; /* Capabilities, Control, Write Mailbox read as 0 */
        }
        return true;
}

bool doe_mailbox_write(struct doe_mailbox *mb, uint32_t offset, uint32_t val)
{
        if (!in_cap(offset))
                return false;
        switch (offset) {
        case DOE_REG_CTRL:
                if (val & DOE_CTRL_ABORT) {
                        reset(mb); /* Abort wins over Go in the same write */
                } else if (val & DOE_CTRL_GO) {
                        go(mb);
                        if (mb->cfg.process_on_go)
                                (void)doe_mailbox_step(mb); /* false = nothing was BUSY */
                }
                break;
        case DOE_REG_WRITE_MAILBOX: write_mailbox(mb, val); break;
        case DOE_REG_READ_MAILBOX: read_mailbox_advance(mb); break;
        default: break; /* header, Capabilities, Status: nothing to change */
        }
        return true;
}

/* ---- life cycle and introspection ---- */

struct doe_mailbox *doe_mailbox_new(const struct doe_mailbox_config *cfg, char *why)
{
        const char *bad = NULL;
        if (cfg->max_object_dw < DOE_MAILBOX_MIN_DW || cfg->max_object_dw > DOE_MAX_DW)
                bad = "max_object_dw is outside 16 .. 2^18";
        else if (cfg->next_cap != 0 && (cfg->next_cap < 0x100 || cfg->next_cap > 0xFFC || cfg->next_cap % 4))
                bad = "next_cap is neither 0 nor a DW offset in 0x100..0xFFC";
        else if (!cfg->handle)
                bad = "no handler";
        if (bad) {
                if (why)
                        snprintf(why, DOE_MAILBOX_WHY_LEN, "%s", bad);
                return NULL;
        }
        struct doe_mailbox *mb = calloc(1, sizeof(*mb));
        size_t bytes = (size_t)cfg->max_object_dw * DOE_DW;
        if (mb) {
                mb->req = calloc(1, bytes);
                mb->rsp = calloc(1, bytes);
        }
        if (!mb || !mb->req || !mb->rsp) {
                if (why)
                        snprintf(why, DOE_MAILBOX_WHY_LEN, "no memory for two %zu-byte mailboxes", bytes);
                doe_mailbox_free(mb);
                return NULL;
        }
        mb->cfg = *cfg;
        mb->state = DOE_MB_IDLE;
        return mb;
}

void doe_mailbox_free(struct doe_mailbox *mb)
{
        if (!mb)
                return;
        size_t bytes = (size_t)mb->cfg.max_object_dw * DOE_DW;
        if (mb->req)
                secure_zero(mb->req, bytes);
        if (mb->rsp)
                secure_zero(mb->rsp, bytes);
        free(mb->req);
        free(mb->rsp);
        free(mb);
}

enum doe_mailbox_state doe_mailbox_state(const struct doe_mailbox *mb)
{
        return mb->state;
}

const char *doe_mailbox_state_name(enum doe_mailbox_state s)
{
        switch (s) {
        case DOE_MB_IDLE: return "IDLE";
        case DOE_MB_RECEIVING: return "RECEIVING";
        case DOE_MB_BUSY: return "BUSY";
        case DOE_MB_READY: return "READY";
        case DOE_MB_ERROR: return "ERROR";
        }
        return "?";
}

const char *doe_mailbox_error(const struct doe_mailbox *mb)
{
        return mb->error;
}

bool doe_mailbox_invariants_ok(const struct doe_mailbox *mb, char *why)
{
        const char *bad = NULL;
        size_t max = mb->cfg.max_object_dw;
        if (mb->req_dw > max || mb->rsp_dw > max)
                bad = "more DWs buffered than the mailbox holds";
        else if (mb->state == DOE_MB_IDLE && (mb->req_dw || mb->rsp_dw || mb->rsp_pos || mb->error[0]))
                bad = "IDLE with something buffered";
        else if (mb->state == DOE_MB_RECEIVING && (mb->req_dw == 0 || mb->rsp_dw))
                bad = "RECEIVING without a request DW, or with a response";
        else if (mb->state == DOE_MB_BUSY && (mb->req_dw < DOE_HEADER_DW || req_length_dw(mb) != mb->req_dw))
                bad = "BUSY without a complete object";
        else if (mb->state == DOE_MB_READY && (mb->rsp_dw < DOE_HEADER_DW || mb->rsp_pos >= mb->rsp_dw || mb->req_dw))
                bad = "READY with the read position outside the response";
        else if (mb->state == DOE_MB_ERROR && !mb->error[0])
                bad = "ERROR without a reason";
        if (bad && why)
                snprintf(why, DOE_MAILBOX_WHY_LEN, "%s: %s", doe_mailbox_state_name(mb->state), bad);
        return !bad;
}
