/* RSI_REALM_CONFIG. DEN0137 1.0 B5.3.9, B5.4.x (RsiRealmConfig). */
#include <string.h>

#include "lib/bytes.h"
#include "rmm/rmm_internal.h"

void rsi_realm_config(struct rec *rec, struct smc_regs *r)
{
        uint64_t ipa = r->x[1];
        uint8_t cfg[RSI_REALM_CONFIG_SIZE];
        if (!rsi_addr_ok(rec, ipa, GRANULE_SIZE)) {
                r->x[0] = RSI_ERROR_INPUT;
                return;
        }
        memset(cfg, 0, sizeof(cfg));
        st_le64(cfg + RSI_REALM_CONFIG_IPA_WIDTH, rec->realm->s2sz);
        cfg[RSI_REALM_CONFIG_HASH_ALGO] = (uint8_t)rec->realm->hash_algo_rmi;
        memcpy(cfg + RSI_REALM_CONFIG_RPV, rec->realm->rpv, 64);
        r->x[0] = rec_mem_write(rec, ipa, cfg, sizeof(cfg)) == CPU_OK ? RSI_SUCCESS : RSI_ERROR_INPUT;
}
