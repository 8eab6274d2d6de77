/* Writes a PKI from pki_make for pki_check.py: DIR/root.der, intermediate.der, leaf.der,
 * chain.der, and the three private keys as PKCS#8 PEM (root.key, intermediate.key, leaf.key).
 * Validity: NOT_BEFORE..NOT_AFTER (seconds since the epoch); SEED_HEX "-" for fresh keys.
 * Usage: pki_write DIR NOT_BEFORE NOT_AFTER SEED_HEX [ROOT_SUBJECT INTER_SUBJECT LEAF_SUBJECT] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/crypto.h"
#include "lib/pki.h"

static int put(const char *dir, const char *name, const void *data, size_t len)
{
        char path[4096];
        FILE *f;
        if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path) || !(f = fopen(path, "wb")))
                return -1;
        int ok = fwrite(data, 1, len, f) == len;
        return fclose(f) == 0 && ok ? 0 : -1;
}

static int put_key(const char *dir, const char *name, const struct ec_key *k)
{
        char *pem = NULL;
        if (!ec_key_private_pem(k, &pem))
                return -1;
        int rc = put(dir, name, pem, strlen(pem));
        secure_zero(pem, strlen(pem));
        free(pem);
        return rc;
}

static bool parse_time(const char *s, time_t *out)
{
        char *end = NULL;
        long long v = strtoll(s, &end, 10);
        if (!*s || *end)
                return false;
        *out = (time_t)v;
        return true;
}

int main(int argc, char **argv)
{
        uint8_t seed[64];
        struct pki_params p = { 0 };
        struct pki pki;
        char why[PKI_WHY_LEN];
        if ((argc != 5 && argc != 8) || !parse_time(argv[2], &p.not_before) || !parse_time(argv[3], &p.not_after) ||
            (strcmp(argv[4], "-") != 0 && !hex_decode(argv[4], seed, sizeof(seed), &p.seed_len))) {
                fprintf(stderr, "usage: pki_write DIR NOT_BEFORE NOT_AFTER SEED_HEX|- [ROOT INTER LEAF]\n");
                return 2;
        }
        p.seed = p.seed_len ? seed : NULL;
        if (argc == 8)
                p.root_subject = argv[5], p.intermediate_subject = argv[6], p.leaf_subject = argv[7];
        if (!pki_make(&p, &pki, why)) {
                fprintf(stderr, "pki_write: %s\n", why);
                return 1;
        }
        int rc = put(argv[1], "root.der", pki.root, pki.root_len) ||
                 put(argv[1], "intermediate.der", pki.intermediate, pki.intermediate_len) ||
                 put(argv[1], "leaf.der", pki.leaf, pki.leaf_len) || put(argv[1], "chain.der", pki.chain, pki.chain_len) ||
                 put_key(argv[1], "root.key", pki.root_key) ||
                 put_key(argv[1], "intermediate.key", pki.intermediate_key) ||
                 put_key(argv[1], "leaf.key", pki.leaf_key);
        pki_free(&pki);
        secure_zero(seed, sizeof(seed));
        return rc ? 1 : 0;
}
