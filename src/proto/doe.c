/* PCIe DOE data objects and DOE Discovery.  PCIe 6.0 §6.30.1 */
#include "proto/doe.h"

#include <stdio.h>
#include <string.h>

#include "lib/bytes.h"

static void say(char *why, const char *text)
{
        if (why)
                snprintf(why, DOE_WHY_LEN, "%s", text);
}

bool doe_header_encode(uint8_t *out, size_t out_len, const struct doe_header *h)
{
        if (out_len < DOE_HEADER_SIZE || h->length_dw < DOE_HEADER_DW || h->length_dw > DOE_MAX_DW)
                return false;
        struct byte_writer w;
        bw_init(&w, out, DOE_HEADER_SIZE);
        bw_le16(&w, h->vendor);
        bw_u8(&w, h->type);
        bw_u8(&w, 0);                                      /* DW0 bits 31:24 reserved */
        bw_le32(&w, h->length_dw & DOE_LENGTH_MASK);       /* 2^18 wraps to 0: §6.30.1 */
        return bw_ok(&w);
}

bool doe_header_decode(const uint8_t *in, size_t in_len, struct doe_header *h, char *why)
{
        struct byte_reader r;
        memset(h, 0, sizeof(*h));
        br_init(&r, in, in_len < DOE_HEADER_SIZE ? 0 : DOE_HEADER_SIZE);
        uint16_t vendor = br_le16(&r);
        uint8_t type = br_u8(&r);
        br_skip(&r, 1); /* reserved: ignored */
        uint32_t length = br_le32(&r) & DOE_LENGTH_MASK; /* bits 31:18 reserved: ignored */
        if (!br_ok(&r)) {
                if (why)
                        snprintf(why, DOE_WHY_LEN, "%zu bytes cannot hold the 8-byte DOE header", in_len);
                return false;
        }
        if (length == 0)
                length = DOE_MAX_DW;
        if (length < DOE_HEADER_DW) {
                say(why, "DOE length 1 DW is below the 2-DW header");
                return false;
        }
        h->vendor = vendor;
        h->type = type;
        h->length_dw = length;
        return true;
}

bool doe_object_size(size_t payload_len, size_t *size)
{
        *size = 0;
        if (payload_len > DOE_MAX_PAYLOAD_SIZE)
                return false;
        *size = DOE_HEADER_SIZE + (payload_len + DOE_DW - 1) / DOE_DW * DOE_DW;
        return true;
}

bool doe_object_encode(uint16_t vendor, uint8_t type, const uint8_t *payload, size_t payload_len, uint8_t *out,
                       size_t out_cap, size_t *out_len)
{
        size_t size;
        *out_len = 0;
        if (!doe_object_size(payload_len, &size) || size > out_cap || (payload_len && !payload))
                return false;
        struct doe_header h = { vendor, type, (uint32_t)(size / DOE_DW) }; /* <= 2^18: checked above */
        struct byte_writer w;
        if (!doe_header_encode(out, out_cap, &h))
                return false;
        bw_init(&w, out, size);
        bw_seek(&w, DOE_HEADER_SIZE);
        bw_bytes(&w, payload, payload_len);
        bw_zero(&w, size - DOE_HEADER_SIZE - payload_len);
        if (!bw_ok(&w) || bw_len(&w) != size)
                return false;
        *out_len = size;
        return true;
}

bool doe_object_decode(const uint8_t *in, size_t in_len, struct doe_object *obj, char *why)
{
        struct doe_header h;
        memset(obj, 0, sizeof(*obj));
        if (!doe_header_decode(in, in_len, &h, why))
                return false;
        if ((size_t)h.length_dw * DOE_DW != in_len) {
                if (why)
                        snprintf(why, DOE_WHY_LEN, "DOE length %u DW (%zu bytes) but %zu bytes were given",
                                 h.length_dw, (size_t)h.length_dw * DOE_DW, in_len);
                return false;
        }
        obj->vendor = h.vendor;
        obj->type = h.type;
        obj->payload = in + DOE_HEADER_SIZE;
        obj->payload_len = in_len - DOE_HEADER_SIZE;
        return true;
}

bool doe_discovery_req_encode(uint8_t *out, size_t out_len, const struct doe_discovery_req *req)
{
        struct byte_writer w;
        bw_init(&w, out, out_len);
        bw_u8(&w, req->index);
        bw_u8(&w, req->version);
        bw_le16(&w, 0); /* reserved */
        return bw_ok(&w);
}

static bool one_dw(size_t in_len, char *why, const char *what)
{
        if (in_len == DOE_DW)
                return true;
        if (why)
                snprintf(why, DOE_WHY_LEN, "a DOE discovery %s payload is 4 bytes, not %zu", what, in_len);
        return false;
}

bool doe_discovery_req_decode(const uint8_t *in, size_t in_len, struct doe_discovery_req *req, char *why)
{
        memset(req, 0, sizeof(*req));
        if (!one_dw(in_len, why, "request"))
                return false;
        req->index = in[0];
        req->version = in[1]; /* bytes 2..3 reserved: ignored */
        return true;
}

bool doe_discovery_rsp_encode(uint8_t *out, size_t out_len, const struct doe_discovery_rsp *rsp)
{
        struct byte_writer w;
        bw_init(&w, out, out_len);
        bw_le16(&w, rsp->vendor);
        bw_u8(&w, rsp->type);
        bw_u8(&w, rsp->next_index);
        return bw_ok(&w);
}

bool doe_discovery_rsp_decode(const uint8_t *in, size_t in_len, struct doe_discovery_rsp *rsp, char *why)
{
        memset(rsp, 0, sizeof(*rsp));
        if (!one_dw(in_len, why, "response"))
                return false;
        rsp->vendor = ld_le16(in);
        rsp->type = in[2];
        rsp->next_index = in[3];
        return true;
}

const char *doe_type_name(uint16_t vendor, uint8_t type)
{
        if (vendor != DOE_VENDOR_PCI_SIG)
                return "?";
        switch (type) {
        case DOE_TYPE_DISCOVERY: return "DISCOVERY";
        case DOE_TYPE_CMA_SPDM: return "CMA_SPDM";
        case DOE_TYPE_SECURED_CMA_SPDM: return "SECURED_CMA_SPDM";
        default: return "?";
        }
}
