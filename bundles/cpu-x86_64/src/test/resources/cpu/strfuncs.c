/* glibc picks its string functions by CPUID (ifuncs): with SSE4.2 usable, strcspn, strspn and
   strpbrk are the PCMPISTRI versions. Built without -march, so any SSE4.2 instruction the model
   runs comes from glibc's choice, not from the compiler. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    static char text[4096];
    for (int i = 0; i < (int) sizeof text - 1; i++) {
        text[i] = "abcdefghijklmnopqrstuvwxyz ,.;"[(i * 7 + i / 13) % 30];
    }
    unsigned long sum = 0;
    for (int round = 0; round < 50; round++) {
        const char *p = text + round;
        /* sets that the text never or always matches: each call reads the whole 4 KiB */
        sum += strcspn(p, "#@!") + strspn(p, "abcdefghijklmnopqrstuvwxyz ,.;") + strlen(p);
        sum += strcspn(p, ";.");
        const char *q = strpbrk(p, "#!");
        sum += q ? (unsigned long) (q - p) : 0;
        sum += strcmp(p, text + round + 1) < 0;
    }
    printf("sum %lu l1d %ld l2 %ld\n", sum, sysconf(_SC_LEVEL1_DCACHE_SIZE) > 0 ? 1L : 0L,
           sysconf(_SC_LEVEL2_CACHE_SIZE) > 0 ? 1L : 0L);
    return 0;
}
