/* Device assignment inside the RMM: the PDEV object (rmi_pdev.c) and the operations that
 * run over its secured session as VENDOR_DEFINED exchanges (IDE_KM for a stream,
 * rmi_pdev_stream.c; TDISP for a VDEV, rmi_vdev.c). Internal to src/rmm. */
#ifndef CCADA_RMM_DA_H
#define CCADA_RMM_DA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/hw.h"
#include "lib/crypto.h"
#include "proto/rmi_da.h"
#include "rmm/spdm_requester.h"

struct ccada_rmm;
struct smc_regs;

#define PDEV_MSG_MAX GRANULE_SIZE       /* one NS granule each way */
/* Our DataTransferSize: a response sealed in a secured record must still fit the host's
 * one-granule response buffer (record header, length, MAC and some padding). */
#define PDEV_DTS (PDEV_MSG_MAX - 64)

struct rmm_pdev {
        struct ccada_rmm *rmm;
        uint64_t pa;
        unsigned state;                 /* RMI_PDEV_STATE_* */
        struct rmi_pdev_params p;
        enum hash_alg hash;             /* of the object digests */
        struct spdm_requester *req;
        uint8_t out[PDEV_MSG_MAX];      /* the request to send at the next COMMUNICATE */
        size_t out_len;
        bool out_secured, out_pending;  /* a request waits for COMMUNICATE to hand it out */
        bool awaiting;                  /* the host has a request; its answer is due */
        bool stopping;                  /* END_SESSION in flight: STOPPED once answered */
        bool confirmed;                 /* the session carried a HEARTBEAT both ways */
        uint8_t in[PDEV_MSG_MAX];       /* the host's answer, copied in */
        struct hash_ctx *vca_h, *cert_h;
        bool cert_first;
        uint8_t vca_digest[HASH_MAX_LEN], cert_digest[HASH_MAX_LEN], meas_digest[HASH_MAX_LEN];
        uint8_t pubkey_digest[HASH_MAX_LEN];    /* of the key bytes SET_PUBKEY was given */
        bool have_vca, have_cert, have_meas, have_pubkey;
        struct da_op *op;               /* a VENDOR_DEFINED operation in the session (READY) */
};


/* An operation in a READY PDEV's session: a sequence of PCI-SIG VENDOR_DEFINED requests,
 * one per COMMUNICATE round trip. step gets the last response's payload (NULL, 0 at the
 * start) and writes the next request's payload (protocol ID first) into req. A step that
 * sets spdm writes a whole SPDM request instead (spdm_requester_session_message: today
 * GET_MEASUREMENTS), and the next step gets the whole SPDM response (an ERROR included). */
enum da_step { DA_SEND, DA_DONE, DA_FAILED };
struct da_op {
        enum da_step (*step)(struct da_op *op, struct rmm_pdev *pd, const uint8_t *rsp, size_t rsp_len,
                             uint8_t *req, size_t cap, size_t *req_len);
        /* called once when the operation ends (ok: it reached DONE) */
        void (*finish)(struct da_op *op, struct rmm_pdev *pd, bool ok);
        /* set by step: cache the plaintext of the response payload's [off, off + len) as
         * object obj (RMI_DEV_OBJ_*): the RMM writes it into the host's response buffer */
        bool cache;
        bool spdm;                      /* set by step: req is a whole SPDM request */
        unsigned cache_obj;
        size_t cache_off, cache_len;
        char why[160];
};

bool da_enabled(const struct ccada_rmm *rmm);
struct rmm_pdev *da_pdev_lookup(struct ccada_rmm *rmm, uint64_t pa);
void da_pdev_error(struct rmm_pdev *pd);
void da_pdev_state(struct rmm_pdev *pd, unsigned to); /* traced (da pdev_state) */
/* Starts op on a READY PDEV with none running: false otherwise. */
bool da_op_start(struct rmm_pdev *pd, struct da_op *op);
/* One COMMUNICATE round for pd through the RmiDevCommData at comm_pa (RMI_PDEV_COMMUNICATE
 * and RMI_VDEV_COMMUNICATE): the RMI status. */
uint64_t da_communicate(struct ccada_rmm *rmm, struct rmm_pdev *pd, uint64_t comm_pa);

/* A VDEV as the Realm's RSI calls see it (rmi_vdev.c keeps the object). */
struct realm;
struct rmm_vdev;
struct da_vdev_view {
        const struct realm *realm;      /* its Realm */
        const struct rmm_pdev *pd;      /* its PDEV */
        unsigned state;                 /* RMI_VDEV_STATE_* */
        bool busy;                      /* a TDISP operation of it is running */
        uint64_t vdev_id, tdi_id;
        uint64_t lock_nonce, report_nonce, meas_nonce;
        bool have_report, have_meas;
        const uint8_t *report_digest;   /* hash_len(pd->hash) bytes; zero without a report */
        const uint8_t *meas_digest;     /* hash_len(pd->hash) bytes of the VDEV's last
                                           RMI_VDEV_GET_MEASUREMENTS record (have_meas) */
};
/* The VDEV in the granule at pa, or NULL. */
struct rmm_vdev *da_vdev_lookup(struct ccada_rmm *rmm, uint64_t pa);
void da_vdev_view(const struct rmm_vdev *v, struct da_vdev_view *out);
/* Whether [base, top) lies inside one of the VDEV's address ranges (RmiVdevParams addr_range,
 * base..top exclusive, as the host gave them at RMI_VDEV_CREATE): where RMI_RTT_DEV_MAP may
 * map from. */
bool da_vdev_range_covers(const struct rmm_vdev *v, uint64_t base, uint64_t top);
/* rsi_vdev.c: the TDI's stream back to ABORT if the RMM gave it a REALM STE (its DMA stops).
 * rmi_vdev.c calls it when a VDEV is unlocked, leaves STARTED, or is destroyed. */
void da_vdev_dma_off(struct ccada_rmm *rmm, uint64_t tdi_id);

#endif
