/* The rig of pdev_rig.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "pdev_rig.h"
#include "lib/drbg.h"
#include "proto/ide_km.h"

#define DEC_2026 1796169600
static const uint8_t rig_key[IDE_KM_KEY_SIZE] = { 9, 8, 7, 6 };

static enum hw_tap_verdict tap_fn(void *ctx, enum hw_link_end from, uint8_t *wire, size_t *len, size_t cap)
{
        struct rig_tap *t = ctx;
        (void)cap;
        t->seen++;
        memcpy(t->last, wire, *len);
        t->last_len = *len;
        if (from == HW_LINK_RP) {
                t->from_rp++;
                if (t->edit_rp && t->edit_skip) {
                        t->edit_skip--;
                } else if (t->edit_rp && t->edit_at < *len) {
                        wire[t->edit_at] ^= t->edit_xor;
                        t->edit_rp = false;
                }
                if (t->drop_rp && t->skip_rp) {
                        t->skip_rp--;
                } else if (t->drop_rp) {
                        t->drop_rp--;
                        return HW_TAP_DROP;
                }
                return HW_TAP_PASS;
        }
        t->from_ep++;
        size_t h = wire[0] == HW_TLP_IDE_PREFIX_BYTE0 ? 4 : 0;
        uint32_t dws = (uint32_t)(wire[h + 2] & 3) << 8 | wire[h + 3];
        uint32_t bytes = (dws ? dws : 1024u) * 4u;
        if (bytes > t->max_payload)
                t->max_payload = bytes;
        if (t->flip_ep) {
                t->flip_ep = false;
                wire[*len - 1] ^= 0x01; /* the MAC's last byte, or a clear TLP's last payload byte */
        }
        return HW_TAP_PASS;
}

void rig_up(struct rig *g, bool attach_link)
{
        char why[PDEV_WHY_LEN] = "";
        struct pdev_config pc = { .bdf = RIG_BDF, .seed = (const uint8_t *)"d", .seed_len = 1,
                                  .blk_capacity_bytes = 1024 * 1024 };
        struct hw_ide_config rc = { .stream_id = 0, .default_stream = true };
        struct hw_ste ste = { .mode = HW_STE_BYPASS };

        memset(g, 0, sizeof(*g));
        hw_pcie_init(&g->pcie);
        assert_true(hw_mem_create(&g->m, RIG_BASE, RIG_SIZE, NULL));
        assert_true(hw_smmu_create(&g->s, g->m, NULL));
        assert_int_equal(hw_smmu_ste_set(g->s, HW_WORLD_NS, RIG_BDF, &ste), HW_SMMU_OK);
        if (!pdev_new(&g->dev, &g->pcie, &pc, why))
                fail_msg("pdev_new: %s", why);
        assert_true(hw_ide_new(&g->rp_e, &rc));
        assert_true(hw_link_new(&g->l, g->rp_e, pdev_ide_engine(g->dev)));
        assert_true(hw_root_port_new(&g->rp, g->l, g->rp_e, g->s, RIG_RP_ID));
        hw_link_set_tap(g->l, tap_fn, &g->tap);
        if (attach_link)
                pdev_attach_link(g->dev, g->l);
        hw_pcie_cfg_write(&g->pcie, RIG_BDF, 0x10, 4, (uint32_t)RIG_BAR0);
        hw_pcie_cfg_write(&g->pcie, RIG_BDF, 0x14, 4, (uint32_t)(RIG_BAR0 >> 32));
        hw_pcie_cfg_write(&g->pcie, RIG_BDF, 0x04, 2, 0x0006);
}

void rig_down(struct rig *g)
{
        spdm_requester_free(g->req);
        drbg_free(g->drbg);
        pdev_free(g->dev); /* detaches from the link first */
        hw_root_port_free(g->rp);
        hw_link_free(g->l);
        hw_ide_free(g->rp_e);
        hw_smmu_destroy(g->s);
        hw_mem_destroy(g->m);
}

static enum spdm_req_status relay(struct rig *g, enum spdm_req_status st)
{
        while (st == SPDM_REQ_SEND) {
                size_t alen = 0;
                bool asec = false;
                assert_true(spdm_responder_handle(pdev_responder(g->dev), g->out.secured, g->out.buf, g->out.len,
                                                  g->answer, RIG_BUF, &alen, &asec));
                st = spdm_requester_step(g->req, g->answer, alen, asec, &g->out);
        }
        return st;
}

static const uint8_t *vdm(struct rig *g, const uint8_t *payload, size_t len, size_t *rlen)
{
        static const uint8_t vid[2] = { 0x01, 0x00 };
        const uint8_t *back;
        assert_int_equal(relay(g, spdm_requester_vendor_defined(g->req, SPDM_STANDARD_ID_PCISIG, vid, 2, payload, len,
                                                                &g->out)),
                         SPDM_REQ_DONE);
        assert_true(spdm_requester_vdm_response(g->req, &back, rlen));
        return back;
}

static void key_device(struct rig *g)
{
        for (unsigned ss = 0; ss < IDE_KM_SUB_STREAMS; ss++)
                for (unsigned d = 0; d < 2; d++) {
                        uint8_t m[64];
                        size_t n, rn;
                        struct ide_km_key_id id = { .sub_stream = (enum ide_km_sub_stream)ss, .dir = (enum ide_km_dir)d,
                                                    .port_index = 1 };
                        struct ide_km_key_prog kp = { .id = id, .ifv = 1 };
                        struct ide_km_k_set go = { .id = id };
                        struct ide_km_kp_ack ack;
                        assert_true(ide_km_key_prog_encode(m, sizeof(m), &kp, rig_key, &n));
                        const uint8_t *r = vdm(g, m, n, &rn);
                        assert_true(ide_km_kp_ack_decode(r, rn, &ack, NULL));
                        assert_int_equal(ack.status, IDE_KM_KP_SUCCESS);
                        assert_true(ide_km_k_set_encode(IDE_KM_K_SET_GO, m, sizeof(m), &go, &n));
                        r = vdm(g, m, n, &rn);
                        assert_int_equal(r[1], IDE_KM_K_GOSTOP_ACK);
                }
}

void rig_session_and_keys(struct rig *g)
{
        const uint8_t *root;
        size_t root_len;
        pdev_root(g->dev, &root, &root_len);
        assert_true(drbg_new_seeded(&g->drbg, (const uint8_t *)"tsm", 3, "rmm spdm"));
        struct spdm_requester_cfg qc = { .trust_anchor = root, .trust_anchor_len = root_len, .now = DEC_2026,
                                         .drbg = g->drbg };
        assert_true(spdm_requester_new(&g->req, &qc));
        g->out = (struct spdm_req_out){ .buf = g->buf, .cap = RIG_BUF };
        assert_int_equal(relay(g, spdm_requester_start(g->req, &g->out)), SPDM_REQ_DONE);
        key_device(g);
        for (unsigned ss = 0; ss < HW_IDE_SUB_STREAMS; ss++)
                for (unsigned d = 0; d < 2; d++) {
                        assert_int_equal(hw_ide_key_prog(g->rp_e, (enum hw_ide_sub_stream)ss, (enum hw_ide_dir)d,
                                                         HW_IDE_K0, rig_key, HW_IDE_IFV_INITIAL),
                                         HW_IDE_OK);
                        assert_int_equal(
                                hw_ide_key_go(g->rp_e, (enum hw_ide_sub_stream)ss, (enum hw_ide_dir)d, HW_IDE_K0),
                                HW_IDE_OK);
                }
        assert_int_equal(hw_ide_state(pdev_ide_engine(g->dev)), HW_IDE_SECURE);
        assert_int_equal(hw_ide_state(g->rp_e), HW_IDE_SECURE);
}

void rig_lock(struct rig *g)
{
        uint8_t m[64];
        size_t n, rn;
        struct tdisp_lock_interface_request q = { .function_id = RIG_BDF };
        struct tdisp_nonce_msg r;
        assert_true(tdisp_lock_interface_request_encode(m, sizeof(m), &q, &n));
        const uint8_t *p = vdm(g, m, n, &rn);
        assert_true(tdisp_lock_interface_response_decode(p, rn, &r, NULL));
        memcpy(g->nonce, r.nonce, TDISP_NONCE_SIZE);
        assert_int_equal(pdev_tdi_state(g->dev), TDISP_STATE_CONFIG_LOCKED);
}

void rig_start(struct rig *g)
{
        uint8_t m[64];
        size_t n, rn;
        struct tdisp_nonce_msg s = { .function_id = RIG_BDF };
        memcpy(s.nonce, g->nonce, sizeof(s.nonce));
        assert_true(tdisp_start_interface_request_encode(m, sizeof(m), &s, &n));
        const uint8_t *r = vdm(g, m, n, &rn);
        assert_int_equal(r[2], TDISP_START_INTERFACE_RESPONSE);
        assert_int_equal(pdev_tdi_state(g->dev), TDISP_STATE_RUN);
}

void rig_stop(struct rig *g)
{
        uint8_t m[64];
        size_t n, rn;
        struct tdisp_bare q = { .function_id = RIG_BDF };
        assert_true(tdisp_stop_interface_request_encode(m, sizeof(m), &q, &n));
        const uint8_t *r = vdm(g, m, n, &rn);
        assert_int_equal(r[2], TDISP_STOP_INTERFACE_RESPONSE);
        assert_int_equal(pdev_tdi_state(g->dev), TDISP_STATE_CONFIG_UNLOCKED);
}

static bool identity_s2(void *ctx, uint64_t ipa, enum hw_access access, uint64_t *pa)
{
        (void)ctx;
        (void)access;
        if (ipa < RIG_BASE || ipa >= RIG_BASE + RIG_SIZE)
                return false;
        *pa = ipa;
        return true;
}

void rig_realm_stream(struct rig *g)
{
        struct hw_ste ste = { .mode = HW_STE_REALM, .dma_enabled = true, .owner = RIG_OWNER, .s2 = identity_s2 };
        assert_int_equal(hw_smmu_ste_set(g->s, HW_WORLD_REALM, RIG_BDF, &ste), HW_SMMU_OK);
}

void rig_realm_page(struct rig *g, unsigned i)
{
        uint64_t pa = RIG_BASE + (uint64_t)i * GRANULE_SIZE;
        assert_int_equal(hw_gpt_transition(g->m, HW_WORLD_ROOT, pa, HW_PAS_NS, HW_PAS_REALM), HW_OK);
        hw_owner_set(g->m, pa, RIG_OWNER);
}

uint64_t rig_rd(struct rig *g, uint64_t off, unsigned size, bool t, enum pdev_mmio_status want)
{
        uint64_t v = 0;
        enum pdev_mmio_status st = pdev_mmio_read(g->dev, RIG_BAR0 + off, size, t, &v);
        if (st != want)
                fail_msg("read of 0x%llx: %s, wanted %s", (unsigned long long)off, pdev_mmio_status_name(st),
                         pdev_mmio_status_name(want));
        return v;
}

void rig_wr(struct rig *g, uint64_t off, unsigned size, bool t, uint64_t v, enum pdev_mmio_status want)
{
        enum pdev_mmio_status st = pdev_mmio_write(g->dev, RIG_BAR0 + off, size, t, v);
        if (st != want)
                fail_msg("write of 0x%llx: %s, wanted %s", (unsigned long long)off, pdev_mmio_status_name(st),
                         pdev_mmio_status_name(want));
}

void rig_mem_read(struct rig *g, uint64_t pa, void *buf, size_t len)
{
        assert_int_equal(hw_read(g->m, HW_WORLD_ROOT, pa, buf, len, NULL), HW_OK);
}

void rig_mem_write(struct rig *g, uint64_t pa, const void *buf, size_t len)
{
        assert_int_equal(hw_write(g->m, HW_WORLD_ROOT, pa, buf, len, NULL), HW_OK);
}
