/* Prints, one hex line each, the wire bytes of the TLPs ide_kat.py computes on its own: a
 * Secure Root Port engine (stream 0x2A, keys of ide_kat.py's key(), IFV 1) seals them.
 * Usage: ide_kat_write */
#include <stdio.h>
#include <string.h>

#include "hw/ide.h"
#include "lib/crypto.h"

static void kat_key(unsigned ss, unsigned ks, uint8_t key[HW_IDE_KEY_LEN])
{
        for (unsigned i = 0; i < HW_IDE_KEY_LEN; i++)
                key[i] = (uint8_t)((0x20 * ss + i) ^ (ks ? 0xFFu : 0));
}

static int prog_go(struct hw_ide *e, unsigned ss, unsigned dir, unsigned ks)
{
        uint8_t key[HW_IDE_KEY_LEN];
        kat_key(ss, ks, key);
        int bad = hw_ide_key_prog(e, (enum hw_ide_sub_stream)ss, (enum hw_ide_dir)dir, (enum hw_ide_key_set)ks, key,
                                  HW_IDE_IFV_INITIAL) != HW_IDE_OK ||
                  hw_ide_key_go(e, (enum hw_ide_sub_stream)ss, (enum hw_ide_dir)dir, (enum hw_ide_key_set)ks) !=
                          HW_IDE_OK;
        secure_zero(key, sizeof(key));
        return bad;
}

static int put(struct hw_ide *e, const struct hw_tlp *t)
{
        uint8_t wire[HW_TLP_MAX_WIRE];
        char hex[2 * HW_TLP_MAX_WIRE + 1], why[HW_IDE_WHY_LEN] = "";
        size_t n;
        enum hw_ide_status st = hw_ide_tx(e, t, wire, sizeof(wire), &n, why);
        if (st != HW_IDE_OK) {
                fprintf(stderr, "ide_kat_write: %s: %s\n", hw_ide_status_name(st), why);
                return 1;
        }
        hex_encode(hex, wire, n);
        printf("%s\n", hex);
        return 0;
}

int main(void)
{
        static const uint8_t d1[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
        static const uint8_t d2[8] = { 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7 };
        static const uint8_t d5[4] = { 0xde, 0xad, 0xbe, 0xef }, d6[4] = { 1, 2, 3, 4 };
        const struct hw_ide_config cfg = { .stream_id = 0x2A };
        struct hw_ide *e;
        int bad = 0;

        if (!hw_ide_new(&e, &cfg))
                return 1;
        for (unsigned ss = 0; ss < HW_IDE_SUB_STREAMS; ss++)
                for (unsigned dir = 0; dir < 2; dir++)
                        bad |= prog_go(e, ss, dir, 0);
        const struct hw_tlp tlps[] = {
                { .kind = HW_TLP_MWR, .ide.t = true, .requester_id = 0x0100, .tag = 1, .addr = 0x80001000, .len = 16,
                  .data = d1 },
                { .kind = HW_TLP_MWR, .ide.t = true, .requester_id = 0x0100, .tag = 2, .addr = 0x1234567000ull,
                  .len = 8, .data = d2 },
                { .kind = HW_TLP_MRD, .ide.t = true, .requester_id = 0x0100, .tag = 3, .addr = 0x80002000, .len = 64 },
                { .kind = HW_TLP_CPLD, .ide.t = true, .completer_id = 0, .requester_id = 0x0100, .tag = 7,
                  .addr = 0x40, .len = 12, .data = (const uint8_t *)"IDE-KAT-CPLD" },
                { .kind = HW_TLP_MWR, .ide.t = false, .requester_id = 0x0100, .tag = 5, .addr = 0x1000, .len = 4,
                  .data = d5 },
        };
        for (size_t i = 0; !bad && i < sizeof(tlps) / sizeof(tlps[0]); i++)
                bad |= put(e, &tlps[i]);
        bad |= prog_go(e, HW_IDE_PR, HW_IDE_TX, 1);
        const struct hw_tlp k1 = { .kind = HW_TLP_MWR, .ide.t = true, .requester_id = 0x0100, .tag = 6,
                                   .addr = 0x2000, .len = 4, .data = d6 };
        if (!bad)
                bad |= put(e, &k1);
        hw_ide_free(e);
        return bad;
}
