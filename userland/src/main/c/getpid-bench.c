/*
 * getpid-bench: the syscall round trip. Calls getpid N times (musl does not cache it: every
 * call enters the kernel) and reports the time.
 *
 * usage: getpid-bench [N]   (default 1000000)
 */
#include <sys/syscall.h>
#include <unistd.h>
#include "bench.h"

int main(int argc, char **argv)
{
	long n = iterations(argc, argv, 1000000, "getpid-bench [N]");
	pid_t pid = getpid();
	long long start = now_ns();
	for (long i = 0; i < n; i++) {
		if (syscall(SYS_getpid) != pid) {
			fprintf(stderr, "getpid-bench: getpid changed\n");
			return 1;
		}
	}
	report("getpid", n, now_ns() - start);
	return 0;
}
