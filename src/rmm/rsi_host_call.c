/* RSI_HOST_CALL. DEN0137 1.0 B5.3.4, B5.4.x (RsiHostCall). */
#include "lib/bytes.h"
#include "rmm/rmm_internal.h"

/* B5.3.4 RSI_HOST_CALL: RsiHostCall at a protected, 256-byte aligned IPA. */
void rsi_host_call(struct rec *rec, struct smc_regs *r)
{
        uint64_t ipa = r->x[1];
        uint8_t hc[RSI_HOST_CALL_SIZE];
        if (!rsi_addr_ok(rec, ipa, RSI_HOST_CALL_SIZE) || rec_mem_read(rec, ipa, hc, sizeof(hc)) != CPU_OK) {
                r->x[0] = RSI_ERROR_INPUT;
                return;
        }
        struct rmi_rec_exit x = { .reason = RMI_EXIT_HOST_CALL, .imm = ld_le16(hc + RSI_HOST_CALL_IMM) };
        for (unsigned i = 0; i < RSI_HOST_CALL_NUM_GPRS; i++)
                x.gprs[i] = ld_le64(hc + RSI_HOST_CALL_GPRS + 8 * i);
        rec_exit_and_wait(rec, REC_PENDING_HOST_CALL, &x);
        for (unsigned i = 0; i < RSI_HOST_CALL_NUM_GPRS; i++)
                st_le64(hc + RSI_HOST_CALL_GPRS + 8 * i, rec->entry.gprs[i]);
        r->x[0] = rec_mem_write(rec, ipa, hc, sizeof(hc)) == CPU_OK ? RSI_SUCCESS : RSI_ERROR_INPUT;
}
