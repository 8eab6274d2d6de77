/* The RMM as the machine builds it. The host never includes this: it reaches the RMM only
 * through rmi_smc() (include/ccada/rmi.h); Realm code only through its CPU (cpu.h). */
#ifndef CCADA_RMM_RMM_H
#define CCADA_RMM_RMM_H

#include <stdbool.h>
#include <stdint.h>

#include "ccada/cpu.h"
#include "ccada/rmi.h"
#include "hw/hw.h"
#include "lib/trace.h"

struct rmm_config {
        unsigned max_s2sz;      /* largest IPA width offered (RMI_FEATURES.S2SZ); default 48 */
        bool sha512;            /* offer SHA-512 as well as SHA-256; default true */
};

void rmm_config_default(struct rmm_config *cfg);

/* Creates an RMM over mem. It accesses memory as the Realm world. trace may be NULL. */
bool rmm_create(struct ccada_rmm **out, struct hw_mem *mem, struct trace *trace,
                const struct rmm_config *cfg);
void rmm_destroy(struct ccada_rmm *rmm);

/* The code every REC runs (see cpu.h). Must be set before the first REC_ENTER. */
void rmm_set_realm_program(struct ccada_rmm *rmm, const struct ccada_realm_program *prog);

/* Statistics for reports. */
struct rmm_stats {
        uint64_t rmi_calls;
        uint64_t rsi_calls;
        uint64_t rec_exits[RMI_EXIT_SERROR + 1];
};
void rmm_get_stats(const struct ccada_rmm *rmm, struct rmm_stats *st);

#endif
