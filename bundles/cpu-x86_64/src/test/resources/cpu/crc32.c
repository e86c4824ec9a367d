/* CRC-32 (IEEE 802.3, reflected 0xEDB88320): table-driven and bitwise over generated data. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t table[256];

static void make_table(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
}

static uint32_t crc_table(const uint8_t *p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    while (n--) c = table[(c ^ *p++) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

static uint32_t crc_bitwise(const uint8_t *p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    while (n--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & -(c & 1));
    }
    return ~c;
}

int main(void) {
    make_table();
    const char *check = "123456789";
    printf("check %08x %08x\n", crc_table((const uint8_t *) check, 9), crc_bitwise((const uint8_t *) check, 9));
    size_t n = 1 << 20;
    uint8_t *buf = malloc(n);
    uint32_t x = 1;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = x >> 16;
    }
    printf("1 MiB %08x\n", crc_table(buf, n));
    printf("64 KiB bitwise %08x\n", crc_bitwise(buf, 65536));
    return 0;
}
