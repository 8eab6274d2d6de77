/* RmiRecRun codec (src/proto/rmi_rec_run.c). The offsets below are written out from DEN0137
 * 1.0 B4.4 (as tabled in ../shared/facts/rme-swiotlb-virtio.md §3.2), not taken from
 * include/ccada/rmi.h, so a wrong offset there fails here. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <setjmp.h>
#include <cmocka.h>

#include "ccada/rmi.h"
#include "proto/rmi_rec_run.h"

static uint64_t le64_at(const uint8_t *b, size_t off)
{
        uint64_t v = 0;
        for (int i = 7; i >= 0; i--)
                v = v << 8 | b[off + (size_t)i];
        return v;
}

static void rmi_rec_run_halves_are_2k_each(void **state)
{
        (void)state;
        assert_int_equal(RMI_REC_ENTRY_SIZE, 0x800);
        assert_int_equal(RMI_REC_EXIT_OFFSET, 0x800);
        assert_int_equal(RMI_REC_EXIT_SIZE, 0x800);
}

static void rmi_rec_exit_encode_puts_each_field_at_its_spec_offset(void **state)
{
        struct rmi_rec_exit x = { .reason = 5, .esr = 0x1111, .far = 0x2222, .hpfar = 0x3333,
                                  .ripas_base = 0x4444, .ripas_top = 0x5555, .ripas_value = 1, .imm = 0xBEEF };
        uint8_t b[RMI_REC_EXIT_SIZE];
        (void)state;
        for (unsigned i = 0; i < 31; i++)
                x.gprs[i] = 0x1000 + i;
        memset(b, 0xAA, sizeof(b));
        rmi_rec_exit_encode(&x, b);
        assert_int_equal(le64_at(b, 0x000), 5);
        assert_int_equal(le64_at(b, 0x100), 0x1111);
        assert_int_equal(le64_at(b, 0x108), 0x2222);
        assert_int_equal(le64_at(b, 0x110), 0x3333);
        for (unsigned i = 0; i < 31; i++)
                assert_int_equal(le64_at(b, 0x200 + 8 * i), 0x1000 + i);
        assert_int_equal(le64_at(b, 0x500), 0x4444);
        assert_int_equal(le64_at(b, 0x508), 0x5555);
        assert_int_equal(b[0x510], 1);
        assert_int_equal(le64_at(b, 0x600) & 0xFFFFFFFF, 0xBEEF);
        /* every other byte (GICv3, timers, PMU, reserved) is written as zero, whatever was there */
        uint8_t from_zero[RMI_REC_EXIT_SIZE];
        memset(from_zero, 0, sizeof(from_zero));
        rmi_rec_exit_encode(&x, from_zero);
        assert_memory_equal(b, from_zero, sizeof(b));
        assert_int_equal(le64_at(b, 0x300), 0);
        assert_int_equal(le64_at(b, 0x400), 0);
        assert_int_equal(le64_at(b, 0x700), 0);
}

static void rmi_rec_exit_decode_reads_the_low_byte_of_exit_reason(void **state)
{
        uint8_t b[RMI_REC_EXIT_SIZE] = { 0 };
        struct rmi_rec_exit x;
        (void)state;
        b[0] = 0x03;
        b[1] = 0xFF; /* bits the model does not define */
        rmi_rec_exit_decode(b, &x);
        assert_int_equal(x.reason, 3);
}

static void rmi_rec_exit_round_trips(void **state)
{
        struct rmi_rec_exit x = { .reason = 0xFF, .esr = UINT64_MAX, .far = 1, .hpfar = 2,
                                  .ripas_base = UINT64_MAX - 1, .ripas_top = 7, .ripas_value = 0xFF, .imm = 0xFFFF,
                                  .vdev_id = UINT64_MAX - 3, .dev_mem_base = UINT64_MAX - 4,
                                  .dev_mem_top = UINT64_MAX - 5, .dev_mem_pa = UINT64_MAX - 6 };
        struct rmi_rec_exit back;
        uint8_t b[RMI_REC_EXIT_SIZE];
        (void)state;
        for (unsigned i = 0; i < 31; i++)
                x.gprs[i] = UINT64_MAX - i;
        rmi_rec_exit_encode(&x, b);
        memset(&back, 0x55, sizeof(back));
        rmi_rec_exit_decode(b, &back);
        assert_int_equal(back.reason, x.reason);
        assert_int_equal(back.esr, x.esr);
        assert_int_equal(back.far, x.far);
        assert_int_equal(back.hpfar, x.hpfar);
        assert_memory_equal(back.gprs, x.gprs, sizeof(x.gprs));
        assert_int_equal(back.ripas_base, x.ripas_base);
        assert_int_equal(back.ripas_top, x.ripas_top);
        assert_int_equal(back.ripas_value, x.ripas_value);
        assert_int_equal(back.imm, x.imm);
        assert_int_equal(back.vdev_id, x.vdev_id);
        assert_int_equal(le64_at(b, RMI_REC_EXIT_VDEV_ID_1), x.vdev_id);
        assert_int_equal(back.dev_mem_base, x.dev_mem_base);
        assert_int_equal(back.dev_mem_top, x.dev_mem_top);
        assert_int_equal(back.dev_mem_pa, x.dev_mem_pa);
}

/* RMI_EXIT_VDEV_VALIDATE_MAPPING's fields at TF-RMM main's / Linux's offsets: vdev_id_1 0x530,
 * dev_mem_base 0x540, dev_mem_top 0x548, dev_mem_pa 0x550 (s2ap_base 0x520, s2ap_top 0x528 and
 * vdev_id_2 0x538 stay zero). */
static void rmi_rec_exit_encode_puts_the_dev_mem_fields_at_their_offsets(void **state)
{
        struct rmi_rec_exit x = { .reason = RMI_EXIT_VDEV_VALIDATE_MAPPING, .vdev_id = 0x77, .dev_mem_base = 0x10000,
                                  .dev_mem_top = 0x14000, .dev_mem_pa = 0x40000000 };
        uint8_t b[RMI_REC_EXIT_SIZE];
        (void)state;
        memset(b, 0xAA, sizeof(b));
        rmi_rec_exit_encode(&x, b);
        assert_int_equal(le64_at(b, 0x000), 9);
        assert_int_equal(le64_at(b, 0x530), 0x77);
        assert_int_equal(le64_at(b, 0x540), 0x10000);
        assert_int_equal(le64_at(b, 0x548), 0x14000);
        assert_int_equal(le64_at(b, 0x550), 0x40000000);
        assert_int_equal(le64_at(b, 0x520), 0);
        assert_int_equal(le64_at(b, 0x528), 0);
        assert_int_equal(le64_at(b, 0x538), 0);
        assert_int_equal(le64_at(b, 0x558), 0);
}

/* The host reads the DEV_MEM group in place: those three fields, nothing else. */
static void rmi_rec_exit_decode_used_reads_the_dev_mem_group_only_when_asked(void **state)
{
        uint8_t b[RMI_REC_EXIT_SIZE];
        struct rmi_rec_exit x;
        (void)state;
        memset(b, 0xAA, sizeof(b));
        memset(b, 0, 8);
        b[0] = RMI_EXIT_VDEV_VALIDATE_MAPPING;
        memset(&x, 0x55, sizeof(x));
        rmi_rec_exit_decode_used(b, RMI_REC_EXIT_FIELDS_VDEV, 0, &x);
        assert_int_equal(x.vdev_id, 0xAAAAAAAAAAAAAAAAULL);
        assert_int_equal(x.dev_mem_base, 0);
        assert_int_equal(x.dev_mem_top, 0);
        assert_int_equal(x.dev_mem_pa, 0);
        rmi_rec_exit_decode_used(b, RMI_REC_EXIT_FIELDS_DEV_MEM, 0, &x);
        assert_int_equal(x.vdev_id, 0);
        assert_int_equal(x.dev_mem_base, 0xAAAAAAAAAAAAAAAAULL);
        assert_int_equal(x.dev_mem_top, 0xAAAAAAAAAAAAAAAAULL);
        assert_int_equal(x.dev_mem_pa, 0xAAAAAAAAAAAAAAAAULL);
        assert_int_equal(x.ripas_base, 0);
}

static void rmi_rec_entry_encode_puts_each_field_at_its_spec_offset_and_round_trips(void **state)
{
        struct rmi_rec_entry e = { .flags = 0x1F, .gicv3_hcr = 0x77 }, back;
        uint8_t b[RMI_REC_ENTRY_SIZE];
        (void)state;
        for (unsigned i = 0; i < 31; i++)
                e.gprs[i] = 0xA000 + i;
        for (unsigned i = 0; i < 16; i++)
                e.gicv3_lrs[i] = 0xB000 + i;
        memset(b, 0xAA, sizeof(b));
        rmi_rec_entry_encode(&e, b);
        assert_int_equal(le64_at(b, 0x000), 0x1F);
        assert_int_equal(le64_at(b, 0x008), 0); /* between fields: zero */
        for (unsigned i = 0; i < 31; i++)
                assert_int_equal(le64_at(b, 0x200 + 8 * i), 0xA000 + i);
        assert_int_equal(le64_at(b, 0x300), 0x77);
        for (unsigned i = 0; i < 16; i++)
                assert_int_equal(le64_at(b, 0x308 + 8 * i), 0xB000 + i);
        assert_int_equal(le64_at(b, 0x7F8), 0);
        memset(&back, 0x55, sizeof(back));
        rmi_rec_entry_decode(b, &back);
        assert_memory_equal(&back, &e, sizeof(e));
}

/* The host's in-place write (KVM's run->enter.flags, gprs[0..n)): those bytes and no others. */
static void rmi_rec_entry_encode_used_writes_flags_and_the_first_gprs_only(void **state)
{
        struct rmi_rec_entry e = { .flags = 0x14, .gicv3_hcr = 0x77 };
        uint8_t b[RMI_REC_ENTRY_SIZE], want[RMI_REC_ENTRY_SIZE];
        (void)state;
        for (unsigned i = 0; i < 31; i++)
                e.gprs[i] = 0x2000 + i;
        memset(b, 0xAA, sizeof(b));
        rmi_rec_entry_encode_used(&e, 2, b);
        memset(want, 0xAA, sizeof(want));
        for (unsigned i = 0; i < 8; i++) {
                want[0x000 + i] = (uint8_t)(UINT64_C(0x14) >> (8 * i));
                want[0x200 + i] = (uint8_t)(UINT64_C(0x2000) >> (8 * i));
                want[0x208 + i] = (uint8_t)(UINT64_C(0x2001) >> (8 * i));
        }
        assert_memory_equal(b, want, sizeof(b));
        /* more GPRs than there are: all 31, nothing past them */
        rmi_rec_entry_encode_used(&e, 1000, b);
        assert_int_equal(le64_at(b, 0x200 + 8 * 30), 0x2000 + 30);
        assert_int_equal(le64_at(b, 0x300), 0xAAAAAAAAAAAAAAAAULL);
}

/* The host's in-place read: the reason and the groups asked for; the rest of the struct is
 * zero whatever the page holds there. */
static void rmi_rec_exit_decode_used_reads_only_the_fields_asked_for(void **state)
{
        uint8_t b[RMI_REC_EXIT_SIZE];
        struct rmi_rec_exit x;
        (void)state;
        memset(b, 0xAA, sizeof(b));
        memset(b, 0, 8);
        b[0] = 5; /* HOST_CALL */
        assert_int_equal(rmi_rec_exit_decode_reason(b), 5);
        memset(&x, 0x55, sizeof(x));
        rmi_rec_exit_decode_used(b, RMI_REC_EXIT_FIELDS_SYNDROME, 1, &x);
        assert_int_equal(x.reason, 5);
        assert_int_equal(x.esr, 0xAAAAAAAAAAAAAAAAULL);
        assert_int_equal(x.far, 0xAAAAAAAAAAAAAAAAULL);
        assert_int_equal(x.hpfar, 0xAAAAAAAAAAAAAAAAULL);
        assert_int_equal(x.gprs[0], 0xAAAAAAAAAAAAAAAAULL);
        for (unsigned i = 1; i < 31; i++)
                assert_int_equal(x.gprs[i], 0);
        assert_int_equal(x.ripas_base, 0);
        assert_int_equal(x.ripas_top, 0);
        assert_int_equal(x.ripas_value, 0);
        assert_int_equal(x.imm, 0);
        rmi_rec_exit_decode_used(b, RMI_REC_EXIT_FIELDS_RIPAS | RMI_REC_EXIT_FIELDS_IMM, 0, &x);
        assert_int_equal(x.esr, 0);
        assert_int_equal(x.gprs[0], 0);
        assert_int_equal(x.ripas_base, 0xAAAAAAAAAAAAAAAAULL);
        assert_int_equal(x.ripas_value, 0xAA);
        assert_int_equal(x.imm, 0xAAAA);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(rmi_rec_run_halves_are_2k_each),
                cmocka_unit_test(rmi_rec_exit_encode_puts_each_field_at_its_spec_offset),
                cmocka_unit_test(rmi_rec_exit_decode_reads_the_low_byte_of_exit_reason),
                cmocka_unit_test(rmi_rec_exit_round_trips),
                cmocka_unit_test(rmi_rec_exit_encode_puts_the_dev_mem_fields_at_their_offsets),
                cmocka_unit_test(rmi_rec_exit_decode_used_reads_the_dev_mem_group_only_when_asked),
                cmocka_unit_test(rmi_rec_entry_encode_puts_each_field_at_its_spec_offset_and_round_trips),
                cmocka_unit_test(rmi_rec_entry_encode_used_writes_flags_and_the_first_gprs_only),
                cmocka_unit_test(rmi_rec_exit_decode_used_reads_only_the_fields_asked_for),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
