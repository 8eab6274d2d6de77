/* The Root Port: memory TLPs from the endpoint become SMMU transactions. Contract in
 * root_port.h.  PCIe 6.2 §2.2.8, §2.2.9, §2.3.1 */
#include "hw/root_port.h"

#include <stdlib.h>
#include <string.h>

#include "lib/crypto.h"

struct hw_root_port {
        struct hw_link *link;
        struct hw_ide *engine;
        struct hw_smmu *smmu;
        uint16_t id;
        bool faulted;
        struct hw_dma_fault last_fault;
        struct hw_root_port_stats stats;
};

enum hw_tlp_cpl_status hw_root_port_cpl_status(enum hw_dma_reason r)
{
        return r == HW_DMA_GPF || r == HW_DMA_OWNER_MISMATCH ? HW_TLP_CA : HW_TLP_UR;
}

static void note_fault(struct hw_root_port *rp, const struct hw_dma_fault *f)
{
        rp->stats.smmu_faults++;
        rp->faulted = true;
        rp->last_fault = *f;
}

static void on_mwr(struct hw_root_port *rp, const struct hw_tlp *t)
{
        struct hw_dma_fault f;
        uint8_t buf[HW_TLP_MAX_DATA];

        rp->stats.mwr++;
        memcpy(buf, t->data, t->len); /* hw_dma takes a mutable buffer; the link's is const */
        if (hw_dma(rp->smmu, t->requester_id, t->ide.t, t->addr, buf, t->len, HW_ACCESS_WRITE, &f) == HW_OK)
                rp->stats.bytes_written += t->len;
        else
                note_fault(rp, &f);
        secure_zero(buf, t->len);
}

/* Sends one completion of read t: n bytes of data at address a (data NULL: an error Cpl
 * with status st), bc bytes of the read left including these. */
static void complete(struct hw_root_port *rp, const struct hw_tlp *t, uint64_t a, const uint8_t *data, uint32_t n,
                     uint32_t bc, enum hw_tlp_cpl_status st)
{
        struct hw_tlp c = {
                .kind = data ? HW_TLP_CPLD : HW_TLP_CPL,
                .ide = { .t = t->ide.t },
                .requester_id = t->requester_id,
                .completer_id = rp->id,
                .tag = t->tag,
                .status = (uint8_t)st,
                .addr = a & 0x7Cu, /* Lower Address: DW-aligned byte 6:0 */
                .len = n,
                .byte_count = data ? bc : 0,
                .data = data,
        };
        if (data)
                rp->stats.cpld++;
        if (hw_link_send(rp->link, HW_LINK_RP, &c, NULL) == HW_LINK_DELIVERED)
                rp->stats.tlps_out++;
        else
                rp->stats.cpl_lost++;
}

static void on_mrd(struct hw_root_port *rp, const struct hw_tlp *t)
{
        struct hw_dma_fault f;
        uint8_t buf[HW_TLP_MAX_DATA];

        rp->stats.mrd++;
        if (hw_dma(rp->smmu, t->requester_id, t->ide.t, t->addr, buf, t->len, HW_ACCESS_READ, &f) == HW_OK) {
                rp->stats.bytes_read += t->len;
                /* PCIe 6.2 §2.3.1.1: split on RCB boundaries, none above MPS (root_port.h) */
                for (uint32_t off = 0; off < t->len;) {
                        uint64_t a = t->addr + off;
                        uint32_t left = t->len - off, n = HW_ROOT_PORT_MPS - (uint32_t)(a % HW_ROOT_PORT_RCB);
                        if (n > left)
                                n = left;
                        complete(rp, t, a, buf + off, n, left, HW_TLP_SC);
                        off += n;
                }
                secure_zero(buf, t->len);
                return;
        }
        note_fault(rp, &f);
        enum hw_tlp_cpl_status st = hw_root_port_cpl_status(f.reason);
        if (st == HW_TLP_CA)
                rp->stats.cpl_ca++;
        else
                rp->stats.cpl_ur++;
        complete(rp, t, t->addr, NULL, t->len, t->len, st);
}

static void on_tlp(void *ctx, enum hw_link_end at, const struct hw_tlp *t)
{
        struct hw_root_port *rp = ctx;

        (void)at;
        rp->stats.tlps_in++;
        switch (t->kind) {
        case HW_TLP_MWR: on_mwr(rp, t); return;
        case HW_TLP_MRD: on_mrd(rp, t); return;
        case HW_TLP_CPL:
        case HW_TLP_CPLD: break;
        }
        rp->stats.unexpected++;
}

bool hw_root_port_new(struct hw_root_port **out, struct hw_link *l, struct hw_ide *engine, struct hw_smmu *smmu,
                      uint16_t id)
{
        struct hw_root_port *rp = calloc(1, sizeof(*rp));

        *out = rp;
        if (!rp)
                return false;
        rp->link = l;
        rp->engine = engine;
        rp->smmu = smmu;
        rp->id = id;
        hw_link_set_handler(l, HW_LINK_RP, on_tlp, rp);
        return true;
}

void hw_root_port_free(struct hw_root_port *rp)
{
        if (!rp)
                return;
        hw_link_set_handler(rp->link, HW_LINK_RP, NULL, NULL);
        free(rp);
}

const struct hw_root_port_stats *hw_root_port_stats(const struct hw_root_port *rp)
{
        return &rp->stats;
}

bool hw_root_port_last_fault(const struct hw_root_port *rp, struct hw_dma_fault *out)
{
        if (rp->faulted)
                *out = rp->last_fault;
        return rp->faulted;
}

struct hw_ide *hw_root_port_engine(struct hw_root_port *rp)
{
        return rp->engine;
}
