/* TDISP 1.0 messages (PCIe 6.2 §11.3) and the TDI report (§11.3.11), carried as the payload
 * of an SPDM VENDOR_DEFINED_REQUEST/RESPONSE of StandardID PCI-SIG, VendorID 0x0001, protocol
 * ID 0x01 (proto/spdm.h). Shared by the TSM's requester (src/rmm), the device's responder
 * (src/device) and the Realm's check of the report. No policy except where a name says so
 * (tdi_report_check): which message may come in which TDI state is the caller's.
 *
 * Conventions (every message below):
 *  - The bytes given to a decoder and written by an encoder are the whole VENDOR_DEFINED
 *    payload: protocol ID (1) | TDISP header (16) | message payload. Every multi-byte field is
 *    little-endian.                                                  PCIe 6.2 §11.3
 *  - Decoders: bool tdisp_<msg>_decode(in, len, out, why). The payload length is exact (it
 *    is the VENDOR_DEFINED ReqLength/RespLength), so a byte more or less than the message's
 *    own fields say is refused. The protocol ID must be 0x01, TDISPVersion 0x10 (the only
 *    layout implemented; a responder that must answer VERSION_MISMATCH looks at the version
 *    with tdisp_header_decode first) and MessageType the decoder's. On success *out describes
 *    the message; variable-length fields are pointers INTO `in` with their lengths (NULL and
 *    0 when empty). On failure *out is all zero and why (TDISP_WHY_LEN bytes, may be NULL)
 *    says what was wrong.
 *  - Reserved fields (header bytes 2-3, INTERFACE_ID bytes 8-15, the reserved bytes of a
 *    payload) are ignored on decode and written as zero on encode. Fields that are defined
 *    but have reserved bits (FUNCTION_ID 31:25, LOCK flags 15:5, TSM_CAPS/DSM_CAPS, the
 *    report's INTERFACE_INFO and range attributes) are kept as they came, so that what a
 *    peer sent can be logged and checked; tdi_report_check refuses reserved report bits.
 *  - Encoders: bool tdisp_<msg>_encode(out, cap, m, len): false (and *len 0) if cap is too
 *    small, a pointer field with a nonzero length is NULL, or a value does not fit its wire
 *    field. Every encoder writes TDISPVersion 0x10.
 *  - Secrets: the START_INTERFACE nonce is copied into the structs that carry it; wipe them
 *    with secure_zero() (lib/crypto.h) when done.
 */
#ifndef CCADA_PROTO_TDISP_H
#define CCADA_PROTO_TDISP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TDISP_MUST_CHECK __attribute__((warn_unused_result))

/* Room for a decoder's reason. */
#define TDISP_WHY_LEN 128

#define TDISP_PROTOCOL_ID 0x01u /* = SPDM_PCI_PROTOCOL_TDISP */
#define TDISP_VERSION_10 0x10u  /* 7:4 major, 3:0 minor.  PCIe 6.2 §11.3 */

/* ---- sizes (PCIe 6.2 §11.3): header from the protocol ID byte on ---- */
#define TDISP_HEADER_SIZE 16u
#define TDISP_MSG_HEADER_SIZE (1u + TDISP_HEADER_SIZE) /* protocol ID + header = 17 */
#define TDISP_NONCE_SIZE 32u
#define TDISP_REQ_MSGS_SUPPORTED_SIZE 16u
#define TDISP_MMIO_RANGE_SIZE 16u

/* ---- MessageType.  PCIe 6.2 §11.3 ---- */
#define TDISP_GET_TDISP_VERSION 0x81u
#define TDISP_GET_TDISP_CAPABILITIES 0x82u
#define TDISP_LOCK_INTERFACE_REQUEST 0x83u
#define TDISP_GET_DEVICE_INTERFACE_REPORT 0x84u
#define TDISP_GET_DEVICE_INTERFACE_STATE 0x85u
#define TDISP_START_INTERFACE_REQUEST 0x86u
#define TDISP_STOP_INTERFACE_REQUEST 0x87u
#define TDISP_BIND_P2P_STREAM_REQUEST 0x88u   /* optional */
#define TDISP_UNBIND_P2P_STREAM_REQUEST 0x89u /* optional */
#define TDISP_SET_MMIO_ATTRIBUTE_REQUEST 0x8Au /* optional */
#define TDISP_VDM_REQUEST 0x8Bu               /* optional */
#define TDISP_TDISP_VERSION 0x01u
#define TDISP_TDISP_CAPABILITIES 0x02u
#define TDISP_LOCK_INTERFACE_RESPONSE 0x03u
#define TDISP_DEVICE_INTERFACE_REPORT 0x04u
#define TDISP_DEVICE_INTERFACE_STATE 0x05u
#define TDISP_START_INTERFACE_RESPONSE 0x06u
#define TDISP_STOP_INTERFACE_RESPONSE 0x07u
#define TDISP_BIND_P2P_STREAM_RESPONSE 0x08u
#define TDISP_UNBIND_P2P_STREAM_RESPONSE 0x09u
#define TDISP_SET_MMIO_ATTRIBUTE_RESPONSE 0x0Au
#define TDISP_VDM_RESPONSE 0x0Bu
#define TDISP_ERROR 0x7Fu
/* The response code of a request code (request & 0x7F). */
#define TDISP_RESPONSE_OF(req) ((uint8_t)((req) & 0x7Fu))

/* ---- TDI states (only the names: the state machine is the device's).  §11.2 ---- */
#define TDISP_STATE_CONFIG_UNLOCKED 0u
#define TDISP_STATE_CONFIG_LOCKED 1u
#define TDISP_STATE_RUN 2u
#define TDISP_STATE_ERROR 3u
#define TDISP_STATE_BIT(s) (1u << (s))
#define TDISP_STATES_ALL 0x0Fu

/* ---- ERROR_CODE of TDISP_ERROR.  §11.3 Table 11-27 ---- */
#define TDISP_ERR_INVALID_REQUEST 0x0001u
#define TDISP_ERR_BUSY 0x0003u
#define TDISP_ERR_INVALID_INTERFACE_STATE 0x0004u
#define TDISP_ERR_UNSPECIFIED 0x0005u
#define TDISP_ERR_UNSUPPORTED_REQUEST 0x0007u /* ERROR_DATA = the request code */
#define TDISP_ERR_VERSION_MISMATCH 0x0041u
#define TDISP_ERR_VENDOR_SPECIFIC_ERROR 0x00FFu /* ERROR_DATA = EXTENDED_ERROR_DATA length */
#define TDISP_ERR_INVALID_INTERFACE 0x0101u
#define TDISP_ERR_INVALID_NONCE 0x0102u
#define TDISP_ERR_INSUFFICIENT_ENTROPY 0x0103u
#define TDISP_ERR_INVALID_DEVICE_CONFIGURATION 0x0104u

/* RegistryID of vendor-defined data (TDISP_ERROR extended data, VDM messages). */
#define TDISP_REGISTRY_PCISIG 0u
#define TDISP_REGISTRY_CXL 1u

/* ---- INTERFACE_ID.FUNCTION_ID.  §11.3 ---- */
#define TDISP_FUNCTION_ID_RID_MASK 0x0000FFFFu
#define TDISP_FUNCTION_ID_SEGMENT_SHIFT 16u
#define TDISP_FUNCTION_ID_SEGMENT_MASK 0x00FF0000u
#define TDISP_FUNCTION_ID_SEGMENT_VALID (1u << 24)
#define TDISP_FUNCTION_ID_RESERVED 0xFE000000u

/* ---- LOCK_INTERFACE_REQUEST FLAGS (also LOCK_INTERFACE_FLAGS_SUPPORTED).  §11.3 ---- */
#define TDISP_LOCK_NO_FW_UPDATE (1u << 0)
#define TDISP_LOCK_SYSTEM_CACHE_LINE_SIZE (1u << 1) /* 0: 64 B, 1: 128 B (facts: UNVERIFIED) */
#define TDISP_LOCK_LOCK_MSIX (1u << 2)
#define TDISP_LOCK_BIND_P2P (1u << 3)
#define TDISP_LOCK_ALL_REQUEST_REDIRECT (1u << 4)
#define TDISP_LOCK_RESERVED 0xFFE0u

/* ---- the TDI report.  §11.3.11 ---- */
#define TDI_REPORT_HEADER_SIZE 16u /* up to and with MMIO_RANGE_COUNT */
#define TDI_REPORT_MIN_SIZE 20u    /* no ranges, DEVICE_SPECIFIC_INFO_LEN 0 */
#define TDI_INFO_NO_FW_UPDATE (1u << 0)
#define TDI_INFO_DMA_NO_PASID (1u << 1)
#define TDI_INFO_DMA_PASID (1u << 2)
#define TDI_INFO_ATS (1u << 3)
#define TDI_INFO_PRS (1u << 4)
#define TDI_INFO_RESERVED 0xFFE0u
#define TDI_RANGE_MSIX_TABLE (1u << 0)
#define TDI_RANGE_MSIX_PBA (1u << 1)
#define TDI_RANGE_NON_TEE_MEM (1u << 2)
#define TDI_RANGE_MEM_ATTR_UPDATABLE (1u << 3)
#define TDI_RANGE_RESERVED 0xFFF0u /* attribute bits 15:4; bits 31:16 are the Range ID */
#define TDI_PAGE_SHIFT 12u         /* FirstPage counts 4 KiB pages */

/* The header every message starts with (a first look, before choosing a decoder). */
struct tdisp_header {
        uint8_t version; /* TDISPVersion */
        uint8_t type;    /* MessageType */
        uint32_t function_id;
};
/* Checks the length (>= 17) and the protocol ID only: any version and type pass. */
bool tdisp_header_decode(const uint8_t *in, size_t len, struct tdisp_header *out, char *why) TDISP_MUST_CHECK;

/* Header-only messages: GET_TDISP_VERSION, GET_DEVICE_INTERFACE_STATE, STOP_INTERFACE_REQUEST
 * and START/STOP/BIND_P2P/UNBIND_P2P/SET_MMIO_ATTRIBUTE responses (17 bytes). */
struct tdisp_bare {
        uint32_t function_id;
};

/* TDISP_VERSION: VERSION_NUM_COUNT (>= 1) then that many version bytes.  §11.3 */
struct tdisp_version {
        uint32_t function_id;
        uint8_t version_count;
        const uint8_t *versions; /* version_count bytes */
};

/* GET_TDISP_CAPABILITIES.  §11.3 */
struct tdisp_get_capabilities {
        uint32_t function_id;
        uint32_t tsm_caps; /* all bits reserved in 1.0 */
};

/* TDISP_CAPABILITIES.  §11.3 */
struct tdisp_capabilities {
        uint32_t function_id;
        uint32_t dsm_caps; /* all bits reserved in 1.0 */
        uint8_t req_msgs_supported[TDISP_REQ_MSGS_SUPPORTED_SIZE]; /* bit i: request 0x80 + i */
        uint16_t lock_flags_supported;                            /* TDISP_LOCK_* */
        uint8_t dev_addr_width;
        uint8_t num_req_this;
        uint8_t num_req_all;
};
/* Whether caps names request code `req` (0x80..0xFF) as supported. */
bool tdisp_caps_supports(const struct tdisp_capabilities *caps, uint8_t req);

/* LOCK_INTERFACE_REQUEST.  §11.3. MMIO_REPORTING_OFFSET is added modulo 2^64 to every
 * reported MMIO address (the same bits whether it is read as signed or unsigned). */
struct tdisp_lock_interface_request {
        uint32_t function_id;
        uint16_t flags; /* TDISP_LOCK_* */
        uint8_t default_stream_id;
        uint64_t mmio_reporting_offset;
        uint64_t bind_p2p_address_mask;
};

/* LOCK_INTERFACE_RESPONSE and START_INTERFACE_REQUEST: the START_INTERFACE_NONCE. */
struct tdisp_nonce_msg {
        uint32_t function_id;
        uint8_t nonce[TDISP_NONCE_SIZE];
};

/* GET_DEVICE_INTERFACE_REPORT.  §11.3: OFFSET 0 first, then the sum of the portions
 * received; LENGTH the most the requester takes in one response. */
struct tdisp_get_report {
        uint32_t function_id;
        uint16_t offset;
        uint16_t length;
};

/* DEVICE_INTERFACE_REPORT: one portion of the report.  §11.3 */
struct tdisp_report_portion {
        uint32_t function_id;
        uint16_t portion_length;
        uint16_t remainder_length; /* 0 on the last portion */
        const uint8_t *portion;    /* portion_length bytes */
};

/* DEVICE_INTERFACE_STATE: TDI_STATE 0..3 (others are refused).  §11.3 */
struct tdisp_interface_state {
        uint32_t function_id;
        uint8_t tdi_state; /* TDISP_STATE_* */
};

/* BIND_P2P_STREAM_REQUEST / UNBIND_P2P_STREAM_REQUEST.  §11.3 */
struct tdisp_p2p_stream {
        uint32_t function_id;
        uint8_t p2p_stream_id;
};

/* One MMIO range of the report (also SET_MMIO_ATTRIBUTE_REQUEST's).  §11.3.11 */
struct tdi_mmio_range {
        uint64_t first_page; /* 4 KiB page number, MMIO_REPORTING_OFFSET included */
        uint32_t num_pages;
        uint16_t attributes; /* TDI_RANGE_* (RangeAttributes bits 15:0) */
        uint16_t range_id;   /* RangeAttributes bits 31:16 */
};

/* SET_MMIO_ATTRIBUTE_REQUEST.  §11.3 */
struct tdisp_set_mmio_attribute {
        uint32_t function_id;
        struct tdi_mmio_range range;
};

/* Vendor-defined data: RegistryID (0 PCI-SIG, 1 CXL; others refused) | VendorIDLen |
 * VendorID | vendor bytes. The VDM messages and VENDOR_SPECIFIC_ERROR carry it raw. */
struct tdisp_vendor_data {
        uint8_t registry_id;
        uint8_t vendor_id_len;
        const uint8_t *vendor_id;
        size_t data_len;
        const uint8_t *data;
};

/* VDM_REQUEST / VDM_RESPONSE.  §11.3 */
struct tdisp_vdm {
        uint32_t function_id;
        struct tdisp_vendor_data vendor;
};

/* TDISP_ERROR.  §11.3. Any ERROR_CODE is accepted (tdisp_error_name names the known
 * ones). For VENDOR_SPECIFIC_ERROR, ERROR_DATA must equal the length of the extended data,
 * which must parse as vendor data (into .vendor); every other code carries no extended data
 * (ccada's reading of Table 11-27, which defines it only for vendor errors). The encoder
 * writes a VENDOR_SPECIFIC_ERROR's ERROR_DATA and extended data from .vendor (ignoring
 * .error_data and .ext) and refuses other codes with ext_len != 0. */
struct tdisp_error {
        uint32_t function_id;
        uint32_t error_code; /* TDISP_ERR_* */
        uint32_t error_data;
        size_t ext_len;
        const uint8_t *ext;              /* the EXTENDED_ERROR_DATA bytes */
        struct tdisp_vendor_data vendor; /* VENDOR_SPECIFIC_ERROR only */
};

#define TDISP_CODEC(name, type)                                                                                        \
        bool tdisp_##name##_decode(const uint8_t *in, size_t len, struct type *out, char *why) TDISP_MUST_CHECK;      \
        bool tdisp_##name##_encode(uint8_t *out, size_t cap, const struct type *m, size_t *len) TDISP_MUST_CHECK

TDISP_CODEC(get_version, tdisp_bare);                        /* 0x81, 17 bytes */
TDISP_CODEC(version, tdisp_version);                         /* 0x01, 18 + count */
TDISP_CODEC(get_capabilities, tdisp_get_capabilities);       /* 0x82, 21 */
TDISP_CODEC(capabilities, tdisp_capabilities);               /* 0x02, 45 */
TDISP_CODEC(lock_interface_request, tdisp_lock_interface_request); /* 0x83, 37 */
TDISP_CODEC(lock_interface_response, tdisp_nonce_msg);       /* 0x03, 49 */
TDISP_CODEC(get_device_interface_report, tdisp_get_report);  /* 0x84, 21 */
TDISP_CODEC(device_interface_report, tdisp_report_portion);  /* 0x04, 21 + portion */
TDISP_CODEC(get_device_interface_state, tdisp_bare);         /* 0x85, 17 */
TDISP_CODEC(device_interface_state, tdisp_interface_state);  /* 0x05, 18 */
TDISP_CODEC(start_interface_request, tdisp_nonce_msg);       /* 0x86, 49 */
TDISP_CODEC(start_interface_response, tdisp_bare);           /* 0x06, 17 */
TDISP_CODEC(stop_interface_request, tdisp_bare);             /* 0x87, 17 */
TDISP_CODEC(stop_interface_response, tdisp_bare);            /* 0x07, 17 */
TDISP_CODEC(bind_p2p_stream_request, tdisp_p2p_stream);      /* 0x88, 18 */
TDISP_CODEC(bind_p2p_stream_response, tdisp_bare);           /* 0x08, 17 */
TDISP_CODEC(unbind_p2p_stream_request, tdisp_p2p_stream);    /* 0x89, 18 */
TDISP_CODEC(unbind_p2p_stream_response, tdisp_bare);         /* 0x09, 17 */
TDISP_CODEC(set_mmio_attribute_request, tdisp_set_mmio_attribute); /* 0x8A, 33 */
TDISP_CODEC(set_mmio_attribute_response, tdisp_bare);        /* 0x0A, 17 */
TDISP_CODEC(vdm_request, tdisp_vdm);                         /* 0x8B, 19 + vendor id + data */
TDISP_CODEC(vdm_response, tdisp_vdm);                        /* 0x0B, 19 + vendor id + data */
TDISP_CODEC(error, tdisp_error);                             /* 0x7F, 25 (+ extended data) */

#undef TDISP_CODEC

/* ---- the TDI report (the bytes the DEVICE_INTERFACE_REPORT portions add up to) ----
 * INTERFACE_INFO(2) | Reserved(2) | MSI_X_MESSAGE_CONTROL(2) | LNR_CONTROL(2) |
 * TPH_CONTROL(4) | MMIO_RANGE_COUNT(4) | MMIO_RANGE[N] (16 each) | DEVICE_SPECIFIC_INFO_LEN(4)
 * | DEVICE_SPECIFIC_INFO.                                          §11.3.11 */
struct tdi_report {
        uint16_t interface_info; /* TDI_INFO_* */
        uint16_t msi_x_message_control;
        uint16_t lnr_control;
        uint32_t tph_control;
        uint32_t range_count;
        const struct tdi_mmio_range *ranges; /* range_count entries (the decoder's: the caller's storage) */
        uint32_t device_info_len;
        const uint8_t *device_info; /* device_info_len bytes, into the decoder's input */
};

/* Decodes a whole report into *out, its ranges into ranges[0..ranges_cap). Structural checks
 * only (the spec's layout): at least 20 bytes, MMIO_RANGE_COUNT ranges and then
 * DEVICE_SPECIFIC_INFO_LEN bytes exactly filling len, and no more ranges than ranges_cap
 * (the caller's room: a local limit, the reason says so). On failure *out is zero and the
 * first min(range_count, ranges_cap) entries of ranges are zeroed. */
bool tdi_report_decode(const uint8_t *in, size_t len, struct tdi_report *out, struct tdi_mmio_range *ranges,
                       size_t ranges_cap, char *why) TDISP_MUST_CHECK;
/* The report's size (20 + 16 N + L), 0 if it does not fit a size_t. */
size_t tdi_report_size(const struct tdi_report *r);
bool tdi_report_encode(uint8_t *out, size_t cap, const struct tdi_report *r, size_t *len) TDISP_MUST_CHECK;

/* What the requester asked for in LOCK_INTERFACE_REQUEST, for tdi_report_check. */
struct tdi_report_policy {
        uint16_t lock_flags;            /* the FLAGS sent */
        uint64_t mmio_reporting_offset; /* the MMIO_REPORTING_OFFSET sent */
};
/* The checks a Realm (or the TSM for it) makes before trusting a report, in this order:
 *   spec  (§11.3.11) MSI-X Table / PBA attributes only when LOCK_MSIX was requested;
 *   ccada INTERFACE_INFO bits 15:5 and RangeAttributes bits 15:4 are zero (the spec only
 *         reserves them: a Realm does not accept a property it cannot understand);
 *   ccada every range has at least one page;
 *   ccada FirstPage << 12 minus MMIO_REPORTING_OFFSET, and its end, lie in the 64-bit
 *         address space without wrapping (so addresses are page-aligned and exact);
 *   ccada no two ranges overlap (the spec makes LOCK fail with INVALID_DEVICE_CONFIGURATION
 *         for overlapping BARs, so a report that overlaps describes a refused configuration).
 * Not checked: the ascending-BAR order and the BEI meaning of Range IDs 0-7 (§11.3.11),
 * which the report alone cannot show. False with why on the first failure. */
bool tdi_report_check(const struct tdi_report *r, const struct tdi_report_policy *p, char *why) TDISP_MUST_CHECK;
/* A range's host-physical base and size in bytes: base = (first_page << 12) -
 * mmio_reporting_offset (mod 2^64). False if the range does not fit the address space. */
bool tdi_mmio_range_addr(const struct tdi_mmio_range *rg, uint64_t mmio_reporting_offset, uint64_t *base,
                         uint64_t *size) TDISP_MUST_CHECK;

/* ---- reassembly of the report from DEVICE_INTERFACE_REPORT portions ----
 * A requester asks GET_DEVICE_INTERFACE_REPORT(offset = tdi_report_asm_next(), length) until
 * tdi_report_asm_done(), and hands each request with its decoded response to
 * tdi_report_asm_add, which refuses a response that does not answer the request: another
 * INTERFACE_ID, an OFFSET that is not the bytes held so far, PORTION_LENGTH 0 or above the
 * requested LENGTH, a total (OFFSET + PORTION_LENGTH + REMAINDER_LENGTH) that differs from
 * the first portion's or exceeds cap, or a next OFFSET that would not fit 16 bits. A refusal
 * breaks the assembly for good (sticky), as does an add after the last portion. */
struct tdi_report_asm {
        uint8_t *buf; /* the caller's, cap bytes */
        size_t cap;
        size_t have;
        size_t total; /* known after the first portion */
        bool started, done, broken;
};
void tdi_report_asm_init(struct tdi_report_asm *a, uint8_t *buf, size_t cap);
uint16_t tdi_report_asm_next(const struct tdi_report_asm *a); /* the next OFFSET to ask for */
bool tdi_report_asm_add(struct tdi_report_asm *a, const struct tdisp_get_report *req,
                        const struct tdisp_report_portion *rsp, char *why) TDISP_MUST_CHECK;
bool tdi_report_asm_done(const struct tdi_report_asm *a);

/* ---- names for logs ---- */
const char *tdisp_code_name(uint8_t type);        /* "GET_TDISP_VERSION", ..., "UNKNOWN" */
const char *tdisp_error_name(uint32_t code);      /* "INVALID_REQUEST", ..., "UNKNOWN" */
const char *tdisp_state_name(uint8_t state);      /* "CONFIG_UNLOCKED", ..., "UNKNOWN" */
/* The TDI states in which a request code is legal (TDISP_STATE_BIT mask; §11.3;
 * VDM_REQUEST: not stated, so all), 0 for a code that is not a request. */
uint8_t tdisp_request_legal_states(uint8_t req);

#endif
