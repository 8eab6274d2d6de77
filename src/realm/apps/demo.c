/* The foundation demo, run as the Realm's init: share a page, let the host try to look at
 * shared and private memory, talk to the UART over MMIO, extend a REM, unshare. */
#include <string.h>

#include <stdlib.h>

#include "ccada/report.h"
#include "ccada/rsi.h"
#include "proto/hostcall.h"
#include "realm/apps/blk_test.h"
#include "realm/apps/demo.h"
#include "realm/cmdline.h"
#include "realm/pci.h"
#include "realm/realm.h"
#include "realm/swiotlb.h"
#include "realm/virtio_blk.h"
#include "lib/container.h"

static const char private_secret[] = "realm private data: the host must never read this";
static const char shared_msg[] = "hello from the realm (shared page)";

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

static void demo_peek(struct realm_kernel *k, uint64_t shared, uint64_t priv)
{
        uint64_t g[31] = { shared | rk_shared_bit(k), priv, sizeof(shared_msg) };
        ccada_status st = rk_host_call(k, HOSTCALL_DEMO_PEEK, g);
        if (st != CCADA_OK)
                return fail(k, "host call", st);
        bool read_shared = g[0] == 1, read_faulted = g[1] == 1, write_faulted = g[2] == 1;
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
        rk_printk(k, "demo: private page intact: %s", intact ? "yes" : "NO");
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

/* After blk-test, the host looks at the first bounce slot (shared: it sees the last data
 * bounced through it) and at a private page (granule protection faults). */
static void demo_bounce_peek(struct realm_kernel *k, uint64_t priv)
{
        uint64_t start;
        unsigned long nslabs;
        unsigned nareas;
        if (!rk_default_swiotlb(k) || !swiotlb_pool_info(rk_default_swiotlb(k), 0, &start, &nslabs, &nareas))
                return;
        uint64_t g[31] = { start | rk_shared_bit(k), priv, 16 };
        if (rk_host_call(k, HOSTCALL_DEMO_PEEK, g) != CCADA_OK)
                return;
        bool read_bounce = g[0] == 1;
        ccada_report_bool(rk_report_section(k, ""), "host_read_bounce_slot", read_bounce);
        rk_report_check(k, "host_read_bounce_slot", read_bounce);
        rk_printk(k, "demo: host read bounce slot 0 (shared): %s, first bytes 0x%016llx; private page: %s",
                  read_bounce ? "yes" : "no", (unsigned long long)g[3],
                  g[1] == 1 ? "granule protection fault" : "NOT BLOCKED");
}

/* blk-test on the first virtio-blk device, through the DMA API (bounced in a Realm). */
static void demo_blk(struct realm_kernel *k, uint64_t seed)
{
        struct ccada_report_section *sec = rk_report_section(k, "blk");
        struct pci_root *root = rk_zalloc(k, 1, sizeof(*root));
        struct virtio_blk *b = NULL;
        struct blk_test_result res = { 0 };
        struct blk_test_config cfg = { .seed = seed };
        bool verified = false;
        if (!root)
                return fail(k, "blk: pci root", CCADA_E_NOMEM);
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
        rk_kfree(k, root);
        if (st != CCADA_OK && st != CCADA_E_UNSUPPORTED)
                fail(k, "blk-test", st);
}

/* The demo's checks, false until shown otherwise: a demo cut short does not pass. In a
 * normal VM only those that apply (no RMM: nothing to share, protect or measure). Its
 * values start as "nothing found" (zero measurements), so every key is always there. */
static void demo_expect(struct realm_kernel *k)
{
        static const uint8_t zero[RSI_MEASUREMENT_MAX];
        struct ccada_report_section *top = rk_report_section(k, "");
        ccada_report_hex(top, "rem1", zero, rk_hash_len(k));
        ccada_report_bool(top, "host_read_bounce_slot", false);
        static const char *const realm_only[] = {
                "host_read_shared", "host_read_private_faulted", "host_write_private_faulted", "private_intact",
                "rem_extended", "unshared", "host_read_bounce_slot",
        };
        rk_report_check(k, "mmio", false);
        rk_report_check(k, "blk_verified", false);
        rk_report_check(k, rk_is_realm(k) ? "bounced" : "no_bounces", false);
        for (size_t i = 0; rk_is_realm(k) && i < ARRAY_SIZE(realm_only); i++)
                rk_report_check(k, realm_only[i], false);
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

void realm_demo_init(struct realm_kernel *k)
{
        uint64_t priv, shared;
        ccada_status st;
        bool mmio;

        rk_set_current(k, "ccada-demo", 101);
        demo_expect(k);
        if (!rk_is_realm(k)) {
                /* A normal VM has no RMM: nothing to share, measure or protect. */
                rk_report_check(k, "mmio", mmio = demo_mmio(k, rk_console_base(k)));
                rk_printk(k, "demo: normal VM (no RSI): PL011 identified over MMIO: %s", mmio ? "yes" : "no");
                demo_blk(k, cmdline_seed(k));
                demo_bounces(k);
                return;
        }
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
        demo_blk(k, cmdline_seed(k));
        demo_bounces(k);
        demo_bounce_peek(k, priv);
        st = rk_set_memory_encrypted(k, shared, 1);
        rk_report_check(k, "unshared", st == CCADA_OK);
        if (st != CCADA_OK)
                return fail(k, "set_memory_encrypted", st);
        rk_free_pages(k, shared, 1);
        rk_free_pages(k, priv, 1);
}
