/* The host's snoop under any frames a guest sends or a peer returns (host/net_snoop.c).
 * What must hold: no read outside a frame (each is copied to a buffer of exactly its size,
 * so ASan sees any overread); counts add up (every frame counted once; segments <= IPv4
 * packets; malformed <= frames); the findings' text is NUL-terminated printable ASCII.
 * Input: a sequence of [direction:1][length:2 little-endian][bytes]. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "host/net_snoop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *t, size_t cap)
{
        const char *end = memchr(t, 0, cap);
        if (!end)
                abort();
        for (const char *p = t; p < end; p++)
                if (*p < 0x20 || *p > 0x7E)
                        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct net_snoop *s = net_snoop_new();
        struct net_snoop_findings *f = malloc(sizeof(*f));
        uint64_t frames[2] = { 0, 0 };
        if (!s || !f) {
                net_snoop_free(s);
                free(f);
                return 0;
        }
        for (size_t at = 0; at + 3 <= size;) {
                bool in = data[at] & 1;
                size_t len = (size_t)(data[at + 1] | data[at + 2] << 8) % 1600u;
                at += 3;
                if (len > size - at)
                        len = size - at;
                uint8_t *frame = malloc(len ? len : 1);
                if (!frame)
                        break;
                memcpy(frame, data + at, len);
                net_snoop_frame(s, in, frame, len);
                free(frame);
                frames[in]++;
                at += len;
        }
        net_snoop_report(s, f);
        const struct net_snoop_counts *c[2] = { &f->out, &f->in };
        for (unsigned i = 0; i < 2; i++)
                if (c[i]->frames != frames[i] || c[i]->tcp_segments > c[i]->ipv4 || c[i]->malformed > c[i]->frames ||
                    c[i]->ipv4 > c[i]->frames || c[i]->tls_records > c[i]->tcp_segments)
                        abort();
        check_text(f->http_out, sizeof(f->http_out));
        check_text(f->http_in, sizeof(f->http_in));
        free(f);
        net_snoop_free(s);
        return 0;
}
