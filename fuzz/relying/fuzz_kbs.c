/* The Key Broker's request handling under arbitrary requests (a client is anyone who can
 * reach the port). Input: a method byte (even: POST, odd: GET), then the path, a newline,
 * the Content-Type (empty: none), a newline, and the body. What must hold: no read outside
 * the input (ASan), no leak; the status is one the contract of kbs.h lists; every body is
 * JSON, an ErrorInformation ({"type", "detail"}) for an error; a 201 carries a Location
 * under the endpoint and a challenge. Two requests per input: the second is the same body
 * posted to the Location a 201 gave, as evidence. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relying/kbs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct kbs_response *r)
{
        static const int ok[] = { 200, 201, 400, 403, 404, 405, 413, 415 };
        bool known = false;
        for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
                known |= r->status == ok[i];
        json_t *doc = r->body ? json_loadb(r->body, r->body_len, 0, NULL) : NULL;
        if (!known || !doc || (r->status >= 400 && (!json_is_string(json_object_get(doc, "type")) ||
                                                    !json_is_string(json_object_get(doc, "detail")))))
                abort();
        if (r->status == 201 && (strncmp(r->location, "http://127.0.0.1:1/keys/v1/evidence/", 36) ||
                                 !json_is_string(json_object_get(doc, "challenge"))))
                abort();
        json_decref(doc);
}

/* The next newline-ended field of [*p, end) as a NUL-terminated copy (at most cap - 1). */
static void field(const uint8_t **p, const uint8_t *end, char *out, size_t cap)
{
        size_t n = 0;
        while (*p < end && **p != '\n') {
                if (n + 1 < cap)
                        out[n++] = (char)**p;
                (*p)++;
        }
        if (*p < end)
                (*p)++;
        out[n] = '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct kbs_config *cfg = calloc(1, sizeof(*cfg));
        struct kbs *k = NULL;
        struct ec_key *iak = NULL;
        struct kbs_response r;
        char path[256], ct[256], why[128];
        if (!size) {
                free(cfg);
                return 0;
        }
        if (!cfg || !ec_key_derive(&iak, EC_P384, (const uint8_t *)"fuzz", 4, "ccada IAK"))
                abort();
        cfg->endpoint = "http://127.0.0.1:1";
        cfg->iak = iak;
        if (!kbs_key_parse("skywalker=May the force be with you.", cfg, why) || !kbs_create(&k, cfg))
                abort();
        const uint8_t *p = data + 1, *end = data + size;
        field(&p, end, path, sizeof(path));
        field(&p, end, ct, sizeof(ct));
        size_t blen = (size_t)(end - p);
        uint8_t *body = malloc(blen ? blen : 1); /* exactly the body: ASan sees any overrun */
        if (!body)
                abort();
        memcpy(body, p, blen);
        kbs_handle(k, data[0] & 1 ? "GET" : "POST", path, ct[0] ? ct : NULL, body, blen, &r);
        check(&r);
        if (r.status == 201) {
                char loc[256];
                snprintf(loc, sizeof(loc), "%s", r.location + strlen(cfg->endpoint));
                kbs_response_free(&r);
                kbs_handle(k, "POST", loc, KBS_EVIDENCE_TYPE, body, blen, &r);
                check(&r);
        }
        kbs_response_free(&r);
        kbs_destroy(k);
        ec_key_free(iak);
        free(body);
        free(cfg);
        return 0;
}
