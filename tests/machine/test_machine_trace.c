/* The board's trace registry: every subsystem a part registers is listed by
 * ccada_list_events and accepted by ccada_check_events, and nothing else is. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccada/machine.h"

#define MAX_NAMES 128

struct names {
        char name[MAX_NAMES][32];
        char subsys[MAX_NAMES][32];
        unsigned n;
};

/* Reads "subsystem event event..." lines as ccada_list_events writes them. */
static void listed(struct names *l)
{
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);

        assert_non_null(f);
        ccada_list_events(f);
        assert_int_equal(fclose(f), 0);
        l->n = 0;
        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *wsave = NULL;
                char *sub = strtok_r(line, " ", &wsave);
                assert_non_null(sub);
                for (char *ev = strtok_r(NULL, " ", &wsave); ev; ev = strtok_r(NULL, " ", &wsave)) {
                        assert_true(l->n < MAX_NAMES);
                        snprintf(l->name[l->n], sizeof(l->name[0]), "%s", ev);
                        snprintf(l->subsys[l->n], sizeof(l->subsys[0]), "%s", sub);
                        l->n++;
                }
        }
        free(text);
}

static int find(const struct names *l, const char *ev)
{
        for (unsigned i = 0; i < l->n; i++)
                if (strcmp(l->name[i], ev) == 0)
                        return (int)i;
        return -1;
}

static void machine_events_check_accepts_every_listed_name_and_nothing_else(void **state)
{
        struct names l;
        char err[1024];

        (void)state;
        listed(&l);
        assert_true(l.n >= 17);
        for (unsigned i = 0; i < l.n; i++) {
                assert_true(ccada_check_events(l.name[i], err, sizeof(err)));
                assert_true(ccada_check_events(l.subsys[i], err, sizeof(err)));
        }
        /* "dma" is Linux's own trace system for dma_map_*: not ccada's. */
        assert_false(ccada_check_events("gpf,dma", err, sizeof(err)));
        assert_non_null(strstr(err, "'dma'"));
        assert_non_null(strstr(err, "ccada_swiotlb"));
}

static void machine_with_an_unknown_trace_event_is_refused(void **state)
{
        struct ccada_machine_config cfg;
        struct ccada_machine *m = NULL;

        (void)state;
        ccada_machine_config_default(&cfg);
        cfg.trace_events = "gpf,nope";
        assert_int_equal(ccada_machine_create(&m, &cfg), CCADA_E_INVAL);
        assert_null(m);
}

/* With every event on, the demo emits at least one event of each listed subsystem, and
 * every event it emits is listed under its subsystem. */
static void demo_with_all_events_emits_only_listed_events_from_every_subsystem(void **state)
{
        struct ccada_machine_config cfg;
        struct ccada_machine *m;
        struct names l;
        bool seen[MAX_NAMES] = { false };
        char *text = NULL;
        size_t len = 0;
        FILE *pipe = open_memstream(&text, &len);

        (void)state;
        assert_non_null(pipe);
        listed(&l);
        ccada_machine_config_default(&cfg);
        cfg.disk_ram = true;
        cfg.pdev.present = true;        /* the device attestation's doe and spdm events */
        cfg.trace_events = "all";
        cfg.trace_pipe = pipe;
        assert_int_equal(ccada_machine_create(&m, &cfg), CCADA_OK);
        assert_int_equal(ccada_machine_run(m), CCADA_OK);
        assert_true(ccada_machine_finish_trace(m));
        ccada_machine_destroy(m);
        assert_int_equal(fclose(pipe), 0);
        /* "<comm>-<pid> [cpu] flags time: <event>: fields" */
        for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
             line = strtok_r(NULL, "\n", &save)) {
                char *ev = strstr(line, ": ");
                assert_non_null(ev);
                ev += 2;
                char *end = strstr(ev, ": ");
                if (!end)
                        end = ev + strlen(ev);  /* an event with empty fields */
                *end = '\0';
                int i = find(&l, ev);
                if (i < 0)
                        fail_msg("event '%s' is emitted but not listed", ev);
                seen[i] = true;
        }
        free(text);
        for (unsigned i = 0; i < l.n; i++) {
                bool any = false;
                for (unsigned j = 0; j < l.n; j++)
                        any |= seen[j] && strcmp(l.subsys[j], l.subsys[i]) == 0;
                if (!any)
                        fail_msg("subsystem '%s' emitted nothing", l.subsys[i]);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(machine_events_check_accepts_every_listed_name_and_nothing_else),
                cmocka_unit_test(machine_with_an_unknown_trace_event_is_refused),
                cmocka_unit_test(demo_with_all_events_emits_only_listed_events_from_every_subsystem),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
