/* src/proto/pcap.c: classic pcap of DOE objects. Known answer: the capture DMTF's
 * spdm_requester_emu wrote (tests/kat/spdm12-emu-session/spdm12-emu-session.pcap) and the
 * objects of doe_objects.json: we read it record by record, and writing the same objects
 * with the same timestamps gives the same file byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doe_kat.h"
#include "lib/bytes.h"
#include "proto/pcap.h"

#define KAT_PCAP_SIZE 25744u /* README */

static uint8_t *read_pcap(size_t *len)
{
        FILE *f = fopen(SPDM_KAT_DIR "/spdm12-emu-session.pcap", "rb");
        uint8_t *buf = malloc(KAT_PCAP_SIZE + 1);
        assert_non_null(f);
        assert_non_null(buf);
        *len = fread(buf, 1, KAT_PCAP_SIZE + 1, f);
        fclose(f);
        assert_int_equal(*len, KAT_PCAP_SIZE);
        return buf;
}

static void pcap_reader_reads_the_dmtf_capture_as_the_recorded_doe_objects(void **state)
{
        struct doe_kat k;
        struct pcap_reader rd;
        struct pcap_record rec;
        size_t len, n = 0;
        bool end = false;
        char why[PCAP_WHY_LEN] = "";
        uint8_t *file = read_pcap(&len);
        (void)state;
        assert_int_equal(doe_kat_load(&k), 0);
        assert_true(pcap_reader_init(&rd, file, len, why));
        assert_false(rd.hdr.swapped);
        assert_int_equal(rd.hdr.version_major, 2);
        assert_int_equal(rd.hdr.version_minor, 4);
        assert_int_equal(rd.hdr.snaplen, PCAP_SNAPLEN_DMTF);
        assert_int_equal(rd.hdr.linktype, PCAP_LINKTYPE_PCI_DOE);
        for (;;) {
                if (!pcap_reader_next(&rd, &rec, &end, why))
                        fail_msg("record %zu: %s", n, why);
                if (end)
                        break;
                assert_true(n < k.count);
                assert_int_equal(rec.len, k.obj[n].len); /* no pseudo-header before the object */
                assert_int_equal(rec.orig_len, rec.len);
                assert_memory_equal(rec.data, k.obj[n].bytes, rec.len);
                assert_int_equal(rec.ts_usec, 0); /* facts §8.5: whole seconds */
                n++;
        }
        assert_int_equal(n, DOE_KAT_OBJECTS);
        doe_kat_free(&k);
        free(file);
}

static void pcap_writer_reproduces_the_dmtf_capture_byte_for_byte(void **state)
{
        struct doe_kat k;
        struct pcap_reader rd;
        struct pcap_record rec;
        struct pcap_writer w;
        size_t len;
        bool end;
        uint8_t *file = read_pcap(&len), *out = malloc(KAT_PCAP_SIZE + 64);
        struct pcap_buf_sink sink = { out, KAT_PCAP_SIZE + 64, 0 };
        (void)state;
        assert_non_null(out);
        assert_int_equal(doe_kat_load(&k), 0);
        assert_true(pcap_reader_init(&rd, file, len, NULL));
        assert_true(pcap_writer_init(&w, pcap_buf_sink_write, &sink, PCAP_SNAPLEN_DMTF, PCAP_LINKTYPE_PCI_DOE));
        for (size_t i = 0; i < k.count; i++) {
                /* the timestamps come from the recording; the bytes from doe_objects.json */
                assert_true(pcap_reader_next(&rd, &rec, &end, NULL));
                assert_false(end);
                assert_true(pcap_writer_record(&w, rec.ts_sec, rec.ts_usec, k.obj[i].bytes, k.obj[i].len));
        }
        assert_int_equal(sink.len, KAT_PCAP_SIZE);
        assert_memory_equal(out, file, KAT_PCAP_SIZE);
        doe_kat_free(&k);
        free(file);
        free(out);
}

static void pcap_writer_truncates_a_record_to_snaplen_and_keeps_its_original_length(void **state)
{
        static const uint8_t data[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
        uint8_t out[64];
        struct pcap_buf_sink sink = { out, sizeof(out), 0 };
        struct pcap_writer w;
        struct pcap_reader rd;
        struct pcap_record rec;
        bool end;
        (void)state;
        assert_true(pcap_writer_init(&w, pcap_buf_sink_write, &sink, 4, PCAP_LINKTYPE_PCI_DOE));
        assert_true(pcap_writer_record(&w, 7, 999999, data, sizeof(data)));
        assert_int_equal(sink.len, 24 + 16 + 4);
        assert_int_equal(ld_le32(out + 24 + 8), 4);  /* incl_len */
        assert_int_equal(ld_le32(out + 24 + 12), 10); /* orig_len */
        assert_true(pcap_reader_init(&rd, out, sink.len, NULL));
        assert_true(pcap_reader_next(&rd, &rec, &end, NULL));
        assert_false(end);
        assert_int_equal(rec.len, 4);
        assert_int_equal(rec.orig_len, 10);
        assert_int_equal(rec.ts_sec, 7);
        assert_int_equal(rec.ts_usec, 999999);
        assert_memory_equal(rec.data, data, 4);
        assert_true(pcap_reader_next(&rd, &rec, &end, NULL));
        assert_true(end);
}

static void pcap_writer_refuses_microseconds_of_a_whole_second_or_more(void **state)
{
        uint8_t out[64];
        struct pcap_buf_sink sink = { out, sizeof(out), 0 };
        struct pcap_writer w;
        (void)state;
        assert_true(pcap_writer_init(&w, pcap_buf_sink_write, &sink, 100, 292));
        assert_false(pcap_writer_record(&w, 1, 1000000, out, 4));
        assert_int_equal(sink.len, 24);
        assert_false(pcap_writer_init(&w, pcap_buf_sink_write, &sink, 0, 292)); /* snaplen 0 */
}

static bool failing_sink(void *ctx, const uint8_t *buf, size_t len)
{
        unsigned *calls = ctx;
        (void)buf, (void)len;
        return ++*calls == 1; /* takes the global header, refuses the rest */
}

static void pcap_writer_stays_broken_after_its_sink_fails(void **state)
{
        struct pcap_writer w;
        unsigned calls = 0;
        uint8_t data[4] = { 0 };
        (void)state;
        assert_true(pcap_writer_init(&w, failing_sink, &calls, 100, 292));
        assert_false(pcap_writer_record(&w, 1, 0, data, 4));
        assert_true(w.broken);
        assert_false(pcap_writer_record(&w, 1, 0, data, 4));
        assert_int_equal(calls, 2); /* not called again once broken */
}

static void pcap_buf_sink_refuses_what_does_not_fit_and_writes_nothing(void **state)
{
        uint8_t out[30];
        struct pcap_buf_sink sink = { out, sizeof(out), 0 };
        struct pcap_writer w;
        uint8_t data[8] = { 0 };
        (void)state;
        assert_true(pcap_writer_init(&w, pcap_buf_sink_write, &sink, 100, 292));
        assert_false(pcap_writer_record(&w, 1, 0, data, 8)); /* the 16-byte record header does not fit */
        assert_int_equal(sink.len, 24);
}

/* A little-endian capture of one 4-byte record, to damage field by field. */
static size_t one_record(uint8_t *buf)
{
        struct pcap_buf_sink sink = { buf, 64, 0 };
        struct pcap_writer w;
        static const uint8_t data[4] = { 1, 0, 0, 0 };
        assert_true(pcap_writer_init(&w, pcap_buf_sink_write, &sink, 100, 292));
        assert_true(pcap_writer_record(&w, 5, 6, data, 4));
        return sink.len; /* 44 */
}

static void assert_record_refused(const uint8_t *buf, size_t len, const char *reason)
{
        struct pcap_reader rd;
        struct pcap_record rec;
        bool end = true;
        char why[PCAP_WHY_LEN] = "";
        assert_true(pcap_reader_init(&rd, buf, len, NULL));
        assert_false(pcap_reader_next(&rd, &rec, &end, why));
        if (!strstr(why, reason))
                fail_msg("refused with \"%s\", expected \"%s\"", why, reason);
        assert_null(rec.data);
        assert_false(end);
        assert_false(pcap_reader_next(&rd, &rec, &end, why)); /* stays refused */
}

static void pcap_reader_refuses_a_record_cut_short_or_longer_than_allowed(void **state)
{
        uint8_t buf[64];
        size_t len = one_record(buf);
        (void)state;
        assert_record_refused(buf, len - 1, "run past the end");
        assert_record_refused(buf, 24 + 15, "a record header is 16");
        st_le32(buf + 24 + 8, 5); /* incl 5 > orig 4 */
        assert_record_refused(buf, len, "exceeds orig_len");
        st_le32(buf + 24 + 8, 101), st_le32(buf + 24 + 12, 200); /* incl > snaplen 100 */
        assert_record_refused(buf, len, "exceeds snaplen");
        len = one_record(buf);
        st_le32(buf + 24 + 4, 1000000);
        assert_record_refused(buf, len, "ts_usec 1000000");
}

static void pcap_reader_refuses_a_file_that_is_not_classic_microsecond_pcap_2(void **state)
{
        uint8_t buf[64];
        struct pcap_reader rd;
        char why[PCAP_WHY_LEN] = "";
        (void)state;
        one_record(buf);
        assert_false(pcap_reader_init(&rd, buf, 23, why));
        assert_non_null(strstr(why, "23 bytes"));
        st_le32(buf, PCAP_MAGIC_NSEC);
        assert_false(pcap_reader_init(&rd, buf, 44, why));
        assert_non_null(strstr(why, "nanosecond"));
        st_le32(buf, 0x0a0d0d0a); /* pcapng */
        assert_false(pcap_reader_init(&rd, buf, 44, why));
        assert_non_null(strstr(why, "not a pcap"));
        one_record(buf);
        st_le16(buf + 4, 3);
        assert_false(pcap_reader_init(&rd, buf, 44, why));
        assert_non_null(strstr(why, "version 3.4"));
        one_record(buf);
        st_le32(buf + 16, 0);
        assert_false(pcap_reader_init(&rd, buf, 44, why));
        assert_non_null(strstr(why, "snaplen 0"));
}

static void pcap_reader_reads_a_big_endian_capture(void **state)
{
        uint8_t buf[44];
        struct pcap_reader rd;
        struct pcap_record rec;
        bool end;
        (void)state;
        st_be32(buf, PCAP_MAGIC), st_be16(buf + 4, 2), st_be16(buf + 6, 4);
        st_be32(buf + 8, 0), st_be32(buf + 12, 0), st_be32(buf + 16, 65536), st_be32(buf + 20, 292);
        st_be32(buf + 24, 9), st_be32(buf + 28, 10), st_be32(buf + 32, 4), st_be32(buf + 36, 4);
        memcpy(buf + 40, "\x01\x00\x00\x00", 4);
        assert_true(pcap_reader_init(&rd, buf, sizeof(buf), NULL));
        assert_true(rd.hdr.swapped);
        assert_int_equal(rd.hdr.linktype, 292);
        assert_true(pcap_reader_next(&rd, &rec, &end, NULL));
        assert_int_equal(rec.ts_sec, 9);
        assert_int_equal(rec.ts_usec, 10);
        assert_int_equal(rec.len, 4);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(pcap_reader_reads_the_dmtf_capture_as_the_recorded_doe_objects),
                cmocka_unit_test(pcap_writer_reproduces_the_dmtf_capture_byte_for_byte),
                cmocka_unit_test(pcap_writer_truncates_a_record_to_snaplen_and_keeps_its_original_length),
                cmocka_unit_test(pcap_writer_refuses_microseconds_of_a_whole_second_or_more),
                cmocka_unit_test(pcap_writer_stays_broken_after_its_sink_fails),
                cmocka_unit_test(pcap_buf_sink_refuses_what_does_not_fit_and_writes_nothing),
                cmocka_unit_test(pcap_reader_refuses_a_record_cut_short_or_longer_than_allowed),
                cmocka_unit_test(pcap_reader_refuses_a_file_that_is_not_classic_microsecond_pcap_2),
                cmocka_unit_test(pcap_reader_reads_a_big_endian_capture),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
