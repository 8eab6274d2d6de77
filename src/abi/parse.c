/* Strict number parsing (see include/ccada/parse.h for what is accepted). */
#include "ccada/parse.h"

#include <stdbool.h>

const char *ccada_number_error_name(enum ccada_number_error e)
{
        switch (e) {
#define CCADA_NUMBER_NAME_(id, text) \
        case id:                     \
                return #id;
                CCADA_NUMBER_ERRORS(CCADA_NUMBER_NAME_)
#undef CCADA_NUMBER_NAME_
        }
        return "CCADA_NUMBER_?";
}

const char *ccada_number_error_text(enum ccada_number_error e)
{
        switch (e) {
#define CCADA_NUMBER_TEXT_(id, text) \
        case id:                     \
                return text;
                CCADA_NUMBER_ERRORS(CCADA_NUMBER_TEXT_)
#undef CCADA_NUMBER_TEXT_
        }
        return "?";
}

/* C's isspace() in the "C" locale, without the locale. */
static bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

/* The value of c as a digit of base (10 or 16), or -1. */
static int digit_value(char c, unsigned base)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (base == 16 && c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (base == 16 && c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* Checks that s[0..len) is one or more digits of base. When it is not, says why; white
 * space and signs are named before other characters, wherever they are, as they are what
 * strtoull-style parsers silently accept. */
static enum ccada_number_error check_digits(const char *s, size_t len, unsigned base)
{
        bool space = false, sign = false, other = false;

        if (len == 0)
                return CCADA_NUMBER_NO_DIGITS;
        for (size_t i = 0; i < len; i++) {
                if (digit_value(s[i], base) >= 0)
                        continue;
                space |= is_space(s[i]);
                sign |= s[i] == '+' || s[i] == '-';
                other = true;
        }
        if (space)
                return CCADA_NUMBER_SPACE;
        if (sign)
                return CCADA_NUMBER_SIGN;
        return other ? CCADA_NUMBER_NOT_A_DIGIT : CCADA_NUMBER_OK;
}

/* Accumulates already checked digits, refusing anything above 2^64 - 1. */
static enum ccada_number_error accumulate(const char *s, size_t len, unsigned base, uint64_t *out)
{
        uint64_t v = 0;

        for (size_t i = 0; i < len; i++) {
                uint64_t d = (uint64_t)digit_value(s[i], base);
                if (v > (UINT64_MAX - d) / base)
                        return CCADA_NUMBER_OVERFLOW;
                v = v * base + d;
        }
        *out = v;
        return CCADA_NUMBER_OK;
}

enum ccada_number_error ccada_parse_u64(const char *s, size_t len, uint64_t *out)
{
        if (len == 0)
                return CCADA_NUMBER_EMPTY;
        bool hex = len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
        unsigned base = hex ? 16 : 10;
        size_t skip = hex ? 2 : 0;
        enum ccada_number_error e = check_digits(s + skip, len - skip, base);
        if (e != CCADA_NUMBER_OK)
                return e;
        if (!hex && len > 1 && s[0] == '0')
                return CCADA_NUMBER_LEADING_ZERO;
        return accumulate(s + skip, len - skip, base, out);
}

/* The shift a size suffix stands for, or 0 when c is not one. */
static unsigned suffix_shift(char c)
{
        switch (c) {
        case 'K': case 'k': return 10;
        case 'M': case 'm': return 20;
        case 'G': case 'g': return 30;
        default: return 0;
        }
}

enum ccada_number_error ccada_parse_size(const char *s, size_t len, uint64_t *out)
{
        unsigned shift = len ? suffix_shift(s[len - 1]) : 0;
        if (shift == 0)
                return ccada_parse_u64(s, len, out);
        uint64_t v;
        enum ccada_number_error e = ccada_parse_u64(s, len - 1, &v);
        if (e == CCADA_NUMBER_EMPTY)
                return CCADA_NUMBER_NO_DIGITS;
        if (e != CCADA_NUMBER_OK)
                return e;
        if (v > UINT64_MAX >> shift)
                return CCADA_NUMBER_OVERFLOW;
        *out = v << shift;
        return CCADA_NUMBER_OK;
}
