/* The TLP decoder (src/hw/tlp.c) under arbitrary bytes: the input is one TLP as it arrives
 * on the link. What must hold: no read outside the input (ASan); a refusal gives a reason and
 * leaves the output all zero; an accepted TLP passes hw_tlp_check, its data and MAC point
 * inside the input where the layout puts them, a CplD's Byte Count is a DW multiple of at least
 * its Length (0 on every other kind), and it re-encodes to exactly the input (the encoding is
 * canonical).
 * Seeds (fuzz/corpus/tlp/): clear MWr/MRd/Cpl/CplD (one of them split) in 3- and 4-DW form and the six sealed
 * TLPs of tests/hw/ide_kat.py (made by fuzz/corpus/make_ide_seeds.py). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hw/tlp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static uint8_t out[HW_TLP_MAX_WIRE];
        struct hw_tlp t;
        char why[HW_TLP_WHY_LEN] = "";
        size_t n = 0;

        if (!hw_tlp_decode(data, size, &t, why)) {
                static const struct hw_tlp zero;
                if (!why[0] || memcmp(&t, &zero, sizeof(t)))
                        abort();
                return 0;
        }
        if (!hw_tlp_check(&t, why) || size != hw_tlp_wire_len(&t) || size > HW_TLP_MAX_WIRE)
                abort();
        if (hw_tlp_has_data(t.kind) != (t.data != NULL) || (t.data && t.data != data + hw_tlp_hdr_len(&t)))
                abort();
        if (t.kind == HW_TLP_CPLD ? t.byte_count < t.len || t.byte_count % 4 || t.byte_count > HW_TLP_MAX_DATA
                                  : t.byte_count != 0)
                abort();
        if ((t.ide.present && t.ide.m) != (t.mac != NULL) || (t.mac && t.mac != data + size - HW_TLP_MAC_LEN))
                abort();
        if (!hw_tlp_encode(&t, out, sizeof(out), &n, why) || n != size || memcmp(out, data, size))
                abort();
        return 0;
}
