/* ccada_status: the one library-wide result type.
 *
 * Spec status codes (RMI_*, RSI_*, SPDM, TDISP) are separate and exact; this type says
 * what happened to a ccada operation, separating faults of a peer (hostile or broken input
 * from another party) from local faults (our caller's mistake, resources).
 */
#ifndef CCADA_STATUS_H
#define CCADA_STATUS_H

#define CCADA_STATUSES(X)                                                          \
        X(CCADA_OK, "ok")                                                          \
        X(CCADA_E_INVAL, "invalid argument")                                       \
        X(CCADA_E_NOMEM, "out of memory")                                          \
        X(CCADA_E_RANGE, "address or length out of range")                         \
        X(CCADA_E_STATE, "not allowed in the current state")                       \
        X(CCADA_E_NOSPC, "no space left")                                          \
        X(CCADA_E_BUSY, "resource busy")                                           \
        X(CCADA_E_IO, "I/O error")                                                 \
        X(CCADA_E_UNSUPPORTED, "not supported")                                    \
        X(CCADA_E_GPF, "granule protection fault")                                 \
        X(CCADA_E_SEA, "synchronous external abort")                               \
        X(CCADA_E_RMM, "the RMM refused the call")                                 \
        X(CCADA_E_REJECTED, "the host rejected the request")                       \
        X(CCADA_E_PEER, "a peer sent malformed or hostile data")                   \
        X(CCADA_E_BROKEN, "the conversation is broken")                            \
        X(CCADA_E_VERIFY, "verification failed")                                   \
        X(CCADA_E_TIMEOUT, "timed out")

typedef enum {
#define CCADA_STATUS_ENUM_(id, text) id,
        CCADA_STATUSES(CCADA_STATUS_ENUM_)
#undef CCADA_STATUS_ENUM_
        CCADA_STATUS_COUNT
} ccada_status;

/* Symbolic name ("CCADA_E_GPF"). */
const char *ccada_status_name(ccada_status s);
/* Human text ("granule protection fault"). */
const char *ccada_status_text(ccada_status s);

#define CCADA_MUST_CHECK __attribute__((warn_unused_result))

#endif
