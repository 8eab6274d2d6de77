/* The Realm's TDISP-aware driver, its first half: what the RMM says of an assigned device
 * (RSI_VDEV_GET_INFO), the host's cached copies of the device's objects (VCA, certificate
 * chain, measurements, interface report) fetched over an untrusted channel
 * (HOSTCALL_DEV_OBJECT, proto/hostcall.h), and each copy checked against the RMM's digest.
 * A copy whose digest differs is the host's lie and is refused. What the objects then say
 * (the chain against the Realm's trust anchor, the measurements against its policy, the
 * report's ranges) is the next check (issue 12 continues). */
#ifndef CCADA_REALM_TDISP_H
#define CCADA_REALM_TDISP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ccada/status.h"
#include "proto/rsi_vdev.h"

struct realm_kernel;

enum rk_dev_obj { RK_DEV_VCA, RK_DEV_CERT, RK_DEV_MEAS, RK_DEV_REPORT, RK_DEV_NOBJ };

struct rk_vdev_evidence {
        struct rsi_vdev_info info;
        uint8_t *obj[RK_DEV_NOBJ];      /* the Realm's private copies (rk_zalloc'd) */
        size_t len[RK_DEV_NOBJ];
        int bad;                        /* the first object whose digest differs, or -1 */
};

/* GET_INFO (rk_vdev_get_info, realm/kernel.h), every object fetched and copied in, each hashed with the RMM's algorithm and
 * compared with its digest. CCADA_OK with ev->bad == -1 when every copy is the one the RMM
 * hashed; CCADA_E_VERIFY with ev->bad naming the first that is not (every object is
 * still fetched); CCADA_E_PEER when the host withholds an object or lies about its length
 * (nothing is handed out); CCADA_E_UNSUPPORTED when the RMM knows no such device;
 * CCADA_E_RMM, CCADA_E_NOMEM. rk_vdev_evidence_free frees. */
ccada_status rk_vdev_evidence_get(struct realm_kernel *k, uint64_t vdev_id, struct rk_vdev_evidence *ev)
        CCADA_MUST_CHECK;
void rk_vdev_evidence_free(struct realm_kernel *k, struct rk_vdev_evidence *ev);

/* The second half, once the Realm accepted the device (tdisp_accept_check said ACCEPT for the
 * evidence whose RSI_VDEV_GET_INFO is verified): the MMIO range of the interface report at
 * `range` is asked of the host (HOSTCALL_DEV_MMIO: where it mapped it) and validated
 * (RSI_VDEV_VALIDATE_MAPPING with the verified nonces: the RMM checks every page maps that
 * range); the host is asked to start the TDI (HOSTCALL_DEV_START); the RMM must then say
 * STARTED with the same nonces (RSI_VDEV_GET_INFO: the host's word is not enough); then
 * RSI_VDEV_DMA_ENABLE. out says how far it got. CCADA_E_PEER (the host's IPA is no mapping of
 * that range), CCADA_E_REJECTED, CCADA_E_VERIFY (nonces moved on: re-locked or re-reported),
 * CCADA_E_STATE (not STARTED), CCADA_E_INVAL (an empty range), CCADA_E_RMM. */
struct tdi_mmio_range;
struct rk_tdi {
        uint64_t vdev_id;
        uint64_t mmio_ipa, mmio_pa, mmio_size;
        bool validated, started, dma;
};
ccada_status rk_tdi_start(struct realm_kernel *k, uint64_t vdev_id, const struct rsi_vdev_info *verified,
                          const struct tdi_mmio_range *range, struct rk_tdi *out) CCADA_MUST_CHECK;
const char *rk_dev_obj_name(int obj); /* "VCA", "certificate chain", ... */

#endif
