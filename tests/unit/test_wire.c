/* Frames of the simulated wires and the pcapng writer: frames decode with
 * rtclab_packet_decode to the addresses, ports and payload given; the IPv4,
 * UDP and TCP checksums are recomputed here, independently; TCP sequence
 * numbers follow the bytes and reassemble with rtclab_tcp; a pcapng file
 * with three interfaces, UDP and a WebSocket signaling stream carrying an
 * offer built with sdp_build reads back with rtclab_capture_open_file and
 * gives the SIGNAL event with that offer; tshark (when installed) finds no
 * malformed packet and no bad checksum; a failing write leaves no file. */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <dirent.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rtclab/capture.h"
#include "rtclab/events.h"
#include "rtclab/pcapng_writer.h"
#include "rtclab/sdp_build.h"
#include "rtclab/tcp.h"
#include "rtclab/wire.h"
#include "unit.h"

/* --- collecting frames ------------------------------------------------------------------------ */

#define MAX_FRAMES 256

struct frames {
	size_t n;
	uint8_t *data[MAX_FRAMES];
	size_t len[MAX_FRAMES];
};

static void collect(void *arg, const uint8_t *frame, size_t len)
{
	struct frames *f = arg;
	CU_ASSERT_FATAL(f->n < MAX_FRAMES);
	f->data[f->n] = malloc(len);
	memcpy(f->data[f->n], frame, len);
	f->len[f->n++] = len;
}

static void frames_free(struct frames *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->data[i]);
	f->n = 0;
}

static struct rtclab_addr addr(const char *ip, uint16_t port)
{
	struct rtclab_addr a;
	memset(&a, 0, sizeof a);
	CU_ASSERT_FATAL(rtclab_addr_ip_parse(&a, ip));
	a.port = port;
	return a;
}

static struct rtclab_packet decode(const struct frames *f, size_t i)
{
	struct rtclab_packet p;
	memset(&p, 0, sizeof p);
	p.frame = i + 1;
	CU_ASSERT_FATAL(rtclab_packet_decode(&p, RTCLAB_LINK_ETHERNET, f->data[i], f->len[i], (uint32_t)f->len[i], NULL));
	CHECKF(p.n_problems == 0, "frame %zu: %s", i + 1, p.n_problems ? p.problems[0].message : "");
	return p;
}

/* --- checksums, recomputed here (RFC 1071) ----------------------------------------------------- */

static uint32_t add_words(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len % 2)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

/* A region whose checksum field is filled in sums to 0xFFFF. */
static bool sums_to_ffff(uint32_t sum)
{
	while (sum > 0xFFFF)
		sum = (sum & 0xFFFF) + (sum >> 16);
	return sum == 0xFFFF;
}

static bool ipv4_header_ok(const uint8_t *frame)
{
	return sums_to_ffff(add_words(0, frame + 14, 20));
}

/* The UDP or TCP checksum of an unfragmented frame: pseudo-header
 * (RFC 768 / RFC 9293 3.1 / RFC 8200 8.1) plus the segment. */
static bool transport_ok(const uint8_t *frame, size_t len)
{
	uint32_t sum;
	const uint8_t *seg;
	size_t seg_len;
	uint8_t proto;
	if (frame[12] == 0x08) { /* IPv4 */
		sum = add_words(0, frame + 14 + 12, 8);
		proto = frame[14 + 9];
		seg = frame + 34;
		seg_len = len - 34;
	} else {
		sum = add_words(0, frame + 14 + 8, 32);
		proto = frame[14 + 6];
		seg = frame + 54;
		seg_len = len - 54;
	}
	sum += proto + (uint32_t)seg_len;
	if (proto == 17 && seg[6] == 0 && seg[7] == 0)
		return false; /* rtclab always sends a UDP checksum */
	return sums_to_ffff(add_words(sum, seg, seg_len));
}

/* --- UDP ---------------------------------------------------------------------------------- */

static void test_udp_ipv4(void)
{
	struct rtclab_wire *w = rtclab_wire_new(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	struct frames f = {0};
	struct rtclab_addr src = addr("192.168.1.10", 50000), dst = addr("203.0.113.7", 3478);
	const char odd[] = "odd-length payload"; /* 18 bytes + NUL: the checksum pads the 19th */
	CU_ASSERT_EQUAL(rtclab_wire_udp(w, &src, &dst, odd, sizeof odd, collect, &f), RTCLAB_WIRE_OK);
	CU_ASSERT_EQUAL(rtclab_wire_send(w, RTCLAB_L4_UDP, &dst, &src, "x", 1, collect, &f), RTCLAB_WIRE_OK);
	CU_ASSERT_EQUAL_FATAL(f.n, 2);
	CU_ASSERT_EQUAL(f.len[0], 14 + 20 + 8 + sizeof odd);
	struct rtclab_packet p = decode(&f, 0);
	CU_ASSERT_EQUAL(p.ip_version, 4);
	CU_ASSERT_EQUAL(p.l4, RTCLAB_L4_UDP);
	CU_ASSERT_TRUE(rtclab_addr_equal(&p.src, &src));
	CU_ASSERT_TRUE(rtclab_addr_equal(&p.dst, &dst));
	CU_ASSERT_EQUAL(p.ttl, 64);
	CU_ASSERT_EQUAL_FATAL(p.payload.len, sizeof odd);
	CU_ASSERT_EQUAL(memcmp(p.payload.ptr, odd, sizeof odd), 0);
	/* MACs from the IPs: destination 02:00:cb:00:71:07, source 02:00:c0:a8:01:0a */
	static const uint8_t macs[12] = {2, 0, 203, 0, 113, 7, 2, 0, 192, 168, 1, 10};
	CU_ASSERT_EQUAL(memcmp(f.data[0], macs, 12), 0);
	for (size_t i = 0; i < 2; i++) {
		CHECKF(ipv4_header_ok(f.data[i]), "frame %zu: IPv4 header checksum", i + 1);
		CHECKF(transport_ok(f.data[i], f.len[i]), "frame %zu: UDP checksum", i + 1);
		CHECKF(f.data[i][14 + 6] == 0x40 && f.data[i][14 + 7] == 0, "frame %zu: DF set, no offset", i + 1);
	}
	/* the identification counts up */
	unsigned id0 = (unsigned)(f.data[0][18] << 8 | f.data[0][19]), id1 = (unsigned)(f.data[1][18] << 8 | f.data[1][19]);
	CU_ASSERT_EQUAL((id0 + 1) & 0xFFFF, id1);
	frames_free(&f);
	rtclab_wire_free(w);
}

static void test_udp_ipv6(void)
{
	struct rtclab_wire *w = rtclab_wire_new(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	struct frames f = {0};
	struct rtclab_addr src = addr("2001:db8::10", 50000), dst = addr("2001:db8:1::7", 3478);
	uint8_t payload[300];
	for (size_t i = 0; i < sizeof payload; i++)
		payload[i] = (uint8_t)(i * 7);
	CU_ASSERT_EQUAL(rtclab_wire_udp(w, &src, &dst, payload, sizeof payload, collect, &f), RTCLAB_WIRE_OK);
	CU_ASSERT_EQUAL_FATAL(f.n, 1);
	struct rtclab_packet p = decode(&f, 0);
	CU_ASSERT_EQUAL(p.ip_version, 6);
	CU_ASSERT_EQUAL(p.ttl, 64);
	CU_ASSERT_EQUAL(p.ethertype, 0x86DD);
	CU_ASSERT_TRUE(rtclab_addr_equal(&p.src, &src));
	CU_ASSERT_TRUE(rtclab_addr_equal(&p.dst, &dst));
	CU_ASSERT_TRUE(p.payload.len == sizeof payload && memcmp(p.payload.ptr, payload, sizeof payload) == 0);
	CU_ASSERT_TRUE(transport_ok(f.data[0], f.len[0]));
	CU_ASSERT_EQUAL(f.data[0][6], 0x02); /* locally administered source MAC */
	frames_free(&f);

	/* mixed families and impossible sizes are errors, and nothing is written */
	struct rtclab_addr v4 = addr("192.0.2.1", 1);
	CU_ASSERT_EQUAL(rtclab_wire_udp(w, &src, &v4, "x", 1, collect, &f), RTCLAB_WIRE_E_ADDRESS);
	static uint8_t big[65508];
	struct rtclab_addr v4b = addr("192.0.2.2", 2);
	CU_ASSERT_EQUAL(rtclab_wire_udp(w, &v4, &v4b, big, 65508, collect, &f), RTCLAB_WIRE_E_TOO_BIG);
	CU_ASSERT_EQUAL(rtclab_wire_send(w, RTCLAB_L4_ICMP, &v4, &v4b, "x", 1, collect, &f), RTCLAB_WIRE_E_TRANSPORT);
	CU_ASSERT_EQUAL(f.n, 0);
	CU_ASSERT_STRING_EQUAL(rtclab_wire_error_id(RTCLAB_WIRE_E_TOO_BIG), "too-big");
	rtclab_wire_free(w);
}

static void test_ipv4_fragments(void)
{
	struct rtclab_wire *w = rtclab_wire_new(NULL);
	struct rtclab_defrag *d = rtclab_defrag_new();
	CU_ASSERT_FATAL(w && d);
	struct frames f = {0};
	struct rtclab_addr src = addr("10.0.0.1", 5000), dst = addr("10.0.0.2", 6000);
	static uint8_t payload[3000];
	for (size_t i = 0; i < sizeof payload; i++)
		payload[i] = (uint8_t)(i ^ (i >> 8));
	CU_ASSERT_EQUAL(rtclab_wire_udp(w, &src, &dst, payload, sizeof payload, collect, &f), RTCLAB_WIRE_OK);
	/* 3008 bytes of IP payload: 1480 + 1480 + 48 (RFC 791: multiples of 8) */
	CU_ASSERT_EQUAL_FATAL(f.n, 3);
	CU_ASSERT_EQUAL(f.len[0], 14 + 20 + 1480);
	CU_ASSERT_EQUAL(f.len[2], 14 + 20 + 48);
	struct rtclab_packet p;
	for (size_t i = 0; i < f.n; i++) {
		CHECKF(ipv4_header_ok(f.data[i]), "fragment %zu: header checksum", i + 1);
		CHECKF(memcmp(f.data[i] + 18, f.data[0] + 18, 2) == 0, "fragment %zu: same identification", i + 1);
		unsigned frag = (unsigned)(f.data[i][20] << 8 | f.data[i][21]);
		CHECKF(frag == ((i < 2 ? 0x2000u : 0u) | (unsigned)(i * 185)), "fragment %zu: flags/offset %04x", i + 1,
		       frag);
		memset(&p, 0, sizeof p);
		p.frame = i + 1;
		CU_ASSERT_TRUE(rtclab_packet_decode(&p, RTCLAB_LINK_ETHERNET, f.data[i], f.len[i], (uint32_t)f.len[i], d));
	}
	CU_ASSERT_TRUE(p.reassembled);
	CU_ASSERT_EQUAL(p.l4, RTCLAB_L4_UDP);
	CU_ASSERT_TRUE(p.payload.len == sizeof payload && memcmp(p.payload.ptr, payload, sizeof payload) == 0);
	frames_free(&f);
	rtclab_defrag_free(d);
	rtclab_wire_free(w);
}

/* --- TCP ---------------------------------------------------------------------------------- */

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

struct stream {
	uint8_t bytes[2][8192];
	size_t len[2];
	int opens, closes, gaps;
	bool handshake;
	enum rtclab_tcp_close_reason reason;
};

static void on_tcp(void *arg, const struct rtclab_tcp_event *ev)
{
	struct stream *s = arg;
	if (ev->kind == RTCLAB_TCP_EV_OPEN) {
		s->opens++;
		s->handshake = ev->handshake;
	} else if (ev->kind == RTCLAB_TCP_EV_DATA) {
		CU_ASSERT_FATAL(s->len[ev->dir] + ev->data.len <= sizeof s->bytes[0]);
		memcpy(s->bytes[ev->dir] + s->len[ev->dir], ev->data.ptr, ev->data.len);
		s->len[ev->dir] += ev->data.len;
	} else if (ev->kind == RTCLAB_TCP_EV_CLOSE) {
		s->closes++;
		s->reason = ev->reason;
	} else {
		s->gaps++;
	}
}

static void test_tcp_stream(void)
{
	struct rtclab_rng rng;
	rtclab_rng_seed(&rng, 42);
	struct rtclab_wire_options o = {.rng = &rng};
	struct rtclab_wire *w = rtclab_wire_new(&o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	struct frames f = {0};
	struct rtclab_addr c = addr("192.168.1.10", 40001), s = addr("203.0.113.5", 3478);
	static uint8_t data[4000];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 13);
	/* the first bytes open the connection: SYN, SYN-ACK, ACK, then 1460 + 1460 + 1080 */
	CU_ASSERT_EQUAL(rtclab_wire_tcp_send(w, &c, &s, data, sizeof data, collect, &f), RTCLAB_WIRE_OK);
	CU_ASSERT_EQUAL(rtclab_wire_tcp_count(w), 1);
	CU_ASSERT_EQUAL(rtclab_wire_tcp_send(w, &s, &c, "pong", 4, collect, &f), RTCLAB_WIRE_OK);
	CU_ASSERT_EQUAL(rtclab_wire_tcp_close(w, &c, &s, collect, &f), RTCLAB_WIRE_OK);
	CU_ASSERT_EQUAL(rtclab_wire_tcp_count(w), 0);
	CU_ASSERT_EQUAL_FATAL(f.n, 10);
	static const uint8_t flags[10] = {0x02, 0x12, 0x10, 0x10, 0x10, 0x18, 0x18, 0x11, 0x11, 0x10};
	static const size_t lens[10] = {0, 0, 0, 1460, 1460, 1080, 4, 0, 0, 0};
	struct rtclab_packet p[10];
	for (size_t i = 0; i < f.n; i++) {
		p[i] = decode(&f, i);
		CHECKF(p[i].l4 == RTCLAB_L4_TCP && p[i].tcp_flags == flags[i], "frame %zu: flags %02x, want %02x", i + 1,
		       p[i].tcp_flags, flags[i]);
		CHECKF(p[i].payload.len == lens[i], "frame %zu: %zu bytes, want %zu", i + 1, p[i].payload.len, lens[i]);
		CHECKF(ipv4_header_ok(f.data[i]) && transport_ok(f.data[i], f.len[i]), "frame %zu: checksums", i + 1);
		CHECKF(f.len[i] <= 1514, "frame %zu: %zu bytes, over the MTU", i + 1, f.len[i]);
	}
	uint32_t cisn = p[0].seq, sisn = p[1].seq;
	/* the SYNs carry MSS 1460 (kind 2, length 4) */
	CU_ASSERT_EQUAL(f.data[0][46], 0x60); /* data offset 6 words */
	CU_ASSERT_TRUE(f.data[0][54] == 2 && f.data[0][55] == 4 && f.data[0][56] == 0x05 && f.data[0][57] == 0xB4);
	CU_ASSERT_EQUAL(p[1].ack, cisn + 1);
	CU_ASSERT_TRUE(p[2].seq == cisn + 1 && p[2].ack == sisn + 1);
	CU_ASSERT_TRUE(p[3].seq == cisn + 1 && p[4].seq == cisn + 1461 && p[5].seq == cisn + 2921);
	CU_ASSERT_TRUE(p[6].seq == sisn + 1 && p[6].ack == cisn + 4001);
	/* FIN handshake: each FIN takes one sequence number */
	CU_ASSERT_TRUE(p[7].seq == cisn + 4001 && p[7].ack == sisn + 5);
	CU_ASSERT_TRUE(p[8].seq == sisn + 5 && p[8].ack == cisn + 4002);
	CU_ASSERT_TRUE(p[9].seq == cisn + 4002 && p[9].ack == sisn + 6);
	CU_ASSERT_TRUE(rtclab_addr_equal(&p[1].src, &s) && rtclab_addr_equal(&p[1].dst, &c));

	/* rtclab's own reassembler puts the same bytes back together */
	struct stream st;
	memset(&st, 0, sizeof st);
	struct rtclab_tcp *t = rtclab_tcp_new(NULL, on_tcp, &st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	for (size_t i = 0; i < f.n; i++)
		rtclab_tcp_feed(t, &p[i]);
	CU_ASSERT_EQUAL(st.opens, 1);
	CU_ASSERT_TRUE(st.handshake);
	CU_ASSERT_EQUAL(st.gaps, 0);
	CU_ASSERT_EQUAL(st.closes, 1);
	CU_ASSERT_EQUAL(st.reason, RTCLAB_TCP_CLOSE_FIN);
	CU_ASSERT_TRUE(st.len[0] == sizeof data && memcmp(st.bytes[0], data, sizeof data) == 0);
	CU_ASSERT_TRUE(st.len[1] == 4 && memcmp(st.bytes[1], "pong", 4) == 0);
	rtclab_tcp_free(t);
	frames_free(&f);
	rtclab_wire_free(w);

	/* the same seed gives the same ISNs */
	rtclab_rng_seed(&rng, 42);
	w = rtclab_wire_new(&o);
	CU_ASSERT_EQUAL(rtclab_wire_tcp_open(w, &c, &s, collect, &f), RTCLAB_WIRE_OK);
	CU_ASSERT_EQUAL_FATAL(f.n, 3);
	CU_ASSERT_EQUAL(be32(f.data[0] + 38), cisn);
	frames_free(&f);
	rtclab_wire_free(w);
}

static void test_tcp_states(void)
{
	struct rtclab_wire *w = rtclab_wire_new(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	struct frames f = {0};
	struct rtclab_addr a = addr("2001:db8::1", 1000), b = addr("2001:db8::2", 80), c = addr("2001:db8::3", 443);
	CU_ASSERT_EQUAL(rtclab_wire_tcp_close(w, &a, &b, collect, &f), RTCLAB_WIRE_E_NO_CONNECTION);
	CU_ASSERT_EQUAL(rtclab_wire_tcp_open(w, &a, &b, collect, &f), RTCLAB_WIRE_OK);
	CU_ASSERT_EQUAL(rtclab_wire_tcp_open(w, &b, &a, collect, &f), RTCLAB_WIRE_E_OPEN);
	CU_ASSERT_EQUAL(rtclab_wire_tcp_open(w, &a, &c, collect, &f), RTCLAB_WIRE_OK);
	/* IPv6: MSS 1440, so 3000 bytes are 1440 + 1440 + 120 */
	static uint8_t data[3000];
	CU_ASSERT_EQUAL(rtclab_wire_tcp_send(w, &a, &c, data, sizeof data, collect, &f), RTCLAB_WIRE_OK);
	CU_ASSERT_EQUAL_FATAL(f.n, 9);
	CU_ASSERT_EQUAL(f.len[6], 14 + 40 + 20 + 1440);
	CU_ASSERT_EQUAL(f.len[8], 14 + 40 + 20 + 120);
	for (size_t i = 0; i < f.n; i++)
		CHECKF(transport_ok(f.data[i], f.len[i]), "frame %zu: TCP checksum over IPv6", i + 1);
	frames_free(&f);
	/* reset from the server: one RST-ACK */
	CU_ASSERT_EQUAL(rtclab_wire_tcp_reset(w, &c, &a, collect, &f), RTCLAB_WIRE_OK);
	CU_ASSERT_EQUAL_FATAL(f.n, 1);
	struct rtclab_packet p = decode(&f, 0);
	CU_ASSERT_EQUAL(p.tcp_flags, RTCLAB_TCP_RST | RTCLAB_TCP_ACK);
	CU_ASSERT_TRUE(rtclab_addr_equal(&p.src, &c));
	frames_free(&f);
	/* finish closes what is left: a-b, with its three segments */
	CU_ASSERT_EQUAL(rtclab_wire_tcp_count(w), 1);
	rtclab_wire_tcp_finish(w, collect, &f);
	CU_ASSERT_EQUAL(f.n, 3);
	CU_ASSERT_EQUAL(rtclab_wire_tcp_count(w), 0);
	p = decode(&f, 0);
	CU_ASSERT_TRUE(rtclab_addr_equal(&p.src, &a) && p.tcp_flags == (RTCLAB_TCP_FIN | RTCLAB_TCP_ACK));
	frames_free(&f);
	/* a long one-way write: the receiver acknowledges every 32 KiB, so no
	 * more than that (plus one segment) is ever outstanding */
	struct rtclab_addr d = addr("2001:db8::4", 5000);
	static uint8_t lots[100000];
	CU_ASSERT_EQUAL(rtclab_wire_tcp_send(w, &a, &d, lots, sizeof lots, collect, &f), RTCLAB_WIRE_OK);
	uint32_t acked = 0, sent = 0;
	unsigned acks = 0;
	for (size_t i = 0; i < f.n; i++) {
		p = decode(&f, i);
		if (p.tcp_flags & RTCLAB_TCP_SYN)
			continue;
		if (rtclab_addr_equal(&p.src, &d)) {
			acked = p.ack;
			acks += p.tcp_flags == RTCLAB_TCP_ACK;
			continue;
		}
		sent = p.seq + (uint32_t)p.payload.len;
		if (acked)
			CHECKF(sent - acked <= 32768 + 1440, "frame %zu: %u bytes unacknowledged", i + 1, sent - acked);
	}
	CHECKF(acks == 3, "%u pure ACKs from the receiver, want 3", acks);
	frames_free(&f);
	rtclab_wire_tcp_finish(w, collect, &f);
	frames_free(&f);
	rtclab_wire_free(w);
	struct rtclab_wire_options small = {.mtu = 576};
	CU_ASSERT_PTR_NULL(rtclab_wire_new(&small)); /* below the IPv6 minimum MTU */
}

/* --- a capture of three wires -------------------------------------------------------------- */

static char TMP[64];

static void tmp_path(char *buf, size_t len, const char *name)
{
	if (!TMP[0]) {
		strcpy(TMP, "/tmp/rtclab-wire-XXXXXX");
		CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(TMP));
	}
	snprintf(buf, len, "%s/%s", TMP, name);
}

static unsigned count_tmp(void)
{
	unsigned n = 0;
	DIR *d = opendir(TMP);
	if (!d)
		return 0;
	for (struct dirent *e; (e = readdir(d)) != NULL;)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void remove_tmp(void)
{
	DIR *d = opendir(TMP);
	if (!d)
		return;
	char path[600];
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", TMP, e->d_name);
		if (unlink(path) != 0)
			rmdir(path);
	}
	closedir(d);
	rmdir(TMP);
	TMP[0] = '\0';
}

/* Frames of one wire go to one interface of the file. */
struct sink {
	struct rtclab_pcapng_writer *pw;
	uint32_t iface;
	int64_t ts;
	unsigned written;
};

static void to_file(void *arg, const uint8_t *frame, size_t len)
{
	struct sink *s = arg;
	CU_ASSERT_EQUAL(rtclab_pcapng_writer_write(s->pw, s->iface, s->ts, frame, len), RTCLAB_PCAPNG_W_OK);
	s->written++;
	s->ts += 1000; /* 1 us apart */
}

/* A WebSocket frame (RFC 6455 5.2): FIN, opcode, masked from the client. */
static size_t ws_frame(uint8_t *out, int opcode, const char *payload, size_t len, bool mask)
{
	static const uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
	size_t n = 0;
	out[n++] = (uint8_t)(0x80 | opcode);
	uint8_t m = mask ? 0x80 : 0;
	if (len < 126) {
		out[n++] = (uint8_t)(m | len);
	} else {
		out[n++] = (uint8_t)(m | 126);
		out[n++] = (uint8_t)(len >> 8);
		out[n++] = (uint8_t)len;
	}
	if (mask) {
		memcpy(out + n, key, 4);
		n += 4;
	}
	for (size_t i = 0; i < len; i++)
		out[n + i] = (uint8_t)(payload[i] ^ (mask ? key[i % 4] : 0));
	return n + len;
}

static char *signal_json(const char *type, const char *sdp)
{
	json_t *j = json_pack("{s:s, s:s}", "type", type, "sdp", sdp);
	char *text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return text;
}

static char *build_offer(void)
{
	static const uint8_t fp[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
				       17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
	const char *cands[] = {
		"candidate:1 1 udp 2122260223 192.168.1.10 50000 typ host generation 0 network-id 1",
		"candidate:2 1 udp 1686052607 198.51.100.1 40000 typ srflx raddr 192.168.1.10 rport 50000 generation 0",
		"candidate:3 1 udp 41885439 203.0.113.9 49170 typ relay raddr 198.51.100.1 rport 40000 generation 0",
		"candidate:4 1 tcp 1518280447 192.168.1.10 9 typ host tcptype active generation 0 network-id 1",
	};
	struct rtclab_sdp_build b = {.role = RTCLAB_SDP_ROLE_OFFER, .session_id = 7169721126327183323ull,
				     .session_version = 2, .ice_ufrag = "nWnq", .ice_pwd = "DTdCVj00s9nGkNgWra0P30A2",
				     .trickle = true, .fingerprint = fp, .audio = true, .data = true,
				     .candidate_lines = cands, .n_candidate_lines = 4, .end_of_candidates = true,
				     .candidates_in_every_section = true};
	return rtclab_sdp_build_alloc(&b, NULL, NULL);
}

struct expect {
	const char *offer;
	int offers, answers, http, datagrams;
	bool offer_matches;
};

static void on_event(void *arg, const struct rtclab_event *ev)
{
	struct expect *x = arg;
	if (ev->kind == RTCLAB_EVENT_DATAGRAM)
		x->datagrams++;
	if (ev->kind == RTCLAB_EVENT_HTTP)
		x->http++;
	if (ev->kind != RTCLAB_EVENT_SIGNAL)
		return;
	for (size_t i = 0; i < ev->signal->n_items; i++) {
		const struct rtclab_signal_item *it = &ev->signal->items[i];
		if (it->kind == RTCLAB_SIGNAL_OFFER) {
			x->offers++;
			x->offer_matches = it->sdp_len == strlen(x->offer) && memcmp(it->sdp_text, x->offer, it->sdp_len) == 0;
		}
		x->answers += it->kind == RTCLAB_SIGNAL_ANSWER;
	}
}

/* Write the test capture: three interfaces; the same STUN-like datagram
 * inside LAN A and on the public side after the NAT; a WebSocket
 * signaling session over TCP on the public side; a datagram in LAN B. */
static unsigned write_three_wires(struct rtclab_pcapng_writer *pw, const char *offer)
{
	uint32_t ids[3];
	CU_ASSERT_EQUAL(rtclab_pcapng_writer_add_interface(pw, "lan-a", "inside LAN A (192.168.1.0/24)",
							   RTCLAB_LINK_ETHERNET, &ids[0]), RTCLAB_PCAPNG_W_OK);
	CU_ASSERT_EQUAL(rtclab_pcapng_writer_add_interface(pw, "public", "the public Internet", RTCLAB_LINK_ETHERNET,
							   &ids[1]), RTCLAB_PCAPNG_W_OK);
	CU_ASSERT_EQUAL(rtclab_pcapng_writer_add_interface(pw, "lan-b", NULL, RTCLAB_LINK_ETHERNET, &ids[2]),
			RTCLAB_PCAPNG_W_OK);
	CU_ASSERT_TRUE(ids[0] == 0 && ids[1] == 1 && ids[2] == 2);
	struct rtclab_wire *wa = rtclab_wire_new(NULL), *wp = rtclab_wire_new(NULL), *wb = rtclab_wire_new(NULL);
	CU_ASSERT_FATAL(wa && wp && wb);
	const int64_t epoch = 1700000000LL * 1000000000LL;
	struct sink sa = {pw, 0, epoch, 0}, sp = {pw, 1, epoch + 500000, 0}, sb = {pw, 2, epoch + 900000, 0};
	/* a STUN Binding request (RFC 5769 2.1's header with no attributes) before and after the NAT */
	static const uint8_t binding[20] = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7,
					    0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};
	struct rtclab_addr host = addr("192.168.1.10", 50000), mapped = addr("198.51.100.1", 40000);
	struct rtclab_addr stun = addr("203.0.113.1", 3478), peer_b = addr("10.1.0.20", 50002);
	CU_ASSERT_EQUAL(rtclab_wire_udp(wa, &host, &stun, binding, sizeof binding, to_file, &sa), RTCLAB_WIRE_OK);
	CU_ASSERT_EQUAL(rtclab_wire_udp(wp, &mapped, &stun, binding, sizeof binding, to_file, &sp), RTCLAB_WIRE_OK);
	CU_ASSERT_EQUAL(rtclab_wire_udp(wb, &peer_b, &stun, binding, sizeof binding, to_file, &sb), RTCLAB_WIRE_OK);

	/* WebSocket signaling on the public side (RFC 6455 1.3's key and accept) */
	struct rtclab_addr client = addr("198.51.100.1", 40001), server = addr("203.0.113.5", 80);
	static const char request[] = "GET /signal HTTP/1.1\r\nHost: 203.0.113.5\r\nUpgrade: websocket\r\n"
				      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
				      "Sec-WebSocket-Version: 13\r\n\r\n";
	static const char response[] = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
				       "Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
	CU_ASSERT_EQUAL(rtclab_wire_send(wp, RTCLAB_L4_TCP, &client, &server, request, strlen(request), to_file, &sp),
			RTCLAB_WIRE_OK);
	CU_ASSERT_EQUAL(rtclab_wire_tcp_send(wp, &server, &client, response, strlen(response), to_file, &sp),
			RTCLAB_WIRE_OK);
	char *offer_msg = signal_json("offer", offer), *answer_msg = signal_json("answer", offer);
	size_t frame_cap = strlen(offer_msg) + 16;
	uint8_t *frame = malloc(frame_cap);
	size_t n = ws_frame(frame, 1, offer_msg, strlen(offer_msg), true);
	CHECKF(n > 1460, "the offer frame (%zu bytes) should need two TCP segments", n);
	CU_ASSERT_EQUAL(rtclab_wire_tcp_send(wp, &client, &server, frame, n, to_file, &sp), RTCLAB_WIRE_OK);
	n = ws_frame(frame, 1, answer_msg, strlen(answer_msg), false);
	CU_ASSERT_EQUAL(rtclab_wire_tcp_send(wp, &server, &client, frame, n, to_file, &sp), RTCLAB_WIRE_OK);
	rtclab_wire_tcp_finish(wp, to_file, &sp);
	free(frame);
	free(offer_msg);
	free(answer_msg);
	rtclab_wire_free(wa);
	rtclab_wire_free(wp);
	rtclab_wire_free(wb);
	return sa.written + sp.written + sb.written;
}

static void read_back(const char *path, unsigned frames, const char *offer, bool all_wires)
{
	char err[RTCLAB_CAPTURE_ERRLEN] = "";
	struct rtclab_capture *cap = rtclab_capture_open_file(path, err, sizeof err);
	CHECKF(cap != NULL, "%s", err);
	if (!cap)
		return;
	CU_ASSERT_EQUAL(rtclab_capture_linktype(cap), RTCLAB_LINK_ETHERNET);
	struct expect x = {.offer = offer};
	struct rtclab_events *ev = rtclab_events_new(on_event, &x, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	struct rtclab_packet p;
	unsigned n = 0;
	int64_t first = -1;
	while (rtclab_capture_next(cap, &p, err, sizeof err) == RTCLAB_CAPTURE_PACKET) {
		if (first < 0)
			first = p.ts_ns;
		CHECKF(p.n_problems == 0, "frame %" PRIu64 ": %s", p.frame, p.n_problems ? p.problems[0].message : "");
		rtclab_events_feed(ev, &p);
		n++;
	}
	rtclab_events_finish(ev);
	rtclab_events_free(ev);
	rtclab_capture_close(cap);
	CHECKF(n == frames, "%u frames read, %u written", n, frames);
	/* nanoseconds kept: lan-a's first frame, or public's when only that wire is written */
	CU_ASSERT_EQUAL(first, 1700000000LL * 1000000000LL + (all_wires ? 0 : 500000));
	CU_ASSERT_EQUAL(x.datagrams, all_wires ? 3 : 1);
	CU_ASSERT_EQUAL(x.offers, 1);
	CU_ASSERT_TRUE(x.offer_matches);
	CU_ASSERT_EQUAL(x.answers, 1);
	CU_ASSERT_EQUAL(x.http, 2);
}

static bool have_tshark(void)
{
	if (system("tshark -v >/dev/null 2>&1") == 0)
		return true;
	printf("\n    NOTICE: tshark is not installed: the tshark check is skipped ");
	return false;
}

/* Run a tshark command; its output (cut to cap) in out. */
static bool run(const char *cmd, char *out, size_t cap)
{
	FILE *f = popen(cmd, "r");
	if (!f)
		return false;
	size_t n = fread(out, 1, cap - 1, f);
	out[n] = '\0';
	return pclose(f) == 0;
}

/* No malformed packet, no expert warning or error, every checksum
 * verified good; the interface names as written. */
static void tshark_check(const char *path, unsigned frames, bool pcapng)
{
	static char out[65536];
	char cmd[1024];
	const char *opts = "-o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE";
	snprintf(cmd, sizeof cmd,
		 "tshark -r '%s' %s -Y '_ws.malformed || _ws.expert.severity >= 6291456 || ip.checksum.status == 0 "
		 "|| udp.checksum.status == 0 || tcp.checksum.status == 0' -T fields -e frame.number -e _ws.expert.message "
		 "2>/dev/null",
		 path, opts);
	CU_ASSERT_TRUE(run(cmd, out, sizeof out));
	CHECKF(out[0] == '\0', "tshark finds problems in %s:\n%s", path, out);
	snprintf(cmd, sizeof cmd,
		 "tshark -r '%s' %s -Y 'ip.checksum.status == 1 && (udp.checksum.status == 1 || tcp.checksum.status == 1)'"
		 " -T fields -e frame.number 2>/dev/null | wc -l",
		 path, opts);
	CU_ASSERT_TRUE(run(cmd, out, sizeof out));
	CHECKF((unsigned)atoi(out) == frames, "tshark verified %d good checksums of %u frames", atoi(out), frames);
	if (!pcapng)
		return;
	snprintf(cmd, sizeof cmd, "tshark -r '%s' -T fields -e frame.interface_name -e frame.interface_description "
		 "2>/dev/null | sort | uniq -c | sed 's/^ *//'", path);
	CU_ASSERT_TRUE(run(cmd, out, sizeof out));
	CHECKF(strstr(out, "1 lan-a\tinside LAN A (192.168.1.0/24)\n") && strstr(out, "1 lan-b\t\n") &&
		       strstr(out, "public\tthe public Internet\n"),
	       "interfaces:\n%s", out);
	/* the WebSocket text messages, reassembled by tshark too */
	snprintf(cmd, sizeof cmd, "tshark -r '%s' -Y websocket -T fields -e websocket.opcode 2>/dev/null", path);
	CU_ASSERT_TRUE(run(cmd, out, sizeof out));
	CHECKF(strcmp(out, "1\n1\n") == 0, "tshark's WebSocket messages: \"%s\"", out);
}

static void test_pcapng_three_wires(void)
{
	char path[512], err[RTCLAB_PCAPNG_WRITER_ERRLEN] = "";
	tmp_path(path, sizeof path, "three.pcapng");
	char *offer = build_offer();
	CU_ASSERT_PTR_NOT_NULL_FATAL(offer);
	enum rtclab_pcapng_werr e = RTCLAB_PCAPNG_W_NOMEM;
	struct rtclab_pcapng_writer *pw = rtclab_pcapng_writer_open(path, &e, err, sizeof err);
	CHECKF(pw != NULL && e == RTCLAB_PCAPNG_W_OK, "%s", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pw);
	unsigned frames = write_three_wires(pw, offer);
	CU_ASSERT_EQUAL(rtclab_pcapng_writer_frames(pw), frames);
	uint32_t id = 9;
	CU_ASSERT_TRUE(rtclab_pcapng_writer_find_interface(pw, "lan-b", &id) && id == 2);
	CU_ASSERT_FALSE(rtclab_pcapng_writer_find_interface(pw, "lan-c", &id));
	CU_ASSERT_EQUAL(rtclab_pcapng_writer_close(pw, err, sizeof err), RTCLAB_PCAPNG_W_OK);
	CU_ASSERT_EQUAL(count_tmp(), 1); /* the file, no temporary left */
	read_back(path, frames, offer, true);
	if (have_tshark())
		tshark_check(path, frames, true);

	/* the public wire alone, as classic pcap */
	tmp_path(path, sizeof path, "public.pcap");
	pw = rtclab_pcapng_writer_open_pcap(path, "public", &e, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pw);
	unsigned all = write_three_wires(pw, offer);
	unsigned public_frames = (unsigned)rtclab_pcapng_writer_frames(pw);
	CU_ASSERT_EQUAL(public_frames, all - 2);
	CU_ASSERT_EQUAL(rtclab_pcapng_writer_close(pw, err, sizeof err), RTCLAB_PCAPNG_W_OK);
	uint8_t magic[4] = {0};
	FILE *f = fopen(path, "rb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(fread(magic, 1, 4, f), 4);
	fclose(f);
	CU_ASSERT_TRUE(magic[0] == 0x4d && magic[1] == 0x3c && magic[2] == 0xb2 && magic[3] == 0xa1);
	read_back(path, public_frames, offer, false);
	if (have_tshark())
		tshark_check(path, public_frames, false);
	free(offer);
	remove_tmp();
}

static void test_writer_leaves_nothing(void)
{
	char path[512], err[RTCLAB_PCAPNG_WRITER_ERRLEN] = "";
	enum rtclab_pcapng_werr e = RTCLAB_PCAPNG_W_OK;
	/* a directory that does not exist: no writer, the path in the message */
	tmp_path(path, sizeof path, "no-such-dir/out.pcapng");
	CU_ASSERT_PTR_NULL(rtclab_pcapng_writer_open(path, &e, err, sizeof err));
	CU_ASSERT_EQUAL(e, RTCLAB_PCAPNG_W_CREATE);
	CHECKF(strstr(err, path) && strstr(err, "cannot create"), "\"%s\"", err);
	CU_ASSERT_EQUAL(count_tmp(), 0);

	/* the rename fails (the path is a directory): the temporary file goes */
	tmp_path(path, sizeof path, "taken");
	CU_ASSERT_EQUAL_FATAL(mkdir(path, 0755), 0);
	struct rtclab_pcapng_writer *pw = rtclab_pcapng_writer_open(path, &e, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pw);
	CU_ASSERT_EQUAL(count_tmp(), 2);
	uint32_t id;
	uint8_t frame[60] = {0};
	CU_ASSERT_EQUAL(rtclab_pcapng_writer_add_interface(pw, "x", NULL, RTCLAB_LINK_ETHERNET, &id), RTCLAB_PCAPNG_W_OK);
	CU_ASSERT_EQUAL(rtclab_pcapng_writer_write(pw, id, 0, frame, sizeof frame), RTCLAB_PCAPNG_W_OK);
	CU_ASSERT_EQUAL(rtclab_pcapng_writer_close(pw, err, sizeof err), RTCLAB_PCAPNG_W_RENAME);
	CHECKF(strstr(err, "cannot put the file in place"), "\"%s\"", err);
	CU_ASSERT_EQUAL(count_tmp(), 1);

	/* a frame for an interface never described: the error sticks, close removes the file */
	tmp_path(path, sizeof path, "bad-interface.pcapng");
	pw = rtclab_pcapng_writer_open(path, &e, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pw);
	CU_ASSERT_EQUAL(rtclab_pcapng_writer_write(pw, 0, 0, frame, sizeof frame), RTCLAB_PCAPNG_W_INTERFACE);
	CU_ASSERT_EQUAL(rtclab_pcapng_writer_add_interface(pw, "x", NULL, RTCLAB_LINK_ETHERNET, &id),
			RTCLAB_PCAPNG_W_INTERFACE);
	CU_ASSERT_EQUAL(rtclab_pcapng_writer_error(pw), RTCLAB_PCAPNG_W_INTERFACE);
	CU_ASSERT_EQUAL(rtclab_pcapng_writer_close(pw, err, sizeof err), RTCLAB_PCAPNG_W_INTERFACE);
	CHECKF(strstr(err, "bad-interface.pcapng: "), "\"%s\"", err);
	CU_ASSERT_EQUAL(count_tmp(), 1);

	/* a negative time, an unknown link type */
	pw = rtclab_pcapng_writer_open(path, &e, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pw);
	CU_ASSERT_EQUAL(rtclab_pcapng_writer_add_interface(pw, "x", NULL, (enum rtclab_linktype)147, &id),
			RTCLAB_PCAPNG_W_LINKTYPE);
	rtclab_pcapng_writer_discard(pw);
	pw = rtclab_pcapng_writer_open(path, &e, err, sizeof err);
	CU_ASSERT_EQUAL(rtclab_pcapng_writer_add_interface(pw, "x", NULL, RTCLAB_LINK_ETHERNET, &id), RTCLAB_PCAPNG_W_OK);
	CU_ASSERT_EQUAL(rtclab_pcapng_writer_write(pw, id, -1, frame, sizeof frame), RTCLAB_PCAPNG_W_TIME);
	CU_ASSERT_EQUAL(rtclab_pcapng_writer_close(pw, NULL, 0), RTCLAB_PCAPNG_W_TIME);
	CU_ASSERT_EQUAL(count_tmp(), 1);

	/* classic pcap of a wire that no interface is called */
	tmp_path(path, sizeof path, "nowhere.pcap");
	pw = rtclab_pcapng_writer_open_pcap(path, "lan-z", &e, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pw);
	CU_ASSERT_EQUAL(rtclab_pcapng_writer_add_interface(pw, "lan-a", NULL, RTCLAB_LINK_ETHERNET, &id), RTCLAB_PCAPNG_W_OK);
	CU_ASSERT_EQUAL(rtclab_pcapng_writer_write(pw, id, 0, frame, sizeof frame), RTCLAB_PCAPNG_W_OK);
	CU_ASSERT_EQUAL(rtclab_pcapng_writer_frames(pw), 0);
	CU_ASSERT_EQUAL(rtclab_pcapng_writer_close(pw, err, sizeof err), RTCLAB_PCAPNG_W_NO_WIRE);
	CHECKF(strstr(err, "\"lan-z\""), "\"%s\"", err);
	CU_ASSERT_EQUAL(count_tmp(), 1);

	/* discarded: nothing left */
	tmp_path(path, sizeof path, "discarded.pcapng");
	pw = rtclab_pcapng_writer_open(path, &e, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pw);
	rtclab_pcapng_writer_discard(pw);
	CU_ASSERT_EQUAL(count_tmp(), 1);
	CU_ASSERT_STRING_EQUAL(rtclab_pcapng_werr_id(RTCLAB_PCAPNG_W_NO_WIRE), "no-wire");
	remove_tmp();
}

RTCLAB_SUITE(wire)
{
	static const struct unit_test tests[] = {
		{"UDP over IPv4: decode, checksums, DF, identification", test_udp_ipv4},
		{"UDP over IPv6: decode, mandatory checksum; errors", test_udp_ipv6},
		{"IPv4 fragments reassemble", test_ipv4_fragments},
		{"TCP: handshake, MSS segments, FIN, reassembly", test_tcp_stream},
		{"TCP: states, IPv6 MSS, reset, finish", test_tcp_states},
		{"pcapng of three wires and classic pcap of one: read back, events, tshark", test_pcapng_three_wires},
		{"a failing writer leaves no file", test_writer_leaves_nothing},
		{NULL, NULL},
	};
	unit_add_suite("wire", tests);
}
