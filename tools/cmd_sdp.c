/* rtclab sdp: an SDP offer or answer read line by line, each line explained
 * in plain words with what it says in this description, then a summary
 * (sections, ICE credentials, DTLS, candidates) and the problems found by
 * the parser and the lint.  --pair checks an answer against its offer. */
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "rtclab/candidate.h"
#include "rtclab/ice.h"
#include "rtclab/sdp.h"
#include "rtclab/sdp_json.h"
#include "rtclab/story.h"
#include "tool.h"

#if defined(__GNUC__)
#define SDP_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define SDP_PRINTF(f, a)
#endif

void usage_sdp(FILE *out)
{
	fputs("usage: rtclab sdp [options] FILE|-\n"
	      "       rtclab sdp [options] --pair OFFER ANSWER\n"
	      "\n"
	      "Read an SDP offer or answer (steps 1 and 2 of a WebRTC connection) and explain\n"
	      "it line by line: what each line says in this description and why it matters,\n"
	      "with every problem under the line it belongs to.  A summary follows: media\n"
	      "sections, ICE credentials, DTLS fingerprint and role, candidates, problems.\n"
	      "\n"
	      "  --json               print JSON (docs/json.md) instead of text\n"
	      "  --brief              leave out the lines: only the summary and the problems\n"
	      "  --role ROLE          offer or answer: the lint rules that differ (a=setup);\n"
	      "                       default: guessed from a=setup (actpass: offer)\n"
	      "  --pair OFFER ANSWER  check ANSWER against OFFER: both descriptions' problems,\n"
	      "                       then whether the answer fits the offer (sections, mids,\n"
	      "                       BUNDLE, setup roles, codecs, directions, credentials)\n"
	      "  --color WHEN         auto (default), always or never (also --colour);\n"
	      "                       NO_COLOR in the environment turns auto off\n"
	      "\n"
	      "Exit status: 0 no errors (warnings alone are fine), 1 errors found, 2 usage\n"
	      "error or unreadable input.\n",
	      out);
}

/* --- text building ------------------------------------------------------------------ */

/* A sentence being built; long enough for any explanation, silently cut if not. */
struct sb {
	char buf[4096];
	size_t len;
};

static void sb_init(struct sb *b)
{
	b->len = 0;
	b->buf[0] = '\0';
}

static void SDP_PRINTF(2, 3) sb_printf(struct sb *b, const char *fmt, ...)
{
	size_t room = sizeof b->buf - b->len;
	if (room <= 1)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b->buf + b->len, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	b->len += (size_t)n < room ? (size_t)n : room - 1;
}

/* Text from the description, with control bytes (and every non-ASCII byte
 * when the text is not UTF-8) written as \xNN so nothing raw reaches the
 * terminal, and spaces kept. */
static void sb_str(struct sb *b, struct rtclab_str s)
{
	bool utf8 = rtclab_utf8_valid(s.ptr, s.len);
	for (size_t i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.ptr[i];
		if (c == '\\')
			sb_printf(b, "\\\\");
		else if (c < 0x20 || c == 0x7F || (c >= 0x80 && !utf8))
			sb_printf(b, "\\x%02x", c);
		else
			sb_printf(b, "%c", c);
	}
}

static void put_str(FILE *out, struct rtclab_str s)
{
	struct sb b;
	sb_init(&b);
	sb_str(&b, s);
	fputs(b.buf, out);
	if (b.len == sizeof b.buf - 1)
		fputs("...", out);
}

static struct rtclab_str mkstr(const char *p, size_t n)
{
	struct rtclab_str s = {p, n};
	return s;
}

static struct rtclab_str cstr(const char *p)
{
	return mkstr(p, strlen(p));
}

static bool str_same(struct rtclab_str a, struct rtclab_str b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static bool str_has(struct rtclab_str s, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; i + n <= s.len; i++)
		if (memcmp(s.ptr + i, needle, n) == 0)
			return true;
	return false;
}

/* Split the next space-separated field off *rest. */
static bool next_field(struct rtclab_str *rest, struct rtclab_str *field)
{
	while (rest->len && rest->ptr[0] == ' ')
		rest->ptr++, rest->len--;
	if (rest->len == 0)
		return false;
	const char *sp = memchr(rest->ptr, ' ', rest->len);
	size_t n = sp ? (size_t)(sp - rest->ptr) : rest->len;
	*field = mkstr(rest->ptr, n);
	rest->ptr += n;
	rest->len -= n;
	return true;
}

/* Split at the first c: before it in *head, after it in *tail; false when absent. */
static bool split_at(struct rtclab_str s, char c, struct rtclab_str *head, struct rtclab_str *tail)
{
	const char *p = memchr(s.ptr, c, s.len);
	if (!p) {
		*head = s;
		*tail = mkstr(s.ptr + s.len, 0);
		return false;
	}
	*head = mkstr(s.ptr, (size_t)(p - s.ptr));
	*tail = mkstr(p + 1, s.len - head->len - 1);
	return true;
}

static bool to_u64(struct rtclab_str s, uint64_t *out)
{
	uint64_t v = 0;
	if (s.len == 0 || s.len > 19)
		return false;
	for (size_t i = 0; i < s.len; i++) {
		if (s.ptr[i] < '0' || s.ptr[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s.ptr[i] - '0');
	}
	*out = v;
	return true;
}

/* --- what the description holds ----------------------------------------------------- */

static const struct rtclab_sdp_media *media_of(const struct rtclab_sdp *sdp, const struct rtclab_sdp_line *l)
{
	return l->section >= 0 && (size_t)l->section < sdp->n_media ? &sdp->media[l->section] : NULL;
}

/* Does the section's ice-options include trickle? */
static bool trickles(const struct rtclab_sdp_media *m)
{
	struct rtclab_str rest = m->ice.options, tok;
	while (next_field(&rest, &tok))
		if (rtclab_str_eq(tok, "trickle"))
			return true;
	return false;
}

static bool is_rtp(const struct rtclab_sdp_media *m)
{
	return str_has(m->proto, "RTP/");
}

static const struct rtclab_sdp_codec *codec_of(const struct rtclab_sdp *sdp, const struct rtclab_sdp_media *m,
					       struct rtclab_str pt)
{
	uint64_t v;
	if (!m || !to_u64(pt, &v) || v > 127)
		return NULL;
	return rtclab_sdp_codec_find(sdp, m, (uint32_t)v);
}

/* "opus" or "payload type 96" */
static void sb_codec_name(struct sb *b, const struct rtclab_sdp_codec *c, uint32_t pt)
{
	if (c && c->name.len)
		sb_str(b, c->name);
	else
		sb_printf(b, "payload type %" PRIu32, pt);
}

/* What a format is called in lists: its codec name, else the format as written. */
static struct rtclab_str format_key(const struct rtclab_sdp *sdp, const struct rtclab_sdp_media *m, size_t i)
{
	struct rtclab_str f = sdp->formats[m->first_format + i];
	const struct rtclab_sdp_codec *c = is_rtp(m) ? codec_of(sdp, m, f) : NULL;
	return c && c->name.len ? c->name : f;
}

/* The codec names of a section in m= line order, repeats counted: "opus, red, CN x2". */
static void sb_codec_list(struct sb *b, const struct rtclab_sdp *sdp, const struct rtclab_sdp_media *m)
{
	bool first = true;
	for (size_t i = 0; i < m->n_formats; i++) {
		struct rtclab_str key = format_key(sdp, m, i);
		bool seen = false;
		size_t count = 0;
		for (size_t k = 0; k < m->n_formats; k++)
			if (str_same(key, format_key(sdp, m, k))) {
				seen |= k < i;
				count++;
			}
		if (seen)
			continue;
		sb_printf(b, "%s", first ? "" : ", ");
		first = false;
		const struct rtclab_sdp_codec *c = codec_of(sdp, m, sdp->formats[m->first_format + i]);
		if (is_rtp(m) && !(c && c->name.len))
			sb_printf(b, "payload type ");
		sb_str(b, key);
		if (count > 1)
			sb_printf(b, " x%zu", count);
	}
}

static const char *kind_phrase(struct rtclab_str kind)
{
	if (rtclab_str_eq(kind, "audio"))
		return "An audio section";
	if (rtclab_str_eq(kind, "video"))
		return "A video section";
	if (rtclab_str_eq(kind, "application"))
		return "A data channel section";
	return NULL;
}

/* What flows in a section: "audio", "video", "data". */
static struct rtclab_str kind_noun(const struct rtclab_sdp_media *m)
{
	if (!m)
		return cstr("media");
	if (rtclab_str_eq(m->kind, "application"))
		return cstr("data");
	return m->kind;
}

/* What a transport protocol of an m= line means. */
static const char *proto_phrase(struct rtclab_str p)
{
	static const struct {
		const char *proto, *what;
	} protos[] = {
		{"UDP/TLS/RTP/SAVPF", "SRTP keyed by DTLS, over ICE (UDP, or TCP candidates), with RTCP feedback: "
				      "what browsers use"},
		{"TCP/TLS/RTP/SAVPF", "SRTP keyed by DTLS over TCP, with RTCP feedback"},
		{"UDP/TLS/RTP/SAVP", "SRTP keyed by DTLS, without RTCP feedback"},
		{"RTP/SAVPF", "SRTP with RTCP feedback, the older name: keys come from DTLS when there is a "
			      "fingerprint, else from a=crypto lines in the SDP itself"},
		{"RTP/SAVP", "SRTP without RTCP feedback (keys from DTLS or from a=crypto)"},
		{"RTP/AVPF", "plain, unencrypted RTP with RTCP feedback: browsers refuse it"},
		{"RTP/AVP", "plain, unencrypted RTP: browsers refuse it, WebRTC always encrypts"},
		{"UDP/DTLS/SCTP", "data channels: SCTP inside DTLS, over ICE"},
		{"TCP/DTLS/SCTP", "data channels: SCTP inside DTLS, over TCP"},
		{"DTLS/SCTP", "data channels: SCTP inside DTLS, the older spelling that goes with a=sctpmap"},
		{"TCP", "a plain TCP connection (not WebRTC)"},
		{"udp", "plain UDP (not WebRTC)"},
	};
	for (size_t i = 0; i < sizeof protos / sizeof protos[0]; i++)
		if (rtclab_str_eq(p, protos[i].proto))
			return protos[i].what;
	return NULL;
}

/* --- explaining one line ----------------------------------------------------------------- */

struct ctx {
	const struct rtclab_sdp *sdp;
	enum rtclab_sdp_role role;
	bool priority_told; /* the parts of a priority were explained once */
};

static const char *role_verb(enum rtclab_sdp_role r)
{
	return r == RTCLAB_SDP_ROLE_OFFER ? "offered" : r == RTCLAB_SDP_ROLE_ANSWER ? "accepted" : "listed";
}

static bool is_placeholder_ip(struct rtclab_str a)
{
	return rtclab_str_eq(a, "0.0.0.0") || rtclab_str_eq(a, "::") || rtclab_str_eq(a, "127.0.0.1") ||
	       rtclab_str_eq(a, "::1");
}

static void explain_origin(struct sb *b, const struct rtclab_sdp *sdp)
{
	if (sdp->origin.line == 0)
		return;
	sb_printf(b, "Made by ");
	if (rtclab_str_eq(sdp->origin.username, "-"))
		sb_printf(b, "a peer that gives no user name (\"-\")");
	else {
		sb_printf(b, "user \"");
		sb_str(b, sdp->origin.username);
		sb_printf(b, "\"");
	}
	sb_printf(b, "; session id ");
	sb_str(b, sdp->origin.session_id);
	sb_printf(b, ", version %" PRIu64 " (it goes up each time this peer sends a new description in the same "
		     "session). ", sdp->origin.session_version);
	if (is_placeholder_ip(sdp->origin.address)) {
		sb_printf(b, "The address ");
		sb_str(b, sdp->origin.address);
		sb_printf(b, " is a placeholder, as browsers write it: no connection uses it.");
	} else {
		sb_printf(b, "The address ");
		sb_str(b, sdp->origin.address);
		sb_printf(b, " names the machine that made it; no connection uses it.");
	}
}

static void explain_connection(struct sb *b, const struct rtclab_sdp_line *l)
{
	struct rtclab_str rest = l->value, nettype, addrtype, address, ttl;
	if (!next_field(&rest, &nettype) || !next_field(&rest, &addrtype) || !next_field(&rest, &address))
		return;
	struct rtclab_str host;
	bool has_slash = split_at(address, '/', &host, &ttl);
	if (rtclab_str_eq(host, "0.0.0.0") || rtclab_str_eq(host, "::")) {
		sb_printf(b, "A placeholder address (");
		sb_str(b, host);
		sb_printf(b, "): with ICE the candidates carry the real addresses.");
	} else if (has_slash) {
		sb_printf(b, "A multicast address, ");
		sb_str(b, host);
		sb_printf(b, ", with TTL and address count ");
		sb_str(b, ttl);
		sb_printf(b, ". WebRTC never uses multicast.");
	} else {
		sb_printf(b, "Media is expected at ");
		sb_str(b, host);
		sb_printf(b, " (%s). With ICE this is only the address of the default candidate; the checks of "
			     "step 6 find the real path.", rtclab_str_eq(addrtype, "IP6") ? "IPv6" : "IPv4");
	}
	if (l->section < 0)
		sb_printf(b, " At session level: it applies to every section without a c= line of its own.");
}

static void explain_bandwidth(struct sb *b, const struct rtclab_sdp_line *l)
{
	struct rtclab_str type, value;
	if (!split_at(l->value, ':', &type, &value))
		return;
	const char *level = l->section >= 0 ? "section" : "session";
	const char *unit = NULL, *what = NULL, *tail = "";
	if (rtclab_str_eq(type, "AS"))
		unit = "kbit/s", what = "for this ", tail = " (AS: application specific, the usual limit)";
	else if (rtclab_str_eq(type, "CT"))
		unit = "kbit/s", what = "for the whole conference (CT: conference total)", level = "";
	else if (rtclab_str_eq(type, "TIAS"))
		unit = "bit/s", what = "for this ", tail = ", not counting IP, UDP and RTP headers (TIAS, RFC 3890)";
	else if (rtclab_str_eq(type, "RS"))
		unit = "bit/s", what = "of RTCP for the senders (RS, RFC 3556)", level = "";
	else if (rtclab_str_eq(type, "RR"))
		unit = "bit/s", what = "of RTCP for the receivers (RR, RFC 3556)", level = "";
	if (!unit) {
		sb_printf(b, "Bandwidth type \"");
		sb_str(b, type);
		sb_printf(b, "\", which RFC 8866 does not define: a receiver ignores it.");
		return;
	}
	sb_printf(b, "At most ");
	sb_str(b, value);
	sb_printf(b, " %s ", unit);
	sb_printf(b, "%s%s%s.", what, level, tail);
}

static void explain_media(struct sb *b, const struct ctx *x, const struct rtclab_sdp_line *l)
{
	const struct rtclab_sdp *sdp = x->sdp;
	const struct rtclab_sdp_media *m = media_of(sdp, l);
	if (!m || m->line != l->number || m->proto.len == 0)
		return;
	const char *kind = kind_phrase(m->kind);
	if (kind) {
		sb_printf(b, "%s", kind);
	} else {
		sb_printf(b, "A media section of kind \"");
		sb_str(b, m->kind);
		sb_printf(b, "\"");
	}
	if (m->mid.len) {
		sb_printf(b, " (mid ");
		sb_str(b, m->mid);
		sb_printf(b, ")");
	} else if (m->port != 0 || m->bundle_only) {
		sb_printf(b, " without a mid");
	}
	sb_printf(b, "; ");
	if (m->port == 0) {
		if (m->bundle_only)
			sb_printf(b, "port 0 because it is bundle-only: it will use the transport of its BUNDLE group");
		else if (x->role == RTCLAB_SDP_ROLE_ANSWER)
			sb_printf(b, "port 0: the answerer rejects this section");
		else
			sb_printf(b, "port 0: the section is turned off (rejected, or stopped)");
	} else if (m->port == 9 && (m->ice.ufrag_line || m->n_candidates)) {
		sb_printf(b, "port 9 (discard) is a placeholder: the real ports are in the candidates");
		if (m->n_candidates == 0 && trickles(m))
			sb_printf(b, ", which will be trickled (step 5), since none are in this description");
		else if (m->n_candidates == 0)
			sb_printf(b, ", though none are in this description");
	} else {
		bool in_cand = false;
		for (size_t i = 0; i < m->n_candidates && !in_cand; i++)
			in_cand = sdp->candidates[m->first_candidate + i].port == m->port;
		sb_printf(b, "port %" PRIu32 "%s", m->port,
			  in_cand ? ", the port of its default candidate (ICE may pick another pair)" : "");
	}
	if (m->port_count > 1)
		sb_printf(b, ", %" PRIu32 " ports in a row", m->port_count);
	const char *proto = proto_phrase(m->proto);
	sb_printf(b, "; ");
	sb_str(b, m->proto);
	if (proto)
		sb_printf(b, " means %s", proto);
	else
		sb_printf(b, " is a transport protocol rtclab does not know");
	if (is_rtp(m)) {
		sb_printf(b, "; %zu %s %s: ", m->n_formats, m->n_formats == 1 ? "codec" : "codecs", role_verb(x->role));
		sb_codec_list(b, sdp, m);
	} else if (m->n_formats) {
		sb_printf(b, "; format ");
		struct rtclab_str f = sdp->formats[m->first_format];
		sb_str(b, f);
		if (rtclab_str_eq(f, "webrtc-datachannel"))
			sb_printf(b, ": WebRTC data channels");
		else if (m->sctp_port >= 0 && str_has(m->proto, "SCTP"))
			sb_printf(b, ": the SCTP port, in the old a=sctpmap syntax");
	}
	sb_printf(b, ".");
}

/* Is the priority explained part by part (the first time, or an unusual type preference)? */
static bool priority_in_full(const struct ctx *x, const struct rtclab_candidate *c)
{
	return !x->priority_told || (c->priority >> 24) != rtclab_ice_type_preference(c->type);
}

/* The priority as its formula; what the parts mean the first time, and
 * again when the type preference is not the one RFC 8445 recommends. */
static void sb_priority(struct sb *b, struct ctx *x, const struct rtclab_candidate *c)
{
	char buf[1024];
	size_t n = rtclab_ice_priority_explain(c->priority, buf, sizeof buf);
	if (n == 0 || buf[0] == '\0') {
		sb_printf(b, " Priority %" PRIu32 ".", c->priority);
		return;
	}
	const char *end = strstr(buf, "). ");
	if (end && !priority_in_full(x, c))
		sb_printf(b, " Priority %.*s", (int)(end - buf + 2), buf);
	else
		sb_printf(b, " Priority %s", buf);
	x->priority_told = true;
}

static void explain_candidate(struct sb *b, struct ctx *x, const struct rtclab_sdp_line *l)
{
	const struct rtclab_sdp *sdp = x->sdp;
	if (!l->valid || l->candidate >= sdp->n_candidates || sdp->candidate_lines[l->candidate] != l->number)
		return;
	const struct rtclab_candidate *c = &sdp->candidates[l->candidate];
	static const char *const long_names[] = {"host", "server-reflexive (srflx)", "peer-reflexive (prflx)",
						 "relay"};
	const char *type = (unsigned)c->type < 4 ? long_names[c->type] : "unknown";
	sb_printf(b, "A %s candidate: ", type);
	sb_str(b, c->transport_text);
	sb_printf(b, ", ");
	if (c->address_kind == RTCLAB_CAND_ADDR_MDNS) {
		sb_printf(b, "the mDNS name ");
		sb_str(b, c->address);
	} else {
		sb_printf(b, "%s ", c->address_kind == RTCLAB_CAND_ADDR_IPV6   ? "IPv6"
				    : c->address_kind == RTCLAB_CAND_ADDR_IPV4 ? "IPv4"
									     : "host name");
		sb_str(b, c->address);
	}
	const struct rtclab_sdp_media *m = media_of(sdp, l);
	bool rtp = m && is_rtp(m);
	/* The priority's explanation in full says what the component is. */
	bool said = priority_in_full(x, c);
	const char *what = "";
	if (rtp && !said)
		what = c->component == 1 ? " (RTP, and RTCP too with rtcp-mux)" : c->component == 2 ? " (RTCP)" : "";
	sb_printf(b, " port %u, component %u%s.", c->port, c->component, what);
	if (c->address_kind == RTCLAB_CAND_ADDR_MDNS)
		sb_printf(b, " The browser hides its private address behind a random name that only machines on "
			     "the same local network can resolve (mDNS), so the page cannot learn it.");
	if (c->transport == RTCLAB_CAND_TCP) {
		if (c->tcptype == RTCLAB_TCPTYPE_ACTIVE)
			sb_printf(b, " ICE over TCP, active: this peer opens the connection and never accepts one, so "
				     "the port (%u) means nothing.", c->port);
		else if (c->tcptype == RTCLAB_TCPTYPE_PASSIVE)
			sb_printf(b, " ICE over TCP, passive: this peer accepts connections on this port.");
		else if (c->tcptype == RTCLAB_TCPTYPE_SO)
			sb_printf(b, " ICE over TCP, simultaneous open: both sides connect at the same time.");
	}
	if (c->has_raddr) {
		sb_printf(b, " Related address ");
		sb_str(b, c->raddr);
		sb_printf(b, " port %u: ", c->rport);
		if (rtclab_str_eq(c->raddr, "0.0.0.0") || rtclab_str_eq(c->raddr, "::"))
			sb_printf(b, "hidden, as browsers do to keep private addresses private.");
		else if (str_same(c->raddr, c->address) && c->rport == c->port)
			sb_printf(b, "the candidate's own address again, which tells nothing more (related addresses "
				     "only help diagnostics).");
		else if (c->type == RTCLAB_CAND_SRFLX)
			sb_printf(b, "the base, the private address the NAT translated into this public one (learned "
				     "from a STUN server in step 4).");
		else if (c->type == RTCLAB_CAND_RELAY)
			sb_printf(b, "the address the TURN server saw this peer at when it allocated the relay.");
		else if (c->type == RTCLAB_CAND_PRFLX)
			sb_printf(b, "the base this peer-reflexive address was learned on.");
		else
			sb_printf(b, "a host candidate needs none.");
	} else if (c->type == RTCLAB_CAND_SRFLX) {
		sb_printf(b, " Learned from a STUN server in step 4: the NAT's public side.");
	} else if (c->type == RTCLAB_CAND_RELAY) {
		sb_printf(b, " A port on a TURN server that forwards packets: the path of last resort.");
	}
	sb_priority(b, x, c);
	if (c->generation >= 0)
		sb_printf(b, " Generation %" PRId64 " (it goes up with each ICE restart).", c->generation);
	if (c->network_id >= 0)
		sb_printf(b, " network-id %" PRId32 " names the interface", c->network_id);
	if (c->network_cost >= 0)
		sb_printf(b, "%s network-cost %" PRId32 " says how costly it is to use (higher for cellular)",
			  c->network_id >= 0 ? "," : "", c->network_cost);
	if (c->network_id >= 0 || c->network_cost >= 0)
		sb_printf(b, ".");
	if (c->ufrag.len) {
		sb_printf(b, " ufrag ");
		sb_str(b, c->ufrag);
		sb_printf(b, ": the ICE credentials it belongs to.");
	}
}

static bool in_bundle(const struct rtclab_sdp *sdp, const struct rtclab_sdp_media *m)
{
	for (size_t g = 0; g < sdp->n_groups; g++)
		for (size_t i = 0; m->mid.len && i < sdp->groups[g].n_mids; i++)
			if (rtclab_str_eq(sdp->groups[g].semantics, "BUNDLE") &&
			    str_same(sdp->group_mids[sdp->groups[g].first_mid + i], m->mid))
				return true;
	return false;
}

/* " The same as in section 1." when an earlier section has this value. */
static void sb_same_earlier(struct sb *b, const struct ctx *x, const struct rtclab_sdp_line *l)
{
	const struct rtclab_sdp *sdp = x->sdp;
	if (l->section <= 0 || (size_t)l->section >= sdp->n_media)
		return;
	for (int k = 0; k < l->section; k++) {
		const struct rtclab_sdp_media *m = &sdp->media[k];
		for (uint32_t n = m->line; n <= m->last_line && n <= sdp->n_lines; n++) {
			const struct rtclab_sdp_line *o = &sdp->lines[n - 1];
			if (o->attr == l->attr && str_same(o->attr_value, l->attr_value)) {
				sb_printf(b, " The same as in section %d%s.", k + 1,
					  in_bundle(sdp, &sdp->media[l->section]) && in_bundle(sdp, m)
						  ? ": the sections are bundled, so they share one transport"
						  : "");
				return;
			}
		}
	}
}

static void explain_ufrag(struct sb *b, const struct rtclab_sdp_line *l)
{
	struct rtclab_str u = l->attr_value;
	sb_printf(b, "Username fragment \"");
	sb_str(b, u);
	sb_printf(b, "\" (%zu characters). Checks sent to this peer carry USERNAME \"", u.len);
	sb_str(b, u);
	sb_printf(b, ":<other peer's ufrag>\"; checks it sends carry \"<other peer's ufrag>:");
	sb_str(b, u);
	sb_printf(b, "\".");
	if (l->section < 0)
		sb_printf(b, " At session level: it applies to every section without its own.");
}

static void explain_pwd(struct sb *b, const struct rtclab_sdp_line *l)
{
	sb_printf(b, "A password of %zu characters. The other peer signs the checks it sends here with it "
		     "(the MESSAGE-INTEGRITY key); rtclab stun decode --password verifies such a check.",
		  l->attr_value.len);
	if (l->section < 0)
		sb_printf(b, " At session level: it applies to every section without its own.");
}

static void explain_ice_options(struct sb *b, const struct rtclab_sdp_line *l)
{
	struct rtclab_str rest = l->attr_value, tok;
	bool first = true;
	while (next_field(&rest, &tok)) {
		sb_printf(b, "%s", first ? "" : " ");
		first = false;
		if (rtclab_str_eq(tok, "trickle"))
			sb_printf(b, "trickle: candidates may come later, one by one over signaling (step 5), so the "
				     "other side need not wait for them all.");
		else if (rtclab_str_eq(tok, "renomination"))
			sb_printf(b, "renomination: the controlling peer may nominate another pair later.");
		else if (rtclab_str_eq(tok, "ice2"))
			sb_printf(b, "ice2: this peer follows RFC 8445 rather than the older RFC 5245.");
		else {
			sb_str(b, tok);
			sb_printf(b, ": an option rtclab does not know; a peer ignores options it does not know.");
		}
	}
}

static void explain_fingerprint(struct sb *b, const struct rtclab_sdp_line *l)
{
	struct rtclab_str rest = l->attr_value, hash, value;
	if (!l->valid || !next_field(&rest, &hash) || !next_field(&rest, &value))
		return;
	size_t bytes = rtclab_sdp_fingerprint_hash_len(hash);
	sb_str(b, hash);
	sb_printf(b, " hash (%zu bytes) of this peer's DTLS certificate, ", bytes);
	if (value.len > 17) {
		sb_str(b, mkstr(value.ptr, 8));
		sb_printf(b, "...");
		sb_str(b, mkstr(value.ptr + value.len - 5, 5));
	} else {
		sb_str(b, value);
	}
	sb_printf(b, ". When DTLS starts after the step 6 checks, the certificate this peer presents must "
		     "hash to this value, or the other side drops the connection.");
	if (l->section < 0)
		sb_printf(b, " At session level: it applies to every section without its own.");
}

static void explain_setup(struct sb *b, const struct ctx *x, const struct rtclab_sdp_line *l)
{
	struct rtclab_str v = l->attr_value;
	const struct rtclab_sdp_media *m = media_of(x->sdp, l);
	/* RFC 4145 is about TCP connections; RFC 5763 applies it to DTLS. */
	if (m && rtclab_str_eq(m->proto, "TCP")) {
		if (rtclab_str_eq(v, "active"))
			sb_printf(b, "active: this peer opens the TCP connection.");
		else if (rtclab_str_eq(v, "passive"))
			sb_printf(b, "passive: this peer waits for the other side to open the TCP connection.");
		else if (rtclab_str_eq(v, "actpass"))
			sb_printf(b, "actpass: this peer can open the TCP connection or wait for it.");
		else if (rtclab_str_eq(v, "holdconn"))
			sb_printf(b, "holdconn: no TCP connection for now.");
		return;
	}
	const char *offer_note = x->role == RTCLAB_SDP_ROLE_OFFER ? " An offer should say actpass instead." : "";
	if (rtclab_str_eq(v, "actpass"))
		sb_printf(b, "actpass: this peer can be DTLS client or server and lets the answer decide; "
			     "answers nearly always say active, so the answerer sends the DTLS ClientHello.");
	else if (rtclab_str_eq(v, "active"))
		sb_printf(b, "active: this peer is the DTLS client: once a candidate pair works it sends the "
			     "ClientHello.%s", offer_note);
	else if (rtclab_str_eq(v, "passive"))
		sb_printf(b, "passive: this peer is the DTLS server: it waits for the other side's "
			     "ClientHello.%s", offer_note);
	else if (rtclab_str_eq(v, "holdconn"))
		sb_printf(b, "holdconn: no DTLS connection for now.");
	if (l->valid && l->section < 0)
		sb_printf(b, " At session level: it applies to every section without its own.");
}

static void explain_group(struct sb *b, const struct ctx *x, const struct rtclab_sdp_line *l)
{
	const struct rtclab_sdp *sdp = x->sdp;
	const struct rtclab_sdp_group *g = NULL;
	for (size_t i = 0; i < sdp->n_groups && !g; i++)
		if (sdp->groups[i].line == l->number)
			g = &sdp->groups[i];
	if (!g)
		return;
	bool bundle = rtclab_str_eq(g->semantics, "BUNDLE"), ls = rtclab_str_eq(g->semantics, "LS");
	if (bundle)
		sb_printf(b, "A BUNDLE group of %zu %s: ", g->n_mids, g->n_mids == 1 ? "section" : "sections");
	else if (ls)
		sb_printf(b, "A lip-sync group (LS) of %zu sections: ", g->n_mids);
	else {
		sb_printf(b, "A group \"");
		sb_str(b, g->semantics);
		sb_printf(b, "\" of %zu sections: ", g->n_mids);
	}
	for (size_t i = 0; i < g->n_mids; i++) {
		struct rtclab_str mid = sdp->group_mids[g->first_mid + i];
		const struct rtclab_sdp_media *m = NULL;
		for (size_t k = 0; k < sdp->n_media && !m; k++)
			if (str_same(sdp->media[k].mid, mid))
				m = &sdp->media[k];
		sb_printf(b, "%smid ", i ? ", " : "");
		sb_str(b, mid);
		if (m) {
			sb_printf(b, " (");
			sb_str(b, m->kind);
			sb_printf(b, ", line %" PRIu32 ")", m->line);
		} else {
			sb_printf(b, " (no section has it)");
		}
	}
	if (bundle && g->n_mids) {
		sb_printf(b, ". They share one transport, so ICE and DTLS run once; the first, mid ");
		sb_str(b, sdp->group_mids[g->first_mid]);
		sb_printf(b, ", is the section whose transport they use.");
	} else if (ls) {
		sb_printf(b, ". Their media is played in sync.");
	} else {
		sb_printf(b, ".");
	}
}

static void explain_mid(struct sb *b, const struct ctx *x, const struct rtclab_sdp_line *l)
{
	const struct rtclab_sdp *sdp = x->sdp;
	sb_printf(b, "This section's mid is \"");
	sb_str(b, l->attr_value);
	sb_printf(b, "\"");
	for (size_t g = 0; g < sdp->n_groups; g++)
		for (size_t i = 0; i < sdp->groups[g].n_mids; i++)
			if (str_same(sdp->group_mids[sdp->groups[g].first_mid + i], l->attr_value)) {
				sb_printf(b, "; the ");
				sb_str(b, sdp->groups[g].semantics);
				sb_printf(b, " group on line %" PRIu32 " names it", sdp->groups[g].line);
			}
	sb_printf(b, ". Trickled candidates for this section carry it as their sdpMid.");
}

static void explain_msid(struct sb *b, const struct rtclab_sdp_line *l)
{
	struct rtclab_str rest = l->attr_value, stream, track;
	if (!next_field(&rest, &stream))
		return;
	if (rtclab_str_eq(stream, "-")) {
		sb_printf(b, "No stream (\"-\")");
	} else {
		sb_printf(b, "Stream \"");
		sb_str(b, stream);
		sb_printf(b, "\"");
	}
	if (next_field(&rest, &track)) {
		sb_printf(b, "; track \"");
		sb_str(b, track);
		sb_printf(b, "\"");
	}
	sb_printf(b, ".");
}

static void explain_msid_semantic(struct sb *b, const struct rtclab_sdp_line *l)
{
	struct rtclab_str rest = l->attr_value, sem, id;
	if (!next_field(&rest, &sem))
		return;
	sb_str(b, sem);
	if (rtclab_str_eq(sem, "WMS"))
		sb_printf(b, ": WebRTC MediaStreams");
	size_t n = 0;
	while (next_field(&rest, &id)) {
		sb_printf(b, "%s", n++ ? ", " : "; streams listed: ");
		sb_str(b, id);
	}
	sb_printf(b, ".");
}

static const struct {
	const char *uri_part, *what;
} extmap_notes[] = {
	{"ssrc-audio-level", "the audio level of each packet, so a server can tell who is speaking"},
	{"csrc-audio-level", "the audio levels of the mixed-in sources"},
	{"abs-send-time", "when the packet was sent, for bandwidth estimation"},
	{"transport-wide-cc", "a sequence number across all streams, for transport-cc bandwidth estimation"},
	{"sdes:mid", "the mid, so a receiver can tell which section a packet belongs to on a bundled transport"},
	{"sdes:repaired-rtp-stream-id", "the rid of the stream a retransmission repairs"},
	{"sdes:rtp-stream-id", "the rid, which names the simulcast layer"},
	{"toffset", "a transmission time offset"},
	{"video-orientation", "the rotation of the camera image"},
	{"playout-delay", "limits on how long the receiver buffers video"},
	{"video-content-type", "whether the video is a screen share"},
	{"video-timing", "timing of the frame through the sender, for statistics"},
	{"color-space", "the colour space of the video"},
	{"abs-capture-time", "when the media was captured"},
	{"dependency-descriptor", "how the frames of a scalable video stream depend on each other"},
	{"video-layers-allocation", "which simulcast or scalable layers are being sent"},
};

static void explain_extmap(struct sb *b, const struct rtclab_sdp_line *l)
{
	struct rtclab_str rest = l->attr_value, id, uri, num, dir;
	if (!next_field(&rest, &id) || !next_field(&rest, &uri))
		return;
	bool has_dir = split_at(id, '/', &num, &dir);
	sb_printf(b, "Header extension number ");
	sb_str(b, num);
	sb_printf(b, " carries ");
	const char *what = NULL;
	for (size_t i = 0; i < sizeof extmap_notes / sizeof extmap_notes[0] && !what; i++)
		if (str_has(uri, extmap_notes[i].uri_part))
			what = extmap_notes[i].what;
	if (what)
		sb_printf(b, "%s", what);
	else
		sb_printf(b, "the extension named by its URI");
	if (has_dir) {
		sb_printf(b, ", ");
		sb_str(b, dir);
	}
	sb_printf(b, ".");
}

static void explain_direction(struct sb *b, const struct ctx *x, const struct rtclab_sdp_line *l)
{
	const struct rtclab_sdp_media *m = media_of(x->sdp, l);
	struct rtclab_str kind = kind_noun(m);
	switch (l->attr) {
	case RTCLAB_SDP_ATTR_SENDRECV:
		sb_printf(b, "This peer sends and receives ");
		break;
	case RTCLAB_SDP_ATTR_SENDONLY:
		sb_printf(b, "This peer only sends ");
		break;
	case RTCLAB_SDP_ATTR_RECVONLY:
		sb_printf(b, "This peer only receives ");
		break;
	default:
		sb_printf(b, "Neither side sends ");
		break;
	}
	sb_str(b, kind);
	sb_printf(b, " in this section.");
	if (x->role == RTCLAB_SDP_ROLE_OFFER && l->attr == RTCLAB_SDP_ATTR_SENDONLY)
		sb_printf(b, " The answer will say recvonly or inactive.");
	else if (x->role == RTCLAB_SDP_ROLE_OFFER && l->attr == RTCLAB_SDP_ATTR_RECVONLY)
		sb_printf(b, " The answer will say sendonly or inactive.");
}

static void explain_rtcp(struct sb *b, const struct ctx *x, const struct rtclab_sdp_line *l)
{
	const struct rtclab_sdp_media *m = media_of(x->sdp, l);
	struct rtclab_str rest = l->attr_value, port;
	if (!next_field(&rest, &port))
		return;
	sb_printf(b, "RTCP on port ");
	sb_str(b, port);
	while (rest.len && rest.ptr[0] == ' ')
		rest.ptr++, rest.len--;
	if (rest.len) {
		sb_printf(b, " (");
		sb_str(b, rest);
		sb_printf(b, ")");
	}
	if (m && m->rtcp_mux)
		sb_printf(b, ": a leftover for old peers, since with rtcp-mux RTCP shares the RTP port.");
	else
		sb_printf(b, ".");
}

static void explain_rtcp_mux(struct sb *b, const struct ctx *x, const struct rtclab_sdp_line *l)
{
	const struct rtclab_sdp_media *m = media_of(x->sdp, l);
	sb_printf(b, "RTCP shares the RTP port: this section needs component 1 candidates only.");
	size_t two = 0;
	for (size_t i = 0; m && i < m->n_candidates; i++)
		two += x->sdp->candidates[m->first_candidate + i].component == 2;
	if (two)
		sb_printf(b, " The %zu component 2 candidates here are for a peer that would refuse rtcp-mux.", two);
}

static const struct {
	const char *name, *what;
} codec_notes[] = {
	{"opus", "the audio codec every WebRTC browser has"},
	{"red", "redundant audio: each packet repeats earlier ones, to survive packet loss"},
	{"rtx", "retransmission: lost packets are sent again as this payload type"},
	{"ulpfec", "forward error correction, to rebuild lost packets"},
	{"flexfec-03", "forward error correction, to rebuild lost packets"},
	{"telephone-event", "key presses (DTMF), RFC 4733"},
	{"CN", "comfort noise, sent during silence"},
	{"PCMU", "G.711 mu-law, the old telephone codec"},
	{"PCMA", "G.711 A-law, the old telephone codec"},
	{"G722", "wideband telephone audio"},
	{"ISAC", "an older Google audio codec"},
	{"ILBC", "an older low-bitrate audio codec"},
	{"VP8", "a video codec every WebRTC browser has"},
	{"VP9", "a video codec with scalable layers"},
	{"AV1", "a newer video codec"},
	{"H264", "a video codec every WebRTC browser has; the fmtp says which profile"},
	{"H265", "a newer video codec"},
};

static const char *codec_note(struct rtclab_str name)
{
	for (size_t i = 0; i < sizeof codec_notes / sizeof codec_notes[0]; i++)
		if (rtclab_str_ieq(name, codec_notes[i].name))
			return codec_notes[i].what;
	return NULL;
}

static void explain_rtpmap(struct sb *b, const struct ctx *x, const struct rtclab_sdp_line *l)
{
	const struct rtclab_sdp_media *m = media_of(x->sdp, l);
	struct rtclab_str rest = l->attr_value, pt;
	if (!l->valid || !next_field(&rest, &pt))
		return;
	const struct rtclab_sdp_codec *c = codec_of(x->sdp, m, pt);
	if (!c || c->rtpmap_line != l->number)
		return;
	sb_printf(b, "Payload type %" PRIu32 " is ", c->payload);
	sb_str(b, c->name);
	sb_printf(b, ", clock rate %" PRIu32 " Hz", c->clock_rate);
	if (c->channels)
		sb_printf(b, ", %" PRIu32 " channel%s", c->channels, c->channels == 1 ? "" : "s");
	const char *note = codec_note(c->name);
	if (note)
		sb_printf(b, "; %s", note);
	sb_printf(b, ".");
	if (c->payload < 35)
		sb_printf(b, " Payload type %" PRIu32 " is static (RFC 3551 6), so this line only confirms it.",
			  c->payload);
}

static void explain_fmtp_params(struct sb *b, const struct ctx *x, const struct rtclab_sdp_media *m,
				const struct rtclab_sdp_codec *c, struct rtclab_str params)
{
	if (c && rtclab_str_ieq(c->name, "red")) {
		struct rtclab_str first, tail;
		split_at(params, '/', &first, &tail);
		const struct rtclab_sdp_codec *r = codec_of(x->sdp, m, first);
		sb_printf(b, "redundant copies of payload type ");
		sb_str(b, first);
		if (r && r->name.len) {
			sb_printf(b, " (");
			sb_str(b, r->name);
			sb_printf(b, ")");
		}
		sb_printf(b, ".");
		return;
	}
	if (c && rtclab_str_ieq(c->name, "telephone-event")) {
		sb_printf(b, "events ");
		sb_str(b, params);
		sb_printf(b, " (0-15 are the digits, * and #, and A to D).");
		return;
	}
	struct rtclab_str rest = params, item;
	bool first = true;
	while (rest.len) {
		split_at(rest, ';', &item, &rest);
		while (item.len && item.ptr[0] == ' ')
			item.ptr++, item.len--;
		if (item.len == 0)
			continue;
		struct rtclab_str key, value;
		split_at(item, '=', &key, &value);
		sb_printf(b, "%s", first ? "" : "; ");
		first = false;
		sb_str(b, item);
		if (rtclab_str_eq(key, "apt")) {
			const struct rtclab_sdp_codec *r = codec_of(x->sdp, m, value);
			sb_printf(b, " (resends the lost packets of payload type ");
			sb_str(b, value);
			if (r && r->name.len) {
				sb_printf(b, ", ");
				sb_str(b, r->name);
			}
			sb_printf(b, ")");
		} else if (rtclab_str_eq(key, "useinbandfec") && rtclab_str_eq(value, "1"))
			sb_printf(b, " (error correction inside the opus stream)");
		else if (rtclab_str_eq(key, "minptime"))
			sb_printf(b, " (shortest packet, in ms)");
		else if (rtclab_str_eq(key, "usedtx") && rtclab_str_eq(value, "1"))
			sb_printf(b, " (silence is not sent)");
		else if (rtclab_str_eq(key, "stereo") && rtclab_str_eq(value, "1"))
			sb_printf(b, " (the receiver wants stereo)");
		else if (rtclab_str_eq(key, "profile-level-id"))
			sb_printf(b, " (the H.264 profile and level)");
		else if (rtclab_str_eq(key, "packetization-mode"))
			sb_printf(b, rtclab_str_eq(value, "1") ? " (a frame may be split over several packets)"
							       : " (one NAL unit per packet)");
		else if (rtclab_str_eq(key, "level-asymmetry-allowed"))
			sb_printf(b, " (each direction may use a different level)");
		else if (rtclab_str_eq(key, "max-fs") || rtclab_str_eq(key, "max-fr"))
			sb_printf(b, " (the largest frame size or rate the receiver takes)");
	}
	if (!first)
		sb_printf(b, ".");
}

static void explain_fmtp(struct sb *b, const struct ctx *x, const struct rtclab_sdp_line *l)
{
	const struct rtclab_sdp_media *m = media_of(x->sdp, l);
	struct rtclab_str rest = l->attr_value, pt;
	if (!next_field(&rest, &pt))
		return;
	while (rest.len && rest.ptr[0] == ' ')
		rest.ptr++, rest.len--;
	const struct rtclab_sdp_codec *c = codec_of(x->sdp, m, pt);
	sb_printf(b, "Parameters of ");
	if (c) {
		sb_printf(b, "payload type %" PRIu32 " (", c->payload);
		sb_codec_name(b, c, c->payload);
		sb_printf(b, "): ");
	} else {
		sb_printf(b, "format ");
		sb_str(b, pt);
		sb_printf(b, ": ");
	}
	explain_fmtp_params(b, x, m, c, rest);
}

static const struct {
	const char *type, *what;
} fb_notes[] = {
	{"nack pli", "picture loss indication: ask the sender for a new key frame"},
	{"nack", "ask the sender to send lost packets again"},
	{"ccm fir", "full intra request: ask for a new key frame"},
	{"goog-remb", "receiver estimated maximum bitrate, Chrome's older bandwidth estimation"},
	{"transport-cc", "report when every packet arrived, for the sender's bandwidth estimation"},
	{"ack rpsi", "acknowledge a reference picture"},
};

static void explain_rtcp_fb(struct sb *b, const struct ctx *x, const struct rtclab_sdp_line *l)
{
	const struct rtclab_sdp_media *m = media_of(x->sdp, l);
	struct rtclab_str rest = l->attr_value, pt;
	if (!next_field(&rest, &pt))
		return;
	while (rest.len && rest.ptr[0] == ' ')
		rest.ptr++, rest.len--;
	if (rtclab_str_eq(pt, "*")) {
		sb_printf(b, "For every payload type: ");
	} else {
		const struct rtclab_sdp_codec *c = codec_of(x->sdp, m, pt);
		sb_printf(b, "For payload type ");
		sb_str(b, pt);
		if (c && c->name.len) {
			sb_printf(b, " (");
			sb_str(b, c->name);
			sb_printf(b, ")");
		}
		sb_printf(b, ": ");
	}
	sb_str(b, rest);
	for (size_t i = 0; i < sizeof fb_notes / sizeof fb_notes[0]; i++)
		if (rtclab_str_eq(rest, fb_notes[i].type)) {
			sb_printf(b, ", %s", fb_notes[i].what);
			break;
		}
	sb_printf(b, ".");
}

static void explain_ssrc(struct sb *b, const struct rtclab_sdp_line *l)
{
	struct rtclab_str rest = l->attr_value, id, attr, name, value;
	if (!next_field(&rest, &id))
		return;
	while (rest.len && rest.ptr[0] == ' ')
		rest.ptr++, rest.len--;
	attr = rest;
	split_at(attr, ':', &name, &value);
	sb_printf(b, "RTP stream (SSRC) ");
	sb_str(b, id);
	if (rtclab_str_eq(name, "cname")) {
		sb_printf(b, " has cname \"");
		sb_str(b, value);
		sb_printf(b, "\": all streams of one peer share it, so the receiver can play them in sync.");
	} else if (rtclab_str_eq(name, "msid")) {
		struct rtclab_str stream, track;
		split_at(value, ' ', &stream, &track);
		sb_printf(b, " belongs to stream \"");
		sb_str(b, stream);
		sb_printf(b, "\"%s, track \"", rtclab_str_eq(stream, "-") ? " (none)" : "");
		sb_str(b, track);
		sb_printf(b, "\" (the older, Plan B way of saying a=msid, still sent for old receivers).");
	} else if (rtclab_str_eq(name, "mslabel") || rtclab_str_eq(name, "label")) {
		sb_printf(b, ": %s ", rtclab_str_eq(name, "label") ? "track label" : "stream label");
		sb_str(b, value);
		sb_printf(b, ", an old Chrome attribute that a=msid replaced.");
	} else {
		sb_printf(b, ": ");
		sb_str(b, attr);
		sb_printf(b, ".");
	}
}

static void explain_ssrc_group(struct sb *b, const struct rtclab_sdp_line *l)
{
	struct rtclab_str rest = l->attr_value, sem, id;
	if (!next_field(&rest, &sem))
		return;
	size_t n = 0;
	struct rtclab_str ids[2] = {{NULL, 0}, {NULL, 0}};
	struct rtclab_str copy = rest;
	while (next_field(&copy, &id)) {
		if (n < 2)
			ids[n] = id;
		n++;
	}
	if (rtclab_str_eq(sem, "FID") && n == 2) {
		sb_printf(b, "Stream ");
		sb_str(b, ids[0]);
		sb_printf(b, " has its lost packets resent (rtx) in stream ");
		sb_str(b, ids[1]);
		sb_printf(b, ".");
		return;
	}
	if (rtclab_str_eq(sem, "SIM"))
		sb_printf(b, "Simulcast: %zu layers of the same video, streams", n);
	else if (rtclab_str_eq(sem, "FEC-FR") || rtclab_str_eq(sem, "FEC"))
		sb_printf(b, "A stream and its forward error correction stream,");
	else {
		sb_printf(b, "Group ");
		sb_str(b, sem);
		sb_printf(b, " of streams");
	}
	sb_printf(b, " ");
	sb_str(b, rest);
	sb_printf(b, ".");
}

static void explain_sctp(struct sb *b, const struct rtclab_sdp_line *l)
{
	struct rtclab_str rest = l->attr_value, port, app, streams;
	switch (l->attr) {
	case RTCLAB_SDP_ATTR_SCTP_PORT:
		sb_printf(b, "SCTP port ");
		sb_str(b, l->attr_value);
		sb_printf(b, " for the data channels, inside DTLS.");
		break;
	case RTCLAB_SDP_ATTR_MAX_MESSAGE_SIZE:
		if (rtclab_str_eq(l->attr_value, "0")) {
			sb_printf(b, "No limit on the size of a data channel message.");
		} else {
			sb_printf(b, "Data channel messages of up to ");
			sb_str(b, l->attr_value);
			sb_printf(b, " bytes.");
		}
		break;
	default:
		if (!next_field(&rest, &port) || !next_field(&rest, &app))
			return;
		sb_printf(b, "SCTP port ");
		sb_str(b, port);
		sb_printf(b, " for ");
		sb_str(b, app);
		if (next_field(&rest, &streams)) {
			sb_printf(b, ", up to ");
			sb_str(b, streams);
			sb_printf(b, " streams");
		}
		sb_printf(b, " (the old syntax).");
		break;
	}
}

static void explain_simple_value(struct sb *b, const struct rtclab_sdp_line *l)
{
	switch (l->attr) {
	case RTCLAB_SDP_ATTR_PTIME:
		sb_str(b, l->attr_value);
		sb_printf(b, " ms of audio per packet.");
		break;
	case RTCLAB_SDP_ATTR_MAXPTIME:
		sb_printf(b, "At most ");
		sb_str(b, l->attr_value);
		sb_printf(b, " ms of audio in one packet.");
		break;
	case RTCLAB_SDP_ATTR_ICE_PACING:
		sb_printf(b, "STUN requests at least ");
		sb_str(b, l->attr_value);
		sb_printf(b, " ms apart.");
		break;
	case RTCLAB_SDP_ATTR_RID: {
		struct rtclab_str rest = l->attr_value, id, dir;
		if (!next_field(&rest, &id) || !next_field(&rest, &dir))
			return;
		sb_printf(b, "Stream \"");
		sb_str(b, id);
		sb_printf(b, "\", which this peer will %s", rtclab_str_eq(dir, "send") ? "send" : "receive");
		while (rest.len && rest.ptr[0] == ' ')
			rest.ptr++, rest.len--;
		if (rest.len) {
			sb_printf(b, ", restricted to ");
			sb_str(b, rest);
		}
		sb_printf(b, ".");
		break;
	}
	case RTCLAB_SDP_ATTR_SIMULCAST: {
		struct rtclab_str rest = l->attr_value, dir, list;
		bool first = true;
		while (next_field(&rest, &dir) && next_field(&rest, &list)) {
			sb_printf(b, "%s", first ? "" : "; ");
			sb_printf(b, "%s ", rtclab_str_eq(dir, "send") ? "Sends the layers" : "receives the layers");
			sb_str(b, list);
			first = false;
		}
		sb_printf(b, " (\";\" separates layers, \",\" alternatives, \"~\" marks a paused one).");
		break;
	}
	default:
		break;
	}
}

/* Attributes rtclab does not type, but that a student meets in real descriptions. */
static const struct {
	const char *name, *what;
} unknown_notes[] = {
	{"crypto", "SDES keys written in the SDP itself (RFC 4568). WebRTC forbids them: anyone who reads the "
		   "signaling could decrypt the media, so keys come from DTLS instead."},
	{"identity", "An identity assertion (RFC 8827 7): an identity provider vouches for who this peer is."},
	{"imageattr", "The image sizes this peer can send or receive (RFC 6236)."},
	{"framerate", "The highest frame rate wanted."},
	{"x-google-flag", "A Chrome flag: \"conference\" turns on simulcast for conference servers."},
	{"connection", "For a TCP media stream: open a new connection or reuse the existing one (RFC 4145)."},
	{"label", "A label for the section, for the application (RFC 4574)."},
	{"content", "What the section's media is for, such as main or slides (RFC 4796)."},
	{"ice-mismatch", "The answerer saw that the default address does not match any candidate (RFC 8839)."},
	{"rtcp-xr", "Extended RTCP reports this peer can send (RFC 3611)."},
};

/* The explanation of one line for what it says in this description; may be empty. */
static void explain_line(struct sb *b, struct ctx *x, const struct rtclab_sdp_line *l)
{
	const struct rtclab_sdp *sdp = x->sdp;
	switch (l->type) {
	case 'v':
		if (l->valid)
			sb_printf(b, "SDP version 0, the only one there is.");
		return;
	case 'o':
		if (l->valid && sdp->origin.line == l->number)
			explain_origin(b, sdp);
		return;
	case 's':
		if (rtclab_str_eq(l->value, "-")) {
			sb_printf(b, "No session name (\"-\"), as WebRTC writes it.");
		} else if (l->value.len) {
			sb_printf(b, "Session name \"");
			sb_str(b, l->value);
			sb_printf(b, "\"; it plays no part in connecting.");
		}
		return;
	case 't':
		if (rtclab_str_eq(l->value, "0 0"))
			sb_printf(b, "Not bounded in time (\"0 0\"), as in every WebRTC description.");
		return;
	case 'c':
		if (l->valid)
			explain_connection(b, l);
		return;
	case 'b':
		if (l->valid)
			explain_bandwidth(b, l);
		return;
	case 'm':
		explain_media(b, x, l);
		return;
	case 'a':
		break;
	default:
		return;
	}
	switch (l->attr) {
	case RTCLAB_SDP_ATTR_GROUP:
		explain_group(b, x, l);
		break;
	case RTCLAB_SDP_ATTR_MSID_SEMANTIC:
		explain_msid_semantic(b, l);
		break;
	case RTCLAB_SDP_ATTR_MID:
		if (l->valid)
			explain_mid(b, x, l);
		break;
	case RTCLAB_SDP_ATTR_MSID:
		explain_msid(b, l);
		break;
	case RTCLAB_SDP_ATTR_ICE_UFRAG:
		if (l->valid)
			explain_ufrag(b, l), sb_same_earlier(b, x, l);
		break;
	case RTCLAB_SDP_ATTR_ICE_PWD:
		if (l->valid)
			explain_pwd(b, l), sb_same_earlier(b, x, l);
		break;
	case RTCLAB_SDP_ATTR_ICE_OPTIONS:
		explain_ice_options(b, l);
		break;
	case RTCLAB_SDP_ATTR_FINGERPRINT:
		explain_fingerprint(b, l);
		if (l->valid)
			sb_same_earlier(b, x, l);
		break;
	case RTCLAB_SDP_ATTR_SETUP:
		explain_setup(b, x, l);
		break;
	case RTCLAB_SDP_ATTR_RTCP:
		if (l->valid)
			explain_rtcp(b, x, l);
		break;
	case RTCLAB_SDP_ATTR_RTCP_MUX:
		explain_rtcp_mux(b, x, l);
		break;
	case RTCLAB_SDP_ATTR_RTPMAP:
		explain_rtpmap(b, x, l);
		break;
	case RTCLAB_SDP_ATTR_FMTP:
		if (l->valid)
			explain_fmtp(b, x, l);
		break;
	case RTCLAB_SDP_ATTR_RTCP_FB:
		if (l->valid)
			explain_rtcp_fb(b, x, l);
		break;
	case RTCLAB_SDP_ATTR_EXTMAP:
		if (l->valid)
			explain_extmap(b, l);
		break;
	case RTCLAB_SDP_ATTR_SSRC:
		if (l->valid)
			explain_ssrc(b, l);
		break;
	case RTCLAB_SDP_ATTR_SSRC_GROUP:
		if (l->valid)
			explain_ssrc_group(b, l);
		break;
	case RTCLAB_SDP_ATTR_SCTP_PORT:
	case RTCLAB_SDP_ATTR_MAX_MESSAGE_SIZE:
	case RTCLAB_SDP_ATTR_SCTPMAP:
		if (l->valid)
			explain_sctp(b, l);
		break;
	case RTCLAB_SDP_ATTR_SENDRECV:
	case RTCLAB_SDP_ATTR_SENDONLY:
	case RTCLAB_SDP_ATTR_RECVONLY:
	case RTCLAB_SDP_ATTR_INACTIVE:
		if (l->valid)
			explain_direction(b, x, l);
		break;
	case RTCLAB_SDP_ATTR_CANDIDATE:
		explain_candidate(b, x, l);
		break;
	case RTCLAB_SDP_ATTR_END_OF_CANDIDATES: {
		const struct rtclab_sdp_media *m = media_of(sdp, l);
		if (m)
			sb_printf(b, "No more candidates will come for this section (%zu in this description).",
				  m->n_candidates);
		else
			sb_printf(b, "At session level: no more candidates will come for any section.");
		break;
	}
	case RTCLAB_SDP_ATTR_PTIME:
	case RTCLAB_SDP_ATTR_MAXPTIME:
	case RTCLAB_SDP_ATTR_ICE_PACING:
	case RTCLAB_SDP_ATTR_RID:
	case RTCLAB_SDP_ATTR_SIMULCAST:
		if (l->valid)
			explain_simple_value(b, l);
		break;
	case RTCLAB_SDP_ATTR_UNKNOWN:
		for (size_t i = 0; i < sizeof unknown_notes / sizeof unknown_notes[0]; i++)
			if (str_same(l->name, cstr(unknown_notes[i].name))) {
				sb_printf(b, "%s", unknown_notes[i].what);
				break;
			}
		break;
	default:
		break;
	}
}

/* --- printing ------------------------------------------------------------------------------ */

static void print_problem(FILE *out, const struct style *st, int indent, const struct rtclab_sdp_problem *p,
			  bool with_line)
{
	fprintf(out, "%*s%s%s%s", indent, "", p->warning ? st_warn(st) : st_bad(st), p->warning ? "warning" : "error",
		st_off(st));
	if (with_line && p->line)
		fprintf(out, ", line %" PRIu32, p->line);
	if (p->column)
		fprintf(out, ", column %" PRIu32, p->column);
	fputs(": ", out);
	put_str(out, cstr(p->message));
	fputc('\n', out);
}

struct counts {
	size_t errors, warnings;
};

static struct counts count_problems(const struct rtclab_sdp *sdp, size_t from, size_t to)
{
	struct counts c = {0, 0};
	for (size_t i = from; i < to && i < sdp->n_problems; i++) {
		if (sdp->problems[i].warning)
			c.warnings++;
		else
			c.errors++;
	}
	return c;
}

static int digits(size_t n)
{
	int d = 1;
	while (n >= 10)
		n /= 10, d++;
	return d;
}

/* The generic sentence of a line kind, printed once per kind. */
struct seen {
	bool attr[RTCLAB_SDP_ATTR_COUNT_];
	bool type[128];
};

static void print_lines(FILE *out, const struct style *st, struct ctx *x)
{
	const struct rtclab_sdp *sdp = x->sdp;
	struct seen seen;
	memset(&seen, 0, sizeof seen);
	int w = digits(sdp->n_lines);
	int indent = w + 2;
	fprintf(out, "\n%sSession level%s\n", st_bold(st), st_off(st));
	for (size_t i = 0; i < sdp->n_lines; i++) {
		const struct rtclab_sdp_line *l = &sdp->lines[i];
		const struct rtclab_sdp_media *m = media_of(sdp, l);
		if (l->type == 'm' && m && m->line == l->number) {
			fprintf(out, "\n%sMedia section %d of %zu: ", st_bold(st), l->section + 1, sdp->n_media);
			put_str(out, m->kind);
			if (m->mid.len) {
				fputs(", mid ", out);
				put_str(out, m->mid);
			}
			fprintf(out, "%s\n", st_off(st));
		}
		fprintf(out, "%s%*" PRIu32 "%s  %s", st_dim(st), w, l->number, st_off(st), st_bold(st));
		put_str(out, l->text);
		fprintf(out, "%s\n", st_off(st));
		struct sb b;
		sb_init(&b);
		explain_line(&b, x, l);
		/* The general sentence: the first time a kind of line appears, or
		 * always when there is nothing more specific to say. */
		const char *general = NULL;
		if (l->type == 'a' && l->name.len) {
			bool *s = &seen.attr[(unsigned)l->attr < RTCLAB_SDP_ATTR_COUNT_ ? l->attr : 0];
			if (!*s || b.len == 0)
				general = rtclab_sdp_attr_explain(l->attr);
			*s = true;
		} else if (l->type > 0) {
			/* v=, s= and t= say all there is in their own sentence. */
			bool *s = &seen.type[(unsigned char)l->type & 0x7F];
			if ((!*s && !(b.len && strchr("vst", l->type))) || b.len == 0)
				general = rtclab_sdp_line_explain(l->type);
			*s = true;
		}
		if (b.len)
			print_wrapped(out, st, indent + 2, b.buf);
		if (general && !(l->type == 'a' && l->attr == RTCLAB_SDP_ATTR_UNKNOWN && b.len))
			print_wrapped(out, st, indent + 2, general);
		for (size_t k = 0; k < sdp->n_problems; k++)
			if (sdp->problems[k].line == l->number)
				print_problem(out, st, indent + 2, &sdp->problems[k], false);
	}
}

static const char *role_name(enum rtclab_sdp_role r)
{
	return r == RTCLAB_SDP_ROLE_OFFER ? "offer" : r == RTCLAB_SDP_ROLE_ANSWER ? "answer" : "unknown";
}
/* The first a=setup of the description (session level, else the first section's). */
static enum rtclab_sdp_setup first_setup(const struct rtclab_sdp *sdp)
{
	enum rtclab_sdp_setup s = sdp->setup;
	for (size_t i = 0; i < sdp->n_media && s == RTCLAB_SDP_SETUP_UNSET; i++)
		s = sdp->media[i].setup;
	return s;
}


enum role_from { ROLE_GUESSED, ROLE_OPTION, ROLE_PAIR };

static void print_header(FILE *out, const struct style *st, const char *path, const struct rtclab_sdp *sdp,
			 enum rtclab_sdp_role role, enum role_from from, bool explain)
{
	fprintf(out, "%sSDP %s%s", st_bold(st), role == RTCLAB_SDP_ROLE_UNKNOWN ? "description" : role_name(role),
		st_off(st));
	fprintf(out, " (%s), %zu lines, %zu media section%s, ", path, sdp->n_lines, sdp->n_media,
		sdp->n_media == 1 ? "" : "s");
	fputs(sdp->crlf && sdp->lf ? "mixed line ends\n" : sdp->lf ? "LF line ends\n" : "CRLF line ends\n", out);
	if (from == ROLE_PAIR)
		fprintf(out, "  Role  %s, the %s file of --pair\n", role_name(role),
			role == RTCLAB_SDP_ROLE_OFFER ? "first" : "second");
	else if (from == ROLE_OPTION)
		fprintf(out, "  Role  %s, as --role says\n", role_name(role));
	else if (role == RTCLAB_SDP_ROLE_OFFER)
		fputs("  Role  offer, guessed from a=setup:actpass (give --role to say otherwise)\n", out);
	else if (role == RTCLAB_SDP_ROLE_ANSWER)
		fprintf(out, "  Role  answer, guessed from a=setup:%s (give --role to say otherwise)\n",
			rtclab_sdp_setup_name(first_setup(sdp)));
	else
		fputs("  Role  unknown: no a=setup line tells offer from answer; give --role for the rules that "
		      "differ\n",
		      out);
	if (role != RTCLAB_SDP_ROLE_UNKNOWN) {
		enum rtclab_step step = role == RTCLAB_SDP_ROLE_OFFER ? RTCLAB_STEP_OFFER : RTCLAB_STEP_ANSWER;
		fprintf(out, "  %s\n", rtclab_step_title(step));
		if (explain)
			print_wrapped(out, st, 2, rtclab_step_explain(step));
	}
}

/* --- the summary ------------------------------------------------------------------------------ */

static bool same_ice(const struct rtclab_sdp *sdp)
{
	for (size_t i = 1; i < sdp->n_media; i++)
		if (!str_same(sdp->media[i].ice.ufrag, sdp->media[0].ice.ufrag) ||
		    !str_same(sdp->media[i].ice.pwd, sdp->media[0].ice.pwd) ||
		    (sdp->media[i].ice.ufrag_line == 0) != (sdp->media[0].ice.ufrag_line == 0) ||
		    (sdp->media[i].ice.pwd_line == 0) != (sdp->media[0].ice.pwd_line == 0))
			return false;
	return true;
}

static bool same_dtls(const struct rtclab_sdp *sdp)
{
	for (size_t i = 1; i < sdp->n_media; i++) {
		const struct rtclab_sdp_media *a = &sdp->media[0], *m = &sdp->media[i];
		if (a->has_fingerprint != m->has_fingerprint || a->setup != m->setup ||
		    (a->has_fingerprint && (!str_same(a->fingerprint.hash, m->fingerprint.hash) ||
					    !str_same(a->fingerprint.value, m->fingerprint.value))))
			return false;
	}
	return true;
}

/* "  Label       text" with the text word-wrapped under itself, not dimmed. */
static void print_field(FILE *out, const struct style *st, const char *label, const char *text)
{
	const int indent = 14;
	int col = fprintf(out, "  %-*s", indent - 2, label);
	const char *p = text;
	bool first = true;
	while (*p) {
		while (*p == ' ')
			p++;
		size_t n = strcspn(p, " ");
		if (n == 0)
			break;
		if (!first && col + 1 + (int)n > st->width) {
			col = fprintf(out, "\n%*s", indent, "") - 1;
		} else if (!first) {
			fputc(' ', out);
			col++;
		}
		fwrite(p, 1, n, out);
		col += (int)n;
		p += n;
		first = false;
	}
	fputc('\n', out);
}

static void sb_ice(struct sb *b, const struct rtclab_sdp_ice *ice)
{
	if (ice->ufrag_line) {
		sb_printf(b, "ufrag ");
		sb_str(b, ice->ufrag);
	} else {
		sb_printf(b, "no ufrag");
	}
	if (ice->pwd_line)
		sb_printf(b, ", pwd of %zu characters", ice->pwd.len);
	else
		sb_printf(b, ", no pwd");
	if (ice->options.len) {
		sb_printf(b, ", options ");
		sb_str(b, ice->options);
	}
	if (ice->lite)
		sb_printf(b, ", ice-lite");
}

static void sb_fingerprint_short(struct sb *b, const struct rtclab_sdp_fingerprint *f)
{
	sb_str(b, f->hash);
	sb_printf(b, " ");
	if (f->value.len > 17) {
		sb_str(b, mkstr(f->value.ptr, 8));
		sb_printf(b, "...");
		sb_str(b, mkstr(f->value.ptr + f->value.len - 5, 5));
	} else {
		sb_str(b, f->value);
	}
}

static const char *setup_meaning(enum rtclab_sdp_setup s)
{
	switch (s) {
	case RTCLAB_SDP_SETUP_ACTPASS:
		return "either DTLS role; the answer decides who sends the ClientHello";
	case RTCLAB_SDP_SETUP_ACTIVE:
		return "this peer is the DTLS client and sends the ClientHello";
	case RTCLAB_SDP_SETUP_PASSIVE:
		return "this peer is the DTLS server and waits for the ClientHello";
	case RTCLAB_SDP_SETUP_HOLDCONN:
		return "no DTLS connection for now";
	default:
		return "not given";
	}
}

static void sb_dtls(struct sb *b, const struct rtclab_sdp_media *m)
{
	if (m->has_fingerprint) {
		sb_printf(b, "fingerprint ");
		sb_fingerprint_short(b, &m->fingerprint);
	} else {
		sb_printf(b, "no fingerprint");
	}
	if (m->setup)
		sb_printf(b, ", setup %s: %s", rtclab_sdp_setup_name(m->setup), setup_meaning(m->setup));
	else
		sb_printf(b, ", no setup");
}

static void print_candidates(FILE *out, const struct style *st, const struct rtclab_sdp *sdp)
{
	size_t by_type[4] = {0, 0, 0, 0}, mdns = 0, v6 = 0, tcp = 0, ended = 0;
	for (size_t i = 0; i < sdp->n_candidates; i++) {
		const struct rtclab_candidate *c = &sdp->candidates[i];
		if ((unsigned)c->type < 4)
			by_type[c->type]++;
		mdns += c->address_kind == RTCLAB_CAND_ADDR_MDNS;
		v6 += c->address_kind == RTCLAB_CAND_ADDR_IPV6;
		tcp += c->transport == RTCLAB_CAND_TCP;
	}
	for (size_t i = 0; i < sdp->n_media; i++)
		ended += sdp->media[i].end_of_candidates;
	struct sb b;
	sb_init(&b);
	sb_printf(&b, "%zu: host %zu, srflx %zu, prflx %zu, relay %zu; mDNS names %zu, IPv6 %zu, TCP %zu",
		  sdp->n_candidates, by_type[0], by_type[1], by_type[2], by_type[3], mdns, v6, tcp);
	if (sdp->n_media == 0)
		;
	else if (ended == sdp->n_media)
		sb_printf(&b, "; end-of-candidates: gathering is complete, nothing more will be trickled");
	else if (sdp->n_candidates == 0 && trickles(&sdp->media[0]))
		sb_printf(&b, "; none yet: they will be trickled over signaling (step 5)");
	else if (sdp->n_candidates == 0)
		sb_printf(&b, "; none in this description");
	else if (ended == 0)
		sb_printf(&b, "; no end-of-candidates: more may be trickled (step 5)");
	else
		sb_printf(&b, "; end-of-candidates in %zu of %zu sections", ended, sdp->n_media);
	print_field(out, st, "Candidates", b.buf);
}

static void print_media_row(FILE *out, const struct style *st, const struct rtclab_sdp *sdp, size_t i)
{
	const struct rtclab_sdp_media *m = &sdp->media[i];
	struct sb b;
	sb_init(&b);
	sb_printf(&b, "%zu. ", i + 1);
	sb_str(&b, m->kind);
	sb_printf(&b, ", mid ");
	if (m->mid.len)
		sb_str(&b, m->mid);
	else
		sb_printf(&b, "(none)");
	sb_printf(&b, ", %s, port %" PRIu32 "%s, ", rtclab_sdp_direction_name(m->direction), m->port,
		  m->port == 0 ? (m->bundle_only ? " (bundle-only)" : " (rejected)") : "");
	sb_str(&b, m->proto);
	if (is_rtp(m)) {
		sb_printf(&b, "; codecs ");
		sb_codec_list(&b, sdp, m);
	} else {
		if (m->sctp_port >= 0)
			sb_printf(&b, "; sctp-port %" PRId64, m->sctp_port);
		if (m->max_message_size >= 0)
			sb_printf(&b, "; max-message-size %" PRId64, m->max_message_size);
	}
	print_field(out, st, i ? "" : "Media", b.buf);
}

/* A problem's place, for printing problems in line order. */
struct place {
	uint32_t line;
	size_t index;
};

static int by_line(const void *a, const void *b)
{
	const struct place *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index ? 1 : 0;
}

static void print_summary(FILE *out, const struct style *st, const struct rtclab_sdp *sdp, bool list_all)
{
	struct sb b;
	fprintf(out, "\n%sSummary%s\n", st_bold(st), st_off(st));
	if (sdp->n_media == 0)
		print_field(out, st, "Media", "none");
	for (size_t i = 0; i < sdp->n_media; i++)
		print_media_row(out, st, sdp, i);
	for (size_t g = 0; g < sdp->n_groups; g++) {
		const struct rtclab_sdp_group *gr = &sdp->groups[g];
		sb_init(&b);
		sb_str(&b, gr->semantics);
		for (size_t k = 0; k < gr->n_mids; k++) {
			sb_printf(&b, " ");
			sb_str(&b, sdp->group_mids[gr->first_mid + k]);
		}
		if (rtclab_str_eq(gr->semantics, "BUNDLE"))
			sb_printf(&b, " (one transport: ICE and DTLS run once)");
		print_field(out, st, g ? "" : "Groups", b.buf);
	}
	if (sdp->n_media == 0 || same_ice(sdp)) {
		sb_init(&b);
		sb_printf(&b, "%s", sdp->n_media > 1 ? "every section: " : "");
		sb_ice(&b, sdp->n_media ? &sdp->media[0].ice : &sdp->ice);
		print_field(out, st, "ICE", b.buf);
	} else {
		for (size_t i = 0; i < sdp->n_media; i++) {
			sb_init(&b);
			sb_printf(&b, "section %zu: ", i + 1);
			sb_ice(&b, &sdp->media[i].ice);
			print_field(out, st, i ? "" : "ICE", b.buf);
		}
	}
	if (sdp->n_media && same_dtls(sdp)) {
		sb_init(&b);
		sb_printf(&b, "%s", sdp->n_media > 1 ? "every section: " : "");
		sb_dtls(&b, &sdp->media[0]);
		print_field(out, st, "DTLS", b.buf);
	} else {
		for (size_t i = 0; i < sdp->n_media; i++) {
			sb_init(&b);
			sb_printf(&b, "section %zu: ", i + 1);
			sb_dtls(&b, &sdp->media[i]);
			print_field(out, st, i ? "" : "DTLS", b.buf);
		}
	}
	print_candidates(out, st, sdp);
	struct counts c = count_problems(sdp, 0, sdp->n_problems);
	if (sdp->n_problems == 0) {
		fprintf(out, "  Problems    %snone%s\n", st_good(st), st_off(st));
		return;
	}
	fprintf(out, "  Problems    %zu: %zu error%s, %zu warning%s%s\n", sdp->n_problems, c.errors,
		c.errors == 1 ? "" : "s", c.warnings, c.warnings == 1 ? "" : "s",
		list_all ? "" : " (shown under their lines above)");
	/* In line order (the parser and the lint each add theirs in turn). */
	struct place *order = malloc(sdp->n_problems * sizeof *order);
	for (size_t i = 0; order && i < sdp->n_problems; i++) {
		order[i].line = sdp->problems[i].line;
		order[i].index = i;
	}
	if (order)
		qsort(order, sdp->n_problems, sizeof *order, by_line);
	for (size_t k = 0; k < sdp->n_problems; k++) {
		size_t i = order ? order[k].index : k;
		if (list_all || sdp->problems[i].line == 0)
			print_problem(out, st, 4, &sdp->problems[i], true);
	}
	free(order);
}

/* --- commands ------------------------------------------------------------------------------------ */

struct sdp_opts {
	const char *path;
	const char *offer_path; /* --pair OFFER; path is then the answer */
	bool json, explain, role_given;
	enum rtclab_sdp_role role;
	struct style st;
};

static int parse_opts(struct sdp_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},        {"brief", no_argument, NULL, 'b'},
		{"role", required_argument, NULL, 'r'},  {"pair", required_argument, NULL, 'p'},
		{"color", required_argument, NULL, 'c'}, {"colour", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
	};
	const char *color = "auto";
	memset(o, 0, sizeof *o);
	o->explain = true;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': o->json = true; break;
		case 'b': o->explain = false; break;
		case 'r':
			o->role_given = true;
			if (strcmp(optarg, "offer") == 0) {
				o->role = RTCLAB_SDP_ROLE_OFFER;
			} else if (strcmp(optarg, "answer") == 0) {
				o->role = RTCLAB_SDP_ROLE_ANSWER;
			} else {
				fprintf(stderr, "rtclab sdp: --role takes offer or answer, not '%s'\n", optarg);
				return -1;
			}
			break;
		case 'p': o->offer_path = optarg; break;
		case 'c': color = optarg; break;
		case 'h': usage_sdp(stdout); exit(EXIT_CLEAN);
		default: return -1;
		}
	}
	if (!style_init(&o->st, stdout, color)) {
		fprintf(stderr, "rtclab sdp: --color takes auto, always or never, not '%s'\n", color);
		return -1;
	}
	int rest = argc - optind;
	if (o->offer_path) {
		if (rest != 1) {
			fprintf(stderr, "rtclab sdp: --pair takes two files, OFFER and ANSWER\n");
			return -1;
		}
		if (o->role_given) {
			fprintf(stderr, "rtclab sdp: --role does not go with --pair, which knows the roles\n");
			return -1;
		}
		if (strcmp(o->offer_path, "-") == 0 && strcmp(argv[optind], "-") == 0) {
			fprintf(stderr, "rtclab sdp: only one of OFFER and ANSWER can be standard input\n");
			return -1;
		}
	} else if (rest != 1) {
		fprintf(stderr, "rtclab sdp: give exactly one FILE, or - for standard input\n");
		return -1;
	}
	o->path = argv[optind];
	return 0;
}

struct doc {
	uint8_t *buf;
	size_t len;
	struct rtclab_sdp *sdp;
};

static int load(const char *path, struct doc *d)
{
	char err[256];
	memset(d, 0, sizeof *d);
	d->buf = read_input(path, &d->len, err, sizeof err);
	if (!d->buf) {
		fprintf(stderr, "rtclab sdp: %s\n", err);
		return -1;
	}
	d->sdp = rtclab_sdp_parse((const char *)d->buf, d->len);
	if (!d->sdp) {
		fprintf(stderr, "rtclab sdp: %s: out of memory\n", path);
		free(d->buf);
		d->buf = NULL;
		return -1;
	}
	return 0;
}

static void unload(struct doc *d)
{
	rtclab_sdp_free(d->sdp);
	free(d->buf);
}

static void dump_json(json_t *doc)
{
	json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
}

static int finish(void)
{
	if (fflush(stdout) != 0) {
		perror("rtclab sdp: standard output");
		return EXIT_USAGE;
	}
	return EXIT_CLEAN;
}

static int run_one(const struct sdp_opts *o)
{
	struct doc d;
	if (load(o->path, &d) != 0)
		return EXIT_USAGE;
	enum rtclab_sdp_role role = o->role_given ? o->role : rtclab_sdp_guess_role(d.sdp);
	rtclab_sdp_lint(d.sdp, role);
	struct counts c = count_problems(d.sdp, 0, d.sdp->n_problems);
	if (o->json) {
		json_t *j = rtclab_sdp_json(d.sdp);
		if (!j) {
			fputs("rtclab sdp: out of memory\n", stderr);
			unload(&d);
			return EXIT_USAGE;
		}
		dump_json(j);
		json_decref(j);
	} else {
		struct ctx x = {d.sdp, role, false};
		print_header(stdout, &o->st, strcmp(o->path, "-") == 0 ? "standard input" : o->path, d.sdp, role,
			     o->role_given ? ROLE_OPTION : ROLE_GUESSED, o->explain);
		if (o->explain)
			print_lines(stdout, &o->st, &x);
		print_summary(stdout, &o->st, d.sdp, !o->explain);
	}
	unload(&d);
	int rc = finish();
	return rc != EXIT_CLEAN ? rc : c.errors ? EXIT_PROBLEMS : EXIT_CLEAN;
}

static int run_pair(const struct sdp_opts *o)
{
	struct doc offer, answer;
	if (load(o->offer_path, &offer) != 0)
		return EXIT_USAGE;
	if (load(o->path, &answer) != 0) {
		unload(&offer);
		return EXIT_USAGE;
	}
	rtclab_sdp_lint(offer.sdp, RTCLAB_SDP_ROLE_OFFER);
	rtclab_sdp_lint(answer.sdp, RTCLAB_SDP_ROLE_ANSWER);
	size_t before = answer.sdp->n_problems;
	json_t *offer_json = NULL, *answer_json = NULL;
	if (o->json) {
		/* The answer's own problems only: the pair's go in "problems". */
		offer_json = rtclab_sdp_json(offer.sdp);
		answer_json = rtclab_sdp_json(answer.sdp);
	}
	rtclab_sdp_check_pair(offer.sdp, answer.sdp);
	struct counts co = count_problems(offer.sdp, 0, offer.sdp->n_problems);
	struct counts ca = count_problems(answer.sdp, 0, before);
	struct counts cp = count_problems(answer.sdp, before, answer.sdp->n_problems);
	int rc = EXIT_CLEAN;
	if (o->json) {
		json_t *all = rtclab_sdp_problems_json(answer.sdp), *pair = json_array(), *doc = json_object();
		if (!offer_json || !answer_json || !all || !pair || !doc) {
			fputs("rtclab sdp: out of memory\n", stderr);
			rc = EXIT_USAGE;
		} else {
			for (size_t i = before; i < json_array_size(all); i++)
				json_array_append(pair, json_array_get(all, i));
			json_object_set(doc, "offer", offer_json);
			json_object_set(doc, "answer", answer_json);
			json_object_set(doc, "problems", pair);
			dump_json(doc);
		}
		json_decref(all);
		json_decref(pair);
		json_decref(doc);
		json_decref(offer_json);
		json_decref(answer_json);
	} else {
		const struct style *st = &o->st;
		print_header(stdout, st, strcmp(o->offer_path, "-") == 0 ? "standard input" : o->offer_path,
			     offer.sdp, RTCLAB_SDP_ROLE_OFFER, ROLE_PAIR, false);
		print_summary(stdout, st, offer.sdp, true);
		fputc('\n', stdout);
		/* The answer's own problems first, without the pair's. */
		size_t total = answer.sdp->n_problems;
		answer.sdp->n_problems = before;
		print_header(stdout, st, strcmp(o->path, "-") == 0 ? "standard input" : o->path, answer.sdp,
			     RTCLAB_SDP_ROLE_ANSWER, ROLE_PAIR, false);
		print_summary(stdout, st, answer.sdp, true);
		answer.sdp->n_problems = total;
		fprintf(stdout, "\n%sDoes the answer fit the offer?%s\n", st_bold(st), st_off(st));
		if (total == before)
			print_field(stdout, st, "Pair", "the answer fits its offer: the same sections in the same "
							"order, with mids, BUNDLE, setup roles, codecs and directions "
							"that agree");
		for (size_t i = before; i < total; i++) {
			const struct rtclab_sdp_problem *p = &answer.sdp->problems[i];
			print_problem(stdout, st, 2, p, true);
			if (p->line >= 1 && p->line <= answer.sdp->n_lines) {
				fprintf(stdout, "    %sanswer line %" PRIu32 ":%s ", st_dim(st), p->line, st_off(st));
				put_str(stdout, answer.sdp->lines[p->line - 1].text);
				fputc('\n', stdout);
			}
		}
		struct sb b;
		sb_init(&b);
		const struct counts *parts[] = {&co, &ca, &cp};
		static const char *const names[] = {"offer", "answer", "pair"};
		for (size_t i = 0; i < 3; i++) {
			sb_printf(&b, "%s%s: ", i ? "; " : "", names[i]);
			if (parts[i]->errors + parts[i]->warnings == 0)
				sb_printf(&b, "no problems");
			else
				sb_printf(&b, "%zu error%s, %zu warning%s", parts[i]->errors,
					  parts[i]->errors == 1 ? "" : "s", parts[i]->warnings,
					  parts[i]->warnings == 1 ? "" : "s");
		}
		print_field(stdout, st, "Result", b.buf);
	}
	unload(&offer);
	unload(&answer);
	int out = finish();
	if (rc != EXIT_CLEAN)
		return rc;
	if (out != EXIT_CLEAN)
		return out;
	return co.errors + ca.errors + cp.errors ? EXIT_PROBLEMS : EXIT_CLEAN;
}

int cmd_sdp(int argc, char **argv)
{
	if (argc < 2) {
		usage_sdp(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "help") == 0) {
		usage_sdp(stdout);
		return EXIT_CLEAN;
	}
	struct sdp_opts o;
	if (parse_opts(&o, argc, argv) != 0) {
		fputs("Try 'rtclab sdp --help'.\n", stderr);
		return EXIT_USAGE;
	}
	return o.offer_path ? run_pair(&o) : run_one(&o);
}
