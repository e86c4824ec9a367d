/*
 * forkbomb: forks children until fork fails, as a runaway program would, to show that the
 * kernel's process limit stops it and that everything recovers. Each child only waits for the
 * parent to close a pipe, then exits; the parent, once fork has failed, closes the pipe and
 * reaps every child. How many children it got depends on what else runs, so it only says
 * whether that was more than 10.
 *
 * usage: forkbomb [MAX]   stop at MAX children if fork has not failed by then (natively, root
 *                         has no process limit at all)
 * Exit status: 0 when fork failed with EAGAIN after more than 10 children and every child was
 * reaped; 1 when MAX children were made and fork never failed; 2 on anything else.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long max = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
	int fds[2];
	if (pipe(fds) < 0) {
		perror("forkbomb: pipe");
		return 2;
	}
	printf("forkbomb: forking until fork fails\n");
	fflush(stdout);

	long children = 0;
	int fork_errno = 0;
	while (children < max) {
		pid_t pid = fork();
		if (pid < 0) {
			fork_errno = errno;
			break;
		}
		if (pid == 0) {
			char c;
			close(fds[1]);
			while (read(fds[0], &c, 1) < 0 && errno == EINTR)
				;
			_exit(0);
		}
		children++;
	}
	close(fds[1]);

	long reaped = 0;
	int status;
	while (wait(&status) > 0) {
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			reaped++;
	}
	int wait_errno = errno;

	int result = 0;
	if (fork_errno == 0) {
		printf("forkbomb: %ld children and fork has not failed\n", max);
		result = 1;
	} else if (fork_errno == EAGAIN) {
		printf("forkbomb: fork failed with EAGAIN after %s10 children\n", children > 10 ? "more than " : "no more than ");
		result = children > 10 ? 0 : 2;
	} else {
		printf("forkbomb: fork failed with errno %d (%s), not EAGAIN\n", fork_errno, strerror(fork_errno));
		result = 2;
	}
	if (reaped == children && wait_errno == ECHILD) {
		printf("forkbomb: every child exited and was reaped\n");
	} else {
		printf("forkbomb: %ld of %ld children exited with status 0; wait ended with errno %d\n", reaped, children,
		       wait_errno);
		result = 2;
	}
	return result;
}
