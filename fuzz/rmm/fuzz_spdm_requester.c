/* The RMM's SPDM requester fed a hostile response. A real responder answers the first k
 * requests (k from the input's first byte, 0..11: through the whole attestation and one
 * heartbeat in the session); the relay then hands the requester the rest of the input
 * instead of the device's k-th answer (plain or secured, from the second byte). What must
 * hold: no crash, no read outside the input; the requester either fails with a named error
 * and a reason, and stays failed, or accepts the bytes only as the step they answer; and
 * whatever it accepted, it never reports an established session unless the real
 * responder has one with the same ID. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "device/spdm_responder.h"
#include "lib/pki.h"
#include "rmm/spdm_requester.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BUF 16384

static const uint8_t fw[] = "firmware";

/* The PKI is made once: pki_make costs three key generations and signatures. */
static struct pki *pki_once(void)
{
        static struct pki p;
        static int made;
        if (!made) {
                static const uint8_t seed[] = "fuzz pki";
                struct pki_params pp = { .not_before = 1767225600, .not_after = 2082758400, .seed = seed,
                                         .seed_len = sizeof(seed) };
                if (!pki_make(&pp, &p, NULL))
                        abort();
                made = 1;
        }
        return &p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size < 2)
                return 0;
        struct pki *p = pki_once();
        struct drbg *dr, *dq;
        struct spdm_responder *rsp;
        struct spdm_requester *req;
        uint8_t *out = malloc(BUF), *ans = malloc(BUF);
        unsigned k = data[0] % 12;
        bool fake_secured = data[1] & 1;

        if (!out || !ans || !drbg_new_seeded(&dr, (const uint8_t *)"r", 1, "rsp") ||
            !drbg_new_seeded(&dq, (const uint8_t *)"q", 1, "req"))
                abort();
        struct spdm_responder_cfg rc = { .chain_der = p->chain, .chain_der_len = p->chain_len,
                                         .leaf_key = p->leaf_key, .drbg = dr, .nmeas = 1,
                                         .no_handshake_in_the_clear = data[1] & 2,
                                         .meas = { { .index = 1, .value_type = 1, .value = fw, .len = sizeof(fw) } } };
        struct spdm_requester_cfg qc = { .trust_anchor = p->root, .trust_anchor_len = p->root_len,
                                         .now = 1796169600, .drbg = dq };
        if (!spdm_responder_new(&rsp, &rc, NULL) || !spdm_requester_new(&req, &qc))
                abort();
        struct spdm_req_out o = { .buf = out, .cap = BUF };
        enum spdm_req_status st = spdm_requester_start(req, &o);
        unsigned n = 0;
        bool faked = false;
        for (;;) {
                if (st == SPDM_REQ_DONE && !faked) {
                        st = spdm_requester_heartbeat(req, &o);
                        continue;
                }
                if (st != SPDM_REQ_SEND)
                        break;
                size_t alen;
                bool asec;
                if (!spdm_responder_handle(rsp, o.secured, o.buf, o.len, ans, BUF, &alen, &asec))
                        abort();
                if (n++ == k) {
                        /* exactly size - 2 bytes: ASan sees any overread */
                        uint8_t *copy = malloc(size - 2 ? size - 2 : 1);
                        if (!copy)
                                abort();
                        memcpy(copy, data + 2, size - 2);
                        st = spdm_requester_step(req, copy, size - 2, fake_secured, &o);
                        free(copy);
                        faked = true;
                        continue;
                }
                st = spdm_requester_step(req, ans, alen, asec, &o);
        }
        const char *why = NULL;
        enum spdm_req_error e = spdm_requester_error(req, &why);
        if (st == SPDM_REQ_FAILED) {
                if (e == SPDM_REQ_OK || !why || !why[0])
                        abort();
                o.len = 0;
                if (spdm_requester_step(req, ans, 4, false, &o) != SPDM_REQ_FAILED || o.len)
                        abort();
        }
        uint32_t sid;
        const struct spdm_req_result *res = spdm_requester_result(req);
        if (res->session && (!spdm_responder_session(rsp, &sid) || sid != res->session_id))
                abort();
        spdm_requester_free(req);
        spdm_responder_free(rsp);
        drbg_free(dr);
        drbg_free(dq);
        free(out);
        free(ans);
        return 0;
}
