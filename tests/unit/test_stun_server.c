/* The simulated STUN server (lib/stun_server.c): Binding answers decoded
 * with the library's decoder, error responses (400, 420 with
 * UNKNOWN-ATTRIBUTES), RFC 3489 clients, and the RFC 5780 behaviour
 * discovery sequence (4.3 mapping tests, 4.4 filtering tests) run directly
 * against a server with two addresses, checking where each answer comes
 * from and what it says. */
#include <stdio.h>
#include <string.h>

#include "rtclab/stun.h"
#include "rtclab/stun_server.h"
#include "unit.h"

#define MAX_SENT 16

struct sent {
	enum rtclab_l4 l4;
	struct rtclab_addr src, dst;
	uint8_t data[1500];
	size_t len;
};

struct box {
	struct sent out[MAX_SENT];
	size_t n_out;
	enum rtclab_server_event_kind kinds[MAX_SENT];
	uint16_t codes[MAX_SENT];
	char last_text[320];
	size_t n_ev;
};

static void on_send(void *arg, rtclab_time_ns now, enum rtclab_l4 l4, const struct rtclab_addr *src,
		    const struct rtclab_addr *dst, const void *data, size_t len)
{
	(void)now;
	struct box *b = arg;
	if (b->n_out == MAX_SENT || len > sizeof b->out[0].data)
		return;
	struct sent *s = &b->out[b->n_out++];
	s->l4 = l4;
	s->src = *src;
	s->dst = *dst;
	memcpy(s->data, data, len);
	s->len = len;
}

static void on_event(void *arg, const struct rtclab_server_event *ev)
{
	struct box *b = arg;
	if (b->n_ev < MAX_SENT) {
		b->kinds[b->n_ev] = ev->kind;
		b->codes[b->n_ev] = ev->error_code;
	}
	b->n_ev++;
	snprintf(b->last_text, sizeof b->last_text, "%s", ev->text);
}

static struct rtclab_addr addr(const char *ip, uint16_t port)
{
	struct rtclab_addr a;
	memset(&a, 0, sizeof a);
	rtclab_addr_ip_parse(&a, ip);
	a.port = port;
	return a;
}

static const uint8_t tid[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

/* A Binding request; CHANGE-REQUEST when change_ip or change_port, FINGERPRINT when fp. */
static size_t binding_request(uint8_t *buf, size_t cap, bool change_ip, bool change_port, bool fp)
{
	struct rtclab_stun_encoder e;
	rtclab_stun_enc_begin(&e, buf, cap, RTCLAB_STUN_BINDING, RTCLAB_STUN_REQUEST, tid);
	if (change_ip || change_port) {
		struct rtclab_stun_attr a = {.type = RTCLAB_STUN_ATTR_CHANGE_REQUEST};
		a.v.change.change_ip = change_ip;
		a.v.change.change_port = change_port;
		rtclab_stun_enc_attr(&e, &a);
	}
	if (fp)
		rtclab_stun_enc_fingerprint(&e);
	return rtclab_stun_enc_end(&e);
}

static struct rtclab_stun_server *make_server(struct box *b, bool rfc5780, const char *software)
{
	struct rtclab_stun_server_config cfg = {
		.primary = addr("192.0.2.1", 3478),
		.software = software,
		.send = on_send,
		.send_arg = b,
		.on_event = on_event,
		.event_arg = b,
	};
	if (rfc5780)
		cfg.alternate = addr("192.0.2.2", 3479);
	struct rtclab_stun_server *s = NULL;
	enum rtclab_server_error err = rtclab_stun_server_new(&cfg, &s);
	CHECKF(err == RTCLAB_SERVER_OK && s, "server created: %s", rtclab_server_error_str(err));
	return s;
}

/* Decode the i-th datagram the server sent; false (test failed) when it is not a clean STUN message. */
static bool decode_sent(const struct box *b, size_t i, struct rtclab_stun_msg *msg)
{
	if (i >= b->n_out) {
		CHECKF(0, "datagram %zu was sent (only %zu)", i, b->n_out);
		return false;
	}
	enum rtclab_stun_error err = rtclab_stun_decode(msg, b->out[i].data, b->out[i].len);
	CHECKF(err == RTCLAB_STUN_OK, "response decodes cleanly: %s", rtclab_stun_error_str(err));
	return err == RTCLAB_STUN_OK;
}

static bool attr_addr_is(const struct rtclab_stun_msg *m, uint16_t type, const struct rtclab_addr *want)
{
	const struct rtclab_stun_attr *a = rtclab_stun_find(m, type);
	char got[RTCLAB_ADDR_STRLEN] = "absent", w[RTCLAB_ADDR_STRLEN];
	if (a)
		rtclab_addr_format(&a->v.addr, got, sizeof got);
	rtclab_addr_format(want, w, sizeof w);
	bool ok = a && a->ok && rtclab_addr_equal(&a->v.addr, want);
	CHECKF(ok, "%s is %s, want %s", rtclab_stun_attr_name(type), got, w);
	return ok;
}

static uint16_t error_code(const struct rtclab_stun_msg *m)
{
	const struct rtclab_stun_attr *a = rtclab_stun_find(m, RTCLAB_STUN_ATTR_ERROR_CODE);
	return a && a->ok ? a->v.error.code : 0;
}

/* --- Binding ---------------------------------------------------------------------- */

static void test_binding(void)
{
	struct box b = {0};
	struct rtclab_stun_server *s = make_server(&b, false, "rtclab test");
	struct rtclab_addr local = addr("192.0.2.1", 3478), client = addr("198.51.100.7", 40000);
	uint8_t req[256];
	size_t n = binding_request(req, sizeof req, false, false, true);
	rtclab_stun_server_receive(s, RTCLAB_MS(5), RTCLAB_L4_UDP, &local, &client, req, n);
	CU_ASSERT_EQUAL_FATAL(b.n_out, 1);
	CU_ASSERT(rtclab_addr_equal(&b.out[0].src, &local));
	CU_ASSERT(rtclab_addr_equal(&b.out[0].dst, &client));
	CU_ASSERT_EQUAL(b.out[0].l4, RTCLAB_L4_UDP);
	struct rtclab_stun_msg m;
	if (!decode_sent(&b, 0, &m))
		goto out;
	CU_ASSERT_EQUAL(m.method, RTCLAB_STUN_BINDING);
	CU_ASSERT_EQUAL(m.cls, RTCLAB_STUN_SUCCESS);
	CU_ASSERT(m.magic_cookie);
	CU_ASSERT_EQUAL(memcmp(m.transaction_id, tid, 12), 0);
	attr_addr_is(&m, RTCLAB_STUN_ATTR_XOR_MAPPED_ADDRESS, &client);
	CU_ASSERT_PTR_NULL(rtclab_stun_find(&m, RTCLAB_STUN_ATTR_OTHER_ADDRESS)); /* one address: no RFC 5780 */
	const struct rtclab_stun_attr *sw = rtclab_stun_find(&m, RTCLAB_STUN_ATTR_SOFTWARE);
	CU_ASSERT(sw && sw->v.text.len == 11 && memcmp(sw->v.text.ptr, "rtclab test", 11) == 0);
	/* RFC 8489 7.3: FINGERPRINT because the request had one, and it verifies */
	struct rtclab_stun_verdict v;
	rtclab_stun_verify(&m, NULL, &v);
	CU_ASSERT_EQUAL(v.fingerprint, RTCLAB_STUN_CHECK_OK);
	CU_ASSERT_EQUAL(b.kinds[0], RTCLAB_SERVER_EV_BINDING);
	CHECKF(strstr(b.last_text, "198.51.100.7:40000") != NULL, "the event names the address: %s", b.last_text);

	/* without FINGERPRINT in the request, none in the response */
	n = binding_request(req, sizeof req, false, false, false);
	rtclab_stun_server_receive(s, RTCLAB_MS(6), RTCLAB_L4_UDP, &local, &client, req, n);
	if (decode_sent(&b, 1, &m))
		CU_ASSERT_EQUAL(m.fingerprint_offset, SIZE_MAX);
out:
	rtclab_stun_server_free(s);
}

/* RFC 8489 12.2: a request without the magic cookie is an RFC 3489 one and
 * gets MAPPED-ADDRESS with its own 128-bit transaction ID. */
static void test_classic_client(void)
{
	struct box b = {0};
	struct rtclab_stun_server *s = make_server(&b, false, NULL);
	struct rtclab_addr local = addr("192.0.2.1", 3478), client = addr("198.51.100.7", 40000);
	uint8_t req[64];
	size_t n = binding_request(req, sizeof req, false, false, false);
	static const uint8_t first4[4] = {0xde, 0xad, 0xbe, 0xef};
	memcpy(req + 4, first4, 4); /* no cookie: the 16-byte ID of RFC 3489 */
	rtclab_stun_server_receive(s, 0, RTCLAB_L4_UDP, &local, &client, req, n);
	struct rtclab_stun_msg m;
	if (decode_sent(&b, 0, &m)) {
		CU_ASSERT(!m.magic_cookie);
		CU_ASSERT_EQUAL(m.transaction_id_len, 16);
		CU_ASSERT_EQUAL(memcmp(m.transaction_id, req + 4, 16), 0);
		attr_addr_is(&m, RTCLAB_STUN_ATTR_MAPPED_ADDRESS, &client);
		CU_ASSERT_PTR_NULL(rtclab_stun_find(&m, RTCLAB_STUN_ATTR_XOR_MAPPED_ADDRESS));
	}
	rtclab_stun_server_free(s);
}

/* --- errors ---------------------------------------------------------------------- */

static void test_unknown_attributes(void)
{
	struct box b = {0};
	struct rtclab_stun_server *s = make_server(&b, false, NULL);
	struct rtclab_addr local = addr("192.0.2.1", 3478), client = addr("198.51.100.7", 40000);
	uint8_t req[128];
	struct rtclab_stun_encoder e;
	rtclab_stun_enc_begin(&e, req, sizeof req, RTCLAB_STUN_BINDING, RTCLAB_STUN_REQUEST, tid);
	rtclab_stun_enc_raw(&e, 0x7F01, "abcd", 4); /* unknown, comprehension-required */
	rtclab_stun_enc_raw(&e, 0xFF01, "abcd", 4); /* unknown, comprehension-optional: ignored */
	rtclab_stun_enc_raw(&e, 0x7F02, "", 0);
	rtclab_stun_enc_fingerprint(&e);
	size_t n = rtclab_stun_enc_end(&e);
	rtclab_stun_server_receive(s, 0, RTCLAB_L4_UDP, &local, &client, req, n);
	struct rtclab_stun_msg m;
	if (decode_sent(&b, 0, &m)) {
		CU_ASSERT_EQUAL(m.cls, RTCLAB_STUN_ERROR);
		CU_ASSERT_EQUAL(error_code(&m), 420);
		const struct rtclab_stun_attr *u = rtclab_stun_find(&m, RTCLAB_STUN_ATTR_UNKNOWN_ATTRIBUTES);
		CU_ASSERT_PTR_NOT_NULL_FATAL(u);
		CU_ASSERT_EQUAL(rtclab_stun_attr_u16_at(u, 0), 0x7F01);
		CU_ASSERT_EQUAL(rtclab_stun_attr_u16_at(u, 1), 0x7F02);
		CU_ASSERT_EQUAL(rtclab_stun_attr_u16_at(u, 2), -1); /* not the optional one */
		CU_ASSERT_NOT_EQUAL(m.fingerprint_offset, SIZE_MAX);
		CU_ASSERT_EQUAL(b.kinds[0], RTCLAB_SERVER_EV_REJECTED);
		CU_ASSERT_EQUAL(b.codes[0], 420);
	}

	/* only the optional one: served */
	rtclab_stun_enc_begin(&e, req, sizeof req, RTCLAB_STUN_BINDING, RTCLAB_STUN_REQUEST, tid);
	rtclab_stun_enc_raw(&e, 0xFF01, "abcd", 4);
	n = rtclab_stun_enc_end(&e);
	rtclab_stun_server_receive(s, 0, RTCLAB_L4_UDP, &local, &client, req, n);
	if (decode_sent(&b, 1, &m))
		CU_ASSERT_EQUAL(m.cls, RTCLAB_STUN_SUCCESS);
	rtclab_stun_server_free(s);
}

static void test_bad_requests(void)
{
	struct box b = {0};
	struct rtclab_stun_server *s = make_server(&b, false, NULL);
	struct rtclab_addr local = addr("192.0.2.1", 3478), client = addr("198.51.100.7", 40000);
	uint8_t req[128];
	struct rtclab_stun_encoder e;
	struct rtclab_stun_msg m;

	/* a known attribute with the wrong length: 400 */
	rtclab_stun_enc_begin(&e, req, sizeof req, RTCLAB_STUN_BINDING, RTCLAB_STUN_REQUEST, tid);
	rtclab_stun_enc_raw(&e, RTCLAB_STUN_ATTR_PRIORITY, "ab", 2);
	size_t n = rtclab_stun_enc_end(&e);
	rtclab_stun_server_receive(s, 0, RTCLAB_L4_UDP, &local, &client, req, n);
	if (decode_sent(&b, 0, &m))
		CU_ASSERT_EQUAL(error_code(&m), 400);

	/* a method a STUN server does not serve: 400 */
	rtclab_stun_enc_begin(&e, req, sizeof req, RTCLAB_STUN_ALLOCATE, RTCLAB_STUN_REQUEST, tid);
	n = rtclab_stun_enc_end(&e);
	rtclab_stun_server_receive(s, 0, RTCLAB_L4_UDP, &local, &client, req, n);
	if (decode_sent(&b, 1, &m))
		CU_ASSERT_EQUAL(error_code(&m), 400);

	/* not STUN, a bad FINGERPRINT, an indication, a response: no answer, an event each */
	size_t events = b.n_ev;
	rtclab_stun_server_receive(s, 0, RTCLAB_L4_UDP, &local, &client, "\x80\x00 rtp", 6);
	n = binding_request(req, sizeof req, false, false, true);
	req[n - 1] ^= 1;
	rtclab_stun_server_receive(s, 0, RTCLAB_L4_UDP, &local, &client, req, n);
	rtclab_stun_enc_begin(&e, req, sizeof req, RTCLAB_STUN_BINDING, RTCLAB_STUN_INDICATION, tid);
	n = rtclab_stun_enc_end(&e);
	rtclab_stun_server_receive(s, 0, RTCLAB_L4_UDP, &local, &client, req, n);
	rtclab_stun_enc_begin(&e, req, sizeof req, RTCLAB_STUN_BINDING, RTCLAB_STUN_SUCCESS, tid);
	n = rtclab_stun_enc_end(&e);
	rtclab_stun_server_receive(s, 0, RTCLAB_L4_UDP, &local, &client, req, n);
	/* TCP, and an address the server does not have */
	n = binding_request(req, sizeof req, false, false, false);
	rtclab_stun_server_receive(s, 0, RTCLAB_L4_TCP, &local, &client, req, n);
	struct rtclab_addr elsewhere = addr("192.0.2.9", 3478);
	rtclab_stun_server_receive(s, 0, RTCLAB_L4_UDP, &elsewhere, &client, req, n);
	CU_ASSERT_EQUAL(b.n_out, 2);
	CU_ASSERT_EQUAL(b.n_ev, events + 6);
	for (size_t i = events; i < b.n_ev && i < MAX_SENT; i++)
		CU_ASSERT_EQUAL(b.kinds[i], RTCLAB_SERVER_EV_DISCARDED);

	/* a plain server cannot change its address: 420 naming CHANGE-REQUEST (RFC 5780 7.2) */
	n = binding_request(req, sizeof req, true, false, true);
	rtclab_stun_server_receive(s, 0, RTCLAB_L4_UDP, &local, &client, req, n);
	if (decode_sent(&b, 2, &m)) {
		CU_ASSERT_EQUAL(error_code(&m), 420);
		const struct rtclab_stun_attr *u = rtclab_stun_find(&m, RTCLAB_STUN_ATTR_UNKNOWN_ATTRIBUTES);
		CU_ASSERT(u && rtclab_stun_attr_u16_at(u, 0) == RTCLAB_STUN_ATTR_CHANGE_REQUEST);
	}
	rtclab_stun_server_free(s);
}

/* --- RFC 5780 ------------------------------------------------------------------------ */

struct probe {
	struct rtclab_addr from;    /* where the response came from */
	struct rtclab_addr mapped, origin, other;
	bool answered;
};

/* One Binding request from client to dst; what came back. */
static struct probe probe(struct rtclab_stun_server *s, struct box *b, const struct rtclab_addr *client,
			  const struct rtclab_addr *dst, bool change_ip, bool change_port)
{
	struct probe p;
	memset(&p, 0, sizeof p);
	uint8_t req[128];
	size_t before = b->n_out;
	size_t n = binding_request(req, sizeof req, change_ip, change_port, true);
	rtclab_stun_server_receive(s, 0, RTCLAB_L4_UDP, dst, client, req, n);
	struct rtclab_stun_msg m;
	if (b->n_out != before + 1 || !decode_sent(b, before, &m) || m.cls != RTCLAB_STUN_SUCCESS)
		return p;
	const struct rtclab_stun_attr *x = rtclab_stun_find(&m, RTCLAB_STUN_ATTR_XOR_MAPPED_ADDRESS);
	const struct rtclab_stun_attr *o = rtclab_stun_find(&m, RTCLAB_STUN_ATTR_RESPONSE_ORIGIN);
	const struct rtclab_stun_attr *t = rtclab_stun_find(&m, RTCLAB_STUN_ATTR_OTHER_ADDRESS);
	if (!x || !o || !t)
		return p;
	p.answered = rtclab_addr_equal(&b->out[before].dst, client);
	p.from = b->out[before].src;
	p.mapped = x->v.addr;
	p.origin = o->v.addr;
	p.other = t->v.addr;
	return p;
}

static void expect_probe(const struct probe *p, const char *test, const struct rtclab_addr *from,
			 const struct rtclab_addr *mapped, const struct rtclab_addr *other)
{
	char f[RTCLAB_ADDR_STRLEN], w[RTCLAB_ADDR_STRLEN];
	CHECKF(p->answered, "%s: answered", test);
	CHECKF(rtclab_addr_equal(&p->from, from), "%s: response from %s, want %s", test,
	       rtclab_addr_format(&p->from, f, sizeof f), rtclab_addr_format(from, w, sizeof w));
	CHECKF(rtclab_addr_equal(&p->origin, &p->from), "%s: RESPONSE-ORIGIN is where it came from", test);
	CHECKF(rtclab_addr_equal(&p->mapped, mapped), "%s: XOR-MAPPED-ADDRESS %s", test,
	       rtclab_addr_format(&p->mapped, f, sizeof f));
	CHECKF(rtclab_addr_equal(&p->other, other), "%s: OTHER-ADDRESS %s, want %s", test,
	       rtclab_addr_format(&p->other, f, sizeof f), rtclab_addr_format(other, w, sizeof w));
}

/* RFC 5780 4.3 and 4.4 run against the server with no NAT in between: the
 * mapped address never changes (endpoint-independent mapping, as an open
 * host has) and every answer arrives (endpoint-independent filtering), from
 * exactly the address the test asked for. */
static void test_rfc5780_sequence(void)
{
	struct box b = {0};
	struct rtclab_stun_server *s = make_server(&b, true, NULL);
	struct rtclab_addr client = addr("198.51.100.7", 40000);
	struct rtclab_addr pp = addr("192.0.2.1", 3478), pa = addr("192.0.2.1", 3479);
	struct rtclab_addr ap = addr("192.0.2.2", 3478), aa = addr("192.0.2.2", 3479);

	struct rtclab_addr all[4];
	CU_ASSERT_EQUAL(rtclab_stun_server_addresses(s, all, 4), 4);
	CU_ASSERT(rtclab_addr_equal(&all[0], &pp) && rtclab_addr_equal(&all[1], &pa));
	CU_ASSERT(rtclab_addr_equal(&all[2], &ap) && rtclab_addr_equal(&all[3], &aa));

	/* 4.3 test I: to the primary address; OTHER-ADDRESS gives the alternate */
	struct probe t1 = probe(s, &b, &client, &pp, false, false);
	expect_probe(&t1, "mapping test I", &pp, &client, &aa);
	/* 4.3 test II: to the alternate IP address (from OTHER-ADDRESS), primary port */
	struct rtclab_addr test2_dst = t1.other;
	test2_dst.port = pp.port;
	struct probe t2 = probe(s, &b, &client, &test2_dst, false, false);
	expect_probe(&t2, "mapping test II", &ap, &client, &pa);
	/* 4.3 test III: to the alternate IP address and port */
	struct probe t3 = probe(s, &b, &client, &t1.other, false, false);
	expect_probe(&t3, "mapping test III", &aa, &client, &pp);

	/* 4.4 test II: change IP and port, the answer leaves from the other of both */
	struct probe f2 = probe(s, &b, &client, &pp, true, true);
	expect_probe(&f2, "filtering test II", &aa, &client, &aa);
	/* 4.4 test III: change port only */
	struct probe f3 = probe(s, &b, &client, &pp, false, true);
	expect_probe(&f3, "filtering test III", &pa, &client, &aa);
	/* change IP only, sent to the alternate address: the primary IP, the same port */
	struct probe fi = probe(s, &b, &client, &aa, true, false);
	expect_probe(&fi, "change IP from the alternate", &pa, &client, &pp);
	CU_ASSERT_EQUAL(b.n_out, 6);
	rtclab_stun_server_free(s);
}

/* RFC 5780 7.5: RESPONSE-PORT sends the answer to another port of the client. */
static void test_response_port(void)
{
	struct box b = {0};
	struct rtclab_stun_server *s = make_server(&b, true, NULL);
	struct rtclab_addr local = addr("192.0.2.1", 3478), client = addr("198.51.100.7", 40000);
	uint8_t req[128];
	struct rtclab_stun_encoder e;
	rtclab_stun_enc_begin(&e, req, sizeof req, RTCLAB_STUN_BINDING, RTCLAB_STUN_REQUEST, tid);
	struct rtclab_stun_attr rp = {.type = RTCLAB_STUN_ATTR_RESPONSE_PORT};
	rp.v.u32 = 40002;
	rtclab_stun_enc_attr(&e, &rp);
	size_t n = rtclab_stun_enc_end(&e);
	rtclab_stun_server_receive(s, 0, RTCLAB_L4_UDP, &local, &client, req, n);
	CU_ASSERT_EQUAL_FATAL(b.n_out, 1);
	struct rtclab_addr want = addr("198.51.100.7", 40002);
	CU_ASSERT(rtclab_addr_equal(&b.out[0].dst, &want));
	struct rtclab_stun_msg m;
	if (decode_sent(&b, 0, &m)) /* the mapped address is still the request's source */
		attr_addr_is(&m, RTCLAB_STUN_ATTR_XOR_MAPPED_ADDRESS, &client);
	rtclab_stun_server_free(s);
}

static void test_config_errors(void)
{
	struct box b = {0};
	struct rtclab_stun_server_config cfg = {.primary = addr("192.0.2.1", 3478), .send = on_send, .send_arg = &b};
	struct rtclab_stun_server *s = (struct rtclab_stun_server *)&b;
	cfg.alternate = addr("192.0.2.1", 3479); /* same IP */
	CU_ASSERT_EQUAL(rtclab_stun_server_new(&cfg, &s), RTCLAB_SERVER_E_ALTERNATE);
	CU_ASSERT_PTR_NULL(s);
	cfg.alternate = addr("192.0.2.2", 3478); /* same port */
	CU_ASSERT_EQUAL(rtclab_stun_server_new(&cfg, &s), RTCLAB_SERVER_E_ALTERNATE);
	cfg.alternate = addr("2001:db8::2", 3479); /* another family */
	CU_ASSERT_EQUAL(rtclab_stun_server_new(&cfg, &s), RTCLAB_SERVER_E_ALTERNATE);
	cfg.alternate.family = RTCLAB_FAMILY_NONE;
	cfg.primary.port = 0;
	CU_ASSERT_EQUAL(rtclab_stun_server_new(&cfg, &s), RTCLAB_SERVER_E_NO_ADDRESS);
	cfg.primary.port = 3478;
	cfg.send = NULL;
	CU_ASSERT_EQUAL(rtclab_stun_server_new(&cfg, &s), RTCLAB_SERVER_E_NO_SEND);
	for (int c = 0; c <= RTCLAB_SERVER_E_LAST; c++)
		CHECKF(strcmp(rtclab_server_error_str((enum rtclab_server_error)c), "unknown error") != 0,
		       "error %d has a phrase", c);
	CU_ASSERT_STRING_EQUAL(rtclab_server_error_str((enum rtclab_server_error)999), "unknown error");
	for (int k = 1; k <= RTCLAB_SERVER_EV_LAST; k++) {
		const char *id = rtclab_server_event_kind_id((enum rtclab_server_event_kind)k);
		CHECKF(strcmp(id, "unknown") != 0, "event kind %d has an id", k);
		for (int j = 1; j < k; j++)
			CHECKF(strcmp(id, rtclab_server_event_kind_id((enum rtclab_server_event_kind)j)) != 0,
			       "event ids %d and %d differ", j, k);
	}
}

RTCLAB_SUITE(stun_server)
{
	static const struct unit_test tests[] = {
		{"Binding: XOR-MAPPED-ADDRESS, SOFTWARE, FINGERPRINT when asked", test_binding},
		{"an RFC 3489 client gets MAPPED-ADDRESS and its 128-bit ID", test_classic_client},
		{"420 lists unknown comprehension-required attributes only", test_unknown_attributes},
		{"400, and what is silently discarded", test_bad_requests},
		{"RFC 5780 4.3 mapping and 4.4 filtering tests, no NAT", test_rfc5780_sequence},
		{"RFC 5780 RESPONSE-PORT", test_response_port},
		{"configuration errors, error phrases, event ids", test_config_errors},
		{NULL, NULL},
	};
	unit_add_suite("stun_server", tests);
}
