/* The spdm-emu socket framing.  facts §8.2 */
#include "proto/spdm_emu.h"

#include <stdio.h>
#include <string.h>

#include "lib/bytes.h"

const char *spdm_emu_command_name(uint32_t command)
{
        switch (command) {
        case SPDM_EMU_CMD_NORMAL: return "NORMAL";
        case SPDM_EMU_CMD_OOB_ENCAP_KEY_UPDATE: return "OOB_ENCAP_KEY_UPDATE";
        case SPDM_EMU_CMD_OOB_ENCAP_ENDPOINT_INFO: return "OOB_ENCAP_ENDPOINT_INFO";
        case SPDM_EMU_CMD_CONTINUE: return "CONTINUE";
        case SPDM_EMU_CMD_SHUTDOWN: return "SHUTDOWN";
        case SPDM_EMU_CMD_UNKNOWN: return "UNKNOWN";
        case SPDM_EMU_CMD_TEST: return "TEST";
        default: return "?";
        }
}

const char *spdm_emu_transport_name(uint32_t transport)
{
        switch (transport) {
        case SPDM_EMU_TRANSPORT_NONE: return "NONE";
        case SPDM_EMU_TRANSPORT_MCTP: return "MCTP";
        case SPDM_EMU_TRANSPORT_PCI_DOE: return "PCI_DOE";
        case SPDM_EMU_TRANSPORT_TCP: return "TCP";
        default: return "?";
        }
}

/* The header's rules, shared by both directions; NULL when they hold. */
static const char *header_fault(const struct spdm_emu_header *h, char *buf)
{
        if (strcmp(spdm_emu_command_name(h->command), "?") == 0)
                snprintf(buf, SPDM_EMU_WHY_LEN, "unknown spdm-emu command 0x%x", h->command);
        else if (strcmp(spdm_emu_transport_name(h->transport), "?") == 0)
                snprintf(buf, SPDM_EMU_WHY_LEN, "unknown spdm-emu transport type 0x%x", h->transport);
        else if (h->size > SPDM_EMU_PAYLOAD_MAX)
                snprintf(buf, SPDM_EMU_WHY_LEN, "payload size %u exceeds the %u-byte maximum", h->size,
                         SPDM_EMU_PAYLOAD_MAX);
        else
                return NULL;
        return buf;
}

bool spdm_emu_header_encode(uint8_t *out, size_t out_len, const struct spdm_emu_header *h)
{
        char buf[SPDM_EMU_WHY_LEN];
        if (out_len < SPDM_EMU_HEADER_SIZE || header_fault(h, buf))
                return false;
        struct byte_writer w;
        bw_init(&w, out, SPDM_EMU_HEADER_SIZE);
        bw_be32(&w, h->command);
        bw_be32(&w, h->transport);
        bw_be32(&w, h->size);
        return bw_ok(&w);
}

bool spdm_emu_header_decode(const uint8_t *in, size_t in_len, struct spdm_emu_header *h, char *why)
{
        char buf[SPDM_EMU_WHY_LEN];
        struct spdm_emu_header got;
        struct byte_reader r;
        memset(h, 0, sizeof(*h));
        br_init(&r, in, in_len < SPDM_EMU_HEADER_SIZE ? 0 : SPDM_EMU_HEADER_SIZE);
        got.command = br_be32(&r);
        got.transport = br_be32(&r);
        got.size = br_be32(&r);
        const char *fault = NULL;
        if (!br_ok(&r))
                snprintf(buf, sizeof(buf), "%zu bytes cannot hold the 12-byte spdm-emu header", in_len), fault = buf;
        else
                fault = header_fault(&got, buf);
        if (fault) {
                if (why)
                        snprintf(why, SPDM_EMU_WHY_LEN, "%s", fault);
                return false;
        }
        *h = got;
        return true;
}

bool spdm_emu_frame_encode(uint32_t command, uint32_t transport, const uint8_t *payload, size_t payload_len,
                           uint8_t *out, size_t out_cap, size_t *out_len)
{
        *out_len = 0;
        if (payload_len > SPDM_EMU_PAYLOAD_MAX || (payload_len && !payload))
                return false;
        struct spdm_emu_header h = { command, transport, (uint32_t)payload_len }; /* <= PAYLOAD_MAX */
        struct byte_writer w;
        if (!spdm_emu_header_encode(out, out_cap, &h))
                return false;
        bw_init(&w, out, out_cap);
        bw_seek(&w, SPDM_EMU_HEADER_SIZE);
        bw_bytes(&w, payload, payload_len);
        if (!bw_ok(&w))
                return false;
        *out_len = bw_len(&w);
        return true;
}

bool spdm_emu_frame_decode(const uint8_t *in, size_t in_len, struct spdm_emu_frame *f, char *why)
{
        struct spdm_emu_header h;
        memset(f, 0, sizeof(*f));
        if (!spdm_emu_header_decode(in, in_len, &h, why))
                return false;
        if (in_len - SPDM_EMU_HEADER_SIZE != h.size) {
                if (why)
                        snprintf(why, SPDM_EMU_WHY_LEN, "spdm-emu Size %u but %zu payload bytes were given", h.size,
                                 in_len - SPDM_EMU_HEADER_SIZE);
                return false;
        }
        f->hdr = h;
        f->payload = in + SPDM_EMU_HEADER_SIZE;
        return true;
}

bool spdm_emu_is_server_hello(const uint8_t *payload, size_t len)
{
        return len == SPDM_EMU_HELLO_SIZE && memcmp(payload, SPDM_EMU_SERVER_HELLO, SPDM_EMU_HELLO_SIZE) == 0;
}
