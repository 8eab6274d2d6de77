/* The foundation demo app, run as the Realm's init (workload "demo"): share a page, let
 * the host try to look at shared and private memory, talk to the UART over MMIO, extend a
 * REM, unshare, then blk-test (apps/blk_test.h). What it shows goes into the kernel's
 * report (docs/report.md); each of its checks is false until shown. */
#ifndef CCADA_REALM_APPS_DEMO_H
#define CCADA_REALM_APPS_DEMO_H

#include "realm/kernel.h"

void realm_demo_init(struct realm_kernel *k);

#endif
