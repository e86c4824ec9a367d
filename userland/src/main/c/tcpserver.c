/*
 * tcpserver: a small HTTP/1.0 server over the socket API. Listens on PORT (0: any free port)
 * and answers every connection with the same fixed response, whatever was asked, after reading
 * the request up to its blank line. Prints the port it listens on (so a test can ask for port
 * 0), and the request line of each connection served.
 *
 * usage: tcpserver PORT [COUNT [ADDRESS]]   serve COUNT connections (default: forever), on
 *                                           ADDRESS (default: every address, 0.0.0.0)
 * Exit status 0 after COUNT connections; 1 when the socket calls fail.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char BODY[] = "Hello from the ALOS/J tcpserver.\n";

/* Reads the request until the blank line ending its header (or EOF); keeps the first line. */
static void read_request(int fd, char *first_line, size_t size)
{
	char buf[4096];
	size_t used = 0;
	for (;;) {
		ssize_t n = read(fd, buf + used, sizeof buf - 1 - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		used += (size_t)n;
		buf[used] = '\0';
		if (strstr(buf, "\r\n\r\n") || strstr(buf, "\n\n") || used == sizeof buf - 1)
			break;
	}
	buf[used] = '\0';
	size_t len = strcspn(buf, "\r\n");
	if (len >= size)
		len = size - 1;
	memcpy(first_line, buf, len);
	first_line[len] = '\0';
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: tcpserver PORT [COUNT [ADDRESS]]\n");
		return 2;
	}
	int port = atoi(argv[1]);
	long count = argc > 2 ? atol(argv[2]) : -1;
	const char *address = argc > 3 ? argv[3] : "0.0.0.0";
	signal(SIGPIPE, SIG_IGN);	/* a client that goes away early is that connection's problem */

	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	if (inet_pton(AF_INET, address, &sa.sin_addr) != 1) {
		fprintf(stderr, "tcpserver: %s is not an IPv4 address\n", address);
		return 2;
	}
	int server = socket(AF_INET, SOCK_STREAM, 0);
	if (server < 0) {
		perror("tcpserver: socket");
		return 1;
	}
	int one = 1;
	setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(server, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(server, 16) < 0) {
		fprintf(stderr, "tcpserver: port %d: %s\n", port, strerror(errno));
		return 1;
	}
	socklen_t len = sizeof sa;
	getsockname(server, (struct sockaddr *)&sa, &len);
	printf("tcpserver: listening on port %d\n", ntohs(sa.sin_port));
	fflush(stdout);

	char response[256];
	int response_len = snprintf(response, sizeof response,
		"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
		sizeof BODY - 1, BODY);
	for (long served = 0; count < 0 || served < count;) {
		int client = accept(server, NULL, NULL);
		if (client < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			perror("tcpserver: accept");
			return 1;
		}
		char request[256];
		read_request(client, request, sizeof request);
		if (write_all(client, response, (size_t)response_len) < 0)
			fprintf(stderr, "tcpserver: write: %s\n", strerror(errno));
		close(client);
		served++;
		printf("tcpserver: %ld: %s\n", served, request[0] ? request : "(no request)");
		fflush(stdout);
	}
	close(server);
	return 0;
}
