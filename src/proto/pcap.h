/* Classic pcap captures of DOE data objects (LINKTYPE_PCI_DOE, 292), written the way DMTF's
 * spdm-emu writes them (`--pcap`), so DMTF spdm-dump and Wireshark read ours, and read back
 * with bounds checks. facts §8.5/§8.6; layout checked against the recording
 * tests/kat/spdm12-emu-session/spdm12-emu-session.pcap (the test compares byte for byte).
 *
 * File = global header (24 bytes) then records; every field little-endian as written here:
 *
 *     global  u32 magic 0xa1b2c3d4 (microsecond timestamps) | u16 version 2 | u16 4 |
 *             i32 thiszone 0 | u32 sigfigs 0 | u32 snaplen | u32 linktype
 *     record  u32 ts_sec | u32 ts_usec | u32 incl_len | u32 orig_len | incl_len bytes
 *
 * What DMTF writes (observed in the recording): snaplen 65536, linktype 292, one record
 * per DOE object in both directions, the record data IS the DOE object (no pseudo-header),
 * incl_len == orig_len, ts_usec 0 (whole seconds).
 *
 * The reader accepts the microsecond magic in either byte order (a big-endian writer's
 * file), refuses the nanosecond magic 0xa1b23c4d and any other, and refuses a record that
 * is cut short, has incl_len > orig_len, incl_len > snaplen or ts_usec >= 10^6.
 */
#ifndef CCADA_PROTO_PCAP_H
#define CCADA_PROTO_PCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/bytes.h"

#define PCAP_MAGIC 0xa1b2c3d4u
#define PCAP_MAGIC_NSEC 0xa1b23c4du
#define PCAP_VERSION_MAJOR 2u
#define PCAP_VERSION_MINOR 4u
#define PCAP_GLOBAL_HEADER_SIZE 24u
#define PCAP_RECORD_HEADER_SIZE 16u
#define PCAP_LINKTYPE_PCI_DOE 292u  /* tcpdump.org link-layer header types */
#define PCAP_SNAPLEN_DMTF 65536u     /* what spdm-emu writes */
#define PCAP_WHY_LEN 96u

/* Sink of the writer: writes all len bytes or returns false. */
typedef bool (*pcap_write_fn)(void *ctx, const uint8_t *buf, size_t len);

struct pcap_writer {
        pcap_write_fn write;
        void *ctx;
        uint32_t snaplen;
        bool broken; /* a sink failure: every later call fails */
};

/* Starts a capture: writes the global header through write(ctx, ...). snaplen must be > 0.
 * False (and a broken writer) if the sink fails. */
bool pcap_writer_init(struct pcap_writer *w, pcap_write_fn write, void *ctx, uint32_t snaplen, uint32_t linktype);

/* One record of len bytes (truncated to snaplen in incl_len, orig_len = len). Refuses
 * ts_usec >= 1000000, len > UINT32_MAX, and a broken writer; a sink failure breaks it. */
bool pcap_writer_record(struct pcap_writer *w, uint32_t ts_sec, uint32_t ts_usec, const uint8_t *data, size_t len);

/* A sink into a caller buffer: ctx is a struct pcap_buf_sink. Refuses (false, nothing
 * written) what would not fit. */
struct pcap_buf_sink {
        uint8_t *buf;
        size_t cap;
        size_t len;
};
bool pcap_buf_sink_write(void *ctx, const uint8_t *buf, size_t len);

struct pcap_file_header {
        uint16_t version_major, version_minor;
        int32_t thiszone;
        uint32_t sigfigs;
        uint32_t snaplen;
        uint32_t linktype;
        bool swapped; /* the file is big-endian */
};

struct pcap_record {
        uint32_t ts_sec, ts_usec;
        uint32_t orig_len;
        const uint8_t *data; /* into the reader's buffer */
        size_t len;          /* incl_len */
};

struct pcap_reader {
        struct byte_reader r;
        struct pcap_file_header hdr;
        bool broken;
};

/* Reads the global header of buf (which must outlive the reader). Refuses a short header,
 * an unknown magic, a major version other than 2 and a zero snaplen. why: PCAP_WHY_LEN
 * bytes, may be NULL. */
bool pcap_reader_init(struct pcap_reader *rd, const uint8_t *buf, size_t len, char *why);

/* The next record into *rec. Returns true with *end false for a record, true with *end
 * true at the clean end of the buffer, false for a malformed record (why says which; the
 * reader stays broken and *rec is zeroed). */
bool pcap_reader_next(struct pcap_reader *rd, struct pcap_record *rec, bool *end, char *why);

#endif
