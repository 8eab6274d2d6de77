/* RSI_ATTESTATION_TOKEN_INIT and _CONTINUE, and the token they deliver.
 * DEN0137 1.0 B5.3.2 (INIT), B5.3.1 (CONTINUE: failure conditions addr_align, addr_bound,
 * offset_bound, size_overflow, size_bound, state), A7.2 (the token). The token is checked
 * here with the codec and lib/ec; tests/kat checks it again with Python's cbor2 and
 * cryptography. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "lib/ec.h"
#include "proto/cca_token.h"
#include "rmm_harness.h"

#define T(fn) cmocka_unit_test_setup_teardown(fn, host_setup, host_teardown)
#define BUF_IPA 0x1000ULL       /* a DATA granule of the standard Realm */
#define MAXC 48

struct call {
        uint64_t x[9];
        bool capture;           /* a CONTINUE whose written bytes the Realm appends to pieces[] */
        uint64_t out0, out1;
};

/* The Realm side: makes calls[0..n) in order; an entry with x[0] == 0 is "fetch": like
 * Linux's arm-cca-guest driver, CONTINUE into BUF_IPA from offset 0 until the token is
 * complete, copying each granule out into token[]. */
struct realm_kernel {
        struct call calls[MAXC];
        unsigned n;
        uint8_t token[CCA_TOKEN_MAX];
        size_t token_len;
        uint8_t pieces[CCA_TOKEN_MAX];
        size_t pieces_len;
        uint8_t first[CCA_TOKEN_MAX];   /* the token before a "keep" entry (x[0] == 1) */
        size_t first_len;
        uint64_t fetch_status;
        unsigned fetch_calls;
        bool finished;
};

static void smc(struct ccada_cpu *cpu, struct call *c)
{
        struct smc_regs r = { .x = { 0 } };
        memcpy(r.x, c->x, sizeof(c->x));
        cpu_smc(cpu, &r);
        c->out0 = r.x[0], c->out1 = r.x[1];
}

static void fetch(struct realm_kernel *k, struct ccada_cpu *cpu)
{
        uint8_t page[GRANULE_SIZE];
        k->token_len = 0;
        for (;;) {
                uint64_t off = 0, status;
                do {
                        struct call c = { .x = { RSI_ATTESTATION_TOKEN_CONTINUE, BUF_IPA, off, GRANULE_SIZE - off } };
                        smc(cpu, &c);
                        k->fetch_calls++;
                        status = c.out0;
                        if (status == RSI_SUCCESS || status == RSI_INCOMPLETE)
                                off += c.out1;
                } while (status == RSI_INCOMPLETE && off < GRANULE_SIZE);
                k->fetch_status = status;
                if (status != RSI_SUCCESS && status != RSI_INCOMPLETE)
                        return;
                if (k->token_len + off > sizeof(k->token) || cpu_load(cpu, BUF_IPA, page, off) != CPU_OK) {
                        k->fetch_status = ~0ULL;
                        return;
                }
                memcpy(k->token + k->token_len, page, off);
                k->token_len += off;
                if (status == RSI_SUCCESS)
                        return;
        }
}

static void prog(struct realm_kernel *k, struct ccada_cpu *cpu, uint64_t pc, const uint64_t *x)
{
        for (unsigned i = 0; i < k->n; i++) {
                if (k->calls[i].x[0] == 0)
                        fetch(k, cpu);
                else if (k->calls[i].x[0] == 1)
                        memcpy(k->first, k->token, k->first_len = k->token_len);
                else
                        smc(cpu, &k->calls[i]);
                struct call *c = &k->calls[i];
                if (c->capture && (c->out0 == RSI_SUCCESS || c->out0 == RSI_INCOMPLETE) &&
                    k->pieces_len + c->out1 <= sizeof(k->pieces) &&
                    cpu_load(cpu, BUF_IPA + c->x[2], k->pieces + k->pieces_len, c->out1) == CPU_OK)
                        k->pieces_len += c->out1;
        }
        k->finished = true;
}

static void challenge_regs(uint64_t x[9], uint8_t seed)
{
        uint8_t ch[64];
        for (unsigned i = 0; i < 64; i++)
                ch[i] = (uint8_t)(seed + i);
        x[0] = RSI_ATTESTATION_TOKEN_INIT;
        for (unsigned i = 0; i < 8; i++)
                x[1 + i] = ld_le64(ch + 8 * i);
}

static unsigned add_init(struct realm_kernel *k, uint8_t seed)
{
        assert_true(k->n < MAXC);
        challenge_regs(k->calls[k->n].x, seed);
        return k->n++;
}

static unsigned add_continue(struct realm_kernel *k, uint64_t addr, uint64_t off, uint64_t size)
{
        assert_true(k->n < MAXC);
        k->calls[k->n] = (struct call){ .x = { RSI_ATTESTATION_TOKEN_CONTINUE, addr, off, size } };
        return k->n++;
}

static unsigned add_call(struct realm_kernel *k, uint64_t fid, uint64_t a1)
{
        assert_true(k->n < MAXC);
        k->calls[k->n] = (struct call){ .x = { fid, a1 } };
        return k->n++;
}

static void add_fetch(struct realm_kernel *k)
{
        assert_true(k->n < MAXC);
        k->calls[k->n++] = (struct call){ .x = { 0 } };
}

struct fx {
        struct hrealm r;
        uint64_t rec, run;
        struct realm_kernel *k;
};

static void fx_init(struct host *h, struct fx *f)
{
        memset(f, 0, sizeof(*f));
        f->k = calloc(1, sizeof(*f->k));
        assert_non_null(f->k);
        host_realm_setup(h, &f->r, &f->rec);
        host_activate(h, &f->r);
        host_set_program(h, prog, f->k);
        f->run = host_run_alloc(h);
}

static void run(struct host *h, struct fx *f)
{
        assert_int_equal(host_rec_enter(h, f->rec, f->run), RMI_SUCCESS);
        assert_int_equal(run_exit_reason(h, f->run), RMI_EXIT_PSCI);
        assert_int_equal(run_exit_gpr(h, f->run, 0), PSCI_CPU_OFF);
        assert_true(f->k->finished);
}

/* The token decoded, with both signatures checked: the platform's with the IAK the RMM
 * exports, the realm's with the RAK its own claim carries. */
struct decoded {
        struct cca_collection col;
        struct cose_sign1 plat, realm;
        struct cca_platform_claims pc;
        struct cca_realm_claims rc;
};

static struct decoded *decode_and_verify(struct host *h, const uint8_t *tok, size_t len)
{
        struct decoded *d = calloc(1, sizeof(*d));
        char why[CCA_WHY_LEN], ewhy[EC_WHY_LEN], rwhy[RMM_ATTEST_WHY_LEN];
        uint8_t tbs[CCA_SUBTOKEN_MAX + 64], point[97], digest[32];
        size_t tbs_len;
        char *pem;
        struct ec_key *iak, *rak;

        assert_non_null(d);
        assert_true(cca_collection_decode(tok, len, &d->col, why));
        assert_true(cose_sign1_decode(d->col.platform, d->col.platform_len, &d->plat, why));
        assert_true(cose_sign1_decode(d->col.realm, d->col.realm_len, &d->realm, why));
        assert_int_equal(d->plat.alg, COSE_ALG_ES384);
        assert_int_equal(d->realm.alg, COSE_ALG_ES384);
        assert_true(cca_platform_claims_decode(d->plat.payload, d->plat.payload_len, &d->pc, why));
        assert_true(cca_realm_claims_decode(d->realm.payload, d->realm.payload_len, &d->rc, why));

        assert_true(rmm_attest_iak_public_pem(h->rmm, &pem, rwhy));
        assert_true(ec_key_from_pem(&iak, pem, strlen(pem), ewhy));
        free(pem);
        assert_true(cose_sign1_tbs_encode(d->plat.alg, d->plat.payload, d->plat.payload_len, tbs, sizeof(tbs), &tbs_len));
        assert_true(ec_verify(iak, HASH_SHA384, tbs, tbs_len, d->plat.sig, d->plat.sig_len));
        ec_key_free(iak);

        assert_true(cca_rak_point(&d->rc, point, why));
        assert_true(ec_key_from_point(&rak, EC_P384, point, sizeof(point)));
        assert_true(cose_sign1_tbs_encode(d->realm.alg, d->realm.payload, d->realm.payload_len, tbs, sizeof(tbs), &tbs_len));
        assert_true(ec_verify(rak, HASH_SHA384, tbs, tbs_len, d->realm.sig, d->realm.sig_len));
        ec_key_free(rak);

        assert_true(hash_once(HASH_SHA256, d->rc.rak, d->rc.rak_len, digest)); /* the binding, A7.2.3.2 */
        assert_int_equal(d->pc.challenge_len, 32);
        assert_memory_equal(d->pc.challenge, digest, 32);
        return d;
}

static void expect_challenge(const struct decoded *d, uint8_t seed)
{
        for (unsigned i = 0; i < 64; i++)
                assert_int_equal(d->rc.challenge[i], (uint8_t)(seed + i));
}

/* ---- the token ---- */

static void rsi_attestation_token_carries_challenge_rpv_and_measurements_signed_and_bound(void **state)
{
        struct host *h = *state;
        struct fx f;
        fx_init(h, &f);
        unsigned init = add_init(f.k, 0x40);
        unsigned rim = add_call(f.k, RSI_MEASUREMENT_READ, 0);
        add_fetch(f.k);
        run(h, &f);
        assert_int_equal(f.k->calls[init].out0, RSI_SUCCESS);
        assert_int_equal(f.k->calls[init].out1, CCA_TOKEN_MAX); /* the upper bound */
        assert_int_equal(f.k->fetch_status, RSI_SUCCESS);
        assert_true(f.k->token_len > 1000 && f.k->token_len <= CCA_TOKEN_MAX);

        struct decoded *d = decode_and_verify(h, f.k->token, f.k->token_len);
        assert_int_equal(d->col.form, CCA_FORM_399);
        expect_challenge(d, 0x40);
        for (unsigned i = 0; i < 64; i++)
                assert_int_equal(d->rc.rpv[i], 0xA0 + i); /* the harness's RPV */
        assert_string_equal(d->rc.hash_algo, "sha-256");
        assert_string_equal(d->rc.rak_hash_algo, "sha-256");
        assert_false(d->rc.has_profile);
        assert_int_equal(d->rc.rak_len, 97); /* TF-RMM v1.0: the raw point */
        assert_int_equal(d->rc.meas_len, 32);
        assert_memory_equal(&f.k->calls[rim].out1, d->rc.rim, 8); /* X1: the RIM's first doubleword */
        assert_string_equal(d->pc.profile, CCA_PLAT_PROFILE_LEGACY);
        assert_int_equal(d->pc.lifecycle, 0x3000);
        assert_int_equal(d->pc.instance_id[0], 0x01);
        assert_int_equal(d->pc.nsw, 4);
        free(d);
        free(f.k);
}

static void rsi_attestation_token_of_a_sha512_realm_has_64_byte_measurements(void **state)
{
        struct host *h = *state;
        struct fx f;
        memset(&f, 0, sizeof(f));
        f.k = calloc(1, sizeof(*f.k));
        host_realm_new_hash(h, &f.r, RMI_HASH_SHA_512);
        host_rtts_l3(h, &f.r, 0);
        host_init_ripas(h, &f.r, 0, 0x2000);
        (void)host_data_create(h, &f.r, BUF_IPA, 0, 0);
        f.rec = host_rec_create(h, &f.r, 0);
        host_activate(h, &f.r);
        host_set_program(h, prog, f.k);
        f.run = host_run_alloc(h);
        add_init(f.k, 1);
        add_fetch(f.k);
        run(h, &f);
        assert_int_equal(f.k->fetch_status, RSI_SUCCESS);
        struct decoded *d = decode_and_verify(h, f.k->token, f.k->token_len);
        assert_string_equal(d->rc.hash_algo, "sha-512");
        assert_int_equal(d->rc.meas_len, 64);
        free(d);
        free(f.k);
}

/* The measurements are those of INIT's time: an extension after INIT shows in the next
 * token, not this one. */
static void rsi_attestation_token_init_captures_the_measurements_of_its_time(void **state)
{
        struct host *h = *state;
        struct fx f;
        static const uint8_t zero[64];
        fx_init(h, &f);
        add_init(f.k, 2);
        f.k->calls[f.k->n++] = (struct call){ .x = { RSI_MEASUREMENT_EXTEND, 1, 8, 0x1122334455667788ULL } };
        add_fetch(f.k);
        f.k->calls[f.k->n++] = (struct call){ .x = { 1 } }; /* keep it */
        add_init(f.k, 2);
        add_fetch(f.k);
        run(h, &f);
        struct decoded *d1 = decode_and_verify(h, f.k->first, f.k->first_len);
        struct decoded *d2 = decode_and_verify(h, f.k->token, f.k->token_len);
        assert_memory_equal(d1->rc.rem[0], zero, 32); /* extended after INIT */
        assert_memory_not_equal(d2->rc.rem[0], zero, 32);
        assert_memory_equal(d1->rc.rim, d2->rc.rim, 32);
        free(d1);
        free(d2);
        free(f.k);
}

/* ---- the state machine ---- */

static void rsi_attestation_token_continue_without_init_fails_error_state(void **state)
{
        struct host *h = *state;
        struct fx f;
        fx_init(h, &f);
        unsigned c = add_continue(f.k, BUF_IPA, 0, GRANULE_SIZE);
        run(h, &f);
        assert_int_equal(f.k->calls[c].out0, RSI_ERROR_STATE);
        assert_int_equal(f.k->calls[c].out1, 0);
        free(f.k);
}

static void rsi_attestation_token_success_ends_the_generation(void **state)
{
        struct host *h = *state;
        struct fx f;
        fx_init(h, &f);
        add_init(f.k, 3);
        add_fetch(f.k);
        unsigned c = add_continue(f.k, BUF_IPA, 0, GRANULE_SIZE);
        run(h, &f);
        assert_int_equal(f.k->fetch_status, RSI_SUCCESS);
        assert_int_equal(f.k->calls[c].out0, RSI_ERROR_STATE);
        free(f.k);
}

static void rsi_attestation_token_init_restarts_a_generation_in_progress(void **state)
{
        struct host *h = *state;
        struct fx f;
        fx_init(h, &f);
        add_init(f.k, 4);
        unsigned part = add_continue(f.k, BUF_IPA, 0, 100);
        add_init(f.k, 9);
        add_fetch(f.k);
        run(h, &f);
        assert_int_equal(f.k->calls[part].out0, RSI_INCOMPLETE);
        assert_int_equal(f.k->calls[part].out1, 100);
        assert_int_equal(f.k->fetch_status, RSI_SUCCESS);
        struct decoded *d = decode_and_verify(h, f.k->token, f.k->token_len);
        expect_challenge(d, 9); /* the second challenge, from the first byte */
        free(d);
        free(f.k);
}

/* B5.3.1.2: each input failure leaves the generation where it was. */
static void rsi_attestation_token_continue_rejects_bad_address_offset_and_size(void **state)
{
        struct host *h = *state;
        struct fx f;
        fx_init(h, &f);
        add_init(f.k, 5);
        unsigned bad[] = {
                add_continue(f.k, BUF_IPA + 8, 0, 16),                  /* addr_align */
                add_continue(f.k, H_UNPROT_BASE, 0, 16),                /* addr_bound */
                add_continue(f.k, BUF_IPA, GRANULE_SIZE, 0),            /* offset_bound */
                add_continue(f.k, BUF_IPA, 16, ~0ULL - 8),              /* size_overflow */
                add_continue(f.k, BUF_IPA, 4000, 97),                   /* size_bound */
        };
        add_fetch(f.k);
        run(h, &f);
        for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                assert_int_equal(f.k->calls[bad[i]].out0, RSI_ERROR_INPUT);
                assert_int_equal(f.k->calls[bad[i]].out1, 0);
        }
        assert_int_equal(f.k->fetch_status, RSI_SUCCESS);
        struct decoded *d = decode_and_verify(h, f.k->token, f.k->token_len);
        expect_challenge(d, 5);
        free(d);
        free(f.k);
}

/* The token read whole (one granule) against the same token read in pieces at many
 * offsets and sizes, including size 0 and the last byte of the granule. */
static void rsi_attestation_token_continue_writes_at_every_offset_the_same_bytes(void **state)
{
        struct host *h = *state;
        struct fx f;
        fx_init(h, &f);
        add_init(f.k, 6);
        static const uint64_t offs[] = { 0, 1, 7, 511, 1000, 2047, 2048, 3333, 4000, 4095 };
        static const uint64_t sizes[] = { 1, 0, 63, 2, 300, 1, 47, 200, 96, 1 }; /* 711 < the token */
        unsigned idx[10];
        for (unsigned i = 0; i < 10; i++) {
                idx[i] = add_continue(f.k, BUF_IPA, offs[i], sizes[i]);
                f.k->calls[idx[i]].capture = true;
        }
        add_fetch(f.k); /* the rest, from offset 0 */
        run(h, &f);
        size_t got = 0;
        for (unsigned i = 0; i < 10; i++) {
                assert_int_equal(f.k->calls[idx[i]].out0, RSI_INCOMPLETE);
                assert_int_equal(f.k->calls[idx[i]].out1, sizes[i]);
                got += sizes[i];
        }
        assert_int_equal(f.k->fetch_status, RSI_SUCCESS);
        assert_int_equal(f.k->pieces_len, got);
        /* The pieces are the token's first bytes, the fetch the rest: together, the token. */
        uint8_t *whole = malloc(got + f.k->token_len);
        assert_non_null(whole);
        memcpy(whole, f.k->pieces, got);
        memcpy(whole + got, f.k->token, f.k->token_len);
        struct decoded *d = decode_and_verify(h, whole, got + f.k->token_len);
        expect_challenge(d, 6);
        free(d);
        free(whole);
        free(f.k);
}

static void rsi_attestation_token_in_cmw_form_with_realm_profile_verifies(void **state)
{
        struct host *h = *state;
        struct rmm_config cfg;
        struct fx f;
        host_fini(h);
        rmm_config_default(&cfg);
        cfg.token_profile = true;
        cfg.token_form = CCA_FORM_907;
        host_init_cfg(h, &cfg);
        fx_init(h, &f);
        add_init(f.k, 7);
        add_fetch(f.k);
        run(h, &f);
        assert_int_equal(f.k->fetch_status, RSI_SUCCESS);
        struct decoded *d = decode_and_verify(h, f.k->token, f.k->token_len);
        assert_int_equal(d->col.form, CCA_FORM_907);
        assert_true(d->rc.has_profile);
        assert_int_equal(d->rc.rak_len, 107); /* COSE_Key of a P-384 point */
        assert_string_equal(d->pc.profile, CCA_PLAT_PROFILE_1_0);
        free(d);
        free(f.k);
}

static void rsi_attestation_keys_derive_from_the_seed(void **state)
{
        struct host *h = *state;
        struct rmm_config cfg;
        char *a, *b, *c, why[RMM_ATTEST_WHY_LEN];
        assert_true(rmm_attest_iak_public_pem(h->rmm, &a, why));
        host_fini(h);
        host_init(h);
        assert_true(rmm_attest_iak_public_pem(h->rmm, &b, why));
        host_fini(h);
        rmm_config_default(&cfg);
        cfg.seed = 2;
        host_init_cfg(h, &cfg);
        assert_true(rmm_attest_iak_public_pem(h->rmm, &c, why));
        assert_string_equal(a, b);
        assert_string_not_equal(a, c);
        free(a);
        free(b);
        free(c);
}

static void rsi_attestation_uses_a_given_iak_and_refuses_a_public_one(void **state)
{
        struct host *h = *state;
        struct rmm_config cfg;
        struct ec_key *k;
        char *priv, *pub, *got, why[RMM_ATTEST_WHY_LEN];
        assert_true(ec_key_generate(&k, EC_P384));
        assert_true(ec_key_private_pem(k, &priv));
        assert_true(ec_key_public_pem(k, &pub));
        host_fini(h);
        rmm_config_default(&cfg);
        cfg.iak_pem = priv;
        host_init_cfg(h, &cfg);
        secure_zero(priv, strlen(priv)); /* the RMM kept its own copy */
        free(priv);
        assert_true(rmm_attest_iak_public_pem(h->rmm, &got, why));
        assert_string_equal(got, pub);
        free(got);

        host_fini(h);
        cfg.iak_pem = pub;
        host_init_cfg(h, &cfg);
        assert_false(rmm_attest_iak_public_pem(h->rmm, &got, why));
        assert_non_null(strstr(why, "cannot sign"));
        struct fx f;
        fx_init(h, &f);
        unsigned init = add_init(f.k, 8);
        unsigned c = add_continue(f.k, BUF_IPA, 0, GRANULE_SIZE);
        unsigned after = add_continue(f.k, BUF_IPA, 0, GRANULE_SIZE);
        run(h, &f);
        assert_int_equal(f.k->calls[init].out0, RSI_SUCCESS); /* INIT has no failure conditions */
        assert_int_equal(f.k->calls[c].out0, RSI_ERROR_UNKNOWN);
        assert_int_equal(f.k->calls[after].out0, RSI_ERROR_STATE); /* that generation is over */
        free(f.k);
        free(pub);
        ec_key_free(k);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                T(rsi_attestation_token_carries_challenge_rpv_and_measurements_signed_and_bound),
                T(rsi_attestation_token_of_a_sha512_realm_has_64_byte_measurements),
                T(rsi_attestation_token_init_captures_the_measurements_of_its_time),
                T(rsi_attestation_token_continue_without_init_fails_error_state),
                T(rsi_attestation_token_success_ends_the_generation),
                T(rsi_attestation_token_init_restarts_a_generation_in_progress),
                T(rsi_attestation_token_continue_rejects_bad_address_offset_and_size),
                T(rsi_attestation_token_continue_writes_at_every_offset_the_same_bytes),
                T(rsi_attestation_token_in_cmw_form_with_realm_profile_verifies),
                T(rsi_attestation_keys_derive_from_the_seed),
                T(rsi_attestation_uses_a_given_iak_and_refuses_a_public_one),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
