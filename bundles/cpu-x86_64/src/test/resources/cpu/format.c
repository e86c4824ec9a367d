/* A printf-style formatter of our own, checked against the C library's, and printf itself. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static char *put_unsigned(char *o, unsigned long long v, unsigned base, int upper, int width, char pad) {
    char tmp[64];
    int n = 0;
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    do { tmp[n++] = digits[v % base]; v /= base; } while (v);
    while (n < width) tmp[n++] = pad;
    while (n) *o++ = tmp[--n];
    return o;
}

static int format(char *out, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *o = out;
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') { *o++ = *p; continue; }
        char pad = ' ';
        int width = 0;
        p++;
        if (*p == '0') { pad = '0'; p++; }
        while (*p >= '0' && *p <= '9') width = width * 10 + (*p++ - '0');
        int longs = 0;
        while (*p == 'l') { longs++; p++; }
        switch (*p) {
        case 'd': {
            long long v = longs ? va_arg(ap, long long) : va_arg(ap, int);
            if (v < 0) {
                char digits[32];
                int n = (int) (put_unsigned(digits, -(unsigned long long) v, 10, 0, 0, pad) - digits);
                if (pad == '0') { *o++ = '-'; for (int k = n + 1; k < width; k++) *o++ = '0'; }
                else { for (int k = n + 1; k < width; k++) *o++ = ' '; *o++ = '-'; }
                memcpy(o, digits, n);
                o += n;
            } else o = put_unsigned(o, v, 10, 0, width, pad);
            break;
        }
        case 'u': o = put_unsigned(o, longs ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned), 10, 0, width, pad); break;
        case 'x': o = put_unsigned(o, longs ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned), 16, 0, width, pad); break;
        case 'X': o = put_unsigned(o, longs ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned), 16, 1, width, pad); break;
        case 'o': o = put_unsigned(o, longs ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned), 8, 0, width, pad); break;
        case 's': { const char *s = va_arg(ap, const char *); size_t n = strlen(s); for (size_t i = n; i < (size_t) width; i++) *o++ = ' '; memcpy(o, s, n); o += n; break; }
        case 'c': *o++ = (char) va_arg(ap, int); break;
        default: *o++ = *p;
        }
    }
    *o = 0;
    va_end(ap);
    return (int) (o - out);
}

int main(void) {
    char mine[256], libc[256];
    long long values[] = {0, 1, -1, 42, -42, 2147483647LL, -2147483648LL, 9223372036854775807LL, -9223372036854775807LL - 1};
    int mismatches = 0;
    for (unsigned i = 0; i < sizeof values / sizeof *values; i++) {
        long long v = values[i];
        format(mine, "[%d|%8d|%08x|%X|%o|%lld|%llx|%20llu|%s|%c]", (int) v, (int) v, (unsigned) v, (unsigned) v, (unsigned) v, v, v, v, "txt", 'A' + (int) i);
        snprintf(libc, sizeof libc, "[%d|%8d|%08x|%X|%o|%lld|%llx|%20llu|%s|%c]", (int) v, (int) v, (unsigned) v, (unsigned) v, (unsigned) v, v, v, (unsigned long long) v, "txt", 'A' + (int) i);
        if (strcmp(mine, libc)) mismatches++;
        puts(mine);
    }
    printf("mismatches %d\n", mismatches);
    printf("%-10s|%+d|% d|%#x|%#o|%.3s|%5.1s|%%\n", "left", 5, 7, 255, 8, "truncate", "xy");
    return mismatches;
}
