/*
 * cond-broadcast: THREADS threads wait on one condition variable, ROUNDS times; each round the
 * main thread waits until all of them sleep, then wakes them all with one broadcast. Each woken
 * thread takes the mutex again (musl moves the waiters of a broadcast onto the mutex's word with
 * FUTEX_REQUEUE, and each unlock wakes the next). Prints exact totals.
 * Usage: cond-broadcast [THREADS [ROUNDS]]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake_all = PTHREAD_COND_INITIALIZER;
static pthread_cond_t all_asleep = PTHREAD_COND_INITIALIZER;
static int threads = 4, rounds = 200;
static int generation, sleeping;
static long wakeups;

static void *waiter(void *arg) {
    (void) arg;
    pthread_mutex_lock(&lock);
    for (int r = 0; r < rounds; r++) {
        int seen = generation;
        if (++sleeping == threads) {
            pthread_cond_signal(&all_asleep);
        }
        while (generation == seen) {
            pthread_cond_wait(&wake_all, &lock);
        }
        wakeups++;
    }
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc > 1) threads = atoi(argv[1]);
    if (argc > 2) rounds = atoi(argv[2]);
    if (threads < 1 || threads > 64 || rounds < 1) {
        fprintf(stderr, "usage: cond-broadcast [THREADS (1-64) [ROUNDS]]\n");
        return 2;
    }
    pthread_t tids[64];
    for (int i = 0; i < threads; i++) {
        if (pthread_create(&tids[i], NULL, waiter, NULL) != 0) {
            fprintf(stderr, "cond-broadcast: pthread_create failed\n");
            return 1;
        }
    }
    pthread_mutex_lock(&lock);
    for (int r = 0; r < rounds; r++) {
        while (sleeping < threads) {
            pthread_cond_wait(&all_asleep, &lock);
        }
        sleeping = 0;
        generation++;
        pthread_cond_broadcast(&wake_all);
    }
    pthread_mutex_unlock(&lock);
    for (int i = 0; i < threads; i++) {
        pthread_join(tids[i], NULL);
    }
    printf("%d threads, %d broadcasts, %ld wake-ups (expected %ld)\n", threads, rounds, wakeups, (long) threads * rounds);
    return wakeups == (long) threads * rounds ? 0 : 1;
}
