/* make bench: the simulator.  The full NAT matrix of `rtclab nat-matrix`
 * (open and the nine RFC 4787 mapping x filtering combinations on both
 * sides, with and without TURN: 200 sessions, each run until decided), next
 * to a baseline measured in the same run: the bare event queue of the
 * network core moving as many packets between two hosts.  Target: the
 * whole matrix in under one second on one core. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "rtclab/nat.h"
#include "rtclab/scenario.h"
#include "rtclab/sim.h"
#include "rtclab/simnet.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- the baseline: packets through the bare network core ------------------------------ */

struct pingpong {
	struct rtclab_simnet *net;
	unsigned a, b;
	struct rtclab_addr aa, ba;
	uint64_t left;
};

static void deliver(void *arg, rtclab_time_ns now, enum rtclab_l4 l4, const struct rtclab_addr *local,
		    const struct rtclab_addr *src, const void *data, size_t len)
{
	struct pingpong *p = arg;
	(void)now;
	(void)l4;
	if (!p->left)
		return;
	p->left--;
	unsigned host = rtclab_addr_equal(local, &p->ba) ? p->b : p->a;
	rtclab_simnet_send(p->net, host, RTCLAB_L4_UDP, false, local, src, data, len);
}

static uint64_t baseline(uint64_t packets)
{
	struct pingpong p = {0};
	rtclab_simnet_new(&p.net, 1);
	rtclab_simnet_host_add(p.net, "a", deliver, &p, &p.a);
	rtclab_simnet_host_add(p.net, "b", deliver, &p, &p.b);
	rtclab_addr_ip_parse(&p.aa, "198.51.100.1");
	rtclab_addr_ip_parse(&p.ba, "198.51.100.2");
	rtclab_simnet_host_addr_add(p.net, p.a, RTCLAB_SIMNET_INTERNET, &p.aa);
	rtclab_simnet_host_addr_add(p.net, p.b, RTCLAB_SIMNET_INTERNET, &p.ba);
	p.aa.port = 1000;
	p.ba.port = 2000;
	p.left = packets;
	uint8_t msg[100] = {0};
	rtclab_simnet_send(p.net, p.a, RTCLAB_L4_UDP, false, &p.aa, &p.ba, msg, sizeof msg);
	rtclab_simnet_run_until(p.net, RTCLAB_SEC(1000000));
	struct rtclab_simnet_stats st;
	rtclab_simnet_get_stats(p.net, &st);
	rtclab_simnet_free(p.net);
	return st.events;
}

/* --- the matrix -------------------------------------------------------------------------- */

static uint64_t one_cell(const char *a, const char *b, bool turn)
{
	char y[2048];
	snprintf(y, sizeof y,
		 "name: cell\ndescription: bench\nservers:\n  - {name: stun, type: stun, address: 198.51.100.1}\n"
		 "%speers:\n  - {name: A, address: 192.168.1.10, nat: \"%s\", stun: stun%s}\n"
		 "  - {name: B, address: 192.168.2.20, nat: \"%s\", stun: stun%s}\n"
		 "expect:\n  consent_lost: false\n  why: bench\n",
		 turn ? "  - {name: turn, type: turn, address: 198.51.100.10, users: {u: p}}\n" : "", a,
		 turn ? ", turn: turn" : "", b, turn ? ", turn: turn" : "");
	struct rtclab_scenario *sc = rtclab_scenario_parse(y, strlen(y));
	if (!sc || sc->n_problems) {
		fprintf(stderr, "bench-sim: the cell %s/%s does not parse\n", a, b);
		exit(1);
	}
	struct rtclab_sim_options so = {true, 1, 0, true};
	enum rtclab_sim_error e;
	char err[256];
	struct rtclab_sim *sim = rtclab_sim_new(sc, &so, NULL, &e, err, sizeof err);
	if (!sim) {
		fprintf(stderr, "bench-sim: %s\n", err);
		exit(1);
	}
	rtclab_sim_run(sim);
	uint64_t events, packets;
	rtclab_sim_counts(sim, &events, &packets);
	rtclab_sim_free(sim);
	rtclab_scenario_free(sc);
	return events;
}

/* scenarios/21: 1,000 clients, each behind its own symmetric NAT, meet one
 * peer through a shared TURN server (make bench runs from the source tree). */
static void thousand(void)
{
	const char *path = "scenarios/21-thousand-clients-turn.yaml";
	FILE *f = fopen(path, "rb");
	if (!f) {
		printf("%s: not found (run from the source tree)\n", path);
		return;
	}
	static char text[1 << 16];
	size_t n = fread(text, 1, sizeof text, f);
	fclose(f);
	struct rtclab_scenario *sc = rtclab_scenario_parse(text, n);
	if (!sc || sc->n_problems) {
		printf("%s: does not parse\n", path);
		rtclab_scenario_free(sc);
		return;
	}
	struct rusage before, after;
	getrusage(RUSAGE_SELF, &before);
	double t0 = now_s();
	enum rtclab_sim_error e;
	char err[256];
	struct rtclab_sim *sim = rtclab_sim_new(sc, NULL, NULL, &e, err, sizeof err);
	if (!sim) {
		printf("%s: %s\n", path, err);
		rtclab_scenario_free(sc);
		return;
	}
	rtclab_sim_run(sim);
	double t = now_s() - t0;
	size_t ok = 0;
	for (size_t i = 0; i < rtclab_sim_result_count(sim); i++)
		ok += rtclab_sim_result(sim, i)->connected;
	uint64_t events, packets;
	rtclab_sim_counts(sim, &events, &packets);
	getrusage(RUSAGE_SELF, &after);
	printf("1,000 clients through one TURN server (%s): %zu of %zu sessions connected, %.0f s simulated in "
	       "%.2f s, %llu events, peak RSS %.0f MB\n",
	       path, ok, rtclab_sim_result_count(sim), (double)sc->duration / 1e9, t, (unsigned long long)events,
	       (double)after.ru_maxrss / 1024);
	rtclab_sim_free(sim);
	rtclab_scenario_free(sc);
}

int main(void)
{
	size_t n;
	const char *const *names = rtclab_nat_matrix_names(&n);
	const char *cfg[16];
	size_t k = 0;
	cfg[k++] = "open";
	for (size_t i = 0; i < n && k < 16; i++)
		cfg[k++] = names[i];
	double best = 1e9;
	uint64_t events = 0;
	for (int round = 0; round < 3; round++) {
		uint64_t ev = 0;
		double t0 = now_s();
		for (size_t i = 0; i < k; i++)
			for (size_t j = 0; j < k; j++)
				for (int turn = 0; turn < 2; turn++)
					ev += one_cell(cfg[i], cfg[j], turn);
		double t = now_s() - t0;
		if (t < best) {
			best = t;
			events = ev;
		}
	}
	size_t cells = k * k * 2;
	double t0 = now_s();
	uint64_t base_events = baseline(events);
	double base = now_s() - t0;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	long matrix_rss = ru.ru_maxrss;
	printf("simulator: the NAT matrix (%zu configurations, both sides, with and without TURN)\n", k);
	printf("  %-44s %10s %10s %12s\n", "", "seconds", "sessions/s", "events/s");
	printf("  %-44s %10.3f %10s %12.0f\n", "baseline: bare event queue, the same events", base, "-",
	       (double)base_events / base);
	printf("  %-44s %10.3f %10.0f %12.0f  (best of 3)\n", "nat-matrix: 200 sessions until decided", best,
	       (double)cells / best, (double)events / best);
	printf("  events/s against the bare queue: %.2fx; peak RSS %.1f MB\n", ((double)events / best) /
	       ((double)base_events / base), (double)matrix_rss / 1024);
	printf("Target: the whole matrix in under 1 s: %.2f s  %s\n", best, best < 1.0 ? "met" : "MISSED");
	thousand();
	return 0;
}
