/*
 * cat: copies each file named (or standard input, also for "-") to standard output with plain
 * read(2) and write(2); -n numbers the lines. A file that cannot be read is reported on
 * standard error, the others are still copied, and the exit status is 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int number_lines;
static long line_no = 1;
static int at_line_start = 1;

static int write_all(const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(1, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Writes buf, putting a line number in front of every line when -n asked for it. */
static int emit(const char *buf, size_t len)
{
	if (!number_lines)
		return write_all(buf, len);
	while (len > 0) {
		if (at_line_start) {
			char prefix[32];
			int n = snprintf(prefix, sizeof prefix, "%6ld\t", line_no++);
			if (write_all(prefix, (size_t)n) < 0)
				return -1;
			at_line_start = 0;
		}
		const char *nl = memchr(buf, '\n', len);
		size_t chunk = nl ? (size_t)(nl - buf) + 1 : len;
		if (write_all(buf, chunk) < 0)
			return -1;
		at_line_start = nl != NULL;
		buf += chunk;
		len -= chunk;
	}
	return 0;
}

static int copy(int fd, const char *name)
{
	char buf[8192];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "cat: %s: %s\n", name, strerror(errno));
			return 1;
		}
		if (emit(buf, (size_t)n) < 0) {
			fprintf(stderr, "cat: write error: %s\n", strerror(errno));
			return 1;
		}
	}
}

int main(int argc, char **argv)
{
	int i = 1, status = 0;
	if (i < argc && strcmp(argv[i], "-n") == 0) {
		number_lines = 1;
		i++;
	}
	if (i == argc)
		return copy(0, "-");
	for (; i < argc; i++) {
		if (strcmp(argv[i], "-") == 0) {
			status |= copy(0, "-");
			continue;
		}
		int fd = open(argv[i], O_RDONLY);
		if (fd < 0) {
			fprintf(stderr, "cat: %s: %s\n", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		status |= copy(fd, argv[i]);
		close(fd);
	}
	return status;
}
