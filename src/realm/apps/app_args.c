/* A Realm app's arguments (see app_args.h). */
#include "realm/apps/app_args.h"

#include <string.h>

#include "lib/bytes.h"

ccada_status app_args_get(struct realm_kernel *k, char out[APP_ARGS_MAX + 1])
{
        uint64_t g[31] = { 0 };
        uint8_t raw[APP_ARGS_MAX];
        out[0] = '\0';
        ccada_status st = rk_host_call(k, HOSTCALL_GET_ARGS, g);
        if (st != CCADA_OK)
                return st;
        if (g[0] > APP_ARGS_MAX)
                return CCADA_E_PEER;
        for (unsigned i = 0; i < APP_ARGS_MAX / 8; i++)
                st_le64(raw + 8 * i, g[1 + i]);
        memcpy(out, raw, (size_t)g[0]);
        out[g[0]] = '\0';
        return CCADA_OK;
}
