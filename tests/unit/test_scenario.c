/* The scenario parser (lib/scenario*.c): every shipped scenario parses
 * cleanly; broken inputs give the right error code at the right line and
 * column; times, presets and chains read back; defaults, link merging and
 * templates (`count:`) give the model the simulator relies on. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtclab/scenario.h"
#include "unit.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = malloc(1 << 20);
	*len = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
	fclose(f);
	return buf;
}

static struct rtclab_scenario *parse(const char *text)
{
	struct rtclab_scenario *sc = rtclab_scenario_parse(text, strlen(text));
	CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
	return sc;
}

static void show_problems(const char *what, const struct rtclab_scenario *sc)
{
	for (size_t i = 0; i < sc->n_problems; i++) {
		char t[400];
		rtclab_scn_problem_format(&sc->problems[i], t, sizeof t);
		CHECKF(0, "%s: %s", what, t);
	}
}

/* --- the shipped scenarios ---------------------------------------------------------- */

static void test_shipped_scenarios(void)
{
	DIR *d = opendir("scenarios");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	size_t files = 0;
	for (struct dirent *e; (e = readdir(d));) {
		size_t n = strlen(e->d_name), len = 0;
		if (n < 5 || strcmp(e->d_name + n - 5, ".yaml") != 0)
			continue;
		char path[512];
		snprintf(path, sizeof path, "scenarios/%s", e->d_name);
		char *text = slurp(path, &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(text);
		struct rtclab_scenario *sc = rtclab_scenario_parse(text, len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
		CHECKF(sc->n_problems == 0, "%s: %zu problems", path, sc->n_problems);
		show_problems(path, sc);
		CHECKF(sc->n_expects > 0 && sc->description && strlen(sc->description) > 40, "%s: teaches and checks", path);
		for (size_t i = 0; i < sc->n_expects; i++)
			CHECKF(sc->expects[i].why && strstr(sc->expects[i].why, "RFC"), "%s: expectation %zu says why, citing an RFC",
			       path, i);
		rtclab_scenario_free(sc);
		free(text);
		files++;
	}
	closedir(d);
	CHECKF(files >= 15, "%zu scenarios shipped, at least 15 wanted", files);
}

/* --- broken inputs ------------------------------------------------------------------ */

#define HEAD "name: n\ndescription: d\n"
#define PEERS2 "peers:\n  - {name: A, address: 10.0.0.1, nat: open}\n  - {name: B, address: 10.0.0.2, nat: open}\n"
#define EXPECT "expect: {connected: true, why: w}\n"

struct broken {
	const char *text;
	enum rtclab_scn_error code;
	uint32_t line, column;
	const char *says; /* a substring of the message */
};

static const struct broken brokens[] = {
	{"name: [x\n", RTCLAB_SCN_E_YAML, 2, 1, "YAML"},
	{HEAD PEERS2 EXPECT "latency: 5ms\n", RTCLAB_SCN_E_UNKNOWN_KEY, 7, 1, "expected one of"},
	{HEAD "link: {latncy: 5ms}\n" PEERS2 EXPECT, RTCLAB_SCN_E_UNKNOWN_KEY, 3, 8, "did you mean 'latency'"},
	{HEAD "link: {lsos: 1%}\n" PEERS2 EXPECT, RTCLAB_SCN_E_UNKNOWN_KEY, 3, 8, "did you mean 'loss'"},
	{HEAD "seed: 1\nseed: 2\n" PEERS2 EXPECT, RTCLAB_SCN_E_DUPLICATE_KEY, 4, 1, "'seed' given twice"},
	{HEAD "seed: -1\n" PEERS2 EXPECT, RTCLAB_SCN_E_BAD_NUMBER, 3, 7, "whole number"},
	{HEAD "duration: 5\n" PEERS2 EXPECT, RTCLAB_SCN_E_BAD_TIME, 3, 11, "unit ms, s or min"},
	{HEAD "duration: 2 hours\n" PEERS2 EXPECT, RTCLAB_SCN_E_BAD_TIME, 3, 11, "'2 hours' is not a time"},
	{HEAD "peers: {A: 1}\n" EXPECT, RTCLAB_SCN_E_TYPE, 3, 8, "expected a list"},
	{"description: d\n" PEERS2 EXPECT, RTCLAB_SCN_E_MISSING_KEY, 1, 1, "no 'name'"},
	{HEAD PEERS2 "expect: {connected: true}\n", RTCLAB_SCN_E_MISSING_KEY, 6, 9, "needs a 'why'"},
	{HEAD "peers:\n  - {name: A, address: 10.0.0.300, nat: open}\n" EXPECT, RTCLAB_SCN_E_BAD_ADDRESS, 4, 24,
	 "not an IP address"},
	{HEAD "peers:\n  - {name: A, address: 10.0.0.1, nat: symetric}\n" EXPECT, RTCLAB_SCN_E_UNKNOWN_PRESET, 4, 39,
	 "did you mean 'symmetric'"},
	{HEAD "peers:\n  - {name: A, address: 10.0.0.1, nat: symmetric/ful-cone}\n" EXPECT, RTCLAB_SCN_E_UNKNOWN_PRESET, 4,
	 49, "'ful-cone'"},
	{HEAD "peers:\n  - {name: A, address: 10.0.0.1, nat: \"symmetric/open\"}\n" EXPECT, RTCLAB_SCN_E_BAD_CHAIN, 4, 50,
	 "'open' alone"},
	{HEAD "peers:\n  - {name: A, address: 10.0.0.1, nat: [full-cone, open]}\n" EXPECT, RTCLAB_SCN_E_BAD_CHAIN, 4, 51,
	 "bad NAT chain"},
	{HEAD "peers:\n  - {name: A, address: 10.0.0.1, nat: {preset: eim-xdf}}\n" EXPECT, RTCLAB_SCN_E_UNKNOWN_PRESET, 4, 48,
	 "<mapping>-<filtering>"},
	{HEAD "peers:\n  - {name: A, address: 10.0.0.1, nat: {mapping: eim}}\n" EXPECT, RTCLAB_SCN_E_MISSING_KEY, 4, 39,
	 "both 'mapping' and 'filtering'"},
	{HEAD "peers:\n  - {name: A, address: 10.0.0.1, nat: open}\n  - {name: A, address: 10.0.0.2, nat: open}\n" EXPECT,
	 RTCLAB_SCN_E_DUPLICATE_NAME, 5, 5, "two peers are named 'A'"},
	{HEAD "peers:\n  - {name: A, address: 10.0.0.1, nat: open}\n  - {name: B, address: 10.0.0.1, nat: open}\n" EXPECT,
	 RTCLAB_SCN_E_DUPLICATE_NAME, 5, 5, "already used by peer 'A'"},
	{HEAD "servers:\n  - {name: s, type: stun, address: 198.51.100.1}\n"
	      "peers:\n  - {name: A, address: 198.51.100.1, nat: open}\n" EXPECT,
	 RTCLAB_SCN_E_DUPLICATE_NAME, 6, 5, "already used by server 's'"},
	{HEAD "peers:\n  - {name: A, address: 10.0.0.1, nat: open, stun: stun1}\n" EXPECT, RTCLAB_SCN_E_UNKNOWN_REF, 4, 51,
	 "no server named 'stun1'"},
	{HEAD "peers:\n  - {name: A, address: 10.0.0.1, nat: open, offer_to: C}\n  - {name: B, address: 10.0.0.2, nat: open}\n" EXPECT,
	 RTCLAB_SCN_E_UNKNOWN_REF, 4, 55, "no peer named 'C'"},
	{HEAD "servers:\n  - {name: s, type: signaling, address: 198.51.100.1}\n"
	      "peers:\n  - {name: A, address: 10.0.0.1, nat: open, stun: s}\n" EXPECT,
	 RTCLAB_SCN_E_BAD_REF, 6, 51, "is a signaling server"},
	{HEAD "servers:\n  - {name: t, type: turn, address: 198.51.100.1}\n" PEERS2 EXPECT, RTCLAB_SCN_E_MISSING_KEY, 4, 5,
	 "has no 'users'"},
	{HEAD "servers:\n  - {name: s, type: stun, address: 198.51.100.1, users: {a: b}}\n" PEERS2 EXPECT,
	 RTCLAB_SCN_E_CONFLICT, 4, 5, "a stun server has no 'users'"},
	{HEAD "servers:\n  - {name: s, type: stn, address: 198.51.100.1}\n" PEERS2 EXPECT, RTCLAB_SCN_E_BAD_VALUE, 4, 21,
	 "did you mean 'stun'"},
	{HEAD PEERS2 "script:\n  - {at: 5 sec, event: link-down, peer: A}\n" EXPECT, RTCLAB_SCN_E_BAD_TIME, 7, 10,
	 "'5 sec' is not a time"},
	{HEAD PEERS2 "script:\n  - {at: 90s, event: link-down, peer: A}\n" EXPECT, RTCLAB_SCN_E_BAD_TIME, 7, 10,
	 "ends at 1min"},
	{HEAD PEERS2 "script:\n  - {at: 5s, event: nat-rebind, peer: A}\n" EXPECT, RTCLAB_SCN_E_BAD_REF, 7, 21,
	 "behind 0 NATs"},
	{HEAD PEERS2 "script:\n  - {at: 5s, event: ice-restart, peer: A, for: 2s}\n" EXPECT, RTCLAB_SCN_E_CONFLICT, 7, 5,
	 "has no 'for'"},
	{HEAD PEERS2 "expect: {connected: false, pair: srflx-host, why: w}\n", RTCLAB_SCN_E_CONFLICT, 6, 9,
	 "no selected pair"},
	{HEAD PEERS2 "expect: {connected: maybe, why: w}\n", RTCLAB_SCN_E_TYPE, 6, 21, "expected true or false"},
	{HEAD PEERS2 "expect: {pair: srflx-hots, why: w}\n", RTCLAB_SCN_E_BAD_VALUE, 6, 16, "LOCAL-REMOTE"},
	{HEAD "peers:\n  - &a {name: A, address: 10.0.0.1, nat: open}\n  - *a\n" EXPECT, RTCLAB_SCN_E_ALIAS, 4, 3,
	 "alias"},
	{HEAD "seed: &s 5\n" PEERS2 EXPECT "duration: *s\n", RTCLAB_SCN_E_ALIAS, 8, 1, "repeats the node of line 3"},
	{HEAD "peers:\n  - {name: A, address: 10.0.0.1, nat: open, count: 10001}\n" EXPECT, RTCLAB_SCN_E_BAD_NUMBER, 4, 52,
	 "0 to 10000"},
	{HEAD "peers:\n  - {name: A, address: 10.0.0.1, lan: office}\n" EXPECT, RTCLAB_SCN_E_UNKNOWN_REF, 4, 39,
	 "no LAN named 'office'"},
	{HEAD "peers:\n  - {name: A, address: 10.0.0.1, nat: open, ice: {lite: true, role: controlling}}\n" EXPECT,
	 RTCLAB_SCN_E_CONFLICT, 4, 50, "cannot be given role controlling"},
	{HEAD "peers:\n  - {name: A, address: 10.0.0.1, nat: open, ice: {lite: true, policy: relay}}\n" EXPECT,
	 RTCLAB_SCN_E_CONFLICT, 4, 50, "host candidates only (RFC 8445 5.2): it cannot have policy relay"},
	{HEAD "peers:\n  - {name: A, address: 10.0.0.1, nat: open, ice: {lite: true, candidates: [srflx]}}\n" EXPECT,
	 RTCLAB_SCN_E_CONFLICT, 4, 50, "candidates without host"},
};

static void test_broken_inputs(void)
{
	for (size_t i = 0; i < sizeof brokens / sizeof brokens[0]; i++) {
		const struct broken *b = &brokens[i];
		struct rtclab_scenario *sc = parse(b->text);
		CHECKF(sc->n_problems >= 1, "case %zu: a problem expected", i);
		if (sc->n_problems >= 1) {
			const struct rtclab_scn_problem *p = &sc->problems[0];
			CHECKF(p->code == b->code && p->line == b->line && p->column == b->column && strstr(p->message, b->says),
			       "case %zu: want %s at %u:%u saying \"%s\"; got %s at %u:%u: %s", i,
			       rtclab_scn_error_name(b->code), b->line, b->column, b->says, rtclab_scn_error_name(p->code),
			       p->line, p->column, p->message);
		}
		rtclab_scenario_free(sc);
	}
}

/* Parsing goes on after an error: one run lists them all. */
static void test_several_problems(void)
{
	struct rtclab_scenario *sc = parse(HEAD "link: {latency: fast}\n"
						"peers:\n  - {name: A, address: 10.0.0.x, nat: open}\n"
						"  - {name: B, address: 10.0.0.2, nat: semmetric}\n" EXPECT);
	CU_ASSERT_EQUAL(sc->n_problems, 3);
	if (sc->n_problems == 3) {
		CU_ASSERT_EQUAL(sc->problems[0].code, RTCLAB_SCN_E_BAD_TIME);
		CU_ASSERT_EQUAL(sc->problems[1].code, RTCLAB_SCN_E_BAD_ADDRESS);
		CU_ASSERT_EQUAL(sc->problems[2].code, RTCLAB_SCN_E_UNKNOWN_PRESET);
		CU_ASSERT_EQUAL(sc->problems[2].line, 6);
	}
	char t[400];
	rtclab_scn_problem_format(&sc->problems[0], t, sizeof t);
	CHECKF(strncmp(t, "3:17: ", 6) == 0, "formatted: %s", t);
	rtclab_scenario_free(sc);
	CU_ASSERT_STRING_EQUAL(rtclab_scn_error_name(RTCLAB_SCN_E_UNKNOWN_PRESET), "unknown-preset");
	CU_ASSERT_STRING_EQUAL(rtclab_scn_error_text(RTCLAB_SCN_E_BAD_TIME), "bad time");
}

/* --- values ------------------------------------------------------------------------- */

static void test_times(void)
{
	static const struct {
		const char *text, *canonical;
		rtclab_time_ns ns;
	} ok[] = {
		{"0", "0", 0},
		{"250ms", "250ms", RTCLAB_MS(250)},
		{"5s", "5s", RTCLAB_SEC(5)},
		{"1.5s", "1500ms", RTCLAB_MS(1500)},
		{"2min", "2min", RTCLAB_SEC(120)},
		{"90s", "90s", RTCLAB_SEC(90)},
		{"0.5min", "30s", RTCLAB_SEC(30)},
		{"0.25ms", "0.25ms", 250000},
		{"0.000001ms", "0.000001ms", 1},
		{"10 ms", "10ms", RTCLAB_MS(10)},
		{"1440min", "1440min", RTCLAB_SEC(86400)},
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		rtclab_time_ns t = -1, back = -1;
		char buf[32];
		CHECKF(rtclab_scn_time_parse(ok[i].text, &t) && t == ok[i].ns, "%s parses to %lld", ok[i].text,
		       (long long)ok[i].ns);
		rtclab_scn_time_format(ok[i].ns, buf, sizeof buf);
		CHECKF(strcmp(buf, ok[i].canonical) == 0, "%lld formats as %s, not %s", (long long)ok[i].ns, ok[i].canonical, buf);
		CHECKF(rtclab_scn_time_parse(buf, &back) && back == ok[i].ns, "%s reads back", buf);
	}
	static const char *const bad[] = {"", "5", "s", "5 sec", "1h", "-1s", "1.s", ".5s", "1441min", "0.0000001ms",
					  "99999999999999999999s", "5s "};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		rtclab_time_ns t = 77;
		CHECKF(!rtclab_scn_time_parse(bad[i], &t) && t == 77, "'%s' is refused", bad[i]);
	}
}

static void test_presets(void)
{
	static const struct {
		const char *name;
		enum rtclab_scn_mapping m;
		enum rtclab_scn_filtering f;
		bool hairpin;
	} want[] = {
		{"full-cone", RTCLAB_SCN_EIM, RTCLAB_SCN_EIF, true},
		{"restricted-cone", RTCLAB_SCN_EIM, RTCLAB_SCN_ADF, true},
		{"port-restricted-cone", RTCLAB_SCN_EIM, RTCLAB_SCN_APDF, true},
		{"symmetric", RTCLAB_SCN_APDM, RTCLAB_SCN_APDF, true},
		{"linux", RTCLAB_SCN_EIM, RTCLAB_SCN_APDF, false},
		{"eim-adf", RTCLAB_SCN_EIM, RTCLAB_SCN_ADF, true},
		{"eim-eif", RTCLAB_SCN_EIM, RTCLAB_SCN_EIF, true},
		{"adm-apdf", RTCLAB_SCN_ADM, RTCLAB_SCN_APDF, true},
		{"apdm-adf", RTCLAB_SCN_APDM, RTCLAB_SCN_ADF, true},
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		struct rtclab_scn_nat n;
		bool ok = rtclab_scn_nat_preset(want[i].name, strlen(want[i].name), &n);
		CHECKF(ok && n.mapping == want[i].m && n.filtering == want[i].f && n.hairpinning == want[i].hairpin &&
			       strcmp(n.preset, want[i].name) == 0 && n.mapping_lifetime >= RTCLAB_SEC(120),
		       "preset %s", want[i].name);
		/* a combination name is the mapping and filtering names joined */
		char combo[24];
		snprintf(combo, sizeof combo, "%s-%s", rtclab_scn_mapping_name(n.mapping), rtclab_scn_filtering_name(n.filtering));
		struct rtclab_scn_nat c;
		CHECKF(rtclab_scn_nat_preset(combo, strlen(combo), &c) && c.mapping == n.mapping && c.filtering == n.filtering,
		       "%s is %s", want[i].name, combo);
	}
	struct rtclab_scn_nat n;
	/* linux: masquerading keeps the source port and does not hairpin */
	CU_ASSERT(rtclab_scn_nat_preset("linux", 5, &n) && n.ports == RTCLAB_SCN_PORTS_PRESERVE && !n.hairpinning);
	CU_ASSERT(rtclab_scn_nat_preset("symmetric", 9, &n) && n.ports != RTCLAB_SCN_PORTS_PRESERVE &&
		  n.mapping_lifetime == RTCLAB_SEC(300) && !n.inbound_refresh);
	CU_ASSERT_FALSE(rtclab_scn_nat_preset("open", 4, &n));
	CU_ASSERT_FALSE(rtclab_scn_nat_preset("eim-", 4, &n));
	CU_ASSERT_FALSE(rtclab_scn_nat_preset("cone", 4, &n));
	CU_ASSERT_PTR_NOT_NULL(strstr(rtclab_scn_preset_list(), "port-restricted-cone"));
}

static void test_chains(void)
{
	struct rtclab_scn_nat nats[RTCLAB_SCN_MAX_NATS];
	size_t n = 99, off = 99;
	const char *t = "symmetric/full-cone";
	CU_ASSERT_EQUAL(rtclab_scn_nat_chain_parse(t, strlen(t), nats, RTCLAB_SCN_MAX_NATS, &n, &off), RTCLAB_SCN_OK);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_STRING_EQUAL(nats[0].preset, "symmetric"); /* from the peer outwards */
	CU_ASSERT_STRING_EQUAL(nats[1].preset, "full-cone");
	t = " linux / eim-apdf ";
	CU_ASSERT_EQUAL(rtclab_scn_nat_chain_parse(t, strlen(t), nats, RTCLAB_SCN_MAX_NATS, &n, &off), RTCLAB_SCN_OK);
	CU_ASSERT(n == 2 && nats[1].mapping == RTCLAB_SCN_EIM && nats[1].filtering == RTCLAB_SCN_APDF);
	t = "open";
	CU_ASSERT_EQUAL(rtclab_scn_nat_chain_parse(t, strlen(t), nats, RTCLAB_SCN_MAX_NATS, &n, &off), RTCLAB_SCN_OK);
	CU_ASSERT_EQUAL(n, 0);
	static const struct {
		const char *text;
		enum rtclab_scn_error e;
		size_t off;
	} bad[] = {
		{"symmetric/ful-cone", RTCLAB_SCN_E_UNKNOWN_PRESET, 10}, {"symmetric//linux", RTCLAB_SCN_E_BAD_CHAIN, 10},
		{"open/linux", RTCLAB_SCN_E_BAD_CHAIN, 0},               {"linux/open", RTCLAB_SCN_E_BAD_CHAIN, 6},
		{"", RTCLAB_SCN_E_BAD_CHAIN, 0},                         {"linux/linux/linux/linux/linux", RTCLAB_SCN_E_LIMIT, 24},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		enum rtclab_scn_error e =
			rtclab_scn_nat_chain_parse(bad[i].text, strlen(bad[i].text), nats, RTCLAB_SCN_MAX_NATS, &n, &off);
		CHECKF(e == bad[i].e && off == bad[i].off && n == 0, "'%s': %s at %zu, got %s at %zu", bad[i].text,
		       rtclab_scn_error_name(bad[i].e), bad[i].off, rtclab_scn_error_name(e), off);
	}
}

/* --- the model ---------------------------------------------------------------------- */

static void test_defaults(void)
{
	struct rtclab_scenario *sc = parse(HEAD "servers:\n  - {name: t, type: turn, address: 198.51.100.10, users: {u: p}}\n"
						"peers:\n  - {name: A, address: 10.0.0.1, nat: open, turn: t}\n"
						"  - {name: B, address: 10.0.0.2, nat: linux}\n" EXPECT);
	show_problems("defaults", sc);
	CU_ASSERT_EQUAL_FATAL(sc->n_problems, 0);
	CU_ASSERT_EQUAL(sc->seed, 1);
	CU_ASSERT_EQUAL(sc->duration, RTCLAB_SEC(60));
	CU_ASSERT_EQUAL(sc->default_link.up.latency, RTCLAB_MS(10));
	CU_ASSERT_EQUAL(sc->peers[0].offer_to, 1); /* two peers: the first calls the second */
	CU_ASSERT_EQUAL(sc->peers[1].offer_to, RTCLAB_SCN_NONE);
	CU_ASSERT(sc->peers[0].ice.trickle && sc->peers[0].ice.gather == RTCLAB_SCN_GATHER_ALL);
	CU_ASSERT_EQUAL(sc->lans[sc->peers[0].lan].n_nats, 0);
	CU_ASSERT_EQUAL(sc->lans[sc->peers[1].lan].n_nats, 1);
	const struct rtclab_scn_server *t = &sc->servers[0];
	CU_ASSERT(t->addr.port == 3478 && t->transports == RTCLAB_SCN_UDP && strcmp(t->realm, "rtclab") == 0);
	CU_ASSERT(t->allocation_lifetime == RTCLAB_SEC(600) && t->permission_lifetime == RTCLAB_SEC(300));
	CU_ASSERT(sc->peers[0].n_turn == 1 && strcmp(sc->peers[0].turn[0].username, "u") == 0 &&
		  strcmp(sc->peers[0].turn[0].password, "p") == 0);
	CU_ASSERT_EQUAL_FATAL(sc->n_servers, 2); /* the default signaling server */
	CU_ASSERT(sc->signaling == 1 && sc->servers[1].implicit && sc->servers[1].addr.port == 443);
	rtclab_scenario_free(sc);
}

static void test_links_and_nats(void)
{
	struct rtclab_scenario *sc = parse(HEAD "link: {latency: 30ms}\n"
						"peers:\n  - name: A\n    address: 10.0.0.1\n"
						"    link: {down: {loss: 5%}, jitter: 2ms, up: {latency: 50ms}}\n"
						"    nat:\n      - linux\n"
						"      - {preset: symmetric, ports: sequential, hairpinning: no, mapping_lifetime: 45s,\n"
						"         external: [203.0.113.9], uplink: {loss: 0.5}}\n"
						"  - {name: B, address: 10.0.0.2, nat: {mapping: apdm, filtering: endpoint-independent}}\n"
						"script:\n  - {at: 3s, event: link-down, peer: A, nat: 2, for: 1s}\n"
						"  - {at: 1s, event: nat-rebind, peer: A}\n" EXPECT);
	show_problems("links", sc);
	CU_ASSERT_EQUAL_FATAL(sc->n_problems, 0);
	const struct rtclab_scn_peer *a = &sc->peers[0];
	CU_ASSERT_EQUAL(a->link.up.latency, RTCLAB_MS(50));
	CU_ASSERT_EQUAL(a->link.down.latency, RTCLAB_MS(30)); /* from the default */
	CU_ASSERT(a->link.up.jitter == RTCLAB_MS(2) && a->link.down.jitter == RTCLAB_MS(2));
	CU_ASSERT(a->link.up.loss == 0 && a->link.down.loss == 0.05);
	const struct rtclab_scn_lan *lan = &sc->lans[a->lan];
	CU_ASSERT_EQUAL_FATAL(lan->n_nats, 2);
	CU_ASSERT_STRING_EQUAL(lan->nats[0].preset, "linux");
	CU_ASSERT(lan->nats[1].mapping == RTCLAB_SCN_APDM && lan->nats[1].ports == RTCLAB_SCN_PORTS_SEQUENTIAL &&
		  !lan->nats[1].hairpinning && lan->nats[1].mapping_lifetime == RTCLAB_SEC(45));
	CU_ASSERT(lan->nats[1].n_external == 1 && lan->nats[1].uplink.up.loss == 0.5 &&
		  lan->nats[1].uplink.up.latency == RTCLAB_MS(30));
	CU_ASSERT(lan->nats[1].line == 10 && lan->nats[1].column == 9);
	const struct rtclab_scn_nat *b = &sc->lans[sc->peers[1].lan].nats[0];
	CU_ASSERT(strcmp(b->preset, "custom") == 0 && b->mapping == RTCLAB_SCN_APDM && b->filtering == RTCLAB_SCN_EIF &&
		  b->ports == RTCLAB_SCN_PORTS_SEQUENTIAL && b->hairpinning); /* the NAT model's defaults */
	CU_ASSERT_EQUAL_FATAL(sc->n_events, 2); /* sorted by time */
	CU_ASSERT(sc->events[0].kind == RTCLAB_SCN_EV_NAT_REBIND && sc->events[0].nat == 0);
	CU_ASSERT(sc->events[1].kind == RTCLAB_SCN_EV_LINK_DOWN && sc->events[1].nat == 1 &&
		  sc->events[1].duration == RTCLAB_SEC(1));
	rtclab_scenario_free(sc);
}

static void test_thousand_peer_template(void)
{
	struct rtclab_scenario *sc = parse(HEAD "servers:\n  - {name: t, type: turn, address: 198.51.100.10, users: {u: p}}\n"
						"lans:\n  - {name: office, nat: linux}\n"
						"peers:\n  - {name: hub, address: 192.0.2.1, nat: open}\n"
						"  - {name: c, count: 1000, address: 192.168.1.10, nat: symmetric, turn: t, offer_to: hub}\n"
						"  - {name: o, count: 300, address: 10.0.0.250, lan: office, offer_to: hub}\n"
						"expect: {peer: c, connected: true, pair: relay-host, why: w}\n");
	show_problems("template", sc);
	CU_ASSERT_EQUAL_FATAL(sc->n_problems, 0);
	CU_ASSERT_EQUAL_FATAL(sc->n_peers, 1301);
	const struct rtclab_scn_peer *c1 = &sc->peers[1], *c1000 = &sc->peers[1000], *o300 = &sc->peers[1300];
	CU_ASSERT_STRING_EQUAL(c1->name, "c-1");
	CU_ASSERT_STRING_EQUAL(c1000->name, "c-1000");
	CU_ASSERT(c1000->instance == 1000 && strcmp(c1000->template_name, "c") == 0);
	CU_ASSERT(c1->offer_to == 0 && c1000->offer_to == 0 && c1000->n_turn == 1);
	CU_ASSERT(rtclab_addr_equal(&c1->addrs[0], &c1000->addrs[0])); /* each alone behind its own NAT */
	CU_ASSERT(c1->lan != c1000->lan && sc->lans[c1000->lan].n_nats == 1 &&
		  strcmp(sc->lans[c1000->lan].name, "c-1000") == 0);
	char ip[RTCLAB_ADDR_STRLEN];
	CU_ASSERT_STRING_EQUAL(rtclab_addr_ip_format(&o300->addrs[0], ip, sizeof ip), "10.0.2.37"); /* 10.0.0.250 + 299 */
	CU_ASSERT_EQUAL(o300->lan, sc->peers[1001].lan); /* one shared LAN */
	CU_ASSERT(sc->expects[0].first_peer == 1 && sc->expects[0].n_peers == 1000);
	CU_ASSERT_EQUAL(rtclab_scenario_peer(sc, "c-500"), 500);
	rtclab_scenario_free(sc);
}

RTCLAB_SUITE(scenario)
{
	static const struct unit_test tests[] = {
		{"every scenario in scenarios/ parses cleanly", test_shipped_scenarios},
		{"broken inputs: code, line, column, message", test_broken_inputs},
		{"several problems in one run", test_several_problems},
		{"times parse and format back", test_times},
		{"NAT presets and combinations", test_presets},
		{"NAT chains", test_chains},
		{"defaults", test_defaults},
		{"links merge, NATs resolve, events sort", test_links_and_nats},
		{"a 1,000-peer template expands", test_thousand_peer_template},
		{NULL, NULL},
	};
	unit_add_suite("scenario", tests);
}
