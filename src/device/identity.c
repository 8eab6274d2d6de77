/* A device's SPDM identity and measurements. */
#include "device/identity.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/crypto.h"
#include "lib/pki.h"

#define NOT_BEFORE 1767225600   /* 2026-01-01T00:00:00Z */
#define NOT_AFTER  2082758400   /* 2036-01-01T00:00:00Z */
#define FILE_MAX   (64u * 1024u)

__attribute__((format(printf, 2, 3))) static bool refuse(char *why, const char *fmt, ...)
{
        va_list ap;
        if (why) {
                va_start(ap, fmt);
                vsnprintf(why, DEV_IDENTITY_WHY_LEN, fmt, ap);
                va_end(ap);
        }
        return false;
}

/* The measurement sources of fw into id. */
static void measure(struct dev_identity *id, const struct dev_firmware *fw)
{
        const char *version = fw && fw->version[0] ? fw->version : "1.0.0";
        bool debug = fw && fw->debug;

        snprintf(id->rom, sizeof(id->rom), "ccada device boot ROM 1");
        snprintf(id->fw, sizeof(id->fw), "ccada device firmware %s", version);
        snprintf(id->hwcfg, sizeof(id->hwcfg), "pcie gen5 x16, 1 function, bar0 64KiB");
        snprintf(id->fwcfg, sizeof(id->fwcfg), "debug=%d ide=on tdisp=on", debug ? 1 : 0);
        memset(id->mode, 0, sizeof(id->mode));
        id->mode[0] = 0x04;                     /* OperationalModeCapabilities: normal */
        id->mode[4] = 0x04;                     /* OperationalModeState: normal */
        id->mode[8] = 0x03;                     /* DeviceModeCapabilities: both debug modes */
        id->mode[12] = debug ? 0x02 : 0x00;     /* DeviceModeState: invasive debug */
        id->meas[0] = (struct spdm_meas_source){ .index = 1, .value_type = SPDM_MEAS_TYPE_IMMUTABLE_ROM,
                                                 .value = (const uint8_t *)id->rom, .len = strlen(id->rom) };
        id->meas[1] = (struct spdm_meas_source){ .index = 2, .value_type = SPDM_MEAS_TYPE_MUTABLE_FW,
                                                 .value = (const uint8_t *)id->fw, .len = strlen(id->fw) };
        id->meas[2] = (struct spdm_meas_source){ .index = 3, .value_type = SPDM_MEAS_TYPE_HW_CONFIG,
                                                 .value = (const uint8_t *)id->hwcfg, .len = strlen(id->hwcfg) };
        id->meas[3] = (struct spdm_meas_source){ .index = 4, .value_type = SPDM_MEAS_TYPE_FW_CONFIG,
                                                 .value = (const uint8_t *)id->fwcfg, .len = strlen(id->fwcfg) };
        id->meas[4] = (struct spdm_meas_source){ .index = SPDM_MEAS_INDEX_DEVICE_MODE,
                                                 .value_type = SPDM_MEAS_TYPE_DEVICE_MODE, .raw = true,
                                                 .value = id->mode, .len = sizeof(id->mode) };
        id->nmeas = 5;
}

static uint8_t *bytes_dup(const uint8_t *p, size_t n)
{
        uint8_t *d = malloc(n ? n : 1);
        if (d && n)
                memcpy(d, p, n);
        return d;
}

bool dev_identity_make(struct dev_identity *id, const uint8_t *seed, size_t seed_len, const struct dev_firmware *fw,
                       char *why)
{
        struct pki p;
        struct pki_params pp = { .not_before = NOT_BEFORE, .not_after = NOT_AFTER, .seed = seed, .seed_len = seed_len };
        char pwhy[PKI_WHY_LEN] = "";

        memset(id, 0, sizeof(*id));
        if (!pki_make(&pp, &p, pwhy))
                return refuse(why, "making the device PKI: %s", pwhy);
        id->root = bytes_dup(p.root, p.root_len);
        id->chain = bytes_dup(p.chain, p.chain_len);
        id->root_len = p.root_len;
        id->chain_len = p.chain_len;
        id->leaf_key = p.leaf_key;
        p.leaf_key = NULL;
        pki_free(&p);
        if (!id->root || !id->chain) {
                dev_identity_free(id);
                return refuse(why, "out of memory");
        }
        measure(id, fw);
        return true;
}

/* A whole file (at most FILE_MAX bytes) into a malloc'd buffer (NUL-terminated too). */
static bool slurp(const char *dir, const char *name, uint8_t **out, size_t *len, char *why)
{
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        FILE *f = fopen(path, "rb");
        if (!f)
                return refuse(why, "%s: %s", path, strerror(errno));
        uint8_t *b = malloc(FILE_MAX + 1);
        size_t n = b ? fread(b, 1, FILE_MAX + 1, f) : 0;
        bool err = ferror(f);
        fclose(f);
        if (!b || err || n > FILE_MAX || n == 0) {
                free(b);
                return refuse(why, "%s: %s", path, !b ? "out of memory" : err ? "read error" : n ? "too large" : "empty");
        }
        b[n] = 0;
        *out = b;
        *len = n;
        return true;
}

bool dev_identity_load(struct dev_identity *id, const char *dir, const struct dev_firmware *fw, char *why)
{
        uint8_t *key = NULL;
        size_t key_len = 0;
        char kwhy[EC_WHY_LEN] = "";

        memset(id, 0, sizeof(*id));
        if (!slurp(dir, "root_ca.der", &id->root, &id->root_len, why) ||
            !slurp(dir, "device_chain.der", &id->chain, &id->chain_len, why) ||
            !slurp(dir, "device_leaf_key.pem", &key, &key_len, why)) {
                dev_identity_free(id);
                return false;
        }
        bool ok = ec_key_from_pem(&id->leaf_key, (const char *)key, key_len, kwhy);
        secure_zero(key, key_len);
        free(key);
        if (!ok || !ec_key_has_private(id->leaf_key)) {
                dev_identity_free(id);
                return refuse(why, "%s/device_leaf_key.pem: %s", dir, kwhy[0] ? kwhy : "no private key");
        }
        if (id->chain_len < id->root_len || memcmp(id->chain, id->root, id->root_len) != 0) {
                dev_identity_free(id);
                return refuse(why, "%s: device_chain.der does not start with root_ca.der", dir);
        }
        measure(id, fw);
        return true;
}

/* Writes n bytes to dir/name with mode, refusing to replace a file unless force. */
static bool put(const char *dir, const char *name, const void *data, size_t n, mode_t mode, bool force, char *why)
{
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        int fd = open(path, O_WRONLY | O_CREAT | (force ? O_TRUNC : O_EXCL), mode);
        if (fd < 0)
                return refuse(why, errno == EEXIST ? "%s: %s (use --force to replace it)" : "%s: %s", path,
                              strerror(errno));
        const uint8_t *p = data;
        size_t left = n;
        while (left) {
                ssize_t w = write(fd, p, left);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0) {
                        close(fd);
                        return refuse(why, "%s: %s", path, strerror(errno));
                }
                p += w;
                left -= (size_t)w;
        }
        if (close(fd) != 0)
                return refuse(why, "%s: %s", path, strerror(errno));
        return true;
}

bool dev_identity_write_pki(const char *dir, const uint8_t *seed, size_t seed_len, bool force, char *why)
{
        static const char *const names[] = { "root_ca.der", "intermediate_ca.der", "device_leaf.der",
                                             "device_chain.der", "device_leaf_key.pem" };
        struct pki p;
        struct pki_params pp = { .not_before = NOT_BEFORE, .not_after = NOT_AFTER, .seed = seed, .seed_len = seed_len };
        char pwhy[PKI_WHY_LEN] = "", path[4096];
        char *key = NULL;

        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
                return refuse(why, "%s: %s", dir, strerror(errno));
        if (!force)     /* all or nothing: check every name before writing any */
                for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
                        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
                        if (access(path, F_OK) == 0)
                                return refuse(why, "%s: %s", path, "exists (use --force to replace it)");
                }
        if (!pki_make(&pp, &p, pwhy))
                return refuse(why, "making the PKI: %s", pwhy);
        bool ok = ec_key_private_pem(p.leaf_key, &key) &&
                  put(dir, names[0], p.root, p.root_len, 0644, force, why) &&
                  put(dir, names[1], p.intermediate, p.intermediate_len, 0644, force, why) &&
                  put(dir, names[2], p.leaf, p.leaf_len, 0644, force, why) &&
                  put(dir, names[3], p.chain, p.chain_len, 0644, force, why) &&
                  put(dir, names[4], key, strlen(key), 0600, force, why);
        if (!key && why)
                snprintf(why, DEV_IDENTITY_WHY_LEN, "encoding the leaf key failed");
        if (key) {
                secure_zero(key, strlen(key));
                free(key);
        }
        pki_free(&p);
        return ok;
}

void dev_identity_free(struct dev_identity *id)
{
        free(id->root);
        free(id->chain);
        ec_key_free(id->leaf_key);
        memset(id, 0, sizeof(*id));
}

void dev_identity_responder_cfg(const struct dev_identity *id, struct spdm_responder_cfg *cfg)
{
        cfg->chain_der = id->chain;
        cfg->chain_der_len = id->chain_len;
        cfg->leaf_key = id->leaf_key;
        memcpy(cfg->meas, id->meas, sizeof(id->meas));
        cfg->nmeas = id->nmeas;
}
