/* Renderers of the timeline model: the text ladder diagram with its header
 * and footer, the --summary tables, Mermaid and SVG.  Shared by the tools
 * that show a session (rtclab replay, later rtclab sim). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "timeline_text.h"

/* --- the terminal ----------------------------------------------------------------- */

int tl_term_width(FILE *out)
{
	int w = 0;
	const char *cols = getenv("COLUMNS");
	if (cols && *cols)
		w = atoi(cols);
#ifdef TIOCGWINSZ
	struct winsize ws;
	if (w <= 0 && out && isatty(fileno(out)) && ioctl(fileno(out), TIOCGWINSZ, &ws) == 0)
		w = ws.ws_col;
#else
	(void)out;
#endif
	if (w <= 0)
		w = 100;
	return w < 40 ? 40 : w;
}

bool tl_locale_utf8(void)
{
	static const char *const vars[] = {"LC_ALL", "LC_CTYPE", "LANG"};
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		const char *v = getenv(vars[i]);
		if (!v || !*v)
			continue;
		/* the first one set decides, as setlocale() does: "en_US.UTF-8", "C.utf8" */
		for (const char *p = v; *p; p++)
			if (strncasecmp(p, "utf-8", 5) == 0 || strncasecmp(p, "utf8", 4) == 0)
				return true;
		return false;
	}
	return false;
}

/* --- UTF-8 ------------------------------------------------------------------------- */

/* The next character of s (advanced past it); invalid bytes read as '?'. */
static uint32_t utf8_next(const char **s)
{
	const unsigned char *p = (const unsigned char *)*s;
	uint32_t c = p[0];
	int n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
	if (n < 0) {
		*s += 1;
		return '?';
	}
	c = n == 0 ? c : n == 1 ? c & 0x1F : n == 2 ? c & 0x0F : c & 0x07;
	for (int i = 1; i <= n; i++) {
		if ((p[i] & 0xC0) != 0x80) {
			*s += 1;
			return '?';
		}
		c = c << 6 | (p[i] & 0x3F);
	}
	static const uint32_t min[] = {0, 0x80, 0x800, 0x10000};
	*s += n + 1;
	if (c < min[n] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return '?';
	return c;
}

static size_t utf8_put(char *buf, uint32_t c)
{
	if (c < 0x80) {
		buf[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		buf[0] = (char)(0xC0 | c >> 6);
		buf[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		buf[0] = (char)(0xE0 | c >> 12);
		buf[1] = (char)(0x80 | (c >> 6 & 0x3F));
		buf[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	buf[0] = (char)(0xF0 | c >> 18);
	buf[1] = (char)(0x80 | (c >> 12 & 0x3F));
	buf[2] = (char)(0x80 | (c >> 6 & 0x3F));
	buf[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

/* Characters in s (each taken as one column). */
static int text_cols(const char *s)
{
	int n = 0;
	while (*s) {
		utf8_next(&s);
		n++;
	}
	return n;
}

/* --- the canvas of one row --------------------------------------------------------- */

#define MAX_COLS 512

enum {
	G_V = 0x2502,      /* │ */
	G_H = 0x2500,      /* ─ */
	G_RIGHT = 0x25B6,  /* ▶ */
	G_LEFT = 0x25C0,   /* ◀ */
	G_TEE_R = 0x251C,  /* ├ */
	G_TEE_L = 0x2524,  /* ┤ */
	G_DOWN = 0x2510,   /* ┐ */
	G_UP = 0x2518,     /* ┘ */
	G_DOWN_R = 0x250C, /* ┌ */
	G_UP_R = 0x2514,   /* └ */
	G_ELLIPSIS = 0x2026,
};

struct canvas {
	int n;
	uint32_t c[MAX_COLS];
	int hl_from, hl_to; /* the label, in bold: [from, to) */
};

static void cv_clear(struct canvas *cv, int n)
{
	cv->n = n > MAX_COLS ? MAX_COLS : n;
	for (int i = 0; i < cv->n; i++)
		cv->c[i] = ' ';
	cv->hl_from = cv->hl_to = -1;
}

static void cv_set(struct canvas *cv, int x, uint32_t c)
{
	if (x >= 0 && x < cv->n)
		cv->c[x] = c;
}

/* Write text at x, at most max columns: cut with an ellipsis.  Returns the
 * columns written. */
static int cv_text(struct canvas *cv, int x, const char *s, int max, bool utf8)
{
	if (x + max > cv->n)
		max = cv->n - x;
	if (max <= 0)
		return 0;
	int len = text_cols(s), w = 0;
	int ell = utf8 ? 1 : 3;
	int keep = len <= max ? len : max - ell;
	for (; w < keep && *s; w++)
		cv_set(cv, x + w, utf8_next(&s));
	if (len > max) {
		for (int i = 0; i < ell && w < max; i++, w++)
			cv_set(cv, x + w, utf8 ? G_ELLIPSIS : '.');
	}
	return w;
}

static uint32_t ascii_of(uint32_t c)
{
	switch (c) {
	case G_V: return '|';
	case G_H: return '-';
	case G_RIGHT: return '>';
	case G_LEFT: return '<';
	case G_TEE_R: case G_TEE_L: return '+';
	case G_DOWN: case G_DOWN_R: return '.';
	case G_UP: case G_UP_R: return '\'';
	case G_ELLIPSIS: return '.';
	default: return c < 0x80 ? c : '?';
	}
}

static void cv_print(FILE *out, const struct tl_text_opts *o, const struct canvas *cv)
{
	int end = cv->n;
	while (end > 0 && cv->c[end - 1] == ' ')
		end--;
	for (int i = 0; i < end; i++) {
		if (i == cv->hl_from)
			fputs(st_bold(o->st), out);
		char buf[4];
		uint32_t c = o->utf8 ? cv->c[i] : ascii_of(cv->c[i]);
		fwrite(buf, 1, utf8_put(buf, c), out);
		if (i + 1 == cv->hl_to)
			fputs(st_off(o->st), out);
	}
	if (cv->hl_from >= 0 && cv->hl_from < end && cv->hl_to > end)
		fputs(st_off(o->st), out); /* the label ran to the end of the line */
	fputc('\n', out);
}

/* --- the ladder's layout ---------------------------------------------------------- */

#define MARGIN 19 /* "+12.345s  #123456 " */

struct layout {
	const struct rtclab_tl_session *s;
	int n_cols;      /* nodes, and a "?" column for unknown ends */
	int unknown_col; /* -1 when no step has an unknown end */
	int colw, width;
	int term; /* labels beside the arrows may go on to here */
};

static void layout_init(struct layout *L, const struct rtclab_tl_session *s, int width)
{
	L->s = s;
	L->n_cols = (int)s->n_nodes;
	L->unknown_col = -1;
	for (size_t i = 0; i < s->n_steps; i++) {
		const struct rtclab_tl_step *st = &s->steps[i];
		if (st->from < 0 || st->to < 0 || (size_t)st->from >= s->n_nodes || (size_t)st->to >= s->n_nodes) {
			L->unknown_col = L->n_cols++;
			break;
		}
	}
	if (L->n_cols == 0)
		L->n_cols = 1;
	if (width > MAX_COLS)
		width = MAX_COLS;
	/* Columns wide enough for their names and a short label, squeezed to
	 * fit the terminal (at least 4 each). */
	int want = 14;
	for (size_t i = 0; i < s->n_nodes; i++) {
		int w = text_cols(s->nodes[i].name) + 4;
		if (w > want)
			want = w;
	}
	/* Wider columns leave room for labels on the arrows. */
	int avail = width - MARGIN;
	if (avail / L->n_cols > want)
		want = avail / L->n_cols > 36 ? 36 : avail / L->n_cols;
	L->colw = avail / L->n_cols < want ? avail / L->n_cols : want;
	if (L->colw < 4)
		L->colw = 4;
	L->width = MARGIN + L->n_cols * L->colw;
	if (L->width > MAX_COLS)
		L->width = MAX_COLS;
	L->term = width > L->width ? width : L->width;
}

static int col_of(const struct layout *L, int node)
{
	if (node >= 0 && (size_t)node < L->s->n_nodes)
		return node;
	return L->unknown_col >= 0 ? L->unknown_col : 0;
}

static int center(const struct layout *L, int col)
{
	return MARGIN + col * L->colw + L->colw / 2;
}

static void lifelines(const struct layout *L, struct canvas *cv)
{
	cv_clear(cv, L->width);
	for (int i = 0; i < L->n_cols; i++)
		cv_set(cv, center(L, i), G_V);
}

static const char *col_name(const struct layout *L, int col)
{
	return col == L->unknown_col || (size_t)col >= L->s->n_nodes ? "?" : L->s->nodes[col].name;
}

static void print_names(FILE *out, const struct tl_text_opts *o, const struct layout *L)
{
	struct canvas cv;
	cv_clear(&cv, L->width);
	for (int i = 0; i < L->n_cols; i++) {
		const char *name = col_name(L, i);
		int len = text_cols(name), max = L->colw - 1;
		if (len > max)
			len = max;
		cv_text(&cv, center(L, i) - len / 2, name, max, o->utf8);
	}
	cv.hl_from = MARGIN;
	cv.hl_to = L->width;
	cv_print(out, o, &cv);
}

/* "+0.041s  #12" in the margin. */
static void margin_text(struct canvas *cv, const struct rtclab_tl_session *s, const struct rtclab_tl_step *st)
{
	char buf[48];
	if (st->time_ns > 0 && s->first_ns > 0)
		snprintf(buf, sizeof buf, "%+.3fs", (double)(st->time_ns - s->first_ns) / 1e9);
	else
		snprintf(buf, sizeof buf, "      -");
	cv_text(cv, 0, buf, 10, false);
	if (st->frame) {
		snprintf(buf, sizeof buf, "#%llu", (unsigned long long)st->frame);
		cv_text(cv, 11, buf, MARGIN - 12, false);
	}
}

/* A message between two columns: the label inside the arrow when it fits
 * ("├──offer──▶"), else on a line of its own above it. */
static void row_arrow(FILE *out, const struct tl_text_opts *o, const struct layout *L, const struct rtclab_tl_step *st,
		      int a, int b)
{
	struct canvas cv;
	int xa = center(L, a), xb = center(L, b), lo = xa < xb ? xa : xb, hi = xa < xb ? xb : xa;
	int span = hi - lo - 1, len = text_cols(st->what);
	bool inside = len + 6 <= span;
	if (!inside) {
		lifelines(L, &cv);
		cv.n = L->term;
		for (int x = L->width; x < cv.n; x++)
			cv.c[x] = ' ';
		margin_text(&cv, L->s, st);
		int x = lo + 2, w = cv_text(&cv, x, st->what, L->term - x, o->utf8);
		cv.hl_from = x;
		cv.hl_to = x + w;
		cv_print(out, o, &cv);
	}
	lifelines(L, &cv);
	if (inside)
		margin_text(&cv, L->s, st);
	for (int x = lo + 1; x < hi; x++)
		cv_set(&cv, x, G_H);
	cv_set(&cv, xa, xb > xa ? G_TEE_R : G_TEE_L);
	cv_set(&cv, xb > xa ? hi - 1 : lo + 1, xb > xa ? G_RIGHT : G_LEFT);
	if (inside) {
		int x = lo + 1 + (span - len - 2) / 2;
		cv_set(&cv, x, ' ');
		int w = cv_text(&cv, x + 1, st->what, len, o->utf8);
		cv_set(&cv, x + 1 + w, ' ');
		cv.hl_from = x + 1;
		cv.hl_to = x + 1 + w;
	}
	cv_print(out, o, &cv);
}

/* A step from a column to itself, or with both ends unknown:
 *   ├─┐ label                       label ┌─┤
 *   │◀┘      or, near the right edge:      └▶│   */
static void row_self(FILE *out, const struct tl_text_opts *o, const struct layout *L, const struct rtclab_tl_step *st,
		     int a)
{
	struct canvas cv;
	int x = center(L, a), len = text_cols(st->what);
	bool left = L->term - x - 4 < len && L->term - x - 4 < 24 && x - 4 - MARGIN > L->term - x - 4;
	lifelines(L, &cv);
	cv.n = L->term;
	for (int i = L->width; i < cv.n; i++)
		cv.c[i] = ' ';
	margin_text(&cv, L->s, st);
	int d = left ? -1 : 1;
	cv_set(&cv, x, left ? G_TEE_L : G_TEE_R);
	cv_set(&cv, x + d, G_H);
	cv_set(&cv, x + 2 * d, left ? G_DOWN_R : G_DOWN);
	cv_set(&cv, x + 3 * d, ' ');
	if (left) {
		int room = x - 4 - MARGIN, w = len < room ? len : room;
		w = cv_text(&cv, x - 3 - w, st->what, w, o->utf8);
		cv.hl_from = x - 3 - w;
		cv.hl_to = x - 3;
	} else {
		int w = cv_text(&cv, x + 4, st->what, L->term - x - 4, o->utf8);
		cv.hl_from = x + 4;
		cv.hl_to = x + 4 + w;
	}
	cv_print(out, o, &cv);
	lifelines(L, &cv);
	cv_set(&cv, x + d, left ? G_RIGHT : G_LEFT);
	cv_set(&cv, x + 2 * d, left ? G_UP_R : G_UP);
	cv_print(out, o, &cv);
}

/* The whys already printed in this ladder: a student reads each
 * explanation once, not once per trickled candidate. */
struct seen_whys {
	size_t n;
	uint64_t h[512];
};

static bool first_time(struct seen_whys *w, const char *why)
{
	uint64_t h = 1469598103934665603ull;
	for (const unsigned char *p = (const unsigned char *)why; *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	for (size_t i = 0; i < w->n; i++)
		if (w->h[i] == h)
			return false;
	if (w->n < sizeof w->h / sizeof w->h[0])
		w->h[w->n++] = h;
	return true;
}

static void print_step(FILE *out, const struct tl_text_opts *o, const struct layout *L, const struct rtclab_tl_step *st,
		       struct seen_whys *seen)
{
	int a = col_of(L, st->from), b = col_of(L, st->to);
	if (a == b)
		row_self(out, o, L, st, a);
	else
		row_arrow(out, o, L, st, a, b);
	if (!o->brief && st->why[0] && first_time(seen, st->why)) {
		struct style wst = *o->st;
		wst.width = L->term;
		print_wrapped(out, &wst, MARGIN, st->why);
	}
}

void tl_print_ladder(FILE *out, const struct tl_text_opts *o, const struct rtclab_tl_session *s)
{
	struct layout L;
	layout_init(&L, s, o->width);
	print_names(out, o, &L);
	bool pacing = o->pace != NULL;
	enum rtclab_step last = RTCLAB_STEP_NONE;
	static struct seen_whys seen; /* large; the tools are single-threaded */
	seen.n = 0;
	for (size_t i = 0; i < s->n_steps; i++) {
		const struct rtclab_tl_step *st = &s->steps[i];
		if (i > 0 && pacing) {
			fflush(out);
			pacing = o->pace(o->pace_arg, s, i);
		}
		if (i == 0 || st->step != last) {
			struct canvas cv;
			lifelines(&L, &cv);
			cv_print(out, o, &cv);
			fprintf(out, "%s%s%s\n", st_bold(o->st), rtclab_step_title(st->step), st_off(o->st));
			last = st->step;
		}
		print_step(out, o, &L, st, &seen);
	}
	if (s->steps_dropped)
		fprintf(out, "%s(%llu more steps not kept)%s\n", st_dim(o->st), (unsigned long long)s->steps_dropped,
			st_off(o->st));
}

/* --- header and footer ------------------------------------------------------------- */

static const char *addr_text(const struct rtclab_addr *a, char *buf, size_t len)
{
	if (a->family != RTCLAB_FAMILY_IPV4 && a->family != RTCLAB_FAMILY_IPV6)
		return "?";
	return rtclab_addr_format(a, buf, len);
}

static const char *l4_text(enum rtclab_l4 l4)
{
	return l4 == RTCLAB_L4_TCP ? "tcp" : l4 == RTCLAB_L4_UDP ? "udp" : "?";
}

static void print_peer(FILE *out, const struct tl_text_opts *o, const struct rtclab_tl_peer *p)
{
	char a[RTCLAB_ADDR_STRLEN];
	fprintf(out, "  %s%-10s%s %s, ICE %s", st_bold(o->st), p->name, st_off(o->st), rtclab_tl_role_name(p->role),
		rtclab_tl_ice_role_name(p->ice_role));
	fprintf(out, ", ufrag %s", p->ufrag[0] ? p->ufrag : "?");
	if (p->setup[0])
		fprintf(out, ", setup %s", p->setup);
	if (p->ice_lite)
		fputs(", ice-lite", out);
	if (p->desc_source != RTCLAB_TL_DESC_NONE)
		fprintf(out, ", description from %s%s%s", rtclab_tl_desc_source_name(p->desc_source),
			p->desc_file[0] ? " " : "", p->desc_file);
	if (p->has_signaling)
		fprintf(out, ", signaling from %s", addr_text(&p->signaling, a, sizeof a));
	fputc('\n', out);
	if (p->n_endpoints) {
		fprintf(out, "  %-10s endpoints", "");
		for (size_t i = 0; i < p->n_endpoints && i < RTCLAB_TL_MAX_ENDPOINTS; i++)
			fprintf(out, "%s %s", i ? "," : "", addr_text(&p->endpoints[i], a, sizeof a));
		fputc('\n', out);
	}
}

void tl_print_header(FILE *out, const struct tl_text_opts *o, const struct rtclab_tl_session *s)
{
	char a[RTCLAB_ADDR_STRLEN];
	fprintf(out, "%sSession %s%s", st_bold(o->st), s->id[0] ? s->id : "?", st_off(o->st));
	if (s->n_generations > 1)
		fprintf(out, " (%zu generations: %zu ICE restart%s)", s->n_generations, s->n_generations - 1,
			s->n_generations == 2 ? "" : "s");
	fputc('\n', out);
	for (size_t i = 0; i < s->n_peers && i < 2; i++)
		print_peer(out, o, &s->peers[i]);
	for (size_t i = 0; i < s->n_nodes; i++) {
		const struct rtclab_tl_node *n = &s->nodes[i];
		if (n->kind == RTCLAB_TL_NODE_PEER)
			continue;
		static const char *const what[] = {"peer", "signaling server", "STUN server", "TURN server", "server",
						   "NAT"};
		if (n->kind == RTCLAB_TL_NODE_NAT) {
			fprintf(out, "  %s%-10s%s %s (NAT in front of %s)\n", st_bold(o->st), n->name, st_off(o->st),
				addr_text(&n->addr, a, sizeof a), n->peer >= 0 ? s->peers[n->peer].name : "?");
			continue;
		}
		fprintf(out, "  %s%-10s%s %s (%s, %s)\n", st_bold(o->st), n->name, st_off(o->st),
			addr_text(&n->addr, a, sizeof a), what[n->kind <= RTCLAB_TL_NODE_NAT ? n->kind : RTCLAB_TL_NODE_OTHER],
			l4_text(n->transport));
	}
}

static const char *cand_type_text(bool known, enum rtclab_cand_type t)
{
	return known ? rtclab_cand_type_name(t) : "?";
}

void tl_print_footer(FILE *out, const struct tl_text_opts *o, const struct rtclab_tl_session *s)
{
	char a[RTCLAB_ADDR_STRLEN], b[RTCLAB_ADDR_STRLEN];
	const struct rtclab_tl_selected *sel = &s->selected;
	if (sel->has) {
		fprintf(out, "Selected pair  %s (%s) %s %s (%s), %s", addr_text(&sel->local, a, sizeof a),
			cand_type_text(sel->local_type_known, sel->local_type), o->utf8 ? "\u27f7" : "<->",
			addr_text(&sel->remote, b, sizeof b), cand_type_text(sel->remote_type_known, sel->remote_type),
			sel->transport == RTCLAB_CAND_TCP ? "tcp" : "udp");
		if (sel->relayed)
			fprintf(out, ", relayed%s%s", sel->via ? " via " : "", sel->via ? rtclab_tunnel_via_name(sel->via) : "");
		fputc('\n', out);
	} else {
		fputs("Selected pair  none\n", out);
	}
	const struct rtclab_tl_dtls *d = &s->dtls;
	if (d->seen) {
		fprintf(out, "DTLS           client %s, server %s, %s%s%s%s\n", addr_text(&d->client, a, sizeof a),
			addr_text(&d->server, b, sizeof b), d->completed ? st_good(o->st) : st_warn(o->st),
			d->completed ? "completed" : "not completed", st_off(o->st), "");
		if (d->setup_note[0])
			fprintf(out, "               %s%s%s\n", d->setup_checked && !d->setup_ok ? st_bad(o->st) : "",
				d->setup_note, d->setup_checked && !d->setup_ok ? st_off(o->st) : "");
	} else {
		fputs("DTLS           not seen\n", out);
	}
	/* the reason starts with its verdict: "connected over ...", "failed: ...", "undecided: ..." */
	fprintf(out, "Outcome        %s%s%s\n", s->connected ? st_good(o->st) : st_bad(o->st),
		s->outcome[0] ? s->outcome : s->connected ? "connected" : "not connected", st_off(o->st));
	for (size_t i = 0; i < s->n_missing && i < RTCLAB_TL_MAX_MISSING; i++)
		fprintf(out, "%smissing: %s%s\n", st_warn(o->st), s->missing[i], st_off(o->st));
}

/* --- --summary tables ---------------------------------------------------------------- */

#define TBL_COLS 9
#define TBL_CELL 96

struct table {
	int n_cols;
	size_t n_rows;
	char (*cells)[TBL_COLS][TBL_CELL]; /* row 0: the heading */
	int width[TBL_COLS];
	bool right[TBL_COLS]; /* numbers, aligned right */
};

static bool table_init(struct table *t, size_t rows, int cols, const char *const *heads)
{
	memset(t, 0, sizeof *t);
	t->n_cols = cols;
	t->cells = calloc(rows + 1, sizeof *t->cells);
	if (!t->cells)
		return false;
	for (int c = 0; c < cols; c++)
		snprintf(t->cells[0][c], TBL_CELL, "%s", heads[c]);
	t->n_rows = 1;
	return true;
}

static void table_print(FILE *out, const struct tl_text_opts *o, struct table *t)
{
	for (size_t r = 0; r < t->n_rows; r++)
		for (int c = 0; c < t->n_cols; c++) {
			int w = text_cols(t->cells[r][c]);
			if (w > t->width[c])
				t->width[c] = w;
		}
	for (size_t r = 0; r < t->n_rows; r++) {
		fputs(r == 0 ? st_bold(o->st) : "", out);
		fputs("  ", out);
		for (int c = 0; c < t->n_cols; c++) {
			const char *cell = t->cells[r][c];
			int pad = t->width[c] - text_cols(cell);
			bool last = c + 1 == t->n_cols;
			if (t->right[c] && r > 0)
				fprintf(out, "%*s%s", pad, "", cell);
			else
				fprintf(out, "%s%*s", cell, last ? 0 : pad, "");
			if (!last)
				fputs("  ", out);
		}
		fputs(r == 0 ? st_off(o->st) : "", out);
		fputc('\n', out);
	}
	free(t->cells);
	t->cells = NULL;
}

static void rel_time(char *buf, size_t len, int64_t ns, int64_t first)
{
	if (ns > 0 && first > 0)
		snprintf(buf, len, "%+.3fs", (double)(ns - first) / 1e9);
	else
		snprintf(buf, len, "-");
}

static const char *peer_text(const struct rtclab_tl_session *s, int peer)
{
	return peer >= 0 && (size_t)peer < s->n_peers ? s->peers[peer].name : "?";
}

static void candidate_table(FILE *out, const struct tl_text_opts *o, const struct rtclab_tl_session *s)
{
	static const char *const heads[] = {"peer", "type", "transport", "address", "priority", "source", "time"};
	struct table t;
	if (!table_init(&t, s->n_candidates, 7, heads))
		return;
	t.right[4] = true;
	for (size_t i = 0; i < s->n_candidates; i++) {
		const struct rtclab_tl_candidate *c = &s->candidates[i];
		char (*row)[TBL_CELL] = t.cells[t.n_rows++];
		char a[RTCLAB_ADDR_STRLEN];
		snprintf(row[0], TBL_CELL, "%s", peer_text(s, c->peer));
		snprintf(row[1], TBL_CELL, "%s", rtclab_cand_type_name(c->type));
		snprintf(row[2], TBL_CELL, "%s", c->transport == RTCLAB_CAND_TCP ? "tcp" : "udp");
		if (c->addr.family == RTCLAB_FAMILY_IPV4 || c->addr.family == RTCLAB_FAMILY_IPV6)
			snprintf(row[3], TBL_CELL, "%s", rtclab_addr_format(&c->addr, a, sizeof a));
		else
			snprintf(row[3], TBL_CELL, "%.80s:%u", c->name[0] ? c->name : "?", c->addr.port);
		if (c->priority)
			snprintf(row[4], TBL_CELL, "%u", c->priority);
		else
			snprintf(row[4], TBL_CELL, "-");
		snprintf(row[5], TBL_CELL, "%s", rtclab_tl_cand_source_name(c->source));
		rel_time(row[6], TBL_CELL, c->time_ns, s->first_ns);
	}
	fprintf(out, "%sCandidates%s (%zu)\n", st_bold(o->st), st_off(o->st), s->n_candidates);
	if (s->n_candidates)
		table_print(out, o, &t);
	else
		free(t.cells);
}

static void pair_table(FILE *out, const struct tl_text_opts *o, const struct rtclab_tl_session *s)
{
	static const char *const heads[] = {"peer", "local", "remote", "state", "nominated", "checks", "retrans",
					    "rtt", "authentic"};
	struct table t;
	if (!table_init(&t, s->n_pairs, 9, heads))
		return;
	t.right[5] = t.right[6] = t.right[7] = true;
	for (size_t i = 0; i < s->n_pairs; i++) {
		const struct rtclab_tl_pair *p = &s->pairs[i];
		char (*row)[TBL_CELL] = t.cells[t.n_rows++];
		char a[RTCLAB_ADDR_STRLEN];
		snprintf(row[0], TBL_CELL, "%s", peer_text(s, p->peer));
		snprintf(row[1], TBL_CELL, "%s", addr_text(&p->local, a, sizeof a));
		snprintf(row[2], TBL_CELL, "%s", addr_text(&p->remote, a, sizeof a));
		snprintf(row[3], TBL_CELL, "%s%s", rtclab_tl_pair_state_name(p->state), p->selected ? " (selected)" : "");
		snprintf(row[4], TBL_CELL, "%s", p->nominated ? "yes" : "no");
		snprintf(row[5], TBL_CELL, "%llu", (unsigned long long)p->n_checks);
		snprintf(row[6], TBL_CELL, "%llu",
			 (unsigned long long)(p->n_requests > p->n_checks ? p->n_requests - p->n_checks : 0));
		if (p->rtt_ns >= 0)
			snprintf(row[7], TBL_CELL, "%.1f ms", (double)p->rtt_ns / 1e6);
		else
			snprintf(row[7], TBL_CELL, "-");
		if (p->n_auth_ok || p->n_auth_bad)
			snprintf(row[8], TBL_CELL, "%llu ok, %llu bad", (unsigned long long)p->n_auth_ok,
				 (unsigned long long)p->n_auth_bad);
		else
			snprintf(row[8], TBL_CELL, "not checked");
	}
	fprintf(out, "%sPairs%s (%zu)\n", st_bold(o->st), st_off(o->st), s->n_pairs);
	if (s->n_pairs)
		table_print(out, o, &t);
	else
		free(t.cells);
}

void tl_print_summary(FILE *out, const struct tl_text_opts *o, const struct rtclab_tl_session *s)
{
	candidate_table(out, o, s);
	fputc('\n', out);
	pair_table(out, o, s);
}

/* --- Mermaid ------------------------------------------------------------------------- */

/* Append s to dst (of len bytes, holding *n), only whole. */
static bool append(char *dst, size_t len, size_t *n, const char *s, size_t k)
{
	if (*n + k + 1 > len)
		return false;
	memcpy(dst + *n, s, k);
	*n += k;
	dst[*n] = '\0';
	return true;
}

void tl_mermaid_escape(char *dst, size_t len, const char *src)
{
	size_t n = 0;
	if (!len)
		return;
	dst[0] = '\0';
	while (*src) {
		const char *start = src;
		uint32_t c = utf8_next(&src);
		const char *rep = NULL;
		char buf[8];
		switch (c) {
		/* Mermaid reads ; as the end of a statement, # as the start of an
		 * entity code, : as the start of the message text, and the rest
		 * as HTML. */
		case ';': rep = "#59;"; break;
		case '#': rep = "#35;"; break;
		case ':': rep = "#58;"; break;
		case '<': rep = "#lt;"; break;
		case '>': rep = "#gt;"; break;
		case '&': rep = "#amp;"; break;
		case '"': rep = "#quot;"; break;
		case '\n': case '\r': case '\t': rep = " "; break;
		default:
			if (c < 0x20 || c == 0x7F) {
				rep = "?";
			} else if (c == '?' && (unsigned char)*start >= 0x80) {
				rep = "?"; /* an invalid byte */
			} else {
				size_t k = (size_t)(src - start);
				memcpy(buf, start, k);
				buf[k] = '\0';
				rep = buf;
			}
		}
		if (!append(dst, len, &n, rep, strlen(rep)))
			return;
	}
}

static void mermaid_id(char *buf, size_t len, const struct layout *L, int col)
{
	if (col == L->unknown_col)
		snprintf(buf, len, "Nx");
	else
		snprintf(buf, len, "N%d", col);
}

/* A response goes back the way a request came: check responses, and what
 * a STUN or TURN server sends back. */
static bool is_response(const struct rtclab_tl_session *s, const struct rtclab_tl_step *st)
{
	if (st->kind == RTCLAB_TL_EV_CHECK_RESPONSE)
		return true;
	if ((st->kind == RTCLAB_TL_EV_STUN_SERVER || st->kind == RTCLAB_TL_EV_TURN) && st->from >= 0 &&
	    (size_t)st->from < s->n_nodes)
		return s->nodes[st->from].kind == RTCLAB_TL_NODE_STUN || s->nodes[st->from].kind == RTCLAB_TL_NODE_TURN;
	return false;
}

static void mermaid_session(FILE *out, const struct rtclab_tl_session *s)
{
	struct layout L;
	char text[4 * sizeof s->steps[0].why], a[16], b[16];
	layout_init(&L, s, MAX_COLS);
	fputs("sequenceDiagram\n", out);
	tl_mermaid_escape(text, sizeof text, s->id);
	fprintf(out, "    %%%% rtclab replay: session %s\n", text);
	for (int i = 0; i < L.n_cols; i++) {
		char name[RTCLAB_TL_NAME_MAX + RTCLAB_ADDR_STRLEN + 16], addr[RTCLAB_ADDR_STRLEN];
		const struct rtclab_tl_node *n = i == L.unknown_col || (size_t)i >= s->n_nodes ? NULL : &s->nodes[i];
		if (!n)
			snprintf(name, sizeof name, "? (unknown)");
		else if (n->kind != RTCLAB_TL_NODE_PEER && n->addr.family)
			snprintf(name, sizeof name, "%s %s", n->name, rtclab_addr_format(&n->addr, addr, sizeof addr));
		else
			snprintf(name, sizeof name, "%s", n->name);
		tl_mermaid_escape(text, sizeof text, name);
		mermaid_id(a, sizeof a, &L, i);
		fprintf(out, "    participant %s as %s\n", a, text);
	}
	enum rtclab_step last = RTCLAB_STEP_NONE;
	for (size_t i = 0; i < s->n_steps; i++) {
		const struct rtclab_tl_step *st = &s->steps[i];
		if (i == 0 || st->step != last) {
			char first[16], lastid[16];
			mermaid_id(first, sizeof first, &L, 0);
			mermaid_id(lastid, sizeof lastid, &L, L.n_cols - 1);
			tl_mermaid_escape(text, sizeof text, rtclab_step_title(st->step));
			if (L.n_cols > 1)
				fprintf(out, "    Note over %s,%s: %s\n", first, lastid, text);
			else
				fprintf(out, "    Note over %s: %s\n", first, text);
			last = st->step;
		}
		mermaid_id(a, sizeof a, &L, col_of(&L, st->from));
		mermaid_id(b, sizeof b, &L, col_of(&L, st->to));
		tl_mermaid_escape(text, sizeof text, st->what[0] ? st->what : rtclab_tl_step_kind_name(st->kind));
		fprintf(out, "    %s%s%s: %s\n", a, is_response(s, st) ? "-->>" : "->>", b, text);
	}
	tl_mermaid_escape(text, sizeof text, s->outcome[0] ? s->outcome : (s->connected ? "connected" : "not connected"));
	mermaid_id(a, sizeof a, &L, 0);
	mermaid_id(b, sizeof b, &L, L.n_cols - 1);
	if (L.n_cols > 1)
		fprintf(out, "    Note over %s,%s: %s\n", a, b, text);
	else
		fprintf(out, "    Note over %s: %s\n", a, text);
}

void tl_print_mermaid(FILE *out, const struct rtclab_timeline *tl)
{
	if (!tl || tl->n_sessions == 0) {
		fputs("sequenceDiagram\n    participant capture\n"
		      "    Note over capture: no WebRTC session in this capture\n",
		      out);
		return;
	}
	for (size_t i = 0; i < tl->n_sessions; i++) {
		if (i)
			fputc('\n', out);
		mermaid_session(out, tl->sessions[i]);
	}
}

/* --- SVG ----------------------------------------------------------------------------- */

void tl_xml_escape(char *dst, size_t len, const char *src)
{
	size_t n = 0;
	if (!len)
		return;
	dst[0] = '\0';
	while (*src) {
		const char *start = src;
		uint32_t c = utf8_next(&src);
		const char *rep;
		char buf[8];
		switch (c) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&apos;"; break;
		default:
			/* XML 1.0 allows tab, newline and carriage return of the C0
			 * controls, and no U+FFFE/U+FFFF. */
			if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0xFFFE || c == 0xFFFF ||
			    (c == '?' && (unsigned char)*start >= 0x80)) {
				rep = "?";
			} else {
				size_t k = (size_t)(src - start);
				memcpy(buf, start, k);
				buf[k] = '\0';
				rep = buf;
			}
		}
		if (!append(dst, len, &n, rep, strlen(rep)))
			return;
	}
}

/* s cut to at most max characters, with "…" */
static void cut(char *dst, size_t len, const char *s, int max)
{
	size_t n = 0;
	int cols = text_cols(s), w = 0;
	dst[0] = '\0';
	while (*s && (cols <= max || w < max - 1)) {
		const char *start = s;
		utf8_next(&s);
		if (!append(dst, len, &n, start, (size_t)(s - start)))
			return;
		w++;
	}
	if (cols > max)
		append(dst, len, &n, "\u2026", 3);
}

/* One <text>, its content escaped. */
static void svg_text(FILE *out, double x, double y, const char *attrs, const char *s)
{
	char esc[4 * 512];
	tl_xml_escape(esc, sizeof esc, s);
	fprintf(out, "<text x=\"%.1f\" y=\"%.1f\"%s%s>%s</text>\n", x, y, attrs[0] ? " " : "", attrs, esc);
}

#define SVG_LEFT 110.0   /* the time and frame column */
#define SVG_COLW 170.0
#define SVG_ROW 34.0
#define SVG_BAND 28.0
#define SVG_HEAD 78.0    /* title and node boxes */
#define SVG_LINE 18.0

static double svg_x(int col)
{
	return SVG_LEFT + col * SVG_COLW + SVG_COLW / 2;
}

static int step_bands(const struct rtclab_tl_session *s)
{
	int n = 0;
	for (size_t i = 0; i < s->n_steps; i++)
		if (i == 0 || s->steps[i].step != s->steps[i - 1].step)
			n++;
	return n;
}

static size_t footer_lines(const struct rtclab_tl_session *s)
{
	return 3 + (s->n_missing < RTCLAB_TL_MAX_MISSING ? s->n_missing : RTCLAB_TL_MAX_MISSING);
}

static double svg_session_height(const struct rtclab_tl_session *s)
{
	return SVG_HEAD + step_bands(s) * SVG_BAND + (double)s->n_steps * SVG_ROW + 20 + footer_lines(s) * SVG_LINE + 20;
}

static void svg_arrow(FILE *out, const struct layout *L, const struct rtclab_tl_step *st, double y, bool response)
{
	int a = col_of(L, st->from), b = col_of(L, st->to);
	double xa = svg_x(a), xb = svg_x(b);
	char label[sizeof st->what + 4];
	const char *dash = response ? " stroke-dasharray=\"6,4\"" : "";
	char title[4 * sizeof st->what];
	tl_xml_escape(title, sizeof title, st->what);
	fprintf(out, "<g class=\"step\"><title>%s</title>\n", title);
	if (a == b) {
		fprintf(out, "<path d=\"M%.1f %.1f h30 v10 h-28\" fill=\"none\" stroke=\"#333\"%s marker-end=\"url(#arrow)\"/>\n",
			xa, y - 6, dash);
		cut(label, sizeof label, st->what, (int)(SVG_COLW * 2 / 7));
		svg_text(out, xa + 36, y + 2, "class=\"label\"", label);
	} else {
		double dir = xb > xa ? 1 : -1;
		fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"%s marker-end=\"url(#arrow)\"/>\n",
			xa, y, xb - dir * 2, y, dash);
		double span = (xb - xa) * dir;
		cut(label, sizeof label, st->what, (int)(span / 6.6) < 16 ? 16 : (int)(span / 6.6));
		svg_text(out, (xa + xb) / 2, y - 5, "class=\"label\" text-anchor=\"middle\"", label);
	}
	fputs("</g>\n", out);
}

static void svg_footer(FILE *out, const struct rtclab_tl_session *s, double y)
{
	char line[600], a[RTCLAB_ADDR_STRLEN], b[RTCLAB_ADDR_STRLEN];
	const struct rtclab_tl_selected *sel = &s->selected;
	if (sel->has)
		snprintf(line, sizeof line, "Selected pair: %s (%s) \u27f7 %s (%s)", addr_text(&sel->local, a, sizeof a),
			 cand_type_text(sel->local_type_known, sel->local_type), addr_text(&sel->remote, b, sizeof b),
			 cand_type_text(sel->remote_type_known, sel->remote_type));
	else
		snprintf(line, sizeof line, "Selected pair: none");
	svg_text(out, 12, y, "class=\"foot\"", line);
	if (s->dtls.seen)
		snprintf(line, sizeof line, "DTLS: client %s, server %s, %s", addr_text(&s->dtls.client, a, sizeof a),
			 addr_text(&s->dtls.server, b, sizeof b), s->dtls.completed ? "completed" : "not completed");
	else
		snprintf(line, sizeof line, "DTLS: not seen");
	svg_text(out, 12, y + SVG_LINE, "class=\"foot\"", line);
	snprintf(line, sizeof line, "Outcome: %.320s",
		 s->outcome[0] ? s->outcome : s->connected ? "connected" : "not connected");
	svg_text(out, 12, y + 2 * SVG_LINE, s->connected ? "class=\"foot good\"" : "class=\"foot bad\"", line);
	for (size_t i = 0; i < s->n_missing && i < RTCLAB_TL_MAX_MISSING; i++) {
		snprintf(line, sizeof line, "missing: %.240s", s->missing[i]);
		svg_text(out, 12, y + (3 + (double)i) * SVG_LINE, "class=\"foot warn\"", line);
	}
}

static void svg_session(FILE *out, const struct rtclab_tl_session *s, double y0, double width)
{
	struct layout L;
	layout_init(&L, s, MAX_COLS);
	double h = svg_session_height(s);
	double bottom = y0 + h - 20 - footer_lines(s) * SVG_LINE - 10;
	char title[600];
	snprintf(title, sizeof title, "Session %.514s", s->id[0] ? s->id : "?");
	svg_text(out, 12, y0 + 22, "class=\"title\"", title);
	/* The step bands first, under the lifelines and arrows. */
	double y = y0 + SVG_HEAD;
	for (size_t i = 0; i < s->n_steps; i++) {
		const struct rtclab_tl_step *st = &s->steps[i];
		if (i == 0 || st->step != s->steps[i - 1].step) {
			fprintf(out, "<rect x=\"0\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" class=\"band s%d\"/>\n", y + 2,
				width, SVG_BAND - 4, (int)st->step);
			svg_text(out, 12, y + 19, "class=\"heading\"", rtclab_step_title(st->step));
			y += SVG_BAND;
		}
		y += SVG_ROW;
	}
	for (int i = 0; i < L.n_cols; i++) {
		double x = svg_x(i);
		char name[RTCLAB_TL_NAME_MAX + RTCLAB_ADDR_STRLEN + 4], addr[RTCLAB_ADDR_STRLEN];
		fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"life\"/>\n", x, y0 + 66, x, bottom);
		fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"30\" rx=\"4\" class=\"node\"/>\n",
			x - SVG_COLW / 2 + 10, y0 + 36, SVG_COLW - 20);
		snprintf(name, sizeof name, "%s", col_name(&L, i));
		svg_text(out, x, y0 + 50, "class=\"name\" text-anchor=\"middle\"", name);
		const struct rtclab_tl_node *n = i == L.unknown_col || (size_t)i >= s->n_nodes ? NULL : &s->nodes[i];
		if (n && n->kind != RTCLAB_TL_NODE_PEER && n->addr.family)
			svg_text(out, x, y0 + 62, "class=\"small\" text-anchor=\"middle\"",
				 rtclab_addr_format(&n->addr, addr, sizeof addr));
		else if (n && n->kind == RTCLAB_TL_NODE_PEER && n->peer >= 0 && (size_t)n->peer < s->n_peers)
			svg_text(out, x, y0 + 62, "class=\"small\" text-anchor=\"middle\"",
				 rtclab_tl_role_name(s->peers[n->peer].role));
	}
	y = y0 + SVG_HEAD;
	for (size_t i = 0; i < s->n_steps; i++) {
		const struct rtclab_tl_step *st = &s->steps[i];
		if (i == 0 || st->step != s->steps[i - 1].step)
			y += SVG_BAND;
		char when[64];
		rel_time(when, sizeof when, st->time_ns, s->first_ns);
		if (st->frame) {
			size_t k = strlen(when);
			snprintf(when + k, sizeof when - k, " #%llu", (unsigned long long)st->frame);
		}
		svg_text(out, 12, y + SVG_ROW / 2 + 4, "class=\"time\"", when);
		svg_arrow(out, &L, st, y + SVG_ROW / 2 + 4, is_response(s, st));
		y += SVG_ROW;
	}
	svg_footer(out, s, y + 30);
}

static const char svg_style[] =
	"<style type=\"text/css\"><![CDATA[\n"
	"text { font-family: 'DejaVu Sans', Verdana, Arial, sans-serif; font-size: 12px; fill: #222; }\n"
	".title { font-size: 16px; font-weight: bold; }\n"
	".name { font-weight: bold; font-size: 13px; }\n"
	".small { font-size: 10px; fill: #555; }\n"
	".time { font-family: 'DejaVu Sans Mono', Menlo, monospace; font-size: 11px; fill: #555; }\n"
	".heading { font-weight: bold; font-size: 13px; }\n"
	".good { fill: #176b25; } .bad { fill: #b3261e; } .warn { fill: #8a5a00; }\n"
	".node { fill: #eef3fb; stroke: #5b7db1; }\n"
	".life { stroke: #9aa9bf; stroke-dasharray: 4,4; }\n"
	".band { fill: #f3f3f3; } .s1, .s2 { fill: #eef6ee; } .s4, .s5 { fill: #f6f1e7; } .s6 { fill: #eef1f8; }\n"
	"]]></style>\n";

void tl_print_svg(FILE *out, const struct rtclab_timeline *tl)
{
	double width = 640, height = 20;
	size_t n = tl ? tl->n_sessions : 0;
	for (size_t i = 0; i < n; i++) {
		struct layout L;
		layout_init(&L, tl->sessions[i], MAX_COLS);
		double w = SVG_LEFT + L.n_cols * SVG_COLW + 20;
		if (w > width)
			width = w;
		height += svg_session_height(tl->sessions[i]);
	}
	if (n == 0)
		height = 60;
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n", out);
	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%.0f\" height=\"%.0f\" "
		     "viewBox=\"0 0 %.0f %.0f\">\n",
		width, height, width, height);
	fputs("<title>rtclab replay: how the WebRTC connection was made</title>\n", out);
	fputs("<defs>\n<marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" "
	      "markerHeight=\"8\" markerUnits=\"userSpaceOnUse\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" "
	      "fill=\"#333\"/></marker>\n",
	      out);
	fputs(svg_style, out);
	fputs("</defs>\n", out);
	fprintf(out, "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"#ffffff\"/>\n", width, height);
	if (n == 0)
		svg_text(out, 12, 34, "class=\"title\"", "No WebRTC session in this capture.");
	double y = 10;
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "<g class=\"session\">\n");
		svg_session(out, tl->sessions[i], y, width);
		fputs("</g>\n", out);
		y += svg_session_height(tl->sessions[i]);
	}
	fputs("</svg>\n", out);
}

bool tl_write_svg(const char *path, const struct rtclab_timeline *tl, char *err, size_t errlen)
{
	size_t n = strlen(path);
	char *tmp = malloc(n + 8);
	if (!tmp) {
		snprintf(err, errlen, "%s: out of memory", path);
		return false;
	}
	memcpy(tmp, path, n);
	memcpy(tmp + n, ".XXXXXX", 8);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
		free(tmp);
		return false;
	}
	(void)fchmod(fd, 0644); /* mkstemp makes it 0600; a picture is for everyone */
	FILE *f = fdopen(fd, "w");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(tmp);
		free(tmp);
		return false;
	}
	tl_print_svg(f, tl);
	int failed = ferror(f) ? (errno ? errno : EIO) : 0;
	if (fflush(f) != 0 && !failed)
		failed = errno ? errno : EIO;
	if (!failed && fsync(fileno(f)) != 0 && errno != EINVAL)
		failed = errno;
	if (fclose(f) != 0 && !failed)
		failed = errno ? errno : EIO;
	if (!failed && rename(tmp, path) != 0)
		failed = errno;
	if (failed) {
		snprintf(err, errlen, "%s: cannot write: %s", path, strerror(failed));
		unlink(tmp);
	}
	free(tmp);
	return !failed;
}
