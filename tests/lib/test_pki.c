/* src/lib/pki.c: the device model's test PKI. Its certificates' fields, extensions and
 * signatures are read by Python's cryptography in pki_check.py (ctest
 * lib_pki_checks_with_python_cryptography); here: that x509_chain_verify (OpenSSL's path
 * validation) accepts what pki_make makes against its own root only, that seeded keys repeat,
 * and that bad parameters are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lib/pki.h"
#include "lib/x509_chain.h"

static const time_t jan_2026 = 1767225600, jan_2036 = 2082758400, dec_2026 = 1796169600;

static struct pki make(const uint8_t *seed, size_t seed_len)
{
        struct pki_params p = { .not_before = jan_2026, .not_after = jan_2036, .seed = seed, .seed_len = seed_len };
        struct pki pki;
        char why[PKI_WHY_LEN] = "";
        if (!pki_make(&p, &pki, why))
                fail_msg("pki_make: %s", why);
        return pki;
}

static void pki_make_gives_a_chain_x509_chain_verify_accepts(void **state)
{
        struct pki pki = make(NULL, 0);
        struct x509_chain_result r;
        char why[X509_CHAIN_WHY_LEN] = "";
        uint8_t a[EC_POINT_MAX], b[EC_POINT_MAX], sig[EC_SIG_MAX];
        size_t na = 0, nb = 0, ns = 0;
        (void)state;
        assert_int_equal(pki.chain_len, pki.root_len + pki.intermediate_len + pki.leaf_len);
        assert_memory_equal(pki.chain, pki.root, pki.root_len);
        assert_memory_equal(pki.chain + pki.chain_len - pki.leaf_len, pki.leaf, pki.leaf_len);
        if (!x509_chain_verify(pki.chain, pki.chain_len, pki.root, pki.root_len, dec_2026, &r, why))
                fail_msg("%s", why);
        assert_int_equal(r.count, 3);
        assert_string_equal(r.leaf_subject, PKI_DEFAULT_LEAF);
        assert_string_equal(r.root_subject, PKI_DEFAULT_ROOT);
        assert_true(ec_key_point(r.leaf_key, a, sizeof(a), &na) && ec_key_point(pki.leaf_key, b, sizeof(b), &nb));
        assert_int_equal(na, 97);
        assert_memory_equal(a, b, 97);
        /* the leaf's private key signs what the chain's leaf key verifies */
        assert_true(ec_sign(pki.leaf_key, HASH_SHA384, (const uint8_t *)"m", 1, sig, sizeof(sig), &ns));
        assert_true(ec_verify(r.leaf_key, HASH_SHA384, (const uint8_t *)"m", 1, sig, ns));
        x509_chain_result_clear(&r);
        /* outside the window */
        assert_false(x509_chain_verify(pki.chain, pki.chain_len, pki.root, pki.root_len, jan_2036 + 1, &r, why));
        assert_non_null(strstr(why, "expired"));
        assert_false(x509_chain_verify(pki.chain, pki.chain_len, pki.root, pki.root_len, jan_2026 - 1, &r, why));
        assert_non_null(strstr(why, "not valid until 2026-01-01 00:00:00 UTC"));
        pki_free(&pki);
        assert_null(pki.leaf_key);
        pki_free(NULL);
}

/* With p256: P-256 keys and ecdsa-with-SHA256; every certificate's DER signature in its
 * longest form (72 bytes), so a seeded PKI has the same sizes on every run. */
static void pki_make_p256_gives_a_p256_chain_of_fixed_size(void **state)
{
        struct pki_params p = { .not_before = jan_2026, .not_after = jan_2036, .seed = (const uint8_t *)"s",
                                .seed_len = 1, .p256 = true };
        struct pki a, b;
        struct x509_chain_result r;
        char why[X509_CHAIN_WHY_LEN] = "";
        (void)state;
        assert_true(pki_make(&p, &a, why));
        assert_true(pki_make(&p, &b, why));
        assert_int_equal(ec_key_curve(a.leaf_key), EC_P256);
        assert_int_equal(ec_key_curve(a.root_key), EC_P256);
        if (!x509_chain_verify(a.chain, a.chain_len, a.root, a.root_len, dec_2026, &r, why))
                fail_msg("%s", why);
        assert_int_equal(ec_key_curve(r.leaf_key), EC_P256);
        x509_chain_result_clear(&r);
        assert_int_equal(a.chain_len, b.chain_len);
        assert_int_equal(a.root_len, b.root_len);
        pki_free(&a);
        pki_free(&b);
}

static void pki_make_chains_do_not_verify_against_another_root(void **state)
{
        struct pki a = make(NULL, 0), b = make(NULL, 0);
        struct x509_chain_result r;
        char why[X509_CHAIN_WHY_LEN] = "";
        (void)state;
        /* same subjects, other keys */
        assert_false(x509_chain_verify(a.chain, a.chain_len, b.root, b.root_len, dec_2026, &r, why));
        assert_non_null(strstr(why, "certificate 1 of 3 (CN=ccada test root CA): not issued by the trust anchor"));
        /* and the intermediate and leaf of a under the root of b */
        assert_false(x509_chain_verify(a.chain + a.root_len, a.chain_len - a.root_len, b.root, b.root_len, dec_2026,
                                       &r, why));
        assert_true(x509_chain_verify(a.chain + a.root_len, a.chain_len - a.root_len, a.root, a.root_len, dec_2026,
                                      &r, why));
        x509_chain_result_clear(&r);
        pki_free(&a), pki_free(&b);
}

static void pki_make_with_a_seed_gives_the_same_keys_each_time(void **state)
{
        static const uint8_t seed[] = "ccada device 0";
        struct pki a = make(seed, sizeof(seed)), b = make(seed, sizeof(seed)), c = make(seed, sizeof(seed) - 1);
        struct ec_key *want;
        uint8_t pa[EC_POINT_MAX], pb[EC_POINT_MAX], pc[EC_POINT_MAX], pw[EC_POINT_MAX];
        size_t n = 0;
        (void)state;
        assert_true(ec_key_point(a.leaf_key, pa, sizeof(pa), &n) && ec_key_point(b.leaf_key, pb, sizeof(pb), &n) &&
                    ec_key_point(c.leaf_key, pc, sizeof(pc), &n));
        assert_memory_equal(pa, pb, 97);
        assert_memory_not_equal(pa, pc, 97);
        assert_true(ec_key_derive(&want, EC_P384, seed, sizeof(seed), "ccada pki leaf"));
        assert_true(ec_key_point(want, pw, sizeof(pw), &n));
        assert_memory_equal(pa, pw, 97);
        ec_key_free(want);
        assert_true(ec_key_point(a.root_key, pa, sizeof(pa), &n) && ec_key_point(b.root_key, pb, sizeof(pb), &n));
        assert_memory_equal(pa, pb, 97);
        pki_free(&a), pki_free(&b), pki_free(&c);
}

static void pki_make_uses_the_callers_subjects(void **state)
{
        struct pki_params p = { .root_subject = "CN=Acme root,O=Acme", .intermediate_subject = "CN=Acme ca",
                                .leaf_subject = "CN=widget 42,OU=devices,O=Acme", .not_before = jan_2026,
                                .not_after = jan_2036 };
        struct pki pki;
        struct x509_chain_result r;
        char why[X509_CHAIN_WHY_LEN] = "";
        (void)state;
        assert_true(pki_make(&p, &pki, why));
        assert_true(x509_chain_verify(pki.chain, pki.chain_len, pki.root, pki.root_len, dec_2026, &r, why));
        assert_string_equal(r.leaf_subject, "CN=widget 42,OU=devices,O=Acme");
        assert_string_equal(r.root_subject, "CN=Acme root,O=Acme");
        x509_chain_result_clear(&r);
        pki_free(&pki);
}

static void pki_make_refuses_bad_subjects_and_an_empty_validity_window(void **state)
{
        static const char *const bad[] = { "", "Acme", "CN=", "=x", "CN=a=b", "CN=a,,O=b", "XX=unknown attr",
                                           "CN=a\\,b", "CN=1,CN=2,CN=3,CN=4,CN=5,CN=6,CN=7,CN=8,CN=9" };
        struct pki_params p = { .not_before = jan_2026, .not_after = jan_2036 };
        struct pki pki;
        char why[PKI_WHY_LEN] = "";
        (void)state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                p.leaf_subject = bad[i];
                if (pki_make(&p, &pki, why))
                        fail_msg("subject \"%s\" was accepted", bad[i]);
                assert_null(pki.chain);
                assert_null(pki.root_key);
                assert_non_null(strstr(why, "is not ATTR=value"));
        }
        p.leaf_subject = NULL;
        p.not_after = p.not_before;
        assert_false(pki_make(&p, &pki, why));
        assert_string_equal(why, "not_before must be before not_after");
        p.not_after = jan_2036;
        assert_true(pki_make(&p, &pki, why)); /* the control */
        pki_free(&pki);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(pki_make_gives_a_chain_x509_chain_verify_accepts),
                cmocka_unit_test(pki_make_p256_gives_a_p256_chain_of_fixed_size),
                cmocka_unit_test(pki_make_chains_do_not_verify_against_another_root),
                cmocka_unit_test(pki_make_with_a_seed_gives_the_same_keys_each_time),
                cmocka_unit_test(pki_make_uses_the_callers_subjects),
                cmocka_unit_test(pki_make_refuses_bad_subjects_and_an_empty_validity_window),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
