/* The board's physical device and its assignment: ccada-dev (device/pdev.h) on the
 * platform's PCIe (hw/pcie.h) at 00:03.0, its link to the Root Port and the SMMU. At boot the
 * host finds its DOE mailbox (host/doe_relay.h) and has the RMM attest it through RMI_PDEV_*
 * (host/tsm_host.h); a session confirmed by one HEARTBEAT. A hostile host
 * (host/doe_attacks.h) tampers on the way; whatever it does must end in a named error on the
 * RMM's side and no session. Once the Realm exists the host keys the IDE stream, creates,
 * locks and reports the Realm's VDEV, and answers the Realm's requests about it.
 *
 * The RMM is given the device's root certificate as its trust anchor, as a platform would
 * provision its TSM with the device vendors it trusts; the Realm gets its owner's own. */
#include <stdlib.h>
#include <string.h>

#include "device/pdev.h"
#include "host/doe_attacks.h"
#include "host/doe_relay.h"
#include "host/tsm_host.h"
#include "hw/ide.h"
#include "hw/link.h"
#include "hw/pcie.h"
#include "hw/root_port.h"
#include "hw/smmu.h"
#include "lib/bytes.h"
#include "lib/clock.h"
#include "realm/kernel.h"
#include "realm/tdisp_accept.h"
#include "lib/crypto.h"
#include "machine/link_attacks.h"
#include "machine/machine_internal.h"
#include "proto/hostcall.h"
#include "proto/pcap.h"
#include "proto/spdm.h"
#include "proto/tdisp.h"
#include "rmm/tsm.h"
#include "ccada/rmi.h"

#define PDEV_BDF HW_PCIE_BDF(0, 3, 0)
#define IMPOSTOR_BDF HW_PCIE_BDF(0, 4, 0)
#define RP_RID HW_PCIE_BDF(0, 1, 0)     /* the Root Port above ccada-dev */
#define IDE_SID 0                       /* the one selective stream (the default stream, TC0) */
#define NOW 1796169600          /* 2026-12-01: the RMM has no clock; the board's date */
#define EXCHANGE_NS 50000       /* virtual time per DOE exchange */
#define MSG_MAX 16384
/* The Root Port's memory window, where the host puts ccada-dev's BAR0 (physical addresses
 * outside DRAM), and where it maps BAR0 in the Realm's protected IPA space (below its RAM,
 * above its console). */
#define DEV_MEM_BASE 0x60000000ULL
#define DEV_MEM_SIZE 0x00100000ULL
#define REALM_BAR_IPA 0x10000000ULL

struct machine_pdev {
        struct hw_pcie pcie;
        struct pdev *dev, *impostor;
        struct pdev *reference;         /* other-ca: the genuine vendor's device, for its root */
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
        /* the device-assignment view: the host's PDEV and what the RMM reports of it */
        struct host_tsm_pdev tsm;
        bool host_ok, have_digests;
        unsigned pdev_state, communicates;
        size_t digest_len, cached_vca, cached_cert, cached_meas;
        uint8_t meas_digest[64];
        /* device assignment after attestation: the Root Port and its IDE engine, the link,
         * the IDE stream, and the Realm's VDEV for the device's TDI */
        struct hw_ide *rp_ide;
        struct hw_link *link;
        struct hw_smmu *smmu;           /* the platform SMMU: the device's DMA reaches memory only here */
        struct hw_mem *mem;             /* the board's memory, which the SMMU guards */
        bool unapproved_fw;             /* its firmware is not the 1.0.0 the board's policy names */
        struct hw_root_port *root_port;
        struct host_tsm_pdev rp;
        struct host_tsm_vdev vdev;
        bool da_ran, stream_ok, vdev_ok, mapped, start_asked, started;
        enum pdev_dma_status probe;     /* the device reading Realm memory before acceptance */
        char probe_fault[48];
        char da_why[HOST_TSM_WHY_LEN];
        unsigned vdev_state;
        size_t report_len;
        /* an attack on the assigned device itself (machine/link_attacks.h) */
        const struct link_attack *link_attack;
        struct link_tap tap;
        char start_why[HOST_TSM_WHY_LEN];       /* why RMI_VDEV_START failed, if it did */
        /* dma-before-run, dma-unvalidated: the device's own writes, and when they go */
        struct rogue_dma rogue[3];
        unsigned nrogue;
        bool rogue_armed;                       /* at the Realm's first register write */
        /* wall time of the host's attach steps (ccada bench tdisp) */
        double spdm_ns, ide_ns, tdisp_ns, map_ns, start_ns;
};

/* The attacks `--attack` knows: the DOE relay's (host/doe_attacks.h), then those on the
 * assigned device itself (machine/link_attacks.h). */
size_t ccada_attack_count(void)
{
        size_t n, m;
        (void)doe_attacks(&n);
        (void)link_attacks(&m);
        return n + m;
}

const char *ccada_attack_name(size_t i)
{
        size_t n, m;
        const struct doe_attack *a = doe_attacks(&n);
        const struct link_attack *l = link_attacks(&m);
        return i < n ? a[i].name : i - n < m ? l[i - n].name : NULL;
}

const char *ccada_attack_summary(size_t i)
{
        size_t n, m;
        const struct doe_attack *a = doe_attacks(&n);
        const struct link_attack *l = link_attacks(&m);
        return i < n ? a[i].what : i - n < m ? l[i - n].what : NULL;
}

const char *ccada_attack_expect(size_t i)
{
        size_t n, m;
        const struct doe_attack *a = doe_attacks(&n);
        const struct link_attack *l = link_attacks(&m);
        return i < n ? a[i].expect : i - n < m ? l[i - n].expect : NULL;
}

bool ccada_attack_known(const char *name)
{
        return doe_attack_find(name) != NULL || link_attack_find(name) != NULL;
}

/* The platform's path from a Realm's access through an RIPAS DEV mapping to the device: the
 * Root Port forwards it as a TEE request (T=1), which the TDI serves only in RUN. */
/* dma-unvalidated: the Realm's driver starts the device; once its DMA is enabled, the
 * device's firmware also writes where the Realm never pointed it. */
static void rogue_at_first_write(struct machine_pdev *p)
{
        struct hw_ste ste;
        hw_smmu_ste_get(p->smmu, PDEV_BDF, &ste);
        if (ste.mode != HW_STE_REALM || !ste.dma_enabled)
                return;
        p->rogue_armed = false;
        for (unsigned i = 0; i < p->nrogue; i++)
                link_attack_rogue_dma(p->dev, p->root_port, p->mem, &p->rogue[i]);
}

static bool dev_mmio(void *ctx, uint64_t pa, unsigned size, bool write, uint64_t *val)
{
        struct machine_pdev *p = ctx;
        if (p->rogue_armed && write)
                rogue_at_first_write(p);
        enum pdev_mmio_status st = write ? pdev_mmio_write(p->dev, pa, size, true, *val)
                                         : pdev_mmio_read(p->dev, pa, size, true, val);
        return st == PDEV_MMIO_OK;
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
        host_tsm_pdev_forget(&p->tsm); /* the VMs are gone: the RMM frees its PDEVs itself */
        host_tsm_pdev_forget(&p->rp);
        if (p->dev)
                pdev_attach_link(p->dev, NULL);
        hw_root_port_free(p->root_port);
        hw_link_free(p->link);
        hw_ide_free(p->rp_ide);
        hw_smmu_destroy(p->smmu);
        pdev_free(p->impostor);
        pdev_free(p->reference);
        pdev_free(p->dev);
        link_tap_free(&p->tap);
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
        p->mem = m->mem;
        hw_pcie_init(&p->pcie);
        st_le64(seed, m->cfg.seed);
        const struct link_attack *la = m->cfg.pdev.attack ? link_attack_find(m->cfg.pdev.attack) : NULL;
        bool other_ca = la && la->kind == DEVICE_OTHER_CA;
        bool wrong_fw = la && la->kind == DEVICE_WRONG_FW && !m->cfg.pdev.fw_version;
        uint8_t other[8];
        st_le64(other, ~m->cfg.seed); /* another vendor: another PKI, made from another seed */
        struct pdev_config pc = {
                .bdf = PDEV_BDF,
                .seed = other_ca ? other : seed,
                .seed_len = sizeof(seed),
                .cert_dir = other_ca ? NULL : m->cfg.pdev.cert_dir,
                .no_handshake_in_the_clear = m->cfg.pdev.secured_handshake,
                .trace = &m->trace,
        };
        pc.fw.debug = m->cfg.pdev.debug;
        if (m->cfg.pdev.fw_version || wrong_fw)
                snprintf(pc.fw.version, sizeof(pc.fw.version), "%s", wrong_fw ? "2.0.0" : m->cfg.pdev.fw_version);
        p->unapproved_fw = (m->cfg.pdev.fw_version || wrong_fw) && strcmp(pc.fw.version, "1.0.0") != 0;
        if (!pdev_new(&p->dev, &p->pcie, &pc, why))
                return CCADA_E_INVAL;
        if (other_ca) {
                /* the vendor the Realm's owner trusts, made as the board's device would be: only
                 * its root is used (the owner's trust anchor) */
                struct pdev_config rc = { .bdf = IMPOSTOR_BDF, .seed = seed, .seed_len = sizeof(seed),
                                          .cert_dir = m->cfg.pdev.cert_dir };
                if (!pdev_new(&p->reference, &p->pcie, &rc, why))
                        return CCADA_E_INVAL;
        }
        /* the Root Port's IDE engine, which the platform lets the RMM key, and the link */
        struct hw_ide_config ec = { .stream_id = IDE_SID, .default_stream = true, .trace = &m->trace, .end = "rp" };
        if (!hw_ide_new(&p->rp_ide, &ec) || !hw_link_new(&p->link, p->rp_ide, pdev_ide_engine(p->dev)) ||
            !hw_smmu_create(&p->smmu, m->mem, &m->trace) ||
            !hw_root_port_new(&p->root_port, p->link, p->rp_ide, p->smmu, RP_RID))
                return CCADA_E_NOMEM;
        pdev_attach_link(p->dev, p->link);
        rmm_platform_smmu(m->rmm, p->smmu);     /* only the RMM may install a Realm stream */
        rmm_platform_root_port(m->rmm, RP_RID, p->rp_ide);
        if (!rmm_platform_dev_mem(m->rmm, DEV_MEM_BASE, DEV_MEM_SIZE, dev_mmio, p))
                return CCADA_E_STATE;
        if (m->cfg.pdev.attack && (p->link_attack = link_attack_find(m->cfg.pdev.attack))) {
                /* on the device itself: the relay stays honest */
                p->tap.attack = p->link_attack;
                if (p->link_attack->kind != HOST_LOCKED_BAR)
                        hw_link_set_tap(p->link, link_tap, &p->tap);
        } else if (m->cfg.pdev.attack) {
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

/* One attestation through the RMM's device-assignment interface, as the host drives it
 * (host/tsm_host.h): RMI_PDEV_CREATE, COMMUNICATE until NEEDS_KEY, SET_PUBKEY with the key of
 * the chain the host cached, COMMUNICATE until READY (a session, confirmed by a HEARTBEAT).
 * keep: leave the PDEV in place (the real attestation); else release it (a rehearsal). */
static void converse(struct ccada_machine *m, bool keep)
{
        struct machine_pdev *p = m->pdev;
        char why[HOST_TSM_WHY_LEN] = "";
        struct rmm_pdev_info info;

        p->attested = p->heartbeat = false;
        p->host_ok = host_tsm_pdev_create(&p->tsm, m->slot[0].vm, &p->relay, p->relay.bdf,
                                          RMI_PDEV_CATEGORY_OFF_CHIP, 1, RMI_HASH_SHA_384, why) &&
                     host_tsm_pdev_connect(&p->tsm, why);
        bool known = rmm_pdev_info(m->rmm, p->tsm.pdev_pa, &info) && info.requester;
        const char *rwhy = "";
        p->error = known ? spdm_requester_error(info.requester, &rwhy) : SPDM_REQ_E_INTERNAL;
        if (known) {
                p->result = *spdm_requester_result(info.requester);
                p->pdev_state = info.state;
                p->have_digests = info.have_vca && info.have_cert && info.have_meas;
                p->digest_len = info.digest_len;
                memcpy(p->meas_digest, info.meas_digest, sizeof(p->meas_digest));
        }
        if (p->error != SPDM_REQ_OK)
                snprintf(p->why, sizeof(p->why), "%s", rwhy ? rwhy : "");
        else if (!p->host_ok)
                snprintf(p->why, sizeof(p->why), "the host: %.200s", why);
        p->attested = p->host_ok && p->error == SPDM_REQ_OK && known && info.state == RMI_PDEV_STATE_READY;
        p->heartbeat = p->attested; /* READY comes only after the session's HEARTBEAT */
        p->cached_cert = p->tsm.obj[HOST_TSM_CERT].len;
        p->cached_vca = p->tsm.obj[HOST_TSM_VCA].len;
        p->cached_meas = p->tsm.obj[HOST_TSM_MEAS].len;
        p->communicates += p->tsm.communicates;
        if (!keep)
                host_tsm_pdev_release(&p->tsm);
}

/* What the host does once the device is attested (facts §7.3 steps 4-6): the Root Port's
 * PDEV, the IDE stream keyed by the RMM, the Realm's VDEV for the TDI, LOCK and the
 * interface report. The TDI then waits, locked, for the Realm to verify and accept it. */
static void assign(struct ccada_machine *m)
{
        struct machine_pdev *p = m->pdev;
        uint64_t handle = 0;
        uint64_t rd = host_vm_rd(m->slot[0].vm);
        p->da_ran = true;
        if (!rd) {
                snprintf(p->da_why, sizeof(p->da_why), "no Realm to assign the device to");
                return;
        }
        /* The host's driver enables the function (memory space, bus master), as any host does.
         * Before the Realm accepts the device, the device reads the Realm's private memory: its
         * stream has no SMMU entry, so the SMMU aborts it and nothing is read. */
        uint8_t probe[64];
        hw_pcie_cfg_write(&p->pcie, PDEV_BDF, PDEV_BAR0_OFFSET, 4, (uint32_t)DEV_MEM_BASE);
        hw_pcie_cfg_write(&p->pcie, PDEV_BDF, PDEV_BAR0_OFFSET + 4, 4, (uint32_t)(DEV_MEM_BASE >> 32));
        hw_pcie_cfg_write(&p->pcie, PDEV_BDF, 0x04, 2, 0x0006);
        p->probe = pdev_dma(p->dev, host_vm_private_pa(m->slot[0].vm, MACHINE_REALM_RAM_IPA), probe, sizeof(probe),
                            false);
        struct hw_dma_fault f;
        if (hw_root_port_last_fault(p->root_port, &f))
                snprintf(p->probe_fault, sizeof(p->probe_fault), "%s", hw_dma_reason_name(f.reason));
        if (p->link_attack && p->link_attack->kind == DEVICE_DMA_EARLY) {
                /* dma-before-run: it writes there too (T=0: the address is physical) */
                uint64_t pa = host_vm_private_pa(m->slot[0].vm, MACHINE_REALM_RAM_IPA);
                p->rogue[p->nrogue] = (struct rogue_dma){
                        .target = "the Realm's first RAM page, before it was assigned (T=0)", .iova = pa, .pa = pa };
                link_attack_rogue_dma(p->dev, p->root_port, p->mem, &p->rogue[p->nrogue++]);
        }
        double t0 = clock_mono_ns();
        p->stream_ok = host_tsm_rp_create(&p->rp, m->slot[0].vm, RP_RID, 2, p->da_why) &&
                       host_tsm_stream_connect(&p->rp, &p->tsm, IDE_SID, &handle, p->da_why);
        double t1 = clock_mono_ns();
        p->vdev_ok = p->stream_ok &&
                     host_tsm_vdev_create_mmio(&p->vdev, &p->tsm, rd, 1, PDEV_BDF, DEV_MEM_BASE, PDEV_BAR0_SIZE,
                                               p->da_why) &&
                     host_tsm_vdev_lock(&p->vdev, p->da_why) && host_tsm_vdev_report(&p->vdev, p->da_why);
        /* the TDI's measurements, fresh for the Realm (facts §7.3 step 6): a signed
         * GET_MEASUREMENTS in the session with the host's nonce (a counter of the board's seed) */
        uint8_t nonce[32] = { 0 };
        st_le64(nonce, m->cfg.seed + 1);
        p->vdev_ok = p->vdev_ok && host_tsm_vdev_measure(&p->vdev, nonce, p->da_why);
        double t2 = clock_mono_ns();
        p->ide_ns = t1 - t0;
        p->tdisp_ns = t2 - t1;
        if (p->link_attack && p->link_attack->kind == HOST_LOCKED_BAR && p->vdev_ok) {
                /* the hostile host moves BAR0 of the locked TDI (TDISP §11.2: the TDI goes to ERROR) */
                hw_pcie_cfg_write(&p->pcie, PDEV_BDF, PDEV_BAR0_OFFSET, 4, (uint32_t)(DEV_MEM_BASE + 0x10000));
                p->tap.hits++;
        }
        /* BAR0 into the Realm's protected IPA space, for the Realm to validate once it accepts */
        p->mapped = p->vdev_ok && host_tsm_dev_map(&p->vdev, REALM_BAR_IPA, DEV_MEM_BASE, PDEV_BAR0_SIZE, p->da_why);
        p->map_ns = clock_mono_ns() - t2;
        int st = p->vdev.pd ? host_tsm_vdev_state(&p->vdev) : -1;
        p->vdev_state = st < 0 ? RMI_VDEV_STATE_ERROR : (unsigned)st;
        p->report_len = p->tsm.obj[HOST_TSM_REPORT].len;
}

ccada_status machine_pdev_assign(struct ccada_machine *m)
{
        struct machine_pdev *p = m->pdev;
        if (!m->cfg.pdev.present || !p || !p->attested || m->cfg.normal_vm ||
            (p->attack && p->attack->setup != DOE_ATTACK_HOST_CACHE))
                return CCADA_OK;
        struct trace_who who = trace_get_who(&m->trace);
        trace_set_who(&m->trace, "pci-tsm", 0, 0, ".....");
        assign(m);
        if (p->attack && p->attack->setup == DOE_ATTACK_HOST_CACHE && p->tsm.obj[HOST_TSM_REPORT].len) {
                /* the hostile host changes its copy of the report: one bit of its last byte */
                p->tsm.obj[HOST_TSM_REPORT].buf[p->tsm.obj[HOST_TSM_REPORT].len - 1] ^= 0x01;
                p->attack_state->hits++;
        }
        trace_restore_who(&m->trace, who);
        return CCADA_OK;
}

/* The Realm owner's trust for the device it will be assigned: the vendor's root and a
 * reference policy with the vendor's published value for firmware 1.0.0 (what ccada-dev
 * measures at index 2: SHA-384 of "ccada device firmware 1.0.0"), debug mode refused. */
#define REFERENCE_FW "ccada device firmware 1.0.0"

size_t ccada_device_policy_default(char *buf, size_t cap)
{
        uint8_t d[HASH_MAX_LEN];
        char hex[2 * HASH_MAX_LEN + 1];
        if (!hash_once(HASH_SHA384, REFERENCE_FW, strlen(REFERENCE_FW), d))
                return 0;
        hex_encode(hex, d, hash_len(HASH_SHA384));
        int n = snprintf(buf, cap,
                         "# the Realm owner's reference values for ccada-dev (the board's default)\n"
                         "# firmware_digest: SHA-384 of \"%s\", measured at firmware_index\n"
                         "firmware_digest = %s\nfirmware_index = 2\ndebug = off\n",
                         REFERENCE_FW, hex);
        return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

bool ccada_device_policy_check(const char *text, size_t len, char *why, size_t whylen)
{
        struct tdisp_policy pol;
        char w[TDISP_ACCEPT_WHY_LEN] = "";
        bool ok = tdisp_policy_parse(text, len, &pol, w);
        if (!ok && why && whylen)
                snprintf(why, whylen, "%s", w);
        return ok;
}

ccada_status machine_pdev_provision(struct ccada_machine *m)
{
        const uint8_t *root;
        size_t root_len;
        char policy[1024];
        const char *text = m->cfg.pdev.policy;
        size_t n = m->cfg.pdev.policy_len;
        if (!m->cfg.pdev.present || !m->pdev || !m->pdev->dev)
                return CCADA_OK;
        if (!text) {
                if (!(n = ccada_device_policy_default(policy, sizeof(policy))))
                        return CCADA_E_NOMEM;
                text = policy;
        }
        pdev_root(m->pdev->reference ? m->pdev->reference : m->pdev->dev, &root, &root_len);
        for (unsigned i = 0; i < m->nslots; i++)
                if (!realm_kernel_set_device_trust(m->slot[i].kernel, root, root_len, text, n, NOW))
                        return CCADA_E_NOMEM;
        return CCADA_OK;
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

/* What the Realm should conclude of this device under the board's policy; NULL under the
 * owner's own (--device-policy): its verdict is then the Realm's to give. */
static const char *expected_verdict(const struct ccada_machine *m)
{
        if (m->cfg.pdev.policy)
                return NULL;
        if (m->pdev && m->pdev->attack && m->pdev->attack->setup == DOE_ATTACK_HOST_CACHE)
                return m->pdev->attack->expect;
        if (m->pdev && m->pdev->link_attack &&
            (m->pdev->link_attack->kind == DEVICE_OTHER_CA || m->pdev->link_attack->kind == DEVICE_WRONG_FW))
                return m->pdev->link_attack->expect; /* CHAIN, FIRMWARE */
        /* in the Realm's order of checks: the firmware's digest before the debug mode */
        if (m->cfg.pdev.fw_version && strcmp(m->cfg.pdev.fw_version, "1.0.0") != 0)
                return "FIRMWARE";
        if (m->cfg.pdev.debug)
                return "DEBUG";
        return "ACCEPT";
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
        /* The platform provisions its TSM with the vendor roots it trusts (ccada's extension,
         * rmm/tsm.h); the Realm checks the chain again against its own. */
        const uint8_t *root;
        size_t root_len;
        pdev_root(p->dev, &root, &root_len);
        if (!rmm_tsm_provision(m->rmm, root, root_len, NOW, m->cfg.pdev.secured_handshake)) {
                trace_restore_who(&m->trace, who);
                return CCADA_E_NOMEM;
        }
        if (p->attack && p->attack->setup == DOE_ATTACK_REHEARSE) {
                /* an earlier attestation the host recorded */
                p->attack_state->recording = true;
                p->relay.tamper = NULL;
                if (bind(m, false, why)) {
                        p->relay.tamper = p->attack->tamper;
                        p->relay.tamper_ctx = p->attack_state;
                        converse(m, false);
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
                double t0 = clock_mono_ns();
                converse(m, true);
                p->spdm_ns = clock_mono_ns() - t0;
        }
        trace_restore_who(&m->trace, who);
        return CCADA_OK;
}

/* What the interposer saw and did, what stopped it (section "link", the device's attack
 * fields, check attack_detected). */
static void link_attack_report(const struct ccada_machine *m, struct ccada_report *r, struct ccada_report_section *s)
{
        const struct machine_pdev *p = m->pdev;
        const struct link_attack *a = p->link_attack;
        const struct link_tap *t = &p->tap;
        struct ccada_report_section *l = ccada_report_section(r, "link");
        struct ccada_report_value v;
        bool verified = ccada_report_get(r, "tdisp", "blk_verified", &v) && v.b;
        bool started = ccada_report_get(r, "tdisp", "started", &v) && v.b;
        const char *blk_error = ccada_report_get(r, "tdisp", "blk_error", &v) ? v.text : "";
        uint64_t written = ccada_report_get(r, "tdisp", "bytes_dma", &v) ? v.u / 2 : 0;
        const struct hw_ide_stats *rs = hw_ide_stats(p->rp_ide), *es = hw_ide_stats(pdev_ide_engine(p->dev));
        bool insecure = hw_ide_state(p->rp_ide) != HW_IDE_SECURE && hw_ide_state(pdev_ide_engine(p->dev)) != HW_IDE_SECURE;
        bool tdi_error = pdev_tdi_state(p->dev) == TDISP_STATE_ERROR;
        bool fired = false, detected = false;
        char caught[400] = "";
        ccada_report_u64(l, "tlps_seen", t->tlps);
        ccada_report_u64(l, "tlps_sealed", t->sealed);
        ccada_report_u64(l, "tdi_payloads", t->tdi_data);
        ccada_report_u64(l, "clear_payloads", t->clear_data);
        ccada_report_u64(l, "tlps_changed", t->hits);
        switch (a->kind) {
        case LINK_SNOOP: {
                /* what the Realm wrote, as the device stored it, against what crossed the wire */
                uint8_t *plain = written ? malloc((size_t)written) : NULL;
                size_t blocks = SIZE_MAX;
                if (plain && blk_engine_storage_read(pdev_blk(p->dev), 0, plain, (size_t)written))
                        blocks = link_tap_plaintext_blocks(t, plain, (size_t)written);
                free(plain);
                ccada_report_u64(l, "plaintext_blocks_seen", blocks == SIZE_MAX ? UINT64_MAX : blocks);
                fired = t->tdi_data > 0;
                detected = fired && blocks == 0 && t->clear_data == 0 && verified;
                snprintf(caught, sizeof(caught),
                         "%llu TLPs copied, %llu sealed; the TDI's %llu payloads all ciphertext: %s of the %llu "
                         "16-byte blocks the Realm wrote appears in them",
                         (unsigned long long)t->tlps, (unsigned long long)t->sealed, (unsigned long long)t->tdi_data,
                         blocks == 0 ? "none" : "SOME", (unsigned long long)(written / 16));
                break;
        }
        case LINK_FLIP:
        case LINK_REPLAY:
                fired = t->hits > 0;
                detected = fired && insecure && tdi_error && rs->check_failures + es->check_failures > 0 && !verified &&
                           strcmp(blk_error, "CCADA_E_VERIFY") != 0;
                snprintf(caught, sizeof(caught),
                         "the Root Port's IDE check refused the TLP (%s), both ends Insecure; the TDI in ERROR "
                         "(%s); the Realm's blk-test stopped (%s): no byte of the attacker's reached it",
                         hw_ide_fail_name(hw_ide_last_fail(p->rp_ide)), pdev_tdi_error_reason(p->dev),
                         blk_error[0] ? blk_error : "no error");
                break;
        case DEVICE_OTHER_CA:
        case DEVICE_WRONG_FW: {
                struct ccada_report_value wv;
                const char *verdict = ccada_report_get(r, "tdisp", "verdict", &v) ? v.text : "";
                const char *vwhy = ccada_report_get(r, "tdisp", "verdict_why", &wv) ? wv.text : "";
                fired = a->kind == DEVICE_OTHER_CA ? p->reference != NULL : p->unapproved_fw;
                detected = fired && !strcmp(verdict, a->expect) && !started && p->vdev_state == RMI_VDEV_STATE_LOCKED &&
                           pdev_tdi_state(p->dev) == TDISP_STATE_CONFIG_LOCKED;
                snprintf(caught, sizeof(caught),
                         "the RMM attested it (%s); the Realm refused it: %s (%.200s); it stays locked, never "
                         "started, its DMA never enabled",
                         a->kind == DEVICE_OTHER_CA ? "the platform trusts that vendor" : "its signature is good",
                         verdict[0] ? verdict : "NO VERDICT", vwhy);
                break;
        }
        case DEVICE_DMA_EARLY:
        case DEVICE_DMA_STRAY: {
                size_t at = 0;
                unsigned refused = 0, sent = 0;
                for (unsigned i = 0; i < p->nrogue; i++) {
                        refused += p->rogue[i].refused;
                        sent += p->rogue[i].sent;
                        if (at < sizeof(caught))
                                at += (size_t)snprintf(caught + at, sizeof(caught) - at, "%s%s: %s", i ? "; " : "",
                                                       p->rogue[i].target,
                                                       !p->rogue[i].sent      ? "never sent"
                                                       : !p->rogue[i].refused ? "NOT REFUSED"
                                                       : p->rogue[i].unchanged ? p->rogue[i].reason
                                                                               : "refused, yet memory CHANGED");
                }
                ccada_report_u64(l, "rogue_writes", p->nrogue);
                ccada_report_u64(l, "rogue_refused", refused);
                fired = sent == (a->kind == DEVICE_DMA_EARLY ? 2u : 3u);
                detected = fired && link_attack_rogue_contained(p->rogue, p->nrogue) && verified &&
                           pdev_tdi_state(p->dev) == TDISP_STATE_RUN;
                if (at < sizeof(caught))
                        snprintf(caught + at, sizeof(caught) - at, "; the SMMU refused %u of %u, nothing landed; the "
                                 "Realm's blk-test %s", refused, p->nrogue, verified ? "verified" : "FAILED");
                break;
        }
        case HOST_LOCKED_BAR:
                fired = t->hits > 0;
                detected = fired && tdi_error && !started && p->vdev_state != RMI_VDEV_STATE_STARTED;
                snprintf(caught, sizeof(caught),
                         "the TDI went to ERROR (%s); START refused (VDEV %s), the Realm never enabled its DMA",
                         pdev_tdi_error_reason(p->dev), rmi_vdev_state_name(p->vdev_state));
                break;
        }
        ccada_report_text(s, "attack", a->name);
        ccada_report_text(s, "attack_what", a->what);
        ccada_report_text(s, "attack_expect", a->expect);
        ccada_report_text(s, "attack_caught", caught);
        ccada_report_bool(s, "attack_fired", fired);
        ccada_report_check(r, "attack_detected", detected);
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
        ccada_report_text(s, "pdev_state", rmi_pdev_state_name(p->pdev_state));
        ccada_report_u64(s, "pdev_communicates", p->communicates);
        ccada_report_u64(s, "cached_vca_bytes", p->cached_vca);
        ccada_report_u64(s, "cached_cert_bytes", p->cached_cert);
        ccada_report_u64(s, "cached_meas_bytes", p->cached_meas);
        if (p->have_digests) {
                char hex[2 * sizeof(p->meas_digest) + 1];
                /* the chain's digest is not reported: a seeded PKI's signatures differ per
                 * process (OpenSSL 3.0 signs with a random k), so it would differ per run */
                hex_encode(hex, p->meas_digest, p->digest_len);
                ccada_report_text(s, "meas_digest", hex);
        }
        if (p->da_ran) {
                /* the link, as its two engines count it */
                struct ccada_report_section *ide = ccada_report_section(r, "ide");
                const struct hw_ide_stats *a = hw_ide_stats(p->rp_ide), *b = hw_ide_stats(pdev_ide_engine(p->dev));
                ccada_report_u64(ide, "stream", IDE_SID);
                ccada_report_text(ide, "state", hw_ide_state_name(hw_ide_state(p->rp_ide)));
                ccada_report_u64(ide, "tlps", a->sealed + a->clear_tx + b->sealed + b->clear_tx);
                ccada_report_u64(ide, "tlps_sealed", a->sealed + b->sealed);
                ccada_report_u64(ide, "mac_failures", a->mac_failures + b->mac_failures);
                ccada_report_bool(s, "ide_stream_secure", p->stream_ok && hw_ide_state(p->rp_ide) == HW_IDE_SECURE &&
                                                                  hw_ide_state(pdev_ide_engine(p->dev)) == HW_IDE_SECURE);
                ccada_report_text(s, "vdev_state", p->vdev.pd ? rmi_vdev_state_name(p->vdev_state) : "");
                ccada_report_text(s, "tdi_state", tdisp_state_name(pdev_tdi_state(p->dev)));
                ccada_report_u64(s, "interface_report_bytes", p->report_len);
                ccada_report_text(s, "assign_why", p->da_why);
                ccada_report_text(s, "start_why", p->start_why);
                ccada_report_text(s, "dma_before_accept", pdev_dma_status_name(p->probe));
                ccada_report_text(s, "dma_before_accept_smmu", p->probe_fault);
                struct ccada_report_value v;
                const char *verdict = ccada_report_get(r, "tdisp", "verdict", &v) ? v.text : "";
                ccada_report_text(s, "realm_verdict", verdict);
                const char *expect = expected_verdict(m);
                ccada_report_text(s, "realm_verdict_expected", expect ? expect : "");
                ccada_report_bool(s, "owner_policy", m->cfg.pdev.policy != NULL);
                /* The demo judges the device, accepts it and runs blk-test on it; bench-tdisp
                 * accepts it and measures (its own check says it did); other apps leave it. */
                const char *w = m->cfg.workload ? m->cfg.workload : CCADA_WORKLOAD_DEFAULT;
                bool demo = !strcmp(w, "demo"), uses = demo || !strcmp(w, "bench-tdisp");
                if (demo)
                        ccada_report_check(r, "realm_judged_the_device",
                                           expect ? !strcmp(verdict, expect) : verdict[0] != 0);
                ccada_report_check(r, "device_dma_refused_before_accept",
                                   (p->probe == PDEV_DMA_UR || p->probe == PDEV_DMA_CA) && p->probe_fault[0]);
                /* accepted: the Realm had it started (RUN) and ran blk-test on it; refused: it
                 * stays locked, never started. An attack on the device itself ends it in ERROR
                 * (but the snooper's, which changes nothing): attack_detected says the rest. */
                bool broken = p->link_attack && (p->link_attack->kind == LINK_FLIP ||
                                                 p->link_attack->kind == LINK_REPLAY ||
                                                 p->link_attack->kind == HOST_LOCKED_BAR);
                bool accept = !strcmp(expect ? expect : verdict, "ACCEPT") && uses;
                struct ccada_report_value bv;
                if (accept && !broken) {
                        ccada_report_check(r, "device_started_for_the_realm",
                                           p->vdev_ok && p->mapped && p->started &&
                                                   p->vdev_state == RMI_VDEV_STATE_STARTED &&
                                                   pdev_tdi_state(p->dev) == TDISP_STATE_RUN);
                        if (demo)
                                ccada_report_check(r, "device_blk_test_verified",
                                                   ccada_report_get(r, "tdisp", "blk_verified", &bv) && bv.b);
                } else if (!accept) {
                        ccada_report_check(r, "device_locked_for_the_realm",
                                           p->vdev_ok && !p->start_asked && p->vdev_state == RMI_VDEV_STATE_LOCKED &&
                                                   pdev_tdi_state(p->dev) == TDISP_STATE_CONFIG_LOCKED);
                }
        }
        ccada_report_text(s, "error", p->error == SPDM_REQ_OK ? "" : spdm_req_error_name(p->error));
        ccada_report_text(s, "why", p->why);
        if (p->pcap_on)
                ccada_report_bool(s, "pcap_written", p->pcap_ok && !p->pcap.broken);
        if (m->cfg.workload && !strcmp(m->cfg.workload, "bench-tdisp")) {
                /* the host's attach steps in wall time, beside the Realm's (a benchmark's only:
                 * a demo's report is the same from run to run) */
                struct ccada_report_section *b = ccada_report_section(r, "bench_tdisp/attach");
                ccada_report_double(b, "spdm_ms", p->spdm_ns / 1e6, 3);
                ccada_report_double(b, "ide_km_ms", p->ide_ns / 1e6, 3);
                ccada_report_double(b, "tdisp_lock_report_ms", p->tdisp_ns / 1e6, 3);
                ccada_report_double(b, "dev_map_ms", p->map_ns / 1e6, 3);
                ccada_report_double(b, "tdisp_start_ms", p->start_ns / 1e6, 3);
        }
        if (p->link_attack) {
                link_attack_report(m, r, s);
                return;
        }
        if (p->attack) {
                ccada_report_text(s, "attack", p->attack->name);
                ccada_report_text(s, "attack_what", p->attack->what);
                ccada_report_text(s, "attack_expect", p->attack->expect);
                bool fired = p->attack->setup == DOE_ATTACK_IMPOSTOR || p->attack_state->hits > 0;
                ccada_report_bool(s, "attack_fired", fired);
                if (p->attack->setup == DOE_ATTACK_HOST_CACHE) {
                        /* the Realm's check catches it: its verdict names the object */
                        struct ccada_report_value rv;
                        const char *got = ccada_report_get(r, "tdisp", "verdict", &rv) ? rv.text : "";
                        ccada_report_check(r, "attack_detected", fired && !strcmp(got, p->attack->expect));
                        return;
                }
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

/* The vdev_id the host gives the Realm's device (RmiVdevParams.vdev_id in assign()). */
#define REALM_VDEV_ID 1

uint64_t machine_vdev_lookup(void *ctx, uint64_t vdev_id)
{
        const struct ccada_machine *m = ctx;
        const struct machine_pdev *p = m->pdev;
        return p && p->vdev_ok && vdev_id == REALM_VDEV_ID ? p->vdev.vdev_pa : 0;
}

void machine_pdev_mmio(const struct ccada_machine *m, const uint64_t in[31], uint64_t out[31])
{
        const struct machine_pdev *p = m->pdev;
        out[0] = out[1] = 0;
        if (p && p->mapped && in[0] == REALM_VDEV_ID && in[1] == DEV_MEM_BASE) {
                out[0] = REALM_BAR_IPA;
                out[1] = PDEV_BAR0_SIZE;
        }
}

/* The device's own writes once it is RUN: dma-before-run writes at once (the Realm has not
 * enabled its DMA yet); dma-unvalidated aims at IPAs the Realm never validated as RAM and
 * waits for the Realm's first register write (its DMA enabled). */
static void rogue_when_started(struct ccada_machine *m, struct machine_pdev *p)
{
        const struct host_vm *vm = m->slot[0].vm;
        if (p->link_attack->kind == DEVICE_DMA_EARLY && p->nrogue < 3) {
                uint64_t pa = host_vm_private_pa(vm, MACHINE_REALM_RAM_IPA);
                p->rogue[p->nrogue] = (struct rogue_dma){
                        .target = "the same page at its IPA, RUN but before the Realm enabled DMA (T=1)",
                        .iova = MACHINE_REALM_RAM_IPA, .pa = pa };
                link_attack_rogue_dma(p->dev, p->root_port, p->mem, &p->rogue[p->nrogue++]);
                return;
        }
        if (p->link_attack->kind != DEVICE_DMA_STRAY)
                return;
        uint64_t base = 0, size = 0, shared = 0;
        host_vm_ram(vm, &base, &size);
        for (uint64_t ipa = base; ipa < base + size && !shared; ipa += GRANULE_SIZE)
                if (host_vm_shared_pa(vm, ipa))
                        shared = ipa;   /* its protected alias: RIPAS EMPTY, the Realm gave it up */
        uint64_t shared_pa = host_vm_private_pa(vm, shared);
        if (!shared_pa)
                shared_pa = host_vm_shared_pa(vm, shared);
        p->nrogue = 0;
        if (shared)
                p->rogue[p->nrogue++] = (struct rogue_dma){
                        .target = "a page the Realm shared with the host (RIPAS EMPTY)", .iova = shared, .pa = shared_pa };
        p->rogue[p->nrogue++] = (struct rogue_dma){ .target = "an IPA past the Realm's RAM, never mapped",
                                                    .iova = base + size };
        p->rogue[p->nrogue++] = (struct rogue_dma){ .target = "its own BAR in the Realm's IPA space (RIPAS DEV)",
                                                    .iova = REALM_BAR_IPA };
        p->rogue_armed = true;
}

void machine_pdev_start(struct ccada_machine *m, const uint64_t in[31], uint64_t out[31])
{
        struct machine_pdev *p = m->pdev;
        out[0] = 0;
        if (!p || !p->vdev_ok || in[0] != REALM_VDEV_ID)
                return;
        struct trace_who who = trace_get_who(&m->trace);
        trace_set_who(&m->trace, "pci-tsm", 0, 0, ".....");
        p->start_asked = true;
        double t0 = clock_mono_ns();
        p->started = host_tsm_vdev_start(&p->vdev, p->start_why);
        p->start_ns = clock_mono_ns() - t0;
        trace_restore_who(&m->trace, who);
        if (p->started && p->link_attack)
                rogue_when_started(m, p);
        int st = host_tsm_vdev_state(&p->vdev);
        p->vdev_state = st < 0 ? RMI_VDEV_STATE_ERROR : (unsigned)st;
        out[0] = p->started;
}

void machine_pdev_object(const struct ccada_machine *m, const uint64_t in[31], uint64_t out[31])
{
        const struct machine_pdev *p = m->pdev;
        uint64_t obj = in[1], off = in[2], ipa = in[3], cap = in[4];
        out[0] = out[1] = 0;
        if (!p || !p->vdev_ok || in[0] != REALM_VDEV_ID || obj >= HOST_TSM_NOBJ)
                return;
        const uint8_t *b = p->tsm.obj[obj].buf;
        size_t len = p->tsm.obj[obj].len;
        out[0] = len;
        if (!b || off >= len || cap == 0 || ipa & GRANULE_MASK)
                return;
        size_t n = len - (size_t)off;
        if (n > cap)
                n = (size_t)cap;
        if (n > HOSTCALL_DEV_OBJECT_MAX)
                n = HOSTCALL_DEV_OBJECT_MAX;
        uint64_t pa = host_vm_shared_pa(m->slot[0].vm, ipa);
        if (pa && hw_write(m->mem, HW_WORLD_NS, pa, b + off, n, NULL) == HW_OK)
                out[1] = n;
}
