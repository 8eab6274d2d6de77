/* SPDM 1.2 messages (DSP0274 1.2.1): codes, error codes, capability and algorithm bits, and
 * one encode/decode pair per message, shared by the requester (src/rmm, the TSM) and the
 * responder (src/device). No policy: which message may come when, and what a value means for
 * the conversation, is the caller's.
 *
 * Conventions (every message below):
 *  - Every multi-byte field is little-endian; every message starts with the 4-byte header
 *    SPDMVersion | RequestResponseCode | Param1 | Param2.              DSP0274 1.2.1 §9
 *  - `struct spdm_sizes` carries what the negotiation fixed (the version byte, H, S, D...).
 *    GET_VERSION and VERSION always carry 0x10. Every other decoder requires the header's
 *    version to equal sz->version, and sz->version to be one whose layout of that message is
 *    implemented here (1.2; GET_CAPABILITIES/CAPABILITIES also 1.0 and 1.1; messages that
 *    exist since 1.1 also 1.1, where their layout is the same). Encoders write sz->version.
 *  - Decoders: bool spdm_<msg>_decode(in, len, sz, [request facts,] out, used, why).
 *    On success *out describes the message and *used is its exact length computed from its
 *    own fields (bytes past *used are the caller's: a DOE object may add 1-3 zero bytes, see
 *    spdm_trailing_pad_ok()). Variable-length fields are pointers INTO `in` (valid as long as
 *    `in` is) with their lengths; an absent optional field is NULL with length 0. On failure
 *    *out is all zero, *used is 0 and why (SPDM_WHY_LEN bytes, may be NULL) says what was wrong.
 *    Reserved fields are ignored on decode (DSP0274 §9.2) and written as zero on encode.
 *  - Encoders: bool spdm_<msg>_encode(out, cap, m, sz, len): false (and *len 0) if cap is too
 *    small, a field the message needs is NULL, or a field does not fit its wire width.
 *  - A message that ends with a Signature gives sig_off, the offset of the Signature from the
 *    start of the message: transcripts hash the message "without Signature" (DSP0274 §10.*).
 */
#ifndef CCADA_PROTO_SPDM_H
#define CCADA_PROTO_SPDM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SPDM_MUST_CHECK __attribute__((warn_unused_result))

/* Room for a decoder's reason. */
#define SPDM_WHY_LEN 128

/* ---- versions: SPDMVersion byte = major << 4 | minor.  DSP0274 1.2.1 §9 ---- */
#define SPDM_VERSION_10 0x10u
#define SPDM_VERSION_11 0x11u
#define SPDM_VERSION_12 0x12u
#define SPDM_VERSION_13 0x13u
#define SPDM_VERSION_14 0x14u

/* A VERSION entry (u16): bits 15:12 major, 11:8 minor, 7:4 update, 3:0 alpha. */
#define SPDM_VERSION_ENTRY(ver_byte) ((uint16_t)((unsigned)(ver_byte) << 8))
#define SPDM_VERSION_ENTRY_BYTE(entry) ((uint8_t)((entry) >> 8))
#define SPDM_VERSION_ENTRIES_MAX 16u

/* ---- request / response codes.  DSP0274 1.2.1 §10 Table 4/5 ---- */
#define SPDM_DIGESTS 0x01u
#define SPDM_CERTIFICATE 0x02u
#define SPDM_CHALLENGE_AUTH 0x03u
#define SPDM_VERSION 0x04u
#define SPDM_CHUNK_SEND_ACK 0x05u
#define SPDM_CHUNK_RESPONSE 0x06u
#define SPDM_ENDPOINT_INFO 0x07u
#define SPDM_MEASUREMENTS 0x60u
#define SPDM_CAPABILITIES 0x61u
#define SPDM_SUPPORTED_EVENT_TYPES 0x62u
#define SPDM_ALGORITHMS 0x63u
#define SPDM_KEY_EXCHANGE_RSP 0x64u
#define SPDM_FINISH_RSP 0x65u
#define SPDM_PSK_EXCHANGE_RSP 0x66u
#define SPDM_PSK_FINISH_RSP 0x67u
#define SPDM_HEARTBEAT_ACK 0x68u
#define SPDM_KEY_UPDATE_ACK 0x69u
#define SPDM_ENCAPSULATED_REQUEST 0x6Au
#define SPDM_ENCAPSULATED_RESPONSE_ACK 0x6Bu
#define SPDM_END_SESSION_ACK 0x6Cu
#define SPDM_CSR 0x6Du
#define SPDM_SET_CERTIFICATE_RSP 0x6Eu
#define SPDM_MEASUREMENT_EXTENSION_LOG 0x6Fu
#define SPDM_SUBSCRIBE_EVENT_TYPES_ACK 0x70u
#define SPDM_EVENT_ACK 0x71u
#define SPDM_KEY_PAIR_INFO 0x7Cu
#define SPDM_SET_KEY_PAIR_INFO_ACK 0x7Du
#define SPDM_VENDOR_DEFINED_RESPONSE 0x7Eu
#define SPDM_ERROR 0x7Fu
#define SPDM_GET_DIGESTS 0x81u
#define SPDM_GET_CERTIFICATE 0x82u
#define SPDM_CHALLENGE 0x83u
#define SPDM_GET_VERSION 0x84u
#define SPDM_CHUNK_SEND 0x85u
#define SPDM_CHUNK_GET 0x86u
#define SPDM_GET_ENDPOINT_INFO 0x87u
#define SPDM_GET_MEASUREMENTS 0xE0u
#define SPDM_GET_CAPABILITIES 0xE1u
#define SPDM_GET_SUPPORTED_EVENT_TYPES 0xE2u
#define SPDM_NEGOTIATE_ALGORITHMS 0xE3u
#define SPDM_KEY_EXCHANGE 0xE4u
#define SPDM_FINISH 0xE5u
#define SPDM_PSK_EXCHANGE 0xE6u
#define SPDM_PSK_FINISH 0xE7u
#define SPDM_HEARTBEAT 0xE8u
#define SPDM_KEY_UPDATE 0xE9u
#define SPDM_GET_ENCAPSULATED_REQUEST 0xEAu
#define SPDM_DELIVER_ENCAPSULATED_RESPONSE 0xEBu
#define SPDM_END_SESSION 0xECu
#define SPDM_GET_CSR 0xEDu
#define SPDM_SET_CERTIFICATE 0xEEu
#define SPDM_GET_MEASUREMENT_EXTENSION_LOG 0xEFu
#define SPDM_SUBSCRIBE_EVENT_TYPES 0xF0u
#define SPDM_SEND_EVENT 0xF1u
#define SPDM_GET_KEY_PAIR_INFO 0xFCu
#define SPDM_SET_KEY_PAIR_INFO 0xFDu
#define SPDM_VENDOR_DEFINED_REQUEST 0xFEu
#define SPDM_RESPOND_IF_READY 0xFFu

/* ---- ERROR ErrorCode (Param1).  DSP0274 1.2.1 §10.8 Table 48 ---- */
#define SPDM_ERR_INVALID_REQUEST 0x01u
#define SPDM_ERR_BUSY 0x03u
#define SPDM_ERR_UNEXPECTED_REQUEST 0x04u
#define SPDM_ERR_UNSPECIFIED 0x05u
#define SPDM_ERR_DECRYPT_ERROR 0x06u
#define SPDM_ERR_UNSUPPORTED_REQUEST 0x07u /* ErrorData = the request code */
#define SPDM_ERR_REQUEST_IN_FLIGHT 0x08u
#define SPDM_ERR_INVALID_RESPONSE_CODE 0x09u
#define SPDM_ERR_SESSION_LIMIT_EXCEEDED 0x0Au
#define SPDM_ERR_SESSION_REQUIRED 0x0Bu
#define SPDM_ERR_RESET_REQUIRED 0x0Cu
#define SPDM_ERR_RESPONSE_TOO_LARGE 0x0Du
#define SPDM_ERR_REQUEST_TOO_LARGE 0x0Eu
#define SPDM_ERR_LARGE_RESPONSE 0x0Fu /* ExtendedErrorData = Handle(1) */
#define SPDM_ERR_MESSAGE_LOST 0x10u
#define SPDM_ERR_INVALID_POLICY 0x11u /* 1.3 */
#define SPDM_ERR_DATA_TOO_LARGE 0x12u /* 1.4 */
#define SPDM_ERR_VERSION_MISMATCH 0x41u
#define SPDM_ERR_RESPONSE_NOT_READY 0x42u /* ExtendedErrorData = RDTExponent, RequestCode, Token, RDTM */
#define SPDM_ERR_REQUEST_RESYNCH 0x43u
#define SPDM_ERR_OPERATION_FAILED 0x44u /* 1.3 */
#define SPDM_ERR_NO_PENDING_REQUESTS 0x45u /* 1.3 */
#define SPDM_ERR_REQUEST_SESSION_TERMINATED 0x46u /* 1.4 */
#define SPDM_ERR_INVALID_STATE 0x47u /* 1.4 */
#define SPDM_ERR_VENDOR_DEFINED 0xFFu
#define SPDM_ERROR_EXT_MAX 32u /* ExtendedErrorData is at most 32 bytes */

/* ---- capability flags (GET_CAPABILITIES / CAPABILITIES Flags).  DSP0274 1.2.1 §10.4 ---- */
#define SPDM_CAP_CACHE (1u << 0)
#define SPDM_CAP_CERT (1u << 1)
#define SPDM_CAP_CHAL (1u << 2)
#define SPDM_CAP_MEAS_SHIFT 3u /* 2-bit field */
#define SPDM_CAP_MEAS_MASK (3u << SPDM_CAP_MEAS_SHIFT)
#define SPDM_CAP_MEAS_NO_SIG (1u << SPDM_CAP_MEAS_SHIFT)
#define SPDM_CAP_MEAS_SIG (2u << SPDM_CAP_MEAS_SHIFT)
#define SPDM_CAP_MEAS_FRESH (1u << 5)
#define SPDM_CAP_ENCRYPT (1u << 6)
#define SPDM_CAP_MAC (1u << 7)
#define SPDM_CAP_MUT_AUTH (1u << 8)
#define SPDM_CAP_KEY_EX (1u << 9)
#define SPDM_CAP_PSK_SHIFT 10u /* 2-bit field */
#define SPDM_CAP_PSK_MASK (3u << SPDM_CAP_PSK_SHIFT)
#define SPDM_CAP_PSK (1u << SPDM_CAP_PSK_SHIFT)
#define SPDM_CAP_PSK_WITH_CONTEXT (2u << SPDM_CAP_PSK_SHIFT)
#define SPDM_CAP_ENCAP (1u << 12)
#define SPDM_CAP_HBEAT (1u << 13)
#define SPDM_CAP_KEY_UPD (1u << 14)
#define SPDM_CAP_HANDSHAKE_IN_THE_CLEAR (1u << 15)
#define SPDM_CAP_PUB_KEY_ID (1u << 16)
#define SPDM_CAP_CHUNK (1u << 17)
#define SPDM_CAP_ALIAS_CERT (1u << 18)
#define SPDM_CAP_SET_CERT (1u << 19)
#define SPDM_CAP_CSR (1u << 20)
#define SPDM_CAP_CERT_INSTALL_RESET (1u << 21)
#define SPDM_CAP_EP_INFO_SHIFT 22u /* 1.3, 2-bit field */
#define SPDM_CAP_EP_INFO_MASK (3u << SPDM_CAP_EP_INFO_SHIFT)
#define SPDM_CAP_MEL (1u << 24)
#define SPDM_CAP_EVENT (1u << 25)
#define SPDM_CAP_MULTI_KEY_SHIFT 26u /* 1.3, 2-bit field */
#define SPDM_CAP_MULTI_KEY_MASK (3u << SPDM_CAP_MULTI_KEY_SHIFT)
#define SPDM_CAP_GET_KEY_PAIR_INFO (1u << 28)
#define SPDM_CAP_SET_KEY_PAIR_INFO (1u << 29)
#define SPDM_CAP_LARGE_RESP (1u << 31)
#define SPDM_MIN_DATA_TRANSFER_SIZE_12 42u /* DSP0274 1.2.1 §10.4: DataTransferSize >= 42 */

/* ---- algorithms.  DSP0274 1.2.1 §10.5 Tables 15-19 ---- */
#define SPDM_ASYM_RSASSA_2048 0x0001u
#define SPDM_ASYM_RSAPSS_2048 0x0002u
#define SPDM_ASYM_RSASSA_3072 0x0004u
#define SPDM_ASYM_RSAPSS_3072 0x0008u
#define SPDM_ASYM_ECDSA_P256 0x0010u
#define SPDM_ASYM_RSASSA_4096 0x0020u
#define SPDM_ASYM_RSAPSS_4096 0x0040u
#define SPDM_ASYM_ECDSA_P384 0x0080u
#define SPDM_ASYM_ECDSA_P521 0x0100u
#define SPDM_ASYM_SM2_P256 0x0200u
#define SPDM_ASYM_EDDSA_25519 0x0400u
#define SPDM_ASYM_EDDSA_448 0x0800u

#define SPDM_HASH_SHA_256 0x01u
#define SPDM_HASH_SHA_384 0x02u
#define SPDM_HASH_SHA_512 0x04u
#define SPDM_HASH_SHA3_256 0x08u
#define SPDM_HASH_SHA3_384 0x10u
#define SPDM_HASH_SHA3_512 0x20u
#define SPDM_HASH_SM3_256 0x40u

#define SPDM_MEAS_HASH_RAW 0x01u
#define SPDM_MEAS_HASH_SHA_256 0x02u
#define SPDM_MEAS_HASH_SHA_384 0x04u
#define SPDM_MEAS_HASH_SHA_512 0x08u
#define SPDM_MEAS_HASH_SHA3_256 0x10u
#define SPDM_MEAS_HASH_SHA3_384 0x20u
#define SPDM_MEAS_HASH_SHA3_512 0x40u
#define SPDM_MEAS_HASH_SM3_256 0x80u

#define SPDM_DHE_FFDHE_2048 0x0001u
#define SPDM_DHE_FFDHE_3072 0x0002u
#define SPDM_DHE_FFDHE_4096 0x0004u
#define SPDM_DHE_SECP256R1 0x0008u
#define SPDM_DHE_SECP384R1 0x0010u
#define SPDM_DHE_SECP521R1 0x0020u
#define SPDM_DHE_SM2_P256 0x0040u

#define SPDM_AEAD_AES_128_GCM 0x0001u
#define SPDM_AEAD_AES_256_GCM 0x0002u
#define SPDM_AEAD_CHACHA20_POLY1305 0x0004u
#define SPDM_AEAD_SM4_GCM 0x0008u

#define SPDM_KEY_SCHEDULE_SPDM 0x0001u

#define SPDM_MEAS_SPEC_DMTF 0x01u

/* OtherParamsSupport / OtherParamsSelection: bits 3:0 opaque data format. */
#define SPDM_OPAQUE_FMT_MASK 0x0Fu
#define SPDM_OPAQUE_FMT_NONE 0x00u
#define SPDM_OPAQUE_FMT_0 0x01u
#define SPDM_OPAQUE_FMT_1 0x02u
#define SPDM_OTHER_MULTI_KEY_CONN 0x10u /* 1.3 */

/* AlgStruct AlgType.  DSP0274 1.2.1 §10.5 Table 16 */
#define SPDM_ALG_TYPE_DHE 2u
#define SPDM_ALG_TYPE_AEAD 3u
#define SPDM_ALG_TYPE_REQ_BASE_ASYM 4u
#define SPDM_ALG_TYPE_KEY_SCHEDULE 5u
#define SPDM_ALG_STRUCTS_MAX 4u
#define SPDM_ALG_FIXED_BYTE_COUNT 2u
#define SPDM_NEGOTIATE_ALGORITHMS_MAX_LEN 128u /* Length field limit of the request */

/* ---- sizes ---- */
#define SPDM_HEADER_SIZE 4u
#define SPDM_NONCE_SIZE 32u
#define SPDM_RANDOM_SIZE 32u
#define SPDM_OPAQUE_MAX 1024u /* OpaqueDataLength <= 1024.  DSP0274 1.2.1 §10.6 */
#define SPDM_SLOT_MAX 7u
#define SPDM_SLOT_PUB_KEY 0x0Fu      /* a slot field's "pre-provisioned public key" value (4 bits) */
#define SPDM_SLOT_PUB_KEY_BYTE 0xFFu /* the same in byte-wide slot fields (CHALLENGE, KEY_EXCHANGE) */
#define SPDM_HASH_MAX 64u
#define SPDM_SIG_MAX 512u
#define SPDM_DHE_MAX 512u

/* MeasurementSummaryHashType (CHALLENGE Param2, KEY_EXCHANGE Param1). */
#define SPDM_SUMMARY_HASH_NONE 0x00u
#define SPDM_SUMMARY_HASH_TCB 0x01u
#define SPDM_SUMMARY_HASH_ALL 0xFFu

/* GET_MEASUREMENTS Param1 attributes and Param2 operations.  DSP0274 1.2.1 §10.11 */
#define SPDM_MEAS_ATTR_SIG_REQUESTED 0x01u
#define SPDM_MEAS_ATTR_RAW_BIT_STREAM 0x02u
#define SPDM_MEAS_OP_COUNT 0x00u
#define SPDM_MEAS_OP_ALL 0xFFu
/* DMTF measurement value types (DMTFSpecMeasurementValueType bits 6:0; bit 7 raw). §10.11.1 */
#define SPDM_MEAS_TYPE_IMMUTABLE_ROM 0u
#define SPDM_MEAS_TYPE_MUTABLE_FW 1u
#define SPDM_MEAS_TYPE_HW_CONFIG 2u
#define SPDM_MEAS_TYPE_FW_CONFIG 3u
#define SPDM_MEAS_TYPE_MANIFEST 4u
#define SPDM_MEAS_TYPE_DEVICE_MODE 5u
#define SPDM_MEAS_TYPE_VERSION 6u
#define SPDM_MEAS_TYPE_SVN 7u
#define SPDM_MEAS_TYPE_HASH_EXTEND 8u /* 1.3 */
#define SPDM_MEAS_TYPE_RAW_BIT 0x80u
#define SPDM_MEAS_INDEX_MANIFEST 0xFDu
#define SPDM_MEAS_INDEX_DEVICE_MODE 0xFEu
#define SPDM_MEAS_RECORD_MAX 0xFFFFFFu /* MeasurementRecordLength is 3 bytes */

/* KEY_UPDATE operations.  DSP0274 1.2.1 §10.17 */
#define SPDM_KEY_UPDATE_OP_UPDATE_KEY 1u
#define SPDM_KEY_UPDATE_OP_UPDATE_ALL_KEYS 2u
#define SPDM_KEY_UPDATE_OP_VERIFY_NEW_KEY 3u

/* END_SESSION Param1 */
#define SPDM_END_SESSION_STATE_CLEARING 0x01u

/* FINISH Param1 */
#define SPDM_FINISH_SIG_INCLUDED 0x01u

/* VENDOR_DEFINED StandardID registry and the PCI-SIG protocols. */
#define SPDM_STANDARD_ID_DMTF 0u
#define SPDM_STANDARD_ID_TCG 1u
#define SPDM_STANDARD_ID_USB 2u
#define SPDM_STANDARD_ID_PCISIG 3u
#define SPDM_STANDARD_ID_IANA 4u
#define SPDM_STANDARD_ID_HDBASET 5u
#define SPDM_STANDARD_ID_MIPI 6u
#define SPDM_STANDARD_ID_CXL 7u
#define SPDM_STANDARD_ID_JEDEC 8u
#define SPDM_PCISIG_VENDOR_ID 0x0001u
#define SPDM_PCI_PROTOCOL_IDE_KM 0x00u
#define SPDM_PCI_PROTOCOL_TDISP 0x01u

/* Secured-message opaque data.  DSP0274 1.2.1 Annex/§A (general opaque data, Fmt1) and
 * DSP0277 1.0 §8 (Fmt0) */
#define SPDM_OPAQUE_FMT0_SPEC_ID 0x444D5446u /* "FTMD" little-endian */
#define SPDM_OPAQUE_FMT0_VERSION 1u
#define SPDM_OPAQUE_ELEM_ID_DMTF 0u
#define SPDM_SM_DATA_VERSION 1u
#define SPDM_SM_DATA_ID_SELECTION 0u
#define SPDM_SM_DATA_ID_SUPPORTED_LIST 1u
#define SPDM_SM_VERSIONS_MAX 8u
#define SPDM_SM_VERSION_10 0x1000u
#define SPDM_SM_VERSION_11 0x1100u
#define SPDM_SM_VERSION_12 0x1200u

/* What the negotiation fixed, and so what a decoder needs to know to find fields. */
struct spdm_sizes {
        uint8_t version;             /* SPDMVersion byte after VERSION (0 before) */
        size_t hash_len;             /* H: BaseHashSel */
        size_t sig_len;              /* S: BaseAsymSel (the responder's signatures) */
        size_t req_sig_len;          /* S of ReqBaseAsymAlg (FINISH under mutual auth) */
        size_t dhe_len;              /* D: the DHE ExchangeData size */
        size_t meas_hash_len;        /* MeasurementHashAlgo digest size (0 for raw) */
        bool handshake_in_the_clear; /* both sides set HANDSHAKE_IN_THE_CLEAR_CAP */
};

/* Size helpers: the size of the one algorithm selected by `bit` (0 for none, for more than
 * one bit, or for an unknown bit). */
size_t spdm_hash_size(uint32_t base_hash);
size_t spdm_sig_size(uint32_t base_asym);
size_t spdm_dhe_size(uint16_t dhe);
size_t spdm_meas_hash_size(uint32_t meas_hash);
size_t spdm_aead_key_size(uint16_t aead);

/* The generic header (to look at a message before choosing its decoder). */
struct spdm_header {
        uint8_t version, code, param1, param2;
};
bool spdm_header_decode(const uint8_t *in, size_t len, struct spdm_header *h) SPDM_MUST_CHECK;

/* True when bytes [used, len) are 0..3 zero bytes (the DOE DW padding of PCIe 6.2 §6.30.1). */
bool spdm_trailing_pad_ok(const uint8_t *in, size_t len, size_t used);

/* ---- GET_VERSION (0x84) / VERSION (0x04).  DSP0274 1.2.1 §10.3 ---- */
struct spdm_get_version {
        uint8_t reserved_unused; /* no fields: the header is the message */
};
struct spdm_version {
        uint8_t entry_count;
        uint16_t entries[SPDM_VERSION_ENTRIES_MAX];
};
bool spdm_get_version_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz,
                             struct spdm_get_version *out, size_t *used, char *why) SPDM_MUST_CHECK;
bool spdm_get_version_encode(uint8_t *out, size_t cap, const struct spdm_get_version *m,
                             const struct spdm_sizes *sz, size_t *len) SPDM_MUST_CHECK;
bool spdm_version_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz, struct spdm_version *out,
                         size_t *used, char *why) SPDM_MUST_CHECK;
bool spdm_version_encode(uint8_t *out, size_t cap, const struct spdm_version *m, const struct spdm_sizes *sz,
                         size_t *len) SPDM_MUST_CHECK;

/* ---- GET_CAPABILITIES (0xE1) / CAPABILITIES (0x61).  DSP0274 1.2.1 §10.4 ----
 * GET_CAPABILITIES: 4 bytes in 1.0, 12 in 1.1 (CTExponent, Flags), 20 in 1.2
 * (+ DataTransferSize, MaxSPDMmsgSize). CAPABILITIES: 12 bytes in 1.0/1.1, 20 in 1.2. Fields a
 * version lacks decode as 0 and are not written. Decoders reject MEAS_CAP or PSK_CAP 11b and,
 * in 1.2, DataTransferSize < 42 or MaxSPDMmsgSize < DataTransferSize. */
struct spdm_capabilities {
        uint8_t ct_exponent;
        uint32_t flags;
        uint32_t data_transfer_size;
        uint32_t max_spdm_msg_size;
};
bool spdm_get_capabilities_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz,
                                  struct spdm_capabilities *out, size_t *used, char *why) SPDM_MUST_CHECK;
bool spdm_get_capabilities_encode(uint8_t *out, size_t cap, const struct spdm_capabilities *m,
                                  const struct spdm_sizes *sz, size_t *len) SPDM_MUST_CHECK;
bool spdm_capabilities_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz,
                              struct spdm_capabilities *out, size_t *used, char *why) SPDM_MUST_CHECK;
bool spdm_capabilities_encode(uint8_t *out, size_t cap, const struct spdm_capabilities *m,
                              const struct spdm_sizes *sz, size_t *len) SPDM_MUST_CHECK;

/* ---- NEGOTIATE_ALGORITHMS (0xE3) / ALGORITHMS (0x63).  DSP0274 1.2.1 §10.5 ----
 * AlgStructs (types 2..5, each at most once, ascending) in wire order. ExtAsym/ExtHash/ExtAlg
 * entries (4 bytes each) are kept as raw pointers and otherwise ignored. Decoders reject: the
 * Length field not equal to the message's size, Param1 > 4 AlgStructs, an unknown, repeated
 * or out-of-order AlgType, FixedAlgByteCount != 2; the request longer than 128 bytes; in
 * ALGORITHMS more than one bit set in MeasurementHashAlgo, BaseAsymSel, BaseHashSel or any
 * AlgStruct, and ExtAsymSelCount, ExtHashSelCount or an ExtAlgCount above 1. */
struct spdm_alg_struct {
        uint8_t type;
        uint8_t ext_count;
        uint16_t supported; /* AlgSupported (request) or the selection (response) */
        const uint8_t *ext; /* ext_count x 4 bytes */
};
struct spdm_algorithms {
        uint8_t meas_spec;    /* MeasurementSpecification(Sel) */
        uint8_t other_params; /* OtherParamsSupport / OtherParamsSelection */
        uint32_t meas_hash;   /* MeasurementHashAlgo (ALGORITHMS only) */
        uint32_t base_asym;   /* BaseAsymAlgo / BaseAsymSel */
        uint32_t base_hash;   /* BaseHashAlgo / BaseHashSel */
        uint8_t ext_asym_count, ext_hash_count;
        const uint8_t *ext_asym, *ext_hash; /* count x 4 bytes */
        uint8_t alg_count;
        struct spdm_alg_struct alg[SPDM_ALG_STRUCTS_MAX];
};
bool spdm_negotiate_algorithms_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz,
                                      struct spdm_algorithms *out, size_t *used, char *why) SPDM_MUST_CHECK;
bool spdm_negotiate_algorithms_encode(uint8_t *out, size_t cap, const struct spdm_algorithms *m,
                                      const struct spdm_sizes *sz, size_t *len) SPDM_MUST_CHECK;
bool spdm_algorithms_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz, struct spdm_algorithms *out,
                            size_t *used, char *why) SPDM_MUST_CHECK;
bool spdm_algorithms_encode(uint8_t *out, size_t cap, const struct spdm_algorithms *m, const struct spdm_sizes *sz,
                            size_t *len) SPDM_MUST_CHECK;
/* The AlgSupported bits of AlgStruct `type`: true and *bits if present. */
bool spdm_algorithms_find(const struct spdm_algorithms *a, uint8_t type, uint16_t *bits);
/* The sizes an ALGORITHMS selection fixes (hash, signature, DHE, measurement hash, the
 * requester's signature), with the version and the handshake-in-the-clear flag. False if
 * BaseHashSel or BaseAsymSel selects no known algorithm. */
bool spdm_sizes_from_algorithms(const struct spdm_algorithms *a, uint8_t version, bool handshake_in_the_clear,
                                struct spdm_sizes *sz) SPDM_MUST_CHECK;

/* ---- GET_DIGESTS (0x81) / DIGESTS (0x01).  DSP0274 1.2.1 §10.6 ----
 * DIGESTS: Param2 SlotMask, then H bytes per bit set (slot 0 first). */
struct spdm_get_digests {
        uint8_t reserved_unused;
};
struct spdm_digests {
        uint8_t slot_mask;
        const uint8_t *digests; /* popcount(slot_mask) x H bytes */
        size_t digest_count;
};
bool spdm_get_digests_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz,
                             struct spdm_get_digests *out, size_t *used, char *why) SPDM_MUST_CHECK;
bool spdm_get_digests_encode(uint8_t *out, size_t cap, const struct spdm_get_digests *m,
                             const struct spdm_sizes *sz, size_t *len) SPDM_MUST_CHECK;
bool spdm_digests_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz, struct spdm_digests *out,
                         size_t *used, char *why) SPDM_MUST_CHECK;
bool spdm_digests_encode(uint8_t *out, size_t cap, const struct spdm_digests *m, const struct spdm_sizes *sz,
                         size_t *len) SPDM_MUST_CHECK;
/* The digest of `slot` in a decoded DIGESTS, or NULL if the slot's bit is clear. */
const uint8_t *spdm_digests_slot(const struct spdm_digests *d, const struct spdm_sizes *sz, unsigned slot);

/* ---- GET_CERTIFICATE (0x82) / CERTIFICATE (0x02).  DSP0274 1.2.1 §10.7 ----
 * Slot IDs above 7 are rejected. CERTIFICATE: PortionLength bytes must be present. */
struct spdm_get_certificate {
        uint8_t slot_id;
        uint16_t offset, length;
};
struct spdm_certificate {
        uint8_t slot_id;
        uint16_t portion_length, remainder_length;
        const uint8_t *portion;
};
bool spdm_get_certificate_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz,
                                 struct spdm_get_certificate *out, size_t *used, char *why) SPDM_MUST_CHECK;
bool spdm_get_certificate_encode(uint8_t *out, size_t cap, const struct spdm_get_certificate *m,
                                 const struct spdm_sizes *sz, size_t *len) SPDM_MUST_CHECK;
bool spdm_certificate_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz,
                             struct spdm_certificate *out, size_t *used, char *why) SPDM_MUST_CHECK;
bool spdm_certificate_encode(uint8_t *out, size_t cap, const struct spdm_certificate *m,
                             const struct spdm_sizes *sz, size_t *len) SPDM_MUST_CHECK;

/* The SPDM certificate chain (what GET_CERTIFICATE returns, concatenated):
 * Length(2) | Reserved(2) | RootHash(H) | DER certificates, root first.  DSP0274 1.2.1 §10.7.1
 * Decode rejects a Length above len, or leaving no room for one certificate byte; *used is
 * Length. spdm_cert_chain_next() walks the certificates one DER element at a time (tag 0x30,
 * definite length) and rejects one that overruns the chain. */
struct spdm_cert_chain {
        uint16_t length;
        const uint8_t *root_hash; /* H bytes */
        const uint8_t *certs;
        size_t certs_len;
};
bool spdm_cert_chain_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz, struct spdm_cert_chain *out,
                            size_t *used, char *why) SPDM_MUST_CHECK;
bool spdm_cert_chain_encode(uint8_t *out, size_t cap, const struct spdm_cert_chain *m, const struct spdm_sizes *sz,
                            size_t *len) SPDM_MUST_CHECK;
enum spdm_iter {
        SPDM_ITER_ITEM,  /* an item was produced */
        SPDM_ITER_END,   /* no more items */
        SPDM_ITER_ERROR, /* malformed: why says how; the iterator stays at the error */
};
/* *off starts at 0; each call yields the next certificate (cert, cert_len) and advances. */
enum spdm_iter spdm_cert_chain_next(const struct spdm_cert_chain *c, size_t *off, const uint8_t **cert,
                                    size_t *cert_len, char *why);

/* ---- CHALLENGE (0x83) / CHALLENGE_AUTH (0x03).  DSP0274 1.2.1 §10.9 ----
 * CHALLENGE Param1 SlotID (0..7 or 0xFF), Param2 MeasurementSummaryHashType (0, 1, 0xFF).
 * CHALLENGE_AUTH's MeasurementSummaryHash is present iff the request's type was not 0: the
 * decoder takes that type. */
struct spdm_challenge {
        uint8_t slot_id;
        uint8_t summary_type;
        const uint8_t *nonce; /* 32 */
};
struct spdm_challenge_auth {
        uint8_t slot_id;         /* Param1 bits 3:0 */
        bool basic_mut_auth_req; /* Param1 bit 7 */
        uint8_t slot_mask;       /* Param2 */
        const uint8_t *cert_chain_hash; /* H */
        const uint8_t *nonce;           /* 32 */
        const uint8_t *meas_summary_hash; /* H, or NULL */
        uint16_t opaque_len;
        const uint8_t *opaque;
        const uint8_t *signature; /* S */
        size_t sig_off;
};
bool spdm_challenge_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz, struct spdm_challenge *out,
                           size_t *used, char *why) SPDM_MUST_CHECK;
bool spdm_challenge_encode(uint8_t *out, size_t cap, const struct spdm_challenge *m, const struct spdm_sizes *sz,
                           size_t *len) SPDM_MUST_CHECK;
bool spdm_challenge_auth_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz, uint8_t summary_type,
                                struct spdm_challenge_auth *out, size_t *used, char *why) SPDM_MUST_CHECK;
bool spdm_challenge_auth_encode(uint8_t *out, size_t cap, const struct spdm_challenge_auth *m,
                                const struct spdm_sizes *sz, size_t *len) SPDM_MUST_CHECK;

/* ---- GET_MEASUREMENTS (0xE0) / MEASUREMENTS (0x60).  DSP0274 1.2.1 §10.11 ----
 * GET_MEASUREMENTS carries Nonce and SlotIDParam iff Param1 bit 0 (signature requested).
 * MEASUREMENTS: NumberOfBlocks, MeasurementRecordLength(3), record, Nonce, opaque data, and
 * the Signature iff the request asked for one (the decoder takes that). The decoder checks
 * the whole record: exactly NumberOfBlocks DMTF blocks filling MeasurementRecordLength. */
struct spdm_get_measurements {
        uint8_t attributes; /* Param1 */
        uint8_t operation;  /* Param2 */
        const uint8_t *nonce; /* 32, iff attributes & SIG_REQUESTED (NULL otherwise) */
        uint8_t slot_id;      /* iff signature requested */
};
struct spdm_measurements {
        uint8_t num_indices; /* Param1 (operation 0) */
        uint8_t slot_id;     /* Param2 bits 3:0 */
        uint8_t content_changed; /* Param2 bits 5:4 */
        uint8_t num_blocks;
        uint32_t record_len;
        const uint8_t *record;
        const uint8_t *nonce; /* 32 */
        uint16_t opaque_len;
        const uint8_t *opaque;
        const uint8_t *signature; /* S, or NULL */
        size_t sig_off;           /* where the Signature starts (== message length if none) */
};
bool spdm_get_measurements_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz,
                                  struct spdm_get_measurements *out, size_t *used, char *why) SPDM_MUST_CHECK;
bool spdm_get_measurements_encode(uint8_t *out, size_t cap, const struct spdm_get_measurements *m,
                                  const struct spdm_sizes *sz, size_t *len) SPDM_MUST_CHECK;
bool spdm_measurements_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz, bool sig_requested,
                              struct spdm_measurements *out, size_t *used, char *why) SPDM_MUST_CHECK;
bool spdm_measurements_encode(uint8_t *out, size_t cap, const struct spdm_measurements *m,
                              const struct spdm_sizes *sz, size_t *len) SPDM_MUST_CHECK;

/* A measurement block in DMTF form: Index | MeasurementSpecification (0x01) |
 * MeasurementSize(2) | DMTFSpecMeasurementValueType | DMTFSpecMeasurementValueSize(2) | value.
 * DSP0274 1.2.1 §10.11.1 Tables 53-54 */
struct spdm_meas_block {
        uint8_t index;
        uint8_t spec;
        uint16_t size;      /* MeasurementSize = 3 + value_size */
        uint8_t value_type; /* bits 6:0 */
        bool raw;           /* bit 7: raw bit stream (not a digest) */
        uint16_t value_size;
        const uint8_t *value;
};
struct spdm_meas_iter {
        const uint8_t *rec;
        size_t len, off;
        unsigned left;
        bool err; /* sticky: a malformed block was met */
};
void spdm_meas_iter_init(struct spdm_meas_iter *it, const uint8_t *record, size_t record_len, unsigned num_blocks);
/* The next block; END after num_blocks blocks exactly filling the record; ERROR (why) for a
 * block that overruns the record, a non-DMTF specification, a value size that disagrees with
 * MeasurementSize, or record bytes left over. */
enum spdm_iter spdm_meas_next(struct spdm_meas_iter *it, struct spdm_meas_block *b, char *why);
/* Writes one block (its value from b->value, b->value_size bytes; b->size is ignored). */
bool spdm_meas_block_encode(uint8_t *out, size_t cap, const struct spdm_meas_block *b, size_t *len) SPDM_MUST_CHECK;

/* ---- KEY_EXCHANGE (0xE4) / KEY_EXCHANGE_RSP (0x64).  DSP0274 1.2.1 §10.13 ----
 * KEY_EXCHANGE_RSP: MeasurementSummaryHash iff the request's type was not 0 (decoder
 * argument); ResponderVerifyData unless sz->handshake_in_the_clear. */
struct spdm_key_exchange {
        uint8_t summary_type; /* Param1 */
        uint8_t slot_id;      /* Param2: 0..7, 0xFF */
        uint16_t req_session_id;
        uint8_t session_policy;
        const uint8_t *random;   /* 32 */
        const uint8_t *exchange; /* D */
        uint16_t opaque_len;
        const uint8_t *opaque;
};
struct spdm_key_exchange_rsp {
        uint8_t heartbeat_period; /* Param1 */
        uint16_t rsp_session_id;
        uint8_t mut_auth_requested;
        uint8_t req_slot_id_param;
        const uint8_t *random;            /* 32 */
        const uint8_t *exchange;          /* D */
        const uint8_t *meas_summary_hash; /* H or NULL */
        uint16_t opaque_len;
        const uint8_t *opaque;
        const uint8_t *signature;   /* S */
        const uint8_t *verify_data; /* H, or NULL in the clear */
        size_t sig_off;             /* where Signature starts */
        size_t verify_off;          /* where ResponderVerifyData starts (== length if none) */
};
bool spdm_key_exchange_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz,
                              struct spdm_key_exchange *out, size_t *used, char *why) SPDM_MUST_CHECK;
bool spdm_key_exchange_encode(uint8_t *out, size_t cap, const struct spdm_key_exchange *m,
                              const struct spdm_sizes *sz, size_t *len) SPDM_MUST_CHECK;
bool spdm_key_exchange_rsp_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz, uint8_t summary_type,
                                  struct spdm_key_exchange_rsp *out, size_t *used, char *why) SPDM_MUST_CHECK;
bool spdm_key_exchange_rsp_encode(uint8_t *out, size_t cap, const struct spdm_key_exchange_rsp *m,
                                  const struct spdm_sizes *sz, size_t *len) SPDM_MUST_CHECK;

/* ---- FINISH (0xE5) / FINISH_RSP (0x65).  DSP0274 1.2.1 §10.14 ----
 * FINISH: Signature (sz->req_sig_len) iff Param1 bit 0, then RequesterVerifyData (H).
 * FINISH_RSP: ResponderVerifyData (H) iff sz->handshake_in_the_clear. */
struct spdm_finish {
        bool sig_included; /* Param1 bit 0 */
        uint8_t req_slot_id; /* Param2 */
        const uint8_t *signature;   /* req S, or NULL */
        const uint8_t *verify_data; /* H */
        size_t sig_off;             /* 4: where the Signature (or the verify data) starts */
        size_t verify_off;
};
struct spdm_finish_rsp {
        const uint8_t *verify_data; /* H, or NULL */
};
bool spdm_finish_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz, struct spdm_finish *out,
                        size_t *used, char *why) SPDM_MUST_CHECK;
bool spdm_finish_encode(uint8_t *out, size_t cap, const struct spdm_finish *m, const struct spdm_sizes *sz,
                        size_t *len) SPDM_MUST_CHECK;
bool spdm_finish_rsp_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz, struct spdm_finish_rsp *out,
                            size_t *used, char *why) SPDM_MUST_CHECK;
bool spdm_finish_rsp_encode(uint8_t *out, size_t cap, const struct spdm_finish_rsp *m, const struct spdm_sizes *sz,
                            size_t *len) SPDM_MUST_CHECK;

/* ---- END_SESSION / HEARTBEAT / KEY_UPDATE and their ACKs (4 bytes each).  §10.15-10.18 ---- */
struct spdm_end_session {
        uint8_t attributes; /* Param1: bit 0 NegotiatedStateClearing (END_SESSION only) */
};
struct spdm_heartbeat {
        uint8_t reserved_unused;
};
struct spdm_key_update {
        uint8_t operation; /* 1..3 */
        uint8_t tag;
};
bool spdm_end_session_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz,
                             struct spdm_end_session *out, size_t *used, char *why) SPDM_MUST_CHECK;
bool spdm_end_session_encode(uint8_t *out, size_t cap, const struct spdm_end_session *m,
                             const struct spdm_sizes *sz, size_t *len) SPDM_MUST_CHECK;
bool spdm_end_session_ack_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz,
                                 struct spdm_end_session *out, size_t *used, char *why) SPDM_MUST_CHECK;
bool spdm_end_session_ack_encode(uint8_t *out, size_t cap, const struct spdm_end_session *m,
                                 const struct spdm_sizes *sz, size_t *len) SPDM_MUST_CHECK;
bool spdm_heartbeat_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz, struct spdm_heartbeat *out,
                           size_t *used, char *why) SPDM_MUST_CHECK;
bool spdm_heartbeat_encode(uint8_t *out, size_t cap, const struct spdm_heartbeat *m, const struct spdm_sizes *sz,
                           size_t *len) SPDM_MUST_CHECK;
bool spdm_heartbeat_ack_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz,
                               struct spdm_heartbeat *out, size_t *used, char *why) SPDM_MUST_CHECK;
bool spdm_heartbeat_ack_encode(uint8_t *out, size_t cap, const struct spdm_heartbeat *m,
                               const struct spdm_sizes *sz, size_t *len) SPDM_MUST_CHECK;
bool spdm_key_update_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz,
                            struct spdm_key_update *out, size_t *used, char *why) SPDM_MUST_CHECK;
bool spdm_key_update_encode(uint8_t *out, size_t cap, const struct spdm_key_update *m, const struct spdm_sizes *sz,
                            size_t *len) SPDM_MUST_CHECK;
bool spdm_key_update_ack_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz,
                                struct spdm_key_update *out, size_t *used, char *why) SPDM_MUST_CHECK;
bool spdm_key_update_ack_encode(uint8_t *out, size_t cap, const struct spdm_key_update *m,
                                const struct spdm_sizes *sz, size_t *len) SPDM_MUST_CHECK;

/* ---- VENDOR_DEFINED_REQUEST (0xFE) / VENDOR_DEFINED_RESPONSE (0x7E).  §10.20 ----
 * StandardID(2) | Len(1) | VendorID(Len) | ReqLength/RespLength(2) | payload. */
struct spdm_vendor_defined {
        uint16_t standard_id;
        uint8_t vendor_id_len;
        const uint8_t *vendor_id;
        uint16_t payload_len;
        const uint8_t *payload;
};
bool spdm_vendor_defined_request_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz,
                                        struct spdm_vendor_defined *out, size_t *used, char *why) SPDM_MUST_CHECK;
bool spdm_vendor_defined_request_encode(uint8_t *out, size_t cap, const struct spdm_vendor_defined *m,
                                        const struct spdm_sizes *sz, size_t *len) SPDM_MUST_CHECK;
bool spdm_vendor_defined_response_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz,
                                         struct spdm_vendor_defined *out, size_t *used, char *why) SPDM_MUST_CHECK;
bool spdm_vendor_defined_response_encode(uint8_t *out, size_t cap, const struct spdm_vendor_defined *m,
                                         const struct spdm_sizes *sz, size_t *len) SPDM_MUST_CHECK;
/* The PCI-SIG form (StandardID 3, VendorID 0x0001 in 2 bytes, payload[0] = protocol id):
 * true and *protocol_id, else false. */
bool spdm_vdm_pcisig_protocol(const struct spdm_vendor_defined *v, uint8_t *protocol_id);

/* ---- ERROR (0x7F) and RESPOND_IF_READY (0xFF).  DSP0274 1.2.1 §10.8, §10.10 ----
 * ERROR has no length field: ExtendedErrorData is 4 bytes for ResponseNotReady, 1 for
 * LargeResponse, every remaining byte (<= 32) for VendorDefined, none for other codes (bytes
 * after are the caller's, like DOE pad). The VendorDefined form cannot be told from DOE pad. */
struct spdm_error {
        uint8_t code; /* ErrorCode */
        uint8_t data; /* ErrorData */
        size_t ext_len;
        const uint8_t *ext;
        /* decoded from ext for ResponseNotReady: */
        uint8_t rdt_exponent, request_code, token, rdtm;
        /* for LargeResponse: */
        uint8_t handle;
};
struct spdm_respond_if_ready {
        uint8_t request_code; /* Param1 */
        uint8_t token;        /* Param2 */
};
bool spdm_error_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz, struct spdm_error *out,
                       size_t *used, char *why) SPDM_MUST_CHECK;
/* Writes ext/ext_len as given (the ResponseNotReady/LargeResponse fields are not used). */
bool spdm_error_encode(uint8_t *out, size_t cap, const struct spdm_error *m, const struct spdm_sizes *sz,
                       size_t *len) SPDM_MUST_CHECK;
bool spdm_respond_if_ready_decode(const uint8_t *in, size_t len, const struct spdm_sizes *sz,
                                  struct spdm_respond_if_ready *out, size_t *used, char *why) SPDM_MUST_CHECK;
bool spdm_respond_if_ready_encode(uint8_t *out, size_t cap, const struct spdm_respond_if_ready *m,
                                  const struct spdm_sizes *sz, size_t *len) SPDM_MUST_CHECK;

/* ---- opaque data carrying the secured-message version (KEY_EXCHANGE(_RSP)).
 * Fmt1 (OtherParamsSelection 0x2), general opaque data, DSP0274 1.2.1 Table 99:
 *   TotalElements(1) | Reserved(3) | elements
 * Fmt0 (0x1), DSP0277 1.0 §8.1: SpecID "DMTF"(4) | OpaqueVersion 1(1) | TotalElements(1) |
 *   Reserved(2) | elements
 * Element: ID(1) | VendorLen(1) | VendorID | OpaqueElementDataLen(2) | data | zero pad to 4.
 * Secured-message data (ID 0 DMTF, VendorLen 0): SMDataVersion 1 | SMDataID | ...:
 *   ID 1 SupportedVersionList: VersionCount(1) | versions (u16 each)   (requests)
 *   ID 0 VersionSelection: SelectedVersion (u16)                       (responses)
 * Elements from other registries are skipped; decode rejects a second SM element, one whose
 * data length disagrees with its content, and bytes left after TotalElements elements. */
struct spdm_opaque_sm {
        bool is_selection;
        uint16_t selected;
        uint8_t version_count;
        uint16_t versions[SPDM_SM_VERSIONS_MAX];
};
bool spdm_opaque_sm_decode(const uint8_t *in, size_t len, uint8_t fmt, struct spdm_opaque_sm *out,
                           char *why) SPDM_MUST_CHECK;
bool spdm_opaque_sm_encode(uint8_t *out, size_t cap, uint8_t fmt, const struct spdm_opaque_sm *m,
                           size_t *len) SPDM_MUST_CHECK;

/* ---- names for logs ---- */
const char *spdm_code_name(uint8_t code);  /* "GET_VERSION", ..., "UNKNOWN" */
const char *spdm_error_name(uint8_t code); /* "InvalidRequest", ..., "Unknown" */
const char *spdm_hash_name(uint32_t bit);
const char *spdm_asym_name(uint32_t bit);
const char *spdm_dhe_name(uint16_t bit);
const char *spdm_aead_name(uint16_t bit);
const char *spdm_meas_hash_name(uint32_t bit);
/* "ECDSA-P384 SHA-384 secp384r1 AES-256-GCM meas:SHA-384" into buf (always terminated). */
void spdm_algorithms_text(const struct spdm_algorithms *a, char *buf, size_t cap);

#endif
