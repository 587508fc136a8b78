/* The NAT model (lib/nat.c, lib/nat_info.c) against the definitions of
 * RFC 4787: mapping (4.1), port assignment (4.2), timers (4.3), filtering
 * (5), hairpinning (6); the firewall policies; the presets and names. */
#include <stdio.h>
#include <string.h>

#include "rtclab/nat.h"
#include "unit.h"

static struct rtclab_addr A(const char *ip, uint16_t port)
{
	struct rtclab_addr a;
	if (!rtclab_addr_ip_parse(&a, ip))
		CU_FAIL_FATAL("bad test address");
	a.port = port;
	return a;
}

/* Every decision a NAT reports, in order. */
#define MAXD 64
struct log {
	struct rtclab_nat_decision d[MAXD];
	size_t n;
};

static void record(void *arg, const struct rtclab_nat_decision *d)
{
	struct log *l = arg;
	if (l->n < MAXD)
		l->d[l->n++] = *d;
}

static bool logged(const struct log *l, enum rtclab_nat_decision_kind k, enum rtclab_nat_reason r)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->d[i].kind == k && l->d[i].reason == r)
			return true;
	return false;
}

static struct rtclab_nat *make_nat(const struct rtclab_nat_config *cfg, struct log *log)
{
	struct rtclab_addr ext = A("203.0.113.1", 0);
	struct rtclab_nat *nat = NULL;
	memset(log, 0, sizeof *log);
	CU_ASSERT_EQUAL_FATAL(rtclab_nat_new(&nat, cfg, &ext, 1, NULL, record, log), RTCLAB_NAT_OK);
	return nat;
}

static struct rtclab_nat_config config(enum rtclab_nat_behavior m, enum rtclab_nat_behavior f)
{
	struct rtclab_nat_config c;
	rtclab_nat_config_default(&c);
	c.mapping = m;
	c.filtering = f;
	return c;
}

static enum rtclab_nat_verdict out_udp(struct rtclab_nat *nat, rtclab_time_ns t, struct rtclab_addr src,
				       struct rtclab_addr dst, struct rtclab_nat_packet *res)
{
	struct rtclab_nat_packet p = {RTCLAB_L4_UDP, false, src, dst};
	return rtclab_nat_outbound(nat, t, &p, res);
}

static enum rtclab_nat_verdict in_udp(struct rtclab_nat *nat, rtclab_time_ns t, struct rtclab_addr src,
				      struct rtclab_addr dst, struct rtclab_nat_packet *res)
{
	struct rtclab_nat_packet p = {RTCLAB_L4_UDP, false, src, dst};
	return rtclab_nat_inbound(nat, t, &p, res);
}

/* --- RFC 4787 4.1: mapping -------------------------------------------------------- */

/* X:x sends to Y1:y1, Y1:y2 and Y2:y1: which of the three get the same X':x'. */
static void test_mapping_behaviours(void)
{
	static const struct {
		enum rtclab_nat_behavior m;
		bool same_addr_other_port_reused, other_addr_reused;
	} cases[] = {
		{RTCLAB_NAT_EI, true, true},
		{RTCLAB_NAT_AD, true, false},
		{RTCLAB_NAT_APD, false, false},
	};
	for (size_t i = 0; i < 3; i++) {
		struct log log;
		struct rtclab_nat_config cfg = config(cases[i].m, RTCLAB_NAT_EI);
		struct rtclab_nat *nat = make_nat(&cfg, &log);
		struct rtclab_addr x = A("10.0.0.2", 5000);
		struct rtclab_nat_packet r1, r2, r3;
		CU_ASSERT_EQUAL(out_udp(nat, 0, x, A("198.51.100.1", 3478), &r1), RTCLAB_NAT_PASS);
		CU_ASSERT_EQUAL(out_udp(nat, 1, x, A("198.51.100.1", 3479), &r2), RTCLAB_NAT_PASS);
		CU_ASSERT_EQUAL(out_udp(nat, 2, x, A("198.51.100.2", 3478), &r3), RTCLAB_NAT_PASS);
		CHECKF(rtclab_addr_equal(&r1.src, &r2.src) == cases[i].same_addr_other_port_reused,
		       "%s: same address, other port", rtclab_nat_behavior_name(cases[i].m));
		CHECKF(rtclab_addr_equal(&r1.src, &r3.src) == cases[i].other_addr_reused, "%s: other address",
		       rtclab_nat_behavior_name(cases[i].m));
		CHECKF(r1.src.port != 5000 && r1.src.ip[0] == 203, "translated to the external address");
		CU_ASSERT_EQUAL(r1.dst.port, 3478);
		size_t expect = 1 + !cases[i].same_addr_other_port_reused + !cases[i].other_addr_reused;
		CHECKF(rtclab_nat_mapping_count(nat) == expect, "%s: %zu mappings", rtclab_nat_behavior_name(cases[i].m),
		       rtclab_nat_mapping_count(nat));
		CU_ASSERT_EQUAL(log.d[0].kind, RTCLAB_NAT_MAPPING_CREATED);
		CU_ASSERT_EQUAL(log.d[1].kind, RTCLAB_NAT_OUTBOUND_TRANSLATED);
		CU_ASSERT_EQUAL(log.d[2].kind, cases[i].same_addr_other_port_reused ? RTCLAB_NAT_MAPPING_REUSED
										     : RTCLAB_NAT_MAPPING_CREATED);
		/* the same destination again: the same mapping, refreshed */
		struct rtclab_nat_packet r4;
		out_udp(nat, 3, x, A("198.51.100.1", 3478), &r4);
		CU_ASSERT(rtclab_addr_equal(&r1.src, &r4.src));
		CU_ASSERT_EQUAL(log.d[log.n - 2].kind, RTCLAB_NAT_MAPPING_REFRESHED);
		rtclab_nat_free(nat);
	}
}

/* --- RFC 4787 5: filtering -------------------------------------------------------- */

static void test_filtering_behaviours(void)
{
	static const struct {
		enum rtclab_nat_behavior f;
		enum rtclab_nat_reason other_port, other_addr;
	} cases[] = {
		{RTCLAB_NAT_EI, RTCLAB_NAT_R_NONE, RTCLAB_NAT_R_NONE},
		{RTCLAB_NAT_AD, RTCLAB_NAT_R_NONE, RTCLAB_NAT_R_ADDRESS_NOT_SENT},
		{RTCLAB_NAT_APD, RTCLAB_NAT_R_PORT_NOT_SENT, RTCLAB_NAT_R_ADDRESS_NOT_SENT},
	};
	for (size_t i = 0; i < 3; i++) {
		struct log log;
		struct rtclab_nat_config cfg = config(RTCLAB_NAT_EI, cases[i].f);
		struct rtclab_nat *nat = make_nat(&cfg, &log);
		struct rtclab_addr x = A("10.0.0.2", 5000);
		struct rtclab_nat_packet r, in;
		out_udp(nat, 0, x, A("198.51.100.1", 3478), &r);
		struct rtclab_addr ext = r.src;
		const char *name = rtclab_nat_behavior_name(cases[i].f);
		/* the address and port sent to: always let in, to X:x */
		CU_ASSERT_EQUAL(in_udp(nat, 1, A("198.51.100.1", 3478), ext, &in), RTCLAB_NAT_PASS);
		CU_ASSERT(rtclab_addr_equal(&in.dst, &x));
		CU_ASSERT_EQUAL(log.d[log.n - 1].kind, RTCLAB_NAT_INBOUND_TRANSLATED);
		/* same address, another port */
		log.n = 0;
		enum rtclab_nat_verdict v = in_udp(nat, 2, A("198.51.100.1", 9999), ext, &in);
		CHECKF(v == (cases[i].other_port ? RTCLAB_NAT_DROP : RTCLAB_NAT_PASS), "%s: other port", name);
		if (cases[i].other_port)
			CHECKF(logged(&log, RTCLAB_NAT_INBOUND_FILTERED, cases[i].other_port), "%s: reason", name);
		/* a third party */
		log.n = 0;
		v = in_udp(nat, 3, A("192.0.2.77", 3478), ext, &in);
		CHECKF(v == (cases[i].other_addr ? RTCLAB_NAT_DROP : RTCLAB_NAT_PASS), "%s: third party", name);
		if (cases[i].other_addr)
			CHECKF(logged(&log, RTCLAB_NAT_INBOUND_FILTERED, cases[i].other_addr), "%s: reason", name);
		/* no mapping on that port: filtered whatever the behaviour */
		log.n = 0;
		struct rtclab_addr unmapped = ext;
		unmapped.port = (uint16_t)(ext.port + 1);
		CU_ASSERT_EQUAL(in_udp(nat, 4, A("198.51.100.1", 3478), unmapped, &in), RTCLAB_NAT_DROP);
		CU_ASSERT(logged(&log, RTCLAB_NAT_INBOUND_FILTERED, RTCLAB_NAT_R_NO_MAPPING));
		rtclab_nat_free(nat);
	}
}

/* --- RFC 4787 4.2: port assignment ------------------------------------------------- */

static void test_port_preservation(void)
{
	struct log log;
	struct rtclab_nat_config cfg = config(RTCLAB_NAT_EI, RTCLAB_NAT_APD);
	cfg.port_alloc = RTCLAB_NAT_PORT_PRESERVE;
	struct rtclab_nat *nat = make_nat(&cfg, &log);
	struct rtclab_nat_packet r1, r2, r3;
	out_udp(nat, 0, A("10.0.0.2", 5000), A("198.51.100.1", 3478), &r1);
	CU_ASSERT_EQUAL(r1.src.port, 5000); /* free: preserved, even outside the range */
	out_udp(nat, 0, A("10.0.0.3", 5000), A("198.51.100.1", 3478), &r2);
	CHECKF(r2.src.port != 5000 && r2.src.port >= cfg.port_min, "taken: %u from the range", r2.src.port);
	out_udp(nat, 0, A("10.0.0.3", 5001), A("198.51.100.1", 3478), &r3);
	CU_ASSERT_EQUAL(r3.src.port, 5001);
	rtclab_nat_free(nat);
}

static void test_port_parity_and_sequence(void)
{
	for (int parity = 0; parity <= 1; parity++) {
		struct log log;
		struct rtclab_nat_config cfg = config(RTCLAB_NAT_APD, RTCLAB_NAT_APD);
		cfg.port_parity = parity;
		struct rtclab_nat *nat = make_nat(&cfg, &log);
		uint16_t prev = 0;
		for (uint16_t i = 0; i < 6; i++) {
			struct rtclab_nat_packet r;
			uint16_t internal = (uint16_t)(7001 + i % 2); /* odd, even, odd, ... */
			out_udp(nat, 0, A("10.0.0.2", internal), A("198.51.100.1", (uint16_t)(3000 + i)), &r);
			if (parity)
				CHECKF((r.src.port & 1) == (internal & 1), "parity kept: %u for %u", r.src.port, internal);
			else
				CHECKF(i == 0 ? r.src.port == cfg.port_min : r.src.port == prev + 1, "sequential: %u after %u",
				       r.src.port, prev);
			CU_ASSERT(r.src.port >= cfg.port_min && r.src.port <= cfg.port_max);
			prev = r.src.port;
		}
		rtclab_nat_free(nat);
	}
}

static void test_port_random_and_exhaustion(void)
{
	struct rtclab_rng rng;
	rtclab_rng_seed(&rng, 7);
	struct rtclab_nat_config cfg = config(RTCLAB_NAT_APD, RTCLAB_NAT_APD);
	cfg.port_alloc = RTCLAB_NAT_PORT_RANDOM;
	cfg.port_min = 40000;
	cfg.port_max = 40009;
	cfg.port_parity = true;
	struct rtclab_addr ext = A("203.0.113.1", 0);
	struct rtclab_nat *nat;
	struct log log = {0};
	CU_ASSERT_EQUAL(rtclab_nat_new(&nat, &cfg, &ext, 1, NULL, record, &log), RTCLAB_NAT_E_NO_RNG);
	CU_ASSERT_EQUAL_FATAL(rtclab_nat_new(&nat, &cfg, &ext, 1, &rng, record, &log), RTCLAB_NAT_OK);
	bool seen[10] = {0};
	for (int i = 0; i < 5; i++) {
		struct rtclab_nat_packet r;
		CU_ASSERT_EQUAL(out_udp(nat, 0, A("10.0.0.2", 6000), A("198.51.100.1", (uint16_t)(1000 + i)), &r),
				RTCLAB_NAT_PASS);
		CHECKF(r.src.port >= 40000 && r.src.port <= 40009 && r.src.port % 2 == 0, "port %u", r.src.port);
		CHECKF(!seen[r.src.port - 40000], "port %u given twice", r.src.port);
		seen[r.src.port - 40000] = true;
	}
	/* the five even ports are taken: the sixth mapping fails */
	struct rtclab_nat_packet r;
	log.n = 0;
	CU_ASSERT_EQUAL(out_udp(nat, 0, A("10.0.0.2", 6000), A("198.51.100.1", 2000), &r), RTCLAB_NAT_DROP);
	CU_ASSERT(logged(&log, RTCLAB_NAT_DROPPED, RTCLAB_NAT_R_NO_PORT));
	rtclab_nat_free(nat);
}

/* --- RFC 4787 4.3: timers ------------------------------------------------------------ */

static void test_expiry_and_refresh(void)
{
	struct log log;
	struct rtclab_nat_config cfg = config(RTCLAB_NAT_EI, RTCLAB_NAT_EI);
	cfg.udp_lifetime = RTCLAB_SEC(120);
	struct rtclab_nat *nat = make_nat(&cfg, &log);
	struct rtclab_addr x = A("10.0.0.2", 5000), y = A("198.51.100.1", 3478);
	struct rtclab_nat_packet r, in;
	out_udp(nat, 0, x, y, &r);
	struct rtclab_addr ext = r.src;
	CU_ASSERT_EQUAL(rtclab_nat_next_expiry(nat), RTCLAB_SEC(120));
	/* outbound refresh (REQ-6) */
	out_udp(nat, RTCLAB_SEC(119), x, y, &r);
	CU_ASSERT_EQUAL(rtclab_nat_next_expiry(nat), RTCLAB_SEC(239));
	/* inbound does not refresh by default */
	CU_ASSERT_EQUAL(in_udp(nat, RTCLAB_SEC(238), y, ext, &in), RTCLAB_NAT_PASS);
	CU_ASSERT_EQUAL(rtclab_nat_next_expiry(nat), RTCLAB_SEC(239));
	log.n = 0;
	CU_ASSERT_EQUAL(in_udp(nat, RTCLAB_SEC(240), y, ext, &in), RTCLAB_NAT_DROP);
	CU_ASSERT_EQUAL_FATAL(log.n, 2);
	CU_ASSERT_EQUAL(log.d[0].kind, RTCLAB_NAT_MAPPING_EXPIRED);
	CU_ASSERT_EQUAL(log.d[0].reason, RTCLAB_NAT_R_TIMEOUT);
	CU_ASSERT_EQUAL(log.d[0].time, RTCLAB_SEC(239)); /* when it ran out, not when noticed */
	CU_ASSERT_EQUAL(log.d[1].reason, RTCLAB_NAT_R_NO_MAPPING);
	CU_ASSERT_EQUAL(rtclab_nat_mapping_count(nat), 0);
	CU_ASSERT_EQUAL(rtclab_nat_next_expiry(nat), RTCLAB_NEVER);
	rtclab_nat_free(nat);

	/* with inbound refresh, the inbound packet restarts the timer */
	cfg.inbound_refresh = true;
	nat = make_nat(&cfg, &log);
	out_udp(nat, 0, x, y, &r);
	in_udp(nat, RTCLAB_SEC(100), y, r.src, &in);
	CU_ASSERT_EQUAL(rtclab_nat_next_expiry(nat), RTCLAB_SEC(220));
	CU_ASSERT(logged(&log, RTCLAB_NAT_MAPPING_REFRESHED, RTCLAB_NAT_R_NONE));
	/* advance alone reports the expiry */
	log.n = 0;
	rtclab_nat_advance(nat, RTCLAB_SEC(300));
	CU_ASSERT_EQUAL(log.n, 1);
	CU_ASSERT_EQUAL(log.d[0].kind, RTCLAB_NAT_MAPPING_EXPIRED);
	rtclab_nat_free(nat);
}

static void test_flush(void)
{
	struct log log;
	struct rtclab_nat_config cfg = config(RTCLAB_NAT_EI, RTCLAB_NAT_APD);
	struct rtclab_nat *nat = make_nat(&cfg, &log);
	struct rtclab_nat_packet r1, r2;
	out_udp(nat, 0, A("10.0.0.2", 5000), A("198.51.100.1", 3478), &r1);
	out_udp(nat, 0, A("10.0.0.3", 5000), A("198.51.100.1", 3478), &r2);
	log.n = 0;
	rtclab_nat_flush(nat, RTCLAB_SEC(10));
	CU_ASSERT_EQUAL(log.n, 2);
	CU_ASSERT(logged(&log, RTCLAB_NAT_MAPPING_EXPIRED, RTCLAB_NAT_R_FLUSHED));
	out_udp(nat, RTCLAB_SEC(11), A("10.0.0.2", 5000), A("198.51.100.1", 3478), &r2);
	CHECKF(r2.src.port != r1.src.port, "a new external port after rebinding: %u", r2.src.port);
	rtclab_nat_free(nat);
}

/* --- RFC 4787 6: hairpinning -------------------------------------------------------- */

static void test_hairpin(void)
{
	static const enum rtclab_nat_hairpin modes[] = {RTCLAB_NAT_HAIRPIN_OFF, RTCLAB_NAT_HAIRPIN_EXTERNAL,
							RTCLAB_NAT_HAIRPIN_INTERNAL};
	for (size_t i = 0; i < 3; i++) {
		struct log log;
		struct rtclab_nat_config cfg = config(RTCLAB_NAT_EI, RTCLAB_NAT_EI);
		cfg.hairpin = modes[i];
		struct rtclab_nat *nat = make_nat(&cfg, &log);
		struct rtclab_addr a = A("10.0.0.2", 5000), b = A("10.0.0.3", 6000);
		struct rtclab_nat_packet rb, ra, h;
		out_udp(nat, 0, b, A("198.51.100.1", 3478), &rb); /* B's mapping */
		out_udp(nat, 0, a, A("198.51.100.1", 3478), &ra); /* A's mapping */
		log.n = 0;
		enum rtclab_nat_verdict v = out_udp(nat, 1, a, rb.src, &h);
		if (modes[i] == RTCLAB_NAT_HAIRPIN_OFF) {
			CU_ASSERT_EQUAL(v, RTCLAB_NAT_DROP);
			CU_ASSERT(logged(&log, RTCLAB_NAT_DROPPED, RTCLAB_NAT_R_NO_HAIRPIN));
		} else {
			CU_ASSERT_EQUAL(v, RTCLAB_NAT_HAIRPIN);
			CU_ASSERT(rtclab_addr_equal(&h.dst, &b));
			CU_ASSERT(rtclab_addr_equal(&h.src, modes[i] == RTCLAB_NAT_HAIRPIN_EXTERNAL ? &ra.src : &a));
			CU_ASSERT(logged(&log, RTCLAB_NAT_HAIRPINNED, RTCLAB_NAT_R_NONE));
		}
		rtclab_nat_free(nat);
	}
	/* hairpinned packets are filtered like inbound ones: with APDF, B never
	 * sent to A's external address */
	struct log log;
	struct rtclab_nat_config cfg = config(RTCLAB_NAT_EI, RTCLAB_NAT_APD);
	struct rtclab_nat *nat = make_nat(&cfg, &log);
	struct rtclab_nat_packet rb, h;
	out_udp(nat, 0, A("10.0.0.3", 6000), A("198.51.100.1", 3478), &rb);
	CU_ASSERT_EQUAL(out_udp(nat, 1, A("10.0.0.2", 5000), rb.src, &h), RTCLAB_NAT_DROP);
	CU_ASSERT(logged(&log, RTCLAB_NAT_INBOUND_FILTERED, RTCLAB_NAT_R_ADDRESS_NOT_SENT));
	rtclab_nat_free(nat);
}

/* --- firewalls ------------------------------------------------------------------------- */

static enum rtclab_nat_verdict tcp(struct rtclab_nat *nat, bool outbound, bool syn, struct rtclab_addr src,
				   struct rtclab_addr dst, struct rtclab_nat_packet *res)
{
	struct rtclab_nat_packet p = {RTCLAB_L4_TCP, syn, src, dst};
	return outbound ? rtclab_nat_outbound(nat, 0, &p, res) : rtclab_nat_inbound(nat, 0, &p, res);
}

static void test_firewall_block_udp(void)
{
	struct log log;
	struct rtclab_nat_config cfg = config(RTCLAB_NAT_EI, RTCLAB_NAT_EI);
	cfg.firewall = RTCLAB_NAT_FW_BLOCK_UDP;
	struct rtclab_nat *nat = make_nat(&cfg, &log);
	struct rtclab_nat_packet r;
	CU_ASSERT_EQUAL(out_udp(nat, 0, A("10.0.0.2", 5000), A("198.51.100.1", 3478), &r), RTCLAB_NAT_DROP);
	CU_ASSERT(logged(&log, RTCLAB_NAT_FIREWALL_DROPPED, RTCLAB_NAT_R_UDP_BLOCKED));
	CU_ASSERT_EQUAL(rtclab_nat_mapping_count(nat), 0);
	/* TCP to any port passes, and its replies come in */
	CU_ASSERT_EQUAL(tcp(nat, true, true, A("10.0.0.2", 5001), A("198.51.100.1", 3478), &r), RTCLAB_NAT_PASS);
	struct rtclab_nat_packet in;
	CU_ASSERT_EQUAL(tcp(nat, false, false, A("198.51.100.1", 3478), r.src, &in), RTCLAB_NAT_PASS);
	CU_ASSERT_EQUAL(in_udp(nat, 0, A("198.51.100.1", 3478), r.src, &in), RTCLAB_NAT_DROP);
	rtclab_nat_free(nat);
}

static void test_firewall_tcp_443(void)
{
	struct log log;
	struct rtclab_nat_config cfg = config(RTCLAB_NAT_EI, RTCLAB_NAT_EI);
	cfg.firewall = RTCLAB_NAT_FW_TCP_443;
	struct rtclab_nat *nat = make_nat(&cfg, &log);
	struct rtclab_addr x = A("10.0.0.2", 40000), turn = A("198.51.100.1", 443);
	struct rtclab_nat_packet r, in;
	CU_ASSERT_EQUAL(out_udp(nat, 0, x, turn, &r), RTCLAB_NAT_DROP);
	CU_ASSERT(logged(&log, RTCLAB_NAT_FIREWALL_DROPPED, RTCLAB_NAT_R_UDP_BLOCKED));
	CU_ASSERT_EQUAL(tcp(nat, true, true, x, A("198.51.100.1", 3478), &r), RTCLAB_NAT_DROP);
	CU_ASSERT(logged(&log, RTCLAB_NAT_FIREWALL_DROPPED, RTCLAB_NAT_R_TCP_NOT_443));
	CU_ASSERT_EQUAL(tcp(nat, true, false, x, turn, &r), RTCLAB_NAT_DROP);
	CU_ASSERT(logged(&log, RTCLAB_NAT_FIREWALL_DROPPED, RTCLAB_NAT_R_TCP_NOT_OPENED));
	/* an inbound SYN before any connection */
	CU_ASSERT_EQUAL(tcp(nat, false, true, turn, A("203.0.113.1", 40000), &in), RTCLAB_NAT_DROP);
	CU_ASSERT(logged(&log, RTCLAB_NAT_FIREWALL_DROPPED, RTCLAB_NAT_R_NOT_ESTABLISHED));
	/* opened from inside: both ways pass */
	CU_ASSERT_EQUAL(tcp(nat, true, true, x, turn, &r), RTCLAB_NAT_PASS);
	CU_ASSERT_EQUAL(tcp(nat, true, false, x, turn, &r), RTCLAB_NAT_PASS);
	CU_ASSERT_EQUAL(tcp(nat, false, false, turn, r.src, &in), RTCLAB_NAT_PASS);
	CU_ASSERT(rtclab_addr_equal(&in.dst, &x));
	/* even with endpoint-independent filtering, another server may not use it */
	log.n = 0;
	CU_ASSERT_EQUAL(tcp(nat, false, false, A("198.51.100.9", 443), r.src, &in), RTCLAB_NAT_DROP);
	CU_ASSERT(logged(&log, RTCLAB_NAT_FIREWALL_DROPPED, RTCLAB_NAT_R_NOT_ESTABLISHED));
	rtclab_nat_free(nat);
}

/* --- IPv6 and no NAT ------------------------------------------------------------------ */

static void test_untranslated(void)
{
	struct log log;
	struct rtclab_nat_config cfg = config(RTCLAB_NAT_APD, RTCLAB_NAT_APD);
	struct rtclab_nat *nat = make_nat(&cfg, &log);
	struct rtclab_addr x = A("2001:db8:a::2", 5000), y = A("2001:db8:ff::1", 3478);
	struct rtclab_nat_packet r, in;
	CU_ASSERT_EQUAL(out_udp(nat, 0, x, y, &r), RTCLAB_NAT_PASS);
	CU_ASSERT(rtclab_addr_equal(&r.src, &x)); /* no NAT66 */
	CU_ASSERT(logged(&log, RTCLAB_NAT_OUTBOUND_FORWARDED, RTCLAB_NAT_R_NONE));
	CU_ASSERT(rtclab_nat_passes_untranslated(nat, RTCLAB_FAMILY_IPV6));
	CU_ASSERT(!rtclab_nat_passes_untranslated(nat, RTCLAB_FAMILY_IPV4));
	CU_ASSERT_EQUAL(in_udp(nat, 1, y, x, &in), RTCLAB_NAT_PASS);
	CU_ASSERT_EQUAL(in_udp(nat, 1, A("2001:db8:ff::1", 9), x, &in), RTCLAB_NAT_DROP); /* the firewall's APDF */
	CU_ASSERT_EQUAL(in_udp(nat, 1, y, A("2001:db8:a::3", 5000), &in), RTCLAB_NAT_DROP);
	rtclab_nat_free(nat);

	/* "open": no translation, no filtering, no state */
	CU_ASSERT_EQUAL(rtclab_nat_config_from_name("open", &cfg), RTCLAB_NAT_OK);
	struct rtclab_nat *open = NULL;
	CU_ASSERT_EQUAL_FATAL(rtclab_nat_new(&open, &cfg, NULL, 0, NULL, record, &log), RTCLAB_NAT_OK);
	struct rtclab_addr x4 = A("198.51.100.20", 5000);
	CU_ASSERT_EQUAL(in_udp(open, 0, A("192.0.2.1", 1), x4, &in), RTCLAB_NAT_PASS);
	CU_ASSERT_EQUAL(out_udp(open, 0, x4, A("192.0.2.1", 1), &r), RTCLAB_NAT_PASS);
	CU_ASSERT(rtclab_addr_equal(&r.src, &x4));
	CU_ASSERT_EQUAL(rtclab_nat_mapping_count(open), 0);
	rtclab_nat_free(open);
}

/* RFC 4787 4.1 REQ-2: "paired" pooling. */
static void test_paired_pool(void)
{
	struct rtclab_addr ext[2] = {A("203.0.113.1", 0), A("203.0.113.2", 0)};
	struct rtclab_nat_config cfg = config(RTCLAB_NAT_APD, RTCLAB_NAT_APD);
	struct rtclab_nat *nat;
	CU_ASSERT_EQUAL_FATAL(rtclab_nat_new(&nat, &cfg, ext, 2, NULL, NULL, NULL), RTCLAB_NAT_OK);
	struct rtclab_nat_packet a1, b1, a2;
	out_udp(nat, 0, A("10.0.0.2", 5000), A("198.51.100.1", 1), &a1);
	out_udp(nat, 0, A("10.0.0.3", 5000), A("198.51.100.1", 1), &b1);
	out_udp(nat, 0, A("10.0.0.2", 5001), A("198.51.100.2", 1), &a2);
	CU_ASSERT(!rtclab_addr_equal(&a1.src, &b1.src) && a1.src.ip[3] != b1.src.ip[3]);
	CU_ASSERT_EQUAL(a1.src.ip[3], a2.src.ip[3]);
	CU_ASSERT(rtclab_nat_is_external(nat, &b1.src));
	rtclab_nat_free(nat);
	struct rtclab_addr dup[2] = {ext[0], ext[0]};
	CU_ASSERT_EQUAL(rtclab_nat_new(&nat, &cfg, dup, 2, NULL, NULL, NULL), RTCLAB_NAT_E_EXTERNAL);
	CU_ASSERT_EQUAL(rtclab_nat_new(&nat, &cfg, NULL, 0, NULL, NULL, NULL), RTCLAB_NAT_E_NO_EXTERNAL);
	cfg.port_min = 2000;
	cfg.port_max = 1000;
	CU_ASSERT_EQUAL(rtclab_nat_new(&nat, &cfg, ext, 1, NULL, NULL, NULL), RTCLAB_NAT_E_PORT_RANGE);
	CU_ASSERT_PTR_NULL(nat);
}

/* --- names and presets ------------------------------------------------------------------ */

static void test_presets(void)
{
	static const struct {
		const char *name;
		bool translate;
		enum rtclab_nat_behavior m, f;
	} table[] = {
		{"full-cone", true, RTCLAB_NAT_EI, RTCLAB_NAT_EI},
		{"restricted-cone", true, RTCLAB_NAT_EI, RTCLAB_NAT_AD},
		{"port-restricted-cone", true, RTCLAB_NAT_EI, RTCLAB_NAT_APD},
		{"symmetric", true, RTCLAB_NAT_APD, RTCLAB_NAT_APD},
		{"linux", true, RTCLAB_NAT_EI, RTCLAB_NAT_APD},
		{"open", false, RTCLAB_NAT_EI, RTCLAB_NAT_EI},
		{"adm-eif", true, RTCLAB_NAT_AD, RTCLAB_NAT_EI},
		{"apdm-adf", true, RTCLAB_NAT_APD, RTCLAB_NAT_AD},
	};
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		struct rtclab_nat_config c;
		CU_ASSERT_EQUAL_FATAL(rtclab_nat_config_from_name(table[i].name, &c), RTCLAB_NAT_OK);
		CHECKF(c.translate == table[i].translate && c.mapping == table[i].m && c.filtering == table[i].f,
		       "%s is %s", table[i].name, rtclab_nat_config_name(&c));
	}
	struct rtclab_nat_config lx, sym, apd;
	rtclab_nat_config_from_name("linux", &lx);
	CU_ASSERT_EQUAL(lx.port_alloc, RTCLAB_NAT_PORT_PRESERVE);
	CU_ASSERT_EQUAL(lx.hairpin, RTCLAB_NAT_HAIRPIN_OFF);
	rtclab_nat_config_from_name("symmetric", &sym);
	rtclab_nat_config_from_name("apdm-apdf", &apd);
	CU_ASSERT(memcmp(&sym, &apd, sizeof sym) == 0);

	size_t n;
	const char *const *names = rtclab_nat_matrix_names(&n);
	CU_ASSERT_EQUAL_FATAL(n, 9);
	for (size_t i = 0; i < n; i++) {
		struct rtclab_nat_config c;
		CU_ASSERT_EQUAL(rtclab_nat_config_from_name(names[i], &c), RTCLAB_NAT_OK);
		CU_ASSERT_EQUAL((size_t)c.mapping * 3 + c.filtering, i);
		CU_ASSERT_STRING_EQUAL(rtclab_nat_config_name(&c), names[i]);
	}
	names = rtclab_nat_preset_names(&n);
	CU_ASSERT_EQUAL(n, 6);
	for (size_t i = 0; i < n; i++) {
		struct rtclab_nat_config c;
		CHECKF(rtclab_nat_config_from_name(names[i], &c) == RTCLAB_NAT_OK, "%s", names[i]);
	}

	struct rtclab_nat_config c = sym;
	size_t where = 99;
	CU_ASSERT_EQUAL(rtclab_nat_config_from_name_at("apdm-xyz", &c, &where), RTCLAB_NAT_E_UNKNOWN_NAME);
	CU_ASSERT_EQUAL(where, 5);
	CU_ASSERT(memcmp(&c, &sym, sizeof c) == 0); /* untouched */
	CU_ASSERT_EQUAL(rtclab_nat_config_from_name("cone", &c), RTCLAB_NAT_E_UNKNOWN_NAME);
	CU_ASSERT_EQUAL(rtclab_nat_config_from_name("Symmetric", &c), RTCLAB_NAT_E_UNKNOWN_NAME);
	CU_ASSERT_EQUAL(rtclab_nat_config_from_name("eim-", &c), RTCLAB_NAT_E_UNKNOWN_NAME);
	CU_ASSERT_EQUAL(rtclab_nat_config_from_name("xim-eif", &c), RTCLAB_NAT_E_UNKNOWN_NAME);
	CU_ASSERT(strstr(rtclab_nat_error_str(RTCLAB_NAT_E_UNKNOWN_NAME), "apdm") != NULL);

	enum rtclab_nat_firewall fw;
	CU_ASSERT(rtclab_nat_firewall_from_name("tcp-443", &fw) && fw == RTCLAB_NAT_FW_TCP_443);
	CU_ASSERT(rtclab_nat_firewall_from_name("block-udp", &fw) && fw == RTCLAB_NAT_FW_BLOCK_UDP);
	CU_ASSERT(!rtclab_nat_firewall_from_name("tcp", &fw));
}

/* Every decision of a small run explains itself in one sentence with its
 * RFC section, and names the addresses involved. */
static void test_explanations(void)
{
	struct log log;
	struct rtclab_nat_config cfg = config(RTCLAB_NAT_EI, RTCLAB_NAT_APD);
	cfg.udp_lifetime = RTCLAB_SEC(120);
	struct rtclab_nat *nat = make_nat(&cfg, &log);
	struct rtclab_nat_packet r, in;
	out_udp(nat, 0, A("10.0.0.2", 5000), A("198.51.100.1", 3478), &r);
	out_udp(nat, 1, A("10.0.0.2", 5000), A("198.51.100.2", 3478), &r);
	in_udp(nat, 2, A("198.51.100.1", 3478), r.src, &in);
	in_udp(nat, 3, A("198.51.100.1", 9), r.src, &in);
	in_udp(nat, 4, A("192.0.2.9", 9), r.src, &in);
	rtclab_nat_advance(nat, RTCLAB_SEC(500));
	CU_ASSERT(log.n >= 8);
	for (size_t i = 0; i < log.n; i++) {
		char buf[512];
		size_t n = rtclab_nat_decision_explain(&log.d[i], buf, sizeof buf);
		CHECKF(n > 20 && n < sizeof buf && strstr(buf, log.d[i].rfc) && buf[n - 1] == '.',
		       "%s: %s", rtclab_nat_decision_kind_name(log.d[i].kind), buf);
	}
	char buf[512];
	for (size_t i = 0; i < log.n; i++) {
		if (log.d[i].kind != RTCLAB_NAT_INBOUND_FILTERED || log.d[i].reason != RTCLAB_NAT_R_PORT_NOT_SENT)
			continue;
		rtclab_nat_decision_explain(&log.d[i], buf, sizeof buf);
		CHECKF(strstr(buf, "198.51.100.1:9") && strstr(buf, "address-and-port-dependent") &&
			       strstr(buf, "RFC 4787 5"),
		       "%s", buf);
	}
	/* a short buffer is cut and terminated */
	char small[8];
	size_t need = rtclab_nat_decision_explain(&log.d[0], small, sizeof small);
	CU_ASSERT(need > sizeof small && strlen(small) == sizeof small - 1);
	CU_ASSERT_STRING_EQUAL(rtclab_nat_decision_kind_name(RTCLAB_NAT_INBOUND_FILTERED), "inbound-filtered");
	CU_ASSERT_STRING_EQUAL(rtclab_nat_reason_name(RTCLAB_NAT_R_FAMILY), "family");
	rtclab_nat_free(nat);
}

RTCLAB_SUITE(nat)
{
	static const struct unit_test tests[] = {
		{"mapping behaviours (RFC 4787 4.1)", test_mapping_behaviours},
		{"filtering behaviours (RFC 4787 5)", test_filtering_behaviours},
		{"port preservation (4.2.1)", test_port_preservation},
		{"sequential ports and parity (4.2.2)", test_port_parity_and_sequence},
		{"random ports, parity, exhaustion", test_port_random_and_exhaustion},
		{"expiry and refresh (4.3)", test_expiry_and_refresh},
		{"flush (rebinding)", test_flush},
		{"hairpinning (6)", test_hairpin},
		{"firewall: UDP blocked", test_firewall_block_udp},
		{"firewall: only outbound TCP to 443", test_firewall_tcp_443},
		{"IPv6 and open: no translation", test_untranslated},
		{"paired address pooling, config errors", test_paired_pool},
		{"presets and names", test_presets},
		{"explanations", test_explanations},
		{NULL, NULL},
	};
	unit_add_suite("nat", tests);
}
