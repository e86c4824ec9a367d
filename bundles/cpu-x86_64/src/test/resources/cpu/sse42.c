/* x86-64-v2 through compiler builtins: CRC32C (all sizes), POPCNT, PSHUFB, the SSE4.2 string
   compares, SSE4.1 blends, dot products, rounding, min/max, PHMINPOSUW and MPSADBW, FISTTP, and the C
   library's string functions on the same data. Built with -msse4.2 (-march=x86-64-v2). */
#include <nmmintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint32_t crc_bytes(const uint8_t *p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    while (n >= 8) { uint64_t v; memcpy(&v, p, 8); c = (uint32_t) _mm_crc32_u64(c, v); p += 8; n -= 8; }
    if (n >= 4) { uint32_t v; memcpy(&v, p, 4); c = _mm_crc32_u32(c, v); p += 4; n -= 4; }
    if (n >= 2) { uint16_t v; memcpy(&v, p, 2); c = _mm_crc32_u16(c, v); p += 2; n -= 2; }
    while (n--) c = _mm_crc32_u8(c, *p++);
    return c ^ 0xFFFFFFFFu;
}

/* strcspn with PCMPISTRI, equal any; the set must fit 16 bytes. */
static size_t cspn16(const char *s, const char *set) {
    __m128i m = _mm_loadu_si128((const __m128i *) set);
    for (size_t i = 0;; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *) (s + i));
        int idx = _mm_cmpistri(m, v, _SIDD_UBYTE_OPS | _SIDD_CMP_EQUAL_ANY);
        if (idx < 16 || _mm_cmpistrz(m, v, _SIDD_UBYTE_OPS | _SIDD_CMP_EQUAL_ANY)) {
            size_t n = strnlen(s + i, 16);
            return i + (idx < (int) n ? (size_t) idx : n);
        }
    }
}

/* Letters by ranges (PCMPESTRM, byte mask), counted. */
static int letters(const char *s, int len) {
    const char ranges[16] = "azAZ";
    __m128i r = _mm_loadu_si128((const __m128i *) ranges);
    int count = 0;
    for (int i = 0; i < len; i += 16) {
        int n = len - i < 16 ? len - i : 16;
        __m128i v = _mm_loadu_si128((const __m128i *) (s + i));
        __m128i m = _mm_cmpestrm(r, 4, v, n, _SIDD_UBYTE_OPS | _SIDD_CMP_RANGES | _SIDD_UNIT_MASK);
        count += __builtin_popcount(_mm_movemask_epi8(m));
    }
    return count;
}

/* Substring search with PCMPESTRI, equal ordered (needle up to 16 bytes). */
static long find(const char *hay, int hlen, const char *needle, int nlen) {
    __m128i nd = _mm_loadu_si128((const __m128i *) needle);
    for (int i = 0; i < hlen; ) {
        int n = hlen - i < 16 ? hlen - i : 16;
        __m128i v = _mm_loadu_si128((const __m128i *) (hay + i));
        int idx = _mm_cmpestri(nd, nlen, v, n, _SIDD_UBYTE_OPS | _SIDD_CMP_EQUAL_ORDERED);
        if (idx == 16) { i += 16; continue; }
        if (idx + nlen <= n && memcmp(hay + i + idx, needle, nlen) == 0) return i + idx;
        if (idx + nlen > n && i + idx + nlen <= hlen && memcmp(hay + i + idx, needle, nlen) == 0) return i + idx;
        i += idx + 1;
    }
    return -1;
}

static void print128(const char *name, __m128i v) {
    uint8_t b[16];
    _mm_storeu_si128((__m128i *) b, v);
    printf("%s", name);
    for (int i = 15; i >= 0; i--) printf("%02x", b[i]);
    printf("\n");
}

int main(void) {
    static char text[4096 + 32];
    uint32_t seed = 12345;
    for (int i = 0; i < 4096; i++) {
        seed = seed * 1103515245u + 12345u;
        const char *alphabet = "the quick brown fox jumps over the lazy dog,THE QUICK BROWN FOX 0123456789.";
        text[i] = alphabet[(seed >> 16) % 75];
    }
    text[4096] = 0;
    printf("crc32c %08x %08x\n", crc_bytes((const uint8_t *) text, 4096), crc_bytes((const uint8_t *) "123456789", 9));

    uint64_t pop = 0;
    for (int i = 0; i < 4096; i += 8) { uint64_t v; memcpy(&v, text + i, 8); pop += __builtin_popcountll(v * 0x9E3779B97F4A7C15ull); }
    printf("popcount %llu\n", (unsigned long long) pop);

    /* libc's string functions (glibc picks SSE4.2/SSSE3 versions once CPUID says so) */
    printf("strlen %zu strcspn %zu/%zu strspn %zu strchr %ld strstr %ld strrchr %ld memcmp %d\n", strlen(text),
           strcspn(text, "0123456789"), cspn16(text, "0123456789"), strspn(text, "the quick"),
           (long) (strchr(text, 'X') ? strchr(text, 'X') - text : -1), (long) (strstr(text, "fox") ? strstr(text, "fox") - text : -1),
           (long) (strrchr(text, 'q') - text), memcmp(text, text + 2048, 2048) > 0);
    printf("letters %d find %ld %ld\n", letters(text, 4096), find(text, 4096, "the", 3), find(text, 4096, "QUICK BROWN", 11));

    __m128i a = _mm_setr_epi8(1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12, 13, -14, 127, -128);
    __m128i b = _mm_setr_epi8(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, (char) 0x80);
    print128("pshufb ", _mm_shuffle_epi8(a, b));
    print128("palignr ", _mm_alignr_epi8(a, b, 5));
    print128("pabsb ", _mm_abs_epi8(a));
    print128("psignw ", _mm_sign_epi16(b, a));
    print128("phaddw ", _mm_hadd_epi16(a, b));
    print128("phsubsw ", _mm_hsubs_epi16(a, b));
    print128("pmaddubsw ", _mm_maddubs_epi16(b, a));
    print128("pmulhrsw ", _mm_mulhrs_epi16(a, b));
    print128("pblendvb ", _mm_blendv_epi8(a, b, a));
    print128("pblendw ", _mm_blend_epi16(a, b, 0xA5));
    print128("pminsb ", _mm_min_epi8(a, b));
    print128("pmaxud ", _mm_max_epu32(a, b));
    print128("pmulld ", _mm_mullo_epi32(a, b));
    print128("pmuldq ", _mm_mul_epi32(a, b));
    print128("pmovsxbw ", _mm_cvtepi8_epi16(a));
    print128("pmovzxwq ", _mm_cvtepu16_epi64(a));
    print128("packusdw ", _mm_packus_epi32(a, b));
    print128("pcmpgtq ", _mm_cmpgt_epi64(a, b));
    print128("phminposuw ", _mm_minpos_epu16(b));
    print128("mpsadbw ", _mm_mpsadbw_epu8(a, b, 5));
    print128("pinsrd ", _mm_insert_epi32(a, 0x12345678, 2));
    printf("pextrb %d pextrq %lld ptest %d %d\n", _mm_extract_epi8(a, 14), (long long) _mm_extract_epi64(b, 1),
           _mm_testz_si128(a, b), _mm_testc_si128(a, a));

    __m128 f = _mm_setr_ps(1.5f, -2.5f, 3.25f, -0.5f);
    __m128 g = _mm_setr_ps(0.1f, 2.0f, -3.0f, 1e30f);
    __m128d d = _mm_setr_pd(2.5, -1.5);
    float out[4];
    double dd[2];
    _mm_storeu_ps(out, _mm_dp_ps(f, g, 0xF1));
    printf("dpps %a\n", out[0]);
    _mm_storeu_ps(out, _mm_hadd_ps(f, g));
    printf("haddps %a %a %a %a\n", out[0], out[1], out[2], out[3]);
    _mm_storeu_ps(out, _mm_addsub_ps(f, g));
    printf("addsubps %a %a %a %a\n", out[0], out[1], out[2], out[3]);
    _mm_storeu_ps(out, _mm_round_ps(f, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    printf("roundps %g %g %g %g\n", out[0], out[1], out[2], out[3]);
    _mm_storeu_pd(dd, _mm_floor_pd(d));
    printf("floorpd %g %g\n", dd[0], dd[1]);
    _mm_storeu_pd(dd, _mm_ceil_pd(d));
    printf("ceilpd %g %g\n", dd[0], dd[1]);
    _mm_storeu_pd(dd, _mm_dp_pd(d, d, 0x31));
    printf("dppd %g\n", dd[0]);
    _mm_storeu_ps(out, _mm_insert_ps(f, g, 0x9A));
    printf("insertps %g %g %g %g extractps %08x\n", out[0], out[1], out[2], out[3], _mm_extract_ps(g, 3));
    _mm_storeu_ps(out, _mm_movehdup_ps(f));
    printf("movshdup %g %g\n", out[0], out[2]);
    _mm_storeu_pd(dd, _mm_movedup_pd(d));
    printf("movddup %g %g\n", dd[0], dd[1]);

    /* Compiler-vectorised loops: gcc picks PMULLD, PMINSD, PBLENDVB, ROUNDSD here at -O2/-O3. */
    static int xs[1024], ys[1024];
    static double ds[1024];
    for (int i = 0; i < 1024; i++) { xs[i] = (i * 7919) % 1000 - 500; ys[i] = (i * 104729) % 997 - 498; ds[i] = xs[i] / 7.0; }
    long acc = 0;
    double facc = 0;
    for (int i = 0; i < 1024; i++) {
        int m = xs[i] < ys[i] ? xs[i] : ys[i];
        acc += (long) (m * xs[i]) + (xs[i] > 0 ? xs[i] : -xs[i]);
        facc += __builtin_floor(ds[i]) + __builtin_round(ds[i] * 3) + __builtin_trunc(ds[i] / 3);
    }
    printf("loops %ld %.17g\n", acc, facc);
    /* long double to integer: SSE3's FISTTP truncates whatever the x87 rounding mode says */
    volatile long double ld = -7.9L;
    volatile short sh = (short) (ld * 1000);
    printf("fisttp %d %lld %d\n", (int) ld, (long long) (ld * 1e15L), sh);
    return 0;
}
