/* The pcap reader under arbitrary files (captures are read back by ccada and by tests).
 * What must hold: no read outside the input (ASan); every record lies inside the input,
 * within snaplen and orig_len; refusals give a reason and stay sticky; a little-endian file
 * in the writer's form (thiszone 0, sigfigs 0, version 2.4, nothing truncated) is written
 * back byte for byte by the writer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/pcap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct pcap_reader rd;
        struct pcap_record rec;
        struct pcap_writer w;
        char why[PCAP_WHY_LEN] = "";
        bool end = false;
        if (!pcap_reader_init(&rd, data, size, why)) {
                if (!why[0])
                        abort();
                return 0;
        }
        uint8_t *out = malloc(size);
        struct pcap_buf_sink sink = { out, size, 0 };
        bool same_form = out && !rd.hdr.swapped && rd.hdr.thiszone == 0 && rd.hdr.sigfigs == 0 &&
                         rd.hdr.version_minor == 4 &&
                         pcap_writer_init(&w, pcap_buf_sink_write, &sink, rd.hdr.snaplen, rd.hdr.linktype);
        for (;;) {
                why[0] = '\0';
                if (!pcap_reader_next(&rd, &rec, &end, why)) {
                        if (!why[0] || rec.data || pcap_reader_next(&rd, &rec, &end, NULL))
                                abort();
                        same_form = false;
                        break;
                }
                if (end)
                        break;
                if (rec.data < data || rec.len > size || rec.data + rec.len > data + size ||
                    rec.len > rd.hdr.snaplen || rec.len > rec.orig_len || rec.ts_usec >= 1000000)
                        abort();
                if (rec.len != rec.orig_len)
                        same_form = false;
                if (same_form && !pcap_writer_record(&w, rec.ts_sec, rec.ts_usec, rec.data, rec.len))
                        abort();
        }
        if (same_form && (sink.len != size || memcmp(out, data, size)))
                abort();
        free(out);
        return 0;
}
