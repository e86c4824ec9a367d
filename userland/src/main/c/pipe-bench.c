/*
 * pipe-bench: a context switch and pipe throughput. Two processes pass one byte back and forth
 * through two pipes N times (each round trip is two switches), then the child writes MIB
 * mebibytes into a pipe in 64 KiB writes for the parent to read.
 *
 * usage: pipe-bench [N [MIB]]   (defaults 10000 and 64)
 */
#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>
#include "bench.h"

static int full(ssize_t (*io)(int, void *, size_t), int fd, char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = io(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static ssize_t write_io(int fd, void *buf, size_t len)
{
	return write(fd, buf, len);
}

int main(int argc, char **argv)
{
	long n = iterations(argc, argv, 10000, "pipe-bench [N [MIB]]");
	long mib = argc > 2 ? atol(argv[2]) : 64;
	if (mib < 0) {
		fprintf(stderr, "usage: pipe-bench [N [MIB]]\n");
		return 2;
	}
	int ping[2], pong[2], bulk[2];
	if (pipe(ping) < 0 || pipe(pong) < 0 || pipe(bulk) < 0) {
		perror("pipe-bench: pipe");
		return 1;
	}
	static char buf[65536];
	fflush(stdout);
	pid_t child = fork();
	if (child < 0) {
		perror("pipe-bench: fork");
		return 1;
	}
	if (child == 0) {
		char c;
		for (long i = 0; i < n; i++) {
			if (full(read, ping[0], &c, 1) < 0 || full(write_io, pong[1], &c, 1) < 0)
				_exit(1);
		}
		for (long i = 0; i < mib * 16; i++) {
			if (full(write_io, bulk[1], buf, sizeof buf) < 0)
				_exit(1);
		}
		_exit(0);
	}
	close(bulk[1]);
	char c = 'x';
	long long start = now_ns();
	for (long i = 0; i < n; i++) {
		if (full(write_io, ping[1], &c, 1) < 0 || full(read, pong[0], &c, 1) < 0) {
			fprintf(stderr, "pipe-bench: ping-pong failed at %ld\n", i);
			return 1;
		}
	}
	report("pipe round trip", n, now_ns() - start);

	long long bytes = 0;
	start = now_ns();
	for (;;) {
		ssize_t r = read(bulk[0], buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		bytes += r;
	}
	long long ns = now_ns() - start;
	int status;
	waitpid(child, &status, 0);
	if (bytes != mib << 20 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "pipe-bench: %lld of %ld bytes arrived\n", bytes, mib << 20);
		return 1;
	}
	printf("pipe throughput: %lld bytes, %lld ns total, %lld MB/s\n", bytes, ns, ns ? bytes * 1000 / ns : 0);
	return 0;
}
