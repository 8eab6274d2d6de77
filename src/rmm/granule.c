/* The RMM's granule table and the RMM object's life cycle. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "rmm/rmm_internal.h"
#include "rmm/tsm.h"

void rmm_config_default(struct rmm_config *cfg)
{
        cfg->max_s2sz = 48;
        cfg->sha512 = true;
        cfg->check_invariants = false;
        cfg->check_accesses = false;
        cfg->seed = 1;
        cfg->iak_pem = NULL;
        cfg->token_profile = false;
        cfg->token_form = CCA_FORM_399;
        cfg->da = false;
}

bool rmm_create(struct ccada_rmm **out, struct hw_mem *mem, struct trace *trace,
                const struct rmm_config *cfg)
{
        struct ccada_rmm *rmm = calloc(1, sizeof(*rmm));
        if (!rmm)
                return false;
        rmm->mem = mem;
        rmm->gpt_gen = hw_gpt_gen_view(mem);
        rmm->trace = trace;
        rmm->tr_rmi = trace_register(trace, &rmi_trace);
        rmm->tr_rsi = trace_register(trace, &rsi_trace);
        rmm->tr_rmm = trace_register(trace, &rmm_trace);
        rmm->tr_da = trace_register(trace, &da_trace);
        if (cfg)
                rmm->cfg = *cfg;
        else
                rmm_config_default(&rmm->cfg);
        rmm->cfg.check_accesses |= rmm->cfg.check_invariants;
        if (rmm->cfg.iak_pem && !(rmm->iak_pem = strdup(rmm->cfg.iak_pem))) {
                free(rmm);
                return false;
        }
        rmm->cfg.iak_pem = rmm->iak_pem;
        rmm->base = hw_mem_base(mem);
        rmm->ngranules = hw_mem_size(mem) >> GRANULE_SHIFT;
        rmm->granules = calloc(rmm->ngranules, sizeof(*rmm->granules));
        if (!rmm->granules) {
                free(rmm->iak_pem);
                free(rmm);
                return false;
        }
        *out = rmm;
        return true;
}

static void rec_free(struct rec *rec)
{
        rec_attest_reset(rec);
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
        rmm_vdev_free_all(rmm);
        rmm_pdev_free_all(rmm);
        rmm_stream_free(rmm);
        dev_mem_free(rmm);
        free(rmm->granules);
        rmm_attest_free(rmm->attest);
        rmm_tsm_free(rmm);
        if (rmm->iak_pem) {
                secure_zero(rmm->iak_pem, strlen(rmm->iak_pem));
                free(rmm->iak_pem);
        }
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

struct granule *granule_find(struct ccada_rmm *rmm, uint64_t pa, enum granule_state expected)
{
        struct granule *g = granule_at(rmm, pa);
        return g && g->state == expected ? g : NULL;
}

uint64_t granule_pa(const struct ccada_rmm *rmm, const struct granule *g)
{
        return rmm->base + ((uint64_t)(g - rmm->granules) << GRANULE_SHIFT);
}

/* Zeroes a Realm-PAS granule. A failure means the RMM's record and the GPT disagree: a bug,
 * recorded as a violation. */
static bool scrub(struct ccada_rmm *rmm, const struct granule *g)
{
        uint64_t pa = granule_pa(rmm, g);
        if (hw_fill(rmm->mem, HW_WORLD_REALM, pa, 0, GRANULE_SIZE, NULL) == HW_OK)
                return true;
        rmm_violation(rmm, "scrub: granule 0x%llx (%s) cannot be zeroed as the Realm world",
                      (unsigned long long)pa, g->state == GRANULE_UNDELEGATED ? "UNDELEGATED" : "delegated");
        return false;
}

static void set_state(struct ccada_rmm *rmm, struct granule *g, enum granule_state from, enum granule_state to,
                      struct realm *owner)
{
        assert(g->state == from);
        (void)from;
        g->state = (uint8_t)to;
        g->owner = owner;
        hw_owner_set(rmm->mem, granule_pa(rmm, g), realm_owner_tag(owner));
}

bool granule_delegate(struct ccada_rmm *rmm, struct granule *g)
{
        uint64_t pa = granule_pa(rmm, g);
        if (hw_gpt_transition(rmm->mem, HW_WORLD_ROOT, pa, HW_PAS_NS, HW_PAS_REALM) != HW_OK)
                return false;
        /* A DELEGATED granule is all zeroes: nothing the host left there reaches a Realm. */
        if (!scrub(rmm, g)) {
                (void)hw_gpt_transition(rmm->mem, HW_WORLD_ROOT, pa, HW_PAS_REALM, HW_PAS_NS);
                return false;
        }
        set_state(rmm, g, GRANULE_UNDELEGATED, GRANULE_DELEGATED, NULL);
        return true;
}

bool granule_undelegate(struct ccada_rmm *rmm, struct granule *g)
{
        /* Zero by invariant already; scrubbed again before the host can see it. */
        if (!scrub(rmm, g) ||
            hw_gpt_transition(rmm->mem, HW_WORLD_ROOT, granule_pa(rmm, g), HW_PAS_REALM, HW_PAS_NS) != HW_OK)
                return false;
        set_state(rmm, g, GRANULE_DELEGATED, GRANULE_UNDELEGATED, NULL);
        return true;
}

void granule_take(struct ccada_rmm *rmm, struct granule *g, enum granule_state to, struct realm *owner,
                  void *obj)
{
        set_state(rmm, g, GRANULE_DELEGATED, to, owner);
        switch (to) {
        case GRANULE_RD: g->u.realm = obj; break;
        case GRANULE_REC: g->u.rec = obj; break;
        case GRANULE_RTT: g->u.rtt = obj; break;
        case GRANULE_PDEV: g->u.pdev = obj; break;
        case GRANULE_VDEV: g->u.vdev = obj; break;
        default: g->u.realm = NULL; break;
        }
}

void granule_give_back(struct ccada_rmm *rmm, struct granule *g, enum granule_state from)
{
        /* Realm data never reaches the host: zero before it can be undelegated. */
        (void)scrub(rmm, g);
        set_state(rmm, g, from, GRANULE_DELEGATED, NULL);
        g->u.realm = NULL; /* clears whichever union member was in use */
}

void granule_scrub_delegated(struct ccada_rmm *rmm, struct granule *g)
{
        assert(g->state == GRANULE_DELEGATED);
        (void)scrub(rmm, g);
}

struct realm *rd_lookup(struct ccada_rmm *rmm, uint64_t rd)
{
        struct granule *g = granule_find(rmm, rd, GRANULE_RD);
        return g ? g->u.realm : NULL;
}

bool rmm_copy_in_ns(struct ccada_rmm *rmm, uint64_t pa, uint8_t *buf, size_t len)
{
        enum hw_pas pas;
        if (pa & GRANULE_MASK || !hw_gpt_get(rmm->mem, pa, &pas) || pas != HW_PAS_NS)
                return false;
        return hw_read(rmm->mem, HW_WORLD_REALM, pa, buf, len, NULL) == HW_OK;
}

bool rmm_map_ns(struct ccada_rmm *rmm, uint64_t pa, size_t len, enum hw_access access, uint8_t **out)
{
        enum hw_pas pas;
        void *p;
        if (pa & GRANULE_MASK || len > GRANULE_SIZE || !hw_gpt_get(rmm->mem, pa, &pas) || pas != HW_PAS_NS ||
            hw_map(rmm->mem, HW_WORLD_REALM, pa, len, access, &p, NULL) != HW_OK)
                return false;
        *out = p;
        return true;
}
