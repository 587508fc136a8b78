/* Scenario networks: links, NATs and NAT chains, LANs and servers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_internal.h"

/* --- links ------------------------------------------------------------------------- */

/* "5%" or a fraction "0.05"; digits in our hands so the locale plays no part. */
static bool parse_loss(const char *s, double *out)
{
	double v = 0, scale = 1;
	bool digits = false, dot = false;
	for (; (*s >= '0' && *s <= '9') || (*s == '.' && !dot); s++) {
		if (*s == '.') {
			dot = true;
			continue;
		}
		digits = true;
		if (dot)
			scale /= 10;
		v = dot ? v + (*s - '0') * scale : v * 10 + (*s - '0');
		if (v > 1000)
			return false;
	}
	if (!digits)
		return false;
	if (*s == '%') {
		v /= 100;
		s++;
	}
	if (*s != '\0' || v > 1)
		return false;
	*out = v;
	return true;
}

static void dir_latency(struct scn_parser *p, yaml_node_t *v, void *o)
{
	rtclab_scn_time_(p, v, &((struct rtclab_scn_dir *)o)->latency);
}
static void dir_jitter(struct scn_parser *p, yaml_node_t *v, void *o)
{
	rtclab_scn_time_(p, v, &((struct rtclab_scn_dir *)o)->jitter);
}
static void dir_loss(struct scn_parser *p, yaml_node_t *v, void *o)
{
	const char *s = rtclab_scn_string_(p, v, "loss");
	if (s && !parse_loss(s, &((struct rtclab_scn_dir *)o)->loss))
		rtclab_scn_problem_(p, RTCLAB_SCN_E_BAD_NUMBER, v, 0,
				    "loss: '%s' is not a loss rate: expected a percentage (2%%) or a fraction from 0 to 1 (0.02)", s);
}

static const struct scn_field dir_fields[] = {{"latency", dir_latency}, {"jitter", dir_jitter}, {"loss", dir_loss}};

struct link_nodes {
	yaml_node_t *both[3], *up, *down;
};
#define LINK_FIELD(name, slot)                                                  \
	static void link_##name(struct scn_parser *p, yaml_node_t *v, void *o) \
	{                                                                       \
		(void)p;                                                        \
		((struct link_nodes *)o)->slot = v;                             \
	}
LINK_FIELD(latency, both[0])
LINK_FIELD(jitter, both[1])
LINK_FIELD(loss, both[2])
LINK_FIELD(up, up)
LINK_FIELD(down, down)

static const struct scn_field link_fields[] = {
	{"latency", link_latency}, {"jitter", link_jitter}, {"loss", link_loss}, {"up", link_up}, {"down", link_down}};

/* Applied on top of *link (already holding the defaults): the values for
 * both directions first, then up, then down, whatever the key order. */
void rtclab_scn_link_(struct scn_parser *p, yaml_node_t *n, struct rtclab_scn_link *link)
{
	struct link_nodes ln = {{0}, 0, 0};
	rtclab_scn_walk_(p, n, link_fields, SCN_COUNT(link_fields), &ln, "a link");
	for (size_t i = 0; i < 3; i++) {
		if (!ln.both[i])
			continue;
		dir_fields[i].fn(p, ln.both[i], &link->up);
		link->down = (struct rtclab_scn_dir){
			i == 0 ? link->up.latency : link->down.latency,
			i == 1 ? link->up.jitter : link->down.jitter,
			i == 2 ? link->up.loss : link->down.loss,
		};
	}
	if (ln.up)
		rtclab_scn_walk_(p, ln.up, dir_fields, SCN_COUNT(dir_fields), &link->up, "a link direction (up)");
	if (ln.down)
		rtclab_scn_walk_(p, ln.down, dir_fields, SCN_COUNT(dir_fields), &link->down, "a link direction (down)");
}

void rtclab_scn_default_link_(struct scn_parser *p, yaml_node_t *n)
{
	rtclab_scn_link_(p, n, &p->sc->default_link);
}

/* --- one NAT ----------------------------------------------------------------------- */

static const char *const mapping_words[] = {"eim", "adm", "apdm", "endpoint-independent", "address-dependent",
					    "address-and-port-dependent"};
static const char *const filtering_words[] = {"eif", "adf", "apdf", "endpoint-independent", "address-dependent",
					      "address-and-port-dependent"};
static const char *const port_words[] = {"preserve", "sequential", "random"};

struct nat_nodes {
	yaml_node_t *preset, *mapping, *filtering, *ports, *parity, *hairpinning, *inbound_refresh, *lifetime,
		*external, *uplink;
};
#define NAT_FIELD(name, slot)                                                  \
	static void nat_##name(struct scn_parser *p, yaml_node_t *v, void *o) \
	{                                                                      \
		(void)p;                                                       \
		((struct nat_nodes *)o)->slot = v;                             \
	}
NAT_FIELD(preset, preset)
NAT_FIELD(mapping, mapping)
NAT_FIELD(filtering, filtering)
NAT_FIELD(ports, ports)
NAT_FIELD(parity, parity)
NAT_FIELD(hairpinning, hairpinning)
NAT_FIELD(inbound_refresh, inbound_refresh)
NAT_FIELD(lifetime, lifetime)
NAT_FIELD(external, external)
NAT_FIELD(uplink, uplink)

static const struct scn_field nat_fields[] = {
	{"preset", nat_preset},           {"mapping", nat_mapping},         {"filtering", nat_filtering},
	{"ports", nat_ports},             {"parity", nat_parity},           {"hairpinning", nat_hairpinning},
	{"inbound_refresh", nat_inbound_refresh}, {"mapping_lifetime", nat_lifetime}, {"external", nat_external},
	{"uplink", nat_uplink},
};

static void unknown_preset(struct scn_parser *p, yaml_node_t *n, size_t offset, const char *name, size_t len)
{
	static const char *const names[] = {"open", "full-cone", "restricted-cone", "port-restricted-cone",
					    "symmetric", "linux"};
	char word[64];
	snprintf(word, sizeof word, "%.*s", (int)(len < 63 ? len : 63), name);
	const char *near = rtclab_scn_closest_(word, names, SCN_COUNT(names));
	rtclab_scn_problem_(p, RTCLAB_SCN_E_UNKNOWN_PRESET, n, offset, "unknown NAT preset '%s'%s%s%s; the presets are: %s",
			    word, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "",
			    rtclab_scn_preset_list());
}

static void nat_externals(struct scn_parser *p, yaml_node_t *n, struct rtclab_scn_nat *nat)
{
	if (n->type == YAML_SCALAR_NODE) {
		if (rtclab_scn_ip_(p, n, &nat->external[0]))
			nat->n_external = 1;
		return;
	}
	if (!rtclab_scn_expect_(p, n, YAML_SEQUENCE_NODE, "external"))
		return;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *a = rtclab_scn_node_(p, *it, n);
		if (!a)
			continue;
		if (nat->n_external == RTCLAB_SCN_MAX_EXTERNAL) {
			rtclab_scn_problem_(p, RTCLAB_SCN_E_LIMIT, a, 0, "a NAT has at most %d external addresses",
					    RTCLAB_SCN_MAX_EXTERNAL);
			return;
		}
		if (rtclab_scn_ip_(p, a, &nat->external[nat->n_external]))
			nat->n_external++;
	}
}

static void nat_behaviours(struct scn_parser *p, const struct nat_nodes *nn, struct rtclab_scn_nat *nat)
{
	int w;
	bool b;
	rtclab_time_ns t;
	if (nn->mapping && (w = rtclab_scn_word_(p, nn->mapping, mapping_words, SCN_COUNT(mapping_words), "mapping")) >= 0)
		nat->mapping = (enum rtclab_scn_mapping)(w % 3);
	if (nn->filtering &&
	    (w = rtclab_scn_word_(p, nn->filtering, filtering_words, SCN_COUNT(filtering_words), "filtering")) >= 0)
		nat->filtering = (enum rtclab_scn_filtering)(w % 3);
	if (nn->ports && (w = rtclab_scn_word_(p, nn->ports, port_words, SCN_COUNT(port_words), "ports")) >= 0)
		nat->ports = (enum rtclab_scn_ports)w;
	if (nn->parity && rtclab_scn_bool_(p, nn->parity, &b))
		nat->parity = b;
	if (nn->hairpinning && rtclab_scn_bool_(p, nn->hairpinning, &b))
		nat->hairpinning = b;
	if (nn->inbound_refresh && rtclab_scn_bool_(p, nn->inbound_refresh, &b))
		nat->inbound_refresh = b;
	if (nn->lifetime && rtclab_scn_time_(p, nn->lifetime, &t)) {
		if (t == 0)
			rtclab_scn_problem_(p, RTCLAB_SCN_E_BAD_TIME, nn->lifetime, 0, "mapping_lifetime: expected a time above 0");
		else
			nat->mapping_lifetime = t;
	}
	if (nn->external)
		nat_externals(p, nn->external, nat);
}

/* A NAT written as a mapping: a preset to start from (or mapping and
 * filtering both given), then the explicit settings. */
static bool nat_from_map(struct scn_parser *p, yaml_node_t *n, struct rtclab_scn_nat *nat)
{
	struct nat_nodes nn = {0};
	rtclab_scn_walk_(p, n, nat_fields, SCN_COUNT(nat_fields), &nn, "a NAT");
	memset(nat, 0, sizeof *nat);
	if (nn.preset) {
		const char *s = rtclab_scn_string_(p, nn.preset, "preset");
		if (!s)
			return false;
		if (strcmp(s, "open") == 0) {
			rtclab_scn_problem_(p, RTCLAB_SCN_E_BAD_CHAIN, nn.preset, 0,
					    "'open' means no NAT: write 'nat: open' instead of a NAT with preset open");
			return false;
		}
		if (!rtclab_scn_nat_preset(s, strlen(s), nat)) {
			unknown_preset(p, nn.preset, 0, s, strlen(s));
			return false;
		}
	} else if (!nn.mapping || !nn.filtering) {
		if (n->type == YAML_MAPPING_NODE)
			rtclab_scn_problem_(p, RTCLAB_SCN_E_MISSING_KEY, n, 0,
					    "a NAT needs a 'preset', or both 'mapping' and 'filtering'");
		return false;
	} else {
		/* the defaults of every preset; mapping and filtering follow */
		rtclab_scn_nat_preset("eim-eif", 7, nat);
		strcpy(nat->preset, "custom");
	}
	nat_behaviours(p, &nn, nat);
	nat->uplink = p->sc->default_link;
	if (nn.uplink)
		rtclab_scn_link_(p, nn.uplink, &nat->uplink);
	return true;
}

/* --- NAT chains -------------------------------------------------------------------- */

static void place(struct rtclab_scn_nat *nat, const yaml_node_t *n, size_t offset)
{
	nat->line = (uint32_t)n->start_mark.line + 1;
	nat->column = (uint32_t)(n->start_mark.column + 1 + offset);
}

/* "symmetric/full-cone" appended to lan->nats. */
static void chain_text(struct scn_parser *p, yaml_node_t *n, struct rtclab_scn_lan *lan, bool alone)
{
	const char *s = rtclab_scn_string_(p, n, "a NAT");
	if (!s)
		return;
	size_t len = strlen(s), got = 0, off = 0;
	struct rtclab_scn_nat *out = lan->nats + lan->n_nats;
	enum rtclab_scn_error e =
		rtclab_scn_nat_chain_parse(s, len, out, RTCLAB_SCN_MAX_NATS - lan->n_nats, &got, &off);
	if (e == RTCLAB_SCN_OK && got == 0 && !alone)
		e = RTCLAB_SCN_E_BAD_CHAIN; /* "open" as one element of a list */
	if (e == RTCLAB_SCN_E_UNKNOWN_PRESET) {
		size_t end = off;
		while (end < len && s[end] != '/' && s[end] != ' ')
			end++;
		unknown_preset(p, n, off, s + off, end - off);
	} else if (e == RTCLAB_SCN_E_BAD_CHAIN) {
		rtclab_scn_problem_(p, e, n, off,
				    "bad NAT chain '%s': expected preset names from the peer outwards separated by '/' "
				    "(symmetric/full-cone), or 'open' alone for no NAT",
				    s);
	} else if (e == RTCLAB_SCN_E_LIMIT) {
		rtclab_scn_problem_(p, e, n, off, "a chain has at most %d NATs", RTCLAB_SCN_MAX_NATS);
	}
	if (e != RTCLAB_SCN_OK)
		return;
	/* each NAT's place: the start of its name in the text */
	size_t at = 0;
	for (size_t i = 0; i < got; i++) {
		while (at < len && (s[at] == ' ' || s[at] == '/'))
			at++;
		place(&out[i], n, at);
		out[i].uplink = p->sc->default_link;
		while (at < len && s[at] != '/')
			at++;
	}
	lan->n_nats += got;
}

static void chain_item(struct scn_parser *p, yaml_node_t *n, struct rtclab_scn_lan *lan, bool alone)
{
	if (n->type == YAML_SCALAR_NODE) {
		chain_text(p, n, lan, alone);
	} else if (lan->n_nats == RTCLAB_SCN_MAX_NATS) {
		rtclab_scn_problem_(p, RTCLAB_SCN_E_LIMIT, n, 0, "a chain has at most %d NATs", RTCLAB_SCN_MAX_NATS);
	} else if (nat_from_map(p, n, &lan->nats[lan->n_nats])) {
		place(&lan->nats[lan->n_nats], n, 0);
		lan->n_nats++;
	}
}

/* `nat:` as text, one mapping, or a list of both, from the peer outwards. */
static void nat_chain(struct scn_parser *p, yaml_node_t *n, struct rtclab_scn_lan *lan)
{
	lan->n_nats = 0;
	if (n->type != YAML_SEQUENCE_NODE) {
		chain_item(p, n, lan, true);
		return;
	}
	if (n->data.sequence.items.start == n->data.sequence.items.top)
		rtclab_scn_problem_(p, RTCLAB_SCN_E_BAD_CHAIN, n, 0, "an empty NAT chain: write 'open' for no NAT");
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *item = rtclab_scn_node_(p, *it, n);
		if (item)
			chain_item(p, item, lan, false);
	}
}

/* --- LANs -------------------------------------------------------------------------- */

static bool name_taken(struct scn_parser *p, yaml_node_t *n, const char *name, const char *kind)
{
	struct rtclab_scenario *sc = p->sc;
	bool dup = false;
	if (strcmp(kind, "LAN") == 0) {
		for (size_t i = 0; i < sc->n_lans; i++)
			dup = dup || strcmp(sc->lans[i].name, name) == 0;
	} else {
		dup = rtclab_scenario_server(sc, name) != RTCLAB_SCN_NONE;
	}
	if (dup)
		rtclab_scn_problem_(p, RTCLAB_SCN_E_DUPLICATE_NAME, n, 0, "there is already a %s named '%s'", kind, name);
	return dup;
}

struct lan_nodes {
	yaml_node_t *name, *nat;
};
static void lan_name(struct scn_parser *p, yaml_node_t *v, void *o)
{
	(void)p;
	((struct lan_nodes *)o)->name = v;
}
static void lan_nat(struct scn_parser *p, yaml_node_t *v, void *o)
{
	(void)p;
	((struct lan_nodes *)o)->nat = v;
}
static const struct scn_field lan_fields[] = {{"name", lan_name}, {"nat", lan_nat}};

static void one_lan(struct scn_parser *p, yaml_node_t *n)
{
	struct rtclab_scenario *sc = p->sc;
	struct lan_nodes ln = {0};
	rtclab_scn_walk_(p, n, lan_fields, SCN_COUNT(lan_fields), &ln, "a LAN");
	if (n->type != YAML_MAPPING_NODE)
		return;
	if (!ln.name || !ln.nat) {
		rtclab_scn_problem_(p, RTCLAB_SCN_E_MISSING_KEY, n, 0, "a LAN needs a 'name' and a 'nat'");
		return;
	}
	const char *name = rtclab_scn_string_(p, ln.name, "a LAN name");
	if (!name || name_taken(p, ln.name, name, "LAN") ||
	    !rtclab_scn_grow_(p, (void **)&sc->lans, &p->cap_lans, sc->n_lans, sizeof *sc->lans))
		return;
	struct rtclab_scn_lan *lan = &sc->lans[sc->n_lans];
	memset(lan, 0, sizeof *lan);
	lan->name = strdup(name);
	if (!lan->name) {
		p->oom = true;
		return;
	}
	lan->shared = true;
	lan->line = (uint32_t)n->start_mark.line + 1;
	lan->column = (uint32_t)n->start_mark.column + 1;
	sc->n_lans++;
	nat_chain(p, ln.nat, lan);
}

void rtclab_scn_lans_(struct scn_parser *p, yaml_node_t *n)
{
	if (!rtclab_scn_expect_(p, n, YAML_SEQUENCE_NODE, "lans"))
		return;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *item = rtclab_scn_node_(p, *it, n);
		if (item)
			one_lan(p, item);
	}
}

/* A LAN of its own for a peer without `lan:`; returns its index or NONE. */
size_t rtclab_scn_own_lan_(struct scn_parser *p, yaml_node_t *nat, const char *peer_name, yaml_node_t *at)
{
	struct rtclab_scenario *sc = p->sc;
	if (!rtclab_scn_grow_(p, (void **)&sc->lans, &p->cap_lans, sc->n_lans, sizeof *sc->lans))
		return RTCLAB_SCN_NONE;
	struct rtclab_scn_lan *lan = &sc->lans[sc->n_lans];
	memset(lan, 0, sizeof *lan);
	lan->name = strdup(peer_name);
	if (!lan->name) {
		p->oom = true;
		return RTCLAB_SCN_NONE;
	}
	lan->line = (uint32_t)at->start_mark.line + 1;
	lan->column = (uint32_t)at->start_mark.column + 1;
	sc->n_lans++;
	nat_chain(p, nat, lan);
	return sc->n_lans - 1;
}

/* --- servers ----------------------------------------------------------------------- */

struct server_nodes {
	yaml_node_t *name, *type, *address, *port, *other_address, *other_port, *transports, *realm, *users,
		*relay_address, *relay_ports, *alloc, *perm, *chan, *latency, *link;
};
#define SRV_FIELD(name, slot)                                                  \
	static void srv_##name(struct scn_parser *p, yaml_node_t *v, void *o) \
	{                                                                      \
		(void)p;                                                       \
		((struct server_nodes *)o)->slot = v;                          \
	}
SRV_FIELD(name, name)
SRV_FIELD(type, type)
SRV_FIELD(address, address)
SRV_FIELD(port, port)
SRV_FIELD(other_address, other_address)
SRV_FIELD(other_port, other_port)
SRV_FIELD(transports, transports)
SRV_FIELD(realm, realm)
SRV_FIELD(users, users)
SRV_FIELD(relay_address, relay_address)
SRV_FIELD(relay_ports, relay_ports)
SRV_FIELD(alloc, alloc)
SRV_FIELD(perm, perm)
SRV_FIELD(chan, chan)
SRV_FIELD(latency, latency)
SRV_FIELD(link, link)

static const struct scn_field server_fields[] = {
	{"name", srv_name},
	{"type", srv_type},
	{"address", srv_address},
	{"port", srv_port},
	{"other_address", srv_other_address},
	{"other_port", srv_other_port},
	{"transports", srv_transports},
	{"realm", srv_realm},
	{"users", srv_users},
	{"relay_address", srv_relay_address},
	{"relay_ports", srv_relay_ports},
	{"allocation_lifetime", srv_alloc},
	{"permission_lifetime", srv_perm},
	{"channel_lifetime", srv_chan},
	{"latency", srv_latency},
	{"link", srv_link},
};

/* Which keys each type of server has: bits of server_fields. */
#define SRV_COMMON 0x8007u /* name, type, address, link */
#define SRV_KEYS_STUN (SRV_COMMON | 0x0038u)
#define SRV_KEYS_TURN (SRV_COMMON | 0x0008u | 0x3FC0u)
#define SRV_KEYS_SIGNALING (SRV_COMMON | 0x0008u | 0x4000u)

static void check_keys(struct scn_parser *p, yaml_node_t *n, uint64_t seen, uint64_t allowed, const char *type)
{
	for (size_t i = 0; i < SCN_COUNT(server_fields); i++)
		if ((seen & ~allowed) & (1ull << i))
			rtclab_scn_problem_(p, RTCLAB_SCN_E_CONFLICT, n, 0, "a %s server has no '%s'", type,
					    server_fields[i].name);
}

static bool port_of(struct scn_parser *p, yaml_node_t *n, uint16_t *port, const char *what)
{
	uint64_t v;
	if (!rtclab_scn_uint_(p, n, 65535, &v, what))
		return false;
	if (v == 0) {
		rtclab_scn_problem_(p, RTCLAB_SCN_E_BAD_NUMBER, n, 0, "%s: port 0 cannot be used", what);
		return false;
	}
	*port = (uint16_t)v;
	return true;
}

static void turn_transports(struct scn_parser *p, yaml_node_t *n, unsigned *out)
{
	static const char *const words[] = {"udp", "tcp"};
	unsigned got = 0;
	if (n->type == YAML_SCALAR_NODE) {
		int w = rtclab_scn_word_(p, n, words, 2, "transports");
		if (w >= 0)
			*out = 1u << w;
		return;
	}
	if (!rtclab_scn_expect_(p, n, YAML_SEQUENCE_NODE, "transports"))
		return;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *t = rtclab_scn_node_(p, *it, n);
		int w = t ? rtclab_scn_word_(p, t, words, 2, "transports") : -1;
		if (w >= 0)
			got |= 1u << w;
	}
	if (got)
		*out = got;
	else
		rtclab_scn_problem_(p, RTCLAB_SCN_E_BAD_VALUE, n, 0, "transports: expected udp, tcp or both");
}

static void turn_users(struct scn_parser *p, yaml_node_t *n, struct rtclab_scn_server *s)
{
	if (!rtclab_scn_expect_(p, n, YAML_MAPPING_NODE, "users (username: password)"))
		return;
	size_t count = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	s->users = calloc(count ? count : 1, sizeof *s->users);
	if (!s->users) {
		p->oom = true;
		return;
	}
	for (yaml_node_pair_t *pair = n->data.mapping.pairs.start; pair < n->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = rtclab_scn_node_(p, pair->key, n), *v = rtclab_scn_node_(p, pair->value, k);
		if (!k || !v)
			continue;
		char *user = rtclab_scn_strdup_(p, k, "a username"), *pass = rtclab_scn_strdup_(p, v, "a password");
		if (!user || !pass) {
			free(user);
			free(pass);
			continue;
		}
		s->users[s->n_users].username = user;
		s->users[s->n_users++].password = pass;
	}
}

static void relay_ports(struct scn_parser *p, yaml_node_t *n, struct rtclab_scn_server *s)
{
	const char *t = rtclab_scn_string_(p, n, "relay_ports");
	unsigned lo, hi;
	char end;
	if (!t)
		return;
	if (sscanf(t, "%5u-%5u%c", &lo, &hi, &end) != 2 || lo == 0 || lo > hi || hi > 65535) {
		rtclab_scn_problem_(p, RTCLAB_SCN_E_BAD_NUMBER, n, 0,
				    "relay_ports: '%s' is not a port range: expected LOW-HIGH within 1-65535 (49152-65535)", t);
		return;
	}
	s->relay_min = (uint16_t)lo;
	s->relay_max = (uint16_t)hi;
}

static void lifetime(struct scn_parser *p, yaml_node_t *n, rtclab_time_ns *out)
{
	rtclab_time_ns t;
	if (!n || !rtclab_scn_time_(p, n, &t))
		return;
	if (t < RTCLAB_SEC(1))
		rtclab_scn_problem_(p, RTCLAB_SCN_E_BAD_TIME, n, 0, "a lifetime is at least 1s");
	else
		*out = t;
}

/* RFC 8656 defaults: allocations 10 min (3.2), permissions 5 min (9),
 * channels 10 min (12). */
static void server_defaults(struct rtclab_scn_server *s, const struct rtclab_scn_link *link)
{
	s->addr.port = s->type == RTCLAB_SCN_SIGNALING ? 443 : 3478;
	s->other.port = 3479;
	s->transports = RTCLAB_SCN_UDP;
	s->relay_min = 49152;
	s->relay_max = 65535;
	s->allocation_lifetime = RTCLAB_SEC(600);
	s->permission_lifetime = RTCLAB_SEC(300);
	s->channel_lifetime = RTCLAB_SEC(600);
	s->link = *link;
}

static void server_values(struct scn_parser *p, const struct server_nodes *sn, struct rtclab_scn_server *s)
{
	if (sn->address && rtclab_scn_ip_(p, sn->address, &s->addr))
		s->addr.port = s->type == RTCLAB_SCN_SIGNALING ? 443 : 3478;
	if (sn->port)
		port_of(p, sn->port, &s->addr.port, "port");
	if (sn->other_address && rtclab_scn_ip_(p, sn->other_address, &s->other)) {
		s->has_other = true;
		s->other.port = 3479;
		if (s->other.family != s->addr.family || rtclab_addr_equal(&s->other, &s->addr))
			rtclab_scn_problem_(p, RTCLAB_SCN_E_CONFLICT, sn->other_address, 0,
					    "other_address must be a second address of the same family (RFC 5780 needs two IPs)");
	}
	if (sn->other_port)
		port_of(p, sn->other_port, &s->other.port, "other_port");
	if (sn->other_port && !sn->other_address)
		rtclab_scn_problem_(p, RTCLAB_SCN_E_CONFLICT, sn->other_port, 0, "other_port needs an other_address");
	if (sn->transports)
		turn_transports(p, sn->transports, &s->transports);
	if (sn->realm)
		s->realm = rtclab_scn_strdup_(p, sn->realm, "realm");
	if (sn->users)
		turn_users(p, sn->users, s);
	s->relay_ip = s->addr;
	s->relay_ip.port = 0;
	if (sn->relay_address)
		rtclab_scn_ip_(p, sn->relay_address, &s->relay_ip);
	if (sn->relay_ports)
		relay_ports(p, sn->relay_ports, s);
	lifetime(p, sn->alloc, &s->allocation_lifetime);
	lifetime(p, sn->perm, &s->permission_lifetime);
	lifetime(p, sn->chan, &s->channel_lifetime);
	if (sn->latency)
		rtclab_scn_time_(p, sn->latency, &s->latency);
	if (sn->link)
		rtclab_scn_link_(p, sn->link, &s->link);
}

static void server_required(struct scn_parser *p, yaml_node_t *n, const struct server_nodes *sn,
			    struct rtclab_scn_server *s)
{
	if (!sn->address)
		rtclab_scn_problem_(p, RTCLAB_SCN_E_MISSING_KEY, n, 0, "server '%s' has no 'address'", s->name);
	if (s->type == RTCLAB_SCN_TURN && s->n_users == 0 && !sn->users)
		rtclab_scn_problem_(p, RTCLAB_SCN_E_MISSING_KEY, n, 0,
				    "TURN server '%s' has no 'users' (username: password); RFC 8656 requires authentication",
				    s->name);
	if (s->type == RTCLAB_SCN_TURN && !s->realm && !p->oom) {
		s->realm = strdup("rtclab");
		p->oom = !s->realm;
	}
}

static void one_server(struct scn_parser *p, yaml_node_t *n)
{
	static const char *const types[] = {"stun", "turn", "signaling"};
	static const uint64_t keys[] = {SRV_KEYS_STUN, SRV_KEYS_TURN, SRV_KEYS_SIGNALING};
	struct rtclab_scenario *sc = p->sc;
	struct server_nodes sn = {0};
	uint64_t seen = rtclab_scn_walk_(p, n, server_fields, SCN_COUNT(server_fields), &sn, "a server");
	if (n->type != YAML_MAPPING_NODE)
		return;
	if (!sn.name || !sn.type) {
		rtclab_scn_problem_(p, RTCLAB_SCN_E_MISSING_KEY, n, 0, "a server needs a 'name' and a 'type' (stun, turn or signaling)");
		return;
	}
	const char *name = rtclab_scn_string_(p, sn.name, "a server name");
	int type = rtclab_scn_word_(p, sn.type, types, SCN_COUNT(types), "type");
	if (!name || type < 0 || name_taken(p, sn.name, name, "server") ||
	    !rtclab_scn_grow_(p, (void **)&sc->servers, &p->cap_servers, sc->n_servers, sizeof *sc->servers))
		return;
	struct rtclab_scn_server *s = &sc->servers[sc->n_servers];
	memset(s, 0, sizeof *s);
	if (!(s->name = strdup(name))) {
		p->oom = true;
		return;
	}
	sc->n_servers++;
	s->type = (enum rtclab_scn_server_type)type;
	s->line = (uint32_t)n->start_mark.line + 1;
	s->column = (uint32_t)n->start_mark.column + 1;
	server_defaults(s, &sc->default_link);
	check_keys(p, n, seen, keys[type], types[type]);
	server_values(p, &sn, s);
	server_required(p, n, &sn, s);
}

/* The signaling server: the one declared, or a default one (198.51.100.250:443,
 * no delay) so that a scenario about NATs need not describe it. */
static void signaling(struct scn_parser *p, yaml_node_t *n)
{
	struct rtclab_scenario *sc = p->sc;
	for (size_t i = 0; i < sc->n_servers; i++) {
		if (sc->servers[i].type != RTCLAB_SCN_SIGNALING)
			continue;
		if (sc->signaling != RTCLAB_SCN_NONE)
			rtclab_scn_problem_(p, RTCLAB_SCN_E_LIMIT, n, 0, "only one signaling server is allowed ('%s' and '%s')",
					    sc->servers[sc->signaling].name, sc->servers[i].name);
		else
			sc->signaling = i;
	}
	if (sc->signaling != RTCLAB_SCN_NONE)
		return;
	if (rtclab_scenario_server(sc, "signaling") != RTCLAB_SCN_NONE) {
		rtclab_scn_problem_(p, RTCLAB_SCN_E_CONFLICT, n, 0,
				    "a server is named 'signaling' but there is no signaling server: add one "
				    "or rename it (the default signaling server takes that name)");
		return;
	}
	if (!rtclab_scn_grow_(p, (void **)&sc->servers, &p->cap_servers, sc->n_servers, sizeof *sc->servers))
		return;
	struct rtclab_scn_server *s = &sc->servers[sc->n_servers];
	memset(s, 0, sizeof *s);
	if (!(s->name = strdup("signaling"))) {
		p->oom = true;
		return;
	}
	s->type = RTCLAB_SCN_SIGNALING;
	server_defaults(s, &sc->default_link);
	rtclab_addr_ip_parse(&s->addr, "198.51.100.250");
	s->addr.port = 443;
	s->implicit = true;
	sc->signaling = sc->n_servers++;
}

void rtclab_scn_servers_(struct scn_parser *p, yaml_node_t *n)
{
	if (n && rtclab_scn_expect_(p, n, YAML_SEQUENCE_NODE, "servers")) {
		for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
			yaml_node_t *item = rtclab_scn_node_(p, *it, n);
			if (item)
				one_server(p, item);
		}
	}
	signaling(p, n);
}
