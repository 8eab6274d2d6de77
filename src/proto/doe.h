/* PCIe Data Object Exchange (DOE): data objects, DOE Discovery, and the constants of the
 * DOE extended capability.  PCIe 6.0 §6.30 (DOE), §7.9.24 (the capability);
 * facts: ../shared/facts/spdm-tdisp-ide.md §3.
 *
 * A data object is a 2-DW header followed by a payload of whole DWs, every DW little-endian:
 *
 *     DW0  bits 15:0  Vendor ID (0x0001 = PCI-SIG)
 *          bits 23:16 Data Object Type
 *          bits 31:24 Reserved
 *     DW1  bits 17:0  Length in DW, the 2 header DWs included; 0 means 2^18 DW (1 MiB)
 *          bits 31:18 Reserved
 *
 * The payload is zero-padded to a DW multiple: a consumer of the payload (SPDM, a secured
 * record) finds its real length from its own fields and never counts the pad (facts §3.3).
 *
 * Reserved bits: encoders write them as zero; decoders IGNORE them. PCIe's convention for
 * Reserved fields is "transmitter writes 0, receiver ignores" (PCIe 6.0 §1.x terms, the
 * rule TLP headers follow), so a newer peer that gives them a meaning is not refused.
 * (The exact wording for DOE headers was not checked against the spec text: UNVERIFIED.)
 *
 * Discovery (vendor 0x0001, type 0) payloads are one DW each:
 *     request   bits 7:0 Index, bits 15:8 Version (PCIe 6.1+, 0 before), rest reserved
 *     response  bits 15:0 Vendor ID, bits 23:16 Data Object Type, bits 31:24 Next Index
 *               (0 = this was the last entry)
 *
 * Decoders set `why` (DOE_WHY_LEN bytes, may be NULL) on refusal and leave the output
 * zeroed, so a refused object never looks half decoded.
 */
#ifndef CCADA_PROTO_DOE_H
#define CCADA_PROTO_DOE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Vendor and data object types.  PCIe 6.0 §6.30.1.1, §6.31.3, §6.31.4; facts §3.1 */
#define DOE_VENDOR_PCI_SIG 0x0001u
#define DOE_TYPE_DISCOVERY 0x00u
#define DOE_TYPE_CMA_SPDM 0x01u         /* plain SPDM messages */
#define DOE_TYPE_SECURED_CMA_SPDM 0x02u /* DSP0277 secured records */

/* Sizes. */
#define DOE_DW 4u
#define DOE_HEADER_DW 2u
#define DOE_HEADER_SIZE (DOE_HEADER_DW * DOE_DW)
#define DOE_MAX_DW (1u << 18)                      /* PCIe 6.0 §6.30.1: 2^18 DW, encoded as 0 */
#define DOE_MAX_OBJECT_SIZE (DOE_MAX_DW * DOE_DW) /* 1 MiB */
#define DOE_MAX_PAYLOAD_SIZE (DOE_MAX_OBJECT_SIZE - DOE_HEADER_SIZE)
#define DOE_LENGTH_MASK 0x3ffffu
#define DOE_DISCOVERY_OBJECT_SIZE (DOE_HEADER_SIZE + DOE_DW) /* 3 DW */

/* The DOE extended capability.  PCIe 6.0 §7.9.24; facts §3.2 */
#define DOE_EXT_CAP_ID 0x002Eu
#define DOE_EXT_CAP_VERSION 0x1u /* Linux pci_regs.h, EDK2 and QEMU all use 1: UNVERIFIED in the spec */
#define DOE_REG_EXT_CAP_HEADER 0x00u
#define DOE_REG_CAP 0x04u
#define DOE_REG_CTRL 0x08u
#define DOE_REG_STATUS 0x0Cu
#define DOE_REG_WRITE_MAILBOX 0x10u
#define DOE_REG_READ_MAILBOX 0x14u
#define DOE_CAP_SIZE 0x18u

#define DOE_CAP_INT_SUPPORT 0x00000001u
#define DOE_CAP_INT_MSG_NUM_MASK 0x00000FFEu /* bits 11:1 */
#define DOE_CTRL_ABORT 0x00000001u
#define DOE_CTRL_INT_EN 0x00000002u
#define DOE_CTRL_GO 0x80000000u
#define DOE_STATUS_BUSY 0x00000001u
#define DOE_STATUS_INT_STATUS 0x00000002u
#define DOE_STATUS_ERROR 0x00000004u
#define DOE_STATUS_DATA_OBJECT_READY 0x80000000u

#define DOE_WHY_LEN 96u

struct doe_header {
        uint16_t vendor;
        uint8_t type;
        uint32_t length_dw; /* 2 .. DOE_MAX_DW, already decoded (the wire's 0 is 2^18 here) */
};

/* A decoded object: views into the caller's buffer, valid while that buffer is. */
struct doe_object {
        uint16_t vendor;
        uint8_t type;
        const uint8_t *payload; /* after the header */
        size_t payload_len;     /* length_dw * 4 - 8: the pad bytes are included */
};

struct doe_discovery_req {
        uint8_t index;
        uint8_t version; /* PCIe 6.1+; 0 before */
};

struct doe_discovery_rsp {
        uint16_t vendor;
        uint8_t type;
        uint8_t next_index; /* 0 = last entry */
};

/* Writes the 8 header bytes. Refuses (false, nothing written) out_len < 8 or a length_dw
 * outside 2 .. DOE_MAX_DW; DOE_MAX_DW is written as 0. */
bool doe_header_encode(uint8_t *out, size_t out_len, const struct doe_header *h);

/* Reads the first 8 bytes of in. Refuses fewer than 8 bytes and a length below 2 DW
 * (0 decodes to DOE_MAX_DW). Reserved bits are ignored. On refusal *h is zeroed. */
bool doe_header_decode(const uint8_t *in, size_t in_len, struct doe_header *h, char *why);

/* The number of bytes of an object carrying payload_len bytes: header + payload rounded up
 * to a DW. False when that exceeds DOE_MAX_OBJECT_SIZE. */
bool doe_object_size(size_t payload_len, size_t *size);

/* Writes header ‖ payload ‖ zero pad to a DW multiple into out. Refuses (false, *out_len 0)
 * a payload that makes the object longer than 2^18 DW, or an out buffer that is too small.
 * payload may be NULL when payload_len is 0. */
bool doe_object_encode(uint16_t vendor, uint8_t type, const uint8_t *payload, size_t payload_len, uint8_t *out,
                       size_t out_cap, size_t *out_len);

/* Decodes one whole object: in_len must equal the header's length in bytes exactly (so it
 * is a DW multiple and at least 8). Refuses a short header, a length below 2 DW, and a
 * length that disagrees with in_len. On refusal *obj is zeroed. */
bool doe_object_decode(const uint8_t *in, size_t in_len, struct doe_object *obj, char *why);

/* Discovery payloads (one DW, not the whole object). Encoders need out_len >= 4. Decoders
 * need exactly 4 bytes (a discovery object is 3 DW); reserved bits are ignored. */
bool doe_discovery_req_encode(uint8_t *out, size_t out_len, const struct doe_discovery_req *req);
bool doe_discovery_req_decode(const uint8_t *in, size_t in_len, struct doe_discovery_req *req, char *why);
bool doe_discovery_rsp_encode(uint8_t *out, size_t out_len, const struct doe_discovery_rsp *rsp);
bool doe_discovery_rsp_decode(const uint8_t *in, size_t in_len, struct doe_discovery_rsp *rsp, char *why);

/* "DISCOVERY", "CMA_SPDM", "SECURED_CMA_SPDM" for PCI-SIG types, "?" otherwise. */
const char *doe_type_name(uint16_t vendor, uint8_t type);

#endif
