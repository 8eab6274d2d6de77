/* Helpers shared by the SPDM codecs (spdm_vca.c, spdm_auth.c, spdm_session_msg.c): the
 * header check, reasons, field readers and writers. DSP0274 1.2.1 §9 */
#include "proto/spdm_wire.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
