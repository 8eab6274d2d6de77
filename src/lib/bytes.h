/* Bounds-checked byte reader and writer for wire formats and fixed layouts.
 *
 * Both carry a sticky error: once a read or write would go past the end, every later
 * call is a no-op (reads return 0) and br_ok()/bw_ok() stay false. Decode a whole
 * message, then check once. Never cast a struct onto a buffer; use these.
 */
#ifndef CCADA_LIB_BYTES_H
#define CCADA_LIB_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct byte_reader {
        const uint8_t *buf;
        size_t len;
        size_t off;
        bool err;
};

struct byte_writer {
        uint8_t *buf;
        size_t len;
        size_t off;
        bool err;
};

/* Raw little/big-endian loads and stores at a pointer the caller has bounds-checked. */
static inline uint16_t ld_le16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t ld_le32(const uint8_t *p)
{
        return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t ld_le64(const uint8_t *p) { return ld_le32(p) | ((uint64_t)ld_le32(p + 4) << 32); }
static inline uint16_t ld_be16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static inline uint32_t ld_be32(const uint8_t *p)
{
        return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}
static inline uint64_t ld_be64(const uint8_t *p) { return ((uint64_t)ld_be32(p) << 32) | ld_be32(p + 4); }

static inline void st_le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void st_le32(uint8_t *p, uint32_t v)
{
        p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}
static inline void st_le64(uint8_t *p, uint64_t v) { st_le32(p, (uint32_t)v); st_le32(p + 4, (uint32_t)(v >> 32)); }
static inline void st_be16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void st_be32(uint8_t *p, uint32_t v)
{
        p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}
static inline void st_be64(uint8_t *p, uint64_t v) { st_be32(p, (uint32_t)(v >> 32)); st_be32(p + 4, (uint32_t)v); }

/* ---- reader ---- */

static inline void br_init(struct byte_reader *r, const void *buf, size_t len)
{
        r->buf = (const uint8_t *)buf;
        r->len = len;
        r->off = 0;
        r->err = false;
}

/* Returns a pointer to the next n bytes and advances, or NULL (and sets the error). */
static inline const uint8_t *br_take(struct byte_reader *r, size_t n)
{
        if (r->err || n > r->len - r->off) {
                r->err = true;
                return NULL;
        }
        const uint8_t *p = r->buf + r->off;
        r->off += n;
        return p;
}

static inline bool br_ok(const struct byte_reader *r) { return !r->err; }
static inline size_t br_remaining(const struct byte_reader *r) { return r->err ? 0 : r->len - r->off; }
static inline void br_skip(struct byte_reader *r, size_t n) { (void)br_take(r, n); }

/* Moves to an absolute offset (<= len). */
static inline void br_seek(struct byte_reader *r, size_t off)
{
        if (r->err || off > r->len)
                r->err = true;
        else
                r->off = off;
}

static inline uint8_t br_u8(struct byte_reader *r)
{
        const uint8_t *p = br_take(r, 1);
        return p ? p[0] : 0;
}
static inline uint16_t br_le16(struct byte_reader *r)
{
        const uint8_t *p = br_take(r, 2);
        return p ? ld_le16(p) : 0;
}
static inline uint32_t br_le32(struct byte_reader *r)
{
        const uint8_t *p = br_take(r, 4);
        return p ? ld_le32(p) : 0;
}
static inline uint64_t br_le64(struct byte_reader *r)
{
        const uint8_t *p = br_take(r, 8);
        return p ? ld_le64(p) : 0;
}
static inline uint16_t br_be16(struct byte_reader *r)
{
        const uint8_t *p = br_take(r, 2);
        return p ? ld_be16(p) : 0;
}
static inline uint32_t br_be32(struct byte_reader *r)
{
        const uint8_t *p = br_take(r, 4);
        return p ? ld_be32(p) : 0;
}
static inline uint64_t br_be64(struct byte_reader *r)
{
        const uint8_t *p = br_take(r, 8);
        return p ? ld_be64(p) : 0;
}
/* Copies n bytes out; on error dst is zero-filled. */
static inline void br_bytes(struct byte_reader *r, void *dst, size_t n)
{
        const uint8_t *p = br_take(r, n);
        if (p)
                memcpy(dst, p, n);
        else if (n)
                memset(dst, 0, n);
}

/* ---- writer ---- */

static inline void bw_init(struct byte_writer *w, void *buf, size_t len)
{
        w->buf = (uint8_t *)buf;
        w->len = len;
        w->off = 0;
        w->err = false;
}

static inline uint8_t *bw_take(struct byte_writer *w, size_t n)
{
        if (w->err || n > w->len - w->off) {
                w->err = true;
                return NULL;
        }
        uint8_t *p = w->buf + w->off;
        w->off += n;
        return p;
}

static inline bool bw_ok(const struct byte_writer *w) { return !w->err; }
static inline size_t bw_len(const struct byte_writer *w) { return w->off; }

static inline void bw_seek(struct byte_writer *w, size_t off)
{
        if (w->err || off > w->len)
                w->err = true;
        else
                w->off = off;
}
static inline void bw_u8(struct byte_writer *w, uint8_t v)
{
        uint8_t *p = bw_take(w, 1);
        if (p)
                p[0] = v;
}
static inline void bw_le16(struct byte_writer *w, uint16_t v)
{
        uint8_t *p = bw_take(w, 2);
        if (p)
                st_le16(p, v);
}
static inline void bw_le32(struct byte_writer *w, uint32_t v)
{
        uint8_t *p = bw_take(w, 4);
        if (p)
                st_le32(p, v);
}
static inline void bw_le64(struct byte_writer *w, uint64_t v)
{
        uint8_t *p = bw_take(w, 8);
        if (p)
                st_le64(p, v);
}
static inline void bw_be16(struct byte_writer *w, uint16_t v)
{
        uint8_t *p = bw_take(w, 2);
        if (p)
                st_be16(p, v);
}
static inline void bw_be32(struct byte_writer *w, uint32_t v)
{
        uint8_t *p = bw_take(w, 4);
        if (p)
                st_be32(p, v);
}
static inline void bw_be64(struct byte_writer *w, uint64_t v)
{
        uint8_t *p = bw_take(w, 8);
        if (p)
                st_be64(p, v);
}
static inline void bw_bytes(struct byte_writer *w, const void *src, size_t n)
{
        uint8_t *p = bw_take(w, n);
        if (p && n)
                memcpy(p, src, n);
}
static inline void bw_zero(struct byte_writer *w, size_t n)
{
        uint8_t *p = bw_take(w, n);
        if (p && n)
                memset(p, 0, n);
}

#endif
