/*
 * spin: an endless loop that never makes a system call, for showing that preemption takes the
 * CPU back from it. It says it started, then spins until it is killed.
 *
 * usage: spin [ROUNDS]   stop after ROUNDS rounds instead (for a run that must end)
 * Exit status: 0 after ROUNDS rounds; without ROUNDS it does not exit by itself.
 */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	unsigned long rounds = argc > 1 ? strtoul(argv[1], NULL, 10) : 0;
	volatile unsigned long n = 0;

	printf(rounds ? "spin: spinning for %lu rounds\n" : "spin: spinning until killed\n", rounds);
	fflush(stdout);
	while (!rounds || n < rounds)
		n++;
	printf("spin: done\n");
	return 0;
}
