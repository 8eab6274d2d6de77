/* The device-assignment rig (see da_rig.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "da_rig.h"
#include "lib/x509_chain.h"
#include "proto/rmi_params.h"
#include "proto/tdisp.h"
#include "rmm/tsm.h"

static bool failed(struct da_rig *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Records why a try_* call failed; returns false for the caller to pass on. */
static bool failed(struct da_rig *r, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        (void)vsnprintf(r->why, sizeof(r->why), fmt, ap);
        va_end(ap);
        return false;
}

/* An unexpected failure: the caller's hook, which does not return. */
static _Noreturn void fail(struct da_rig *r, const char *why)
{
        if (r->cfg.fail)
                r->cfg.fail(why);
        abort();
}

static void expect(struct da_rig *r, bool ok)
{
        if (!ok)
                fail(r, r->why);
}

static void expect_success(struct da_rig *r, uint64_t status, const char *what)
{
        if (status != RMI_SUCCESS) {
                (void)failed(r, "%s: status %llu", what, (unsigned long long)status);
                fail(r, r->why);
        }
}

/* ---- the rig ---- */

void da_rig_init(struct da_rig *r, const struct da_rig_config *cfg)
{
        char why[PDEV_WHY_LEN] = "";
        struct pdev_config pc = { .bdf = DA_RIG_BDF, .seed = (const uint8_t *)cfg->seed,
                                  .seed_len = strlen(cfg->seed) };
        memset(r, 0, sizeof(*r));
        r->cfg = *cfg;
        r->next = cfg->ns_base;
        if (cfg->fw)
                pc.fw = *cfg->fw;
        hw_pcie_init(&r->pcie);
        if (!pdev_new(&r->dev, &r->pcie, &pc, why) || !doe_relay_find(&r->relay, &r->pcie, NULL, why) ||
            !doe_relay_discover(&r->relay, why))
                fail(r, why);
        if (cfg->trust_root) {
                const uint8_t *root;
                size_t root_len;
                pdev_root(r->dev, &root, &root_len);
                if (!rmm_tsm_provision(cfg->rmm, root, root_len, DA_RIG_NOW, false))
                        fail(r, "rmm_tsm_provision refused ccada-dev's root");
        }
        if (cfg->smmu) {
                if (!hw_smmu_create(&r->smmu, cfg->mem, NULL))
                        fail(r, "hw_smmu_create");
                rmm_platform_smmu(cfg->rmm, r->smmu);
        }
        r->comm = da_rig_alloc(r);
        r->req = da_rig_alloc(r);
        r->rsp = da_rig_alloc(r);
        r->params = da_rig_alloc(r);
}

void da_rig_fini(struct da_rig *r)
{
        hw_smmu_destroy(r->smmu);
        hw_ide_free(r->rp_ide);
        for (unsigned i = 0; i < DA_RIG_OBJS; i++)
                free(r->obj[i]);
        pdev_free(r->dev);
        memset(r, 0, sizeof(*r));
}

/* ---- the host's plumbing ---- */

uint64_t da_rig_alloc(struct da_rig *r)
{
        uint64_t pa = r->next;
        if ((pa - r->cfg.ns_base) / GRANULE_SIZE >= r->cfg.ns_granules)
                fail(r, "the rig's NS granules ran out");
        r->next += GRANULE_SIZE;
        return pa;
}

uint64_t da_rig_delegated(struct da_rig *r)
{
        uint64_t pa = da_rig_alloc(r);
        expect_success(r, da_rig_rmi(r, RMI_GRANULE_DELEGATE, pa, 0, 0, 0, 0, 0, NULL), "RMI_GRANULE_DELEGATE");
        return pa;
}

void da_rig_write_ns(struct da_rig *r, uint64_t pa, const void *buf, size_t len)
{
        if (hw_write(r->cfg.mem, HW_WORLD_NS, pa, buf, len, NULL) != HW_OK)
                fail(r, "an NS write failed");
}

void da_rig_read_ns(struct da_rig *r, uint64_t pa, void *buf, size_t len)
{
        if (hw_read(r->cfg.mem, HW_WORLD_NS, pa, buf, len, NULL) != HW_OK)
                fail(r, "an NS read failed");
}

uint64_t da_rig_page_of(struct da_rig *r, const void *buf, size_t len)
{
        uint64_t pa = da_rig_alloc(r);
        da_rig_write_ns(r, pa, buf, len);
        return pa;
}

/* The rig's own parameter page, holding buf. */
static uint64_t params_of(struct da_rig *r, const void *buf, size_t len)
{
        da_rig_write_ns(r, r->params, buf, len);
        return r->params;
}

uint64_t da_rig_rmi(struct da_rig *r, uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                    uint64_t a6, struct smc_regs *out)
{
        struct smc_regs regs = { .x = { fid, a1, a2, a3, a4, a5, a6 } };
        const char *first = NULL;
        rmi_smc(r->cfg.rmm, &regs);
        if (rmm_violations(r->cfg.rmm, &first) != 0) {
                (void)failed(r, "RMM violation: %s", first ? first : "?");
                fail(r, r->why);
        }
        if (out)
                *out = regs;
        return regs.x[0];
}

/* ---- RmiDevCommData ---- */

void da_rig_enter(struct da_rig *r, unsigned status, uint64_t rsp_len)
{
        struct rmi_dev_comm_enter e = { .status = status, .req_addr = r->req, .rsp_addr = r->rsp, .rsp_len = rsp_len };
        memset(r->page, 0, RMI_DEV_COMM_DATA_SIZE);
        rmi_dev_comm_enter_encode(&e, r->page);
        da_rig_write_ns(r, r->comm, r->page, RMI_DEV_COMM_DATA_SIZE);
}

/* Appends [off, off + len) of the buffer at pa to cached object id. */
static bool keep(struct da_rig *r, uint64_t pa, uint64_t off, uint64_t len, unsigned id)
{
        if (id >= DA_RIG_OBJS || off > GRANULE_SIZE || len > GRANULE_SIZE - off)
                return failed(r, "the RMM asked to cache object %u at +%llu, %llu bytes", id,
                              (unsigned long long)off, (unsigned long long)len);
        uint8_t *grown = realloc(r->obj[id], r->obj_len[id] + (size_t)len + 1);
        if (!grown)
                return failed(r, "out of memory caching object %u", id);
        r->obj[id] = grown;
        da_rig_read_ns(r, pa + off, r->obj[id] + r->obj_len[id], (size_t)len);
        r->obj_len[id] += (size_t)len;
        return true;
}

/* One request of x relayed to ccada-dev; its response in the response buffer, *n bytes. */
static bool relay(struct da_rig *r, const struct rmi_dev_comm_exit *x, size_t *n)
{
        char why[DOE_RELAY_WHY_LEN] = "";
        bool sec;
        if (x->req_len > GRANULE_SIZE)
                return failed(r, "the RMM's request is %llu bytes", (unsigned long long)x->req_len);
        da_rig_read_ns(r, r->req, r->req_buf, (size_t)x->req_len);
        if (!doe_relay_exchange(&r->relay, x->protocol == RMI_DEV_PROTOCOL_SECURE_SPDM, r->req_buf,
                                (size_t)x->req_len, r->rsp_buf, sizeof(r->rsp_buf), n, &sec, why))
                return failed(r, "the DOE relay: %s", why);
        if (*n > GRANULE_SIZE)
                return failed(r, "ccada-dev's response is %zu bytes", *n);
        da_rig_write_ns(r, r->rsp, r->rsp_buf, *n);
        return true;
}

bool da_rig_try_communicate(struct da_rig *r, uint64_t vdev)
{
        unsigned status = RMI_DEV_COMM_NONE;
        size_t n = 0;
        for (unsigned i = 0; i < 64; i++) {
                struct rmi_dev_comm_exit x;
                da_rig_enter(r, status, n);
                uint64_t st = vdev ? da_rig_rmi(r, RMI_VDEV_COMMUNICATE, r->vdev_rd, r->pdev, vdev, r->comm, 0, 0, NULL)
                                   : da_rig_rmi(r, RMI_PDEV_COMMUNICATE, r->pdev, r->comm, 0, 0, 0, 0, NULL);
                if (st != RMI_SUCCESS)
                        return failed(r, "%s: status %llu", vdev ? "RMI_VDEV_COMMUNICATE" : "RMI_PDEV_COMMUNICATE",
                                      (unsigned long long)st);
                da_rig_read_ns(r, r->comm, r->page, RMI_DEV_COMM_DATA_SIZE);
                rmi_dev_comm_exit_decode(r->page, &x);
                if ((x.flags & RMI_DEV_COMM_EXIT_RSP_CACHE) &&
                    !keep(r, r->rsp, x.cache_rsp_offset, x.cache_rsp_len, x.cache_obj_id))
                        return false;
                if ((x.flags & RMI_DEV_COMM_EXIT_REQ_CACHE) &&
                    !keep(r, r->req, x.cache_req_offset, x.cache_req_len, x.cache_obj_id))
                        return false;
                if (!(x.flags & RMI_DEV_COMM_EXIT_REQ_SEND))
                        return true;
                if (!relay(r, &x, &n))
                        return false;
                status = RMI_DEV_COMM_RESPONSE;
        }
        return failed(r, "the RMM did not finish in 64 rounds");
}

void da_rig_communicate(struct da_rig *r, uint64_t vdev)
{
        expect(r, da_rig_try_communicate(r, vdev));
}

/* ---- PDEV ---- */

/* The Root Port as a PDEV (READY at its first COMMUNICATE), its IDE engine the platform's. */
static void root_port(struct da_rig *r)
{
        struct hw_ide_config c = { .stream_id = 0, .default_stream = true };
        struct rmi_pdev_params p = { .pdev_id = 9, .routing_id = DA_RIG_RP_RID, .rid_top = 0x100,
                                     .hash_algo = RMI_HASH_SHA_384 };
        if (!hw_ide_new(&r->rp_ide, &c))
                fail(r, "hw_ide_new");
        rmm_platform_root_port(r->cfg.rmm, DA_RIG_RP_RID, r->rp_ide);
        r->rp_pdev = da_rig_delegated(r);
        rmi_pdev_params_encode(&p, r->page);
        expect_success(r, da_rig_rmi(r, RMI_PDEV_CREATE, r->rp_pdev, params_of(r, r->page, RMI_PDEV_PARAMS_SIZE), 0,
                                     0, 0, 0, NULL),
                       "RMI_PDEV_CREATE of the Root Port");
        da_rig_enter(r, RMI_DEV_COMM_NONE, 0);
        expect_success(r, da_rig_rmi(r, RMI_PDEV_COMMUNICATE, r->rp_pdev, r->comm, 0, 0, 0, 0, NULL),
                       "RMI_PDEV_COMMUNICATE of the Root Port");
}

/* SET_PUBKEY with the key of the leaf certificate the host cached. */
static void set_pubkey(struct da_rig *r)
{
        struct rmi_pubkey_params k;
        struct ec_key *key = NULL;
        char why[X509_CHAIN_WHY_LEN] = "";
        if (!x509_chain_leaf_key(r->obj[RMI_DEV_OBJ_CERTIFICATE], r->obj_len[RMI_DEV_OBJ_CERTIFICATE], &key, NULL, 0,
                                 why))
                fail(r, why);
        bool ok = ec_key_point(key, r->point, EC_POINT_MAX, &r->point_len);
        ec_key_free(key);
        if (!ok || r->point_len > sizeof(k.key))
                fail(r, "the leaf certificate's key");
        memset(&k, 0, sizeof(k));
        memcpy(k.key, r->point, r->point_len);
        k.key_len = r->point_len;
        k.algo = RMI_SIG_ECDSA_P384;
        rmi_pubkey_params_encode(&k, r->page);
        expect_success(r, da_rig_rmi(r, RMI_PDEV_SET_PUBKEY, r->pdev, params_of(r, r->page, RMI_PUBKEY_PARAMS_SIZE), 0,
                                     0, 0, 0, NULL),
                       "RMI_PDEV_SET_PUBKEY");
        da_rig_communicate(r, 0);
}

void da_rig_pdev_ready_with_stream(struct da_rig *r)
{
        struct rmi_pdev_params ep = { .flags = RMI_PDEV_FLAGS_SPDM |
                                               (uint64_t)RMI_PDEV_CATEGORY_OFF_CHIP << RMI_PDEV_FLAGS_CATEGORY_SHIFT,
                                      .pdev_id = 1, .routing_id = DA_RIG_BDF, .rid_base = DA_RIG_BDF,
                                      .rid_top = DA_RIG_BDF + 1, .hash_algo = RMI_HASH_SHA_384 };
        struct smc_regs out;
        root_port(r);
        r->pdev = da_rig_delegated(r);
        rmi_pdev_params_encode(&ep, r->page);
        expect_success(r, da_rig_rmi(r, RMI_PDEV_CREATE, r->pdev, params_of(r, r->page, RMI_PDEV_PARAMS_SIZE), 0, 0,
                                     0, 0, NULL),
                       "RMI_PDEV_CREATE");
        da_rig_communicate(r, 0);
        set_pubkey(r);
        struct rmi_stream_params sp = { .stream_type = RMI_STREAM_TYPE_NCOH, .pdev_1 = r->rp_pdev,
                                        .pdev_2 = r->pdev };
        rmi_stream_params_encode(&sp, r->page);
        expect_success(r, da_rig_rmi(r, RMI_PDEV_STREAM_CONNECT, params_of(r, r->page, RMI_STREAM_PARAMS_SIZE), 0, 0,
                                     0, 0, 0, &out),
                       "RMI_PDEV_STREAM_CONNECT");
        da_rig_communicate(r, 0);
        expect_success(r, da_rig_rmi(r, RMI_PDEV_STREAM_COMPLETE, r->pdev, r->rp_pdev, out.x[1], 0, 0, 0, NULL),
                       "RMI_PDEV_STREAM_COMPLETE");
}

/* ---- VDEV ---- */

void da_rig_vdev_params_default(struct rmi_vdev_params *p)
{
        memset(p, 0, sizeof(*p));
        p->vdev_id = DA_RIG_VDEV_ID;
        p->tdi_id = DA_RIG_BDF;
}

bool da_rig_try_vdev_create(struct da_rig *r, uint64_t rd, uint64_t vdev, const struct rmi_vdev_params *p)
{
        struct rmi_vdev_params def;
        if (!p) {
                da_rig_vdev_params_default(&def);
                p = &def;
        }
        rmi_vdev_params_encode(p, r->page);
        r->vdev = vdev;
        r->vdev_rd = rd;
        uint64_t st = da_rig_rmi(r, RMI_VDEV_CREATE, rd, r->pdev, vdev, params_of(r, r->page, RMI_VDEV_PARAMS_SIZE), 0,
                                 0, NULL);
        if (st != RMI_SUCCESS)
                return failed(r, "RMI_VDEV_CREATE: status %llu", (unsigned long long)st);
        return da_rig_try_communicate(r, vdev);
}

void da_rig_vdev_create(struct da_rig *r, uint64_t rd, const struct rmi_vdev_params *p)
{
        expect(r, da_rig_try_vdev_create(r, rd, da_rig_delegated(r), p));
}

uint64_t da_rig_vdev_rmi(struct da_rig *r, uint64_t fid)
{
        return da_rig_rmi(r, fid, r->vdev_rd, r->pdev, r->vdev, 0, 0, 0, NULL);
}

bool da_rig_try_vdev_cmd(struct da_rig *r, uint64_t fid)
{
        uint64_t st = da_rig_vdev_rmi(r, fid);
        if (st != RMI_SUCCESS)
                return failed(r, "VDEV command 0x%llx: status %llu", (unsigned long long)fid, (unsigned long long)st);
        return da_rig_try_communicate(r, r->vdev);
}

void da_rig_vdev_op(struct da_rig *r, uint64_t fid)
{
        expect(r, da_rig_try_vdev_cmd(r, fid));
}

void da_rig_vdev_locked_reported(struct da_rig *r, uint64_t rd, const struct rmi_vdev_params *p)
{
        da_rig_vdev_create(r, rd, p);
        da_rig_vdev_op(r, RMI_VDEV_LOCK);
        da_rig_vdev_op(r, RMI_VDEV_GET_INTERFACE_REPORT);
}

void da_rig_vdev_started(struct da_rig *r, uint64_t rd, const struct rmi_vdev_params *p)
{
        da_rig_vdev_locked_reported(r, rd, p);
        da_rig_vdev_op(r, RMI_VDEV_START);
        if (pdev_tdi_state(r->dev) != TDISP_STATE_RUN)
                fail(r, "STARTED, but ccada-dev's TDI is not in RUN");
}

/* ---- the Realm ---- */

static void realm_request(struct realm_kernel *k, struct ccada_cpu *cpu)
{
        switch (k->op) {
        case DA_SMC:
                k->out = k->in;
                cpu_smc(cpu, &k->out);
                if (k->in.x[0] == RSI_VDEV_GET_INFO && k->out.x[0] == RSI_SUCCESS)
                        k->load = cpu_load(cpu, k->in.x[2], k->info, sizeof(k->info));
                break;
        case DA_MMIO_READ: k->res = cpu_mmio_read(cpu, k->ipa, k->size, &k->val); break;
        case DA_MMIO_WRITE: k->res = cpu_mmio_write(cpu, k->ipa, k->size, k->val); break;
        case DA_LOAD: k->res = cpu_load(cpu, k->ipa, k->buf, sizeof(k->buf)); break;
        case DA_COPY: k->res = cpu_copy(cpu, k->ipa2, k->ipa, sizeof(k->buf)); break;
        }
}

void da_rig_realm_program(struct realm_kernel *k, struct ccada_cpu *cpu, uint64_t pc, const uint64_t *x)
{
        (void)pc;
        (void)x;
        for (;;) {
                if (k->has_cmd) {
                        realm_request(k, cpu);
                        k->has_cmd = false;
                        k->done++;
                }
                struct smc_regs hc = { .x = { RSI_HOST_CALL, 0 } };
                cpu_smc(cpu, &hc);
        }
}

static void realm_create(struct da_rig *r, struct da_rig_realm *z)
{
        struct rmi_realm_params rp = { .s2sz = 40, .num_bps = 1, .num_wps = 1, .vmid = 1, .rtt_level_start = 1,
                                       .rtt_num_start = 2 };
        z->rd = da_rig_delegated(r);
        rp.rtt_base = da_rig_delegated(r);
        if (da_rig_delegated(r) != rp.rtt_base + GRANULE_SIZE)
                fail(r, "the starting-level RTTs are not contiguous");
        rmi_realm_params_encode(&rp, r->page);
        expect_success(r, da_rig_rmi(r, RMI_REALM_CREATE, z->rd, params_of(r, r->page, RMI_REALM_PARAMS_SIZE), 0, 0, 0,
                                     0, NULL),
                       "RMI_REALM_CREATE");
        expect_success(r, da_rig_rmi(r, RMI_RTT_CREATE, z->rd, da_rig_delegated(r), 0, 2, 0, 0, NULL),
                       "RMI_RTT_CREATE level 2");
        expect_success(r, da_rig_rmi(r, RMI_RTT_CREATE, z->rd, da_rig_delegated(r), 0, 3, 0, 0, NULL),
                       "RMI_RTT_CREATE level 3");
        expect_success(r, da_rig_rmi(r, RMI_RTT_INIT_RIPAS, z->rd, 0, DA_RIG_RAM_TOP, 0, 0, 0, NULL),
                       "RMI_RTT_INIT_RIPAS");
}

void da_rig_realm_up(struct da_rig *r, struct da_rig_realm *z, struct realm_kernel *k)
{
        struct rmi_rec_params recp = { .flags = RMI_REC_FLAG_RUNNABLE };
        realm_create(r, z);
        uint64_t src = da_rig_alloc(r);
        for (unsigned i = 0; i < DA_RIG_DATA_PAGES; i++) {
                z->data_pa[i] = da_rig_delegated(r);
                expect_success(r, da_rig_rmi(r, RMI_DATA_CREATE, z->rd, z->data_pa[i], (uint64_t)i * GRANULE_SIZE, src,
                                             RMI_NO_MEASURE_CONTENT, 0, NULL),
                               "RMI_DATA_CREATE");
        }
        rmi_rec_params_encode(&recp, r->page);
        z->rec = da_rig_delegated(r);
        expect_success(r, da_rig_rmi(r, RMI_REC_CREATE, z->rd, z->rec, params_of(r, r->page, RMI_REC_PARAMS_SIZE), 0,
                                     0, 0, NULL),
                       "RMI_REC_CREATE");
        expect_success(r, da_rig_rmi(r, RMI_REALM_ACTIVATE, z->rd, 0, 0, 0, 0, 0, NULL), "RMI_REALM_ACTIVATE");
        struct ccada_realm_program p = { .entry = da_rig_realm_program, .kernel = k };
        if (!rmm_bind_realm_program(r->cfg.rmm, z->rd, &p))
                fail(r, "rmm_bind_realm_program");
        z->run = da_rig_alloc(r);
}
