/* SPDM transcripts: a bounded growing buffer. */
#include "proto/spdm_transcript.h"

#include <stdlib.h>
#include <string.h>

void spdm_transcript_init(struct spdm_transcript *t, size_t max)
{
        memset(t, 0, sizeof(*t));
        t->max = max;
}

bool spdm_transcript_append(struct spdm_transcript *t, const void *data, size_t len)
{
        if (t->broken)
                return false;
        if (len == 0)
                return true;
        if (!data || len > t->max - t->len) {
                t->broken = true;
                return false;
        }
        if (t->len + len > t->cap) {
                size_t cap = t->cap ? t->cap : 1024;
                while (cap < t->len + len)
                        cap *= 2;
                if (cap > t->max)
                        cap = t->max;
                uint8_t *nb = malloc(cap);
                if (!nb) {
                        t->broken = true;
                        return false;
                }
                if (t->len)
                        memcpy(nb, t->buf, t->len);
                spdm_transcript_free(&(struct spdm_transcript){ .buf = t->buf, .cap = t->cap });
                t->buf = nb;
                t->cap = cap;
        }
        memcpy(t->buf + t->len, data, len);
        t->len += len;
        return true;
}

bool spdm_transcript_append_t(struct spdm_transcript *t, const struct spdm_transcript *src)
{
        if (src->broken) {
                t->broken = true;
                return false;
        }
        return spdm_transcript_append(t, src->buf, src->len);
}

void spdm_transcript_reset(struct spdm_transcript *t)
{
        secure_zero(t->buf, t->len);
        t->len = 0;
        t->broken = false;
}

bool spdm_transcript_hash(const struct spdm_transcript *t, enum hash_alg alg, uint8_t *out)
{
        return !t->broken && hash_once(alg, t->buf, t->len, out);
}

void spdm_transcript_free(struct spdm_transcript *t)
{
        if (t->buf) {
                secure_zero(t->buf, t->cap);
                free(t->buf);
        }
        t->buf = NULL;
        t->len = t->cap = 0;
}
