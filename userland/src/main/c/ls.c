/*
 * ls: lists directories with their names sorted bytewise (strcmp, as LC_ALL=C ls does), or
 * names the files given; -a shows the names starting with '.', -l adds the type and mode,
 * the size and a symbolic link's target. -l leaves out what differs between two copies of
 * one tree (owners, times, link counts, directories' sizes) so that the output of the same
 * tree is the same on every filesystem. Exit status 1 when a name cannot be listed.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int show_all, long_format;

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void mode_string(mode_t mode, char out[11])
{
	const char *rwx = "rwxrwxrwx";
	out[0] = S_ISDIR(mode) ? 'd' : S_ISLNK(mode) ? 'l' : S_ISCHR(mode) ? 'c' : S_ISBLK(mode) ? 'b'
		: S_ISFIFO(mode) ? 'p' : S_ISSOCK(mode) ? 's' : '-';
	for (int i = 0; i < 9; i++)
		out[i + 1] = mode & (0400 >> i) ? rwx[i] : '-';
	if (mode & S_ISUID)
		out[3] = out[3] == 'x' ? 's' : 'S';
	if (mode & S_ISGID)
		out[6] = out[6] == 'x' ? 's' : 'S';
	if (mode & S_ISVTX)
		out[9] = out[9] == 'x' ? 't' : 'T';
	out[10] = '\0';
}

/* One entry; path is where to find it, name what to print. Returns 0, or 1 when lstat fails. */
static int show(const char *path, const char *name)
{
	if (!long_format) {
		puts(name);
		return 0;
	}
	struct stat st;
	if (lstat(path, &st) < 0) {
		fprintf(stderr, "ls: %s: %s\n", path, strerror(errno));
		return 1;
	}
	char mode[11];
	mode_string(st.st_mode, mode);
	if (S_ISDIR(st.st_mode))
		printf("%s %10s %s", mode, "-", name);
	else
		printf("%s %10lld %s", mode, (long long)st.st_size, name);
	if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = readlink(path, target, sizeof target - 1);
		if (n >= 0) {
			target[n] = '\0';
			printf(" -> %s", target);
		}
	}
	putchar('\n');
	return 0;
}

static int list_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "ls: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	char **names = NULL;
	size_t count = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' && !show_all)
			continue;
		if (count == cap) {
			cap = cap ? cap * 2 : 64;
			char **bigger = realloc(names, cap * sizeof *names);
			if (!bigger) {
				fprintf(stderr, "ls: out of memory\n");
				exit(1);
			}
			names = bigger;
		}
		names[count] = strdup(e->d_name);
		if (!names[count]) {
			fprintf(stderr, "ls: out of memory\n");
			exit(1);
		}
		count++;
	}
	closedir(d);
	qsort(names, count, sizeof *names, by_name);
	int status = 0;
	for (size_t i = 0; i < count; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		status |= show(path, names[i]);
		free(names[i]);
	}
	free(names);
	return status;
}

int main(int argc, char **argv)
{
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		for (const char *o = argv[i] + 1; *o; o++) {
			switch (*o) {
			case 'a': show_all = 1; break;
			case 'l': long_format = 1; break;
			default:
				fprintf(stderr, "ls: unknown option -%c\nusage: ls [-al] [FILE...]\n", *o);
				return 2;
			}
		}
	}
	if (i == argc)
		return list_dir(".");

	/* Files first, then each directory under a heading, as ls(1) orders them. */
	qsort(argv + i, (size_t)(argc - i), sizeof *argv, by_name);
	int status = 0, shown = 0, operands = argc - i;
	for (int j = i; j < argc; j++) {
		struct stat st;
		if (stat(argv[j], &st) < 0) {
			fprintf(stderr, "ls: %s: %s\n", argv[j], strerror(errno));
			status = 1;
		} else if (!S_ISDIR(st.st_mode)) {
			status |= show(argv[j], argv[j]);
			shown++;
		}
	}
	for (int j = i; j < argc; j++) {
		struct stat st;
		if (stat(argv[j], &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		if (operands > 1)
			printf("%s%s:\n", shown++ ? "\n" : "", argv[j]);
		status |= list_dir(argv[j]);
	}
	return status;
}
