/* The simulated TURN server (RFC 8656): creation, what arrives (UDP, or
 * a TCP stream cut into STUN and ChannelData messages, RFC 8656 12.5),
 * long-term authentication with expiring nonces (RFC 8489 9.2), and the
 * dispatch of requests.  Allocations, permissions, channels and relaying
 * are in lib/turn_server_relay.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtclab/channeldata.h"
#include "rtclab/stun.h"
#include "rtclab/turn_server.h"
#include "turn_server_internal.h"

#define STREAM_MESSAGE_MAX (RTCLAB_STUN_HEADER_SIZE + 0xFFFF) /* the longest STUN message */

/* --- creation ---------------------------------------------------------------------- */

static bool addr_usable(const struct rtclab_addr *a)
{
	return a->family == RTCLAB_FAMILY_IPV4 || a->family == RTCLAB_FAMILY_IPV6;
}

static enum rtclab_server_error check_config(const struct rtclab_turn_server_config *cfg)
{
	if (!addr_usable(&cfg->listen) || cfg->listen.port == 0)
		return RTCLAB_SERVER_E_NO_ADDRESS;
	if (!cfg->send)
		return RTCLAB_SERVER_E_NO_SEND;
	if (!cfg->rng)
		return RTCLAB_SERVER_E_NO_RNG;
	if (!cfg->realm || !cfg->realm[0])
		return RTCLAB_SERVER_E_NO_REALM;
	if (!addr_usable(&cfg->relay_ip) || cfg->relay_port_min > cfg->relay_port_max ||
	    (cfg->relay_port_min == 0 && cfg->relay_port_max != 0))
		return RTCLAB_SERVER_E_RELAY_RANGE;
	uint32_t def = cfg->default_lifetime_s ? cfg->default_lifetime_s : RTCLAB_TURN_DEFAULT_LIFETIME;
	uint32_t max = cfg->max_lifetime_s ? cfg->max_lifetime_s : RTCLAB_TURN_MAX_LIFETIME;
	if (def > max)
		return RTCLAB_SERVER_E_LIFETIME;
	return RTCLAB_SERVER_OK;
}

static enum rtclab_server_error copy_users(struct rtclab_turn_server *s, const struct rtclab_turn_server_config *cfg,
					   size_t *where)
{
	if (cfg->n_users && !(s->users = calloc(cfg->n_users, sizeof *s->users)))
		return RTCLAB_SERVER_E_NO_MEMORY;
	for (size_t i = 0; i < cfg->n_users; i++) {
		const struct rtclab_turn_user *u = &cfg->users[i];
		*where = i;
		if (!u->username || !u->username[0] || !u->password)
			return RTCLAB_SERVER_E_BAD_USER;
		if (!(s->users[i].name = strdup(u->username)))
			return RTCLAB_SERVER_E_NO_MEMORY;
		s->n_users = i + 1;
		if (rtclab_stun_key_long_term(&s->users[i].key, u->username, s->realm, u->password,
					      RTCLAB_STUN_PASSWORD_MD5, RTCLAB_STUN_PREP_OPAQUESTRING))
			return RTCLAB_SERVER_E_BAD_USER;
	}
	return RTCLAB_SERVER_OK;
}

static enum rtclab_server_error setup(struct rtclab_turn_server *s, const struct rtclab_turn_server_config *cfg,
				      size_t *where)
{
	char prepared[1024];
	if (rtclab_stun_prepare(cfg->realm, RTCLAB_STUN_PREP_OPAQUESTRING, prepared, sizeof prepared))
		return RTCLAB_SERVER_E_NO_REALM;
	if (!(s->realm = strdup(cfg->realm)) || (cfg->software && !(s->software = strdup(cfg->software))))
		return RTCLAB_SERVER_E_NO_MEMORY;
	enum rtclab_server_error err = copy_users(s, cfg, where);
	if (err)
		return err;
	s->by_port = calloc((size_t)(s->port_max - s->port_min) + 1, sizeof *s->by_port);
	return s->by_port ? RTCLAB_SERVER_OK : RTCLAB_SERVER_E_NO_MEMORY;
}

enum rtclab_server_error rtclab_turn_server_new(const struct rtclab_turn_server_config *cfg,
						struct rtclab_turn_server **out, size_t *where)
{
	size_t where_dummy;
	if (!where)
		where = &where_dummy;
	*out = NULL;
	*where = 0;
	enum rtclab_server_error err = check_config(cfg);
	if (err)
		return err;
	struct rtclab_turn_server *s = calloc(1, sizeof *s);
	if (!s)
		return RTCLAB_SERVER_E_NO_MEMORY;
	s->listen = cfg->listen;
	s->relay_ip = cfg->relay_ip;
	s->relay_ip.port = 0;
	/* RFC 8656 7.2: relayed ports from the dynamic range 49152-65535 by default */
	s->port_min = cfg->relay_port_min ? cfg->relay_port_min : 49152;
	s->port_max = cfg->relay_port_min ? cfg->relay_port_max : 65535;
	s->default_lifetime_s = cfg->default_lifetime_s ? cfg->default_lifetime_s : RTCLAB_TURN_DEFAULT_LIFETIME;
	s->max_lifetime_s = cfg->max_lifetime_s ? cfg->max_lifetime_s : RTCLAB_TURN_MAX_LIFETIME;
	s->nonce_lifetime_s = cfg->nonce_lifetime_s ? cfg->nonce_lifetime_s : RTCLAB_TURN_NONCE_LIFETIME;
	s->max_allocations = cfg->max_allocations ? cfg->max_allocations : RTCLAB_TURN_MAX_ALLOCATIONS;
	s->max_conns = cfg->max_tcp_connections ? cfg->max_tcp_connections : RTCLAB_TURN_MAX_TCP_CONNECTIONS;
	rtclab_rng_fork(cfg->rng, &s->rng);
	s->nonce_secret = rtclab_rng_next(&s->rng);
	s->send = cfg->send;
	s->send_arg = cfg->send_arg;
	s->on_event = cfg->on_event;
	s->event_arg = cfg->event_arg;
	s->next_due = RTCLAB_NEVER;
	err = setup(s, cfg, where);
	if (err) {
		rtclab_turn_server_free(s);
		return err;
	}
	*out = s;
	return RTCLAB_SERVER_OK;
}

void rtclab_turn_server_free(struct rtclab_turn_server *srv)
{
	if (!srv)
		return;
	for (size_t i = 0; i < srv->n_slots; i++)
		free(srv->allocs[i]);
	free(srv->allocs);
	free(srv->by_port);
	for (size_t i = 0; i < srv->n_conns; i++)
		free(srv->conns[i].buf);
	free(srv->conns);
	for (size_t i = 0; i < srv->n_users; i++)
		free(srv->users[i].name);
	free(srv->users);
	free(srv->realm);
	free(srv->software);
	free(srv);
}

/* --- events and sending ------------------------------------------------------------- */

__attribute__((format(printf, 3, 0))) static void emit_va(struct rtclab_turn_server *srv, struct rtclab_server_event *ev, const char *fmt, va_list ap)
{
	if (!srv->on_event)
		return;
	char text[320];
	vsnprintf(text, sizeof text, fmt, ap);
	ev->text = text;
	srv->on_event(srv->event_arg, ev);
	ev->text = NULL;
}

void rtclab_turn_emit_ev_(struct rtclab_turn_server *srv, struct rtclab_server_event *ev, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit_va(srv, ev, fmt, ap);
	va_end(ap);
}

void rtclab_turn_emit_(struct rtclab_turn_server *srv, rtclab_time_ns now, enum rtclab_server_event_kind kind,
		       const struct rtclab_turn_alloc_ *a, const char *fmt, ...)
{
	struct rtclab_server_event ev = {.kind = kind, .now = now};
	if (a) {
		ev.l4 = a->l4;
		ev.client = a->client;
		ev.server = a->server;
		ev.relayed = a->relayed;
	}
	va_list ap;
	va_start(ap, fmt);
	emit_va(srv, &ev, fmt, ap);
	va_end(ap);
}

void rtclab_turn_note_deadline_(struct rtclab_turn_server *srv, rtclab_time_ns t)
{
	if (t < srv->next_due)
		srv->next_due = t;
}

void rtclab_turn_to_client_(struct rtclab_turn_server *srv, rtclab_time_ns now, const struct rtclab_turn_alloc_ *a,
			    const void *data, size_t len)
{
	srv->send(srv->send_arg, now, a->l4, &a->server, &a->client, data, len);
}

static void discard(struct rtclab_turn_server *srv, rtclab_time_ns now, enum rtclab_l4 l4,
		    const struct rtclab_addr *local, const struct rtclab_addr *src, const char *why)
{
	struct rtclab_server_event ev = {.kind = RTCLAB_SERVER_EV_DISCARDED, .now = now, .l4 = l4, .client = *src,
					 .server = *local};
	rtclab_turn_emit_ev_(srv, &ev, "The TURN server ignored what arrived: %s.", why);
}

/* --- nonces ------------------------------------------------------------------------ */

/* A keyed mix of the expiry time and the client's address.  This is a
 * simulation: the point is that a nonce expires and belongs to one client
 * (RFC 8489 9.2: the same NONCE must not serve clients at different IP
 * addresses), not that it resists an attacker. */
static uint64_t nonce_tag(const struct rtclab_turn_server *srv, uint64_t expiry, const struct rtclab_addr *client)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a over the family, IP address and port */
	uint8_t bytes[19];
	bytes[0] = (uint8_t)client->family;
	memcpy(bytes + 1, client->ip, 16);
	bytes[17] = (uint8_t)(client->port >> 8);
	bytes[18] = (uint8_t)client->port;
	for (size_t i = 0; i < sizeof bytes; i++)
		h = (h ^ bytes[i]) * 0x100000001b3ull;
	uint64_t x = srv->nonce_secret ^ expiry ^ h;
	return rtclab_rng_splitmix_(&x);
}

/* The nonce text: 16 hex digits of the expiry time, 16 of the tag. */
static void make_nonce(const struct rtclab_turn_server *srv, rtclab_time_ns now, const struct rtclab_addr *client,
		       char out[33])
{
	uint64_t expiry = (uint64_t)(now + RTCLAB_SEC(srv->nonce_lifetime_s));
	snprintf(out, 33, "%016llx%016llx", (unsigned long long)expiry,
		 (unsigned long long)nonce_tag(srv, expiry, client));
}

static bool hex16(const uint8_t *p, uint64_t *out)
{
	uint64_t v = 0;
	for (size_t i = 0; i < 16; i++) {
		uint8_t c = p[i];
		unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0') : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10) : 16;
		if (d == 16)
			return false;
		v = v << 4 | d;
	}
	*out = v;
	return true;
}

enum nonce_state { NONCE_VALID, NONCE_EXPIRED, NONCE_FOREIGN };

/* Whether the decoded NONCE attribute is one this server gave this client,
 * and whether it still holds. */
static enum nonce_state check_nonce(const struct rtclab_turn_server *srv, rtclab_time_ns now,
				    const struct rtclab_addr *client, const struct rtclab_stun_attr *nonce)
{
	struct rtclab_bytes t = nonce->v.nonce.text;
	uint64_t expiry, tag;
	if (!nonce->ok || t.len != 32 || !hex16(t.ptr, &expiry) || !hex16(t.ptr + 16, &tag) ||
	    tag != nonce_tag(srv, expiry, client))
		return NONCE_FOREIGN;
	return (int64_t)expiry > now ? NONCE_VALID : NONCE_EXPIRED;
}

/* --- responses --------------------------------------------------------------------- */

static void begin(const struct rtclab_turn_req_ *req, struct rtclab_stun_encoder *e, enum rtclab_stun_class cls)
{
	rtclab_srv_begin_response_(e, req->srv->out, sizeof req->srv->out, req->msg, cls, req->srv->software);
}

void rtclab_turn_reply_(const struct rtclab_turn_req_ *req, struct rtclab_stun_encoder *e)
{
	struct rtclab_turn_server *srv = req->srv;
	if (req->authenticated) /* RFC 8489 9.2.4: signed with the key that verified the request */
		rtclab_stun_enc_integrity(e, &srv->users[req->user].key);
	rtclab_stun_enc_fingerprint(e);
	size_t n = rtclab_stun_enc_end(e);
	if (n)
		srv->send(srv->send_arg, req->now, req->l4, req->local, req->src, srv->out, n);
}

static void emit_rejected(const struct rtclab_turn_req_ *req, uint16_t code, const char *why)
{
	char title[64];
	struct rtclab_turn_alloc_ *a = rtclab_turn_find_(req->srv, req->l4, req->local, req->src);
	struct rtclab_server_event ev = {.kind = RTCLAB_SERVER_EV_REJECTED, .now = req->now, .l4 = req->l4,
					 .client = *req->src, .server = *req->local, .method = req->msg->method,
					 .error_code = code};
	if (a)
		ev.relayed = a->relayed;
	rtclab_turn_emit_ev_(req->srv, &ev, "The TURN server answered the %s with %d %s: %s.",
			     rtclab_stun_message_title(req->msg->method, RTCLAB_STUN_REQUEST, title, sizeof title), code,
			     rtclab_stun_error_code_reason(code), why);
}

void rtclab_turn_reject_(const struct rtclab_turn_req_ *req, uint16_t code, const char *why)
{
	struct rtclab_stun_encoder e;
	begin(req, &e, RTCLAB_STUN_ERROR);
	rtclab_srv_add_error_code_(&e, code);
	rtclab_turn_reply_(req, &e);
	emit_rejected(req, code, why);
}

/* 401 and 438 carry the realm and a fresh nonce for the client to retry with. */
static void challenge(const struct rtclab_turn_req_ *req, uint16_t code, const char *why)
{
	char nonce[33];
	make_nonce(req->srv, req->now, req->src, nonce);
	struct rtclab_stun_encoder e;
	begin(req, &e, RTCLAB_STUN_ERROR);
	rtclab_srv_add_error_code_(&e, code);
	rtclab_srv_add_text_(&e, RTCLAB_STUN_ATTR_REALM, req->srv->realm);
	rtclab_srv_add_text_(&e, RTCLAB_STUN_ATTR_NONCE, nonce);
	rtclab_turn_reply_(req, &e);
	emit_rejected(req, code, why);
}

static void reject_unknown(const struct rtclab_turn_req_ *req, const struct rtclab_srv_judged_ *j)
{
	struct rtclab_stun_encoder e;
	begin(req, &e, RTCLAB_STUN_ERROR);
	rtclab_srv_add_error_code_(&e, 420);
	rtclab_srv_add_unknown_(&e, j->unknown, j->n_unknown);
	rtclab_turn_reply_(req, &e);
	emit_rejected(req, 420, "the request has comprehension-required attributes the server does not know");
}

/* RFC 8656 5: a TURN server answers Binding requests like a STUN server. */
static void binding(const struct rtclab_turn_req_ *req)
{
	struct rtclab_stun_encoder e;
	begin(req, &e, RTCLAB_STUN_SUCCESS);
	rtclab_srv_add_addr_(&e, req->msg->magic_cookie ? RTCLAB_STUN_ATTR_XOR_MAPPED_ADDRESS : RTCLAB_STUN_ATTR_MAPPED_ADDRESS,
			     req->src);
	if (!req->msg->magic_cookie) { /* RFC 3489 clients know no FINGERPRINT */
		size_t n = rtclab_stun_enc_end(&e);
		if (n)
			req->srv->send(req->srv->send_arg, req->now, req->l4, req->local, req->src, req->srv->out, n);
	} else {
		rtclab_turn_reply_(req, &e);
	}
	char a[RTCLAB_ADDR_STRLEN];
	struct rtclab_server_event ev = {.kind = RTCLAB_SERVER_EV_BINDING, .now = req->now, .l4 = req->l4,
					 .client = *req->src, .server = *req->local, .method = RTCLAB_STUN_BINDING};
	rtclab_turn_emit_ev_(req->srv, &ev, "The TURN server told the client its public address, %s, as it saw it.",
			     rtclab_srv_addr_(req->src, a));
}

/* --- authentication (RFC 8489 9.2.4) ------------------------------------------------ */

static bool find_user(const struct rtclab_turn_server *srv, const struct rtclab_stun_attr *username, size_t *out)
{
	struct rtclab_bytes t = username->v.text;
	for (size_t i = 0; i < srv->n_users; i++) {
		if (strlen(srv->users[i].name) == t.len && memcmp(srv->users[i].name, t.ptr, t.len) == 0) {
			*out = i;
			return true;
		}
	}
	return false;
}

/* True when the request authenticated (req->user set); otherwise the
 * error response has been sent. */
static bool authenticate(struct rtclab_turn_req_ *req)
{
	const struct rtclab_stun_msg *m = req->msg;
	if (m->integrity_offset == SIZE_MAX) {
		challenge(req, 401, "a TURN server serves only clients that prove who they are; here are the realm and a "
				    "nonce to compute MESSAGE-INTEGRITY with");
		return false;
	}
	const struct rtclab_stun_attr *user = rtclab_srv_find_(m, RTCLAB_STUN_ATTR_USERNAME);
	const struct rtclab_stun_attr *realm = rtclab_srv_find_(m, RTCLAB_STUN_ATTR_REALM);
	const struct rtclab_stun_attr *nonce = rtclab_srv_find_(m, RTCLAB_STUN_ATTR_NONCE);
	if (!user || !realm || !nonce || !user->ok || !realm->ok || !nonce->ok) {
		rtclab_turn_reject_(req, 400, "MESSAGE-INTEGRITY needs USERNAME, REALM and NONCE beside it");
		return false;
	}
	if (!find_user(req->srv, user, &req->user)) {
		challenge(req, 401, "no user of that name");
		return false;
	}
	if (rtclab_stun_check_integrity(m, &req->srv->users[req->user].key) != RTCLAB_STUN_CHECK_OK) {
		challenge(req, 401, "MESSAGE-INTEGRITY does not verify with the user's key (wrong password or realm)");
		return false;
	}
	req->authenticated = true;
	enum nonce_state ns = check_nonce(req->srv, req->now, req->src, nonce);
	if (ns != NONCE_VALID) {
		challenge(req, 438,
			  ns == NONCE_EXPIRED ? "the nonce has expired; retry with the new one"
					      : "the nonce is not one this server gave this client; retry with the new one");
		return false;
	}
	return true;
}

/* --- what arrives from clients ------------------------------------------------------- */

static void dispatch(struct rtclab_turn_req_ *req)
{
	switch (req->msg->method) {
	case RTCLAB_STUN_ALLOCATE:
		rtclab_turn_allocate_(req);
		break;
	case RTCLAB_STUN_REFRESH:
		rtclab_turn_refresh_(req);
		break;
	case RTCLAB_STUN_CREATE_PERMISSION:
		rtclab_turn_create_permission_(req);
		break;
	case RTCLAB_STUN_CHANNEL_BIND:
		rtclab_turn_channel_bind_(req);
		break;
	default:
		break;
	}
}

static bool turn_method(uint16_t method)
{
	return method == RTCLAB_STUN_ALLOCATE || method == RTCLAB_STUN_REFRESH ||
	       method == RTCLAB_STUN_CREATE_PERMISSION || method == RTCLAB_STUN_CHANNEL_BIND;
}

static void request(struct rtclab_turn_req_ *req, const struct rtclab_srv_judged_ *j)
{
	if (j->verdict == RTCLAB_SRV_BAD_REQUEST_) {
		rtclab_turn_reject_(req, 400, j->why);
		return;
	}
	if (req->msg->method == RTCLAB_STUN_BINDING && j->verdict == RTCLAB_SRV_SERVE_) {
		binding(req);
		return;
	}
	if (req->msg->method != RTCLAB_STUN_BINDING && !turn_method(req->msg->method)) {
		rtclab_turn_reject_(req, 400, "this server serves Binding, Allocate, Refresh, CreatePermission and "
					      "ChannelBind requests only");
		return;
	}
	if (req->msg->method != RTCLAB_STUN_BINDING && !authenticate(req))
		return;
	/* RFC 8489 6.3.1: unknown attributes are looked at once the request is authenticated */
	if (j->verdict == RTCLAB_SRV_UNKNOWN_ATTR_) {
		reject_unknown(req, j);
		return;
	}
	dispatch(req);
}

static void stun_from_client(struct rtclab_turn_server *srv, rtclab_time_ns now, enum rtclab_l4 l4,
			     const struct rtclab_addr *local, const struct rtclab_addr *src, const uint8_t *data,
			     size_t len)
{
	struct rtclab_stun_msg msg;
	struct rtclab_srv_judged_ j;
	rtclab_srv_judge_(&msg, data, len, &j);
	if (j.verdict == RTCLAB_SRV_DISCARD_) {
		discard(srv, now, l4, local, src, j.why);
		return;
	}
	if (msg.cls == RTCLAB_STUN_INDICATION && msg.method == RTCLAB_STUN_SEND) {
		rtclab_turn_send_indication_(srv, now, l4, local, src, &msg);
		return;
	}
	if (msg.cls != RTCLAB_STUN_REQUEST) {
		char why[96];
		snprintf(why, sizeof why, "a %s %s from a client needs no answer", rtclab_stun_method_name(msg.method)
			 ? rtclab_stun_method_name(msg.method) : "STUN", rtclab_stun_class_name(msg.cls));
		discard(srv, now, l4, local, src, why);
		return;
	}
	struct rtclab_turn_req_ req = {srv, now, l4, local, src, &msg, 0, false};
	request(&req, &j);
}

/* One message from a client: STUN or ChannelData (RFC 7983 first byte). */
static void from_client(struct rtclab_turn_server *srv, rtclab_time_ns now, enum rtclab_l4 l4,
			const struct rtclab_addr *local, const struct rtclab_addr *src, const uint8_t *data,
			size_t len)
{
	if (len > 0 && (data[0] & 0xC0) == 0x40)
		rtclab_turn_channeldata_(srv, now, l4, local, src, data, len);
	else
		stun_from_client(srv, now, l4, local, src, data, len);
}

/* --- TURN over TCP (RFC 8656 12.5) ------------------------------------------------ */

static struct rtclab_turn_conn_ *find_conn(struct rtclab_turn_server *srv, const struct rtclab_addr *local,
					   const struct rtclab_addr *client)
{
	for (size_t i = 0; i < srv->n_conns; i++)
		if (rtclab_addr_equal(&srv->conns[i].client, client) && rtclab_addr_equal(&srv->conns[i].local, local))
			return &srv->conns[i];
	return NULL;
}

static struct rtclab_turn_conn_ *add_conn(struct rtclab_turn_server *srv, const struct rtclab_addr *local,
					  const struct rtclab_addr *client)
{
	if (srv->n_conns == srv->max_conns)
		return NULL;
	if (srv->n_conns == srv->cap_conns) {
		size_t cap = srv->cap_conns ? 2 * srv->cap_conns : 8;
		struct rtclab_turn_conn_ *c = realloc(srv->conns, cap * sizeof *c);
		if (!c)
			return NULL;
		srv->conns = c;
		srv->cap_conns = cap;
	}
	struct rtclab_turn_conn_ *c = &srv->conns[srv->n_conns++];
	memset(c, 0, sizeof *c);
	c->local = *local;
	c->client = *client;
	return c;
}

static bool conn_append(struct rtclab_turn_conn_ *c, const uint8_t *data, size_t len)
{
	if (c->len + len > c->cap) {
		size_t cap = c->len + len;
		if (cap > STREAM_MESSAGE_MAX + 4096) /* more than one whole message and a chunk: out of step */
			return false;
		uint8_t *b = realloc(c->buf, cap);
		if (!b)
			return false;
		c->buf = b;
		c->cap = cap;
	}
	memcpy(c->buf + c->len, data, len);
	c->len += len;
	return true;
}

/* The size of the message at m from its first 4 bytes, as lib/events.c
 * cuts a stream: STUN by its length field, ChannelData by its length
 * padded to 4 (RFC 8656 12.5); 0 when the byte starts neither. */
static size_t framed_size(const uint8_t *m)
{
	size_t length = (size_t)m[2] << 8 | m[3];
	if ((m[0] & 0xC0) == 0)
		return RTCLAB_STUN_HEADER_SIZE + length;
	if ((m[0] & 0xC0) == 0x40)
		return 4 + (length + 3) / 4 * 4;
	return 0;
}

static void conn_broken(struct rtclab_turn_server *srv, rtclab_time_ns now, struct rtclab_turn_conn_ *c,
			const char *why)
{
	c->broken = true;
	free(c->buf);
	c->buf = NULL;
	c->len = c->cap = 0;
	discard(srv, now, RTCLAB_L4_TCP, &c->local, &c->client, why);
}

static void tcp_from_client(struct rtclab_turn_server *srv, rtclab_time_ns now, const struct rtclab_addr *local,
			    const struct rtclab_addr *src, const uint8_t *data, size_t len)
{
	struct rtclab_turn_conn_ *c = find_conn(srv, local, src);
	if (!c && !(c = add_conn(srv, local, src))) {
		discard(srv, now, RTCLAB_L4_TCP, local, src, "too many TCP connections to follow");
		return;
	}
	if (c->broken)
		return;
	if (!conn_append(c, data, len)) {
		conn_broken(srv, now, c, "the TCP stream holds more than one STUN message can be");
		return;
	}
	size_t pos = 0;
	while (c->len - pos >= 4) {
		size_t size = framed_size(c->buf + pos);
		if (size == 0) {
			char why[96];
			snprintf(why, sizeof why, "byte 0x%02x in the TCP stream starts neither STUN nor ChannelData",
				 c->buf[pos]);
			conn_broken(srv, now, c, why);
			return;
		}
		if (c->len - pos < size)
			break;
		/* from_client may send, but never touches the connection table */
		from_client(srv, now, RTCLAB_L4_TCP, local, src, c->buf + pos, size);
		pos += size;
	}
	memmove(c->buf, c->buf + pos, c->len - pos);
	c->len -= pos;
}

void rtclab_turn_server_tcp_closed(struct rtclab_turn_server *srv, rtclab_time_ns now,
				   const struct rtclab_addr *local, const struct rtclab_addr *src)
{
	struct rtclab_turn_conn_ *c = find_conn(srv, local, src);
	if (c) {
		free(c->buf);
		*c = srv->conns[--srv->n_conns];
	}
	struct rtclab_turn_alloc_ *a = rtclab_turn_find_(srv, RTCLAB_L4_TCP, local, src);
	if (a)
		rtclab_turn_delete_(srv, now, a, RTCLAB_SERVER_EV_ALLOCATION_DELETED,
				    "its client's TCP connection closed (RFC 8656 7)");
}

bool rtclab_turn_server_expire(struct rtclab_turn_server *srv, rtclab_time_ns now, const struct rtclab_addr *listen,
			       const struct rtclab_addr *client)
{
	bool any = false;
	for (int k = 0; k < 2; k++) {
		struct rtclab_turn_alloc_ *a =
			rtclab_turn_find_(srv, k ? RTCLAB_L4_TCP : RTCLAB_L4_UDP, listen, client);
		if (a) {
			rtclab_turn_delete_(srv, now, a, RTCLAB_SERVER_EV_ALLOCATION_EXPIRED,
					    "the server dropped it before its lifetime ran out (a restart, an "
					    "operator, a quota): the client learns it from its next Refresh (437)");
			any = true;
		}
	}
	return any;
}

/* --- input and timers ------------------------------------------------------------- */

void rtclab_turn_server_receive(struct rtclab_turn_server *srv, rtclab_time_ns now, enum rtclab_l4 l4,
				const struct rtclab_addr *local, const struct rtclab_addr *src, const void *data,
				size_t len)
{
	if (now >= srv->next_due) /* what expired is gone before anything is looked up */
		rtclab_turn_expire_(srv, now);
	const uint8_t *bytes = (const uint8_t *)data;
	if (rtclab_addr_equal(local, &srv->listen)) {
		if (l4 == RTCLAB_L4_TCP)
			tcp_from_client(srv, now, local, src, bytes, len);
		else if (l4 == RTCLAB_L4_UDP)
			from_client(srv, now, l4, local, src, bytes, len);
		else
			discard(srv, now, l4, local, src, "a TURN server is reached over UDP or TCP");
		return;
	}
	if (l4 == RTCLAB_L4_UDP && rtclab_turn_from_peer_(srv, now, local, src, bytes, len))
		return;
	struct rtclab_server_event ev = {.kind = RTCLAB_SERVER_EV_DROPPED, .now = now, .l4 = l4, .peer = *src,
					 .relayed = *local, .length = len};
	char a[RTCLAB_ADDR_STRLEN];
	rtclab_turn_emit_ev_(srv, &ev, "The TURN server dropped a datagram to %s: no allocation has that relayed address.",
			     rtclab_srv_addr_(local, a));
}

rtclab_time_ns rtclab_turn_server_next_timer(const struct rtclab_turn_server *srv)
{
	return srv->next_due;
}

void rtclab_turn_server_tick(struct rtclab_turn_server *srv, rtclab_time_ns now)
{
	if (now >= srv->next_due)
		rtclab_turn_expire_(srv, now);
}

size_t rtclab_turn_server_allocations(const struct rtclab_turn_server *srv)
{
	return srv->live;
}
