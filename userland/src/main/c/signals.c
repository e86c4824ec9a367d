/*
 * signals: POSIX signals step by step, each step printing what it saw:
 *   1. a SA_SIGINFO handler for SIGUSR1 run by raise() (si_code SI_TKILL on Linux: raise is tgkill)
 *   2. SIGUSR2 sent with kill() to the process itself (si_code SI_USER, si_pid our pid)
 *   3. SIGUSR1 blocked with sigprocmask: pending, not delivered, then delivered on unblock
 *   4. SIGCHLD from a child that exits 7, waited for with sigsuspend, then reaped
 *   5. SIGSEGV from a write through a NULL pointer, caught (SEGV_MAPERR, address 0) and left
 *      with siglongjmp, twice, to show the mask was restored
 *   6. SIGPIPE ignored: a write to a pipe with no reader fails with EPIPE instead
 * Exit status 0 when every step saw what it should, else 1.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t last_signal, last_code, handled;
static volatile sig_atomic_t sender_is_self, chld_seen;
static volatile void *fault_address;
static sigjmp_buf recover;
static int failures;

static void check(int ok, const char *what)
{
	printf("  %s: %s\n", what, ok ? "ok" : "FAILED");
	if (!ok)
		failures++;
}

static void on_signal(int sig, siginfo_t *info, void *context)
{
	(void)context;
	last_signal = sig;
	last_code = info->si_code;
	sender_is_self = info->si_pid == getpid();
	handled++;
}

static void on_chld(int sig, siginfo_t *info, void *context)
{
	(void)sig;
	(void)context;
	if (info->si_code == CLD_EXITED && info->si_status == 7)
		chld_seen = 1;
	else
		chld_seen = -1;
}

static void on_segv(int sig, siginfo_t *info, void *context)
{
	(void)sig;
	(void)context;
	last_code = info->si_code;
	fault_address = info->si_addr;
	siglongjmp(recover, 1);
}

static void install(int sig, void (*handler)(int, siginfo_t *, void *))
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL) < 0) {
		perror("signals: sigaction");
		exit(1);
	}
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	install(SIGUSR1, on_signal);
	install(SIGUSR2, on_signal);
	install(SIGCHLD, on_chld);
	install(SIGSEGV, on_segv);

	printf("1. raise(SIGUSR1)\n");
	handled = 0;
	raise(SIGUSR1);
	check(handled == 1 && last_signal == SIGUSR1, "handler ran once for SIGUSR1");
	check(last_code == SI_TKILL, "si_code is SI_TKILL");

	printf("2. kill(getpid(), SIGUSR2)\n");
	handled = 0;
	kill(getpid(), SIGUSR2);
	check(handled == 1 && last_signal == SIGUSR2, "handler ran once for SIGUSR2");
	check(last_code == SI_USER && sender_is_self, "si_code is SI_USER from our own pid");

	printf("3. SIGUSR1 blocked\n");
	sigset_t block, old, pending;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &old);
	handled = 0;
	raise(SIGUSR1);
	sigpending(&pending);
	check(handled == 0, "not delivered while blocked");
	check(sigismember(&pending, SIGUSR1) == 1, "pending");
	sigprocmask(SIG_SETMASK, &old, NULL);
	check(handled == 1 && last_signal == SIGUSR1, "delivered on unblock");
	sigpending(&pending);
	check(sigismember(&pending, SIGUSR1) == 0, "no longer pending");

	printf("4. SIGCHLD\n");
	sigset_t chld, before;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &before);	/* so that it cannot arrive before sigsuspend waits */
	pid_t child = fork();
	if (child < 0) {
		perror("signals: fork");
		return 1;
	}
	if (child == 0)
		_exit(7);
	sigset_t wait_mask = before;
	sigdelset(&wait_mask, SIGCHLD);
	while (!chld_seen)
		sigsuspend(&wait_mask);
	sigprocmask(SIG_SETMASK, &before, NULL);
	check(chld_seen == 1, "SIGCHLD with CLD_EXITED and status 7");
	int status;
	check(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 7,
		"waitpid reaped the child, exit status 7");

	printf("5. SIGSEGV from a NULL write\n");
	for (int round = 1; round <= 2; round++) {
		int *volatile null_pointer = NULL;	/* volatile: the compiler cannot see the NULL */
		fault_address = (void *)1;
		if (sigsetjmp(recover, 1) == 0) {
			*null_pointer = 42;
			check(0, "the write faulted");
		} else {
			printf("  round %d: caught\n", round);
			check(last_code == SEGV_MAPERR, "si_code is SEGV_MAPERR");
			check(fault_address == NULL, "si_addr is 0");
		}
	}
	sigset_t now;
	sigprocmask(SIG_SETMASK, NULL, &now);
	check(sigismember(&now, SIGSEGV) == 0, "SIGSEGV unblocked again by siglongjmp");

	printf("6. SIGPIPE ignored\n");
	signal(SIGPIPE, SIG_IGN);
	int fds[2];
	if (pipe(fds) < 0) {
		perror("signals: pipe");
		return 1;
	}
	close(fds[0]);
	errno = 0;
	check(write(fds[1], "x", 1) == -1 && errno == EPIPE, "write to a closed pipe fails with EPIPE");
	close(fds[1]);

	printf("signals: %s\n", failures ? "FAILED" : "all steps ok");
	return failures ? 1 : 0;
}
