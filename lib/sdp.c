/* SDP parsing (RFC 8866) into the model of rtclab/sdp.h.
 *
 * Pass 1 splits lines and checks the line-type order of RFC 8866 5; each
 * a= line is parsed into its typed value as it comes (sdp_attr.c).  Pass 2
 * fills the per-section effective values (session-level ICE credentials,
 * fingerprint and setup apply where a section has none of its own).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtclab/sdp.h"
#include "sdp_internal.h"

/* --- growing arrays --------------------------------------------------------------- */

bool rtclab_sdp_grow_(void **arr, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return true;
	size_t ncap = *cap ? *cap * 2 : 16;
	if (ncap > SIZE_MAX / elem)
		return false;
	void *p = realloc(*arr, ncap * elem);
	if (!p)
		return false;
	*arr = p;
	*cap = ncap;
	return true;
}

void rtclab_sdp_problem_(struct sdp_parser *p, enum rtclab_sdp_problem_code code, uint32_t line, uint32_t column,
			 bool warning, const char *fmt, ...)
{
	struct rtclab_sdp *sdp = p->sdp;
	if (!rtclab_sdp_grow_((void **)&sdp->problems, &p->cap_problems, sdp->n_problems, sizeof *sdp->problems)) {
		p->oom = true;
		return;
	}
	struct rtclab_sdp_problem *pr = &sdp->problems[sdp->n_problems++];
	pr->code = code;
	pr->line = line;
	pr->column = column;
	pr->warning = warning;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(pr->message, sizeof pr->message, fmt, ap);
	va_end(ap);
}

/* --- small text helpers ---------------------------------------------------------------- */

struct rtclab_str rtclab_str_make_(const char *p, size_t n)
{
	struct rtclab_str s = {p, n};
	return s;
}

/* Split the next field off *rest at a single space; false when none is left. */
bool rtclab_sdp_field_(struct rtclab_str *rest, struct rtclab_str *field)
{
	if (rest->len == 0)
		return false;
	const char *sp = memchr(rest->ptr, ' ', rest->len);
	size_t n = sp ? (size_t)(sp - rest->ptr) : rest->len;
	*field = rtclab_str_make_(rest->ptr, n);
	rest->ptr += n;
	rest->len -= n;
	if (rest->len) { /* skip the separator */
		rest->ptr++;
		rest->len--;
	}
	return true;
}

bool rtclab_sdp_number_(struct rtclab_str s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	if (s.len == 0 || s.len > 20)
		return false;
	for (size_t i = 0; i < s.len; i++) {
		if (s.ptr[i] < '0' || s.ptr[i] > '9')
			return false;
		unsigned d = (unsigned)(s.ptr[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

uint32_t rtclab_sdp_column_(const struct rtclab_sdp_line *l, const char *at)
{
	return (uint32_t)(at - l->text.ptr) + 1;
}

/* --- line order (RFC 8866 5) --------------------------------------------------------- */

/* Session: v o s i? u? e* p* c? b* (t r*)+ z? k? a*  Media: m i? c* b* k? a* */
static const char session_order[] = "vosiuepcbtrzka";
static const char media_order[] = "micbka";

static int order_rank(const char *order, char type)
{
	const char *p = strchr(order, type);
	return p && type ? (int)(p - order) : -1;
}

static bool repeatable(char type, bool media)
{
	return strchr(media ? "cba" : "epbtra", type) != NULL;
}

static void check_order(struct sdp_parser *p, const struct rtclab_sdp_line *l)
{
	bool media = p->section >= 0;
	int rank = order_rank(media ? media_order : session_order, l->type);
	if (l->type == 'm') {
		p->last_rank = 0;
		p->last_type = 'm';
		return;
	}
	if (rank < 0) {
		if (order_rank(session_order, l->type) >= 0 || order_rank(media_order, l->type) >= 0)
			rtclab_sdp_problem_(p, RTCLAB_SDP_P_ORDER, l->number, 1, false,
					    "\"%c=\" is not allowed in a media section (RFC 8866 5)", l->type);
		return;
	}
	/* A t= line may follow the r= lines of the previous t=. */
	bool t_after_r = !media && l->type == 't' && p->last_type == 'r';
	if (rank < p->last_rank && !t_after_r) {
		rtclab_sdp_problem_(p, RTCLAB_SDP_P_ORDER, l->number, 1, true,
				    "\"%c=\" comes after \"%c=\"; RFC 8866 5 orders %s lines as %s", l->type,
				    p->last_type, media ? "media" : "session", media ? media_order : session_order);
	} else if (rank == p->last_rank && l->type == p->last_type && !repeatable(l->type, media)) {
		rtclab_sdp_problem_(p, RTCLAB_SDP_P_DUPLICATE, l->number, 1, false,
				    "a second \"%c=\" line; only one is allowed %s", l->type,
				    media ? "per media section" : "at session level");
	}
	if (rank > p->last_rank || l->type == p->last_type || t_after_r) {
		p->last_rank = rank;
		p->last_type = l->type;
	}
}

/* --- the fixed lines ------------------------------------------------------------------- */

static void parse_version(struct sdp_parser *p, struct rtclab_sdp_line *l)
{
	uint64_t v;
	if (!rtclab_sdp_number_(l->value, 0, &v))
		rtclab_sdp_problem_(p, RTCLAB_SDP_P_BAD_VALUE, l->number, 3, false,
				    "version \"%.*s\": SDP has only version 0 (RFC 8866 5.1)", (int)l->value.len,
				    l->value.ptr);
	p->sdp->version = 0;
}

static void parse_origin(struct sdp_parser *p, struct rtclab_sdp_line *l)
{
	struct rtclab_str rest = l->value, f[6];
	int n = 0;
	while (n < 6 && rtclab_sdp_field_(&rest, &f[n]))
		n++;
	uint64_t version;
	if (n < 6 || rest.len) {
		rtclab_sdp_problem_(p, RTCLAB_SDP_P_BAD_VALUE, l->number, 3, false,
				    "o= needs 6 fields: username sess-id sess-version nettype addrtype "
				    "unicast-address (RFC 8866 5.2); found %d%s", n, rest.len ? " and more" : "");
		l->valid = false;
		return;
	}
	p->sdp->origin.username = f[0];
	p->sdp->origin.session_id = f[1];
	p->sdp->origin.nettype = f[3];
	p->sdp->origin.addrtype = f[4];
	p->sdp->origin.address = f[5];
	p->sdp->origin.line = l->number;
	if (!rtclab_sdp_number_(f[1], UINT64_MAX, &version))
		rtclab_sdp_problem_(p, RTCLAB_SDP_P_BAD_VALUE, l->number, rtclab_sdp_column_(l, f[1].ptr), false,
				    "session id \"%.*s\" is not a number (RFC 8866 5.2)", (int)f[1].len, f[1].ptr);
	if (!rtclab_sdp_number_(f[2], UINT64_MAX, &version)) {
		rtclab_sdp_problem_(p, RTCLAB_SDP_P_BAD_VALUE, l->number, rtclab_sdp_column_(l, f[2].ptr), false,
				    "session version \"%.*s\" is not a number (RFC 8866 5.2)", (int)f[2].len, f[2].ptr);
		version = 0;
	}
	p->sdp->origin.session_version = version;
}

/* c=<nettype> <addrtype> <connection-address> (RFC 8866 5.7). */
static void parse_connection(struct sdp_parser *p, struct rtclab_sdp_line *l, struct rtclab_sdp_connection *c)
{
	struct rtclab_str rest = l->value;
	if (!rtclab_sdp_field_(&rest, &c->nettype) || !rtclab_sdp_field_(&rest, &c->addrtype) ||
	    !rtclab_sdp_field_(&rest, &c->address) || rest.len) {
		rtclab_sdp_problem_(p, RTCLAB_SDP_P_BAD_VALUE, l->number, 3, false,
				    "c= needs: nettype addrtype connection-address (RFC 8866 5.7)");
		l->valid = false;
		return;
	}
	c->line = l->number;
	rtclab_sdp_check_addrtype_(p, l, c->nettype, c->addrtype, c->address);
}

static void parse_timing(struct sdp_parser *p, struct rtclab_sdp_line *l)
{
	struct rtclab_str rest = l->value, start, stop;
	uint64_t v;
	if (!rtclab_sdp_field_(&rest, &start) || !rtclab_sdp_field_(&rest, &stop) || rest.len ||
	    !rtclab_sdp_number_(start, UINT64_MAX, &v) || !rtclab_sdp_number_(stop, UINT64_MAX, &v)) {
		rtclab_sdp_problem_(p, RTCLAB_SDP_P_BAD_VALUE, l->number, 3, false,
				    "t= needs two numbers, start and stop time (RFC 8866 5.9); WebRTC uses \"t=0 0\"");
		l->valid = false;
	}
}

static void parse_bandwidth(struct sdp_parser *p, struct rtclab_sdp_line *l)
{
	const char *colon = memchr(l->value.ptr, ':', l->value.len);
	uint64_t v;
	if (!colon || colon == l->value.ptr ||
	    !rtclab_sdp_number_(rtclab_str_make_(colon + 1, l->value.len - (size_t)(colon + 1 - l->value.ptr)),
				UINT64_MAX, &v)) {
		rtclab_sdp_problem_(p, RTCLAB_SDP_P_BAD_VALUE, l->number, 3, false,
				    "b= needs <bwtype>:<bandwidth> with a number (RFC 8866 5.8)");
		l->valid = false;
	}
}

/* m=<media> <port>[/<number of ports>] <proto> <fmt> ... (RFC 8866 5.14). */
static void parse_media(struct sdp_parser *p, struct rtclab_sdp_line *l)
{
	struct rtclab_sdp *sdp = p->sdp;
	rtclab_sdp_finish_section_(p);
	if (!rtclab_sdp_grow_((void **)&sdp->media, &p->cap_media, sdp->n_media, sizeof *sdp->media)) {
		p->oom = true;
		return;
	}
	struct rtclab_sdp_media *m = &sdp->media[sdp->n_media];
	memset(m, 0, sizeof *m);
	m->line = m->last_line = l->number;
	m->port_count = 1;
	m->sctp_port = m->max_message_size = -1;
	m->first_format = sdp->n_formats;
	m->first_codec = sdp->n_codecs;
	m->first_candidate = sdp->n_candidates;
	p->section = (int)sdp->n_media++;
	l->section = p->section;

	struct rtclab_str rest = l->value, port, fmt;
	uint64_t v;
	if (!rtclab_sdp_field_(&rest, &m->kind) || !rtclab_sdp_field_(&rest, &port) ||
	    !rtclab_sdp_field_(&rest, &m->proto)) {
		rtclab_sdp_problem_(p, RTCLAB_SDP_P_BAD_VALUE, l->number, 3, false,
				    "m= needs: media port proto fmt... (RFC 8866 5.14)");
		l->valid = false;
		return;
	}
	const char *slash = memchr(port.ptr, '/', port.len);
	struct rtclab_str count = {NULL, 0};
	if (slash) {
		count = rtclab_str_make_(slash + 1, port.len - (size_t)(slash + 1 - port.ptr));
		port.len = (size_t)(slash - port.ptr);
	}
	if (!rtclab_sdp_number_(port, 65535, &v)) {
		rtclab_sdp_problem_(p, RTCLAB_SDP_P_BAD_VALUE, l->number, rtclab_sdp_column_(l, port.ptr), false,
				    "port \"%.*s\" is not a number 0-65535", (int)port.len, port.ptr);
		l->valid = false;
	} else {
		m->port = (uint32_t)v;
	}
	if (slash) {
		if (rtclab_sdp_number_(count, 65535, &v) && v > 0) {
			m->port_count = (uint32_t)v;
		} else {
			rtclab_sdp_problem_(p, RTCLAB_SDP_P_BAD_VALUE, l->number, rtclab_sdp_column_(l, count.ptr), false,
					    "number of ports \"%.*s\" is not a positive number", (int)count.len, count.ptr);
			l->valid = false;
		}
	}
	while (rtclab_sdp_field_(&rest, &fmt)) {
		if (fmt.len == 0) {
			rtclab_sdp_problem_(p, RTCLAB_SDP_P_SYNTAX, l->number, rtclab_sdp_column_(l, fmt.ptr), false,
					    "two spaces in a row on the m= line");
			l->valid = false;
			continue;
		}
		if (!rtclab_sdp_grow_((void **)&sdp->formats, &p->cap_formats, sdp->n_formats, sizeof *sdp->formats)) {
			p->oom = true;
			return;
		}
		sdp->formats[sdp->n_formats++] = fmt;
		m->n_formats++;
	}
	if (m->n_formats == 0) {
		rtclab_sdp_problem_(p, RTCLAB_SDP_P_BAD_VALUE, l->number, (uint32_t)l->text.len + 1, false,
				    "m= line has no format list: at least one fmt must follow the proto "
				    "(RFC 8866 5.14)");
		l->valid = false;
	}
	bool rtp = m->proto.len >= 3 && (memcmp(m->proto.ptr + m->proto.len - 3, "AVP", 3) == 0 ||
					 memcmp(m->proto.ptr + m->proto.len - 3, "VPF", 3) == 0);
	for (size_t i = 0; rtp && i < m->n_formats; i++) {
		struct rtclab_str f = sdp->formats[m->first_format + i];
		if (!rtclab_sdp_number_(f, 127, &v)) {
			rtclab_sdp_problem_(p, RTCLAB_SDP_P_BAD_VALUE, l->number, rtclab_sdp_column_(l, f.ptr), false,
					    "RTP payload type \"%.*s\" is not a number 0-127", (int)f.len, f.ptr);
			l->valid = false;
		}
		for (size_t k = 0; k < i; k++)
			if (sdp->formats[m->first_format + k].len == f.len &&
			    memcmp(sdp->formats[m->first_format + k].ptr, f.ptr, f.len) == 0)
				rtclab_sdp_problem_(p, RTCLAB_SDP_P_DUPLICATE, l->number, rtclab_sdp_column_(l, f.ptr),
						    false, "payload type %.*s is listed twice", (int)f.len, f.ptr);
	}
}

/* --- pass 1: lines --------------------------------------------------------------------- */

static void parse_line(struct sdp_parser *p, struct rtclab_sdp_line *l)
{
	struct rtclab_sdp *sdp = p->sdp;
	l->section = p->section;
	l->valid = true;
	struct rtclab_str t = l->text;
	if (t.len == 0) { /* tolerated, as most parsers do, but not SDP */
		rtclab_sdp_problem_(p, RTCLAB_SDP_P_SYNTAX, l->number, 1, true, "empty line: SDP has none (RFC 8866 5)");
		return;
	}
	while (t.len && (t.ptr[0] == ' ' || t.ptr[0] == '\t'))
		t.ptr++, t.len--;
	if (t.len != l->text.len)
		rtclab_sdp_problem_(p, RTCLAB_SDP_P_SYNTAX, l->number, 1, true,
				    "white space before the line type; read as if it were not there");
	if (t.len < 2 || t.ptr[1] != '=' || t.ptr[0] < 'a' || t.ptr[0] > 'z') {
		rtclab_sdp_problem_(p, RTCLAB_SDP_P_SYNTAX, l->number, rtclab_sdp_column_(l, t.ptr), false,
				    "not an SDP line: expected a lower-case letter, '=' and a value (RFC 8866 5)");
		l->valid = false;
		return;
	}
	l->type = t.ptr[0];
	l->value = rtclab_str_make_(t.ptr + 2, t.len - 2);
	if (l->value.len && (l->value.ptr[l->value.len - 1] == ' ' || l->value.ptr[l->value.len - 1] == '\t'))
		rtclab_sdp_problem_(p, RTCLAB_SDP_P_SYNTAX, l->number, (uint32_t)l->text.len, true,
				    "trailing white space");
	if (!p->seen_first && l->type != 'v')
		rtclab_sdp_problem_(p, RTCLAB_SDP_P_MISSING_LINE, 1, 1, false,
				    "an SDP description starts with \"v=0\" (RFC 8866 5)");
	p->seen_first = true;
	if (l->type == 'm')
		parse_media(p, l);
	check_order(p, l);
	if (order_rank(session_order, l->type) < 0 && order_rank(media_order, l->type) < 0) {
		rtclab_sdp_problem_(p, RTCLAB_SDP_P_UNKNOWN_TYPE, l->number, 1, false,
				    "\"%c=\" is not an SDP line type; RFC 8866 5 says a parser must reject a "
				    "description with one", l->type);
		l->valid = false;
		return;
	}
	switch (l->type) {
	case 'v':
		p->seen_v = true;
		parse_version(p, l);
		break;
	case 'o':
		p->seen_o = true;
		parse_origin(p, l);
		break;
	case 's':
		p->seen_s = true;
		sdp->session_name = l->value;
		if (l->value.len == 0)
			rtclab_sdp_problem_(p, RTCLAB_SDP_P_BAD_VALUE, l->number, 3, true,
					    "s= must not be empty; use \"s=-\" (RFC 8866 5.3)");
		break;
	case 't':
		p->seen_t = true;
		parse_timing(p, l);
		break;
	case 'c':
		parse_connection(p, l, p->section < 0 ? &sdp->connection : &sdp->media[p->section].connection);
		break;
	case 'b':
		parse_bandwidth(p, l);
		break;
	case 'a':
		rtclab_sdp_parse_attr_(p, l);
		break;
	default:
		break;
	}
	if (p->section >= 0)
		sdp->media[p->section].last_line = l->number;
}

static bool split_lines(struct sdp_parser *p)
{
	struct rtclab_sdp *sdp = p->sdp;
	size_t cap = 0, pos = 0;
	while (pos < sdp->size) {
		const char *start = sdp->text + pos;
		const char *nl = memchr(start, '\n', sdp->size - pos);
		size_t n = nl ? (size_t)(nl - start) : sdp->size - pos;
		size_t end = n;
		if (end > 0 && start[end - 1] == '\r') {
			end--;
			sdp->crlf = true;
		} else if (nl) {
			sdp->lf = true;
		}
		if (!rtclab_sdp_grow_((void **)&sdp->lines, &cap, sdp->n_lines, sizeof *sdp->lines))
			return false;
		struct rtclab_sdp_line *l = &sdp->lines[sdp->n_lines];
		memset(l, 0, sizeof *l);
		l->number = (uint32_t)++sdp->n_lines;
		l->offset = pos;
		l->text = rtclab_str_make_(start, end);
		pos += n + (nl ? 1 : 0);
	}
	return true;
}

/* --- pass 2: effective values per section ---------------------------------------------- */

static void inherit(struct rtclab_sdp *sdp)
{
	for (size_t i = 0; i < sdp->n_media; i++) {
		struct rtclab_sdp_media *m = &sdp->media[i];
		if (m->ice.ufrag_line == 0) {
			m->ice.ufrag = sdp->ice.ufrag;
			m->ice.ufrag_line = sdp->ice.ufrag_line;
		}
		if (m->ice.pwd_line == 0) {
			m->ice.pwd = sdp->ice.pwd;
			m->ice.pwd_line = sdp->ice.pwd_line;
		}
		if (m->ice.options.len == 0)
			m->ice.options = sdp->ice.options;
		m->ice.lite = sdp->ice.lite;
		if (!m->has_fingerprint && sdp->has_fingerprint) {
			m->has_fingerprint = true;
			m->fingerprint = sdp->fingerprint;
		}
		if (m->setup == RTCLAB_SDP_SETUP_UNSET)
			m->setup = sdp->setup;
		if (m->connection.line == 0)
			m->connection = sdp->connection;
	}
}

struct rtclab_sdp *rtclab_sdp_parse(const char *text, size_t len)
{
	struct sdp_parser p;
	memset(&p, 0, sizeof p);
	p.sdp = calloc(1, sizeof *p.sdp);
	if (!p.sdp)
		return NULL;
	p.sdp->text = text;
	p.sdp->size = len;
	p.section = -1;
	p.last_type = 0;
	if (!split_lines(&p)) {
		rtclab_sdp_free(p.sdp);
		return NULL;
	}
	for (size_t i = 0; i < p.sdp->n_lines && !p.oom; i++)
		parse_line(&p, &p.sdp->lines[i]);
	rtclab_sdp_finish_section_(&p);
	if (!p.oom) {
		static const struct {
			char type;
			const char *what;
		} required[] = {{'v', "v=0"}, {'o', "o= (origin)"}, {'s', "s= (session name)"}, {'t', "t= (timing)"}};
		bool seen[] = {p.seen_v, p.seen_o, p.seen_s, p.seen_t};
		for (size_t i = 0; i < 4; i++)
			if (!seen[i])
				rtclab_sdp_problem_(&p, RTCLAB_SDP_P_MISSING_LINE, 0, 0, false,
						    "no %s line: every SDP description has one (RFC 8866 5)",
						    required[i].what);
		if (p.sdp->crlf && p.sdp->lf)
			rtclab_sdp_problem_(&p, RTCLAB_SDP_P_LINE_END, 0, 0, true,
					    "some lines end with CRLF and some with LF alone; RFC 8866 5 says CRLF");
		inherit(p.sdp);
		rtclab_sdp_check_sections_(&p);
	}
	if (p.oom) {
		rtclab_sdp_free(p.sdp);
		return NULL;
	}
	return p.sdp;
}

void rtclab_sdp_free(struct rtclab_sdp *sdp)
{
	if (!sdp)
		return;
	free(sdp->lines);
	free(sdp->groups);
	free(sdp->group_mids);
	free(sdp->media);
	free(sdp->formats);
	free(sdp->codecs);
	free(sdp->fbs);
	free(sdp->candidates);
	free(sdp->candidate_lines);
	free(sdp->problems);
	free(sdp);
}

size_t rtclab_sdp_serialize(const struct rtclab_sdp *sdp, char *buf, size_t len)
{
	size_t need = 0, written = 0;
	bool fits = true;
	for (size_t i = 0; i < sdp->n_lines; i++) {
		const struct rtclab_str *t = &sdp->lines[i].text;
		fits = fits && need + t->len + 2 < len; /* whole lines only, and room for the NUL */
		if (fits) {
			memcpy(buf + need, t->ptr, t->len);
			memcpy(buf + need + t->len, "\r\n", 2);
			written = need + t->len + 2;
		}
		need += t->len + 2;
	}
	if (len > 0)
		buf[written] = '\0';
	return need;
}
