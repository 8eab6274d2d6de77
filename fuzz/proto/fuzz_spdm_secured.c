/* A secured SPDM record from a hostile peer or relay (DSP0277 on PCIe DOE). The keys are
 * session 1's request data keys of the recorded emulator session (tests/kat), so the
 * committed corpus holds records that open. What must hold: no read outside the input; a
 * refusal says why and leaves the counter where it was; an accepted record lies inside
 * the input, its application data fits the buffer, and the counter advanced by one; the
 * application data sealed again under the same number gives back the record when it
 * carried no random data, and opens to the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/crypto.h"
#include "proto/spdm_secured.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const uint8_t key[32] = {
                0xa3, 0x16, 0x40, 0xd4, 0xfa, 0x35, 0xbf, 0xf6, 0x8a, 0xb8, 0x50,
                0x92, 0xb7, 0xeb, 0x06, 0x34, 0x84, 0x0f, 0x5f, 0x09, 0xd1, 0xa9,
                0x5a, 0x4e, 0x4b, 0xb8, 0x60, 0x14, 0x03, 0x6f, 0x38, 0x99
        };
        static const uint8_t iv[12] = { 0x6d, 0xcf, 0xc8, 0xb8, 0x60, 0xf3, 0xba, 0x02, 0xf6, 0x67, 0x41, 0x96 };
        struct spdm_secured_dir d;
        uint8_t app[4096];
        size_t app_len = 0, used = 0;
        char why[SPDM_SECURED_WHY_LEN] = "";
        uint32_t sid = 0;

        if (!spdm_secured_dir_init(&d, AEAD_AES_256_GCM, key, iv))
                abort();
        uint8_t *copy = malloc(size ? size : 1); /* exactly size bytes: ASan sees any overread */
        if (!copy)
                abort();
        memcpy(copy, data, size);
        (void)spdm_secured_session_id(copy, size, &sid);
        if (!spdm_secured_open(&d, sid, copy, size, app, sizeof(app), &app_len, &used, why)) {
                if (!why[0] || d.seq != 0)
                        abort();
        } else {
                if (used > size || used < SPDM_SECURED_OVERHEAD || app_len > sizeof(app) || d.seq != 1 ||
                    app_len + SPDM_SECURED_OVERHEAD > used)
                        abort();
                uint8_t *again = malloc(used), back[4096];
                size_t n = 0, bl = 0, bu = 0;
                if (!again)
                        abort();
                d.seq = 0;
                if (!spdm_secured_seal(&d, sid, app, app_len, NULL, 0, again, used, &n))
                        abort();
                if (n == used && memcmp(again, copy, used) != 0)
                        abort();
                d.seq = 0;
                if (!spdm_secured_open(&d, sid, again, n, back, sizeof(back), &bl, &bu, why) || bl != app_len ||
                    memcmp(back, app, app_len) != 0)
                        abort();
                free(again);
        }
        free(copy);
        spdm_secured_dir_clear(&d);
        return 0;
}
