/*
 * condvar: condition variables with several threads, built against glibc (gcc -static -pthread)
 * where the other programs use musl, and futex(2)'s FUTEX_WAKE_OP.
 *
 *   1. glibc's pthread_cond_signal: PRODUCERS threads put ITEMS numbers each into a ring of 8
 *      slots, CONSUMERS threads take them (a condition for "not empty", one for "not full"); the
 *      count and the sum taken are exact or an item was lost or taken twice.
 *   2. glibc's pthread_cond_broadcast: all the threads meet at a barrier ROUNDS times (the last
 *      to arrive broadcasts); every round must have seen every thread, in order.
 *   3. FUTEX_WAKE_OP. glibc 2.25 and later no longer issue it (their condition variables wait
 *      with FUTEX_WAIT_BITSET and wake with FUTEX_WAKE; strace shows it), so the program issues
 *      it itself:
 *      a. each operation on the second word (SET, ADD, OR, ANDN, XOR, the shifted argument, the
 *         12-bit signed argument), read back, and the errors: an unknown operation (ENOSYS, the
 *         word untouched), an unknown comparison (ENOSYS after the operation was done, as Linux
 *         does it), a misaligned word (EINVAL);
 *      b. the condition variable glibc had before 2.25: its internal lock is released, and a
 *         thread waiting for that lock woken when there was one (the old value compared with
 *         1), by the same FUTEX_WAKE_OP that wakes the waiter. Section 1's producer/consumer
 *         runs again on it: a kernel that did not do the operation, or skipped the second wake,
 *         leaves the threads hanging on the lock.
 *
 * Output: one line a section with exact figures, "wake-op calls: N" (every FUTEX_WAKE_OP the
 * program made, which strace -e futex counts too), then "ok" or "FAILED" (status 1).
 * usage: condvar [PRODUCERS CONSUMERS ITEMS ROUNDS]   (defaults 2 2 2000 50)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_THREADS 8
#define SLOTS 8

static int producers = 2;
static int consumers = 2;
static long items = 2000;
static int rounds = 50;
static atomic_long wake_op_calls;

static long futex(void *word, int op, int value, long value2, void *word2, int value3) {
	return syscall(SYS_futex, word, op, value, value2, word2, value3);
}

static long wake_op(void *word, int wake, void *word2, int wake2, int encoded) {
	atomic_fetch_add(&wake_op_calls, 1);
	return futex(word, FUTEX_WAKE_OP_PRIVATE, wake, wake2, word2, encoded);
}

/* --- the condition variables to test: glibc's, and one of the pre-2.25 kind ------------------- */

/* An internal lock in the old glibc manner: 0 free, 1 held, 2 held with a thread waiting. */
static void internal_lock(atomic_int *lock) {
	int seen = 0;
	if (atomic_compare_exchange_strong(lock, &seen, 1)) {
		return;
	}
	while (atomic_exchange(lock, 2) != 0) {
		futex(lock, FUTEX_WAIT_PRIVATE, 2, 0, NULL, 0);
	}
}

static void internal_unlock(atomic_int *lock) {
	if (atomic_exchange(lock, 0) == 2) {
		futex(lock, FUTEX_WAKE_PRIVATE, 1, 0, NULL, 0);
	}
}

/* The old glibc condition variable: waiters sleep on a sequence number signals advance. */
struct wake_op_cond {
	atomic_int lock;
	atomic_int seq;
};

static void wake_op_cond_wait(struct wake_op_cond *c, pthread_mutex_t *m) {
	internal_lock(&c->lock);
	int seen = atomic_load(&c->seq);
	internal_unlock(&c->lock);
	pthread_mutex_unlock(m);
	/* A signal after the read changes seq: the wait then returns at once (EAGAIN). */
	futex(&c->seq, FUTEX_WAIT_PRIVATE, seen, 0, NULL, 0);
	pthread_mutex_lock(m);
}

/* Advances seq, wakes `count` waiters on it, and releases the internal lock in the same call:
 * lock = 0, and if it was above 1 (a thread waits for it) one thread waiting on it woken too. */
static int wake_op_cond_wake(struct wake_op_cond *c, int count) {
	internal_lock(&c->lock);
	atomic_fetch_add(&c->seq, 1);
	long woken = wake_op(&c->seq, count, &c->lock, 1, FUTEX_OP(FUTEX_OP_SET, 0, FUTEX_OP_CMP_GT, 1));
	if (woken < 0) {
		perror("condvar: FUTEX_WAKE_OP");
		internal_unlock(&c->lock);
		return -1;
	}
	return 0;
}

/* --- section 1 and 3b: producers and consumers over a ring -------------------------------------- */

struct ring {
	int use_wake_op;
	pthread_mutex_t mutex;
	pthread_cond_t not_empty, not_full;
	struct wake_op_cond wo_not_empty, wo_not_full;
	long slot[SLOTS];
	int head, count, producers_left;
	long taken, sum;
	atomic_int errors;
};

static void ring_wait(struct ring *r, int empty) {
	if (r->use_wake_op) {
		wake_op_cond_wait(empty ? &r->wo_not_empty : &r->wo_not_full, &r->mutex);
	} else {
		pthread_cond_wait(empty ? &r->not_empty : &r->not_full, &r->mutex);
	}
}

static void ring_wake(struct ring *r, int empty, int all) {
	if (r->use_wake_op) {
		if (wake_op_cond_wake(empty ? &r->wo_not_empty : &r->wo_not_full, all ? INT_MAX : 1) != 0) {
			atomic_fetch_add(&r->errors, 1);
		}
	} else if (all) {
		pthread_cond_broadcast(empty ? &r->not_empty : &r->not_full);
	} else {
		pthread_cond_signal(empty ? &r->not_empty : &r->not_full);
	}
}

struct producer {
	struct ring *ring;
	int id;
};

static void *produce(void *arg) {
	struct producer *p = arg;
	struct ring *r = p->ring;
	for (long i = 1; i <= items; i++) {
		pthread_mutex_lock(&r->mutex);
		while (r->count == SLOTS) {
			ring_wait(r, 0);
		}
		r->slot[(r->head + r->count) % SLOTS] = p->id * items + i;
		r->count++;
		ring_wake(r, 1, 0);
		pthread_mutex_unlock(&r->mutex);
	}
	pthread_mutex_lock(&r->mutex);
	if (--r->producers_left == 0) {
		ring_wake(r, 1, 1); /* the consumers waiting for more learn there is none */
	}
	pthread_mutex_unlock(&r->mutex);
	return NULL;
}

static void *consume(void *arg) {
	struct ring *r = arg;
	for (;;) {
		pthread_mutex_lock(&r->mutex);
		while (r->count == 0 && r->producers_left > 0) {
			ring_wait(r, 1);
		}
		if (r->count == 0) {
			pthread_mutex_unlock(&r->mutex);
			return NULL;
		}
		long v = r->slot[r->head];
		r->head = (r->head + 1) % SLOTS;
		r->count--;
		r->taken++;
		r->sum += v;
		ring_wake(r, 0, 0);
		pthread_mutex_unlock(&r->mutex);
	}
}

/* Runs the ring; prints "NAME: taken T of E, sum S of E" and returns whether both are exact. */
static int run_ring(const char *name, int use_wake_op) {
	static struct ring r;
	r = (struct ring) {.use_wake_op = use_wake_op, .producers_left = producers};
	pthread_mutex_init(&r.mutex, NULL);
	pthread_cond_init(&r.not_empty, NULL);
	pthread_cond_init(&r.not_full, NULL);
	pthread_t tid[2 * MAX_THREADS];
	struct producer p[MAX_THREADS];
	int n = 0;
	for (int i = 0; i < consumers; i++) {
		if (pthread_create(&tid[n++], NULL, consume, &r) != 0) {
			fprintf(stderr, "condvar: cannot create a thread\n");
			exit(1);
		}
	}
	for (int i = 0; i < producers; i++) {
		p[i] = (struct producer) {&r, i};
		if (pthread_create(&tid[n++], NULL, produce, &p[i]) != 0) {
			fprintf(stderr, "condvar: cannot create a thread\n");
			exit(1);
		}
	}
	for (int i = 0; i < n; i++) {
		pthread_join(tid[i], NULL);
	}
	long expected = producers * items;
	/* Producer k puts k*items+1 .. k*items+items. */
	long expected_sum = 0;
	for (int k = 0; k < producers; k++) {
		expected_sum += k * items * items + items * (items + 1) / 2;
	}
	printf("%s: taken %ld of %ld, sum %ld of %ld\n", name, r.taken, expected, r.sum, expected_sum);
	return r.taken == expected && r.sum == expected_sum && atomic_load(&r.errors) == 0;
}

/* --- section 2: a barrier by broadcast ---------------------------------------------------------- */

static pthread_mutex_t barrier_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t barrier_cond = PTHREAD_COND_INITIALIZER;
static int barrier_waiting;
static long barrier_generation;
static int arrivals[1000];
static atomic_int out_of_order;

static void *meet(void *arg) {
	(void) arg;
	for (int round = 0; round < rounds; round++) {
		pthread_mutex_lock(&barrier_mutex);
		if (barrier_generation != round) {
			atomic_fetch_add(&out_of_order, 1); /* let through before every thread arrived */
		}
		arrivals[round]++;
		long generation = barrier_generation;
		if (++barrier_waiting == producers + consumers) {
			barrier_waiting = 0;
			barrier_generation++;
			pthread_cond_broadcast(&barrier_cond);
		} else {
			while (barrier_generation == generation) {
				pthread_cond_wait(&barrier_cond, &barrier_mutex);
			}
		}
		pthread_mutex_unlock(&barrier_mutex);
	}
	return NULL;
}

static int run_barrier(void) {
	int threads = producers + consumers;
	pthread_t tid[2 * MAX_THREADS];
	for (int i = 0; i < threads; i++) {
		if (pthread_create(&tid[i], NULL, meet, NULL) != 0) {
			fprintf(stderr, "condvar: cannot create a thread\n");
			exit(1);
		}
	}
	for (int i = 0; i < threads; i++) {
		pthread_join(tid[i], NULL);
	}
	int complete = 0;
	for (int round = 0; round < rounds; round++) {
		complete += arrivals[round] == threads;
	}
	printf("glibc broadcast barrier: %d threads, %d of %d rounds complete, %d out of order\n", threads, complete,
	       rounds, atomic_load(&out_of_order));
	return complete == rounds && atomic_load(&out_of_order) == 0;
}

/* --- section 3a: FUTEX_WAKE_OP's operations and errors ------------------------------------------ */

struct op_case {
	int before, encoded, after;
};

static int run_wake_op_table(void) {
	/* FUTEX_OP's argument is 12 bits, signed: 0xfff is -1. */
	static const struct op_case cases[] = {
		{7, FUTEX_OP(FUTEX_OP_SET, 5, FUTEX_OP_CMP_EQ, 0), 5},
		{7, FUTEX_OP(FUTEX_OP_ADD, 5, FUTEX_OP_CMP_EQ, 0), 12},
		{7, FUTEX_OP(FUTEX_OP_ADD, 0xfff, FUTEX_OP_CMP_EQ, 0), 6},
		{INT_MAX, FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_EQ, 0), INT_MIN},
		{0x0f, FUTEX_OP(FUTEX_OP_OR, 0x30, FUTEX_OP_CMP_NE, 0), 0x3f},
		{0x0f, FUTEX_OP(FUTEX_OP_ANDN, 0x3, FUTEX_OP_CMP_LT, 0), 0x0c},
		{0x0f, FUTEX_OP(FUTEX_OP_XOR, 0xff, FUTEX_OP_CMP_LE, 0), 0xf0},
		{7, FUTEX_OP((FUTEX_OP_SET | FUTEX_OP_OPARG_SHIFT), 4, FUTEX_OP_CMP_GT, 0), 16},
		{0, FUTEX_OP((FUTEX_OP_OR | FUTEX_OP_OPARG_SHIFT), 31, FUTEX_OP_CMP_GE, 0), INT_MIN},
		{-1, FUTEX_OP((FUTEX_OP_ANDN | FUTEX_OP_OPARG_SHIFT), 0, FUTEX_OP_CMP_GE, 0), -2},
	};
	int n = sizeof cases / sizeof cases[0];
	int right = 0;
	static _Alignas(8) int words[2]; /* nobody waits on them: every call wakes no one */
	for (int i = 0; i < n; i++) {
		words[1] = cases[i].before;
		long woken = wake_op(&words[0], 1, &words[1], 1, cases[i].encoded);
		if (woken == 0 && words[1] == cases[i].after) {
			right++;
		} else {
			fprintf(stderr, "condvar: wake-op case %d: returned %ld, word %d (expected 0, %d)\n", i, woken, words[1],
			        cases[i].after);
		}
	}
	printf("wake-op operations: %d of %d right\n", right, n);

	/* Operation 5 does not exist: nothing done. Comparison 6 does not exist: Linux has already
	 * set the word when it finds that out. A word not 4-byte aligned: nothing done. */
	int errors_right = 0;
	words[1] = 3;
	long r = wake_op(&words[0], 1, &words[1], 1, (5 << 28) | (9 << 12));
	errors_right += r == -1 && errno == ENOSYS && words[1] == 3;
	r = wake_op(&words[0], 1, &words[1], 1, FUTEX_OP(FUTEX_OP_SET, 9, 6, 0));
	errors_right += r == -1 && errno == ENOSYS && words[1] == 9;
	words[1] = 3;
	r = wake_op(&words[0], 1, (char *) &words[1] + 1, 1, FUTEX_OP(FUTEX_OP_SET, 9, FUTEX_OP_CMP_EQ, 0));
	errors_right += r == -1 && errno == EINVAL && words[1] == 3;
	printf("wake-op errors: %d of 3 right\n", errors_right);
	return right == n && errors_right == 3;
}

int main(int argc, char **argv) {
	if (argc > 1 && argc != 5) {
		fprintf(stderr, "usage: condvar [PRODUCERS CONSUMERS ITEMS ROUNDS]\n");
		return 2;
	}
	if (argc == 5) {
		producers = atoi(argv[1]);
		consumers = atoi(argv[2]);
		items = atol(argv[3]);
		rounds = atoi(argv[4]);
	}
	if (producers < 1 || producers > MAX_THREADS || consumers < 1 || consumers > MAX_THREADS || items < 1
	    || items > 1000000 || rounds < 1 || rounds > 1000) {
		fprintf(stderr, "condvar: 1-%d producers and consumers, 1-1000000 items, 1-1000 rounds\n", MAX_THREADS);
		return 2;
	}
	printf("condvar: %d producers, %d consumers, %ld items each, %d rounds\n", producers, consumers, items, rounds);
	int ok = run_ring("glibc condition variables", 0);
	ok &= run_barrier();
	ok &= run_wake_op_table();
	ok &= run_ring("wake-op condition variables", 1);
	printf("wake-op calls: %ld\n", atomic_load(&wake_op_calls));
	printf("%s\n", ok ? "ok" : "FAILED");
	return ok ? 0 : 1;
}
