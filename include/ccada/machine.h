/* Build and run a ccada machine: hardware, RMM, host VMM, Realm guest, devices.
 * The machine is single-threaded and deterministic: the same config (and seed) gives the
 * same output. */
#ifndef CCADA_MACHINE_H
#define CCADA_MACHINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ccada/status.h"

struct ccada_machine;

/* What the guest runs after boot. */
/* The workloads a board runs (src/machine/workloads.c), by name: "demo" (the default),
 * "bench-swiotlb", "bench-blk". */
#define CCADA_WORKLOAD_DEFAULT "demo"
size_t ccada_workload_count(void);
const char *ccada_workload_name(size_t i);    /* NULL past the end */
const char *ccada_workload_summary(size_t i); /* one line for --help */

/* A device on a Realm's PCI bus, built through the board's device table
 * (src/machine/devices.c: type -> constructor). opts: "key=value" or "flag" items, comma-
 * separated, as the type defines them (NULL: its defaults). */
#define CCADA_MAX_DEVICES 4
struct ccada_device_cfg {
        const char *type;       /* a name of ccada_device_type_name */
        const char *opts;
};
size_t ccada_device_type_count(void);
const char *ccada_device_type_name(size_t i);    /* NULL past the end */
const char *ccada_device_type_summary(size_t i); /* one line for --help, with its options */
/* Checks a device's type and options before a machine is built. False, with the reason in
 * err (truncated to errlen), when the type is unknown or an option is malformed. */
bool ccada_device_check(const struct ccada_device_cfg *d, char *err, size_t errlen);

/* Where a disk of Realm A keeps its data, so that a tool can check it before the machine is
 * built (the machine applies the same rules when it opens the disk). */
struct ccada_disk_image {
        bool ram;               /* host RAM (path unused) */
        char path[4096];        /* the image file; "": a temporary image in $TMPDIR (or /tmp) */
        bool own_file;          /* path is the device's own (file=), not the machine's disk_path */
        bool writable;          /* the Realm's writes reach an image that holds data; else such
                                 * an image is opened read-only and written through a copy-on-
                                 * write overlay in host RAM (a missing or empty file is created
                                 * at size and written either way) */
        uint64_t size;          /* bytes of a RAM disk, a created image or a temporary one */
};
struct ccada_machine_config;
/* The disk of device d (its index in cfg->devices) as the machine would open it for Realm A.
 * False when d is past the list, its type has no disk, or its options are malformed. */
bool ccada_device_image(const struct ccada_machine_config *cfg, unsigned d, struct ccada_disk_image *img);

/* One figure of a bench app (proto/hostcall.h HOSTCALL_BENCH_SAMPLE), as the guest gave it:
 * the cell (described in the app's report), the repetition, elapsed nanoseconds,
 * operations, bytes, and picoseconds of one memcpy of one operation's bytes, into cached
 * memory and into memory that is not (memcpy_cold_ps). */
struct ccada_bench_sample {
        uint64_t cell, rep, ns, ops, bytes, memcpy_ps, memcpy_cold_ps;
};

struct ccada_machine_config {
        uint64_t mem_size;      /* physical memory, bytes (default 256 MiB) */
        uint64_t mem_base;      /* first physical address (default 0x80000000) */
        uint64_t realm_ram;     /* guest RAM, bytes, multiple of 2 MiB (default 128 MiB: room
                                 * for Linux's default 64 MiB bounce pool) */
        unsigned ipa_bits;      /* 33..48 (default 40) */
        unsigned hash_algo;     /* 0 SHA-256 (default), 1 SHA-512 */
        uint64_t seed;          /* default 1 */
        const char *trace_events; /* enabled trace events and subsystems, comma-separated
                                   * (ccada_check_events); NULL: none */
        FILE *trace_file;       /* ftrace text (may be NULL) */
        FILE *trace_json;       /* Chrome/Perfetto JSON (may be NULL) */
        FILE *trace_pipe;       /* ftrace lines as they happen (may be NULL) */
        FILE *console;          /* the Realm's console lines (may be NULL) */
        bool normal_vm;         /* run the guest in a normal (non-Realm) VM instead */
        const char *workload;   /* a name of ccada_workload_name (NULL: CCADA_WORKLOAD_DEFAULT) */
        unsigned bench_reps;    /* benchmark repetitions (median taken), 1..31; 0: the app's
                                 * default (7). Given to the Realm as ccada.bench_reps=N */
        /* A fixed amount of work instead of timed repetitions (bench-swiotlb), so that an
         * instruction counter (valgrind --tool=callgrind) measures it deterministically:
         * bench_ops map+unmap of bench_size bytes (0: every size) in direction bench_dir
         * ("to", "from", "bidi"; NULL: "to"). Given to the Realm as ccada.bench_ops=N, ... */
        bool bench_fixed;
        uint64_t bench_ops, bench_size;
        const char *bench_dir;
        unsigned bench_qd;      /* bench-blk fixed work: requests per batch (0: 1); given to
                                 * the Realm as ccada.bench_qd=N with the fixed work */
        /* Called with each figure a bench app gives (NULL: figures stay in the report only),
         * from inside ccada_machine_run: it may switch to another machine's run and back
         * (ccada bench's ABAB alternation) before it returns. */
        void (*bench_hook)(void *ctx, const struct ccada_bench_sample *s);
        void *bench_hook_ctx;
        uint64_t swiotlb_slabs; /* Realm bounce pool in 2 KiB slots, "swiotlb=" on the Realm's
                                 * command line; 0 (default): none, so the kernel takes
                                 * Linux's default, 64 MiB, halved as Linux halves it when
                                 * RAM is short */
        bool swiotlb_grow;      /* add shared pools instead of failing when full (off) */
        unsigned queue_depth;   /* virtio-blk requests in flight, 1..1024, given to the Realm
                                 * as virtio_blk.queue_depth=N; 0 (default): Linux's, the
                                 * queue size */
        bool swiotlb_backpressure; /* wait for slots instead of failing when full (off) */
        bool swiotlb_bitmap;    /* find free slots with a bitmap instead of Linux's free-run
                                 * list (off); "swiotlb.alloc=bitmap" on the command line */
        /* The devices on Realm A's PCI bus, in slot order (default: one "virtio-blk"). Realm
         * B gets the same types, each disk in host RAM. */
        struct ccada_device_cfg devices[CCADA_MAX_DEVICES];
        unsigned ndevices;
        /* A virtio-blk disk's backing when its opts do not say: */
        const char *disk_path;  /* image file (created if missing or empty); NULL: a temporary
                                 * image. An image that holds data is never modified unless
                                 * disk_writable (see struct ccada_disk_image) */
        bool disk_writable;     /* the Realm's writes may reach disk_path's data */
        bool disk_ram;          /* host RAM instead of a file */
        uint64_t disk_size;     /* size of a created or RAM disk (default 64 MiB) */
        /* Check the RMM's invariants after every RMI and RSI call, and that every access a
         * REC makes touches only its own Realm's granules (off: it scans the granule table
         * per call). A violation fails the run (the report's "violations" and its check
         * "no_violations"). */
        bool check_invariants;
        /* Only the per-access part of check_invariants: every access a REC makes touches
         * only its own Realm's granules and every protected load returns what the Realm
         * stored (cheap per access: for fuzzers that check invariants themselves). */
        bool check_accesses;
        /* Realms on the board (default 1). With 2, a second Realm "B" runs the same workload
         * next to "A": its own host VM on the same host (VMID 2), kernel, console (lines
         * prefixed "[realm-b] ", same console FILE), PCI bus and RAM-backed disk of
         * disk_size bytes, and an RPV derived from the seed differently from A's; the two
         * REC loops run interleaved, one entry each. Not with normal_vm. */
        unsigned realms;
        /* Attestation. challenge: what the host relays to the Realm as a verifier's
         * challenge (HOSTCALL_GET_CHALLENGE; the attest workload asks for a token over it),
         * challenge_len bytes, 32..64 (default 64 zero bytes). iak_pem: the platform's
         * attestation key, a private P-256 or P-384 key as PEM text, instead of one derived
         * from the seed (NULL). token_profile: tokens carry the realm profile claim, the RAK
         * as a COSE_Key, and the 2023 platform profile (default off: as TF-RMM v1.0).
         * token_cmw: the collection as tag 907 CMW instead of tag 399. */
        uint8_t challenge[64];
        size_t challenge_len;
        const char *iak_pem;
        bool token_profile;
        bool token_cmw;
        /* The Realm app's arguments (HOSTCALL_GET_ARGS), as a user types them in the
         * Realm's shell: not measured. At most 240 bytes (NULL: none); the caller keeps
         * the text while the machine lives. */
        const char *app_args;
        /* The physical device (ccada-dev) on the platform's PCIe at 00:03.0, which the RMM
         * attests over SPDM before the Realm boots (docs/specs.md "Device attestation"). */
        struct ccada_pdev_cfg {
                bool present;           /* default off; ccada demo turns it on */
                const char *cert_dir;   /* its PKI, as `ccada pki --out DIR` writes it (NULL:
                                         * a test PKI made from the seed) */
                const char *fw_version; /* what its firmware measurement says (NULL: 1.0.0) */
                bool debug;             /* invasive debug on (its device-mode measurement) */
                bool secured_handshake; /* no HANDSHAKE_IN_THE_CLEAR: FINISH goes secured */
                const char *attack;     /* a hostile host on the DOE relay: a name of
                                         * ccada_attack_name (NULL: an honest host) */
                FILE *pcap;             /* the DOE objects the host relays (linktype 292) */
                /* The Realm owner's reference policy for the device, as text in the format of
                 * ccada_device_policy_check (NULL: the board's, ccada_device_policy_default).
                 * With one given, the Realm's verdict is the owner's: the run checks that the
                 * device is started if the Realm accepts it and stays locked if it refuses. */
                const char *policy;
                size_t policy_len;
        } pdev;
};
/* The host attacks on device attestation (ccada_machine_config.pdev.attack), by name, with
 * a line saying what the host does and the error that must catch it. */
size_t ccada_attack_count(void);
const char *ccada_attack_name(size_t i);        /* NULL past the end */
const char *ccada_attack_summary(size_t i);
const char *ccada_attack_expect(size_t i);
bool ccada_attack_known(const char *name);
/* The board's reference policy for ccada-dev: firmware 1.0.0's SHA-384 at measurement index 2,
 * debug refused. Writes it (NUL-terminated) to buf; its length, or 0 when cap is too small. */
size_t ccada_device_policy_default(char *buf, size_t cap);
/* Whether text (len bytes) is a policy the Realm can read: lines of "key = value" with keys
 * firmware_digest, firmware_index, debug, min_mmio_ranges, max_mmio_ranges (docs/specs.md).
 * False with why naming the line. */
bool ccada_device_policy_check(const char *text, size_t len, char *why, size_t whylen);

void ccada_machine_config_default(struct ccada_machine_config *cfg);

/* The RIM of Realm A as this configuration builds it (hash-sized, into *len), without
 * running the Realm: boots the machine (the host builds and activates the Realm through
 * RMI) if it was not booted, and reads the measurement the RMM computed. A machine
 * measured can still run. CCADA_E_STATE for a normal VM (no RIM), else what booting gave. */
ccada_status ccada_machine_measure(struct ccada_machine *m, uint8_t rim[64], size_t *len);

/* The platform attestation key's public half as SubjectPublicKeyInfo PEM (malloc'd: the
 * caller frees), what a verifier of this machine's tokens trusts. CCADA_E_INVAL, with a
 * sentence in err (errlen bytes), when the configured key is unusable. */
ccada_status ccada_machine_iak_public_pem(struct ccada_machine *m, char **pem, char *err, size_t errlen);

/* Checks a trace event list for cfg->trace_events: event or subsystem names of this
 * machine's parts, comma-separated, "all", "none". On an unknown name writes a message
 * naming it and listing the valid ones into err (truncated to errlen) and returns false. */
bool ccada_check_events(const char *list, char *err, size_t errlen);
/* Writes the machine's trace subsystems, one per line: its name, then its events. */
void ccada_list_events(FILE *out);

/* Creates a machine (memory, RMM, host VMs, Realm kernels, devices); builds no guest yet.
 * Errors: CCADA_E_INVAL (realms not 1 or 2, or 2 with normal_vm; an unknown workload,
 * device or trace event; a memory layout hw refuses), CCADA_E_NOMEM, and the disk's errors
 * (CCADA_E_IO). */
CCADA_MUST_CHECK ccada_status ccada_machine_create(struct ccada_machine **out,
                                                   const struct ccada_machine_config *cfg);
void ccada_machine_destroy(struct ccada_machine *m);

/* Builds the guests (one or two Realms, or a normal VM) and runs their workloads until they
 * power off, one REC entry of each Realm in turn. Once only (CCADA_E_STATE after that);
 * the first failure of either Realm's host stops the run. */
CCADA_MUST_CHECK ccada_status ccada_machine_run(struct ccada_machine *m);

/* Flushes and closes trace sinks (the FILEs stay open; the caller owns them). */
CCADA_MUST_CHECK bool ccada_machine_finish_trace(struct ccada_machine *m);

struct ccada_report;
/* The run's report (include/ccada/report.h; docs/report.md): what the Realm's boot and apps
 * found (Realm A's, with two Realms), what the host and the board saw (with two Realms,
 * gpf, rmi_calls and rsi_calls are A's share; violations are the machine's), and the
 * checks: every one must be true for the run to pass (with two Realms, "realm_b": B passed
 * the same). run_ok: the run completed (ccada_machine_run returned CCADA_OK). */
void ccada_machine_report(const struct ccada_machine *m, bool run_ok, struct ccada_report *r);

#endif
