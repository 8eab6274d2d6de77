/* Helpers shared by the SPDM codecs (spdm.c, spdm_auth.c, spdm_session_msg.c): the header
 * check, reasons, and field readers that name what was missing. Not a public interface. */
#ifndef CCADA_PROTO_SPDM_WIRE_H
#define CCADA_PROTO_SPDM_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/bytes.h"
#include "proto/spdm.h"

/* Writes the reason into why (SPDM_WHY_LEN bytes; NULL is allowed); returns false. */
bool spdm_fail(char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reads the 4-byte header and checks the code and the version: the version must equal
 * sz->version, which must lie in [min_ver, max_ver] (the versions whose layout of this
 * message is implemented). GET_VERSION/VERSION pass min = max = 0x10 and are checked against
 * that alone. */
bool spdm_hdr_read(struct byte_reader *r, const struct spdm_sizes *sz, uint8_t code, uint8_t min_ver,
                   uint8_t max_ver, uint8_t *p1, uint8_t *p2, char *why);
void spdm_hdr_write(struct byte_writer *w, uint8_t version, uint8_t code, uint8_t p1, uint8_t p2);

/* Takes n bytes named `what`, or fails with "truncated: <what> needs n bytes, m left". */
const uint8_t *spdm_take(struct byte_reader *r, size_t n, const char *what, char *why);

/* sz has the sizes a message needs (nonzero, bounded): fails naming the first missing one. */
bool spdm_need_hash(const struct spdm_sizes *sz, char *why);
bool spdm_need_sig(const struct spdm_sizes *sz, char *why);
bool spdm_need_dhe(const struct spdm_sizes *sz, char *why);

/* Encoder helpers: n bytes from p (p may be NULL only when n == 0; else the writer fails). */
void spdm_put(struct byte_writer *w, const uint8_t *p, size_t n);
/* Finishes an encode: *len = written bytes if ok, else 0. */
bool spdm_enc_done(const struct byte_writer *w, size_t *len);

/* A 4-bit slot field: 0..7 or 0xF (the pre-provisioned public key). */
bool spdm_slot_ok(uint8_t slot);
unsigned spdm_popcount8(uint8_t v);
/* OpaqueDataLength (<= 1024) then OpaqueData; *p is NULL when the length is 0. */
bool spdm_opaque_field_read(struct byte_reader *r, uint16_t *olen, const uint8_t **p, char *why);
void spdm_opaque_field_write(struct byte_writer *w, uint16_t olen, const uint8_t *p);

/* The first version each layout applies to (for min_ver / max_ver). */
#define SPDM_LAYOUT_MAX SPDM_VERSION_12

#endif
