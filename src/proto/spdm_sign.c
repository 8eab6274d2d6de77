/* SPDM 1.2+ signing input. DSP0274 1.2 §15. */
#include "proto/spdm_sign.h"

#include <string.h>

bool spdm_signed_message(uint8_t version, const char *context, const uint8_t *th_hash, size_t hash_len,
                         uint8_t *out, size_t cap, size_t *out_len)
{
        static const char base[] = "dmtf-spdm-v1.x.*";
        uint8_t minor = (uint8_t)(version & 0x0f);
        size_t ctx_len = strlen(context);

        if ((version >> 4) != 1 || minor < 2 || minor > 9 || ctx_len > 36 || hash_len > 64 || !th_hash ||
            cap < SPDM_SIGN_PREFIX_LEN + hash_len)
                return false;
        for (unsigned i = 0; i < 4; i++) {
                memcpy(out + 16 * i, base, 16);
                out[16 * i + 13] = (uint8_t)('0' + minor);
        }
        memset(out + 64, 0, 36 - ctx_len);
        memcpy(out + 100 - ctx_len, context, ctx_len);
        memcpy(out + SPDM_SIGN_PREFIX_LEN, th_hash, hash_len);
        *out_len = SPDM_SIGN_PREFIX_LEN + hash_len;
        return true;
}
