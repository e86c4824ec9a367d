/*
 * threads-test: ALOS's threads-test for POSIX threads. Starts four threads at different
 * priorities (nice values 0, 0, 10 and 19: on ALOS/J the scheduler levels 2, 2, 3 and 3), each doing the
 * same fixed amount of work in ROUNDS rounds and printing a progress line after every round.
 *
 * Output, for a test to check:
 *   "progress T R/N"  one per round and thread, each a single write; their order is the
 *                     interleaving (evidence of preemption and of priorities), which may vary:
 *                     the lines as a multiset, and each thread's own rounds in order, do not;
 *   the rest          a header and, after every progress line, a summary that is the same on
 *                     every run (work results, nice values).
 * Exit status 0, or 1 when a thread could not be created or its work came out wrong.
 *
 * usage: threads-test [ROUNDS [WORK]]   (defaults 8 rounds of 500000 steps)
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define THREADS 4

struct worker {
	int id;
	int nice;	  /* asked for */
	int nice_seen;	  /* what getpriority reported from inside the thread */
	uint64_t result;
};

static long rounds = 8, work = 500000;

/* The fixed work: an LCG walked `steps` times; its final value checks that it was all done. */
static uint64_t spin(uint64_t x, long steps)
{
	for (long i = 0; i < steps; i++)
		x = x * 6364136223846793005ull + 1442695040888963407ull;
	return x;
}

static void *run(void *arg)
{
	struct worker *w = arg;
	/* On Linux (and ALOS/J) PRIO_PROCESS with a thread id sets that thread's nice value. */
	pid_t tid = (pid_t)syscall(SYS_gettid);
	if (setpriority(PRIO_PROCESS, (id_t)tid, w->nice) < 0)
		perror("threads-test: setpriority");
	w->nice_seen = getpriority(PRIO_PROCESS, (id_t)tid);
	uint64_t x = (uint64_t)w->id;
	for (long r = 1; r <= rounds; r++) {
		x = spin(x, work);
		char line[64];
		int n = snprintf(line, sizeof line, "progress %d %ld/%ld\n", w->id, r, rounds);
		/* One write a line, so lines of different threads never mix. */
		if (write(1, line, (size_t)n) != n)
			return NULL;
	}
	w->result = x;
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc > 1)
		rounds = atol(argv[1]);
	if (argc > 2)
		work = atol(argv[2]);
	if (rounds < 1 || work < 0) {
		fprintf(stderr, "usage: threads-test [ROUNDS [WORK]]\n");
		return 2;
	}
	static const int nices[THREADS] = {0, 0, 10, 19};
	struct worker workers[THREADS];
	pthread_t threads[THREADS];
	printf("threads-test: %d threads, %ld rounds of %ld steps\n", THREADS, rounds, work);
	fflush(stdout);
	for (int i = 0; i < THREADS; i++) {
		workers[i] = (struct worker){.id = i, .nice = nices[i]};
		int err = pthread_create(&threads[i], NULL, run, &workers[i]);
		if (err) {
			fprintf(stderr, "threads-test: pthread_create: error %d\n", err);
			return 1;
		}
	}
	int bad = 0;
	for (int i = 0; i < THREADS; i++)
		pthread_join(threads[i], NULL);

	for (int i = 0; i < THREADS; i++) {
		uint64_t expected = spin((uint64_t)i, rounds * work);
		int ok = workers[i].result == expected;
		bad |= !ok;
		printf("thread %d: nice %d (asked %d), %ld rounds, result %016llx %s\n", i, workers[i].nice_seen,
			workers[i].nice, rounds, (unsigned long long)workers[i].result, ok ? "ok" : "WRONG");
	}
	printf("%s\n", bad ? "threads-test: FAILED" : "threads-test: all threads done");
	return bad;
}
