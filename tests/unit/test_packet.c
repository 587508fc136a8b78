/* rtclab_packet_decode on hand-built frames: every link type, VLAN tags,
 * IPv4 options, IPv6 extension headers, UDP, TCP, ICMP and ICMPv6 errors,
 * IPv4 reassembly (out of order, overlapping, never completing, evicted),
 * snaplen-cut and malformed frames with their offsets. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtclab/packet.h"
#include "unit.h"


/* --- frame building ---------------------------------------------------------------------- */

static const uint8_t SRC4[4] = {192, 0, 2, 1}, DST4[4] = {198, 51, 100, 7};
static const uint8_t SRC6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1}, DST6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
static const char STUN_LIKE[] = "\x00\x01\x00\x00\x21\x12\xa4\x42 twelve bytes";

struct frame {
	uint8_t b[2048];
	size_t n;
};

static void put(struct frame *f, const void *p, size_t n)
{
	memcpy(f->b + f->n, p, n);
	f->n += n;
}
static void put8(struct frame *f, unsigned v)
{
	f->b[f->n++] = (uint8_t)v;
}
static void put16(struct frame *f, unsigned v)
{
	put8(f, v >> 8);
	put8(f, v);
}
static void put32(struct frame *f, uint32_t v)
{
	put16(f, v >> 16);
	put16(f, v & 0xFFFF);
}
static void set16(struct frame *f, size_t at, unsigned v)
{
	f->b[at] = (uint8_t)(v >> 8);
	f->b[at + 1] = (uint8_t)v;
}

static void eth(struct frame *f, unsigned type)
{
	static const uint8_t macs[12] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};
	put(f, macs, 12);
	put16(f, type);
}

/* UDP header + payload into a separate buffer (the transport part). */
static void udp(struct frame *t, unsigned sport, unsigned dport, const void *payload, size_t n)
{
	put16(t, sport);
	put16(t, dport);
	put16(t, (unsigned)(8 + n));
	put16(t, 0);
	put(t, payload, n);
}

/* IPv4 header (with optlen bytes of NOP options) followed by the transport bytes. */
static void ipv4(struct frame *f, unsigned proto, const struct frame *t, unsigned id, unsigned frag, size_t optlen)
{
	size_t ihl = 20 + optlen;
	put8(f, 0x40 | (unsigned)(ihl / 4));
	put8(f, 0);
	put16(f, (unsigned)(ihl + t->n));
	put16(f, id);
	put16(f, frag);
	put8(f, 64);
	put8(f, proto);
	put16(f, 0);
	put(f, SRC4, 4);
	put(f, DST4, 4);
	for (size_t i = 0; i < optlen; i++)
		put8(f, 1);
	put(f, t->b, t->n);
}

static void ipv6(struct frame *f, unsigned nh, const struct frame *t)
{
	put32(f, 0x60000000u);
	put16(f, (unsigned)t->n);
	put8(f, nh);
	put8(f, 57);
	put(f, SRC6, 16);
	put(f, DST6, 16);
	put(f, t->b, t->n);
}

static struct rtclab_packet P;

static bool decode(enum rtclab_linktype lt, const struct frame *f, struct rtclab_defrag *d)
{
	return rtclab_packet_decode(&P, lt, f->b, f->n, (uint32_t)f->n, d);
}

static bool payload_is(struct rtclab_bytes b, const void *want, size_t n)
{
	return b.len == n && (n == 0 || memcmp(b.ptr, want, n) == 0);
}

/* The UDP datagram 192.0.2.1:5000 -> 198.51.100.7:3478 carrying STUN_LIKE, as decoded. */
static void check_udp4(const char *file, unsigned line)
{
	unit_check_at(P.ip_version == 4 && P.ip_proto == 17 && P.l4 == RTCLAB_L4_UDP, file, line,
		 "ip_version %d proto %u l4 %d", P.ip_version, P.ip_proto, (int)P.l4);
	unit_check_at(P.src.family == RTCLAB_FAMILY_IPV4 && memcmp(P.src.ip, SRC4, 4) == 0 && P.src.port == 5000 &&
			 memcmp(P.dst.ip, DST4, 4) == 0 && P.dst.port == 3478,
		 file, line, "addresses or ports wrong (%u -> %u)", P.src.port, P.dst.port);
	unit_check_at(payload_is(P.payload, STUN_LIKE, sizeof STUN_LIKE - 1), file, line, "payload of %zu bytes",
		 P.payload.len);
	unit_check_at(P.n_problems == 0, file, line, "%zu problems, first: %s", P.n_problems,
		 P.n_problems ? P.problems[0].message : "");
}
#define CHECK_UDP4() check_udp4(__FILE__, __LINE__)

static void check_udp6(const char *file, unsigned line)
{
	unit_check_at(P.ip_version == 6 && P.l4 == RTCLAB_L4_UDP && P.ttl == 57, file, line, "ip_version %d l4 %d",
		 P.ip_version, (int)P.l4);
	unit_check_at(memcmp(P.src.ip, SRC6, 16) == 0 && memcmp(P.dst.ip, DST6, 16) == 0 && P.src.port == 5000 &&
			 P.dst.port == 3478,
		 file, line, "addresses or ports wrong");
	unit_check_at(payload_is(P.payload, STUN_LIKE, sizeof STUN_LIKE - 1), file, line, "payload of %zu bytes",
		 P.payload.len);
	unit_check_at(P.n_problems == 0, file, line, "%zu problems, first: %s", P.n_problems,
		 P.n_problems ? P.problems[0].message : "");
}
#define CHECK_UDP6() check_udp6(__FILE__, __LINE__)

/* A problem with this offset whose message contains this text. */
static void has_problem(const char *file, unsigned line, uint32_t offset, const char *text)
{
	for (size_t i = 0; i < P.n_problems; i++)
		if (P.problems[i].offset == offset && strstr(P.problems[i].message, text))
			return;
	char all[512] = "";
	for (size_t i = 0; i < P.n_problems; i++) {
		size_t k = strlen(all);
		snprintf(all + k, sizeof all - k, " [@%u %s]", P.problems[i].offset, P.problems[i].message);
	}
	unit_check_at(0, file, line, "no problem \"%s\" at %u; have:%s", text, offset, all);
}
#define HAS_PROBLEM(off, text) has_problem(__FILE__, __LINE__, (off), (text))

static struct frame udp_part(void)
{
	struct frame t = {.n = 0};
	udp(&t, 5000, 3478, STUN_LIKE, sizeof STUN_LIKE - 1);
	return t;
}

static struct frame udp4_frame(void)
{
	struct frame f = {.n = 0}, t = udp_part();
	ipv4(&f, 17, &t, 1, 0, 0);
	return f;
}

static struct frame udp6_frame(void)
{
	struct frame f = {.n = 0}, t = udp_part();
	ipv6(&f, 17, &t);
	return f;
}

/* --- link types ---------------------------------------------------------------------------- */

static void test_ethernet(void)
{
	struct frame f = {.n = 0}, ip = udp4_frame();
	eth(&f, 0x0800);
	put(&f, ip.b, ip.n);
	P.frame = 42;
	P.ts_ns = 1700000000123456789;
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_ETHERNET, &f, NULL));
	CHECK_UDP4();
	CU_ASSERT_EQUAL(P.frame, 42);
	CU_ASSERT_EQUAL(P.ts_ns, 1700000000123456789);
	CU_ASSERT_EQUAL(P.ethertype, 0x0800);
	CU_ASSERT_EQUAL(P.ttl, 64);
	CU_ASSERT_EQUAL(P.vlan, 0);
	CU_ASSERT_EQUAL(P.linktype, RTCLAB_LINK_ETHERNET);
	CU_ASSERT_EQUAL(P.data.len, f.n);

	struct frame g = {.n = 0}, ip6 = udp6_frame();
	eth(&g, 0x86DD);
	put(&g, ip6.b, ip6.n);
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_ETHERNET, &g, NULL));
	CHECK_UDP6();
}

static void test_vlan(void)
{
	struct frame f = {.n = 0}, ip = udp4_frame();
	eth(&f, 0x8100);
	put16(&f, 0x2000 | 100); /* priority 1, VLAN 100 */
	put16(&f, 0x0800);
	put(&f, ip.b, ip.n);
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_ETHERNET, &f, NULL));
	CHECK_UDP4();
	CU_ASSERT_EQUAL(P.vlan, 100);

	/* 802.1ad service tag, then a customer tag: the outer id is kept */
	struct frame g = {.n = 0};
	eth(&g, 0x88A8);
	put16(&g, 300);
	put16(&g, 0x8100);
	put16(&g, 7);
	put16(&g, 0x86DD);
	struct frame ip6 = udp6_frame();
	put(&g, ip6.b, ip6.n);
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_ETHERNET, &g, NULL));
	CHECK_UDP6();
	CU_ASSERT_EQUAL(P.vlan, 300);

	/* a tag cut in the middle */
	struct frame h = {.n = 0};
	eth(&h, 0x8100);
	put16(&h, 5);
	CU_ASSERT_FALSE(decode(RTCLAB_LINK_ETHERNET, &h, NULL));
	HAS_PROBLEM(16, "VLAN tag truncated");
}

static void test_sll(void)
{
	struct frame f = {.n = 0}, ip = udp4_frame();
	put16(&f, 0);	  /* to us */
	put16(&f, 1);	  /* ARPHRD_ETHER */
	put16(&f, 6);
	put(&f, "\x02\0\0\0\0\x01\0\0", 8);
	put16(&f, 0x0800);
	put(&f, ip.b, ip.n);
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_LINUX_SLL, &f, NULL));
	CHECK_UDP4();

	struct frame g = {.n = 0}, ip6 = udp6_frame();
	put16(&g, 0x86DD);
	put16(&g, 0);
	put32(&g, 3);	  /* interface index */
	put16(&g, 1);
	put8(&g, 4);	  /* outgoing */
	put8(&g, 6);
	put(&g, "\x02\0\0\0\0\x01\0\0", 8);
	put(&g, ip6.b, ip6.n);
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_LINUX_SLL2, &g, NULL));
	CHECK_UDP6();

	g.n = 10;
	CU_ASSERT_FALSE(decode(RTCLAB_LINK_LINUX_SLL2, &g, NULL));
	HAS_PROBLEM(2, "SLL2) header truncated");
}

static void test_raw(void)
{
	struct frame ip = udp4_frame(), ip6 = udp6_frame();
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_RAW, &ip, NULL));
	CHECK_UDP4();
	CU_ASSERT_EQUAL(P.ethertype, 0x0800);
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_RAW, &ip6, NULL));
	CHECK_UDP6();
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_IPV4, &ip, NULL));
	CHECK_UDP4();
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_IPV6, &ip6, NULL));
	CHECK_UDP6();
	/* the wrong version for the link type */
	CU_ASSERT_FALSE(decode(RTCLAB_LINK_IPV6, &ip, NULL));
	HAS_PROBLEM(0, "IP version is not 6");
	CU_ASSERT_FALSE(decode(RTCLAB_LINK_IPV4, &ip6, NULL));
	HAS_PROBLEM(0, "IP version is not 4");
	ip.b[0] = 0x55;
	CU_ASSERT_FALSE(decode(RTCLAB_LINK_RAW, &ip, NULL));
	HAS_PROBLEM(0, "neither 4 nor 6");
	struct frame empty = {.n = 0};
	CU_ASSERT_FALSE(decode(RTCLAB_LINK_RAW, &empty, NULL));
	HAS_PROBLEM(0, "empty frame");
}

/* BSD loopback: host-order family (either byte order), AF_INET6 as 24, 28 or 30; LOOP in network order. */
static void test_loopback(void)
{
	struct frame ip = udp4_frame(), ip6 = udp6_frame();
	static const uint32_t v6_families[] = {24, 28, 30};
	for (int little = 0; little <= 1; little++) {
		struct frame f = {.n = 0};
		put(&f, little ? "\x02\0\0\0" : "\0\0\0\x02", 4);
		put(&f, ip.b, ip.n);
		CU_ASSERT_TRUE(decode(RTCLAB_LINK_NULL, &f, NULL));
		CHECK_UDP4();
		for (size_t i = 0; i < 3; i++) {
			struct frame g = {.n = 0};
			uint8_t fam = (uint8_t)v6_families[i];
			uint8_t hdr[4] = {0, 0, 0, 0};
			hdr[little ? 0 : 3] = fam;
			put(&g, hdr, 4);
			put(&g, ip6.b, ip6.n);
			CU_ASSERT_TRUE(decode(RTCLAB_LINK_NULL, &g, NULL));
			CHECK_UDP6();
		}
	}
	struct frame l = {.n = 0};
	put32(&l, 2);
	put(&l, ip.b, ip.n);
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_LOOP, &l, NULL));
	CHECK_UDP4();
	struct frame bad = {.n = 0};
	put32(&bad, 17);
	put(&bad, ip.b, ip.n);
	CU_ASSERT_FALSE(decode(RTCLAB_LINK_NULL, &bad, NULL));
	HAS_PROBLEM(0, "neither AF_INET nor AF_INET6");
}

static void test_linktype_names(void)
{
	CU_ASSERT_STRING_EQUAL(rtclab_linktype_name(1), "Ethernet");
	CU_ASSERT_STRING_EQUAL(rtclab_linktype_name(113), "Linux cooked (SLL)");
	CU_ASSERT_PTR_NOT_NULL(rtclab_linktype_name(0));
	CU_ASSERT_PTR_NOT_NULL(rtclab_linktype_name(101));
	CU_ASSERT_PTR_NOT_NULL(rtclab_linktype_name(108));
	CU_ASSERT_PTR_NOT_NULL(rtclab_linktype_name(228));
	CU_ASSERT_PTR_NOT_NULL(rtclab_linktype_name(229));
	CU_ASSERT_PTR_NOT_NULL(rtclab_linktype_name(276));
	CU_ASSERT_PTR_NULL(rtclab_linktype_name(147));
	CU_ASSERT_PTR_NULL(rtclab_linktype_name(-1));
	struct frame ip = udp4_frame();
	CU_ASSERT_FALSE(decode((enum rtclab_linktype)147, &ip, NULL));
	HAS_PROBLEM(0, "link type not supported");
}

static void test_not_ip(void)
{
	struct frame f = {.n = 0};
	eth(&f, 0x0806);
	put(&f, "\0\x01\x08\0\x06\x04\0\x01", 8);
	CU_ASSERT_FALSE(decode(RTCLAB_LINK_ETHERNET, &f, NULL));
	CU_ASSERT_EQUAL(P.ethertype, 0x0806);
	CU_ASSERT_EQUAL(P.ip_version, 0);
	HAS_PROBLEM(12, "not an IP packet");
	struct frame g = {.n = 0};
	eth(&g, 46); /* an 802.3 length */
	CU_ASSERT_FALSE(decode(RTCLAB_LINK_ETHERNET, &g, NULL));
	HAS_PROBLEM(12, "802.3 length");
	g.n = 10;
	CU_ASSERT_FALSE(decode(RTCLAB_LINK_ETHERNET, &g, NULL));
	HAS_PROBLEM(0, "Ethernet header truncated");
}

/* --- IPv4, IPv6 ------------------------------------------------------------------------------ */

static void test_ipv4_options_and_padding(void)
{
	struct frame f = {.n = 0}, t = udp_part();
	eth(&f, 0x0800);
	ipv4(&f, 17, &t, 1, 0, 8); /* 8 bytes of options: IHL 7 */
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_ETHERNET, &f, NULL));
	CHECK_UDP4();

	/* a short datagram in a frame padded to 60 bytes: the padding is not payload */
	struct frame g = {.n = 0}, s = {.n = 0};
	udp(&s, 5000, 3478, "hi", 2);
	eth(&g, 0x0800);
	ipv4(&g, 17, &s, 1, 0, 0);
	while (g.n < 60)
		put8(&g, 0);
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_ETHERNET, &g, NULL));
	CU_ASSERT_TRUE(payload_is(P.payload, "hi", 2));
	CU_ASSERT_EQUAL(P.n_problems, 0);
}

static void test_ipv6_extension_headers(void)
{
	struct frame t = udp_part(), x = {.n = 0}, f = {.n = 0};
	/* hop-by-hop (8 bytes), routing (24 bytes), destination options (8), atomic fragment, AH (16) */
	put8(&x, 43), put8(&x, 0), put(&x, "\x01\x04\0\0\0\0", 6);
	put8(&x, 60), put8(&x, 2), put16(&x, 0), put32(&x, 0), put(&x, SRC6, 16);
	put8(&x, 44), put8(&x, 0), put(&x, "\x01\x04\0\0\0\0", 6);
	put8(&x, 51), put8(&x, 0), put16(&x, 0), put32(&x, 0x1234);
	put8(&x, 17), put8(&x, 2), put16(&x, 0), put32(&x, 0x100), put32(&x, 1), put32(&x, 0);
	put(&x, t.b, t.n);
	ipv6(&f, 0, &x);
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_RAW, &f, NULL));
	CHECK_UDP6();
	CU_ASSERT_EQUAL(P.ip_proto, 17);

	/* ESP: nothing to open */
	struct frame e = {.n = 0}, esp = {.n = 0};
	put32(&esp, 0x100), put32(&esp, 1), put(&esp, "ciphertext", 10);
	ipv6(&e, 50, &esp);
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_RAW, &e, NULL));
	CU_ASSERT_EQUAL(P.ip_proto, 50);
	CU_ASSERT_EQUAL(P.l4, RTCLAB_L4_NONE);
	CU_ASSERT_EQUAL(P.payload.len, 18);
	CU_ASSERT_EQUAL(P.n_problems, 0);

	/* no next header */
	struct frame n = {.n = 0}, none = {.n = 0};
	ipv6(&n, 59, &none);
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_RAW, &n, NULL));
	CU_ASSERT_EQUAL(P.ip_proto, 59);
	CU_ASSERT_EQUAL(P.n_problems, 0);

	/* a real fragment (offset 8): reported, not reassembled */
	struct frame g = {.n = 0}, fr = {.n = 0};
	put8(&fr, 17), put8(&fr, 0), put16(&fr, 8), put32(&fr, 99), put(&fr, "12345678", 8);
	ipv6(&g, 44, &fr);
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_RAW, &g, NULL));
	CU_ASSERT_TRUE(P.fragment);
	CU_ASSERT_EQUAL(P.l4, RTCLAB_L4_NONE);
	HAS_PROBLEM(40, "IPv6 fragment");

	/* a destination options header longer than the payload */
	struct frame h = {.n = 0}, bad = {.n = 0};
	put8(&bad, 17), put8(&bad, 5), put(&bad, "\x01\x04\0\0\0\0", 6);
	ipv6(&h, 60, &bad);
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_RAW, &h, NULL));
	CU_ASSERT_EQUAL(P.l4, RTCLAB_L4_NONE);
	HAS_PROBLEM(42, "extension header runs past");
}

static void test_tcp(void)
{
	struct frame t = {.n = 0}, f = {.n = 0};
	put16(&t, 443), put16(&t, 51000), put32(&t, 1000), put32(&t, 2000);
	put16(&t, 0x8000 | RTCLAB_TCP_PSH | RTCLAB_TCP_ACK); /* data offset 8: 12 bytes of options */
	put16(&t, 65535), put16(&t, 0), put16(&t, 0);
	put(&t, "\x02\x04\x05\xb4\x01\x01\x08\x0a\0\0\0\0", 12);
	put(&t, "GET / HTTP/1.1\r\n", 16);
	eth(&f, 0x0800);
	ipv4(&f, 6, &t, 7, 0x4000 /* DF */, 0);
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_ETHERNET, &f, NULL));
	CU_ASSERT_EQUAL(P.l4, RTCLAB_L4_TCP);
	CU_ASSERT_EQUAL(P.src.port, 443);
	CU_ASSERT_EQUAL(P.dst.port, 51000);
	CU_ASSERT_EQUAL(P.seq, 1000);
	CU_ASSERT_EQUAL(P.ack, 2000);
	CU_ASSERT_EQUAL(P.tcp_flags, RTCLAB_TCP_PSH | RTCLAB_TCP_ACK);
	CU_ASSERT_TRUE(payload_is(P.payload, "GET / HTTP/1.1\r\n", 16));
	CU_ASSERT_EQUAL(P.n_problems, 0);
	CU_ASSERT_FALSE(P.fragment);

	/* data offset 4 (below the minimum): at frame offset 14 + 20 + 12 */
	f.b[14 + 20 + 12] = 0x40;
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_ETHERNET, &f, NULL));
	HAS_PROBLEM(46, "data offset is below 5");
	/* data offset 15: options past the end */
	struct frame g = {.n = 0}, s = {.n = 0};
	put16(&s, 1), put16(&s, 2), put32(&s, 0), put32(&s, 0), put16(&s, 0xF000 | RTCLAB_TCP_SYN), put16(&s, 0),
		put32(&s, 0), put32(&s, 0);
	ipv4(&g, 6, &s, 1, 0, 0);
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_RAW, &g, NULL));
	CU_ASSERT_EQUAL(P.tcp_flags, RTCLAB_TCP_SYN);
	HAS_PROBLEM(40, "TCP options run past");
}

/* --- ICMP errors ------------------------------------------------------------------------------ */

/* An ICMP(v6) error: type, code, 4-byte word, then the quoted bytes. */
static struct frame icmp_msg(unsigned type, unsigned code, uint32_t word, const struct frame *quote, size_t qlen)
{
	struct frame m = {.n = 0};
	put8(&m, type), put8(&m, code), put16(&m, 0), put32(&m, word);
	put(&m, quote->b, qlen);
	return m;
}

static void check_quote4(const char *file, unsigned line, size_t payload_len)
{
	const struct rtclab_icmp *ic = &P.icmp;
	unit_check_at(ic->has_quoted && ic->quoted_l4 == RTCLAB_L4_UDP, file, line, "quoted %d l4 %d", ic->has_quoted,
		 (int)ic->quoted_l4);
	unit_check_at(ic->quoted_src.family == RTCLAB_FAMILY_IPV4 && memcmp(ic->quoted_src.ip, SRC4, 4) == 0 &&
			 memcmp(ic->quoted_dst.ip, DST4, 4) == 0 && ic->quoted_src.port == 5000 &&
			 ic->quoted_dst.port == 3478,
		 file, line, "quoted endpoints wrong");
	unit_check_at(payload_is(ic->quoted_payload, STUN_LIKE, payload_len), file, line, "quoted payload %zu, want %zu",
		 ic->quoted_payload.len, payload_len);
}

static void test_icmp_port_unreachable(void)
{
	struct frame quote = udp4_frame(), f = {.n = 0};
	struct frame m = icmp_msg(3, 3, 0, &quote, quote.n);
	eth(&f, 0x0800);
	ipv4(&f, 1, &m, 9, 0, 0);
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_ETHERNET, &f, NULL));
	CU_ASSERT_EQUAL(P.l4, RTCLAB_L4_ICMP);
	CU_ASSERT_EQUAL(P.icmp.type, 3);
	CU_ASSERT_EQUAL(P.icmp.code, 3);
	CU_ASSERT_TRUE(P.icmp.is_error);
	CU_ASSERT_EQUAL(P.payload.len, quote.n);
	check_quote4(__FILE__, __LINE__, sizeof STUN_LIKE - 1);
	CU_ASSERT_EQUAL(P.n_problems, 0);

	/* RFC 792: only the IP header and 8 bytes are required; the payload is then empty */
	struct frame g = {.n = 0}, m2 = icmp_msg(3, 3, 0, &quote, 28);
	ipv4(&g, 1, &m2, 9, 0, 0);
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_RAW, &g, NULL));
	check_quote4(__FILE__, __LINE__, 0);
	CU_ASSERT_EQUAL(P.n_problems, 0);

	/* only 12 bytes quoted: less than an IPv4 header */
	struct frame h = {.n = 0}, m3 = icmp_msg(3, 1, 0, &quote, 12);
	ipv4(&h, 1, &m3, 9, 0, 0);
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_RAW, &h, NULL));
	CU_ASSERT_FALSE(P.icmp.has_quoted);
	HAS_PROBLEM(28, "less than a whole IPv4 header");
}

static void test_icmp_frag_needed_and_time_exceeded(void)
{
	struct frame quote = udp4_frame(), f = {.n = 0};
	struct frame m = icmp_msg(3, 4, 1400, &quote, 40); /* RFC 1191: next-hop MTU in the low 16 bits */
	ipv4(&f, 1, &m, 9, 0, 0);
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_RAW, &f, NULL));
	CU_ASSERT_EQUAL(P.icmp.mtu, 1400);
	CU_ASSERT_TRUE(P.icmp.is_error);
	check_quote4(__FILE__, __LINE__, 12);

	struct frame g = {.n = 0}, m2 = icmp_msg(11, 0, 0, &quote, quote.n);
	ipv4(&g, 1, &m2, 9, 0, 0);
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_RAW, &g, NULL));
	CU_ASSERT_TRUE(P.icmp.is_error);
	CU_ASSERT_EQUAL(P.icmp.mtu, 0);
	check_quote4(__FILE__, __LINE__, sizeof STUN_LIKE - 1);

	/* an echo request is not an error and quotes nothing */
	struct frame h = {.n = 0}, m3 = icmp_msg(8, 0, 0x00010001, &quote, 4);
	ipv4(&h, 1, &m3, 9, 0, 0);
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_RAW, &h, NULL));
	CU_ASSERT_FALSE(P.icmp.is_error);
	CU_ASSERT_FALSE(P.icmp.has_quoted);
	CU_ASSERT_EQUAL(P.payload.len, 4);
}

static void test_icmpv6_errors(void)
{
	struct frame quote = udp6_frame(), f = {.n = 0};
	struct frame m = icmp_msg(2, 0, 1280, &quote, quote.n); /* packet too big */
	ipv6(&f, 58, &m);
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_RAW, &f, NULL));
	CU_ASSERT_EQUAL(P.l4, RTCLAB_L4_ICMP);
	CU_ASSERT_TRUE(P.icmp.is_error);
	CU_ASSERT_EQUAL(P.icmp.mtu, 1280);
	CU_ASSERT_TRUE(P.icmp.has_quoted);
	CU_ASSERT_EQUAL(P.icmp.quoted_l4, RTCLAB_L4_UDP);
	CU_ASSERT_EQUAL(P.icmp.quoted_src.family, RTCLAB_FAMILY_IPV6);
	CU_ASSERT_EQUAL(memcmp(P.icmp.quoted_dst.ip, DST6, 16), 0);
	CU_ASSERT_EQUAL(P.icmp.quoted_dst.port, 3478);
	CU_ASSERT_TRUE(payload_is(P.icmp.quoted_payload, STUN_LIKE, sizeof STUN_LIKE - 1));

	/* destination unreachable, port unreachable (code 4), quote cut after 10 payload bytes */
	struct frame g = {.n = 0}, m2 = icmp_msg(1, 4, 0, &quote, 40 + 8 + 10);
	ipv6(&g, 58, &m2);
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_RAW, &g, NULL));
	CU_ASSERT_EQUAL(P.icmp.type, 1);
	CU_ASSERT_EQUAL(P.icmp.code, 4);
	CU_ASSERT_EQUAL(P.icmp.quoted_src.port, 5000);
	CU_ASSERT_TRUE(payload_is(P.icmp.quoted_payload, STUN_LIKE, 10));
	CU_ASSERT_EQUAL(P.n_problems, 0);

	/* echo request (128): not an error */
	struct frame h = {.n = 0}, m3 = icmp_msg(128, 0, 0, &quote, 0);
	ipv6(&h, 58, &m3);
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_RAW, &h, NULL));
	CU_ASSERT_FALSE(P.icmp.is_error);
	CU_ASSERT_FALSE(P.icmp.has_quoted);
}

/* --- fragments --------------------------------------------------------------------------------- */

/* The UDP datagram of udp_part() cut in fragments: bytes [from, to) of the IP payload. */
static struct frame fragment(const struct frame *whole, unsigned id, size_t from, size_t to, bool more)
{
	struct frame t = {.n = 0}, f = {.n = 0};
	put(&t, whole->b + from, to - from);
	ipv4(&f, 17, &t, id, (unsigned)(from / 8) | (more ? 0x2000u : 0u), 0);
	return f;
}

static void feed(struct rtclab_defrag *d, const struct frame *f, uint64_t frame, int64_t ts)
{
	P.frame = frame;
	P.ts_ns = ts;
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_RAW, f, d));
}

static void test_fragments_in_and_out_of_order(void)
{
	struct frame t = udp_part(); /* 8 + 21 bytes: fragments of 8, 16 and 5 */
	struct rtclab_defrag *d = rtclab_defrag_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	struct frame a = fragment(&t, 5, 0, 8, true), b = fragment(&t, 5, 8, 24, true), c = fragment(&t, 5, 24, t.n, false);

	feed(d, &a, 1, 0);
	CU_ASSERT_TRUE(P.fragment);
	CU_ASSERT_EQUAL(P.l4, RTCLAB_L4_NONE);
	feed(d, &b, 2, 0);
	CU_ASSERT_TRUE(P.fragment);
	feed(d, &c, 3, 0);
	CU_ASSERT_FALSE(P.fragment);
	CU_ASSERT_TRUE(P.reassembled);
	CHECK_UDP4();

	/* reversed, with the same id again (a new datagram) */
	feed(d, &c, 4, 0);
	feed(d, &b, 5, 0);
	CU_ASSERT_FALSE(P.reassembled);
	feed(d, &a, 6, 0);
	CU_ASSERT_TRUE(P.reassembled);
	CHECK_UDP4();

	/* without a defrag state a fragment is only reported */
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_RAW, &a, NULL));
	CU_ASSERT_TRUE(P.fragment);
	CU_ASSERT_EQUAL(P.payload.len, 8);

	struct rtclab_defrag_report rep;
	CU_ASSERT_FALSE(rtclab_defrag_next_report(d, &rep));
	rtclab_defrag_free(d);
}

static void test_fragments_overlapping(void)
{
	struct frame t = udp_part();
	struct rtclab_defrag *d = rtclab_defrag_new();
	struct frame a = fragment(&t, 6, 0, 16, true), c = fragment(&t, 6, 16, t.n, false);
	struct frame b = fragment(&t, 6, 8, 24, true); /* overlaps both, same bytes */
	feed(d, &a, 1, 0);
	feed(d, &b, 2, 0);
	CU_ASSERT_TRUE(P.fragment);
	HAS_PROBLEM(20, "overlaps data already received: the first copy is kept");
	feed(d, &c, 3, 0); /* overlaps b too, and completes the datagram */
	CU_ASSERT_TRUE(P.reassembled);
	CU_ASSERT_TRUE(payload_is(P.payload, STUN_LIKE, sizeof STUN_LIKE - 1));
	CU_ASSERT_EQUAL(P.src.port, 5000);
	HAS_PROBLEM(20, "overlaps data already received");
	rtclab_defrag_free(d);

	/* an overlap with different bytes: the first copy wins, and that is said */
	d = rtclab_defrag_new();
	struct frame bad = fragment(&t, 7, 8, 16, true);
	bad.b[20] ^= 0xFF; /* first byte of the payload: 'b' of the STUN-like text */
	feed(d, &bad, 1, 0);
	struct frame a7 = fragment(&t, 7, 0, 16, true), c7 = fragment(&t, 7, 16, t.n, false);
	feed(d, &a7, 2, 0);
	HAS_PROBLEM(20, "with different bytes");
	feed(d, &c7, 3, 0);
	CU_ASSERT_TRUE(P.reassembled);
	CU_ASSERT_EQUAL(P.payload.len, sizeof STUN_LIKE - 1);
	CU_ASSERT_EQUAL(P.payload.ptr[0], (uint8_t)(STUN_LIKE[0] ^ 0xFF)); /* the first copy */
	rtclab_defrag_free(d);
}

static void test_fragments_never_complete(void)
{
	struct frame t = udp_part();
	struct rtclab_defrag *d = rtclab_defrag_new();
	struct frame a = fragment(&t, 8, 0, 8, true), c = fragment(&t, 8, 24, t.n, false);
	feed(d, &a, 10, 1000);
	feed(d, &c, 11, 2000);
	struct rtclab_defrag_report rep;
	CU_ASSERT_FALSE(rtclab_defrag_next_report(d, &rep));
	rtclab_defrag_flush(d);
	CU_ASSERT_TRUE_FATAL(rtclab_defrag_next_report(d, &rep));
	CU_ASSERT_EQUAL(rep.reason, RTCLAB_DEFRAG_END);
	CU_ASSERT_EQUAL(rep.first_frame, 10);
	CU_ASSERT_EQUAL(rep.last_frame, 11);
	CU_ASSERT_EQUAL(rep.first_ts_ns, 1000);
	CU_ASSERT_EQUAL(rep.id, 8);
	CU_ASSERT_EQUAL(rep.proto, 17);
	CU_ASSERT_EQUAL(rep.n_fragments, 2);
	CU_ASSERT_EQUAL(rep.bytes_have, 8 + (t.n - 24));
	CU_ASSERT_EQUAL(rep.bytes_total, t.n);
	CU_ASSERT_EQUAL(memcmp(rep.src.ip, SRC4, 4), 0);
	CU_ASSERT_STRING_EQUAL(rtclab_defrag_reason_text(rep.reason), "still incomplete at the end of the capture");
	CU_ASSERT_FALSE(rtclab_defrag_next_report(d, &rep));
	rtclab_defrag_free(d);
}

static void test_fragments_evicted(void)
{
	struct frame t = udp_part();
	struct rtclab_defrag *d = rtclab_defrag_new();
	struct rtclab_defrag_report rep;
	/* timeout: a fragment of another datagram 31 s later */
	struct frame a = fragment(&t, 1, 0, 8, true), z = fragment(&t, 2, 0, 8, true);
	feed(d, &a, 1, 0);
	feed(d, &z, 2, RTCLAB_DEFRAG_TIMEOUT_NS + 1000000000);
	CU_ASSERT_TRUE_FATAL(rtclab_defrag_next_report(d, &rep));
	CU_ASSERT_EQUAL(rep.reason, RTCLAB_DEFRAG_TIMEOUT);
	CU_ASSERT_EQUAL(rep.first_frame, 1);
	CU_ASSERT_EQUAL(rep.bytes_total, 0); /* the last fragment never came */
	rtclab_defrag_flush(d);
	while (rtclab_defrag_next_report(d, &rep))
		;
	/* all slots busy: the oldest makes room */
	for (unsigned i = 0; i <= RTCLAB_DEFRAG_MAX_DATAGRAMS; i++) {
		struct frame f = fragment(&t, 100 + i, 0, 8, true);
		feed(d, &f, 100 + i, 0);
	}
	/* then the 64 still in progress are flushed: the queue of reports is bounded, the rest counted */
	rtclab_defrag_flush(d);
	CU_ASSERT_TRUE_FATAL(rtclab_defrag_next_report(d, &rep));
	CU_ASSERT_EQUAL(rep.reason, RTCLAB_DEFRAG_NO_SLOT);
	CU_ASSERT_EQUAL(rep.first_frame, 100);
	CU_ASSERT_EQUAL(rep.id, 100);
	unsigned n = 1;
	while (rtclab_defrag_next_report(d, &rep)) {
		CU_ASSERT_EQUAL(rep.reason, RTCLAB_DEFRAG_END);
		n++;
	}
	CU_ASSERT_EQUAL(n, RTCLAB_DEFRAG_MAX_REPORTS);
	CU_ASSERT_EQUAL(rtclab_defrag_reports_dropped(d), 1);
	rtclab_defrag_free(d);
}

static void test_fragments_invalid(void)
{
	struct frame t = udp_part();
	struct rtclab_defrag *d = rtclab_defrag_new();
	struct rtclab_defrag_report rep;
	/* two different ends */
	struct frame c = fragment(&t, 3, 24, t.n, false), e = fragment(&t, 3, 16, 24, false);
	feed(d, &c, 1, 0);
	feed(d, &e, 2, 0);
	HAS_PROBLEM(6, "end the same datagram at different places");
	CU_ASSERT_TRUE_FATAL(rtclab_defrag_next_report(d, &rep));
	CU_ASSERT_EQUAL(rep.reason, RTCLAB_DEFRAG_INVALID);
	/* over 65535 bytes (the ping of death) */
	struct frame big = {.n = 0}, data = {.n = 0};
	put(&data, "0123456789abcdef0123456789abcdef", 32);
	ipv4(&big, 17, &data, 4, 8190, 0);
	feed(d, &big, 3, 0);
	HAS_PROBLEM(6, "over 65535 bytes");
	/* a fragment with more to follow whose length is not a multiple of 8 */
	struct frame odd = fragment(&t, 9, 0, 5, true);
	feed(d, &odd, 4, 0);
	HAS_PROBLEM(2, "multiple of 8");
	rtclab_defrag_free(d);
}

/* --- snaplen and malformed ---------------------------------------------------------------------- */

static void test_snaplen_cut(void)
{
	struct frame f = {.n = 0}, ip = udp4_frame();
	eth(&f, 0x0800);
	put(&f, ip.b, ip.n);
	uint32_t wire = (uint32_t)f.n;
	/* the UDP payload is cut after 4 bytes */
	CU_ASSERT_TRUE(rtclab_packet_decode(&P, RTCLAB_LINK_ETHERNET, f.b, 14 + 28 + 4, wire, NULL));
	CU_ASSERT_EQUAL(P.l4, RTCLAB_L4_UDP);
	CU_ASSERT_EQUAL(P.dst.port, 3478);
	CU_ASSERT_TRUE(payload_is(P.payload, STUN_LIKE, 4));
	CU_ASSERT_EQUAL(P.n_problems, 1);
	HAS_PROBLEM(46, "cut by the snaplen");
	/* cut inside the IPv4 header: only the snaplen problem, no IP */
	CU_ASSERT_FALSE(rtclab_packet_decode(&P, RTCLAB_LINK_ETHERNET, f.b, 30, wire, NULL));
	CU_ASSERT_EQUAL(P.n_problems, 1);
	HAS_PROBLEM(30, "cut by the snaplen");
	/* cut inside the UDP header */
	CU_ASSERT_TRUE(rtclab_packet_decode(&P, RTCLAB_LINK_ETHERNET, f.b, 14 + 20 + 6, wire, NULL));
	CU_ASSERT_EQUAL(P.ip_version, 4);
	CU_ASSERT_EQUAL(P.l4, RTCLAB_L4_NONE);
	CU_ASSERT_EQUAL(P.n_problems, 1);
	/* a cut fragment is not reassembled */
	struct frame t = udp_part(), a = fragment(&t, 5, 0, 16, true);
	struct rtclab_defrag *d = rtclab_defrag_new();
	CU_ASSERT_TRUE(rtclab_packet_decode(&P, RTCLAB_LINK_RAW, a.b, a.n - 2, (uint32_t)a.n, d));
	CU_ASSERT_TRUE(P.fragment);
	HAS_PROBLEM(6, "fragment cut by the snaplen");
	rtclab_defrag_free(d);
	/* caplen above the wire length */
	CU_ASSERT_TRUE(rtclab_packet_decode(&P, RTCLAB_LINK_RAW, ip.b, ip.n, (uint32_t)ip.n - 1, NULL));
	HAS_PROBLEM((uint32_t)ip.n - 1, "larger than the length on the wire");
}

static void test_malformed(void)
{
	struct frame ip = udp4_frame(), f;
	/* IHL 4 */
	f = ip;
	f.b[0] = 0x44;
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_RAW, &f, NULL));
	HAS_PROBLEM(0, "header length is below 20");
	/* IHL 15: options past the end of a short frame */
	f = ip;
	f.b[0] = 0x4F;
	f.n = 40;
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_RAW, &f, NULL));
	HAS_PROBLEM(20, "options run past");
	/* total length past the end */
	f = ip;
	set16(&f, 2, (unsigned)f.n + 10);
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_RAW, &f, NULL));
	HAS_PROBLEM(2, "total length runs past");
	CU_ASSERT_EQUAL(P.l4, RTCLAB_L4_UDP);
	/* total length shorter than the header */
	f = ip;
	set16(&f, 2, 12);
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_RAW, &f, NULL));
	HAS_PROBLEM(2, "shorter than its header");
	/* reserved flag */
	f = ip;
	f.b[6] = 0x80;
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_RAW, &f, NULL));
	HAS_PROBLEM(6, "reserved flag");
	/* UDP length 4, longer than the datagram, shorter than it */
	f = ip;
	set16(&f, 24, 4);
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_RAW, &f, NULL));
	HAS_PROBLEM(24, "below the 8-byte header");
	f = ip;
	set16(&f, 24, 200);
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_RAW, &f, NULL));
	HAS_PROBLEM(24, "runs past the end of the IP payload");
	CU_ASSERT_TRUE(payload_is(P.payload, STUN_LIKE, sizeof STUN_LIKE - 1));
	f = ip;
	set16(&f, 24, 10);
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_RAW, &f, NULL));
	HAS_PROBLEM(24, "shorter than the IP payload");
	CU_ASSERT_EQUAL(P.payload.len, 2);
	/* the frame ends inside the IPv4 header, and inside the UDP header (not snaplen: the frame says so) */
	f = ip;
	f.n = 15;
	CU_ASSERT_FALSE(decode(RTCLAB_LINK_RAW, &f, NULL));
	HAS_PROBLEM(12, "IPv4 header truncated");
	f = ip;
	set16(&f, 2, 24);
	f.n = 24;
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_RAW, &f, NULL));
	HAS_PROBLEM(24, "UDP header truncated"); /* where the failed read started */
	/* IPv6 payload length past the end */
	struct frame g = udp6_frame();
	set16(&g, 4, 500);
	CU_ASSERT_TRUE(decode(RTCLAB_LINK_RAW, &g, NULL));
	HAS_PROBLEM(4, "payload length runs past");
	/* more problems than fit: counted */
	f = ip;
	f.b[6] = 0x80;
	set16(&f, 2, (unsigned)f.n + 10);
	set16(&f, 24, 10);
	CU_ASSERT_TRUE(rtclab_packet_decode(&P, RTCLAB_LINK_RAW, f.b, f.n, (uint32_t)f.n - 1, NULL));
	CU_ASSERT_EQUAL(P.n_problems, 4);
	CU_ASSERT_TRUE(P.n_problems_total >= 4);
}

RTCLAB_SUITE(packet)
{
	static const struct unit_test tests[] = {
		{"Ethernet", test_ethernet},
		{"802.1Q and 802.1ad tags", test_vlan},
		{"Linux cooked SLL and SLL2", test_sll},
		{"raw IP (101, 228, 229)", test_raw},
		{"BSD loopback NULL and LOOP", test_loopback},
		{"link type names", test_linktype_names},
		{"not IP", test_not_ip},
		{"IPv4 options, Ethernet padding", test_ipv4_options_and_padding},
		{"IPv6 extension headers", test_ipv6_extension_headers},
		{"TCP", test_tcp},
		{"ICMP port unreachable quoting UDP", test_icmp_port_unreachable},
		{"ICMP fragmentation needed, time exceeded", test_icmp_frag_needed_and_time_exceeded},
		{"ICMPv6 errors", test_icmpv6_errors},
		{"fragments in and out of order", test_fragments_in_and_out_of_order},
		{"fragments overlapping", test_fragments_overlapping},
		{"fragments never completing", test_fragments_never_complete},
		{"fragments evicted", test_fragments_evicted},
		{"fragments invalid", test_fragments_invalid},
		{"snaplen-cut frames", test_snaplen_cut},
		{"malformed frames", test_malformed},
		{NULL, NULL},
	};
	unit_add_suite("packet", tests);
}
