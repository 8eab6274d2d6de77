/* The DOE objects of the recorded DMTF emulator session (tests/kat/spdm12-emu-session,
 * doe_objects.json), rebuilt from the JSON fields as its README states:
 *   DOE_DISCOVERY: doe_header ‖ payload;  SPDM: doe_header ‖ spdm ‖ doe_pad;
 *   SECURED_SPDM:  doe_header ‖ record ‖ doe_pad.
 * Used by test_doe (every object decodes) and test_pcap (the capture holds exactly these).
 * Header-only helper for test programs; needs SPDM_KAT_DIR and jansson. */
#ifndef CCADA_TESTS_PROTO_DOE_KAT_H
#define CCADA_TESTS_PROTO_DOE_KAT_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SPDM_KAT_DIR
#error "SPDM_KAT_DIR must name tests/kat/spdm12-emu-session"
#endif

#define DOE_KAT_OBJECTS 234u /* README: "234 DOE data objects" */

struct doe_kat_object {
        uint8_t *bytes;
        size_t len;
        const char *kind; /* "DOE_DISCOVERY", "SPDM", "SECURED_SPDM" */
        unsigned type;    /* doe_type */
        unsigned length_dw;
        size_t pad;       /* doe_pad bytes */
        size_t body;      /* payload, spdm or record bytes (without the pad) */
};

struct doe_kat {
        json_t *root;
        struct doe_kat_object obj[DOE_KAT_OBJECTS];
        size_t count;
};

static inline size_t doe_kat_unhex(const char *hex, uint8_t *out)
{
        size_t n = strlen(hex) / 2;
        for (size_t i = 0; i < n; i++) {
                unsigned v;
                if (sscanf(hex + 2 * i, "%2x", &v) != 1)
                        return (size_t)-1;
                out[i] = (uint8_t)v;
        }
        return n;
}

static inline const char *doe_kat_str(json_t *o, const char *key)
{
        const char *s = json_string_value(json_object_get(o, key));
        return s ? s : "";
}

/* Loads every object; returns 0 on success, else a line number to report. */
static inline int doe_kat_load(struct doe_kat *k)
{
        json_error_t err;
        memset(k, 0, sizeof(*k));
        k->root = json_load_file(SPDM_KAT_DIR "/doe_objects.json", 0, &err);
        if (!k->root)
                return __LINE__;
        json_t *arr = json_object_get(k->root, "objects");
        if (!json_is_array(arr) || json_array_size(arr) != DOE_KAT_OBJECTS)
                return __LINE__;
        for (size_t i = 0; i < DOE_KAT_OBJECTS; i++) {
                json_t *o = json_array_get(arr, i);
                struct doe_kat_object *d = &k->obj[i];
                const char *hdr = doe_kat_str(o, "doe_header"), *pad = doe_kat_str(o, "doe_pad");
                d->kind = doe_kat_str(o, "kind");
                const char *body = strcmp(d->kind, "DOE_DISCOVERY") == 0 ? doe_kat_str(o, "payload")
                                   : strcmp(d->kind, "SPDM") == 0        ? doe_kat_str(o, "spdm")
                                                                          : doe_kat_str(o, "record");
                d->type = (unsigned)json_integer_value(json_object_get(o, "doe_type"));
                d->length_dw = (unsigned)json_integer_value(json_object_get(o, "doe_length_dw"));
                d->bytes = malloc((strlen(hdr) + strlen(body) + strlen(pad)) / 2 + 1);
                if (!d->bytes)
                        return __LINE__;
                k->count++; /* doe_kat_free frees it from here on */
                size_t a = doe_kat_unhex(hdr, d->bytes), b = doe_kat_unhex(body, d->bytes + a);
                size_t c = doe_kat_unhex(pad, d->bytes + a + b);
                if (a != 8 || b == (size_t)-1 || c == (size_t)-1)
                        return __LINE__;
                d->body = b;
                d->pad = c;
                d->len = a + b + c;
        }
        return 0;
}

static inline void doe_kat_free(struct doe_kat *k)
{
        for (size_t i = 0; i < k->count; i++)
                free(k->obj[i].bytes);
        json_decref(k->root);
        memset(k, 0, sizeof(*k));
}

#endif
