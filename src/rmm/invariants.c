/* The RMM's invariants, checkable at any time, and the isolation check on every access a
 * REC makes. Test builds and fuzzers run them after every RMI and RSI call
 * (rmm_config.check_invariants); a violation is recorded, never repaired.
 *
 * Granules (DEN0137 1.0 A2.2): UNDELEGATED is never Realm PAS (Non-secure, or Secure/Root
 * memory of other worlds); every other state is Realm PAS; DELEGATED is all zeroes and owned by no Realm; RD, REC, RTT and DATA carry the
 * owner the hardware model's ownership tag also records.
 * Stage 2: each table's live count is its number of ASSIGNED, ASSIGNED_DEV and TABLE
 * entries; ASSIGNED entries are at level 3 only (no command makes an assigned block: there is
 * no RTT_FOLD); ASSIGNED_DEV entries too, protected, RIPAS EMPTY or DEV, their PA in the
 * device window and recorded there for that Realm and IPA, and every record so mapped (for a
 * VDEV of that Realm); RIPAS DEV nowhere else;
 * each RTT granule is referenced once (a root of its Realm or one TABLE entry); each DATA
 * granule once, by a protected ASSIGNED entry of the Realm that owns it.
 * RECs: each belongs to a live Realm, whose num_recs counts them exactly, at most
 * 2^MAX_RECS_ORDER - 1; its RmiRecExit carries only the fields its exit reason defines
 * (A4.3), a WFI exit only the exception class and ISS.TI in esr (A4.3.4.1).
 * Accesses: a REC touches only its own Realm's granules, and a protected load returns what
 * the Realm stored there (the oracle of shadow.c). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rmm/da.h"
#include "rmm/rmm_internal.h"

void rmm_violation(struct ccada_rmm *rmm, const char *fmt, ...)
{
        if (rmm->violations++ == 0) {
                va_list ap;
                va_start(ap, fmt);
                vsnprintf(rmm->first_violation, sizeof(rmm->first_violation), fmt, ap);
                va_end(ap);
        }
}

uint64_t rmm_violations(const struct ccada_rmm *rmm, const char **first)
{
        if (first)
                *first = rmm->first_violation;
        return rmm->violations;
}

/* A REC touches only its own Realm's granules (NS granules belong to no Realm). */
static void isolation_check(struct rec *rec, const struct rec_pa *a, uint64_t len, bool write)
{
        uint64_t bad;
        uint32_t own = realm_owner_tag(rec->realm);
        if (hw_owner_check(rec->rmm->mem, own, a->pa, len, &bad))
                return;
        rmm_violation(rec->rmm,
                      "isolation: REC 0x%llx of the Realm with VMID %u %s %llu bytes at IPA 0x%llx -> PA 0x%llx; "
                      "granule 0x%llx is owned by tag %u, not %u",
                      (unsigned long long)rec->pa, rec->realm->vmid, write ? "writes" : "reads",
                      (unsigned long long)len, (unsigned long long)a->ipa, (unsigned long long)a->pa,
                      (unsigned long long)bad, hw_owner_get(rec->rmm->mem, bad), own);
}

/* A protected load saw `got`: it must be what the Realm stored there. */
static void oracle_load(struct rec *rec, uint64_t ipa, const uint8_t *got, size_t n)
{
        const uint8_t *want = shadow_bytes(rec->realm->shadow, ipa, n);
        if (!want) {
                rmm_violation(rec->rmm, "memory: the Realm with VMID %u loaded %zu bytes at IPA 0x%llx, a page it "
                              "never had", rec->realm->vmid, n, (unsigned long long)ipa);
                return;
        }
        for (size_t i = 0; i < n; i++) {
                if (got[i] != want[i]) {
                        rmm_violation(rec->rmm, "memory: the Realm with VMID %u loaded 0x%02x at IPA 0x%llx, but "
                                      "stored 0x%02x there", rec->realm->vmid, got[i],
                                      (unsigned long long)(ipa + i), want[i]);
                        return;
                }
        }
}

static void oracle_store(struct rec *rec, uint64_t ipa, const uint8_t *data, uint8_t byte, size_t n)
{
        uint8_t *mine = shadow_bytes(rec->realm->shadow, ipa, n);
        if (!mine) {
                rmm_violation(rec->rmm, "memory: the Realm with VMID %u stored %zu bytes at IPA 0x%llx, a page it "
                              "never had", rec->realm->vmid, n, (unsigned long long)ipa);
                return;
        }
        if (data)
                memcpy(mine, data, n);
        else
                memset(mine, byte, n);
}

void rec_check_before(struct rec *rec, enum rec_op op, const struct rec_pa *to, const struct rec_pa *from,
                      size_t n)
{
        isolation_check(rec, to, n, op != OP_LOAD);
        if (op != OP_COPY)
                return;
        isolation_check(rec, from, n, false);
        /* What the copy moves (read as Root: a check must not raise GPFs of its own). */
        if (hw_read(rec->rmm->mem, HW_WORLD_ROOT, from->pa, rec->scratch, n, NULL) == HW_OK && !from->unprot &&
            rec->realm->shadow)
                oracle_load(rec, from->ipa, rec->scratch, n);
}

void rec_check_after(struct rec *rec, enum rec_op op, const struct rec_pa *to, const uint8_t *buf, uint8_t byte,
                     size_t n)
{
        if (to->unprot || !rec->realm->shadow)
                return; /* shared memory is the host's to change */
        switch (op) {
        case OP_LOAD: oracle_load(rec, to->ipa, buf, n); break;
        case OP_STORE: oracle_store(rec, to->ipa, buf, 0, n); break;
        case OP_FILL: oracle_store(rec, to->ipa, NULL, byte, n); break;
        case OP_COPY: oracle_store(rec, to->ipa, rec->scratch, 0, n); break;
        }
}

static const char *state_name(unsigned st)
{
        static const char *const n[] = { "UNDELEGATED", "DELEGATED", "RD", "REC", "REC_AUX", "DATA", "RTT", "PDEV", "VDEV" };
        return st < ARRAY_SIZE(n) ? n[st] : "?";
}

struct inv {
        struct ccada_rmm *rmm;
        const uint8_t *gpt;     /* the hardware's views, indexed like rmm->granules */
        const uint32_t *tags;
        uint32_t *refs;         /* references to each granule from RTTs and RDs */
        uint64_t dev_entries;   /* ASSIGNED_DEV entries the walks found */
        bool ok;
};

static void fail(struct inv *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct inv *v, const char *fmt, ...)
{
        char text[RMM_VIOLATION_TEXT];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(text, sizeof(text), fmt, ap);
        va_end(ap);
        rmm_violation(v->rmm, "invariant: %s", text);
        v->ok = false;
}

static uint64_t gpa(const struct ccada_rmm *rmm, uint64_t i)
{
        return rmm->base + (i << GRANULE_SHIFT);
}

/* One granule: PAS, zeroes, owner tag. The common case (nothing wrong, not DELEGATED)
 * costs a few loads: this runs for every granule after every call. */
static void check_granule(struct inv *v, uint64_t i)
{
        struct ccada_rmm *rmm = v->rmm;
        const struct granule *g = &rmm->granules[i];
        bool realm_pas = g->state != GRANULE_UNDELEGATED; /* Secure/Root memory stays UNDELEGATED */
        /* a PDEV is the RMM's own: Realm PAS, no Realm owner */
        bool owned = realm_pas && g->state != GRANULE_DELEGATED && g->state != GRANULE_PDEV;
        bool bad = (v->gpt[i] == HW_PAS_REALM) != realm_pas || owned != (g->owner != NULL) ||
                   v->tags[i] != realm_owner_tag(g->owner);
        if (bad) {
                uint64_t pa = gpa(rmm, i);
                if ((v->gpt[i] == HW_PAS_REALM) != realm_pas)
                        fail(v, "granule 0x%llx is %s but its PAS is %s", (unsigned long long)pa,
                             state_name(g->state), hw_pas_name((enum hw_pas)v->gpt[i]));
                if (owned != (g->owner != NULL))
                        fail(v, "granule 0x%llx is %s but %s an owner", (unsigned long long)pa,
                             state_name(g->state), owned ? "has no" : "has");
                if (v->tags[i] != realm_owner_tag(g->owner))
                        fail(v, "granule 0x%llx: hardware ownership tag %u, RMM owner tag %u",
                             (unsigned long long)pa, v->tags[i], realm_owner_tag(g->owner));
        }
        if (g->state == GRANULE_DELEGATED) {
                static const uint8_t zero[GRANULE_SIZE];
                uint8_t buf[GRANULE_SIZE];
                uint64_t pa = gpa(rmm, i);
                if (hw_read(rmm->mem, HW_WORLD_ROOT, pa, buf, sizeof(buf), NULL) != HW_OK ||
                    memcmp(buf, zero, sizeof(buf)) != 0)
                        fail(v, "DELEGATED granule 0x%llx is not all zeroes", (unsigned long long)pa);
        }
}

/* A reference from an RTT entry (or an RD's root list) to a granule that must be in
 * `state` and owned by `realm`. */
static void ref(struct inv *v, const struct realm *realm, uint64_t pa, unsigned state, uint64_t ipa)
{
        struct granule *g = granule_at(v->rmm, pa);
        if (!g) {
                fail(v, "Realm VMID %u: IPA 0x%llx maps 0x%llx, outside the granule table", realm->vmid,
                     (unsigned long long)ipa, (unsigned long long)pa);
                return;
        }
        v->refs[(pa - v->rmm->base) >> GRANULE_SHIFT]++;
        if (g->state != state || g->owner != realm)
                fail(v, "Realm VMID %u: IPA 0x%llx refers to granule 0x%llx in state %s of %s Realm", realm->vmid,
                     (unsigned long long)ipa, (unsigned long long)pa, state_name(g->state),
                     g->owner == realm ? "this" : "another");
}

/* Device memory (rmi_dev_mem.c): an ASSIGNED_DEV entry is at level 3, protected, RIPAS EMPTY
 * or DEV, its PA in the platform's window, and the window's record of that granule names this
 * Realm and IPA (the reverse, every record has its entry, is check_dev_records). */
static void check_dev_entry(struct inv *v, const struct realm *realm, const struct rtt *t, const struct rtte *e,
                            uint64_t ipa)
{
        const struct dev_gran *g = dev_mem_gran(v->rmm, e->addr);
        v->dev_entries++;
        if (t->level != RTT_PAGE_LEVEL || !rtt_ipa_protected(realm, ipa) ||
            (e->ripas != RMI_EMPTY && e->ripas != RMI_DEV))
                fail(v, "Realm VMID %u: ASSIGNED_DEV entry at IPA 0x%llx level %d RIPAS %s", realm->vmid,
                     (unsigned long long)ipa, t->level, rmi_ripas_name(e->ripas));
        if (!g || e->addr & GRANULE_MASK)
                fail(v, "Realm VMID %u: IPA 0x%llx maps device PA 0x%llx, outside the device window", realm->vmid,
                     (unsigned long long)ipa, (unsigned long long)e->addr);
        else if (g->realm != realm || g->ipa != ipa)
                fail(v, "Realm VMID %u: IPA 0x%llx maps device PA 0x%llx, recorded for %s at IPA 0x%llx", realm->vmid,
                     (unsigned long long)ipa, (unsigned long long)e->addr,
                     !g->realm ? "no Realm" : g->realm == realm ? "this Realm" : "another Realm",
                     (unsigned long long)g->ipa);
}

/* Every device granule recorded as mapped is mapped there: a live Realm's level-3
 * ASSIGNED_DEV entry at the recorded IPA with that PA, made for a VDEV of that Realm; and the
 * count of records equals the count of ASSIGNED_DEV entries found by the walks. */
static void check_dev_records(struct inv *v)
{
        struct ccada_rmm *rmm = v->rmm;
        const struct rmm_dev_mem *dm = &rmm->dev_mem;
        uint64_t mapped = 0;
        for (uint64_t i = 0; i < dm->size >> GRANULE_SHIFT; i++) {
                const struct dev_gran *g = &dm->g[i];
                uint64_t pa = dm->base + (i << GRANULE_SHIFT);
                if (!g->realm)
                        continue;
                mapped++;
                const struct realm *realm = rd_lookup(rmm, g->rd);
                struct rtt_walk w;
                if (realm != g->realm) {
                        fail(v, "device PA 0x%llx is recorded for a Realm that is gone", (unsigned long long)pa);
                        continue;
                }
                rtt_walk(realm, g->ipa, RTT_PAGE_LEVEL, &w);
                const struct rtte *e = rtt_walk_entry(&w);
                if (w.level != RTT_PAGE_LEVEL || e->state != RMI_ASSIGNED_DEV || e->addr != pa)
                        fail(v, "device PA 0x%llx is recorded at IPA 0x%llx of Realm VMID %u, which does not map it",
                             (unsigned long long)pa, (unsigned long long)g->ipa, realm->vmid);
                struct rmm_vdev *vd = da_vdev_lookup(rmm, g->vdev);
                struct da_vdev_view vv;
                if (vd)
                        da_vdev_view(vd, &vv);
                if (!vd || vv.realm != realm)
                        fail(v, "device PA 0x%llx is mapped for VDEV 0x%llx, not a VDEV of its Realm",
                             (unsigned long long)pa, (unsigned long long)g->vdev);
        }
        if (mapped != v->dev_entries)
                fail(v, "%llu device granules are recorded as mapped, %llu ASSIGNED_DEV entries exist",
                     (unsigned long long)mapped, (unsigned long long)v->dev_entries);
}

static void check_table(struct inv *v, const struct realm *realm, const struct rtt *t, uint64_t ipa0)
{
        unsigned live = 0;
        uint64_t size = rtt_entry_size(t->level);
        for (unsigned i = 0; i < RTT_ENTRIES; i++) {
                const struct rtte *e = &t->e[i];
                uint64_t ipa = ipa0 + i * size;
                if (e->state == RMI_TABLE) {
                        live++;
                        if (!e->table || e->table->pa != e->addr || e->table->level != t->level + 1) {
                                fail(v, "Realm VMID %u: TABLE entry at IPA 0x%llx level %d is inconsistent",
                                     realm->vmid, (unsigned long long)ipa, t->level);
                                continue;
                        }
                        ref(v, realm, e->addr, GRANULE_RTT, ipa);
                        check_table(v, realm, e->table, ipa);
                } else if (e->state == RMI_ASSIGNED) {
                        live++;
                        if (t->level != RTT_PAGE_LEVEL)
                                fail(v, "Realm VMID %u: ASSIGNED block at IPA 0x%llx level %d", realm->vmid,
                                     (unsigned long long)ipa, t->level);
                        if (rtt_ipa_protected(realm, ipa))
                                ref(v, realm, e->addr, GRANULE_DATA, ipa);
                        if (e->ripas == RMI_DEV)
                                fail(v, "Realm VMID %u: IPA 0x%llx maps RAM with RIPAS DEV", realm->vmid,
                                     (unsigned long long)ipa);
                } else if (e->state == RMI_ASSIGNED_DEV) {
                        live++;
                        check_dev_entry(v, realm, t, e, ipa);
                } else if (e->ripas == RMI_DEV) {
                        fail(v, "Realm VMID %u: unassigned IPA 0x%llx level %d has RIPAS DEV", realm->vmid,
                             (unsigned long long)ipa, t->level);
                }
        }
        if (live != t->live)
                fail(v, "Realm VMID %u: RTT 0x%llx (level %d) counts %u live entries, has %u", realm->vmid,
                     (unsigned long long)t->pa, t->level, t->live, live);
}

static void check_realm(struct inv *v, const struct realm *realm, uint64_t rd)
{
        if (realm->rd != rd)
                fail(v, "RD 0x%llx holds a Realm that names RD 0x%llx", (unsigned long long)rd,
                     (unsigned long long)realm->rd);
        uint64_t span = rtt_entry_size(realm->level_start) * RTT_ENTRIES;
        for (unsigned i = 0; i < realm->num_start; i++) {
                ref(v, realm, realm->root[i]->pa, GRANULE_RTT, i * span);
                check_table(v, realm, realm->root[i], i * span);
        }
}

/* Which RmiRecExit fields each exit reason defines (A4.3.x): the rest must be zero. */
static void check_rec_exit(struct inv *v, const struct rec *rec)
{
        const struct rmi_rec_exit *x = &rec->exit;
        unsigned ngprs = 0;
        bool sync = x->reason == RMI_EXIT_SYNC, ripas = x->reason == RMI_EXIT_RIPAS_CHANGE;
        bool dev_mem = x->reason == RMI_EXIT_VDEV_VALIDATE_MAPPING;
        switch (x->reason) {
        case RMI_EXIT_SYNC: /* a trapped emulatable write carries the value in gprs[0] */
                ngprs = (x->esr & ESR_ISV) && (x->esr & ESR_WNR) ? 1 : 0;
                break;
        case RMI_EXIT_PSCI: ngprs = 4; break;
        case RMI_EXIT_HOST_CALL: ngprs = RSI_HOST_CALL_NUM_GPRS; break;
        default: break;
        }
        bool wfx = sync && (x->esr & ESR_EC_MASK) >> ESR_EC_SHIFT == ESR_EC_WFX;
        bool extra = (!sync && (x->esr || x->far || x->hpfar)) ||
                     (wfx && (x->esr & ~(ESR_EC_MASK | ESR_WFX_TI_MASK) || x->far || x->hpfar)) ||
                     (!ripas && (x->ripas_base || x->ripas_top || x->ripas_value)) ||
                     (x->reason != RMI_EXIT_HOST_CALL && x->imm) ||
                     (x->reason != RMI_EXIT_VDEV_REQUEST && !dev_mem && x->vdev_id) ||
                     (!dev_mem && (x->dev_mem_base || x->dev_mem_top || x->dev_mem_pa));
        for (unsigned i = ngprs; i < RMI_REC_NUM_GPRS; i++)
                extra |= x->gprs[i] != 0;
        if (extra)
                fail(v, "REC 0x%llx: RmiRecExit (%s) carries a field its exit reason does not define",
                     (unsigned long long)rec->pa, rmi_exit_reason_name(x->reason));
}

static void check_rec(struct inv *v, const struct rec *rec, uint64_t pa)
{
        const struct realm *realm = rd_lookup(v->rmm, rec->rd);
        if (rec->pa != pa || !realm || realm != rec->realm)
                fail(v, "REC 0x%llx does not belong to a live Realm", (unsigned long long)pa);
        else
                v->refs[(rec->rd - v->rmm->base) >> GRANULE_SHIFT]++; /* an RD's refs count its RECs */
        if (granule_at(v->rmm, pa)->owner != rec->realm)
                fail(v, "REC 0x%llx is owned by another Realm than its own", (unsigned long long)pa);
        check_rec_exit(v, rec);
}

/* Every DATA and RTT granule was referenced exactly once by the walks above, and each
 * Realm's num_recs is the number of RECs found naming it. */
static void check_refs(struct inv *v)
{
        for (uint64_t i = 0; i < v->rmm->ngranules; i++) {
                const struct granule *g = &v->rmm->granules[i];
                if ((g->state == GRANULE_DATA || g->state == GRANULE_RTT) && v->refs[i] != 1)
                        fail(v, "%s granule 0x%llx is referenced %u times", state_name(g->state),
                             (unsigned long long)gpa(v->rmm, i), v->refs[i]);
                if (g->state == GRANULE_RD && v->refs[i] != g->u.realm->num_recs)
                        fail(v, "Realm VMID %u counts %u RECs, has %u", g->u.realm->vmid, g->u.realm->num_recs,
                             v->refs[i]);
                if (g->state == GRANULE_RD && g->u.realm->num_recs > RMM_MAX_RECS)
                        fail(v, "Realm VMID %u has %u RECs, more than RMI_FEATURES allows", g->u.realm->vmid,
                             g->u.realm->num_recs);
        }
}

bool rmm_check_invariants(struct ccada_rmm *rmm)
{
        struct inv v = { .rmm = rmm, .gpt = hw_gpt_view(rmm->mem), .tags = hw_owner_view(rmm->mem), .ok = true };
        v.refs = calloc(rmm->ngranules, sizeof(*v.refs));
        if (!v.refs) {
                rmm_violation(rmm, "invariant check: out of memory");
                return false;
        }
        for (uint64_t i = 0; i < rmm->ngranules; i++) {
                const struct granule *g = &rmm->granules[i];
                check_granule(&v, i);
                if (g->state == GRANULE_RD)
                        check_realm(&v, g->u.realm, gpa(rmm, i));
                else if (g->state == GRANULE_REC)
                        check_rec(&v, g->u.rec, gpa(rmm, i));
        }
        check_refs(&v);
        check_dev_records(&v);
        free(v.refs);
        return v.ok;
}
