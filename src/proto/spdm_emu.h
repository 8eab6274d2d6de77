/* The socket framing of DMTF's spdm-emu (spdm_requester_emu <-> spdm_responder_emu), so a
 * ccada party can talk to the reference peer. Codecs only: no socket I/O here.
 * Facts: ../shared/facts/spdm-tdisp-ide.md §8.2 ([EMU] spdm_emu_common/command.[ch]).
 *
 * Every message, in both directions, is a 12-byte header then the payload:
 *
 *     Command        u32 big-endian   (SPDM_EMU_CMD_*)
 *     TransportType  u32 big-endian   (SPDM_EMU_TRANSPORT_*; must equal the receiver's own)
 *     Size           u32 big-endian   payload bytes
 *     Payload        Size bytes       for PCI_DOE: one whole DOE data object (proto/doe.h)
 *
 * The responder answers each NORMAL with exactly one NORMAL, or with nothing when it cannot
 * parse the payload (a client needs a timeout). TEST carries SPDM_EMU_CLIENT_HELLO and is
 * answered with SPDM_EMU_SERVER_HELLO; SHUTDOWN and CONTINUE are echoed (Size 0).
 *
 * Size limit: a receiver reads the header, then Size bytes into a buffer it already has.
 * spdm_emu_header_decode refuses Size > SPDM_EMU_PAYLOAD_MAX so no caller ever sizes a
 * buffer from a peer's number. SPDM_EMU_PAYLOAD_MAX is the emulator's own receive buffer,
 * LIBSPDM_RECEIVER_BUFFER_SIZE = 0x1200 (LIBSPDM_MAX_SPDM_MSG_SIZE) + 128 (transport
 * header and tail room) in spdm-emu's spdm_emu.h (read at a 2025 commit, not at the
 * facts' pin 85436d53): an object larger than that the emulator itself refuses ("buffer
 * too small"). The recorded session's largest object is 1608 bytes.
 */
#ifndef CCADA_PROTO_SPDM_EMU_H
#define CCADA_PROTO_SPDM_EMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SPDM_EMU_PORT 2323u     /* MCTP and PCI_DOE */
#define SPDM_EMU_TCP_PORT 4194u /* --trans TCP (DSP0287 framing, not this one) */

/* Commands.  [EMU] command.h */
#define SPDM_EMU_CMD_NORMAL 0x0001u
#define SPDM_EMU_CMD_OOB_ENCAP_KEY_UPDATE 0x8001u
#define SPDM_EMU_CMD_OOB_ENCAP_ENDPOINT_INFO 0x8002u
#define SPDM_EMU_CMD_CONTINUE 0xFFFDu
#define SPDM_EMU_CMD_SHUTDOWN 0xFFFEu
#define SPDM_EMU_CMD_UNKNOWN 0xFFFFu
#define SPDM_EMU_CMD_TEST 0xDEADu

/* Transport types.  [EMU] command.h */
#define SPDM_EMU_TRANSPORT_NONE 0u
#define SPDM_EMU_TRANSPORT_MCTP 1u
#define SPDM_EMU_TRANSPORT_PCI_DOE 2u
#define SPDM_EMU_TRANSPORT_TCP 3u

#define SPDM_EMU_HEADER_SIZE 12u
#define SPDM_EMU_PAYLOAD_MAX (0x1200u + 128u) /* 4736: see the header comment */
#define SPDM_EMU_FRAME_MAX (SPDM_EMU_HEADER_SIZE + SPDM_EMU_PAYLOAD_MAX)

/* The TEST payloads, NUL included on the wire (Size 14): use sizeof, not strlen. */
#define SPDM_EMU_CLIENT_HELLO "Client Hello!"
#define SPDM_EMU_SERVER_HELLO "Server Hello!"
#define SPDM_EMU_HELLO_SIZE 14u
_Static_assert(sizeof(SPDM_EMU_CLIENT_HELLO) == SPDM_EMU_HELLO_SIZE, "13 characters and the NUL");
_Static_assert(sizeof(SPDM_EMU_SERVER_HELLO) == SPDM_EMU_HELLO_SIZE, "13 characters and the NUL");

#define SPDM_EMU_WHY_LEN 96u

struct spdm_emu_header {
        uint32_t command;
        uint32_t transport;
        uint32_t size;
};

/* A decoded frame: the payload points into the caller's buffer. */
struct spdm_emu_frame {
        struct spdm_emu_header hdr;
        const uint8_t *payload;
};

/* Writes the 12 header bytes. Refuses out_len < 12, an unknown command or transport, and
 * size > SPDM_EMU_PAYLOAD_MAX (what we send, a peer built like us must be able to take). */
bool spdm_emu_header_encode(uint8_t *out, size_t out_len, const struct spdm_emu_header *h);

/* Reads the first 12 bytes of in. Refuses fewer than 12 bytes, a command or transport this
 * file does not name, and size > SPDM_EMU_PAYLOAD_MAX. On refusal *h is zeroed and why
 * (SPDM_EMU_WHY_LEN bytes, may be NULL) says which. Whether the transport matches the
 * receiver's own is the caller's check. */
bool spdm_emu_header_decode(const uint8_t *in, size_t in_len, struct spdm_emu_header *h, char *why);

/* header ‖ payload into out; *out_len = 12 + payload_len. payload may be NULL when
 * payload_len is 0. Refuses what spdm_emu_header_encode refuses and a short out. */
bool spdm_emu_frame_encode(uint32_t command, uint32_t transport, const uint8_t *payload, size_t payload_len,
                           uint8_t *out, size_t out_cap, size_t *out_len);

/* One whole frame: in_len must be exactly 12 + Size. On refusal *f is zeroed. */
bool spdm_emu_frame_decode(const uint8_t *in, size_t in_len, struct spdm_emu_frame *f, char *why);

/* Whether payload is exactly the server's TEST answer (14 bytes, NUL included). */
bool spdm_emu_is_server_hello(const uint8_t *payload, size_t len);

/* "NORMAL", "SHUTDOWN", ... ; "PCI_DOE", ... ; "?" for values not named here. */
const char *spdm_emu_command_name(uint32_t command);
const char *spdm_emu_transport_name(uint32_t transport);

#endif
