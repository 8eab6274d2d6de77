/* A copy-on-write overlay over another block backend (see blk_backend.h), like QEMU's
 * -snapshot: the guest sees one medium it may read and write, but every write lands in host
 * RAM and the base is never written. This is how a disk image that holds a user's data is
 * used without the user's consent to modify it (the base may then be a read-only file).
 *
 * The medium is cut into chunks of BLK_COW_CHUNK bytes (the last one may be shorter). A chunk
 * is clean until its first write, and reads of it go to the base; that first write copies the
 * chunk from the base into a RAM copy (unless the write covers it all), and from then on the
 * chunk is read and written in RAM. So the overlay costs RAM only for the chunks written.
 * Flush has nothing to make durable and succeeds; everything written is gone at close.
 *
 * Errors are those of blk_backend.h; a failure of the base (reading a clean chunk) is
 * recorded with the base's reason and errno, and .done counted in the overlay's request.
 * A write whose RAM copy cannot be allocated fails with BLK_ERR_NO_MEMORY (CCADA_E_NOMEM):
 * the chunks before it are written, the rest of the range is unchanged.
 */
#ifndef CCADA_HOST_BLK_COW_H
#define CCADA_HOST_BLK_COW_H

#include <stdint.h>

#include "host/blk_backend.h"

#define BLK_COW_CHUNK (64u << 10) /* bytes a first write copies from the base (qcow2's default cluster) */

/* Opens an overlay over base, which it takes over: base is closed with the overlay, or at
 * once when this call fails. Its size is base's size now (fixed from here on).
 * Errors: CCADA_E_INVAL (out or base NULL; base closed if given), base's size error,
 * CCADA_E_NOMEM (BLK_ERR_NO_MEMORY in *why, which may be NULL). */
ccada_status blk_cow_open(struct blk_backend **out, struct blk_backend *base,
                          struct blk_error *why) CCADA_MUST_CHECK;

/* The base of overlay b, for inspection (the overlay still owns it); NULL when b is NULL
 * or not an overlay. */
const struct blk_backend *blk_cow_base(const struct blk_backend *b);

/* Bytes of RAM the overlay holds (written chunks times BLK_COW_CHUNK); 0 when b is not an
 * overlay. */
uint64_t blk_cow_ram_bytes(const struct blk_backend *b);

#endif
