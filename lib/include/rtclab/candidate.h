/* rtclab/candidate.h - ICE candidates as SDP carries them (RFC 8839 5.1).
 *
 *   candidate:<foundation> <component> <transport> <priority>
 *             <connection-address> <port> typ <cand-type>
 *             [raddr <address>] [rport <port>] *(<extension-name> <extension-value>)
 *
 * Parsing never allocates: text fields are views into the caller's line.
 *
 * What rtclab accepts, where RFC 8839 leaves a choice:
 * - Fields are separated by exactly one space (SP in the grammar).  A tab,
 *   two spaces in a row, or a space at the start or the end of the line is
 *   RTCLAB_CAND_E_SPACING, except that an extension value may be empty
 *   (RFC 8839: extension-att-value = *VCHAR), which can only be written as
 *   two spaces in a row, or a space at the end of the line.
 * - The transport matches case-insensitively ("UDP" from Firefox, "udp"
 *   from Chrome) and keeps its spelling; the keywords typ, raddr, rport, the
 *   candidate types and the tcptype values must be lowercase, as every
 *   implementation writes them.
 * - Numbers are written without leading zeros ("0" itself is fine), so
 *   that rtclab_candidate_format can reproduce them.
 * - A TCP candidate needs a tcptype (RFC 6544 4.5).
 * - A connection address (and raddr) is an IPv4 address, an IPv6 address or
 *   a host name (RFC 1123 labels); a name whose last label is all digits,
 *   such as 192.168.0.274, is a broken IPv4 address, not a name.  A name
 *   ending in ".local" is RTCLAB_CAND_ADDR_MDNS.
 * - raddr must be followed by rport; both must come right after the type.
 * - Extension names are tokens (RFC 8839); values are any bytes but
 *   space and control characters (ASCII VCHAR, plus bytes 0x80-0xFF).
 */
#ifndef RTCLAB_CANDIDATE_H
#define RTCLAB_CANDIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtclab/addr.h"
#include "rtclab/bytes.h"

#ifdef __cplusplus
extern "C" {
#endif

enum rtclab_cand_type {
	RTCLAB_CAND_HOST = 0,  /* an address of the peer's own interface */
	RTCLAB_CAND_SRFLX,     /* server-reflexive: the NAT's public side, learned from STUN */
	RTCLAB_CAND_PRFLX,     /* peer-reflexive: learned from a connectivity check */
	RTCLAB_CAND_RELAY,     /* relayed: an address allocated on a TURN server */
};

enum rtclab_cand_transport {
	RTCLAB_CAND_UDP = 0,
	RTCLAB_CAND_TCP,       /* RFC 6544 ICE-TCP, with a tcptype */
};

enum rtclab_tcptype {
	RTCLAB_TCPTYPE_NONE = 0,
	RTCLAB_TCPTYPE_ACTIVE,  /* opens connections, port 9 (discard) in SDP */
	RTCLAB_TCPTYPE_PASSIVE, /* accepts connections */
	RTCLAB_TCPTYPE_SO,      /* simultaneous open */
};

enum rtclab_cand_addr_kind {
	RTCLAB_CAND_ADDR_IPV4 = 0,
	RTCLAB_CAND_ADDR_IPV6,
	RTCLAB_CAND_ADDR_FQDN,  /* a host name to resolve */
	RTCLAB_CAND_ADDR_MDNS,  /* "<uuid>.local": a browser hiding its private IP (mDNS ICE candidates) */
};

#define RTCLAB_CAND_MAX_EXT 16

struct rtclab_cand_ext {
	struct rtclab_str name;
	struct rtclab_str value;
};

struct rtclab_candidate {
	struct rtclab_str foundation;      /* 1-32 ice-chars */
	uint16_t component;                /* 1-256; 1 = RTP, 2 = RTCP */
	enum rtclab_cand_transport transport;
	struct rtclab_str transport_text;  /* as written ("UDP", "udp", "tcp") */
	uint32_t priority;                 /* 1 to 2^31-1 */
	struct rtclab_str address;         /* connection address as written */
	enum rtclab_cand_addr_kind address_kind;
	struct rtclab_addr ip;             /* address and port when address_kind is IPv4/IPv6 */
	uint16_t port;
	enum rtclab_cand_type type;
	bool has_raddr, has_rport;
	struct rtclab_str raddr;           /* related address: the base of a srflx/prflx/relay candidate */
	struct rtclab_addr raddr_ip;       /* when raddr is an IP address (with rport as port) */
	uint16_t rport;
	enum rtclab_tcptype tcptype;
	/* Well-known extensions, also kept in ext[] in their order.  The first
	 * occurrence of a name fills the field; a value that is not a number
	 * (generation 0-4294967295, network-id and network-cost 0-2147483647)
	 * leaves it absent but stays in ext[]. */
	int64_t generation;                /* -1 when absent */
	struct rtclab_str ufrag;           /* len 0 when absent */
	int32_t network_id, network_cost;  /* -1 when absent */
	size_t n_ext;                      /* every extension pair after typ/raddr/rport, in order,
					      tcptype included */
	struct rtclab_cand_ext ext[RTCLAB_CAND_MAX_EXT];
};

/* Why a candidate line was rejected.  Append only.  A field that is
 * missing because the line ends early gets that field's code, with the
 * column one past the end of the line. */
enum rtclab_cand_error {
	RTCLAB_CAND_OK = 0,
	RTCLAB_CAND_E_PREFIX,        /* neither "candidate:" nor a foundation where one was expected */
	RTCLAB_CAND_E_FOUNDATION,    /* empty, longer than 32 or not ice-chars */
	RTCLAB_CAND_E_COMPONENT,     /* not a number 1-256 */
	RTCLAB_CAND_E_TRANSPORT,     /* not UDP or TCP */
	RTCLAB_CAND_E_PRIORITY,      /* not a number 1 to 2^31-1 */
	RTCLAB_CAND_E_ADDRESS,       /* not an IPv4, IPv6 or host name */
	RTCLAB_CAND_E_PORT,          /* not a number 0-65535 */
	RTCLAB_CAND_E_TYP,           /* the "typ" keyword is missing */
	RTCLAB_CAND_E_TYPE,          /* not host, srflx, prflx or relay */
	RTCLAB_CAND_E_RADDR,         /* raddr without a valid address, or raddr out of place */
	RTCLAB_CAND_E_RPORT,         /* rport without a valid port, raddr without rport, or rport out of place */
	RTCLAB_CAND_E_TCPTYPE,       /* TCP without, or with a bad, tcptype; a tcptype on UDP, or twice */
	RTCLAB_CAND_E_EXTENSION,     /* an extension name that is not a token, or without a value */
	RTCLAB_CAND_E_TOO_MANY_EXT,  /* more than RTCLAB_CAND_MAX_EXT extensions */
	RTCLAB_CAND_E_TRUNCATED,     /* nothing after the prefix: an empty candidate */
	RTCLAB_CAND_E_BAD_CHAR,      /* a control character (NUL, CR or LF inside the line, DEL, ...) */
	RTCLAB_CAND_E_SPACING,       /* a tab, two spaces in a row, or a space at the start or end */
};

/* Parse one candidate: "a=candidate:...", "candidate:..." or the bare value
 * "<foundation> <component> ...".  Trailing CR and LF bytes are ignored.
 * The first problem from the left wins.  On error *column (if not NULL) is
 * the 1-based column in line of the offending field (of the byte itself for
 * E_BAD_CHAR and E_SPACING), len + 1 when a field is missing at the end;
 * *c is then only partly filled.  *column is 0 on success.
 * The missing tcptype of a TCP candidate is checked last: when that is the
 * error (RTCLAB_CAND_E_TCPTYPE with c->transport RTCLAB_CAND_TCP and
 * c->tcptype RTCLAB_TCPTYPE_NONE), every other field of *c is filled, so a
 * lenient caller may keep the candidate with a warning (old libwebrtc sent
 * such lines, with port 0). */
enum rtclab_cand_error rtclab_candidate_parse(struct rtclab_candidate *c, const char *line, size_t len,
					      size_t *column);

/* After RTCLAB_CAND_E_TCPTYPE: true when the only fault is a TCP candidate
 * with no tcptype at all (not a bad one), as browsers sent until 2014; the
 * other fields of c are then filled in and callers may keep it with a
 * warning. */
bool rtclab_candidate_lacks_tcptype(const struct rtclab_candidate *c, const char *line, size_t len);

/* What was expected, as a sentence that stands alone: "the transport must
 * be UDP or TCP" and so on. */
const char *rtclab_cand_error_str(enum rtclab_cand_error e);

/* The candidate as "candidate:..." (no "a=", no line end), fields as they
 * were written, so that format(parse(x)) == x for well-formed lines.
 * Returns the length it needs (like snprintf); writes at most len bytes,
 * NUL-terminated when len > 0.  For a candidate built by hand: an empty
 * transport_text is written "udp" or "tcp", an empty address (or raddr) is
 * written from ip (raddr_ip), and tcptype, generation, ufrag, network-id
 * and network-cost are written when set and not already in ext[]. */
size_t rtclab_candidate_format(const struct rtclab_candidate *c, char *buf, size_t len);

/* "host", "srflx", "prflx", "relay" ("unknown" out of range). */
const char *rtclab_cand_type_name(enum rtclab_cand_type t);
/* One or two plain sentences about a candidate type, for students. */
const char *rtclab_cand_type_explain(enum rtclab_cand_type t);
/* "active", "passive", "so"; "none" for RTCLAB_TCPTYPE_NONE. */
const char *rtclab_tcptype_name(enum rtclab_tcptype t);

#ifdef __cplusplus
}
#endif
#endif
