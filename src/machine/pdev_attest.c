/* The board's physical device and its attestation at boot: ccada-dev (device/pdev.h) on the
 * platform's PCIe (hw/pcie.h) at 00:03.0; the host finds its DOE mailbox and relays
 * (host/doe_relay.h); the RMM's TSM (rmm/tsm.h) attests it and opens a session, then sends
 * one HEARTBEAT in it. A hostile host (host/doe_attacks.h) tampers on the way; whatever it
 * does must end in a named error on the RMM's side and no session.
 *
 * Until the next issue gives the host RMI_PDEV_COMMUNICATE, the board carries the loop
 * (rmm/tsm.h says why). The RMM is given the device's root certificate as its trust anchor,
 * as a platform would provision its TSM with the device vendors it trusts. */
#include <stdlib.h>
#include <string.h>

#include "device/pdev.h"
#include "host/doe_attacks.h"
#include "host/doe_relay.h"
#include "hw/pcie.h"
#include "lib/bytes.h"
#include "machine/machine_internal.h"
#include "proto/pcap.h"
#include "proto/spdm.h"
#include "rmm/tsm.h"

#define PDEV_BDF HW_PCIE_BDF(0, 3, 0)
#define IMPOSTOR_BDF HW_PCIE_BDF(0, 4, 0)
#define NOW 1796169600          /* 2026-12-01: the RMM has no clock; the board's date */
#define EXCHANGE_NS 50000       /* virtual time per DOE exchange */
#define MSG_MAX 16384

struct machine_pdev {
        struct hw_pcie pcie;
        struct pdev *dev, *impostor;
        struct doe_relay relay;
        struct pcap_writer pcap;
        bool pcap_on, pcap_ok;
        const struct doe_attack *attack;
        struct doe_attack_state *attack_state;
        /* what the board saw */
        bool ran, attested, heartbeat;
        enum spdm_req_error error;
        char why[384];
        struct spdm_req_result result;
        unsigned rehearsal_objects;
};

size_t ccada_attack_count(void)
{
        size_t n;
        (void)doe_attacks(&n);
        return n;
}

const char *ccada_attack_name(size_t i)
{
        size_t n;
        const struct doe_attack *a = doe_attacks(&n);
        return i < n ? a[i].name : NULL;
}

const char *ccada_attack_summary(size_t i)
{
        size_t n;
        const struct doe_attack *a = doe_attacks(&n);
        return i < n ? a[i].what : NULL;
}

const char *ccada_attack_expect(size_t i)
{
        size_t n;
        const struct doe_attack *a = doe_attacks(&n);
        return i < n ? a[i].expect : NULL;
}

bool ccada_attack_known(const char *name)
{
        return doe_attack_find(name) != NULL;
}

static bool pcap_file_write(void *ctx, const uint8_t *buf, size_t len)
{
        return fwrite(buf, 1, len, (FILE *)ctx) == len;
}

void machine_pdev_free(struct ccada_machine *m)
{
        struct machine_pdev *p = m->pdev;
        if (!p)
                return;
        if (p->pcap_on)
                fflush(m->cfg.pdev.pcap);
        pdev_free(p->impostor);
        pdev_free(p->dev);
        free(p->attack_state);
        free(p);
        m->pdev = NULL;
}

/* Builds the device (and an impostor for that attack). */
static ccada_status build(struct ccada_machine *m, char *why)
{
        struct machine_pdev *p = calloc(1, sizeof(*p));
        uint8_t seed[8];
        if (!p)
                return CCADA_E_NOMEM;
        m->pdev = p;
        hw_pcie_init(&p->pcie);
        st_le64(seed, m->cfg.seed);
        struct pdev_config pc = {
                .bdf = PDEV_BDF,
                .seed = seed,
                .seed_len = sizeof(seed),
                .cert_dir = m->cfg.pdev.cert_dir,
                .no_handshake_in_the_clear = m->cfg.pdev.secured_handshake,
        };
        pc.fw.debug = m->cfg.pdev.debug;
        if (m->cfg.pdev.fw_version)
                snprintf(pc.fw.version, sizeof(pc.fw.version), "%s", m->cfg.pdev.fw_version);
        if (!pdev_new(&p->dev, &p->pcie, &pc, why))
                return CCADA_E_INVAL;
        if (m->cfg.pdev.attack) {
                if (!(p->attack = doe_attack_find(m->cfg.pdev.attack))) {
                        snprintf(why, PDEV_WHY_LEN, "no attack named '%s'", m->cfg.pdev.attack);
                        return CCADA_E_INVAL;
                }
                if (!(p->attack_state = calloc(1, sizeof(*p->attack_state))))
                        return CCADA_E_NOMEM;
                p->attack_state->attack = p->attack;
        }
        if (p->attack && p->attack->setup == DOE_ATTACK_IMPOSTOR) {
                /* its own key (another seed), the genuine device's certificates */
                struct pdev_config ic = { .bdf = IMPOSTOR_BDF, .seed = (const uint8_t *)"impostor",
                                          .seed_len = 8, .impersonate = p->dev,
                                          .no_handshake_in_the_clear = m->cfg.pdev.secured_handshake };
                if (!pdev_new(&p->impostor, &p->pcie, &ic, why))
                        return CCADA_E_INVAL;
        }
        if (m->cfg.pdev.pcap) {
                p->pcap_on = true;
                p->pcap_ok = pcap_writer_init(&p->pcap, pcap_file_write, m->cfg.pdev.pcap, 65536, 292);
        }
        return CCADA_OK;
}

/* Binds the relay to the device the host talks to: the genuine one, or the impostor. */
static bool bind(struct ccada_machine *m, bool impostor, char *why)
{
        struct machine_pdev *p = m->pdev;
        if (!doe_relay_find(&p->relay, &p->pcie, &m->trace, why))
                return false;
        if (impostor)   /* the hostile host points its relay at the other function */
                p->relay.bdf = IMPOSTOR_BDF;
        p->relay.pcap = p->pcap_on && p->pcap_ok ? &p->pcap : NULL;
        return doe_relay_discover(&p->relay, why);
}

/* One conversation: attestation, then a heartbeat in the session. */
static void converse(struct ccada_machine *m, bool honest_heartbeat)
{
        struct machine_pdev *p = m->pdev;
        const uint8_t *root;
        size_t root_len, n;
        bool sec;
        uint8_t *out = malloc(MSG_MAX), *in = malloc(MSG_MAX);
        char why[DOE_RELAY_WHY_LEN] = "";
        struct spdm_req_out o = { .buf = out, .cap = MSG_MAX };

        p->attested = p->heartbeat = false;
        if (!out || !in) {
                snprintf(p->why, sizeof(p->why), "out of memory");
                p->error = SPDM_REQ_E_INTERNAL;
                free(out);
                free(in);
                return;
        }
        pdev_root(p->dev, &root, &root_len);
        struct rmm_tsm_config tc = { .trust_anchor = root, .trust_anchor_len = root_len, .now = NOW,
                                     .no_handshake_in_the_clear = m->cfg.pdev.secured_handshake };
        enum spdm_req_status st = rmm_tsm_connect(m->rmm, &tc, &o) ? SPDM_REQ_SEND : SPDM_REQ_FAILED;
        bool in_session = false, relay_failed = false;
        for (;;) {
                while (st == SPDM_REQ_SEND) {
                        trace_advance(&m->trace, EXCHANGE_NS);
                        if (!doe_relay_exchange(&p->relay, o.secured, o.buf, o.len, in, MSG_MAX, &n, &sec, why)) {
                                relay_failed = true;
                                break;
                        }
                        st = rmm_tsm_step(m->rmm, in, n, sec, &o);
                }
                if (st != SPDM_REQ_DONE || relay_failed || in_session || !honest_heartbeat)
                        break;
                p->attested = true;
                in_session = true;
                st = spdm_requester_heartbeat(rmm_tsm_requester(m->rmm), &o);
        }
        struct spdm_requester *req = rmm_tsm_requester(m->rmm);
        const char *rwhy = "";
        p->error = req ? spdm_requester_error(req, &rwhy) : SPDM_REQ_E_INTERNAL;
        if (req)
                p->result = *spdm_requester_result(req);
        if (relay_failed) {
                snprintf(p->why, sizeof(p->why), "the host's relay failed: %.200s", why);
        } else {
                snprintf(p->why, sizeof(p->why), "%s", rwhy ? rwhy : "");
                p->heartbeat = in_session && st == SPDM_REQ_DONE;
        }
        p->attested = p->attested && p->error == SPDM_REQ_OK && !relay_failed;
        free(out);
        free(in);
}

ccada_status machine_pdev_build(struct ccada_machine *m, char *why, size_t whylen)
{
        char w[PDEV_WHY_LEN] = "";
        if (!m->cfg.pdev.present)
                return CCADA_OK;
        ccada_status st = build(m, w);
        if (st != CCADA_OK && why)
                snprintf(why, whylen, "%s", w);
        return st;
}

ccada_status machine_pdev_attest(struct ccada_machine *m)
{
        char why[PDEV_WHY_LEN] = "";
        if (!m->cfg.pdev.present)
                return CCADA_OK;
        if (!m->pdev)
                return CCADA_E_STATE;
        struct machine_pdev *p = m->pdev;
        struct trace_who who = trace_get_who(&m->trace);
        trace_set_who(&m->trace, "pci-tsm", 0, 0, ".....");
        p->ran = true;
        if (p->attack && p->attack->setup == DOE_ATTACK_REHEARSE) {
                /* an earlier attestation the host recorded */
                p->attack_state->recording = true;
                p->relay.tamper = NULL;
                if (bind(m, false, why)) {
                        p->relay.tamper = p->attack->tamper;
                        p->relay.tamper_ctx = p->attack_state;
                        converse(m, true);
                }
                p->rehearsal_objects = p->relay.objects;
                p->attack_state->recording = false;
        }
        if (!bind(m, p->attack && p->attack->setup == DOE_ATTACK_IMPOSTOR, why)) {
                p->error = SPDM_REQ_E_INTERNAL;
                snprintf(p->why, sizeof(p->why), "the host found no DOE mailbox: %.200s", why);
        } else {
                if (p->attack && p->attack->tamper) {
                        p->relay.tamper = p->attack->tamper;
                        p->relay.tamper_ctx = p->attack_state;
                }
                converse(m, true);
        }
        trace_restore_who(&m->trace, who);
        return CCADA_OK;
}

static void meas_text(const struct spdm_req_meas *me, char *out, size_t cap)
{
        char hex[2 * sizeof(me->value) + 1];
        size_t n = me->len < sizeof(me->value) ? me->len : sizeof(me->value);
        hex_encode(hex, me->value, n);
        snprintf(out, cap, "type %u %s %s", me->value_type, me->raw ? "raw" : "digest", hex);
}

void machine_pdev_report(const struct ccada_machine *m, struct ccada_report *r)
{
        const struct machine_pdev *p = m->pdev;
        if (!m->cfg.pdev.present)
                return;
        struct ccada_report_section *s = ccada_report_section(r, "device");
        ccada_report_text(s, "bdf", "0000:00:03.0");
        ccada_report_bool(s, "ran", p && p->ran);
        if (!p || !p->ran) {
                ccada_report_check(r, "device_attested", false);
                return;
        }
        const struct spdm_req_result *res = &p->result;
        char text[160];
        snprintf(text, sizeof(text), "%u.%u", res->version >> 4, res->version & 0xF);
        ccada_report_text(s, "spdm_version", res->version ? text : "");
        ccada_report_text(s, "algorithms", res->algorithms);
        ccada_report_text(s, "root_subject", res->root_subject);
        ccada_report_text(s, "leaf_subject", res->leaf_subject);
        ccada_report_u64(s, "certificates", res->cert_count);
        ccada_report_u64(s, "chain_bytes", res->chain_len);
        ccada_report_u64(s, "measurements", res->nmeas);
        for (unsigned i = 0; i < res->nmeas; i++) {
                char key[32];
                snprintf(key, sizeof(key), "measurement_%u", res->meas[i].index);
                meas_text(&res->meas[i], text, sizeof(text));
                ccada_report_text(s, key, text);
        }
        snprintf(text, sizeof(text), "0x%08x", res->session_id);
        ccada_report_text(s, "session_id", res->session ? text : "");
        ccada_report_bool(s, "session", res->session);
        ccada_report_bool(s, "heartbeat", p->heartbeat);
        ccada_report_bool(s, "handshake_in_the_clear", !m->cfg.pdev.secured_handshake);
        ccada_report_u64(s, "spdm_requests", res->messages);
        ccada_report_u64(s, "doe_objects", p->relay.objects + p->rehearsal_objects);
        ccada_report_u64(s, "doe_bytes_to_device", p->relay.bytes_to_device);
        ccada_report_u64(s, "doe_bytes_from_device", p->relay.bytes_from_device);
        ccada_report_text(s, "error", p->error == SPDM_REQ_OK ? "" : spdm_req_error_name(p->error));
        ccada_report_text(s, "why", p->why);
        if (p->pcap_on)
                ccada_report_bool(s, "pcap_written", p->pcap_ok && !p->pcap.broken);
        if (p->attack) {
                ccada_report_text(s, "attack", p->attack->name);
                ccada_report_text(s, "attack_what", p->attack->what);
                ccada_report_text(s, "attack_expect", p->attack->expect);
                bool fired = p->attack->setup == DOE_ATTACK_IMPOSTOR || p->attack_state->hits > 0;
                ccada_report_bool(s, "attack_fired", fired);
                bool detected = fired && !res->session && !p->attested &&
                                !strcmp(spdm_req_error_name(p->error), p->attack->expect);
                if (p->attack->setup == DOE_ATTACK_INLINE && !strcmp(p->attack->name, "flip-secured"))
                        /* it strikes the session: the attestation stood, the session fell */
                        detected = fired && !p->heartbeat && !res->session &&
                                   !strcmp(spdm_req_error_name(p->error), p->attack->expect);
                ccada_report_check(r, "attack_detected", detected);
        } else {
                ccada_report_check(r, "device_attested", p->attested && res->session && p->heartbeat);
        }
}
