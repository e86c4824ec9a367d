/*
 * tcpclient: an HTTP/1.0 client over the socket API. Resolves HOST (a name through
 * getaddrinfo: /etc/hosts, then DNS; or an IPv4 address), connects to PORT, sends
 * "GET PATH HTTP/1.0" and copies everything the server sends back to standard output.
 *
 * usage: tcpclient HOST PORT [PATH]   (default path /)
 * Exit status 0 when the response arrived whole (the server closed the connection), 1 when
 * the name, the connection or the transfer failed.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: tcpclient HOST PORT [PATH]\n");
		return 2;
	}
	const char *host = argv[1], *port = argv[2], *path = argc > 3 ? argv[3] : "/";

	struct addrinfo hints, *found;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	int err = getaddrinfo(host, port, &hints, &found);
	if (err) {
		fprintf(stderr, "tcpclient: %s: %s\n", host, gai_strerror(err));
		return 1;
	}
	int fd = -1;
	for (struct addrinfo *ai = found; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		err = errno;
		close(fd);
		fd = -1;
		errno = err;
	}
	freeaddrinfo(found);
	if (fd < 0) {
		fprintf(stderr, "tcpclient: connect to %s port %s: %s\n", host, port, strerror(errno));
		return 1;
	}

	char request[1024];
	int n = snprintf(request, sizeof request, "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: alosj-tcpclient\r\n\r\n", path, host);
	for (int sent = 0; sent < n;) {
		ssize_t w = write(fd, request + sent, (size_t)(n - sent));
		if (w < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "tcpclient: send: %s\n", strerror(errno));
			return 1;
		}
		sent += (int)w;
	}
	char buf[4096];
	for (;;) {
		ssize_t r = read(fd, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "tcpclient: receive: %s\n", strerror(errno));
			return 1;
		}
		if (r == 0)
			break;
		fwrite(buf, 1, (size_t)r, stdout);
	}
	close(fd);
	return fflush(stdout) == 0 ? 0 : 1;
}
