/* RmiRecRun codec (see rmi_rec_run.h). DEN0137 1.0 B4.4.x (RmiRecEntry, RmiRecExit).
 *
 * The layout is fixed and every offset is checked against the spec table at compile time
 * (rmi_rec_run.h), so fields are loaded and stored at their offsets directly: a bounds-checked
 * reader would only repeat, on every REC entry and exit, a check the compiler already made. */
#include "proto/rmi_rec_run.h"

#include <string.h>

#include "lib/bytes.h"

static void entry_encode_gprs(const struct rmi_rec_entry *e, unsigned ngprs, uint8_t *buf)
{
        for (unsigned i = 0; i < ngprs; i++)
                st_le64(buf + RMI_REC_ENTRY_GPRS + 8 * i, e->gprs[i]);
}

void rmi_rec_entry_encode(const struct rmi_rec_entry *e, uint8_t *buf)
{
        memset(buf, 0, RMI_REC_ENTRY_SIZE);
        st_le64(buf + RMI_REC_ENTRY_FLAGS, e->flags);
        entry_encode_gprs(e, RMI_REC_NUM_GPRS, buf);
        st_le64(buf + RMI_REC_ENTRY_GICV3_HCR, e->gicv3_hcr);
        for (unsigned i = 0; i < RMI_GICV3_NUM_LRS; i++)
                st_le64(buf + RMI_REC_ENTRY_GICV3_LRS + 8 * i, e->gicv3_lrs[i]);
}

void rmi_rec_entry_encode_used(const struct rmi_rec_entry *e, unsigned ngprs, uint8_t *buf)
{
        st_le64(buf + RMI_REC_ENTRY_FLAGS, e->flags);
        entry_encode_gprs(e, ngprs < RMI_REC_NUM_GPRS ? ngprs : RMI_REC_NUM_GPRS, buf);
}

void rmi_rec_entry_decode(const uint8_t *buf, struct rmi_rec_entry *e)
{
        e->flags = ld_le64(buf + RMI_REC_ENTRY_FLAGS);
        for (unsigned i = 0; i < RMI_REC_NUM_GPRS; i++)
                e->gprs[i] = ld_le64(buf + RMI_REC_ENTRY_GPRS + 8 * i);
        e->gicv3_hcr = ld_le64(buf + RMI_REC_ENTRY_GICV3_HCR);
        for (unsigned i = 0; i < RMI_GICV3_NUM_LRS; i++)
                e->gicv3_lrs[i] = ld_le64(buf + RMI_REC_ENTRY_GICV3_LRS + 8 * i);
}

void rmi_rec_exit_encode(const struct rmi_rec_exit *x, uint8_t *buf)
{
        memset(buf, 0, RMI_REC_EXIT_SIZE);
        st_le64(buf + RMI_REC_EXIT_REASON, x->reason);
        st_le64(buf + RMI_REC_EXIT_ESR, x->esr);
        st_le64(buf + RMI_REC_EXIT_FAR, x->far);
        st_le64(buf + RMI_REC_EXIT_HPFAR, x->hpfar);
        for (unsigned i = 0; i < RMI_REC_NUM_GPRS; i++)
                st_le64(buf + RMI_REC_EXIT_GPRS + 8 * i, x->gprs[i]);
        st_le64(buf + RMI_REC_EXIT_RIPAS_BASE, x->ripas_base);
        st_le64(buf + RMI_REC_EXIT_RIPAS_TOP, x->ripas_top);
        buf[RMI_REC_EXIT_RIPAS_VALUE] = x->ripas_value;
        st_le32(buf + RMI_REC_EXIT_IMM, x->imm);
        st_le64(buf + RMI_REC_EXIT_VDEV_ID_1, x->vdev_id);
        st_le64(buf + RMI_REC_EXIT_DEV_MEM_BASE, x->dev_mem_base);
        st_le64(buf + RMI_REC_EXIT_DEV_MEM_TOP, x->dev_mem_top);
        st_le64(buf + RMI_REC_EXIT_DEV_MEM_PA, x->dev_mem_pa);
}

unsigned rmi_rec_exit_decode_reason(const uint8_t *buf)
{
        return (unsigned)(ld_le64(buf + RMI_REC_EXIT_REASON) & 0xFF);
}

void rmi_rec_exit_decode_used(const uint8_t *buf, unsigned fields, unsigned ngprs, struct rmi_rec_exit *x)
{
        memset(x, 0, sizeof(*x));
        x->reason = rmi_rec_exit_decode_reason(buf);
        if (fields & RMI_REC_EXIT_FIELDS_SYNDROME) {
                x->esr = ld_le64(buf + RMI_REC_EXIT_ESR);
                x->far = ld_le64(buf + RMI_REC_EXIT_FAR);
                x->hpfar = ld_le64(buf + RMI_REC_EXIT_HPFAR);
        }
        for (unsigned i = 0; i < ngprs && i < RMI_REC_NUM_GPRS; i++)
                x->gprs[i] = ld_le64(buf + RMI_REC_EXIT_GPRS + 8 * i);
        if (fields & RMI_REC_EXIT_FIELDS_RIPAS) {
                x->ripas_base = ld_le64(buf + RMI_REC_EXIT_RIPAS_BASE);
                x->ripas_top = ld_le64(buf + RMI_REC_EXIT_RIPAS_TOP);
                x->ripas_value = buf[RMI_REC_EXIT_RIPAS_VALUE];
        }
        if (fields & RMI_REC_EXIT_FIELDS_IMM)
                x->imm = (uint16_t)ld_le32(buf + RMI_REC_EXIT_IMM);
        if (fields & RMI_REC_EXIT_FIELDS_VDEV)
                x->vdev_id = ld_le64(buf + RMI_REC_EXIT_VDEV_ID_1);
        if (fields & RMI_REC_EXIT_FIELDS_DEV_MEM) {
                x->dev_mem_base = ld_le64(buf + RMI_REC_EXIT_DEV_MEM_BASE);
                x->dev_mem_top = ld_le64(buf + RMI_REC_EXIT_DEV_MEM_TOP);
                x->dev_mem_pa = ld_le64(buf + RMI_REC_EXIT_DEV_MEM_PA);
        }
}

void rmi_rec_exit_decode(const uint8_t *buf, struct rmi_rec_exit *x)
{
        rmi_rec_exit_decode_used(buf, RMI_REC_EXIT_FIELDS_SYNDROME | RMI_REC_EXIT_FIELDS_RIPAS | RMI_REC_EXIT_FIELDS_IMM |
                                         RMI_REC_EXIT_FIELDS_VDEV | RMI_REC_EXIT_FIELDS_DEV_MEM,
                                 RMI_REC_NUM_GPRS, x);
}
