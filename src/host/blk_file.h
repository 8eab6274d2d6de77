/* A block backend over a file (see blk_backend.h): preadv/pwritev on the caller's iovecs,
 * fdatasync on flush. The medium's size is the file's length when it is opened; a file that
 * shrinks afterwards makes reads beyond its new end fail with BLK_ERR_SHORT.
 *
 * Every open takes a `why` (may be NULL) that says why it failed: BLK_ERR_SYSTEM with the
 * errno of the call that failed, or BLK_ERR_NO_MEMORY. */
#ifndef CCADA_HOST_BLK_FILE_H
#define CCADA_HOST_BLK_FILE_H

#include <stdint.h>

#include "host/blk_backend.h"

/* Opens the file at path for reading and writing. When create_size > 0, a file that does not
 * exist is created (mode 0600) and an existing empty one is grown, to exactly create_size
 * bytes (zero); a file that holds data keeps its bytes and length.
 * Errors: CCADA_E_INVAL (out or path NULL, create_size beyond what a file offset holds),
 * CCADA_E_IO (open, create, ftruncate or fstat failed: BLK_ERR_SYSTEM; a directory is
 * EISDIR; another kind of file BLK_ERR_NOT_REGULAR), CCADA_E_NOMEM.
 * A file this call created is removed again when a later step fails. */
ccada_status blk_file_open(struct blk_backend **out, const char *path, uint64_t create_size,
                           struct blk_error *why) CCADA_MUST_CHECK;

/* As blk_file_open with create_size = size (> 0), for a new image only: a file that holds
 * data is not opened, not written and not resized (BLK_ERR_SYSTEM, EEXIST).
 * Errors: as blk_file_open (CCADA_E_INVAL also for size 0). */
ccada_status blk_file_open_new(struct blk_backend **out, const char *path, uint64_t size,
                               struct blk_error *why) CCADA_MUST_CHECK;

/* Opens the existing file at path read-only: the backend's writes fail (BLK_ERR_SYSTEM,
 * EBADF) and nothing this process does through it changes the file.
 * Errors: as blk_file_open (ENOENT when it does not exist). */
ccada_status blk_file_open_read_only(struct blk_backend **out, const char *path,
                                     struct blk_error *why) CCADA_MUST_CHECK;

/* Opens a backend over a new temporary file of size bytes in $TMPDIR (default /tmp), created
 * with mkstemp and unlinked at once: it disappears when the backend is closed.
 * Errors: as blk_file_open (CCADA_E_INVAL also for a $TMPDIR path too long). */
ccada_status blk_file_open_temp(struct blk_backend **out, uint64_t size,
                                struct blk_error *why) CCADA_MUST_CHECK;

/* Opens a backend over fd, which it takes over (closed on failure, and by blk_backend_close).
 * Its size is the file's length now. The fd's access mode limits what the backend can do: a
 * read-only fd makes writes fail with BLK_ERR_SYSTEM (EBADF).
 * Errors: CCADA_E_INVAL (out NULL or fd < 0), CCADA_E_IO (fstat failed), CCADA_E_NOMEM. */
ccada_status blk_file_open_fd(struct blk_backend **out, int fd, struct blk_error *why) CCADA_MUST_CHECK;

/* The file descriptor, for inspection only (do not close it); -1 when b is NULL or not a file
 * backend. */
int blk_file_fd(const struct blk_backend *b);

#endif
