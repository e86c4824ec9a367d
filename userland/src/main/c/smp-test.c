/*
 * smp-test: threads of one process on several CPUs at once.
 *
 *   1. THREADS threads meet at a spinning barrier (no system call, so none gives its CPU up) and
 *      each asks getcpu(2) where it runs: with as many CPUs as threads they are all on a CPU at
 *      that moment, so the CPU numbers differ ("distinct cpus").
 *   2. Each thread adds 1 to shared counters ROUNDS times: with LOCK XADD, with a LOCK CMPXCHG
 *      loop, and under a pthread mutex (futexes). The totals are exact or a CPU lost an update.
 *   3. TLB shootdown: every thread reads a page at address X (its CPU caches the translation);
 *      the main thread then moves another page, holding a different value, onto X with mremap,
 *      which unmaps the first. A thread that still used its stale TLB entry would read the old
 *      frame; each must read the new value.
 *
 * Output: "distinct cpus: D", the three totals, "stale reads: S" (0 expected), "ok" or "FAILED".
 * usage: smp-test [THREADS [ROUNDS]]   (defaults 4 threads, 200000 rounds)
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_THREADS 16

static int threads = 4;
static long rounds = 200000;
static atomic_int arrived;
static atomic_int recorded;
static int cpu_of[MAX_THREADS];
static atomic_long xadd_total;
static atomic_long cas_total;
static long mutex_total;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static volatile uint64_t *shared_page;
static atomic_int phase;     /* 0 reading the old page, 1 stop, 2 read the new page */
static atomic_int readers_stopped;
static atomic_int stale_reads;
static atomic_int readers_done;

static int current_cpu(void) {
	unsigned cpu = 0;
	if (syscall(SYS_getcpu, &cpu, NULL, NULL) != 0) {
		return -1;
	}
	return (int) cpu;
}

static void *worker(void *arg) {
	int id = (int) (intptr_t) arg;

	atomic_fetch_add(&arrived, 1);
	while (atomic_load(&arrived) < threads) {
	}
	cpu_of[id] = current_cpu();
	atomic_fetch_add(&recorded, 1);
	while (atomic_load(&recorded) < threads) {
	}

	for (long i = 0; i < rounds; i++) {
		atomic_fetch_add(&xadd_total, 1);
		long seen = atomic_load(&cas_total);
		while (!atomic_compare_exchange_weak(&cas_total, &seen, seen + 1)) {
		}
		if ((i & 63) == 0) {
			pthread_mutex_lock(&lock);
			mutex_total++;
			pthread_mutex_unlock(&lock);
		}
	}

	/* Read the old page until told to stop: the translation is in this CPU's TLB. */
	uint64_t sum = 0;
	while (atomic_load(&phase) == 0) {
		sum += shared_page[id];
	}
	atomic_fetch_add(&readers_stopped, 1);
	while (atomic_load(&phase) != 2) {
	}
	if (shared_page[id] != 2) {
		atomic_fetch_add(&stale_reads, 1);
	}
	atomic_fetch_add(&readers_done, 1);
	return (void *) (uintptr_t) (sum & 1);
}

int main(int argc, char **argv) {
	if (argc > 1) {
		threads = atoi(argv[1]);
	}
	if (argc > 2) {
		rounds = atol(argv[2]);
	}
	if (threads < 1 || threads > MAX_THREADS || rounds < 1) {
		fprintf(stderr, "usage: smp-test [THREADS (1-%d) [ROUNDS]]\n", MAX_THREADS);
		return 2;
	}
	long page = sysconf(_SC_PAGESIZE);
	uint64_t *old_page = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t *new_page = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (old_page == MAP_FAILED || new_page == MAP_FAILED) {
		perror("smp-test: mmap");
		return 1;
	}
	for (int i = 0; i < MAX_THREADS; i++) {
		old_page[i] = 1;
		new_page[i] = 2;
	}
	shared_page = old_page;

	pthread_t tid[MAX_THREADS];
	for (int i = 0; i < threads; i++) {
		if (pthread_create(&tid[i], NULL, worker, (void *) (intptr_t) i) != 0) {
			fprintf(stderr, "smp-test: cannot create thread %d\n", i);
			return 1;
		}
	}
	while (atomic_load(&recorded) < threads) {
		usleep(1000);
	}
	/* Once every thread counts, tell the readers to stop, then move the new page onto the old. */
	while (atomic_load(&xadd_total) < (long) threads * rounds) {
		usleep(1000);
	}
	usleep(20000);
	atomic_store(&phase, 1);
	while (atomic_load(&readers_stopped) < threads) {
		usleep(1000);
	}
	if (mremap(new_page, page, page, MREMAP_MAYMOVE | MREMAP_FIXED, old_page) != old_page) {
		perror("smp-test: mremap");
		return 1;
	}
	atomic_store(&phase, 2);
	for (int i = 0; i < threads; i++) {
		pthread_join(tid[i], NULL);
	}

	int distinct = 0;
	for (int i = 0; i < threads; i++) {
		int seen_before = 0;
		for (int j = 0; j < i; j++) {
			seen_before |= cpu_of[j] == cpu_of[i];
		}
		distinct += !seen_before;
	}
	long expected = (long) threads * rounds;
	long expected_mutex = (long) threads * ((rounds + 63) / 64);
	int ok = atomic_load(&xadd_total) == expected && atomic_load(&cas_total) == expected && mutex_total == expected_mutex
	         && atomic_load(&stale_reads) == 0;
	printf("distinct cpus: %d\n", distinct);
	printf("lock xadd total: %ld of %ld\n", atomic_load(&xadd_total), expected);
	printf("lock cmpxchg total: %ld of %ld\n", atomic_load(&cas_total), expected);
	printf("mutex total: %ld of %ld\n", mutex_total, expected_mutex);
	printf("stale reads: %d\n", atomic_load(&stale_reads));
	printf("%s\n", ok ? "ok" : "FAILED");
	return ok ? 0 : 1;
}
