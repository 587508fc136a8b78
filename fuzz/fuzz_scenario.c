/* libFuzzer target: the scenario parser (lib/scenario*.c).  Properties
 * checked beyond "no crash": every problem names a line within the input
 * (or 0) and a known code; a scenario without problems is a complete model:
 * every index (LAN, server, peer, offer, discovery, event, expectation) is
 * in range and of the right kind, chains are within their limit, events are
 * sorted and inside the duration, the signaling server exists, and every
 * time in it formats to text that parses back to the same time. */
#include <stdlib.h>
#include <string.h>

#include "rtclab/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                 \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

static void check_time(rtclab_time_ns t)
{
	char text[64];
	rtclab_time_ns back = -1;
	CHECK(t >= 0 && t <= RTCLAB_SCN_TIME_MAX);
	rtclab_scn_time_format(t, text, sizeof text);
	CHECK(rtclab_scn_time_parse(text, &back) && back == t);
}

static void check_link(const struct rtclab_scn_link *l)
{
	check_time(l->up.latency);
	check_time(l->down.latency);
	check_time(l->up.jitter);
	check_time(l->down.jitter);
	CHECK(l->up.loss >= 0 && l->up.loss <= 1 && l->down.loss >= 0 && l->down.loss <= 1);
}

static void check_lan(const struct rtclab_scn_lan *lan)
{
	CHECK(lan->name && lan->n_nats <= RTCLAB_SCN_MAX_NATS);
	for (size_t i = 0; i < lan->n_nats; i++) {
		const struct rtclab_scn_nat *n = &lan->nats[i];
		CHECK(memchr(n->preset, '\0', sizeof n->preset) && n->mapping <= RTCLAB_SCN_APDM &&
		      n->filtering <= RTCLAB_SCN_APDF && n->ports <= RTCLAB_SCN_PORTS_RANDOM && n->mapping_lifetime > 0 &&
		      n->n_external <= RTCLAB_SCN_MAX_EXTERNAL);
		check_link(&n->uplink);
	}
}

static void check_peer(const struct rtclab_scenario *sc, size_t i)
{
	const struct rtclab_scn_peer *pe = &sc->peers[i];
	CHECK(pe->name && pe->lan < sc->n_lans && pe->n_addrs >= 1 && pe->n_addrs <= RTCLAB_SCN_MAX_ADDRS);
	CHECK(pe->offer_to == RTCLAB_SCN_NONE || (pe->offer_to < sc->n_peers && pe->offer_to != i));
	CHECK(pe->discover == RTCLAB_SCN_NONE ||
	      (pe->discover < sc->n_servers && sc->servers[pe->discover].type == RTCLAB_SCN_STUN &&
	       sc->servers[pe->discover].has_other));
	CHECK(pe->n_stun <= RTCLAB_SCN_MAX_SERVERS_PER_PEER && pe->n_turn <= RTCLAB_SCN_MAX_SERVERS_PER_PEER);
	for (size_t j = 0; j < pe->n_stun; j++)
		CHECK(pe->stun[j] < sc->n_servers && sc->servers[pe->stun[j]].type != RTCLAB_SCN_SIGNALING);
	for (size_t j = 0; j < pe->n_turn; j++)
		CHECK(pe->turn[j].server < sc->n_servers && sc->servers[pe->turn[j].server].type == RTCLAB_SCN_TURN &&
		      pe->turn[j].transports != 0 &&
		      (pe->turn[j].transports & ~sc->servers[pe->turn[j].server].transports) == 0);
	CHECK((pe->template_name != NULL) == (pe->instance != 0));
	check_link(&pe->link);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorted, not looked up one by one: a template makes up to 10,000 peers. */
static void check_unique_names(const struct rtclab_scenario *sc)
{
	const char **names = malloc(sc->n_peers * sizeof *names);
	CHECK(names);
	for (size_t i = 0; i < sc->n_peers; i++)
		names[i] = sc->peers[i].name;
	qsort(names, sc->n_peers, sizeof *names, cmp_str);
	for (size_t i = 1; i < sc->n_peers; i++)
		CHECK(strcmp(names[i - 1], names[i]) != 0);
	free(names);
}

static void check_model(const struct rtclab_scenario *sc)
{
	CHECK(sc->name && sc->description && sc->duration > 0 && sc->n_peers > 0);
	CHECK(sc->signaling < sc->n_servers && sc->servers[sc->signaling].type == RTCLAB_SCN_SIGNALING);
	check_link(&sc->default_link);
	for (size_t i = 0; i < sc->n_lans; i++)
		check_lan(&sc->lans[i]);
	for (size_t i = 0; i < sc->n_servers; i++) {
		CHECK(sc->servers[i].name && rtclab_scenario_server(sc, sc->servers[i].name) == i);
		CHECK(sc->servers[i].type != RTCLAB_SCN_TURN || (sc->servers[i].n_users > 0 && sc->servers[i].realm));
		check_link(&sc->servers[i].link);
	}
	for (size_t i = 0; i < sc->n_peers; i++)
		check_peer(sc, i);
	check_unique_names(sc);
	for (size_t i = 0; i < sc->n_events; i++) {
		const struct rtclab_scn_event *e = &sc->events[i];
		CHECK(e->peer < sc->n_peers && e->at < sc->duration && (i == 0 || sc->events[i - 1].at <= e->at));
		CHECK(e->nat == RTCLAB_SCN_NONE || e->nat < sc->lans[sc->peers[e->peer].lan].n_nats);
		check_time(e->at);
	}
	CHECK(sc->n_expects > 0);
	for (size_t i = 0; i < sc->n_expects; i++) {
		const struct rtclab_scn_expect *x = &sc->expects[i];
		CHECK(x->why && x->why[0] && x->n_peers > 0 && x->first_peer + x->n_peers <= sc->n_peers);
		CHECK(x->controlling == RTCLAB_SCN_NONE || x->controlling < sc->n_peers);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtclab_scenario *sc = rtclab_scenario_parse((const char *)data, size);
	if (!sc)
		return 0; /* out of memory */
	/* YAML breaks lines at LF, CR, NEL (0x85) and U+2028/2029 (E2 80 A8/A9):
	 * an upper bound on the line count */
	size_t lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n' || data[i] == '\r' || data[i] == 0x85 || data[i] == 0xE2;
	CHECK(sc->n_problems <= RTCLAB_SCN_MAX_PROBLEMS);
	CHECK(sc->n_problems_dropped == 0 || sc->n_problems == RTCLAB_SCN_MAX_PROBLEMS);
	for (size_t i = 0; i < sc->n_problems; i++) {
		const struct rtclab_scn_problem *p = &sc->problems[i];
		CHECK(p->code > RTCLAB_SCN_OK && p->code <= RTCLAB_SCN_E_NO_MEMORY);
		CHECK(p->line <= lines + 1 && memchr(p->message, '\0', sizeof p->message) && p->message[0]);
	}
	if (sc->n_problems == 0)
		check_model(sc);
	rtclab_scenario_free(sc);
	return 0;
}
