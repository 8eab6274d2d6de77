/* RmiPdevParams / RmiPublicKeyParams / RmiDevCommData codecs (src/proto/rmi_da.c). The
 * offsets are written out from TF-RMM main's smc-rmi.h as tabled in
 * ../shared/facts/spdm-tdisp-ide.md §7.1, not taken from the header, so a wrong offset there
 * fails here. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <setjmp.h>
#include <cmocka.h>

#include "proto/rmi_da.h"

static uint64_t le_at(const uint8_t *b, size_t off, unsigned n)
{
        uint64_t v = 0;
        for (unsigned i = n; i-- > 0;)
                v = v << 8 | b[off + i];
        return v;
}

static void rmi_pdev_params_encode_puts_each_field_at_its_offset(void **state)
{
        struct rmi_pdev_params p = { .flags = 0x3, .hb_base = 0x40000000, .pdev_id = 7, .routing_id = 0x18,
                                     .id_index = 2, .rid_base = 0x18, .rid_top = 0x19, .hash_algo = 2 };
        uint8_t b[0x1000], z[0x1000];
        (void)state;
        memset(b, 0xAA, sizeof(b));
        rmi_pdev_params_encode(&p, b);
        assert_int_equal(le_at(b, 0x00, 8), 0x3);
        assert_int_equal(le_at(b, 0x08, 8), 0x40000000);
        assert_int_equal(le_at(b, 0x10, 8), 7);
        assert_int_equal(le_at(b, 0x18, 8), 0x18);
        assert_int_equal(le_at(b, 0x20, 8), 2);
        assert_int_equal(le_at(b, 0x28, 4), 0x18);
        assert_int_equal(le_at(b, 0x30, 4), 0x19);
        assert_int_equal(b[0x38], 2);
        memset(z, 0, sizeof(z));
        rmi_pdev_params_encode(&p, z);
        assert_memory_equal(b, z, sizeof(b)); /* every other byte written as zero */
}

static void rmi_pdev_params_decode_reads_what_a_host_wrote(void **state)
{
        uint8_t b[0x1000] = { 0 };
        struct rmi_pdev_params p;
        (void)state;
        b[0x00] = 0x03;
        b[0x10] = 0x2A;
        b[0x18] = 0x18;
        b[0x28] = 0x18;
        b[0x30] = 0x19;
        b[0x38] = 0x02;
        b[0x39] = 0xFF; /* beyond the one-byte field: ignored */
        rmi_pdev_params_decode(b, &p);
        assert_int_equal(p.flags, 3);
        assert_int_equal(p.pdev_id, 0x2A);
        assert_int_equal(p.routing_id, 0x18);
        assert_int_equal(p.rid_base, 0x18);
        assert_int_equal(p.rid_top, 0x19);
        assert_int_equal(p.hash_algo, 2);
}

static void rmi_pubkey_params_keep_key_metadata_lengths_and_algorithm_apart(void **state)
{
        static struct rmi_pubkey_params p, q;
        static uint8_t b[0x1000];
        (void)state;
        for (unsigned i = 0; i < RMI_PUBKEY_MAX; i++) {
                p.key[i] = (uint8_t)i;
                p.metadata[i] = (uint8_t)~i;
        }
        p.key_len = 97;
        p.metadata_len = 3;
        p.algo = 2;
        rmi_pubkey_params_encode(&p, b);
        assert_int_equal(b[0x000], 0);
        assert_int_equal(b[0x3FF], 0xFF);
        assert_int_equal(b[0x400], 0xFF);
        assert_int_equal(b[0x7FF], 0x00);
        assert_int_equal(le_at(b, 0x800, 8), 97);
        assert_int_equal(le_at(b, 0x808, 8), 3);
        assert_int_equal(b[0x810], 2);
        rmi_pubkey_params_decode(b, &q);
        assert_memory_equal(p.key, q.key, sizeof(p.key));
        assert_memory_equal(p.metadata, q.metadata, sizeof(p.metadata));
        assert_int_equal(q.key_len, 97);
        assert_int_equal(q.metadata_len, 3);
        assert_int_equal(q.algo, 2);
}

static void rmi_dev_comm_enter_lives_in_the_first_half_of_the_granule(void **state)
{
        struct rmi_dev_comm_enter e = { .status = 1, .req_addr = 0x81000000, .rsp_addr = 0x81001000,
                                        .rsp_len = 0x123 }, e2;
        uint8_t b[0x1000];
        (void)state;
        memset(b, 0xAA, sizeof(b));
        rmi_dev_comm_enter_encode(&e, b);
        assert_int_equal(b[0x00], 1);
        assert_int_equal(le_at(b, 0x08, 8), 0x81000000);
        assert_int_equal(le_at(b, 0x10, 8), 0x81001000);
        assert_int_equal(le_at(b, 0x18, 8), 0x123);
        assert_int_equal(b[0x7FF], 0);
        assert_int_equal(b[0x800], 0xAA); /* the Exit half is not the host's to write */
        rmi_dev_comm_enter_decode(b, &e2);
        assert_int_equal(e2.status, 1);
        assert_int_equal(e2.rsp_len, 0x123);
}

static void rmi_dev_comm_exit_lives_at_0x800(void **state)
{
        struct rmi_dev_comm_exit x = { .flags = 0x7, .cache_req_offset = 1, .cache_req_len = 2,
                                       .cache_rsp_offset = 8, .cache_rsp_len = 1000, .cache_obj_id = 1,
                                       .protocol = 1, .req_delay = 5, .req_len = 64, .timeout = 9 }, x2;
        uint8_t b[0x1000];
        (void)state;
        memset(b, 0xAA, sizeof(b));
        rmi_dev_comm_exit_encode(&x, b);
        assert_int_equal(b[0x7FF], 0xAA); /* the Enter half untouched */
        assert_int_equal(le_at(b, 0x800, 8), 0x7);
        assert_int_equal(le_at(b, 0x808, 8), 1);
        assert_int_equal(le_at(b, 0x810, 8), 2);
        assert_int_equal(le_at(b, 0x818, 8), 8);
        assert_int_equal(le_at(b, 0x820, 8), 1000);
        assert_int_equal(b[0x828], 1);
        assert_int_equal(b[0x830], 1);
        assert_int_equal(le_at(b, 0x838, 8), 5);
        assert_int_equal(le_at(b, 0x840, 8), 64);
        assert_int_equal(le_at(b, 0x848, 8), 9);
        assert_int_equal(b[0xFFF], 0);
        rmi_dev_comm_exit_decode(b, &x2);
        assert_int_equal(x2.flags, 7);
        assert_int_equal(x2.cache_rsp_len, 1000);
        assert_int_equal(x2.req_len, 64);
        assert_int_equal(x2.timeout, 9);
}

static void rmi_stream_params_put_pdevs_stream_id_and_ranges_at_their_offsets(void **state)
{
        static struct rmi_stream_params p, q;
        static uint8_t b[0x1000];
        (void)state;
        p.flags = 0;
        p.stream_type = 1;
        p.pdev_1 = 0x80010000;
        p.pdev_2 = 0x80020000;
        p.ide_sid = 7;
        p.num_ranges = 2;
        p.range[1].base = 0x40000000;
        p.range[1].top = 0x40004000;
        p.range[15].top = 0xFFFF;
        rmi_stream_params_encode(&p, b);
        assert_int_equal(le_at(b, 0x08, 8), 1);
        assert_int_equal(le_at(b, 0x10, 8), 0x80010000);
        assert_int_equal(le_at(b, 0x18, 8), 0x80020000);
        assert_int_equal(le_at(b, 0x20, 8), 7);
        assert_int_equal(le_at(b, 0x28, 8), 2);
        assert_int_equal(le_at(b, 0x100 + 16, 8), 0x40000000);
        assert_int_equal(le_at(b, 0x100 + 24, 8), 0x40004000);
        assert_int_equal(le_at(b, 0x100 + 15 * 16 + 8, 8), 0xFFFF);
        rmi_stream_params_decode(b, &q);
        assert_memory_equal(&p, &q, sizeof(p));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(rmi_pdev_params_encode_puts_each_field_at_its_offset),
                cmocka_unit_test(rmi_pdev_params_decode_reads_what_a_host_wrote),
                cmocka_unit_test(rmi_pubkey_params_keep_key_metadata_lengths_and_algorithm_apart),
                cmocka_unit_test(rmi_dev_comm_enter_lives_in_the_first_half_of_the_granule),
                cmocka_unit_test(rmi_dev_comm_exit_lives_at_0x800),
                cmocka_unit_test(rmi_stream_params_put_pdevs_stream_id_and_ranges_at_their_offsets),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
