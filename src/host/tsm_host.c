/* The host's PDEV driver: RMI_PDEV_CREATE / COMMUNICATE / SET_PUBKEY / STOP / DESTROY. */
#include "host/tsm_host.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccada/rmi.h"
#include "host/vm_internal.h"
#include "lib/ec.h"
#include "lib/x509_chain.h"
#include "proto/rmi_da.h"

#define COMM_ROUNDS_MAX 256     /* a conversation longer than this is the RMM misbehaving */
#define DOE_EXCHANGE_NS 50000   /* virtual time of one DOE exchange with the device */

static bool say(char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool say(char *why, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        if (why)
                vsnprintf(why, HOST_TSM_WHY_LEN, fmt, ap);
        va_end(ap);
        return false;
}

static bool rmi_ok(struct host_tsm_pdev *h, uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3, struct smc_regs *out,
                   char *why)
{
        uint64_t x0 = host_rmi(h->vm, fid, a1, a2, a3, 0, 0, out);
        if (x0 == RMI_SUCCESS)
                return true;
        h->last_status = x0;
        return say(why, "%s failed: %s", rmi_command_name(fid),
                   x0 == SMCCC_RET_NOT_SUPPORTED ? "NOT_SUPPORTED" : rmi_status_name(RMI_STATUS(x0)));
}

static void free_ns(struct host_tsm_pdev *h, uint64_t *pa)
{
        if (*pa)
                host_free_granule(h->vm, *pa);
        *pa = 0;
}

void host_tsm_pdev_forget(struct host_tsm_pdev *h)
{
        for (unsigned i = 0; i < HOST_TSM_NOBJ; i++) {
                free(h->obj[i].buf);
                h->obj[i].buf = NULL;
                h->obj[i].len = 0;
        }
        h->vm = NULL;
}

void host_tsm_pdev_release(struct host_tsm_pdev *h)
{
        if (!h->vm)
                return;
        if (h->pdev_pa) {
                int st = host_tsm_pdev_state(h);
                if (st >= 0 && st != RMI_PDEV_STATE_STOPPED) {
                        (void)host_rmi(h->vm, RMI_PDEV_ABORT, h->pdev_pa, 0, 0, 0, 0, NULL);
                        if (host_rmi(h->vm, RMI_PDEV_STOP, h->pdev_pa, 0, 0, 0, 0, NULL) == RMI_SUCCESS)
                                (void)host_tsm_pdev_communicate(h, NULL); /* END_SESSION */
                }
                if (host_rmi(h->vm, RMI_PDEV_DESTROY, h->pdev_pa, 0, 0, 0, 0, NULL) == RMI_SUCCESS)
                        host_release_delegated(h->vm, h->pdev_pa);
                h->pdev_pa = 0; /* a PDEV that would not go stays the RMM's */
        }
        free_ns(h, &h->comm_pa);
        free_ns(h, &h->req_pa);
        free_ns(h, &h->rsp_pa);
        host_tsm_pdev_forget(h);
}

bool host_tsm_pdev_create(struct host_tsm_pdev *h, struct host_vm *vm, struct doe_relay *relay, uint16_t bdf,
                          unsigned category, uint64_t pdev_id, unsigned hash_algo, char *why)
{
        uint8_t page[RMI_PDEV_PARAMS_SIZE];
        memset(h, 0, sizeof(*h));
        h->vm = vm;
        h->relay = relay;
        uint64_t params = host_alloc_granule(vm);
        h->comm_pa = host_alloc_granule(vm);
        h->req_pa = host_alloc_granule(vm);
        h->rsp_pa = host_alloc_granule(vm);
        uint64_t pdev = host_delegated_granule(vm);
        if (!params || !h->comm_pa || !h->req_pa || !h->rsp_pa || !pdev) {
                if (params)
                        host_free_granule(vm, params);
                if (pdev)
                        host_release_delegated(vm, pdev);
                host_tsm_pdev_release(h);
                return say(why, "out of host memory for the PDEV's granules");
        }
        uint64_t flags = (uint64_t)category << RMI_PDEV_FLAGS_CATEGORY_SHIFT;
        if (category != RMI_PDEV_CATEGORY_ROOT_PORT)
                flags |= RMI_PDEV_FLAGS_SPDM;
        struct rmi_pdev_params p = {
                .flags = flags,
                .pdev_id = pdev_id, .routing_id = bdf, .rid_base = bdf, .rid_top = (uint32_t)bdf + 1,
                .hash_algo = hash_algo,
        };
        rmi_pdev_params_encode(&p, page);
        bool ok = hw_write(vm->mem, HW_WORLD_NS, params, page, sizeof(page), NULL) == HW_OK;
        ok = ok && rmi_ok(h, RMI_PDEV_CREATE, pdev, params, 0, NULL, why);
        host_free_granule(vm, params);
        if (!ok) {
                host_release_delegated(vm, pdev);
                host_tsm_pdev_release(h);
                return false;
        }
        h->pdev_pa = pdev;
        return true;
}

int host_tsm_pdev_state(struct host_tsm_pdev *h)
{
        struct smc_regs r;
        if (host_rmi(h->vm, RMI_PDEV_GET_STATE, h->pdev_pa, 0, 0, 0, 0, &r) != RMI_SUCCESS)
                return -1;
        return r.x[1] <= RMI_PDEV_STATE_ERROR ? (int)r.x[1] : -1;
}

/* Appends [off, off+len) of the NS buffer at pa to cached object id, after checking that
 * the RMM's Exit names bytes inside the buffer. */
static bool cache(struct host_tsm_pdev *h, uint64_t pa, uint64_t off, uint64_t len, unsigned id, char *why)
{
        if (id >= HOST_TSM_NOBJ || off > GRANULE_SIZE || len > GRANULE_SIZE - off)
                return say(why, "the RMM asked to cache object %u at [%llu, +%llu): outside the buffer", id,
                           (unsigned long long)off, (unsigned long long)len);
        if (h->obj[id].len + len > HOST_TSM_OBJ_MAX)
                return say(why, "cached object %u would exceed %u bytes", id, HOST_TSM_OBJ_MAX);
        uint8_t *b = realloc(h->obj[id].buf, h->obj[id].len + len + 1);
        if (!b)
                return say(why, "out of memory");
        h->obj[id].buf = b;
        if (hw_read(h->vm->mem, HW_WORLD_NS, pa + off, b + h->obj[id].len, len, NULL) != HW_OK)
                return say(why, "reading its own buffer failed");
        h->obj[id].len += len;
        return true;
}

/* Sends what the RMM wrote to the device; the answer into the response buffer. */
static void exchange(struct host_tsm_pdev *h, const struct rmi_dev_comm_exit *x, struct rmi_dev_comm_enter *e)
{
        uint8_t req[GRANULE_SIZE];
        uint8_t *rsp = malloc(DOE_RELAY_MAX_OBJECT);
        size_t n = 0;
        bool sec = false;
        char why[DOE_RELAY_WHY_LEN] = "";
        e->status = RMI_DEV_COMM_ERROR;
        e->rsp_len = 0;
        if (!rsp)
                return;
        if (h->vm->trace)
                trace_advance(h->vm->trace, DOE_EXCHANGE_NS);
        if (h->relay && x->req_len <= sizeof(req) &&
            hw_read(h->vm->mem, HW_WORLD_NS, h->req_pa, req, (size_t)x->req_len, NULL) == HW_OK &&
            doe_relay_exchange(h->relay, x->protocol == RMI_DEV_PROTOCOL_SECURE_SPDM, req, (size_t)x->req_len, rsp,
                               DOE_RELAY_MAX_OBJECT, &n, &sec, why) &&
            n <= GRANULE_SIZE && hw_write(h->vm->mem, HW_WORLD_NS, h->rsp_pa, rsp, n, NULL) == HW_OK) {
                e->status = RMI_DEV_COMM_RESPONSE;
                e->rsp_len = n;
        }
        h->exchanges++;
        free(rsp);
}

/* The COMMUNICATE loop of a PDEV (vdev 0) or of a VDEV of Realm rd. */
static bool comm_loop(struct host_tsm_pdev *h, uint64_t rd, uint64_t vdev, char *why)
{
        uint8_t page[RMI_DEV_COMM_DATA_SIZE];
        struct rmi_dev_comm_enter e = { .status = RMI_DEV_COMM_NONE, .req_addr = h->req_pa, .rsp_addr = h->rsp_pa };
        struct rmi_dev_comm_exit x;
        for (unsigned round = 0; round < COMM_ROUNDS_MAX; round++) {
                memset(page, 0, sizeof(page));
                rmi_dev_comm_enter_encode(&e, page);
                if (hw_write(h->vm->mem, HW_WORLD_NS, h->comm_pa, page, sizeof(page), NULL) != HW_OK)
                        return say(why, "writing RmiDevCommData failed");
                h->communicates++;
                uint64_t x0 = vdev ? host_rmi(h->vm, RMI_VDEV_COMMUNICATE, rd, h->pdev_pa, vdev, h->comm_pa, 0, NULL)
                                   : host_rmi(h->vm, RMI_PDEV_COMMUNICATE, h->pdev_pa, h->comm_pa, 0, 0, 0, NULL);
                if (x0 != RMI_SUCCESS) {
                        h->last_status = x0;
                        return say(why, "%s failed: %s", vdev ? "RMI_VDEV_COMMUNICATE" : "RMI_PDEV_COMMUNICATE",
                                   rmi_status_name(RMI_STATUS(x0)));
                }
                if (hw_read(h->vm->mem, HW_WORLD_NS, h->comm_pa, page, sizeof(page), NULL) != HW_OK)
                        return say(why, "reading RmiDevCommData failed");
                rmi_dev_comm_exit_decode(page, &x);
                /* the conversation's order: the response just answered, then the next request */
                if (x.flags & RMI_DEV_COMM_EXIT_RSP_CACHE &&
                    !cache(h, h->rsp_pa, x.cache_rsp_offset, x.cache_rsp_len, x.cache_obj_id, why))
                        return false;
                if (x.flags & RMI_DEV_COMM_EXIT_REQ_CACHE &&
                    !cache(h, h->req_pa, x.cache_req_offset, x.cache_req_len, x.cache_obj_id, why))
                        return false;
                if (!(x.flags & RMI_DEV_COMM_EXIT_REQ_SEND))
                        return true;
                if (x.protocol > RMI_DEV_PROTOCOL_SECURE_SPDM || x.req_len > GRANULE_SIZE)
                        return say(why, "the RMM's Exit asks to send %llu bytes of protocol %u",
                                   (unsigned long long)x.req_len, x.protocol);
                exchange(h, &x, &e);
        }
        return say(why, "the RMM still had requests after %u rounds", COMM_ROUNDS_MAX);
}

bool host_tsm_pdev_communicate(struct host_tsm_pdev *h, char *why)
{
        return comm_loop(h, 0, 0, why);
}

bool host_tsm_pdev_set_pubkey(struct host_tsm_pdev *h, char *why)
{
        static struct rmi_pubkey_params k;
        uint8_t page[RMI_PUBKEY_PARAMS_SIZE];
        struct ec_key *key = NULL;
        char w[X509_CHAIN_WHY_LEN] = "";
        size_t len;
        if (!x509_chain_leaf_key(h->obj[HOST_TSM_CERT].buf, h->obj[HOST_TSM_CERT].len, &key, h->leaf_subject,
                                 sizeof(h->leaf_subject), w))
                return say(why, "the cached certificate chain gives no key: %s", w);
        memset(&k, 0, sizeof(k));
        enum ec_curve c = ec_key_curve(key);
        bool ok = ec_key_point(key, k.key, sizeof(k.key), &len);
        ec_key_free(key);
        if (!ok)
                return say(why, "the leaf key has no encodable point");
        k.key_len = len;
        k.algo = c == EC_P384 ? RMI_SIG_ECDSA_P384 : RMI_SIG_ECDSA_P256;
        uint64_t params = host_alloc_granule(h->vm);
        if (!params)
                return say(why, "out of host memory");
        rmi_pubkey_params_encode(&k, page);
        ok = hw_write(h->vm->mem, HW_WORLD_NS, params, page, sizeof(page), NULL) == HW_OK &&
             rmi_ok(h, RMI_PDEV_SET_PUBKEY, h->pdev_pa, params, 0, NULL, why);
        host_free_granule(h->vm, params);
        return ok;
}

bool host_tsm_pdev_connect(struct host_tsm_pdev *h, char *why)
{
        if (!host_tsm_pdev_communicate(h, why))
                return false;
        int st = host_tsm_pdev_state(h);
        if (st == RMI_PDEV_STATE_READY)
                return true;    /* a Root Port */
        if (st != RMI_PDEV_STATE_NEEDS_KEY)
                return say(why, "the PDEV is %s after the certificate exchange", rmi_pdev_state_name((unsigned)st));
        if (!host_tsm_pdev_set_pubkey(h, why) || !host_tsm_pdev_communicate(h, why))
                return false;
        st = host_tsm_pdev_state(h);
        if (st != RMI_PDEV_STATE_READY)
                return say(why, "the PDEV is %s after the session exchange", rmi_pdev_state_name((unsigned)st));
        return true;
}

bool host_tsm_rp_create(struct host_tsm_pdev *h, struct host_vm *vm, uint16_t rid, uint64_t pdev_id, char *why)
{
        if (!host_tsm_pdev_create(h, vm, NULL, rid, RMI_PDEV_CATEGORY_ROOT_PORT, pdev_id, RMI_HASH_SHA_384, why) ||
            !host_tsm_pdev_communicate(h, why))
                return false;
        int st = host_tsm_pdev_state(h);
        return st == RMI_PDEV_STATE_READY ||
               say(why, "the Root Port's PDEV is %s", st < 0 ? "unknown" : rmi_pdev_state_name((unsigned)st));
}

bool host_tsm_stream_connect(struct host_tsm_pdev *rp, struct host_tsm_pdev *ep, uint8_t sid, uint64_t *handle,
                             char *why)
{
        static struct rmi_stream_params p;
        uint8_t page[RMI_STREAM_PARAMS_SIZE];
        struct smc_regs r;
        memset(&p, 0, sizeof(p));
        p.stream_type = RMI_STREAM_TYPE_NCOH;
        p.pdev_1 = rp->pdev_pa;
        p.pdev_2 = ep->pdev_pa;
        p.ide_sid = sid;
        uint64_t pa = host_alloc_granule(ep->vm);
        if (!pa)
                return say(why, "out of host memory");
        rmi_stream_params_encode(&p, page);
        bool ok = hw_write(ep->vm->mem, HW_WORLD_NS, pa, page, sizeof(page), NULL) == HW_OK &&
                  rmi_ok(ep, RMI_PDEV_STREAM_CONNECT, pa, 0, 0, &r, why);
        host_free_granule(ep->vm, pa);
        if (!ok)
                return false;
        *handle = r.x[1];
        return host_tsm_pdev_communicate(ep, why) &&
               rmi_ok(ep, RMI_PDEV_STREAM_COMPLETE, ep->pdev_pa, rp->pdev_pa, *handle, NULL, why);
}

/* ---- VDEVs ---- */

int host_tsm_vdev_state(struct host_tsm_vdev *v)
{
        struct smc_regs r;
        if (host_rmi(v->pd->vm, RMI_VDEV_GET_STATE, v->rd, v->pd->pdev_pa, v->vdev_pa, 0, 0, &r) != RMI_SUCCESS)
                return -1;
        return r.x[1] <= RMI_VDEV_STATE_ERROR ? (int)r.x[1] : -1;
}

/* One VDEV command, then COMMUNICATE until done; true when the VDEV reached want. */
static bool vdev_do(struct host_tsm_vdev *v, uint64_t fid, unsigned want, char *why)
{
        struct host_tsm_pdev *h = v->pd;
        if (!rmi_ok(h, fid, v->rd, h->pdev_pa, v->vdev_pa, NULL, why) || !comm_loop(h, v->rd, v->vdev_pa, why))
                return false;
        int st = host_tsm_vdev_state(v);
        return st == (int)want || say(why, "%s left the VDEV %s", rmi_command_name(fid),
                                      st < 0 ? "unknown" : rmi_vdev_state_name((unsigned)st));
}

bool host_tsm_vdev_create(struct host_tsm_vdev *v, struct host_tsm_pdev *pd, uint64_t rd, uint64_t vdev_id,
                          uint16_t tdi, char *why)
{
        return host_tsm_vdev_create_mmio(v, pd, rd, vdev_id, tdi, 0, 0, why);
}

bool host_tsm_vdev_create_mmio(struct host_tsm_vdev *v, struct host_tsm_pdev *pd, uint64_t rd, uint64_t vdev_id,
                               uint16_t tdi, uint64_t mmio_pa, uint64_t mmio_size, char *why)
{
        struct rmi_vdev_params p;
        uint8_t page[RMI_VDEV_PARAMS_SIZE];
        memset(v, 0, sizeof(*v));
        v->pd = pd;
        v->rd = rd;
        memset(&p, 0, sizeof(p));
        p.vdev_id = vdev_id;
        p.tdi_id = tdi;
        if (mmio_size) {        /* the TDI's MMIO, which the host may later map for the Realm */
                p.num_addr_range = 1;
                p.range[0].base = mmio_pa;
                p.range[0].top = mmio_pa + mmio_size;
        }
        uint64_t params = host_alloc_granule(pd->vm);
        uint64_t vdev = host_delegated_granule(pd->vm);
        if (!params || !vdev) {
                if (params)
                        host_free_granule(pd->vm, params);
                if (vdev)
                        host_release_delegated(pd->vm, vdev);
                return say(why, "out of host memory for the VDEV");
        }
        rmi_vdev_params_encode(&p, page);
        uint64_t x0 = hw_write(pd->vm->mem, HW_WORLD_NS, params, page, sizeof(page), NULL) == HW_OK
                              ? host_rmi(pd->vm, RMI_VDEV_CREATE, rd, pd->pdev_pa, vdev, params, 0, NULL)
                              : RMI_ERROR_INPUT;
        host_free_granule(pd->vm, params);
        if (x0 != RMI_SUCCESS) {
                host_release_delegated(pd->vm, vdev);
                return say(why, "RMI_VDEV_CREATE failed: %s", rmi_status_name(RMI_STATUS(x0)));
        }
        v->vdev_pa = vdev;
        if (!comm_loop(pd, rd, vdev, why))
                return false;
        int st = host_tsm_vdev_state(v);
        return st == RMI_VDEV_STATE_UNLOCKED ||
               say(why, "the new VDEV is %s", st < 0 ? "unknown" : rmi_vdev_state_name((unsigned)st));
}

/* RMI_RTT_DEV_MAP over [ipa, ipa + size) -> [pa, ...): each call maps up to the end of a
 * level-3 table (out_top); an ERROR_RTT below level 3 asks for the tables first. */
bool host_tsm_dev_map(struct host_tsm_vdev *v, uint64_t ipa, uint64_t pa, uint64_t size, char *why)
{
        struct host_vm *vm = v->pd->vm;
        uint64_t base = ipa, top = ipa + size, tables_at = UINT64_MAX;
        struct smc_regs r;
        if (!size || top < ipa)
                return say(why, "no MMIO range to map");
        while (base < top) {
                r = (struct smc_regs){ .x = { RMI_RTT_DEV_MAP, v->rd, v->vdev_pa, base, top, RMI_ADDR_TYPE_SINGLE,
                                              pa + (base - ipa) } };
                uint64_t x0 = host_rmi_regs(vm, &r);
                if (RMI_STATUS(x0) == RMI_ERROR_RTT && RMI_INDEX(x0) < 3 && tables_at != base) {
                        if (host_ensure_rtt(vm, base, 3) != CCADA_OK)
                                return say(why, "no RTT for IPA 0x%llx", (unsigned long long)base);
                        tables_at = base;
                        continue;
                }
                if (x0 != RMI_SUCCESS || r.x[1] <= base || r.x[1] > top)
                        return say(why, "RMI_RTT_DEV_MAP at IPA 0x%llx failed: %s", (unsigned long long)base,
                                   x0 != RMI_SUCCESS ? rmi_status_name(RMI_STATUS(x0)) : "no progress");
                base = r.x[1];
        }
        return true;
}

bool host_tsm_vdev_lock(struct host_tsm_vdev *v, char *why)
{
        return vdev_do(v, RMI_VDEV_LOCK, RMI_VDEV_STATE_LOCKED, why);
}

bool host_tsm_vdev_report(struct host_tsm_vdev *v, char *why)
{
        struct host_tsm_pdev *h = v->pd;
        free(h->obj[HOST_TSM_REPORT].buf);      /* a fresh report replaces the last one */
        h->obj[HOST_TSM_REPORT].buf = NULL;
        h->obj[HOST_TSM_REPORT].len = 0;
        int st = host_tsm_vdev_state(v);
        return vdev_do(v, RMI_VDEV_GET_INTERFACE_REPORT, st < 0 ? RMI_VDEV_STATE_LOCKED : (unsigned)st, why);
}

bool host_tsm_vdev_measure(struct host_tsm_vdev *v, const uint8_t nonce[32], char *why)
{
        struct host_tsm_pdev *h = v->pd;
        struct rmi_vdev_measure_params p = { .flags = 0 };
        uint8_t page[RMI_VDEV_MEASURE_PARAMS_SIZE];
        int st = host_tsm_vdev_state(v);
        if (st != RMI_VDEV_STATE_LOCKED && st != RMI_VDEV_STATE_STARTED)
                return say(why, "RMI_VDEV_GET_MEASUREMENTS: the VDEV is %s",
                           st < 0 ? "unknown" : rmi_vdev_state_name((unsigned)st));
        uint64_t params = host_alloc_granule(h->vm);
        if (!params)
                return say(why, "out of host memory for RmiVdevMeasureParams");
        memcpy(p.nonce, nonce, sizeof(p.nonce));
        rmi_vdev_measure_params_encode(&p, page);
        bool ok = hw_write(h->vm->mem, HW_WORLD_NS, params, page, sizeof(page), NULL) == HW_OK;
        free(h->obj[HOST_TSM_MEAS].buf);        /* the VDEV's fetch replaces the PDEV-time copy */
        h->obj[HOST_TSM_MEAS].buf = NULL;
        h->obj[HOST_TSM_MEAS].len = 0;
        struct smc_regs r;
        uint64_t x0 = ok ? host_rmi(h->vm, RMI_VDEV_GET_MEASUREMENTS, v->rd, h->pdev_pa, v->vdev_pa, params, 0, &r)
                         : RMI_ERROR_INPUT;
        host_free_granule(h->vm, params);
        if (x0 != RMI_SUCCESS) {
                h->last_status = x0;
                return say(why, "RMI_VDEV_GET_MEASUREMENTS failed: %s",
                           x0 == SMCCC_RET_NOT_SUPPORTED ? "NOT_SUPPORTED" : rmi_status_name(RMI_STATUS(x0)));
        }
        if (!comm_loop(h, v->rd, v->vdev_pa, why))
                return false;
        int now = host_tsm_vdev_state(v);
        return now == st || say(why, "RMI_VDEV_GET_MEASUREMENTS left the VDEV %s",
                                now < 0 ? "unknown" : rmi_vdev_state_name((unsigned)now));
}

bool host_tsm_vdev_start(struct host_tsm_vdev *v, char *why)
{
        return vdev_do(v, RMI_VDEV_START, RMI_VDEV_STATE_STARTED, why);
}

bool host_tsm_vdev_unlock(struct host_tsm_vdev *v, char *why)
{
        return vdev_do(v, RMI_VDEV_UNLOCK, RMI_VDEV_STATE_UNLOCKED, why);
}
