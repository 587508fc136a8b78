/* One captured frame, from the link layer to UDP, TCP or ICMP.
 *
 * Each layer reads through struct rtclab_reader over the frame, so every
 * problem has its byte offset in the frame.  A layer that finds its length
 * field longer than what was captured uses what is there; when the frame was
 * cut by the snaplen that is said once, at the offset where it ends.
 */
#include <string.h>

#include "packet_internal.h"

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86DD
#define ETH_8021Q 0x8100
#define ETH_8021AD 0x88A8
#define ETH_QINQ_OLD 0x9100 /* pre-standard double tagging */

#define PROTO_ICMP 1
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_ICMPV6 58

struct dec {
	struct rtclab_packet *pkt;
	struct rtclab_defrag *defrag;
	bool cut; /* caplen < wire_len: running out of bytes is the snaplen's doing */
};

void rtclab_packet_problem_(struct rtclab_packet *pkt, size_t offset, const char *message)
{
	pkt->n_problems_total++;
	if (pkt->n_problems == RTCLAB_PACKET_MAX_PROBLEMS)
		return;
	pkt->problems[pkt->n_problems].offset = (uint32_t)offset;
	pkt->problems[pkt->n_problems].message = message;
	pkt->n_problems++;
}

static void problem(struct dec *d, size_t offset, const char *message)
{
	rtclab_packet_problem_(d->pkt, offset, message);
}

/* A view of what is left in r, without moving it. */
static struct rtclab_bytes rest(const struct rtclab_reader *r)
{
	struct rtclab_bytes v = {r->base + r->pos, rtclab_reader_left(r)};
	if (v.len == 0)
		v.ptr = NULL;
	return v;
}

/* A header that did not fit: cut by the snaplen (already said) or truncated. */
static void short_header(struct dec *d, const struct rtclab_reader *r, const char *truncated)
{
	if (!d->cut)
		problem(d, r->error_pos, truncated);
}

const char *rtclab_linktype_name(int linktype)
{
	switch (linktype) {
	case RTCLAB_LINK_NULL:
		return "BSD loopback (NULL)";
	case RTCLAB_LINK_ETHERNET:
		return "Ethernet";
	case RTCLAB_LINK_RAW:
		return "raw IP";
	case RTCLAB_LINK_LOOP:
		return "OpenBSD loopback (LOOP)";
	case RTCLAB_LINK_LINUX_SLL:
		return "Linux cooked (SLL)";
	case RTCLAB_LINK_IPV4:
		return "raw IPv4";
	case RTCLAB_LINK_IPV6:
		return "raw IPv6";
	case RTCLAB_LINK_LINUX_SLL2:
		return "Linux cooked v2 (SLL2)";
	}
	return NULL;
}

/* --- link layers: each returns the EtherType of what follows, 0 if none ------------- */

/* IEEE 802.1Q tags (TPID 0x8100), 802.1ad service tags (0x88A8) and the old
 * 0x9100, one after the other (Q-in-Q).  The outermost VLAN id is kept. */
static uint16_t vlan_tags(struct dec *d, struct rtclab_reader *r, uint16_t type)
{
	bool first = true;
	while (type == ETH_8021Q || type == ETH_8021AD || type == ETH_QINQ_OLD) {
		uint16_t tci = rtclab_read_be16(r);
		type = rtclab_read_be16(r);
		if (r->error) {
			short_header(d, r, "802.1Q VLAN tag truncated");
			return 0;
		}
		if (first)
			d->pkt->vlan = tci & 0x0FFF;
		first = false;
	}
	return type;
}

/* IEEE 802.3 / Ethernet II: destination, source, EtherType (or a length <= 1500). */
static uint16_t link_ethernet(struct dec *d, struct rtclab_reader *r)
{
	rtclab_reader_skip(r, 12);
	size_t at = r->pos;
	uint16_t type = rtclab_read_be16(r);
	if (r->error) {
		short_header(d, r, "Ethernet header truncated");
		return 0;
	}
	if (type <= 1500) {
		problem(d, at, "IEEE 802.3 length field instead of an EtherType: not IP");
		return 0;
	}
	return vlan_tags(d, r, type);
}

/* Linux cooked capture v1 (LINKTYPE_LINUX_SLL): packet type, ARPHRD type,
 * address length, 8 address bytes, protocol. */
static uint16_t link_sll(struct dec *d, struct rtclab_reader *r)
{
	rtclab_reader_skip(r, 14);
	uint16_t type = rtclab_read_be16(r);
	if (r->error) {
		short_header(d, r, "Linux cooked (SLL) header truncated");
		return 0;
	}
	return vlan_tags(d, r, type);
}

/* Linux cooked capture v2 (LINKTYPE_LINUX_SLL2): protocol, reserved,
 * interface index, ARPHRD type, packet type, address length, 8 address bytes. */
static uint16_t link_sll2(struct dec *d, struct rtclab_reader *r)
{
	uint16_t type = rtclab_read_be16(r);
	rtclab_reader_skip(r, 18);
	if (r->error) {
		short_header(d, r, "Linux cooked v2 (SLL2) header truncated");
		return 0;
	}
	return vlan_tags(d, r, type);
}

/* BSD loopback: a 4-byte address family, in the byte order of the capturing
 * host (NULL) or in network order (LOOP).  AF_INET is 2 everywhere; AF_INET6
 * is 24 (NetBSD, OpenBSD, BSD/OS), 28 (FreeBSD) or 30 (macOS). */
static uint16_t link_null(struct dec *d, struct rtclab_reader *r, bool network_order)
{
	uint32_t fam = rtclab_read_be32(r);
	if (r->error) {
		short_header(d, r, "loopback header truncated");
		return 0;
	}
	if (!network_order && (fam & 0xFFFF0000u)) /* written little-endian */
		fam = (fam >> 24) | ((fam >> 8) & 0xFF00u) | ((fam << 8) & 0xFF0000u) | (fam << 24);
	if (fam == 2)
		return ETH_IPV4;
	if (fam == 24 || fam == 28 || fam == 30)
		return ETH_IPV6;
	problem(d, 0, "loopback address family is neither AF_INET nor AF_INET6");
	return 0;
}

/* Raw IP: the version nibble tells IPv4 from IPv6. */
static uint16_t link_raw(struct dec *d, struct rtclab_reader *r)
{
	if (!rtclab_reader_has(r, 1)) {
		if (!d->cut)
			problem(d, 0, "empty frame");
		return 0;
	}
	unsigned version = r->base[r->pos] >> 4;
	if (version == 4)
		return ETH_IPV4;
	if (version == 6)
		return ETH_IPV6;
	problem(d, r->pos, "raw IP frame with an IP version that is neither 4 nor 6");
	return 0;
}

static uint16_t link_layer(struct dec *d, enum rtclab_linktype lt, struct rtclab_reader *r)
{
	switch (lt) {
	case RTCLAB_LINK_ETHERNET:
		return link_ethernet(d, r);
	case RTCLAB_LINK_LINUX_SLL:
		return link_sll(d, r);
	case RTCLAB_LINK_LINUX_SLL2:
		return link_sll2(d, r);
	case RTCLAB_LINK_NULL:
		return link_null(d, r, false);
	case RTCLAB_LINK_LOOP:
		return link_null(d, r, true);
	case RTCLAB_LINK_RAW:
		return link_raw(d, r);
	case RTCLAB_LINK_IPV4:
		return ETH_IPV4;
	case RTCLAB_LINK_IPV6:
		return ETH_IPV6;
	}
	problem(d, 0, "link type not supported by rtclab");
	return 0;
}

/* --- transport ------------------------------------------------------------------------ */

/* UDP (RFC 768): ports, length, checksum; the payload is bounded by the length. */
static void udp(struct dec *d, struct rtclab_reader *r)
{
	struct rtclab_packet *pkt = d->pkt;
	size_t at = r->pos;
	uint16_t sport = rtclab_read_be16(r), dport = rtclab_read_be16(r);
	uint16_t len = rtclab_read_be16(r);
	rtclab_read_be16(r);
	if (r->error)
		return short_header(d, r, "UDP header truncated");
	pkt->l4 = RTCLAB_L4_UDP;
	pkt->src.port = sport;
	pkt->dst.port = dport;
	size_t left = rtclab_reader_left(r);
	if (len < 8) {
		problem(d, at + 4, "UDP length is below the 8-byte header");
		len = (uint16_t)(left > 0xFFFF - 8 ? 0xFFFF : left + 8);
	} else if ((size_t)len - 8 > left) {
		if (!d->cut)
			problem(d, at + 4, "UDP length runs past the end of the IP payload");
		len = (uint16_t)(left + 8);
	} else if ((size_t)len - 8 < left) {
		problem(d, at + 4, "UDP length is shorter than the IP payload");
	}
	pkt->payload = rtclab_read_view(r, (size_t)len - 8);
}

/* TCP (RFC 9293 3.1): ports, sequence and acknowledgment numbers, data
 * offset and flags; the options are skipped. */
static void tcp(struct dec *d, struct rtclab_reader *r)
{
	struct rtclab_packet *pkt = d->pkt;
	size_t at = r->pos;
	uint16_t sport = rtclab_read_be16(r), dport = rtclab_read_be16(r);
	uint32_t seq = rtclab_read_be32(r), ack = rtclab_read_be32(r);
	uint16_t off_flags = rtclab_read_be16(r);
	rtclab_reader_skip(r, 6); /* window, checksum, urgent pointer */
	if (r->error)
		return short_header(d, r, "TCP header truncated");
	pkt->l4 = RTCLAB_L4_TCP;
	pkt->src.port = sport;
	pkt->dst.port = dport;
	pkt->seq = seq;
	pkt->ack = ack;
	pkt->tcp_flags = (uint8_t)off_flags;
	unsigned hlen = (unsigned)(off_flags >> 12) * 4;
	if (hlen < 20) {
		problem(d, at + 12, "TCP data offset is below 5 (20 bytes)");
	} else if (!rtclab_reader_skip(r, hlen - 20)) {
		short_header(d, r, "TCP options run past the end of the segment");
		return;
	}
	pkt->payload = rtclab_read_view(r, rtclab_reader_left(r));
}

/* --- IPv6 extension headers (RFC 8200 4) ----------------------------------------------- */

enum ext_walk {
	EXT_UPPER,    /* *nh is the upper-layer protocol and r is at its header */
	EXT_FRAGMENT, /* a fragment other than a whole (atomic) one */
	EXT_STOP,     /* ESP or no next header: nothing rtclab can open */
	EXT_SHORT,    /* an extension header did not fit */
};

static enum ext_walk ip6_ext(struct rtclab_reader *r, uint8_t *nh, size_t *bad_at)
{
	for (;;) {
		*bad_at = r->pos;
		switch (*nh) {
		case 0:  /* hop-by-hop options */
		case 43: /* routing */
		case 60: /* destination options */
		{
			uint8_t next = rtclab_read_u8(r);
			uint8_t len = rtclab_read_u8(r);
			rtclab_reader_skip(r, (size_t)len * 8 + 6);
			*nh = next;
			break;
		}
		case 44: /* fragment (RFC 8200 4.5) */
		{
			uint8_t next = rtclab_read_u8(r);
			rtclab_read_u8(r);
			uint16_t off_m = rtclab_read_be16(r);
			rtclab_read_be32(r);
			*nh = next;
			if (!r->error && (off_m & 0xFFF9) != 0)
				return EXT_FRAGMENT;
			break;
		}
		case 51: /* authentication header (RFC 4302 2) */
		{
			uint8_t next = rtclab_read_u8(r);
			uint8_t len = rtclab_read_u8(r);
			rtclab_reader_skip(r, ((size_t)len + 2) * 4 - 2);
			*nh = next;
			break;
		}
		case 50: /* ESP: encrypted from here */
		case 59: /* no next header */
			return EXT_STOP;
		default:
			return EXT_UPPER;
		}
		if (r->error)
			return EXT_SHORT;
	}
}

/* --- ICMP errors: the quoted datagram (RFC 792, RFC 4443 2.4 (c), RFC 1191) -------------- */

/* The transport header of the quoted datagram: ports, then the payload as far as quoted. */
static void quoted_transport(struct rtclab_icmp *ic, struct rtclab_reader *q, uint8_t proto)
{
	if (proto != PROTO_UDP && proto != PROTO_TCP)
		return;
	uint16_t sport = rtclab_read_be16(q), dport = rtclab_read_be16(q);
	if (q->error)
		return;
	ic->quoted_l4 = proto == PROTO_UDP ? RTCLAB_L4_UDP : RTCLAB_L4_TCP;
	ic->quoted_src.port = sport;
	ic->quoted_dst.port = dport;
	if (proto == PROTO_UDP) {
		uint16_t len = rtclab_read_be16(q);
		if (!rtclab_reader_skip(q, 2))
			return;
		size_t n = rtclab_reader_left(q);
		if (len >= 8 && (size_t)len - 8 < n)
			n = (size_t)len - 8;
		ic->quoted_payload = rtclab_read_view(q, n);
		return;
	}
	rtclab_reader_skip(q, 8);
	unsigned hlen = (unsigned)(rtclab_read_u8(q) >> 4) * 4;
	if (q->error || hlen < 20 || !rtclab_reader_skip(q, hlen - 13))
		return;
	ic->quoted_payload = rtclab_read_view(q, rtclab_reader_left(q));
}

static void quoted_ipv4(struct dec *d, struct rtclab_reader *q)
{
	struct rtclab_icmp *ic = &d->pkt->icmp;
	size_t at = q->pos;
	uint8_t vihl = rtclab_read_u8(q);
	rtclab_read_u8(q);
	uint16_t total = rtclab_read_be16(q);
	rtclab_read_be16(q);
	uint16_t frag = rtclab_read_be16(q);
	rtclab_read_u8(q);
	uint8_t proto = rtclab_read_u8(q);
	rtclab_read_be16(q);
	rtclab_read_copy(q, ic->quoted_src.ip, 4);
	rtclab_read_copy(q, ic->quoted_dst.ip, 4);
	unsigned ihl = (vihl & 0x0F) * 4u;
	if (q->error || ihl < 20 || !rtclab_reader_skip(q, ihl - 20)) {
		if (!d->cut)
			problem(d, at, "the ICMP error quotes less than a whole IPv4 header");
		return;
	}
	ic->has_quoted = true;
	ic->quoted_src.family = ic->quoted_dst.family = RTCLAB_FAMILY_IPV4;
	struct rtclab_reader t = *q;
	if (total >= ihl && (size_t)(total - ihl) < rtclab_reader_left(q))
		t.end = t.pos + (total - ihl);
	if ((frag & 0x1FFF) == 0) /* only the first fragment has the ports */
		quoted_transport(ic, &t, proto);
}

static void quoted_ipv6(struct dec *d, struct rtclab_reader *q)
{
	struct rtclab_icmp *ic = &d->pkt->icmp;
	size_t at = q->pos;
	rtclab_read_be32(q);
	uint16_t plen = rtclab_read_be16(q);
	uint8_t nh = rtclab_read_u8(q);
	rtclab_read_u8(q);
	rtclab_read_copy(q, ic->quoted_src.ip, 16);
	rtclab_read_copy(q, ic->quoted_dst.ip, 16);
	if (q->error) {
		if (!d->cut)
			problem(d, at, "the ICMPv6 error quotes less than a whole IPv6 header");
		return;
	}
	ic->has_quoted = true;
	ic->quoted_src.family = ic->quoted_dst.family = RTCLAB_FAMILY_IPV6;
	struct rtclab_reader t = *q;
	if (plen < rtclab_reader_left(q))
		t.end = t.pos + plen;
	size_t bad_at;
	if (ip6_ext(&t, &nh, &bad_at) == EXT_UPPER)
		quoted_transport(ic, &t, nh);
}

static void quoted(struct dec *d, struct rtclab_reader *q)
{
	if (!rtclab_reader_has(q, 1)) {
		if (!d->cut)
			problem(d, q->pos, "the ICMP error quotes nothing of the datagram");
		return;
	}
	unsigned version = q->base[q->pos] >> 4;
	if (version == 4)
		quoted_ipv4(d, q);
	else if (version == 6)
		quoted_ipv6(d, q);
	else
		problem(d, q->pos, "the quoted datagram is neither IPv4 nor IPv6");
}

/* Which ICMP messages quote a datagram, and which of those are errors. */
static void icmp_kind(struct rtclab_icmp *ic, bool v6, uint32_t rest, bool *quotes)
{
	if (v6) {
		/* RFC 4443 2.1: types 0-127 are errors; 2 is Packet Too Big with the MTU */
		ic->is_error = ic->type < 128;
		*quotes = ic->is_error;
		if (ic->type == 2)
			ic->mtu = rest;
		return;
	}
	/* RFC 792: 3 destination unreachable, 4 source quench, 11 time exceeded,
	 * 12 parameter problem; 5 redirect also quotes but is not an error */
	ic->is_error = ic->type == 3 || ic->type == 4 || ic->type == 11 || ic->type == 12;
	*quotes = ic->is_error || ic->type == 5;
	if (ic->type == 3 && ic->code == 4) /* fragmentation needed: next-hop MTU, RFC 1191 4 */
		ic->mtu = rest & 0xFFFF;
}

static void icmp(struct dec *d, struct rtclab_reader *r, bool v6)
{
	struct rtclab_packet *pkt = d->pkt;
	struct rtclab_icmp *ic = &pkt->icmp;
	uint8_t type = rtclab_read_u8(r), code = rtclab_read_u8(r);
	rtclab_read_be16(r); /* checksum */
	uint32_t word = rtclab_read_be32(r); /* MTU, pointer, or unused */
	if (r->error)
		return short_header(d, r, v6 ? "ICMPv6 header truncated" : "ICMP header truncated");
	pkt->l4 = RTCLAB_L4_ICMP;
	ic->type = type;
	ic->code = code;
	pkt->payload = rest(r);
	bool quotes;
	icmp_kind(ic, v6, word, &quotes);
	if (quotes)
		quoted(d, r);
}

static void transport(struct dec *d, struct rtclab_reader *r)
{
	switch (d->pkt->ip_proto) {
	case PROTO_UDP:
		return udp(d, r);
	case PROTO_TCP:
		return tcp(d, r);
	case PROTO_ICMP:
		if (d->pkt->ip_version == 4)
			return icmp(d, r, false);
		break;
	case PROTO_ICMPV6:
		if (d->pkt->ip_version == 6)
			return icmp(d, r, true);
		break;
	}
	d->pkt->payload = rest(r);
}

/* --- IPv4 (RFC 791 3.1) and IPv6 (RFC 8200 3) ------------------------------------------ */

/* A fragment: held for reassembly, or reported when there is no defrag. */
static void ipv4_fragment(struct dec *d, struct rtclab_reader *r, size_t header_at, uint16_t id, uint16_t frag)
{
	struct rtclab_packet *pkt = d->pkt;
	pkt->fragment = true;
	pkt->payload = rest(r);
	if (!d->defrag)
		return;
	if (d->cut) {
		problem(d, header_at + 6, "fragment cut by the snaplen: not reassembled");
		return;
	}
	struct rtclab_frag_in in = {.proto = pkt->ip_proto, .id = id, .offset = (uint32_t)(frag & 0x1FFF) * 8,
				    .more = (frag & 0x2000) != 0, .data = pkt->payload, .at = r->pos,
				    .header_at = header_at};
	memcpy(in.src, pkt->src.ip, 4);
	memcpy(in.dst, pkt->dst.ip, 4);
	struct rtclab_bytes whole;
	if (rtclab_defrag_add_(d->defrag, pkt, &in, &whole) != RTCLAB_FRAG_DONE)
		return;
	pkt->fragment = false;
	pkt->reassembled = true;
	struct rtclab_reader w;
	rtclab_reader_init(&w, whole.ptr, whole.len);
	transport(d, &w);
}

static bool ipv4(struct dec *d, struct rtclab_reader *r)
{
	struct rtclab_packet *pkt = d->pkt;
	size_t at = r->pos, left = rtclab_reader_left(r);
	uint8_t vihl = rtclab_read_u8(r);
	rtclab_read_u8(r); /* DSCP, ECN */
	uint16_t total = rtclab_read_be16(r), id = rtclab_read_be16(r), frag = rtclab_read_be16(r);
	pkt->ttl = rtclab_read_u8(r);
	pkt->ip_proto = rtclab_read_u8(r);
	rtclab_read_be16(r); /* header checksum */
	rtclab_read_copy(r, pkt->src.ip, 4);
	rtclab_read_copy(r, pkt->dst.ip, 4);
	if (r->error) {
		short_header(d, r, "IPv4 header truncated");
		return false;
	}
	if (vihl >> 4 != 4) {
		problem(d, at, "IP version is not 4");
		return false;
	}
	pkt->ip_version = 4;
	pkt->src.family = pkt->dst.family = RTCLAB_FAMILY_IPV4;
	unsigned ihl = (vihl & 0x0F) * 4u;
	if (ihl < 20) {
		problem(d, at, "IPv4 header length is below 20 bytes");
		return true;
	}
	if (!rtclab_reader_skip(r, ihl - 20)) { /* options */
		short_header(d, r, "IPv4 options run past the end of the frame");
		return true;
	}
	size_t len = total;
	if (total < ihl) {
		problem(d, at + 2, "IPv4 total length is shorter than its header");
		len = left;
	} else if (total > left) {
		if (!d->cut)
			problem(d, at + 2, "IPv4 total length runs past the end of the frame");
		len = left;
	}
	/* what follows the datagram (Ethernet padding) is not part of it */
	struct rtclab_reader body = *r;
	body.end = at + len;
	if (frag & 0x8000)
		problem(d, at + 6, "IPv4 reserved flag bit is set");
	if (frag & 0x3FFF)
		ipv4_fragment(d, &body, at, id, frag);
	else
		transport(d, &body);
	return true;
}

static bool ipv6(struct dec *d, struct rtclab_reader *r)
{
	struct rtclab_packet *pkt = d->pkt;
	size_t at = r->pos;
	uint32_t vtf = rtclab_read_be32(r);
	uint16_t plen = rtclab_read_be16(r);
	uint8_t nh = rtclab_read_u8(r);
	pkt->ttl = rtclab_read_u8(r);
	rtclab_read_copy(r, pkt->src.ip, 16);
	rtclab_read_copy(r, pkt->dst.ip, 16);
	if (r->error) {
		short_header(d, r, "IPv6 header truncated");
		return false;
	}
	if (vtf >> 28 != 6) {
		problem(d, at, "IP version is not 6");
		return false;
	}
	pkt->ip_version = 6;
	pkt->src.family = pkt->dst.family = RTCLAB_FAMILY_IPV6;
	struct rtclab_reader body = *r;
	if (plen > rtclab_reader_left(r)) {
		if (!d->cut)
			problem(d, at + 4, "IPv6 payload length runs past the end of the frame");
	} else if (plen == 0 && nh != 59 && rtclab_reader_left(r) > 0) {
		problem(d, at + 4, "IPv6 payload length is zero (a jumbogram?): using the rest of the frame");
	} else {
		body.end = body.pos + plen;
	}
	size_t bad_at;
	enum ext_walk w = ip6_ext(&body, &nh, &bad_at);
	pkt->ip_proto = nh;
	if (w == EXT_UPPER)
		transport(d, &body);
	else if (w == EXT_SHORT)
		short_header(d, &body, "IPv6 extension header runs past the end of the payload");
	else if (w == EXT_FRAGMENT) {
		pkt->fragment = true;
		pkt->payload = rest(&body);
		problem(d, bad_at, "IPv6 fragment: rtclab reassembles IPv4 only");
	} else {
		pkt->payload = rest(&body);
	}
	return true;
}

bool rtclab_packet_decode(struct rtclab_packet *pkt, enum rtclab_linktype linktype, const uint8_t *frame,
			  size_t caplen, uint32_t wire_len, struct rtclab_defrag *defrag)
{
	uint64_t frame_no = pkt->frame;
	int64_t ts_ns = pkt->ts_ns;
	memset(pkt, 0, sizeof *pkt);
	pkt->frame = frame_no;
	pkt->ts_ns = ts_ns;
	pkt->linktype = linktype;
	pkt->data.ptr = frame;
	pkt->data.len = caplen;
	pkt->wire_len = wire_len;
	struct dec d = {pkt, defrag, caplen < wire_len};
	if (d.cut)
		problem(&d, caplen, "frame cut by the snaplen: the rest was not captured");
	else if (caplen > wire_len)
		problem(&d, wire_len, "captured length is larger than the length on the wire");
	struct rtclab_reader r;
	rtclab_reader_init(&r, frame, caplen);
	pkt->ethertype = link_layer(&d, linktype, &r);
	if (pkt->ethertype == ETH_IPV4)
		return ipv4(&d, &r);
	if (pkt->ethertype == ETH_IPV6)
		return ipv6(&d, &r);
	if (pkt->ethertype != 0) /* r is just past the EtherType */
		problem(&d, r.pos - 2, "not an IP packet: nothing more to decode");
	return false;
}
