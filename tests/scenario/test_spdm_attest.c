/* Device attestation across the parties: the RMM's SPDM requester (src/rmm) attests
 * ccada-dev (src/device) on the platform's PCIe (src/hw/pcie) through the host's DOE relay
 * (src/host/doe_relay): each message goes DW by DW through the device's DOE mailbox in
 * configuration space. Then the host turns hostile: every tampering it can do on the way is
 * caught with a named error and the session is never reported established. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "device/pdev.h"
#include "host/doe_relay.h"
#include "lib/crypto.h"
#include "proto/spdm.h"
#include "rmm/spdm_requester.h"

#define BUF 16384
#define DEC_2026 1796169600

struct rig {
        struct hw_pcie pcie;
        struct pdev *dev;
        struct doe_relay relay;
        struct drbg *drbg;
        struct spdm_requester *req;
        uint8_t out[BUF], in[BUF];
        char why[DOE_RELAY_WHY_LEN];
};

static void rig_up(struct rig *g, const char *seed)
{
        char why[PDEV_WHY_LEN] = "";
        const uint8_t *root;
        size_t root_len;
        struct pdev_config pc = { .bdf = HW_PCIE_BDF(0, 3, 0), .seed = (const uint8_t *)seed, .seed_len = strlen(seed) };

        memset(g, 0, sizeof(*g));
        hw_pcie_init(&g->pcie);
        if (!pdev_new(&g->dev, &g->pcie, &pc, why))
                fail_msg("pdev_new: %s", why);
        assert_true(doe_relay_find(&g->relay, &g->pcie, NULL, g->why));
        pdev_root(g->dev, &root, &root_len);
        assert_true(drbg_new_seeded(&g->drbg, (const uint8_t *)"tsm", 3, "rmm spdm"));
        struct spdm_requester_cfg qc = { .trust_anchor = root, .trust_anchor_len = root_len, .now = DEC_2026,
                                         .drbg = g->drbg };
        assert_true(spdm_requester_new(&g->req, &qc));
}

static void rig_down(struct rig *g)
{
        spdm_requester_free(g->req);
        drbg_free(g->drbg);
        pdev_free(g->dev);
}

/* The RMM's loop: its request through the relay, the device's answer back. */
static enum spdm_req_status drive(struct rig *g, enum spdm_req_status st, struct spdm_req_out *o)
{
        while (st == SPDM_REQ_SEND) {
                size_t n = 0;
                bool sec = false;
                if (!doe_relay_exchange(&g->relay, o->secured, o->buf, o->len, g->in, sizeof(g->in), &n, &sec, g->why))
                        return SPDM_REQ_FAILED;
                st = spdm_requester_step(g->req, g->in, n, sec, o);
        }
        return st;
}

static enum spdm_req_status attest(struct rig *g)
{
        struct spdm_req_out o = { .buf = g->out, .cap = sizeof(g->out) };
        if (!doe_relay_discover(&g->relay, g->why))
                return SPDM_REQ_FAILED;
        return drive(g, spdm_requester_start(g->req, &o), &o);
}

static void host_finds_the_doe_mailbox_in_the_devices_extended_capabilities(void **state)
{
        struct rig g;
        (void)state;
        rig_up(&g, "dev");
        assert_int_equal(g.relay.bdf, HW_PCIE_BDF(0, 3, 0));
        assert_int_equal(g.relay.cap, PDEV_DOE_OFFSET);
        assert_int_equal(hw_pcie_cfg_read(&g.pcie, g.relay.bdf, 0, 2), PDEV_VENDOR_ID);
        assert_int_equal(hw_pcie_cfg_read(&g.pcie, g.relay.bdf, 2, 2), PDEV_DEVICE_ID);
        /* the DOE header points at the IDE capability, which ends the list */
        assert_int_equal(hw_pcie_cfg_read(&g.pcie, g.relay.bdf, PDEV_DOE_OFFSET, 4) >> 20, PDEV_IDE_OFFSET);
        assert_int_equal(hw_pcie_cfg_read(&g.pcie, g.relay.bdf, PDEV_IDE_OFFSET, 4) & 0xFFFF, PDEV_IDE_EXT_CAP_ID);
        /* an absent function reads as all ones */
        assert_int_equal(hw_pcie_cfg_read(&g.pcie, HW_PCIE_BDF(0, 4, 0), 0, 4), 0xFFFFFFFFu);
        assert_true(doe_relay_discover(&g.relay, g.why));
        rig_down(&g);
}

static void host_without_a_doe_device_says_so(void **state)
{
        struct hw_pcie pcie;
        struct doe_relay r;
        char why[DOE_RELAY_WHY_LEN];
        (void)state;
        hw_pcie_init(&pcie);
        assert_false(doe_relay_find(&r, &pcie, NULL, why));
        assert_string_equal(why, "no function on bus 0 has a DOE mailbox");
}

static void rmm_attests_the_device_through_the_host_relay(void **state)
{
        struct rig g;
        (void)state;
        rig_up(&g, "dev");
        enum spdm_req_status st = attest(&g);
        const char *why;
        if (st != SPDM_REQ_DONE)
                fail_msg("%s / %s", spdm_req_error_name(spdm_requester_error(g.req, &why)), g.why);
        const struct spdm_req_result *res = spdm_requester_result(g.req);
        assert_true(res->session);
        assert_string_equal(res->leaf_subject, "CN=ccada device");
        assert_int_equal(res->nmeas, 5);
        uint32_t sid;
        assert_true(spdm_responder_session(pdev_responder(g.dev), &sid));
        assert_int_equal(sid, res->session_id);
        /* 3 discovery + 9 SPDM exchanges, each one object each way */
        assert_int_equal(g.relay.objects, 2 * (3 + 9));
        struct spdm_req_out o = { .buf = g.out, .cap = sizeof(g.out) };
        assert_int_equal(drive(&g, spdm_requester_heartbeat(g.req, &o), &o), SPDM_REQ_DONE);
        assert_int_equal(drive(&g, spdm_requester_end_session(g.req, &o), &o), SPDM_REQ_DONE);
        rig_down(&g);
}

/* A TDISP-like protocol for the test: answers its payload reversed, in a session only. */
static bool reverse(void *ctx, bool secured, uint32_t sid, const uint8_t *p, size_t len, uint8_t *rsp, size_t cap,
                    size_t *rsp_len)
{
        unsigned *calls = ctx;
        (void)sid;
        if (!secured || len > cap)
                return false;
        for (size_t i = 0; i < len; i++)
                rsp[i] = p[len - 1 - i];
        *rsp_len = len;
        (*calls)++;
        return true;
}

static void vendor_defined_requests_reach_the_protocol_registered_for_their_pci_sig_id(void **state)
{
        struct rig g;
        unsigned calls = 0;
        /* 0x00 (IDE_KM) and 0x01 (TDISP) are the device's own: the test protocol takes 0x02 */
        const uint8_t vid[2] = { 0x01, 0x00 }, probe[] = { 0x02, 0x10, 0x81, 0x07 }, ide_km[] = { 0x00, 0x00 };
        const uint8_t *back;
        size_t back_len;
        (void)state;
        rig_up(&g, "dev");
        assert_false(pdev_register_protocol(g.dev, 0x01, reverse, &calls));
        assert_true(pdev_register_protocol(g.dev, 0x02, reverse, &calls));
        assert_false(pdev_register_protocol(g.dev, 0x02, reverse, &calls));
        assert_int_equal(attest(&g), SPDM_REQ_DONE);
        struct spdm_req_out o = { .buf = g.out, .cap = sizeof(g.out) };
        assert_int_equal(drive(&g, spdm_requester_vendor_defined(g.req, SPDM_STANDARD_ID_PCISIG, vid, 2, probe,
                                                                 sizeof(probe), &o), &o),
                         SPDM_REQ_DONE);
        assert_true(spdm_requester_vdm_response(g.req, &back, &back_len));
        assert_int_equal(back_len, 4);
        assert_memory_equal(back, "\x07\x81\x10\x02", 4);
        assert_int_equal(calls, 1);
        /* a 2-byte IDE_KM object is no object: ERROR UnsupportedRequest, which breaks the requester */
        const char *why;
        assert_int_equal(drive(&g, spdm_requester_vendor_defined(g.req, SPDM_STANDARD_ID_PCISIG, vid, 2, ide_km,
                                                                 sizeof(ide_km), &o), &o),
                         SPDM_REQ_FAILED);
        assert_int_equal(spdm_requester_error(g.req, &why), SPDM_REQ_E_PEER_ERROR);
        assert_non_null(strstr(why, "UnsupportedRequest"));
        rig_down(&g);
}

/* ---- a hostile host ---- */

struct attack {
        int kind;
        unsigned hits;
        uint8_t saved[BUF];
        size_t saved_len;
};

enum { FLIP_CERT, TRUNCATE_DIGESTS, REPLAY_MEAS_KEEP, REPLAY_MEAS_USE, FLIP_SECURED };

static void tamper(void *ctx, unsigned n, bool to_device, uint8_t *obj, size_t *len, size_t cap)
{
        struct attack *a = ctx;
        (void)n;
        (void)cap;
        if (to_device || *len < 12)
                return;
        uint8_t type = obj[2], code = obj[9];
        switch (a->kind) {
        case FLIP_CERT:
                if (type == 1 && code == SPDM_CERTIFICATE && *len > 700) {
                        obj[700] ^= 0x01;
                        a->hits++;
                }
                break;
        case TRUNCATE_DIGESTS:
                if (type == 1 && code == SPDM_DIGESTS) {
                        /* a DIGESTS cut to 8 bytes, in a DOE object whose Length says so */
                        *len = 16;
                        obj[4] = 4;
                        obj[5] = obj[6] = obj[7] = 0;
                        a->hits++;
                }
                break;
        case REPLAY_MEAS_KEEP:
        case REPLAY_MEAS_USE:
                if (type == 1 && code == SPDM_MEASUREMENTS) {
                        if (a->kind == REPLAY_MEAS_KEEP) {
                                memcpy(a->saved, obj, *len);
                                a->saved_len = *len;
                        } else {
                                memcpy(obj, a->saved, a->saved_len);
                                *len = a->saved_len;
                        }
                        a->hits++;
                }
                break;
        case FLIP_SECURED:
                if (type == 2 && a->hits == 0) {
                        obj[*len - 5] ^= 0x40;
                        a->hits++;
                }
                break;
        }
}

static void assert_broken(struct rig *g, enum spdm_req_status st, enum spdm_req_error e)
{
        const char *why;
        assert_int_equal(st, SPDM_REQ_FAILED);
        enum spdm_req_error got = spdm_requester_error(g->req, &why);
        if (got != e)
                fail_msg("got %s (%s), expected %s", spdm_req_error_name(got), why, spdm_req_error_name(e));
        assert_false(spdm_requester_result(g->req)->session);
}

static void host_flipping_a_certificate_byte_is_caught(void **state)
{
        struct rig g;
        struct attack a = { .kind = FLIP_CERT };
        (void)state;
        rig_up(&g, "dev");
        g.relay.tamper = tamper;
        g.relay.tamper_ctx = &a;
        assert_broken(&g, attest(&g), SPDM_REQ_E_CERT_CHAIN);
        assert_int_equal(a.hits, 1);
        rig_down(&g);
}

static void host_replaying_old_measurements_is_caught(void **state)
{
        struct rig g;
        static struct attack a;
        (void)state;
        memset(&a, 0, sizeof(a));
        a.kind = REPLAY_MEAS_KEEP;
        rig_up(&g, "dev");
        g.relay.tamper = tamper;
        g.relay.tamper_ctx = &a;
        assert_int_equal(attest(&g), SPDM_REQ_DONE);
        rig_down(&g);
        a.kind = REPLAY_MEAS_USE;
        rig_up(&g, "dev");
        uint8_t skip[32];
        assert_true(drbg_bytes(g.drbg, skip, sizeof(skip)));    /* a new nonce this time */
        g.relay.tamper = tamper;
        g.relay.tamper_ctx = &a;
        assert_broken(&g, attest(&g), SPDM_REQ_E_SIGNATURE);
        rig_down(&g);
}

static void host_truncating_a_message_is_caught(void **state)
{
        struct rig g;
        struct attack a = { .kind = TRUNCATE_DIGESTS };
        (void)state;
        rig_up(&g, "dev");
        g.relay.tamper = tamper;
        g.relay.tamper_ctx = &a;
        assert_broken(&g, attest(&g), SPDM_REQ_E_MALFORMED);
        rig_down(&g);
}

static void host_flipping_a_secured_record_is_caught(void **state)
{
        struct rig g;
        struct attack a = { .kind = FLIP_SECURED };
        (void)state;
        rig_up(&g, "dev");
        assert_int_equal(attest(&g), SPDM_REQ_DONE);
        g.relay.tamper = tamper;
        g.relay.tamper_ctx = &a;
        struct spdm_req_out o = { .buf = g.out, .cap = sizeof(g.out) };
        assert_broken(&g, drive(&g, spdm_requester_heartbeat(g.req, &o), &o), SPDM_REQ_E_SECURED);
        rig_down(&g);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(host_finds_the_doe_mailbox_in_the_devices_extended_capabilities),
                cmocka_unit_test(host_without_a_doe_device_says_so),
                cmocka_unit_test(rmm_attests_the_device_through_the_host_relay),
                cmocka_unit_test(vendor_defined_requests_reach_the_protocol_registered_for_their_pci_sig_id),
                cmocka_unit_test(host_flipping_a_certificate_byte_is_caught),
                cmocka_unit_test(host_replaying_old_measurements_is_caught),
                cmocka_unit_test(host_truncating_a_message_is_caught),
                cmocka_unit_test(host_flipping_a_secured_record_is_caught),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
