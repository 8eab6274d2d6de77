/* The Key Broker (kbs.h) served over HTTP/1.1 on a TCP address, by libmicrohttpd with one
 * internal thread that makes every kbs_handle call; in plain text (kbs_server_start) or in
 * TLS (kbs_server_start_tls: HTTPS, RFC 9110 §4.2.2, over libmicrohttpd's GnuTLS). */
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
/* As kbs_server_start, but every connection speaks TLS (RFC 8446) first, with the
 * certificate cert_pem and its private key key_pem (PEM, NUL-terminated; x509.h makes a
 * pair). The server keeps copies: the caller may wipe and free its strings on return.
 * The versions: TLS 1.3 only (GnuTLS priorities KBS_TLS_PRIORITIES_13); where GnuTLS refuses
 * that string (a GnuTLS before 3.6.5, or a system policy without TLS 1.3), TLS 1.2 or later
 * (KBS_TLS_PRIORITIES_12): kbs_server_tls_versions says which. A client that speaks plain
 * HTTP gets no HTTP answer.
 * False with why when this libmicrohttpd has no TLS (MHD_FEATURE_TLS), when cert_pem and
 * key_pem are not a certificate and its key, or when it cannot listen. */
#define KBS_TLS_PRIORITIES_13 "NORMAL:-VERS-ALL:+VERS-TLS1.3"
#define KBS_TLS_PRIORITIES_12 "NORMAL:-VERS-SSL3.0:-VERS-TLS1.0:-VERS-TLS1.1"
bool kbs_server_start_tls(struct kbs_server **out, struct kbs *kbs, const char *addr, uint16_t port,
                          FILE *log, const char *cert_pem, const char *key_pem, char *why);
uint16_t kbs_server_port(const struct kbs_server *s);
/* "TLS 1.3", "TLS 1.2 or later" (the fallback), or NULL for a plain-HTTP server. */
const char *kbs_server_tls_versions(const struct kbs_server *s);
/* Stops listening, finishes the thread and frees s (NULL: no-op). */
void kbs_server_stop(struct kbs_server *s);

#endif
