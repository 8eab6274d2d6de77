/* Physical PCIe configuration space routing. */
#include "hw/pcie.h"

#include <string.h>

void hw_pcie_init(struct hw_pcie *p)
{
        memset(p, 0, sizeof(*p));
}

static int find(const struct hw_pcie *p, uint16_t bdf)
{
        for (unsigned i = 0; i < p->nfuncs; i++)
                if (p->func[i].bdf == bdf)
                        return (int)i;
        return -1;
}

bool hw_pcie_attach(struct hw_pcie *p, uint16_t bdf, const struct hw_pcie_func_ops *ops, void *ctx)
{
        if (find(p, bdf) >= 0 || p->nfuncs == HW_PCIE_MAX_FUNCS || !ops || !ops->cfg_read || !ops->cfg_write)
                return false;
        p->func[p->nfuncs].bdf = bdf;
        p->func[p->nfuncs].ops = ops;
        p->func[p->nfuncs].ctx = ctx;
        p->nfuncs++;
        return true;
}

void hw_pcie_detach(struct hw_pcie *p, uint16_t bdf)
{
        int i = find(p, bdf);
        if (i < 0)
                return;
        memmove(&p->func[i], &p->func[i + 1], (p->nfuncs - (unsigned)i - 1) * sizeof(p->func[0]));
        p->nfuncs--;
}

/* Whether (offset, size) is a deliverable access: its DW and byte enables. */
static bool route(uint16_t offset, unsigned size, uint16_t *dw, uint8_t *be, unsigned *shift)
{
        if ((size != 1 && size != 2 && size != 4) || offset % size || offset >= HW_PCIE_CFG_SIZE)
                return false;
        *dw = (uint16_t)(offset & ~3u);
        *shift = 8u * (offset & 3u);
        *be = (uint8_t)(((1u << size) - 1) << (offset & 3u));
        return true;
}

uint32_t hw_pcie_cfg_read(struct hw_pcie *p, uint16_t bdf, uint16_t offset, unsigned size)
{
        uint16_t dw;
        uint8_t be;
        unsigned shift;
        int i = find(p, bdf);
        uint32_t mask = size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;

        p->cfg_reads++;
        if (i < 0 || !route(offset, size, &dw, &be, &shift))
                return mask;
        return (p->func[i].ops->cfg_read(p->func[i].ctx, dw) >> shift) & mask;
}

void hw_pcie_cfg_write(struct hw_pcie *p, uint16_t bdf, uint16_t offset, unsigned size, uint32_t val)
{
        uint16_t dw;
        uint8_t be;
        unsigned shift;
        int i = find(p, bdf);

        p->cfg_writes++;
        if (i < 0 || !route(offset, size, &dw, &be, &shift))
                return;
        p->func[i].ops->cfg_write(p->func[i].ctx, dw, val << shift, be);
}
