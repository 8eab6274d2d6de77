/* ccada bench blk: virtio-blk throughput and IOPS, Realm vs normal VM, same run. */
#include "ccada/machine.h"
#include "cli.h"

int cli_bench_blk(unsigned reps, bool json)
{
        (void)reps;
        (void)json;
        fputs("ccada bench blk: the virtio-blk path is not built yet\n", stderr);
        return CLI_FAIL;
}
