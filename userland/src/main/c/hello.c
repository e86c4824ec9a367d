/*
 * hello: the first program ALOS/J runs. Prints a greeting and its arguments (argv[0] as its last
 * path component, so the output is the same however the program was found) and exits 0.
 */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	const char *name = argc > 0 ? strrchr(argv[0], '/') : NULL;
	name = name ? name + 1 : argc > 0 ? argv[0] : "(none)";
	printf("Hello from the ALOS/J userland!\n");
	printf("argc=%d\n", argc);
	printf("argv[0]=%s\n", name);
	for (int i = 1; i < argc; i++)
		printf("argv[%d]=%s\n", i, argv[i]);
	return 0;
}
