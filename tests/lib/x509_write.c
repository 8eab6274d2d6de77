/* Writes a certificate from x509_self_signed for x509_check.py: DIR/cert.pem, DIR/key.pem
 * and DIR/pin.hex (the fingerprint x509.c computed, lower-case hex).
 * Usage: x509_write DIR COMMON_NAME [IP] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/crypto.h"
#include "lib/x509.h"

static int put(const char *dir, const char *name, const char *text)
{
        char path[4096];
        FILE *f;
        if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path) || !(f = fopen(path, "w")))
                return -1;
        int ok = fputs(text, f) >= 0;
        return fclose(f) == 0 && ok ? 0 : -1;
}

int main(int argc, char **argv)
{
        char *cert = NULL, *key = NULL, why[X509_CERT_WHY_LEN], hex[2 * X509_CERT_PIN_LEN + 2];
        uint8_t pin[X509_CERT_PIN_LEN];
        if (argc < 3 || argc > 4) {
                fprintf(stderr, "usage: x509_write DIR COMMON_NAME [IP]\n");
                return 2;
        }
        if (!x509_self_signed(argv[2], argc == 4 ? argv[3] : NULL, 30, &cert, &key, pin, why)) {
                fprintf(stderr, "x509_write: %s\n", why);
                return 1;
        }
        hex_encode(hex, pin, sizeof(pin));
        int rc = put(argv[1], "cert.pem", cert) || put(argv[1], "key.pem", key) ||
                 put(argv[1], "pin.hex", hex);
        free(cert);
        secure_zero(key, strlen(key));
        free(key);
        return rc ? 1 : 0;
}
