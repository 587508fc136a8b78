/* The sans-I/O ICE agent (lib/ice_agent*.c) between two peers on a tiny
 * in-test network: a queue of datagrams delivered by destination address
 * after a fixed delay, with optional loss, a static one-to-one NAT for
 * peer A and a firewall between the peers, and the library's real STUN and
 * TURN servers (lib/stun_server.c, lib/turn_server.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtclab/candidate.h"
#include "rtclab/channeldata.h"
#include "rtclab/ice_agent.h"
#include "rtclab/stun.h"
#include "rtclab/stun_server.h"
#include "rtclab/turn_server.h"
#include "unit.h"

/* --- the network --------------------------------------------------------------- */

struct pkt {
	rtclab_time_ns at;
	uint64_t seq;
	enum rtclab_l4 l4;
	struct rtclab_addr src, dst;
	size_t len;
	uint8_t data[2048];
};

struct peer {
	struct rtclab_ice_agent *agent;
	struct rtclab_rng rng;
	struct rtclab_addr host;
	char received[64];
	size_t n_received;
	bool selected_event;
	unsigned n_selected;
	rtclab_time_ns failed_at, disconnected_at;
};

struct net {
	struct pkt *q;
	size_t n, cap;
	uint64_t seq;
	rtclab_time_ns delay;
	double loss;
	struct rtclab_rng rng;
	struct peer p[2];
	bool forward;                 /* trickle candidates to the other peer at once */
	rtclab_time_ns hold_until;    /* candidates signalled no earlier than this (held ones kept below) */
	char held[2][8][128];
	size_t n_held[2];
	bool held_eoc[2];
	bool nat_a;                   /* A's host 10.0.0.1:5000 appears as 203.0.113.1:6000 */
	bool block_direct;            /* drop datagrams between A and B that do not go through a server */
	bool drop_all;
	struct rtclab_addr unreachable;
	struct rtclab_stun_server *stun;
	struct rtclab_addr stun_addr;
	struct rtclab_turn_server *turn;
	struct rtclab_addr turn_addr;
	uint64_t hash;
	unsigned stun_msgs, stun_bad, integrity_ok, integrity_bad;
	unsigned err_487, err_401, perm_ok, chanbind_ok, channeldata, a_requests_early;
	unsigned requests[2];         /* STUN requests each peer sent (checks, consent, servers) */
};

static struct rtclab_addr mk(const char *ip, uint16_t port)
{
	struct rtclab_addr a;
	memset(&a, 0, sizeof a);
	rtclab_addr_ip_parse(&a, ip);
	a.port = port;
	return a;
}

static void hash_bytes(uint64_t *h, const void *data, size_t len)
{
	const uint8_t *p = data;
	for (size_t i = 0; i < len; i++) {
		*h ^= p[i];
		*h *= 0x100000001B3ull; /* FNV-1a */
	}
}

static bool same_ip(const struct rtclab_addr *x, const struct rtclab_addr *y)
{
	struct rtclab_addr a = *x, b = *y;
	a.port = b.port = 0;
	return rtclab_addr_equal(&a, &b);
}

static bool is_server(const struct net *n, const struct rtclab_addr *x)
{
	return (n->stun && same_ip(x, &n->stun_addr)) || (n->turn && same_ip(x, &n->turn_addr));
}

/* Every STUN message a peer sends decodes without a problem, has a good
 * FINGERPRINT and, for checks, verifies with one peer's ice-pwd. */
static void inspect(struct net *n, const struct rtclab_addr *src, const uint8_t *data, size_t len)
{
	if (len && data[0] >= 0x40 && data[0] <= 0x7F) {
		n->channeldata++;
		return;
	}
	if (!rtclab_stun_is_stun(data, len, true))
		return;
	struct rtclab_stun_msg m;
	n->stun_msgs++;
	if (rtclab_stun_decode(&m, data, len) != RTCLAB_STUN_OK)
		n->stun_bad++;
	struct rtclab_stun_verdict v;
	rtclab_stun_verify(&m, NULL, &v);
	if (v.fingerprint != RTCLAB_STUN_CHECK_OK)
		n->stun_bad++;
	const struct rtclab_stun_attr *ec = rtclab_stun_find(&m, RTCLAB_STUN_ATTR_ERROR_CODE);
	if (ec && ec->ok && ec->v.error.code == 487)
		n->err_487++;
	if (ec && ec->ok && ec->v.error.code == 401)
		n->err_401++;
	if (m.cls == RTCLAB_STUN_SUCCESS && m.method == RTCLAB_STUN_CREATE_PERMISSION)
		n->perm_ok++;
	if (m.cls == RTCLAB_STUN_SUCCESS && m.method == RTCLAB_STUN_CHANNEL_BIND)
		n->chanbind_ok++;
	if (m.method != RTCLAB_STUN_BINDING || m.integrity_offset == SIZE_MAX || is_server(n, src))
		return;
	bool ok = false;
	for (int i = 0; i < 2 && !ok; i++) {
		if (!n->p[i].agent)
			continue;
		struct rtclab_stun_credentials c = {rtclab_ice_agent_local_pwd(n->p[i].agent), NULL, NULL, false};
		rtclab_stun_verify(&m, &c, &v);
		ok = v.integrity == RTCLAB_STUN_CHECK_OK;
	}
	if (ok)
		n->integrity_ok++;
	else
		n->integrity_bad++;
}

static void net_send(void *arg, rtclab_time_ns now, enum rtclab_l4 l4, const struct rtclab_addr *src,
		     const struct rtclab_addr *dst, const void *data, size_t len)
{
	struct net *n = arg;
	CU_ASSERT_FATAL(len <= sizeof n->q[0].data);
	inspect(n, src, data, len);
	if (n->p[0].agent && rtclab_addr_equal(src, &n->p[0].host) && now < RTCLAB_SEC(1) && rtclab_stun_is_stun(data, len, true))
		n->a_requests_early++;
	struct rtclab_stun_msg sm;
	for (size_t i = 0; i < 2 && rtclab_stun_is_stun(data, len, true); i++)
		if (rtclab_addr_equal(src, &n->p[i].host) && rtclab_stun_decode(&sm, data, len) == RTCLAB_STUN_OK &&
		    sm.cls == RTCLAB_STUN_REQUEST)
			n->requests[i]++;
	hash_bytes(&n->hash, &now, sizeof now);
	hash_bytes(&n->hash, src, sizeof *src);
	hash_bytes(&n->hash, dst, sizeof *dst);
	hash_bytes(&n->hash, data, len);
	if (n->drop_all || rtclab_addr_equal(dst, &n->unreachable))
		return;
	if (n->loss > 0 && rtclab_rng_unit(&n->rng) < n->loss)
		return;
	if (n->n == n->cap) {
		n->cap = n->cap ? 2 * n->cap : 256;
		n->q = realloc(n->q, n->cap * sizeof n->q[0]);
		CU_ASSERT_FATAL(n->q != NULL);
	}
	struct pkt *p = &n->q[n->n++];
	p->at = now + n->delay;
	p->seq = n->seq++;
	p->l4 = l4;
	p->src = *src;
	p->dst = *dst;
	p->len = len;
	memcpy(p->data, data, len);
	/* A's static NAT: outbound from its private address gets the public one. */
	struct rtclab_addr priv = mk("10.0.0.1", 5000), pub = mk("203.0.113.1", 6000);
	if (n->nat_a && rtclab_addr_equal(&p->src, &priv))
		p->src = pub;
}

static size_t peer_of(const struct net *n, const struct rtclab_addr *x)
{
	for (size_t i = 0; i < 2; i++)
		if (n->p[i].agent && rtclab_addr_equal(&n->p[i].host, x))
			return i;
	return SIZE_MAX;
}

static void deliver(struct net *n, struct pkt *p)
{
	struct rtclab_addr priv = mk("10.0.0.1", 5000), pub = mk("203.0.113.1", 6000);
	if (n->nat_a && rtclab_addr_equal(&p->dst, &pub))
		p->dst = priv;
	size_t from = peer_of(n, &p->src), to = peer_of(n, &p->dst);
	if (n->nat_a && rtclab_addr_equal(&p->src, &pub))
		from = 0;
	if (n->block_direct && from != SIZE_MAX && to != SIZE_MAX)
		return;
	if (to != SIZE_MAX) {
		rtclab_ice_agent_receive(n->p[to].agent, p->at, p->l4, &p->dst, &p->src, p->data, p->len);
	} else if (n->stun && rtclab_addr_equal(&p->dst, &n->stun_addr)) {
		rtclab_stun_server_receive(n->stun, p->at, p->l4, &p->dst, &p->src, p->data, p->len);
	} else if (n->turn && (rtclab_addr_equal(&p->dst, &n->turn_addr) || rtclab_turn_server_is_relayed(n->turn, &p->dst))) {
		rtclab_turn_server_receive(n->turn, p->at, p->l4, &p->dst, &p->src, p->data, p->len);
	}
}

static void release_held(struct net *n, rtclab_time_ns now);

/* Run in time order until `until`: datagrams first (in the order sent), then timers. */
static void run(struct net *n, rtclab_time_ns until)
{
	for (;;) {
		rtclab_time_ns next = RTCLAB_NEVER;
		for (size_t i = 0; i < n->n; i++)
			if (n->q[i].at < next)
				next = n->q[i].at;
		for (size_t i = 0; i < 2; i++)
			if (n->p[i].agent) {
				rtclab_time_ns t = rtclab_ice_agent_next_timer(n->p[i].agent);
				if (t < next)
					next = t;
			}
		if (n->turn && rtclab_turn_server_next_timer(n->turn) < next)
			next = rtclab_turn_server_next_timer(n->turn);
		if (n->hold_until > 0 && n->hold_until < next)
			next = n->hold_until;
		if (next > until)
			break;
		if (n->hold_until > 0 && next >= n->hold_until)
			release_held(n, next);
		for (;;) {
			size_t best = SIZE_MAX;
			for (size_t i = 0; i < n->n; i++)
				if (n->q[i].at <= next && (best == SIZE_MAX || n->q[i].seq < n->q[best].seq))
					best = i;
			if (best == SIZE_MAX)
				break;
			struct pkt p = n->q[best];
			n->q[best] = n->q[--n->n];
			deliver(n, &p);
		}
		for (size_t i = 0; i < 2; i++)
			if (n->p[i].agent && rtclab_ice_agent_next_timer(n->p[i].agent) <= next)
				rtclab_ice_agent_timeout(n->p[i].agent, next);
		if (n->turn && rtclab_turn_server_next_timer(n->turn) <= next)
			rtclab_turn_server_tick(n->turn, next);
	}
}

/* --- signaling ----------------------------------------------------------------- */

static void on_event(void *arg, const struct rtclab_ice_event *ev);

static void on_data(void *arg, rtclab_time_ns now, const void *data, size_t len)
{
	(void)now;
	struct peer *p = arg;
	size_t k = len < sizeof p->received - 1 ? len : sizeof p->received - 1;
	memcpy(p->received, data, k);
	p->received[k] = '\0';
	p->n_received++;
}

struct opts {
	enum rtclab_ice_role role[2];
	uint64_t seed;
	const struct rtclab_addr *extra_host_b; /* a second host for B */
	bool stun, turn;
	enum rtclab_l4 turn_l4;
	bool trickle_off;
	bool lite[2];                           /* an ICE lite agent (RFC 8445 2.5) */
};

static struct net *g_net; /* the event callback finds the network through it (tests run one at a time) */

static void release_held(struct net *n, rtclab_time_ns now)
{
	n->hold_until = 0;
	for (size_t i = 0; i < 2; i++) {
		for (size_t k = 0; k < n->n_held[i]; k++)
			rtclab_ice_agent_add_remote_candidate(n->p[1 - i].agent, now, n->held[i][k]);
		n->n_held[i] = 0;
		if (n->held_eoc[i])
			rtclab_ice_agent_remote_gathering_done(n->p[1 - i].agent, now);
	}
}

static void on_event(void *arg, const struct rtclab_ice_event *ev)
{
	struct peer *p = arg;
	struct net *n = g_net;
	size_t me = (size_t)(p - n->p), other = 1 - me;
	if (getenv("RTCLAB_ICE_DEBUG")) /* the agent's own account, to debug a failing test */
		fprintf(stderr, "%8.3f %c %s\n", (double)ev->now / 1e9, me ? 'B' : 'A', ev->text);
	if (ev->kind == RTCLAB_ICE_EV_SELECTED)
		p->n_selected++;
	if (ev->kind == RTCLAB_ICE_EV_STATE && ev->state == RTCLAB_ICE_STATE_FAILED && p->failed_at < 0)
		p->failed_at = ev->now;
	if (ev->kind == RTCLAB_ICE_EV_STATE && ev->state == RTCLAB_ICE_STATE_DISCONNECTED && p->disconnected_at < 0)
		p->disconnected_at = ev->now;
	if (!n->forward || !n->p[other].agent)
		return;
	if (ev->kind == RTCLAB_ICE_EV_CANDIDATE) {
		struct rtclab_candidate c;
		CHECKF(rtclab_candidate_parse(&c, ev->candidate, strlen(ev->candidate), NULL) == RTCLAB_CAND_OK,
		       "the agent's candidate line parses: %s", ev->candidate);
		bool hold = n->hold_until > ev->now && !(rtclab_addr_equal(&c.ip, &n->unreachable) && c.port == n->unreachable.port);
		if (hold && n->n_held[me] < 8)
			snprintf(n->held[me][n->n_held[me]++], sizeof n->held[0][0], "%s", ev->candidate);
		else if (!hold)
			rtclab_ice_agent_add_remote_candidate(n->p[other].agent, ev->now, ev->candidate);
	} else if (ev->kind == RTCLAB_ICE_EV_GATHERING_DONE) {
		if (n->hold_until > ev->now)
			n->held_eoc[me] = true;
		else
			rtclab_ice_agent_remote_gathering_done(n->p[other].agent, ev->now);
	}
}

static const char *const turn_user = "alice", *const turn_pass = "s3cret";

static void add_servers(struct net *n, const struct opts *o)
{
	if (o->stun) {
		n->stun_addr = mk("198.51.100.1", 3478);
		struct rtclab_stun_server_config sc;
		memset(&sc, 0, sizeof sc);
		sc.primary = n->stun_addr;
		sc.send = net_send;
		sc.send_arg = n;
		CU_ASSERT_FATAL(rtclab_stun_server_new(&sc, &n->stun) == RTCLAB_SERVER_OK);
	}
	if (o->turn) {
		n->turn_addr = mk("198.51.100.2", 3478);
		static const struct rtclab_turn_user users[] = {{"alice", "s3cret"}};
		struct rtclab_turn_server_config tc;
		memset(&tc, 0, sizeof tc);
		tc.listen = n->turn_addr;
		tc.relay_ip = mk("198.51.100.2", 0);
		tc.realm = "rtclab.test";
		tc.users = users;
		tc.n_users = 1;
		tc.rng = &n->rng;
		tc.send = net_send;
		tc.send_arg = n;
		CU_ASSERT_FATAL(rtclab_turn_server_new(&tc, &n->turn, NULL) == RTCLAB_SERVER_OK);
	}
}

static struct net *net_new(const struct opts *o)
{
	struct net *n = calloc(1, sizeof *n);
	CU_ASSERT_FATAL(n != NULL);
	g_net = n;
	n->delay = RTCLAB_MS(10);
	n->forward = true;
	n->hash = 0xCBF29CE484222325ull;
	rtclab_rng_seed(&n->rng, o->seed ^ 0x5EED);
	add_servers(n, o);
	n->p[0].host = o->turn || o->stun ? mk("10.0.0.1", 5000) : mk("192.168.1.10", 5000);
	n->p[1].host = mk("192.168.1.20", 5000);
	if (o->turn || o->stun)
		n->p[1].host = mk("192.0.2.20", 5000);
	for (size_t i = 0; i < 2; i++) {
		struct peer *p = &n->p[i];
		p->failed_at = p->disconnected_at = -1;
		rtclab_rng_seed(&p->rng, o->seed * 2 + i + 1);
		struct rtclab_addr hosts[2] = {p->host};
		size_t n_hosts = 1;
		if (i == 1 && o->extra_host_b)
			hosts[n_hosts++] = *o->extra_host_b;
		struct rtclab_ice_turn_server ts = {n->turn_addr, o->turn_l4 ? o->turn_l4 : RTCLAB_L4_UDP, turn_user,
						    turn_pass};
		struct rtclab_ice_agent_config c;
		memset(&c, 0, sizeof c);
		c.role = o->role[i];
		c.rng = &p->rng;
		c.hosts = hosts;
		c.n_hosts = n_hosts;
		c.stun_servers = &n->stun_addr;
		c.n_stun_servers = (i == 0 || o->lite[i]) && o->stun; /* a lite agent must not use them */
		c.turn_servers = &ts;
		c.n_turn_servers = (i == 0 || o->lite[i]) && o->turn;
		c.trickle = !o->trickle_off;
		c.lite = o->lite[i];
		c.send = net_send;
		c.send_arg = n;
		c.on_event = on_event;
		c.on_data = on_data;
		c.cb_arg = p;
		enum rtclab_ice_agent_error err;
		p->agent = rtclab_ice_agent_new(&c, &err);
		CHECKF(p->agent != NULL, "agent created: %s", rtclab_ice_agent_error_str(err));
		CU_ASSERT_FATAL(p->agent != NULL);
	}
	return n;
}

static void exchange_credentials(struct net *n)
{
	for (size_t i = 0; i < 2; i++)
		CU_ASSERT_EQUAL(rtclab_ice_agent_set_remote_credentials(n->p[i].agent,
									 rtclab_ice_agent_local_ufrag(n->p[1 - i].agent),
									 rtclab_ice_agent_local_pwd(n->p[1 - i].agent)),
				RTCLAB_ICE_AGENT_OK);
}

static void start(struct net *n)
{
	exchange_credentials(n);
	rtclab_ice_agent_gather(n->p[0].agent, 0);
	rtclab_ice_agent_gather(n->p[1].agent, 0);
}

static void net_free(struct net *n)
{
	for (size_t i = 0; i < 2; i++)
		rtclab_ice_agent_free(n->p[i].agent);
	rtclab_stun_server_free(n->stun);
	rtclab_turn_server_free(n->turn);
	free(n->q);
	free(n);
	g_net = NULL;
}

static bool connected(const struct rtclab_ice_agent *a)
{
	enum rtclab_ice_agent_state s = rtclab_ice_agent_get_state(a);
	return (s == RTCLAB_ICE_STATE_CONNECTED || s == RTCLAB_ICE_STATE_COMPLETED) &&
	       rtclab_ice_agent_selected(a) != SIZE_MAX;
}

static const struct rtclab_ice_agent_candidate *sel_local(const struct rtclab_ice_agent *a)
{
	const struct rtclab_ice_agent_pair *p = rtclab_ice_agent_pair(a, rtclab_ice_agent_selected(a));
	return p ? rtclab_ice_agent_local_candidate(a, p->local) : NULL;
}

static const struct rtclab_ice_agent_candidate *sel_remote(const struct rtclab_ice_agent *a)
{
	const struct rtclab_ice_agent_pair *p = rtclab_ice_agent_pair(a, rtclab_ice_agent_selected(a));
	return p ? rtclab_ice_agent_remote_candidate(a, p->remote) : NULL;
}

/* Both selected the same pair: each one's local is the other's remote (a
 * host behind A's NAT is seen by B as the public address). */
static void check_same_pair(struct net *n)
{
	const struct rtclab_ice_agent_candidate *la = sel_local(n->p[0].agent), *ra = sel_remote(n->p[0].agent);
	const struct rtclab_ice_agent_candidate *lb = sel_local(n->p[1].agent), *rb = sel_remote(n->p[1].agent);
	CU_ASSERT_FATAL(la && ra && lb && rb);
	CHECKF(rtclab_addr_equal(&ra->addr, &lb->addr) || rtclab_addr_equal(&ra->addr, &lb->base),
	       "A's remote is B's local");
	CHECKF(rtclab_addr_equal(&rb->addr, &la->addr) || (la->type == RTCLAB_CAND_HOST && n->nat_a),
	       "B's remote is A's local");
}

static void check_data(struct net *n, rtclab_time_ns now, size_t from)
{
	char msg[32];
	snprintf(msg, sizeof msg, "hello from %c", from ? 'B' : 'A');
	CU_ASSERT_EQUAL(rtclab_ice_agent_send_data(n->p[from].agent, now, msg, strlen(msg)), RTCLAB_ICE_AGENT_OK);
	run(n, now + RTCLAB_MS(500));
	CHECKF(strcmp(n->p[1 - from].received, msg) == 0, "data arrived: '%s'", n->p[1 - from].received);
}

/* --- tests --------------------------------------------------------------------- */

static void test_lan(void)
{
	struct opts o = {{RTCLAB_ICE_CONTROLLING, RTCLAB_ICE_CONTROLLED}, 1, NULL, false, false, 0, false, {false, false}};
	struct net *n = net_new(&o);
	start(n);
	run(n, RTCLAB_SEC(5));
	CU_ASSERT(connected(n->p[0].agent));
	CU_ASSERT(connected(n->p[1].agent));
	CU_ASSERT_EQUAL(rtclab_ice_agent_get_state(n->p[0].agent), RTCLAB_ICE_STATE_COMPLETED);
	check_same_pair(n);
	const struct rtclab_ice_agent_pair *pa = rtclab_ice_agent_pair(n->p[0].agent, rtclab_ice_agent_selected(n->p[0].agent));
	const struct rtclab_ice_agent_pair *pb = rtclab_ice_agent_pair(n->p[1].agent, rtclab_ice_agent_selected(n->p[1].agent));
	CU_ASSERT(pa->nominated && pb->nominated && pa->valid);
	CU_ASSERT_EQUAL(pa->priority, pb->priority); /* both compute the same pair priority (6.1.2.3) */
	CU_ASSERT_EQUAL(sel_local(n->p[0].agent)->type, RTCLAB_CAND_HOST);
	CHECKF(n->stun_msgs > 4 && n->stun_bad == 0, "%u STUN messages, %u bad", n->stun_msgs, n->stun_bad);
	CHECKF(n->integrity_ok > 4 && n->integrity_bad == 0, "%u checks verified, %u not", n->integrity_ok,
	       n->integrity_bad);
	check_data(n, RTCLAB_SEC(5), 0);
	check_data(n, RTCLAB_MS(5500), 1);
	net_free(n);
}

static uint64_t lossy_run(uint64_t seed, bool *ok)
{
	struct opts o = {{RTCLAB_ICE_CONTROLLING, RTCLAB_ICE_CONTROLLED}, seed, NULL, false, false, 0, false, {false, false}};
	struct net *n = net_new(&o);
	n->loss = 0.2;
	start(n);
	run(n, RTCLAB_SEC(30));
	*ok = connected(n->p[0].agent) && connected(n->p[1].agent);
	if (*ok)
		check_same_pair(n);
	uint64_t h = n->hash;
	CHECKF(n->stun_bad == 0 && n->integrity_bad == 0, "seed %llu: every message decodes and verifies",
	       (unsigned long long)seed);
	net_free(n);
	return h;
}

static void test_loss(void)
{
	bool ok1, ok2, ok3;
	uint64_t h1 = lossy_run(7, &ok1), h2 = lossy_run(7, &ok2), h3 = lossy_run(8, &ok3);
	CU_ASSERT(ok1 && ok2 && ok3);
	CHECKF(h1 == h2, "same seed, same transcript (%016llx %016llx)", (unsigned long long)h1, (unsigned long long)h2);
	CHECKF(h1 != h3, "another seed, another transcript");
}

static void test_role_conflict(void)
{
	struct opts o = {{RTCLAB_ICE_CONTROLLING, RTCLAB_ICE_CONTROLLING}, 3, NULL, false, false, 0, false, {false, false}};
	struct net *n = net_new(&o);
	start(n);
	uint64_t ta = rtclab_ice_agent_tie_breaker(n->p[0].agent), tb = rtclab_ice_agent_tie_breaker(n->p[1].agent);
	run(n, RTCLAB_SEC(5));
	CHECKF(n->err_487 > 0, "a 487 Role Conflict was sent");
	size_t winner = ta > tb ? 0 : 1;
	CU_ASSERT_EQUAL(rtclab_ice_agent_role(n->p[winner].agent), RTCLAB_ICE_CONTROLLING);
	CU_ASSERT_EQUAL(rtclab_ice_agent_role(n->p[1 - winner].agent), RTCLAB_ICE_CONTROLLED);
	CU_ASSERT(connected(n->p[0].agent) && connected(n->p[1].agent));
	check_same_pair(n);
	net_free(n);

	/* Both controlled: the larger tie-breaker becomes controlling. */
	struct opts o2 = {{RTCLAB_ICE_CONTROLLED, RTCLAB_ICE_CONTROLLED}, 4, NULL, false, false, 0, false, {false, false}};
	n = net_new(&o2);
	start(n);
	ta = rtclab_ice_agent_tie_breaker(n->p[0].agent);
	tb = rtclab_ice_agent_tie_breaker(n->p[1].agent);
	run(n, RTCLAB_SEC(5));
	winner = ta > tb ? 0 : 1;
	CU_ASSERT_EQUAL(rtclab_ice_agent_role(n->p[winner].agent), RTCLAB_ICE_CONTROLLING);
	CU_ASSERT_EQUAL(rtclab_ice_agent_role(n->p[1 - winner].agent), RTCLAB_ICE_CONTROLLED);
	CU_ASSERT(connected(n->p[0].agent) && connected(n->p[1].agent));
	net_free(n);
}

static void test_trickle(void)
{
	struct rtclab_addr dead = mk("192.168.9.9", 7000);
	struct opts o = {{RTCLAB_ICE_CONTROLLING, RTCLAB_ICE_CONTROLLED}, 5, &dead, false, false, 0, false, {false, false}};
	struct net *n = net_new(&o);
	n->unreachable = dead;
	n->hold_until = RTCLAB_SEC(1); /* only B's unreachable candidate goes out before 1 s */
	start(n);
	run(n, RTCLAB_MS(900));
	CHECKF(n->a_requests_early > 0, "A checked the unreachable candidate before the others arrived");
	CU_ASSERT_EQUAL(rtclab_ice_agent_get_state(n->p[0].agent), RTCLAB_ICE_STATE_CHECKING);
	CU_ASSERT_EQUAL(rtclab_ice_agent_remote_count(n->p[0].agent), 1);
	run(n, RTCLAB_SEC(4));
	CU_ASSERT(connected(n->p[0].agent) && connected(n->p[1].agent));
	CU_ASSERT_EQUAL(rtclab_ice_agent_remote_count(n->p[0].agent), 2);
	const struct rtclab_ice_agent_candidate *r = sel_remote(n->p[0].agent);
	CU_ASSERT(r && rtclab_addr_equal(&r->addr, &n->p[1].host) && r->type == RTCLAB_CAND_HOST);
	net_free(n);
}

static void test_no_pair(void)
{
	struct opts o = {{RTCLAB_ICE_CONTROLLING, RTCLAB_ICE_CONTROLLED}, 6, NULL, false, false, 0, false, {false, false}};
	struct net *n = net_new(&o);
	n->block_direct = true;
	start(n);
	run(n, RTCLAB_SEC(60));
	for (size_t i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL(rtclab_ice_agent_get_state(n->p[i].agent), RTCLAB_ICE_STATE_FAILED);
		/* Rc = 7 requests at RTO 500 ms, then 16 RTO: 39.5 s (RFC 8489 6.2.1). */
		CHECKF(n->p[i].failed_at >= RTCLAB_SEC(39) && n->p[i].failed_at <= RTCLAB_SEC(41),
		       "failed at %lld ms", (long long)(n->p[i].failed_at / 1000000));
		CU_ASSERT_EQUAL(rtclab_ice_agent_pair(n->p[i].agent, 0)->state, RTCLAB_PAIR_FAILED);
	}
	CU_ASSERT_EQUAL(rtclab_ice_agent_send_data(n->p[0].agent, RTCLAB_SEC(60), "x", 1),
			RTCLAB_ICE_AGENT_E_NOT_CONNECTED);
	net_free(n);
}

static void test_consent(void)
{
	struct opts o = {{RTCLAB_ICE_CONTROLLING, RTCLAB_ICE_CONTROLLED}, 9, NULL, false, false, 0, false, {false, false}};
	struct net *n = net_new(&o);
	start(n);
	run(n, RTCLAB_SEC(20));
	CU_ASSERT(connected(n->p[0].agent));
	const struct rtclab_ice_agent_pair *p = rtclab_ice_agent_pair(n->p[0].agent, rtclab_ice_agent_selected(n->p[0].agent));
	CHECKF(p->responses_received >= 4, "consent checks answered: %u responses", p->responses_received);
	CU_ASSERT_EQUAL(n->p[0].failed_at, -1);
	n->drop_all = true;
	run(n, RTCLAB_SEC(80));
	for (size_t i = 0; i < 2; i++) {
		rtclab_time_ns d = n->p[i].failed_at - RTCLAB_SEC(20);
		CU_ASSERT_EQUAL(rtclab_ice_agent_get_state(n->p[i].agent), RTCLAB_ICE_STATE_FAILED);
		/* 30 s after the last answer, which came at most 6 s before the cut. */
		CHECKF(d >= RTCLAB_SEC(24) && d <= RTCLAB_SEC(31), "consent lost %lld ms after the cut",
		       (long long)(d / 1000000));
		CU_ASSERT(n->p[i].disconnected_at > RTCLAB_SEC(20) && n->p[i].disconnected_at < n->p[i].failed_at);
	}
	CU_ASSERT_EQUAL(rtclab_ice_agent_send_data(n->p[0].agent, RTCLAB_SEC(80), "x", 1),
			RTCLAB_ICE_AGENT_E_NOT_CONNECTED);
	net_free(n);
}

static void resignal(struct net *n, rtclab_time_ns now)
{
	exchange_credentials(n);
	for (size_t i = 0; i < 2; i++) {
		struct rtclab_ice_agent *a = n->p[i].agent;
		for (size_t k = 0; k < rtclab_ice_agent_local_count(a); k++) {
			char line[256];
			const struct rtclab_ice_agent_candidate *c = rtclab_ice_agent_local_candidate(a, k);
			if (c->type == RTCLAB_CAND_PRFLX)
				continue;
			rtclab_ice_agent_candidate_format(c, line, sizeof line);
			rtclab_ice_agent_add_remote_candidate(n->p[1 - i].agent, now, line);
		}
		rtclab_ice_agent_remote_gathering_done(n->p[1 - i].agent, now);
	}
}

static void test_restart(void)
{
	struct opts o = {{RTCLAB_ICE_CONTROLLING, RTCLAB_ICE_CONTROLLED}, 11, NULL, false, false, 0, false, {false, false}};
	struct net *n = net_new(&o);
	start(n);
	run(n, RTCLAB_SEC(3));
	CU_ASSERT(connected(n->p[0].agent) && connected(n->p[1].agent));
	char old_a[64], old_b[64];
	snprintf(old_a, sizeof old_a, "%s", rtclab_ice_agent_local_ufrag(n->p[0].agent));
	snprintf(old_b, sizeof old_b, "%s", rtclab_ice_agent_local_ufrag(n->p[1].agent));
	n->forward = false; /* the new candidates go in the new offer and answer (resignal) */
	rtclab_ice_agent_restart(n->p[0].agent, RTCLAB_SEC(3));
	rtclab_ice_agent_restart(n->p[1].agent, RTCLAB_SEC(3));
	CU_ASSERT(strcmp(old_a, rtclab_ice_agent_local_ufrag(n->p[0].agent)) != 0);
	CU_ASSERT(strcmp(old_b, rtclab_ice_agent_local_ufrag(n->p[1].agent)) != 0);
	CU_ASSERT_EQUAL(rtclab_ice_agent_selected(n->p[0].agent), SIZE_MAX);
	/* Data still flows on the old pair before the new one is chosen. */
	CU_ASSERT_EQUAL(rtclab_ice_agent_send_data(n->p[0].agent, RTCLAB_SEC(3), "during", 6), RTCLAB_ICE_AGENT_OK);
	run(n, RTCLAB_MS(3100));
	CU_ASSERT_STRING_EQUAL(n->p[1].received, "during");
	resignal(n, RTCLAB_MS(3100));
	run(n, RTCLAB_SEC(8));
	CU_ASSERT(connected(n->p[0].agent) && connected(n->p[1].agent));
	CU_ASSERT_EQUAL(n->p[0].n_selected, 2);
	CU_ASSERT_EQUAL(n->p[1].n_selected, 2);
	CU_ASSERT(n->integrity_bad == 0);
	check_same_pair(n);
	check_data(n, RTCLAB_SEC(8), 1);
	net_free(n);
}

static void test_srflx(void)
{
	struct opts o = {{RTCLAB_ICE_CONTROLLING, RTCLAB_ICE_CONTROLLED}, 13, NULL, true, false, 0, false, {false, false}};
	struct net *n = net_new(&o);
	n->nat_a = true;
	start(n);
	run(n, RTCLAB_SEC(5));
	struct rtclab_ice_agent *a = n->p[0].agent;
	CU_ASSERT(rtclab_ice_agent_gathering_done(a));
	bool found = false;
	for (size_t k = 0; k < rtclab_ice_agent_local_count(a); k++) {
		const struct rtclab_ice_agent_candidate *c = rtclab_ice_agent_local_candidate(a, k);
		struct rtclab_addr pub = mk("203.0.113.1", 6000);
		if (c->type == RTCLAB_CAND_SRFLX && rtclab_addr_equal(&c->addr, &pub)) {
			found = true;
			CU_ASSERT(rtclab_addr_equal(&c->related, &n->p[0].host));
			CU_ASSERT_EQUAL(c->priority, rtclab_ice_priority(100, 65535, 1));
		}
	}
	CHECKF(found, "A has the server-reflexive candidate the STUN server saw");
	CU_ASSERT_FATAL(connected(a) && connected(n->p[1].agent));
	/* B saw A's checks from the NAT's public side: the signalled srflx. */
	CU_ASSERT_EQUAL(sel_remote(n->p[1].agent)->type, RTCLAB_CAND_SRFLX);
	CU_ASSERT_EQUAL(sel_local(a)->type, RTCLAB_CAND_SRFLX); /* the valid pair of the mapped address */
	check_data(n, RTCLAB_SEC(5), 1);
	net_free(n);
}

static void relay_case(enum rtclab_l4 l4)
{
	struct opts o = {{RTCLAB_ICE_CONTROLLING, RTCLAB_ICE_CONTROLLED}, 17, NULL, false, true, l4, false, {false, false}};
	struct net *n = net_new(&o);
	n->block_direct = true;
	start(n);
	run(n, RTCLAB_SEC(10));
	struct rtclab_ice_agent *a = n->p[0].agent;
	CHECKF(n->err_401 >= 1, "the first Allocate was answered 401");
	CU_ASSERT(rtclab_ice_agent_gathering_done(a));
	CU_ASSERT_FATAL(connected(a) && connected(n->p[1].agent));
	CU_ASSERT_EQUAL(sel_local(a)->type, RTCLAB_CAND_RELAY);
	CU_ASSERT_EQUAL(sel_remote(n->p[1].agent)->type, RTCLAB_CAND_RELAY);
	CHECKF(n->perm_ok >= 1, "CreatePermission succeeded");
	CHECKF(n->chanbind_ok >= 1, "ChannelBind succeeded");
	CHECKF(n->stun_bad == 0 && n->integrity_bad == 0, "every message decodes and verifies");
	unsigned before = n->channeldata;
	check_data(n, RTCLAB_SEC(10), 0);
	check_data(n, RTCLAB_MS(10500), 1);
	CHECKF(n->channeldata >= before + 2, "data went as ChannelData both ways");
	/* The allocation is refreshed before its 600 s lifetime ends. */
	run(n, RTCLAB_SEC(700));
	CU_ASSERT(connected(a));
	CU_ASSERT_EQUAL(rtclab_turn_server_allocations(n->turn), 1);
	net_free(n);
}

static void test_relay_udp(void)
{
	relay_case(RTCLAB_L4_UDP);
}

static void test_relay_tcp(void)
{
	relay_case(RTCLAB_L4_TCP);
}

static void test_credentials_and_config(void)
{
	struct rtclab_rng rng;
	rtclab_rng_seed(&rng, 1);
	struct rtclab_addr h = mk("192.168.1.10", 5000);
	struct rtclab_ice_agent_config c;
	memset(&c, 0, sizeof c);
	c.rng = &rng;
	c.hosts = &h;
	c.n_hosts = 1;
	enum rtclab_ice_agent_error err;
	CU_ASSERT_PTR_NULL(rtclab_ice_agent_new(&c, &err)); /* no send function */
	CU_ASSERT_EQUAL(err, RTCLAB_ICE_AGENT_E_INVALID_ARG);
	c.send = net_send;
	struct rtclab_ice_agent *a = rtclab_ice_agent_new(&c, &err);
	CU_ASSERT_FATAL(a != NULL);
	const char *u = rtclab_ice_agent_local_ufrag(a), *p = rtclab_ice_agent_local_pwd(a);
	/* RFC 8445 5.3: at least 24 bits in the ufrag, 128 in the pwd, ice-chars (6 bits each). */
	CU_ASSERT(strlen(u) * 6 >= 24 && strlen(p) * 6 >= 128);
	CU_ASSERT(strspn(u, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") == strlen(u));
	CU_ASSERT(strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") == strlen(p));
	CU_ASSERT_EQUAL(rtclab_ice_agent_add_remote_candidate(a, 0, "candidate:garbage"), RTCLAB_ICE_AGENT_E_BAD_CANDIDATE);
	CU_ASSERT_EQUAL(rtclab_ice_agent_add_remote_candidate(a, 0, "candidate:1 1 tcp 1 192.0.2.1 9 typ host tcptype active"),
			RTCLAB_ICE_AGENT_E_UNSUPPORTED);
	CU_ASSERT_EQUAL(rtclab_ice_agent_get_state(a), RTCLAB_ICE_STATE_NEW);
	rtclab_ice_agent_free(a);
	c.ufrag = "abcd";
	c.pwd = "0123456789012345678901";
	a = rtclab_ice_agent_new(&c, &err);
	CU_ASSERT_FATAL(a != NULL);
	CU_ASSERT_STRING_EQUAL(rtclab_ice_agent_local_ufrag(a), "abcd");
	rtclab_ice_agent_free(a);
	CU_ASSERT_STRING_EQUAL(rtclab_ice_agent_state_name(RTCLAB_ICE_STATE_COMPLETED), "completed");
}

/* A check with the wrong password is answered 401 without integrity; one
 * without USERNAME 400 (RFC 8445 7.3, RFC 8489 9.1.3). */
static struct pkt last_pkt;
static void capture_send(void *arg, rtclab_time_ns now, enum rtclab_l4 l4, const struct rtclab_addr *src,
			 const struct rtclab_addr *dst, const void *data, size_t len)
{
	(void)arg, (void)now;
	last_pkt.l4 = l4;
	last_pkt.src = *src;
	last_pkt.dst = *dst;
	last_pkt.len = len < sizeof last_pkt.data ? len : 0;
	memcpy(last_pkt.data, data, last_pkt.len);
}

static uint16_t answer_code(struct rtclab_ice_agent *a, const char *username, const char *pwd)
{
	uint8_t buf[256], tid[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
	struct rtclab_stun_encoder e;
	rtclab_stun_enc_begin(&e, buf, sizeof buf, RTCLAB_STUN_BINDING, RTCLAB_STUN_REQUEST, tid);
	if (username)
		rtclab_stun_enc_raw(&e, RTCLAB_STUN_ATTR_USERNAME, username, strlen(username));
	struct rtclab_stun_key key;
	rtclab_stun_key_short_term(&key, pwd, RTCLAB_STUN_PREP_OPAQUESTRING);
	rtclab_stun_enc_integrity(&e, &key);
	rtclab_stun_enc_fingerprint(&e);
	size_t n = rtclab_stun_enc_end(&e);
	struct rtclab_addr local = mk("192.168.1.10", 5000), from = mk("192.168.1.20", 5000);
	last_pkt.len = 0;
	rtclab_ice_agent_receive(a, 0, RTCLAB_L4_UDP, &local, &from, buf, n);
	struct rtclab_stun_msg m;
	if (!last_pkt.len || rtclab_stun_decode(&m, last_pkt.data, last_pkt.len) != RTCLAB_STUN_OK)
		return 0;
	const struct rtclab_stun_attr *ec = rtclab_stun_find(&m, RTCLAB_STUN_ATTR_ERROR_CODE);
	CU_ASSERT(memcmp(m.transaction_id, tid, 12) == 0);
	return ec && ec->ok ? ec->v.error.code : 200;
}

static void test_bad_integrity(void)
{
	struct rtclab_rng rng;
	rtclab_rng_seed(&rng, 2);
	struct rtclab_addr h = mk("192.168.1.10", 5000);
	struct rtclab_ice_agent_config c;
	memset(&c, 0, sizeof c);
	c.rng = &rng;
	c.hosts = &h;
	c.n_hosts = 1;
	c.role = RTCLAB_ICE_CONTROLLED;
	c.ufrag = "mine";
	c.pwd = "mypasswordmypassword22";
	c.send = capture_send;
	struct rtclab_ice_agent *a = rtclab_ice_agent_new(&c, NULL);
	CU_ASSERT_FATAL(a != NULL);
	rtclab_ice_agent_gather(a, 0);
	rtclab_ice_agent_set_remote_credentials(a, "them", "theirpasswordtheirpass");
	CU_ASSERT_EQUAL(answer_code(a, "mine:them", "wrongpasswordwrongpass"), 401);
	CU_ASSERT_EQUAL(answer_code(a, "other:them", "mypasswordmypassword22"), 401);
	CU_ASSERT_EQUAL(answer_code(a, NULL, "mypasswordmypassword22"), 400);
	CU_ASSERT_EQUAL(answer_code(a, "mine:them", "mypasswordmypassword22"), 200);
	/* The good one taught a peer-reflexive remote candidate. */
	CU_ASSERT_EQUAL(rtclab_ice_agent_remote_count(a), 1);
	CU_ASSERT_EQUAL(rtclab_ice_agent_remote_candidate(a, 0)->type, RTCLAB_CAND_PRFLX);
	rtclab_ice_agent_free(a);
}

/* --- a peer-reflexive storm, driven by hand ------------------------------------ *
 * Behind address-and-port-dependent mappings with endpoint-independent
 * filtering on both sides, every check arrives from a new port: a new
 * peer-reflexive candidate and a triggered check each time (RFC 8445
 * 7.3.1.3, 7.3.1.4).  Here the test is the peer: it sends the checks from
 * new ports and answers the agent's own checks as it likes. */

#define STORM_MAX 512
static struct {
	rtclab_time_ns at;
	struct rtclab_addr dst;
	uint8_t tid[12];
} storm_sent[STORM_MAX];
static size_t n_storm_sent;

/* Every Binding request the agent sends, retransmissions once. */
static void storm_send(void *arg, rtclab_time_ns now, enum rtclab_l4 l4, const struct rtclab_addr *src,
		       const struct rtclab_addr *dst, const void *data, size_t len)
{
	(void)arg, (void)l4, (void)src;
	struct rtclab_stun_msg m;
	rtclab_stun_decode(&m, data, len);
	if (m.cls != RTCLAB_STUN_REQUEST || m.method != RTCLAB_STUN_BINDING || n_storm_sent == STORM_MAX)
		return;
	for (size_t i = 0; i < n_storm_sent; i++)
		if (memcmp(storm_sent[i].tid, m.transaction_id, 12) == 0)
			return;
	storm_sent[n_storm_sent].at = now;
	storm_sent[n_storm_sent].dst = *dst;
	memcpy(storm_sent[n_storm_sent].tid, m.transaction_id, 12);
	n_storm_sent++;
}

static const char storm_pwd[] = "mypasswordmypassword22", peer_pwd[] = "theirpasswordtheirpass";
static const struct rtclab_addr *storm_host(void)
{
	static struct rtclab_addr h;
	h = mk("192.168.1.10", 5000);
	return &h;
}

/* A controlled agent on 192.168.1.10:5000 that knows the peer's credentials. */
static struct rtclab_ice_agent *storm_agent(struct rtclab_rng *rng)
{
	rtclab_rng_seed(rng, 7);
	struct rtclab_ice_agent_config c;
	memset(&c, 0, sizeof c);
	c.rng = rng;
	c.hosts = storm_host();
	c.n_hosts = 1;
	c.role = RTCLAB_ICE_CONTROLLED;
	c.ufrag = "mine";
	c.pwd = storm_pwd;
	c.send = storm_send;
	struct rtclab_ice_agent *a = rtclab_ice_agent_new(&c, NULL);
	CU_ASSERT_FATAL(a != NULL);
	rtclab_ice_agent_gather(a, 0);
	CU_ASSERT_EQUAL(rtclab_ice_agent_set_remote_credentials(a, "them", peer_pwd), RTCLAB_ICE_AGENT_OK);
	n_storm_sent = 0;
	return a;
}

static size_t storm_seal(struct rtclab_stun_encoder *e, const char *pwd)
{
	struct rtclab_stun_key key;
	rtclab_stun_key_short_term(&key, pwd, RTCLAB_STUN_PREP_OPAQUESTRING);
	rtclab_stun_enc_integrity(e, &key);
	rtclab_stun_enc_fingerprint(e);
	return rtclab_stun_enc_end(e);
}

/* The peer's check (controlling, USERNAME mine:them) from `from`. */
static void storm_check(struct rtclab_ice_agent *a, rtclab_time_ns now, const struct rtclab_addr *from, uint32_t n)
{
	uint8_t buf[256], tid[12] = {0xC4, 0xEC, 0, 0, 0, 0, 0, 0, (uint8_t)(n >> 24), (uint8_t)(n >> 16),
				      (uint8_t)(n >> 8), (uint8_t)n};
	struct rtclab_stun_encoder e;
	rtclab_stun_enc_begin(&e, buf, sizeof buf, RTCLAB_STUN_BINDING, RTCLAB_STUN_REQUEST, tid);
	rtclab_stun_enc_raw(&e, RTCLAB_STUN_ATTR_USERNAME, "mine:them", 9);
	struct rtclab_stun_attr at;
	memset(&at, 0, sizeof at);
	at.type = RTCLAB_STUN_ATTR_PRIORITY;
	at.v.u32 = 1853824767;
	rtclab_stun_enc_attr(&e, &at);
	at.type = RTCLAB_STUN_ATTR_ICE_CONTROLLING;
	at.v.u64 = 42;
	rtclab_stun_enc_attr(&e, &at);
	size_t len = storm_seal(&e, storm_pwd);
	CU_ASSERT_FATAL(len > 0);
	CU_ASSERT(rtclab_ice_agent_receive(a, now, RTCLAB_L4_UDP, storm_host(), from, buf, len));
}

/* The peer's success response to the agent's request k, from `from`. */
static void storm_answer(struct rtclab_ice_agent *a, rtclab_time_ns now, size_t k, const struct rtclab_addr *from)
{
	uint8_t buf[256];
	struct rtclab_stun_encoder e;
	rtclab_stun_enc_begin(&e, buf, sizeof buf, RTCLAB_STUN_BINDING, RTCLAB_STUN_SUCCESS, storm_sent[k].tid);
	struct rtclab_stun_attr at;
	memset(&at, 0, sizeof at);
	at.type = RTCLAB_STUN_ATTR_XOR_MAPPED_ADDRESS;
	at.v.addr = *storm_host();
	rtclab_stun_enc_attr(&e, &at);
	size_t len = storm_seal(&e, peer_pwd);
	CU_ASSERT_FATAL(len > 0);
	CU_ASSERT(rtclab_ice_agent_receive(a, now, RTCLAB_L4_UDP, storm_host(), from, buf, len));
}

static void storm_run(struct rtclab_ice_agent *a, rtclab_time_ns until)
{
	for (rtclab_time_ns t = rtclab_ice_agent_next_timer(a); t <= until; t = rtclab_ice_agent_next_timer(a))
		rtclab_ice_agent_timeout(a, t);
}

/* The last request the agent sent to dst, or SIZE_MAX. */
static size_t storm_last_to(const struct rtclab_addr *dst)
{
	size_t k = SIZE_MAX;
	for (size_t i = 0; i < n_storm_sent; i++)
		if (rtclab_addr_equal(&storm_sent[i].dst, dst))
			k = i;
	return k;
}

static size_t storm_pair_to(const struct rtclab_ice_agent *a, const struct rtclab_addr *dst)
{
	for (size_t i = 0; i < rtclab_ice_agent_pair_count(a); i++) {
		const struct rtclab_ice_agent_pair *p = rtclab_ice_agent_pair(a, i);
		if (rtclab_addr_equal(&rtclab_ice_agent_remote_candidate(a, p->remote)->addr, dst))
			return i;
	}
	return SIZE_MAX;
}

/* A check arrives from a new port every Ta, each answered by a triggered
 * check: the triggered-check queue never empties.  A candidate signalled
 * meanwhile is still checked at once: the queue does not take every Ta
 * slot from the ordinary checks (RFC 8445 6.1.4.2). */
static void test_storm_ordinary_checks(void)
{
	struct rtclab_rng rng;
	struct rtclab_ice_agent *a = storm_agent(&rng);
	const rtclab_time_ns ta = 50 * 1000000LL, signalled_at = 6 * ta;
	struct rtclab_addr host_b = mk("198.51.100.9", 9);
	for (uint32_t k = 0; k < 20; k++) {
		rtclab_time_ns now = (rtclab_time_ns)k * ta;
		if (now == signalled_at)
			CU_ASSERT_EQUAL(rtclab_ice_agent_add_remote_candidate(
						a, now, "candidate:1 1 udp 2130706431 198.51.100.9 9 typ host"),
					RTCLAB_ICE_AGENT_OK);
		struct rtclab_addr from = mk("198.51.100.2", (uint16_t)(40000 + k));
		storm_check(a, now, &from, k);
		storm_run(a, now);
	}
	size_t k = storm_last_to(&host_b);
	CHECKF(k != SIZE_MAX && storm_sent[k].at <= signalled_at + 2 * ta,
	       "the signalled candidate was checked at %lld ns, signalled at %lld ns",
	       k != SIZE_MAX ? (long long)storm_sent[k].at : -1LL, (long long)signalled_at);
	/* The triggered checks still have most of the slots. */
	size_t triggered = 0;
	for (uint32_t j = 0; j < 20; j++) {
		struct rtclab_addr from = mk("198.51.100.2", (uint16_t)(40000 + j));
		triggered += storm_last_to(&from) != SIZE_MAX;
	}
	CHECKF(triggered >= 15, "%zu of 20 peer-reflexive candidates checked", triggered);
	rtclab_ice_agent_free(a);
}

/* With the remote table full, a new peer-reflexive address takes the slot
 * of one whose pairs all failed.  A check sent to the old address is then
 * forgotten: its late answer, from the new address, does not make the pair
 * valid (RFC 8445 7.2.5.2.1); a check to the new address does. */
static void test_storm_reused_slot(void)
{
	struct rtclab_rng rng;
	struct rtclab_ice_agent *a = storm_agent(&rng);
	const rtclab_time_ns ms = 1000000LL;
	struct rtclab_addr old = mk("198.51.100.2", 30000), other = mk("198.51.100.2", 39999);
	storm_check(a, 0, &old, 0);
	storm_run(a, 0);
	size_t first = storm_last_to(&old);
	CU_ASSERT_FATAL(first != SIZE_MAX);
	/* The peer checks again before the answer: a new transaction on the
	 * pair, the first one cancelled (RFC 8445 7.3.1.4). */
	storm_check(a, 10 * ms, &old, 1);
	storm_run(a, 60 * ms);
	size_t second = storm_last_to(&old);
	CU_ASSERT_FATAL(second != SIZE_MAX && second != first);
	/* The first is answered from another port: not symmetric, Failed. */
	storm_answer(a, 70 * ms, first, &other);
	size_t p = storm_pair_to(a, &old);
	CU_ASSERT_FATAL(p != SIZE_MAX);
	CU_ASSERT_EQUAL(rtclab_ice_agent_pair(a, p)->state, RTCLAB_PAIR_FAILED);
	/* The table fills with addresses whose pairs wait for their checks. */
	for (uint32_t k = 1; k < RTCLAB_ICE_AGENT_MAX_REMOTE; k++) {
		struct rtclab_addr from = mk("198.51.100.2", (uint16_t)(30000 + k));
		storm_check(a, 80 * ms, &from, 100 + k);
	}
	CU_ASSERT_EQUAL(rtclab_ice_agent_remote_count(a), RTCLAB_ICE_AGENT_MAX_REMOTE);
	struct rtclab_addr fresh = mk("198.51.100.2", 31000);
	storm_check(a, 90 * ms, &fresh, 200);
	CU_ASSERT_EQUAL(rtclab_ice_agent_remote_count(a), RTCLAB_ICE_AGENT_MAX_REMOTE);
	CU_ASSERT(rtclab_addr_equal(&rtclab_ice_agent_remote_candidate(a, 0)->addr, &fresh));
	CU_ASSERT_EQUAL(storm_pair_to(a, &fresh), p);
	/* The second check's late answer comes from the new address. */
	storm_answer(a, 95 * ms, second, &fresh);
	CU_ASSERT(!rtclab_ice_agent_pair(a, p)->valid);
	CU_ASSERT_NOT_EQUAL(rtclab_ice_agent_pair(a, p)->state, RTCLAB_PAIR_SUCCEEDED);
	CU_ASSERT_EQUAL(rtclab_ice_agent_pair(a, p)->responses_received, 0);
	/* The triggered check to the new address, answered from it, succeeds. */
	storm_run(a, 5000 * ms);
	size_t third = storm_last_to(&fresh);
	CU_ASSERT_FATAL(third != SIZE_MAX);
	storm_answer(a, 5001 * ms, third, &fresh);
	CU_ASSERT(rtclab_ice_agent_pair(a, p)->valid);
	rtclab_ice_agent_free(a);
}

/* --- ICE lite (RFC 8445 2.5) ---------------------------------------------------- */

/* Credentials, then what each learns of the other's implementation (the
 * a=ice-lite of its description, RFC 8839 5.3) when `tell`, then gathering. */
static void start_lite(struct net *n, const struct opts *o, bool tell)
{
	exchange_credentials(n);
	if (tell)
		for (size_t i = 0; i < 2; i++)
			CU_ASSERT_EQUAL(rtclab_ice_agent_set_remote_lite(n->p[i].agent, 0, o->lite[1 - i]),
					RTCLAB_ICE_AGENT_OK);
	rtclab_ice_agent_gather(n->p[0].agent, 0);
	rtclab_ice_agent_gather(n->p[1].agent, 0);
}

/* A full agent and a lite one: the full one controls (6.1.1) and sends
 * every check; the lite one sends no request at all, answers, and selects
 * the pair of the check with USE-CANDIDATE (7.3.2, 8.2).  Consent is the
 * full agent's; the lite one notices when its checks stop (RFC 7675). */
static void test_lite_full_connects(void)
{
	/* B is told to control: a lite agent is controlled by a full peer whatever it is told */
	struct opts o = {{RTCLAB_ICE_CONTROLLING, RTCLAB_ICE_CONTROLLING}, 21, NULL, false, false, 0, false, {false, true}};
	struct net *n = net_new(&o);
	CU_ASSERT_EQUAL(rtclab_ice_agent_role(n->p[1].agent), RTCLAB_ICE_CONTROLLED);
	start_lite(n, &o, true);
	run(n, RTCLAB_SEC(5));
	struct rtclab_ice_agent *a = n->p[0].agent, *b = n->p[1].agent;
	CU_ASSERT_FATAL(connected(a) && connected(b));
	check_same_pair(n);
	CU_ASSERT_EQUAL(rtclab_ice_agent_role(a), RTCLAB_ICE_CONTROLLING);
	CU_ASSERT_EQUAL(rtclab_ice_agent_role(b), RTCLAB_ICE_CONTROLLED);
	CU_ASSERT_EQUAL(rtclab_ice_agent_get_state(b), RTCLAB_ICE_STATE_COMPLETED);
	CHECKF(n->requests[1] == 0, "the lite agent sent %u requests", n->requests[1]);
	CHECKF(n->requests[0] >= 2, "the full agent sent %u checks", n->requests[0]);
	const struct rtclab_ice_agent_pair *pb = rtclab_ice_agent_pair(b, rtclab_ice_agent_selected(b));
	CU_ASSERT(pb->nominated && pb->valid && pb->requests_received >= 2 && pb->requests_sent == 0);
	CU_ASSERT_EQUAL(rtclab_ice_agent_pair_count(b), 1); /* only the pair the peer checked */
	CHECKF(n->stun_bad == 0 && n->integrity_bad == 0 && n->err_487 == 0, "every message decodes and verifies");
	check_data(n, RTCLAB_SEC(5), 0);
	check_data(n, RTCLAB_MS(5500), 1);
	/* consent: the full agent's checks, answered; the lite one stays up on them */
	run(n, RTCLAB_SEC(40));
	const struct rtclab_ice_agent_pair *pa = rtclab_ice_agent_pair(a, rtclab_ice_agent_selected(a));
	CHECKF(pa->responses_received >= 6, "consent checks answered: %u responses", pa->responses_received);
	CU_ASSERT(connected(b) && n->p[1].failed_at < 0 && n->p[1].disconnected_at < 0);
	CU_ASSERT_EQUAL(n->requests[1], 0);
	/* the full agent goes silent: the lite one gives up 30 s after its last check */
	n->drop_all = true;
	run(n, RTCLAB_SEC(100));
	rtclab_time_ns d = n->p[1].failed_at - RTCLAB_SEC(40);
	CU_ASSERT_EQUAL(rtclab_ice_agent_get_state(b), RTCLAB_ICE_STATE_FAILED);
	CHECKF(d >= RTCLAB_SEC(23) && d <= RTCLAB_SEC(31), "the lite agent gave up %lld ms after the cut",
	       (long long)(d / 1000000));
	CU_ASSERT_EQUAL(n->requests[1], 0);
	net_free(n);
}

/* The full agent configured controlled takes the controlling role: at
 * once when told the peer is lite (6.1.1), else when the lite agent
 * answers its ICE-CONTROLLED check with 487 (a lite agent cannot control). */
static void test_lite_full_role(void)
{
	for (int tell = 1; tell >= 0; tell--) {
		struct opts o = {{RTCLAB_ICE_CONTROLLED, RTCLAB_ICE_CONTROLLED}, 22, NULL, false, false, 0, false,
				 {false, true}};
		struct net *n = net_new(&o);
		start_lite(n, &o, tell);
		CU_ASSERT_EQUAL(rtclab_ice_agent_role(n->p[0].agent),
				tell ? RTCLAB_ICE_CONTROLLING : RTCLAB_ICE_CONTROLLED);
		run(n, RTCLAB_SEC(5));
		CU_ASSERT_EQUAL(rtclab_ice_agent_role(n->p[0].agent), RTCLAB_ICE_CONTROLLING);
		CU_ASSERT_EQUAL(rtclab_ice_agent_role(n->p[1].agent), RTCLAB_ICE_CONTROLLED);
		CHECKF(tell ? n->err_487 == 0 : n->err_487 >= 1, "told %d: %u 487 answers", tell, n->err_487);
		CU_ASSERT(connected(n->p[0].agent) && connected(n->p[1].agent));
		CU_ASSERT_EQUAL(n->requests[1], 0);
		check_same_pair(n);
		net_free(n);
	}
}

/* A lite agent with STUN and TURN servers configured gathers its host
 * candidates only and never talks to the servers (RFC 8445 5.2). */
static void test_lite_host_only(void)
{
	struct opts o = {{RTCLAB_ICE_CONTROLLING, RTCLAB_ICE_CONTROLLED}, 23, NULL, true, true, 0, false, {false, true}};
	struct net *n = net_new(&o);
	start_lite(n, &o, true);
	struct rtclab_ice_agent *b = n->p[1].agent;
	CU_ASSERT(rtclab_ice_agent_gathering_done(b)); /* at once: nothing to wait for */
	run(n, RTCLAB_SEC(10));
	CU_ASSERT_EQUAL(rtclab_ice_agent_local_count(b), 1);
	for (size_t k = 0; k < rtclab_ice_agent_local_count(b); k++)
		CU_ASSERT_EQUAL(rtclab_ice_agent_local_candidate(b, k)->type, RTCLAB_CAND_HOST);
	CU_ASSERT_EQUAL(n->requests[1], 0);
	CU_ASSERT_EQUAL(rtclab_turn_server_allocations(n->turn), 1); /* A's, not B's */
	CU_ASSERT(connected(n->p[0].agent) && connected(b));
	CU_ASSERT_EQUAL(sel_local(b)->type, RTCLAB_CAND_HOST);
	net_free(n);
	/* relay_only asks for what a lite agent never gathers */
	struct rtclab_rng rng;
	rtclab_rng_seed(&rng, 1);
	struct rtclab_addr h = mk("192.0.2.20", 5000);
	struct rtclab_ice_agent_config c;
	memset(&c, 0, sizeof c);
	c.rng = &rng;
	c.hosts = &h;
	c.n_hosts = 1;
	c.send = net_send;
	c.lite = c.relay_only = true;
	enum rtclab_ice_agent_error err;
	CU_ASSERT_PTR_NULL(rtclab_ice_agent_new(&c, &err));
	CU_ASSERT_EQUAL(err, RTCLAB_ICE_AGENT_E_INVALID_ARG);
}

/* Two lite agents (RFC 8445 8.2): no check at all; each pairs the host
 * candidates of the same family and uses the pair; the offerer controls. */
static void test_lite_both(void)
{
	struct opts o = {{RTCLAB_ICE_CONTROLLING, RTCLAB_ICE_CONTROLLED}, 24, NULL, false, false, 0, false, {true, true}};
	struct net *n = net_new(&o);
	start_lite(n, &o, true);
	run(n, RTCLAB_SEC(5));
	CU_ASSERT(connected(n->p[0].agent) && connected(n->p[1].agent));
	check_same_pair(n);
	CU_ASSERT_EQUAL(rtclab_ice_agent_role(n->p[0].agent), RTCLAB_ICE_CONTROLLING);
	CU_ASSERT_EQUAL(rtclab_ice_agent_role(n->p[1].agent), RTCLAB_ICE_CONTROLLED);
	CHECKF(n->stun_msgs == 0, "%u STUN messages between two lite agents", n->stun_msgs);
	check_data(n, RTCLAB_SEC(5), 0);
	check_data(n, RTCLAB_MS(5500), 1);
	run(n, RTCLAB_SEC(60)); /* nobody checks consent, and nothing expires */
	CU_ASSERT(connected(n->p[0].agent) && connected(n->p[1].agent));
	net_free(n);
}

/* An ICE restart with a lite peer: the full agent checks again with the
 * new credentials and nominates, the lite agent selects anew; data stays
 * on the old pair meanwhile (RFC 8445 9). */
static void test_lite_restart(void)
{
	struct opts o = {{RTCLAB_ICE_CONTROLLING, RTCLAB_ICE_CONTROLLED}, 25, NULL, false, false, 0, false, {false, true}};
	struct net *n = net_new(&o);
	start_lite(n, &o, true);
	run(n, RTCLAB_SEC(3));
	CU_ASSERT_FATAL(connected(n->p[0].agent) && connected(n->p[1].agent));
	n->forward = false;
	rtclab_ice_agent_restart(n->p[0].agent, RTCLAB_SEC(3));
	rtclab_ice_agent_restart(n->p[1].agent, RTCLAB_SEC(3));
	CU_ASSERT_EQUAL(rtclab_ice_agent_send_data(n->p[1].agent, RTCLAB_SEC(3), "during", 6), RTCLAB_ICE_AGENT_OK);
	run(n, RTCLAB_MS(3100));
	CU_ASSERT_STRING_EQUAL(n->p[0].received, "during");
	resignal(n, RTCLAB_MS(3100));
	run(n, RTCLAB_SEC(8));
	CU_ASSERT(connected(n->p[0].agent) && connected(n->p[1].agent));
	CU_ASSERT_EQUAL(n->p[0].n_selected, 2);
	CU_ASSERT_EQUAL(n->p[1].n_selected, 2);
	CU_ASSERT_EQUAL(n->requests[1], 0);
	CU_ASSERT(n->integrity_bad == 0);
	check_same_pair(n);
	check_data(n, RTCLAB_SEC(8), 1);
	net_free(n);
}

/* A lite agent driven by hand: what it answers, and when it selects. */
static unsigned lite_requests, lite_responses;
static struct pkt lite_last;
static void lite_send(void *arg, rtclab_time_ns now, enum rtclab_l4 l4, const struct rtclab_addr *src,
		      const struct rtclab_addr *dst, const void *data, size_t len)
{
	(void)arg, (void)now, (void)l4, (void)src, (void)dst;
	struct rtclab_stun_msg m;
	if (rtclab_stun_decode(&m, data, len) != RTCLAB_STUN_OK)
		return;
	lite_requests += m.cls == RTCLAB_STUN_REQUEST;
	lite_responses += m.cls == RTCLAB_STUN_SUCCESS || m.cls == RTCLAB_STUN_ERROR;
	lite_last.len = len < sizeof lite_last.data ? len : 0;
	memcpy(lite_last.data, data, lite_last.len);
}

/* The peer's check to the lite agent (USERNAME mine:them), with
 * USE-CANDIDATE or not, saying it is controlling or controlled. */
static uint16_t lite_check(struct rtclab_ice_agent *a, rtclab_time_ns now, const struct rtclab_addr *from,
			   bool use_candidate, bool controlling, uint8_t n)
{
	uint8_t buf[256], tid[12] = {0x11, 0x7E, 0, 0, 0, 0, 0, 0, 0, 0, 0, n};
	struct rtclab_stun_encoder e;
	rtclab_stun_enc_begin(&e, buf, sizeof buf, RTCLAB_STUN_BINDING, RTCLAB_STUN_REQUEST, tid);
	rtclab_stun_enc_raw(&e, RTCLAB_STUN_ATTR_USERNAME, "mine:them", 9);
	struct rtclab_stun_attr at;
	memset(&at, 0, sizeof at);
	at.type = RTCLAB_STUN_ATTR_PRIORITY;
	at.v.u32 = 1853824767;
	rtclab_stun_enc_attr(&e, &at);
	at.type = controlling ? RTCLAB_STUN_ATTR_ICE_CONTROLLING : RTCLAB_STUN_ATTR_ICE_CONTROLLED;
	at.v.u64 = 1; /* the smallest tie-breaker: a full agent would switch, a lite one cannot */
	rtclab_stun_enc_attr(&e, &at);
	if (use_candidate)
		rtclab_stun_enc_raw(&e, RTCLAB_STUN_ATTR_USE_CANDIDATE, NULL, 0);
	size_t len = storm_seal(&e, storm_pwd);
	CU_ASSERT_FATAL(len > 0);
	lite_last.len = 0;
	CU_ASSERT(rtclab_ice_agent_receive(a, now, RTCLAB_L4_UDP, storm_host(), from, buf, len));
	struct rtclab_stun_msg m;
	if (!lite_last.len || rtclab_stun_decode(&m, lite_last.data, lite_last.len) != RTCLAB_STUN_OK)
		return 0;
	const struct rtclab_stun_attr *ec = rtclab_stun_find(&m, RTCLAB_STUN_ATTR_ERROR_CODE);
	struct rtclab_stun_credentials cr = {storm_pwd, NULL, NULL, false};
	struct rtclab_stun_verdict v;
	rtclab_stun_verify(&m, &cr, &v);
	CU_ASSERT(v.integrity == RTCLAB_STUN_CHECK_OK && v.fingerprint == RTCLAB_STUN_CHECK_OK);
	return ec && ec->ok ? ec->v.error.code : 200;
}

static void test_lite_selects_on_use_candidate(void)
{
	struct rtclab_rng rng;
	rtclab_rng_seed(&rng, 3);
	struct rtclab_ice_agent_config c;
	memset(&c, 0, sizeof c);
	c.rng = &rng;
	c.hosts = storm_host();
	c.n_hosts = 1;
	c.role = RTCLAB_ICE_CONTROLLING; /* ignored: a lite agent with a full peer is controlled */
	c.ufrag = "mine";
	c.pwd = storm_pwd;
	c.send = lite_send;
	c.lite = true;
	lite_requests = lite_responses = 0;
	struct rtclab_ice_agent *a = rtclab_ice_agent_new(&c, NULL);
	CU_ASSERT_FATAL(a != NULL);
	rtclab_ice_agent_gather(a, 0);
	CU_ASSERT_EQUAL(rtclab_ice_agent_set_remote_credentials(a, "them", peer_pwd), RTCLAB_ICE_AGENT_OK);
	CU_ASSERT_EQUAL(rtclab_ice_agent_set_remote_lite(a, 0, false), RTCLAB_ICE_AGENT_OK);
	CU_ASSERT_EQUAL(rtclab_ice_agent_role(a), RTCLAB_ICE_CONTROLLED);
	/* signalled candidates make no check list */
	CU_ASSERT_EQUAL(rtclab_ice_agent_add_remote_candidate(a, 0, "candidate:1 1 udp 2130706431 198.51.100.9 9 typ host"),
			RTCLAB_ICE_AGENT_OK);
	rtclab_ice_agent_remote_gathering_done(a, 0);
	CU_ASSERT_EQUAL(rtclab_ice_agent_pair_count(a), 0);
	CU_ASSERT_EQUAL(rtclab_ice_agent_get_state(a), RTCLAB_ICE_STATE_CHECKING); /* waiting, not failed */
	struct rtclab_addr from = mk("203.0.113.5", 40000);
	/* a check without USE-CANDIDATE: answered, remembered, not selected */
	CU_ASSERT_EQUAL(lite_check(a, RTCLAB_MS(100), &from, false, true, 1), 200);
	CU_ASSERT_EQUAL(rtclab_ice_agent_pair_count(a), 1);
	CU_ASSERT_EQUAL(rtclab_ice_agent_selected(a), SIZE_MAX);
	CU_ASSERT(!rtclab_ice_agent_pair(a, 0)->valid);
	/* a peer that says it is controlled too: 487, whatever the tie-breakers */
	CU_ASSERT_EQUAL(lite_check(a, RTCLAB_MS(150), &from, false, false, 2), 487);
	CU_ASSERT_EQUAL(rtclab_ice_agent_role(a), RTCLAB_ICE_CONTROLLED);
	/* USE-CANDIDATE: answered with success, so nominated and selected (7.3.2, 8.2) */
	CU_ASSERT_EQUAL(lite_check(a, RTCLAB_MS(200), &from, true, true, 3), 200);
	size_t sel = rtclab_ice_agent_selected(a);
	CU_ASSERT_FATAL(sel != SIZE_MAX);
	const struct rtclab_ice_agent_pair *p = rtclab_ice_agent_pair(a, sel);
	CU_ASSERT(p->nominated && p->valid && p->state == RTCLAB_PAIR_SUCCEEDED);
	CU_ASSERT(rtclab_addr_equal(&rtclab_ice_agent_remote_candidate(a, p->remote)->addr, &from));
	CU_ASSERT_EQUAL(rtclab_ice_agent_get_state(a), RTCLAB_ICE_STATE_COMPLETED);
	/* time passes, checks keep coming: never a request of its own */
	for (int k = 0; k < 10; k++) {
		rtclab_time_ns t = RTCLAB_SEC(5) * (k + 1);
		for (rtclab_time_ns w = rtclab_ice_agent_next_timer(a); w <= t; w = rtclab_ice_agent_next_timer(a))
			rtclab_ice_agent_timeout(a, w);
		CU_ASSERT_EQUAL(lite_check(a, t, &from, false, true, (uint8_t)(10 + k)), 200);
	}
	CU_ASSERT_EQUAL(rtclab_ice_agent_get_state(a), RTCLAB_ICE_STATE_COMPLETED);
	CU_ASSERT_EQUAL(lite_requests, 0);
	CU_ASSERT_EQUAL(lite_responses, 13);
	CU_ASSERT_EQUAL(rtclab_ice_agent_send_data(a, RTCLAB_SEC(60), "x", 1), RTCLAB_ICE_AGENT_OK);
	rtclab_ice_agent_free(a);
}

RTCLAB_SUITE(ice_agent)
{
	static const struct unit_test tests[] = {
		{"credentials and configuration", test_credentials_and_config},
		{"bad integrity: 401, no USERNAME: 400", test_bad_integrity},
		{"two hosts on one LAN connect", test_lan},
		{"20% loss: connects, same seed same transcript", test_loss},
		{"role conflict resolved by tie-breaker", test_role_conflict},
		{"trickle: candidates after checks started", test_trickle},
		{"no reachable pair: failed after end-of-candidates", test_no_pair},
		{"consent lost 30 s after traffic stops", test_consent},
		{"ICE restart: new ufrags, new selection", test_restart},
		{"srflx through the STUN server", test_srflx},
		{"relay through the TURN server over UDP", test_relay_udp},
		{"relay through the TURN server over TCP", test_relay_tcp},
		{"ice-lite: a full and a lite agent connect, the lite one never asks", test_lite_full_connects},
		{"ice-lite: the full agent controls (RFC 8445 6.1.1)", test_lite_full_role},
		{"ice-lite: host candidates only, servers unused", test_lite_host_only},
		{"ice-lite: two lite agents pair without checks", test_lite_both},
		{"ice-lite: ICE restart with a lite peer", test_lite_restart},
		{"ice-lite: selected on USE-CANDIDATE, 487 to a controlled peer", test_lite_selects_on_use_candidate},
		{"prflx storm: ordinary checks still run", test_storm_ordinary_checks},
		{"prflx storm: a reused remote slot forgets old checks", test_storm_reused_slot},
		{NULL, NULL},
	};
	unit_add_suite("ice_agent", tests);
}
