/* ccada run: build a machine from options, run a named workload, print its report. */
#include <getopt.h>
#include <string.h>

#include "ccada/machine.h"
#include "ccada/report.h"
#include "cli.h"
#include "machine_opts.h"

void cli_run_help(FILE *f)
{
        fputs("usage: ccada run [--workload NAME] [options]\n"
              "\n"
              "Builds a machine from the options below (defaults: one Realm, 128M of RAM, Linux's\n"
              "64M bounce pool, a virtio-blk disk), runs the workload in the Realm and prints the\n"
              "run's report (docs/report.md); exit status 0 when every check of it is true.\n"
              "\n"
              "options:\n"
              "  --workload NAME    what the Realm runs (default demo):\n",
              f);
        for (size_t i = 0; ccada_workload_name(i); i++)
                fprintf(f, "                       %-14s %s\n", ccada_workload_name(i), ccada_workload_summary(i));
        fputs("  --json             print the report as JSON on stdout (console to stderr)\n", f);
        machine_opts_help(f);
        fputs("  -h, --help         show this help\n"
              "\n"
              "device types (--device TYPE[,OPT...]):\n", f);
        for (size_t i = 0; ccada_device_type_name(i); i++)
                fprintf(f, "  %-18s %s\n", ccada_device_type_name(i), ccada_device_type_summary(i));
        fputs("\nexit status: 0 every check passed, 1 a check or the run failed, 2 usage error\n", f);
}

enum { R_WORKLOAD = 256, R_JSON };

int cli_set_workload(struct machine_opts *m, const char *arg)
{
        for (size_t i = 0; ccada_workload_name(i); i++) {
                if (!strcmp(arg, ccada_workload_name(i))) {
                        m->cfg.workload = ccada_workload_name(i);
                        return CLI_OK;
                }
        }
        char names[256] = "";
        size_t used = 0;
        for (size_t i = 0; ccada_workload_name(i) && used < sizeof(names); i++)
                used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s", i ? ", " : "",
                                         ccada_workload_name(i));
        char why[300];
        snprintf(why, sizeof(why), "no such workload (there are: %s)", names);
        return cli_bad_value(m->cmd, "--workload", arg, why);
}

struct run_opts {
        struct machine_opts m;
        bool json;
};

static int run_opt(void *ctx, int c, const char *arg)
{
        struct run_opts *o = ctx;
        if (c == R_JSON)
                o->json = true;
        else if (c == R_WORKLOAD)
                return cli_set_workload(&o->m, arg);
        else
                return cli_run_help(stderr), CLI_USAGE;
        return CLI_OK;
}

static int run_machine(struct run_opts *o)
{
        struct ccada_report *rep;
        bool trace_ok;
        if (machine_opts_run(&o->m, &rep, &trace_ok) != CLI_OK)
                return CLI_FAIL;
        if (!trace_ok)
                fprintf(stderr, "ccada run: writing the trace failed\n");
        bool out_ok = o->json ? ccada_report_print_json(rep, stdout) : ccada_report_print_text(rep, stdout);
        bool passed = ccada_report_passed(rep);
        ccada_report_destroy(rep);
        if (!out_ok)
                fprintf(stderr, "ccada run: writing the report failed\n");
        return passed && trace_ok && out_ok ? CLI_OK : CLI_FAIL;
}

int cli_run(int argc, char **argv)
{
        static const struct option own[] = {
                { "workload", required_argument, NULL, R_WORKLOAD },
                { "json", no_argument, NULL, R_JSON },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        struct run_opts o = { .json = false };
        machine_opts_init(&o.m, "run");
        int rc = machine_opts_parse(&o.m, argc, argv, own, run_opt, &o, cli_run_help, 0);
        if (rc)
                return rc < 0 ? CLI_OK : rc;
        if ((rc = machine_opts_open_traces(&o.m, o.json)) != CLI_OK)
                return rc < 0 ? CLI_OK : rc;
        rc = run_machine(&o);
        if (machine_opts_close_traces(&o.m) != CLI_OK)
                rc = CLI_FAIL;
        return rc;
}
