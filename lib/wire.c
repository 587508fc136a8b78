/* Frames for the simulated wires: Ethernet II, IPv4 or IPv6, UDP and TCP
 * with real checksums (see wire.h). */
#include <stdlib.h>
#include <string.h>

#include "rtclab/wire.h"

#define IPV4_HEADER 20
#define IPV6_HEADER 40
#define UDP_HEADER 8
#define TCP_HEADER 20
#define TCP_MSS_OPTION 4
#define TCP_WINDOW 65535
/* The receiver acknowledges once this much is outstanding (half the
 * window), so a long one-way stream never fills the window it advertises. */
#define TCP_ACK_EVERY 32768u
#define TTL 64
#define PROTO_TCP 6
#define PROTO_UDP 17
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86DD

/* One TCP connection as this wire sees it.  side 0 is the client. */
struct conn {
	struct rtclab_addr end[2];
	uint32_t next_seq[2]; /* the sequence number each side sends next */
	uint32_t acked[2];    /* how far the peer has acknowledged each side's bytes */
};

struct rtclab_wire {
	uint16_t mtu;
	uint16_t ip_id;       /* the next IPv4 identification */
	struct rtclab_rng rng;
	struct conn *conns;   /* open connections, in the order they were opened */
	size_t n_conns, cap_conns;
	uint8_t frame[RTCLAB_WIRE_MAX_FRAME];
};

/* --- errors ------------------------------------------------------------------------------ */

static const struct {
	const char *id, *text;
} error_texts[] = {
	[RTCLAB_WIRE_OK] = {"ok", "no error"},
	[RTCLAB_WIRE_E_ADDRESS] = {"address", "the addresses are not both IPv4 or both IPv6"},
	[RTCLAB_WIRE_E_TOO_BIG] = {"too-big", "the UDP payload is larger than an IP datagram can carry"},
	[RTCLAB_WIRE_E_TRANSPORT] = {"transport", "only UDP datagrams and TCP streams can be put on a wire"},
	[RTCLAB_WIRE_E_OPEN] = {"open", "this TCP connection is already open"},
	[RTCLAB_WIRE_E_NO_CONNECTION] = {"no-connection", "no TCP connection is open between these addresses"},
	[RTCLAB_WIRE_E_TOO_MANY] = {"too-many", "too many TCP connections are open on this wire"},
	[RTCLAB_WIRE_E_NOMEM] = {"nomem", "out of memory"},
};

const char *rtclab_wire_error_id(enum rtclab_wire_error e)
{
	if ((unsigned)e >= sizeof error_texts / sizeof error_texts[0])
		return "unknown";
	return error_texts[e].id;
}

const char *rtclab_wire_error_str(enum rtclab_wire_error e)
{
	if ((unsigned)e >= sizeof error_texts / sizeof error_texts[0])
		return "unknown error";
	return error_texts[e].text;
}

/* --- life -------------------------------------------------------------------------------- */

struct rtclab_wire *rtclab_wire_new(const struct rtclab_wire_options *opts)
{
	uint16_t mtu = opts && opts->mtu ? opts->mtu : RTCLAB_WIRE_MTU;
	if (mtu < RTCLAB_WIRE_MIN_MTU)
		return NULL;
	struct rtclab_wire *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->mtu = mtu;
	if (opts && opts->rng)
		rtclab_rng_fork(opts->rng, &w->rng);
	else
		rtclab_rng_seed(&w->rng, 0);
	w->ip_id = (uint16_t)rtclab_rng_next(&w->rng);
	return w;
}

void rtclab_wire_free(struct rtclab_wire *w)
{
	if (!w)
		return;
	free(w->conns);
	free(w);
}

/* --- bytes ------------------------------------------------------------------------------- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* The Internet checksum's running sum (RFC 1071): 16-bit big-endian words,
 * an odd last byte padded with zero. */
static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t len)
{
	for (; len >= 2; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	return (uint16_t)~sum;
}

static bool is_ip(const struct rtclab_addr *a)
{
	return a->family == RTCLAB_FAMILY_IPV4 || a->family == RTCLAB_FAMILY_IPV6;
}

static bool same_family(const struct rtclab_addr *a, const struct rtclab_addr *b)
{
	return is_ip(a) && a->family == b->family;
}

static size_t ip_header_len(const struct rtclab_addr *a)
{
	return a->family == RTCLAB_FAMILY_IPV4 ? IPV4_HEADER : IPV6_HEADER;
}

static size_t ip_len(const struct rtclab_addr *a)
{
	return a->family == RTCLAB_FAMILY_IPV4 ? 4 : 16;
}

void rtclab_wire_mac(const struct rtclab_addr *ip, uint8_t mac[6])
{
	mac[0] = 0x02; /* locally administered, unicast (IEEE 802 U/L bit) */
	if (ip->family == RTCLAB_FAMILY_IPV6) {
		uint32_t h = 2166136261u; /* FNV-1a */
		for (int i = 0; i < 16; i++)
			h = (h ^ ip->ip[i]) * 16777619u;
		mac[1] = 0x06;
		put32(mac + 2, h);
		return;
	}
	mac[1] = 0x00;
	memcpy(mac + 2, ip->ip, 4);
}

/* The transport checksum over the pseudo-header (RFC 768, RFC 9293 3.1,
 * RFC 8200 8.1) and the segment at seg. */
static uint16_t transport_checksum(const struct rtclab_addr *src, const struct rtclab_addr *dst, uint8_t proto,
				   const uint8_t *seg, size_t len)
{
	uint32_t sum = sum16(0, src->ip, ip_len(src));
	sum = sum16(sum, dst->ip, ip_len(dst));
	sum += proto;
	sum += (uint32_t)(len >> 16) + (uint32_t)(len & 0xFFFF);
	return fold(sum16(sum, seg, len));
}

/* --- link and network layers --------------------------------------------------------------- */

static void ethernet(uint8_t *f, const struct rtclab_addr *src, const struct rtclab_addr *dst)
{
	rtclab_wire_mac(dst, f);
	rtclab_wire_mac(src, f + 6);
	put16(f + 12, src->family == RTCLAB_FAMILY_IPV4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6);
}

/* An IPv4 header at p (RFC 791 3.1).  frag: the flags and fragment offset
 * field. */
static void ipv4_header(uint8_t *p, const struct rtclab_addr *src, const struct rtclab_addr *dst, uint8_t proto,
			size_t payload_len, uint16_t id, uint16_t frag)
{
	p[0] = 0x45;
	p[1] = 0;
	put16(p + 2, (uint16_t)(IPV4_HEADER + payload_len));
	put16(p + 4, id);
	put16(p + 6, frag);
	p[8] = TTL;
	p[9] = proto;
	put16(p + 10, 0);
	memcpy(p + 12, src->ip, 4);
	memcpy(p + 16, dst->ip, 4);
	put16(p + 10, fold(sum16(0, p, IPV4_HEADER)));
}

static void ipv6_header(uint8_t *p, const struct rtclab_addr *src, const struct rtclab_addr *dst, uint8_t proto,
			size_t payload_len)
{
	put32(p, 0x60000000u); /* version 6, traffic class 0, flow label 0 */
	put16(p + 4, (uint16_t)payload_len);
	p[6] = proto;
	p[7] = TTL;
	memcpy(p + 8, src->ip, 16);
	memcpy(p + 24, dst->ip, 16);
}

#define IPV4_DF 0x4000
#define IPV4_MF 0x2000

/* Ethernet and IP headers in front of the transport segment already at
 * w->frame + 14 + ip header; emits the frame. */
static void emit_ip(struct rtclab_wire *w, const struct rtclab_addr *src, const struct rtclab_addr *dst,
		    uint8_t proto, size_t seg_len, rtclab_wire_frame_fn fn, void *arg)
{
	uint8_t *f = w->frame;
	ethernet(f, src, dst);
	if (src->family == RTCLAB_FAMILY_IPV4)
		ipv4_header(f + RTCLAB_WIRE_ETH_HEADER, src, dst, proto, seg_len, w->ip_id++, IPV4_DF);
	else
		ipv6_header(f + RTCLAB_WIRE_ETH_HEADER, src, dst, proto, seg_len);
	fn(arg, f, RTCLAB_WIRE_ETH_HEADER + ip_header_len(src) + seg_len);
}

/* An IPv4 datagram too large for the MTU, as fragments (RFC 791 3.2): the
 * IP payload, already at w->frame + 34, is cut into pieces of a multiple of
 * 8 bytes.  Fragment i's headers are written just in front of its piece,
 * over the end of piece i - 1, which has already been emitted: nothing is
 * copied. */
static void emit_ipv4_fragments(struct rtclab_wire *w, const struct rtclab_addr *src, const struct rtclab_addr *dst,
				uint8_t proto, size_t payload_len, rtclab_wire_frame_fn fn, void *arg)
{
	size_t piece = (size_t)(w->mtu - IPV4_HEADER) & ~(size_t)7;
	uint16_t id = w->ip_id++;
	for (size_t off = 0; off < payload_len; off += piece) {
		size_t len = payload_len - off < piece ? payload_len - off : piece;
		bool last = off + len == payload_len;
		uint8_t *f = w->frame + off; /* = the piece minus the two headers */
		ethernet(f, src, dst);
		ipv4_header(f + RTCLAB_WIRE_ETH_HEADER, src, dst, proto, len, id,
			    (uint16_t)(off / 8) | (last ? 0 : IPV4_MF));
		fn(arg, f, RTCLAB_WIRE_ETH_HEADER + IPV4_HEADER + len);
	}
}

/* --- UDP --------------------------------------------------------------------------------- */

enum rtclab_wire_error rtclab_wire_udp(struct rtclab_wire *w, const struct rtclab_addr *src,
				       const struct rtclab_addr *dst, const void *payload, size_t len,
				       rtclab_wire_frame_fn fn, void *arg)
{
	if (!same_family(src, dst))
		return RTCLAB_WIRE_E_ADDRESS;
	size_t ip_max = src->family == RTCLAB_FAMILY_IPV4 ? 65535 - IPV4_HEADER : 65535;
	if (len > ip_max - UDP_HEADER)
		return RTCLAB_WIRE_E_TOO_BIG;
	uint8_t *u = w->frame + RTCLAB_WIRE_ETH_HEADER + ip_header_len(src);
	size_t seg_len = UDP_HEADER + len;
	put16(u, src->port);
	put16(u + 2, dst->port);
	put16(u + 4, (uint16_t)seg_len);
	put16(u + 6, 0);
	if (len)
		memcpy(u + UDP_HEADER, payload, len);
	uint16_t sum = transport_checksum(src, dst, PROTO_UDP, u, seg_len);
	put16(u + 6, sum ? sum : 0xFFFF); /* 0 means "no checksum" (RFC 768) */
	if (src->family == RTCLAB_FAMILY_IPV4 && IPV4_HEADER + seg_len > w->mtu) {
		emit_ipv4_fragments(w, src, dst, PROTO_UDP, seg_len, fn, arg);
		return RTCLAB_WIRE_OK;
	}
	emit_ip(w, src, dst, PROTO_UDP, seg_len, fn, arg);
	return RTCLAB_WIRE_OK;
}

/* --- TCP --------------------------------------------------------------------------------- */

/* The connection between a and b (either direction) and which side a is. */
static struct conn *find_conn(struct rtclab_wire *w, const struct rtclab_addr *a, const struct rtclab_addr *b,
			      int *side)
{
	for (size_t i = 0; i < w->n_conns; i++) {
		struct conn *c = &w->conns[i];
		for (int s = 0; s < 2; s++)
			if (rtclab_addr_equal(&c->end[s], a) && rtclab_addr_equal(&c->end[!s], b)) {
				*side = s;
				return c;
			}
	}
	return NULL;
}

static void forget_conn(struct rtclab_wire *w, struct conn *c)
{
	size_t i = (size_t)(c - w->conns);
	memmove(c, c + 1, (w->n_conns - i - 1) * sizeof *c); /* keep the opening order */
	w->n_conns--;
}

static uint16_t mss(const struct rtclab_wire *w, const struct rtclab_addr *a)
{
	return (uint16_t)(w->mtu - ip_header_len(a) - TCP_HEADER);
}

/* One segment from side s of c.  A SYN carries the MSS option (RFC 9293
 * 3.7.1); every segment but the first SYN acknowledges the peer's bytes. */
static void segment(struct rtclab_wire *w, struct conn *c, int s, uint8_t flags, const uint8_t *data, size_t len,
		    rtclab_wire_frame_fn fn, void *arg)
{
	const struct rtclab_addr *src = &c->end[s], *dst = &c->end[!s];
	size_t hlen = TCP_HEADER + ((flags & RTCLAB_TCP_SYN) ? TCP_MSS_OPTION : 0);
	uint8_t *t = w->frame + RTCLAB_WIRE_ETH_HEADER + ip_header_len(src);
	put16(t, src->port);
	put16(t + 2, dst->port);
	put32(t + 4, c->next_seq[s]);
	put32(t + 8, (flags & RTCLAB_TCP_ACK) ? c->next_seq[!s] : 0);
	t[12] = (uint8_t)((hlen / 4) << 4);
	t[13] = flags;
	put16(t + 14, TCP_WINDOW);
	put16(t + 16, 0);
	put16(t + 18, 0);
	if (hlen > TCP_HEADER) {
		t[20] = 2; /* MSS */
		t[21] = 4;
		put16(t + 22, mss(w, src));
	}
	if (len)
		memcpy(t + hlen, data, len);
	put16(t + 16, transport_checksum(src, dst, PROTO_TCP, t, hlen + len));
	if (flags & RTCLAB_TCP_ACK)
		c->acked[!s] = c->next_seq[!s];
	c->next_seq[s] += (uint32_t)len + ((flags & (RTCLAB_TCP_SYN | RTCLAB_TCP_FIN)) ? 1u : 0u);
	emit_ip(w, src, dst, PROTO_TCP, hlen + len, fn, arg);
}

static enum rtclab_wire_error new_conn(struct rtclab_wire *w, const struct rtclab_addr *client,
				       const struct rtclab_addr *server, struct conn **out)
{
	if (w->n_conns == RTCLAB_WIRE_MAX_CONNECTIONS)
		return RTCLAB_WIRE_E_TOO_MANY;
	if (w->n_conns == w->cap_conns) {
		size_t cap = w->cap_conns ? w->cap_conns * 2 : 8;
		struct conn *grown = realloc(w->conns, cap * sizeof *grown);
		if (!grown)
			return RTCLAB_WIRE_E_NOMEM;
		w->conns = grown;
		w->cap_conns = cap;
	}
	struct conn *c = &w->conns[w->n_conns++];
	memset(c, 0, sizeof *c);
	c->end[0] = *client;
	c->end[1] = *server;
	c->next_seq[0] = (uint32_t)rtclab_rng_next(&w->rng); /* ISNs (RFC 9293 3.4.1): random here */
	c->next_seq[1] = (uint32_t)rtclab_rng_next(&w->rng);
	c->acked[0] = c->next_seq[0];
	c->acked[1] = c->next_seq[1];
	*out = c;
	return RTCLAB_WIRE_OK;
}

static void handshake(struct rtclab_wire *w, struct conn *c, rtclab_wire_frame_fn fn, void *arg)
{
	segment(w, c, 0, RTCLAB_TCP_SYN, NULL, 0, fn, arg);
	segment(w, c, 1, RTCLAB_TCP_SYN | RTCLAB_TCP_ACK, NULL, 0, fn, arg);
	segment(w, c, 0, RTCLAB_TCP_ACK, NULL, 0, fn, arg);
}

enum rtclab_wire_error rtclab_wire_tcp_open(struct rtclab_wire *w, const struct rtclab_addr *client,
					    const struct rtclab_addr *server, rtclab_wire_frame_fn fn, void *arg)
{
	if (!same_family(client, server))
		return RTCLAB_WIRE_E_ADDRESS;
	int side;
	if (find_conn(w, client, server, &side))
		return RTCLAB_WIRE_E_OPEN;
	struct conn *c;
	enum rtclab_wire_error e = new_conn(w, client, server, &c);
	if (e == RTCLAB_WIRE_OK)
		handshake(w, c, fn, arg);
	return e;
}

enum rtclab_wire_error rtclab_wire_tcp_send(struct rtclab_wire *w, const struct rtclab_addr *src,
					    const struct rtclab_addr *dst, const void *data, size_t len,
					    rtclab_wire_frame_fn fn, void *arg)
{
	if (!same_family(src, dst))
		return RTCLAB_WIRE_E_ADDRESS;
	int s = 0;
	struct conn *c = find_conn(w, src, dst, &s);
	if (!c) {
		enum rtclab_wire_error e = rtclab_wire_tcp_open(w, src, dst, fn, arg);
		if (e != RTCLAB_WIRE_OK)
			return e;
		c = find_conn(w, src, dst, &s);
	}
	const uint8_t *p = data;
	size_t max = mss(w, src);
	while (len) {
		size_t n = len < max ? len : max;
		uint8_t flags = RTCLAB_TCP_ACK | (n == len ? RTCLAB_TCP_PSH : 0);
		segment(w, c, s, flags, p, n, fn, arg);
		p += n;
		len -= n;
		if (c->next_seq[s] - c->acked[s] >= TCP_ACK_EVERY)
			segment(w, c, !s, RTCLAB_TCP_ACK, NULL, 0, fn, arg);
	}
	return RTCLAB_WIRE_OK;
}

enum rtclab_wire_error rtclab_wire_tcp_close(struct rtclab_wire *w, const struct rtclab_addr *from,
					     const struct rtclab_addr *to, rtclab_wire_frame_fn fn, void *arg)
{
	int s;
	struct conn *c = find_conn(w, from, to, &s);
	if (!c)
		return RTCLAB_WIRE_E_NO_CONNECTION;
	/* RFC 9293 3.6: each side's FIN is acknowledged; the peer's FIN-ACK
	 * both acknowledges ours and closes its own direction. */
	segment(w, c, s, RTCLAB_TCP_FIN | RTCLAB_TCP_ACK, NULL, 0, fn, arg);
	segment(w, c, !s, RTCLAB_TCP_FIN | RTCLAB_TCP_ACK, NULL, 0, fn, arg);
	segment(w, c, s, RTCLAB_TCP_ACK, NULL, 0, fn, arg);
	forget_conn(w, c);
	return RTCLAB_WIRE_OK;
}

enum rtclab_wire_error rtclab_wire_tcp_reset(struct rtclab_wire *w, const struct rtclab_addr *from,
					     const struct rtclab_addr *to, rtclab_wire_frame_fn fn, void *arg)
{
	int s;
	struct conn *c = find_conn(w, from, to, &s);
	if (!c)
		return RTCLAB_WIRE_E_NO_CONNECTION;
	segment(w, c, s, RTCLAB_TCP_RST | RTCLAB_TCP_ACK, NULL, 0, fn, arg);
	forget_conn(w, c);
	return RTCLAB_WIRE_OK;
}

void rtclab_wire_tcp_finish(struct rtclab_wire *w, rtclab_wire_frame_fn fn, void *arg)
{
	while (w->n_conns) {
		struct rtclab_addr client = w->conns[0].end[0], server = w->conns[0].end[1];
		rtclab_wire_tcp_close(w, &client, &server, fn, arg);
	}
}

size_t rtclab_wire_tcp_count(const struct rtclab_wire *w)
{
	return w->n_conns;
}

enum rtclab_wire_error rtclab_wire_send(struct rtclab_wire *w, enum rtclab_l4 l4, const struct rtclab_addr *src,
					const struct rtclab_addr *dst, const void *data, size_t len,
					rtclab_wire_frame_fn fn, void *arg)
{
	if (l4 == RTCLAB_L4_UDP)
		return rtclab_wire_udp(w, src, dst, data, len, fn, arg);
	if (l4 == RTCLAB_L4_TCP)
		return rtclab_wire_tcp_send(w, src, dst, data, len, fn, arg);
	return RTCLAB_WIRE_E_TRANSPORT;
}
