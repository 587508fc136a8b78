/* ICE candidate lines (lib/candidate.c, lib/candidate_json.c): every line of
 * tests/fixtures/candidates/candidates.txt, each field of a representative
 * set, the errors with their columns, and formatting. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtclab/candidate.h"
#include "rtclab/candidate_json.h"
#include "unit.h"


static struct rtclab_candidate c;

static enum rtclab_cand_error parse(const char *line, size_t *column)
{
	return rtclab_candidate_parse(&c, line, strlen(line), column);
}

static void parse_ok(const char *line)
{
	size_t column = 99;
	enum rtclab_cand_error e = parse(line, &column);
	CHECKF(e == RTCLAB_CAND_OK && column == 0, "parse \"%s\": error %d at column %zu", line, e, column);
}

static bool view_is(struct rtclab_str s, const char *text)
{
	return s.ptr && s.len == strlen(text) && memcmp(s.ptr, text, s.len) == 0;
}
#define ASSERT_VIEW(s, text) CHECKF(view_is((s), (text)), "%s is \"%.*s\", expected \"%s\"", #s, (int)(s).len, \
				   (s).ptr ? (s).ptr : "", (text))

/* format(parse(line)) is the line without "a=", with "candidate:" in front. */
static void assert_round_trip(const char *line, size_t len)
{
	char want[1024], got[1024];
	const char *v = len >= 2 && memcmp(line, "a=", 2) == 0 ? line + 2 : line;
	size_t vlen = len - (size_t)(v - line);
	bool prefixed = vlen >= 10 && memcmp(v, "candidate:", 10) == 0;
	snprintf(want, sizeof want, "%s%.*s", prefixed ? "" : "candidate:", (int)vlen, v);
	size_t n = rtclab_candidate_format(&c, got, sizeof got);
	CHECKF(n == strlen(want) && strcmp(got, want) == 0, "round trip of \"%.*s\" gave \"%s\"", (int)len, line, got);
}

/* --- the fixture file ------------------------------------------------------------ */

/* Lines of "expect: valid" groups that rtclab rejects, and why. */
static const struct expected_error {
	const char *line;
	enum rtclab_cand_error code;
	size_t column;
} exceptions[] = {
	/* RFC 6544 4.5: a TCP candidate MUST carry tcptype.  Old libwebrtc (41.sdp)
	 * sent TCP host candidates with port 0 and none; pion accepts them. */
	{"a=candidate:1243276349 1 tcp 1509957375 192.168.137.1 0 typ host generation 0", RTCLAB_CAND_E_TCPTYPE, 26},
	{"a=candidate:1243276349 2 tcp 1509957375 192.168.137.1 0 typ host generation 0", RTCLAB_CAND_E_TCPTYPE, 26},
	{"a=candidate:1947960086 1 tcp 1509957375 172.22.0.56 0 typ host generation 0", RTCLAB_CAND_E_TCPTYPE, 26},
	{"a=candidate:1947960086 2 tcp 1509957375 172.22.0.56 0 typ host generation 0", RTCLAB_CAND_E_TCPTYPE, 26},
	{"4207374052 1 tcp 1685790463 192.0.2.15 50000 typ prflx raddr 10.0.0.1 rport 12345 generation 0 network-id 2 "
	 "network-cost 10",
	 RTCLAB_CAND_E_TCPTYPE, 14},
	{"3359356140 1 tcp 1671430143 172.28.142.173 7686 typ host", RTCLAB_CAND_E_TCPTYPE, 14},
	{"candidate:3359356140 1 tcp 1671430143 172.28.142.173 7686 typ host", RTCLAB_CAND_E_TCPTYPE, 24},
	{"1052353102 1 tcp 2128609279 192.168.0.196 0 typ host", RTCLAB_CAND_E_TCPTYPE, 14},
	/* 274 > 255: not IPv4; and a host name's last label is never all digits
	 * (RFC 1123 2.1), so not an FQDN either.  pion keeps raddr as a string. */
	{"647372371 1 udp 1694498815 191.228.238.68 53991 typ srflx raddr 192.168.0.274 rport 53991", RTCLAB_CAND_E_RADDR,
	 65},
	{"647372371 1 udp 1694498815 191.228.238.68 53991 typ srflx raddr 192.168.0.274 rport 53991 generation 1 "
	 "network-id 2 network-cost 50",
	 RTCLAB_CAND_E_RADDR, 65},
	/* foundation = 1*32ice-char: pion splits on spaces and takes "" */
	{" 1 udp 500 127.0.0.1 80 typ host", RTCLAB_CAND_E_FOUNDATION, 1},
	{"candidate: 1 udp 500 127.0.0.1 80 typ host", RTCLAB_CAND_E_FOUNDATION, 11},
	/* cand-extension = name SP value: "empty-value-1" SP "" SP "empty-value-2"
	 * and then no value.  (With a trailing space the line is valid.) */
	{"1052353102 1 tcp 2128609279 192.168.0.196 0 typ host tcptype active empty-value-1  empty-value-2",
	 RTCLAB_CAND_E_EXTENSION, 97},
};

/* Every line of the "expect: invalid" groups. */
static const struct expected_error invalid[] = {
	{"a=candidate:750991856 2 udp 25108222 237.30.30.30 51472 typ unknown raddr 47.61.61.61 rport 54763 generation 0",
	 RTCLAB_CAND_E_TYPE, 61},
	{"1938809241", RTCLAB_CAND_E_COMPONENT, 11},
	{"1986380506 99999999 udp 2122063615 10.0.75.1 53634 typ host generation 0 network-id 2", RTCLAB_CAND_E_COMPONENT,
	 12},
	{"1986380506 1 udp 99999999999 10.0.75.1 53634 typ host", RTCLAB_CAND_E_PRIORITY, 18},
	{"4207374051 1 udp 1685790463 191.228.238.68 99999999 typ srflx raddr 192.168.0.278 rport 53991 generation 0 "
	 "network-id 3",
	 RTCLAB_CAND_E_PORT, 44},
	{"4207374051 1 udp 1685790463 191.228.238.68 53991 typ srflx raddr", RTCLAB_CAND_E_RADDR, 65},
	{"4207374051 1 udp 1685790463 191.228.238.68 53991 typ srflx raddr 192.168.0.278 rport 99999999 generation 0 "
	 "network-id 3",
	 RTCLAB_CAND_E_RADDR, 66},
	{"4207374051 INVALID udp 2130706431 10.0.75.1 53634 typ host", RTCLAB_CAND_E_COMPONENT, 12},
	{"4207374051 1 udp INVALID 10.0.75.1 53634 typ host", RTCLAB_CAND_E_PRIORITY, 18},
	{"4207374051 INVALID udp 2130706431 10.0.75.1 INVALID typ host", RTCLAB_CAND_E_COMPONENT, 12},
	{"4207374051 1 udp 2130706431 10.0.75.1 53634 typ INVALID", RTCLAB_CAND_E_TYPE, 49},
	{"4207374051 1 INVALID 2130706431 10.0.75.1 53634 typ host", RTCLAB_CAND_E_TRANSPORT, 14},
	{"4207374051 1 INVALID 2130706431 10.0.75.1 53634 typ", RTCLAB_CAND_E_TRANSPORT, 14},
	{"4207374051 1 INVALID 2130706431 10.0.75.1 53634", RTCLAB_CAND_E_TRANSPORT, 14},
	{"848194626 1 udp 16777215 50.0.0.^^1 5000 typ relay raddr 192.168.0.1 rport 5001", RTCLAB_CAND_E_ADDRESS, 26},
	{"4207374052 1 tcp 1685790463 192.0#.2.15 50000 typ prflx raddr 10.0.0.1 rport 12345 rport 5001",
	 RTCLAB_CAND_E_ADDRESS, 29},
	{"647372371 1 udp 1694498815 191.228.2@338.68 53991 typ srflx raddr 192.168.0.274 rport 53991",
	 RTCLAB_CAND_E_ADDRESS, 28},
	{"111111111111111111111111111111111 1 udp 500 127.0.0.1 80 typ host", RTCLAB_CAND_E_FOUNDATION, 1},
	{"3$3 1 udp 500 127.0.0.1 80 typ host", RTCLAB_CAND_E_FOUNDATION, 1},
	{"4207374051 123456 udp 500 127.0.0.1 0 typ host", RTCLAB_CAND_E_COMPONENT, 12},
	{"4207374051 99999 udp 12345678910 127.0.0.1 99999 typ host", RTCLAB_CAND_E_COMPONENT, 12},
	{"4207374051 99999 udp 500 127.0.0.1 65536 typ host", RTCLAB_CAND_E_COMPONENT, 12},
	{"4207374051 99999 udp 500 127.0.0.1 999999 typ host", RTCLAB_CAND_E_COMPONENT, 12},
	{"848194626 1 udp 16777215 50.0.0.1 5000 typ relay raddr 192.168.0.1 rport 999999", RTCLAB_CAND_E_RPORT, 74},
	{"1052353102 1 tcp 2128609279 192.168.0.196 0 typ host tcptype INVALID", RTCLAB_CAND_E_TCPTYPE, 62},
	{"848194626 1 udp 16777215 50.0.0.1 5000 typ relay raddr 192.168.0.1 extension 322", RTCLAB_CAND_E_RPORT, 68},
	{"848194626 1 udp 16777215 50.0.0.1 5000 typ relay raddr 192.168.0.1 rport", RTCLAB_CAND_E_RPORT, 73},
	{"848194626 1 udp 16777215 50.0.0.1 5000 typ relay raddr 192.168.0.1", RTCLAB_CAND_E_RPORT, 67},
	{"848194626 1 udp 16777215 50.0.0.1 5000 typ relay raddr", RTCLAB_CAND_E_RADDR, 55},
	{"4207374051 99999 udp 500 127.0.0.1 80 typ", RTCLAB_CAND_E_COMPONENT, 12},
	{"4207374051 99999 udp 500 127.0.0.1 80", RTCLAB_CAND_E_COMPONENT, 12},
	{"4207374051 99999 udp 500 127.0.0.1", RTCLAB_CAND_E_COMPONENT, 12},
	{"4207374051 99999 udp 500 ", RTCLAB_CAND_E_COMPONENT, 12},
	{"4207374051 99999 udp", RTCLAB_CAND_E_COMPONENT, 12},
	{"4207374051 99999", RTCLAB_CAND_E_COMPONENT, 12},
	{"4207374051", RTCLAB_CAND_E_COMPONENT, 11},
	/* Safari's anonymised relay address: last label all digits, not a name */
	{"a=candidate:1590270400 1 udp 33562623 225555.55.555.555 34517 typ relay raddr 0.0.0.0 rport 0 generation 0 "
	 "network-cost 999",
	 RTCLAB_CAND_E_ADDRESS, 39},
};

#define N_EXCEPTIONS (sizeof exceptions / sizeof exceptions[0])
#define N_INVALID (sizeof invalid / sizeof invalid[0])

static const struct expected_error *find(const struct expected_error *table, size_t n, const char *line, size_t len,
					 bool *used)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(table[i].line) == len && memcmp(table[i].line, line, len) == 0) {
			used[i] = true;
			return &table[i];
		}
	return NULL;
}

static void assert_error(const struct expected_error *x, const char *line, size_t len)
{
	size_t column = 0;
	enum rtclab_cand_error e = rtclab_candidate_parse(&c, line, len, &column);
	CHECKF(e == x->code && column == x->column, "\"%.*s\": error %d at column %zu, expected %d at %zu", (int)len,
	       line, e, column, x->code, x->column);
}

struct fixture_counts {
	size_t candidates, valid, exceptions, invalid;
};

static void check_fixture_line(const char *line, size_t len, bool expect_valid, struct fixture_counts *n,
			       bool *used_exc, bool *used_inv)
{
	const struct expected_error *x;
	n->candidates++;
	if (expect_valid && (x = find(exceptions, N_EXCEPTIONS, line, len, used_exc)) != NULL) {
		n->exceptions++;
		assert_error(x, line, len);
		/* The legacy TCP candidates without tcptype are kept (with a
		 * warning) by the SDP parser and rtclab candidate; nothing else is. */
		size_t column = 0;
		bool legacy_tcp = x->code == RTCLAB_CAND_E_TCPTYPE;
		rtclab_candidate_parse(&c, line, len, &column);
		CU_ASSERT_EQUAL(rtclab_candidate_lacks_tcptype(&c, line, len), legacy_tcp);
	} else if (expect_valid) {
		size_t column = 0;
		enum rtclab_cand_error e = rtclab_candidate_parse(&c, line, len, &column);
		CHECKF(e == RTCLAB_CAND_OK, "valid line \"%.*s\": error %d (%s) at column %zu", (int)len, line, e,
		       rtclab_cand_error_str(e), column);
		if (e == RTCLAB_CAND_OK) {
			n->valid++;
			assert_round_trip(line, len);
		}
	} else {
		x = find(invalid, N_INVALID, line, len, used_inv);
		CHECKF(x != NULL, "invalid line \"%.*s\" has no expected error in the table", (int)len, line);
		if (x)
			assert_error(x, line, len);
		size_t column = 0;
		if (rtclab_candidate_parse(&c, line, len, &column) == RTCLAB_CAND_E_TCPTYPE) /* a bad tcptype */
			CU_ASSERT_FALSE(rtclab_candidate_lacks_tcptype(&c, line, len));
		n->invalid++;
	}
}

/* needle in line[0..n) (the fixture buffer has no NUL) */
static bool contains(const char *line, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(line + i, needle, k) == 0)
			return true;
	return false;
}

static void test_fixture(void)
{
	size_t len;
	char *text = (char *)unit_fixture("candidates/candidates.txt", &len);
	struct fixture_counts n = {0, 0, 0, 0};
	bool used_exc[N_EXCEPTIONS] = {false}, used_inv[N_INVALID] = {false}, expect_valid = true;
	for (size_t start = 0; start < len;) {
		const char *line = text + start, *nl = memchr(line, '\n', len - start);
		size_t n_line = nl ? (size_t)(nl - line) : len - start;
		start += n_line + 1;
		if (n_line > 0 && line[0] == '#') {
			if (contains(line, n_line, "expect: valid"))
				expect_valid = true;
			else if (contains(line, n_line, "expect: invalid"))
				expect_valid = false;
			continue;
		}
		if (n_line > 0)
			check_fixture_line(line, n_line, expect_valid, &n, used_exc, used_inv);
	}
	free(text);
	CHECKF(n.candidates == 133, "%zu candidate lines, the corpus README says 133", n.candidates);
	CHECKF(n.valid == 82 && n.exceptions == 14 && n.invalid == 37, "valid %zu, exceptions %zu, invalid %zu",
	       n.valid, n.exceptions, n.invalid);
	for (size_t i = 0; i < N_EXCEPTIONS; i++)
		CHECKF(used_exc[i], "exception not in the file: %s", exceptions[i].line);
	for (size_t i = 0; i < N_INVALID; i++)
		CHECKF(used_inv[i], "invalid line not in the file: %s", invalid[i].line);
}

/* --- fields ------------------------------------------------------------------ */

static void test_host_chrome(void)
{
	parse_ok("a=candidate:1039001212 1 udp 2122194687 192.168.99.58 45076 typ host generation 0 network-id 1 "
		 "network-cost 10\r\n");
	ASSERT_VIEW(c.foundation, "1039001212");
	CU_ASSERT_EQUAL(c.component, 1);
	CU_ASSERT_EQUAL(c.transport, RTCLAB_CAND_UDP);
	ASSERT_VIEW(c.transport_text, "udp");
	CU_ASSERT_EQUAL(c.priority, 2122194687u);
	ASSERT_VIEW(c.address, "192.168.99.58");
	CU_ASSERT_EQUAL(c.address_kind, RTCLAB_CAND_ADDR_IPV4);
	CU_ASSERT_EQUAL(c.ip.family, RTCLAB_FAMILY_IPV4);
	CU_ASSERT_EQUAL(memcmp(c.ip.ip, "\xc0\xa8\x63\x3a", 4), 0);
	CU_ASSERT_EQUAL(c.ip.port, 45076);
	CU_ASSERT_EQUAL(c.port, 45076);
	CU_ASSERT_EQUAL(c.type, RTCLAB_CAND_HOST);
	CU_ASSERT_FALSE(c.has_raddr);
	CU_ASSERT_FALSE(c.has_rport);
	CU_ASSERT_EQUAL(c.tcptype, RTCLAB_TCPTYPE_NONE);
	CU_ASSERT_EQUAL(c.generation, 0);
	CU_ASSERT_EQUAL(c.network_id, 1);
	CU_ASSERT_EQUAL(c.network_cost, 10);
	CU_ASSERT_EQUAL(c.ufrag.len, 0);
	CU_ASSERT_EQUAL_FATAL(c.n_ext, 3);
	ASSERT_VIEW(c.ext[0].name, "generation");
	ASSERT_VIEW(c.ext[0].value, "0");
	ASSERT_VIEW(c.ext[1].name, "network-id");
	ASSERT_VIEW(c.ext[2].name, "network-cost");
	ASSERT_VIEW(c.ext[2].value, "10");
}

static void test_srflx_firefox(void)
{
	parse_ok("a=candidate:1 2 UDP 1685921790 1.2.3.4 52902 typ srflx raddr 192.168.99.58 rport 52902");
	ASSERT_VIEW(c.transport_text, "UDP");
	CU_ASSERT_EQUAL(c.transport, RTCLAB_CAND_UDP);
	CU_ASSERT_EQUAL(c.component, 2);
	CU_ASSERT_EQUAL(c.type, RTCLAB_CAND_SRFLX);
	CU_ASSERT_TRUE(c.has_raddr && c.has_rport);
	ASSERT_VIEW(c.raddr, "192.168.99.58");
	CU_ASSERT_EQUAL(c.raddr_ip.family, RTCLAB_FAMILY_IPV4);
	CU_ASSERT_EQUAL(c.raddr_ip.port, 52902);
	CU_ASSERT_EQUAL(c.rport, 52902);
	CU_ASSERT_EQUAL(c.n_ext, 0);
	CU_ASSERT_EQUAL(c.generation, -1);
	CU_ASSERT_EQUAL(c.network_id, -1);
	CU_ASSERT_EQUAL(c.network_cost, -1);
}

static void test_prflx_relay(void)
{
	parse_ok("a=candidate:750991856 2 udp 25108222 237.30.30.30 51472 typ prflx raddr 47.61.61.61 rport 54763 "
		 "generation 0");
	CU_ASSERT_EQUAL(c.type, RTCLAB_CAND_PRFLX);
	ASSERT_VIEW(c.raddr, "47.61.61.61");
	CU_ASSERT_EQUAL(c.rport, 54763);
	parse_ok("a=candidate:1808221584 1 udp 33562367 128.64.32.16 32952 typ relay raddr 32.64.128.1 rport 62398 "
		 "generation 0");
	CU_ASSERT_EQUAL(c.type, RTCLAB_CAND_RELAY);
	CU_ASSERT_EQUAL(c.priority, 33562367u);
	ASSERT_VIEW(c.raddr, "32.64.128.1");
	CU_ASSERT_EQUAL(c.rport, 62398);
	/* browsers hiding the related address: RFC 8839 5.1 */
	parse_ok("candidate:2 1 udp 1686052607 203.0.113.1 54402 typ srflx raddr 0.0.0.0 rport 0 generation 0");
	CU_ASSERT_EQUAL(c.raddr_ip.family, RTCLAB_FAMILY_IPV4);
	CU_ASSERT_EQUAL(c.rport, 0);
	/* rport without raddr: the grammar allows it */
	parse_ok("candidate:2 1 udp 1686052607 203.0.113.1 54402 typ srflx rport 9");
	CU_ASSERT_FALSE(c.has_raddr);
	CU_ASSERT_TRUE(c.has_rport);
	CU_ASSERT_EQUAL(c.rport, 9);
}

static void test_tcp(void)
{
	static const struct {
		const char *line;
		enum rtclab_tcptype t;
		enum rtclab_cand_type type;
	} cases[] = {
		{"a=candidate:1 1 TCP 2128609279 10.0.1.1 9 typ host tcptype active", RTCLAB_TCPTYPE_ACTIVE, RTCLAB_CAND_HOST},
		{"a=candidate:2 1 TCP 2124414975 10.0.1.1 8998 typ host tcptype passive", RTCLAB_TCPTYPE_PASSIVE,
		 RTCLAB_CAND_HOST},
		{"a=candidate:3 1 TCP 2120220671 10.0.1.1 8999 typ host tcptype so", RTCLAB_TCPTYPE_SO, RTCLAB_CAND_HOST},
		{"a=candidate:4 1 TCP 1688207359 192.0.2.3 9 typ srflx raddr 10.0.1.1 rport 9 tcptype active",
		 RTCLAB_TCPTYPE_ACTIVE, RTCLAB_CAND_SRFLX},
		{"a=candidate:5 1 TCP 1684013055 192.0.2.3 45664 typ srflx raddr 10.0.1.1 rport 8998 tcptype passive "
		 "generation 5",
		 RTCLAB_TCPTYPE_PASSIVE, RTCLAB_CAND_SRFLX},
		{"a=candidate:6 1 TCP 1692401663 192.0.2.3 45687 typ srflx raddr 10.0.1.1 rport 8999 tcptype so",
		 RTCLAB_TCPTYPE_SO, RTCLAB_CAND_SRFLX},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		parse_ok(cases[i].line);
		CU_ASSERT_EQUAL(c.transport, RTCLAB_CAND_TCP);
		CU_ASSERT_EQUAL(c.tcptype, cases[i].t);
		CU_ASSERT_EQUAL(c.type, cases[i].type);
		CU_ASSERT_TRUE(c.n_ext >= 1);
		ASSERT_VIEW(c.ext[0].name, "tcptype"); /* kept in ext[] too */
		ASSERT_VIEW(c.ext[0].value, rtclab_tcptype_name(cases[i].t));
	}
	CU_ASSERT_EQUAL(c.generation, -1);
	parse_ok("a=candidate:1754264922 1 tcp 1518280447 10.101.2.67 9 typ host tcptype active generation 0 network-id 2 "
		 "network-cost 10");
	ASSERT_VIEW(c.transport_text, "tcp");
	CU_ASSERT_EQUAL(c.n_ext, 4);
	CU_ASSERT_EQUAL(c.network_id, 2);
}

static void test_ipv6(void)
{
	parse_ok("a=candidate:2665802302 1 udp 2122262783 2a02:a03f:3eb0:e000:b0aa:d60a:cff2:933c 38475 typ host "
		 "generation 0 network-id 2 network-cost 10");
	CU_ASSERT_EQUAL(c.address_kind, RTCLAB_CAND_ADDR_IPV6);
	CU_ASSERT_EQUAL(c.ip.family, RTCLAB_FAMILY_IPV6);
	CU_ASSERT_EQUAL(c.ip.ip[0], 0x2a);
	CU_ASSERT_EQUAL(c.ip.ip[15], 0x3c);
	CU_ASSERT_EQUAL(c.ip.port, 38475);
	parse_ok("a=candidate:3 1 UDP 2130705919 fd00::3f:ad47 58712 typ host");
	CU_ASSERT_EQUAL(c.address_kind, RTCLAB_CAND_ADDR_IPV6);
	ASSERT_VIEW(c.address, "fd00::3f:ad47");
	parse_ok("candidate:1 1 udp 1 ::ffff:192.0.2.1 1 typ srflx raddr :: rport 0");
	CU_ASSERT_EQUAL(c.raddr_ip.family, RTCLAB_FAMILY_IPV6);
}

static void test_names(void)
{
	parse_ok("1380287402 1 udp 2130706431 e2494022-4d9a-4c1e-a750-cc48d4f8d6ee.local 60542 typ host");
	CU_ASSERT_EQUAL(c.address_kind, RTCLAB_CAND_ADDR_MDNS);
	CU_ASSERT_EQUAL(c.ip.family, RTCLAB_FAMILY_NONE);
	ASSERT_VIEW(c.address, "e2494022-4d9a-4c1e-a750-cc48d4f8d6ee.local");
	parse_ok("1380287402 1 udp 2130706431 printer.LOCAL 60542 typ host");
	CU_ASSERT_EQUAL(c.address_kind, RTCLAB_CAND_ADDR_MDNS);
	parse_ok("1380287402 1 udp 2130706431 redacted-ip.invalid 60542 typ host");
	CU_ASSERT_EQUAL(c.address_kind, RTCLAB_CAND_ADDR_FQDN);
	parse_ok("1 1 udp 1 stun.l.google.com 3478 typ srflx raddr my-host.local rport 1");
	CU_ASSERT_EQUAL(c.address_kind, RTCLAB_CAND_ADDR_FQDN);
	CU_ASSERT_EQUAL(c.raddr_ip.family, RTCLAB_FAMILY_NONE);
	ASSERT_VIEW(c.raddr, "my-host.local");
	parse_ok("1 1 udp 1 localhost 1 typ host");
	parse_ok("1 1 udp 1 a.b2 1 typ host");
	parse_ok("1 1 udp 1 1.2.3.4a 1 typ host"); /* last label not all digits */
	parse_ok("1 1 udp 1 x.local 1 typ host");
	CU_ASSERT_EQUAL(c.address_kind, RTCLAB_CAND_ADDR_MDNS);
}

/* The three spellings give the same fields; format always writes "candidate:". */
static void test_spellings(void)
{
	static const char *const lines[] = {
		"a=candidate:3359356140 1 tcp 1671430143 172.28.142.173 7686 typ host tcptype passive",
		"candidate:3359356140 1 tcp 1671430143 172.28.142.173 7686 typ host tcptype passive",
		"3359356140 1 tcp 1671430143 172.28.142.173 7686 typ host tcptype passive",
	};
	char out[256];
	for (size_t i = 0; i < 3; i++) {
		parse_ok(lines[i]);
		ASSERT_VIEW(c.foundation, "3359356140");
		CU_ASSERT_EQUAL(c.priority, 1671430143u);
		CU_ASSERT_EQUAL(c.port, 7686);
		CU_ASSERT_EQUAL(c.tcptype, RTCLAB_TCPTYPE_PASSIVE);
		rtclab_candidate_format(&c, out, sizeof out);
		CU_ASSERT_STRING_EQUAL(out, lines[1]);
	}
}

static void test_extensions(void)
{
	parse_ok("candidate:MOCK9004 1 udp 2122260223 10.88.178.121 52788 typ host generation 0 ufrag PWwO network-id 2 "
		 "network-cost 50");
	ASSERT_VIEW(c.ufrag, "PWwO");
	CU_ASSERT_EQUAL(c.generation, 0);
	CU_ASSERT_EQUAL(c.network_id, 2);
	CU_ASSERT_EQUAL(c.network_cost, 50);
	CU_ASSERT_EQUAL(c.n_ext, 4);
	ASSERT_VIEW(c.ext[1].name, "ufrag");

	/* an unknown extension (pion's password) is kept in order */
	parse_ok("848194626 1 udp 16777215 50.0.0.1 5000 typ relay raddr 192.168.0.1 rport 5001 generation 0 network-id 1 "
		 "network-cost 20 ufrag frag42abcdef password abc123exp123");
	CU_ASSERT_EQUAL_FATAL(c.n_ext, 5);
	ASSERT_VIEW(c.ext[4].name, "password");
	ASSERT_VIEW(c.ext[4].value, "abc123exp123");
	ASSERT_VIEW(c.ufrag, "frag42abcdef");

	/* empty values (extension-att-value = *VCHAR): two spaces, or a trailing one */
	parse_ok("1052353102 1 tcp 2128609279 192.168.0.196 0 typ host tcptype active empty-value-1  empty-value-2 ");
	CU_ASSERT_EQUAL_FATAL(c.n_ext, 3);
	ASSERT_VIEW(c.ext[1].name, "empty-value-1");
	CU_ASSERT_EQUAL(c.ext[1].value.len, 0);
	ASSERT_VIEW(c.ext[2].name, "empty-value-2");
	CU_ASSERT_EQUAL(c.ext[2].value.len, 0);

	/* the first occurrence fills the typed field; a non-number leaves it absent */
	parse_ok("1 1 udp 1 1.2.3.4 1 typ host generation x generation 7 network-id 99999999999 network-cost 3");
	CU_ASSERT_EQUAL(c.generation, 7);
	CU_ASSERT_EQUAL(c.network_id, -1);
	CU_ASSERT_EQUAL(c.network_cost, 3);
	CU_ASSERT_EQUAL(c.n_ext, 4);
	parse_ok("1 1 udp 1 1.2.3.4 1 typ host generation 4294967295 x \xc3\xa9t\xc3\xa9");
	CU_ASSERT_EQUAL(c.generation, 4294967295LL);
	ASSERT_VIEW(c.ext[1].value, "\xc3\xa9t\xc3\xa9");
}

static void test_limits(void)
{
	char line[512];
	parse_ok("12345678901234567890123456789012 256 udp 2147483647 1.2.3.4 65535 typ host");
	CU_ASSERT_EQUAL(c.component, 256);
	CU_ASSERT_EQUAL(c.priority, 2147483647u);
	CU_ASSERT_EQUAL(c.port, 65535);
	parse_ok("+/ 1 udp 1 1.2.3.4 0 typ host");
	/* 16 extensions fit, 17 do not */
	strcpy(line, "1 1 udp 1 1.2.3.4 1 typ host");
	for (int i = 0; i < 16; i++)
		snprintf(line + strlen(line), sizeof line - strlen(line), " e%d v", i);
	parse_ok(line);
	CU_ASSERT_EQUAL(c.n_ext, RTCLAB_CAND_MAX_EXT);
	size_t column;
	strcat(line, " e16 v");
	CU_ASSERT_EQUAL(parse(line, &column), RTCLAB_CAND_E_TOO_MANY_EXT);
	CU_ASSERT_EQUAL(column, strlen(line) - 4); /* at "e16" */
}

/* --- errors ------------------------------------------------------------------ */

static const struct expected_error errors[] = {
	{"", RTCLAB_CAND_E_TRUNCATED, 1},
	{"\r\n", RTCLAB_CAND_E_TRUNCATED, 1},
	{"candidate:", RTCLAB_CAND_E_TRUNCATED, 11},
	{"a=candidate:", RTCLAB_CAND_E_TRUNCATED, 13},
	{"a=ice-ufrag:abcd", RTCLAB_CAND_E_PREFIX, 1},
	{"a=candidate 1 1 udp 1 1.2.3.4 1 typ host", RTCLAB_CAND_E_PREFIX, 1},
	{"cand:1 1 udp 1 1.2.3.4 1 typ host", RTCLAB_CAND_E_PREFIX, 1},
	{"a=candidate:1 1 xdp 1 1.2.3.4 1 typ host", RTCLAB_CAND_E_TRANSPORT, 17},
	{"a=candidate:1 0 udp 1 1.2.3.4 1 typ host", RTCLAB_CAND_E_COMPONENT, 15},
	{"1 257 udp 1 1.2.3.4 1 typ host", RTCLAB_CAND_E_COMPONENT, 3},
	{"1 01 udp 1 1.2.3.4 1 typ host", RTCLAB_CAND_E_COMPONENT, 3},
	{"1 1 udp 0 1.2.3.4 1 typ host", RTCLAB_CAND_E_PRIORITY, 9},
	{"1 1 udp 2147483648 1.2.3.4 1 typ host", RTCLAB_CAND_E_PRIORITY, 9},
	{"1 1 udp 0100 1.2.3.4 1 typ host", RTCLAB_CAND_E_PRIORITY, 9},
	{"1 1 udp 1 1.2.3.4 65536 typ host", RTCLAB_CAND_E_PORT, 19},
	{"1 1 udp 1 1.2.3.4 080 typ host", RTCLAB_CAND_E_PORT, 19},
	{"1 1 udp 1 1.2.3.4 -1 typ host", RTCLAB_CAND_E_PORT, 19},
	{"1 1 udp 1 1.2.3.4 1 type host", RTCLAB_CAND_E_TYP, 21},
	{"1 1 udp 1 1.2.3.4 1 TYP host", RTCLAB_CAND_E_TYP, 21},
	{"1 1 udp 1 1.2.3.4 1", RTCLAB_CAND_E_TYP, 20},
	{"1 1 udp 1 1.2.3.4 1 typ", RTCLAB_CAND_E_TYPE, 24},
	{"1 1 udp 1 1.2.3.4 1 typ HOST", RTCLAB_CAND_E_TYPE, 25},
	{"1 1 udp 1 1.2.3.4.5 1 typ host", RTCLAB_CAND_E_ADDRESS, 11},
	{"1 1 udp 1 1.2.3 1 typ host", RTCLAB_CAND_E_ADDRESS, 11},
	{"1 1 udp 1 [::1] 1 typ host", RTCLAB_CAND_E_ADDRESS, 11},
	{"1 1 udp 1 fe80::1%eth0 1 typ host", RTCLAB_CAND_E_ADDRESS, 11},
	{"1 1 udp 1 -a.b 1 typ host", RTCLAB_CAND_E_ADDRESS, 11},
	{"1 1 udp 1 a-.b 1 typ host", RTCLAB_CAND_E_ADDRESS, 11},
	{"1 1 udp 1 a..b 1 typ host", RTCLAB_CAND_E_ADDRESS, 11},
	{"1 1 udp 1 a.b. 1 typ host", RTCLAB_CAND_E_ADDRESS, 11},
	{"1 1 udp 1 a_b.c 1 typ host", RTCLAB_CAND_E_ADDRESS, 11},
	{"1 1 udp 1 0123456789012345678901234567890123456789012345678901234567890123.x 1 typ host",
	 RTCLAB_CAND_E_ADDRESS, 11},
	{"1 1 udp 1 1.2.3.4 1 typ srflx raddr 1.2.3.4", RTCLAB_CAND_E_RPORT, 44},
	{"1 1 udp 1 1.2.3.4 1 typ srflx raddr 1.2.3.4 rport 01", RTCLAB_CAND_E_RPORT, 51},
	{"1 1 udp 1 1.2.3.4 1 typ srflx raddr x:y rport 1", RTCLAB_CAND_E_RADDR, 37},
	{"1 1 udp 1 1.2.3.4 1 typ srflx rport 1 raddr 1.2.3.4", RTCLAB_CAND_E_RADDR, 39},
	{"1 1 udp 1 1.2.3.4 1 typ srflx raddr 1.2.3.4 rport 1 rport 2", RTCLAB_CAND_E_RPORT, 53},
	{"1 1 udp 1 1.2.3.4 1 typ host generation 0 raddr 1.2.3.4 rport 1", RTCLAB_CAND_E_RADDR, 43},
	{"1 1 udp 1 1.2.3.4 1 typ host tcptype active", RTCLAB_CAND_E_TCPTYPE, 30},
	{"1 1 tcp 1 1.2.3.4 1 typ host tcptype active tcptype so", RTCLAB_CAND_E_TCPTYPE, 45},
	{"1 1 tcp 1 1.2.3.4 1 typ host tcptype Active", RTCLAB_CAND_E_TCPTYPE, 38},
	{"1 1 tcp 1 1.2.3.4 1 typ host tcptype", RTCLAB_CAND_E_TCPTYPE, 37},
	{"1 1 tcp 1 1.2.3.4 1 typ host generation 0", RTCLAB_CAND_E_TCPTYPE, 5},
	{"1 1 udp 1 1.2.3.4 1 typ host generation", RTCLAB_CAND_E_EXTENSION, 40},
	{"1 1 udp 1 1.2.3.4 1 typ host gen:eration 0", RTCLAB_CAND_E_EXTENSION, 30},
	{"1 1 udp 1 1.2.3.4 1 typ host g\xc3\xa9n 0", RTCLAB_CAND_E_EXTENSION, 30},
	/* spacing: RFC 8839 has one SP between fields */
	{"1  1 udp 1 1.2.3.4 1 typ host", RTCLAB_CAND_E_SPACING, 3},
	{"1 1 udp 1 1.2.3.4 1 typ host ", RTCLAB_CAND_E_SPACING, 29},
	{"1 1 udp 1 1.2.3.4 1 typ host generation 0 ", RTCLAB_CAND_E_SPACING, 42},
	{"1 1 udp 1 1.2.3.4 1 typ host generation 0  ufrag x", RTCLAB_CAND_E_SPACING, 43},
	{"1\t1 udp 1 1.2.3.4 1 typ host", RTCLAB_CAND_E_SPACING, 2},
	{"1 1 udp 1 1.2.3.4 1 typ\thost", RTCLAB_CAND_E_SPACING, 24},
	{"1 1 udp 1 1.2.3.4 1 typ srflx raddr  1.2.3.4 rport 1", RTCLAB_CAND_E_SPACING, 37},
	/* control characters (pion's cases with LF, CR and NUL inside) */
	{"1 1 udp 1 1.2.3.4 1 typ host\ngeneration 0", RTCLAB_CAND_E_BAD_CHAR, 29},
	{"1 1 udp 1 1.2.3.4 1 typ host\rgeneration 0", RTCLAB_CAND_E_BAD_CHAR, 29},
	{"1 1 udp 1 1.2.3.4 1 typ host generation 0\x7f", RTCLAB_CAND_E_BAD_CHAR, 42},
	{"1 1 udp 1 1.2\x01.3.4 1 typ host", RTCLAB_CAND_E_BAD_CHAR, 14},
};

static void test_errors(void)
{
	for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++)
		assert_error(&errors[i], errors[i].line, strlen(errors[i].line));
	/* a NUL inside: the length says where the line ends, not the NUL */
	static const char nul[] = "1 1 udp 1 1.2.3.4 1 typ host\0generation 0";
	size_t column;
	CU_ASSERT_EQUAL(rtclab_candidate_parse(&c, nul, sizeof nul - 1, &column), RTCLAB_CAND_E_BAD_CHAR);
	CU_ASSERT_EQUAL(column, 29);
	/* a TCP candidate without tcptype: the last check, the fields are all there */
	CU_ASSERT_EQUAL(parse("a=candidate:1 2 tcp 1509957375 192.168.137.1 0 typ host generation 0", &column),
			RTCLAB_CAND_E_TCPTYPE);
	CU_ASSERT_EQUAL(column, 17);
	CU_ASSERT_EQUAL(c.transport, RTCLAB_CAND_TCP);
	CU_ASSERT_EQUAL(c.tcptype, RTCLAB_TCPTYPE_NONE);
	CU_ASSERT_EQUAL(c.component, 2);
	CU_ASSERT_EQUAL(c.port, 0);
	CU_ASSERT_EQUAL(c.generation, 0);
	CU_ASSERT_EQUAL(c.n_ext, 1);
	ASSERT_VIEW(c.address, "192.168.137.1");
	/* the column may be left out; NULL with length 0 is an empty line */
	CU_ASSERT_EQUAL(rtclab_candidate_parse(&c, "1 1 udp 1 1.2.3.4 1 typ hos", 27, NULL), RTCLAB_CAND_E_TYPE);
	CU_ASSERT_EQUAL(rtclab_candidate_parse(&c, NULL, 0, &column), RTCLAB_CAND_E_TRUNCATED);
	/* trailing CR and LF are not part of the line */
	parse_ok("1 1 udp 1 1.2.3.4 1 typ host\n");
	parse_ok("1 1 udp 1 1.2.3.4 1 typ host\r\n\r\n");
}

static void test_error_strings(void)
{
	for (int e = RTCLAB_CAND_OK; e <= RTCLAB_CAND_E_SPACING; e++) {
		const char *s = rtclab_cand_error_str((enum rtclab_cand_error)e);
		CHECKF(s && strlen(s) > 5 && strcmp(s, "unknown error") != 0, "error %d has no text", e);
		for (int f = RTCLAB_CAND_OK; f < e; f++)
			CHECKF(strcmp(s, rtclab_cand_error_str((enum rtclab_cand_error)f)) != 0, "errors %d, %d share a text",
			       e, f);
	}
	CU_ASSERT_STRING_EQUAL(rtclab_cand_error_str((enum rtclab_cand_error)99), "unknown error");
	CU_ASSERT_STRING_EQUAL(rtclab_cand_type_name(RTCLAB_CAND_HOST), "host");
	CU_ASSERT_STRING_EQUAL(rtclab_cand_type_name(RTCLAB_CAND_SRFLX), "srflx");
	CU_ASSERT_STRING_EQUAL(rtclab_cand_type_name(RTCLAB_CAND_PRFLX), "prflx");
	CU_ASSERT_STRING_EQUAL(rtclab_cand_type_name(RTCLAB_CAND_RELAY), "relay");
	CU_ASSERT_STRING_EQUAL(rtclab_cand_type_name((enum rtclab_cand_type)9), "unknown");
	CU_ASSERT_STRING_EQUAL(rtclab_tcptype_name(RTCLAB_TCPTYPE_NONE), "none");
	CU_ASSERT_STRING_EQUAL(rtclab_tcptype_name(RTCLAB_TCPTYPE_ACTIVE), "active");
	CU_ASSERT_STRING_EQUAL(rtclab_tcptype_name(RTCLAB_TCPTYPE_PASSIVE), "passive");
	CU_ASSERT_STRING_EQUAL(rtclab_tcptype_name(RTCLAB_TCPTYPE_SO), "so");
	CU_ASSERT_PTR_NOT_NULL(strstr(rtclab_cand_type_explain(RTCLAB_CAND_SRFLX), "STUN"));
	CU_ASSERT_PTR_NOT_NULL(strstr(rtclab_cand_type_explain(RTCLAB_CAND_RELAY), "TURN"));
	CU_ASSERT_PTR_NOT_NULL(strstr(rtclab_cand_type_explain(RTCLAB_CAND_PRFLX), "checks"));
	CU_ASSERT_PTR_NOT_NULL(strstr(rtclab_cand_type_explain(RTCLAB_CAND_HOST), "interface"));
}

/* --- formatting ------------------------------------------------------------------ */

static void test_format_sizes(void)
{
	static const char line[] = "candidate:1 1 udp 2130706431 192.0.2.1 5000 typ host generation 0";
	char buf[128];
	parse_ok(line);
	size_t n = sizeof line - 1;
	CU_ASSERT_EQUAL(rtclab_candidate_format(&c, NULL, 0), n);
	CU_ASSERT_EQUAL(rtclab_candidate_format(&c, buf, n + 1), n);
	CU_ASSERT_STRING_EQUAL(buf, line);
	memset(buf, 'x', sizeof buf);
	CU_ASSERT_EQUAL(rtclab_candidate_format(&c, buf, 10), n);
	CU_ASSERT_STRING_EQUAL(buf, "candidate");
	CU_ASSERT_EQUAL(buf[10], 'x'); /* nothing past len */
	CU_ASSERT_EQUAL(rtclab_candidate_format(&c, buf, 1), n);
	CU_ASSERT_EQUAL(buf[0], '\0');
}

/* A candidate built by hand, as an ICE agent would: typed fields, no text. */
static void test_format_by_hand(void)
{
	struct rtclab_candidate h;
	char buf[256];
	memset(&h, 0, sizeof h);
	h.foundation = (struct rtclab_str){"7", 1};
	h.component = 1;
	h.transport = RTCLAB_CAND_TCP;
	h.priority = 1694498815;
	rtclab_addr_ip_parse(&h.ip, "2001:db8::7");
	h.address_kind = RTCLAB_CAND_ADDR_IPV6;
	h.port = 9;
	h.type = RTCLAB_CAND_SRFLX;
	h.has_raddr = h.has_rport = true;
	rtclab_addr_ip_parse(&h.raddr_ip, "fd00::7");
	h.rport = 9;
	h.tcptype = RTCLAB_TCPTYPE_ACTIVE;
	h.generation = 2;
	h.ufrag = (struct rtclab_str){"abcd", 4};
	h.network_id = 3;
	h.network_cost = 10;
	rtclab_candidate_format(&h, buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "candidate:7 1 tcp 1694498815 2001:db8::7 9 typ srflx raddr fd00::7 rport 9 tcptype "
				    "active generation 2 ufrag abcd network-id 3 network-cost 10");
	parse_ok(buf);
	CU_ASSERT_EQUAL(c.tcptype, RTCLAB_TCPTYPE_ACTIVE);
	CU_ASSERT_EQUAL(c.network_cost, 10);
}

static void test_json(void)
{
	parse_ok("a=candidate:1 1 TCP 1688207359 192.0.2.3 9 typ srflx raddr 10.0.1.1 rport 9 tcptype active "
		 "generation 0 generation 1 x \xff");
	json_t *j = rtclab_candidate_json(&c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	char *text = json_dumps(j, JSON_PRESERVE_ORDER | JSON_COMPACT);
	CU_ASSERT_STRING_EQUAL(text,
			       "{\"foundation\":\"1\",\"component\":1,\"transport\":\"tcp\",\"priority\":1688207359,"
			       "\"address\":\"192.0.2.3\",\"port\":9,\"type\":\"srflx\",\"related_address\":\"10.0.1.1\","
			       "\"related_port\":9,\"tcptype\":\"active\",\"extensions\":{\"tcptype\":\"active\","
			       "\"generation\":\"0\",\"x\":\"\\\\xff\"},\"priority_parts\":{\"type_preference\":100,"
			       "\"local_preference\":40959,\"component\":1},\"address_kind\":\"ipv4\"}");
	free(text);
	json_decref(j);
	parse_ok("1 2 udp 1 host-1.local 1 typ host");
	j = rtclab_candidate_json(&c);
	CU_ASSERT_TRUE(json_is_null(json_object_get(j, "related_address")));
	CU_ASSERT_TRUE(json_is_null(json_object_get(j, "related_port")));
	CU_ASSERT_TRUE(json_is_null(json_object_get(j, "tcptype")));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "address_kind")), "mdns");
	CU_ASSERT_EQUAL(json_object_size(json_object_get(j, "extensions")), 0);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(j, "priority_parts"), "component")), 255);
	json_decref(j);
}

RTCLAB_SUITE(candidate)
{
	static const struct unit_test tests[] = {
		{"fixture: valid lines round-trip, invalid ones fail with their code", test_fixture},
		{"host (Chrome): every field", test_host_chrome},
		{"srflx (Firefox, UDP in capitals)", test_srflx_firefox},
		{"prflx, relay, hidden raddr, rport alone", test_prflx_relay},
		{"TCP: active, passive, so (RFC 6544)", test_tcp},
		{"IPv6 addresses", test_ipv6},
		{"mDNS and FQDN names", test_names},
		{"three spellings, one candidate", test_spellings},
		{"extensions: ufrag, unknown, empty values, repeats", test_extensions},
		{"limits: 32-char foundation, 256, 2^31-1, 65535, 16 extensions", test_limits},
		{"errors and their columns", test_errors},
		{"error strings and names", test_error_strings},
		{"format: sizes and truncation", test_format_sizes},
		{"format: a candidate built by hand", test_format_by_hand},
		{"JSON", test_json},
		{NULL, NULL},
	};
	unit_add_suite("candidate", tests);
}
