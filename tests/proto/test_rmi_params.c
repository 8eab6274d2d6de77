/* RmiRealmParams / RmiRecParams codec (src/proto/rmi_params.c). The offsets are written out
 * from DEN0137 1.0 B4.4 (as tabled in ../shared/facts/rme-swiotlb-virtio.md §3.2), not taken
 * from include/ccada/rmi.h, so a wrong offset there fails here. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <setjmp.h>
#include <cmocka.h>

#include "proto/rmi_params.h"

static uint64_t le_at(const uint8_t *b, size_t off, unsigned n)
{
        uint64_t v = 0;
        for (unsigned i = n; i-- > 0;)
                v = v << 8 | b[off + i];
        return v;
}

static struct rmi_realm_params sample_realm(void)
{
        struct rmi_realm_params p = { .flags = 0x5, .s2sz = 40, .sve_vl = 1, .num_bps = 2, .num_wps = 3,
                                      .pmu_num_ctrs = 4, .hash_algo = 1, .vmid = 0xBEEF,
                                      .rtt_base = 0x80042000, .rtt_level_start = -1, .rtt_num_start = 16 };
        for (unsigned i = 0; i < 64; i++)
                p.rpv[i] = (uint8_t)(0x40 + i);
        return p;
}

static void rmi_realm_params_encode_puts_each_field_at_its_spec_offset(void **state)
{
        struct rmi_realm_params p = sample_realm();
        uint8_t b[0x1000], from_zero[0x1000];
        (void)state;
        memset(b, 0xAA, sizeof(b));
        rmi_realm_params_encode(&p, b);
        assert_int_equal(le_at(b, 0x000, 8), 0x5);
        assert_int_equal(b[0x008], 40);
        assert_int_equal(b[0x010], 1);
        assert_int_equal(b[0x018], 2);
        assert_int_equal(b[0x020], 3);
        assert_int_equal(b[0x028], 4);
        assert_int_equal(b[0x030], 1);
        for (unsigned i = 0; i < 64; i++)
                assert_int_equal(b[0x400 + i], 0x40 + i);
        assert_int_equal(le_at(b, 0x800, 2), 0xBEEF);
        assert_int_equal(le_at(b, 0x808, 8), 0x80042000);
        assert_int_equal(le_at(b, 0x810, 8), UINT64_MAX); /* -1, two's complement */
        assert_int_equal(le_at(b, 0x818, 4), 16);
        /* every other byte is written as zero, whatever was there */
        memset(from_zero, 0, sizeof(from_zero));
        rmi_realm_params_encode(&p, from_zero);
        assert_memory_equal(b, from_zero, sizeof(b));
        assert_int_equal(b[0x009], 0);
        assert_int_equal(le_at(b, 0x81C, 4), 0);
}

static void rmi_realm_params_round_trip(void **state)
{
        struct rmi_realm_params p = sample_realm(), back;
        uint8_t b[0x1000];
        (void)state;
        rmi_realm_params_encode(&p, b);
        memset(&back, 0x55, sizeof(back));
        rmi_realm_params_decode(b, &back);
        assert_int_equal(back.flags, p.flags);
        assert_int_equal(back.s2sz, p.s2sz);
        assert_int_equal(back.sve_vl, p.sve_vl);
        assert_int_equal(back.num_bps, p.num_bps);
        assert_int_equal(back.num_wps, p.num_wps);
        assert_int_equal(back.pmu_num_ctrs, p.pmu_num_ctrs);
        assert_int_equal(back.hash_algo, p.hash_algo);
        assert_memory_equal(back.rpv, p.rpv, 64);
        assert_int_equal(back.vmid, p.vmid);
        assert_int_equal(back.rtt_base, p.rtt_base);
        assert_int_equal(back.rtt_level_start, -1);
        assert_int_equal(back.rtt_num_start, p.rtt_num_start);
}

static void rmi_realm_params_decode_reads_byte_fields_as_one_byte(void **state)
{
        uint8_t b[0x1000] = { 0 };
        struct rmi_realm_params p;
        (void)state;
        b[0x008] = 0x30;
        b[0x009] = 0xFF; /* the next byte is not part of s2sz */
        rmi_realm_params_decode(b, &p);
        assert_int_equal(p.s2sz, 0x30);
}

static void rmi_rec_params_encode_puts_each_field_at_its_spec_offset_and_round_trips(void **state)
{
        struct rmi_rec_params p = { .flags = 1, .mpidr = 0x0100, .pc = 0x80000000, .num_aux = 2 }, back;
        uint8_t b[0x1000], from_zero[0x1000];
        (void)state;
        for (unsigned i = 0; i < 8; i++)
                p.gprs[i] = 0xC000 + i;
        for (unsigned i = 0; i < 16; i++)
                p.aux[i] = 0xD000 + i;
        memset(b, 0xAA, sizeof(b));
        rmi_rec_params_encode(&p, b);
        assert_int_equal(le_at(b, 0x000, 8), 1);
        assert_int_equal(le_at(b, 0x100, 8), 0x0100);
        assert_int_equal(le_at(b, 0x200, 8), 0x80000000);
        for (unsigned i = 0; i < 8; i++)
                assert_int_equal(le_at(b, 0x300 + 8 * i, 8), 0xC000 + i);
        assert_int_equal(le_at(b, 0x800, 8), 2);
        for (unsigned i = 0; i < 16; i++)
                assert_int_equal(le_at(b, 0x808 + 8 * i, 8), 0xD000 + i);
        memset(from_zero, 0, sizeof(from_zero));
        rmi_rec_params_encode(&p, from_zero);
        assert_memory_equal(b, from_zero, sizeof(b));
        memset(&back, 0x55, sizeof(back));
        rmi_rec_params_decode(b, &back);
        assert_memory_equal(&back, &p, sizeof(p));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(rmi_realm_params_encode_puts_each_field_at_its_spec_offset),
                cmocka_unit_test(rmi_realm_params_round_trip),
                cmocka_unit_test(rmi_realm_params_decode_reads_byte_fields_as_one_byte),
                cmocka_unit_test(rmi_rec_params_encode_puts_each_field_at_its_spec_offset_and_round_trips),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
