/* ws_signal - two local processes that exchange WebRTC signaling over a
 * WebSocket (RFC 6455) on 127.0.0.1, to be captured with tcpdump (see
 * tests/fixtures/pcap/PROVENANCE).
 *
 *   ws_signal PORT OFFER.sdp ANSWER.sdp
 *
 * The parent listens and forks the client.  The client (the offerer) sends
 * the HTTP Upgrade request, the offer as {"type":"offer","sdp":...}, two
 * trickled candidates as {"type":"candidate","candidate":{...}} and the end
 * of candidates as {"type":"candidate","candidate":null}.  The server
 * answers as {"event":"answer","data":{"sdp":{"type":"answer","sdp":...}}}
 * in two fragments with a ping between them, then sends two candidates as
 * {"msg":{"ice":{...}}} and the end of candidates as {"msg":{"ice":
 * {"candidate":""}}}.  The client answers the ping, then both close with
 * code 1000.  Each frame is its own write() with TCP_NODELAY and a short
 * pause, so each becomes its own TCP segment.
 *
 * A test program, not part of librtclab; it uses jansson for the JSON and
 * librtclab for Sec-WebSocket-Accept.  Build by hand:
 *   cc -std=c11 -D_POSIX_C_SOURCE=200809L -Ilib/include -o build/ws_signal \
 *      tests/tools/ws_signal.c build/librtclab.a $(pkg-config --libs openssl zlib jansson libidn libpcap) -lunistring
 */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rtclab/websocket.h"

#define KEY "cnRjbGFiLXdzLXNpZ25hbA==" /* base64("rtclab-ws-signal") */

static void die(const char *what)
{
	fprintf(stderr, "ws_signal: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void pause_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		die(path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = malloc((size_t)n + 1);
	if (!s || fread(s, 1, (size_t)n, f) != (size_t)n)
		die(path);
	s[n] = '\0';
	fclose(f);
	return s;
}

static void write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0)
			die("write");
		c += w;
		n -= (size_t)w;
	}
	pause_ms(20);
}

static void read_all(int fd, void *p, size_t n)
{
	char *c = p;
	while (n) {
		ssize_t r = read(fd, c, n);
		if (r <= 0) {
			fprintf(stderr, "ws_signal: connection ended early\n");
			exit(1);
		}
		c += r;
		n -= (size_t)r;
	}
}

/* Read an HTTP header block (up to the blank line). */
static void read_head(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	while (n + 1 < cap) {
		read_all(fd, buf + n, 1);
		n++;
		if (n >= 4 && memcmp(buf + n - 4, "\r\n\r\n", 4) == 0)
			break;
	}
	buf[n] = '\0';
}

static uint32_t lcg = 0x5eed1234u;

/* One frame; masked with a pseudo-random key when from the client (RFC 6455 5.3). */
static void send_frame(int fd, bool client, bool fin, int opcode, const void *payload, size_t len)
{
	uint8_t *f = malloc(len + 14);
	size_t n = 0;
	f[n++] = (uint8_t)((fin ? 0x80 : 0) | opcode);
	uint8_t mask = client ? 0x80 : 0;
	if (len < 126) {
		f[n++] = (uint8_t)(mask | len);
	} else if (len <= 0xFFFF) {
		f[n++] = mask | 126;
		f[n++] = (uint8_t)(len >> 8);
		f[n++] = (uint8_t)len;
	} else {
		f[n++] = mask | 127;
		for (int s = 56; s >= 0; s -= 8)
			f[n++] = (uint8_t)((uint64_t)len >> s);
	}
	uint8_t key[4] = {0, 0, 0, 0};
	if (client) {
		lcg = lcg * 1103515245u + 12345u;
		memcpy(key, &lcg, 4);
		memcpy(f + n, key, 4);
		n += 4;
	}
	for (size_t i = 0; i < len; i++)
		f[n + i] = ((const uint8_t *)payload)[i] ^ key[i & 3];
	write_all(fd, f, n + len);
	free(f);
}

static void send_json(int fd, bool client, json_t *j)
{
	char *text = json_dumps(j, JSON_COMPACT);
	send_frame(fd, client, true, 0x1, text, strlen(text));
	free(text);
	json_decref(j);
}

/* The next frame: opcode, payload (unmasked, NUL-terminated, caller frees). */
static char *recv_frame(int fd, int *opcode, bool *fin, size_t *len)
{
	uint8_t h[2], key[4] = {0, 0, 0, 0};
	read_all(fd, h, 2);
	*fin = h[0] & 0x80;
	*opcode = h[0] & 0x0F;
	uint64_t n = h[1] & 0x7F;
	if (n == 126) {
		uint8_t e[2];
		read_all(fd, e, 2);
		n = (uint64_t)e[0] << 8 | e[1];
	} else if (n == 127) {
		uint8_t e[8];
		read_all(fd, e, 8);
		n = 0;
		for (int i = 0; i < 8; i++)
			n = n << 8 | e[i];
	}
	if (h[1] & 0x80)
		read_all(fd, key, 4);
	char *p = malloc(n + 1);
	read_all(fd, p, n);
	for (uint64_t i = 0; i < n; i++)
		p[i] ^= (char)key[i & 3];
	p[n] = '\0';
	*len = n;
	return p;
}

static json_t *candidate(const char *line, const char *mid, int index)
{
	return json_pack("{s:s,s:s,s:i}", "candidate", line, "sdpMid", mid, "sdpMLineIndex", index);
}

static void client(int port, const char *offer)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		die("connect");
	char req[512];
	snprintf(req, sizeof req,
		 "GET /signal?room=rtclab HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
		 "Connection: Upgrade\r\nSec-WebSocket-Key: " KEY "\r\nSec-WebSocket-Version: 13\r\n"
		 "User-Agent: rtclab-ws-signal\r\n\r\n",
		 port);
	write_all(fd, req, strlen(req));
	char head[2048], want[29];
	read_head(fd, head, sizeof head);
	rtclab_ws_accept_key(KEY, strlen(KEY), want);
	if (strncmp(head, "HTTP/1.1 101", 12) != 0 || !strstr(head, want)) {
		fprintf(stderr, "ws_signal: bad handshake response\n");
		exit(1);
	}
	send_json(fd, true, json_pack("{s:s,s:s}", "type", "offer", "sdp", offer));
	send_json(fd, true,
		  json_pack("{s:s,s:o}", "type", "candidate", "candidate",
			    candidate("candidate:1 1 udp 2122260223 192.0.2.10 54321 typ host generation 0", "0", 0)));
	send_json(fd, true,
		  json_pack("{s:s,s:o}", "type", "candidate", "candidate",
			    candidate("candidate:2 1 udp 1686052607 203.0.113.5 61000 typ srflx raddr 192.0.2.10 "
				      "rport 54321 generation 0",
				      "0", 0)));
	send_json(fd, true, json_pack("{s:s,s:n}", "type", "candidate", "candidate"));
	/* Read until the server's close; answer its ping. */
	for (;;) {
		int op;
		bool fin;
		size_t len;
		char *p = recv_frame(fd, &op, &fin, &len);
		if (op == 0x9)
			send_frame(fd, true, true, 0xA, p, len);
		free(p);
		if (op == 0x8)
			break;
	}
	uint8_t bye[] = {0x03, 0xE8, 'd', 'o', 'n', 'e'}; /* 1000 */
	send_frame(fd, true, true, 0x8, bye, sizeof bye);
	close(fd);
}

static void server(int lfd, const char *answer)
{
	int fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		die("accept");
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	char head[2048], accept_key[29], resp[512];
	read_head(fd, head, sizeof head);
	const char *k = strstr(head, "Sec-WebSocket-Key: ");
	if (!k)
		exit(1);
	k += strlen("Sec-WebSocket-Key: ");
	rtclab_ws_accept_key(k, strcspn(k, "\r"), accept_key);
	snprintf(resp, sizeof resp,
		 "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
		 "Sec-WebSocket-Accept: %s\r\n\r\n",
		 accept_key);
	write_all(fd, resp, strlen(resp));
	/* The offer, two candidates and the end of candidates. */
	for (int i = 0; i < 4; i++) {
		int op;
		bool fin;
		size_t len;
		free(recv_frame(fd, &op, &fin, &len));
	}
	json_t *j = json_pack("{s:s,s:{s:{s:s,s:s}}}", "event", "answer", "data", "sdp", "type", "answer", "sdp", answer);
	char *text = json_dumps(j, JSON_COMPACT);
	size_t half = strlen(text) / 2;
	send_frame(fd, false, false, 0x1, text, half);
	send_frame(fd, false, true, 0x9, "rtclab", 6);
	send_frame(fd, false, true, 0x0, text + half, strlen(text) - half);
	free(text);
	json_decref(j);
	send_json(fd, false,
		  json_pack("{s:{s:o}}", "msg", "ice",
			    candidate("candidate:3 1 udp 2122260223 198.51.100.20 40000 typ host generation 0", "0", 0)));
	send_json(fd, false,
		  json_pack("{s:{s:o}}", "msg", "ice",
			    candidate("candidate:4 1 tcp 1518280447 198.51.100.20 9 typ host tcptype active "
				      "generation 0",
				      "0", 0)));
	send_json(fd, false, json_pack("{s:{s:{s:s}}}", "msg", "ice", "candidate", ""));
	uint8_t bye[] = {0x03, 0xE8};
	int op = 0;
	bool fin;
	size_t len;
	free(recv_frame(fd, &op, &fin, &len)); /* the pong */
	send_frame(fd, false, true, 0x8, bye, sizeof bye);
	free(recv_frame(fd, &op, &fin, &len)); /* the client's close */
	pause_ms(50);
	close(fd);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: ws_signal PORT OFFER.sdp ANSWER.sdp\n");
		return 2;
	}
	int port = atoi(argv[1]);
	char *offer = slurp(argv[2]), *answer = slurp(argv[3]);
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(lfd, 1) < 0)
		die("listen");
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(lfd);
		client(port, offer);
		_exit(0);
	}
	server(lfd, answer);
	int status = 0;
	waitpid(pid, &status, 0);
	close(lfd);
	free(offer);
	free(answer);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
