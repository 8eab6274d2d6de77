/* IDE_KM objects over the VENDOR_DEFINED payload.  PCIe 6.0 §6.33.3; facts §4, §5 */
#include "proto/ide_km.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/bytes.h"

#define DW 4u

static bool refuse(char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool refuse(char *why, const char *fmt, ...)
{
        if (why) {
                va_list ap;
                va_start(ap, fmt);
                (void)vsnprintf(why, IDE_KM_WHY_LEN, fmt, ap);
                va_end(ap);
        }
        return false;
}

bool ide_km_object_id(const uint8_t *in, size_t len, uint8_t *object, char *why)
{
        *object = 0;
        if (!in || len < 2)
                return refuse(why, "a %zu-byte payload is shorter than ProtocolID and ObjectID",
                              in ? len : 0);
        if (in[0] != IDE_KM_PROTOCOL_ID)
                return refuse(why, "PCI-SIG protocol ID 0x%02x is not IDE_KM (0x%02x)", in[0],
                              IDE_KM_PROTOCOL_ID);
        *object = in[1];
        return true;
}

/* The protocol ID and object ID, then the length: exactly `size` bytes, or at least. */
static bool header_ok(const uint8_t *in, size_t len, uint8_t want, size_t size, bool at_least, char *why)
{
        uint8_t object;
        if (!ide_km_object_id(in, len, &object, why))
                return false;
        if (object != want)
                return refuse(why, "object ID 0x%02x (%s) where %s was expected", object,
                              ide_km_object_name(object), ide_km_object_name(want));
        if (at_least ? len < size : len != size)
                return refuse(why, "%s must be %s%zu bytes, not %zu", ide_km_object_name(want),
                              at_least ? "at least " : "", size, len);
        return true;
}

/* ---- the key identity: StreamID, KeySubStream and PortIndex (bytes 4, 6, 7) ---- */

/* Bytes 4..7 after the 4-byte header; byte 5 (Reserved or Status) is the caller's. */
static bool key_id_read(struct byte_reader *r, struct ide_km_key_id *id, uint8_t *byte5, char *why)
{
        id->stream_id = br_u8(r);
        *byte5 = br_u8(r);
        uint8_t ks = br_u8(r); /* bits 3:2 reserved: ignored */
        id->port_index = br_u8(r);
        unsigned sub = (unsigned)ks >> IDE_KM_KS_SUB_STREAM_SHIFT;
        if (!br_ok(r))
                return refuse(why, "the key identity lies beyond the payload");
        if (sub >= IDE_KM_SUB_STREAMS)
                return refuse(why, "KeySubStream 0x%02x: sub-stream %u is reserved (0 PR, 1 NPR, 2 CPL)", ks,
                              sub);
        id->key_set = (ks & IDE_KM_KS_KEY_SET) ? IDE_KM_K1 : IDE_KM_K0;
        id->dir = (ks & IDE_KM_KS_DIR_TX) ? IDE_KM_TX : IDE_KM_RX;
        id->sub_stream = (enum ide_km_sub_stream)sub;
        return true;
}

static bool key_id_valid(const struct ide_km_key_id *id)
{
        return (unsigned)id->key_set <= IDE_KM_K1 && (unsigned)id->dir <= IDE_KM_TX &&
               (unsigned)id->sub_stream < IDE_KM_SUB_STREAMS;
}

static uint8_t key_sub_stream_byte(const struct ide_km_key_id *id)
{
        unsigned ks = (unsigned)id->sub_stream << IDE_KM_KS_SUB_STREAM_SHIFT;
        if (id->key_set == IDE_KM_K1)
                ks |= IDE_KM_KS_KEY_SET;
        if (id->dir == IDE_KM_TX)
                ks |= IDE_KM_KS_DIR_TX;
        return (uint8_t)ks;
}

/* ProtocolID | ObjectID | Reserved(2) | StreamID | byte5 | KeySubStream | PortIndex */
static void key_id_write(struct byte_writer *w, uint8_t object, const struct ide_km_key_id *id, uint8_t byte5)
{
        bw_u8(w, IDE_KM_PROTOCOL_ID);
        bw_u8(w, object);
        bw_zero(w, 2);
        bw_u8(w, id->stream_id);
        bw_u8(w, byte5);
        bw_u8(w, key_sub_stream_byte(id));
        bw_u8(w, id->port_index);
}

static bool enc_done(struct byte_writer *w, size_t *len)
{
        *len = bw_ok(w) ? bw_len(w) : 0;
        return bw_ok(w);
}

/* ---- QUERY ---- */

bool ide_km_query_decode(const uint8_t *in, size_t len, struct ide_km_query *out, char *why)
{
        memset(out, 0, sizeof(*out));
        if (!header_ok(in, len, IDE_KM_QUERY, IDE_KM_QUERY_SIZE, false, why))
                return false;
        out->port_index = in[3]; /* byte 2 reserved: ignored */
        return true;
}

bool ide_km_query_encode(uint8_t *out, size_t cap, const struct ide_km_query *m, size_t *len)
{
        struct byte_writer w;
        *len = 0;
        if (cap < IDE_KM_QUERY_SIZE)
                return false;
        bw_init(&w, out, cap);
        bw_u8(&w, IDE_KM_PROTOCOL_ID);
        bw_u8(&w, IDE_KM_QUERY);
        bw_u8(&w, 0);
        bw_u8(&w, m->port_index);
        return enc_done(&w, len);
}

/* ---- QUERY_RESP ---- */

/* Walks the register image as the IDE Capability describes it into m's decoded fields.
 * regs holds reg_dw DWs. On refusal m's decoded fields are untouched. */
static bool regs_walk(const uint8_t *regs, size_t reg_dw, struct ide_km_query_resp *m, char *why)
{
        if (reg_dw < 2)
                return refuse(why, "%zu register DWs: IDE Capability and Control are missing", reg_dw);
        if (reg_dw > IDE_KM_REGS_MAX_DW)
                return refuse(why, "%zu register DWs, more than any IDE capability describes (%u)", reg_dw,
                              IDE_KM_REGS_MAX_DW);
        uint32_t cap = ld_le32(regs + IDE_KM_REG_IDE_CAP * DW);
        unsigned link = 0, sel = 0;
        if (cap & IDE_KM_CAP_LINK)
                link = ((cap >> IDE_KM_CAP_LINK_TCS_SHIFT) & IDE_KM_CAP_LINK_TCS_MASK) + 1;
        if (cap & IDE_KM_CAP_SELECTIVE)
                sel = ((cap >> IDE_KM_CAP_SEL_STREAMS_SHIFT) & IDE_KM_CAP_SEL_STREAMS_MASK) + 1;
        size_t need = 2 + (size_t)IDE_KM_LINK_STREAM_DW * link;
        if (need > reg_dw)
                return refuse(why,
                              "IDE Capability 0x%08x describes %u Link IDE streams (%zu DWs); %zu DWs came",
                              cap, link, need, reg_dw);
        for (unsigned i = 0; i < sel; i++) {
                if (need + IDE_KM_SEL_STREAM_FIXED_DW > reg_dw)
                        return refuse(
                                why,
                                "Selective IDE stream %u of %u: its registers pass the %zu DWs that came", i,
                                sel, reg_dw);
                unsigned blocks = ld_le32(regs + need * DW) & IDE_KM_SEL_CAP_ADDR_BLOCKS_MASK;
                need += IDE_KM_SEL_STREAM_FIXED_DW + (size_t)IDE_KM_ADDR_BLOCK_DW * blocks;
                if (need > reg_dw)
                        return refuse(
                                why,
                                "Selective IDE stream %u of %u: %u address blocks pass the %zu DWs that came",
                                i, sel, blocks, reg_dw);
        }
        for (size_t i = need; i < reg_dw; i++) {
                uint32_t v = ld_le32(regs + i * DW);
                if (v)
                        return refuse(why,
                                      "register DW %zu (0x%08x) lies after the %zu-DW image the capability "
                                      "describes and is not zero",
                                      i, v, need);
        }
        m->ide_cap = cap;
        m->ide_ctl = ld_le32(regs + IDE_KM_REG_IDE_CTL * DW);
        m->link_streams = link;
        m->sel_streams = sel;
        m->image_dw = need;
        m->extra_dw = reg_dw - need;
        return true;
}

bool ide_km_query_resp_decode(const uint8_t *in, size_t len, struct ide_km_query_resp *out, char *why)
{
        struct ide_km_query_resp m = { 0 };
        struct byte_reader r;
        memset(out, 0, sizeof(*out));
        if (!header_ok(in, len, IDE_KM_QUERY_RESP, IDE_KM_QUERY_RESP_HDR_SIZE, true, why))
                return false;
        if ((len - IDE_KM_QUERY_RESP_HDR_SIZE) % DW)
                return refuse(why, "QUERY_RESP is %zu bytes: its register image is not whole DWs", len);
        br_init(&r, in, len);
        br_skip(&r, 3); /* ProtocolID, ObjectID, Reserved (ignored) */
        m.port_index = br_u8(&r);
        m.dev_func = br_u8(&r);
        m.bus = br_u8(&r);
        m.segment = br_u8(&r);
        m.max_port_index = br_u8(&r);
        m.reg_dw = br_remaining(&r) / DW;
        m.regs = br_take(&r, m.reg_dw * DW);
        if (!br_ok(&r) || !regs_walk(m.regs, m.reg_dw, &m, why))
                return false;
        *out = m;
        return true;
}

bool ide_km_query_resp_encode(uint8_t *out, size_t cap, const struct ide_km_query_resp *m, size_t *len)
{
        struct ide_km_query_resp chk = { 0 };
        struct byte_writer w;
        *len = 0;
        if ((!m->regs && m->reg_dw) || !regs_walk(m->regs, m->reg_dw, &chk, NULL) ||
            cap < IDE_KM_QUERY_RESP_HDR_SIZE + m->reg_dw * DW)
                return false;
        bw_init(&w, out, cap);
        bw_u8(&w, IDE_KM_PROTOCOL_ID);
        bw_u8(&w, IDE_KM_QUERY_RESP);
        bw_u8(&w, 0);
        bw_u8(&w, m->port_index);
        bw_u8(&w, m->dev_func);
        bw_u8(&w, m->bus);
        bw_u8(&w, m->segment);
        bw_u8(&w, m->max_port_index);
        bw_bytes(&w, m->regs, m->reg_dw * DW);
        return enc_done(&w, len);
}

uint32_t ide_km_query_resp_reg(const struct ide_km_query_resp *m, size_t i)
{
        return m->regs && i < m->reg_dw ? ld_le32(m->regs + i * DW) : 0;
}

bool ide_km_query_resp_sel_stream(const struct ide_km_query_resp *m, unsigned i, size_t *first_dw,
                                  unsigned *addr_blocks)
{
        size_t at = 2 + (size_t)IDE_KM_LINK_STREAM_DW * m->link_streams;
        *first_dw = 0;
        *addr_blocks = 0;
        if (i >= m->sel_streams)
                return false;
        for (unsigned s = 0;; s++) {
                if (at + IDE_KM_SEL_STREAM_FIXED_DW > m->reg_dw)
                        return false; /* not a decoded struct: its counts disagree with its regs */
                unsigned blocks = ide_km_query_resp_reg(m, at) & IDE_KM_SEL_CAP_ADDR_BLOCKS_MASK;
                if (s == i) {
                        *first_dw = at;
                        *addr_blocks = blocks;
                        return true;
                }
                at += IDE_KM_SEL_STREAM_FIXED_DW + (size_t)IDE_KM_ADDR_BLOCK_DW * blocks;
        }
}

/* ---- KEY_PROG ---- */

bool ide_km_key_prog_decode(const uint8_t *in, size_t len, struct ide_km_key_prog *out, char *why)
{
        struct ide_km_key_prog m = { 0 };
        struct byte_reader r;
        uint8_t reserved;
        memset(out, 0, sizeof(*out));
        if (!header_ok(in, len, IDE_KM_KEY_PROG, IDE_KM_KEY_PROG_SIZE, false, why))
                return false;
        br_init(&r, in, len);
        br_skip(&r, 4); /* ProtocolID, ObjectID, Reserved(2) (ignored) */
        if (!key_id_read(&r, &m.id, &reserved, why))
                return false;
        m.key_wire = br_take(&r, IDE_KM_KEY_SIZE);
        uint64_t dw1 = br_le32(&r); /* IFV_DW1 = IV bytes 4..7 */
        uint64_t dw0 = br_le32(&r); /* IFV_DW0 = IV bytes 8..11 */
        if (!br_ok(&r))
                return refuse(why, "KEY_PROG's key and IFV lie beyond the payload");
        m.ifv = dw1 << 32 | dw0;
        *out = m;
        return true;
}

bool ide_km_key_prog_encode(uint8_t *out, size_t cap, const struct ide_km_key_prog *m,
                            const uint8_t key[IDE_KM_KEY_SIZE], size_t *len)
{
        struct byte_writer w;
        *len = 0;
        if (cap < IDE_KM_KEY_PROG_SIZE || !key || !key_id_valid(&m->id))
                return false;
        bw_init(&w, out, cap);
        key_id_write(&w, IDE_KM_KEY_PROG, &m->id, 0);
        uint8_t *k = bw_take(&w, IDE_KM_KEY_SIZE);
        if (k) /* Key_DW7 = key[0..3] with key[0] in bits 31:24, each DW little-endian: [KEYORDER] */
                for (size_t i = 0; i < IDE_KM_KEY_SIZE; i++)
                        k[i] = key[(i & ~(size_t)3) + 3 - (i & 3)];
        bw_le32(&w, (uint32_t)(m->ifv >> 32));
        bw_le32(&w, (uint32_t)m->ifv);
        return enc_done(&w, len);
}

void ide_km_key_prog_key(const struct ide_km_key_prog *m, uint8_t key[IDE_KM_KEY_SIZE])
{
        for (size_t i = 0; i < IDE_KM_KEY_SIZE; i++)
                key[i] = m->key_wire ? m->key_wire[(i & ~(size_t)3) + 3 - (i & 3)] : 0;
}

/* ---- KP_ACK ---- */

bool ide_km_kp_ack_decode(const uint8_t *in, size_t len, struct ide_km_kp_ack *out, char *why)
{
        struct ide_km_kp_ack m = { 0 };
        struct byte_reader r;
        uint8_t status;
        memset(out, 0, sizeof(*out));
        if (!header_ok(in, len, IDE_KM_KP_ACK, IDE_KM_KP_ACK_SIZE, false, why))
                return false;
        br_init(&r, in, len);
        br_skip(&r, 4);
        if (!key_id_read(&r, &m.id, &status, why))
                return false;
        if (status > IDE_KM_KP_STATUS_MAX)
                return refuse(why, "KP_ACK Status %u is reserved (0..%u are defined)", (unsigned)status,
                              (unsigned)IDE_KM_KP_STATUS_MAX);
        m.status = (enum ide_km_kp_status)status;
        *out = m;
        return true;
}

bool ide_km_kp_ack_encode(uint8_t *out, size_t cap, const struct ide_km_kp_ack *m, size_t *len)
{
        struct byte_writer w;
        *len = 0;
        if (cap < IDE_KM_KP_ACK_SIZE || !key_id_valid(&m->id) || (unsigned)m->status > IDE_KM_KP_STATUS_MAX)
                return false;
        bw_init(&w, out, cap);
        key_id_write(&w, IDE_KM_KP_ACK, &m->id, (uint8_t)m->status);
        return enc_done(&w, len);
}

/* ---- K_SET_GO / K_SET_STOP / K_GOSTOP_ACK ---- */

static bool is_k_set(uint8_t object)
{
        return object == IDE_KM_K_SET_GO || object == IDE_KM_K_SET_STOP || object == IDE_KM_K_GOSTOP_ACK;
}

bool ide_km_k_set_decode(uint8_t object, const uint8_t *in, size_t len, struct ide_km_k_set *out, char *why)
{
        struct ide_km_k_set m = { 0 };
        struct byte_reader r;
        uint8_t reserved;
        memset(out, 0, sizeof(*out));
        if (!is_k_set(object))
                return refuse(why, "object 0x%02x (%s) does not have the K_SET layout", object,
                              ide_km_object_name(object));
        if (!header_ok(in, len, object, IDE_KM_K_SET_SIZE, false, why))
                return false;
        br_init(&r, in, len);
        br_skip(&r, 4);
        if (!key_id_read(&r, &m.id, &reserved, why))
                return false;
        *out = m;
        return true;
}

bool ide_km_k_set_encode(uint8_t object, uint8_t *out, size_t cap, const struct ide_km_k_set *m, size_t *len)
{
        struct byte_writer w;
        *len = 0;
        if (!is_k_set(object) || cap < IDE_KM_K_SET_SIZE || !key_id_valid(&m->id))
                return false;
        bw_init(&w, out, cap);
        key_id_write(&w, object, &m->id, 0);
        return enc_done(&w, len);
}

/* ---- names ---- */

const char *ide_km_object_name(uint8_t object)
{
        switch (object) {
        case IDE_KM_QUERY: return "QUERY";
        case IDE_KM_QUERY_RESP: return "QUERY_RESP";
        case IDE_KM_KEY_PROG: return "KEY_PROG";
        case IDE_KM_KP_ACK: return "KP_ACK";
        case IDE_KM_K_SET_GO: return "K_SET_GO";
        case IDE_KM_K_SET_STOP: return "K_SET_STOP";
        case IDE_KM_K_GOSTOP_ACK: return "K_GOSTOP_ACK";
        default: return "?";
        }
}

const char *ide_km_key_set_name(enum ide_km_key_set k)
{
        switch (k) {
        case IDE_KM_K0: return "K0";
        case IDE_KM_K1: return "K1";
        default: return "?";
        }
}

const char *ide_km_dir_name(enum ide_km_dir d)
{
        switch (d) {
        case IDE_KM_RX: return "Rx";
        case IDE_KM_TX: return "Tx";
        default: return "?";
        }
}

const char *ide_km_sub_stream_name(enum ide_km_sub_stream s)
{
        switch (s) {
        case IDE_KM_PR: return "PR";
        case IDE_KM_NPR: return "NPR";
        case IDE_KM_CPL: return "CPL";
        default: return "?";
        }
}

const char *ide_km_kp_status_name(enum ide_km_kp_status s)
{
        switch (s) {
        case IDE_KM_KP_SUCCESS: return "SUCCESS";
        case IDE_KM_KP_INCORRECT_LENGTH: return "INCORRECT_LENGTH";
        case IDE_KM_KP_UNSUPPORTED_PORT_INDEX: return "UNSUPPORTED_PORT_INDEX";
        case IDE_KM_KP_UNSUPPORTED_VALUE: return "UNSUPPORTED_VALUE";
        case IDE_KM_KP_UNSPECIFIED_FAILURE: return "UNSPECIFIED_FAILURE";
        default: return "?";
        }
}
