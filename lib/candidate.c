/* ICE candidate lines: parsing and formatting (RFC 8839 5.1; TCP
 * candidates RFC 6544 4.5).
 *
 *   candidate-attribute = "candidate" ":" foundation SP component-id SP
 *                         transport SP priority SP connection-address SP
 *                         port SP cand-type [SP rel-addr] [SP rel-port]
 *                         *(SP cand-extension)
 *
 * The line is cut at every space into fields (so "a  b" has an empty field
 * between a and b), and the grammar walks the fields left to right.  The
 * first problem wins; its column points at the field.  The choices rtclab
 * makes where the RFC leaves room are listed in rtclab/candidate.h.
 */
#include "rtclab/candidate.h"

#include <string.h>

/* --- fields ------------------------------------------------------------------ */

struct parser {
	const char *line;
	size_t end;  /* length without the trailing CR/LF */
	size_t pos;  /* start of the next field */
	bool done;   /* no field left */
	enum rtclab_cand_error err;
	size_t column;
};

struct field {
	struct rtclab_str v;
	size_t at; /* offset of its first byte in the line */
};

static bool fail(struct parser *p, enum rtclab_cand_error e, size_t offset)
{
	if (p->err == RTCLAB_CAND_OK) {
		p->err = e;
		p->column = offset + 1;
	}
	return false;
}

/* The missing field after the last one: the column one past the end. */
static bool fail_missing(struct parser *p, enum rtclab_cand_error e)
{
	return fail(p, e, p->end);
}

/* An empty field where a value belongs: the extra space, or the trailing one. */
static bool fail_empty(struct parser *p, const struct field *f)
{
	return fail(p, RTCLAB_CAND_E_SPACING, f->at < p->end ? f->at : f->at - 1);
}

/* Control characters are errors wherever they are; a tab is a spacing error. */
static bool check_bytes(struct parser *p, const struct field *f)
{
	for (size_t i = 0; i < f->v.len; i++) {
		unsigned char ch = (unsigned char)f->v.ptr[i];
		if (ch == '\t')
			return fail(p, RTCLAB_CAND_E_SPACING, f->at + i);
		if (ch < 0x20 || ch == 0x7F)
			return fail(p, RTCLAB_CAND_E_BAD_CHAR, f->at + i);
	}
	return true;
}

/* The next space-separated field, possibly empty; false when none is left
 * (or it holds a control character, with the error set). */
static bool next_field(struct parser *p, struct field *f)
{
	if (p->done || p->err)
		return false;
	const char *start = p->line + p->pos;
	const char *space = memchr(start, ' ', p->end - p->pos);
	size_t n = space ? (size_t)(space - start) : p->end - p->pos;
	f->v.ptr = start;
	f->v.len = n;
	f->at = p->pos;
	p->pos += n;
	if (p->pos < p->end)
		p->pos++; /* the separator; a field follows, empty if the line ends here */
	else
		p->done = true;
	return check_bytes(p, f);
}

/* A field that must be there and must not be empty; code names it when missing. */
static bool need_field(struct parser *p, struct field *f, enum rtclab_cand_error code)
{
	if (!next_field(p, f))
		return p->err ? false : fail_missing(p, code);
	if (f->v.len == 0)
		return fail_empty(p, f);
	return true;
}

/* --- field checks -------------------------------------------------------------- */

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static bool is_alpha(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/* Decimal digits only, at most max; leading zeros allowed when lax. */
static bool parse_number(struct rtclab_str s, uint64_t max, bool lax, uint64_t *out)
{
	uint64_t v = 0;
	if (s.len == 0 || s.len > 19 || (!lax && s.len > 1 && s.ptr[0] == '0'))
		return false;
	for (size_t i = 0; i < s.len; i++) {
		if (!is_digit(s.ptr[i]))
			return false;
		v = v * 10 + (uint64_t)(s.ptr[i] - '0');
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

/* RFC 8839: ice-char = ALPHA / DIGIT / "+" / "/"; foundation = 1*32ice-char. */
static bool valid_foundation(struct rtclab_str s)
{
	if (s.len == 0 || s.len > 32)
		return false;
	for (size_t i = 0; i < s.len; i++)
		if (!is_alpha(s.ptr[i]) && !is_digit(s.ptr[i]) && s.ptr[i] != '+' && s.ptr[i] != '/')
			return false;
	return true;
}

/* RFC 4566 token-char: %x21 / %x23-27 / %x2A-2B / %x2D-2E / %x30-39 / %x41-5A / %x5E-7E. */
static bool token_char(unsigned char ch)
{
	return ch == 0x21 || (ch >= 0x23 && ch <= 0x27) || ch == 0x2A || ch == 0x2B || ch == 0x2D ||
	       ch == 0x2E || is_digit((char)ch) || (ch >= 0x41 && ch <= 0x5A) || (ch >= 0x5E && ch <= 0x7E);
}

static bool valid_token(struct rtclab_str s)
{
	if (s.len == 0)
		return false;
	for (size_t i = 0; i < s.len; i++)
		if (!token_char((unsigned char)s.ptr[i]))
			return false;
	return true;
}

/* A host name (RFC 1123 2.1): labels of 1-63 letters, digits and hyphens,
 * not starting or ending with a hyphen, 253 bytes at most; the last label
 * is not all digits (that would be a malformed IPv4 address). */
static bool valid_host_name(struct rtclab_str s)
{
	size_t label = 0;
	bool digits_only = true;
	if (s.len == 0 || s.len > 253)
		return false;
	for (size_t i = 0; i < s.len; i++) {
		char ch = s.ptr[i];
		if (ch == '.') {
			if (label == 0 || s.ptr[i - 1] == '-')
				return false;
			label = 0;
			digits_only = true;
			continue;
		}
		if (!is_alpha(ch) && !is_digit(ch) && ch != '-')
			return false;
		if ((ch == '-' && label == 0) || ++label > 63)
			return false;
		digits_only = digits_only && is_digit(ch);
	}
	return label > 0 && s.ptr[s.len - 1] != '-' && !digits_only;
}

/* Multicast DNS names end in ".local" (RFC 6762); browsers use "<uuid>.local". */
static bool is_mdns_name(struct rtclab_str s)
{
	if (s.len <= 6)
		return false;
	struct rtclab_str tail = {s.ptr + s.len - 6, 6};
	return rtclab_str_ieq(tail, ".local");
}

/* IPv4 (dotted decimal), IPv6 (RFC 4291 text) or a host name. */
static bool classify_address(struct rtclab_str s, enum rtclab_cand_addr_kind *kind, struct rtclab_addr *ip)
{
	char text[64];
	memset(ip, 0, sizeof *ip);
	if (s.len > 0 && s.len < sizeof text) {
		memcpy(text, s.ptr, s.len);
		text[s.len] = '\0';
		if (rtclab_addr_ip_parse(ip, text)) {
			*kind = ip->family == RTCLAB_FAMILY_IPV4 ? RTCLAB_CAND_ADDR_IPV4 : RTCLAB_CAND_ADDR_IPV6;
			return true;
		}
	}
	if (memchr(s.ptr, ':', s.len) || !valid_host_name(s))
		return false; /* a colon means IPv6 (RFC 8839 5.1), and this one is not */
	*kind = is_mdns_name(s) ? RTCLAB_CAND_ADDR_MDNS : RTCLAB_CAND_ADDR_FQDN;
	return true;
}

/* --- the grammar --------------------------------------------------------------- */

static const char *const type_names[] = {"host", "srflx", "prflx", "relay"};
static const char *const tcptype_names[] = {"none", "active", "passive", "so"};

#define N_TYPES (sizeof type_names / sizeof type_names[0])
#define N_TCPTYPES (sizeof tcptype_names / sizeof tcptype_names[0])

/* "a=candidate:", "candidate:" or nothing; a different "a=" line, or a
 * first word with a colon in it, is a wrong prefix. */
static bool parse_prefix(struct parser *p)
{
	static const char a_cand[] = "a=candidate:";
	const char *s = p->line;
	size_t n = p->end;
	if (n >= sizeof a_cand - 1 && memcmp(s, a_cand, sizeof a_cand - 1) == 0) {
		p->pos = sizeof a_cand - 1;
		return true;
	}
	if (n >= sizeof a_cand - 3 && memcmp(s, a_cand + 2, sizeof a_cand - 3) == 0) {
		p->pos = sizeof a_cand - 3;
		return true;
	}
	const char *space = memchr(s, ' ', n);
	size_t word = space ? (size_t)(space - s) : n;
	if ((n >= 2 && s[0] == 'a' && s[1] == '=') || memchr(s, ':', word))
		return fail(p, RTCLAB_CAND_E_PREFIX, 0);
	return true;
}

static bool parse_foundation(struct parser *p, struct rtclab_candidate *c)
{
	struct field f;
	if (!next_field(p, &f))
		return false;
	if (!valid_foundation(f.v))
		return fail(p, RTCLAB_CAND_E_FOUNDATION, f.at);
	c->foundation = f.v;
	return true;
}

static bool parse_component(struct parser *p, struct rtclab_candidate *c)
{
	struct field f;
	uint64_t v;
	if (!need_field(p, &f, RTCLAB_CAND_E_COMPONENT))
		return false;
	if (!parse_number(f.v, 256, false, &v) || v == 0)
		return fail(p, RTCLAB_CAND_E_COMPONENT, f.at);
	c->component = (uint16_t)v;
	return true;
}

static bool parse_transport(struct parser *p, struct rtclab_candidate *c, size_t *at)
{
	struct field f;
	if (!need_field(p, &f, RTCLAB_CAND_E_TRANSPORT))
		return false;
	if (rtclab_str_ieq(f.v, "udp"))
		c->transport = RTCLAB_CAND_UDP;
	else if (rtclab_str_ieq(f.v, "tcp"))
		c->transport = RTCLAB_CAND_TCP;
	else
		return fail(p, RTCLAB_CAND_E_TRANSPORT, f.at);
	c->transport_text = f.v;
	*at = f.at;
	return true;
}

static bool parse_priority(struct parser *p, struct rtclab_candidate *c)
{
	struct field f;
	uint64_t v;
	if (!need_field(p, &f, RTCLAB_CAND_E_PRIORITY))
		return false;
	if (!parse_number(f.v, 0x7FFFFFFF, false, &v) || v == 0) /* RFC 8445 5.1.2.1: 1 to 2^31-1 */
		return fail(p, RTCLAB_CAND_E_PRIORITY, f.at);
	c->priority = (uint32_t)v;
	return true;
}

static bool parse_address(struct parser *p, struct rtclab_candidate *c)
{
	struct field f;
	if (!need_field(p, &f, RTCLAB_CAND_E_ADDRESS))
		return false;
	if (!classify_address(f.v, &c->address_kind, &c->ip))
		return fail(p, RTCLAB_CAND_E_ADDRESS, f.at);
	c->address = f.v;
	return true;
}

static bool parse_port_field(struct parser *p, enum rtclab_cand_error code, uint16_t *port)
{
	struct field f;
	uint64_t v;
	if (!need_field(p, &f, code))
		return false;
	if (!parse_number(f.v, 65535, false, &v))
		return fail(p, code, f.at);
	*port = (uint16_t)v;
	return true;
}

/* cand-type = "typ" SP candidate-types */
static bool parse_type(struct parser *p, struct rtclab_candidate *c)
{
	struct field f;
	if (!need_field(p, &f, RTCLAB_CAND_E_TYP))
		return false;
	if (!rtclab_str_eq(f.v, "typ"))
		return fail(p, RTCLAB_CAND_E_TYP, f.at);
	if (!need_field(p, &f, RTCLAB_CAND_E_TYPE))
		return false;
	for (size_t i = 0; i < N_TYPES; i++)
		if (rtclab_str_eq(f.v, type_names[i])) {
			c->type = (enum rtclab_cand_type)i;
			return true;
		}
	return fail(p, RTCLAB_CAND_E_TYPE, f.at);
}

static bool parse_raddr(struct parser *p, struct rtclab_candidate *c)
{
	struct field f;
	enum rtclab_cand_addr_kind kind;
	if (!need_field(p, &f, RTCLAB_CAND_E_RADDR))
		return false;
	if (!classify_address(f.v, &kind, &c->raddr_ip))
		return fail(p, RTCLAB_CAND_E_RADDR, f.at);
	c->has_raddr = true;
	c->raddr = f.v;
	return true;
}

/* [SP rel-addr] [SP rel-port], where rtclab wants rport after raddr.
 * Leaves in *next the first field after them, if any (*have_next). */
static bool parse_related(struct parser *p, struct rtclab_candidate *c, struct field *next, bool *have_next)
{
	*have_next = next_field(p, next);
	if (*have_next && rtclab_str_eq(next->v, "raddr")) {
		if (!parse_raddr(p, c))
			return false;
		*have_next = next_field(p, next);
		if (p->err)
			return false;
		if (!*have_next)
			return fail_missing(p, RTCLAB_CAND_E_RPORT);
		if (!rtclab_str_eq(next->v, "rport"))
			return fail(p, RTCLAB_CAND_E_RPORT, next->at);
	}
	if (*have_next && rtclab_str_eq(next->v, "rport")) {
		if (!parse_port_field(p, RTCLAB_CAND_E_RPORT, &c->rport))
			return false;
		c->has_rport = true;
		c->raddr_ip.port = c->rport;
		*have_next = next_field(p, next);
	}
	return !p->err;
}

static bool set_tcptype(struct parser *p, struct rtclab_candidate *c, const struct field *name,
			const struct field *value)
{
	if (c->transport != RTCLAB_CAND_TCP || c->tcptype != RTCLAB_TCPTYPE_NONE)
		return fail(p, RTCLAB_CAND_E_TCPTYPE, name->at);
	for (size_t i = 1; i < N_TCPTYPES; i++)
		if (rtclab_str_eq(value->v, tcptype_names[i])) {
			c->tcptype = (enum rtclab_tcptype)i;
			return true;
		}
	return fail(p, RTCLAB_CAND_E_TCPTYPE, value->at);
}

/* Fill the typed field of a well-known extension (the first time only). */
static void set_known(struct rtclab_candidate *c, struct rtclab_str name, struct rtclab_str value)
{
	uint64_t v;
	if (rtclab_str_eq(name, "generation") && c->generation < 0 && parse_number(value, 0xFFFFFFFF, true, &v))
		c->generation = (int64_t)v;
	else if (rtclab_str_eq(name, "ufrag") && !c->ufrag.ptr)
		c->ufrag = value;
	else if (rtclab_str_eq(name, "network-id") && c->network_id < 0 && parse_number(value, 0x7FFFFFFF, true, &v))
		c->network_id = (int32_t)v;
	else if (rtclab_str_eq(name, "network-cost") && c->network_cost < 0 &&
		 parse_number(value, 0x7FFFFFFF, true, &v))
		c->network_cost = (int32_t)v;
}

/* One cand-extension = extension-att-name SP extension-att-value. */
static bool parse_extension(struct parser *p, struct rtclab_candidate *c, const struct field *name)
{
	struct field value;
	if (name->v.len == 0)
		return fail_empty(p, name);
	if (rtclab_str_eq(name->v, "raddr"))
		return fail(p, RTCLAB_CAND_E_RADDR, name->at); /* only right after the type */
	if (rtclab_str_eq(name->v, "rport"))
		return fail(p, RTCLAB_CAND_E_RPORT, name->at);
	if (!valid_token(name->v))
		return fail(p, RTCLAB_CAND_E_EXTENSION, name->at);
	if (c->n_ext == RTCLAB_CAND_MAX_EXT)
		return fail(p, RTCLAB_CAND_E_TOO_MANY_EXT, name->at);
	bool tcptype = rtclab_str_eq(name->v, "tcptype");
	if (!next_field(p, &value))
		return p->err ? false : fail_missing(p, tcptype ? RTCLAB_CAND_E_TCPTYPE : RTCLAB_CAND_E_EXTENSION);
	if (tcptype && !set_tcptype(p, c, name, &value))
		return false;
	set_known(c, name->v, value.v);
	c->ext[c->n_ext].name = name->v;
	c->ext[c->n_ext].value = value.v;
	c->n_ext++;
	return true;
}

static void init_candidate(struct rtclab_candidate *c)
{
	memset(c, 0, sizeof *c);
	c->generation = -1;
	c->network_id = -1;
	c->network_cost = -1;
}

static void parse_line(struct parser *p, struct rtclab_candidate *c)
{
	struct field next;
	bool have_next;
	size_t transport_at = 0;
	if (!parse_prefix(p))
		return;
	if (p->pos == p->end) {
		fail_missing(p, RTCLAB_CAND_E_TRUNCATED);
		return;
	}
	if (!parse_foundation(p, c) || !parse_component(p, c) || !parse_transport(p, c, &transport_at) ||
	    !parse_priority(p, c) || !parse_address(p, c) || !parse_port_field(p, RTCLAB_CAND_E_PORT, &c->port) ||
	    !parse_type(p, c) || !parse_related(p, c, &next, &have_next))
		return;
	c->ip.port = c->port;
	while (have_next) {
		if (!parse_extension(p, c, &next))
			return;
		have_next = next_field(p, &next);
	}
	if (!p->err && c->transport == RTCLAB_CAND_TCP && c->tcptype == RTCLAB_TCPTYPE_NONE)
		fail(p, RTCLAB_CAND_E_TCPTYPE, transport_at); /* RFC 6544 4.5: tcptype is mandatory */
}

enum rtclab_cand_error rtclab_candidate_parse(struct rtclab_candidate *c, const char *line, size_t len,
					      size_t *column)
{
	struct parser p = {line ? line : "", line ? len : 0, 0, false, RTCLAB_CAND_OK, 0};
	while (p.end > 0 && (p.line[p.end - 1] == '\n' || p.line[p.end - 1] == '\r'))
		p.end--;
	init_candidate(c);
	parse_line(&p, c);
	if (column)
		*column = p.err ? p.column : 0;
	return p.err;
}

/* --- names and messages --------------------------------------------------------- */

const char *rtclab_cand_error_str(enum rtclab_cand_error e)
{
	switch (e) {
	case RTCLAB_CAND_OK:
		return "no error";
	case RTCLAB_CAND_E_PREFIX:
		return "expected \"candidate:\" (or \"a=candidate:\", or the bare value) before the foundation";
	case RTCLAB_CAND_E_FOUNDATION:
		return "the foundation must be 1 to 32 characters from A-Z, a-z, 0-9, + and /";
	case RTCLAB_CAND_E_COMPONENT:
		return "the component must be a number from 1 to 256, without leading zeros";
	case RTCLAB_CAND_E_TRANSPORT:
		return "the transport must be UDP or TCP";
	case RTCLAB_CAND_E_PRIORITY:
		return "the priority must be a number from 1 to 2147483647 (2^31 - 1), without leading zeros";
	case RTCLAB_CAND_E_ADDRESS:
		return "the address must be an IPv4 address, an IPv6 address or a host name";
	case RTCLAB_CAND_E_PORT:
		return "the port must be a number from 0 to 65535, without leading zeros";
	case RTCLAB_CAND_E_TYP:
		return "expected the keyword \"typ\" after the port";
	case RTCLAB_CAND_E_TYPE:
		return "the candidate type must be host, srflx, prflx or relay";
	case RTCLAB_CAND_E_RADDR:
		return "raddr must come right after the type and be followed by an IPv4 address, an IPv6 "
		       "address or a host name";
	case RTCLAB_CAND_E_RPORT:
		return "raddr must be followed by rport and a port from 0 to 65535 (without leading zeros), "
		       "right after the type";
	case RTCLAB_CAND_E_TCPTYPE:
		return "a TCP candidate needs one tcptype, active, passive or so (RFC 6544 4.5); a UDP candidate "
		       "has none";
	case RTCLAB_CAND_E_EXTENSION:
		return "an extension must be a name (letters, digits and -.!#$%&'*+^_`{|}~) followed by a space "
		       "and a value";
	case RTCLAB_CAND_E_TOO_MANY_EXT:
		return "too many extensions: rtclab keeps at most 16";
	case RTCLAB_CAND_E_TRUNCATED:
		return "the candidate is empty: expected a foundation, a component, a transport and the rest";
	case RTCLAB_CAND_E_BAD_CHAR:
		return "a control character (such as NUL, CR or LF inside the line) cannot be part of a candidate";
	case RTCLAB_CAND_E_SPACING:
		return "fields must be separated by exactly one space (no tabs, no two spaces in a row, no space "
		       "at the start or end)";
	}
	return "unknown error";
}

const char *rtclab_cand_type_name(enum rtclab_cand_type t)
{
	return (size_t)t < N_TYPES ? type_names[t] : "unknown";
}

const char *rtclab_tcptype_name(enum rtclab_tcptype t)
{
	return (size_t)t < N_TCPTYPES ? tcptype_names[t] : "unknown";
}

const char *rtclab_cand_type_explain(enum rtclab_cand_type t)
{
	switch (t) {
	case RTCLAB_CAND_HOST: /* RFC 8445 5.1.1.1 */
		return "A host candidate: the address of one of the peer's own network interfaces (Ethernet, "
		       "Wi-Fi, a VPN; IPv4 or IPv6). The agent finds it without asking any server, so it comes "
		       "first. It works directly when both peers are on the same network, or when the host "
		       "is not behind a NAT.";
	case RTCLAB_CAND_SRFLX: /* RFC 8445 5.1.1.2 */
		return "A server-reflexive candidate: the public address and port that a NAT gave this peer, as "
		       "a STUN server saw them and reported back in the XOR-MAPPED-ADDRESS of its Binding "
		       "response. The other peer can often reach it across the Internet.";
	case RTCLAB_CAND_PRFLX: /* RFC 8445 7.2.5.3.1, 7.3.1.3 */
		return "A peer-reflexive candidate: an address learned during the connectivity checks, when a "
		       "check arrives from (or its response shows) an address nobody signaled, typically a NAT "
		       "mapping made for the other peer. It is found at step 6 and rarely signaled.";
	case RTCLAB_CAND_RELAY: /* RFC 8445 5.1.1.2, RFC 8656 */
		return "A relayed candidate: a port allocated on a TURN server (an Allocate request). Whatever "
		       "reaches that port is forwarded to this peer, so it works through any NAT or firewall, "
		       "at the cost of a detour through the server: the last resort.";
	}
	return "An unknown candidate type.";
}

/* --- formatting --------------------------------------------------------------- */

struct out {
	char *buf;
	size_t cap, n; /* n counts every byte, written or not */
};

static void put(struct out *o, const char *s, size_t len)
{
	if (o->n < o->cap) {
		size_t room = o->cap - o->n;
		memcpy(o->buf + o->n, s, len < room ? len : room);
	}
	o->n += len;
}

static void put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void put_view(struct out *o, struct rtclab_str s)
{
	if (s.len)
		put(o, s.ptr, s.len);
}

static void put_uint(struct out *o, uint64_t v)
{
	char digits[24];
	size_t i = sizeof digits;
	do {
		digits[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(o, digits + i, sizeof digits - i);
}

static void put_address(struct out *o, struct rtclab_str text, const struct rtclab_addr *ip)
{
	char buf[RTCLAB_ADDR_STRLEN];
	if (text.len)
		put_view(o, text);
	else
		put_str(o, rtclab_addr_ip_format(ip, buf, sizeof buf));
}

static bool has_ext(const struct rtclab_candidate *c, const char *name)
{
	for (size_t i = 0; i < c->n_ext && i < RTCLAB_CAND_MAX_EXT; i++)
		if (rtclab_str_eq(c->ext[i].name, name))
			return true;
	return false;
}

/* Typed fields of a candidate built by hand, when ext[] does not carry them. */
static void put_typed_extensions(struct out *o, const struct rtclab_candidate *c)
{
	if (c->tcptype != RTCLAB_TCPTYPE_NONE && !has_ext(c, "tcptype")) {
		put_str(o, " tcptype ");
		put_str(o, rtclab_tcptype_name(c->tcptype));
	}
	if (c->generation >= 0 && !has_ext(c, "generation")) {
		put_str(o, " generation ");
		put_uint(o, (uint64_t)c->generation);
	}
	if (c->ufrag.len && !has_ext(c, "ufrag")) {
		put_str(o, " ufrag ");
		put_view(o, c->ufrag);
	}
	if (c->network_id >= 0 && !has_ext(c, "network-id")) {
		put_str(o, " network-id ");
		put_uint(o, (uint64_t)c->network_id);
	}
	if (c->network_cost >= 0 && !has_ext(c, "network-cost")) {
		put_str(o, " network-cost ");
		put_uint(o, (uint64_t)c->network_cost);
	}
}

size_t rtclab_candidate_format(const struct rtclab_candidate *c, char *buf, size_t len)
{
	struct out o = {buf, len, 0};
	put_str(&o, "candidate:");
	put_view(&o, c->foundation);
	put_str(&o, " ");
	put_uint(&o, c->component);
	put_str(&o, " ");
	if (c->transport_text.len)
		put_view(&o, c->transport_text);
	else
		put_str(&o, c->transport == RTCLAB_CAND_TCP ? "tcp" : "udp");
	put_str(&o, " ");
	put_uint(&o, c->priority);
	put_str(&o, " ");
	put_address(&o, c->address, &c->ip);
	put_str(&o, " ");
	put_uint(&o, c->port);
	put_str(&o, " typ ");
	put_str(&o, rtclab_cand_type_name(c->type));
	if (c->has_raddr) {
		put_str(&o, " raddr ");
		put_address(&o, c->raddr, &c->raddr_ip);
	}
	if (c->has_rport) {
		put_str(&o, " rport ");
		put_uint(&o, c->rport);
	}
	put_typed_extensions(&o, c);
	for (size_t i = 0; i < c->n_ext && i < RTCLAB_CAND_MAX_EXT; i++) {
		put_str(&o, " ");
		put_view(&o, c->ext[i].name);
		put_str(&o, " ");
		put_view(&o, c->ext[i].value);
	}
	if (len > 0)
		buf[o.n < len ? o.n : len - 1] = '\0';
	return o.n;
}

bool rtclab_candidate_lacks_tcptype(const struct rtclab_candidate *c, const char *line, size_t len)
{
	if (c->transport != RTCLAB_CAND_TCP || c->tcptype != RTCLAB_TCPTYPE_NONE)
		return false;
	for (size_t i = 0; i + 7 <= len; i++) /* no "tcptype" keyword anywhere */
		if (memcmp(line + i, "tcptype", 7) == 0)
			return false;
	return true;
}
