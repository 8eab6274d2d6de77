/* A block backend over a file (see blk_file.h). */
#include "host/blk_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

struct blk_file {
        struct blk_backend b; /* first: the ops get this back */
        int fd;
        uint64_t size; /* the file's length at open */
};

#define FILE_IOV_MAX 1024 /* iovecs per preadv/pwritev: Linux's UIO_MAXIOV (IOV_MAX) */

#define FILE_OF(bb) ((struct blk_file *)(void *)(bb))

/* One preadv/pwritev step from iov[i] + skip: the whole rest of the array (at most
 * FILE_IOV_MAX entries) when skip is 0, else the rest of iov[i] alone. */
static ssize_t step(int fd, bool write, const struct iovec *iov, unsigned left, size_t skip, uint64_t off)
{
        if (skip == 0) {
                int cnt = left < FILE_IOV_MAX ? (int)left : FILE_IOV_MAX;
                return write ? pwritev(fd, iov, cnt, (off_t)off) : preadv(fd, iov, cnt, (off_t)off);
        }
        uint8_t *p = (uint8_t *)iov->iov_base + skip;
        size_t len = iov->iov_len - skip;
        return write ? pwrite(fd, p, len, (off_t)off) : pread(fd, p, len, (off_t)off);
}

/* Moves all of iov[0, n) between the file at off and memory, resuming after partial
 * transfers. A transfer of 0 bytes is the file's end (read) or a device that takes no
 * more (write): BLK_ERR_SHORT. */
static ccada_status file_io(struct blk_file *f, bool write, uint64_t off, const struct iovec *iov, unsigned n)
{
        enum blk_op op = write ? BLK_OP_WRITE : BLK_OP_READ;
        uint64_t done = 0;
        unsigned i = 0;
        size_t skip = 0; /* bytes of iov[i] already moved */

        for (;;) {
                while (i < n && iov[i].iov_len == skip) {
                        i++;
                        skip = 0;
                }
                if (i == n)
                        return CCADA_OK;
                ssize_t r = step(f->fd, write, iov + i, n - i, skip, off + done);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return blk_fail(&f->b.error, op, BLK_ERR_SYSTEM, errno, done);
                if (r == 0)
                        return blk_fail(&f->b.error, op, BLK_ERR_SHORT, 0, done);
                done += (uint64_t)r;
                for (size_t left = (size_t)r; left > 0 && i < n;) { /* advance over what moved */
                        size_t room = iov[i].iov_len - skip;
                        if (left < room) {
                                skip += left;
                                break;
                        }
                        left -= room;
                        i++;
                        skip = 0;
                }
        }
}

static ccada_status file_read(struct blk_backend *b, uint64_t off, const struct iovec *iov, unsigned n)
{
        return file_io(FILE_OF(b), false, off, iov, n);
}

static ccada_status file_write(struct blk_backend *b, uint64_t off, const struct iovec *iov, unsigned n)
{
        return file_io(FILE_OF(b), true, off, iov, n);
}

static ccada_status file_flush(struct blk_backend *b)
{
        if (fdatasync(FILE_OF(b)->fd) != 0)
                return blk_fail(&b->error, BLK_OP_FLUSH, BLK_ERR_SYSTEM, errno, 0);
        return CCADA_OK;
}

static ccada_status file_size(struct blk_backend *b, uint64_t *bytes)
{
        *bytes = FILE_OF(b)->size;
        return CCADA_OK;
}

static void file_close(struct blk_backend *b)
{
        close(FILE_OF(b)->fd);
        free(b);
}

static const struct blk_backend_ops file_ops = {
        .kind = "file",
        .read = file_read,
        .write = file_write,
        .flush = file_flush,
        .size = file_size,
        .close = file_close,
};

/* Records an open's system error and closes fd (if >= 0). */
static ccada_status open_failed(struct blk_error *why, int fd)
{
        int err = errno;
        if (fd >= 0)
                close(fd);
        return blk_fail(why, BLK_OP_OPEN, BLK_ERR_SYSTEM, err, 0);
}

ccada_status blk_file_open_fd(struct blk_backend **out, int fd, struct blk_error *why)
{
        struct stat st;
        if (!out || fd < 0) {
                if (fd >= 0)
                        close(fd);
                return CCADA_E_INVAL;
        }
        *out = NULL;
        if (why)
                *why = (struct blk_error){ .op = BLK_OP_OPEN };
        if (fstat(fd, &st) != 0)
                return open_failed(why, fd);
        struct blk_file *f = calloc(1, sizeof(*f));
        if (!f) {
                close(fd);
                return blk_fail(why, BLK_OP_OPEN, BLK_ERR_NO_MEMORY, 0, 0);
        }
        f->b.ops = &file_ops;
        f->fd = fd;
        f->size = st.st_size > 0 ? (uint64_t)st.st_size : 0;
        *out = &f->b;
        return CCADA_OK;
}

/* Creates path with size bytes; -1 (errno set, nothing left behind) on failure. */
static int create_file(const char *path, uint64_t size)
{
        int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0 && ftruncate(fd, (off_t)size) != 0) {
                int err = errno;
                close(fd);
                unlink(path);
                errno = err;
                return -1;
        }
        return fd;
}

/* Opens path with flags (O_RDWR or O_RDONLY). With create_size > 0 (O_RDWR): a missing
 * file is created and an empty one grown to create_size bytes; with only_new, a file that
 * holds data is refused (EEXIST) and left as it is. */
static ccada_status open_path(struct blk_backend **out, const char *path, int flags, uint64_t create_size,
                              bool only_new, struct blk_error *why)
{
        if (!out || !path || create_size > INT64_MAX)
                return CCADA_E_INVAL;
        *out = NULL;
        if (why)
                *why = (struct blk_error){ .op = BLK_OP_OPEN };
        bool created = false;
        int fd = open(path, flags | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT && create_size > 0) {
                fd = create_file(path, create_size);
                created = fd >= 0;
        } else if (fd >= 0) {
                /* A path names an image: a regular file (a directory even opens read-only,
                 * and its reads would fail later). An empty one is a new image: it grows;
                 * one with data is refused for only_new. */
                struct stat st;
                if (fstat(fd, &st) != 0)
                        return open_failed(why, fd);
                if (!S_ISREG(st.st_mode)) {
                        close(fd);
                        return S_ISDIR(st.st_mode) ? blk_fail(why, BLK_OP_OPEN, BLK_ERR_SYSTEM, EISDIR, 0)
                                                   : blk_fail(why, BLK_OP_OPEN, BLK_ERR_NOT_REGULAR, 0, 0);
                }
                if (only_new && st.st_size != 0) {
                        close(fd);
                        return blk_fail(why, BLK_OP_OPEN, BLK_ERR_SYSTEM, EEXIST, 0);
                }
                if (create_size > 0 && st.st_size == 0 && ftruncate(fd, (off_t)create_size) != 0)
                        return open_failed(why, fd);
        }
        if (fd < 0)
                return open_failed(why, -1);
        ccada_status s = blk_file_open_fd(out, fd, why);
        if (s != CCADA_OK && created)
                unlink(path);
        return s;
}

ccada_status blk_file_open(struct blk_backend **out, const char *path, uint64_t create_size,
                           struct blk_error *why)
{
        return open_path(out, path, O_RDWR, create_size, false, why);
}

ccada_status blk_file_open_new(struct blk_backend **out, const char *path, uint64_t size, struct blk_error *why)
{
        if (size == 0)
                return CCADA_E_INVAL;
        return open_path(out, path, O_RDWR, size, true, why);
}

ccada_status blk_file_open_read_only(struct blk_backend **out, const char *path, struct blk_error *why)
{
        return open_path(out, path, O_RDONLY, 0, false, why);
}

ccada_status blk_file_open_temp(struct blk_backend **out, uint64_t size, struct blk_error *why)
{
        if (!out || size > INT64_MAX)
                return CCADA_E_INVAL;
        *out = NULL;
        const char *dir = getenv("TMPDIR");
        char path[4096];
        if (!dir || !*dir)
                dir = "/tmp";
        int len = snprintf(path, sizeof(path), "%s/ccada-blk-XXXXXX", dir);
        if (len < 0 || (size_t)len >= sizeof(path))
                return CCADA_E_INVAL;
        if (why)
                *why = (struct blk_error){ .op = BLK_OP_OPEN };
        int fd = mkstemp(path);
        if (fd < 0)
                return open_failed(why, -1);
        unlink(path); /* the image lives only as long as the descriptor */
        if (ftruncate(fd, (off_t)size) != 0)
                return open_failed(why, fd);
        return blk_file_open_fd(out, fd, why);
}

int blk_file_fd(const struct blk_backend *b) { return b && b->ops == &file_ops ? FILE_OF(b)->fd : -1; }
