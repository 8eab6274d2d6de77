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

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(demo_story_after_a_failed_boot_reports_checks_as_not_run),
                cmocka_unit_test(demo_story_after_a_failed_boot_still_prints_the_rim_it_has),
                cmocka_unit_test(demo_story_of_a_board_that_could_not_boot_its_realm),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
