/* Test helper: the recorded DMTF emulator session (tests/kat/spdm12-emu-session, read from the
 * source tree through SPDM_KAT_DIR) and a walk over its SPDM messages that checks each codec
 * against the recording. Include after <cmocka.h>. */
#ifndef CCADA_TESTS_PROTO_SPDM_KAT_H
#define CCADA_TESTS_PROTO_SPDM_KAT_H

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spdm_any.h"

#ifndef SPDM_KAT_DIR
#error "SPDM_KAT_DIR must name tests/kat/spdm12-emu-session"
#endif

#define SPDM_KAT_MSG_MAX 4096

struct spdm_kat {
        json_t *doe; /* doe_objects.json */
        json_t *kat; /* kat.json */
        json_t *objects;
};

static inline json_t *spdm_kat_load_file(const char *name)
{
        char path[512];
        json_error_t err;
        (void)snprintf(path, sizeof(path), "%s/%s", SPDM_KAT_DIR, name);
        json_t *j = json_load_file(path, JSON_ALLOW_NUL, &err); /* psk_hint ends in NUL */
        if (!j)
                fprintf(stderr, "%s: %s (line %d)\n", path, err.text, err.line);
        return j;
}

static inline int spdm_kat_open(struct spdm_kat *k)
{
        k->doe = spdm_kat_load_file("doe_objects.json");
        k->kat = spdm_kat_load_file("kat.json");
        k->objects = k->doe ? json_object_get(k->doe, "objects") : NULL;
        return k->doe && k->kat && json_is_array(k->objects) ? 0 : -1;
}

static inline void spdm_kat_close(struct spdm_kat *k)
{
        json_decref(k->doe);
        json_decref(k->kat);
}

/* Hex to bytes: the byte count, or (size_t)-1 for bad hex or no room. */
static inline size_t spdm_kat_unhex(const char *hex, uint8_t *out, size_t cap)
{
        size_t n = strlen(hex);
        if (n % 2 || n / 2 > cap)
                return (size_t)-1;
        for (size_t i = 0; i < n / 2; i++) {
                unsigned v;
                if (sscanf(hex + 2 * i, "%2x", &v) != 1)
                        return (size_t)-1;
                out[i] = (uint8_t)v;
        }
        return n / 2;
}

/* A path like "sessions.0.requester_exchange_data" into a JSON tree. */
static inline json_t *spdm_kat_get(json_t *root, const char *path)
{
        char buf[256], *save = NULL;
        (void)snprintf(buf, sizeof(buf), "%s", path);
        json_t *j = root;
        for (char *part = strtok_r(buf, ".", &save); j && part; part = strtok_r(NULL, ".", &save)) {
                if (json_is_array(j)) {
                        char *end;
                        unsigned long i = strtoul(part, &end, 10);
                        j = *end ? NULL : json_array_get(j, i);
                } else {
                        j = json_object_get(j, part);
                }
        }
        return j;
}

/* The bytes of a hex string at path (asserts it exists). */
static inline size_t spdm_kat_hex(json_t *root, const char *path, uint8_t *out, size_t cap)
{
        json_t *j = spdm_kat_get(root, path);
        assert_non_null(j);
        assert_true(json_is_string(j));
        size_t n = spdm_kat_unhex(json_string_value(j), out, cap);
        assert_true(n != (size_t)-1);
        return n;
}

/* Object idx's SPDM message (plain, or the decrypted one of a secured record); 0 if none. */
static inline size_t spdm_kat_msg(const struct spdm_kat *k, size_t idx, uint8_t *out, size_t cap)
{
        json_t *o = json_array_get(k->objects, idx);
        json_t *s = o ? json_object_get(o, "spdm") : NULL;
        if (!json_is_string(s))
                return 0;
        size_t n = spdm_kat_unhex(json_string_value(s), out, cap);
        assert_true(n != (size_t)-1);
        return n;
}

static inline size_t spdm_kat_pad(const struct spdm_kat *k, size_t idx)
{
        json_t *p = json_object_get(json_array_get(k->objects, idx), "doe_pad");
        return json_is_string(p) ? strlen(json_string_value(p)) / 2 : 0;
}

/* What a response's decoder needs from the request just before it (objects alternate). */
static inline struct spdm_any_ctx spdm_kat_ctx(const struct spdm_kat *k, size_t idx)
{
        struct spdm_any_ctx c = { 0 };
        uint8_t req[SPDM_KAT_MSG_MAX];
        if (idx == 0 || spdm_kat_msg(k, idx - 1, req, sizeof(req)) < 4)
                return c;
        if (req[1] == SPDM_CHALLENGE)
                c.summary_type = req[3];
        else if (req[1] == SPDM_KEY_EXCHANGE)
                c.summary_type = req[2];
        else if (req[1] == SPDM_GET_MEASUREMENTS)
                c.sig_requested = req[2] & SPDM_MEAS_ATTR_SIG_REQUESTED;
        return c;
}

static inline bool spdm_kat_all_zero(const void *p, size_t n)
{
        const uint8_t *b = p;
        for (size_t i = 0; i < n; i++)
                if (b[i])
                        return false;
        return true;
}

/* For every recorded message whose code is in codes[]: decode it with its DOE pad behind it
 * (used must be its exact length, the pad must pass spdm_trailing_pad_ok), re-encode the
 * decoded struct and compare byte for byte, and decode every strict prefix, which must fail
 * with a reason and leave the struct zero and used 0. Returns how many messages it checked. */
static inline unsigned spdm_kat_walk(const struct spdm_kat *k, const uint8_t *codes, size_t ncodes)
{
        static uint8_t msg[SPDM_KAT_MSG_MAX + 4], enc[SPDM_KAT_MSG_MAX];
        const struct spdm_sizes sz = spdm_any_kat_sizes();
        unsigned checked = 0;
        for (size_t idx = 0; idx < json_array_size(k->objects); idx++) {
                size_t len = spdm_kat_msg(k, idx, msg, SPDM_KAT_MSG_MAX);
                if (len < 4 || !memchr(codes, msg[1], ncodes))
                        continue;
                uint8_t code = msg[1];
                size_t pad = spdm_kat_pad(k, idx), used = 99, elen = 0;
                struct spdm_any_ctx c = spdm_kat_ctx(k, idx);
                union spdm_any u;
                char why[SPDM_WHY_LEN] = "";
                memset(msg + len, 0, pad);
                if (!spdm_any_decode(code, msg, len + pad, &sz, &c, &u, &used, why))
                        fail_msg("object %zu (%s): %s", idx, spdm_code_name(code), why);
                assert_int_equal(used, len);
                assert_true(spdm_trailing_pad_ok(msg, len + pad, used));
                assert_true(spdm_any_encode(code, enc, sizeof(enc), &u, &sz, &elen));
                assert_int_equal(elen, len);
                assert_memory_equal(enc, msg, len);
                assert_false(spdm_any_encode(code, enc, len - 1, &u, &sz, &elen)); /* one byte short */
                assert_int_equal(elen, 0);
                for (size_t cut = 0; cut < len; cut++) {
                        union spdm_any t;
                        memset(&t, 0xA5, sizeof(t));
                        why[0] = '\0';
                        used = 99;
                        if (spdm_any_decode(code, msg, cut, &sz, &c, &t, &used, why))
                                fail_msg("object %zu (%s) cut to %zu bytes decoded", idx, spdm_code_name(code), cut);
                        assert_int_equal(used, 0);
                        assert_true(why[0] != '\0');
                        assert_true(spdm_kat_all_zero(&t, spdm_any_size(code)));
                }
                checked++;
        }
        return checked;
}

#endif
