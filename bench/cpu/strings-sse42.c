/* String-heavy guest workload for the x86-64-v2 instructions: tokenises 64 KiB 200 times with
   musl's strcspn (-DUSE_SSE=0) or with PCMPISTRI (-DUSE_SSE=1). Build each with
   musl-gcc -O2 -march=x86-64-v2 -static and run it as bench/cpu.sh runs its workload
   (java ... org.alosj.hal.cpu.CpuBench EXE RUNS). */
#include <nmmintrin.h>
#include <stdio.h>
#include <string.h>
static char text[65536 + 32];
static size_t span_sse42(const char *s, __m128i set) {
    for (size_t i = 0;; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *) (s + i));
        int idx = _mm_cmpistri(set, v, _SIDD_UBYTE_OPS | _SIDD_CMP_EQUAL_ANY);
        if (idx < 16) return i + idx;
        if (_mm_cmpistrz(set, v, _SIDD_UBYTE_OPS | _SIDD_CMP_EQUAL_ANY)) return i + strnlen(s + i, 16);
    }
}
int main(int argc, char **argv) {
    unsigned seed = 1;
    for (int i = 0; i < 65536; i++) { seed = seed * 1103515245u + 12345u; text[i] = "abcdefghijklmnopqrstuvwxyz          ,.;\n"[(seed >> 16) % 40]; }
    #ifndef USE_SSE
#define USE_SSE 0
#endif
    int useSse = argc > 1 || USE_SSE;
    __m128i set = _mm_setr_epi8(' ', ',', '.', ';', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    unsigned long tokens = 0, sum = 0;
    for (int rep = 0; rep < 200; rep++) {
        const char *p = text;
        while (*p) {
            size_t n = useSse ? span_sse42(p, set) : strcspn(p, " ,.;\n");
            tokens++; sum += n; p += n; if (*p) p++;
        }
    }
    printf("%lu %lu\n", tokens, sum);
    return 0;
}
