/* ccada demo's report as a person reads it (the values come from the generic report,
 * docs/report.md). A check the run never reached is "not run": the boot failed before the
 * demo could make it, so it was neither blocked nor not blocked. */
#include <string.h>

#include "ccada/report.h"
#include "cli.h"

#define NOT_RUN "not run (boot failed)"

static uint64_t u64_of(const struct ccada_report *r, const char *sec, const char *key)
{
        struct ccada_report_value v;
        return ccada_report_get(r, sec, key, &v) && v.type == CCADA_REPORT_U64 ? v.u : 0;
}

static bool bool_of(const struct ccada_report *r, const char *sec, const char *key)
{
        struct ccada_report_value v;
        return ccada_report_get(r, sec, key, &v) && v.type == CCADA_REPORT_BOOL && v.b;
}

static const char *text_of(const struct ccada_report *r, const char *sec, const char *key)
{
        struct ccada_report_value v;
        return ccada_report_get(r, sec, key, &v) && v.type != CCADA_REPORT_BOOL && v.type != CCADA_REPORT_U64
                       ? v.text : "";
}

static bool booted(const struct ccada_report *r) { return bool_of(r, "checks", "booted"); }

/* A check's outcome in words: yes or no, or NOT_RUN after a failed boot. */
static const char *check_text(const struct ccada_report *r, const char *name, const char *yes, const char *no)
{
        if (!booted(r))
                return NOT_RUN;
        return bool_of(r, "checks", name) ? yes : no;
}

/* The RIM as the Realm reported it; without it (the boot failed before the Realm read its
 * measurements) it says so rather than printing nothing. */
static const char *rim_text(const struct ccada_report *r, const char *key)
{
        const char *t = text_of(r, "", key);
        return t[0] ? t : "not reported (the boot failed before the Realm read it)";
}

static void print_isolation(FILE *f, const struct ccada_report *r)
{
        unsigned ipa_bits = (unsigned)u64_of(r, "", "ipa_bits");
        fprintf(f, "\nRealm Initial Measurement (%s): %s\n", text_of(r, "", "hash_algo"), rim_text(r, "rim"));
        fprintf(f, "REM[1] after extend:               %s\n\n", booted(r) ? text_of(r, "", "rem1") : NOT_RUN);
        if (booted(r))
                fprintf(f, "  boot              ok (IPA width %u, shared bit %u)\n", ipa_bits, ipa_bits ? ipa_bits - 1 : 0);
        else
                fprintf(f, "  boot              FAILED%s%s\n", text_of(r, "", "error")[0] ? ": " : "",
                        text_of(r, "", "error"));
        fprintf(f, "  shared pages      %llu (RIPAS changes: %llu)\n", (unsigned long long)u64_of(r, "", "shared_pages"),
                (unsigned long long)u64_of(r, "", "ripas_changes"));
        fprintf(f, "  host reads shared page         %s\n", check_text(r, "host_read_shared", "yes", "NO"));
        fprintf(f, "  host reads private page        %s\n",
                check_text(r, "host_read_private_faulted", "granule protection fault", "NOT BLOCKED"));
        fprintf(f, "  host writes private page       %s\n",
                check_text(r, "host_write_private_faulted", "granule protection fault", "NOT BLOCKED"));
        fprintf(f, "  Realm data unchanged           %s\n", check_text(r, "private_intact", "yes", "NO"));
        fprintf(f, "  REM extend                     %s\n", check_text(r, "rem_extended", "ok", "FAILED"));
        if (booted(r))
                fprintf(f, "  host reads a bounce slot       %s (shared: what was bounced is not confidential)\n",
                        bool_of(r, "", "host_read_bounce_slot") ? "yes" : "no");
        else
                fprintf(f, "  host reads a bounce slot       %s\n", NOT_RUN);
}

static void print_swiotlb(FILE *f, const struct ccada_report *r)
{
        uint64_t nslabs = u64_of(r, "swiotlb", "nslabs");
        if (!booted(r)) {
                fprintf(f, "  SWIOTLB           %s\n  virtio-blk        %s\n", NOT_RUN, NOT_RUN);
                return;
        }
        fprintf(f, "  SWIOTLB           nslabs %llu (%llu KiB), used %llu, used_hiwater %llu, bounces %llu, bounced %llu "
                "bytes\n", (unsigned long long)nslabs, (unsigned long long)nslabs * 2,
                (unsigned long long)u64_of(r, "swiotlb", "used"), (unsigned long long)u64_of(r, "swiotlb", "used_hiwater"),
                (unsigned long long)u64_of(r, "swiotlb", "bounces"),
                (unsigned long long)u64_of(r, "swiotlb", "bounced_bytes"));
        fprintf(f, "  virtio-blk        %s: wrote %llu bytes, read %llu bytes back, %s\n",
                bool_of(r, "blk", "present") ? "0000:00:00.0" : "absent",
                (unsigned long long)u64_of(r, "blk", "bytes_written"), (unsigned long long)u64_of(r, "blk", "bytes_read"),
                bool_of(r, "blk", "verified") ? "verified" : "NOT VERIFIED");
}

static void print_exits(FILE *f, const struct ccada_report *r, bool normal)
{
        fprintf(f, "  %s exits         ", normal ? "VM " : "REC");
        for (size_t sec = 0; sec < ccada_report_nsections(r); sec++) {
                const char *key;
                struct ccada_report_value v;
                if (strcmp(ccada_report_section_name(r, sec), "exits"))
                        continue;
                for (size_t i = 0; ccada_report_item(r, sec, i, &key, &v); i++)
                        if (v.u)
                                fprintf(f, " %s=%llu", key, (unsigned long long)v.u);
        }
        fprintf(f, "\n");
}

/* Sections the story above does not tell (a feature's new section) are shown as they are,
 * so that adding one needs no change here. */
static void print_other_sections(FILE *f, const struct ccada_report *r)
{
        static const char *const told[] = { "", "exits", "mmio", "swiotlb", "blk", "checks" };
        for (size_t sec = 0; sec < ccada_report_nsections(r); sec++) {
                const char *name = ccada_report_section_name(r, sec), *key;
                struct ccada_report_value v;
                bool known = false;
                for (size_t i = 0; i < sizeof(told) / sizeof(told[0]); i++)
                        known |= !strcmp(name, told[i]);
                if (known)
                        continue;
                fprintf(f, "  %-17s", name);
                for (size_t i = 0; ccada_report_item(r, sec, i, &key, &v); i++) {
                        if (v.type == CCADA_REPORT_BOOL)
                                fprintf(f, " %s=%s", key, v.b ? "yes" : "no");
                        else if (v.type == CCADA_REPORT_U64)
                                fprintf(f, " %s=%llu", key, (unsigned long long)v.u);
                        else
                                fprintf(f, " %s=%s", key, v.text);
                }
                fprintf(f, "\n");
        }
}

void demo_print_story(FILE *f, const struct ccada_report *r)
{
        bool normal = !strcmp(text_of(r, "", "vm"), "normal");
        if (normal)
                fprintf(f, "\nnormal VM (no RMM, no isolation): boot %s\n", booted(r) ? "ok" : "FAILED");
        else
                print_isolation(f, r);
        print_swiotlb(f, r);
        if (booted(r))
                fprintf(f, "  MMIO              %s (%llu reads, %llu writes)\n",
                        bool_of(r, "checks", "mmio") ? "PL011 identified" : "FAILED",
                        (unsigned long long)u64_of(r, "mmio", "reads"), (unsigned long long)u64_of(r, "mmio", "writes"));
        else
                fprintf(f, "  MMIO              %s\n", NOT_RUN);
        print_exits(f, r, normal);
        print_other_sections(f, r);
        fprintf(f, "  GPFs              %llu\n  RMI/RSI calls     %llu/%llu\n", (unsigned long long)u64_of(r, "", "gpf"),
                (unsigned long long)u64_of(r, "", "rmi_calls"), (unsigned long long)u64_of(r, "", "rsi_calls"));
        if (text_of(r, "", "error")[0])
                fprintf(f, "  error             %s\n", text_of(r, "", "error"));
        if (u64_of(r, "", "violations"))
                fprintf(f, "  RMM violations    %llu, the first: %s\n", (unsigned long long)u64_of(r, "", "violations"),
                        text_of(r, "", "first_violation"));
        fprintf(f, "\n%s\n", ccada_report_passed(r) ? "demo: all checks passed" : "demo: FAILED");
}
