/* The RmiRecRun codec under arbitrary bytes: the RMM decodes an RmiRecEntry the host wrote,
 * the host decodes an RmiRecExit. Input: up to 2 KiB for the entry, then up to 2 KiB for the
 * exit (missing bytes are zero). What must hold: decoding never reads outside its half
 * (ASan), and decode -> encode -> decode is the identity on the decoded fields, so the two
 * parties read back exactly what the other wrote. The in-place accessors, with field groups
 * and a GPR count taken from the input: a partial decode agrees with the whole one on the
 * fields asked for and is zero elsewhere; a partial encode changes no byte but flags and
 * those GPRs. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/rmi_rec_run.h"

static void exit_used_agrees(const uint8_t *in, unsigned fields, unsigned ngprs)
{
        struct rmi_rec_exit all, part, want;
        memset(&all, 0, sizeof(all));
        rmi_rec_exit_decode(in, &all);
        rmi_rec_exit_decode_used(in, fields, ngprs, &part);
        memset(&want, 0, sizeof(want));
        want.reason = all.reason;
        if (fields & RMI_REC_EXIT_FIELDS_SYNDROME) {
                want.esr = all.esr;
                want.far = all.far;
                want.hpfar = all.hpfar;
        }
        for (unsigned i = 0; i < ngprs && i < RMI_REC_NUM_GPRS; i++)
                want.gprs[i] = all.gprs[i];
        if (fields & RMI_REC_EXIT_FIELDS_RIPAS) {
                want.ripas_base = all.ripas_base;
                want.ripas_top = all.ripas_top;
                want.ripas_value = all.ripas_value;
        }
        if (fields & RMI_REC_EXIT_FIELDS_IMM)
                want.imm = all.imm;
        if (fields & RMI_REC_EXIT_FIELDS_VDEV)
                want.vdev_id = all.vdev_id;
        if (fields & RMI_REC_EXIT_FIELDS_DEV_MEM) {
                want.dev_mem_base = all.dev_mem_base;
                want.dev_mem_top = all.dev_mem_top;
                want.dev_mem_pa = all.dev_mem_pa;
        }
        if (memcmp(&part, &want, sizeof(want)) != 0 || rmi_rec_exit_decode_reason(in) != all.reason)
                abort();
}

static void entry_used_touches_only_its_fields(const uint8_t *in, unsigned ngprs)
{
        struct rmi_rec_entry e;
        uint8_t *buf = malloc(RMI_REC_ENTRY_SIZE);
        if (!buf)
                abort();
        rmi_rec_entry_decode(in, &e);
        memset(buf, 0xA5, RMI_REC_ENTRY_SIZE);
        rmi_rec_entry_encode_used(&e, ngprs, buf);
        size_t end = RMI_REC_ENTRY_GPRS + 8 * (size_t)(ngprs < RMI_REC_NUM_GPRS ? ngprs : RMI_REC_NUM_GPRS);
        for (size_t i = 0; i < RMI_REC_ENTRY_SIZE; i++) {
                bool ours = i < RMI_REC_ENTRY_FLAGS + 8 || (i >= RMI_REC_ENTRY_GPRS && i < end);
                if (ours ? buf[i] != in[i] : buf[i] != 0xA5)
                        abort();
        }
        free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void entry_round_trip(const uint8_t *in)
{
        struct rmi_rec_entry e, back;
        uint8_t *buf = malloc(RMI_REC_ENTRY_SIZE); /* exact size: ASan sees any overrun */
        if (!buf)
                abort();
        rmi_rec_entry_decode(in, &e);
        rmi_rec_entry_encode(&e, buf);
        rmi_rec_entry_decode(buf, &back);
        if (memcmp(&e, &back, sizeof(e)) != 0)
                abort();
        free(buf);
}

static void exit_round_trip(const uint8_t *in)
{
        struct rmi_rec_exit x, back;
        uint8_t *buf = malloc(RMI_REC_EXIT_SIZE);
        if (!buf)
                abort();
        memset(&x, 0, sizeof(x)); /* padding too: the structs are compared whole */
        memset(&back, 0, sizeof(back));
        rmi_rec_exit_decode(in, &x);
        rmi_rec_exit_encode(&x, buf);
        rmi_rec_exit_decode(buf, &back);
        if (memcmp(&x, &back, sizeof(x)) != 0)
                abort();
        free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        uint8_t *entry = calloc(1, RMI_REC_ENTRY_SIZE), *exit_half = calloc(1, RMI_REC_EXIT_SIZE);
        if (!entry || !exit_half)
                abort();
        size_t n = size < RMI_REC_ENTRY_SIZE ? size : RMI_REC_ENTRY_SIZE;
        memcpy(entry, data, n);
        if (size > n)
                memcpy(exit_half, data + n, size - n < RMI_REC_EXIT_SIZE ? size - n : RMI_REC_EXIT_SIZE);
        entry_round_trip(entry);
        exit_round_trip(exit_half);
        /* the knobs: the last input byte (low 5 bits: field groups; the high 4 bits: the
         * entry's GPR count) and the one before it (low 5 bits: the exit's GPR count) */
        uint8_t knob = size ? data[size - 1] : 0, knob2 = size > 1 ? data[size - 2] : 0;
        exit_used_agrees(exit_half, knob & 31u, knob2 & 31u);
        entry_used_touches_only_its_fields(entry, (unsigned)knob >> 4);
        free(entry);
        free(exit_half);
        return 0;
}
