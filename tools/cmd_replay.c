/* rtclab replay: the handshake of a capture as a story.  The frames go
 * through the event stream (events.h) into the timeline model
 * (timeline.h), which the shared renderers (timeline_text.c) draw: a ladder
 * diagram, --summary tables, --json, --mermaid, --svg. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "rtclab/capture.h"
#include "rtclab/events.h"
#include "rtclab/timeline.h"
#include "timeline_text.h"
#include "tool.h"

void usage_replay(FILE *out)
{
	fputs("usage: rtclab replay [options] FILE|-\n"
	      "\n"
	      "Tell the story of the WebRTC connections in a capture (pcap or pcapng; - reads\n"
	      "standard input): the offer and answer, the candidates, the STUN and TURN\n"
	      "exchanges, the connectivity checks, the nomination, DTLS and media, each step\n"
	      "placed in the six steps of the handshake with why it happens, as a ladder\n"
	      "diagram between the peers and servers; then the selected pair, the outcome\n"
	      "and what the capture is missing.\n"
	      "\n"
	      "      --sdp FILE       a description the capture lacks (offer or answer; repeat)\n"
	      "      --webrtc-internals FILE\n"
	      "                       the descriptions of a chrome://webrtc-internals dump\n"
	      "      --summary        tables of the candidates and pairs instead of the ladder\n"
	      "      --json           the model as JSON (docs/json.md), indented\n"
	      "      --compact        with --json: on one line\n"
	      "      --mermaid        a Mermaid sequenceDiagram per session\n"
	      "      --svg FILE       also draw the ladder as an SVG picture in FILE\n"
	      "      --step           wait for Enter between steps (keys from the terminal)\n"
	      "      --speed X        pace the steps in capture time, X times faster (X > 0)\n"
	      "  -q, --brief          leave out the why of each step\n"
	      "      --color WHEN     auto (default), always or never\n"
	      "  -h, --help           this help\n"
	      "\n"
	      "Exit status: 0 the capture was read to its end, 1 it (or a --sdp,\n"
	      "--webrtc-internals or --svg file) could not be read or written, 2 usage error.\n",
	      out);
}

#define MAX_SDP 16

struct replay_opts {
	const char *file;
	const char *sdp[MAX_SDP];
	size_t n_sdp;
	const char *internals[MAX_SDP];
	size_t n_internals;
	struct tl_view_opts v;  /* how the timeline is shown */
};

/* --- options ---------------------------------------------------------------------- */

static int check_opts(const struct replay_opts *o)
{
	if (!tl_view_check(&o->v))
		return -1;
	for (size_t i = 0; i < o->n_sdp; i++)
		if (strcmp(o->sdp[i], "-") == 0 && strcmp(o->file, "-") == 0) {
			fputs("rtclab replay: the capture and a --sdp file cannot both be standard input\n", stderr);
			return -1;
		}
	return 0;
}

static int parse_opts(struct replay_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"sdp", required_argument, NULL, 'S'}, {"webrtc-internals", required_argument, NULL, 'W'},
		{"help", no_argument, NULL, 'h'},      TL_VIEW_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	const char *color = "auto";
	memset(o, 0, sizeof *o);
	o->v.cmd = "rtclab replay";
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'S':
			if (o->n_sdp == MAX_SDP) {
				fprintf(stderr, "rtclab replay: at most %d --sdp files\n", MAX_SDP);
				return -1;
			}
			o->sdp[o->n_sdp++] = optarg;
			break;
		case 'W':
			if (o->n_internals == MAX_SDP) {
				fprintf(stderr, "rtclab replay: at most %d --webrtc-internals files\n", MAX_SDP);
				return -1;
			}
			o->internals[o->n_internals++] = optarg;
			break;

		case 'h': usage_replay(stdout); exit(EXIT_CLEAN);
		default:
			if (tl_view_option(&o->v, c, optarg, &color) != 1)
				return -1;
			break;
		}
	}
	if (!style_init(&o->v.st, stdout, color)) {
		fprintf(stderr, "rtclab replay: --color takes auto, always or never, not '%s'\n", color);
		return -1;
	}
	if (optind >= argc) {
		fputs("rtclab replay: give a capture FILE, or - for standard input\n", stderr);
		return -1;
	}
	o->file = o->v.input = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "rtclab replay: one capture at a time ('%s' is one too many)\n", argv[optind]);
		return -1;
	}
	return check_opts(o);
}

/* --- descriptions from elsewhere --------------------------------------------------- */

static bool add_sdp_file(struct rtclab_timeline *tl, const char *path)
{
	char err[512];
	size_t len;
	uint8_t *text = read_input(path, &len, err, sizeof err);
	if (!text) {
		fprintf(stderr, "rtclab replay: --sdp %s\n", err);
		return false;
	}
	bool ok = rtclab_timeline_add_sdp(tl, (const char *)text, len, RTCLAB_SIGNAL_OTHER, RTCLAB_TL_DESC_FILE, path,
					  err, sizeof err);
	if (!ok)
		fprintf(stderr, "rtclab replay: --sdp %s: %s\n", path, err);
	free(text);
	return ok;
}

static bool add_internals_file(struct rtclab_timeline *tl, const char *path)
{
	json_error_t jerr;
	char err[512];
	bool gz;
	json_t *dump = load_json_file(path, &jerr, &gz);
	if (!dump) {
		/* jansson's line and column are 1-based; -1 when it did not get that far */
		if (jerr.line > 0)
			fprintf(stderr, "rtclab replay: --webrtc-internals %s%s:%d:%d: %s\n", path,
				gz ? " (once decompressed)" : "", jerr.line, jerr.column, jerr.text);
		else
			fprintf(stderr, "rtclab replay: --webrtc-internals %s: %s\n", path, jerr.text);
		return false;
	}
	int n = rtclab_timeline_add_webrtc_internals(tl, dump, path, err, sizeof err);
	json_decref(dump);
	if (n < 0) {
		fprintf(stderr, "rtclab replay: --webrtc-internals %s: %s\n", path, err);
		return false;
	}
	if (n == 0)
		fprintf(stderr, "rtclab replay: warning: --webrtc-internals %s: no offer or answer in it\n", path);
	return true;
}

/* --- the capture --------------------------------------------------------------------- */

/* Every frame through the event stream into the model.  EXIT_PROBLEMS when
 * the capture cannot be opened or read to its end (what was read is kept). */
static int read_capture(struct rtclab_timeline *tl, const char *file, bool *opened)
{
	char err[RTCLAB_CAPTURE_ERRLEN];
	struct rtclab_capture *cap = rtclab_capture_open_file(file, err, sizeof err);
	*opened = cap != NULL;
	if (!cap) {
		fprintf(stderr, "rtclab replay: %s\n", err);
		return EXIT_PROBLEMS;
	}
	struct rtclab_events *ev = rtclab_events_new(rtclab_timeline_event, tl, NULL);
	if (!ev) {
		fputs("rtclab replay: out of memory\n", stderr);
		rtclab_capture_close(cap);
		return EXIT_PROBLEMS;
	}
	static struct rtclab_packet pkt;
	enum rtclab_capture_status s;
	while ((s = rtclab_capture_next(cap, &pkt, err, sizeof err)) == RTCLAB_CAPTURE_PACKET)
		if (!pkt.fragment) { /* held back until its datagram is whole */
			rtclab_events_feed(ev, &pkt);
			rtclab_timeline_advance(tl, pkt.ts_ns);
		}
	rtclab_events_finish(ev);
	rtclab_events_free(ev);
	rtclab_capture_close(cap);
	if (s == RTCLAB_CAPTURE_ERROR) {
		fprintf(stderr, "rtclab replay: %s\n", err);
		return EXIT_PROBLEMS;
	}
	return EXIT_CLEAN;
}

static int run(const struct replay_opts *o, struct rtclab_timeline *tl)
{
	/* offers first (a=setup:actpass), so that the order of --sdp does not matter */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < o->n_sdp; i++)
			if (sdp_file_offers(o->sdp[i]) == (pass == 0) && !add_sdp_file(tl, o->sdp[i]))
				return EXIT_PROBLEMS;
	for (size_t i = 0; i < o->n_internals; i++)
		if (!add_internals_file(tl, o->internals[i]))
			return EXIT_PROBLEMS;
	bool opened;
	int status = read_capture(tl, o->file, &opened);
	if (!opened)
		return status; /* nothing to show */
	rtclab_timeline_finish(tl);
	/* As `rtclab dump -w`: no picture of a capture that could not be read to its end. */
	int out = tl_view_show(&o->v, tl, status == EXIT_CLEAN);
	return out != EXIT_CLEAN ? out : status;
}

int cmd_replay(int argc, char **argv)
{
	struct replay_opts o;
	if (parse_opts(&o, argc, argv) != 0) {
		fputs("Try 'rtclab replay --help'.\n", stderr);
		return EXIT_USAGE;
	}
	struct rtclab_timeline *tl = rtclab_timeline_new(NULL);
	if (!tl) {
		fputs("rtclab replay: out of memory\n", stderr);
		return EXIT_PROBLEMS;
	}
	int status = run(&o, tl);
	rtclab_timeline_free(tl);
	if (fflush(stdout) != 0) {
		perror("rtclab replay: standard output");
		status = EXIT_PROBLEMS;
	}
	return status;
}
