/*
 * What the *-bench programs share: the iteration count from argv and the report line. Times
 * come from CLOCK_MONOTONIC; the report gives the total and the time per operation in ns.
 */
#ifndef ALOSJ_BENCH_H
#define ALOSJ_BENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* argv[1] as a positive count, or the default; exits 2 on anything else. */
static inline long iterations(int argc, char **argv, long fallback, const char *usage)
{
	if (argc < 2)
		return fallback;
	char *end;
	long n = strtol(argv[1], &end, 10);
	if (*end || n <= 0) {
		fprintf(stderr, "usage: %s\n", usage);
		exit(2);
	}
	return n;
}

static inline void report(const char *what, long n, long long ns)
{
	printf("%s: %ld iterations, %lld ns total, %lld ns per operation\n", what, n, ns, ns / n);
}

#endif
