/* src/device/identity.c: the device's PKI and measurements, made from a seed or read from
 * the files `ccada pki` writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "device/identity.h"
#include "lib/x509_chain.h"

#define DEC_2026 1796169600

static void make_dir(char *dir, size_t n)
{
        snprintf(dir, n, "/tmp/ccada-identity-XXXXXX");
        assert_non_null(mkdtemp(dir));
}

static void remove_dir(const char *dir)
{
        static const char *const names[] = { "root_ca.der", "intermediate_ca.der", "device_leaf.der",
                                             "device_chain.der", "device_leaf_key.pem" };
        char path[512];
        for (size_t i = 0; i < 5; i++) {
                snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
                unlink(path);
        }
        rmdir(dir);
}

static void a_made_identity_chains_to_its_root_and_measures_its_firmware(void **state)
{
        struct dev_identity id;
        struct x509_chain_result xr;
        struct dev_firmware fw = { .version = "2.0.1" };
        char why[DEV_IDENTITY_WHY_LEN] = "";
        (void)state;
        assert_true(dev_identity_make(&id, (const uint8_t *)"seed", 4, &fw, why));
        assert_true(x509_chain_verify(id.chain, id.chain_len, id.root, id.root_len, DEC_2026, &xr, why));
        assert_string_equal(xr.leaf_subject, "CN=ccada device");
        x509_chain_result_clear(&xr);
        assert_int_equal(id.nmeas, 5);
        assert_string_equal(id.fw, "ccada device firmware 2.0.1");
        assert_int_equal(id.meas[4].index, 0xFE);
        assert_true(id.meas[4].raw);
        assert_int_equal(id.mode[12], 0);       /* debug off */
        dev_identity_free(&id);
        fw.debug = true;
        assert_true(dev_identity_make(&id, (const uint8_t *)"seed", 4, &fw, why));
        assert_int_equal(id.mode[12], 0x02);
        assert_string_equal(id.fwcfg, "debug=1 ide=on tdisp=on");
        dev_identity_free(&id);
}

static void written_pki_loads_back_and_is_not_overwritten_without_force(void **state)
{
        char dir[64], why[DEV_IDENTITY_WHY_LEN] = "", path[128];
        struct dev_identity id;
        struct x509_chain_result xr;
        struct stat st;
        (void)state;
        make_dir(dir, sizeof(dir));
        assert_true(dev_identity_write_pki(dir, NULL, 0, false, why));
        snprintf(path, sizeof(path), "%s/device_leaf_key.pem", dir);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        assert_true(dev_identity_load(&id, dir, NULL, why));
        assert_true(x509_chain_verify(id.chain, id.chain_len, id.root, id.root_len, DEC_2026, &xr, why));
        x509_chain_result_clear(&xr);
        dev_identity_free(&id);
        /* a second write refuses, naming the file and the way out, and changes nothing */
        snprintf(path, sizeof(path), "%s/root_ca.der", dir);
        assert_int_equal(stat(path, &st), 0);
        off_t size = st.st_size;
        time_t mtime = st.st_mtime;
        assert_false(dev_identity_write_pki(dir, NULL, 0, false, why));
        assert_non_null(strstr(why, "exists (use --force"));
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_size, size);
        assert_int_equal(st.st_mtime, mtime);
        assert_true(dev_identity_write_pki(dir, NULL, 0, true, why));
        remove_dir(dir);
}

static void loading_names_the_missing_or_mismatched_file(void **state)
{
        char dir[64], why[DEV_IDENTITY_WHY_LEN] = "", path[128];
        struct dev_identity id;
        (void)state;
        make_dir(dir, sizeof(dir));
        assert_false(dev_identity_load(&id, dir, NULL, why));
        assert_non_null(strstr(why, "root_ca.der: No such file"));
        assert_true(dev_identity_write_pki(dir, NULL, 0, false, why));
        /* another PKI's root */
        char other[64];
        make_dir(other, sizeof(other));
        assert_true(dev_identity_write_pki(other, NULL, 0, false, why));
        char from[128];
        snprintf(from, sizeof(from), "%s/root_ca.der", other);
        snprintf(path, sizeof(path), "%s/root_ca.der", dir);
        assert_int_equal(rename(from, path), 0);
        assert_false(dev_identity_load(&id, dir, NULL, why));
        assert_non_null(strstr(why, "does not start with root_ca.der"));
        /* a key file that is not a key */
        snprintf(path, sizeof(path), "%s/device_leaf_key.pem", dir);
        FILE *f = fopen(path, "w");
        fputs("not a key\n", f);
        fclose(f);
        snprintf(from, sizeof(from), "%s/root_ca.der", dir);
        assert_false(dev_identity_load(&id, dir, NULL, why));
        remove_dir(dir);
        remove_dir(other);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(a_made_identity_chains_to_its_root_and_measures_its_firmware),
                cmocka_unit_test(written_pki_loads_back_and_is_not_overwritten_without_force),
                cmocka_unit_test(loading_names_the_missing_or_mismatched_file),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
