/* A block backend in host RAM (see blk_backend.h): the medium is a zeroed allocation of this
 * process, gone when the backend is closed. Reads and writes are memcpy and cannot fail once
 * the contract is met; flush has nothing to do. */
#ifndef CCADA_HOST_BLK_RAM_H
#define CCADA_HOST_BLK_RAM_H

#include <stdint.h>

#include "host/blk_backend.h"

/* Opens a RAM backend of size bytes (0 allowed), all zero. why (may be NULL) says why an open
 * failed. Errors: CCADA_E_INVAL (out NULL, size beyond the address space; why untouched),
 * CCADA_E_NOMEM (BLK_ERR_NO_MEMORY). */
ccada_status blk_ram_open(struct blk_backend **out, uint64_t size, struct blk_error *why) CCADA_MUST_CHECK;

/* The medium itself (size bytes), for tests and inspection; NULL when b is not a RAM backend.
 * Valid until b is closed. */
uint8_t *blk_ram_bytes(struct blk_backend *b);

#endif
