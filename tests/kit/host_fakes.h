/* Test rig for the host's PCI bus and VirtIO devices.
 *
 * Guest memory is one byte buffer at FAKE_RAM_BASE seen by the device through
 * host_gpa_read/host_gpa_write/host_gpa_map (defined here) and by the tests' own small driver through
 * fake_ptr(). One range can be revoked: accesses to it then fail with CCADA_E_GPF, as when
 * the driver names private Realm memory.
 *
 * The test driver (tdrv_*) talks to a device only as a guest does: ECAM configuration
 * accesses and BAR accesses through the bus's two host_mmio_dev regions, descriptors and
 * rings written into fake memory with the src/proto encoders.
 */
#ifndef CCADA_TESTS_HOST_HOST_FAKES_H
#define CCADA_TESTS_HOST_HOST_FAKES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "host/pci.h"
#include "lib/trace.h"
#include "proto/virtio_ring.h"

#define FAKE_RAM_BASE 0x80000000u
#define FAKE_RAM_SIZE (2u << 20)

struct host_vm {
        uint8_t *mem;
        uint64_t brk;
        uint64_t revoked_addr, revoked_len;
        uint64_t reads, writes, maps;   /* host_gpa_read, host_gpa_write, host_gpa_map calls */
        struct trace trace;
        FILE *trace_pipe;
        char *trace_text;
        size_t trace_len;
};

/* A VM with zeroed memory and every trace event captured. Aborts the test on failure. */
struct host_vm *fake_vm_create(void);
void fake_vm_destroy(struct host_vm *vm);
/* Bump allocation (aligned, zero-filled). Aborts when memory runs out. */
uint64_t fake_alloc(struct host_vm *vm, size_t len, size_t align);
uint8_t *fake_ptr(struct host_vm *vm, uint64_t gpa, size_t len);
void fake_revoke(struct host_vm *vm, uint64_t gpa, uint64_t len);
bool fake_trace_contains(struct host_vm *vm, const char *needle);

/* ---- guest-side accessors ---- */

uint64_t cfg_rd(struct host_pci_bus *bus, unsigned dev, uint32_t reg, unsigned size);
bool cfg_rd_ok(struct host_pci_bus *bus, uint64_t ecam_off, unsigned size, uint64_t *val);
void cfg_wr(struct host_pci_bus *bus, unsigned dev, uint32_t reg, unsigned size, uint64_t val);
/* Memory access at guest-physical addr in the bus's window; false = SEA. */
bool mem_rd(struct host_pci_bus *bus, uint64_t addr, unsigned size, uint64_t *val);
bool mem_wr(struct host_pci_bus *bus, uint64_t addr, unsigned size, uint64_t val);

/* ---- a minimal virtio-pci driver ---- */

#define TDRV_BAR0 0x50004000u /* where the test driver places BAR0 */

struct tdrv_queue {
        uint16_t index, qsz;
        uint64_t desc, avail, used;
        uint16_t avail_idx, used_seen;
        uint16_t next_desc;
};

#define TDRV_MAX_QUEUES 4u /* queues the test driver can set up */

struct tdrv {
        struct host_vm *vm;
        struct host_pci_bus *bus;
        unsigned devnum;
        uint64_t bar0;
        struct tdrv_queue q;                            /* queue 0: what the calls without _n drive */
        struct tdrv_queue more[TDRV_MAX_QUEUES - 1];    /* queues 1..: the _n calls */
};

/* Assigns BAR0 = TDRV_BAR0 and sets COMMAND.MEMORY. */
void tdrv_attach(struct tdrv *t, struct host_vm *vm, struct host_pci_bus *bus, unsigned devnum);
uint64_t tdrv_common_rd(struct tdrv *t, uint32_t off, unsigned size);
void tdrv_common_wr(struct tdrv *t, uint32_t off, unsigned size, uint64_t val);
uint8_t tdrv_status(struct tdrv *t);
/* Reset, ACK, DRIVER, features, FEATURES_OK; returns the status read back. */
uint8_t tdrv_negotiate(struct tdrv *t, uint64_t features);
/* Allocates rings for queue 0 of qsz entries, programs and enables them. */
void tdrv_setup_queue(struct tdrv *t, uint16_t qsz);
void tdrv_driver_ok(struct tdrv *t);
/* Full bring-up: negotiate(features), queue 0 of qsz, DRIVER_OK. */
void tdrv_bringup(struct tdrv *t, uint64_t features, uint16_t qsz);

/* One buffer of a chain: device-writable when write. */
struct tbuf {
        uint64_t gpa;
        uint32_t len;
        bool write;
};

/* Writes a direct chain of n buffers into the descriptor table and makes it available
 * (without notifying). Returns the head. */
uint16_t tdrv_add(struct tdrv *t, const struct tbuf *bufs, unsigned n);
/* Same, as one INDIRECT descriptor pointing at a table allocated in fake memory. */
uint16_t tdrv_add_indirect(struct tdrv *t, const struct tbuf *bufs, unsigned n);
/* Writes a raw descriptor (for hostile chains). */
void tdrv_put_desc(struct tdrv *t, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next);
/* Publishes head in the avail ring. */
void tdrv_publish(struct tdrv *t, uint16_t head);
/* Writes queue 0's index to its notify address. */
void tdrv_kick(struct tdrv *t);
/* Takes the next used element; false when none. */
bool tdrv_get_used(struct tdrv *t, uint32_t *id, uint32_t *len);

/* ---- any queue (index < TDRV_MAX_QUEUES): for devices with more than one ----
 * Each call does what the one without _n does for queue 0, on queue index; the calls
 * without _n are these with index 0. */
struct tdrv_queue *tdrv_queue_n(struct tdrv *t, uint16_t index);
/* Allocates rings for queue index of qsz entries, programs and enables them. */
void tdrv_setup_queue_n(struct tdrv *t, uint16_t index, uint16_t qsz);
void tdrv_put_desc_n(struct tdrv *t, uint16_t index, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
                     uint16_t next);
uint16_t tdrv_add_n(struct tdrv *t, uint16_t index, const struct tbuf *bufs, unsigned n);
uint16_t tdrv_add_indirect_n(struct tdrv *t, uint16_t index, const struct tbuf *bufs, unsigned n);
void tdrv_publish_n(struct tdrv *t, uint16_t index, uint16_t head);
void tdrv_kick_n(struct tdrv *t, uint16_t index);
bool tdrv_get_used_n(struct tdrv *t, uint16_t index, uint32_t *id, uint32_t *len);

#endif
