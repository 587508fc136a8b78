/* Showing a finished timeline, for the tools that make one (rtclab replay,
 * rtclab sim): the ladder with its pacing (--step, --speed), --summary,
 * --json, --mermaid and --svg, and the checks of those options. */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "timeline_text.h"
#include "tool.h"

#define SPEED_CAP_NS 5000000000LL /* the longest single --speed pause */

bool tl_view_parse_speed(const char *text, double *speed)
{
	char *end;
	errno = 0;
	double v = strtod(text, &end);
	if (errno || end == text || *end || !isfinite(v) || v <= 0)
		return false;
	*speed = v;
	return true;
}

int tl_view_option(struct tl_view_opts *o, int c, const char *arg, const char **color)
{
	switch (c) {
	case 's': o->summary = true; return 1;
	case 'j': o->json = true; return 1;
	case 'c': o->compact = true; return 1;
	case 'm': o->mermaid = true; return 1;
	case 'g': o->svg = arg; return 1;
	case 't': o->step = true; return 1;
	case 'q': o->brief = true; return 1;
	case 'C': *color = arg; return 1;
	case 'x':
		if (tl_view_parse_speed(arg, &o->speed))
			return 1;
		fprintf(stderr, "%s: --speed takes a number above 0, not '%s'\n", o->cmd, arg);
		return -1;
	default:
		return 0;
	}
}

bool tl_view_check(const struct tl_view_opts *o)
{
	int outputs = o->json + o->mermaid + o->summary;
	if (outputs > 1) {
		fprintf(stderr, "%s: give at most one of --json, --mermaid and --summary\n", o->cmd);
		return false;
	}
	if (o->compact && !o->json) {
		fprintf(stderr, "%s: --compact goes with --json\n", o->cmd);
		return false;
	}
	if ((o->step || o->speed > 0) && (o->json || o->mermaid || o->summary)) {
		fprintf(stderr, "%s: --step and --speed pace the ladder; not with --json, --mermaid or --summary\n",
			o->cmd);
		return false;
	}
	if (o->step && o->speed > 0) {
		fprintf(stderr, "%s: give either --step or --speed, not both\n", o->cmd);
		return false;
	}
	return true;
}

/* --- pacing -------------------------------------------------------------------------- */

struct pacer {
	const struct tl_view_opts *o;
	FILE *tty;          /* --step: the keys come from here, not standard input */
};

static void sleep_ns(int64_t ns)
{
	struct timespec ts = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static bool pace(void *arg, const struct rtclab_tl_session *s, size_t i)
{
	struct pacer *p = arg;
	if (p->tty) {
		fprintf(stderr, "%s[Enter: next step, q: the rest at once]%s", st_dim(&p->o->st), st_off(&p->o->st));
		fflush(stderr);
		int c = fgetc(p->tty), k = c;
		while (k != '\n' && k != EOF)
			k = fgetc(p->tty);
		if (isatty(fileno(stderr)))
			fputs("\033[A\r\033[K", stderr); /* up to the prompt's line (Enter moved down), and clear it */
		return c != 'q' && c != EOF;
	}
	int64_t delta = s->steps[i].time_ns - s->steps[i - 1].time_ns;
	if (s->steps[i].time_ns <= 0 || s->steps[i - 1].time_ns <= 0 || delta <= 0)
		return true;
	double scaled = (double)delta / p->o->speed;
	if (scaled > (double)SPEED_CAP_NS) {
		printf("%s  ... %.1f s of capture time (%.1f s at this speed), shortened to 5 s%s\n", st_dim(&p->o->st),
		       (double)delta / 1e9, scaled / 1e9, st_off(&p->o->st));
		fflush(stdout);
		scaled = (double)SPEED_CAP_NS;
	}
	sleep_ns((int64_t)scaled);
	return true;
}

/* --- output -------------------------------------------------------------------------- */

static void print_none(const struct rtclab_timeline *tl, const char *file)
{
	printf("No WebRTC session in %s: no offer or answer in signaling, and no ICE connectivity check.\n",
	       strcmp(file, "-") == 0 ? "standard input" : file);
	printf("(%llu events read: %llu datagrams, %llu signaling messages.)\n", (unsigned long long)tl->events,
	       (unsigned long long)tl->datagrams, (unsigned long long)tl->signals);
}

static int print_json(const struct rtclab_timeline *tl, bool compact)
{
	json_t *j = rtclab_timeline_json(tl);
	char *text = j ? json_dumps(j, (compact ? JSON_COMPACT : JSON_INDENT(2)) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(j);
	if (!text) {
		fputs("rtclab: out of memory\n", stderr);
		return EXIT_PROBLEMS;
	}
	puts(text);
	free(text);
	return EXIT_CLEAN;
}

static int print_text(const struct tl_view_opts *o, const struct rtclab_timeline *tl)
{
	struct pacer p = {o, NULL};
	if (o->step && !(p.tty = fopen("/dev/tty", "r"))) {
		fprintf(stderr, "%s: --step reads Enter from the terminal: /dev/tty: %s\n", o->cmd, strerror(errno));
		return EXIT_USAGE;
	}
	struct tl_text_opts t = {
		.st = &o->st,
		.utf8 = tl_locale_utf8(),
		.width = tl_term_width(stdout),
		.brief = o->brief,
		.pace = o->step || o->speed > 0 ? pace : NULL,
		.pace_arg = &p,
	};
	if (tl->n_sessions == 0)
		print_none(tl, o->input);
	for (size_t i = 0; i < tl->n_sessions; i++) {
		const struct rtclab_tl_session *s = tl->sessions[i];
		if (i)
			fputc('\n', stdout);
		tl_print_header(stdout, &t, s);
		fputc('\n', stdout);
		if (o->summary)
			tl_print_summary(stdout, &t, s);
		else
			tl_print_ladder(stdout, &t, s);
		fputc('\n', stdout);
		tl_print_footer(stdout, &t, s);
	}
	if (p.tty)
		fclose(p.tty);
	return EXIT_CLEAN;
}

int tl_view_show(const struct tl_view_opts *o, const struct rtclab_timeline *tl, bool svg)
{
	int out = o->json ? print_json(tl, o->compact)
		  : o->mermaid ? (tl_print_mermaid(stdout, tl), EXIT_CLEAN)
			       : print_text(o, tl);
	if (out != EXIT_CLEAN || !o->svg || !svg)
		return out;
	char err[600];
	if (!tl_write_svg(o->svg, tl, err, sizeof err)) {
		fprintf(stderr, "%s: --svg %s\n", o->cmd, err);
		return EXIT_PROBLEMS;
	}
	return EXIT_CLEAN;
}
