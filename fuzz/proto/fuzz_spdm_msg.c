/* Every SPDM decoder of proto/spdm.h under any bytes (a peer's messages are hostile). What
 * must hold: a decoder never reads past its input (ASan); a refusal gives a reason, used 0
 * and an all-zero struct; an accepted message is self-delimiting (its first `used` bytes
 * alone decode the same), its struct re-encodes, and that encoding decodes and re-encodes to
 * itself (reserved fields become zero). The certificate-chain walk, the measurement-block
 * iterator and the opaque-data decoder run on whatever the decoders accept.
 * Input: byte 0 picks the negotiated sizes and request facts (bits 1:0 hash 48/32/64/48,
 * 3:2 signature 96/64/384/132, 4 DHE 96/64, 5 handshake encrypted, 6 summary type none,
 * 7 signature not requested; 0 = the recorded session's), then the message. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/spdm.h"
#include "spdm_any.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct spdm_sizes sizes_of(uint8_t k, struct spdm_any_ctx *c)
{
        static const size_t hash[4] = { 48, 32, 64, 48 }, sig[4] = { 96, 64, 384, 132 };
        struct spdm_sizes sz = spdm_any_kat_sizes();
        sz.hash_len = hash[k & 3];
        sz.sig_len = sig[k >> 2 & 3];
        sz.dhe_len = k & 0x10 ? 64 : 96;
        sz.handshake_in_the_clear = !(k & 0x20);
        c->summary_type = k & 0x40 ? SPDM_SUMMARY_HASH_NONE : SPDM_SUMMARY_HASH_ALL;
        c->sig_requested = !(k & 0x80);
        return sz;
}

static bool all_zero(const void *p, size_t n)
{
        const uint8_t *b = p;
        for (size_t i = 0; i < n; i++)
                if (b[i])
                        return false;
        return true;
}

static void walk_accepted(uint8_t code, const union spdm_any *u, const struct spdm_sizes *sz)
{
        char why[SPDM_WHY_LEN];
        if (code == SPDM_CERTIFICATE && u->cert.portion) {
                struct spdm_cert_chain ch;
                size_t used, off = 0, n;
                const uint8_t *cert;
                if (spdm_cert_chain_decode(u->cert.portion, u->cert.portion_length, sz, &ch, &used, why)) {
                        if (used > u->cert.portion_length)
                                abort();
                        while (spdm_cert_chain_next(&ch, &off, &cert, &n, why) == SPDM_ITER_ITEM)
                                if (off > ch.certs_len)
                                        abort();
                }
        } else if (code == SPDM_MEASUREMENTS) {
                struct spdm_meas_iter it;
                struct spdm_meas_block b;
                unsigned n = 0;
                enum spdm_iter st;
                spdm_meas_iter_init(&it, u->meas.record, u->meas.record_len, u->meas.num_blocks);
                while ((st = spdm_meas_next(&it, &b, why)) == SPDM_ITER_ITEM)
                        n++;
                if (st != SPDM_ITER_END || n != u->meas.num_blocks) /* the decoder checked the record */
                        abort();
        } else if (code == SPDM_KEY_EXCHANGE || code == SPDM_KEY_EXCHANGE_RSP) {
                const uint8_t *o = code == SPDM_KEY_EXCHANGE ? u->kex.opaque : u->kex_rsp.opaque;
                uint16_t ol = code == SPDM_KEY_EXCHANGE ? u->kex.opaque_len : u->kex_rsp.opaque_len;
                struct spdm_opaque_sm sm;
                uint8_t out[64];
                size_t len;
                for (uint8_t fmt = 1; fmt <= 2; fmt++) {
                        why[0] = '\0';
                        if (!spdm_opaque_sm_decode(o, ol, fmt, &sm, why)) {
                                if (!why[0])
                                        abort();
                        } else if (!spdm_opaque_sm_encode(out, sizeof(out), fmt, &sm, &len)) {
                                abort();
                        }
                }
        }
}

static void one(uint8_t code, const uint8_t *in, size_t len, const struct spdm_sizes *sz,
                const struct spdm_any_ctx *c)
{
        static uint8_t enc[1 << 17], enc2[1 << 17];
        union spdm_any u, v;
        size_t used = 1, used2, elen, elen2;
        char why[SPDM_WHY_LEN] = "";
        memset(&u, 0xA5, sizeof(u));
        if (!spdm_any_decode(code, in, len, sz, c, &u, &used, why)) {
                if (used != 0 || !why[0] || !all_zero(&u, spdm_any_size(code)))
                        abort();
                return;
        }
        if (used > len || !spdm_any_decode(code, in, used, sz, c, &v, &used2, why) || used2 != used)
                abort();
        if (!spdm_any_encode(code, enc, sizeof(enc), &u, sz, &elen) || elen != used)
                abort();
        if (!spdm_any_decode(code, enc, elen, sz, c, &v, &used2, why) || used2 != elen ||
            !spdm_any_encode(code, enc2, sizeof(enc2), &v, sz, &elen2) || elen2 != elen || memcmp(enc, enc2, elen))
                abort();
        walk_accepted(code, &u, sz);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct spdm_any_ctx c;
        if (size < 1)
                return 0;
        struct spdm_sizes sz = sizes_of(data[0], &c);
        const uint8_t *in = data + 1;
        size_t len = size - 1;
        /* the decoder the message's own code names, then every decoder (wrong-code paths) */
        if (len >= 2 && spdm_any_size(in[1]))
                one(in[1], in, len, &sz, &c);
        for (size_t i = 0; i < sizeof(spdm_any_codes); i++)
                one(spdm_any_codes[i], in, len, &sz, &c);
        struct spdm_cert_chain ch;
        struct spdm_opaque_sm sm;
        size_t used;
        char why[SPDM_WHY_LEN];
        if (spdm_cert_chain_decode(in, len, &sz, &ch, &used, why) && used > len)
                abort();
        why[0] = '\0';
        if (!spdm_opaque_sm_decode(in, len, (uint8_t)(1 + (data[0] & 1)), &sm, why) && !why[0])
                abort();
        return 0;
}
