/* The Key Broker (kbs.h) served over HTTP/1.1 on a TCP address, by libmicrohttpd with one
 * internal thread that makes every kbs_handle call. */
#ifndef CCADA_RELYING_KBS_HTTP_H
#define CCADA_RELYING_KBS_HTTP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "relying/kbs.h"

#define KBS_HTTP_WHY_LEN 160

struct kbs_server;
/* Listens on addr:port (IPv4; port 0: one the system picks, see kbs_server_port) and
 * serves kbs from now on; one line per request to log (NULL: none). kbs must outlive the
 * server. False with why when it cannot listen. */
bool kbs_server_start(struct kbs_server **out, struct kbs *kbs, const char *addr, uint16_t port, FILE *log,
                      char *why);
uint16_t kbs_server_port(const struct kbs_server *s);
/* Stops listening, finishes the thread and frees s (NULL: no-op). */
void kbs_server_stop(struct kbs_server *s);

#endif
