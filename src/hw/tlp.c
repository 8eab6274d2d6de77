/* TLP codec: the layout and the rules are in tlp.h.  PCIe 6.2 §2.2 */
#include "hw/tlp.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/bytes.h"

/* Fmt[2:0] << 5 | Type[4:0].  PCIe 6.2 §2.2.1 Table 2-3 */
#define FMT_TYPE_MRD32  0x00u
#define FMT_TYPE_MRD64  0x20u
#define FMT_TYPE_MWR32  0x40u
#define FMT_TYPE_MWR64  0x60u
#define FMT_TYPE_CPL    0x0Au
#define FMT_TYPE_CPLD   0x4Au
#define FMT_PREFIX      0x4u  /* Fmt 100b */

#define PFX_M           0x80u
#define PFX_K           0x40u
#define PFX_T           0x20u
#define PFX_P           0x10u
#define PFX_RSVD        0x08u
#define PFX_SUB_STREAM  0x07u

#define BE_ALL          0xFu
#define PAGE_4K         4096u

static bool refuse(char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool refuse(char *why, const char *fmt, ...)
{
        if (why) {
                va_list ap;
                va_start(ap, fmt);
                (void)vsnprintf(why, HW_TLP_WHY_LEN, fmt, ap);
                va_end(ap);
        }
        return false;
}

const char *hw_tlp_kind_name(enum hw_tlp_kind k)
{
        switch (k) {
        case HW_TLP_MWR: return "MWr";
        case HW_TLP_MRD: return "MRd";
        case HW_TLP_CPL: return "Cpl";
        case HW_TLP_CPLD: return "CplD";
        }
        return "?";
}

const char *hw_ide_sub_stream_name(enum hw_ide_sub_stream s)
{
        switch (s) {
        case HW_IDE_PR: return "PR";
        case HW_IDE_NPR: return "NPR";
        case HW_IDE_CPL: return "CPL";
        }
        return "?";
}

enum hw_ide_sub_stream hw_tlp_sub_stream(enum hw_tlp_kind k)
{
        return k == HW_TLP_MWR ? HW_IDE_PR : k == HW_TLP_MRD ? HW_IDE_NPR : HW_IDE_CPL;
}

bool hw_tlp_has_data(enum hw_tlp_kind k)
{
        return k == HW_TLP_MWR || k == HW_TLP_CPLD;
}

static bool is_request(enum hw_tlp_kind k)
{
        return k == HW_TLP_MWR || k == HW_TLP_MRD;
}

/* A 4-DW header only for an address at or above 4 GiB.  PCIe 6.2 §2.2.4.1 */
static bool four_dw(const struct hw_tlp *t)
{
        return is_request(t->kind) && t->addr > UINT32_MAX;
}

size_t hw_tlp_hdr_len(const struct hw_tlp *t)
{
        return (t->ide.present ? HW_TLP_PREFIX_LEN : 0) + (four_dw(t) ? HW_TLP_HDR4_LEN : HW_TLP_HDR3_LEN);
}

size_t hw_tlp_wire_len(const struct hw_tlp *t)
{
        return hw_tlp_hdr_len(t) + (hw_tlp_has_data(t->kind) ? t->len : 0) +
               (t->ide.present && t->ide.m ? HW_TLP_MAC_LEN : 0);
}

static bool check_ide(const struct hw_tlp *t, char *why)
{
        const struct hw_tlp_ide *p = &t->ide;

        if (!p->present) {
                if (p->t || p->k || p->m || p->p || p->sub_stream || p->stream_id || p->pr_sent_counter)
                        return refuse(why, "IDE fields set on a TLP without the IDE prefix");
                return true;
        }
        if (p->p)
                return refuse(why, "IDE prefix P=1: PCRC is not modelled");
        if (p->sub_stream != (uint8_t)hw_tlp_sub_stream(t->kind))
                return refuse(why, "IDE sub-stream %u on a %s (it travels on %s)", (unsigned)p->sub_stream,
                              hw_tlp_kind_name(t->kind), hw_ide_sub_stream_name(hw_tlp_sub_stream(t->kind)));
        if (t->kind == HW_TLP_MWR && p->pr_sent_counter)
                return refuse(why, "PR_Sent_Counter %u on a posted request (reserved there)",
                              (unsigned)p->pr_sent_counter);
        return true;
}

static bool check_len(const struct hw_tlp *t, char *why)
{
        if (t->len < 4 || t->len > HW_TLP_MAX_DATA || t->len % 4)
                return refuse(why, "length %u is not a DW multiple in 4..4096", (unsigned)t->len);
        if (hw_tlp_has_data(t->kind) && !t->data)
                return refuse(why, "a %s without its payload", hw_tlp_kind_name(t->kind));
        if (!hw_tlp_has_data(t->kind) && t->data)
                return refuse(why, "a %s carries no payload", hw_tlp_kind_name(t->kind));
        return true;
}

/* PCIe 6.2 §2.2.7: a request's address is DW aligned here (byte enables are fixed) and may
 * not cross a 4 KiB boundary. */
static bool check_request(const struct hw_tlp *t, char *why)
{
        if (t->completer_id || t->status)
                return refuse(why, "completer ID or status on a request");
        if (t->addr % 4)
                return refuse(why, "address 0x%llx is not DW aligned", (unsigned long long)t->addr);
        if ((t->addr % PAGE_4K) + t->len > PAGE_4K)
                return refuse(why, "a %u-byte request at 0x%llx crosses a 4 KiB boundary", (unsigned)t->len,
                              (unsigned long long)t->addr);
        return true;
}

/* A CplD's Byte Count: byte_count, or len when it is 0 (a single completion). */
static uint32_t cpld_byte_count(const struct hw_tlp *t)
{
        return t->byte_count ? t->byte_count : t->len;
}

static bool check_completion(const struct hw_tlp *t, char *why)
{
        if (t->status != HW_TLP_SC && t->status != HW_TLP_UR && t->status != HW_TLP_RRS && t->status != HW_TLP_CA)
                return refuse(why, "completion status %u is reserved", (unsigned)t->status);
        if (t->kind == HW_TLP_CPLD && t->status != HW_TLP_SC)
                return refuse(why, "a CplD with status %u (only SC carries data)", (unsigned)t->status);
        if (t->addr > 0x7F || t->addr % 4)
                return refuse(why, "lower address 0x%llx is not a DW offset below 128",
                              (unsigned long long)t->addr);
        if (t->kind == HW_TLP_CPLD) {
                uint32_t bc = cpld_byte_count(t);
                if (bc % 4 || bc > PAGE_4K)
                        return refuse(why, "Byte Count %u is not a DW multiple up to 4096", (unsigned)bc);
                if (bc < t->len)
                        return refuse(why, "Byte Count %u below the %u bytes of data", (unsigned)bc,
                                      (unsigned)t->len);
        }
        return true;
}

bool hw_tlp_check(const struct hw_tlp *t, char *why)
{
        if (t->kind != HW_TLP_MWR && t->kind != HW_TLP_MRD && t->kind != HW_TLP_CPL && t->kind != HW_TLP_CPLD)
                return refuse(why, "TLP kind %d is not modelled", (int)t->kind);
        if (!check_ide(t, why) || !check_len(t, why))
                return false;
        if (t->kind != HW_TLP_CPLD && t->byte_count)
                return refuse(why, "byte_count on a %s (only a CplD has one)", hw_tlp_kind_name(t->kind));
        if (!t->ide.present && t->mac)
                return refuse(why, "a MAC on a TLP without the IDE prefix");
        return is_request(t->kind) ? check_request(t, why) : check_completion(t, why);
}

static void put_prefix(struct byte_writer *w, const struct hw_tlp_ide *p)
{
        bw_u8(w, HW_TLP_IDE_PREFIX_BYTE0);
        bw_u8(w, (uint8_t)((p->m ? PFX_M : 0) | (p->k ? PFX_K : 0) | (p->t ? PFX_T : 0) | (p->p ? PFX_P : 0) |
                           (p->sub_stream & PFX_SUB_STREAM)));
        bw_u8(w, p->stream_id);
        bw_u8(w, p->pr_sent_counter);
}

static uint8_t fmt_type(const struct hw_tlp *t)
{
        switch (t->kind) {
        case HW_TLP_MWR: return four_dw(t) ? FMT_TYPE_MWR64 : FMT_TYPE_MWR32;
        case HW_TLP_MRD: return four_dw(t) ? FMT_TYPE_MRD64 : FMT_TYPE_MRD32;
        case HW_TLP_CPL: return FMT_TYPE_CPL;
        case HW_TLP_CPLD: return FMT_TYPE_CPLD;
        }
        return 0xFF;
}

static void put_header(struct byte_writer *w, const struct hw_tlp *t)
{
        /* Length in DWs, 1024 written as 0; a Cpl has none.  PCIe 6.2 §2.2.2 */
        uint32_t dws = t->kind == HW_TLP_CPL ? 0 : (t->len / 4) % 1024u;

        bw_u8(w, fmt_type(t));
        bw_u8(w, 0);                          /* T9 TC Attr[2] LN TH */
        bw_u8(w, (uint8_t)(dws >> 8));        /* TD EP Attr[1:0] AT | Length[9:8] */
        bw_u8(w, (uint8_t)dws);
        if (is_request(t->kind)) {
                bw_be16(w, t->requester_id);
                bw_u8(w, t->tag);
                bw_u8(w, (uint8_t)((t->len > 4 ? BE_ALL << 4 : 0) | BE_ALL));
                if (four_dw(t))
                        bw_be64(w, t->addr);  /* Address[63:32], Address[31:2] | PH 00b */
                else
                        bw_be32(w, (uint32_t)t->addr);
        } else {
                /* Byte Count 4096 written as 0 */
                uint32_t bc = (t->kind == HW_TLP_CPLD ? cpld_byte_count(t) : t->len) % PAGE_4K;
                bw_be16(w, t->completer_id);
                bw_u8(w, (uint8_t)((uint32_t)t->status << 5 | (bc >> 8)));
                bw_u8(w, (uint8_t)bc);
                bw_be16(w, t->requester_id);
                bw_u8(w, t->tag);
                bw_u8(w, (uint8_t)t->addr);
        }
}

bool hw_tlp_encode(const struct hw_tlp *t, uint8_t *out, size_t cap, size_t *len, char *why)
{
        static const uint8_t zero_mac[HW_TLP_MAC_LEN];
        struct byte_writer w;

        *len = 0;
        if (!hw_tlp_check(t, why))
                return false;
        if (hw_tlp_wire_len(t) > cap)
                return refuse(why, "%zu bytes of room for a %zu-byte TLP", cap, hw_tlp_wire_len(t));
        bw_init(&w, out, cap);
        if (t->ide.present)
                put_prefix(&w, &t->ide);
        put_header(&w, t);
        if (hw_tlp_has_data(t->kind))
                bw_bytes(&w, t->data, t->len);
        if (t->ide.present && t->ide.m)
                bw_bytes(&w, t->mac ? t->mac : zero_mac, HW_TLP_MAC_LEN);
        if (!bw_ok(&w))
                return refuse(why, "TLP does not fit");
        *len = bw_len(&w);
        return true;
}

/* ---- decoding ---- */

static bool get_prefix(struct byte_reader *r, struct hw_tlp_ide *p, char *why)
{
        uint8_t b0 = br_u8(r), b1 = br_u8(r);

        if (b0 != HW_TLP_IDE_PREFIX_BYTE0)
                return refuse(why, "TLP prefix 0x%02x is not the IDE prefix", (unsigned)b0);
        if (b1 & PFX_RSVD)
                return refuse(why, "IDE prefix reserved bit set");
        p->present = true;
        p->m = b1 & PFX_M;
        p->k = b1 & PFX_K;
        p->t = b1 & PFX_T;
        p->p = b1 & PFX_P;
        p->sub_stream = b1 & PFX_SUB_STREAM;
        p->stream_id = br_u8(r);
        p->pr_sent_counter = br_u8(r);
        if (!br_ok(r))
                return refuse(why, "truncated in the IDE prefix");
        if (p->sub_stream > HW_IDE_CPL)
                return refuse(why, "IDE sub-stream %u is reserved", (unsigned)p->sub_stream);
        return true;
}

static bool kind_of(uint8_t ft, enum hw_tlp_kind *k, bool *four, char *why)
{
        *four = ft == FMT_TYPE_MWR64 || ft == FMT_TYPE_MRD64;
        switch (ft) {
        case FMT_TYPE_MWR32: case FMT_TYPE_MWR64: *k = HW_TLP_MWR; return true;
        case FMT_TYPE_MRD32: case FMT_TYPE_MRD64: *k = HW_TLP_MRD; return true;
        case FMT_TYPE_CPL: *k = HW_TLP_CPL; return true;
        case FMT_TYPE_CPLD: *k = HW_TLP_CPLD; return true;
        }
        if (ft >> 5 == FMT_PREFIX)
                return refuse(why, "a second TLP prefix (0x%02x)", (unsigned)ft);
        return refuse(why, "Fmt/Type 0x%02x is not a modelled TLP", (unsigned)ft);
}

/* DW1.. of a request: IDs, tag, byte enables, address. */
static bool get_request(struct byte_reader *r, struct hw_tlp *t, bool four, uint32_t dws, char *why)
{
        t->requester_id = br_be16(r);
        t->tag = br_u8(r);
        uint8_t be = br_u8(r);
        t->addr = four ? br_be64(r) : br_be32(r);
        if (!br_ok(r))
                return refuse(why, "truncated in the request header");
        if (be != (uint8_t)((dws > 1 ? BE_ALL << 4 : 0) | BE_ALL))
                return refuse(why, "byte enables 0x%02x for %u DW (only whole DWs are modelled)", (unsigned)be,
                              (unsigned)dws);
        if (t->addr & 3)
                return refuse(why, "PH bits 0x%x set (TPH is not modelled)", (unsigned)(t->addr & 3));
        if (four && t->addr <= UINT32_MAX)
                return refuse(why, "a 4-DW header for address 0x%llx below 4 GiB", (unsigned long long)t->addr);
        t->len = dws * 4;
        return true;
}

static bool get_completion(struct byte_reader *r, struct hw_tlp *t, uint32_t dws, char *why)
{
        t->completer_id = br_be16(r);
        uint8_t b6 = br_u8(r), b7 = br_u8(r);
        t->requester_id = br_be16(r);
        t->tag = br_u8(r);
        uint8_t lower = br_u8(r);
        if (!br_ok(r))
                return refuse(why, "truncated in the completion header");
        if (b6 & 0x10)
                return refuse(why, "BCM set (PCI-X bridges are not modelled)");
        t->status = (uint8_t)(b6 >> 5);
        uint32_t bc = (uint32_t)(b6 & 0x0F) << 8 | b7;
        if (!bc)
                bc = PAGE_4K;
        if (lower & 0x80)
                return refuse(why, "completion reserved bit set in the lower address byte");
        t->addr = lower;
        if (t->kind == HW_TLP_CPL) {
                if (dws != 0)
                        return refuse(why, "a Cpl with Length %u (it carries no data)", (unsigned)dws);
                t->len = bc;
                return true;
        }
        t->len = dws * 4;
        t->byte_count = bc; /* hw_tlp_check: a DW multiple, at least len */
        return true;
}

static bool decode(const uint8_t *in, size_t len, struct hw_tlp *t, char *why)
{
        struct byte_reader r;
        bool four;

        br_init(&r, in, len);
        if (len >= 1 && in[0] >> 5 == FMT_PREFIX && !get_prefix(&r, &t->ide, why))
                return false;
        uint8_t ft = br_u8(&r), b1 = br_u8(&r), b2 = br_u8(&r), b3 = br_u8(&r);
        if (!br_ok(&r))
                return refuse(why, "truncated: %zu bytes, not even a header DW", len);
        if (!kind_of(ft, &t->kind, &four, why))
                return false;
        if (b1)
                return refuse(why, "T9/TC/Attr/LN/TH byte 0x%02x (only TC0, Attr 0, 8-bit tags)", (unsigned)b1);
        if (b2 & 0xFC)
                return refuse(why, "TD/EP/Attr/AT bits 0x%02x (no ECRC, poisoning, ATS)", (unsigned)(b2 & 0xFC));
        uint32_t dws = (uint32_t)(b2 & 3) << 8 | b3;
        if (dws == 0 && t->kind != HW_TLP_CPL)
                dws = 1024;
        if (!(is_request(t->kind) ? get_request(&r, t, four, dws, why) : get_completion(&r, t, dws, why)))
                return false;
        if (hw_tlp_has_data(t->kind))
                t->data = br_take(&r, t->len);
        if (t->ide.present && t->ide.m)
                t->mac = br_take(&r, HW_TLP_MAC_LEN);
        if (!br_ok(&r))
                return refuse(why, "truncated: %zu bytes for a %zu-byte %s", len, hw_tlp_wire_len(t),
                              hw_tlp_kind_name(t->kind));
        if (br_remaining(&r))
                return refuse(why, "%zu trailing bytes after the %s", br_remaining(&r), hw_tlp_kind_name(t->kind));
        return hw_tlp_check(t, why);
}

bool hw_tlp_decode(const uint8_t *in, size_t len, struct hw_tlp *out, char *why)
{
        memset(out, 0, sizeof(*out));
        if (!in && len)
                return refuse(why, "no input");
        if (decode(in, len, out, why))
                return true;
        memset(out, 0, sizeof(*out));
        return false;
}
