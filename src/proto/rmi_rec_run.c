/* RmiRecRun codec (see rmi_rec_run.h). DEN0137 1.0 B4.4.x (RmiRecEntry, RmiRecExit). */
#include "proto/rmi_rec_run.h"

#include <string.h>

#include "lib/bytes.h"

void rmi_rec_entry_encode(const struct rmi_rec_entry *e, uint8_t *buf)
{
        struct byte_writer w;
        memset(buf, 0, RMI_REC_ENTRY_SIZE);
        bw_init(&w, buf, RMI_REC_ENTRY_SIZE);
        bw_seek(&w, RMI_REC_ENTRY_FLAGS); bw_le64(&w, e->flags);
        bw_seek(&w, RMI_REC_ENTRY_GPRS);
        for (unsigned i = 0; i < RMI_REC_NUM_GPRS; i++)
                bw_le64(&w, e->gprs[i]);
        bw_seek(&w, RMI_REC_ENTRY_GICV3_HCR); bw_le64(&w, e->gicv3_hcr);
        for (unsigned i = 0; i < RMI_GICV3_NUM_LRS; i++)
                bw_le64(&w, e->gicv3_lrs[i]);
}

void rmi_rec_entry_decode(const uint8_t *buf, struct rmi_rec_entry *e)
{
        struct byte_reader r;
        br_init(&r, buf, RMI_REC_ENTRY_SIZE);
        br_seek(&r, RMI_REC_ENTRY_FLAGS); e->flags = br_le64(&r);
        br_seek(&r, RMI_REC_ENTRY_GPRS);
        for (unsigned i = 0; i < RMI_REC_NUM_GPRS; i++)
                e->gprs[i] = br_le64(&r);
        br_seek(&r, RMI_REC_ENTRY_GICV3_HCR); e->gicv3_hcr = br_le64(&r);
        for (unsigned i = 0; i < RMI_GICV3_NUM_LRS; i++)
                e->gicv3_lrs[i] = br_le64(&r);
}

void rmi_rec_exit_encode(const struct rmi_rec_exit *x, uint8_t *buf)
{
        struct byte_writer w;
        memset(buf, 0, RMI_REC_EXIT_SIZE);
        bw_init(&w, buf, RMI_REC_EXIT_SIZE);
        bw_seek(&w, RMI_REC_EXIT_REASON); bw_le64(&w, x->reason);
        bw_seek(&w, RMI_REC_EXIT_ESR); bw_le64(&w, x->esr);
        bw_le64(&w, x->far);
        bw_le64(&w, x->hpfar);
        bw_seek(&w, RMI_REC_EXIT_GPRS);
        for (unsigned i = 0; i < RMI_REC_NUM_GPRS; i++)
                bw_le64(&w, x->gprs[i]);
        bw_seek(&w, RMI_REC_EXIT_RIPAS_BASE); bw_le64(&w, x->ripas_base);
        bw_le64(&w, x->ripas_top);
        bw_u8(&w, x->ripas_value);
        bw_seek(&w, RMI_REC_EXIT_IMM); bw_le32(&w, x->imm);
}

void rmi_rec_exit_decode(const uint8_t *buf, struct rmi_rec_exit *x)
{
        struct byte_reader r;
        br_init(&r, buf, RMI_REC_EXIT_SIZE);
        br_seek(&r, RMI_REC_EXIT_REASON); x->reason = (unsigned)(br_le64(&r) & 0xFF);
        br_seek(&r, RMI_REC_EXIT_ESR); x->esr = br_le64(&r);
        x->far = br_le64(&r);
        x->hpfar = br_le64(&r);
        br_seek(&r, RMI_REC_EXIT_GPRS);
        for (unsigned i = 0; i < RMI_REC_NUM_GPRS; i++)
                x->gprs[i] = br_le64(&r);
        br_seek(&r, RMI_REC_EXIT_RIPAS_BASE); x->ripas_base = br_le64(&r);
        x->ripas_top = br_le64(&r);
        x->ripas_value = br_u8(&r);
        br_seek(&r, RMI_REC_EXIT_IMM); x->imm = (uint16_t)br_le32(&r);
}
