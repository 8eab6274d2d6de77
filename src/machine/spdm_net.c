/* Sockets, framing and captures for the SPDM peers (spdm_net.h). */
#include "machine/spdm_net.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

bool spdm_net_nodelay(int fd)
{
        int one = 1;
        return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == 0;
}

/* Waits for events on fd: 1 ready, 0 timed out, -1 failed (errno). */
static int wait_for(int fd, short events, int timeout_ms)
{
        struct pollfd p = { .fd = fd, .events = events };
        for (;;) {
                int n = poll(&p, 1, timeout_ms);
                if (n < 0 && errno == EINTR)
                        continue;
                return n < 0 ? -1 : n > 0 ? 1 : 0;
        }
}

/* Exactly n bytes into buf; the first wait is first_ms, every later one rest_ms. */
static enum spdm_net_io recv_exact(int fd, uint8_t *buf, size_t n, int first_ms, int rest_ms, char *why)
{
        size_t got = 0;
        while (got < n) {
                int w = wait_for(fd, POLLIN, got ? rest_ms : first_ms);
                if (w == 0) {
                        snprintf(why, SPDM_NET_WHY_LEN, "no data for %d ms%s", got ? rest_ms : first_ms,
                                 got ? " in the middle of a frame" : "");
                        return SPDM_NET_TIMEOUT;
                }
                ssize_t r = w < 0 ? -1 : recv(fd, buf + got, n - got, 0);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0) {
                        snprintf(why, SPDM_NET_WHY_LEN, "receiving: %s", strerror(errno));
                        return SPDM_NET_ERROR;
                }
                if (r == 0) {
                        snprintf(why, SPDM_NET_WHY_LEN, "the peer closed the connection%s",
                                 got ? " in the middle of a frame" : "");
                        return got ? SPDM_NET_SHORT : SPDM_NET_CLOSED;
                }
                got += (size_t)r;
        }
        return SPDM_NET_OK;
}

enum spdm_net_io spdm_net_recv_frame(int fd, uint8_t *buf, struct spdm_emu_frame *f, int first_ms, int rest_ms,
                                     char *why)
{
        char cwhy[SPDM_EMU_WHY_LEN] = "";
        memset(f, 0, sizeof(*f));
        enum spdm_net_io st = recv_exact(fd, buf, SPDM_EMU_HEADER_SIZE, first_ms, rest_ms, why);
        if (st != SPDM_NET_OK)
                return st;
        /* The codec refuses Size > SPDM_EMU_PAYLOAD_MAX: no byte of such a payload is read. */
        if (!spdm_emu_header_decode(buf, SPDM_EMU_HEADER_SIZE, &f->hdr, cwhy)) {
                snprintf(why, SPDM_NET_WHY_LEN, "refused frame header: %s", cwhy);
                return SPDM_NET_REFUSED;
        }
        st = recv_exact(fd, buf + SPDM_EMU_HEADER_SIZE, f->hdr.size, rest_ms, rest_ms, why);
        if (st == SPDM_NET_CLOSED)
                st = SPDM_NET_SHORT;
        if (st != SPDM_NET_OK) {
                memset(f, 0, sizeof(*f));
                return st;
        }
        f->payload = buf + SPDM_EMU_HEADER_SIZE;
        return SPDM_NET_OK;
}

enum spdm_net_io spdm_net_send_frame(int fd, uint32_t command, const uint8_t *payload, size_t payload_len,
                                     int timeout_ms, char *why)
{
        uint8_t buf[SPDM_EMU_FRAME_MAX];
        size_t len = 0, sent = 0;
        if (!spdm_emu_frame_encode(command, SPDM_EMU_TRANSPORT_PCI_DOE, payload, payload_len, buf, sizeof(buf),
                                   &len)) {
                snprintf(why, SPDM_NET_WHY_LEN, "cannot frame %zu bytes (at most %u)", payload_len,
                         SPDM_EMU_PAYLOAD_MAX);
                return SPDM_NET_REFUSED;
        }
        while (sent < len) {
                int w = wait_for(fd, POLLOUT, timeout_ms);
                if (w == 0) {
                        snprintf(why, SPDM_NET_WHY_LEN, "the peer took nothing for %d ms", timeout_ms);
                        return SPDM_NET_TIMEOUT;
                }
                ssize_t r = w < 0 ? -1 : send(fd, buf + sent, len - sent, MSG_NOSIGNAL);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0) {
                        snprintf(why, SPDM_NET_WHY_LEN, "sending: %s", r < 0 ? strerror(errno) : "nothing sent");
                        return SPDM_NET_ERROR;
                }
                sent += (size_t)r;
        }
        return SPDM_NET_OK;
}

static bool file_write(void *ctx, const uint8_t *buf, size_t len)
{
        FILE *f = ctx;
        return fwrite(buf, 1, len, f) == len && fflush(f) == 0;
}

bool spdm_net_pcap_open(struct spdm_net_pcap *p, const char *path, char *why)
{
        memset(p, 0, sizeof(*p));
        if (!path)
                return true;
        /* Replaced if it exists, as ccada demo --trace replaces its file. */
        p->f = fopen(path, "wb");
        if (!p->f) {
                snprintf(why, SPDM_NET_WHY_LEN, "cannot write '%s': %s", path, strerror(errno));
                return false;
        }
        if (!pcap_writer_init(&p->w, file_write, p->f, PCAP_SNAPLEN_DMTF, PCAP_LINKTYPE_PCI_DOE)) {
                snprintf(why, SPDM_NET_WHY_LEN, "cannot write '%s'", path);
                fclose(p->f);
                p->f = NULL;
                return false;
        }
        return true;
}

bool spdm_net_pcap_record(struct spdm_net_pcap *p, const uint8_t *obj, size_t len, char *why)
{
        struct timespec ts;
        if (!p->f)
                return true;
        if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
                ts.tv_sec = 0, ts.tv_nsec = 0;
        if (!pcap_writer_record(&p->w, (uint32_t)ts.tv_sec, (uint32_t)(ts.tv_nsec / 1000), obj, len)) {
                snprintf(why, SPDM_NET_WHY_LEN, "writing the capture failed");
                return false;
        }
        return true;
}

bool spdm_net_pcap_close(struct spdm_net_pcap *p)
{
        if (!p->f)
                return true;
        bool ok = !p->w.broken;
        ok = fclose(p->f) == 0 && ok;
        p->f = NULL;
        return ok;
}
