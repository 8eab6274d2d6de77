/* `ccada spdm responder` facing a hostile peer on its socket: the input is everything the
 * peer sends on one connection (emulator frames, DOE objects, SPDM messages, or garbage),
 * then the peer goes away. The server reads it with the same loop an accepted connection
 * gets. What must hold: no crash, no read outside a buffer, no allocation of a size the
 * peer chose, and the loop ends (at the end of the input, a bad frame or SHUTDOWN); its
 * answers go nowhere (the peer closed), so every write fails and is handled. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ccada/spdm.h"
#include "machine/spdm_peers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The server (its identity, a listening socket nobody connects to) is made once: making a
 * PKI costs three key generations. */
static struct ccada_spdm_server *server_once(void)
{
        static struct ccada_spdm_server *s;
        if (!s) {
                struct ccada_spdm_responder_opts o = { .seed = 1, .frame_timeout_ms = 20 };
                char why[256];
                if (!ccada_spdm_endpoint_parse("127.0.0.1:0", &o.listen, why) ||
                    ccada_spdm_server_open(&s, &o, why) != CCADA_OK)
                        abort();
        }
        return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        int sv[2];
        if (size > 65536)       /* within a socket buffer: the write below never blocks */
                return 0;
        struct ccada_spdm_server *s = server_once();
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
                abort();
        size_t off = 0;
        while (off < size) {
                ssize_t w = write(sv[0], data + off, size - off);
                if (w <= 0)
                        abort();
                off += (size_t)w;
        }
        close(sv[0]);   /* what was written stays readable; answers fail with EPIPE */
        (void)spdm_peers_serve_fd(s, sv[1]);
        close(sv[1]);
        return 0;
}
