/* RMI_PDEV_CREATE / COMMUNICATE / GET_STATE / SET_PUBKEY / STOP / ABORT / DESTROY (RMM
 * 2.0-beta device assignment as TF-RMM main realises it; facts/spdm-tdisp-ide.md §7). The
 * host here is the test: it lays out RmiPdevParams and RmiDevCommData in NS memory, carries
 * each request to ccada-dev's DOE mailbox on the platform's PCIe, and keeps the objects the
 * RMM marks for caching. The RMM's invariants are checked after every call (rmm_harness).
 * What the RMM reports is checked against independent views: the cached chain verifies
 * against the device's root with X.509, the digests are recomputed from the cached bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "device/pdev.h"
#include "hw/ide.h"
#include "hw/link.h"
#include "host/doe_relay.h"
#include "lib/crypto.h"
#include "lib/ec.h"
#include "lib/x509_chain.h"
#include "proto/rmi_da.h"
#include "proto/spdm.h"
#include "proto/tdisp.h"
#include "rmm/tsm.h"
#include "rmm_harness.h"

#define DEC_2026 1796169600
#define BDF HW_PCIE_BDF(0, 3, 0)

struct rig {
        struct host h;
        struct hw_pcie pcie;
        struct pdev *dev;
        struct doe_relay relay;
        uint64_t pdev, comm, req, rsp;
        uint8_t *obj[4];
        struct hw_ide *rp_ide;          /* the platform's Root Port engine (stream tests) */
        uint64_t rp_pdev;
        size_t obj_len[4];
        unsigned rounds;
};

static void rig_up_cfg(struct rig *g, bool da, bool anchor)
{
        char why[PDEV_WHY_LEN] = "";
        struct pdev_config pc = { .bdf = BDF, .seed = (const uint8_t *)"pdev-test", .seed_len = 9 };
        struct rmm_config c;
        memset(g, 0, sizeof(*g));
        rmm_config_default(&c);
        c.da = da;
        host_init_cfg(&g->h, &c);
        hw_pcie_init(&g->pcie);
        if (!pdev_new(&g->dev, &g->pcie, &pc, why))
                fail_msg("pdev_new: %s", why);
        assert_true(doe_relay_find(&g->relay, &g->pcie, NULL, why));
        assert_true(doe_relay_discover(&g->relay, why));
        if (anchor) {
                const uint8_t *root;
                size_t len;
                pdev_root(g->dev, &root, &len);
                assert_true(rmm_tsm_provision(g->h.rmm, root, len, DEC_2026, false));
        }
        g->pdev = host_delegated(&g->h);
        g->comm = host_alloc(&g->h);
        g->req = host_alloc(&g->h);
        g->rsp = host_alloc(&g->h);
}

static int setup_anchored(void **state)
{
        struct rig *g = calloc(1, sizeof(*g));
        rig_up_cfg(g, true, true);
        *state = g;
        return 0;
}

static int setup_plain(void **state)
{
        struct rig *g = calloc(1, sizeof(*g));
        rig_up_cfg(g, true, false);
        *state = g;
        return 0;
}

static int teardown(void **state)
{
        struct rig *g = *state;
        hw_ide_free(g->rp_ide);
        for (unsigned i = 0; i < 4; i++)
                free(g->obj[i]);
        pdev_free(g->dev);
        host_fini(&g->h);
        free(g);
        return 0;
}

static void write_ns(struct rig *g, uint64_t pa, const void *buf, size_t len)
{
        assert_int_equal(hw_write(g->h.mem, HW_WORLD_NS, pa, buf, len, NULL), HW_OK);
}

static void read_ns(struct rig *g, uint64_t pa, void *buf, size_t len)
{
        assert_int_equal(hw_read(g->h.mem, HW_WORLD_NS, pa, buf, len, NULL), HW_OK);
}

static uint64_t params_page(struct rig *g, const struct rmi_pdev_params *p)
{
        static uint8_t page[RMI_PDEV_PARAMS_SIZE];
        uint64_t pa = host_alloc(&g->h);
        rmi_pdev_params_encode(p, page);
        write_ns(g, pa, page, sizeof(page));
        return pa;
}

static struct rmi_pdev_params endpoint(void)
{
        return (struct rmi_pdev_params){ .flags = RMI_PDEV_FLAGS_SPDM |
                                                  (uint64_t)RMI_PDEV_CATEGORY_OFF_CHIP << RMI_PDEV_FLAGS_CATEGORY_SHIFT,
                                         .pdev_id = 1, .routing_id = BDF, .rid_base = BDF, .rid_top = BDF + 1,
                                         .hash_algo = RMI_HASH_SHA_384 };
}

static uint64_t create(struct rig *g, const struct rmi_pdev_params *p)
{
        return rmi(&g->h, RMI_PDEV_CREATE, g->pdev, params_page(g, p), 0, 0, 0, NULL);
}

static unsigned state_of(struct rig *g)
{
        struct smc_regs r;
        assert_int_equal(rmi(&g->h, RMI_PDEV_GET_STATE, g->pdev, 0, 0, 0, 0, &r), RMI_SUCCESS);
        return (unsigned)r.x[1];
}

static void enter(struct rig *g, unsigned status, uint64_t rsp_len)
{
        static uint8_t page[RMI_DEV_COMM_DATA_SIZE];
        struct rmi_dev_comm_enter e = { .status = status, .req_addr = g->req, .rsp_addr = g->rsp, .rsp_len = rsp_len };
        memset(page, 0, sizeof(page));
        rmi_dev_comm_enter_encode(&e, page);
        write_ns(g, g->comm, page, sizeof(page));
}

static struct rmi_dev_comm_exit exit_of(struct rig *g)
{
        static uint8_t page[RMI_DEV_COMM_DATA_SIZE];
        struct rmi_dev_comm_exit x;
        read_ns(g, g->comm, page, sizeof(page));
        rmi_dev_comm_exit_decode(page, &x);
        return x;
}

static void keep(struct rig *g, uint64_t pa, uint64_t off, uint64_t len, unsigned id)
{
        assert_true(id < 4 && off + len <= GRANULE_SIZE);
        g->obj[id] = realloc(g->obj[id], g->obj_len[id] + len + 1);
        read_ns(g, pa + off, g->obj[id] + g->obj_len[id], len);
        g->obj_len[id] += len;
}

/* Relays the request of x to the device; the answer into the response buffer. Returns its
 * length. */
static size_t relay(struct rig *g, const struct rmi_dev_comm_exit *x)
{
        static uint8_t req[GRANULE_SIZE], rsp[DOE_RELAY_MAX_OBJECT];
        char why[DOE_RELAY_WHY_LEN] = "";
        size_t n = 0;
        bool sec;
        assert_true(x->req_len <= sizeof(req));
        read_ns(g, g->req, req, (size_t)x->req_len);
        assert_true(doe_relay_exchange(&g->relay, x->protocol == RMI_DEV_PROTOCOL_SECURE_SPDM, req,
                                       (size_t)x->req_len, rsp, sizeof(rsp), &n, &sec, why));
        assert_true(n <= GRANULE_SIZE);
        write_ns(g, g->rsp, rsp, n);
        return n;
}

/* The host's loop: COMMUNICATE until the RMM asks for nothing. */
static void communicate(struct rig *g)
{
        unsigned status = RMI_DEV_COMM_NONE;
        size_t n = 0;
        for (unsigned i = 0; i < 64; i++) {
                enter(g, status, n);
                assert_int_equal(rmi(&g->h, RMI_PDEV_COMMUNICATE, g->pdev, g->comm, 0, 0, 0, NULL), RMI_SUCCESS);
                struct rmi_dev_comm_exit x = exit_of(g);
                if (x.flags & RMI_DEV_COMM_EXIT_RSP_CACHE)
                        keep(g, g->rsp, x.cache_rsp_offset, x.cache_rsp_len, x.cache_obj_id);
                if (x.flags & RMI_DEV_COMM_EXIT_REQ_CACHE)
                        keep(g, g->req, x.cache_req_offset, x.cache_req_len, x.cache_obj_id);
                g->rounds++;
                if (!(x.flags & RMI_DEV_COMM_EXIT_REQ_SEND))
                        return;
                n = relay(g, &x);
                status = RMI_DEV_COMM_RESPONSE;
        }
        fail_msg("the RMM did not finish in 64 rounds");
}

static uint64_t pubkey_page(struct rig *g, const uint8_t *key, size_t len, unsigned algo)
{
        static struct rmi_pubkey_params k;
        static uint8_t page[RMI_PUBKEY_PARAMS_SIZE];
        memset(&k, 0, sizeof(k));
        memcpy(k.key, key, len);
        k.key_len = len;
        k.algo = algo;
        rmi_pubkey_params_encode(&k, page);
        uint64_t pa = host_alloc(&g->h);
        write_ns(g, pa, page, sizeof(page));
        return pa;
}

/* The leaf key of the chain the host cached, as an uncompressed point. */
static size_t cached_leaf_key(struct rig *g, uint8_t *point)
{
        struct ec_key *k = NULL;
        char why[X509_CHAIN_WHY_LEN] = "";
        size_t len = 0;
        assert_true(x509_chain_leaf_key(g->obj[RMI_DEV_OBJ_CERTIFICATE], g->obj_len[RMI_DEV_OBJ_CERTIFICATE], &k, NULL,
                                        0, why));
        assert_true(ec_key_point(k, point, EC_POINT_MAX, &len));
        ec_key_free(k);
        return len;
}

static void to_needs_key(struct rig *g)
{
        struct rmi_pdev_params p = endpoint();
        assert_int_equal(create(g, &p), RMI_SUCCESS);
        assert_int_equal(state_of(g), RMI_PDEV_STATE_NEW);
        communicate(g);
        assert_int_equal(state_of(g), RMI_PDEV_STATE_NEEDS_KEY);
}

static void to_ready(struct rig *g)
{
        uint8_t point[EC_POINT_MAX];
        to_needs_key(g);
        size_t n = cached_leaf_key(g, point);
        assert_int_equal(rmi(&g->h, RMI_PDEV_SET_PUBKEY, g->pdev, pubkey_page(g, point, n, RMI_SIG_ECDSA_P384), 0, 0,
                             0, NULL),
                         RMI_SUCCESS);
        assert_int_equal(state_of(g), RMI_PDEV_STATE_HAS_KEY);
        communicate(g);
        assert_int_equal(state_of(g), RMI_PDEV_STATE_READY);
}

/* ---- the interface exists only with an assignable device ---- */

static void pdev_commands_are_not_supported_without_device_assignment(void **state)
{
        struct host h;
        struct smc_regs r;
        (void)state;
        host_init(&h);
        assert_int_equal(rmi(&h, RMI_FEATURES, 0, 0, 0, 0, 0, &r), RMI_SUCCESS);
        assert_int_equal(r.x[1] & RMI_FEATURE_REGISTER_0_DA, 0);
        uint64_t pa = host_delegated(&h);
        assert_int_equal(rmi(&h, RMI_PDEV_CREATE, pa, host_alloc(&h), 0, 0, 0, NULL), SMCCC_RET_NOT_SUPPORTED);
        assert_int_equal(rmi(&h, RMI_PDEV_GET_STATE, pa, 0, 0, 0, 0, NULL), SMCCC_RET_NOT_SUPPORTED);
        assert_int_equal(rmi(&h, RMI_PDEV_COMMUNICATE, pa, host_alloc(&h), 0, 0, 0, NULL), SMCCC_RET_NOT_SUPPORTED);
        assert_undelegate_ok(&h, pa);
        host_fini(&h);
}

static void rmi_features_advertises_device_assignment_when_configured(void **state)
{
        struct rig *g = *state;
        struct smc_regs r;
        assert_int_equal(rmi(&g->h, RMI_FEATURES, 0, 0, 0, 0, 0, &r), RMI_SUCCESS);
        assert_int_equal(r.x[1] & RMI_FEATURE_REGISTER_0_DA, RMI_FEATURE_REGISTER_0_DA);
}

/* ---- RMI_PDEV_CREATE ---- */

static void pdev_create_rejects_malformed_params_and_leaves_the_granule_delegated(void **state)
{
        struct rig *g = *state;
        struct rmi_pdev_params p = endpoint();
        p.flags |= 1ull << 7;                           /* an unknown flag */
        assert_int_equal(create(g, &p), RMI_ERROR_INPUT);
        p = endpoint();
        p.flags &= ~(uint64_t)RMI_PDEV_FLAGS_SPDM;      /* an endpoint that speaks no SPDM */
        assert_int_equal(create(g, &p), RMI_ERROR_INPUT);
        p = endpoint();
        p.flags = RMI_PDEV_FLAGS_SPDM;                  /* a Root Port that speaks SPDM */
        assert_int_equal(create(g, &p), RMI_ERROR_INPUT);
        p = endpoint();
        p.flags |= 3ull << RMI_PDEV_FLAGS_CATEGORY_SHIFT; /* category 3 */
        assert_int_equal(create(g, &p), RMI_ERROR_INPUT);
        p = endpoint();
        p.hash_algo = 3;
        assert_int_equal(create(g, &p), RMI_ERROR_INPUT);
        p = endpoint();
        p.rid_top = p.rid_base;
        assert_int_equal(create(g, &p), RMI_ERROR_INPUT);
        p = endpoint();
        p.rid_top = 0x10001;
        assert_int_equal(create(g, &p), RMI_ERROR_INPUT);
        p = endpoint();                                 /* params in Realm PAS */
        assert_int_equal(rmi(&g->h, RMI_PDEV_CREATE, g->pdev, host_delegated(&g->h), 0, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(&g->h, RMI_PDEV_CREATE, g->pdev, params_page(g, &p) + 8, 0, 0, 0, NULL),
                         RMI_ERROR_INPUT);
        assert_int_equal(rmi(&g->h, RMI_PDEV_GET_STATE, g->pdev, 0, 0, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(create(g, &p), RMI_SUCCESS);   /* the granule was still DELEGATED */
}

static void pdev_create_needs_a_delegated_granule_and_a_fresh_pdev_id(void **state)
{
        struct rig *g = *state;
        struct rmi_pdev_params p = endpoint();
        uint64_t ns = host_alloc(&g->h);
        assert_int_equal(rmi(&g->h, RMI_PDEV_CREATE, ns, params_page(g, &p), 0, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(create(g, &p), RMI_SUCCESS);
        assert_int_equal(create(g, &p), RMI_ERROR_INPUT); /* the granule is a PDEV now */
        uint64_t other = host_delegated(&g->h);
        assert_int_equal(rmi(&g->h, RMI_PDEV_CREATE, other, params_page(g, &p), 0, 0, 0, NULL), RMI_ERROR_INPUT);
        p.pdev_id = 2;
        assert_int_equal(rmi(&g->h, RMI_PDEV_CREATE, other, params_page(g, &p), 0, 0, 0, NULL), RMI_SUCCESS);
        assert_undelegate_fails(&g->h, g->pdev);        /* in use */
}

static void root_port_pdev_is_ready_after_one_communicate(void **state)
{
        struct rig *g = *state;
        struct rmi_pdev_params p = endpoint();
        p.flags = 0;                                    /* category 0, no SPDM */
        assert_int_equal(create(g, &p), RMI_SUCCESS);
        communicate(g);
        assert_int_equal(g->rounds, 1);
        assert_int_equal(state_of(g), RMI_PDEV_STATE_READY);
}

/* ---- the conversation ---- */

static void pdev_reaches_needs_key_with_the_vca_and_chain_cached(void **state)
{
        struct rig *g = *state;
        const uint8_t *root;
        size_t root_len;
        struct x509_chain_result xr;
        char why[X509_CHAIN_WHY_LEN] = "";
        to_needs_key(g);
        /* the VCA in conversation order: GET_VERSION, VERSION, GET_CAPABILITIES, ... */
        const uint8_t *v = g->obj[RMI_DEV_OBJ_VCA];
        assert_true(g->obj_len[RMI_DEV_OBJ_VCA] > 4);
        assert_int_equal(v[0], 0x10);
        assert_int_equal(v[1], SPDM_GET_VERSION);
        assert_int_equal(v[4 + 1], SPDM_VERSION);
        /* the chain: DER certificates only, which verify against the device's root */
        pdev_root(g->dev, &root, &root_len);
        assert_true(x509_chain_verify(g->obj[RMI_DEV_OBJ_CERTIFICATE], g->obj_len[RMI_DEV_OBJ_CERTIFICATE], root,
                                      root_len, DEC_2026, &xr, why));
        assert_int_equal(xr.count, 3);
        x509_chain_result_clear(&xr);
        assert_int_equal(g->obj_len[RMI_DEV_OBJ_MEASUREMENTS], 0);
        /* the digests the RMM reports are of exactly those bytes */
        struct rmm_pdev_info info;
        uint8_t d[HASH_MAX_LEN];
        assert_true(rmm_pdev_info(g->h.rmm, g->pdev, &info));
        assert_true(info.have_vca && info.have_cert && !info.have_meas);
        assert_int_equal(info.digest_len, 48);
        assert_true(hash_once(HASH_SHA384, g->obj[RMI_DEV_OBJ_VCA], g->obj_len[RMI_DEV_OBJ_VCA], d));
        assert_memory_equal(d, info.vca_digest, 48);
        assert_true(hash_once(HASH_SHA384, g->obj[RMI_DEV_OBJ_CERTIFICATE], g->obj_len[RMI_DEV_OBJ_CERTIFICATE], d));
        assert_memory_equal(d, info.cert_digest, 48);
}

static void pdev_becomes_ready_with_a_session_and_its_measurements_cached(void **state)
{
        struct rig *g = *state;
        struct rmm_pdev_info info;
        uint8_t d[HASH_MAX_LEN];
        uint32_t sid;
        to_ready(g);
        assert_true(rmm_pdev_info(g->h.rmm, g->pdev, &info));
        assert_true(info.have_meas);
        assert_true(g->obj_len[RMI_DEV_OBJ_MEASUREMENTS] > 0);
        assert_true(hash_once(HASH_SHA384, g->obj[RMI_DEV_OBJ_MEASUREMENTS], g->obj_len[RMI_DEV_OBJ_MEASUREMENTS], d));
        assert_memory_equal(d, info.meas_digest, 48);
        assert_true(spdm_responder_session(pdev_responder(g->dev), &sid));
        assert_true(spdm_requester_result(info.requester)->session);
        assert_int_equal(spdm_requester_error(info.requester, NULL), SPDM_REQ_OK);
}

static void pdev_stop_ends_the_session_and_destroy_returns_the_granule(void **state)
{
        struct rig *g = *state;
        uint32_t sid;
        to_ready(g);
        assert_int_equal(rmi(&g->h, RMI_PDEV_DESTROY, g->pdev, 0, 0, 0, 0, NULL), RMI_ERROR_DEVICE);
        assert_int_equal(rmi(&g->h, RMI_PDEV_STOP, g->pdev, 0, 0, 0, 0, NULL), RMI_SUCCESS);
        communicate(g);                                 /* END_SESSION */
        assert_int_equal(state_of(g), RMI_PDEV_STATE_STOPPED);
        assert_false(spdm_responder_session(pdev_responder(g->dev), &sid));
        assert_int_equal(rmi(&g->h, RMI_PDEV_STOP, g->pdev, 0, 0, 0, 0, NULL), RMI_ERROR_DEVICE);
        assert_int_equal(rmi(&g->h, RMI_PDEV_DESTROY, g->pdev, 0, 0, 0, 0, NULL), RMI_SUCCESS);
        assert_int_equal(rmi(&g->h, RMI_PDEV_GET_STATE, g->pdev, 0, 0, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_undelegate_ok(&g->h, g->pdev);
}

/* ---- SET_PUBKEY ---- */

static void pdev_set_pubkey_refuses_a_malformed_key_and_keeps_waiting(void **state)
{
        struct rig *g = *state;
        uint8_t point[EC_POINT_MAX], bad[EC_POINT_MAX];
        to_needs_key(g);
        size_t n = cached_leaf_key(g, point);
        memcpy(bad, point, n);
        bad[n - 1] ^= 1;                                /* off the curve */
        assert_int_equal(rmi(&g->h, RMI_PDEV_SET_PUBKEY, g->pdev, pubkey_page(g, bad, n, RMI_SIG_ECDSA_P384), 0, 0, 0,
                             NULL),
                         RMI_ERROR_INPUT);
        assert_int_equal(rmi(&g->h, RMI_PDEV_SET_PUBKEY, g->pdev, pubkey_page(g, point, n, RMI_SIG_ECDSA_P256), 0, 0,
                             0, NULL),
                         RMI_ERROR_INPUT);              /* not the negotiated algorithm */
        assert_int_equal(rmi(&g->h, RMI_PDEV_SET_PUBKEY, g->pdev, pubkey_page(g, point, 0, RMI_SIG_ECDSA_P384), 0, 0,
                             0, NULL),
                         RMI_ERROR_INPUT);              /* no key */
        assert_int_equal(rmi(&g->h, RMI_PDEV_SET_PUBKEY, g->pdev, pubkey_page(g, point, n, RMI_SIG_RSASSA_3072), 0,
                             0, 0, NULL),
                         RMI_ERROR_INPUT);
        assert_int_equal(state_of(g), RMI_PDEV_STATE_NEEDS_KEY);
        assert_int_equal(rmi(&g->h, RMI_PDEV_SET_PUBKEY, g->pdev, pubkey_page(g, point, n, RMI_SIG_ECDSA_P384), 0, 0,
                             0, NULL),
                         RMI_SUCCESS);
        assert_int_equal(rmi(&g->h, RMI_PDEV_SET_PUBKEY, g->pdev, pubkey_page(g, point, n, RMI_SIG_ECDSA_P384), 0, 0,
                             0, NULL),
                         RMI_ERROR_DEVICE);             /* HAS_KEY now */
}

static uint64_t other_key_page(struct rig *g)
{
        struct ec_key *k = NULL;
        uint8_t point[EC_POINT_MAX];
        size_t n;
        assert_true(ec_key_derive(&k, EC_P384, (const uint8_t *)"another", 7, "test"));
        assert_true(ec_key_point(k, point, sizeof(point), &n));
        ec_key_free(k);
        return pubkey_page(g, point, n, RMI_SIG_ECDSA_P384);
}

static void pdev_with_an_anchor_refuses_a_key_that_is_not_the_leafs(void **state)
{
        struct rig *g = *state;
        to_needs_key(g);
        assert_int_equal(rmi(&g->h, RMI_PDEV_SET_PUBKEY, g->pdev, other_key_page(g), 0, 0, 0, NULL), RMI_ERROR_DEVICE);
        assert_int_equal(state_of(g), RMI_PDEV_STATE_ERROR);
        assert_int_equal(rmi(&g->h, RMI_PDEV_COMMUNICATE, g->pdev, g->comm, 0, 0, 0, NULL), RMI_ERROR_DEVICE);
}

static void pdev_without_an_anchor_fails_the_challenge_signed_by_another_key(void **state)
{
        struct rig *g = *state;
        struct rmm_pdev_info info;
        to_needs_key(g);
        assert_int_equal(rmi(&g->h, RMI_PDEV_SET_PUBKEY, g->pdev, other_key_page(g), 0, 0, 0, NULL), RMI_SUCCESS);
        communicate(g);
        assert_int_equal(state_of(g), RMI_PDEV_STATE_ERROR);
        assert_true(rmm_pdev_info(g->h.rmm, g->pdev, &info));
        assert_int_equal(spdm_requester_error(info.requester, NULL), SPDM_REQ_E_SIGNATURE);
}

/* ---- a hostile host in RmiDevCommData ---- */

static void pdev_communicate_refuses_a_response_longer_than_a_granule_and_changes_nothing(void **state)
{
        struct rig *g = *state;
        struct rmi_pdev_params p = endpoint();
        assert_int_equal(create(g, &p), RMI_SUCCESS);
        enter(g, RMI_DEV_COMM_NONE, 0);
        assert_int_equal(rmi(&g->h, RMI_PDEV_COMMUNICATE, g->pdev, g->comm, 0, 0, 0, NULL), RMI_SUCCESS);
        struct rmi_dev_comm_exit x = exit_of(g);
        assert_true(x.flags & RMI_DEV_COMM_EXIT_REQ_SEND);
        size_t n = relay(g, &x);
        enter(g, RMI_DEV_COMM_RESPONSE, GRANULE_SIZE + 1);
        assert_int_equal(rmi(&g->h, RMI_PDEV_COMMUNICATE, g->pdev, g->comm, 0, 0, 0, NULL), RMI_ERROR_INPUT);
        enter(g, RMI_DEV_COMM_NONE, n);                 /* no answer while one is due */
        assert_int_equal(rmi(&g->h, RMI_PDEV_COMMUNICATE, g->pdev, g->comm, 0, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(&g->h, RMI_PDEV_COMMUNICATE, g->pdev, host_delegated(&g->h), 0, 0, 0, NULL),
                         RMI_ERROR_INPUT);              /* RmiDevCommData in Realm PAS */
        assert_int_equal(state_of(g), RMI_PDEV_STATE_NEW);
        enter(g, RMI_DEV_COMM_RESPONSE, n);             /* the proper answer still goes on */
        assert_int_equal(rmi(&g->h, RMI_PDEV_COMMUNICATE, g->pdev, g->comm, 0, 0, 0, NULL), RMI_SUCCESS);
        x = exit_of(g);
        assert_true(x.flags & RMI_DEV_COMM_EXIT_REQ_SEND);
        assert_true(x.flags & RMI_DEV_COMM_EXIT_RSP_CACHE); /* VERSION, cached */
}

static void pdev_communicate_transport_error_fails_the_pdev(void **state)
{
        struct rig *g = *state;
        struct rmi_pdev_params p = endpoint();
        assert_int_equal(create(g, &p), RMI_SUCCESS);
        enter(g, RMI_DEV_COMM_NONE, 0);
        assert_int_equal(rmi(&g->h, RMI_PDEV_COMMUNICATE, g->pdev, g->comm, 0, 0, 0, NULL), RMI_SUCCESS);
        enter(g, RMI_DEV_COMM_ERROR, 0);
        assert_int_equal(rmi(&g->h, RMI_PDEV_COMMUNICATE, g->pdev, g->comm, 0, 0, 0, NULL), RMI_SUCCESS);
        assert_int_equal(exit_of(g).flags, 0);
        assert_int_equal(state_of(g), RMI_PDEV_STATE_ERROR);
        assert_int_equal(rmi(&g->h, RMI_PDEV_STOP, g->pdev, 0, 0, 0, 0, NULL), RMI_SUCCESS);
        assert_int_equal(rmi(&g->h, RMI_PDEV_DESTROY, g->pdev, 0, 0, 0, 0, NULL), RMI_SUCCESS);
}

static void pdev_communicate_with_a_flipped_response_fails_the_pdev(void **state)
{
        struct rig *g = *state;
        struct rmi_pdev_params p = endpoint();
        uint8_t b;
        assert_int_equal(create(g, &p), RMI_SUCCESS);
        enter(g, RMI_DEV_COMM_NONE, 0);
        assert_int_equal(rmi(&g->h, RMI_PDEV_COMMUNICATE, g->pdev, g->comm, 0, 0, 0, NULL), RMI_SUCCESS);
        struct rmi_dev_comm_exit x = exit_of(g);
        size_t n = relay(g, &x);
        read_ns(g, g->rsp, &b, 1);
        b ^= 0x01;                                      /* VERSION's version byte */
        write_ns(g, g->rsp, &b, 1);
        enter(g, RMI_DEV_COMM_RESPONSE, n);
        assert_int_equal(rmi(&g->h, RMI_PDEV_COMMUNICATE, g->pdev, g->comm, 0, 0, 0, NULL), RMI_SUCCESS);
        assert_int_equal(exit_of(g).flags, 0);          /* nothing cached, nothing more to send */
        assert_int_equal(state_of(g), RMI_PDEV_STATE_ERROR);
}

static void pdev_abort_mid_exchange_fails_the_pdev(void **state)
{
        struct rig *g = *state;
        struct rmi_pdev_params p = endpoint();
        assert_int_equal(create(g, &p), RMI_SUCCESS);
        assert_int_equal(rmi(&g->h, RMI_PDEV_ABORT, g->pdev, 0, 0, 0, 0, NULL), RMI_SUCCESS); /* nothing out */
        assert_int_equal(state_of(g), RMI_PDEV_STATE_NEW);
        enter(g, RMI_DEV_COMM_NONE, 0);
        assert_int_equal(rmi(&g->h, RMI_PDEV_COMMUNICATE, g->pdev, g->comm, 0, 0, 0, NULL), RMI_SUCCESS);
        assert_int_equal(rmi(&g->h, RMI_PDEV_STOP, g->pdev, 0, 0, 0, 0, NULL), RMI_ERROR_DEVICE); /* mid-exchange */
        assert_int_equal(rmi(&g->h, RMI_PDEV_ABORT, g->pdev, 0, 0, 0, 0, NULL), RMI_SUCCESS);
        assert_int_equal(state_of(g), RMI_PDEV_STATE_ERROR);
}


/* ---- IDE stream: RMI_PDEV_STREAM_CONNECT / COMPLETE / DISCONNECT ---- */

#define RP_RID HW_PCIE_BDF(0, 1, 0)

static void with_root_port(struct rig *g, bool registered)
{
        struct hw_ide_config c = { .stream_id = 0, .default_stream = true };
        assert_true(hw_ide_new(&g->rp_ide, &c));
        if (registered)
                rmm_platform_root_port(g->h.rmm, RP_RID, g->rp_ide);
        struct rmi_pdev_params p = { .flags = 0, .pdev_id = 9, .routing_id = RP_RID, .rid_base = 0,
                                     .rid_top = 0x100, .hash_algo = RMI_HASH_SHA_384 };
        g->rp_pdev = host_delegated(&g->h);
        assert_int_equal(rmi(&g->h, RMI_PDEV_CREATE, g->rp_pdev, params_page(g, &p), 0, 0, 0, NULL), RMI_SUCCESS);
        enter(g, RMI_DEV_COMM_NONE, 0);
        assert_int_equal(rmi(&g->h, RMI_PDEV_COMMUNICATE, g->rp_pdev, g->comm, 0, 0, 0, NULL), RMI_SUCCESS);
}

static uint64_t stream_params(struct rig *g, uint64_t type, uint64_t sid)
{
        static struct rmi_stream_params p;
        static uint8_t page[RMI_STREAM_PARAMS_SIZE];
        memset(&p, 0, sizeof(p));
        p.stream_type = type;
        p.pdev_1 = g->rp_pdev;
        p.pdev_2 = g->pdev;
        p.ide_sid = sid;
        rmi_stream_params_encode(&p, page);
        uint64_t pa = host_alloc(&g->h);
        write_ns(g, pa, page, sizeof(page));
        return pa;
}

static uint64_t connect(struct rig *g)
{
        struct smc_regs r;
        assert_int_equal(rmi(&g->h, RMI_PDEV_STREAM_CONNECT, stream_params(g, RMI_STREAM_TYPE_NCOH, 0), 0, 0, 0, 0,
                             &r),
                         RMI_SUCCESS);
        return r.x[1];
}

struct seen {
        unsigned n;
        bool t;
        uint8_t data[64];
};

static void at_rp(void *ctx, enum hw_link_end at, const struct hw_tlp *tlp)
{
        struct seen *s = ctx;
        (void)at;
        s->n++;
        s->t = tlp->ide.t;
        if (tlp->data && tlp->len <= sizeof(s->data))
                memcpy(s->data, tlp->data, tlp->len);
}

static enum hw_tap_verdict snoop(void *ctx, enum hw_link_end from, uint8_t *wire, size_t *len, size_t cap)
{
        uint8_t *copy = ctx;
        (void)from;
        (void)cap;
        memcpy(copy, wire, *len < 128 ? *len : 128);
        return HW_TAP_PASS;
}

static void ide_stream_connect_keys_both_ends_and_a_tlp_crosses_sealed(void **state)
{
        struct rig *g = *state;
        struct hw_link *l;
        struct seen seen = { 0 };
        uint8_t wire[128] = { 0 };
        static const uint8_t payload[16] = "DMA into realm!";
        with_root_port(g, true);
        to_ready(g);
        uint64_t h = connect(g);
        assert_int_equal(rmi(&g->h, RMI_PDEV_STREAM_COMPLETE, g->pdev, g->rp_pdev, h, 0, 0, NULL), RMI_ERROR_DEVICE);
        communicate(g);                                 /* QUERY, 6 KEY_PROG, 6 K_SET_GO */
        assert_int_equal(rmi(&g->h, RMI_PDEV_STREAM_COMPLETE, g->pdev, g->rp_pdev, h, 0, 0, NULL), RMI_SUCCESS);
        assert_int_equal(hw_ide_state(g->rp_ide), HW_IDE_SECURE);
        assert_int_equal(hw_ide_state(pdev_ide_engine(g->dev)), HW_IDE_SECURE);
        assert_true(rmm_stream_secure(g->h.rmm));
        /* a TEE write from the device arrives whole; the wire carried no plaintext */
        assert_true(hw_link_new(&l, g->rp_ide, pdev_ide_engine(g->dev)));
        hw_link_set_handler(l, HW_LINK_RP, at_rp, &seen);
        hw_link_set_tap(l, snoop, wire);
        struct hw_tlp t = { .kind = HW_TLP_MWR, .ide = { .t = true }, .requester_id = BDF, .addr = 0x80000000,
                            .len = sizeof(payload), .data = payload };
        assert_int_equal(hw_link_send(l, HW_LINK_EP, &t, NULL), HW_LINK_DELIVERED);
        assert_int_equal(seen.n, 1);
        assert_true(seen.t);
        assert_memory_equal(seen.data, payload, sizeof(payload));
        for (size_t i = 0; i + 8 <= sizeof(wire); i++)
                assert_memory_not_equal(wire + i, "DMA into", 8);
        hw_link_free(l);
}

static void ide_stream_connect_needs_the_platforms_root_port_and_ready_pdevs(void **state)
{
        struct rig *g = *state;
        with_root_port(g, false);
        struct rmi_pdev_params p = endpoint();
        assert_int_equal(create(g, &p), RMI_SUCCESS);   /* NEW, not READY */
        assert_int_equal(rmi(&g->h, RMI_PDEV_STREAM_CONNECT, stream_params(g, RMI_STREAM_TYPE_NCOH, 0), 0, 0, 0, 0,
                             NULL),
                         RMI_ERROR_DEVICE);             /* no Root Port engine */
        rmm_platform_root_port(g->h.rmm, RP_RID, g->rp_ide);
        assert_int_equal(rmi(&g->h, RMI_PDEV_STREAM_CONNECT, stream_params(g, RMI_STREAM_TYPE_NCOH, 0), 0, 0, 0, 0,
                             NULL),
                         RMI_ERROR_DEVICE);             /* the endpoint is not READY */
        assert_int_equal(rmi(&g->h, RMI_PDEV_STREAM_CONNECT, stream_params(g, RMI_STREAM_TYPE_COH, 0), 0, 0, 0, 0,
                             NULL),
                         RMI_ERROR_INPUT);
        assert_int_equal(rmi(&g->h, RMI_PDEV_STREAM_CONNECT, stream_params(g, RMI_STREAM_TYPE_NCOH, 256), 0, 0, 0,
                             0, NULL),
                         RMI_ERROR_INPUT);
        assert_int_equal(hw_ide_state(g->rp_ide), HW_IDE_INSECURE);
}

static void ide_stream_refuses_a_stream_id_the_root_port_does_not_have(void **state)
{
        struct rig *g = *state;
        with_root_port(g, true);
        to_ready(g);
        assert_int_equal(rmi(&g->h, RMI_PDEV_STREAM_CONNECT, stream_params(g, RMI_STREAM_TYPE_NCOH, 5), 0, 0, 0, 0,
                             NULL),
                         RMI_ERROR_DEVICE);
}

static void ide_stream_complete_names_its_pdevs_and_handle(void **state)
{
        struct rig *g = *state;
        with_root_port(g, true);
        to_ready(g);
        uint64_t h = connect(g);
        communicate(g);
        assert_int_equal(rmi(&g->h, RMI_PDEV_STREAM_COMPLETE, g->pdev, g->rp_pdev, h + 1, 0, 0, NULL),
                         RMI_ERROR_INPUT);
        assert_int_equal(rmi(&g->h, RMI_PDEV_STREAM_COMPLETE, g->pdev, g->pdev, h, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(&g->h, RMI_PDEV_STREAM_COMPLETE, g->rp_pdev, g->pdev, h, 0, 0, NULL), RMI_SUCCESS);
        /* one stream at a time */
        assert_int_equal(rmi(&g->h, RMI_PDEV_STREAM_CONNECT, stream_params(g, RMI_STREAM_TYPE_NCOH, 0), 0, 0, 0, 0,
                             NULL),
                         RMI_ERROR_DEVICE);
}

static void ide_stream_disconnect_stops_both_ends(void **state)
{
        struct rig *g = *state;
        with_root_port(g, true);
        to_ready(g);
        uint64_t h = connect(g);
        communicate(g);
        assert_int_equal(rmi(&g->h, RMI_PDEV_STREAM_COMPLETE, g->pdev, g->rp_pdev, h, 0, 0, NULL), RMI_SUCCESS);
        assert_int_equal(rmi(&g->h, RMI_PDEV_DESTROY, g->pdev, 0, 0, 0, 0, NULL), RMI_ERROR_DEVICE);
        assert_int_equal(rmi(&g->h, RMI_PDEV_STREAM_DISCONNECT, g->pdev, g->rp_pdev, h, 0, 0, NULL), RMI_SUCCESS);
        assert_int_equal(hw_ide_state(g->rp_ide), HW_IDE_INSECURE);
        communicate(g);                                 /* K_SET_STOP x6 */
        assert_int_equal(hw_ide_state(pdev_ide_engine(g->dev)), HW_IDE_INSECURE);
        assert_int_equal(rmi(&g->h, RMI_PDEV_STREAM_COMPLETE, g->pdev, g->rp_pdev, h, 0, 0, NULL), RMI_SUCCESS);
        assert_false(rmm_stream_secure(g->h.rmm));
        assert_int_equal(rmi(&g->h, RMI_PDEV_STOP, g->pdev, 0, 0, 0, 0, NULL), RMI_SUCCESS);
        communicate(g);
        assert_int_equal(rmi(&g->h, RMI_PDEV_DESTROY, g->pdev, 0, 0, 0, 0, NULL), RMI_SUCCESS);
}

static void ide_stream_with_a_tampered_record_fails_and_keys_nothing(void **state)
{
        struct rig *g = *state;
        with_root_port(g, true);
        to_ready(g);
        uint64_t h = connect(g);
        enter(g, RMI_DEV_COMM_NONE, 0);
        assert_int_equal(rmi(&g->h, RMI_PDEV_COMMUNICATE, g->pdev, g->comm, 0, 0, 0, NULL), RMI_SUCCESS);
        struct rmi_dev_comm_exit x = exit_of(g);
        assert_int_equal(x.protocol, RMI_DEV_PROTOCOL_SECURE_SPDM); /* IDE_KM goes sealed */
        size_t n = relay(g, &x);
        uint8_t b;
        read_ns(g, g->rsp + n - 1, &b, 1);              /* the MAC's last byte */
        b ^= 0x80;
        write_ns(g, g->rsp + n - 1, &b, 1);
        enter(g, RMI_DEV_COMM_RESPONSE, n);
        assert_int_equal(rmi(&g->h, RMI_PDEV_COMMUNICATE, g->pdev, g->comm, 0, 0, 0, NULL), RMI_SUCCESS);
        assert_int_equal(state_of(g), RMI_PDEV_STATE_ERROR);
        assert_int_equal(rmi(&g->h, RMI_PDEV_STREAM_COMPLETE, g->pdev, g->rp_pdev, h, 0, 0, NULL), RMI_ERROR_DEVICE);
        assert_int_equal(hw_ide_state(g->rp_ide), HW_IDE_INSECURE);
        assert_false(rmm_stream_secure(g->h.rmm));
}

/* ---- VDEV: RMI_VDEV_CREATE / COMMUNICATE / LOCK / GET_INTERFACE_REPORT / START / UNLOCK ---- */

struct vrig {
        struct hrealm realm;
        uint64_t vdev;
};

static uint64_t vdev_params(struct rig *g, uint64_t vdev_id, uint64_t tdi, uint64_t flags)
{
        static struct rmi_vdev_params p;
        static uint8_t page[RMI_VDEV_PARAMS_SIZE];
        memset(&p, 0, sizeof(p));
        p.flags = flags;
        p.vdev_id = vdev_id;
        p.tdi_id = tdi;
        rmi_vdev_params_encode(&p, page);
        uint64_t pa = host_alloc(&g->h);
        write_ns(g, pa, page, sizeof(page));
        return pa;
}

static uint64_t vrmi(struct rig *g, struct vrig *v, uint64_t fid)
{
        return rmi(&g->h, fid, v->realm.rd, g->pdev, v->vdev, 0, 0, NULL);
}

static unsigned vstate(struct rig *g, struct vrig *v)
{
        struct smc_regs r;
        assert_int_equal(rmi(&g->h, RMI_VDEV_GET_STATE, v->realm.rd, g->pdev, v->vdev, 0, 0, &r), RMI_SUCCESS);
        return (unsigned)r.x[1];
}

/* The host's loop for a VDEV operation: RMI_VDEV_COMMUNICATE until the RMM asks nothing. */
static void vcommunicate(struct rig *g, struct vrig *v)
{
        unsigned status = RMI_DEV_COMM_NONE;
        size_t n = 0;
        for (unsigned i = 0; i < 64; i++) {
                enter(g, status, n);
                assert_int_equal(rmi(&g->h, RMI_VDEV_COMMUNICATE, v->realm.rd, g->pdev, v->vdev, g->comm, 0, NULL),
                                 RMI_SUCCESS);
                struct rmi_dev_comm_exit x = exit_of(g);
                if (x.flags & RMI_DEV_COMM_EXIT_RSP_CACHE)
                        keep(g, g->rsp, x.cache_rsp_offset, x.cache_rsp_len, x.cache_obj_id);
                if (!(x.flags & RMI_DEV_COMM_EXIT_REQ_SEND))
                        return;
                n = relay(g, &x);
                status = RMI_DEV_COMM_RESPONSE;
        }
        fail_msg("the RMM did not finish in 64 rounds");
}

/* A READY PDEV with its IDE stream up, a Realm, and a VDEV for the device's TDI. */
static void to_unlocked(struct rig *g, struct vrig *v, bool stream)
{
        with_root_port(g, true);
        to_ready(g);
        if (stream) {
                uint64_t h = connect(g);
                communicate(g);
                assert_int_equal(rmi(&g->h, RMI_PDEV_STREAM_COMPLETE, g->pdev, g->rp_pdev, h, 0, 0, NULL),
                                 RMI_SUCCESS);
        }
        host_realm_new(&g->h, &v->realm);
        v->vdev = host_delegated(&g->h);
        assert_int_equal(rmi(&g->h, RMI_VDEV_CREATE, v->realm.rd, g->pdev, v->vdev, vdev_params(g, 1, BDF, 0), 0,
                             NULL),
                         RMI_SUCCESS);
        assert_int_equal(vstate(g, v), RMI_VDEV_STATE_NEW);
        vcommunicate(g, v);                             /* GET_TDISP_VERSION, GET_TDISP_CAPABILITIES */
        assert_int_equal(vstate(g, v), RMI_VDEV_STATE_UNLOCKED);
}

static void vdev_walks_lock_report_start_unlock_and_the_tdi_follows(void **state)
{
        struct rig *g = *state;
        struct vrig v;
        struct rmm_vdev_info info;
        struct tdi_report rep;
        struct tdi_mmio_range ranges[4];
        uint8_t d[HASH_MAX_LEN];
        to_unlocked(g, &v, true);
        assert_int_equal(pdev_tdi_state(g->dev), TDISP_STATE_CONFIG_UNLOCKED);
        assert_int_equal(vrmi(g, &v, RMI_VDEV_START), RMI_ERROR_DEVICE);      /* not LOCKED */
        assert_int_equal(vrmi(g, &v, RMI_VDEV_LOCK), RMI_SUCCESS);
        vcommunicate(g, &v);
        assert_int_equal(vstate(g, &v), RMI_VDEV_STATE_LOCKED);
        assert_int_equal(pdev_tdi_state(g->dev), TDISP_STATE_CONFIG_LOCKED);
        assert_int_equal(vrmi(g, &v, RMI_VDEV_START), RMI_ERROR_DEVICE);      /* no report fetched yet */
        assert_int_equal(vrmi(g, &v, RMI_VDEV_GET_INTERFACE_REPORT), RMI_SUCCESS);
        vcommunicate(g, &v);
        /* the host's copy is the report; the RMM's digest is of exactly those bytes */
        assert_true(rmm_vdev_info(g->h.rmm, v.vdev, &info));
        assert_true(info.have_report);
        assert_int_equal(info.report_nonce, 1);
        assert_int_equal(info.lock_nonce, 1);
        assert_int_equal(g->obj_len[RMI_DEV_OBJ_INTERFACE_REPORT], info.report_len);
        assert_true(hash_once(HASH_SHA384, g->obj[RMI_DEV_OBJ_INTERFACE_REPORT], info.report_len, d));
        assert_memory_equal(d, info.report_digest, 48);
        assert_true(tdi_report_decode(g->obj[RMI_DEV_OBJ_INTERFACE_REPORT], info.report_len, &rep, ranges, 4, NULL));
        assert_int_equal(rep.range_count, 1);
        assert_int_equal(ranges[0].num_pages, PDEV_BAR0_SIZE >> 12);
        assert_int_equal(vrmi(g, &v, RMI_VDEV_START), RMI_SUCCESS);
        vcommunicate(g, &v);
        assert_int_equal(vstate(g, &v), RMI_VDEV_STATE_STARTED);
        assert_int_equal(pdev_tdi_state(g->dev), TDISP_STATE_RUN);
        assert_int_equal(vrmi(g, &v, RMI_VDEV_DESTROY), RMI_ERROR_DEVICE);    /* STARTED */
        assert_int_equal(rmi(&g->h, RMI_REALM_DESTROY, v.realm.rd, 0, 0, 0, 0, NULL), RMI_ERROR_REALM);
        assert_int_equal(vrmi(g, &v, RMI_VDEV_UNLOCK), RMI_SUCCESS);
        vcommunicate(g, &v);
        assert_int_equal(vstate(g, &v), RMI_VDEV_STATE_UNLOCKED);
        assert_int_equal(pdev_tdi_state(g->dev), TDISP_STATE_CONFIG_UNLOCKED);
        assert_int_equal(vrmi(g, &v, RMI_VDEV_DESTROY), RMI_SUCCESS);
        assert_undelegate_ok(&g->h, v.vdev);
}

static void vdev_lock_needs_the_ide_stream(void **state)
{
        struct rig *g = *state;
        struct vrig v;
        to_unlocked(g, &v, false);
        assert_int_equal(vrmi(g, &v, RMI_VDEV_LOCK), RMI_ERROR_DEVICE);
        assert_int_equal(vstate(g, &v), RMI_VDEV_STATE_UNLOCKED);
        assert_int_equal(pdev_tdi_state(g->dev), TDISP_STATE_CONFIG_UNLOCKED);
}

static void vdev_create_refuses_what_it_cannot_honour(void **state)
{
        struct rig *g = *state;
        struct vrig v;
        to_unlocked(g, &v, true);
        uint64_t other = host_delegated(&g->h);
        /* a vSMMU; a TDI outside the PDEV's requester IDs; a vdev_id or TDI already used */
        assert_int_equal(rmi(&g->h, RMI_VDEV_CREATE, v.realm.rd, g->pdev, other, vdev_params(g, 2, BDF, 1), 0, NULL),
                         RMI_ERROR_INPUT);
        assert_int_equal(rmi(&g->h, RMI_VDEV_CREATE, v.realm.rd, g->pdev, other, vdev_params(g, 2, BDF + 1, 0), 0,
                             NULL),
                         RMI_ERROR_INPUT);
        assert_int_equal(rmi(&g->h, RMI_VDEV_CREATE, v.realm.rd, g->pdev, other, vdev_params(g, 1, BDF, 0), 0, NULL),
                         RMI_ERROR_INPUT);
        assert_int_equal(rmi(&g->h, RMI_VDEV_CREATE, v.realm.rd, g->pdev, other, vdev_params(g, 2, BDF, 0), 0, NULL),
                         RMI_ERROR_INPUT);
        /* not an RD; not a PDEV */
        assert_int_equal(rmi(&g->h, RMI_VDEV_CREATE, g->pdev, g->pdev, other, vdev_params(g, 2, BDF, 0), 0, NULL),
                         RMI_ERROR_INPUT);
        assert_int_equal(rmi(&g->h, RMI_VDEV_CREATE, v.realm.rd, v.realm.rd, other, vdev_params(g, 2, BDF, 0), 0,
                             NULL),
                         RMI_ERROR_INPUT);
        /* a VDEV's commands name its own Realm and PDEV */
        struct hrealm r2;
        host_realm_new(&g->h, &r2);
        assert_int_equal(rmi(&g->h, RMI_VDEV_LOCK, r2.rd, g->pdev, v.vdev, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_int_equal(rmi(&g->h, RMI_VDEV_LOCK, v.realm.rd, g->rp_pdev, v.vdev, 0, 0, NULL), RMI_ERROR_INPUT);
        assert_undelegate_ok(&g->h, other);             /* still DELEGATED */
}

static void vdev_goes_to_error_when_the_tdi_did(void **state)
{
        struct rig *g = *state;
        struct vrig v;
        struct rmm_vdev_info info;
        to_unlocked(g, &v, true);
        assert_int_equal(vrmi(g, &v, RMI_VDEV_LOCK), RMI_SUCCESS);
        vcommunicate(g, &v);
        assert_int_equal(vrmi(g, &v, RMI_VDEV_GET_INTERFACE_REPORT), RMI_SUCCESS);
        vcommunicate(g, &v);
        /* the host writes the locked BAR: the TDI goes to ERROR, START is refused by the device */
        hw_pcie_cfg_write(&g->pcie, BDF, 0x10, 4, 0xFFFFFFFF);
        assert_int_equal(pdev_tdi_state(g->dev), TDISP_STATE_ERROR);
        assert_int_equal(vrmi(g, &v, RMI_VDEV_START), RMI_SUCCESS);
        vcommunicate(g, &v);
        assert_int_equal(vstate(g, &v), RMI_VDEV_STATE_ERROR);
        assert_true(rmm_vdev_info(g->h.rmm, v.vdev, &info));
        assert_non_null(strstr(info.why, "INVALID_INTERFACE_STATE"));
        assert_int_equal(state_of(g), RMI_PDEV_STATE_READY); /* the session stands */
        assert_int_equal(vrmi(g, &v, RMI_VDEV_UNLOCK), RMI_SUCCESS);
        vcommunicate(g, &v);
        assert_int_equal(vstate(g, &v), RMI_VDEV_STATE_UNLOCKED);
        assert_int_equal(vrmi(g, &v, RMI_VDEV_DESTROY), RMI_SUCCESS);
}

static void vdev_communicate_with_nothing_running_is_refused(void **state)
{
        struct rig *g = *state;
        struct vrig v;
        to_unlocked(g, &v, true);
        enter(g, RMI_DEV_COMM_NONE, 0);
        assert_int_equal(rmi(&g->h, RMI_VDEV_COMMUNICATE, v.realm.rd, g->pdev, v.vdev, g->comm, 0, NULL),
                         RMI_ERROR_DEVICE);
        assert_int_equal(rmi(&g->h, RMI_PDEV_STOP, g->pdev, 0, 0, 0, 0, NULL), RMI_SUCCESS);
        communicate(g);
        assert_int_equal(rmi(&g->h, RMI_PDEV_DESTROY, g->pdev, 0, 0, 0, 0, NULL), RMI_ERROR_DEVICE); /* a VDEV */
}

#define A(fn) cmocka_unit_test_setup_teardown(fn, setup_anchored, teardown)
#define P(fn) cmocka_unit_test_setup_teardown(fn, setup_plain, teardown)

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(pdev_commands_are_not_supported_without_device_assignment),
                A(rmi_features_advertises_device_assignment_when_configured),
                A(pdev_create_rejects_malformed_params_and_leaves_the_granule_delegated),
                A(pdev_create_needs_a_delegated_granule_and_a_fresh_pdev_id),
                A(root_port_pdev_is_ready_after_one_communicate),
                A(pdev_reaches_needs_key_with_the_vca_and_chain_cached),
                P(pdev_reaches_needs_key_with_the_vca_and_chain_cached),
                A(pdev_becomes_ready_with_a_session_and_its_measurements_cached),
                P(pdev_becomes_ready_with_a_session_and_its_measurements_cached),
                A(pdev_stop_ends_the_session_and_destroy_returns_the_granule),
                A(pdev_set_pubkey_refuses_a_malformed_key_and_keeps_waiting),
                A(pdev_with_an_anchor_refuses_a_key_that_is_not_the_leafs),
                P(pdev_without_an_anchor_fails_the_challenge_signed_by_another_key),
                A(pdev_communicate_refuses_a_response_longer_than_a_granule_and_changes_nothing),
                A(pdev_communicate_transport_error_fails_the_pdev),
                A(pdev_communicate_with_a_flipped_response_fails_the_pdev),
                A(pdev_abort_mid_exchange_fails_the_pdev),
                A(ide_stream_connect_keys_both_ends_and_a_tlp_crosses_sealed),
                A(ide_stream_connect_needs_the_platforms_root_port_and_ready_pdevs),
                A(ide_stream_refuses_a_stream_id_the_root_port_does_not_have),
                A(ide_stream_complete_names_its_pdevs_and_handle),
                A(ide_stream_disconnect_stops_both_ends),
                A(ide_stream_with_a_tampered_record_fails_and_keys_nothing),
                A(vdev_walks_lock_report_start_unlock_and_the_tdi_follows),
                A(vdev_lock_needs_the_ide_stream),
                A(vdev_create_refuses_what_it_cannot_honour),
                A(vdev_goes_to_error_when_the_tdi_did),
                A(vdev_communicate_with_nothing_running_is_refused),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
