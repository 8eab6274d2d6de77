/* The `keybroker-app` app (workload "keybroker-app"): the learning path's Key Broker
 * client (veraison/keybroker-demo's keybroker-app) inside the Realm, over lwIP and
 * virtio-net (realm/net.h).
 *
 * Arguments (HOSTCALL_GET_ARGS, as typed in the Realm's shell): "[-v] [--endpoint URL]
 * [--pin=SHA256] KEY_NAME"; URL is http://a.b.c.d[:port] (default http://10.0.2.2:8088, the
 * host as libslirp shows it to the Realm) or https://...: then TLS 1.3 (realm/tls.h) with
 * the broker's certificate checked against --pin (64 hex digits, the SHA-256 of its DER;
 * the Realm has no CA store), an addition of ccada's. What it does, as the original does:
 *   1. makes an ephemeral RSA-1024 key pair (in the Realm: the private half never leaves);
 *   2. POST {endpoint}/keys/v1/key/{KEY_NAME} with {"pubkey": JWK, alg RSA1_5}; expects
 *      201 with a Location and {"challenge": base64url of 64 bytes};
 *   3. asks the RMM for a CCA attestation token over the challenge (rk_attestation_token,
 *      Linux's TSM report interface);
 *   4. POST the token, base64url, to the Location with Content-Type
 *      application/eat-collection; profile="http://arm.com/CCA-SSD/1.0.0";
 *   5. 200 {"data": base64url}: unwraps the key (RSAES-PKCS1-v1_5) and prints it;
 *      403: prints the broker's reason.
 * With -v it prints the original's INFO lines on the Realm's console. The exit code is the
 * original's: 0 the key was released, 1 attestation failure (403), 2 any other error.
 * Report: section "keybroker" (key_name, endpoint, challenge, evidence_url, http_status,
 * key, exit_code, requests, token_len, and the frames and bytes it moved) and check
 * "key_released". */
#ifndef CCADA_REALM_APPS_KEYBROKER_APP_H
#define CCADA_REALM_APPS_KEYBROKER_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "realm/kernel.h"

#define KEYBROKER_SECTION "keybroker"
#define KEYBROKER_COMM "keybroker-app"
#define KEYBROKER_PID 143
#define KEYBROKER_DEFAULT_ENDPOINT "http://10.0.2.2:8088"
#define KEYBROKER_EAT_MEDIA_TYPE "application/eat-collection; profile=\"http://arm.com/CCA-SSD/1.0.0\""

struct keybroker_args {
        bool verbose;
        char endpoint[256];
        char key[64];
        bool has_pin;
        uint8_t pin[32];                /* --pin: SHA-256 of the broker's certificate (https) */
};

/* Parses the arguments. False with the reason in why. */
bool keybroker_parse_args(const char *args, struct keybroker_args *a, char *why, size_t whylen);

void realm_keybroker_app_init(struct realm_kernel *k);

#endif
