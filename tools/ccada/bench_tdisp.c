/* ccada bench tdisp: the two ways a Realm does block I/O, side by side in one Realm and one
 * run: bounced (virtio-blk, every byte through SWIOTLB's shared pool) and direct (ccada-dev
 * accepted over TDISP, every byte DMA'd over the IDE-sealed link straight into private
 * memory), 4 KiB .. 1 MiB, reads and writes, interleaved repetitions, medians; a native
 * memcpy of the same size beside them. And the attach, step by step: the host's SPDM, IDE_KM,
 * TDISP LOCK + report, the BAR mapping and START, and the Realm's verification and its
 * validate + START + DMA_ENABLE (wall time of this software, not of silicon). */
#include <stdio.h>
#include <string.h>

#include "ccada/machine.h"
#include "ccada/report.h"
#include "cli.h"
#include "lib/json.h"
#include "machine/ide_bench.h"
#include "machine_opts.h"

#define ATTACH "bench_tdisp/attach"

static const struct {
        const char *key, *title;
} steps[] = {
        { "spdm_ms", "SPDM attestation (host relaying, RMM requester)" },
        { "ide_km_ms", "IDE stream: Root Port PDEV, IDE_KM keys, both ends Secure" },
        { "tdisp_lock_report_ms", "TDISP: VDEV, LOCK, report, signed measurements" },
        { "dev_map_ms", "BAR0 mapped into the Realm (RMI_RTT_DEV_MAP)" },
        { "realm_verify_ms", "Realm: evidence fetched and checked, verdict" },
        { "realm_start_ms", "Realm: VALIDATE_MAPPING, START (host), DMA_ENABLE" },
        { "tdisp_start_ms", "  of it, the host's RMI_VDEV_START (START_INTERFACE)" },
};

static bool is_cell(const char *name)
{
        static const char prefix[] = "bench_tdisp/";
        return !strncmp(name, prefix, sizeof(prefix) - 1) && strcmp(name, ATTACH);
}

int cli_bench_tdisp(const struct machine_opts *m, unsigned reps, struct json_writer *w)
{
        struct ccada_machine_config cfg = m->cfg;
        struct ccada_report *r;
        cfg.workload = "bench-tdisp";
        cfg.bench_reps = reps;
        cfg.bench_fixed = false;
        cfg.pdev.present = true;        /* the device to assign */
        cfg.pdev.attack = NULL;
        cfg.disk_ram = true;            /* the data path, not the host's file system */
        cfg.disk_path = NULL;
        cfg.normal_vm = false;
        if (!m->ram_given) {            /* 1 MiB buffers beside Linux's 64 MiB pool */
                cfg.realm_ram = 192ULL << 20;
                cfg.mem_size = 512ULL << 20;
        }
        /* The direct path's floor in this software: each 256-byte payload (the device's
         * Max_Payload_Size) sealed once and opened once by AES-256-GCM, OpenSSL EVP alone;
         * measured before and after the run, the mean of the two (the machine is shared). */
        static const uint32_t mps[] = { 256 };
        struct ide_bench_row before, floor;
        if (!ide_bench_run(mps, 1, 20000, &before))
                return fprintf(stderr, "ccada bench tdisp: the AES-GCM floor could not be measured\n"), CLI_FAIL;
        if (!cli_bench_run(&cfg, "tdisp", &r))
                return CLI_FAIL;
        if (!ide_bench_run(mps, 1, 20000, &floor)) {
                ccada_report_destroy(r);
                return fprintf(stderr, "ccada bench tdisp: the AES-GCM floor could not be measured\n"), CLI_FAIL;
        }
        floor.evp_ns_per_op = (floor.evp_ns_per_op + before.evp_ns_per_op) / 2;
        double floor_mbps = 256.0 / (2 * floor.evp_ns_per_op) * 1e3;
        size_t n = ccada_report_nsections(r);
        if (w) {
                json_begin_object(w, "tdisp");
                json_begin_object(w, "attach");
                for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
                        json_double(w, steps[i].key, cli_bench_figure(r, ATTACH, steps[i].key), 3);
                json_end_object(w);
                json_begin_array(w, "cells");
                for (size_t i = 0; i < n; i++) {
                        const char *s = ccada_report_section_name(r, i);
                        struct ccada_report_value dir;
                        if (!is_cell(s) || !ccada_report_get(r, s, "dir", &dir))
                                continue;
                        json_begin_object(w, NULL);
                        json_string(w, "dir", dir.text);
                        json_double(w, "size", cli_bench_figure(r, s, "size"), 0);
                        json_double(w, "ops", cli_bench_figure(r, s, "ops"), 0);
                        json_double(w, "bounced_mbps", cli_bench_figure(r, s, "bounced_mbps"), 1);
                        json_double(w, "direct_mbps", cli_bench_figure(r, s, "direct_mbps"), 1);
                        json_double(w, "direct_over_bounced", cli_bench_figure(r, s, "direct_over_bounced"), 2);
                        json_double(w, "memcpy_mbps", cli_bench_figure(r, s, "memcpy_mbps"), 1);
                        json_end_object(w);
                }
                json_end_array(w);
                json_double(w, "ide_floor_mbps", floor_mbps, 1);
                json_end_object(w);
                ccada_report_destroy(r);
                return CLI_OK;
        }
        printf("The attach, step by step (ms, one run)\n");
        for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
                printf("  %-52s %9.3f\n", steps[i].title, cli_bench_figure(r, ATTACH, steps[i].key));
        printf("\nBounced (virtio-blk, SWIOTLB) against direct (the accepted TDI: DMA over IDE into private\n"
               "memory), queue depth 1, median of %u interleaved repetitions, MB/s\n\n"
               "%-6s %8s %12s %12s %15s %12s %12s\n",
               reps, "dir", "size", "bounced", "direct", "direct/bounced", "direct/floor", "memcpy");
        for (size_t i = 0; i < n; i++) {
                const char *s = ccada_report_section_name(r, i);
                struct ccada_report_value dir;
                if (!is_cell(s) || !ccada_report_get(r, s, "dir", &dir))
                        continue;
                printf("%-6s %8.0f %12.1f %12.1f %15.2f %12.2f %12.1f\n", dir.text, cli_bench_figure(r, s, "size"),
                       cli_bench_figure(r, s, "bounced_mbps"), cli_bench_figure(r, s, "direct_mbps"),
                       cli_bench_figure(r, s, "direct_over_bounced"), cli_bench_figure(r, s, "direct_mbps") / floor_mbps,
                       cli_bench_figure(r, s, "memcpy_mbps"));
        }
        printf("\nbounced: every byte copied into SWIOTLB's shared pool and back (reads twice), the host's\n"
               "virtio-blk backend serving it; direct: the device's DMA, 256-byte TLPs each sealed with\n"
               "AES-256-GCM by the sender's IDE engine and opened by the receiver's, through the SMMU and\n"
               "the Realm's stage 2. floor: those 256-byte payloads sealed and opened by OpenSSL EVP alone,\n"
               "same run: %.1f MB/s (silicon does IDE at link speed; this model does it in software, so\n"
               "here the direct path pays AES-GCM where the bounced one pays memcpy). memcpy: native,\n"
               "same run, the same size.\n", floor_mbps);
        ccada_report_destroy(r);
        return CLI_OK;
}
