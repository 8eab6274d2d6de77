/* Block backends: where a host block device model keeps its data.
 *
 * A device model (virtio-blk today) reaches its medium only through struct blk_backend_ops,
 * so a file, host RAM and, later, a vhost-user daemon are interchangeable. The medium is a
 * flat array of bytes [0, size); the device model decides sectors and capacity.
 *
 * Requests are iovecs: the device model hands over the guest's own buffers (host_gpa_map,
 * vdq_map_in/vdq_map_out), so data moves once, between the medium and the pages the guest
 * shared. A backend reads from the medium into the iovecs, or writes the iovecs to it, in
 * order, as one contiguous range starting at off.
 *
 * Call the backend through the blk_backend_* functions below, not through ops directly: they
 * check every request against the contract once (iovecs well formed, the range inside the
 * medium), record the failure, and only then hand a request to the implementation. An
 * implementation may therefore assume that its read and write see a valid range, and must
 * report every failure through blk_fail().
 *
 * Errors come back as a ccada_status with the reason kept in the backend (blk_backend_error):
 *   CCADA_E_INVAL  BLK_ERR_BAD_IOV       iovecs malformed (too many, NULL buffer, total overflows)
 *   CCADA_E_RANGE  BLK_ERR_OUT_OF_RANGE  off + length beyond the medium; no byte moved
 *   CCADA_E_IO     BLK_ERR_SHORT         the medium ended early (a file shrank under the backend)
 *   CCADA_E_IO     BLK_ERR_SYSTEM        a system call failed; .sys_errno says which error
 *   CCADA_E_NOMEM  BLK_ERR_NO_MEMORY     opening; a copy-on-write overlay's first write to a chunk
 *   CCADA_E_IO     BLK_ERR_NOT_REGULAR   (opening a file) the path is not a regular file
 *   CCADA_E_IO     BLK_ERR_TOO_SMALL     (opening a device) the medium is smaller than it needs
 * A write never fails silently: a failed write returns an error, and .done says how many bytes
 * reached the medium before it failed (those bytes are written; the rest of the range is
 * unchanged for RAM, undefined for a file). A failed read leaves the iovecs' contents undefined.
 *
 * Ownership: whoever opened a backend closes it with blk_backend_close (a device model that
 * is handed a backend owns it). Context: single-threaded; calls complete synchronously.
 */
#ifndef CCADA_HOST_BLK_BACKEND_H
#define CCADA_HOST_BLK_BACKEND_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "ccada/status.h"

/* Most iovecs one request may carry (Linux's UIO_MAXIOV is 1024; a backend passes longer
 * arrays to the kernel in pieces). */
#define BLK_BACKEND_MAX_IOV 4096u

enum blk_error_reason {
        BLK_ERR_NONE = 0,
        BLK_ERR_BAD_IOV,
        BLK_ERR_OUT_OF_RANGE,
        BLK_ERR_SHORT,
        BLK_ERR_SYSTEM,
        BLK_ERR_NO_MEMORY,
        BLK_ERR_NOT_REGULAR,
        BLK_ERR_TOO_SMALL,
};
const char *blk_error_reason_name(enum blk_error_reason r);

enum blk_op {
        BLK_OP_OPEN = 0,
        BLK_OP_READ,
        BLK_OP_WRITE,
        BLK_OP_FLUSH,
        BLK_OP_SIZE,
};
const char *blk_op_name(enum blk_op op);

/* Why the last call failed. */
struct blk_error {
        enum blk_error_reason reason; /* BLK_ERR_NONE: the last call succeeded */
        ccada_status status;          /* what the call returned */
        enum blk_op op;
        int sys_errno;     /* BLK_ERR_SYSTEM: errno; else 0 */
        uint64_t off, len; /* the request's range (read/write) */
        uint64_t done;     /* bytes moved before the failure */
};

/* What e says, for a person: the system's message for BLK_ERR_SYSTEM (strerror), else a
 * phrase ("not a regular file"). The text lives as long as the program (or, for
 * BLK_ERR_SYSTEM, until the next strerror call). */
const char *blk_error_text(const struct blk_error *e);

struct blk_backend;

struct blk_backend_ops {
        const char *kind; /* "file", "ram", "cow": for logs */
        /* Reads [off, off + total of iov) of the medium into iov[0, n). */
        ccada_status (*read)(struct blk_backend *b, uint64_t off, const struct iovec *iov, unsigned n);
        /* Writes iov[0, n) to the medium at [off, off + total of iov). */
        ccada_status (*write)(struct blk_backend *b, uint64_t off, const struct iovec *iov, unsigned n);
        /* Makes every completed write durable (fdatasync for a file; nothing for RAM). */
        ccada_status (*flush)(struct blk_backend *b);
        /* The medium's size in bytes. Fixed from open to close for file and RAM. */
        ccada_status (*size)(struct blk_backend *b, uint64_t *bytes);
        /* Releases the medium and frees b. Cannot fail: flush first to learn about durability. */
        void (*close)(struct blk_backend *b);
};

/* The part every backend starts with (implementations embed it first). */
struct blk_backend {
        const struct blk_backend_ops *ops;
        struct blk_error error;
};

/* Each returns CCADA_OK or the error of the table above (BLK_ERR_NONE recorded on success).
 * n may be 0 (a no-op that still checks off against the size). */
ccada_status blk_backend_read(struct blk_backend *b, uint64_t off, const struct iovec *iov,
                              unsigned n) CCADA_MUST_CHECK;
ccada_status blk_backend_write(struct blk_backend *b, uint64_t off, const struct iovec *iov,
                               unsigned n) CCADA_MUST_CHECK;
ccada_status blk_backend_flush(struct blk_backend *b) CCADA_MUST_CHECK;
ccada_status blk_backend_size(struct blk_backend *b, uint64_t *bytes) CCADA_MUST_CHECK;
/* Closes b (NULL: no-op). */
void blk_backend_close(struct blk_backend *b);
/* Why the last call on b failed (reason BLK_ERR_NONE if it did not). Valid until the next call. */
const struct blk_error *blk_backend_error(const struct blk_backend *b);
const char *blk_backend_kind(const struct blk_backend *b);

/* For implementations: records a failure of op on b (and in *why, when an open fails before
 * there is a backend) and returns the status that goes with reason. */
ccada_status blk_fail(struct blk_error *e, enum blk_op op, enum blk_error_reason reason, int sys_errno,
                      uint64_t done);
/* Total bytes of iov[0, n); false when n > BLK_BACKEND_MAX_IOV, a non-empty iovec has no
 * buffer, or the total overflows. */
bool blk_iov_total(const struct iovec *iov, unsigned n, uint64_t *total);

#endif
