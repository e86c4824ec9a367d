/*
 * echo: writes its arguments separated by single spaces and ends the line, as echo(1) does;
 * -n leaves the newline out. Exits 1 when the output cannot be written.
 */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	int i = 1, newline = 1;
	if (i < argc && strcmp(argv[i], "-n") == 0) {
		newline = 0;
		i++;
	}
	for (int first = i; i < argc; i++) {
		if (i > first)
			putchar(' ');
		fputs(argv[i], stdout);
	}
	if (newline)
		putchar('\n');
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}
