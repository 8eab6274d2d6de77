/* virtio-blk device model (virtio 1.2 §5.2) on the virtio-pci transport.
 *
 * One request queue. Requests are served synchronously when the driver notifies:
 *   IN (read), OUT (write), FLUSH, GET_ID (VIRTIO_BLK_ID_BYTES, NUL-padded serial);
 *   any other type completes with UNSUPP.
 * A request's device-readable part starts with the 16-byte header; its device-writable
 * part ends with the status byte (virtio 1.2 §5.2.6). The layout across descriptors does
 * not matter (virtio 1.2 §2.7.4, message framing).
 *   - IN: readable part exactly the header; writable part = data + status.
 *   - OUT: readable part = header + data; writable part exactly the status byte.
 *   - FLUSH: header only; writable part exactly the status byte.
 *   - GET_ID: header only; writes min(data, 20) bytes of the serial.
 * Data for IN/OUT is a multiple of 512 bytes, at most VIRTIO_BLK_DEV_MAX_DATA, within
 * capacity; otherwise (or when the backend or guest memory fails) the status is IOERR.
 * used.len is the number of bytes written to the writable part (data + status on
 * success, the status byte alone on error).
 * A chain the device cannot answer at all (readable part shorter than the header, no
 * writable byte for the status, a status byte the host cannot write) or a ring the driver
 * broke (vdq_pop's CCADA_E_PEER) sets DEVICE_NEEDS_RESET: the device stops until reset.
 *
 * Backend: any struct blk_backend (host/blk_backend.h: a file, RAM), reached only through
 * its ops. Capacity is the backend's size in 512-byte sectors (a trailing partial sector is
 * not used). Data moves once: IN and OUT payloads are resolved to iovecs over the guest's
 * shared pages (vdq_map_in/vdq_map_out) and handed to the backend, which reads into them or
 * writes from them; the device keeps no bounce buffer of its own. The header and the status
 * byte are copied (they are decoded and encoded). A request whose payload the host cannot
 * reach, all of it, reaches no backend: IOERR, and nothing was read or written.
 * Everything the device decides on (header, lengths, the chain) is copied in or shadowed
 * first; the payload is data only, so a driver that changes it while the request is in
 * flight gets what it raced, as with any DMA, and cannot steer the device.
 *
 * Offered features: SIZE_MAX (size_max = VIRTIO_BLK_DEV_SIZE_MAX: one SWIOTLB bounce
 * mapping at most, what a Realm can bounce at once), SEG_MAX (seg_max =
 * VIRTIO_BLK_DEV_SEG_MAX), BLK_SIZE (512), FLUSH; plus the transport's.
 *
 * Context: single-threaded; the device is owned by whoever opened it.
 */
#ifndef CCADA_HOST_VIRTIO_BLK_DEV_H
#define CCADA_HOST_VIRTIO_BLK_DEV_H

#include <stdbool.h>
#include <stdint.h>

#include "ccada/status.h"
#include "host/blk_backend.h"
#include "host/guest_mem.h"
#include "host/virtio_pci.h"
#include "proto/virtio_blk.h"

#define VIRTIO_BLK_DEV_MAX_DATA   (4u << 20)            /* bytes of data per request */
#define VIRTIO_BLK_DEV_SIZE_MAX   (256u << 10)          /* largest segment */
#define VIRTIO_BLK_DEV_SEG_MAX    (VDQ_MAX_SEGS - 2u)   /* data segments: header, status */
#define VIRTIO_BLK_DEV_QUEUE_SIZE 128u                  /* default maximum queue size */
#define VIRTIO_BLK_DEV_DEFAULT_ID "ccada-blk0"
#define VIRTIO_BLK_DEV_CLASS      0x018000u             /* mass storage, other */
/* iovecs one request's payload may need: a page each, plus two per segment for its ends. */
#define VIRTIO_BLK_DEV_MAX_IOV    (VIRTIO_BLK_DEV_MAX_DATA / HOST_GPA_PAGE_SIZE + 2u * VDQ_MAX_SEGS)

struct virtio_blk_dev; /* opaque */

struct virtio_blk_dev_config {
        struct host_vm *vm;             /* whose memory the queue lives in (required) */
        struct trace *trace;            /* may be NULL */
        const char *serial;             /* GET_ID answer (first 20 bytes); NULL: the default */
        uint16_t queue_size;            /* maximum queue size; 0: VIRTIO_BLK_DEV_QUEUE_SIZE */
        /* Optional, passed to the transport (see struct virtio_pci_config). */
        void (*interrupt)(struct virtio_pci_dev *d, uint8_t isr);
};

struct virtio_blk_dev_stats {
        uint64_t requests;              /* completed (any status) */
        uint64_t reads, writes, flushes, get_ids, unsupported;
        uint64_t bytes_read;            /* from the backend to the guest */
        uint64_t bytes_written;         /* from the guest to the backend */
        uint64_t errors;                /* completed with IOERR */
};

/* Opens a device over backend b, which it takes over: b is closed by virtio_blk_dev_close, or
 * at once when this call fails. The capacity is b's size in whole sectors.
 * Errors: CCADA_E_INVAL (NULL arguments, no vm, bad queue size, b smaller than a sector),
 * CCADA_E_NOMEM, or blk_backend_size's error. */
ccada_status virtio_blk_dev_open(struct virtio_blk_dev **out, const struct virtio_blk_dev_config *cfg,
                                 struct blk_backend *b) CCADA_MUST_CHECK;

/* The four below open a backend (blk_file_open*, blk_ram_open, blk_file_open_temp) with the
 * disk rules the board relies on (sizes in whole sectors, a file at least one sector) and a
 * device over it. why (may be NULL) receives the reason when opening failed: the backend's,
 * or BLK_ERR_TOO_SMALL for a medium smaller than a sector. */

/* Opens a device backed by the image file at path, never modifying data the file holds:
 *   - a file that holds data (length > 0) is opened read-only, under a copy-on-write overlay
 *     in host RAM (blk_cow.h): the guest reads and writes the disk as usual, its writes are
 *     lost at close, and the file's bytes and modification time stay as they were;
 *   - a missing file, when create_size_if_missing > 0, is created (mode 0600), and an empty
 *     one grown, to that many bytes (rounded down to sectors): a new image, read and written.
 * Whether the overlay is used: blk_cow_base(virtio_blk_dev_backend(d)) != NULL.
 * *out is the new device; close it with virtio_blk_dev_close().
 * Errors: CCADA_E_INVAL (NULL arguments, no vm, bad queue size), CCADA_E_IO (open, create,
 * size or stat failed; not a regular file; a file smaller than a sector: BLK_ERR_TOO_SMALL),
 * CCADA_E_NOMEM. */
ccada_status virtio_blk_dev_open_file(struct virtio_blk_dev **out, const struct virtio_blk_dev_config *cfg,
                                      const char *path, uint64_t create_size_if_missing,
                                      struct blk_error *why) CCADA_MUST_CHECK;

/* As virtio_blk_dev_open_file, but the guest's writes reach the file whatever it holds: for
 * a caller whose user said that the workload may write to this image.
 * Errors: as virtio_blk_dev_open_file. */
ccada_status virtio_blk_dev_open_file_writable(struct virtio_blk_dev **out, const struct virtio_blk_dev_config *cfg,
                                               const char *path, uint64_t create_size_if_missing,
                                               struct blk_error *why) CCADA_MUST_CHECK;

/* Opens a device backed by size bytes of zeroed RAM (rounded down to sectors, >= 512).
 * Errors: CCADA_E_INVAL, CCADA_E_NOMEM. */
ccada_status virtio_blk_dev_open_ram(struct virtio_blk_dev **out, const struct virtio_blk_dev_config *cfg,
                                     uint64_t size, struct blk_error *why) CCADA_MUST_CHECK;

/* Opens a device backed by a new temporary file of size bytes in $TMPDIR (default /tmp),
 * created with mkstemp and unlinked at once: it disappears when the device is closed.
 * Errors: as virtio_blk_dev_open_file. */
ccada_status virtio_blk_dev_open_temp(struct virtio_blk_dev **out, const struct virtio_blk_dev_config *cfg,
                                      uint64_t size, struct blk_error *why) CCADA_MUST_CHECK;

/* Closes the backend and frees d (NULL: no-op). Remove it from its bus first. */
void virtio_blk_dev_close(struct virtio_blk_dev *d);

/* The transport and PCI function, for host_pci_bus_add() and tests. */
struct virtio_pci_dev *virtio_blk_dev_pci(struct virtio_blk_dev *d);
struct host_pci_func *virtio_blk_dev_func(struct virtio_blk_dev *d);

/* Capacity in 512-byte sectors. */
uint64_t virtio_blk_dev_capacity(const struct virtio_blk_dev *d);
void virtio_blk_dev_get_stats(const struct virtio_blk_dev *d, struct virtio_blk_dev_stats *st);
/* The backend, for inspection (the device still owns it). */
struct blk_backend *virtio_blk_dev_backend(struct virtio_blk_dev *d);
/* The backing file descriptor (-1 when the backend is not a file), for inspection only: do
 * not close it. Same as blk_file_fd(virtio_blk_dev_backend(d)). */
int virtio_blk_dev_fd(const struct virtio_blk_dev *d);

#endif
