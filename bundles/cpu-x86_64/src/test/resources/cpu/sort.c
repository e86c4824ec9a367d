/* Sorting: qsort, an insertion sort and a merge sort over pseudo-random data; prints checksums. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long long state = 88172645463325252ULL;
static unsigned long long next(void) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static int cmp_int(const void *a, const void *b) {
    int x = *(const int *) a, y = *(const int *) b;
    return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *) a, *(char *const *) b);
}

static void merge_sort(long *v, long *tmp, int n) {
    if (n < 2) return;
    int h = n / 2;
    merge_sort(v, tmp, h);
    merge_sort(v + h, tmp, n - h);
    int i = 0, j = h, k = 0;
    while (i < h && j < n) tmp[k++] = v[i] <= v[j] ? v[i++] : v[j++];
    while (i < h) tmp[k++] = v[i++];
    while (j < n) tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof *v);
}

int main(void) {
    enum { N = 20000 };
    int *a = malloc(N * sizeof *a);
    long *b = malloc(N * sizeof *b), *t = malloc(N * sizeof *t);
    for (int i = 0; i < N; i++) {
        a[i] = (int) next();
        b[i] = (long) next() >> 3;
    }
    qsort(a, N, sizeof *a, cmp_int);
    merge_sort(b, t, N);
    unsigned long long sum = 0;
    for (int i = 0; i < N; i++) {
        if (i && a[i - 1] > a[i]) { puts("qsort out of order"); return 1; }
        if (i && b[i - 1] > b[i]) { puts("merge sort out of order"); return 1; }
        sum = sum * 31 + (unsigned) a[i] + (unsigned long long) b[i];
    }
    printf("ints %d .. %d, longs %ld .. %ld, checksum %llx\n", a[0], a[N - 1], b[0], b[N - 1], sum);
    short s[300];
    for (int i = 0; i < 300; i++) s[i] = (short) next();
    for (int i = 1; i < 300; i++) {
        short x = s[i];
        int j = i - 1;
        while (j >= 0 && s[j] > x) { s[j + 1] = s[j]; j--; }
        s[j + 1] = x;
    }
    printf("shorts %d %d %d\n", s[0], s[150], s[299]);
    char *words[64];
    char pool[64][12];
    for (int i = 0; i < 64; i++) {
        unsigned long long r = next();
        int len = 3 + r % 8;
        for (int k = 0; k < len; k++) pool[i][k] = 'a' + (r >> (5 * k + 3)) % 26;
        pool[i][len] = 0;
        words[i] = pool[i];
    }
    qsort(words, 64, sizeof *words, cmp_str);
    printf("words %s %s %s\n", words[0], words[32], words[63]);
    return 0;
}
