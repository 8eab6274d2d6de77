/* Stage-2 translation tables (RTT): a real multi-level tree, 4 KiB granules.
 * DEN0137 1.0 A5.5 (RTT walk), A5.5.x (entry sizes per level). */
#include <stdlib.h>

#include "rmm/rmm_internal.h"

static unsigned level_shift(int level)
{
        return (unsigned)(GRANULE_SHIFT + 9 * (3 - level));
}

uint64_t rtt_entry_size(int level)
{
        return (uint64_t)1 << level_shift(level);
}

bool rtt_ipa_in_range(const struct realm *r, uint64_t ipa)
{
        return ipa < ((uint64_t)1 << r->s2sz);
}

bool rtt_ipa_protected(const struct realm *r, uint64_t ipa)
{
        return ipa < ((uint64_t)1 << (r->s2sz - 1));
}

void rtt_walk(const struct realm *r, uint64_t ipa, int target_level, struct rtt_walk *w)
{
        int level = r->level_start;
        uint64_t root_index = ipa >> level_shift(level);
        struct rtt *t = r->root[root_index / RTT_ENTRIES];
        unsigned index = (unsigned)(root_index % RTT_ENTRIES);

        while (level < target_level && t->e[index].state == RMI_TABLE) {
                t = t->e[index].table;
                level++;
                index = (unsigned)((ipa >> level_shift(level)) & (RTT_ENTRIES - 1));
        }
        w->table = t;
        w->index = index;
        w->level = level;
}

uint64_t rtt_walk_table_base(const struct rtt_walk *w, uint64_t ipa)
{
        return ipa & ~(rtt_entry_size(w->level) * RTT_ENTRIES - 1);
}

/* DEN0137 1.0 B3.76: the spec's scan counts ASSIGNED, ASSIGNED_NS and TABLE entries as
 * live; here those are every entry that is not UNASSIGNED. An entry that is live itself
 * gives ipa back ("top == ipa" in the spec's outcome tables; TF-RMM does the same). */
uint64_t rtt_skip_non_live(const struct rtt_walk *w, uint64_t ipa)
{
        if (rtt_walk_entry(w)->state != RMI_UNASSIGNED)
                return ipa;
        unsigned i = w->index + 1;
        while (i < RTT_ENTRIES && w->table->e[i].state == RMI_UNASSIGNED)
                i++;
        return rtt_walk_table_base(w, ipa) + (uint64_t)i * rtt_entry_size(w->level);
}

/* DEN0137 1.0 A5.5.8. A table below the starting level lies wholly in the protected or
 * the unprotected half (a starting-level entry never spans both: s2sz > its size's log2),
 * so ipa, any IPA it maps, says which. */
bool rtt_is_live(const struct realm *r, const struct rtt *t, uint64_t ipa)
{
        if (rtt_ipa_protected(r, ipa))
                return t->live != 0;
        for (unsigned i = 0; i < RTT_ENTRIES; i++)
                if (t->e[i].state == RMI_TABLE)
                        return true;
        return false;
}

/* A new table's entries inherit the parent entry (an UNASSIGNED block keeps its RIPAS). */
struct rtt *rtt_table_new(uint64_t pa, int level, const struct rtte *parent)
{
        struct rtt *t = calloc(1, sizeof(*t));
        if (!t)
                return NULL;
        t->pa = pa;
        t->level = level;
        for (unsigned i = 0; i < RTT_ENTRIES; i++) {
                t->e[i].state = RMI_UNASSIGNED;
                t->e[i].ripas = parent ? parent->ripas : RMI_EMPTY;
        }
        return t;
}

void rtt_table_free(struct rtt *t)
{
        if (!t)
                return;
        for (unsigned i = 0; i < RTT_ENTRIES; i++)
                if (t->e[i].state == RMI_TABLE)
                        rtt_table_free(t->e[i].table);
        free(t);
}

void rtt_tree_free(struct realm *r)
{
        if (!r->root)
                return;
        for (unsigned i = 0; i < r->num_start; i++)
                rtt_table_free(r->root[i]);
        free(r->root);
        r->root = NULL;
}
