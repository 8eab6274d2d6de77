/* The DOE object and discovery decoders under arbitrary bytes (a DOE object comes from the
 * other end of the link). What must hold: decoding never reads outside the input (ASan); an
 * accepted object's payload lies inside it and its length is what the header says; decode
 * -> encode gives the input back up to the reserved bits the decoder ignores; a refusal
 * always gives a reason and leaves the output zeroed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/doe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void discovery(const struct doe_object *obj)
{
        struct doe_discovery_req req;
        struct doe_discovery_rsp rsp;
        uint8_t out[4];
        if (doe_discovery_req_decode(obj->payload, obj->payload_len, &req, NULL)) {
                if (!doe_discovery_req_encode(out, sizeof(out), &req) || memcmp(out, obj->payload, 2))
                        abort();
        }
        if (doe_discovery_rsp_decode(obj->payload, obj->payload_len, &rsp, NULL)) {
                if (!doe_discovery_rsp_encode(out, sizeof(out), &rsp) || memcmp(out, obj->payload, 4))
                        abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct doe_object obj;
        char why[DOE_WHY_LEN] = "";
        if (!doe_object_decode(data, size, &obj, why)) {
                if (!why[0] || obj.payload || obj.payload_len)
                        abort();
                return 0;
        }
        if (obj.payload != data + DOE_HEADER_SIZE || obj.payload_len + DOE_HEADER_SIZE != size || size % 4)
                abort();
        uint8_t *out = malloc(size);
        size_t len;
        if (!out || !doe_object_encode(obj.vendor, obj.type, obj.payload, obj.payload_len, out, size, &len) ||
            len != size || memcmp(out, data, 3) || memcmp(out + 8, data + 8, size - 8) ||
            ((out[4] | out[5] << 8 | (out[6] & 3) << 16) != (data[4] | data[5] << 8 | (data[6] & 3) << 16)))
                abort();
        free(out);
        discovery(&obj);
        return 0;
}
