/* IDE_KM: the PCIe IDE key-management protocol the TSM (src/rmm) speaks to the DSM
 * (src/device) to program and switch the keys of an IDE stream. PCIe 6.0 §6.33.3; facts:
 * ../shared/facts/spdm-tdisp-ide.md §4 (layouts, [LIBSPDM pci_idekm.h], confirmed on the
 * wire), §5 (the registers QUERY_RESP carries), [KEYORDER] (key and IFV byte order).
 *
 * IDE_KM objects travel as the payload of SPDM VENDOR_DEFINED_REQUEST/RESPONSE (StandardID 3
 * PCI-SIG, VendorID 0x0001, spdm.h), always inside a secured session. Every function here
 * works on that payload: byte 0 is the PCI-SIG protocol ID (0x00 = IDE_KM), byte 1 the
 * object ID. No policy: which object may come when, which port or stream exists, whether
 * an IFV other than 1 is acceptable, is the caller's.
 *
 *   object          size  bytes
 *   QUERY            4    ProtocolID | ObjectID | Reserved | PortIndex
 *   QUERY_RESP   8+4*n    ProtocolID | ObjectID | Reserved | PortIndex | DevFuncNum | BusNum |
 *                         Segment | MaxPortIndex | n register DWs (little-endian)
 *   KEY_PROG        48    ProtocolID | ObjectID | Reserved(2) | StreamID | Reserved |
 *                         KeySubStream | PortIndex | Key (8 DW) | IFV (2 DW)
 *   KP_ACK           8    ProtocolID | ObjectID | Reserved(2) | StreamID | Status |
 *                         KeySubStream | PortIndex
 *   K_SET_GO, K_SET_STOP, K_GOSTOP_ACK
 *                    8    ProtocolID | ObjectID | Reserved(2) | StreamID | Reserved |
 *                         KeySubStream | PortIndex
 *
 * KeySubStream: bit 0 key set (K0/K1), bit 1 direction (Rx/Tx), bits 3:2 reserved, bits 7:4
 * sub-stream (PR/NPR/CPL; 3..15 are refused). E.g. 0x12 = K0 | Tx | NPR.
 *
 * Conventions (every object):
 *  - Decoders: bool ide_km_<obj>_decode(in, len, out, why). len must be the object's exact
 *    size (the VENDOR_DEFINED ReqLength/RespLength): no trailing bytes. The protocol ID must
 *    be IDE_KM and the object ID the decoder's. On failure *out is all zero and why
 *    (IDE_KM_WHY_LEN bytes, may be NULL) says what was wrong.
 *  - Reserved fields: written as zero, IGNORED on decode (PCIe's "sender writes 0, receiver
 *    ignores", as doe.h does; facts §4 notes a newer revision gives QUERY_RESP byte 2 a
 *    meaning, UNVERIFIED), so an object with reserved bits set decodes but does not
 *    re-encode to the same bytes. Reserved ENCODINGS of defined fields (sub-stream 3..15,
 *    KP_ACK status 5..255) are refused.
 *  - Encoders: bool ide_km_<obj>_encode(out, cap, m, [key,] len): false (and *len 0,
 *    nothing written) when cap is too small or a field is outside what the decoder accepts,
 *    so every encoded object decodes.
 */
#ifndef CCADA_PROTO_IDE_KM_H
#define CCADA_PROTO_IDE_KM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IDE_KM_MUST_CHECK __attribute__((warn_unused_result))

/* Room for a decoder's reason. */
#define IDE_KM_WHY_LEN 128u

/* PCI-SIG protocol ID in byte 0 of the VENDOR_DEFINED payload (= SPDM_PCI_PROTOCOL_IDE_KM). */
#define IDE_KM_PROTOCOL_ID 0x00u

/* Object IDs.  PCIe 6.0 §6.33.3; facts §4 */
enum ide_km_object {
        IDE_KM_QUERY = 0x00,        /* TSM -> DSM */
        IDE_KM_QUERY_RESP = 0x01,   /* DSM -> TSM */
        IDE_KM_KEY_PROG = 0x02,     /* TSM -> DSM */
        IDE_KM_KP_ACK = 0x03,       /* DSM -> TSM */
        IDE_KM_K_SET_GO = 0x04,     /* TSM -> DSM */
        IDE_KM_K_SET_STOP = 0x05,   /* TSM -> DSM */
        IDE_KM_K_GOSTOP_ACK = 0x06, /* DSM -> TSM, the answer to both GO and STOP */
};

/* Sizes in bytes, protocol ID included. */
#define IDE_KM_QUERY_SIZE          4u
#define IDE_KM_QUERY_RESP_HDR_SIZE 8u /* then the register DWs */
#define IDE_KM_KEY_PROG_SIZE       48u
#define IDE_KM_KP_ACK_SIZE         8u
#define IDE_KM_K_SET_SIZE          8u  /* K_SET_GO, K_SET_STOP, K_GOSTOP_ACK */
#define IDE_KM_KEY_SIZE            32u /* AES-256 only (IDE algorithm 0, AES-GCM-256 with a 96-bit MAC) */
#define IDE_KM_IFV_SIZE            8u
#define IDE_KM_KEY_PROG_OFF_KEY    8u
#define IDE_KM_KEY_PROG_OFF_IFV    (IDE_KM_KEY_PROG_OFF_KEY + IDE_KM_KEY_SIZE)
_Static_assert(IDE_KM_KEY_PROG_OFF_IFV + IDE_KM_IFV_SIZE == IDE_KM_KEY_PROG_SIZE,
               "facts §4: KEY_PROG is 48 bytes");

/* KeySubStream byte.  facts §4 */
#define IDE_KM_KS_KEY_SET          0x01u /* bit 0: 0 = K0, 1 = K1 */
#define IDE_KM_KS_DIR_TX           0x02u /* bit 1: 0 = Rx, 1 = Tx */
#define IDE_KM_KS_RESERVED         0x0Cu /* bits 3:2 */
#define IDE_KM_KS_SUB_STREAM_SHIFT 4u    /* bits 7:4 */

enum ide_km_key_set { IDE_KM_K0 = 0, IDE_KM_K1 = 1 };
enum ide_km_dir { IDE_KM_RX = 0, IDE_KM_TX = 1 };
/* Sub-streams: posted requests, non-posted requests, completions.  facts §4, §5 */
enum ide_km_sub_stream { IDE_KM_PR = 0, IDE_KM_NPR = 1, IDE_KM_CPL = 2 };
#define IDE_KM_SUB_STREAMS 3u

/* KP_ACK Status.  facts §4 (5 InvalidKey exists only in a newer revision: UNVERIFIED, refused) */
enum ide_km_kp_status {
        IDE_KM_KP_SUCCESS = 0,
        IDE_KM_KP_INCORRECT_LENGTH = 1,
        IDE_KM_KP_UNSUPPORTED_PORT_INDEX = 2,
        IDE_KM_KP_UNSUPPORTED_VALUE = 3,
        IDE_KM_KP_UNSPECIFIED_FAILURE = 4,
};
#define IDE_KM_KP_STATUS_MAX IDE_KM_KP_UNSPECIFIED_FAILURE

/* The IDE extended capability registers QUERY_RESP carries, in this order: IDE Capability,
 * IDE Control, {Link IDE Stream Control, Status} per Link IDE stream, then per Selective IDE
 * stream {Capability, Control, Status, RID Association 1, 2, 3 DW per address association
 * block}.  facts §4, §5 [LINUX pci_regs.h] */
#define IDE_KM_CAP_LINK                 0x00000001u /* Link IDE Stream supported */
#define IDE_KM_CAP_SELECTIVE            0x00000002u /* Selective IDE Streams supported */
#define IDE_KM_CAP_LINK_TCS_SHIFT       13u         /* bits 15:13: Link IDE TCs - 1 */
#define IDE_KM_CAP_LINK_TCS_MASK        0x7u
#define IDE_KM_CAP_SEL_STREAMS_SHIFT    16u /* bits 23:16: Selective streams - 1 */
#define IDE_KM_CAP_SEL_STREAMS_MASK     0xFFu
#define IDE_KM_SEL_CAP_ADDR_BLOCKS_MASK 0xFu /* Selective Stream Capability bits 3:0 */
#define IDE_KM_REG_IDE_CAP              0u
#define IDE_KM_REG_IDE_CTL              1u
#define IDE_KM_LINK_STREAM_DW           2u /* Control, Status */
#define IDE_KM_SEL_STREAM_FIXED_DW      5u /* Capability, Control, Status, RID Association 1, 2 */
#define IDE_KM_ADDR_BLOCK_DW            3u
#define IDE_KM_LINK_STREAMS_MAX         8u
#define IDE_KM_SEL_STREAMS_MAX          256u
#define IDE_KM_ADDR_BLOCKS_MAX          15u
/* The largest image a capability can describe: 12818 DW (facts §4 counts 255 Selective
 * streams, but the field is streams - 1, so 256). */
#define IDE_KM_REGS_MAX_DW                                      \
        (2u + IDE_KM_LINK_STREAM_DW * IDE_KM_LINK_STREAMS_MAX + \
         IDE_KM_SEL_STREAMS_MAX *                               \
                 (IDE_KM_SEL_STREAM_FIXED_DW + IDE_KM_ADDR_BLOCK_DW * IDE_KM_ADDR_BLOCKS_MAX))
_Static_assert(IDE_KM_QUERY_RESP_HDR_SIZE + 4u * IDE_KM_REGS_MAX_DW <= 0xFFFFu,
               "the largest QUERY_RESP fits a VENDOR_DEFINED payload (u16 length)");

/* Which key an object names: the stream, the KeySubStream byte's three fields and the port
 * whose IDE registers the DSM acts on. */
struct ide_km_key_id {
        uint8_t stream_id;
        enum ide_km_key_set key_set;
        enum ide_km_dir dir;
        enum ide_km_sub_stream sub_stream;
        uint8_t port_index;
};

struct ide_km_query {
        uint8_t port_index;
};

/* QUERY_RESP. regs points at reg_dw little-endian DWs: INTO the input on decode, the
 * caller's image on encode (read them with ide_km_query_resp_reg()). The decoder walks the
 * image the IDE Capability describes (image_dw DWs, at least 2) and requires it to be
 * complete; DWs after it (extra_dw = reg_dw - image_dw) must be zero. That tolerance is for
 * DMTF's sample DSM, which sends 74 zero DWs with a capability that describes 2 (facts §8.3);
 * anything non-zero beyond the described image is refused. */
struct ide_km_query_resp {
        uint8_t port_index;
        uint8_t dev_func;
        uint8_t bus;
        uint8_t segment;
        uint8_t max_port_index;
        const uint8_t *regs;
        size_t reg_dw;
        /* decoded from regs (set by the decoder; the encoder ignores them and checks regs): */
        uint32_t ide_cap, ide_ctl;
        unsigned link_streams; /* Link IDE register blocks: TCs if Link IDE is supported, else 0 */
        unsigned sel_streams;  /* Selective IDE register blocks, 0 if not supported */
        size_t image_dw;       /* the DWs those describe, IDE Capability and Control included */
        size_t extra_dw;       /* zero DWs after them */
};

/* KEY_PROG. The key is a secret and is not held here by value: the decoder points key_wire
 * INTO the input (the 32 Key bytes in wire order); ide_km_key_prog_key() copies it out in
 * AES order, and the encoder takes the AES-order key as a parameter. ifv is the invocation
 * field's initial value as an integer (IFV_DW1 << 32 | IFV_DW0): the 96-bit IDE IV is
 * 0x00000000 followed by its 8 big-endian bytes, and the wire carries 1 as
 * 00 00 00 00 01 00 00 00.  facts §4 [KEYORDER] */
struct ide_km_key_prog {
        struct ide_km_key_id id;
        uint64_t ifv;
        const uint8_t *key_wire; /* decode only */
};

struct ide_km_kp_ack {
        struct ide_km_key_id id;
        enum ide_km_kp_status status;
};

/* K_SET_GO, K_SET_STOP and K_GOSTOP_ACK carry the same fields. */
struct ide_km_k_set {
        struct ide_km_key_id id;
};

/* The object ID of an IDE_KM payload, for dispatch: true when len >= 2 and byte 0 is the
 * IDE_KM protocol ID (*object is then byte 1, even an unknown one); else false, *object 0. */
bool ide_km_object_id(const uint8_t *in, size_t len, uint8_t *object, char *why) IDE_KM_MUST_CHECK;

bool ide_km_query_decode(const uint8_t *in, size_t len, struct ide_km_query *out,
                         char *why) IDE_KM_MUST_CHECK;
bool ide_km_query_encode(uint8_t *out, size_t cap, const struct ide_km_query *m,
                         size_t *len) IDE_KM_MUST_CHECK;

/* Refuses a length that is not 8 + a multiple of 4, fewer than the 2 DWs of IDE Capability
 * and Control, more than IDE_KM_REGS_MAX_DW, an image shorter than its capability
 * describes, and non-zero DWs after the described image. The encoder refuses what the
 * decoder would (regs NULL with reg_dw > 0 included). */
bool ide_km_query_resp_decode(const uint8_t *in, size_t len, struct ide_km_query_resp *out,
                              char *why) IDE_KM_MUST_CHECK;
bool ide_km_query_resp_encode(uint8_t *out, size_t cap, const struct ide_km_query_resp *m,
                              size_t *len) IDE_KM_MUST_CHECK;
/* Register DW i of a decoded (or well-formed) QUERY_RESP; 0 when i >= reg_dw. */
uint32_t ide_km_query_resp_reg(const struct ide_km_query_resp *m, size_t i);
/* Where Selective IDE stream block i (0-based, < sel_streams) starts in the image, and how
 * many address association blocks it has. False (0, 0) for i out of range. */
bool ide_km_query_resp_sel_stream(const struct ide_km_query_resp *m, unsigned i, size_t *first_dw,
                                  unsigned *addr_blocks) IDE_KM_MUST_CHECK;

/* key is IDE_KM_KEY_SIZE bytes in AES order (k[0] first); it is written straight into out,
 * with each 4-byte group reversed (Key_DW7 = k[0..3] first, each DW little-endian). */
bool ide_km_key_prog_decode(const uint8_t *in, size_t len, struct ide_km_key_prog *out,
                            char *why) IDE_KM_MUST_CHECK;
bool ide_km_key_prog_encode(uint8_t *out, size_t cap, const struct ide_km_key_prog *m,
                            const uint8_t key[IDE_KM_KEY_SIZE], size_t *len) IDE_KM_MUST_CHECK;
/* The key of a decoded KEY_PROG in AES order into key (IDE_KM_KEY_SIZE bytes). The caller
 * owns the copy and must secure_zero() it (lib/crypto.h) when done. */
void ide_km_key_prog_key(const struct ide_km_key_prog *m, uint8_t key[IDE_KM_KEY_SIZE]);

bool ide_km_kp_ack_decode(const uint8_t *in, size_t len, struct ide_km_kp_ack *out,
                          char *why) IDE_KM_MUST_CHECK;
bool ide_km_kp_ack_encode(uint8_t *out, size_t cap, const struct ide_km_kp_ack *m,
                          size_t *len) IDE_KM_MUST_CHECK;

/* object is IDE_KM_K_SET_GO, IDE_KM_K_SET_STOP or IDE_KM_K_GOSTOP_ACK (anything else is
 * refused): the three share one layout. */
bool ide_km_k_set_decode(uint8_t object, const uint8_t *in, size_t len, struct ide_km_k_set *out,
                         char *why) IDE_KM_MUST_CHECK;
bool ide_km_k_set_encode(uint8_t object, uint8_t *out, size_t cap, const struct ide_km_k_set *m,
                         size_t *len) IDE_KM_MUST_CHECK;

/* Names for logs and tests ("?" for values outside the enum). */
const char *ide_km_object_name(uint8_t object);               /* "QUERY" ... "K_GOSTOP_ACK" */
const char *ide_km_key_set_name(enum ide_km_key_set k);       /* "K0", "K1" */
const char *ide_km_dir_name(enum ide_km_dir d);               /* "Rx", "Tx" */
const char *ide_km_sub_stream_name(enum ide_km_sub_stream s); /* "PR", "NPR", "CPL" */
const char *ide_km_kp_status_name(enum ide_km_kp_status s);   /* "SUCCESS", "INCORRECT_LENGTH", ... */

#endif
