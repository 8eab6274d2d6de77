/* The board: wires hardware, RMM, host and Realm into a runnable machine with embedded
 * defaults (like a QEMU machine type). */
#include <stdlib.h>
#include <string.h>

#include "ccada/machine.h"
#include "host/host.h"
#include "host/pci.h"
#include "host/pl011.h"
#include "host/virtio_blk_dev.h"
#include "hw/hw.h"
#include "lib/crypto.h"
#include "lib/prng.h"
#include "realm/bench.h"
#include "realm/realm.h"
#include "rmm/rmm.h"

#define CONSOLE_BASE 0x09000000ULL

struct ccada_machine {
        struct ccada_machine_config cfg;
        struct trace trace;
        struct hw_mem *mem;
        struct ccada_rmm *rmm;
        struct host_vm *vm;
        struct realm_kernel *kernel;
        struct pl011 uart;
        struct host_pci_bus pci;
        struct virtio_blk_dev *blk;
        bool ran;
        uint8_t rpv[64];
};

void ccada_machine_config_default(struct ccada_machine_config *cfg)
{
        memset(cfg, 0, sizeof(*cfg));
        cfg->mem_size = 128ULL << 20;
        cfg->mem_base = 0x80000000ULL;
        cfg->realm_ram = 32ULL << 20;
        cfg->ipa_bits = 40;
        cfg->hash_algo = 0;
        cfg->seed = 1;
        cfg->swiotlb_slabs = 2048;
        cfg->disk_size = 64ULL << 20;
}

bool ccada_parse_events(const char *list, uint64_t *mask, char *err, size_t errlen)
{
        return trace_parse_events(list, mask, err, errlen);
}

/* The PCI host bridge with a virtio-blk disk at 0000:00:00.0. */
static ccada_status machine_add_disk(struct ccada_machine *m)
{
        struct virtio_blk_dev_config bc = { .vm = m->vm, .trace = &m->trace, .serial = "ccada-blk0" };
        ccada_status st = host_pci_bus_init(&m->pci, HOST_PCI_ECAM_BASE, HOST_PCI_WIN_BASE, HOST_PCI_WIN_SIZE);
        if (st != CCADA_OK)
                return st;
        if (m->cfg.disk_ram)
                st = virtio_blk_dev_open_ram(&m->blk, &bc, m->cfg.disk_size);
        else if (m->cfg.disk_path)
                st = virtio_blk_dev_open_file(&m->blk, &bc, m->cfg.disk_path, m->cfg.disk_size);
        else
                st = virtio_blk_dev_open_temp(&m->blk, &bc, m->cfg.disk_size);
        if (st != CCADA_OK)
                return st;
        if ((st = host_pci_bus_add(&m->pci, virtio_blk_dev_func(m->blk), 0)) != CCADA_OK)
                return st;
        host_vm_add_mmio(m->vm, &m->pci.ecam);
        host_vm_add_mmio(m->vm, &m->pci.window);
        return CCADA_OK;
}

static ccada_status machine_build(struct ccada_machine *m)
{
        struct rmm_config rc;
        if (!hw_mem_create(&m->mem, m->cfg.mem_base, m->cfg.mem_size, &m->trace))
                return CCADA_E_INVAL;
        rmm_config_default(&rc);
        rc.check_invariants = m->cfg.check_invariants;
        if (!rmm_create(&m->rmm, m->mem, &m->trace, &rc))
                return CCADA_E_NOMEM;
        realm_init_fn init = m->cfg.workload == CCADA_WORKLOAD_BENCH_SWIOTLB ? realm_bench_swiotlb
                             : m->cfg.workload == CCADA_WORKLOAD_BENCH_BLK   ? realm_bench_blk
                                                                              : realm_demo_init;
        if (!realm_kernel_create(&m->kernel, &m->trace, init))
                return CCADA_E_NOMEM;
        rk_bench(m->kernel)->reps = m->cfg.bench_reps;
        struct ccada_realm_program prog = { .entry = realm_kernel_entry, .kernel = m->kernel };
        rmm_set_realm_program(m->rmm, &prog);
        ccada_status st = host_vm_create(&m->vm, m->mem, m->rmm, &m->trace);
        if (st != CCADA_OK)
                return st;
        pl011_init(&m->uart, CONSOLE_BASE, m->cfg.console, m->cfg.normal_vm ? "[guest] " : "[realm] ");
        host_vm_add_mmio(m->vm, &m->uart.dev);
        return machine_add_disk(m);
}

ccada_status ccada_machine_create(struct ccada_machine **out, const struct ccada_machine_config *cfg)
{
        struct ccada_machine *m = calloc(1, sizeof(*m));
        if (!m)
                return CCADA_E_NOMEM;
        m->cfg = *cfg;
        trace_init(&m->trace);
        trace_enable(&m->trace, cfg->trace_events);
        trace_set_file(&m->trace, cfg->trace_file);
        trace_set_json(&m->trace, cfg->trace_json);
        trace_set_pipe(&m->trace, cfg->trace_pipe);
        ccada_status st = machine_build(m);
        if (st != CCADA_OK) {
                ccada_machine_destroy(m);
                return st;
        }
        *out = m;
        return CCADA_OK;
}

void ccada_machine_destroy(struct ccada_machine *m)
{
        if (!m)
                return;
        (void)trace_close(&m->trace);
        host_vm_destroy(m->vm);
        virtio_blk_dev_close(m->blk);
        rmm_destroy(m->rmm);
        realm_kernel_destroy(m->kernel);
        hw_mem_destroy(m->mem);
        free(m);
}

ccada_status ccada_machine_run(struct ccada_machine *m)
{
        uint8_t image[REALM_IMAGE_SIZE];
        struct realm_image_info info = {
                .ram_base = 0x80000000ULL,
                .ram_size = m->cfg.realm_ram,
                .console_base = CONSOLE_BASE,
                .pci_ecam = HOST_PCI_ECAM_BASE,
                .pci_mmio_base = HOST_PCI_WIN_BASE,
                .pci_mmio_size = HOST_PCI_WIN_SIZE,
        };
        struct host_vm_config vc;

        if (m->ran)
                return CCADA_E_STATE;
        m->ran = true;
        snprintf(info.cmdline, sizeof(info.cmdline), "console=pl011,mmio,0x%llx swiotlb=%llu%s%s init=ccada-demo ccada.seed=%llu",
                 (unsigned long long)CONSOLE_BASE, (unsigned long long)m->cfg.swiotlb_slabs,
                 m->cfg.swiotlb_grow ? " swiotlb.grow" : "", m->cfg.swiotlb_backpressure ? " swiotlb.backpressure" : "",
                 (unsigned long long)m->cfg.seed);
        if (!realm_image_build(&info, image, sizeof(image)))
                return CCADA_E_INVAL;
        host_vm_config_default(&vc);
        vc.ipa_bits = m->cfg.ipa_bits;
        vc.hash_algo = m->cfg.hash_algo;
        vc.ram_base = info.ram_base;
        vc.ram_size = info.ram_size;
        vc.image = image;
        struct prng rng;
        prng_seed(&rng, m->cfg.seed);
        prng_fill(&rng, vc.rpv, sizeof(vc.rpv)); /* the Realm Personalization Value */
        memcpy(m->rpv, vc.rpv, sizeof(m->rpv));
        vc.image_len = sizeof(image);
        struct ccada_realm_program prog = { .entry = realm_kernel_entry, .kernel = m->kernel };
        ccada_status st = m->cfg.normal_vm ? host_vm_create_normal(m->vm, &vc, &prog)
                                           : host_vm_create_realm(m->vm, &vc);
        if (st == CCADA_OK)
                st = host_vm_run(m->vm);
        pl011_flush(&m->uart);
        return st;
}

bool ccada_machine_finish_trace(struct ccada_machine *m)
{
        return trace_close(&m->trace);
}

void ccada_machine_summary(const struct ccada_machine *m, struct ccada_demo_summary *s)
{
        const struct realm_report *rep = realm_kernel_report(m->kernel);
        struct host_vm_stats hs;
        struct rmm_stats rs;

        memset(s, 0, sizeof(*s));
        host_vm_get_stats(m->vm, &hs);
        rmm_get_stats(m->rmm, &rs);
        snprintf(s->hash_algo, sizeof(s->hash_algo), "%s",
                 hash_alg_name(m->cfg.hash_algo == 1 ? HASH_SHA512 : HASH_SHA256));
        size_t hl = hash_len(m->cfg.hash_algo == 1 ? HASH_SHA512 : HASH_SHA256);
        hex_encode(s->rim_hex, rep->rim, hl);
        hex_encode(s->rem1_hex, rep->rem1, hl);
        for (unsigned i = 0; i < CCADA_EXIT_REASONS; i++) {
                s->exits[i] = hs.exits[i];
                s->exit_names[i] = rmi_exit_reason_name(i);
        }
        s->gpf = hw_gpf_count(m->mem);
        s->shared_pages = hs.shared_pages_peak;
        s->ripas_changes = hs.ripas_changes;
        s->mmio_reads = hs.mmio_reads;
        s->mmio_writes = hs.mmio_writes;
        s->rmi_calls = rs.rmi_calls;
        s->rsi_calls = rs.rsi_calls;
        s->booted = rep->booted;
        s->normal_vm = m->cfg.normal_vm;
        s->is_realm = rep->is_realm;
        s->ipa_bits = rep->ipa_bits;
        s->powered_off = hs.powered_off;
        s->host_read_shared = rep->host_read_shared;
        s->host_read_private_faulted = rep->host_read_private_faulted;
        s->host_write_private_faulted = rep->host_write_private_faulted;
        s->private_intact = rep->private_intact;
        s->mmio_ok = rep->mmio_ok;
        s->rem_extended = rep->rem_extended;
        s->unshare_ok = rep->unshare_ok;
        s->console_lines = (unsigned)m->uart.lines;
        memcpy(s->error, rep->error, sizeof(s->error));
        s->blk_present = rep->blk_present;
        s->blk_verified = rep->blk_verified;
        s->blk_bytes_written = rep->blk_bytes_written;
        s->blk_bytes_read = rep->blk_bytes_read;
        s->host_read_bounce = rep->host_read_bounce;
        s->swiotlb_nslabs = rep->swiotlb_nslabs;
        s->swiotlb_used = rep->swiotlb_used;
        s->swiotlb_hiwater = rep->swiotlb_hiwater;
        s->swiotlb_bounces = rep->swiotlb_bounces;
        s->swiotlb_bounced_bytes = rep->swiotlb_bounced_bytes;
        hex_encode(s->rpv_hex, m->rpv, sizeof(m->rpv));
        const char *first;
        s->violations = rmm_violations(m->rmm, &first);
        snprintf(s->first_violation, sizeof(s->first_violation), "%s", first);
}

bool ccada_demo_passed(const struct ccada_demo_summary *s)
{
        if (s->violations)
                return false;
        if (s->normal_vm)
                return s->booted && s->powered_off && !s->is_realm && s->mmio_ok && s->blk_verified &&
                       s->swiotlb_bounces == 0 && !s->error[0];
        return s->blk_verified && s->host_read_bounce && s->swiotlb_bounces > 0 && s->booted && s->powered_off && s->host_read_shared && s->host_read_private_faulted &&
               s->host_write_private_faulted && s->private_intact && s->mmio_ok && s->rem_extended &&
               s->unshare_ok && !s->error[0];
}

unsigned ccada_machine_bench_swiotlb(const struct ccada_machine *m, struct ccada_bench_swiotlb_row *rows,
                                     unsigned max, char *err, size_t errlen)
{
        struct realm_bench *b = rk_bench(m->kernel);
        unsigned n = b->nrows < max ? b->nrows : max;
        for (unsigned i = 0; i < n; i++) {
                rows[i].size = b->rows[i].size;
                rows[i].map_unmap_ns = b->rows[i].map_unmap_ns;
                rows[i].guest_copy_ns = b->rows[i].guest_copy_ns;
                rows[i].memcpy_ns = b->rows[i].memcpy_ns;
        }
        if (err && errlen)
                snprintf(err, errlen, "%s", b->error[0] ? b->error : realm_kernel_report(m->kernel)->error);
        return n;
}

bool ccada_machine_bench_blk(const struct ccada_machine *m, struct ccada_bench_blk *out, char *err, size_t errlen)
{
        const struct realm_bench *b = rk_bench(m->kernel);
        out->seq_write_mbps = b->blk.seq_write_mbps;
        out->seq_read_mbps = b->blk.seq_read_mbps;
        out->rand_read_iops = b->blk.rand_read_iops;
        out->rand_write_iops = b->blk.rand_write_iops;
        out->memcpy_mbps = b->blk.memcpy_mbps;
        out->region_bytes = b->blk.region_bytes;
        out->bounces = realm_kernel_report(m->kernel)->swiotlb_bounces;
        if (err && errlen)
                snprintf(err, errlen, "%s", b->error[0] ? b->error : realm_kernel_report(m->kernel)->error);
        return !b->error[0] && b->blk.region_bytes;
}
