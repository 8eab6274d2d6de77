/* The host's access to guest memory (implemented by the VMM in src/host/guest_mem.c; the
 * device-model tests link a fake of their own).
 *
 * The host reaches guest memory only through the pages it mapped for the guest: in a Realm,
 * the Non-secure granules at the unprotected aliases (what the Realm shared); in a normal VM,
 * its RAM. Every access is made as the Non-secure world, so a granule that is not Non-secure
 * (delegated behind the host's back, say) faults instead of leaking.
 *
 * Two ways in:
 *   - host_gpa_read/host_gpa_write copy, checked on every call: for rings, headers, status
 *     bytes, anything small that the host decodes or encodes;
 *   - host_gpa_map resolves a guest range to iovecs over the host's own mapping of those
 *     pages, checked when it resolves, so that a backend moves payload straight between its
 *     medium and the shared pages (preadv/pwritev, a memcpy, a vhost-user daemon).
 */
#ifndef CCADA_HOST_GUEST_MEM_H
#define CCADA_HOST_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "ccada/status.h"

struct host_vm;

/* The host maps guest memory in pages of this size: a guest range of len bytes resolves to at
 * most len / HOST_GPA_PAGE_SIZE + 2 iovecs. */
#define HOST_GPA_PAGE_SIZE 4096u

/* The host's view of guest memory at guest-physical (in a Realm: unprotected IPA) gpa,
 * through the NS granules the host mapped there. Errors: CCADA_E_RANGE (nothing mapped),
 * CCADA_E_GPF (the granule is not Non-secure). */
ccada_status host_gpa_read(struct host_vm *vm, uint64_t gpa, void *dst, size_t len) CCADA_MUST_CHECK;
ccada_status host_gpa_write(struct host_vm *vm, uint64_t gpa, const void *src, size_t len) CCADA_MUST_CHECK;

/* Resolves guest [gpa, gpa+len) to host buffers and appends them to iov[*n, max), merging
 * each with the one before it (iov[*n - 1] included) when they are contiguous in the host;
 * *n becomes the new count. write says what the caller will do with the bytes (the check,
 * its fault record and its `gpf` trace event name that access).
 * The buffers are the guest's pages themselves, checked as the NS world now: use them before
 * the host next calls the RMM or enters the guest (hw_map in hw/hw.h), and do not keep them.
 * len 0 appends nothing.
 * Errors: CCADA_E_RANGE (a page of the range has nothing mapped), CCADA_E_GPF (a page is not
 * Non-secure), CCADA_E_NOSPC (more than max iovecs needed). On error *n and iov[0, *n) are
 * as they were; iov[*n, max) may have been written. */
ccada_status host_gpa_map(struct host_vm *vm, uint64_t gpa, size_t len, bool write, struct iovec *iov, unsigned max,
                          unsigned *n) CCADA_MUST_CHECK;

#endif
