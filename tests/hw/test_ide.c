/* src/hw/ide.c and src/hw/link.c: two ports' IDE engines and the tapped link between them.
 * Known answers: the sealed bytes ide_kat.py computes with Python's cryptography AESGCM from
 * its own TLP layout (lines 1 and 3 of `ide_kat.py --print`, committed below; the ctest
 * hw_ide_seal_checks_with_python_cryptography compares all six live). The rest checks the
 * state rules of ide.h: Secure only with every (sub-stream, direction) live, and every
 * failure (flip, replay, drop, wrong key, wrong stream, T mismatch, ...) moving both ends
 * Insecure with keys wiped and nothing delivered. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/ide.h"
#include "hw/link.h"
#include "lib/crypto.h"

/* ---- fixture: RP and EP engines on a link, keys per flow direction ---- */

struct side {
        unsigned insecure_calls;
        enum hw_ide_fail last_why;
};

struct delivered {
        unsigned n;
        struct hw_tlp tlp;        /* the last one, data copied below */
        uint8_t data[HW_TLP_MAX_DATA];
        enum hw_link_end at;
};

struct tap {
        enum { TAP_PASS, TAP_FLIP, TAP_DROP_ONCE, TAP_KEEP_FIRST, TAP_REPLAY_KEPT, TAP_STRIP_MAC, TAP_FLIP_K } mode;
        size_t flip_at;
        uint8_t seen[HW_TLP_MAX_WIRE], kept[HW_TLP_MAX_WIRE];
        size_t seen_len, kept_len;
        unsigned calls;
};

struct fx {
        struct hw_ide *e[2];
        struct hw_link *link;
        struct side side[2];
        struct delivered got;
        struct tap tap;
        /* the EP's answer to a read (TLP kind CPLD), with this T */
        bool answer_reads, answer_t;
};

static void on_insecure(void *ctx, enum hw_ide_fail why)
{
        struct side *s = ctx;
        s->insecure_calls++;
        s->last_why = why;
}

/* Flow RP->EP uses keys 0x00.. per sub-stream, EP->RP keys 0x80..; K1 XOR 0x5a. */
static void flow_key(enum hw_link_end sender, unsigned ss, unsigned ks, uint8_t key[HW_IDE_KEY_LEN])
{
        for (unsigned i = 0; i < HW_IDE_KEY_LEN; i++)
                key[i] = (uint8_t)(((sender == HW_LINK_RP ? 0 : 0x80) + 0x20 * ss + i) ^ (ks ? 0x5a : 0));
}

static void prog(struct fx *f, enum hw_link_end port, unsigned ss, enum hw_ide_dir dir, unsigned ks, uint64_t ifv)
{
        uint8_t key[HW_IDE_KEY_LEN];
        enum hw_link_end sender = dir == HW_IDE_TX ? port : (enum hw_link_end)!port;
        flow_key(sender, ss, ks, key);
        assert_int_equal(hw_ide_key_prog(f->e[port], (enum hw_ide_sub_stream)ss, dir, (enum hw_ide_key_set)ks, key, ifv),
                         HW_IDE_OK);
        secure_zero(key, sizeof(key));
}

static void go(struct fx *f, enum hw_link_end port, unsigned ss, enum hw_ide_dir dir, unsigned ks)
{
        assert_int_equal(hw_ide_key_go(f->e[port], (enum hw_ide_sub_stream)ss, dir, (enum hw_ide_key_set)ks), HW_IDE_OK);
}

/* The IDE_KM order of facts §4: program all, then Rx go, then Tx go. */
static void key_both(struct fx *f, unsigned ks)
{
        for (unsigned p = 0; p < 2; p++)
                for (unsigned ss = 0; ss < HW_IDE_SUB_STREAMS; ss++)
                        for (unsigned d = 0; d < 2; d++)
                                prog(f, (enum hw_link_end)p, ss, (enum hw_ide_dir)d, ks, HW_IDE_IFV_INITIAL);
        for (unsigned d = 0; d < 2; d++)
                for (unsigned p = 0; p < 2; p++)
                        for (unsigned ss = 0; ss < HW_IDE_SUB_STREAMS; ss++)
                                go(f, (enum hw_link_end)p, ss, (enum hw_ide_dir)d, ks);
}

static void handler(void *ctx, enum hw_link_end at, const struct hw_tlp *tlp);

static enum hw_tap_verdict tap_fn(void *ctx, enum hw_link_end from, uint8_t *wire, size_t *len, size_t cap)
{
        struct tap *t = ctx;
        (void)from;
        (void)cap;
        t->calls++;
        memcpy(t->seen, wire, *len);
        t->seen_len = *len;
        switch (t->mode) {
        case TAP_PASS: break;
        case TAP_FLIP: wire[t->flip_at < *len ? t->flip_at : *len - 1] ^= 0x01; break;
        case TAP_DROP_ONCE: t->mode = TAP_PASS; return HW_TAP_DROP;
        case TAP_KEEP_FIRST:
                memcpy(t->kept, wire, *len);
                t->kept_len = *len;
                t->mode = TAP_PASS;
                break;
        case TAP_REPLAY_KEPT:
                memcpy(wire, t->kept, t->kept_len);
                *len = t->kept_len;
                break;
        case TAP_STRIP_MAC:
                wire[1] &= 0x7f; /* M=0 */
                *len -= HW_TLP_MAC_LEN;
                break;
        case TAP_FLIP_K: wire[1] ^= 0x40; break;
        }
        return HW_TAP_PASS;
}

/* The two engines (their "ide" events to trace, which may be NULL) on a tapped link. */
static struct fx *fx_new_traced(uint8_t rp_stream, uint8_t ep_stream, struct trace *trace)
{
        struct fx *f = calloc(1, sizeof(*f));
        assert_non_null(f);
        struct hw_ide_config rp = { .stream_id = rp_stream, .on_insecure = on_insecure, .ctx = &f->side[0],
                                    .trace = trace, .end = "rp" };
        struct hw_ide_config ep = { .stream_id = ep_stream, .default_stream = true, .on_insecure = on_insecure,
                                    .ctx = &f->side[1], .trace = trace, .end = "ep" };
        assert_true(hw_ide_new(&f->e[0], &rp));
        assert_true(hw_ide_new(&f->e[1], &ep));
        assert_true(hw_link_new(&f->link, f->e[0], f->e[1]));
        hw_link_set_handler(f->link, HW_LINK_RP, handler, f);
        hw_link_set_handler(f->link, HW_LINK_EP, handler, f);
        hw_link_set_tap(f->link, tap_fn, &f->tap);
        return f;
}

static struct fx *fx_new(uint8_t rp_stream, uint8_t ep_stream)
{
        return fx_new_traced(rp_stream, ep_stream, NULL);
}

static void fx_free(struct fx *f)
{
        hw_link_free(f->link);
        hw_ide_free(f->e[0]);
        hw_ide_free(f->e[1]);
        free(f);
}

static void handler(void *ctx, enum hw_link_end at, const struct hw_tlp *tlp)
{
        struct fx *f = ctx;
        f->got.n++;
        f->got.tlp = *tlp;
        f->got.at = at;
        if (tlp->data)
                memcpy(f->got.data, tlp->data, tlp->len);
        if (f->answer_reads && tlp->kind == HW_TLP_MRD) {
                static const uint8_t ans[8] = { 'c', 'o', 'm', 'p', 'l', 'e', 't', 'e' };
                struct hw_tlp c = { .kind = HW_TLP_CPLD, .ide.t = f->answer_t, .completer_id = 0x0800,
                                    .requester_id = tlp->requester_id, .tag = tlp->tag, .len = 8, .data = ans };
                (void)hw_link_send(f->link, at, &c, NULL); /* the test looks at the state it leaves */
        }
}

static const uint8_t secret[16] = { 'R', 'e', 'a', 'l', 'm', '-', 'p', 'r', 'i', 'v', 'a', 't', 'e', '!', '!', '!' };

static struct hw_tlp mwr(bool t, uint8_t tag)
{
        return (struct hw_tlp){ .kind = HW_TLP_MWR, .ide.t = t, .requester_id = 0x0800, .tag = tag,
                                .addr = 0x88000000, .len = sizeof(secret), .data = secret };
}

static struct hw_tlp mrd(bool t, uint8_t tag)
{
        return (struct hw_tlp){ .kind = HW_TLP_MRD, .ide.t = t, .requester_id = 0x0000, .tag = tag,
                                .addr = 0x10000, .len = 8 };
}

static bool contains(const uint8_t *hay, size_t n, const uint8_t *needle, size_t m)
{
        for (size_t i = 0; i + m <= n; i++)
                if (!memcmp(hay + i, needle, m))
                        return true;
        return false;
}

static void assert_all_wiped(const struct hw_ide *e)
{
        for (unsigned ss = 0; ss < HW_IDE_SUB_STREAMS; ss++)
                for (unsigned d = 0; d < 2; d++)
                        for (unsigned k = 0; k < 2; k++)
                                assert_true(hw_ide_slot_wiped(e, (enum hw_ide_sub_stream)ss, (enum hw_ide_dir)d,
                                                              (enum hw_ide_key_set)k));
}

/* Both ends Insecure after a failure detected at `detector`; the other got the Fail Message. */
static void assert_failed(struct fx *f, enum hw_link_end detector, enum hw_ide_fail why)
{
        struct hw_ide_regs r;
        enum hw_link_end other = (enum hw_link_end)!detector;
        assert_int_equal(hw_ide_state(f->e[0]), HW_IDE_INSECURE);
        assert_int_equal(hw_ide_state(f->e[1]), HW_IDE_INSECURE);
        assert_int_equal(hw_ide_last_fail(f->e[detector]), why);
        assert_int_equal(hw_ide_last_fail(f->e[other]), HW_IDE_FAIL_MESSAGE);
        assert_int_equal(f->side[detector].insecure_calls, 1);
        assert_int_equal(f->side[detector].last_why, why);
        assert_int_equal(f->side[other].insecure_calls, 1);
        assert_int_equal(f->side[other].last_why, HW_IDE_FAIL_MESSAGE);
        hw_ide_regs(f->e[other], &r);
        assert_int_equal(r.sel_sts, HW_IDE_SEL_STS_FAIL | HW_IDE_INSECURE);
        hw_ide_regs(f->e[detector], &r);
        assert_int_equal(r.sel_sts, HW_IDE_INSECURE);
        assert_int_equal(hw_ide_stats(f->e[detector])->check_failures, 1);
        assert_int_equal(hw_ide_stats(f->e[other])->fail_messages, 1);
        assert_all_wiped(f->e[0]);
        assert_all_wiped(f->e[1]);
}

/* ---- known answers ---- */

static void kat_key(unsigned ss, uint8_t key[HW_IDE_KEY_LEN])
{
        for (unsigned i = 0; i < HW_IDE_KEY_LEN; i++)
                key[i] = (uint8_t)(0x20 * ss + i);
}

static void ide_tx_seal_matches_python_cryptography_known_answers(void **state)
{
        /* ide_kat.py --print, lines 1 (MWr 16 bytes) and 3 (MRd after two PR TLPs) */
        static const char mwr_hex[] = "92a02a0040000004010001ff8000100015d7bdff40f1361906275b32e0ab34f8275cb7472f2e1654e009de5e";
        static const char mrd_hex[] = "92a12a0200000010010003ff80002000208edbd9ba6ad81f359dfdb9";
        static const uint8_t d1[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 }, d2[8] = { 0 };
        const struct hw_ide_config cfg = { .stream_id = 0x2A };
        uint8_t key[HW_IDE_KEY_LEN], wire[HW_TLP_MAX_WIRE], want[128];
        size_t n, wn;
        struct hw_ide *e;
        (void)state;
        assert_true(hw_ide_new(&e, &cfg));
        for (unsigned ss = 0; ss < HW_IDE_SUB_STREAMS; ss++)
                for (unsigned d = 0; d < 2; d++) {
                        kat_key(ss, key);
                        assert_int_equal(hw_ide_key_prog(e, (enum hw_ide_sub_stream)ss, (enum hw_ide_dir)d, HW_IDE_K0,
                                                         key, 1),
                                         HW_IDE_OK);
                        assert_int_equal(hw_ide_key_go(e, (enum hw_ide_sub_stream)ss, (enum hw_ide_dir)d, HW_IDE_K0),
                                         HW_IDE_OK);
                }
        struct hw_tlp t1 = { .kind = HW_TLP_MWR, .ide.t = true, .requester_id = 0x0100, .tag = 1, .addr = 0x80001000,
                             .len = 16, .data = d1 };
        assert_int_equal(hw_ide_tx(e, &t1, wire, sizeof(wire), &n, NULL), HW_IDE_OK);
        assert_true(hex_decode(mwr_hex, want, sizeof(want), &wn));
        assert_int_equal(n, wn);
        assert_memory_equal(wire, want, n);
        struct hw_tlp t2 = { .kind = HW_TLP_MWR, .ide.t = true, .requester_id = 0x0100, .tag = 2,
                             .addr = 0x1234567000ull, .len = 8, .data = d2 };
        assert_int_equal(hw_ide_tx(e, &t2, wire, sizeof(wire), &n, NULL), HW_IDE_OK);
        struct hw_tlp t3 = { .kind = HW_TLP_MRD, .ide.t = true, .requester_id = 0x0100, .tag = 3, .addr = 0x80002000,
                             .len = 64 };
        assert_int_equal(hw_ide_tx(e, &t3, wire, sizeof(wire), &n, NULL), HW_IDE_OK);
        assert_true(hex_decode(mrd_hex, want, sizeof(want), &wn));
        assert_int_equal(n, wn);
        assert_memory_equal(wire, want, n);
        assert_int_equal(hw_ide_slot_counter(e, HW_IDE_PR, HW_IDE_TX, HW_IDE_K0), 3);
        assert_int_equal(hw_ide_slot_counter(e, HW_IDE_NPR, HW_IDE_TX, HW_IDE_K0), 2);
        secure_zero(key, sizeof(key));
        hw_ide_free(e);
}

/* ---- state ---- */

static void ide_stream_is_secure_only_when_all_six_sub_stream_directions_are_live(void **state)
{
        struct fx *f = fx_new(1, 1);
        (void)state;
        for (unsigned ss = 0; ss < HW_IDE_SUB_STREAMS; ss++)
                for (unsigned d = 0; d < 2; d++)
                        prog(f, HW_LINK_RP, ss, (enum hw_ide_dir)d, 0, 1);
        assert_int_equal(hw_ide_slot(f->e[0], HW_IDE_CPL, HW_IDE_TX, HW_IDE_K0), HW_IDE_SLOT_PROGRAMMED);
        for (unsigned i = 0; i < 5; i++) {
                go(f, HW_LINK_RP, i / 2, (enum hw_ide_dir)(i % 2), 0);
                assert_int_equal(hw_ide_state(f->e[0]), HW_IDE_INSECURE);
        }
        go(f, HW_LINK_RP, HW_IDE_CPL, HW_IDE_TX, 0);
        assert_int_equal(hw_ide_state(f->e[0]), HW_IDE_SECURE);
        assert_int_equal(hw_ide_slot(f->e[0], HW_IDE_CPL, HW_IDE_TX, HW_IDE_K0), HW_IDE_SLOT_GO);
        struct hw_ide_regs r;
        hw_ide_regs(f->e[0], &r);
        assert_int_equal(r.sel_sts, HW_IDE_SECURE);
        /* stopping one key: Insecure, that slot wiped, the owner told, no Fail status */
        assert_int_equal(hw_ide_key_stop(f->e[0], HW_IDE_NPR, HW_IDE_RX, HW_IDE_K0), HW_IDE_OK);
        assert_int_equal(hw_ide_state(f->e[0]), HW_IDE_INSECURE);
        assert_true(hw_ide_slot_wiped(f->e[0], HW_IDE_NPR, HW_IDE_RX, HW_IDE_K0));
        assert_false(hw_ide_slot_wiped(f->e[0], HW_IDE_NPR, HW_IDE_TX, HW_IDE_K0));
        assert_int_equal(f->side[0].insecure_calls, 1);
        assert_int_equal(f->side[0].last_why, HW_IDE_FAIL_KEYS_STOPPED);
        hw_ide_regs(f->e[0], &r);
        assert_int_equal(r.sel_sts, HW_IDE_INSECURE);
        fx_free(f);
}

static void ide_key_api_refuses_bad_arguments_busy_slots_and_empty_go(void **state)
{
        struct fx *f = fx_new(1, 1);
        uint8_t key[HW_IDE_KEY_LEN] = { 1 };
        (void)state;
        assert_int_equal(hw_ide_key_prog(f->e[0], (enum hw_ide_sub_stream)3, HW_IDE_TX, HW_IDE_K0, key, 1),
                         HW_IDE_BAD_ARG);
        assert_int_equal(hw_ide_key_prog(f->e[0], HW_IDE_PR, (enum hw_ide_dir)2, HW_IDE_K0, key, 1), HW_IDE_BAD_ARG);
        assert_int_equal(hw_ide_key_prog(f->e[0], HW_IDE_PR, HW_IDE_TX, (enum hw_ide_key_set)2, key, 1),
                         HW_IDE_BAD_ARG);
        assert_int_equal(hw_ide_key_prog(f->e[0], HW_IDE_PR, HW_IDE_TX, HW_IDE_K0, NULL, 1), HW_IDE_BAD_ARG);
        assert_int_equal(hw_ide_key_go(f->e[0], HW_IDE_PR, HW_IDE_TX, HW_IDE_K0), HW_IDE_NO_KEY);
        assert_int_equal(hw_ide_key_go(f->e[0], HW_IDE_PR, HW_IDE_TX, (enum hw_ide_key_set)5), HW_IDE_BAD_ARG);
        assert_int_equal(hw_ide_key_stop(f->e[0], (enum hw_ide_sub_stream)9, HW_IDE_TX, HW_IDE_K0), HW_IDE_BAD_ARG);
        assert_int_equal(hw_ide_key_prog(f->e[0], HW_IDE_PR, HW_IDE_TX, HW_IDE_K0, key, 1), HW_IDE_OK);
        assert_int_equal(hw_ide_key_prog(f->e[0], HW_IDE_PR, HW_IDE_TX, HW_IDE_K0, key, 7), HW_IDE_OK); /* re-program */
        assert_int_equal(hw_ide_slot_counter(f->e[0], HW_IDE_PR, HW_IDE_TX, HW_IDE_K0), 7);
        assert_int_equal(hw_ide_key_go(f->e[0], HW_IDE_PR, HW_IDE_TX, HW_IDE_K0), HW_IDE_OK);
        assert_int_equal(hw_ide_key_prog(f->e[0], HW_IDE_PR, HW_IDE_TX, HW_IDE_K0, key, 1), HW_IDE_SLOT_BUSY);
        assert_int_equal(hw_ide_slot_counter(f->e[0], HW_IDE_PR, HW_IDE_TX, HW_IDE_K0), 7);
        assert_string_equal(hw_ide_status_name(HW_IDE_CHECK_FAILED), "CHECK_FAILED");
        assert_string_equal(hw_ide_fail_name(HW_IDE_FAIL_MAC), "MAC check failed");
        assert_string_equal(hw_ide_state_name(HW_IDE_SECURE), "Secure");
        assert_string_equal(hw_ide_dir_name(HW_IDE_TX), "Tx");
        assert_string_equal(hw_ide_key_set_name(HW_IDE_K1), "K1");
        assert_string_equal(hw_link_result_name(HW_LINK_DROPPED), "dropped on the wire");
        fx_free(f);
}

static void ide_regs_show_stream_id_default_stream_and_capabilities(void **state)
{
        struct fx *f = fx_new(0x2a, 0x2a);
        struct hw_ide_regs r;
        (void)state;
        hw_ide_regs(f->e[1], &r);
        assert_int_equal(r.ide_cap, HW_IDE_CAP_SELECTIVE | HW_IDE_CAP_IDE_KM);
        assert_int_equal(r.sel_ctl, 0x2a000000u | HW_IDE_SEL_CTL_DEFAULT | HW_IDE_SEL_CTL_ENABLE);
        assert_int_equal(r.sel_sts, HW_IDE_INSECURE);
        hw_ide_regs(f->e[0], &r);
        assert_int_equal(r.sel_ctl, 0x2a000000u | HW_IDE_SEL_CTL_ENABLE);
        hw_ide_fail_message(f->e[0]);
        hw_ide_regs(f->e[0], &r);
        assert_int_equal(r.sel_sts, HW_IDE_SEL_STS_FAIL);
        hw_ide_clear_fail_status(f->e[0]);
        hw_ide_regs(f->e[0], &r);
        assert_int_equal(r.sel_sts, 0);
        assert_int_equal(f->side[0].insecure_calls, 0); /* it was never Secure */
        fx_free(f);
}

/* ---- the link, in clear and protected ---- */

static void link_without_ide_carries_clear_tlps_a_tap_can_read(void **state)
{
        struct fx *f = fx_new(1, 1);
        struct hw_tlp w = mwr(false, 1);
        struct hw_link_report rep;
        (void)state;
        assert_int_equal(hw_link_send(f->link, HW_LINK_EP, &w, &rep), HW_LINK_DELIVERED);
        assert_true(contains(f->tap.seen, f->tap.seen_len, secret, sizeof(secret)));
        assert_int_equal(f->tap.seen[0], 0x40); /* no prefix: the header is first */
        assert_int_equal(f->got.n, 1);
        assert_int_equal(f->got.at, HW_LINK_RP);
        assert_false(f->got.tlp.ide.present);
        assert_false(f->got.tlp.ide.t);
        assert_memory_equal(f->got.data, secret, sizeof(secret));
        assert_int_equal(hw_ide_stats(f->e[1])->clear_tx, 1);
        assert_int_equal(hw_ide_stats(f->e[0])->clear_rx, 1);
        fx_free(f);
}

static void link_refuses_to_send_a_tee_tlp_while_the_stream_is_insecure(void **state)
{
        struct fx *f = fx_new(1, 1);
        struct hw_tlp w = mwr(true, 1);
        struct hw_link_report rep;
        (void)state;
        assert_int_equal(hw_link_send(f->link, HW_LINK_EP, &w, &rep), HW_LINK_TX_REFUSED);
        assert_int_equal(rep.tx, HW_IDE_NOT_SECURE);
        assert_int_equal(f->tap.calls, 0);
        assert_int_equal(f->got.n, 0);
        fx_free(f);
}

static void link_with_ide_shows_the_tap_only_ciphertext_and_delivers_plaintext(void **state)
{
        struct fx *f = fx_new(5, 5);
        struct hw_link_report rep;
        (void)state;
        key_both(f, 0);
        assert_int_equal(hw_ide_state(f->e[0]), HW_IDE_SECURE);
        assert_int_equal(hw_ide_state(f->e[1]), HW_IDE_SECURE);
        for (uint8_t i = 0; i < 3; i++) {
                struct hw_tlp w = mwr(i != 1, i);
                assert_int_equal(hw_link_send(f->link, HW_LINK_EP, &w, &rep), HW_LINK_DELIVERED);
                assert_false(contains(f->tap.seen, f->tap.seen_len, secret, 4));
                assert_int_equal(f->tap.seen[0], HW_TLP_IDE_PREFIX_BYTE0);
                assert_int_equal(f->tap.seen_len, 4 + 12 + sizeof(secret) + 12);
                assert_true(f->got.tlp.ide.present);
                assert_int_equal(f->got.tlp.ide.t, i != 1); /* T=0 TLPs also travel on the stream */
                assert_memory_equal(f->got.data, secret, sizeof(secret));
        }
        assert_int_equal(hw_ide_slot_counter(f->e[1], HW_IDE_PR, HW_IDE_TX, HW_IDE_K0), 4);
        assert_int_equal(hw_ide_slot_counter(f->e[0], HW_IDE_PR, HW_IDE_RX, HW_IDE_K0), 4);
        assert_int_equal(hw_ide_stats(f->e[1])->sealed, 3);
        assert_int_equal(hw_ide_stats(f->e[0])->opened, 3);
        assert_int_equal(hw_ide_stats(f->e[0])->bytes_opened, 3 * sizeof(secret));
        fx_free(f);
}

static void link_read_and_completion_round_trip_on_the_stream(void **state)
{
        struct fx *f = fx_new(5, 5);
        struct hw_tlp r = mrd(true, 9);
        (void)state;
        key_both(f, 0);
        f->answer_reads = true;
        f->answer_t = true;
        assert_int_equal(hw_link_send(f->link, HW_LINK_RP, &r, NULL), HW_LINK_DELIVERED);
        assert_int_equal(f->got.n, 2); /* the read at the EP, its completion at the RP */
        assert_int_equal(f->got.at, HW_LINK_RP);
        assert_int_equal(f->got.tlp.kind, HW_TLP_CPLD);
        assert_memory_equal(f->got.data, "complete", 8);
        assert_int_equal(hw_ide_state(f->e[0]), HW_IDE_SECURE);
        /* the tag is free again */
        assert_int_equal(hw_link_send(f->link, HW_LINK_RP, &r, NULL), HW_LINK_DELIVERED);
        fx_free(f);
}

/* ---- failures ---- */

static void ide_rx_moves_both_ends_insecure_on_a_flipped_payload_bit(void **state)
{
        struct fx *f = fx_new(5, 5);
        struct hw_tlp w = mwr(true, 1);
        struct hw_link_report rep;
        (void)state;
        key_both(f, 0);
        f->tap.mode = TAP_FLIP;
        f->tap.flip_at = 4 + 12 + 3; /* a payload byte */
        assert_int_equal(hw_link_send(f->link, HW_LINK_EP, &w, &rep), HW_LINK_RX_REFUSED);
        assert_int_equal(rep.rx, HW_IDE_CHECK_FAILED);
        assert_non_null(strstr(rep.why, "MAC"));
        assert_int_equal(f->got.n, 0);
        assert_failed(f, HW_LINK_RP, HW_IDE_FAIL_MAC);
        assert_int_equal(hw_ide_stats(f->e[0])->mac_failures, 1);
        /* nothing more goes through until re-keyed: T=1 is refused at the sender */
        f->tap.mode = TAP_PASS;
        assert_int_equal(hw_link_send(f->link, HW_LINK_EP, &w, &rep), HW_LINK_TX_REFUSED);
        fx_free(f);
}

/* The "ide" events: each end's keys as IDE_KM sets them, Secure once all six are GO; a
 * flipped payload bit as the detector's ide_fail (mac, on PR, T=1) and the other end's Fail
 * Message, each end's move to Insecure with its reason. */
static void ide_trace_tells_keys_states_and_a_mac_failure_at_each_end(void **state)
{
        (void)state;
        struct trace t;
        char *text = NULL;
        size_t len = 0;
        FILE *pipe = open_memstream(&text, &len);
        assert_non_null(pipe);
        trace_init(&t);
        trace_set_pipe(&t, pipe);
        assert_true(trace_set_events(&t, "ide"));
        struct fx *f = fx_new_traced(5, 5, &t);
        key_both(f, 0);
        assert_int_equal(trace_count(&t, "ide_key"), 24); /* 2 ends x 3 sub-streams x 2 directions x prog, go */
        assert_int_equal(trace_count(&t, "ide_state"), 2);
        assert_int_equal(fflush(pipe), 0);
        assert_non_null(strstr(text, "ide_key: end=rp sid=5 ss=NPR dir=Tx ks=K0 op=prog\n"));
        assert_non_null(strstr(text, "ide_key: end=ep sid=5 ss=CPL dir=Rx ks=K0 op=go\n"));
        assert_non_null(strstr(text, "ide_state: end=rp sid=5 from=Insecure to=Secure\n"));
        assert_non_null(strstr(text, "ide_state: end=ep sid=5 from=Insecure to=Secure\n"));
        assert_int_equal(trace_count(&t, "ide_fail"), 0);
        struct hw_tlp w = mwr(true, 1);
        f->tap.mode = TAP_FLIP;
        f->tap.flip_at = 4 + 12 + 3;
        assert_int_equal(hw_link_send(f->link, HW_LINK_EP, &w, NULL), HW_LINK_RX_REFUSED);
        assert_int_equal(fflush(pipe), 0);
        assert_non_null(strstr(text, "ide_fail: end=rp sid=5 why=mac ss=PR t=1\n"));
        assert_non_null(strstr(text, "ide_state: end=rp sid=5 from=Secure to=Insecure why=mac\n"));
        assert_non_null(strstr(text, "ide_fail: end=ep sid=5 why=fail_message\n"));
        assert_non_null(strstr(text, "ide_state: end=ep sid=5 from=Secure to=Insecure why=fail_message\n"));
        assert_int_equal(trace_count(&t, "ide_fail"), 2);
        assert_int_equal(trace_count(&t, "ide_state"), 4);
        /* a stop is traced too; an Insecure stream does not go Insecure again */
        assert_int_equal(hw_ide_key_stop(f->e[0], HW_IDE_PR, HW_IDE_RX, HW_IDE_K0), HW_IDE_OK);
        assert_int_equal(fflush(pipe), 0);
        assert_non_null(strstr(text, "ide_key: end=rp sid=5 ss=PR dir=Rx ks=K0 op=stop\n"));
        assert_int_equal(trace_count(&t, "ide_state"), 4);
        fx_free(f);
        trace_set_pipe(&t, NULL);
        assert_int_equal(fclose(pipe), 0);
        (void)trace_close(&t);
        free(text);
}

static void ide_rx_fails_on_a_flipped_header_bit_too(void **state)
{
        struct fx *f = fx_new(5, 5);
        struct hw_tlp w = mwr(true, 1);
        (void)state;
        key_both(f, 0);
        f->tap.mode = TAP_FLIP;
        f->tap.flip_at = 4 + 6; /* the tag: authenticated, not encrypted */
        assert_int_equal(hw_link_send(f->link, HW_LINK_EP, &w, NULL), HW_LINK_RX_REFUSED);
        assert_int_equal(f->got.n, 0);
        assert_failed(f, HW_LINK_RP, HW_IDE_FAIL_MAC);
        fx_free(f);
}

static void ide_rx_fails_on_a_replayed_tlp(void **state)
{
        struct fx *f = fx_new(5, 5);
        struct hw_tlp w = mwr(true, 1);
        struct hw_link_report rep;
        (void)state;
        key_both(f, 0);
        f->tap.mode = TAP_KEEP_FIRST;
        assert_int_equal(hw_link_send(f->link, HW_LINK_RP, &w, &rep), HW_LINK_DELIVERED);
        /* the kept bytes injected again: the EP's counter has moved on */
        assert_int_equal(hw_link_inject(f->link, HW_LINK_EP, f->tap.kept, f->tap.kept_len, &rep), HW_LINK_RX_REFUSED);
        assert_int_equal(rep.rx, HW_IDE_CHECK_FAILED);
        assert_int_equal(f->got.n, 1);
        assert_failed(f, HW_LINK_EP, HW_IDE_FAIL_MAC);
        fx_free(f);
}

static void ide_rx_fails_when_the_tap_swaps_in_an_earlier_tlp(void **state)
{
        struct fx *f = fx_new(5, 5);
        struct hw_tlp w = mwr(true, 1);
        (void)state;
        key_both(f, 0);
        f->tap.mode = TAP_KEEP_FIRST;
        assert_int_equal(hw_link_send(f->link, HW_LINK_RP, &w, NULL), HW_LINK_DELIVERED);
        f->tap.mode = TAP_REPLAY_KEPT;
        assert_int_equal(hw_link_send(f->link, HW_LINK_RP, &w, NULL), HW_LINK_RX_REFUSED);
        assert_int_equal(f->got.n, 1);
        assert_failed(f, HW_LINK_EP, HW_IDE_FAIL_MAC);
        fx_free(f);
}

static void ide_rx_fails_on_the_tlp_after_a_dropped_one(void **state)
{
        struct fx *f = fx_new(5, 5);
        struct hw_tlp w = mwr(true, 1);
        (void)state;
        key_both(f, 0);
        f->tap.mode = TAP_DROP_ONCE;
        assert_int_equal(hw_link_send(f->link, HW_LINK_RP, &w, NULL), HW_LINK_DROPPED);
        assert_int_equal(hw_ide_state(f->e[1]), HW_IDE_SECURE); /* nothing seen yet */
        assert_int_equal(hw_link_send(f->link, HW_LINK_RP, &w, NULL), HW_LINK_RX_REFUSED);
        assert_int_equal(f->got.n, 0);
        assert_failed(f, HW_LINK_EP, HW_IDE_FAIL_MAC);
        fx_free(f);
}

static void ide_rx_fails_on_a_read_after_a_dropped_posted_write(void **state)
{
        struct fx *f = fx_new(5, 5);
        struct hw_tlp w = mwr(true, 1), r = mrd(true, 2);
        (void)state;
        key_both(f, 0);
        f->tap.mode = TAP_DROP_ONCE;
        assert_int_equal(hw_link_send(f->link, HW_LINK_RP, &w, NULL), HW_LINK_DROPPED);
        /* the read is on NPR with its own counter: its MAC holds, its PR_Sent_Counter does not */
        assert_int_equal(hw_link_send(f->link, HW_LINK_RP, &r, NULL), HW_LINK_RX_REFUSED);
        assert_int_equal(f->got.n, 0);
        assert_failed(f, HW_LINK_EP, HW_IDE_FAIL_PR_SENT_COUNTER);
        fx_free(f);
}

static void ide_rx_fails_when_partner_keys_differ(void **state)
{
        struct fx *f = fx_new(5, 5);
        struct hw_tlp w = mwr(true, 1);
        uint8_t other[HW_IDE_KEY_LEN] = { 0xee };
        (void)state;
        for (unsigned p = 0; p < 2; p++)
                for (unsigned ss = 0; ss < HW_IDE_SUB_STREAMS; ss++)
                        for (unsigned d = 0; d < 2; d++)
                                prog(f, (enum hw_link_end)p, ss, (enum hw_ide_dir)d, 0, 1);
        /* the EP's PR Rx key is not the RP's PR Tx key */
        assert_int_equal(hw_ide_key_prog(f->e[1], HW_IDE_PR, HW_IDE_RX, HW_IDE_K0, other, 1), HW_IDE_OK);
        for (unsigned p = 0; p < 2; p++)
                for (unsigned ss = 0; ss < HW_IDE_SUB_STREAMS; ss++)
                        for (unsigned d = 0; d < 2; d++)
                                go(f, (enum hw_link_end)p, ss, (enum hw_ide_dir)d, 0);
        assert_int_equal(hw_link_send(f->link, HW_LINK_RP, &w, NULL), HW_LINK_RX_REFUSED);
        assert_int_equal(f->got.n, 0);
        assert_failed(f, HW_LINK_EP, HW_IDE_FAIL_MAC);
        fx_free(f);
}

static void ide_rx_fails_on_a_tlp_of_another_stream(void **state)
{
        struct fx *f = fx_new(5, 6);
        struct hw_tlp w = mwr(true, 1);
        (void)state;
        key_both(f, 0);
        assert_int_equal(hw_link_send(f->link, HW_LINK_RP, &w, NULL), HW_LINK_RX_REFUSED);
        assert_int_equal(f->got.n, 0);
        assert_failed(f, HW_LINK_EP, HW_IDE_FAIL_STREAM_ID);
        fx_free(f);
}

static void ide_rx_fails_on_a_completion_whose_t_differs_from_the_read(void **state)
{
        struct fx *f = fx_new(5, 5);
        struct hw_tlp r = mrd(true, 9);
        (void)state;
        key_both(f, 0);
        f->answer_reads = true;
        f->answer_t = false; /* a T=0 completion (sealed on the stream) for a T=1 read */
        assert_int_equal(hw_link_send(f->link, HW_LINK_RP, &r, NULL), HW_LINK_DELIVERED);
        assert_int_equal(f->got.n, 1); /* the read reached the EP; its completion did not reach the RP */
        assert_int_equal(f->got.tlp.kind, HW_TLP_MRD);
        assert_failed(f, HW_LINK_RP, HW_IDE_FAIL_T_MISMATCH);
        fx_free(f);
}

static void ide_rx_fails_on_a_clear_completion_for_a_tee_read(void **state)
{
        struct fx *f = fx_new(5, 5);
        struct hw_tlp r = mrd(true, 9);
        static const uint8_t forged[12 + 4] = { 0x4a, 0, 0, 1, 0x08, 0, 0, 4, 0, 0, 9, 0, 'e', 'v', 'i', 'l' };
        struct hw_link_report rep;
        (void)state;
        key_both(f, 0);
        assert_int_equal(hw_link_send(f->link, HW_LINK_RP, &r, NULL), HW_LINK_DELIVERED);
        assert_int_equal(hw_link_inject(f->link, HW_LINK_RP, forged, sizeof(forged), &rep), HW_LINK_RX_REFUSED);
        assert_int_equal(f->got.n, 1);
        assert_failed(f, HW_LINK_RP, HW_IDE_FAIL_T_MISMATCH);
        fx_free(f);
}

static void ide_rx_drops_a_completion_for_no_read_without_failing(void **state)
{
        struct fx *f = fx_new(5, 5);
        static const uint8_t d[4] = { 1, 2, 3, 4 };
        struct hw_tlp c = { .kind = HW_TLP_CPLD, .ide.t = true, .requester_id = 0, .tag = 77, .len = 4, .data = d };
        struct hw_link_report rep;
        (void)state;
        key_both(f, 0);
        assert_int_equal(hw_link_send(f->link, HW_LINK_EP, &c, &rep), HW_LINK_RX_REFUSED);
        assert_int_equal(rep.rx, HW_IDE_UNEXPECTED_CPL);
        assert_int_equal(f->got.n, 0);
        assert_int_equal(hw_ide_state(f->e[0]), HW_IDE_SECURE);
        assert_int_equal(hw_ide_stats(f->e[0])->unexpected_cpl, 1);
        fx_free(f);
}

static void ide_rx_fails_on_an_ide_tlp_while_insecure(void **state)
{
        struct fx *f = fx_new(5, 5);
        struct hw_tlp w = mwr(true, 1);
        struct hw_link_report rep;
        (void)state;
        key_both(f, 0);
        f->tap.mode = TAP_KEEP_FIRST;
        assert_int_equal(hw_link_send(f->link, HW_LINK_RP, &w, NULL), HW_LINK_DELIVERED);
        assert_int_equal(hw_ide_key_stop(f->e[1], HW_IDE_CPL, HW_IDE_TX, HW_IDE_K0), HW_IDE_OK);
        assert_int_equal(hw_ide_state(f->e[1]), HW_IDE_INSECURE);
        f->side[1].insecure_calls = 0; /* count from here */
        assert_int_equal(hw_link_inject(f->link, HW_LINK_EP, f->tap.kept, f->tap.kept_len, &rep), HW_LINK_RX_REFUSED);
        assert_int_equal(rep.rx, HW_IDE_CHECK_FAILED);
        assert_int_equal(hw_ide_last_fail(f->e[1]), HW_IDE_FAIL_NOT_SECURE);
        assert_int_equal(hw_ide_state(f->e[0]), HW_IDE_INSECURE); /* the RP got the Fail Message */
        assert_int_equal(hw_ide_last_fail(f->e[0]), HW_IDE_FAIL_MESSAGE);
        assert_int_equal(f->got.n, 1);
        assert_all_wiped(f->e[1]);
        fx_free(f);
}

static void ide_rx_fails_on_a_tlp_without_its_mac(void **state)
{
        struct fx *f = fx_new(5, 5);
        struct hw_tlp w = mwr(true, 1);
        (void)state;
        key_both(f, 0);
        f->tap.mode = TAP_STRIP_MAC;
        assert_int_equal(hw_link_send(f->link, HW_LINK_RP, &w, NULL), HW_LINK_RX_REFUSED);
        assert_int_equal(f->got.n, 0);
        assert_failed(f, HW_LINK_EP, HW_IDE_FAIL_NO_MAC);
        fx_free(f);
}

static void ide_rx_fails_on_a_key_set_that_is_not_live(void **state)
{
        struct fx *f = fx_new(5, 5);
        struct hw_tlp w = mwr(true, 1);
        (void)state;
        key_both(f, 0);
        f->tap.mode = TAP_FLIP_K;
        assert_int_equal(hw_link_send(f->link, HW_LINK_RP, &w, NULL), HW_LINK_RX_REFUSED);
        assert_int_equal(f->got.n, 0);
        assert_failed(f, HW_LINK_EP, HW_IDE_FAIL_KEY_SET);
        fx_free(f);
}

static void ide_rx_drops_malformed_bytes_without_changing_state(void **state)
{
        struct fx *f = fx_new(5, 5);
        static const uint8_t junk[7] = { 0x92, 0xa0, 5, 0, 0x40, 0, 0 };
        struct hw_link_report rep;
        (void)state;
        key_both(f, 0);
        assert_int_equal(hw_link_inject(f->link, HW_LINK_EP, junk, sizeof(junk), &rep), HW_LINK_RX_REFUSED);
        assert_int_equal(rep.rx, HW_IDE_BAD_TLP);
        assert_non_null(strstr(rep.why, "truncated"));
        assert_int_equal(hw_ide_state(f->e[1]), HW_IDE_SECURE);
        assert_int_equal(hw_ide_stats(f->e[1])->malformed, 1);
        assert_int_equal(hw_link_inject(f->link, HW_LINK_EP, junk, HW_TLP_MAX_WIRE + 1, &rep), HW_LINK_RX_REFUSED);
        assert_int_equal(f->got.n, 0);
        fx_free(f);
}

static void ide_rx_delivers_a_clear_tlp_on_a_secure_link_as_t0(void **state)
{
        struct fx *f = fx_new(5, 5);
        static const uint8_t clear[12 + 4] = { 0x40, 0, 0, 1, 0x08, 0, 3, 0x0f, 0x88, 0, 0, 0, 'e', 'v', 'i', 'l' };
        (void)state;
        key_both(f, 0);
        assert_int_equal(hw_link_inject(f->link, HW_LINK_RP, clear, sizeof(clear), NULL), HW_LINK_DELIVERED);
        assert_int_equal(f->got.n, 1);
        assert_false(f->got.tlp.ide.present);
        assert_false(f->got.tlp.ide.t); /* the receiver must not take it as TEE traffic */
        assert_int_equal(hw_ide_state(f->e[0]), HW_IDE_SECURE);
        fx_free(f);
}

/* ---- counters and keys ---- */

static void ide_tx_refuses_to_seal_when_the_counter_would_wrap(void **state)
{
        struct fx *f = fx_new(5, 5);
        struct hw_tlp w = mwr(true, 1);
        struct hw_link_report rep;
        (void)state;
        for (unsigned p = 0; p < 2; p++)
                for (unsigned ss = 0; ss < HW_IDE_SUB_STREAMS; ss++)
                        for (unsigned d = 0; d < 2; d++) {
                                prog(f, (enum hw_link_end)p, ss, (enum hw_ide_dir)d, 0, UINT64_MAX - 1);
                                go(f, (enum hw_link_end)p, ss, (enum hw_ide_dir)d, 0);
                        }
        assert_int_equal(hw_link_send(f->link, HW_LINK_RP, &w, &rep), HW_LINK_DELIVERED);
        assert_int_equal(hw_ide_slot_counter(f->e[0], HW_IDE_PR, HW_IDE_TX, HW_IDE_K0), UINT64_MAX);
        assert_int_equal(hw_link_send(f->link, HW_LINK_RP, &w, &rep), HW_LINK_TX_REFUSED);
        assert_int_equal(rep.tx, HW_IDE_COUNTER_EXHAUSTED);
        assert_int_equal(hw_ide_slot_counter(f->e[0], HW_IDE_PR, HW_IDE_TX, HW_IDE_K0), UINT64_MAX);
        assert_int_equal(f->tap.calls, 1);
        assert_int_equal(hw_ide_state(f->e[0]), HW_IDE_SECURE); /* the owner re-keys; nothing failed */
        /* re-keying the other set gives a fresh counter */
        prog(f, HW_LINK_RP, HW_IDE_PR, HW_IDE_TX, 1, HW_IDE_IFV_INITIAL);
        prog(f, HW_LINK_EP, HW_IDE_PR, HW_IDE_RX, 1, HW_IDE_IFV_INITIAL);
        go(f, HW_LINK_EP, HW_IDE_PR, HW_IDE_RX, 1);
        go(f, HW_LINK_RP, HW_IDE_PR, HW_IDE_TX, 1);
        assert_int_equal(hw_link_send(f->link, HW_LINK_RP, &w, &rep), HW_LINK_DELIVERED);
        assert_true(f->got.tlp.ide.k);
        fx_free(f);
}

static void ide_rekeying_with_the_other_key_set_recovers_after_a_failure(void **state)
{
        struct fx *f = fx_new(5, 5);
        struct hw_tlp w = mwr(true, 1);
        (void)state;
        key_both(f, 0);
        f->tap.mode = TAP_FLIP;
        f->tap.flip_at = 20;
        assert_int_equal(hw_link_send(f->link, HW_LINK_RP, &w, NULL), HW_LINK_RX_REFUSED);
        assert_failed(f, HW_LINK_EP, HW_IDE_FAIL_MAC);
        f->tap.mode = TAP_PASS;
        key_both(f, 1);
        assert_int_equal(hw_ide_state(f->e[0]), HW_IDE_SECURE);
        assert_int_equal(hw_ide_state(f->e[1]), HW_IDE_SECURE);
        assert_int_equal(hw_link_send(f->link, HW_LINK_RP, &w, NULL), HW_LINK_DELIVERED);
        assert_true(f->got.tlp.ide.k);
        assert_memory_equal(f->got.data, secret, sizeof(secret));
        fx_free(f);
}

static void ide_key_refresh_switches_sets_without_a_gap(void **state)
{
        struct fx *f = fx_new(5, 5);
        struct hw_tlp w = mwr(true, 1);
        (void)state;
        key_both(f, 0);
        assert_int_equal(hw_link_send(f->link, HW_LINK_RP, &w, NULL), HW_LINK_DELIVERED);
        assert_false(f->got.tlp.ide.k);
        key_both(f, 1); /* program K1, Rx go, Tx go: K0 still live */
        assert_int_equal(hw_link_send(f->link, HW_LINK_RP, &w, NULL), HW_LINK_DELIVERED);
        assert_true(f->got.tlp.ide.k);
        for (unsigned p = 0; p < 2; p++)
                for (unsigned ss = 0; ss < HW_IDE_SUB_STREAMS; ss++)
                        for (unsigned d = 0; d < 2; d++)
                                assert_int_equal(hw_ide_key_stop(f->e[p], (enum hw_ide_sub_stream)ss,
                                                                 (enum hw_ide_dir)d, HW_IDE_K0),
                                                 HW_IDE_OK);
        assert_int_equal(hw_ide_state(f->e[0]), HW_IDE_SECURE);
        assert_int_equal(f->side[0].insecure_calls + f->side[1].insecure_calls, 0);
        assert_int_equal(hw_link_send(f->link, HW_LINK_EP, &w, NULL), HW_LINK_DELIVERED);
        assert_true(f->got.tlp.ide.k);
        fx_free(f);
}

static void ide_tx_stop_of_the_live_set_falls_back_to_the_other(void **state)
{
        struct fx *f = fx_new(5, 5);
        struct hw_tlp w = mwr(true, 1);
        (void)state;
        key_both(f, 0);
        key_both(f, 1);
        assert_int_equal(hw_ide_key_stop(f->e[0], HW_IDE_PR, HW_IDE_TX, HW_IDE_K1), HW_IDE_OK);
        assert_int_equal(hw_link_send(f->link, HW_LINK_RP, &w, NULL), HW_LINK_DELIVERED);
        assert_false(f->got.tlp.ide.k);
        fx_free(f);
}

static void ide_tx_refuses_a_read_whose_tag_is_in_flight_and_a_bad_tlp(void **state)
{
        struct fx *f = fx_new(5, 5);
        struct hw_tlp r = mrd(false, 4), bad = mwr(false, 1);
        struct hw_link_report rep;
        uint8_t small[8];
        size_t n;
        (void)state;
        hw_link_set_handler(f->link, HW_LINK_EP, NULL, NULL); /* nobody answers */
        assert_int_equal(hw_link_send(f->link, HW_LINK_RP, &r, &rep), HW_LINK_DELIVERED);
        assert_int_equal(hw_link_send(f->link, HW_LINK_RP, &r, &rep), HW_LINK_TX_REFUSED);
        assert_int_equal(rep.tx, HW_IDE_TAG_BUSY);
        bad.addr = 0xffc;
        assert_int_equal(hw_link_send(f->link, HW_LINK_RP, &bad, &rep), HW_LINK_TX_REFUSED);
        assert_int_equal(rep.tx, HW_IDE_BAD_TLP);
        assert_non_null(strstr(rep.why, "4 KiB"));
        struct hw_tlp w = mwr(false, 2);
        assert_int_equal(hw_ide_tx(f->e[0], &w, small, sizeof(small), &n, NULL), HW_IDE_NO_ROOM);
        assert_int_equal(n, 0);
        /* the engine refuses the busy tag after encoding the read: nothing of it is left in
         * the caller's buffer */
        uint8_t wire[HW_TLP_MAX_WIRE], zero[HW_TLP_HDR4_LEN] = { 0 };
        memset(wire, 0xEE, sizeof(wire));
        assert_int_equal(hw_ide_tx(f->e[0], &r, wire, sizeof(wire), &n, NULL), HW_IDE_TAG_BUSY);
        assert_int_equal(n, 0);
        assert_memory_equal(wire, zero, HW_TLP_HDR3_LEN);
        fx_free(f);
}

/* A CplD of the read mrd(t, tag) sent from the EP: len bytes, byte_count left (0: the last). */
static enum hw_link_result cpld(struct fx *f, bool t, uint8_t tag, uint32_t len, uint32_t byte_count,
                                struct hw_link_report *rep)
{
        static const uint8_t d[8] = { 's', 'p', 'l', 'i', 't', '-', 'u', 'p' };
        struct hw_tlp c = { .kind = HW_TLP_CPLD, .ide.t = t, .completer_id = 0x0800, .requester_id = 0x0000,
                            .tag = tag, .addr = 8 - len, .len = len, .byte_count = byte_count, .data = d };
        return hw_link_send(f->link, HW_LINK_EP, &c, rep);
}

static void ide_split_read_keeps_its_tag_until_the_last_completion(void **state)
{
        struct fx *f = fx_new(5, 5);
        struct hw_tlp r = mrd(true, 9);
        struct hw_link_report rep;
        (void)state;
        key_both(f, 0);
        assert_int_equal(hw_link_send(f->link, HW_LINK_RP, &r, NULL), HW_LINK_DELIVERED);
        assert_true(hw_ide_tag_in_flight(f->e[0], 9));
        /* the first 4 of 8 bytes: delivered, the tag kept */
        assert_int_equal(cpld(f, true, 9, 4, 8, &rep), HW_LINK_DELIVERED);
        assert_int_equal(f->got.tlp.byte_count, 8);
        assert_true(hw_ide_tag_in_flight(f->e[0], 9));
        assert_int_equal(hw_ide_stats(f->e[0])->split_cpl, 1);
        assert_int_equal(hw_link_send(f->link, HW_LINK_RP, &r, &rep), HW_LINK_TX_REFUSED);
        assert_int_equal(rep.tx, HW_IDE_TAG_BUSY);
        /* the last 4 (Byte Count = Length): the tag is free, and nothing more is taken for it */
        assert_int_equal(cpld(f, true, 9, 4, 4, &rep), HW_LINK_DELIVERED);
        assert_false(hw_ide_tag_in_flight(f->e[0], 9));
        assert_int_equal(cpld(f, true, 9, 4, 4, &rep), HW_LINK_RX_REFUSED);
        assert_int_equal(rep.rx, HW_IDE_UNEXPECTED_CPL);
        assert_int_equal(hw_ide_stats(f->e[0])->opened, 3);
        assert_int_equal(hw_ide_state(f->e[0]), HW_IDE_SECURE);
        /* an error completion ends a split read too */
        assert_int_equal(hw_link_send(f->link, HW_LINK_RP, &r, NULL), HW_LINK_DELIVERED);
        assert_int_equal(cpld(f, true, 9, 4, 8, &rep), HW_LINK_DELIVERED);
        struct hw_tlp ca = { .kind = HW_TLP_CPL, .ide.t = true, .completer_id = 0x0800, .tag = 9,
                             .status = HW_TLP_CA, .addr = 4, .len = 4 };
        assert_int_equal(hw_link_send(f->link, HW_LINK_EP, &ca, NULL), HW_LINK_DELIVERED);
        assert_false(hw_ide_tag_in_flight(f->e[0], 9));
        assert_int_equal(hw_ide_stats(f->e[0])->cpl_timeouts, 0);
        fx_free(f);
}

static void ide_rx_fails_on_the_completion_after_a_dropped_split_one(void **state)
{
        struct fx *f = fx_new(5, 5);
        struct hw_tlp r = mrd(true, 9);
        (void)state;
        key_both(f, 0);
        assert_int_equal(hw_link_send(f->link, HW_LINK_RP, &r, NULL), HW_LINK_DELIVERED);
        assert_int_equal(cpld(f, true, 9, 4, 12, NULL), HW_LINK_DELIVERED);
        f->tap.mode = TAP_DROP_ONCE;
        assert_int_equal(cpld(f, true, 9, 4, 8, NULL), HW_LINK_DROPPED);
        assert_int_equal(cpld(f, true, 9, 4, 4, NULL), HW_LINK_RX_REFUSED);
        assert_failed(f, HW_LINK_RP, HW_IDE_FAIL_MAC);
        assert_true(hw_ide_tag_in_flight(f->e[0], 9)); /* for the requester to retire */
        fx_free(f);
}

static void ide_rx_fails_when_a_later_completion_of_a_split_read_has_another_t(void **state)
{
        struct fx *f = fx_new(5, 5);
        struct hw_tlp r = mrd(true, 9);
        (void)state;
        key_both(f, 0);
        assert_int_equal(hw_link_send(f->link, HW_LINK_RP, &r, NULL), HW_LINK_DELIVERED);
        assert_int_equal(cpld(f, true, 9, 4, 8, NULL), HW_LINK_DELIVERED);
        assert_int_equal(cpld(f, false, 9, 4, 4, NULL), HW_LINK_RX_REFUSED);
        assert_failed(f, HW_LINK_RP, HW_IDE_FAIL_T_MISMATCH);
        fx_free(f);
}

/* Completion Timeout: the requester retires a read that was never answered; the tag goes
 * again, and a completion of the retired read arriving late answers nothing. */
static void ide_retire_tag_frees_a_read_whose_completion_never_came(void **state)
{
        struct fx *f = fx_new(5, 5);
        struct hw_tlp r = mrd(true, 4);
        struct hw_link_report rep;
        (void)state;
        key_both(f, 0);
        assert_int_equal(hw_ide_retire_tag(f->e[0], 4), HW_IDE_BAD_ARG); /* nothing in flight */
        assert_int_equal(hw_link_send(f->link, HW_LINK_RP, &r, NULL), HW_LINK_DELIVERED);
        assert_int_equal(hw_ide_retire_tag(f->e[0], 4), HW_IDE_OK);
        assert_false(hw_ide_tag_in_flight(f->e[0], 4));
        assert_int_equal(hw_ide_retire_tag(f->e[0], 4), HW_IDE_BAD_ARG);
        assert_int_equal(hw_ide_stats(f->e[0])->cpl_timeouts, 1);
        /* late: opened (its MAC and counter are right) but answers no read; the stream stays */
        assert_int_equal(cpld(f, true, 4, 8, 8, &rep), HW_LINK_RX_REFUSED);
        assert_int_equal(rep.rx, HW_IDE_UNEXPECTED_CPL);
        assert_int_equal(hw_ide_state(f->e[0]), HW_IDE_SECURE);
        /* the tag is sent again and its answer taken */
        assert_int_equal(hw_link_send(f->link, HW_LINK_RP, &r, &rep), HW_LINK_DELIVERED);
        assert_int_equal(cpld(f, true, 4, 8, 8, &rep), HW_LINK_DELIVERED);
        assert_memory_equal(f->got.data, "split-up", 8);
        assert_false(hw_ide_tag_in_flight(f->e[0], 4));
        assert_int_equal(hw_ide_stats(f->e[0])->cpl_timeouts, 1);
        assert_int_equal(hw_ide_stats(f->e[0])->unexpected_cpl, 1);
        fx_free(f);
}

static void ide_free_wipes_and_accepts_null(void **state)
{
        (void)state;
        hw_ide_free(NULL);
        hw_link_free(NULL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(ide_tx_seal_matches_python_cryptography_known_answers),
                cmocka_unit_test(ide_stream_is_secure_only_when_all_six_sub_stream_directions_are_live),
                cmocka_unit_test(ide_key_api_refuses_bad_arguments_busy_slots_and_empty_go),
                cmocka_unit_test(ide_regs_show_stream_id_default_stream_and_capabilities),
                cmocka_unit_test(link_without_ide_carries_clear_tlps_a_tap_can_read),
                cmocka_unit_test(link_refuses_to_send_a_tee_tlp_while_the_stream_is_insecure),
                cmocka_unit_test(link_with_ide_shows_the_tap_only_ciphertext_and_delivers_plaintext),
                cmocka_unit_test(link_read_and_completion_round_trip_on_the_stream),
                cmocka_unit_test(ide_rx_moves_both_ends_insecure_on_a_flipped_payload_bit),
                cmocka_unit_test(ide_rx_fails_on_a_flipped_header_bit_too),
                cmocka_unit_test(ide_trace_tells_keys_states_and_a_mac_failure_at_each_end),
                cmocka_unit_test(ide_rx_fails_on_a_replayed_tlp),
                cmocka_unit_test(ide_rx_fails_when_the_tap_swaps_in_an_earlier_tlp),
                cmocka_unit_test(ide_rx_fails_on_the_tlp_after_a_dropped_one),
                cmocka_unit_test(ide_rx_fails_on_a_read_after_a_dropped_posted_write),
                cmocka_unit_test(ide_rx_fails_when_partner_keys_differ),
                cmocka_unit_test(ide_rx_fails_on_a_tlp_of_another_stream),
                cmocka_unit_test(ide_rx_fails_on_a_completion_whose_t_differs_from_the_read),
                cmocka_unit_test(ide_rx_fails_on_a_clear_completion_for_a_tee_read),
                cmocka_unit_test(ide_rx_drops_a_completion_for_no_read_without_failing),
                cmocka_unit_test(ide_rx_fails_on_an_ide_tlp_while_insecure),
                cmocka_unit_test(ide_rx_fails_on_a_tlp_without_its_mac),
                cmocka_unit_test(ide_rx_fails_on_a_key_set_that_is_not_live),
                cmocka_unit_test(ide_rx_drops_malformed_bytes_without_changing_state),
                cmocka_unit_test(ide_rx_delivers_a_clear_tlp_on_a_secure_link_as_t0),
                cmocka_unit_test(ide_tx_refuses_to_seal_when_the_counter_would_wrap),
                cmocka_unit_test(ide_rekeying_with_the_other_key_set_recovers_after_a_failure),
                cmocka_unit_test(ide_key_refresh_switches_sets_without_a_gap),
                cmocka_unit_test(ide_tx_stop_of_the_live_set_falls_back_to_the_other),
                cmocka_unit_test(ide_tx_refuses_a_read_whose_tag_is_in_flight_and_a_bad_tlp),
                cmocka_unit_test(ide_split_read_keeps_its_tag_until_the_last_completion),
                cmocka_unit_test(ide_rx_fails_on_the_completion_after_a_dropped_split_one),
                cmocka_unit_test(ide_rx_fails_when_a_later_completion_of_a_split_read_has_another_t),
                cmocka_unit_test(ide_retire_tag_frees_a_read_whose_completion_never_came),
                cmocka_unit_test(ide_free_wipes_and_accepts_null),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
