/* The foundation demo, run as the Realm's init: share a page, let the host try to look at
 * shared and private memory, talk to the UART over MMIO, extend a REM, unshare. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccada/report.h"
#include "ccada/rsi.h"
#include "proto/hostcall.h"
#include "proto/virtio.h"
#include "realm/apps/blk_test.h"
#include "realm/apps/demo.h"
#include "realm/apps/tdi_judge.h"
#include "realm/cmdline.h"
#include "realm/dma.h"
#include "realm/pci.h"
#include "realm/realm.h"
#include "realm/swiotlb.h"
#include "realm/tdisp.h"
#include "realm/tdisp_accept.h"
#include "realm/tdi_blk.h"
#include "realm/virtio_blk.h"
#include "lib/bytes.h"
#include "lib/container.h"

static const char private_secret[] = "realm private data: the host must never read this";
static const char shared_msg[] = "hello from the realm (shared page)";
/* What the demo hands a device: private data until it is mapped, then a copy in a shared
 * bounce slot that the host reads (the learning path's "export"). */
static const char bounce_payload[] = "realm payload for a device: bounced out via SWIOTLB";
_Static_assert(sizeof(bounce_payload) <= HOSTCALL_PEEK_MAX, "the host shows the whole payload");

static void fail(struct realm_kernel *k, const char *what, ccada_status st)
{
        rk_report_error(k, "%s: %s", what, ccada_status_text(st));
        rk_printk(k, "demo: %s failed: %s", what, ccada_status_text(st));
}

/* Reads the PL011's peripheral ID registers through MMIO exits. */
static bool demo_mmio(struct realm_kernel *k, uint64_t uart)
{
        static const uint8_t want[4] = { 0x11, 0x10, 0x14, 0x00 };
        for (unsigned i = 0; i < 4; i++) {
                uint64_t v;
                if (rk_mmio_read(k, uart + 0xFE0 + 4 * i, 4, &v) != CCADA_OK || v != want[i])
                        return false;
        }
        return true;
}

/* The bytes the host said it read, from its answer's words at gprs[first..]. */
static void peek_bytes(const uint64_t g[31], unsigned first, uint8_t out[HOSTCALL_PEEK_MAX])
{
        for (unsigned i = 0; i < HOSTCALL_PEEK_MAX / 8; i++)
                st_le64(out + 8 * i, g[first + i]);
}

/* n bytes as hexdump -C shows them on the right: printable ASCII, '.' for the rest. */
static void printable(const uint8_t *b, size_t n, char *out, size_t cap)
{
        size_t i = 0;
        for (; i < n && i + 1 < cap; i++)
                out[i] = b[i] >= 0x20 && b[i] < 0x7f ? (char)b[i] : '.';
        out[i] = '\0';
}

/* Reports what the host read (hex and printable, keys <what>_hex and <what>_text in the
 * "host_view" section) and prints it, calling it label. */
static void report_host_view(struct realm_kernel *k, const char *what, const char *label, const uint8_t *b, size_t n)
{
        struct ccada_report_section *s = rk_report_section(k, "host_view");
        char key[32], text[HOSTCALL_PEEK_MAX + 1];
        printable(b, n, text, sizeof(text));
        snprintf(key, sizeof(key), "%s_hex", what);
        ccada_report_hex(s, key, b, n);
        snprintf(key, sizeof(key), "%s_text", what);
        ccada_report_text(s, key, text);
        rk_printk(k, "demo: the host read %zu bytes of the %s: \"%s\"", n, label, text);
}

static const char *peek_outcome(uint64_t v)
{
        return v == HOSTCALL_PEEK_FAULTED ? "granule protection fault" : v == HOSTCALL_PEEK_DONE ? "it worked" : "not tried";
}

static void demo_peek(struct realm_kernel *k, uint64_t shared, uint64_t priv)
{
        uint64_t g[31] = { shared | rk_shared_bit(k), priv, sizeof(shared_msg) };
        uint8_t seen[HOSTCALL_PEEK_MAX];
        ccada_status st = rk_host_call(k, HOSTCALL_DEMO_PEEK, g);
        if (st != CCADA_OK)
                return fail(k, "host call", st);
        bool read_shared = g[0] == 1, read_faulted = g[1] == HOSTCALL_PEEK_FAULTED,
             write_faulted = g[2] == HOSTCALL_PEEK_FAULTED;
        char back[sizeof(private_secret)];
        st = rk_read(k, priv, back, sizeof(back));
        bool intact = st == CCADA_OK && !memcmp(back, private_secret, sizeof(back));
        rk_report_check(k, "host_read_shared", read_shared);
        rk_report_check(k, "host_read_private_faulted", read_faulted);
        rk_report_check(k, "host_write_private_faulted", write_faulted);
        rk_report_check(k, "private_intact", intact);
        rk_printk(k, "demo: host read the shared page: %s; host read of private page: %s; write: %s",
                  read_shared ? "yes" : "no", read_faulted ? "granule protection fault" : "NOT BLOCKED",
                  write_faulted ? "granule protection fault" : "NOT BLOCKED");
        if (read_shared) {
                peek_bytes(g, HOSTCALL_PEEK_SHARED_WORDS, seen);
                report_host_view(k, "shared_page", "shared page", seen, sizeof(shared_msg) - 1);
        }
        rk_printk(k, "demo: private page intact: %s", intact ? "yes" : "NO");
}

/* A normal VM: nothing stops the host. It reads the guest's private page (the secret, in
 * clear) and writes it (the guest finds the host's bytes in its own memory). */
static void demo_peek_normal(struct realm_kernel *k)
{
        uint64_t priv;
        uint8_t seen[HOSTCALL_PEEK_MAX];
        char back[sizeof(private_secret)];
        ccada_status st;
        if ((st = rk_alloc_pages(k, 1, &priv)) != CCADA_OK)
                return fail(k, "page allocation", st);
        uint64_t g[31] = { 0, priv, sizeof(private_secret) };
        if ((st = rk_write(k, priv, private_secret, sizeof(private_secret))) == CCADA_OK)
                st = rk_host_call(k, HOSTCALL_DEMO_PEEK, g);
        if (st == CCADA_OK)
                st = rk_read(k, priv, back, sizeof(back));
        rk_free_pages(k, priv, 1);
        if (st != CCADA_OK)
                return fail(k, "host call", st);
        peek_bytes(g, HOSTCALL_PEEK_PRIVATE_WORDS, seen);
        bool read = g[1] == HOSTCALL_PEEK_DONE && !memcmp(seen, private_secret, sizeof(private_secret));
        bool wrote = g[2] == HOSTCALL_PEEK_DONE && memcmp(back, private_secret, sizeof(back)) != 0;
        rk_report_check(k, "host_read_guest_private", read);
        rk_report_check(k, "host_wrote_guest_private", wrote);
        rk_printk(k, "demo: normal VM: host read of the guest's private page: %s; write: %s", peek_outcome(g[1]),
                  peek_outcome(g[2]));
        if (g[1] == HOSTCALL_PEEK_DONE)
                report_host_view(k, "private_page", "guest's private page", seen, sizeof(private_secret) - 1);
        rk_printk(k, "demo: private page changed by the host: %s", wrote ? "yes" : "no");
}

static void demo_measure(struct realm_kernel *k)
{
        static const char event[] = "ccada demo: app loaded";
        uint8_t rem1[RSI_MEASUREMENT_MAX];
        ccada_status st = rk_measurement_extend(k, 1, event, sizeof(event) - 1);
        if (st == CCADA_OK)
                st = rk_measurement_read(k, 1, rem1);
        if (st != CCADA_OK)
                return fail(k, "measurement", st);
        /* The measurements are as long as the Realm's hash (from its config). */
        size_t n = rk_hash_len(k);
        struct ccada_report_section *top = rk_report_section(k, "");
        ccada_report_hex(top, "rem1", rem1, n); /* the RIM: boot reports it */
        rk_report_check(k, "rem_extended", true);
        rk_printk(k, "demo: extended REM[1] with \"%s\"", event);
}

/* Maps the payload at buf for dev (TO_DEVICE: in a Realm, a copy into a bounce slot), asks
 * the host to peek at the device address and at priv, unmaps. *dma: the device address. */
static ccada_status bounce_and_peek(struct dma_dev *dev, uint64_t buf, uint64_t priv, uint64_t g[31], uint64_t *dma)
{
        ccada_status st = dma_map_single(dev, buf, sizeof(bounce_payload), DMA_TO_DEVICE, 0, dma);
        if (st != CCADA_OK)
                return st;
        g[0] = *dma, g[1] = priv, g[2] = sizeof(bounce_payload);
        st = rk_host_call(dev->k, HOSTCALL_DEMO_PEEK, g);
        ccada_status un = dma_unmap_single(dev, *dma, sizeof(bounce_payload), DMA_TO_DEVICE, 0);
        return st != CCADA_OK ? st : un;
}

/* The learning path's export, made visible: the demo maps a private buffer for a device,
 * which in a Realm copies it into a shared bounce slot; the host reads that slot (it sees
 * the payload: bounced data is not confidential) and tries the private page (a granule
 * protection fault). The host's view is compared with the payload. */
static void demo_bounce_peek(struct realm_kernel *k, uint64_t priv)
{
        struct dma_dev dev;
        uint64_t buf, dma = 0, g[31] = { 0 };
        uint8_t seen[HOSTCALL_PEEK_MAX];
        ccada_status st;
        if (!rk_default_swiotlb(k))
                return;
        dma_dev_init(&dev, k, "ccada-demo", "demo", rk_default_swiotlb(k));
        if ((st = rk_alloc_pages(k, 1, &buf)) != CCADA_OK)
                return fail(k, "bounce payload page", st);
        if ((st = rk_write(k, buf, bounce_payload, sizeof(bounce_payload))) == CCADA_OK)
                st = bounce_and_peek(&dev, buf, priv, g, &dma);
        rk_free_pages(k, buf, 1);
        if (st != CCADA_OK)
                return fail(k, "bounce peek", st);
        bool read_bounce = g[0] == 1;
        peek_bytes(g, HOSTCALL_PEEK_SHARED_WORDS, seen);
        bool is_payload = read_bounce && !memcmp(seen, bounce_payload, sizeof(bounce_payload));
        struct ccada_report_section *view = rk_report_section(k, "host_view");
        ccada_report_bool(rk_report_section(k, ""), "host_read_bounce_slot", read_bounce);
        ccada_report_u64(view, "bounce_slot_dma_addr", dma);
        ccada_report_bool(view, "bounce_is_payload", is_payload);
        rk_report_check(k, "host_read_bounce_slot", read_bounce);
        rk_report_check(k, "host_saw_bounced_payload", is_payload);
        rk_printk(k, "demo: mapped %zu private bytes for a device: bounce slot 0x%llx (shared)", sizeof(bounce_payload),
                  (unsigned long long)dma);
        if (read_bounce)
                report_host_view(k, "bounce_slot", "bounce slot", seen, sizeof(bounce_payload) - 1);
        rk_printk(k, "demo: host read the bounce slot: %s; it is the Realm's payload: %s; private page: %s",
                  read_bounce ? "yes" : "no", is_payload ? "yes" : "no", peek_outcome(g[1]));
}

/* blk-test on the first virtio-blk device of root, through the DMA API (bounced in a Realm). */
static void demo_blk(struct realm_kernel *k, struct pci_root *root, uint64_t seed)
{
        struct ccada_report_section *sec = rk_report_section(k, "blk");
        struct virtio_blk *b = NULL;
        struct blk_test_result res = { 0 };
        struct blk_test_config cfg = { .seed = seed };
        bool verified = false;
        ccada_status st = virtio_blk_probe_first(k, root, &b);
        ccada_report_bool(sec, "present", st == CCADA_OK);
        if (st == CCADA_OK) {
                st = blk_test_run(k, b, &cfg, &res);
                verified = st == CCADA_OK && res.verified;
                virtio_blk_destroy(b);
        }
        ccada_report_u64(sec, "bytes_written", res.bytes_written);
        ccada_report_u64(sec, "bytes_read", res.bytes_read);
        ccada_report_bool(sec, "verified", verified);
        rk_report_check(k, "blk_verified", verified);
        if (st != CCADA_OK && st != CCADA_E_UNSUPPORTED)
                fail(k, "blk-test", st);
}

/* Whether the Realm's PCI bus has a virtio-blk function (enumerating it once, for demo_blk). A
 * board whose only disk is the assigned device (--device tdisp) has none. */
static bool has_virtio_blk(struct realm_kernel *k, struct pci_root *root)
{
        if (pci_root_init(root, k) != CCADA_OK || pci_enumerate(root) != CCADA_OK)
                return false;
        for (unsigned i = 0; i < root->ndevs && i < PCI_ROOT_MAX_DEVICES; i++)
                if (root->devs[i].vendor == VIRTIO_PCI_VENDOR_ID &&
                    root->devs[i].device == virtio_pci_modern_device_id(VIRTIO_ID_BLOCK))
                        return true;
        return false;
}

/* The demo's checks, false until shown otherwise: a demo cut short does not pass. In a
 * normal VM only those that apply (no RMM: nothing to share, protect or measure). Its
 * values start as "nothing found" (zero measurements), so every key is always there. */
static void demo_expect(struct realm_kernel *k, bool virtio_blk)
{
        static const uint8_t zero[RSI_MEASUREMENT_MAX];
        struct ccada_report_section *top = rk_report_section(k, "");
        ccada_report_hex(top, "rem1", zero, rk_hash_len(k));
        ccada_report_bool(top, "host_read_bounce_slot", false);
        static const char *const realm_only[] = {
                "host_read_shared", "host_read_private_faulted", "host_write_private_faulted", "private_intact",
                "rem_extended", "unshared",
        };
        /* what the virtio-blk disk shows: its blk-test, and in a Realm its bounces */
        static const char *const realm_virtio[] = { "host_read_bounce_slot", "host_saw_bounced_payload" };
        static const char *const normal_only[] = { "host_read_guest_private", "host_wrote_guest_private" };
        rk_report_check(k, "mmio", false);
        if (virtio_blk) {
                rk_report_check(k, "blk_verified", false);
                rk_report_check(k, rk_is_realm(k) ? "bounced" : "no_bounces", false);
        }
        for (size_t i = 0; rk_is_realm(k) && i < ARRAY_SIZE(realm_only); i++)
                rk_report_check(k, realm_only[i], false);
        for (size_t i = 0; rk_is_realm(k) && virtio_blk && i < ARRAY_SIZE(realm_virtio); i++)
                rk_report_check(k, realm_virtio[i], false);
        for (size_t i = 0; !rk_is_realm(k) && i < ARRAY_SIZE(normal_only); i++)
                rk_report_check(k, normal_only[i], false);
}

/* A Realm bounces every DMA mapping through SWIOTLB; a normal VM bounces nothing. */
static void demo_bounces(struct realm_kernel *k)
{
        struct swiotlb_stats st = { 0 };
        if (rk_default_swiotlb(k))
                swiotlb_get_stats(rk_default_swiotlb(k), &st);
        if (rk_is_realm(k))
                rk_report_check(k, "bounced", st.bounces > 0);
        else
                rk_report_check(k, "no_bounces", st.bounces == 0);
}

/* "ccada.seed=N" on the command line; 0 when absent or malformed (with a warning). */
static uint64_t cmdline_seed(struct realm_kernel *k)
{
        enum ccada_number_error why;
        uint64_t seed = 0;

        if (cmdline_u64(rk_cmdline(k), "ccada.seed", &seed, &why) && why != CCADA_NUMBER_OK)
                rk_printk(k, "demo: malformed ccada.seed (%s): using 0", ccada_number_error_text(why));
        return seed;
}

/* The accepted device at work: its MMIO validated, the TDI started and given DMA, then the
 * same blk-test as on virtio-blk, on the device's block function, every byte DMA'd by the
 * device straight to or from private pages: the SWIOTLB pool must not move (0 bounces). */
static void demo_tdi_blk(struct realm_kernel *k, struct ccada_report_section *s, const struct rsi_vdev_info *info,
                         const struct tdi_mmio_range *range)
{
        struct rk_tdi tdi;
        struct swiotlb_stats before = { 0 }, after = { 0 };
        struct blk_test_result res = { 0 };
        struct blk_test_config cfg = { .seed = cmdline_seed(k) };
        struct tdi_blk *b = NULL;
        struct dma_dev dev;
        ccada_status st = rk_tdi_start(k, 1, info, range, &tdi);
        ccada_report_bool(s, "mmio_validated", tdi.validated);
        ccada_report_u64(s, "mmio_pa", tdi.mmio_pa);
        ccada_report_u64(s, "mmio_ipa", tdi.mmio_ipa);
        ccada_report_u64(s, "mmio_size", tdi.mmio_size);
        ccada_report_bool(s, "started", tdi.started);
        ccada_report_bool(s, "dma_enabled", tdi.dma);
        /* A device that does not start, or breaks, is not the demo's failure: the Realm stops
         * using it, says why, and the board judges whether that was the expected end. */
        ccada_report_text(s, "start_error", st == CCADA_OK ? "" : ccada_status_name(st));
        if (st != CCADA_OK) {
                rk_printk(k, "tdisp: the device did not start: %s: the Realm does not use it",
                          ccada_status_text(st));
                return;
        }
        ccada_report_text(s, "state", "STARTED");
        rk_printk(k, "tdisp: MMIO 0x%llx..0x%llx validated at IPA 0x%llx (RIPAS DEV), START_INTERFACE done, "
                     "DMA enabled (RSI_VDEV_DMA_ENABLE)",
                  (unsigned long long)tdi.mmio_pa, (unsigned long long)(tdi.mmio_pa + tdi.mmio_size),
                  (unsigned long long)tdi.mmio_ipa);
        /* an accepted TDI is not forced through SWIOTLB: its mappings are the IPAs themselves */
        dma_dev_init(&dev, k, "0000:00:03.0", "tdi-blk", NULL);
        dev.force_bounce = false;
        if (rk_default_swiotlb(k))
                swiotlb_get_stats(rk_default_swiotlb(k), &before);
        if ((st = tdi_blk_probe(k, tdi.mmio_ipa, tdi.mmio_size, &dev, &b)) == CCADA_OK) {
                st = blk_test_run_tdi(k, b, &cfg, &res);
                tdi_blk_remove(b);
        }
        if (rk_default_swiotlb(k))
                swiotlb_get_stats(rk_default_swiotlb(k), &after);
        uint64_t bounces = after.bounces - before.bounces;
        bool verified = st == CCADA_OK && res.verified;
        ccada_report_u64(s, "bytes_dma", res.bytes_written + res.bytes_read);
        ccada_report_u64(s, "bounces", bounces);
        ccada_report_bool(s, "blk_verified", verified);
        ccada_report_text(s, "blk_error", st == CCADA_OK ? "" : ccada_status_name(st));
        /* The Realm's own checks hold whatever the device or the link did: nothing bounced, and
         * no data came back other than what it wrote (a broken device is an error, never a
         * silent difference). That the test completed is the board's check. */
        rk_report_check(k, "tdisp_no_bounces", bounces == 0);
        rk_report_check(k, "tdisp_no_wrong_data", st != CCADA_E_VERIFY);
        rk_printk(k, "tdisp: blk-test on the device: %llu bytes DMA'd to and from private memory, %llu bounced: %s",
                  (unsigned long long)(res.bytes_written + res.bytes_read), (unsigned long long)bounces,
                  verified ? "verified" : "FAILED");
        if (st != CCADA_OK)
                rk_printk(k, "tdisp: blk-test on the device stopped: %s: the Realm stops using it",
                          ccada_status_text(st));
}

/* An assigned device, as the Realm's TDISP driver first meets it: what the RMM says of it
 * (RSI_VDEV_GET_INFO: the host answers the RMM's exit with RMI_VDEV_COMPLETE) and the host's
 * copies of its objects, each checked against the RMM's digest. No device: nothing to do. */
static void demo_tdisp(struct realm_kernel *k)
{
        static const char *const states[] = { "UNLOCKED", "LOCKED", "STARTED", "ERROR" };
        struct tdi_judgement j;
        ccada_status st = tdi_judge(k, 1, &j);
        if (st == CCADA_E_UNSUPPORTED)
                return;
        struct ccada_report_section *s = rk_report_section(k, "tdisp");
        if (st != CCADA_OK && st != CCADA_E_VERIFY)
                return fail(k, "device evidence", st);
        const struct rk_vdev_evidence *ev = &j.ev;
        const char *state = ev->info.state < 4 ? states[ev->info.state] : "?";
        rk_printk(k, "tdisp: vdev 1 is %s (RSI_VDEV_GET_INFO): TDISP %llu.%llu, lock nonce %llu, measurement nonce "
                     "%llu, report nonce %llu",
                  state, (unsigned long long)(ev->info.format_version >> 16),
                  (unsigned long long)(ev->info.format_version & 0xFFFF), (unsigned long long)ev->info.lock_nonce,
                  (unsigned long long)ev->info.meas_nonce, (unsigned long long)ev->info.report_nonce);
        rk_printk(k, "tdisp: the host's copies: VCA %zu bytes, certificate chain %zu, measurements %zu, interface "
                     "report %zu: %s",
                  ev->len[RK_DEV_VCA], ev->len[RK_DEV_CERT], ev->len[RK_DEV_MEAS], ev->len[RK_DEV_REPORT],
                  ev->bad < 0 ? "each digest matches the RMM's" : "one does not match the RMM's digest");
        ccada_report_text(s, "vdev_state", state);
        ccada_report_u64(s, "lock_nonce", ev->info.lock_nonce);
        ccada_report_u64(s, "meas_nonce", ev->info.meas_nonce);
        ccada_report_u64(s, "report_nonce", ev->info.report_nonce);
        ccada_report_u64(s, "vca_bytes", ev->len[RK_DEV_VCA]);
        ccada_report_u64(s, "cert_bytes", ev->len[RK_DEV_CERT]);
        ccada_report_u64(s, "meas_bytes", ev->len[RK_DEV_MEAS]);
        ccada_report_u64(s, "report_bytes", ev->len[RK_DEV_REPORT]);
        ccada_report_text(s, "digest_mismatch", ev->bad < 0 ? "" : rk_dev_obj_name(ev->bad));
        /* what the evidence says (a copy whose digest differs is refused there too, by name):
         * the chain against the owner's root, the measurements and the report against the
         * owner's policy */
        if (j.judged) {
                enum tdisp_verdict v = j.verdict;
                if (!j.policy_ok)
                        rk_printk(k, "tdisp: the device policy does not parse: %s", j.why);
                if (v == TDISP_VERDICT_ACCEPT)
                        rk_printk(k, "tdisp: verified: %s, chain to the owner's root, firmware as the policy says, "
                                     "debug off, %u MMIO range%s: the Realm accepts it",
                                  j.res.leaf_subject, (unsigned)j.res.range_count, j.res.range_count == 1 ? "" : "s");
                else if (j.policy_ok)
                        rk_printk(k, "tdisp: refused (%s): %s", tdisp_verdict_name(v), j.why);
                ccada_report_text(s, "verdict", tdisp_verdict_name(v));
                ccada_report_text(s, "verdict_why", v == TDISP_VERDICT_ACCEPT ? "" : j.why);
                ccada_report_bool(s, "verified", v == TDISP_VERDICT_ACCEPT);
                ccada_report_text(s, "policy", "the owner's: firmware digest, debug off");
                if (v == TDISP_VERDICT_ACCEPT && j.res.range_count)
                        demo_tdi_blk(k, s, &ev->info, &j.res.ranges[0]);
        }
        tdi_judge_free(k, &j);
}

/* A Realm: share and protect, measure, the paravirtualized disk when there is one, then the
 * assigned device. */
static void demo_realm(struct realm_kernel *k, struct pci_root *root, bool virtio_blk)
{
        uint64_t priv, shared;
        ccada_status st;
        bool mmio;

        if ((st = rk_alloc_pages(k, 1, &priv)) != CCADA_OK || (st = rk_alloc_pages(k, 1, &shared)) != CCADA_OK)
                return fail(k, "page allocation", st);
        if ((st = rk_write(k, priv, private_secret, sizeof(private_secret))) != CCADA_OK)
                return fail(k, "private write", st);
        if ((st = rk_set_memory_decrypted(k, shared, 1)) != CCADA_OK)
                return fail(k, "set_memory_decrypted", st);
        if ((st = rk_shared_write(k, shared | rk_shared_bit(k), shared_msg, sizeof(shared_msg))) != CCADA_OK)
                return fail(k, "shared write", st);
        rk_printk(k, "demo: shared page 0x%llx (alias 0x%llx), private page 0x%llx",
                  (unsigned long long)shared, (unsigned long long)(shared | rk_shared_bit(k)),
                  (unsigned long long)priv);
        demo_peek(k, shared, priv);
        rk_report_check(k, "mmio", mmio = demo_mmio(k, rk_console_base(k)));
        rk_printk(k, "demo: PL011 identified over MMIO: %s", mmio ? "yes" : "no");
        demo_measure(k);
        if (virtio_blk) {
                /* the paravirtualized path: every DMA mapping bounced through shared memory */
                demo_blk(k, root, cmdline_seed(k));
                demo_bounces(k);
                demo_bounce_peek(k, priv);
        }
        demo_tdisp(k);
        st = rk_set_memory_encrypted(k, shared, 1);
        rk_report_check(k, "unshared", st == CCADA_OK);
        if (st != CCADA_OK)
                return fail(k, "set_memory_encrypted", st);
        rk_free_pages(k, shared, 1);
        rk_free_pages(k, priv, 1);
}

void realm_demo_init(struct realm_kernel *k)
{
        rk_set_current(k, "ccada-demo", 101);
        struct pci_root *root = rk_zalloc(k, 1, sizeof(*root));
        if (!root)
                return fail(k, "pci root", CCADA_E_NOMEM);
        bool virtio_blk = has_virtio_blk(k, root);
        demo_expect(k, virtio_blk);
        if (rk_is_realm(k)) {
                demo_realm(k, root, virtio_blk);
        } else {
                /* A normal VM has no RMM: nothing to share, measure or protect. */
                bool mmio = demo_mmio(k, rk_console_base(k));
                rk_report_check(k, "mmio", mmio);
                rk_printk(k, "demo: normal VM (no RSI): PL011 identified over MMIO: %s", mmio ? "yes" : "no");
                demo_peek_normal(k);
                if (virtio_blk) {
                        demo_blk(k, root, cmdline_seed(k));
                        demo_bounces(k);
                }
        }
        rk_kfree(k, root);
}
