/* src/hw/root_port.c: an endpoint's memory TLPs crossing the link into the SMMU. The endpoint
 * here is a bare IDE engine and a handler that keeps the completions it gets; the memory is
 * Non-secure except where a test delegates a granule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "hw/dma.h"
#include "hw/ide.h"
#include "hw/link.h"
#include "hw/root_port.h"
#include "hw/smmu.h"

#define BASE   0x80000000ull
#define SIZE   (16 * GRANULE_SIZE)
#define EP_RID 0x0018u /* 00:03.0 */
#define RP_RID 0x0008u /* 00:01.0 */

#define MAX_CPL 32u

struct got {
        unsigned n;
        struct hw_tlp tlp;                /* the last one */
        uint8_t data[HW_TLP_MAX_DATA];
        struct hw_tlp each[MAX_CPL];      /* every one, data NULL */
        uint8_t all[2 * HW_TLP_MAX_DATA]; /* their payloads, one after the other */
        size_t all_len;
};

struct tap {
        bool flip;        /* flip a payload bit of the next EP -> RP TLP */
        bool drop_cpl;    /* drop RP -> EP TLPs */
        unsigned drop_nth; /* drop the n-th RP -> EP TLP from now (1 the next; 0 none) */
        uint8_t seen[HW_TLP_MAX_WIRE];
        size_t seen_len;
};

struct fx {
        struct hw_mem *m;
        struct hw_smmu *s;
        struct hw_ide *rp_e, *ep_e;
        struct hw_link *l;
        struct hw_root_port *rp;
        struct got got;
        struct tap tap;
        unsigned ep_insecure;
};

static void ep_rx(void *ctx, enum hw_link_end at, const struct hw_tlp *t)
{
        struct got *g = ctx;
        (void)at;
        if (g->n < MAX_CPL) {
                g->each[g->n] = *t;
                g->each[g->n].data = NULL;
        }
        g->n++;
        g->tlp = *t;
        if (t->data) {
                memcpy(g->data, t->data, t->len);
                g->tlp.data = g->data;
                if (g->all_len + t->len <= sizeof(g->all)) {
                        memcpy(g->all + g->all_len, t->data, t->len);
                        g->all_len += t->len;
                }
        }
}

static enum hw_tap_verdict tap_fn(void *ctx, enum hw_link_end from, uint8_t *wire, size_t *len, size_t cap)
{
        struct tap *t = ctx;
        (void)cap;
        memcpy(t->seen, wire, *len);
        t->seen_len = *len;
        if (from == HW_LINK_RP && t->drop_cpl)
                return HW_TAP_DROP;
        if (from == HW_LINK_RP && t->drop_nth && --t->drop_nth == 0)
                return HW_TAP_DROP;
        if (from == HW_LINK_EP && t->flip) {
                t->flip = false;
                wire[*len - HW_TLP_MAC_LEN - 1] ^= 0x01; /* the last payload byte */
        }
        return HW_TAP_PASS;
}

static void ep_insecure(void *ctx, enum hw_ide_fail why)
{
        struct fx *f = ctx;
        (void)why;
        f->ep_insecure++;
}

static int setup(void **state)
{
        struct fx *f = calloc(1, sizeof(*f));
        struct hw_ide_config rc = { .stream_id = 0, .default_stream = true };
        struct hw_ide_config ec = { .stream_id = 0, .default_stream = true, .on_insecure = ep_insecure, .ctx = f };

        if (!f || !hw_mem_create(&f->m, BASE, SIZE, NULL) || !hw_smmu_create(&f->s, f->m, NULL) ||
            !hw_ide_new(&f->rp_e, &rc) || !hw_ide_new(&f->ep_e, &ec) || !hw_link_new(&f->l, f->rp_e, f->ep_e) ||
            !hw_root_port_new(&f->rp, f->l, f->rp_e, f->s, RP_RID))
                return -1;
        hw_link_set_handler(f->l, HW_LINK_EP, ep_rx, &f->got);
        hw_link_set_tap(f->l, tap_fn, &f->tap);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fx *f = *state;
        hw_root_port_free(f->rp);
        hw_link_free(f->l);
        hw_ide_free(f->rp_e);
        hw_ide_free(f->ep_e);
        hw_smmu_destroy(f->s);
        hw_mem_destroy(f->m);
        free(f);
        return 0;
}

static void bypass(struct fx *f)
{
        struct hw_ste ste = { .mode = HW_STE_BYPASS };
        assert_int_equal(hw_smmu_ste_set(f->s, HW_WORLD_NS, EP_RID, &ste), HW_SMMU_OK);
}

/* The same key in every slot of both engines, as a test may program them directly. */
static void key_both(struct fx *f)
{
        uint8_t key[HW_IDE_KEY_LEN];
        struct hw_ide *e[2] = { f->rp_e, f->ep_e };
        for (unsigned i = 0; i < sizeof(key); i++)
                key[i] = (uint8_t)(0xA0 + i);
        for (unsigned p = 0; p < 2; p++)
                for (unsigned ss = 0; ss < HW_IDE_SUB_STREAMS; ss++)
                        for (unsigned d = 0; d < 2; d++) {
                                assert_int_equal(hw_ide_key_prog(e[p], (enum hw_ide_sub_stream)ss, (enum hw_ide_dir)d,
                                                                 HW_IDE_K0, key, HW_IDE_IFV_INITIAL),
                                                 HW_IDE_OK);
                                assert_int_equal(hw_ide_key_go(e[p], (enum hw_ide_sub_stream)ss, (enum hw_ide_dir)d,
                                                               HW_IDE_K0),
                                                 HW_IDE_OK);
                        }
        assert_int_equal(hw_ide_state(f->rp_e), HW_IDE_SECURE);
        assert_int_equal(hw_ide_state(f->ep_e), HW_IDE_SECURE);
}

static enum hw_link_result mwr(struct fx *f, bool t, uint64_t addr, const uint8_t *data, uint32_t len)
{
        struct hw_tlp w = { .kind = HW_TLP_MWR, .ide = { .t = t }, .requester_id = EP_RID, .addr = addr, .len = len,
                            .data = data };
        return hw_link_send(f->l, HW_LINK_EP, &w, NULL);
}

static enum hw_link_result mrd(struct fx *f, bool t, uint8_t tag, uint64_t addr, uint32_t len)
{
        struct hw_tlp r = { .kind = HW_TLP_MRD, .ide = { .t = t }, .requester_id = EP_RID, .tag = tag, .addr = addr,
                            .len = len };
        return hw_link_send(f->l, HW_LINK_EP, &r, NULL);
}

static void fill(uint8_t *b, size_t n, uint8_t seed)
{
        for (size_t i = 0; i < n; i++)
                b[i] = (uint8_t)(seed + i * 7);
}

static void root_port_bypass_write_lands_in_ns_memory(void **state)
{
        struct fx *f = *state;
        uint8_t data[256], back[256];
        bypass(f);
        fill(data, sizeof(data), 3);
        assert_int_equal(mwr(f, false, BASE + 0x1100, data, sizeof(data)), HW_LINK_DELIVERED);
        assert_int_equal(hw_read(f->m, HW_WORLD_ROOT, BASE + 0x1100, back, sizeof(back), NULL), HW_OK);
        assert_memory_equal(back, data, sizeof(data));
        const struct hw_root_port_stats *st = hw_root_port_stats(f->rp);
        assert_int_equal(st->tlps_in, 1);
        assert_int_equal(st->mwr, 1);
        assert_int_equal(st->bytes_written, 256);
        assert_int_equal(st->smmu_faults, 0);
        assert_int_equal(f->got.n, 0); /* posted: nothing comes back */
}

static void root_port_bypass_read_comes_back_as_a_cpld_with_the_tag_and_data(void **state)
{
        struct fx *f = *state;
        uint8_t data[128];
        bypass(f);
        fill(data, sizeof(data), 9);
        assert_int_equal(hw_write(f->m, HW_WORLD_NS, BASE + 0x2040, data, sizeof(data), NULL), HW_OK);
        assert_int_equal(mrd(f, false, 0x5A, BASE + 0x2040, sizeof(data)), HW_LINK_DELIVERED);
        assert_int_equal(f->got.n, 1);
        assert_int_equal(f->got.tlp.kind, HW_TLP_CPLD);
        assert_int_equal(f->got.tlp.status, HW_TLP_SC);
        assert_int_equal(f->got.tlp.tag, 0x5A);
        assert_int_equal(f->got.tlp.requester_id, EP_RID);
        assert_int_equal(f->got.tlp.completer_id, RP_RID);
        assert_int_equal(f->got.tlp.addr, 0x40);
        assert_int_equal(f->got.tlp.len, sizeof(data));
        assert_memory_equal(f->got.data, data, sizeof(data));
        assert_int_equal(hw_root_port_stats(f->rp)->bytes_read, sizeof(data));
        assert_int_equal(hw_root_port_stats(f->rp)->tlps_out, 1);
}

/* Checks completion i of a read: Length, Byte Count (the bytes left including its own) and
 * Lower Address, status SC, the read's tag. */
static void assert_cpld(const struct fx *f, unsigned i, uint32_t len, uint32_t byte_count, uint64_t lower,
                        uint8_t tag)
{
        const struct hw_tlp *c = &f->got.each[i];
        assert_int_equal(c->kind, HW_TLP_CPLD);
        assert_int_equal(c->status, HW_TLP_SC);
        assert_int_equal(c->tag, tag);
        assert_int_equal(c->requester_id, EP_RID);
        assert_int_equal(c->completer_id, RP_RID);
        assert_int_equal(c->len, len);
        assert_int_equal(c->byte_count, byte_count);
        assert_int_equal(c->addr, lower);
}

static void root_port_4k_read_is_16_cplds_of_the_mps_in_address_order(void **state)
{
        struct fx *f = *state;
        static uint8_t data[4096];
        bypass(f);
        fill(data, sizeof(data), 0x42);
        assert_int_equal(hw_write(f->m, HW_WORLD_NS, BASE + 0x3000, data, sizeof(data), NULL), HW_OK);
        assert_int_equal(mrd(f, false, 0x11, BASE + 0x3000, sizeof(data)), HW_LINK_DELIVERED);
        assert_int_equal(f->got.n, 16);
        for (unsigned i = 0; i < 16; i++)
                assert_cpld(f, i, HW_ROOT_PORT_MPS, 4096 - i * HW_ROOT_PORT_MPS, (i * HW_ROOT_PORT_MPS) & 0x7Cu, 0x11);
        assert_int_equal(f->got.all_len, sizeof(data));
        assert_memory_equal(f->got.all, data, sizeof(data));
        const struct hw_root_port_stats *st = hw_root_port_stats(f->rp);
        assert_int_equal(st->mrd, 1);
        assert_int_equal(st->cpld, 16);
        assert_int_equal(st->tlps_out, 16);
        assert_int_equal(st->bytes_read, 4096);
        assert_int_equal(hw_ide_stats(f->ep_e)->split_cpl, 15);
        assert_false(hw_ide_tag_in_flight(f->ep_e, 0x11)); /* the last one freed the tag */
}

/* PCIe 6.2 §2.3.1.1: the first completion runs to an RCB boundary, the middle ones from one
 * to another, the last to the end of the read. */
static void root_port_unaligned_read_splits_on_rcb_boundaries(void **state)
{
        struct fx *f = *state;
        uint8_t data[600];
        bypass(f);
        fill(data, sizeof(data), 0x17);
        assert_int_equal(hw_write(f->m, HW_WORLD_NS, BASE + 0x1044, data, sizeof(data), NULL), HW_OK);
        /* 0x1044: 252 bytes to 0x1140, 256 to 0x1240, the last 92 */
        assert_int_equal(mrd(f, false, 2, BASE + 0x1044, sizeof(data)), HW_LINK_DELIVERED);
        assert_int_equal(f->got.n, 3);
        assert_cpld(f, 0, 252, 600, 0x44, 2);
        assert_cpld(f, 1, 256, 348, 0x40, 2);
        assert_cpld(f, 2, 92, 92, 0x40, 2);
        assert_memory_equal(f->got.all, data, sizeof(data));
        /* 32 bytes across the RCB at 0x1100 fit one completion: no split needed */
        f->got.n = 0;
        f->got.all_len = 0;
        assert_int_equal(mrd(f, false, 3, BASE + 0x10F0, 32), HW_LINK_DELIVERED);
        assert_int_equal(f->got.n, 1);
        assert_cpld(f, 0, 32, 32, 0x70, 3);
        /* 0x10FC: as much as the MPS allows up to an RCB boundary (196, to 0x11C0), then 64 */
        f->got.n = 0;
        assert_int_equal(mrd(f, false, 4, BASE + 0x10FC, 260), HW_LINK_DELIVERED);
        assert_int_equal(f->got.n, 2);
        assert_cpld(f, 0, 196, 260, 0x7C, 4);
        assert_cpld(f, 1, 64, 64, 0x40, 4);
}

static void root_port_refused_4k_read_is_one_cpl_for_all_of_it(void **state)
{
        struct fx *f = *state;
        assert_int_equal(mrd(f, false, 5, BASE + 0x2000, 4096), HW_LINK_DELIVERED); /* stream ABORT */
        assert_int_equal(f->got.n, 1);
        assert_int_equal(f->got.tlp.kind, HW_TLP_CPL);
        assert_int_equal(f->got.tlp.status, HW_TLP_UR);
        assert_int_equal(f->got.tlp.len, 4096);
        assert_int_equal(hw_root_port_stats(f->rp)->cpld, 0);
        assert_int_equal(hw_root_port_stats(f->rp)->bytes_read, 0);
        assert_false(hw_ide_tag_in_flight(f->ep_e, 5)); /* an error completion ends the read */
}

/* A completion dropped on a Secure stream: the next one is sealed with the counter after it,
 * so its MAC fails at the endpoint and the stream breaks; the rest of the read cannot leave. */
static void root_port_dropped_middle_completion_fails_the_next_on_a_keyed_link(void **state)
{
        struct fx *f = *state;
        static uint8_t data[1024];
        bypass(f);
        key_both(f);
        fill(data, sizeof(data), 0x5C);
        assert_int_equal(hw_write(f->m, HW_WORLD_NS, BASE + 0x4000, data, sizeof(data), NULL), HW_OK);
        f->tap.drop_nth = 2;
        assert_int_equal(mrd(f, false, 6, BASE + 0x4000, sizeof(data)), HW_LINK_DELIVERED);
        assert_int_equal(hw_ide_stats(f->ep_e)->mac_failures, 1);
        assert_int_equal(hw_ide_state(f->ep_e), HW_IDE_INSECURE);
        assert_int_equal(hw_ide_state(f->rp_e), HW_IDE_INSECURE);
        /* the first arrived; the second dropped, the third refused; the fourth went in clear
         * (a T=0 read's completion on an Insecure link), for the requester to judge */
        assert_int_equal(f->got.n, 2);
        assert_cpld(f, 0, 256, 1024, 0x00, 6);
        assert_cpld(f, 1, 256, 256, 0x00, 6);
        assert_false(f->got.each[1].ide.present);
        assert_int_equal(hw_root_port_stats(f->rp)->cpl_lost, 2);
        assert_int_equal(hw_root_port_stats(f->rp)->tlps_out, 2);
}

static void root_port_write_of_an_abort_stream_moves_nothing_and_is_counted(void **state)
{
        struct fx *f = *state;
        uint8_t data[64], back[64] = { 0 }, zero[64] = { 0 };
        struct hw_dma_fault flt;
        fill(data, sizeof(data), 1);
        assert_false(hw_root_port_last_fault(f->rp, &flt));
        assert_int_equal(mwr(f, false, BASE, data, sizeof(data)), HW_LINK_DELIVERED);
        assert_int_equal(hw_read(f->m, HW_WORLD_ROOT, BASE, back, sizeof(back), NULL), HW_OK);
        assert_memory_equal(back, zero, sizeof(back));
        assert_int_equal(hw_root_port_stats(f->rp)->smmu_faults, 1);
        assert_int_equal(hw_root_port_stats(f->rp)->bytes_written, 0);
        assert_true(hw_root_port_last_fault(f->rp, &flt));
        assert_int_equal(flt.reason, HW_DMA_STREAM_ABORT);
        assert_int_equal(flt.stream_id, EP_RID);
        assert_int_equal(hw_smmu_evtq_count(f->s), 1);
}

static void root_port_t1_write_without_a_realm_ste_faults_and_moves_nothing(void **state)
{
        struct fx *f = *state;
        uint8_t data[64], back[64] = { 0 }, zero[64] = { 0 };
        struct hw_dma_fault flt;
        bypass(f);
        key_both(f);
        fill(data, sizeof(data), 5);
        assert_int_equal(mwr(f, true, BASE + 0x3000, data, sizeof(data)), HW_LINK_DELIVERED);
        assert_int_equal(hw_read(f->m, HW_WORLD_ROOT, BASE + 0x3000, back, sizeof(back), NULL), HW_OK);
        assert_memory_equal(back, zero, sizeof(back));
        assert_true(hw_root_port_last_fault(f->rp, &flt));
        assert_int_equal(flt.reason, HW_DMA_T_MISMATCH);
        assert_true(flt.t);
        assert_int_equal(hw_root_port_stats(f->rp)->smmu_faults, 1);
        /* the same write with T=0 goes through the BYPASS stream */
        assert_int_equal(mwr(f, false, BASE + 0x3000, data, sizeof(data)), HW_LINK_DELIVERED);
        assert_int_equal(hw_read(f->m, HW_WORLD_ROOT, BASE + 0x3000, back, sizeof(back), NULL), HW_OK);
        assert_memory_equal(back, data, sizeof(back));
}

static void root_port_refused_read_is_ur_with_the_requests_tag_and_t(void **state)
{
        struct fx *f = *state;
        key_both(f); /* T=1 needs a Secure stream; the stream is ABORT */
        assert_int_equal(mrd(f, true, 7, BASE, 16), HW_LINK_DELIVERED);
        assert_int_equal(f->got.n, 1);
        assert_int_equal(f->got.tlp.kind, HW_TLP_CPL);
        assert_int_equal(f->got.tlp.status, HW_TLP_UR);
        assert_int_equal(f->got.tlp.tag, 7);
        assert_true(f->got.tlp.ide.present);
        assert_true(f->got.tlp.ide.t);
        assert_int_equal(f->got.tlp.len, 16);
        assert_int_equal(hw_root_port_stats(f->rp)->cpl_ur, 1);
        assert_int_equal(hw_root_port_stats(f->rp)->cpl_ca, 0);
}

static void root_port_read_of_a_realm_granule_through_bypass_is_ca(void **state)
{
        struct fx *f = *state;
        bypass(f);
        assert_int_equal(hw_gpt_transition(f->m, HW_WORLD_ROOT, BASE + 0x4000, HW_PAS_NS, HW_PAS_REALM), HW_OK);
        assert_int_equal(mrd(f, false, 1, BASE + 0x4000, 4), HW_LINK_DELIVERED);
        assert_int_equal(f->got.tlp.kind, HW_TLP_CPL);
        assert_int_equal(f->got.tlp.status, HW_TLP_CA);
        assert_false(f->got.tlp.ide.t);
        assert_int_equal(hw_root_port_stats(f->rp)->cpl_ca, 1);
        /* a read past memory leads nowhere: UR */
        assert_int_equal(mrd(f, false, 2, BASE + SIZE, 4), HW_LINK_DELIVERED);
        assert_int_equal(f->got.tlp.status, HW_TLP_UR);
        assert_int_equal(hw_root_port_stats(f->rp)->smmu_faults, 2);
}

static void root_port_maps_every_smmu_reason_to_ur_or_ca(void **state)
{
        (void)state;
        assert_int_equal(hw_root_port_cpl_status(HW_DMA_STREAM_ABORT), HW_TLP_UR);
        assert_int_equal(hw_root_port_cpl_status(HW_DMA_T_MISMATCH), HW_TLP_UR);
        assert_int_equal(hw_root_port_cpl_status(HW_DMA_NOT_ENABLED), HW_TLP_UR);
        assert_int_equal(hw_root_port_cpl_status(HW_DMA_S2_FAULT), HW_TLP_UR);
        assert_int_equal(hw_root_port_cpl_status(HW_DMA_ADDR_FAULT), HW_TLP_UR);
        assert_int_equal(hw_root_port_cpl_status(HW_DMA_GPF), HW_TLP_CA);
        assert_int_equal(hw_root_port_cpl_status(HW_DMA_OWNER_MISMATCH), HW_TLP_CA);
}

static void root_port_keyed_link_shows_the_tap_only_ciphertext(void **state)
{
        struct fx *f = *state;
        uint8_t data[256];
        bypass(f);
        key_both(f);
        fill(data, sizeof(data), 0x31);
        assert_int_equal(mwr(f, false, BASE + 0x5000, data, sizeof(data)), HW_LINK_DELIVERED);
        /* prefix 4 + header 12 (a 32-bit address) + payload + MAC */
        assert_int_equal(f->tap.seen_len, 4 + 12 + sizeof(data) + HW_TLP_MAC_LEN);
        assert_int_equal(f->tap.seen[0], HW_TLP_IDE_PREFIX_BYTE0);
        assert_memory_not_equal(f->tap.seen + 16, data, sizeof(data));
        uint8_t back[256];
        assert_int_equal(hw_read(f->m, HW_WORLD_ROOT, BASE + 0x5000, back, sizeof(back), NULL), HW_OK);
        assert_memory_equal(back, data, sizeof(data));
        /* the completion of a read is sealed too */
        assert_int_equal(mrd(f, false, 3, BASE + 0x5000, sizeof(data)), HW_LINK_DELIVERED);
        assert_int_equal(f->tap.seen[0], HW_TLP_IDE_PREFIX_BYTE0);
        assert_memory_not_equal(f->tap.seen + 16, data, sizeof(data));
        assert_memory_equal(f->got.data, data, sizeof(data));
        assert_int_equal(hw_ide_stats(f->rp_e)->opened, 2);
        assert_int_equal(hw_ide_stats(f->ep_e)->opened, 1);
}

static void root_port_flipped_tlp_is_refused_and_both_ends_go_insecure(void **state)
{
        struct fx *f = *state;
        uint8_t data[64], back[64] = { 0 }, zero[64] = { 0 };
        bypass(f);
        key_both(f);
        fill(data, sizeof(data), 0x77);
        f->tap.flip = true;
        assert_int_equal(mwr(f, false, BASE + 0x6000, data, sizeof(data)), HW_LINK_RX_REFUSED);
        assert_int_equal(hw_read(f->m, HW_WORLD_ROOT, BASE + 0x6000, back, sizeof(back), NULL), HW_OK);
        assert_memory_equal(back, zero, sizeof(back));
        assert_int_equal(hw_root_port_stats(f->rp)->tlps_in, 0);
        assert_int_equal(hw_ide_stats(f->rp_e)->mac_failures, 1);
        assert_int_equal(hw_ide_state(f->rp_e), HW_IDE_INSECURE);
        assert_int_equal(hw_ide_state(f->ep_e), HW_IDE_INSECURE);
        assert_int_equal(f->ep_insecure, 1);
        /* a TEE write cannot leave any more; a clear one still reaches the SMMU */
        assert_int_equal(mwr(f, true, BASE + 0x6000, data, sizeof(data)), HW_LINK_TX_REFUSED);
        assert_int_equal(mwr(f, false, BASE + 0x6000, data, sizeof(data)), HW_LINK_DELIVERED);
        assert_int_equal(hw_root_port_stats(f->rp)->bytes_written, sizeof(data));
}

static void root_port_counts_a_completion_the_link_did_not_deliver(void **state)
{
        struct fx *f = *state;
        bypass(f);
        f->tap.drop_cpl = true;
        assert_int_equal(mrd(f, false, 4, BASE, 8), HW_LINK_DELIVERED);
        assert_int_equal(f->got.n, 0);
        assert_int_equal(hw_root_port_stats(f->rp)->cpl_lost, 1);
        assert_int_equal(hw_root_port_stats(f->rp)->tlps_out, 0);
        assert_int_equal(hw_root_port_stats(f->rp)->bytes_read, 8);
}

static void root_port_drops_completions_it_never_asked_for(void **state)
{
        struct fx *f = *state;
        uint8_t d[4] = { 1, 2, 3, 4 };
        struct hw_tlp c = { .kind = HW_TLP_CPLD, .requester_id = RP_RID, .completer_id = EP_RID, .tag = 9, .len = 4,
                            .data = d };
        struct hw_link_report rep;
        /* the RP engine refuses it before the handler: no read of that tag is in flight */
        assert_int_equal(hw_link_send(f->l, HW_LINK_EP, &c, &rep), HW_LINK_RX_REFUSED);
        assert_int_equal(rep.rx, HW_IDE_UNEXPECTED_CPL);
        assert_int_equal(hw_root_port_stats(f->rp)->tlps_in, 0);
        assert_int_equal(hw_root_port_stats(f->rp)->unexpected, 0);
}

static void root_port_free_leaves_the_rp_end_without_a_handler(void **state)
{
        struct fx *f = *state;
        uint8_t data[4] = { 1 };
        bypass(f);
        hw_root_port_free(f->rp);
        f->rp = NULL;
        assert_int_equal(mwr(f, false, BASE, data, sizeof(data)), HW_LINK_DELIVERED);
        uint8_t back[4] = { 0 };
        assert_int_equal(hw_read(f->m, HW_WORLD_ROOT, BASE, back, sizeof(back), NULL), HW_OK);
        assert_int_equal(back[0], 0); /* discarded: no one turned it into a transaction */
        assert_int_equal(hw_smmu_evtq_count(f->s), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
                T(root_port_bypass_write_lands_in_ns_memory),
                T(root_port_bypass_read_comes_back_as_a_cpld_with_the_tag_and_data),
                T(root_port_4k_read_is_16_cplds_of_the_mps_in_address_order),
                T(root_port_unaligned_read_splits_on_rcb_boundaries),
                T(root_port_refused_4k_read_is_one_cpl_for_all_of_it),
                T(root_port_dropped_middle_completion_fails_the_next_on_a_keyed_link),
                T(root_port_write_of_an_abort_stream_moves_nothing_and_is_counted),
                T(root_port_t1_write_without_a_realm_ste_faults_and_moves_nothing),
                T(root_port_refused_read_is_ur_with_the_requests_tag_and_t),
                T(root_port_read_of_a_realm_granule_through_bypass_is_ca),
                T(root_port_maps_every_smmu_reason_to_ur_or_ca),
                T(root_port_keyed_link_shows_the_tap_only_ciphertext),
                T(root_port_flipped_tlp_is_refused_and_both_ends_go_insecure),
                T(root_port_counts_a_completion_the_link_did_not_deliver),
                T(root_port_drops_completions_it_never_asked_for),
                T(root_port_free_leaves_the_rp_end_without_a_handler),
#undef T
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
