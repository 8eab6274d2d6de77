/* Transaction Layer Packets on the Root Port <-> Endpoint link: the few kinds device
 * assignment needs, and their bytes on the wire so that a tap sees what a link analyser
 * would.  PCIe 6.2 §2.2 (non-Flit mode), IDE prefix facts §5.
 *
 *   kind   sub-stream  Fmt/Type (3 DW / 4 DW header)   payload
 *   MWr    PR          010/00000 0x40 / 011/00000 0x60   len bytes
 *   MRd    NPR         000/00000 0x00 / 001/00000 0x20   none (len = bytes asked for)
 *   Cpl    CPL         000/01010 0x0A                    none (len = Byte Count)
 *   CplD   CPL         010/01010 0x4A                    len bytes (byte_count = Byte Count)
 *
 * A read may be answered by several CplDs (PCIe 6.2 §2.3.1.1): each one's Byte Count is the
 * bytes of the read still to come INCLUDING its own payload, its Lower Address the low 7 bits
 * of its first byte's address; the last (or only) one has Byte Count = its Length. How a
 * completer splits (MPS, RCB) is hw/root_port.h's rule; the codec checks only that a CplD's
 * Byte Count is a DW multiple no smaller than its payload.
 *
 * Wire layout of one TLP (big-endian fields, as PCIe draws them):
 *
 *   [IDE prefix, 1 DW]  byte 0 = 0x92: Fmt 100b (TLP prefix), Type 1_0010b (End-End, IDE)
 *                       byte 1 = M<<7 | K<<6 | T<<5 | P<<4 | 0<<3 | Sub-Stream[2:0]
 *                       byte 2 = Stream ID, byte 3 = PR_Sent_Counter (0 on PR TLPs)
 *   header DW0          Fmt[2:0]|Type[4:0], then T9 TC Attr LN TH (all 0), TD EP Attr AT
 *                       (all 0) | Length[9:8], Length[7:0] (DWs, 0 = 1024; 0 in a Cpl)
 *   request DW1         Requester ID(2) | Tag(1) | Last DW BE[7:4] First DW BE[3:0]
 *   request DW2(,DW3)   3 DW: Address[31:2] | PH=00; 4 DW: Address[63:32], Address[31:2] | PH=00
 *   completion DW1      Completer ID(2) | Status[7:5] BCM[4] ByteCount[11:8] | ByteCount[7:0]
 *   completion DW2      Requester ID(2) | Tag(1) | R[7] Lower Address[6:0]
 *   payload             Length DWs (encrypted on an IDE TLP)
 *   [MAC, 3 DW]         when the prefix has M=1: the 96-bit AES-GCM MAC (hw/ide.h)
 *
 * Exactly as PCIe 6.x: the Fmt/Type codes, the DW0-DW3 field positions, Length in DWs with
 * 0 meaning 1024, Byte Count with 0 meaning 4096, the 3-DW header for addresses below 4 GiB
 * and the 4-DW header only above (§2.2.4.1), no request crossing a 4 KiB boundary
 * (§2.2.7), the completion status codes (SC 000b, UR 001b, RRS 010b, CA 100b), the prefix
 * byte 0 (Fmt 100b, E-E type IDE), the MAC appended after the payload and not counted in
 * Length.
 * Simplified (a decoder refuses the other values, an encoder never writes them): no ECRC
 * (TD=0), no poisoning (EP=0), TC0 and Attr 0 (TDISP's default stream is TC0), 8-bit tags
 * (T9/T8=0), no TPH or address translation (TH, PH, AT = 0), byte enables fixed (every byte
 * of every DW: First BE 1111b, Last BE 1111b or 0000b for a 1-DW request), so every
 * length, address and Byte Count is a DW multiple; BCM=0; a CplD always has status SC and a
 * Cpl (an error completion, which ends its read) carries its Byte Count in len; at most one
 * prefix; no Flit mode (no OHC-C), no PCRC (P=1
 * is refused), no aggregation in the codec's users (M=0 decodes; hw/ide.h refuses it);
 * no DLLP framing, sequence number or LCRC: one buffer is one TLP.
 * Ours, not checked against the spec text (facts §5 gives the prefix fields, not their bit
 * positions): the order of M, K, T, P, Sub-Stream in prefix byte 1 and that bytes 2 and 3
 * hold Stream ID and PR_Sent_Counter.
 *
 * Everything decoded is hostile: hw_tlp_decode reads only inside its input, refuses with a
 * reason, and on refusal leaves *out all zero. Every TLP it accepts re-encodes to exactly
 * its input (the encoding is canonical).
 */
#ifndef CCADA_HW_TLP_H
#define CCADA_HW_TLP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HW_TLP_MUST_CHECK __attribute__((warn_unused_result))

#define HW_TLP_WHY_LEN     96u  /* room for a refusal's reason */
#define HW_TLP_PREFIX_LEN  4u
#define HW_TLP_HDR3_LEN    12u
#define HW_TLP_HDR4_LEN    16u
#define HW_TLP_MAC_LEN     12u  /* 96-bit IDE MAC */
#define HW_TLP_MAX_DATA    4096u /* Length 1024 DW */
/* The longest TLP on the wire: prefix, 4-DW header, 4 KiB payload, MAC. */
#define HW_TLP_MAX_WIRE    (HW_TLP_PREFIX_LEN + HW_TLP_HDR4_LEN + HW_TLP_MAX_DATA + HW_TLP_MAC_LEN)

#define HW_TLP_IDE_PREFIX_BYTE0 0x92u /* Fmt 100b | Type 1_0010b: End-End TLP prefix, IDE */

enum hw_tlp_kind {
        HW_TLP_MWR,  /* memory write, posted */
        HW_TLP_MRD,  /* memory read, non-posted */
        HW_TLP_CPL,  /* completion without data */
        HW_TLP_CPLD, /* completion with data */
};

/* IDE sub-streams (prefix Sub-Stream field).  facts §4, §5 */
enum hw_ide_sub_stream {
        HW_IDE_PR = 0,  /* posted requests */
        HW_IDE_NPR = 1, /* non-posted requests */
        HW_IDE_CPL = 2, /* completions */
};
#define HW_IDE_SUB_STREAMS 3u

/* Completion status.  PCIe 6.2 §2.2.9.1 */
enum hw_tlp_cpl_status {
        HW_TLP_SC = 0,  /* Successful Completion */
        HW_TLP_UR = 1,  /* Unsupported Request */
        HW_TLP_RRS = 2, /* Request Retry Status (was CRS) */
        HW_TLP_CA = 4,  /* Completer Abort */
};

/* The IDE TLP prefix fields.  facts §5 */
struct hw_tlp_ide {
        bool present;            /* the TLP carries the IDE prefix (it is an IDE TLP) */
        bool t;                  /* TEE-originated */
        bool k;                  /* key set: false K0, true K1 */
        bool m;                  /* a MAC follows the payload */
        bool p;                  /* PCRC present (never accepted here) */
        uint8_t sub_stream;      /* enum hw_ide_sub_stream; must match the kind */
        uint8_t stream_id;
        uint8_t pr_sent_counter; /* NPR and CPL only; 0 on PR */
};

/* One TLP. Fields a kind does not use are zero (the decoder leaves them so; the encoder
 * refuses anything else). */
struct hw_tlp {
        enum hw_tlp_kind kind;
        struct hw_tlp_ide ide;
        uint16_t requester_id;   /* all kinds */
        uint16_t completer_id;   /* Cpl, CplD */
        uint8_t tag;             /* all kinds */
        uint8_t status;          /* Cpl, CplD: enum hw_tlp_cpl_status (CplD: SC only) */
        uint64_t addr;           /* MWr, MRd: the address; Cpl, CplD: Lower Address (bits 6:0) */
        uint32_t len;            /* bytes, a DW multiple, 4..4096: MWr, CplD payload; MRd asked; Cpl Byte Count */
        uint32_t byte_count;     /* CplD: Byte Count, the bytes of the read still to come including
                                  * this payload: a DW multiple, len..4096; 0 is taken as len (the
                                  * last or only completion). The decoder always fills it in.
                                  * Other kinds: 0 */
        const uint8_t *data;     /* MWr, CplD: len bytes (decode: points into the input) */
        const uint8_t *mac;      /* ide.m: HW_TLP_MAC_LEN bytes (decode: into the input;
                                  * encode: NULL writes zeros) */
};

const char *hw_tlp_kind_name(enum hw_tlp_kind k);          /* "MWr", "MRd", "Cpl", "CplD"; "?" */
const char *hw_ide_sub_stream_name(enum hw_ide_sub_stream s); /* "PR", "NPR", "CPL"; "?" */
/* The sub-stream a kind travels on. */
enum hw_ide_sub_stream hw_tlp_sub_stream(enum hw_tlp_kind k);
/* Whether the kind carries a payload (MWr, CplD). */
bool hw_tlp_has_data(enum hw_tlp_kind k);

/* Bytes of prefix plus header (the AAD of an IDE TLP) and of the whole TLP on the wire,
 * for a TLP hw_tlp_check accepts. */
size_t hw_tlp_hdr_len(const struct hw_tlp *t);
size_t hw_tlp_wire_len(const struct hw_tlp *t);

/* Whether t is a TLP this model can put on the wire (the rules above); false with why. */
bool hw_tlp_check(const struct hw_tlp *t, char *why) HW_TLP_MUST_CHECK;

/* Writes t to out (cap bytes): *len receives hw_tlp_wire_len(t). False, with nothing
 * promised in out and *len 0, when hw_tlp_check refuses t (why says so) or cap is short. */
bool hw_tlp_encode(const struct hw_tlp *t, uint8_t *out, size_t cap, size_t *len, char *why) HW_TLP_MUST_CHECK;

/* Decodes exactly one TLP of len bytes. out->data and out->mac point into in. False for
 * anything this model does not produce (see above), a truncated TLP or trailing bytes, with
 * *out all zero and why (HW_TLP_WHY_LEN bytes, may be NULL) saying what was wrong. */
bool hw_tlp_decode(const uint8_t *in, size_t len, struct hw_tlp *out, char *why) HW_TLP_MUST_CHECK;

#endif
