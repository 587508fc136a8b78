/* Scenario script (timed events) and expectations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_internal.h"

/* A peer by name: a peer, or with templates allowed, every instance of a
 * template (first and n).  False with a problem when there is none. */
static bool peer_ref(struct scn_parser *p, yaml_node_t *n, bool templates, size_t *first, size_t *count)
{
	const struct rtclab_scenario *sc = p->sc;
	const char *s = rtclab_scn_string_(p, n, "peer");
	if (!s)
		return false;
	size_t i = rtclab_scenario_peer(sc, s);
	if (i != RTCLAB_SCN_NONE) {
		*first = i;
		*count = 1;
		return true;
	}
	for (i = 0; templates && i < sc->n_peers; i++) {
		if (!sc->peers[i].template_name || strcmp(sc->peers[i].template_name, s) != 0)
			continue;
		size_t j = i;
		while (j < sc->n_peers && sc->peers[j].template_name && strcmp(sc->peers[j].template_name, s) == 0)
			j++;
		*first = i;
		*count = j - i;
		return true;
	}
	rtclab_scn_problem_(p, RTCLAB_SCN_E_UNKNOWN_REF, n, 0, "there is no peer named '%s'", s);
	return false;
}

/* --- script ------------------------------------------------------------------------ */

struct event_nodes {
	yaml_node_t *at, *event, *peer, *nat, *duration, *server, *address;
};
#define EV_FIELD(x)                                                            \
	static void ev_##x(struct scn_parser *p, yaml_node_t *v, void *o)     \
	{                                                                      \
		(void)p;                                                       \
		((struct event_nodes *)o)->x = v;                              \
	}
EV_FIELD(at)
EV_FIELD(event)
EV_FIELD(peer)
EV_FIELD(nat)
EV_FIELD(duration)
EV_FIELD(server)
EV_FIELD(address)

static const struct scn_field event_fields[] = {{"at", ev_at},   {"event", ev_event},     {"peer", ev_peer},
						{"nat", ev_nat}, {"for", ev_duration},    {"server", ev_server},
						{"address", ev_address}};

/* Which keys besides at, event and peer each kind takes: bits of event_fields. */
static const uint64_t event_extra[] = {
	[RTCLAB_SCN_EV_NAT_REBIND] = 1u << 3,
	[RTCLAB_SCN_EV_LINK_DOWN] = (1u << 3) | (1u << 4),
	[RTCLAB_SCN_EV_LINK_UP] = 1u << 3,
	[RTCLAB_SCN_EV_ICE_RESTART] = 0,
	[RTCLAB_SCN_EV_TURN_EXPIRE] = 1u << 5,
	[RTCLAB_SCN_EV_ADDRESS_CHANGE] = 1u << 6,
	[RTCLAB_SCN_EV_PEER_STOP] = 0,
};

static void event_nat(struct scn_parser *p, const struct event_nodes *en, struct rtclab_scn_event *ev)
{
	const struct rtclab_scn_lan *lan = &p->sc->lans[p->sc->peers[ev->peer].lan];
	uint64_t k = 1;
	ev->nat = ev->kind == RTCLAB_SCN_EV_NAT_REBIND ? 0 : RTCLAB_SCN_NONE;
	if (en->nat && !rtclab_scn_uint_(p, en->nat, RTCLAB_SCN_MAX_NATS, &k, "nat (1 is the NAT next to the peer)"))
		return;
	if (en->nat)
		ev->nat = (size_t)k - 1;
	if (ev->nat != RTCLAB_SCN_NONE && (k == 0 || ev->nat >= lan->n_nats))
		rtclab_scn_problem_(p, RTCLAB_SCN_E_BAD_REF, en->nat ? en->nat : en->event, 0,
				    "peer '%s' is behind %zu NAT%s; there is no NAT %llu", p->sc->peers[ev->peer].name,
				    lan->n_nats, lan->n_nats == 1 ? "" : "s", (unsigned long long)k);
}

static void event_server(struct scn_parser *p, yaml_node_t *n, struct rtclab_scn_event *ev)
{
	const struct rtclab_scn_peer *pe = &p->sc->peers[ev->peer];
	const char *s = rtclab_scn_string_(p, n, "server");
	if (!s)
		return;
	for (size_t i = 0; i < pe->n_turn; i++)
		if (strcmp(p->sc->servers[pe->turn[i].server].name, s) == 0) {
			ev->server = pe->turn[i].server;
			return;
		}
	rtclab_scn_problem_(p, RTCLAB_SCN_E_UNKNOWN_REF, n, 0, "server: '%s' is not one of peer '%s''s TURN servers", s,
			    pe->name);
}

static void event_values(struct scn_parser *p, yaml_node_t *n, const struct event_nodes *en, uint64_t seen,
			 struct rtclab_scn_event *ev)
{
	for (size_t i = 3; i < SCN_COUNT(event_fields); i++)
		if ((seen & (1ull << i)) && !(event_extra[ev->kind] & (1ull << i)))
			rtclab_scn_problem_(p, RTCLAB_SCN_E_CONFLICT, n, 0, "a %s event has no '%s'",
					    rtclab_scn_event_name(ev->kind), event_fields[i].name);
	event_nat(p, en, ev);
	ev->server = RTCLAB_SCN_NONE;
	if (en->server)
		event_server(p, en->server, ev);
	if (en->duration)
		rtclab_scn_time_(p, en->duration, &ev->duration);
	if (en->address)
		rtclab_scn_ip_(p, en->address, &ev->address);
	else if (ev->kind == RTCLAB_SCN_EV_ADDRESS_CHANGE)
		rtclab_scn_problem_(p, RTCLAB_SCN_E_MISSING_KEY, n, 0, "an address-change event needs the new 'address'");
	if (ev->kind == RTCLAB_SCN_EV_TURN_EXPIRE && p->sc->peers[ev->peer].n_turn == 0)
		rtclab_scn_problem_(p, RTCLAB_SCN_E_BAD_REF, en->peer, 0, "turn-expire: peer '%s' has no TURN server",
				    p->sc->peers[ev->peer].name);
}

static void one_event(struct scn_parser *p, yaml_node_t *n)
{
	static const char *const kinds[] = {"nat-rebind",  "link-down",      "link-up",  "ice-restart",
					    "turn-expire", "address-change", "peer-stop"};
	struct rtclab_scenario *sc = p->sc;
	struct event_nodes en = {0};
	uint64_t seen = rtclab_scn_walk_(p, n, event_fields, SCN_COUNT(event_fields), &en, "an event");
	if (n->type != YAML_MAPPING_NODE)
		return;
	if (!en.at || !en.event || !en.peer) {
		rtclab_scn_problem_(p, RTCLAB_SCN_E_MISSING_KEY, n, 0, "an event needs 'at', 'event' and 'peer'");
		return;
	}
	struct rtclab_scn_event ev = {0};
	size_t count;
	int kind = rtclab_scn_word_(p, en.event, kinds, SCN_COUNT(kinds), "event");
	bool at_ok = rtclab_scn_time_(p, en.at, &ev.at);
	if (!peer_ref(p, en.peer, false, &ev.peer, &count) || kind < 0 || !at_ok)
		return;
	if (ev.at >= sc->duration) {
		char d[32];
		rtclab_scn_time_format(sc->duration, d, sizeof d);
		rtclab_scn_problem_(p, RTCLAB_SCN_E_BAD_TIME, en.at, 0, "at: the scenario ends at %s (its duration)", d);
	}
	ev.kind = (enum rtclab_scn_event_kind)kind;
	ev.line = (uint32_t)n->start_mark.line + 1;
	ev.column = (uint32_t)n->start_mark.column + 1;
	event_values(p, n, &en, seen, &ev);
	if (rtclab_scn_grow_(p, (void **)&sc->events, &p->cap_events, sc->n_events, sizeof *sc->events))
		sc->events[sc->n_events++] = ev;
}

/* Insertion sort: stable, and scripts are short. */
static void sort_events(struct rtclab_scenario *sc)
{
	for (size_t i = 1; i < sc->n_events; i++) {
		struct rtclab_scn_event e = sc->events[i];
		size_t j = i;
		while (j > 0 && sc->events[j - 1].at > e.at) {
			sc->events[j] = sc->events[j - 1];
			j--;
		}
		sc->events[j] = e;
	}
}

void rtclab_scn_script_(struct scn_parser *p, yaml_node_t *n)
{
	if (!rtclab_scn_expect_(p, n, YAML_SEQUENCE_NODE, "script"))
		return;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top && !p->oom; it++) {
		yaml_node_t *item = rtclab_scn_node_(p, *it, n);
		if (item && p->sc->n_peers > 0)
			one_event(p, item);
	}
	sort_events(p->sc);
}

/* --- expectations ------------------------------------------------------------------ */

struct expect_nodes {
	yaml_node_t *peer, *connected, *within, *local, *remote, *pair, *relayed, *family, *reason, *consent_lost,
		*controlling, *mapping, *filtering, *why, *after;
};
#define EX_FIELD(x)                                                            \
	static void ex_##x(struct scn_parser *p, yaml_node_t *v, void *o)     \
	{                                                                      \
		(void)p;                                                       \
		((struct expect_nodes *)o)->x = v;                             \
	}
EX_FIELD(peer)
EX_FIELD(connected)
EX_FIELD(within)
EX_FIELD(local)
EX_FIELD(remote)
EX_FIELD(pair)
EX_FIELD(relayed)
EX_FIELD(family)
EX_FIELD(reason)
EX_FIELD(consent_lost)
EX_FIELD(controlling)
EX_FIELD(mapping)
EX_FIELD(filtering)
EX_FIELD(why)
EX_FIELD(after)

static const struct scn_field expect_fields[] = {
	{"peer", ex_peer},         {"connected", ex_connected},       {"within", ex_within},
	{"local", ex_local},       {"remote", ex_remote},             {"pair", ex_pair},
	{"relayed", ex_relayed},   {"family", ex_family},             {"reason", ex_reason},
	{"consent_lost", ex_consent_lost}, {"controlling", ex_controlling}, {"mapping", ex_mapping},
	{"filtering", ex_filtering}, {"why", ex_why},           {"after", ex_after},
};
#define EX_SESSION_KEYS 0x47FEu   /* connected .. controlling, after */
#define EX_DISCOVERY_KEYS 0x1800u /* mapping, filtering */
#define EX_PAIR_KEYS 0x0038u    /* local, remote, pair */

static void tri(struct scn_parser *p, yaml_node_t *n, enum rtclab_scn_tri *out)
{
	bool b;
	if (n && rtclab_scn_bool_(p, n, &b))
		*out = b ? RTCLAB_SCN_YES : RTCLAB_SCN_NO;
}

static int cand_type(struct scn_parser *p, yaml_node_t *n, const char *what)
{
	const char *s = rtclab_scn_string_(p, n, what);
	int t = s ? rtclab_scn_cand_type_(s) : -1;
	if (s && t < 0)
		rtclab_scn_problem_(p, RTCLAB_SCN_E_BAD_VALUE, n, 0, "%s: '%s' is not one of: host, srflx, prflx, relay", what, s);
	return t;
}

/* "srflx-host": local type, then remote type, from the offerer's view. */
static void pair_types(struct scn_parser *p, yaml_node_t *n, struct rtclab_scn_expect *ex)
{
	const char *s = rtclab_scn_string_(p, n, "pair");
	const char *dash = s ? strchr(s, '-') : NULL;
	char local[16] = "";
	if (dash && (size_t)(dash - s) < sizeof local) {
		memcpy(local, s, (size_t)(dash - s));
		ex->local_type = rtclab_scn_cand_type_(local);
		ex->remote_type = rtclab_scn_cand_type_(dash + 1);
	}
	if (s && (ex->local_type < 0 || ex->remote_type < 0)) {
		ex->local_type = ex->remote_type = -1;
		rtclab_scn_problem_(p, RTCLAB_SCN_E_BAD_VALUE, n, 0,
				    "pair: '%s' is not LOCAL-REMOTE with types host, srflx, prflx, relay (srflx-host)", s);
	}
}

static void discovery(struct scn_parser *p, const struct expect_nodes *en, struct rtclab_scn_expect *ex)
{
	static const char *const m[] = {"eim", "adm", "apdm", "no-nat"}, *const f[] = {"eif", "adf", "apdf"};
	int w;
	if (en->mapping && (w = rtclab_scn_word_(p, en->mapping, m, SCN_COUNT(m), "mapping")) >= 0)
		ex->mapping = w == 3 ? RTCLAB_SCN_NO_NAT : w;
	if (en->filtering && (w = rtclab_scn_word_(p, en->filtering, f, SCN_COUNT(f), "filtering")) >= 0)
		ex->filtering = w;
}

static void session_values(struct scn_parser *p, const struct expect_nodes *en, struct rtclab_scn_expect *ex)
{
	static const char *const fam[] = {"ipv4", "ipv6"};
	size_t count;
	tri(p, en->connected, &ex->connected);
	tri(p, en->relayed, &ex->relayed);
	tri(p, en->consent_lost, &ex->consent_lost);
	if (en->within && rtclab_scn_time_(p, en->within, &ex->within) && ex->within == 0)
		rtclab_scn_problem_(p, RTCLAB_SCN_E_BAD_TIME, en->within, 0, "within: expected a time above 0");
	if (en->after && rtclab_scn_time_(p, en->after, &ex->after) && ex->within && ex->after >= ex->within)
		rtclab_scn_problem_(p, RTCLAB_SCN_E_CONFLICT, en->after, 0, "after: must be earlier than within");
	if (en->local)
		ex->local_type = cand_type(p, en->local, "local");
	if (en->remote)
		ex->remote_type = cand_type(p, en->remote, "remote");
	if (en->pair)
		pair_types(p, en->pair, ex);
	int w;
	if (en->family && (w = rtclab_scn_word_(p, en->family, fam, 2, "family")) >= 0)
		ex->family = w ? RTCLAB_FAMILY_IPV6 : RTCLAB_FAMILY_IPV4;
	if (en->reason)
		ex->reason = rtclab_scn_strdup_(p, en->reason, "reason");
	if (en->controlling && !peer_ref(p, en->controlling, false, &ex->controlling, &count))
		ex->controlling = RTCLAB_SCN_NONE;
}

/* Settings that cannot be checked together, or peers that cannot show them. */
static void expect_consistent(struct scn_parser *p, yaml_node_t *n, const struct expect_nodes *en, uint64_t seen,
			      const struct rtclab_scn_expect *ex)
{
	const struct rtclab_scenario *sc = p->sc;
	bool offers = false, discovers = false;
	for (size_t i = ex->first_peer; i < ex->first_peer + ex->n_peers; i++) {
		offers = offers || sc->peers[i].offer_to != RTCLAB_SCN_NONE;
		discovers = discovers || sc->peers[i].discover != RTCLAB_SCN_NONE;
	}
	if (en->pair && (en->local || en->remote))
		rtclab_scn_problem_(p, RTCLAB_SCN_E_CONFLICT, en->pair, 0, "give 'pair' or 'local'/'remote', not both");
	if (ex->connected == RTCLAB_SCN_NO && (seen & EX_PAIR_KEYS))
		rtclab_scn_problem_(p, RTCLAB_SCN_E_CONFLICT, n, 0,
				    "a session expected not connected has no selected pair: drop local, remote and pair");
	if ((seen & EX_SESSION_KEYS) && !offers)
		rtclab_scn_problem_(p, RTCLAB_SCN_E_CONFLICT, n, 0,
				    "no peer this expectation names sends an offer (offer_to), so there is no session to check");
	if ((seen & EX_DISCOVERY_KEYS) && !discovers)
		rtclab_scn_problem_(p, RTCLAB_SCN_E_CONFLICT, n, 0,
				    "mapping and filtering are RFC 5780 verdicts: the peer needs 'discover'");
	if (!(seen & (EX_SESSION_KEYS | EX_DISCOVERY_KEYS)))
		rtclab_scn_problem_(p, RTCLAB_SCN_E_MISSING_KEY, n, 0, "this expectation checks nothing (connected, pair, mapping, ...)");
}

static void one_expect(struct scn_parser *p, yaml_node_t *n)
{
	struct rtclab_scenario *sc = p->sc;
	struct expect_nodes en = {0};
	uint64_t seen = rtclab_scn_walk_(p, n, expect_fields, SCN_COUNT(expect_fields), &en, "an expectation");
	if (n->type != YAML_MAPPING_NODE)
		return;
	struct rtclab_scn_expect ex = {.n_peers = sc->n_peers, .local_type = -1, .remote_type = -1,
				       .controlling = RTCLAB_SCN_NONE, .mapping = -1, .filtering = -1};
	ex.line = (uint32_t)n->start_mark.line + 1;
	ex.column = (uint32_t)n->start_mark.column + 1;
	if (en.peer && !peer_ref(p, en.peer, true, &ex.first_peer, &ex.n_peers))
		return;
	if (!en.why)
		rtclab_scn_problem_(p, RTCLAB_SCN_E_MISSING_KEY, n, 0,
				    "every expectation needs a 'why': the RFC 4787 behaviour that makes it hold");
	else if ((ex.why = rtclab_scn_strdup_(p, en.why, "why")) && ex.why[0] == '\0')
		rtclab_scn_problem_(p, RTCLAB_SCN_E_MISSING_KEY, en.why, 0, "why: explain the expectation, it is empty");
	session_values(p, &en, &ex);
	discovery(p, &en, &ex);
	if (sc->n_peers > 0)
		expect_consistent(p, n, &en, seen, &ex);
	if (rtclab_scn_grow_(p, (void **)&sc->expects, &p->cap_expects, sc->n_expects, sizeof *sc->expects)) {
		sc->expects[sc->n_expects++] = ex;
		return;
	}
	free(ex.why);
	free(ex.reason);
}

void rtclab_scn_expects_(struct scn_parser *p, yaml_node_t *n)
{
	if (n->type == YAML_MAPPING_NODE) {
		one_expect(p, n);
		return;
	}
	if (!rtclab_scn_expect_(p, n, YAML_SEQUENCE_NODE, "expect (one expectation or a list)"))
		return;
	if (n->data.sequence.items.start == n->data.sequence.items.top)
		rtclab_scn_problem_(p, RTCLAB_SCN_E_MISSING_KEY, n, 0, "expect: the list is empty; a scenario checks itself");
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top && !p->oom; it++) {
		yaml_node_t *item = rtclab_scn_node_(p, *it, n);
		if (item)
			one_expect(p, item);
	}
}
