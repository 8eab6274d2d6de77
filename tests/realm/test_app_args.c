/* The arguments the Realm's network apps take from the host (HOSTCALL_GET_ARGS), parsed as
 * a shell's argv: keybroker-app's (the real client's flags, plus --pin=) and net-test's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "realm/apps/keybroker_app.h"
#include "realm/apps/net_test.h"

static void keybroker_args_take_the_real_clients_flags(void **state)
{
        struct keybroker_args a;
        char why[160];
        (void)state;
        assert_true(keybroker_parse_args("-v --endpoint http://10.0.2.2:8088 skywalker", &a, why, sizeof(why)));
        assert_true(a.verbose);
        assert_string_equal(a.endpoint, "http://10.0.2.2:8088");
        assert_string_equal(a.key, "skywalker");
        assert_false(a.has_pin);
        assert_true(keybroker_parse_args("  skywalker  ", &a, why, sizeof(why)));
        assert_false(a.verbose);
        assert_string_equal(a.endpoint, KEYBROKER_DEFAULT_ENDPOINT);
        assert_true(keybroker_parse_args("--verbose k.1_-x", &a, why, sizeof(why)));
        assert_string_equal(a.key, "k.1_-x");
}

static void keybroker_args_take_a_pin_of_64_hex_digits(void **state)
{
        struct keybroker_args a;
        char why[160], args[200];
        (void)state;
        snprintf(args, sizeof(args), "--endpoint https://10.0.2.2:8443 --pin=%s skywalker",
                 "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF");
        assert_true(keybroker_parse_args(args, &a, why, sizeof(why)));
        assert_true(a.has_pin);
        assert_int_equal(a.pin[0], 0x00);
        assert_int_equal(a.pin[1], 0x11);
        assert_int_equal(a.pin[31], 0xFF);
        assert_false(keybroker_parse_args("--pin=0011 skywalker", &a, why, sizeof(why)));
        assert_non_null(strstr(why, "64 hex digits"));
        snprintf(args, sizeof(args), "--pin=%064d skywalker", 0);
        args[6] = 'g';
        assert_false(keybroker_parse_args(args, &a, why, sizeof(why)));
}

static void keybroker_args_refuse_what_the_client_would_and_say_why(void **state)
{
        static const struct { const char *args, *why; } bad[] = {
                { "", "no key name" },
                { "-v", "no key name" },
                { "--endpoint", "--endpoint needs a URL" },
                { "-m skywalker", "unknown option '-m'" },
                { "a b", "one key name only" },
                { "sky/walker", "letters, digits" },
                { "sky%2fwalker", "letters, digits" },
        };
        struct keybroker_args a;
        (void)state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char why[160] = "";
                assert_false(keybroker_parse_args(bad[i].args, &a, why, sizeof(why)));
                if (!strstr(why, bad[i].why))
                        fail_msg("'%s': '%s', not '%s'", bad[i].args, why, bad[i].why);
        }
        char long_key[100];
        memset(long_key, 'k', sizeof(long_key) - 1);
        long_key[sizeof(long_key) - 1] = '\0';
        char why[160];
        assert_false(keybroker_parse_args(long_key, &a, why, sizeof(why)));
}

static void net_test_args_take_port_and_size(void **state)
{
        uint16_t port;
        uint64_t bytes;
        char why[128];
        (void)state;
        assert_true(net_test_parse_args("port=18080", &port, &bytes, why, sizeof(why)));
        assert_int_equal(port, 18080);
        assert_int_equal(bytes, NET_TEST_DEFAULT_BYTES);
        assert_true(net_test_parse_args("bytes=4M port=1", &port, &bytes, why, sizeof(why)));
        assert_int_equal(bytes, 4u << 20);
        assert_false(net_test_parse_args("bytes=1", &port, &bytes, why, sizeof(why)));
        assert_non_null(strstr(why, "no port=P"));
        assert_false(net_test_parse_args("port=0", &port, &bytes, why, sizeof(why)));
        assert_false(net_test_parse_args("port=65536", &port, &bytes, why, sizeof(why)));
        assert_false(net_test_parse_args("port=1 bytes=65M", &port, &bytes, why, sizeof(why)));
        assert_false(net_test_parse_args("port=1 size=1", &port, &bytes, why, sizeof(why)));
        assert_non_null(strstr(why, "unknown argument 'size=1'"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(keybroker_args_take_the_real_clients_flags),
                cmocka_unit_test(keybroker_args_take_a_pin_of_64_hex_digits),
                cmocka_unit_test(keybroker_args_refuse_what_the_client_would_and_say_why),
                cmocka_unit_test(net_test_args_take_port_and_size),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
