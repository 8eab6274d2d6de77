/* The board: wires hardware, RMM, host and Realm into a runnable machine with embedded
 * defaults (like a QEMU machine type). It holds one Realm or two (machine/board.h); each
 * Realm is a slot built and stepped by the same code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccada/machine.h"
#include "ccada/report.h"
#include "lib/bytes.h"
#include "lib/crypto.h"
#include "lib/prng.h"
#include "hw/ide.h"
#include "hw/smmu.h"
#include "machine/machine_internal.h"
#include "lib/container.h"
#include "proto/hostcall.h"
#include "proto/virtio.h"
#include "host/doe_relay.h"
#include "rmm/tsm.h"
#include "realm/realm.h"
#include "realm/swiotlb.h"

void ccada_machine_config_default(struct ccada_machine_config *cfg)
{
        memset(cfg, 0, sizeof(*cfg));
        cfg->mem_size = 256ULL << 20;
        cfg->mem_base = 0x80000000ULL;
        cfg->realm_ram = 128ULL << 20;
        cfg->ipa_bits = 40;
        cfg->hash_algo = 0;
        cfg->seed = 1;
        cfg->disk_size = 64ULL << 20;
        cfg->realms = 1;
        cfg->challenge_len = 64;
        cfg->devices[0] = (struct ccada_device_cfg){ .type = "virtio-blk" };
        cfg->ndevices = 1;
}

/* Every trace subsystem a part of the board registers, in the order --events list shows. */
static const struct trace_subsys *const board_trace[] = {
        &rmi_trace, &rsi_trace, &rmm_trace, &hw_trace, &host_trace, &realm_trace,
        &swiotlb_trace, &ccada_swiotlb_trace, &virtio_trace, &doe_trace, &spdm_trace, &da_trace,
        &hw_smmu_trace,
        &hw_ide_trace,
};
_Static_assert(ARRAY_SIZE(board_trace) <= TRACE_MAX_GROUPS, "a trace holds every subsystem");

bool ccada_check_events(const char *list, char *err, size_t errlen)
{
        return trace_check_events(list, board_trace, ARRAY_SIZE(board_trace), err, errlen);
}

void ccada_list_events(FILE *out)
{
        trace_print_subsystems(out, board_trace, ARRAY_SIZE(board_trace));
}

/* The slot's PCI host bridge with its devices at 0000:00:00.0, 00:01.0, ... */
static ccada_status slot_add_devices(struct ccada_machine *m, unsigned i)
{
        struct machine_slot *s = &m->slot[i];
        ccada_status st = host_pci_bus_init(&s->pci, HOST_PCI_ECAM_BASE, HOST_PCI_WIN_BASE, HOST_PCI_WIN_SIZE);
        for (unsigned d = 0; d < m->cfg.ndevices && st == CCADA_OK; d++)
                st = machine_device_add(m, i, &m->cfg.devices[d], d);
        if (st != CCADA_OK)
                return st;
        host_vm_add_mmio(s->vm, &s->pci.ecam);
        host_vm_add_mmio(s->vm, &s->pci.window);
        return CCADA_OK;
}

/* Slot i's kernel object, host VM (B's on A's host), console and disk. */
static ccada_status slot_build(struct ccada_machine *m, unsigned i)
{
        struct machine_slot *s = &m->slot[i];
        if (!realm_kernel_create(&s->kernel, &m->trace, machine_workload_find(m->cfg.workload)->init))
                return CCADA_E_NOMEM;
        ccada_status st = i ? host_vm_create_peer(&s->vm, m->slot[0].vm)
                            : host_vm_create(&s->vm, m->mem, m->rmm, &m->trace);
        if (st != CCADA_OK)
                return st;
        static const char *const prefix[MACHINE_MAX_REALMS] = { "[realm] ", "[realm-b] " };
        pl011_init(&s->uart, MACHINE_CONSOLE_BASE, m->cfg.console, m->cfg.normal_vm ? "[guest] " : prefix[i]);
        host_vm_add_mmio(s->vm, &s->uart.dev);
        return slot_add_devices(m, i);
}

static ccada_status machine_build(struct ccada_machine *m)
{
        struct rmm_config rc;
        if (!hw_mem_create(&m->mem, m->cfg.mem_base, m->cfg.mem_size, &m->trace))
                return CCADA_E_INVAL;
        rmm_config_default(&rc);
        rc.check_invariants = m->cfg.check_invariants;
        rc.check_accesses = m->cfg.check_accesses;
        rc.seed = m->cfg.seed;
        rc.iak_pem = m->cfg.iak_pem;
        rc.token_profile = m->cfg.token_profile;
        rc.token_form = m->cfg.token_cmw ? CCA_FORM_907 : CCA_FORM_399;
        rc.da = m->cfg.pdev.present; /* RMI_FEATURES advertises DA only with a device to assign */
        if (!rmm_create(&m->rmm, m->mem, &m->trace, &rc))
                return CCADA_E_NOMEM;
        char why[256] = "";
        ccada_status st = machine_pdev_build(m, why, sizeof(why));
        if (st != CCADA_OK) {
                fprintf(stderr, "ccada: the physical device: %s\n", why);
                return st;
        }
        for (unsigned i = 0; i < m->nslots && st == CCADA_OK; i++)
                st = slot_build(m, i);
        if (st == CCADA_OK)
                st = machine_pdev_provision(m);
        return st;
}

ccada_status ccada_machine_create(struct ccada_machine **out, const struct ccada_machine_config *cfg)
{
        if ((cfg->realms != 1 && cfg->realms != 2) || (cfg->realms == 2 && cfg->normal_vm) ||
            !machine_workload_find(cfg->workload) || cfg->ndevices > CCADA_MAX_DEVICES ||
            !ccada_check_events(cfg->trace_events, NULL, 0) || cfg->bench_reps > 31 || cfg->queue_depth > 1024 ||
            cfg->bench_size > (1u << 20) || cfg->bench_qd > 256 ||
            (cfg->bench_dir && strcmp(cfg->bench_dir, "to") && strcmp(cfg->bench_dir, "from") &&
             strcmp(cfg->bench_dir, "bidi") && strcmp(cfg->bench_dir, "read") && strcmp(cfg->bench_dir, "write")) ||
            cfg->challenge_len < 32 || cfg->challenge_len > sizeof(cfg->challenge) ||
            (cfg->app_args && strnlen(cfg->app_args, HOSTCALL_ARGS_MAX + 1) > HOSTCALL_ARGS_MAX))
                return CCADA_E_INVAL;
        for (unsigned d = 0; d < cfg->ndevices; d++)
                if (!ccada_device_check(&cfg->devices[d], NULL, 0))
                        return CCADA_E_INVAL;
        struct ccada_machine *m = calloc(1, sizeof(*m));
        if (!m)
                return CCADA_E_NOMEM;
        m->cfg = *cfg;
        m->nslots = cfg->realms;
        trace_init(&m->trace);
        if (!trace_set_events(&m->trace, cfg->trace_events)) {
                free(m);
                return CCADA_E_INVAL;
        }
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

ccada_status ccada_machine_iak_public_pem(struct ccada_machine *m, char **pem, char *err, size_t errlen)
{
        char why[RMM_ATTEST_WHY_LEN];
        if (rmm_attest_iak_public_pem(m->rmm, pem, why))
                return CCADA_OK;
        snprintf(err, errlen, "%s", why);
        return CCADA_E_INVAL;
}

void ccada_machine_destroy(struct ccada_machine *m)
{
        if (!m)
                return;
        (void)trace_close(&m->trace);
        for (unsigned i = 0; i < m->nslots; i++) { /* devices first: they may hold on to their VM */
                for (unsigned d = 0; d < m->slot[i].ndev; d++)
                        m->slot[i].dev[d].close(m->slot[i].dev[d].obj);
                host_vm_destroy(m->slot[i].vm);
        }
        machine_pdev_free(m);
        rmm_destroy(m->rmm);
        for (unsigned i = 0; i < m->nslots; i++)
                realm_kernel_destroy(m->slot[i].kernel);
        hw_mem_destroy(m->mem);
        free(m);
}

struct hw_mem *machine_mem(struct ccada_machine *m) { return m->mem; }
struct ccada_rmm *machine_rmm(struct ccada_machine *m) { return m->rmm; }

struct host_vm *machine_vm(struct ccada_machine *m, unsigned i)
{
        return i < m->nslots ? m->slot[i].vm : NULL;
}

static struct slot_meter meter_now(const struct ccada_machine *m)
{
        struct rmm_stats rs;
        rmm_get_stats(m->rmm, &rs);
        return (struct slot_meter){ .rmi_calls = rs.rmi_calls, .rsi_calls = rs.rsi_calls, .gpf = hw_gpf_count(m->mem) };
}

/* Charges slot s with what the machine counted since `before`. */
static void meter_charge(const struct ccada_machine *m, struct machine_slot *s, const struct slot_meter *before)
{
        struct slot_meter now = meter_now(m);
        s->meter.rmi_calls += now.rmi_calls - before->rmi_calls;
        s->meter.rsi_calls += now.rsi_calls - before->rsi_calls;
        s->meter.gpf += now.gpf - before->gpf;
}

/* The Realm's command line, as the board writes it into the boot image (measured: it is
 * part of the RIM). Only what changes it, the image's other fields or the Realm's
 * parameters changes the RIM; docs/learning-path.md lists the options that do. */
static void machine_cmdline(const struct ccada_machine *m, char *out, size_t len)
{
        char reps[160] = "", slabs[32] = "", qd[40] = "";
        if (m->cfg.bench_fixed) /* only then: the default command line, and RIM, stay as they were */
                snprintf(reps, sizeof(reps), " ccada.bench_ops=%llu ccada.bench_size=%llu ccada.bench_dir=%s ccada.bench_qd=%u",
                         (unsigned long long)m->cfg.bench_ops, (unsigned long long)m->cfg.bench_size,
                         m->cfg.bench_dir ? m->cfg.bench_dir : "to", m->cfg.bench_qd ? m->cfg.bench_qd : 1);
        else if (m->cfg.bench_reps)
                snprintf(reps, sizeof(reps), " ccada.bench_reps=%u", m->cfg.bench_reps);
        if (m->cfg.queue_depth) /* Linux's module parameter; else the driver's default */
                snprintf(qd, sizeof(qd), " virtio_blk.queue_depth=%u", m->cfg.queue_depth);
        if (m->cfg.swiotlb_slabs) /* else the kernel's default pool, as Linux without swiotlb= */
                snprintf(slabs, sizeof(slabs), " swiotlb=%llu", (unsigned long long)m->cfg.swiotlb_slabs);
        /* The workload is the Realm's program: init= names it, so each has its own RIM. */
        snprintf(out, len, "console=pl011,mmio,0x%llx%s%s%s%s%s init=ccada-%s ccada.seed=%llu%s",
                 (unsigned long long)MACHINE_CONSOLE_BASE, slabs,
                 m->cfg.swiotlb_grow ? " swiotlb.grow" : "", m->cfg.swiotlb_backpressure ? " swiotlb.backpressure" : "",
                 m->cfg.swiotlb_bitmap ? " swiotlb.alloc=bitmap" : "", qd, machine_workload_find(m->cfg.workload)->name, (unsigned long long)m->cfg.seed, reps);
}

/* The boot image every Realm of the board loads (the same for each: same RIM). */
static ccada_status machine_image(const struct ccada_machine *m, uint8_t image[REALM_IMAGE_SIZE])
{
        struct realm_image_info info = {
                .ram_base = MACHINE_REALM_RAM_IPA,
                .ram_size = m->cfg.realm_ram,
                .console_base = MACHINE_CONSOLE_BASE,
                .pci_ecam = HOST_PCI_ECAM_BASE,
                .pci_mmio_base = HOST_PCI_WIN_BASE,
                .pci_mmio_size = HOST_PCI_WIN_SIZE,
        };
        machine_cmdline(m, info.cmdline, sizeof(info.cmdline));
        return realm_image_build(&info, image, REALM_IMAGE_SIZE) ? CCADA_OK : CCADA_E_INVAL;
}

/* Slot i's Realm Personalization Value: the (i+1)-th 64 bytes of the seed's stream. */
static void slot_rpv(const struct ccada_machine *m, unsigned i, uint8_t rpv[64])
{
        struct prng rng;
        prng_seed(&rng, m->cfg.seed);
        for (unsigned n = 0; n <= i; n++)
                prng_fill(&rng, rpv, 64);
}

/* HOSTCALL_GET_CHALLENGE: the configured challenge, as a verifier gave it to the host. */
static void machine_challenge(const struct ccada_machine *m, uint64_t out[31])
{
        uint8_t ch[HOSTCALL_CHALLENGE_MAX] = { 0 };
        size_t n = m->cfg.challenge_len <= sizeof(ch) ? m->cfg.challenge_len : 0;
        memcpy(ch, m->cfg.challenge, n);
        out[0] = n;
        for (unsigned i = 0; i < sizeof(ch) / 8; i++)
                out[1 + i] = ld_le64(ch + 8 * i);
}

/* HOSTCALL_GET_ARGS: the app's arguments as the user gave them. */
static void machine_args(const struct ccada_machine *m, uint64_t out[31])
{
        uint8_t a[HOSTCALL_ARGS_MAX] = { 0 };
        size_t n = m->cfg.app_args ? strnlen(m->cfg.app_args, sizeof(a) + 1) : 0;
        if (n > sizeof(a))
                n = 0; /* refused at configuration; never cut */
        memcpy(a, m->cfg.app_args ? m->cfg.app_args : "", n);
        out[0] = n;
        for (unsigned i = 0; i < sizeof(a) / 8; i++)
                out[1 + i] = ld_le64(a + 8 * i);
}

/* The host calls the VMM leaves to the machine: a bench app's figure, to the owner's hook;
 * the challenge for an attestation token. */
static void machine_call_hook(void *ctx, uint16_t imm, const uint64_t in[31], uint64_t out[31])
{
        struct ccada_machine *m = ctx;
        if (imm == HOSTCALL_GET_CHALLENGE) {
                machine_challenge(m, out);
                return;
        }
        if (imm == HOSTCALL_GET_ARGS) {
                machine_args(m, out);
                return;
        }
        if (imm == HOSTCALL_DEV_OBJECT) {
                machine_pdev_object(m, in, out);
                return;
        }
        if (imm == HOSTCALL_DEV_MMIO) {
                machine_pdev_mmio(m, in, out);
                return;
        }
        if (imm == HOSTCALL_DEV_START) {
                machine_pdev_start(m, in, out);
                return;
        }
        if (imm != HOSTCALL_BENCH_SAMPLE || !m->cfg.bench_hook)
                return;
        struct ccada_bench_sample s = { .cell = in[0], .rep = in[1], .ns = in[2], .ops = in[3], .bytes = in[4],
                                        .memcpy_ps = in[5], .memcpy_cold_ps = in[6] };
        out[0] = 1;
        m->cfg.bench_hook(m->cfg.bench_hook_ctx, &s);
}

/* Builds slot i's guest from image and gives the Realm its own kernel. */
static ccada_status slot_boot(struct ccada_machine *m, unsigned i, const uint8_t *image)
{
        struct machine_slot *s = &m->slot[i];
        struct host_vm_config vc;
        host_vm_config_default(&vc);
        vc.ipa_bits = m->cfg.ipa_bits;
        vc.hash_algo = m->cfg.hash_algo;
        vc.ram_base = MACHINE_REALM_RAM_IPA;
        vc.ram_size = m->cfg.realm_ram;
        vc.image = image;
        vc.image_len = REALM_IMAGE_SIZE;
        vc.vmid = (uint16_t)(1 + i);
        vc.call_hook = machine_call_hook;
        vc.call_hook_ctx = m;
        vc.vdev_lookup = i == 0 ? machine_vdev_lookup : NULL;
        slot_rpv(m, i, s->rpv);
        memcpy(vc.rpv, s->rpv, sizeof(vc.rpv));
        struct ccada_realm_program prog = { .entry = realm_kernel_entry, .kernel = s->kernel };
        if (m->cfg.normal_vm)
                return host_vm_create_normal(s->vm, &vc, &prog);
        ccada_status st = host_vm_create_realm(s->vm, &vc);
        if (st == CCADA_OK && !rmm_bind_realm_program(m->rmm, host_vm_rd(s->vm), &prog))
                st = CCADA_E_STATE;
        return st;
}

ccada_status machine_boot(struct ccada_machine *m)
{
        uint8_t image[REALM_IMAGE_SIZE];
        if (m->booted)
                return CCADA_E_STATE;
        m->booted = true;
        ccada_status st = machine_image(m, image);
        if (st == CCADA_OK)
                st = machine_pdev_attest(m);    /* the host connects its device before the Realm */
        for (unsigned i = 0; i < m->nslots && st == CCADA_OK; i++) {
                struct slot_meter before = meter_now(m);
                st = slot_boot(m, i, image);
                meter_charge(m, &m->slot[i], &before);
        }
        if (st == CCADA_OK)
                st = machine_pdev_assign(m);    /* the Realm exists: the host assigns it the device */
        m->boot_status = st;
        return st;
}

ccada_status ccada_machine_measure(struct ccada_machine *m, uint8_t rim[64], size_t *len)
{
        if (m->cfg.normal_vm)
                return CCADA_E_STATE;
        ccada_status st = m->booted ? m->boot_status : machine_boot(m);
        if (st != CCADA_OK)
                return st;
        return rmm_realm_rim(m->rmm, host_vm_rd(m->slot[0].vm), rim, len) ? CCADA_OK : CCADA_E_STATE;
}

/* One REC entry of slot s and the honest host's handling of its exit. */
static ccada_status slot_step(struct ccada_machine *m, struct machine_slot *s)
{
        struct slot_meter before = meter_now(m);
        struct rmi_rec_exit x;
        ccada_status st = host_vm_enter_once(s->vm, &x);
        if (st == CCADA_OK)
                st = host_vm_handle_exit(s->vm, &x, &s->off);
        meter_charge(m, s, &before);
        return st;
}

/* The REC loops of every Realm, interleaved one entry each, until all are off. */
static ccada_status machine_loop(struct ccada_machine *m)
{
        ccada_status st = CCADA_OK;
        bool busy = true;
        while (busy && st == CCADA_OK) {
                busy = false;
                for (unsigned i = 0; i < m->nslots && st == CCADA_OK; i++) {
                        if (m->slot[i].off)
                                continue;
                        busy = true;
                        st = slot_step(m, &m->slot[i]);
                }
        }
        return st;
}

ccada_status ccada_machine_run(struct ccada_machine *m)
{
        if (m->ran)
                return CCADA_E_STATE;
        m->ran = true;
        ccada_status st = m->booted ? m->boot_status : machine_boot(m);
        if (st == CCADA_OK)
                st = m->cfg.normal_vm ? host_vm_run(m->slot[0].vm) : machine_loop(m);
        for (unsigned i = 0; i < m->nslots; i++)
                pl011_flush(&m->slot[i].uart);
        return st;
}

bool ccada_machine_finish_trace(struct ccada_machine *m)
{
        return trace_close(&m->trace);
}

/* Slot i's share of the machine-wide counters; with one Realm, the machine's totals (all
 * of them are its own, however the board was stepped). */
static struct slot_meter slot_counts(const struct ccada_machine *m, unsigned i)
{
        return m->nslots == 1 ? meter_now(m) : m->slot[i].meter;
}

/* The accesses the host served in one of the slot's MMIO regions: section "mmio/<name>". */
static void report_mmio_region(struct ccada_report *r, const struct host_mmio_dev *d)
{
        char name[64];
        snprintf(name, sizeof(name), "mmio/%s", d->name);
        struct ccada_report_section *sec = ccada_report_section(r, name);
        ccada_report_u64(sec, "reads", d->reads);
        ccada_report_u64(sec, "writes", d->writes);
}

/* What the host and the board saw of slot i, and the checks only they can make. */
static void slot_report_board(const struct ccada_machine *m, unsigned i, struct ccada_report *r)
{
        struct host_vm_stats hs;
        struct slot_meter c = slot_counts(m, i);
        struct ccada_report_section *top = ccada_report_section(r, "");
        struct ccada_report_value v;
        const char *first;
        host_vm_get_stats(m->slot[i].vm, &hs);
        ccada_report_text(top, "hash_algo", hash_alg_name(m->cfg.hash_algo == 1 ? HASH_SHA512 : HASH_SHA256));
        ccada_report_text(top, "vm", m->cfg.normal_vm ? "normal" : "realm");
        ccada_report_hex(top, "rpv", m->slot[i].rpv, sizeof(m->slot[i].rpv));
        char cmdline[REALM_IMAGE_CMDLINE_MAX];
        machine_cmdline(m, cmdline, sizeof(cmdline));
        ccada_report_text(top, "cmdline", cmdline);
        ccada_report_u64(top, "gpf", c.gpf);
        ccada_report_u64(top, "shared_pages", hs.shared_pages_peak);
        ccada_report_u64(top, "ripas_changes", hs.ripas_changes);
        ccada_report_u64(top, "rmi_calls", c.rmi_calls);
        ccada_report_u64(top, "rsi_calls", c.rsi_calls);
        uint64_t violations = rmm_violations(m->rmm, &first);
        ccada_report_u64(top, "violations", violations);
        ccada_report_text(top, "first_violation", first);
        if (!ccada_report_get(r, "", "error", &v))
                ccada_report_text(top, "error", ""); /* the key is always there */
        struct ccada_report_section *exits = ccada_report_section(r, "exits");
        for (unsigned e = 0; e <= RMI_EXIT_LAST; e++)
                if (e <= RMI_EXIT_SERROR || hs.exits[e]) /* DA's VDEV_REQUEST only when it happened */
                        ccada_report_u64(exits, rmi_exit_reason_name(e) + strlen("RMI_EXIT_"), hs.exits[e]);
        struct ccada_report_section *mmio = ccada_report_section(r, "mmio");
        ccada_report_u64(mmio, "reads", hs.mmio_reads);
        ccada_report_u64(mmio, "writes", hs.mmio_writes);
        const struct machine_slot *s = &m->slot[i];
        report_mmio_region(r, &s->uart.dev);
        report_mmio_region(r, &s->pci.ecam);
        report_mmio_region(r, &s->pci.window);
        for (unsigned d = 0; d < s->ndev; d++)
                if (s->dev[d].report)
                        s->dev[d].report(s->dev[d].obj, r);
        ccada_report_check(r, "powered_off", hs.powered_off);
        if (m->cfg.normal_vm)
                ccada_report_check(r, "not_a_realm", ccada_report_get(r, "", "is_realm", &v) && !v.b);
        ccada_report_check(r, "no_error", ccada_report_get(r, "", "error", &v) && !v.text[0]);
        ccada_report_check(r, "no_violations", violations == 0);
}

/* Slot i's whole report: the Realm's own, then the board's. */
static void slot_report(const struct ccada_machine *m, unsigned i, bool run_ok, struct ccada_report *r)
{
        ccada_report_check(r, "run_completed", run_ok);
        ccada_report_merge(r, realm_kernel_report(m->slot[i].kernel));
        slot_report_board(m, i, r);
}

bool machine_realm_passed(const struct ccada_machine *m, unsigned i)
{
        struct ccada_report *r;
        if (i >= m->nslots || ccada_report_create(&r) != CCADA_OK)
                return false;
        slot_report(m, i, true, r);
        bool passed = ccada_report_passed(r);
        ccada_report_destroy(r);
        return passed;
}

const struct ccada_report *machine_realm_report(const struct ccada_machine *m, unsigned i)
{
        return i < m->nslots ? realm_kernel_report(m->slot[i].kernel) : NULL;
}

void ccada_machine_report(const struct ccada_machine *m, bool run_ok, struct ccada_report *r)
{
        slot_report(m, 0, run_ok, r);
        machine_pdev_report(m, r);
        if (m->nslots > 1)
                ccada_report_check(r, "realm_b", machine_realm_passed(m, 1));
}

