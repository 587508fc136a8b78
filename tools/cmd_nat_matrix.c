/* rtclab nat-matrix: which NAT behaviours can meet.  For every ordered pair
 * of NAT configurations (the offerer's, then the answerer's), with and
 * without a TURN server, a scenario is written, run by the simulator until
 * the session is decided, and its outcome put in a table: the candidate
 * types of the pair that wins, from the offerer's side, or "fails". */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "rtclab/nat.h"
#include "rtclab/scenario.h"
#include "rtclab/sim.h"
#include "tool.h"

void usage_nat_matrix(FILE *out)
{
	fputs("usage: rtclab nat-matrix [--configs LIST] [--json] [--seed N]\n"
	      "\n"
	      "Run a simulated session for every pair of NAT configurations, the offerer's\n"
	      "(rows) against the answerer's (columns), first with a STUN server only, then\n"
	      "with a TURN server too, and print who connects and over which candidate types\n"
	      "(the offerer's side first: h host, s srflx, p prflx, r relay) or \"fails\".\n"
	      "\n"
	      "      --configs LIST   comma-separated configurations: a preset (open, full-cone,\n"
	      "                       restricted-cone, port-restricted-cone, symmetric, linux),\n"
	      "                       a mapping-filtering combination (eim-eif ... apdm-apdf), or\n"
	      "                       a chain from the peer outwards (symmetric/full-cone); the\n"
	      "                       default is open and the nine RFC 4787 combinations\n"
	      "      --json           {\"cells\":[{\"a\",\"b\",\"turn\",\"connected\",\"local_type\",\n"
	      "                       \"remote_type\",\"time_ms\",\"reason\"}, ...]}\n"
	      "      --seed N         the simulation's seed (default 1)\n"
	      "      --color WHEN     auto (default), always or never\n"
	      "  -h, --help           this help\n"
	      "\n"
	      "Exit status: 0 done, 1 a configuration could not be simulated, 2 usage error.\n",
	      out);
}

#define MAX_CONFIGS 32

struct cell {
	bool ok;                /* it ran */
	bool connected;
	enum rtclab_cand_type local, remote;
	bool has_pair;
	double ms;
	char reason[240];
};

/* The scenario of one cell, as a student would write it (docs/scenarios.md). */
static char *cell_yaml(const char *a, const char *b, bool turn)
{
	size_t cap = 2048;
	char *y = malloc(cap);
	if (!y)
		return NULL;
	snprintf(y, cap,
		 "name: \"%s against %s%s\"\n"
		 "description: one cell of rtclab nat-matrix\n"
		 "duration: 60s\n"
		 "servers:\n"
		 "  - {name: stun, type: stun, address: 198.51.100.1}\n"
		 "%s"
		 "peers:\n"
		 "  - {name: A, address: 192.168.1.10, nat: \"%s\", stun: stun%s}\n"
		 "  - {name: B, address: 192.168.2.20, nat: \"%s\", stun: stun%s}\n"
		 /* a scenario must expect something; nat-matrix does not check it */
		 "expect:\n"
		 "  consent_lost: false\n"
		 "  why: a session that connects keeps its consent while nothing in the network changes\n",
		 a, b, turn ? ", with TURN" : "",
		 turn ? "  - {name: turn, type: turn, address: 198.51.100.10, users: {student: rtclab}}\n" : "", a,
		 turn ? ", turn: turn" : "", b, turn ? ", turn: turn" : "");
	return y;
}

/* Run one cell.  false (with the scenario's problem said) when the
 * configuration names are not valid. */
static bool run_cell(const char *a, const char *b, bool turn, uint64_t seed, struct cell *c, uint64_t *events)
{
	memset(c, 0, sizeof *c);
	char *y = cell_yaml(a, b, turn);
	struct rtclab_scenario *sc = y ? rtclab_scenario_parse(y, strlen(y)) : NULL;
	free(y);
	if (!sc || sc->n_problems) {
		if (sc && sc->n_problems) {
			char msg[400];
			rtclab_scn_problem_format(&sc->problems[0], msg, sizeof msg);
			fprintf(stderr, "rtclab nat-matrix: %s against %s: %s\n", a, b, msg);
		}
		rtclab_scenario_free(sc);
		return false;
	}
	struct rtclab_sim_options so = {true, seed, 0, true};
	enum rtclab_sim_error e;
	char err[256];
	struct rtclab_sim *sim = rtclab_sim_new(sc, &so, NULL, &e, err, sizeof err);
	if (!sim) {
		fprintf(stderr, "rtclab nat-matrix: %s against %s: %s\n", a, b, err);
		rtclab_scenario_free(sc);
		return false;
	}
	rtclab_sim_run(sim);
	const struct rtclab_sim_result *r = rtclab_sim_result(sim, 0);
	c->ok = true;
	c->connected = r->connected;
	c->has_pair = r->has_pair;
	c->local = r->local_type;
	c->remote = r->remote_type;
	c->ms = (double)r->connected_at / 1e6;
	snprintf(c->reason, sizeof c->reason, "%s", r->reason);
	uint64_t ev, packets;
	rtclab_sim_counts(sim, &ev, &packets);
	*events += ev;
	rtclab_sim_free(sim);
	rtclab_scenario_free(sc);
	return true;
}

static char type_letter(enum rtclab_cand_type t)
{
	return "hspr"[t <= RTCLAB_CAND_RELAY ? t : 0];
}

static void print_table(const char *const *cfg, size_t n, const struct cell *cells, bool turn, const struct style *st)
{
	printf("%s%s%s\n", st_bold(st), turn ? "With a TURN server (and STUN)" : "With a STUN server only", st_off(st));
	int w = 6;
	for (size_t i = 0; i < n; i++)
		if ((int)strlen(cfg[i]) > w)
			w = (int)strlen(cfg[i]);
	printf("%-*s", w + 2, "A \\ B");
	for (size_t j = 0; j < n; j++)
		printf(" %-*s", w, cfg[j]);
	putchar('\n');
	for (size_t i = 0; i < n; i++) {
		printf("%-*s", w + 2, cfg[i]);
		for (size_t j = 0; j < n; j++) {
			const struct cell *c = &cells[(i * n + j) * 2 + turn];
			char t[16];
			if (c->connected && c->has_pair)
				snprintf(t, sizeof t, "%c-%c", type_letter(c->local), type_letter(c->remote));
			else
				snprintf(t, sizeof t, "%s", c->connected ? "ok" : "fails");
			printf(" %s%-*s%s", c->connected ? st_good(st) : st_bad(st), w, t, st_off(st));
		}
		putchar('\n');
	}
	putchar('\n');
}

static json_t *cell_json(const char *a, const char *b, bool turn, const struct cell *c)
{
	json_t *j = json_object();
	json_object_set_new(j, "a", json_string(a));
	json_object_set_new(j, "b", json_string(b));
	json_object_set_new(j, "turn", json_boolean(turn));
	json_object_set_new(j, "connected", json_boolean(c->connected));
	bool pair = c->connected && c->has_pair;
	json_object_set_new(j, "local_type", pair ? json_string(rtclab_cand_type_name(c->local)) : json_null());
	json_object_set_new(j, "remote_type", pair ? json_string(rtclab_cand_type_name(c->remote)) : json_null());
	json_object_set_new(j, "time_ms", c->connected ? json_real(c->ms) : json_null());
	json_object_set_new(j, "reason", json_string(c->reason));
	return j;
}

static size_t split_configs(char *list, const char **cfg)
{
	size_t n = 0;
	for (char *save = NULL, *t = strtok_r(list, ",", &save); t && n < MAX_CONFIGS; t = strtok_r(NULL, ",", &save))
		if (*t)
			cfg[n++] = t;
	return n;
}

int cmd_nat_matrix(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"configs", required_argument, NULL, 'c'}, {"json", no_argument, NULL, 'j'},
		{"seed", required_argument, NULL, 's'},    {"color", required_argument, NULL, 'C'},
		{"colour", required_argument, NULL, 'C'},  {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *color = "auto";
	char *list = NULL;
	bool json = false;
	uint64_t seed = 1;
	optind = 1;
	int c;
	char *end;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': list = optarg; break;
		case 'j': json = true; break;
		case 's':
			seed = strtoull(optarg, &end, 0);
			if (end == optarg || *end) {
				fprintf(stderr, "rtclab nat-matrix: --seed takes a number, not '%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'C': color = optarg; break;
		case 'h': usage_nat_matrix(stdout); return EXIT_CLEAN;
		default: fputs("Try 'rtclab nat-matrix --help'.\n", stderr); return EXIT_USAGE;
		}
	}
	struct style st;
	if (!style_init(&st, stdout, color) || optind < argc) {
		fprintf(stderr, "rtclab nat-matrix: %s\nTry 'rtclab nat-matrix --help'.\n",
			optind < argc ? "no arguments besides the options" : "--color takes auto, always or never");
		return EXIT_USAGE;
	}
	const char *cfg[MAX_CONFIGS];
	size_t n = 0;
	char buf[1024];
	if (list) {
		snprintf(buf, sizeof buf, "%s", list);
		n = split_configs(buf, cfg);
	} else {
		size_t k;
		const char *const *names = rtclab_nat_matrix_names(&k);
		cfg[n++] = "open";
		for (size_t i = 0; i < k && n < MAX_CONFIGS; i++)
			cfg[n++] = names[i];
	}
	if (!n) {
		fputs("rtclab nat-matrix: --configs names no configuration\n", stderr);
		return EXIT_USAGE;
	}
	struct cell *cells = calloc(n * n * 2, sizeof *cells);
	if (!cells)
		return EXIT_PROBLEMS;
	uint64_t events = 0;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			for (int turn = 0; turn < 2; turn++)
				if (!run_cell(cfg[i], cfg[j], turn, seed, &cells[(i * n + j) * 2 + turn], &events)) {
					free(cells);
					return EXIT_PROBLEMS;
				}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < n; j++)
				for (int turn = 0; turn < 2; turn++)
					json_array_append_new(arr, cell_json(cfg[i], cfg[j], turn,
									     &cells[(i * n + j) * 2 + turn]));
		json_t *o = json_object();
		json_object_set_new(o, "cells", arr);
		char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(o);
		if (text)
			puts(text);
		free(text);
	} else {
		print_table(cfg, n, cells, false, &st);
		print_table(cfg, n, cells, true, &st);
		printf("%s%zu sessions simulated in %.2f s (%.0f scenarios/s, %.0f events/s); rows: the offerer's NAT, "
		       "columns: the answerer's.%s\n",
		       st_dim(&st), n * n * 2, secs, (double)(n * n * 2) / secs, (double)events / secs, st_off(&st));
	}
	free(cells);
	return EXIT_CLEAN;
}
