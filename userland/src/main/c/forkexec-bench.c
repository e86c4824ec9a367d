/*
 * forkexec-bench: fork + exec + wait, N times. The child runs PROGRAM (looked up on PATH) with
 * its standard output on /dev/null; the default runs "echo -n", which prints nothing.
 *
 * usage: forkexec-bench [N [PROGRAM [ARG...]]]   (default 1000)
 */
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "bench.h"

int main(int argc, char **argv)
{
	long n = iterations(argc, argv, 1000, "forkexec-bench [N [PROGRAM [ARG...]]]");
	static char *default_command[] = {"echo", "-n", NULL};
	char **command = argc > 2 ? argv + 2 : default_command;
	fflush(stdout);
	long long start = now_ns();
	for (long i = 0; i < n; i++) {
		pid_t child = fork();
		if (child < 0) {
			perror("forkexec-bench: fork");
			return 1;
		}
		if (child == 0) {
			int null = open("/dev/null", O_WRONLY);
			if (null >= 0)
				dup2(null, 1);
			execvp(command[0], command);
			perror("forkexec-bench: exec");
			_exit(127);
		}
		int status;
		if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "forkexec-bench: %s failed at iteration %ld\n", command[0], i);
			return 1;
		}
	}
	report("fork+exec+wait", n, now_ns() - start);
	return 0;
}
