/*
 * xmodify: cross-modifying code, as a JIT with a writable and executable page does it. One
 * thread rewrites a function in an RWX page ("mov eax, N; ret") and publishes N; another thread
 * waits for N, executes CPUID (the serialising instruction Intel's SDM asks of the CPU that runs
 * code another CPU modified, 8.1.3) and calls the function, which must return N.
 *
 * Output: "xmodify: R rewrites, S stale" (0 stale expected). usage: xmodify [ROUNDS] (default 2000)
 */
#include <cpuid.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static unsigned char *code;
static atomic_int published;
static atomic_int consumed;
static int rounds = 2000;
static int stale;

static void *runner(void *arg) {
	(void) arg;
	for (int n = 1; n <= rounds; n++) {
		while (atomic_load(&published) != n) {
		}
		unsigned a, b, c, d;
		__cpuid(0, a, b, c, d);
		int (*f)(void) = (int (*)(void)) (void *) code;
		if (f() != n) {
			stale++;
		}
		atomic_store(&consumed, n);
	}
	return NULL;
}

int main(int argc, char **argv) {
	if (argc > 1) {
		rounds = atoi(argv[1]);
	}
	if (rounds < 1) {
		fprintf(stderr, "usage: xmodify [ROUNDS]\n");
		return 2;
	}
	code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (code == MAP_FAILED) {
		perror("xmodify: mmap");
		return 1;
	}
	pthread_t t;
	if (pthread_create(&t, NULL, runner, NULL) != 0) {
		fprintf(stderr, "xmodify: cannot create a thread\n");
		return 1;
	}
	for (int n = 1; n <= rounds; n++) {
		/* mov eax, imm32; ret */
		unsigned char insn[6] = {0xB8, 0, 0, 0, 0, 0xC3};
		memcpy(insn + 1, &n, 4);
		memcpy(code, insn, sizeof insn);
		atomic_store(&published, n);
		while (atomic_load(&consumed) != n) {
		}
	}
	pthread_join(t, NULL);
	printf("xmodify: %d rewrites, %d stale\n", rounds, stale);
	return stale == 0 ? 0 : 1;
}
