/* RMI_PDEV_* driven by a hostile host. One PDEV for ccada-dev; the input is a sequence of
 * host moves, one byte each (with operands after some):
 *   0  relay the outstanding request to the device honestly, answer with COMMUNICATE
 *   1  answer with the input's bytes instead: length (2 bytes, up to 4097), then the bytes
 *   2  answer with transport ERROR        3  COMMUNICATE with status NONE
 *   4  SET_PUBKEY with the key of the device's leaf certificate
 *   5  SET_PUBKEY with the input's bytes (length 1 byte, then key; algorithm 1 byte)
 *   6  STOP   7  ABORT   8  DESTROY   9  relay honestly but flip one bit (offset, bit: 2 bytes)
 *   10 STREAM_CONNECT (stream ID: 1 byte)   11 STREAM_COMPLETE   12 STREAM_DISCONNECT
 *   13 VDEV_CREATE (TDI: 1 byte added to the device's requester ID)   14 VDEV_LOCK
 *   15 VDEV_GET_INTERFACE_REPORT   16 VDEV_START   17 VDEV_UNLOCK   18 VDEV_DESTROY
 *   19 like 0, through RMI_VDEV_COMMUNICATE
 *   20 VDEV_GET_MEASUREMENTS (flags: 1 byte, 0..3; nonce: 1 byte repeated)
 * (a Root Port PDEV, READY, with the platform's IDE engine, and a Realm are there from the
 * start).
 * What must hold after every move: the RMM's invariants (checked inside every call), an
 * Exit that names only bytes inside the host's own buffers, and a PDEV that is READY only
 * while the device itself has an established session, an RMM that reports its stream
 * Secure only when the device's engine is Secure too, and a TDI that runs only when the RMM
 * locked it and fetched its report, and a VDEV measurement digest only with its nonce moved. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ccada/rmi.h"
#include "device/pdev.h"
#include "host/doe_relay.h"
#include "hw/hw.h"
#include "hw/ide.h"
#include "hw/pcie.h"
#include "lib/ec.h"
#include "lib/x509_chain.h"
#include "proto/rmi_da.h"
#include "proto/rmi_params.h"
#include "proto/tdisp.h"
#include "rmm/tsm.h"
#include "rmm/rmm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MEM_BASE 0x80000000ULL
#define MEM_SIZE (1ULL << 20)
#define BDF HW_PCIE_BDF(0, 3, 0)

struct ctx {
        struct hw_mem *mem;
        struct ccada_rmm *rmm;
        struct hw_pcie pcie;
        struct pdev *dev;
        struct doe_relay relay;
        uint64_t pdev, comm, req, rsp, page, rp, handle, rd, vdev;
        struct hw_ide *rp_ide;
        bool awaiting;
        struct rmi_dev_comm_exit x;
        uint8_t chain[16384];           /* the certificates the RMM asked the host to cache */
        size_t chain_len;
};

static uint64_t call(struct ctx *c, uint64_t fid, uint64_t a1, uint64_t a2)
{
        struct smc_regs r = { .x = { fid, a1, a2 } };
        rmi_smc(c->rmm, &r);
        const char *first;
        if (rmm_violations(c->rmm, &first))
                abort();
        return r.x[0];
}

static void ns_write(struct ctx *c, uint64_t pa, const void *b, size_t n)
{
        if (hw_write(c->mem, HW_WORLD_NS, pa, b, n, NULL) != HW_OK)
                abort();
}

static void communicate_via(struct ctx *c, unsigned status, size_t rsp_len, bool vdev);

static void communicate(struct ctx *c, unsigned status, size_t rsp_len)
{
        communicate_via(c, status, rsp_len, false);
}

static void communicate_via(struct ctx *c, unsigned status, size_t rsp_len, bool vdev)
{
        static uint8_t page[RMI_DEV_COMM_DATA_SIZE];
        struct rmi_dev_comm_enter e = { .status = status, .req_addr = c->req, .rsp_addr = c->rsp, .rsp_len = rsp_len };
        memset(page, 0, sizeof(page));
        rmi_dev_comm_enter_encode(&e, page);
        ns_write(c, c->comm, page, sizeof(page));
        struct smc_regs r = { .x = { vdev ? RMI_VDEV_COMMUNICATE : RMI_PDEV_COMMUNICATE, vdev ? c->rd : c->pdev,
                                     vdev ? c->pdev : c->comm, c->vdev, c->comm } };
        rmi_smc(c->rmm, &r);
        const char *first;
        if (rmm_violations(c->rmm, &first))
                abort();
        if (r.x[0] != RMI_SUCCESS)
                return;
        if (hw_read(c->mem, HW_WORLD_NS, c->comm, page, sizeof(page), NULL) != HW_OK)
                abort();
        rmi_dev_comm_exit_decode(page, &c->x);
        const struct rmi_dev_comm_exit *x = &c->x;
        if ((x->flags & RMI_DEV_COMM_EXIT_RSP_CACHE && x->cache_rsp_offset + x->cache_rsp_len > GRANULE_SIZE) ||
            (x->flags & RMI_DEV_COMM_EXIT_REQ_CACHE && x->cache_req_offset + x->cache_req_len > GRANULE_SIZE) ||
            (x->flags & RMI_DEV_COMM_EXIT_REQ_SEND && x->req_len > GRANULE_SIZE))
                abort(); /* the RMM named bytes outside the host's buffers */
        if (x->flags & RMI_DEV_COMM_EXIT_RSP_CACHE && x->cache_obj_id == RMI_DEV_OBJ_CERTIFICATE &&
            c->chain_len + x->cache_rsp_len <= sizeof(c->chain) &&
            hw_read(c->mem, HW_WORLD_NS, c->rsp + x->cache_rsp_offset, c->chain + c->chain_len,
                    (size_t)x->cache_rsp_len, NULL) == HW_OK)
                c->chain_len += (size_t)x->cache_rsp_len;
        c->awaiting = x->flags & RMI_DEV_COMM_EXIT_REQ_SEND;
}

/* The device's honest answer to the outstanding request, into the response buffer. */
static size_t honest(struct ctx *c, bool *ok)
{
        static uint8_t req[GRANULE_SIZE], rsp[DOE_RELAY_MAX_OBJECT];
        char why[DOE_RELAY_WHY_LEN];
        size_t n = 0;
        bool sec;
        *ok = c->awaiting && c->x.req_len <= sizeof(req) &&
              hw_read(c->mem, HW_WORLD_NS, c->req, req, (size_t)c->x.req_len, NULL) == HW_OK &&
              doe_relay_exchange(&c->relay, c->x.protocol == RMI_DEV_PROTOCOL_SECURE_SPDM, req, (size_t)c->x.req_len,
                                 rsp, sizeof(rsp), &n, &sec, why) &&
              n <= GRANULE_SIZE;
        if (*ok)
                ns_write(c, c->rsp, rsp, n);
        return n;
}

static void set_pubkey(struct ctx *c, const uint8_t *key, size_t len, unsigned algo)
{
        static struct rmi_pubkey_params k;
        static uint8_t page[RMI_PUBKEY_PARAMS_SIZE];
        memset(&k, 0, sizeof(k));
        memcpy(k.key, key, len < sizeof(k.key) ? len : sizeof(k.key));
        k.key_len = len;
        k.algo = algo;
        rmi_pubkey_params_encode(&k, page);
        ns_write(c, c->page, page, sizeof(page));
        (void)call(c, RMI_PDEV_SET_PUBKEY, c->pdev, c->page);
}

static void leaf_key(struct ctx *c)
{
        /* the key of the chain cached so far, as an honest host would give it */
        uint8_t point[EC_POINT_MAX];
        size_t n = 0;
        struct ec_key *k = NULL;
        char why[X509_CHAIN_WHY_LEN];
        if (!x509_chain_leaf_key(c->chain, c->chain_len, &k, NULL, 0, why) ||
            !ec_key_point(k, point, sizeof(point), &n)) {
                ec_key_free(k);
                return;
        }
        ec_key_free(k);
        set_pubkey(c, point, n, RMI_SIG_ECDSA_P384);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static struct ctx c;
        char why[PDEV_WHY_LEN];
        struct rmm_config rc;
        memset(&c, 0, sizeof(c));
        rmm_config_default(&rc);
        rc.da = true;
        rc.check_invariants = true;
        struct pdev_config pc = { .bdf = BDF, .seed = (const uint8_t *)"fuzz", .seed_len = 4 };
        hw_pcie_init(&c.pcie);
        if (!hw_mem_create(&c.mem, MEM_BASE, MEM_SIZE, NULL) || !rmm_create(&c.rmm, c.mem, NULL, &rc) ||
            !pdev_new(&c.dev, &c.pcie, &pc, why) || !doe_relay_find(&c.relay, &c.pcie, NULL, why) ||
            !doe_relay_discover(&c.relay, why))
                abort();
        c.pdev = MEM_BASE;
        c.comm = MEM_BASE + GRANULE_SIZE;
        c.req = MEM_BASE + 2 * GRANULE_SIZE;
        c.rsp = MEM_BASE + 3 * GRANULE_SIZE;
        c.page = MEM_BASE + 4 * GRANULE_SIZE;
        static uint8_t page[RMI_PDEV_PARAMS_SIZE];
        struct rmi_pdev_params p = { .flags = RMI_PDEV_FLAGS_SPDM | 1ull << RMI_PDEV_FLAGS_CATEGORY_SHIFT,
                                     .pdev_id = 1, .routing_id = BDF, .rid_base = BDF, .rid_top = BDF + 1,
                                     .hash_algo = RMI_HASH_SHA_384 };
        rmi_pdev_params_encode(&p, page);
        ns_write(&c, c.page, page, sizeof(page));
        if (call(&c, RMI_GRANULE_DELEGATE, c.pdev, 0) != RMI_SUCCESS ||
            call(&c, RMI_PDEV_CREATE, c.pdev, c.page) != RMI_SUCCESS)
                abort();
        /* the Root Port: the platform's engine, a READY PDEV */
        struct hw_ide_config ec = { .stream_id = 0, .default_stream = true };
        if (!hw_ide_new(&c.rp_ide, &ec))
                abort();
        rmm_platform_root_port(c.rmm, HW_PCIE_BDF(0, 1, 0), c.rp_ide);
        c.rp = MEM_BASE + 5 * GRANULE_SIZE;
        struct rmi_pdev_params rpp = { .pdev_id = 2, .routing_id = HW_PCIE_BDF(0, 1, 0), .rid_top = 0x100,
                                       .hash_algo = RMI_HASH_SHA_384 };
        rmi_pdev_params_encode(&rpp, page);
        ns_write(&c, c.page, page, sizeof(page));
        if (call(&c, RMI_GRANULE_DELEGATE, c.rp, 0) != RMI_SUCCESS ||
            call(&c, RMI_PDEV_CREATE, c.rp, c.page) != RMI_SUCCESS ||
            call(&c, RMI_PDEV_COMMUNICATE, c.rp, c.comm) != RMI_SUCCESS)
                abort();
        /* a Realm: IPA width 40, level 1 start with two tables (granules 6..8) */
        struct rmi_realm_params rp = { .s2sz = 40, .num_bps = 1, .num_wps = 1, .vmid = 1, .rtt_level_start = 1,
                                       .rtt_num_start = 2, .rtt_base = MEM_BASE + 7 * GRANULE_SIZE };
        static uint8_t rpage[RMI_REALM_PARAMS_SIZE];
        rmi_realm_params_encode(&rp, rpage);
        ns_write(&c, c.page, rpage, sizeof(rpage));
        c.rd = MEM_BASE + 6 * GRANULE_SIZE;
        c.vdev = MEM_BASE + 9 * GRANULE_SIZE;
        for (unsigned k = 6; k <= 9; k++)
                if (call(&c, RMI_GRANULE_DELEGATE, MEM_BASE + k * GRANULE_SIZE, 0) != RMI_SUCCESS)
                        abort();
        if (call(&c, RMI_REALM_CREATE, c.rd, c.page) != RMI_SUCCESS)
                abort();
        communicate(&c, RMI_DEV_COMM_NONE, 0);

        size_t i = 0;
        while (i < size) {
                uint8_t op = data[i++] % 21;
                bool ok;
                size_t n;
                switch (op) {
                case 0:
                        n = honest(&c, &ok);
                        communicate(&c, ok ? RMI_DEV_COMM_RESPONSE : RMI_DEV_COMM_NONE, n);
                        break;
                case 1: {
                        if (size - i < 2)
                                break;
                        n = ((size_t)data[i] << 8 | data[i + 1]) % (GRANULE_SIZE + 2);
                        i += 2;
                        size_t have = size - i < n ? size - i : n;
                        size_t w = have < GRANULE_SIZE ? have : GRANULE_SIZE;
                        ns_write(&c, c.rsp, data + i, w);
                        i += have;
                        communicate(&c, RMI_DEV_COMM_RESPONSE, n);
                        break;
                }
                case 2: communicate(&c, RMI_DEV_COMM_ERROR, 0); break;
                case 3: communicate(&c, RMI_DEV_COMM_NONE, 0); break;
                case 4: leaf_key(&c); break;
                case 5: {
                        if (size - i < 2)
                                break;
                        size_t len = data[i], algo = data[i + 1] % 4;
                        i += 2;
                        size_t have = size - i < len ? size - i : len;
                        set_pubkey(&c, data + i, have, (unsigned)algo);
                        i += have;
                        break;
                }
                case 6: (void)call(&c, RMI_PDEV_STOP, c.pdev, 0); break;
                case 7: (void)call(&c, RMI_PDEV_ABORT, c.pdev, 0); break;
                case 8: (void)call(&c, RMI_PDEV_DESTROY, c.pdev, 0); break;
                case 9: {
                        if (size - i < 2)
                                break;
                        unsigned off = data[i], bit = data[i + 1] & 7;
                        i += 2;
                        n = honest(&c, &ok);
                        if (ok && off < n) {
                                uint8_t b;
                                if (hw_read(c.mem, HW_WORLD_NS, c.rsp + off, &b, 1, NULL) != HW_OK)
                                        abort();
                                b ^= (uint8_t)(1u << bit);
                                ns_write(&c, c.rsp + off, &b, 1);
                        }
                        communicate(&c, ok ? RMI_DEV_COMM_RESPONSE : RMI_DEV_COMM_NONE, n);
                        break;
                }
                case 10: {
                        if (size - i < 1)
                                break;
                        struct rmi_stream_params sp = { .stream_type = RMI_STREAM_TYPE_NCOH, .pdev_1 = c.rp,
                                                        .pdev_2 = c.pdev, .ide_sid = data[i++] % 2 };
                        static uint8_t sp_page[RMI_STREAM_PARAMS_SIZE];
                        rmi_stream_params_encode(&sp, sp_page);
                        ns_write(&c, c.page, sp_page, sizeof(sp_page));
                        struct smc_regs r = { .x = { RMI_PDEV_STREAM_CONNECT, c.page } };
                        rmi_smc(c.rmm, &r);
                        if (r.x[0] == RMI_SUCCESS)
                                c.handle = r.x[1];
                        break;
                }
                case 11: {
                        struct smc_regs r = { .x = { RMI_PDEV_STREAM_COMPLETE, c.pdev, c.rp, c.handle } };
                        rmi_smc(c.rmm, &r);
                        break;
                }
                case 12: {
                        struct smc_regs r = { .x = { RMI_PDEV_STREAM_DISCONNECT, c.pdev, c.rp, c.handle } };
                        rmi_smc(c.rmm, &r);
                        break;
                }
                case 13: {
                        if (size - i < 1)
                                break;
                        struct rmi_vdev_params vp = { .vdev_id = 1, .tdi_id = BDF + (data[i++] & 1) };
                        static uint8_t vpage[RMI_VDEV_PARAMS_SIZE];
                        rmi_vdev_params_encode(&vp, vpage);
                        ns_write(&c, c.page, vpage, sizeof(vpage));
                        struct smc_regs r = { .x = { RMI_VDEV_CREATE, c.rd, c.pdev, c.vdev, c.page } };
                        rmi_smc(c.rmm, &r);
                        break;
                }
                case 14: case 15: case 16: case 17: case 18: {
                        static const uint64_t fids[] = { RMI_VDEV_LOCK, RMI_VDEV_GET_INTERFACE_REPORT,
                                                         RMI_VDEV_START, RMI_VDEV_UNLOCK, RMI_VDEV_DESTROY };
                        struct smc_regs r = { .x = { fids[op - 14], c.rd, c.pdev, c.vdev } };
                        rmi_smc(c.rmm, &r);
                        break;
                }
                case 19:
                        n = honest(&c, &ok);
                        communicate_via(&c, ok ? RMI_DEV_COMM_RESPONSE : RMI_DEV_COMM_NONE, n, true);
                        break;
                case 20: {
                        if (size - i < 2)
                                break;
                        struct rmi_vdev_measure_params mp = { .flags = data[i] & 3u };
                        memset(mp.nonce, data[i + 1], sizeof(mp.nonce));
                        i += 2;
                        static uint8_t mpage[RMI_VDEV_MEASURE_PARAMS_SIZE];
                        rmi_vdev_measure_params_encode(&mp, mpage);
                        ns_write(&c, c.page, mpage, sizeof(mpage));
                        struct smc_regs r = { .x = { RMI_VDEV_GET_MEASUREMENTS, c.rd, c.pdev, c.vdev, c.page } };
                        rmi_smc(c.rmm, &r);
                        if (r.x[0] == RMI_SUCCESS && mp.flags > 1)
                                abort(); /* an unknown flag accepted */
                        break;
                }
                }
                struct rmm_vdev_info mv;
                if (rmm_vdev_info(c.rmm, c.vdev, &mv) && mv.have_meas &&
                    (!mv.meas_nonce || !pdev_spdm_stats(c.dev)->meas_requests))
                        abort(); /* a measurement digest the device was never asked for */
                struct rmm_vdev_info vi;
                if (pdev_tdi_state(c.dev) == TDISP_STATE_RUN &&
                    (!rmm_vdev_info(c.rmm, c.vdev, &vi) || !vi.lock_nonce || !vi.have_report))
                        abort(); /* the TDI runs but the RMM never locked it or saw its report */
                if (rmm_stream_secure(c.rmm) && hw_ide_state(pdev_ide_engine(c.dev)) != HW_IDE_SECURE)
                        abort(); /* the RMM believes in a stream the device does not have */
                struct smc_regs r = { .x = { RMI_PDEV_GET_STATE, c.pdev } };
                rmi_smc(c.rmm, &r);
                uint32_t sid;
                if (r.x[0] == RMI_SUCCESS && r.x[1] == RMI_PDEV_STATE_READY &&
                    !spdm_responder_session(pdev_responder(c.dev), &sid))
                        abort(); /* READY without the device's session */
        }
        rmm_destroy(c.rmm);
        pdev_free(c.dev);
        hw_ide_free(c.rp_ide);
        hw_mem_destroy(c.mem);
        return 0;
}
