/* The block backend contract, checked once for every implementation (see blk_backend.h). */
#include "host/blk_backend.h"

#include <stddef.h>
#include <string.h>

const char *blk_error_reason_name(enum blk_error_reason r)
{
        switch (r) {
        case BLK_ERR_NONE: return "none";
        case BLK_ERR_BAD_IOV: return "bad_iov";
        case BLK_ERR_OUT_OF_RANGE: return "out_of_range";
        case BLK_ERR_SHORT: return "short";
        case BLK_ERR_SYSTEM: return "system";
        case BLK_ERR_NO_MEMORY: return "no_memory";
        case BLK_ERR_NOT_REGULAR: return "not_regular";
        case BLK_ERR_TOO_SMALL: return "too_small";
        }
        return "?";
}

const char *blk_error_text(const struct blk_error *e)
{
        switch (e->reason) {
        case BLK_ERR_NONE: return "no error";
        case BLK_ERR_BAD_IOV: return "malformed request";
        case BLK_ERR_OUT_OF_RANGE: return "request beyond the end of the medium";
        case BLK_ERR_SHORT: return "the medium ended early (did the file shrink?)";
        case BLK_ERR_SYSTEM: return strerror(e->sys_errno);
        case BLK_ERR_NO_MEMORY: return "out of memory";
        case BLK_ERR_NOT_REGULAR: return "not a regular file";
        case BLK_ERR_TOO_SMALL: return "too small";
        }
        return "unknown error";
}

const char *blk_op_name(enum blk_op op)
{
        switch (op) {
        case BLK_OP_OPEN: return "open";
        case BLK_OP_READ: return "read";
        case BLK_OP_WRITE: return "write";
        case BLK_OP_FLUSH: return "flush";
        case BLK_OP_SIZE: return "size";
        }
        return "?";
}

static ccada_status status_of(enum blk_error_reason r)
{
        switch (r) {
        case BLK_ERR_NONE: return CCADA_OK;
        case BLK_ERR_BAD_IOV: return CCADA_E_INVAL;
        case BLK_ERR_OUT_OF_RANGE: return CCADA_E_RANGE;
        case BLK_ERR_SHORT:
        case BLK_ERR_SYSTEM:
        case BLK_ERR_NOT_REGULAR:
        case BLK_ERR_TOO_SMALL: return CCADA_E_IO;
        case BLK_ERR_NO_MEMORY: return CCADA_E_NOMEM;
        }
        return CCADA_E_IO;
}

ccada_status blk_fail(struct blk_error *e, enum blk_op op, enum blk_error_reason reason, int sys_errno,
                      uint64_t done)
{
        ccada_status s = status_of(reason);
        if (e) {
                e->reason = reason;
                e->status = s;
                e->op = op;
                e->sys_errno = reason == BLK_ERR_SYSTEM ? sys_errno : 0;
                e->done = done;
        }
        return s;
}

bool blk_iov_total(const struct iovec *iov, unsigned n, uint64_t *total)
{
        uint64_t t = 0;
        if (n > BLK_BACKEND_MAX_IOV || (n && !iov))
                return false;
        for (unsigned i = 0; i < n; i++) {
                if ((iov[i].iov_len && !iov[i].iov_base) || iov[i].iov_len > UINT64_MAX - t)
                        return false;
                t += iov[i].iov_len;
        }
        *total = t;
        return true;
}

/* Starts a call: clears the record, checks the iovecs and the range. */
static ccada_status begin_io(struct blk_backend *b, enum blk_op op, uint64_t off, const struct iovec *iov,
                             unsigned n)
{
        uint64_t len, size;
        b->error = (struct blk_error){ .op = op, .off = off };
        if (!blk_iov_total(iov, n, &len))
                return blk_fail(&b->error, op, BLK_ERR_BAD_IOV, 0, 0);
        b->error.len = len;
        ccada_status s = b->ops->size(b, &size);
        if (s != CCADA_OK) { /* keep size()'s reason, but as a failure of this call */
                b->error.op = op;
                b->error.off = off;
                b->error.len = len;
                return s;
        }
        if (off > size || len > size - off)
                return blk_fail(&b->error, op, BLK_ERR_OUT_OF_RANGE, 0, 0);
        return CCADA_OK;
}

ccada_status blk_backend_read(struct blk_backend *b, uint64_t off, const struct iovec *iov, unsigned n)
{
        ccada_status s = begin_io(b, BLK_OP_READ, off, iov, n);
        return s != CCADA_OK || n == 0 ? s : b->ops->read(b, off, iov, n);
}

ccada_status blk_backend_write(struct blk_backend *b, uint64_t off, const struct iovec *iov, unsigned n)
{
        ccada_status s = begin_io(b, BLK_OP_WRITE, off, iov, n);
        return s != CCADA_OK || n == 0 ? s : b->ops->write(b, off, iov, n);
}

ccada_status blk_backend_flush(struct blk_backend *b)
{
        b->error = (struct blk_error){ .op = BLK_OP_FLUSH };
        return b->ops->flush(b);
}

ccada_status blk_backend_size(struct blk_backend *b, uint64_t *bytes)
{
        b->error = (struct blk_error){ .op = BLK_OP_SIZE };
        return b->ops->size(b, bytes);
}

void blk_backend_close(struct blk_backend *b)
{
        if (b)
                b->ops->close(b);
}

const struct blk_error *blk_backend_error(const struct blk_backend *b) { return &b->error; }

const char *blk_backend_kind(const struct blk_backend *b) { return b->ops->kind; }
