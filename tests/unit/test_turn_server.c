/* The simulated TURN server (lib/turn_server*.c) against a client written
 * here with the library's encoder: a whole session (401, Allocate,
 * CreatePermission, Send and Data indications, ChannelBind, ChannelData
 * both ways, Refresh), authentication failures (wrong password, stale
 * nonce), the Allocate errors, lifetimes and their expiry, channel
 * rebinding rules, and TURN over TCP with messages split across chunks.
 * Every response is decoded with rtclab_stun_decode and, when the request
 * authenticated, verified with the user's long-term key (rtclab_stun_verify);
 * every message the server sends must carry a valid FINGERPRINT. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtclab/channeldata.h"
#include "rtclab/stun.h"
#include "rtclab/turn_server.h"
#include "unit.h"

#define MAX_OUT 64
#define MAX_EV 256
#define REALM "rtclab.test"

struct sent {
	enum rtclab_l4 l4;
	struct rtclab_addr src, dst;
	uint8_t data[2048];
	size_t len;
};

struct fx {
	struct sent out[MAX_OUT];
	size_t n_out;
	enum rtclab_server_event_kind ev[MAX_EV];
	size_t n_ev;
	char last_text[320];

	struct rtclab_rng rng;
	struct rtclab_turn_server *srv;
	struct rtclab_addr listen, client, peer, relayed;
	enum rtclab_l4 l4;
	const char *user, *password;
	char nonce[128];
	uint8_t tid[12];
	uint8_t last_tid[12];
	unsigned tid_counter;
};

static void on_send(void *arg, rtclab_time_ns now, enum rtclab_l4 l4, const struct rtclab_addr *src,
		    const struct rtclab_addr *dst, const void *data, size_t len)
{
	(void)now;
	struct fx *f = arg;
	CHECKF(f->n_out < MAX_OUT && len <= sizeof f->out[0].data, "room for sent datagram of %zu bytes", len);
	if (f->n_out == MAX_OUT || len > sizeof f->out[0].data)
		return;
	struct sent *s = &f->out[f->n_out++];
	s->l4 = l4;
	s->src = *src;
	s->dst = *dst;
	memcpy(s->data, data, len);
	s->len = len;
}

static void on_event(void *arg, const struct rtclab_server_event *ev)
{
	struct fx *f = arg;
	CHECKF(ev->text && ev->text[0] && strchr(ev->text, '.') != NULL, "event %s has a sentence",
	       rtclab_server_event_kind_id(ev->kind));
	if (f->n_ev < MAX_EV)
		f->ev[f->n_ev++] = ev->kind;
	snprintf(f->last_text, sizeof f->last_text, "%s", ev->text);
}

static struct rtclab_addr addr(const char *ip, uint16_t port)
{
	struct rtclab_addr a;
	memset(&a, 0, sizeof a);
	rtclab_addr_ip_parse(&a, ip);
	a.port = port;
	return a;
}

static const struct rtclab_turn_user users[] = {{"alice", "secret"}, {"bob", "hunter2"}};

static void fx_init_seed(struct fx *f, uint64_t seed)
{
	memset(f, 0, sizeof *f);
	rtclab_rng_seed(&f->rng, seed);
	f->listen = addr("203.0.113.1", 3478);
	f->client = addr("198.51.100.7", 40000);
	f->peer = addr("192.0.2.50", 6000);
	f->l4 = RTCLAB_L4_UDP;
	f->user = "alice";
	f->password = "secret";
	struct rtclab_turn_server_config cfg = {
		.listen = f->listen,
		.relay_ip = addr("203.0.113.1", 0),
		.relay_port_min = 50000,
		.relay_port_max = 50009,
		.realm = REALM,
		.users = users,
		.n_users = 2,
		.software = "rtclab-turn",
		.rng = &f->rng,
		.send = on_send,
		.send_arg = f,
		.on_event = on_event,
		.event_arg = f,
	};
	enum rtclab_server_error err = rtclab_turn_server_new(&cfg, &f->srv, NULL);
	CHECKF(err == RTCLAB_SERVER_OK, "server created: %s", rtclab_server_error_str(err));
}

static void fx_init(struct fx *f)
{
	fx_init_seed(f, 42);
}

static bool saw(const struct fx *f, enum rtclab_server_event_kind kind)
{
	for (size_t i = 0; i < f->n_ev; i++)
		if (f->ev[i] == kind)
			return true;
	return false;
}

/* --- the client ---------------------------------------------------------------------- */

static void begin(struct fx *f, struct rtclab_stun_encoder *e, uint8_t *buf, size_t cap, uint16_t method,
		  enum rtclab_stun_class cls)
{
	f->tid_counter++;
	for (size_t i = 0; i < 12; i++)
		f->tid[i] = (uint8_t)(f->tid_counter * 31 + i);
	memcpy(f->last_tid, f->tid, 12);
	rtclab_stun_enc_begin(e, buf, cap, method, cls, f->tid);
}

static void add_text(struct rtclab_stun_encoder *e, uint16_t type, const char *text)
{
	rtclab_stun_enc_raw(e, type, text, strlen(text));
}

static void add_addr(struct rtclab_stun_encoder *e, uint16_t type, const struct rtclab_addr *a)
{
	struct rtclab_stun_attr x = {.type = type};
	x.v.addr = *a;
	rtclab_stun_enc_attr(e, &x);
}

static void add_u32(struct rtclab_stun_encoder *e, uint16_t type, uint32_t v)
{
	struct rtclab_stun_attr x = {.type = type};
	x.v.u32 = v;
	rtclab_stun_enc_attr(e, &x);
}

static void client_key(const struct fx *f, const char *password, struct rtclab_stun_key *key)
{
	CU_ASSERT_EQUAL(rtclab_stun_key_long_term(key, f->user, REALM, password, RTCLAB_STUN_PASSWORD_MD5,
						  RTCLAB_STUN_PREP_OPAQUESTRING),
			RTCLAB_STUN_OK);
}

/* USERNAME, REALM, NONCE, MESSAGE-INTEGRITY with password, FINGERPRINT. */
static size_t sign_with(struct fx *f, struct rtclab_stun_encoder *e, const char *password)
{
	struct rtclab_stun_key key;
	client_key(f, password, &key);
	add_text(e, RTCLAB_STUN_ATTR_USERNAME, f->user);
	add_text(e, RTCLAB_STUN_ATTR_REALM, REALM);
	add_text(e, RTCLAB_STUN_ATTR_NONCE, f->nonce);
	rtclab_stun_enc_integrity(e, &key);
	rtclab_stun_enc_fingerprint(e);
	return rtclab_stun_enc_end(e);
}

static size_t sign(struct fx *f, struct rtclab_stun_encoder *e)
{
	return sign_with(f, e, f->password);
}

static void deliver(struct fx *f, rtclab_time_ns now, const void *buf, size_t n)
{
	CU_ASSERT_FATAL(n > 0);
	rtclab_turn_server_receive(f->srv, now, f->l4, &f->listen, &f->client, buf, n);
}

static void from_peer(struct fx *f, rtclab_time_ns now, const struct rtclab_addr *peer, const char *text)
{
	rtclab_turn_server_receive(f->srv, now, RTCLAB_L4_UDP, &f->relayed, peer, text, strlen(text));
}

/* The last message the server sent to the client, decoded; its FINGERPRINT
 * must verify, and so must MESSAGE-INTEGRITY when signed (with the user's key). */
static bool last_response(struct fx *f, struct rtclab_stun_msg *m, bool signed_)
{
	if (f->n_out == 0) {
		CHECKF(0, "the server answered");
		return false;
	}
	const struct sent *s = &f->out[f->n_out - 1];
	CHECKF(rtclab_addr_equal(&s->dst, &f->client) && rtclab_addr_equal(&s->src, &f->listen) && s->l4 == f->l4,
	       "the answer goes back over the client's 5-tuple");
	enum rtclab_stun_error err = rtclab_stun_decode(m, s->data, s->len);
	CHECKF(err == RTCLAB_STUN_OK, "the answer decodes: %s", rtclab_stun_error_str(err));
	if (err)
		return false;
	struct rtclab_stun_credentials cred = {.password = f->password, .username = f->user, .realm = REALM,
					       .long_term = true};
	struct rtclab_stun_verdict v;
	rtclab_stun_verify(m, &cred, &v);
	CHECKF(v.fingerprint == RTCLAB_STUN_CHECK_OK, "FINGERPRINT %s", rtclab_stun_check_str(v.fingerprint));
	if (signed_)
		CHECKF(v.integrity == RTCLAB_STUN_CHECK_OK, "MESSAGE-INTEGRITY with the user's key: %s",
		       rtclab_stun_check_str(v.integrity));
	else
		CHECKF(v.integrity == RTCLAB_STUN_CHECK_ABSENT, "no MESSAGE-INTEGRITY: %s",
		       rtclab_stun_check_str(v.integrity));
	CHECKF(memcmp(m->transaction_id, f->last_tid, 12) == 0 || m->cls == RTCLAB_STUN_INDICATION,
	       "same transaction ID as the request");
	return true;
}

static uint16_t error_code(const struct rtclab_stun_msg *m)
{
	const struct rtclab_stun_attr *a = rtclab_stun_find(m, RTCLAB_STUN_ATTR_ERROR_CODE);
	return a && a->ok ? a->v.error.code : 0;
}

/* Keep the NONCE of a 401/438 for the next request. */
static void take_nonce(struct fx *f, const struct rtclab_stun_msg *m)
{
	const struct rtclab_stun_attr *n = rtclab_stun_find(m, RTCLAB_STUN_ATTR_NONCE);
	const struct rtclab_stun_attr *r = rtclab_stun_find(m, RTCLAB_STUN_ATTR_REALM);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT(r->v.text.len == strlen(REALM) && memcmp(r->v.text.ptr, REALM, r->v.text.len) == 0);
	CU_ASSERT_FATAL(n->v.nonce.text.len < sizeof f->nonce);
	memcpy(f->nonce, n->v.nonce.text.ptr, n->v.nonce.text.len);
	f->nonce[n->v.nonce.text.len] = 0;
}

/* An Allocate without credentials: 401 with REALM and NONCE, not signed. */
static void get_nonce(struct fx *f, rtclab_time_ns now)
{
	uint8_t buf[512];
	struct rtclab_stun_encoder e;
	begin(f, &e, buf, sizeof buf, RTCLAB_STUN_ALLOCATE, RTCLAB_STUN_REQUEST);
	add_u32(&e, RTCLAB_STUN_ATTR_REQUESTED_TRANSPORT, 17);
	rtclab_stun_enc_fingerprint(&e);
	deliver(f, now, buf, rtclab_stun_enc_end(&e));
	struct rtclab_stun_msg m;
	if (!last_response(f, &m, false))
		return;
	CU_ASSERT_EQUAL(m.cls, RTCLAB_STUN_ERROR);
	CU_ASSERT_EQUAL(error_code(&m), 401);
	take_nonce(f, &m);
}

/* An Allocate with credentials (and LIFETIME when lifetime != 0): the response decoded. */
static bool allocate(struct fx *f, rtclab_time_ns now, uint32_t lifetime, struct rtclab_stun_msg *m)
{
	uint8_t buf[512];
	struct rtclab_stun_encoder e;
	begin(f, &e, buf, sizeof buf, RTCLAB_STUN_ALLOCATE, RTCLAB_STUN_REQUEST);
	add_u32(&e, RTCLAB_STUN_ATTR_REQUESTED_TRANSPORT, 17);
	if (lifetime)
		add_u32(&e, RTCLAB_STUN_ATTR_LIFETIME, lifetime);
	deliver(f, now, buf, sign(f, &e));
	return last_response(f, m, true);
}

/* 401 then a successful Allocate; the relayed address kept in f->relayed. */
static bool session_start(struct fx *f, rtclab_time_ns now)
{
	get_nonce(f, now);
	struct rtclab_stun_msg m;
	if (!allocate(f, now, 0, &m) || m.cls != RTCLAB_STUN_SUCCESS) {
		CHECKF(0, "Allocate succeeded (error %u)", error_code(&m));
		return false;
	}
	const struct rtclab_stun_attr *r = rtclab_stun_find(&m, RTCLAB_STUN_ATTR_XOR_RELAYED_ADDRESS);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	f->relayed = r->v.addr;
	return true;
}

/* A signed request with one XOR-PEER-ADDRESS (and CHANNEL-NUMBER when channel != 0). */
static bool peer_request(struct fx *f, rtclab_time_ns now, uint16_t method, const struct rtclab_addr *peer,
			 uint16_t channel, struct rtclab_stun_msg *m)
{
	uint8_t buf[512];
	struct rtclab_stun_encoder e;
	begin(f, &e, buf, sizeof buf, method, RTCLAB_STUN_REQUEST);
	if (channel) {
		struct rtclab_stun_attr c = {.type = RTCLAB_STUN_ATTR_CHANNEL_NUMBER};
		c.v.u32 = channel;
		rtclab_stun_enc_attr(&e, &c);
	}
	add_addr(&e, RTCLAB_STUN_ATTR_XOR_PEER_ADDRESS, peer);
	deliver(f, now, buf, sign(f, &e));
	if (!last_response(f, m, true))
		return false;
	if (error_code(m) == 438) { /* as a client does: the new nonce, and again */
		take_nonce(f, m);
		return peer_request(f, now, method, peer, channel, m);
	}
	return true;
}

static bool refresh(struct fx *f, rtclab_time_ns now, uint32_t lifetime, struct rtclab_stun_msg *m)
{
	uint8_t buf[512];
	struct rtclab_stun_encoder e;
	begin(f, &e, buf, sizeof buf, RTCLAB_STUN_REFRESH, RTCLAB_STUN_REQUEST);
	add_u32(&e, RTCLAB_STUN_ATTR_LIFETIME, lifetime);
	deliver(f, now, buf, sign(f, &e));
	if (!last_response(f, m, true))
		return false;
	if (error_code(m) == 438) { /* as a client does: the new nonce, and again */
		take_nonce(f, m);
		return refresh(f, now, lifetime, m);
	}
	return true;
}

static size_t send_indication(struct fx *f, uint8_t *buf, size_t cap, const struct rtclab_addr *peer, const char *text)
{
	struct rtclab_stun_encoder e;
	begin(f, &e, buf, cap, RTCLAB_STUN_SEND, RTCLAB_STUN_INDICATION);
	add_addr(&e, RTCLAB_STUN_ATTR_XOR_PEER_ADDRESS, peer);
	rtclab_stun_enc_raw(&e, RTCLAB_STUN_ATTR_DATA, text, strlen(text));
	return rtclab_stun_enc_end(&e);
}

/* The last datagram went out of the relayed address to peer, carrying text. */
static void expect_at_peer(const struct fx *f, const struct rtclab_addr *peer, const char *text)
{
	CU_ASSERT_FATAL(f->n_out > 0);
	const struct sent *s = &f->out[f->n_out - 1];
	char a[RTCLAB_ADDR_STRLEN];
	CHECKF(s->l4 == RTCLAB_L4_UDP && rtclab_addr_equal(&s->src, &f->relayed) && rtclab_addr_equal(&s->dst, peer),
	       "a datagram from the relayed address to the peer (to %s)", rtclab_addr_format(&s->dst, a, sizeof a));
	CHECKF(s->len == strlen(text) && memcmp(s->data, text, s->len) == 0, "the peer gets \"%s\"", text);
}

static void fx_free(struct fx *f)
{
	rtclab_turn_server_free(f->srv);
}

/* --- the whole session --------------------------------------------------------------- */

static void test_session(void)
{
	struct fx f;
	fx_init(&f);
	struct rtclab_stun_msg m;
	rtclab_time_ns t = RTCLAB_MS(10);
	if (!session_start(&f, t))
		goto out;
	/* the success: relayed address from the configured IP and range, default lifetime, mapped address */
	if (!last_response(&f, &m, true))
		goto out;
	struct rtclab_addr relay_ip = addr("203.0.113.1", f.relayed.port);
	CU_ASSERT(rtclab_addr_equal(&f.relayed, &relay_ip));
	CU_ASSERT(f.relayed.port >= 50000 && f.relayed.port <= 50009);
	const struct rtclab_stun_attr *life = rtclab_stun_find(&m, RTCLAB_STUN_ATTR_LIFETIME);
	CU_ASSERT(life && life->v.u32 == 600);
	const struct rtclab_stun_attr *mapped = rtclab_stun_find(&m, RTCLAB_STUN_ATTR_XOR_MAPPED_ADDRESS);
	CU_ASSERT(mapped && rtclab_addr_equal(&mapped->v.addr, &f.client));
	CU_ASSERT(saw(&f, RTCLAB_SERVER_EV_ALLOCATION_CREATED));
	CU_ASSERT_EQUAL(rtclab_turn_server_allocations(f.srv), 1);
	CU_ASSERT(rtclab_turn_server_is_relayed(f.srv, &f.relayed));

	/* before any permission: the peer is filtered, and so is a Send indication */
	size_t out = f.n_out;
	from_peer(&f, t, &f.peer, "too early");
	CU_ASSERT_EQUAL(f.n_out, out);
	CU_ASSERT_EQUAL(f.ev[f.n_ev - 1], RTCLAB_SERVER_EV_DROPPED_NO_PERMISSION);
	uint8_t buf[512];
	deliver(&f, t, buf, send_indication(&f, buf, sizeof buf, &f.peer, "too early"));
	CU_ASSERT_EQUAL(f.n_out, out);
	CU_ASSERT_EQUAL(f.ev[f.n_ev - 1], RTCLAB_SERVER_EV_DROPPED_NO_PERMISSION);

	/* CreatePermission, then a Send indication reaches the peer */
	if (!peer_request(&f, t, RTCLAB_STUN_CREATE_PERMISSION, &f.peer, 0, &m))
		goto out;
	CU_ASSERT_EQUAL(m.cls, RTCLAB_STUN_SUCCESS);
	CU_ASSERT(saw(&f, RTCLAB_SERVER_EV_PERMISSION_INSTALLED));
	deliver(&f, t, buf, send_indication(&f, buf, sizeof buf, &f.peer, "hello peer"));
	expect_at_peer(&f, &f.peer, "hello peer");
	CU_ASSERT_EQUAL(f.ev[f.n_ev - 1], RTCLAB_SERVER_EV_RELAYED_TO_PEER);

	/* the peer's answer comes back as a Data indication */
	from_peer(&f, t, &f.peer, "hello client");
	if (last_response(&f, &m, false)) {
		CU_ASSERT_EQUAL(m.method, RTCLAB_STUN_DATA);
		CU_ASSERT_EQUAL(m.cls, RTCLAB_STUN_INDICATION);
		const struct rtclab_stun_attr *p = rtclab_stun_find(&m, RTCLAB_STUN_ATTR_XOR_PEER_ADDRESS);
		const struct rtclab_stun_attr *d = rtclab_stun_find(&m, RTCLAB_STUN_ATTR_DATA);
		CU_ASSERT(p && rtclab_addr_equal(&p->v.addr, &f.peer));
		CU_ASSERT(d && d->value.len == 12 && memcmp(d->value.ptr, "hello client", 12) == 0);
	}
	/* RFC 8656 9: the permission is for the IP address, any port */
	struct rtclab_addr peer_other_port = addr("192.0.2.50", 6001);
	out = f.n_out;
	from_peer(&f, t, &peer_other_port, "other port");
	CU_ASSERT_EQUAL(f.n_out, out + 1);
	/* another IP address is filtered */
	struct rtclab_addr stranger = addr("192.0.2.99", 6000);
	from_peer(&f, t, &stranger, "let me in");
	CU_ASSERT_EQUAL(f.n_out, out + 1);
	CU_ASSERT_EQUAL(f.ev[f.n_ev - 1], RTCLAB_SERVER_EV_DROPPED_NO_PERMISSION);
	CHECKF(strstr(f.last_text, "192.0.2.99") != NULL, "the drop names the peer: %s", f.last_text);

	/* ChannelBind, then ChannelData both ways */
	if (!peer_request(&f, t, RTCLAB_STUN_CHANNEL_BIND, &f.peer, 0x4001, &m))
		goto out;
	CU_ASSERT_EQUAL(m.cls, RTCLAB_STUN_SUCCESS);
	CU_ASSERT(saw(&f, RTCLAB_SERVER_EV_CHANNEL_BOUND));
	uint8_t cd[64];
	size_t n = rtclab_channeldata_encode(cd, sizeof cd, 0x4001, "via channel", 11, false);
	deliver(&f, t, cd, n);
	expect_at_peer(&f, &f.peer, "via channel");
	from_peer(&f, t, &f.peer, "channel back");
	const struct sent *s = &f.out[f.n_out - 1];
	struct rtclab_channeldata got;
	CU_ASSERT_EQUAL(rtclab_channeldata_decode(&got, s->data, s->len, false), RTCLAB_STUN_OK);
	CU_ASSERT_EQUAL(got.channel, 0x4001);
	CU_ASSERT(got.data.len == 12 && memcmp(got.data.ptr, "channel back", 12) == 0);
	CU_ASSERT(rtclab_addr_equal(&s->dst, &f.client));
	/* the other port of that IP has no channel: a Data indication still */
	from_peer(&f, t, &peer_other_port, "no channel");
	if (last_response(&f, &m, false))
		CU_ASSERT_EQUAL(m.method, RTCLAB_STUN_DATA);
	/* ChannelData on a channel not bound: dropped */
	out = f.n_out;
	n = rtclab_channeldata_encode(cd, sizeof cd, 0x4002, "nowhere", 7, false);
	deliver(&f, t, cd, n);
	CU_ASSERT_EQUAL(f.n_out, out);
	CU_ASSERT_EQUAL(f.ev[f.n_ev - 1], RTCLAB_SERVER_EV_DROPPED);

	/* Refresh with LIFETIME 0 deletes the allocation */
	if (!refresh(&f, t, 0, &m))
		goto out;
	CU_ASSERT_EQUAL(m.cls, RTCLAB_STUN_SUCCESS);
	life = rtclab_stun_find(&m, RTCLAB_STUN_ATTR_LIFETIME);
	CU_ASSERT(life && life->v.u32 == 0);
	CU_ASSERT(saw(&f, RTCLAB_SERVER_EV_ALLOCATION_DELETED));
	CU_ASSERT_EQUAL(rtclab_turn_server_allocations(f.srv), 0);
	CU_ASSERT(!rtclab_turn_server_is_relayed(f.srv, &f.relayed));
	out = f.n_out;
	from_peer(&f, t, &f.peer, "gone");
	CU_ASSERT_EQUAL(f.n_out, out);
	CU_ASSERT_EQUAL(f.ev[f.n_ev - 1], RTCLAB_SERVER_EV_DROPPED);
	/* and a Refresh now finds nothing: 437 */
	if (refresh(&f, t, 600, &m))
		CU_ASSERT_EQUAL(error_code(&m), 437);
out:
	fx_free(&f);
}

/* --- authentication ------------------------------------------------------------------ */

static void test_wrong_password(void)
{
	struct fx f;
	fx_init(&f);
	get_nonce(&f, 0);
	uint8_t buf[512];
	struct rtclab_stun_encoder e;
	begin(&f, &e, buf, sizeof buf, RTCLAB_STUN_ALLOCATE, RTCLAB_STUN_REQUEST);
	add_u32(&e, RTCLAB_STUN_ATTR_REQUESTED_TRANSPORT, 17);
	deliver(&f, 0, buf, sign_with(&f, &e, "not the password"));
	struct rtclab_stun_msg m;
	if (last_response(&f, &m, false)) {
		CU_ASSERT_EQUAL(error_code(&m), 401);
		take_nonce(&f, &m); /* a new challenge: REALM and NONCE again */
	}
	CU_ASSERT_EQUAL(rtclab_turn_server_allocations(f.srv), 0);

	/* a user the server does not know: 401 */
	f.user = "mallory";
	begin(&f, &e, buf, sizeof buf, RTCLAB_STUN_ALLOCATE, RTCLAB_STUN_REQUEST);
	add_u32(&e, RTCLAB_STUN_ATTR_REQUESTED_TRANSPORT, 17);
	deliver(&f, 0, buf, sign(&f, &e));
	if (last_response(&f, &m, false))
		CU_ASSERT_EQUAL(error_code(&m), 401);

	/* MESSAGE-INTEGRITY without USERNAME: 400 */
	f.user = "alice";
	struct rtclab_stun_key key;
	client_key(&f, "secret", &key);
	begin(&f, &e, buf, sizeof buf, RTCLAB_STUN_ALLOCATE, RTCLAB_STUN_REQUEST);
	add_u32(&e, RTCLAB_STUN_ATTR_REQUESTED_TRANSPORT, 17);
	add_text(&e, RTCLAB_STUN_ATTR_REALM, REALM);
	add_text(&e, RTCLAB_STUN_ATTR_NONCE, f.nonce);
	rtclab_stun_enc_integrity(&e, &key);
	deliver(&f, 0, buf, rtclab_stun_enc_end(&e));
	if (last_response(&f, &m, false))
		CU_ASSERT_EQUAL(error_code(&m), 400);
	CU_ASSERT_EQUAL(f.ev[f.n_ev - 1], RTCLAB_SERVER_EV_REJECTED);

	/* the right password at last */
	if (allocate(&f, 0, 0, &m))
		CU_ASSERT_EQUAL(m.cls, RTCLAB_STUN_SUCCESS);
	fx_free(&f);
}

static void test_stale_nonce(void)
{
	struct fx f;
	fx_init(&f);
	get_nonce(&f, 0);
	char old[128];
	snprintf(old, sizeof old, "%s", f.nonce);
	struct rtclab_stun_msg m;
	/* RTCLAB_TURN_NONCE_LIFETIME later the nonce is stale: 438, signed, with a new nonce */
	if (allocate(&f, RTCLAB_SEC(RTCLAB_TURN_NONCE_LIFETIME), 0, &m)) {
		CU_ASSERT_EQUAL(error_code(&m), 438);
		take_nonce(&f, &m);
		CU_ASSERT(strcmp(old, f.nonce) != 0);
	}
	CU_ASSERT_EQUAL(rtclab_turn_server_allocations(f.srv), 0);
	if (allocate(&f, RTCLAB_SEC(RTCLAB_TURN_NONCE_LIFETIME), 0, &m))
		CU_ASSERT_EQUAL(m.cls, RTCLAB_STUN_SUCCESS);

	/* a nonce given to another client address is not valid here (RFC 8489 9.2) */
	struct fx g;
	fx_init(&g);
	get_nonce(&g, 0);
	g.client = addr("198.51.100.8", 40000);
	if (allocate(&g, RTCLAB_SEC(1), 0, &m))
		CU_ASSERT_EQUAL(error_code(&m), 438);
	/* a made-up nonce neither */
	snprintf(g.nonce, sizeof g.nonce, "%s", "0123456789abcdef0123456789abcdef");
	if (allocate(&g, RTCLAB_SEC(1), 0, &m))
		CU_ASSERT_EQUAL(error_code(&m), 438);
	fx_free(&f);
	fx_free(&g);
}

/* --- Allocate errors and lifetimes ------------------------------------------------------ */

static void allocate_with(struct fx *f, uint16_t type, uint32_t value, bool transport, struct rtclab_stun_msg *m)
{
	uint8_t buf[512];
	struct rtclab_stun_encoder e;
	begin(f, &e, buf, sizeof buf, RTCLAB_STUN_ALLOCATE, RTCLAB_STUN_REQUEST);
	if (transport)
		add_u32(&e, RTCLAB_STUN_ATTR_REQUESTED_TRANSPORT, 17);
	if (type == RTCLAB_STUN_ATTR_REQUESTED_ADDRESS_FAMILY) {
		struct rtclab_stun_attr a = {.type = type};
		a.v.family = (enum rtclab_family)value;
		rtclab_stun_enc_attr(&e, &a);
	} else if (type) {
		add_u32(&e, type, value);
	}
	deliver(f, 0, buf, sign(f, &e));
	last_response(f, m, true);
}

static void test_allocate_errors(void)
{
	struct fx f;
	fx_init(&f);
	get_nonce(&f, 0);
	struct rtclab_stun_msg m;
	allocate_with(&f, 0, 0, false, &m);
	CU_ASSERT_EQUAL(error_code(&m), 400); /* no REQUESTED-TRANSPORT */
	allocate_with(&f, RTCLAB_STUN_ATTR_REQUESTED_TRANSPORT, 6, false, &m);
	CU_ASSERT_EQUAL(error_code(&m), 442); /* TCP relaying */
	allocate_with(&f, RTCLAB_STUN_ATTR_REQUESTED_ADDRESS_FAMILY, RTCLAB_FAMILY_IPV6, true, &m);
	CU_ASSERT_EQUAL(error_code(&m), 440); /* the relay is IPv4 only */
	allocate_with(&f, 0x7F33, 1, true, &m); /* unknown, comprehension-required: 420 once authenticated */
	CU_ASSERT_EQUAL(error_code(&m), 420);
	const struct rtclab_stun_attr *u = rtclab_stun_find(&m, RTCLAB_STUN_ATTR_UNKNOWN_ATTRIBUTES);
	CU_ASSERT(u && rtclab_stun_attr_u16_at(u, 0) == 0x7F33);
	CU_ASSERT_EQUAL(rtclab_turn_server_allocations(f.srv), 0);

	/* lifetimes: above the maximum gives the maximum */
	if (allocate(&f, 0, 7200, &m)) {
		const struct rtclab_stun_attr *life = rtclab_stun_find(&m, RTCLAB_STUN_ATTR_LIFETIME);
		CU_ASSERT(life && life->v.u32 == RTCLAB_TURN_MAX_LIFETIME);
	}
	const struct rtclab_stun_attr *r = rtclab_stun_find(&m, RTCLAB_STUN_ATTR_XOR_RELAYED_ADDRESS);
	struct rtclab_addr first = r ? r->v.addr : f.relayed;
	/* a retransmission (same transaction ID) gets the same answer; a new Allocate 437 */
	uint8_t buf[512];
	struct rtclab_stun_encoder e;
	rtclab_stun_enc_begin(&e, buf, sizeof buf, RTCLAB_STUN_ALLOCATE, RTCLAB_STUN_REQUEST, f.last_tid);
	add_u32(&e, RTCLAB_STUN_ATTR_REQUESTED_TRANSPORT, 17);
	add_u32(&e, RTCLAB_STUN_ATTR_LIFETIME, 7200);
	deliver(&f, RTCLAB_MS(100), buf, sign(&f, &e));
	if (last_response(&f, &m, true)) {
		r = rtclab_stun_find(&m, RTCLAB_STUN_ATTR_XOR_RELAYED_ADDRESS);
		CU_ASSERT(m.cls == RTCLAB_STUN_SUCCESS && r && rtclab_addr_equal(&r->v.addr, &first));
	}
	if (allocate(&f, 0, 0, &m))
		CU_ASSERT_EQUAL(error_code(&m), 437);
	CU_ASSERT_EQUAL(rtclab_turn_server_allocations(f.srv), 1);
	/* below the default gives the default */
	if (refresh(&f, 0, 30, &m)) {
		const struct rtclab_stun_attr *life = rtclab_stun_find(&m, RTCLAB_STUN_ATTR_LIFETIME);
		CU_ASSERT(life && life->v.u32 == RTCLAB_TURN_DEFAULT_LIFETIME);
	}
	/* another user on the same 5-tuple: 441 */
	f.user = "bob";
	f.password = "hunter2";
	if (refresh(&f, 0, 600, &m))
		CU_ASSERT_EQUAL(error_code(&m), 441);
	fx_free(&f);
}

/* Relayed ports come from the rng: the same seed gives the same port. */
static void test_deterministic_ports(void)
{
	uint16_t ports[3];
	uint64_t seeds[3] = {7, 7, 8};
	for (int i = 0; i < 3; i++) {
		struct fx f;
		fx_init_seed(&f, seeds[i]);
		ports[i] = session_start(&f, 0) ? f.relayed.port : 0;
		fx_free(&f);
	}
	CU_ASSERT(ports[0] != 0 && ports[0] == ports[1]);
	/* and every port of the range gets used before 508 */
	struct fx f;
	fx_init(&f);
	get_nonce(&f, 0);
	bool used[10] = {false};
	for (uint16_t i = 0; i < 11; i++) {
		struct rtclab_stun_msg m;
		f.client.port = (uint16_t)(41000 + i);
		get_nonce(&f, 0);
		if (!allocate(&f, 0, 0, &m))
			break;
		const struct rtclab_stun_attr *r = rtclab_stun_find(&m, RTCLAB_STUN_ATTR_XOR_RELAYED_ADDRESS);
		if (i < 10 && r)
			used[r->v.addr.port - 50000] = true;
		if (i == 10)
			CU_ASSERT_EQUAL(error_code(&m), 508);
	}
	for (int i = 0; i < 10; i++)
		CHECKF(used[i], "port %d used", 50000 + i);
	fx_free(&f);
}

/* --- lifetimes and expiry ------------------------------------------------------------- */

static void test_expiry(void)
{
	struct fx f;
	fx_init(&f);
	struct rtclab_stun_msg m;
	if (!session_start(&f, 0) || !peer_request(&f, 0, RTCLAB_STUN_CREATE_PERMISSION, &f.peer, 0, &m))
		goto out;
	/* the permission goes first, at 300 s */
	rtclab_time_ns next = rtclab_turn_server_next_timer(f.srv);
	CHECKF(next <= RTCLAB_SEC(300), "next timer %lld at or before 300 s", (long long)next);
	rtclab_turn_server_tick(f.srv, RTCLAB_SEC(300) - 1);
	CU_ASSERT(!saw(&f, RTCLAB_SERVER_EV_PERMISSION_EXPIRED));
	rtclab_turn_server_tick(f.srv, RTCLAB_SEC(300));
	CU_ASSERT(saw(&f, RTCLAB_SERVER_EV_PERMISSION_EXPIRED));
	size_t out = f.n_out;
	from_peer(&f, RTCLAB_SEC(301), &f.peer, "after the permission");
	CU_ASSERT_EQUAL(f.n_out, out);
	CU_ASSERT_EQUAL(f.ev[f.n_ev - 1], RTCLAB_SERVER_EV_DROPPED_NO_PERMISSION);
	/* the allocation at 600 s */
	next = rtclab_turn_server_next_timer(f.srv);
	CHECKF(next > RTCLAB_SEC(300) && next <= RTCLAB_SEC(600), "next timer %lld in (300 s, 600 s]", (long long)next);
	rtclab_turn_server_tick(f.srv, RTCLAB_SEC(599));
	CU_ASSERT_EQUAL(rtclab_turn_server_allocations(f.srv), 1);
	rtclab_turn_server_tick(f.srv, RTCLAB_SEC(600));
	CU_ASSERT(saw(&f, RTCLAB_SERVER_EV_ALLOCATION_EXPIRED));
	CU_ASSERT_EQUAL(rtclab_turn_server_allocations(f.srv), 0);
	CU_ASSERT_EQUAL(rtclab_turn_server_next_timer(f.srv), RTCLAB_NEVER);
	/* a refresh keeps an allocation alive past its first lifetime */
	if (!session_start(&f, RTCLAB_SEC(1000)) || !refresh(&f, RTCLAB_SEC(1500), 1200, &m))
		goto out;
	rtclab_turn_server_tick(f.srv, RTCLAB_SEC(1700));
	CU_ASSERT_EQUAL(rtclab_turn_server_allocations(f.srv), 1);
	/* expiry is also applied to what arrives after it, without a tick */
	out = f.n_out;
	get_nonce(&f, RTCLAB_SEC(2700));
	if (refresh(&f, RTCLAB_SEC(2700), 600, &m))
		CU_ASSERT_EQUAL(error_code(&m), 437);
out:
	fx_free(&f);
}

/* turn-expire: the server drops a client's allocation before its time. */
static void test_expire_now(void)
{
	struct fx f;
	fx_init(&f);
	struct rtclab_stun_msg m;
	if (!session_start(&f, 0))
		goto out;
	CU_ASSERT_EQUAL(rtclab_turn_server_allocations(f.srv), 1);
	struct rtclab_addr other = addr("192.0.2.99", 5000);
	CU_ASSERT(!rtclab_turn_server_expire(f.srv, RTCLAB_SEC(5), &f.listen, &other)); /* not a client */
	CU_ASSERT_EQUAL(rtclab_turn_server_allocations(f.srv), 1);
	CU_ASSERT(rtclab_turn_server_expire(f.srv, RTCLAB_SEC(5), &f.listen, &f.client));
	CU_ASSERT(saw(&f, RTCLAB_SERVER_EV_ALLOCATION_EXPIRED));
	CU_ASSERT_EQUAL(rtclab_turn_server_allocations(f.srv), 0);
	/* the client learns it from its next Refresh: 437 Allocation Mismatch (RFC 8656 7.1) */
	if (refresh(&f, RTCLAB_SEC(6), 600, &m))
		CU_ASSERT_EQUAL(error_code(&m), 437);
out:
	fx_free(&f);
}

static void test_channel_rules(void)
{
	struct fx f;
	fx_init(&f);
	struct rtclab_stun_msg m;
	struct rtclab_addr other = addr("192.0.2.51", 7000);
	struct rtclab_addr v6 = addr("2001:db8::5", 7000);
	if (!session_start(&f, 0) || !refresh(&f, 0, 3600, &m))
		goto out;
	if (peer_request(&f, 0, RTCLAB_STUN_CHANNEL_BIND, &f.peer, 0x4000, &m))
		CU_ASSERT_EQUAL(m.cls, RTCLAB_STUN_SUCCESS);
	/* binding also installs the permission (RFC 8656 12.2) */
	CU_ASSERT(saw(&f, RTCLAB_SERVER_EV_PERMISSION_INSTALLED));
	/* the same peer on another channel, the same channel for another peer: 400 */
	if (peer_request(&f, 0, RTCLAB_STUN_CHANNEL_BIND, &f.peer, 0x4001, &m))
		CU_ASSERT_EQUAL(error_code(&m), 400);
	if (peer_request(&f, 0, RTCLAB_STUN_CHANNEL_BIND, &other, 0x4000, &m))
		CU_ASSERT_EQUAL(error_code(&m), 400);
	/* RFC 8656 12: 0x5000 is outside the range now; IPv6 peer on an IPv4 relay: 443 */
	if (peer_request(&f, 0, RTCLAB_STUN_CHANNEL_BIND, &other, 0x5000, &m))
		CU_ASSERT_EQUAL(error_code(&m), 400);
	if (peer_request(&f, 0, RTCLAB_STUN_CHANNEL_BIND, &v6, 0x4002, &m))
		CU_ASSERT_EQUAL(error_code(&m), 443);
	if (peer_request(&f, 0, RTCLAB_STUN_CREATE_PERMISSION, &v6, 0, &m))
		CU_ASSERT_EQUAL(error_code(&m), 443);
	/* binding again the same pair refreshes it */
	if (peer_request(&f, RTCLAB_SEC(100), RTCLAB_STUN_CHANNEL_BIND, &f.peer, 0x4000, &m))
		CU_ASSERT_EQUAL(m.cls, RTCLAB_STUN_SUCCESS);
	CU_ASSERT(saw(&f, RTCLAB_SERVER_EV_CHANNEL_REFRESHED));
	/* keep the permission alive, let the channel expire at 700 s */
	peer_request(&f, RTCLAB_SEC(400), RTCLAB_STUN_CREATE_PERMISSION, &f.peer, 0, &m);
	peer_request(&f, RTCLAB_SEC(690), RTCLAB_STUN_CREATE_PERMISSION, &f.peer, 0, &m);
	rtclab_turn_server_tick(f.srv, RTCLAB_SEC(700));
	CU_ASSERT(saw(&f, RTCLAB_SERVER_EV_CHANNEL_EXPIRED));
	/* data from the peer now comes as a Data indication */
	from_peer(&f, RTCLAB_SEC(701), &f.peer, "no channel now");
	if (last_response(&f, &m, false))
		CU_ASSERT_EQUAL(m.method, RTCLAB_STUN_DATA);
	/* for 5 more minutes the channel cannot go to another peer; after, it can */
	if (peer_request(&f, RTCLAB_SEC(900), RTCLAB_STUN_CHANNEL_BIND, &other, 0x4000, &m))
		CU_ASSERT_EQUAL(error_code(&m), 400);
	rtclab_turn_server_tick(f.srv, RTCLAB_SEC(1000));
	if (peer_request(&f, RTCLAB_SEC(1001), RTCLAB_STUN_CHANNEL_BIND, &other, 0x4000, &m))
		CU_ASSERT_EQUAL(m.cls, RTCLAB_STUN_SUCCESS);
out:
	fx_free(&f);
}

/* --- TURN over TCP ------------------------------------------------------------------ */

/* Hand bytes to the server in pieces cut at the given offsets. */
static void deliver_split(struct fx *f, rtclab_time_ns now, const uint8_t *buf, size_t n, const size_t *cuts,
			  size_t n_cuts)
{
	size_t pos = 0;
	for (size_t i = 0; i <= n_cuts; i++) {
		size_t end = i < n_cuts ? cuts[i] : n;
		rtclab_turn_server_receive(f->srv, now, RTCLAB_L4_TCP, &f->listen, &f->client, buf + pos, end - pos);
		pos = end;
	}
}

static void test_tcp(void)
{
	struct fx f;
	fx_init(&f);
	f.l4 = RTCLAB_L4_TCP;
	struct rtclab_stun_msg m;
	/* the unauthenticated Allocate, cut after 1 byte, inside the header and inside an attribute */
	uint8_t buf[1024];
	struct rtclab_stun_encoder e;
	begin(&f, &e, buf, sizeof buf, RTCLAB_STUN_ALLOCATE, RTCLAB_STUN_REQUEST);
	add_u32(&e, RTCLAB_STUN_ATTR_REQUESTED_TRANSPORT, 17);
	size_t n = rtclab_stun_enc_end(&e);
	size_t cuts[] = {1, 7, 22};
	deliver_split(&f, 0, buf, n, cuts, 3);
	CU_ASSERT_EQUAL_FATAL(f.n_out, 1);
	if (!last_response(&f, &m, false))
		goto out;
	CU_ASSERT_EQUAL(error_code(&m), 401);
	take_nonce(&f, &m);
	/* the authenticated Allocate and a CreatePermission back to back in one chunk */
	begin(&f, &e, buf, sizeof buf, RTCLAB_STUN_ALLOCATE, RTCLAB_STUN_REQUEST);
	add_u32(&e, RTCLAB_STUN_ATTR_REQUESTED_TRANSPORT, 17);
	size_t n1 = sign(&f, &e);
	begin(&f, &e, buf + n1, sizeof buf - n1, RTCLAB_STUN_CREATE_PERMISSION, RTCLAB_STUN_REQUEST);
	add_addr(&e, RTCLAB_STUN_ATTR_XOR_PEER_ADDRESS, &f.peer);
	size_t n2 = sign(&f, &e);
	rtclab_turn_server_receive(f.srv, 0, RTCLAB_L4_TCP, &f.listen, &f.client, buf, n1 + n2);
	CU_ASSERT_EQUAL_FATAL(f.n_out, 3);
	struct rtclab_stun_msg a;
	CU_ASSERT_EQUAL(rtclab_stun_decode(&a, f.out[1].data, f.out[1].len), RTCLAB_STUN_OK);
	const struct rtclab_stun_attr *r = rtclab_stun_find(&a, RTCLAB_STUN_ATTR_XOR_RELAYED_ADDRESS);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	f.relayed = r->v.addr;
	if (last_response(&f, &m, true))
		CU_ASSERT_EQUAL(m.cls, RTCLAB_STUN_SUCCESS); /* the CreatePermission */
	/* ChannelBind, then ChannelData over TCP: 5 bytes padded to 8, split across three chunks */
	if (!peer_request(&f, 0, RTCLAB_STUN_CHANNEL_BIND, &f.peer, 0x4ABC, &m) || m.cls != RTCLAB_STUN_SUCCESS)
		goto out;
	n = rtclab_channeldata_encode(buf, sizeof buf, 0x4ABC, "tcp!!", 5, true);
	CU_ASSERT_EQUAL(n, 12);
	size_t cd_cuts[] = {2, 9};
	deliver_split(&f, 0, buf, n, cd_cuts, 2);
	expect_at_peer(&f, &f.peer, "tcp!!");
	/* relayed to peers over UDP, back to the client as padded ChannelData over TCP */
	from_peer(&f, 0, &f.peer, "back");
	const struct sent *s = &f.out[f.n_out - 1];
	CU_ASSERT_EQUAL(s->l4, RTCLAB_L4_TCP);
	struct rtclab_channeldata cd;
	CU_ASSERT_EQUAL(rtclab_channeldata_decode(&cd, s->data, s->len, true), RTCLAB_STUN_OK);
	CU_ASSERT(cd.channel == 0x4ABC && cd.data.len == 4 && s->len % 4 == 0);
	from_peer(&f, 0, &f.peer, "odd");
	s = &f.out[f.n_out - 1];
	CU_ASSERT_EQUAL(s->len, 8); /* 4 + 3, padded to 8 over TCP (RFC 8656 12.5) */
	/* the same client over UDP is another 5-tuple: no allocation there */
	f.l4 = RTCLAB_L4_UDP;
	size_t out = f.n_out;
	n = rtclab_channeldata_encode(buf, sizeof buf, 0x4ABC, "udp", 3, false);
	deliver(&f, 0, buf, n);
	CU_ASSERT_EQUAL(f.n_out, out);
	/* the connection closes: the allocation goes with it */
	rtclab_turn_server_tcp_closed(f.srv, RTCLAB_SEC(1), &f.listen, &f.client);
	CU_ASSERT_EQUAL(rtclab_turn_server_allocations(f.srv), 0);
	CU_ASSERT_EQUAL(f.ev[f.n_ev - 1], RTCLAB_SERVER_EV_ALLOCATION_DELETED);
	/* a stream out of step is given up, nothing answered */
	f.l4 = RTCLAB_L4_TCP;
	out = f.n_out;
	rtclab_turn_server_receive(f.srv, RTCLAB_SEC(2), RTCLAB_L4_TCP, &f.listen, &f.client, "\xff\xff\xff\xff", 4);
	CU_ASSERT_EQUAL(f.n_out, out);
	CU_ASSERT_EQUAL(f.ev[f.n_ev - 1], RTCLAB_SERVER_EV_DISCARDED);
out:
	fx_free(&f);
}

/* --- the rest ---------------------------------------------------------------------- */

static void test_binding_and_junk(void)
{
	struct fx f;
	fx_init(&f);
	uint8_t buf[256];
	struct rtclab_stun_encoder e;
	begin(&f, &e, buf, sizeof buf, RTCLAB_STUN_BINDING, RTCLAB_STUN_REQUEST);
	deliver(&f, 0, buf, rtclab_stun_enc_end(&e));
	struct rtclab_stun_msg m;
	if (last_response(&f, &m, false)) {
		CU_ASSERT_EQUAL(m.cls, RTCLAB_STUN_SUCCESS);
		const struct rtclab_stun_attr *x = rtclab_stun_find(&m, RTCLAB_STUN_ATTR_XOR_MAPPED_ADDRESS);
		CU_ASSERT(x && rtclab_addr_equal(&x->v.addr, &f.client));
	}
	/* Send indication without an allocation, a response from a client, junk: nothing sent */
	size_t out = f.n_out;
	deliver(&f, 0, buf, send_indication(&f, buf, sizeof buf, &f.peer, "x"));
	begin(&f, &e, buf, sizeof buf, RTCLAB_STUN_BINDING, RTCLAB_STUN_SUCCESS);
	deliver(&f, 0, buf, rtclab_stun_enc_end(&e));
	deliver(&f, 0, "\x16\xfe\xfd junk", 8);
	struct rtclab_addr nowhere = addr("203.0.113.1", 50005);
	rtclab_turn_server_receive(f.srv, 0, RTCLAB_L4_UDP, &nowhere, &f.peer, "x", 1);
	CU_ASSERT_EQUAL(f.n_out, out);
	CU_ASSERT_EQUAL(f.n_ev, 5);
	fx_free(&f);
}

static void test_config_errors(void)
{
	struct fx f;
	memset(&f, 0, sizeof f);
	rtclab_rng_seed(&f.rng, 1);
	struct rtclab_turn_user bad_users[] = {{"alice", "secret"}, {"", "x"}};
	struct rtclab_turn_server_config cfg = {
		.listen = addr("203.0.113.1", 3478),
		.relay_ip = addr("203.0.113.1", 0),
		.realm = REALM,
		.users = bad_users,
		.n_users = 2,
		.rng = &f.rng,
		.send = on_send,
		.send_arg = &f,
	};
	struct rtclab_turn_server *s = NULL;
	size_t where = 99;
	CU_ASSERT_EQUAL(rtclab_turn_server_new(&cfg, &s, &where), RTCLAB_SERVER_E_BAD_USER);
	CU_ASSERT_EQUAL(where, 1);
	CU_ASSERT_PTR_NULL(s);
	cfg.n_users = 1;
	cfg.relay_port_min = 6000;
	cfg.relay_port_max = 5000;
	CU_ASSERT_EQUAL(rtclab_turn_server_new(&cfg, &s, NULL), RTCLAB_SERVER_E_RELAY_RANGE);
	cfg.relay_port_max = 7000;
	cfg.default_lifetime_s = 4000;
	CU_ASSERT_EQUAL(rtclab_turn_server_new(&cfg, &s, NULL), RTCLAB_SERVER_E_LIFETIME);
	cfg.default_lifetime_s = 0;
	cfg.realm = NULL;
	CU_ASSERT_EQUAL(rtclab_turn_server_new(&cfg, &s, NULL), RTCLAB_SERVER_E_NO_REALM);
	cfg.realm = REALM;
	cfg.rng = NULL;
	CU_ASSERT_EQUAL(rtclab_turn_server_new(&cfg, &s, NULL), RTCLAB_SERVER_E_NO_RNG);
	cfg.rng = &f.rng;
	CU_ASSERT_EQUAL(rtclab_turn_server_new(&cfg, &s, NULL), RTCLAB_SERVER_OK);
	CU_ASSERT_EQUAL(rtclab_turn_server_next_timer(s), RTCLAB_NEVER);
	rtclab_turn_server_free(s);
}

RTCLAB_SUITE(turn_server)
{
	static const struct unit_test tests[] = {
		{"a whole session: 401, Allocate, permission, Send/Data, channels, Refresh 0", test_session},
		{"wrong password and unknown user: 401; no USERNAME: 400", test_wrong_password},
		{"stale, foreign and made-up nonces: 438 with a new nonce", test_stale_nonce},
		{"Allocate errors 400/442/440/420/437/441, lifetimes, retransmission", test_allocate_errors},
		{"relayed ports from the rng, every port before 508", test_deterministic_ports},
		{"permission and allocation expiry by timer", test_expiry},
		{"an allocation dropped before its time (turn-expire): 437 on Refresh", test_expire_now},
		{"ChannelBind conflicts, refresh, expiry and the 5-minute rule", test_channel_rules},
		{"TURN over TCP: framing across chunks, padded ChannelData, close", test_tcp},
		{"Binding answered; indications, responses and junk ignored", test_binding_and_junk},
		{"configuration errors", test_config_errors},
		{NULL, NULL},
	};
	unit_add_suite("turn_server", tests);
}
