/* Strict parsing of the numbers people type: command-line options (seed, sizes, counts)
 * and the values of the Realm's kernel command line. One parser, so every place accepts
 * and refuses the same spellings.
 *
 * A number is digits only: decimal ("4096") or, after "0x"/"0X", hex ("0x1000"). Refused:
 * a sign ("-1" is not 2^64 - 1, "+1" is not 1), white space anywhere (" -1", " 1",
 * "1 "), a decimal with a leading zero ("010": octal to strtoull, ten to a person),
 * "0x" without digits, any other character, and values above 2^64 - 1. A size may end in
 * one binary suffix K, M or G (either case: 1K = 1024); the result must still fit.
 */
#ifndef CCADA_PARSE_H
#define CCADA_PARSE_H

#include <stddef.h>
#include <stdint.h>

#define CCADA_NUMBER_ERRORS(X)                                                        \
        X(CCADA_NUMBER_OK, "ok")                                                      \
        X(CCADA_NUMBER_EMPTY, "empty")                                                \
        X(CCADA_NUMBER_SPACE, "white space is not allowed")                           \
        X(CCADA_NUMBER_SIGN, "a sign (+ or -) is not allowed")                        \
        X(CCADA_NUMBER_LEADING_ZERO, "a leading zero is not allowed (no octal)")      \
        X(CCADA_NUMBER_NO_DIGITS, "no digits")                                        \
        X(CCADA_NUMBER_NOT_A_DIGIT, "not a digit")                                    \
        X(CCADA_NUMBER_OVERFLOW, "too large (more than 2^64 - 1)")

/* Why a string is not a number. */
enum ccada_number_error {
#define CCADA_NUMBER_ENUM_(id, text) id,
        CCADA_NUMBER_ERRORS(CCADA_NUMBER_ENUM_)
#undef CCADA_NUMBER_ENUM_
};

/* Symbolic name ("CCADA_NUMBER_SIGN"). */
const char *ccada_number_error_name(enum ccada_number_error e);
/* Human text ("a sign (+ or -) is not allowed"), for messages that also name the value. */
const char *ccada_number_error_text(enum ccada_number_error e);

/* Parses the len bytes at s (no terminator needed; a NUL inside is not a digit) as a
 * number. On CCADA_NUMBER_OK writes *out; on any other result leaves it unchanged.
 * s may be NULL only when len is 0. */
enum ccada_number_error ccada_parse_u64(const char *s, size_t len, uint64_t *out)
        __attribute__((warn_unused_result));

/* As ccada_parse_u64(), plus an optional last K, M or G multiplying by 2^10, 2^20, 2^30
 * (a suffix alone is CCADA_NUMBER_NO_DIGITS; a result above 2^64 - 1 is
 * CCADA_NUMBER_OVERFLOW). */
enum ccada_number_error ccada_parse_size(const char *s, size_t len, uint64_t *out)
        __attribute__((warn_unused_result));

#endif
