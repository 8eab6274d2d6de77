/* An SPDM transcript: the exact bytes of the messages a signature or a key derivation
 * covers, in order (DSP0274 1.2 §15 and §12; facts/spdm-tdisp-ide.md §1.6), kept so that
 * the hash of any prefix of the conversation can be taken when a message needs it.
 *
 * The buffer grows as messages are appended, up to a maximum fixed at init: a peer that
 * keeps talking cannot make it grow without bound (message_b holds every certificate
 * chain fetched; 64 KiB per slot is ample). Appending past the maximum fails and marks the
 * transcript broken: every later append and hash fails too, so a caller cannot sign or
 * verify a transcript with a hole in it.
 */
#ifndef CCADA_PROTO_SPDM_TRANSCRIPT_H
#define CCADA_PROTO_SPDM_TRANSCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/crypto.h"

struct spdm_transcript {
        uint8_t *buf;
        size_t len, cap, max;
        bool broken;
};

void spdm_transcript_init(struct spdm_transcript *t, size_t max);
bool spdm_transcript_append(struct spdm_transcript *t, const void *data, size_t len);
/* Appends all of src. */
bool spdm_transcript_append_t(struct spdm_transcript *t, const struct spdm_transcript *src);
/* Empties t (and clears broken); keeps its storage. */
void spdm_transcript_reset(struct spdm_transcript *t);
/* Hash of everything appended so far into out (hash_len(alg) bytes). */
bool spdm_transcript_hash(const struct spdm_transcript *t, enum hash_alg alg, uint8_t *out);
/* Wipes and frees the storage. */
void spdm_transcript_free(struct spdm_transcript *t);

#endif
