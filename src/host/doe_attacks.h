/* A hostile host on the DOE relay (host/doe_relay.h): what it can do to the objects it
 * carries between the RMM (the TSM) and the device, each as a tamper hook. The secured
 * messages, the signatures over the transcripts and the certificate chain's anchor are
 * what stop it; every attack here must end in a named error on the RMM's side and no
 * session (tests/scenario, `ccada demo --attack NAME`).
 */
#ifndef CCADA_HOST_DOE_ATTACKS_H
#define CCADA_HOST_DOE_ATTACKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host/doe_relay.h"

enum doe_attack_setup {
        DOE_ATTACK_INLINE,      /* tampers with the one conversation */
        DOE_ATTACK_REHEARSE,    /* needs a conversation recorded before (an earlier attestation) */
        DOE_ATTACK_IMPOSTOR,    /* relays to another device that claims this one's identity */
        DOE_ATTACK_HOST_CACHE,  /* after attestation: changes an object the host cached for the
                                   Realm (the Realm's check catches it; expect is its verdict) */
};

struct doe_attack {
        const char *name;
        const char *what;       /* one line: what the host does */
        const char *expect;     /* the RMM's error that catches it (spdm_req_error_name) */
        enum doe_attack_setup setup;
        doe_relay_tamper_fn tamper; /* NULL for the impostor: the relay itself is the attack */
};

#define DOE_ATTACK_SAVED_MAX DOE_RELAY_MAX_OBJECT

/* What a tamper hook keeps (its ctx). */
struct doe_attack_state {
        const struct doe_attack *attack;
        bool recording;         /* the rehearsal: keep, don't change */
        unsigned hits;          /* objects changed */
        uint8_t saved[DOE_ATTACK_SAVED_MAX];
        size_t saved_len;
        bool holding;
};

const struct doe_attack *doe_attack_find(const char *name);
/* The table, in the order `--attack list` prints it. */
const struct doe_attack *doe_attacks(size_t *n);

#endif
