/* The Realm's virtio-net driver (src/realm/virtio_net.c), receive path first, against a
 * device the input drives: the test kit's fake virtio-net device (tests/kit/fake_pci_dev.h)
 * in manual mode, so each step chooses which receive buffer completes (a held one, or any
 * id, forged or out of range), the used length, the header and frame bytes written, and a
 * duplicate; other steps make the driver transmit and the device complete some of it. After
 * every step the driver polls (virtio_net_receive).
 *
 * What must hold (a finding aborts):
 *  - receive returns OK, BUSY or BROKEN only; OK with 14..1514 bytes, at most the caller's
 *    capacity (the caller's buffer is exactly that long: ASan sees any overrun), else 0;
 *  - a frame passed up is exactly bytes [12, used) the device wrote for that completion,
 *    behind a header virtio_net_rx_hdr_ok accepts, and nothing after it in the caller's
 *    buffer changed; a well-formed packet (plain header, 26..1526 bytes, fitting the
 *    caller) is never dropped; every completion taken is counted once (packets, drops,
 *    length errors);
 *  - transmit: INVAL exactly for a length outside 14..1514, else OK, NOSPC or BROKEN; what
 *    the device reads is a 12-byte zero header then the frame, byte-exact, one descriptor;
 *  - rx_posted <= min(queue size, VIRTIO_NET_RX_BUFS); the device only ever sees shared
 *    addresses (Realm) and never finds the driver breaking a ring rule;
 *  - not broken (Realm): the bounce pool holds exactly one slot per posted receive buffer
 *    and per frame in flight, so every posted buffer is mapped and nothing leaks;
 *  - broken: stays broken, every later call says BROKEN, nothing posted, nothing mapped,
 *    and a duplicate transmit completion always breaks it at the next poll;
 *  - destroy gives back every page and bounce slot, re-encrypted.
 *
 * Input: 3 header bytes (b0 bit 0 a Realm, bit 1 no EVENT_IDX offered; queue size
 * 1 << (1 + b1 % 8); the caller's capacity 14 + b2 * 6, or 1514 when b2 is 0), then steps:
 * an op byte (bits 0-1 the action: 0 complete the k-th held receive buffer, 1 complete
 * receive id u16, 2 transmit, 3 only poll; bit 3 duplicate the completion; bits 4-7 the
 * used length rule, see used_len) and its arguments (see step_rx, step_tx). Empty input:
 * probe, poll, destroy. At most MAX_STEPS steps run; the rest of a longer input is unread.
 * Seeds: fuzz/corpus/virtio_net_rx (one per behaviour, named after it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_pci_dev.h"
#include "fake_pci_kernel.h"
#include "lib/bytes.h"
#include "proto/virtio.h"
#include "proto/virtio_net.h"
#include "realm/pci.h"
#include "realm/swiotlb.h"
#include "realm/virtio_net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_STEPS 256u
#define MAX_RECS (2u * MAX_STEPS)       /* receive completions pushed (a duplicate is two) */
#define FRAME_ROOM (VIRTIO_NET_MAX_FRAME + 16u) /* the device may write a little more */

enum action { ACT_RX_HELD, ACT_RX_ID, ACT_TX, ACT_POLL };
#define OP_DUP 0x08u
#define SENTINEL 0xA5u          /* the caller's buffer before a receive */

/* One receive completion the device pushed, in push order (the driver takes them so). */
struct rec {
        uint32_t used;
        bool checkable;         /* its bytes [0, used) are all the device's, in the buffer the
                                 * driver will take for it */
        bool must_deliver;      /* a well-formed packet the caller has room for */
        uint8_t seed;           /* frame byte i: frame_byte(seed, i) */
        uint8_t hdr[VIRTIO_NET_HDR_SIZE]; /* the header written */
};

/* One frame the driver accepted and the device has not read yet. */
struct sent {
        uint16_t len;
        uint8_t seed;
};

struct fz {
        struct realm_kernel *k;
        struct fdev *d;
        struct swiotlb *tlb;
        struct pci_root root;
        struct virtio_net *n;
        bool realm, broken, dup_tx_pending;
        size_t cap;
        uint8_t *dst;                   /* cap bytes, malloc'd: ASan sees an overrun */
        unsigned nrx;                   /* receive buffers the driver keeps */
        size_t free_pages;
        struct rec recs[MAX_RECS];
        unsigned rec_head, rec_n;
        bool tainted[FDEV_NET_MAX_QSZ]; /* a head completed while not held: its buffer may be
                                         * one the driver already took back */
        uint64_t taken;                 /* completions the driver counted */
        struct sent tx[VIRTIO_NET_TX_BUFS + 1];
        unsigned tx_head, tx_n;         /* frames in flight, in posting order */
        unsigned tx_logged;             /* frames of the device's log checked */
};

static void __attribute__((noreturn)) finding(const struct fz *f, const char *what)
{
        fprintf(stderr, "virtio-net fuzzer: %s\nthe guest's log:\n%s", what, fake_kernel_log(f->k));
        abort();
}

static uint8_t frame_byte(uint8_t seed, size_t i)
{
        return (uint8_t)(seed * 31u + i * 7u + (i >> 8));
}

static struct virtio_net_stats stats(const struct fz *f)
{
        struct virtio_net_stats st;
        virtio_net_get_stats(f->n, &st);
        return st;
}

static unsigned long pool_used(const struct fz *f)
{
        struct swiotlb_stats st;
        if (!f->tlb)
                return 0;
        swiotlb_get_stats(f->tlb, &st);
        return st.used;
}

/* ---- set-up ---- */

/* The one mutable state the harness keeps across inputs: a fake kernel per mode for the
 * process, as fuzz_virtio_pci_caps.c does. A new one costs 64 MiB of guest memory whose
 * shadow ASan poisons when it is freed: ten times the rest of a short input. An input
 * starts on a kernel as the previous one left it, which is checked to be as it was made
 * (every page given back, none decrypted, the log cleared). Heap allocations are checked
 * when a kernel is retired (fake_kernel_free aborts on any still live), every
 * KERNEL_REUSE inputs: a leak surfaces within that many. */
#define KERNEL_REUSE 256u

static struct realm_kernel *kernel_for(bool realm)
{
        static struct realm_kernel *kernels[2];
        static unsigned uses[2];
        if (kernels[realm] && ++uses[realm] % KERNEL_REUSE == 0) {
                fake_kernel_free(kernels[realm]);
                kernels[realm] = NULL;
        }
        if (!kernels[realm])
                kernels[realm] = fake_kernel_new(realm);
        fake_kernel_log_clear(kernels[realm]);
        return kernels[realm];
}

static struct fz *setup(const uint8_t *data, size_t size)
{
        struct fz *f = calloc(1, sizeof(*f));
        uint8_t b0 = size > 0 ? data[0] : 0, b1 = size > 1 ? data[1] : 7, b2 = size > 2 ? data[2] : 0;
        if (!f)
                abort();
        f->realm = b0 & 1;
        f->k = kernel_for(f->realm);
        f->d = fdev_new(f->k);
        fdev_make_net(f->d);
        f->d->manual = true;
        f->d->queue_size = (uint16_t)(1u << (1 + b1 % 8));
        if (b0 & 2)
                f->d->features &= ~VIRTIO_BIT(VIRTIO_F_EVENT_IDX);
        if (f->realm) {
                /* 512 slots: the largest receive ring and every transmit buffer fit, and a
                 * small pool is quick to make and take down for every input */
                struct swiotlb_config cfg = { .size = 1u << 20 };
                if (swiotlb_init(f->k, &cfg, &f->tlb) != CCADA_OK)
                        finding(f, "no bounce pool");
                fake_kernel_set_swiotlb(f->k, f->tlb);
        }
        f->cap = b2 ? VIRTIO_NET_ETH_HLEN + (size_t)b2 * 6u : VIRTIO_NET_MAX_FRAME;
        f->dst = malloc(f->cap);
        if (!f->dst)
                abort();
        f->free_pages = fake_kernel_free_pages(f->k);
        if (virtio_net_probe_first(f->k, &f->root, &f->n) != CCADA_OK)
                finding(f, "a well-formed device was refused");
        f->nrx = f->d->queue_size < VIRTIO_NET_RX_BUFS ? f->d->queue_size : VIRTIO_NET_RX_BUFS;
        if (stats(f).rx_posted != f->nrx)
                finding(f, "probe did not fill the receive ring");
        return f;
}

static void teardown(struct fz *f)
{
        virtio_net_destroy(f->n);
        if (pool_used(f) != 0)
                finding(f, "destroy left bounce slots mapped");
        if (fake_kernel_free_pages(f->k) != f->free_pages)
                finding(f, "destroy did not give back every page");
        swiotlb_destroy(f->tlb);
        if (fake_kernel_decrypted_pages(f->k) || fake_kernel_bad_frees(f->k))
                finding(f, "a page was left decrypted or freed while decrypted");
        fake_kernel_set_swiotlb(f->k, NULL);
        fdev_free(f->d);
        free(f->dst);
        free(f);
}

/* ---- the device's steps ---- */

/* The used length a step reports, by rule (op bits 4-7), for n bytes written into a buffer
 * of in_len. */
static uint32_t used_len(struct byte_reader *r, unsigned rule, size_t n, uint32_t in_len)
{
        switch (rule) {
        case 10: return in_len;
        case 11: return in_len + 1;             /* beyond the buffer */
        case 12: return br_le16(r);
        case 13: return br_u8(r) % (VIRTIO_NET_HDR_SIZE + VIRTIO_NET_ETH_HLEN + 1); /* short */
        case 14: return br_le32(r);
        case 15: return 0;
        default: return (uint32_t)n;            /* what was written */
        }
}

/* The (k mod held)-th receive buffer the device holds, by head; false when it holds none. */
static bool nth_held(const struct fz *f, unsigned k, uint32_t *id)
{
        unsigned held = 0;
        for (uint16_t h = 0; h < FDEV_NET_MAX_QSZ; h++)
                held += fdev_net_rx_held(f->d, h, NULL);
        if (!held)
                return false;
        k %= held;
        for (uint16_t h = 0; h < FDEV_NET_MAX_QSZ; h++) {
                if (!fdev_net_rx_held(f->d, h, NULL))
                        continue;
                if (k-- == 0) {
                        *id = h;
                        return true;
                }
        }
        return false;
}

static void add_rec(struct fz *f, struct rec r)
{
        if (f->rec_n == MAX_RECS)
                finding(f, "harness: too many completions recorded");
        f->recs[(f->rec_head + f->rec_n++) % MAX_RECS] = r;
}

/* Arguments: the buffer (u8 k for ACT_RX_HELD, le16 id for ACT_RX_ID), a header selector
 * (< 0x80: the plain header, else 12 raw bytes follow), le16 frame length
 * (% FRAME_ROOM + 1), a seed, then the used length rule's bytes. */
static void step_rx(struct fz *f, struct byte_reader *r, uint8_t op)
{
        uint8_t buf[VIRTIO_NET_HDR_SIZE + FRAME_ROOM];
        uint32_t id = 0, in_len = 0;
        fdev_net_rx_take(f->d);
        bool pick = (op & 3) == ACT_RX_HELD ? nth_held(f, br_u8(r), &id) : (id = br_le16(r), true);
        bool plain = br_u8(r) < 0x80;
        memset(buf, 0, VIRTIO_NET_HDR_SIZE);
        buf[VIRTIO_NET_HDR_OFF_NUM_BUFFERS] = 1;
        if (!plain)
                br_bytes(r, buf, VIRTIO_NET_HDR_SIZE);
        size_t flen = br_le16(r) % (FRAME_ROOM + 1);
        uint8_t seed = br_u8(r);
        for (size_t i = 0; i < flen; i++)
                buf[VIRTIO_NET_HDR_SIZE + i] = frame_byte(seed, i);
        bool held = pick && fdev_net_rx_held(f->d, (uint16_t)id, &in_len);
        size_t n = VIRTIO_NET_HDR_SIZE + flen;
        uint32_t used = used_len(r, op >> 4, n, held ? in_len : VIRTIO_NET_RX_BUF);
        if (!pick || fdev_net_rx_complete(f->d, id, buf, n, used) != CCADA_OK)
                return;
        bool whole = held && n <= in_len && used <= n && used >= VIRTIO_NET_HDR_SIZE;
        struct rec rec = { .used = used, .seed = seed, .checkable = whole && !f->tainted[id] };
        memcpy(rec.hdr, buf, VIRTIO_NET_HDR_SIZE);
        rec.must_deliver = rec.checkable && plain && used >= VIRTIO_NET_HDR_SIZE + VIRTIO_NET_ETH_HLEN &&
                           used <= VIRTIO_NET_RX_BUF && used - VIRTIO_NET_HDR_SIZE <= f->cap;
        add_rec(f, rec);
        if (!held && id < FDEV_NET_MAX_QSZ)
                f->tainted[id] = true;
        if ((op & OP_DUP) && fdev_net_rx_complete(f->d, id, NULL, 0, used) == CCADA_OK) {
                add_rec(f, (struct rec){ .used = used });
                if (id < FDEV_NET_MAX_QSZ)
                        f->tainted[id] = true;
        }
}

/* Checks the frames the device read since the last call against what the driver sent. */
static void check_tx_log(struct fz *f)
{
        if (f->d->tx_bad || f->d->tx_bad_hdr || f->d->tx_max_segs > 1)
                finding(f, "a transmit buffer was not one descriptor of a zero header and a frame");
        for (; f->tx_logged < f->d->tx_frames; f->tx_logged++) {
                const struct fdev_frame *got = fdev_net_tx_frame(f->d, f->tx_logged);
                if (!f->tx_n || !got)
                        finding(f, "the device read a frame nobody sent");
                struct sent s = f->tx[f->tx_head];
                f->tx_head = (f->tx_head + 1) % (VIRTIO_NET_TX_BUFS + 1);
                f->tx_n--;
                if (got->len != s.len)
                        finding(f, "a frame went out with another length");
                for (size_t i = 0; i < s.len; i++)
                        if (got->data[i] != frame_byte(s.seed, i))
                                finding(f, "a frame went out with other bytes");
        }
}

/* Arguments: le16 frame length (% (MAX_FRAME + 32)), a seed, how many transmit buffers the
 * device then completes (% 4). */
static void step_tx(struct fz *f, struct byte_reader *r, uint8_t op)
{
        uint8_t frame[VIRTIO_NET_MAX_FRAME + 32] = { 0 };
        size_t len = br_le16(r) % sizeof(frame);
        uint8_t seed = br_u8(r);
        unsigned complete = br_u8(r) % 4;
        for (size_t i = 0; i < len; i++)
                frame[i] = frame_byte(seed, i);
        bool bad_len = len < VIRTIO_NET_ETH_HLEN || len > VIRTIO_NET_MAX_FRAME;
        ccada_status st = virtio_net_xmit(f->n, frame, len);
        bool allowed = bad_len    ? st == CCADA_E_INVAL
                       : f->broken ? st == CCADA_E_BROKEN
                                   : st == CCADA_OK || st == CCADA_E_NOSPC || st == CCADA_E_BROKEN;
        if (!allowed)
                finding(f, "xmit returned what its contract does not allow");
        if (st == CCADA_OK) {
                if (f->tx_n > VIRTIO_NET_TX_BUFS)
                        finding(f, "more frames in flight than transmit buffers");
                struct sent *s = &f->tx[(f->tx_head + f->tx_n++) % (VIRTIO_NET_TX_BUFS + 1)];
                *s = (struct sent){ (uint16_t)len, seed };
        }
        if (st == CCADA_E_BROKEN)
                f->broken = true;
        unsigned bad = f->d->bad_access;
        f->d->dup_complete = (op & OP_DUP) != 0;
        unsigned done = fdev_net_tx_complete(f->d, complete);
        f->d->dup_complete = false;
        check_tx_log(f);
        if (done && (op & OP_DUP) && f->d->bad_access == bad)
                f->dup_tx_pending = true;
}

/* ---- the driver's poll and the invariants ---- */

static void check_taken(struct fz *f, ccada_status st, size_t len)
{
        struct virtio_net_stats s = stats(f);
        uint64_t taken = s.rx_packets + s.rx_dropped + s.rx_length_errors;
        if (taken - f->taken > f->rec_n)
                finding(f, "the driver counted more completions than the device made");
        if (st == CCADA_OK && taken == f->taken)
                finding(f, "a frame was passed up without a completion taken");
        for (; f->taken < taken; f->taken++) {
                struct rec r = f->recs[f->rec_head];
                f->rec_head = (f->rec_head + 1) % MAX_RECS;
                f->rec_n--;
                bool delivered = st == CCADA_OK && f->taken + 1 == taken;
                if (!delivered && r.must_deliver)
                        finding(f, "a well-formed packet was dropped");
                if (!delivered || !r.checkable)
                        continue;
                struct virtio_net_hdr h;
                char why[96];
                if (!virtio_net_hdr_decode(r.hdr, sizeof(r.hdr), &h) ||
                    !virtio_net_rx_hdr_ok(&h, virtio_net_features(f->n), r.used, why))
                        finding(f, "a packet with a bad header was passed up");
                if (len != r.used - VIRTIO_NET_HDR_SIZE)
                        finding(f, "a frame was passed up with another length than the device reported");
                for (size_t i = 0; i < len; i++)
                        if (f->dst[i] != frame_byte(r.seed, i))
                                finding(f, "a frame was passed up with bytes the device did not write there");
        }
}

static void check_state(struct fz *f)
{
        struct virtio_net_stats s = stats(f);
        if (s.rx_posted > f->nrx)
                finding(f, "more receive buffers posted than the ring holds");
        if (f->realm && f->d->private_segs)
                finding(f, "the device was given a private address");
        if (f->d->bad_access || f->d->q[0].dq.broken || f->d->q[1].dq.broken)
                finding(f, "the driver broke a rule of the device's side");
        if (virtio_net_is_broken(f->n)) {
                if (s.rx_posted || pool_used(f))
                        finding(f, "a broken device still has buffers posted or mapped");
                return;
        }
        if (f->broken)
                finding(f, "a broken device came back");
        if (f->realm && pool_used(f) != s.rx_posted + f->tx_n)
                finding(f, "the bounce pool does not hold exactly the posted buffers and frames in flight");
}

/* One poll; false once the driver has nothing more (BUSY or BROKEN). */
static bool poll_once(struct fz *f)
{
        size_t len = 12345;
        memset(f->dst, SENTINEL, f->cap);
        ccada_status st = virtio_net_receive(f->n, f->dst, f->cap, &len);
        if (st != CCADA_OK && st != CCADA_E_BUSY && st != CCADA_E_BROKEN)
                finding(f, "receive returned what its contract does not allow");
        if (f->broken && st != CCADA_E_BROKEN)
                finding(f, "a broken device answered a receive");
        bool len_ok = st == CCADA_OK
                              ? len >= VIRTIO_NET_ETH_HLEN && len <= VIRTIO_NET_MAX_FRAME && len <= f->cap
                              : len == 0;
        if (!len_ok)
                finding(f, "receive reported a length it must not");
        for (size_t i = len; i < f->cap; i++) /* a device byte may equal it: rarely unseen */
                if (f->dst[i] != SENTINEL)
                        finding(f, "receive wrote beyond the frame it reported");
        if (st != CCADA_E_BROKEN) {
                if (f->dup_tx_pending)
                        finding(f, "a duplicate transmit completion went unnoticed");
                check_taken(f, st, len);
        } else {
                f->broken = true;
                f->rec_n = 0;   /* what was pushed is taken back unread */
                f->tx_n = 0;
        }
        check_tx_log(f);
        check_state(f);
        return st == CCADA_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct fz *f = setup(data, size);
        struct byte_reader r;
        br_init(&r, data, size);
        br_skip(&r, 3);
        for (unsigned step = 0; step < MAX_STEPS && br_remaining(&r) > 0; step++) {
                uint8_t op = br_u8(&r);
                switch (op & 3) {
                case ACT_RX_HELD:
                case ACT_RX_ID: step_rx(f, &r, op); break;
                case ACT_TX: step_tx(f, &r, op); break;
                default: break;
                }
                poll_once(f);
        }
        for (unsigned i = 0; i <= MAX_RECS && poll_once(f); i++) /* drain */
                ;
        if (!f->broken && f->rec_n)
                finding(f, "completions were left untaken");
        teardown(f);
        return 0;
}
