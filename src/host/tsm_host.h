/* The host's side of device assignment (RMM 2.0-beta DA as TF-RMM main realises it; its
 * host harness host_da.c and Linux's arm-cca-host patches do the same; facts/spdm-tdisp-ide.md
 * §7.3): the host creates a PDEV for a physical function, then loops RMI_PDEV_COMMUNICATE,
 * carrying each request the RMM writes into its request buffer to the device's DOE mailbox
 * (host/doe_relay.h) and the answer back, and keeping the copies the RMM marks for caching
 * (REQ_CACHE / RSP_CACHE: the VCA, the certificate chain, the measurements) — untrusted
 * copies a Realm will fetch and check against the digests the RMM reports. When the PDEV
 * needs its key, the host takes the leaf certificate's public key from its cached chain and
 * hands it in with RMI_PDEV_SET_PUBKEY.
 *
 * The host sees every byte of the plain messages, and relays secured records it cannot
 * open: it never holds a session key. Everything it reads back from the RMM's Exit is
 * checked (offsets and lengths inside its own buffers) before it is used.
 */
#ifndef CCADA_HOST_TSM_HOST_H
#define CCADA_HOST_TSM_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host/doe_relay.h"
#include "host/host.h"

#define HOST_TSM_WHY_LEN 256
#define HOST_TSM_OBJ_MAX (64u * 1024u)  /* the largest cached object kept */

enum host_tsm_obj { HOST_TSM_VCA, HOST_TSM_CERT, HOST_TSM_MEAS, HOST_TSM_REPORT, HOST_TSM_NOBJ };

struct host_tsm_pdev {
        struct host_vm *vm;
        struct doe_relay *relay;        /* NULL: a Root Port (no DOE) */
        uint64_t pdev_pa, comm_pa, req_pa, rsp_pa;
        struct {
                uint8_t *buf;
                size_t len;
        } obj[HOST_TSM_NOBJ];           /* the untrusted cached copies */
        unsigned communicates, exchanges;
        uint64_t last_status;           /* X0 of the last RMI call that failed */
        char leaf_subject[128];
};

/* RMI_PDEV_CREATE for the function at bdf (requester ID), category RMI_PDEV_CATEGORY_*,
 * with hash algorithm RMI_HASH_* for the object digests: delegates the PDEV granule,
 * allocates the RmiDevCommData and the two buffers. False, with why, on any failure (h is
 * then released: host_tsm_pdev_release is still safe). */
bool host_tsm_pdev_create(struct host_tsm_pdev *h, struct host_vm *vm, struct doe_relay *relay, uint16_t bdf,
                          unsigned category, uint64_t pdev_id, unsigned hash_algo, char *why);
/* RMI_PDEV_COMMUNICATE until the RMM asks for nothing more (Exit flags 0): the PDEV has
 * then reached its next state or failed (host_tsm_pdev_state says which). False, with why,
 * when an RMI call fails or the Exit is malformed; a relay failure is reported to the RMM
 * (Enter status ERROR), which fails the PDEV. */
bool host_tsm_pdev_communicate(struct host_tsm_pdev *h, char *why);
/* The leaf key of the cached chain, by RMI_PDEV_SET_PUBKEY. */
bool host_tsm_pdev_set_pubkey(struct host_tsm_pdev *h, char *why);
/* RMI_PDEV_GET_STATE: RMI_PDEV_STATE_*, or -1 when the call fails. */
int host_tsm_pdev_state(struct host_tsm_pdev *h);
/* NEW -> NEEDS_KEY -> HAS_KEY -> READY, as far as it goes: true when READY. */
bool host_tsm_pdev_connect(struct host_tsm_pdev *h, char *why);
/* A Root Port's PDEV (category 0, no SPDM) for the function rid: created, READY. */
bool host_tsm_rp_create(struct host_tsm_pdev *h, struct host_vm *vm, uint16_t rid, uint64_t pdev_id, char *why);
/* RMI_PDEV_STREAM_CONNECT between the READY Root Port rp and endpoint ep with IDE Stream ID
 * sid, the endpoint's COMMUNICATE until the keys are set, RMI_PDEV_STREAM_COMPLETE. */
bool host_tsm_stream_connect(struct host_tsm_pdev *rp, struct host_tsm_pdev *ep, uint8_t sid, uint64_t *handle,
                             char *why);

/* A VDEV: the TDI tdi of pd, for the Realm whose RD is rd. Each call issues its RMI_VDEV_*
 * command and then RMI_VDEV_COMMUNICATE until the RMM asks for nothing; false, with why, when
 * a call fails or the VDEV does not reach the state the command is for. The interface report
 * is cached in pd->obj[HOST_TSM_REPORT] (replaced at each fetch). */
struct host_tsm_vdev {
        struct host_tsm_pdev *pd;
        uint64_t rd, vdev_pa;
};
bool host_tsm_vdev_create(struct host_tsm_vdev *v, struct host_tsm_pdev *pd, uint64_t rd, uint64_t vdev_id,
                          uint16_t tdi, char *why);
/* The same with the TDI's MMIO range [mmio_pa, mmio_pa + mmio_size) in RmiVdevParams (the
 * only PAs the host may later map for the Realm); size 0: none. */
bool host_tsm_vdev_create_mmio(struct host_tsm_vdev *v, struct host_tsm_pdev *pd, uint64_t rd, uint64_t vdev_id,
                               uint16_t tdi, uint64_t mmio_pa, uint64_t mmio_size, char *why);
/* Maps the device memory [pa, pa + size) at the Realm's protected IPA ipa (RMI_RTT_DEV_MAP,
 * creating RTTs as the RMM asks); the VDEV must be LOCKED or STARTED. The Realm then sees the
 * pages only after it validated them (RSI_VDEV_VALIDATE_MAPPING, run.c answers). */
bool host_tsm_dev_map(struct host_tsm_vdev *v, uint64_t ipa, uint64_t pa, uint64_t size, char *why);
bool host_tsm_vdev_lock(struct host_tsm_vdev *v, char *why);
bool host_tsm_vdev_report(struct host_tsm_vdev *v, char *why);
/* RMI_VDEV_GET_MEASUREMENTS with nonce (the device signs it): the measurement record the RMM
 * hands out replaces pd->obj[HOST_TSM_MEAS] (the PDEV-time copy). The VDEV must be LOCKED or
 * STARTED and stays so. */
bool host_tsm_vdev_measure(struct host_tsm_vdev *v, const uint8_t nonce[32], char *why);
bool host_tsm_vdev_start(struct host_tsm_vdev *v, char *why);
bool host_tsm_vdev_unlock(struct host_tsm_vdev *v, char *why);
int host_tsm_vdev_state(struct host_tsm_vdev *v); /* RMI_VDEV_STATE_*, -1 when the call fails */

/* RMI_PDEV_STOP (+ communicate for END_SESSION), RMI_PDEV_DESTROY, and the granules back. */
void host_tsm_pdev_release(struct host_tsm_pdev *h);
/* Frees the cached copies only, with no RMI call (the VM and RMM are going away whole). */
void host_tsm_pdev_forget(struct host_tsm_pdev *h);

#endif
