/* The demo's report: what the board, the host and the Realm found, in the generic report
 * (include/ccada/report.h) under the keys `ccada demo --json` has always printed, and the
 * checks that decide whether the demo passed. */
#include <string.h>

#include "ccada/machine.h"
#include "ccada/report.h"

static const char *exit_name(const struct ccada_demo_summary *s, unsigned i)
{
        const char *n = s->exit_names[i];
        return strncmp(n, "RMI_EXIT_", 9) ? n : n + 9;
}

static void facts(struct ccada_report *r, const struct ccada_demo_summary *s)
{
        struct ccada_report_section *top = ccada_report_section(r, "");
        ccada_report_text(top, "rim", s->rim_hex);
        ccada_report_text(top, "hash_algo", s->hash_algo);
        ccada_report_text(top, "rem1", s->rem1_hex);
        ccada_report_text(top, "vm", s->normal_vm ? "normal" : "realm");
        ccada_report_text(top, "rpv", s->rpv_hex);
        ccada_report_u64(top, "ipa_bits", s->ipa_bits);
        ccada_report_u64(top, "gpf", s->gpf);
        ccada_report_u64(top, "shared_pages", s->shared_pages);
        ccada_report_u64(top, "ripas_changes", s->ripas_changes);
        ccada_report_u64(top, "rmi_calls", s->rmi_calls);
        ccada_report_u64(top, "rsi_calls", s->rsi_calls);
        ccada_report_bool(top, "host_read_bounce_slot", s->host_read_bounce);
        ccada_report_u64(top, "violations", s->violations);
        ccada_report_text(top, "first_violation", s->first_violation);
        ccada_report_text(top, "error", s->error);
        struct ccada_report_section *exits = ccada_report_section(r, "exits");
        for (unsigned i = 0; i < CCADA_EXIT_REASONS; i++)
                ccada_report_u64(exits, exit_name(s, i), s->exits[i]);
        struct ccada_report_section *mmio = ccada_report_section(r, "mmio");
        ccada_report_u64(mmio, "reads", s->mmio_reads);
        ccada_report_u64(mmio, "writes", s->mmio_writes);
        struct ccada_report_section *sw = ccada_report_section(r, "swiotlb");
        ccada_report_u64(sw, "nslabs", s->swiotlb_nslabs);
        ccada_report_u64(sw, "used", s->swiotlb_used);
        ccada_report_u64(sw, "used_hiwater", s->swiotlb_hiwater);
        ccada_report_u64(sw, "bounces", s->swiotlb_bounces);
        ccada_report_u64(sw, "bounced_bytes", s->swiotlb_bounced_bytes);
        struct ccada_report_section *blk = ccada_report_section(r, "blk");
        ccada_report_bool(blk, "present", s->blk_present);
        ccada_report_u64(blk, "bytes_written", s->blk_bytes_written);
        ccada_report_u64(blk, "bytes_read", s->blk_bytes_read);
        ccada_report_bool(blk, "verified", s->blk_verified);
}

/* The demo's pass criteria, one named check each. */
static void checks(struct ccada_report *r, const struct ccada_demo_summary *s)
{
        ccada_report_check(r, "booted", s->booted);
        if (!s->normal_vm) {
                ccada_report_check(r, "host_read_shared", s->host_read_shared);
                ccada_report_check(r, "host_read_private_faulted", s->host_read_private_faulted);
                ccada_report_check(r, "host_write_private_faulted", s->host_write_private_faulted);
                ccada_report_check(r, "private_intact", s->private_intact);
        }
        ccada_report_check(r, "mmio", s->mmio_ok);
        if (!s->normal_vm) {
                ccada_report_check(r, "rem_extended", s->rem_extended);
                ccada_report_check(r, "unshared", s->unshare_ok);
        }
        ccada_report_check(r, "powered_off", s->powered_off);
        ccada_report_check(r, "blk_verified", s->blk_verified);
        if (s->normal_vm) {
                ccada_report_check(r, "not_a_realm", !s->is_realm);
                ccada_report_check(r, "no_bounces", s->swiotlb_bounces == 0);
        } else {
                ccada_report_check(r, "bounced", s->swiotlb_bounces > 0);
                ccada_report_check(r, "host_read_bounce_slot", s->host_read_bounce);
        }
        ccada_report_check(r, "no_error", !s->error[0]);
        ccada_report_check(r, "no_violations", s->violations == 0);
        if (s->realms > 1)
                ccada_report_check(r, "realm_b", s->realm_b_passed);
}

void ccada_demo_report(const struct ccada_demo_summary *s, bool run_ok, struct ccada_report *r)
{
        facts(r, s);
        ccada_report_check(r, "run_completed", run_ok);
        checks(r, s);
}
