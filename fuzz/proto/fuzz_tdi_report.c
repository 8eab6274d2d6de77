/* The TDI report a Realm receives (proto/tdisp.h): tdi_report_decode, tdi_report_check and
 * the reassembly from DEVICE_INTERFACE_REPORT portions, under any bytes. What must hold: no
 * read past the input (ASan); a refusal gives a reason, a zero struct and leaves the caller's
 * range storage untouched; an accepted report re-encodes to the input (reserved bytes 2-3
 * zeroed) and has exactly tdi_report_size bytes; an accepted check means every range has
 * pages, fits the address space and meets no other; the portions of any size reassemble to
 * the input. Input: byte 0 = policy (bit 0 LOCK_MSIX requested, bit 1 MMIO_REPORTING_OFFSET
 * 0xD0000000 else 0, bit 2 an unaligned offset, bits 7:3 portion size - 1 in 8-byte units),
 * then the report. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/tdisp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RANGES_MAX 64

static void check_accepted(const struct tdi_report *r, const struct tdi_report_policy *p)
{
        for (uint32_t i = 0; i < r->range_count; i++) {
                uint64_t bi, si, bj, sj;
                if (!r->ranges[i].num_pages || !tdi_mmio_range_addr(&r->ranges[i], p->mmio_reporting_offset, &bi, &si))
                        abort();
                for (uint32_t j = 0; j < r->range_count; j++) {
                        if (j == i)
                                continue;
                        if (!tdi_mmio_range_addr(&r->ranges[j], p->mmio_reporting_offset, &bj, &sj))
                                abort();
                        if (bj >= bi && bj - bi < si) /* j starts inside i */
                                abort();
                }
        }
}

static void reassemble(const uint8_t *rep, size_t len, size_t chunk)
{
        static uint8_t buf[1u << 16];
        struct tdi_report_asm a;
        char why[TDISP_WHY_LEN];
        if (len == 0 || len > UINT16_MAX)
                return;
        tdi_report_asm_init(&a, buf, sizeof(buf));
        while (!tdi_report_asm_done(&a)) {
                size_t off = tdi_report_asm_next(&a), n = len - off < chunk ? len - off : chunk;
                struct tdisp_get_report q = { 1, (uint16_t)off, (uint16_t)chunk };
                struct tdisp_report_portion r = { 1, (uint16_t)n, (uint16_t)(len - off - n), rep + off };
                if (!tdi_report_asm_add(&a, &q, &r, why))
                        abort();
        }
        if (a.have != len || memcmp(buf, rep, len))
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static uint8_t enc[1u << 21]; /* the replay takes inputs up to 1 MiB */
        struct tdi_mmio_range ranges[RANGES_MAX];
        struct tdi_report r;
        size_t elen = 0;
        char why[TDISP_WHY_LEN] = "";
        if (size < 1)
                return 0;
        struct tdi_report_policy p = {
                .lock_flags = (data[0] & 1) ? TDISP_LOCK_LOCK_MSIX : 0,
                .mmio_reporting_offset = ((data[0] & 2) ? 0xD0000000u : 0) | ((data[0] & 4) ? 0x10u : 0),
        };
        const uint8_t *rep = data + 1;
        size_t len = size - 1;
        reassemble(rep, len, 8u * ((size_t)(data[0] >> 3) + 1u));
        memset(ranges, 0xA5, sizeof(ranges));
        if (!tdi_report_decode(rep, len, &r, ranges, RANGES_MAX, why)) {
                const uint8_t *b = (const uint8_t *)ranges;
                for (size_t i = 0; i < sizeof(ranges); i++)
                        if (b[i] != 0xA5)
                                abort();
                const uint8_t *z = (const uint8_t *)&r;
                for (size_t i = 0; i < sizeof(r); i++)
                        if (z[i])
                                abort();
                if (!why[0])
                        abort();
                return 0;
        }
        if (tdi_report_size(&r) != len || !tdi_report_encode(enc, sizeof(enc), &r, &elen) || elen != len ||
            memcmp(enc, rep, 2) || enc[2] || enc[3] || memcmp(enc + 4, rep + 4, len - 4))
                abort();
        why[0] = '\0';
        if (tdi_report_check(&r, &p, why))
                check_accepted(&r, &p);
        else if (!why[0])
                abort();
        return 0;
}
