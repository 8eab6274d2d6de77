/* ccada bench spdm: device attestation (the RMM's SPDM requester against the device's
 * responder) in process and over loopback TCP, next to the OpenSSL operations it cannot do
 * without; and messages per second in an established session, next to AES-GCM alone. The
 * measuring is src/machine/spdm_bench.c (include/ccada/spdm_bench.h); this file prints. */
#include <stdio.h>

#include "ccada/spdm_bench.h"
#include "cli.h"
#include "lib/json.h"

static void print_text(const struct ccada_spdm_bench_result *r)
{
        const struct ccada_spdm_bench_ops *o = &r->ops;
        printf("SPDM 1.2 device attestation, VERSION to FINISH_RSP (%u request/response pairs), %s\n"
               "(median of %u, ms; floor: the same %u signatures, %u verifications, %u ECDH and %u key\n"
               "pairs on P-384 with OpenSSL alone, timed in the same repetition)\n",
               r->messages, r->algorithms, r->reps, o->sign, o->verify, o->ecdh, o->keygen);
        printf("  %-38s %8s %8s %7s\n", "", "ms", "floor", "ratio");
        printf("  %-38s %8.2f %8.2f %7.2f (%.2f..%.2f)\n", "in process, handshake in the clear", r->attest_ms,
               r->floor_ms, r->ratio, r->ratio_min, r->ratio_max);
        printf("  %-38s %8.2f %8.2f %7.2f\n", "in process, handshake secured", r->attest_secured_ms,
               r->floor_ms, r->ratio_secured);
        printf("  %-38s %8.2f %8.2f %7.2f\n", "loopback TCP, spdm-emu framing (clear)", r->socket_ms,
               r->floor_ms, r->socket_ms / r->floor_ms);
        printf("  %-38s %8s %8s %7.2f x in process; framing and socket calls %.1f us per message, connect "
               "%.2f ms\n",
               "", "", "", r->socket_ratio, r->socket_io_us_per_message, r->socket_connect_ms);
        printf("  floor by operation: sign %.2f, verify %.2f, ECDH %.2f, key pairs %.2f; %llu bytes on the\n"
               "  connection per attestation, both ways, frames included\n\n",
               r->floor_sign_ms, r->floor_verify_ms, r->floor_ecdh_ms, r->floor_keygen_ms,
               (unsigned long long)r->socket_bytes);
        printf("In the session: HEARTBEAT round trips in process, each a sealed request and a sealed answer\n"
               "opened by the other end (median of %u loops of %u; floor: AES-256-GCM seal and open of\n"
               "the same %zu- and %zu-byte records with OpenSSL alone)\n",
               r->reps, r->heartbeats, r->request_record, r->response_record);
        printf("  round trips/s %10.0f   messages/s %10.0f   floor round trips/s %10.0f   floor/measured "
               "%.2f\n",
               r->round_trips_per_s, r->messages_per_s, r->aead_round_trips_per_s, r->session_ratio);
}

static void print_json(const struct ccada_spdm_bench_result *r, struct json_writer *w)
{
        json_begin_object(w, "spdm");
        json_u64(w, "reps", r->reps);
        json_string(w, "algorithms", r->algorithms);
        json_u64(w, "messages", r->messages);
        json_begin_object(w, "ops");
        json_u64(w, "sign", r->ops.sign);
        json_u64(w, "verify", r->ops.verify);
        json_u64(w, "ecdh", r->ops.ecdh);
        json_u64(w, "keygen", r->ops.keygen);
        json_end_object(w);
        json_begin_object(w, "attestation_ms");
        json_double(w, "in_process", r->attest_ms, 3);
        json_double(w, "in_process_secured", r->attest_secured_ms, 3);
        json_double(w, "socket", r->socket_ms, 3);
        json_double(w, "socket_connect", r->socket_connect_ms, 3);
        json_end_object(w);
        json_begin_object(w, "floor_ms");
        json_double(w, "total", r->floor_ms, 3);
        json_double(w, "sign", r->floor_sign_ms, 3);
        json_double(w, "verify", r->floor_verify_ms, 3);
        json_double(w, "ecdh", r->floor_ecdh_ms, 3);
        json_double(w, "keygen", r->floor_keygen_ms, 3);
        json_end_object(w);
        json_double(w, "ratio", r->ratio, 3);
        json_double(w, "ratio_min", r->ratio_min, 3);
        json_double(w, "ratio_max", r->ratio_max, 3);
        json_double(w, "ratio_secured", r->ratio_secured, 3);
        json_double(w, "socket_ratio", r->socket_ratio, 3);
        json_double(w, "socket_io_us_per_message", r->socket_io_us_per_message, 2);
        json_u64(w, "socket_bytes", r->socket_bytes);
        json_begin_object(w, "session");
        json_u64(w, "heartbeats", r->heartbeats);
        json_double(w, "round_trips_per_s", r->round_trips_per_s, 0);
        json_double(w, "messages_per_s", r->messages_per_s, 0);
        json_double(w, "aead_round_trips_per_s", r->aead_round_trips_per_s, 0);
        json_double(w, "ratio", r->session_ratio, 3);
        json_u64(w, "request_record", r->request_record);
        json_u64(w, "response_record", r->response_record);
        json_end_object(w);
        json_end_object(w);
}

int cli_bench_spdm(unsigned reps, struct json_writer *w)
{
        struct ccada_spdm_bench_cfg cfg = { .reps = reps };
        struct ccada_spdm_bench_result r;
        char why[256];
        ccada_status st = ccada_spdm_bench_run(&cfg, &r, why, sizeof(why));
        if (st != CCADA_OK) {
                fprintf(stderr, "ccada bench spdm: %s (%s)\n", why, ccada_status_text(st));
                return CLI_FAIL;
        }
        if (w)
                print_json(&r, w);
        else
                print_text(&r);
        return CLI_OK;
}
