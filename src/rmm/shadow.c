/* The memory oracle of test builds: what each Realm has stored at each protected IPA, kept
 * apart from physical memory, so that every load a REC makes can be compared with it.
 * "A Realm load returns what that Realm stored, or the access does not complete."
 *
 * A protected page enters the oracle with the contents the RMM gave it (DATA_CREATE: the
 * measured source; DATA_CREATE_UNKNOWN: zero, since a DELEGATED granule is zero), changes
 * only by the Realm's own stores, fills and copies (including the RMM's writes on its behalf
 * for RSI calls, which go through the REC's accesses), and leaves it at DATA_DESTROY. The
 * oracle never looks at the RTT or at physical memory to decide what is right: a load that
 * reaches the wrong granule, or a granule whose bytes someone else changed, differs from it.
 *
 * Storage: an open-addressing hash table from IPA page number to a 4 KiB copy. */
#include <stdlib.h>
#include <string.h>

#include "rmm/rmm_internal.h"

struct shadow_slot {
        uint64_t key;           /* IPA page number + 1; 0 = empty, UINT64_MAX = removed */
        uint8_t *page;
};

struct shadow {
        struct shadow_slot *slots;
        size_t cap;             /* power of two */
        size_t used;            /* live + removed slots */
};

#define SLOT_EMPTY   0
#define SLOT_REMOVED UINT64_MAX

static size_t slot_hash(uint64_t key, size_t cap)
{
        return (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 17) & (cap - 1);
}

static struct shadow_slot *slot_find(const struct shadow *s, uint64_t ipa)
{
        uint64_t key = (ipa >> GRANULE_SHIFT) + 1;
        if (!s->cap)
                return NULL;
        for (size_t i = slot_hash(key, s->cap), n = 0; n < s->cap; i = (i + 1) & (s->cap - 1), n++) {
                if (s->slots[i].key == key)
                        return &s->slots[i];
                if (s->slots[i].key == SLOT_EMPTY)
                        return NULL;
        }
        return NULL;
}

static bool shadow_grow(struct shadow *s)
{
        size_t cap = s->cap ? s->cap * 2 : 256;
        struct shadow_slot *slots = calloc(cap, sizeof(*slots));
        if (!slots)
                return false;
        size_t live = 0; /* removed slots are dropped by the rehash */
        for (size_t i = 0; i < s->cap; i++) {
                uint64_t key = s->slots[i].key;
                if (key == SLOT_EMPTY || key == SLOT_REMOVED)
                        continue;
                size_t j = slot_hash(key, cap);
                while (slots[j].key != SLOT_EMPTY)
                        j = (j + 1) & (cap - 1);
                slots[j] = s->slots[i];
                live++;
        }
        free(s->slots);
        s->slots = slots;
        s->cap = cap;
        s->used = live;
        return true;
}

struct shadow *shadow_create(void)
{
        return calloc(1, sizeof(struct shadow));
}

void shadow_destroy(struct shadow *s)
{
        if (!s)
                return;
        for (size_t i = 0; i < s->cap; i++)
                if (s->slots[i].key != SLOT_EMPTY && s->slots[i].key != SLOT_REMOVED)
                        free(s->slots[i].page);
        free(s->slots);
        free(s);
}

bool shadow_set_page(struct shadow *s, uint64_t ipa, const uint8_t *content)
{
        struct shadow_slot *slot = slot_find(s, ipa);
        if (!slot) {
                if ((s->used + 1) * 4 > s->cap * 3 && !shadow_grow(s))
                        return false;
                uint64_t key = (ipa >> GRANULE_SHIFT) + 1;
                size_t i = slot_hash(key, s->cap);
                while (s->slots[i].key != SLOT_EMPTY && s->slots[i].key != SLOT_REMOVED)
                        i = (i + 1) & (s->cap - 1);
                uint8_t *page = malloc(GRANULE_SIZE);
                if (!page)
                        return false;
                if (s->slots[i].key == SLOT_EMPTY)
                        s->used++;
                s->slots[i] = (struct shadow_slot){ .key = key, .page = page };
                slot = &s->slots[i];
        }
        if (content)
                memcpy(slot->page, content, GRANULE_SIZE);
        else
                memset(slot->page, 0, GRANULE_SIZE);
        return true;
}

void shadow_drop_page(struct shadow *s, uint64_t ipa)
{
        struct shadow_slot *slot = slot_find(s, ipa);
        if (!slot)
                return;
        free(slot->page);
        slot->page = NULL;
        slot->key = SLOT_REMOVED;
}

uint8_t *shadow_bytes(const struct shadow *s, uint64_t ipa, size_t len)
{
        if ((ipa & GRANULE_MASK) + len > GRANULE_SIZE)
                return NULL;
        struct shadow_slot *slot = slot_find(s, ipa);
        return slot ? slot->page + (ipa & GRANULE_MASK) : NULL;
}
