/*
 * forkpipe: runs another program with its standard output on a pipe. The child (fork, then
 * execvp: the program is looked up on PATH) writes into the pipe; the parent reads all of it,
 * prints it with each line marked "| ", then waits and reports how the child ended.
 *
 * usage: forkpipe [PROGRAM [ARG...]]   (default: echo through the pipe)
 * Exit status: the child's exit status; 128+N when it was killed by signal N; 127 when it
 * could not be executed (as a shell reports it); 1 when the pipe or fork failed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static char *default_command[] = {"echo", "through", "the", "pipe", NULL};
	char **command = argc > 1 ? argv + 1 : default_command;

	int fds[2];
	if (pipe(fds) < 0) {
		perror("forkpipe: pipe");
		return 1;
	}
	fflush(stdout);
	pid_t child = fork();
	if (child < 0) {
		perror("forkpipe: fork");
		return 1;
	}
	if (child == 0) {
		close(fds[0]);
		if (dup2(fds[1], 1) < 0)
			_exit(126);
		close(fds[1]);
		execvp(command[0], command);
		fprintf(stderr, "forkpipe: %s: %s\n", command[0], strerror(errno));
		_exit(127);
	}
	close(fds[1]);

	printf("forkpipe: started %s\n", command[0]);
	char buf[4096];
	long total = 0, lines = 0;
	int at_line_start = 1;
	for (;;) {
		ssize_t n = read(fds[0], buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++) {
			if (at_line_start)
				fputs("| ", stdout);
			putchar(buf[i]);
			at_line_start = buf[i] == '\n';
			lines += at_line_start;
		}
		total += n;
	}
	if (!at_line_start)
		printf("\n(no newline at the end)\n");
	close(fds[0]);

	int status;
	while (waitpid(child, &status, 0) < 0) {
		if (errno != EINTR) {
			perror("forkpipe: waitpid");
			return 1;
		}
	}
	printf("forkpipe: %ld byte%s, %ld line%s through the pipe\n", total, total == 1 ? "" : "s", lines, lines == 1 ? "" : "s");
	if (WIFEXITED(status)) {
		printf("forkpipe: %s exited with status %d\n", command[0], WEXITSTATUS(status));
		return WEXITSTATUS(status);
	}
	if (WIFSIGNALED(status)) {
		printf("forkpipe: %s was killed by signal %d\n", command[0], WTERMSIG(status));
		return 128 + WTERMSIG(status);
	}
	return 1;
}
