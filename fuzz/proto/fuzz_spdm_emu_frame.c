/* The spdm-emu socket framing under arbitrary bytes (whatever the peer process sends).
 * What must hold: no read outside the input (ASan); an accepted header names a known command
 * and transport and a Size within SPDM_EMU_PAYLOAD_MAX; an accepted frame is exactly
 * 12 + Size bytes and re-encodes to the input; refusals give a reason and a zeroed output. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/spdm_emu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct spdm_emu_header h;
        struct spdm_emu_frame f;
        char why[SPDM_EMU_WHY_LEN] = "";
        static uint8_t out[SPDM_EMU_FRAME_MAX];
        size_t len;
        if (spdm_emu_header_decode(data, size, &h, why)) {
                if (h.size > SPDM_EMU_PAYLOAD_MAX || !strcmp(spdm_emu_command_name(h.command), "?") ||
                    !strcmp(spdm_emu_transport_name(h.transport), "?") ||
                    !spdm_emu_header_encode(out, sizeof(out), &h) || memcmp(out, data, SPDM_EMU_HEADER_SIZE))
                        abort();
        } else if (!why[0] || h.command || h.transport || h.size) {
                abort();
        }
        why[0] = '\0';
        if (spdm_emu_frame_decode(data, size, &f, why)) {
                if (size != SPDM_EMU_HEADER_SIZE + f.hdr.size || f.payload != data + SPDM_EMU_HEADER_SIZE ||
                    !spdm_emu_frame_encode(f.hdr.command, f.hdr.transport, f.payload, f.hdr.size, out, sizeof(out),
                                           &len) ||
                    len != size || memcmp(out, data, size))
                        abort();
        } else if (!why[0] || f.payload) {
                abort();
        }
        return 0;
}
