/* A device's identity and what it measures: the certificate chain of SPDM slot 0 with the
 * leaf's private key (DSP0274 1.2.1 §10.7), and the measurement sources its responder
 * reports (§10.11). The chain is a test PKI: made from a seed (the machine's, so a run is
 * reproducible), or read from files `ccada pki --out DIR` wrote (or a user's own, P-256 or
 * P-384). Never a foreign key: nothing is shipped.
 *
 * Files in a certificate directory (DER unless said):
 *     root_ca.der            the root CA certificate (the trust anchor the TSM is given)
 *     intermediate_ca.der    the intermediate CA certificate
 *     device_leaf.der        the device's certificate (the one whose key signs)
 *     device_chain.der       root || intermediate || leaf, as SPDM carries them
 *     device_leaf_key.pem    the device's private key (PKCS#8 PEM; keep it private)
 *
 * Measurements (indices, DMTF value types):
 *     1     immutable ROM          digest of the ROM image
 *     2     mutable firmware       digest of the firmware image (its version string)
 *     3     hardware configuration digest
 *     4     firmware configuration digest
 *     0xFE  device mode            raw 16 bytes: OperationalModeCapabilities,
 *                                  OperationalModeState, DeviceModeCapabilities,
 *                                  DeviceModeState (u32 LE each); DeviceModeState bit 1 set
 *                                  when invasive debug is on (UNVERIFIED: bit meanings from
 *                                  DSP0274 1.2.1 Table 56 as recalled; check before relying)
 */
#ifndef CCADA_DEVICE_IDENTITY_H
#define CCADA_DEVICE_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "device/spdm_responder.h"
#include "lib/ec.h"

#define DEV_IDENTITY_WHY_LEN 256
#define DEV_FW_VERSION_MAX 64

/* What the device runs: these strings are what it measures. */
struct dev_firmware {
        char version[DEV_FW_VERSION_MAX];       /* "" : "1.0.0" */
        bool debug;                             /* invasive debug mode on */
};

struct dev_identity {
        uint8_t *root, *chain;                  /* DER; chain = root || intermediate || leaf */
        size_t root_len, chain_len;
        struct ec_key *leaf_key;
        char rom[48], fw[96], hwcfg[64], fwcfg[64];
        uint8_t mode[16];
        struct spdm_meas_source meas[5];
        unsigned nmeas;
};

/* A fresh identity from seed (seed_len bytes; NULL/0: fresh keys from OpenSSL): a P-384 test
 * PKI valid 2026-01-01 .. 2036-01-01, and the measurements of fw. */
bool dev_identity_make(struct dev_identity *id, const uint8_t *seed, size_t seed_len, const struct dev_firmware *fw,
                       char *why);
/* The identity in dir (the files above; device_chain.der and device_leaf_key.pem are read,
 * root_ca.der must equal the chain's first certificate), with the measurements of fw. */
bool dev_identity_load(struct dev_identity *id, const char *dir, const struct dev_firmware *fw, char *why);
/* Writes a fresh PKI's files into dir (created if missing, mode 0700; the key file 0600).
 * Refuses to replace an existing file unless force. */
bool dev_identity_write_pki(const char *dir, const uint8_t *seed, size_t seed_len, bool force, char *why);
void dev_identity_free(struct dev_identity *id);

/* The responder configuration for this identity (chain, key, measurements); the caller
 * sets the DRBG and the rest. id must outlive the responder. */
void dev_identity_responder_cfg(const struct dev_identity *id, struct spdm_responder_cfg *cfg);

#endif
