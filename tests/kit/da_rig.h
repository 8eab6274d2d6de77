/* The device-assignment rig: ccada-dev (00:03.0) behind the RMM, driven by a Non-secure host
 * that relays every RmiDevCommData request to the device's DOE mailbox and keeps the objects
 * the RMM marks for caching. It brings the PDEV to READY with its IDE stream to a Root Port
 * (00:01.0), and a VDEV through CREATE, LOCK, the interface report and START (the flow of
 * tests/rmm/test_rmi_pdev.c, facts/spdm-tdisp-ide.md §7.3). For the tests and fuzz harnesses
 * of device assignment: tests/rmm/test_rsi_vdev.c, tests/rmm/test_rmi_dev_mem.c,
 * tests/realm/test_tdisp_accept.c, fuzz/rmm/fuzz_rsi_vdev.c, fuzz/rmm/fuzz_rmi_dev_mem.c.
 *
 * The rig borrows the machine (memory and RMM) and a range of NS granules from its caller, so
 * a cmocka test can build it on rmm_harness's host and a fuzz harness on its own small one.
 * It does not use cmocka. Helpers named try_* report failure by returning false (r->why says
 * what failed); every other helper expects success and calls the caller's fail hook otherwise
 * (a test's hook fails the test, a fuzz harness's aborts). Every RMI call the rig makes is
 * followed by a check of the RMM's recorded violations (rmm_violations), also via the hook.
 */
#ifndef CCADA_TESTS_DA_RIG_H
#define CCADA_TESTS_DA_RIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ccada/cpu.h"
#include "ccada/rmi.h"
#include "ccada/rsi.h"
#include "device/pdev.h"
#include "host/doe_relay.h"
#include "hw/hw.h"
#include "hw/ide.h"
#include "hw/pcie.h"
#include "hw/smmu.h"
#include "lib/ec.h"
#include "proto/rmi_da.h"
#include "proto/rsi_vdev.h"
#include "rmm/rmm.h"

#define DA_RIG_BDF     HW_PCIE_BDF(0, 3, 0)     /* ccada-dev, its TDI id and stream id */
#define DA_RIG_RP_RID  HW_PCIE_BDF(0, 1, 0)     /* the Root Port */
#define DA_RIG_VDEV_ID 0x77                     /* the default VDEV's vdev_id */
#define DA_RIG_NOW     1796169600               /* 2026-12-01: the TSM's clock at provisioning */
#define DA_RIG_WHY_LEN 192
#define DA_RIG_OBJS    4                        /* RMI_DEV_OBJ_VCA .. RMI_DEV_OBJ_INTERFACE_REPORT */

struct da_rig_config {
        struct hw_mem *mem;             /* the machine; the caller's, outlives the rig */
        struct ccada_rmm *rmm;          /* made with rmm_config.da and check_invariants */
        uint64_t ns_base;               /* the NS granules the rig may hand out, from ns_base */
        unsigned ns_granules;
        const char *seed;               /* ccada-dev's identity (and DRBG) seed */
        const struct dev_firmware *fw;  /* what ccada-dev runs; NULL: the default */
        bool trust_root;                /* provision the TSM with ccada-dev's root certificate */
        bool smmu;                      /* create the platform SMMU and give it to the RMM */
        void (*fail)(const char *why);  /* an unexpected failure; must not return. NULL: abort() */
};

struct da_rig {
        struct da_rig_config cfg;
        struct hw_pcie pcie;
        struct pdev *dev;
        struct doe_relay relay;
        struct hw_ide *rp_ide;          /* the Root Port's IDE engine */
        struct hw_smmu *smmu;           /* NULL unless cfg.smmu */
        uint64_t next;                  /* the next free NS granule */
        uint64_t comm, req, rsp;        /* RmiDevCommData and its request and response buffers */
        uint64_t params;                /* the NS page the rig's own parameter blocks go to */
        uint64_t rp_pdev, pdev;         /* the Root Port's PDEV and ccada-dev's */
        uint64_t vdev, vdev_rd;         /* the current VDEV and its Realm's RD */
        /* What the host cached, as the RMM marked it, appended per object (malloc'd; a caller
         * may take a buffer and leave NULL and 0 behind). */
        uint8_t *obj[DA_RIG_OBJS];
        size_t obj_len[DA_RIG_OBJS];
        uint8_t point[EC_POINT_MAX];    /* the key given to RMI_PDEV_SET_PUBKEY */
        size_t point_len;
        char why[DA_RIG_WHY_LEN];       /* what the last failed try_* call ran into */
        uint8_t req_buf[GRANULE_SIZE], rsp_buf[DOE_RELAY_MAX_OBJECT], page[GRANULE_SIZE];
};

/* ---- the rig ---- */
/* ccada-dev on the rig's own PCIe segment, its DOE mailbox found and discovered, the buffers
 * of RmiDevCommData allocated; the TSM provisioned and the SMMU wired as cfg says. The rig
 * must not move afterwards (the device holds its segment). */
void da_rig_init(struct da_rig *r, const struct da_rig_config *cfg);
void da_rig_fini(struct da_rig *r);     /* frees what the rig made; not the machine */

/* ---- the host's plumbing ---- */
uint64_t da_rig_alloc(struct da_rig *r);                /* one NS granule */
uint64_t da_rig_delegated(struct da_rig *r);            /* one granule, delegated */
void da_rig_write_ns(struct da_rig *r, uint64_t pa, const void *buf, size_t len);
void da_rig_read_ns(struct da_rig *r, uint64_t pa, void *buf, size_t len);
uint64_t da_rig_page_of(struct da_rig *r, const void *buf, size_t len);  /* a fresh NS page holding buf */
/* RMI call fid with X1..X6; X0, all result registers in *out (may be NULL). */
uint64_t da_rig_rmi(struct da_rig *r, uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                    uint64_t a6, struct smc_regs *out);

/* ---- RmiDevCommData ---- */
/* Writes the entry half of RmiDevCommData: status, the rig's buffers, rsp_len. */
void da_rig_enter(struct da_rig *r, unsigned status, uint64_t rsp_len);
/* RMI_PDEV_COMMUNICATE (vdev 0) or RMI_VDEV_COMMUNICATE of vdev until the RMM asks for
 * nothing more, relaying each request to ccada-dev and keeping what the RMM marks for
 * caching. False if a call failed, a request or response was out of bounds, the relay
 * failed or 64 rounds did not finish. */
bool da_rig_try_communicate(struct da_rig *r, uint64_t vdev);
void da_rig_communicate(struct da_rig *r, uint64_t vdev);

/* ---- PDEV ---- */
/* The Root Port and ccada-dev as PDEVs, ccada-dev to READY (its key from the cached leaf
 * certificate) and the IDE stream between them connected. */
void da_rig_pdev_ready_with_stream(struct da_rig *r);

/* ---- VDEV ---- */
void da_rig_vdev_params_default(struct rmi_vdev_params *p);     /* DA_RIG_VDEV_ID, the TDI at DA_RIG_BDF */
/* RMI_VDEV_CREATE of the VDEV at granule vdev for the Realm rd with p (NULL: the default),
 * and its exchanges; becomes the rig's VDEV. False if refused or its exchanges failed. */
bool da_rig_try_vdev_create(struct da_rig *r, uint64_t rd, uint64_t vdev, const struct rmi_vdev_params *p);
void da_rig_vdev_create(struct da_rig *r, uint64_t rd, const struct rmi_vdev_params *p);  /* a fresh granule */
/* fid (an RMI_VDEV_* command taking rd, pdev, vdev) on the rig's VDEV: its status. */
uint64_t da_rig_vdev_rmi(struct da_rig *r, uint64_t fid);
/* fid on the rig's VDEV and, if accepted, its exchanges. False if refused or they failed. */
bool da_rig_try_vdev_cmd(struct da_rig *r, uint64_t fid);
void da_rig_vdev_op(struct da_rig *r, uint64_t fid);
/* A VDEV of rd (params p, NULL: the default) created, LOCKED and its report fetched. */
void da_rig_vdev_locked_reported(struct da_rig *r, uint64_t rd, const struct rmi_vdev_params *p);
/* The same, then STARTED, with ccada-dev's TDI in RUN. */
void da_rig_vdev_started(struct da_rig *r, uint64_t rd, const struct rmi_vdev_params *p);

/* ---- the Realm ---- */
/* A Realm kernel that does one thing per request of its host and goes back to it with
 * RSI_HOST_CALL (IPA 0) in between: set the request, has_cmd = true, enter the REC until
 * done has moved on. */
enum da_rig_op {
        DA_SMC,                         /* in -> out; after a successful RSI_VDEV_GET_INFO also
                                         * loads what it left at in.x[2] into info (load) */
        DA_MMIO_READ,                   /* size bytes at ipa into val; res */
        DA_MMIO_WRITE,                  /* val, size bytes at ipa; res */
        DA_LOAD,                        /* buf from ipa; res */
        DA_COPY,                        /* sizeof(buf) bytes from ipa to ipa2; res */
};

struct realm_kernel {
        enum da_rig_op op;
        struct smc_regs in, out;
        uint64_t ipa, ipa2;
        unsigned size;
        uint64_t val;
        enum cpu_result res;
        uint8_t buf[16];
        uint8_t info[RSI_VDEV_INFO_SIZE];
        enum cpu_result load;
        bool has_cmd;
        unsigned done;
};

void da_rig_realm_program(struct realm_kernel *k, struct ccada_cpu *cpu, uint64_t pc, const uint64_t *x);

/* For harnesses without rmm_harness: an ACTIVE Realm (vmid 1, IPA width 40, level 1 start
 * with two tables) with level-2 and level-3 tables over [0, 2 MiB), RIPAS RAM over
 * [0, DA_RIG_RAM_TOP) and EMPTY above, DATA granules (zero) over [0, DA_RIG_DATA_PAGES pages),
 * one runnable REC (mpidr 0) running da_rig_realm_program on k, and an RmiRecRun page. */
#define DA_RIG_DATA_PAGES 4
#define DA_RIG_RAM_TOP    0x10000ULL
struct da_rig_realm {
        uint64_t rd, rec, run;
        uint64_t data_pa[DA_RIG_DATA_PAGES];
};
void da_rig_realm_up(struct da_rig *r, struct da_rig_realm *z, struct realm_kernel *k);

#endif
