/* RMI_DATA_CREATE / RMI_DATA_CREATE_UNKNOWN / RMI_DATA_DESTROY. DEN0137 1.0 B4.3.1-B4.3.3. */
#include "rmm/rmm_internal.h"

/* data_align/bound/state, rd_*, ipa_align/bound (protected). NULL with r->x[0] set on
 * failure; the level-3 walk follows in data_walk. */
static struct realm *data_args(struct ccada_rmm *rmm, uint64_t rd, uint64_t data, uint64_t ipa,
                               struct smc_regs *r)
{
        struct granule *g = granule_find(rmm, data, GRANULE_DELEGATED);
        struct realm *realm = rd_lookup(rmm, rd);

        r->x[0] = RMI_ERROR_INPUT;
        if (!g || !realm)
                return NULL;
        if (ipa & GRANULE_MASK || !rtt_ipa_protected(realm, ipa))
                return NULL;
        return realm;
}

static bool data_walk(struct realm *realm, uint64_t ipa, struct rtt_walk *w, struct smc_regs *r)
{
        rtt_walk(realm, ipa, RTT_PAGE_LEVEL, w);
        if (w->level < RTT_PAGE_LEVEL) {
                r->x[0] = RMI_RETURN(RMI_ERROR_RTT, w->level);
                return false;
        }
        const struct rtte *e = rtt_walk_entry(w);
        if (e->state != RMI_UNASSIGNED || e->ripas == RMI_DESTROYED) {
                r->x[0] = RMI_RETURN(RMI_ERROR_RTT, RTT_PAGE_LEVEL);
                return false;
        }
        return true;
}

/* content: what the Realm finds in the page (NULL: zero, for DATA_CREATE_UNKNOWN). */
static void data_commit(struct ccada_rmm *rmm, struct realm *realm, uint64_t data, uint64_t ipa,
                        const uint8_t *content, struct rtt_walk *w)
{
        struct rtte *e = rtt_walk_entry(w);
        if (realm->shadow && !shadow_set_page(realm->shadow, ipa, content))
                rmm_violation(rmm, "memory oracle: out of memory");
        e->state = RMI_ASSIGNED;
        e->addr = data;
        w->table->live++;
        granule_take(rmm, granule_at(rmm, data), GRANULE_DATA, realm, NULL);
}

void rmi_data_create(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        uint64_t rd = a->x[1], data = a->x[2], ipa = a->x[3], src = a->x[4], flags = a->x[5];
        uint8_t content[GRANULE_SIZE];
        struct rtt_walk w;

        r->x[0] = RMI_ERROR_INPUT;
        /* src_align, src_bound, src_pas: the RMM copies the source in once */
        if (!rmm_copy_in_ns(rmm, src, content, sizeof(content)))
                return;
        struct realm *realm = data_args(rmm, rd, data, ipa, r);
        if (!realm)
                return;
        if (flags & ~(uint64_t)RMI_MEASURE_CONTENT)
                return;
        if (realm->state != REALM_NEW) {
                r->x[0] = RMI_ERROR_REALM;
                return;
        }
        if (!data_walk(realm, ipa, &w, r))
                return;
        if (hw_write(rmm->mem, HW_WORLD_REALM, data, content, sizeof(content), NULL) != HW_OK ||
            !measure_data(realm, ipa, flags, content)) {
                granule_scrub_delegated(rmm, granule_at(rmm, data));
                r->x[0] = RMI_ERROR_INPUT;
                return;
        }
        data_commit(rmm, realm, data, ipa, content, &w);
        r->x[0] = RMI_SUCCESS;
}

void rmi_data_create_unknown(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        uint64_t rd = a->x[1], data = a->x[2], ipa = a->x[3];
        struct rtt_walk w;

        struct realm *realm = data_args(rmm, rd, data, ipa, r);
        if (!realm)
                return;
        if (!data_walk(realm, ipa, &w, r))
                return;
        /* Contents are "unknown" to the Realm; a DELEGATED granule is zero, so they are zero. */
        data_commit(rmm, realm, data, ipa, NULL, &w);
        r->x[0] = RMI_SUCCESS;
}

void rmi_data_destroy(struct ccada_rmm *rmm, const struct smc_regs *a, struct smc_regs *r)
{
        uint64_t rd = a->x[1], ipa = a->x[2];
        struct realm *realm = rd_lookup(rmm, rd);
        struct rtt_walk w;

        r->x[0] = RMI_ERROR_INPUT;
        if (!realm || ipa & GRANULE_MASK || !rtt_ipa_protected(realm, ipa))
                return;
        rtt_walk(realm, ipa, RTT_PAGE_LEVEL, &w);
        struct rtte *e = rtt_walk_entry(&w);
        /* rtt_walk, rtte_state; top = walk_top (B3.76): past the entries that map nothing */
        if (w.level < RTT_PAGE_LEVEL || e->state != RMI_ASSIGNED) {
                r->x[0] = RMI_RETURN(RMI_ERROR_RTT, w.level);
                r->x[2] = rtt_skip_non_live(&w, ipa);
                return;
        }
        uint64_t data = e->addr;
        granule_give_back(rmm, granule_at(rmm, data), GRANULE_DATA);
        if (realm->shadow)
                shadow_drop_page(realm->shadow, ipa);
        e->state = RMI_UNASSIGNED;
        e->addr = 0;
        if (e->ripas == RMI_RAM)
                e->ripas = RMI_DESTROYED;
        w.table->live--;
        r->x[0] = RMI_SUCCESS;
        r->x[1] = data;
        r->x[2] = rtt_skip_non_live(&w, ipa); /* top: the next live entry, or the table's end */
}
