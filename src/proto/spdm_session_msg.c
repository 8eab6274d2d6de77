/* SPDM session messages: KEY_EXCHANGE, FINISH, END_SESSION, HEARTBEAT, KEY_UPDATE (and their
 * responses), VENDOR_DEFINED, and the secured-message version opaque data.
 * DSP0274 1.2.1 §10.13-§10.18, §10.20; DSP0277 1.0 §8 */
#include <string.h>

#include "lib/bytes.h"
#include "proto/spdm.h"
#include "proto/spdm_wire.h"

static bool summary_type_ok(uint8_t t)
{
        return t == SPDM_SUMMARY_HASH_NONE || t == SPDM_SUMMARY_HASH_TCB || t == SPDM_SUMMARY_HASH_ALL;
}

static bool session_layout_ok(const struct spdm_sizes *sz)
{
        return sz && sz->version >= SPDM_VERSION_11 && sz->version <= SPDM_LAYOUT_MAX;
}

/* ---- KEY_EXCHANGE / KEY_EXCHANGE_RSP.  §10.13 Tables 62-63 ---- */

bool spdm_key_exchange_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz,
                              struct spdm_key_exchange *out, size_t *used, char *why)
{
        struct spdm_key_exchange m = { 0 };
        struct byte_reader r;
        uint8_t p1, p2;
        memset(out, 0, sizeof(*out));
        *used = 0;
        br_init(&r, in, len);
        if (!spdm_hdr_read(&r, sz, SPDM_KEY_EXCHANGE, SPDM_VERSION_11, SPDM_LAYOUT_MAX, &p1, &p2, why) ||
            !spdm_need_dhe(sz, why))
                return false;
        if (!summary_type_ok(p1))
                return spdm_fail(why, "MeasurementSummaryHashType 0x%02x is not 0, 1 or 0xFF", p1);
        if (p2 > SPDM_SLOT_MAX && p2 != SPDM_SLOT_PUB_KEY_BYTE)
                return spdm_fail(why, "SlotID %u is neither 0..7 nor 0xFF", p2);
        m.summary_type = p1;
        m.slot_id = p2;
        const uint8_t *p = spdm_take(&r, 4, "ReqSessionID and SessionPolicy", why);
        if (!p)
                return false;
        m.req_session_id = ld_le16(p);
        m.session_policy = p[2];
        m.random = spdm_take(&r, SPDM_RANDOM_SIZE, "RandomData", why);
        m.exchange = m.random ? spdm_take(&r, sz->dhe_len, "ExchangeData", why) : NULL;
        if (!m.exchange || !spdm_opaque_field_read(&r, &m.opaque_len, &m.opaque, why))
                return false;
        *out = m;
        *used = r.off;
        return true;
}

bool spdm_key_exchange_encode(uint8_t *out, size_t cap, const struct spdm_key_exchange *m,
                              const struct spdm_sizes *sz, size_t *len)
{
        struct byte_writer w;
        bw_init(&w, out, cap);
        if (!session_layout_ok(sz) || !spdm_need_dhe(sz, NULL) || !summary_type_ok(m->summary_type))
                return spdm_enc_done((w.err = true, &w), len);
        spdm_hdr_write(&w, sz->version, SPDM_KEY_EXCHANGE, m->summary_type, m->slot_id);
        bw_le16(&w, m->req_session_id);
        bw_u8(&w, m->session_policy);
        bw_u8(&w, 0);
        spdm_put(&w, m->random, SPDM_RANDOM_SIZE);
        spdm_put(&w, m->exchange, sz->dhe_len);
        spdm_opaque_field_write(&w, m->opaque_len, m->opaque);
        return spdm_enc_done(&w, len);
}

bool spdm_key_exchange_rsp_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz, uint8_t summary_type,
                                  struct spdm_key_exchange_rsp *out, size_t *used, char *why)
{
        struct spdm_key_exchange_rsp m = { 0 };
        struct byte_reader r;
        uint8_t p1, p2;
        memset(out, 0, sizeof(*out));
        *used = 0;
        br_init(&r, in, len);
        if (!spdm_hdr_read(&r, sz, SPDM_KEY_EXCHANGE_RSP, SPDM_VERSION_11, SPDM_LAYOUT_MAX, &p1, &p2, why) ||
            !spdm_need_dhe(sz, why) || !spdm_need_hash(sz, why) || !spdm_need_sig(sz, why))
                return false;
        m.heartbeat_period = p1;
        const uint8_t *p = spdm_take(&r, 4, "RspSessionID, MutAuthRequested and ReqSlotIDParam", why);
        if (!p)
                return false;
        m.rsp_session_id = ld_le16(p);
        m.mut_auth_requested = p[2];
        m.req_slot_id_param = p[3];
        m.random = spdm_take(&r, SPDM_RANDOM_SIZE, "RandomData", why);
        m.exchange = m.random ? spdm_take(&r, sz->dhe_len, "ExchangeData", why) : NULL;
        if (!m.exchange)
                return false;
        if (summary_type != SPDM_SUMMARY_HASH_NONE) {
                m.meas_summary_hash = spdm_take(&r, sz->hash_len, "MeasurementSummaryHash", why);
                if (!m.meas_summary_hash)
                        return false;
        }
        if (!spdm_opaque_field_read(&r, &m.opaque_len, &m.opaque, why))
                return false;
        m.sig_off = r.off;
        m.signature = spdm_take(&r, sz->sig_len, "Signature", why);
        if (!m.signature)
                return false;
        m.verify_off = r.off;
        if (!sz->handshake_in_the_clear) {
                m.verify_data = spdm_take(&r, sz->hash_len, "ResponderVerifyData", why);
                if (!m.verify_data)
                        return false;
        }
        *out = m;
        *used = r.off;
        return true;
}

bool spdm_key_exchange_rsp_encode(uint8_t *out, size_t cap, const struct spdm_key_exchange_rsp *m,
                                  const struct spdm_sizes *sz, size_t *len)
{
        struct byte_writer w;
        bw_init(&w, out, cap);
        if (!session_layout_ok(sz) || !spdm_need_dhe(sz, NULL) || !spdm_need_hash(sz, NULL) ||
            !spdm_need_sig(sz, NULL) || (!sz->handshake_in_the_clear && !m->verify_data))
                return spdm_enc_done((w.err = true, &w), len);
        spdm_hdr_write(&w, sz->version, SPDM_KEY_EXCHANGE_RSP, m->heartbeat_period, 0);
        bw_le16(&w, m->rsp_session_id);
        bw_u8(&w, m->mut_auth_requested);
        bw_u8(&w, m->req_slot_id_param);
        spdm_put(&w, m->random, SPDM_RANDOM_SIZE);
        spdm_put(&w, m->exchange, sz->dhe_len);
        if (m->meas_summary_hash)
                spdm_put(&w, m->meas_summary_hash, sz->hash_len);
        spdm_opaque_field_write(&w, m->opaque_len, m->opaque);
        spdm_put(&w, m->signature, sz->sig_len);
        if (!sz->handshake_in_the_clear)
                spdm_put(&w, m->verify_data, sz->hash_len);
        return spdm_enc_done(&w, len);
}

/* ---- FINISH / FINISH_RSP.  §10.14 Tables 64-65 ---- */

bool spdm_finish_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz, struct spdm_finish *out,
                        size_t *used, char *why)
{
        struct spdm_finish m = { 0 };
        struct byte_reader r;
        uint8_t p1, p2;
        memset(out, 0, sizeof(*out));
        *used = 0;
        br_init(&r, in, len);
        if (!spdm_hdr_read(&r, sz, SPDM_FINISH, SPDM_VERSION_11, SPDM_LAYOUT_MAX, &p1, &p2, why) ||
            !spdm_need_hash(sz, why))
                return false;
        m.sig_included = p1 & SPDM_FINISH_SIG_INCLUDED;
        m.req_slot_id = p2;
        m.sig_off = r.off;
        if (m.sig_included) {
                if (sz->req_sig_len == 0 || sz->req_sig_len > SPDM_SIG_MAX)
                        return spdm_fail(why, "FINISH carries a signature, but no requester signature size");
                m.signature = spdm_take(&r, sz->req_sig_len, "Signature", why);
                if (!m.signature)
                        return false;
        }
        m.verify_off = r.off;
        m.verify_data = spdm_take(&r, sz->hash_len, "RequesterVerifyData", why);
        if (!m.verify_data)
                return false;
        *out = m;
        *used = r.off;
        return true;
}

bool spdm_finish_encode(uint8_t *out, size_t cap, const struct spdm_finish *m, const struct spdm_sizes *sz,
                        size_t *len)
{
        struct byte_writer w;
        bw_init(&w, out, cap);
        if (!session_layout_ok(sz) || !spdm_need_hash(sz, NULL) ||
            (m->sig_included && (sz->req_sig_len == 0 || sz->req_sig_len > SPDM_SIG_MAX)))
                return spdm_enc_done((w.err = true, &w), len);
        spdm_hdr_write(&w, sz->version, SPDM_FINISH, m->sig_included ? SPDM_FINISH_SIG_INCLUDED : 0u, m->req_slot_id);
        if (m->sig_included)
                spdm_put(&w, m->signature, sz->req_sig_len);
        spdm_put(&w, m->verify_data, sz->hash_len);
        return spdm_enc_done(&w, len);
}

bool spdm_finish_rsp_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz, struct spdm_finish_rsp *out,
                            size_t *used, char *why)
{
        struct spdm_finish_rsp m = { 0 };
        struct byte_reader r;
        uint8_t p1, p2;
        memset(out, 0, sizeof(*out));
        *used = 0;
        br_init(&r, in, len);
        if (!spdm_hdr_read(&r, sz, SPDM_FINISH_RSP, SPDM_VERSION_11, SPDM_LAYOUT_MAX, &p1, &p2, why))
                return false;
        if (sz->handshake_in_the_clear) {
                if (!spdm_need_hash(sz, why))
                        return false;
                m.verify_data = spdm_take(&r, sz->hash_len, "ResponderVerifyData", why);
                if (!m.verify_data)
                        return false;
        }
        *out = m;
        *used = r.off;
        return true;
}

bool spdm_finish_rsp_encode(uint8_t *out, size_t cap, const struct spdm_finish_rsp *m, const struct spdm_sizes *sz,
                            size_t *len)
{
        struct byte_writer w;
        bw_init(&w, out, cap);
        if (!session_layout_ok(sz) || (sz->handshake_in_the_clear && !spdm_need_hash(sz, NULL)))
                return spdm_enc_done((w.err = true, &w), len);
        spdm_hdr_write(&w, sz->version, SPDM_FINISH_RSP, 0, 0);
        if (sz->handshake_in_the_clear)
                spdm_put(&w, m->verify_data, sz->hash_len);
        return spdm_enc_done(&w, len);
}

/* ---- the 4-byte session messages.  §10.15-§10.18 ---- */

static bool bare_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz, uint8_t code, uint8_t *p1,
                        uint8_t *p2, size_t *used, char *why)
{
        struct byte_reader r;
        *used = 0;
        br_init(&r, in, len);
        if (!spdm_hdr_read(&r, sz, code, SPDM_VERSION_11, SPDM_LAYOUT_MAX, p1, p2, why))
                return false;
        *used = r.off;
        return true;
}

static bool bare_encode(uint8_t *out, size_t cap, const struct spdm_sizes *sz, uint8_t code, uint8_t p1, uint8_t p2,
                        size_t *len)
{
        struct byte_writer w;
        bw_init(&w, out, cap);
        if (!session_layout_ok(sz))
                w.err = true;
        else
                spdm_hdr_write(&w, sz->version, code, p1, p2);
        return spdm_enc_done(&w, len);
}

bool spdm_end_session_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz, struct spdm_end_session *out,
                             size_t *used, char *why)
{
        uint8_t p1, p2;
        memset(out, 0, sizeof(*out));
        if (!bare_decode(in, len, sz, SPDM_END_SESSION, &p1, &p2, used, why))
                return false;
        out->attributes = p1;
        return true;
}

bool spdm_end_session_encode(uint8_t *out, size_t cap, const struct spdm_end_session *m, const struct spdm_sizes *sz,
                             size_t *len)
{
        return bare_encode(out, cap, sz, SPDM_END_SESSION, m->attributes, 0, len);
}

bool spdm_end_session_ack_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz,
                                 struct spdm_end_session *out, size_t *used, char *why)
{
        uint8_t p1, p2;
        memset(out, 0, sizeof(*out));
        return bare_decode(in, len, sz, SPDM_END_SESSION_ACK, &p1, &p2, used, why);
}

bool spdm_end_session_ack_encode(uint8_t *out, size_t cap, const struct spdm_end_session *m,
                                 const struct spdm_sizes *sz, size_t *len)
{
        (void)m;
        return bare_encode(out, cap, sz, SPDM_END_SESSION_ACK, 0, 0, len);
}

bool spdm_heartbeat_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz, struct spdm_heartbeat *out,
                           size_t *used, char *why)
{
        uint8_t p1, p2;
        memset(out, 0, sizeof(*out));
        return bare_decode(in, len, sz, SPDM_HEARTBEAT, &p1, &p2, used, why);
}

bool spdm_heartbeat_encode(uint8_t *out, size_t cap, const struct spdm_heartbeat *m, const struct spdm_sizes *sz,
                           size_t *len)
{
        (void)m;
        return bare_encode(out, cap, sz, SPDM_HEARTBEAT, 0, 0, len);
}

bool spdm_heartbeat_ack_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz, struct spdm_heartbeat *out,
                               size_t *used, char *why)
{
        uint8_t p1, p2;
        memset(out, 0, sizeof(*out));
        return bare_decode(in, len, sz, SPDM_HEARTBEAT_ACK, &p1, &p2, used, why);
}

bool spdm_heartbeat_ack_encode(uint8_t *out, size_t cap, const struct spdm_heartbeat *m, const struct spdm_sizes *sz,
                               size_t *len)
{
        (void)m;
        return bare_encode(out, cap, sz, SPDM_HEARTBEAT_ACK, 0, 0, len);
}

static bool key_update_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz, uint8_t code,
                              struct spdm_key_update *out, size_t *used, char *why)
{
        uint8_t p1, p2;
        memset(out, 0, sizeof(*out));
        if (!bare_decode(in, len, sz, code, &p1, &p2, used, why))
                return false;
        if (p1 < SPDM_KEY_UPDATE_OP_UPDATE_KEY || p1 > SPDM_KEY_UPDATE_OP_VERIFY_NEW_KEY) {
                *used = 0;
                return spdm_fail(why, "KeyOperation %u is not 1..3", p1);
        }
        out->operation = p1;
        out->tag = p2;
        return true;
}

bool spdm_key_update_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz, struct spdm_key_update *out,
                            size_t *used, char *why)
{
        return key_update_decode(in, len, sz, SPDM_KEY_UPDATE, out, used, why);
}

bool spdm_key_update_ack_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz,
                                struct spdm_key_update *out, size_t *used, char *why)
{
        return key_update_decode(in, len, sz, SPDM_KEY_UPDATE_ACK, out, used, why);
}

static bool key_update_encode(uint8_t *out, size_t cap, uint8_t code, const struct spdm_key_update *m,
                              const struct spdm_sizes *sz, size_t *len)
{
        if (m->operation < SPDM_KEY_UPDATE_OP_UPDATE_KEY || m->operation > SPDM_KEY_UPDATE_OP_VERIFY_NEW_KEY) {
                *len = 0;
                return false;
        }
        return bare_encode(out, cap, sz, code, m->operation, m->tag, len);
}

bool spdm_key_update_encode(uint8_t *out, size_t cap, const struct spdm_key_update *m, const struct spdm_sizes *sz,
                            size_t *len)
{
        return key_update_encode(out, cap, SPDM_KEY_UPDATE, m, sz, len);
}

bool spdm_key_update_ack_encode(uint8_t *out, size_t cap, const struct spdm_key_update *m,
                                const struct spdm_sizes *sz, size_t *len)
{
        return key_update_encode(out, cap, SPDM_KEY_UPDATE_ACK, m, sz, len);
}

/* ---- VENDOR_DEFINED_REQUEST / RESPONSE.  §10.20 Tables 70-71 ---- */

static bool vdm_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz, uint8_t code,
                       struct spdm_vendor_defined *out, size_t *used, char *why)
{
        struct spdm_vendor_defined m = { 0 };
        struct byte_reader r;
        uint8_t p1, p2;
        memset(out, 0, sizeof(*out));
        *used = 0;
        br_init(&r, in, len);
        if (!spdm_hdr_read(&r, sz, code, SPDM_VERSION_10, SPDM_LAYOUT_MAX, &p1, &p2, why))
                return false;
        const uint8_t *p = spdm_take(&r, 3, "StandardID and Len", why);
        if (!p)
                return false;
        m.standard_id = ld_le16(p);
        m.vendor_id_len = p[2];
        m.vendor_id = spdm_take(&r, m.vendor_id_len, "VendorID", why);
        const uint8_t *l = m.vendor_id ? spdm_take(&r, 2, "the payload length", why) : NULL;
        if (!l)
                return false;
        if (!m.vendor_id_len)
                m.vendor_id = NULL;
        m.payload_len = ld_le16(l);
        m.payload = spdm_take(&r, m.payload_len, "the vendor-defined payload", why);
        if (!m.payload)
                return false;
        if (!m.payload_len)
                m.payload = NULL;
        *out = m;
        *used = r.off;
        return true;
}

static bool vdm_encode(uint8_t *out, size_t cap, uint8_t code, const struct spdm_vendor_defined *m,
                       const struct spdm_sizes *sz, size_t *len)
{
        struct byte_writer w;
        bw_init(&w, out, cap);
        if (!sz || sz->version < SPDM_VERSION_10 || sz->version > SPDM_LAYOUT_MAX)
                w.err = true;
        else
                spdm_hdr_write(&w, sz->version, code, 0, 0);
        bw_le16(&w, m->standard_id);
        bw_u8(&w, m->vendor_id_len);
        spdm_put(&w, m->vendor_id, m->vendor_id_len);
        bw_le16(&w, m->payload_len);
        spdm_put(&w, m->payload, m->payload_len);
        return spdm_enc_done(&w, len);
}

bool spdm_vendor_defined_request_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz,
                                        struct spdm_vendor_defined *out, size_t *used, char *why)
{
        return vdm_decode(in, len, sz, SPDM_VENDOR_DEFINED_REQUEST, out, used, why);
}

bool spdm_vendor_defined_request_encode(uint8_t *out, size_t cap, const struct spdm_vendor_defined *m,
                                        const struct spdm_sizes *sz, size_t *len)
{
        return vdm_encode(out, cap, SPDM_VENDOR_DEFINED_REQUEST, m, sz, len);
}

bool spdm_vendor_defined_response_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz,
                                         struct spdm_vendor_defined *out, size_t *used, char *why)
{
        return vdm_decode(in, len, sz, SPDM_VENDOR_DEFINED_RESPONSE, out, used, why);
}

bool spdm_vendor_defined_response_encode(uint8_t *out, size_t cap, const struct spdm_vendor_defined *m,
                                         const struct spdm_sizes *sz, size_t *len)
{
        return vdm_encode(out, cap, SPDM_VENDOR_DEFINED_RESPONSE, m, sz, len);
}

bool spdm_vdm_pcisig_protocol(const struct spdm_vendor_defined *v, uint8_t *protocol_id)
{
        *protocol_id = 0;
        if (v->standard_id != SPDM_STANDARD_ID_PCISIG || v->vendor_id_len != 2 || !v->vendor_id ||
            ld_le16(v->vendor_id) != SPDM_PCISIG_VENDOR_ID || v->payload_len < 1 || !v->payload)
                return false;
        *protocol_id = v->payload[0];
        return true;
}

/* ---- secured-message version opaque data.  DSP0274 1.2.1 Table 99, DSP0277 1.0 §8 ---- */

/* The secured-message data of a DMTF element into out (which must not hold one yet). */
static bool sm_element(const uint8_t *d, size_t dlen, struct spdm_opaque_sm *out, bool *found, char *why)
{
        if (dlen < 2)
                return spdm_fail(why, "a DMTF opaque element of %zu bytes", dlen);
        if (d[0] != SPDM_SM_DATA_VERSION)
                return spdm_fail(why, "SMDataVersion %u, not 1", d[0]);
        if (d[1] != SPDM_SM_DATA_ID_SELECTION && d[1] != SPDM_SM_DATA_ID_SUPPORTED_LIST)
                return true; /* another DMTF datum: skipped */
        if (*found)
                return spdm_fail(why, "two secured-message version elements");
        *found = true;
        if (d[1] == SPDM_SM_DATA_ID_SELECTION) {
                if (dlen != 4)
                        return spdm_fail(why, "a VersionSelection element of %zu bytes, not 4", dlen);
                out->is_selection = true;
                out->selected = ld_le16(d + 2);
                return true;
        }
        if (dlen < 3 || d[2] == 0 || d[2] > SPDM_SM_VERSIONS_MAX)
                return spdm_fail(why, "a SupportedVersionList with %u versions (1..%u)", dlen < 3 ? 0u : d[2],
                                 SPDM_SM_VERSIONS_MAX);
        if (dlen != 3u + 2u * d[2])
                return spdm_fail(why, "a SupportedVersionList of %u versions in %zu bytes", d[2], dlen);
        out->version_count = d[2];
        for (unsigned i = 0; i < d[2]; i++)
                out->versions[i] = ld_le16(d + 3 + 2 * i);
        return true;
}

static bool opaque_table_header(struct byte_reader *r, uint8_t fmt, unsigned *total, char *why)
{
        if (fmt == SPDM_OPAQUE_FMT_1) {
                const uint8_t *p = spdm_take(r, 4, "the general opaque data header", why);
                if (!p)
                        return false;
                *total = p[0];
                return true;
        }
        if (fmt != SPDM_OPAQUE_FMT_0)
                return spdm_fail(why, "opaque data format 0x%x is neither Fmt0 nor Fmt1", fmt);
        const uint8_t *p = spdm_take(r, 8, "the DSP0277 opaque data header", why);
        if (!p)
                return false;
        if (ld_le32(p) != SPDM_OPAQUE_FMT0_SPEC_ID || p[4] != SPDM_OPAQUE_FMT0_VERSION)
                return spdm_fail(why, "Fmt0 header SpecID 0x%08x version %u (want \"DMTF\", 1)", ld_le32(p), p[4]);
        *total = p[5];
        return true;
}

bool spdm_opaque_sm_decode(const uint8_t *in, size_t len, uint8_t fmt, struct spdm_opaque_sm *out, char *why)
{
        struct spdm_opaque_sm m = { 0 };
        struct byte_reader r;
        unsigned total = 0;
        bool found = false;
        memset(out, 0, sizeof(*out));
        br_init(&r, in, len);
        if (!opaque_table_header(&r, fmt, &total, why))
                return false;
        for (unsigned i = 0; i < total; i++) {
                size_t start = r.off;
                const uint8_t *h = spdm_take(&r, 2, "an opaque element header", why);
                const uint8_t *vid = h ? spdm_take(&r, h[1], "the element's VendorID", why) : NULL;
                const uint8_t *dl = vid ? spdm_take(&r, 2, "OpaqueElementDataLen", why) : NULL;
                const uint8_t *d = dl ? spdm_take(&r, ld_le16(dl), "the opaque element data", why) : NULL;
                if (!d)
                        return false;
                if (h[0] == SPDM_OPAQUE_ELEM_ID_DMTF && h[1] == 0 &&
                    !sm_element(d, ld_le16(dl), &m, &found, why))
                        return false;
                size_t pad = (4u - (r.off - start) % 4u) % 4u;
                if (!spdm_take(&r, pad, "the opaque element padding", why))
                        return false;
        }
        if (br_remaining(&r))
                return spdm_fail(why, "%zu bytes after %u opaque elements", br_remaining(&r), total);
        if (!found)
                return spdm_fail(why, "no secured-message version element");
        *out = m;
        return true;
}

bool spdm_opaque_sm_encode(uint8_t *out, size_t cap, uint8_t fmt, const struct spdm_opaque_sm *m, size_t *len)
{
        struct byte_writer w;
        bw_init(&w, out, cap);
        if (fmt == SPDM_OPAQUE_FMT_1) {
                bw_u8(&w, 1);
                bw_zero(&w, 3);
        } else if (fmt == SPDM_OPAQUE_FMT_0) {
                bw_le32(&w, SPDM_OPAQUE_FMT0_SPEC_ID);
                bw_u8(&w, SPDM_OPAQUE_FMT0_VERSION);
                bw_u8(&w, 1);
                bw_zero(&w, 2);
        } else {
                w.err = true;
        }
        if (!m->is_selection && (m->version_count == 0 || m->version_count > SPDM_SM_VERSIONS_MAX))
                w.err = true;
        size_t dlen = m->is_selection ? 4u : 3u + 2u * m->version_count;
        bw_u8(&w, SPDM_OPAQUE_ELEM_ID_DMTF);
        bw_u8(&w, 0);
        bw_le16(&w, (uint16_t)dlen);
        bw_u8(&w, SPDM_SM_DATA_VERSION);
        if (m->is_selection) {
                bw_u8(&w, SPDM_SM_DATA_ID_SELECTION);
                bw_le16(&w, m->selected);
        } else {
                bw_u8(&w, SPDM_SM_DATA_ID_SUPPORTED_LIST);
                bw_u8(&w, m->version_count);
                for (unsigned i = 0; i < m->version_count && i < SPDM_SM_VERSIONS_MAX; i++)
                        bw_le16(&w, m->versions[i]);
        }
        bw_zero(&w, (4u - (4u + dlen) % 4u) % 4u);
        return spdm_enc_done(&w, len);
}
