/* ICE numbers and the check list (lib/ice.c): candidate priorities and their
 * parts, pair priorities, and check lists formed from small hand-made sets of
 * candidates (RFC 8445 5.1.2, 6.1.2; RFC 6544 6.2 for TCP). */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "rtclab/ice.h"
#include "unit.h"

/* --- candidate priority ---------------------------------------------------------- */

struct split_case {
	uint32_t priority;
	unsigned type_pref, local_pref, component;
	const char *source;
};

static const struct split_case splits[] = {
	/* RFC 8445 5.1.2: the recommended type preferences with local preference
	 * 65535 (a single interface); 1694498815 is RFC 8839's srflx example. */
	{2130706431, 126, 65535, 1, "host, one interface"},
	{1862270975, 110, 65535, 1, "prflx"},
	{1694498815, 100, 65535, 1, "srflx (RFC 8839 5.1 example)"},
	{16777215, 0, 65535, 1, "relay (pion)"},
	{2130706430, 126, 65535, 2, "host, RTCP"},
	/* RFC 5769 2.1: the PRIORITY attribute of the sample request */
	{1845494271, 110, 1, 1, "RFC 5769 sample request"},
	/* Chrome */
	{2122260223, 126, 32542, 1, "Chrome host"},
	{2122260222, 126, 32542, 2, "Chrome host, RTCP"},
	{1686052607, 100, 32542, 1, "Chrome srflx"},
	{1518280447, 90, 32542, 1, "Chrome TCP host"},
	{33562367, 2, 30, 1, "Chrome relay (UDP TURN)"},
	/* Firefox */
	{2122252543, 126, 32512, 1, "Firefox host"},
	{1685921791, 100, 32031, 1, "Firefox srflx"},
	/* RFC 6544 4.2 TCP local preferences: 2^13 direction + other (hacky.sdp) */
	{2128609279, 126, 6 * 8192 + 8191, 1, "TCP active host"},
	{2124414975, 126, 4 * 8192 + 8191, 1, "TCP passive host"},
	{2120220671, 126, 2 * 8192 + 8191, 1, "TCP so host"},
	/* odd ones */
	{659136, 0, 2574, 64, "a host with type preference 0 and component 64"},
	{2147483647, 127, 65535, 1, "the largest priority"},
	{1, 0, 0, 255, "the smallest"},
	{256, 0, 1, 256, "component 256"},
};

static void test_type_preferences(void)
{
	CU_ASSERT_EQUAL(rtclab_ice_type_preference(RTCLAB_CAND_HOST), 126);
	CU_ASSERT_EQUAL(rtclab_ice_type_preference(RTCLAB_CAND_PRFLX), 110);
	CU_ASSERT_EQUAL(rtclab_ice_type_preference(RTCLAB_CAND_SRFLX), 100);
	CU_ASSERT_EQUAL(rtclab_ice_type_preference(RTCLAB_CAND_RELAY), 0);
}

static void test_priority_split(void)
{
	for (size_t i = 0; i < sizeof splits / sizeof splits[0]; i++) {
		const struct split_case *s = &splits[i];
		struct rtclab_ice_priority_parts p = rtclab_ice_priority_split(s->priority);
		char msg[200];
		snprintf(msg, sizeof msg, "%s: %u splits into %u/%u/%u", s->source, s->priority, p.type_pref,
			 p.local_pref, p.component);
		CU_assertImplementation(p.type_pref == s->type_pref && p.local_pref == s->local_pref &&
						p.component == s->component,
					__LINE__, msg, __FILE__, "", CU_FALSE);
		CU_ASSERT_EQUAL(rtclab_ice_priority(s->type_pref, s->local_pref, s->component), s->priority);
	}
	/* out of range parts are masked, never spill into the next field */
	CU_ASSERT_EQUAL(rtclab_ice_priority(126, 0x1FFFF, 1), rtclab_ice_priority(126, 0xFFFF, 1));
	CU_ASSERT_EQUAL(rtclab_ice_priority(0, 0, 0), 0);
}

static void test_priority_explain(void)
{
	char buf[1024];
	size_t n = rtclab_ice_priority_explain(2130706431, buf, sizeof buf);
	CU_ASSERT_EQUAL(n, strlen(buf));
	CU_ASSERT_EQUAL(strncmp(buf, "2130706431 = type preference 126 (host) x 2^24 + local preference 65535 x 2^8 "
				     "+ (256 - component 1). ", 98), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "recommends for host candidates"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "Component 1 is RTP"));

	rtclab_ice_priority_explain(2122260223, buf, sizeof buf);
	CU_ASSERT_EQUAL(strncmp(buf, "2122260223 = type preference 126 (host) x 2^24 + local preference 32542 x 2^8 "
				     "+ (256 - component 1).", 97), 0);
	rtclab_ice_priority_explain(1686052606, buf, sizeof buf);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "type preference 100 (srflx) x 2^24"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "component 2)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "Component 2 is RTCP"));
	rtclab_ice_priority_explain(33562367, buf, sizeof buf);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "type preference 2 x 2^24"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "not one of the values RFC 8445 5.1.2.2 recommends"));
	rtclab_ice_priority_explain(16777215, buf, sizeof buf);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "type preference 0 (relay)"));
	rtclab_ice_priority_explain(2147483647, buf, sizeof buf);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "127 breaks RFC 8445 5.1.2.1"));

	/* like snprintf: the length it needs, truncated and NUL-terminated */
	char small[12];
	CU_ASSERT_EQUAL(rtclab_ice_priority_explain(2130706431, small, sizeof small), n);
	CU_ASSERT_STRING_EQUAL(small, "2130706431 ");
	CU_ASSERT_EQUAL(rtclab_ice_priority_explain(2130706431, NULL, 0), n);
}

/* --- pair priority --------------------------------------------------------------- */

static void test_pair_priority(void)
{
	uint64_t host = 2130706431, srflx = 1694498815;
	/* 6.1.2.3: 2^32*MIN(G,D) + 2*MAX(G,D) + (G>D?1:0) */
	CU_ASSERT_EQUAL(rtclab_ice_pair_priority(2130706431, 1694498815), (srflx << 32) + 2 * host + 1);
	CU_ASSERT_EQUAL(rtclab_ice_pair_priority(1694498815, 2130706431), (srflx << 32) + 2 * host);
	CU_ASSERT_EQUAL(rtclab_ice_pair_priority(2130706431, 2130706431), (host << 32) + 2 * host);
	/* the G > D bit is the only difference between swapped priorities */
	CU_ASSERT_EQUAL(rtclab_ice_pair_priority(7, 5) - rtclab_ice_pair_priority(5, 7), 1);
	CU_ASSERT_EQUAL(rtclab_ice_pair_priority(7, 5), (5ULL << 32) + 15);
	/* the largest value fits in 63 bits */
	CU_ASSERT_EQUAL(rtclab_ice_pair_priority(0x7FFFFFFF, 0x7FFFFFFF), 0x7FFFFFFFFFFFFFFEULL);
	CU_ASSERT_EQUAL(rtclab_ice_pair_priority(0x7FFFFFFF, 0x7FFFFFFE), 0x7FFFFFFEFFFFFFFFULL);
	/* the smaller priority dominates */
	CU_ASSERT_TRUE(rtclab_ice_pair_priority(2130706431, 100) < rtclab_ice_pair_priority(200, 200));

	char buf[1024];
	size_t n = rtclab_ice_pair_priority_explain(2130706431, 1694498815, buf, sizeof buf);
	CU_ASSERT_EQUAL(n, strlen(buf));
	char want[200];
	snprintf(want, sizeof want, "%llu = 2^32 x MIN(G,D) + 2 x MAX(G,D) + (G > D ? 1 : 0) = 2^32 x 1694498815 + 2 x "
		 "2130706431 + 1, with G = 2130706431 the controlling agent's candidate priority and D = 1694498815",
		 (unsigned long long)((srflx << 32) + 2 * host + 1));
	CU_ASSERT_EQUAL(strncmp(buf, want, strlen(want)), 0);
	rtclab_ice_pair_priority_explain(1694498815, 2130706431, buf, sizeof buf);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "+ 2 x 2130706431 + 0, with G = 1694498815"));
	char tiny[1] = {'x'};
	size_t m = rtclab_ice_pair_priority_explain(1, 2, tiny, sizeof tiny);
	CU_ASSERT_EQUAL(tiny[0], '\0');
	CU_ASSERT_EQUAL(m, rtclab_ice_pair_priority_explain(1, 2, NULL, 0));
	CU_ASSERT_TRUE(m > 100);
}

static void test_names(void)
{
	CU_ASSERT_STRING_EQUAL(rtclab_ice_pair_state_name(RTCLAB_PAIR_FROZEN), "Frozen");
	CU_ASSERT_STRING_EQUAL(rtclab_ice_pair_state_name(RTCLAB_PAIR_WAITING), "Waiting");
	CU_ASSERT_STRING_EQUAL(rtclab_ice_pair_state_name(RTCLAB_PAIR_IN_PROGRESS), "In-Progress");
	CU_ASSERT_STRING_EQUAL(rtclab_ice_pair_state_name(RTCLAB_PAIR_SUCCEEDED), "Succeeded");
	CU_ASSERT_STRING_EQUAL(rtclab_ice_pair_state_name(RTCLAB_PAIR_FAILED), "Failed");
	for (int p = RTCLAB_PRUNE_NONE; p <= RTCLAB_PRUNE_UNRESOLVED; p++)
		CU_ASSERT_PTR_NOT_NULL(strstr(rtclab_ice_prune_str((enum rtclab_ice_prune)p), " "));
	CU_ASSERT_PTR_NOT_NULL(strstr(rtclab_ice_prune_str(RTCLAB_PRUNE_UNRESOLVED), "offline"));
	CU_ASSERT_PTR_NOT_NULL(strstr(rtclab_ice_prune_str(RTCLAB_PRUNE_UNRESOLVED), "mDNS"));
	CU_ASSERT_PTR_NOT_NULL(strstr(rtclab_ice_prune_str(RTCLAB_PRUNE_REDUNDANT), "6.1.2.4"));
	CU_ASSERT_PTR_NOT_NULL(strstr(rtclab_ice_prune_str(RTCLAB_PRUNE_LIMIT), "100"));
}

/* --- check lists ------------------------------------------------------------------ */

#define MAXC 8
#define MAXP (MAXC * MAXC)

static struct rtclab_candidate loc[MAXC], rem[MAXC];
static size_t n_loc, n_rem;
static struct rtclab_ice_pair pairs[MAXP];

static void cands(struct rtclab_candidate *out, size_t *n, const char *const *lines)
{
	for (*n = 0; lines[*n]; (*n)++) {
		size_t column;
		enum rtclab_cand_error e = rtclab_candidate_parse(&out[*n], lines[*n], strlen(lines[*n]), &column);
		CU_ASSERT_EQUAL_FATAL(e, RTCLAB_CAND_OK);
	}
}

static size_t checklist(const char *const *l, const char *const *r, bool controlling, size_t limit, size_t *kept)
{
	struct rtclab_ice_checklist_opts o = {controlling, limit};
	cands(loc, &n_loc, l);
	cands(rem, &n_rem, r);
	size_t n = rtclab_ice_checklist(loc, n_loc, rem, n_rem, &o, pairs, MAXP, kept);
	CU_ASSERT_EQUAL(n, n_loc * n_rem);
	return n;
}

static void assert_pair(size_t i, size_t l, size_t r, enum rtclab_ice_prune why)
{
	char msg[160];
	snprintf(msg, sizeof msg, "pair %zu is L%zu-R%zu %d, expected L%zu-R%zu %d", i, pairs[i].local, pairs[i].remote,
		 pairs[i].pruned, l, r, why);
	CU_assertImplementation(pairs[i].local == l && pairs[i].remote == r && pairs[i].pruned == why, __LINE__, msg,
				__FILE__, "", CU_FALSE);
}

#define HOST_L "candidate:1 1 udp 2130706431 192.168.1.5 5000 typ host"
#define SRFLX_L "candidate:2 1 udp 1694498815 203.0.113.5 6000 typ srflx raddr 192.168.1.5 rport 5000"
#define HOST_R "candidate:a 1 udp 2130706431 10.0.0.9 7000 typ host"
#define SRFLX_R "candidate:b 1 udp 1694498815 198.51.100.9 7100 typ srflx raddr 10.0.0.9 rport 7000"

/* 6.1.2.4: the srflx candidate is replaced by its base, which duplicates the host pair. */
static void test_srflx_by_base(void)
{
	static const char *const l[] = {HOST_L, SRFLX_L, NULL}, *const r[] = {HOST_R, SRFLX_R, NULL};
	size_t kept;
	checklist(l, r, true, 0, &kept);
	CU_ASSERT_EQUAL(kept, 2);
	assert_pair(0, 0, 0, RTCLAB_PRUNE_NONE); /* host-host */
	assert_pair(1, 0, 1, RTCLAB_PRUNE_NONE); /* host-srflx */
	assert_pair(2, 1, 0, RTCLAB_PRUNE_REDUNDANT);
	assert_pair(3, 1, 1, RTCLAB_PRUNE_REDUNDANT);
	CU_ASSERT_TRUE(pairs[2].via_base && pairs[3].via_base);
	CU_ASSERT_FALSE(pairs[0].via_base);
	CU_ASSERT_EQUAL(pairs[2].same_as, 0);
	CU_ASSERT_EQUAL(pairs[3].same_as, 1);
	CU_ASSERT_EQUAL(pairs[0].same_as, SIZE_MAX);
	/* the pair keeps the priority of the srflx candidate */
	CU_ASSERT_EQUAL(pairs[2].priority, rtclab_ice_pair_priority(1694498815, 2130706431));
	CU_ASSERT_STRING_EQUAL(pairs[0].foundation, "1:a");
	CU_ASSERT_STRING_EQUAL(pairs[3].foundation, "2:b");

	/* without its host candidate in the list, the srflx pair stays, sent from the base */
	static const char *const l2[] = {SRFLX_L, NULL};
	checklist(l2, r, true, 0, &kept);
	CU_ASSERT_EQUAL(kept, 2);
	CU_ASSERT_TRUE(pairs[0].via_base);
	/* a hidden base (raddr 0.0.0.0) cannot replace anything */
	static const char *const l3[] = {HOST_L, "candidate:2 1 udp 1694498815 203.0.113.5 5000 typ srflx raddr 0.0.0.0 "
						 "rport 0",
					 NULL};
	checklist(l3, r, true, 0, &kept);
	CU_ASSERT_EQUAL(kept, 4);
	CU_ASSERT_FALSE(pairs[2].via_base);
	/* remote srflx candidates are not replaced: only local ones have a base to send from */
	static const char *const r3[] = {HOST_R, "candidate:b 1 udp 1694498815 10.0.0.9 7000 typ srflx raddr 10.0.0.9 "
						 "rport 7000",
					 NULL};
	static const char *const l4[] = {HOST_L, NULL};
	checklist(l4, r3, true, 0, &kept);
	/* ... but a remote candidate with the same address as another is the same remote */
	CU_ASSERT_EQUAL(kept, 1);
	assert_pair(1, 0, 1, RTCLAB_PRUNE_REDUNDANT);
}

static void test_family_component(void)
{
	static const char *const l[] = {
		"candidate:1 1 udp 2130706431 192.168.1.5 5000 typ host",
		"candidate:2 1 udp 2130706175 2001:db8::5 5000 typ host",
		"candidate:1 2 udp 2130706430 192.168.1.5 5001 typ host",
		NULL,
	};
	static const char *const r[] = {"candidate:a 1 udp 2130706431 2001:db8::9 7000 typ host", NULL};
	size_t kept;
	checklist(l, r, true, 0, &kept);
	CU_ASSERT_EQUAL(kept, 1);
	assert_pair(0, 1, 0, RTCLAB_PRUNE_NONE);
	assert_pair(1, 0, 0, RTCLAB_PRUNE_FAMILY);
	assert_pair(2, 2, 0, RTCLAB_PRUNE_COMPONENT);
}

/* RFC 6544 6.2: active-passive, passive-active, so-so; UDP never with TCP. */
static void test_tcp_pairing(void)
{
	static const char *const l[] = {
		"candidate:1 1 tcp 2128609279 10.0.1.1 9 typ host tcptype active",
		"candidate:2 1 tcp 2124414975 10.0.1.1 8998 typ host tcptype passive",
		"candidate:3 1 tcp 2120220671 10.0.1.1 8999 typ host tcptype so",
		"candidate:4 1 udp 2130706431 10.0.1.1 5000 typ host",
		NULL,
	};
	static const char *const r[] = {
		"candidate:a 1 tcp 2128609279 10.0.2.2 9 typ host tcptype active",
		"candidate:b 1 tcp 2124414975 10.0.2.2 8998 typ host tcptype passive",
		"candidate:c 1 tcp 2120220671 10.0.2.2 8999 typ host tcptype so",
		NULL,
	};
	size_t kept;
	checklist(l, r, true, 0, &kept);
	CU_ASSERT_EQUAL(kept, 3);
	/* priorities: MIN dominates: active-passive (min 2124414975) > so-so (2120220671) */
	assert_pair(0, 0, 1, RTCLAB_PRUNE_NONE); /* active -> passive */
	assert_pair(1, 1, 0, RTCLAB_PRUNE_NONE); /* passive -> active */
	assert_pair(2, 2, 2, RTCLAB_PRUNE_NONE); /* so -> so */
	CU_ASSERT_TRUE(pairs[0].priority > pairs[1].priority); /* G > D bit: the local active side is G */
	for (size_t i = 3; i < 12; i++)
		CU_ASSERT_EQUAL(pairs[i].pruned, RTCLAB_PRUNE_TRANSPORT);
}

/* 6.1.2.5: past the limit the lowest-priority pairs go. */
static void test_limit(void)
{
	static const char *const l[] = {
		"candidate:1 1 udp 2130706431 10.0.0.1 1 typ host",
		"candidate:2 1 udp 2130706175 10.0.0.2 1 typ host",
		"candidate:3 1 udp 2130705919 10.0.0.3 1 typ host",
		NULL,
	};
	static const char *const r[] = {
		"candidate:a 1 udp 2130706431 10.1.0.1 1 typ host",
		"candidate:b 1 udp 1694498815 10.1.0.2 1 typ srflx raddr 10.9.9.9 rport 1",
		"candidate:c 1 udp 16777215 10.1.0.3 1 typ relay raddr 10.1.0.2 rport 1",
		"candidate:d 1 udp 2130705919 10.1.0.4 1 typ host",
		NULL,
	};
	size_t kept;
	checklist(l, r, true, 5, &kept);
	CU_ASSERT_EQUAL(kept, 5);
	for (size_t i = 1; i < 12; i++)
		CU_ASSERT_TRUE(i == 5 || pairs[i - 1].priority >= pairs[i].priority); /* each part in order */
	for (size_t i = 5; i < 12; i++)
		CU_ASSERT_EQUAL(pairs[i].pruned, RTCLAB_PRUNE_LIMIT);
	/* the limit cut the lowest: all relay pairs (MIN = 16777215) are among the pruned */
	for (size_t i = 0; i < 5; i++)
		CU_ASSERT_NOT_EQUAL(pairs[i].remote, 2);
	/* the default limit is 100 */
	checklist(l, r, true, 0, &kept);
	CU_ASSERT_EQUAL(kept, 12);
}

/* 6.1.2.6: per foundation, the lowest component and then the highest priority is Waiting. */
static void test_initial_states(void)
{
	static const char *const l[] = {
		"candidate:1 1 udp 2130706431 192.168.1.5 5000 typ host",
		"candidate:1 2 udp 2130706430 192.168.1.5 5001 typ host",
		"candidate:2 1 udp 2130706175 192.168.2.5 5000 typ host",
		NULL,
	};
	static const char *const r[] = {
		"candidate:x 1 udp 2130706431 10.0.0.9 7000 typ host",
		"candidate:x 2 udp 2130706430 10.0.0.9 7001 typ host",
		"candidate:x 1 udp 2130705919 10.0.0.8 7000 typ host",
		NULL,
	};
	size_t kept;
	checklist(l, r, true, 0, &kept);
	CU_ASSERT_EQUAL(kept, 5);
	/* order: L0-R0 (1:x), L1-R1 (1:x, component 2), L2-R0 (2:x), L0-R2 (1:x), L2-R2 (2:x) */
	assert_pair(0, 0, 0, RTCLAB_PRUNE_NONE);
	CU_ASSERT_EQUAL(pairs[0].state, RTCLAB_PAIR_WAITING);
	for (size_t i = 1; i < kept; i++) {
		bool first_of_2 = strcmp(pairs[i].foundation, "2:x") == 0 && pairs[i].local == 2 && pairs[i].remote == 0;
		CU_ASSERT_EQUAL(pairs[i].state, first_of_2 ? RTCLAB_PAIR_WAITING : RTCLAB_PAIR_FROZEN);
	}
	for (size_t i = kept; i < 9; i++)
		CU_ASSERT_EQUAL(pairs[i].state, RTCLAB_PAIR_FROZEN);

	/* a foundation whose only kept pairs are component 2: the best of them waits */
	static const char *const l2[] = {"candidate:9 2 udp 2130706430 192.168.1.5 5001 typ host", NULL};
	checklist(l2, r, true, 0, &kept);
	CU_ASSERT_EQUAL(kept, 1);
	CU_ASSERT_EQUAL(pairs[0].state, RTCLAB_PAIR_WAITING);
	CU_ASSERT_STRING_EQUAL(pairs[0].foundation, "9:x");
}

static void test_unresolved(void)
{
	static const char *const l[] = {HOST_L, NULL};
	static const char *const r[] = {
		"candidate:1 1 udp 2130706431 e2494022-4d9a-4c1e-a750-cc48d4f8d6ee.local 60542 typ host",
		"candidate:2 1 udp 2130706431 turn.example.org 3478 typ host",
		HOST_R,
		NULL,
	};
	size_t kept;
	checklist(l, r, true, 0, &kept);
	CU_ASSERT_EQUAL(kept, 1);
	assert_pair(0, 0, 2, RTCLAB_PRUNE_NONE);
	assert_pair(1, 0, 0, RTCLAB_PRUNE_UNRESOLVED);
	assert_pair(2, 0, 1, RTCLAB_PRUNE_UNRESOLVED);
	/* a local mDNS name (from a browser's own SDP) cannot be paired either */
	static const char *const l2[] = {"candidate:1 1 udp 2130706431 x.local 1 typ host", NULL};
	checklist(l2, r, true, 0, &kept);
	CU_ASSERT_EQUAL(kept, 0);
	CU_ASSERT_EQUAL(pairs[2].pruned, RTCLAB_PRUNE_UNRESOLVED);
}

/* G is the controlling side's priority; equal priorities keep the input order. */
static void test_controlling_and_ties(void)
{
	static const char *const l[] = {"candidate:1 1 udp 100 10.0.0.1 1 typ host",
					"candidate:2 1 udp 100 10.0.0.2 1 typ host", NULL};
	static const char *const r[] = {"candidate:a 1 udp 200 10.1.0.1 1 typ host",
					"candidate:b 1 udp 200 10.1.0.2 1 typ host", NULL};
	size_t kept;
	checklist(l, r, true, 0, &kept);
	CU_ASSERT_EQUAL(pairs[0].priority, rtclab_ice_pair_priority(100, 200));
	CU_ASSERT_EQUAL(pairs[0].priority, (100ULL << 32) + 400);
	assert_pair(0, 0, 0, RTCLAB_PRUNE_NONE);
	assert_pair(1, 0, 1, RTCLAB_PRUNE_NONE);
	assert_pair(2, 1, 0, RTCLAB_PRUNE_NONE);
	assert_pair(3, 1, 1, RTCLAB_PRUNE_NONE);
	checklist(l, r, false, 0, &kept);
	CU_ASSERT_EQUAL(pairs[0].priority, (100ULL << 32) + 401); /* G = 200 > D = 100 */
	/* opts NULL: local controlling, limit 100 */
	CU_ASSERT_EQUAL(rtclab_ice_checklist(loc, n_loc, rem, n_rem, NULL, pairs, MAXP, &kept), 4);
	CU_ASSERT_EQUAL(pairs[0].priority, (100ULL << 32) + 400);
}

/* Less room than pairs: the first ones of the full list, the same states. */
static void test_small_out(void)
{
	static const char *const l[] = {
		"candidate:1 1 udp 2130706431 192.168.1.5 5000 typ host",
		"candidate:1 2 udp 2130706430 192.168.1.5 5001 typ host",
		"candidate:2 1 udp 2130706175 192.168.2.5 5000 typ host",
		NULL,
	};
	static const char *const r[] = {
		"candidate:x 1 udp 2130706431 10.0.0.9 7000 typ host",
		"candidate:x 2 udp 2130706430 10.0.0.9 7001 typ host",
		NULL,
	};
	struct rtclab_ice_pair full[MAXP], part[3];
	size_t kept_full, kept_part;
	checklist(l, r, true, 0, &kept_full);
	memcpy(full, pairs, sizeof full);
	CU_ASSERT_EQUAL(rtclab_ice_checklist(loc, n_loc, rem, n_rem, NULL, part, 3, &kept_part), 3);
	CU_ASSERT_EQUAL(kept_part, kept_full);
	for (size_t i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(part[i].local, full[i].local);
		CU_ASSERT_EQUAL(part[i].remote, full[i].remote);
		CU_ASSERT_EQUAL(part[i].state, full[i].state);
		CU_ASSERT_EQUAL(part[i].pruned, full[i].pruned);
	}
	CU_ASSERT_EQUAL(rtclab_ice_checklist(loc, n_loc, rem, n_rem, NULL, NULL, 0, &kept_part), 0);
	CU_ASSERT_EQUAL(kept_part, kept_full);
	CU_ASSERT_EQUAL(rtclab_ice_checklist(loc, 0, rem, n_rem, NULL, pairs, MAXP, &kept_part), 0);
	CU_ASSERT_EQUAL(kept_part, 0);
}

RTCLAB_SUITE(ice)
{
	static const struct unit_test tests[] = {
		{"type preferences (RFC 8445 5.1.2.2)", test_type_preferences},
		{"priorities and their parts: RFC and browser numbers", test_priority_split},
		{"priority explained", test_priority_explain},
		{"pair priority and the G > D bit", test_pair_priority},
		{"state and prune names", test_names},
		{"srflx replaced by its base, redundant pairs pruned", test_srflx_by_base},
		{"family and component mismatches", test_family_component},
		{"TCP pairing: active/passive/so", test_tcp_pairing},
		{"the check list limit", test_limit},
		{"initial states: Waiting and Frozen per foundation", test_initial_states},
		{"mDNS and FQDN remotes unresolved", test_unresolved},
		{"controlling side and ties", test_controlling_and_ties},
		{"less room than pairs", test_small_out},
		{NULL, NULL},
	};
	unit_add_suite("ice", tests);
}
