/*
 * vireo: long double helpers for INCRBYFLOAT and HINCRBYFLOAT.
 *
 * Redis does this arithmetic in the platform's `long double` (80-bit extended precision on
 * x86-64) and prints the result with "%.17Lf" before trimming the fraction. Rust has no such
 * type, so the whole parse / add / format round trip happens here, and only byte strings cross
 * the boundary. Nothing in this file knows about keys or replies.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest accepted textual number, terminator included (Redis's MAX_LONG_DOUBLE_CHARS). */
#define VIREO_LD_TEXT_MAX (5 * 1024)

/* Status codes shared with the Rust side (ops/longdouble.rs). */
#define VIREO_LD_OK 0
#define VIREO_LD_BAD_VALUE 1
#define VIREO_LD_BAD_INCR 2
#define VIREO_LD_NOT_FINITE 3
#define VIREO_LD_NO_ROOM 4

/* Strict parse: the whole text must be a number strtold accepts, with no leading blank, no
 * embedded NUL, no NaN, and no overflow or total underflow. Returns 1 and stores the number on
 * success, 0 otherwise. */
static int parse_strict(const char *text, size_t len, long double *out) {
    char buf[VIREO_LD_TEXT_MAX];
    char *stop = NULL;
    long double v;

    if (len == 0 || len >= sizeof(buf)) return 0;
    memcpy(buf, text, len);
    buf[len] = '\0';
    if (isspace((unsigned char)buf[0])) return 0;

    errno = 0;
    v = strtold(buf, &stop);
    if (stop == NULL || *stop != '\0' || (size_t)(stop - buf) != len) return 0;
    if (errno == EINVAL) return 0;
    if (errno == ERANGE && (isinf(v) || fpclassify(v) == FP_ZERO)) return 0;
    if (isnan(v)) return 0;
    *out = v;
    return 1;
}

/* Human-friendly rendering: fixed notation with 17 fraction digits, then the trailing zeros of
 * the fraction and a bare point dropped; negative zero prints as "0". Returns the length, or 0
 * when `cap` is too small. */
static size_t format_human(long double v, char *out, size_t cap) {
    int n;
    size_t len;

    if (isinf(v)) {
        const char *s = v > 0 ? "inf" : "-inf";
        len = strlen(s);
        if (len + 1 > cap) return 0;
        memcpy(out, s, len + 1);
        return len;
    }
    n = snprintf(out, cap, "%.17Lf", v);
    if (n < 0 || (size_t)n + 1 > cap) return 0;
    len = (size_t)n;
    if (memchr(out, '.', len) != NULL) {
        while (len > 0 && out[len - 1] == '0') len--;
        if (len > 0 && out[len - 1] == '.') len--;
    }
    if (len == 2 && out[0] == '-' && out[1] == '0') {
        out[0] = '0';
        len = 1;
    }
    out[len] = '\0';
    return len;
}

int vireo_ld_valid(const char *text, size_t len) {
    long double ignored;
    return parse_strict(text, len, &ignored);
}

/* value (absent = 0) + incr, rendered human-friendly into out[0..cap). */
int vireo_ld_add_human(const char *value, size_t value_len, int has_value,
                       const char *incr, size_t incr_len,
                       char *out, size_t cap, size_t *out_len) {
    long double a = 0, b = 0, sum;
    size_t n;

    if (has_value && !parse_strict(value, value_len, &a)) return VIREO_LD_BAD_VALUE;
    if (!parse_strict(incr, incr_len, &b)) return VIREO_LD_BAD_INCR;
    sum = a + b;
    if (isnan(sum) || isinf(sum)) return VIREO_LD_NOT_FINITE;
    n = format_human(sum, out, cap);
    if (n == 0) return VIREO_LD_NO_ROOM;
    *out_len = n;
    return VIREO_LD_OK;
}

/* Round trip of one number (parse then render), for tests and for callers that store a
 * normalized form. */
int vireo_ld_normalize_human(const char *text, size_t len, char *out, size_t cap, size_t *out_len) {
    long double v;
    size_t n;

    if (!parse_strict(text, len, &v)) return VIREO_LD_BAD_VALUE;
    n = format_human(v, out, cap);
    if (n == 0) return VIREO_LD_NO_ROOM;
    *out_len = n;
    return VIREO_LD_OK;
}

/* A blocking command's timeout: `text` seconds (strictly parsed as above) turned into whole
 * milliseconds, rounded up. A product outside the range of long long becomes LLONG_MIN, which
 * is what the x86-64 conversion yields, so callers see it as negative. Returns 1 and stores the
 * milliseconds, or 0 when the text is not a number. */
int vireo_ld_seconds_to_ms(const char *text, size_t len, long long *out) {
    long double v, ms;

    if (!parse_strict(text, len, &v)) return 0;
    ms = ceill(v * 1000.0L);
    if (ms >= -9223372036854775808.0L && ms < 9223372036854775808.0L)
        *out = (long long)ms;
    else
        *out = (-9223372036854775807LL - 1);
    return 1;
}
