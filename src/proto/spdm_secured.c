/* DSP0277 secured messages on the PCIe DOE binding. */
#include "proto/spdm_secured.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "lib/crypto.h"

bool spdm_secured_dir_init(struct spdm_secured_dir *dir, enum aead_alg alg, const uint8_t *key,
                           const uint8_t iv[AEAD_NONCE_LEN])
{
        memset(dir, 0, sizeof(*dir));
        if (!aead_new(&dir->aead, alg, key, aead_key_len(alg)))
                return false;
        memcpy(dir->iv, iv, AEAD_NONCE_LEN);
        return true;
}

void spdm_secured_dir_clear(struct spdm_secured_dir *dir)
{
        aead_free(dir->aead);
        secure_zero(dir, sizeof(*dir));
}

void spdm_secured_nonce(const uint8_t iv[AEAD_NONCE_LEN], uint64_t seq, uint8_t nonce[AEAD_NONCE_LEN])
{
        memcpy(nonce, iv, AEAD_NONCE_LEN);
        for (unsigned i = 0; i < 8; i++)
                nonce[i] ^= (uint8_t)(seq >> (8 * i));
}

bool spdm_secured_seal(struct spdm_secured_dir *dir, uint32_t session_id, const uint8_t *app, size_t app_len,
                       const uint8_t *random, size_t random_len, uint8_t *out, size_t cap, size_t *out_len)
{
        uint8_t nonce[AEAD_NONCE_LEN];
        size_t plain = 2 + app_len + random_len, total = SPDM_SECURED_HDR_LEN + plain + AEAD_TAG_LEN;

        if (!dir->aead || app_len > UINT16_MAX || random_len > UINT16_MAX || plain + AEAD_TAG_LEN > UINT16_MAX ||
            total > cap || dir->seq == UINT64_MAX || (app_len && !app) || (random_len && !random))
                return false;
        st_le32(out, session_id);
        st_le16(out + 4, (uint16_t)(plain + AEAD_TAG_LEN));
        uint8_t *p = out + SPDM_SECURED_HDR_LEN;
        st_le16(p, (uint16_t)app_len);
        if (app_len)
                memmove(p + 2, app, app_len);
        if (random_len)
                memmove(p + 2 + app_len, random, random_len);
        spdm_secured_nonce(dir->iv, dir->seq, nonce);
        if (!aead_seal(dir->aead, nonce, out, SPDM_SECURED_HDR_LEN, p, plain, p, p + plain)) {
                secure_zero(out, total);
                return false;
        }
        dir->seq++;
        *out_len = total;
        return true;
}

bool spdm_secured_session_id(const uint8_t *rec, size_t len, uint32_t *session_id)
{
        if (len < 4)
                return false;
        *session_id = ld_le32(rec);
        return true;
}

static bool refuse(char *why, const char *what)
{
        if (why)
                snprintf(why, SPDM_SECURED_WHY_LEN, "%s", what);
        return false;
}

bool spdm_secured_open(struct spdm_secured_dir *dir, uint32_t session_id, const uint8_t *rec, size_t len,
                       uint8_t *app, size_t cap, size_t *app_len, size_t *used, char *why)
{
        uint8_t nonce[AEAD_NONCE_LEN];

        if (!dir->aead)
                return refuse(why, "no keys for this direction");
        if (len < SPDM_SECURED_HDR_LEN)
                return refuse(why, "record shorter than its 6-byte header");
        if (ld_le32(rec) != session_id) {
                if (why)
                        snprintf(why, SPDM_SECURED_WHY_LEN, "record for session 0x%08x, expected 0x%08x",
                                 ld_le32(rec), session_id);
                return false;
        }
        size_t length = ld_le16(rec + 4);
        if (length < 2 + AEAD_TAG_LEN)
                return refuse(why, "record Length too small for ApplicationDataLength and MAC");
        if (length > len - SPDM_SECURED_HDR_LEN)
                return refuse(why, "record shorter than its Length");
        if (dir->seq == UINT64_MAX)
                return refuse(why, "sequence number exhausted: the session needs KEY_UPDATE");
        size_t enc = length - AEAD_TAG_LEN;
        uint8_t *plain = malloc(enc);
        if (!plain)
                return refuse(why, "out of memory");
        spdm_secured_nonce(dir->iv, dir->seq, nonce);
        bool ok = aead_open(dir->aead, nonce, rec, SPDM_SECURED_HDR_LEN, rec + SPDM_SECURED_HDR_LEN, enc,
                            rec + SPDM_SECURED_HDR_LEN + enc, plain);
        if (!ok) {
                free(plain);
                return refuse(why, "MAC does not verify (tampered, replayed, reordered or another key)");
        }
        size_t n = ld_le16(plain);
        if (n > enc - 2) {
                ok = refuse(why, "ApplicationDataLength beyond the decrypted bytes");
        } else if (n > cap) {
                ok = refuse(why, "application data larger than the receive buffer");
        } else {
                if (n)
                        memcpy(app, plain + 2, n);
                *app_len = n;
                *used = SPDM_SECURED_HDR_LEN + length;
                dir->seq++;
        }
        secure_zero(plain, enc);
        free(plain);
        return ok;
}
