/* make bench: `rtclab dump` on a large capture, next to a floor measured in
 * the same run (a bare libpcap read loop over the same file) and, where it
 * is installed, tshark.
 *
 *   bench-capture [RTCLAB] [PACKETS]     (defaults: build/rtclab, 1000000)
 *   bench-capture RTCLAB PACKETS FILE    only write the capture to FILE
 *
 * It writes into a temporary directory (mkdtemp under $TMPDIR or /tmp,
 * removed at the end) a deterministic capture (fixed seed) of PACKETS
 * Ethernet/IPv4 frames, nanosecond pcap: several WebRTC sessions, each with
 * STUN server Binding exchanges, ICE connectivity checks signed with
 * MESSAGE-INTEGRITY and FINGERPRINT (rtclab's STUN encoder), for some of
 * them TURN (Allocate with its 401, CreatePermission, Send/Data indications,
 * ChannelBind, ChannelData, Refresh), a DTLS handshake and data-channel
 * records, then the bulk: RTP audio (50 packets/s) and video (30 frames/s)
 * each way with RTCP compound packets (SR+SDES, RR+transport-cc, REMB, PLI);
 * and one WebSocket signaling session over TCP carrying every session's
 * offer, answer and trickled candidates (masked client frames).
 *
 * It measures wall-clock time around each command (posix_spawn) and its
 * peak RSS (wait4): the floor, `rtclab dump --stats`, `rtclab dump --json`,
 * `rtclab replay --json` (the session reconstruction, against dump),
 * `rtclab tui` in a pseudo-terminal (its first screen, and reading to the
 * end, against replay),
 * `tshark -q -z io,phs` and `tshark -T ek` (the last on a prefix of the
 * capture, scaled, because it takes minutes on the whole file).  Then it
 * writes a capture of 4x the packets and compares the peak RSS of
 * `rtclab dump --stats` on both.
 */
#define _DEFAULT_SOURCE /* libpcap's headers use u_int and u_char; wait4 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <pty.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rtclab/channeldata.h"
#include "rtclab/stun.h"

extern char **environ;

#define N_SESSIONS 8
#define PREFIX_PACKETS 100000 /* the prefix tshark -T ek is measured on */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("bench-capture: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* --- deterministic randomness -------------------------------------------------------- */

static uint64_t rng_state = 0x2545F4914F6CDD1DULL;

static uint32_t rnd(void)
{
	uint64_t x = rng_state; /* xorshift64* */
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return (uint32_t)((x * 0x2545F4914F6CDD1DULL) >> 32);
}

static uint32_t rnd_range(uint32_t lo, uint32_t hi) /* [lo, hi] */
{
	return lo + rnd() % (hi - lo + 1);
}

/* Encrypted payloads look random: slices of one random block. */
static uint8_t noise[1 << 16];

static const uint8_t *noise_at(size_t len)
{
	return noise + rnd() % (sizeof noise - len);
}

/* --- frames ------------------------------------------------------------------------ */

struct ep {
	uint32_t ip; /* host order */
	uint16_t port;
};

struct gen {
	pcap_dumper_t *out, *prefix; /* prefix: the first PREFIX_PACKETS frames, or NULL */
	uint64_t n, target;
	int64_t last_ns;
	uint16_t ip_id;
	uint8_t frame[2048];
};

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put24(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 16);
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	return (uint16_t)~sum;
}

static void emit(struct gen *g, int64_t ts_ns, size_t len)
{
	if (ts_ns <= g->last_ns) /* keep the capture in time order */
		ts_ns = g->last_ns + 1000;
	g->last_ns = ts_ns;
	struct pcap_pkthdr h;
	h.ts.tv_sec = (time_t)(ts_ns / 1000000000);
	h.ts.tv_usec = (suseconds_t)(ts_ns % 1000000000); /* nanoseconds: the dumper is nano */
	h.caplen = h.len = (bpf_u_int32)len;
	pcap_dump((u_char *)g->out, &h, g->frame);
	g->n++;
	if (g->prefix && g->n <= PREFIX_PACKETS)
		pcap_dump((u_char *)g->prefix, &h, g->frame);
}

/* Ethernet + IPv4 headers for a transport payload of l4_len bytes at frame + 34. */
static void ip_header(struct gen *g, const struct ep *src, const struct ep *dst, uint8_t proto, size_t l4_len)
{
	uint8_t *f = g->frame;
	static const uint8_t mac[6] = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x00};
	memcpy(f, mac, 6);
	put32(f + 2, dst->ip);
	memcpy(f + 6, mac, 6);
	put32(f + 8, src->ip);
	put16(f + 12, 0x0800);
	uint8_t *ip = f + 14;
	ip[0] = 0x45;
	ip[1] = proto == 17 ? 0xB8 : 0; /* EF for media, as browsers mark it */
	put16(ip + 2, (unsigned)(20 + l4_len));
	put16(ip + 4, g->ip_id++);
	put16(ip + 6, 0x4000); /* DF */
	ip[8] = 64;
	ip[9] = proto;
	put16(ip + 10, 0);
	put32(ip + 12, src->ip);
	put32(ip + 16, dst->ip);
	put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
}

static void udp(struct gen *g, int64_t ts, const struct ep *src, const struct ep *dst, const void *payload, size_t len)
{
	ip_header(g, src, dst, 17, 8 + len);
	uint8_t *u = g->frame + 34;
	put16(u, src->port);
	put16(u + 2, dst->port);
	put16(u + 4, (unsigned)(8 + len));
	put16(u + 6, 0); /* no checksum (allowed over IPv4) */
	memcpy(u + 8, payload, len);
	emit(g, ts, 42 + len);
}

static void tcp(struct gen *g, int64_t ts, const struct ep *src, const struct ep *dst, uint32_t seq, uint32_t ack,
		uint8_t flags, const void *payload, size_t len)
{
	ip_header(g, src, dst, 6, 20 + len);
	uint8_t *t = g->frame + 34;
	put16(t, src->port);
	put16(t + 2, dst->port);
	put32(t + 4, seq);
	put32(t + 8, ack);
	t[12] = 5 << 4;
	t[13] = flags;
	put16(t + 14, 64240);
	put16(t + 16, 0);
	put16(t + 18, 0);
	memcpy(t + 20, payload, len);
	uint8_t pseudo[12];
	put32(pseudo, src->ip);
	put32(pseudo + 4, dst->ip);
	pseudo[8] = 0;
	pseudo[9] = 6;
	put16(pseudo + 10, (unsigned)(20 + len));
	put16(t + 16, csum_fold(csum_add(csum_add(0, pseudo, 12), t, 20 + len)));
	emit(g, ts, 54 + len);
}

/* --- the WebSocket signaling connection ------------------------------------------- */

struct ws {
	struct ep client, server;
	uint32_t seq[2]; /* next sequence number: [0] client, [1] server */
	uint32_t mask_lcg;
};

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_PSH 0x08
#define TCP_ACK 0x10

/* Bytes from one side, in segments of at most 1400 bytes, each acknowledged. */
static int64_t ws_send(struct gen *g, struct ws *w, int64_t ts, int from_server, const uint8_t *data, size_t len)
{
	const struct ep *s = from_server ? &w->server : &w->client, *d = from_server ? &w->client : &w->server;
	for (size_t off = 0; off < len;) {
		size_t n = len - off > 1400 ? 1400 : len - off;
		tcp(g, ts, s, d, w->seq[from_server], w->seq[!from_server], TCP_ACK | TCP_PSH, data + off, n);
		w->seq[from_server] += (uint32_t)n;
		off += n;
		ts += 30000;
	}
	tcp(g, ts + 40000, d, s, w->seq[!from_server], w->seq[from_server], TCP_ACK, NULL, 0);
	return ts + 100000;
}

static int64_t ws_frame(struct gen *g, struct ws *w, int64_t ts, int from_server, int opcode, const char *text,
			size_t len)
{
	static uint8_t f[8192];
	size_t n = 0;
	if (len + 14 > sizeof f)
		die("signaling message too long");
	f[n++] = (uint8_t)(0x80 | opcode);
	uint8_t mask = from_server ? 0 : 0x80;
	if (len < 126) {
		f[n++] = (uint8_t)(mask | len);
	} else {
		f[n++] = mask | 126;
		put16(f + n, (unsigned)len);
		n += 2;
	}
	uint8_t key[4] = {0, 0, 0, 0};
	if (!from_server) { /* RFC 6455 5.3: a client masks every frame */
		w->mask_lcg = w->mask_lcg * 1103515245u + 12345u;
		put32(key, w->mask_lcg);
		memcpy(f + n, key, 4);
		n += 4;
	}
	for (size_t i = 0; i < len; i++)
		f[n + i] = (uint8_t)text[i] ^ key[i & 3];
	return ws_send(g, w, ts, from_server, f, n + len);
}

static int64_t ws_open(struct gen *g, struct ws *w, int64_t ts)
{
	w->seq[0] = 0x1a2b3c4d;
	w->seq[1] = 0x5e6f7081;
	w->mask_lcg = 0x5eed1234u;
	tcp(g, ts, &w->client, &w->server, w->seq[0]++, 0, TCP_SYN, NULL, 0);
	tcp(g, ts + 20000000, &w->server, &w->client, w->seq[1]++, w->seq[0], TCP_SYN | TCP_ACK, NULL, 0);
	tcp(g, ts + 20050000, &w->client, &w->server, w->seq[0], w->seq[1], TCP_ACK, NULL, 0);
	static const char req[] = "GET /signal?room=bench HTTP/1.1\r\nHost: signal.example.net:8080\r\n"
				  "Upgrade: websocket\r\nConnection: Upgrade\r\n"
				  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
	static const char resp[] = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
				   "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"; /* RFC 6455 1.3 */
	ts = ws_send(g, w, ts + 20100000, 0, (const uint8_t *)req, sizeof req - 1);
	return ws_send(g, w, ts + 20000000, 1, (const uint8_t *)resp, sizeof resp - 1);
}

static void ws_close(struct gen *g, struct ws *w, int64_t ts)
{
	static const char bye[] = {0x03, (char)0xE8};
	ts = ws_frame(g, w, ts, 0, 0x8, bye, 2);
	ts = ws_frame(g, w, ts, 1, 0x8, bye, 2);
	tcp(g, ts, &w->server, &w->client, w->seq[1]++, w->seq[0], TCP_FIN | TCP_ACK, NULL, 0);
	tcp(g, ts + 100000, &w->client, &w->server, w->seq[0]++, w->seq[1], TCP_FIN | TCP_ACK, NULL, 0);
	tcp(g, ts + 200000, &w->server, &w->client, w->seq[1], w->seq[0], TCP_ACK, NULL, 0);
}

/* --- one WebRTC session --------------------------------------------------------------- */

enum { A = 0, B = 1 }; /* A offers and is ICE-controlling; B answers and is the DTLS client */

struct media {
	uint32_t ssrc;
	uint16_t seq;
	uint32_t ts;
	uint32_t packets, octets;
	uint16_t twcc;
	int frame_left, frame_no; /* video: packets left in the current frame */
};

struct session {
	int idx;
	bool relayed;               /* A reaches B through a TURN relay */
	bool bound;                 /* the ChannelBind succeeded: ChannelData from now on */
	struct ep host[2], srflx[2], relay; /* relay: A's allocation on the TURN server */
	char ufrag[2][8], pwd[2][32];
	struct rtclab_stun_key ice_key[2]; /* key to sign a request TO side i: side i's ice-pwd */
	struct rtclab_stun_key turn_key;
	uint16_t channel;
	struct media audio[2], video[2];
	uint16_t dtls_seq[2];
	uint64_t dtls_rec[2];
};

static const struct ep stun_server = {0x4A7DFA81u, 19302}; /* 74.125.250.129 */
static const struct ep turn_server = {0xC6336401u, 3478};  /* 198.51.100.1 */
static const char turn_user[] = "1717171717:bench", turn_realm[] = "example.net";
static const char turn_nonce[] = "obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA";

static void txn(uint8_t t[12])
{
	for (int i = 0; i < 12; i += 4)
		put32(t + i, rnd());
}

static void add_addr(struct rtclab_stun_encoder *e, uint16_t type, const struct ep *ep)
{
	struct rtclab_stun_attr a;
	memset(&a, 0, sizeof a);
	a.type = type;
	a.v.addr.family = RTCLAB_FAMILY_IPV4;
	a.v.addr.port = ep->port;
	put32(a.v.addr.ip, ep->ip);
	rtclab_stun_enc_attr(e, &a);
}

static void add_u32(struct rtclab_stun_encoder *e, uint16_t type, uint32_t v)
{
	struct rtclab_stun_attr a;
	memset(&a, 0, sizeof a);
	a.type = type;
	a.v.u32 = v;
	rtclab_stun_enc_attr(e, &a);
}

static size_t finish(struct rtclab_stun_encoder *e)
{
	size_t n = rtclab_stun_enc_end(e);
	if (!n)
		die("the STUN encoder failed (error %d)", (int)e->error);
	return n;
}

/* The path of a datagram between the peers: direct, or for a relayed
 * session through the TURN server (Send/Data indications before the
 * channel is bound, ChannelData after). */
static void peer_send(struct gen *g, struct session *s, int64_t ts, int from, const uint8_t *p, size_t len)
{
	if (!s->relayed) {
		udp(g, ts, &s->srflx[from], &s->srflx[!from], p, len);
		return;
	}
	uint8_t buf[1600];
	size_t n;
	if (s->bound) {
		n = rtclab_channeldata_encode(buf, sizeof buf, s->channel, p, len, false);
	} else {
		struct rtclab_stun_encoder e;
		uint8_t t[12];
		txn(t);
		rtclab_stun_enc_begin(&e, buf, sizeof buf, from == A ? RTCLAB_STUN_SEND : RTCLAB_STUN_DATA,
				      RTCLAB_STUN_INDICATION, t);
		add_addr(&e, RTCLAB_STUN_ATTR_XOR_PEER_ADDRESS, &s->srflx[B]);
		rtclab_stun_enc_raw(&e, RTCLAB_STUN_ATTR_DATA, p, len);
		n = finish(&e);
	}
	if (from == A) {
		udp(g, ts, &s->srflx[A], &turn_server, buf, n);
		udp(g, ts + 150000, &s->relay, &s->srflx[B], p, len);
	} else {
		udp(g, ts, &s->srflx[B], &s->relay, p, len);
		udp(g, ts + 150000, &turn_server, &s->srflx[A], buf, n);
	}
}

/* An ICE connectivity check from side `from` and its success response. */
static void ice_check(struct gen *g, struct session *s, int64_t ts, int from, bool nominate, bool answered)
{
	uint8_t buf[256], t[12];
	char user[20];
	struct rtclab_stun_encoder e;
	struct rtclab_stun_attr a;
	txn(t);
	snprintf(user, sizeof user, "%s:%s", s->ufrag[!from], s->ufrag[from]);
	rtclab_stun_enc_begin(&e, buf, sizeof buf, RTCLAB_STUN_BINDING, RTCLAB_STUN_REQUEST, t);
	rtclab_stun_enc_raw(&e, RTCLAB_STUN_ATTR_USERNAME, user, strlen(user));
	memset(&a, 0, sizeof a);
	a.type = RTCLAB_STUN_ATTR_GOOG_NETWORK_INFO;
	a.v.network.network_id = 1;
	a.v.network.network_cost = 10;
	rtclab_stun_enc_attr(&e, &a);
	memset(&a, 0, sizeof a);
	a.type = from == A ? RTCLAB_STUN_ATTR_ICE_CONTROLLING : RTCLAB_STUN_ATTR_ICE_CONTROLLED;
	a.v.u64 = 0x6ad5e4a3c1f0b297ULL ^ ((uint64_t)s->idx << 32 | (uint64_t)from);
	rtclab_stun_enc_attr(&e, &a);
	if (nominate) {
		memset(&a, 0, sizeof a);
		a.type = RTCLAB_STUN_ATTR_USE_CANDIDATE;
		rtclab_stun_enc_attr(&e, &a);
	}
	add_u32(&e, RTCLAB_STUN_ATTR_PRIORITY, 1853824767u - (uint32_t)from);
	rtclab_stun_enc_integrity(&e, &s->ice_key[!from]);
	rtclab_stun_enc_fingerprint(&e);
	size_t n = finish(&e);
	peer_send(g, s, ts, from, buf, n);
	if (!answered)
		return;
	rtclab_stun_enc_begin(&e, buf, sizeof buf, RTCLAB_STUN_BINDING, RTCLAB_STUN_SUCCESS, t);
	add_addr(&e, RTCLAB_STUN_ATTR_XOR_MAPPED_ADDRESS, s->relayed && from == B ? &s->srflx[B] : &s->srflx[from]);
	rtclab_stun_enc_integrity(&e, &s->ice_key[!from]);
	rtclab_stun_enc_fingerprint(&e);
	n = finish(&e);
	peer_send(g, s, ts + 2000000, !from, buf, n);
}

/* A Binding request to the public STUN server and its answer. */
static void stun_binding(struct gen *g, struct session *s, int64_t ts, int side)
{
	uint8_t buf[128], t[12];
	struct rtclab_stun_encoder e;
	txn(t);
	rtclab_stun_enc_begin(&e, buf, sizeof buf, RTCLAB_STUN_BINDING, RTCLAB_STUN_REQUEST, t);
	size_t n = finish(&e);
	udp(g, ts, &s->srflx[side], &stun_server, buf, n);
	rtclab_stun_enc_begin(&e, buf, sizeof buf, RTCLAB_STUN_BINDING, RTCLAB_STUN_SUCCESS, t);
	add_addr(&e, RTCLAB_STUN_ATTR_XOR_MAPPED_ADDRESS, &s->srflx[side]);
	n = finish(&e);
	udp(g, ts + 25000000, &stun_server, &s->srflx[side], buf, n);
}

/* A TURN request from A, signed with the long-term key, and its success response. */
static void turn_exchange(struct gen *g, struct session *s, int64_t ts, uint16_t method)
{
	uint8_t buf[256], t[12];
	struct rtclab_stun_encoder e;
	txn(t);
	rtclab_stun_enc_begin(&e, buf, sizeof buf, method, RTCLAB_STUN_REQUEST, t);
	if (method == RTCLAB_STUN_ALLOCATE)
		add_u32(&e, RTCLAB_STUN_ATTR_REQUESTED_TRANSPORT, 17);
	if (method == RTCLAB_STUN_CHANNEL_BIND)
		add_u32(&e, RTCLAB_STUN_ATTR_CHANNEL_NUMBER, s->channel);
	if (method == RTCLAB_STUN_CHANNEL_BIND || method == RTCLAB_STUN_CREATE_PERMISSION)
		add_addr(&e, RTCLAB_STUN_ATTR_XOR_PEER_ADDRESS, &s->srflx[B]);
	if (method == RTCLAB_STUN_REFRESH)
		add_u32(&e, RTCLAB_STUN_ATTR_LIFETIME, 600);
	rtclab_stun_enc_raw(&e, RTCLAB_STUN_ATTR_USERNAME, turn_user, sizeof turn_user - 1);
	rtclab_stun_enc_raw(&e, RTCLAB_STUN_ATTR_REALM, turn_realm, sizeof turn_realm - 1);
	rtclab_stun_enc_raw(&e, RTCLAB_STUN_ATTR_NONCE, turn_nonce, sizeof turn_nonce - 1);
	rtclab_stun_enc_integrity(&e, &s->turn_key);
	rtclab_stun_enc_fingerprint(&e);
	size_t n = finish(&e);
	udp(g, ts, &s->srflx[A], &turn_server, buf, n);
	rtclab_stun_enc_begin(&e, buf, sizeof buf, method, RTCLAB_STUN_SUCCESS, t);
	if (method == RTCLAB_STUN_ALLOCATE) {
		add_addr(&e, RTCLAB_STUN_ATTR_XOR_RELAYED_ADDRESS, &s->relay);
		add_addr(&e, RTCLAB_STUN_ATTR_XOR_MAPPED_ADDRESS, &s->srflx[A]);
	}
	if (method == RTCLAB_STUN_ALLOCATE || method == RTCLAB_STUN_REFRESH)
		add_u32(&e, RTCLAB_STUN_ATTR_LIFETIME, 600);
	rtclab_stun_enc_integrity(&e, &s->turn_key);
	rtclab_stun_enc_fingerprint(&e);
	n = finish(&e);
	udp(g, ts + 30000000, &turn_server, &s->srflx[A], buf, n);
}

/* The first Allocate, without credentials, and its 401. */
static void turn_unauthenticated(struct gen *g, struct session *s, int64_t ts)
{
	uint8_t buf[256], t[12];
	struct rtclab_stun_encoder e;
	struct rtclab_stun_attr a;
	txn(t);
	rtclab_stun_enc_begin(&e, buf, sizeof buf, RTCLAB_STUN_ALLOCATE, RTCLAB_STUN_REQUEST, t);
	add_u32(&e, RTCLAB_STUN_ATTR_REQUESTED_TRANSPORT, 17);
	size_t n = finish(&e);
	udp(g, ts, &s->srflx[A], &turn_server, buf, n);
	rtclab_stun_enc_begin(&e, buf, sizeof buf, RTCLAB_STUN_ALLOCATE, RTCLAB_STUN_ERROR, t);
	memset(&a, 0, sizeof a);
	a.type = RTCLAB_STUN_ATTR_ERROR_CODE;
	a.v.error.code = 401;
	a.v.error.reason.ptr = (const uint8_t *)"Unauthorized";
	a.v.error.reason.len = 12;
	rtclab_stun_enc_attr(&e, &a);
	rtclab_stun_enc_raw(&e, RTCLAB_STUN_ATTR_REALM, turn_realm, sizeof turn_realm - 1);
	rtclab_stun_enc_raw(&e, RTCLAB_STUN_ATTR_NONCE, turn_nonce, sizeof turn_nonce - 1);
	rtclab_stun_enc_fingerprint(&e);
	n = finish(&e);
	udp(g, ts + 30000000, &turn_server, &s->srflx[A], buf, n);
}

/* --- DTLS ----------------------------------------------------------------------------- */

static size_t dtls_record(struct session *s, int side, uint8_t *p, uint8_t type, uint16_t epoch, const uint8_t *body,
			  size_t len)
{
	p[0] = type;
	put16(p + 1, 0xFEFD);
	put16(p + 3, epoch);
	uint64_t seq = s->dtls_rec[side]++;
	put16(p + 5, (unsigned)(seq >> 32));
	put32(p + 7, (uint32_t)seq);
	put16(p + 11, (unsigned)len);
	memcpy(p + 13, body, len);
	return 13 + len;
}

static size_t dtls_handshake(struct session *s, int side, uint8_t *p, uint8_t type, size_t body_len)
{
	uint8_t hs[1200];
	hs[0] = type;
	put24(hs + 1, (uint32_t)body_len);
	put16(hs + 4, s->dtls_seq[side]++);
	put24(hs + 6, 0);
	put24(hs + 9, (uint32_t)body_len);
	memcpy(hs + 12, noise_at(body_len), body_len);
	return dtls_record(s, side, p, 22, 0, hs, 12 + body_len);
}

static void dtls_flights(struct gen *g, struct session *s, int64_t ts)
{
	uint8_t d[1500];
	size_t n;
	/* B is the DTLS client (a=setup:active in its answer) */
	n = dtls_handshake(s, B, d, 1, 150); /* ClientHello */
	peer_send(g, s, ts, B, d, n);
	n = dtls_handshake(s, A, d, 2, 86);                 /* ServerHello */
	n += dtls_handshake(s, A, d + n, 11, 420);          /* Certificate */
	n += dtls_handshake(s, A, d + n, 12, 111);          /* ServerKeyExchange */
	n += dtls_handshake(s, A, d + n, 13, 30);           /* CertificateRequest */
	n += dtls_handshake(s, A, d + n, 14, 0);            /* ServerHelloDone */
	peer_send(g, s, ts + 3000000, A, d, n);
	n = dtls_handshake(s, B, d, 11, 420);               /* Certificate */
	n += dtls_handshake(s, B, d + n, 16, 66);           /* ClientKeyExchange */
	n += dtls_handshake(s, B, d + n, 15, 74);           /* CertificateVerify */
	static const uint8_t ccs = 1;
	n += dtls_record(s, B, d + n, 20, 0, &ccs, 1);      /* ChangeCipherSpec */
	n += dtls_record(s, B, d + n, 22, 1, noise_at(40), 40); /* Finished, encrypted */
	peer_send(g, s, ts + 9000000, B, d, n);
	n = dtls_record(s, A, d, 20, 0, &ccs, 1);
	n += dtls_record(s, A, d + n, 22, 1, noise_at(40), 40);
	peer_send(g, s, ts + 12000000, A, d, n);
}

/* --- RTP and RTCP ---------------------------------------------------------------------- */

static void rtp(struct gen *g, struct session *s, int64_t ts, int from, struct media *m, uint8_t pt, bool marker,
		size_t payload)
{
	uint8_t p[1400];
	p[0] = 0x90; /* V=2, X=1 */
	p[1] = (uint8_t)((marker ? 0x80 : 0) | pt);
	put16(p + 2, m->seq++);
	put32(p + 4, m->ts);
	put32(p + 8, m->ssrc);
	put16(p + 12, 0xBEDE); /* RFC 8285 one-byte header extensions */
	put16(p + 14, 2);
	p[16] = 0x22; /* id 2, abs-send-time, 3 bytes */
	put24(p + 17, (uint32_t)((ts / 1000) & 0xFFFFFF));
	p[20] = 0x31; /* id 3, transport-wide-cc, 2 bytes */
	put16(p + 21, m->twcc++);
	p[23] = 0;
	memcpy(p + 24, noise_at(payload), payload);
	m->packets++;
	m->octets += (uint32_t)payload;
	peer_send(g, s, ts, from, p, 24 + payload);
}

static void audio_packet(struct gen *g, struct session *s, int64_t ts, int from)
{
	struct media *m = &s->audio[from];
	rtp(g, s, ts, from, m, 111, false, rnd_range(60, 160));
	m->ts += 960;
}

static void video_packet(struct gen *g, struct session *s, int64_t ts, int from)
{
	struct media *m = &s->video[from];
	if (m->frame_left == 0) {
		m->frame_no++;
		m->frame_left = m->frame_no % 90 == 1 ? 12 : (int)rnd_range(1, 5); /* a key frame every 3 s */
		m->ts += 3000;
	}
	m->frame_left--;
	rtp(g, s, ts, from, m, 96, m->frame_left == 0, m->frame_left ? 1150 : rnd_range(200, 1150));
}

static size_t rtcp_sdes(uint8_t *p, uint32_t ssrc)
{
	static const char cname[] = "b4nch/Mq3kTzUeAq";
	size_t len = 4 + 4 + 2 + (sizeof cname - 1) + 1; /* header, SSRC, item, END */
	size_t padded = (len + 3) / 4 * 4;
	memset(p, 0, padded);
	p[0] = 0x81;
	p[1] = 202;
	put16(p + 2, (unsigned)(padded / 4 - 1));
	put32(p + 4, ssrc);
	p[8] = 1;
	p[9] = sizeof cname - 1;
	memcpy(p + 10, cname, sizeof cname - 1);
	return padded;
}

/* SR with one report block, and SDES. */
static void rtcp_sr(struct gen *g, struct session *s, int64_t ts, int from, const struct media *m,
		    const struct media *remote)
{
	uint8_t p[256];
	p[0] = 0x81;
	p[1] = 200;
	put16(p + 2, 12);
	put32(p + 4, m->ssrc);
	put32(p + 8, (uint32_t)(ts / 1000000000 + 2208988800u));
	put32(p + 12, (uint32_t)(((uint64_t)(ts % 1000000000) << 32) / 1000000000));
	put32(p + 16, m->ts);
	put32(p + 20, m->packets);
	put32(p + 24, m->octets);
	put32(p + 28, remote->ssrc); /* report block */
	put32(p + 32, 0);
	put32(p + 36, remote->seq);
	put32(p + 40, rnd() % 300);
	put32(p + 44, 0);
	put32(p + 48, 0);
	size_t n = 52 + rtcp_sdes(p + 52, m->ssrc);
	peer_send(g, s, ts, from, p, n);
}

/* Receiver feedback: RR, transport-cc; every 10th with REMB, every 30th with a PLI. */
static void rtcp_feedback(struct gen *g, struct session *s, int64_t ts, int from, unsigned k)
{
	uint8_t p[256];
	size_t n = 0;
	uint32_t me = s->video[from].ssrc, them = s->video[!from].ssrc;
	p[n] = 0x80, p[n + 1] = 201, put16(p + n + 2, 1), put32(p + n + 4, me), n += 8;
	size_t fci = 4 * rnd_range(2, 6);
	p[n] = 0x8F, p[n + 1] = 205, put16(p + n + 2, (unsigned)(2 + fci / 4)), put32(p + n + 4, me);
	put32(p + n + 8, them);
	memcpy(p + n + 12, noise_at(fci), fci);
	n += 12 + fci;
	if (k % 10 == 0) { /* REMB */
		p[n] = 0x8F, p[n + 1] = 206, put16(p + n + 2, 5), put32(p + n + 4, me), put32(p + n + 8, 0);
		memcpy(p + n + 12, "REMB", 4);
		p[n + 16] = 1;
		put24(p + n + 17, (3u << 18) | 0x3A120);
		put32(p + n + 20, them);
		n += 24;
	}
	if (k % 30 == 0) { /* PLI */
		p[n] = 0x81, p[n + 1] = 206, put16(p + n + 2, 2), put32(p + n + 4, me), put32(p + n + 8, them);
		n += 12;
	}
	peer_send(g, s, ts, from, p, n);
}

/* --- signaling ----------------------------------------------------------------------- */

static size_t sdp_json(struct session *s, int side, char *out, size_t cap)
{
	char fp[32 * 3];
	for (int i = 0; i < 32; i++)
		snprintf(fp + 3 * i, 4, "%02X%s", (unsigned)((s->idx * 37 + side * 11 + i * 7) & 0xFF), i < 31 ? ":" : "");
	int n = snprintf(
		out, cap,
		"{\"type\":\"%s\",\"sdp\":\"v=0\\r\\no=- %u 2 IN IP4 127.0.0.1\\r\\ns=-\\r\\nt=0 0\\r\\n"
		"a=group:BUNDLE 0 1\\r\\na=msid-semantic: WMS stream\\r\\n"
		"m=audio 9 UDP/TLS/RTP/SAVPF 111\\r\\nc=IN IP4 0.0.0.0\\r\\na=rtcp:9 IN IP4 0.0.0.0\\r\\n"
		"a=ice-ufrag:%s\\r\\na=ice-pwd:%s\\r\\na=ice-options:trickle\\r\\n"
		"a=fingerprint:sha-256 %s\\r\\na=setup:%s\\r\\na=mid:0\\r\\na=sendrecv\\r\\na=rtcp-mux\\r\\n"
		"a=rtpmap:111 opus/48000/2\\r\\na=fmtp:111 minptime=10;useinbandfec=1\\r\\n"
		"a=ssrc:%u cname:b4nch/Mq3kTzUeAq\\r\\n"
		"m=video 9 UDP/TLS/RTP/SAVPF 96\\r\\nc=IN IP4 0.0.0.0\\r\\na=rtcp:9 IN IP4 0.0.0.0\\r\\n"
		"a=ice-ufrag:%s\\r\\na=ice-pwd:%s\\r\\na=ice-options:trickle\\r\\n"
		"a=fingerprint:sha-256 %s\\r\\na=setup:%s\\r\\na=mid:1\\r\\na=sendrecv\\r\\na=rtcp-mux\\r\\n"
		"a=rtcp-rsize\\r\\na=rtpmap:96 VP8/90000\\r\\na=rtcp-fb:96 transport-cc\\r\\na=rtcp-fb:96 nack\\r\\n"
		"a=rtcp-fb:96 nack pli\\r\\na=ssrc:%u cname:b4nch/Mq3kTzUeAq\\r\\n\"}",
		side == A ? "offer" : "answer", 4611731u + (unsigned)s->idx, s->ufrag[side], s->pwd[side], fp,
		side == A ? "actpass" : "active", s->audio[side].ssrc, s->ufrag[side], s->pwd[side], fp,
		side == A ? "actpass" : "active", s->video[side].ssrc);
	if (n < 0 || (size_t)n >= cap)
		die("SDP too long");
	return (size_t)n;
}

static void ip_text(uint32_t ip, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xFF, (ip >> 8) & 0xFF, ip & 0xFF);
}

/* The offer, the answer and the candidates of a session over the WebSocket. */
static int64_t signal_session(struct gen *g, struct ws *w, struct session *s, int64_t ts)
{
	char msg[4096], a[20], b[20];
	size_t n = sdp_json(s, A, msg, sizeof msg);
	ts = ws_frame(g, w, ts, 0, 0x1, msg, n);
	ts = ws_frame(g, w, ts + 80000000, 1, 0x1, msg, sdp_json(s, B, msg, sizeof msg));
	for (int side = A; side <= B; side++) {
		const struct ep *host = &s->host[side], *sr = &s->srflx[side];
		ip_text(host->ip, a, sizeof a);
		ip_text(sr->ip, b, sizeof b);
		int from_server = side == B;
		n = (size_t)snprintf(msg, sizeof msg,
				     from_server ? "{\"msg\":{\"ice\":{\"candidate\":\"candidate:1 1 udp 2122260223 %s %u "
						   "typ host generation 0\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0}}}"
						 : "{\"type\":\"candidate\",\"candidate\":{\"candidate\":\"candidate:1 1 "
						   "udp 2122260223 %s %u typ host generation 0\",\"sdpMid\":\"0\","
						   "\"sdpMLineIndex\":0,\"usernameFragment\":\"%s\"}}",
				     a, host->port, s->ufrag[side]);
		ts = ws_frame(g, w, ts + 5000000, from_server, 0x1, msg, n);
		n = (size_t)snprintf(msg, sizeof msg,
				     "{\"type\":\"candidate\",\"candidate\":{\"candidate\":\"candidate:2 1 udp 1686052607 "
				     "%s %u typ srflx raddr %s rport %u generation 0\",\"sdpMid\":\"0\","
				     "\"sdpMLineIndex\":0}}",
				     b, sr->port, a, host->port);
		ts = ws_frame(g, w, ts + 30000000, from_server, 0x1, msg, n);
		if (s->relayed && side == A) {
			ip_text(s->relay.ip, b, sizeof b);
			n = (size_t)snprintf(msg, sizeof msg,
					     "{\"type\":\"candidate\",\"candidate\":{\"candidate\":\"candidate:3 1 udp "
					     "41885439 %s %u typ relay raddr %s rport %u generation 0\",\"sdpMid\":\"0\","
					     "\"sdpMLineIndex\":0}}",
					     b, s->relay.port, a, host->port);
			ts = ws_frame(g, w, ts + 60000000, from_server, 0x1, msg, n);
		}
		static const char eoc[] = "{\"type\":\"candidate\",\"candidate\":null}";
		ts = ws_frame(g, w, ts + 10000000, from_server, 0x1, eoc, sizeof eoc - 1);
	}
	return ts;
}

/* --- the schedule ----------------------------------------------------------------------- */

enum ev_kind {
	EV_SETUP,     /* the session's handshake, step by step */
	EV_AUDIO,     /* 50 packets/s */
	EV_VIDEO,     /* 30 frames/s, 1-5 packets each, 12 for a key frame */
	EV_SR,        /* SR + SDES, each media, once a second */
	EV_FEEDBACK,  /* RR + transport-cc (+ REMB, PLI), 10/s */
	EV_CONSENT,   /* ICE consent freshness, every 2.5 s or so */
	EV_STUN_KEEP, /* Binding to the STUN server, every 25 s */
	EV_TURN_KEEP, /* TURN Refresh and ChannelBind refresh, every 60 s */
	EV_DATA,      /* DTLS application data (a data channel), every second */
};

struct ev {
	int64_t next; /* INT64_MAX: not running */
	enum ev_kind kind;
	struct session *s;
	int side, step;
	unsigned count;
};

#define MAX_EV (N_SESSIONS * 20)

struct sched {
	struct ev ev[MAX_EV];
	size_t n;
	struct ws ws;
};

static struct ev *add_ev(struct sched *sc, enum ev_kind kind, struct session *s, int side, int64_t next)
{
	if (sc->n == MAX_EV)
		die("too many streams");
	struct ev *e = &sc->ev[sc->n++];
	memset(e, 0, sizeof *e);
	e->kind = kind;
	e->s = s;
	e->side = side;
	e->next = next;
	return e;
}

static void start_media(struct sched *sc, struct session *s, int64_t t)
{
	for (int side = A; side <= B; side++) {
		add_ev(sc, EV_AUDIO, s, side, t + (int64_t)rnd_range(0, 20000000));
		add_ev(sc, EV_VIDEO, s, side, t + (int64_t)rnd_range(0, 33000000));
		add_ev(sc, EV_SR, s, side, t + 1000000000 + (int64_t)rnd_range(0, 500000000));
		add_ev(sc, EV_FEEDBACK, s, side, t + 100000000 + (int64_t)rnd_range(0, 100000000));
		add_ev(sc, EV_CONSENT, s, side, t + 2500000000LL + (int64_t)rnd_range(0, 1000000000));
		add_ev(sc, EV_STUN_KEEP, s, side, t + 25000000000LL + (int64_t)rnd_range(0, 1000000000));
		add_ev(sc, EV_DATA, s, side, t + 1000000000 + (int64_t)rnd_range(0, 1000000000));
	}
	if (s->relayed)
		add_ev(sc, EV_TURN_KEEP, s, A, t + 60000000000LL);
}

/* One step of a session's handshake; returns the delay to the next, or -1 when done. */
static int64_t setup_step(struct gen *g, struct sched *sc, struct ev *e)
{
	struct session *s = e->s;
	int64_t t = e->next;
	switch (e->step++) {
	case 0:
		return signal_session(g, &sc->ws, s, t) - t + 10000000;
	case 1:
		stun_binding(g, s, t, A);
		stun_binding(g, s, t + 1000000, B);
		return 40000000;
	case 2:
		if (!s->relayed)
			return 0;
		turn_unauthenticated(g, s, t);
		return 40000000;
	case 3:
		if (!s->relayed)
			return 0;
		turn_exchange(g, s, t, RTCLAB_STUN_ALLOCATE);
		return 40000000;
	case 4:
		if (!s->relayed)
			return 0;
		turn_exchange(g, s, t, RTCLAB_STUN_CREATE_PERMISSION);
		return 40000000;
	case 5: { /* checks: a host pair that fails (retransmitted), then the working pair */
		uint8_t buf[256], tx[12];
		struct rtclab_stun_encoder en;
		for (int r = 0; r < 2; r++) { /* the first check and its retransmission */
			txn(tx);
			rtclab_stun_enc_begin(&en, buf, sizeof buf, RTCLAB_STUN_BINDING, RTCLAB_STUN_REQUEST, tx);
			char user[20];
			snprintf(user, sizeof user, "%s:%s", s->ufrag[B], s->ufrag[A]);
			rtclab_stun_enc_raw(&en, RTCLAB_STUN_ATTR_USERNAME, user, strlen(user));
			add_u32(&en, RTCLAB_STUN_ATTR_PRIORITY, 1853824767u);
			rtclab_stun_enc_integrity(&en, &s->ice_key[B]);
			rtclab_stun_enc_fingerprint(&en);
			udp(g, t + r * 5000000LL, &s->host[A], &s->host[B], buf, finish(&en));
		}
		ice_check(g, s, t + 10000000, A, false, true);
		ice_check(g, s, t + 15000000, B, false, true);
		return 50000000;
	}
	case 6:
		if (s->relayed) {
			turn_exchange(g, s, t, RTCLAB_STUN_CHANNEL_BIND);
			s->bound = true;
		}
		return 40000000;
	case 7:
		ice_check(g, s, t, A, true, true); /* nomination */
		return 20000000;
	case 8:
		dtls_flights(g, s, t);
		return 20000000;
	case 9:
		start_media(sc, s, t);
		return -1;
	}
	return -1;
}

static void run_ev(struct gen *g, struct sched *sc, struct ev *e)
{
	struct session *s = e->s;
	int64_t t = e->next;
	e->count++;
	switch (e->kind) {
	case EV_SETUP: {
		int64_t d = setup_step(g, sc, e);
		e->next = d < 0 ? INT64_MAX : t + d;
		return;
	}
	case EV_AUDIO:
		audio_packet(g, s, t, e->side);
		e->next = t + 20000000 + (int64_t)rnd_range(0, 400000) - 200000;
		return;
	case EV_VIDEO:
		video_packet(g, s, t, e->side);
		e->next = s->video[e->side].frame_left ? t + (int64_t)rnd_range(100000, 600000)
							: t + 33333333 - 2000000 + (int64_t)rnd_range(0, 1000000);
		return;
	case EV_SR:
		rtcp_sr(g, s, t, e->side, &s->audio[e->side], &s->audio[!e->side]);
		rtcp_sr(g, s, t + 300000, e->side, &s->video[e->side], &s->video[!e->side]);
		e->next = t + 1000000000;
		return;
	case EV_FEEDBACK:
		rtcp_feedback(g, s, t, e->side, e->count);
		e->next = t + 100000000 + (int64_t)rnd_range(0, 2000000);
		return;
	case EV_CONSENT:
		ice_check(g, s, t, e->side, false, true);
		e->next = t + 2500000000LL + (int64_t)rnd_range(0, 1000000000);
		return;
	case EV_STUN_KEEP:
		stun_binding(g, s, t, e->side);
		e->next = t + 25000000000LL;
		return;
	case EV_TURN_KEEP:
		turn_exchange(g, s, t, RTCLAB_STUN_REFRESH);
		turn_exchange(g, s, t + 100000000, RTCLAB_STUN_CHANNEL_BIND);
		e->next = t + 60000000000LL;
		return;
	case EV_DATA: {
		uint8_t d[256];
		size_t len = rnd_range(60, 200);
		size_t n = dtls_record(s, e->side, d, 23, 1, noise_at(len), len);
		peer_send(g, s, t, e->side, d, n);
		e->next = t + 1000000000;
		return;
	}
	}
}

static void init_session(struct session *s, int i)
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/";
	memset(s, 0, sizeof *s);
	s->idx = i;
	s->relayed = i % 3 == 1; /* a third of the sessions go through TURN */
	s->host[A] = (struct ep){0xC0A80100u + 10 + (uint32_t)i, (uint16_t)(50000 + i)}; /* 192.168.1.x */
	s->host[B] = (struct ep){0x0A000000u + ((uint32_t)i << 8) + 2, (uint16_t)(40000 + i)}; /* 10.0.i.2 */
	s->srflx[A] = (struct ep){0xCB007100u + 5, (uint16_t)(61000 + i)};  /* 203.0.113.5 (A's NAT) */
	s->srflx[B] = (struct ep){0xC6336400u + 20 + (uint32_t)i, (uint16_t)(45000 + i)}; /* 198.51.100.x */
	s->relay = (struct ep){turn_server.ip, (uint16_t)(49152 + i)};
	s->channel = (uint16_t)(0x4000 + i);
	for (int side = A; side <= B; side++) {
		for (int k = 0; k < 4; k++)
			s->ufrag[side][k] = alnum[rnd() % 62];
		for (int k = 0; k < 24; k++)
			s->pwd[side][k] = alnum[rnd() % 64];
		if (rtclab_stun_key_short_term(&s->ice_key[side], s->pwd[side], RTCLAB_STUN_PREP_OPAQUESTRING) !=
		    RTCLAB_STUN_OK)
			die("ICE key");
		s->audio[side] = (struct media){.ssrc = rnd(), .seq = (uint16_t)rnd(), .ts = rnd()};
		s->video[side] = (struct media){.ssrc = rnd(), .seq = (uint16_t)rnd(), .ts = rnd()};
	}
	if (rtclab_stun_key_long_term(&s->turn_key, turn_user, turn_realm, "bench-secret", RTCLAB_STUN_PASSWORD_MD5,
				      RTCLAB_STUN_PREP_OPAQUESTRING) != RTCLAB_STUN_OK)
		die("TURN key");
}

/* Write a capture of `packets` frames to path (and its first PREFIX_PACKETS to prefix_path). */
static void generate(const char *path, const char *prefix_path, uint64_t packets)
{
	static struct session sessions[N_SESSIONS];
	static struct sched sc;
	struct gen g;
	memset(&g, 0, sizeof g);
	memset(&sc, 0, sizeof sc);
	rng_state = 0x2545F4914F6CDD1DULL;
	for (size_t i = 0; i < sizeof noise; i++)
		noise[i] = (uint8_t)rnd();
	pcap_t *dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535, PCAP_TSTAMP_PRECISION_NANO);
	if (!dead || !(g.out = pcap_dump_open(dead, path)))
		die("%s: %s", path, dead ? pcap_geterr(dead) : "pcap_open_dead failed");
	if (prefix_path && !(g.prefix = pcap_dump_open(dead, prefix_path)))
		die("%s: %s", prefix_path, pcap_geterr(dead));
	g.target = packets;
	int64_t t0 = 1714564800LL * 1000000000LL; /* 2024-05-01T12:00:00Z */
	sc.ws.client = (struct ep){0xC0A8010Au, 39512};  /* 192.168.1.10 */
	sc.ws.server = (struct ep){0xC6336432u, 8080};   /* 198.51.100.50 */
	int64_t t = ws_open(&g, &sc.ws, t0);
	for (int i = 0; i < N_SESSIONS; i++) {
		init_session(&sessions[i], i);
		add_ev(&sc, EV_SETUP, &sessions[i], A, t + 200000000 + (int64_t)i * 3000000000LL);
	}
	int64_t ping = t + 30000000000LL;
	while (g.n + 16 < packets) { /* room for the close at the end */
		struct ev *e = NULL;
		for (size_t i = 0; i < sc.n; i++)
			if (!e || sc.ev[i].next < e->next)
				e = &sc.ev[i];
		if (ping < e->next) { /* WebSocket keep-alive */
			ping = ws_frame(&g, &sc.ws, ping, 1, 0x9, "ka", 2);
			ping = ws_frame(&g, &sc.ws, ping, 0, 0xA, "ka", 2) + 30000000000LL;
			continue;
		}
		run_ev(&g, &sc, e);
	}
	ws_close(&g, &sc.ws, g.last_ns + 1000000);
	while (g.n < packets)
		audio_packet(&g, &sessions[0], g.last_ns + 1000000, A);
	pcap_dump_close(g.out);
	if (g.prefix)
		pcap_dump_close(g.prefix);
	pcap_close(dead);
}

/* --- measuring --------------------------------------------------------------------------- */

struct run {
	double seconds;
	long rss_kb;
	int status; /* exit status, or -1 */
};

static void finish_child(pid_t pid, double t0, struct run *r)
{
	int st;
	struct rusage ru;
	if (wait4(pid, &st, 0, &ru) < 0)
		die("wait4: %s", strerror(errno));
	r->seconds = now_s() - t0;
	r->rss_kb = ru.ru_maxrss;
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* A command with standard output (and, when quiet, standard error) to /dev/null. */
static void spawn(char *const argv[], bool quiet, struct run *r)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	if (quiet)
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	pid_t pid;
	double t0 = now_s();
	int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		r->seconds = 0;
		r->rss_kb = 0;
		r->status = 127;
		return;
	}
	finish_child(pid, t0, r);
}

/* rtclab tui on the capture in a pseudo-terminal of 100x30: the time to its
 * first screen (its title drawn) and to the end of reading (the session list
 * shows outcomes, which it does once the timeline is finished); then q.
 * Its peak RSS from wait4, as for the commands. */
static bool saw(char *window, size_t *wlen, const char *chunk, size_t n, const char *needle)
{
	/* the last 63 bytes of what came before, then this chunk */
	char joined[64 + 65536];
	memcpy(joined, window, *wlen);
	memcpy(joined + *wlen, chunk, n);
	size_t len = *wlen + n, nl = strlen(needle);
	bool found = false;
	for (size_t i = 0; i + nl <= len && !found; i++)
		found = memcmp(joined + i, needle, nl) == 0;
	size_t keep = len < 63 ? len : 63;
	memcpy(window, joined + len - keep, keep);
	*wlen = keep;
	return found;
}

static void tui_first_screen(const char *rtclab, const char *path, double *first_s, double *all_s, struct run *r)
{
	struct winsize ws = {.ws_row = 30, .ws_col = 100};
	int master;
	double t0 = now_s();
	pid_t pid = forkpty(&master, NULL, NULL, &ws);
	if (pid < 0)
		die("forkpty: %s", strerror(errno));
	if (pid == 0) {
		setenv("TERM", "xterm-256color", 1);
		setenv("LC_ALL", "C.UTF-8", 1);
		execl(rtclab, rtclab, "tui", path, (char *)NULL);
		_exit(127);
	}
	char window[64], first_w[64];
	size_t wlen = 0, flen = 0;
	*first_s = *all_s = -1;
	char buf[65536];
	while (*all_s < 0) {
		struct pollfd pfd = {master, POLLIN, 0};
		if (poll(&pfd, 1, 1000) <= 0 || now_s() - t0 > 60)
			die("rtclab tui: no screen after %.0f s", now_s() - t0);
		ssize_t n = read(master, buf, sizeof buf);
		if (n <= 0)
			die("rtclab tui ended before reading the capture to its end");
		if (*first_s < 0 && saw(first_w, &flen, buf, (size_t)n, "rtclab tui"))
			*first_s = now_s() - t0;
		if (saw(window, &wlen, buf, (size_t)n, "connected"))
			*all_s = now_s() - t0;
	}
	if (write(master, "q", 1) != 1)
		die("rtclab tui: cannot press q: %s", strerror(errno));
	while (read(master, buf, sizeof buf) > 0) /* until it closes the terminal */
		;
	close(master);
	finish_child(pid, t0, r);
}

/* The floor: the least any reader of the file must do, in a child process
 * so that it is timed and measured like the commands. */
static void floor_loop(const char *path, struct run *r)
{
	double t0 = now_s();
	pid_t pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		char errbuf[PCAP_ERRBUF_SIZE];
		pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
		if (!p)
			_exit(1);
		struct pcap_pkthdr *h;
		const u_char *data;
		uint64_t sum = 0, n = 0;
		while (pcap_next_ex(p, &h, &data) == 1) {
			sum += h->caplen + data[0] + data[h->caplen - 1] + (uint64_t)h->ts.tv_usec;
			n++;
		}
		pcap_close(p);
		_exit(n && sum ? 0 : 2);
	}
	finish_child(pid, t0, r);
}

/* Best of `rounds` (the least disturbed by the rest of the machine); peak RSS the largest. */
static void best_of(int rounds, struct run *best, void (*one)(void *), void *arg, struct run *cur)
{
	best->seconds = 1e30;
	best->rss_kb = 0;
	best->status = 0;
	for (int i = 0; i < rounds; i++) {
		one(arg);
		if (cur->status != 0)
			best->status = cur->status;
		if (cur->seconds < best->seconds)
			best->seconds = cur->seconds;
		if (cur->rss_kb > best->rss_kb)
			best->rss_kb = cur->rss_kb;
	}
}

struct job {
	char *const *argv;
	const char *path; /* for the floor */
	bool quiet;
	struct run r;
};

static void job_floor(void *arg)
{
	struct job *j = arg;
	floor_loop(j->path, &j->r);
}

static void job_spawn(void *arg)
{
	struct job *j = arg;
	spawn(j->argv, j->quiet, &j->r);
}

static bool have(const char *prog)
{
	char *argv[] = {(char *)prog, (char *)"--version", NULL};
	struct run r;
	spawn(argv, true, &r);
	return r.status == 0;
}

static double file_mb(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		die("%s: %s", path, strerror(errno));
	return (double)st.st_size / 1e6;
}

static void row(const char *name, uint64_t packets, double mb, const struct run *r, double floor_s, const char *note)
{
	printf("  %-34s %9llu %8.1f %8.2f %11.0f %8.1f %7.2fx %8.1f  %s\n", name, (unsigned long long)packets, mb,
	       r->seconds, (double)packets / r->seconds, mb / r->seconds, r->seconds / floor_s, (double)r->rss_kb / 1024,
	       note);
}

static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *e;
		char p[4400];
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
				snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
				unlink(p);
			}
		closedir(d);
	}
	rmdir(dir);
}

static char tmpdir[4096];

static void cleanup(void)
{
	if (tmpdir[0])
		remove_dir(tmpdir);
}

static void on_signal(int sig)
{
	cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

int main(int argc, char **argv)
{
	const char *rtclab = argc > 1 ? argv[1] : "build/rtclab";
	uint64_t packets = argc > 2 ? strtoull(argv[2], NULL, 10) : 1000000;
	if (packets < 1000)
		die("at least 1000 packets");
	if (argc > 3) {
		generate(argv[3], NULL, packets);
		return 0;
	}
	if (access(rtclab, X_OK) != 0)
		die("%s: %s (give the rtclab binary as the first argument)", rtclab, strerror(errno));
	const char *base = getenv("TMPDIR");
	snprintf(tmpdir, sizeof tmpdir, "%s/rtclab-bench-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmpdir))
		die("mkdtemp %s: %s", tmpdir, strerror(errno));
	atexit(cleanup);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	char path[4200], prefix[4200], big[4200];
	snprintf(path, sizeof path, "%s/capture.pcap", tmpdir);
	snprintf(prefix, sizeof prefix, "%s/prefix.pcap", tmpdir);
	snprintf(big, sizeof big, "%s/capture4x.pcap", tmpdir);

	bool tshark = have("tshark");
	double t0 = now_s();
	generate(path, tshark ? prefix : NULL, packets);
	double gen_s = now_s() - t0;
	double mb = file_mb(path);
	printf("rtclab dump and replay on a generated capture: %llu packets, %.1f MB, written in %.2f s (%d WebRTC sessions, "
	       "a third through TURN, one WebSocket signaling session)\n",
	       (unsigned long long)packets, mb, gen_s, N_SESSIONS);
	printf("  %-34s %9s %8s %8s %11s %8s %8s %8s\n", "", "packets", "MB", "seconds", "packets/s", "MB/s", "floor",
	       "RSS MB");

	char *stats_argv[] = {(char *)rtclab, (char *)"dump", (char *)"--stats", path, NULL};
	char *json_argv[] = {(char *)rtclab, (char *)"dump", (char *)"--json", path, NULL};
	char *replay_argv[] = {(char *)rtclab, (char *)"replay", (char *)"--json", path, NULL};
	struct job floor = {.path = path}, stats = {.argv = stats_argv}, json = {.argv = json_argv},
		   replay = {.argv = replay_argv};
	struct run fl, st, js, rp;
	floor_loop(path, &floor.r); /* warm the page cache */
	best_of(3, &fl, job_floor, &floor, &floor.r);
	best_of(3, &st, job_spawn, &stats, &stats.r);
	best_of(2, &js, job_spawn, &json, &json.r);
	best_of(3, &rp, job_spawn, &replay, &replay.r);
	if (fl.status || st.status || js.status || rp.status)
		die("a run failed (floor %d, --stats %d, --json %d, replay %d)", fl.status, st.status, js.status, rp.status);
	row("floor: libpcap read loop", packets, mb, &fl, fl.seconds, "(best of 3)");
	row("rtclab dump --stats", packets, mb, &st, fl.seconds, "(best of 3)");
	row("rtclab dump --json", packets, mb, &js, fl.seconds, "(best of 2)");
	row("rtclab replay --json", packets, mb, &rp, fl.seconds, "(best of 3)");

	struct run tui;
	double tui_first, tui_all;
	tui_first_screen(rtclab, path, &tui_first, &tui_all, &tui);
	if (tui.status)
		die("rtclab tui exited with status %d", tui.status);
	struct run tui_row = tui;
	tui_row.seconds = tui_all;
	char tui_note[96];
	snprintf(tui_note, sizeof tui_note, "(read to the end; first screen after %.3f s)", tui_first);
	row("rtclab tui (100x30 pty)", packets, mb, &tui_row, fl.seconds, tui_note);

	struct run phs = {0}, ek = {0};
	double ek_scaled = 0;
	if (tshark) {
		char *phs_argv[] = {(char *)"tshark", (char *)"-q", (char *)"-z", (char *)"io,phs", (char *)"-r", path, NULL};
		char *ek_argv[] = {(char *)"tshark", (char *)"-T", (char *)"ek", (char *)"-r", prefix, NULL};
		spawn(phs_argv, true, &phs);
		spawn(ek_argv, true, &ek);
		if (phs.status || ek.status)
			die("tshark failed (io,phs %d, -T ek %d)", phs.status, ek.status);
		row("tshark -q -z io,phs", packets, mb, &phs, fl.seconds, "");
		uint64_t pn = packets < PREFIX_PACKETS ? packets : PREFIX_PACKETS;
		double pmb = file_mb(prefix);
		ek_scaled = ek.seconds * (double)packets / (double)pn;
		char note[96];
		snprintf(note, sizeof note, "(first %llu packets; x%.0f = %.1f s for the file)", (unsigned long long)pn,
			 (double)packets / (double)pn, ek_scaled);
		struct run ekp = ek;
		row("tshark -T ek", pn, pmb, &ekp, fl.seconds * (double)pn / (double)packets, note);
	} else {
		printf("  tshark is not installed: its targets are not measured\n");
	}

	printf("Targets:\n");
	printf("  tui first screen under 1 s:             %6.3fs   %s  (all read in %.2f s = %.2fx replay, peak RSS %.1f MB)\n",
	       tui_first, tui_first < 1 ? "met" : "MISSED", tui_all, tui_all / rp.seconds, (double)tui.rss_kb / 1024);
	double r_floor = st.seconds / fl.seconds;
	printf("  --stats within 3x of the floor:         %6.2fx   %s\n", r_floor, r_floor <= 3 ? "met" : "MISSED");
	/* replay decodes what dump --stats decodes, then rebuilds the sessions */
	double r_replay = (double)packets / rp.seconds / ((double)packets / st.seconds);
	printf("  replay packets/s vs dump --stats:       %6.2fx   %s  (replay %.0f packets/s, dump %.0f)\n", r_replay,
	       r_replay >= 0.5 ? "met (>= 0.5x)" : "MISSED (< 0.5x)", (double)packets / rp.seconds,
	       (double)packets / st.seconds);
	if (tshark) {
		double r_phs = phs.seconds / st.seconds, r_ek = ek_scaled / js.seconds;
		printf("  --stats >= 20x faster than io,phs:      %6.1fx   %s\n", r_phs, r_phs >= 20 ? "met" : "MISSED");
		printf("  --json  >= 20x faster than -T ek:       %6.1fx   %s  (-T ek scaled from its prefix)\n", r_ek,
		       r_ek >= 20 ? "met" : "MISSED");
	}

	/* Memory: the same for a capture 4x as long (2x when the disk is short). */
	unlink(prefix);
	struct statvfs vfs;
	int factor = 4;
	if (statvfs(tmpdir, &vfs) == 0 && (double)vfs.f_bavail * (double)vfs.f_frsize < 4.5 * mb * 1e6 + 1e9) {
		factor = 2;
		printf("Memory: not enough free disk for 4x (%.0f MB free): using 2x\n",
		       (double)vfs.f_bavail * (double)vfs.f_frsize / 1e6);
	}
	unlink(path);
	t0 = now_s();
	generate(big, NULL, packets * (uint64_t)factor);
	gen_s = now_s() - t0;
	char *big_argv[] = {(char *)rtclab, (char *)"dump", (char *)"--stats", big, NULL};
	char *big_replay_argv[] = {(char *)rtclab, (char *)"replay", (char *)"--json", big, NULL};
	struct run bst, brp;
	spawn(big_argv, false, &bst);
	if (bst.status)
		die("rtclab dump --stats on the %dx capture failed (%d)", factor, bst.status);
	spawn(big_replay_argv, false, &brp);
	if (brp.status)
		die("rtclab replay --json on the %dx capture failed (%d)", factor, brp.status);
	double big_mb = file_mb(big);
	printf("Memory, peak RSS of rtclab dump --stats (%dx capture written in %.2f s):\n", factor, gen_s);
	printf("  %9llu packets %8.1f MB: %8.1f MB RSS\n", (unsigned long long)packets, mb, (double)st.rss_kb / 1024);
	printf("  %9llu packets %8.1f MB: %8.1f MB RSS  (%.2f s, %.0f packets/s)\n",
	       (unsigned long long)(packets * (uint64_t)factor), big_mb, (double)bst.rss_kb / 1024, bst.seconds,
	       (double)(packets * (uint64_t)factor) / bst.seconds);
	long diff = labs(bst.rss_kb - st.rss_kb);
	bool same = diff <= 2048 || (double)diff <= 0.10 * (double)st.rss_kb;
	printf("  peak memory the same for 1x and %dx (within 10%% or 2 MB): %s\n", factor, same ? "met" : "MISSED");
	printf("Memory, peak RSS of rtclab replay --json (sessions and pairs are kept, packets are not):\n");
	printf("  %9llu packets: %8.1f MB RSS\n", (unsigned long long)packets, (double)rp.rss_kb / 1024);
	printf("  %9llu packets: %8.1f MB RSS  (%.2f s, %.0f packets/s)\n", (unsigned long long)(packets * (uint64_t)factor),
	       (double)brp.rss_kb / 1024, brp.seconds, (double)(packets * (uint64_t)factor) / brp.seconds);
	diff = labs(brp.rss_kb - rp.rss_kb);
	same = diff <= 2048 || (double)diff <= 0.10 * (double)rp.rss_kb;
	printf("  peak memory the same for 1x and %dx (within 10%% or 2 MB): %s\n", factor, same ? "met" : "MISSED");
	struct run btui;
	double btui_first, btui_all;
	tui_first_screen(rtclab, big, &btui_first, &btui_all, &btui);
	printf("Memory, peak RSS of rtclab tui (the bytes of the steps' messages are kept, packets are not):\n");
	printf("  %9llu packets: %8.1f MB RSS  (first screen %.3f s, all read %.2f s)\n", (unsigned long long)packets,
	       (double)tui.rss_kb / 1024, tui_first, tui_all);
	printf("  %9llu packets: %8.1f MB RSS  (first screen %.3f s, all read %.2f s)\n",
	       (unsigned long long)(packets * (uint64_t)factor), (double)btui.rss_kb / 1024, btui_first, btui_all);
	diff = labs(btui.rss_kb - tui.rss_kb);
	same = diff <= 2048 || (double)diff <= 0.10 * (double)tui.rss_kb;
	printf("  peak memory the same for 1x and %dx (within 10%% or 2 MB): %s\n", factor, same ? "met" : "MISSED");
	unlink(big);
	return 0;
}
