/* Scenario peers: one entry (a peer, or a template with `count:`), its ICE
 * settings and servers, the expansion of templates, then the checks that
 * need every peer: names, addresses, offers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_internal.h"

#define problem_line rtclab_scn_problem_line_

struct peer_nodes {
	yaml_node_t *name, *count, *address, *lan, *nat, *firewall, *link, *ice, *stun, *turn, *offer_to, *discover;
};
#define PEER_FIELD(x)                                                           \
	static void peer_##x(struct scn_parser *p, yaml_node_t *v, void *o)    \
	{                                                                       \
		(void)p;                                                        \
		((struct peer_nodes *)o)->x = v;                                \
	}
PEER_FIELD(name)
PEER_FIELD(count)
PEER_FIELD(address)
PEER_FIELD(lan)
PEER_FIELD(nat)
PEER_FIELD(firewall)
PEER_FIELD(link)
PEER_FIELD(ice)
PEER_FIELD(stun)
PEER_FIELD(turn)
PEER_FIELD(offer_to)
PEER_FIELD(discover)

static const struct scn_field peer_fields[] = {
	{"name", peer_name},         {"count", peer_count}, {"address", peer_address}, {"lan", peer_lan},
	{"nat", peer_nat},           {"firewall", peer_firewall}, {"link", peer_link}, {"ice", peer_ice},
	{"stun", peer_stun},         {"turn", peer_turn},   {"offer_to", peer_offer_to}, {"discover", peer_discover},
};

/* --- ICE settings ------------------------------------------------------------------ */

static void ice_role(struct scn_parser *p, yaml_node_t *v, void *o)
{
	static const char *const w[] = {"auto", "controlling", "controlled"};
	int r = rtclab_scn_word_(p, v, w, SCN_COUNT(w), "role");
	if (r >= 0)
		((struct rtclab_scn_ice *)o)->role = (enum rtclab_scn_role)r;
}
static void ice_tiebreaker(struct scn_parser *p, yaml_node_t *v, void *o)
{
	struct rtclab_scn_ice *ice = o;
	ice->has_tiebreaker = rtclab_scn_uint_(p, v, UINT64_MAX, &ice->tiebreaker, "tiebreaker");
}
static void ice_trickle(struct scn_parser *p, yaml_node_t *v, void *o)
{
	rtclab_scn_bool_(p, v, &((struct rtclab_scn_ice *)o)->trickle);
}
static void ice_lite(struct scn_parser *p, yaml_node_t *v, void *o)
{
	rtclab_scn_bool_(p, v, &((struct rtclab_scn_ice *)o)->lite);
}
static void ice_mdns(struct scn_parser *p, yaml_node_t *v, void *o)
{
	rtclab_scn_bool_(p, v, &((struct rtclab_scn_ice *)o)->mdns);
}
static void ice_policy(struct scn_parser *p, yaml_node_t *v, void *o)
{
	static const char *const w[] = {"all", "relay"};
	int r = rtclab_scn_word_(p, v, w, SCN_COUNT(w), "policy (iceTransportPolicy)");
	if (r >= 0)
		((struct rtclab_scn_ice *)o)->relay_only = r == 1;
}
static void ice_candidates(struct scn_parser *p, yaml_node_t *v, void *o)
{
	static const char *const w[] = {"host", "srflx", "relay"};
	static const unsigned bit[] = {1u << RTCLAB_CAND_HOST, 1u << RTCLAB_CAND_SRFLX, 1u << RTCLAB_CAND_RELAY};
	unsigned got = 0;
	if (!rtclab_scn_expect_(p, v, YAML_SEQUENCE_NODE, "candidates (a list of host, srflx, relay)"))
		return;
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *t = rtclab_scn_node_(p, *it, v);
		int r = t ? rtclab_scn_word_(p, t, w, SCN_COUNT(w), "candidates") : -1;
		if (r >= 0)
			got |= bit[r];
	}
	((struct rtclab_scn_ice *)o)->gather = got;
}

static const struct scn_field ice_fields[] = {
	{"role", ice_role},   {"tiebreaker", ice_tiebreaker}, {"trickle", ice_trickle},       {"lite", ice_lite},
	{"mdns", ice_mdns},   {"policy", ice_policy},         {"candidates", ice_candidates},
};

static void ice_settings(struct scn_parser *p, yaml_node_t *n, struct rtclab_scn_ice *ice)
{
	rtclab_scn_walk_(p, n, ice_fields, SCN_COUNT(ice_fields), ice, "ice");
	/* RFC 8445 6.1.1: a lite agent is controlled when the other is full;
	 * it never starts checks, so it cannot be made to control. */
	if (ice->lite && ice->role == RTCLAB_SCN_ROLE_CONTROLLING)
		rtclab_scn_problem_(p, RTCLAB_SCN_E_CONFLICT, n, 0, "an ice-lite agent cannot be given role controlling");
	if (ice->relay_only && !(ice->gather & (1u << RTCLAB_CAND_RELAY)))
		rtclab_scn_problem_(p, RTCLAB_SCN_E_CONFLICT, n, 0, "policy relay needs relay among the candidates");
	/* RFC 8445 5.2: a lite agent has host candidates and nothing else. */
	if (ice->lite && (ice->relay_only || !(ice->gather & (1u << RTCLAB_CAND_HOST))))
		rtclab_scn_problem_(p, RTCLAB_SCN_E_CONFLICT, n, 0,
				    "an ice-lite agent uses host candidates only (RFC 8445 5.2): it cannot have %s",
				    ice->relay_only ? "policy relay" : "candidates without host");
}

/* --- servers of a peer ------------------------------------------------------------- */

static size_t server_ref(struct scn_parser *p, yaml_node_t *n, const char *list)
{
	const char *s = rtclab_scn_string_(p, n, list);
	if (!s)
		return RTCLAB_SCN_NONE;
	size_t i = rtclab_scenario_server(p->sc, s);
	if (i == RTCLAB_SCN_NONE)
		rtclab_scn_problem_(p, RTCLAB_SCN_E_UNKNOWN_REF, n, 0, "%s: there is no server named '%s'", list, s);
	return i;
}

static void stun_one(struct scn_parser *p, yaml_node_t *item, struct rtclab_scn_peer *pe)
{
	size_t i = server_ref(p, item, "stun");
	if (i == RTCLAB_SCN_NONE)
		return;
	if (p->sc->servers[i].type == RTCLAB_SCN_SIGNALING)
		rtclab_scn_problem_(p, RTCLAB_SCN_E_BAD_REF, item, 0,
				    "stun: '%s' is a signaling server; expected a STUN or TURN server", p->sc->servers[i].name);
	else if (pe->n_stun == RTCLAB_SCN_MAX_SERVERS_PER_PEER)
		rtclab_scn_problem_(p, RTCLAB_SCN_E_LIMIT, item, 0, "a peer has at most %d STUN servers",
				    RTCLAB_SCN_MAX_SERVERS_PER_PEER);
	else
		pe->stun[pe->n_stun++] = i;
}

/* A TURN server answers Binding requests too (RFC 8656 is built on STUN). */
static void stun_list(struct scn_parser *p, yaml_node_t *n, struct rtclab_scn_peer *pe)
{
	if (n->type != YAML_SEQUENCE_NODE) {
		stun_one(p, n, pe);
		return;
	}
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *item = rtclab_scn_node_(p, *it, n);
		if (item)
			stun_one(p, item, pe);
	}
}

struct turn_nodes {
	yaml_node_t *server, *username, *password, *transport;
};
#define TURN_FIELD(x)                                                          \
	static void turn_##x(struct scn_parser *p, yaml_node_t *v, void *o)   \
	{                                                                      \
		(void)p;                                                       \
		((struct turn_nodes *)o)->x = v;                               \
	}
TURN_FIELD(server)
TURN_FIELD(username)
TURN_FIELD(password)
TURN_FIELD(transport)
static const struct scn_field turn_fields[] = {
	{"server", turn_server}, {"username", turn_username}, {"password", turn_password}, {"transport", turn_transport}};

static char *dup_or_null(struct scn_parser *p, const char *s)
{
	char *d = s ? strdup(s) : NULL;
	if (s && !d)
		p->oom = true;
	return d;
}

static void turn_credentials(struct scn_parser *p, const struct turn_nodes *tn, struct rtclab_scn_turn_use *u)
{
	const struct rtclab_scn_server *s = &p->sc->servers[u->server];
	static const char *const w[] = {"udp", "tcp"};
	u->transports = s->transports;
	if (tn->transport) {
		int t = rtclab_scn_word_(p, tn->transport, w, 2, "transport");
		if (t >= 0 && !(s->transports & (1u << t)))
			rtclab_scn_problem_(p, RTCLAB_SCN_E_CONFLICT, tn->transport, 0,
					    "transport: TURN server '%s' does not offer %s", s->name, w[t]);
		else if (t >= 0)
			u->transports = 1u << t;
	}
	const char *user = s->n_users ? s->users[0].username : NULL, *pass = s->n_users ? s->users[0].password : NULL;
	if (tn->username)
		user = rtclab_scn_string_(p, tn->username, "username");
	if (tn->password)
		pass = rtclab_scn_string_(p, tn->password, "password");
	u->username = dup_or_null(p, user);
	u->password = dup_or_null(p, pass);
}

static void turn_one(struct scn_parser *p, yaml_node_t *n, struct rtclab_scn_peer *pe)
{
	struct turn_nodes tn = {0};
	if (n->type == YAML_MAPPING_NODE) {
		rtclab_scn_walk_(p, n, turn_fields, SCN_COUNT(turn_fields), &tn, "a TURN server of a peer");
		if (!tn.server) {
			rtclab_scn_problem_(p, RTCLAB_SCN_E_MISSING_KEY, n, 0, "a TURN entry needs its 'server'");
			return;
		}
	} else {
		tn.server = n;
	}
	size_t i = server_ref(p, tn.server, "turn");
	if (i == RTCLAB_SCN_NONE)
		return;
	if (p->sc->servers[i].type != RTCLAB_SCN_TURN) {
		rtclab_scn_problem_(p, RTCLAB_SCN_E_BAD_REF, tn.server, 0, "turn: '%s' is a %s server; expected a TURN server",
				    p->sc->servers[i].name, rtclab_scn_server_type_name(p->sc->servers[i].type));
		return;
	}
	if (pe->n_turn == RTCLAB_SCN_MAX_SERVERS_PER_PEER) {
		rtclab_scn_problem_(p, RTCLAB_SCN_E_LIMIT, n, 0, "a peer has at most %d TURN servers",
				    RTCLAB_SCN_MAX_SERVERS_PER_PEER);
		return;
	}
	struct rtclab_scn_turn_use *u = &pe->turn[pe->n_turn++];
	u->server = i;
	turn_credentials(p, &tn, u);
}

static void turn_list(struct scn_parser *p, yaml_node_t *n, struct rtclab_scn_peer *pe)
{
	if (n->type != YAML_SEQUENCE_NODE) {
		turn_one(p, n, pe);
		return;
	}
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *item = rtclab_scn_node_(p, *it, n);
		if (item)
			turn_one(p, item, pe);
	}
}

static void discover(struct scn_parser *p, yaml_node_t *n, struct rtclab_scn_peer *pe)
{
	size_t i = server_ref(p, n, "discover");
	if (i == RTCLAB_SCN_NONE)
		return;
	if (p->sc->servers[i].type != RTCLAB_SCN_STUN || !p->sc->servers[i].has_other)
		rtclab_scn_problem_(p, RTCLAB_SCN_E_BAD_REF, n, 0,
				    "discover: '%s' is not a STUN server with an other_address (RFC 5780 needs two)",
				    p->sc->servers[i].name);
	else
		pe->discover = i;
}

/* --- one entry --------------------------------------------------------------------- */

static void addresses(struct scn_parser *p, yaml_node_t *n, struct rtclab_scn_peer *pe)
{
	if (n->type == YAML_SCALAR_NODE) {
		if (rtclab_scn_ip_(p, n, &pe->addrs[0]))
			pe->n_addrs = 1;
		return;
	}
	if (!rtclab_scn_expect_(p, n, YAML_SEQUENCE_NODE, "address"))
		return;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *a = rtclab_scn_node_(p, *it, n);
		if (!a)
			continue;
		if (pe->n_addrs == RTCLAB_SCN_MAX_ADDRS) {
			rtclab_scn_problem_(p, RTCLAB_SCN_E_LIMIT, a, 0, "a peer has at most %d addresses", RTCLAB_SCN_MAX_ADDRS);
			return;
		}
		if (rtclab_scn_ip_(p, a, &pe->addrs[pe->n_addrs]))
			pe->n_addrs++;
	}
}

static void peer_settings(struct scn_parser *p, const struct peer_nodes *pn, struct rtclab_scn_peer *pe)
{
	static const char *const fw[] = {"none", "block-udp", "only-tcp-443"};
	int w;
	pe->link = p->sc->default_link;
	pe->ice.trickle = true;
	pe->ice.gather = RTCLAB_SCN_GATHER_ALL;
	pe->offer_to = pe->discover = RTCLAB_SCN_NONE;
	if (pn->address)
		addresses(p, pn->address, pe);
	if (pn->firewall && (w = rtclab_scn_word_(p, pn->firewall, fw, SCN_COUNT(fw), "firewall")) >= 0)
		pe->firewall = (enum rtclab_scn_firewall)w;
	if (pn->link)
		rtclab_scn_link_(p, pn->link, &pe->link);
	if (pn->ice)
		ice_settings(p, pn->ice, &pe->ice);
	if (pn->stun)
		stun_list(p, pn->stun, pe);
	if (pn->turn)
		turn_list(p, pn->turn, pe);
	if (pn->discover)
		discover(p, pn->discover, pe);
}

static size_t shared_lan(struct scn_parser *p, yaml_node_t *n)
{
	const char *s = rtclab_scn_string_(p, n, "lan");
	if (!s)
		return RTCLAB_SCN_NONE;
	for (size_t i = 0; i < p->sc->n_lans; i++)
		if (p->sc->lans[i].shared && strcmp(p->sc->lans[i].name, s) == 0)
			return i;
	rtclab_scn_problem_(p, RTCLAB_SCN_E_UNKNOWN_REF, n, 0, "lan: there is no LAN named '%s' under 'lans'", s);
	return RTCLAB_SCN_NONE;
}

/* --- templates --------------------------------------------------------------------- */

/* a + k, on the address as one big number; false when it runs past the end. */
static bool addr_add(struct rtclab_addr *a, uint64_t k)
{
	size_t len = a->family == RTCLAB_FAMILY_IPV4 ? 4 : 16;
	for (size_t i = len; i-- > 0 && k;) {
		uint64_t v = a->ip[i] + (k & 0xff);
		a->ip[i] = (uint8_t)v;
		k = (k >> 8) + (v >> 8);
	}
	return k == 0;
}

static void free_turn_strings(struct rtclab_scn_peer *pe)
{
	for (size_t i = 0; i < pe->n_turn; i++) {
		free(pe->turn[i].username);
		free(pe->turn[i].password);
	}
}

static bool copy_strings(struct scn_parser *p, struct rtclab_scn_peer *dst, const struct rtclab_scn_peer *src)
{
	for (size_t i = 0; i < src->n_turn; i++) {
		dst->turn[i].username = dup_or_null(p, src->turn[i].username);
		dst->turn[i].password = dup_or_null(p, src->turn[i].password);
	}
	return !p->oom;
}

/* The LAN of instance k (0-based) of a template with a NAT of its own: a
 * copy of the first instance's, with any external addresses moved on by k. */
static size_t copy_lan(struct scn_parser *p, size_t from, const char *name, uint64_t k, yaml_node_t *at)
{
	struct rtclab_scenario *sc = p->sc;
	if (!rtclab_scn_grow_(p, (void **)&sc->lans, &p->cap_lans, sc->n_lans, sizeof *sc->lans))
		return RTCLAB_SCN_NONE;
	struct rtclab_scn_lan *lan = &sc->lans[sc->n_lans];
	*lan = sc->lans[from];
	if (!(lan->name = strdup(name))) {
		p->oom = true;
		return RTCLAB_SCN_NONE;
	}
	sc->n_lans++;
	for (size_t i = 0; i < lan->n_nats; i++)
		for (size_t j = 0; j < lan->nats[i].n_external; j++)
			if (!addr_add(&lan->nats[i].external[j], k)) {
				rtclab_scn_problem_(p, RTCLAB_SCN_E_LIMIT, at, 0, "count: the external addresses run out");
				return RTCLAB_SCN_NONE;
			}
	return sc->n_lans - 1;
}

/* Instance k of the template: its name, LAN and addresses.  Peers on a
 * shared LAN, or on the internet, need addresses of their own: each gets
 * the template's plus k.  Peers alone behind their own NAT keep them. */
static bool instance(struct scn_parser *p, struct rtclab_scn_peer *pe, const char *base, uint64_t k, uint64_t count,
		     size_t own_lan, yaml_node_t *at)
{
	char name[300];
	if (count > 1)
		snprintf(name, sizeof name, "%s-%llu", base, (unsigned long long)k + 1);
	else
		snprintf(name, sizeof name, "%s", base);
	pe->name = strdup(name);
	pe->template_name = count > 1 ? strdup(base) : NULL;
	if (!pe->name || (count > 1 && !pe->template_name)) {
		p->oom = true;
		return false;
	}
	pe->instance = count > 1 ? (size_t)k + 1 : 0;
	if (own_lan != RTCLAB_SCN_NONE && k > 0)
		pe->lan = copy_lan(p, own_lan, name, k, at);
	if (pe->lan == RTCLAB_SCN_NONE)
		return false;
	if (own_lan != RTCLAB_SCN_NONE && p->sc->lans[pe->lan].n_nats > 0)
		return true;
	for (size_t i = 0; i < pe->n_addrs; i++)
		if (!addr_add(&pe->addrs[i], k)) {
			rtclab_scn_problem_(p, RTCLAB_SCN_E_LIMIT, at, 0, "count: the addresses run out");
			return false;
		}
	return true;
}

static void expand(struct scn_parser *p, const struct rtclab_scn_peer *proto, const struct peer_nodes *pn,
		   uint64_t count, yaml_node_t *at)
{
	struct rtclab_scenario *sc = p->sc;
	size_t own_lan = pn->nat ? proto->lan : RTCLAB_SCN_NONE;
	for (uint64_t k = 0; k < count && !p->oom; k++) {
		if (!rtclab_scn_grow_(p, (void **)&sc->peers, &p->cap_peers, sc->n_peers, sizeof *sc->peers))
			return;
		if (!rtclab_scn_grow_(p, (void **)&p->pending, &p->cap_pending, sc->n_peers, sizeof *p->pending))
			return;
		struct rtclab_scn_peer *pe = &sc->peers[sc->n_peers];
		*pe = *proto;
		pe->name = pe->template_name = NULL;
		pe->n_turn = 0;
		if (!copy_strings(p, pe, proto))
			return;
		pe->n_turn = proto->n_turn;
		sc->n_peers++; /* owned by the model from here: freed with it */
		p->pending[sc->n_peers - 1].offer_to = pn->offer_to;
		if (!instance(p, pe, (const char *)pn->name->data.scalar.value, k, count, own_lan, at))
			return;
	}
}

static uint64_t count_wanted(struct scn_parser *p, yaml_node_t *n)
{
	uint64_t c = 1;
	if (n && rtclab_scn_uint_(p, n, RTCLAB_SCN_MAX_PEERS, &c, "count") && c == 0) {
		rtclab_scn_problem_(p, RTCLAB_SCN_E_BAD_NUMBER, n, 0, "count: expected at least 1");
		c = 1;
	}
	if (p->sc->n_peers + c > RTCLAB_SCN_MAX_PEERS) {
		rtclab_scn_problem_(p, RTCLAB_SCN_E_LIMIT, n, 0, "a scenario has at most %d peers", RTCLAB_SCN_MAX_PEERS);
		return 0;
	}
	return c;
}

static bool entry_required(struct scn_parser *p, yaml_node_t *n, const struct peer_nodes *pn)
{
	bool ok = true;
	if (!pn->name || !pn->address) {
		rtclab_scn_problem_(p, RTCLAB_SCN_E_MISSING_KEY, n, 0, "a peer needs a 'name' and an 'address'");
		ok = false;
	}
	if (pn->lan && pn->nat) {
		rtclab_scn_problem_(p, RTCLAB_SCN_E_CONFLICT, pn->nat, 0,
				    "a peer on a shared LAN uses that LAN's NAT: give 'lan' or 'nat', not both");
		ok = false;
	} else if (!pn->lan && !pn->nat) {
		rtclab_scn_problem_(p, RTCLAB_SCN_E_MISSING_KEY, n, 0,
				    "a peer needs a 'nat' (a preset, a chain, or 'open' for none) or a 'lan'");
		ok = false;
	}
	return ok && rtclab_scn_string_(p, pn->name, "a peer name") != NULL;
}

static void one_peer(struct scn_parser *p, yaml_node_t *n)
{
	struct peer_nodes pn = {0};
	rtclab_scn_walk_(p, n, peer_fields, SCN_COUNT(peer_fields), &pn, "a peer");
	if (n->type != YAML_MAPPING_NODE || !entry_required(p, n, &pn))
		return;
	struct rtclab_scn_peer proto = {0};
	proto.line = (uint32_t)n->start_mark.line + 1;
	proto.column = (uint32_t)n->start_mark.column + 1;
	peer_settings(p, &pn, &proto);
	uint64_t count = count_wanted(p, pn.count);
	if (pn.lan)
		proto.lan = shared_lan(p, pn.lan);
	else
		proto.lan = rtclab_scn_own_lan_(p, pn.nat, (const char *)pn.name->data.scalar.value, n);
	if (proto.lan != RTCLAB_SCN_NONE && count > 0 && !p->oom)
		expand(p, &proto, &pn, count, pn.count ? pn.count : n);
	free_turn_strings(&proto);
}

/* --- checks over every peer -------------------------------------------------------- */

struct by_name {
	const char *name;
	size_t index;
};

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct by_name *)a)->name, ((const struct by_name *)b)->name);
}

static void check_names(struct scn_parser *p, const struct by_name *sorted, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		if (strcmp(sorted[i - 1].name, sorted[i].name) != 0)
			continue;
		const struct rtclab_scn_peer *a = &p->sc->peers[sorted[i - 1].index], *b = &p->sc->peers[sorted[i].index];
		if (a->line > b->line || (a->line == b->line && a->column > b->column)) {
			const struct rtclab_scn_peer *t = a;
			a = b;
			b = t;
		}
		problem_line(p, RTCLAB_SCN_E_DUPLICATE_NAME, b->line, b->column,
			     "two peers are named '%s' (the other is at line %u)", b->name, a->line);
	}
}

/* Every instance of a template shares the offer_to node: a bad one is
 * reported once. */
static void resolve_offers(struct scn_parser *p, const struct by_name *sorted, size_t n)
{
	struct rtclab_scenario *sc = p->sc;
	yaml_node_t *bad = NULL;
	for (size_t i = 0; i < sc->n_peers; i++) {
		yaml_node_t *v = p->pending[i].offer_to;
		const char *s;
		if (!v || v == bad)
			continue;
		if (!(s = rtclab_scn_string_(p, v, "offer_to"))) {
			bad = v;
			continue;
		}
		struct by_name key = {s, 0}, *hit = bsearch(&key, sorted, n, sizeof *sorted, cmp_name);
		if (!hit) {
			rtclab_scn_problem_(p, RTCLAB_SCN_E_UNKNOWN_REF, v, 0, "offer_to: there is no peer named '%s'", s);
			bad = v;
		} else if (hit->index == i) {
			rtclab_scn_problem_(p, RTCLAB_SCN_E_CONFLICT, v, 0, "offer_to: peer '%s' cannot call itself", s);
			bad = v;
		} else {
			sc->peers[i].offer_to = hit->index;
		}
	}
}

/* Two peers: with no offer_to and no discovery, the first calls the second. */
static void default_session(struct rtclab_scenario *sc)
{
	if (sc->n_peers != 2)
		return;
	for (size_t i = 0; i < 2; i++)
		if (sc->peers[i].offer_to != RTCLAB_SCN_NONE || sc->peers[i].discover != RTCLAB_SCN_NONE)
			return;
	sc->peers[0].offer_to = 1;
}

/* One address on one network: a LAN with a NAT is a network of its own;
 * every LAN without one, and every server, is on the internet. */
struct placed {
	size_t network;
	struct rtclab_addr addr;
	size_t peer;   /* or NONE for a server */
	size_t server;
};

static int cmp_placed(const void *a, const void *b)
{
	const struct placed *x = a, *y = b;
	if (x->network != y->network)
		return x->network < y->network ? -1 : 1;
	if (x->addr.family != y->addr.family)
		return x->addr.family < y->addr.family ? -1 : 1;
	int c = memcmp(x->addr.ip, y->addr.ip, 16);
	if (c)
		return c;
	return x->peer < y->peer ? -1 : x->peer > y->peer;
}

static size_t collect_addresses(const struct rtclab_scenario *sc, struct placed *out)
{
	size_t n = 0;
	for (size_t i = 0; i < sc->n_peers; i++) {
		const struct rtclab_scn_peer *pe = &sc->peers[i];
		size_t net = sc->lans[pe->lan].n_nats ? pe->lan : RTCLAB_SCN_NONE;
		for (size_t j = 0; j < pe->n_addrs; j++)
			out[n++] = (struct placed){net, pe->addrs[j], i, RTCLAB_SCN_NONE};
	}
	for (size_t i = 0; i < sc->n_servers; i++) {
		struct rtclab_addr a = sc->servers[i].addr;
		a.port = 0;
		out[n++] = (struct placed){RTCLAB_SCN_NONE, a, RTCLAB_SCN_NONE, i};
	}
	return n;
}

static void check_addresses(struct scn_parser *p)
{
	const struct rtclab_scenario *sc = p->sc;
	struct placed *all = malloc((sc->n_peers * RTCLAB_SCN_MAX_ADDRS + sc->n_servers + 1) * sizeof *all);
	if (!all) {
		p->oom = true;
		return;
	}
	size_t n = collect_addresses(sc, all);
	qsort(all, n, sizeof *all, cmp_placed);
	for (size_t i = 1; i < n; i++) {
		const struct placed *a = &all[i - 1], *b = &all[i];
		if (a->network != b->network || !rtclab_addr_equal(&a->addr, &b->addr) || a->peer == b->peer)
			continue; /* two servers may share an IP (other ports); a peer may list an address twice */
		if (b->peer == RTCLAB_SCN_NONE) { /* servers sort last: a is the peer */
			const struct placed *t = a;
			a = b;
			b = t;
		}
		char ip[RTCLAB_ADDR_STRLEN];
		rtclab_addr_ip_format(&b->addr, ip, sizeof ip);
		const struct rtclab_scn_peer *pb = &sc->peers[b->peer];
		problem_line(p, RTCLAB_SCN_E_DUPLICATE_NAME, pb->line, pb->column, "peer '%s' has address %s, already used by %s '%s'",
			     pb->name, ip, a->peer == RTCLAB_SCN_NONE ? "server" : "peer",
			     a->peer == RTCLAB_SCN_NONE ? sc->servers[a->server].name : sc->peers[a->peer].name);
	}
	free(all);
}

void rtclab_scn_peers_(struct scn_parser *p, yaml_node_t *n)
{
	struct rtclab_scenario *sc = p->sc;
	if (!rtclab_scn_expect_(p, n, YAML_SEQUENCE_NODE, "peers"))
		return;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top && !p->oom; it++) {
		yaml_node_t *item = rtclab_scn_node_(p, *it, n);
		if (item)
			one_peer(p, item);
	}
	if (p->oom)
		return;
	if (sc->n_peers == 0) {
		rtclab_scn_problem_(p, RTCLAB_SCN_E_MISSING_KEY, n, 0, "peers: expected at least one peer");
		return;
	}
	struct by_name *sorted = malloc(sc->n_peers * sizeof *sorted);
	if (!sorted) {
		p->oom = true;
		return;
	}
	for (size_t i = 0; i < sc->n_peers; i++)
		sorted[i] = (struct by_name){sc->peers[i].name, i};
	qsort(sorted, sc->n_peers, sizeof *sorted, cmp_name);
	check_names(p, sorted, sc->n_peers);
	resolve_offers(p, sorted, sc->n_peers);
	free(sorted);
	default_session(sc);
	check_addresses(p);
}
