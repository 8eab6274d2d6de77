/* The RMM's granule table and the RMM object's life cycle. */
#include <stdlib.h>
#include <string.h>

#include "rmm/rmm_internal.h"

void rmm_config_default(struct rmm_config *cfg)
{
        cfg->max_s2sz = 48;
        cfg->sha512 = true;
        cfg->check_invariants = false;
        cfg->check_accesses = false;
}

bool rmm_create(struct ccada_rmm **out, struct hw_mem *mem, struct trace *trace,
                const struct rmm_config *cfg)
{
        struct ccada_rmm *rmm = calloc(1, sizeof(*rmm));
        if (!rmm)
                return false;
        rmm->mem = mem;
        rmm->trace = trace;
        if (cfg)
                rmm->cfg = *cfg;
        else
                rmm_config_default(&rmm->cfg);
        rmm->cfg.check_accesses |= rmm->cfg.check_invariants;
        rmm->base = hw_mem_base(mem);
        rmm->ngranules = hw_mem_size(mem) >> GRANULE_SHIFT;
        rmm->granules = calloc(rmm->ngranules, sizeof(*rmm->granules));
        if (!rmm->granules) {
                free(rmm);
                return false;
        }
        *out = rmm;
        return true;
}

static void rec_free(struct rec *rec)
{
        coro_destroy(rec->coro);
        free(rec);
}

void rmm_destroy(struct ccada_rmm *rmm)
{
        if (!rmm)
                return;
        for (uint64_t i = 0; i < rmm->ngranules; i++) {
                struct granule *g = &rmm->granules[i];
                if (g->state == GRANULE_REC)
                        rec_free(g->u.rec);
        }
        for (uint64_t i = 0; i < rmm->ngranules; i++) {
                struct granule *g = &rmm->granules[i];
                if (g->state == GRANULE_RD)
                        realm_free(g->u.realm);
        }
        free(rmm->granules);
        free(rmm);
}

void rmm_set_realm_program(struct ccada_rmm *rmm, const struct ccada_realm_program *prog)
{
        rmm->prog = *prog;
}

bool rmm_bind_realm_program(struct ccada_rmm *rmm, uint64_t rd, const struct ccada_realm_program *prog)
{
        struct realm *r = rd_lookup(rmm, rd);
        if (!r)
                return false;
        r->prog = *prog;
        return true;
}

void rmm_get_stats(const struct ccada_rmm *rmm, struct rmm_stats *st)
{
        *st = rmm->stats;
}

struct granule *granule_at(struct ccada_rmm *rmm, uint64_t pa)
{
        if (pa & GRANULE_MASK || pa < rmm->base)
                return NULL;
        uint64_t idx = (pa - rmm->base) >> GRANULE_SHIFT;
        return idx < rmm->ngranules ? &rmm->granules[idx] : NULL;
}

/* Zeroes a Realm-PAS granule (DELEGATED invariant). */
bool granule_scrub(struct ccada_rmm *rmm, uint64_t pa)
{
        return hw_fill(rmm->mem, HW_WORLD_REALM, pa, 0, GRANULE_SIZE, NULL) == HW_OK;
}

void granule_take(struct ccada_rmm *rmm, uint64_t pa, enum granule_state state, struct realm *owner)
{
        struct granule *g = granule_at(rmm, pa);
        g->state = (uint8_t)state;
        g->owner = owner;
        hw_owner_set(rmm->mem, pa, realm_owner_tag(owner));
}

void granule_give_back(struct ccada_rmm *rmm, uint64_t pa)
{
        struct granule *g = granule_at(rmm, pa);
        /* Realm data never reaches the host: zero before it can be undelegated. */
        (void)granule_scrub(rmm, pa);
        g->state = GRANULE_DELEGATED;
        g->owner = NULL;
        g->u.realm = NULL; /* clears whichever union member was in use */
        hw_owner_set(rmm->mem, pa, 0);
}

struct realm *rd_lookup(struct ccada_rmm *rmm, uint64_t rd)
{
        struct granule *g = granule_at(rmm, rd);
        return g && g->state == GRANULE_RD ? g->u.realm : NULL;
}

bool rmm_copy_in_ns(struct ccada_rmm *rmm, uint64_t pa, uint8_t *buf, size_t len)
{
        enum hw_pas pas;
        if (pa & GRANULE_MASK || !hw_gpt_get(rmm->mem, pa, &pas) || pas != HW_PAS_NS)
                return false;
        return hw_read(rmm->mem, HW_WORLD_REALM, pa, buf, len, NULL) == HW_OK;
}
