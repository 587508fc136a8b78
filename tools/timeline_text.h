/* Renderers of the timeline model (rtclab/timeline.h) shared by the tools
 * that show a session: `rtclab replay` now, `rtclab sim` later.  Not
 * library API. */
#ifndef RTCLAB_TIMELINE_TEXT_H
#define RTCLAB_TIMELINE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "rtclab/timeline.h"
#include "tool.h"

struct tl_text_opts {
	const struct style *st;  /* colours (tool.h) */
	bool utf8;               /* box-drawing characters and "…"; else ASCII */
	int width;               /* the terminal's width in columns */
	bool brief;              /* leave out the why of each step */
	/* Called before every step row but the first of a session (--step,
	 * --speed); output is flushed first.  NULL: none.  Returning false
	 * stops the pacing for the rest of the output. */
	bool (*pace)(void *arg, const struct rtclab_tl_session *s, size_t step);
	void *pace_arg;
};

/* The width to draw at: $COLUMNS, else the terminal's (when out is one),
 * else 100; at least 40. */
int tl_term_width(FILE *out);
/* True when the locale ($LC_ALL, $LC_CTYPE, $LANG) says UTF-8. */
bool tl_locale_utf8(void);

/* Header (id, peers, servers), ladder diagram and footer (selected pair,
 * DTLS, outcome, "missing: ..." lines) of one session. */
void tl_print_header(FILE *out, const struct tl_text_opts *o, const struct rtclab_tl_session *s);
void tl_print_ladder(FILE *out, const struct tl_text_opts *o, const struct rtclab_tl_session *s);
void tl_print_footer(FILE *out, const struct tl_text_opts *o, const struct rtclab_tl_session *s);
/* The tables of --summary: candidates, then pairs. */
void tl_print_summary(FILE *out, const struct tl_text_opts *o, const struct rtclab_tl_session *s);

/* A Mermaid sequenceDiagram per session (one after the other, each
 * starting with its "sequenceDiagram" line); one with a note when there
 * is no session. */
void tl_print_mermaid(FILE *out, const struct rtclab_timeline *tl);
/* Text made safe for a Mermaid message, note or participant alias: ; # :
 * < > & " as entity codes (#59; ...), line breaks as spaces.  Always
 * NUL-terminated; cut at a whole character. */
void tl_mermaid_escape(char *dst, size_t len, const char *src);

/* A standalone SVG 1.1 picture of every session. */
void tl_print_svg(FILE *out, const struct rtclab_timeline *tl);
/* The same into path, atomically: a temporary file in the same directory
 * renamed into place; on any error nothing is left behind and err says
 * why. */
bool tl_write_svg(const char *path, const struct rtclab_timeline *tl, char *err, size_t errlen);
/* Text made safe for XML character data and attribute values: & < > " '
 * as entities, control characters and bytes that are not UTF-8 as '?'. */
void tl_xml_escape(char *dst, size_t len, const char *src);

/* --- showing a whole timeline (timeline_view.c) ------------------------------------ */

struct tl_view_opts {
	const char *cmd;         /* "rtclab replay": in messages */
	const char *input;       /* the file shown, "-" for standard input */
	bool summary, json, compact, mermaid, step, brief;
	double speed;            /* 0: no pacing */
	const char *svg;         /* also write an SVG picture there */
	struct style st;
};

/* --speed's number: above 0. */
bool tl_view_parse_speed(const char *text, double *speed);
/* The long options of a view, for a command's getopt_long table (their
 * short values: s j c m g t x q C). */
#define TL_VIEW_LONGOPTS                                                                                          \
	{"summary", no_argument, NULL, 's'}, {"json", no_argument, NULL, 'j'},                                   \
	{"compact", no_argument, NULL, 'c'}, {"mermaid", no_argument, NULL, 'm'},                                \
	{"svg", required_argument, NULL, 'g'}, {"step", no_argument, NULL, 't'},                                 \
	{"speed", required_argument, NULL, 'x'}, {"brief", no_argument, NULL, 'q'},                              \
	{"color", required_argument, NULL, 'C'}, {"colour", required_argument, NULL, 'C'}
/* One of those options: 1 taken, 0 not a view option, -1 a bad value (said). */
int tl_view_option(struct tl_view_opts *o, int c, const char *arg, const char **color);
/* The options that do not go together, each said on standard error. */
bool tl_view_check(const struct tl_view_opts *o);
/* The timeline as asked: ladder (paced), summary, JSON or Mermaid; then the
 * SVG when svg is true.  An exit status. */
int tl_view_show(const struct tl_view_opts *o, const struct rtclab_timeline *tl, bool svg);

#endif
