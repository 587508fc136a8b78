/* The timeline reconstruction (lib/timeline*.c) on synthetic inputs: the
 * cases the real captures of tests/fixtures do not show.  STUN messages are
 * built with the library's encoder and fed at chosen times through
 * rtclab_events_datagram() (an events object whose callback is
 * rtclab_timeline_event); signaling is fed as SIGNAL events built here, as
 * a WebSocket connection would give them, or supplied with
 * rtclab_timeline_add_sdp().
 *
 * The addresses: A's host 192.168.1.10:50000, B's host 192.168.1.20:60000,
 * the signaling server 203.0.113.100:8443, a STUN server 74.125.250.129:19302
 * and a TURN server 198.51.100.1:3478 (relayed 198.51.100.1:40000). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtclab/channeldata.h"
#include "rtclab/events.h"
#include "rtclab/signal.h"
#include "rtclab/stun.h"
#include "rtclab/timeline.h"
#include "unit.h"

#define MS 1000000LL
#define T0 1700000000000000000LL

static const char A_UFRAG[] = "aUfr", A_PWD[] = "aPwd0123456789abcdefghij";
static const char B_UFRAG[] = "bUfr", B_PWD[] = "bPwd0123456789abcdefghij";
static const char WRONG_PWD[] = "wrongwrongwrongwrongwrong";

enum { NONE = 0, CTL, CTD }; /* the ICE role attribute of a check */

static struct rtclab_addr ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port)
{
	struct rtclab_addr x;
	memset(&x, 0, sizeof x);
	x.family = RTCLAB_FAMILY_IPV4;
	x.ip[0] = a;
	x.ip[1] = b;
	x.ip[2] = c;
	x.ip[3] = d;
	x.port = port;
	return x;
}

static struct rtclab_addr A_H, B_H, SIG, A_SIG, B_SIG, STUN_SRV, TURN_SRV, RELAY;

static void addrs(void)
{
	A_H = ip4(192, 168, 1, 10, 50000);
	B_H = ip4(192, 168, 1, 20, 60000);
	SIG = ip4(203, 0, 113, 100, 8443);
	A_SIG = ip4(192, 168, 1, 10, 40001);
	B_SIG = ip4(192, 168, 1, 20, 40002);
	STUN_SRV = ip4(74, 125, 250, 129, 19302);
	TURN_SRV = ip4(198, 51, 100, 1, 3478);
	RELAY = ip4(198, 51, 100, 1, 40000);
}

static bool addr_is(const struct rtclab_addr *a, const struct rtclab_addr *b)
{
	return rtclab_addr_equal(a, b);
}

/* --- the harness: a timeline fed through an events object --------------------------- */

struct syn {
	struct rtclab_timeline *tl;
	struct rtclab_events *ev;
	uint32_t tid_seq;
};

static void syn_open(struct syn *y, const struct rtclab_timeline_options *opts)
{
	addrs();
	memset(y, 0, sizeof *y);
	y->tl = rtclab_timeline_new(opts);
	CU_ASSERT_PTR_NOT_NULL_FATAL(y->tl);
	y->ev = rtclab_events_new(rtclab_timeline_event, y->tl, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(y->ev);
}

static void syn_finish(struct syn *y)
{
	rtclab_events_finish(y->ev);
	rtclab_events_free(y->ev);
	y->ev = NULL;
	rtclab_timeline_finish(y->tl);
	/* the JSON of every model built here is well formed */
	json_t *j = rtclab_timeline_json(y->tl);
	CU_ASSERT_PTR_NOT_NULL(j);
	json_decref(j);
}

static void syn_free(struct syn *y)
{
	rtclab_events_free(y->ev);
	rtclab_timeline_free(y->tl);
}

/* A datagram at T0 + us microseconds. */
static void dgram_us(struct syn *y, int64_t us, const struct rtclab_addr *src, const struct rtclab_addr *dst,
		     const void *p, size_t n)
{
	rtclab_events_datagram(y->ev, T0 + us * 1000, src, dst, p, n);
}

static void dgram(struct syn *y, int64_t ms, const struct rtclab_addr *src, const struct rtclab_addr *dst,
		  const void *p, size_t n)
{
	dgram_us(y, ms * 1000, src, dst, p, n);
}

static void new_tid(struct syn *y, uint8_t t[12])
{
	uint32_t v = ++y->tid_seq;
	for (int i = 0; i < 12; i++)
		t[i] = (uint8_t)(0xA5 ^ (i * 37) ^ (v >> (8 * (i % 4))));
}

/* --- STUN messages -------------------------------------------------------------------- */

static void attr_addr(struct rtclab_stun_encoder *e, uint16_t type, const struct rtclab_addr *a)
{
	struct rtclab_stun_attr at;
	memset(&at, 0, sizeof at);
	at.type = type;
	at.v.addr = *a;
	rtclab_stun_enc_attr(e, &at);
}

static void attr_u32(struct rtclab_stun_encoder *e, uint16_t type, uint32_t v)
{
	struct rtclab_stun_attr at;
	memset(&at, 0, sizeof at);
	at.type = type;
	at.v.u32 = v;
	rtclab_stun_enc_attr(e, &at);
}

static void attr_u64(struct rtclab_stun_encoder *e, uint16_t type, uint64_t v)
{
	struct rtclab_stun_attr at;
	memset(&at, 0, sizeof at);
	at.type = type;
	at.v.u64 = v;
	rtclab_stun_enc_attr(e, &at);
}

static void attr_error(struct rtclab_stun_encoder *e, uint16_t code, const char *reason)
{
	struct rtclab_stun_attr at;
	memset(&at, 0, sizeof at);
	at.type = RTCLAB_STUN_ATTR_ERROR_CODE;
	at.v.error.code = code;
	at.v.error.reason.ptr = (const uint8_t *)reason;
	at.v.error.reason.len = strlen(reason);
	rtclab_stun_enc_attr(e, &at);
}

static void sign_short(struct rtclab_stun_encoder *e, const char *pwd)
{
	struct rtclab_stun_key k;
	CU_ASSERT_FATAL(rtclab_stun_key_short_term(&k, pwd, RTCLAB_STUN_PREP_NONE) == RTCLAB_STUN_OK);
	rtclab_stun_enc_integrity(e, &k);
}

static size_t enc_end(struct rtclab_stun_encoder *e)
{
	size_t n = rtclab_stun_enc_end(e);
	CHECKF(n > 0, "the STUN encoder failed (error %d)", (int)e->error);
	return n;
}

/* A connectivity check: USERNAME user ("receiver:sender"), the role, PRIORITY,
 * USE-CANDIDATE, MESSAGE-INTEGRITY with pwd (none when NULL), FINGERPRINT. */
static size_t check_req(uint8_t *buf, size_t cap, const uint8_t tid[12], const char *user, int role, bool use_cand,
			const char *pwd)
{
	struct rtclab_stun_encoder e;
	rtclab_stun_enc_begin(&e, buf, cap, RTCLAB_STUN_BINDING, RTCLAB_STUN_REQUEST, tid);
	rtclab_stun_enc_raw(&e, RTCLAB_STUN_ATTR_USERNAME, user, strlen(user));
	if (role == CTL)
		attr_u64(&e, RTCLAB_STUN_ATTR_ICE_CONTROLLING, 0x1111222233334444ULL);
	else if (role == CTD)
		attr_u64(&e, RTCLAB_STUN_ATTR_ICE_CONTROLLED, 0x5555666677778888ULL);
	if (use_cand) {
		struct rtclab_stun_attr at;
		memset(&at, 0, sizeof at);
		at.type = RTCLAB_STUN_ATTR_USE_CANDIDATE;
		rtclab_stun_enc_attr(&e, &at);
	}
	attr_u32(&e, RTCLAB_STUN_ATTR_PRIORITY, 1853824767u);
	if (pwd)
		sign_short(&e, pwd);
	rtclab_stun_enc_fingerprint(&e);
	return enc_end(&e);
}

/* A response: success with XOR-MAPPED-ADDRESS (when mapped) and
 * XOR-RELAYED-ADDRESS (when relayed), or an error with its code. */
static size_t response(uint8_t *buf, size_t cap, const uint8_t tid[12], uint16_t method, uint16_t error,
		       const struct rtclab_addr *mapped, const struct rtclab_addr *relayed, const char *pwd)
{
	struct rtclab_stun_encoder e;
	rtclab_stun_enc_begin(&e, buf, cap, method, error ? RTCLAB_STUN_ERROR : RTCLAB_STUN_SUCCESS, tid);
	if (error)
		attr_error(&e, error, error == 487 ? "Role Conflict" : error == 401 ? "Unauthorized" : "Error");
	if (relayed)
		attr_addr(&e, RTCLAB_STUN_ATTR_XOR_RELAYED_ADDRESS, relayed);
	if (mapped)
		attr_addr(&e, RTCLAB_STUN_ATTR_XOR_MAPPED_ADDRESS, mapped);
	if (method == RTCLAB_STUN_ALLOCATE && !error)
		attr_u32(&e, RTCLAB_STUN_ATTR_LIFETIME, 600);
	if (pwd)
		sign_short(&e, pwd);
	rtclab_stun_enc_fingerprint(&e);
	return enc_end(&e);
}

/* A check from src to dst, signed with the receiver's ice-pwd, and its
 * answer 2 ms later (answer: 0 none, 200 success, else an error code)
 * signed with the same pwd; mapped defaults to src. */
static void check(struct syn *y, int64_t ms, const struct rtclab_addr *src, const struct rtclab_addr *dst,
		  const char *user, const char *pwd, int role, bool use_cand, int answer, const struct rtclab_addr *mapped)
{
	uint8_t buf[512], tid[12];
	new_tid(y, tid);
	size_t n = check_req(buf, sizeof buf, tid, user, role, use_cand, pwd);
	dgram(y, ms, src, dst, buf, n);
	if (!answer)
		return;
	n = response(buf, sizeof buf, tid, RTCLAB_STUN_BINDING, answer == 200 ? 0 : (uint16_t)answer,
		     answer == 200 ? (mapped ? mapped : src) : NULL, NULL, pwd);
	dgram(y, ms + 2, dst, src, buf, n);
}

/* A's checks to B say "bUfr:aUfr" and are signed with B's pwd, and so on. */
static void check_ab(struct syn *y, int64_t ms, const struct rtclab_addr *a, const struct rtclab_addr *b, int role,
		     bool use_cand, int answer)
{
	check(y, ms, a, b, "bUfr:aUfr", B_PWD, role, use_cand, answer, NULL);
}

static void check_ba(struct syn *y, int64_t ms, const struct rtclab_addr *b, const struct rtclab_addr *a, int role,
		     bool use_cand, int answer)
{
	check(y, ms, b, a, "aUfr:bUfr", A_PWD, role, use_cand, answer, NULL);
}

/* --- descriptions and signaling -------------------------------------------------------- */

/* A small valid description: one data channel section. cands: a=candidate lines. */
static char *make_sdp(const char *ufrag, const char *pwd, const char *setup, bool lite, const char *cands)
{
	static const char fp[] = "sha-256 D2:FA:0E:C3:22:59:5E:14:95:69:92:3D:13:B4:84:24:2C:C2:A2:C0:3E:FD:34:8E:"
				 "5E:EA:6F:AF:52:CE:E6:0F";
	char *out = malloc(4096);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	snprintf(out, 4096,
		 "v=0\r\n"
		 "o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"
		 "s=-\r\n"
		 "t=0 0\r\n"
		 "%s"
		 "a=group:BUNDLE 0\r\n"
		 "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
		 "c=IN IP4 0.0.0.0\r\n"
		 "a=ice-ufrag:%s\r\n"
		 "a=ice-pwd:%s\r\n"
		 "a=fingerprint:%s\r\n"
		 "a=setup:%s\r\n"
		 "a=mid:0\r\n"
		 "a=sctp-port:5000\r\n"
		 "%s",
		 lite ? "a=ice-lite\r\n" : "", ufrag, pwd, fp, setup, cands ? cands : "");
	return out;
}

#define CAND_A_HOST "a=candidate:1 1 udp 2122260223 192.168.1.10 50000 typ host\r\n"
#define CAND_B_HOST "a=candidate:2 1 udp 2122260223 192.168.1.20 60000 typ host\r\n"

/* One SIGNAL event: {"type":type,"sdp":sdp} on WebSocket connection
 * `stream` between client and the signaling server; dir 0 from the client. */
static void signal_desc(struct syn *y, int64_t ms, const char *type, const char *sdp, uint64_t stream,
			const struct rtclab_addr *client, int dir)
{
	json_t *j = json_pack("{s:s, s:s}", "type", type, "sdp", sdp);
	char *text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	struct rtclab_signal *sg = rtclab_signal_parse(text, strlen(text));
	CU_ASSERT_PTR_NOT_NULL_FATAL(sg);
	struct rtclab_event ev;
	memset(&ev, 0, sizeof ev);
	ev.kind = RTCLAB_EVENT_SIGNAL;
	ev.ts_ns = T0 + ms * MS;
	ev.l4 = RTCLAB_L4_TCP;
	ev.stream = true;
	ev.client = *client;
	ev.server = SIG;
	ev.dir = dir;
	ev.src = dir == 0 ? *client : SIG;
	ev.dst = dir == 0 ? SIG : *client;
	ev.stream_kind = RTCLAB_STREAM_HTTP;
	ev.stream_id = stream;
	ev.signal = sg;
	ev.via = "WebSocket";
	ev.payload_len = strlen(text);
	rtclab_timeline_event(y->tl, &ev);
	rtclab_signal_free(sg);
	free(text);
}

/* The offer from A over connection 1, relayed to B over connection 2, and
 * the answer back the same way. */
static void signal_pair(struct syn *y, int64_t ms, const char *offer, const char *answer)
{
	signal_desc(y, ms, "offer", offer, 1, &A_SIG, 0);
	signal_desc(y, ms + 5, "offer", offer, 2, &B_SIG, 1);
	signal_desc(y, ms + 20, "answer", answer, 2, &B_SIG, 0);
	signal_desc(y, ms + 25, "answer", answer, 1, &A_SIG, 1);
}

/* Both descriptions supplied as files (before the events). */
static void supply(struct syn *y, const char *offer, const char *answer)
{
	char err[256];
	CHECKF(rtclab_timeline_add_sdp(y->tl, offer, strlen(offer), RTCLAB_SIGNAL_OFFER, RTCLAB_TL_DESC_FILE, "offer.sdp",
				       err, sizeof err),
	       "offer: %s", err);
	CHECKF(rtclab_timeline_add_sdp(y->tl, answer, strlen(answer), RTCLAB_SIGNAL_ANSWER, RTCLAB_TL_DESC_FILE,
				       "answer.sdp", err, sizeof err),
	       "answer: %s", err);
}

static void supply_default(struct syn *y, const char *a_cands, const char *b_cands)
{
	char *o = make_sdp(A_UFRAG, A_PWD, "actpass", false, a_cands);
	char *a = make_sdp(B_UFRAG, B_PWD, "active", false, b_cands);
	supply(y, o, a);
	free(o);
	free(a);
}

/* --- DTLS and RTP ------------------------------------------------------------------------ */

/* A DTLS 1.2 record: a handshake message (type 1 ClientHello, 2 ServerHello)
 * in epoch 0, or (hs 0) a change_cipher_spec. */
static size_t dtls_record(uint8_t *p, uint8_t hs, uint64_t seq)
{
	size_t body = hs ? 12 + 38 : 1;
	p[0] = hs ? 22 : 20;
	p[1] = 0xFE;
	p[2] = 0xFD;
	p[3] = p[4] = 0; /* epoch 0 */
	for (int i = 0; i < 6; i++)
		p[5 + i] = (uint8_t)(seq >> (8 * (5 - i)));
	p[11] = (uint8_t)(body >> 8);
	p[12] = (uint8_t)body;
	uint8_t *b = p + 13;
	memset(b, 0, body);
	if (!hs) {
		b[0] = 1;
		return 13 + body;
	}
	b[0] = hs;
	b[3] = 38;  /* length */
	b[11] = 38; /* fragment length */
	b[12] = 0xFE;
	b[13] = 0xFD;
	return 13 + body;
}

static size_t rtp_packet(uint8_t *p, uint16_t seq)
{
	memset(p, 0, 32);
	p[0] = 0x80;
	p[1] = 111;
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	p[8] = 0x12;
	p[11] = 0x34;
	return 32;
}

static void dtls_handshake(struct syn *y, int64_t ms, const struct rtclab_addr *client, const struct rtclab_addr *server)
{
	uint8_t b[128];
	dgram(y, ms, client, server, b, dtls_record(b, 1, 0));
	dgram(y, ms + 2, server, client, b, dtls_record(b, 2, 0));
	dgram(y, ms + 4, client, server, b, dtls_record(b, 0, 1));
	dgram(y, ms + 6, server, client, b, dtls_record(b, 0, 1));
}

/* --- looking into the model ------------------------------------------------------------- */

static size_t count_kind(const struct rtclab_tl_session *s, enum rtclab_tl_step_kind k)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n_steps; i++)
		n += s->steps[i].kind == k;
	return n;
}

static const struct rtclab_tl_step *find_step(const struct rtclab_tl_session *s, enum rtclab_tl_step_kind k,
					      const char *what)
{
	for (size_t i = 0; i < s->n_steps; i++)
		if (s->steps[i].kind == k && (!what || strstr(s->steps[i].what, what)))
			return &s->steps[i];
	return NULL;
}

static const struct rtclab_tl_candidate *find_cand(const struct rtclab_tl_session *s, int peer,
						   const struct rtclab_addr *a)
{
	for (size_t i = 0; i < s->n_candidates; i++)
		if (s->candidates[i].peer == peer && addr_is(&s->candidates[i].addr, a))
			return &s->candidates[i];
	return NULL;
}

static const struct rtclab_tl_pair *find_pair(const struct rtclab_tl_session *s, int peer,
					      const struct rtclab_addr *local, const struct rtclab_addr *remote)
{
	for (size_t i = 0; i < s->n_pairs; i++)
		if (s->pairs[i].peer == peer && addr_is(&s->pairs[i].local, local) &&
		    addr_is(&s->pairs[i].remote, remote))
			return &s->pairs[i];
	return NULL;
}

static bool missing_has(const struct rtclab_tl_session *s, const char *text)
{
	for (size_t i = 0; i < s->n_missing; i++)
		if (strstr(s->missing[i], text))
			return true;
	return false;
}

static const char *addr_text(const struct rtclab_addr *a)
{
	static char buf[4][RTCLAB_ADDR_STRLEN];
	static int k;
	k = (k + 1) % 4;
	return rtclab_addr_format(a, buf[k], sizeof buf[k]);
}

/* Steps in time order, each with what and why. */
static void check_steps_sane(const struct rtclab_tl_session *s)
{
	for (size_t i = 0; i < s->n_steps; i++) {
		CHECKF(s->steps[i].what[0] && s->steps[i].why[0], "step %zu has no what or why", i);
		if (i)
			CHECKF(s->steps[i - 1].time_ns <= s->steps[i].time_ns, "step %zu out of order", i);
	}
}

/* === 1. the happy path ==================================================================== */

/* A is ice-lite, so B (full) is the controlling agent and nominates its own
 * pair B->A; the selected pair is still told from A's point of view. */
static void test_happy_lite(void)
{
	struct syn y;
	syn_open(&y, NULL);
	char *offer = make_sdp(A_UFRAG, A_PWD, "actpass", true, CAND_A_HOST);
	char *answer = make_sdp(B_UFRAG, B_PWD, "active", false, CAND_B_HOST);
	signal_pair(&y, 0, offer, answer);
	check_ba(&y, 100, &B_H, &A_H, CTL, false, 200);
	check_ba(&y, 110, &B_H, &A_H, CTL, true, 200);
	dtls_handshake(&y, 120, &B_H, &A_H); /* B answered a=setup:active: B is the client */
	uint8_t b[64];
	for (uint16_t i = 0; i < 5; i++)
		dgram(&y, 200 + i * 20, &A_H, &B_H, b, rtp_packet(b, i));
	for (uint16_t i = 0; i < 3; i++)
		dgram(&y, 210 + i * 20, &B_H, &A_H, b, rtp_packet(b, (uint16_t)(100 + i)));
	syn_finish(&y);
	free(offer);
	free(answer);

	CU_ASSERT_EQUAL_FATAL(y.tl->n_sessions, 1);
	const struct rtclab_tl_session *s = y.tl->sessions[0];
	CU_ASSERT_STRING_EQUAL(s->id, "aUfr:bUfr");
	CU_ASSERT_EQUAL(s->n_generations, 1);
	const struct rtclab_tl_peer *a = &s->peers[0], *bp = &s->peers[1];
	CU_ASSERT_STRING_EQUAL(a->name, "A");
	CU_ASSERT_STRING_EQUAL(a->ufrag, A_UFRAG);
	CU_ASSERT_EQUAL(a->role, RTCLAB_TL_OFFERER);
	CU_ASSERT_EQUAL(bp->role, RTCLAB_TL_ANSWERER);
	CU_ASSERT(a->ice_lite);
	CU_ASSERT_EQUAL(bp->ice_role, RTCLAB_TL_CONTROLLING);
	/* RFC 8445 6.1.1: a lite agent is controlled (A sends no check to say so) */
	CU_ASSERT_EQUAL(a->ice_role, RTCLAB_TL_CONTROLLED);
	CU_ASSERT_EQUAL(a->desc_source, RTCLAB_TL_DESC_CAPTURE);
	CU_ASSERT(a->has_signaling && addr_is(&a->signaling, &A_SIG));
	CU_ASSERT(bp->has_signaling && addr_is(&bp->signaling, &B_SIG));
	CU_ASSERT_STRING_EQUAL(a->setup, "actpass");
	CU_ASSERT_STRING_EQUAL(bp->setup, "active");
	CU_ASSERT_EQUAL(a->checks_sent, 0);
	CU_ASSERT_EQUAL(bp->checks_sent, 2);
	CU_ASSERT_EQUAL(bp->checks_answered, 2);
	/* candidates: one host each, from the SDP */
	CU_ASSERT_EQUAL(s->n_candidates, 2);
	const struct rtclab_tl_candidate *ca = find_cand(s, 0, &A_H), *cb = find_cand(s, 1, &B_H);
	CU_ASSERT_FATAL(ca && cb);
	CU_ASSERT(ca->type == RTCLAB_CAND_HOST && ca->source == RTCLAB_TL_FROM_SDP && ca->priority == 2122260223u);
	CU_ASSERT(cb->type == RTCLAB_CAND_HOST && cb->source == RTCLAB_TL_FROM_SDP);
	/* one pair, B's, nominated and selected */
	CU_ASSERT_EQUAL_FATAL(s->n_pairs, 1);
	const struct rtclab_tl_pair *p = &s->pairs[0];
	CU_ASSERT_EQUAL(p->peer, 1);
	CU_ASSERT(addr_is(&p->local, &B_H) && addr_is(&p->remote, &A_H));
	CU_ASSERT_EQUAL(p->state, RTCLAB_TL_SUCCEEDED);
	CU_ASSERT(p->nominated && p->selected);
	CU_ASSERT_EQUAL(p->n_checks, 2);
	CU_ASSERT_EQUAL(p->n_requests, 2);
	CU_ASSERT_EQUAL(p->n_success, 2);
	CU_ASSERT_EQUAL(p->n_consent, 0);
	CU_ASSERT_EQUAL(p->n_auth_ok, 4);
	CU_ASSERT_EQUAL(p->n_auth_bad, 0);
	CU_ASSERT_EQUAL(p->rtt_ns, 2 * MS);
	CU_ASSERT_EQUAL(p->local_cand, (int)(cb - s->candidates));
	CU_ASSERT_EQUAL(p->remote_cand, (int)(ca - s->candidates));
	CU_ASSERT_EQUAL_FATAL(p->n_kept, 2);
	CU_ASSERT(!p->checks[0].use_candidate && p->checks[1].use_candidate);
	CU_ASSERT_EQUAL(p->checks[1].role, RTCLAB_TL_CONTROLLING);
	CU_ASSERT_EQUAL(p->checks[1].result, RTCLAB_TL_SUCCESS);
	CU_ASSERT(p->checks[1].has_mapped && addr_is(&p->checks[1].mapped, &B_H));
	/* the selected pair from A's point of view */
	const struct rtclab_tl_selected *sel = &s->selected;
	CU_ASSERT_FATAL(sel->has);
	CU_ASSERT_EQUAL(sel->pair, 0);
	CHECKF(addr_is(&sel->local, &A_H) && addr_is(&sel->remote, &B_H), "selected %s -> %s", addr_text(&sel->local),
	       addr_text(&sel->remote));
	CU_ASSERT(sel->local_type_known && sel->local_type == RTCLAB_CAND_HOST);
	CU_ASSERT(sel->remote_type_known && sel->remote_type == RTCLAB_CAND_HOST);
	CU_ASSERT(!sel->relayed);
	CU_ASSERT_EQUAL(sel->time_ns, T0 + 112 * MS);
	/* DTLS: B sent the ClientHello, as its a=setup:active says */
	CU_ASSERT(s->dtls.seen && s->dtls.completed);
	CU_ASSERT_EQUAL(s->dtls.client_peer, 1);
	CU_ASSERT_EQUAL(s->dtls.server_peer, 0);
	CU_ASSERT(s->dtls.setup_checked && s->dtls.setup_ok);
	CHECKF(strstr(s->dtls.setup_note, "as agreed") != NULL, "%s", s->dtls.setup_note);
	/* the flow, A to B first: every packet on the pair, the DTLS handshake's too */
	CU_ASSERT(s->flow.seen);
	CU_ASSERT_EQUAL(s->flow.packets[0], 5 + 2);
	CU_ASSERT_EQUAL(s->flow.packets[1], 3 + 2);
	CU_ASSERT_EQUAL(s->flow.rtp, 8);
	CU_ASSERT(s->connected);
	CHECKF(strncmp(s->outcome, "connected over host<->host after 2 checks", 41) == 0, "%s", s->outcome);
	/* nothing is missing: an ice-lite A sends no checks (RFC 8445 2.5) */
	CHECKF(s->n_missing == 0, "%zu missing, first: %s", s->n_missing, s->n_missing ? s->missing[0] : "");
	/* the story */
	CU_ASSERT_EQUAL(count_kind(s, RTCLAB_TL_EV_OFFER), 2);
	CU_ASSERT_EQUAL(count_kind(s, RTCLAB_TL_EV_ANSWER), 2);
	CU_ASSERT_EQUAL(count_kind(s, RTCLAB_TL_EV_DESCRIPTIONS_SET), 1);
	CU_ASSERT_EQUAL(count_kind(s, RTCLAB_TL_EV_CHECK), 2);
	CU_ASSERT_EQUAL(count_kind(s, RTCLAB_TL_EV_CHECK_RESPONSE), 1);
	CU_ASSERT_EQUAL(count_kind(s, RTCLAB_TL_EV_NOMINATION), 1);
	CU_ASSERT(find_step(s, RTCLAB_TL_EV_DTLS, "ClientHello") != NULL);
	CU_ASSERT(find_step(s, RTCLAB_TL_EV_DTLS, "ServerHello") != NULL);
	CU_ASSERT(find_step(s, RTCLAB_TL_EV_DTLS, "handshake done") != NULL);
	CU_ASSERT_EQUAL(count_kind(s, RTCLAB_TL_EV_MEDIA), 2);
	check_steps_sane(s);
	/* columns: A, signaling, B */
	CU_ASSERT_EQUAL_FATAL(s->n_nodes, 3);
	CU_ASSERT_EQUAL(s->nodes[0].kind, RTCLAB_TL_NODE_PEER);
	CU_ASSERT_EQUAL(s->nodes[1].kind, RTCLAB_TL_NODE_SIGNALING);
	CU_ASSERT(addr_is(&s->nodes[1].addr, &SIG));
	CU_ASSERT_STRING_EQUAL(s->nodes[2].name, "B");
	syn_free(&y);
}

/* Both ice-lite: no check at all (RFC 8445 8.2).  The pair is the one DTLS
 * and media take between their candidates; the offerer controls (6.1.1);
 * nothing is missing.  Without DTLS or media, the outcome says why there
 * is nothing to read. */
static void test_both_lite(void)
{
	for (int traffic = 1; traffic >= 0; traffic--) {
		struct syn y;
		syn_open(&y, NULL);
		char *offer = make_sdp(A_UFRAG, A_PWD, "actpass", true, CAND_A_HOST);
		char *answer = make_sdp(B_UFRAG, B_PWD, "active", true, CAND_B_HOST);
		signal_pair(&y, 0, offer, answer);
		uint8_t b[64];
		if (traffic) {
			dtls_handshake(&y, 100, &B_H, &A_H);
			for (uint16_t i = 0; i < 3; i++)
				dgram(&y, 200 + i * 20, &A_H, &B_H, b, rtp_packet(b, i));
		}
		dgram(&y, 300, &A_H, &SIG, b, rtp_packet(b, 9)); /* not between their candidates: not the pair */
		syn_finish(&y);
		free(offer);
		free(answer);
		CU_ASSERT_EQUAL_FATAL(y.tl->n_sessions, 1);
		const struct rtclab_tl_session *s = y.tl->sessions[0];
		CU_ASSERT(s->peers[0].ice_lite && s->peers[1].ice_lite);
		CU_ASSERT_EQUAL(s->peers[0].ice_role, RTCLAB_TL_CONTROLLING);
		CU_ASSERT_EQUAL(s->peers[1].ice_role, RTCLAB_TL_CONTROLLED);
		CU_ASSERT_EQUAL(s->peers[0].checks_sent + s->peers[1].checks_sent, 0);
		CHECKF(s->n_missing == 0, "%zu missing, first: %s", s->n_missing, s->n_missing ? s->missing[0] : "");
		if (!traffic) {
			CU_ASSERT(!s->connected && !s->selected.has && s->n_pairs == 0);
			CHECKF(strstr(s->outcome, "both agents are ice-lite") != NULL, "%s", s->outcome);
			syn_free(&y);
			continue;
		}
		CU_ASSERT_EQUAL_FATAL(s->n_pairs, 1);
		const struct rtclab_tl_pair *p = &s->pairs[0];
		CU_ASSERT(p->nominated && p->selected && p->state == RTCLAB_TL_SUCCEEDED && p->n_checks == 0);
		const struct rtclab_tl_selected *sel = &s->selected;
		CU_ASSERT_FATAL(sel->has);
		CHECKF(addr_is(&sel->local, &A_H) && addr_is(&sel->remote, &B_H), "selected %s -> %s",
		       addr_text(&sel->local), addr_text(&sel->remote));
		CU_ASSERT(sel->local_type_known && sel->local_type == RTCLAB_CAND_HOST);
		CU_ASSERT(sel->remote_type_known && sel->remote_type == RTCLAB_CAND_HOST);
		CU_ASSERT_EQUAL(sel->time_ns, T0 + 100 * MS);
		CU_ASSERT(s->dtls.seen && s->dtls.completed && s->dtls.setup_ok);
		CU_ASSERT_EQUAL(s->dtls.client_peer, 1);
		CU_ASSERT(s->flow.seen && s->flow.rtp == 3);
		CU_ASSERT(s->connected);
		CHECKF(strncmp(s->outcome, "connected over host<->host without checks: both agents are ice-lite", 67) == 0,
		       "%s", s->outcome);
		CU_ASSERT(find_step(s, RTCLAB_TL_EV_NOTE, "without checks") != NULL);
		CU_ASSERT_EQUAL(count_kind(s, RTCLAB_TL_EV_MEDIA), 1);
		check_steps_sane(s);
		syn_free(&y);
	}
}

/* Both full: checks both ways, A nominates; then the same with the
 * ClientHello from the wrong side. */
static void happy_full(bool wrong_side)
{
	struct syn y;
	syn_open(&y, NULL);
	char *offer = make_sdp(A_UFRAG, A_PWD, "actpass", false, CAND_A_HOST);
	char *answer = make_sdp(B_UFRAG, B_PWD, "active", false, CAND_B_HOST);
	signal_pair(&y, 0, offer, answer);
	free(offer);
	free(answer);
	check_ab(&y, 100, &A_H, &B_H, CTL, false, 200);
	check_ba(&y, 101, &B_H, &A_H, CTD, false, 200);
	check_ab(&y, 110, &A_H, &B_H, CTL, true, 200);
	if (wrong_side)
		dtls_handshake(&y, 120, &A_H, &B_H);
	else
		dtls_handshake(&y, 120, &B_H, &A_H);
	syn_finish(&y);
	CU_ASSERT_EQUAL_FATAL(y.tl->n_sessions, 1);
	const struct rtclab_tl_session *s = y.tl->sessions[0];
	CU_ASSERT_EQUAL(s->peers[0].ice_role, RTCLAB_TL_CONTROLLING);
	CU_ASSERT_EQUAL(s->peers[1].ice_role, RTCLAB_TL_CONTROLLED);
	CU_ASSERT_EQUAL_FATAL(s->n_pairs, 2);
	const struct rtclab_tl_pair *pa = find_pair(s, 0, &A_H, &B_H), *pb = find_pair(s, 1, &B_H, &A_H);
	CU_ASSERT_FATAL(pa && pb);
	CU_ASSERT(pa->nominated && pa->selected && !pb->selected);
	CU_ASSERT_EQUAL(pa->n_checks, 2);
	CU_ASSERT_EQUAL(pb->n_checks, 1);
	CU_ASSERT(pa->state == RTCLAB_TL_SUCCEEDED && pb->state == RTCLAB_TL_SUCCEEDED);
	CU_ASSERT(s->selected.has && addr_is(&s->selected.local, &A_H) && addr_is(&s->selected.remote, &B_H));
	CHECKF(strncmp(s->outcome, "connected over host<->host after 3 checks", 41) == 0, "%s", s->outcome);
	CU_ASSERT(s->dtls.seen && s->dtls.setup_checked);
	if (wrong_side) {
		CU_ASSERT_EQUAL(s->dtls.client_peer, 0);
		CU_ASSERT(!s->dtls.setup_ok);
		CHECKF(strstr(s->dtls.setup_note, "B is the DTLS client") && strstr(s->dtls.setup_note, "disagree"), "%s",
		       s->dtls.setup_note);
	} else {
		CU_ASSERT_EQUAL(s->dtls.client_peer, 1);
		CU_ASSERT(s->dtls.setup_ok);
	}
	CHECKF(s->n_missing == 0, "%zu missing, first: %s", s->n_missing, s->n_missing ? s->missing[0] : "");
	check_steps_sane(s);
	syn_free(&y);
}

static void test_happy_full(void)
{
	happy_full(false);
	happy_full(true);
}

/* === 2. retransmissions ================================================================== */

/* A TURN allocation for A's 192.168.1.10:50002 on TURN_SRV, relayed RELAY. */
static void allocate(struct syn *y, int64_t ms, const struct rtclab_addr *client)
{
	uint8_t buf[256], tid[12];
	struct rtclab_stun_encoder e;
	/* first without credentials: 401 */
	new_tid(y, tid);
	rtclab_stun_enc_begin(&e, buf, sizeof buf, RTCLAB_STUN_ALLOCATE, RTCLAB_STUN_REQUEST, tid);
	attr_u32(&e, RTCLAB_STUN_ATTR_REQUESTED_TRANSPORT, 17);
	dgram(y, ms, client, &TURN_SRV, buf, enc_end(&e));
	rtclab_stun_enc_begin(&e, buf, sizeof buf, RTCLAB_STUN_ALLOCATE, RTCLAB_STUN_ERROR, tid);
	attr_error(&e, 401, "Unauthorized");
	rtclab_stun_enc_raw(&e, RTCLAB_STUN_ATTR_REALM, "example.net", 11);
	rtclab_stun_enc_raw(&e, RTCLAB_STUN_ATTR_NONCE, "obMatJos2AAACf", 14);
	rtclab_stun_enc_fingerprint(&e);
	dgram(y, ms + 20, &TURN_SRV, client, buf, enc_end(&e));
	/* then with long-term credentials */
	struct rtclab_stun_key k;
	CU_ASSERT_FATAL(rtclab_stun_key_long_term(&k, "user", "example.net", "secret", RTCLAB_STUN_PASSWORD_MD5,
						  RTCLAB_STUN_PREP_OPAQUESTRING) == RTCLAB_STUN_OK);
	new_tid(y, tid);
	rtclab_stun_enc_begin(&e, buf, sizeof buf, RTCLAB_STUN_ALLOCATE, RTCLAB_STUN_REQUEST, tid);
	attr_u32(&e, RTCLAB_STUN_ATTR_REQUESTED_TRANSPORT, 17);
	rtclab_stun_enc_raw(&e, RTCLAB_STUN_ATTR_USERNAME, "user", 4);
	rtclab_stun_enc_raw(&e, RTCLAB_STUN_ATTR_REALM, "example.net", 11);
	rtclab_stun_enc_raw(&e, RTCLAB_STUN_ATTR_NONCE, "obMatJos2AAACf", 14);
	rtclab_stun_enc_integrity(&e, &k);
	rtclab_stun_enc_fingerprint(&e);
	dgram(y, ms + 30, client, &TURN_SRV, buf, enc_end(&e));
	struct rtclab_addr mapped = *client;
	mapped.ip[0] = 203, mapped.ip[1] = 0, mapped.ip[2] = 113, mapped.ip[3] = 10;
	rtclab_stun_enc_begin(&e, buf, sizeof buf, RTCLAB_STUN_ALLOCATE, RTCLAB_STUN_SUCCESS, tid);
	attr_addr(&e, RTCLAB_STUN_ATTR_XOR_RELAYED_ADDRESS, &RELAY);
	attr_addr(&e, RTCLAB_STUN_ATTR_XOR_MAPPED_ADDRESS, &mapped);
	attr_u32(&e, RTCLAB_STUN_ATTR_LIFETIME, 600);
	rtclab_stun_enc_integrity(&e, &k);
	rtclab_stun_enc_fingerprint(&e);
	dgram(y, ms + 50, &TURN_SRV, client, buf, enc_end(&e));
}

/* A TURN request with a peer (CreatePermission, ChannelBind) and its success. */
static void turn_peer_request(struct syn *y, int64_t ms, const struct rtclab_addr *client, uint16_t method,
			      const struct rtclab_addr *peer, uint16_t channel)
{
	uint8_t buf[256], tid[12];
	struct rtclab_stun_encoder e;
	new_tid(y, tid);
	rtclab_stun_enc_begin(&e, buf, sizeof buf, method, RTCLAB_STUN_REQUEST, tid);
	if (channel)
		attr_u32(&e, RTCLAB_STUN_ATTR_CHANNEL_NUMBER, channel);
	attr_addr(&e, RTCLAB_STUN_ATTR_XOR_PEER_ADDRESS, peer);
	dgram(y, ms, client, &TURN_SRV, buf, enc_end(&e));
	rtclab_stun_enc_begin(&e, buf, sizeof buf, method, RTCLAB_STUN_SUCCESS, tid);
	dgram(y, ms + 10, &TURN_SRV, client, buf, enc_end(&e));
}

/* A Send indication (client to server) or Data indication (server to client) carrying p. */
static void indication(struct syn *y, int64_t us, const struct rtclab_addr *client, bool send,
		       const struct rtclab_addr *peer, const uint8_t *p, size_t n)
{
	uint8_t buf[1024], tid[12];
	struct rtclab_stun_encoder e;
	new_tid(y, tid);
	rtclab_stun_enc_begin(&e, buf, sizeof buf, send ? RTCLAB_STUN_SEND : RTCLAB_STUN_DATA, RTCLAB_STUN_INDICATION, tid);
	attr_addr(&e, RTCLAB_STUN_ATTR_XOR_PEER_ADDRESS, peer);
	rtclab_stun_enc_raw(&e, RTCLAB_STUN_ATTR_DATA, p, n);
	size_t len = enc_end(&e);
	if (send)
		dgram_us(y, us, client, &TURN_SRV, buf, len);
	else
		dgram_us(y, us, &TURN_SRV, client, buf, len);
}

static void channel_data(struct syn *y, int64_t us, const struct rtclab_addr *client, bool from_client,
			 uint16_t channel, const uint8_t *p, size_t n)
{
	uint8_t buf[1024];
	size_t len = rtclab_channeldata_encode(buf, sizeof buf, channel, p, n, false);
	CU_ASSERT_FATAL(len > 0);
	if (from_client)
		dgram_us(y, us, client, &TURN_SRV, buf, len);
	else
		dgram_us(y, us, &TURN_SRV, client, buf, len);
}

static void test_retransmissions(void)
{
	struct syn y;
	syn_open(&y, NULL);
	supply_default(&y, CAND_A_HOST, CAND_B_HOST);
	uint8_t buf[512], tid[12];
	/* the same transaction three times on one 5-tuple, answered once */
	new_tid(&y, tid);
	size_t n = check_req(buf, sizeof buf, tid, "bUfr:aUfr", CTL, false, B_PWD);
	dgram(&y, 100, &A_H, &B_H, buf, n);
	dgram(&y, 600, &A_H, &B_H, buf, n);
	dgram(&y, 1600, &A_H, &B_H, buf, n);
	size_t r = response(buf + 256, 256, tid, RTCLAB_STUN_BINDING, 0, &A_H, NULL, B_PWD);
	dgram(&y, 1603, &B_H, &A_H, buf + 256, r);
	dgram(&y, 1604, &B_H, &A_H, buf + 256, r); /* a response seen twice counts once */

	/* a relayed check: A's Send indication to the TURN server, then the
	 * server's relayed copy to B; sent twice; answered through a Data indication */
	struct rtclab_addr a2 = ip4(192, 168, 1, 10, 50002);
	allocate(&y, 2000, &a2);
	new_tid(&y, tid);
	n = check_req(buf, sizeof buf, tid, "bUfr:aUfr", CTL, false, B_PWD);
	for (int k = 0; k < 2; k++) {
		int64_t t = 3000000 + k * 500000;
		indication(&y, t, &a2, true, &B_H, buf, n);
		dgram_us(&y, t + 150, &RELAY, &B_H, buf, n);
	}
	r = response(buf + 256, 256, tid, RTCLAB_STUN_BINDING, 0, &RELAY, NULL, B_PWD);
	dgram_us(&y, 3600000, &B_H, &RELAY, buf + 256, r);
	indication(&y, 3600150, &a2, false, &B_H, buf + 256, r);
	syn_finish(&y);

	CU_ASSERT_EQUAL_FATAL(y.tl->n_sessions, 1);
	const struct rtclab_tl_session *s = y.tl->sessions[0];
	const struct rtclab_tl_pair *p = find_pair(s, 0, &A_H, &B_H);
	CU_ASSERT_FATAL(p != NULL);
	CU_ASSERT_EQUAL(p->n_checks, 1);
	CU_ASSERT_EQUAL(p->n_requests, 3);
	CU_ASSERT_EQUAL(p->n_success, 1);
	CU_ASSERT_EQUAL_FATAL(p->n_kept, 1);
	CU_ASSERT_EQUAL(p->checks[0].transmissions, 3);
	CU_ASSERT_EQUAL(p->checks[0].result, RTCLAB_TL_SUCCESS);
	CU_ASSERT_EQUAL(p->rtt_ns, 3 * MS); /* from the last transmission */
	CU_ASSERT_EQUAL(p->n_auth_ok, 2);    /* the request once, the response once */
	/* the relayed check: one transaction on the relayed pair, sent twice */
	const struct rtclab_tl_pair *q = find_pair(s, 0, &RELAY, &B_H);
	CU_ASSERT_FATAL(q != NULL);
	CU_ASSERT_EQUAL(q->n_checks, 1);
	CHECKF(q->n_requests == 2, "n_requests %llu: each leg of a retransmission counted",
	       (unsigned long long)q->n_requests);
	CU_ASSERT_EQUAL_FATAL(q->n_kept, 1);
	CU_ASSERT_EQUAL(q->checks[0].transmissions, 2);
	CU_ASSERT_EQUAL(q->checks[0].via, RTCLAB_TUNNEL_TURN_SEND);
	CU_ASSERT_EQUAL(q->checks[0].result, RTCLAB_TL_SUCCESS);
	CU_ASSERT_EQUAL(s->peers[0].checks_sent, 2);
	CU_ASSERT_EQUAL(s->peers[0].checks_answered, 2);
	CU_ASSERT_EQUAL(s->n_pairs, 2);
	syn_free(&y);
}

/* === 3. timeouts ======================================================================== */

static struct rtclab_tl_session *timeouts(struct syn *y, int64_t end_ms, const char *b_cands)
{
	syn_open(y, NULL);
	supply_default(y, CAND_A_HOST, b_cands);
	struct rtclab_addr b2 = ip4(203, 0, 113, 20, 60000);
	uint8_t buf[256], tid[12];
	new_tid(y, tid);
	size_t n = check_req(buf, sizeof buf, tid, "bUfr:aUfr", CTL, false, B_PWD);
	dgram(y, 100, &A_H, &B_H, buf, n);
	dgram(y, 600, &A_H, &B_H, buf, n); /* a retransmission */
	check_ab(y, 150, &A_H, &b2, CTL, false, 0);
	check_ab(y, 200, &A_H, &b2, CTL, false, 0);
	/* anything at all dates the end of the input */
	static const uint8_t junk[] = {0xFF, 0x00, 0x11};
	struct rtclab_addr x1 = ip4(10, 9, 9, 9, 9), x2 = ip4(10, 8, 8, 8, 8);
	dgram(y, end_ms, &x1, &x2, junk, sizeof junk);
	syn_finish(y);
	CU_ASSERT_EQUAL_FATAL(y->tl->n_sessions, 1);
	return y->tl->sessions[0];
}

static void test_timeouts(void)
{
	struct syn y;
	/* the input goes on 41 s after the last check: every transaction gave up */
	const struct rtclab_tl_session *s = timeouts(&y, 41200, CAND_B_HOST);
	CU_ASSERT_EQUAL_FATAL(s->n_pairs, 2);
	for (size_t i = 0; i < s->n_pairs; i++) {
		CU_ASSERT_EQUAL(s->pairs[i].state, RTCLAB_TL_FAILED);
		CU_ASSERT_EQUAL(s->pairs[i].n_timeouts, s->pairs[i].n_checks);
		for (size_t k = 0; k < s->pairs[i].n_kept; k++)
			CU_ASSERT_EQUAL(s->pairs[i].checks[k].result, RTCLAB_TL_TIMEOUT);
	}
	CU_ASSERT(!s->connected && !s->selected.has);
	CHECKF(strncmp(s->outcome, "failed: every pair timed out (3 checks on 2 pairs)", 50) == 0 &&
		       strstr(s->outcome, "no relayed candidate"),
	       "%s", s->outcome);
	CU_ASSERT(missing_has(s, "no check was answered"));
	syn_free(&y);

	/* with a relayed candidate there was a fallback: no hint */
	s = timeouts(&y, 41200,
		     CAND_B_HOST "a=candidate:3 1 udp 41885439 198.51.100.7 40011 typ relay raddr 0.0.0.0 rport 0\r\n");
	CHECKF(strncmp(s->outcome, "failed: every pair timed out", 28) == 0 && !strstr(s->outcome, "relayed"), "%s",
	       s->outcome);
	syn_free(&y);

	/* the input ends 1 s after the last check: nothing is decided */
	s = timeouts(&y, 1200, CAND_B_HOST);
	for (size_t i = 0; i < s->n_pairs; i++) {
		CU_ASSERT_EQUAL(s->pairs[i].state, RTCLAB_TL_IN_PROGRESS);
		CU_ASSERT_EQUAL(s->pairs[i].n_timeouts, 0);
		for (size_t k = 0; k < s->pairs[i].n_kept; k++)
			CU_ASSERT_EQUAL(s->pairs[i].checks[k].result, RTCLAB_TL_NO_RESPONSE);
	}
	CHECKF(strncmp(s->outcome, "undecided: 3 checks on 2 pairs", 30) == 0 && !strstr(s->outcome, "relayed"), "%s",
	       s->outcome);
	syn_free(&y);
}

/* === 4. role conflict ===================================================================== */

static void test_role_conflict(void)
{
	struct syn y;
	syn_open(&y, NULL);
	supply_default(&y, CAND_A_HOST, CAND_B_HOST);
	/* both think they control; B's tie-breaker wins: 487 to A */
	check_ab(&y, 100, &A_H, &B_H, CTL, false, 487);
	/* A switches to controlled and checks again (RFC 8445 7.2.5.1); B nominates */
	check_ab(&y, 200, &A_H, &B_H, CTD, false, 200);
	check_ba(&y, 210, &B_H, &A_H, CTL, true, 200);
	syn_finish(&y);
	CU_ASSERT_EQUAL_FATAL(y.tl->n_sessions, 1);
	const struct rtclab_tl_session *s = y.tl->sessions[0];
	CU_ASSERT_EQUAL(count_kind(s, RTCLAB_TL_EV_ROLE_CONFLICT), 1);
	const struct rtclab_tl_step *st = find_step(s, RTCLAB_TL_EV_ROLE_CONFLICT, "error 487");
	CU_ASSERT(st != NULL);
	if (st) {
		CU_ASSERT(strstr(st->why, "Role Conflict") != NULL);
		CU_ASSERT_STRING_EQUAL(s->nodes[st->from].name, "B");
	}
	const struct rtclab_tl_pair *p = find_pair(s, 0, &A_H, &B_H);
	CU_ASSERT_FATAL(p != NULL);
	CU_ASSERT_EQUAL(p->n_errors, 1);
	CU_ASSERT_EQUAL(p->n_success, 1);
	CU_ASSERT_EQUAL(p->state, RTCLAB_TL_SUCCEEDED);
	CU_ASSERT_EQUAL(p->checks[0].result, RTCLAB_TL_ERROR);
	CU_ASSERT_EQUAL(p->checks[0].error_code, 487);
	CU_ASSERT_EQUAL(s->peers[0].ice_role, RTCLAB_TL_CONTROLLED);
	CU_ASSERT_EQUAL(s->peers[1].ice_role, RTCLAB_TL_CONTROLLING);
	CU_ASSERT(s->connected);
	syn_free(&y);

	/* only the 487, and the input ends soon after: the pair waits for its
	 * retry (RFC 8445 7.2.5.1), it has not failed */
	syn_open(&y, NULL);
	supply_default(&y, CAND_A_HOST, CAND_B_HOST);
	check_ab(&y, 100, &A_H, &B_H, CTL, false, 487);
	syn_finish(&y);
	s = y.tl->sessions[0];
	CU_ASSERT_EQUAL_FATAL(s->n_pairs, 1);
	CU_ASSERT_EQUAL(s->pairs[0].n_errors, 1);
	CHECKF(s->pairs[0].state == RTCLAB_TL_WAITING, "state %s",
	       rtclab_tl_pair_state_name(s->pairs[0].state));
	CHECKF(strncmp(s->outcome, "undecided", 9) == 0, "%s", s->outcome);
	syn_free(&y);

	/* a 487, then the retry times out: failed */
	syn_open(&y, NULL);
	supply_default(&y, CAND_A_HOST, CAND_B_HOST);
	check_ab(&y, 100, &A_H, &B_H, CTL, false, 487);
	check_ab(&y, 200, &A_H, &B_H, CTD, false, 0);
	static const uint8_t junk[] = {0xFF, 0x00};
	struct rtclab_addr x1 = ip4(10, 9, 9, 9, 9), x2 = ip4(10, 8, 8, 8, 8);
	dgram(&y, 50000, &x1, &x2, junk, sizeof junk); /* a late datagram from elsewhere ends the input */
	syn_finish(&y);
	s = y.tl->sessions[0];
	const struct rtclab_tl_pair *f = find_pair(s, 0, &A_H, &B_H);
	CU_ASSERT_FATAL(f != NULL);
	CHECKF(f->state == RTCLAB_TL_FAILED, "state %s", rtclab_tl_pair_state_name(f->state));
	syn_free(&y);
}

/* === 5. integrity ========================================================================= */

static void test_integrity(void)
{
	struct syn y;
	syn_open(&y, NULL);
	supply_default(&y, CAND_A_HOST, CAND_B_HOST);
	check_ab(&y, 100, &A_H, &B_H, CTL, false, 200);                                /* right pwd */
	check(&y, 200, &B_H, &A_H, "aUfr:bUfr", WRONG_PWD, CTD, false, 200, NULL);    /* wrong pwd */
	check(&y, 300, &B_H, &A_H, "aUfr:bUfr", NULL, CTD, false, 0, NULL);           /* none */
	syn_finish(&y);
	const struct rtclab_tl_session *s = y.tl->sessions[0];
	const struct rtclab_tl_pair *pa = find_pair(s, 0, &A_H, &B_H), *pb = find_pair(s, 1, &B_H, &A_H);
	CU_ASSERT_FATAL(pa && pb && pb->n_kept == 2);
	CU_ASSERT_EQUAL(pa->checks[0].request_auth, RTCLAB_TL_AUTH_OK);
	CU_ASSERT_EQUAL(pa->checks[0].response_auth, RTCLAB_TL_AUTH_OK);
	CU_ASSERT(pa->n_auth_ok == 2 && pa->n_auth_bad == 0);
	CU_ASSERT_EQUAL(pb->checks[0].request_auth, RTCLAB_TL_AUTH_BAD);
	CU_ASSERT_EQUAL(pb->checks[0].response_auth, RTCLAB_TL_AUTH_BAD);
	CU_ASSERT_EQUAL(pb->checks[1].request_auth, RTCLAB_TL_AUTH_ABSENT);
	CU_ASSERT(pb->n_auth_ok == 0 && pb->n_auth_bad == 2);
	CU_ASSERT(!missing_has(s, "ice-pwd"));
	syn_free(&y);

	/* checks before the descriptions: parked, verified at the end */
	syn_open(&y, NULL);
	check_ab(&y, 100, &A_H, &B_H, CTL, false, 200);
	check(&y, 110, &B_H, &A_H, "aUfr:bUfr", WRONG_PWD, CTD, false, 200, NULL);
	char *offer = make_sdp(A_UFRAG, A_PWD, "actpass", false, CAND_A_HOST);
	char *answer = make_sdp(B_UFRAG, B_PWD, "active", false, CAND_B_HOST);
	signal_pair(&y, 500, offer, answer);
	free(offer);
	free(answer);
	check_ab(&y, 600, &A_H, &B_H, CTL, false, 200); /* after: verified at once */
	syn_finish(&y);
	CU_ASSERT_EQUAL_FATAL(y.tl->n_sessions, 1);
	s = y.tl->sessions[0];
	CU_ASSERT_EQUAL(s->peers[0].role, RTCLAB_TL_OFFERER);
	CU_ASSERT_STRING_EQUAL(s->peers[0].ufrag, A_UFRAG);
	CU_ASSERT_STRING_EQUAL(s->id, "aUfr:bUfr");
	CU_ASSERT_EQUAL(s->n_generations, 1);
	CU_ASSERT_STRING_EQUAL(s->generations[0].offer_ufrag, A_UFRAG);
	CU_ASSERT_STRING_EQUAL(s->generations[0].answer_ufrag, B_UFRAG);
	pa = find_pair(s, 0, &A_H, &B_H);
	pb = find_pair(s, 1, &B_H, &A_H);
	CU_ASSERT_FATAL(pa && pb && pa->n_kept == 2 && pb->n_kept == 1);
	CU_ASSERT_EQUAL(pa->checks[0].request_auth, RTCLAB_TL_AUTH_OK);
	CU_ASSERT_EQUAL(pa->checks[0].response_auth, RTCLAB_TL_AUTH_OK);
	CU_ASSERT_EQUAL(pa->checks[1].request_auth, RTCLAB_TL_AUTH_OK);
	CU_ASSERT_EQUAL(pa->n_auth_ok, 4);
	CU_ASSERT_EQUAL(pb->checks[0].request_auth, RTCLAB_TL_AUTH_BAD);
	CU_ASSERT_EQUAL(pb->checks[0].response_auth, RTCLAB_TL_AUTH_BAD);
	CU_ASSERT_EQUAL(pb->n_auth_bad, 2);
	CHECKF(!missing_has(s, "ice-pwd") && !missing_has(s, "signaling"), "%zu missing: %s", s->n_missing,
	       s->n_missing ? s->missing[0] : "");
	syn_free(&y);

	/* without integrity checking: unknown, and not reported missing */
	struct rtclab_timeline_options o = {.no_integrity = true};
	syn_open(&y, &o);
	supply_default(&y, CAND_A_HOST, CAND_B_HOST);
	check_ab(&y, 100, &A_H, &B_H, CTL, false, 200);
	syn_finish(&y);
	s = y.tl->sessions[0];
	CU_ASSERT_EQUAL(s->pairs[0].checks[0].request_auth, RTCLAB_TL_AUTH_UNKNOWN);
	CU_ASSERT_EQUAL(s->pairs[0].n_auth_ok + s->pairs[0].n_auth_bad, 0);
	CU_ASSERT(!missing_has(s, "ice-pwd"));
	syn_free(&y);
}

/* === 6. peer-reflexive candidates ========================================================= */

static void test_prflx(void)
{
	struct syn y;
	syn_open(&y, NULL);
	supply_default(&y, CAND_A_HOST, CAND_B_HOST);
	struct rtclab_addr a_nat = ip4(203, 0, 113, 10, 51000), b2 = ip4(192, 168, 1, 20, 60001);
	/* B saw A's check come from a NAT's address */
	check(&y, 100, &A_H, &B_H, "bUfr:aUfr", B_PWD, CTL, false, 200, &a_nat);
	/* B checks from an address its description does not list */
	check_ba(&y, 110, &b2, &A_H, CTD, false, 200);
	/* a mapped address that is a known candidate makes nothing new */
	check(&y, 120, &A_H, &B_H, "bUfr:aUfr", B_PWD, CTL, false, 200, &A_H);
	syn_finish(&y);
	const struct rtclab_tl_session *s = y.tl->sessions[0];
	CU_ASSERT_EQUAL(s->n_candidates, 4);
	const struct rtclab_tl_candidate *c = find_cand(s, 0, &a_nat);
	CU_ASSERT_FATAL(c != NULL);
	CU_ASSERT_EQUAL(c->type, RTCLAB_CAND_PRFLX);
	CU_ASSERT_EQUAL(c->source, RTCLAB_TL_FROM_CHECK);
	CU_ASSERT_EQUAL(c->time_ns, T0 + 102 * MS);
	c = find_cand(s, 1, &b2);
	CU_ASSERT_FATAL(c != NULL);
	CU_ASSERT_EQUAL(c->type, RTCLAB_CAND_PRFLX);
	CU_ASSERT_EQUAL(c->source, RTCLAB_TL_FROM_CHECK);
	CU_ASSERT_EQUAL(c->time_ns, T0 + 110 * MS);
	const struct rtclab_tl_pair *pb = find_pair(s, 1, &b2, &A_H);
	CU_ASSERT_FATAL(pb != NULL);
	CU_ASSERT(pb->local_cand >= 0 && &s->candidates[pb->local_cand] == c);
	CU_ASSERT(find_cand(s, 0, &A_H)->source == RTCLAB_TL_FROM_SDP);
	syn_free(&y);
}

/* === 7. STUN and TURN servers ============================================================= */

static void test_servers(void)
{
	struct syn y;
	syn_open(&y, NULL);
	struct rtclab_addr b_pub = ip4(203, 0, 113, 20, 60000), a2 = ip4(192, 168, 1, 10, 50002);
	struct rtclab_addr a_srflx = ip4(203, 0, 113, 10, 50000);
	supply_default(&y, CAND_A_HOST, "a=candidate:2 1 udp 2122260223 203.0.113.20 60000 typ host\r\n");
	uint8_t buf[512], r[512], tid[12];
	/* a STUN server: A's public address */
	struct rtclab_stun_encoder e;
	new_tid(&y, tid);
	rtclab_stun_enc_begin(&e, buf, sizeof buf, RTCLAB_STUN_BINDING, RTCLAB_STUN_REQUEST, tid);
	dgram(&y, 10, &A_H, &STUN_SRV, buf, enc_end(&e));
	size_t n = response(buf, sizeof buf, tid, RTCLAB_STUN_BINDING, 0, &a_srflx, NULL, NULL);
	dgram(&y, 30, &STUN_SRV, &A_H, buf, n);
	/* TURN: 401, then the allocation; a permission and a channel for B */
	allocate(&y, 40, &a2);
	turn_peer_request(&y, 100, &a2, RTCLAB_STUN_CREATE_PERMISSION, &b_pub, 0);
	/* A's check through a Send indication, relayed to B; answered through a Data indication */
	new_tid(&y, tid);
	n = check_req(buf, sizeof buf, tid, "bUfr:aUfr", CTL, false, B_PWD);
	indication(&y, 110000, &a2, true, &b_pub, buf, n);
	dgram_us(&y, 110150, &RELAY, &b_pub, buf, n);
	size_t rn = response(r, sizeof r, tid, RTCLAB_STUN_BINDING, 0, &RELAY, NULL, B_PWD);
	dgram_us(&y, 112000, &b_pub, &RELAY, r, rn);
	indication(&y, 112150, &a2, false, &b_pub, r, rn);
	/* B's check to the relayed address */
	new_tid(&y, tid);
	n = check_req(buf, sizeof buf, tid, "aUfr:bUfr", CTD, false, A_PWD);
	dgram_us(&y, 115000, &b_pub, &RELAY, buf, n);
	indication(&y, 115150, &a2, false, &b_pub, buf, n);
	rn = response(r, sizeof r, tid, RTCLAB_STUN_BINDING, 0, &b_pub, NULL, A_PWD);
	indication(&y, 116000, &a2, true, &b_pub, r, rn);
	dgram_us(&y, 116150, &RELAY, &b_pub, r, rn);
	/* a channel, then the nomination over ChannelData */
	turn_peer_request(&y, 130, &a2, RTCLAB_STUN_CHANNEL_BIND, &b_pub, 0x4000);
	new_tid(&y, tid);
	n = check_req(buf, sizeof buf, tid, "bUfr:aUfr", CTL, true, B_PWD);
	channel_data(&y, 150000, &a2, true, 0x4000, buf, n);
	dgram_us(&y, 150150, &RELAY, &b_pub, buf, n);
	rn = response(r, sizeof r, tid, RTCLAB_STUN_BINDING, 0, &RELAY, NULL, B_PWD);
	dgram_us(&y, 152000, &b_pub, &RELAY, r, rn);
	channel_data(&y, 152150, &a2, false, 0x4000, r, rn);
	/* media: each packet seen on both legs */
	for (uint16_t i = 0; i < 5; i++) {
		n = rtp_packet(buf, i);
		channel_data(&y, 200000 + i * 20000, &a2, true, 0x4000, buf, n);
		dgram_us(&y, 200150 + i * 20000, &RELAY, &b_pub, buf, n);
	}
	for (uint16_t i = 0; i < 3; i++) {
		n = rtp_packet(buf, (uint16_t)(50 + i));
		dgram_us(&y, 210000 + i * 20000, &b_pub, &RELAY, buf, n);
		channel_data(&y, 210150 + i * 20000, &a2, false, 0x4000, buf, n);
	}
	syn_finish(&y);

	CU_ASSERT_EQUAL_FATAL(y.tl->n_sessions, 1);
	const struct rtclab_tl_session *s = y.tl->sessions[0];
	/* the server-reflexive candidate, told by the STUN server */
	const struct rtclab_tl_candidate *c = find_cand(s, 0, &a_srflx);
	CU_ASSERT_FATAL(c != NULL);
	CU_ASSERT_EQUAL(c->type, RTCLAB_CAND_SRFLX);
	CU_ASSERT_EQUAL(c->source, RTCLAB_TL_FROM_STUN);
	CU_ASSERT(addr_is(&c->server, &STUN_SRV));
	CU_ASSERT(c->has_related && addr_is(&c->related, &A_H));
	/* the relayed candidate, told by the TURN server */
	c = find_cand(s, 0, &RELAY);
	CU_ASSERT_FATAL(c != NULL);
	CU_ASSERT_EQUAL(c->type, RTCLAB_CAND_RELAY);
	CU_ASSERT_EQUAL(c->source, RTCLAB_TL_FROM_TURN);
	CU_ASSERT(addr_is(&c->server, &TURN_SRV));
	/* the columns: A, STUN, TURN, B */
	bool stun = false, turn = false;
	for (size_t i = 0; i < s->n_nodes; i++) {
		stun |= s->nodes[i].kind == RTCLAB_TL_NODE_STUN && addr_is(&s->nodes[i].addr, &STUN_SRV);
		turn |= s->nodes[i].kind == RTCLAB_TL_NODE_TURN && addr_is(&s->nodes[i].addr, &TURN_SRV);
	}
	CU_ASSERT(stun && turn);
	CU_ASSERT_EQUAL(s->n_nodes, 4);
	CU_ASSERT(find_step(s, RTCLAB_TL_EV_STUN_SERVER, "Binding success: mapped 203.0.113.10:50000") != NULL);
	CU_ASSERT(find_step(s, RTCLAB_TL_EV_TURN, "Allocate error 401") != NULL);
	CU_ASSERT(find_step(s, RTCLAB_TL_EV_TURN, "Allocate success: relayed 198.51.100.1:40000") != NULL);
	CU_ASSERT(find_step(s, RTCLAB_TL_EV_TURN, "CreatePermission request") != NULL);
	const struct rtclab_tl_step *cb = find_step(s, RTCLAB_TL_EV_TURN, "ChannelBind request");
	CU_ASSERT_FATAL(cb != NULL);
	CHECKF(strstr(cb->what, "channel 0x4000") != NULL, "%s", cb->what);
	/* A's checks on the relayed pair, once each although seen on two legs */
	const struct rtclab_tl_pair *p = find_pair(s, 0, &RELAY, &b_pub);
	CU_ASSERT_FATAL(p != NULL);
	CU_ASSERT_EQUAL(p->n_checks, 2);
	CU_ASSERT_EQUAL(p->n_requests, 2);
	CU_ASSERT_EQUAL_FATAL(p->n_kept, 2);
	CU_ASSERT_EQUAL(p->checks[0].transmissions, 1);
	CU_ASSERT_EQUAL(p->checks[0].via, RTCLAB_TUNNEL_TURN_SEND);
	CU_ASSERT_EQUAL(p->checks[1].via, RTCLAB_TUNNEL_CHANNELDATA);
	CU_ASSERT(p->nominated && p->selected);
	const struct rtclab_tl_pair *pb = find_pair(s, 1, &b_pub, &RELAY);
	CU_ASSERT_FATAL(pb != NULL);
	CU_ASSERT(pb->n_checks == 1 && pb->n_requests == 1 && pb->n_success == 1);
	CU_ASSERT_EQUAL(s->n_pairs, 2);
	/* the selected pair: relay <-> host */
	const struct rtclab_tl_selected *sel = &s->selected;
	CU_ASSERT_FATAL(sel->has);
	CU_ASSERT(addr_is(&sel->local, &RELAY) && addr_is(&sel->remote, &b_pub));
	CU_ASSERT(sel->local_type_known && sel->local_type == RTCLAB_CAND_RELAY);
	CU_ASSERT(sel->remote_type_known && sel->remote_type == RTCLAB_CAND_HOST);
	CU_ASSERT(sel->relayed);
	CU_ASSERT_EQUAL(sel->via, RTCLAB_TUNNEL_CHANNELDATA);
	CHECKF(strstr(s->outcome, "connected over relay<->host") && strstr(s->outcome, "ChannelData"), "%s", s->outcome);
	/* the flow: once per direction, not once per leg */
	CU_ASSERT(s->flow.seen);
	CU_ASSERT_EQUAL(s->flow.packets[0], 5);
	CU_ASSERT_EQUAL(s->flow.packets[1], 3);
	CU_ASSERT(s->flow.channeldata > 0);
	check_steps_sane(s);
	syn_free(&y);
}

/* === 8. consent freshness ================================================================ */

static void test_consent(void)
{
	struct syn y;
	syn_open(&y, NULL);
	supply_default(&y, CAND_A_HOST, CAND_B_HOST);
	check_ab(&y, 100, &A_H, &B_H, CTL, false, 200);
	check_ba(&y, 105, &B_H, &A_H, CTD, false, 200);
	check_ab(&y, 110, &A_H, &B_H, CTL, true, 200);
	/* RFC 7675: both agents check consent on the selected pair every few seconds */
	for (int i = 0; i < 10; i++) {
		check_ab(&y, 5000 + i * 5000, &A_H, &B_H, CTL, false, 200);
		check_ba(&y, 5100 + i * 5000, &B_H, &A_H, CTD, false, 200);
	}
	syn_finish(&y);
	const struct rtclab_tl_session *s = y.tl->sessions[0];
	const struct rtclab_tl_pair *pa = find_pair(s, 0, &A_H, &B_H), *pb = find_pair(s, 1, &B_H, &A_H);
	CU_ASSERT_FATAL(pa && pb);
	CU_ASSERT_EQUAL(pa->n_checks, 12);
	CU_ASSERT_EQUAL(pa->n_consent, 10);
	CU_ASSERT_EQUAL(pb->n_checks, 11);
	CHECKF(pb->n_consent == 10, "B's checks on the selected pair: %llu consent",
	       (unsigned long long)pb->n_consent);
	CU_ASSERT(pa->checks[2].consent && !pa->checks[1].consent);
	CU_ASSERT_EQUAL(count_kind(s, RTCLAB_TL_EV_CONSENT), 1);
	CHECKF(count_kind(s, RTCLAB_TL_EV_CHECK) == 3, "%zu check steps", count_kind(s, RTCLAB_TL_EV_CHECK));
	CU_ASSERT_EQUAL(count_kind(s, RTCLAB_TL_EV_CHECK_RESPONSE), 2);
	CHECKF(strstr(s->outcome, "after 3 checks") != NULL, "%s", s->outcome);
	syn_free(&y);
}

/* Across NATs, as a simulation's capture shows it: A (192.168.1.10:50000)
 * behind 203.0.113.1:40000, B (10.0.0.20:60000) behind 198.51.100.20:41000,
 * each message seen on three wires (the sender's LAN, the Internet, the
 * receiver's LAN).  A signals its srflx with its base (raddr); B's hides it
 * (raddr 0.0.0.0, as browsers do), but B asked a STUN server from its host. */
static struct rtclab_addr NA_H, NA_S, NB_H, NB_S;

static void nat_addrs(void)
{
	NA_H = ip4(192, 168, 1, 10, 50000);
	NA_S = ip4(203, 0, 113, 1, 40000);
	NB_H = ip4(10, 0, 0, 20, 60000);
	NB_S = ip4(198, 51, 100, 20, 41000);
}

static void nat_open(struct syn *y)
{
	syn_open(y, NULL);
	nat_addrs();
	supply_default(y,
		       CAND_A_HOST "a=candidate:3 1 udp 1686052607 203.0.113.1 40000 typ srflx raddr 192.168.1.10 "
				   "rport 50000\r\n",
		       "a=candidate:2 1 udp 2122260223 10.0.0.20 60000 typ host\r\n"
		       "a=candidate:4 1 udp 1686052607 198.51.100.20 41000 typ srflx raddr 0.0.0.0 rport 0\r\n");
	uint8_t buf[256], tid[12];
	struct rtclab_stun_encoder e;
	new_tid(y, tid);
	rtclab_stun_enc_begin(&e, buf, sizeof buf, RTCLAB_STUN_BINDING, RTCLAB_STUN_REQUEST, tid);
	size_t n = enc_end(&e);
	dgram(y, 10, &NB_H, &STUN_SRV, buf, n);
	dgram(y, 11, &NB_S, &STUN_SRV, buf, n);
	n = response(buf, sizeof buf, tid, RTCLAB_STUN_BINDING, 0, &NB_S, NULL, NULL);
	dgram(y, 30, &STUN_SRV, &NB_S, buf, n);
	dgram(y, 31, &STUN_SRV, &NB_H, buf, n);
}

/* A check from the host behind srflx `sh`/`ss` to the peer behind `ds`/`dh`,
 * on the three wires, and (answer) its success on the three wires back,
 * mapped to the sender's srflx as the receiver saw it. */
static void nat_check(struct syn *y, int64_t ms, bool from_a, int role, bool use_cand, bool answer)
{
	const struct rtclab_addr *sh = from_a ? &NA_H : &NB_H, *ss = from_a ? &NA_S : &NB_S;
	const struct rtclab_addr *dh = from_a ? &NB_H : &NA_H, *ds = from_a ? &NB_S : &NA_S;
	const char *user = from_a ? "bUfr:aUfr" : "aUfr:bUfr", *pwd = from_a ? B_PWD : A_PWD;
	uint8_t buf[512], tid[12];
	new_tid(y, tid);
	size_t n = check_req(buf, sizeof buf, tid, user, role, use_cand, pwd);
	dgram(y, ms, sh, ds, buf, n);
	dgram(y, ms + 1, ss, ds, buf, n);
	dgram(y, ms + 2, ss, dh, buf, n);
	if (!answer)
		return;
	n = response(buf, sizeof buf, tid, RTCLAB_STUN_BINDING, 0, ss, NULL, pwd);
	dgram(y, ms + 4, dh, ss, buf, n);
	dgram(y, ms + 5, ds, ss, buf, n);
	dgram(y, ms + 6, ds, sh, buf, n);
}

/* A nominates its pair host -> B's srflx; B's triggered check goes host ->
 * A's srflx, the path seen from B (RFC 8445 7.3.1.4). */
static void nat_connect(struct syn *y)
{
	nat_check(y, 100, true, CTL, false, true);
	nat_check(y, 110, false, CTD, false, true);
	nat_check(y, 120, true, CTL, true, true);
}

static void test_consent_nat(void)
{
	struct syn y;
	nat_open(&y);
	nat_connect(&y);
	/* B also checks A's host address, a path of its own that fails (the
	 * address is private): those checks are no consent, before or after */
	check(&y, 130, &NB_H, &NA_H, "aUfr:bUfr", A_PWD, CTD, false, 0, NULL);
	for (int i = 0; i < 10; i++) {
		nat_check(&y, 5000 + i * 5000, true, CTL, false, true);
		nat_check(&y, 5100 + i * 5000, false, CTD, false, true);
	}
	check(&y, 5200, &NB_H, &NA_H, "aUfr:bUfr", A_PWD, CTD, false, 0, NULL);
	syn_finish(&y);
	CU_ASSERT_EQUAL_FATAL(y.tl->n_sessions, 1);
	const struct rtclab_tl_session *s = y.tl->sessions[0];
	const struct rtclab_tl_pair *pa = find_pair(s, 0, &NA_H, &NB_S), *pb = find_pair(s, 1, &NB_H, &NA_S);
	const struct rtclab_tl_pair *ph = find_pair(s, 1, &NB_H, &NA_H);
	CU_ASSERT_FATAL(pa && pb && ph);
	CU_ASSERT(pa->nominated && pa->selected);
	CU_ASSERT_EQUAL(pa->n_checks, 12);
	CU_ASSERT_EQUAL(pa->n_consent, 10);
	/* each pair is keyed by its first wire: B's is not A's reversed */
	CHECKF(pb->n_checks == 11 && pb->n_consent == 10, "B's pair of the selected path: %llu checks, %llu consent",
	       (unsigned long long)pb->n_checks, (unsigned long long)pb->n_consent);
	CHECKF(ph->n_consent == 0, "B's pair to A's host: %llu consent", (unsigned long long)ph->n_consent);
	/* one consent step, the session's first consent check (A's at +5 s) */
	CU_ASSERT_EQUAL(count_kind(s, RTCLAB_TL_EV_CONSENT), 1);
	const struct rtclab_tl_step *c = find_step(s, RTCLAB_TL_EV_CONSENT, NULL);
	CU_ASSERT_FATAL(c != NULL);
	CU_ASSERT_EQUAL(c->time_ns, T0 + 5000 * MS);
	/* B's later checks are no check steps, nor their answers */
	CHECKF(count_kind(s, RTCLAB_TL_EV_CHECK) == 5, "%zu check steps", count_kind(s, RTCLAB_TL_EV_CHECK));
	CHECKF(count_kind(s, RTCLAB_TL_EV_CHECK_RESPONSE) == 2, "%zu check responses",
	       count_kind(s, RTCLAB_TL_EV_CHECK_RESPONSE));
	CU_ASSERT(s->connected && !s->consent_lost);
	CHECKF(strstr(s->outcome, "after 3 checks") && !strstr(s->outcome, "consent"), "%s", s->outcome);
	check_steps_sane(s);
	syn_free(&y);
}

/* Scenario 13's story: A's NAT forgets the mapping, B's consent checks are
 * filtered from +10 s (until back_ms, if not 0) while A's still get answers
 * (unless both: the path is gone both ways); 30 s after B's last answer its
 * consent has expired (RFC 7675 5.1). */
static const struct rtclab_tl_session *consent_lost(struct syn *y, int64_t end_ms, bool both, int64_t back_ms)
{
	nat_open(y);
	nat_connect(y);
	for (int64_t t = 5000; t < end_ms; t += 5000) {
		nat_check(y, t, true, CTL, false, !both || t < 10000);
		/* the first answered at +5.104 s */
		nat_check(y, t + 100, false, CTD, false, t < 10000 || (back_ms && t >= back_ms));
	}
	static const uint8_t junk[] = {0xFF, 0x00, 0x11};
	struct rtclab_addr x1 = ip4(10, 9, 9, 9, 9), x2 = ip4(10, 8, 8, 8, 8);
	dgram(y, end_ms, &x1, &x2, junk, sizeof junk);
	syn_finish(y);
	CU_ASSERT_EQUAL_FATAL(y->tl->n_sessions, 1);
	return y->tl->sessions[0];
}

static void test_consent_lost(void)
{
	struct syn y;
	const struct rtclab_tl_session *s = consent_lost(&y, 60000, false, 0);
	const struct rtclab_tl_pair *pb = find_pair(s, 1, &NB_H, &NA_S);
	CU_ASSERT_FATAL(pb != NULL);
	CU_ASSERT_EQUAL(pb->n_consent, 11);
	CU_ASSERT(pb->n_timeouts >= 1); /* RFC 8489 6.2.1: the checks of +10.1 s and +15.1 s gave up */
	CU_ASSERT(s->connected); /* it did connect */
	CU_ASSERT_FATAL(s->consent_lost);
	CU_ASSERT_EQUAL(s->consent_lost_peer, 1);
	CU_ASSERT_EQUAL(s->consent_lost_ns, T0 + 35104 * MS);
	CHECKF(strncmp(s->outcome, "connected over host<->srflx after 3 checks", 42) == 0 &&
		       strstr(s->outcome, "; then consent lost at +35.1 s: no answer to B's consent checks for 30 s"),
	       "%s", s->outcome);
	const struct rtclab_tl_step *n = find_step(s, RTCLAB_TL_EV_NOTE, "consent lost");
	CU_ASSERT_FATAL(n != NULL);
	CU_ASSERT_EQUAL(n->time_ns, s->consent_lost_ns);
	CU_ASSERT_EQUAL(n->from, s->peers[1].node);
	CU_ASSERT_EQUAL(n->to, s->peers[0].node);
	CU_ASSERT(strstr(n->what, "B's consent checks") && strstr(n->why, "RFC 7675 5.1"));
	CU_ASSERT_EQUAL(count_kind(s, RTCLAB_TL_EV_NOTE), 1); /* A kept its consent */
	CU_ASSERT_EQUAL(count_kind(s, RTCLAB_TL_EV_CONSENT), 1);
	json_t *j = rtclab_timeline_json(y.tl);
	json_t *cl = json_object_get(json_object_get(json_array_get(json_object_get(j, "sessions"), 0), "outcome"),
				     "consent_lost");
	CU_ASSERT(json_is_object(cl) && strcmp(json_string_value(json_object_get(cl, "peer")), "B") == 0);
	json_decref(j);
	check_steps_sane(s);
	syn_free(&y);

	/* the input ends before the 30 s are up: nothing is lost yet */
	s = consent_lost(&y, 34000, false, 0);
	CU_ASSERT(s->connected && !s->consent_lost);
	CHECKF(!strstr(s->outcome, "consent"), "%s", s->outcome);
	CU_ASSERT_EQUAL(count_kind(s, RTCLAB_TL_EV_NOTE), 0);
	syn_free(&y);

	/* both ways: A's answer at +5.004 s was the last, so A lost it first */
	s = consent_lost(&y, 60000, true, 0);
	CU_ASSERT(s->connected && s->consent_lost);
	CU_ASSERT_EQUAL(s->consent_lost_peer, 0);
	CU_ASSERT_EQUAL(s->consent_lost_ns, T0 + 35004 * MS);
	CHECKF(strstr(s->outcome, "no answer to A's and B's consent checks for 30 s, so both had to stop sending"), "%s",
	       s->outcome);
	CU_ASSERT_EQUAL(count_kind(s, RTCLAB_TL_EV_NOTE), 2);
	check_steps_sane(s);
	syn_free(&y);

	/* answers again from +45 s: too late, consent had run out at +35.104 s */
	s = consent_lost(&y, 60000, false, 45000);
	CU_ASSERT(s->consent_lost);
	CU_ASSERT_EQUAL(s->consent_lost_ns, T0 + 35104 * MS);
	syn_free(&y);
}

/* === 9. ICE restart ======================================================================= */

static void test_ice_restart(void)
{
	struct syn y;
	syn_open(&y, NULL);
	char *offer = make_sdp(A_UFRAG, A_PWD, "actpass", false, CAND_A_HOST);
	char *answer = make_sdp(B_UFRAG, B_PWD, "active", false, CAND_B_HOST);
	signal_pair(&y, 0, offer, answer);
	free(offer);
	free(answer);
	check_ab(&y, 100, &A_H, &B_H, CTL, false, 200);
	check_ab(&y, 110, &A_H, &B_H, CTL, true, 200);
	dtls_handshake(&y, 120, &B_H, &A_H);
	check_ab(&y, 5000, &A_H, &B_H, CTL, false, 200); /* consent */
	/* the restart: new credentials from both, on the same connections */
	static const char A2_PWD[] = "aPwd2123456789abcdefghij", B2_PWD[] = "bPwd2123456789abcdefghij";
	offer = make_sdp("aUf2", A2_PWD, "actpass", false, CAND_A_HOST);
	answer = make_sdp("bUf2", B2_PWD, "active", false, CAND_B_HOST);
	signal_pair(&y, 10000, offer, answer);
	free(offer);
	free(answer);
	check(&y, 10100, &A_H, &B_H, "bUf2:aUf2", B2_PWD, CTL, false, 200, NULL);
	check(&y, 10110, &B_H, &A_H, "aUf2:bUf2", A2_PWD, CTD, false, 200, NULL);
	check(&y, 10120, &A_H, &B_H, "bUf2:aUf2", B2_PWD, CTL, true, 200, NULL);
	check(&y, 15000, &A_H, &B_H, "bUf2:aUf2", B2_PWD, CTL, false, 200, NULL); /* consent again */
	syn_finish(&y);
	CU_ASSERT_EQUAL_FATAL(y.tl->n_sessions, 1);
	const struct rtclab_tl_session *s = y.tl->sessions[0];
	CU_ASSERT_EQUAL_FATAL(s->n_generations, 2);
	CU_ASSERT_STRING_EQUAL(s->generations[0].offer_ufrag, A_UFRAG);
	CU_ASSERT_STRING_EQUAL(s->generations[0].answer_ufrag, B_UFRAG);
	CU_ASSERT_STRING_EQUAL(s->generations[1].offer_ufrag, "aUf2");
	CU_ASSERT_STRING_EQUAL(s->generations[1].answer_ufrag, "bUf2");
	CU_ASSERT_EQUAL(s->generations[1].time_ns, T0 + 10000 * MS);
	CU_ASSERT_STRING_EQUAL(s->id, "aUfr:bUfr");
	CU_ASSERT_STRING_EQUAL(s->peers[0].ufrag, "aUf2");
	CU_ASSERT_STRING_EQUAL(s->peers[1].ufrag, "bUf2");
	CU_ASSERT_EQUAL(s->peers[0].role, RTCLAB_TL_OFFERER);
	CU_ASSERT_EQUAL(s->peers[0].checks_sent, 6);
	CU_ASSERT_EQUAL(s->peers[1].checks_sent, 1);
	const struct rtclab_tl_pair *pa = find_pair(s, 0, &A_H, &B_H);
	CU_ASSERT_FATAL(pa != NULL);
	CU_ASSERT_EQUAL(pa->n_checks, 6);
	/* the new generation's checks are connectivity checks again, not consent */
	CHECKF(pa->n_consent == 2, "%llu consent checks", (unsigned long long)pa->n_consent);
	CU_ASSERT_EQUAL(pa->n_auth_ok, 12);
	CU_ASSERT_EQUAL(pa->n_auth_bad, 0);
	CU_ASSERT_EQUAL(count_kind(s, RTCLAB_TL_EV_NOMINATION), 2);
	CU_ASSERT_EQUAL(count_kind(s, RTCLAB_TL_EV_OFFER), 4);
	CU_ASSERT_EQUAL(count_kind(s, RTCLAB_TL_EV_ANSWER), 4);
	CU_ASSERT(s->connected);
	CHECKF(s->n_missing == 0, "%zu missing: %s", s->n_missing, s->n_missing ? s->missing[0] : "");
	check_steps_sane(s);
	syn_free(&y);
}

/* === 10. bounded memory ================================================================== */

static void test_bounded(void)
{
	struct syn y;
	syn_open(&y, NULL);
	supply_default(&y, CAND_A_HOST, CAND_B_HOST);
	check_ab(&y, 100, &A_H, &B_H, CTL, false, 200);
	check_ab(&y, 110, &A_H, &B_H, CTL, true, 200);
	enum { N = 200000 };
	for (int i = 0; i < N; i++)
		check_ab(&y, 1000 + (int64_t)i * 5, &A_H, &B_H, CTL, false, 200);
	syn_finish(&y);
	const struct rtclab_tl_session *s = y.tl->sessions[0];
	CU_ASSERT_EQUAL_FATAL(s->n_pairs, 1);
	const struct rtclab_tl_pair *p = &s->pairs[0];
	CU_ASSERT(p->n_kept <= RTCLAB_TL_PAIR_CHECKS);
	CU_ASSERT_EQUAL(p->n_checks, N + 2);
	CU_ASSERT_EQUAL(p->n_consent, N);
	CU_ASSERT_EQUAL(p->n_success, N + 2);
	CHECKF(s->n_steps < 20, "%zu steps", s->n_steps);
	CU_ASSERT_EQUAL(s->steps_dropped, 0);
	CU_ASSERT_EQUAL(count_kind(s, RTCLAB_TL_EV_CONSENT), 1);
	CU_ASSERT(s->connected);
	syn_free(&y);
}

/* === 11. capture only ==================================================================== */

static void test_capture_only(void)
{
	struct syn y;
	syn_open(&y, NULL);
	/* B's (controlled) check comes first */
	check_ba(&y, 100, &B_H, &A_H, CTD, false, 200);
	check_ab(&y, 105, &A_H, &B_H, CTL, false, 200);
	check_ab(&y, 110, &A_H, &B_H, CTL, true, 200);
	syn_finish(&y);
	CU_ASSERT_EQUAL_FATAL(y.tl->n_sessions, 1);
	const struct rtclab_tl_session *s = y.tl->sessions[0];
	CU_ASSERT_STRING_EQUAL(s->peers[0].ufrag, A_UFRAG);
	CU_ASSERT_STRING_EQUAL(s->peers[1].ufrag, B_UFRAG);
	CU_ASSERT_EQUAL(s->peers[0].ice_role, RTCLAB_TL_CONTROLLING);
	CU_ASSERT_EQUAL(s->peers[1].ice_role, RTCLAB_TL_CONTROLLED);
	CU_ASSERT_EQUAL(s->peers[0].role, RTCLAB_TL_ROLE_UNKNOWN);
	CU_ASSERT_EQUAL(s->peers[0].desc_source, RTCLAB_TL_DESC_NONE);
	CU_ASSERT_STRING_EQUAL(s->id, "aUfr:bUfr");
	CU_ASSERT_EQUAL(s->n_generations, 1);
	CU_ASSERT_STRING_EQUAL(s->generations[0].offer_ufrag, A_UFRAG);
	CU_ASSERT(s->selected.has && addr_is(&s->selected.local, &A_H));
	const struct rtclab_tl_candidate *c = find_cand(s, 0, &A_H);
	CU_ASSERT_FATAL(c != NULL);
	CU_ASSERT(c->type == RTCLAB_CAND_HOST && c->source == RTCLAB_TL_FROM_CHECK);
	CU_ASSERT_FATAL(s->n_missing >= 1);
	CHECKF(strstr(s->missing[0], "signaling") && strstr(s->missing[0], "neither the offer nor the answer"), "%s",
	       s->missing[0]);
	CU_ASSERT(missing_has(s, "ice-pwd"));
	CU_ASSERT(s->pairs[0].checks[0].request_auth == RTCLAB_TL_AUTH_UNKNOWN);
	CU_ASSERT(!s->dtls.setup_checked);
	syn_free(&y);
}

/* === 12. garbage ========================================================================= */

static void test_garbage(void)
{
	struct syn y;
	syn_open(&y, NULL);
	/* random datagrams, every first byte */
	uint64_t x = 0x9E3779B97F4A7C15ull;
	uint8_t buf[512];
	for (int i = 0; i < 5000; i++) {
		size_t n = 0;
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		n = (size_t)(x % 300);
		for (size_t k = 0; k < n; k++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			buf[k] = (uint8_t)x;
		}
		if (n)
			buf[0] = (uint8_t)i;
		if (n >= 8 && i % 3 == 0) { /* looks like STUN */
			buf[0] &= 0x01;
			buf[4] = 0x21, buf[5] = 0x12, buf[6] = 0xA4, buf[7] = 0x42;
		}
		struct rtclab_addr s1 = ip4(10, 1, 1, (uint8_t)(i % 7), (uint16_t)(1000 + i % 5));
		struct rtclab_addr s2 = ip4(10, 2, 2, (uint8_t)(i % 3), (uint16_t)(2000 + i % 11));
		dgram(&y, i, i % 2 ? &s1 : &s2, i % 2 ? &s2 : &s1, buf, n);
	}
	/* a check cut at every length */
	uint8_t tid[12];
	new_tid(&y, tid);
	size_t full = check_req(buf, sizeof buf, tid, "bUfr:aUfr", CTL, true, B_PWD);
	struct rtclab_addr t1 = ip4(10, 3, 3, 3, 3000), t2 = ip4(10, 4, 4, 4, 4000);
	for (size_t n = 0; n < full; n++)
		dgram(&y, 6000, &t1, &t2, buf, n);
	/* USERNAME without ':', with an empty ufrag on either side, too long */
	static const char *const users[] = {"nocolon", ":aUfr", "bUfr:", ":", NULL};
	for (size_t i = 0; users[i]; i++) {
		new_tid(&y, tid);
		size_t n = check_req(buf, sizeof buf, tid, users[i], CTL, false, NULL);
		dgram(&y, 7000, &t1, &t2, buf, n);
	}
	char longname[400];
	memset(longname, 'u', sizeof longname);
	longname[299] = ':';
	longname[sizeof longname - 1] = 0;
	new_tid(&y, tid);
	dgram(&y, 7001, &t1, &t2, buf, check_req(buf, sizeof buf, tid, longname, CTL, false, NULL));
	/* responses without requests, from nowhere known */
	new_tid(&y, tid);
	dgram(&y, 7100, &t2, &t1, buf, response(buf, sizeof buf, tid, RTCLAB_STUN_BINDING, 0, &t1, NULL, B_PWD));
	new_tid(&y, tid);
	dgram(&y, 7101, &t2, &t1, buf, response(buf, sizeof buf, tid, RTCLAB_STUN_ALLOCATE, 0, &t1, &RELAY, NULL));
	CU_ASSERT_EQUAL(y.tl->n_sessions, 0);
	/* a real session, then orphans to its endpoints */
	check_ab(&y, 8000, &A_H, &B_H, CTL, false, 200);
	new_tid(&y, tid); /* B answers a check the capture missed: counted on the pair */
	dgram(&y, 8100, &B_H, &A_H, buf, response(buf, sizeof buf, tid, RTCLAB_STUN_BINDING, 0, &A_H, NULL, B_PWD));
	new_tid(&y, tid); /* a STUN server's answer whose request was missed: not a check */
	dgram(&y, 8200, &STUN_SRV, &A_H, buf, response(buf, sizeof buf, tid, RTCLAB_STUN_BINDING, 0, &A_H, NULL, NULL));
	/* DTLS and RTP between addresses no pair has */
	dgram(&y, 8300, &t1, &t2, buf, dtls_record(buf, 1, 0));
	dgram(&y, 8301, &t1, &t2, buf, rtp_packet(buf, 1));
	syn_finish(&y);
	CU_ASSERT_EQUAL_FATAL(y.tl->n_sessions, 1);
	const struct rtclab_tl_session *s = y.tl->sessions[0];
	CU_ASSERT_STRING_EQUAL(s->peers[0].ufrag, A_UFRAG);
	CU_ASSERT_STRING_EQUAL(s->peers[1].ufrag, B_UFRAG);
	CU_ASSERT_EQUAL(s->n_pairs, 1);
	CHECKF(s->peers[1].n_endpoints == 1, "B has %zu endpoints", s->peers[1].n_endpoints);
	for (size_t i = 0; i < s->n_pairs; i++)
		CHECKF(!addr_is(&s->pairs[i].remote, &STUN_SRV) && !addr_is(&s->pairs[i].local, &STUN_SRV),
		       "a pair with the STUN server");
	for (size_t i = 0; i < s->n_candidates; i++)
		CHECKF(!addr_is(&s->candidates[i].addr, &STUN_SRV), "the STUN server as a candidate");
	CU_ASSERT_EQUAL(s->pairs[0].n_success, 2);
	CU_ASSERT(!s->dtls.seen);
	CU_ASSERT(!s->flow.seen);
	CU_ASSERT(y.tl->datagrams > 5000);
	syn_free(&y);
}

RTCLAB_SUITE(timeline_synth)
{
	static const struct unit_test tests[] = {
		{"happy path: ice-lite A, B nominates, selected pair seen from A", test_happy_lite},
		{"happy path: both full, A nominates; ClientHello from the wrong side", test_happy_full},
		{"both ice-lite: no checks, the pair DTLS and media take (RFC 8445 8.2)", test_both_lite},
		{"retransmissions on one 5-tuple; one check on two TURN legs", test_retransmissions},
		{"timeouts: failed after 39.5 s, undecided before", test_timeouts},
		{"role conflict: 487", test_role_conflict},
		{"integrity: right, wrong, absent, parked until the description", test_integrity},
		{"peer-reflexive candidates from checks and mapped addresses", test_prflx},
		{"STUN and TURN servers: srflx, relay, Send, ChannelData", test_servers},
		{"consent freshness on the selected pair, both ways", test_consent},
		{"consent freshness across NATs: each agent's pair of the selected path", test_consent_nat},
		{"consent lost: 30 s without an answer (RFC 7675 5.1) in the outcome", test_consent_lost},
		{"ICE restart: a second generation of the same session", test_ice_restart},
		{"bounded memory: 200000 consent checks", test_bounded},
		{"capture only: A is the controlling agent", test_capture_only},
		{"garbage: random bytes, truncations, odd usernames, orphans", test_garbage},
		{NULL, NULL},
	};
	unit_add_suite("timeline_synth", tests);
}
