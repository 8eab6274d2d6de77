/* The RmiRealmParams and RmiRecParams codecs under arbitrary bytes: the RMM decodes both
 * from pages the host wrote. Input: up to 4 KiB for RmiRealmParams, then up to 4 KiB for
 * RmiRecParams (missing bytes are zero). What must hold: decoding never reads outside its
 * page (ASan), and decode -> encode -> decode is the identity on the decoded fields. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/rmi_params.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t *page_from(const uint8_t *data, size_t size, size_t *used)
{
        uint8_t *page = calloc(1, RMI_REALM_PARAMS_SIZE); /* both layouts are one granule */
        if (!page)
                abort();
        size_t n = size < RMI_REALM_PARAMS_SIZE ? size : RMI_REALM_PARAMS_SIZE;
        memcpy(page, data, n);
        *used = n;
        return page;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _Static_assert(RMI_REALM_PARAMS_SIZE == RMI_REC_PARAMS_SIZE, "both are one granule");
        size_t used;
        uint8_t *in = page_from(data, size, &used), *out = malloc(RMI_REALM_PARAMS_SIZE);
        if (!out)
                abort();
        struct rmi_realm_params rp, rp2;
        memset(&rp, 0, sizeof(rp)); /* padding too: the structs are compared whole */
        memset(&rp2, 0, sizeof(rp2));
        rmi_realm_params_decode(in, &rp);
        rmi_realm_params_encode(&rp, out);
        rmi_realm_params_decode(out, &rp2);
        if (memcmp(&rp, &rp2, sizeof(rp)) != 0)
                abort();
        free(in);

        in = page_from(data + used, size - used, &used);
        struct rmi_rec_params cp, cp2;
        rmi_rec_params_decode(in, &cp);
        rmi_rec_params_encode(&cp, out);
        rmi_rec_params_decode(out, &cp2);
        if (memcmp(&cp, &cp2, sizeof(cp)) != 0)
                abort();
        free(in);
        free(out);
        return 0;
}
