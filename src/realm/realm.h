/* The Realm guest as the machine builds it: what the board (src/machine) needs to build,
 * run and read a Realm, each part declared where it belongs (the apps, run as init, are in
 * realm/apps/: demo.h, bench.h; the kernel includes none of them):
 *   proto/realm_image.h  the boot image the machine writes into guest RAM
 *   realm/kernel.h  the kernel object: realm_kernel_create/destroy, its init
 *   realm/boot.h    realm_kernel_entry, the entry point the RMM runs on the REC
 *                   (its type: struct ccada_realm_program, include/ccada/cpu.h)
 * What a run found is the kernel's report (realm_kernel_report), apps' figures included.
 * Inside the Realm, files include those headers, not this one.
 */
#ifndef CCADA_REALM_REALM_H
#define CCADA_REALM_REALM_H

#include "ccada/cpu.h"
#include "realm/boot.h"
#include "proto/realm_image.h"
#include "realm/kernel.h"

#endif
