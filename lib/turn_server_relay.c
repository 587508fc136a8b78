/* The simulated TURN server's relay (RFC 8656): allocations (7, 8),
 * permissions (9, 10), Send and Data indications (11), channels and
 * ChannelData (12), and their expiry. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtclab/channeldata.h"
#include "rtclab/stun.h"
#include "rtclab/turn_server.h"
#include "turn_server_internal.h"

/* --- lookups ----------------------------------------------------------------------- */

static bool same_ip(const struct rtclab_addr *a, const struct rtclab_addr *b)
{
	size_t n = a->family == RTCLAB_FAMILY_IPV4 ? 4 : 16;
	return a->family == b->family && memcmp(a->ip, b->ip, n) == 0;
}

struct rtclab_turn_alloc_ *rtclab_turn_find_(struct rtclab_turn_server *srv, enum rtclab_l4 l4,
					     const struct rtclab_addr *server, const struct rtclab_addr *client)
{
	for (size_t i = 0; i < srv->n_slots; i++) {
		struct rtclab_turn_alloc_ *a = srv->allocs[i];
		if (a && a->l4 == l4 && rtclab_addr_equal(&a->client, client) && rtclab_addr_equal(&a->server, server))
			return a;
	}
	return NULL;
}

static struct rtclab_turn_alloc_ *by_relayed(const struct rtclab_turn_server *srv, const struct rtclab_addr *relayed)
{
	if (!same_ip(relayed, &srv->relay_ip) || relayed->port < srv->port_min || relayed->port > srv->port_max)
		return NULL;
	uint32_t slot = srv->by_port[relayed->port - srv->port_min];
	return slot ? srv->allocs[slot - 1] : NULL;
}

bool rtclab_turn_server_is_relayed(const struct rtclab_turn_server *srv, const struct rtclab_addr *addr)
{
	return by_relayed(srv, addr) != NULL;
}

static struct rtclab_turn_perm_ *find_perm(struct rtclab_turn_alloc_ *a, const struct rtclab_addr *peer)
{
	for (size_t i = 0; i < a->n_perms; i++)
		if (same_ip(&a->perms[i].ip, peer))
			return &a->perms[i];
	return NULL;
}

static struct rtclab_turn_chan_ *chan_by_number(struct rtclab_turn_alloc_ *a, uint16_t number)
{
	for (size_t i = 0; i < a->n_chans; i++)
		if (a->chans[i].number == number)
			return &a->chans[i];
	return NULL;
}

static struct rtclab_turn_chan_ *chan_by_peer(struct rtclab_turn_alloc_ *a, const struct rtclab_addr *peer)
{
	for (size_t i = 0; i < a->n_chans; i++)
		if (rtclab_addr_equal(&a->chans[i].peer, peer))
			return &a->chans[i];
	return NULL;
}

static const char *fmt_addr(const struct rtclab_addr *a, char buf[RTCLAB_ADDR_STRLEN])
{
	return rtclab_srv_addr_(a, buf);
}

/* --- allocations (RFC 8656 7, 8) ---------------------------------------------------- */

/* RFC 8656 7.2 and 8.2: min(requested, maximum), but never below the default. */
static uint32_t granted_lifetime(const struct rtclab_turn_server *srv, const struct rtclab_stun_attr *lifetime)
{
	if (!lifetime || !lifetime->ok)
		return srv->default_lifetime_s;
	uint32_t t = lifetime->v.u32 < srv->max_lifetime_s ? lifetime->v.u32 : srv->max_lifetime_s;
	return t > srv->default_lifetime_s ? t : srv->default_lifetime_s;
}

/* A relayed port picked at random in the range (RFC 8656 7.2 asks for
 * unpredictable ports), the next free one after it; 0 when none is free. */
static uint16_t pick_port(struct rtclab_turn_server *srv, bool even)
{
	uint32_t n = (uint32_t)(srv->port_max - srv->port_min) + 1;
	uint32_t start = (uint32_t)rtclab_rng_below(&srv->rng, n);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t off = (start + i) % n;
		uint16_t port = (uint16_t)(srv->port_min + off);
		if (srv->by_port[off] == 0 && (!even || port % 2 == 0))
			return port;
	}
	return 0;
}

static bool take_slot(struct rtclab_turn_server *srv, size_t *out)
{
	for (size_t i = 0; i < srv->n_slots; i++) {
		if (!srv->allocs[i]) {
			*out = i;
			return true;
		}
	}
	if (srv->n_slots == srv->cap_slots) {
		size_t cap = srv->cap_slots ? 2 * srv->cap_slots : 16;
		struct rtclab_turn_alloc_ **p = realloc(srv->allocs, cap * sizeof *p);
		if (!p)
			return false;
		srv->allocs = p;
		srv->cap_slots = cap;
	}
	srv->allocs[srv->n_slots] = NULL;
	*out = srv->n_slots++;
	return true;
}

static void allocate_success(const struct rtclab_turn_req_ *req, const struct rtclab_turn_alloc_ *a)
{
	struct rtclab_stun_encoder e;
	int64_t left = (a->expires - req->now) / RTCLAB_SEC(1);
	rtclab_srv_begin_response_(&e, req->srv->out, sizeof req->srv->out, req->msg, RTCLAB_STUN_SUCCESS,
				   req->srv->software);
	rtclab_srv_add_addr_(&e, RTCLAB_STUN_ATTR_XOR_RELAYED_ADDRESS, &a->relayed);
	rtclab_srv_add_u32_(&e, RTCLAB_STUN_ATTR_LIFETIME, (uint32_t)(left > 0 ? left : 0));
	rtclab_srv_add_addr_(&e, RTCLAB_STUN_ATTR_XOR_MAPPED_ADDRESS, req->src);
	rtclab_turn_reply_(req, &e);
}

/* RFC 8656 7.2 steps 2-7: why this Allocate cannot be served, or NULL. */
static const char *allocate_refusal(const struct rtclab_turn_req_ *req, uint16_t *code)
{
	const struct rtclab_turn_server *srv = req->srv;
	const struct rtclab_stun_attr *transport = rtclab_srv_find_(req->msg, RTCLAB_STUN_ATTR_REQUESTED_TRANSPORT);
	const struct rtclab_stun_attr *token = rtclab_srv_find_(req->msg, RTCLAB_STUN_ATTR_RESERVATION_TOKEN);
	const struct rtclab_stun_attr *even = rtclab_srv_find_(req->msg, RTCLAB_STUN_ATTR_EVEN_PORT);
	const struct rtclab_stun_attr *family = rtclab_srv_find_(req->msg, RTCLAB_STUN_ATTR_REQUESTED_ADDRESS_FAMILY);
	*code = 400;
	if (!transport)
		return "an Allocate needs REQUESTED-TRANSPORT";
	if (transport->v.u32 != 17) {
		*code = 442;
		return "this server relays UDP only (protocol 17)";
	}
	if (token && (even || family))
		return "RESERVATION-TOKEN cannot go with EVEN-PORT or REQUESTED-ADDRESS-FAMILY";
	*code = 508;
	if (token)
		return "this server keeps no reserved ports, so the RESERVATION-TOKEN is not valid";
	if (even && even->v.flag)
		return "this server does not reserve the next port (EVEN-PORT with R set)";
	if (family && family->v.family != srv->relay_ip.family) {
		*code = 440;
		return "the relay has no address of the family asked for";
	}
	if (srv->live >= srv->max_allocations) {
		*code = 486;
		return "the server has as many allocations as it allows";
	}
	return NULL;
}

static struct rtclab_turn_alloc_ *create_alloc(const struct rtclab_turn_req_ *req, uint16_t port)
{
	struct rtclab_turn_server *srv = req->srv;
	size_t slot;
	struct rtclab_turn_alloc_ *a = calloc(1, sizeof *a);
	if (!a || !take_slot(srv, &slot)) {
		free(a);
		return NULL;
	}
	srv->allocs[slot] = a;
	srv->live++;
	srv->by_port[port - srv->port_min] = (uint32_t)slot + 1;
	a->slot = slot;
	a->l4 = req->l4;
	a->client = *req->src;
	a->server = *req->local;
	a->relayed = srv->relay_ip;
	a->relayed.port = port;
	a->user = req->user;
	memcpy(a->allocate_tid, req->msg->transaction_id + (req->msg->transaction_id_len - 12), 12);
	a->granted_s = granted_lifetime(srv, rtclab_srv_find_(req->msg, RTCLAB_STUN_ATTR_LIFETIME));
	a->expires = req->now + RTCLAB_SEC(a->granted_s);
	rtclab_turn_note_deadline_(srv, a->expires);
	return a;
}

void rtclab_turn_allocate_(const struct rtclab_turn_req_ *req)
{
	struct rtclab_turn_server *srv = req->srv;
	struct rtclab_turn_alloc_ *a = rtclab_turn_find_(srv, req->l4, req->local, req->src);
	if (a) {
		/* RFC 8656 7.2 step 1: a retransmission gets the same success again */
		if (memcmp(a->allocate_tid, req->msg->transaction_id + (req->msg->transaction_id_len - 12), 12) == 0)
			allocate_success(req, a);
		else
			rtclab_turn_reject_(req, 437, "this client's 5-tuple already has an allocation");
		return;
	}
	uint16_t code;
	const char *why = allocate_refusal(req, &code);
	if (why) {
		rtclab_turn_reject_(req, code, why);
		return;
	}
	const struct rtclab_stun_attr *even = rtclab_srv_find_(req->msg, RTCLAB_STUN_ATTR_EVEN_PORT);
	uint16_t port = pick_port(srv, even != NULL);
	if (!port || !(a = create_alloc(req, port))) {
		rtclab_turn_reject_(req, 508, port ? "out of memory" : "no relayed port is free");
		return;
	}
	allocate_success(req, a);
	char c[RTCLAB_ADDR_STRLEN], r[RTCLAB_ADDR_STRLEN];
	struct rtclab_server_event ev = {.kind = RTCLAB_SERVER_EV_ALLOCATION_CREATED, .now = req->now, .l4 = a->l4,
					 .client = a->client, .server = a->server, .relayed = a->relayed,
					 .method = RTCLAB_STUN_ALLOCATE, .lifetime_s = a->granted_s};
	rtclab_turn_emit_ev_(srv, &ev,
			     "The TURN server gave %s (user %s) the relayed address %s for %u s: peers it permits can "
			     "now reach the client there.",
			     fmt_addr(&a->client, c), srv->users[a->user].name, fmt_addr(&a->relayed, r), a->granted_s);
}

void rtclab_turn_delete_(struct rtclab_turn_server *srv, rtclab_time_ns now, struct rtclab_turn_alloc_ *a,
			 enum rtclab_server_event_kind kind, const char *why)
{
	char r[RTCLAB_ADDR_STRLEN];
	rtclab_turn_emit_(srv, now, kind, a, "The TURN server released the relayed address %s: %s.",
			  fmt_addr(&a->relayed, r), why);
	srv->by_port[a->relayed.port - srv->port_min] = 0;
	srv->allocs[a->slot] = NULL;
	srv->live--;
	free(a);
}

/* Refresh and the other requests act on the allocation of their 5-tuple,
 * made by the same user (RFC 8656 5: else 441 Wrong Credentials). */
static struct rtclab_turn_alloc_ *own_alloc(const struct rtclab_turn_req_ *req)
{
	struct rtclab_turn_alloc_ *a = rtclab_turn_find_(req->srv, req->l4, req->local, req->src);
	if (!a) {
		rtclab_turn_reject_(req, 437, "this client's 5-tuple has no allocation");
		return NULL;
	}
	if (a->user != req->user) {
		rtclab_turn_reject_(req, 441, "the allocation belongs to another user");
		return NULL;
	}
	return a;
}

static void lifetime_success(const struct rtclab_turn_req_ *req, uint32_t lifetime)
{
	struct rtclab_stun_encoder e;
	rtclab_srv_begin_response_(&e, req->srv->out, sizeof req->srv->out, req->msg, RTCLAB_STUN_SUCCESS,
				   req->srv->software);
	rtclab_srv_add_u32_(&e, RTCLAB_STUN_ATTR_LIFETIME, lifetime);
	rtclab_turn_reply_(req, &e);
}

void rtclab_turn_refresh_(const struct rtclab_turn_req_ *req)
{
	struct rtclab_turn_alloc_ *a = own_alloc(req);
	if (!a)
		return;
	const struct rtclab_stun_attr *family = rtclab_srv_find_(req->msg, RTCLAB_STUN_ATTR_REQUESTED_ADDRESS_FAMILY);
	if (family && family->v.family != a->relayed.family) {
		rtclab_turn_reject_(req, 443, "REQUESTED-ADDRESS-FAMILY is not the relayed address's family (RFC 8656 8.2)");
		return;
	}
	const struct rtclab_stun_attr *lifetime = rtclab_srv_find_(req->msg, RTCLAB_STUN_ATTR_LIFETIME);
	if (lifetime && lifetime->ok && lifetime->v.u32 == 0) {
		rtclab_turn_delete_(req->srv, req->now, a, RTCLAB_SERVER_EV_ALLOCATION_DELETED,
				    "the client asked for it with a Refresh of LIFETIME 0");
		lifetime_success(req, 0);
		return;
	}
	a->granted_s = granted_lifetime(req->srv, lifetime);
	a->expires = req->now + RTCLAB_SEC(a->granted_s);
	rtclab_turn_note_deadline_(req->srv, a->expires);
	lifetime_success(req, a->granted_s);
	char r[RTCLAB_ADDR_STRLEN];
	struct rtclab_server_event ev = {.kind = RTCLAB_SERVER_EV_ALLOCATION_REFRESHED, .now = req->now, .l4 = a->l4,
					 .client = a->client, .server = a->server, .relayed = a->relayed,
					 .method = RTCLAB_STUN_REFRESH, .lifetime_s = a->granted_s};
	rtclab_turn_emit_ev_(req->srv, &ev, "The TURN server kept the relayed address %s for %u s more.",
			     fmt_addr(&a->relayed, r), a->granted_s);
}

/* --- permissions (RFC 8656 9, 10) --------------------------------------------------- */

/* Install or refresh the permission for peer's IP address; the capacity
 * was checked by the caller. */
static void permit(struct rtclab_turn_server *srv, rtclab_time_ns now, struct rtclab_turn_alloc_ *a,
		   const struct rtclab_addr *peer, uint16_t method)
{
	struct rtclab_turn_perm_ *p = find_perm(a, peer);
	bool fresh = !p;
	if (fresh) {
		p = &a->perms[a->n_perms++];
		p->ip = *peer;
		p->ip.port = 0;
	}
	p->expires = now + RTCLAB_SEC(RTCLAB_TURN_PERMISSION_LIFETIME);
	rtclab_turn_note_deadline_(srv, p->expires);
	char ip[RTCLAB_ADDR_STRLEN], r[RTCLAB_ADDR_STRLEN];
	struct rtclab_server_event ev = {.kind = fresh ? RTCLAB_SERVER_EV_PERMISSION_INSTALLED
						       : RTCLAB_SERVER_EV_PERMISSION_REFRESHED,
					 .now = now, .l4 = a->l4, .client = a->client, .server = a->server,
					 .relayed = a->relayed, .peer = p->ip, .method = method,
					 .lifetime_s = RTCLAB_TURN_PERMISSION_LIFETIME};
	rtclab_addr_ip_format(peer, ip, sizeof ip);
	rtclab_turn_emit_ev_(srv, &ev,
			     fresh ? "The TURN server now lets %s (any port) exchange data with the relayed address %s, "
				     "for %d s."
				   : "The TURN server kept the permission for %s on the relayed address %s, for %d s more.",
			     ip, fmt_addr(&a->relayed, r), RTCLAB_TURN_PERMISSION_LIFETIME);
}

/* New permissions the XOR-PEER-ADDRESS attributes of msg would add, each
 * IP address counted once; false (with *code and *why) when one is of the
 * wrong family or there are none. */
static bool count_new_perms(struct rtclab_turn_alloc_ *a, const struct rtclab_stun_msg *msg, size_t *n_new,
			    uint16_t *code, const char **why)
{
	size_t n_peers = 0;
	*n_new = 0;
	for (size_t i = 0; i < msg->n_attrs; i++) {
		const struct rtclab_stun_attr *x = &msg->attrs[i];
		if (x->type != RTCLAB_STUN_ATTR_XOR_PEER_ADDRESS || x->ignored)
			continue;
		n_peers++;
		if (x->v.addr.family != a->relayed.family) {
			*code = 443;
			*why = "a peer address is not of the relayed address's family";
			return false;
		}
		bool seen = find_perm(a, &x->v.addr) != NULL;
		for (size_t k = 0; k < i && !seen; k++)
			seen = msg->attrs[k].type == RTCLAB_STUN_ATTR_XOR_PEER_ADDRESS && !msg->attrs[k].ignored &&
			       same_ip(&msg->attrs[k].v.addr, &x->v.addr);
		*n_new += !seen;
	}
	if (n_peers == 0) {
		*code = 400;
		*why = "a CreatePermission needs at least one XOR-PEER-ADDRESS";
		return false;
	}
	return true;
}

void rtclab_turn_create_permission_(const struct rtclab_turn_req_ *req)
{
	struct rtclab_turn_alloc_ *a = own_alloc(req);
	if (!a)
		return;
	size_t n_new;
	uint16_t code;
	const char *why;
	if (!count_new_perms(a, req->msg, &n_new, &code, &why)) {
		rtclab_turn_reject_(req, code, why);
		return;
	}
	if (a->n_perms + n_new > RTCLAB_TURN_MAX_PERMISSIONS) {
		rtclab_turn_reject_(req, 508, "the allocation has as many permissions as the server allows");
		return;
	}
	/* RFC 8656 10.2: all of them or none */
	for (size_t i = 0; i < req->msg->n_attrs; i++) {
		const struct rtclab_stun_attr *x = &req->msg->attrs[i];
		if (x->type == RTCLAB_STUN_ATTR_XOR_PEER_ADDRESS && !x->ignored)
			permit(req->srv, req->now, a, &x->v.addr, RTCLAB_STUN_CREATE_PERMISSION);
	}
	struct rtclab_stun_encoder e;
	rtclab_srv_begin_response_(&e, req->srv->out, sizeof req->srv->out, req->msg, RTCLAB_STUN_SUCCESS,
				   req->srv->software);
	rtclab_turn_reply_(req, &e);
}

/* --- channels (RFC 8656 12) ---------------------------------------------------------- */

/* RFC 8656 12.2: why this binding cannot be made, or NULL. */
static const char *bind_refusal(struct rtclab_turn_alloc_ *a, uint16_t number, const struct rtclab_addr *peer,
				uint16_t *code)
{
	*code = 400;
	if (number < 0x4000 || number > 0x4FFF)
		return "channel numbers are 0x4000 to 0x4FFF (RFC 8656 12)";
	if (peer->family != a->relayed.family) {
		*code = 443;
		return "the peer address is not of the relayed address's family";
	}
	struct rtclab_turn_chan_ *c = chan_by_number(a, number);
	struct rtclab_turn_chan_ *p = chan_by_peer(a, peer);
	if (c && !rtclab_addr_equal(&c->peer, peer))
		return c->bound ? "that channel is bound to another peer"
				: "that channel was bound to another peer less than 5 minutes ago";
	if (p && p->number != number)
		return p->bound ? "that peer is bound to another channel"
				: "that peer was bound to another channel less than 5 minutes ago";
	*code = 508;
	if (!c && a->n_chans == RTCLAB_TURN_MAX_CHANNELS)
		return "the allocation has as many channels as the server allows";
	if (!find_perm(a, peer) && a->n_perms == RTCLAB_TURN_MAX_PERMISSIONS)
		return "the allocation has as many permissions as the server allows";
	return NULL;
}

void rtclab_turn_channel_bind_(const struct rtclab_turn_req_ *req)
{
	struct rtclab_turn_alloc_ *a = own_alloc(req);
	if (!a)
		return;
	const struct rtclab_stun_attr *num = rtclab_srv_find_(req->msg, RTCLAB_STUN_ATTR_CHANNEL_NUMBER);
	const struct rtclab_stun_attr *peer = rtclab_srv_find_(req->msg, RTCLAB_STUN_ATTR_XOR_PEER_ADDRESS);
	if (!num || !peer) {
		rtclab_turn_reject_(req, 400, "a ChannelBind needs CHANNEL-NUMBER and XOR-PEER-ADDRESS");
		return;
	}
	uint16_t number = (uint16_t)num->v.u32, code;
	const char *why = bind_refusal(a, number, &peer->v.addr, &code);
	if (why) {
		rtclab_turn_reject_(req, code, why);
		return;
	}
	struct rtclab_turn_chan_ *c = chan_by_number(a, number);
	bool was_bound = c && c->bound;
	if (!c) {
		c = &a->chans[a->n_chans++];
		c->number = number;
		c->peer = peer->v.addr;
	}
	c->bound = true;
	c->expires = req->now + RTCLAB_SEC(RTCLAB_TURN_CHANNEL_LIFETIME);
	rtclab_turn_note_deadline_(req->srv, c->expires);
	char p[RTCLAB_ADDR_STRLEN];
	struct rtclab_server_event ev = {.kind = was_bound ? RTCLAB_SERVER_EV_CHANNEL_REFRESHED : RTCLAB_SERVER_EV_CHANNEL_BOUND,
					 .now = req->now, .l4 = a->l4, .client = a->client, .server = a->server,
					 .relayed = a->relayed, .peer = c->peer, .method = RTCLAB_STUN_CHANNEL_BIND,
					 .channel = number, .lifetime_s = RTCLAB_TURN_CHANNEL_LIFETIME};
	rtclab_turn_emit_ev_(req->srv, &ev,
			     was_bound ? "The TURN server kept channel 0x%04X for %s, %d s more."
				       : "The TURN server bound channel 0x%04X to %s for %d s: data to and from that peer "
					 "can now travel with a 4-byte ChannelData header instead of a STUN indication.",
			     number, fmt_addr(&c->peer, p), RTCLAB_TURN_CHANNEL_LIFETIME);
	/* RFC 8656 12.2: binding a channel installs or refreshes the permission */
	permit(req->srv, req->now, a, &c->peer, RTCLAB_STUN_CHANNEL_BIND);
	struct rtclab_stun_encoder e;
	rtclab_srv_begin_response_(&e, req->srv->out, sizeof req->srv->out, req->msg, RTCLAB_STUN_SUCCESS,
				   req->srv->software);
	rtclab_turn_reply_(req, &e);
}

/* --- relaying (RFC 8656 11, 12) ---------------------------------------------------- */

static void data_event(struct rtclab_turn_server *srv, rtclab_time_ns now, enum rtclab_server_event_kind kind,
		       const struct rtclab_turn_alloc_ *a, const struct rtclab_addr *peer, uint16_t channel,
		       size_t len, const char *why)
{
	char c[RTCLAB_ADDR_STRLEN], p[RTCLAB_ADDR_STRLEN], r[RTCLAB_ADDR_STRLEN];
	struct rtclab_server_event ev = {.kind = kind, .now = now, .l4 = a->l4, .client = a->client,
					 .server = a->server, .relayed = a->relayed, .channel = channel, .length = len};
	if (peer)
		ev.peer = *peer;
	fmt_addr(&a->client, c);
	fmt_addr(&a->relayed, r);
	if (peer)
		fmt_addr(peer, p);
	else
		snprintf(p, sizeof p, "a peer");
	switch (kind) {
	case RTCLAB_SERVER_EV_RELAYED_TO_PEER:
		rtclab_turn_emit_ev_(srv, &ev, "The TURN server relayed %zu bytes from %s to %s out of the relayed address %s (%s).",
				     len, c, p, r, why);
		break;
	case RTCLAB_SERVER_EV_RELAYED_TO_CLIENT:
		rtclab_turn_emit_ev_(srv, &ev, "The TURN server passed %zu bytes from %s, received at %s, on to %s as %s.", len, p,
				     r, c, why);
		break;
	default:
		rtclab_turn_emit_ev_(srv, &ev, "The TURN server dropped %zu bytes between %s and %s (relayed address %s): %s.", len,
				     c, p, r, why);
		break;
	}
}

/* A live permission for peer's IP address (RFC 8656 9: checked for data
 * in both directions). */
static bool permitted(struct rtclab_turn_alloc_ *a, rtclab_time_ns now, const struct rtclab_addr *peer)
{
	struct rtclab_turn_perm_ *p = find_perm(a, peer);
	return p && p->expires > now;
}

static void relay_to_peer(struct rtclab_turn_server *srv, rtclab_time_ns now, struct rtclab_turn_alloc_ *a,
			  const struct rtclab_addr *peer, uint16_t channel, struct rtclab_bytes data, const char *via)
{
	if (!permitted(a, now, peer)) {
		data_event(srv, now, RTCLAB_SERVER_EV_DROPPED_NO_PERMISSION, a, peer, channel, data.len,
			   "the client has no permission for that peer's IP address (CreatePermission first, RFC 8656 9)");
		return;
	}
	srv->send(srv->send_arg, now, RTCLAB_L4_UDP, &a->relayed, peer, data.ptr, data.len);
	data_event(srv, now, RTCLAB_SERVER_EV_RELAYED_TO_PEER, a, peer, channel, data.len, via);
}

void rtclab_turn_send_indication_(struct rtclab_turn_server *srv, rtclab_time_ns now, enum rtclab_l4 l4,
				  const struct rtclab_addr *local, const struct rtclab_addr *src,
				  const struct rtclab_stun_msg *msg)
{
	struct rtclab_turn_alloc_ *a = rtclab_turn_find_(srv, l4, local, src);
	const struct rtclab_stun_attr *peer = rtclab_srv_find_(msg, RTCLAB_STUN_ATTR_XOR_PEER_ADDRESS);
	const struct rtclab_stun_attr *data = rtclab_srv_find_(msg, RTCLAB_STUN_ATTR_DATA);
	if (!a) {
		struct rtclab_server_event ev = {.kind = RTCLAB_SERVER_EV_DROPPED, .now = now, .l4 = l4, .client = *src,
						 .server = *local, .method = RTCLAB_STUN_SEND};
		if (peer)
			ev.peer = peer->v.addr;
		rtclab_turn_emit_ev_(srv, &ev, "The TURN server dropped a Send indication: the client has no allocation.");
		return;
	}
	/* RFC 8656 11.2: discarded without XOR-PEER-ADDRESS or DATA, or with a peer of another family */
	if (!peer || !data)
		data_event(srv, now, RTCLAB_SERVER_EV_DROPPED, a, peer ? &peer->v.addr : NULL, 0, data ? data->length : 0,
			   "a Send indication needs XOR-PEER-ADDRESS and DATA");
	else if (peer->v.addr.family != a->relayed.family)
		data_event(srv, now, RTCLAB_SERVER_EV_DROPPED, a, &peer->v.addr, 0, data->length,
			   "the peer is not of the relayed address's family");
	else
		relay_to_peer(srv, now, a, &peer->v.addr, 0, data->value, "Send indication");
}

void rtclab_turn_channeldata_(struct rtclab_turn_server *srv, rtclab_time_ns now, enum rtclab_l4 l4,
			      const struct rtclab_addr *local, const struct rtclab_addr *src, const uint8_t *data,
			      size_t len)
{
	struct rtclab_channeldata cd;
	enum rtclab_stun_error err = rtclab_channeldata_decode(&cd, data, len, l4 == RTCLAB_L4_TCP);
	struct rtclab_turn_alloc_ *a = rtclab_turn_find_(srv, l4, local, src);
	struct rtclab_turn_chan_ *c = a ? chan_by_number(a, cd.channel) : NULL;
	if (err || !a) {
		struct rtclab_server_event ev = {.kind = RTCLAB_SERVER_EV_DROPPED, .now = now, .l4 = l4, .client = *src,
						 .server = *local, .channel = cd.channel, .length = len};
		rtclab_turn_emit_ev_(srv, &ev, "The TURN server dropped a ChannelData message: %s.",
				     err ? rtclab_stun_error_str(err) : "the client has no allocation");
	} else if (!c || !c->bound || c->expires <= now) {
		/* RFC 8656 12.6: data on a channel not bound is discarded */
		data_event(srv, now, RTCLAB_SERVER_EV_DROPPED, a, NULL, cd.channel, cd.data.len,
			   "that channel is not bound to a peer");
	} else {
		relay_to_peer(srv, now, a, &c->peer, cd.channel, cd.data, "ChannelData");
	}
}

/* RFC 8656 11.3: a Data indication with the peer and the data. */
static size_t data_indication(struct rtclab_turn_server *srv, const struct rtclab_addr *peer, const uint8_t *data,
			      size_t len)
{
	uint8_t tid[12];
	for (size_t i = 0; i < sizeof tid; i++)
		tid[i] = (uint8_t)rtclab_rng_next(&srv->rng);
	struct rtclab_stun_encoder e;
	rtclab_stun_enc_begin(&e, srv->out, sizeof srv->out, RTCLAB_STUN_DATA, RTCLAB_STUN_INDICATION, tid);
	rtclab_srv_add_addr_(&e, RTCLAB_STUN_ATTR_XOR_PEER_ADDRESS, peer);
	rtclab_stun_enc_raw(&e, RTCLAB_STUN_ATTR_DATA, data, len);
	rtclab_stun_enc_fingerprint(&e);
	return rtclab_stun_enc_end(&e);
}

bool rtclab_turn_from_peer_(struct rtclab_turn_server *srv, rtclab_time_ns now, const struct rtclab_addr *relayed,
			    const struct rtclab_addr *peer, const uint8_t *data, size_t len)
{
	struct rtclab_turn_alloc_ *a = by_relayed(srv, relayed);
	if (!a)
		return false;
	if (!permitted(a, now, peer)) {
		data_event(srv, now, RTCLAB_SERVER_EV_DROPPED_NO_PERMISSION, a, peer, 0, len,
			   "the client has not permitted that peer's IP address, so the relay filters it (RFC 8656 9)");
		return true;
	}
	/* RFC 8656 12.7: over a bound channel, ChannelData (padded over TCP) */
	struct rtclab_turn_chan_ *c = chan_by_peer(a, peer);
	bool channel = c && c->bound && c->expires > now;
	size_t n = channel ? rtclab_channeldata_encode(srv->out, sizeof srv->out, c->number, data, len,
						       a->l4 == RTCLAB_L4_TCP)
			   : data_indication(srv, peer, data, len);
	if (n == 0) {
		data_event(srv, now, RTCLAB_SERVER_EV_DROPPED, a, peer, 0, len, "too large to pass on in one message");
		return true;
	}
	rtclab_turn_to_client_(srv, now, a, srv->out, n);
	data_event(srv, now, RTCLAB_SERVER_EV_RELAYED_TO_CLIENT, a, peer, channel ? c->number : 0, len,
		   channel ? "ChannelData" : "a Data indication");
	return true;
}

/* --- expiry ---------------------------------------------------------------------- */

static rtclab_time_ns expire_perms(struct rtclab_turn_server *srv, rtclab_time_ns now, struct rtclab_turn_alloc_ *a)
{
	rtclab_time_ns next = RTCLAB_NEVER;
	char ip[RTCLAB_ADDR_STRLEN], r[RTCLAB_ADDR_STRLEN];
	for (size_t i = 0; i < a->n_perms;) {
		struct rtclab_turn_perm_ *p = &a->perms[i];
		if (p->expires > now) {
			next = p->expires < next ? p->expires : next;
			i++;
			continue;
		}
		struct rtclab_server_event ev = {.kind = RTCLAB_SERVER_EV_PERMISSION_EXPIRED, .now = now, .l4 = a->l4,
						 .client = a->client, .server = a->server, .relayed = a->relayed,
						 .peer = p->ip};
		rtclab_addr_ip_format(&p->ip, ip, sizeof ip);
		rtclab_turn_emit_ev_(srv, &ev,
				     "The permission for %s on the relayed address %s expired: it was not refreshed within "
				     "%d s, so that peer's datagrams are dropped again.",
				     ip, fmt_addr(&a->relayed, r), RTCLAB_TURN_PERMISSION_LIFETIME);
		*p = a->perms[--a->n_perms];
	}
	return next;
}

static rtclab_time_ns expire_chans(struct rtclab_turn_server *srv, rtclab_time_ns now, struct rtclab_turn_alloc_ *a)
{
	rtclab_time_ns next = RTCLAB_NEVER;
	char p[RTCLAB_ADDR_STRLEN];
	for (size_t i = 0; i < a->n_chans;) {
		struct rtclab_turn_chan_ *c = &a->chans[i];
		if (c->bound && c->expires <= now) {
			struct rtclab_server_event ev = {.kind = RTCLAB_SERVER_EV_CHANNEL_EXPIRED, .now = now, .l4 = a->l4,
							 .client = a->client, .server = a->server, .relayed = a->relayed,
							 .peer = c->peer, .channel = c->number};
			rtclab_turn_emit_ev_(srv, &ev,
					     "Channel 0x%04X to %s expired: it was not rebound within %d s (neither may be "
					     "bound to another for %d s).",
					     c->number, fmt_addr(&c->peer, p), RTCLAB_TURN_CHANNEL_LIFETIME,
					     RTCLAB_TURN_CHANNEL_COOLDOWN);
			c->bound = false;
			c->expires += RTCLAB_SEC(RTCLAB_TURN_CHANNEL_COOLDOWN);
		}
		if (!c->bound && c->expires <= now) { /* the cooldown is over: forgotten */
			*c = a->chans[--a->n_chans];
			continue;
		}
		next = c->expires < next ? c->expires : next;
		i++;
	}
	return next;
}

void rtclab_turn_expire_(struct rtclab_turn_server *srv, rtclab_time_ns now)
{
	rtclab_time_ns next = RTCLAB_NEVER;
	for (size_t i = 0; i < srv->n_slots; i++) {
		struct rtclab_turn_alloc_ *a = srv->allocs[i];
		if (!a)
			continue;
		if (a->expires <= now) {
			char why[96];
			snprintf(why, sizeof why, "it was not refreshed within its lifetime of %u s", a->granted_s);
			rtclab_turn_delete_(srv, now, a, RTCLAB_SERVER_EV_ALLOCATION_EXPIRED, why);
			continue;
		}
		rtclab_time_ns p = expire_perms(srv, now, a), c = expire_chans(srv, now, a);
		next = a->expires < next ? a->expires : next;
		next = p < next ? p : next;
		next = c < next ? c : next;
	}
	srv->next_due = next;
}
