/* The receive path of a Secure IDE port (src/hw/ide.c) fed arbitrary wire bytes, as a
 * malicious switch or interposer could send them. The input is a sequence of records
 * { u16 big-endian length, that many bytes }, each one TLP handed to hw_ide_rx in turn.
 * The port: stream 0x2A, K0 and K1 live for Rx on every sub-stream with the keys of
 * tests/hw/ide_kat.py (K1 = K0 XOR 0xff), IFV 1, and eight T=1 reads (tags 0-7, requester
 * 0x0100) in flight so that completions can be accepted.
 * What must hold: no crash or out-of-bounds access (ASan); a refused TLP leaves *out all
 * zero and nothing in plain; an accepted IDE TLP is authentic: sealing what was delivered
 * again with lib/aead directly (the key its K names, nonce 0 || the Rx counter it was
 * opened with, AAD = the received prefix and header) gives back exactly the received
 * ciphertext and MAC; an accepted clear TLP has T=0 and its payload as received; after a
 * check failure the port is Insecure with every key wiped; an accepted completion leaves its
 * tag in flight exactly when it is a CplD with more bytes to come (Byte Count > Length).
 * Seeds (fuzz/corpus/ide_rx/): the ide_kat.py TLPs in order (all accepted), single ones,
 * a flipped one, a clear one, a clear split completion (fuzz/corpus/make_ide_seeds.py). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hw/ide.h"
#include "lib/aead.h"
#include "lib/bytes.h"
#include "lib/crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void key_of(unsigned ss, unsigned ks, uint8_t key[HW_IDE_KEY_LEN])
{
        for (unsigned i = 0; i < HW_IDE_KEY_LEN; i++)
                key[i] = (uint8_t)((0x20 * ss + i) ^ (ks ? 0xFFu : 0));
}

static struct hw_ide *secure_port(void)
{
        const struct hw_ide_config cfg = { .stream_id = 0x2A };
        uint8_t key[HW_IDE_KEY_LEN], wire[64];
        struct hw_ide *e;
        size_t n;

        if (!hw_ide_new(&e, &cfg))
                abort();
        for (unsigned ss = 0; ss < HW_IDE_SUB_STREAMS; ss++)
                for (unsigned d = 0; d < 2; d++)
                        for (unsigned ks = 0; ks < 2; ks++) {
                                key_of(ss, ks, key);
                                if (hw_ide_key_prog(e, (enum hw_ide_sub_stream)ss, (enum hw_ide_dir)d,
                                                    (enum hw_ide_key_set)ks, key, 1) != HW_IDE_OK ||
                                    hw_ide_key_go(e, (enum hw_ide_sub_stream)ss, (enum hw_ide_dir)d,
                                                  (enum hw_ide_key_set)ks) != HW_IDE_OK)
                                        abort();
                        }
        for (uint8_t tag = 0; tag < 8; tag++) {
                struct hw_tlp r = { .kind = HW_TLP_MRD, .ide.t = true, .requester_id = 0x0100, .tag = tag,
                                    .addr = 0x1000, .len = 4 };
                if (hw_ide_tx(e, &r, wire, sizeof(wire), &n, NULL) != HW_IDE_OK)
                        abort();
        }
        secure_zero(key, sizeof(key));
        return e;
}

/* The delivered IDE TLP sealed again, independently of ide.c, must be the received bytes. */
static void check_authentic(const uint8_t *in, size_t len, const struct hw_tlp *t, uint64_t counter)
{
        uint8_t key[HW_IDE_KEY_LEN], nonce[AEAD_NONCE_LEN], tag[AEAD_TAG_LEN];
        static uint8_t ct[HW_TLP_MAX_DATA];
        size_t hdr = hw_tlp_hdr_len(t), plen = t->data ? t->len : 0;
        struct aead *a;

        if (!t->ide.m || hdr + plen + HW_TLP_MAC_LEN != len)
                abort();
        key_of(t->ide.sub_stream, t->ide.k, key);
        st_be32(nonce, 0);
        st_be64(nonce + 4, counter);
        if (!aead_new(&a, AEAD_AES_256_GCM, key, sizeof(key)) || !aead_seal(a, nonce, in, hdr, t->data, plen, ct, tag))
                abort();
        if (memcmp(ct, in + hdr, plen) || memcmp(tag, in + hdr + plen, HW_TLP_MAC_LEN))
                abort();
        aead_free(a);
        secure_zero(key, sizeof(key));
}

static void check_refused(const struct hw_ide *e, enum hw_ide_status st, const struct hw_tlp *t, const uint8_t *plain)
{
        static const struct hw_tlp zero;
        if (memcmp(t, &zero, sizeof(*t)))
                abort();
        for (size_t i = 0; i < HW_TLP_MAX_DATA; i++)
                if (plain[i])
                        abort();
        if (st == HW_IDE_CHECK_FAILED) {
                if (hw_ide_state(e) != HW_IDE_INSECURE)
                        abort();
                for (unsigned ss = 0; ss < HW_IDE_SUB_STREAMS; ss++)
                        for (unsigned d = 0; d < 2; d++)
                                for (unsigned k = 0; k < 2; k++)
                                        if (!hw_ide_slot_wiped(e, (enum hw_ide_sub_stream)ss, (enum hw_ide_dir)d,
                                                               (enum hw_ide_key_set)k))
                                                abort();
        }
}

static void one(struct hw_ide *e, const uint8_t *in, size_t len, uint8_t *plain)
{
        struct hw_tlp t;
        char why[HW_IDE_WHY_LEN];
        /* the Rx counter the TLP would be opened with, if it names a valid slot */
        uint64_t before[HW_IDE_SUB_STREAMS][2];
        for (unsigned ss = 0; ss < HW_IDE_SUB_STREAMS; ss++)
                for (unsigned k = 0; k < 2; k++)
                        before[ss][k] = hw_ide_slot_counter(e, (enum hw_ide_sub_stream)ss, HW_IDE_RX,
                                                            (enum hw_ide_key_set)k);
        enum hw_ide_status st = hw_ide_rx(e, in, len, &t, plain, HW_TLP_MAX_DATA, why);
        if (st != HW_IDE_OK) {
                check_refused(e, st, &t, plain);
                return;
        }
        if (t.data && t.data != plain)
                abort();
        if ((t.kind == HW_TLP_CPL || t.kind == HW_TLP_CPLD) &&
            hw_ide_tag_in_flight(e, t.tag) != (t.kind == HW_TLP_CPLD && t.byte_count > t.len))
                abort();
        if (t.ide.present) {
                check_authentic(in, len, &t, before[t.ide.sub_stream][t.ide.k]);
        } else if (t.ide.t || (t.data && memcmp(t.data, in + hw_tlp_hdr_len(&t), t.len))) {
                abort();
        }
        memset(plain, 0, HW_TLP_MAX_DATA);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static uint8_t plain[HW_TLP_MAX_DATA];
        struct hw_ide *e = secure_port();
        struct byte_reader r;

        br_init(&r, data, size);
        while (br_remaining(&r) >= 2) {
                size_t n = br_be16(&r);
                if (n > br_remaining(&r))
                        n = br_remaining(&r);
                one(e, br_take(&r, n), n, plain);
        }
        hw_ide_free(e);
        return 0;
}
