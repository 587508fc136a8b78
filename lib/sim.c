/* A scenario run: the network of the scenario built in simnet (a realm per
 * LAN and per NAT between it and the internet), the servers, the peers,
 * one wire per realm that turns what crosses it into frames, the run and
 * its results.  The signaling is in sim_signal.c, the peers in sim_peer.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtclab/sim.h"
#include "sim_internal.h"

const char *rtclab_sim_error_str(enum rtclab_sim_error e)
{
	switch (e) {
	case RTCLAB_SIM_OK: return "no error";
	case RTCLAB_SIM_E_NOMEM: return "out of memory";
	case RTCLAB_SIM_E_SCENARIO: return "the scenario has problems";
	case RTCLAB_SIM_E_NETWORK: return "the network could not be built";
	case RTCLAB_SIM_E_SERVER: return "a server could not be created";
	case RTCLAB_SIM_E_AGENT: return "an ICE agent could not be created";
	}
	return "unknown error";
}

/* --- buffers ------------------------------------------------------------------------ */

void sim_buf_add(struct sim_buf *b, const void *p, size_t n)
{
	if (b->len + n > SIM_WS_MAX)
		return; /* a stream this large is not signaling: the excess is dropped */
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 1024;
		while (cap < b->len + n)
			cap *= 2;
		uint8_t *q = realloc(b->p, cap);
		if (!q)
			return;
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

void sim_buf_consume(struct sim_buf *b, size_t n)
{
	memmove(b->p, b->p + n, b->len - n);
	b->len -= n;
}

/* --- wires: what crosses a realm becomes frames ------------------------------------- */

static void on_frame(void *arg, const uint8_t *frame, size_t len)
{
	struct rtclab_sim *sim = arg;
	if (sim->hooks.frame)
		sim->hooks.frame(sim->hooks.arg, sim->current_wire, sim->current_time, frame, len);
}

static void on_tap(void *arg, const struct rtclab_simnet_tap *t)
{
	struct rtclab_sim *sim = arg;
	if (t->realm >= sim->n_wires)
		return;
	struct rtclab_wire *w = sim->wires[t->realm].wire;
	sim->current_wire = t->realm;
	sim->current_time = RTCLAB_SIM_EPOCH_NS + t->time;
	if (t->l4 == RTCLAB_L4_TCP && t->syn)
		rtclab_wire_tcp_open(w, &t->src, &t->dst, on_frame, sim);
	if (t->len || t->l4 == RTCLAB_L4_UDP)
		rtclab_wire_send(w, t->l4, &t->src, &t->dst, t->data, t->len, on_frame, sim);
}

static void on_decision(void *arg, unsigned nat, const char *nat_name, const struct rtclab_nat_decision *d)
{
	struct rtclab_sim *sim = arg;
	(void)nat;
	if (sim->hooks.nat)
		sim->hooks.nat(sim->hooks.arg, RTCLAB_SIM_EPOCH_NS + d->time, nat_name, d);
}

static bool add_wire(struct rtclab_sim *sim, const char *name, const char *description, unsigned *realm,
		     char *err, size_t err_len)
{
	enum rtclab_simnet_error e = rtclab_simnet_realm_add(sim->net, name, realm);
	if (e != RTCLAB_SIMNET_OK) {
		snprintf(err, err_len, "realm %s: %s", name, rtclab_simnet_error_str(e));
		return false;
	}
	struct sim_wire *w = realloc(sim->wires, (*realm + 1) * sizeof *w);
	if (!w)
		return false;
	sim->wires = w;
	for (size_t i = sim->n_wires; i <= *realm; i++)
		memset(&sim->wires[i], 0, sizeof sim->wires[i]);
	sim->n_wires = *realm + 1;
	struct rtclab_wire_options wo = {0};
	wo.rng = &sim->rng;
	sim->wires[*realm].wire = rtclab_wire_new(&wo);
	snprintf(sim->wires[*realm].name, sizeof sim->wires[*realm].name, "%s", name);
	snprintf(sim->wires[*realm].description, sizeof sim->wires[*realm].description, "%s", description);
	return sim->wires[*realm].wire != NULL;
}

/* --- the network ---------------------------------------------------------------------- */

static void link_of(const struct rtclab_scn_dir *d, struct rtclab_simnet_link *out)
{
	out->latency = d->latency;
	out->jitter = d->jitter;
	out->loss = d->loss;
}

/* A NAT of the scenario as the NAT model's configuration. */
static void nat_config(const struct rtclab_scn_nat *n, struct rtclab_nat_config *cfg)
{
	rtclab_nat_config_default(cfg);
	static const enum rtclab_nat_behavior behavior[] = {RTCLAB_NAT_EI, RTCLAB_NAT_AD, RTCLAB_NAT_APD};
	static const enum rtclab_nat_port_alloc ports[] = {RTCLAB_NAT_PORT_PRESERVE, RTCLAB_NAT_PORT_SEQUENTIAL,
							   RTCLAB_NAT_PORT_RANDOM};
	cfg->translate = true;
	cfg->mapping = behavior[n->mapping];
	cfg->filtering = behavior[n->filtering];
	cfg->port_alloc = ports[n->ports];
	cfg->port_parity = n->parity;
	cfg->hairpin = n->hairpinning ? RTCLAB_NAT_HAIRPIN_EXTERNAL : RTCLAB_NAT_HAIRPIN_OFF;
	cfg->inbound_refresh = n->inbound_refresh;
	if (n->mapping_lifetime > 0)
		cfg->udp_lifetime = n->mapping_lifetime;
}

/* An external address for a NAT that the scenario gives none: the
 * outermost NAT of a chain gets a public one (203.0.113.0/24, RFC 5737),
 * a NAT behind another a carrier-grade one (100.64.0.0/10, RFC 6598). */
static void auto_external(struct rtclab_sim *sim, bool outermost, struct rtclab_addr *a)
{
	unsigned k = ++sim->n_public;
	memset(a, 0, sizeof *a);
	a->family = RTCLAB_FAMILY_IPV4;
	if (outermost && k < 240) {
		a->ip[0] = 203, a->ip[1] = 0, a->ip[2] = 113, a->ip[3] = (uint8_t)(10 + k);
	} else if (outermost) { /* more: the benchmarking range 198.18.0.0/15 (RFC 2544) */
		a->ip[0] = 198, a->ip[1] = (uint8_t)(18 + (k >> 16) % 2), a->ip[2] = (uint8_t)(k >> 8), a->ip[3] = (uint8_t)k;
	} else {
		a->ip[0] = 100, a->ip[1] = (uint8_t)(64 + (k >> 8) % 64), a->ip[2] = (uint8_t)k, a->ip[3] = 1;
	}
}

static bool build_lan(struct rtclab_sim *sim, size_t li, char *err, size_t err_len)
{
	const struct rtclab_scn_lan *lan = &sim->sc->lans[li];
	if (lan->n_nats == 0) {
		sim->lan_realm[li] = RTCLAB_SIMNET_INTERNET;
		return true;
	}
	char name[64], desc[128];
	snprintf(name, sizeof name, "%s", lan->name);
	snprintf(desc, sizeof desc, "inside LAN %s, behind its %s NAT", lan->name, lan->nats[0].preset);
	unsigned inner;
	if (!add_wire(sim, name, desc, &inner, err, err_len))
		return false;
	sim->lan_realm[li] = inner;
	for (size_t k = 0; k < lan->n_nats; k++) {
		const struct rtclab_scn_nat *n = &lan->nats[k];
		bool outermost = k + 1 == lan->n_nats;
		unsigned outer = RTCLAB_SIMNET_INTERNET;
		if (!outermost) {
			snprintf(name, sizeof name, "%s/%s", lan->name, lan->nats[k + 1].preset);
			snprintf(desc, sizeof desc, "between LAN %s's NAT and the %s NAT outside it", lan->name,
				 lan->nats[k + 1].preset);
			if (!add_wire(sim, name, desc, &outer, err, err_len))
				return false;
		}
		struct rtclab_nat_config cfg;
		nat_config(n, &cfg);
		struct rtclab_addr ext[RTCLAB_SCN_MAX_EXTERNAL];
		size_t n_ext = n->n_external;
		memcpy(ext, n->external, sizeof ext);
		if (!n_ext)
			auto_external(sim, outermost, &ext[n_ext++]);
		char nat_name[64];
		snprintf(nat_name, sizeof nat_name, "NAT %s%s%s", lan->name, k ? " " : "", k ? n->preset : "");
		unsigned id;
		enum rtclab_nat_error ne = RTCLAB_NAT_OK;
		enum rtclab_simnet_error e =
			rtclab_simnet_nat_add(sim->net, nat_name, outer, inner, &cfg, ext, n_ext, &id, &ne);
		if (e != RTCLAB_SIMNET_OK) {
			snprintf(err, err_len, "line %u: the %s NAT of LAN %s: %s", n->line, n->preset, lan->name,
				 rtclab_simnet_error_str(e));
			return false;
		}
		struct rtclab_simnet_link up, down;
		link_of(&n->uplink.up, &up);
		link_of(&n->uplink.down, &down);
		rtclab_simnet_nat_link(sim->net, id, &up, &down);
		sim->lan_nats[li][k] = id;
		inner = outer;
	}
	return true;
}

/* --- hosts: delivery and timers ---------------------------------------------------- */

static void peer_deliver(void *arg, rtclab_time_ns now, enum rtclab_l4 l4, const struct rtclab_addr *local,
			 const struct rtclab_addr *src, const void *data, size_t len)
{
	struct sim_peer *p = arg;
	/* an extra session of this host: its ports say which */
	unsigned k = local->port >= SIM_AGENT_PORT ? (unsigned)(local->port - SIM_AGENT_PORT)
		     : local->port >= SIM_SIGNAL_PORT ? (unsigned)(local->port - SIM_SIGNAL_PORT) : 0;
	if (k >= 1 && k <= p->n_extra && local->port < SIM_AGENT_PORT + 5000)
		p = &p->sim->peers[p->first_extra + k - 1];
	if (p->stopped)
		return;
	if (l4 == RTCLAB_L4_TCP && rtclab_addr_equal(local, &p->signal_local))
		sim_ws_client_data(p, now, data, len);
	else
		sim_peer_udp(p, now, l4, local, src, data, len); /* UDP, or TURN over TCP */
}

static void server_arm(struct sim_server *s);

static void server_timer(void *arg, rtclab_time_ns now)
{
	struct sim_server *s = arg;
	s->timer = 0;
	if (s->turn)
		rtclab_turn_server_tick(s->turn, now);
	server_arm(s);
}

static void server_arm(struct sim_server *s)
{
	if (!s->turn)
		return;
	rtclab_time_ns at = rtclab_turn_server_next_timer(s->turn);
	if (s->timer && at == s->timer_at)
		return;
	if (s->timer)
		rtclab_simnet_timer_cancel(s->ep.net, s->timer);
	s->timer = 0;
	if (at != RTCLAB_NEVER) {
		rtclab_time_ns now = rtclab_simnet_now(s->ep.net);
		s->timer_at = at < now ? now : at;
		s->timer = rtclab_simnet_timer(s->ep.net, s->timer_at, server_timer, s);
	}
}

static void server_deliver(void *arg, rtclab_time_ns now, enum rtclab_l4 l4, const struct rtclab_addr *local,
			   const struct rtclab_addr *src, const void *data, size_t len)
{
	struct sim_server *s = arg;
	switch (s->type) {
	case RTCLAB_SCN_STUN:
		if (s->stun)
			rtclab_stun_server_receive(s->stun, now, l4, local, src, data, len);
		break;
	case RTCLAB_SCN_TURN:
		if (s->turn)
			rtclab_turn_server_receive(s->turn, now, l4, local, src, data, len);
		server_arm(s);
		break;
	case RTCLAB_SCN_SIGNALING:
		if (l4 == RTCLAB_L4_TCP)
			sim_signal_server_data(s, now, src, data, len);
		break;
	}
}

void sim_peer_send_tcp(struct sim_peer *p, const void *data, size_t len)
{
	const struct rtclab_scn_server *sig = &p->sim->sc->servers[p->sim->sc->signaling];
	rtclab_simnet_send_fn(&p->ep, rtclab_simnet_now(p->ep.net), RTCLAB_L4_TCP, &p->signal_local, &sig->addr,
			      data, len);
}

void sim_server_send_tcp(struct sim_server *s, const struct rtclab_addr *to, const void *data, size_t len)
{
	rtclab_simnet_send_fn(&s->ep, rtclab_simnet_now(s->ep.net), RTCLAB_L4_TCP, &s->ss->addr, to, data, len);
}

/* --- servers ---------------------------------------------------------------------------- */

static bool build_server(struct rtclab_sim *sim, size_t i, char *err, size_t err_len)
{
	const struct rtclab_scn_server *ss = &sim->sc->servers[i];
	struct sim_server *s = &sim->servers[i];
	s->sim = sim;
	s->type = ss->type;
	s->ss = ss;
	rtclab_rng_fork(&sim->rng, &s->rng);
	if (rtclab_simnet_host_add(sim->net, ss->name, server_deliver, s, &s->host) != RTCLAB_SIMNET_OK)
		return false;
	s->ep.net = sim->net;
	s->ep.host = s->host;
	struct rtclab_addr ip = ss->addr;
	ip.port = 0;
	enum rtclab_simnet_error e = rtclab_simnet_host_addr_add(sim->net, s->host, RTCLAB_SIMNET_INTERNET, &ip);
	if (e == RTCLAB_SIMNET_OK && ss->has_other) {
		struct rtclab_addr other = ss->other;
		other.port = 0;
		if (!rtclab_addr_equal(&other, &ip))
			e = rtclab_simnet_host_addr_add(sim->net, s->host, RTCLAB_SIMNET_INTERNET, &other);
	}
	if (e == RTCLAB_SIMNET_OK && ss->type == RTCLAB_SCN_TURN && ss->relay_ip.family) {
		struct rtclab_addr relay = ss->relay_ip;
		relay.port = 0;
		if (!rtclab_addr_equal(&relay, &ip))
			e = rtclab_simnet_host_addr_add(sim->net, s->host, RTCLAB_SIMNET_INTERNET, &relay);
	}
	if (e != RTCLAB_SIMNET_OK) {
		snprintf(err, err_len, "line %u: server %s: %s", ss->line, ss->name, rtclab_simnet_error_str(e));
		return false;
	}
	struct rtclab_simnet_link up, down;
	link_of(&ss->link.up, &up);
	link_of(&ss->link.down, &down);
	rtclab_simnet_host_link(sim->net, s->host, &up, &down);
	enum rtclab_server_error se = RTCLAB_SERVER_OK;
	if (ss->type == RTCLAB_SCN_STUN) {
		struct rtclab_stun_server_config c = {0};
		c.primary = ss->addr;
		if (ss->has_other)
			c.alternate = ss->other;
		c.software = "rtclab simulated STUN server";
		c.send = rtclab_simnet_send_fn;
		c.send_arg = &s->ep;
		se = rtclab_stun_server_new(&c, &s->stun);
	} else if (ss->type == RTCLAB_SCN_TURN) {
		struct rtclab_turn_user users[16];
		size_t n = ss->n_users < 16 ? ss->n_users : 16;
		for (size_t k = 0; k < n; k++) {
			users[k].username = ss->users[k].username;
			users[k].password = ss->users[k].password;
		}
		struct rtclab_turn_server_config c = {0};
		c.listen = ss->addr;
		c.relay_ip = ss->relay_ip.family ? ss->relay_ip : ss->addr;
		c.relay_port_min = ss->relay_min;
		c.relay_port_max = ss->relay_max;
		c.realm = ss->realm ? ss->realm : "rtclab.sim";
		c.users = users;
		c.n_users = n;
		c.software = "rtclab simulated TURN server";
		c.default_lifetime_s = (uint32_t)(ss->allocation_lifetime / RTCLAB_SEC(1));
		c.rng = &s->rng;
		c.send = rtclab_simnet_send_fn;
		c.send_arg = &s->ep;
		size_t where = 0;
		se = rtclab_turn_server_new(&c, &s->turn, &where);
	}
	if (se != RTCLAB_SERVER_OK) {
		snprintf(err, err_len, "line %u: server %s: %s", ss->line, ss->name, rtclab_server_error_str(se));
		return false;
	}
	return true;
}

/* --- peers ------------------------------------------------------------------------------ */

static bool build_peer(struct rtclab_sim *sim, size_t i, char *err, size_t err_len)
{
	const struct rtclab_scn_peer *sp = &sim->sc->peers[i];
	struct sim_peer *p = &sim->peers[i];
	p->sim = sim;
	p->index = i;
	p->sp = sp;
	p->owner = i;
	snprintf(p->name, sizeof p->name, "%s", sp->name);
	p->partner = SIZE_MAX;
	p->selected_at = -1;
	rtclab_rng_fork(&sim->rng, &p->rng);
	unsigned realm = sim->lan_realm[sp->lan];
	if (sp->firewall != RTCLAB_SCN_FW_NONE) {
		/* the peer's own firewall: a router that does not translate, between
		 * the peer and its LAN */
		char name[64], desc[128];
		snprintf(name, sizeof name, "%s host", sp->name);
		snprintf(desc, sizeof desc, "between %s and its firewall (%s)", sp->name,
			 rtclab_scn_firewall_name(sp->firewall));
		unsigned inner;
		if (!add_wire(sim, name, desc, &inner, err, err_len))
			return false;
		struct rtclab_nat_config cfg;
		rtclab_nat_config_default(&cfg);
		cfg.translate = false;
		cfg.firewall = sp->firewall == RTCLAB_SCN_FW_BLOCK_UDP ? RTCLAB_NAT_FW_BLOCK_UDP : RTCLAB_NAT_FW_TCP_443;
		unsigned id;
		enum rtclab_nat_error ne;
		char fw_name[64];
		snprintf(fw_name, sizeof fw_name, "firewall %s", sp->name);
		if (rtclab_simnet_nat_add(sim->net, fw_name, realm, inner, &cfg, NULL, 0, &id, &ne) != RTCLAB_SIMNET_OK) {
			snprintf(err, err_len, "line %u: the firewall of %s could not be built", sp->line, sp->name);
			return false;
		}
		realm = inner;
	}
	if (rtclab_simnet_host_add(sim->net, sp->name, peer_deliver, p, &p->host) != RTCLAB_SIMNET_OK)
		return false;
	p->realm = realm;
	p->ep.net = sim->net;
	p->ep.host = p->host;
	for (size_t k = 0; k < sp->n_addrs; k++) {
		struct rtclab_addr ip = sp->addrs[k];
		ip.port = 0;
		enum rtclab_simnet_error e = rtclab_simnet_host_addr_add(sim->net, p->host, realm, &ip);
		if (e != RTCLAB_SIMNET_OK) {
			snprintf(err, err_len, "line %u: peer %s: %s", sp->line, sp->name, rtclab_simnet_error_str(e));
			return false;
		}
		p->sockets[p->n_sockets] = ip;
		p->sockets[p->n_sockets++].port = SIM_AGENT_PORT;
	}
	p->signal_local = p->sockets[0];
	for (size_t k = 0; k < p->n_sockets; k++)
		if (p->sockets[k].family == sim->sc->servers[sim->sc->signaling].addr.family)
			p->signal_local = p->sockets[k];
	p->signal_local.port = SIM_SIGNAL_PORT;
	struct rtclab_simnet_link up, down;
	link_of(&sp->link.up, &up);
	link_of(&sp->link.down, &down);
	rtclab_simnet_host_link(sim->net, p->host, &up, &down);
	return true;
}

/* A further session of peer `owner` (an answerer with several offerers):
 * the same host and addresses, the next ports. */
static struct sim_peer *extra_session(struct rtclab_sim *sim, size_t owner)
{
	struct sim_peer *o = &sim->peers[owner];
	if (o->n_extra >= 4000 || sim->n_entries >= sim->n_peers * 2 + 1)
		return NULL;
	if (!o->n_extra)
		o->first_extra = sim->n_entries;
	else if (o->first_extra + o->n_extra != sim->n_entries)
		return NULL; /* an owner's extras are consecutive */
	size_t k = ++o->n_extra;
	struct sim_peer *p = &sim->peers[sim->n_entries];
	memset(p, 0, sizeof *p);
	p->sim = sim;
	p->index = sim->n_entries++;
	p->sp = o->sp;
	p->owner = owner;
	snprintf(p->name, sizeof p->name, "%s#%zu", o->sp->name, k + 1);
	p->partner = SIZE_MAX;
	p->selected_at = -1;
	rtclab_rng_fork(&sim->rng, &p->rng);
	p->host = o->host;
	p->ep = o->ep;
	p->n_sockets = o->n_sockets;
	for (size_t a = 0; a < o->n_sockets; a++) {
		p->sockets[a] = o->sockets[a];
		p->sockets[a].port = (uint16_t)(SIM_AGENT_PORT + k);
	}
	p->signal_local = o->signal_local;
	p->signal_local.port = (uint16_t)(SIM_SIGNAL_PORT + k);
	return p;
}

/* Offerers and their partners, from `offer_to`: an answerer with several
 * offerers answers each in a session of its own. */
static bool pair_peers(struct rtclab_sim *sim)
{
	size_t n = 0;
	for (size_t i = 0; i < sim->n_peers; i++)
		n += sim->sc->peers[i].offer_to != RTCLAB_SCN_NONE;
	sim->results = calloc(n ? n : 1, sizeof *sim->results);
	sim->result_answerer = calloc(n ? n : 1, sizeof *sim->result_answerer);
	if (!sim->results || !sim->result_answerer)
		return false;
	for (size_t i = 0; i < sim->n_peers; i++) {
		size_t to = sim->sc->peers[i].offer_to;
		if (to == RTCLAB_SCN_NONE || to >= sim->n_peers)
			continue;
		struct sim_peer *answer = &sim->peers[to];
		if (answer->partner != SIZE_MAX && !(answer = extra_session(sim, to)))
			continue;
		sim->peers[i].offerer = true;
		sim->peers[i].partner = answer->index;
		answer->partner = i;
		struct rtclab_sim_result *r = &sim->results[sim->n_results];
		sim->result_answerer[sim->n_results++] = answer->index;
		r->offerer = i;
		r->answerer = to;
		r->connected_at = -1;
	}
	return true;
}

/* --- the script ---------------------------------------------------------------------- */

static void limit(struct rtclab_sim *sim, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void limit(struct rtclab_sim *sim, const char *fmt, ...)
{
	if (sim->n_limits >= 16)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sim->limits[sim->n_limits++], sizeof sim->limits[0], fmt, ap);
	va_end(ap);
}

/* What the scenario asks for that this simulator does not do: said, never
 * silently ignored.  A parsed scenario asks nothing of the kind today (the
 * parser refuses discovery against a one-address server); a model built
 * by hand may. */
static void note_limits(struct rtclab_sim *sim)
{
	const struct rtclab_scenario *sc = sim->sc;
	for (size_t i = 0; i < sc->n_peers; i++) {
		const struct rtclab_scn_peer *p = &sc->peers[i];
		if (p->discover != RTCLAB_SCN_NONE && !sc->servers[p->discover].has_other)
			limit(sim, "line %u: %s runs RFC 5780 discovery against a STUN server with one address", p->line,
			      p->name);
	}
}

static struct rtclab_nat *event_nat(struct rtclab_sim *sim, const struct rtclab_scn_event *e)
{
	const struct rtclab_scn_peer *sp = &sim->sc->peers[e->peer];
	const struct rtclab_scn_lan *lan = &sim->sc->lans[sp->lan];
	size_t k = e->nat == RTCLAB_SCN_NONE ? 0 : e->nat;
	return k < lan->n_nats ? rtclab_simnet_nat(sim->net, sim->lan_nats[sp->lan][k]) : NULL;
}

/* link-down on a peer's access link (or a NAT's uplink); up again after
 * `for`, or at a link-up. */
static void set_link(struct rtclab_sim *sim, const struct rtclab_scn_event *e, bool up)
{
	const struct rtclab_scn_peer *sp = &sim->sc->peers[e->peer];
	struct rtclab_simnet_link u, d;
	if (e->nat == RTCLAB_SCN_NONE) {
		link_of(&sp->link.up, &u);
		link_of(&sp->link.down, &d);
	} else {
		const struct rtclab_scn_nat *n = &sim->sc->lans[sp->lan].nats[e->nat];
		link_of(&n->uplink.up, &u);
		link_of(&n->uplink.down, &d);
	}
	if (!up)
		u.loss = d.loss = 1.0;
	if (e->nat == RTCLAB_SCN_NONE)
		rtclab_simnet_host_link(sim->net, sim->peers[e->peer].host, &u, &d);
	else
		rtclab_simnet_nat_link(sim->net, sim->lan_nats[sp->lan][e->nat], &u, &d);
}

static void link_back_up(void *arg, rtclab_time_ns now)
{
	const struct sim_script *sc = arg;
	(void)now;
	set_link(sc->sim, sc->e, true);
}

/* turn-expire: the TURN server drops the peer's allocations (those of one
 * server, or all).  The server knows the client by the address it sees,
 * which the agent has as its relayed candidate's related address. */
static void expire_turn(struct rtclab_sim *sim, struct sim_peer *p, const struct rtclab_scn_event *e,
			rtclab_time_ns now)
{
	if (!p->agent)
		return;
	for (size_t i = 0; i < rtclab_ice_agent_local_count(p->agent); i++) {
		const struct rtclab_ice_agent_candidate *c = rtclab_ice_agent_local_candidate(p->agent, i);
		if (c->type != RTCLAB_CAND_RELAY)
			continue;
		for (size_t k = 0; k < sim->n_servers; k++) {
			struct sim_server *s = &sim->servers[k];
			if (s->turn && (e->server == RTCLAB_SCN_NONE || e->server == k) &&
			    rtclab_addr_equal(&c->server, &s->ss->addr)) {
				rtclab_turn_server_expire(s->turn, now, &s->ss->addr, &c->related);
				server_arm(s);
			}
		}
	}
}

static void script_event(void *arg, rtclab_time_ns now)
{
	const struct sim_script *script = arg;
	const struct rtclab_scn_event *e = script->e;
	struct rtclab_sim *sim = script->sim;
	struct sim_peer *p = &sim->peers[e->peer];
	switch (e->kind) {
	case RTCLAB_SCN_EV_NAT_REBIND: {
		struct rtclab_nat *nat = event_nat(sim, e);
		if (nat)
			rtclab_nat_flush(nat, now);
		break;
	}
	case RTCLAB_SCN_EV_LINK_DOWN:
		set_link(sim, e, false);
		if (e->duration > 0)
			rtclab_simnet_timer(sim->net, now + e->duration, link_back_up, (void *)script);
		break;
	case RTCLAB_SCN_EV_LINK_UP:
		set_link(sim, e, true);
		break;
	case RTCLAB_SCN_EV_ICE_RESTART:
		/* the session's offerer restarts and sends a new offer (RFC 8445 9) */
		sim_peer_restart(p->offerer || p->partner == SIZE_MAX ? p : &sim->peers[p->partner], now);
		break;
	case RTCLAB_SCN_EV_PEER_STOP:
		sim_peer_stop(p);
		break;
	case RTCLAB_SCN_EV_ADDRESS_CHANGE:
		sim_peer_move(p, now, &e->address);
		break;
	case RTCLAB_SCN_EV_TURN_EXPIRE:
		expire_turn(sim, p, e, now);
		break;
	}
}

bool rtclab_sim_discovery(const struct rtclab_sim *sim, size_t peer, int *mapping, int *filtering)
{
	if (peer >= sim->n_peers || !sim->peers[peer].disc.active)
		return false;
	*mapping = sim->peers[peer].disc.mapping;
	*filtering = sim->peers[peer].disc.filtering;
	return true;
}

size_t rtclab_sim_limit_count(const struct rtclab_sim *sim)
{
	return sim->n_limits;
}

const char *rtclab_sim_limit(const struct rtclab_sim *sim, size_t i)
{
	return i < sim->n_limits ? sim->limits[i] : NULL;
}

/* --- life cycle ----------------------------------------------------------------------- */

static void start_peer(void *arg, rtclab_time_ns now)
{
	sim_peer_start(arg, now);
}

struct rtclab_sim *rtclab_sim_new(const struct rtclab_scenario *sc, const struct rtclab_sim_options *opts,
				  const struct rtclab_sim_hooks *hooks, enum rtclab_sim_error *error, char *err,
				  size_t err_len)
{
	*error = RTCLAB_SIM_E_NOMEM;
	snprintf(err, err_len, "out of memory");
	for (size_t i = 0; i < sc->n_problems; i++)
		if (sc->problems[i].code != RTCLAB_SCN_OK) {
			*error = RTCLAB_SIM_E_SCENARIO;
			rtclab_scn_problem_format(&sc->problems[i], err, err_len);
			return NULL;
		}
	struct rtclab_sim *sim = calloc(1, sizeof *sim);
	if (!sim)
		return NULL;
	sim->sc = sc;
	if (hooks)
		sim->hooks = *hooks;
	uint64_t seed = opts && opts->has_seed ? opts->seed : sc->seed;
	rtclab_rng_seed(&sim->rng, seed);
	sim->until = opts && opts->until > 0 ? opts->until : sc->duration;
	sim->stop_when_decided = opts && opts->stop_when_decided;
	sim->n_peers = sc->n_peers;
	sim->n_servers = sc->n_servers;
	/* room for an extra session entry per offerer (several offering to one) */
	sim->peers = calloc(sc->n_peers * 2 + 1, sizeof *sim->peers);
	sim->servers = calloc(sc->n_servers ? sc->n_servers : 1, sizeof *sim->servers);
	sim->lan_realm = calloc(sc->n_lans ? sc->n_lans : 1, sizeof *sim->lan_realm);
	sim->lan_nats = calloc(sc->n_lans ? sc->n_lans : 1, sizeof *sim->lan_nats);
	sim->limits = calloc(16, sizeof *sim->limits);
	if (!sim->peers || !sim->servers || !sim->lan_realm || !sim->lan_nats || !sim->limits ||
	    rtclab_simnet_new(&sim->net, rtclab_rng_next(&sim->rng)) != RTCLAB_SIMNET_OK)
		goto fail;
	struct rtclab_simnet_observer obs = {on_tap, on_decision, NULL, sim};
	rtclab_simnet_set_observer(sim->net, &obs);
	/* the internet is realm 0: its wire first */
	sim->wires = calloc(1, sizeof *sim->wires);
	if (!sim->wires)
		goto fail;
	sim->n_wires = 1;
	struct rtclab_wire_options wo = {0};
	wo.rng = &sim->rng;
	if (!(sim->wires[0].wire = rtclab_wire_new(&wo)))
		goto fail;
	snprintf(sim->wires[0].name, sizeof sim->wires[0].name, "internet");
	snprintf(sim->wires[0].description, sizeof sim->wires[0].description,
		 "the public side: between the NATs and the servers");
	*error = RTCLAB_SIM_E_NETWORK;
	for (size_t i = 0; i < sc->n_lans; i++)
		if (!build_lan(sim, i, err, err_len))
			goto fail;
	*error = RTCLAB_SIM_E_SERVER;
	for (size_t i = 0; i < sc->n_servers; i++)
		if (!build_server(sim, i, err, err_len))
			goto fail;
	*error = RTCLAB_SIM_E_NETWORK;
	for (size_t i = 0; i < sc->n_peers; i++)
		if (!build_peer(sim, i, err, err_len))
			goto fail;
	*error = RTCLAB_SIM_E_NOMEM;
	sim->n_entries = sim->n_peers;
	if (!pair_peers(sim))
		goto fail;
	note_limits(sim);
	sim->script = calloc(sc->n_events ? sc->n_events : 1, sizeof *sim->script);
	if (!sim->script)
		goto fail;
	for (size_t i = 0; i < sc->n_events; i++) {
		sim->script[i].sim = sim;
		sim->script[i].e = &sc->events[i];
		rtclab_simnet_timer(sim->net, sc->events[i].at, script_event, &sim->script[i]);
	}
	/* every peer opens its signaling connection, a millisecond apart, in
	 * the order of the file */
	for (size_t i = 0; i < sim->n_entries; i++)
		rtclab_simnet_timer(sim->net, RTCLAB_MS(1) * (rtclab_time_ns)(i + 1), start_peer, &sim->peers[i]);
	*error = RTCLAB_SIM_OK;
	err[0] = 0;
	return sim;
fail:
	rtclab_sim_free(sim);
	return NULL;
}

void rtclab_sim_free(struct rtclab_sim *sim)
{
	if (!sim)
		return;
	for (size_t i = 0; sim->peers && i < (sim->n_entries ? sim->n_entries : sim->n_peers); i++)
		sim_peer_free(&sim->peers[i]);
	for (size_t i = 0; sim->servers && i < sim->n_servers; i++) {
		struct sim_server *s = &sim->servers[i];
		rtclab_stun_server_free(s->stun);
		rtclab_turn_server_free(s->turn);
		for (size_t k = 0; k < s->n_conns; k++)
			free(s->conns[k].in.p);
		free(s->conns);
		for (size_t k = 0; k < s->n_held; k++)
			free(s->held[k].text);
		free(s->held);
	}
	for (size_t i = 0; i < sim->n_wires; i++)
		rtclab_wire_free(sim->wires[i].wire);
	free(sim->wires);
	rtclab_simnet_free(sim->net);
	free(sim->peers);
	free(sim->servers);
	free(sim->lan_realm);
	free(sim->lan_nats);
	free(sim->limits);
	free(sim->script);
	free(sim->results);
	free(sim->result_answerer);
	free(sim);
}

/* The offerer's view of how its session ended. */
static void collect(struct rtclab_sim *sim)
{
	for (size_t i = 0; i < sim->n_results; i++) {
		struct rtclab_sim_result *r = &sim->results[i];
		const struct sim_peer *a = &sim->peers[r->offerer], *b = &sim->peers[sim->result_answerer[i]];
		r->connected_at = a->selected_at;
		r->consent_lost = a->consent_lost || b->consent_lost;
		r->dtls_done = a->dtls == SIM_DTLS_DONE && b->dtls == SIM_DTLS_DONE;
		r->controlling = a->agent && rtclab_ice_agent_role(a->agent) == RTCLAB_ICE_CONTROLLING ? r->offerer
												   : r->answerer;
		size_t si = a->agent ? rtclab_ice_agent_selected(a->agent) : SIZE_MAX;
		const struct rtclab_ice_agent_pair *sel = si != SIZE_MAX ? rtclab_ice_agent_pair(a->agent, si) : NULL;
		enum rtclab_ice_agent_state sa = a->agent ? rtclab_ice_agent_get_state(a->agent) : RTCLAB_ICE_STATE_NEW;
		enum rtclab_ice_agent_state sb = b->agent ? rtclab_ice_agent_get_state(b->agent) : RTCLAB_ICE_STATE_NEW;
		bool up_a = sa == RTCLAB_ICE_STATE_CONNECTED || sa == RTCLAB_ICE_STATE_COMPLETED;
		bool up_b = sb == RTCLAB_ICE_STATE_CONNECTED || sb == RTCLAB_ICE_STATE_COMPLETED;
		/* connected: both agents selected a pair at some point (consent may be
		 * lost later: consent_lost says so) */
		r->connected = a->selected_at >= 0 && b->selected_at >= 0 && (sel || r->consent_lost);
		(void)up_a;
		(void)up_b;
		if (sel) {
			const struct rtclab_ice_agent_candidate *l = rtclab_ice_agent_local_candidate(a->agent, sel->local);
			const struct rtclab_ice_agent_candidate *m = rtclab_ice_agent_remote_candidate(a->agent, sel->remote);
			r->has_pair = l && m;
			if (r->has_pair) {
				r->local_type = l->type;
				r->remote_type = m->type;
				r->local = l->addr;
				r->remote = m->addr;
				r->relayed = l->type == RTCLAB_CAND_RELAY || m->type == RTCLAB_CAND_RELAY;
			}
		}
		if (r->connected)
			snprintf(r->reason, sizeof r->reason, "connected over %s<->%s after %.0f ms%s",
				 rtclab_cand_type_name(r->local_type), rtclab_cand_type_name(r->remote_type),
				 (double)r->connected_at / 1e6,
				 r->consent_lost ? "; consent was lost later (RFC 7675)" : "");
		else
			snprintf(r->reason, sizeof r->reason, "not connected: the offerer's agent is %s, the answerer's %s%s",
				 rtclab_ice_agent_state_name(sa), rtclab_ice_agent_state_name(sb),
				 r->consent_lost ? " (consent lost)" : "");
	}
}

/* Every session decided: both agents selected a pair, or one of them failed. */
static bool decided(const struct rtclab_sim *sim)
{
	for (size_t i = 0; i < sim->n_results; i++) {
		const struct sim_peer *a = &sim->peers[sim->results[i].offerer], *b = &sim->peers[sim->result_answerer[i]];
		if (!(a->failed || b->failed || (a->selected_at >= 0 && b->selected_at >= 0)))
			return false;
	}
	return true;
}

void rtclab_sim_run(struct rtclab_sim *sim)
{
	if (sim->stop_when_decided) {
		while (rtclab_simnet_next_time(sim->net) <= sim->until && !decided(sim))
			rtclab_simnet_step(sim->net);
	} else {
		rtclab_simnet_run_until(sim->net, sim->until);
	}
	/* TCP connections still open are closed on every wire, so the capture ends cleanly */
	for (size_t i = 0; i < sim->n_wires; i++) {
		sim->current_wire = (unsigned)i;
		sim->current_time = RTCLAB_SIM_EPOCH_NS + sim->until;
		rtclab_wire_tcp_finish(sim->wires[i].wire, on_frame, sim);
	}
	collect(sim);
}

size_t rtclab_sim_wire_count(const struct rtclab_sim *sim)
{
	return sim->n_wires;
}

const char *rtclab_sim_wire_name(const struct rtclab_sim *sim, unsigned wire)
{
	return wire < sim->n_wires ? sim->wires[wire].name : NULL;
}

const char *rtclab_sim_wire_description(const struct rtclab_sim *sim, unsigned wire)
{
	return wire < sim->n_wires ? sim->wires[wire].description : NULL;
}

size_t rtclab_sim_result_count(const struct rtclab_sim *sim)
{
	return sim->n_results;
}

const struct rtclab_sim_result *rtclab_sim_result(const struct rtclab_sim *sim, size_t i)
{
	return i < sim->n_results ? &sim->results[i] : NULL;
}

void rtclab_sim_counts(const struct rtclab_sim *sim, uint64_t *events, uint64_t *packets)
{
	struct rtclab_simnet_stats st;
	rtclab_simnet_get_stats(sim->net, &st);
	*events = st.events;
	*packets = st.packets;
}
