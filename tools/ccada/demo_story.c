/* ccada demo's report as a person reads it (the values come from the generic report,
 * docs/report.md). A check the run never reached is "not run": the boot failed before the
 * demo could make it, so it was neither blocked nor not blocked. */
#include <string.h>

#include "ccada/report.h"
#include "cli.h"

#define NOT_RUN "not run (boot failed)"

static uint64_t u64_of(const struct ccada_report *r, const char *sec, const char *key)
{
        struct ccada_report_value v;
        return ccada_report_get(r, sec, key, &v) && v.type == CCADA_REPORT_U64 ? v.u : 0;
}

static bool bool_of(const struct ccada_report *r, const char *sec, const char *key)
{
        struct ccada_report_value v;
        return ccada_report_get(r, sec, key, &v) && v.type == CCADA_REPORT_BOOL && v.b;
}

static const char *text_of(const struct ccada_report *r, const char *sec, const char *key)
{
        struct ccada_report_value v;
        return ccada_report_get(r, sec, key, &v) && v.type != CCADA_REPORT_BOOL && v.type != CCADA_REPORT_U64
                       ? v.text : "";
}

static bool booted(const struct ccada_report *r) { return bool_of(r, "checks", "booted"); }

static bool has(const struct ccada_report *r, const char *sec, const char *key)
{
        struct ccada_report_value v;
        return ccada_report_get(r, sec, key, &v);
}

/* Whether the story has a paravirtualized disk to tell: not on a board whose only disk is the
 * assigned device (--device tdisp: the Realm reports the device and no "blk" section). */
static bool virtio_disk(const struct ccada_report *r)
{
        return has(r, "blk", "present") || !has(r, "tdisp", "verified");
}

/* A check's outcome in words: yes or no, or NOT_RUN after a failed boot. */
static const char *check_text(const struct ccada_report *r, const char *name, const char *yes, const char *no)
{
        if (!booted(r))
                return NOT_RUN;
        return bool_of(r, "checks", name) ? yes : no;
}

/* The RIM as the Realm reported it; without it (the boot failed before the Realm read its
 * measurements) it says so rather than printing nothing. */
static const char *rim_text(const struct ccada_report *r, const char *key)
{
        const char *t = text_of(r, "", key);
        return t[0] ? t : "not reported (the boot failed before the Realm read it)";
}

static int hex_digit(char c)
{
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Bytes given as hex (a report's hex value), as hexdump -C shows them: offset, 16 bytes in
 * hex (a gap after 8), the same as printable ASCII ('.' for the rest). */
static void print_hexdump(FILE *f, const char *hex)
{
        size_t n = strlen(hex) / 2;
        for (size_t line = 0; line < n; line += 16) {
                char ascii[17] = "";
                fprintf(f, "      %04zx ", line);
                for (size_t i = line; i < line + 16; i++) {
                        int hi = i < n ? hex_digit(hex[2 * i]) : -1, lo = i < n ? hex_digit(hex[2 * i + 1]) : -1;
                        fputs(i % 8 ? "" : " ", f);
                        if (hi < 0 || lo < 0) {
                                fputs("   ", f);
                                continue;
                        }
                        int b = hi << 4 | lo;
                        fprintf(f, "%02x ", (unsigned)b);
                        ascii[i - line] = b >= 0x20 && b < 0x7f ? (char)b : '.';
                }
                fprintf(f, " |%s|\n", ascii);
        }
}

/* What the host read of a page or slot (section host_view, keys <what>_hex), under title. */
static void print_host_view(FILE *f, const struct ccada_report *r, const char *what, const char *title)
{
        char key[48];
        snprintf(key, sizeof(key), "%s_hex", what);
        const char *hex = text_of(r, "host_view", key);
        if (!hex[0])
                return;
        fprintf(f, "    %s:\n", title);
        print_hexdump(f, hex);
}

/* The guest's command line; in a Realm it is measured with the boot image, and the story
 * says what else changes the RIM. */
static void print_cmdline(FILE *f, const struct ccada_report *r, bool realm)
{
        if (!text_of(r, "", "cmdline")[0])
                return;
        fprintf(f, "  %scommand line \"%s\"\n", realm ? "measured " : "", text_of(r, "", "cmdline"));
        if (realm)
                fprintf(f, "  (the RIM changes with --ram, --ipa-bits, --hash, --seed, --swiotlb, --swiotlb-grow,\n"
                           "   --swiotlb-backpressure, --swiotlb-alloc and the workload: docs/learning-path.md)\n");
}

static void print_isolation(FILE *f, const struct ccada_report *r)
{
        unsigned ipa_bits = (unsigned)u64_of(r, "", "ipa_bits");
        fprintf(f, "\nRealm Initial Measurement (%s): %s\n", text_of(r, "", "hash_algo"), rim_text(r, "rim"));
        print_cmdline(f, r, true);
        fprintf(f, "REM[1] after extend:               %s\n\n", booted(r) ? text_of(r, "", "rem1") : NOT_RUN);
        if (booted(r))
                fprintf(f, "  boot              ok (IPA width %u, shared bit %u)\n", ipa_bits, ipa_bits ? ipa_bits - 1 : 0);
        else
                fprintf(f, "  boot              FAILED%s%s\n", text_of(r, "", "error")[0] ? ": " : "",
                        text_of(r, "", "error"));
        fprintf(f, "  shared pages      %llu (RIPAS changes: %llu)\n", (unsigned long long)u64_of(r, "", "shared_pages"),
                (unsigned long long)u64_of(r, "", "ripas_changes"));
        fprintf(f, "  host reads shared page         %s\n", check_text(r, "host_read_shared", "yes", "NO"));
        print_host_view(f, r, "shared_page", "what the host read there");
        fprintf(f, "  host reads private page        %s\n",
                check_text(r, "host_read_private_faulted", "granule protection fault", "NOT BLOCKED"));
        fprintf(f, "  host writes private page       %s\n",
                check_text(r, "host_write_private_faulted", "granule protection fault", "NOT BLOCKED"));
        fprintf(f, "  Realm data unchanged           %s\n", check_text(r, "private_intact", "yes", "NO"));
        fprintf(f, "  REM extend                     %s\n", check_text(r, "rem_extended", "ok", "FAILED"));
        if (!booted(r)) {
                fprintf(f, "  host reads a bounce slot       %s\n", NOT_RUN);
                return;
        }
        if (!virtio_disk(r))
                return; /* nothing mapped for a paravirtualized device: nothing bounced */
        fprintf(f, "  host reads a bounce slot       %s (shared: what was bounced is not confidential)\n",
                bool_of(r, "", "host_read_bounce_slot") ? "yes" : "no");
        char title[128];
        snprintf(title, sizeof(title), "what the host read in bounce slot 0x%llx (a private buffer mapped for a "
                 "device; the Realm's payload: %s)", (unsigned long long)u64_of(r, "host_view", "bounce_slot_dma_addr"),
                 bool_of(r, "host_view", "bounce_is_payload") ? "yes" : "NO");
        print_host_view(f, r, "bounce_slot", title);
}

/* A normal VM: the host reads and writes the guest's private page; nothing stops it. */
static void print_normal_vm(FILE *f, const struct ccada_report *r)
{
        fprintf(f, "\nnormal VM (no RMM, no isolation): boot %s\n", booted(r) ? "ok" : "FAILED");
        print_cmdline(f, r, false);
        fprintf(f, "  host reads private page        %s\n",
                check_text(r, "host_read_guest_private", "yes: the guest's data, in clear", "NO"));
        print_host_view(f, r, "private_page", "what the host read there");
        fprintf(f, "  host writes private page       %s\n",
                check_text(r, "host_wrote_guest_private", "yes: the guest's data changed", "NO"));
}

/* Bounced bytes vs I/O bytes, with the run's numbers: a write is copied into a slot once;
 * a read twice (into the slot at map time, Linux's fix for CVE-2022-0854, and back at unmap). */
static void print_bounced_vs_io(FILE *f, const struct ccada_report *r)
{
        uint64_t w = u64_of(r, "blk", "bytes_written"), rd = u64_of(r, "blk", "bytes_read");
        uint64_t b = u64_of(r, "swiotlb", "bounced_bytes");
        fprintf(f, "  bounced vs I/O    blk-test moved %llu bytes (%llu written, %llu read); SWIOTLB copied %llu",
                (unsigned long long)(w + rd), (unsigned long long)w, (unsigned long long)rd, (unsigned long long)b);
        if (!b) {
                fprintf(f, ":\n                    no bounces, the device reached the guest's memory directly\n");
                return;
        }
        if (b < w + 2 * rd) {
                fprintf(f, "\n");
                return;
        }
        fprintf(f, ":\n"
                   "                    %llu for the writes (each copied into a slot once),\n"
                   "                    %llu for the reads (each copied twice: into the slot when mapped, as Linux\n"
                   "                    does since CVE-2022-0854, and back when unmapped),\n"
                   "                    %llu for request headers, status bytes, the device ID and the demo's payload\n",
                (unsigned long long)w, (unsigned long long)(2 * rd), (unsigned long long)(b - w - 2 * rd));
}

/* The MMIO exits by device (sections mmio/<region>): the console, and virtio on PCI. */
static void print_mmio_split(FILE *f, const struct ccada_report *r)
{
        uint64_t con_r = u64_of(r, "mmio/pl011", "reads"), con_w = u64_of(r, "mmio/pl011", "writes");
        uint64_t cfg = u64_of(r, "mmio/pci-ecam", "reads") + u64_of(r, "mmio/pci-ecam", "writes");
        uint64_t bar = u64_of(r, "mmio/pci-mmio", "reads") + u64_of(r, "mmio/pci-mmio", "writes");
        fprintf(f, "  MMIO exits        %llu: console (PL011) %llu (%llu reads, %llu writes: a write per character\n"
                   "                    printed); virtio on PCI %llu (config space %llu, device registers %llu)\n",
                (unsigned long long)(con_r + con_w + cfg + bar), (unsigned long long)(con_r + con_w),
                (unsigned long long)con_r, (unsigned long long)con_w, (unsigned long long)(cfg + bar),
                (unsigned long long)cfg, (unsigned long long)bar);
}

/* Requests in flight and what a busy pool did to them: queue depth, the most in flight,
 * "swiotlb buffer is full" events, pools added, back-pressure waits, requeues. */
static void print_queue(FILE *f, const struct ccada_report *r)
{
        if (!bool_of(r, "blk", "present"))
                return;
        uint64_t pools = u64_of(r, "swiotlb", "pools");
        fprintf(f, "  in flight         queue depth %llu, at most %llu requests at once\n",
                (unsigned long long)u64_of(r, "blk", "queue_depth"), (unsigned long long)u64_of(r, "blk", "max_in_flight"));
        if (!pools)
                return; /* a normal VM: nothing bounced, no pool to run out of */
        fprintf(f, "  pool pressure     \"swiotlb buffer is full\" %llu times, %llu pool%s (%llu added), %llu "
                "back-pressure waits,\n                    %llu requests requeued until a completion freed slots\n",
                (unsigned long long)u64_of(r, "swiotlb", "full"), (unsigned long long)pools, pools == 1 ? "" : "s",
                (unsigned long long)(pools - 1), (unsigned long long)u64_of(r, "swiotlb", "bp_waits"),
                (unsigned long long)u64_of(r, "blk", "requeues"));
}

static void print_swiotlb(FILE *f, const struct ccada_report *r)
{
        uint64_t nslabs = u64_of(r, "swiotlb", "nslabs");
        if (!booted(r)) {
                fprintf(f, "  SWIOTLB           %s\n  virtio-blk        %s\n", NOT_RUN, NOT_RUN);
                return;
        }
        fprintf(f, "  SWIOTLB           nslabs %llu (%llu KiB), used %llu, used_hiwater %llu, bounces %llu, bounced %llu "
                "bytes\n", (unsigned long long)nslabs, (unsigned long long)nslabs * 2,
                (unsigned long long)u64_of(r, "swiotlb", "used"), (unsigned long long)u64_of(r, "swiotlb", "used_hiwater"),
                (unsigned long long)u64_of(r, "swiotlb", "bounces"),
                (unsigned long long)u64_of(r, "swiotlb", "bounced_bytes"));
        if (!virtio_disk(r)) {
                fprintf(f, "  virtio-blk        none: the board's disk is the assigned device (below)\n");
                return;
        }
        fprintf(f, "  virtio-blk        %s: wrote %llu bytes, read %llu bytes back, %s\n",
                bool_of(r, "blk", "present") ? "0000:00:00.0" : "absent",
                (unsigned long long)u64_of(r, "blk", "bytes_written"), (unsigned long long)u64_of(r, "blk", "bytes_read"),
                bool_of(r, "blk", "verified") ? "verified" : "NOT VERIFIED");
        print_queue(f, r);
        print_bounced_vs_io(f, r);
}

/* The device attestation at boot (section "device"): what the RMM verified, or which of
 * the host's tampering it caught. */
static void print_device(FILE *f, const struct ccada_report *r)
{
        if (!bool_of(r, "device", "ran"))
                return;
        const char *attack = text_of(r, "device", "attack");
        fprintf(f, "  device            %s ccada-dev, attested by the RMM over SPDM (DOE, the host relaying)\n",
                text_of(r, "device", "bdf"));
        bool on_the_device = has(r, "device", "attack_caught"); /* the link's or a locked TDI's */
        if (attack[0] && !on_the_device && !text_of(r, "device", "error")[0] &&
            text_of(r, "device", "realm_verdict")[0]) {
                /* an attack on what the host cached for the Realm: the Realm's check answers */
                fprintf(f, "    attack          %s: the host %s\n", attack, text_of(r, "device", "attack_what"));
                fprintf(f, "    caught          by the Realm: %s: %s\n", text_of(r, "device", "realm_verdict"),
                        text_of(r, "tdisp", "verdict_why"));
                fprintf(f, "    outcome         %s\n",
                        bool_of(r, "checks", "attack_detected")
                                ? "the Realm refuses the device: it is never started, it never reaches Realm memory"
                                : "NOT CAUGHT as expected");
                return;
        }
        if (attack[0] && !on_the_device) {
                fprintf(f, "    attack          %s: the host %s\n", attack, text_of(r, "device", "attack_what"));
                fprintf(f, "    caught          %s: %s\n", text_of(r, "device", "error")[0] ? text_of(r, "device", "error")
                                                                                    : "NOTHING",
                        text_of(r, "device", "why"));
                fprintf(f, "    outcome         %s\n",
                        bool_of(r, "checks", "attack_detected")
                                ? "no session; nothing the host changed was accepted"
                                : "NOT CAUGHT as expected");
                return;
        }
        if (text_of(r, "device", "error")[0]) {
                fprintf(f, "    FAILED          %s: %s\n", text_of(r, "device", "error"), text_of(r, "device", "why"));
                return;
        }
        fprintf(f, "    negotiated      SPDM %s, %s\n", text_of(r, "device", "spdm_version"),
                text_of(r, "device", "algorithms"));
        fprintf(f, "    certificates    %s -> %s (%llu certificates, %llu bytes), checked against the RMM's anchor\n",
                text_of(r, "device", "root_subject"), text_of(r, "device", "leaf_subject"),
                (unsigned long long)u64_of(r, "device", "certificates"),
                (unsigned long long)u64_of(r, "device", "chain_bytes"));
        for (size_t sec = 0; sec < ccada_report_nsections(r); sec++) {
                const char *key;
                struct ccada_report_value v;
                if (strcmp(ccada_report_section_name(r, sec), "device"))
                        continue;
                for (size_t i = 0; ccada_report_item(r, sec, i, &key, &v); i++)
                        if (!strncmp(key, "measurement_", 12))
                                fprintf(f, "    measurement %-3s %s\n", key + 12, v.text);
        }
        fprintf(f, "    session         %s established (handshake %s), heartbeat %s\n",
                text_of(r, "device", "session_id"),
                bool_of(r, "device", "handshake_in_the_clear") ? "in the clear" : "secured",
                bool_of(r, "device", "heartbeat") ? "answered" : "NOT ANSWERED");
        fprintf(f, "    host saw        %llu DOE objects (%llu bytes to the device, %llu back), no key\n",
                (unsigned long long)u64_of(r, "device", "doe_objects"),
                (unsigned long long)u64_of(r, "device", "doe_bytes_to_device"),
                (unsigned long long)u64_of(r, "device", "doe_bytes_from_device"));
        fprintf(f, "    RMI PDEV        %s after %llu RMI_PDEV_COMMUNICATE; the host cached VCA %llu bytes,\n"
                   "                    certificates %llu bytes, measurements %llu bytes (a Realm checks them\n"
                   "                    against the RMM's digests)\n",
                text_of(r, "device", "pdev_state"), (unsigned long long)u64_of(r, "device", "pdev_communicates"),
                (unsigned long long)u64_of(r, "device", "cached_vca_bytes"),
                (unsigned long long)u64_of(r, "device", "cached_cert_bytes"),
                (unsigned long long)u64_of(r, "device", "cached_meas_bytes"));
        if (!text_of(r, "device", "vdev_state")[0] && !text_of(r, "device", "assign_why")[0])
                return;
        if (text_of(r, "device", "assign_why")[0]) {
                fprintf(f, "    assignment      FAILED: %s\n", text_of(r, "device", "assign_why"));
                return;
        }
        fprintf(f, "    DMA probe       before acceptance the device read the Realm's private memory: the SMMU\n"
                   "                    said %s (its stream has no entry), completion %s, nothing read\n",
                text_of(r, "device", "dma_before_accept_smmu")[0] ? text_of(r, "device", "dma_before_accept_smmu")
                                                                 : "NOTHING",
                text_of(r, "device", "dma_before_accept"));
        fprintf(f, "    IDE stream      %s: keys from the RMM through IDE_KM (device) and the platform (Root Port);\n"
                   "                    stream %llu, %llu TLPs on the link so far (%llu sealed), %llu MAC failures\n",
                bool_of(r, "device", "ide_stream_secure") ? "Secure at both ends" : "NOT Secure",
                (unsigned long long)u64_of(r, "ide", "stream"), (unsigned long long)u64_of(r, "ide", "tlps"),
                (unsigned long long)u64_of(r, "ide", "tlps_sealed"),
                (unsigned long long)u64_of(r, "ide", "mac_failures"));
        fprintf(f, "    TDI             VDEV %s, the device's TDI %s, interface report %llu bytes cached by the host\n",
                text_of(r, "device", "vdev_state"), text_of(r, "device", "tdi_state"),
                (unsigned long long)u64_of(r, "device", "interface_report_bytes"));
        char expect[64];
        snprintf(expect, sizeof(expect), bool_of(r, "device", "owner_policy") ? "under --device-policy" : "expected %s",
                 text_of(r, "device", "realm_verdict_expected"));
        fprintf(f, "    Realm verdict   %s (%s): RSI_VDEV_GET_INFO's digests, the host's copies, the\n"
                   "                    chain to the owner's root, the owner's firmware and debug policy\n",
                text_of(r, "device", "realm_verdict")[0] ? text_of(r, "device", "realm_verdict") : "NONE", expect);
        if (!bool_of(r, "tdisp", "verified"))
                return; /* refused: the device stays locked, never started, its DMA never enabled */
        fprintf(f, "    MMIO            BAR0 0x%llx..0x%llx mapped by the host at IPA 0x%llx (RMI_RTT_DEV_MAP),\n"
                   "                    %s by the Realm (RSI_VDEV_VALIDATE_MAPPING with its nonces: RIPAS DEV)\n",
                (unsigned long long)u64_of(r, "tdisp", "mmio_pa"),
                (unsigned long long)(u64_of(r, "tdisp", "mmio_pa") + u64_of(r, "tdisp", "mmio_size")),
                (unsigned long long)u64_of(r, "tdisp", "mmio_ipa"),
                bool_of(r, "tdisp", "mmio_validated") ? "validated" : "NOT validated");
        char refused[300];
        snprintf(refused, sizeof(refused), "NOT started: %s",
                 text_of(r, "device", "start_why")[0] ? text_of(r, "device", "start_why") : text_of(r, "tdisp", "start_error"));
        fprintf(f, "    START           %s;\n"
                   "                    DMA %s (RSI_VDEV_DMA_ENABLE: the SMMU walks the Realm's stage 2 for the TDI)\n",
                bool_of(r, "tdisp", "started") ? "the host ran RMI_VDEV_START (TDISP START_INTERFACE), the RMM says STARTED"
                                               : refused,
                bool_of(r, "tdisp", "dma_enabled") ? "enabled" : "NOT enabled");
        if (!bool_of(r, "tdisp", "started"))
                return; /* never started: no blk-test on it */
        fprintf(f, "    blk-test        %llu bytes DMA'd by the device to and from private memory, %s,\n"
                   "                    %llu bounced%s\n",
                (unsigned long long)u64_of(r, "tdisp", "bytes_dma"),
                bool_of(r, "tdisp", "blk_verified") ? "verified" : "NOT verified",
                (unsigned long long)u64_of(r, "tdisp", "bounces"),
                virtio_disk(r) ? " (virtio-blk's same test above: every byte through SWIOTLB)" : "");
}

/* An attack on the device itself (the link's interposer, the host writing a locked TDI): told
 * after what the device did, since it struck while the device worked. */
static void print_device_attack(FILE *f, const struct ccada_report *r)
{
        if (!has(r, "device", "attack_caught"))
                return;
        fprintf(f, "    attack          %s: %s\n", text_of(r, "device", "attack"), text_of(r, "device", "attack_what"));
        fprintf(f, "    caught          %s: %s\n", text_of(r, "device", "attack_expect"),
                text_of(r, "device", "attack_caught"));
        fprintf(f, "    outcome         %s\n",
                bool_of(r, "checks", "attack_detected") ? "detected and contained" : "NOT CAUGHT as expected");
}

static void print_exits(FILE *f, const struct ccada_report *r, bool normal)
{
        fprintf(f, "  %s exits         ", normal ? "VM " : "REC");
        for (size_t sec = 0; sec < ccada_report_nsections(r); sec++) {
                const char *key;
                struct ccada_report_value v;
                if (strcmp(ccada_report_section_name(r, sec), "exits"))
                        continue;
                for (size_t i = 0; ccada_report_item(r, sec, i, &key, &v); i++)
                        if (v.u)
                                fprintf(f, " %s=%llu", key, (unsigned long long)v.u);
        }
        fprintf(f, "\n");
}

/* Sections the story above does not tell (a feature's new section) are shown as they are,
 * so that adding one needs no change here. */
static void print_other_sections(FILE *f, const struct ccada_report *r)
{
        static const char *const told[] = { "", "exits", "mmio", "swiotlb", "blk", "checks", "host_view",
                                            "mmio/pl011", "mmio/pci-ecam", "mmio/pci-mmio", "device",
                                            "tdisp", "ide" };
        for (size_t sec = 0; sec < ccada_report_nsections(r); sec++) {
                const char *name = ccada_report_section_name(r, sec), *key;
                struct ccada_report_value v;
                bool known = false;
                for (size_t i = 0; i < sizeof(told) / sizeof(told[0]); i++)
                        known |= !strcmp(name, told[i]);
                if (known)
                        continue;
                fprintf(f, "  %-17s", name);
                for (size_t i = 0; ccada_report_item(r, sec, i, &key, &v); i++) {
                        if (v.type == CCADA_REPORT_BOOL)
                                fprintf(f, " %s=%s", key, v.b ? "yes" : "no");
                        else if (v.type == CCADA_REPORT_U64)
                                fprintf(f, " %s=%llu", key, (unsigned long long)v.u);
                        else
                                fprintf(f, " %s=%s", key, v.text);
                }
                fprintf(f, "\n");
        }
}

void demo_print_story(FILE *f, const struct ccada_report *r)
{
        bool normal = !strcmp(text_of(r, "", "vm"), "normal");
        if (normal)
                print_normal_vm(f, r);
        else
                print_isolation(f, r);
        print_swiotlb(f, r);
        if (booted(r)) {
                fprintf(f, "  MMIO              %s (%llu reads, %llu writes)\n",
                        bool_of(r, "checks", "mmio") ? "PL011 identified" : "FAILED",
                        (unsigned long long)u64_of(r, "mmio", "reads"), (unsigned long long)u64_of(r, "mmio", "writes"));
                print_mmio_split(f, r);
        } else
                fprintf(f, "  MMIO              %s\n", NOT_RUN);
        print_exits(f, r, normal);
        print_device(f, r);
        print_device_attack(f, r);
        print_other_sections(f, r);
        fprintf(f, "  GPFs              %llu\n  RMI/RSI calls     %llu/%llu\n", (unsigned long long)u64_of(r, "", "gpf"),
                (unsigned long long)u64_of(r, "", "rmi_calls"), (unsigned long long)u64_of(r, "", "rsi_calls"));
        if (text_of(r, "", "error")[0])
                fprintf(f, "  error             %s\n", text_of(r, "", "error"));
        if (u64_of(r, "", "violations"))
                fprintf(f, "  RMM violations    %llu, the first: %s\n", (unsigned long long)u64_of(r, "", "violations"),
                        text_of(r, "", "first_violation"));
        fprintf(f, "\n%s\n", ccada_report_passed(r) ? "demo: all checks passed" : "demo: FAILED");
}
