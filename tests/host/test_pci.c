/* The host's emulated PCI bus as a guest sees it: ECAM decode, absent functions, BAR
 * sizing and decoding, read-only fields, byte-wise configuration accesses, BDF names.
 * PCIe 6.2 §7.2.2, §7.5.1 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <cmocka.h>

#include "host/pci.h"
#include "host_fakes.h"
#include "lib/bytes.h"

#define DEV 3
#define BAR_SIZE 0x1000u
#define BAR_ADDR 0x50010000u

/* A function with one 4 KiB register file in BAR 0 and a 64 KiB prefetchable BAR 2. */
struct dummy {
        struct host_pci_func f;
        uint8_t regs[BAR_SIZE];
        unsigned last_bar;
        uint64_t last_off;
        unsigned last_size;
        bool refuse;
};

static bool dummy_read(struct host_pci_func *f, unsigned bar, uint64_t off, unsigned size, uint64_t *val)
{
        struct dummy *d = (struct dummy *)f;
        d->last_bar = bar, d->last_off = off, d->last_size = size;
        if (d->refuse)
                return false;
        if (bar == 0)
                for (unsigned i = 0; i < size; i++)
                        *val |= (uint64_t)d->regs[off + i] << (8 * i);
        return true;
}

static bool dummy_write(struct host_pci_func *f, unsigned bar, uint64_t off, unsigned size, uint64_t val)
{
        struct dummy *d = (struct dummy *)f;
        d->last_bar = bar, d->last_off = off, d->last_size = size;
        if (d->refuse)
                return false;
        if (bar == 0)
                for (unsigned i = 0; i < size; i++)
                        d->regs[off + i] = (uint8_t)(val >> (8 * i));
        return true;
}

struct rig {
        struct host_pci_bus bus;
        struct dummy d;
};

static int setup(void **state)
{
        struct rig *r = calloc(1, sizeof(*r));
        if (!r)
                return -1;
        if (host_pci_bus_init(&r->bus, HOST_PCI_ECAM_BASE, HOST_PCI_WIN_BASE, HOST_PCI_WIN_SIZE) != CCADA_OK)
                return -1;
        struct host_pci_ids ids = { .vendor = 0x1234, .device = 0x5678, .subsys_vendor = 0x1234, .subsys = 0x9ABC,
                                    .class_code = 0x018000, .revision = 7 };
        host_pci_func_init(&r->d.f, &ids, dummy_read, dummy_write);
        if (host_pci_func_set_bar(&r->d.f, 0, BAR_SIZE, false) != CCADA_OK ||
            host_pci_func_set_bar(&r->d.f, 2, 0x10000, true) != CCADA_OK ||
            host_pci_bus_add(&r->bus, &r->d.f, DEV) != CCADA_OK)
                return -1;
        *state = r;
        return 0;
}

static int teardown(void **state)
{
        free(*state);
        return 0;
}

static void enable_bar0(struct rig *r)
{
        cfg_wr(&r->bus, DEV, PCI_BASE_ADDRESS_0, 4, BAR_ADDR);
        cfg_wr(&r->bus, DEV, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
}

static void pci_ecam_empty_slot_reads_vendor_ffff(void **state)
{
        struct rig *r = *state;
        assert_int_equal(cfg_rd(&r->bus, 0, PCI_VENDOR_ID, 2), 0xFFFF);
        assert_int_equal(cfg_rd(&r->bus, 31, PCI_VENDOR_ID, 4), 0xFFFFFFFFu);
        assert_int_equal(cfg_rd(&r->bus, 31, PCI_CLASS_DEVICE, 2), 0xFFFF);
        /* Writes to an empty slot are dropped, not faulted. */
        cfg_wr(&r->bus, 0, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
        assert_int_equal(cfg_rd(&r->bus, 0, PCI_COMMAND, 2), 0xFFFF);
}

static void pci_ecam_nonzero_function_reads_absent(void **state)
{
        struct rig *r = *state;
        uint64_t v;
        assert_true(cfg_rd_ok(&r->bus, PCI_ECAM_OFFSET(0, DEV, 1, PCI_VENDOR_ID), 2, &v));
        assert_int_equal(v, 0xFFFF);
        assert_true(cfg_rd_ok(&r->bus, PCI_ECAM_OFFSET(0, DEV, 7, PCI_VENDOR_ID), 4, &v));
        assert_int_equal(v, 0xFFFFFFFFu);
}

static void pci_ecam_decodes_ids_and_header(void **state)
{
        struct rig *r = *state;
        assert_int_equal(cfg_rd(&r->bus, DEV, PCI_VENDOR_ID, 2), 0x1234);
        assert_int_equal(cfg_rd(&r->bus, DEV, PCI_DEVICE_ID, 2), 0x5678);
        assert_int_equal(cfg_rd(&r->bus, DEV, PCI_VENDOR_ID, 4), 0x56781234u);
        assert_int_equal(cfg_rd(&r->bus, DEV, PCI_REVISION_ID, 1), 7);
        assert_int_equal(cfg_rd(&r->bus, DEV, PCI_REVISION_ID, 4), 0x01800007u); /* class | revision */
        assert_int_equal(cfg_rd(&r->bus, DEV, PCI_HEADER_TYPE, 1), 0);
        assert_int_equal(cfg_rd(&r->bus, DEV, PCI_SUBSYSTEM_VENDOR_ID, 2), 0x1234);
        assert_int_equal(cfg_rd(&r->bus, DEV, PCI_SUBSYSTEM_ID, 2), 0x9ABC);
        /* Registers beyond the header read as zero. */
        assert_int_equal(cfg_rd(&r->bus, DEV, 0x800, 4), 0);
}

static void pci_bar_sizing_reads_back_size_mask_and_flags(void **state)
{
        struct rig *r = *state;
        cfg_wr(&r->bus, DEV, PCI_BASE_ADDRESS_0, 4, 0xFFFFFFFFu);
        assert_int_equal(cfg_rd(&r->bus, DEV, PCI_BASE_ADDRESS_0, 4), ~(BAR_SIZE - 1) & 0xFFFFFFF0u);
        cfg_wr(&r->bus, DEV, PCI_BASE_ADDRESS_0 + 8, 4, 0xFFFFFFFFu);
        assert_int_equal(cfg_rd(&r->bus, DEV, PCI_BASE_ADDRESS_0 + 8, 4),
                         0xFFFF0000u | PCI_BASE_ADDRESS_MEM_PREFETCH | PCI_BASE_ADDRESS_MEM_TYPE_32);
        /* Unimplemented BARs read as zero whatever is written. */
        cfg_wr(&r->bus, DEV, PCI_BASE_ADDRESS_0 + 4, 4, 0xFFFFFFFFu);
        assert_int_equal(cfg_rd(&r->bus, DEV, PCI_BASE_ADDRESS_0 + 4, 4), 0);
        /* Then the assigned address, its low bits dropped. */
        cfg_wr(&r->bus, DEV, PCI_BASE_ADDRESS_0, 4, BAR_ADDR | 0xFFF);
        assert_int_equal(cfg_rd(&r->bus, DEV, PCI_BASE_ADDRESS_0, 4), BAR_ADDR);
        assert_int_equal(host_pci_func_bar_addr(&r->d.f, 0), BAR_ADDR);
        assert_int_equal(host_pci_func_bar_addr(&r->d.f, 1), 0);
}

static void pci_bar_flag_bits_ignore_writes(void **state)
{
        struct rig *r = *state;
        cfg_wr(&r->bus, DEV, PCI_BASE_ADDRESS_0 + 8, 1, 0x00);
        assert_int_equal(cfg_rd(&r->bus, DEV, PCI_BASE_ADDRESS_0 + 8, 1) & 0xF, PCI_BASE_ADDRESS_MEM_PREFETCH);
        cfg_wr(&r->bus, DEV, PCI_BASE_ADDRESS_0, 1, 0x0F);
        assert_int_equal(cfg_rd(&r->bus, DEV, PCI_BASE_ADDRESS_0, 1) & 0xF, 0);
}

static void pci_bar_access_faults_while_memory_decoding_off(void **state)
{
        struct rig *r = *state;
        uint64_t v;
        cfg_wr(&r->bus, DEV, PCI_BASE_ADDRESS_0, 4, BAR_ADDR);
        assert_false(host_pci_func_mem_enabled(&r->d.f));
        assert_false(mem_rd(&r->bus, BAR_ADDR, 4, &v));
        assert_false(mem_wr(&r->bus, BAR_ADDR, 4, 1));
        assert_int_equal(r->bus.stats.unclaimed, 2);
        cfg_wr(&r->bus, DEV, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
        assert_true(mem_rd(&r->bus, BAR_ADDR, 4, &v));
        cfg_wr(&r->bus, DEV, PCI_COMMAND, 2, 0);
        assert_false(mem_rd(&r->bus, BAR_ADDR, 4, &v));
}

static void pci_bar_access_reaches_callback_with_bar_offset(void **state)
{
        struct rig *r = *state;
        uint64_t v;
        enable_bar0(r);
        assert_true(mem_wr(&r->bus, BAR_ADDR + 0x10, 4, 0xA1B2C3D4u));
        assert_int_equal(r->d.last_bar, 0);
        assert_int_equal(r->d.last_off, 0x10);
        assert_int_equal(r->d.last_size, 4);
        assert_true(mem_rd(&r->bus, BAR_ADDR + 0x12, 2, &v));
        assert_int_equal(v, 0xA1B2);
        assert_true(mem_rd(&r->bus, BAR_ADDR + BAR_SIZE - 8, 8, &v));
        assert_int_equal(r->d.last_off, BAR_SIZE - 8);
        assert_int_equal(r->bus.stats.bar_reads, 2);
        assert_int_equal(r->bus.stats.bar_writes, 1);
}

static void pci_window_access_no_bar_claims_faults(void **state)
{
        struct rig *r = *state;
        uint64_t v;
        enable_bar0(r);
        assert_false(mem_rd(&r->bus, BAR_ADDR + BAR_SIZE, 4, &v));
        assert_false(mem_rd(&r->bus, HOST_PCI_WIN_BASE, 4, &v));
        assert_false(mem_wr(&r->bus, HOST_PCI_WIN_BASE + HOST_PCI_WIN_SIZE - 4, 4, 0));
        assert_int_equal(r->bus.stats.unclaimed, 3);
}

static void pci_window_access_straddling_bar_end_faults(void **state)
{
        struct rig *r = *state;
        uint64_t v;
        enable_bar0(r);
        assert_false(mem_rd(&r->bus, BAR_ADDR + BAR_SIZE - 2, 4, &v));
        assert_false(mem_wr(&r->bus, BAR_ADDR + BAR_SIZE - 4, 8, 0));
        assert_false(mem_rd(&r->bus, BAR_ADDR, 3, &v)); /* not a power-of-two size */
}

static void pci_bar_callback_refusal_faults(void **state)
{
        struct rig *r = *state;
        uint64_t v;
        enable_bar0(r);
        r->d.refuse = true;
        assert_false(mem_rd(&r->bus, BAR_ADDR, 4, &v));
        assert_false(mem_wr(&r->bus, BAR_ADDR, 4, 0));
        assert_int_equal(r->bus.stats.refused, 2);
}

static void pci_bar_reprogrammed_moves_decoding(void **state)
{
        struct rig *r = *state;
        uint64_t v;
        enable_bar0(r);
        r->d.regs[0] = 0x5A;
        cfg_wr(&r->bus, DEV, PCI_BASE_ADDRESS_0, 4, BAR_ADDR + 0x100000);
        assert_false(mem_rd(&r->bus, BAR_ADDR, 1, &v));
        assert_true(mem_rd(&r->bus, BAR_ADDR + 0x100000, 1, &v));
        assert_int_equal(v, 0x5A);
}

static void pci_read_only_fields_ignore_writes(void **state)
{
        struct rig *r = *state;
        cfg_wr(&r->bus, DEV, PCI_VENDOR_ID, 4, 0xDEADBEEFu);
        cfg_wr(&r->bus, DEV, PCI_REVISION_ID, 4, 0xFFFFFFFFu);
        cfg_wr(&r->bus, DEV, PCI_HEADER_TYPE, 1, 0x80);
        cfg_wr(&r->bus, DEV, PCI_SUBSYSTEM_VENDOR_ID, 4, 0);
        cfg_wr(&r->bus, DEV, PCI_CAPABILITY_LIST, 1, 0x40);
        cfg_wr(&r->bus, DEV, PCI_STATUS, 2, 0xFFFF);
        assert_int_equal(cfg_rd(&r->bus, DEV, PCI_VENDOR_ID, 4), 0x56781234u);
        assert_int_equal(cfg_rd(&r->bus, DEV, PCI_REVISION_ID, 4), 0x01800007u);
        assert_int_equal(cfg_rd(&r->bus, DEV, PCI_HEADER_TYPE, 1), 0);
        assert_int_equal(cfg_rd(&r->bus, DEV, PCI_SUBSYSTEM_VENDOR_ID, 4), 0x9ABC1234u);
        assert_int_equal(cfg_rd(&r->bus, DEV, PCI_CAPABILITY_LIST, 1), 0);
        assert_int_equal(cfg_rd(&r->bus, DEV, PCI_STATUS, 2), 0);
}

static void pci_command_only_defined_bits_writable(void **state)
{
        struct rig *r = *state;
        cfg_wr(&r->bus, DEV, PCI_COMMAND, 2, 0xFFFF);
        assert_int_equal(cfg_rd(&r->bus, DEV, PCI_COMMAND, 2), PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | 0x0400);
        cfg_wr(&r->bus, DEV, PCI_INTERRUPT_LINE, 1, 0x2A);
        assert_int_equal(cfg_rd(&r->bus, DEV, PCI_INTERRUPT_LINE, 1), 0x2A);
        assert_int_equal(cfg_rd(&r->bus, DEV, PCI_INTERRUPT_PIN, 1), 0);
}

static void pci_unaligned_cfg_access_is_bytewise(void **state)
{
        struct rig *r = *state;
        uint64_t v;
        /* device ID high byte + COMMAND + STATUS low byte, in one read */
        cfg_wr(&r->bus, DEV, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
        assert_int_equal(cfg_rd(&r->bus, DEV, PCI_DEVICE_ID + 1, 4), 0x00000256u);
        /* A write straddling DEVICE_ID and COMMAND changes only COMMAND's writable bits. */
        cfg_wr(&r->bus, DEV, PCI_DEVICE_ID + 1, 2, 0x06FF);
        assert_int_equal(cfg_rd(&r->bus, DEV, PCI_DEVICE_ID, 2), 0x5678);
        assert_int_equal(cfg_rd(&r->bus, DEV, PCI_COMMAND, 2), PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
        /* 8-byte read across the vendor/device/command/status registers. */
        assert_true(cfg_rd_ok(&r->bus, PCI_ECAM_OFFSET(0, DEV, 0, 0), 8, &v));
        assert_int_equal(v, 0x0000000656781234ull);
        /* Straddling two functions: each byte decoded on its own. */
        assert_true(cfg_rd_ok(&r->bus, PCI_ECAM_OFFSET(0, DEV, 0, PCI_CFG_SPACE_SIZE - 2), 4, &v));
        assert_int_equal(v, 0xFFFF0000u);
}

static void pci_ecam_access_beyond_region_faults(void **state)
{
        struct rig *r = *state;
        uint64_t v;
        assert_false(cfg_rd_ok(&r->bus, PCI_ECAM_BUS0_SIZE - 2, 4, &v));
        assert_false(r->bus.ecam.write(&r->bus.ecam, PCI_ECAM_BUS0_SIZE - 1, 2, 0));
        assert_false(cfg_rd_ok(&r->bus, 0, 16, &v));
}

static void pci_bus_add_names_function_by_bdf(void **state)
{
        struct rig *r = *state;
        char name[PCI_BDF_NAME_LEN];
        assert_string_equal(r->d.f.name, "0000:00:03.0");
        host_pci_bdf_name(name, 0, 31, 7);
        assert_string_equal(name, "0000:00:1f.7");
        host_pci_bus_remove(&r->d.f);
        assert_string_equal(r->d.f.name, "");
        assert_int_equal(host_pci_bus_add(&r->bus, &r->d.f, 0x1A), CCADA_OK);
        assert_string_equal(r->d.f.name, "0000:00:1a.0");
        assert_int_equal(cfg_rd(&r->bus, 0x1A, PCI_VENDOR_ID, 2), 0x1234);
        assert_int_equal(cfg_rd(&r->bus, DEV, PCI_VENDOR_ID, 2), 0xFFFF);
}

static void pci_bus_add_rejects_taken_slot_and_bad_devnum(void **state)
{
        struct rig *r = *state;
        struct host_pci_func other;
        struct host_pci_ids ids = { .vendor = 1 };
        host_pci_func_init(&other, &ids, NULL, NULL);
        assert_int_equal(host_pci_bus_add(&r->bus, &other, DEV), CCADA_E_BUSY);
        assert_int_equal(host_pci_bus_add(&r->bus, &other, PCI_MAX_DEVICES), CCADA_E_INVAL);
        assert_int_equal(host_pci_bus_add(&r->bus, &r->d.f, 4), CCADA_E_INVAL); /* already on a bus */
        assert_int_equal(host_pci_bus_add(&r->bus, &other, 4), CCADA_OK);
        assert_int_equal(host_pci_func_set_bar(&other, 0, 0x1000, false), CCADA_E_STATE);
}

static void pci_bus_init_rejects_bad_layout(void **state)
{
        struct host_pci_bus b;
        assert_int_equal(host_pci_bus_init(&b, HOST_PCI_ECAM_BASE + 0x1000, HOST_PCI_WIN_BASE, HOST_PCI_WIN_SIZE),
                         CCADA_E_INVAL);
        assert_int_equal(host_pci_bus_init(&b, HOST_PCI_ECAM_BASE, HOST_PCI_WIN_BASE, 0), CCADA_E_INVAL);
        assert_int_equal(host_pci_bus_init(&b, HOST_PCI_ECAM_BASE, 0xF0000000u, 0x20000000u), CCADA_E_INVAL);
        assert_int_equal(host_pci_bus_init(&b, HOST_PCI_ECAM_BASE, HOST_PCI_ECAM_BASE, 0x1000), CCADA_E_INVAL);
        assert_int_equal(host_pci_bus_init(&b, HOST_PCI_ECAM_BASE, HOST_PCI_WIN_BASE, HOST_PCI_WIN_SIZE), CCADA_OK);
        assert_string_equal(b.ecam.name, "pci-ecam");
        assert_int_equal(b.ecam.size, PCI_ECAM_BUS0_SIZE);
}

static void pci_func_set_bar_rejects_bad_size(void **state)
{
        struct host_pci_func f;
        struct host_pci_ids ids = { .vendor = 1 };
        host_pci_func_init(&f, &ids, NULL, NULL);
        assert_int_equal(host_pci_func_set_bar(&f, 0, 0x1800, false), CCADA_E_INVAL);
        assert_int_equal(host_pci_func_set_bar(&f, 0, 8, false), CCADA_E_INVAL);
        assert_int_equal(host_pci_func_set_bar(&f, PCI_NUM_BARS, 0x1000, false), CCADA_E_INVAL);
        assert_int_equal(host_pci_func_set_bar(&f, 5, 0x80000000u, false), CCADA_OK);
}

static void pci_add_cap_links_list_and_sets_status(void **state)
{
        struct host_pci_func f;
        struct host_pci_ids ids = { .vendor = 1 };
        uint8_t cap_a[6] = { 0x09, 0xEE, 6, 1, 2, 3 }, cap_b[4] = { 0x05, 0xEE, 0xAA, 0xBB };
        unsigned a, b;
        host_pci_func_init(&f, &ids, NULL, NULL);
        assert_int_equal(host_pci_func_add_cap(&f, cap_a, sizeof(cap_a), &a), CCADA_OK);
        assert_int_equal(host_pci_func_add_cap(&f, cap_b, sizeof(cap_b), &b), CCADA_OK);
        assert_int_equal(a, PCI_STD_HEADER_SIZE);
        assert_int_equal(b, 0x48); /* 0x40 + 6, rounded up to 4 */
        assert_int_equal(f.cfg[PCI_CAPABILITY_LIST], a);
        assert_int_equal(f.cfg[a + 1], b);
        assert_int_equal(f.cfg[b + 1], 0);
        assert_int_equal(f.cfg[b + 2], 0xAA);
        assert_true(ld_le16(f.cfg + PCI_STATUS) & PCI_STATUS_CAP_LIST);
        /* Capability bodies are read-only. */
        assert_true(host_pci_func_cfg_write(&f, a, 4, 0));
        assert_int_equal(f.cfg[a + 3], 1);
}

static void pci_add_cap_beyond_standard_header_fails(void **state)
{
        struct host_pci_func f;
        struct host_pci_ids ids = { .vendor = 1 };
        uint8_t big[0x80] = { 0x09 };
        host_pci_func_init(&f, &ids, NULL, NULL);
        assert_int_equal(host_pci_func_add_cap(&f, big, sizeof(big), NULL), CCADA_OK);
        assert_int_equal(host_pci_func_add_cap(&f, big, 0x41, NULL), CCADA_E_NOSPC);
        assert_int_equal(host_pci_func_add_cap(&f, big, 0x40, NULL), CCADA_OK);
        assert_int_equal(host_pci_func_add_cap(&f, big, 1, NULL), CCADA_E_INVAL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(pci_ecam_empty_slot_reads_vendor_ffff, setup, teardown),
                cmocka_unit_test_setup_teardown(pci_ecam_nonzero_function_reads_absent, setup, teardown),
                cmocka_unit_test_setup_teardown(pci_ecam_decodes_ids_and_header, setup, teardown),
                cmocka_unit_test_setup_teardown(pci_bar_sizing_reads_back_size_mask_and_flags, setup, teardown),
                cmocka_unit_test_setup_teardown(pci_bar_flag_bits_ignore_writes, setup, teardown),
                cmocka_unit_test_setup_teardown(pci_bar_access_faults_while_memory_decoding_off, setup, teardown),
                cmocka_unit_test_setup_teardown(pci_bar_access_reaches_callback_with_bar_offset, setup, teardown),
                cmocka_unit_test_setup_teardown(pci_window_access_no_bar_claims_faults, setup, teardown),
                cmocka_unit_test_setup_teardown(pci_window_access_straddling_bar_end_faults, setup, teardown),
                cmocka_unit_test_setup_teardown(pci_bar_callback_refusal_faults, setup, teardown),
                cmocka_unit_test_setup_teardown(pci_bar_reprogrammed_moves_decoding, setup, teardown),
                cmocka_unit_test_setup_teardown(pci_read_only_fields_ignore_writes, setup, teardown),
                cmocka_unit_test_setup_teardown(pci_command_only_defined_bits_writable, setup, teardown),
                cmocka_unit_test_setup_teardown(pci_unaligned_cfg_access_is_bytewise, setup, teardown),
                cmocka_unit_test_setup_teardown(pci_ecam_access_beyond_region_faults, setup, teardown),
                cmocka_unit_test_setup_teardown(pci_bus_add_names_function_by_bdf, setup, teardown),
                cmocka_unit_test_setup_teardown(pci_bus_add_rejects_taken_slot_and_bad_devnum, setup, teardown),
                cmocka_unit_test(pci_bus_init_rejects_bad_layout),
                cmocka_unit_test(pci_func_set_bar_rejects_bad_size),
                cmocka_unit_test(pci_add_cap_links_list_and_sets_status),
                cmocka_unit_test(pci_add_cap_beyond_standard_header_fails),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
