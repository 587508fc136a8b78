/* TCP stream reassembly (lib/tcp.c): in order, out of order, retransmitted
 * and overlapping segments, gaps, sequence wrap-around, connections picked
 * up mid-stream, RST, the memory limits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtclab/tcp.h"
#include "unit.h"

#define MAX_EV 256

struct rec {
	size_t n;
	enum rtclab_tcp_event_kind kind[MAX_EV];
	uint64_t frame[MAX_EV], conn[MAX_EV], offset[MAX_EV], length[MAX_EV];
	int dir[MAX_EV];
	bool handshake[MAX_EV];
	enum rtclab_tcp_close_reason reason[MAX_EV];
	char stream[2][4096];
	size_t stream_len[2];
	bool order_ok; /* every DATA starts where the last ended */
};

static void record(void *arg, const struct rtclab_tcp_event *ev)
{
	struct rec *r = arg;
	if (r->n == MAX_EV)
		return;
	size_t i = r->n++;
	r->kind[i] = ev->kind;
	r->frame[i] = ev->frame;
	r->conn[i] = ev->conn;
	r->offset[i] = ev->offset;
	r->length[i] = ev->kind == RTCLAB_TCP_EV_DATA ? ev->data.len : ev->length;
	r->dir[i] = ev->dir;
	r->handshake[i] = ev->handshake;
	r->reason[i] = ev->reason;
	if (ev->kind == RTCLAB_TCP_EV_DATA || ev->kind == RTCLAB_TCP_EV_GAP) {
		size_t *len = &r->stream_len[ev->dir];
		if (ev->offset != *len)
			r->order_ok = false;
		size_t n = (size_t)r->length[i];
		if (*len + n < sizeof r->stream[0]) {
			if (ev->kind == RTCLAB_TCP_EV_DATA)
				memcpy(r->stream[ev->dir] + *len, ev->data.ptr, n);
			else
				memset(r->stream[ev->dir] + *len, '?', n);
			*len += n;
		}
	}
}

static struct rec R;
static struct rtclab_tcp *T;

static void start(const struct rtclab_tcp_limits *lim)
{
	memset(&R, 0, sizeof R);
	R.order_ok = true;
	T = rtclab_tcp_new(lim, record, &R);
	CU_ASSERT_PTR_NOT_NULL_FATAL(T);
}

static void stop(void)
{
	rtclab_tcp_free(T);
	T = NULL;
}

static struct rtclab_addr ep(const char *ip, uint16_t port)
{
	struct rtclab_addr a;
	rtclab_addr_ip_parse(&a, ip);
	a.port = port;
	return a;
}

/* A segment of connection `c` (0, 1, ...): from the client when from_client. */
static void seg_c(int c, uint64_t frame, bool from_client, uint32_t seq, uint8_t flags, const char *payload)
{
	struct rtclab_tcp_segment s = {0};
	struct rtclab_addr cl = ep("192.0.2.1", (uint16_t)(40000 + c)), sv = ep("198.51.100.7", 443);
	s.frame = frame;
	s.src = from_client ? cl : sv;
	s.dst = from_client ? sv : cl;
	s.seq = seq;
	s.flags = flags;
	s.payload.ptr = (const uint8_t *)payload;
	s.payload.len = payload ? strlen(payload) : 0;
	rtclab_tcp_feed_segment(T, &s);
}

static void seg(uint64_t frame, bool from_client, uint32_t seq, uint8_t flags, const char *payload)
{
	seg_c(0, frame, from_client, seq, flags, payload);
}

static size_t count(enum rtclab_tcp_event_kind k)
{
	size_t n = 0;
	for (size_t i = 0; i < R.n; i++)
		n += R.kind[i] == k;
	return n;
}

static size_t find(enum rtclab_tcp_event_kind k, size_t nth)
{
	for (size_t i = 0; i < R.n; i++)
		if (R.kind[i] == k && nth-- == 0)
			return i;
	return MAX_EV;
}

static bool stream_is(int dir, const char *s)
{
	return R.stream_len[dir] == strlen(s) && memcmp(R.stream[dir], s, R.stream_len[dir]) == 0;
}

enum { C = true, S = false };
#define SYN RTCLAB_TCP_SYN
#define ACK RTCLAB_TCP_ACK
#define FIN RTCLAB_TCP_FIN
#define RST RTCLAB_TCP_RST
#define PSH RTCLAB_TCP_PSH

static void handshake(uint32_t cseq, uint32_t sseq)
{
	seg(1, C, cseq, SYN, NULL);
	seg(2, S, sseq, SYN | ACK, NULL);
	seg(3, C, cseq + 1, ACK, NULL);
}

static void test_in_order(void)
{
	start(NULL);
	handshake(1000, 5000);
	seg(4, C, 1001, PSH | ACK, "hello ");
	seg(5, C, 1007, PSH | ACK, "world");
	seg(6, S, 5001, PSH | ACK, "ok");
	seg(7, C, 1012, FIN | ACK, NULL);
	seg(8, S, 5003, FIN | ACK, NULL);
	CU_ASSERT_EQUAL(R.kind[0], RTCLAB_TCP_EV_OPEN);
	CU_ASSERT_TRUE(R.handshake[0]);
	CU_ASSERT_EQUAL(R.conn[0], 1);
	CU_ASSERT_TRUE(stream_is(0, "hello world"));
	CU_ASSERT_TRUE(stream_is(1, "ok"));
	CU_ASSERT_EQUAL(count(RTCLAB_TCP_EV_DATA), 3);
	size_t d = find(RTCLAB_TCP_EV_DATA, 1);
	CU_ASSERT_EQUAL(R.frame[d], 5);
	CU_ASSERT_EQUAL(R.offset[d], 6);
	size_t c = find(RTCLAB_TCP_EV_CLOSE, 0);
	CU_ASSERT_EQUAL(c, R.n - 1);
	CU_ASSERT_EQUAL(R.reason[c], RTCLAB_TCP_CLOSE_FIN);
	CU_ASSERT_EQUAL(R.frame[c], 8);
	/* The last ACK after both FINs does not open a new connection. */
	seg(9, C, 1013, ACK, NULL);
	CU_ASSERT_EQUAL(count(RTCLAB_TCP_EV_OPEN), 1);
	CU_ASSERT_EQUAL(count(RTCLAB_TCP_EV_GAP) + count(RTCLAB_TCP_EV_MISMATCH), 0);
	CU_ASSERT_TRUE(R.order_ok);
	stop();
}

static void test_syn_ack_first(void)
{
	start(NULL);
	/* The SYN was not captured: the SYN-ACK's sender is the server. */
	seg(1, S, 5000, SYN | ACK, NULL);
	seg(2, C, 1001, PSH | ACK, "GET");
	CU_ASSERT_EQUAL(R.kind[0], RTCLAB_TCP_EV_OPEN);
	CU_ASSERT_TRUE(stream_is(RTCLAB_TCP_FROM_CLIENT, "GET"));
	stop();
}

static void test_out_of_order(void)
{
	start(NULL);
	handshake(1000, 5000);
	seg(4, C, 1011, PSH | ACK, "KLMNO");
	seg(5, C, 1006, ACK, "FGHIJ");
	CU_ASSERT_EQUAL(count(RTCLAB_TCP_EV_DATA), 0);
	CU_ASSERT(rtclab_tcp_memory(T) >= 10);
	seg(6, C, 1001, ACK, "ABCDE");
	CU_ASSERT_TRUE(stream_is(0, "ABCDEFGHIJKLMNO"));
	CU_ASSERT_EQUAL(count(RTCLAB_TCP_EV_DATA), 3);
	/* The held segments are delivered with the frame that filled the hole. */
	for (size_t i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(R.frame[find(RTCLAB_TCP_EV_DATA, i)], 6);
	CU_ASSERT_EQUAL(count(RTCLAB_TCP_EV_GAP), 0);
	CU_ASSERT_TRUE(R.order_ok);
	stop();
}

static void test_retransmission(void)
{
	start(NULL);
	handshake(1000, 5000);
	seg(4, C, 1001, ACK, "ABCDE");
	seg(5, C, 1001, ACK, "ABCDE");     /* the same again */
	seg(6, C, 1006, ACK, "FGHIJ");
	seg(7, C, 1003, ACK, "CDEFGHIJKL"); /* partly old, partly new */
	CU_ASSERT_TRUE(stream_is(0, "ABCDEFGHIJKL"));
	CU_ASSERT_EQUAL(count(RTCLAB_TCP_EV_MISMATCH), 0);
	seg(8, C, 1002, ACK, "Bx");          /* disagrees with what was delivered */
	CU_ASSERT_EQUAL(count(RTCLAB_TCP_EV_MISMATCH), 1);
	size_t m = find(RTCLAB_TCP_EV_MISMATCH, 0);
	CU_ASSERT_EQUAL(R.frame[m], 8);
	CU_ASSERT_EQUAL(R.offset[m], 1);
	CU_ASSERT_TRUE(stream_is(0, "ABCDEFGHIJKL"));
	CU_ASSERT_TRUE(R.order_ok);
	stop();
}

static void test_overlap(void)
{
	start(NULL);
	handshake(1000, 5000);
	seg(4, C, 1013, ACK, "MNOPQRST");  /* [12,20) */
	seg(5, C, 1006, ACK, "FGHIJKLMNO"); /* [5,15): overlaps the first */
	seg(6, C, 1009, ACK, "IJ");         /* inside what is held */
	seg(7, C, 1009, ACK, "Ix");         /* held, and different */
	CU_ASSERT_EQUAL(count(RTCLAB_TCP_EV_MISMATCH), 1);
	seg(8, C, 1001, ACK, "ABCDEFG");    /* [0,7) fills the hole and overlaps */
	CU_ASSERT_TRUE(stream_is(0, "ABCDEFGHIJKLMNOPQRST"));
	CU_ASSERT_EQUAL(count(RTCLAB_TCP_EV_MISMATCH), 1);
	CU_ASSERT_TRUE(R.order_ok);
	stop();
}

static void test_gap_at_close(void)
{
	start(NULL);
	handshake(1000, 5000);
	seg(4, C, 1001, ACK, "ABC");
	seg(5, C, 1007, ACK, "GHI");  /* DEF never arrives */
	seg(6, C, 1010, FIN | ACK, NULL);
	seg(7, S, 5001, FIN | ACK, NULL);
	CU_ASSERT_EQUAL(count(RTCLAB_TCP_EV_CLOSE), 0); /* still waiting for DEF */
	rtclab_tcp_finish(T, 9);
	CU_ASSERT_TRUE(stream_is(0, "ABC???GHI"));
	size_t g = find(RTCLAB_TCP_EV_GAP, 0);
	CU_ASSERT_EQUAL(R.offset[g], 3);
	CU_ASSERT_EQUAL(R.length[g], 3);
	CU_ASSERT_EQUAL(R.frame[g], 9);
	size_t c = find(RTCLAB_TCP_EV_CLOSE, 0);
	CU_ASSERT_EQUAL(R.reason[c], RTCLAB_TCP_CLOSE_END);
	CU_ASSERT_EQUAL(rtclab_tcp_memory(T), 0);
	CU_ASSERT_TRUE(R.order_ok);
	stop();
}

static void test_gap_at_limit(void)
{
	struct rtclab_tcp_limits lim = {.stream_buffer = 8};
	start(&lim);
	handshake(1000, 5000);
	seg(4, C, 1001, ACK, "AB");
	seg(5, C, 1005, ACK, "EFGH");    /* CD missing; 4 bytes held */
	CU_ASSERT_EQUAL(count(RTCLAB_TCP_EV_GAP), 0);
	seg(6, C, 1009, ACK, "IJKLM");   /* 9 held: over the limit */
	CU_ASSERT_EQUAL(count(RTCLAB_TCP_EV_GAP), 1);
	size_t g = find(RTCLAB_TCP_EV_GAP, 0);
	CU_ASSERT_EQUAL(R.offset[g], 2);
	CU_ASSERT_EQUAL(R.length[g], 2);
	CU_ASSERT_EQUAL(R.frame[g], 6);
	CU_ASSERT_TRUE(stream_is(0, "AB??EFGHIJKLM"));
	seg(7, C, 1003, ACK, "CD");      /* too late: already given up */
	CU_ASSERT_TRUE(stream_is(0, "AB??EFGHIJKLM"));
	CU_ASSERT_TRUE(R.order_ok);
	stop();
}

static void test_gap_rst(void)
{
	start(NULL);
	handshake(1000, 5000);
	seg(4, S, 5001, ACK, "abc");
	seg(5, S, 5010, ACK, "jkl");
	seg(6, C, 1001, RST, NULL);
	CU_ASSERT_TRUE(stream_is(1, "abc??????jkl"));
	size_t c = find(RTCLAB_TCP_EV_CLOSE, 0);
	CU_ASSERT_EQUAL(R.reason[c], RTCLAB_TCP_CLOSE_RST);
	CU_ASSERT_EQUAL(R.frame[c], 6);
	/* Late data of the reset connection is dropped; a new SYN opens a new one. */
	seg(7, S, 5013, ACK, "mno");
	CU_ASSERT_EQUAL(count(RTCLAB_TCP_EV_OPEN), 1);
	seg(8, C, 77, SYN, NULL);
	CU_ASSERT_EQUAL(count(RTCLAB_TCP_EV_OPEN), 2);
	CU_ASSERT_EQUAL(R.conn[R.n - 1], 2);
	stop();
}

static void test_wraparound(void)
{
	start(NULL);
	handshake(0xFFFFFFF9u, 5000); /* data starts at 0xFFFFFFFA */
	seg(4, C, 0xFFFFFFFAu, ACK, "ABCD");
	seg(5, C, 0x00000002u, ACK, "IJKL");  /* after the wrap, out of order */
	seg(6, C, 0xFFFFFFFEu, ACK, "EFGH");  /* crosses the wrap */
	seg(7, C, 0x00000006u, FIN | ACK, "MN");
	CU_ASSERT_TRUE(stream_is(0, "ABCDEFGHIJKLMN"));
	CU_ASSERT_EQUAL(count(RTCLAB_TCP_EV_GAP), 0);
	CU_ASSERT_EQUAL(R.offset[find(RTCLAB_TCP_EV_DATA, 3)], 12);
	CU_ASSERT_TRUE(R.order_ok);
	stop();
}

static void test_mid_stream(void)
{
	start(NULL);
	seg(10, S, 900000, ACK, "tail of a response");
	seg(11, C, 123456, ACK, "next request");
	CU_ASSERT_EQUAL(R.kind[0], RTCLAB_TCP_EV_OPEN);
	CU_ASSERT_FALSE(R.handshake[0]);
	/* The first sender is taken as the client. */
	CU_ASSERT_TRUE(stream_is(0, "tail of a response"));
	CU_ASSERT_TRUE(stream_is(1, "next request"));
	rtclab_tcp_finish(T, 12);
	CU_ASSERT_EQUAL(R.reason[R.n - 1], RTCLAB_TCP_CLOSE_END);
	stop();
}

static void test_connections(void)
{
	start(NULL);
	seg_c(0, 1, C, 100, SYN, NULL);
	seg_c(1, 2, C, 200, SYN, NULL);
	seg_c(0, 3, C, 101, ACK, "zero");
	seg_c(1, 4, C, 201, ACK, "one");
	CU_ASSERT_EQUAL(count(RTCLAB_TCP_EV_OPEN), 2);
	CU_ASSERT_EQUAL(R.conn[find(RTCLAB_TCP_EV_DATA, 0)], 1);
	CU_ASSERT_EQUAL(R.conn[find(RTCLAB_TCP_EV_DATA, 1)], 2);
	stop();
}

static void test_connection_limit(void)
{
	struct rtclab_tcp_limits lim = {.max_connections = 2};
	start(&lim);
	seg_c(0, 1, C, 100, SYN, NULL);
	seg_c(1, 2, C, 200, SYN, NULL);
	seg_c(0, 3, C, 101, ACK, "x"); /* connection 1 is now the most recently used */
	seg_c(2, 4, C, 300, SYN, NULL);
	CU_ASSERT_EQUAL(count(RTCLAB_TCP_EV_CLOSE), 1);
	size_t c = find(RTCLAB_TCP_EV_CLOSE, 0);
	CU_ASSERT_EQUAL(R.conn[c], 2);
	CU_ASSERT_EQUAL(R.reason[c], RTCLAB_TCP_CLOSE_EVICTED);
	stop();
}

static void test_total_limit(void)
{
	struct rtclab_tcp_limits lim = {.history = 16, .total_bytes = 200};
	start(&lim);
	seg_c(0, 1, C, 100, SYN, NULL);
	seg_c(1, 2, C, 200, SYN, NULL);
	static char big[190];
	memset(big, 'b', sizeof big - 1);
	seg_c(0, 3, C, 111, ACK, big); /* 10 bytes missing in front */
	CU_ASSERT_EQUAL(count(RTCLAB_TCP_EV_GAP), 1);
	CU_ASSERT(rtclab_tcp_memory(T) <= 200);
	CU_ASSERT_EQUAL(R.length[find(RTCLAB_TCP_EV_GAP, 0)], 10);
	/* Only histories left: connections are evicted, oldest first. */
	seg_c(1, 4, C, 201, ACK, "abc");
	CU_ASSERT(rtclab_tcp_memory(T) <= 200);
	stop();
}

static void test_names(void)
{
	CU_ASSERT_STRING_EQUAL(rtclab_tcp_event_name(RTCLAB_TCP_EV_GAP), "gap");
	CU_ASSERT_STRING_EQUAL(rtclab_tcp_close_reason_name(RTCLAB_TCP_CLOSE_RST), "rst");
	/* A packet that is not TCP is ignored. */
	start(NULL);
	struct rtclab_packet p;
	memset(&p, 0, sizeof p);
	p.l4 = RTCLAB_L4_UDP;
	rtclab_tcp_feed(T, &p);
	p.l4 = RTCLAB_L4_TCP;
	p.src = ep("192.0.2.1", 1);
	p.dst = ep("192.0.2.2", 2);
	p.tcp_flags = SYN;
	rtclab_tcp_feed(T, &p);
	CU_ASSERT_EQUAL(R.n, 1);
	stop();
}

RTCLAB_SUITE(tcp)
{
	static const struct unit_test tests[] = {
		{"in order with handshake and FIN", test_in_order},
		{"SYN-ACK first: its sender is the server", test_syn_ack_first},
		{"out of order, delivered with the filling frame", test_out_of_order},
		{"retransmissions: once each, disagreement reported", test_retransmission},
		{"overlapping segments", test_overlap},
		{"a hole reported at the end", test_gap_at_close},
		{"a hole reported at the per-stream limit", test_gap_at_limit},
		{"RST: holes reported, late data dropped, new SYN", test_gap_rst},
		{"sequence number wrap-around", test_wraparound},
		{"picked up mid-stream", test_mid_stream},
		{"several connections", test_connections},
		{"connection limit evicts the least recently used", test_connection_limit},
		{"overall memory limit", test_total_limit},
		{"names, non-TCP packets", test_names},
		{NULL, NULL},
	};
	unit_add_suite("tcp", tests);
}
