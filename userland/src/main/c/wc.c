/*
 * wc: counts lines, words and bytes of each file (or standard input), with a total line when
 * there is more than one file, as wc(1) does; -l, -w and -c pick columns. An unreadable file is
 * reported on standard error and makes the exit status 1.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct counts {
	long lines, words, bytes;
};

static int show_lines, show_words, show_bytes;

static int count(int fd, const char *name, struct counts *c)
{
	char buf[8192];
	int in_word = 0;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "wc: %s: %s\n", name, strerror(errno));
			return 1;
		}
		c->bytes += n;
		for (ssize_t i = 0; i < n; i++) {
			unsigned char ch = (unsigned char)buf[i];
			if (ch == '\n')
				c->lines++;
			if (isspace(ch)) {
				in_word = 0;
			} else if (!in_word) {
				in_word = 1;
				c->words++;
			}
		}
	}
}

static void print(const struct counts *c, const char *name)
{
	const char *sep = "";
	if (show_lines) {
		printf("%7ld", c->lines);
		sep = " ";
	}
	if (show_words) {
		printf("%s%7ld", sep, c->words);
		sep = " ";
	}
	if (show_bytes)
		printf("%s%7ld", sep, c->bytes);
	if (name)
		printf(" %s", name);
	putchar('\n');
}

int main(int argc, char **argv)
{
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		for (const char *o = argv[i] + 1; *o; o++) {
			switch (*o) {
			case 'l': show_lines = 1; break;
			case 'w': show_words = 1; break;
			case 'c': show_bytes = 1; break;
			default:
				fprintf(stderr, "wc: unknown option -%c\nusage: wc [-lwc] [FILE...]\n", *o);
				return 2;
			}
		}
	}
	if (!show_lines && !show_words && !show_bytes)
		show_lines = show_words = show_bytes = 1;

	struct counts total = {0, 0, 0};
	int status = 0;
	if (i == argc) {
		status = count(0, "-", &total);
		print(&total, NULL);
		return status;
	}
	int files = argc - i;
	for (; i < argc; i++) {
		struct counts c = {0, 0, 0};
		int fd = strcmp(argv[i], "-") == 0 ? 0 : open(argv[i], O_RDONLY);
		if (fd < 0) {
			fprintf(stderr, "wc: %s: %s\n", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		status |= count(fd, argv[i], &c);
		if (fd != 0)
			close(fd);
		print(&c, argv[i]);
		total.lines += c.lines;
		total.words += c.words;
		total.bytes += c.bytes;
	}
	if (files > 1)
		print(&total, "total");
	return status;
}
