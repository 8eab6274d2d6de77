/* The host's monotonic clock (contract: clock.h). */
#include "lib/clock.h"

#include <time.h>

double clock_mono_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}
