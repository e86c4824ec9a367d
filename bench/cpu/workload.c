/* CPU-bound benchmark workload for the CPU model: CRC-32, an xorshift-driven insertion into a
 * hash table, a small matrix multiply in doubles and a byte-wise string scan; prints a checksum
 * so every run can be checked against the native one. ITERATIONS scales the run. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef ITERATIONS
#define ITERATIONS 40
#endif

static uint32_t crc_table[256];

static uint32_t crc32(const uint8_t *p, size_t n, uint32_t c) {
    c = ~c;
    while (n--) c = crc_table[(c ^ *p++) & 0xFF] ^ (c >> 8);
    return ~c;
}

int main(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
    enum { BUF = 1 << 16, SLOTS = 1 << 12, M = 24 };
    uint8_t *buf = malloc(BUF);
    uint64_t *slots = calloc(SLOTS, sizeof *slots);
    double a[M][M], b[M][M], c[M][M];
    uint64_t x = 0x9E3779B97F4A7C15ull, check = 0;
    for (int it = 0; it < ITERATIONS; it++) {
        for (int i = 0; i < BUF; i++) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            buf[i] = (uint8_t) x;
        }
        check += crc32(buf, BUF, (uint32_t) it);
        memset(slots, 0, SLOTS * sizeof *slots);
        for (int i = 0; i < SLOTS / 2; i++) { /* half full at most: probing always ends */
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            uint32_t h = (uint32_t) (x * 0x9E3779B97F4A7C15ull >> 52);
            while (slots[h] && slots[h] != x) h = (h + 1) & (SLOTS - 1);
            slots[h] = slots[h] ? 0 : x;
        }
        for (int i = 0; i < M; i++)
            for (int j = 0; j < M; j++) {
                a[i][j] = (double) ((x >> ((i + j) & 31)) & 0xFF) / 7.0;
                b[i][j] = (double) (i * M + j + it) * 0.5;
            }
        for (int i = 0; i < M; i++)
            for (int j = 0; j < M; j++) {
                double s = 0;
                for (int k = 0; k < M; k++) s += a[i][k] * b[k][j];
                c[i][j] = s;
            }
        check += (uint64_t) c[it % M][(it * 7) % M];
        size_t spaces = 0;
        for (int i = 0; i < BUF; i++) spaces += buf[i] == ' ';
        check += spaces + strlen((char *) buf + (it & 1023));
    }
    for (int i = 0; i < SLOTS; i++) check += slots[i] >> 40;
    printf("checksum %llx\n", (unsigned long long) check);
    return 0;
}
