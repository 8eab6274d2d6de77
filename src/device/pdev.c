/* ccada-dev: configuration space, DOE mailbox, SPDM, IDE_KM and TDISP responders. */
#include "device/pdev.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/doe_mailbox.h"
#include "hw/ide.h"
#include "hw/link.h"
#include "lib/bytes.h"
#include "lib/drbg.h"
#include "proto/tdisp.h"
#include "proto/doe.h"

#define MAILBOX_DW 4096u        /* 16 KiB objects each way: an SPDM message of 8 KiB fits */
#define CMD_MEM  0x0002u
#define CMD_MASTER 0x0004u
#define CFG_BIST 0x0Cu          /* its byte 3 */
#define CFG_BARS_END 0x28u      /* BAR0..BAR5: 0x10..0x27 */
#define CFG_ROM_BAR 0x30u
#define CFG_DEVCTL (0x40u + 0x08u) /* PCI Express capability + 8: Device Control (bits 15:0) */
/* Device Control bits TDISP §11.2's example policy lists: Extended Tag (8), Phantom
 * Functions (9), Enable No Snoop (11), Initiate FLR (15). */
#define DEVCTL_LOCKED_BITS 0x8B00u
#define BAR0_MASK (~(uint64_t)(PDEV_BAR0_SIZE - 1u))

/* DEVICE_SPECIFIC_INFO of the TDI report: the product, NUL-padded to 64 bytes (so the
 * report is 100 bytes and, like spdm-emu's, takes two 64-byte portions). */
static const uint8_t device_info[64] = "ccada-dev 1cca:da01 rev 1";

struct pdev {
        struct hw_pcie *pcie;
        uint16_t bdf;
        uint8_t cfg[HW_PCIE_CFG_SIZE];
        struct dev_identity id;
        struct drbg *drbg;
        struct spdm_responder *rsp;
        struct doe_mailbox *mb;
        struct ide_km_responder *ide;
        struct hw_ide *engine;          /* the upstream port's IDE engine (hw/ide.h) */
        struct tdisp_responder *tdisp;
        uint64_t bar0;
        struct {
                uint8_t id;
                pdev_protocol_fn fn;
                void *ctx;
        } proto[PDEV_MAX_PROTOCOLS];
        unsigned nproto;
        struct blk_engine *blk;
        uint64_t tdi_epoch;             /* TDI transitions seen by the block engine */
        struct hw_link *link;
        uint8_t next_tag;
        struct {                        /* the read waiting for its completions */
                bool active, done;
                uint8_t tag;
                uint8_t *buf;
                uint32_t len;           /* asked for */
                uint32_t got;           /* received so far, in address order */
                uint64_t addr;
                enum pdev_dma_status st;
        } rd;
        struct pdev_dma_stats dma;
};

/* VENDOR_DEFINED dispatch by PCI-SIG protocol ID (the responder's vdm hook). */
static bool on_vdm(void *ctx, bool secured, uint32_t session_id, const struct spdm_vendor_defined *req,
                   uint8_t *payload, size_t cap, size_t *payload_len)
{
        struct pdev *d = ctx;
        uint8_t id;
        if (!spdm_vdm_pcisig_protocol(req, &id))
                return false;
        for (unsigned i = 0; i < d->nproto; i++)
                if (d->proto[i].id == id)
                        return d->proto[i].fn(d->proto[i].ctx, secured, session_id, req->payload, req->payload_len,
                                              payload, cap, payload_len);
        return false;
}

static bool on_ide_km(void *ctx, bool secured, uint32_t session_id, const uint8_t *payload, size_t len,
                      uint8_t *rsp, size_t cap, size_t *rsp_len)
{
        struct pdev *d = ctx;
        return ide_km_responder_handle(d->ide, secured, session_id, payload, len, rsp, cap, rsp_len);
}

static bool on_tdisp(void *ctx, bool secured, uint32_t session_id, const uint8_t *payload, size_t len, uint8_t *rsp,
                     size_t cap, size_t *rsp_len)
{
        struct pdev *d = ctx;
        return tdisp_responder_handle(d->tdisp, secured, session_id, payload, len, rsp, cap, rsp_len);
}

/* The SPDM session ended: the TDI first (so its reason names the session), then the keys. */
static void on_session_ended(void *ctx, uint32_t session_id)
{
        struct pdev *d = ctx;
        tdisp_responder_session_ended(d->tdisp, session_id);
        ide_km_responder_session_ended(d->ide, session_id);
}

static void on_ide_insecure(void *ctx, const char *why)
{
        struct pdev *d = ctx;
        tdisp_responder_ide_failed(d->tdisp, why);
}

/* ---- the IDE_KM responder's key port: the device's own IDE engine ---- */

static bool engine_key_prog(void *ctx, uint8_t stream_id, enum ide_km_sub_stream ss, enum ide_km_dir dir,
                            enum ide_km_key_set ks, const uint8_t key[IDE_KM_KEY_SIZE], uint64_t ifv)
{
        struct pdev *d = ctx;
        struct hw_ide_regs regs;
        hw_ide_regs(d->engine, &regs);
        return stream_id == regs.sel_ctl >> 24 &&
               hw_ide_key_prog(d->engine, (enum hw_ide_sub_stream)ss, (enum hw_ide_dir)dir, (enum hw_ide_key_set)ks,
                               key, ifv) == HW_IDE_OK;
}

static bool engine_go(void *ctx, uint8_t stream_id, enum ide_km_sub_stream ss, enum ide_km_dir dir,
                      enum ide_km_key_set ks)
{
        struct pdev *d = ctx;
        (void)stream_id;
        return hw_ide_key_go(d->engine, (enum hw_ide_sub_stream)ss, (enum hw_ide_dir)dir, (enum hw_ide_key_set)ks) ==
               HW_IDE_OK;
}

static bool engine_stop(void *ctx, uint8_t stream_id, enum ide_km_sub_stream ss, enum ide_km_dir dir,
                        enum ide_km_key_set ks)
{
        struct pdev *d = ctx;
        (void)stream_id;
        enum hw_ide_status st =
                hw_ide_key_stop(d->engine, (enum hw_ide_sub_stream)ss, (enum hw_ide_dir)dir, (enum hw_ide_key_set)ks);
        return st == HW_IDE_OK || st == HW_IDE_NO_KEY;
}

/* The engine detected an IDE Check Failed (or got the partner's IDE Fail Message): the
 * stream is Insecure, its keys are gone, a locked TDI goes to ERROR. A stop the IDE_KM
 * responder made itself is no failure. */
static void engine_insecure(void *ctx, enum hw_ide_fail why)
{
        struct pdev *d = ctx;
        if (why != HW_IDE_FAIL_KEYS_STOPPED)
                pdev_ide_failed(d, hw_ide_fail_name(why));
}

static size_t tdi_bars(void *ctx, struct tdisp_bar *bars, size_t cap)
{
        const struct pdev *d = ctx;
        if (cap < 1)
                return 0;
        bars[0] = (struct tdisp_bar){ .bei = 0, .addr = d->bar0, .size = PDEV_BAR0_SIZE };
        return 1;
}

bool pdev_register_protocol(struct pdev *d, uint8_t id, pdev_protocol_fn fn, void *ctx)
{
        for (unsigned i = 0; i < d->nproto; i++)
                if (d->proto[i].id == id)
                        return false;
        if (d->nproto == PDEV_MAX_PROTOCOLS || !fn)
                return false;
        d->proto[d->nproto].id = id;
        d->proto[d->nproto].fn = fn;
        d->proto[d->nproto].ctx = ctx;
        d->nproto++;
        return true;
}

static bool refuse(char *why, const char *what, const char *detail)
{
        if (why)
                snprintf(why, PDEV_WHY_LEN, "%s%s%s", what, detail && detail[0] ? ": " : "", detail ? detail : "");
        return false;
}

/* The DOE mailbox's handler: a whole DOE object of type 1 or 2 in, the answer out. */
static bool on_object(void *ctx, const uint8_t *req, size_t req_len, uint8_t *rsp, size_t rsp_cap, size_t *rsp_len)
{
        struct pdev *d = ctx;
        struct doe_object o;
        uint8_t *answer = malloc(MAILBOX_DW * 4);
        size_t alen = 0;
        bool secured_out = false;

        if (!answer)
                return false;
        bool ok = doe_object_decode(req, req_len, &o, NULL) && o.vendor == DOE_VENDOR_PCI_SIG &&
                  (o.type == DOE_TYPE_CMA_SPDM || o.type == DOE_TYPE_SECURED_CMA_SPDM) &&
                  spdm_responder_handle(d->rsp, o.type == DOE_TYPE_SECURED_CMA_SPDM, o.payload, o.payload_len, answer,
                                        MAILBOX_DW * 4 - 8, &alen, &secured_out) &&
                  doe_object_encode(DOE_VENDOR_PCI_SIG, secured_out ? DOE_TYPE_SECURED_CMA_SPDM : DOE_TYPE_CMA_SPDM,
                                    answer, alen, rsp, rsp_cap, rsp_len);
        free(answer);
        return ok;
}

static bool in_ide_regs(uint16_t dw_off, unsigned *i)
{
        if (dw_off < PDEV_IDE_REGS_OFFSET || dw_off >= PDEV_IDE_REGS_OFFSET + 4u * IDE_KM_RSP_REGS)
                return false;
        *i = (unsigned)(dw_off - PDEV_IDE_REGS_OFFSET) / 4u;
        return true;
}

static uint32_t cfg_read(void *ctx, uint16_t dw_off)
{
        struct pdev *d = ctx;
        uint32_t v = 0;
        unsigned i;
        if (dw_off >= PDEV_DOE_OFFSET && dw_off < PDEV_DOE_OFFSET + DOE_CAP_SIZE) {
                (void)doe_mailbox_read(d->mb, (uint32_t)(dw_off - PDEV_DOE_OFFSET), &v);
                return v;
        }
        if (in_ide_regs(dw_off, &i))
                return ide_km_responder_reg_read(d->ide, i);
        if (dw_off == PDEV_BAR0_OFFSET)
                return (uint32_t)d->bar0 | PDEV_BAR0_TYPE;
        if (dw_off == PDEV_BAR0_OFFSET + 4u)
                return (uint32_t)(d->bar0 >> 32);
        return ld_le32(d->cfg + dw_off);
}

static uint32_t be_mask(uint8_t be)
{
        uint32_t m = 0;
        for (unsigned b = 0; b < 4; b++)
                if (be & (1u << b))
                        m |= 0xFFu << (8 * b);
        return m;
}

/* What a write changes that a locked TDI depends on (TDISP §11.2 Table 11-2, the example
 * policy; facts §6.6), or NULL. */
static const char *locked_write_hazard(const struct pdev *d, uint16_t dw_off, uint32_t val, uint8_t be)
{
        uint32_t m = be_mask(be);
        unsigned i;
        if (dw_off == 0x04 && (be & 1)) {
                uint16_t cmd = ld_le16(d->cfg + 4);
                if ((cmd & CMD_MEM) && !(val & CMD_MEM))
                        return "Memory Space Enable cleared";
                if ((cmd & CMD_MASTER) && !(val & CMD_MASTER))
                        return "Bus Master Enable cleared";
        }
        if (dw_off == CFG_BIST && (be & 8))
                return "a BIST write";
        if (dw_off >= PDEV_BAR0_OFFSET && dw_off < CFG_BARS_END)
                return "a BAR write";
        if (dw_off == CFG_ROM_BAR)
                return "an expansion ROM BAR write";
        if (dw_off == CFG_DEVCTL && (val & m & DEVCTL_LOCKED_BITS))
                return "Device Control: Extended Tag, Phantom Functions, No Snoop or Initiate FLR";
        if (in_ide_regs(dw_off, &i) && i >= IDE_KM_RSP_REG_SEL_CTL && i != IDE_KM_RSP_REG_SEL_STATUS)
                return "the IDE stream's Control or RID Association registers";
        return NULL;
}

static void cfg_write(void *ctx, uint16_t dw_off, uint32_t val, uint8_t be)
{
        struct pdev *d = ctx;
        uint32_t sid;
        unsigned i;
        if (dw_off >= PDEV_DOE_OFFSET && dw_off < PDEV_DOE_OFFSET + DOE_CAP_SIZE) {
                if (be == 0xF)  /* the mailbox registers take whole DWs */
                        (void)doe_mailbox_write(d->mb, (uint32_t)(dw_off - PDEV_DOE_OFFSET), val);
                return;
        }
        const char *hazard = tdisp_responder_locked(d->tdisp, &sid) ? locked_write_hazard(d, dw_off, val, be) : NULL;
        if (hazard)     /* reported first: the write still completes */
                tdisp_responder_config_changed(d->tdisp, hazard);
        if (dw_off == 0x04 && (be & 1)) {       /* COMMAND: memory space, bus master */
                uint16_t cmd = ld_le16(d->cfg + 4);
                cmd = (uint16_t)((cmd & ~(CMD_MEM | CMD_MASTER)) | (val & (CMD_MEM | CMD_MASTER)));
                st_le16(d->cfg + 4, cmd);
        } else if (dw_off == PDEV_BAR0_OFFSET || dw_off == PDEV_BAR0_OFFSET + 4u) {
                unsigned shift = dw_off == PDEV_BAR0_OFFSET ? 0 : 32;
                uint64_t m = (uint64_t)be_mask(be) << shift;
                d->bar0 = ((d->bar0 & ~m) | ((uint64_t)val << shift & m)) & BAR0_MASK;
        } else if (in_ide_regs(dw_off, &i)) {
                ide_km_responder_reg_write(d->ide, i, val, be);
        }
}

static const struct hw_pcie_func_ops cfg_ops = { cfg_read, cfg_write };

static void build_config_space(struct pdev *d)
{
        uint8_t *c = d->cfg;
        memset(c, 0, sizeof(d->cfg));
        st_le16(c + 0x00, PDEV_VENDOR_ID);
        st_le16(c + 0x02, PDEV_DEVICE_ID);
        st_le16(c + 0x06, 0x0010);              /* STATUS: capabilities list */
        c[0x08] = 0x01;                         /* revision */
        c[0x09] = 0x00;                         /* prog-if */
        c[0x0A] = 0x80;                         /* subclass: other */
        c[0x0B] = 0x01;                         /* class: mass storage */
        c[0x0E] = 0x00;                         /* header type 0 */
        st_le16(c + 0x2C, PDEV_VENDOR_ID);      /* subsystem vendor */
        st_le16(c + 0x2E, PDEV_DEVICE_ID);
        c[0x34] = 0x40;                         /* capabilities pointer */
        c[0x40] = 0x10;                         /* PCI Express capability */
        c[0x41] = 0x00;                         /* last */
        st_le16(c + 0x42, 0x0002);              /* version 2, device/port type 0: endpoint */
        /* extended capabilities: DOE at 0x100 (its header is the mailbox's), IDE at 0x180 */
        st_le32(c + PDEV_IDE_OFFSET, (uint32_t)PDEV_IDE_EXT_CAP_ID | 1u << 16 | 0u << 20);
        /* BAR0: its type bits are cfg_read's; the address is d->bar0 */
}

static bool blk_dma(void *ctx, uint64_t iova, void *buf, size_t len, bool to_memory);

bool pdev_new(struct pdev **out, struct hw_pcie *pcie, const struct pdev_config *cfg, char *why)
{
        struct pdev *d = calloc(1, sizeof(*d));
        char w[DEV_IDENTITY_WHY_LEN] = "";

        *out = NULL;
        if (!d)
                return refuse(why, "out of memory", NULL);
        d->pcie = pcie;
        d->bdf = cfg->bdf;
        build_config_space(d);
        bool ok = cfg->cert_dir ? dev_identity_load(&d->id, cfg->cert_dir, &cfg->fw, w)
                                : dev_identity_make(&d->id, cfg->seed, cfg->seed_len, &cfg->fw, w);
        if (!ok) {
                free(d);
                return refuse(why, "the device's identity", w);
        }
        if (cfg->impersonate) {
                uint8_t *chain = malloc(cfg->impersonate->id.chain_len), *root = malloc(cfg->impersonate->id.root_len);
                if (!chain || !root) {
                        free(chain);
                        free(root);
                        dev_identity_free(&d->id);
                        free(d);
                        return refuse(why, "out of memory", NULL);
                }
                memcpy(chain, cfg->impersonate->id.chain, cfg->impersonate->id.chain_len);
                memcpy(root, cfg->impersonate->id.root, cfg->impersonate->id.root_len);
                free(d->id.chain);
                free(d->id.root);
                d->id.chain = chain;
                d->id.root = root;
                d->id.chain_len = cfg->impersonate->id.chain_len;
                d->id.root_len = cfg->impersonate->id.root_len;
        }
        ok = cfg->seed && cfg->seed_len ? drbg_new_seeded(&d->drbg, cfg->seed, cfg->seed_len, "ccada device spdm")
                                        : drbg_new_system(&d->drbg);
        struct ide_km_responder_cfg ic = { .bdf = cfg->bdf, .on_insecure = on_ide_insecure, .insecure_ctx = d };
        if (ok && !ide_km_responder_new(&d->ide, &ic)) {
                snprintf(w, sizeof(w), "out of memory");
                ok = false;
        }
        struct hw_ide_config ec = { .stream_id = 0, .default_stream = true, .on_insecure = engine_insecure, .ctx = d,
                                    .trace = cfg->trace, .end = "ep" };
        if (ok && !hw_ide_new(&d->engine, &ec)) {
                snprintf(w, sizeof(w), "out of memory");
                ok = false;
        }
        if (ok) {
                struct ide_km_port_ops ops = { .key_prog = engine_key_prog, .go = engine_go, .stop = engine_stop,
                                               .ctx = d };
                ide_km_responder_set_ops(d->ide, &ops);
        }
        struct tdisp_responder_cfg tc = { .function_id = cfg->bdf, .drbg = d->drbg, .ide = d->ide, .bars = tdi_bars,
                                          .bars_ctx = d, .device_info = device_info,
                                          .device_info_len = sizeof(device_info) };
        ok = ok && tdisp_responder_new(&d->tdisp, &tc, w);
        ok = ok && pdev_register_protocol(d, IDE_KM_PROTOCOL_ID, on_ide_km, d) &&
             pdev_register_protocol(d, TDISP_PROTOCOL_ID, on_tdisp, d);
        struct spdm_responder_cfg rc = { .drbg = d->drbg, .no_handshake_in_the_clear = cfg->no_handshake_in_the_clear,
                                         .vdm = on_vdm, .vdm_ctx = d, .session_ended = on_session_ended,
                                         .session_ended_ctx = d };
        dev_identity_responder_cfg(&d->id, &rc);
        ok = ok && spdm_responder_new(&d->rsp, &rc, w);
        struct doe_mailbox_config mc = { .max_object_dw = MAILBOX_DW, .next_cap = PDEV_IDE_OFFSET,
                                         .process_on_go = true, .handle = on_object, .handle_ctx = d };
        ok = ok && (d->mb = doe_mailbox_new(&mc, w)) != NULL;
        struct blk_engine_config bc = { .capacity_bytes = cfg->blk_capacity_bytes, .dma = blk_dma, .dma_ctx = d };
        if (ok && !blk_engine_new(&d->blk, &bc)) {
                snprintf(w, sizeof(w), "the block engine: capacity %llu bytes, or out of memory",
                         (unsigned long long)cfg->blk_capacity_bytes);
                ok = false;
        }
        if (!ok || !hw_pcie_attach(pcie, cfg->bdf, &cfg_ops, d)) {
                if (ok)
                        snprintf(w, sizeof(w), "bus/device/function %02x:%02x.%x is taken", cfg->bdf >> 8,
                                 (cfg->bdf >> 3) & 0x1F, cfg->bdf & 7);
                d->pcie = NULL;
                pdev_free(d);
                return refuse(why, "the device", w);
        }
        *out = d;
        return true;
}

void pdev_free(struct pdev *d)
{
        if (!d)
                return;
        if (d->pcie)
                hw_pcie_detach(d->pcie, d->bdf);
        pdev_attach_link(d, NULL);
        blk_engine_free(d->blk);
        doe_mailbox_free(d->mb);
        spdm_responder_free(d->rsp);   /* first: it tells no one about the session it ends */
        tdisp_responder_free(d->tdisp);
        ide_km_responder_free(d->ide);
        hw_ide_free(d->engine);
        drbg_free(d->drbg);
        dev_identity_free(&d->id);
        free(d);
}

void pdev_root(const struct pdev *d, const uint8_t **der, size_t *len)
{
        *der = d->id.root;
        *len = d->id.root_len;
}

const struct spdm_responder_stats *pdev_spdm_stats(const struct pdev *d)
{
        return spdm_responder_stats(d->rsp);
}

struct spdm_responder *pdev_responder(struct pdev *d)
{
        return d->rsp;
}

uint8_t pdev_tdi_state(const struct pdev *d)
{
        return tdisp_responder_state(d->tdisp);
}

const char *pdev_tdi_error_reason(const struct pdev *d)
{
        return tdisp_responder_error_reason(d->tdisp);
}

void pdev_set_ide_key_ops(struct pdev *d, const struct ide_km_port_ops *ops)
{
        ide_km_responder_set_ops(d->ide, ops);
}

void pdev_ide_failed(struct pdev *d, const char *why)
{
        tdisp_responder_ide_failed(d->tdisp, why ? why : "IDE check failed");
        ide_km_responder_fail(d->ide, why);
}

uint64_t pdev_bar0(const struct pdev *d)
{
        return d->bar0;
}

const struct tdisp_responder_stats *pdev_tdisp_stats(const struct pdev *d)
{
        return tdisp_responder_stats(d->tdisp);
}

const struct ide_km_responder_stats *pdev_ide_km_stats(const struct pdev *d)
{
        return ide_km_responder_stats(d->ide);
}

struct tdisp_responder *pdev_tdisp(struct pdev *d)
{
        return d->tdisp;
}

struct ide_km_responder *pdev_ide_km(struct pdev *d)
{
        return d->ide;
}

struct hw_ide *pdev_ide_engine(struct pdev *d)
{
        return d->engine;
}

/* ---- MMIO: BAR0 is the block engine's registers ---- */

const char *pdev_mmio_status_name(enum pdev_mmio_status s)
{
        switch (s) {
        case PDEV_MMIO_OK: return "ok";
        case PDEV_MMIO_UNCLAIMED: return "unclaimed";
        case PDEV_MMIO_REJECTED: return "rejected";
        case PDEV_MMIO_BAD_ACCESS: return "bad_access";
        }
        return "unknown";
}

/* TDISP §11.2.1 for a TEE range (facts §5 end, §6.6): the table in pdev.h. */
static bool mmio_permitted(const struct pdev *d, bool t)
{
        switch (tdisp_responder_state(d->tdisp)) {
        case TDISP_STATE_CONFIG_UNLOCKED: return !t;
        case TDISP_STATE_RUN: return t;
        default: return false;
        }
}

/* A TDI transition since the engine last served: reset it (pdev.h). */
static void follow_tdi(struct pdev *d)
{
        const struct tdisp_responder_stats *s = tdisp_responder_stats(d->tdisp);
        uint64_t epoch = s->locks + s->starts + s->stops + s->error_transitions;
        if (epoch != d->tdi_epoch) {
                d->tdi_epoch = epoch;
                blk_engine_reset(d->blk);
        }
}

/* Checks the access up to the register; *off the BAR0 offset. */
static enum pdev_mmio_status mmio_check(struct pdev *d, uint64_t addr, unsigned size, bool t, uint64_t *off)
{
        bool mem = ld_le16(d->cfg + 4) & CMD_MEM;
        if (!mem || addr < d->bar0 || addr - d->bar0 >= PDEV_BAR0_SIZE || size > PDEV_BAR0_SIZE - (addr - d->bar0)) {
                d->dma.mmio_bad++;
                return PDEV_MMIO_UNCLAIMED;
        }
        *off = addr - d->bar0;
        follow_tdi(d);
        if (!mmio_permitted(d, t)) {
                d->dma.mmio_rejected++;
                return PDEV_MMIO_REJECTED;
        }
        return PDEV_MMIO_OK;
}

enum pdev_mmio_status pdev_mmio_read(struct pdev *d, uint64_t addr, unsigned size, bool t, uint64_t *value)
{
        uint64_t off = 0;
        enum pdev_mmio_status st = mmio_check(d, addr, size, t, &off);
        if (st == PDEV_MMIO_OK && !blk_engine_mmio_read(d->blk, off, size, value)) {
                d->dma.mmio_bad++;
                st = PDEV_MMIO_BAD_ACCESS;
        }
        if (st != PDEV_MMIO_OK)
                *value = size >= 8 ? UINT64_MAX : ((uint64_t)1 << (8 * (size & 7))) - 1;
        return st;
}

enum pdev_mmio_status pdev_mmio_write(struct pdev *d, uint64_t addr, unsigned size, bool t, uint64_t value)
{
        uint64_t off = 0;
        enum pdev_mmio_status st = mmio_check(d, addr, size, t, &off);
        if (st == PDEV_MMIO_OK && !blk_engine_mmio_write(d->blk, off, size, value)) {
                d->dma.mmio_bad++;
                st = PDEV_MMIO_BAD_ACCESS;
        }
        return st;
}

struct blk_engine *pdev_blk(struct pdev *d)
{
        return d->blk;
}

/* ---- DMA over the link ---- */

const char *pdev_dma_status_name(enum pdev_dma_status s)
{
        switch (s) {
        case PDEV_DMA_OK: return "ok";
        case PDEV_DMA_NO_LINK: return "no_link";
        case PDEV_DMA_NO_BUS_MASTER: return "no_bus_master";
        case PDEV_DMA_BAD_REQUEST: return "bad_request";
        case PDEV_DMA_NOT_PERMITTED: return "not_permitted";
        case PDEV_DMA_LINK_REFUSED: return "link_refused";
        case PDEV_DMA_UR: return "ur";
        case PDEV_DMA_CA: return "ca";
        case PDEV_DMA_BAD_COMPLETION: return "bad_completion";
        case PDEV_DMA_TIMEOUT: return "timeout";
        case PDEV_DMA_NO_TAG: return "no_tag";
        }
        return "unknown";
}

/* A completion for the read in flight, or something the device did not ask for. The CplDs
 * of one read come in address order (PCIe 6.2 §2.3.1.1): each one's Byte Count must be the
 * bytes still missing and its Lower Address that of the first of them; anything else ends the
 * read as BAD_COMPLETION (what came after it is counted unexpected). */
static void on_link_rx(void *ctx, enum hw_link_end at, const struct hw_tlp *t)
{
        struct pdev *d = ctx;
        (void)at;
        if ((t->kind != HW_TLP_CPL && t->kind != HW_TLP_CPLD) || !d->rd.active || d->rd.done ||
            t->tag != d->rd.tag || t->requester_id != d->bdf) {
                d->dma.unexpected++;
                return;
        }
        if (t->kind == HW_TLP_CPL) {
                d->rd.done = true;
                d->rd.st = t->status == HW_TLP_UR   ? PDEV_DMA_UR
                           : t->status == HW_TLP_CA ? PDEV_DMA_CA
                                                    : PDEV_DMA_BAD_COMPLETION;
                return;
        }
        uint32_t left = d->rd.len - d->rd.got, bc = t->byte_count ? t->byte_count : t->len;
        if (bc != left || t->len > left || t->addr != ((d->rd.addr + d->rd.got) & 0x7Cu)) {
                d->rd.done = true;
                d->rd.st = PDEV_DMA_BAD_COMPLETION;
                return;
        }
        memcpy(d->rd.buf + d->rd.got, t->data, t->len);
        d->rd.got += t->len;
        d->dma.cpld++;
        if (d->rd.got == d->rd.len) {
                d->rd.done = true;
                d->rd.st = PDEV_DMA_OK;
        }
}

void pdev_attach_link(struct pdev *d, struct hw_link *l)
{
        if (d->link)
                hw_link_set_handler(d->link, HW_LINK_EP, NULL, NULL);
        d->link = l;
        if (l)
                hw_link_set_handler(l, HW_LINK_EP, on_link_rx, d);
}

/* Sends t; false when the device's engine refused it or the stream broke under it (the
 * partner's IDE Fail Message). Anything else the device cannot see. */
static bool send(struct pdev *d, const struct hw_tlp *t, struct hw_link_report *rep)
{
        bool was_secure = hw_ide_state(d->engine) == HW_IDE_SECURE;
        enum hw_link_result r = hw_link_send(d->link, HW_LINK_EP, t, rep);
        return r != HW_LINK_TX_REFUSED && !(was_secure && hw_ide_state(d->engine) != HW_IDE_SECURE);
}

/* One MRd and its completions. A read that did not complete (a completion lost, refused or
 * wrong) is ended by the Completion Timeout (PCIe 6.2 §2.8): its tag, if the engine still
 * holds it, is retired, so no read of the device's outlives the call and every tag is free
 * for the next. */
static enum pdev_dma_status read_tlp(struct pdev *d, struct hw_tlp *t, uint8_t *buf)
{
        struct hw_link_report rep;

        t->tag = d->next_tag++;
        d->rd.active = true;
        d->rd.done = false;
        d->rd.tag = t->tag;
        d->rd.buf = buf;
        d->rd.len = t->len;
        d->rd.got = 0;
        d->rd.addr = t->addr;
        d->rd.st = PDEV_DMA_TIMEOUT;
        bool sent = send(d, t, &rep);
        d->rd.active = false;
        if (rep.result == HW_LINK_TX_REFUSED) /* nothing went: the tag is not ours to retire */
                return rep.tx == HW_IDE_TAG_BUSY ? PDEV_DMA_NO_TAG : PDEV_DMA_LINK_REFUSED;
        d->dma.mrd++;
        enum pdev_dma_status st = !sent ? PDEV_DMA_LINK_REFUSED : d->rd.st;
        if (hw_ide_tag_in_flight(d->engine, t->tag)) {
                if (hw_ide_retire_tag(d->engine, t->tag) != HW_IDE_OK)
                        st = PDEV_DMA_LINK_REFUSED; /* cannot happen: it was in flight */
        }
        d->dma.timeouts += st == PDEV_DMA_TIMEOUT;
        d->dma.ur += st == PDEV_DMA_UR;
        d->dma.ca += st == PDEV_DMA_CA;
        return st;
}

/* The checks before any TLP; *t the T bit to send with. */
static enum pdev_dma_status dma_check(const struct pdev *d, uint64_t iova, size_t len, bool *t)
{
        if (!d->link)
                return PDEV_DMA_NO_LINK;
        if (!(ld_le16(d->cfg + 4) & CMD_MASTER))
                return PDEV_DMA_NO_BUS_MASTER;
        if (iova % 4 || len % 4 || (len && iova > UINT64_MAX - (len - 1)))
                return PDEV_DMA_BAD_REQUEST;
        uint8_t s = tdisp_responder_state(d->tdisp);
        if (s != TDISP_STATE_CONFIG_UNLOCKED && s != TDISP_STATE_RUN)
                return PDEV_DMA_NOT_PERMITTED; /* TDISP §11.2.1 */
        *t = s == TDISP_STATE_RUN;
        return PDEV_DMA_OK;
}

static enum pdev_dma_status dma_run(struct pdev *d, uint64_t iova, uint8_t *buf, size_t len, bool to_memory)
{
        bool t = false;
        enum pdev_dma_status st = dma_check(d, iova, len, &t);

        for (size_t done = 0; st == PDEV_DMA_OK && done < len;) {
                uint64_t a = iova + done;
                size_t n = len - done, max = to_memory ? PDEV_MPS : PDEV_MRRS;
                if (n > max)
                        n = max;
                if (n > 4096u - (a & 4095u))
                        n = 4096u - (size_t)(a & 4095u); /* PCIe 6.2 §2.2.7 */
                struct hw_tlp tlp = { .kind = to_memory ? HW_TLP_MWR : HW_TLP_MRD, .ide = { .t = t },
                                      .requester_id = d->bdf, .addr = a, .len = (uint32_t)n,
                                      .data = to_memory ? buf + done : NULL };
                if (to_memory) {
                        if (!send(d, &tlp, NULL))
                                st = PDEV_DMA_LINK_REFUSED;
                        else
                                d->dma.mwr++;
                } else {
                        st = read_tlp(d, &tlp, buf + done);
                }
                if (st == PDEV_DMA_OK)
                        done += n;
        }
        return st;
}

enum pdev_dma_status pdev_dma(struct pdev *d, uint64_t iova, void *buf, size_t len, bool to_memory)
{
        d->dma.requests++;
        enum pdev_dma_status st = dma_run(d, iova, buf, len, to_memory);
        if (st != PDEV_DMA_OK) {
                d->dma.failures++;
                return st;
        }
        if (to_memory)
                d->dma.bytes_to_memory += len;
        else
                d->dma.bytes_from_memory += len;
        return st;
}

const struct pdev_dma_stats *pdev_dma_stats(const struct pdev *d)
{
        return &d->dma;
}

static bool blk_dma(void *ctx, uint64_t iova, void *buf, size_t len, bool to_memory)
{
        return pdev_dma(ctx, iova, buf, len, to_memory) == PDEV_DMA_OK;
}
