/* The guest kernel's heap: a doubly linked list of chunks (see kheap.h). */
#include "realm/kheap.h"

#include <stdint.h>
#include <stdlib.h>

#include "lib/container.h"

struct kheap_chunk {
        struct kheap_chunk *prev, *next;
        max_align_t data[]; /* what the caller gets, aligned for any object */
};

void *kheap_zalloc(struct kheap *h, size_t count, size_t size)
{
        if (!count || !size || count > (SIZE_MAX - sizeof(struct kheap_chunk)) / size)
                return NULL;
        struct kheap_chunk *c = calloc(1, sizeof(*c) + count * size);
        if (!c)
                return NULL;
        c->next = h->head;
        if (h->head)
                h->head->prev = c;
        h->head = c;
        h->live++;
        return c->data;
}

static struct kheap_chunk *chunk_of(void *p)
{
        return container_of(p, struct kheap_chunk, data);
}

static void unlink_and_free(struct kheap *h, struct kheap_chunk *c)
{
        if (c->prev)
                c->prev->next = c->next;
        else
                h->head = c->next;
        if (c->next)
                c->next->prev = c->prev;
        h->live--;
        free(c);
}

void kheap_free(struct kheap *h, void *p)
{
        if (p)
                unlink_and_free(h, chunk_of(p));
}

void kheap_release(struct kheap *h)
{
        while (h->head)
                unlink_and_free(h, h->head);
}
