/* The RmiRecRun codec under arbitrary bytes: the RMM decodes an RmiRecEntry the host wrote,
 * the host decodes an RmiRecExit. Input: up to 2 KiB for the entry, then up to 2 KiB for the
 * exit (missing bytes are zero). What must hold: decoding never reads outside its half
 * (ASan), and decode -> encode -> decode is the identity on the decoded fields, so the two
 * parties read back exactly what the other wrote. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/rmi_rec_run.h"

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
        free(entry);
        free(exit_half);
        return 0;
}
