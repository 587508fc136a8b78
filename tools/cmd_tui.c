/* rtclab tui and rtclab walk: the handshake step by step in a terminal UI
 * (tui_screen.c) over the timeline model (tui_model.c) of a capture, a live
 * capture or a scenario.  When standard output is not a terminal, walk
 * prints its walkthrough as text. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "timeline_text.h"
#include "tool.h"
#include "tui.h"
#include "tui_screen.h"

#ifndef RTCLAB_DATADIR
#define RTCLAB_DATADIR "/usr/local/share/rtclab"
#endif
#define WALK_SCENARIO "walkthrough.yaml"

static const char options_help[] =
	"  -f, --filter EXPR    a BPF filter for a capture (tcpdump syntax, pcap-filter(7))\n"
	"      --sdp FILE       a description the capture lacks (offer or answer; repeat)\n"
	"      --webrtc-internals FILE\n"
	"                       the descriptions of a chrome://webrtc-internals dump\n"
	"      --seed N         the simulation's seed instead of the scenario's\n"
	"      --predict        before the checks run, ask which candidate pair will win\n"
	"      --session N      open session N (1-based) at once instead of the list\n"
	"      --ascii          ASCII line drawing even in a UTF-8 locale\n"
	"      --color WHEN     auto (default; NO_COLOR turns colours off), always or never\n"
	"  -h, --help           this help\n"
	"\n"
	"Keys: Space/Right next message, Left previous, j/k move, PgDn/PgUp, g/G first\n"
	"and last, Enter detail, Tab/Shift-Tab panes (explain, detail, hex, candidates,\n"
	"NAT), [ ] fields, / search (n N), f filter, p play (+ -), a all messages,\n"
	"s sessions, ? help, q quit.  The mouse selects and scrolls.\n";

void usage_tui(FILE *out)
{
	fputs("usage: rtclab tui [options] FILE|SCENARIO\n"
	      "       rtclab tui [options] -i IFACE\n"
	      "\n"
	      "Step through the handshake of a capture (pcap or pcapng) or a scenario (YAML,\n"
	      "docs/scenarios.md), recognised by content, in a terminal UI: a ladder of the\n"
	      "messages between the peers, NATs and servers, revealed one at a time, with\n"
	      "each message decoded, its bytes, why it happened, the candidates and pairs\n"
	      "and the NAT tables of that moment.  A large capture is read in slices behind\n"
	      "the first screen; memory follows the sessions, not the file's size.\n"
	      "\n"
	      "  -i, --interface IFACE\n"
	      "                       capture live on IFACE (root or CAP_NET_RAW); the ladder\n"
	      "                       grows as packets arrive\n",
	      out);
	fputs(options_help, out);
	fputs("\nExit status: 0 done, 1 the input could not be read to its end, 2 usage error\n"
	      "or no terminal (see rtclab replay and rtclab sim for text).\n",
	      out);
}

void usage_walk(FILE *out)
{
	fputs("usage: rtclab walk [options] [SCENARIO]\n"
	      "\n"
	      "The guided walkthrough: a scenario (by default the bundled walkthrough.yaml:\n"
	      "two peers behind home NATs, a STUN and a TURN server) simulated and shown one\n"
	      "message at a time, from the offer to the nomination, DTLS and media, with why\n"
	      "each message happens.  Not on a terminal, the walkthrough is printed as text.\n"
	      "\n",
	      out);
	fputs(options_help, out);
	fputs("\nExit status: 0 done, 1 the scenario could not be read or run, 2 usage error.\n", out);
}

#define MAX_SDP 16

struct tui_cmd {
	struct tui_opts t;
	const char *input;
	const char *iface;
	const char *filter;
	const char *sdp[MAX_SDP];
	size_t n_sdp;
	const char *internals[MAX_SDP];
	size_t n_internals;
	bool has_seed;
	uint64_t seed;
};

static bool parse_number(const char *text, uint64_t max, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-' || v > max)
		return false;
	*out = v;
	return true;
}

static int parse_opts(struct tui_cmd *o, const char *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"interface", required_argument, NULL, 'i'},
		{"filter", required_argument, NULL, 'f'},
		{"sdp", required_argument, NULL, 'S'},
		{"webrtc-internals", required_argument, NULL, 'W'},
		{"seed", required_argument, NULL, 'e'},
		{"predict", no_argument, NULL, 'p'},
		{"session", required_argument, NULL, 'n'},
		{"ascii", no_argument, NULL, 'a'},
		{"color", required_argument, NULL, 'C'},
		{"colour", required_argument, NULL, 'C'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool walk = strcmp(cmd, "walk") == 0;
	uint64_t v;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "i:f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (walk) {
				fputs("rtclab walk: walks a scenario; for a live capture use rtclab tui -i IFACE\n", stderr);
				return -1;
			}
			o->iface = optarg;
			break;
		case 'f': o->filter = optarg; break;
		case 'S':
		case 'W': {
			const char **list = c == 'S' ? o->sdp : o->internals;
			size_t *n = c == 'S' ? &o->n_sdp : &o->n_internals;
			if (*n == MAX_SDP) {
				fprintf(stderr, "rtclab %s: at most %d %s files\n", cmd, MAX_SDP,
					c == 'S' ? "--sdp" : "--webrtc-internals");
				return -1;
			}
			list[(*n)++] = optarg;
			break;
		}
		case 'e':
			if (!parse_number(optarg, UINT64_MAX, &o->seed)) {
				fprintf(stderr, "rtclab %s: --seed takes a whole number, not '%s'\n", cmd, optarg);
				return -1;
			}
			o->has_seed = true;
			break;
		case 'p': o->t.predict = true; break;
		case 'n':
			if (!parse_number(optarg, 1000000, &v) || v == 0) {
				fprintf(stderr, "rtclab %s: --session takes a number from 1, not '%s'\n", cmd, optarg);
				return -1;
			}
			o->t.session = (size_t)v;
			break;
		case 'a': o->t.ascii = true; break;
		case 'C':
			if (strcmp(optarg, "auto") == 0)
				o->t.color = TUI_COLOR_AUTO;
			else if (strcmp(optarg, "always") == 0)
				o->t.color = TUI_COLOR_ALWAYS;
			else if (strcmp(optarg, "never") == 0)
				o->t.color = TUI_COLOR_NEVER;
			else {
				fprintf(stderr, "rtclab %s: --color takes auto, always or never, not '%s'\n", cmd, optarg);
				return -1;
			}
			break;
		case 'h':
			(walk ? usage_walk : usage_tui)(stdout);
			exit(EXIT_CLEAN);
		default: return -1;
		}
	}
	if (optind < argc)
		o->input = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "rtclab %s: one input at a time ('%s' is one too many)\n", cmd, argv[optind]);
		return -1;
	}
	if (!walk && !o->input && !o->iface) {
		fputs("rtclab tui: give a capture or scenario FILE, or -i IFACE for a live capture\n", stderr);
		return -1;
	}
	if (o->iface && o->input) {
		fprintf(stderr, "rtclab tui: either a FILE or -i IFACE, not both\n");
		return -1;
	}
	return 0;
}

/* --- inputs -------------------------------------------------------------------------- */

/* pcap (either byte order, micro- or nanosecond) or pcapng, by the first 4 bytes. */
static bool is_capture(const char *path)
{
	if (strcmp(path, "-") == 0)
		return true;
	FILE *f = fopen(path, "rb");
	if (!f)
		return true; /* the capture reader says why it cannot be opened */
	unsigned char b[4] = {0};
	size_t n = fread(b, 1, 4, f);
	fclose(f);
	if (n == 0)
		return true; /* the capture reader says it is empty */
	if (n < 4)
		return false;
	uint32_t m = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	return m == 0xa1b2c3d4 || m == 0xd4c3b2a1 || m == 0xa1b23c4d || m == 0x4d3cb2a1 || m == 0x0a0d0d0a;
}

static bool readable(const char *path)
{
	return access(path, R_OK) == 0;
}

/* The bundled walkthrough: $RTCLAB_DATADIR, next to the command (a build
 * tree, or PREFIX/bin next to PREFIX/share), then the installed data. */
static const char *default_scenario(char *buf, size_t len)
{
	const char *env = getenv("RTCLAB_DATADIR");
	if (env && *env) {
		snprintf(buf, len, "%s/scenarios/%s", env, WALK_SCENARIO);
		if (readable(buf))
			return buf;
	}
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = 0;
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = 0;
			static const char *const rel[] = {"../scenarios", "../share/rtclab/scenarios"};
			for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
				snprintf(buf, len, "%s/%s/%s", exe, rel[i], WALK_SCENARIO);
				char real[PATH_MAX];
				if (readable(buf) && realpath(buf, real)) { /* without the "bin/.." */
					snprintf(buf, len, "%s", real);
					return buf;
				}
			}
		}
	}
	snprintf(buf, len, "%s/scenarios/%s", RTCLAB_DATADIR, WALK_SCENARIO);
	return readable(buf) ? buf : NULL;
}

static struct rtclab_scenario *load_scenario(const char *cmd, const char *path)
{
	char who[32];
	snprintf(who, sizeof who, "rtclab %s", cmd);
	struct rtclab_scenario *sc = scenario_load(who, path);
	if (!sc && access(path, R_OK) == 0)
		fprintf(stderr, "rtclab %s: %s is neither a capture (pcap, pcapng) nor a valid scenario\n", cmd, path);
	return sc;
}

/* NULL when it cannot be opened (said); *usage when the command line was at fault. */
static struct tui_model *open_model(const struct tui_cmd *o, const char *cmd, struct rtclab_scenario **scp,
				    bool *usage)
{
	char err[RTCLAB_CAPTURE_ERRLEN + 64];
	struct tui_model *m = NULL;
	*scp = NULL;
	if (o->iface) {
		m = tui_model_open_live(o->iface, o->filter, err, sizeof err);
	} else if (is_capture(o->input)) {
		if (o->has_seed)
			fprintf(stderr, "rtclab %s: warning: --seed is for scenarios; %s is a capture\n", cmd, o->input);
		m = tui_model_open_file(o->input, o->filter, err, sizeof err);
	} else {
		if (o->filter || o->n_sdp || o->n_internals) {
			fprintf(stderr, "rtclab %s: --filter, --sdp and --webrtc-internals are for captures; %s is a scenario\n",
				cmd, o->input);
			*usage = true;
			return NULL;
		}
		*scp = load_scenario(cmd, o->input);
		if (!*scp)
			return NULL;
		m = tui_model_open_scenario(*scp, o->input, o->has_seed, o->seed, err, sizeof err);
	}
	if (!m) {
		fprintf(stderr, "rtclab %s: %s\n", cmd, err);
		*usage = strncmp(err, "--filter", 8) == 0; /* as rtclab dump: a filter that does not compile */
		return NULL;
	}
	for (int pass = 0; pass < 2; pass++) /* offers first, as rtclab replay */
		for (size_t i = 0; i < o->n_sdp; i++)
			if (sdp_file_offers(o->sdp[i]) == (pass == 0) && !tui_model_add_sdp(m, o->sdp[i], err, sizeof err)) {
				fprintf(stderr, "rtclab %s: --sdp %s\n", cmd, err);
				tui_model_free(m);
				return NULL;
			}
	for (size_t i = 0; i < o->n_internals; i++)
		if (!tui_model_add_webrtc_internals(m, o->internals[i], err, sizeof err)) {
			fprintf(stderr, "rtclab %s: --webrtc-internals %s\n", cmd, err);
			tui_model_free(m);
			return NULL;
		}
	return m;
}

/* --- the walkthrough as text ------------------------------------------------------------ */

static void print_walk(const struct tui_model *m, const struct tui_cmd *o, const struct rtclab_scenario *scn)
{
	struct style st;
	style_init(&st, stdout, o->t.color == TUI_COLOR_ALWAYS ? "always" : "never");
	st.width = tl_term_width(stdout);
	struct tl_text_opts t = {.st = &st, .utf8 = !o->t.ascii && tl_locale_utf8(), .width = st.width};
	const struct rtclab_timeline *tl = m->tl;
	if (scn) {
		printf("%sThe walkthrough: %s%s  (%s)\n", st_bold(&st), scn->name ? scn->name : "", st_off(&st), m->input);
		if (scn->description) { /* YAML's lines joined: print_wrapped breaks them again */
			char *d = strdup(scn->description);
			for (char *p = d; p && *p; p++)
				if (*p == '\n')
					*p = ' ';
			if (d)
				print_wrapped(stdout, &st, 2, d);
			free(d);
		}
		printf("\nOn a terminal, rtclab walk shows this one message at a time.\n\n");
	}
	if (tl->n_sessions == 0)
		printf("No WebRTC session in %s.\n", m->input);
	for (size_t k = 0; k < tl->n_sessions; k++) {
		const struct rtclab_tl_session *s = tl->sessions[k];
		if (k)
			fputc('\n', stdout);
		tl_print_header(stdout, &t, s);
		enum rtclab_step band = RTCLAB_STEP_NONE;
		for (size_t i = 0; i < s->n_steps; i++) {
			const struct rtclab_tl_step *sp = &s->steps[i];
			if (sp->step != band) {
				band = sp->step;
				printf("\n%s%s%s\n", st_bold(&st), rtclab_step_title(band), st_off(&st));
				print_wrapped(stdout, &st, 2, rtclab_step_explain(band));
			}
			const char *from = sp->from >= 0 ? s->nodes[sp->from].name : "";
			const char *to = sp->to >= 0 ? s->nodes[sp->to].name : "";
			printf("  %+8.3fs  %s%s%s%s  %s\n", (double)(sp->time_ns - s->first_ns) / 1e9, from,
			       *to && sp->to != sp->from ? " -> " : "", sp->to != sp->from ? to : "", *from ? ":" : "",
			       sp->what);
			if (sp->why[0]) {
				fputs(st_dim(&st), stdout);
				print_wrapped(stdout, &st, 14, sp->why);
				fputs(st_off(&st), stdout);
			}
		}
		fputc('\n', stdout);
		tl_print_footer(stdout, &t, s);
	}
}

/* --- the commands ------------------------------------------------------------------------ */

static int run(const char *cmd, int argc, char **argv)
{
	struct tui_cmd o;
	memset(&o, 0, sizeof o);
	o.t.cmd = strcmp(cmd, "walk") == 0 ? "rtclab walk" : "rtclab tui";
	o.t.walk = strcmp(cmd, "walk") == 0;
	if (parse_opts(&o, cmd, argc, argv) != 0) {
		fprintf(stderr, "Try 'rtclab %s --help'.\n", cmd);
		return EXIT_USAGE;
	}
	char path[PATH_MAX + 64];
	if (o.t.walk && !o.input && !(o.input = default_scenario(path, sizeof path))) {
		fprintf(stderr, "rtclab walk: the bundled scenario %s was not found (in $RTCLAB_DATADIR/scenarios, next "
				"to the command, or in %s/scenarios); name a SCENARIO\n",
			WALK_SCENARIO, RTCLAB_DATADIR);
		return EXIT_PROBLEMS;
	}
	bool tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	if (!tty && !o.t.walk) {
		fprintf(stderr, "rtclab tui: needs a terminal; for text use rtclab replay FILE (a capture) or rtclab "
				"sim SCENARIO\n");
		return EXIT_USAGE;
	}
	struct rtclab_scenario *sc;
	bool usage = false;
	struct tui_model *m = open_model(&o, cmd, &sc, &usage);
	if (!m) {
		rtclab_scenario_free(sc);
		return usage ? EXIT_USAGE : EXIT_PROBLEMS;
	}
	int status;
	if (tty) {
		status = tui_run(m, &o.t);
		if (m->error[0])
			fprintf(stderr, "rtclab %s: %s\n", cmd, m->error);
	} else {
		while (tui_model_step(m, 1000))
			;
		print_walk(m, &o, sc);
		status = m->error[0] ? EXIT_PROBLEMS : EXIT_CLEAN;
		if (m->error[0])
			fprintf(stderr, "rtclab %s: %s\n", cmd, m->error);
	}
	tui_model_free(m);
	rtclab_scenario_free(sc);
	return status;
}

int cmd_tui(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	return run("tui", argc, argv);
}

int cmd_walk(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	return run("walk", argc, argv);
}
