/* The socket responder's connection loop, for the fuzz harness that plays a hostile peer
 * (fuzz/machine/fuzz_spdm_server.c): not part of include/ccada/spdm.h. */
#ifndef CCADA_MACHINE_SPDM_PEERS_H
#define CCADA_MACHINE_SPDM_PEERS_H

#include <stdbool.h>

struct ccada_spdm_server;

/* Serves one already-connected socket fd with a fresh device state, exactly as the server
 * serves an accepted connection, until the peer closes it, a bad frame drops it, or
 * SHUTDOWN/CONTINUE ends it. False when it was dropped (a bad frame, a failed write). */
bool spdm_peers_serve_fd(struct ccada_spdm_server *s, int fd);

#endif
