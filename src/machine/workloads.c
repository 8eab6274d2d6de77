/* The workloads a board can run: name -> the Realm app its kernel runs as init. The only
 * place that names an app; machine.c looks them up by name. */
#include <string.h>

#include "ccada/machine.h"
#include "machine/board.h"
#include "realm/apps/attest.h"
#include "realm/apps/bench.h"
#include "realm/apps/demo.h"
#include "realm/apps/keybroker_app.h"
#include "realm/apps/net_test.h"
#include "realm/realm.h"
#include "lib/container.h"

static const struct machine_workload workloads[] = {
        { "demo", "memory isolation, MMIO, REM extend, blk-test", realm_demo_init },
        { "bench-swiotlb", "SWIOTLB map+unmap cost per size", realm_bench_swiotlb },
        { "bench-blk", "virtio-blk requests per second by queue depth, direction and size", realm_bench_blk },
        { "bench-tdisp", "the same requests bounced (virtio-blk) and direct (the accepted TDI), by direction and size",
          realm_bench_tdisp },
        { "attest", "an attestation token for the host-relayed challenge (ccada token make)", realm_attest_init },
        { "net-test", "TCP over virtio-net and lwIP to a host echo service (--args 'port=P [bytes=N]')",
          realm_net_test_init },
        { "keybroker-app", "the lab's Key Broker client: attest and fetch a key (--args '[-v] [--endpoint URL] KEY')",
          realm_keybroker_app_init },
};

const struct machine_workload *machine_workload_find(const char *name)
{
        for (size_t i = 0; i < ARRAY_SIZE(workloads); i++)
                if (!strcmp(workloads[i].name, name ? name : CCADA_WORKLOAD_DEFAULT))
                        return &workloads[i];
        return NULL;
}

size_t ccada_workload_count(void)
{
        return ARRAY_SIZE(workloads);
}

const char *ccada_workload_name(size_t i)
{
        return i < ccada_workload_count() ? workloads[i].name : NULL;
}

const char *ccada_workload_summary(size_t i)
{
        return i < ccada_workload_count() ? workloads[i].summary : NULL;
}
