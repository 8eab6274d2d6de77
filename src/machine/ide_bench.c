/* IDE sealing cost against raw EVP AES-256-GCM (ide_bench.h). */
#include "machine/ide_bench.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "hw/ide.h"
#include "hw/tlp.h"
#include "lib/clock.h"
#include "lib/crypto.h"

/* A Secure engine: K0 live on every sub-stream and direction, a fixed bench key. */
static struct hw_ide *secure_engine(void)
{
        const struct hw_ide_config cfg = { .stream_id = 1 };
        uint8_t key[HW_IDE_KEY_LEN];
        struct hw_ide *e;

        memset(key, 0x42, sizeof(key));
        if (!hw_ide_new(&e, &cfg))
                return NULL;
        for (unsigned ss = 0; ss < HW_IDE_SUB_STREAMS; ss++)
                for (unsigned d = 0; d < 2; d++)
                        if (hw_ide_key_prog(e, (enum hw_ide_sub_stream)ss, (enum hw_ide_dir)d, HW_IDE_K0, key,
                                            HW_IDE_IFV_INITIAL) != HW_IDE_OK ||
                            hw_ide_key_go(e, (enum hw_ide_sub_stream)ss, (enum hw_ide_dir)d, HW_IDE_K0) != HW_IDE_OK) {
                                hw_ide_free(e);
                                e = NULL;
                                goto out;
                        }
out:
        secure_zero(key, sizeof(key));
        return e;
}

static bool time_ide(struct hw_ide *e, const uint8_t *payload, uint32_t size, unsigned iters, uint8_t *wire,
                     double *ns)
{
        const struct hw_tlp t = { .kind = HW_TLP_MWR, .ide.t = true, .requester_id = 0x0100, .addr = 0x80000000,
                                  .len = size, .data = payload };
        size_t n;
        double t0 = clock_mono_ns();
        for (unsigned i = 0; i < iters; i++)
                if (hw_ide_tx(e, &t, wire, HW_TLP_MAX_WIRE, &n, NULL) != HW_IDE_OK)
                        return false;
        *ns = (clock_mono_ns() - t0) / iters;
        return true;
}

static bool time_evp(const uint8_t *payload, uint32_t size, unsigned iters, uint8_t *out, double *ns)
{
        uint8_t key[32], nonce[12] = { 0 }, aad[16] = { 0 }, tag[16];
        EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
        int len = 0;
        bool ok = c != NULL;

        memset(key, 0x42, sizeof(key));
        ok = ok && EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, NULL) == 1;
        double t0 = clock_mono_ns();
        for (unsigned i = 0; ok && i < iters; i++) {
                nonce[11] = (uint8_t)i;
                ok = EVP_EncryptInit_ex(c, NULL, NULL, NULL, nonce) == 1 &&
                     EVP_EncryptUpdate(c, NULL, &len, aad, (int)sizeof(aad)) == 1 &&
                     EVP_EncryptUpdate(c, out, &len, payload, (int)size) == 1 &&
                     EVP_EncryptFinal_ex(c, out + len, &len) == 1 &&
                     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, tag) == 1;
        }
        *ns = (clock_mono_ns() - t0) / iters;
        EVP_CIPHER_CTX_free(c);
        secure_zero(key, sizeof(key));
        return ok;
}

bool ide_bench_run(const uint32_t *sizes, size_t n, unsigned iters, struct ide_bench_row *rows)
{
        uint8_t *payload = calloc(1, HW_TLP_MAX_DATA), *wire = malloc(HW_TLP_MAX_WIRE);
        bool ok = payload && wire && iters;

        for (size_t i = 0; ok && i < n; i++) {
                struct hw_ide *e;
                ok = sizes[i] >= 4 && sizes[i] <= HW_TLP_MAX_DATA && sizes[i] % 4 == 0 && (e = secure_engine());
                if (!ok)
                        break;
                rows[i] = (struct ide_bench_row){ .size = sizes[i], .iters = iters };
                ok = time_ide(e, payload, sizes[i], iters, wire, &rows[i].ide_ns_per_tlp) &&
                     time_evp(payload, sizes[i], iters, wire, &rows[i].evp_ns_per_op);
                hw_ide_free(e);
                if (ok)
                        rows[i].ratio = rows[i].evp_ns_per_op / rows[i].ide_ns_per_tlp;
        }
        free(payload);
        free(wire);
        return ok;
}
