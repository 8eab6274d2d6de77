/* The socket side of include/ccada/spdm.h, shared by its server (spdm_peers.c) and client
 * (spdm_client.c): POSIX TCP with TCP_NODELAY, every wait a poll() with a timeout, the
 * spdm-emu framing (proto/spdm_emu.h) read into a buffer of SPDM_EMU_FRAME_MAX bytes that
 * the caller already has, and the pcap capture of DOE objects (proto/pcap.h). */
#ifndef CCADA_MACHINE_SPDM_NET_H
#define CCADA_MACHINE_SPDM_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "proto/pcap.h"
#include "proto/spdm_emu.h"

#define SPDM_NET_WHY_LEN 256u

enum spdm_net_io {
        SPDM_NET_OK,
        SPDM_NET_CLOSED,        /* the peer closed before the first byte */
        SPDM_NET_SHORT,         /* the peer closed in the middle */
        SPDM_NET_TIMEOUT,
        SPDM_NET_REFUSED,       /* a header the framing codec refuses */
        SPDM_NET_ERROR,         /* the socket failed (errno in why) */
};

/* Sets TCP_NODELAY (facts §8.5). False if the socket refuses. */
bool spdm_net_nodelay(int fd);

/* One frame: header, then Size bytes into buf + SPDM_EMU_HEADER_SIZE (buf holds
 * SPDM_EMU_FRAME_MAX bytes). first_ms: the wait for its first byte (-1: forever); rest_ms:
 * each wait after. A refused header (SPDM_NET_REFUSED) is not followed by reading anything. */
enum spdm_net_io spdm_net_recv_frame(int fd, uint8_t *buf, struct spdm_emu_frame *f, int first_ms, int rest_ms,
                                     char *why);
/* Encodes and sends one frame (payload_len <= SPDM_EMU_PAYLOAD_MAX) within timeout_ms. */
enum spdm_net_io spdm_net_send_frame(int fd, uint32_t command, const uint8_t *payload, size_t payload_len,
                                     int timeout_ms, char *why);

/* A capture file: NULL path gives a capture that records nothing. */
struct spdm_net_pcap {
        FILE *f;
        struct pcap_writer w;
};
bool spdm_net_pcap_open(struct spdm_net_pcap *p, const char *path, char *why);
/* One DOE object at the current time. False (why) when writing failed. */
bool spdm_net_pcap_record(struct spdm_net_pcap *p, const uint8_t *obj, size_t len, char *why);
bool spdm_net_pcap_close(struct spdm_net_pcap *p); /* false: the last write failed */

#endif
