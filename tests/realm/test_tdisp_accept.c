/* The Realm's verify-and-accept decision (src/realm/tdisp_accept.c) on real evidence: ccada-dev
 * brought through PDEV READY, its IDE stream and VDEV LOCK, report and START by the RMM in
 * process (the rig of tests/kit/da_rig.c, the test as the host caching what the RMM
 * marks), then the cached bytes with an RsiVdevInfo whose digests the test computes itself
 * with hash_once (and cross-checks with the RMM's own). Every refusal changes exactly one
 * thing of an accepted case. The policy parser: every refusal names its line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "da_rig.h"
#include "lib/crypto.h"
#include "lib/pki.h"
#include "proto/tdisp.h"
#include "realm/tdisp_accept.h"
#include "rmm/tsm.h"
#include "rmm_harness.h"

#define DEC_2026 1796169600

/* ---- what a Realm would hold: the host's cached objects and RSI_VDEV_GET_INFO ---- */

struct evidence {
        uint8_t *obj[4];                        /* RMI_DEV_OBJ_*: VCA, certificate, measurements, report */
        size_t obj_len[4];
        uint8_t point[EC_POINT_MAX];            /* the key the host gave SET_PUBKEY */
        size_t point_len;
        uint8_t *root;                          /* the device's root certificate: the Realm's anchor */
        size_t root_len;
        struct rsi_vdev_info info;
};

static void evidence_free(struct evidence *e)
{
        for (unsigned i = 0; i < 4; i++)
                free(e->obj[i]);
        free(e->root);
        memset(e, 0, sizeof(*e));
}

/* ---- the host (tests/kit/da_rig.c on rmm_harness's machine) ---- */

static void fail_test(const char *why)
{
        fail_msg("%s", why);
}

/* RsiVdevInfo as the RMM would give it: digests of the cached bytes, computed here, and
 * checked against the RMM's own. */
static void info_from_cache(const struct da_rig *r, struct evidence *e)
{
        struct rsi_vdev_info *i = &e->info;
        struct rmm_pdev_info pi;
        struct rmm_vdev_info vi;
        memset(i, 0, sizeof(*i));
        i->hash_algo = RSI_HASH_SHA_384;
        i->lock_nonce = 1;
        i->report_nonce = 1;
        i->format_type = RSI_VDEV_REPORT_FORMAT_TDISP;
        i->format_version = 0x10000;
        i->state = RSI_VDEV_STATE_STARTED;
        assert_true(hash_once(HASH_SHA384, e->obj[RMI_DEV_OBJ_VCA], e->obj_len[RMI_DEV_OBJ_VCA], i->vca_digest));
        assert_true(hash_once(HASH_SHA384, e->obj[RMI_DEV_OBJ_CERTIFICATE], e->obj_len[RMI_DEV_OBJ_CERTIFICATE],
                              i->cert_digest));
        assert_true(hash_once(HASH_SHA384, e->point, e->point_len, i->pubkey_digest));
        assert_true(hash_once(HASH_SHA384, e->obj[RMI_DEV_OBJ_MEASUREMENTS], e->obj_len[RMI_DEV_OBJ_MEASUREMENTS],
                              i->meas_digest));
        assert_true(hash_once(HASH_SHA384, e->obj[RMI_DEV_OBJ_INTERFACE_REPORT],
                              e->obj_len[RMI_DEV_OBJ_INTERFACE_REPORT], i->report_digest));
        assert_true(rmm_pdev_info(r->cfg.rmm, r->pdev, &pi));
        assert_true(rmm_vdev_info(r->cfg.rmm, r->vdev, &vi));
        assert_memory_equal(i->vca_digest, pi.vca_digest, 48);
        assert_memory_equal(i->cert_digest, pi.cert_digest, 48);
        assert_memory_equal(i->meas_digest, pi.meas_digest, 48);
        assert_memory_equal(i->report_digest, vi.report_digest, 48);
}

/* Runs ccada-dev (seed "tdisp-accept", firmware fw) through the RMM and keeps the evidence:
 * the rig's cached objects and key, taken over, and the device's root certificate. */
static void gather(struct evidence *e, const struct dev_firmware *fw)
{
        struct host h;
        struct da_rig *r = calloc(1, sizeof(*r));
        struct hrealm realm;
        const uint8_t *root;
        assert_non_null(r);
        memset(e, 0, sizeof(*e));
        host_init_da(&h);
        da_rig_init(r, &(struct da_rig_config){ .mem = h.mem, .rmm = h.rmm, .ns_base = host_alloc_n(&h, 64),
                                                .ns_granules = 64, .seed = "tdisp-accept", .fw = fw, .smmu = true,
                                                .fail = fail_test });
        pdev_root(r->dev, &root, &e->root_len);
        e->root = malloc(e->root_len);
        assert_non_null(e->root);
        memcpy(e->root, root, e->root_len);
        da_rig_pdev_ready_with_stream(r);
        host_realm_new(&h, &realm);
        da_rig_vdev_started(r, realm.rd, NULL);
        for (unsigned i = 0; i < DA_RIG_OBJS; i++) {
                e->obj[i] = r->obj[i];
                e->obj_len[i] = r->obj_len[i];
                r->obj[i] = NULL;
                r->obj_len[i] = 0;
        }
        memcpy(e->point, r->point, r->point_len);
        e->point_len = r->point_len;
        info_from_cache(r, e);
        da_rig_fini(r);
        host_fini(&h);
        free(r);
}

/* A seed for fuzz/realm/fuzz_tdisp_accept.c (its input format): accept mode, honest digests,
 * STARTED, SHA-384, 1..16 ranges, then the objects and the anchor. Written only when the
 * environment names a directory (TDISP_ACCEPT_SEED_DIR): how fuzz/corpus/tdisp_accept got its
 * real evidence. */
static void write_seed(const struct evidence *e, const char *name, uint8_t flags)
{
        const char *dir = getenv("TDISP_ACCEPT_SEED_DIR");
        char path[512];
        if (!dir)
                return;
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        FILE *fp = fopen(path, "wb");
        assert_non_null(fp);
        uint8_t head[4] = { 0x01, flags, 1, 16 };
        assert_int_equal(fwrite(head, 1, sizeof(head), fp), sizeof(head));
        const uint8_t *obj[5] = { e->obj[0], e->obj[1], e->obj[2], e->obj[3], e->root };
        size_t len[5] = { e->obj_len[0], e->obj_len[1], e->obj_len[2], e->obj_len[3], e->root_len };
        for (unsigned i = 0; i < 5; i++) {
                uint8_t l[2] = { (uint8_t)len[i], (uint8_t)(len[i] >> 8) };
                assert_true(len[i] <= 0xFFFF);
                assert_int_equal(fwrite(l, 1, 2, fp), 2);
                assert_int_equal(fwrite(obj[i], 1, len[i], fp), len[i]);
        }
        assert_int_equal(fclose(fp), 0);
}

/* ---- the cases ---- */

struct fx {
        struct evidence good, debug;
        uint8_t fw_digest[48];                  /* SHA-384 of what ccada-dev runs, computed here */
};

static int group_setup(void **state)
{
        struct fx *f = calloc(1, sizeof(*f));
        struct dev_firmware dbg = { .debug = true };
        static const char fw[] = "ccada device firmware 1.0.0"; /* device/identity.c's measured text */
        if (!f)
                return -1;
        gather(&f->good, NULL);
        gather(&f->debug, &dbg);
        if (!hash_once(HASH_SHA384, fw, strlen(fw), f->fw_digest))
                return -1;
        write_seed(&f->good, "ccada_dev_started", 0x29);
        write_seed(&f->debug, "ccada_dev_debug", 0x29);
        write_seed(&f->good, "ccada_dev_locked_debug_allowed", 0x27);
        *state = f;
        return 0;
}

static int group_teardown(void **state)
{
        struct fx *f = *state;
        evidence_free(&f->good);
        evidence_free(&f->debug);
        free(f);
        return 0;
}

/* A working copy of one evidence set, to change one thing in. */
struct work {
        uint8_t *obj[4];
        size_t obj_len[4];
        struct rsi_vdev_info info;
        struct tdisp_policy pol;
        struct tdisp_accept_result res;
        char why[TDISP_ACCEPT_WHY_LEN];
        const struct evidence *from;
};

static void work_init(struct work *w, const struct fx *f, const struct evidence *e)
{
        memset(w, 0, sizeof(*w));
        w->from = e;
        for (unsigned i = 0; i < 4; i++) {
                w->obj[i] = malloc(e->obj_len[i] + 1);
                assert_non_null(w->obj[i]);
                memcpy(w->obj[i], e->obj[i], e->obj_len[i]);
                w->obj_len[i] = e->obj_len[i];
        }
        w->info = e->info;
        tdisp_policy_default(&w->pol);
        w->pol.have_fw_digest = true;
        memcpy(w->pol.fw_digest, f->fw_digest, 48);
        w->pol.fw_digest_len = 48;
}

static void work_free(struct work *w)
{
        for (unsigned i = 0; i < 4; i++)
                free(w->obj[i]);
}

/* Replaces object i and updates its digest, as a host and RMM that agree on other bytes would. */
static void work_replace(struct work *w, unsigned i, const uint8_t *bytes, size_t len, uint8_t *digest)
{
        free(w->obj[i]);
        w->obj[i] = malloc(len + 1);
        assert_non_null(w->obj[i]);
        memcpy(w->obj[i], bytes, len);
        w->obj_len[i] = len;
        assert_true(hash_once(HASH_SHA384, bytes, len, digest));
}

static enum tdisp_verdict run(struct work *w)
{
        struct tdisp_evidence ev = {
                .vca = w->obj[RMI_DEV_OBJ_VCA], .vca_len = w->obj_len[RMI_DEV_OBJ_VCA],
                .certs = w->obj[RMI_DEV_OBJ_CERTIFICATE], .certs_len = w->obj_len[RMI_DEV_OBJ_CERTIFICATE],
                .meas = w->obj[RMI_DEV_OBJ_MEASUREMENTS], .meas_len = w->obj_len[RMI_DEV_OBJ_MEASUREMENTS],
                .report = w->obj[RMI_DEV_OBJ_INTERFACE_REPORT], .report_len = w->obj_len[RMI_DEV_OBJ_INTERFACE_REPORT],
        };
        enum tdisp_verdict v = tdisp_accept_check(&w->info, &ev, w->from->root, w->from->root_len, DEC_2026, &w->pol,
                                                  &w->res, w->why);
        if (v != TDISP_VERDICT_ACCEPT)
                print_message("  %s: %s\n", tdisp_verdict_name(v), w->why);
        return v;
}

static void expect(struct work *w, enum tdisp_verdict want)
{
        enum tdisp_verdict got = run(w);
        if (got != want)
                fail_msg("verdict %s, expected %s (%s)", tdisp_verdict_name(got), tdisp_verdict_name(want), w->why);
}

static void accept_check_accepts_a_started_device_with_the_policys_firmware(void **state)
{
        struct fx *f = *state;
        struct work w;
        uint64_t base, size;
        work_init(&w, f, &f->good);
        expect(&w, TDISP_VERDICT_ACCEPT);
        assert_string_equal(w.why, "");
        assert_non_null(strstr(w.res.leaf_subject, "CN="));
        assert_true(w.res.fw_found);
        assert_int_equal(w.res.fw_digest_len, 48);
        assert_memory_equal(w.res.fw_digest, f->fw_digest, 48);
        assert_true(w.res.mode_found);
        assert_false(w.res.debug);
        /* the ranges are the report's own, decoded here independently of the code under test */
        struct tdi_report r;
        struct tdi_mmio_range rg[TDISP_ACCEPT_MAX_RANGES];
        char why[160];
        assert_true(tdi_report_decode(f->good.obj[RMI_DEV_OBJ_INTERFACE_REPORT],
                                      f->good.obj_len[RMI_DEV_OBJ_INTERFACE_REPORT], &r, rg, TDISP_ACCEPT_MAX_RANGES,
                                      why));
        assert_true(r.range_count >= 1);
        assert_int_equal(w.res.range_count, r.range_count);
        assert_memory_equal(w.res.ranges, rg, sizeof(rg[0]) * r.range_count);
        assert_true(tdi_mmio_range_addr(&w.res.ranges[0], 0, &base, &size));
        assert_int_equal(size, 16 * 1024); /* BAR0 of ccada-dev */
        work_free(&w);
}

static void accept_check_accepts_a_locked_device_too(void **state)
{
        struct fx *f = *state;
        struct work w;
        work_init(&w, f, &f->good);
        w.info.state = RSI_VDEV_STATE_LOCKED;
        expect(&w, TDISP_VERDICT_ACCEPT);
        work_free(&w);
}

static void accept_check_accepts_any_firmware_when_the_policy_names_none(void **state)
{
        struct fx *f = *state;
        struct work w;
        work_init(&w, f, &f->good);
        w.pol.have_fw_digest = false;
        w.pol.fw_digest[0] ^= 1;
        expect(&w, TDISP_VERDICT_ACCEPT);
        assert_memory_equal(w.res.fw_digest, f->fw_digest, 48); /* still reported */
        work_free(&w);
}

static void accept_check_refuses_an_unlocked_or_errored_vdev_as_state(void **state)
{
        struct fx *f = *state;
        struct work w;
        work_init(&w, f, &f->good);
        w.info.state = RSI_VDEV_STATE_UNLOCKED;
        expect(&w, TDISP_VERDICT_STATE);
        w.info.state = RSI_VDEV_STATE_ERROR;
        expect(&w, TDISP_VERDICT_STATE);
        work_free(&w);
}

static void accept_check_refuses_an_unknown_hash_or_report_format_as_info(void **state)
{
        struct fx *f = *state;
        struct work w;
        work_init(&w, f, &f->good);
        w.info.hash_algo = 3;
        expect(&w, TDISP_VERDICT_INFO);
        w.info.hash_algo = RSI_HASH_SHA_384;
        w.info.format_type = RSI_VDEV_REPORT_FORMAT_IMPL_DEFINED;
        expect(&w, TDISP_VERDICT_INFO);
        work_free(&w);
}

/* A byte of each object flipped (first, middle, last), the digests left as the RMM gave them. */
static void flip_each(const struct fx *f, unsigned obj, enum tdisp_verdict want)
{
        size_t len = f->good.obj_len[obj];
        size_t at[3] = { 0, len / 2, len - 1 };
        for (unsigned k = 0; k < 3; k++) {
                struct work w;
                work_init(&w, f, &f->good);
                w.obj[obj][at[k]] ^= 0x01;
                expect(&w, want);
                work_free(&w);
        }
}

static void accept_check_refuses_a_flipped_vca_byte(void **state)
{
        flip_each(*state, RMI_DEV_OBJ_VCA, TDISP_VERDICT_VCA_DIGEST);
}

static void accept_check_refuses_a_flipped_certificate_byte(void **state)
{
        flip_each(*state, RMI_DEV_OBJ_CERTIFICATE, TDISP_VERDICT_CERT_DIGEST);
}

static void accept_check_refuses_a_flipped_measurement_byte(void **state)
{
        flip_each(*state, RMI_DEV_OBJ_MEASUREMENTS, TDISP_VERDICT_MEAS_DIGEST);
}

static void accept_check_refuses_a_flipped_report_byte(void **state)
{
        flip_each(*state, RMI_DEV_OBJ_INTERFACE_REPORT, TDISP_VERDICT_REPORT_DIGEST);
}

static void accept_check_refuses_truncated_or_missing_objects_by_digest(void **state)
{
        struct fx *f = *state;
        struct work w;
        work_init(&w, f, &f->good);
        w.obj_len[RMI_DEV_OBJ_VCA]--;
        expect(&w, TDISP_VERDICT_VCA_DIGEST);
        work_free(&w);
        work_init(&w, f, &f->good);
        w.obj_len[RMI_DEV_OBJ_INTERFACE_REPORT] = 0;
        expect(&w, TDISP_VERDICT_REPORT_DIGEST);
        work_free(&w);
        work_init(&w, f, &f->good);
        w.obj_len[RMI_DEV_OBJ_MEASUREMENTS] = TDISP_EVIDENCE_MAX + 1u; /* never read: refused by size */
        expect(&w, TDISP_VERDICT_MEAS_DIGEST);
        work_free(&w);
}

/* Another seed's PKI: a chain whose digest the RMM agrees with but which the anchor did not issue. */
static void accept_check_refuses_a_chain_from_another_pki(void **state)
{
        struct fx *f = *state;
        struct pki other;
        struct pki_params p = { .not_before = 1767225600, .not_after = 2082758400,
                                .seed = (const uint8_t *)"another vendor", .seed_len = 14 };
        char why[256] = "";
        struct work w;
        if (!pki_make(&p, &other, why))
                fail_msg("pki_make: %s", why);
        work_init(&w, f, &f->good);
        work_replace(&w, RMI_DEV_OBJ_CERTIFICATE, other.chain, other.chain_len, w.info.cert_digest);
        expect(&w, TDISP_VERDICT_CHAIN);
        assert_string_equal(w.res.leaf_subject, "");
        work_free(&w);
        pki_free(&other);
}

static void accept_check_refuses_a_chain_at_a_time_it_is_not_valid(void **state)
{
        struct fx *f = *state;
        struct work w;
        struct tdisp_evidence ev;
        work_init(&w, f, &f->good);
        ev = (struct tdisp_evidence){ .vca = w.obj[0], .vca_len = w.obj_len[0], .certs = w.obj[1],
                                      .certs_len = w.obj_len[1], .meas = w.obj[2], .meas_len = w.obj_len[2],
                                      .report = w.obj[3], .report_len = w.obj_len[3] };
        assert_int_equal(tdisp_accept_check(&w.info, &ev, f->good.root, f->good.root_len, 1700000000, &w.pol, &w.res,
                                            w.why),
                         TDISP_VERDICT_CHAIN);
        work_free(&w);
}

static void accept_check_refuses_a_leaf_key_the_rmm_did_not_use(void **state)
{
        struct fx *f = *state;
        struct work w;
        work_init(&w, f, &f->good);
        w.info.pubkey_digest[7] ^= 0x80;
        expect(&w, TDISP_VERDICT_PUBKEY_DIGEST);
        assert_non_null(strstr(w.res.leaf_subject, "CN=")); /* the chain had passed */
        work_free(&w);
}

/* A measurement record rebuilt by hand (digest updated): one change each. */
static void meas_variant(const struct fx *f, size_t drop_tail, const uint8_t *extra, size_t extra_len,
                         enum tdisp_verdict want)
{
        struct work w;
        const struct evidence *e = &f->good;
        size_t len = e->obj_len[RMI_DEV_OBJ_MEASUREMENTS];
        uint8_t *rec = malloc(len + extra_len + 1);
        assert_non_null(rec);
        memcpy(rec, e->obj[RMI_DEV_OBJ_MEASUREMENTS], len - drop_tail);
        if (extra_len)
                memcpy(rec + len - drop_tail, extra, extra_len);
        work_init(&w, f, e);
        work_replace(&w, RMI_DEV_OBJ_MEASUREMENTS, rec, len - drop_tail + extra_len, w.info.meas_digest);
        expect(&w, want);
        if (want == TDISP_VERDICT_MEAS_MALFORMED)
                assert_false(w.res.fw_found);
        work_free(&w);
        free(rec);
}

static void accept_check_refuses_a_malformed_measurement_record(void **state)
{
        struct fx *f = *state;
        static const uint8_t dup_rom[] = { 1, SPDM_MEAS_SPEC_DMTF, 4, 0, SPDM_MEAS_TYPE_IMMUTABLE_ROM, 1, 0, 0xAA };
        static const uint8_t not_dmtf[] = { 9, 0x02, 4, 0, 0, 1, 0, 0xAA };
        static const uint8_t short_hdr[] = { 9, SPDM_MEAS_SPEC_DMTF };
        meas_variant(f, 1, NULL, 0, TDISP_VERDICT_MEAS_MALFORMED);   /* the last block cut */
        meas_variant(f, 0, dup_rom, sizeof(dup_rom), TDISP_VERDICT_MEAS_MALFORMED);
        meas_variant(f, 0, not_dmtf, sizeof(not_dmtf), TDISP_VERDICT_MEAS_MALFORMED);
        meas_variant(f, 0, short_hdr, sizeof(short_hdr), TDISP_VERDICT_MEAS_MALFORMED);
        /* and an extra well-formed block is fine */
        static const uint8_t extra[] = { 9, SPDM_MEAS_SPEC_DMTF, 4, 0, SPDM_MEAS_TYPE_VERSION | 0x80, 1, 0, 0xAA };
        meas_variant(f, 0, extra, sizeof(extra), TDISP_VERDICT_ACCEPT);
}

static void accept_check_refuses_firmware_the_policy_does_not_name(void **state)
{
        struct fx *f = *state;
        struct work w;
        work_init(&w, f, &f->good);
        w.pol.fw_digest[47] ^= 0x01;
        expect(&w, TDISP_VERDICT_FIRMWARE);
        assert_memory_equal(w.res.fw_digest, f->fw_digest, 48); /* what was found is reported */
        w.pol.fw_digest[47] ^= 0x01;
        w.pol.fw_digest_len = 32;                               /* a SHA-256 digest's length */
        expect(&w, TDISP_VERDICT_FIRMWARE);
        w.pol.fw_digest_len = 48;
        w.pol.fw_index = 5;                                     /* no such measurement */
        expect(&w, TDISP_VERDICT_FIRMWARE);
        w.pol.fw_index = SPDM_MEAS_INDEX_DEVICE_MODE;           /* a raw block is not a digest */
        expect(&w, TDISP_VERDICT_FIRMWARE);
        work_free(&w);
}

static void accept_check_refuses_a_device_in_debug_mode_unless_allowed(void **state)
{
        struct fx *f = *state;
        struct work w;
        work_init(&w, f, &f->debug);
        expect(&w, TDISP_VERDICT_DEBUG);
        assert_true(w.res.mode_found);
        assert_true(w.res.debug);
        w.pol.debug_allowed = true;
        expect(&w, TDISP_VERDICT_ACCEPT);
        assert_true(w.res.debug);
        work_free(&w);
}

static void accept_check_refuses_a_record_without_device_mode_as_debug(void **state)
{
        struct fx *f = *state;
        /* the device mode block (index 0xFE, 4 + 3 + 16 bytes) is ccada-dev's last */
        const struct evidence *e = &f->good;
        size_t len = e->obj_len[RMI_DEV_OBJ_MEASUREMENTS];
        assert_int_equal(e->obj[RMI_DEV_OBJ_MEASUREMENTS][len - 23], SPDM_MEAS_INDEX_DEVICE_MODE);
        meas_variant(f, 23, NULL, 0, TDISP_VERDICT_DEBUG);
}

static void report_variant(const struct fx *f, uint32_t nranges, const struct tdisp_policy *pol,
                           enum tdisp_verdict want)
{
        struct work w;
        struct tdi_report r;
        struct tdi_mmio_range rg[TDISP_ACCEPT_MAX_RANGES + 1];
        uint8_t buf[1024];
        size_t len = 0;
        char why[160];
        const struct evidence *e = &f->good;
        assert_true(tdi_report_decode(e->obj[RMI_DEV_OBJ_INTERFACE_REPORT], e->obj_len[RMI_DEV_OBJ_INTERFACE_REPORT],
                                      &r, rg, TDISP_ACCEPT_MAX_RANGES, why));
        for (uint32_t i = r.range_count; i < nranges; i++)
                rg[i] = (struct tdi_mmio_range){ .first_page = 0x100000u + 16u * i, .num_pages = 1,
                                                 .range_id = (uint16_t)i };
        r.range_count = nranges;
        r.ranges = rg;
        assert_true(tdi_report_encode(buf, sizeof(buf), &r, &len));
        work_init(&w, f, e);
        if (pol)
                w.pol = *pol;
        work_replace(&w, RMI_DEV_OBJ_INTERFACE_REPORT, buf, len, w.info.report_digest);
        expect(&w, want);
        if (want == TDISP_VERDICT_ACCEPT)
                assert_int_equal(w.res.range_count, nranges);
        else
                assert_int_equal(w.res.range_count, 0);
        work_free(&w);
}

static void accept_check_refuses_a_report_with_no_ranges_unless_the_policy_allows(void **state)
{
        struct fx *f = *state;
        struct tdisp_policy p;
        report_variant(f, 0, NULL, TDISP_VERDICT_REPORT);
        tdisp_policy_default(&p);
        p.min_mmio_ranges = 0;
        report_variant(f, 0, &p, TDISP_VERDICT_ACCEPT);
}

static void accept_check_refuses_more_ranges_than_the_policy_or_its_room(void **state)
{
        struct fx *f = *state;
        struct tdisp_policy p;
        tdisp_policy_default(&p);
        p.max_mmio_ranges = 2;
        report_variant(f, 2, &p, TDISP_VERDICT_ACCEPT);
        report_variant(f, 3, &p, TDISP_VERDICT_REPORT);
        report_variant(f, TDISP_ACCEPT_MAX_RANGES, NULL, TDISP_VERDICT_ACCEPT);
        report_variant(f, TDISP_ACCEPT_MAX_RANGES + 1, NULL, TDISP_VERDICT_REPORT);
}

static void accept_check_refuses_a_report_tdi_report_check_refuses(void **state)
{
        struct fx *f = *state;
        struct work w;
        const struct evidence *e = &f->good;
        uint8_t buf[1024];
        size_t len = e->obj_len[RMI_DEV_OBJ_INTERFACE_REPORT];
        assert_true(len <= sizeof(buf));
        memcpy(buf, e->obj[RMI_DEV_OBJ_INTERFACE_REPORT], len);
        buf[1] |= 0x80; /* an INTERFACE_INFO bit the spec reserves */
        work_init(&w, f, e);
        work_replace(&w, RMI_DEV_OBJ_INTERFACE_REPORT, buf, len, w.info.report_digest);
        expect(&w, TDISP_VERDICT_REPORT);
        work_free(&w);
}

/* The host's buffers are not referenced after the call: the result survives their loss. */
static void accept_check_result_holds_nothing_of_the_evidence(void **state)
{
        struct fx *f = *state;
        struct work w;
        work_init(&w, f, &f->good);
        expect(&w, TDISP_VERDICT_ACCEPT);
        struct tdisp_accept_result kept = w.res;
        for (unsigned i = 0; i < 4; i++)
                memset(w.obj[i], 0xEE, w.obj_len[i]);
        assert_memory_equal(&kept, &w.res, sizeof(kept));
        assert_memory_equal(w.res.fw_digest, f->fw_digest, 48);
        work_free(&w);
}

/* ---- the policy file ---- */

static bool parse(const char *text, struct tdisp_policy *p, char *why)
{
        return tdisp_policy_parse(text, strlen(text), p, why);
}

static void expect_refusal(const char *text, const char *want)
{
        struct tdisp_policy p;
        char why[TDISP_ACCEPT_WHY_LEN] = "";
        if (parse(text, &p, why))
                fail_msg("accepted: %s", text);
        if (!strstr(why, want))
                fail_msg("\"%s\" does not contain \"%s\"", why, want);
        struct tdisp_policy d;
        tdisp_policy_default(&d);
        assert_memory_equal(&p, &d, sizeof(p)); /* the defaults, nothing half-parsed */
}

static void policy_parse_reads_every_key_with_comments_and_blanks(void **state)
{
        (void)state;
        struct tdisp_policy p;
        char why[TDISP_ACCEPT_WHY_LEN] = "";
        const char *text = "# a device policy\n"
                           "\n"
                           "firmware_digest = 00112233445566778899aAbBcCdDeEfF  # comment\r\n"
                           "  firmware_index=3\n"
                           "\tdebug\t=\ton\n"
                           "min_mmio_ranges = 0\n"
                           "max_mmio_ranges = 0x4"; /* no final newline */
        assert_true(parse(text, &p, why));
        assert_string_equal(why, "");
        static const uint8_t d[] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                     0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF };
        assert_true(p.have_fw_digest);
        assert_int_equal(p.fw_digest_len, 16);
        assert_memory_equal(p.fw_digest, d, 16);
        assert_int_equal(p.fw_index, 3);
        assert_true(p.debug_allowed);
        assert_int_equal(p.min_mmio_ranges, 0);
        assert_int_equal(p.max_mmio_ranges, 4);
}

static void policy_parse_of_an_empty_file_gives_the_defaults(void **state)
{
        (void)state;
        struct tdisp_policy p, d;
        char why[TDISP_ACCEPT_WHY_LEN] = "";
        tdisp_policy_default(&d);
        assert_true(tdisp_policy_parse(NULL, 0, &p, why));
        assert_memory_equal(&p, &d, sizeof(p));
        assert_true(parse("# only a comment\n\n   \n", &p, why));
        assert_memory_equal(&p, &d, sizeof(p));
        assert_false(d.have_fw_digest);
        assert_int_equal(d.fw_index, 2);
        assert_false(d.debug_allowed);
        assert_int_equal(d.min_mmio_ranges, 1);
        assert_int_equal(d.max_mmio_ranges, TDISP_ACCEPT_MAX_RANGES);
}

static void policy_parse_reads_the_sample_file(void **state)
{
        (void)state;
        char text[TDISP_POLICY_TEXT_MAX];
        char why[TDISP_ACCEPT_WHY_LEN] = "";
        struct tdisp_policy p;
        FILE *fp = fopen(CCADA_SOURCE_DIR "/docs/examples/device-policy.txt", "rb");
        assert_non_null(fp);
        size_t n = fread(text, 1, sizeof(text), fp);
        fclose(fp);
        if (!tdisp_policy_parse(text, n, &p, why))
                fail_msg("%s", why);
        assert_true(p.have_fw_digest);
        assert_int_equal(p.fw_digest_len, 48);
        assert_false(p.debug_allowed);
}

static void policy_parse_refuses_unknown_keys_with_the_line(void **state)
{
        (void)state;
        expect_refusal("debug = off\n# c\nfirmwre_digest = 00\n", "line 3: unknown key \"firmwre_digest\"");
        expect_refusal("\n= 1\n", "line 2: no key before '='");
        expect_refusal("debug off\n", "line 1: no '=' after the key");
        expect_refusal("debug =\n", "line 1: debug has no value");
        expect_refusal("debug = # off\n", "line 1: debug has no value");
}

static void policy_parse_refuses_duplicates_with_both_lines(void **state)
{
        (void)state;
        expect_refusal("debug = off\nfirmware_index = 2\ndebug = off\n", "line 3: debug given twice (first on line 1)");
}

static void policy_parse_refuses_bad_hex_with_the_line(void **state)
{
        (void)state;
        expect_refusal("\nfirmware_digest = 0g\n", "line 2: firmware_digest: 'g' is not a hex digit");
        expect_refusal("firmware_digest = 001\n", "line 1: firmware_digest: 3 hex digits");
        expect_refusal("firmware_digest = 001 12\n", "line 1: firmware_digest: ' ' is not a hex digit");
        char longhex[200];
        memset(longhex, 'a', sizeof(longhex));
        snprintf(longhex, sizeof(longhex), "firmware_digest = %0130d\n", 0);
        expect_refusal(longhex, "line 1: firmware_digest: 130 hex digits");
}

static void policy_parse_refuses_bad_numbers_and_values_with_the_line(void **state)
{
        (void)state;
        expect_refusal("firmware_index = 0\n", "line 1: firmware_index: 0 is outside 1..254");
        expect_refusal("firmware_index = 255\n", "line 1: firmware_index: 255 is outside 1..254");
        expect_refusal("firmware_index = -1\n", "line 1: firmware_index: a sign");
        expect_refusal("\n\nfirmware_index = 02\n", "line 3: firmware_index: a leading zero");
        expect_refusal("max_mmio_ranges = 17\n", "line 1: max_mmio_ranges: 17 is outside 0..16");
        expect_refusal("min_mmio_ranges = x\n", "line 1: min_mmio_ranges: not a digit");
        expect_refusal("debug = yes\n", "line 1: debug: \"yes\" is neither on nor off");
        expect_refusal("debug = OFF\n", "line 1: debug: \"OFF\" is neither on nor off");
        expect_refusal("min_mmio_ranges = 3\nmax_mmio_ranges = 2\n",
                       "min_mmio_ranges 3 above max_mmio_ranges 2 (lines 1, 2)");
}

static void policy_parse_refuses_a_nul_byte_and_an_oversized_text(void **state)
{
        (void)state;
        struct tdisp_policy p;
        char why[TDISP_ACCEPT_WHY_LEN] = "";
        static const char nul[] = "debug = off\ndeb\0ug = on\n";
        assert_false(tdisp_policy_parse(nul, sizeof(nul) - 1, &p, why));
        assert_non_null(strstr(why, "line 2: a NUL byte"));
        char *big = calloc(1, TDISP_POLICY_TEXT_MAX + 1);
        assert_non_null(big);
        memset(big, '\n', TDISP_POLICY_TEXT_MAX + 1);
        assert_false(tdisp_policy_parse(big, TDISP_POLICY_TEXT_MAX + 1, &p, why));
        assert_non_null(strstr(why, "at most"));
        assert_true(tdisp_policy_parse(big, TDISP_POLICY_TEXT_MAX, &p, why));
        free(big);
}

static void verdict_names_name_every_verdict(void **state)
{
        (void)state;
        assert_string_equal(tdisp_verdict_name(TDISP_VERDICT_ACCEPT), "ACCEPT");
        assert_string_equal(tdisp_verdict_name(TDISP_VERDICT_PUBKEY_DIGEST), "PUBKEY_DIGEST");
        assert_string_equal(tdisp_verdict_name(TDISP_VERDICT_REPORT), "REPORT");
        assert_string_equal(tdisp_verdict_name((enum tdisp_verdict)99), "?");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(accept_check_accepts_a_started_device_with_the_policys_firmware),
                cmocka_unit_test(accept_check_accepts_a_locked_device_too),
                cmocka_unit_test(accept_check_accepts_any_firmware_when_the_policy_names_none),
                cmocka_unit_test(accept_check_refuses_an_unlocked_or_errored_vdev_as_state),
                cmocka_unit_test(accept_check_refuses_an_unknown_hash_or_report_format_as_info),
                cmocka_unit_test(accept_check_refuses_a_flipped_vca_byte),
                cmocka_unit_test(accept_check_refuses_a_flipped_certificate_byte),
                cmocka_unit_test(accept_check_refuses_a_flipped_measurement_byte),
                cmocka_unit_test(accept_check_refuses_a_flipped_report_byte),
                cmocka_unit_test(accept_check_refuses_truncated_or_missing_objects_by_digest),
                cmocka_unit_test(accept_check_refuses_a_chain_from_another_pki),
                cmocka_unit_test(accept_check_refuses_a_chain_at_a_time_it_is_not_valid),
                cmocka_unit_test(accept_check_refuses_a_leaf_key_the_rmm_did_not_use),
                cmocka_unit_test(accept_check_refuses_a_malformed_measurement_record),
                cmocka_unit_test(accept_check_refuses_firmware_the_policy_does_not_name),
                cmocka_unit_test(accept_check_refuses_a_device_in_debug_mode_unless_allowed),
                cmocka_unit_test(accept_check_refuses_a_record_without_device_mode_as_debug),
                cmocka_unit_test(accept_check_refuses_a_report_with_no_ranges_unless_the_policy_allows),
                cmocka_unit_test(accept_check_refuses_more_ranges_than_the_policy_or_its_room),
                cmocka_unit_test(accept_check_refuses_a_report_tdi_report_check_refuses),
                cmocka_unit_test(accept_check_result_holds_nothing_of_the_evidence),
                cmocka_unit_test(policy_parse_reads_every_key_with_comments_and_blanks),
                cmocka_unit_test(policy_parse_of_an_empty_file_gives_the_defaults),
                cmocka_unit_test(policy_parse_reads_the_sample_file),
                cmocka_unit_test(policy_parse_refuses_unknown_keys_with_the_line),
                cmocka_unit_test(policy_parse_refuses_duplicates_with_both_lines),
                cmocka_unit_test(policy_parse_refuses_bad_hex_with_the_line),
                cmocka_unit_test(policy_parse_refuses_bad_numbers_and_values_with_the_line),
                cmocka_unit_test(policy_parse_refuses_a_nul_byte_and_an_oversized_text),
                cmocka_unit_test(verdict_names_name_every_verdict),
        };
        return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
