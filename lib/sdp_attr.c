/* The typed a= attributes of WebRTC SDP: one parser per attribute, each
 * recording problems with the column of the offending field. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtclab/sdp.h"
#include "sdp_internal.h"

static const struct {
	const char *name;
	const char *reference;
} attr_names[RTCLAB_SDP_ATTR_COUNT_] = {
	[RTCLAB_SDP_ATTR_UNKNOWN] = {"", ""},
#define RTCLAB_X_(ident, name, ref) [RTCLAB_SDP_ATTR_##ident] = {name, ref},
	RTCLAB_SDP_ATTRS(RTCLAB_X_)
#undef RTCLAB_X_
};

const char *rtclab_sdp_attr_name(enum rtclab_sdp_attr a)
{
	return (unsigned)a < RTCLAB_SDP_ATTR_COUNT_ ? attr_names[a].name : "";
}

const char *rtclab_sdp_attr_reference(enum rtclab_sdp_attr a)
{
	return (unsigned)a < RTCLAB_SDP_ATTR_COUNT_ ? attr_names[a].reference : "";
}

enum rtclab_sdp_attr rtclab_sdp_attr_lookup(struct rtclab_str name)
{
	for (unsigned a = 1; a < RTCLAB_SDP_ATTR_COUNT_; a++)
		if (attr_names[a].name[0] == (name.len ? name.ptr[0] : 0) && rtclab_str_eq(name, attr_names[a].name))
			return (enum rtclab_sdp_attr)a;
	return RTCLAB_SDP_ATTR_UNKNOWN;
}

const char *rtclab_sdp_direction_name(enum rtclab_sdp_direction d)
{
	static const char *const names[] = {"sendrecv", "sendrecv", "sendonly", "recvonly", "inactive"};
	return (unsigned)d < 5 ? names[d] : "unknown";
}

const char *rtclab_sdp_setup_name(enum rtclab_sdp_setup s)
{
	static const char *const names[] = {"", "actpass", "active", "passive", "holdconn"};
	return (unsigned)s < 5 ? names[s] : "unknown";
}

/* --- where an attribute may appear -------------------------------------------------- */

enum level { ANY_LEVEL, SESSION_ONLY, MEDIA_ONLY };

static enum level attr_level(enum rtclab_sdp_attr a)
{
	switch (a) {
	case RTCLAB_SDP_ATTR_GROUP:
	case RTCLAB_SDP_ATTR_MSID_SEMANTIC:
	case RTCLAB_SDP_ATTR_ICE_LITE:
	case RTCLAB_SDP_ATTR_ICE_PACING:
		return SESSION_ONLY;
	case RTCLAB_SDP_ATTR_MID:
	case RTCLAB_SDP_ATTR_MSID:
	case RTCLAB_SDP_ATTR_RTCP:
	case RTCLAB_SDP_ATTR_RTCP_MUX:
	case RTCLAB_SDP_ATTR_RTCP_MUX_ONLY:
	case RTCLAB_SDP_ATTR_RTCP_RSIZE:
	case RTCLAB_SDP_ATTR_RTPMAP:
	case RTCLAB_SDP_ATTR_FMTP:
	case RTCLAB_SDP_ATTR_RTCP_FB:
	case RTCLAB_SDP_ATTR_SSRC:
	case RTCLAB_SDP_ATTR_SSRC_GROUP:
	case RTCLAB_SDP_ATTR_RID:
	case RTCLAB_SDP_ATTR_SIMULCAST:
	case RTCLAB_SDP_ATTR_SCTP_PORT:
	case RTCLAB_SDP_ATTR_MAX_MESSAGE_SIZE:
	case RTCLAB_SDP_ATTR_SCTPMAP:
	case RTCLAB_SDP_ATTR_CANDIDATE:
	case RTCLAB_SDP_ATTR_REMOTE_CANDIDATES:
	case RTCLAB_SDP_ATTR_BUNDLE_ONLY:
	case RTCLAB_SDP_ATTR_PTIME:
	case RTCLAB_SDP_ATTR_MAXPTIME:
		return MEDIA_ONLY;
	default:
		return ANY_LEVEL;
	}
}

/* Property attributes: a name and no value. */
static bool is_property(enum rtclab_sdp_attr a)
{
	switch (a) {
	case RTCLAB_SDP_ATTR_ICE_LITE:
	case RTCLAB_SDP_ATTR_RTCP_MUX:
	case RTCLAB_SDP_ATTR_RTCP_MUX_ONLY:
	case RTCLAB_SDP_ATTR_RTCP_RSIZE:
	case RTCLAB_SDP_ATTR_EXTMAP_ALLOW_MIXED:
	case RTCLAB_SDP_ATTR_SENDRECV:
	case RTCLAB_SDP_ATTR_SENDONLY:
	case RTCLAB_SDP_ATTR_RECVONLY:
	case RTCLAB_SDP_ATTR_INACTIVE:
	case RTCLAB_SDP_ATTR_END_OF_CANDIDATES:
	case RTCLAB_SDP_ATTR_BUNDLE_ONLY:
		return true;
	default:
		return false;
	}
}

/* Attributes that may appear once per level (fingerprint, candidate,
 * rtpmap and the like repeat). */
static bool once_per_level(enum rtclab_sdp_attr a)
{
	switch (a) {
	case RTCLAB_SDP_ATTR_MID:
	case RTCLAB_SDP_ATTR_ICE_UFRAG:
	case RTCLAB_SDP_ATTR_ICE_PWD:
	case RTCLAB_SDP_ATTR_ICE_OPTIONS:
	case RTCLAB_SDP_ATTR_ICE_LITE:
	case RTCLAB_SDP_ATTR_ICE_PACING:
	case RTCLAB_SDP_ATTR_SETUP:
	case RTCLAB_SDP_ATTR_TLS_ID:
	case RTCLAB_SDP_ATTR_RTCP:
	case RTCLAB_SDP_ATTR_RTCP_MUX:
	case RTCLAB_SDP_ATTR_RTCP_MUX_ONLY:
	case RTCLAB_SDP_ATTR_RTCP_RSIZE:
	case RTCLAB_SDP_ATTR_SCTP_PORT:
	case RTCLAB_SDP_ATTR_MAX_MESSAGE_SIZE:
	case RTCLAB_SDP_ATTR_END_OF_CANDIDATES:
	case RTCLAB_SDP_ATTR_BUNDLE_ONLY:
	case RTCLAB_SDP_ATTR_EXTMAP_ALLOW_MIXED:
	case RTCLAB_SDP_ATTR_MSID_SEMANTIC:
	case RTCLAB_SDP_ATTR_PTIME:
	case RTCLAB_SDP_ATTR_MAXPTIME:
		return true;
	default:
		return false;
	}
}

/* --- helpers ----------------------------------------------------------------------- */

#define PROBLEM(p, l, at, ...) rtclab_sdp_problem_((p), RTCLAB_SDP_P_BAD_VALUE, (l)->number, rtclab_sdp_column_((l), (at)), false, __VA_ARGS__)

static bool bad(struct sdp_parser *p, struct rtclab_sdp_line *l, const char *at, const char *what)
{
	PROBLEM(p, l, at, "a=%.*s: %s", (int)l->name.len, l->name.ptr, what);
	l->valid = false;
	return false;
}

/* RFC 8839 5.4: ice-char = ALPHA / DIGIT / "+" / "/". */
static bool ice_chars(struct rtclab_str s)
{
	for (size_t i = 0; i < s.len; i++) {
		char c = s.ptr[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '/'))
			return false;
	}
	return true;
}

/* RFC 8866 9: token characters. */
static bool token_chars(struct rtclab_str s)
{
	if (s.len == 0)
		return false;
	for (size_t i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.ptr[i];
		if (c <= 0x20 || c >= 0x7F || strchr("\"(),/:;<=>?@[\\]{}", c))
			return false;
	}
	return true;
}

static struct rtclab_sdp_media *section(struct sdp_parser *p)
{
	return p->section >= 0 ? &p->sdp->media[p->section] : NULL;
}

static bool str_same(struct rtclab_str a, struct rtclab_str b)
{
	return a.len == b.len && memcmp(a.ptr, b.ptr, a.len) == 0;
}

void rtclab_sdp_check_addrtype_(struct sdp_parser *p, const struct rtclab_sdp_line *l, struct rtclab_str nettype,
				struct rtclab_str addrtype, struct rtclab_str address)
{
	if (!rtclab_str_eq(nettype, "IN"))
		rtclab_sdp_problem_(p, RTCLAB_SDP_P_BAD_VALUE, l->number, rtclab_sdp_column_(l, nettype.ptr), true,
				    "network type \"%.*s\": only IN (Internet) is in use (RFC 8866 5.7)",
				    (int)nettype.len, nettype.ptr);
	else if (!rtclab_str_eq(addrtype, "IP4") && !rtclab_str_eq(addrtype, "IP6"))
		rtclab_sdp_problem_(p, RTCLAB_SDP_P_BAD_VALUE, l->number, rtclab_sdp_column_(l, addrtype.ptr), false,
				    "address type \"%.*s\": expected IP4 or IP6 (RFC 8866 5.7)", (int)addrtype.len,
				    addrtype.ptr);
	if (address.len == 0)
		rtclab_sdp_problem_(p, RTCLAB_SDP_P_BAD_VALUE, l->number, rtclab_sdp_column_(l, address.ptr), false,
				    "missing connection address");
}

/* --- one parser per attribute ---------------------------------------------------------- */

static bool parse_group(struct sdp_parser *p, struct rtclab_sdp_line *l)
{
	struct rtclab_sdp *sdp = p->sdp;
	struct rtclab_str rest = l->attr_value, sem, mid;
	if (!rtclab_sdp_field_(&rest, &sem) || !token_chars(sem))
		return bad(p, l, l->attr_value.ptr, "expected a semantics token such as BUNDLE (RFC 5888 5)");
	if (!rtclab_sdp_grow_((void **)&sdp->groups, &p->cap_groups, sdp->n_groups, sizeof *sdp->groups))
		return !(p->oom = true);
	struct rtclab_sdp_group *g = &sdp->groups[sdp->n_groups++];
	g->semantics = sem;
	g->first_mid = sdp->n_group_mids;
	g->n_mids = 0;
	g->line = l->number;
	while (rtclab_sdp_field_(&rest, &mid)) {
		if (!token_chars(mid))
			return bad(p, l, mid.ptr, "a mid must be a token (RFC 5888 4)");
		if (!rtclab_sdp_grow_((void **)&sdp->group_mids, &p->cap_group_mids, sdp->n_group_mids,
				      sizeof *sdp->group_mids))
			return !(p->oom = true);
		sdp->group_mids[sdp->n_group_mids++] = mid;
		g->n_mids++;
	}
	return true;
}

static bool parse_ice_credential(struct sdp_parser *p, struct rtclab_sdp_line *l, size_t min)
{
	struct rtclab_str v = l->attr_value;
	if (!ice_chars(v))
		return bad(p, l, v.ptr, "only letters, digits, '+' and '/' are allowed (RFC 8839 5.4)");
	if (v.len < min || v.len > 256) {
		char what[96];
		snprintf(what, sizeof what, "%zu characters; it must have %zu to 256 (RFC 8839 5.4)", v.len, min);
		return bad(p, l, v.ptr, what);
	}
	struct rtclab_sdp_media *m = section(p);
	struct rtclab_sdp_ice *ice = m ? &m->ice : &p->sdp->ice;
	if (l->attr == RTCLAB_SDP_ATTR_ICE_UFRAG) {
		ice->ufrag = v;
		ice->ufrag_line = l->number;
	} else {
		ice->pwd = v;
		ice->pwd_line = l->number;
	}
	return true;
}

size_t rtclab_sdp_fingerprint_hash_len(struct rtclab_str hash)
{
	static const struct {
		const char *name;
		size_t len;
	} hashes[] = {{"sha-1", 20}, {"sha-224", 28}, {"sha-256", 32}, {"sha-384", 48}, {"sha-512", 64},
		      {"md5", 16},   {"md2", 16}};
	for (size_t i = 0; i < sizeof hashes / sizeof hashes[0]; i++)
		if (rtclab_str_ieq(hash, hashes[i].name))
			return hashes[i].len;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* RFC 8122 5: hash-func SP fingerprint, the fingerprint as uppercase hex
 * pairs separated by colons, as many as the hash has bytes. */
static bool parse_fingerprint(struct sdp_parser *p, struct rtclab_sdp_line *l)
{
	struct rtclab_str rest = l->attr_value, hash, value;
	if (!rtclab_sdp_field_(&rest, &hash) || !rtclab_sdp_field_(&rest, &value) || rest.len)
		return bad(p, l, l->attr_value.ptr, "expected a hash name and the fingerprint (RFC 8122 5)");
	size_t want = rtclab_sdp_fingerprint_hash_len(hash);
	if (want == 0)
		return bad(p, l, hash.ptr, "unknown hash function; browsers use sha-256 (RFC 8122 5, RFC 8827 6.5)");
	size_t bytes = 0;
	for (size_t i = 0; i < value.len; i += 3) {
		if (i + 2 > value.len || hexval(value.ptr[i]) < 0 || hexval(value.ptr[i + 1]) < 0 ||
		    (i + 2 < value.len && value.ptr[i + 2] != ':'))
			return bad(p, l, value.ptr + i, "the fingerprint must be hex byte pairs separated by colons");
		bytes++;
	}
	if (bytes != want) {
		char what[128];
		snprintf(what, sizeof what, "%zu bytes, but a %.*s fingerprint has %zu", bytes, (int)hash.len, hash.ptr,
			 want);
		return bad(p, l, value.ptr, what);
	}
	struct rtclab_sdp_media *m = section(p);
	struct rtclab_sdp_fingerprint fp = {hash, value, l->number};
	if (m && !m->has_fingerprint) {
		m->has_fingerprint = true;
		m->fingerprint = fp;
	} else if (!m && !p->sdp->has_fingerprint) {
		p->sdp->has_fingerprint = true;
		p->sdp->fingerprint = fp;
	}
	return true;
}

static bool parse_setup(struct sdp_parser *p, struct rtclab_sdp_line *l)
{
	static const char *const roles[] = {"actpass", "active", "passive", "holdconn"};
	for (int i = 0; i < 4; i++)
		if (rtclab_str_eq(l->attr_value, roles[i])) {
			struct rtclab_sdp_media *m = section(p);
			enum rtclab_sdp_setup s = (enum rtclab_sdp_setup)(i + 1);
			if (m)
				m->setup = s;
			else
				p->sdp->setup = s;
			return true;
		}
	return bad(p, l, l->attr_value.ptr, "expected actpass, active, passive or holdconn (RFC 4145 4)");
}

/* RFC 8842 4: 20 to 255 characters of ALPHA / DIGIT / "+" / "/" / "-" / "_". */
static bool parse_tls_id(struct sdp_parser *p, struct rtclab_sdp_line *l)
{
	struct rtclab_str v = l->attr_value;
	if (v.len < 20 || v.len > 255)
		return bad(p, l, v.ptr, "must have 20 to 255 characters (RFC 8842 4)");
	for (size_t i = 0; i < v.len; i++)
		if (!strchr("+/-_", v.ptr[i]) && !ice_chars(rtclab_str_make_(v.ptr + i, 1)))
			return bad(p, l, v.ptr + i, "only letters, digits, '+', '/', '-' and '_' are allowed");
	return true;
}

/* RFC 3605 2.1: port [nettype addrtype connection-address]. */
static bool parse_rtcp(struct sdp_parser *p, struct rtclab_sdp_line *l)
{
	struct rtclab_str rest = l->attr_value, port, nt, at, addr;
	uint64_t v;
	if (!rtclab_sdp_field_(&rest, &port) || !rtclab_sdp_number_(port, 65535, &v))
		return bad(p, l, l->attr_value.ptr, "expected a port number (RFC 3605 2.1)");
	if (rest.len == 0)
		return true;
	if (!rtclab_sdp_field_(&rest, &nt) || !rtclab_sdp_field_(&rest, &at) || !rtclab_sdp_field_(&rest, &addr) ||
	    rest.len)
		return bad(p, l, nt.ptr, "after the port: nettype addrtype connection-address (RFC 3605 2.1)");
	size_t before = p->sdp->n_problems;
	rtclab_sdp_check_addrtype_(p, l, nt, at, addr);
	return p->sdp->n_problems == before;
}

static struct rtclab_sdp_codec *codec_in_section(struct sdp_parser *p, uint32_t pt)
{
	struct rtclab_sdp_media *m = section(p);
	for (size_t i = 0; m && i < m->n_codecs; i++)
		if (p->sdp->codecs[m->first_codec + i].payload == pt)
			return &p->sdp->codecs[m->first_codec + i];
	return NULL;
}

static struct rtclab_sdp_codec *new_codec(struct sdp_parser *p, uint32_t pt)
{
	struct rtclab_sdp *sdp = p->sdp;
	if (!rtclab_sdp_grow_((void **)&sdp->codecs, &p->cap_codecs, sdp->n_codecs, sizeof *sdp->codecs)) {
		p->oom = true;
		return NULL;
	}
	struct rtclab_sdp_codec *c = &sdp->codecs[sdp->n_codecs++];
	memset(c, 0, sizeof *c);
	c->payload = pt;
	section(p)->n_codecs++;
	return c;
}

/* RFC 8866 6.6: <payload type> <encoding name>/<clock rate>[/<encoding parameters>]. */
static bool parse_rtpmap(struct sdp_parser *p, struct rtclab_sdp_line *l)
{
	struct rtclab_str rest = l->attr_value, pt, enc;
	uint64_t payload, rate, channels = 0;
	if (!rtclab_sdp_field_(&rest, &pt) || !rtclab_sdp_number_(pt, 127, &payload))
		return bad(p, l, l->attr_value.ptr, "expected a payload type 0-127 (RFC 8866 6.6)");
	if (!rtclab_sdp_field_(&rest, &enc) || rest.len)
		return bad(p, l, pt.ptr + pt.len, "expected <encoding name>/<clock rate>[/<channels>] after the payload type");
	const char *s1 = memchr(enc.ptr, '/', enc.len);
	if (!s1 || s1 == enc.ptr)
		return bad(p, l, enc.ptr, "expected <encoding name>/<clock rate>");
	struct rtclab_str name = rtclab_str_make_(enc.ptr, (size_t)(s1 - enc.ptr));
	struct rtclab_str after = rtclab_str_make_(s1 + 1, enc.len - name.len - 1);
	const char *s2 = memchr(after.ptr, '/', after.len);
	struct rtclab_str rate_s = rtclab_str_make_(after.ptr, s2 ? (size_t)(s2 - after.ptr) : after.len);
	if (!rtclab_sdp_number_(rate_s, UINT32_MAX, &rate) || rate == 0)
		return bad(p, l, rate_s.ptr, "the clock rate must be a positive number");
	if (s2 && !rtclab_sdp_number_(rtclab_str_make_(s2 + 1, after.len - rate_s.len - 1), 255, &channels))
		return bad(p, l, s2 + 1, "the encoding parameter (channels) must be a number");
	struct rtclab_sdp_codec *c = codec_in_section(p, (uint32_t)payload);
	if (c && c->rtpmap_line) {
		rtclab_sdp_problem_(p, RTCLAB_SDP_P_DUPLICATE, l->number, rtclab_sdp_column_(l, pt.ptr), false,
				    "payload type %u already has an rtpmap on line %u", (unsigned)payload, c->rtpmap_line);
		l->valid = false;
		return false;
	}
	if (!c && !(c = new_codec(p, (uint32_t)payload)))
		return false;
	c->name = name;
	c->clock_rate = (uint32_t)rate;
	c->channels = (uint32_t)channels;
	c->rtpmap_line = l->number;
	return true;
}

/* RFC 4733 2.4.1: telephone-event fmtp is a list of events and ranges, 0-255. */
static bool valid_events(struct rtclab_str v)
{
	size_t i = 0;
	if (v.len == 0)
		return false;
	while (i < v.len) {
		uint64_t a, b;
		size_t j = i;
		while (j < v.len && v.ptr[j] >= '0' && v.ptr[j] <= '9')
			j++;
		if (!rtclab_sdp_number_(rtclab_str_make_(v.ptr + i, j - i), 255, &a))
			return false;
		if (j < v.len && v.ptr[j] == '-') {
			size_t k = ++j;
			while (j < v.len && v.ptr[j] >= '0' && v.ptr[j] <= '9')
				j++;
			if (!rtclab_sdp_number_(rtclab_str_make_(v.ptr + k, j - k), 255, &b) || b < a)
				return false;
		}
		if (j == v.len)
			return true;
		if (v.ptr[j] != ',' || j + 1 == v.len)
			return false;
		i = j + 1;
	}
	return false;
}

/* RFC 8866 6.15: <format> <format specific parameters>. */
static bool parse_fmtp(struct sdp_parser *p, struct rtclab_sdp_line *l)
{
	struct rtclab_str rest = l->attr_value, fmt;
	uint64_t pt;
	if (!rtclab_sdp_field_(&rest, &fmt) || fmt.len == 0)
		return bad(p, l, l->attr_value.ptr, "expected a format and its parameters (RFC 8866 6.15)");
	if (!rtclab_sdp_number_(fmt, 127, &pt))
		return true; /* a non-RTP format (for example sctpmap-era "webrtc-datachannel") */
	struct rtclab_sdp_codec *c = codec_in_section(p, (uint32_t)pt);
	if (c && c->name.len && rtclab_str_ieq(c->name, "telephone-event") && !valid_events(rest))
		bad(p, l, rest.ptr, "telephone-event takes a list of events and ranges 0-255 such as "
				    "\"0-15\" or \"0-11,16\" (RFC 4733 2.4.1)");
	if (c && c->fmtp_line) {
		rtclab_sdp_problem_(p, RTCLAB_SDP_P_DUPLICATE, l->number, rtclab_sdp_column_(l, fmt.ptr), false,
				    "payload type %u already has an fmtp on line %u", (unsigned)pt, c->fmtp_line);
		l->valid = false;
		return false;
	}
	if (!c && !(c = new_codec(p, (uint32_t)pt)))
		return false;
	c->fmtp = rest;
	c->fmtp_line = l->number;
	return l->valid;
}

/* RFC 4585 4.2: <payload type or *> SP <feedback type> [SP parameters]. */
static bool parse_rtcp_fb(struct sdp_parser *p, struct rtclab_sdp_line *l)
{
	struct rtclab_sdp *sdp = p->sdp;
	struct rtclab_str rest = l->attr_value, pt;
	uint64_t v = 0;
	bool any = false;
	if (!rtclab_sdp_field_(&rest, &pt) || (!(any = rtclab_str_eq(pt, "*")) && !rtclab_sdp_number_(pt, 127, &v)))
		return bad(p, l, l->attr_value.ptr, "expected a payload type 0-127 or * (RFC 4585 4.2)");
	struct rtclab_str type = rest, params;
	rtclab_sdp_field_(&type, &params); /* the feedback type is the first word */
	if (rest.len == 0 || !token_chars(params))
		return bad(p, l, pt.ptr + pt.len, "expected a feedback type such as nack, ccm fir or transport-cc");
	if (!rtclab_sdp_grow_((void **)&sdp->fbs, &p->cap_fbs, sdp->n_fbs, sizeof *sdp->fbs))
		return !(p->oom = true);
	struct rtclab_sdp_fb *fb = &sdp->fbs[sdp->n_fbs++];
	fb->payload = any ? -1 : (int32_t)v;
	fb->value = rest;
	fb->line = l->number;
	section(p)->n_fbs++;
	return true;
}

/* RFC 8285 5: <value>["/"<direction>] <URI> [<extensionattributes>]. */
static bool parse_extmap(struct sdp_parser *p, struct rtclab_sdp_line *l)
{
	struct rtclab_str rest = l->attr_value, id, uri;
	uint64_t v;
	if (!rtclab_sdp_field_(&rest, &id))
		return bad(p, l, l->attr_value.ptr, "expected an id and a URI (RFC 8285 5)");
	const char *slash = memchr(id.ptr, '/', id.len);
	struct rtclab_str num = rtclab_str_make_(id.ptr, slash ? (size_t)(slash - id.ptr) : id.len);
	if (!rtclab_sdp_number_(num, 4351, &v) || v == 0 || (v > 255 && v < 4096))
		return bad(p, l, id.ptr, "the id must be 1-14 (one-byte headers) or 1-255 (two-byte, RFC 8285 5)");
	if (slash) {
		struct rtclab_str dir = rtclab_str_make_(slash + 1, id.len - num.len - 1);
		if (!rtclab_str_eq(dir, "sendonly") && !rtclab_str_eq(dir, "recvonly") && !rtclab_str_eq(dir, "sendrecv") &&
		    !rtclab_str_eq(dir, "inactive"))
			return bad(p, l, slash + 1, "the direction must be sendonly, recvonly, sendrecv or inactive");
	}
	if (!rtclab_sdp_field_(&rest, &uri) || uri.len == 0)
		return bad(p, l, id.ptr + id.len, "expected the extension's URI after the id");
	return true;
}

/* RFC 5576 4.1: <ssrc-id> <attribute>[:<value>]; 4.2: <semantics> <ssrc-id>... */
static bool parse_ssrc(struct sdp_parser *p, struct rtclab_sdp_line *l, bool group)
{
	struct rtclab_str rest = l->attr_value, f;
	uint64_t v;
	if (group) {
		if (!rtclab_sdp_field_(&rest, &f) || !token_chars(f))
			return bad(p, l, l->attr_value.ptr, "expected semantics (FID, SIM, FEC...) and SSRC ids (RFC 5576 4.2)");
		size_t n = 0;
		while (rtclab_sdp_field_(&rest, &f)) {
			if (!rtclab_sdp_number_(f, UINT32_MAX, &v))
				return bad(p, l, f.ptr, "an SSRC id is a number 0-4294967295");
			n++;
		}
		return n > 0 ? true : bad(p, l, l->attr_value.ptr + l->attr_value.len, "expected at least one SSRC id");
	}
	if (!rtclab_sdp_field_(&rest, &f) || !rtclab_sdp_number_(f, UINT32_MAX, &v))
		return bad(p, l, l->attr_value.ptr, "expected an SSRC id 0-4294967295 (RFC 5576 4.1)");
	if (rest.len == 0)
		return bad(p, l, f.ptr + f.len, "expected an attribute after the SSRC id, such as cname:...");
	return true;
}

/* RFC 8851 10: <rid-id> SP ("send" / "recv") [SP params]. */
static bool parse_rid(struct sdp_parser *p, struct rtclab_sdp_line *l)
{
	struct rtclab_str rest = l->attr_value, id, dir;
	if (!rtclab_sdp_field_(&rest, &id) || id.len == 0)
		return bad(p, l, l->attr_value.ptr, "expected a rid id and a direction (RFC 8851 10)");
	if (!rtclab_sdp_field_(&rest, &dir) || (!rtclab_str_eq(dir, "send") && !rtclab_str_eq(dir, "recv")))
		return bad(p, l, id.ptr + id.len, "the direction must be send or recv (RFC 8851 10)");
	return true;
}

/* RFC 8853 5.1: "send" and/or "recv", each followed by a rid list; the
 * draft form some browsers sent ("send rid=1;2 paused=...") is accepted. */
static bool parse_simulcast(struct sdp_parser *p, struct rtclab_sdp_line *l)
{
	struct rtclab_str rest = l->attr_value, tok, list;
	while (rest.len && rest.ptr[0] == ' ') /* the draft form wrote "simulcast: send" */
		rest.ptr++, rest.len--;
	size_t n = 0;
	while (rtclab_sdp_field_(&rest, &tok)) {
		if (!rtclab_str_eq(tok, "send") && !rtclab_str_eq(tok, "recv")) {
			if (n > 0 && memchr(tok.ptr, '=', tok.len))
				continue; /* draft parameters such as paused=4 */
			return bad(p, l, tok.ptr, "expected send or recv (RFC 8853 5.1)");
		}
		if (!rtclab_sdp_field_(&rest, &list) || list.len == 0)
			return bad(p, l, tok.ptr + tok.len, "expected a list of rids after send or recv");
		n++;
	}
	return n > 0 ? true : bad(p, l, l->attr_value.ptr, "expected a send and/or a recv list (RFC 8853 5.1)");
}

static bool parse_number_attr(struct sdp_parser *p, struct rtclab_sdp_line *l, uint64_t max, int64_t *out)
{
	uint64_t v;
	if (!rtclab_sdp_number_(l->attr_value, max, &v))
		return bad(p, l, l->attr_value.ptr, max == 65535 ? "expected a number 0-65535" : "expected a number");
	if (out)
		*out = (int64_t)v;
	return true;
}

/* ptime and maxptime: milliseconds, which some senders write with a fraction ("0.125"). */
static bool parse_ptime(struct sdp_parser *p, struct rtclab_sdp_line *l)
{
	struct rtclab_str v = l->attr_value;
	const char *dot = memchr(v.ptr, '.', v.len);
	uint64_t n;
	struct rtclab_str whole = rtclab_str_make_(v.ptr, dot ? (size_t)(dot - v.ptr) : v.len);
	if (!rtclab_sdp_number_(whole, UINT32_MAX, &n) ||
	    (dot && !rtclab_sdp_number_(rtclab_str_make_(dot + 1, v.len - whole.len - 1), UINT64_MAX, &n)))
		return bad(p, l, v.ptr, "expected a time in milliseconds");
	return true;
}

/* draft-ietf-mmusic-sctp-sdp-05: <port> <app> [<streams>]. */
static bool parse_sctpmap(struct sdp_parser *p, struct rtclab_sdp_line *l)
{
	struct rtclab_str rest = l->attr_value, port, app, streams;
	uint64_t v, n;
	if (!rtclab_sdp_field_(&rest, &port) || !rtclab_sdp_number_(port, 65535, &v))
		return bad(p, l, l->attr_value.ptr, "expected the SCTP port 0-65535");
	if (!rtclab_sdp_field_(&rest, &app) || app.len == 0)
		return bad(p, l, port.ptr + port.len, "expected the application, such as webrtc-datachannel");
	if (rtclab_sdp_field_(&rest, &streams) && !rtclab_sdp_number_(streams, 65535, &n))
		return bad(p, l, streams.ptr, "the number of streams must be a number");
	section(p)->sctp_port = (int64_t)v;
	return true;
}

static bool parse_candidate(struct sdp_parser *p, struct rtclab_sdp_line *l)
{
	struct rtclab_sdp *sdp = p->sdp;
	if (!rtclab_sdp_grow_((void **)&sdp->candidates, &p->cap_candidates, sdp->n_candidates,
			      sizeof *sdp->candidates))
		return !(p->oom = true);
	if (p->cap_candidate_lines != p->cap_candidates) { /* keep the line numbers array as large */
		uint32_t *lines = realloc(sdp->candidate_lines, p->cap_candidates * sizeof *lines);
		if (!lines)
			return !(p->oom = true);
		sdp->candidate_lines = lines;
		p->cap_candidate_lines = p->cap_candidates;
	}
	size_t column = 0;
	struct rtclab_candidate *c = &sdp->candidates[sdp->n_candidates];
	enum rtclab_cand_error e = rtclab_candidate_parse(c, l->attr_value.ptr, l->attr_value.len, &column);
	if (e == RTCLAB_CAND_E_TCPTYPE && rtclab_candidate_lacks_tcptype(c, l->attr_value.ptr, l->attr_value.len)) {
		/* Chrome until 2014 sent "tcp ... port 0 typ host" without a
		 * tcptype; every other field is filled in (see candidate.h). */
		rtclab_sdp_problem_(p, RTCLAB_SDP_P_BAD_VALUE, l->number, rtclab_sdp_column_(l, c->transport_text.ptr),
				    true, "a TCP candidate without tcptype (RFC 6544 4.5 requires active, passive "
				    "or so): an old browser's; current agents ignore it");
		e = RTCLAB_CAND_OK;
	}
	if (e != RTCLAB_CAND_OK) {
		const char *at = l->attr_value.ptr + (column ? column - 1 : 0);
		return bad(p, l, at, rtclab_cand_error_str(e));
	}
	l->candidate = sdp->n_candidates;
	sdp->candidate_lines[sdp->n_candidates++] = l->number;
	if (section(p))
		section(p)->n_candidates++;
	return true;
}

/* RFC 8839 5.2: one or more <component-id> SP <connection-address> SP <port>. */
static bool parse_remote_candidates(struct sdp_parser *p, struct rtclab_sdp_line *l)
{
	struct rtclab_str rest = l->attr_value, comp, addr, port;
	uint64_t v;
	size_t n = 0;
	while (rtclab_sdp_field_(&rest, &comp)) {
		if (!rtclab_sdp_number_(comp, 256, &v) || v == 0)
			return bad(p, l, comp.ptr, "expected a component id 1-256 (RFC 8839 5.2)");
		if (!rtclab_sdp_field_(&rest, &addr) || addr.len == 0)
			return bad(p, l, comp.ptr + comp.len, "expected a connection address");
		if (!rtclab_sdp_field_(&rest, &port) || !rtclab_sdp_number_(port, 65535, &v))
			return bad(p, l, addr.ptr + addr.len, "expected a port 0-65535");
		n++;
	}
	return n ? true : bad(p, l, l->attr_value.ptr, "expected component, address and port");
}

static bool parse_direction(struct sdp_parser *p, struct rtclab_sdp_line *l)
{
	struct rtclab_sdp_media *m = section(p);
	enum rtclab_sdp_direction d = l->attr == RTCLAB_SDP_ATTR_SENDRECV   ? RTCLAB_SDP_SENDRECV
				      : l->attr == RTCLAB_SDP_ATTR_SENDONLY ? RTCLAB_SDP_SENDONLY
				      : l->attr == RTCLAB_SDP_ATTR_RECVONLY ? RTCLAB_SDP_RECVONLY
									    : RTCLAB_SDP_INACTIVE;
	if (m && m->direction != RTCLAB_SDP_DIR_UNSET && m->direction != d) {
		rtclab_sdp_problem_(p, RTCLAB_SDP_P_DUPLICATE, l->number, 3, false,
				    "a second direction (%s after %s): a section has one", rtclab_sdp_direction_name(d),
				    rtclab_sdp_direction_name(m->direction));
		l->valid = false;
		return false;
	}
	if (m)
		m->direction = d;
	return true;
}

static bool parse_typed(struct sdp_parser *p, struct rtclab_sdp_line *l)
{
	struct rtclab_sdp_media *m = section(p);
	switch (l->attr) {
	case RTCLAB_SDP_ATTR_GROUP:
		return parse_group(p, l);
	case RTCLAB_SDP_ATTR_MSID_SEMANTIC: {
		/* Chrome writes "msid-semantic: WMS" with a space after the colon. */
		struct rtclab_str v = l->attr_value;
		while (v.len && v.ptr[0] == ' ')
			v.ptr++, v.len--;
		struct rtclab_str sem;
		if (!rtclab_sdp_field_(&v, &sem) || !token_chars(sem))
			return bad(p, l, l->attr_value.ptr, "expected a semantics token such as WMS");
		p->sdp->msid_semantic = sem;
		return true;
	}
	case RTCLAB_SDP_ATTR_MID:
		if (!token_chars(l->attr_value))
			return bad(p, l, l->attr_value.ptr, "a mid is a non-empty token (RFC 5888 4)");
		m->mid = l->attr_value;
		return true;
	case RTCLAB_SDP_ATTR_MSID:
		if (l->attr_value.len == 0 || l->attr_value.ptr[0] == ' ')
			return bad(p, l, l->attr_value.ptr, "expected a stream id and an optional track id (RFC 8830 2)");
		m->msid = l->attr_value;
		return true;
	case RTCLAB_SDP_ATTR_ICE_UFRAG:
		return parse_ice_credential(p, l, 4);
	case RTCLAB_SDP_ATTR_ICE_PWD:
		return parse_ice_credential(p, l, 22);
	case RTCLAB_SDP_ATTR_ICE_OPTIONS: {
		struct rtclab_str rest = l->attr_value, tok;
		while (rtclab_sdp_field_(&rest, &tok)) {
			if (tok.len && memchr(tok.ptr, ',', tok.len))
				rtclab_sdp_problem_(p, RTCLAB_SDP_P_BAD_VALUE, l->number, rtclab_sdp_column_(l, tok.ptr), true,
						    "ice-options are separated by spaces, not commas: \"%.*s\" is one "
						    "unknown option to a browser (RFC 8839 5.6)", (int)tok.len, tok.ptr);
			else if (!token_chars(tok))
				return bad(p, l, tok.ptr, "ice-options are tokens separated by single spaces (RFC 8839 5.6)");
		}
		if (l->attr_value.len == 0)
			return bad(p, l, l->attr_value.ptr, "expected at least one option, such as trickle");
		(m ? &m->ice : &p->sdp->ice)->options = l->attr_value;
		return true;
	}
	case RTCLAB_SDP_ATTR_ICE_LITE:
		p->sdp->ice.lite = true;
		return true;
	case RTCLAB_SDP_ATTR_ICE_PACING:
		return parse_number_attr(p, l, UINT32_MAX, NULL);
	case RTCLAB_SDP_ATTR_FINGERPRINT:
		return parse_fingerprint(p, l);
	case RTCLAB_SDP_ATTR_SETUP:
		return parse_setup(p, l);
	case RTCLAB_SDP_ATTR_TLS_ID:
		return parse_tls_id(p, l);
	case RTCLAB_SDP_ATTR_RTCP:
		return parse_rtcp(p, l);
	case RTCLAB_SDP_ATTR_RTCP_MUX:
		m->rtcp_mux = true;
		return true;
	case RTCLAB_SDP_ATTR_RTCP_MUX_ONLY:
		m->rtcp_mux_only = true;
		return true;
	case RTCLAB_SDP_ATTR_RTCP_RSIZE:
		m->rtcp_rsize = true;
		return true;
	case RTCLAB_SDP_ATTR_RTPMAP:
		return parse_rtpmap(p, l);
	case RTCLAB_SDP_ATTR_FMTP:
		return parse_fmtp(p, l);
	case RTCLAB_SDP_ATTR_RTCP_FB:
		return parse_rtcp_fb(p, l);
	case RTCLAB_SDP_ATTR_EXTMAP:
		return parse_extmap(p, l);
	case RTCLAB_SDP_ATTR_EXTMAP_ALLOW_MIXED:
		if (!m)
			p->sdp->extmap_allow_mixed = true;
		return true;
	case RTCLAB_SDP_ATTR_SSRC:
		return parse_ssrc(p, l, false);
	case RTCLAB_SDP_ATTR_SSRC_GROUP:
		return parse_ssrc(p, l, true);
	case RTCLAB_SDP_ATTR_RID:
		return parse_rid(p, l);
	case RTCLAB_SDP_ATTR_SIMULCAST:
		return parse_simulcast(p, l);
	case RTCLAB_SDP_ATTR_SCTP_PORT:
		return parse_number_attr(p, l, 65535, &m->sctp_port);
	case RTCLAB_SDP_ATTR_MAX_MESSAGE_SIZE:
		return parse_number_attr(p, l, UINT64_MAX >> 1, &m->max_message_size);
	case RTCLAB_SDP_ATTR_SCTPMAP:
		return parse_sctpmap(p, l);
	case RTCLAB_SDP_ATTR_SENDRECV:
	case RTCLAB_SDP_ATTR_SENDONLY:
	case RTCLAB_SDP_ATTR_RECVONLY:
	case RTCLAB_SDP_ATTR_INACTIVE:
		return parse_direction(p, l);
	case RTCLAB_SDP_ATTR_CANDIDATE:
		return parse_candidate(p, l);
	case RTCLAB_SDP_ATTR_END_OF_CANDIDATES:
		if (m)
			m->end_of_candidates = true;
		else /* RFC 8840 8.2: at session level it applies to every section */
			p->session_end_of_candidates = true;
		return true;
	case RTCLAB_SDP_ATTR_REMOTE_CANDIDATES:
		return parse_remote_candidates(p, l);
	case RTCLAB_SDP_ATTR_BUNDLE_ONLY:
		m->bundle_only = true;
		return true;
	case RTCLAB_SDP_ATTR_PTIME:
	case RTCLAB_SDP_ATTR_MAXPTIME:
		return parse_ptime(p, l);
	default:
		return true; /* unknown attributes are kept verbatim */
	}
}

void rtclab_sdp_parse_attr_(struct sdp_parser *p, struct rtclab_sdp_line *l)
{
	const char *colon = memchr(l->value.ptr, ':', l->value.len);
	l->has_colon = colon != NULL;
	l->name = rtclab_str_make_(l->value.ptr, colon ? (size_t)(colon - l->value.ptr) : l->value.len);
	l->attr_value = colon ? rtclab_str_make_(colon + 1, l->value.len - l->name.len - 1)
			      : rtclab_str_make_(l->value.ptr + l->value.len, 0);
	l->attr = rtclab_sdp_attr_lookup(l->name);
	if (l->name.len == 0) {
		rtclab_sdp_problem_(p, RTCLAB_SDP_P_SYNTAX, l->number, 3, false, "an attribute needs a name");
		l->valid = false;
		return;
	}
	if (l->attr == RTCLAB_SDP_ATTR_UNKNOWN)
		return;
	const char *name = rtclab_sdp_attr_name(l->attr);
	enum level level = attr_level(l->attr);
	if (level == SESSION_ONLY && p->section >= 0) {
		rtclab_sdp_problem_(p, RTCLAB_SDP_P_BAD_LEVEL, l->number, 3, false,
				    "a=%s belongs at session level, before the first m= line (%s)", name,
				    rtclab_sdp_attr_reference(l->attr));
		l->valid = false;
		return;
	}
	if (level == MEDIA_ONLY && p->section < 0) {
		rtclab_sdp_problem_(p, RTCLAB_SDP_P_BAD_LEVEL, l->number, 3, false,
				    "a=%s belongs in a media section, after an m= line (%s)", name,
				    rtclab_sdp_attr_reference(l->attr));
		l->valid = false;
		return;
	}
	if (is_property(l->attr) && l->has_colon) {
		bad(p, l, l->attr_value.ptr - 1, "is a property attribute and takes no value");
		return;
	}
	if (!is_property(l->attr) && !l->has_colon) {
		bad(p, l, l->value.ptr + l->value.len, "needs a value after a colon");
		return;
	}
	if (once_per_level(l->attr)) {
		if (p->seen_attr_section != p->section) {
			memset(p->seen_attr, 0, sizeof p->seen_attr);
			p->seen_attr_section = p->section;
		}
		if (p->seen_attr[l->attr]) {
			rtclab_sdp_problem_(p, RTCLAB_SDP_P_DUPLICATE, l->number, 3, false,
					    "a second a=%s %s (the first is on line %u)", name,
					    p->section < 0 ? "at session level" : "in this media section",
					    p->seen_attr[l->attr]);
			l->valid = false;
			return;
		}
		p->seen_attr[l->attr] = l->number;
	}
	parse_typed(p, l);
}

/* --- checks once every line is in -------------------------------------------------------- */


/* RFC 3551 6: the static payload types a section may use without an rtpmap. */
static const struct {
	uint8_t pt;
	const char *name;
	uint32_t rate;
	uint8_t channels;
} static_pts[] = {
	{0, "PCMU", 8000, 1},   {3, "GSM", 8000, 1},    {4, "G723", 8000, 1},  {5, "DVI4", 8000, 1},
	{6, "DVI4", 16000, 1},  {7, "LPC", 8000, 1},    {8, "PCMA", 8000, 1},  {9, "G722", 8000, 1},
	{10, "L16", 44100, 2},  {11, "L16", 44100, 1},  {12, "QCELP", 8000, 1}, {13, "CN", 8000, 1},
	{14, "MPA", 90000, 0},  {15, "G728", 8000, 1},  {16, "DVI4", 11025, 1}, {17, "DVI4", 22050, 1},
	{18, "G729", 8000, 1},  {25, "CelB", 90000, 0}, {26, "JPEG", 90000, 0}, {28, "nv", 90000, 0},
	{31, "H261", 90000, 0}, {32, "MPV", 90000, 0},  {33, "MP2T", 90000, 0}, {34, "H263", 90000, 0},
};

static bool is_rtp(const struct rtclab_sdp_media *m);

/* At the end of a section: the static payload types on its m= line that
 * have no rtpmap get their RFC 3551 name and clock rate (codecs stay
 * contiguous per section because this runs before the next m= line). */
void rtclab_sdp_finish_section_(struct sdp_parser *p)
{
	struct rtclab_sdp_media *m = section(p);
	if (!m || !is_rtp(m))
		return;
	for (size_t i = 0; i < m->n_formats; i++) {
		uint64_t pt;
		struct rtclab_str f = p->sdp->formats[m->first_format + i];
		if (!rtclab_sdp_number_(f, 127, &pt) || codec_in_section(p, (uint32_t)pt))
			continue;
		if (pt >= 35) { /* RFC 3551 6: 35-127 are dynamic or unassigned */
			const struct rtclab_sdp_line *ml = &p->sdp->lines[m->line - 1];
			rtclab_sdp_problem_(p, RTCLAB_SDP_P_CODEC, m->line, rtclab_sdp_column_(ml, f.ptr), false,
					    "payload type %u is listed but has no a=rtpmap: a dynamic payload type "
					    "means nothing without one (RFC 8866 6.6)", (unsigned)pt);
			continue;
		}
		for (size_t k = 0; k < sizeof static_pts / sizeof static_pts[0]; k++) {
			if (static_pts[k].pt != pt)
				continue;
			struct rtclab_sdp_codec *c = new_codec(p, (uint32_t)pt);
			if (!c)
				return;
			c->name = rtclab_str_make_(static_pts[k].name, strlen(static_pts[k].name));
			c->clock_rate = static_pts[k].rate;
			c->channels = static_pts[k].channels > 1 ? static_pts[k].channels : 0;
			c->is_static = true;
		}
	}
}

static bool is_rtp(const struct rtclab_sdp_media *m)
{
	return m->proto.len >= 3 && (memcmp(m->proto.ptr + m->proto.len - 3, "AVP", 3) == 0 ||
				     memcmp(m->proto.ptr + m->proto.len - 3, "VPF", 3) == 0);
}

static bool on_m_line(const struct rtclab_sdp *sdp, const struct rtclab_sdp_media *m, uint32_t pt)
{
	for (size_t i = 0; i < m->n_formats; i++) {
		uint64_t v;
		if (rtclab_sdp_number_(sdp->formats[m->first_format + i], 127, &v) && v == pt)
			return true;
	}
	return false;
}

static void check_codecs(struct sdp_parser *p, size_t mi)
{
	struct rtclab_sdp *sdp = p->sdp;
	struct rtclab_sdp_media *m = &sdp->media[mi];
	if (!is_rtp(m))
		return;
	for (size_t i = 0; i < m->n_codecs; i++) {
		struct rtclab_sdp_codec *c = &sdp->codecs[m->first_codec + i];
		if (!on_m_line(sdp, m, c->payload))
			rtclab_sdp_problem_(p, RTCLAB_SDP_P_CODEC, c->rtpmap_line ? c->rtpmap_line : c->fmtp_line, 0, true,
					    "payload type %u is described but not listed on the m= line (line %u)",
					    c->payload, m->line);
		if (c->rtpmap_line == 0) {
			for (size_t k = 0; k < sizeof static_pts / sizeof static_pts[0]; k++)
				if (static_pts[k].pt == c->payload) {
					c->name = rtclab_str_make_(static_pts[k].name, strlen(static_pts[k].name));
					c->clock_rate = static_pts[k].rate;
					c->is_static = true;
				}
			if (!c->is_static)
				rtclab_sdp_problem_(p, RTCLAB_SDP_P_CODEC, c->fmtp_line, 0, false,
						    "payload type %u has an fmtp but no rtpmap: dynamic payload types "
						    "need an rtpmap (RFC 8866 6.6)", c->payload);
		}
	}
}

void rtclab_sdp_check_sections_(struct sdp_parser *p)
{
	struct rtclab_sdp *sdp = p->sdp;
	for (size_t i = 0; i < sdp->n_media; i++) {
		struct rtclab_sdp_media *m = &sdp->media[i];
		if (p->session_end_of_candidates)
			m->end_of_candidates = true;
		check_codecs(p, i);
		for (size_t k = 0; k < i && m->mid.len; k++)
			if (str_same(sdp->media[k].mid, m->mid))
				rtclab_sdp_problem_(p, RTCLAB_SDP_P_DUPLICATE, m->line, 0, false,
						    "mid \"%.*s\" is also the mid of the section on line %u; mids are unique "
						    "(RFC 5888 4)", (int)m->mid.len, m->mid.ptr, sdp->media[k].line);
	}
}

const struct rtclab_sdp_codec *rtclab_sdp_codec_find(const struct rtclab_sdp *sdp, const struct rtclab_sdp_media *m,
						     uint32_t payload)
{
	for (size_t i = 0; i < m->n_codecs; i++)
		if (sdp->codecs[m->first_codec + i].payload == payload)
			return &sdp->codecs[m->first_codec + i];
	return NULL;
}
