/* The device's IDE_KM and TDISP responders (device/ide_km_responder.c,
 * device/tdisp_responder.c) under any sequence of payloads from a hostile TSM or host, in
 * any TDI state, with the events that end sessions and break the stream in between.
 *
 * Input: items, each  kind(1) | length(1) | bytes
 *   kind bit 0      0: an IDE_KM payload, 1: a TDISP payload
 *   kind bit 1      delivered in a secured session
 *   kind bit 2      session A (0) or B (1)
 *   kind bit 3      before the item, a scripted TSM keys the stream and LOCKs over session A
 *                   (reaching CONFIG_LOCKED from wherever the fuzzer left things, if it can)
 *   kind bits 7:4   an event after the item: 1 session A ends, 2 session B ends, 3 IDE
 *                   failure, 4 a config change, 5 a new Stream ID written, 6 an engine port
 *                   set, 7 the port removed, 8 the response buffer shrinks to 64 bytes
 *
 * What must hold after every item: an answer fits its buffer; a TDISP answer decodes as its
 * request's response or as TDISP_ERROR; an IDE_KM answer is QUERY_RESP, KP_ACK or
 * K_GOSTOP_ACK and decodes; a refused request writes nothing; the TDI state is one of the
 * four; a locked TDI's stream is Secure and pinned to its session (so no key vanished
 * without the TDI seeing it); no access outside any buffer (ASan).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "device/ide_km_responder.h"
#include "device/tdisp_responder.h"
#include "lib/drbg.h"
#include "proto/ide_km.h"
#include "proto/tdisp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SID_A 0xFFFF0001u
#define SID_B 0xFFFF0002u
#define FID 0x0018u
#define BUF 1024

struct harness {
        struct drbg *drbg;
        struct ide_km_responder *ide;
        struct tdisp_responder *t;
        size_t cap;
        uint8_t rsp[BUF];
};

static void on_insecure(void *ctx, const char *why)
{
        struct harness *h = ctx;
        tdisp_responder_ide_failed(h->t, why);
}

static size_t bars(void *ctx, struct tdisp_bar *out, size_t cap)
{
        (void)ctx;
        if (cap)
                out[0] = (struct tdisp_bar){ .bei = 0, .addr = 0x10000000, .size = 0x4000 };
        return 1;
}

static bool eng_prog(void *ctx, uint8_t s, enum ide_km_sub_stream ss, enum ide_km_dir d, enum ide_km_key_set k,
                     const uint8_t key[IDE_KM_KEY_SIZE], uint64_t ifv)
{
        (void)ctx, (void)s, (void)ss, (void)d, (void)k, (void)ifv;
        return key[0] != 0xEE; /* an engine that sometimes says no */
}

static bool eng_gostop(void *ctx, uint8_t s, enum ide_km_sub_stream ss, enum ide_km_dir d, enum ide_km_key_set k)
{
        (void)ctx, (void)s, (void)d, (void)k;
        return ss != IDE_KM_CPL || k == IDE_KM_K0;
}

static void check_ide_answer(const uint8_t *rsp, size_t len)
{
        uint8_t object;
        struct ide_km_query_resp q;
        struct ide_km_kp_ack a;
        struct ide_km_k_set k;
        if (!ide_km_object_id(rsp, len, &object, NULL))
                abort();
        bool ok = object == IDE_KM_QUERY_RESP     ? ide_km_query_resp_decode(rsp, len, &q, NULL)
                  : object == IDE_KM_K_GOSTOP_ACK ? ide_km_k_set_decode(object, rsp, len, &k, NULL)
                  : object == IDE_KM_KP_ACK       ? len == IDE_KM_KP_ACK_SIZE
                                                  : false;
        /* a KP_ACK echoes a reserved KeySubStream as it came: decode it only otherwise */
        if (object == IDE_KM_KP_ACK && (rsp[6] >> 4) < IDE_KM_SUB_STREAMS)
                ok = ide_km_kp_ack_decode(rsp, len, &a, NULL);
        if (!ok)
                abort();
}

static void check_tdisp_answer(const uint8_t *req, const uint8_t *rsp, size_t len)
{
        struct tdisp_header h;
        if (!tdisp_header_decode(rsp, len, &h, NULL) || h.version != TDISP_VERSION_10)
                abort();
        if (h.type == TDISP_ERROR) {
                struct tdisp_error e;
                if (!tdisp_error_decode(rsp, len, &e, NULL))
                        abort();
                return;
        }
        if (h.type != TDISP_RESPONSE_OF(req[2]))
                abort();
}

/* Keys all six K0 slots and LOCKs, both over session A (best effort: refusals are fine). */
static void script_lock(struct harness *h)
{
        static const uint8_t key[IDE_KM_KEY_SIZE] = { 0x5A };
        uint8_t m[64], r[BUF];
        size_t n, rn;
        bool answered = true; /* refusals are part of the script's world: only counted */
        for (unsigned ss = 0; ss < IDE_KM_SUB_STREAMS; ss++)
                for (unsigned d = 0; d < 2; d++) {
                        struct ide_km_key_id id = { .stream_id = ide_km_responder_stream_id(h->ide),
                                                    .sub_stream = (enum ide_km_sub_stream)ss,
                                                    .dir = (enum ide_km_dir)d, .port_index = 1 };
                        struct ide_km_key_prog kp = { .id = id, .ifv = 1 };
                        struct ide_km_k_set go = { .id = id };
                        if (ide_km_key_prog_encode(m, sizeof(m), &kp, key, &n))
                                answered &= ide_km_responder_handle(h->ide, true, SID_A, m, n, r, sizeof(r), &rn);
                        if (ide_km_k_set_encode(IDE_KM_K_SET_GO, m, sizeof(m), &go, &n))
                                answered &= ide_km_responder_handle(h->ide, true, SID_A, m, n, r, sizeof(r), &rn);
                }
        struct tdisp_lock_interface_request q = { .function_id = FID, .default_stream_id =
                                                                              ide_km_responder_stream_id(h->ide) };
        if (tdisp_lock_interface_request_encode(m, sizeof(m), &q, &n))
                answered &= tdisp_responder_handle(h->t, true, SID_A, m, n, r, sizeof(r), &rn);
        (void)answered;
}

static void event(struct harness *h, unsigned e)
{
        static const struct ide_km_port_ops ops = { eng_prog, eng_gostop, eng_gostop, NULL };
        switch (e) {
        case 1:
        case 2: {
                uint32_t sid = e == 1 ? SID_A : SID_B;
                tdisp_responder_session_ended(h->t, sid);
                ide_km_responder_session_ended(h->ide, sid);
                break;
        }
        case 3:
                ide_km_responder_fail(h->ide, "fuzz");
                break;
        case 4:
                tdisp_responder_config_changed(h->t, "fuzz");
                break;
        case 5:
                ide_km_responder_reg_write(h->ide, IDE_KM_RSP_REG_SEL_CTL,
                                           ide_km_responder_reg_read(h->ide, IDE_KM_RSP_REG_SEL_CTL) + (1u << 24), 0xF);
                break;
        case 6:
                ide_km_responder_set_ops(h->ide, &ops);
                break;
        case 7:
                ide_km_responder_set_ops(h->ide, NULL);
                break;
        case 8:
                h->cap = 64;
                break;
        default:
                break;
        }
}

static void invariants(const struct harness *h)
{
        uint32_t sid;
        uint8_t s = tdisp_responder_state(h->t);
        if (s > TDISP_STATE_ERROR)
                abort();
        if (tdisp_responder_locked(h->t, &sid) && !ide_km_responder_keyed_on(h->ide, ide_km_responder_stream_id(h->ide), sid))
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct harness h = { .cap = BUF };
        char why[TDISP_RSP_REASON_LEN];
        if (!drbg_new_seeded(&h.drbg, (const uint8_t *)"fuzz", 4, "fuzz tdisp"))
                abort();
        struct ide_km_responder_cfg ic = { .bdf = FID, .on_insecure = on_insecure, .insecure_ctx = &h };
        struct tdisp_responder_cfg tc = { .function_id = FID, .drbg = h.drbg, .bars = bars };
        if (!ide_km_responder_new(&h.ide, &ic))
                abort();
        tc.ide = h.ide;
        if (!tdisp_responder_new(&h.t, &tc, why))
                abort();
        size_t off = 0;
        while (off + 2 <= size) {
                uint8_t kind = data[off], len = data[off + 1];
                off += 2;
                size_t n = len <= size - off ? len : size - off;
                uint8_t *req = malloc(n ? n : 1); /* its own allocation: ASan sees any overread */
                size_t rlen = 0;
                if (!req)
                        abort();
                memcpy(req, data + off, n);
                off += n;
                if (kind & 8)
                        script_lock(&h);
                bool secured = kind & 2;
                uint32_t sid = kind & 4 ? SID_B : SID_A;
                memset(h.rsp, 0xA5, sizeof(h.rsp));
                bool ok = kind & 1 ? tdisp_responder_handle(h.t, secured, sid, req, n, h.rsp, h.cap, &rlen)
                                   : ide_km_responder_handle(h.ide, secured, sid, req, n, h.rsp, h.cap, &rlen);
                if (rlen > h.cap || (!ok && rlen) || (ok && !secured))
                        abort();
                if (ok && (kind & 1))
                        check_tdisp_answer(req, h.rsp, rlen);
                else if (ok)
                        check_ide_answer(h.rsp, rlen);
                free(req);
                invariants(&h);
                event(&h, kind >> 4);
                invariants(&h);
        }
        tdisp_responder_free(h.t);
        ide_km_responder_free(h.ide);
        drbg_free(h.drbg);
        return 0;
}
