/* RSI_ATTESTATION_TOKEN_INIT and RSI_ATTESTATION_TOKEN_CONTINUE. DEN0137 1.0 B5.3.2 (INIT),
 * B5.3.1 (CONTINUE), A7.2 (the token).
 *
 * A REC's attestation state (rec.attest_state): NO_ATTEST_IN_PROGRESS until INIT, which
 * records the challenge and, as TF-RMM does, encodes the realm claims with the measurements
 * as they are then; ATTEST_IN_PROGRESS until a CONTINUE writes the token's last byte (or
 * generation fails), then NO_ATTEST_IN_PROGRESS again. INIT during a generation restarts
 * it. The first CONTINUE signs; each CONTINUE writes the next min(size, left) bytes of the
 * token at addr + offset and returns their number, with RSI_INCOMPLETE while bytes are
 * left and RSI_SUCCESS with the last. Linux's arm-cca-guest driver walks one granule at a
 * time this way. */
#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "rmm/rmm_internal.h"

struct rec_attest {
        bool failed;                    /* INIT could not encode the claims */
        uint8_t claims[CCA_SUBTOKEN_MAX];
        size_t claims_len;
        uint8_t token[CCA_TOKEN_MAX];
        size_t token_len;               /* 0 until the first CONTINUE signs */
        size_t written;
};

void rec_attest_reset(struct rec *rec)
{
        if (rec->attest)
                secure_zero(rec->attest, sizeof(*rec->attest));
        free(rec->attest);
        rec->attest = NULL;
        rec->attest_in_progress = false;
}

void rsi_attest_token_init(struct rec *rec, struct smc_regs *r)
{
        uint8_t challenge[CCA_CHALLENGE_LEN];
        char why[RMM_ATTEST_WHY_LEN];

        for (unsigned i = 0; i < CCA_CHALLENGE_LEN / 8; i++)
                st_le64(challenge + 8 * i, r->x[1 + i]); /* doubleword i in X(1+i), B5.3.2.1.1 */
        rec_attest_reset(rec);
        rec->attest_in_progress = true; /* B5.3.2.3: no failure conditions */
        struct rec_attest *a = calloc(1, sizeof(*a));
        struct rmm_attest *ra = a ? rmm_attest_get(rec->rmm, why) : NULL;
        if (a)
                a->failed = !ra || !attest_realm_claims_encode(ra, rec->realm, challenge, rec->rmm->cfg.token_profile,
                                                               a->claims, sizeof(a->claims), &a->claims_len);
        rec->attest = a; /* NULL: CONTINUE reports RSI_ERROR_UNKNOWN */
        r->x[0] = RSI_SUCCESS;
        r->x[1] = CCA_TOKEN_MAX;
}

/* B5.3.1.2 failure conditions, in the table's order (the spec orders none). */
static uint64_t continue_check(const struct rec *rec, uint64_t addr, uint64_t offset, uint64_t size)
{
        if (addr & GRANULE_MASK)                        /* addr_align */
                return RSI_ERROR_INPUT;
        if (!rtt_ipa_protected(rec->realm, addr))       /* addr_bound */
                return RSI_ERROR_INPUT;
        if (offset >= GRANULE_SIZE)                     /* offset_bound */
                return RSI_ERROR_INPUT;
        if (offset + size < offset)                     /* size_overflow */
                return RSI_ERROR_INPUT;
        if (offset + size > GRANULE_SIZE)               /* size_bound */
                return RSI_ERROR_INPUT;
        if (!rec->attest_in_progress)                   /* state */
                return RSI_ERROR_STATE;
        return RSI_SUCCESS;
}

void rsi_attest_token_continue(struct rec *rec, struct smc_regs *r)
{
        uint64_t addr = r->x[1], offset = r->x[2], size = r->x[3];
        uint64_t st = continue_check(rec, addr, offset, size);
        struct rec_attest *a = rec->attest;
        char why[RMM_ATTEST_WHY_LEN];

        r->x[1] = 0;
        if (st != RSI_SUCCESS) {
                r->x[0] = st;
                return;
        }
        struct rmm_attest *ra = a && !a->failed ? rmm_attest_get(rec->rmm, why) : NULL;
        if (!ra || (!a->token_len && !attest_token_build(ra, rec->rmm->cfg.token_form, a->claims, a->claims_len,
                                                         a->token, sizeof(a->token), &a->token_len))) {
                rec_attest_reset(rec); /* unknown: this generation is over */
                r->x[0] = RSI_ERROR_UNKNOWN;
                return;
        }
        size_t n = (size_t)size < a->token_len - a->written ? (size_t)size : a->token_len - a->written;
        if (n && rec_mem_write(rec, addr + offset, a->token + a->written, n) != CPU_OK) {
                r->x[0] = RSI_ERROR_INPUT; /* the granule is not the Realm's RAM, as for RSI_REALM_CONFIG */
                return;
        }
        a->written += n;
        r->x[1] = n;
        if (a->written < a->token_len) {
                r->x[0] = RSI_INCOMPLETE;
                return;
        }
        rec_attest_reset(rec); /* complete: NO_ATTEST_IN_PROGRESS */
        r->x[0] = RSI_SUCCESS;
}
