/* HTTP/1.1 client messages: endpoint URLs, request heads, response heads from a hostile
 * server.  RFC 9110, RFC 9112 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "proto/http.h"

static enum http_parse parse(const char *head, struct http_response *r, char *why)
{
        return http_response_head((const uint8_t *)head, strlen(head), r, why);
}

static void http_url_parse_takes_ipv4_host_port_and_path(void **state)
{
        struct http_url u;
        char why[HTTP_WHY_LEN];
        (void)state;
        assert_true(http_url_parse("http://10.0.2.2:8088/keys/v1/evidence/42", &u, why));
        assert_memory_equal(u.ip, ((uint8_t[4]){ 10, 0, 2, 2 }), 4);
        assert_int_equal(u.port, 8088);
        assert_string_equal(u.host, "10.0.2.2:8088");
        assert_string_equal(u.path, "/keys/v1/evidence/42");
        assert_false(u.tls);
        assert_true(http_url_parse("https://10.0.2.2/x", &u, why));
        assert_true(u.tls);
        assert_int_equal(u.port, 443);
        assert_string_equal(u.host, "10.0.2.2");
        assert_true(http_url_parse("https://10.0.2.2:8443", &u, why));
        assert_string_equal(u.host, "10.0.2.2:8443");
        assert_true(http_url_parse("http://192.168.1.200", &u, why));
        assert_int_equal(u.port, 80);
        assert_string_equal(u.host, "192.168.1.200");
        assert_string_equal(u.path, "/");
}

static void http_url_parse_refuses_what_it_cannot_reach_and_says_why(void **state)
{
        static const struct { const char *url, *why; } bad[] = {
                { "ftp://10.0.2.2/", "not an http:// or https:// URL" },
                { "http://kbs.example/", "IPv4 address" },
                { "http://10.0.2/", "IPv4 address" },
                { "http://10.0.2.256/", "IPv4 address" },
                { "http://10.0.2.2.5/", "IPv4 address" },
                { "http://10.0.2.0002/", "IPv4 address" },
                { "http://10.0.2.2:0/", "port must be" },
                { "http://10.0.2.2:65536/", "port must be" },
                { "http://10.0.2.2:/", "port must be" },
                { "http://10.0.2.2?x", "query or fragment" },
                { "http://10.0.2.2/a b", "space or a control character" },
        };
        struct http_url u;
        (void)state;
        assert_false(http_url_parse(NULL, &u, (char[HTTP_WHY_LEN]){ 0 }));
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char why[HTTP_WHY_LEN] = "";
                assert_false(http_url_parse(bad[i].url, &u, why));
                if (!strstr(why, bad[i].why))
                        fail_msg("%s: '%s', not '%s'", bad[i].url, why, bad[i].why);
        }
}

static void http_request_head_has_the_fields_a_server_needs(void **state)
{
        struct http_url u;
        char why[HTTP_WHY_LEN], out[512];
        (void)state;
        assert_true(http_url_parse("http://10.0.2.2:8088", &u, why));
        size_t n = http_request_head(out, sizeof(out), "POST", &u, "/keys/v1/key/skywalker", "application/json", 42);
        assert_int_equal(n, strlen(out));
        assert_string_equal(out, "POST /keys/v1/key/skywalker HTTP/1.1\r\nHost: 10.0.2.2:8088\r\nAccept: */*\r\n"
                                 "Content-Type: application/json\r\nContent-Length: 42\r\nConnection: close\r\n\r\n");
        assert_int_equal(http_request_head(out, 40, "POST", &u, "/", NULL, 0), 0); /* does not fit */
        assert_int_equal(http_request_head(out, sizeof(out), "POST", &u, "/x\r\nEvil: 1", NULL, 0), 0);
        assert_int_equal(http_request_head(out, sizeof(out), "POST", &u, "/", "a\nb", 0), 0);
}

static void http_response_head_reads_status_location_type_and_length(void **state)
{
        struct http_response r;
        char why[HTTP_WHY_LEN];
        const char *head = "HTTP/1.1 201 Created\r\nlocation: http://10.0.2.2:8088/keys/v1/evidence/7\r\n"
                           "Content-Type:application/json \r\nCONTENT-LENGTH: 17\r\n\r\n{\"challenge\":\"\"}";
        (void)state;
        assert_int_equal(parse(head, &r, why), HTTP_PARSE_OK);
        assert_int_equal(r.status, 201);
        assert_string_equal(r.location, "http://10.0.2.2:8088/keys/v1/evidence/7");
        assert_string_equal(r.content_type, "application/json");
        assert_true(r.has_length);
        assert_int_equal(r.content_length, 17);
        assert_int_equal(r.head_len, strlen(head) - strlen("{\"challenge\":\"\"}"));
        assert_int_equal(parse("HTTP/1.0 403\r\n\r\n", &r, why), HTTP_PARSE_OK); /* no reason phrase */
        assert_int_equal(r.status, 403);
        assert_false(r.has_length);
}

static void http_response_head_wants_more_until_the_blank_line(void **state)
{
        static const char head[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n";
        struct http_response r;
        char why[HTTP_WHY_LEN];
        (void)state;
        for (size_t n = 0; n + 1 < sizeof(head) - 1; n++)
                assert_int_equal(http_response_head((const uint8_t *)head, n, &r, why), HTTP_PARSE_MORE);
        assert_int_equal(http_response_head((const uint8_t *)head, sizeof(head) - 1, &r, why), HTTP_PARSE_OK);
}

static void http_response_head_refuses_malformed_heads_and_says_why(void **state)
{
        static const struct { const char *head, *why; } bad[] = {
                { "HTTP/2 200 OK\r\n\r\n", "status line" },
                { "HTTP/1.1 20 OK\r\n\r\n", "status line" },
                { "HTTP/1.1 099 X\r\n\r\n", "status line" },
                { "HTTP/1.1 200OK\r\n\r\n", "status line" },
                { "HTTP/1.1 200 OK\r\nX: 1\r\n Y\r\n\r\n", "line folding" },
                { "HTTP/1.1 200 OK\r\n: v\r\n\r\n", "without a name" },
                { "HTTP/1.1 200 OK\r\nNo-colon\r\n\r\n", "without a name" },
                { "HTTP/1.1 200 OK\r\nBad Name: v\r\n\r\n", "not allowed there" },
                { "HTTP/1.1 200 OK\r\nX: a\x01b\r\n\r\n", "control character" },
                { "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n", "not a number" },
                { "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "not a number" },
                { "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n", "not a number" },
                { "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "two different" },
                { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "chunked" },
                { "HTTP/1.1 200 OK\nX: 1\r\n\r\n", "bare CR, LF" },
                { "HTTP/1.1 200 OK\r\nX: 1\r2\r\n\r\n", "bare CR, LF" },
        };
        struct http_response r;
        (void)state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char why[HTTP_WHY_LEN] = "";
                assert_int_equal(parse(bad[i].head, &r, why), HTTP_PARSE_ERROR);
                if (!strstr(why, bad[i].why))
                        fail_msg("%s: '%s', not '%s'", bad[i].head, why, bad[i].why);
        }
}

static void http_response_head_refuses_long_location_and_endless_heads(void **state)
{
        static uint8_t big[HTTP_MAX_HEAD + 10];
        char loc[400], why[HTTP_WHY_LEN];
        struct http_response r;
        (void)state;
        snprintf(loc, sizeof(loc), "HTTP/1.1 201 Created\r\nLocation: http://10.0.2.2/%0300d\r\n\r\n", 0);
        assert_int_equal(parse(loc, &r, why), HTTP_PARSE_ERROR);
        assert_non_null(strstr(why, "Location field is too long"));
        memset(big, 'a', sizeof(big));
        memcpy(big, "HTTP/1.1 200 OK\r\nX: ", 20);
        assert_int_equal(http_response_head(big, sizeof(big), &r, why), HTTP_PARSE_ERROR);
        assert_non_null(strstr(why, "longer than 8192"));
        assert_int_equal(http_response_head(big, HTTP_MAX_HEAD - 1, &r, why), HTTP_PARSE_MORE);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(http_url_parse_takes_ipv4_host_port_and_path),
                cmocka_unit_test(http_url_parse_refuses_what_it_cannot_reach_and_says_why),
                cmocka_unit_test(http_request_head_has_the_fields_a_server_needs),
                cmocka_unit_test(http_response_head_reads_status_location_type_and_length),
                cmocka_unit_test(http_response_head_wants_more_until_the_blank_line),
                cmocka_unit_test(http_response_head_refuses_malformed_heads_and_says_why),
                cmocka_unit_test(http_response_head_refuses_long_location_and_endless_heads),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
