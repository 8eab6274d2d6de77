/* The host's virtio-net device (src/host/virtio_net_dev.c) on its virtio-pci transport and
 * PCI bus, driven by a hostile guest: chains of any shape on either queue (readable and
 * writable parts, lengths, addresses outside memory or in an unreachable hole, indirect
 * tables with or without the feature), raw avail-ring heads, bytes patched anywhere in
 * guest memory (rings, descriptors, headers), resets and re-negotiations; and by a backend
 * whose frames, BUSY answers and failures the input chooses.
 *
 * Findings (abort):
 *  - the backend is called while the device is not LIVE (no DRIVER_OK, or NEEDS_RESET);
 *  - tx gets a frame outside 14..1514 bytes, or rx_poll iovecs other than 1514 bytes;
 *  - an iovec handed to the backend lies outside guest memory or touches the hole;
 *  - after a BUSY answer the next frame offered is not the one refused (its length differs)
 *    although the device neither dropped it nor was reset;
 *  - the device's counters disagree with what the backend saw (frames sent, BUSY answers,
 *    frames received).
 * Sanitizers and libFuzzer's timeout catch the rest (a walk that does not end).
 *
 * Input: byte 0 the features (bit 0 INDIRECT_DESC, bit 1 EVENT_IDX, bit 2 MRG_RXBUF, which is
 * refused), byte 1 the queue size (1 << (b % 5)), then operations, each an opcode byte and
 * its arguments (missing bytes read as 0), at most MAX_OPS of them:
 *   0 add a chain: q, segments (1..4), per segment offset le16, length le16, flags (bit 0
 *     device-writable); bit 7 of q: as one indirect descriptor
 *   1 notify queue b & 1          2 poll (timeout b & 1 ms: the backend never sleeps)
 *   3 backend frame of le16 % 1600 bytes (longer than 1514: the backend drops it)
 *   4 backend knobs b: BUSY (b & 3) times, tx fails (4), rx_poll fails (8), wait fails (16),
 *     rx_poll reports 5 bytes (32)
 *   5 patch: 4 bytes at le16      6 reset and bring up with features b
 *   7 hole at le16, b * 16 bytes  8 raw avail head le16 on queue b & 1
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/guest_mem.h"
#include "host/pci.h"
#include "host/virtio_net_dev.h"
#include "lib/bytes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MEM_SIZE    0x8000u                /* guest memory: GPA [0, MEM_SIZE) */
#define QUEUE_AT(q) ((uint64_t)(q)*0x400u) /* desc table, avail at +0x100, used at +0x200 */
#define TABLE_AT(q) (QUEUE_AT(q) + 0x300u) /* the indirect table of the last indirect chain */
#define DEVNUM      1u
#define BAR0        HOST_PCI_WIN_BASE
#define MAX_OPS     96u
#define MAX_FRAMES  8u
#define MAX_SEGS    4u

struct host_vm {
        uint8_t mem[MEM_SIZE];
        uint64_t hole, hole_len; /* faults with CCADA_E_GPF */
};

struct fz;

/* The backend: a FIFO of frame lengths (contents from a seed), knobs, what it saw. */
struct fbe {
        struct net_backend b; /* first */
        struct fz *f;
        size_t frames[MAX_FRAMES];
        unsigned head, count;
        unsigned busy;
        bool tx_fail, rx_fail, wait_fail, claim_runt;
        size_t held_len;     /* the frame answered BUSY (0: none) */
        uint64_t held_drops; /* tx_dropped_bad when it was */
        uint64_t tx_ok, tx_busy, rx_given;
};

struct fz {
        struct host_vm vm;
        struct host_pci_bus bus;
        struct virtio_net_dev *net;
        struct fbe *be;
        uint16_t qsz;
        uint16_t next_desc[2], avail_idx[2];
};

static void __attribute__((noreturn)) finding(const char *what, unsigned long long a, unsigned long long b)
{
        fprintf(stderr, "virtio-net-dev fuzzer: %s (0x%llx, 0x%llx)\n", what, a, b);
        abort();
}

/* ---- the fake guest memory ---- */

static ccada_status reach(const struct host_vm *vm, uint64_t gpa, uint64_t len)
{
        if (gpa > MEM_SIZE || len > MEM_SIZE - gpa)
                return CCADA_E_RANGE;
        if (len && vm->hole_len && gpa < vm->hole + vm->hole_len && vm->hole < gpa + len)
                return CCADA_E_GPF;
        return CCADA_OK;
}

ccada_status host_gpa_read(struct host_vm *vm, uint64_t gpa, void *dst, size_t len)
{
        ccada_status s = reach(vm, gpa, len);
        if (s == CCADA_OK)
                memcpy(dst, vm->mem + gpa, len);
        return s;
}

ccada_status host_gpa_write(struct host_vm *vm, uint64_t gpa, const void *src, size_t len)
{
        ccada_status s = reach(vm, gpa, len);
        if (s == CCADA_OK)
                memcpy(vm->mem + gpa, src, len);
        return s;
}

/* One iovec per 4 KiB page touched, never merged: as if each page sat elsewhere in the host. */
ccada_status host_gpa_map(struct host_vm *vm, uint64_t gpa, size_t len, bool write, struct iovec *iov,
                          unsigned max, unsigned *n)
{
        (void)write;
        ccada_status s = reach(vm, gpa, len);
        unsigned k = *n;
        if (s != CCADA_OK)
                return s;
        while (len > 0) {
                size_t in_page = HOST_GPA_PAGE_SIZE - (size_t)(gpa % HOST_GPA_PAGE_SIZE);
                size_t part = len < in_page ? len : in_page;
                if (k == max)
                        return CCADA_E_NOSPC;
                iov[k++] = (struct iovec){ .iov_base = vm->mem + gpa, .iov_len = part };
                gpa += part;
                len -= part;
        }
        *n = k;
        return CCADA_OK;
}

/* ---- the backend ---- */

/* The device must be LIVE when it calls the backend; what it hands over lies in reachable
 * guest memory. Returns the iovecs' total. */
static size_t check_call(struct fbe *be, const struct iovec *iov, unsigned n, const char *op)
{
        uint8_t st = virtio_pci_dev_status(virtio_net_dev_pci(be->f->net));
        const struct host_vm *vm = &be->f->vm;
        size_t total = 0;
        if (!(st & VIRTIO_STATUS_DRIVER_OK) || (st & VIRTIO_STATUS_DEVICE_NEEDS_RESET)) {
                fprintf(stderr, "during %s:\n", op);
                finding("the backend was called while the device is not LIVE (status)", st, 0);
        }
        for (unsigned i = 0; i < n; i++) {
                const uint8_t *p = iov[i].iov_base;
                if (p < vm->mem || p > vm->mem + MEM_SIZE ||
                    iov[i].iov_len > (size_t)(vm->mem + MEM_SIZE - p))
                        finding("an iovec lies outside guest memory (offset, len)",
                                (unsigned long long)(p - vm->mem), iov[i].iov_len);
                if (reach(vm, (uint64_t)(p - vm->mem), iov[i].iov_len) != CCADA_OK)
                        finding("an iovec touches memory the host cannot reach (offset, len)",
                                (unsigned long long)(p - vm->mem), iov[i].iov_len);
                total += iov[i].iov_len;
        }
        return total;
}

static struct virtio_net_dev_stats dev_stats(const struct fz *f)
{
        struct virtio_net_dev_stats st;
        virtio_net_dev_get_stats(f->net, &st);
        return st;
}

static ccada_status fbe_tx(struct net_backend *b, const struct iovec *iov, unsigned n)
{
        struct fbe *be = (struct fbe *)(void *)b;
        size_t total = check_call(be, iov, n, "tx");
        uint64_t drops = dev_stats(be->f).tx_dropped_bad;
        if (total < VIRTIO_NET_ETH_HLEN || total > VIRTIO_NET_MAX_FRAME)
                finding("tx got a frame outside 14..1514 bytes", total, n);
        if (be->held_len && total != be->held_len && drops == be->held_drops)
                finding("the frame after a BUSY is not the one refused (got, held)", total, be->held_len);
        be->held_len = 0;
        if (be->busy) {
                be->busy--;
                be->tx_busy++;
                be->held_len = total;
                be->held_drops = drops;
                return CCADA_E_BUSY;
        }
        if (be->tx_fail)
                return CCADA_E_IO;
        be->tx_ok++;
        return CCADA_OK;
}

static ccada_status fbe_rx_poll(struct net_backend *b, const struct iovec *iov, unsigned n, size_t *len)
{
        struct fbe *be = (struct fbe *)(void *)b;
        size_t total = check_call(be, iov, n, "rx_poll");
        *len = 0;
        if (total != VIRTIO_NET_MAX_FRAME)
                finding("rx_poll got room other than 1514 bytes", total, n);
        if (be->rx_fail)
                return CCADA_E_IO;
        while (be->count > 0) {
                size_t flen = be->frames[be->head];
                be->head = (be->head + 1) % MAX_FRAMES;
                be->count--;
                if (flen > total)
                        continue; /* dropped whole: the contract */
                size_t off = 0;
                for (unsigned i = 0; i < n && off < flen; i++) {
                        size_t k = flen - off < iov[i].iov_len ? flen - off : iov[i].iov_len;
                        for (size_t j = 0; j < k; j++)
                                ((uint8_t *)iov[i].iov_base)[j] = (uint8_t)(off + j);
                        off += k;
                }
                *len = be->claim_runt ? 5 : flen;
                if (!be->claim_runt && flen >= VIRTIO_NET_ETH_HLEN)
                        be->rx_given++;
                return CCADA_OK;
        }
        return CCADA_OK;
}

static ccada_status fbe_wait(struct net_backend *b, int timeout_ms, bool *ready)
{
        struct fbe *be = (struct fbe *)(void *)b;
        (void)timeout_ms; /* never sleeps */
        *ready = be->count > 0;
        return be->wait_fail ? CCADA_E_IO : CCADA_OK;
}

static void fbe_close(struct net_backend *b) { free(b); }

static const struct net_backend_ops fbe_ops = {
        .kind = "fuzz",
        .tx = fbe_tx,
        .rx_poll = fbe_rx_poll,
        .wait = fbe_wait,
        .close = fbe_close,
};

/* ---- a minimal driver: configuration and BAR0 accesses through the bus ---- */

static void common_wr(struct fz *f, uint32_t off, unsigned size, uint64_t val)
{
        (void)f->bus.window.write(&f->bus.window, BAR0 - HOST_PCI_WIN_BASE + VIRTIO_PCI_COMMON_OFF + off,
                                  size, val);
}

static uint64_t common_rd(struct fz *f, uint32_t off, unsigned size)
{
        uint64_t v = 0;
        (void)f->bus.window.read(&f->bus.window, BAR0 - HOST_PCI_WIN_BASE + VIRTIO_PCI_COMMON_OFF + off, size,
                                 &v);
        return v;
}

static void kick(struct fz *f, unsigned q)
{
        common_wr(f, VIRTIO_PCI_COMMON_Q_SELECT, 2, q);
        uint64_t noff = common_rd(f, VIRTIO_PCI_COMMON_Q_NOFF, 2);
        (void)f->bus.window.write(
                &f->bus.window,
                BAR0 - HOST_PCI_WIN_BASE + VIRTIO_PCI_NOTIFY_OFF + noff * VIRTIO_PCI_NOTIFY_MULT, 2, q);
}

/* Reset, negotiate b's features, both queues at their fixed places, DRIVER_OK. */
static void bringup(struct fz *f, uint8_t b)
{
        uint64_t features = VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM) |
                            VIRTIO_BIT(VIRTIO_NET_F_MAC) | VIRTIO_BIT(VIRTIO_NET_F_STATUS);
        features |= (b & 1 ? VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) : 0) |
                    (b & 2 ? VIRTIO_BIT(VIRTIO_F_EVENT_IDX) : 0) |
                    (b & 4 ? VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF) : 0);
        common_wr(f, VIRTIO_PCI_COMMON_STATUS, 1, 0);
        common_wr(f, VIRTIO_PCI_COMMON_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
        for (uint32_t sel = 0; sel < 2; sel++) {
                common_wr(f, VIRTIO_PCI_COMMON_GFSELECT, 4, sel);
                common_wr(f, VIRTIO_PCI_COMMON_GF, 4, (uint32_t)(features >> (32 * sel)));
        }
        common_wr(f, VIRTIO_PCI_COMMON_STATUS, 1,
                  VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
        for (unsigned q = 0; q < 2; q++) {
                memset(f->vm.mem + QUEUE_AT(q), 0, 0x300); /* fresh rings */
                f->next_desc[q] = f->avail_idx[q] = 0;
                common_wr(f, VIRTIO_PCI_COMMON_Q_SELECT, 2, q);
                common_wr(f, VIRTIO_PCI_COMMON_Q_SIZE, 2, f->qsz);
                common_wr(f, VIRTIO_PCI_COMMON_Q_DESCLO, 8, QUEUE_AT(q));
                common_wr(f, VIRTIO_PCI_COMMON_Q_AVAILLO, 8, QUEUE_AT(q) + 0x100);
                common_wr(f, VIRTIO_PCI_COMMON_Q_USEDLO, 8, QUEUE_AT(q) + 0x200);
                common_wr(f, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
        }
        f->be->held_len = 0; /* a reset forgets the refused frame */
        common_wr(f, VIRTIO_PCI_COMMON_STATUS, 1,
                  common_rd(f, VIRTIO_PCI_COMMON_STATUS, 1) | VIRTIO_STATUS_DRIVER_OK);
}

static void put_desc(struct fz *f, uint64_t table, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
                     uint16_t next)
{
        uint8_t *d = f->vm.mem + table + 16u * i;
        st_le64(d, addr);
        st_le32(d + 8, len);
        st_le16(d + 12, flags);
        st_le16(d + 14, next);
}

static void publish(struct fz *f, unsigned q, uint16_t head)
{
        uint8_t *avail = f->vm.mem + QUEUE_AT(q) + 0x100;
        st_le16(avail + 4 + 2u * (f->avail_idx[q] % f->qsz), head);
        f->avail_idx[q]++;
        st_le16(avail + 2, f->avail_idx[q]);
}

/* ---- the input ---- */

struct in {
        const uint8_t *p;
        size_t n, at;
};

static uint8_t u8(struct in *in) { return in->at < in->n ? in->p[in->at++] : 0; }

static uint16_t u16(struct in *in)
{
        uint16_t lo = u8(in);
        return (uint16_t)(lo | (uint16_t)(u8(in) << 8));
}

static void add_chain(struct fz *f, struct in *in)
{
        uint8_t qb = u8(in);
        unsigned q = qb & 1u, nseg = u8(in) % MAX_SEGS + 1;
        bool indirect = qb & 0x80;
        uint64_t table = indirect ? TABLE_AT(q) : QUEUE_AT(q);
        uint16_t head = f->next_desc[q];
        for (unsigned i = 0; i < nseg; i++) {
                uint16_t off = u16(in), len = u16(in);
                uint8_t fl = u8(in);
                unsigned slot = indirect ? i : (head + i) % f->qsz;
                uint16_t next = (uint16_t)(indirect ? i + 1 : (head + i + 1) % f->qsz);
                uint16_t flags = (uint16_t)((fl & 1 ? VRING_DESC_F_WRITE : 0) |
                                            (i + 1 < nseg ? VRING_DESC_F_NEXT : 0));
                put_desc(f, table, slot, off, len, flags, next);
        }
        if (indirect) {
                put_desc(f, QUEUE_AT(q), head, TABLE_AT(q), (uint32_t)(nseg * 16u), VRING_DESC_F_INDIRECT, 0);
                f->next_desc[q] = (uint16_t)((head + 1) % f->qsz);
        } else {
                f->next_desc[q] = (uint16_t)((head + nseg) % f->qsz);
        }
        publish(f, q, head);
}

static void knobs(struct fbe *be, uint8_t b)
{
        be->busy = b & 3u;
        be->tx_fail = b & 4u;
        be->rx_fail = b & 8u;
        be->wait_fail = b & 16u;
        be->claim_runt = b & 32u;
}

static void step(struct fz *f, struct in *in)
{
        uint8_t op = u8(in) % 9u;
        unsigned delivered;
        switch (op) {
        case 0: add_chain(f, in); break;
        case 1: kick(f, u8(in) & 1u); break;
        case 2: {
                ccada_status s = virtio_net_dev_poll(f->net, u8(in) & 1, &delivered);
                if (s != CCADA_OK && s != CCADA_E_IO)
                        finding("poll returned a status the backend never gives", s, delivered);
                break;
        }
        case 3:
                if (f->be->count < MAX_FRAMES)
                        f->be->frames[(f->be->head + f->be->count++) % MAX_FRAMES] = u16(in) % 1600u;
                break;
        case 4: knobs(f->be, u8(in)); break;
        case 5: {
                uint16_t at = (uint16_t)(u16(in) % (MEM_SIZE - 4));
                for (unsigned i = 0; i < 4; i++)
                        f->vm.mem[at + i] = u8(in);
                break;
        }
        case 6: bringup(f, u8(in)); break;
        case 7:
                f->vm.hole = u16(in) % MEM_SIZE;
                f->vm.hole_len = (uint64_t)u8(in) * 16u;
                break;
        default: {
                uint8_t q = u8(in) & 1u;
                publish(f, q, u16(in));
                break;
        }
        }
}

/* The device's counters against what the backend saw. */
static void check_stats(const struct fz *f)
{
        struct virtio_net_dev_stats st = dev_stats(f);
        if (st.tx_frames != f->be->tx_ok)
                finding("tx_frames differs from the frames the backend took", st.tx_frames, f->be->tx_ok);
        if (st.tx_busy_retries != f->be->tx_busy)
                finding("tx_busy_retries differs from the backend's BUSY answers", st.tx_busy_retries,
                        f->be->tx_busy);
        if (st.rx_frames > f->be->rx_given)
                finding("rx_frames exceeds the frames the backend handed over", st.rx_frames,
                        f->be->rx_given);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static struct fz f; /* guest memory: off the stack */
        struct in in = { .p = data, .n = size };
        struct virtio_net_dev_config cfg = { .vm = &f.vm };
        memset(&f, 0, sizeof(f));
        uint8_t features = u8(&in);
        f.qsz = (uint16_t)(1u << (u8(&in) % 5u));
        cfg.queue_size = 16;
        f.be = calloc(1, sizeof(*f.be));
        if (!f.be)
                return 0;
        f.be->b.ops = &fbe_ops;
        f.be->f = &f;
        if (host_pci_bus_init(&f.bus, HOST_PCI_ECAM_BASE, HOST_PCI_WIN_BASE, HOST_PCI_WIN_SIZE) != CCADA_OK ||
            virtio_net_dev_open(&f.net, &cfg, &f.be->b) != CCADA_OK)
                finding("the device did not open", 0, 0);
        if (host_pci_bus_add(&f.bus, virtio_net_dev_func(f.net), DEVNUM) != CCADA_OK)
                finding("the device did not go on the bus", 0, 0);
        (void)f.bus.ecam.write(&f.bus.ecam, PCI_ECAM_OFFSET(0, DEVNUM, 0, PCI_BASE_ADDRESS_0), 4, BAR0);
        (void)f.bus.ecam.write(&f.bus.ecam, PCI_ECAM_OFFSET(0, DEVNUM, 0, PCI_COMMAND), 2,
                               PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
        bringup(&f, features);
        for (unsigned i = 0; i < MAX_OPS && in.at < in.n; i++) {
                step(&f, &in);
                check_stats(&f);
        }
        if (getenv("CCADA_FUZZ_VERBOSE")) {
                struct virtio_net_dev_stats st = dev_stats(&f);
                fprintf(stderr,
                        "virtio-net-dev fuzzer: status 0x%x tx %llu dropped %llu busy %llu rx %llu no_buffer "
                        "%llu "
                        "bad_buffers %llu backend_errors %llu\n",
                        virtio_pci_dev_status(virtio_net_dev_pci(f.net)), (unsigned long long)st.tx_frames,
                        (unsigned long long)st.tx_dropped_bad, (unsigned long long)st.tx_busy_retries,
                        (unsigned long long)st.rx_frames, (unsigned long long)st.rx_no_buffer,
                        (unsigned long long)st.rx_bad_buffers, (unsigned long long)st.backend_errors);
        }
        host_pci_bus_remove(virtio_net_dev_func(f.net));
        virtio_net_dev_close(f.net);
        return 0;
}
