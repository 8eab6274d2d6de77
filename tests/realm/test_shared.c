/* src/realm/shared.c: the guest reaches host-controlled memory only through its alias. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "fake_kernel.h"

struct env {
        struct realm_kernel *k;
        uint64_t priv, shared; /* a private page and a decrypted one (canonical IPAs) */
};

static int setup(void **state, bool realm)
{
        struct env *e = calloc(1, sizeof(*e));
        assert_non_null(e);
        e->k = fake_kernel_new(realm);
        assert_int_equal(rk_alloc_pages(e->k, 1, &e->priv), CCADA_OK);
        assert_int_equal(rk_alloc_pages(e->k, 1, &e->shared), CCADA_OK);
        assert_int_equal(rk_set_memory_decrypted(e->k, e->shared, 1), CCADA_OK);
        *state = e;
        return 0;
}

static int setup_realm(void **state) { return setup(state, true); }
static int setup_normal(void **state) { return setup(state, false); }

static int teardown(void **state)
{
        struct env *e = *state;
        assert_int_equal(rk_set_memory_encrypted(e->k, e->shared, 1), CCADA_OK);
        rk_free_pages(e->k, e->shared, 1);
        rk_free_pages(e->k, e->priv, 1);
        fake_kernel_free(e->k);
        free(e);
        return 0;
}

static void rk_shared_access_through_the_alias_reaches_what_the_host_sees(void **state)
{
        struct env *e = *state;
        uint64_t alias = e->shared | rk_shared_bit(e->k);
        uint8_t in[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, out[8], host[8];
        assert_int_equal(rk_shared_write(e->k, alias, in, sizeof(in)), CCADA_OK);
        assert_int_equal(fake_host_read(e->k, alias, host, sizeof(host)), CCADA_OK);
        assert_memory_equal(host, in, sizeof(in));
        assert_int_equal(rk_shared_fill(e->k, alias + 8, 0xEE, 4), CCADA_OK);
        assert_int_equal(rk_shared_read(e->k, alias + 6, out, 4), CCADA_OK);
        assert_memory_equal(out, ((uint8_t[]){ 7, 8, 0xEE, 0xEE }), 4);
        /* a bounce: private -> shared and back */
        assert_int_equal(rk_write(e->k, e->priv, in, sizeof(in)), CCADA_OK);
        assert_int_equal(rk_shared_copy(e->k, alias + 100, e->priv, sizeof(in)), CCADA_OK);
        assert_int_equal(rk_shared_copy(e->k, e->priv + 50, alias + 100, sizeof(in)), CCADA_OK);
        assert_int_equal(rk_read(e->k, e->priv + 50, out, sizeof(out)), CCADA_OK);
        assert_memory_equal(out, in, sizeof(in));
        assert_int_equal(fake_kernel_log_count(e->k, "WARNING"), 0);
}

static void rk_shared_access_to_a_private_ipa_fails_and_warns_without_touching_it(void **state)
{
        struct env *e = *state;
        uint8_t secret[4] = { 0x5E, 0xC2, 0xE7, 0x00 }, buf[4] = { 0 };
        assert_int_equal(rk_write(e->k, e->priv, secret, sizeof(secret)), CCADA_OK);
        assert_int_equal(rk_shared_read(e->k, e->priv, buf, sizeof(buf)), CCADA_E_INVAL);
        assert_int_equal(rk_shared_write(e->k, e->priv, buf, sizeof(buf)), CCADA_E_INVAL);
        assert_int_equal(rk_shared_fill(e->k, e->priv, 0, sizeof(buf)), CCADA_E_INVAL);
        assert_int_equal(rk_shared_copy(e->k, e->priv + 64, e->priv, sizeof(buf)), CCADA_E_INVAL);
        assert_int_equal(fake_kernel_log_count(e->k, "WARNING: rk_shared_"), 4);
        assert_int_equal(rk_read(e->k, e->priv, buf, sizeof(buf)), CCADA_OK);
        assert_memory_equal(buf, secret, sizeof(secret));
        assert_int_equal(rk_read(e->k, e->priv + 64, buf, sizeof(buf)), CCADA_OK);
        assert_memory_equal(buf, ((uint8_t[4]){ 0 }), sizeof(buf));
}

/* A normal VM has no alias: all its memory is the host's, so there is nothing to refuse. */
static void rk_shared_access_in_a_normal_vm_takes_any_ipa(void **state)
{
        struct env *e = *state;
        uint8_t b[4] = { 9, 9, 9, 9 };
        assert_int_equal(rk_shared_write(e->k, e->priv, b, sizeof(b)), CCADA_OK);
        assert_int_equal(rk_shared_read(e->k, e->shared, b, sizeof(b)), CCADA_OK);
        assert_int_equal(fake_kernel_log_count(e->k, "WARNING"), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(rk_shared_access_through_the_alias_reaches_what_the_host_sees,
                                                setup_realm, teardown),
                cmocka_unit_test_setup_teardown(rk_shared_access_to_a_private_ipa_fails_and_warns_without_touching_it,
                                                setup_realm, teardown),
                cmocka_unit_test_setup_teardown(rk_shared_access_in_a_normal_vm_takes_any_ipa, setup_normal,
                                                teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
