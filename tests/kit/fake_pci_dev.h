/* A test-only PCI bus 0 and virtio-blk device (modern virtio-pci), emulated behind the
 * fake kernel's MMIO hook, for the Realm's PCI / virtio-pci / virtio-blk driver tests.
 *
 * Functions: fdev->fns[] (slot, function, a 256-byte config image, BAR sizing values).
 * fns[0] is the virtio-blk device: vendor 0x1AF4 device 0x1042 class 0x010000, a 32-bit
 * 16 KiB BAR 0 holding COMMON (0x0000, 0x38 bytes), ISR (0x1000), DEVICE (0x2000, 0x100)
 * and NOTIFY (0x3000, 0x1000, multiplier 4), with capabilities at 0x40/0x50/0x64/0x74.
 * Tests overwrite any config byte or knob to play a hostile host.
 *
 * The device processes its queue when the driver waits (rk_wait) after a notify, with
 * src/host/virtqueue_dev.c over the fake guest memory (host view: decrypted pages only
 * in a Realm, so a driver that hands it a private address gets an I/O error).
 */
#ifndef CCADA_TESTS_REALM_FAKE_PCI_DEV_H
#define CCADA_TESTS_REALM_FAKE_PCI_DEV_H

#include <stdbool.h>
#include <stdint.h>

#include "host/virtqueue_dev.h"
#include "realm/kernel.h"

#define FDEV_ECAM 0x40000000ull
#define FDEV_WINDOW 0x50000000ull
#define FDEV_WINDOW_SIZE (256ull << 20)
#define FDEV_MAX_FNS 4u
#define FDEV_BAR0_SIZE 0x4000u
#define FDEV_COMMON_OFF 0x0000u
#define FDEV_ISR_OFF 0x1000u
#define FDEV_DEVICE_OFF 0x2000u
#define FDEV_NOTIFY_OFF 0x3000u
#define FDEV_CAP_COMMON 0x40u
#define FDEV_CAP_NOTIFY 0x50u
#define FDEV_CAP_ISR 0x64u
#define FDEV_CAP_DEVICE 0x74u
#define FDEV_DISK_SECTORS 8192u /* 4 MiB */

struct host_vm {
        struct realm_kernel *k;
};

struct fdev_fn {
        bool present;
        uint8_t dev, fn;
        uint8_t cfg[256];
        uint32_t sizing[6];     /* what a BAR reads after all ones were written */
        bool probing[6];
        uint32_t bar[6];        /* current BAR register values */
        bool upper[6];          /* register is the upper half of a 64-bit BAR */
        unsigned bar_writes;
};

struct fdev {
        struct realm_kernel *k;
        struct host_vm vm;
        struct fdev_fn fns[FDEV_MAX_FNS];
        /* virtio knobs (fns[0]) */
        uint64_t features;      /* offered */
        uint16_t num_queues, queue_size, notify_off;
        bool clear_features_ok, never_reset, unstable_generation, never_complete;
        int force_status;       /* -1: real status */
        int force_used_len;     /* -1: real length */
        uint8_t blkcfg[0x100];  /* device configuration image (little-endian) */
        uint8_t id[20];
        uint8_t *disk;
        /* virtio state */
        uint32_t dfsel, gfsel;
        uint64_t driver_features;
        uint8_t status, generation;
        uint16_t qsel, qsize, qenable;
        uint64_t qdesc, qavail, qused;
        bool kicked;
        bool dq_ready;
        struct vdev_queue dq;
        struct vdq_elem elem;
        /* observations */
        unsigned bad_access;    /* wrong-width or unknown register accesses */
        unsigned notifies, requests, flushes, max_data_segs;
        unsigned private_segs;  /* segments without the shared bit (Realm) */
        uint32_t last_type;
        uint8_t status_writes[16];
        unsigned nstatus_writes;
};

/* Creates the bus with the virtio-blk function at 00:00.0, installs the MMIO model,
 * the PCI window and the rk_wait hook on k. Aborts on allocation failure. */
struct fdev *fdev_new(struct realm_kernel *k);
void fdev_free(struct fdev *d);

/* Adds a plain function (no caps) with a 32-bit memory BAR 0 of bar0_size (0: none). */
struct fdev_fn *fdev_add_fn(struct fdev *d, uint8_t dev, uint8_t fn, uint16_t vendor, uint16_t device,
                            uint32_t bar0_size);
/* Makes BAR i of f a memory BAR of size (64-bit: also uses i + 1). */
void fdev_set_bar(struct fdev_fn *f, unsigned i, uint64_t size, bool is64);
/* Writes a virtio vendor capability at off of fns[0]. */
void fdev_put_vcap(struct fdev *d, uint8_t off, uint8_t next, uint8_t type, uint8_t bar, uint32_t offset,
                   uint32_t length, uint32_t mult);
/* Little-endian helpers on a config image. */
void fdev_cfg_put(uint8_t *img, unsigned off, unsigned size, uint64_t v);
uint64_t fdev_cfg_get(const uint8_t *img, unsigned off, unsigned size);

#endif
