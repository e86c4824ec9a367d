/*
 * cputime: what a process's CPU clocks and its children's resource usage say, checked as Linux
 * keeps them: time asleep or blocked is not CPU time; a child's CPU time reaches its parent through
 * wait4's rusage, getrusage(RUSAGE_CHILDREN), times() and /proc/self/stat. Prints one line a check; the times
 * themselves differ from machine to machine, so only what must hold is printed.
 *
 * usage: cputime
 * Exit status: 0 when every check holds, 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long cpu_ns(clockid_t clock)
{
	struct timespec ts;
	if (clock_gettime(clock, &ts) != 0) {
		perror("cputime: clock_gettime");
		exit(1);
	}
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long tv_ns(struct timeval tv)
{
	return tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL;
}

static int failures;

static void check(const char *what, int ok)
{
	printf("%s: %s\n", what, ok ? "yes" : "NO");
	if (!ok)
		failures++;
}

/* Spins until this process has used ms milliseconds of CPU time. */
static void burn(long ms)
{
	volatile unsigned long n = 0;
	while (cpu_ns(CLOCK_PROCESS_CPUTIME_ID) < ms * 1000000LL)
		for (int i = 0; i < 10000; i++)
			n++;
}

int main(void)
{
	const long long ms = 1000000LL;
	long long before = cpu_ns(CLOCK_PROCESS_CPUTIME_ID);
	struct timespec nap = {0, 300 * ms};
	nanosleep(&nap, NULL);
	check("300 ms asleep cost under 100 ms of CPU time", cpu_ns(CLOCK_PROCESS_CPUTIME_ID) - before < 100 * ms);

	int fds[2];
	if (pipe(fds) != 0) {
		perror("cputime: pipe");
		return 1;
	}
	pid_t writer = fork();
	if (writer == 0) {
		nanosleep(&nap, NULL);
		if (write(fds[1], "x", 1) != 1)
			_exit(1);
		_exit(0);
	}
	char c;
	before = cpu_ns(CLOCK_THREAD_CPUTIME_ID);
	if (read(fds[0], &c, 1) != 1) {
		perror("cputime: read");
		return 1;
	}
	check("300 ms blocked on a pipe cost under 100 ms of CPU time", cpu_ns(CLOCK_THREAD_CPUTIME_ID) - before < 100 * ms);
	waitpid(writer, NULL, 0);

	struct rusage self_before;
	getrusage(RUSAGE_CHILDREN, &self_before);
	before = cpu_ns(CLOCK_PROCESS_CPUTIME_ID);
	pid_t burner = fork();
	if (burner == 0) {
		burn(200);
		_exit(0);
	}
	struct rusage child;
	int status;
	if (wait4(burner, &status, 0, &child) != burner) {
		perror("cputime: wait4");
		return 1;
	}
	long long child_ns = tv_ns(child.ru_utime) + tv_ns(child.ru_stime);
	check("wait4's rusage has the child's 200 ms of CPU time", child_ns >= 190 * ms);
	check("the child's CPU time is mostly user time", tv_ns(child.ru_utime) > tv_ns(child.ru_stime));
	check("waiting for it cost the parent under 100 ms", cpu_ns(CLOCK_PROCESS_CPUTIME_ID) - before < 100 * ms);

	struct rusage children;
	getrusage(RUSAGE_CHILDREN, &children);
	long long grown = tv_ns(children.ru_utime) + tv_ns(children.ru_stime)
			- tv_ns(self_before.ru_utime) - tv_ns(self_before.ru_stime);
	check("getrusage(RUSAGE_CHILDREN) grew by the child's time", grown >= 190 * ms);

	struct tms t;
	times(&t);
	long tick = sysconf(_SC_CLK_TCK);
	check("times() counts it in the children's ticks", t.tms_cutime + t.tms_cstime >= 19 * tick / 100);
	check("and not in the process's own", t.tms_utime + t.tms_stime < 10 * tick / 100 + 1);

	/* /proc/self/stat: after "(comm) ", state is field 3; utime..cstime are fields 14 to 17. */
	char buf[1024];
	FILE *f = fopen("/proc/self/stat", "r");
	size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	unsigned long long v[18] = {0};
	int field = 2;
	while (p && *p && field < 17) {
		p = strchr(p, ' ');
		if (!p)
			break;
		p++;
		field++;
		v[field] = strtoull(p, NULL, 10);
	}
	check("/proc/self/stat counts it in cutime and cstime", field == 17 && v[16] + v[17] >= 19 * tick / 100);
	return failures ? 1 : 0;
}
