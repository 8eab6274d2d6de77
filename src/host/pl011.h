/* An emulated Arm PL011 UART (transmit side and ID registers): the Realm's console.
 * PL011 TRM (DDI0183): UARTDR 0x000, UARTFR 0x018, UARTPeriphID0-3 0xFE0-0xFEC,
 * UARTPCellID0-3 0xFF0-0xFFC. */
#ifndef CCADA_HOST_PL011_H
#define CCADA_HOST_PL011_H

#include <stdio.h>

#include "host/host.h"

#define PL011_SIZE 0x1000
#define PL011_DR   0x000
#define PL011_FR   0x018
#define PL011_FR_TXFE (1u << 7)
#define PL011_FR_RXFE (1u << 4)
#define PL011_PERIPHID0 0xFE0
#define PL011_LINE_MAX 1024 /* longer lines are cut into several */

struct pl011 {
        struct host_mmio_dev dev;       /* first: the bus hands this back */
        FILE *out;                      /* complete lines go here (may be NULL) */
        const char *prefix;             /* printed before each line */
        char line[PL011_LINE_MAX];
        size_t len;
        unsigned long lines;
        unsigned long bytes;
};

void pl011_init(struct pl011 *u, uint64_t base, FILE *out, const char *prefix);
/* Writes out a partial last line, if any. */
void pl011_flush(struct pl011 *u);

#endif
