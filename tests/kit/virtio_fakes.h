/* Test fakes for the virtqueue tests: ONE byte buffer stands for guest memory, seen by the
 * Realm driver through rk_read/rk_write (IPA) and by the host device through
 * host_gpa_read/host_gpa_write (GPA, identical addresses here). Driver and device share
 * nothing else.
 *
 * Every fake_alloc() area is surrounded by canary bytes; fake_canaries_intact() checks
 * that nobody wrote outside an area. Ranges can be revoked (accesses fail with
 * CCADA_E_GPF) to model the host pulling shared pages away.
 */
#ifndef CCADA_TESTS_VIRTIO_FAKES_H
#define CCADA_TESTS_VIRTIO_FAKES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "host/virtqueue_dev.h"
#include "lib/trace.h"
#include "realm/kernel.h"
#include "realm/kheap.h"
#include "realm/virtqueue.h"

#define FAKE_MEM_BASE   0x40000000u
#define FAKE_MEM_SIZE   (2u << 20)
#define FAKE_CANARY     0xCAu
#define FAKE_CANARY_LEN 64u
#define FAKE_MAX_ALLOCS 256u
#define FAKE_FREE_FILL  0x5Au

struct fake_machine;

struct realm_kernel {
        struct fake_machine *m;
        struct kheap heap;      /* rk_zalloc: empty again when the test tears down */
        uint64_t ida[RK_IDA_COUNT];
};

struct host_vm {
        struct fake_machine *m;
};

struct fake_area {
        uint64_t addr;
        size_t len;
};

struct fake_machine {
        uint8_t *mem;
        uint64_t brk;
        struct fake_area allocs[FAKE_MAX_ALLOCS];
        unsigned nallocs;
        struct fake_area revoked;       /* len 0: none */
        unsigned long realm_accesses;   /* rk_read/rk_write/rk_fill calls so far */
        unsigned long fail_access;      /* the one of them that fails (0: none) */
        struct realm_kernel k;
        struct host_vm vm;
        struct realm_task task;
        struct trace trace;
        FILE *trace_pipe;
        char *trace_text;
        size_t trace_len;
        char log[16384];
        size_t log_len;
};

/* Creates a machine (memory filled with FAKE_FREE_FILL, every trace event enabled and
 * captured). Never returns NULL (aborts the test on allocation failure). */
struct fake_machine *fake_create(void);
void fake_destroy(struct fake_machine *m);

/* Allocates len bytes aligned to align (power of two, >= 1), with canaries around them;
 * the bytes are filled with fill. Aborts the test when memory runs out. */
uint64_t fake_alloc(struct fake_machine *m, size_t len, size_t align, uint8_t fill);
/* True when every canary byte of every area is intact. */
bool fake_canaries_intact(const struct fake_machine *m);
/* Direct pointer to addr (for the tests' own hostile peer). Aborts when out of range. */
uint8_t *fake_ptr(struct fake_machine *m, uint64_t addr, size_t len);
/* Makes accesses touching [addr, addr + len) fail with CCADA_E_GPF. */
void fake_revoke(struct fake_machine *m, uint64_t addr, size_t len);

/* Makes the n-th Realm access (rk_read, rk_write or rk_fill) from now on fail with
 * CCADA_E_SEA without touching memory, as when the host pulls a shared page away between
 * two accesses; every other access behaves as usual. n == 0 disarms. */
void fake_fail_nth_access(struct fake_machine *m, unsigned long n);
/* True once the access armed by fake_fail_nth_access() has failed. */
bool fake_failed_access_fired(const struct fake_machine *m);

/* True when the printk log / the trace output contains needle. */
bool fake_log_contains(const struct fake_machine *m, const char *needle);
bool fake_trace_contains(struct fake_machine *m, const char *needle);

/* A driver queue and a device queue over rings allocated in m. */
struct fake_vq {
        struct fake_machine *m;
        struct virtqueue vq;
        struct vdev_queue dq;
        struct vq_config cfg;
};

/* Allocates the rings (and indirect tables when indirect), initialises both ends. */
void fake_vq_setup(struct fake_vq *p, uint16_t qsz, bool indirect, bool event_idx);
void fake_vq_teardown(struct fake_vq *p);

#endif
