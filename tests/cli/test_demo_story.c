/* tools/ccada/demo_story.c: ccada demo's story of a report. A failed boot reports the
 * checks it never reached as "not run (boot failed)", never as "NOT BLOCKED", and still
 * prints the RIM when the Realm reported one (issue 8, point 8). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ccada/machine.h"
#include "ccada/report.h"
#include "cli.h"

/* The story of r, as one string (the caller frees it). */
static char *story_of(const struct ccada_report *r)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        assert_non_null(f);
        demo_print_story(f, r);
        assert_int_equal(fclose(f), 0);
        return buf;
}

static void assert_has(const char *story, const char *text)
{
        if (!strstr(story, text))
                fail_msg("the story lacks \"%s\":\n%s", text, story);
}

/* Every isolation line of the story after a failed boot. */
static void assert_checks_not_run(const char *story)
{
        static const char *const lines[] = {
                "host reads shared page         not run (boot failed)",
                "host reads private page        not run (boot failed)",
                "host writes private page       not run (boot failed)",
                "Realm data unchanged           not run (boot failed)",
                "REM extend                     not run (boot failed)",
                "host reads a bounce slot       not run (boot failed)",
                "virtio-blk        not run (boot failed)",
                "MMIO              not run (boot failed)",
        };
        for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
                assert_has(story, lines[i]);
        if (strstr(story, "NOT BLOCKED") || strstr(story, "NOT VERIFIED"))
                fail_msg("a check that never ran reads as failed:\n%s", story);
        assert_has(story, "demo: FAILED");
}

/* What the board reports when the Realm's kernel panics at boot (src/realm/boot.c
 * boot_fail): "booted" false, the panic as the error, none of the demo's keys. The RIM is
 * the one a Realm reports as soon as it can read it (rim set: a Realm that read it). */
static struct ccada_report *failed_boot_report(const char *rim)
{
        struct ccada_report *r;
        assert_int_equal(ccada_report_create(&r), CCADA_OK);
        struct ccada_report_section *top = ccada_report_section(r, "");
        ccada_report_check(r, "run_completed", true);
        ccada_report_check(r, "booted", false);
        ccada_report_text(top, "error", "boot: Can not allocate SWIOTLB buffer");
        ccada_report_bool(top, "is_realm", true);
        ccada_report_u64(top, "ipa_bits", 40);
        if (rim)
                ccada_report_text(top, "rim", rim);
        ccada_report_text(top, "hash_algo", "sha-256");
        ccada_report_text(top, "vm", "realm");
        ccada_report_u64(top, "gpf", 0);
        ccada_report_check(r, "powered_off", true);
        ccada_report_check(r, "no_error", false);
        return r;
}

static void demo_story_after_a_failed_boot_reports_checks_as_not_run(void **state)
{
        (void)state;
        struct ccada_report *r = failed_boot_report(NULL);
        char *story = story_of(r);
        assert_checks_not_run(story);
        assert_has(story, "boot              FAILED: boot: Can not allocate SWIOTLB buffer");
        assert_has(story, "Realm Initial Measurement (sha-256): not reported (the boot failed before the Realm read it)");
        free(story);
        ccada_report_destroy(r);
}

static void demo_story_after_a_failed_boot_still_prints_the_rim_it_has(void **state)
{
        static const char rim[] = "c213f429bb6f49205ea28193ad31e121f0b8638a6b938b7ddf6b53f4e61c3e2b";
        (void)state;
        struct ccada_report *r = failed_boot_report(rim);
        char *story = story_of(r);
        assert_checks_not_run(story);
        assert_has(story, "Realm Initial Measurement (sha-256): c213f429bb6f49205ea28193ad31e121f0b8638a6b938b7ddf6b53f4e61c3e2b\n");
        free(story);
        ccada_report_destroy(r);
}

/* A real board whose Realm cannot be built (its RAM does not fit the board's memory): the
 * run fails before the Realm boots, and the story says so for every check. */
static void demo_story_of_a_board_that_could_not_boot_its_realm(void **state)
{
        struct ccada_machine_config cfg;
        struct ccada_machine *m;
        struct ccada_report *r;
        (void)state;
        ccada_machine_config_default(&cfg);
        cfg.mem_size = 16ULL << 20;
        cfg.realm_ram = 32ULL << 20;
        cfg.disk_ram = true;
        cfg.disk_size = 1u << 20;
        assert_int_equal(ccada_machine_create(&m, &cfg), CCADA_OK);
        ccada_status st = ccada_machine_run(m);
        assert_int_not_equal(st, CCADA_OK);
        assert_int_equal(ccada_report_create(&r), CCADA_OK);
        ccada_machine_report(m, false, r);
        ccada_machine_destroy(m);
        char *story = story_of(r);
        assert_checks_not_run(story);
        assert_has(story, "boot              FAILED");
        free(story);
        ccada_report_destroy(r);
}

/* A Realm's passed run, with the numbers of a default demo (issue 8, point 9). */
static struct ccada_report *realm_report(void)
{
        static const uint8_t payload[] = "realm payload for a device: bounced out via SWIOTLB";
        struct ccada_report *r;
        assert_int_equal(ccada_report_create(&r), CCADA_OK);
        struct ccada_report_section *top = ccada_report_section(r, "");
        ccada_report_check(r, "booted", true);
        ccada_report_text(top, "rim", "01467ac028227c2688c5bc17f98bf95551e7e273fcef2920d06b3edc39e89a70");
        ccada_report_text(top, "cmdline", "console=pl011,mmio,0x9000000 init=ccada-demo ccada.seed=1");
        ccada_report_text(top, "hash_algo", "sha-256");
        ccada_report_text(top, "vm", "realm");
        ccada_report_bool(top, "host_read_bounce_slot", true);
        struct ccada_report_section *view = ccada_report_section(r, "host_view");
        ccada_report_u64(view, "bounce_slot_dma_addr", 0x80800a8000ULL);
        ccada_report_bool(view, "bounce_is_payload", true);
        ccada_report_hex(view, "bounce_slot_hex", payload, sizeof(payload) - 1);
        struct ccada_report_section *blk = ccada_report_section(r, "blk");
        ccada_report_u64(blk, "bytes_written", 262144);
        ccada_report_u64(blk, "bytes_read", 262144);
        ccada_report_u64(ccada_report_section(r, "swiotlb"), "bounced_bytes", 787232);
        ccada_report_u64(ccada_report_section(r, "mmio/pl011"), "reads", 4);
        ccada_report_u64(ccada_report_section(r, "mmio/pl011"), "writes", 1550);
        ccada_report_u64(ccada_report_section(r, "mmio/pci-ecam"), "reads", 81);
        ccada_report_u64(ccada_report_section(r, "mmio/pci-ecam"), "writes", 15);
        ccada_report_u64(ccada_report_section(r, "mmio/pci-mmio"), "reads", 17);
        ccada_report_u64(ccada_report_section(r, "mmio/pci-mmio"), "writes", 31);
        return r;
}

/* The host's view of the bounce slot, as hexdump -C shows it: the Realm's payload. */
static void demo_story_shows_the_bounce_slot_the_host_read_in_hex_and_text(void **state)
{
        (void)state;
        struct ccada_report *r = realm_report();
        char *story = story_of(r);
        assert_has(story, "what the host read in bounce slot 0x80800a8000 (a private buffer mapped for a device; "
                          "the Realm's payload: yes):\n");
        assert_has(story, "      0000  72 65 61 6c 6d 20 70 61  79 6c 6f 61 64 20 66 6f  |realm payload fo|\n");
        assert_has(story, "      0030  54 4c 42                                          |TLB|\n");
        free(story);
        ccada_report_destroy(r);
}

/* Bounced bytes against I/O bytes, with the run's numbers: reads bounce twice. */
static void demo_story_explains_bounced_bytes_against_io_bytes(void **state)
{
        (void)state;
        struct ccada_report *r = realm_report();
        char *story = story_of(r);
        assert_has(story, "bounced vs I/O    blk-test moved 524288 bytes (262144 written, 262144 read); SWIOTLB copied 787232:");
        assert_has(story, "262144 for the writes (each copied into a slot once)");
        assert_has(story, "524288 for the reads (each copied twice: into the slot when mapped, as Linux\n"
                          "                    does since CVE-2022-0854, and back when unmapped)");
        assert_has(story, "800 for request headers, status bytes, the device ID and the demo's payload");
        free(story);
        ccada_report_destroy(r);
}

/* Requests in flight and what a full pool did to them (issue 8, point 4). */
static void demo_story_reports_requests_in_flight_and_pool_pressure(void **state)
{
        (void)state;
        struct ccada_report *r = realm_report();
        struct ccada_report_section *blk = ccada_report_section(r, "blk"), *sw = ccada_report_section(r, "swiotlb");
        ccada_report_bool(blk, "present", true);
        ccada_report_u64(blk, "queue_depth", 128);
        ccada_report_u64(blk, "max_in_flight", 3);
        ccada_report_u64(blk, "requeues", 2);
        ccada_report_u64(sw, "full", 2);
        ccada_report_u64(sw, "pools", 2);
        ccada_report_u64(sw, "bp_waits", 5);
        char *story = story_of(r);
        assert_has(story, "  in flight         queue depth 128, at most 3 requests at once\n");
        assert_has(story, "  pool pressure     \"swiotlb buffer is full\" 2 times, 2 pools (1 added), 5 back-pressure waits,\n"
                          "                    2 requests requeued until a completion freed slots\n");
        free(story);
        ccada_report_destroy(r);
}

/* The MMIO exits split between the console and virtio on PCI. */
static void demo_story_splits_mmio_exits_between_console_and_virtio(void **state)
{
        (void)state;
        struct ccada_report *r = realm_report();
        char *story = story_of(r);
        assert_has(story, "MMIO exits        1698: console (PL011) 1554 (4 reads, 1550 writes: a write per character\n"
                          "                    printed); virtio on PCI 144 (config space 96, device registers 48)");
        if (strstr(story, "mmio/pl011"))
                fail_msg("the regions are told, not dumped as other sections:\n%s", story);
        free(story);
        ccada_report_destroy(r);
}

/* The measured command line goes with the RIM, and which options change the RIM. */
static void demo_story_prints_the_measured_command_line_with_the_rim(void **state)
{
        (void)state;
        struct ccada_report *r = realm_report();
        char *story = story_of(r);
        assert_has(story, "Realm Initial Measurement (sha-256): 01467ac028227c2688c5bc17f98bf95551e7e273fcef2920d06b3edc39e89a70\n"
                          "  measured command line \"console=pl011,mmio,0x9000000 init=ccada-demo ccada.seed=1\"\n"
                          "  (the RIM changes with --ram, --ipa-bits, --hash, --seed, --swiotlb, --swiotlb-grow,\n");
        free(story);
        ccada_report_destroy(r);
}

/* A normal VM: the host reads the guest's private page and writes it. */
static void demo_story_of_a_normal_vm_shows_the_host_reading_the_private_page(void **state)
{
        static const uint8_t secret[] = "realm private data";
        struct ccada_report *r;
        (void)state;
        assert_int_equal(ccada_report_create(&r), CCADA_OK);
        ccada_report_check(r, "booted", true);
        ccada_report_check(r, "host_read_guest_private", true);
        ccada_report_check(r, "host_wrote_guest_private", true);
        ccada_report_text(ccada_report_section(r, ""), "vm", "normal");
        ccada_report_hex(ccada_report_section(r, "host_view"), "private_page_hex", secret, sizeof(secret) - 1);
        char *story = story_of(r);
        assert_has(story, "host reads private page        yes: the guest's data, in clear\n");
        assert_has(story, "      0010  74 61                                             |ta|\n");
        assert_has(story, "host writes private page       yes: the guest's data changed\n");
        assert_has(story, "no bounces, the device reached the guest's memory directly");
        if (strstr(story, "measured command line"))
                fail_msg("a normal VM measures nothing:\n%s", story);
        free(story);
        ccada_report_destroy(r);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(demo_story_after_a_failed_boot_reports_checks_as_not_run),
                cmocka_unit_test(demo_story_after_a_failed_boot_still_prints_the_rim_it_has),
                cmocka_unit_test(demo_story_of_a_board_that_could_not_boot_its_realm),
                cmocka_unit_test(demo_story_shows_the_bounce_slot_the_host_read_in_hex_and_text),
                cmocka_unit_test(demo_story_explains_bounced_bytes_against_io_bytes),
                cmocka_unit_test(demo_story_splits_mmio_exits_between_console_and_virtio),
                cmocka_unit_test(demo_story_prints_the_measured_command_line_with_the_rim),
                cmocka_unit_test(demo_story_reports_requests_in_flight_and_pool_pressure),
                cmocka_unit_test(demo_story_of_a_normal_vm_shows_the_host_reading_the_private_page),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
