/* Device memory in a Realm's stage 2 (RMM 2.0-beta as TF-RMM main realises it;
 * facts/spdm-tdisp-ide.md §7.3 step 8): RMI_RTT_DEV_MAP, RMI_RTT_DEV_UNMAP, the Realm's
 * RSI_VDEV_VALIDATE_MAPPING with its RMI_EXIT_VDEV_VALIDATE_MAPPING exit, the host's
 * RMI_RTT_DEV_VALIDATE, and the Realm's accesses to what it validated.
 *
 * The rig is tests/kit/da_rig.c: ccada-dev's PDEV brought to READY with its IDE stream, a VDEV
 * of the Realm through LOCK, report (and START), a REC running a tiny Realm program that does
 * one thing per request of the test (an RSI call, a single-register MMIO access, a bulk load
 * or copy) and goes back to the host (RSI_HOST_CALL) in between. ccada-dev's BAR0 is the
 * platform's device memory: the window's access function forwards each access to the device as
 * a T=1 request and records it, so what reached the device, at which PA, is seen independently
 * of the RMM. The RMM's invariants (device-memory ones included) are checked after every call
 * (rmm_harness). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "da_rig.h"
#include "device/blk_engine.h"
#include "proto/tdisp.h"
#include "rmm/tsm.h"
#include "rmm_harness.h"

#define BDF      DA_RIG_BDF
#define VDEV_ID  DA_RIG_VDEV_ID

/* Physical layout: the device window below the RMM's memory; BAR0 at its start; the VDEV's
 * second address range lies outside the window; the window's end is in no VDEV range. */
#define WIN       0x40000000ULL
#define WIN_SIZE  0x10000ULL
#define BAR       WIN
#define BAR_SIZE  0x4000ULL             /* PDEV_BAR0_SIZE */
#define WIN_SPARE (WIN + 0x8000)        /* in the window, in no range of the VDEV */
#define OUTSIDE   0x50000000ULL         /* in the VDEV's second range, outside the window */

/* The Realm's IPA layout: four DATA pages, RIPAS RAM up to H_RAM_TOP; device memory mapped at
 * IPA_DEV (RIPAS EMPTY there), all in the level-3 table over [0, 2 MiB). */
#define IPA_DATA   0x1000ULL
#define IPA_DMA    0x2000ULL
#define IPA_UNMAPPED_RAM 0x8000ULL      /* RIPAS RAM, no DATA */
#define IPA_DEV    0x100000ULL
#define NPAGES     4
#define PAGE       GRANULE_SIZE

struct fx;
typedef void (*answer_fn)(struct fx *f);

struct fx {
        struct host h;
        struct da_rig rig;                      /* ccada-dev, its PDEV and the current VDEV */
        struct rmi_vdev_params vdev_params;     /* the VDEV's: BAR0 and a range outside the window */
        struct hrealm realm, other;
        uint64_t rec, run;
        uint64_t data_pa[NPAGES];
        struct realm_kernel k;                  /* the Realm: da_rig_realm_program */
        uint64_t next_flags;                    /* RmiRecEntry.flags of the next REC_ENTER */
        /* the host's answers */
        answer_fn on_validate;                  /* to RMI_EXIT_VDEV_VALIDATE_MAPPING */
        answer_fn on_ripas;                     /* to RMI_EXIT_RIPAS_CHANGE */
        unsigned requests, validations, ripas_exits, aborts;
        uint64_t x_vdev_id, x_base, x_top, x_pa; /* the last validation exit, as the host read it */
        uint64_t validate_status;               /* the host's last RMI_RTT_DEV_VALIDATE */
        uint64_t complete_status;               /* its last RMI_VDEV_COMPLETE */
        /* what reached the device through the window */
        unsigned dev_calls;
        uint64_t dev_pa;
        unsigned dev_size;
        bool dev_write;
};

static void fail_test(const char *why)
{
        fail_msg("%s", why);
}

/* The platform's device memory: every access the RMM lets through goes to ccada-dev as a TEE
 * request (T=1); recorded. */
static bool dev_mmio(void *ctx, uint64_t pa, unsigned size, bool write, uint64_t *val)
{
        struct fx *f = ctx;
        f->dev_calls++;
        f->dev_pa = pa;
        f->dev_size = size;
        f->dev_write = write;
        enum pdev_mmio_status st = write ? pdev_mmio_write(f->rig.dev, pa, size, true, *val)
                                         : pdev_mmio_read(f->rig.dev, pa, size, true, val);
        return st == PDEV_MMIO_OK;
}

static void realm_up(struct fx *f)
{
        host_realm_new(&f->h, &f->realm);
        host_rtts_l3(&f->h, &f->realm, 0);
        host_init_ripas(&f->h, &f->realm, 0, H_RAM_TOP);
        for (unsigned i = 0; i < NPAGES; i++)
                f->data_pa[i] = host_data_create(&f->h, &f->realm, (uint64_t)i * GRANULE_SIZE, (uint8_t)(0x10 + i),
                                                 RMI_NO_MEASURE_CONTENT);
        f->rec = host_rec_create(&f->h, &f->realm, 0);
        host_activate(&f->h, &f->realm);
        assert_true(rmm_bind_realm_program(f->h.rmm, f->realm.rd, &(struct ccada_realm_program){
                                                   .entry = da_rig_realm_program, .kernel = &f->k }));
        f->run = host_run_alloc(&f->h);
        host_realm_new(&f->h, &f->other); /* NEW, with a level-3 table over [0, 2 MiB) */
        host_rtts_l3(&f->h, &f->other, 0);
}

/* ---- the host's answers to a validation ---- */

/* RMI_RTT_DEV_VALIDATE over [from, to) until done or refused; the last status kept. */
static void dev_validate(struct fx *f, uint64_t from, uint64_t to)
{
        struct smc_regs out;
        while (from < to) {
                f->validate_status = rmi(&f->h, RMI_RTT_DEV_VALIDATE, f->realm.rd, f->rec, from, to, 0, &out);
                if (f->validate_status != RMI_SUCCESS)
                        return;
                assert_true(out.x[1] > from && out.x[1] <= to);
                from = out.x[1];
        }
}

static void validate_all(struct fx *f)
{
        dev_validate(f, f->x_base, f->x_top);
}

static void validate_first_page_then_reject(struct fx *f)
{
        dev_validate(f, f->x_base, f->x_base + PAGE);
        f->next_flags = RMI_REC_ENTRY_FLAG_DEV_MEM_RESPONSE;
}

static void validate_first_page_only(struct fx *f)
{
        dev_validate(f, f->x_base, f->x_base + PAGE);
}

static void validate_all_then_reject(struct fx *f)
{
        validate_all(f);
        f->next_flags = RMI_REC_ENTRY_FLAG_DEV_MEM_RESPONSE;
}

static void reject_without_validating(struct fx *f)
{
        f->next_flags = RMI_REC_ENTRY_FLAG_DEV_MEM_RESPONSE;
}

static void no_answer(struct fx *f)
{
        (void)f;
}

static int setup(void **state)
{
        struct fx *f = calloc(1, sizeof(*f));
        assert_non_null(f);
        host_init_da(&f->h);
        f->on_validate = validate_all;
        f->on_ripas = no_answer;
        da_rig_init(&f->rig, &(struct da_rig_config){ .mem = f->h.mem, .rmm = f->h.rmm, .seed = "dev-mem",
                                                      .ns_base = host_alloc_n(&f->h, 512), .ns_granules = 512,
                                                      .trust_root = true, .smmu = true, .fail = fail_test });
        /* the host programs BAR0 and enables memory space before anything is locked */
        hw_pcie_cfg_write(&f->rig.pcie, BDF, 0x10, 4, (uint32_t)BAR);
        hw_pcie_cfg_write(&f->rig.pcie, BDF, 0x14, 4, (uint32_t)(BAR >> 32));
        hw_pcie_cfg_write(&f->rig.pcie, BDF, 0x04, 2, 0x0006);
        assert_true(rmm_platform_dev_mem(f->h.rmm, WIN, WIN_SIZE, dev_mmio, f));
        /* the VDEV's address ranges: BAR0 and [OUTSIDE, OUTSIDE + BAR_SIZE) */
        da_rig_vdev_params_default(&f->vdev_params);
        f->vdev_params.num_addr_range = 2;
        f->vdev_params.range[0].base = BAR;
        f->vdev_params.range[0].top = BAR + BAR_SIZE;
        f->vdev_params.range[1].base = OUTSIDE;
        f->vdev_params.range[1].top = OUTSIDE + BAR_SIZE;
        da_rig_pdev_ready_with_stream(&f->rig);
        realm_up(f);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fx *f = *state;
        da_rig_fini(&f->rig);
        host_fini(&f->h);
        free(f);
        return 0;
}

/* ---- the VDEV ---- */

static void vdev_locked_reported(struct fx *f)
{
        da_rig_vdev_locked_reported(&f->rig, f->realm.rd, &f->vdev_params);
}

static void vdev_started(struct fx *f)
{
        da_rig_vdev_started(&f->rig, f->realm.rd, &f->vdev_params);
}

/* ---- the Realm ---- */

/* Runs the Realm's current request to its end, answering each exit on the way. */
static void realm_run(struct fx *f)
{
        unsigned before = f->k.done;
        f->k.has_cmd = true;
        for (unsigned i = 0; i < 16; i++) {
                run_set_flags(&f->h, f->run, f->next_flags);
                f->next_flags = 0;
                assert_int_equal(host_rec_enter(&f->h, f->rec, f->run), RMI_SUCCESS);
                switch (run_exit_reason(&f->h, f->run)) {
                case RMI_EXIT_HOST_CALL:
                        assert_int_equal(f->k.done, before + 1);
                        return;
                case RMI_EXIT_VDEV_REQUEST:
                        f->requests++;
                        f->complete_status = rmi(&f->h, RMI_VDEV_COMPLETE, f->rec, f->rig.vdev, 0, 0, 0, NULL);
                        break;
                case RMI_EXIT_VDEV_VALIDATE_MAPPING:
                        f->validations++;
                        f->x_vdev_id = run_exit_u64(&f->h, f->run, RMI_REC_EXIT_VDEV_ID_1);
                        f->x_base = run_exit_u64(&f->h, f->run, RMI_REC_EXIT_DEV_MEM_BASE);
                        f->x_top = run_exit_u64(&f->h, f->run, RMI_REC_EXIT_DEV_MEM_TOP);
                        f->x_pa = run_exit_u64(&f->h, f->run, RMI_REC_EXIT_DEV_MEM_PA);
                        f->on_validate(f);
                        break;
                case RMI_EXIT_RIPAS_CHANGE:
                        f->ripas_exits++;
                        f->on_ripas(f);
                        break;
                case RMI_EXIT_SYNC: /* a stage-2 fault: the host has nothing to map, so an SEA */
                        f->aborts++;
                        f->next_flags = RMI_REC_ENTRY_FLAG_INJECT_SEA;
                        break;
                default:
                        fail_msg("unexpected exit %llu", (unsigned long long)run_exit_reason(&f->h, f->run));
                }
        }
        fail_msg("the Realm's request did not finish");
}

static uint64_t realm_smc(struct fx *f, uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                          uint64_t a5, uint64_t a6, uint64_t a7, uint64_t a8)
{
        f->k.op = DA_SMC;
        f->k.in = (struct smc_regs){ .x = { fid, a1, a2, a3, a4, a5, a6, a7, a8 } };
        realm_run(f);
        return f->k.out.x[0];
}

static enum cpu_result realm_mmio_read(struct fx *f, uint64_t ipa, unsigned size, uint64_t *val)
{
        f->k.op = DA_MMIO_READ;
        f->k.ipa = ipa;
        f->k.size = size;
        f->k.val = 0xDEAD;
        realm_run(f);
        *val = f->k.val;
        return f->k.res;
}

static enum cpu_result realm_mmio_write(struct fx *f, uint64_t ipa, unsigned size, uint64_t val)
{
        f->k.op = DA_MMIO_WRITE;
        f->k.ipa = ipa;
        f->k.size = size;
        f->k.val = val;
        realm_run(f);
        return f->k.res;
}

static enum cpu_result realm_load(struct fx *f, uint64_t ipa)
{
        f->k.op = DA_LOAD;
        f->k.ipa = ipa;
        realm_run(f);
        return f->k.res;
}

static enum cpu_result realm_copy(struct fx *f, uint64_t dst, uint64_t src)
{
        f->k.op = DA_COPY;
        f->k.ipa = src;
        f->k.ipa2 = dst;
        realm_run(f);
        return f->k.res;
}

static void nonces(struct fx *f, uint64_t *lock, uint64_t *report)
{
        struct rmm_vdev_info vi;
        assert_true(rmm_vdev_info(f->h.rmm, f->rig.vdev, &vi));
        *lock = vi.lock_nonce;
        *report = vi.report_nonce;
}

/* RSI_VDEV_VALIDATE_MAPPING of [base, top) -> pa with the nonces the RMM has now. */
static uint64_t validate_mapping(struct fx *f, uint64_t base, uint64_t top, uint64_t pa)
{
        uint64_t lock, report;
        nonces(f, &lock, &report);
        return realm_smc(f, RSI_VDEV_VALIDATE_MAPPING, VDEV_ID, base, top, pa, 0, lock, 0, report);
}

/* ---- the host's commands ---- */

static uint64_t dev_map(struct fx *f, uint64_t base, uint64_t top, uint64_t oaddr, struct smc_regs *out)
{
        return da_rig_rmi(&f->rig, RMI_RTT_DEV_MAP, f->realm.rd, f->rig.vdev, base, top, RMI_ADDR_TYPE_SINGLE,
                          oaddr, out);
}

static void dev_map_ok(struct fx *f, uint64_t base, uint64_t top, uint64_t oaddr)
{
        struct smc_regs out;
        assert_int_equal(dev_map(f, base, top, oaddr, &out), RMI_SUCCESS);
        assert_int_equal(out.x[1], top);
}

static uint64_t dev_unmap(struct fx *f, uint64_t base, uint64_t top, struct smc_regs *out)
{
        return rmi(&f->h, RMI_RTT_DEV_UNMAP, f->realm.rd, base, top, 0, 0, out);
}

/* RTT_READ_ENTRY at level 3: state, output address, RIPAS. */
static void entry(struct fx *f, const struct hrealm *r, uint64_t ipa, uint64_t *st, uint64_t *addr, uint64_t *ripas)
{
        struct smc_regs out;
        assert_int_equal(rmi(&f->h, RMI_RTT_READ_ENTRY, r->rd, ipa, 3, 0, 0, &out), RMI_SUCCESS);
        assert_int_equal(out.x[1], 3);
        *st = out.x[2];
        *addr = out.x[3];
        *ripas = out.x[4];
}

static void assert_entry(struct fx *f, uint64_t ipa, uint64_t st, uint64_t addr, uint64_t ripas)
{
        uint64_t s, a, rp;
        entry(f, &f->realm, ipa, &s, &a, &rp);
        assert_int_equal(s, st);
        assert_int_equal(a, addr);
        assert_int_equal(rp, ripas);
}

/* ---- the whole path ---- */

static void dev_map_then_validate_then_register_accesses_reach_the_device_as_tee_requests(void **state)
{
        struct fx *f = *state;
        uint64_t v = 0;
        vdev_started(f);
        dev_map_ok(f, IPA_DEV, IPA_DEV + BAR_SIZE, BAR);
        for (uint64_t off = 0; off < BAR_SIZE; off += PAGE)
                assert_entry(f, IPA_DEV + off, RMI_ASSIGNED_DEV, BAR + off, RMI_EMPTY);
        /* before the Realm validated it: an SEA, nothing reaches the device */
        assert_int_equal(realm_mmio_read(f, IPA_DEV + BLK_REG_ID, 4, &v), CPU_SEA);
        assert_int_equal(f->dev_calls, 0);
        /* the Realm validates: one exit naming the range, the device PA and its vdev_id */
        assert_int_equal(validate_mapping(f, IPA_DEV, IPA_DEV + BAR_SIZE, BAR), RSI_SUCCESS);
        assert_int_equal(f->k.out.x[1], IPA_DEV + BAR_SIZE);
        assert_int_equal(f->k.out.x[2], RSI_ACCEPT);
        assert_int_equal(f->requests, 1);
        assert_int_equal(f->validations, 1);
        assert_int_equal(f->x_vdev_id, VDEV_ID);
        assert_int_equal(f->x_base, IPA_DEV);
        assert_int_equal(f->x_top, IPA_DEV + BAR_SIZE);
        assert_int_equal(f->x_pa, BAR);
        for (uint64_t off = 0; off < BAR_SIZE; off += PAGE)
                assert_entry(f, IPA_DEV + off, RMI_ASSIGNED_DEV, BAR + off, RMI_DEV);
        /* RSI_IPA_STATE_GET tells the Realm it is device memory */
        assert_int_equal(realm_smc(f, RSI_IPA_STATE_GET, IPA_DEV, IPA_DEV + 2 * BAR_SIZE, 0, 0, 0, 0, 0, 0),
                         RSI_SUCCESS);
        assert_int_equal(f->k.out.x[1], IPA_DEV + BAR_SIZE);
        assert_int_equal(f->k.out.x[2], RSI_RIPAS_DEV);
        /* a register read reaches the device at the mapped PA, and the device (RUN) took it
         * as a TEE request: it answers T=1 only */
        assert_int_equal(realm_mmio_read(f, IPA_DEV + BLK_REG_ID, 4, &v), CPU_OK);
        assert_int_equal(v, BLK_ID);
        assert_int_equal(f->dev_calls, 1);
        assert_int_equal(f->dev_pa, BAR + BLK_REG_ID);
        assert_int_equal(f->dev_size, 4);
        assert_false(f->dev_write);
        uint64_t rejected = pdev_dma_stats(f->rig.dev)->mmio_rejected;
        assert_int_equal(realm_mmio_write(f, IPA_DEV + BLK_REG_RING_ENTRIES, 4, 8), CPU_OK);
        assert_int_equal(f->dev_pa, BAR + BLK_REG_RING_ENTRIES);
        assert_true(f->dev_write);
        assert_int_equal(realm_mmio_read(f, IPA_DEV + BLK_REG_RING_ENTRIES, 4, &v), CPU_OK);
        assert_int_equal(v, 8);
        assert_int_equal(pdev_dma_stats(f->rig.dev)->mmio_rejected, rejected);
        assert_int_equal(f->aborts, 0);
        /* bulk accesses to device memory: an SEA, nothing reaches the device */
        unsigned calls = f->dev_calls;
        assert_int_equal(realm_load(f, IPA_DEV), CPU_SEA);
        assert_int_equal(realm_copy(f, IPA_DATA, IPA_DEV), CPU_SEA);
        assert_int_equal(realm_copy(f, IPA_DEV, IPA_DATA), CPU_SEA);
        assert_int_equal(f->dev_calls, calls);
        /* the host takes it away: DESTROYED, and the Realm's access faults to the host (which
         * injects an SEA) without reaching the device */
        struct smc_regs out;
        assert_int_equal(dev_unmap(f, IPA_DEV, IPA_DEV + BAR_SIZE, &out), RMI_SUCCESS);
        assert_int_equal(out.x[1], IPA_DEV + BAR_SIZE);
        for (uint64_t off = 0; off < BAR_SIZE; off += PAGE)
                assert_entry(f, IPA_DEV + off, RMI_UNASSIGNED, 0, RMI_DESTROYED);
        assert_int_equal(realm_mmio_read(f, IPA_DEV + BLK_REG_ID, 4, &v), CPU_SEA);
        assert_int_equal(f->aborts, 1);
        assert_int_equal(f->dev_calls, calls);
}

static void a_device_that_does_not_complete_the_request_gives_the_realm_an_sea(void **state)
{
        struct fx *f = *state;
        uint64_t v = 0;
        vdev_locked_reported(f);                /* LOCKED: the TDI takes no MMIO yet */
        dev_map_ok(f, IPA_DEV, IPA_DEV + PAGE, BAR);
        assert_int_equal(validate_mapping(f, IPA_DEV, IPA_DEV + PAGE, BAR), RSI_SUCCESS);
        assert_int_equal(f->k.out.x[2], RSI_ACCEPT);
        assert_int_equal(realm_mmio_read(f, IPA_DEV + BLK_REG_ID, 4, &v), CPU_SEA);
        assert_int_equal(f->dev_calls, 1);
        assert_int_equal(f->dev_pa, BAR + BLK_REG_ID);
        da_rig_vdev_op(&f->rig, RMI_VDEV_START);             /* RUN: the same access completes */
        assert_int_equal(realm_mmio_read(f, IPA_DEV + BLK_REG_ID, 4, &v), CPU_OK);
        assert_int_equal(v, BLK_ID);
}

/* ---- the host's answer ---- */

static void a_partial_validation_then_reject_returns_the_progress_and_reject(void **state)
{
        struct fx *f = *state;
        vdev_started(f);
        dev_map_ok(f, IPA_DEV, IPA_DEV + BAR_SIZE, BAR);
        f->on_validate = validate_first_page_then_reject;
        assert_int_equal(validate_mapping(f, IPA_DEV, IPA_DEV + BAR_SIZE, BAR), RSI_SUCCESS);
        assert_int_equal(f->k.out.x[1], IPA_DEV + PAGE);
        assert_int_equal(f->k.out.x[2], RSI_REJECT);
        assert_entry(f, IPA_DEV, RMI_ASSIGNED_DEV, BAR, RMI_DEV);
        assert_entry(f, IPA_DEV + PAGE, RMI_ASSIGNED_DEV, BAR + PAGE, RMI_EMPTY);
        /* the validation is over: the host can no longer validate the rest */
        assert_int_equal(rmi(&f->h, RMI_RTT_DEV_VALIDATE, f->realm.rd, f->rec, IPA_DEV + PAGE, IPA_DEV + BAR_SIZE, 0,
                             NULL),
                         RMI_ERROR_INPUT);
}

static void a_partial_validation_without_reject_returns_the_progress_and_accept(void **state)
{
        struct fx *f = *state;
        vdev_started(f);
        dev_map_ok(f, IPA_DEV, IPA_DEV + BAR_SIZE, BAR);
        f->on_validate = validate_first_page_only;
        assert_int_equal(validate_mapping(f, IPA_DEV, IPA_DEV + BAR_SIZE, BAR), RSI_SUCCESS);
        assert_int_equal(f->k.out.x[1], IPA_DEV + PAGE);
        assert_int_equal(f->k.out.x[2], RSI_ACCEPT);
        /* the Realm goes on from where it stopped */
        f->on_validate = validate_all;
        assert_int_equal(validate_mapping(f, IPA_DEV + PAGE, IPA_DEV + BAR_SIZE, BAR + PAGE), RSI_SUCCESS);
        assert_int_equal(f->k.out.x[1], IPA_DEV + BAR_SIZE);
        assert_entry(f, IPA_DEV + BAR_SIZE - PAGE, RMI_ASSIGNED_DEV, BAR + BAR_SIZE - PAGE, RMI_DEV);
}

static void a_reject_after_a_whole_validation_is_still_accept(void **state)
{
        struct fx *f = *state;
        vdev_started(f);
        dev_map_ok(f, IPA_DEV, IPA_DEV + 2 * PAGE, BAR);
        f->on_validate = validate_all_then_reject;
        assert_int_equal(validate_mapping(f, IPA_DEV, IPA_DEV + 2 * PAGE, BAR), RSI_SUCCESS);
        assert_int_equal(f->k.out.x[1], IPA_DEV + 2 * PAGE);
        assert_int_equal(f->k.out.x[2], RSI_ACCEPT);
        f->on_validate = reject_without_validating;
        assert_int_equal(validate_mapping(f, IPA_DEV, IPA_DEV + 2 * PAGE, BAR), RSI_SUCCESS);
        assert_int_equal(f->k.out.x[1], IPA_DEV);
        assert_int_equal(f->k.out.x[2], RSI_REJECT);
}

static void dev_validate_of_a_mapping_to_another_pa_makes_no_progress(void **state)
{
        struct fx *f = *state;
        uint64_t v;
        vdev_started(f);
        dev_map_ok(f, IPA_DEV, IPA_DEV + 2 * PAGE, BAR);
        f->on_validate = validate_all_then_reject;
        /* the Realm expects BAR + 1 page at IPA_DEV: the host mapped BAR there */
        assert_int_equal(validate_mapping(f, IPA_DEV, IPA_DEV + 2 * PAGE, BAR + PAGE), RSI_SUCCESS);
        assert_int_equal(f->validate_status, RMI_RETURN(RMI_ERROR_RTT, 3));
        assert_int_equal(f->k.out.x[1], IPA_DEV);
        assert_int_equal(f->k.out.x[2], RSI_REJECT);
        assert_entry(f, IPA_DEV, RMI_ASSIGNED_DEV, BAR, RMI_EMPTY);
        assert_int_equal(realm_mmio_read(f, IPA_DEV + BLK_REG_ID, 4, &v), CPU_SEA);
        assert_int_equal(f->dev_calls, 0);
}

static void dev_validate_stops_at_the_first_entry_that_does_not_map_the_expected_pa(void **state)
{
        struct fx *f = *state;
        vdev_started(f);
        dev_map_ok(f, IPA_DEV, IPA_DEV + PAGE, BAR);
        dev_map_ok(f, IPA_DEV + PAGE, IPA_DEV + 2 * PAGE, BAR + 2 * PAGE); /* a hole in the PAs */
        f->on_validate = validate_all;
        assert_int_equal(validate_mapping(f, IPA_DEV, IPA_DEV + 2 * PAGE, BAR), RSI_SUCCESS);
        assert_int_equal(f->validate_status, RMI_RETURN(RMI_ERROR_RTT, 3)); /* the second call, at the hole */
        assert_int_equal(f->k.out.x[1], IPA_DEV + PAGE);
        assert_int_equal(f->k.out.x[2], RSI_ACCEPT);
        assert_entry(f, IPA_DEV + PAGE, RMI_ASSIGNED_DEV, BAR + 2 * PAGE, RMI_EMPTY);
}

/* Answers the validation with every bad argument first, then validates. */
static void bad_validates_then_all(struct fx *f)
{
        uint64_t rd = f->realm.rd, rec = f->rec, b = f->x_base, t = f->x_top;
        struct host *h = &f->h;
        assert_int_equal(rmi(h, RMI_RTT_DEV_VALIDATE, rd, rec, b + PAGE, t, 0, NULL), RMI_ERROR_INPUT); /* base */
        assert_int_equal(rmi(h, RMI_RTT_DEV_VALIDATE, rd, rec, b, t + PAGE, 0, NULL), RMI_ERROR_INPUT); /* top */
        assert_int_equal(rmi(h, RMI_RTT_DEV_VALIDATE, rd, rec, b, b, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(h, RMI_RTT_DEV_VALIDATE, rd, rec, b, t - 1, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(h, RMI_RTT_DEV_VALIDATE, f->other.rd, rec, b, t, 0, NULL), RMI_ERROR_REC);
        assert_int_equal(rmi(h, RMI_RTT_DEV_VALIDATE, rd + PAGE, rec, b, t, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(h, RMI_RTT_DEV_VALIDATE, rd, f->rig.vdev, b, t, 0, NULL), RMI_ERROR_INPUT);
        validate_all(f);
}

static void dev_validate_refuses_bad_arguments_and_a_rec_not_waiting(void **state)
{
        struct fx *f = *state;
        vdev_started(f);
        dev_map_ok(f, IPA_DEV, IPA_DEV + 2 * PAGE, BAR);
        /* no validation in progress */
        assert_int_equal(rmi(&f->h, RMI_RTT_DEV_VALIDATE, f->realm.rd, f->rec, IPA_DEV, IPA_DEV + PAGE, 0, NULL),
                         RMI_ERROR_INPUT);
        f->on_validate = bad_validates_then_all;
        assert_int_equal(validate_mapping(f, IPA_DEV, IPA_DEV + 2 * PAGE, BAR), RSI_SUCCESS);
        assert_int_equal(f->k.out.x[1], IPA_DEV + 2 * PAGE);
}

/* ---- the Realm's checks ---- */

static void validate_mapping_with_a_stale_nonce_fails_device_without_an_exit(void **state)
{
        struct fx *f = *state;
        uint64_t lock, report;
        vdev_locked_reported(f);
        dev_map_ok(f, IPA_DEV, IPA_DEV + PAGE, BAR);
        nonces(f, &lock, &report);
        da_rig_vdev_op(&f->rig, RMI_VDEV_GET_INTERFACE_REPORT); /* re-reported */
        assert_int_equal(realm_smc(f, RSI_VDEV_VALIDATE_MAPPING, VDEV_ID, IPA_DEV, IPA_DEV + PAGE, BAR, 0, lock, 0,
                                   report),
                         RSI_ERROR_DEVICE);
        assert_int_equal(realm_smc(f, RSI_VDEV_VALIDATE_MAPPING, VDEV_ID, IPA_DEV, IPA_DEV + PAGE, BAR, 0, lock, 1,
                                   report + 1),
                         RSI_ERROR_DEVICE);      /* a measurement nonce ccada never gave */
        da_rig_vdev_op(&f->rig, RMI_VDEV_UNLOCK);
        da_rig_vdev_op(&f->rig, RMI_VDEV_LOCK);              /* re-locked */
        da_rig_vdev_op(&f->rig, RMI_VDEV_GET_INTERFACE_REPORT);
        assert_int_equal(realm_smc(f, RSI_VDEV_VALIDATE_MAPPING, VDEV_ID, IPA_DEV, IPA_DEV + PAGE, BAR, 0, lock, 0,
                                   report + 2),
                         RSI_ERROR_DEVICE);
        assert_int_equal(f->validations, 0);
        assert_entry(f, IPA_DEV, RMI_ASSIGNED_DEV, BAR, RMI_EMPTY);
        assert_int_equal(validate_mapping(f, IPA_DEV, IPA_DEV + PAGE, BAR), RSI_SUCCESS); /* current ones */
        assert_int_equal(f->validations, 1);
}

static void validate_mapping_refuses_bad_arguments_without_an_exit(void **state)
{
        struct fx *f = *state;
        uint64_t lock, report;
        vdev_started(f);
        dev_map_ok(f, IPA_DEV, IPA_DEV + PAGE, BAR);
        nonces(f, &lock, &report);
#define VM(b, t, pa, fl) realm_smc(f, RSI_VDEV_VALIDATE_MAPPING, VDEV_ID, b, t, pa, fl, lock, 0, report)
        assert_int_equal(VM(IPA_DEV + 1, IPA_DEV + PAGE, BAR, 0), RSI_ERROR_INPUT);
        assert_int_equal(VM(IPA_DEV, IPA_DEV + PAGE + 1, BAR, 0), RSI_ERROR_INPUT);
        assert_int_equal(VM(IPA_DEV, IPA_DEV + PAGE, BAR + 1, 0), RSI_ERROR_INPUT);
        assert_int_equal(VM(IPA_DEV, IPA_DEV, BAR, 0), RSI_ERROR_INPUT);
        assert_int_equal(VM(IPA_DEV + PAGE, IPA_DEV, BAR, 0), RSI_ERROR_INPUT);
        assert_int_equal(VM(H_UNPROT_BASE, H_UNPROT_BASE + PAGE, BAR, 0), RSI_ERROR_INPUT);
        assert_int_equal(VM(IPA_DEV, IPA_DEV + PAGE, BAR, 1), RSI_ERROR_INPUT); /* shared */
        assert_int_equal(VM(IPA_DEV, IPA_DEV + PAGE, BAR, 2), RSI_ERROR_INPUT); /* coherent */
        assert_int_equal(VM(IPA_DEV, IPA_DEV + 2 * PAGE, UINT64_MAX - PAGE + 1, 0), RSI_ERROR_INPUT); /* wraps */
        assert_int_equal(f->requests, 0);
        /* an id the host resolves to nothing: asked, then refused */
        assert_int_equal(realm_smc(f, RSI_VDEV_VALIDATE_MAPPING, VDEV_ID + 1, IPA_DEV, IPA_DEV + PAGE, BAR, 0, lock,
                                   0, report),
                         RSI_ERROR_INPUT);
        assert_int_equal(f->complete_status, RMI_ERROR_INPUT); /* the host's VDEV is not that id */
        assert_int_equal(f->validations, 0);
#undef VM
}

static void validate_mapping_of_an_unlocked_vdev_fails_input(void **state)
{
        struct fx *f = *state;
        vdev_started(f);
        dev_map_ok(f, IPA_DEV, IPA_DEV + PAGE, BAR);
        da_rig_vdev_op(&f->rig, RMI_VDEV_UNLOCK);
        assert_int_equal(validate_mapping(f, IPA_DEV, IPA_DEV + PAGE, BAR), RSI_ERROR_INPUT);
        assert_int_equal(f->requests, 1);
        assert_int_equal(f->validations, 0);
}

/* ---- RMI_RTT_DEV_MAP ---- */

static void dev_map_refuses_a_device_pa_already_mapped(void **state)
{
        struct fx *f = *state;
        struct smc_regs out;
        vdev_started(f);
        dev_map_ok(f, IPA_DEV, IPA_DEV + 2 * PAGE, BAR);
        assert_int_equal(dev_map(f, IPA_DEV + 0x10000, IPA_DEV + 0x10000 + PAGE, BAR + PAGE, &out), RMI_ERROR_INPUT);
        assert_int_equal(dev_map(f, IPA_DEV + 0x10000, IPA_DEV + 0x10000 + 4 * PAGE, BAR, &out), RMI_ERROR_INPUT);
        assert_entry(f, IPA_DEV + 0x10000, RMI_UNASSIGNED, 0, RMI_EMPTY);
        /* once unmapped, the PA may be mapped again */
        assert_int_equal(dev_unmap(f, IPA_DEV, IPA_DEV + 2 * PAGE, &out), RMI_SUCCESS);
        dev_map_ok(f, IPA_DEV + 0x10000, IPA_DEV + 0x10000 + PAGE, BAR + PAGE);
}

static void dev_map_refuses_a_pa_outside_the_window_or_the_vdev_ranges(void **state)
{
        struct fx *f = *state;
        struct smc_regs out;
        vdev_started(f);
        assert_int_equal(dev_map(f, IPA_DEV, IPA_DEV + PAGE, OUTSIDE, &out), RMI_ERROR_INPUT);   /* not the window */
        assert_int_equal(dev_map(f, IPA_DEV, IPA_DEV + PAGE, WIN_SPARE, &out), RMI_ERROR_INPUT); /* no range */
        assert_int_equal(dev_map(f, IPA_DEV, IPA_DEV + 2 * PAGE, BAR + BAR_SIZE - PAGE, &out),
                         RMI_ERROR_INPUT);      /* runs past the range */
        assert_int_equal(dev_map(f, IPA_DEV, IPA_DEV + PAGE, H_MEM_BASE, &out), RMI_ERROR_INPUT); /* DRAM */
        assert_entry(f, IPA_DEV, RMI_UNASSIGNED, 0, RMI_EMPTY);
        assert_int_equal(f->dev_calls, 0);
}

static void dev_map_refuses_bad_arguments(void **state)
{
        struct fx *f = *state;
        uint64_t rd = f->realm.rd, vd;
        struct smc_regs out;
        vdev_locked_reported(f);
        vd = f->rig.vdev;
#define MAP(r, v, b, t, fl, oa) da_rig_rmi(&f->rig, RMI_RTT_DEV_MAP, r, v, b, t, fl, oa, &out)
        assert_int_equal(MAP(rd + PAGE, vd, IPA_DEV, IPA_DEV + PAGE, 1, BAR), RMI_ERROR_INPUT);
        assert_int_equal(MAP(rd, vd + PAGE, IPA_DEV, IPA_DEV + PAGE, 1, BAR), RMI_ERROR_INPUT);
        assert_int_equal(MAP(rd, f->rec, IPA_DEV, IPA_DEV + PAGE, 1, BAR), RMI_ERROR_INPUT);
        assert_int_equal(MAP(f->other.rd, vd, IPA_DEV, IPA_DEV + PAGE, 1, BAR), RMI_ERROR_INPUT); /* its Realm's only */
        assert_int_equal(MAP(rd, vd, IPA_DEV + 1, IPA_DEV + PAGE, 1, BAR), RMI_ERROR_INPUT);
        assert_int_equal(MAP(rd, vd, IPA_DEV, IPA_DEV + PAGE + 1, 1, BAR), RMI_ERROR_INPUT);
        assert_int_equal(MAP(rd, vd, IPA_DEV, IPA_DEV, 1, BAR), RMI_ERROR_INPUT);
        assert_int_equal(MAP(rd, vd, IPA_DEV + PAGE, IPA_DEV, 1, BAR), RMI_ERROR_INPUT);
        assert_int_equal(MAP(rd, vd, H_UNPROT_BASE, H_UNPROT_BASE + PAGE, 1, BAR), RMI_ERROR_INPUT);
        assert_int_equal(MAP(rd, vd, H_UNPROT_BASE - PAGE, H_UNPROT_BASE + PAGE, 1, BAR), RMI_ERROR_INPUT);
        assert_int_equal(MAP(rd, vd, IPA_DEV, IPA_DEV + PAGE, 0, BAR), RMI_ERROR_INPUT);
        assert_int_equal(MAP(rd, vd, IPA_DEV, IPA_DEV + PAGE, 2, BAR), RMI_ERROR_INPUT);
        assert_int_equal(MAP(rd, vd, IPA_DEV, IPA_DEV + PAGE, 1 | 4, BAR), RMI_ERROR_INPUT);
        assert_int_equal(MAP(rd, vd, IPA_DEV, IPA_DEV + PAGE, 1, BAR + 8), RMI_ERROR_INPUT);
        /* no level-3 table: the level the walk reached */
        assert_int_equal(MAP(rd, vd, 0x40000000, 0x40000000 + PAGE, 1, BAR), RMI_RETURN(RMI_ERROR_RTT, 1));
        assert_int_equal(MAP(rd, vd, 0x200000, 0x200000 + PAGE, 1, BAR), RMI_RETURN(RMI_ERROR_RTT, 2));
        /* an entry that is not UNASSIGNED and EMPTY */
        assert_int_equal(MAP(rd, vd, IPA_DATA, IPA_DATA + PAGE, 1, BAR), RMI_RETURN(RMI_ERROR_RTT, 3));
        assert_int_equal(MAP(rd, vd, IPA_UNMAPPED_RAM, IPA_UNMAPPED_RAM + PAGE, 1, BAR), RMI_RETURN(RMI_ERROR_RTT, 3));
        assert_entry(f, IPA_UNMAPPED_RAM, RMI_UNASSIGNED, 0, RMI_RAM);
        /* not LOCKED or STARTED */
        da_rig_vdev_op(&f->rig, RMI_VDEV_UNLOCK);
        assert_int_equal(MAP(rd, vd, IPA_DEV, IPA_DEV + PAGE, 1, BAR), RMI_ERROR_DEVICE);
        assert_entry(f, IPA_DEV, RMI_UNASSIGNED, 0, RMI_EMPTY);
#undef MAP
}

static void dev_map_stops_at_a_used_entry_or_the_end_of_the_table(void **state)
{
        struct fx *f = *state;
        struct smc_regs out;
        vdev_started(f);
        /* RIPAS RAM at base: nothing mapped */
        assert_int_equal(dev_map(f, H_RAM_TOP - 2 * PAGE, H_RAM_TOP, BAR, &out), RMI_RETURN(RMI_ERROR_RTT, 3));
        assert_entry(f, H_RAM_TOP - 2 * PAGE, RMI_UNASSIGNED, 0, RMI_RAM);
        (void)host_rtt_create(&f->h, &f->realm, 0x200000, 3);
        assert_int_equal(dev_map(f, 0x200000 - PAGE, 0x200000 + PAGE, BAR, &out), RMI_SUCCESS);
        assert_int_equal(out.x[1], 0x200000);   /* the end of the level-3 table */
        assert_entry(f, 0x200000 - PAGE, RMI_ASSIGNED_DEV, BAR, RMI_EMPTY);
        assert_entry(f, 0x200000, RMI_UNASSIGNED, 0, RMI_EMPTY);
        dev_map_ok(f, 0x200000, 0x200000 + PAGE, BAR + PAGE); /* the host goes on */
        assert_int_equal(dev_unmap(f, 0x200000 - PAGE, 0x200000, &out), RMI_SUCCESS);
        assert_int_equal(dev_unmap(f, 0x200000, 0x200000 + PAGE, &out), RMI_SUCCESS);
        dev_map_ok(f, IPA_DEV + PAGE, IPA_DEV + 2 * PAGE, BAR + 2 * PAGE);
        assert_int_equal(dev_map(f, IPA_DEV, IPA_DEV + 2 * PAGE, BAR, &out), RMI_SUCCESS);
        assert_int_equal(out.x[1], IPA_DEV + PAGE); /* stopped at the entry mapped already */
        assert_entry(f, IPA_DEV, RMI_ASSIGNED_DEV, BAR, RMI_EMPTY);
        assert_entry(f, IPA_DEV + PAGE, RMI_ASSIGNED_DEV, BAR + 2 * PAGE, RMI_EMPTY);
}

/* ---- RMI_RTT_DEV_UNMAP ---- */

static void dev_unmap_keeps_empty_unvalidated_entries_and_stops_at_what_is_not_device_memory(void **state)
{
        struct fx *f = *state;
        struct smc_regs out;
        vdev_started(f);
        dev_map_ok(f, IPA_DEV, IPA_DEV + 2 * PAGE, BAR);
        f->on_validate = validate_first_page_only;
        assert_int_equal(validate_mapping(f, IPA_DEV, IPA_DEV + 2 * PAGE, BAR), RSI_SUCCESS);
        assert_int_equal(dev_unmap(f, IPA_DEV, IPA_DEV + 4 * PAGE, &out), RMI_SUCCESS);
        assert_int_equal(out.x[1], IPA_DEV + 2 * PAGE);
        assert_entry(f, IPA_DEV, RMI_UNASSIGNED, 0, RMI_DESTROYED);
        assert_entry(f, IPA_DEV + PAGE, RMI_UNASSIGNED, 0, RMI_EMPTY);
        assert_int_equal(dev_unmap(f, IPA_DEV, IPA_DEV + PAGE, &out), RMI_RETURN(RMI_ERROR_RTT, 3));
        assert_int_equal(dev_unmap(f, IPA_DATA, IPA_DATA + PAGE, &out), RMI_RETURN(RMI_ERROR_RTT, 3));
        assert_entry(f, IPA_DATA, RMI_ASSIGNED, f->data_pa[1], RMI_RAM);
        assert_int_equal(dev_unmap(f, 0x200000, 0x200000 + PAGE, &out), RMI_RETURN(RMI_ERROR_RTT, 2));
        assert_int_equal(dev_unmap(f, IPA_DEV + 1, IPA_DEV + PAGE, &out), RMI_ERROR_INPUT);
        assert_int_equal(dev_unmap(f, IPA_DEV, IPA_DEV, &out), RMI_ERROR_INPUT);
        assert_int_equal(dev_unmap(f, H_UNPROT_BASE, H_UNPROT_BASE + PAGE, &out), RMI_ERROR_INPUT);
        assert_int_equal(rmi(&f->h, RMI_RTT_DEV_UNMAP, f->rig.vdev, IPA_DEV, IPA_DEV + PAGE, 0, 0, NULL),
                         RMI_ERROR_INPUT);
}

/* ---- what else meets device memory ---- */

static void vdev_destroy_is_refused_while_its_device_memory_is_mapped(void **state)
{
        struct fx *f = *state;
        struct smc_regs out;
        vdev_started(f);
        dev_map_ok(f, IPA_DEV, IPA_DEV + PAGE, BAR);
        da_rig_vdev_op(&f->rig, RMI_VDEV_UNLOCK);
        assert_int_equal(da_rig_vdev_rmi(&f->rig, RMI_VDEV_DESTROY), RMI_ERROR_DEVICE);
        assert_int_equal(dev_unmap(f, IPA_DEV, IPA_DEV + PAGE, &out), RMI_SUCCESS);
        assert_int_equal(da_rig_vdev_rmi(&f->rig, RMI_VDEV_DESTROY), RMI_SUCCESS);
}

static void rtt_destroy_is_refused_while_a_table_maps_device_memory(void **state)
{
        struct fx *f = *state;
        struct smc_regs out;
        vdev_started(f);
        (void)host_rtt_create(&f->h, &f->realm, 0x200000, 3);
        dev_map_ok(f, 0x200000, 0x200000 + PAGE, BAR);
        assert_int_equal(rmi(&f->h, RMI_RTT_DESTROY, f->realm.rd, 0x200000, 3, 0, 0, &out),
                         RMI_RETURN(RMI_ERROR_RTT, 3));
        assert_int_equal(dev_unmap(f, 0x200000, 0x200000 + PAGE, &out), RMI_SUCCESS);
        assert_int_equal(rmi(&f->h, RMI_RTT_DESTROY, f->realm.rd, 0x200000, 3, 0, 0, &out), RMI_SUCCESS);
}

static void data_create_data_destroy_and_ipa_state_set_leave_device_memory_alone(void **state)
{
        struct fx *f = *state;
        struct smc_regs out;
        vdev_locked_reported(f);
        dev_map_ok(f, IPA_DEV, IPA_DEV + PAGE, BAR);
        uint64_t data = host_delegated(&f->h);
        assert_int_equal(rmi(&f->h, RMI_DATA_CREATE_UNKNOWN, f->realm.rd, data, IPA_DEV, 0, 0, NULL),
                         RMI_RETURN(RMI_ERROR_RTT, 3));
        assert_int_equal(rmi(&f->h, RMI_DATA_DESTROY, f->realm.rd, IPA_DEV, 0, 0, 0, &out),
                         RMI_RETURN(RMI_ERROR_RTT, 3));
        assert_entry(f, IPA_DEV, RMI_ASSIGNED_DEV, BAR, RMI_EMPTY);
        /* the Realm cannot change device memory's RIPAS: refused before any exit */
        assert_int_equal(realm_smc(f, RSI_IPA_STATE_SET, IPA_DEV - PAGE, IPA_DEV + PAGE, RSI_RIPAS_RAM, 0, 0, 0, 0, 0),
                         RSI_ERROR_INPUT);
        assert_int_equal(realm_smc(f, RSI_IPA_STATE_SET, 0, 0x40000000, RSI_RIPAS_EMPTY, 0, 0, 0, 0, 0),
                         RSI_ERROR_INPUT);
        assert_int_equal(f->ripas_exits, 0);
        assert_entry(f, IPA_DEV, RMI_ASSIGNED_DEV, BAR, RMI_EMPTY);
}

static void map_during_ripas_change(struct fx *f)
{
        struct smc_regs out;
        dev_map_ok(f, IPA_DEV + PAGE, IPA_DEV + 2 * PAGE, BAR);
        /* the host's SET_RIPAS stops at device memory: nothing at it, up to it elsewhere */
        assert_int_equal(rmi(&f->h, RMI_RTT_SET_RIPAS, f->realm.rd, f->rec, IPA_DEV, IPA_DEV + 2 * PAGE, 0, &out),
                         RMI_SUCCESS);
        assert_int_equal(out.x[1], IPA_DEV + PAGE);
        assert_int_equal(rmi(&f->h, RMI_RTT_SET_RIPAS, f->realm.rd, f->rec, IPA_DEV + PAGE, IPA_DEV + 2 * PAGE, 0,
                             &out),
                         RMI_RETURN(RMI_ERROR_RTT, 3));
}

static void set_ripas_stops_at_device_memory_mapped_during_the_change(void **state)
{
        struct fx *f = *state;
        vdev_locked_reported(f);
        f->on_ripas = map_during_ripas_change;
        assert_int_equal(realm_smc(f, RSI_IPA_STATE_SET, IPA_DEV, IPA_DEV + 2 * PAGE, RSI_RIPAS_RAM, 0, 0, 0, 0, 0),
                         RSI_SUCCESS);
        assert_int_equal(f->k.out.x[1], IPA_DEV + PAGE);
        assert_entry(f, IPA_DEV, RMI_UNASSIGNED, 0, RMI_RAM);
        assert_entry(f, IPA_DEV + PAGE, RMI_ASSIGNED_DEV, BAR, RMI_EMPTY);
}

static void init_ripas_and_data_create_of_a_new_realm_stop_at_device_memory(void **state)
{
        struct fx *f = *state;
        struct smc_regs out;
        da_rig_vdev_create(&f->rig, f->other.rd, &f->vdev_params);
        da_rig_vdev_op(&f->rig, RMI_VDEV_LOCK);
        assert_int_equal(da_rig_rmi(&f->rig, RMI_RTT_DEV_MAP, f->other.rd, f->rig.vdev, IPA_DEV,
                                    IPA_DEV + PAGE, 1, BAR, &out),
                         RMI_SUCCESS);
        assert_int_equal(rmi(&f->h, RMI_RTT_INIT_RIPAS, f->other.rd, IPA_DEV, IPA_DEV + PAGE, 0, 0, &out),
                         RMI_RETURN(RMI_ERROR_RTT, 3));
        assert_int_equal(rmi(&f->h, RMI_RTT_INIT_RIPAS, f->other.rd, IPA_DEV - PAGE, IPA_DEV + PAGE, 0, 0, &out),
                         RMI_SUCCESS);
        assert_int_equal(out.x[1], IPA_DEV);
        uint64_t data = host_delegated(&f->h), src = host_alloc(&f->h);
        assert_int_equal(rmi(&f->h, RMI_DATA_CREATE, f->other.rd, data, IPA_DEV, src, 0, NULL),
                         RMI_RETURN(RMI_ERROR_RTT, 3));
        /* the Realm that runs has no VDEV: it cannot map with another Realm's */
        assert_int_equal(dev_map(f, IPA_DEV, IPA_DEV + PAGE, BAR + PAGE, &out), RMI_ERROR_INPUT);
}

/* A T=1 write of 64 bytes by the TDI's stream at iova; its fault reason. */
static enum hw_dma_reason tdi_write(struct fx *f, uint64_t iova)
{
        uint8_t buf[64];
        struct hw_dma_fault fault = { .reason = HW_DMA_OK };
        memset(buf, 0xC3, sizeof(buf));
        enum hw_result r = hw_dma(f->rig.smmu, BDF, true, iova, buf, sizeof(buf), HW_ACCESS_WRITE, &fault);
        assert_true((r == HW_OK) == (fault.reason == HW_DMA_OK));
        return fault.reason;
}

static void the_smmu_walk_gives_the_tdi_no_access_to_device_memory(void **state)
{
        struct fx *f = *state;
        uint64_t lock, report;
        vdev_started(f);
        dev_map_ok(f, IPA_DEV, IPA_DEV + 2 * PAGE, BAR);
        assert_int_equal(validate_mapping(f, IPA_DEV, IPA_DEV + PAGE, BAR), RSI_SUCCESS);
        nonces(f, &lock, &report);
        assert_int_equal(realm_smc(f, RSI_VDEV_DMA_ENABLE, VDEV_ID, 0, 0, lock, 0, report, 0, 0), RSI_SUCCESS);
        assert_int_equal(tdi_write(f, IPA_DMA), HW_DMA_OK);     /* its RAM: yes */
        /* device memory, validated: the Realm's stage 2 as the SMMU walks it has nothing there
         * (a stage-2 fault, not an output address the SMMU then finds is not memory) */
        assert_int_equal(tdi_write(f, IPA_DEV), HW_DMA_S2_FAULT);
        assert_int_equal(tdi_write(f, IPA_DEV + PAGE), HW_DMA_S2_FAULT); /* mapped, not validated */
}

/* RAM loaded through the REC's TLB, given up, destroyed, then device memory mapped at the same
 * IPA: the Realm's access reaches the device, never the old page; after the unmap, nothing. */
static void ripas_to_empty(struct fx *f)
{
        struct smc_regs out;
        assert_int_equal(rmi(&f->h, RMI_RTT_SET_RIPAS, f->realm.rd, f->rec, IPA_DMA, IPA_DMA + PAGE, 0, &out),
                         RMI_SUCCESS);
}

static void the_rec_tlb_never_serves_a_device_page_as_ram(void **state)
{
        struct fx *f = *state;
        struct smc_regs out;
        uint64_t v = 0;
        vdev_started(f);
        assert_int_equal(realm_load(f, IPA_DMA), CPU_OK); /* translated, cached */
        assert_int_equal(f->k.buf[0], 0x12);
        assert_int_equal(realm_mmio_read(f, IPA_DMA, 8, &v), CPU_OK);
        f->on_ripas = ripas_to_empty;
        assert_int_equal(realm_smc(f, RSI_IPA_STATE_SET, IPA_DMA, IPA_DMA + PAGE, RSI_RIPAS_EMPTY, 0, 0, 0, 0, 0),
                         RSI_SUCCESS);
        assert_int_equal(rmi(&f->h, RMI_DATA_DESTROY, f->realm.rd, IPA_DMA, 0, 0, 0, &out), RMI_SUCCESS);
        dev_map_ok(f, IPA_DMA, IPA_DMA + PAGE, BAR);
        assert_int_equal(validate_mapping(f, IPA_DMA, IPA_DMA + PAGE, BAR), RSI_SUCCESS);
        assert_int_equal(realm_mmio_read(f, IPA_DMA + BLK_REG_ID, 4, &v), CPU_OK);
        assert_int_equal(v, BLK_ID);
        assert_int_equal(f->dev_pa, BAR + BLK_REG_ID);
        assert_int_equal(realm_load(f, IPA_DMA), CPU_SEA);
        unsigned calls = f->dev_calls;
        assert_int_equal(dev_unmap(f, IPA_DMA, IPA_DMA + PAGE, &out), RMI_SUCCESS);
        assert_int_equal(realm_mmio_read(f, IPA_DMA + BLK_REG_ID, 4, &v), CPU_SEA);
        assert_int_equal(f->dev_calls, calls);
}

/* ---- the window, and an RMM without device assignment ---- */

static bool never(void *ctx, uint64_t pa, unsigned size, bool write, uint64_t *val)
{
        (void)ctx, (void)pa, (void)size, (void)write, (void)val;
        return false;
}

static void rmm_platform_dev_mem_takes_one_good_window(void **state)
{
        struct host h;
        (void)state;
        host_init(&h);
        assert_false(rmm_platform_dev_mem(h.rmm, WIN, 0, never, NULL));
        assert_false(rmm_platform_dev_mem(h.rmm, WIN + 8, PAGE, never, NULL));
        assert_false(rmm_platform_dev_mem(h.rmm, WIN, PAGE + 8, never, NULL));
        assert_false(rmm_platform_dev_mem(h.rmm, WIN, PAGE, NULL, NULL));
        assert_false(rmm_platform_dev_mem(h.rmm, UINT64_MAX - PAGE + 1, 2 * PAGE, never, NULL));
        assert_false(rmm_platform_dev_mem(h.rmm, WIN, RMM_DEV_MEM_MAX_SIZE + PAGE, never, NULL));
        assert_false(rmm_platform_dev_mem(h.rmm, H_MEM_BASE - PAGE, 2 * PAGE, never, NULL)); /* DRAM */
        assert_false(rmm_platform_dev_mem(h.rmm, H_MEM_END - PAGE, 2 * PAGE, never, NULL));
        assert_true(rmm_platform_dev_mem(h.rmm, H_MEM_END, PAGE, never, NULL));
        assert_false(rmm_platform_dev_mem(h.rmm, WIN, PAGE, never, NULL)); /* a second one */
        host_fini(&h);
}

static void without_device_assignment_the_commands_do_not_exist(void **state)
{
        struct fx *f = calloc(1, sizeof(*f));
        struct hrealm *r = &f->realm;
        (void)state;
        host_init(&f->h);                       /* cfg.da false */
        host_realm_setup(&f->h, r, &f->rec);
        assert_true(rmm_platform_dev_mem(f->h.rmm, WIN, WIN_SIZE, never, NULL));
        assert_int_equal(rmi(&f->h, RMI_RTT_DEV_MAP, r->rd, 0, IPA_DEV, IPA_DEV + PAGE, 1, NULL),
                         SMCCC_RET_NOT_SUPPORTED);
        assert_int_equal(rmi(&f->h, RMI_RTT_DEV_UNMAP, r->rd, IPA_DEV, IPA_DEV + PAGE, 0, 0, NULL),
                         SMCCC_RET_NOT_SUPPORTED);
        assert_int_equal(rmi(&f->h, RMI_RTT_DEV_VALIDATE, r->rd, f->rec, IPA_DEV, IPA_DEV + PAGE, 0, NULL),
                         SMCCC_RET_NOT_SUPPORTED);
        host_activate(&f->h, r);
        assert_true(rmm_bind_realm_program(f->h.rmm, r->rd, &(struct ccada_realm_program){
                                                   .entry = da_rig_realm_program, .kernel = &f->k }));
        f->run = host_run_alloc(&f->h);
        run_set_flags(&f->h, f->run, RMI_REC_ENTRY_FLAG_DEV_MEM_RESPONSE);
        assert_int_equal(host_rec_enter(&f->h, f->rec, f->run), RMI_ERROR_INPUT); /* the flag is not defined either */
        f->on_validate = validate_all;
        assert_int_equal(realm_smc(f, RSI_VDEV_VALIDATE_MAPPING, VDEV_ID, IPA_DEV, IPA_DEV + PAGE, WIN, 0, 1, 0, 1),
                         RSI_ERROR_STATE);
        assert_int_equal(f->requests + f->validations, 0);
        host_fini(&f->h);
        free(f);
}

/* The Realm asks to validate where there is no level-3 table: the host's DEV_VALIDATE fails at
 * the level its walk reached. */
static void dev_validate_without_a_level3_table_fails_rtt_at_the_walks_level(void **state)
{
        struct fx *f = *state;
        vdev_started(f);
        f->on_validate = validate_all;
        assert_int_equal(validate_mapping(f, 0x200000, 0x200000 + PAGE, BAR), RSI_SUCCESS);
        assert_int_equal(f->validate_status, RMI_RETURN(RMI_ERROR_RTT, 2));
        assert_int_equal(f->k.out.x[1], 0x200000);
        assert_int_equal(f->k.out.x[2], RSI_ACCEPT);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(rmm_platform_dev_mem_takes_one_good_window),
                cmocka_unit_test(without_device_assignment_the_commands_do_not_exist),
                T(dev_map_then_validate_then_register_accesses_reach_the_device_as_tee_requests),
                T(a_device_that_does_not_complete_the_request_gives_the_realm_an_sea),
                T(a_partial_validation_then_reject_returns_the_progress_and_reject),
                T(a_partial_validation_without_reject_returns_the_progress_and_accept),
                T(a_reject_after_a_whole_validation_is_still_accept),
                T(dev_validate_of_a_mapping_to_another_pa_makes_no_progress),
                T(dev_validate_stops_at_the_first_entry_that_does_not_map_the_expected_pa),
                T(dev_validate_refuses_bad_arguments_and_a_rec_not_waiting),
                T(dev_validate_without_a_level3_table_fails_rtt_at_the_walks_level),
                T(validate_mapping_with_a_stale_nonce_fails_device_without_an_exit),
                T(validate_mapping_refuses_bad_arguments_without_an_exit),
                T(validate_mapping_of_an_unlocked_vdev_fails_input),
                T(dev_map_refuses_a_device_pa_already_mapped),
                T(dev_map_refuses_a_pa_outside_the_window_or_the_vdev_ranges),
                T(dev_map_refuses_bad_arguments),
                T(dev_map_stops_at_a_used_entry_or_the_end_of_the_table),
                T(dev_unmap_keeps_empty_unvalidated_entries_and_stops_at_what_is_not_device_memory),
                T(vdev_destroy_is_refused_while_its_device_memory_is_mapped),
                T(rtt_destroy_is_refused_while_a_table_maps_device_memory),
                T(data_create_data_destroy_and_ipa_state_set_leave_device_memory_alone),
                T(set_ripas_stops_at_device_memory_mapped_during_the_change),
                T(init_ripas_and_data_create_of_a_new_realm_stop_at_device_memory),
                T(the_smmu_walk_gives_the_tdi_no_access_to_device_memory),
                T(the_rec_tlb_never_serves_a_device_page_as_ram),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
