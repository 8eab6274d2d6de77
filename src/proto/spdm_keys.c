/* The SPDM 1.1+ key schedule over lib/kdf.h. DSP0274 1.2 §12; facts/spdm-tdisp-ide.md §1.8. */
#include "proto/spdm_keys.h"

#include <string.h>

#include "lib/bytes.h"
#include "lib/kdf.h"

bool spdm_bin_str(uint8_t version, uint16_t length, const char *label, const uint8_t *context, size_t context_len,
                  uint8_t *out, size_t cap, size_t *out_len)
{
        uint8_t major = (uint8_t)(version >> 4), minor = (uint8_t)(version & 0x0f);
        size_t label_len = strlen(label);
        struct byte_writer w;
        char prefix[8];

        if (major != 1 || minor < 1 || minor > 9 || label_len > 12 || context_len > HASH_MAX_LEN ||
            (context_len && !context))
                return false;
        memcpy(prefix, "spdm1.x ", sizeof(prefix));
        prefix[6] = (char)('0' + minor);
        bw_init(&w, out, cap);
        bw_le16(&w, length);
        bw_bytes(&w, prefix, sizeof(prefix));
        bw_bytes(&w, label, label_len);
        if (context_len)
                bw_bytes(&w, context, context_len);
        if (!bw_ok(&w))
                return false;
        *out_len = w.off;
        return true;
}

/* out = HKDF-Expand(secret, bin_str(len, label, context), len). */
static bool expand(const struct spdm_key_schedule *ks, const uint8_t *secret, const char *label,
                   const uint8_t *context, size_t context_len, uint8_t *out, size_t len)
{
        uint8_t info[SPDM_BIN_STR_MAX];
        size_t info_len, h = hash_len(ks->hash);

        return len <= UINT16_MAX &&
               spdm_bin_str(ks->version, (uint16_t)len, label, context, context_len, info, sizeof(info), &info_len) &&
               hkdf_expand(ks->hash, secret, h, info, info_len, out, len);
}

/* The AEAD key and IV of a traffic secret already in t->secret. */
static bool traffic_keys(const struct spdm_key_schedule *ks, struct spdm_traffic_keys *t)
{
        return expand(ks, t->secret, "key", NULL, 0, t->key, aead_key_len(ks->aead)) &&
               expand(ks, t->secret, "iv", NULL, 0, t->iv, AEAD_NONCE_LEN);
}

bool spdm_ks_handshake(struct spdm_key_schedule *ks, uint8_t version, enum hash_alg hash, enum aead_alg aead,
                       const uint8_t *dhe, size_t dhe_len, const uint8_t *th1)
{
        size_t h = hash_len(hash);

        memset(ks, 0, sizeof(*ks));
        ks->version = version;
        ks->hash = hash;
        ks->aead = aead;
        if (!h || !aead_key_len(aead) || version < 0x11 || !dhe || !dhe_len || !th1)
                return false;
        bool ok = hkdf_extract(hash, NULL, 0, dhe, dhe_len, ks->handshake_secret) &&
                  expand(ks, ks->handshake_secret, "req hs data", th1, h, ks->req_hs.secret, h) &&
                  expand(ks, ks->handshake_secret, "rsp hs data", th1, h, ks->rsp_hs.secret, h) &&
                  expand(ks, ks->req_hs.secret, "finished", NULL, 0, ks->req_finished_key, h) &&
                  expand(ks, ks->rsp_hs.secret, "finished", NULL, 0, ks->rsp_finished_key, h) &&
                  traffic_keys(ks, &ks->req_hs) && traffic_keys(ks, &ks->rsp_hs);
        if (!ok) {
                spdm_ks_wipe(ks);
                return false;
        }
        ks->have_handshake = true;
        return true;
}

bool spdm_ks_data(struct spdm_key_schedule *ks, const uint8_t *th2)
{
        uint8_t salt1[HASH_MAX_LEN], zeros[HASH_MAX_LEN] = { 0 };
        size_t h = hash_len(ks->hash);

        if (!ks->have_handshake || ks->have_data || !th2)
                return false;
        bool ok = expand(ks, ks->handshake_secret, "derived", NULL, 0, salt1, h) &&
                  hkdf_extract(ks->hash, salt1, h, zeros, h, ks->master_secret) &&
                  expand(ks, ks->master_secret, "req app data", th2, h, ks->req_data.secret, h) &&
                  expand(ks, ks->master_secret, "rsp app data", th2, h, ks->rsp_data.secret, h) &&
                  expand(ks, ks->master_secret, "exp master", th2, h, ks->export_master_secret, h) &&
                  traffic_keys(ks, &ks->req_data) && traffic_keys(ks, &ks->rsp_data);
        secure_zero(salt1, sizeof(salt1));
        if (!ok)
                return false;
        ks->have_data = true;
        return true;
}

bool spdm_ks_update(struct spdm_key_schedule *ks, struct spdm_traffic_keys *dir)
{
        uint8_t next[HASH_MAX_LEN];
        size_t h = hash_len(ks->hash);

        if (!ks->have_data || (dir != &ks->req_data && dir != &ks->rsp_data))
                return false;
        bool ok = expand(ks, dir->secret, "traffic upd", NULL, 0, next, h);
        if (ok) {
                memcpy(dir->secret, next, h);
                ok = traffic_keys(ks, dir);
        }
        secure_zero(next, sizeof(next));
        return ok;
}

bool spdm_ks_verify_data(const struct spdm_key_schedule *ks, bool requester, const uint8_t *th, uint8_t *out)
{
        size_t h = hash_len(ks->hash);

        return ks->have_handshake && th &&
               hmac_once(ks->hash, requester ? ks->req_finished_key : ks->rsp_finished_key, h, th, h, out);
}

void spdm_ks_wipe(struct spdm_key_schedule *ks)
{
        secure_zero(ks, sizeof(*ks));
}
