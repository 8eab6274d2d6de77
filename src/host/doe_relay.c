/* The host's DOE relay. PCIe 6.2 §6.30; facts/spdm-tdisp-ide.md §3. */
#include "host/doe_relay.h"

#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "proto/doe.h"
#include "proto/spdm.h"

static const char *const doe_events[] = { "doe_request", "doe_response" };
const struct trace_subsys doe_trace = TRACE_SUBSYS("doe", doe_events);

#define CTRL_ABORT 0x00000001u
#define CTRL_GO    0x80000000u
#define STATUS_BUSY  0x00000001u
#define STATUS_ERROR 0x00000004u
#define STATUS_READY 0x80000000u

static bool refuse(char *why, const char *msg)
{
        if (why)
                snprintf(why, DOE_RELAY_WHY_LEN, "%s", msg);
        return false;
}

static uint32_t rd(struct doe_relay *r, uint16_t reg)
{
        return hw_pcie_cfg_read(r->pcie, r->bdf, (uint16_t)(r->cap + reg), 4);
}

static void wr(struct doe_relay *r, uint16_t reg, uint32_t v)
{
        hw_pcie_cfg_write(r->pcie, r->bdf, (uint16_t)(r->cap + reg), 4, v);
}

bool doe_relay_find(struct doe_relay *r, struct hw_pcie *pcie, struct trace *trace, char *why)
{
        memset(r, 0, sizeof(*r));
        r->pcie = pcie;
        r->max_polls = 1000;
        for (unsigned dev = 0; dev < 32; dev++) {
                uint16_t bdf = HW_PCIE_BDF(0, dev, 0);
                if ((hw_pcie_cfg_read(pcie, bdf, 0, 2) & 0xFFFF) == 0xFFFF)
                        continue;
                /* the extended capability list (PCIe 6.2 §7.6.3), at most 1024 entries */
                uint16_t off = 0x100;
                for (unsigned n = 0; off >= 0x100 && n < 1024; n++) {
                        uint32_t h = hw_pcie_cfg_read(pcie, bdf, off, 4);
                        if (h == 0 || h == 0xFFFFFFFFu)
                                break;
                        if ((h & 0xFFFF) == DOE_EXT_CAP_ID) {
                                r->bdf = bdf;
                                r->cap = off;
                                r->tr = trace_register(trace, &doe_trace);
                                return true;
                        }
                        off = (uint16_t)((h >> 20) & 0xFFC);
                }
        }
        return refuse(why, "no function on bus 0 has a DOE mailbox");
}

/* Sends obj (len bytes, a DW multiple) and reads the answer into rsp. */
static bool mailbox(struct doe_relay *r, const uint8_t *obj, size_t len, uint8_t *rsp, size_t cap, size_t *rsp_len,
                    char *why)
{
        uint32_t st = rd(r, DOE_REG_STATUS);
        if (st & (STATUS_BUSY | STATUS_ERROR | STATUS_READY)) {
                wr(r, DOE_REG_CTRL, CTRL_ABORT);        /* a stale exchange: start clean */
                st = rd(r, DOE_REG_STATUS);
                if (st & (STATUS_BUSY | STATUS_ERROR))
                        return refuse(why, "the DOE mailbox stays busy or in error after an abort");
        }
        for (size_t i = 0; i < len; i += 4)
                wr(r, DOE_REG_WRITE_MAILBOX, ld_le32(obj + i));
        wr(r, DOE_REG_CTRL, CTRL_GO);
        for (unsigned polls = 0;; polls++) {
                st = rd(r, DOE_REG_STATUS);
                if (st & STATUS_ERROR) {
                        wr(r, DOE_REG_CTRL, CTRL_ABORT);
                        return refuse(why, "the DOE mailbox reported Error");
                }
                if (st & STATUS_READY)
                        break;
                if (polls == r->max_polls) {
                        wr(r, DOE_REG_CTRL, CTRL_ABORT);
                        return refuse(why, "the device never answered (Data Object Ready stayed clear)");
                }
        }
        size_t n = 0, total = 8;
        while (n < total) {
                if (!(rd(r, DOE_REG_STATUS) & STATUS_READY))
                        break;
                uint32_t dw = rd(r, DOE_REG_READ_MAILBOX);
                wr(r, DOE_REG_READ_MAILBOX, 0);
                if (n + 4 > cap) {
                        wr(r, DOE_REG_CTRL, CTRL_ABORT);
                        return refuse(why, "the device's answer is larger than the relay's buffer");
                }
                st_le32(rsp + n, dw);
                n += 4;
                if (n == 8) {
                        uint32_t dws = ld_le32(rsp + 4) & 0x3FFFF;
                        total = (size_t)(dws ? dws : 0x40000u) * 4;
                }
        }
        if (n != total) {
                wr(r, DOE_REG_CTRL, CTRL_ABORT);
                return refuse(why, "the device's answer ended before its DOE Length");
        }
        *rsp_len = n;
        return true;
}

static void log_object(struct doe_relay *r, bool to_device, const uint8_t *obj, size_t len)
{
        unsigned ev = to_device ? DOE_TRACE_REQUEST : DOE_TRACE_RESPONSE;
        r->objects++;
        if (to_device)
                r->bytes_to_device += len;
        else
                r->bytes_from_device += len;
        if (r->pcap)
                (void)pcap_writer_record(r->pcap, r->pcap_seconds, 0, obj, len);
        if (trace_on(r->tr, ev)) {
                uint8_t type = len >= 4 ? obj[2] : 0;
                /* the SPDM code is visible to the host only in plain messages */
                const char *what = type == DOE_TYPE_CMA_SPDM && len > 9 ? spdm_code_name(obj[9])
                                   : type == DOE_TYPE_SECURED_CMA_SPDM ? "secured"
                                   : type == DOE_TYPE_DISCOVERY        ? "discovery"
                                                                       : "?";
                trace_emit(r->tr, ev, "bdf=%02x:%02x.%x type=%u len=%zu %s", r->bdf >> 8, (r->bdf >> 3) & 0x1F,
                           r->bdf & 7, type, len, what);
        }
}

/* One object through the mailbox, with the tamper hook both ways. */
static bool exchange_object(struct doe_relay *r, uint8_t *obj, size_t len, size_t obj_cap, uint8_t *rsp, size_t cap,
                            size_t *rsp_len, char *why)
{
        if (r->tamper)
                r->tamper(r->tamper_ctx, r->objects, true, obj, &len, obj_cap);
        if (len % 4 || len < 8)
                return refuse(why, "the relay would send a DOE object that is not whole DWs");
        log_object(r, true, obj, len);
        if (!mailbox(r, obj, len, rsp, cap, rsp_len, why))
                return false;
        if (r->tamper)
                r->tamper(r->tamper_ctx, r->objects, false, rsp, rsp_len, cap);
        log_object(r, false, rsp, *rsp_len);
        return true;
}

bool doe_relay_discover(struct doe_relay *r, char *why)
{
        bool spdm = false, secured = false;
        uint8_t index = 0;
        for (unsigned n = 0; n < 256; n++) {
                uint8_t obj[12], rsp[64], dw[4];
                size_t len, rlen;
                struct doe_discovery_req q = { .index = index };
                struct doe_discovery_rsp a;
                struct doe_object o;
                if (!doe_discovery_req_encode(dw, sizeof(dw), &q) ||
                    !doe_object_encode(DOE_VENDOR_PCI_SIG, DOE_TYPE_DISCOVERY, dw, 4, obj, sizeof(obj), &len) ||
                    !exchange_object(r, obj, len, sizeof(obj), rsp, sizeof(rsp), &rlen, why))
                        return why && why[0] ? false : refuse(why, "DOE discovery failed");
                if (!doe_object_decode(rsp, rlen, &o, NULL) || o.type != DOE_TYPE_DISCOVERY ||
                    !doe_discovery_rsp_decode(o.payload, o.payload_len, &a, NULL))
                        return refuse(why, "DOE discovery: the answer is not a discovery response");
                if (a.vendor == DOE_VENDOR_PCI_SIG && a.type == DOE_TYPE_CMA_SPDM)
                        spdm = true;
                if (a.vendor == DOE_VENDOR_PCI_SIG && a.type == DOE_TYPE_SECURED_CMA_SPDM)
                        secured = true;
                if (a.next_index == 0)
                        break;
                index = a.next_index;
        }
        if (!spdm || !secured)
                return refuse(why, "DOE discovery: the device does not list CMA/SPDM and Secured CMA/SPDM");
        return true;
}

bool doe_relay_exchange(struct doe_relay *r, bool secured, const uint8_t *payload, size_t len, uint8_t *rsp,
                        size_t cap, size_t *rsp_len, bool *rsp_secured, char *why)
{
        uint8_t *obj = malloc(DOE_RELAY_MAX_OBJECT), *in = malloc(DOE_RELAY_MAX_OBJECT);
        size_t olen = 0, ilen = 0;
        struct doe_object o;
        bool ok = false;

        if (!obj || !in)
                refuse(why, "out of memory");
        else if (!doe_object_encode(DOE_VENDOR_PCI_SIG, secured ? DOE_TYPE_SECURED_CMA_SPDM : DOE_TYPE_CMA_SPDM,
                                    payload, len, obj, DOE_RELAY_MAX_OBJECT, &olen))
                refuse(why, "the request does not fit a DOE object");
        else if (exchange_object(r, obj, olen, DOE_RELAY_MAX_OBJECT, in, DOE_RELAY_MAX_OBJECT, &ilen, why)) {
                if (!doe_object_decode(in, ilen, &o, NULL) || o.vendor != DOE_VENDOR_PCI_SIG ||
                    (o.type != DOE_TYPE_CMA_SPDM && o.type != DOE_TYPE_SECURED_CMA_SPDM))
                        refuse(why, "the device answered with something that is not an SPDM DOE object");
                else if (o.payload_len > cap)
                        refuse(why, "the device's answer is larger than the caller's buffer");
                else {
                        memcpy(rsp, o.payload, o.payload_len);
                        *rsp_len = o.payload_len;
                        *rsp_secured = o.type == DOE_TYPE_SECURED_CMA_SPDM;
                        ok = true;
                }
        }
        free(obj);
        free(in);
        return ok;
}
