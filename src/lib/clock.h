/* The host's monotonic clock, for figures of this software (benchmarks, the attach's steps):
 * never for anything a run's outcome depends on (the machine's own time is the trace's virtual
 * clock, lib/trace.h). */
#ifndef CCADA_LIB_CLOCK_H
#define CCADA_LIB_CLOCK_H

/* Nanoseconds of CLOCK_MONOTONIC. */
double clock_mono_ns(void);

#endif
