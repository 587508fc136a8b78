/* rtclab sim: a scenario run (lib/sim.c), shown as `rtclab replay` shows a
 * capture.  The frames of every wire are decoded into the event stream and
 * the timeline, exactly as a replay of the written capture would, and with
 * -w they go to a pcapng file (one interface per wire) or, with --at, one
 * wire as classic pcap.  --check runs the scenarios' expectations. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "rtclab/events.h"
#include "rtclab/packet.h"
#include "rtclab/pcapng_writer.h"
#include "rtclab/scenario.h"
#include "rtclab/sim.h"
#include "rtclab/timeline.h"
#include "timeline_text.h"
#include "tool.h"

void usage_sim(FILE *out)
{
	fputs("usage: rtclab sim [options] SCENARIO\n"
	      "       rtclab sim --check DIR|SCENARIO...\n"
	      "\n"
	      "Run a scenario (docs/scenarios.md): peers behind NATs and firewalls, STUN, TURN\n"
	      "and signaling servers, a real ICE agent in each peer.  What crossed the wires\n"
	      "is shown as `rtclab replay` shows a capture: a ladder diagram of the\n"
	      "handshake, each step explained, then the selected pair and the outcome.\n"
	      "\n"
	      "      --seed N         another seed than the scenario's (the same seed gives the\n"
	      "                       same run, byte for byte)\n"
	      "  -w FILE              write what crossed the wires: pcapng, one interface per\n"
	      "                       wire (inside each LAN, the public side, ...)\n"
	      "      --at WIRE        with -w: only that wire, as classic pcap\n"
	      "      --check          run the expectations of each SCENARIO (or of every\n"
	      "                       *.yaml in DIR); exit 1 naming each mismatch\n"
	      "      --summary, --json, --compact, --mermaid, --svg FILE, --step, --speed X,\n"
	      "  -q, --brief, --color WHEN\n"
	      "                       as in rtclab replay\n"
	      "  -h, --help           this help\n"
	      "\n"
	      "Exit status: 0 run (and every expectation met), 1 a scenario with problems or\n"
	      "an expectation not met, or a file that could not be written, 2 usage error.\n",
	      out);
}

struct sim_opts {
	const char *file, *write, *at;
	bool check, has_seed;
	uint64_t seed;
	struct tl_view_opts v;
};

/* --- options ------------------------------------------------------------------------ */

static int parse_opts(struct sim_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"seed", required_argument, NULL, 'S'}, {"at", required_argument, NULL, 'a'},
		{"check", no_argument, NULL, 'k'},      {"help", no_argument, NULL, 'h'},
		TL_VIEW_LONGOPTS,                       {NULL, 0, NULL, 0},
	};
	const char *color = "auto";
	memset(o, 0, sizeof *o);
	o->v.cmd = "rtclab sim";
	optind = 1;
	int c;
	char *end;
	while ((c = getopt_long(argc, argv, "w:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'S':
			errno = 0;
			o->seed = strtoull(optarg, &end, 0);
			if (errno || end == optarg || *end) {
				fprintf(stderr, "rtclab sim: --seed takes a number, not '%s'\n", optarg);
				return -1;
			}
			o->has_seed = true;
			break;
		case 'w': o->write = optarg; break;
		case 'a': o->at = optarg; break;
		case 'k': o->check = true; break;

		case 'h': usage_sim(stdout); exit(EXIT_CLEAN);
		default:
			if (tl_view_option(&o->v, c, optarg, &color) != 1)
				return -1;
			break;
		}
	}
	if (!style_init(&o->v.st, stdout, color)) {
		fprintf(stderr, "rtclab sim: --color takes auto, always or never, not '%s'\n", color);
		return -1;
	}
	if (optind >= argc) {
		fputs("rtclab sim: give a SCENARIO file\n", stderr);
		return -1;
	}
	o->file = o->v.input = argv[optind];
	if (!o->check && optind + 1 < argc) {
		fprintf(stderr, "rtclab sim: one scenario at a time ('%s' is one too many; --check takes several)\n",
			argv[optind + 1]);
		return -1;
	}
	if (o->at && !o->write) {
		fputs("rtclab sim: --at names the wire -w writes\n", stderr);
		return -1;
	}
	return tl_view_check(&o->v) ? 0 : -1;
}

/* --- a scenario file ------------------------------------------------------------------- */

/* Parsed, or NULL with its problems said as FILE:LINE:COLUMN: message. */
static struct rtclab_scenario *load(const char *path)
{
	return scenario_load("rtclab sim", path);
}

/* --- a run: frames to the writer and through the event stream into the timeline ------ */

struct run {
	struct rtclab_timeline *tl;
	struct rtclab_events *events;
	struct rtclab_pcapng_writer *writer;
	uint32_t *iface;          /* per wire: the writer's interface, or UINT32_MAX when not written */
	uint64_t frames;
	bool write_failed;
	char err[RTCLAB_PCAPNG_WRITER_ERRLEN];
};

static void on_nat(void *arg, int64_t time_ns, const char *nat_name, const struct rtclab_nat_decision *d)
{
	struct run *r = arg;
	rtclab_timeline_nat(r->tl, time_ns, nat_name, d);
}

static void on_frame(void *arg, unsigned wire, int64_t time_ns, const uint8_t *frame, size_t len)
{
	struct run *r = arg;
	if (r->writer && r->iface[wire] != UINT32_MAX && !r->write_failed) {
		enum rtclab_pcapng_werr e = rtclab_pcapng_writer_write(r->writer, r->iface[wire], time_ns, frame, len);
		if (e != RTCLAB_PCAPNG_W_OK) {
			r->write_failed = true;
			snprintf(r->err, sizeof r->err, "%s", rtclab_pcapng_werr_str(e));
		}
	}
	struct rtclab_packet pkt;
	memset(&pkt, 0, sizeof pkt);
	pkt.frame = ++r->frames;
	pkt.ts_ns = time_ns;
	rtclab_packet_decode(&pkt, RTCLAB_LINK_ETHERNET, frame, len, (uint32_t)len, NULL);
	pkt.interface = wire; /* the same 4-tuple may be on two LANs */
	rtclab_events_feed(r->events, &pkt);
	rtclab_timeline_advance(r->tl, time_ns);
}

static bool open_writer(const struct sim_opts *o, struct rtclab_sim *sim, struct run *r)
{
	size_t n = rtclab_sim_wire_count(sim);
	r->iface = malloc(n * sizeof *r->iface);
	if (!r->iface)
		return false;
	for (size_t i = 0; i < n; i++)
		r->iface[i] = UINT32_MAX;
	if (!o->write)
		return true;
	enum rtclab_pcapng_werr e;
	r->writer = o->at ? rtclab_pcapng_writer_open_pcap(o->write, o->at, &e, r->err, sizeof r->err)
			  : rtclab_pcapng_writer_open(o->write, &e, r->err, sizeof r->err);
	if (!r->writer) {
		fprintf(stderr, "rtclab sim: -w %s\n", r->err);
		return false;
	}
	bool found = !o->at;
	for (size_t i = 0; i < n; i++) {
		const char *name = rtclab_sim_wire_name(sim, (unsigned)i);
		if (o->at && strcmp(o->at, name) != 0)
			continue;
		found = true;
		if (rtclab_pcapng_writer_add_interface(r->writer, name, rtclab_sim_wire_description(sim, (unsigned)i),
						       RTCLAB_LINK_ETHERNET, &r->iface[i]) != RTCLAB_PCAPNG_W_OK)
			return false;
	}
	if (!found) {
		fprintf(stderr, "rtclab sim: --at %s: no such wire; the wires are:", o->at);
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, "%s \"%s\"", i ? "," : "", rtclab_sim_wire_name(sim, (unsigned)i));
		fputc('\n', stderr);
		return false;
	}
	return true;
}

static void close_run(struct run *r, bool keep)
{
	if (r->writer) {
		if (keep && !r->write_failed) {
			enum rtclab_pcapng_werr e = rtclab_pcapng_writer_close(r->writer, r->err, sizeof r->err);
			r->write_failed = e != RTCLAB_PCAPNG_W_OK;
		} else {
			rtclab_pcapng_writer_discard(r->writer);
		}
		r->writer = NULL;
	}
	rtclab_events_free(r->events);
	free(r->iface);
}

/* Run the scenario into tl; the sim is returned for its results. */
static struct rtclab_sim *simulate(const struct sim_opts *o, const struct rtclab_scenario *sc,
				   struct rtclab_timeline *tl, struct run *r, bool writing)
{
	memset(r, 0, sizeof *r);
	r->tl = tl;
	r->events = rtclab_events_new(rtclab_timeline_event, tl, NULL);
	struct rtclab_sim_hooks hooks = {on_frame, on_nat, r};
	struct rtclab_sim_options so = {o->has_seed, o->seed, 0, false};
	enum rtclab_sim_error e;
	char err[512];
	struct rtclab_sim *sim = r->events ? rtclab_sim_new(sc, &so, &hooks, &e, err, sizeof err) : NULL;
	if (!sim) {
		fprintf(stderr, "rtclab sim: %s: %s\n", o->file, r->events ? err : "out of memory");
		close_run(r, false);
		return NULL;
	}
	if (writing && !open_writer(o, sim, r)) {
		close_run(r, false);
		rtclab_sim_free(sim);
		return NULL;
	}
	if (!writing && !open_writer(&(struct sim_opts){0}, sim, r)) {
		close_run(r, false);
		rtclab_sim_free(sim);
		return NULL;
	}
	rtclab_sim_run(sim);
	rtclab_events_finish(r->events);
	rtclab_timeline_finish(tl);
	return sim;
}

static void print_results(const struct rtclab_scenario *sc, const struct rtclab_sim *sim, const struct style *st)
{
	uint64_t events, packets;
	rtclab_sim_counts(sim, &events, &packets);
	printf("\n%sSimulation%s  %s: %" PRIu64 " events, %" PRIu64 " packets\n", st_bold(st), st_off(st), sc->name,
	       events, packets);
	for (size_t i = 0; i < rtclab_sim_result_count(sim); i++) {
		const struct rtclab_sim_result *r = rtclab_sim_result(sim, i);
		printf("  %s -> %s: %s%s%s\n", sc->peers[r->offerer].name, sc->peers[r->answerer].name,
		       r->connected ? st_good(st) : st_bad(st), r->reason, st_off(st));
	}
}

static int run_one(const struct sim_opts *o)
{
	struct rtclab_scenario *sc = load(o->file);
	if (!sc)
		return EXIT_PROBLEMS;
	struct rtclab_timeline *tl = rtclab_timeline_new(NULL);
	struct run r;
	struct rtclab_sim *sim = tl ? simulate(o, sc, tl, &r, true) : NULL;
	int status = EXIT_PROBLEMS;
	if (sim) {
		close_run(&r, true);
		if (r.write_failed) {
			fprintf(stderr, "rtclab sim: -w %s: %s\n", o->write, r.err);
		} else {
			for (size_t i = 0; i < rtclab_sim_limit_count(sim); i++)
				fprintf(stderr, "rtclab sim: warning: %s:%s\n", o->file, rtclab_sim_limit(sim, i));
			status = tl_view_show(&o->v, tl, true);
			if (!o->v.json && !o->v.mermaid)
				print_results(sc, sim, &o->v.st);
		}
		rtclab_sim_free(sim);
	}
	rtclab_timeline_free(tl);
	rtclab_scenario_free(sc);
	return status;
}

/* --- --check ------------------------------------------------------------------------- */

static int mismatch(const char *file, const struct rtclab_scn_expect *x, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int mismatch(const char *file, const struct rtclab_scn_expect *x, const char *fmt, ...)
{
	va_list ap;
	fprintf(stdout, "%s:%u:%u: expectation not met: ", file, x->line, x->column);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	return 1;
}

static const struct rtclab_sim_result *result_of(const struct rtclab_sim *sim, size_t peer)
{
	for (size_t i = 0; i < rtclab_sim_result_count(sim); i++)
		if (rtclab_sim_result(sim, i)->offerer == peer)
			return rtclab_sim_result(sim, i);
	return NULL;
}

static const char *mapping_name(int m)
{
	return m == RTCLAB_SCN_NO_NAT ? "no-nat" : m < 0 ? "none (a test went unanswered)"
						       : rtclab_scn_mapping_name((enum rtclab_scn_mapping)m);
}

static const char *filtering_name(int f)
{
	return f < 0 ? "none (a test went unanswered)" : rtclab_scn_filtering_name((enum rtclab_scn_filtering)f);
}

/* RFC 5780 verdicts against an expectation's mapping and filtering. */
static int check_discovery(const char *file, const struct rtclab_scenario *sc, const struct rtclab_sim *sim,
			   const struct rtclab_scn_expect *x)
{
	int bad = 0;
	for (size_t k = 0; k < x->n_peers; k++) {
		size_t peer = x->first_peer + k;
		int m, f;
		if (!rtclab_sim_discovery(sim, peer, &m, &f)) {
			bad += mismatch(file, x, "%s runs no RFC 5780 discovery (give it discover: SERVER)",
					sc->peers[peer].name);
			continue;
		}
		if (x->mapping != -1 && m != x->mapping)
			bad += mismatch(file, x, "%s: discovery says mapping %s, expected %s", sc->peers[peer].name,
					mapping_name(m), mapping_name(x->mapping));
		if (x->filtering != -1 && f != x->filtering)
			bad += mismatch(file, x, "%s: discovery says filtering %s, expected %s", sc->peers[peer].name,
					filtering_name(f), filtering_name(x->filtering));
	}
	return bad;
}

/* One expectation against the results: the number of mismatches said. */
static int check_expect(const char *file, const struct rtclab_scenario *sc, const struct rtclab_sim *sim,
			const struct rtclab_scn_expect *x)
{
	int bad = 0;
	if (x->mapping != -1 || x->filtering != -1)
		return check_discovery(file, sc, sim, x);
	for (size_t k = 0; k < x->n_peers; k++) {
		size_t peer = x->first_peer + k;
		const struct rtclab_sim_result *r = result_of(sim, peer);
		const char *name = sc->peers[peer].name;
		if (!r)
			continue; /* an answerer: its session is its offerer's */
		if (x->connected != RTCLAB_SCN_UNSET && r->connected != (x->connected == RTCLAB_SCN_YES))
			bad += mismatch(file, x, "%s: expected %s, got: %s", name,
					x->connected == RTCLAB_SCN_YES ? "connected" : "not connected", r->reason);
		if (!r->connected)
			continue;
		if (x->within > 0 && r->connected_at > x->within)
			bad += mismatch(file, x, "%s: connected after %.0f ms, expected within %.0f ms", name,
					(double)r->connected_at / 1e6, (double)x->within / 1e6);
		if (x->local_type >= 0 && (int)r->local_type != x->local_type)
			bad += mismatch(file, x, "%s: local candidate %s, expected %s", name,
					rtclab_cand_type_name(r->local_type),
					rtclab_cand_type_name((enum rtclab_cand_type)x->local_type));
		if (x->remote_type >= 0 && (int)r->remote_type != x->remote_type)
			bad += mismatch(file, x, "%s: remote candidate %s, expected %s", name,
					rtclab_cand_type_name(r->remote_type),
					rtclab_cand_type_name((enum rtclab_cand_type)x->remote_type));
		if (x->relayed != RTCLAB_SCN_UNSET && r->relayed != (x->relayed == RTCLAB_SCN_YES))
			bad += mismatch(file, x, "%s: %s relayed", name, r->relayed ? "unexpectedly" : "not");
		if (x->family != RTCLAB_FAMILY_NONE && r->local.family != x->family)
			bad += mismatch(file, x, "%s: the selected pair is not of the expected address family", name);
		if (x->consent_lost != RTCLAB_SCN_UNSET && r->consent_lost != (x->consent_lost == RTCLAB_SCN_YES))
			bad += mismatch(file, x, "%s: consent %s", name, r->consent_lost ? "lost" : "kept");
		if (x->controlling != RTCLAB_SCN_NONE && r->controlling != x->controlling)
			bad += mismatch(file, x, "%s: %s ended up controlling, expected %s", name,
					sc->peers[r->controlling].name, sc->peers[x->controlling].name);
	}
	for (size_t k = 0; k < x->n_peers && x->reason; k++) {
		const struct rtclab_sim_result *r = result_of(sim, x->first_peer + k);
		if (r && !strstr(r->reason, x->reason))
			bad += mismatch(file, x, "the outcome \"%s\" does not say \"%s\"", r->reason, x->reason);
	}
	return bad;
}

static int check_file(const struct sim_opts *o, const char *path)
{
	struct rtclab_scenario *sc = load(path);
	if (!sc)
		return 1;
	struct rtclab_timeline *tl = rtclab_timeline_new(NULL);
	struct run r;
	struct sim_opts one = *o;
	one.file = path;
	struct rtclab_sim *sim = tl ? simulate(&one, sc, tl, &r, false) : NULL;
	int bad = 0;
	if (!sim) {
		bad = 1;
	} else {
		close_run(&r, false);
		for (size_t i = 0; i < rtclab_sim_limit_count(sim); i++, bad++)
			printf("%s:%s (so its expectations cannot be checked)\n", path, rtclab_sim_limit(sim, i));
		for (size_t i = 0; i < sc->n_expects; i++)
			bad += check_expect(path, sc, sim, &sc->expects[i]);
		printf("%s %s (%zu expectation%s)\n", bad ? "FAIL" : "ok  ", path, sc->n_expects,
		       sc->n_expects == 1 ? "" : "s");
		rtclab_sim_free(sim);
	}
	rtclab_timeline_free(tl);
	rtclab_scenario_free(sc);
	return bad;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.yaml of a directory, in name order. */
static int check_dir(const struct sim_opts *o, const char *dir, int *files)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "rtclab sim: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".yaml") != 0)
			continue;
		char **v = realloc(names, (n + 1) * sizeof *v);
		if (!v)
			break;
		names = v;
		size_t plen = strlen(dir) + len + 2;
		if ((names[n] = malloc(plen)))
			snprintf(names[n++], plen, "%s/%s", dir, e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, by_name);
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		bad += check_file(o, names[i]) != 0;
		free(names[i]);
	}
	free(names);
	*files += (int)n;
	return bad;
}

static int run_check(const struct sim_opts *o, int argc, char **argv)
{
	int bad = 0, files = 0;
	for (int i = optind; i < argc; i++) {
		struct stat sb;
		if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
			bad += check_dir(o, argv[i], &files);
		} else {
			bad += check_file(o, argv[i]) != 0;
			files++;
		}
	}
	printf("%d scenario%s, %d with a mismatch\n", files, files == 1 ? "" : "s", bad);
	return bad ? EXIT_PROBLEMS : EXIT_CLEAN;
}

int cmd_sim(int argc, char **argv)
{
	struct sim_opts o;
	if (parse_opts(&o, argc, argv) != 0) {
		fputs("Try 'rtclab sim --help'.\n", stderr);
		return EXIT_USAGE;
	}
	int status = o.check ? run_check(&o, argc, argv) : run_one(&o);
	if (fflush(stdout) != 0) {
		perror("rtclab sim: standard output");
		status = EXIT_PROBLEMS;
	}
	return status;
}
