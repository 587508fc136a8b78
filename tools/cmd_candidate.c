/* rtclab candidate: ICE candidate lines explained field by field (RFC 8839
 * 5.1, RFC 8445, RFC 6544), and with --pairs the check list that a local
 * and a remote list of candidates make (RFC 8445 6.1.2). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "rtclab/candidate_json.h"
#include "rtclab/ice.h"
#include "rtclab/story.h"
#include "tool.h"

void usage_candidate(FILE *out)
{
	fputs("usage: rtclab candidate [options] LINE...\n"
	      "       rtclab candidate [options] -f FILE | -\n"
	      "       rtclab candidate --pairs [--controlling local|remote] [--limit N]\n"
	      "                        --local LINE... --remote LINE...\n"
	      "\n"
	      "Explain ICE candidate lines field by field: what the type means and when in the\n"
	      "handshake it appears, what the addresses reveal, and how the priority is built.\n"
	      "A LINE is \"a=candidate:...\", \"candidate:...\" or the bare value; quote it.\n"
	      "\n"
	      "  -f, --file FILE      read candidates from FILE, one per line ('-' = standard\n"
	      "                       input); blank lines and lines starting with '#' are skipped\n"
	      "  --json               print JSON (docs/json.md): an array of candidates, or with\n"
	      "                       --pairs an object with \"pairs\" and \"pruned\"\n"
	      "  --brief              leave out the explanations\n"
	      "  --color WHEN         auto (default), always or never; NO_COLOR turns it off\n"
	      "\n"
	      "Check list (RFC 8445 6.1.2):\n"
	      "  --pairs              pair the --local candidates with the --remote ones: order,\n"
	      "                       pruning, the limit and the initial states\n"
	      "  --local LINE...      the local agent's candidates (the lines that follow)\n"
	      "  --remote LINE...     the remote agent's candidates\n"
	      "  --local-file FILE    local candidates from FILE ('-' = standard input)\n"
	      "  --remote-file FILE   remote candidates from FILE\n"
	      "  --controlling WHO    local (default) or remote: whose priorities are G\n"
	      "  --limit N            the check list limit (default 100, RFC 8445 6.1.2.5)\n"
	      "\n"
	      "Exit status: 0 every line is a valid candidate, 1 some line is not (each is\n"
	      "reported with its line number and column, and the others are still shown),\n"
	      "2 usage error or unreadable input.\n",
	      out);
}

/* --- input ------------------------------------------------------------------- */

/* One candidate line and where it came from. */
struct item {
	const char *text;
	size_t len;
	const char *file; /* NULL for a command-line argument */
	size_t number;    /* line number in the file, or argument number */
};

struct list {
	struct item *v;
	size_t n, cap;
};

struct cand_opts {
	bool json, explain, pairs, local_controlling;
	bool any_input; /* a line or a file was given, even if the file holds none */
	size_t limit;
	struct style st;
	struct list lines, local, remote;
	uint8_t **buffers; /* file contents the items point into */
	size_t n_buffers;
};

static bool push_item(struct list *l, const char *text, size_t len, const char *file, size_t number)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct item *v = realloc(l->v, cap * sizeof *v);
		if (!v)
			return false;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = (struct item){text, len, file, number};
	return true;
}

/* Blank, or a '#' comment after optional blanks. */
static bool skip_line(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i == len || s[i] == '#';
}

/* Every candidate line of a file into l; the buffer stays alive in o. */
static bool add_file(struct cand_opts *o, struct list *l, const char *path)
{
	char err[512];
	size_t len = 0;
	uint8_t *buf = read_input(path, &len, err, sizeof err);
	uint8_t **more = buf ? realloc(o->buffers, (o->n_buffers + 1) * sizeof *more) : NULL;
	if (!more) {
		fprintf(stderr, "rtclab candidate: %s\n", buf ? "out of memory" : err);
		free(buf);
		return false;
	}
	o->buffers = more;
	o->buffers[o->n_buffers++] = buf;
	o->any_input = true;
	const char *s = (const char *)buf;
	for (size_t start = 0, number = 1; start < len; number++) {
		const char *nl = memchr(s + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - s) : len, n = end - start;
		if (n > 0 && s[start + n - 1] == '\r')
			n--;
		if (!skip_line(s + start, n) && !push_item(l, s + start, n, path, number))
			return false;
		start = end + 1;
	}
	return true;
}

/* --- options ----------------------------------------------------------------- */

enum target { TO_LINES, TO_LOCAL, TO_REMOTE };

struct argv_walk {
	int argc, i;
	char **argv;
};

/* The value of --opt VALUE or --opt=VALUE; NULL (with a message) when missing. */
static const char *opt_value(struct argv_walk *w, const char *name)
{
	const char *a = w->argv[w->i];
	size_t n = strlen(name);
	if (a[n] == '=')
		return a + n + 1;
	if (w->i + 1 < w->argc)
		return w->argv[++w->i];
	fprintf(stderr, "rtclab candidate: %s needs a value\n", name);
	return NULL;
}

static bool is_opt(const char *a, const char *name)
{
	size_t n = strlen(name);
	return strncmp(a, name, n) == 0 && (a[n] == '\0' || a[n] == '=');
}

static struct list *target_list(struct cand_opts *o, enum target t)
{
	return t == TO_LOCAL ? &o->local : t == TO_REMOTE ? &o->remote : &o->lines;
}

/* A file option: -f / --local-file / --remote-file. */
static int file_option(struct cand_opts *o, struct argv_walk *w, const char *name, enum target t)
{
	const char *path = opt_value(w, name);
	if (!path)
		return -1;
	return add_file(o, target_list(o, t), path) ? 0 : 2;
}

static int set_controlling(struct cand_opts *o, const char *v)
{
	if (!v)
		return -1;
	if (strcmp(v, "local") != 0 && strcmp(v, "remote") != 0) {
		fprintf(stderr, "rtclab candidate: --controlling takes local or remote, not '%s'\n", v);
		return -1;
	}
	o->local_controlling = strcmp(v, "local") == 0;
	return 0;
}

static int set_limit(struct cand_opts *o, const char *v)
{
	char *end;
	if (!v)
		return -1;
	unsigned long n = strtoul(v, &end, 10);
	if (*v < '1' || *v > '9' || *end || n > 1000000) {
		fprintf(stderr, "rtclab candidate: --limit takes a number from 1 to 1000000, not '%s'\n", v);
		return -1;
	}
	o->limit = n;
	return 0;
}

/* One option at w->i: 0 done, -1 usage error, 2 unreadable input, 1 not an option. */
static int one_option(struct cand_opts *o, struct argv_walk *w, enum target *t, const char **color)
{
	const char *a = w->argv[w->i];
	if (strcmp(a, "--json") == 0)
		o->json = true;
	else if (strcmp(a, "--brief") == 0)
		o->explain = false;
	else if (strcmp(a, "--pairs") == 0)
		o->pairs = true;
	else if (strcmp(a, "--local") == 0)
		*t = TO_LOCAL;
	else if (strcmp(a, "--remote") == 0)
		*t = TO_REMOTE;
	else if (is_opt(a, "--color") || is_opt(a, "--colour"))
		return (*color = opt_value(w, is_opt(a, "--colour") ? "--colour" : "--color")) ? 0 : -1;
	else if (strcmp(a, "-f") == 0 || is_opt(a, "--file"))
		return file_option(o, w, a[1] == 'f' ? "-f" : "--file", *t);
	else if (is_opt(a, "--local-file"))
		return file_option(o, w, "--local-file", TO_LOCAL);
	else if (is_opt(a, "--remote-file"))
		return file_option(o, w, "--remote-file", TO_REMOTE);
	else if (is_opt(a, "--controlling"))
		return set_controlling(o, opt_value(w, "--controlling"));
	else if (is_opt(a, "--limit"))
		return set_limit(o, opt_value(w, "--limit"));
	else
		return 1;
	return 0;
}

/* Which options go together. */
static int check_opts(const struct cand_opts *o, bool saw_pair_opt)
{
	if (!o->pairs && saw_pair_opt) {
		fputs("rtclab candidate: --local, --remote, --controlling and --limit go with --pairs\n", stderr);
		return -1;
	}
	if (o->pairs && o->lines.n) {
		fputs("rtclab candidate: with --pairs, put each line after --local or --remote\n", stderr);
		return -1;
	}
	if (o->pairs && (!o->local.n || !o->remote.n)) {
		fputs("rtclab candidate: --pairs needs local and remote candidates (--local LINE... --remote "
		      "LINE...)\n",
		      stderr);
		return -1;
	}
	if (!o->pairs && !o->any_input) {
		fputs("rtclab candidate: give candidate lines, -f FILE or - (standard input)\n", stderr);
		return -1;
	}
	return 0;
}

/* 0 ok, -1 usage error, 2 unreadable input, and 3 for --help. */
static int parse_opts(struct cand_opts *o, int argc, char **argv)
{
	struct argv_walk w = {argc, 1, argv};
	enum target t = TO_LINES;
	const char *color = "auto";
	bool options_end = false, saw_pair_opt = false;
	for (; w.i < argc; w.i++) {
		const char *a = argv[w.i];
		if (!options_end && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0))
			return 3;
		if (!options_end && strcmp(a, "--") == 0) {
			options_end = true;
			continue;
		}
		if (!options_end && a[0] == '-' && a[1] != '\0') {
			saw_pair_opt |= strncmp(a, "--local", 7) == 0 || strncmp(a, "--remote", 8) == 0 ||
					is_opt(a, "--controlling") || is_opt(a, "--limit");
			int r = one_option(o, &w, &t, &color);
			if (r == 1)
				fprintf(stderr, "rtclab candidate: unknown option '%s'\n", a);
			if (r != 0)
				return r == 2 ? 2 : -1;
		} else if (strcmp(a, "-") == 0) {
			if (!add_file(o, target_list(o, t), "-"))
				return 2;
		} else if (!push_item(target_list(o, t), a, strlen(a), NULL, (size_t)w.i)) {
			return 2;
		} else {
			o->any_input = true;
		}
	}
	if (!style_init(&o->st, stdout, color)) {
		fprintf(stderr, "rtclab candidate: --color takes auto, always or never, not '%s'\n", color);
		return -1;
	}
	return check_opts(o, saw_pair_opt);
}

/* --- errors ------------------------------------------------------------------ */

static void print_where(FILE *out, const struct item *it)
{
	if (it->file)
		fprintf(out, "%s line %zu", strcmp(it->file, "-") == 0 ? "standard input" : it->file, it->number);
	else
		fprintf(out, "argument %zu", it->number);
}

/* Digits and dots: an IPv4 address gone wrong. */
static bool looks_like_ipv4(const char *s, size_t n)
{
	size_t dots = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.')
			dots++;
		else if (s[i] < '0' || s[i] > '9')
			return false;
	}
	return dots > 0;
}

/* A word more for the common mistakes. */
static const char *hint(enum rtclab_cand_error e, const char *tok, size_t n)
{
	if ((e == RTCLAB_CAND_E_ADDRESS || e == RTCLAB_CAND_E_RADDR) && looks_like_ipv4(tok, n))
		return "an IPv4 address is four numbers 0-255 separated by dots, and a host name cannot end in "
		       "a number";
	if (e == RTCLAB_CAND_E_TCPTYPE && n == 3 && (tok[0] == 't' || tok[0] == 'T'))
		return "this TCP candidate has no tcptype; some older WebRTC stacks sent TCP candidates without "
		       "one (often with port 0), which RFC 6544 does not allow";
	if (e == RTCLAB_CAND_E_FOUNDATION && n == 0)
		return "the foundation is empty";
	if (e == RTCLAB_CAND_E_TYPE)
		return "RFC 8839 lets new types be defined, but no other is in use";
	return NULL;
}

static void report_error(const struct item *it, enum rtclab_cand_error e, size_t column)
{
	const char *tok = column - 1 < it->len ? it->text + column - 1 : "";
	size_t n = 0;
	while (column - 1 + n < it->len && tok[n] != ' ')
		n++;
	fputs("rtclab candidate: ", stderr);
	print_where(stderr, it);
	fprintf(stderr, ", column %zu: %s\n  ", column, rtclab_cand_error_str(e));
	for (size_t i = 0; i < it->len; i++) {
		unsigned char ch = (unsigned char)it->text[i];
		fputc(ch < 0x20 || ch == 0x7F ? '?' : ch, stderr);
	}
	fprintf(stderr, "\n  %*s^ ", (int)(column - 1), "");
	if (column > it->len)
		fputs("the line ends here", stderr);
	else if (n > 0)
		fprintf(stderr, "found \"%.*s\"", (int)n, tok);
	else
		fputs("here", stderr);
	const char *h = hint(e, tok, n);
	if (h)
		fprintf(stderr, "\n  (%s)", h);
	fputc('\n', stderr);
}

/* Parse one item.  A TCP candidate without tcptype is accepted with a
 * warning, as browsers of the time sent them and the SDP parser takes them
 * (every other field is filled in when that is the only fault). */
static enum rtclab_cand_error parse_item(struct rtclab_candidate *c, const struct item *it, size_t *column)
{
	enum rtclab_cand_error e = rtclab_candidate_parse(c, it->text, it->len, column);
	if (e == RTCLAB_CAND_E_TCPTYPE && rtclab_candidate_lacks_tcptype(c, it->text, it->len)) {
		fflush(stdout);
		fputs("rtclab candidate: warning: ", stderr);
		print_where(stderr, it);
		fprintf(stderr, ", column %zu: a TCP candidate without tcptype; RFC 6544 4.5 requires active, "
				"passive or so, and current agents ignore such candidates\n", *column);
		e = RTCLAB_CAND_OK;
	}
	return e;
}

/* Parse every item of a list into cands (the good ones); false if any is bad. */
static bool parse_list(const struct list *l, struct rtclab_candidate *cands, const struct item **from, size_t *n)
{
	bool all_good = true;
	*n = 0;
	for (size_t i = 0; i < l->n; i++) {
		size_t column;
		enum rtclab_cand_error e = parse_item(&cands[*n], &l->v[i], &column);
		if (e != RTCLAB_CAND_OK) {
			report_error(&l->v[i], e, column);
			all_good = false;
			continue;
		}
		from[(*n)++] = &l->v[i];
	}
	return all_good;
}

/* --- words for students -------------------------------------------------------- */

static const char *type_long_name(enum rtclab_cand_type t)
{
	static const char *const names[] = {"host", "server-reflexive", "peer-reflexive", "relayed"};
	return (size_t)t < sizeof names / sizeof names[0] ? names[t] : "unknown";
}

static bool in4(const uint8_t *ip, unsigned a, unsigned b, unsigned bits)
{
	uint32_t v = (uint32_t)ip[0] << 24 | (uint32_t)ip[1] << 16 | (uint32_t)ip[2] << 8 | ip[3];
	uint32_t net = (uint32_t)a << 24 | (uint32_t)b << 16, mask = bits ? ~0u << (32 - bits) : 0;
	return (v & mask) == (net & mask);
}

static const char *scope4(const uint8_t *ip)
{
	if (in4(ip, 0, 0, 8))
		return "unspecified (0.0.0.0/8), no real address";
	if (in4(ip, 10, 0, 8) || in4(ip, 172, 16, 12) || in4(ip, 192, 168, 16))
		return "private (RFC 1918), reachable only inside its own network";
	if (in4(ip, 100, 64, 10))
		return "in the shared address space (RFC 6598) of carrier-grade NATs, not reachable from the "
		       "Internet";
	if (in4(ip, 127, 0, 8))
		return "loopback, this machine only";
	if (in4(ip, 169, 254, 16))
		return "link-local, this network segment only";
	if ((ip[0] == 192 && ip[1] == 0 && ip[2] == 2) || (ip[0] == 198 && ip[1] == 51 && ip[2] == 100) ||
	    (ip[0] == 203 && ip[1] == 0 && ip[2] == 113))
		return "a documentation address (RFC 5737), as used in examples";
	if (ip[0] >= 224)
		return ip[0] < 240 ? "multicast, not a candidate address" : "reserved, not a usable address";
	return "public, routable on the Internet";
}

static const char *scope6(const uint8_t *ip)
{
	static const uint8_t zero[16], one[16] = {[15] = 1};
	if (memcmp(ip, zero, 16) == 0)
		return "unspecified (::), no real address";
	if (memcmp(ip, one, 16) == 0)
		return "loopback, this machine only";
	if (ip[0] == 0xFE && (ip[1] & 0xC0) == 0x80)
		return "link-local (fe80::/10), this network segment only";
	if ((ip[0] & 0xFE) == 0xFC)
		return "unique local (RFC 4193), private like RFC 1918 addresses in IPv4";
	if (ip[0] == 0x20 && ip[1] == 0x01 && ip[2] == 0x0D && ip[3] == 0xB8)
		return "a documentation address (RFC 3849), as used in examples";
	if (ip[0] == 0xFF)
		return "multicast, not a candidate address";
	if ((ip[0] & 0xE0) == 0x20)
		return "global unicast, routable on the Internet (IPv6 usually needs no NAT)";
	return "not a global unicast address";
}

static const char *scope(const struct rtclab_addr *a)
{
	return a->family == RTCLAB_FAMILY_IPV4 ? scope4(a->ip) : a->family == RTCLAB_FAMILY_IPV6 ? scope6(a->ip) : "";
}

static bool is_private(const struct rtclab_addr *a)
{
	const char *s = scope(a);
	return strncmp(s, "private", 7) == 0 || strncmp(s, "unique local", 12) == 0 || strncmp(s, "in the shared", 13) == 0;
}

static bool is_hex(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

/* "<uuid>.local": 8-4-4-4-12 hex digits, as browsers make them. */
static bool uuid_local(struct rtclab_str s)
{
	if (s.len != 36 + 6)
		return false;
	for (size_t i = 0; i < 36; i++)
		if ((i == 8 || i == 13 || i == 18 || i == 23) ? s.ptr[i] != '-' : !is_hex(s.ptr[i]))
			return false;
	return true;
}

static bool ends_with(struct rtclab_str s, const char *tail)
{
	size_t n = strlen(tail);
	return s.len >= n && memcmp(s.ptr + s.len - n, tail, n) == 0;
}

/* --- one candidate as text --------------------------------------------------------- */

struct printer {
	FILE *out;
	const struct style *st;
	bool explain;
	char text[2048];
};

#define INDENT 18

static void field(struct printer *p, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* "  name          value" */
static void field(struct printer *p, const char *name, const char *fmt, ...)
{
	va_list ap;
	fprintf(p->out, "    %-*s", INDENT - 4, name);
	va_start(ap, fmt);
	vfprintf(p->out, fmt, ap);
	va_end(ap);
	fputc('\n', p->out);
}

static void note(struct printer *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* An explanation under the value (left out with --brief). */
static void note(struct printer *p, const char *fmt, ...)
{
	va_list ap;
	if (!p->explain)
		return;
	va_start(ap, fmt);
	vsnprintf(p->text, sizeof p->text, fmt, ap);
	va_end(ap);
	print_wrapped(p->out, p->st, INDENT, p->text);
}

static void print_story(struct printer *p, const struct rtclab_candidate *c, const struct item *it)
{
	const char *spelling = strncmp(it->text, "a=candidate:", 12) == 0
				       ? "Written as an SDP attribute line (a=candidate:), the way it appears inside "
					 "an offer or answer (steps 1 and 2) or an SDP fragment."
			       : strncmp(it->text, "candidate:", 10) == 0
				       ? "Written as RTCIceCandidate.candidate (candidate:...), the form a browser "
					 "hands to the application to trickle over signaling (step 5)."
				       : "Written as the bare attribute value, without the candidate: prefix.";
	if (!p->explain)
		return;
	if (c->type == RTCLAB_CAND_PRFLX)
		snprintf(p->text, sizeof p->text, "%s: a peer-reflexive candidate is discovered during the checks, "
			 "not gathered.", rtclab_step_title(RTCLAB_STEP_CHECKS));
	else
		snprintf(p->text, sizeof p->text, "%s; %s: found while gathering, then sent to the other peer, "
			 "one by one (or inside the offer or answer when gathering finished before it was sent).",
			 rtclab_step_title(RTCLAB_STEP_GATHER), rtclab_step_title(RTCLAB_STEP_TRICKLE));
	print_wrapped(p->out, p->st, 4, p->text);
	print_wrapped(p->out, p->st, 4, rtclab_cand_type_explain(c->type));
	print_wrapped(p->out, p->st, 4, spelling);
}

static void print_foundation(struct printer *p, const struct rtclab_candidate *c)
{
	field(p, "foundation", "%.*s", (int)c->foundation.len, c->foundation.ptr);
	note(p, "Candidates with the same foundation are alike: same type, same base (the interface they were "
		"gathered on) and, for srflx and relay, the same STUN or TURN server (RFC 8445 5.1.1.3). ICE "
		"unfreezes the checks of similar pairs together (6.1.2.6). Browsers make it a hash, so the "
		"value itself means nothing.");
}

static void print_component(struct printer *p, const struct rtclab_candidate *c)
{
	field(p, "component", "%u%s", c->component, c->component == 1 ? " (RTP)" : c->component == 2 ? " (RTCP)" : "");
	if (c->component == 1)
		note(p, "Component 1 carries RTP, and with rtcp-mux (which every browser uses) RTCP too: one "
			"port for everything.");
	else if (c->component == 2)
		note(p, "Component 2 carries RTCP on a port of its own. With rtcp-mux (RFC 5761) it is not "
			"needed, and browsers that negotiate it ignore these candidates.");
	else
		note(p, "Component %u: a stream with more than two components (RFC 8445 13).", c->component);
}

static void print_transport(struct printer *p, const struct rtclab_candidate *c)
{
	field(p, "transport", "%.*s", (int)c->transport_text.len, c->transport_text.ptr);
	if (c->transport == RTCLAB_CAND_UDP)
		note(p, "UDP: ICE's usual transport; checks and media travel in UDP datagrams.");
	else
		note(p, "TCP (ICE-TCP, RFC 6544): for networks that block UDP. The tcptype says which side opens "
			"the connection.");
}

/* RFC 6544 4.2 recommends these direction preferences. */
static unsigned tcp_direction_pref(const struct rtclab_candidate *c)
{
	bool reflexive = c->type == RTCLAB_CAND_SRFLX || c->type == RTCLAB_CAND_PRFLX;
	switch (c->tcptype) {
	case RTCLAB_TCPTYPE_ACTIVE:
		return reflexive ? 4 : 6;
	case RTCLAB_TCPTYPE_PASSIVE:
		return reflexive ? 2 : 4;
	case RTCLAB_TCPTYPE_SO:
		return reflexive ? 6 : 2;
	case RTCLAB_TCPTYPE_NONE:
		break;
	}
	return 0;
}

static void priority_notes(struct printer *p, const struct rtclab_candidate *c)
{
	struct rtclab_ice_priority_parts parts = rtclab_ice_priority_split(c->priority);
	unsigned want = rtclab_ice_type_preference(c->type);
	if (parts.type_pref != want)
		note(p, "For a %s candidate RFC 8445 recommends type preference %u; this agent chose %u.%s",
		     type_long_name(c->type), want, parts.type_pref,
		     c->transport == RTCLAB_CAND_TCP ? " Implementations give TCP candidates lower type preferences "
						       "than UDP ones, so that UDP pairs are checked first."
						     : "");
	if (parts.component != c->component)
		note(p, "The component in the priority (%u) is not the candidate's component (%u): this priority "
			"was not computed the way RFC 8445 5.1.2.1 says.", parts.component, c->component);
	if (c->transport == RTCLAB_CAND_TCP && c->tcptype != RTCLAB_TCPTYPE_NONE)
		note(p, "For TCP, RFC 6544 4.2 builds the local preference as 2^13 x direction preference + other "
			"preference: here %u x 8192 + %u. It recommends direction preference %u for a %s "
			"candidate with tcptype %s.", parts.local_pref >> 13, parts.local_pref & 0x1FFF,
		     tcp_direction_pref(c), rtclab_cand_type_name(c->type), rtclab_tcptype_name(c->tcptype));
}

static void print_priority(struct printer *p, const struct rtclab_candidate *c)
{
	char buf[1024];
	rtclab_ice_priority_explain(c->priority, buf, sizeof buf);
	char *rest = strstr(buf, "). ");
	if (rest) { /* the formula, then sentences on its parts */
		rest[1] = '\0';
		rest += 3;
	}
	field(p, "priority", "%s", buf);
	if (rest)
		note(p, "%s", rest);
	priority_notes(p, c);
	note(p, "The candidate priorities of both sides make the pair priority (RFC 8445 6.1.2.3), which "
		"orders the checks: highest first.");
}

static void explain_ip_address(struct printer *p, const struct rtclab_candidate *c)
{
	static const char *const roles[] = {
		"The address of one of this peer's network interfaces.",
		"The public address of the NAT in front of this peer, as the STUN server saw it.",
		"The address the other peer saw a check come from.",
		"An address of the TURN server: the relay port allocated for this peer.",
	};
	note(p, "%s It is %s.%s", (size_t)c->type < 4 ? roles[c->type] : "", scope(&c->ip),
	     c->type == RTCLAB_CAND_HOST && is_private(&c->ip)
		     ? " A peer on another network cannot reach it and needs the srflx or relay candidates."
		     : "");
}

static void print_address(struct printer *p, const struct rtclab_candidate *c)
{
	static const char *const kinds[] = {"IPv4", "IPv6", "host name", "mDNS name"};
	field(p, "address", "%.*s (%s)", (int)c->address.len, c->address.ptr,
	      (size_t)c->address_kind < 4 ? kinds[c->address_kind] : "?");
	if (c->address_kind == RTCLAB_CAND_ADDR_IPV4 || c->address_kind == RTCLAB_CAND_ADDR_IPV6)
		explain_ip_address(p, c);
	else if (c->address_kind == RTCLAB_CAND_ADDR_MDNS)
		note(p, "%s The browser hides this host's private IP address behind a random name that only peers "
			"on the same local network can resolve, with multicast DNS (draft-ietf-mmusic-mdns-ice-"
			"candidates). A peer elsewhere cannot resolve it and relies on the srflx or relay "
			"candidates.", uuid_local(c->address) ? "A random UUID followed by .local." : "A .local name.");
	else
		note(p, "A host name instead of an address. RFC 8839 5.1 says an agent ignores such candidates "
			"unless an extension tells how to resolve them.%s",
		     ends_with(c->address, ".invalid") ? " The .invalid domain never resolves (RFC 6761): the address "
							  "was redacted."
						       : "");
}

static void print_port(struct printer *p, const struct rtclab_candidate *c)
{
	field(p, "port", "%u", c->port);
	if (c->transport == RTCLAB_CAND_TCP && c->tcptype == RTCLAB_TCPTYPE_ACTIVE && c->port == 9)
		note(p, "9 is the discard port, a placeholder: an active TCP candidate opens connections and "
			"listens on no port (RFC 6544 4.5).");
	else if (c->port == 0)
		note(p, "Port 0 receives nothing: a placeholder for a candidate that does not listen.");
	else
		note(p, "The %s port where this peer receives checks and media.",
		     c->transport == RTCLAB_CAND_TCP ? "TCP" : "UDP");
}

static void print_type(struct printer *p, const struct rtclab_candidate *c)
{
	if (c->type == RTCLAB_CAND_HOST)
		field(p, "type", "host");
	else
		field(p, "type", "%s (%s)", rtclab_cand_type_name(c->type), type_long_name(c->type));
}

/* "server-reflexive candidate (srflx), UDP, 82.64.133.208 port 51044, component 1" */
static void print_summary(FILE *out, const struct rtclab_candidate *c)
{
	fprintf(out, "  %s candidate", type_long_name(c->type));
	if (c->type != RTCLAB_CAND_HOST)
		fprintf(out, " (%s)", rtclab_cand_type_name(c->type));
	fprintf(out, ", %s%s%s, %.*s port %u, component %u\n", c->transport == RTCLAB_CAND_TCP ? "TCP" : "UDP",
		c->tcptype ? " " : "", c->tcptype ? rtclab_tcptype_name(c->tcptype) : "", (int)c->address.len,
		c->address.ptr, c->port, c->component);
}

/* "192.168.0.87 is private (RFC 1918), ..." or "my-host.local, a host name" */
static const char *related_words(const struct rtclab_candidate *c, char *buf, size_t len)
{
	if (c->raddr_ip.family != RTCLAB_FAMILY_NONE)
		snprintf(buf, len, "%.*s is %s", (int)c->raddr.len, c->raddr.ptr, scope(&c->raddr_ip));
	else
		snprintf(buf, len, "%.*s, a host name", (int)c->raddr.len, c->raddr.ptr);
	return buf;
}

static void explain_related(struct printer *p, const struct rtclab_candidate *c)
{
	char words[400];
	bool hidden = c->has_raddr && c->raddr_ip.family != RTCLAB_FAMILY_NONE &&
		      strncmp(scope(&c->raddr_ip), "unspecified", 11) == 0;
	if (c->type == RTCLAB_CAND_HOST)
		note(p, "A host candidate should carry no related address (RFC 8839 5.1).");
	else if (!c->has_raddr)
		note(p, "rport without raddr: the port of the related address, whose address is not given.");
	else if (hidden)
		note(p, "A placeholder: the agent hides the related address for privacy, as RFC 8839 5.1 allows "
			"(browsers do this when they hide host addresses behind mDNS names). ICE does not need it: "
			"it is there for diagnostics.");
	else if (c->type == RTCLAB_CAND_RELAY)
		note(p, "The mapped address: this peer's public address as the TURN server saw it (its srflx "
			"address), from the XOR-MAPPED-ADDRESS of the Allocate response. Here %s.",
		     related_words(c, words, sizeof words));
	else
		note(p, "The base: the local address and port the STUN request left from. It reveals what is behind "
			"the NAT: %s.", related_words(c, words, sizeof words));
	if (c->has_raddr && !c->has_rport)
		note(p, "raddr without rport: RFC 8839 5.1 gives both.");
}

static void print_related(struct printer *p, const struct rtclab_candidate *c)
{
	if (!c->has_raddr && !c->has_rport) {
		if (c->type != RTCLAB_CAND_HOST && p->explain) {
			field(p, "raddr, rport", "(none)");
			note(p, "RFC 8839 5.1 wants raddr and rport on srflx, prflx and relay candidates.");
		}
		return;
	}
	if (c->has_raddr)
		field(p, "raddr, rport", "%.*s port %u", (int)c->raddr.len, c->raddr.ptr, c->rport);
	else
		field(p, "rport", "%u (no raddr)", c->rport);
	explain_related(p, c);
}

static void explain_tcptype(struct printer *p, enum rtclab_tcptype t)
{
	if (t == RTCLAB_TCPTYPE_ACTIVE)
		note(p, "active: this side opens the TCP connection and does not listen (RFC 6544 4.5).");
	else if (t == RTCLAB_TCPTYPE_PASSIVE)
		note(p, "passive: this side listens and accepts the connection that an active candidate opens.");
	else
		note(p, "so (simultaneous open): both sides open a connection to each other at the same time, "
			"which gets through some NATs (RFC 6544).");
}

static void explain_network_cost(struct printer *p, int32_t cost)
{
	static const struct {
		int32_t cost;
		const char *what;
	} costs[] = {{0, "Ethernet"}, {1, "Ethernet through a VPN"}, {10, "Wi-Fi"}, {11, "Wi-Fi through a VPN"},
		     {50, "an unknown network type"}, {250, "5G"}, {500, "4G"}, {900, "a cellular network"},
		     {910, "3G"}, {980, "2G"}, {999, "the maximum, for candidates gathered on the any-address"}};
	const char *what = NULL;
	for (size_t i = 0; i < sizeof costs / sizeof costs[0]; i++)
		if (costs[i].cost == cost)
			what = costs[i].what;
	note(p, "How costly the network under this candidate is, as libwebrtc rates it (0 Ethernet, 10 Wi-Fi, "
		"50 unknown, 250 5G, 500 4G, 900 cellular, 999 the maximum; +1 through a VPN). A peer can prefer "
		"cheaper networks. Not part of RFC 8839.%s%s%s", what ? " Here: " : "", what ? what : "",
	     what ? "." : "");
}

static void print_extension(struct printer *p, const struct rtclab_candidate *c, const struct rtclab_cand_ext *x)
{
	char name[64];
	snprintf(name, sizeof name, "%.*s", (int)x->name.len, x->name.ptr);
	field(p, name, "%.*s%s", (int)x->value.len, x->value.ptr, x->value.len ? "" : "(empty)");
	if (rtclab_str_eq(x->name, "tcptype"))
		explain_tcptype(p, c->tcptype);
	else if (rtclab_str_eq(x->name, "generation"))
		note(p, "Counts ICE restarts (libwebrtc): 0 at first, one more at each restart, so that a "
			"candidate of an older generation can be ignored. Not part of RFC 8839.");
	else if (rtclab_str_eq(x->name, "ufrag"))
		note(p, "The ice-ufrag of the ICE session this candidate belongs to. Trickled candidates carry it "
			"so that the receiver can match them to the right session, before or after an ICE restart.");
	else if (rtclab_str_eq(x->name, "network-id"))
		note(p, "libwebrtc's number for the network interface this candidate was gathered on: candidates "
			"with the same network-id come from the same interface. Not part of RFC 8839.");
	else if (rtclab_str_eq(x->name, "network-cost"))
		explain_network_cost(p, c->network_cost);
	else
		note(p, "An extension rtclab does not know. RFC 8839 5.1: an implementation ignores the "
			"name/value pairs it does not understand.");
}

static void print_candidate(FILE *out, const struct cand_opts *o, const struct rtclab_candidate *c,
			    const struct item *it, size_t index)
{
	struct printer p = {out, &o->st, o->explain, ""};
	fprintf(out, "%sCandidate %zu%s (", st_bold(&o->st), index, st_off(&o->st));
	print_where(out, it);
	fprintf(out, ")\n  %.*s\n", (int)it->len, it->text);
	print_summary(out, c);
	print_story(&p, c, it);
	print_foundation(&p, c);
	print_component(&p, c);
	print_transport(&p, c);
	print_priority(&p, c);
	print_address(&p, c);
	print_port(&p, c);
	print_type(&p, c);
	print_related(&p, c);
	if (c->n_ext && o->explain)
		print_wrapped(out, &o->st, 4, "Extensions: name and value pairs after the type (RFC 8839 5.1).");
	for (size_t i = 0; i < c->n_ext; i++)
		print_extension(&p, c, &c->ext[i]);
}

/* --- explaining lines ------------------------------------------------------------- */

static void print_json(json_t *doc)
{
	json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(doc);
}

static int explain_lines(const struct cand_opts *o)
{
	json_t *array = o->json ? json_array() : NULL;
	bool all_good = true;
	size_t shown = 0;
	for (size_t i = 0; i < o->lines.n; i++) {
		const struct item *it = &o->lines.v[i];
		struct rtclab_candidate c;
		size_t column;
		enum rtclab_cand_error e = parse_item(&c, it, &column);
		if (e != RTCLAB_CAND_OK) {
			fflush(stdout);
			report_error(it, e, column);
			all_good = false;
		} else if (array) {
			json_array_append_new(array, rtclab_candidate_json(&c));
		} else {
			if (shown++)
				fputc('\n', stdout);
			print_candidate(stdout, o, &c, it, shown);
		}
	}
	if (array)
		print_json(array);
	return all_good ? EXIT_CLEAN : EXIT_PROBLEMS;
}

/* --- the check list ------------------------------------------------------------------ */

struct side {
	struct rtclab_candidate *c;
	const struct item **from;
	size_t n;
};

/* "host udp 192.168.1.5:54400" */
static const char *describe(const struct rtclab_candidate *c, char *buf, size_t len)
{
	char addr[RTCLAB_ADDR_STRLEN + 300];
	if (c->address_kind == RTCLAB_CAND_ADDR_IPV4 || c->address_kind == RTCLAB_CAND_ADDR_IPV6)
		rtclab_addr_format(&c->ip, addr, sizeof addr);
	else
		snprintf(addr, sizeof addr, "%.*s:%u", (int)c->address.len, c->address.ptr, c->port);
	snprintf(buf, len, "%s %s%s%s %s", rtclab_cand_type_name(c->type), c->transport == RTCLAB_CAND_TCP ? "tcp" : "udp",
		 c->tcptype ? "/" : "", c->tcptype ? rtclab_tcptype_name(c->tcptype) : "", addr);
	return buf;
}

static void print_side(const struct cand_opts *o, const struct side *s, const char *title, char letter)
{
	char d[512];
	printf("%s%s%s\n", st_bold(&o->st), title, st_off(&o->st));
	for (size_t i = 0; i < s->n; i++) {
		printf("  %c%-3zu %-44s priority %-10" PRIu32 " foundation %.*s  (", letter, i + 1,
		       describe(&s->c[i], d, sizeof d), s->c[i].priority, (int)s->c[i].foundation.len,
		       s->c[i].foundation.ptr);
		print_where(stdout, s->from[i]);
		puts(")");
	}
}

/* The cell text of a pair's local side: with its base when checks leave from it. */
static void local_cell(const struct side *l, const struct rtclab_ice_pair *pr, char *buf, size_t len)
{
	char d[512], base[RTCLAB_ADDR_STRLEN];
	const struct rtclab_candidate *c = &l->c[pr->local];
	describe(c, d, sizeof d);
	if (pr->via_base) {
		struct rtclab_addr b = c->raddr_ip;
		b.port = c->rport;
		snprintf(buf, len, "L%zu %s via base %s", pr->local + 1, d, rtclab_addr_format(&b, base, sizeof base));
	} else {
		snprintf(buf, len, "L%zu %s", pr->local + 1, d);
	}
}

static void print_pairs_table(const struct cand_opts *o, const struct side *l, const struct side *r,
			      const struct rtclab_ice_pair *pairs, size_t kept)
{
	char lc[700], rc[600], d[400];
	int wf = 10, wl = 5, wr = 6;
	for (size_t i = 0; i < kept; i++) {
		local_cell(l, &pairs[i], lc, sizeof lc);
		snprintf(rc, sizeof rc, "R%zu %s", pairs[i].remote + 1, describe(&r->c[pairs[i].remote], d, sizeof d));
		wf = (int)strlen(pairs[i].foundation) > wf ? (int)strlen(pairs[i].foundation) : wf;
		wl = (int)strlen(lc) > wl ? (int)strlen(lc) : wl;
		wr = (int)strlen(rc) > wr ? (int)strlen(rc) : wr;
	}
	printf("%s  %4s  %-*s  %-*s    %-*s  %-20s  %s%s\n", st_bold(&o->st), "rank", wf, "foundation", wl, "local",
	       wr, "remote", "pair priority", "state", st_off(&o->st));
	for (size_t i = 0; i < kept; i++) {
		local_cell(l, &pairs[i], lc, sizeof lc);
		snprintf(rc, sizeof rc, "R%zu %s", pairs[i].remote + 1, describe(&r->c[pairs[i].remote], d, sizeof d));
		printf("  %4zu  %-*s  %-*s -> %-*s  %-20" PRIu64 "  %s\n", i + 1, wf, pairs[i].foundation, wl, lc, wr,
		       rc, pairs[i].priority, rtclab_ice_pair_state_name(pairs[i].state));
	}
}

static const char *prune_id(enum rtclab_ice_prune p)
{
	static const char *const ids[] = {"none", "component", "family", "transport", "redundant", "limit", "unresolved"};
	return (size_t)p < sizeof ids / sizeof ids[0] ? ids[p] : "unknown";
}

static void print_pruned(const struct cand_opts *o, const struct side *l, const struct side *r,
			 const struct rtclab_ice_pair *pairs, size_t kept, size_t n)
{
	char lc[700], rc[400], why[900];
	bool seen[RTCLAB_PRUNE_UNRESOLVED + 1] = {false};
	printf("\n%sPruned: %zu pair%s%s\n", st_bold(&o->st), n - kept, n - kept == 1 ? "" : "s", st_off(&o->st));
	for (size_t i = kept; i < n; i++) {
		local_cell(l, &pairs[i], lc, sizeof lc);
		describe(&r->c[pairs[i].remote], rc, sizeof rc);
		printf("  %-10s %s -> R%zu %s", prune_id(pairs[i].pruned), lc, pairs[i].remote + 1, rc);
		if (pairs[i].pruned == RTCLAB_PRUNE_REDUNDANT && pairs[i].same_as < kept)
			printf(" (same local base and remote as rank %zu)", pairs[i].same_as + 1);
		putchar('\n');
		if ((size_t)pairs[i].pruned <= RTCLAB_PRUNE_UNRESOLVED)
			seen[pairs[i].pruned] = true;
	}
	for (size_t k = 1; o->explain && k <= RTCLAB_PRUNE_UNRESOLVED; k++) {
		if (!seen[k])
			continue;
		snprintf(why, sizeof why, "%s: %s.", prune_id((enum rtclab_ice_prune)k),
			 rtclab_ice_prune_str((enum rtclab_ice_prune)k));
		print_wrapped(stdout, &o->st, 2, why);
	}
}

static void print_checklist_story(const struct cand_opts *o, const struct side *l, const struct side *r,
				  const struct rtclab_ice_pair *pairs, size_t kept)
{
	char buf[1024];
	if (!o->explain)
		return;
	putchar('\n');
	print_wrapped(stdout, &o->st, 2, "Step 6: connectivity checks. Each agent pairs every local candidate "
		      "with every remote one of the same component, family and compatible transport, orders the "
		      "pairs by pair priority, and prunes what it cannot or need not check (RFC 8445 6.1.2).");
	if (kept) {
		const struct rtclab_candidate *a = &l->c[pairs[0].local], *b = &r->c[pairs[0].remote];
		uint32_t g = o->local_controlling ? a->priority : b->priority;
		uint32_t d = o->local_controlling ? b->priority : a->priority;
		rtclab_ice_pair_priority_explain(g, d, buf, sizeof buf);
		print_wrapped(stdout, &o->st, 2, "Pair priority of rank 1 (RFC 8445 6.1.2.3):");
		print_wrapped(stdout, &o->st, 4, buf);
	}
	print_wrapped(stdout, &o->st, 2, "Initial states (RFC 8445 6.1.2.6): for each pair foundation, the pair "
		      "with the lowest component and then the highest priority starts Waiting, ready to be "
		      "checked; the others start Frozen and are unfrozen when a pair of their foundation "
		      "succeeds.");
}

static json_t *side_json(const struct side *s)
{
	json_t *a = json_array();
	for (size_t i = 0; i < s->n; i++)
		json_array_append_new(a, rtclab_candidate_json(&s->c[i]));
	return a;
}

static json_t *pair_json(const struct rtclab_ice_pair *pr, size_t i, size_t kept)
{
	json_t *o = json_object();
	if (i < kept)
		json_object_set_new(o, "rank", json_integer((json_int_t)i + 1));
	json_object_set_new(o, "foundation", json_string(pr->foundation));
	json_object_set_new(o, "local", json_integer((json_int_t)pr->local));
	json_object_set_new(o, "remote", json_integer((json_int_t)pr->remote));
	json_object_set_new(o, "priority", json_integer((json_int_t)pr->priority));
	json_object_set_new(o, "via_base", json_boolean(pr->via_base));
	if (i < kept) {
		json_object_set_new(o, "state", json_string(rtclab_ice_pair_state_name(pr->state)));
		return o;
	}
	json_object_set_new(o, "reason", json_string(prune_id(pr->pruned)));
	json_object_set_new(o, "explanation", json_string(rtclab_ice_prune_str(pr->pruned)));
	json_object_set_new(o, "same_as", pr->same_as < kept ? json_integer((json_int_t)pr->same_as + 1) : json_null());
	return o;
}

static void print_checklist_json(const struct cand_opts *o, const struct side *l, const struct side *r,
				 const struct rtclab_ice_pair *pairs, size_t kept, size_t n)
{
	json_t *doc = json_object(), *kept_a = json_array(), *pruned_a = json_array();
	json_object_set_new(doc, "controlling", json_string(o->local_controlling ? "local" : "remote"));
	json_object_set_new(doc, "limit", json_integer((json_int_t)(o->limit ? o->limit : 100)));
	json_object_set_new(doc, "local", side_json(l));
	json_object_set_new(doc, "remote", side_json(r));
	for (size_t i = 0; i < n; i++)
		json_array_append_new(i < kept ? kept_a : pruned_a, pair_json(&pairs[i], i, kept));
	json_object_set_new(doc, "pairs", kept_a);
	json_object_set_new(doc, "pruned", pruned_a);
	print_json(doc);
}

static void print_checklist(const struct cand_opts *o, const struct side *l, const struct side *r,
			    const struct rtclab_ice_pair *pairs, size_t kept, size_t n)
{
	print_side(o, l, o->local_controlling ? "Local candidates (controlling agent)" : "Local candidates "
		   "(controlled agent)", 'L');
	print_side(o, r, o->local_controlling ? "Remote candidates (controlled agent)" : "Remote candidates "
		   "(controlling agent)", 'R');
	printf("\n%sCheck list: %zu pair%s kept of %zu (limit %zu)%s\n", st_bold(&o->st), kept, kept == 1 ? "" : "s",
	       l->n * r->n, o->limit ? o->limit : 100, st_off(&o->st));
	print_pairs_table(o, l, r, pairs, kept);
	if (n > kept)
		print_pruned(o, l, r, pairs, kept, n);
	print_checklist_story(o, l, r, pairs, kept);
}

static bool alloc_side(struct side *s, const struct list *l)
{
	s->c = calloc(l->n ? l->n : 1, sizeof *s->c);
	s->from = calloc(l->n ? l->n : 1, sizeof *s->from);
	return s->c && s->from;
}

static int checklist(const struct cand_opts *o)
{
	struct side l = {0}, r = {0};
	struct rtclab_ice_pair *pairs = NULL;
	int status = EXIT_USAGE;
	if (!alloc_side(&l, &o->local) || !alloc_side(&r, &o->remote))
		goto out;
	bool good = parse_list(&o->local, l.c, l.from, &l.n);
	good &= parse_list(&o->remote, r.c, r.from, &r.n);
	size_t max = l.n * r.n, kept = 0;
	pairs = calloc(max ? max : 1, sizeof *pairs);
	if (!pairs)
		goto out;
	struct rtclab_ice_checklist_opts co = {o->local_controlling, o->limit};
	size_t n = rtclab_ice_checklist(l.c, l.n, r.c, r.n, &co, pairs, max, &kept);
	fflush(stderr);
	if (o->json)
		print_checklist_json(o, &l, &r, pairs, kept, n);
	else
		print_checklist(o, &l, &r, pairs, kept, n);
	status = good ? EXIT_CLEAN : EXIT_PROBLEMS;
out:
	if (status == EXIT_USAGE)
		fputs("rtclab candidate: out of memory\n", stderr);
	free(pairs);
	free(l.c);
	free(l.from);
	free(r.c);
	free(r.from);
	return status;
}

/* --- the command ---------------------------------------------------------------------- */

static void free_opts(struct cand_opts *o)
{
	for (size_t i = 0; i < o->n_buffers; i++)
		free(o->buffers[i]);
	free(o->buffers);
	free(o->lines.v);
	free(o->local.v);
	free(o->remote.v);
}

int cmd_candidate(int argc, char **argv)
{
	struct cand_opts o;
	memset(&o, 0, sizeof o);
	o.explain = true;
	o.local_controlling = true;
	int r = parse_opts(&o, argc, argv);
	if (r == 3) {
		usage_candidate(stdout);
		free_opts(&o);
		return EXIT_CLEAN;
	}
	if (r != 0) {
		if (r < 0)
			fputs("Try 'rtclab candidate --help'.\n", stderr);
		free_opts(&o);
		return EXIT_USAGE;
	}
	int status = o.pairs ? checklist(&o) : explain_lines(&o);
	free_opts(&o);
	if (fflush(stdout) != 0) {
		perror("rtclab candidate: standard output");
		return EXIT_USAGE;
	}
	return status;
}
