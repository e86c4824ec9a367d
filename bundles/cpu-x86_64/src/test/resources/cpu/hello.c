#include <stdio.h>
int main(int argc, char **argv) {
    printf("hello from %s, %d args\n", argv[0], argc);
    printf("%d %x %s %c %5.2f %g %e\n", -42, 0xbeefu, "str", 'z', 3.14159, 1e-5, 12345.678);
    return 0;
}
