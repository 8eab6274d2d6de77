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
#include "proto/cca_token.h"

struct rmm_config {
        unsigned max_s2sz;      /* largest IPA width offered (RMI_FEATURES.S2SZ); default 48 */
        bool sha512;            /* offer SHA-512 as well as SHA-256; default true */
        /* Test builds: check the RMM's invariants after every RMI and RSI call (a scan of
         * the granule table per call). Implies check_accesses. Default false. */
        bool check_invariants;
        /* Test builds and fuzzers: every access a REC makes touches only its own Realm's
         * granules, and every protected load returns what the Realm stored (a memory
         * oracle, a copy of each Realm's protected memory). Cheap per access; a fuzzer that
         * checks invariants per step of its own uses this alone. Default false. */
        bool check_accesses;
        /* Attestation (DEN0137 1.0 A7.2). The platform's keys (its IAK, the RAK it gives the
         * RMM) derive from seed (rmm/attest_platform.c) unless iak_pem holds the IAK as PEM
         * text (a private P-256 or P-384 key; copied at create). token_profile: the realm
         * token carries the realm profile claim (RAK as a COSE_Key) and the platform token
         * the 2023 platform profile; default false, as TF-RMM v1.0 (raw RAK, legacy platform
         * profile). token_form: the collection's form, default CCA_FORM_399. */
        uint64_t seed;
        const char *iak_pem;
        bool token_profile;
        enum cca_form token_form;
        /* Device assignment (RMM 2.0-beta DA as TF-RMM main; rmi_pdev.c): RMI_FEATURES
         * advertises it and the RMI_PDEV_* commands exist only when set (the board sets it
         * when the machine has an assignable device). Default false. */
        bool da;
};

void rmm_config_default(struct rmm_config *cfg);

/* Platform wiring for device assignment (the board's calls; TF-RMM reaches the Root Port's
 * IDE registers through an EL3 service): the Root Port with requester ID rid and its IDE
 * engine, which RMI_PDEV_STREAM_CONNECT keys. Not owned. */
struct hw_ide;
void rmm_platform_root_port(struct ccada_rmm *rmm, uint16_t rid, struct hw_ide *ide);
/* The platform SMMU, through whose Realm programming interface the RMM gives an accepted TDI's
 * stream (its requester ID) a REALM stream table entry when the Realm enables its DMA
 * (RSI_VDEV_DMA_ENABLE) and takes it back to ABORT (RSI_VDEV_DMA_DISABLE, VDEV unlock or
 * error). Not owned; must outlive the RMM's use of it. Without one DMA_ENABLE fails. */
struct hw_smmu;
void rmm_platform_smmu(struct ccada_rmm *rmm, struct hw_smmu *smmu);
/* The platform's device memory: MMIO of assignable devices behind the Root Port, [base, base+size), granule
 * aligned. A Realm's single-register access through an RIPAS DEV mapping goes to fn with the physical address,
 * as a TEE request (T=1); fn returns false when the device does not complete it (the Realm gets an SEA).
 * One window: false (nothing kept) on a bad window (empty, unaligned, wrapping, larger than
 * RMM_DEV_MEM_MAX_SIZE, overlapping the memory the RMM manages, fn NULL) or a second call.
 * RMI_RTT_DEV_MAP maps only PAs inside it. fn and ctx are not owned. */
#define RMM_DEV_MEM_MAX_SIZE (1ULL << 30)
typedef bool (*rmm_dev_mmio_fn)(void *ctx, uint64_t pa, unsigned size, bool write, uint64_t *val);
bool rmm_platform_dev_mem(struct ccada_rmm *rmm, uint64_t base, uint64_t size, rmm_dev_mmio_fn fn, void *ctx);
/* Whether the RMM's IDE stream is connected and the Root Port's end Secure. */
bool rmm_stream_secure(const struct ccada_rmm *rmm);

/* The RMM's trace subsystems: "rmi" (rmi_call: every RMI command but REC_ENTER, with its
 * status), "rsi" (rsi_call: every RSI command but PSCI) and "rmm" (rec_enter, rec_exit,
 * ripas_change, dev_map, dev_validate: a REC's entries and exits, the progress of
 * RMI_RTT_SET_RIPAS, of RMI_RTT_DEV_MAP / RMI_RTT_DEV_UNMAP and of RMI_RTT_DEV_VALIDATE). */
enum { RMI_TRACE_CALL };
enum { RSI_TRACE_CALL };
enum { RMM_TRACE_REC_ENTER, RMM_TRACE_REC_EXIT, RMM_TRACE_RIPAS_CHANGE, RMM_TRACE_DEV_MAP, RMM_TRACE_DEV_VALIDATE };
extern const struct trace_subsys rmi_trace, rsi_trace, rmm_trace;

/* Creates an RMM over mem. It accesses memory as the Realm world. trace may be NULL. */
bool rmm_create(struct ccada_rmm **out, struct hw_mem *mem, struct trace *trace,
                const struct rmm_config *cfg);
void rmm_destroy(struct ccada_rmm *rmm);

/* The code every REC runs (see cpu.h) unless its Realm has a program of its own. Must be
 * set before the first REC_ENTER. */
void rmm_set_realm_program(struct ccada_rmm *rmm, const struct ccada_realm_program *prog);
/* The code the RECs of the Realm whose RD is at rd run (a machine with several Realms runs
 * a kernel per Realm). False if rd is not an RD. A REC takes its program at its first entry. */
bool rmm_bind_realm_program(struct ccada_rmm *rmm, uint64_t rd, const struct ccada_realm_program *prog);

/* The platform attestation key's public half (SubjectPublicKeyInfo PEM, malloc'd: the
 * caller frees), what a verifier trusts. Derives the keys if no token was made yet. False,
 * with why (RMM_ATTEST_WHY_LEN bytes) saying what failed, if the key given was unusable or
 * OpenSSL failed. */
#define RMM_ATTEST_WHY_LEN 160
bool rmm_attest_iak_public_pem(struct ccada_rmm *rmm, char **pem, char *why);

/* The RIM of the Realm whose RD is at rd, as it stands (its hash's size into *len). Not an
 * RMI command (RMM 1.0 gives the host no such read): the board's view, for `ccada measure`,
 * which tells a user the RIM a configuration gives before a verifier sees it. False if rd
 * is not an RD. */
bool rmm_realm_rim(struct ccada_rmm *rmm, uint64_t rd, uint8_t out[64], size_t *len);

/* Statistics for reports. */
struct rmm_stats {
        uint64_t rmi_calls;
        uint64_t rsi_calls;
        uint64_t rec_exits[RMI_EXIT_LAST + 1];
};
void rmm_get_stats(const struct ccada_rmm *rmm, struct rmm_stats *st);

/* Checks every invariant of the RMM's state now (granule states against the GPT and the
 * ownership tags, DELEGATED granules zero, exact RTT live counts, each DATA and RTT granule
 * referenced once by its own Realm, RECs of live Realms and exact num_recs, RmiRecExit
 * fields only where the exit defines them). Each violation is recorded (see
 * rmm_violations). Returns true if all hold. Callable at any time; changes nothing else. */
bool rmm_check_invariants(struct ccada_rmm *rmm);

/* Violations recorded so far: invariants found broken by rmm_check_invariants and
 * isolation failures (a REC touching a granule of another Realm, or of none). *first, if
 * not NULL, receives a description of the first ("" when there is none); the string lives
 * as long as the RMM. */
#define RMM_VIOLATION_TEXT 320
uint64_t rmm_violations(const struct ccada_rmm *rmm, const char **first);

#endif
