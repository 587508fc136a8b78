/* The curses screen of rtclab tui and rtclab walk: a title, the band of the
 * six steps, the ladder (a column per endpoint, an arrow per message,
 * messages revealed as you step), a lower pane (tui_panes.c: explain,
 * detail, hex, candidates and pairs, NAT tables) and a status line; the
 * session list, help, search, filter, play, and predict mode.
 *
 * Everything drawn comes from the timeline model (tui.h); this file only
 * lays it out, in any size from 80x24 up (side by side from 160 columns),
 * with UTF-8 or ASCII lines and colours or none. */
#define NCURSES_WIDECHAR 1
#include <ctype.h>
#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <wchar.h>

#include "tool.h"
#include "tui_screen.h"

enum pane { P_EXPLAIN = 0, P_DETAIL, P_HEX, P_CANDS, P_NAT, P_COUNT };
static const char *const pane_names[P_COUNT] = {"explain", "detail", "hex", "candidates", "NAT"};

/* colour pairs */
enum { C_SIGNAL = 1, C_STUN, C_CHECK, C_NAT, C_MEDIA, C_GOOD, C_BAD, C_WARN, C_HEAD, C_CUR };

struct glyphs {
	const char *v, *h, *right, *left, *mark, *ell;
};
static const struct glyphs utf8_glyphs = {"\u2502", "\u2500", "\u25b6", "\u25c0", "\u25c6", "\u2026"};
static const struct glyphs ascii_glyphs = {"|", "-", ">", "<", "*", "~"};

struct screen {
	struct tui_model *m;
	const struct tui_opts *o;
	const struct glyphs *g;
	bool color;
	bool utf8;
	/* where we are */
	bool in_list;                 /* the session list */
	size_t list_sel;
	size_t sess;
	size_t cur;                   /* the current step (index in the session's steps) */
	size_t reached;               /* steps up to this one are revealed */
	bool show_all;
	size_t top;                   /* first visible row of the ladder (index in the visible list) */
	enum pane pane;
	size_t pane_top;
	int field;                    /* selected field of the detail (-1 none) */
	/* search and filter */
	char search[128];
	char filter[128];
	/* play */
	bool playing;
	double speed;
	int64_t next_ms;
	/* predict */
	bool predicted[64];           /* per session (the first 64) */
	/* messages for the status line */
	char note[256];
	/* scratch */
	size_t *vis;                  /* indices of the visible steps */
	size_t n_vis, cap_vis;
	struct tui_lines lines;
	struct tui_fields fields;
	/* geometry of the last draw (for the mouse) */
	int ladder_y, ladder_h, ladder_x, ladder_w;
	int list_y;
};

/* --- text ---------------------------------------------------------------------------- */

/* Columns a UTF-8 string takes (control characters and bad bytes count 1, as '?'). */
static int text_cols(const char *s, size_t len)
{
	mbstate_t st;
	memset(&st, 0, sizeof st);
	int cols = 0;
	size_t i = 0;
	while (i < len && s[i]) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s + i, len - i, &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			memset(&st, 0, sizeof st);
			cols++;
			i++;
			continue;
		}
		int w = wcwidth(wc);
		cols += w < 0 ? 1 : w;
		i += n;
	}
	return cols;
}

/* Draw s at (y, x), at most maxw columns; returns the columns drawn. */
static int put(int y, int x, int maxw, const char *s, attr_t a)
{
	if (maxw <= 0 || !s)
		return 0;
	mbstate_t st;
	memset(&st, 0, sizeof st);
	wchar_t buf[512];
	int n = 0, cols = 0;
	size_t i = 0, len = strlen(s);
	while (i < len && n < 511) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, s + i, len - i, &st);
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			memset(&st, 0, sizeof st);
			wc = L'?';
			k = 1;
		}
		if (wc < 0x20 || wc == 0x7f)
			wc = L' ';
		int w = wcwidth(wc);
		if (w < 0) {
			wc = L'?';
			w = 1;
		}
		if (cols + w > maxw)
			break;
		buf[n++] = wc;
		cols += w;
		i += k;
	}
	buf[n] = 0;
	attron(a);
	mvaddnwstr(y, x, buf, n);
	attroff(a);
	return cols;
}

/* s cut to at most maxw columns, with an ellipsis when cut, into out. */
static void fit(char *out, size_t outlen, const char *s, int maxw, const char *ell)
{
	snprintf(out, outlen, "%s", s);
	if (text_cols(out, strlen(out)) <= maxw)
		return;
	size_t len = strlen(out);
	while (len > 0 && text_cols(out, len) > maxw - 1) {
		len--;
		while (len > 0 && ((unsigned char)out[len] & 0xC0) == 0x80) /* whole characters */
			len--;
	}
	snprintf(out + len, outlen - len, "%s", ell);
}

static attr_t pair_attr(const struct screen *sc, int pair, attr_t mono)
{
	return sc->color ? COLOR_PAIR(pair) : mono;
}

static attr_t line_attr(const struct screen *sc, enum tui_attr a)
{
	switch (a) {
	case TUI_A_DIM: return A_DIM;
	case TUI_A_BOLD: return A_BOLD;
	case TUI_A_HEAD: return A_BOLD | pair_attr(sc, C_HEAD, A_UNDERLINE);
	case TUI_A_GOOD: return pair_attr(sc, C_GOOD, A_BOLD);
	case TUI_A_BAD: return pair_attr(sc, C_BAD, A_BOLD);
	case TUI_A_WARN: return pair_attr(sc, C_WARN, A_BOLD);
	case TUI_A_SELECT: return A_REVERSE;
	case TUI_A_NORMAL: break;
	}
	return A_NORMAL;
}

/* The locale set by the caller (setlocale) encodes characters as UTF-8. */
static bool locale_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);
	return cs && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "utf8") == 0);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* hay contains needle, ignoring ASCII case (strcasestr is not standard) */
static bool ci_contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return n == 0;
}

/* --- the session and its visible steps -------------------------------------------------- */

static struct rtclab_tl_session *session(const struct screen *sc)
{
	const struct rtclab_timeline *tl = sc->m->tl;
	return sc->sess < tl->n_sessions ? tl->sessions[sc->sess] : NULL;
}

/* The filter's words for kinds of steps (help and the f prompt name them). */
static const struct {
	const char *word;
	unsigned kinds; /* bits of enum rtclab_tl_step_kind */
} kind_groups[] = {
	{"signaling", 1u << RTCLAB_TL_EV_SIGNALING | 1u << RTCLAB_TL_EV_OFFER | 1u << RTCLAB_TL_EV_ANSWER |
			      1u << RTCLAB_TL_EV_DESCRIPTIONS_SET | 1u << RTCLAB_TL_EV_CANDIDATE |
			      1u << RTCLAB_TL_EV_END_OF_CANDIDATES},
	{"sdp", 1u << RTCLAB_TL_EV_OFFER | 1u << RTCLAB_TL_EV_ANSWER},
	{"candidate", 1u << RTCLAB_TL_EV_CANDIDATE | 1u << RTCLAB_TL_EV_END_OF_CANDIDATES},
	{"stun", 1u << RTCLAB_TL_EV_STUN_SERVER | 1u << RTCLAB_TL_EV_TURN | 1u << RTCLAB_TL_EV_CHECK |
			 1u << RTCLAB_TL_EV_CHECK_RESPONSE | 1u << RTCLAB_TL_EV_NOMINATION |
			 1u << RTCLAB_TL_EV_ROLE_CONFLICT | 1u << RTCLAB_TL_EV_CONSENT},
	{"turn", 1u << RTCLAB_TL_EV_TURN},
	{"check", 1u << RTCLAB_TL_EV_CHECK | 1u << RTCLAB_TL_EV_CHECK_RESPONSE | 1u << RTCLAB_TL_EV_NOMINATION |
			  1u << RTCLAB_TL_EV_ROLE_CONFLICT | 1u << RTCLAB_TL_EV_CONSENT},
	{"nat", 1u << RTCLAB_TL_EV_NAT},
	{"dtls", 1u << RTCLAB_TL_EV_DTLS},
	{"media", 1u << RTCLAB_TL_EV_MEDIA},
};

/* The kinds a filter word names; 0 when it is not one of kind_groups. */
static unsigned kinds_of(const char *word)
{
	for (size_t i = 0; i < sizeof kind_groups / sizeof kind_groups[0]; i++)
		if (strcasecmp(word, kind_groups[i].word) == 0)
			return kind_groups[i].kinds;
	return 0;
}

static const char *node_name(const struct rtclab_tl_session *s, int n)
{
	return n >= 0 && (size_t)n < s->n_nodes ? s->nodes[n].name : "";
}

/* The filter: a group of kinds, an endpoint's column name, or text of the message. */
static bool passes(const struct screen *sc, const struct rtclab_tl_session *s, const struct rtclab_tl_step *t)
{
	const char *f = sc->filter;
	if (!*f)
		return true;
	unsigned kinds = kinds_of(f);
	if (kinds)
		return (kinds >> t->kind) & 1u;
	if (strcasecmp(node_name(s, t->from), f) == 0 || strcasecmp(node_name(s, t->to), f) == 0)
		return true;
	return ci_contains(t->what, f);
}

static void build_visible(struct screen *sc)
{
	const struct rtclab_tl_session *s = session(sc);
	sc->n_vis = 0;
	if (!s)
		return;
	if (sc->cap_vis < s->n_steps + 1) {
		size_t *v = realloc(sc->vis, (s->n_steps + 1) * sizeof *v);
		if (!v)
			return;
		sc->vis = v;
		sc->cap_vis = s->n_steps + 1;
	}
	size_t last = sc->show_all ? s->n_steps : (sc->reached + 1 < s->n_steps ? sc->reached + 1 : s->n_steps);
	for (size_t i = 0; i < last; i++)
		if (passes(sc, s, &s->steps[i]))
			sc->vis[sc->n_vis++] = i;
}

/* Position of step i in the visible list, or the nearest one before it. */
static size_t vis_pos(const struct screen *sc, size_t i)
{
	size_t pos = 0;
	for (size_t k = 0; k < sc->n_vis; k++)
		if (sc->vis[k] <= i)
			pos = k;
	return pos;
}

/* The next step after cur that passes the filter (revealing it), or cur. */
static size_t next_step(const struct screen *sc, const struct rtclab_tl_session *s, size_t from, int dir)
{
	size_t i = from;
	for (;;) {
		if (dir > 0 && i + 1 >= s->n_steps)
			return from;
		if (dir < 0 && i == 0)
			return from;
		i = dir > 0 ? i + 1 : i - 1;
		if (passes(sc, s, &s->steps[i]))
			return i;
	}
}

/* --- moving ------------------------------------------------------------------------------ */

static void maybe_predict(struct screen *sc);
static void draw(struct screen *sc);
static const char *session_name(const struct rtclab_tl_session *s, char *buf, size_t len);

static void go_to(struct screen *sc, size_t i)
{
	const struct rtclab_tl_session *s = session(sc);
	if (!s || s->n_steps == 0)
		return;
	if (i >= s->n_steps)
		i = s->n_steps - 1;
	sc->cur = i;
	if (i > sc->reached)
		sc->reached = i;
	sc->pane_top = 0;
	sc->field = -1;
	maybe_predict(sc);
}

static void move_by(struct screen *sc, int dir, int count)
{
	const struct rtclab_tl_session *s = session(sc);
	if (!s || s->n_steps == 0)
		return;
	size_t i = sc->cur;
	for (int k = 0; k < count; k++)
		i = next_step(sc, s, i, dir);
	if (i != sc->cur)
		go_to(sc, i);
}

static void open_session(struct screen *sc, size_t i)
{
	sc->sess = i;
	sc->in_list = false;
	sc->cur = sc->reached = sc->top = sc->pane_top = 0;
	sc->field = -1;
	sc->playing = false;
	const struct rtclab_tl_session *s = session(sc);
	if (s && s->n_steps && !passes(sc, s, &s->steps[0]))
		sc->cur = sc->reached = next_step(sc, s, 0, 1);
}

/* --- drawing: title, band, status ------------------------------------------------------- */

static void draw_title(struct screen *sc, int w)
{
	const struct rtclab_tl_session *s = session(sc);
	char buf[1200], name[2 * RTCLAB_TL_UFRAG_MAX + 2];
	const char *what = sc->o->walk ? "rtclab walk" : "rtclab tui";
	const char *base = strrchr(sc->m->input, '/');
	base = base && base[1] ? base + 1 : sc->m->input;
	if (sc->in_list || !s)
		snprintf(buf, sizeof buf, " %s \u2014 %s \u2014 %zu session%s", what, base, sc->m->tl->n_sessions,
			 sc->m->tl->n_sessions == 1 ? "" : "s");
	else
		snprintf(buf, sizeof buf, " %s \u2014 %s \u2014 message %zu/%zu%s \u2014 session %zu/%zu %s", what, base,
			 sc->cur + 1, s->n_steps, sc->m->finished ? "" : "+", sc->sess + 1, sc->m->tl->n_sessions,
			 session_name(s, name, sizeof name));
	if (!sc->utf8)
		for (char *p = strstr(buf, "\u2014"); p; p = strstr(buf, "\u2014"))
			memmove(p + 1, p + 3, strlen(p + 3) + 1), *p = '-';
	attr_t a = A_BOLD | pair_attr(sc, C_HEAD, A_REVERSE);
	attron(a);
	mvhline(0, 0, ' ', w);
	attroff(a);
	put(0, 0, w, buf, a);
}

static void draw_band(struct screen *sc, int y, int w, const struct rtclab_tl_session *s)
{
	static const char *const names[] = {"", "offer", "answer", "NATs", "gather", "trickle", "checks"};
	enum rtclab_step now = s && s->n_steps ? s->steps[sc->cur].step : RTCLAB_STEP_NONE;
	unsigned seen = 0;
	for (size_t i = 0; s && i <= sc->reached && i < s->n_steps; i++)
		seen |= 1u << s->steps[i].step;
	move(y, 0);
	clrtoeol();
	/* the current step's title first, when it fits beside the six names */
	char title[128] = "";
	if (now != RTCLAB_STEP_NONE)
		snprintf(title, sizeof title, "%s", rtclab_step_title(now));
	int tw = text_cols(title, strlen(title));
	bool wide = w >= 58 + tw + 2;
	int x = 0;
	for (int k = 1; k <= 6 && x < w; k++) {
		char item[32];
		if (wide || (int)now == k)
			snprintf(item, sizeof item, " %d %s ", k, names[k]);
		else
			snprintf(item, sizeof item, " %d ", k);
		attr_t a = (int)now == k ? (A_REVERSE | A_BOLD | pair_attr(sc, C_CUR, 0))
			   : (seen >> k) & 1u ? A_NORMAL
					      : A_DIM;
		x += put(y, x, w - x, item, a);
	}
	if (*title && x + 2 < w)
		put(y, x + 2, w - x - 2, title, A_BOLD);
}

static void draw_status(struct screen *sc, int y, int w)
{
	char right[700] = "";
	const struct tui_model *m = sc->m;
	if (!m->finished && m->source == TUI_SRC_LIVE)
		snprintf(right, sizeof right, "live on %s: %llu packet%s ", m->input, (unsigned long long)m->frames,
			 m->frames == 1 ? "" : "s");
	else if (!m->finished && m->bytes_total)
		snprintf(right, sizeof right, "reading %d%% (frame %llu) ",
			 (int)(100.0 * (double)m->bytes_done / (double)m->bytes_total), (unsigned long long)m->frames);
	else if (!m->finished)
		snprintf(right, sizeof right, "reading: frame %llu ", (unsigned long long)m->frames);
	else if (m->error[0])
		snprintf(right, sizeof right, "%s ", m->error);
	if (sc->playing) {
		size_t n = strlen(right);
		snprintf(right + n, sizeof right - n, "[playing x%g] ", sc->speed);
	}
	if (sc->filter[0]) {
		size_t n = strlen(right);
		snprintf(right + n, sizeof right - n, "[filter: %s] ", sc->filter);
	}
	const char *keys = sc->note[0] ? sc->note
			   : sc->in_list ? " Enter open  j/k move  q quit  ? help"
					 : " space next  \u2190 back  Tab pane  Enter detail  / search  f filter  p play  ? help  q quit";
	char k2[300];
	snprintf(k2, sizeof k2, "%s", keys);
	if (!sc->utf8)
		for (char *p = strstr(k2, "\u2190"); p; p = strstr(k2, "\u2190"))
			memmove(p + 1, p + 3, strlen(p + 3) + 1), *p = '<';
	attr_t a = A_REVERSE;
	attron(a);
	mvhline(y, 0, ' ', w);
	attroff(a);
	int rw = text_cols(right, strlen(right));
	if (rw > w - 10) /* a long error: keep the start of the keys */
		rw = w - 10 > 0 ? w - 10 : 0;
	char left[320];
	fit(left, sizeof left, k2, w - rw - 1, sc->g->ell);
	put(y, 0, w - rw - 1, left, a);
	if (rw > 0 && rw < w)
		put(y, w - rw, rw, right, a | (m->error[0] ? A_BOLD : 0));
}

/* --- drawing: the ladder --------------------------------------------------------------- */

static int kind_color(enum rtclab_tl_step_kind k)
{
	switch (k) {
	case RTCLAB_TL_EV_SIGNALING:
	case RTCLAB_TL_EV_OFFER:
	case RTCLAB_TL_EV_ANSWER:
	case RTCLAB_TL_EV_DESCRIPTIONS_SET:
	case RTCLAB_TL_EV_CANDIDATE:
	case RTCLAB_TL_EV_END_OF_CANDIDATES: return C_SIGNAL;
	case RTCLAB_TL_EV_STUN_SERVER:
	case RTCLAB_TL_EV_TURN: return C_STUN;
	case RTCLAB_TL_EV_CHECK:
	case RTCLAB_TL_EV_CHECK_RESPONSE:
	case RTCLAB_TL_EV_CONSENT: return C_CHECK;
	case RTCLAB_TL_EV_NOMINATION: return C_GOOD;
	case RTCLAB_TL_EV_ROLE_CONFLICT: return C_WARN;
	case RTCLAB_TL_EV_NAT: return C_NAT;
	case RTCLAB_TL_EV_DTLS:
	case RTCLAB_TL_EV_MEDIA: return C_MEDIA;
	case RTCLAB_TL_EV_NOTE: break;
	}
	return 0;
}

/* x of each column in [x0, x0 + w) */
static void lanes(const struct rtclab_tl_session *s, int x0, int w, int *pos)
{
	int n = (int)s->n_nodes;
	if (n <= 1) {
		pos[0] = x0 + w / 2;
		return;
	}
	int margin = w / (2 * n);
	if (margin < 1)
		margin = 1;
	for (int k = 0; k < n; k++)
		pos[k] = x0 + margin + (int)((long)(w - 2 * margin - 1) * k / (n - 1));
}

static void draw_lanes_row(struct screen *sc, int y, const int *pos, int n, attr_t a)
{
	for (int k = 0; k < n; k++)
		put(y, pos[k], 1, sc->g->v, a | A_DIM);
}

static void draw_names(struct screen *sc, int y, const struct rtclab_tl_session *s, const int *pos, int x0, int w)
{
	move(y, 0);
	clrtoeol();
	put(y, 1, x0 - 1, "time", A_DIM);
	int n = (int)s->n_nodes;
	int room = n > 1 ? (pos[1] - pos[0]) - 1 : w;
	if (room < 3)
		room = 3;
	for (int k = 0; k < n; k++) {
		char name[64];
		fit(name, sizeof name, s->nodes[k].name, room, sc->g->ell);
		int cols = text_cols(name, strlen(name));
		int x = pos[k] - cols / 2;
		if (x < x0)
			x = x0;
		if (x + cols > x0 + w)
			x = x0 + w - cols;
		attr_t a = A_BOLD | (s->nodes[k].kind == RTCLAB_TL_NODE_NAT ? pair_attr(sc, C_NAT, 0)
				     : s->nodes[k].kind == RTCLAB_TL_NODE_PEER ? pair_attr(sc, C_HEAD, 0)
										 : 0);
		put(y, x, cols, name, a);
	}
}

static void draw_step_row(struct screen *sc, int y, const struct rtclab_tl_session *s, size_t i, const int *pos,
			  int x0, int w)
{
	const struct rtclab_tl_step *t = &s->steps[i];
	bool current = i == sc->cur;
	bool future = i > sc->reached;
	attr_t base = current ? A_REVERSE : future ? A_DIM : A_NORMAL;
	attr_t col = current || future ? 0 : pair_attr(sc, kind_color(t->kind), 0);
	move(y, 0);
	clrtoeol();
	if (current) {
		attron(A_REVERSE);
		mvhline(y, 0, ' ', x0 + w);
		attroff(A_REVERSE);
	}
	char tbuf[32];
	double secs = s->first_ns && t->time_ns ? (double)(t->time_ns - s->first_ns) / 1e9 : 0;
	snprintf(tbuf, sizeof tbuf, "%+8.3f", secs);
	put(y, 0, x0 - 1, tbuf, base | A_DIM);
	int n = (int)s->n_nodes;
	draw_lanes_row(sc, y, pos, n, base);
	int from = t->from, to = t->to;
	bool arrow = from >= 0 && to >= 0 && from < n && to < n && from != to;
	int lx, lw; /* where the label goes */
	if (arrow) {
		int a = pos[from], b = pos[to];
		int lo = a < b ? a : b, hi = a < b ? b : a;
		for (int x = lo + 1; x < hi; x++)
			put(y, x, 1, sc->g->h, base | col);
		put(y, b > a ? hi - 1 : lo + 1, 1, b > a ? sc->g->right : sc->g->left, base | col | A_BOLD);
		lx = lo + 2;
		lw = hi - lo - 4;
		if (lw < 12) { /* no room between: beside the arrow, on the wider side */
			int left = lo - x0 - 1, right = x0 + w - hi - 2;
			if (right >= left) {
				lx = hi + 2;
				lw = right;
			} else {
				lx = x0;
				lw = left - 1;
			}
		}
	} else if (from >= 0 && from < n) { /* a mark on one column: a NAT's decision, a note */
		put(y, pos[from], 1, sc->g->mark, base | col | A_BOLD);
		lx = pos[from] + 2;
		lw = x0 + w - lx;
		if (lw < 20) {
			lx = x0;
			lw = pos[from] - x0 - 1;
		}
	} else {
		lx = x0;
		lw = w;
	}
	char label[400];
	fit(label, sizeof label, t->what, lw - 2, sc->g->ell);
	int cols = text_cols(label, strlen(label));
	if (cols <= 0)
		return;
	/* centred on an arrow with room, else from its start; a space either side */
	int lx2 = arrow && lw >= cols + 2 ? lx + (lw - cols) / 2 : lx;
	if (lx2 > x0)
		put(y, lx2 - 1, 1, " ", base);
	put(y, lx2, cols, label, base | (current ? A_BOLD : 0));
	if (lx2 + cols < x0 + w)
		put(y, lx2 + cols, 1, " ", base);
}

#define TIME_COLS 10 /* "  +12.345 " */

static void draw_ladder(struct screen *sc, int y, int h, int x0, int w)
{
	const struct rtclab_tl_session *s = session(sc);
	sc->ladder_y = y + 1;
	sc->ladder_h = h - 1;
	sc->ladder_x = x0;
	sc->ladder_w = w;
	for (int r = y; r < y + h; r++) {
		move(r, x0);
		for (int c = 0; c < w; c++)
			addch(' ');
	}
	if (!s) {
		put(y + 1, x0 + 1, w - 2,
		    sc->m->finished ? "No WebRTC session: no offer or answer, and no ICE connectivity check."
				    : "Reading: no session yet.",
		    A_DIM);
		return;
	}
	int pos[16];
	int lx = x0 + TIME_COLS, lw = w - TIME_COLS;
	lanes(s, lx, lw, pos);
	draw_names(sc, y, s, pos, lx, lw);
	int rows = h - 1;
	if (rows <= 0)
		return;
	build_visible(sc);
	size_t at = vis_pos(sc, sc->cur);
	/* keep the current row in view, with a little context below it */
	if (at < sc->top)
		sc->top = at;
	if (at >= sc->top + (size_t)rows)
		sc->top = at - (size_t)rows + 1;
	if (sc->top > 0 && sc->top + (size_t)rows > sc->n_vis)
		sc->top = sc->n_vis > (size_t)rows ? sc->n_vis - (size_t)rows : 0;
	for (int r = 0; r < rows; r++) {
		size_t k = sc->top + (size_t)r;
		if (k < sc->n_vis)
			draw_step_row(sc, y + 1 + r, s, sc->vis[k], pos, lx, lw);
		else
			draw_lanes_row(sc, y + 1 + r, pos, (int)s->n_nodes, A_NORMAL);
	}
	if (sc->n_vis == 0)
		put(y + 2, lx, lw, sc->filter[0] ? "(no message matches the filter)" : "(no message yet)", A_DIM);
}

/* --- drawing: the lower pane ------------------------------------------------------------- */

static void fill_pane(struct screen *sc, int width)
{
	const struct rtclab_tl_session *s = session(sc);
	tui_lines_clear(&sc->lines);
	tui_fields_clear(&sc->fields);
	if (!s || s->n_steps == 0) {
		tui_lines_add(&sc->lines, TUI_A_DIM, -1, "%s", "Nothing to show yet.");
		return;
	}
	switch (sc->pane) {
	case P_EXPLAIN: tui_pane_explain(sc->m, s, sc->cur, width, &sc->lines); break;
	case P_DETAIL: tui_pane_detail(sc->m, s, sc->cur, width, &sc->lines, &sc->fields); break;
	case P_HEX: {
		struct tui_lines scratch = {0};
		tui_pane_detail(sc->m, s, sc->cur, width, &scratch, &sc->fields); /* for the fields */
		tui_lines_free(&scratch);
		tui_pane_hex(sc->m, s, sc->cur, &sc->fields, sc->field, width, &sc->lines);
		break;
	}
	case P_CANDS: tui_pane_candidates(sc->m, s, sc->cur, width, &sc->lines); break;
	case P_NAT: tui_pane_nat(sc->m, s, sc->cur, width, &sc->lines); break;
	case P_COUNT: break;
	}
	if (sc->lines.n == 0)
		tui_lines_add(&sc->lines, TUI_A_DIM, -1, "%s", "(nothing for this message)");
}

static void draw_pane_tabs(struct screen *sc, int y, int x0, int w)
{
	move(y, x0);
	attron(A_DIM);
	for (int c = 0; c < w; c++)
		put(y, x0 + c, 1, sc->g->h, 0);
	attroff(A_DIM);
	int x = x0 + 1;
	for (int p = 0; p < P_COUNT && x < x0 + w; p++) {
		char item[32];
		snprintf(item, sizeof item, " %s ", pane_names[p]);
		attr_t a = p == (int)sc->pane ? A_REVERSE | A_BOLD : A_NORMAL;
		x += put(y, x, x0 + w - x, item, a) + 1;
	}
}

static void draw_pane(struct screen *sc, int y, int h, int x0, int w)
{
	draw_pane_tabs(sc, y, x0, w);
	fill_pane(sc, w - 2);
	int rows = h - 1;
	if (rows <= 0)
		return;
	/* the selected field in view */
	if (sc->field >= 0 && sc->pane == P_DETAIL)
		for (size_t i = 0; i < sc->lines.n; i++)
			if (sc->lines.v[i].field == sc->field) {
				if (i < sc->pane_top || i >= sc->pane_top + (size_t)rows)
					sc->pane_top = i > 1 ? i - 1 : 0;
				break;
			}
	if (sc->pane_top + (size_t)rows > sc->lines.n)
		sc->pane_top = sc->lines.n > (size_t)rows ? sc->lines.n - (size_t)rows : 0;
	for (int r = 0; r < rows; r++) {
		int yy = y + 1 + r;
		move(yy, x0);
		for (int c = 0; c < w; c++)
			addch(' ');
		size_t k = sc->pane_top + (size_t)r;
		if (k >= sc->lines.n)
			continue;
		const struct tui_line *ln = &sc->lines.v[k];
		attr_t a = line_attr(sc, ln->attr);
		if (sc->field >= 0 && ln->field == sc->field && sc->pane == P_DETAIL)
			a = A_REVERSE;
		if (ln->hl_from >= 0 && ln->hl_to > ln->hl_from && (size_t)ln->hl_to <= strlen(ln->text)) {
			char part[1024];
			int x = x0 + 1;
			size_t a1 = (size_t)ln->hl_from, a2 = (size_t)ln->hl_to;
			snprintf(part, sizeof part, "%.*s", (int)a1, ln->text);
			x += put(yy, x, x0 + w - x, part, a);
			snprintf(part, sizeof part, "%.*s", (int)(a2 - a1), ln->text + a1);
			x += put(yy, x, x0 + w - x, part, A_REVERSE | A_BOLD | pair_attr(sc, C_WARN, 0));
			put(yy, x, x0 + w - x, ln->text + a2, a);
		} else {
			put(yy, x0 + 1, w - 2, ln->text, a);
		}
	}
	if (sc->lines.n > (size_t)rows) { /* where we are in a long pane */
		char more[48];
		snprintf(more, sizeof more, " %zu-%zu/%zu ", sc->pane_top + 1,
			 sc->pane_top + (size_t)rows < sc->lines.n ? sc->pane_top + (size_t)rows : sc->lines.n,
			 sc->lines.n);
		int mw = (int)strlen(more);
		put(y, x0 + w - mw - 1, mw, more, A_DIM);
	}
}

/* --- drawing: the session list --------------------------------------------------------- */

/* Its id ("offerufrag:answerufrag"), or what its peers' ufrags say when the id is empty
 * (a session of checks alone). */
static const char *session_name(const struct rtclab_tl_session *s, char *buf, size_t len)
{
	if (s->id[0])
		return s->id;
	snprintf(buf, len, "%s:%s", s->n_peers > 0 && s->peers[0].ufrag[0] ? s->peers[0].ufrag : "?",
		 s->n_peers > 1 && s->peers[1].ufrag[0] ? s->peers[1].ufrag : "?");
	return buf;
}

static void session_outcome(const struct rtclab_tl_session *s, bool finished, char *buf, size_t len)
{
	if (!finished)
		snprintf(buf, len, "%s", "(reading)");
	else if (s->connected && s->selected.has)
		snprintf(buf, len, "connected %s-%s%s", rtclab_cand_type_name(s->selected.local_type),
			 rtclab_cand_type_name(s->selected.remote_type), s->selected.relayed ? " (relayed)" : "");
	else
		snprintf(buf, len, "%s", s->connected ? "connected" : "not connected");
}

static void draw_list(struct screen *sc, int y, int h, int w)
{
	const struct rtclab_timeline *tl = sc->m->tl;
	sc->list_y = y + 1;
	for (int r = y; r < y + h; r++) {
		move(r, 0);
		clrtoeol();
	}
	char head[256];
	snprintf(head, sizeof head, " %-3s %-20s %-5s %-5s %-5s %9s  %s", "#", "session", "cands", "pairs",
		 "steps", "duration", "outcome");
	put(y, 0, w, head, A_BOLD | A_UNDERLINE);
	if (tl->n_sessions == 0)
		put(y + 2, 2, w - 4,
		    sc->m->finished ? "No WebRTC session in this input." : "Reading: no session yet.", A_DIM);
	size_t rows = h > 1 ? (size_t)(h - 1) : 0;
	size_t top = sc->list_sel >= rows ? sc->list_sel - rows + 1 : 0;
	for (size_t r = 0; r < rows && top + r < tl->n_sessions; r++) {
		size_t i = top + r;
		const struct rtclab_tl_session *s = tl->sessions[i];
		char id[96], out[64], line[400];
		char name[2 * RTCLAB_TL_UFRAG_MAX + 2];
		fit(id, sizeof id, session_name(s, name, sizeof name), 20, sc->g->ell);
		session_outcome(s, sc->m->finished, out, sizeof out);
		double dur = (double)(s->last_ns - s->first_ns) / 1e9;
		snprintf(line, sizeof line, " %-3zu %-20s %5zu %5zu %5zu %8.1fs  %s", i + 1, id, s->n_candidates,
			 s->n_pairs, s->n_steps, dur < 0 ? 0 : dur, out);
		attr_t a = i == sc->list_sel ? A_REVERSE : A_NORMAL;
		if (i == sc->list_sel) {
			attron(A_REVERSE);
			mvhline(y + 1 + (int)r, 0, ' ', w);
			attroff(A_REVERSE);
		}
		put(y + 1 + (int)r, 0, w, line, a);
	}
}

/* --- overlays: help, prompts, predict --------------------------------------------------- */

static const char *const help_text[] = {
	"rtclab - the handshake step by step",
	"",
	"Down, j / Up, k     the next / previous message",
	"Space, Right        the next message (reveals it)",
	"Left                the previous message",
	"PgDn / PgUp         a screen down / up",
	"g, Home / G, End    the first / last message (G reveals all)",
	"Enter               the detail of the message",
	"Tab / Shift-Tab     the next / previous pane: explain, detail, hex,",
	"                    candidates and pairs, NAT tables",
	"[ / ]               the previous / next field (highlighted in hex)",
	"J / K               scroll the pane",
	"/  n  N             search the messages; next, previous match",
	"f                   filter: signaling, sdp, candidate, stun, turn,",
	"                    check, nat, dtls, media, A, B, a name or address",
	"p  + -              play in capture time; faster, slower",
	"a                   all messages of the session, or those reached",
	"s                   the list of sessions",
	"?                   this help        q  quit",
	"",
	"Mouse: click a message to select it; the wheel scrolls.",
	"",
	"The band at the top names the step of the handshake the message",
	"belongs to: 1 offer, 2 answer, 3 NATs in the way, 4 gathering",
	"candidates, 5 trickling them, 6 connectivity checks, nomination,",
	"then DTLS and media.                      (any key closes this)",
};

static void draw_box(const struct screen *sc, int y, int x, int h, int w, const char *title)
{
	for (int r = 0; r < h; r++) {
		move(y + r, x);
		for (int c = 0; c < w; c++)
			addch(' ');
	}
	attron(A_BOLD);
	if (sc->utf8) {
		mvhline_set(y, x, WACS_HLINE, w);
		mvhline_set(y + h - 1, x, WACS_HLINE, w);
		mvvline_set(y, x, WACS_VLINE, h);
		mvvline_set(y, x + w - 1, WACS_VLINE, h);
		mvadd_wch(y, x, WACS_ULCORNER);
		mvadd_wch(y, x + w - 1, WACS_URCORNER);
		mvadd_wch(y + h - 1, x, WACS_LLCORNER);
		mvadd_wch(y + h - 1, x + w - 1, WACS_LRCORNER);
	} else {
		mvhline(y, x, '-', w);
		mvhline(y + h - 1, x, '-', w);
		mvvline(y, x, '|', h);
		mvvline(y, x + w - 1, '|', h);
	}
	attroff(A_BOLD);
	if (title)
		put(y, x + 2, w - 4, title, A_BOLD);
}

static void show_help(struct screen *sc)
{
	int n = (int)(sizeof help_text / sizeof help_text[0]);
	int h = n + 2 < LINES ? n + 2 : LINES, w = 74 < COLS ? 74 : COLS;
	int y = (LINES - h) / 2, x = (COLS - w) / 2;
	draw_box(sc, y, x, h, w, " help ");
	for (int i = 0; i < n && i < h - 2; i++)
		put(y + 1 + i, x + 2, w - 4, help_text[i], i == 0 ? A_BOLD : A_NORMAL);
	refresh();
	timeout(-1);
	getch();
}

/* A line typed in the status line, starting from what buf holds (Backspace,
 * Ctrl-U clears); buf changes only on Enter.  False on Esc. */
static bool prompt(struct screen *sc, const char *label, char *out, size_t len)
{
	char buf[256];
	snprintf(buf, sizeof buf < len ? sizeof buf : len, "%s", out);
	len = sizeof buf < len ? sizeof buf : len;
	size_t n = strlen(buf);
	timeout(-1);
	curs_set(1);
	for (;;) {
		int y = LINES - 1;
		attron(A_REVERSE);
		mvhline(y, 0, ' ', COLS);
		attroff(A_REVERSE);
		char line[300];
		snprintf(line, sizeof line, "%s%s", label, buf);
		int cols = put(y, 0, COLS - 1, line, A_REVERSE);
		move(y, cols);
		refresh();
		int c = getch();
		if (c == 27) {
			curs_set(0);
			return false;
		}
		if (c == '\n' || c == '\r' || c == KEY_ENTER)
			break;
		if ((c == KEY_BACKSPACE || c == 127 || c == 8) && n > 0)
			buf[--n] = 0;
		else if (c == 21) /* Ctrl-U */
			buf[n = 0] = 0;
		else if (c >= 32 && c < 127 && n + 1 < len) {
			buf[n++] = (char)c;
			buf[n] = 0;
		}
	}
	curs_set(0);
	(void)sc;
	snprintf(out, len, "%s", buf);
	return true;
}

static bool step_matches(const struct rtclab_tl_session *s, const struct rtclab_tl_step *t, const char *q)
{
	return ci_contains(t->what, q) || ci_contains(t->why, q) || strcasecmp(node_name(s, t->from), q) == 0 ||
	       strcasecmp(node_name(s, t->to), q) == 0;
}

static void search(struct screen *sc, int dir)
{
	const struct rtclab_tl_session *s = session(sc);
	if (!s || !sc->search[0] || s->n_steps == 0)
		return;
	size_t n = s->n_steps;
	for (size_t k = 1; k <= n; k++) {
		size_t i = dir > 0 ? (sc->cur + k) % n : (sc->cur + n - k % n) % n;
		if (passes(sc, s, &s->steps[i]) && step_matches(s, &s->steps[i], sc->search)) {
			bool wrapped = dir > 0 ? i <= sc->cur : i >= sc->cur; /* went round the end (as less says) */
			go_to(sc, i);
			snprintf(sc->note, sizeof sc->note, " /%s: message %zu%s", sc->search, i + 1,
				 wrapped ? " (search wrapped around)" : "");
			return;
		}
	}
	snprintf(sc->note, sizeof sc->note, " /%s: not found", sc->search);
}

/* Predict mode: before the first check of a session, ask which pair wins. */
struct guess {
	enum rtclab_cand_type local, remote;
};

static size_t guesses(const struct rtclab_tl_session *s, struct guess *g, size_t max)
{
	size_t n = 0;
	bool have[2][8] = {{false}};
	for (size_t i = 0; i < s->n_candidates; i++)
		if (s->candidates[i].peer >= 0 && s->candidates[i].peer < 2 && (unsigned)s->candidates[i].type < 8)
			have[s->candidates[i].peer][s->candidates[i].type] = true;
	for (int l = 0; l < 8; l++)
		for (int r = 0; r < 8; r++)
			if (have[0][l] && have[1][r] && n < max) {
				g[n].local = (enum rtclab_cand_type)l;
				g[n].remote = (enum rtclab_cand_type)r;
				n++;
			}
	return n;
}

static void maybe_predict(struct screen *sc)
{
	const struct rtclab_tl_session *s = session(sc);
	if (!sc->o->predict || !s || !sc->m->finished || sc->sess >= 64 || sc->predicted[sc->sess])
		return;
	if (s->steps[sc->cur].kind != RTCLAB_TL_EV_CHECK)
		return;
	sc->predicted[sc->sess] = true;
	draw(sc); /* the first check under the question */
	struct guess g[16];
	size_t n = guesses(s, g, 16);
	int h = (int)n + 9, w = 70 < COLS ? 70 : COLS;
	if (h > LINES)
		h = LINES;
	int y = (LINES - h) / 2, x = (COLS - w) / 2;
	draw_box(sc, y, x, h, w, " predict ");
	put(y + 1, x + 2, w - 4, "The connectivity checks are about to start.", A_BOLD);
	put(y + 2, x + 2, w - 4, "Which candidate pair will win (A's type - B's type)?", A_NORMAL);
	for (size_t i = 0; i < n && (int)i + 4 < h - 3; i++) {
		char line[96];
		snprintf(line, sizeof line, "%zu  %s - %s", i + 1, rtclab_cand_type_name(g[i].local),
			 rtclab_cand_type_name(g[i].remote));
		put(y + 4 + (int)i, x + 4, w - 6, line, A_NORMAL);
	}
	put(y + h - 3, x + 4, w - 6, "f  it fails: no pair works", A_NORMAL);
	put(y + h - 2, x + 2, w - 4, "Press a number or f (Esc: skip).", A_DIM);
	refresh();
	timeout(-1);
	int c = getch();
	if (c == 27)
		return;
	bool fails = c == 'f' || c == 'F';
	size_t pick = c >= '1' && c <= '9' ? (size_t)(c - '1') : SIZE_MAX;
	if (!fails && pick >= n)
		return;
	bool right = fails ? !s->connected
			   : s->connected && s->selected.has && s->selected.local_type == g[pick].local &&
				     s->selected.remote_type == g[pick].remote;
	char answer[200];
	if (s->connected && s->selected.has)
		snprintf(answer, sizeof answer, "The winner: %s - %s.", rtclab_cand_type_name(s->selected.local_type),
			 rtclab_cand_type_name(s->selected.remote_type));
	else
		snprintf(answer, sizeof answer, "No pair works: the connection fails.");
	struct tui_lines why = {0};
	tui_lines_wrap(&why, TUI_A_NORMAL, -1, 0, w - 6, s->outcome);
	draw(sc);
	int hh = 7 + (int)why.n;
	if (hh > LINES)
		hh = LINES;
	y = (LINES - hh) / 2;
	draw_box(sc, y, x, hh, w, " predict ");
	put(y + 1, x + 2, w - 4, right ? "Right!" : "Not this time.", right ? pair_attr(sc, C_GOOD, A_BOLD) | A_BOLD
									 : pair_attr(sc, C_BAD, A_BOLD) | A_BOLD);
	put(y + 2, x + 2, w - 4, answer, A_BOLD);
	for (size_t i = 0; i < why.n && (int)i + 4 < hh - 2; i++)
		put(y + 4 + (int)i, x + 2, w - 4, why.v[i].text, A_NORMAL);
	put(y + hh - 2, x + 2, w - 4, "Step through the checks to see why. (any key)", A_DIM);
	tui_lines_free(&why);
	refresh();
	getch();
}

/* --- the whole screen ------------------------------------------------------------------ */

static void draw(struct screen *sc)
{
	int H = LINES, W = COLS;
	erase();
	draw_title(sc, W);
	if (H < 10 || W < 40) {
		put(2, 0, W, "The terminal is too small: rtclab needs at least 40x10.", A_BOLD);
		draw_status(sc, H - 1, W);
		refresh();
		return;
	}
	if (sc->in_list) {
		draw_list(sc, 1, H - 2, W);
		draw_status(sc, H - 1, W);
		refresh();
		return;
	}
	const struct rtclab_tl_session *s = session(sc);
	draw_band(sc, 1, W, s);
	int body_y = 2, body_h = H - 3;
	if (W >= 160) { /* side by side */
		int lw = W * 3 / 5;
		draw_ladder(sc, body_y, body_h, 0, lw);
		attron(A_DIM);
		for (int r = body_y; r < body_y + body_h; r++)
			put(r, lw, 1, sc->g->v, 0);
		attroff(A_DIM);
		draw_pane(sc, body_y, body_h, lw + 1, W - lw - 1);
	} else {
		int lh = body_h * 11 / 20;
		if (lh < 5)
			lh = 5;
		draw_ladder(sc, body_y, lh, 0, W);
		draw_pane(sc, body_y + lh, body_h - lh, 0, W);
	}
	draw_status(sc, H - 1, W);
	refresh();
}

/* --- keys and the mouse ------------------------------------------------------------------- */

static void select_field(struct screen *sc, int dir)
{
	if (sc->pane != P_DETAIL && sc->pane != P_HEX)
		sc->pane = P_DETAIL;
	fill_pane(sc, COLS);
	if (sc->fields.n == 0) {
		sc->field = -1;
		snprintf(sc->note, sizeof sc->note, "%s",
			 " this message has no fields to select: its text is shown as it is (STUN, DTLS, RTP have fields)");
		return;
	}
	if (sc->field < 0)
		sc->field = dir > 0 ? 0 : (int)sc->fields.n - 1;
	else
		sc->field = (sc->field + dir + (int)sc->fields.n) % (int)sc->fields.n;
	snprintf(sc->note, sizeof sc->note, " field %d/%zu: %s  ([ ] other fields, Tab hex)", sc->field + 1,
		 sc->fields.n, sc->fields.v[sc->field].name);
}

static void mouse(struct screen *sc)
{
	MEVENT ev;
	if (getmouse(&ev) != OK)
		return;
#ifdef BUTTON5_PRESSED
	if (ev.bstate & BUTTON5_PRESSED) {
		move_by(sc, 1, 3);
		return;
	}
#endif
	if (ev.bstate & BUTTON4_PRESSED) {
		move_by(sc, -1, 3);
		return;
	}
	if (!(ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_RELEASED)))
		return;
	if (sc->in_list) {
		size_t row = ev.y >= sc->list_y ? (size_t)(ev.y - sc->list_y) : SIZE_MAX;
		if (row < sc->m->tl->n_sessions)
			sc->list_sel = row;
		return;
	}
	if (ev.y >= sc->ladder_y && ev.y < sc->ladder_y + sc->ladder_h && ev.x >= sc->ladder_x &&
	    ev.x < sc->ladder_x + sc->ladder_w) {
		size_t k = sc->top + (size_t)(ev.y - sc->ladder_y);
		if (k < sc->n_vis)
			go_to(sc, sc->vis[k]);
	}
}

/* false: quit */
static bool key_list(struct screen *sc, int c)
{
	size_t n = sc->m->tl->n_sessions;
	switch (c) {
	case 'q': return false;
	case KEY_DOWN:
	case 'j':
		if (sc->list_sel + 1 < n)
			sc->list_sel++;
		break;
	case KEY_UP:
	case 'k':
		if (sc->list_sel > 0)
			sc->list_sel--;
		break;
	case 'g':
	case KEY_HOME: sc->list_sel = 0; break;
	case 'G':
	case KEY_END: sc->list_sel = n ? n - 1 : 0; break;
	case '\n':
	case '\r':
	case KEY_ENTER:
	case ' ':
	case KEY_RIGHT:
		if (sc->list_sel < n)
			open_session(sc, sc->list_sel);
		break;
	case '?': show_help(sc); break;
	case KEY_MOUSE: mouse(sc); break;
	default: break;
	}
	return true;
}

static int page_rows(const struct screen *sc)
{
	return sc->ladder_h > 2 ? sc->ladder_h - 1 : 1;
}

static bool key_session(struct screen *sc, int c)
{
	const struct rtclab_tl_session *s = session(sc);
	switch (c) {
	case 'q': return false;
	case KEY_DOWN:
	case 'j':
	case ' ':
	case KEY_RIGHT: move_by(sc, 1, 1); break;
	case KEY_UP:
	case 'k':
	case KEY_LEFT:
	case KEY_BACKSPACE: move_by(sc, -1, 1); break;
	case KEY_NPAGE: move_by(sc, 1, page_rows(sc)); break;
	case KEY_PPAGE: move_by(sc, -1, page_rows(sc)); break;
	case 'g':
	case KEY_HOME:
		if (s && s->n_steps)
			go_to(sc, passes(sc, s, &s->steps[0]) ? 0 : next_step(sc, s, 0, 1));
		break;
	case 'G':
	case KEY_END:
		if (s && s->n_steps) {
			sc->reached = s->n_steps - 1;
			size_t i = s->n_steps - 1;
			go_to(sc, passes(sc, s, &s->steps[i]) ? i : next_step(sc, s, i, -1));
		}
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
		sc->pane = P_DETAIL;
		sc->pane_top = 0;
		break;
	case '\t': sc->pane = (enum pane)((sc->pane + 1) % P_COUNT), sc->pane_top = 0; break;
	case KEY_BTAB: sc->pane = (enum pane)((sc->pane + P_COUNT - 1) % P_COUNT), sc->pane_top = 0; break;
	case ']': select_field(sc, 1); break;
	case '[': select_field(sc, -1); break;
	case 'J': sc->pane_top++; break;
	case 'K':
		if (sc->pane_top)
			sc->pane_top--;
		break;
	case 'a': sc->show_all = !sc->show_all; break;
	case 's':
		sc->in_list = true;
		sc->list_sel = sc->sess;
		sc->playing = false;
		break;
	case '/': {
		char q[sizeof sc->search] = ""; /* a new search starts empty; n and N repeat the last */
		if (prompt(sc, "search (Esc: cancel): ", q, sizeof q) && q[0]) {
			snprintf(sc->search, sizeof sc->search, "%s", q);
			search(sc, 1);
		}
		break;
	}
	case 'n': search(sc, 1); break;
	case 'N': search(sc, -1); break;
	case 'f': {
		char f[sizeof sc->filter];
		snprintf(f, sizeof f, "%s", sc->filter);
		if (prompt(sc, "filter (signaling, sdp, candidate, stun, turn, check, nat, dtls, media, A, B, text; empty: none): ", f,
			   sizeof f)) {
			snprintf(sc->filter, sizeof sc->filter, "%s", f);
			if (s && s->n_steps && !passes(sc, s, &s->steps[sc->cur])) {
				size_t i = next_step(sc, s, sc->cur, 1);
				if (i == sc->cur)
					i = next_step(sc, s, sc->cur, -1);
				go_to(sc, i);
			}
		}
		break;
	}
	case 'p':
		sc->playing = !sc->playing;
		if (sc->speed <= 0)
			sc->speed = 1;
		sc->next_ms = now_ms();
		break;
	case '+':
		if (sc->speed < 1024)
			sc->speed *= 2;
		break;
	case '-':
		if (sc->speed > 1.0 / 1024)
			sc->speed /= 2;
		break;
	case '?': show_help(sc); break;
	case KEY_MOUSE: mouse(sc); break;
	default: break;
	}
	return true;
}

/* Playing: the next message when its capture time has come (pauses of over 3 s shortened). */
static void play(struct screen *sc)
{
	const struct rtclab_tl_session *s = session(sc);
	if (!sc->playing || !s || sc->in_list)
		return;
	int64_t now = now_ms();
	if (now < sc->next_ms)
		return;
	size_t i = next_step(sc, s, sc->cur, 1);
	if (i == sc->cur) {
		sc->playing = false;
		snprintf(sc->note, sizeof sc->note, " %s", "the end of the session");
		return;
	}
	int64_t gap_ns = s->steps[i].time_ns - s->steps[sc->cur].time_ns;
	go_to(sc, i);
	size_t j = next_step(sc, s, i, 1);
	gap_ns = j != i ? s->steps[j].time_ns - s->steps[i].time_ns : 0;
	double ms = (double)gap_ns / 1e6 / sc->speed;
	if (ms > 3000)
		ms = 3000;
	if (ms < 0)
		ms = 0;
	sc->next_ms = now + (int64_t)ms;
}

/* --- reading on ---------------------------------------------------------------------------- */

/* When the model finishes, its steps are sorted: find the current one again. */
static void keep_place(struct screen *sc, const struct rtclab_tl_step *before, bool had)
{
	const struct rtclab_tl_session *s = session(sc);
	if (!had || !s)
		return;
	for (size_t i = 0; i < s->n_steps; i++)
		if (s->steps[i].frame == before->frame && s->steps[i].kind == before->kind &&
		    strcmp(s->steps[i].what, before->what) == 0) {
			if (sc->reached == sc->cur)
				sc->reached = i;
			sc->cur = i;
			if (sc->reached < sc->cur)
				sc->reached = sc->cur;
			return;
		}
}

static void read_on(struct screen *sc)
{
	if (sc->m->finished)
		return;
	const struct rtclab_tl_session *s = session(sc);
	struct rtclab_tl_step before;
	bool had = s && sc->cur < s->n_steps;
	if (had)
		before = s->steps[sc->cur];
	tui_model_step(sc->m, 40);
	if (sc->m->finished)
		keep_place(sc, &before, had);
	size_t n = sc->m->tl->n_sessions;
	if (sc->in_list && n == 1 && sc->m->finished && !sc->o->session)
		open_session(sc, 0);
	if (!sc->in_list && sc->sess >= n && n > 0 && !sc->o->session)
		open_session(sc, 0);
	if (sc->m->finished && sc->o->session && sc->o->session <= n && sc->in_list && sc->sess == 0 &&
	    sc->list_sel == 0)
		open_session(sc, sc->o->session - 1);
}

static void init_colors(struct screen *sc)
{
	bool want = sc->o->color == TUI_COLOR_ALWAYS ||
		    (sc->o->color == TUI_COLOR_AUTO && !(getenv("NO_COLOR") && *getenv("NO_COLOR")));
	sc->color = want && has_colors();
	if (!sc->color)
		return;
	start_color();
	use_default_colors();
	init_pair(C_SIGNAL, COLOR_MAGENTA, -1);
	init_pair(C_STUN, COLOR_CYAN, -1);
	init_pair(C_CHECK, COLOR_BLUE, -1);
	init_pair(C_NAT, COLOR_YELLOW, -1);
	init_pair(C_MEDIA, COLOR_GREEN, -1);
	init_pair(C_GOOD, COLOR_GREEN, -1);
	init_pair(C_BAD, COLOR_RED, -1);
	init_pair(C_WARN, COLOR_YELLOW, -1);
	init_pair(C_HEAD, COLOR_CYAN, -1);
	init_pair(C_CUR, COLOR_WHITE, COLOR_BLUE);
}

int tui_run(struct tui_model *m, const struct tui_opts *o)
{
	struct screen sc;
	memset(&sc, 0, sizeof sc);
	sc.m = m;
	sc.o = o;
	sc.field = -1;
	sc.speed = 1;
	sc.pane = P_EXPLAIN;
	sc.utf8 = !o->ascii && locale_utf8();
	sc.g = sc.utf8 ? &utf8_glyphs : &ascii_glyphs;
	sc.in_list = true;
	if (!getenv("ESCDELAY"))
		set_escdelay(25);
#if defined(NCURSES_VERSION_MAJOR) && NCURSES_VERSION_MAJOR >= 6
	use_tioctl(TRUE); /* the size from the terminal even when $LINES and $COLUMNS are set */
#endif
	initscr();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
			  | BUTTON5_PRESSED
#endif
		  ,
		  NULL);
	mouseinterval(0);
	init_colors(&sc);
	/* a scenario is ready at once; a capture opens its first session as soon as it appears */
	if (m->finished) {
		size_t n = m->tl->n_sessions;
		if (o->session && o->session <= n)
			open_session(&sc, o->session - 1);
		else if (n <= 1)
			open_session(&sc, 0);
	}
	if (o->session && o->session > m->tl->n_sessions && m->finished)
		snprintf(sc.note, sizeof sc.note, " there is no session %zu (%zu in all)", o->session, m->tl->n_sessions);
	if (o->walk && !sc.note[0])
		snprintf(sc.note, sizeof sc.note, "%s",
			 " Space: the next message; Tab: the other panes; ?: help; q: quit");
	bool run = true;
	while (run) {
		draw(&sc);
		bool busy = !m->finished || sc.playing;
		timeout(busy ? (m->finished ? 30 : 0) : -1);
		int c = getch();
		if (c == ERR) {
			read_on(&sc);
			play(&sc);
			continue;
		}
		sc.note[0] = 0;
		if (c == KEY_RESIZE)
			continue;
		if (c == 'q' && m->source == TUI_SRC_LIVE && !m->finished)
			tui_model_stop(m);
		run = sc.in_list ? key_list(&sc, c) : key_session(&sc, c);
		if (!m->finished)
			read_on(&sc);
	}
	endwin();
	tui_lines_free(&sc.lines);
	tui_fields_free(&sc.fields);
	free(sc.vis);
	return m->error[0] ? EXIT_PROBLEMS : EXIT_CLEAN;
}
