/* SPDM header, VERSION, CAPABILITIES, ALGORITHMS, ERROR, RESPOND_IF_READY, sizes and names.
 * DSP0274 1.2.1 §9-§10.5, §10.8, §10.10 */
#include "proto/spdm.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/bytes.h"
#include "proto/spdm_wire.h"

/* ---- shared helpers (spdm_wire.h) ---- */

bool spdm_fail(char *why, const char *fmt, ...)
{
        if (why) {
                va_list ap;
                va_start(ap, fmt);
                (void)vsnprintf(why, SPDM_WHY_LEN, fmt, ap);
                va_end(ap);
        }
        return false;
}

bool spdm_hdr_read(struct byte_reader *r, const struct spdm_sizes *sz, uint8_t code, uint8_t min_ver,
                   uint8_t max_ver, uint8_t *p1, uint8_t *p2, char *why)
{
        const uint8_t *h = spdm_take(r, SPDM_HEADER_SIZE, "the SPDM header", why);
        if (!h)
                return false;
        if (h[1] != code)
                return spdm_fail(why, "code 0x%02x (%s) where %s (0x%02x) was expected", h[1], spdm_code_name(h[1]),
                                 spdm_code_name(code), code);
        uint8_t want = min_ver == SPDM_VERSION_10 && max_ver == SPDM_VERSION_10 ? SPDM_VERSION_10
                       : sz                                                    ? sz->version
                                                                               : 0;
        if (want == 0)
                return spdm_fail(why, "%s before a version was negotiated", spdm_code_name(code));
        if (want < min_ver || want > max_ver)
                return spdm_fail(why, "%s in version 0x%02x: only 0x%02x..0x%02x are implemented",
                                 spdm_code_name(code), want, min_ver, max_ver);
        if (h[0] != want)
                return spdm_fail(why, "version byte 0x%02x where 0x%02x was negotiated", h[0], want);
        *p1 = h[2];
        *p2 = h[3];
        return true;
}

void spdm_hdr_write(struct byte_writer *w, uint8_t version, uint8_t code, uint8_t p1, uint8_t p2)
{
        bw_u8(w, version);
        bw_u8(w, code);
        bw_u8(w, p1);
        bw_u8(w, p2);
}

const uint8_t *spdm_take(struct byte_reader *r, size_t n, const char *what, char *why)
{
        size_t left = br_remaining(r);
        const uint8_t *p = br_take(r, n);
        if (!p)
                (void)spdm_fail(why, "truncated: %s needs %zu bytes, %zu left", what, n, left);
        return p;
}

bool spdm_need_hash(const struct spdm_sizes *sz, char *why)
{
        if (!sz || sz->hash_len == 0 || sz->hash_len > SPDM_HASH_MAX)
                return spdm_fail(why, "no negotiated hash size");
        return true;
}

bool spdm_need_sig(const struct spdm_sizes *sz, char *why)
{
        if (!sz || sz->sig_len == 0 || sz->sig_len > SPDM_SIG_MAX)
                return spdm_fail(why, "no negotiated signature size");
        return true;
}

bool spdm_need_dhe(const struct spdm_sizes *sz, char *why)
{
        if (!sz || sz->dhe_len == 0 || sz->dhe_len > SPDM_DHE_MAX)
                return spdm_fail(why, "no negotiated DHE size");
        return true;
}

void spdm_put(struct byte_writer *w, const uint8_t *p, size_t n)
{
        if (n == 0)
                return;
        if (!p) {
                w->err = true;
                return;
        }
        bw_bytes(w, p, n);
}

bool spdm_enc_done(const struct byte_writer *w, size_t *len)
{
        *len = bw_ok(w) ? bw_len(w) : 0;
        return bw_ok(w);
}

bool spdm_slot_ok(uint8_t slot)
{
        return slot <= SPDM_SLOT_MAX || slot == SPDM_SLOT_PUB_KEY;
}

unsigned spdm_popcount8(uint8_t v)
{
        unsigned n = 0;
        for (; v; v &= (uint8_t)(v - 1))
                n++;
        return n;
}

/* OpaqueDataLength (<= 1024) and OpaqueData; *p is NULL when the length is 0. */
bool spdm_opaque_field_read(struct byte_reader *r, uint16_t *olen, const uint8_t **p, char *why)
{
        const uint8_t *l = spdm_take(r, 2, "OpaqueDataLength", why);
        if (!l)
                return false;
        *olen = ld_le16(l);
        if (*olen > SPDM_OPAQUE_MAX)
                return spdm_fail(why, "OpaqueDataLength %u exceeds %u", *olen, SPDM_OPAQUE_MAX);
        *p = spdm_take(r, *olen, "OpaqueData", why);
        if (!*p)
                return false;
        if (!*olen)
                *p = NULL;
        return true;
}

void spdm_opaque_field_write(struct byte_writer *w, uint16_t olen, const uint8_t *p)
{
        if (olen > SPDM_OPAQUE_MAX)
                w->err = true;
        bw_le16(w, olen);
        spdm_put(w, p, olen);
}

/* ---- sizes ---- */

static bool one_bit(uint32_t v)
{
        return v && !(v & (v - 1));
}

size_t spdm_hash_size(uint32_t h)
{
        switch (h) {
        case SPDM_HASH_SHA_256: case SPDM_HASH_SHA3_256: case SPDM_HASH_SM3_256: return 32;
        case SPDM_HASH_SHA_384: case SPDM_HASH_SHA3_384: return 48;
        case SPDM_HASH_SHA_512: case SPDM_HASH_SHA3_512: return 64;
        default: return 0;
        }
}

size_t spdm_sig_size(uint32_t a)
{
        switch (a) {
        case SPDM_ASYM_RSASSA_2048: case SPDM_ASYM_RSAPSS_2048: return 256;
        case SPDM_ASYM_RSASSA_3072: case SPDM_ASYM_RSAPSS_3072: return 384;
        case SPDM_ASYM_RSASSA_4096: case SPDM_ASYM_RSAPSS_4096: return 512;
        case SPDM_ASYM_ECDSA_P256: case SPDM_ASYM_SM2_P256: case SPDM_ASYM_EDDSA_25519: return 64;
        case SPDM_ASYM_ECDSA_P384: return 96;
        case SPDM_ASYM_ECDSA_P521: return 132;
        case SPDM_ASYM_EDDSA_448: return 114;
        default: return 0;
        }
}

size_t spdm_dhe_size(uint16_t d)
{
        switch (d) {
        case SPDM_DHE_FFDHE_2048: return 256;
        case SPDM_DHE_FFDHE_3072: return 384;
        case SPDM_DHE_FFDHE_4096: return 512;
        case SPDM_DHE_SECP256R1: case SPDM_DHE_SM2_P256: return 64;
        case SPDM_DHE_SECP384R1: return 96;
        case SPDM_DHE_SECP521R1: return 132;
        default: return 0;
        }
}

size_t spdm_meas_hash_size(uint32_t m)
{
        switch (m) {
        case SPDM_MEAS_HASH_SHA_256: case SPDM_MEAS_HASH_SHA3_256: case SPDM_MEAS_HASH_SM3_256: return 32;
        case SPDM_MEAS_HASH_SHA_384: case SPDM_MEAS_HASH_SHA3_384: return 48;
        case SPDM_MEAS_HASH_SHA_512: case SPDM_MEAS_HASH_SHA3_512: return 64;
        default: return 0; /* raw bit streams, none, or unknown */
        }
}

size_t spdm_aead_key_size(uint16_t a)
{
        switch (a) {
        case SPDM_AEAD_AES_128_GCM: case SPDM_AEAD_SM4_GCM: return 16;
        case SPDM_AEAD_AES_256_GCM: case SPDM_AEAD_CHACHA20_POLY1305: return 32;
        default: return 0;
        }
}

/* ---- header and pad ---- */

bool spdm_header_decode(const uint8_t *in, size_t len, struct spdm_header *h)
{
        memset(h, 0, sizeof(*h));
        if (!in || len < SPDM_HEADER_SIZE)
                return false;
        h->version = in[0];
        h->code = in[1];
        h->param1 = in[2];
        h->param2 = in[3];
        return true;
}

bool spdm_trailing_pad_ok(const uint8_t *in, size_t len, size_t used)
{
        if (used > len || len - used > 3)
                return false;
        for (size_t i = used; i < len; i++)
                if (in[i] != 0)
                        return false;
        return true;
}

/* ---- GET_VERSION / VERSION.  DSP0274 1.2.1 §10.3 ---- */

bool spdm_get_version_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz, struct spdm_get_version *out,
                             size_t *used, char *why)
{
        struct byte_reader r;
        uint8_t p1, p2;
        memset(out, 0, sizeof(*out));
        *used = 0;
        br_init(&r, in, len);
        if (!spdm_hdr_read(&r, sz, SPDM_GET_VERSION, SPDM_VERSION_10, SPDM_VERSION_10, &p1, &p2, why))
                return false;
        *used = r.off;
        return true;
}

bool spdm_get_version_encode(uint8_t *out, size_t cap, const struct spdm_get_version *m, const struct spdm_sizes *sz,
                             size_t *len)
{
        struct byte_writer w;
        (void)m;
        (void)sz;
        bw_init(&w, out, cap);
        spdm_hdr_write(&w, SPDM_VERSION_10, SPDM_GET_VERSION, 0, 0);
        return spdm_enc_done(&w, len);
}

bool spdm_version_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz, struct spdm_version *out,
                         size_t *used, char *why)
{
        struct spdm_version m = { 0 };
        struct byte_reader r;
        uint8_t p1, p2;
        memset(out, 0, sizeof(*out));
        *used = 0;
        br_init(&r, in, len);
        if (!spdm_hdr_read(&r, sz, SPDM_VERSION, SPDM_VERSION_10, SPDM_VERSION_10, &p1, &p2, why))
                return false;
        const uint8_t *c = spdm_take(&r, 2, "Reserved and VersionNumberEntryCount", why);
        if (!c)
                return false;
        m.entry_count = c[1];
        if (m.entry_count == 0)
                return spdm_fail(why, "VERSION with no version entries");
        if (m.entry_count > SPDM_VERSION_ENTRIES_MAX)
                return spdm_fail(why, "%u version entries: at most %u are accepted", m.entry_count,
                                 SPDM_VERSION_ENTRIES_MAX);
        const uint8_t *e = spdm_take(&r, 2u * m.entry_count, "the version entries", why);
        if (!e)
                return false;
        for (unsigned i = 0; i < m.entry_count; i++)
                m.entries[i] = ld_le16(e + 2 * i);
        *out = m;
        *used = r.off;
        return true;
}

bool spdm_version_encode(uint8_t *out, size_t cap, const struct spdm_version *m, const struct spdm_sizes *sz,
                         size_t *len)
{
        struct byte_writer w;
        (void)sz;
        bw_init(&w, out, cap);
        if (m->entry_count > SPDM_VERSION_ENTRIES_MAX)
                w.err = true;
        spdm_hdr_write(&w, SPDM_VERSION_10, SPDM_VERSION, 0, 0);
        bw_u8(&w, 0);
        bw_u8(&w, m->entry_count);
        for (unsigned i = 0; i < m->entry_count && i < SPDM_VERSION_ENTRIES_MAX; i++)
                bw_le16(&w, m->entries[i]);
        return spdm_enc_done(&w, len);
}

/* ---- GET_CAPABILITIES / CAPABILITIES.  DSP0274 1.2.1 §10.4 Tables 10-12 ---- */

static bool caps_ok(const struct spdm_capabilities *m, uint8_t version, char *why)
{
        if ((m->flags & SPDM_CAP_MEAS_MASK) == SPDM_CAP_MEAS_MASK)
                return spdm_fail(why, "MEAS_CAP 11b is reserved");
        if ((m->flags & SPDM_CAP_PSK_MASK) == SPDM_CAP_PSK_MASK)
                return spdm_fail(why, "PSK_CAP 11b is reserved");
        if (version >= SPDM_VERSION_12 && m->data_transfer_size < SPDM_MIN_DATA_TRANSFER_SIZE_12)
                return spdm_fail(why, "DataTransferSize %u is below %u", m->data_transfer_size,
                                 SPDM_MIN_DATA_TRANSFER_SIZE_12);
        if (version >= SPDM_VERSION_12 && m->max_spdm_msg_size < m->data_transfer_size)
                return spdm_fail(why, "MaxSPDMmsgSize %u is below DataTransferSize %u", m->max_spdm_msg_size,
                                 m->data_transfer_size);
        return true;
}

/* Both messages after the header: Reserved(1) CTExponent(1) Reserved(2) Flags(4) [1.2: DTS(4) Max(4)]. */
static bool caps_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz, uint8_t code,
                        struct spdm_capabilities *out, size_t *used, char *why)
{
        struct spdm_capabilities m = { 0 };
        struct byte_reader r;
        uint8_t p1, p2;
        memset(out, 0, sizeof(*out));
        *used = 0;
        br_init(&r, in, len);
        if (!spdm_hdr_read(&r, sz, code, SPDM_VERSION_10, SPDM_LAYOUT_MAX, &p1, &p2, why))
                return false;
        if (code == SPDM_GET_CAPABILITIES && sz->version == SPDM_VERSION_10) {
                *used = r.off; /* 1.0: the header alone */
                return true;
        }
        const uint8_t *p = spdm_take(&r, 8, "CTExponent and Flags", why);
        if (!p)
                return false;
        m.ct_exponent = p[1];
        m.flags = ld_le32(p + 4);
        if (sz->version >= SPDM_VERSION_12) {
                p = spdm_take(&r, 8, "DataTransferSize and MaxSPDMmsgSize", why);
                if (!p)
                        return false;
                m.data_transfer_size = ld_le32(p);
                m.max_spdm_msg_size = ld_le32(p + 4);
        }
        if (!caps_ok(&m, sz->version, why))
                return false;
        *out = m;
        *used = r.off;
        return true;
}

static bool caps_encode(uint8_t *out, size_t cap, uint8_t code, const struct spdm_capabilities *m,
                        const struct spdm_sizes *sz, size_t *len)
{
        struct byte_writer w;
        bw_init(&w, out, cap);
        if (!sz || sz->version < SPDM_VERSION_10 || sz->version > SPDM_LAYOUT_MAX)
                w.err = true;
        else
                spdm_hdr_write(&w, sz->version, code, 0, 0);
        if (bw_ok(&w) && !(code == SPDM_GET_CAPABILITIES && sz->version == SPDM_VERSION_10)) {
                bw_u8(&w, 0);
                bw_u8(&w, m->ct_exponent);
                bw_le16(&w, 0);
                bw_le32(&w, m->flags);
                if (sz->version >= SPDM_VERSION_12) {
                        bw_le32(&w, m->data_transfer_size);
                        bw_le32(&w, m->max_spdm_msg_size);
                }
        }
        return spdm_enc_done(&w, len);
}

bool spdm_get_capabilities_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz,
                                  struct spdm_capabilities *out, size_t *used, char *why)
{
        return caps_decode(in, len, sz, SPDM_GET_CAPABILITIES, out, used, why);
}

bool spdm_get_capabilities_encode(uint8_t *out, size_t cap, const struct spdm_capabilities *m,
                                  const struct spdm_sizes *sz, size_t *len)
{
        return caps_encode(out, cap, SPDM_GET_CAPABILITIES, m, sz, len);
}

bool spdm_capabilities_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz,
                              struct spdm_capabilities *out, size_t *used, char *why)
{
        return caps_decode(in, len, sz, SPDM_CAPABILITIES, out, used, why);
}

bool spdm_capabilities_encode(uint8_t *out, size_t cap, const struct spdm_capabilities *m,
                              const struct spdm_sizes *sz, size_t *len)
{
        return caps_encode(out, cap, SPDM_CAPABILITIES, m, sz, len);
}

/* ---- NEGOTIATE_ALGORITHMS / ALGORITHMS.  DSP0274 1.2.1 §10.5 Tables 14-20 ---- */

/* The AlgStructs: Param1 of them, types 2..5 ascending, FixedAlgByteCount 2. */
static bool alg_structs_read(struct byte_reader *r, uint8_t count, bool response, struct spdm_algorithms *m,
                             char *why)
{
        if (count > SPDM_ALG_STRUCTS_MAX)
                return spdm_fail(why, "%u AlgStructs: at most %u (types 2..5)", count, SPDM_ALG_STRUCTS_MAX);
        uint8_t prev = 0;
        for (unsigned i = 0; i < count; i++) {
                const uint8_t *p = spdm_take(r, 4, "an AlgStruct", why);
                if (!p)
                        return false;
                struct spdm_alg_struct *a = &m->alg[i];
                a->type = p[0];
                a->ext_count = p[1] & 0x0Fu;
                a->supported = ld_le16(p + 2);
                if (a->type < SPDM_ALG_TYPE_DHE || a->type > SPDM_ALG_TYPE_KEY_SCHEDULE)
                        return spdm_fail(why, "AlgStruct type %u is not one of 2..5", a->type);
                if (a->type <= prev)
                        return spdm_fail(why, "AlgStruct type %u after type %u (repeated or out of order)", a->type,
                                         prev);
                prev = a->type;
                if ((p[1] >> 4) != SPDM_ALG_FIXED_BYTE_COUNT)
                        return spdm_fail(why, "AlgStruct type %u: FixedAlgByteCount %u, not 2", a->type, p[1] >> 4);
                if (response && a->supported && !one_bit(a->supported))
                        return spdm_fail(why, "AlgStruct type %u selects 0x%04x: more than one bit", a->type,
                                         a->supported);
                if (response && a->ext_count > 1)
                        return spdm_fail(why, "AlgStruct type %u selects %u extended algorithms", a->type,
                                         a->ext_count);
                a->ext = spdm_take(r, 4u * a->ext_count, "the AlgStruct's ExtAlg entries", why);
                if (!a->ext && a->ext_count)
                        return false;
                if (!a->ext_count)
                        a->ext = NULL;
        }
        m->alg_count = count;
        return true;
}

static bool algs_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz, bool response,
                        struct spdm_algorithms *out, size_t *used, char *why)
{
        struct spdm_algorithms m = { 0 };
        struct byte_reader r;
        uint8_t p1, p2;
        uint8_t code = response ? SPDM_ALGORITHMS : SPDM_NEGOTIATE_ALGORITHMS;
        memset(out, 0, sizeof(*out));
        *used = 0;
        br_init(&r, in, len);
        if (!spdm_hdr_read(&r, sz, code, SPDM_VERSION_11, SPDM_LAYOUT_MAX, &p1, &p2, why))
                return false;
        const uint8_t *p = spdm_take(&r, response ? 32u : 28u, "the fixed algorithm fields", why);
        if (!p)
                return false;
        uint16_t length = ld_le16(p);
        m.meas_spec = p[2];
        m.other_params = p[3];
        if (response) {
                m.meas_hash = ld_le32(p + 4);
                m.base_asym = ld_le32(p + 8);
                m.base_hash = ld_le32(p + 12);
                m.ext_asym_count = p[28];
                m.ext_hash_count = p[29];
        } else {
                m.base_asym = ld_le32(p + 4);
                m.base_hash = ld_le32(p + 8);
                m.ext_asym_count = p[24];
                m.ext_hash_count = p[25];
        }
        if (!response && length > SPDM_NEGOTIATE_ALGORITHMS_MAX_LEN)
                return spdm_fail(why, "Length %u: the request is at most %u bytes", length,
                                 SPDM_NEGOTIATE_ALGORITHMS_MAX_LEN);
        if (response && (m.ext_asym_count > 1 || m.ext_hash_count > 1))
                return spdm_fail(why, "ExtAsymSelCount %u / ExtHashSelCount %u: at most 1 each", m.ext_asym_count,
                                 m.ext_hash_count);
        if (response && ((m.meas_hash && !one_bit(m.meas_hash)) || (m.base_asym && !one_bit(m.base_asym)) ||
                         (m.base_hash && !one_bit(m.base_hash))))
                return spdm_fail(why, "a selection with more than one bit (meas 0x%x asym 0x%x hash 0x%x)",
                                 m.meas_hash, m.base_asym, m.base_hash);
        m.ext_asym = spdm_take(&r, 4u * m.ext_asym_count, "ExtAsym", why);
        if (m.ext_asym_count && !m.ext_asym)
                return false;
        m.ext_hash = spdm_take(&r, 4u * m.ext_hash_count, "ExtHash", why);
        if (m.ext_hash_count && !m.ext_hash)
                return false;
        if (!m.ext_asym_count)
                m.ext_asym = NULL;
        if (!m.ext_hash_count)
                m.ext_hash = NULL;
        if (!alg_structs_read(&r, p1, response, &m, why))
                return false;
        if (length != r.off)
                return spdm_fail(why, "Length field %u, but the fields make %zu bytes", length, r.off);
        *out = m;
        *used = r.off;
        return true;
}

static bool algs_encode(uint8_t *out, size_t cap, bool response, const struct spdm_algorithms *m,
                        const struct spdm_sizes *sz, size_t *len)
{
        struct byte_writer w;
        size_t total = (response ? 36u : 32u) + 4u * (size_t)(m->ext_asym_count + m->ext_hash_count);
        bw_init(&w, out, cap);
        if (!sz || sz->version < SPDM_VERSION_11 || sz->version > SPDM_LAYOUT_MAX || m->alg_count > SPDM_ALG_STRUCTS_MAX)
                w.err = true;
        for (unsigned i = 0; i < m->alg_count && i < SPDM_ALG_STRUCTS_MAX; i++)
                total += 4u + 4u * (size_t)(m->alg[i].ext_count & 0x0Fu);
        if (total > UINT16_MAX)
                w.err = true;
        if (!bw_ok(&w))
                return spdm_enc_done(&w, len);
        spdm_hdr_write(&w, sz->version, response ? SPDM_ALGORITHMS : SPDM_NEGOTIATE_ALGORITHMS, m->alg_count, 0);
        bw_le16(&w, (uint16_t)total);
        bw_u8(&w, m->meas_spec);
        bw_u8(&w, m->other_params);
        if (response)
                bw_le32(&w, m->meas_hash);
        bw_le32(&w, m->base_asym);
        bw_le32(&w, m->base_hash);
        bw_zero(&w, 12);
        bw_u8(&w, m->ext_asym_count);
        bw_u8(&w, m->ext_hash_count);
        bw_zero(&w, 2);
        spdm_put(&w, m->ext_asym, 4u * m->ext_asym_count);
        spdm_put(&w, m->ext_hash, 4u * m->ext_hash_count);
        for (unsigned i = 0; i < m->alg_count; i++) {
                const struct spdm_alg_struct *a = &m->alg[i];
                bw_u8(&w, a->type);
                bw_u8(&w, (uint8_t)(SPDM_ALG_FIXED_BYTE_COUNT << 4 | (a->ext_count & 0x0Fu)));
                bw_le16(&w, a->supported);
                spdm_put(&w, a->ext, 4u * (a->ext_count & 0x0Fu));
        }
        return spdm_enc_done(&w, len);
}

bool spdm_negotiate_algorithms_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz,
                                      struct spdm_algorithms *out, size_t *used, char *why)
{
        return algs_decode(in, len, sz, false, out, used, why);
}

bool spdm_negotiate_algorithms_encode(uint8_t *out, size_t cap, const struct spdm_algorithms *m,
                                      const struct spdm_sizes *sz, size_t *len)
{
        return algs_encode(out, cap, false, m, sz, len);
}

bool spdm_algorithms_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz, struct spdm_algorithms *out,
                            size_t *used, char *why)
{
        return algs_decode(in, len, sz, true, out, used, why);
}

bool spdm_algorithms_encode(uint8_t *out, size_t cap, const struct spdm_algorithms *m, const struct spdm_sizes *sz,
                            size_t *len)
{
        return algs_encode(out, cap, true, m, sz, len);
}

bool spdm_algorithms_find(const struct spdm_algorithms *a, uint8_t type, uint16_t *bits)
{
        for (unsigned i = 0; i < a->alg_count && i < SPDM_ALG_STRUCTS_MAX; i++)
                if (a->alg[i].type == type) {
                        *bits = a->alg[i].supported;
                        return true;
                }
        *bits = 0;
        return false;
}

bool spdm_sizes_from_algorithms(const struct spdm_algorithms *a, uint8_t version, bool in_clear, struct spdm_sizes *sz)
{
        uint16_t dhe = 0, req_asym = 0;
        memset(sz, 0, sizeof(*sz));
        (void)spdm_algorithms_find(a, SPDM_ALG_TYPE_DHE, &dhe);
        (void)spdm_algorithms_find(a, SPDM_ALG_TYPE_REQ_BASE_ASYM, &req_asym);
        sz->version = version;
        sz->hash_len = spdm_hash_size(a->base_hash);
        sz->sig_len = spdm_sig_size(a->base_asym);
        sz->req_sig_len = spdm_sig_size(req_asym);
        sz->dhe_len = spdm_dhe_size(dhe);
        sz->meas_hash_len = spdm_meas_hash_size(a->meas_hash);
        sz->handshake_in_the_clear = in_clear;
        return sz->hash_len != 0 && sz->sig_len != 0;
}

/* ---- ERROR / RESPOND_IF_READY.  DSP0274 1.2.1 §10.8 Table 48-50, §10.10 ---- */

bool spdm_error_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz, struct spdm_error *out,
                       size_t *used, char *why)
{
        struct spdm_error m = { 0 };
        struct byte_reader r;
        memset(out, 0, sizeof(*out));
        *used = 0;
        br_init(&r, in, len);
        const uint8_t *h = spdm_take(&r, SPDM_HEADER_SIZE, "the SPDM header", why);
        if (!h)
                return false;
        uint8_t want = sz && sz->version ? sz->version : SPDM_VERSION_10; /* an ERROR to GET_VERSION is 1.0 */
        if (h[1] != SPDM_ERROR)
                return spdm_fail(why, "code 0x%02x (%s) where ERROR (0x7f) was expected", h[1], spdm_code_name(h[1]));
        if (h[0] != want)
                return spdm_fail(why, "version byte 0x%02x where 0x%02x was negotiated", h[0], want);
        m.code = h[2];
        m.data = h[3];
        size_t n = 0;
        if (m.code == SPDM_ERR_RESPONSE_NOT_READY)
                n = 4;
        else if (m.code == SPDM_ERR_LARGE_RESPONSE)
                n = 1;
        else if (m.code == SPDM_ERR_VENDOR_DEFINED)
                n = br_remaining(&r);
        if (n > SPDM_ERROR_EXT_MAX)
                return spdm_fail(why, "ERROR extended data of %zu bytes: at most %u", n, SPDM_ERROR_EXT_MAX);
        m.ext = spdm_take(&r, n, "ExtendedErrorData", why);
        if (!m.ext)
                return false;
        m.ext_len = n;
        if (n == 0)
                m.ext = NULL;
        if (m.code == SPDM_ERR_RESPONSE_NOT_READY) {
                m.rdt_exponent = m.ext[0];
                m.request_code = m.ext[1];
                m.token = m.ext[2];
                m.rdtm = m.ext[3];
        } else if (m.code == SPDM_ERR_LARGE_RESPONSE) {
                m.handle = m.ext[0];
        }
        *out = m;
        *used = r.off;
        return true;
}

bool spdm_error_encode(uint8_t *out, size_t cap, const struct spdm_error *m, const struct spdm_sizes *sz, size_t *len)
{
        struct byte_writer w;
        bw_init(&w, out, cap);
        if (m->ext_len > SPDM_ERROR_EXT_MAX)
                w.err = true;
        spdm_hdr_write(&w, sz && sz->version ? sz->version : SPDM_VERSION_10, SPDM_ERROR, m->code, m->data);
        spdm_put(&w, m->ext, m->ext_len);
        return spdm_enc_done(&w, len);
}

bool spdm_respond_if_ready_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz,
                                  struct spdm_respond_if_ready *out, size_t *used, char *why)
{
        struct byte_reader r;
        uint8_t p1, p2;
        memset(out, 0, sizeof(*out));
        *used = 0;
        br_init(&r, in, len);
        if (!spdm_hdr_read(&r, sz, SPDM_RESPOND_IF_READY, SPDM_VERSION_10, SPDM_LAYOUT_MAX, &p1, &p2, why))
                return false;
        out->request_code = p1;
        out->token = p2;
        *used = r.off;
        return true;
}

bool spdm_respond_if_ready_encode(uint8_t *out, size_t cap, const struct spdm_respond_if_ready *m,
                                  const struct spdm_sizes *sz, size_t *len)
{
        struct byte_writer w;
        bw_init(&w, out, cap);
        if (!sz || !sz->version)
                w.err = true;
        else
                spdm_hdr_write(&w, sz->version, SPDM_RESPOND_IF_READY, m->request_code, m->token);
        return spdm_enc_done(&w, len);
}

/* ---- names ---- */

struct spdm_name {
        uint32_t v;
        const char *name;
};

static const struct spdm_name code_names[] = {
        { SPDM_DIGESTS, "DIGESTS" },
        { SPDM_CERTIFICATE, "CERTIFICATE" },
        { SPDM_CHALLENGE_AUTH, "CHALLENGE_AUTH" },
        { SPDM_VERSION, "VERSION" },
        { SPDM_CHUNK_SEND_ACK, "CHUNK_SEND_ACK" },
        { SPDM_CHUNK_RESPONSE, "CHUNK_RESPONSE" },
        { SPDM_ENDPOINT_INFO, "ENDPOINT_INFO" },
        { SPDM_MEASUREMENTS, "MEASUREMENTS" },
        { SPDM_CAPABILITIES, "CAPABILITIES" },
        { SPDM_SUPPORTED_EVENT_TYPES, "SUPPORTED_EVENT_TYPES" },
        { SPDM_ALGORITHMS, "ALGORITHMS" },
        { SPDM_KEY_EXCHANGE_RSP, "KEY_EXCHANGE_RSP" },
        { SPDM_FINISH_RSP, "FINISH_RSP" },
        { SPDM_PSK_EXCHANGE_RSP, "PSK_EXCHANGE_RSP" },
        { SPDM_PSK_FINISH_RSP, "PSK_FINISH_RSP" },
        { SPDM_HEARTBEAT_ACK, "HEARTBEAT_ACK" },
        { SPDM_KEY_UPDATE_ACK, "KEY_UPDATE_ACK" },
        { SPDM_ENCAPSULATED_REQUEST, "ENCAPSULATED_REQUEST" },
        { SPDM_ENCAPSULATED_RESPONSE_ACK, "ENCAPSULATED_RESPONSE_ACK" },
        { SPDM_END_SESSION_ACK, "END_SESSION_ACK" },
        { SPDM_CSR, "CSR" },
        { SPDM_SET_CERTIFICATE_RSP, "SET_CERTIFICATE_RSP" },
        { SPDM_MEASUREMENT_EXTENSION_LOG, "MEASUREMENT_EXTENSION_LOG" },
        { SPDM_SUBSCRIBE_EVENT_TYPES_ACK, "SUBSCRIBE_EVENT_TYPES_ACK" },
        { SPDM_EVENT_ACK, "EVENT_ACK" },
        { SPDM_KEY_PAIR_INFO, "KEY_PAIR_INFO" },
        { SPDM_SET_KEY_PAIR_INFO_ACK, "SET_KEY_PAIR_INFO_ACK" },
        { SPDM_VENDOR_DEFINED_RESPONSE, "VENDOR_DEFINED_RESPONSE" },
        { SPDM_ERROR, "ERROR" },
        { SPDM_GET_DIGESTS, "GET_DIGESTS" },
        { SPDM_GET_CERTIFICATE, "GET_CERTIFICATE" },
        { SPDM_CHALLENGE, "CHALLENGE" },
        { SPDM_GET_VERSION, "GET_VERSION" },
        { SPDM_CHUNK_SEND, "CHUNK_SEND" },
        { SPDM_CHUNK_GET, "CHUNK_GET" },
        { SPDM_GET_ENDPOINT_INFO, "GET_ENDPOINT_INFO" },
        { SPDM_GET_MEASUREMENTS, "GET_MEASUREMENTS" },
        { SPDM_GET_CAPABILITIES, "GET_CAPABILITIES" },
        { SPDM_GET_SUPPORTED_EVENT_TYPES, "GET_SUPPORTED_EVENT_TYPES" },
        { SPDM_NEGOTIATE_ALGORITHMS, "NEGOTIATE_ALGORITHMS" },
        { SPDM_KEY_EXCHANGE, "KEY_EXCHANGE" },
        { SPDM_FINISH, "FINISH" },
        { SPDM_PSK_EXCHANGE, "PSK_EXCHANGE" },
        { SPDM_PSK_FINISH, "PSK_FINISH" },
        { SPDM_HEARTBEAT, "HEARTBEAT" },
        { SPDM_KEY_UPDATE, "KEY_UPDATE" },
        { SPDM_GET_ENCAPSULATED_REQUEST, "GET_ENCAPSULATED_REQUEST" },
        { SPDM_DELIVER_ENCAPSULATED_RESPONSE, "DELIVER_ENCAPSULATED_RESPONSE" },
        { SPDM_END_SESSION, "END_SESSION" },
        { SPDM_GET_CSR, "GET_CSR" },
        { SPDM_SET_CERTIFICATE, "SET_CERTIFICATE" },
        { SPDM_GET_MEASUREMENT_EXTENSION_LOG, "GET_MEASUREMENT_EXTENSION_LOG" },
        { SPDM_SUBSCRIBE_EVENT_TYPES, "SUBSCRIBE_EVENT_TYPES" },
        { SPDM_SEND_EVENT, "SEND_EVENT" },
        { SPDM_GET_KEY_PAIR_INFO, "GET_KEY_PAIR_INFO" },
        { SPDM_SET_KEY_PAIR_INFO, "SET_KEY_PAIR_INFO" },
        { SPDM_VENDOR_DEFINED_REQUEST, "VENDOR_DEFINED_REQUEST" },
        { SPDM_RESPOND_IF_READY, "RESPOND_IF_READY" },
};

static const struct spdm_name error_names[] = {
        { SPDM_ERR_INVALID_REQUEST, "InvalidRequest" },
        { SPDM_ERR_BUSY, "Busy" },
        { SPDM_ERR_UNEXPECTED_REQUEST, "UnexpectedRequest" },
        { SPDM_ERR_UNSPECIFIED, "Unspecified" },
        { SPDM_ERR_DECRYPT_ERROR, "DecryptError" },
        { SPDM_ERR_UNSUPPORTED_REQUEST, "UnsupportedRequest" },
        { SPDM_ERR_REQUEST_IN_FLIGHT, "RequestInFlight" },
        { SPDM_ERR_INVALID_RESPONSE_CODE, "InvalidResponseCode" },
        { SPDM_ERR_SESSION_LIMIT_EXCEEDED, "SessionLimitExceeded" },
        { SPDM_ERR_SESSION_REQUIRED, "SessionRequired" },
        { SPDM_ERR_RESET_REQUIRED, "ResetRequired" },
        { SPDM_ERR_RESPONSE_TOO_LARGE, "ResponseTooLarge" },
        { SPDM_ERR_REQUEST_TOO_LARGE, "RequestTooLarge" },
        { SPDM_ERR_LARGE_RESPONSE, "LargeResponse" },
        { SPDM_ERR_MESSAGE_LOST, "MessageLost" },
        { SPDM_ERR_INVALID_POLICY, "InvalidPolicy" },
        { SPDM_ERR_DATA_TOO_LARGE, "DataTooLarge" },
        { SPDM_ERR_VERSION_MISMATCH, "VersionMismatch" },
        { SPDM_ERR_RESPONSE_NOT_READY, "ResponseNotReady" },
        { SPDM_ERR_REQUEST_RESYNCH, "RequestResynch" },
        { SPDM_ERR_OPERATION_FAILED, "OperationFailed" },
        { SPDM_ERR_NO_PENDING_REQUESTS, "NoPendingRequests" },
        { SPDM_ERR_REQUEST_SESSION_TERMINATED, "RequestSessionTerminated" },
        { SPDM_ERR_INVALID_STATE, "InvalidState" },
        { SPDM_ERR_VENDOR_DEFINED, "VendorDefined" },
};

static const struct spdm_name hash_names[] = {
        { SPDM_HASH_SHA_256, "SHA-256" },   { SPDM_HASH_SHA_384, "SHA-384" },   { SPDM_HASH_SHA_512, "SHA-512" },
        { SPDM_HASH_SHA3_256, "SHA3-256" }, { SPDM_HASH_SHA3_384, "SHA3-384" }, { SPDM_HASH_SHA3_512, "SHA3-512" },
        { SPDM_HASH_SM3_256, "SM3-256" },
};

static const struct spdm_name asym_names[] = {
        { SPDM_ASYM_RSASSA_2048, "RSASSA-2048" }, { SPDM_ASYM_RSAPSS_2048, "RSAPSS-2048" },
        { SPDM_ASYM_RSASSA_3072, "RSASSA-3072" }, { SPDM_ASYM_RSAPSS_3072, "RSAPSS-3072" },
        { SPDM_ASYM_ECDSA_P256, "ECDSA-P256" },   { SPDM_ASYM_RSASSA_4096, "RSASSA-4096" },
        { SPDM_ASYM_RSAPSS_4096, "RSAPSS-4096" }, { SPDM_ASYM_ECDSA_P384, "ECDSA-P384" },
        { SPDM_ASYM_ECDSA_P521, "ECDSA-P521" },   { SPDM_ASYM_SM2_P256, "SM2-P256" },
        { SPDM_ASYM_EDDSA_25519, "EdDSA-25519" }, { SPDM_ASYM_EDDSA_448, "EdDSA-448" },
};

static const struct spdm_name dhe_names[] = {
        { SPDM_DHE_FFDHE_2048, "FFDHE-2048" }, { SPDM_DHE_FFDHE_3072, "FFDHE-3072" },
        { SPDM_DHE_FFDHE_4096, "FFDHE-4096" }, { SPDM_DHE_SECP256R1, "secp256r1" },
        { SPDM_DHE_SECP384R1, "secp384r1" },   { SPDM_DHE_SECP521R1, "secp521r1" },
        { SPDM_DHE_SM2_P256, "SM2-P256" },
};

static const struct spdm_name aead_names[] = {
        { SPDM_AEAD_AES_128_GCM, "AES-128-GCM" },
        { SPDM_AEAD_AES_256_GCM, "AES-256-GCM" },
        { SPDM_AEAD_CHACHA20_POLY1305, "ChaCha20-Poly1305" },
        { SPDM_AEAD_SM4_GCM, "SM4-GCM" },
};

static const struct spdm_name meas_hash_names[] = {
        { SPDM_MEAS_HASH_RAW, "raw" },           { SPDM_MEAS_HASH_SHA_256, "SHA-256" },
        { SPDM_MEAS_HASH_SHA_384, "SHA-384" },   { SPDM_MEAS_HASH_SHA_512, "SHA-512" },
        { SPDM_MEAS_HASH_SHA3_256, "SHA3-256" }, { SPDM_MEAS_HASH_SHA3_384, "SHA3-384" },
        { SPDM_MEAS_HASH_SHA3_512, "SHA3-512" }, { SPDM_MEAS_HASH_SM3_256, "SM3-256" },
};

static const char *lookup(const struct spdm_name *t, size_t n, uint32_t v, const char *none)
{
        for (size_t i = 0; i < n; i++)
                if (t[i].v == v)
                        return t[i].name;
        return none;
}

#define LOOKUP(t, v, none) lookup((t), sizeof(t) / sizeof((t)[0]), (v), (none))

const char *spdm_code_name(uint8_t code) { return LOOKUP(code_names, code, "UNKNOWN"); }
const char *spdm_error_name(uint8_t code) { return LOOKUP(error_names, code, "Unknown"); }
const char *spdm_hash_name(uint32_t bit) { return LOOKUP(hash_names, bit, bit ? "?" : "none"); }
const char *spdm_asym_name(uint32_t bit) { return LOOKUP(asym_names, bit, bit ? "?" : "none"); }
const char *spdm_dhe_name(uint16_t bit) { return LOOKUP(dhe_names, bit, bit ? "?" : "none"); }
const char *spdm_aead_name(uint16_t bit) { return LOOKUP(aead_names, bit, bit ? "?" : "none"); }
const char *spdm_meas_hash_name(uint32_t bit) { return LOOKUP(meas_hash_names, bit, bit ? "?" : "none"); }

void spdm_algorithms_text(const struct spdm_algorithms *a, char *buf, size_t cap)
{
        uint16_t dhe = 0, aead = 0;
        if (!cap)
                return;
        (void)spdm_algorithms_find(a, SPDM_ALG_TYPE_DHE, &dhe);
        (void)spdm_algorithms_find(a, SPDM_ALG_TYPE_AEAD, &aead);
        (void)snprintf(buf, cap, "%s %s %s %s meas:%s", spdm_asym_name(a->base_asym), spdm_hash_name(a->base_hash),
                       spdm_dhe_name(dhe), spdm_aead_name(aead), spdm_meas_hash_name(a->meas_hash));
}
