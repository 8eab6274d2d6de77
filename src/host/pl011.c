/* PL011 UART emulation: bytes written to UARTDR are collected into lines. */
#include <string.h>

#include "host/pl011.h"

static const uint8_t pl011_ids[8] = { 0x11, 0x10, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1 };

static void pl011_emit(struct pl011 *u)
{
        if (u->out)
                fprintf(u->out, "%s%.*s\n", u->prefix ? u->prefix : "", (int)u->len, u->line);
        u->len = 0;
        u->lines++;
}

static bool pl011_read(struct host_mmio_dev *dev, uint64_t off, unsigned size, uint64_t *val)
{
        if (off == PL011_FR) {
                *val = PL011_FR_TXFE | PL011_FR_RXFE; /* transmit FIFO empty, nothing received */
                return true;
        }
        if (off >= PL011_PERIPHID0 && off < PL011_PERIPHID0 + 32 && !(off & 3)) {
                *val = pl011_ids[(off - PL011_PERIPHID0) / 4];
                return true;
        }
        *val = 0; /* other registers read as zero */
        return off < PL011_SIZE;
}

static bool pl011_write(struct host_mmio_dev *dev, uint64_t off, unsigned size, uint64_t val)
{
        struct pl011 *u = (struct pl011 *)dev;
        if (off != PL011_DR)
                return off < PL011_SIZE; /* control registers: accepted, ignored */
        char c = (char)(val & 0xFF);
        u->bytes++;
        if (c == '\n' || u->len == sizeof(u->line))
                pl011_emit(u);
        if (c != '\n' && c != '\r')
                u->line[u->len++] = c;
        return true;
}

void pl011_init(struct pl011 *u, uint64_t base, FILE *out, const char *prefix)
{
        memset(u, 0, sizeof(*u));
        u->dev.name = "pl011";
        u->dev.base = base;
        u->dev.size = PL011_SIZE;
        u->dev.read = pl011_read;
        u->dev.write = pl011_write;
        u->out = out;
        u->prefix = prefix;
}

void pl011_flush(struct pl011 *u)
{
        if (u->len)
                pl011_emit(u);
}
