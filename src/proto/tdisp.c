/* TDISP 1.0 message codecs, the TDI report and its reassembly (proto/tdisp.h).
 * Layouts: PCIe 6.2 §11.3 as facts/spdm-tdisp-ide.md §6.1-6.5 gives them. */
#include "proto/tdisp.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/bytes.h"

/* Offsets from the protocol ID byte (the header's offset n is at 1 + n).  §11.3 */
#define OFF_VERSION 1u
#define OFF_TYPE 2u
#define OFF_FUNCTION_ID 5u
#define OFF_PAYLOAD TDISP_MSG_HEADER_SIZE
_Static_assert(OFF_FUNCTION_ID + 4u + 8u == OFF_PAYLOAD, "§11.3: INTERFACE_ID is FUNCTION_ID(4) + Reserved(8)");

/* Message sizes from the protocol ID on (facts §6.3: "wire sizes"). */
#define SIZE_BARE OFF_PAYLOAD                       /* 17 */
#define SIZE_GET_CAPS (OFF_PAYLOAD + 4u)            /* 21 */
#define SIZE_CAPS (OFF_PAYLOAD + 4u + 16u + 2u + 3u + 3u) /* 45 */
#define SIZE_LOCK (OFF_PAYLOAD + 2u + 1u + 1u + 8u + 8u)  /* 37 */
#define SIZE_NONCE (OFF_PAYLOAD + TDISP_NONCE_SIZE) /* 49 */
#define SIZE_GET_REPORT (OFF_PAYLOAD + 4u)          /* 21 */
#define SIZE_REPORT_MIN (OFF_PAYLOAD + 4u)          /* 21 + PORTION_LENGTH */
#define SIZE_STATE (OFF_PAYLOAD + 1u)               /* 18 */
#define SIZE_P2P (OFF_PAYLOAD + 1u)                 /* 18 */
#define SIZE_SET_MMIO (OFF_PAYLOAD + TDISP_MMIO_RANGE_SIZE) /* 33 */
#define SIZE_ERROR_MIN (OFF_PAYLOAD + 8u)           /* 25 + EXTENDED_ERROR_DATA */
_Static_assert(SIZE_CAPS == 45 && SIZE_LOCK == 37 && SIZE_NONCE == 49 && SIZE_GET_CAPS == 21 && SIZE_STATE == 18,
               "facts §6.3: GET_CAPABILITIES 21, CAPABILITIES 45, LOCK 37, LOCK_RSP 49, STATE 18");

static bool fail(char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(char *why, const char *fmt, ...)
{
        if (why) {
                va_list ap;
                va_start(ap, fmt);
                (void)vsnprintf(why, TDISP_WHY_LEN, fmt, ap);
                va_end(ap);
        }
        return false;
}

/* ---- header ---- */

bool tdisp_header_decode(const uint8_t *in, size_t len, struct tdisp_header *out, char *why)
{
        memset(out, 0, sizeof(*out));
        if (len < TDISP_MSG_HEADER_SIZE)
                return fail(why, "truncated: a TDISP message of %zu bytes, the header needs %u", len,
                            TDISP_MSG_HEADER_SIZE);
        if (in[0] != TDISP_PROTOCOL_ID)
                return fail(why, "protocol ID 0x%02x is not TDISP (0x01)", in[0]);
        out->version = in[OFF_VERSION];
        out->type = in[OFF_TYPE];
        out->function_id = ld_le32(in + OFF_FUNCTION_ID);
        return true;
}

/* The header of a `type` message of TDISP 1.0: *fid its FUNCTION_ID. */
static bool hdr_check(const uint8_t *in, size_t len, uint8_t type, uint32_t *fid, char *why)
{
        struct tdisp_header h;
        if (!tdisp_header_decode(in, len, &h, why))
                return false;
        if (h.version != TDISP_VERSION_10)
                return fail(why, "TDISPVersion 0x%02x: only 0x10 is implemented", h.version);
        if (h.type != type)
                return fail(why, "MessageType 0x%02x (%s) where %s (0x%02x) was expected", h.type,
                            tdisp_code_name(h.type), tdisp_code_name(type), type);
        *fid = h.function_id;
        return true;
}

/* A fixed-size message: the header, then exactly `size` bytes in all. */
static bool fixed_check(const uint8_t *in, size_t len, uint8_t type, size_t size, uint32_t *fid, char *why)
{
        if (!hdr_check(in, len, type, fid, why))
                return false;
        if (len != size)
                return fail(why, "%s is %zu bytes, not %zu", tdisp_code_name(type), size, len);
        return true;
}

static void hdr_write(struct byte_writer *w, uint8_t type, uint32_t fid)
{
        bw_u8(w, TDISP_PROTOCOL_ID);
        bw_u8(w, TDISP_VERSION_10);
        bw_u8(w, type);
        bw_zero(w, 2); /* Reserved */
        bw_le32(w, fid);
        bw_zero(w, 8); /* INTERFACE_ID.Reserved */
}

static bool enc_done(const struct byte_writer *w, size_t *len)
{
        *len = bw_ok(w) ? bw_len(w) : 0;
        return bw_ok(w);
}

/* Encoders start here: *len is 0 until enc_done. */
static void enc_start(struct byte_writer *w, uint8_t *out, size_t cap, uint8_t type, uint32_t fid, size_t *len)
{
        *len = 0;
        bw_init(w, out, cap);
        hdr_write(w, type, fid);
}

/* ---- header-only messages ---- */

static bool bare_decode(const uint8_t *in, size_t len, uint8_t type, struct tdisp_bare *out, char *why)
{
        uint32_t fid = 0;
        memset(out, 0, sizeof(*out));
        if (!fixed_check(in, len, type, SIZE_BARE, &fid, why))
                return false;
        out->function_id = fid;
        return true;
}

static bool bare_encode(uint8_t *out, size_t cap, uint8_t type, const struct tdisp_bare *m, size_t *len)
{
        struct byte_writer w;
        enc_start(&w, out, cap, type, m->function_id, len);
        return enc_done(&w, len);
}

#define BARE_CODEC(name, type)                                                                                         \
        bool tdisp_##name##_decode(const uint8_t *in, size_t len, struct tdisp_bare *out, char *why)                  \
        {                                                                                                              \
                return bare_decode(in, len, type, out, why);                                                           \
        }                                                                                                              \
        bool tdisp_##name##_encode(uint8_t *out, size_t cap, const struct tdisp_bare *m, size_t *len)                 \
        {                                                                                                              \
                return bare_encode(out, cap, type, m, len);                                                            \
        }

BARE_CODEC(get_version, TDISP_GET_TDISP_VERSION)
BARE_CODEC(get_device_interface_state, TDISP_GET_DEVICE_INTERFACE_STATE)
BARE_CODEC(start_interface_response, TDISP_START_INTERFACE_RESPONSE)
BARE_CODEC(stop_interface_request, TDISP_STOP_INTERFACE_REQUEST)
BARE_CODEC(stop_interface_response, TDISP_STOP_INTERFACE_RESPONSE)
BARE_CODEC(bind_p2p_stream_response, TDISP_BIND_P2P_STREAM_RESPONSE)
BARE_CODEC(unbind_p2p_stream_response, TDISP_UNBIND_P2P_STREAM_RESPONSE)
BARE_CODEC(set_mmio_attribute_response, TDISP_SET_MMIO_ATTRIBUTE_RESPONSE)

/* ---- TDISP_VERSION ---- */

bool tdisp_version_decode(const uint8_t *in, size_t len, struct tdisp_version *out, char *why)
{
        struct tdisp_version m = { 0 };
        memset(out, 0, sizeof(*out));
        if (!hdr_check(in, len, TDISP_TDISP_VERSION, &m.function_id, why))
                return false;
        if (len < OFF_PAYLOAD + 1u)
                return fail(why, "truncated: TDISP_VERSION has no VERSION_NUM_COUNT");
        m.version_count = in[OFF_PAYLOAD];
        if (m.version_count == 0)
                return fail(why, "VERSION_NUM_COUNT 0: at least one version is required");
        if (len != OFF_PAYLOAD + 1u + m.version_count)
                return fail(why, "TDISP_VERSION with %u versions is %u bytes, not %zu", m.version_count,
                            OFF_PAYLOAD + 1u + m.version_count, len);
        m.versions = in + OFF_PAYLOAD + 1u;
        *out = m;
        return true;
}

bool tdisp_version_encode(uint8_t *out, size_t cap, const struct tdisp_version *m, size_t *len)
{
        struct byte_writer w;
        enc_start(&w, out, cap, TDISP_TDISP_VERSION, m->function_id, len);
        if (m->version_count == 0 || !m->versions)
                return false;
        bw_u8(&w, m->version_count);
        bw_bytes(&w, m->versions, m->version_count);
        return enc_done(&w, len);
}

/* ---- GET_TDISP_CAPABILITIES / TDISP_CAPABILITIES ---- */

bool tdisp_get_capabilities_decode(const uint8_t *in, size_t len, struct tdisp_get_capabilities *out, char *why)
{
        struct tdisp_get_capabilities m = { 0 };
        memset(out, 0, sizeof(*out));
        if (!fixed_check(in, len, TDISP_GET_TDISP_CAPABILITIES, SIZE_GET_CAPS, &m.function_id, why))
                return false;
        m.tsm_caps = ld_le32(in + OFF_PAYLOAD);
        *out = m;
        return true;
}

bool tdisp_get_capabilities_encode(uint8_t *out, size_t cap, const struct tdisp_get_capabilities *m, size_t *len)
{
        struct byte_writer w;
        enc_start(&w, out, cap, TDISP_GET_TDISP_CAPABILITIES, m->function_id, len);
        bw_le32(&w, m->tsm_caps);
        return enc_done(&w, len);
}

bool tdisp_capabilities_decode(const uint8_t *in, size_t len, struct tdisp_capabilities *out, char *why)
{
        struct tdisp_capabilities m = { 0 };
        struct byte_reader r;
        memset(out, 0, sizeof(*out));
        if (!fixed_check(in, len, TDISP_TDISP_CAPABILITIES, SIZE_CAPS, &m.function_id, why))
                return false;
        br_init(&r, in + OFF_PAYLOAD, len - OFF_PAYLOAD);
        m.dsm_caps = br_le32(&r);
        br_bytes(&r, m.req_msgs_supported, sizeof(m.req_msgs_supported));
        m.lock_flags_supported = br_le16(&r);
        br_skip(&r, 3); /* Reserved */
        m.dev_addr_width = br_u8(&r);
        m.num_req_this = br_u8(&r);
        m.num_req_all = br_u8(&r);
        if (!br_ok(&r) || br_remaining(&r) != 0) /* unreachable after fixed_check */
                return fail(why, "TDISP_CAPABILITIES layout");
        *out = m;
        return true;
}

bool tdisp_capabilities_encode(uint8_t *out, size_t cap, const struct tdisp_capabilities *m, size_t *len)
{
        struct byte_writer w;
        enc_start(&w, out, cap, TDISP_TDISP_CAPABILITIES, m->function_id, len);
        bw_le32(&w, m->dsm_caps);
        bw_bytes(&w, m->req_msgs_supported, sizeof(m->req_msgs_supported));
        bw_le16(&w, m->lock_flags_supported);
        bw_zero(&w, 3);
        bw_u8(&w, m->dev_addr_width);
        bw_u8(&w, m->num_req_this);
        bw_u8(&w, m->num_req_all);
        return enc_done(&w, len);
}

bool tdisp_caps_supports(const struct tdisp_capabilities *caps, uint8_t req)
{
        if (req < 0x80u)
                return false;
        unsigned i = req - 0x80u;
        return ((unsigned)caps->req_msgs_supported[i / 8u] >> (i % 8u) & 1u) != 0;
}

/* ---- LOCK_INTERFACE_REQUEST ---- */

bool tdisp_lock_interface_request_decode(const uint8_t *in, size_t len, struct tdisp_lock_interface_request *out,
                                         char *why)
{
        struct tdisp_lock_interface_request m = { 0 };
        struct byte_reader r;
        memset(out, 0, sizeof(*out));
        if (!fixed_check(in, len, TDISP_LOCK_INTERFACE_REQUEST, SIZE_LOCK, &m.function_id, why))
                return false;
        br_init(&r, in + OFF_PAYLOAD, len - OFF_PAYLOAD);
        m.flags = br_le16(&r);
        m.default_stream_id = br_u8(&r);
        br_skip(&r, 1); /* Reserved */
        m.mmio_reporting_offset = br_le64(&r);
        m.bind_p2p_address_mask = br_le64(&r);
        if (!br_ok(&r) || br_remaining(&r) != 0)
                return fail(why, "LOCK_INTERFACE_REQUEST layout");
        *out = m;
        return true;
}

bool tdisp_lock_interface_request_encode(uint8_t *out, size_t cap, const struct tdisp_lock_interface_request *m,
                                         size_t *len)
{
        struct byte_writer w;
        enc_start(&w, out, cap, TDISP_LOCK_INTERFACE_REQUEST, m->function_id, len);
        bw_le16(&w, m->flags);
        bw_u8(&w, m->default_stream_id);
        bw_zero(&w, 1);
        bw_le64(&w, m->mmio_reporting_offset);
        bw_le64(&w, m->bind_p2p_address_mask);
        return enc_done(&w, len);
}

/* ---- LOCK_INTERFACE_RESPONSE / START_INTERFACE_REQUEST: the nonce ---- */

static bool nonce_decode(const uint8_t *in, size_t len, uint8_t type, struct tdisp_nonce_msg *out, char *why)
{
        uint32_t fid = 0;
        memset(out, 0, sizeof(*out));
        if (!fixed_check(in, len, type, SIZE_NONCE, &fid, why))
                return false;
        out->function_id = fid;
        memcpy(out->nonce, in + OFF_PAYLOAD, TDISP_NONCE_SIZE);
        return true;
}

static bool nonce_encode(uint8_t *out, size_t cap, uint8_t type, const struct tdisp_nonce_msg *m, size_t *len)
{
        struct byte_writer w;
        enc_start(&w, out, cap, type, m->function_id, len);
        bw_bytes(&w, m->nonce, TDISP_NONCE_SIZE);
        return enc_done(&w, len);
}

bool tdisp_lock_interface_response_decode(const uint8_t *in, size_t len, struct tdisp_nonce_msg *out, char *why)
{
        return nonce_decode(in, len, TDISP_LOCK_INTERFACE_RESPONSE, out, why);
}
bool tdisp_lock_interface_response_encode(uint8_t *out, size_t cap, const struct tdisp_nonce_msg *m, size_t *len)
{
        return nonce_encode(out, cap, TDISP_LOCK_INTERFACE_RESPONSE, m, len);
}
bool tdisp_start_interface_request_decode(const uint8_t *in, size_t len, struct tdisp_nonce_msg *out, char *why)
{
        return nonce_decode(in, len, TDISP_START_INTERFACE_REQUEST, out, why);
}
bool tdisp_start_interface_request_encode(uint8_t *out, size_t cap, const struct tdisp_nonce_msg *m, size_t *len)
{
        return nonce_encode(out, cap, TDISP_START_INTERFACE_REQUEST, m, len);
}

/* ---- GET_DEVICE_INTERFACE_REPORT / DEVICE_INTERFACE_REPORT ---- */

bool tdisp_get_device_interface_report_decode(const uint8_t *in, size_t len, struct tdisp_get_report *out,
                                              char *why)
{
        struct tdisp_get_report m = { 0 };
        memset(out, 0, sizeof(*out));
        if (!fixed_check(in, len, TDISP_GET_DEVICE_INTERFACE_REPORT, SIZE_GET_REPORT, &m.function_id, why))
                return false;
        m.offset = ld_le16(in + OFF_PAYLOAD);
        m.length = ld_le16(in + OFF_PAYLOAD + 2u);
        *out = m;
        return true;
}

bool tdisp_get_device_interface_report_encode(uint8_t *out, size_t cap, const struct tdisp_get_report *m,
                                              size_t *len)
{
        struct byte_writer w;
        enc_start(&w, out, cap, TDISP_GET_DEVICE_INTERFACE_REPORT, m->function_id, len);
        bw_le16(&w, m->offset);
        bw_le16(&w, m->length);
        return enc_done(&w, len);
}

bool tdisp_device_interface_report_decode(const uint8_t *in, size_t len, struct tdisp_report_portion *out,
                                          char *why)
{
        struct tdisp_report_portion m = { 0 };
        memset(out, 0, sizeof(*out));
        if (!hdr_check(in, len, TDISP_DEVICE_INTERFACE_REPORT, &m.function_id, why))
                return false;
        if (len < SIZE_REPORT_MIN)
                return fail(why, "truncated: DEVICE_INTERFACE_REPORT of %zu bytes, PORTION_LENGTH and "
                                 "REMAINDER_LENGTH need %u", len, SIZE_REPORT_MIN);
        m.portion_length = ld_le16(in + OFF_PAYLOAD);
        m.remainder_length = ld_le16(in + OFF_PAYLOAD + 2u);
        if (len - SIZE_REPORT_MIN != m.portion_length)
                return fail(why, "PORTION_LENGTH %u, but %zu report bytes follow", m.portion_length,
                            len - SIZE_REPORT_MIN);
        m.portion = m.portion_length ? in + SIZE_REPORT_MIN : NULL;
        *out = m;
        return true;
}

bool tdisp_device_interface_report_encode(uint8_t *out, size_t cap, const struct tdisp_report_portion *m,
                                          size_t *len)
{
        struct byte_writer w;
        enc_start(&w, out, cap, TDISP_DEVICE_INTERFACE_REPORT, m->function_id, len);
        if (m->portion_length && !m->portion)
                return false;
        bw_le16(&w, m->portion_length);
        bw_le16(&w, m->remainder_length);
        bw_bytes(&w, m->portion, m->portion_length);
        return enc_done(&w, len);
}

/* ---- DEVICE_INTERFACE_STATE ---- */

bool tdisp_device_interface_state_decode(const uint8_t *in, size_t len, struct tdisp_interface_state *out,
                                         char *why)
{
        struct tdisp_interface_state m = { 0 };
        memset(out, 0, sizeof(*out));
        if (!fixed_check(in, len, TDISP_DEVICE_INTERFACE_STATE, SIZE_STATE, &m.function_id, why))
                return false;
        m.tdi_state = in[OFF_PAYLOAD];
        if (m.tdi_state > TDISP_STATE_ERROR)
                return fail(why, "TDI_STATE %u is not a state (0..3)", m.tdi_state);
        *out = m;
        return true;
}

bool tdisp_device_interface_state_encode(uint8_t *out, size_t cap, const struct tdisp_interface_state *m,
                                         size_t *len)
{
        struct byte_writer w;
        enc_start(&w, out, cap, TDISP_DEVICE_INTERFACE_STATE, m->function_id, len);
        if (m->tdi_state > TDISP_STATE_ERROR)
                return false;
        bw_u8(&w, m->tdi_state);
        return enc_done(&w, len);
}

/* ---- BIND/UNBIND_P2P_STREAM_REQUEST, SET_MMIO_ATTRIBUTE_REQUEST ---- */

static bool p2p_decode(const uint8_t *in, size_t len, uint8_t type, struct tdisp_p2p_stream *out, char *why)
{
        uint32_t fid = 0;
        memset(out, 0, sizeof(*out));
        if (!fixed_check(in, len, type, SIZE_P2P, &fid, why))
                return false;
        out->function_id = fid;
        out->p2p_stream_id = in[OFF_PAYLOAD];
        return true;
}

static bool p2p_encode(uint8_t *out, size_t cap, uint8_t type, const struct tdisp_p2p_stream *m, size_t *len)
{
        struct byte_writer w;
        enc_start(&w, out, cap, type, m->function_id, len);
        bw_u8(&w, m->p2p_stream_id);
        return enc_done(&w, len);
}

bool tdisp_bind_p2p_stream_request_decode(const uint8_t *in, size_t len, struct tdisp_p2p_stream *out, char *why)
{
        return p2p_decode(in, len, TDISP_BIND_P2P_STREAM_REQUEST, out, why);
}
bool tdisp_bind_p2p_stream_request_encode(uint8_t *out, size_t cap, const struct tdisp_p2p_stream *m, size_t *len)
{
        return p2p_encode(out, cap, TDISP_BIND_P2P_STREAM_REQUEST, m, len);
}
bool tdisp_unbind_p2p_stream_request_decode(const uint8_t *in, size_t len, struct tdisp_p2p_stream *out, char *why)
{
        return p2p_decode(in, len, TDISP_UNBIND_P2P_STREAM_REQUEST, out, why);
}
bool tdisp_unbind_p2p_stream_request_encode(uint8_t *out, size_t cap, const struct tdisp_p2p_stream *m,
                                            size_t *len)
{
        return p2p_encode(out, cap, TDISP_UNBIND_P2P_STREAM_REQUEST, m, len);
}

static struct tdi_mmio_range range_read(struct byte_reader *r)
{
        struct tdi_mmio_range rg;
        rg.first_page = br_le64(r);
        rg.num_pages = br_le32(r);
        rg.attributes = br_le16(r);
        rg.range_id = br_le16(r);
        return rg;
}

static void range_write(struct byte_writer *w, const struct tdi_mmio_range *rg)
{
        bw_le64(w, rg->first_page);
        bw_le32(w, rg->num_pages);
        bw_le16(w, rg->attributes);
        bw_le16(w, rg->range_id);
}

bool tdisp_set_mmio_attribute_request_decode(const uint8_t *in, size_t len, struct tdisp_set_mmio_attribute *out,
                                             char *why)
{
        struct tdisp_set_mmio_attribute m = { 0 };
        struct byte_reader r;
        memset(out, 0, sizeof(*out));
        if (!fixed_check(in, len, TDISP_SET_MMIO_ATTRIBUTE_REQUEST, SIZE_SET_MMIO, &m.function_id, why))
                return false;
        br_init(&r, in + OFF_PAYLOAD, TDISP_MMIO_RANGE_SIZE);
        m.range = range_read(&r);
        *out = m;
        return true;
}

bool tdisp_set_mmio_attribute_request_encode(uint8_t *out, size_t cap, const struct tdisp_set_mmio_attribute *m,
                                             size_t *len)
{
        struct byte_writer w;
        enc_start(&w, out, cap, TDISP_SET_MMIO_ATTRIBUTE_REQUEST, m->function_id, len);
        range_write(&w, &m->range);
        return enc_done(&w, len);
}

/* ---- vendor-defined data: VDM_REQUEST / VDM_RESPONSE, VENDOR_SPECIFIC_ERROR ---- */

static bool vendor_read(const uint8_t *p, size_t n, struct tdisp_vendor_data *v, char *why)
{
        memset(v, 0, sizeof(*v));
        if (n < 2)
                return fail(why, "truncated: vendor data of %zu bytes, RegistryID and VendorIDLen need 2", n);
        if (p[0] != TDISP_REGISTRY_PCISIG && p[0] != TDISP_REGISTRY_CXL)
                return fail(why, "RegistryID %u is neither PCI-SIG (0) nor CXL (1)", p[0]);
        if (p[1] > n - 2)
                return fail(why, "truncated: VendorIDLen %u, %zu bytes left", p[1], n - 2);
        v->registry_id = p[0];
        v->vendor_id_len = p[1];
        v->vendor_id = p[1] ? p + 2 : NULL;
        v->data_len = n - 2u - p[1];
        v->data = v->data_len ? p + 2 + p[1] : NULL;
        return true;
}

/* The size of v on the wire, 0 if v cannot be written. */
static size_t vendor_size(const struct tdisp_vendor_data *v)
{
        if (v->registry_id > TDISP_REGISTRY_CXL || (v->vendor_id_len && !v->vendor_id) || (v->data_len && !v->data) ||
            v->data_len > UINT32_MAX - 2u - 255u)
                return 0;
        return 2u + v->vendor_id_len + v->data_len;
}

static void vendor_write(struct byte_writer *w, const struct tdisp_vendor_data *v)
{
        bw_u8(w, v->registry_id);
        bw_u8(w, v->vendor_id_len);
        bw_bytes(w, v->vendor_id, v->vendor_id_len);
        bw_bytes(w, v->data, v->data_len);
}

static bool vdm_decode(const uint8_t *in, size_t len, uint8_t type, struct tdisp_vdm *out, char *why)
{
        struct tdisp_vdm m = { 0 };
        memset(out, 0, sizeof(*out));
        if (!hdr_check(in, len, type, &m.function_id, why) ||
            !vendor_read(in + OFF_PAYLOAD, len - OFF_PAYLOAD, &m.vendor, why))
                return false;
        *out = m;
        return true;
}

static bool vdm_encode(uint8_t *out, size_t cap, uint8_t type, const struct tdisp_vdm *m, size_t *len)
{
        struct byte_writer w;
        enc_start(&w, out, cap, type, m->function_id, len);
        if (!vendor_size(&m->vendor))
                return false;
        vendor_write(&w, &m->vendor);
        return enc_done(&w, len);
}

bool tdisp_vdm_request_decode(const uint8_t *in, size_t len, struct tdisp_vdm *out, char *why)
{
        return vdm_decode(in, len, TDISP_VDM_REQUEST, out, why);
}
bool tdisp_vdm_request_encode(uint8_t *out, size_t cap, const struct tdisp_vdm *m, size_t *len)
{
        return vdm_encode(out, cap, TDISP_VDM_REQUEST, m, len);
}
bool tdisp_vdm_response_decode(const uint8_t *in, size_t len, struct tdisp_vdm *out, char *why)
{
        return vdm_decode(in, len, TDISP_VDM_RESPONSE, out, why);
}
bool tdisp_vdm_response_encode(uint8_t *out, size_t cap, const struct tdisp_vdm *m, size_t *len)
{
        return vdm_encode(out, cap, TDISP_VDM_RESPONSE, m, len);
}

/* ---- TDISP_ERROR ---- */

bool tdisp_error_decode(const uint8_t *in, size_t len, struct tdisp_error *out, char *why)
{
        struct tdisp_error m = { 0 };
        memset(out, 0, sizeof(*out));
        if (!hdr_check(in, len, TDISP_ERROR, &m.function_id, why))
                return false;
        if (len < SIZE_ERROR_MIN)
                return fail(why, "truncated: TDISP_ERROR of %zu bytes, ERROR_CODE and ERROR_DATA need %u", len,
                            SIZE_ERROR_MIN);
        m.error_code = ld_le32(in + OFF_PAYLOAD);
        m.error_data = ld_le32(in + OFF_PAYLOAD + 4u);
        m.ext_len = len - SIZE_ERROR_MIN;
        m.ext = m.ext_len ? in + SIZE_ERROR_MIN : NULL;
        if (m.error_code != TDISP_ERR_VENDOR_SPECIFIC_ERROR) {
                if (m.ext_len)
                        return fail(why, "%s with %zu bytes of EXTENDED_ERROR_DATA (only vendor errors carry it)",
                                    tdisp_error_name(m.error_code), m.ext_len);
        } else {
                if (m.error_data != m.ext_len)
                        return fail(why, "VENDOR_SPECIFIC_ERROR: ERROR_DATA %u, but %zu extended bytes follow",
                                    m.error_data, m.ext_len);
                if (!vendor_read(m.ext, m.ext_len, &m.vendor, why))
                        return false;
        }
        *out = m;
        return true;
}

bool tdisp_error_encode(uint8_t *out, size_t cap, const struct tdisp_error *m, size_t *len)
{
        struct byte_writer w;
        enc_start(&w, out, cap, TDISP_ERROR, m->function_id, len);
        bw_le32(&w, m->error_code);
        if (m->error_code != TDISP_ERR_VENDOR_SPECIFIC_ERROR) {
                if (m->ext_len)
                        return false;
                bw_le32(&w, m->error_data);
        } else {
                size_t n = vendor_size(&m->vendor);
                if (!n)
                        return false;
                bw_le32(&w, (uint32_t)n); /* n <= UINT32_MAX: vendor_size */
                vendor_write(&w, &m->vendor);
        }
        return enc_done(&w, len);
}

/* ---- the TDI report ---- */

size_t tdi_report_size(const struct tdi_report *r)
{
        /* < 2^37: no overflow in 64 bits */
        uint64_t n = TDI_REPORT_MIN_SIZE + (uint64_t)r->range_count * TDISP_MMIO_RANGE_SIZE + r->device_info_len;
        return n <= SIZE_MAX ? (size_t)n : 0;
}

bool tdi_report_decode(const uint8_t *in, size_t len, struct tdi_report *out, struct tdi_mmio_range *ranges,
                       size_t ranges_cap, char *why)
{
        struct tdi_report m = { 0 };
        struct byte_reader r;
        memset(out, 0, sizeof(*out));
        if (len < TDI_REPORT_MIN_SIZE)
                return fail(why, "truncated: a TDI report of %zu bytes, at least %u", len, TDI_REPORT_MIN_SIZE);
        m.range_count = ld_le32(in + 12);
        /* range count vs length: the ranges and DEVICE_SPECIFIC_INFO_LEN must fit. */
        if (m.range_count > (len - TDI_REPORT_MIN_SIZE) / TDISP_MMIO_RANGE_SIZE)
                return fail(why, "MMIO_RANGE_COUNT %u does not fit a report of %zu bytes", m.range_count, len);
        if (m.range_count > ranges_cap)
                return fail(why, "MMIO_RANGE_COUNT %u, room for %zu ranges (the caller's limit)", m.range_count,
                            ranges_cap);
        size_t info_off = TDI_REPORT_HEADER_SIZE + (size_t)m.range_count * TDISP_MMIO_RANGE_SIZE;
        m.device_info_len = ld_le32(in + info_off);
        if (m.device_info_len != len - info_off - 4u)
                return fail(why, "DEVICE_SPECIFIC_INFO_LEN %u, but %zu bytes follow", m.device_info_len,
                            len - info_off - 4u);
        /* The layout holds: only now is the caller's storage written. */
        br_init(&r, in, len);
        m.interface_info = br_le16(&r);
        br_skip(&r, 2); /* Reserved */
        m.msi_x_message_control = br_le16(&r);
        m.lnr_control = br_le16(&r);
        m.tph_control = br_le32(&r);
        br_skip(&r, 4); /* MMIO_RANGE_COUNT, read above */
        for (uint32_t i = 0; i < m.range_count; i++)
                ranges[i] = range_read(&r);
        br_skip(&r, 4);
        m.device_info = m.device_info_len ? br_take(&r, m.device_info_len) : NULL;
        if (!br_ok(&r) || br_remaining(&r) != 0) { /* unreachable: the lengths were checked */
                memset(ranges, 0, m.range_count * sizeof(*ranges));
                return fail(why, "TDI report layout");
        }
        m.ranges = m.range_count ? ranges : NULL;
        *out = m;
        return true;
}

bool tdi_report_encode(uint8_t *out, size_t cap, const struct tdi_report *r, size_t *len)
{
        struct byte_writer w;
        *len = 0;
        if ((r->range_count && !r->ranges) || (r->device_info_len && !r->device_info) || !tdi_report_size(r))
                return false;
        bw_init(&w, out, cap);
        bw_le16(&w, r->interface_info);
        bw_zero(&w, 2);
        bw_le16(&w, r->msi_x_message_control);
        bw_le16(&w, r->lnr_control);
        bw_le32(&w, r->tph_control);
        bw_le32(&w, r->range_count);
        for (uint32_t i = 0; i < r->range_count && bw_ok(&w); i++)
                range_write(&w, &r->ranges[i]);
        bw_le32(&w, r->device_info_len);
        bw_bytes(&w, r->device_info, r->device_info_len);
        return enc_done(&w, len);
}

bool tdi_mmio_range_addr(const struct tdi_mmio_range *rg, uint64_t mmio_reporting_offset, uint64_t *base,
                         uint64_t *size)
{
        *base = 0;
        *size = 0;
        if (rg->first_page > (UINT64_MAX >> TDI_PAGE_SHIFT))
                return false;
        uint64_t reported = rg->first_page << TDI_PAGE_SHIFT;
        uint64_t n = (uint64_t)rg->num_pages << TDI_PAGE_SHIFT;
        uint64_t real = reported - mmio_reporting_offset; /* modulo 2^64.  facts §6.3 */
        if (n && (reported > UINT64_MAX - (n - 1u) || real > UINT64_MAX - (n - 1u)))
                return false;
        *base = real;
        *size = n;
        return true;
}

static bool range_check(const struct tdi_mmio_range *rg, uint32_t i, const struct tdi_report_policy *p,
                        char *why)
{
        uint64_t base, size;
        if (rg->attributes & TDI_RANGE_RESERVED)
                return fail(why, "range %u: reserved attribute bits 0x%04x set (ccada policy)", i,
                            rg->attributes & TDI_RANGE_RESERVED);
        if ((rg->attributes & (TDI_RANGE_MSIX_TABLE | TDI_RANGE_MSIX_PBA)) && !(p->lock_flags & TDISP_LOCK_LOCK_MSIX))
                return fail(why, "range %u: MSI-X Table/PBA reported, but LOCK_MSIX was not requested (§11.3.11)", i);
        if (rg->num_pages == 0)
                return fail(why, "range %u: no pages (ccada policy)", i);
        if (!tdi_mmio_range_addr(rg, p->mmio_reporting_offset, &base, &size))
                return fail(why, "range %u: page 0x%llx + %u pages leaves the 64-bit address space (ccada policy)", i,
                            (unsigned long long)rg->first_page, rg->num_pages);
        return true;
}

/* No overlap (ccada policy), pairwise: the ranges are few and the caller bounds them. Runs
 * after range_check accepted every range, so each address computation succeeds. */
static bool ranges_disjoint(const struct tdi_report *r, const struct tdi_report_policy *p, char *why)
{
        for (uint32_t i = 0; i < r->range_count; i++) {
                uint64_t bi, si, bj, sj;
                if (!tdi_mmio_range_addr(&r->ranges[i], p->mmio_reporting_offset, &bi, &si))
                        return fail(why, "range %u: no address", i);
                for (uint32_t j = i + 1; j < r->range_count; j++) {
                        if (!tdi_mmio_range_addr(&r->ranges[j], p->mmio_reporting_offset, &bj, &sj))
                                return fail(why, "range %u: no address", j);
                        if (bi - bj < sj || bj - bi < si) /* [bi, bi+si) and [bj, bj+sj) meet */
                                return fail(why, "ranges %u and %u overlap (ccada policy)", i, j);
                }
        }
        return true;
}

bool tdi_report_check(const struct tdi_report *r, const struct tdi_report_policy *p, char *why)
{
        if (r->range_count && !r->ranges)
                return fail(why, "%u ranges without their storage", r->range_count);
        if (p->mmio_reporting_offset & ((1u << TDI_PAGE_SHIFT) - 1u))
                return fail(why, "MMIO_REPORTING_OFFSET 0x%llx is not page-aligned (ccada policy)",
                            (unsigned long long)p->mmio_reporting_offset);
        if (r->interface_info & TDI_INFO_RESERVED)
                return fail(why, "INTERFACE_INFO reserved bits 0x%04x set (ccada policy)",
                            r->interface_info & TDI_INFO_RESERVED);
        for (uint32_t i = 0; i < r->range_count; i++)
                if (!range_check(&r->ranges[i], i, p, why))
                        return false;
        return ranges_disjoint(r, p, why);
}

/* ---- reassembly ---- */

void tdi_report_asm_init(struct tdi_report_asm *a, uint8_t *buf, size_t cap)
{
        memset(a, 0, sizeof(*a));
        a->buf = buf;
        a->cap = cap;
}

uint16_t tdi_report_asm_next(const struct tdi_report_asm *a)
{
        return a->have <= UINT16_MAX ? (uint16_t)a->have : 0; /* asm_add keeps have <= 0xFFFF until done */
}

bool tdi_report_asm_done(const struct tdi_report_asm *a) { return a->done && !a->broken; }

static bool asm_refuse(struct tdi_report_asm *a, char *why, const char *reason, size_t v1, size_t v2)
{
        a->broken = true;
        return fail(why, "report portion: %s (%zu, %zu)", reason, v1, v2);
}

bool tdi_report_asm_add(struct tdi_report_asm *a, const struct tdisp_get_report *req,
                        const struct tdisp_report_portion *rsp, char *why)
{
        if (a->broken || a->done)
                return asm_refuse(a, why, a->broken ? "the assembly is broken" : "the report is complete", a->have,
                                  a->total);
        if (rsp->function_id != req->function_id)
                return asm_refuse(a, why, "INTERFACE_ID differs from the request's", rsp->function_id,
                                  req->function_id);
        if (req->offset != a->have)
                return asm_refuse(a, why, "requested OFFSET is not the bytes held", req->offset, a->have);
        if (rsp->portion_length == 0 || rsp->portion_length > req->length || !rsp->portion)
                return asm_refuse(a, why, "PORTION_LENGTH is 0 or above the requested LENGTH", rsp->portion_length,
                                  req->length);
        size_t total = a->have + rsp->portion_length + rsp->remainder_length;
        if (a->started && total != a->total)
                return asm_refuse(a, why, "OFFSET + PORTION_LENGTH + REMAINDER_LENGTH changed", total, a->total);
        if (total > a->cap)
                return asm_refuse(a, why, "the report exceeds the buffer", total, a->cap);
        if (rsp->remainder_length && a->have + rsp->portion_length > UINT16_MAX)
                return asm_refuse(a, why, "the next OFFSET would not fit 16 bits", a->have + rsp->portion_length,
                                  (size_t)UINT16_MAX);
        memcpy(a->buf + a->have, rsp->portion, rsp->portion_length);
        a->have += rsp->portion_length;
        a->total = total;
        a->started = true;
        a->done = rsp->remainder_length == 0;
        return true;
}

/* ---- names ---- */

const char *tdisp_code_name(uint8_t type)
{
        static const char *const req[] = {
                [0x01] = "GET_TDISP_VERSION",           [0x02] = "GET_TDISP_CAPABILITIES",
                [0x03] = "LOCK_INTERFACE_REQUEST",      [0x04] = "GET_DEVICE_INTERFACE_REPORT",
                [0x05] = "GET_DEVICE_INTERFACE_STATE",  [0x06] = "START_INTERFACE_REQUEST",
                [0x07] = "STOP_INTERFACE_REQUEST",      [0x08] = "BIND_P2P_STREAM_REQUEST",
                [0x09] = "UNBIND_P2P_STREAM_REQUEST",   [0x0A] = "SET_MMIO_ATTRIBUTE_REQUEST",
                [0x0B] = "VDM_REQUEST",
        };
        static const char *const rsp[] = {
                [0x01] = "TDISP_VERSION",               [0x02] = "TDISP_CAPABILITIES",
                [0x03] = "LOCK_INTERFACE_RESPONSE",     [0x04] = "DEVICE_INTERFACE_REPORT",
                [0x05] = "DEVICE_INTERFACE_STATE",      [0x06] = "START_INTERFACE_RESPONSE",
                [0x07] = "STOP_INTERFACE_RESPONSE",     [0x08] = "BIND_P2P_STREAM_RESPONSE",
                [0x09] = "UNBIND_P2P_STREAM_RESPONSE",  [0x0A] = "SET_MMIO_ATTRIBUTE_RESPONSE",
                [0x0B] = "VDM_RESPONSE",
        };
        if (type == TDISP_ERROR)
                return "TDISP_ERROR";
        const char *const *t = type & 0x80u ? req : rsp;
        unsigned i = type & 0x7Fu;
        return i < sizeof(req) / sizeof(req[0]) && t[i] ? t[i] : "UNKNOWN";
}

const char *tdisp_error_name(uint32_t code)
{
        switch (code) {
        case TDISP_ERR_INVALID_REQUEST: return "INVALID_REQUEST";
        case TDISP_ERR_BUSY: return "BUSY";
        case TDISP_ERR_INVALID_INTERFACE_STATE: return "INVALID_INTERFACE_STATE";
        case TDISP_ERR_UNSPECIFIED: return "UNSPECIFIED";
        case TDISP_ERR_UNSUPPORTED_REQUEST: return "UNSUPPORTED_REQUEST";
        case TDISP_ERR_VERSION_MISMATCH: return "VERSION_MISMATCH";
        case TDISP_ERR_VENDOR_SPECIFIC_ERROR: return "VENDOR_SPECIFIC_ERROR";
        case TDISP_ERR_INVALID_INTERFACE: return "INVALID_INTERFACE";
        case TDISP_ERR_INVALID_NONCE: return "INVALID_NONCE";
        case TDISP_ERR_INSUFFICIENT_ENTROPY: return "INSUFFICIENT_ENTROPY";
        case TDISP_ERR_INVALID_DEVICE_CONFIGURATION: return "INVALID_DEVICE_CONFIGURATION";
        default: return "UNKNOWN";
        }
}

const char *tdisp_state_name(uint8_t state)
{
        static const char *const names[] = { "CONFIG_UNLOCKED", "CONFIG_LOCKED", "RUN", "ERROR" };
        return state < 4u ? names[state] : "UNKNOWN";
}

uint8_t tdisp_request_legal_states(uint8_t req)
{
        switch (req) { /* facts §6.2 */
        case TDISP_GET_TDISP_VERSION:
        case TDISP_GET_TDISP_CAPABILITIES:
        case TDISP_GET_DEVICE_INTERFACE_STATE:
        case TDISP_STOP_INTERFACE_REQUEST:
        case TDISP_VDM_REQUEST:
                return TDISP_STATES_ALL;
        case TDISP_LOCK_INTERFACE_REQUEST:
                return TDISP_STATE_BIT(TDISP_STATE_CONFIG_UNLOCKED);
        case TDISP_GET_DEVICE_INTERFACE_REPORT:
                return TDISP_STATE_BIT(TDISP_STATE_CONFIG_LOCKED) | TDISP_STATE_BIT(TDISP_STATE_RUN);
        case TDISP_START_INTERFACE_REQUEST:
                return TDISP_STATE_BIT(TDISP_STATE_CONFIG_LOCKED);
        case TDISP_BIND_P2P_STREAM_REQUEST:
        case TDISP_UNBIND_P2P_STREAM_REQUEST:
        case TDISP_SET_MMIO_ATTRIBUTE_REQUEST:
                return TDISP_STATE_BIT(TDISP_STATE_RUN);
        default:
                return 0;
        }
}
