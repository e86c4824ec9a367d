/*
 * tinysh: a tiny shell. Reads command lines from standard input (with a "$ " prompt when it is
 * a terminal), splits them into words (whitespace; '...' and "..." quote), and runs them with
 * fork, execve and wait. A line is a pipeline, commands joined by '|'; the first may read from
 * '< FILE', the last may write to '> FILE' (or append with '>> FILE'). Builtins: cd [DIR],
 * exit [N]. '#' starts a comment. Programs are looked up on PATH.
 *
 * Exit status: the argument of exit, or else the status of the last pipeline (its last
 * command's: 128+N when killed by signal N, 127 when not found); 2 for a syntax error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_WORDS 64
#define MAX_COMMANDS 16

extern char **environ;

struct command {
	char *argv[MAX_WORDS + 1];
	int argc;
};

struct pipeline {
	struct command commands[MAX_COMMANDS];
	int count;
	char *input;	/* < FILE, or NULL */
	char *output;	/* > FILE or >> FILE, or NULL */
	int append;
};

/*
 * Splits line into words, copied into store (at least twice the line's size) with their quotes
 * removed; '|', '<', '>' and '>>' are words of their own, marked in is_operator (a quoted "|" is
 * an ordinary word). Returns the count, or -1.
 */
static int split(const char *line, char *store, char **words, char *is_operator, int max)
{
	int n = 0;
	const char *p = line;
	char *out = store;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p || *p == '#')
			return n;
		if (n == max) {
			fprintf(stderr, "tinysh: too many words\n");
			return -1;
		}
		is_operator[n] = *p == '|' || *p == '<' || *p == '>';
		words[n++] = out;
		if (is_operator[n - 1]) {
			*out++ = *p++;
			if (out[-1] == '>' && *p == '>')
				*out++ = *p++;
			*out++ = '\0';
			continue;
		}
		while (*p && !strchr(" \t\n|<>", *p)) {
			if (*p == '\'' || *p == '"') {
				char quote = *p++;
				while (*p && *p != quote)
					*out++ = *p++;
				if (*p != quote) {
					fprintf(stderr, "tinysh: unterminated quote\n");
					return -1;
				}
				p++;
			} else {
				*out++ = *p++;
			}
		}
		*out++ = '\0';
	}
}

static int parse(char **words, const char *is_operator, int n, struct pipeline *pl)
{
	memset(pl, 0, sizeof *pl);
	pl->count = 1;
	for (int i = 0; i < n; i++) {
		struct command *c = &pl->commands[pl->count - 1];
		if (!is_operator[i]) {
			if (c->argc == MAX_WORDS) {
				fprintf(stderr, "tinysh: too many words in one command\n");
				return -1;
			}
			c->argv[c->argc++] = words[i];
		} else if (strcmp(words[i], "|") == 0) {
			if (c->argc == 0 || pl->output || pl->count == MAX_COMMANDS) {
				fprintf(stderr, "tinysh: syntax error near '|'\n");
				return -1;
			}
			pl->count++;
		} else {
			if (i + 1 == n || is_operator[i + 1]) {
				fprintf(stderr, "tinysh: %s needs a file name\n", words[i]);
				return -1;
			}
			if (words[i][0] == '<') {
				if (pl->count > 1) {
					fprintf(stderr, "tinysh: only the first command may read a file\n");
					return -1;
				}
				pl->input = words[++i];
			} else {
				pl->append = words[i][1] == '>';
				pl->output = words[++i];
			}
		}
	}
	if (pl->commands[pl->count - 1].argc == 0) {
		if (pl->count > 1 || pl->input || pl->output) {
			fprintf(stderr, "tinysh: missing command\n");
			return -1;
		}
		pl->count = 0;
	}
	return 0;
}

/* Runs argv[0] by PATH lookup, calling execve for every candidate as execvp would. */
static void exec_command(char **argv)
{
	if (strchr(argv[0], '/')) {
		execve(argv[0], argv, environ);
	} else {
		const char *path = getenv("PATH");
		if (!path)
			path = "/bin:/usr/bin";
		int saved = ENOENT;
		while (*path) {
			const char *end = strchr(path, ':');
			size_t len = end ? (size_t)(end - path) : strlen(path);
			char file[4096];
			snprintf(file, sizeof file, "%.*s%s%s", (int)len, path, len ? "/" : "", argv[0]);
			execve(file, argv, environ);
			if (errno != ENOENT)
				saved = errno;
			path += len + (end != NULL);
		}
		errno = saved;
	}
	fprintf(stderr, "tinysh: %s: %s\n", argv[0], errno == ENOENT ? "command not found" : strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

static int run(struct pipeline *pl)
{
	pid_t pids[MAX_COMMANDS];
	int in = 0;
	if (pl->input) {
		in = open(pl->input, O_RDONLY);
		if (in < 0) {
			fprintf(stderr, "tinysh: %s: %s\n", pl->input, strerror(errno));
			return 1;
		}
	}
	int out_file = -1;
	if (pl->output) {
		int flags = O_WRONLY | O_CREAT | (pl->append ? O_APPEND : O_TRUNC);
		out_file = open(pl->output, flags, 0644);
		if (out_file < 0) {
			fprintf(stderr, "tinysh: %s: %s\n", pl->output, strerror(errno));
			if (in)
				close(in);
			return 1;
		}
	}
	fflush(stdout);
	for (int i = 0; i < pl->count; i++) {
		int fds[2] = {-1, -1};
		int last = i == pl->count - 1;
		if (!last && pipe(fds) < 0) {
			perror("tinysh: pipe");
			return 1;
		}
		int out = last ? (out_file >= 0 ? out_file : 1) : fds[1];
		pids[i] = fork();
		if (pids[i] < 0) {
			perror("tinysh: fork");
			return 1;
		}
		if (pids[i] == 0) {
			if (in != 0) {
				dup2(in, 0);
				close(in);
			}
			if (out != 1) {
				dup2(out, 1);
				close(out);
			}
			if (fds[0] >= 0)
				close(fds[0]);
			exec_command(pl->commands[i].argv);
		}
		if (in != 0)
			close(in);
		if (fds[1] >= 0)
			close(fds[1]);
		in = fds[0] >= 0 ? fds[0] : 0;
	}
	if (out_file >= 0)
		close(out_file);
	int status = 0;
	for (int i = 0; i < pl->count; i++) {
		int s;
		while (waitpid(pids[i], &s, 0) < 0 && errno == EINTR)
			;
		if (i == pl->count - 1)
			status = WIFEXITED(s) ? WEXITSTATUS(s) : WIFSIGNALED(s) ? 128 + WTERMSIG(s) : 1;
	}
	return status;
}

int main(void)
{
	int interactive = isatty(0);
	int status = 0;
	char line[4096];
	for (;;) {
		if (interactive) {
			fputs("$ ", stdout);
			fflush(stdout);
		}
		if (!fgets(line, sizeof line, stdin))
			break;
		char store[2 * sizeof line], *words[MAX_WORDS * 2], is_operator[MAX_WORDS * 2];
		int n = split(line, store, words, is_operator, MAX_WORDS * 2);
		struct pipeline pl;
		if (n < 0 || parse(words, is_operator, n, &pl) < 0) {
			status = 2;
			continue;
		}
		if (pl.count == 0)
			continue;
		char **argv = pl.commands[0].argv;
		if (pl.count == 1 && strcmp(argv[0], "exit") == 0)
			return pl.commands[0].argc > 1 ? atoi(argv[1]) : status;
		if (pl.count == 1 && strcmp(argv[0], "cd") == 0) {
			const char *dir = pl.commands[0].argc > 1 ? argv[1] : getenv("HOME");
			status = 0;
			if (!dir || chdir(dir) < 0) {
				fprintf(stderr, "tinysh: cd: %s: %s\n", dir ? dir : "(no HOME)", dir ? strerror(errno) : "not set");
				status = 1;
			}
			continue;
		}
		status = run(&pl);
	}
	if (interactive)
		putchar('\n');
	return status;
}
