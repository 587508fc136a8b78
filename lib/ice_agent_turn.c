/* The ICE agent's server side of gathering: Binding to STUN servers for
 * server-reflexive candidates (RFC 8445 5.1.1.2) and the TURN client
 * (RFC 8656): Allocate with the 401 realm/nonce exchange and long-term
 * credentials, Refresh, CreatePermission, ChannelBind, Send and Data
 * indications, ChannelData, 438 stale nonce; over UDP or TCP. */
#include <string.h>

#include "ice_agent_internal.h"
#include "rtclab/channeldata.h"

#define TURN_PERMISSION_REFRESH RTCLAB_SEC(240) /* permissions last 300 s (RFC 8656 9) */
#define TURN_CHANNEL_REFRESH RTCLAB_SEC(540)    /* channels last 600 s (RFC 8656 12) */
#define TURN_TCP_TIMEOUT RTCLAB_MS(39500)      /* RFC 8489 6.2.2 */
#define TURN_MAX_AUTH_TRIES 3

static const char *kind_name(enum ice_tx_kind k)
{
	switch (k) {
	case ICE_TX_ALLOCATE: return "Allocate";
	case ICE_TX_REFRESH: return "Refresh";
	case ICE_TX_PERMISSION: return "CreatePermission";
	case ICE_TX_CHANNEL_BIND: return "ChannelBind";
	default: return "Binding";
	}
}

size_t rtclab_ice_turn_of_local_(const struct rtclab_ice_agent *a, size_t local)
{
	for (size_t i = 0; i < a->n_turn; i++)
		if (a->turn[i].state == TURN_ALLOCATED && a->turn[i].local == local)
			return i;
	return SIZE_MAX;
}

/* Over TCP, ChannelData is padded to 4 bytes (RFC 8656 12.5); STUN always is. */
static void turn_raw(struct rtclab_ice_agent *a, rtclab_time_ns now, size_t i, const void *data, size_t len)
{
	struct turn_client *t = &a->turn[i];
	rtclab_ice_raw_send_(a, now, t->srv.transport, t->host, &t->srv.addr, data, len);
}

/* --- STUN servers -------------------------------------------------------------- */

static void stun_binding(struct rtclab_ice_agent *a, rtclab_time_ns now, size_t i)
{
	struct ice_tx *t = rtclab_ice_tx_alloc_(a);
	if (!t)
		return;
	t->kind = ICE_TX_STUN;
	t->server = i;
	struct rtclab_stun_encoder e;
	rtclab_stun_enc_begin(&e, t->msg, sizeof t->msg, RTCLAB_STUN_BINDING, RTCLAB_STUN_REQUEST, t->id);
	rtclab_stun_enc_fingerprint(&e);
	t->msg_len = rtclab_stun_enc_end(&e);
	a->stun[i].started = true;
	rtclab_ice_tx_start_(a, t, now);
	rtclab_ice_raw_send_(a, now, RTCLAB_L4_UDP, a->stun[i].host, &a->stun[i].addr, t->msg, t->msg_len);
}

static void stun_done(struct rtclab_ice_agent *a, rtclab_time_ns now, size_t i, const struct rtclab_addr *mapped)
{
	struct ice_stun_server *s = &a->stun[i];
	s->done = true;
	if (mapped) {
		const struct rtclab_addr *h = &a->hosts[s->host];
		rtclab_ice_add_local_(a, now, RTCLAB_CAND_SRFLX, mapped, h, h, &s->addr, s->host, 0);
	} else {
		char b[RTCLAB_ADDR_STRLEN];
		rtclab_ice_note_(a, now, RTCLAB_ICE_EV_NOTE, SIZE_MAX, "STUN server %s gave no server-reflexive address",
				 rtclab_ice_addr_str_(&s->addr, b));
	}
	rtclab_ice_check_gathering_done_(a, now);
}

/* --- TURN requests ------------------------------------------------------------- */

static void enc_addr(struct rtclab_stun_encoder *e, uint16_t type, const struct rtclab_addr *x)
{
	struct rtclab_stun_attr at;
	memset(&at, 0, sizeof at);
	at.type = type;
	at.v.addr = *x;
	rtclab_stun_enc_attr(e, &at);
}

static void enc_u32(struct rtclab_stun_encoder *e, uint16_t type, uint32_t v)
{
	struct rtclab_stun_attr at;
	memset(&at, 0, sizeof at);
	at.type = type;
	at.v.u32 = v;
	rtclab_stun_enc_attr(e, &at);
}

/* RFC 8656 and RFC 8489 9.2.4: USERNAME, REALM, NONCE and MESSAGE-INTEGRITY
 * once the server has sent its realm and nonce (not in the first Allocate). */
static void enc_auth(struct rtclab_stun_encoder *e, const struct turn_client *c)
{
	if (!c->have_key)
		return;
	rtclab_stun_enc_raw(e, RTCLAB_STUN_ATTR_USERNAME, c->user, strlen(c->user));
	rtclab_stun_enc_raw(e, RTCLAB_STUN_ATTR_REALM, c->realm, strlen(c->realm));
	rtclab_stun_enc_raw(e, RTCLAB_STUN_ATTR_NONCE, c->nonce, c->nonce_len);
	rtclab_stun_enc_integrity(e, &c->key);
}

static void build_turn(struct rtclab_ice_agent *a, struct ice_tx *t)
{
	const struct turn_client *c = &a->turn[t->server];
	static const uint16_t methods[] = {
		[ICE_TX_ALLOCATE] = RTCLAB_STUN_ALLOCATE,
		[ICE_TX_REFRESH] = RTCLAB_STUN_REFRESH,
		[ICE_TX_PERMISSION] = RTCLAB_STUN_CREATE_PERMISSION,
		[ICE_TX_CHANNEL_BIND] = RTCLAB_STUN_CHANNEL_BIND,
	};
	struct rtclab_stun_encoder e;
	rtclab_stun_enc_begin(&e, t->msg, sizeof t->msg, methods[t->kind], RTCLAB_STUN_REQUEST, t->id);
	switch (t->kind) {
	case ICE_TX_ALLOCATE:
		enc_u32(&e, RTCLAB_STUN_ATTR_REQUESTED_TRANSPORT, 17); /* UDP relay (RFC 8656 7.1) */
		break;
	case ICE_TX_REFRESH:
		enc_u32(&e, RTCLAB_STUN_ATTR_LIFETIME, 600);
		break;
	case ICE_TX_PERMISSION:
		enc_addr(&e, RTCLAB_STUN_ATTR_XOR_PEER_ADDRESS, &c->perms[t->aux].peer);
		break;
	case ICE_TX_CHANNEL_BIND:
		enc_u32(&e, RTCLAB_STUN_ATTR_CHANNEL_NUMBER, c->chans[t->aux].number);
		enc_addr(&e, RTCLAB_STUN_ATTR_XOR_PEER_ADDRESS, &c->chans[t->aux].peer);
		break;
	default:
		break;
	}
	enc_auth(&e, c);
	rtclab_stun_enc_fingerprint(&e);
	t->msg_len = rtclab_stun_enc_end(&e);
}

static void turn_start_tx(struct rtclab_ice_agent *a, rtclab_time_ns now, struct ice_tx *t)
{
	build_turn(a, t);
	rtclab_ice_tx_start_(a, t, now);
	if (a->turn[t->server].srv.transport == RTCLAB_L4_TCP) /* reliable: no retransmission */
		t->next = now + TURN_TCP_TIMEOUT;
	turn_raw(a, now, t->server, t->msg, t->msg_len);
}

static void turn_request(struct rtclab_ice_agent *a, rtclab_time_ns now, size_t i, enum ice_tx_kind kind, size_t aux)
{
	struct ice_tx *t = rtclab_ice_tx_alloc_(a);
	if (!t)
		return;
	t->kind = kind;
	t->server = i;
	t->aux = aux;
	turn_start_tx(a, now, t);
}

/* The same request again, with a new transaction ID and the new nonce. */
static void turn_retry(struct rtclab_ice_agent *a, rtclab_time_ns now, struct ice_tx *t)
{
	rtclab_ice_new_tid_(a, t->id);
	turn_start_tx(a, now, t);
}

/* Gathering requests are paced by Ta like checks (RFC 8445 14.2). */
void rtclab_ice_gather_servers_(struct rtclab_ice_agent *a, rtclab_time_ns now)
{
	if (!a->gathering_started)
		return;
	for (size_t i = 0; i < a->n_stun && now >= a->pace_next; i++)
		if (!a->stun[i].started) {
			stun_binding(a, now, i);
			a->pace_next = now + a->cfg.ta;
		}
	for (size_t i = 0; i < a->n_turn && now >= a->pace_next; i++)
		if (a->turn[i].state == TURN_IDLE) {
			a->turn[i].state = TURN_ALLOCATING;
			turn_request(a, now, i, ICE_TX_ALLOCATE, 0);
			a->pace_next = now + a->cfg.ta;
		}
}

/* --- permissions and channels -------------------------------------------------- */

static bool same_ip(const struct rtclab_addr *x, const struct rtclab_addr *y)
{
	struct rtclab_addr p = *x, q = *y;
	p.port = q.port = 0;
	return rtclab_addr_equal(&p, &q);
}

static const struct turn_perm *find_perm(const struct turn_client *c, const struct rtclab_addr *peer)
{
	for (size_t k = 0; k < c->n_perms; k++)
		if (same_ip(&c->perms[k].peer, peer))
			return &c->perms[k];
	return NULL;
}

bool rtclab_ice_turn_permitted_(const struct rtclab_ice_agent *a, size_t turn, const struct rtclab_addr *peer)
{
	if (turn >= a->n_turn)
		return false;
	const struct turn_perm *p = find_perm(&a->turn[turn], peer);
	return p && p->installed;
}

void rtclab_ice_turn_permit_(struct rtclab_ice_agent *a, rtclab_time_ns now, size_t turn,
			     const struct rtclab_addr *peer)
{
	if (turn >= a->n_turn || a->turn[turn].state != TURN_ALLOCATED)
		return;
	struct turn_client *c = &a->turn[turn];
	if (find_perm(c, peer) || c->n_perms == ICE_MAX_PERMS)
		return;
	struct turn_perm *p = &c->perms[c->n_perms++];
	memset(p, 0, sizeof *p);
	p->peer = *peer;
	p->peer.port = 0;
	p->pending = true;
	char b[RTCLAB_ADDR_STRLEN];
	rtclab_ice_note_(a, now, RTCLAB_ICE_EV_TURN, SIZE_MAX,
			 "CreatePermission for %s before checking it through the relay (RFC 8656 9)",
			 rtclab_addr_ip_format(peer, b, sizeof b));
	turn_request(a, now, turn, ICE_TX_PERMISSION, (size_t)(p - c->perms));
}

void rtclab_ice_turn_bind_channel_(struct rtclab_ice_agent *a, rtclab_time_ns now, size_t turn,
				   const struct rtclab_addr *peer)
{
	if (turn >= a->n_turn)
		return;
	struct turn_client *c = &a->turn[turn];
	for (size_t k = 0; k < c->n_chans; k++)
		if (rtclab_addr_equal(&c->chans[k].peer, peer))
			return;
	if (c->n_chans == ICE_MAX_CHANNELS)
		return;
	struct turn_channel *ch = &c->chans[c->n_chans];
	memset(ch, 0, sizeof *ch);
	ch->peer = *peer;
	ch->number = (uint16_t)(0x4000 + c->n_chans); /* RFC 8656 12: 0x4000-0x4FFF */
	ch->pending = true;
	c->n_chans++;
	char b[RTCLAB_ADDR_STRLEN];
	rtclab_ice_note_(a, now, RTCLAB_ICE_EV_TURN, SIZE_MAX, "ChannelBind 0x%04X to %s for the selected pair",
			 ch->number, rtclab_ice_addr_str_(peer, b));
	turn_request(a, now, turn, ICE_TX_CHANNEL_BIND, c->n_chans - 1);
}

/* Through a bound channel as ChannelData, else in a Send indication. */
void rtclab_ice_turn_send_(struct rtclab_ice_agent *a, rtclab_time_ns now, size_t turn,
			   const struct rtclab_addr *peer, const void *data, size_t len)
{
	struct turn_client *c = &a->turn[turn];
	bool tcp = c->srv.transport == RTCLAB_L4_TCP;
	for (size_t k = 0; k < c->n_chans; k++)
		if (c->chans[k].bound && rtclab_addr_equal(&c->chans[k].peer, peer)) {
			size_t n = rtclab_channeldata_encode(a->wrap, sizeof a->wrap, c->chans[k].number, data, len, tcp);
			if (n)
				turn_raw(a, now, turn, a->wrap, n);
			return;
		}
	uint8_t id[12];
	rtclab_ice_new_tid_(a, id);
	struct rtclab_stun_encoder e;
	rtclab_stun_enc_begin(&e, a->wrap, sizeof a->wrap, RTCLAB_STUN_SEND, RTCLAB_STUN_INDICATION, id);
	enc_addr(&e, RTCLAB_STUN_ATTR_XOR_PEER_ADDRESS, peer);
	rtclab_stun_enc_raw(&e, RTCLAB_STUN_ATTR_DATA, data, len);
	rtclab_stun_enc_fingerprint(&e);
	size_t n = rtclab_stun_enc_end(&e);
	if (n)
		turn_raw(a, now, turn, a->wrap, n);
}

/* --- responses ----------------------------------------------------------------- */

static bool copy_attr_text(char *dst, size_t cap, const struct rtclab_stun_attr *at, struct rtclab_bytes v)
{
	if (!at || !at->ok || v.len >= cap)
		return false;
	memcpy(dst, v.ptr, v.len);
	dst[v.len] = '\0';
	return true;
}

/* RFC 8489 9.2.5: take the realm (401) and the nonce (401, 438), make the key. */
static bool learn_realm_nonce(struct turn_client *c, const struct rtclab_stun_msg *m)
{
	const struct rtclab_stun_attr *realm = rtclab_stun_find(m, RTCLAB_STUN_ATTR_REALM);
	const struct rtclab_stun_attr *nonce = rtclab_stun_find(m, RTCLAB_STUN_ATTR_NONCE);
	if (!nonce || !nonce->ok || nonce->v.nonce.text.len >= sizeof c->nonce)
		return false;
	if (realm && !copy_attr_text(c->realm, sizeof c->realm, realm, realm->v.text))
		return false;
	if (!c->realm[0])
		return false;
	memcpy(c->nonce, nonce->v.nonce.text.ptr, nonce->v.nonce.text.len);
	c->nonce_len = nonce->v.nonce.text.len;
	c->have_key = rtclab_stun_key_long_term(&c->key, c->user, c->realm, c->pass, RTCLAB_STUN_PASSWORD_MD5,
						 RTCLAB_STUN_PREP_OPAQUESTRING) == RTCLAB_STUN_OK;
	return c->have_key;
}

static rtclab_time_ns lifetime_refresh(rtclab_time_ns now, const struct rtclab_stun_msg *m)
{
	const struct rtclab_stun_attr *lt = rtclab_stun_find(m, RTCLAB_STUN_ATTR_LIFETIME);
	rtclab_time_ns life = RTCLAB_SEC(lt && lt->ok ? lt->v.u32 : 600);
	/* A minute before expiry, or half-way for short lifetimes. */
	return now + (life > RTCLAB_SEC(120) ? life - RTCLAB_SEC(60) : life / 2);
}

static void allocated(struct rtclab_ice_agent *a, rtclab_time_ns now, size_t i, const struct rtclab_stun_msg *m)
{
	struct turn_client *c = &a->turn[i];
	const struct rtclab_stun_attr *rel = rtclab_stun_find(m, RTCLAB_STUN_ATTR_XOR_RELAYED_ADDRESS);
	const struct rtclab_stun_attr *map = rtclab_stun_find(m, RTCLAB_STUN_ATTR_XOR_MAPPED_ADDRESS);
	char b1[RTCLAB_ADDR_STRLEN];
	if (!rel || !rel->ok) {
		c->state = TURN_FAILED;
		rtclab_ice_note_(a, now, RTCLAB_ICE_EV_TURN, SIZE_MAX, "Allocate success without XOR-RELAYED-ADDRESS");
		return;
	}
	c->state = TURN_ALLOCATED;
	c->relayed = rel->v.addr;
	c->refresh_at = lifetime_refresh(now, m);
	rtclab_ice_note_(a, now, RTCLAB_ICE_EV_TURN, SIZE_MAX, "TURN allocation: relayed address %s",
			 rtclab_ice_addr_str_(&c->relayed, b1));
	const struct rtclab_addr *h = &a->hosts[c->host];
	if (map && map->ok) { /* the Allocate also tells the mapped address: a srflx candidate */
		c->mapped = map->v.addr;
		rtclab_ice_add_local_(a, now, RTCLAB_CAND_SRFLX, &c->mapped, h, h, &c->srv.addr, c->host, 0);
	}
	c->local = SIZE_MAX;
	size_t l = rtclab_ice_add_local_(a, now, RTCLAB_CAND_RELAY, &c->relayed, &c->relayed,
					 map && map->ok ? &c->mapped : h, &c->srv.addr, c->host, 0);
	c->local = l;
	if (l != SIZE_MAX) /* pairs were formed before c->local was known: ask for their permissions */
		for (size_t r = 0; r < a->n_rc; r++)
			if (a->rc[r].addr.family == c->relayed.family)
				rtclab_ice_turn_permit_(a, now, i, &a->rc[r].addr);
}

static void turn_success(struct rtclab_ice_agent *a, rtclab_time_ns now, struct ice_tx *t,
			 const struct rtclab_stun_msg *m)
{
	struct turn_client *c = &a->turn[t->server];
	c->auth_tries = 0;
	switch (t->kind) {
	case ICE_TX_ALLOCATE:
		allocated(a, now, t->server, m);
		break;
	case ICE_TX_REFRESH:
		c->refresh_at = lifetime_refresh(now, m);
		rtclab_ice_note_(a, now, RTCLAB_ICE_EV_TURN, SIZE_MAX, "TURN allocation refreshed");
		break;
	case ICE_TX_PERMISSION:
		c->perms[t->aux].installed = true;
		c->perms[t->aux].pending = false;
		c->perms[t->aux].refresh_at = now + TURN_PERMISSION_REFRESH;
		break;
	case ICE_TX_CHANNEL_BIND:
		c->chans[t->aux].bound = true;
		c->chans[t->aux].pending = false;
		c->chans[t->aux].refresh_at = now + TURN_CHANNEL_REFRESH;
		rtclab_ice_note_(a, now, RTCLAB_ICE_EV_TURN, SIZE_MAX, "channel 0x%04X bound: data goes as ChannelData",
				 c->chans[t->aux].number);
		break;
	default:
		break;
	}
}

static void turn_failed(struct rtclab_ice_agent *a, rtclab_time_ns now, struct ice_tx *t, uint16_t code)
{
	struct turn_client *c = &a->turn[t->server];
	rtclab_ice_note_(a, now, RTCLAB_ICE_EV_TURN, SIZE_MAX, "TURN %s failed (%s%u)", kind_name(t->kind),
			 code ? "error " : "timeout", code);
	if (t->kind == ICE_TX_ALLOCATE || (t->kind == ICE_TX_REFRESH && code == 437))
		c->state = TURN_FAILED;
	else if (t->kind == ICE_TX_PERMISSION)
		c->perms[t->aux].pending = false;
	else if (t->kind == ICE_TX_CHANNEL_BIND)
		c->chans[t->aux].pending = false;
}

static bool turn_response(struct rtclab_ice_agent *a, rtclab_time_ns now, struct ice_tx *t,
			  const struct rtclab_stun_msg *m)
{
	struct turn_client *c = &a->turn[t->server];
	const struct rtclab_stun_attr *ec = rtclab_stun_find(m, RTCLAB_STUN_ATTR_ERROR_CODE);
	uint16_t code = m->cls == RTCLAB_STUN_ERROR && ec && ec->ok ? ec->v.error.code : 0;
	if (m->cls == RTCLAB_STUN_ERROR && (code == 401 || code == 438)) {
		/* 401: the realm and nonce to authenticate with; 438: a new nonce (RFC 8489 9.2.5). */
		if (c->auth_tries++ < TURN_MAX_AUTH_TRIES && learn_realm_nonce(c, m)) {
			rtclab_ice_note_(a, now, RTCLAB_ICE_EV_TURN, SIZE_MAX, "TURN %s: %u %s, retried with %s",
					 kind_name(t->kind), code, code == 401 ? "Unauthorized" : "Stale Nonce",
					 code == 401 ? "long-term credentials" : "the new nonce");
			turn_retry(a, now, t);
			return false;
		}
	}
	if (c->have_key) { /* RFC 8489 9.2.5: a response without valid integrity is dropped */
		struct rtclab_stun_credentials cred = {c->pass, c->user, c->realm, true};
		struct rtclab_stun_verdict v;
		rtclab_stun_verify(m, &cred, &v);
		if (v.integrity != RTCLAB_STUN_CHECK_OK) {
			rtclab_ice_note_(a, now, RTCLAB_ICE_EV_NOTE, SIZE_MAX,
					 "TURN response dropped: MESSAGE-INTEGRITY %s", rtclab_stun_check_str(v.integrity));
			return false;
		}
	}
	if (m->cls == RTCLAB_STUN_SUCCESS)
		turn_success(a, now, t, m);
	else
		turn_failed(a, now, t, code);
	return true;
}

bool rtclab_ice_server_response_(struct rtclab_ice_agent *a, rtclab_time_ns now, struct ice_tx *t,
				 const struct rtclab_stun_msg *m)
{
	if (t->kind == ICE_TX_STUN) {
		struct rtclab_stun_verdict v;
		rtclab_stun_verify(m, NULL, &v);
		if (v.fingerprint == RTCLAB_STUN_CHECK_BAD)
			return false;
		const struct rtclab_stun_attr *x = rtclab_stun_find(m, RTCLAB_STUN_ATTR_XOR_MAPPED_ADDRESS);
		if (!x || !x->ok)
			x = rtclab_stun_find(m, RTCLAB_STUN_ATTR_MAPPED_ADDRESS);
		size_t s = t->server;
		t->kind = ICE_TX_NONE;
		stun_done(a, now, s, m->cls == RTCLAB_STUN_SUCCESS && x && x->ok ? &x->v.addr : NULL);
		return true;
	}
	bool finished = turn_response(a, now, t, m);
	if (finished) {
		t->kind = ICE_TX_NONE;
		rtclab_ice_check_gathering_done_(a, now);
	}
	return finished;
}

void rtclab_ice_server_tx_timeout_(struct rtclab_ice_agent *a, rtclab_time_ns now, struct ice_tx *t)
{
	bool tcp = t->kind != ICE_TX_STUN && a->turn[t->server].srv.transport == RTCLAB_L4_TCP;
	if (!tcp && t->sent < a->cfg.rc) {
		t->sent++;
		t->next = now + (t->sent < a->cfg.rc ? t->rto << (t->sent - 1) : t->rto * (rtclab_time_ns)a->cfg.rm);
		if (t->kind == ICE_TX_STUN)
			rtclab_ice_raw_send_(a, now, RTCLAB_L4_UDP, a->stun[t->server].host, &a->stun[t->server].addr,
					     t->msg, t->msg_len);
		else
			turn_raw(a, now, t->server, t->msg, t->msg_len);
		return;
	}
	enum ice_tx_kind kind = t->kind;
	t->kind = ICE_TX_NONE;
	if (kind == ICE_TX_STUN) {
		stun_done(a, now, t->server, NULL);
		return;
	}
	t->kind = kind; /* for the message */
	turn_failed(a, now, t, 0);
	t->kind = ICE_TX_NONE;
	rtclab_ice_check_gathering_done_(a, now);
}

/* --- refreshes ----------------------------------------------------------------- */

static bool tx_pending(const struct rtclab_ice_agent *a, size_t server, enum ice_tx_kind kind, size_t aux)
{
	for (size_t i = 0; i < ICE_MAX_TX; i++)
		if (a->tx[i].kind == kind && a->tx[i].server == server && a->tx[i].aux == aux)
			return true;
	return false;
}

void rtclab_ice_turn_timers_(struct rtclab_ice_agent *a, rtclab_time_ns now)
{
	for (size_t i = 0; i < a->n_turn; i++) {
		struct turn_client *c = &a->turn[i];
		if (c->state != TURN_ALLOCATED)
			continue;
		if (now >= c->refresh_at && !tx_pending(a, i, ICE_TX_REFRESH, 0)) {
			c->refresh_at = RTCLAB_NEVER;
			turn_request(a, now, i, ICE_TX_REFRESH, 0);
		}
		for (size_t k = 0; k < c->n_perms; k++)
			if (c->perms[k].installed && !c->perms[k].pending && now >= c->perms[k].refresh_at) {
				c->perms[k].pending = true;
				turn_request(a, now, i, ICE_TX_PERMISSION, k);
			}
		for (size_t k = 0; k < c->n_chans; k++)
			if (c->chans[k].bound && !c->chans[k].pending && now >= c->chans[k].refresh_at) {
				c->chans[k].pending = true;
				turn_request(a, now, i, ICE_TX_CHANNEL_BIND, k);
			}
	}
}

rtclab_time_ns rtclab_ice_turn_next_(const struct rtclab_ice_agent *a)
{
	rtclab_time_ns t = RTCLAB_NEVER;
	if (a->gathering_started) {
		bool idle = false;
		for (size_t i = 0; i < a->n_stun; i++)
			idle |= !a->stun[i].started;
		for (size_t i = 0; i < a->n_turn; i++)
			idle |= a->turn[i].state == TURN_IDLE;
		if (idle)
			t = a->pace_next;
	}
	for (size_t i = 0; i < a->n_turn; i++) {
		const struct turn_client *c = &a->turn[i];
		if (c->state != TURN_ALLOCATED)
			continue;
		if (c->refresh_at < t)
			t = c->refresh_at;
		for (size_t k = 0; k < c->n_perms; k++)
			if (c->perms[k].installed && !c->perms[k].pending && c->perms[k].refresh_at < t)
				t = c->perms[k].refresh_at;
		for (size_t k = 0; k < c->n_chans; k++)
			if (c->chans[k].bound && !c->chans[k].pending && c->chans[k].refresh_at < t)
				t = c->chans[k].refresh_at;
	}
	return t;
}

/* --- incoming from a TURN server ----------------------------------------------- */

/* A datagram the relay received from peer, unwrapped: on to the relayed candidate. */
static void from_peer(struct rtclab_ice_agent *a, rtclab_time_ns now, size_t i, const struct rtclab_addr *peer,
		      const uint8_t *data, size_t len)
{
	size_t l = a->turn[i].local;
	if (l == SIZE_MAX)
		return;
	if (rtclab_stun_is_stun(data, len, true))
		rtclab_ice_handle_stun_(a, now, l, peer, data, len);
	else
		rtclab_ice_handle_app_(a, now, l, peer, data, len);
}

static void turn_message(struct rtclab_ice_agent *a, rtclab_time_ns now, size_t i, const uint8_t *data, size_t len,
			 bool tcp)
{
	struct turn_client *c = &a->turn[i];
	if (len && data[0] >= 0x40 && data[0] <= 0x7F) {
		struct rtclab_channeldata cd;
		if (rtclab_channeldata_decode(&cd, data, len, tcp) != RTCLAB_STUN_OK)
			return;
		for (size_t k = 0; k < c->n_chans; k++)
			if (c->chans[k].number == cd.channel && c->chans[k].bound)
				from_peer(a, now, i, &c->chans[k].peer, cd.data.ptr, cd.data.len);
		return;
	}
	struct rtclab_stun_msg m;
	if (rtclab_stun_decode(&m, data, len) != RTCLAB_STUN_OK && m.n_problems)
		for (size_t k = 0; k < m.n_problems; k++)
			if (m.problems[k].code != RTCLAB_STUN_E_UNKNOWN_REQUIRED)
				return;
	if (m.cls == RTCLAB_STUN_INDICATION && m.method == RTCLAB_STUN_DATA) {
		const struct rtclab_stun_attr *peer = rtclab_stun_find(&m, RTCLAB_STUN_ATTR_XOR_PEER_ADDRESS);
		const struct rtclab_stun_attr *d = rtclab_stun_find(&m, RTCLAB_STUN_ATTR_DATA);
		if (peer && peer->ok && d)
			from_peer(a, now, i, &peer->v.addr, d->value.ptr, d->value.len);
		return;
	}
	if (m.cls == RTCLAB_STUN_SUCCESS || m.cls == RTCLAB_STUN_ERROR) {
		struct ice_tx *t = rtclab_ice_tx_find_(a, m.transaction_id);
		if (t && t->kind >= ICE_TX_STUN)
			rtclab_ice_server_response_(a, now, t, &m);
	}
}

/* The length of the message at the start of a TCP stream (RFC 8656 12.5:
 * STUN messages and ChannelData padded to 4), 0 when not known yet. */
static size_t framed_length(const uint8_t *buf, size_t len)
{
	struct rtclab_reader r;
	rtclab_reader_init(&r, buf, len);
	uint8_t first = rtclab_read_u8(&r);
	rtclab_read_u8(&r);
	uint16_t n = rtclab_read_be16(&r);
	if (r.error)
		return 0;
	if (first < 0x40)
		return RTCLAB_STUN_HEADER_SIZE + (size_t)n;
	return RTCLAB_CHANNELDATA_HEADER_SIZE + (((size_t)n + 3) & ~(size_t)3);
}

static void tcp_chunk(struct rtclab_ice_agent *a, rtclab_time_ns now, size_t i, const uint8_t *data, size_t len)
{
	struct turn_client *c = &a->turn[i];
	if (len > sizeof c->tcp_in - c->tcp_len) { /* a message larger than any TURN sends: start over */
		c->tcp_len = 0;
		return;
	}
	memcpy(c->tcp_in + c->tcp_len, data, len);
	c->tcp_len += len;
	for (;;) {
		if (c->tcp_len && c->tcp_in[0] > 0x7F) { /* neither STUN nor ChannelData: the stream is lost */
			c->tcp_len = 0;
			return;
		}
		size_t n = framed_length(c->tcp_in, c->tcp_len);
		if (!n || n > c->tcp_len)
			return;
		uint8_t msg[ICE_TCP_BUF];
		memcpy(msg, c->tcp_in, n);
		memmove(c->tcp_in, c->tcp_in + n, c->tcp_len - n);
		c->tcp_len -= n;
		turn_message(a, now, i, msg, n, true);
	}
}

bool rtclab_ice_turn_receive_(struct rtclab_ice_agent *a, rtclab_time_ns now, enum rtclab_l4 l4, size_t host,
			      const struct rtclab_addr *from, const uint8_t *data, size_t len)
{
	for (size_t i = 0; i < a->n_turn; i++) {
		struct turn_client *c = &a->turn[i];
		if (c->host != host || c->srv.transport != l4 || !rtclab_addr_equal(&c->srv.addr, from))
			continue;
		if (l4 == RTCLAB_L4_TCP)
			tcp_chunk(a, now, i, data, len);
		else
			turn_message(a, now, i, data, len, false);
		return true;
	}
	return false;
}
