/* SPDM authentication messages: DIGESTS, CERTIFICATE and the certificate chain, CHALLENGE,
 * MEASUREMENTS and measurement blocks.  DSP0274 1.2.1 §10.6, §10.7, §10.9, §10.11 */
#include <string.h>

#include "lib/bytes.h"
#include "proto/spdm.h"
#include "proto/spdm_wire.h"

/* ---- GET_DIGESTS / DIGESTS.  §10.6 Tables 21-22 ---- */

bool spdm_get_digests_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz, struct spdm_get_digests *out,
                             size_t *used, char *why)
{
        struct byte_reader r;
        uint8_t p1, p2;
        memset(out, 0, sizeof(*out));
        *used = 0;
        br_init(&r, in, len);
        if (!spdm_hdr_read(&r, sz, SPDM_GET_DIGESTS, SPDM_VERSION_10, SPDM_LAYOUT_MAX, &p1, &p2, why))
                return false;
        *used = r.off;
        return true;
}

bool spdm_get_digests_encode(uint8_t *out, size_t cap, const struct spdm_get_digests *m, const struct spdm_sizes *sz,
                             size_t *len)
{
        struct byte_writer w;
        (void)m;
        bw_init(&w, out, cap);
        if (!sz || !sz->version)
                w.err = true;
        else
                spdm_hdr_write(&w, sz->version, SPDM_GET_DIGESTS, 0, 0);
        return spdm_enc_done(&w, len);
}

bool spdm_digests_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz, struct spdm_digests *out,
                         size_t *used, char *why)
{
        struct spdm_digests m = { 0 };
        struct byte_reader r;
        uint8_t p1, p2;
        memset(out, 0, sizeof(*out));
        *used = 0;
        br_init(&r, in, len);
        if (!spdm_hdr_read(&r, sz, SPDM_DIGESTS, SPDM_VERSION_10, SPDM_LAYOUT_MAX, &p1, &p2, why) ||
            !spdm_need_hash(sz, why))
                return false;
        m.slot_mask = p2;
        m.digest_count = spdm_popcount8(p2);
        m.digests = spdm_take(&r, m.digest_count * sz->hash_len, "the digests", why);
        if (!m.digests)
                return false;
        if (!m.digest_count)
                m.digests = NULL;
        *out = m;
        *used = r.off;
        return true;
}

bool spdm_digests_encode(uint8_t *out, size_t cap, const struct spdm_digests *m, const struct spdm_sizes *sz,
                         size_t *len)
{
        struct byte_writer w;
        bw_init(&w, out, cap);
        if (!sz || !sz->version || !spdm_need_hash(sz, NULL) || m->digest_count != spdm_popcount8(m->slot_mask))
                w.err = true;
        else
                spdm_hdr_write(&w, sz->version, SPDM_DIGESTS, 0, m->slot_mask);
        if (bw_ok(&w))
                spdm_put(&w, m->digests, m->digest_count * sz->hash_len);
        return spdm_enc_done(&w, len);
}

const uint8_t *spdm_digests_slot(const struct spdm_digests *d, const struct spdm_sizes *sz, unsigned slot)
{
        if (slot > SPDM_SLOT_MAX || !(d->slot_mask >> slot & 1u) || !d->digests)
                return NULL;
        return d->digests + spdm_popcount8((uint8_t)(d->slot_mask & ((1u << slot) - 1u))) * sz->hash_len;
}

/* ---- GET_CERTIFICATE / CERTIFICATE.  §10.7 Tables 23-24 ---- */

bool spdm_get_certificate_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz,
                                 struct spdm_get_certificate *out, size_t *used, char *why)
{
        struct spdm_get_certificate m = { 0 };
        struct byte_reader r;
        uint8_t p1, p2;
        memset(out, 0, sizeof(*out));
        *used = 0;
        br_init(&r, in, len);
        if (!spdm_hdr_read(&r, sz, SPDM_GET_CERTIFICATE, SPDM_VERSION_10, SPDM_LAYOUT_MAX, &p1, &p2, why))
                return false;
        m.slot_id = p1 & 0x0Fu;
        if (m.slot_id > SPDM_SLOT_MAX)
                return spdm_fail(why, "SlotID %u is above 7", m.slot_id);
        const uint8_t *p = spdm_take(&r, 4, "Offset and Length", why);
        if (!p)
                return false;
        m.offset = ld_le16(p);
        m.length = ld_le16(p + 2);
        *out = m;
        *used = r.off;
        return true;
}

bool spdm_get_certificate_encode(uint8_t *out, size_t cap, const struct spdm_get_certificate *m,
                                 const struct spdm_sizes *sz, size_t *len)
{
        struct byte_writer w;
        bw_init(&w, out, cap);
        if (!sz || !sz->version || m->slot_id > SPDM_SLOT_MAX)
                w.err = true;
        else
                spdm_hdr_write(&w, sz->version, SPDM_GET_CERTIFICATE, m->slot_id, 0);
        bw_le16(&w, m->offset);
        bw_le16(&w, m->length);
        return spdm_enc_done(&w, len);
}

bool spdm_certificate_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz, struct spdm_certificate *out,
                             size_t *used, char *why)
{
        struct spdm_certificate m = { 0 };
        struct byte_reader r;
        uint8_t p1, p2;
        memset(out, 0, sizeof(*out));
        *used = 0;
        br_init(&r, in, len);
        if (!spdm_hdr_read(&r, sz, SPDM_CERTIFICATE, SPDM_VERSION_10, SPDM_LAYOUT_MAX, &p1, &p2, why))
                return false;
        m.slot_id = p1 & 0x0Fu;
        if (m.slot_id > SPDM_SLOT_MAX)
                return spdm_fail(why, "SlotID %u is above 7", m.slot_id);
        const uint8_t *p = spdm_take(&r, 4, "PortionLength and RemainderLength", why);
        if (!p)
                return false;
        m.portion_length = ld_le16(p);
        m.remainder_length = ld_le16(p + 2);
        m.portion = spdm_take(&r, m.portion_length, "the certificate chain portion (PortionLength)", why);
        if (!m.portion)
                return false;
        if (!m.portion_length)
                m.portion = NULL;
        *out = m;
        *used = r.off;
        return true;
}

bool spdm_certificate_encode(uint8_t *out, size_t cap, const struct spdm_certificate *m, const struct spdm_sizes *sz,
                             size_t *len)
{
        struct byte_writer w;
        bw_init(&w, out, cap);
        if (!sz || !sz->version || m->slot_id > SPDM_SLOT_MAX)
                w.err = true;
        else
                spdm_hdr_write(&w, sz->version, SPDM_CERTIFICATE, m->slot_id, 0);
        bw_le16(&w, m->portion_length);
        bw_le16(&w, m->remainder_length);
        spdm_put(&w, m->portion, m->portion_length);
        return spdm_enc_done(&w, len);
}

/* ---- the certificate chain.  §10.7.1 Table 25 ---- */

bool spdm_cert_chain_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz, struct spdm_cert_chain *out,
                            size_t *used, char *why)
{
        struct spdm_cert_chain m = { 0 };
        struct byte_reader r;
        memset(out, 0, sizeof(*out));
        *used = 0;
        if (!spdm_need_hash(sz, why))
                return false;
        br_init(&r, in, len);
        const uint8_t *p = spdm_take(&r, 4, "the chain's Length and Reserved", why);
        if (!p)
                return false;
        m.length = ld_le16(p);
        if (m.length > len)
                return spdm_fail(why, "chain Length %u, but only %zu bytes", m.length, len);
        if (m.length < 4 + sz->hash_len + 1)
                return spdm_fail(why, "chain Length %u leaves no room for RootHash and a certificate", m.length);
        m.root_hash = spdm_take(&r, sz->hash_len, "RootHash", why);
        m.certs = r.buf + r.off;
        m.certs_len = m.length - r.off;
        *out = m;
        *used = m.length;
        return true;
}

bool spdm_cert_chain_encode(uint8_t *out, size_t cap, const struct spdm_cert_chain *m, const struct spdm_sizes *sz,
                            size_t *len)
{
        struct byte_writer w;
        bw_init(&w, out, cap);
        size_t total = 4 + (sz ? sz->hash_len : 0) + m->certs_len;
        if (!spdm_need_hash(sz, NULL) || total > UINT16_MAX || !m->certs_len)
                w.err = true;
        bw_le16(&w, (uint16_t)total);
        bw_le16(&w, 0);
        if (bw_ok(&w))
                spdm_put(&w, m->root_hash, sz->hash_len);
        spdm_put(&w, m->certs, m->certs_len);
        return spdm_enc_done(&w, len);
}

enum spdm_iter spdm_cert_chain_next(const struct spdm_cert_chain *c, size_t *off, const uint8_t **cert,
                                    size_t *cert_len, char *why)
{
        *cert = NULL;
        *cert_len = 0;
        if (*off > c->certs_len)
                return spdm_fail(why, "offset %zu beyond the certificates", *off), SPDM_ITER_ERROR;
        if (*off == c->certs_len)
                return SPDM_ITER_END;
        const uint8_t *p = c->certs + *off;
        size_t left = c->certs_len - *off;
        if (left < 2 || p[0] != 0x30)
                return spdm_fail(why, "no DER SEQUENCE at certificate offset %zu", *off), SPDM_ITER_ERROR;
        size_t hdr = 2, body = p[1];
        if (p[1] & 0x80) {
                unsigned n = p[1] & 0x7Fu;
                if (n == 0 || n > 4 || left < 2 + n)
                        return spdm_fail(why, "bad DER length at certificate offset %zu", *off), SPDM_ITER_ERROR;
                body = 0;
                for (unsigned i = 0; i < n; i++)
                        body = body << 8 | p[2 + i];
                hdr += n;
        }
        if (body > left - hdr)
                return spdm_fail(why, "certificate at offset %zu overruns the chain (%zu > %zu)", *off, hdr + body,
                                 left),
                       SPDM_ITER_ERROR;
        *cert = p;
        *cert_len = hdr + body;
        *off += hdr + body;
        return SPDM_ITER_ITEM;
}

/* ---- CHALLENGE / CHALLENGE_AUTH.  §10.9 Tables 37-38 ---- */

static bool summary_type_ok(uint8_t t)
{
        return t == SPDM_SUMMARY_HASH_NONE || t == SPDM_SUMMARY_HASH_TCB || t == SPDM_SUMMARY_HASH_ALL;
}

bool spdm_challenge_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz, struct spdm_challenge *out,
                           size_t *used, char *why)
{
        struct spdm_challenge m = { 0 };
        struct byte_reader r;
        uint8_t p1, p2;
        memset(out, 0, sizeof(*out));
        *used = 0;
        br_init(&r, in, len);
        if (!spdm_hdr_read(&r, sz, SPDM_CHALLENGE, SPDM_VERSION_10, SPDM_LAYOUT_MAX, &p1, &p2, why))
                return false;
        if (p1 > SPDM_SLOT_MAX && p1 != SPDM_SLOT_PUB_KEY_BYTE)
                return spdm_fail(why, "SlotID %u is neither 0..7 nor 0xFF", p1);
        if (!summary_type_ok(p2))
                return spdm_fail(why, "MeasurementSummaryHashType 0x%02x is not 0, 1 or 0xFF", p2);
        m.slot_id = p1;
        m.summary_type = p2;
        m.nonce = spdm_take(&r, SPDM_NONCE_SIZE, "Nonce", why);
        if (!m.nonce)
                return false;
        *out = m;
        *used = r.off;
        return true;
}

bool spdm_challenge_encode(uint8_t *out, size_t cap, const struct spdm_challenge *m, const struct spdm_sizes *sz,
                           size_t *len)
{
        struct byte_writer w;
        bw_init(&w, out, cap);
        if (!sz || !sz->version || !summary_type_ok(m->summary_type))
                w.err = true;
        else
                spdm_hdr_write(&w, sz->version, SPDM_CHALLENGE, m->slot_id, m->summary_type);
        spdm_put(&w, m->nonce, SPDM_NONCE_SIZE);
        return spdm_enc_done(&w, len);
}

bool spdm_challenge_auth_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz, uint8_t summary_type,
                                struct spdm_challenge_auth *out, size_t *used, char *why)
{
        struct spdm_challenge_auth m = { 0 };
        struct byte_reader r;
        uint8_t p1, p2;
        memset(out, 0, sizeof(*out));
        *used = 0;
        br_init(&r, in, len);
        if (!spdm_hdr_read(&r, sz, SPDM_CHALLENGE_AUTH, SPDM_VERSION_10, SPDM_LAYOUT_MAX, &p1, &p2, why) ||
            !spdm_need_hash(sz, why) || !spdm_need_sig(sz, why))
                return false;
        m.slot_id = p1 & 0x0Fu;
        m.basic_mut_auth_req = p1 & 0x80u;
        m.slot_mask = p2;
        if (!spdm_slot_ok(m.slot_id))
                return spdm_fail(why, "SlotID %u is neither 0..7 nor 0xF", m.slot_id);
        m.cert_chain_hash = spdm_take(&r, sz->hash_len, "CertChainHash", why);
        m.nonce = m.cert_chain_hash ? spdm_take(&r, SPDM_NONCE_SIZE, "Nonce", why) : NULL;
        if (!m.nonce)
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
        *out = m;
        *used = r.off;
        return true;
}

bool spdm_challenge_auth_encode(uint8_t *out, size_t cap, const struct spdm_challenge_auth *m,
                                const struct spdm_sizes *sz, size_t *len)
{
        struct byte_writer w;
        bw_init(&w, out, cap);
        if (!sz || !sz->version || !spdm_need_hash(sz, NULL) || !spdm_need_sig(sz, NULL) || !spdm_slot_ok(m->slot_id))
                return spdm_enc_done((w.err = true, &w), len);
        spdm_hdr_write(&w, sz->version, SPDM_CHALLENGE_AUTH,
                       (uint8_t)(m->slot_id | (m->basic_mut_auth_req ? 0x80u : 0u)), m->slot_mask);
        spdm_put(&w, m->cert_chain_hash, sz->hash_len);
        spdm_put(&w, m->nonce, SPDM_NONCE_SIZE);
        if (m->meas_summary_hash)
                spdm_put(&w, m->meas_summary_hash, sz->hash_len);
        spdm_opaque_field_write(&w, m->opaque_len, m->opaque);
        spdm_put(&w, m->signature, sz->sig_len);
        return spdm_enc_done(&w, len);
}

/* ---- GET_MEASUREMENTS / MEASUREMENTS.  §10.11 Tables 45-47; 1.2 layout only ---- */

bool spdm_get_measurements_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz,
                                  struct spdm_get_measurements *out, size_t *used, char *why)
{
        struct spdm_get_measurements m = { 0 };
        struct byte_reader r;
        uint8_t p1, p2;
        memset(out, 0, sizeof(*out));
        *used = 0;
        br_init(&r, in, len);
        if (!spdm_hdr_read(&r, sz, SPDM_GET_MEASUREMENTS, SPDM_VERSION_12, SPDM_LAYOUT_MAX, &p1, &p2, why))
                return false;
        m.attributes = p1;
        m.operation = p2;
        if (p1 & SPDM_MEAS_ATTR_SIG_REQUESTED) {
                m.nonce = spdm_take(&r, SPDM_NONCE_SIZE, "Nonce", why);
                const uint8_t *s = m.nonce ? spdm_take(&r, 1, "SlotIDParam", why) : NULL;
                if (!s)
                        return false;
                m.slot_id = s[0] & 0x0Fu;
                if (!spdm_slot_ok(m.slot_id))
                        return spdm_fail(why, "SlotIDParam %u is neither 0..7 nor 0xF", m.slot_id);
        }
        *out = m;
        *used = r.off;
        return true;
}

bool spdm_get_measurements_encode(uint8_t *out, size_t cap, const struct spdm_get_measurements *m,
                                  const struct spdm_sizes *sz, size_t *len)
{
        struct byte_writer w;
        bw_init(&w, out, cap);
        if (!sz || sz->version < SPDM_VERSION_12 || sz->version > SPDM_LAYOUT_MAX || !spdm_slot_ok(m->slot_id))
                w.err = true;
        else
                spdm_hdr_write(&w, sz->version, SPDM_GET_MEASUREMENTS, m->attributes, m->operation);
        if (m->attributes & SPDM_MEAS_ATTR_SIG_REQUESTED) {
                spdm_put(&w, m->nonce, SPDM_NONCE_SIZE);
                bw_u8(&w, m->slot_id);
        }
        return spdm_enc_done(&w, len);
}

void spdm_meas_iter_init(struct spdm_meas_iter *it, const uint8_t *record, size_t record_len, unsigned num_blocks)
{
        it->rec = record;
        it->len = record ? record_len : 0;
        it->off = 0;
        it->left = num_blocks;
        it->err = false;
}

static enum spdm_iter meas_error(struct spdm_meas_iter *it)
{
        it->err = true;
        return SPDM_ITER_ERROR;
}

enum spdm_iter spdm_meas_next(struct spdm_meas_iter *it, struct spdm_meas_block *b, char *why)
{
        memset(b, 0, sizeof(*b));
        if (it->err)
                return spdm_fail(why, "the measurement record is malformed"), SPDM_ITER_ERROR;
        if (it->left == 0) {
                if (it->off != it->len)
                        return spdm_fail(why, "%zu bytes after the last measurement block", it->len - it->off),
                               meas_error(it);
                return SPDM_ITER_END;
        }
        size_t left = it->len - it->off;
        const uint8_t *p = it->rec ? it->rec + it->off : NULL;
        if (left < 4)
                return spdm_fail(why, "a measurement block header overruns the record (%zu bytes left)", left),
                       meas_error(it);
        b->index = p[0];
        b->spec = p[1];
        b->size = ld_le16(p + 2);
        if (b->size > left - 4)
                return spdm_fail(why, "measurement block %u (%u bytes) overruns the record (%zu left)", b->index,
                                 b->size, left - 4),
                       meas_error(it);
        if (b->spec != SPDM_MEAS_SPEC_DMTF)
                return spdm_fail(why, "measurement block %u: specification 0x%02x is not DMTF", b->index, b->spec),
                       meas_error(it);
        if (b->size < 3)
                return spdm_fail(why, "measurement block %u: MeasurementSize %u below the DMTF header", b->index,
                                 b->size),
                       meas_error(it);
        b->value_type = p[4] & 0x7Fu;
        b->raw = p[4] & SPDM_MEAS_TYPE_RAW_BIT;
        b->value_size = ld_le16(p + 5);
        if ((size_t)b->value_size + 3 != b->size)
                return spdm_fail(why, "measurement block %u: value size %u disagrees with MeasurementSize %u",
                                 b->index, b->value_size, b->size),
                       meas_error(it);
        b->value = b->value_size ? p + 7 : NULL;
        it->off += 4u + b->size;
        it->left--;
        return SPDM_ITER_ITEM;
}

bool spdm_meas_block_encode(uint8_t *out, size_t cap, const struct spdm_meas_block *b, size_t *len)
{
        struct byte_writer w;
        bw_init(&w, out, cap);
        if (b->value_size > UINT16_MAX - 3u || b->value_type > 0x7Fu)
                w.err = true;
        bw_u8(&w, b->index);
        bw_u8(&w, b->spec);
        bw_le16(&w, (uint16_t)(b->value_size + 3u));
        bw_u8(&w, (uint8_t)(b->value_type | (b->raw ? SPDM_MEAS_TYPE_RAW_BIT : 0u)));
        bw_le16(&w, b->value_size);
        spdm_put(&w, b->value, b->value_size);
        return spdm_enc_done(&w, len);
}

bool spdm_measurements_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz, bool sig_requested,
                              struct spdm_measurements *out, size_t *used, char *why)
{
        struct spdm_measurements m = { 0 };
        struct byte_reader r;
        uint8_t p1, p2;
        memset(out, 0, sizeof(*out));
        *used = 0;
        br_init(&r, in, len);
        if (!spdm_hdr_read(&r, sz, SPDM_MEASUREMENTS, SPDM_VERSION_12, SPDM_LAYOUT_MAX, &p1, &p2, why) ||
            (sig_requested && !spdm_need_sig(sz, why)))
                return false;
        m.num_indices = p1;
        m.slot_id = p2 & 0x0Fu;
        m.content_changed = (uint8_t)(p2 >> 4 & 3u);
        if (sig_requested && !spdm_slot_ok(m.slot_id))
                return spdm_fail(why, "SlotID %u is neither 0..7 nor 0xF", m.slot_id);
        const uint8_t *p = spdm_take(&r, 4, "NumberOfBlocks and MeasurementRecordLength", why);
        if (!p)
                return false;
        m.num_blocks = p[0];
        m.record_len = (uint32_t)p[1] | (uint32_t)p[2] << 8 | (uint32_t)p[3] << 16;
        m.record = spdm_take(&r, m.record_len, "MeasurementRecord", why);
        if (!m.record)
                return false;
        struct spdm_meas_iter it;
        struct spdm_meas_block b;
        enum spdm_iter st;
        spdm_meas_iter_init(&it, m.record, m.record_len, m.num_blocks);
        while ((st = spdm_meas_next(&it, &b, why)) == SPDM_ITER_ITEM)
                ;
        if (st == SPDM_ITER_ERROR)
                return false;
        if (!m.record_len)
                m.record = NULL;
        m.nonce = spdm_take(&r, SPDM_NONCE_SIZE, "Nonce", why);
        if (!m.nonce || !spdm_opaque_field_read(&r, &m.opaque_len, &m.opaque, why))
                return false;
        m.sig_off = r.off;
        if (sig_requested) {
                m.signature = spdm_take(&r, sz->sig_len, "Signature", why);
                if (!m.signature)
                        return false;
        }
        *out = m;
        *used = r.off;
        return true;
}

bool spdm_measurements_encode(uint8_t *out, size_t cap, const struct spdm_measurements *m,
                              const struct spdm_sizes *sz, size_t *len)
{
        struct byte_writer w;
        bw_init(&w, out, cap);
        if (!sz || sz->version < SPDM_VERSION_12 || sz->version > SPDM_LAYOUT_MAX ||
            m->record_len > SPDM_MEAS_RECORD_MAX || (m->signature && !spdm_need_sig(sz, NULL)) ||
            m->content_changed > 3u || m->slot_id > 0x0Fu)
                return spdm_enc_done((w.err = true, &w), len);
        spdm_hdr_write(&w, sz->version, SPDM_MEASUREMENTS, m->num_indices,
                       (uint8_t)(m->slot_id | m->content_changed << 4));
        bw_u8(&w, m->num_blocks);
        bw_u8(&w, (uint8_t)m->record_len);
        bw_u8(&w, (uint8_t)(m->record_len >> 8));
        bw_u8(&w, (uint8_t)(m->record_len >> 16));
        spdm_put(&w, m->record, m->record_len);
        spdm_put(&w, m->nonce, SPDM_NONCE_SIZE);
        spdm_opaque_field_write(&w, m->opaque_len, m->opaque);
        if (m->signature)
                spdm_put(&w, m->signature, sz->sig_len);
        return spdm_enc_done(&w, len);
}
