/* Classic pcap writer and reader.  facts §8.5/§8.6 */
#include "proto/pcap.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define USEC_PER_SEC 1000000u

static bool sink(struct pcap_writer *w, const uint8_t *buf, size_t len)
{
        if (w->broken || !w->write(w->ctx, buf, len))
                w->broken = true;
        return !w->broken;
}

bool pcap_writer_init(struct pcap_writer *w, pcap_write_fn write, void *ctx, uint32_t snaplen, uint32_t linktype)
{
        uint8_t hdr[PCAP_GLOBAL_HEADER_SIZE];
        struct byte_writer bw;
        w->write = write;
        w->ctx = ctx;
        w->snaplen = snaplen;
        w->broken = snaplen == 0 || !write;
        if (w->broken)
                return false;
        bw_init(&bw, hdr, sizeof(hdr));
        bw_le32(&bw, PCAP_MAGIC);
        bw_le16(&bw, PCAP_VERSION_MAJOR);
        bw_le16(&bw, PCAP_VERSION_MINOR);
        bw_le32(&bw, 0); /* thiszone: UTC */
        bw_le32(&bw, 0); /* sigfigs */
        bw_le32(&bw, snaplen);
        bw_le32(&bw, linktype);
        return bw_ok(&bw) && sink(w, hdr, sizeof(hdr));
}

bool pcap_writer_record(struct pcap_writer *w, uint32_t ts_sec, uint32_t ts_usec, const uint8_t *data, size_t len)
{
        uint8_t hdr[PCAP_RECORD_HEADER_SIZE];
        struct byte_writer bw;
        if (w->broken || ts_usec >= USEC_PER_SEC || len > UINT32_MAX || (len && !data))
                return false;
        uint32_t orig = (uint32_t)len; /* <= UINT32_MAX: checked */
        uint32_t incl = orig < w->snaplen ? orig : w->snaplen;
        bw_init(&bw, hdr, sizeof(hdr));
        bw_le32(&bw, ts_sec);
        bw_le32(&bw, ts_usec);
        bw_le32(&bw, incl);
        bw_le32(&bw, orig);
        return bw_ok(&bw) && sink(w, hdr, sizeof(hdr)) && (incl == 0 || sink(w, data, incl));
}

bool pcap_buf_sink_write(void *ctx, const uint8_t *buf, size_t len)
{
        struct pcap_buf_sink *s = ctx;
        if (s->len > s->cap || len > s->cap - s->len)
                return false;
        if (len)
                memcpy(s->buf + s->len, buf, len);
        s->len += len;
        return true;
}

/* ---- reader ---- */

static uint32_t rd32(struct byte_reader *r, bool swapped)
{
        return swapped ? br_be32(r) : br_le32(r);
}

static uint16_t rd16(struct byte_reader *r, bool swapped)
{
        return swapped ? br_be16(r) : br_le16(r);
}

__attribute__((format(printf, 2, 3))) static bool refuse(char *why, const char *fmt, ...)
{
        va_list ap;
        if (why) {
                va_start(ap, fmt);
                vsnprintf(why, PCAP_WHY_LEN, fmt, ap);
                va_end(ap);
        }
        return false;
}

bool pcap_reader_init(struct pcap_reader *rd, const uint8_t *buf, size_t len, char *why)
{
        struct pcap_file_header h;
        memset(rd, 0, sizeof(*rd));
        memset(&h, 0, sizeof(h));
        rd->broken = true;
        br_init(&rd->r, buf, len);
        if (len < PCAP_GLOBAL_HEADER_SIZE)
                return refuse(why, "%zu bytes cannot hold the %u-byte pcap header", len, PCAP_GLOBAL_HEADER_SIZE);
        uint32_t magic = br_le32(&rd->r);
        if (magic == PCAP_MAGIC_NSEC || magic == __builtin_bswap32(PCAP_MAGIC_NSEC))
                return refuse(why, "nanosecond pcap (magic 0x%08x) is not read here", magic);
        if (magic != PCAP_MAGIC && magic != __builtin_bswap32(PCAP_MAGIC))
                return refuse(why, "not a pcap file: magic 0x%08x", magic);
        h.swapped = magic != PCAP_MAGIC;
        h.version_major = rd16(&rd->r, h.swapped);
        h.version_minor = rd16(&rd->r, h.swapped);
        h.thiszone = (int32_t)rd32(&rd->r, h.swapped); /* two's complement on the wire */
        h.sigfigs = rd32(&rd->r, h.swapped);
        h.snaplen = rd32(&rd->r, h.swapped);
        h.linktype = rd32(&rd->r, h.swapped);
        if (h.version_major != PCAP_VERSION_MAJOR)
                return refuse(why, "pcap version %u.%u is not 2.x", h.version_major, h.version_minor);
        if (h.snaplen == 0)
                return refuse(why, "pcap snaplen 0");
        rd->hdr = h;
        rd->broken = false;
        return true;
}

bool pcap_reader_next(struct pcap_reader *rd, struct pcap_record *rec, bool *end, char *why)
{
        memset(rec, 0, sizeof(*rec));
        *end = false;
        if (rd->broken)
                return refuse(why, "the pcap reader already refused this file");
        if (br_remaining(&rd->r) == 0) {
                *end = true;
                return true;
        }
        rd->broken = true; /* until this record checks out */
        size_t at = rd->r.off;
        if (br_remaining(&rd->r) < PCAP_RECORD_HEADER_SIZE)
                return refuse(why, "record at offset %zu: %zu bytes left, a record header is 16", at,
                              br_remaining(&rd->r));
        bool sw = rd->hdr.swapped;
        uint32_t ts_sec = rd32(&rd->r, sw), ts_usec = rd32(&rd->r, sw);
        uint32_t incl = rd32(&rd->r, sw), orig = rd32(&rd->r, sw);
        if (ts_usec >= USEC_PER_SEC)
                return refuse(why, "record at offset %zu: ts_usec %u is not below 10^6", at, ts_usec);
        if (incl > orig)
                return refuse(why, "record at offset %zu: incl_len %u exceeds orig_len %u", at, incl, orig);
        if (incl > rd->hdr.snaplen)
                return refuse(why, "record at offset %zu: incl_len %u exceeds snaplen %u", at, incl, rd->hdr.snaplen);
        const uint8_t *data = br_take(&rd->r, incl);
        if (!data)
                return refuse(why, "record at offset %zu: %u data bytes run past the end", at, incl);
        rec->ts_sec = ts_sec;
        rec->ts_usec = ts_usec;
        rec->orig_len = orig;
        rec->data = data;
        rec->len = incl;
        rd->broken = false;
        return true;
}
