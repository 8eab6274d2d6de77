/* RSI_MEASUREMENT_READ and RSI_MEASUREMENT_EXTEND. DEN0137 1.0 B5.3.8 (READ), B5.3.7 (EXTEND), A7.1. */
#include "lib/bytes.h"
#include "rmm/rmm_internal.h"

void rsi_measurement_read(struct rec *rec, struct smc_regs *r)
{
        uint64_t index = r->x[1];
        if (index >= RSI_MEASUREMENT_SLOTS) {
                r->x[0] = RSI_ERROR_INPUT;
                return;
        }
        const uint8_t *m = index == 0 ? rec->realm->rim : rec->realm->rem[index - 1];
        for (unsigned i = 0; i < 8; i++)
                r->x[1 + i] = ld_le64(m + 8 * i);
        r->x[0] = RSI_SUCCESS;
}

void rsi_measurement_extend(struct rec *rec, struct smc_regs *r)
{
        uint64_t index = r->x[1], size = r->x[2];
        uint8_t val[RSI_MEASUREMENT_MAX];
        if (index < 1 || index >= RSI_MEASUREMENT_SLOTS || size > RSI_MEASUREMENT_MAX) { /* REMs are 1..4 */
                r->x[0] = RSI_ERROR_INPUT;
                return;
        }
        for (unsigned i = 0; i < 8; i++)
                st_le64(val + 8 * i, r->x[3 + i]);
        r->x[0] = measure_extend_rem(rec->realm, (unsigned)index, val, (size_t)size) ? RSI_SUCCESS
                                                                                    : RSI_ERROR_UNKNOWN;
}
