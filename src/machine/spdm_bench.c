/* ccada bench spdm's measurements (include/ccada/spdm_bench.h): the RMM's requester against
 * the device's responder in process, over loopback TCP with spdm-emu's framing, and in an
 * established session, each next to the OpenSSL work that is its floor. */
#include "ccada/spdm_bench.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "device/identity.h"
#include "device/spdm_responder.h"
#include "lib/aead.h"
#include "lib/clock.h"
#include "lib/crypto.h"
#include "lib/drbg.h"
#include "lib/ec.h"
#include "proto/doe.h"
#include "proto/spdm.h"
#include "proto/spdm_emu.h"
#include "proto/spdm_secured.h"
#include "rmm/spdm_requester.h"

#define BUF            16384u               /* a requester's out buffer wants 4096 + 64 */
#define NOW_2027       ((time_t)1798761600) /* 2027-01-01T00:00:00Z: inside the test PKI's validity */
#define IO_TIMEOUT_MS  1000                 /* the emulator's responder may send nothing */
#define SIGNED_MSG_LEN 148u                 /* DSP0274 1.2.1 §15: 64-byte prefix, 36-byte context, H */

/* What one attestation does in public-key operations (see struct ccada_spdm_bench_ops). */
static const struct ccada_spdm_bench_ops attest_ops = { .sign = 3, .verify = 6, .ecdh = 2, .keygen = 2 };

struct bench {
        struct dev_identity id;
        struct ec_key *leaf_pub;         /* the leaf's public key alone, as a requester has it */
        uint8_t *req_buf, *rsp_buf;      /* BUF bytes each */
        uint8_t *frame_req, *frame_peer; /* SPDM_EMU_FRAME_MAX bytes: each end's frames */
        uint32_t pairs;                  /* pairs made: each one's DRBG seeds differ */
        char *why;
        size_t why_len;
};

__attribute__((format(printf, 3, 4))) static ccada_status fail(struct bench *b, ccada_status st,
                                                               const char *fmt, ...)
{
        if (b->why && b->why_len) {
                va_list ap;
                va_start(ap, fmt);
                vsnprintf(b->why, b->why_len, fmt, ap);
                va_end(ap);
        }
        return st;
}

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;
        return (x > y) - (x < y);
}

static double median(const double *v, unsigned n)
{
        double s[CCADA_SPDM_BENCH_MAX_REPS];
        memcpy(s, v, n * sizeof(*v));
        qsort(s, n, sizeof(*s), cmp_double);
        return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* ---- a requester and a responder, fresh for each attestation ---- */

struct pair {
        struct drbg *rsp_drbg, *req_drbg;
        struct spdm_responder *rsp;
        struct spdm_requester *req;
        struct spdm_req_out out;
};

static void pair_free(struct pair *p)
{
        spdm_requester_free(p->req);
        spdm_responder_free(p->rsp);
        drbg_free(p->req_drbg);
        drbg_free(p->rsp_drbg);
        memset(p, 0, sizeof(*p));
}

/* The device's responder narrowed to the benchmark's selection, and a requester that trusts
 * the device's root; secured: the requester does not offer HANDSHAKE_IN_THE_CLEAR. */
static ccada_status pair_new(struct bench *b, struct pair *p, bool secured)
{
        uint8_t seed[4] = { (uint8_t)b->pairs, (uint8_t)(b->pairs >> 8), (uint8_t)(b->pairs >> 16),
                            (uint8_t)(b->pairs >> 24) };
        struct spdm_responder_cfg rc = { 0 }; /* identity fills its part; the rest defaults */
        char why[256] = "";

        memset(p, 0, sizeof(*p));
        b->pairs++;
        if (!drbg_new_seeded(&p->rsp_drbg, seed, sizeof(seed), "ccada bench spdm responder") ||
            !drbg_new_seeded(&p->req_drbg, seed, sizeof(seed), "ccada bench spdm requester"))
                return pair_free(p), fail(b, CCADA_E_NOMEM, "cannot make a DRBG");
        dev_identity_responder_cfg(&b->id, &rc);
        rc.drbg = p->rsp_drbg;
        rc.hash_mask = SPDM_HASH_SHA_384;
        rc.dhe_mask = SPDM_DHE_SECP384R1;
        rc.aead_mask = SPDM_AEAD_AES_256_GCM;
        if (!spdm_responder_new(&p->rsp, &rc, why))
                return pair_free(p), fail(b, CCADA_E_NOMEM, "cannot make the responder: %s", why);
        struct spdm_requester_cfg qc = {
                .trust_anchor = b->id.root,
                .trust_anchor_len = b->id.root_len,
                .now = NOW_2027,
                .drbg = p->req_drbg,
                .no_handshake_in_the_clear = secured,
        };
        if (!spdm_requester_new(&p->req, &qc))
                return pair_free(p), fail(b, CCADA_E_NOMEM, "cannot make the requester");
        p->out = (struct spdm_req_out){ .buf = b->req_buf, .cap = BUF };
        return CCADA_OK;
}

/* The requester's verdict once a flow ended: DONE is CCADA_OK, anything else says why. */
static ccada_status verdict(struct bench *b, struct pair *p, enum spdm_req_status st)
{
        const char *why = "";
        if (st == SPDM_REQ_DONE)
                return CCADA_OK;
        enum spdm_req_error e = spdm_requester_error(p->req, &why);
        return fail(b, CCADA_E_VERIFY, "the requester failed: %s: %s", spdm_req_error_name(e), why);
}

/* The sizes of the last request and answer a relay carried. */
struct last {
        size_t req, rsp;
};

/* Hands each request to the responder in memory and its answer back, until the requester
 * has nothing to send. */
static ccada_status relay_memory(struct bench *b, struct pair *p, enum spdm_req_status st, struct last *last)
{
        while (st == SPDM_REQ_SEND) {
                size_t alen = 0;
                bool asec = false;
                if (!spdm_responder_handle(p->rsp, p->out.secured, p->out.buf, p->out.len, b->rsp_buf, BUF,
                                           &alen, &asec))
                        return fail(b, CCADA_E_NOMEM, "the responder's answer does not fit %u bytes", BUF);
                if (last)
                        *last = (struct last){ .req = p->out.len, .rsp = alen };
                st = spdm_requester_step(p->req, b->rsp_buf, alen, asec, &p->out);
        }
        return verdict(b, p, st);
}

/* The selection must be the one the benchmark states. */
static ccada_status check_selection(struct bench *b, const struct spdm_req_result *res)
{
        uint16_t dhe = 0, aead = 0;
        if (!res->session || res->algs.base_asym != SPDM_ASYM_ECDSA_P384 ||
            res->algs.base_hash != SPDM_HASH_SHA_384 ||
            !spdm_algorithms_find(&res->algs, SPDM_ALG_TYPE_DHE, &dhe) || dhe != SPDM_DHE_SECP384R1 ||
            !spdm_algorithms_find(&res->algs, SPDM_ALG_TYPE_AEAD, &aead) || aead != SPDM_AEAD_AES_256_GCM)
                return fail(b, CCADA_E_VERIFY,
                            "the session's selection is not P-384/SHA-384/secp384r1/AES-256-GCM: %s",
                            res->algorithms);
        return CCADA_OK;
}

/* One attestation in memory, timed from GET_VERSION to FINISH_RSP; the pair is kept in *p
 * (the caller frees it) with its session established. */
static ccada_status attest_memory(struct bench *b, bool secured, struct pair *p, double *ms)
{
        ccada_status st = pair_new(b, p, secured);
        if (st != CCADA_OK)
                return st;
        double t0 = clock_mono_ns();
        st = relay_memory(b, p, spdm_requester_start(p->req, &p->out), NULL);
        *ms = (clock_mono_ns() - t0) / 1e6;
        return st != CCADA_OK ? st : check_selection(b, spdm_requester_result(p->req));
}

/* ---- the same flow over loopback TCP, spdm-emu's framing, in this thread ---- */

struct conn {
        int cli, srv;
        uint64_t bytes;   /* carried both ways */
        double handle_ns; /* spent in the responder */
};

static void conn_close(struct conn *k)
{
        if (k->cli >= 0)
                close(k->cli);
        if (k->srv >= 0)
                close(k->srv);
        k->cli = k->srv = -1;
}

static void nodelay(int fd)
{
        int one = 1;
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)); /* best effort: only speed */
}

/* A connected pair on 127.0.0.1: a listener on a free port, connect (the kernel completes
 * the handshake from its backlog), accept, and the listener closed. */
static ccada_status conn_open(struct bench *b, struct conn *k)
{
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t alen = sizeof(a);
        int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        k->cli = k->srv = -1;
        k->bytes = 0;
        if (lfd < 0)
                return fail(b, CCADA_E_IO, "socket: %s", strerror(errno));
        if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 1) ||
            getsockname(lfd, (struct sockaddr *)&a, &alen) ||
            (k->cli = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
            connect(k->cli, (struct sockaddr *)&a, sizeof(a)) || (k->srv = accept(lfd, NULL, NULL)) < 0) {
                int e = errno;
                close(lfd);
                conn_close(k);
                return fail(b, CCADA_E_IO, "loopback connection on 127.0.0.1: %s", strerror(e));
        }
        close(lfd);
        nodelay(k->cli);
        nodelay(k->srv);
        return CCADA_OK;
}

static ccada_status write_all(struct bench *b, struct conn *k, int fd, const uint8_t *p, size_t n)
{
        for (size_t off = 0; off < n;) {
                ssize_t w = send(fd, p + off, n - off, MSG_NOSIGNAL);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0)
                        return fail(b, CCADA_E_IO, "send: %s", w < 0 ? strerror(errno) : "nothing sent");
                off += (size_t)w;
        }
        k->bytes += n;
        return CCADA_OK;
}

/* Exactly n bytes, each wait for them bounded by IO_TIMEOUT_MS. */
static ccada_status read_exact(struct bench *b, int fd, uint8_t *p, size_t n)
{
        for (size_t off = 0; off < n;) {
                struct pollfd pf = { .fd = fd, .events = POLLIN };
                int r = poll(&pf, 1, IO_TIMEOUT_MS);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return fail(b, CCADA_E_IO, "poll: %s", strerror(errno));
                if (r == 0)
                        return fail(b, CCADA_E_IO, "no answer within %d ms", IO_TIMEOUT_MS);
                ssize_t got = recv(fd, p + off, n - off, 0);
                if (got < 0 && errno == EINTR)
                        continue;
                if (got <= 0)
                        return fail(b, CCADA_E_IO, "recv: %s", got < 0 ? strerror(errno) : "the peer closed");
                off += (size_t)got;
        }
        return CCADA_OK;
}

/* One SPDM message (plain) or secured record as a DOE object in one NORMAL frame, sent in
 * one send() (the emulator sends each field apart, which Nagle then delays: facts §8.5). */
static ccada_status send_object(struct bench *b, struct conn *k, int fd, uint8_t *frame, bool secured,
                                const uint8_t *msg, size_t len)
{
        size_t olen = 0;
        if (!doe_object_encode(DOE_VENDOR_PCI_SIG, secured ? DOE_TYPE_SECURED_CMA_SPDM : DOE_TYPE_CMA_SPDM,
                               msg, len, frame + SPDM_EMU_HEADER_SIZE, SPDM_EMU_PAYLOAD_MAX, &olen))
                return fail(b, CCADA_E_IO, "a %zu-byte message does not fit a frame's %u-byte payload", len,
                            SPDM_EMU_PAYLOAD_MAX);
        struct spdm_emu_header h = { .command = SPDM_EMU_CMD_NORMAL,
                                     .transport = SPDM_EMU_TRANSPORT_PCI_DOE,
                                     .size = (uint32_t)olen };
        if (!spdm_emu_header_encode(frame, SPDM_EMU_HEADER_SIZE, &h))
                return fail(b, CCADA_E_IO, "cannot encode a frame header");
        return write_all(b, k, fd, frame, SPDM_EMU_HEADER_SIZE + olen);
}

/* One frame: a NORMAL PCI_DOE frame holding one CMA/SPDM or Secured CMA/SPDM object; the
 * payload (DOE pad included) points into frame. */
static ccada_status recv_object(struct bench *b, int fd, uint8_t *frame, bool *secured,
                                const uint8_t **payload, size_t *len)
{
        struct spdm_emu_header h;
        struct doe_object obj;
        char why[SPDM_EMU_WHY_LEN > DOE_WHY_LEN ? SPDM_EMU_WHY_LEN : DOE_WHY_LEN] = "";
        ccada_status st = read_exact(b, fd, frame, SPDM_EMU_HEADER_SIZE);
        if (st != CCADA_OK)
                return st;
        if (!spdm_emu_header_decode(frame, SPDM_EMU_HEADER_SIZE, &h, why))
                return fail(b, CCADA_E_IO, "a frame header: %s", why);
        if (h.command != SPDM_EMU_CMD_NORMAL || h.transport != SPDM_EMU_TRANSPORT_PCI_DOE)
                return fail(b, CCADA_E_IO, "a %s frame for %s, not NORMAL for PCI_DOE",
                            spdm_emu_command_name(h.command), spdm_emu_transport_name(h.transport));
        if ((st = read_exact(b, fd, frame + SPDM_EMU_HEADER_SIZE, h.size)) != CCADA_OK)
                return st;
        if (!doe_object_decode(frame + SPDM_EMU_HEADER_SIZE, h.size, &obj, why))
                return fail(b, CCADA_E_IO, "a frame's DOE object: %s", why);
        if (obj.vendor != DOE_VENDOR_PCI_SIG ||
            (obj.type != DOE_TYPE_CMA_SPDM && obj.type != DOE_TYPE_SECURED_CMA_SPDM))
                return fail(b, CCADA_E_IO, "a DOE object of type %s, not (Secured) CMA/SPDM",
                            doe_type_name(obj.vendor, obj.type));
        *secured = obj.type == DOE_TYPE_SECURED_CMA_SPDM;
        *payload = obj.payload;
        *len = obj.payload_len;
        return CCADA_OK;
}

/* The peer's turn: one request from the connection, the responder's answer back. */
static ccada_status serve_one(struct bench *b, struct conn *k, struct pair *p)
{
        const uint8_t *req;
        size_t len, alen = 0;
        bool sec, asec = false;
        ccada_status st = recv_object(b, k->srv, b->frame_peer, &sec, &req, &len);
        if (st != CCADA_OK)
                return st;
        double t0 = clock_mono_ns();
        bool ok = spdm_responder_handle(p->rsp, sec, req, len, b->rsp_buf, BUF, &alen, &asec);
        k->handle_ns += clock_mono_ns() - t0;
        if (!ok)
                return fail(b, CCADA_E_NOMEM, "the responder's answer does not fit %u bytes", BUF);
        return send_object(b, k, k->srv, b->frame_peer, asec, b->rsp_buf, alen);
}

struct socket_run {
        double ms;         /* connect to FINISH_RSP */
        double connect_ms; /* connect and accept */
        double io_ms;      /* framing, the system calls and waits: the exchanges' time but the
                              responder's */
        uint64_t bytes;    /* what the connection carried, both ways */
};

/* One attestation (handshake in the clear) over a fresh loopback connection. */
static ccada_status attest_socket(struct bench *b, struct socket_run *run)
{
        struct pair p;
        struct conn k = { .cli = -1, .srv = -1 };
        ccada_status st = pair_new(b, &p, false);
        if (st != CCADA_OK)
                return st;
        double t0 = clock_mono_ns();
        if ((st = conn_open(b, &k)) != CCADA_OK)
                return pair_free(&p), st;
        run->connect_ms = (clock_mono_ns() - t0) / 1e6;
        double io_ns = 0;
        enum spdm_req_status rs = spdm_requester_start(p.req, &p.out);
        while (rs == SPDM_REQ_SEND) {
                const uint8_t *ans;
                size_t alen;
                bool asec;
                double t1 = clock_mono_ns(), h0 = k.handle_ns;
                if ((st = send_object(b, &k, k.cli, b->frame_req, p.out.secured, p.out.buf, p.out.len)) !=
                            CCADA_OK ||
                    (st = serve_one(b, &k, &p)) != CCADA_OK ||
                    (st = recv_object(b, k.cli, b->frame_req, &asec, &ans, &alen)) != CCADA_OK)
                        break;
                io_ns += clock_mono_ns() - t1 - (k.handle_ns - h0);
                rs = spdm_requester_step(p.req, ans, alen, asec, &p.out);
        }
        conn_close(&k);
        run->ms = (clock_mono_ns() - t0) / 1e6;
        run->io_ms = io_ns / 1e6;
        run->bytes = k.bytes;
        if (st == CCADA_OK && (st = verdict(b, &p, rs)) == CCADA_OK)
                st = check_selection(b, spdm_requester_result(p.req));
        pair_free(&p);
        return st;
}

/* ---- the floors ---- */

struct floor {
        double sign, verify, ecdh, keygen; /* ms */
};

/* The public-key operations of one attestation (attest_ops), alone, on P-384: signatures
 * and verifications over a message of a signed SPDM message's size with SHA-384, ephemeral
 * keys as both ends make them (ec_key_derive), and their ECDH both ways. */
static ccada_status floor_run(struct bench *b, unsigned rep, struct floor *f)
{
        uint8_t msg[SIGNED_MSG_LEN], sig[EC_SIG_MAX], s1[EC_COORD_MAX], s2[EC_COORD_MAX];
        uint8_t seed[2][8];
        size_t sl = 0, l1 = 0, l2 = 0;
        struct ec_key *eph[2] = { NULL, NULL };
        bool ok = true;

        for (size_t i = 0; i < sizeof(msg); i++)
                msg[i] = (uint8_t)(i + rep);
        for (unsigned i = 0; i < 2; i++)
                for (unsigned j = 0; j < sizeof(seed[i]); j++)
                        seed[i][j] = (uint8_t)(rep * 2 + i + j);
        double t = clock_mono_ns();
        for (unsigned i = 0; ok && i < attest_ops.sign; i++)
                ok = ec_sign(b->id.leaf_key, HASH_SHA384, msg, sizeof(msg), sig, sizeof(sig), &sl);
        f->sign = (clock_mono_ns() - t) / 1e6;
        t = clock_mono_ns();
        for (unsigned i = 0; ok && i < attest_ops.verify; i++)
                ok = ec_verify(b->leaf_pub, HASH_SHA384, msg, sizeof(msg), sig, sl);
        f->verify = (clock_mono_ns() - t) / 1e6;
        t = clock_mono_ns();
        for (unsigned i = 0; ok && i < attest_ops.keygen; i++)
                ok = ec_key_derive(&eph[i % 2], EC_P384, seed[i % 2], sizeof(seed[i % 2]),
                                   "ccada bench spdm floor");
        f->keygen = (clock_mono_ns() - t) / 1e6;
        t = clock_mono_ns();
        ok = ok && ec_ecdh(eph[0], eph[1], s1, sizeof(s1), &l1) &&
             ec_ecdh(eph[1], eph[0], s2, sizeof(s2), &l2);
        f->ecdh = (clock_mono_ns() - t) / 1e6;
        /* both ends reach one secret, or the floor did not do the work it stands for */
        ok = ok && l1 == l2 && !memcmp(s1, s2, l1);
        secure_zero(s1, sizeof(s1));
        secure_zero(s2, sizeof(s2));
        ec_key_free(eph[0]);
        ec_key_free(eph[1]);
        if (!ok)
                return fail(b, CCADA_E_UNSUPPORTED, "an OpenSSL P-384 operation of the floor failed");
        return CCADA_OK;
}

/* n HEARTBEAT round trips in p's session, after one untimed that gives the record sizes. */
static ccada_status session_run(struct bench *b, struct pair *p, unsigned n, double *per_s,
                                struct last *sizes)
{
        ccada_status st = relay_memory(b, p, spdm_requester_heartbeat(p->req, &p->out), sizes);
        if (st != CCADA_OK)
                return st;
        double t0 = clock_mono_ns();
        for (unsigned i = 0; st == CCADA_OK && i < n; i++)
                st = relay_memory(b, p, spdm_requester_heartbeat(p->req, &p->out), NULL);
        double dt = clock_mono_ns() - t0;
        *per_s = dt > 0 ? n / (dt / 1e9) : 0;
        return st;
}

/* The floor of a round trip: AES-256-GCM seal and open (lib/aead.h) of each record's
 * encrypted part with its 6 bytes of AAD, as the two ends do, n times. */
static ccada_status aead_floor(struct bench *b, const struct last *sizes, unsigned n, double *per_s)
{
        static const uint8_t key[32] = { 0x42 };
        uint8_t buf[256], aad[SPDM_SECURED_HDR_LEN] = { 0 }, iv[AEAD_NONCE_LEN] = { 0 }, tag[AEAD_TAG_LEN];
        /* the encrypted part: ApplicationDataLength, the message (and any RandomData) */
        size_t len[2] = { sizes->req - SPDM_SECURED_HDR_LEN - AEAD_TAG_LEN,
                          sizes->rsp - SPDM_SECURED_HDR_LEN - AEAD_TAG_LEN };
        struct aead *a = NULL;
        bool ok = true;

        if (sizes->req < SPDM_SECURED_OVERHEAD || sizes->rsp < SPDM_SECURED_OVERHEAD ||
            len[0] > sizeof(buf) || len[1] > sizeof(buf))
                return fail(b, CCADA_E_VERIFY, "secured records of %zu and %zu bytes", sizes->req,
                            sizes->rsp);
        if (!aead_new(&a, AEAD_AES_256_GCM, key, sizeof(key)))
                return fail(b, CCADA_E_UNSUPPORTED, "cannot key AES-256-GCM");
        memset(buf, 0x5a, sizeof(buf));
        double t0 = clock_mono_ns();
        for (unsigned i = 0; ok && i < n; i++) {
                for (unsigned d = 0; ok && d < 2; d++) {
                        uint64_t seq = 2ull * i + d;
                        uint8_t nonce[AEAD_NONCE_LEN];
                        memcpy(nonce, iv, sizeof(nonce));
                        for (unsigned j = 0; j < 8; j++)
                                nonce[j] ^= (uint8_t)(seq >> (8 * j));
                        ok = aead_seal(a, nonce, aad, sizeof(aad), buf, len[d], buf, tag) &&
                             aead_open(a, nonce, aad, sizeof(aad), buf, len[d], tag, buf);
                }
        }
        double dt = clock_mono_ns() - t0;
        aead_free(a);
        if (!ok)
                return fail(b, CCADA_E_UNSUPPORTED, "AES-256-GCM seal or open failed");
        *per_s = dt > 0 ? n / (dt / 1e9) : 0;
        return CCADA_OK;
}

/* ---- the benchmark ---- */

struct samples {
        double attest[CCADA_SPDM_BENCH_MAX_REPS], secured[CCADA_SPDM_BENCH_MAX_REPS];
        double socket[CCADA_SPDM_BENCH_MAX_REPS], connect[CCADA_SPDM_BENCH_MAX_REPS];
        double floor[CCADA_SPDM_BENCH_MAX_REPS], sign[CCADA_SPDM_BENCH_MAX_REPS],
                verify[CCADA_SPDM_BENCH_MAX_REPS];
        double ecdh[CCADA_SPDM_BENCH_MAX_REPS], keygen[CCADA_SPDM_BENCH_MAX_REPS];
        double ratio[CCADA_SPDM_BENCH_MAX_REPS], ratio_secured[CCADA_SPDM_BENCH_MAX_REPS];
        double socket_ratio[CCADA_SPDM_BENCH_MAX_REPS], socket_io[CCADA_SPDM_BENCH_MAX_REPS];
        double rt[CCADA_SPDM_BENCH_MAX_REPS], aead[CCADA_SPDM_BENCH_MAX_REPS],
                session_ratio[CCADA_SPDM_BENCH_MAX_REPS];
};

/* One repetition, its parts in the header's order. The first one also fills what does not
 * vary (the selection, message count, bytes, record sizes). */
static ccada_status one_rep(struct bench *b, unsigned i, unsigned heartbeats, struct samples *s,
                            struct ccada_spdm_bench_result *out)
{
        struct pair p, q;
        struct floor f = { 0, 0, 0, 0 };
        struct last sizes = { 0, 0 };
        struct socket_run sock = { 0, 0, 0, 0 };
        ccada_status st = attest_memory(b, false, &p, &s->attest[i]);
        if (st == CCADA_OK && i == 0) {
                const struct spdm_req_result *res = spdm_requester_result(p.req);
                snprintf(out->algorithms, sizeof(out->algorithms), "%s", res->algorithms);
                out->messages = res->messages;
        }
        if (st == CCADA_OK)
                st = floor_run(b, i, &f);
        if (st == CCADA_OK) {
                st = attest_memory(b, true, &q, &s->secured[i]);
                pair_free(&q);
        }
        if (st == CCADA_OK)
                st = attest_socket(b, &sock);
        if (st == CCADA_OK)
                st = session_run(b, &p, heartbeats, &s->rt[i], &sizes);
        if (st == CCADA_OK)
                st = aead_floor(b, &sizes, heartbeats, &s->aead[i]);
        pair_free(&p);
        if (st != CCADA_OK)
                return st;
        s->sign[i] = f.sign, s->verify[i] = f.verify, s->ecdh[i] = f.ecdh, s->keygen[i] = f.keygen;
        s->floor[i] = f.sign + f.verify + f.ecdh + f.keygen;
        s->ratio[i] = s->attest[i] / s->floor[i];
        s->ratio_secured[i] = s->secured[i] / s->floor[i];
        s->socket_ratio[i] = sock.ms / s->attest[i];
        s->socket[i] = sock.ms, s->connect[i] = sock.connect_ms;
        s->socket_io[i] = sock.io_ms * 1e3 / (2.0 * out->messages);
        s->session_ratio[i] = s->rt[i] > 0 ? s->aead[i] / s->rt[i] : 0;
        if (i == 0) {
                out->socket_bytes = sock.bytes;
                out->request_record = sizes.req;
                out->response_record = sizes.rsp;
        }
        return CCADA_OK;
}

static void summarize(const struct samples *s, unsigned n, struct ccada_spdm_bench_result *out)
{
        out->attest_ms = median(s->attest, n);
        out->attest_secured_ms = median(s->secured, n);
        out->floor_ms = median(s->floor, n);
        out->floor_sign_ms = median(s->sign, n);
        out->floor_verify_ms = median(s->verify, n);
        out->floor_ecdh_ms = median(s->ecdh, n);
        out->floor_keygen_ms = median(s->keygen, n);
        out->ratio = median(s->ratio, n);
        out->ratio_min = out->ratio_max = s->ratio[0];
        for (unsigned i = 1; i < n; i++) {
                out->ratio_min = s->ratio[i] < out->ratio_min ? s->ratio[i] : out->ratio_min;
                out->ratio_max = s->ratio[i] > out->ratio_max ? s->ratio[i] : out->ratio_max;
        }
        out->ratio_secured = median(s->ratio_secured, n);
        out->socket_ms = median(s->socket, n);
        out->socket_ratio = median(s->socket_ratio, n);
        out->socket_connect_ms = median(s->connect, n);
        out->socket_io_us_per_message = median(s->socket_io, n);
        out->round_trips_per_s = median(s->rt, n);
        out->messages_per_s = 2 * out->round_trips_per_s;
        out->aead_round_trips_per_s = median(s->aead, n);
        out->session_ratio = median(s->session_ratio, n);
}

/* The identity (once, untimed), the leaf's public key alone, the buffers. */
static ccada_status bench_setup(struct bench *b)
{
        static const uint8_t seed[] = "ccada bench spdm";
        static const struct dev_firmware fw = { .version = "1.0.0" };
        uint8_t point[EC_POINT_MAX];
        size_t plen = 0;
        char why[DEV_IDENTITY_WHY_LEN] = "";

        if (!dev_identity_make(&b->id, seed, sizeof(seed) - 1, &fw, why))
                return fail(b, CCADA_E_NOMEM, "cannot make the device's identity: %s", why);
        if (!ec_key_point(b->id.leaf_key, point, sizeof(point), &plen) ||
            !ec_key_from_point(&b->leaf_pub, EC_P384, point, plen))
                return fail(b, CCADA_E_UNSUPPORTED, "cannot take the leaf's public key");
        b->req_buf = malloc(BUF);
        b->rsp_buf = malloc(BUF);
        b->frame_req = malloc(SPDM_EMU_FRAME_MAX);
        b->frame_peer = malloc(SPDM_EMU_FRAME_MAX);
        if (!b->req_buf || !b->rsp_buf || !b->frame_req || !b->frame_peer)
                return fail(b, CCADA_E_NOMEM, "out of memory");
        return CCADA_OK;
}

static void bench_teardown(struct bench *b)
{
        ec_key_free(b->leaf_pub);
        dev_identity_free(&b->id);
        free(b->req_buf);
        free(b->rsp_buf);
        free(b->frame_req);
        free(b->frame_peer);
}

ccada_status ccada_spdm_bench_run(const struct ccada_spdm_bench_cfg *cfg, struct ccada_spdm_bench_result *out,
                                  char *why, size_t why_len)
{
        struct bench b = { .why = why, .why_len = why_len };
        struct samples *s;
        ccada_status st;

        if (why && why_len)
                why[0] = '\0';
        if (!out)
                return fail(&b, CCADA_E_INVAL, "no result to fill");
        memset(out, 0, sizeof(*out));
        unsigned hb = cfg && cfg->heartbeats ? cfg->heartbeats : CCADA_SPDM_BENCH_HEARTBEATS;
        if (!cfg || cfg->reps < 1 || cfg->reps > CCADA_SPDM_BENCH_MAX_REPS ||
            hb > CCADA_SPDM_BENCH_MAX_HEARTBEATS)
                return fail(&b, CCADA_E_INVAL, "repetitions must be 1..%u and heartbeats at most %u",
                            CCADA_SPDM_BENCH_MAX_REPS, CCADA_SPDM_BENCH_MAX_HEARTBEATS);
        if (!(s = calloc(1, sizeof(*s))))
                return fail(&b, CCADA_E_NOMEM, "out of memory");
        st = bench_setup(&b);
        for (unsigned i = 0; st == CCADA_OK && i < cfg->reps; i++)
                st = one_rep(&b, i, hb, s, out);
        if (st == CCADA_OK) {
                out->reps = cfg->reps;
                out->heartbeats = hb;
                out->ops = attest_ops;
                summarize(s, cfg->reps, out);
        } else {
                memset(out, 0, sizeof(*out));
        }
        bench_teardown(&b);
        free(s);
        return st;
}
