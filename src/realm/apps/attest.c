/* The `attest` app (see attest.h). */
#include "realm/apps/attest.h"

#include <string.h>

#include "ccada/report.h"
#include "lib/bytes.h"
#include "proto/hostcall.h"

/* The challenge the host relays (HOSTCALL_GET_CHALLENGE): false, with the report's error,
 * when the call fails or the length is not 32..64. */
static bool challenge_of(struct realm_kernel *k, uint8_t out[64], size_t *len)
{
        uint64_t g[31] = { 0 };
        ccada_status st = rk_host_call(k, HOSTCALL_GET_CHALLENGE, g);
        if (st != CCADA_OK) {
                rk_report_error(k, "attest: the host call for the challenge failed: %s", ccada_status_text(st));
                return false;
        }
        if (g[0] < 32 || g[0] > HOSTCALL_CHALLENGE_MAX) {
                rk_report_error(k, "attest: the host gave a %llu-byte challenge; it must be 32 to 64 bytes",
                                (unsigned long long)g[0]);
                return false;
        }
        for (unsigned i = 0; i < 8; i++)
                st_le64(out + 8 * i, g[1 + i]);
        *len = (size_t)g[0];
        memset(out + *len, 0, 64 - *len); /* only what it said it gave */
        return true;
}

void realm_attest_init(struct realm_kernel *k)
{
        uint8_t challenge[64], *token = NULL;
        size_t clen = 0, len = 0;
        ccada_status st;

        rk_report_check(k, "attest_token", false);
        if (!challenge_of(k, challenge, &clen))
                return;
        st = rk_attestation_token(k, challenge, clen, &token, &len);
        if (st != CCADA_OK) {
                rk_report_error(k, "attest: no attestation token: %s", ccada_status_text(st));
                return;
        }
        struct ccada_report_section *s = rk_report_section(k, ATTEST_SECTION);
        ccada_report_hex(s, "challenge", challenge, 64);
        ccada_report_hex(s, "token", token, len);
        ccada_report_u64(s, "token_len", len);
        rk_printk(k, "attest: a %zu-byte attestation token for the challenge", len);
        rk_report_check(k, "attest_token", true);
        rk_kfree(k, token);
}
