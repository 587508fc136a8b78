/* The simulator's network core (lib/simnet.c, lib/simnet_queue.c): the
 * event order, routing through NATs (nested, hairpinned, untranslated
 * IPv6), what each wire's tap sees, link latency, jitter and loss, the
 * firewall modes on the path, NAT timers as events, and determinism. */
#include <stdio.h>
#include <string.h>

#include "rtclab/simnet.h"
#include "unit.h"

static struct rtclab_addr A(const char *ip, uint16_t port)
{
	struct rtclab_addr a;
	if (!rtclab_addr_ip_parse(&a, ip))
		CU_FAIL_FATAL("bad test address");
	a.port = port;
	return a;
}

static bool is(const struct rtclab_addr *a, const char *ip, uint16_t port)
{
	struct rtclab_addr b = A(ip, port);
	return rtclab_addr_equal(a, &b);
}

/* What a host received. */
#define MAXR 512
struct inbox {
	size_t n;
	rtclab_time_ns at[MAXR];
	enum rtclab_l4 l4[MAXR];
	struct rtclab_addr local[MAXR], src[MAXR];
	char data[MAXR][16];
};

static void receive(void *arg, rtclab_time_ns now, enum rtclab_l4 l4, const struct rtclab_addr *local,
		    const struct rtclab_addr *src, const void *data, size_t len)
{
	struct inbox *in = arg;
	if (in->n == MAXR)
		return;
	in->at[in->n] = now;
	in->l4[in->n] = l4;
	in->local[in->n] = *local;
	in->src[in->n] = *src;
	size_t n = len < 15 ? len : 15;
	memcpy(in->data[in->n], data, n);
	in->data[in->n][n] = '\0';
	in->n++;
}

/* What the observer saw. */
#define MAXT 256
struct seen {
	size_t n_taps, n_decisions, n_drops;
	struct rtclab_simnet_tap taps[MAXT];
	struct rtclab_nat_decision decisions[MAXT];
	unsigned decision_nat[MAXT];
	struct rtclab_simnet_drop drops[MAXT];
	uint64_t hash; /* FNV-1a over every tap */
};

static void hash_bytes(uint64_t *h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		*h = (*h ^ b[i]) * 1099511628211ull;
}

static void on_tap(void *arg, const struct rtclab_simnet_tap *t)
{
	struct seen *s = arg;
	hash_bytes(&s->hash, &t->realm, sizeof t->realm);
	hash_bytes(&s->hash, &t->time, sizeof t->time);
	hash_bytes(&s->hash, &t->packet, sizeof t->packet);
	hash_bytes(&s->hash, &t->src, sizeof t->src);
	hash_bytes(&s->hash, &t->dst, sizeof t->dst);
	hash_bytes(&s->hash, t->data, t->len);
	if (s->n_taps < MAXT)
		s->taps[s->n_taps++] = *t;
}

static void on_decision(void *arg, unsigned nat, const char *name, const struct rtclab_nat_decision *d)
{
	struct seen *s = arg;
	(void)name;
	if (s->n_decisions < MAXT) {
		s->decision_nat[s->n_decisions] = nat;
		s->decisions[s->n_decisions++] = *d;
	}
}

static void on_drop(void *arg, const struct rtclab_simnet_drop *d)
{
	struct seen *s = arg;
	if (s->n_drops < MAXT)
		s->drops[s->n_drops++] = *d;
}

static struct rtclab_simnet *make_net(uint64_t seed, struct seen *seen)
{
	struct rtclab_simnet *net = NULL;
	CU_ASSERT_EQUAL_FATAL(rtclab_simnet_new(&net, seed), RTCLAB_SIMNET_OK);
	memset(seen, 0, sizeof *seen);
	seen->hash = 1469598103934665603ull;
	struct rtclab_simnet_observer obs = {on_tap, on_decision, on_drop, seen};
	rtclab_simnet_set_observer(net, &obs);
	return net;
}

static unsigned add_host(struct rtclab_simnet *net, const char *name, unsigned realm, const char *ip,
			 struct inbox *in)
{
	unsigned id;
	CU_ASSERT_EQUAL_FATAL(rtclab_simnet_host_add(net, name, receive, in, &id), RTCLAB_SIMNET_OK);
	struct rtclab_addr a = A(ip, 0);
	CU_ASSERT_EQUAL_FATAL(rtclab_simnet_host_addr_add(net, id, realm, &a), RTCLAB_SIMNET_OK);
	return id;
}

/* A private realm behind a NAT of preset name with one external address in outer. */
static unsigned add_lan(struct rtclab_simnet *net, const char *lan, unsigned outer, const char *preset,
			const char *ext, unsigned *nat)
{
	unsigned realm;
	CU_ASSERT_EQUAL_FATAL(rtclab_simnet_realm_add(net, lan, &realm), RTCLAB_SIMNET_OK);
	struct rtclab_nat_config cfg;
	CU_ASSERT_EQUAL_FATAL(rtclab_nat_config_from_name(preset, &cfg), RTCLAB_NAT_OK);
	struct rtclab_addr e = A(ext, 0);
	unsigned id;
	CU_ASSERT_EQUAL_FATAL(rtclab_simnet_nat_add(net, lan, outer, realm, &cfg, &e, 1, &id, NULL), RTCLAB_SIMNET_OK);
	if (nat)
		*nat = id;
	return realm;
}

static void send_udp(struct rtclab_simnet *net, unsigned host, struct rtclab_addr src, struct rtclab_addr dst,
		     const char *text)
{
	CU_ASSERT_EQUAL(rtclab_simnet_send(net, host, RTCLAB_L4_UDP, false, &src, &dst, text, strlen(text)),
			RTCLAB_SIMNET_OK);
}

static struct rtclab_simnet_link L(double ms, double jitter_ms, double loss)
{
	struct rtclab_simnet_link l = {(rtclab_time_ns)(ms * 1e6), (rtclab_time_ns)(jitter_ms * 1e6), loss};
	return l;
}

/* --- the clock and the queue ----------------------------------------------------------- */

struct order {
	int seen[16];
	int n;
	struct rtclab_simnet *net;
};

struct tick {
	struct order *o;
	int tag;
};

static void on_timer(void *arg, rtclab_time_ns now)
{
	struct tick *t = arg;
	(void)now;
	t->o->seen[t->o->n++] = t->tag;
}

static void test_timers(void)
{
	struct seen seen;
	struct rtclab_simnet *net = make_net(1, &seen);
	struct order o = {{0}, 0, net};
	struct tick t[6] = {{&o, 0}, {&o, 1}, {&o, 2}, {&o, 3}, {&o, 4}, {&o, 5}};
	CU_ASSERT(rtclab_simnet_timer(net, RTCLAB_MS(20), on_timer, &t[0]) != 0);
	CU_ASSERT(rtclab_simnet_timer(net, RTCLAB_MS(10), on_timer, &t[1]) != 0);
	CU_ASSERT(rtclab_simnet_timer(net, RTCLAB_MS(10), on_timer, &t[2]) != 0); /* tie: after 1 */
	uint64_t cancel = rtclab_simnet_timer(net, RTCLAB_MS(15), on_timer, &t[3]);
	CU_ASSERT(rtclab_simnet_timer(net, RTCLAB_MS(10), on_timer, &t[4]) != 0);
	CU_ASSERT(rtclab_simnet_timer(net, RTCLAB_MS(30), on_timer, &t[5]) != 0);
	CU_ASSERT(rtclab_simnet_timer_cancel(net, cancel));
	CU_ASSERT(!rtclab_simnet_timer_cancel(net, cancel));
	CU_ASSERT_EQUAL(rtclab_simnet_next_time(net), RTCLAB_MS(10));
	rtclab_simnet_run_until(net, RTCLAB_MS(25));
	CU_ASSERT_EQUAL(rtclab_simnet_now(net), RTCLAB_MS(25));
	CU_ASSERT_EQUAL_FATAL(o.n, 4);
	CU_ASSERT(o.seen[0] == 1 && o.seen[1] == 2 && o.seen[2] == 4 && o.seen[3] == 0);
	CU_ASSERT_EQUAL(rtclab_simnet_timer(net, RTCLAB_MS(5), on_timer, &t[0]), 0); /* in the past */
	CU_ASSERT(rtclab_simnet_step(net));
	CU_ASSERT_EQUAL(o.seen[4], 5);
	CU_ASSERT(!rtclab_simnet_step(net));
	CU_ASSERT_EQUAL(rtclab_simnet_next_time(net), RTCLAB_NEVER);
	rtclab_simnet_free(net);
}

/* Many timers at random times come out sorted, ties in insertion order. */
struct stamp {
	rtclab_time_ns *last_time;
	int *last_tag;
	int tag;
	int *bad;
};

static void on_stamp(void *arg, rtclab_time_ns now)
{
	struct stamp *s = arg;
	if (now < *s->last_time || (now == *s->last_time && s->tag < *s->last_tag))
		(*s->bad)++;
	*s->last_time = now;
	*s->last_tag = s->tag;
}

static void test_heap_order(void)
{
	struct seen seen;
	struct rtclab_simnet *net = make_net(1, &seen);
	static struct stamp st[2000];
	rtclab_time_ns last = -1;
	int last_tag = -1, bad = 0;
	struct rtclab_rng rng;
	rtclab_rng_seed(&rng, 99);
	uint64_t ids[2000];
	for (int i = 0; i < 2000; i++) {
		st[i] = (struct stamp){&last, &last_tag, i, &bad};
		ids[i] = rtclab_simnet_timer(net, (rtclab_time_ns)rtclab_rng_below(&rng, 50), on_stamp, &st[i]);
	}
	for (int i = 0; i < 2000; i += 3)
		CU_ASSERT(rtclab_simnet_timer_cancel(net, ids[i]));
	rtclab_simnet_run_until(net, 100);
	CU_ASSERT_EQUAL(bad, 0);
	struct rtclab_simnet_stats stats;
	rtclab_simnet_get_stats(net, &stats);
	CU_ASSERT_EQUAL(stats.events, 2000 - 667);
	CU_ASSERT_EQUAL(stats.peak_queue, 2000);
	rtclab_simnet_free(net);
}

/* --- routing ----------------------------------------------------------------------------- */

/* A host behind a NAT talks to a public server: latency adds up along the
 * path, each wire's tap sees its own addresses. */
static void test_path_latency_and_taps(void)
{
	struct seen seen;
	struct rtclab_simnet *net = make_net(1, &seen);
	struct inbox in_a = {0}, in_s = {0};
	unsigned nat;
	unsigned lan = add_lan(net, "lan-a", RTCLAB_SIMNET_INTERNET, "port-restricted-cone", "203.0.113.1", &nat);
	unsigned a = add_host(net, "a", lan, "10.0.0.2", &in_a);
	unsigned s = add_host(net, "stun", RTCLAB_SIMNET_INTERNET, "198.51.100.10", &in_s);
	struct rtclab_simnet_link up = L(1, 0, 0), down = L(2, 0, 0), nup = L(10, 0, 0), ndown = L(20, 0, 0),
				  sup = L(3, 0, 0), sdown = L(4, 0, 0);
	CU_ASSERT_EQUAL(rtclab_simnet_host_link(net, a, &up, &down), RTCLAB_SIMNET_OK);
	CU_ASSERT_EQUAL(rtclab_simnet_nat_link(net, nat, &nup, &ndown), RTCLAB_SIMNET_OK);
	CU_ASSERT_EQUAL(rtclab_simnet_host_link(net, s, &sup, &sdown), RTCLAB_SIMNET_OK);

	send_udp(net, a, A("10.0.0.2", 5000), A("198.51.100.10", 3478), "ping");
	rtclab_simnet_run_until(net, RTCLAB_SEC(1));
	CU_ASSERT_EQUAL_FATAL(in_s.n, 1);
	CU_ASSERT_EQUAL(in_s.at[0], RTCLAB_MS(1 + 10 + 4));
	CU_ASSERT_STRING_EQUAL(in_s.data[0], "ping");
	struct rtclab_addr mapped = in_s.src[0];
	CU_ASSERT(is(&in_s.local[0], "198.51.100.10", 3478));
	CHECKF(mapped.ip[0] == 203 && mapped.port != 0, "the server sees the NAT's address");
	/* taps: the LAN wire then the public wire, one packet */
	CU_ASSERT_EQUAL_FATAL(seen.n_taps, 2);
	CU_ASSERT_STRING_EQUAL(seen.taps[0].realm_name, "lan-a");
	CU_ASSERT_EQUAL(seen.taps[0].time, RTCLAB_MS(1));
	CU_ASSERT(is(&seen.taps[0].src, "10.0.0.2", 5000));
	CU_ASSERT_EQUAL(seen.taps[1].realm, RTCLAB_SIMNET_INTERNET);
	CU_ASSERT_EQUAL(seen.taps[1].time, RTCLAB_MS(11));
	CU_ASSERT(rtclab_addr_equal(&seen.taps[1].src, &mapped));
	CU_ASSERT_EQUAL(seen.taps[0].packet, seen.taps[1].packet);
	CU_ASSERT_EQUAL(seen.taps[1].len, 4);
	CU_ASSERT(seen.n_decisions >= 2 && seen.decisions[0].kind == RTCLAB_NAT_MAPPING_CREATED);

	/* the reply: server up, NAT down, host down */
	rtclab_time_ns t0 = rtclab_simnet_now(net);
	send_udp(net, s, A("198.51.100.10", 3478), mapped, "pong");
	rtclab_simnet_run_until(net, RTCLAB_SEC(2));
	CU_ASSERT_EQUAL_FATAL(in_a.n, 1);
	CU_ASSERT_EQUAL(in_a.at[0] - t0, RTCLAB_MS(3 + 20 + 2));
	CU_ASSERT(is(&in_a.local[0], "10.0.0.2", 5000));
	CU_ASSERT(is(&in_a.src[0], "198.51.100.10", 3478));

	/* a third party is filtered (port-restricted cone), reported as a NAT drop */
	unsigned x = add_host(net, "x", RTCLAB_SIMNET_INTERNET, "192.0.2.99", &in_s);
	size_t drops = seen.n_drops;
	send_udp(net, x, A("192.0.2.99", 3478), mapped, "hi");
	rtclab_simnet_run_until(net, RTCLAB_SEC(3));
	CU_ASSERT_EQUAL(in_a.n, 1);
	CU_ASSERT_EQUAL_FATAL(seen.n_drops, drops + 1);
	CU_ASSERT_EQUAL(seen.drops[drops].reason, RTCLAB_SIMNET_DROP_NAT);
	CU_ASSERT_STRING_EQUAL(seen.drops[drops].node, "lan-a");
	CU_ASSERT_EQUAL(seen.decisions[seen.n_decisions - 1].reason, RTCLAB_NAT_R_ADDRESS_NOT_SENT);
	/* nobody has this address */
	send_udp(net, x, A("192.0.2.99", 3478), A("192.0.2.200", 1), "void");
	rtclab_simnet_run_until(net, RTCLAB_SEC(4));
	CU_ASSERT_EQUAL(seen.drops[seen.n_drops - 1].reason, RTCLAB_SIMNET_DROP_NO_ROUTE);
	rtclab_simnet_free(net);
}

/* Two hosts on one LAN reach each other directly, without the NAT. */
static void test_same_lan(void)
{
	struct seen seen;
	struct rtclab_simnet *net = make_net(1, &seen);
	struct inbox in_a = {0}, in_b = {0};
	unsigned lan = add_lan(net, "lan", RTCLAB_SIMNET_INTERNET, "symmetric", "203.0.113.1", NULL);
	unsigned a = add_host(net, "a", lan, "10.0.0.2", &in_a);
	add_host(net, "b", lan, "10.0.0.3", &in_b);
	send_udp(net, a, A("10.0.0.2", 1), A("10.0.0.3", 2), "x");
	rtclab_simnet_run_until(net, RTCLAB_SEC(1));
	CU_ASSERT_EQUAL(in_b.n, 1);
	CU_ASSERT_EQUAL(seen.n_taps, 1);
	CU_ASSERT_EQUAL(seen.n_decisions, 0);
	rtclab_simnet_free(net);
}

/* Home NAT behind a carrier-grade NAT: the server sees the CGN's address. */
static void test_nested_nat(void)
{
	struct seen seen;
	struct rtclab_simnet *net = make_net(1, &seen);
	struct inbox in_h = {0}, in_s = {0};
	unsigned cgn, home;
	unsigned isp = add_lan(net, "isp", RTCLAB_SIMNET_INTERNET, "symmetric", "203.0.113.50", &cgn);
	unsigned lan = add_lan(net, "home", isp, "full-cone", "100.64.0.2", &home);
	unsigned h = add_host(net, "h", lan, "192.168.1.2", &in_h);
	unsigned s = add_host(net, "s", RTCLAB_SIMNET_INTERNET, "198.51.100.10", &in_s);
	unsigned found;
	CU_ASSERT(rtclab_simnet_realm_nat(net, lan, &found) && found == home);
	CU_ASSERT(!rtclab_simnet_realm_nat(net, RTCLAB_SIMNET_INTERNET, &found));
	send_udp(net, h, A("192.168.1.2", 5000), A("198.51.100.10", 3478), "hello");
	rtclab_simnet_run_until(net, RTCLAB_SEC(1));
	CU_ASSERT_EQUAL_FATAL(in_s.n, 1);
	char buf[RTCLAB_ADDR_STRLEN];
	CHECKF(memcmp(in_s.src[0].ip, A("203.0.113.50", 0).ip, 4) == 0, "server sees %s",
	       rtclab_addr_format(&in_s.src[0], buf, sizeof buf));
	/* three wires: home, isp (translated once), internet (twice) */
	CU_ASSERT_EQUAL_FATAL(seen.n_taps, 3);
	CU_ASSERT_STRING_EQUAL(seen.taps[1].realm_name, "isp");
	CU_ASSERT_EQUAL(seen.taps[1].src.ip[0], 100);
	CU_ASSERT_EQUAL(seen.taps[2].src.ip[0], 203);
	bool both = false;
	for (size_t i = 0; i < seen.n_decisions; i++)
		if (seen.decision_nat[i] == cgn)
			both = true;
	CU_ASSERT(both && seen.decision_nat[0] == home);
	/* the reply finds its way down both NATs */
	send_udp(net, s, A("198.51.100.10", 3478), in_s.src[0], "back");
	rtclab_simnet_run_until(net, RTCLAB_SEC(2));
	CU_ASSERT_EQUAL_FATAL(in_h.n, 1);
	CU_ASSERT_STRING_EQUAL(in_h.data[0], "back");
	CU_ASSERT(is(&in_h.local[0], "192.168.1.2", 5000));
	rtclab_simnet_free(net);
}

/* A host sends to another host's mapped address on its own NAT. */
static void test_hairpin(void)
{
	for (int on = 0; on <= 1; on++) {
		struct seen seen;
		struct rtclab_simnet *net = make_net(1, &seen);
		struct inbox in_a = {0}, in_b = {0}, in_s = {0};
		unsigned lan = add_lan(net, "lan", RTCLAB_SIMNET_INTERNET, on ? "full-cone" : "linux", "203.0.113.1", NULL);
		unsigned a = add_host(net, "a", lan, "10.0.0.2", &in_a);
		unsigned b = add_host(net, "b", lan, "10.0.0.3", &in_b);
		add_host(net, "s", RTCLAB_SIMNET_INTERNET, "198.51.100.10", &in_s);
		send_udp(net, b, A("10.0.0.3", 6000), A("198.51.100.10", 3478), "b");
		send_udp(net, a, A("10.0.0.2", 5000), A("198.51.100.10", 3478), "a");
		rtclab_simnet_run_until(net, RTCLAB_SEC(1));
		CU_ASSERT_EQUAL_FATAL(in_s.n, 2);
		struct rtclab_addr b_ext = in_s.src[0], a_ext = in_s.src[1];
		send_udp(net, a, A("10.0.0.2", 5000), b_ext, "via nat");
		rtclab_simnet_run_until(net, RTCLAB_SEC(2));
		if (on) {
			CU_ASSERT_EQUAL_FATAL(in_b.n, 1);
			CU_ASSERT(rtclab_addr_equal(&in_b.src[0], &a_ext));
			CU_ASSERT(is(&in_b.local[0], "10.0.0.3", 6000));
		} else {
			CU_ASSERT_EQUAL(in_b.n, 0);
			CU_ASSERT_EQUAL(seen.drops[seen.n_drops - 1].reason, RTCLAB_SIMNET_DROP_NAT);
			CU_ASSERT_EQUAL(seen.decisions[seen.n_decisions - 1].reason, RTCLAB_NAT_R_NO_HAIRPIN);
		}
		rtclab_simnet_free(net);
	}
}

/* A hairpin in the carrier-grade NAT between two homes behind it. */
static void test_hairpin_in_cgn(void)
{
	struct seen seen;
	struct rtclab_simnet *net = make_net(1, &seen);
	struct inbox in_a = {0}, in_b = {0}, in_s = {0};
	unsigned isp = add_lan(net, "isp", RTCLAB_SIMNET_INTERNET, "full-cone", "203.0.113.50", NULL);
	unsigned la = add_lan(net, "home-a", isp, "full-cone", "100.64.0.2", NULL);
	unsigned lb = add_lan(net, "home-b", isp, "full-cone", "100.64.0.3", NULL);
	unsigned a = add_host(net, "a", la, "192.168.1.2", &in_a);
	unsigned b = add_host(net, "b", lb, "192.168.1.2", &in_b); /* the same private address: another realm */
	add_host(net, "s", RTCLAB_SIMNET_INTERNET, "198.51.100.10", &in_s);
	send_udp(net, b, A("192.168.1.2", 6000), A("198.51.100.10", 3478), "b");
	rtclab_simnet_run_until(net, RTCLAB_SEC(1));
	CU_ASSERT_EQUAL_FATAL(in_s.n, 1);
	send_udp(net, a, A("192.168.1.2", 5000), in_s.src[0], "a to b");
	rtclab_simnet_run_until(net, RTCLAB_SEC(2));
	CU_ASSERT_EQUAL_FATAL(in_b.n, 1);
	CU_ASSERT_STRING_EQUAL(in_b.data[0], "a to b");
	CU_ASSERT_EQUAL(in_b.src[0].ip[0], 203); /* REQ-9a: the external source */
	rtclab_simnet_free(net);
}

/* --- links ------------------------------------------------------------------------------- */

static void test_loss_all(void)
{
	struct seen seen;
	struct rtclab_simnet *net = make_net(3, &seen);
	struct inbox in_a = {0}, in_s = {0};
	unsigned a = add_host(net, "a", RTCLAB_SIMNET_INTERNET, "192.0.2.1", &in_a);
	add_host(net, "s", RTCLAB_SIMNET_INTERNET, "198.51.100.10", &in_s);
	struct rtclab_simnet_link dead = L(5, 0, 1.0);
	CU_ASSERT_EQUAL(rtclab_simnet_host_link(net, a, &dead, NULL), RTCLAB_SIMNET_OK);
	for (int i = 0; i < 50; i++)
		send_udp(net, a, A("192.0.2.1", 1), A("198.51.100.10", 2), "x");
	rtclab_simnet_run_until(net, RTCLAB_SEC(1));
	CU_ASSERT_EQUAL(in_s.n, 0);
	CU_ASSERT_EQUAL(seen.n_taps, 0);
	CU_ASSERT_EQUAL_FATAL(seen.n_drops, 50);
	CU_ASSERT_EQUAL(seen.drops[0].reason, RTCLAB_SIMNET_DROP_LOSS);
	CU_ASSERT(seen.drops[0].uplink);
	CU_ASSERT_STRING_EQUAL(seen.drops[0].node, "a");
	/* the link comes back */
	struct rtclab_simnet_link ok = L(5, 0, 0);
	rtclab_simnet_host_link(net, a, &ok, NULL);
	send_udp(net, a, A("192.0.2.1", 1), A("198.51.100.10", 2), "x");
	rtclab_simnet_run_until(net, RTCLAB_SEC(2));
	CU_ASSERT_EQUAL(in_s.n, 1);
	struct rtclab_simnet_link bad = L(-1, 0, 0);
	CU_ASSERT_EQUAL(rtclab_simnet_host_link(net, a, &bad, NULL), RTCLAB_SIMNET_E_LINK);
	bad = L(1, 0, 1.5);
	CU_ASSERT_EQUAL(rtclab_simnet_host_link(net, a, NULL, &bad), RTCLAB_SIMNET_E_LINK);
	rtclab_simnet_free(net);
}

static void test_jitter_and_partial_loss(void)
{
	struct seen seen;
	struct rtclab_simnet *net = make_net(11, &seen);
	struct inbox in_s = {0};
	unsigned a = add_host(net, "a", RTCLAB_SIMNET_INTERNET, "192.0.2.1", NULL);
	add_host(net, "s", RTCLAB_SIMNET_INTERNET, "198.51.100.10", &in_s);
	struct rtclab_simnet_link up = L(10, 5, 0);
	rtclab_simnet_host_link(net, a, &up, NULL);
	rtclab_time_ns min = RTCLAB_NEVER, max = 0;
	for (int i = 0; i < 200; i++) {
		send_udp(net, a, A("192.0.2.1", 1), A("198.51.100.10", 2), "j");
		rtclab_time_ns t0 = rtclab_simnet_now(net);
		rtclab_simnet_run_until(net, t0 + RTCLAB_MS(100));
		CU_ASSERT_EQUAL_FATAL(in_s.n, (size_t)i + 1);
		rtclab_time_ns d = in_s.at[i] - t0;
		min = d < min ? d : min;
		max = d > max ? d : max;
	}
	CHECKF(min >= RTCLAB_MS(10) && max <= RTCLAB_MS(15), "delay in [10, 15] ms: %lld..%lld", (long long)min,
	       (long long)max);
	CHECKF(max - min > RTCLAB_MS(3), "jitter spreads the delays: %lld..%lld", (long long)min, (long long)max);

	/* 30% loss: roughly 30% of 1000 lost, deterministically */
	up = L(1, 0, 0.3);
	rtclab_simnet_host_link(net, a, &up, NULL);
	in_s.n = 0;
	for (int i = 0; i < 400; i++)
		send_udp(net, a, A("192.0.2.1", 1), A("198.51.100.10", 2), "l");
	rtclab_simnet_run_until(net, rtclab_simnet_now(net) + RTCLAB_SEC(1));
	CHECKF(in_s.n > 220 && in_s.n < 340, "%zu of 400 arrived with 30%% loss", in_s.n);
	rtclab_simnet_free(net);
}

/* --- firewalls and IPv6 on the path ------------------------------------------------------- */

static void test_firewalls(void)
{
	struct seen seen;
	struct rtclab_simnet *net = make_net(1, &seen);
	struct inbox in_a = {0}, in_t = {0};
	unsigned realm;
	rtclab_simnet_realm_add(net, "corp", &realm);
	struct rtclab_nat_config cfg;
	rtclab_nat_config_from_name("port-restricted-cone", &cfg);
	cfg.firewall = RTCLAB_NAT_FW_TCP_443;
	struct rtclab_addr ext = A("203.0.113.1", 0);
	unsigned nat;
	CU_ASSERT_EQUAL_FATAL(rtclab_simnet_nat_add(net, "corp-fw", RTCLAB_SIMNET_INTERNET, realm, &cfg, &ext, 1, &nat, NULL),
			      RTCLAB_SIMNET_OK);
	unsigned a = add_host(net, "a", realm, "10.0.0.2", &in_a);
	unsigned t = add_host(net, "turn", RTCLAB_SIMNET_INTERNET, "198.51.100.20", &in_t);
	send_udp(net, a, A("10.0.0.2", 5000), A("198.51.100.20", 3478), "udp");
	rtclab_simnet_run_until(net, RTCLAB_SEC(1));
	CU_ASSERT_EQUAL(in_t.n, 0);
	CU_ASSERT_EQUAL(seen.decisions[seen.n_decisions - 1].reason, RTCLAB_NAT_R_UDP_BLOCKED);
	/* TCP to 443 through the send_fn: the first chunk is the SYN */
	struct rtclab_simnet_endpoint ep = {net, a, 0, RTCLAB_SIMNET_OK};
	struct rtclab_addr src = A("10.0.0.2", 40000), dst = A("198.51.100.20", 443);
	rtclab_simnet_send_fn(&ep, rtclab_simnet_now(net), RTCLAB_L4_TCP, &src, &dst, "alloc", 5);
	rtclab_simnet_send_fn(&ep, rtclab_simnet_now(net), RTCLAB_L4_TCP, &src, &dst, "more", 4);
	rtclab_simnet_run_until(net, RTCLAB_SEC(2));
	CU_ASSERT_EQUAL(ep.errors, 0);
	CU_ASSERT_EQUAL_FATAL(in_t.n, 2);
	CU_ASSERT_EQUAL(in_t.l4[0], RTCLAB_L4_TCP);
	bool syn_first = false, syn_second = true;
	for (size_t i = 0; i < seen.n_taps; i++) {
		if (seen.taps[i].l4 != RTCLAB_L4_TCP || seen.taps[i].realm != RTCLAB_SIMNET_INTERNET)
			continue;
		if (seen.taps[i].len == 5)
			syn_first = seen.taps[i].syn;
		if (seen.taps[i].len == 4)
			syn_second = seen.taps[i].syn;
	}
	CU_ASSERT(syn_first && !syn_second);
	/* the server answers on the connection; its reply is not a SYN */
	struct rtclab_simnet_endpoint eps = {net, t, 0, RTCLAB_SIMNET_OK};
	struct rtclab_addr tsrc = A("198.51.100.20", 443);
	rtclab_simnet_send_fn(&eps, rtclab_simnet_now(net), RTCLAB_L4_TCP, &tsrc, &in_t.src[0], "ok", 2);
	/* and a TCP to another port is blocked */
	struct rtclab_addr dst80 = A("198.51.100.20", 80);
	rtclab_simnet_send_fn(&ep, rtclab_simnet_now(net), RTCLAB_L4_TCP, &src, &dst80, "web", 3);
	rtclab_simnet_run_until(net, RTCLAB_SEC(3));
	CU_ASSERT_EQUAL_FATAL(in_a.n, 1);
	CU_ASSERT_STRING_EQUAL(in_a.data[0], "ok");
	CU_ASSERT_EQUAL(in_t.n, 2);
	bool not_443 = false;
	for (size_t i = 0; i < seen.n_decisions; i++)
		not_443 |= seen.decisions[i].kind == RTCLAB_NAT_FIREWALL_DROPPED &&
			   seen.decisions[i].reason == RTCLAB_NAT_R_TCP_NOT_443;
	CU_ASSERT(not_443);
	/* an error of the send_fn is counted */
	struct rtclab_addr stranger = A("10.9.9.9", 1);
	rtclab_simnet_send_fn(&ep, rtclab_simnet_now(net), RTCLAB_L4_UDP, &stranger, &dst, "x", 1);
	CU_ASSERT_EQUAL(ep.errors, 1);
	CU_ASSERT_EQUAL(ep.last_error, RTCLAB_SIMNET_E_NOT_OWN);
	rtclab_simnet_free(net);
}

/* Dual stack: IPv4 through NATs, IPv6 routed end to end untranslated,
 * still through each NAT's stateful filter. */
static void test_dual_stack(void)
{
	struct seen seen;
	struct rtclab_simnet *net = make_net(1, &seen);
	struct inbox in_a = {0}, in_b = {0};
	unsigned la = add_lan(net, "lan-a", RTCLAB_SIMNET_INTERNET, "port-restricted-cone", "203.0.113.1", NULL);
	unsigned lb = add_lan(net, "lan-b", RTCLAB_SIMNET_INTERNET, "symmetric", "203.0.113.2", NULL);
	unsigned a = add_host(net, "a", la, "10.0.0.2", &in_a);
	struct rtclab_addr a6 = A("2001:db8:a::2", 0);
	CU_ASSERT_EQUAL(rtclab_simnet_host_addr_add(net, a, la, &a6), RTCLAB_SIMNET_OK);
	unsigned b = add_host(net, "b", lb, "2001:db8:b::2", &in_b);
	a6.port = 5000;
	struct rtclab_addr b6 = A("2001:db8:b::2", 6000);
	/* a's first packet is filtered by b's firewall (no pinhole yet) */
	send_udp(net, a, a6, b6, "1");
	rtclab_simnet_run_until(net, RTCLAB_SEC(1));
	CU_ASSERT_EQUAL(in_b.n, 0);
	/* b's packet opens b's pinhole and passes a's, which a's first opened */
	send_udp(net, b, b6, a6, "2");
	rtclab_simnet_run_until(net, RTCLAB_SEC(2));
	CU_ASSERT_EQUAL_FATAL(in_a.n, 1);
	CU_ASSERT(rtclab_addr_equal(&in_a.src[0], &b6)); /* no translation */
	send_udp(net, a, a6, b6, "3");
	rtclab_simnet_run_until(net, RTCLAB_SEC(3));
	CU_ASSERT_EQUAL_FATAL(in_b.n, 1);
	CU_ASSERT(rtclab_addr_equal(&in_b.src[0], &a6));
	/* mixing families is an error */
	struct rtclab_addr b4 = A("203.0.113.2", 1);
	CU_ASSERT_EQUAL(rtclab_simnet_send(net, a, RTCLAB_L4_UDP, false, &a6, &b4, "x", 1), RTCLAB_SIMNET_E_FAMILY);
	rtclab_simnet_free(net);
}

/* A NAT's mapping expires as an event on its own, at the right time. */
static void test_mapping_expiry_event(void)
{
	struct seen seen;
	struct rtclab_simnet *net = make_net(1, &seen);
	struct inbox in_a = {0}, in_s = {0};
	unsigned lan = add_lan(net, "lan", RTCLAB_SIMNET_INTERNET, "full-cone", "203.0.113.1", NULL);
	unsigned a = add_host(net, "a", lan, "10.0.0.2", &in_a);
	unsigned s = add_host(net, "s", RTCLAB_SIMNET_INTERNET, "198.51.100.10", &in_s);
	send_udp(net, a, A("10.0.0.2", 5000), A("198.51.100.10", 3478), "k");
	rtclab_simnet_run_until(net, RTCLAB_SEC(100));
	send_udp(net, a, A("10.0.0.2", 5000), A("198.51.100.10", 3478), "k"); /* refresh at 100 s */
	rtclab_simnet_run_until(net, RTCLAB_SEC(1000));
	size_t expired = 0;
	for (size_t i = 0; i < seen.n_decisions; i++) {
		if (seen.decisions[i].kind != RTCLAB_NAT_MAPPING_EXPIRED)
			continue;
		expired++;
		CU_ASSERT_EQUAL(seen.decisions[i].time, RTCLAB_SEC(400)); /* 100 s + the 300 s default */
	}
	CU_ASSERT_EQUAL(expired, 1);
	CU_ASSERT_EQUAL(rtclab_simnet_next_time(net), RTCLAB_NEVER);
	/* the server's late reply is filtered: no mapping */
	send_udp(net, s, A("198.51.100.10", 3478), in_s.src[0], "late");
	rtclab_simnet_run_until(net, RTCLAB_SEC(1001));
	CU_ASSERT_EQUAL(in_a.n, 0);
	CU_ASSERT_EQUAL(seen.decisions[seen.n_decisions - 1].reason, RTCLAB_NAT_R_NO_MAPPING);
	rtclab_simnet_free(net);
}

/* --- determinism ----------------------------------------------------------------------- */

/* Two LANs behind NATs, lossy jittery links, a burst of packets both ways. */
static uint64_t run_scenario(uint64_t seed, size_t *delivered)
{
	struct seen seen;
	struct rtclab_simnet *net = make_net(seed, &seen);
	static struct inbox in_a, in_b;
	memset(&in_a, 0, sizeof in_a);
	memset(&in_b, 0, sizeof in_b);
	unsigned na, nb;
	unsigned la = add_lan(net, "lan-a", RTCLAB_SIMNET_INTERNET, "full-cone", "203.0.113.1", &na);
	unsigned lb = add_lan(net, "lan-b", RTCLAB_SIMNET_INTERNET, "full-cone", "203.0.113.2", &nb);
	unsigned a = add_host(net, "a", la, "10.0.0.2", &in_a);
	unsigned b = add_host(net, "b", lb, "10.0.1.2", &in_b);
	struct rtclab_simnet_link l = L(10, 8, 0.2);
	rtclab_simnet_host_link(net, a, &l, &l);
	rtclab_simnet_host_link(net, b, &l, &l);
	rtclab_simnet_nat_link(net, na, &l, &l);
	rtclab_simnet_nat_link(net, nb, &l, &l);
	/* open both mappings (full cone, sequential from 49152) */
	for (int i = 0; i < 60; i++) {
		char text[8];
		snprintf(text, sizeof text, "%d", i);
		send_udp(net, a, A("10.0.0.2", 5000), A("203.0.113.2", 49152), text);
		send_udp(net, b, A("10.0.1.2", 5000), A("203.0.113.1", 49152), text);
		rtclab_simnet_run_until(net, rtclab_simnet_now(net) + RTCLAB_MS(3));
	}
	rtclab_simnet_run_until(net, RTCLAB_SEC(5));
	*delivered = in_a.n + in_b.n;
	uint64_t h = seen.hash;
	for (size_t i = 0; i < in_a.n; i++)
		hash_bytes(&h, &in_a.at[i], sizeof in_a.at[i]);
	rtclab_simnet_free(net);
	return h;
}

static void test_determinism(void)
{
	size_t d1, d2, d3;
	uint64_t h1 = run_scenario(42, &d1), h2 = run_scenario(42, &d2), h3 = run_scenario(43, &d3);
	CU_ASSERT_EQUAL(h1, h2);
	CU_ASSERT_EQUAL(d1, d2);
	CHECKF(d1 > 20 && d1 < 120, "%zu delivered", d1);
	CU_ASSERT_NOT_EQUAL(h1, h3);
}

/* --- set-up errors ----------------------------------------------------------------------- */

static void test_errors(void)
{
	struct seen seen;
	struct rtclab_simnet *net = make_net(1, &seen);
	struct rtclab_nat_config cfg;
	rtclab_nat_config_from_name("symmetric", &cfg);
	struct rtclab_addr ext = A("203.0.113.1", 0);
	unsigned id, lan, lan2;
	CU_ASSERT_EQUAL(rtclab_simnet_nat_add(net, "x", 0, RTCLAB_SIMNET_INTERNET, &cfg, &ext, 1, &id, NULL),
			RTCLAB_SIMNET_E_TOPOLOGY);
	CU_ASSERT_EQUAL(rtclab_simnet_nat_add(net, "x", 0, 7, &cfg, &ext, 1, &id, NULL), RTCLAB_SIMNET_E_REALM);
	rtclab_simnet_realm_add(net, "lan", &lan);
	rtclab_simnet_realm_add(net, "lan2", &lan2);
	CU_ASSERT_STRING_EQUAL(rtclab_simnet_realm_name(net, lan), "lan");
	CU_ASSERT_EQUAL(rtclab_simnet_realm_count(net), 3);
	enum rtclab_nat_error ne;
	cfg.port_min = 0;
	CU_ASSERT_EQUAL(rtclab_simnet_nat_add(net, "x", 0, lan, &cfg, &ext, 1, &id, &ne), RTCLAB_SIMNET_E_NAT_CONFIG);
	CU_ASSERT_EQUAL(ne, RTCLAB_NAT_E_PORT_RANGE);
	cfg.port_min = 1024;
	CU_ASSERT_EQUAL(rtclab_simnet_nat_add(net, "x", 0, lan, &cfg, &ext, 1, &id, &ne), RTCLAB_SIMNET_OK);
	CU_ASSERT_EQUAL(rtclab_simnet_nat_add(net, "y", 0, lan, &cfg, &ext, 1, &id, NULL), RTCLAB_SIMNET_E_TOPOLOGY);
	CU_ASSERT_EQUAL(rtclab_simnet_nat_add(net, "y", 0, lan2, &cfg, &ext, 1, &id, NULL),
			RTCLAB_SIMNET_E_ADDRESS_USED);
	/* a loop: lan2's NAT inside lan, whose NAT is in the Internet; then the Internet inside lan2 */
	struct rtclab_addr ext2 = A("10.0.0.1", 0);
	CU_ASSERT_EQUAL(rtclab_simnet_nat_add(net, "y", lan, lan2, &cfg, &ext2, 1, &id, NULL), RTCLAB_SIMNET_OK);
	unsigned lan3;
	rtclab_simnet_realm_add(net, "lan3", &lan3);
	CU_ASSERT_EQUAL(rtclab_simnet_nat_add(net, "z", lan2, lan, &cfg, &ext2, 1, &id, NULL), RTCLAB_SIMNET_E_TOPOLOGY);
	unsigned h;
	CU_ASSERT_EQUAL(rtclab_simnet_host_add(net, "h", NULL, NULL, &h), RTCLAB_SIMNET_OK);
	struct rtclab_addr ip = A("10.0.0.2", 0), none = {0};
	CU_ASSERT_EQUAL(rtclab_simnet_host_addr_add(net, h, lan, &ip), RTCLAB_SIMNET_OK);
	CU_ASSERT_EQUAL(rtclab_simnet_host_addr_add(net, h, lan, &ip), RTCLAB_SIMNET_E_ADDRESS_USED);
	CU_ASSERT_EQUAL(rtclab_simnet_host_addr_add(net, h, lan, &none), RTCLAB_SIMNET_E_ADDRESS);
	CU_ASSERT_EQUAL(rtclab_simnet_host_addr_add(net, 99, lan, &ip), RTCLAB_SIMNET_E_HOST);
	struct rtclab_addr dst = A("198.51.100.1", 1), src = A("10.0.0.2", 1);
	CU_ASSERT_EQUAL(rtclab_simnet_send(net, h, RTCLAB_L4_ICMP, false, &src, &dst, "", 0), RTCLAB_SIMNET_E_L4);
	static uint8_t big[RTCLAB_SIMNET_MAX_PAYLOAD + 1];
	CU_ASSERT_EQUAL(rtclab_simnet_send(net, h, RTCLAB_L4_UDP, false, &src, &dst, big, sizeof big),
			RTCLAB_SIMNET_E_TOO_BIG);
	/* a network change: the address moves to another realm */
	CU_ASSERT_EQUAL(rtclab_simnet_host_addr_remove(net, h, &ip), RTCLAB_SIMNET_OK);
	CU_ASSERT_EQUAL(rtclab_simnet_send(net, h, RTCLAB_L4_UDP, false, &src, &dst, "x", 1), RTCLAB_SIMNET_E_NOT_OWN);
	CU_ASSERT_EQUAL(rtclab_simnet_host_addr_add(net, h, lan3, &ip), RTCLAB_SIMNET_OK);
	CU_ASSERT_EQUAL(rtclab_simnet_host_addr_remove(net, h, &dst), RTCLAB_SIMNET_E_NOT_OWN);
	CU_ASSERT(strlen(rtclab_simnet_error_str(RTCLAB_SIMNET_E_TOPOLOGY)) > 10);
	rtclab_simnet_free(net);
}

/* Packets queued when the net is freed are freed with it (ASan checks). */
static void test_free_with_packets_in_flight(void)
{
	struct seen seen;
	struct rtclab_simnet *net = make_net(1, &seen);
	unsigned a = add_host(net, "a", RTCLAB_SIMNET_INTERNET, "192.0.2.1", NULL);
	add_host(net, "b", RTCLAB_SIMNET_INTERNET, "192.0.2.2", NULL);
	struct rtclab_simnet_link l = L(50, 0, 0);
	rtclab_simnet_host_link(net, a, &l, &l);
	for (int i = 0; i < 100; i++)
		send_udp(net, a, A("192.0.2.1", 1), A("192.0.2.2", 2), "pending");
	CU_ASSERT_EQUAL(rtclab_simnet_next_time(net), RTCLAB_MS(50));
	rtclab_simnet_free(net);
}

RTCLAB_SUITE(simnet)
{
	static const struct unit_test tests[] = {
		{"timers: time order, ties by insertion, cancel", test_timers},
		{"the heap: 2000 timers, a third cancelled", test_heap_order},
		{"path latency and taps on each wire", test_path_latency_and_taps},
		{"two hosts on one LAN", test_same_lan},
		{"nested NAT: home behind carrier-grade", test_nested_nat},
		{"hairpinning on and off", test_hairpin},
		{"hairpinning in the carrier-grade NAT", test_hairpin_in_cgn},
		{"100% loss, a link going down and up", test_loss_all},
		{"jitter within bounds, partial loss", test_jitter_and_partial_loss},
		{"firewalls: UDP blocked, TCP 443 with SYN", test_firewalls},
		{"dual stack: IPv6 untranslated through filters", test_dual_stack},
		{"mapping expiry as an event", test_mapping_expiry_event},
		{"determinism: same seed, same taps", test_determinism},
		{"set-up errors and a network change", test_errors},
		{"free with packets in flight", test_free_with_packets_in_flight},
		{NULL, NULL},
	};
	unit_add_suite("simnet", tests);
}
