/* What the host sees of a guest's network traffic (see net_snoop.h). */
#include "host/net_snoop.h"

#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "lib/container.h"

#define ETH_HLEN 14u
#define ETHERTYPE_IPV4 0x0800u
#define IP_PROTO_TCP 6u
#define FRAME_MAX 1514u

struct stream {
        uint8_t *buf;                   /* NET_SNOOP_KEEP bytes */
        size_t len;
        struct net_snoop_counts n;
};

struct net_snoop {
        struct stream dir[2];           /* 0: out (guest to host), 1: in */
};

struct snoop_backend {
        struct net_backend b;           /* first */
        struct net_backend *inner;
        struct net_snoop *s;
};

/* ---- the parser ---- */

struct net_snoop *net_snoop_new(void)
{
        struct net_snoop *s = calloc(1, sizeof(*s));
        if (!s)
                return NULL;
        for (unsigned i = 0; i < 2; i++) {
                if (!(s->dir[i].buf = malloc(NET_SNOOP_KEEP))) {
                        net_snoop_free(s);
                        return NULL;
                }
        }
        return s;
}

void net_snoop_free(struct net_snoop *s)
{
        if (!s)
                return;
        free(s->dir[0].buf);
        free(s->dir[1].buf);
        free(s);
}

static bool tls_record(const uint8_t *p, size_t n)
{
        return n >= 5 && p[0] >= 20 && p[0] <= 23 && p[1] == 3 && p[2] <= 4;
}

void net_snoop_frame(struct net_snoop *s, bool to_guest, const uint8_t *f, size_t len)
{
        struct stream *d = &s->dir[to_guest ? 1 : 0];
        d->n.frames++;
        if (len < ETH_HLEN || ld_be16(f + 12) != ETHERTYPE_IPV4)
                return; /* ARP and the like: nothing to keep */
        const uint8_t *ip = f + ETH_HLEN;
        size_t avail = len - ETH_HLEN;
        if (avail < 20 || ip[0] >> 4 != 4) {
                d->n.malformed++;
                return;
        }
        size_t ihl = (size_t)(ip[0] & 0xFu) * 4u, total = ld_be16(ip + 2);
        if (ihl < 20 || total < ihl || total > avail) {
                d->n.malformed++;
                return;
        }
        d->n.ipv4++;
        if (ip[9] != IP_PROTO_TCP || (ld_be16(ip + 6) & 0x3FFFu)) /* not TCP, or a fragment */
                return;
        const uint8_t *tcp = ip + ihl;
        size_t tlen = total - ihl;
        if (tlen < 20 || (size_t)(tcp[12] >> 4) * 4u < 20 || (size_t)(tcp[12] >> 4) * 4u > tlen) {
                d->n.malformed++;
                return;
        }
        size_t off = (size_t)(tcp[12] >> 4) * 4u, plen = tlen - off;
        d->n.tcp_segments++;
        if (plen == 0)
                return;
        d->n.tcp_bytes += plen;
        if (tls_record(tcp + off, plen))
                d->n.tls_records++;
        size_t keep = NET_SNOOP_KEEP - d->len < plen ? NET_SNOOP_KEEP - d->len : plen;
        memcpy(d->buf + d->len, tcp + off, keep);
        d->len += keep;
}

/* Appends [p, p + n) to out (cap bytes, NUL-terminated) as printable text, "|" before it
 * when out is not empty; false when it does not fit. */
static bool add_line(char *out, size_t cap, const uint8_t *p, size_t n)
{
        size_t at = strlen(out);
        size_t need = (at ? 3 : 0) + n;
        if (at + need + 1 > cap)
                return false;
        if (at) {
                memcpy(out + at, " | ", 3);
                at += 3;
        }
        for (size_t i = 0; i < n; i++)
                out[at++] = p[i] >= 0x20 && p[i] < 0x7F ? (char)p[i] : '.';
        out[at] = '\0';
        return true;
}

static bool starts(const uint8_t *p, size_t n, const char *s)
{
        size_t k = strlen(s);
        return n >= k && !memcmp(p, s, k);
}

static bool http_start(const uint8_t *p, size_t n)
{
        return starts(p, n, "GET ") || starts(p, n, "POST ") || starts(p, n, "PUT ") || starts(p, n, "DELETE ") ||
               starts(p, n, "HTTP/1.");
}

/* Where in the line [p, p + n) an HTTP start line begins (a body without a final newline
 * runs into the next message of the stream), or n. */
static size_t http_start_at(const uint8_t *p, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (http_start(p + i, n - i))
                        return i;
        return n;
}

/* The HTTP heads in a stream: each start line and the fields up to the blank line. */
static void http_lines(const struct stream *d, char *out, size_t cap)
{
        const uint8_t *b = d->buf;
        bool in_head = false;
        out[0] = '\0';
        for (size_t i = 0; i < d->len;) {
                const uint8_t *nl = memchr(b + i, '\n', d->len - i);
                size_t n = nl ? (size_t)(nl - (b + i)) : d->len - i;
                size_t text = n && b[i + n - 1] == '\r' ? n - 1 : n;
                size_t at = in_head ? 0 : http_start_at(b + i, text);
                if (at < text)
                        in_head = true;
                if (in_head && text == 0)
                        in_head = false;
                else if (in_head && !add_line(out, cap, b + i + at, text - at > 160 ? 160 : text - at))
                        return;
                i += n + (nl ? 1 : 0);
        }
}

static bool contains(const struct stream *d, const char *needle)
{
        size_t k = strlen(needle);
        for (size_t i = 0; k && i + k <= d->len; i++)
                if (d->buf[i] == (uint8_t)needle[0] && !memcmp(d->buf + i, needle, k))
                        return true;
        return false;
}

void net_snoop_report(const struct net_snoop *s, struct net_snoop_findings *f)
{
        memset(f, 0, sizeof(*f));
        if (!s)
                return;
        f->out = s->dir[0].n;
        f->in = s->dir[1].n;
        http_lines(&s->dir[0], f->http_out, sizeof(f->http_out));
        http_lines(&s->dir[1], f->http_in, sizeof(f->http_in));
        f->cca_token_out = contains(&s->dir[0], "\r\n\r\n2QGP") || contains(&s->dir[0], "\r\n\r\n2QOL");
        f->jwk_out = contains(&s->dir[0], "\"kty\":\"RSA\"");
        f->wrapped_key_in = contains(&s->dir[1], "{\"data\":");
}

/* ---- the backend ---- */

static struct snoop_backend *of(struct net_backend *b) { return container_of(b, struct snoop_backend, b); }

/* The frame in iov[0, n) (len bytes), gathered for the parser. */
static void look(struct net_snoop *s, bool to_guest, const struct iovec *iov, unsigned n, size_t len)
{
        uint8_t frame[FRAME_MAX];
        size_t at = 0;
        for (unsigned i = 0; i < n && at < len && at < sizeof(frame); i++) {
                size_t k = iov[i].iov_len < len - at ? iov[i].iov_len : len - at;
                if (k > sizeof(frame) - at)
                        k = sizeof(frame) - at;
                memcpy(frame + at, iov[i].iov_base, k);
                at += k;
        }
        net_snoop_frame(s, to_guest, frame, at);
}

static ccada_status snoop_tx(struct net_backend *b, const struct iovec *iov, unsigned n)
{
        struct snoop_backend *sb = of(b);
        ccada_status st = sb->inner->ops->tx(sb->inner, iov, n);
        if (st == CCADA_OK) { /* what was sent whole: the host has it now */
                size_t len = 0;
                for (unsigned i = 0; i < n; i++)
                        len += iov[i].iov_len;
                look(sb->s, false, iov, n, len);
        }
        return st;
}

static ccada_status snoop_rx_poll(struct net_backend *b, const struct iovec *iov, unsigned n, size_t *len)
{
        struct snoop_backend *sb = of(b);
        ccada_status st = sb->inner->ops->rx_poll(sb->inner, iov, n, len);
        if (st == CCADA_OK && *len)
                look(sb->s, true, iov, n, *len);
        return st;
}

static ccada_status snoop_wait(struct net_backend *b, int timeout_ms, bool *ready)
{
        struct snoop_backend *sb = of(b);
        if (!sb->inner->ops->wait) {
                *ready = false;
                return CCADA_OK;
        }
        return sb->inner->ops->wait(sb->inner, timeout_ms, ready);
}

static void snoop_close(struct net_backend *b)
{
        struct snoop_backend *sb = of(b);
        sb->inner->ops->close(sb->inner);
        net_snoop_free(sb->s);
        free(sb);
}

static const struct net_backend_ops snoop_ops = {
        .kind = "snoop",
        .tx = snoop_tx,
        .rx_poll = snoop_rx_poll,
        .wait = snoop_wait,
        .close = snoop_close,
};

ccada_status net_snoop_open(struct net_backend **out, struct net_backend *inner)
{
        if (!out || !inner)
                return CCADA_E_INVAL;
        struct snoop_backend *sb = calloc(1, sizeof(*sb));
        if (sb && !(sb->s = net_snoop_new())) {
                free(sb);
                sb = NULL;
        }
        if (!sb) {
                inner->ops->close(inner);
                return CCADA_E_NOMEM;
        }
        sb->b.ops = &snoop_ops;
        sb->inner = inner;
        *out = &sb->b;
        return CCADA_OK;
}

void net_snoop_findings(const struct net_backend *b, struct net_snoop_findings *f)
{
        if (!b || b->ops != &snoop_ops) {
                memset(f, 0, sizeof(*f));
                return;
        }
        const struct snoop_backend *sb = container_of(b, const struct snoop_backend, b);
        net_snoop_report(sb->s, f);
}
