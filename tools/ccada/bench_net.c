/* ccada bench net: the lab's figures. Key release end to end (keybroker-app in a Realm
 * against the lab's broker), with its steps next to what their crypto alone costs natively;
 * and TCP throughput over virtio-net, a Realm and a normal VM alternating, next to the same
 * stream on this host's loopback without any VM (the limit). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ccada/machine.h"
#include "ccada/report.h"
#include "cli.h"
#include "lib/crypto.h"
#include "lib/ec.h"
#include "lib/json.h"
#include "lib/rsa.h"
#include "machine_opts.h"

#define STREAM_BYTES (4u << 20)
#define CHUNK (64u << 10)               /* as net-test: 64 KiB sent, then its echo */
#define MAX_REPS 31u

static double now_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;
        return (x > y) - (x < y);
}

static double median(const double *v, unsigned n)
{
        double s[MAX_REPS];
        memcpy(s, v, n * sizeof(*v));
        qsort(s, n, sizeof(*s), cmp_double);
        return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static void range(const double *v, unsigned n, double *lo, double *hi)
{
        *lo = *hi = v[0];
        for (unsigned i = 1; i < n; i++) {
                *lo = v[i] < *lo ? v[i] : *lo;
                *hi = v[i] > *hi ? v[i] : *hi;
        }
}

/* ---- an echo service on 127.0.0.1 (TCP_NODELAY, as the broker's) ---- */

struct echo {
        int lfd;
        uint16_t port;
        pthread_t thread;
        bool stop;
};

static void nodelay(int fd)
{
        int one = 1;
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static void *echo_main(void *arg)
{
        struct echo *e = arg;
        char *buf = malloc(CHUNK);
        while (buf) {
                int fd = accept(e->lfd, NULL, NULL);
                if (fd < 0)
                        break; /* shut down */
                nodelay(fd);
                for (ssize_t n; (n = read(fd, buf, CHUNK)) > 0;)
                        for (ssize_t off = 0, w; off < n; off += w)
                                if ((w = write(fd, buf + off, (size_t)(n - off))) <= 0)
                                        goto next;
next:
                close(fd);
        }
        free(buf);
        return NULL;
}

static bool echo_start(struct echo *e)
{
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof(a);
        memset(e, 0, sizeof(*e));
        e->lfd = socket(AF_INET, SOCK_STREAM, 0);
        if (e->lfd < 0 || bind(e->lfd, (struct sockaddr *)&a, sizeof(a)) || listen(e->lfd, 4) ||
            getsockname(e->lfd, (struct sockaddr *)&a, &len) || pthread_create(&e->thread, NULL, echo_main, e)) {
                if (e->lfd >= 0)
                        close(e->lfd);
                fprintf(stderr, "ccada bench net: cannot start the echo service on 127.0.0.1\n");
                return false;
        }
        e->port = ntohs(a.sin_port);
        return true;
}

static void echo_stop(struct echo *e)
{
        shutdown(e->lfd, SHUT_RDWR);
        pthread_join(e->thread, NULL);
        close(e->lfd);
}

/* The same stream without any VM: MB/s of bytes echoed, or 0. */
static double native_stream(const struct echo *e, uint8_t *out, uint8_t *in)
{
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
                                 .sin_port = htons(e->port) };
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        double t0 = now_ns();
        uint64_t done = 0;
        if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a))) {
                if (fd >= 0)
                        close(fd);
                return 0;
        }
        nodelay(fd);
        while (done < STREAM_BYTES) {
                size_t want = CHUNK, got = 0;
                for (size_t i = 0; i < want; i++)
                        out[i] = (uint8_t)(done + i);
                if (write(fd, out, want) != (ssize_t)want)
                        break;
                while (got < want) {
                        ssize_t n = read(fd, in + got, want - got);
                        if (n <= 0)
                                goto out;
                        got += (size_t)n;
                }
                done += want;
        }
out:
        close(fd);
        double dt = now_ns() - t0;
        return done == STREAM_BYTES && dt > 0 ? (double)done / (dt / 1e9) / 1e6 : 0;
}

/* net-test in one VM: MB/s from the Realm's own clock readings, or 0 (said why). */
static double vm_stream(const struct machine_opts *m, const struct echo *e, bool normal, struct ccada_report **keep)
{
        struct ccada_machine_config cfg = m->cfg;
        struct ccada_report *r;
        char args[64];
        snprintf(args, sizeof(args), "port=%u bytes=%u", e->port, STREAM_BYTES);
        cfg.workload = "net-test";
        cfg.normal_vm = normal;
        cfg.devices[0] = (struct ccada_device_cfg){ .type = "virtio-net" };
        cfg.ndevices = 1;
        cfg.app_args = args;
        if (!cli_bench_run(&cfg, normal ? "net (normal VM)" : "net (Realm)", &r))
                return 0;
        double ns = cli_bench_figure(r, "net", "exchange_ns");
        double mbs = ns > 0 ? STREAM_BYTES / (ns / 1e9) / 1e6 : 0;
        if (keep && !*keep)
                *keep = r;
        else
                ccada_report_destroy(r);
        return mbs;
}

/* ---- key release ---- */

struct release {
        double total, keygen, request, token, evidence, unwrap;
};

/* What the steps' crypto alone costs natively (ms): RSA-1024 key pair; the RMM's two ECDSA
 * P-384 signatures (the platform token, signed once per machine, and the realm token); the
 * broker's two P-384 verifications and the RSA wrap; the Realm's RSA unwrap. */
struct crypto_floor {
        double keygen, sign, verify_wrap, unwrap;
};

static bool crypto_floor(struct crypto_floor *f)
{
        static const uint8_t seed[32] = { 1 };
        uint8_t msg[1024] = { 0 }, sig[96], ct[RSA_MAX_BYTES], pt[RSA_MAX_BYTES]; /* OpenSSL wants a modulus of room */
        size_t sl = 0, cl = 0, pl = 0;
        struct ec_key *k = NULL;
        struct rsa_key *r = NULL;
        double t = now_ns();
        bool ok = rsa_key_generate(&r, RSA_MIN_BITS);
        f->keygen = (now_ns() - t) / 1e6;
        ok = ok && ec_key_derive(&k, EC_P384, seed, sizeof(seed), "bench");
        t = now_ns();
        ok = ok && ec_sign(k, HASH_SHA384, msg, sizeof(msg), sig, sizeof(sig), &sl) &&
             ec_sign(k, HASH_SHA384, msg, sizeof(msg), sig, sizeof(sig), &sl);
        f->sign = (now_ns() - t) / 1e6;
        t = now_ns();
        ok = ok && ec_verify(k, HASH_SHA384, msg, sizeof(msg), sig, sl) && ec_verify(k, HASH_SHA384, msg, sizeof(msg), sig, sl) &&
             rsa_wrap(r, RSA_WRAP_PKCS1_V15, msg, 26, ct, sizeof(ct), &cl);
        f->verify_wrap = (now_ns() - t) / 1e6;
        t = now_ns();
        ok = ok && rsa_unwrap(r, RSA_WRAP_PKCS1_V15, ct, cl, pt, sizeof(pt), &pl);
        f->unwrap = (now_ns() - t) / 1e6;
        ec_key_free(k);
        rsa_key_free(r);
        return ok;
}

static bool key_release(const struct machine_opts *m, const char *endpoint, struct release *x,
                        struct ccada_report **keep)
{
        struct ccada_machine_config cfg = m->cfg;
        struct ccada_report *r;
        char args[240];
        snprintf(args, sizeof(args), "--endpoint %s skywalker", endpoint);
        cfg.workload = "keybroker-app";
        cfg.devices[0] = (struct ccada_device_cfg){ .type = "virtio-net" };
        cfg.ndevices = 1;
        cfg.app_args = args;
        if (!cli_bench_run(&cfg, "net (key release)", &r))
                return false;
        const char *s = "keybroker";
        x->keygen = cli_bench_figure(r, s, "ns_keygen") / 1e6;
        x->request = cli_bench_figure(r, s, "ns_request") / 1e6;
        x->token = cli_bench_figure(r, s, "ns_token") / 1e6;
        x->evidence = cli_bench_figure(r, s, "ns_evidence") / 1e6;
        x->unwrap = cli_bench_figure(r, s, "ns_unwrap") / 1e6;
        x->total = x->keygen + x->request + x->token + x->evidence + x->unwrap;
        if (keep && !*keep)
                *keep = r;
        else
                ccada_report_destroy(r);
        return true;
}

/* ---- the benchmark ---- */

struct net_figures {
        unsigned reps;
        double realm[MAX_REPS], normal[MAX_REPS], native[MAX_REPS], ratio[MAX_REPS];
        double total[MAX_REPS], keygen[MAX_REPS], request[MAX_REPS], token[MAX_REPS], evidence[MAX_REPS],
                unwrap[MAX_REPS];
        struct crypto_floor floor[MAX_REPS];
        double frames_out, frames_in, requests, bounces, bounced_bytes, token_len;
};

static double floor_median(const struct net_figures *f, size_t off)
{
        double v[MAX_REPS];
        for (unsigned i = 0; i < f->reps; i++)
                memcpy(&v[i], (const char *)&f->floor[i] + off, sizeof(double));
        return median(v, f->reps);
}

static void print_text(const struct net_figures *f)
{
        double lo, hi;
        printf("Key release end to end: keybroker-app in a Realm, the lab's broker on 127.0.0.1\n"
               "(median of %u runs, ms; native: the step's crypto alone, OpenSSL on this host)\n", f->reps);
        printf("  %-40s %9.2f\n", "total", median(f->total, f->reps));
        printf("  %-40s %9.2f   native %7.2f\n", "RSA-1024 key pair (in the Realm)", median(f->keygen, f->reps),
               floor_median(f, offsetof(struct crypto_floor, keygen)));
        printf("  %-40s %9.2f\n", "key request: TCP + HTTP, 201", median(f->request, f->reps));
        printf("  %-40s %9.2f   native %7.2f (two P-384 signatures)\n", "attestation token: RSI, the RMM signs",
               median(f->token, f->reps), floor_median(f, offsetof(struct crypto_floor, sign)));
        printf("  %-40s %9.2f   native %7.2f (two P-384 verifications, RSA wrap)\n",
               "evidence: TCP + HTTP + verify, 200", median(f->evidence, f->reps),
               floor_median(f, offsetof(struct crypto_floor, verify_wrap)));
        printf("  %-40s %9.2f   native %7.2f\n", "unwrap (RSA1_5, in the Realm)", median(f->unwrap, f->reps),
               floor_median(f, offsetof(struct crypto_floor, unwrap)));
        printf("  per request: %.1f frames out, %.1f in; %.0f bounces, %.0f bytes bounced (token: %.0f bytes)\n\n",
               f->frames_out / f->requests, f->frames_in / f->requests, f->bounces / f->requests,
               f->bounced_bytes / f->requests, f->token_len);
        range(f->ratio, f->reps, &lo, &hi);
        printf("TCP echo stream over virtio-net: %u MiB each way in 64 KiB turns (median of %u pairs, MB/s\n"
               "of bytes echoed; Realm and normal VM alternate; loopback: the same stream on this host\n"
               "without a VM, the limit)\n", STREAM_BYTES >> 20, f->reps);
        printf("  Realm %7.1f   normal VM %7.1f   Realm/normal %.2f (%.2f..%.2f)   loopback %7.1f\n",
               median(f->realm, f->reps), median(f->normal, f->reps), median(f->ratio, f->reps), lo, hi,
               median(f->native, f->reps));
}

static void print_json(const struct net_figures *f, struct json_writer *w)
{
        double lo, hi;
        range(f->ratio, f->reps, &lo, &hi);
        json_begin_object(w, "net");
        json_u64(w, "reps", f->reps);
        json_begin_object(w, "key_release_ms");
        json_double(w, "total", median(f->total, f->reps), 3);
        json_double(w, "keygen", median(f->keygen, f->reps), 3);
        json_double(w, "request", median(f->request, f->reps), 3);
        json_double(w, "token", median(f->token, f->reps), 3);
        json_double(w, "evidence", median(f->evidence, f->reps), 3);
        json_double(w, "unwrap", median(f->unwrap, f->reps), 3);
        json_end_object(w);
        json_begin_object(w, "native_crypto_ms");
        json_double(w, "keygen", floor_median(f, offsetof(struct crypto_floor, keygen)), 3);
        json_double(w, "sign", floor_median(f, offsetof(struct crypto_floor, sign)), 3);
        json_double(w, "verify_wrap", floor_median(f, offsetof(struct crypto_floor, verify_wrap)), 3);
        json_double(w, "unwrap", floor_median(f, offsetof(struct crypto_floor, unwrap)), 3);
        json_end_object(w);
        json_double(w, "frames_out_per_request", f->frames_out / f->requests, 1);
        json_double(w, "frames_in_per_request", f->frames_in / f->requests, 1);
        json_double(w, "bounced_bytes_per_request", f->bounced_bytes / f->requests, 0);
        json_double(w, "bounces_per_request", f->bounces / f->requests, 1);
        json_double(w, "token_len", f->token_len, 0);
        json_begin_object(w, "stream_mb_per_s");
        json_double(w, "realm", median(f->realm, f->reps), 2);
        json_double(w, "normal", median(f->normal, f->reps), 2);
        json_double(w, "ratio", median(f->ratio, f->reps), 3);
        json_double(w, "ratio_min", lo, 3);
        json_double(w, "ratio_max", hi, 3);
        json_double(w, "loopback", median(f->native, f->reps), 2);
        json_end_object(w);
        json_end_object(w);
}

int cli_bench_net(const struct machine_opts *m, unsigned reps, struct json_writer *w)
{
        struct net_figures *f = calloc(1, sizeof(*f));
        uint8_t *bufs = malloc(2 * (size_t)CHUNK);
        struct echo e;
        struct lab_broker *kbs = NULL;
        struct ccada_report *first = NULL;
        int rc = CLI_FAIL;
        struct ccada_machine_config kcfg = m->cfg;
        kcfg.workload = "keybroker-app";
        kcfg.devices[0] = (struct ccada_device_cfg){ .type = "virtio-net" };
        kcfg.ndevices = 1;
        if (!f || !bufs || !echo_start(&e)) {
                free(f);
                free(bufs);
                return CLI_FAIL;
        }
        f->reps = reps < 1 ? 1 : reps > MAX_REPS ? MAX_REPS : reps;
        if (!(kbs = lab_broker_start(&kcfg, true, false, NULL)))
                goto out;
        for (unsigned i = 0; i < f->reps; i++) {
                struct release x;
                if (!key_release(m, lab_broker_endpoint(kbs), &x, i == 0 ? &first : NULL) ||
                    !crypto_floor(&f->floor[i]))
                        goto out;
                f->total[i] = x.total, f->keygen[i] = x.keygen, f->request[i] = x.request;
                f->token[i] = x.token, f->evidence[i] = x.evidence, f->unwrap[i] = x.unwrap;
                /* pairs, alternating: Realm, normal VM, loopback */
                f->realm[i] = vm_stream(m, &e, false, NULL);
                f->normal[i] = vm_stream(m, &e, true, NULL);
                f->native[i] = native_stream(&e, bufs, bufs + CHUNK);
                if (!f->realm[i] || !f->normal[i] || !f->native[i]) {
                        fprintf(stderr, "ccada bench net: a TCP stream failed\n");
                        goto out;
                }
                f->ratio[i] = f->realm[i] / f->normal[i];
        }
        f->requests = cli_bench_figure(first, "keybroker", "requests");
        f->frames_out = cli_bench_figure(first, "keybroker", "frames_out");
        f->frames_in = cli_bench_figure(first, "keybroker", "frames_in");
        f->bounces = cli_bench_figure(first, "keybroker", "bounces");
        f->bounced_bytes = cli_bench_figure(first, "keybroker", "bounced_bytes");
        f->token_len = cli_bench_figure(first, "keybroker", "token_len");
        if (f->requests < 1)
                f->requests = 1;
        if (w)
                print_json(f, w);
        else
                print_text(f);
        rc = CLI_OK;
out:
        ccada_report_destroy(first);
        lab_broker_stop(kbs);
        echo_stop(&e);
        free(bufs);
        free(f);
        return rc;
}
