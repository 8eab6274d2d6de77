/* The `net-test` app (workload "net-test"): the Realm's network end to end. It binds the
 * first virtio-net device, brings lwIP up on it (realm/net.h), connects to the host's
 * 10.0.2.2:PORT (with libslirp: 127.0.0.1:PORT on the host), sends BYTES bytes of a
 * pattern in chunks of 64 KiB and reads each chunk back from an echo service, checks every byte and
 * closes. Arguments (HOSTCALL_GET_ARGS, as a user types them): "port=P [bytes=N]", N from
 * 1 to 64 MiB (default 4096). Report: section "net" (connected, bytes_sent,
 * bytes_echoed, verified, frames_in/out, tx/rx copy bytes, idle ticks) and check "net_echo". */
#ifndef CCADA_REALM_APPS_NET_TEST_H
#define CCADA_REALM_APPS_NET_TEST_H

#include "realm/kernel.h"

#define NET_TEST_SECTION "net"
#define NET_TEST_DEFAULT_BYTES 4096u
#define NET_TEST_MAX_BYTES (64u << 20)
#define NET_TEST_CHUNK (64u << 10) /* sent, then its echo read back, in turn */
#define NET_TEST_COMM "net-test"
#define NET_TEST_PID 140

/* Parses "port=P [bytes=N]" (any order, space-separated). False with the reason in why. */
bool net_test_parse_args(const char *args, uint16_t *port, uint64_t *bytes, char *why, size_t whylen);

void realm_net_test_init(struct realm_kernel *k);

#endif
