/* The `attest` app (workload "attest"): the Realm asks the host for a verifier's challenge
 * (HOSTCALL_GET_CHALLENGE, 32 to 64 bytes; not on the command line, which the RIM
 * measures), asks the RMM for an attestation token over it as Linux's TSM report interface
 * does (rk_attestation_token), and puts it in the report: section "attest" with "challenge" (hex, as given, zero-padded to 64 bytes),
 * "token" (hex, the raw CBOR collection) and "token_len" (u64); check "attest_token". This
 * is what `ccada token make` runs. */
#ifndef CCADA_REALM_APPS_ATTEST_H
#define CCADA_REALM_APPS_ATTEST_H

#include "realm/kernel.h"

#define ATTEST_SECTION "attest"

void realm_attest_init(struct realm_kernel *k);

#endif
