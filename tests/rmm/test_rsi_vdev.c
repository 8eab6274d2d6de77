/* RSI_VDEV_GET_INFO / RSI_VDEV_DMA_ENABLE / RSI_VDEV_DMA_DISABLE and RMI_VDEV_COMPLETE (RMM
 * 2.0-beta device assignment as TF-RMM main realises it; facts/spdm-tdisp-ide.md §7.2, §7.3).
 * A REC runs a tiny Realm program that makes one RSI call per request of the test and goes
 * back to the host (RSI_HOST_CALL) in between; the test is the host: it brings ccada-dev's
 * PDEV to READY with its IDE stream and a VDEV through LOCK, report and START (the rig of
 * test_rmi_pdev.c), keeps the objects the RMM marks for caching, and answers each
 * RMI_EXIT_VDEV_REQUEST with RMI_VDEV_COMPLETE. What the Realm gets is checked against
 * independent views: hashes of the host's cached bytes, the SMMU's stream table entry, and
 * device DMA through the SMMU seen at the physical page. The RMM's invariants are checked after
 * every call (rmm_harness). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "device/pdev.h"
#include "host/doe_relay.h"
#include "hw/ide.h"
#include "hw/smmu.h"
#include "lib/crypto.h"
#include "lib/ec.h"
#include "lib/x509_chain.h"
#include "proto/rmi_da.h"
#include "proto/rsi_vdev.h"
#include "proto/spdm.h"
#include "proto/tdisp.h"
#include "rmm/tsm.h"
#include "rmm_harness.h"

#define DEC_2026 1796169600
#define BDF      HW_PCIE_BDF(0, 3, 0)
#define RP_RID   HW_PCIE_BDF(0, 1, 0)
#define VDEV_ID  0x77

/* The Realm's IPA layout: four DATA pages, RIPAS RAM up to H_RAM_TOP. */
#define IPA_HC     0x0000ULL     /* its RsiHostCall (the idle exit) */
#define IPA_INFO   0x1000ULL     /* RsiVdevInfo */
#define IPA_DMA    0x2000ULL     /* what the TDI writes */
#define IPA_NODATA 0x8000ULL     /* RIPAS RAM, not mapped */
#define NPAGES     4

/* The Realm side: one RSI call per request, then back to the host. */
struct realm_kernel {
        struct smc_regs in, out;
        bool has_cmd;
        unsigned done;
        uint8_t info[RSI_VDEV_INFO_SIZE];       /* what GET_INFO left in its buffer, as it loads it */
        enum cpu_result load;
};

static void prog(struct realm_kernel *k, struct ccada_cpu *cpu, uint64_t pc, const uint64_t *x)
{
        (void)pc;
        (void)x;
        for (;;) {
                if (k->has_cmd) {
                        k->out = k->in;
                        cpu_smc(cpu, &k->out);
                        if (k->in.x[0] == RSI_VDEV_GET_INFO && k->out.x[0] == RSI_SUCCESS)
                                k->load = cpu_load(cpu, k->in.x[2], k->info, sizeof(k->info));
                        k->has_cmd = false;
                        k->done++;
                }
                struct smc_regs hc = { .x = { RSI_HOST_CALL, IPA_HC } };
                cpu_smc(cpu, &hc);
        }
}

struct fx;
typedef void (*answer_fn)(struct fx *f);

struct fx {
        struct host h;
        struct hw_pcie pcie;
        struct pdev *dev;
        struct doe_relay relay;
        struct hw_ide *rp_ide;
        struct hw_smmu *smmu;
        uint64_t pdev, rp_pdev, comm, req, rsp;
        uint8_t *obj[4];
        size_t obj_len[4];
        uint8_t point[EC_POINT_MAX];            /* the key given to SET_PUBKEY */
        size_t point_len;
        struct hrealm realm, other;             /* the Realm that runs, and one that does not */
        uint64_t rec, run;
        uint64_t data_pa[NPAGES], other_pa;
        uint64_t vdev, vdev_rd;                 /* the VDEV and its Realm's RD */
        struct realm_kernel k;
        answer_fn answer;                       /* the host's reply to a VDEV request */
        unsigned requests;                      /* RMI_EXIT_VDEV_REQUESTs seen */
        unsigned validations;                   /* RMI_EXIT_VDEV_VALIDATE_MAPPINGs seen */
        uint64_t requested_id;
};

/* ---- the host's plumbing (as test_rmi_pdev.c) ---- */

static void write_ns(struct fx *f, uint64_t pa, const void *buf, size_t len)
{
        assert_int_equal(hw_write(f->h.mem, HW_WORLD_NS, pa, buf, len, NULL), HW_OK);
}

static void read_ns(struct fx *f, uint64_t pa, void *buf, size_t len)
{
        assert_int_equal(hw_read(f->h.mem, HW_WORLD_NS, pa, buf, len, NULL), HW_OK);
}

static uint64_t page_of(struct fx *f, const uint8_t *page, size_t len)
{
        uint64_t pa = host_alloc(&f->h);
        write_ns(f, pa, page, len);
        return pa;
}

static void enter(struct fx *f, unsigned status, uint64_t rsp_len)
{
        static uint8_t page[RMI_DEV_COMM_DATA_SIZE];
        struct rmi_dev_comm_enter e = { .status = status, .req_addr = f->req, .rsp_addr = f->rsp, .rsp_len = rsp_len };
        memset(page, 0, sizeof(page));
        rmi_dev_comm_enter_encode(&e, page);
        write_ns(f, f->comm, page, sizeof(page));
}

static void keep(struct fx *f, uint64_t pa, uint64_t off, uint64_t len, unsigned id)
{
        assert_true(id < 4 && off + len <= GRANULE_SIZE);
        f->obj[id] = realloc(f->obj[id], f->obj_len[id] + len + 1);
        read_ns(f, pa + off, f->obj[id] + f->obj_len[id], len);
        f->obj_len[id] += len;
}

/* COMMUNICATE (PDEV: vdev 0; else VDEV) until the RMM asks for nothing, relaying each request. */
static void communicate(struct fx *f, uint64_t vdev)
{
        static uint8_t req[GRANULE_SIZE], rsp[DOE_RELAY_MAX_OBJECT], page[RMI_DEV_COMM_DATA_SIZE];
        char why[DOE_RELAY_WHY_LEN] = "";
        unsigned status = RMI_DEV_COMM_NONE;
        size_t n = 0;
        for (unsigned i = 0; i < 64; i++) {
                struct rmi_dev_comm_exit x;
                bool sec;
                enter(f, status, n);
                uint64_t st = vdev ? rmi(&f->h, RMI_VDEV_COMMUNICATE, f->vdev_rd, f->pdev, vdev, f->comm, 0, NULL)
                                   : rmi(&f->h, RMI_PDEV_COMMUNICATE, f->pdev, f->comm, 0, 0, 0, NULL);
                assert_int_equal(st, RMI_SUCCESS);
                read_ns(f, f->comm, page, sizeof(page));
                rmi_dev_comm_exit_decode(page, &x);
                if (x.flags & RMI_DEV_COMM_EXIT_RSP_CACHE)
                        keep(f, f->rsp, x.cache_rsp_offset, x.cache_rsp_len, x.cache_obj_id);
                if (x.flags & RMI_DEV_COMM_EXIT_REQ_CACHE)
                        keep(f, f->req, x.cache_req_offset, x.cache_req_len, x.cache_obj_id);
                if (!(x.flags & RMI_DEV_COMM_EXIT_REQ_SEND))
                        return;
                assert_true(x.req_len <= sizeof(req));
                read_ns(f, f->req, req, (size_t)x.req_len);
                assert_true(doe_relay_exchange(&f->relay, x.protocol == RMI_DEV_PROTOCOL_SECURE_SPDM, req,
                                               (size_t)x.req_len, rsp, sizeof(rsp), &n, &sec, why));
                write_ns(f, f->rsp, rsp, n);
                status = RMI_DEV_COMM_RESPONSE;
        }
        fail_msg("the RMM did not finish in 64 rounds");
}

static uint64_t pdev_params(struct fx *f, const struct rmi_pdev_params *p)
{
        static uint8_t page[RMI_PDEV_PARAMS_SIZE];
        rmi_pdev_params_encode(p, page);
        return page_of(f, page, sizeof(page));
}

/* The Root Port, the endpoint PDEV to READY (its public key from the cached chain) and the
 * IDE stream between them. */
static void pdev_ready_with_stream(struct fx *f)
{
        struct hw_ide_config c = { .stream_id = 0, .default_stream = true };
        struct rmi_pdev_params rp = { .pdev_id = 9, .routing_id = RP_RID, .rid_top = 0x100,
                                      .hash_algo = RMI_HASH_SHA_384 };
        struct rmi_pdev_params ep = { .flags = RMI_PDEV_FLAGS_SPDM |
                                               (uint64_t)RMI_PDEV_CATEGORY_OFF_CHIP << RMI_PDEV_FLAGS_CATEGORY_SHIFT,
                                      .pdev_id = 1, .routing_id = BDF, .rid_base = BDF, .rid_top = BDF + 1,
                                      .hash_algo = RMI_HASH_SHA_384 };
        static struct rmi_pubkey_params k;
        static uint8_t page[RMI_PUBKEY_PARAMS_SIZE];
        struct ec_key *key = NULL;
        char why[X509_CHAIN_WHY_LEN] = "";
        struct smc_regs r;

        assert_true(hw_ide_new(&f->rp_ide, &c));
        rmm_platform_root_port(f->h.rmm, RP_RID, f->rp_ide);
        f->rp_pdev = host_delegated(&f->h);
        assert_int_equal(rmi(&f->h, RMI_PDEV_CREATE, f->rp_pdev, pdev_params(f, &rp), 0, 0, 0, NULL), RMI_SUCCESS);
        enter(f, RMI_DEV_COMM_NONE, 0);
        assert_int_equal(rmi(&f->h, RMI_PDEV_COMMUNICATE, f->rp_pdev, f->comm, 0, 0, 0, NULL), RMI_SUCCESS);

        assert_int_equal(rmi(&f->h, RMI_PDEV_CREATE, f->pdev, pdev_params(f, &ep), 0, 0, 0, NULL), RMI_SUCCESS);
        communicate(f, 0);
        assert_true(x509_chain_leaf_key(f->obj[RMI_DEV_OBJ_CERTIFICATE], f->obj_len[RMI_DEV_OBJ_CERTIFICATE], &key,
                                        NULL, 0, why));
        assert_true(ec_key_point(key, f->point, EC_POINT_MAX, &f->point_len));
        ec_key_free(key);
        memset(&k, 0, sizeof(k));
        memcpy(k.key, f->point, f->point_len);
        k.key_len = f->point_len;
        k.algo = RMI_SIG_ECDSA_P384;
        rmi_pubkey_params_encode(&k, page);
        assert_int_equal(rmi(&f->h, RMI_PDEV_SET_PUBKEY, f->pdev, page_of(f, page, sizeof(page)), 0, 0, 0, NULL),
                         RMI_SUCCESS);
        communicate(f, 0);

        static struct rmi_stream_params sp;
        static uint8_t spage[RMI_STREAM_PARAMS_SIZE];
        memset(&sp, 0, sizeof(sp));
        sp.stream_type = RMI_STREAM_TYPE_NCOH;
        sp.pdev_1 = f->rp_pdev;
        sp.pdev_2 = f->pdev;
        rmi_stream_params_encode(&sp, spage);
        assert_int_equal(rmi(&f->h, RMI_PDEV_STREAM_CONNECT, page_of(f, spage, sizeof(spage)), 0, 0, 0, 0, &r),
                         RMI_SUCCESS);
        communicate(f, 0);
        assert_int_equal(rmi(&f->h, RMI_PDEV_STREAM_COMPLETE, f->pdev, f->rp_pdev, r.x[1], 0, 0, NULL), RMI_SUCCESS);
}

/* The Realm that runs: DATA pages over [0, NPAGES pages), RIPAS RAM to H_RAM_TOP, one REC. */
static void realm_up(struct fx *f)
{
        host_realm_new(&f->h, &f->realm);
        host_rtts_l3(&f->h, &f->realm, 0);
        host_init_ripas(&f->h, &f->realm, 0, H_RAM_TOP);
        for (unsigned i = 0; i < NPAGES; i++)
                f->data_pa[i] = host_data_create(&f->h, &f->realm, (uint64_t)i * GRANULE_SIZE, 0,
                                                 RMI_NO_MEASURE_CONTENT);
        f->rec = host_rec_create(&f->h, &f->realm, 0);
        host_activate(&f->h, &f->realm);
        assert_true(rmm_bind_realm_program(f->h.rmm, f->realm.rd, &(struct ccada_realm_program){
                                                   .entry = prog, .kernel = &f->k }));
        f->run = host_run_alloc(&f->h);
        /* the other Realm: one DATA page holding 0x5A */
        host_realm_new(&f->h, &f->other);
        host_rtts_l3(&f->h, &f->other, 0);
        host_init_ripas(&f->h, &f->other, 0, GRANULE_SIZE);
        f->other_pa = host_data_create(&f->h, &f->other, 0, 0x5A, RMI_NO_MEASURE_CONTENT);
}

static void answer_with_the_vdev(struct fx *f)
{
        assert_int_equal(rmi(&f->h, RMI_VDEV_COMPLETE, f->rec, f->vdev, 0, 0, 0, NULL), RMI_SUCCESS);
}

static void answer_nothing(struct fx *f)
{
        (void)f;
}

static int setup(void **state)
{
        struct fx *f = calloc(1, sizeof(*f));
        struct rmm_config c;
        char why[PDEV_WHY_LEN] = "";
        struct pdev_config pc = { .bdf = BDF, .seed = (const uint8_t *)"rsi-vdev", .seed_len = 8 };
        const uint8_t *root;
        size_t root_len;
        rmm_config_default(&c);
        c.da = true;
        host_init_cfg(&f->h, &c);
        hw_pcie_init(&f->pcie);
        if (!pdev_new(&f->dev, &f->pcie, &pc, why))
                fail_msg("pdev_new: %s", why);
        assert_true(doe_relay_find(&f->relay, &f->pcie, NULL, why));
        assert_true(doe_relay_discover(&f->relay, why));
        pdev_root(f->dev, &root, &root_len);
        assert_true(rmm_tsm_provision(f->h.rmm, root, root_len, DEC_2026, false));
        assert_true(hw_smmu_create(&f->smmu, f->h.mem, NULL));
        rmm_platform_smmu(f->h.rmm, f->smmu);
        f->pdev = host_delegated(&f->h);
        f->comm = host_alloc(&f->h);
        f->req = host_alloc(&f->h);
        f->rsp = host_alloc(&f->h);
        f->answer = answer_with_the_vdev;
        pdev_ready_with_stream(f);
        realm_up(f);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fx *f = *state;
        hw_smmu_destroy(f->smmu);
        hw_ide_free(f->rp_ide);
        for (unsigned i = 0; i < 4; i++)
                free(f->obj[i]);
        pdev_free(f->dev);
        host_fini(&f->h);
        free(f);
        return 0;
}

/* ---- the VDEV ---- */

static uint64_t vrmi(struct fx *f, uint64_t fid)
{
        return rmi(&f->h, fid, f->vdev_rd, f->pdev, f->vdev, 0, 0, NULL);
}

static void vdev_create(struct fx *f, const struct hrealm *owner)
{
        static struct rmi_vdev_params p;
        static uint8_t page[RMI_VDEV_PARAMS_SIZE];
        memset(&p, 0, sizeof(p));
        p.vdev_id = VDEV_ID;
        p.tdi_id = BDF;
        rmi_vdev_params_encode(&p, page);
        f->vdev = host_delegated(&f->h);
        f->vdev_rd = owner->rd;
        assert_int_equal(rmi(&f->h, RMI_VDEV_CREATE, owner->rd, f->pdev, f->vdev, page_of(f, page, sizeof(page)), 0,
                             NULL),
                         RMI_SUCCESS);
        communicate(f, f->vdev);
}

static void vdev_op(struct fx *f, uint64_t fid)
{
        assert_int_equal(vrmi(f, fid), RMI_SUCCESS);
        communicate(f, f->vdev);
}

static void vdev_locked_reported(struct fx *f)
{
        vdev_create(f, &f->realm);
        vdev_op(f, RMI_VDEV_LOCK);
        vdev_op(f, RMI_VDEV_GET_INTERFACE_REPORT);
}

static void vdev_started(struct fx *f)
{
        vdev_locked_reported(f);
        vdev_op(f, RMI_VDEV_START);
        assert_int_equal(pdev_tdi_state(f->dev), TDISP_STATE_RUN);
}

/* ---- the Realm's calls ---- */

/* Has the Realm make one RSI call; answers its VDEV requests with f->answer; returns X0. */
static uint64_t realm_call_regs(struct fx *f, const struct smc_regs *in)
{
        unsigned before = f->k.done;
        f->k.in = *in;
        f->k.has_cmd = true;
        for (unsigned i = 0; i < 4; i++) {
                assert_int_equal(host_rec_enter(&f->h, f->rec, f->run), RMI_SUCCESS);
                uint64_t reason = run_exit_reason(&f->h, f->run);
                if (reason == RMI_EXIT_HOST_CALL) {
                        assert_int_equal(f->k.done, before + 1);
                        return f->k.out.x[0];
                }
                if (reason == RMI_EXIT_VDEV_VALIDATE_MAPPING) { /* the host validates nothing */
                        f->validations++;
                        continue;
                }
                assert_int_equal(reason, RMI_EXIT_VDEV_REQUEST);
                f->requests++;
                f->requested_id = run_exit_u64(&f->h, f->run, RMI_REC_EXIT_VDEV_ID_1);
                f->answer(f);
        }
        fail_msg("the Realm's call did not finish");
        return 0;
}

static uint64_t realm_call(struct fx *f, uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                           uint64_t a5, uint64_t a6)
{
        return realm_call_regs(f, &(struct smc_regs){ .x = { fid, a1, a2, a3, a4, a5, a6 } });
}

static uint64_t get_info(struct fx *f, uint64_t vdev_id, uint64_t ipa)
{
        return realm_call(f, RSI_VDEV_GET_INFO, vdev_id, ipa, 0, 0, 0, 0);
}

static uint64_t dma_enable(struct fx *f, uint64_t lock, uint64_t meas, uint64_t report)
{
        return realm_call(f, RSI_VDEV_DMA_ENABLE, VDEV_ID, 0, 0, lock, meas, report);
}

static struct rsi_vdev_info info_seen(struct fx *f)
{
        struct rsi_vdev_info i;
        assert_int_equal(f->k.load, CPU_OK);
        rsi_vdev_info_decode(f->k.info, &i);
        return i;
}

static bool page_is_zero(struct fx *f, uint64_t pa)
{
        uint8_t b[GRANULE_SIZE], z[GRANULE_SIZE] = { 0 };
        assert_int_equal(hw_read(f->h.mem, HW_WORLD_ROOT, pa, b, sizeof(b), NULL), HW_OK);
        return memcmp(b, z, sizeof(b)) == 0;
}

static enum hw_ste_mode ste_mode(struct fx *f, uint16_t sid)
{
        struct hw_ste s;
        hw_smmu_ste_get(f->smmu, sid, &s);
        return s.mode;
}

/* One T=1 (or T=0) write of 64 bytes by stream sid at iova; its fault reason. */
static enum hw_dma_reason tdi_write(struct fx *f, uint16_t sid, bool t, uint64_t iova, uint8_t byte)
{
        uint8_t buf[64];
        struct hw_dma_fault fault = { .reason = HW_DMA_OK };
        memset(buf, byte, sizeof(buf));
        enum hw_result r = hw_dma(f->smmu, sid, t, iova, buf, sizeof(buf), HW_ACCESS_WRITE, &fault);
        assert_true((r == HW_OK) == (fault.reason == HW_DMA_OK));
        return fault.reason;
}

/* ---- RSI_FEATURES and an RMM without device assignment ---- */

static void rsi_features_advertises_device_assignment(void **state)
{
        struct fx *f = *state;
        assert_int_equal(realm_call(f, RSI_FEATURES, 0, 0, 0, 0, 0, 0), RSI_SUCCESS);
        assert_int_equal(f->k.out.x[1], RSI_FEATURE_REGISTER_0_DA);
        assert_int_equal(realm_call(f, RSI_FEATURES, 1, 0, 0, 0, 0, 0), RSI_SUCCESS);
        assert_int_equal(f->k.out.x[1], 0);
}

static void rsi_vdev_calls_fail_state_without_device_assignment_and_never_exit(void **state)
{
        struct fx f2;
        (void)state;
        memset(&f2, 0, sizeof(f2));
        host_init(&f2.h);                               /* cfg.da false */
        host_realm_new(&f2.h, &f2.realm);
        host_rtts_l3(&f2.h, &f2.realm, 0);
        host_init_ripas(&f2.h, &f2.realm, 0, H_RAM_TOP);
        for (unsigned i = 0; i < NPAGES; i++)
                (void)host_data_create(&f2.h, &f2.realm, (uint64_t)i * GRANULE_SIZE, 0, RMI_NO_MEASURE_CONTENT);
        f2.rec = host_rec_create(&f2.h, &f2.realm, 0);
        host_activate(&f2.h, &f2.realm);
        assert_true(rmm_bind_realm_program(f2.h.rmm, f2.realm.rd,
                                           &(struct ccada_realm_program){ .entry = prog, .kernel = &f2.k }));
        f2.run = host_run_alloc(&f2.h);
        f2.answer = answer_nothing;
        assert_int_equal(get_info(&f2, VDEV_ID, IPA_INFO), RSI_ERROR_STATE);
        assert_int_equal(dma_enable(&f2, 1, 0, 1), RSI_ERROR_STATE);
        assert_int_equal(realm_call(&f2, RSI_VDEV_DMA_DISABLE, VDEV_ID, 0, 0, 0, 0, 0), RSI_ERROR_STATE);
        assert_int_equal(f2.requests, 0);
        assert_int_equal(realm_call(&f2, RSI_FEATURES, 0, 0, 0, 0, 0, 0), RSI_SUCCESS);
        assert_int_equal(f2.k.out.x[1], 0);
        assert_int_equal(rmi(&f2.h, RMI_VDEV_COMPLETE, f2.rec, host_delegated(&f2.h), 0, 0, 0, NULL),
                         SMCCC_RET_NOT_SUPPORTED);
        host_fini(&f2.h);
}

/* ---- RSI_VDEV_GET_INFO ---- */

static void vdev_get_info_gives_the_realm_digests_of_what_the_host_cached(void **state)
{
        struct fx *f = *state;
        struct rmm_pdev_info pi;
        struct rmm_vdev_info vi;
        uint8_t d[HASH_MAX_LEN], zero[RSI_VDEV_DIGEST_MAX] = { 0 };
        vdev_started(f);
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_SUCCESS);
        assert_int_equal(f->requests, 1);               /* one exit, naming the Realm's id */
        assert_int_equal(f->requested_id, VDEV_ID);
        struct rsi_vdev_info i = info_seen(f);
        assert_int_equal(i.flags, 0);
        assert_int_equal(i.cert_id, 0);
        assert_int_equal(i.hash_algo, RSI_HASH_SHA_384);
        assert_int_equal(i.lock_nonce, 1);
        assert_int_equal(i.meas_nonce, 0);
        assert_int_equal(i.report_nonce, 1);
        assert_int_equal(i.format_type, RSI_VDEV_REPORT_FORMAT_TDISP);
        assert_int_equal(i.format_version, 0x10000);
        assert_int_equal(i.state, RSI_VDEV_STATE_STARTED);
        /* each digest is of the bytes the host holds (what a Realm fetches and checks) */
        assert_true(hash_once(HASH_SHA384, f->obj[RMI_DEV_OBJ_VCA], f->obj_len[RMI_DEV_OBJ_VCA], d));
        assert_memory_equal(i.vca_digest, d, 48);
        assert_true(hash_once(HASH_SHA384, f->obj[RMI_DEV_OBJ_CERTIFICATE], f->obj_len[RMI_DEV_OBJ_CERTIFICATE], d));
        assert_memory_equal(i.cert_digest, d, 48);
        assert_true(hash_once(HASH_SHA384, f->point, f->point_len, d));
        assert_memory_equal(i.pubkey_digest, d, 48);
        assert_true(hash_once(HASH_SHA384, f->obj[RMI_DEV_OBJ_MEASUREMENTS], f->obj_len[RMI_DEV_OBJ_MEASUREMENTS], d));
        assert_memory_equal(i.meas_digest, d, 48);
        assert_true(hash_once(HASH_SHA384, f->obj[RMI_DEV_OBJ_INTERFACE_REPORT],
                              f->obj_len[RMI_DEV_OBJ_INTERFACE_REPORT], d));
        assert_memory_equal(i.report_digest, d, 48);
        /* and what the RMM computed; the bytes past a SHA-384 digest are zero */
        assert_true(rmm_pdev_info(f->h.rmm, f->pdev, &pi));
        assert_true(rmm_vdev_info(f->h.rmm, f->vdev, &vi));
        assert_memory_equal(i.vca_digest, pi.vca_digest, 48);
        assert_memory_equal(i.meas_digest, pi.meas_digest, 48);
        assert_memory_equal(i.report_digest, vi.report_digest, 48);
        assert_memory_equal(i.vca_digest + 48, zero, 16);
        assert_memory_equal(i.report_digest + 48, zero, 16);
        assert_int_equal(i.vsmmu_addr, 0);
}

static void vdev_get_info_reports_locked_and_the_nonces_as_they_move(void **state)
{
        struct fx *f = *state;
        vdev_locked_reported(f);
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_SUCCESS);
        struct rsi_vdev_info i = info_seen(f);
        assert_int_equal(i.state, RSI_VDEV_STATE_LOCKED);
        assert_int_equal(i.report_nonce, 1);
        vdev_op(f, RMI_VDEV_GET_INTERFACE_REPORT);
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_SUCCESS);
        i = info_seen(f);
        assert_int_equal(i.report_nonce, 2);
        vdev_op(f, RMI_VDEV_UNLOCK);
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_SUCCESS);
        i = info_seen(f);
        assert_int_equal(i.state, RSI_VDEV_STATE_UNLOCKED);
        uint8_t zero[RSI_VDEV_DIGEST_MAX] = { 0 };
        assert_memory_equal(i.report_digest, zero, sizeof(zero)); /* no report since the unlock */
}

static void vdev_get_info_for_an_id_the_host_cannot_resolve_fails_input(void **state)
{
        struct fx *f = *state;
        vdev_started(f);
        f->answer = answer_nothing;                     /* the host has no VDEV 0x78 */
        assert_int_equal(get_info(f, VDEV_ID + 1, IPA_INFO), RSI_ERROR_INPUT);
        assert_int_equal(f->requests, 1);
        assert_int_equal(f->requested_id, VDEV_ID + 1);
        assert_true(page_is_zero(f, f->data_pa[IPA_INFO / GRANULE_SIZE]));
}

/* Tries to answer the request with the VDEV: refused, since its vdev_id is not the one asked. */
static void answer_with_the_vdev_refused(struct fx *f)
{
        assert_int_equal(rmi(&f->h, RMI_VDEV_COMPLETE, f->rec, f->vdev, 0, 0, 0, NULL), RMI_ERROR_INPUT);
}

static void vdev_complete_with_a_vdev_of_another_id_is_refused_and_the_call_fails(void **state)
{
        struct fx *f = *state;
        vdev_started(f);
        f->answer = answer_with_the_vdev_refused;
        assert_int_equal(get_info(f, VDEV_ID + 1, IPA_INFO), RSI_ERROR_INPUT);
        assert_true(page_is_zero(f, f->data_pa[IPA_INFO / GRANULE_SIZE]));
}

static void vdev_get_info_for_a_vdev_of_another_realm_fails_input(void **state)
{
        struct fx *f = *state;
        vdev_create(f, &f->other);                      /* same vdev_id, the other Realm's */
        f->answer = answer_with_the_vdev_refused;
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_ERROR_INPUT);
        assert_int_equal(f->requests, 1);
        assert_true(page_is_zero(f, f->data_pa[IPA_INFO / GRANULE_SIZE]));
}

static void vdev_get_info_refuses_an_unprotected_or_unaligned_buffer_without_an_exit(void **state)
{
        struct fx *f = *state;
        vdev_started(f);
        assert_int_equal(get_info(f, VDEV_ID, H_UNPROT_BASE + IPA_INFO), RSI_ERROR_INPUT);
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO + 0x100), RSI_ERROR_INPUT);
        assert_int_equal(get_info(f, VDEV_ID, 1ULL << 48), RSI_ERROR_INPUT);
        assert_int_equal(f->requests, 0);
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO + 0x200), RSI_SUCCESS); /* 512-aligned is enough */
}

static void vdev_get_info_refuses_a_buffer_the_realm_has_not_mapped(void **state)
{
        struct fx *f = *state;
        vdev_started(f);
        assert_int_equal(get_info(f, VDEV_ID, IPA_NODATA), RSI_ERROR_INPUT);     /* RAM, unassigned */
        assert_int_equal(get_info(f, VDEV_ID, H_RAM_TOP), RSI_ERROR_INPUT);      /* EMPTY */
        assert_int_equal(f->requests, 2);
}

/* ---- RMI_VDEV_COMPLETE ---- */

static void vdev_complete_needs_a_rec_waiting_on_a_vdev_request(void **state)
{
        struct fx *f = *state;
        vdev_started(f);
        /* the REC is not waiting (not run yet; then idle in a host call) */
        assert_int_equal(rmi(&f->h, RMI_VDEV_COMPLETE, f->rec, f->vdev, 0, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(realm_call(f, RSI_FEATURES, 0, 0, 0, 0, 0, 0), RSI_SUCCESS);
        assert_int_equal(rmi(&f->h, RMI_VDEV_COMPLETE, f->rec, f->vdev, 0, 0, 0, NULL), RMI_ERROR_INPUT);
}

/* Bad arguments, a second answer, a VDEV mid-operation; then the right answer. */
static void answer_after_refusals(struct fx *f)
{
        assert_int_equal(rmi(&f->h, RMI_VDEV_COMPLETE, f->vdev, f->vdev, 0, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(&f->h, RMI_VDEV_COMPLETE, f->rec, f->rec, 0, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(&f->h, RMI_VDEV_COMPLETE, f->rec, f->vdev + 8, 0, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(&f->h, RMI_VDEV_COMPLETE, f->rec + 8, f->vdev, 0, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(vrmi(f, RMI_VDEV_GET_INTERFACE_REPORT), RMI_SUCCESS); /* TDISP in flight */
        assert_int_equal(rmi(&f->h, RMI_VDEV_COMPLETE, f->rec, f->vdev, 0, 0, 0, NULL), RMI_ERROR_DEVICE);
        communicate(f, f->vdev);
        assert_int_equal(rmi(&f->h, RMI_VDEV_COMPLETE, f->rec, f->vdev, 0, 0, 0, NULL), RMI_SUCCESS);
        assert_int_equal(rmi(&f->h, RMI_VDEV_COMPLETE, f->rec, f->vdev, 0, 0, 0, NULL), RMI_ERROR_INPUT);
}

static void vdev_complete_refuses_bad_arguments_and_a_busy_vdev_then_accepts(void **state)
{
        struct fx *f = *state;
        vdev_started(f);
        f->answer = answer_after_refusals;
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_SUCCESS);
        struct rsi_vdev_info i = info_seen(f);
        assert_int_equal(i.report_nonce, 2);            /* the report fetched while it waited */
}

/* The host destroys the VDEV it named before re-entering the REC. */
static void answer_then_destroy(struct fx *f)
{
        answer_with_the_vdev(f);
        vdev_op(f, RMI_VDEV_UNLOCK);
        assert_int_equal(vrmi(f, RMI_VDEV_DESTROY), RMI_SUCCESS);
}

static void vdev_destroyed_after_complete_fails_the_call(void **state)
{
        struct fx *f = *state;
        vdev_started(f);
        f->answer = answer_then_destroy;
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_ERROR_INPUT);
        assert_true(page_is_zero(f, f->data_pa[IPA_INFO / GRANULE_SIZE]));
}

/* ---- RSI_VDEV_DMA_ENABLE / DISABLE ---- */

static void dma_enable_is_refused_before_the_vdev_is_started(void **state)
{
        struct fx *f = *state;
        vdev_locked_reported(f);
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_SUCCESS);
        struct rsi_vdev_info i = info_seen(f);
        assert_int_equal(dma_enable(f, i.lock_nonce, i.meas_nonce, i.report_nonce), RSI_ERROR_DEVICE);
        assert_int_equal(ste_mode(f, BDF), HW_STE_ABORT);
}

static void dma_enable_refuses_flags_and_planes_without_an_exit(void **state)
{
        struct fx *f = *state;
        vdev_started(f);
        assert_int_equal(realm_call(f, RSI_VDEV_DMA_ENABLE, VDEV_ID, 1, 0, 1, 0, 1), RSI_ERROR_INPUT);
        assert_int_equal(realm_call(f, RSI_VDEV_DMA_ENABLE, VDEV_ID, 0, 1, 1, 0, 1), RSI_ERROR_INPUT);
        assert_int_equal(f->requests, 0);
        assert_int_equal(ste_mode(f, BDF), HW_STE_ABORT);
}

static void dma_enable_with_stale_nonces_is_refused(void **state)
{
        struct fx *f = *state;
        vdev_started(f);
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_SUCCESS);
        struct rsi_vdev_info old = info_seen(f);
        vdev_op(f, RMI_VDEV_GET_INTERFACE_REPORT);      /* re-reported since the Realm looked */
        assert_int_equal(dma_enable(f, old.lock_nonce, old.meas_nonce, old.report_nonce), RSI_ERROR_DEVICE);
        assert_int_equal(ste_mode(f, BDF), HW_STE_ABORT);
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_SUCCESS);
        struct rsi_vdev_info now = info_seen(f);
        assert_int_equal(dma_enable(f, now.lock_nonce - 1, now.meas_nonce, now.report_nonce), RSI_ERROR_DEVICE);
        assert_int_equal(dma_enable(f, now.lock_nonce, now.meas_nonce + 1, now.report_nonce), RSI_ERROR_DEVICE);
        assert_int_equal(ste_mode(f, BDF), HW_STE_ABORT);
        assert_int_equal(dma_enable(f, now.lock_nonce, now.meas_nonce, now.report_nonce), RSI_SUCCESS);
        assert_int_equal(ste_mode(f, BDF), HW_STE_REALM);
}

static void dma_enable_after_a_relock_needs_the_new_lock_nonce(void **state)
{
        struct fx *f = *state;
        vdev_started(f);
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_SUCCESS);
        struct rsi_vdev_info old = info_seen(f);
        vdev_op(f, RMI_VDEV_UNLOCK);
        vdev_op(f, RMI_VDEV_LOCK);
        vdev_op(f, RMI_VDEV_GET_INTERFACE_REPORT);
        vdev_op(f, RMI_VDEV_START);
        assert_int_equal(dma_enable(f, old.lock_nonce, old.meas_nonce, old.report_nonce), RSI_ERROR_DEVICE);
        assert_int_equal(dma_enable(f, old.lock_nonce + 1, old.meas_nonce, old.report_nonce), RSI_ERROR_DEVICE);
        assert_int_equal(dma_enable(f, old.lock_nonce + 1, old.meas_nonce, old.report_nonce + 1), RSI_SUCCESS);
}

static void dma_enable_lets_the_tdi_write_its_realm_and_nothing_else(void **state)
{
        struct fx *f = *state;
        uint8_t b[64], other[GRANULE_SIZE], want[GRANULE_SIZE];
        vdev_started(f);
        assert_int_equal(tdi_write(f, BDF, true, IPA_DMA, 0xC3), HW_DMA_STREAM_ABORT);   /* before */
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_SUCCESS);
        struct rsi_vdev_info i = info_seen(f);
        assert_int_equal(dma_enable(f, i.lock_nonce, i.meas_nonce, i.report_nonce), RSI_SUCCESS);
        struct hw_ste ste;
        hw_smmu_ste_get(f->smmu, BDF, &ste);
        assert_int_equal(ste.mode, HW_STE_REALM);
        assert_true(ste.dma_enabled);
        assert_int_equal(ste.owner, (uint32_t)f->realm.vmid + 1);
        /* a T=1 write lands in the Realm's page behind IPA_DMA */
        assert_int_equal(tdi_write(f, BDF, true, IPA_DMA + 0x40, 0xC3), HW_DMA_OK);
        assert_int_equal(hw_read(f->h.mem, HW_WORLD_ROOT, f->data_pa[IPA_DMA / GRANULE_SIZE] + 0x40, b, sizeof(b),
                                 NULL),
                         HW_OK);
        for (unsigned k = 0; k < sizeof(b); k++)
                assert_int_equal(b[k], 0xC3);
        /* and nowhere else: T=0, an IPA not mapped, mapped but RIPAS EMPTY, unprotected (even
         * where the host mapped a shared page), the other Realm's page by its PA, another stream */
        uint64_t empty = host_delegated(&f->h), shared = host_alloc(&f->h);
        assert_int_equal(rmi(&f->h, RMI_DATA_CREATE_UNKNOWN, f->realm.rd, empty, H_RAM_TOP, 0, 0, NULL), RMI_SUCCESS);
        host_rtts_l3(&f->h, &f->realm, H_UNPROT_BASE);
        assert_int_equal(rmi(&f->h, RMI_RTT_MAP_UNPROTECTED, f->realm.rd, H_UNPROT_BASE + IPA_DMA, 3, shared, 0, NULL),
                         RMI_SUCCESS);
        assert_int_equal(tdi_write(f, BDF, false, IPA_DMA, 0xEE), HW_DMA_T_MISMATCH);
        assert_int_equal(tdi_write(f, BDF, true, IPA_NODATA, 0xEE), HW_DMA_S2_FAULT);
        assert_int_equal(tdi_write(f, BDF, true, H_RAM_TOP, 0xEE), HW_DMA_S2_FAULT);
        assert_int_equal(tdi_write(f, BDF, true, H_UNPROT_BASE + IPA_DMA, 0xEE), HW_DMA_S2_FAULT);
        assert_true(page_is_zero(f, empty));
        assert_true(page_is_zero(f, shared));
        assert_int_equal(tdi_write(f, BDF, true, f->other_pa, 0xEE), HW_DMA_S2_FAULT);
        assert_int_equal(tdi_write(f, BDF + 1, true, IPA_DMA, 0xEE), HW_DMA_STREAM_ABORT);
        assert_int_equal(hw_read(f->h.mem, HW_WORLD_ROOT, f->other_pa, other, sizeof(other), NULL), HW_OK);
        memset(want, 0x5A, sizeof(want));
        assert_memory_equal(other, want, sizeof(want));
        assert_true(page_is_zero(f, f->data_pa[3]));
        /* the host cannot take the stream over */
        struct hw_ste bypass = { .mode = HW_STE_BYPASS };
        assert_int_equal(hw_smmu_ste_set(f->smmu, HW_WORLD_NS, BDF, &bypass), HW_SMMU_DENIED);
}

static void dma_disable_takes_the_stream_back_to_abort(void **state)
{
        struct fx *f = *state;
        vdev_started(f);
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_SUCCESS);
        struct rsi_vdev_info i = info_seen(f);
        assert_int_equal(dma_enable(f, i.lock_nonce, i.meas_nonce, i.report_nonce), RSI_SUCCESS);
        assert_int_equal(tdi_write(f, BDF, true, IPA_DMA, 0x11), HW_DMA_OK);
        assert_int_equal(realm_call(f, RSI_VDEV_DMA_DISABLE, VDEV_ID, 0, 0, 0, 0, 0), RSI_SUCCESS);
        assert_int_equal(ste_mode(f, BDF), HW_STE_ABORT);
        assert_int_equal(tdi_write(f, BDF, true, IPA_DMA, 0x22), HW_DMA_STREAM_ABORT);
        assert_int_equal(realm_call(f, RSI_VDEV_DMA_DISABLE, VDEV_ID, 0, 0, 0, 0, 0), RSI_SUCCESS); /* again */
        f->answer = answer_nothing;
        assert_int_equal(realm_call(f, RSI_VDEV_DMA_DISABLE, VDEV_ID, 0, 0, 0, 0, 0), RSI_ERROR_INPUT);
}

static void vdev_unlock_takes_the_stream_down_before_the_tdi_stops(void **state)
{
        struct fx *f = *state;
        vdev_started(f);
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_SUCCESS);
        struct rsi_vdev_info i = info_seen(f);
        assert_int_equal(dma_enable(f, i.lock_nonce, i.meas_nonce, i.report_nonce), RSI_SUCCESS);
        assert_int_equal(vrmi(f, RMI_VDEV_UNLOCK), RMI_SUCCESS);
        assert_int_equal(ste_mode(f, BDF), HW_STE_ABORT);       /* at once, STOP not yet sent */
        assert_int_equal(pdev_tdi_state(f->dev), TDISP_STATE_RUN);
        assert_int_equal(tdi_write(f, BDF, true, IPA_DMA, 0x33), HW_DMA_STREAM_ABORT);
        communicate(f, f->vdev);
        assert_int_equal(vrmi(f, RMI_VDEV_DESTROY), RMI_SUCCESS);
}

static void vdev_error_takes_the_stream_down(void **state)
{
        struct fx *f = *state;
        vdev_started(f);
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_SUCCESS);
        struct rsi_vdev_info i = info_seen(f);
        assert_int_equal(dma_enable(f, i.lock_nonce, i.meas_nonce, i.report_nonce), RSI_SUCCESS);
        /* a report fetch the host aborts mid-exchange: the VDEV goes to ERROR */
        assert_int_equal(vrmi(f, RMI_VDEV_GET_INTERFACE_REPORT), RMI_SUCCESS);
        enter(f, RMI_DEV_COMM_NONE, 0);
        assert_int_equal(rmi(&f->h, RMI_VDEV_COMMUNICATE, f->vdev_rd, f->pdev, f->vdev, f->comm, 0, NULL),
                         RMI_SUCCESS);
        assert_int_equal(vrmi(f, RMI_VDEV_ABORT), RMI_SUCCESS);
        struct smc_regs r;
        assert_int_equal(rmi(&f->h, RMI_VDEV_GET_STATE, f->vdev_rd, f->pdev, f->vdev, 0, 0, &r), RMI_SUCCESS);
        assert_int_equal(r.x[1], RMI_VDEV_STATE_ERROR);
        assert_int_equal(ste_mode(f, BDF), HW_STE_ABORT);
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_SUCCESS);
        assert_int_equal(info_seen(f).state, RSI_VDEV_STATE_ERROR);
}

/* ---- RMI_VDEV_GET_MEASUREMENTS ---- */

/* An NS RmiVdevMeasureParams with flags and a nonce of bytes fill. */
static uint64_t measure_params(struct fx *f, uint64_t flags, uint8_t fill)
{
        static struct rmi_vdev_measure_params p;
        static uint8_t page[RMI_VDEV_MEASURE_PARAMS_SIZE];
        p.flags = flags;
        memset(p.nonce, fill, sizeof(p.nonce));
        rmi_vdev_measure_params_encode(&p, page);
        return page_of(f, page, sizeof(page));
}

static uint64_t vmeasure(struct fx *f, uint64_t params)
{
        return rmi(&f->h, RMI_VDEV_GET_MEASUREMENTS, f->vdev_rd, f->pdev, f->vdev, params, 0, NULL);
}

/* GET_MEASUREMENTS with nonce fill...; the host's cached copy starts afresh. */
static void measure(struct fx *f, uint64_t flags, uint8_t fill)
{
        free(f->obj[RMI_DEV_OBJ_MEASUREMENTS]);
        f->obj[RMI_DEV_OBJ_MEASUREMENTS] = NULL;
        f->obj_len[RMI_DEV_OBJ_MEASUREMENTS] = 0;
        assert_int_equal(vmeasure(f, measure_params(f, flags, fill)), RMI_SUCCESS);
        communicate(f, f->vdev);
}

static unsigned vdev_state(struct fx *f)
{
        struct smc_regs r;
        assert_int_equal(rmi(&f->h, RMI_VDEV_GET_STATE, f->vdev_rd, f->pdev, f->vdev, 0, 0, &r), RMI_SUCCESS);
        return (unsigned)r.x[1];
}

static unsigned pdev_state(struct fx *f)
{
        struct smc_regs r;
        assert_int_equal(rmi(&f->h, RMI_PDEV_GET_STATE, f->pdev, 0, 0, 0, 0, &r), RMI_SUCCESS);
        return (unsigned)r.x[1];
}

/* The measurement record the host cached decodes as ccada-dev's five DMTF blocks. */
static void assert_cached_record_is_the_devices(struct fx *f)
{
        struct spdm_meas_iter it;
        struct spdm_meas_block b;
        unsigned n = 0;
        enum spdm_iter st;
        assert_true(f->obj_len[RMI_DEV_OBJ_MEASUREMENTS] > 0);
        spdm_meas_iter_init(&it, f->obj[RMI_DEV_OBJ_MEASUREMENTS], f->obj_len[RMI_DEV_OBJ_MEASUREMENTS], 5);
        while ((st = spdm_meas_next(&it, &b, NULL)) == SPDM_ITER_ITEM)
                n++;
        assert_int_equal(st, SPDM_ITER_END);
        assert_int_equal(n, 5);
}

static void vdev_get_measurements_caches_the_record_and_keeps_its_digest_in_locked_and_started(void **state)
{
        struct fx *f = *state;
        struct rmm_vdev_info vi;
        uint8_t d[HASH_MAX_LEN];
        vdev_locked_reported(f);
        measure(f, 0, 0xA1);
        assert_int_equal(vdev_state(f), RMI_VDEV_STATE_LOCKED);
        assert_cached_record_is_the_devices(f);
        assert_true(rmm_vdev_info(f->h.rmm, f->vdev, &vi));
        assert_true(vi.have_meas);
        assert_int_equal(vi.meas_nonce, 1);
        assert_true(hash_once(HASH_SHA384, f->obj[RMI_DEV_OBJ_MEASUREMENTS], f->obj_len[RMI_DEV_OBJ_MEASUREMENTS], d));
        assert_memory_equal(vi.meas_digest, d, 48);

        vdev_op(f, RMI_VDEV_START);
        measure(f, 0, 0xB2);
        assert_int_equal(vdev_state(f), RMI_VDEV_STATE_STARTED);
        assert_int_equal(pdev_state(f), RMI_PDEV_STATE_READY);
        assert_cached_record_is_the_devices(f);
        assert_true(rmm_vdev_info(f->h.rmm, f->vdev, &vi));
        assert_int_equal(vi.meas_nonce, 2);
        assert_true(hash_once(HASH_SHA384, f->obj[RMI_DEV_OBJ_MEASUREMENTS], f->obj_len[RMI_DEV_OBJ_MEASUREMENTS], d));
        assert_memory_equal(vi.meas_digest, d, 48);
}

static void vdev_get_measurements_carries_the_hosts_nonce_to_the_device_signed(void **state)
{
        struct fx *f = *state;
        uint8_t want[32];
        const struct spdm_responder_stats *ds = pdev_spdm_stats(f->dev);
        vdev_locked_reported(f);
        uint64_t before = ds->meas_requests;
        measure(f, 0, 0x3C);
        assert_int_equal(ds->meas_requests, before + 1);
        memset(want, 0x3C, sizeof(want));
        assert_memory_equal(ds->last_meas_nonce, want, sizeof(want));
        measure(f, RMI_VDEV_MEASURE_FLAGS_RAW, 0xC3);   /* raw asked: ccada-dev answers digests */
        memset(want, 0xC3, sizeof(want));
        assert_memory_equal(ds->last_meas_nonce, want, sizeof(want));
        assert_cached_record_is_the_devices(f);
        struct rmm_vdev_info vi;
        assert_true(rmm_vdev_info(f->h.rmm, f->vdev, &vi));
        assert_int_equal(vi.meas_nonce, 2);
}

static void vdev_get_info_reports_the_vdevs_measurements_once_fetched(void **state)
{
        struct fx *f = *state;
        struct rmm_pdev_info pi;
        struct rmm_vdev_info vi;
        vdev_started(f);
        assert_true(rmm_pdev_info(f->h.rmm, f->pdev, &pi));
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_SUCCESS);
        struct rsi_vdev_info i = info_seen(f);
        assert_int_equal(i.meas_nonce, 0);                      /* none yet: the PDEV's */
        assert_memory_equal(i.meas_digest, pi.meas_digest, 48);
        measure(f, 0, 0x11);
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_SUCCESS);
        i = info_seen(f);
        assert_true(rmm_vdev_info(f->h.rmm, f->vdev, &vi));
        assert_int_equal(i.meas_nonce, 1);
        assert_memory_equal(i.meas_digest, vi.meas_digest, 48);
        uint8_t d[HASH_MAX_LEN];
        assert_true(hash_once(HASH_SHA384, f->obj[RMI_DEV_OBJ_MEASUREMENTS], f->obj_len[RMI_DEV_OBJ_MEASUREMENTS], d));
        assert_memory_equal(i.meas_digest, d, 48);
        measure(f, 0, 0x12);
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_SUCCESS);
        assert_int_equal(info_seen(f).meas_nonce, 2);
}

static void a_host_changing_its_cached_measurements_changes_nothing_the_realm_is_told(void **state)
{
        struct fx *f = *state;
        uint8_t honest[HASH_MAX_LEN], forged[HASH_MAX_LEN];
        vdev_started(f);
        measure(f, 0, 0x21);
        assert_true(hash_once(HASH_SHA384, f->obj[RMI_DEV_OBJ_MEASUREMENTS], f->obj_len[RMI_DEV_OBJ_MEASUREMENTS],
                              honest));
        /* the host rewrites its copy (and the response buffer the RMM wrote it to) */
        f->obj[RMI_DEV_OBJ_MEASUREMENTS][f->obj_len[RMI_DEV_OBJ_MEASUREMENTS] - 1] ^= 0x01;
        static uint8_t junk[GRANULE_SIZE];
        memset(junk, 0xEE, sizeof(junk));
        write_ns(f, f->rsp, junk, sizeof(junk));
        assert_true(hash_once(HASH_SHA384, f->obj[RMI_DEV_OBJ_MEASUREMENTS], f->obj_len[RMI_DEV_OBJ_MEASUREMENTS],
                              forged));
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_SUCCESS);
        struct rsi_vdev_info i = info_seen(f);
        assert_memory_equal(i.meas_digest, honest, 48);
        assert_memory_not_equal(i.meas_digest, forged, 48);
}

static void vdev_get_measurements_refuses_bad_arguments_with_error_input_and_changes_nothing(void **state)
{
        struct fx *f = *state;
        struct rmm_vdev_info vi;
        vdev_locked_reported(f);
        uint64_t good = measure_params(f, 0, 0x44);
        assert_int_equal(rmi(&f->h, RMI_VDEV_GET_MEASUREMENTS, f->pdev, f->pdev, f->vdev, good, 0, NULL),
                         RMI_ERROR_INPUT);      /* not an RD */
        assert_int_equal(rmi(&f->h, RMI_VDEV_GET_MEASUREMENTS, f->other.rd, f->pdev, f->vdev, good, 0, NULL),
                         RMI_ERROR_INPUT);      /* another Realm's RD */
        assert_int_equal(rmi(&f->h, RMI_VDEV_GET_MEASUREMENTS, f->vdev_rd, f->rp_pdev, f->vdev, good, 0, NULL),
                         RMI_ERROR_INPUT);      /* another PDEV */
        assert_int_equal(rmi(&f->h, RMI_VDEV_GET_MEASUREMENTS, f->vdev_rd, f->pdev, f->rp_pdev, good, 0, NULL),
                         RMI_ERROR_INPUT);      /* not a VDEV */
        assert_int_equal(rmi(&f->h, RMI_VDEV_GET_MEASUREMENTS, f->vdev_rd, f->pdev, f->vdev, f->rp_pdev, 0, NULL),
                         RMI_ERROR_INPUT);      /* params not NS memory */
        assert_int_equal(rmi(&f->h, RMI_VDEV_GET_MEASUREMENTS, f->vdev_rd, f->pdev, f->vdev, good + 8, 0, NULL),
                         RMI_ERROR_INPUT);      /* params not a granule */
        assert_int_equal(rmi(&f->h, RMI_VDEV_GET_MEASUREMENTS, f->vdev_rd, f->pdev, f->vdev, 1ULL << 52, 0, NULL),
                         RMI_ERROR_INPUT);      /* no memory there */
        assert_int_equal(vmeasure(f, measure_params(f, 2, 0x44)), RMI_ERROR_INPUT);     /* unknown flag */
        assert_int_equal(vmeasure(f, measure_params(f, 1ULL << 63, 0x44)), RMI_ERROR_INPUT);
        assert_true(rmm_vdev_info(f->h.rmm, f->vdev, &vi));
        assert_int_equal(vi.meas_nonce, 0);
        assert_false(vi.have_meas);
        /* nothing started: the VDEV has nothing to communicate, and a good call works */
        enter(f, RMI_DEV_COMM_NONE, 0);
        assert_int_equal(rmi(&f->h, RMI_VDEV_COMMUNICATE, f->vdev_rd, f->pdev, f->vdev, f->comm, 0, NULL),
                         RMI_ERROR_DEVICE);
        measure(f, 0, 0x44);
        assert_true(rmm_vdev_info(f->h.rmm, f->vdev, &vi));
        assert_int_equal(vi.meas_nonce, 1);
}

static void vdev_get_measurements_in_new_unlocked_or_error_or_while_busy_fails_device(void **state)
{
        struct fx *f = *state;
        uint64_t params = measure_params(f, 0, 0x55);
        /* NEW: its CREATE exchanges are still to run */
        static struct rmi_vdev_params p;
        static uint8_t page[RMI_VDEV_PARAMS_SIZE];
        memset(&p, 0, sizeof(p));
        p.vdev_id = VDEV_ID;
        p.tdi_id = BDF;
        rmi_vdev_params_encode(&p, page);
        f->vdev = host_delegated(&f->h);
        f->vdev_rd = f->realm.rd;
        assert_int_equal(rmi(&f->h, RMI_VDEV_CREATE, f->realm.rd, f->pdev, f->vdev, page_of(f, page, sizeof(page)), 0,
                             NULL),
                         RMI_SUCCESS);
        assert_int_equal(vdev_state(f), RMI_VDEV_STATE_NEW);
        assert_int_equal(vmeasure(f, params), RMI_ERROR_DEVICE);
        communicate(f, f->vdev);
        assert_int_equal(vdev_state(f), RMI_VDEV_STATE_UNLOCKED);
        assert_int_equal(vmeasure(f, params), RMI_ERROR_DEVICE);
        /* LOCKED with the LOCK's exchanges still running, then its own already running */
        assert_int_equal(vrmi(f, RMI_VDEV_LOCK), RMI_SUCCESS);
        assert_int_equal(vmeasure(f, params), RMI_ERROR_DEVICE);
        communicate(f, f->vdev);
        assert_int_equal(vdev_state(f), RMI_VDEV_STATE_LOCKED);
        assert_int_equal(vmeasure(f, params), RMI_SUCCESS);
        assert_int_equal(vmeasure(f, params), RMI_ERROR_DEVICE);
        assert_int_equal(vrmi(f, RMI_VDEV_GET_INTERFACE_REPORT), RMI_ERROR_DEVICE);
        /* the host aborts it mid-exchange: ERROR, where it is refused too */
        enter(f, RMI_DEV_COMM_NONE, 0);
        assert_int_equal(rmi(&f->h, RMI_VDEV_COMMUNICATE, f->vdev_rd, f->pdev, f->vdev, f->comm, 0, NULL),
                         RMI_SUCCESS);
        assert_int_equal(vrmi(f, RMI_VDEV_ABORT), RMI_SUCCESS);
        assert_int_equal(vdev_state(f), RMI_VDEV_STATE_ERROR);
        assert_int_equal(vmeasure(f, params), RMI_ERROR_DEVICE);
        struct rmm_vdev_info vi;
        assert_true(rmm_vdev_info(f->h.rmm, f->vdev, &vi));
        assert_int_equal(vi.meas_nonce, 0);
}

static void a_device_answering_error_to_get_measurements_puts_the_vdev_in_error_with_a_reason(void **state)
{
        struct fx *f = *state;
        struct rmm_vdev_info vi;
        vdev_started(f);
        spdm_responder_meas_fault(pdev_responder(f->dev), SPDM_RSP_MEAS_ERROR);
        measure(f, 0, 0x66);
        assert_int_equal(vdev_state(f), RMI_VDEV_STATE_ERROR);
        assert_true(rmm_vdev_info(f->h.rmm, f->vdev, &vi));
        assert_non_null(strstr(vi.why, "GET_MEASUREMENTS answered ERROR"));
        assert_int_equal(vi.meas_nonce, 0);
        assert_false(vi.have_meas);
        assert_int_equal(f->obj_len[RMI_DEV_OBJ_MEASUREMENTS], 0);      /* nothing cached */
        assert_int_equal(pdev_state(f), RMI_PDEV_STATE_READY);          /* the session lives on */
        assert_int_equal(ste_mode(f, BDF), HW_STE_ABORT);
}

static void a_device_answering_garbage_to_get_measurements_puts_the_vdev_in_error_with_a_reason(void **state)
{
        struct fx *f = *state;
        struct rmm_vdev_info vi;
        vdev_started(f);
        spdm_responder_meas_fault(pdev_responder(f->dev), SPDM_RSP_MEAS_GARBAGE);
        measure(f, 0, 0x77);
        assert_int_equal(vdev_state(f), RMI_VDEV_STATE_ERROR);
        assert_true(rmm_vdev_info(f->h.rmm, f->vdev, &vi));
        assert_non_null(strstr(vi.why, "MEASUREMENTS"));
        assert_false(vi.have_meas);
        assert_int_equal(f->obj_len[RMI_DEV_OBJ_MEASUREMENTS], 0);
        /* a malformed answer in the session breaks it (the requester's rule) */
        assert_int_equal(pdev_state(f), RMI_PDEV_STATE_ERROR);
}

static void dma_enable_and_validate_mapping_need_the_current_meas_nonce(void **state)
{
        struct fx *f = *state;
        vdev_started(f);
        assert_int_equal(get_info(f, VDEV_ID, IPA_INFO), RSI_SUCCESS);
        struct rsi_vdev_info old = info_seen(f);
        measure(f, 0, 0x88);                            /* measured again since the Realm looked */
        struct smc_regs v = { .x = { RSI_VDEV_VALIDATE_MAPPING, VDEV_ID, 0x100000, 0x101000, 0x40000000, 0,
                                     old.lock_nonce, old.meas_nonce, old.report_nonce } };
        assert_int_equal(realm_call_regs(f, &v), RSI_ERROR_DEVICE);
        assert_int_equal(f->validations, 0);
        assert_int_equal(dma_enable(f, old.lock_nonce, old.meas_nonce, old.report_nonce), RSI_ERROR_DEVICE);
        assert_int_equal(ste_mode(f, BDF), HW_STE_ABORT);
        v.x[7] = old.meas_nonce + 1;
        assert_int_equal(realm_call_regs(f, &v), RSI_SUCCESS);
        assert_int_equal(f->validations, 1);
        assert_int_equal(dma_enable(f, old.lock_nonce, old.meas_nonce + 1, old.report_nonce), RSI_SUCCESS);
        assert_int_equal(ste_mode(f, BDF), HW_STE_REALM);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(rsi_vdev_calls_fail_state_without_device_assignment_and_never_exit),
                T(rsi_features_advertises_device_assignment),
                T(vdev_get_info_gives_the_realm_digests_of_what_the_host_cached),
                T(vdev_get_info_reports_locked_and_the_nonces_as_they_move),
                T(vdev_get_info_for_an_id_the_host_cannot_resolve_fails_input),
                T(vdev_complete_with_a_vdev_of_another_id_is_refused_and_the_call_fails),
                T(vdev_get_info_for_a_vdev_of_another_realm_fails_input),
                T(vdev_get_info_refuses_an_unprotected_or_unaligned_buffer_without_an_exit),
                T(vdev_get_info_refuses_a_buffer_the_realm_has_not_mapped),
                T(vdev_complete_needs_a_rec_waiting_on_a_vdev_request),
                T(vdev_complete_refuses_bad_arguments_and_a_busy_vdev_then_accepts),
                T(vdev_destroyed_after_complete_fails_the_call),
                T(dma_enable_is_refused_before_the_vdev_is_started),
                T(dma_enable_refuses_flags_and_planes_without_an_exit),
                T(dma_enable_with_stale_nonces_is_refused),
                T(dma_enable_after_a_relock_needs_the_new_lock_nonce),
                T(dma_enable_lets_the_tdi_write_its_realm_and_nothing_else),
                T(dma_disable_takes_the_stream_back_to_abort),
                T(vdev_unlock_takes_the_stream_down_before_the_tdi_stops),
                T(vdev_error_takes_the_stream_down),
                T(vdev_get_measurements_caches_the_record_and_keeps_its_digest_in_locked_and_started),
                T(vdev_get_measurements_carries_the_hosts_nonce_to_the_device_signed),
                T(vdev_get_info_reports_the_vdevs_measurements_once_fetched),
                T(a_host_changing_its_cached_measurements_changes_nothing_the_realm_is_told),
                T(vdev_get_measurements_refuses_bad_arguments_with_error_input_and_changes_nothing),
                T(vdev_get_measurements_in_new_unlocked_or_error_or_while_busy_fails_device),
                T(a_device_answering_error_to_get_measurements_puts_the_vdev_in_error_with_a_reason),
                T(a_device_answering_garbage_to_get_measurements_puts_the_vdev_in_error_with_a_reason),
                T(dma_enable_and_validate_mapping_need_the_current_meas_nonce),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
