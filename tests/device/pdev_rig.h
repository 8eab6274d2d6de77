/* A test rig shared by tests/device/test_pdev_dma.c and test_blk_engine.c: ccada-dev at
 * 00:03.0 on a link to a Root Port over an SMMU and Non-secure memory, with an SPDM session
 * (the RMM's requester) to key the stream, lock and start the TDI when a test needs it, and a
 * tap on the wire. Every step asserts (cmocka). */
#ifndef CCADA_TESTS_DEVICE_PDEV_RIG_H
#define CCADA_TESTS_DEVICE_PDEV_RIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "device/pdev.h"
#include "hw/ide.h"
#include "hw/link.h"
#include "hw/root_port.h"
#include "hw/smmu.h"
#include "proto/tdisp.h"
#include "rmm/spdm_requester.h"

#define RIG_BASE   0x80000000ull               /* memory */
#define RIG_PAGES  64u
#define RIG_SIZE   (RIG_PAGES * GRANULE_SIZE)
#define RIG_BAR0   0x10000000ull
#define RIG_BDF    HW_PCIE_BDF(0, 3, 0)
#define RIG_RP_ID  HW_PCIE_BDF(0, 1, 0)
#define RIG_OWNER  1u                            /* the Realm's owner tag */
#define RIG_BUF    16384u

struct rig_tap {
        unsigned seen;            /* TLPs the tap saw, by direction */
        unsigned from_ep, from_rp;
        uint8_t last[HW_TLP_MAX_WIRE];
        size_t last_len;
        unsigned skip_rp;         /* pass this many RP -> EP TLPs before dropping ... */
        unsigned drop_rp;         /* ... this many */
        bool edit_rp;             /* change one RP -> EP TLP (a hostile completer's): after */
        unsigned edit_skip;       /* passing this many, XOR byte edit_at of the next with */
        size_t edit_at;           /* edit_xor (a clear TLP's header: no MAC to break) */
        uint8_t edit_xor;
        bool flip_ep;             /* flip a payload bit of the next EP -> RP TLP */
        uint32_t max_payload;     /* the longest EP -> RP TLP payload seen (from the header) */
};

struct rig {
        struct hw_mem *m;
        struct hw_smmu *s;
        struct hw_pcie pcie;
        struct pdev *dev;
        struct hw_ide *rp_e;
        struct hw_link *l;
        struct hw_root_port *rp;
        struct rig_tap tap;
        /* the session */
        struct drbg *drbg;
        struct spdm_requester *req;
        struct spdm_req_out out;
        uint8_t buf[RIG_BUF], answer[RIG_BUF];
        uint8_t nonce[TDISP_NONCE_SIZE];
};

/* Memory, SMMU (the device's stream BYPASS), device (1 MiB of storage, BAR0 at RIG_BAR0,
 * memory space and bus master on), RP engine, link, root port, tap; attach_link: whether the
 * device is attached. */
void rig_up(struct rig *g, bool attach_link);
void rig_down(struct rig *g);
/* SPDM session; IDE_KM keys every slot of the device's engine and the test keys the RP's
 * the same, so the stream is Secure at both ends. */
void rig_session_and_keys(struct rig *g);
void rig_lock(struct rig *g);  /* TDISP LOCK: CONFIG_LOCKED */
void rig_start(struct rig *g); /* TDISP START: RUN */
void rig_stop(struct rig *g);  /* TDISP STOP: CONFIG_UNLOCKED */
/* The device's stream becomes REALM (RIG_OWNER, stage 2 = identity over memory, DMA
 * enabled), as the RMM programs it for an accepted TDI; page i is delegated to that Realm. */
void rig_realm_stream(struct rig *g);
void rig_realm_page(struct rig *g, unsigned i);

/* MMIO at BAR0 + off with T=t, asserting the status. */
uint64_t rig_rd(struct rig *g, uint64_t off, unsigned size, bool t, enum pdev_mmio_status want);
void rig_wr(struct rig *g, uint64_t off, unsigned size, bool t, uint64_t v, enum pdev_mmio_status want);
/* Memory as the Root world sees it. */
void rig_mem_read(struct rig *g, uint64_t pa, void *buf, size_t len);
void rig_mem_write(struct rig *g, uint64_t pa, const void *buf, size_t len);

#endif
