/* The `blk-test` app: writes a deterministic pattern to a virtio-blk disk, flushes, reads
 * it back and compares, then asks for the disk's ID. It runs as task "blk-test" (pid
 * BLK_TEST_PID), so in a Realm the swiotlb_bounced trace lines of its I/O are attributed
 * to "blk-test-142", as a Linux app's would be.
 *
 * Pattern: prng_seed(cfg->seed) then prng_fill over the whole region, in order.
 * I/O: the whole region is one batch (virtio_blk_submit: up to the queue depth in
 * flight): the first request is a scatter-gather write of 3 segments (when it holds at
 * least 3 sectors), the rest plain writes of request_size bytes; reads mirror that (first
 * a 3-segment readv). The queue's depth, most in flight and requeues go into the report's
 * "blk" section. Context: the Realm's init, single-threaded.
 */
#ifndef CCADA_REALM_APPS_BLK_TEST_H
#define CCADA_REALM_APPS_BLK_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ccada/status.h"
#include "realm/virtio_blk.h"

struct realm_kernel;

#define BLK_TEST_COMM "blk-test"
#define BLK_TEST_PID 142
#define BLK_TEST_DEFAULT_BYTES (256u << 10)
#define BLK_TEST_DEFAULT_REQUEST (64u << 10)
/* Largest region one run moves (two private buffers of this size are allocated). */
#define BLK_TEST_MAX_BYTES (16u << 20)

struct blk_test_config {
        uint64_t seed;          /* pattern seed */
        uint64_t bytes;         /* 0: BLK_TEST_DEFAULT_BYTES; multiple of 512, <= BLK_TEST_MAX_BYTES */
        uint32_t request_size;  /* 0: BLK_TEST_DEFAULT_REQUEST; multiple of 512, <= 1 MiB */
        uint64_t start_sector;  /* first sector written */
};

struct blk_test_result {
        uint64_t bytes_written;
        uint64_t bytes_read;
        bool verified;          /* read-back equals the pattern */
        uint64_t requests;      /* device requests issued by the run */
        uint64_t requeues;      /* requests put back for lack of bounce slots or descriptors */
        unsigned max_in_flight; /* most requests in flight at once (since probe) */
        unsigned queue_depth;   /* the device's queue depth */
        char id[VIRTIO_BLK_ID_LEN]; /* GET_ID answer ("" when unsupported) */
};

/* Runs the test on b (probed, not broken). cfg may be NULL (all defaults). res is always
 * filled with what was done, also on failure. Progress is printed with rk_printk
 * ("blk-test: ..."). The previous current task is restored on return.
 * Returns CCADA_OK (written, flushed, read back, identical); CCADA_E_INVAL (NULL k/b/res,
 * bad sizes); CCADA_E_RANGE (the region exceeds the capacity); CCADA_E_NOMEM (buffers);
 * CCADA_E_VERIFY (data differ: the first differing offset is printed); the status of the
 * failing virtio_blk operation (GET_ID answered UNSUPP is not a failure). */
ccada_status blk_test_run(struct realm_kernel *k, struct virtio_blk *b, const struct blk_test_config *cfg,
                          struct blk_test_result *res) CCADA_MUST_CHECK;

/* The same test on an accepted TDI's block function (realm/tdi_blk.h): the same pattern and
 * request size, each request DMA'd by the device straight to or from the private buffers (no
 * bounce, no scatter-gather, one request at a time), a FLUSH descriptor between, no ID.
 * res's queue fields: the ring's size and 1. Returns as blk_test_run. */
struct tdi_blk;
ccada_status blk_test_run_tdi(struct realm_kernel *k, struct tdi_blk *t, const struct blk_test_config *cfg,
                              struct blk_test_result *res) CCADA_MUST_CHECK;

#endif
