/* The host's access to guest memory (implemented by the VMM, src/host/vm.c). */
#ifndef CCADA_HOST_GUEST_MEM_H
#define CCADA_HOST_GUEST_MEM_H

#include <stddef.h>
#include <stdint.h>

#include "ccada/status.h"

struct host_vm;
/* The host's view of guest memory at guest-physical (in a Realm: unprotected IPA) gpa,
 * through the NS granules the host mapped there. Errors: CCADA_E_RANGE (nothing mapped),
 * CCADA_E_GPF (the granule is not Non-secure). */
ccada_status host_gpa_read(struct host_vm *vm, uint64_t gpa, void *dst, size_t len) CCADA_MUST_CHECK;
ccada_status host_gpa_write(struct host_vm *vm, uint64_t gpa, const void *src, size_t len) CCADA_MUST_CHECK;

#endif
