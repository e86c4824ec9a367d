/*
 * badptr: wild pointers handed to system calls, each of which must answer EFAULT and do nothing
 * worse. Every call goes through raw syscall(), so no C library wrapper checks or copies the
 * pointer first; every other argument is valid, so that the bad pointer is the only thing the
 * kernel can object to.
 *
 * The wild pointers:
 *   NULL+1          the first page, never mapped
 *   kernel half     0xffff800000000000, canonical but the kernel's
 *   unmapped        a user page mapped and then unmapped again
 *   non-canonical   0x4000000000000000, no address at all with 4- or 5-level paging
 *   read-only text  main's code, only where the kernel would write (an output buffer)
 *
 * One line a call, "NAME: ok" when every wild pointer gave EFAULT, else "NAME: FAIL" with the
 * pointer and what came back instead. set_tid_address stores its pointer without looking at
 * it, as Linux does: its line is ok when the pointer came back as the thread id and a thread
 * that exits with a wild clear-child-tid address leaves its process to exit normally.
 * It works in the current directory (a file, a link and a directory entry it removes again).
 * Last, no descriptor a failed call made may be left open. Exit status 0 when every call was
 * ok, else 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ARCH_GET_FS 0x1003
#define FILE_NAME "badptr.tmp"
#define LINK_NAME "badptr.link"
#define NEW_NAME "badptr.new"

struct wild {
	const char *name;
	void *p;
	int readable;
};

/* In, the kernel only reads through the pointer (text is readable, so it is no wild pointer
 * there); out, the kernel writes through it. */
enum direction { IN, OUT };

struct call {
	const char *name;
	enum direction dir;
	long (*run)(void *p);
};

static int read_fd, write_fd, file_fd, dir_fd;

static long c_read(void *p) { return syscall(SYS_read, read_fd, p, 1); }
static long c_write(void *p) { return syscall(SYS_write, write_fd, p, 1); }
static long c_open(void *p) { return syscall(SYS_open, p, O_RDONLY); }
static long c_stat(void *p) { struct stat st; return syscall(SYS_stat, p, &st); }
static long c_fstat(void *p) { return syscall(SYS_fstat, file_fd, p); }
static long c_lstat(void *p) { return syscall(SYS_lstat, LINK_NAME, p); }
static long c_poll(void *p) { return syscall(SYS_poll, p, 1, 0); }
static long c_readv(void *p) { return syscall(SYS_readv, read_fd, p, 1); }
static long c_writev(void *p) { return syscall(SYS_writev, write_fd, p, 1); }
static long c_readv_base(void *p)
{
	struct iovec iov = {p, 1};
	return syscall(SYS_readv, read_fd, &iov, 1);
}

static long c_writev_base(void *p)
{
	struct iovec iov = {p, 1};
	return syscall(SYS_writev, write_fd, &iov, 1);
}

static long c_pipe(void *p) { return syscall(SYS_pipe, p); }
static long c_pipe2(void *p) { return syscall(SYS_pipe2, p, O_CLOEXEC); }

static long c_select(void *p)
{
	struct timeval zero = {0, 0};
	return syscall(SYS_select, 1, p, NULL, NULL, &zero);
}

static long c_select_timeout(void *p) { return syscall(SYS_select, 0, NULL, NULL, NULL, p); }

static long c_ppoll(void *p)
{
	struct timespec zero = {0, 0};
	return syscall(SYS_ppoll, p, 1, &zero, NULL, 8);
}

static long c_nanosleep(void *p) { return syscall(SYS_nanosleep, p, NULL); }
static long c_clock_nanosleep(void *p) { return syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, p, NULL); }
static long c_getcwd(void *p) { return syscall(SYS_getcwd, p, 4096); }
static long c_sigaction(void *p) { return syscall(SYS_rt_sigaction, SIGUSR1, p, NULL, 8); }
static long c_sigaction_old(void *p) { return syscall(SYS_rt_sigaction, SIGUSR1, NULL, p, 8); }
static long c_sigprocmask(void *p) { return syscall(SYS_rt_sigprocmask, SIG_BLOCK, p, NULL, 8); }
static long c_sigprocmask_old(void *p) { return syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, p, 8); }
static long c_sigpending(void *p) { return syscall(SYS_rt_sigpending, p, 8); }
static long c_sigaltstack(void *p) { return syscall(SYS_sigaltstack, NULL, p); }
static long c_uname(void *p) { return syscall(SYS_uname, p); }
static long c_gettimeofday(void *p) { return syscall(SYS_gettimeofday, p, NULL); }
static long c_clock_gettime(void *p) { return syscall(SYS_clock_gettime, CLOCK_REALTIME, p); }
static long c_clock_getres(void *p) { return syscall(SYS_clock_getres, CLOCK_MONOTONIC, p); }
static long c_getrlimit(void *p) { return syscall(SYS_getrlimit, RLIMIT_NOFILE, p); }
static long c_prlimit64(void *p) { return syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, p); }
static long c_sysinfo(void *p) { return syscall(SYS_sysinfo, p); }
static long c_times(void *p) { return syscall(SYS_times, p); }
static long c_getresuid(void *p) { return syscall(SYS_getresuid, p, p, p); }
static long c_execve(void *p)
{
	char *argv[] = {"badptr", NULL};
	return syscall(SYS_execve, p, argv, argv + 1);
}
static long c_chdir(void *p) { return syscall(SYS_chdir, p); }
static long c_mkdir(void *p) { return syscall(SYS_mkdir, p, 0755); }
static long c_rmdir(void *p) { return syscall(SYS_rmdir, p); }
static long c_rename(void *p) { return syscall(SYS_rename, p, NEW_NAME); }
static long c_unlink(void *p) { return syscall(SYS_unlink, p); }
static long c_link(void *p) { return syscall(SYS_link, p, NEW_NAME); }
static long c_symlink(void *p) { return syscall(SYS_symlink, p, NEW_NAME); }
static long c_readlink(void *p) { return syscall(SYS_readlink, LINK_NAME, p, 64); }
static long c_access(void *p) { return syscall(SYS_access, p, F_OK); }
static long c_chmod(void *p) { return syscall(SYS_chmod, p, 0644); }
static long c_truncate(void *p) { return syscall(SYS_truncate, p, 0); }
static long c_statfs(void *p) { return syscall(SYS_statfs, "/", p); }

static long c_getdents64(void *p)
{
	lseek(dir_fd, 0, SEEK_SET);
	return syscall(SYS_getdents64, dir_fd, p, 4096);
}

/* FUTEX_WAIT checks the alignment before the address: the pointer goes in rounded up to 4. */
static long c_futex(void *p)
{
	return syscall(SYS_futex, (void *)(((uintptr_t)p + 3) & ~(uintptr_t)3), 0, 0, NULL, NULL, 0);
}

static long c_arch_prctl(void *p) { return syscall(SYS_arch_prctl, ARCH_GET_FS, p); }
static long c_getrandom(void *p) { return syscall(SYS_getrandom, p, 16, 0); }
static long c_newfstatat(void *p) { struct stat st; return syscall(SYS_newfstatat, AT_FDCWD, p, &st, 0); }
static long c_statx(void *p) { return syscall(SYS_statx, AT_FDCWD, FILE_NAME, 0, 0x7ff, p); }
static long c_openat(void *p) { return syscall(SYS_openat, AT_FDCWD, p, O_RDONLY); }
static long c_utimensat(void *p) { return syscall(SYS_utimensat, AT_FDCWD, FILE_NAME, p, 0); }
static long c_sched_getaffinity(void *p) { return syscall(SYS_sched_getaffinity, 0, 128, p); }
static long c_pread64(void *p) { return syscall(SYS_pread64, file_fd, p, 8, 0); }
static long c_pwrite64(void *p) { return syscall(SYS_pwrite64, file_fd, p, 8, 0); }

/* A child that has exited, for the wait calls to reap; the caller reaps whatever is left. */
static pid_t exited_child(void)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	return pid;
}

static long c_wait4(void *p)
{
	pid_t pid = exited_child();
	long r = syscall(SYS_wait4, pid, p, 0, NULL);
	int e = errno;
	waitpid(pid, NULL, 0);
	errno = e;
	return r;
}

static long c_wait4_rusage(void *p)
{
	pid_t pid = exited_child();
	long r = syscall(SYS_wait4, pid, NULL, 0, p);
	int e = errno;
	waitpid(pid, NULL, 0);
	errno = e;
	return r;
}

static long c_waitid(void *p)
{
	pid_t pid = exited_child();
	long r = syscall(SYS_waitid, P_PID, pid, p, WEXITED, NULL);
	int e = errno;
	waitpid(pid, NULL, 0);
	errno = e;
	return r;
}

static const struct call calls[] = {
	{"read", OUT, c_read},
	{"write", IN, c_write},
	{"open", IN, c_open},
	{"stat", IN, c_stat},
	{"fstat", OUT, c_fstat},
	{"lstat", OUT, c_lstat},
	{"poll", IN, c_poll},
	{"readv", IN, c_readv},
	{"writev", IN, c_writev},
	{"readv iov_base", OUT, c_readv_base},
	{"writev iov_base", IN, c_writev_base},
	{"pipe", OUT, c_pipe},
	{"select", IN, c_select},
	{"select timeout", IN, c_select_timeout},
	{"nanosleep", IN, c_nanosleep},
	{"getcwd", OUT, c_getcwd},
	{"rt_sigaction", IN, c_sigaction},
	{"rt_sigaction oldact", OUT, c_sigaction_old},
	{"rt_sigprocmask", IN, c_sigprocmask},
	{"rt_sigprocmask oldset", OUT, c_sigprocmask_old},
	{"rt_sigpending", OUT, c_sigpending},
	{"sigaltstack", OUT, c_sigaltstack},
	{"uname", OUT, c_uname},
	{"gettimeofday", OUT, c_gettimeofday},
	{"clock_gettime", OUT, c_clock_gettime},
	{"clock_getres", OUT, c_clock_getres},
	{"clock_nanosleep", IN, c_clock_nanosleep},
	{"getrlimit", OUT, c_getrlimit},
	{"prlimit64", OUT, c_prlimit64},
	{"sysinfo", OUT, c_sysinfo},
	{"times", OUT, c_times},
	{"getresuid", OUT, c_getresuid},
	{"wait4", OUT, c_wait4},
	{"wait4 rusage", OUT, c_wait4_rusage},
	{"waitid", OUT, c_waitid},
	{"execve", IN, c_execve},
	{"chdir", IN, c_chdir},
	{"mkdir", IN, c_mkdir},
	{"rmdir", IN, c_rmdir},
	{"rename", IN, c_rename},
	{"unlink", IN, c_unlink},
	{"link", IN, c_link},
	{"symlink", IN, c_symlink},
	{"readlink", OUT, c_readlink},
	{"access", IN, c_access},
	{"chmod", IN, c_chmod},
	{"truncate", IN, c_truncate},
	{"statfs", OUT, c_statfs},
	{"getdents64", OUT, c_getdents64},
	{"futex", IN, c_futex},
	{"arch_prctl GET_FS", OUT, c_arch_prctl},
	{"getrandom", OUT, c_getrandom},
	{"newfstatat", IN, c_newfstatat},
	{"statx", OUT, c_statx},
	{"openat", IN, c_openat},
	{"utimensat", IN, c_utimensat},
	{"pipe2", OUT, c_pipe2},
	{"sched_getaffinity", OUT, c_sched_getaffinity},
	{"pread64", OUT, c_pread64},
	{"pwrite64", IN, c_pwrite64},
	{"ppoll", IN, c_ppoll},
};

static struct wild wilds[5];
static int nwild;

static volatile int thread_done;

static void *exit_with_wild_tid(void *p)
{
	syscall(SYS_set_tid_address, p);
	thread_done = 1;
	syscall(SYS_exit, 0);
	return NULL;
}

/*
 * In a child: set_tid_address(p) must return the thread id; then a thread stores p as its own
 * clear-child-tid address and exits, and the child exits normally. Returns 0 when it did.
 */
static int set_tid_address_with(void *p, char *why, size_t size)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(why, size, "fork: errno %d", errno);
		return -1;
	}
	if (pid == 0) {
		long tid = syscall(SYS_set_tid_address, p);
		if (tid != syscall(SYS_gettid))
			_exit(2);
		pthread_t t;
		if (pthread_create(&t, NULL, exit_with_wild_tid, p) != 0)
			_exit(3);
		while (!thread_done)
			sched_yield();
		struct timespec pause = {0, 20 * 1000 * 1000};
		nanosleep(&pause, NULL);
		_exit(0);
	}
	int status;
	if (waitpid(pid, &status, 0) != pid) {
		snprintf(why, size, "waitpid: errno %d", errno);
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(why, size, "child status %#x", status);
		return -1;
	}
	return 0;
}

int main(void);

static int setup(void)
{
	int fds[2];
	if (pipe2(fds, O_NONBLOCK) < 0 || write(fds[1], "x", 1) != 1)
		return -1;
	read_fd = fds[0];
	if (pipe2(fds, O_NONBLOCK) < 0)
		return -1;
	write_fd = fds[1];
	file_fd = open(FILE_NAME, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (file_fd < 0 || write(file_fd, "contents", 8) != 8)
		return -1;
	if (symlink(FILE_NAME, LINK_NAME) < 0)
		return -1;
	dir_fd = open(".", O_RDONLY | O_DIRECTORY);
	if (dir_fd < 0)
		return -1;

	void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED || munmap(page, 4096) < 0)
		return -1;
	wilds[nwild++] = (struct wild){"NULL+1", (void *)1, 0};
	wilds[nwild++] = (struct wild){"kernel half", (void *)0xffff800000000000UL, 0};
	wilds[nwild++] = (struct wild){"unmapped", page, 0};
	wilds[nwild++] = (struct wild){"non-canonical", (void *)0x4000000000000000UL, 0};
	wilds[nwild++] = (struct wild){"read-only text", (void *)(uintptr_t)main, 1};
	return 0;
}

int main(void)
{
	if (setup() < 0) {
		perror("badptr: setup");
		unlink(LINK_NAME);
		unlink(FILE_NAME);
		return 1;
	}
	int lowest_free_fd = dup(0);
	close(lowest_free_fd);
	int ncalls = sizeof calls / sizeof calls[0];
	int failed = 0;
	for (int i = 0; i < ncalls; i++) {
		char why[200] = "";
		for (int w = 0; w < nwild && !why[0]; w++) {
			if (calls[i].dir == IN && wilds[w].readable)
				continue;
			errno = 0;
			long r = calls[i].run(wilds[w].p);
			if (r != -1)
				snprintf(why, sizeof why, "%s: returned %ld", wilds[w].name, r);
			else if (errno != EFAULT)
				snprintf(why, sizeof why, "%s: errno %d (%s)", wilds[w].name, errno, strerror(errno));
		}
		printf("%s: %s%s%s\n", calls[i].name, why[0] ? "FAIL (" : "ok", why, why[0] ? ")" : "");
		failed += why[0] != 0;
	}

	char why[200] = "";
	for (int w = 0; w < nwild && !why[0]; w++) {
		char reason[160];
		if (set_tid_address_with(wilds[w].p, reason, sizeof reason) < 0)
			snprintf(why, sizeof why, "%s: %s", wilds[w].name, reason);
	}
	printf("set_tid_address: %s%s%s\n", why[0] ? "FAIL (" : "ok", why, why[0] ? ")" : "");
	failed += why[0] != 0;
	ncalls++;

	/* A call that failed must not have left a descriptor behind (pipe makes two before it writes). */
	int fd = dup(0);
	close(fd);
	if (fd == lowest_free_fd) {
		printf("no descriptor left open: ok\n");
	} else {
		printf("no descriptor left open: FAIL (lowest free was %d, now %d)\n", lowest_free_fd, fd);
		failed++;
	}

	unlink(LINK_NAME);
	unlink(FILE_NAME);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	if (failed) {
		printf("badptr: %d of %d calls did not answer EFAULT\n", failed, ncalls);
		return 1;
	}
	printf("badptr: all %d calls answered EFAULT\n", ncalls);
	return 0;
}
