/* What the timeline decides at the end of the input: which session each
 * STUN/TURN server exchange belongs to, the candidates the wire shows but
 * nobody signalled, who is A, pair states, the selected pair, DTLS roles
 * against a=setup, the outcome and what the capture is missing. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtclab/timeline.h"
#include "timeline_internal.h"

static bool same(const struct rtclab_addr *x, const struct rtclab_addr *y)
{
	return rtclab_addr_equal(x, y) && x->port == y->port;
}

/* Addresses that are never reachable from the Internet as they are: the
 * peer's own interface (RFC 1918, RFC 6598 shared space, loopback,
 * link-local, RFC 4193 unique local). */
bool tl_is_special_ip(const struct rtclab_addr *a)
{
	const uint8_t *b = a->ip;
	if (a->family == RTCLAB_FAMILY_IPV4)
		return b[0] == 10 || (b[0] == 172 && (b[1] & 0xF0) == 16) || (b[0] == 192 && b[1] == 168) ||
		       (b[0] == 100 && (b[1] & 0xC0) == 64) || b[0] == 127 || (b[0] == 169 && b[1] == 254);
	if (a->family == RTCLAB_FAMILY_IPV6) {
		static const uint8_t loop[16] = {[15] = 1};
		return (b[0] & 0xFE) == 0xFC || (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) || memcmp(b, loop, 16) == 0;
	}
	return false;
}

/* --- STUN and TURN server exchanges ------------------------------------------------ */

static bool peer_of_addr(struct rtclab_timeline *tl, const struct rtclab_addr *a, int *si, int *peer)
{
	struct tl_map_entry *e = tl_map_find(&tl->state->endpoints, a, NULL);
	if (e) {
		*si = e->v1;
		*peer = e->v2;
		return true;
	}
	for (size_t i = 0; i < tl->n_sessions; i++) {
		int c = tl_candidate_find(tl->sessions[i], -1, a);
		if (c >= 0 && tl->sessions[i]->candidates[c].peer >= 0) {
			*si = (int)i;
			*peer = tl->sessions[i]->candidates[c].peer;
			return true;
		}
	}
	return false;
}

static bool place_gather(struct rtclab_timeline *tl, const struct tl_gather *g, int *si, int *peer)
{
	if (peer_of_addr(tl, &g->client, si, peer))
		return true;
	if (g->has_relayed && peer_of_addr(tl, &g->relayed, si, peer))
		return true;
	if (g->has_mapped && !same(&g->mapped, &g->client) && peer_of_addr(tl, &g->mapped, si, peer))
		return true;
	/* Refresh, CreatePermission, ChannelBind: the allocation of this client */
	struct rtclab_timeline_state *st = tl->state;
	for (size_t i = 0; i < st->n_gathers; i++) {
		const struct tl_gather *o = &st->gathers[i];
		if (o != g && o->method == RTCLAB_STUN_ALLOCATE && o->has_relayed && same(&o->client, &g->client) &&
		    same(&o->server, &g->server) && peer_of_addr(tl, &o->relayed, si, peer))
			return true;
	}
	return false;
}

static const char *method_name(uint16_t m)
{
	const char *n = rtclab_stun_method_name(m);
	return n ? n : "STUN";
}

static void gather_steps(struct rtclab_tl_session *s, int peer, int server, const struct tl_gather *g)
{
	char a1[RTCLAB_ADDR_STRLEN], a2[RTCLAB_ADDR_STRLEN];
	bool binding = g->method == RTCLAB_STUN_BINDING;
	bool path = g->method == RTCLAB_STUN_CREATE_PERMISSION || g->method == RTCLAB_STUN_CHANNEL_BIND;
	enum rtclab_step step = path ? RTCLAB_STEP_CHECKS : RTCLAB_STEP_GATHER;
	enum rtclab_tl_step_kind kind = binding ? RTCLAB_TL_EV_STUN_SERVER : RTCLAB_TL_EV_TURN;
	int pn = s->peers[peer].node;
	struct rtclab_tl_step *sp = tl_step(s, step, kind, g->request_ns, g->request_frame, pn, server);
	if (sp) {
		int n = tl_fmt(sp->what, sizeof sp->what, "%s request from %s", method_name(g->method),
				 tl_addr(&g->client, a1));
		if (g->has_peer && n > 0 && (size_t)n < sizeof sp->what)
			n += snprintf(sp->what + n, sizeof sp->what - (size_t)n, " for peer %s", tl_addr(&g->peer, a2));
		if (g->channel && n > 0 && (size_t)n < sizeof sp->what)
			n += snprintf(sp->what + n, sizeof sp->what - (size_t)n, ", channel 0x%04x", g->channel);
		if (g->transmissions > 1 && n > 0 && (size_t)n < sizeof sp->what)
			n += snprintf(sp->what + n, sizeof sp->what - (size_t)n, " (sent %u times)", g->transmissions);
		if (g->repeats && n > 0 && (size_t)n < sizeof sp->what)
			snprintf(sp->what + n, sizeof sp->what - (size_t)n, "; repeated %llu times with the same answer, the last at +%.1f s",
				 (unsigned long long)g->repeats, (double)(g->last_repeat_ns - g->request_ns) / 1e9);
		tl_fmt(sp->why, sizeof sp->why, "%s",
			 binding ? "To learn its public address, the peer asks a STUN server what source address "
				   "its request came from (RFC 8489): the answer is a server-reflexive candidate."
			 : g->method == RTCLAB_STUN_ALLOCATE
				 ? "The peer asks a TURN server for a relayed address (RFC 8656): a public port on the "
				   "server that forwards to it, the candidate of last resort when no direct path works."
			 : g->method == RTCLAB_STUN_REFRESH
				 ? "A Refresh keeps the TURN allocation alive (its lifetime is 10 minutes by default); "
				   "LIFETIME 0 releases it."
			 : g->method == RTCLAB_STUN_CREATE_PERMISSION
				 ? "The TURN server only relays from peers the client has given permission to "
				   "(RFC 8656 9): the client installs one for the peer's address before checking it."
				 : "ChannelBind gives the peer a 4-byte channel number, so data goes as compact "
				   "ChannelData instead of Send/Data indications (RFC 8656 12).");
	}
	if (g->response_class == RTCLAB_STUN_REQUEST)
		return;
	sp = tl_step(s, step, kind, g->response_ns, g->response_frame, server, pn);
	if (!sp)
		return;
	if (g->response_class == RTCLAB_STUN_ERROR) {
		tl_fmt(sp->what, sizeof sp->what, "%s error %u", method_name(g->method), g->error_code);
		tl_fmt(sp->why, sizeof sp->why, "%s",
			 g->error_code == 401 ? "401 Unauthorized: TURN uses long-term credentials; the server sends "
						"its REALM and a NONCE, and the client repeats the request with "
						"USERNAME and MESSAGE-INTEGRITY (RFC 8489 9.2)."
			 : g->error_code == 438 ? "438 Stale Nonce: the client retries with the new NONCE."
						: "The server refused the request; the ERROR-CODE says why.");
		return;
	}
	if (binding)
		tl_fmt(sp->what, sizeof sp->what, "Binding success: mapped %s%s",
			 g->has_mapped ? tl_addr(&g->mapped, a1) : "-",
			 g->has_mapped && same(&g->mapped, &g->client) ? " (the same as the base: no NAT in between)" : "");
	else if (g->method == RTCLAB_STUN_ALLOCATE)
		tl_fmt(sp->what, sizeof sp->what, "Allocate success: relayed %s, mapped %s, lifetime %u s",
			 g->has_relayed ? tl_addr(&g->relayed, a1) : "-", g->has_mapped ? tl_addr(&g->mapped, a2) : "-",
			 g->lifetime);
	else
		tl_fmt(sp->what, sizeof sp->what, "%s success", method_name(g->method));
	tl_fmt(sp->why, sizeof sp->why, "%s",
		 binding ? "XOR-MAPPED-ADDRESS is the address the server saw: behind a NAT it differs from the "
			   "peer's own, and the peer offers it as a server-reflexive (srflx) candidate."
		 : g->method == RTCLAB_STUN_ALLOCATE
			 ? "XOR-RELAYED-ADDRESS is the relayed (relay) candidate: packets the peer sends to it reach "
			   "the peer through the server, whatever NAT the peer is behind."
			 : "The server did what was asked.");
}

static void gather_candidates(struct rtclab_timeline *tl, int si, int peer, int server, const struct tl_gather *g)
{
	struct rtclab_tl_session *s = tl->sessions[si];
	struct tl_session_x *x = tl->state->sx[si];
	struct rtclab_tl_candidate c = {0};
	c.peer = peer;
	c.transport = g->l4 == RTCLAB_L4_TCP ? RTCLAB_CAND_TCP : RTCLAB_CAND_UDP;
	c.server = s->nodes[server].addr;
	c.time_ns = g->response_ns;
	c.frame = g->response_frame;
	c.has_related = true;
	c.related = g->client;
	if (g->response_class != RTCLAB_STUN_SUCCESS)
		return;
	/* Without its description, the peer's base is known only from here. */
	if (!x->peers[peer].has_desc && tl_candidate_find(s, peer, &g->client) < 0 &&
	    (g->method == RTCLAB_STUN_BINDING || g->method == RTCLAB_STUN_ALLOCATE)) {
		struct rtclab_tl_candidate h = c;
		h.type = RTCLAB_CAND_HOST;
		h.addr = g->client;
		h.has_related = false;
		h.time_ns = g->request_ns;
		h.frame = g->request_frame;
		h.source = g->method == RTCLAB_STUN_BINDING ? RTCLAB_TL_FROM_STUN : RTCLAB_TL_FROM_TURN;
		tl_candidate_add(s, &h);
	}
	if (g->method == RTCLAB_STUN_BINDING && g->has_mapped && !same(&g->mapped, &g->client)) {
		c.type = RTCLAB_CAND_SRFLX;
		c.addr = g->mapped;
		c.source = RTCLAB_TL_FROM_STUN;
		int i = tl_candidate_add(s, &c);
		if (i >= 0)
			s->candidates[i].server = c.server;
	} else if (g->method == RTCLAB_STUN_ALLOCATE && g->has_relayed) {
		c.type = RTCLAB_CAND_RELAY;
		c.addr = g->relayed;
		c.source = RTCLAB_TL_FROM_TURN;
		if (g->has_mapped)
			c.related = g->mapped;
		int i = tl_candidate_add(s, &c);
		if (i >= 0)
			s->candidates[i].server = c.server;
	}
}

static void place_gathers(struct rtclab_timeline *tl)
{
	struct rtclab_timeline_state *st = tl->state;
	for (size_t i = 0; i < st->n_gathers; i++) {
		const struct tl_gather *g = &st->gathers[i];
		int si, peer;
		if (!place_gather(tl, g, &si, &peer))
			continue;
		struct rtclab_tl_session *s = tl->sessions[si];
		bool turn = g->method != RTCLAB_STUN_BINDING;
		if (!turn) /* a server that also allocates is a TURN server */
			for (size_t k = 0; k < st->n_gathers && !turn; k++)
				turn = st->gathers[k].method == RTCLAB_STUN_ALLOCATE && same(&st->gathers[k].server, &g->server);
		int server = tl_node_server(s, turn ? RTCLAB_TL_NODE_TURN : RTCLAB_TL_NODE_STUN, &g->server, g->l4);
		if (server < 0)
			continue;
		gather_steps(s, peer, server, g);
		gather_candidates(tl, si, peer, server, g);
	}
}

/* --- NAT decisions (simulations) ------------------------------------------------- */

static int nat_node(struct rtclab_tl_session *s, const char *name, const struct rtclab_addr *external, int peer)
{
	for (size_t i = 0; i < s->n_nodes; i++)
		if (s->nodes[i].kind == RTCLAB_TL_NODE_NAT && strncmp(s->nodes[i].name, name, RTCLAB_TL_NAME_MAX - 1) == 0)
			return (int)i;
	if (s->n_nodes >= sizeof s->nodes / sizeof s->nodes[0])
		return -1;
	struct rtclab_tl_node *n = &s->nodes[s->n_nodes];
	memset(n, 0, sizeof *n);
	n->kind = RTCLAB_TL_NODE_NAT;
	tl_fmt(n->name, sizeof n->name, "%s", name);
	if (external) {
		n->addr = *external;
		n->addr.port = 0;
	}
	n->transport = RTCLAB_L4_UDP;
	n->peer = peer;
	return (int)s->n_nodes++;
}

#define TL_MAX_NAT_STEPS 64

static void nat_step(struct rtclab_tl_session *s, int node, const struct tl_nat *n)
{
	size_t count = 0;
	for (size_t i = 0; i < s->n_steps; i++)
		count += s->steps[i].kind == RTCLAB_TL_EV_NAT;
	if (count >= TL_MAX_NAT_STEPS)
		return;
	const struct rtclab_nat_decision *d = &n->d;
	struct rtclab_tl_step *sp = tl_step(s, RTCLAB_STEP_NAT, RTCLAB_TL_EV_NAT, n->time_ns, 0, node, node);
	if (!sp)
		return;
	char in[RTCLAB_ADDR_STRLEN], out[RTCLAB_ADDR_STRLEN], ext[RTCLAB_ADDR_STRLEN];
	const struct rtclab_addr *e = d->has_mapping ? &d->mapping.external : &d->external;
	switch (d->kind) {
	case RTCLAB_NAT_MAPPING_CREATED:
		tl_fmt(sp->what, sizeof sp->what, "%s: mapping %s -> %s (towards %s)", n->name, tl_addr(&d->inside, in),
		       tl_addr(e, ext), tl_addr(&d->outside, out));
		break;
	case RTCLAB_NAT_MAPPING_EXPIRED:
		tl_fmt(sp->what, sizeof sp->what, "%s: mapping %s -> %s expired", n->name, tl_addr(&d->inside, in),
		       tl_addr(e, ext));
		break;
	case RTCLAB_NAT_INBOUND_FILTERED:
		tl_fmt(sp->what, sizeof sp->what, "%s: filtered %s -> %s", n->name, tl_addr(&d->outside, out),
		       tl_addr(&d->external, ext));
		break;
	case RTCLAB_NAT_HAIRPINNED:
		tl_fmt(sp->what, sizeof sp->what, "%s: hairpinned %s -> %s", n->name, tl_addr(&d->inside, in),
		       tl_addr(&d->outside, out));
		break;
	default:
		tl_fmt(sp->what, sizeof sp->what, "%s: dropped %s -> %s", n->name, tl_addr(&d->inside, in),
		       tl_addr(&d->outside, out));
		break;
	}
	rtclab_nat_decision_explain(d, sp->why, sizeof sp->why);
}

/* Each decision goes to the session of the peer behind the NAT: the one
 * whose address is its inside endpoint, or whose candidate is the address
 * a filtered packet was sent to. */
static void place_nats(struct rtclab_timeline *tl)
{
	struct rtclab_timeline_state *st = tl->state;
	for (size_t i = 0; i < st->n_nats; i++) {
		const struct tl_nat *n = &st->nats[i];
		int si, peer;
		if (!(n->d.inside.family && peer_of_addr(tl, &n->d.inside, &si, &peer)) &&
		    !(n->d.external.family && peer_of_addr(tl, &n->d.external, &si, &peer)))
			continue;
		struct rtclab_tl_session *s = tl->sessions[si];
		const struct rtclab_addr *e = n->d.has_mapping ? &n->d.mapping.external : &n->d.external;
		int node = nat_node(s, n->name, e->family ? e : NULL, peer);
		if (node >= 0)
			nat_step(s, node, n);
	}
}

/* --- A and B ----------------------------------------------------------------------- */

/* In "first SRTP media A -> B (through TURN)", the two names around " -> "
 * made anew from the step's columns. */
static void rename_arrow(const struct rtclab_tl_session *s, struct rtclab_tl_step *t)
{
	char *arrow = strstr(t->what, " -> ");
	if (!arrow || t->from < 0 || t->to < 0)
		return;
	char *first = arrow;
	while (first > t->what && first[-1] != ' ')
		first--;
	const char *rest = arrow + 4;
	while (*rest && *rest != ' ')
		rest++;
	char out[sizeof t->what];
	snprintf(out, sizeof out, "%.*s%s -> %s%s", (int)(first - t->what), t->what, s->nodes[t->from].name,
		 s->nodes[t->to].name, rest);
	memcpy(t->what, out, sizeof out);
}

/* The texts that name the peers, written while they were read before A and
 * B were decided (no descriptions: A is the controlling agent), named again
 * from the steps' columns, which swap_peers() renamed. */
static void rename_in_steps(struct rtclab_tl_session *s)
{
	for (size_t i = 0; i < s->n_steps; i++) {
		struct rtclab_tl_step *t = &s->steps[i];
		if (t->from < 0 || t->to < 0 || (size_t)t->from >= s->n_nodes || (size_t)t->to >= s->n_nodes)
			continue;
		const char *from = s->nodes[t->from].name, *to = s->nodes[t->to].name;
		if (t->kind == RTCLAB_TL_EV_MEDIA)
			rename_arrow(s, t);
		else if (t->kind == RTCLAB_TL_EV_CONSENT)
			tl_fmt(t->why, sizeof t->why, TL_CONSENT_WHY, from, to);
		else if (t->kind == RTCLAB_TL_EV_CHECK_RESPONSE && strncmp(t->why, "A Binding success", 17) == 0)
			tl_fmt(t->why, sizeof t->why, TL_CHECK_SUCCESS_WHY, to, from); /* a response: the responder sends */
	}
}

static void swap_peers(struct rtclab_timeline *tl, int si)
{
	struct rtclab_tl_session *s = tl->sessions[si];
	struct tl_session_x *x = tl->state->sx[si];
	struct rtclab_tl_peer tp = s->peers[0];
	s->peers[0] = s->peers[1];
	s->peers[1] = tp;
	struct tl_peer_x tx = x->peers[0];
	x->peers[0] = x->peers[1];
	x->peers[1] = tx;
	for (int p = 0; p < 2; p++) {
		snprintf(s->peers[p].name, sizeof s->peers[p].name, "%c", 'A' + p);
		struct rtclab_tl_node *n = &s->nodes[s->peers[p].node];
		n->peer = p;
		memcpy(n->name, s->peers[p].name, sizeof n->name);
	}
	for (size_t i = 0; i < s->n_candidates; i++)
		if (s->candidates[i].peer >= 0)
			s->candidates[i].peer = 1 - s->candidates[i].peer;
	for (size_t i = 0; i < s->n_pairs; i++)
		s->pairs[i].peer = 1 - s->pairs[i].peer;
	for (size_t i = 0; i < s->n_nodes; i++)
		if (s->nodes[i].kind == RTCLAB_TL_NODE_NAT && s->nodes[i].peer >= 0)
			s->nodes[i].peer = 1 - s->nodes[i].peer;
	if (s->dtls.client_peer >= 0)
		s->dtls.client_peer = 1 - s->dtls.client_peer;
	if (s->dtls.server_peer >= 0)
		s->dtls.server_peer = 1 - s->dtls.server_peer;
	if (x->offerer >= 0)
		x->offerer = 1 - x->offerer;
	bool m = x->media_step[0];
	x->media_step[0] = x->media_step[1];
	x->media_step[1] = m;
	rename_in_steps(s);
}

/* The roles of agents that sent no check saying theirs (the peer's
 * ice_role is documented as "from its checks, else from the SDP", and the
 * SDP part was not done): the opposite of the other agent's checks, else
 * RFC 8445 6.1.1: a lite agent is controlled and its full peer
 * controlling; between two full agents, or two lite ones, the offerer
 * controls. */
static void sdp_ice_roles(struct rtclab_timeline *tl, int si)
{
	struct rtclab_tl_session *s = tl->sessions[si];
	const struct tl_session_x *x = tl->state->sx[si];
	enum rtclab_tl_ice_role seen[2] = {s->peers[0].ice_role, s->peers[1].ice_role};
	for (int p = 0; p < 2; p++) {
		struct rtclab_tl_peer *me = &s->peers[p], *other = &s->peers[1 - p];
		if (me->ice_role != RTCLAB_TL_ICE_UNKNOWN)
			continue;
		if (seen[1 - p] != RTCLAB_TL_ICE_UNKNOWN) /* the other's checks say it: the opposite */
			me->ice_role = seen[1 - p] == RTCLAB_TL_CONTROLLING ? RTCLAB_TL_CONTROLLED : RTCLAB_TL_CONTROLLING;
		else if (!x->peers[p].has_desc)
			continue;
		else if (me->ice_lite && !(x->peers[1 - p].has_desc && other->ice_lite))
			me->ice_role = RTCLAB_TL_CONTROLLED;
		else if (!x->peers[1 - p].has_desc)
			continue;
		else if (other->ice_lite && !me->ice_lite)
			me->ice_role = RTCLAB_TL_CONTROLLING;
		else if (me->role == RTCLAB_TL_OFFERER)
			me->ice_role = RTCLAB_TL_CONTROLLING;
		else if (me->role == RTCLAB_TL_ANSWERER)
			me->ice_role = RTCLAB_TL_CONTROLLED;
	}
}

/* A is the offerer; without the descriptions, the controlling agent (RFC
 * 8445 6.1.1: the initiating agent controls); else the first to check. */
static void name_peers(struct rtclab_timeline *tl, int si)
{
	struct rtclab_tl_session *s = tl->sessions[si];
	bool swap;
	if (s->peers[0].role != s->peers[1].role && s->peers[0].role != RTCLAB_TL_ROLE_UNKNOWN)
		swap = s->peers[0].role == RTCLAB_TL_ANSWERER;
	else if (s->peers[1].role == RTCLAB_TL_OFFERER)
		swap = true;
	else if (s->peers[0].ice_role != s->peers[1].ice_role)
		swap = s->peers[1].ice_role == RTCLAB_TL_CONTROLLING || s->peers[0].ice_role == RTCLAB_TL_CONTROLLED;
	else
		swap = false;
	if (swap)
		swap_peers(tl, si);
	const struct rtclab_tl_generation *g = &s->generations[0];
	if (s->n_generations && g->offer_ufrag[0] && g->answer_ufrag[0])
		tl_fmt(s->id, sizeof s->id, "%s:%s", g->offer_ufrag, g->answer_ufrag);
	else
		tl_session_id(s, 0);
	/* A session made from its checks has a first generation whose ufrags
	 * no description gave (before, they stayed empty unless n_generations
	 * was 0, which check_session never leaves it at): A's and B's. */
	if (!s->n_generations)
		s->n_generations = 1;
	struct rtclab_tl_generation *g0 = &s->generations[0];
	if (!g0->offer_ufrag[0] && s->n_generations == 1)
		snprintf(g0->offer_ufrag, sizeof g0->offer_ufrag, "%s", s->peers[0].ufrag);
	if (!g0->answer_ufrag[0] && s->n_generations == 1)
		snprintf(g0->answer_ufrag, sizeof g0->answer_ufrag, "%s", s->peers[1].ufrag);
	sdp_ice_roles(tl, si);
}

/* --- candidates the wire shows --------------------------------------------------------- */

static bool is_relayed(const struct rtclab_timeline_state *st, const struct rtclab_addr *a)
{
	for (size_t i = 0; i < st->n_alloc; i++)
		if (st->alloc[i].has_relayed && same(&st->alloc[i].relayed, a))
			return true;
	return false;
}

static void wire_candidates(struct rtclab_timeline *tl, int si)
{
	struct rtclab_tl_session *s = tl->sessions[si];
	struct tl_session_x *x = tl->state->sx[si];
	for (int p = 0; p < 2; p++) {
		struct rtclab_tl_peer *pe = &s->peers[p];
		struct tl_peer_x *px = &x->peers[p];
		for (size_t i = 0; i < pe->n_endpoints; i++) {
			const struct rtclab_addr *a = &pe->endpoints[i];
			if (tl_candidate_find(s, p, a) >= 0)
				continue;
			struct rtclab_tl_candidate c = {0};
			c.peer = p;
			c.addr = *a;
			c.time_ns = px->endpoint_first_ns[i];
			c.frame = px->endpoint_first_frame[i];
			c.source = RTCLAB_TL_FROM_CHECK;
			if (is_relayed(tl->state, a)) {
				c.type = RTCLAB_CAND_RELAY;
				c.source = RTCLAB_TL_FROM_TURN;
			} else if (!px->has_desc && tl_is_special_ip(a)) {
				c.type = RTCLAB_CAND_HOST;
			} else {
				c.type = RTCLAB_CAND_PRFLX;
			}
			tl_candidate_add(s, &c);
		}
		for (size_t i = 0; i < px->n_reflexive; i++) {
			if (tl_candidate_find(s, p, &px->reflexive[i]) >= 0)
				continue;
			struct rtclab_tl_candidate c = {0};
			c.peer = p;
			c.addr = px->reflexive[i];
			c.type = RTCLAB_CAND_PRFLX;
			c.source = RTCLAB_TL_FROM_CHECK;
			c.time_ns = px->reflexive_ns[i];
			tl_candidate_add(s, &c);
		}
	}
	for (size_t i = 0; i < s->n_pairs; i++) {
		struct rtclab_tl_pair *pr = &s->pairs[i];
		pr->local_cand = tl_candidate_find(s, pr->peer, &pr->local);
		pr->remote_cand = tl_candidate_find(s, 1 - pr->peer, &pr->remote);
	}
}

/* --- pairs, the selected one, DTLS --------------------------------------------------- */

/* RFC 8445 7.2.5.1: a 487 (Role Conflict) is not a failure: the agent
 * switches role and the pair goes back to Waiting for a triggered check.
 * Other errors are unrecoverable (7.2.5.2.4), and so is a pair whose every
 * other check timed out.  (Before, one 487 failed the pair.) */
static void pair_states(struct rtclab_tl_session *s, const struct tl_session_x *x)
{
	for (size_t i = 0; i < s->n_pairs; i++) {
		struct rtclab_tl_pair *p = &s->pairs[i];
		uint64_t conflicts = x->px[i].n_role_conflicts;
		if (p->n_success || x->px[i].lite) /* RFC 8445 8.2: the lite pair is in the valid list */
			p->state = RTCLAB_TL_SUCCEEDED;
		else if (p->n_errors > conflicts || (p->n_timeouts && p->n_timeouts + conflicts >= p->n_checks))
			p->state = RTCLAB_TL_FAILED;
		else if (conflicts)
			p->state = RTCLAB_TL_WAITING;
		else
			p->state = RTCLAB_TL_IN_PROGRESS;
	}
}

/* Media counted after nomination between a pair's two addresses (on it or
 * on the reverse pair). */
static uint64_t media_of(const struct rtclab_tl_session *s, const struct tl_session_x *x, int pi)
{
	const struct rtclab_tl_pair *p = &s->pairs[pi];
	uint64_t n = 0;
	for (size_t i = 0; i < s->n_pairs; i++)
		if ((same(&s->pairs[i].local, &p->local) && same(&s->pairs[i].remote, &p->remote)) ||
		    (same(&s->pairs[i].local, &p->remote) && same(&s->pairs[i].remote, &p->local)))
			n += x->px[i].media_after_nomination;
	return n;
}

static void select_pair(struct rtclab_timeline *tl, int si)
{
	struct rtclab_tl_session *s = tl->sessions[si];
	struct tl_session_x *x = tl->state->sx[si];
	int best = -1;
	/* after an ICE restart, the pairs nominated in the latest generation
	 * (RFC 8445 9: media moves once the new check list selects one) */
	int64_t since = INT64_MIN;
	if (s->n_generations > 1)
		for (size_t i = 0; i < s->n_pairs; i++)
			if (s->pairs[i].nominated && s->pairs[i].nominated_ns >= s->generations[s->n_generations - 1].time_ns)
				since = s->generations[s->n_generations - 1].time_ns;
	for (size_t i = 0; i < s->n_pairs; i++) {
		if (!s->pairs[i].nominated || s->pairs[i].nominated_ns < since)
			continue;
		if (best < 0 || media_of(s, x, (int)i) > media_of(s, x, best) ||
		    (media_of(s, x, (int)i) == media_of(s, x, best) &&
		     s->pairs[i].nominated_ns > s->pairs[best].nominated_ns))
			best = (int)i;
	}
	if (best < 0)
		return;
	struct rtclab_tl_pair *p = &s->pairs[best];
	struct rtclab_tl_selected *sel = &s->selected;
	p->selected = true;
	sel->has = true;
	sel->pair = best;
	bool mine = p->peer == 0;
	sel->local = mine ? p->local : p->remote;
	sel->remote = mine ? p->remote : p->local;
	int lc = mine ? p->local_cand : p->remote_cand, rc = mine ? p->remote_cand : p->local_cand;
	if ((sel->local_type_known = lc >= 0))
		sel->local_type = s->candidates[lc].type;
	if ((sel->remote_type_known = rc >= 0))
		sel->remote_type = s->candidates[rc].type;
	sel->relayed = (lc >= 0 && s->candidates[lc].type == RTCLAB_CAND_RELAY) ||
		       (rc >= 0 && s->candidates[rc].type == RTCLAB_CAND_RELAY);
	sel->transport = p->transport;
	sel->time_ns = p->nominated_ns;
	for (size_t k = 0; k < p->n_kept; k++)
		if (p->checks[k].use_candidate && p->checks[k].result == RTCLAB_TL_SUCCESS) {
			sel->frame = p->checks[k].response_frame;
			sel->via = p->checks[k].via;
			break;
		}
	/* the media was counted on the pair the address map holds for these
	 * two addresses: this one or the other agent's reverse pair */
	int mpi = best;
	for (size_t i = 0; i < s->n_pairs; i++)
		if ((x->px[i].packets[0] || x->px[i].packets[1]) &&
		    ((same(&s->pairs[i].local, &p->local) && same(&s->pairs[i].remote, &p->remote)) ||
		     (same(&s->pairs[i].local, &p->remote) && same(&s->pairs[i].remote, &p->local))))
			mpi = (int)i;
	const struct tl_pair_x *px = &x->px[mpi];
	mine = same(&s->pairs[mpi].local, &sel->local);
	struct rtclab_tl_flow *f = &s->flow;
	if (px->packets[0] || px->packets[1]) {
		f->seen = true;
		f->packets[0] = px->packets[mine ? 0 : 1];
		f->packets[1] = px->packets[mine ? 1 : 0];
		f->bytes[0] = px->bytes[mine ? 0 : 1];
		f->bytes[1] = px->bytes[mine ? 1 : 0];
		f->rtp = px->rtp;
		f->rtcp = px->rtcp;
		f->dtls_app = px->dtls_app;
		f->channeldata = px->channeldata;
		f->first_ns = px->first_ns;
		f->last_ns = px->last_ns;
	}
}

/* --- consent freshness on the selected path ------------------------------------------ */

/* A "consent lost" note on the ladder: agent q's consent checks on pair pi
 * went unanswered for 30 s. */
static void consent_lost_step(struct rtclab_tl_session *s, int q, int pi, int64_t ns)
{
	struct rtclab_tl_step *sp = tl_step(s, RTCLAB_STEP_CHECKS, RTCLAB_TL_EV_NOTE, ns, 0, s->peers[q].node,
					    s->peers[1 - q].node);
	if (!sp)
		return;
	sp->pair = pi;
	const char *me = s->peers[q].name, *other = s->peers[1 - q].name;
	tl_fmt(sp->what, sizeof sp->what, "consent lost: no answer to %s's consent checks for 30 s", me);
	tl_fmt(sp->why, sizeof sp->why,
	       "Consent freshness: %s's consent checks to %s on the selected pair got no answer for 30 s, so its "
	       "consent expired and %s must stop sending media and data over this pair (RFC 7675 5.1).",
	       me, other, me);
}

/* RFC 7675 5.1 on the selected path: the selected pair and the other
 * agent's pair of the same path.  An agent loses consent when its consent
 * checks go unanswered for 30 s (an RFC 8489 6.2.1 timeout, 39.5 s, comes
 * later still); the input must go on that long, and must show answers to
 * that agent's checks at all (a capture of one direction shows none). */
static void consent_loss(struct rtclab_timeline *tl, int si)
{
	struct rtclab_tl_session *s = tl->sessions[si];
	struct tl_session_x *x = tl->state->sx[si];
	if (!s->selected.has || x->px[s->selected.pair].lite)
		return;
	int ni = s->selected.pair;
	int64_t *when = x->consent_lost_ns;
	int pair[2] = {-1, -1};
	for (size_t i = 0; i < s->n_pairs; i++) {
		if ((int)i != ni && !tl_pair_reverse(tl, si, (int)i, ni))
			continue;
		int q = s->pairs[i].peer;
		int64_t lost = tl_consent_lost_at(&x->px[i], tl->state->now_ns);
		if (!lost || lost <= s->pairs[ni].nominated_ns || !s->peers[q].checks_answered)
			continue;
		if (!when[q] || lost < when[q]) {
			when[q] = lost;
			pair[q] = (int)i;
		}
	}
	for (int q = 0; q < 2; q++) {
		if (!when[q])
			continue;
		consent_lost_step(s, q, pair[q], when[q]);
		if (!s->consent_lost || when[q] < s->consent_lost_ns) {
			s->consent_lost = true;
			s->consent_lost_peer = q;
			s->consent_lost_ns = when[q];
		}
	}
}

/* "; then consent lost at +35.9 s: ..." after the outcome so far (n
 * characters). */
static void consent_outcome(struct rtclab_tl_session *s, const struct tl_session_x *x, int n)
{
	if (!s->consent_lost || n <= 0 || (size_t)n >= sizeof s->outcome)
		return;
	int q = s->consent_lost_peer;
	bool both = x->consent_lost_ns[1 - q] != 0;
	char who[2 * RTCLAB_TL_NAME_MAX + 8];
	if (both)
		snprintf(who, sizeof who, "%s's and %s's", s->peers[0].name, s->peers[1].name);
	else
		snprintf(who, sizeof who, "%s's", s->peers[q].name);
	snprintf(s->outcome + n, sizeof s->outcome - (size_t)n,
		 "; then consent lost at +%.1f s: no answer to %s consent checks for 30 s, so %s had to stop "
		 "sending (RFC 7675 5.1)",
		 (double)(s->consent_lost_ns - s->first_ns) / 1e9, who, both ? "both" : s->peers[q].name);
}

/* RFC 8842 5.2 (RFC 5763 5): "active" is the DTLS client, "passive" the
 * server; the offerer says actpass and the answer decides. */
static void check_setup(struct rtclab_tl_session *s)
{
	struct rtclab_tl_dtls *d = &s->dtls;
	if (!d->seen || d->client_peer < 0)
		return;
	int answerer = s->peers[1].role == RTCLAB_TL_ANSWERER ? 1 : s->peers[0].role == RTCLAB_TL_ANSWERER ? 0 : -1;
	if (answerer < 0 || !s->peers[answerer].setup[0])
		return;
	const char *setup = s->peers[answerer].setup;
	int client = strcmp(setup, "active") == 0 ? answerer : strcmp(setup, "passive") == 0 ? 1 - answerer : -1;
	if (client < 0) {
		d->setup_checked = true;
		d->setup_ok = false;
		tl_fmt(d->setup_note, sizeof d->setup_note,
			 "the answer says a=setup:%s; an answer must say active or passive (RFC 8842 5.3)", setup);
		return;
	}
	d->setup_checked = true;
	d->setup_ok = client == d->client_peer;
	tl_fmt(d->setup_note, sizeof d->setup_note, "%s answered a=setup:%s, so %s is the DTLS client; %s sent the ClientHello%s",
		 s->peers[answerer].name, setup, s->peers[client].name, s->peers[d->client_peer].name,
		 d->setup_ok ? ", as agreed" : ": the roles disagree with the descriptions");
}

/* --- outcome and what is missing -------------------------------------------------------- */

static const char *type_or(bool known, enum rtclab_cand_type t)
{
	return known ? rtclab_cand_type_name(t) : "unknown";
}

static bool any_relay(const struct rtclab_tl_session *s)
{
	for (size_t i = 0; i < s->n_candidates; i++)
		if (s->candidates[i].type == RTCLAB_CAND_RELAY)
			return true;
	return false;
}

static void outcome(struct rtclab_timeline *tl, int si)
{
	struct rtclab_tl_session *s = tl->sessions[si];
	struct tl_session_x *x = tl->state->sx[si];
	const struct rtclab_tl_selected *sel = &s->selected;
	uint64_t checks = 0, succeeded = 0, failed = 0, timeouts = 0, errors = 0, pending = 0;
	for (size_t i = 0; i < s->n_pairs; i++) {
		const struct rtclab_tl_pair *p = &s->pairs[i];
		checks += p->n_checks;
		succeeded += p->state == RTCLAB_TL_SUCCEEDED;
		failed += p->state == RTCLAB_TL_FAILED;
		pending += p->state == RTCLAB_TL_IN_PROGRESS || p->state == RTCLAB_TL_WAITING;
		timeouts += p->n_timeouts;
		errors += p->n_errors;
	}
	if (sel->has) {
		const struct tl_pair_x *px = &x->px[sel->pair];
		s->connected = true;
		int n = px->lite
				? tl_fmt(s->outcome, sizeof s->outcome,
					 "connected over %s<->%s without checks: both agents are ice-lite (RFC 8445 8.2)",
					 type_or(sel->local_type_known, sel->local_type),
					 type_or(sel->remote_type_known, sel->remote_type))
				: tl_fmt(s->outcome, sizeof s->outcome, "connected over %s<->%s after %llu check%s in %.0f ms",
					 type_or(sel->local_type_known, sel->local_type),
					 type_or(sel->remote_type_known, sel->remote_type),
					 (unsigned long long)px->checks_before_nomination,
					 px->checks_before_nomination == 1 ? "" : "s",
					 px->gen_first_check_ns ? (double)(sel->time_ns - px->gen_first_check_ns) / 1e6
								: 0.0);
		if (sel->relayed && n > 0 && (size_t)n < sizeof s->outcome)
			n += snprintf(s->outcome + n, sizeof s->outcome - (size_t)n, ", relayed through TURN%s",
				      s->flow.channeldata ? " (media as ChannelData)"
				      : s->flow.seen     ? " (media in Send/Data indications)"
							 : "");
		if (s->dtls.completed && s->dtls.done_ns >= sel->time_ns && n > 0 && (size_t)n < sizeof s->outcome)
			n += snprintf(s->outcome + n, sizeof s->outcome - (size_t)n, "; DTLS done %.0f ms later",
				      (double)(s->dtls.done_ns - sel->time_ns) / 1e6);
		else if (s->dtls.completed && n > 0 && (size_t)n < sizeof s->outcome)
			n += snprintf(s->outcome + n, sizeof s->outcome - (size_t)n,
				      "; the DTLS association set up before carries on over it");
		if (s->n_generations > 1 && n > 0 && (size_t)n < sizeof s->outcome)
			n += snprintf(s->outcome + n, sizeof s->outcome - (size_t)n,
				      " (generation %zu, after %zu ICE restart%s)", s->n_generations,
				      s->n_generations - 1, s->n_generations == 2 ? "" : "s");
		consent_outcome(s, x, n);
		return;
	}
	const char *relay_hint = any_relay(s) ? "" : "; no relayed candidate was gathered, so there was no TURN "
						     "fallback when the direct paths were blocked";
	bool both_lite = s->peers[0].ice_lite && s->peers[1].ice_lite;
	if (!checks && both_lite)
		tl_fmt(s->outcome, sizeof s->outcome,
			 "unknown: both agents are ice-lite and send no checks (RFC 8445 8.2), and no DTLS or media "
			 "between their candidates is in the capture");
	else if (!checks)
		tl_fmt(s->outcome, sizeof s->outcome,
			 "unknown: no connectivity checks in the capture (it may have been taken where only the "
			 "signaling passes, or ICE never started)");
	else if (succeeded)
		tl_fmt(s->outcome, sizeof s->outcome,
			 "not nominated: %llu pair%s succeeded, but no check with USE-CANDIDATE was answered in the "
			 "capture",
			 (unsigned long long)succeeded, succeeded == 1 ? "" : "s");
	else if (failed && failed == s->n_pairs && errors)
		tl_fmt(s->outcome, sizeof s->outcome, "failed: every pair failed (%llu error response%s, %llu "
							"timeout%s)%s",
			 (unsigned long long)errors, errors == 1 ? "" : "s", (unsigned long long)timeouts,
			 timeouts == 1 ? "" : "s", relay_hint);
	else if (failed && failed == s->n_pairs)
		tl_fmt(s->outcome, sizeof s->outcome, "failed: every pair timed out (%llu check%s on %zu pair%s)%s",
			 (unsigned long long)checks, checks == 1 ? "" : "s", s->n_pairs, s->n_pairs == 1 ? "" : "s",
			 relay_hint);
	else
		tl_fmt(s->outcome, sizeof s->outcome,
			 "undecided: %llu check%s on %zu pair%s, none answered with success before the capture "
			 "ended%s",
			 (unsigned long long)checks, checks == 1 ? "" : "s", s->n_pairs, s->n_pairs == 1 ? "" : "s",
			 pending ? "" : relay_hint);
}

static void missing(struct rtclab_tl_session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void missing(struct rtclab_tl_session *s, const char *fmt, ...)
{
	if (s->n_missing >= RTCLAB_TL_MAX_MISSING)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->missing[s->n_missing++], sizeof s->missing[0], fmt, ap);
	va_end(ap);
}

static void what_is_missing(struct rtclab_timeline *tl, int si)
{
	struct rtclab_tl_session *s = tl->sessions[si];
	struct tl_session_x *x = tl->state->sx[si];
	struct rtclab_timeline_state *st = tl->state;
	bool d0 = x->peers[0].has_desc, d1 = x->peers[1].has_desc;
	if (!d0 && !d1) {
		char tls[160] = "";
		if (st->n_tls) {
			char a1[RTCLAB_ADDR_STRLEN], a2[RTCLAB_ADDR_STRLEN];
			tl_fmt(tls, sizeof tls, " (a TLS stream %s -> %s, wss:// or HTTPS, may carry it encrypted)",
				 tl_addr(&st->tls[0].client, a1), tl_addr(&st->tls[0].server, a2));
		}
		missing(s, "signaling: neither the offer nor the answer is in the capture%s; supply them with --sdp "
			   "FILE or --webrtc-internals FILE",
			tls);
	} else if (!d0 || !d1) {
		int m = d0 ? 1 : 0;
		missing(s, "signaling: %s's description (%s) is not in the input; supply it with --sdp FILE",
			s->peers[m].name, s->peers[m].role == RTCLAB_TL_OFFERER ? "the offer" : "the answer");
	}
	/* an ice-lite agent sends no checks (RFC 8445 2.5): nothing is missing then */
	int silent = !x->peers[0].sent_checks ? 0 : !x->peers[1].sent_checks ? 1 : -1;
	if (x->checks_total && silent >= 0 && !s->peers[silent].ice_lite) {
		int m = silent;
		missing(s, "checks from %s: none in the capture (taken on one side of a one-way path, or %s's checks "
			   "went another way)",
			s->peers[m].name, s->peers[m].name);
	}
	uint64_t answered = s->peers[0].checks_answered + s->peers[1].checks_answered;
	if (x->checks_total && !answered && !x->orphan_responses)
		missing(s, "responses: no check was answered in the capture");
	/* two ice-lite agents send none at all (RFC 8445 8.2) */
	bool both_lite = s->peers[0].ice_lite && s->peers[1].ice_lite;
	if (!x->checks_total && !x->orphan_responses && !both_lite)
		missing(s, "connectivity checks: none in the capture for these ufrags");
	uint64_t unknown = 0;
	for (size_t i = 0; i < s->n_pairs; i++)
		for (size_t k = 0; k < s->pairs[i].n_kept; k++)
			unknown += s->pairs[i].checks[k].request_auth == RTCLAB_TL_AUTH_UNKNOWN;
	if (unknown && !st->opts.no_integrity)
		missing(s, "ice-pwd: %llu check%s could not be authenticated without %s description",
			(unsigned long long)unknown, unknown == 1 ? "" : "s", d0 || d1 ? "the other" : "the");
	if (s->selected.has && !s->dtls.seen)
		missing(s, "DTLS: no handshake on the selected pair in the capture");
}

/* --- steps in time order, columns in ladder order ------------------------------------- */

struct step_key {
	int64_t t;
	uint64_t frame;
	size_t i;
};

static int step_cmp(const void *a, const void *b)
{
	const struct step_key *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->frame != y->frame)
		return x->frame < y->frame ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static void sort_steps(struct rtclab_tl_session *s)
{
	int64_t first = INT64_MAX, last = INT64_MIN;
	for (size_t i = 0; i < s->n_steps; i++)
		if (s->steps[i].time_ns != INT64_MIN) {
			if (s->steps[i].time_ns < first)
				first = s->steps[i].time_ns;
			if (s->steps[i].time_ns > last)
				last = s->steps[i].time_ns;
		}
	if (first == INT64_MAX)
		first = last = 0;
	s->first_ns = first;
	s->last_ns = last;
	struct step_key *k = malloc(s->n_steps * sizeof *k + 1);
	struct rtclab_tl_step *copy = malloc(s->n_steps * sizeof *copy + 1);
	if (!k || !copy) {
		free(k);
		free(copy);
		return;
	}
	for (size_t i = 0; i < s->n_steps; i++) {
		/* supplied descriptions have no time: they come first */
		k[i].t = s->steps[i].time_ns == INT64_MIN ? INT64_MIN : s->steps[i].time_ns;
		k[i].frame = s->steps[i].frame;
		k[i].i = i;
	}
	qsort(k, s->n_steps, sizeof *k, step_cmp);
	for (size_t i = 0; i < s->n_steps; i++)
		copy[i] = s->steps[k[i].i];
	for (size_t i = 0; i < s->n_steps; i++) {
		s->steps[i] = copy[i];
		if (s->steps[i].time_ns == INT64_MIN)
			s->steps[i].time_ns = first;
	}
	free(k);
	free(copy);
	for (size_t i = 0; i < s->n_candidates; i++)
		if (s->candidates[i].time_ns == INT64_MIN)
			s->candidates[i].time_ns = first;
}

/* A | A's NATs | signaling | STUN | TURN | other | B's NATs | B */
static void order_nodes(struct rtclab_tl_session *s)
{
	static const enum rtclab_tl_node_kind order[] = {RTCLAB_TL_NODE_SIGNALING, RTCLAB_TL_NODE_STUN,
							 RTCLAB_TL_NODE_TURN, RTCLAB_TL_NODE_OTHER};
	int map[16];
	struct rtclab_tl_node nodes[16];
	size_t n = 0;
	map[s->peers[0].node] = (int)n;
	nodes[n++] = s->nodes[s->peers[0].node];
	for (size_t i = 0; i < s->n_nodes; i++) /* A's NATs, next to it */
		if (s->nodes[i].kind == RTCLAB_TL_NODE_NAT && s->nodes[i].peer == 0) {
			map[i] = (int)n;
			nodes[n++] = s->nodes[i];
		}
	for (size_t k = 0; k < sizeof order / sizeof order[0]; k++)
		for (size_t i = 0; i < s->n_nodes; i++)
			if (s->nodes[i].kind == order[k] ||
			    (order[k] == RTCLAB_TL_NODE_OTHER && s->nodes[i].kind == RTCLAB_TL_NODE_NAT &&
			     s->nodes[i].peer != 0 && s->nodes[i].peer != 1)) {
				map[i] = (int)n;
				nodes[n++] = s->nodes[i];
			}
	for (size_t i = 0; i < s->n_nodes; i++) /* B's NATs, next to it */
		if (s->nodes[i].kind == RTCLAB_TL_NODE_NAT && s->nodes[i].peer == 1) {
			map[i] = (int)n;
			nodes[n++] = s->nodes[i];
		}
	map[s->peers[1].node] = (int)n;
	nodes[n++] = s->nodes[s->peers[1].node];
	memcpy(s->nodes, nodes, n * sizeof nodes[0]);
	s->n_nodes = n;
	for (int p = 0; p < 2; p++)
		s->peers[p].node = map[s->peers[p].node];
	for (size_t i = 0; i < s->n_steps; i++) {
		if (s->steps[i].from >= 0)
			s->steps[i].from = map[s->steps[i].from];
		if (s->steps[i].to >= 0)
			s->steps[i].to = map[s->steps[i].to];
	}
}

void tl_finish(struct rtclab_timeline *tl)
{
	place_gathers(tl);
	place_nats(tl);
	for (size_t i = 0; i < tl->n_sessions; i++) {
		int si = (int)i;
		struct rtclab_tl_session *s = tl->sessions[si];
		name_peers(tl, si);
		wire_candidates(tl, si);
		pair_states(s, tl->state->sx[si]);
		select_pair(tl, si);
		consent_loss(tl, si);
		check_setup(s);
		sort_steps(s);
		outcome(tl, si);
		what_is_missing(tl, si);
		order_nodes(s);
	}
}
