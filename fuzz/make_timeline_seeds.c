/* Writes the seeds of fuzz/fuzz_timeline.c into a directory (see the input
 * format at the top of that file):
 *
 *   make fuzz-seeds-timeline        (builds build/make_timeline_seeds, writes fuzz/corpus/timeline/)
 *
 * or by hand:
 *
 *   make build/librtclab.a
 *   cc -std=c11 -D_POSIX_C_SOURCE=200809L -Ilib/include -o build/make_timeline_seeds \
 *      fuzz/make_timeline_seeds.c build/librtclab.a \
 *      $(pkg-config --libs openssl zlib jansson libidn libpcap) -lunistring
 *   build/make_timeline_seeds fuzz/corpus/timeline tests/fixtures/stun
 *
 * The STUN messages are real ones, encoded with librtclab's encoder:
 * USERNAME "remote:local", PRIORITY, ICE-CONTROLLING/-CONTROLLED,
 * USE-CANDIDATE, MESSAGE-INTEGRITY with the ice-pwd of the descriptions,
 * FINGERPRINT; responses with the same transaction ids; TURN with a 401
 * and long-term credentials.  The RFC 5769 vectors and a few captured
 * messages are copied from tests/fixtures/stun/ (the second argument). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rtclab/stun.h"

/* --- the script ------------------------------------------------------------------------ */

enum { OP_DGRAM = 0, OP_SIGNAL, OP_HTTP, OP_STREAM, OP_SDP, OP_INTERNALS, OP_TCP, OP_HTTPSDP };
/* addresses of fuzz_timeline.c's table */
enum { A = 0, B = 1, SRV = 2, A_PUB = 3, RELAY = 4, A6 = 5, B6 = 6, SIG = 7 };
#define PORT(sel, k) ((uint8_t)((sel) | (k) << 3))
#define A_SIG PORT(A, 31) /* A's end of its signaling connection: 192.168.1.10:50031 */
#define B_SIG PORT(B, 31)
/* dt */
#define US(n) ((uint16_t)(n))
#define MS(n) ((uint16_t)(0x4000 | (n)))
#define SEC(n) ((uint16_t)(0x8000 | (n)))
#define BACK_MS(n) ((uint16_t)(0xC000 | (n)))

struct seed {
	uint8_t b[1 << 17];
	size_t n;
};

static void start(struct seed *s, uint8_t flags)
{
	s->n = 0;
	s->b[s->n++] = flags;
}

static void rec(struct seed *s, uint8_t op, uint8_t src, uint8_t dst, uint16_t dt, const void *p, size_t len)
{
	if (s->n + 7 + len > sizeof s->b || len > 0xFFFF) {
		fprintf(stderr, "seed too large\n");
		exit(1);
	}
	uint8_t *h = s->b + s->n;
	h[0] = op;
	h[1] = src;
	h[2] = dst;
	h[3] = (uint8_t)(dt >> 8);
	h[4] = (uint8_t)dt;
	h[5] = (uint8_t)(len >> 8);
	h[6] = (uint8_t)len;
	if (len)
		memcpy(h + 7, p, len);
	s->n += 7 + len;
}

static void rec_str(struct seed *s, uint8_t op, uint8_t src, uint8_t dst, uint16_t dt, const char *text)
{
	rec(s, op, src, dst, dt, text, strlen(text));
}

static const char *dir_out;

static void save(const struct seed *s, const char *name)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", dir_out, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(s->b, 1, s->n, f) != s->n || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
	printf("%s: %zu bytes\n", path, s->n);
}

/* --- addresses, as in fuzz_timeline.c ---------------------------------------------------- */

struct ep {
	int v6;
	uint8_t ip[16];
	uint16_t port;
};

static struct ep ep_of(uint8_t sel)
{
	static const struct ep t[8] = {
		{0, {192, 168, 1, 10}, 50000}, {0, {192, 168, 1, 20}, 50001},
		{0, {203, 0, 113, 5}, 3478},   {0, {198, 51, 100, 7}, 61000},
		{0, {203, 0, 113, 5}, 49152},  {1, {0x20, 0x01, 0x0d, 0xb8, [15] = 1}, 50002},
		{1, {0x20, 0x01, 0x0d, 0xb8, [15] = 2}, 50003}, {0, {10, 0, 0, 1}, 443},
	};
	struct ep e = t[sel & 7];
	e.port = (uint16_t)(e.port + (sel >> 3));
	return e;
}

/* --- descriptions ------------------------------------------------------------------------ */

#define FP "a=fingerprint:sha-256 " \
	   "4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:3E:4C:38:1F:6F:1D:7E:6A:0B:95:8C:01\r\n"

static void make_sdp(char *out, size_t len, const char *ufrag, const char *pwd, const char *setup,
		     const char *cands, const char *session_id)
{
	snprintf(out, len,
		 "v=0\r\n"
		 "o=- %s 2 IN IP4 127.0.0.1\r\n"
		 "s=-\r\n"
		 "t=0 0\r\n"
		 "a=group:BUNDLE 0 1\r\n"
		 "a=msid-semantic: WMS\r\n"
		 "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
		 "c=IN IP4 0.0.0.0\r\n"
		 "a=rtcp:9 IN IP4 0.0.0.0\r\n"
		 "%s"
		 "a=ice-ufrag:%s\r\n"
		 "a=ice-pwd:%s\r\n"
		 "a=ice-options:trickle\r\n" FP "a=setup:%s\r\n"
		 "a=mid:0\r\n"
		 "a=sendrecv\r\n"
		 "a=rtcp-mux\r\n"
		 "a=rtpmap:111 opus/48000/2\r\n"
		 "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
		 "c=IN IP4 0.0.0.0\r\n"
		 "a=ice-ufrag:%s\r\n"
		 "a=ice-pwd:%s\r\n" FP "a=setup:%s\r\n"
		 "a=mid:1\r\n"
		 "a=sctp-port:5000\r\n",
		 session_id, cands, ufrag, pwd, setup, ufrag, pwd, setup);
}

#define A_UFRAG "Aufr"
#define A_PWD "apwdapwdapwdapwdapwdapwd"
#define B_UFRAG "Bufr"
#define B_PWD "bpwdbpwdbpwdbpwdbpwdbpwd"
#define A2_UFRAG "A2uf"
#define A2_PWD "a2pwa2pwa2pwa2pwa2pwa2pw"
#define B2_UFRAG "B2uf"
#define B2_PWD "b2pwb2pwb2pwb2pwb2pwb2pw"

#define A_CANDS                                                                                              \
	"a=candidate:1 1 udp 2122260223 192.168.1.10 50000 typ host generation 0\r\n"                          \
	"a=candidate:2 1 udp 1686052607 198.51.100.7 61000 typ srflx raddr 192.168.1.10 rport 50000 generation 0\r\n" \
	"a=candidate:3 1 udp 41885439 203.0.113.5 49152 typ relay raddr 198.51.100.7 rport 61000 generation 0\r\n" \
	"a=candidate:4 1 udp 2122262783 2001:db8::1 50002 typ host generation 0\r\n"
#define B_CANDS                                                                \
	"a=candidate:1 1 udp 2122260223 192.168.1.20 50001 typ host generation 0\r\n" \
	"a=candidate:2 1 udp 2122262783 2001:db8::2 50003 typ host generation 0\r\n"

static char offer[4096], answer[4096], offer2[4096], answer2[4096];

static void make_descriptions(void)
{
	make_sdp(offer, sizeof offer, A_UFRAG, A_PWD, "actpass", A_CANDS, "4611731400430051336");
	make_sdp(answer, sizeof answer, B_UFRAG, B_PWD, "active", B_CANDS, "7316251830466104312");
	/* an ICE restart: same o= session id, new credentials */
	make_sdp(offer2, sizeof offer2, A2_UFRAG, A2_PWD, "actpass", A_CANDS, "4611731400430051336");
	make_sdp(answer2, sizeof answer2, B2_UFRAG, B2_PWD, "active", B_CANDS, "7316251830466104312");
}

static char *desc_json(const char *type, const char *sdp, const char *wrapper)
{
	json_t *d = json_pack("{s:s,s:s}", "type", type, "sdp", sdp);
	json_t *j = wrapper ? json_pack("{s:s,s:{s:o}}", "event", type, "data", wrapper, d) : d;
	char *t = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return t;
}

/* --- STUN ---------------------------------------------------------------------------------- */

#define COOKIE 0x2112A442u

static void put_xor_addr(uint8_t *v, size_t *len, const struct ep *e, const uint8_t tid[12])
{
	uint8_t c[16] = {0x21, 0x12, 0xA4, 0x42};
	memcpy(c + 4, tid, 12);
	v[0] = 0;
	v[1] = e->v6 ? 2 : 1;
	v[2] = (uint8_t)((e->port >> 8) ^ 0x21);
	v[3] = (uint8_t)((e->port & 0xFF) ^ 0x12);
	size_t n = e->v6 ? 16 : 4;
	for (size_t i = 0; i < n; i++)
		v[4 + i] = e->ip[i] ^ c[i];
	*len = 4 + n;
}

static void tid_of(uint8_t tid[12], unsigned k)
{
	for (int i = 0; i < 12; i++)
		tid[i] = (uint8_t)(0x40 + i + k * 13);
	tid[0] = (uint8_t)k;
}

struct stun_opts {
	const char *username;
	uint32_t priority;
	int role;            /* 1 controlling, 2 controlled, 0 none */
	bool use_candidate;
	const char *pwd;     /* short-term: MESSAGE-INTEGRITY */
	const struct rtclab_stun_key *key; /* long-term key */
	bool fingerprint;
	const struct ep *mapped, *relayed, *peer;
	uint16_t error;
	const char *realm, *nonce;
	bool requested_transport;
	uint32_t lifetime;
	uint16_t channel;
	const uint8_t *data;
	size_t data_len;
};

static size_t stun(uint8_t *buf, size_t cap, uint16_t method, enum rtclab_stun_class cls, const uint8_t tid[12],
		   const struct stun_opts *o)
{
	struct rtclab_stun_encoder e;
	rtclab_stun_enc_begin(&e, buf, cap, method, cls, tid);
	uint8_t v[64];
	size_t vl;
	if (o->error) {
		uint8_t ec[4 + 32] = {0, 0, (uint8_t)(o->error / 100), (uint8_t)(o->error % 100)};
		const char *reason = o->error == 401 ? "Unauthorized" : o->error == 487 ? "Role Conflict" : "Error";
		memcpy(ec + 4, reason, strlen(reason));
		rtclab_stun_enc_raw(&e, 0x0009, ec, 4 + strlen(reason));
	}
	if (o->username)
		rtclab_stun_enc_raw(&e, 0x0006, o->username, strlen(o->username));
	if (o->realm)
		rtclab_stun_enc_raw(&e, 0x0014, o->realm, strlen(o->realm));
	if (o->nonce)
		rtclab_stun_enc_raw(&e, 0x0015, o->nonce, strlen(o->nonce));
	if (o->requested_transport)
		rtclab_stun_enc_raw(&e, 0x0019, (const uint8_t[]){17, 0, 0, 0}, 4);
	if (o->channel)
		rtclab_stun_enc_raw(&e, 0x000C, (const uint8_t[]){(uint8_t)(o->channel >> 8), (uint8_t)o->channel, 0, 0},
				    4);
	if (o->peer) {
		put_xor_addr(v, &vl, o->peer, tid);
		rtclab_stun_enc_raw(&e, 0x0012, v, vl);
	}
	if (o->relayed) {
		put_xor_addr(v, &vl, o->relayed, tid);
		rtclab_stun_enc_raw(&e, 0x0016, v, vl);
	}
	if (o->mapped) {
		put_xor_addr(v, &vl, o->mapped, tid);
		rtclab_stun_enc_raw(&e, 0x0020, v, vl);
	}
	if (o->lifetime) {
		uint8_t lt[4] = {(uint8_t)(o->lifetime >> 24), (uint8_t)(o->lifetime >> 16), (uint8_t)(o->lifetime >> 8),
				 (uint8_t)o->lifetime};
		rtclab_stun_enc_raw(&e, 0x000D, lt, 4);
	}
	if (o->data)
		rtclab_stun_enc_raw(&e, 0x0013, o->data, o->data_len);
	if (o->priority) {
		uint8_t p[4] = {(uint8_t)(o->priority >> 24), (uint8_t)(o->priority >> 16), (uint8_t)(o->priority >> 8),
				(uint8_t)o->priority};
		rtclab_stun_enc_raw(&e, 0x0024, p, 4);
	}
	if (o->use_candidate)
		rtclab_stun_enc_raw(&e, 0x0025, NULL, 0);
	if (o->role) {
		uint8_t tb[8] = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, (uint8_t)o->role};
		rtclab_stun_enc_raw(&e, o->role == 1 ? 0x802A : 0x8029, tb, 8);
	}
	if (o->pwd) {
		struct rtclab_stun_key k;
		rtclab_stun_key_short_term(&k, o->pwd, RTCLAB_STUN_PREP_OPAQUESTRING);
		rtclab_stun_enc_integrity(&e, &k);
	} else if (o->key) {
		rtclab_stun_enc_integrity(&e, o->key);
	}
	if (o->fingerprint)
		rtclab_stun_enc_fingerprint(&e);
	size_t n = rtclab_stun_enc_end(&e);
	if (!n) {
		fprintf(stderr, "STUN encoding failed: %d\n", e.error);
		exit(1);
	}
	return n;
}

/* A connectivity check from `from` to `to` and its success response, with the
 * password of the side that answers (RFC 8445 7.2.2). */
static void check(struct seed *s, uint8_t from, uint8_t to, unsigned k, const char *user, const char *pwd_resp,
		  int role, bool use_cand, bool answer_it, uint16_t dt)
{
	uint8_t tid[12], m[512];
	tid_of(tid, k);
	struct stun_opts q = {.username = user, .priority = 1853817087, .role = role, .use_candidate = use_cand,
			      .pwd = pwd_resp, .fingerprint = true};
	rec(s, OP_DGRAM, from, to, dt, m, stun(m, sizeof m, 0x001, RTCLAB_STUN_REQUEST, tid, &q));
	if (!answer_it)
		return;
	struct ep mapped = ep_of(from);
	struct stun_opts r = {.mapped = &mapped, .pwd = pwd_resp, .fingerprint = true};
	rec(s, OP_DGRAM, to, from, MS(2), m, stun(m, sizeof m, 0x001, RTCLAB_STUN_SUCCESS, tid, &r));
}

/* --- DTLS, RTP ------------------------------------------------------------------------------ */

static size_t dtls_handshake(uint8_t *b, uint8_t hs_type, uint16_t seq)
{
	uint8_t body[64];
	size_t bl = 0;
	body[bl++] = 0xfe;
	body[bl++] = 0xfd;
	for (int i = 0; i < 32; i++)
		body[bl++] = (uint8_t)(i * 7 + hs_type);
	body[bl++] = 0; /* session id */
	if (hs_type == 1) {
		body[bl++] = 0; /* cookie */
		body[bl++] = 0;
		body[bl++] = 2;
		body[bl++] = 0xc0;
		body[bl++] = 0x2b;
		body[bl++] = 1;
		body[bl++] = 0;
	} else {
		body[bl++] = 0xc0;
		body[bl++] = 0x2b;
		body[bl++] = 0;
	}
	body[bl++] = 0; /* no extensions */
	body[bl++] = 0;
	size_t hl = 12 + bl, n = 0;
	b[n++] = 22;
	b[n++] = 0xfe;
	b[n++] = 0xfd;
	b[n++] = 0;
	b[n++] = 0; /* epoch 0 */
	for (int i = 0; i < 5; i++)
		b[n++] = 0;
	b[n++] = (uint8_t)seq;
	b[n++] = (uint8_t)(hl >> 8);
	b[n++] = (uint8_t)hl;
	b[n++] = hs_type;
	b[n++] = 0;
	b[n++] = (uint8_t)(bl >> 8);
	b[n++] = (uint8_t)bl;
	b[n++] = 0;
	b[n++] = (uint8_t)seq; /* message seq */
	b[n++] = 0;
	b[n++] = 0;
	b[n++] = 0; /* fragment offset */
	b[n++] = 0;
	b[n++] = (uint8_t)(bl >> 8);
	b[n++] = (uint8_t)bl;
	memcpy(b + n, body, bl);
	return n + bl;
}

static size_t dtls_app(uint8_t *b, uint8_t seq)
{
	size_t n = 0;
	b[n++] = 23;
	b[n++] = 0xfe;
	b[n++] = 0xfd;
	b[n++] = 0;
	b[n++] = 1;
	for (int i = 0; i < 5; i++)
		b[n++] = 0;
	b[n++] = seq;
	b[n++] = 0;
	b[n++] = 32;
	for (int i = 0; i < 32; i++)
		b[n++] = (uint8_t)(i ^ seq);
	return n;
}

static size_t rtp(uint8_t *b, uint16_t seq, uint32_t ssrc)
{
	size_t n = 0;
	b[n++] = 0x80;
	b[n++] = 111;
	b[n++] = (uint8_t)(seq >> 8);
	b[n++] = (uint8_t)seq;
	for (int i = 0; i < 4; i++)
		b[n++] = (uint8_t)(seq * 960 >> (24 - 8 * i));
	for (int i = 0; i < 4; i++)
		b[n++] = (uint8_t)(ssrc >> (24 - 8 * i));
	for (int i = 0; i < 40; i++)
		b[n++] = (uint8_t)(i + seq);
	return n;
}

/* The DTLS handshake (B is the client: its answer says a=setup:active) and media. */
static void dtls_and_media(struct seed *s, uint8_t a, uint8_t b)
{
	uint8_t m[256];
	rec(s, OP_DGRAM, b, a, MS(5), m, dtls_handshake(m, 1, 0));
	rec(s, OP_DGRAM, a, b, MS(3), m, dtls_handshake(m, 2, 0));
	rec(s, OP_DGRAM, b, a, MS(3), m, dtls_app(m, 1));
	rec(s, OP_DGRAM, a, b, MS(3), m, dtls_app(m, 1));
	for (uint16_t i = 0; i < 4; i++) {
		rec(s, OP_DGRAM, a, b, MS(20), m, rtp(m, (uint16_t)(100 + i), 0x11223344));
		rec(s, OP_DGRAM, b, a, MS(1), m, rtp(m, (uint16_t)(500 + i), 0x55667788));
	}
	uint8_t rtcp[8] = {0x80, 201, 0, 1, 0x11, 0x22, 0x33, 0x44};
	rec(s, OP_DGRAM, a, b, MS(5), rtcp, sizeof rtcp);
}

/* --- the seeds -------------------------------------------------------------------------------- */

static const char TRICKLE_A[] =
	"{\"candidate\":{\"candidate\":\"candidate:5 1 udp 2122194687 192.168.1.10 50004 typ host generation 0 "
	"ufrag " A_UFRAG "\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0,\"usernameFragment\":\"" A_UFRAG "\"}}";
static const char END_A[] = "{\"candidate\":{\"candidate\":\"\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0}}";

/* The offer and answer over a WebSocket signaling server, relayed. */
static void ws_signaling(struct seed *s, const char *o, const char *a, bool upgrade)
{
	char *oj = desc_json("offer", o, NULL), *aj = desc_json("answer", a, "sdp");
	if (upgrade) {
		rec(s, OP_HTTP, A_SIG, SIG, MS(1), NULL, 0);
		rec(s, OP_HTTP, B_SIG, SIG, MS(1), NULL, 0);
	}
	rec_str(s, OP_SIGNAL, A_SIG, SIG, MS(10), oj);
	rec_str(s, OP_SIGNAL | 0x10, B_SIG, SIG, MS(1), oj);
	rec_str(s, OP_SIGNAL, B_SIG, SIG, MS(30), aj);
	rec_str(s, OP_SIGNAL | 0x10, A_SIG, SIG, MS(1), aj);
	free(oj);
	free(aj);
}

static void checks_ab(struct seed *s, uint8_t a, uint8_t b, unsigned k0)
{
	/* A (controlling) checks B: USERNAME "B:A", B's password */
	check(s, a, b, k0, B_UFRAG ":" A_UFRAG, B_PWD, 1, false, true, MS(4));
	/* B (controlled) checks A */
	check(s, b, a, k0 + 1, A_UFRAG ":" B_UFRAG, A_PWD, 2, false, true, MS(1));
	/* a retransmission of a check nobody answers, then the nomination */
	check(s, a, PORT(b, 4), k0 + 2, B_UFRAG ":" A_UFRAG, B_PWD, 1, false, false, MS(1));
	check(s, a, PORT(b, 4), k0 + 2, B_UFRAG ":" A_UFRAG, B_PWD, 1, false, false, MS(250));
	check(s, a, b, k0 + 3, B_UFRAG ":" A_UFRAG, B_PWD, 1, true, true, MS(5));
}

static void seed_ws(struct seed *s)
{
	start(s, 0);
	ws_signaling(s, offer, answer, true);
	rec_str(s, OP_SIGNAL, A_SIG, SIG, MS(2), TRICKLE_A);
	rec_str(s, OP_SIGNAL | 0x10, B_SIG, SIG, MS(1), TRICKLE_A);
	rec_str(s, OP_SIGNAL, A_SIG, SIG, MS(2), END_A);
	rec_str(s, OP_SIGNAL, A_SIG, SIG, MS(2), "{\"type\":\"bye\"}");
	/* A asks a STUN server for its public address */
	uint8_t tid[12], m[512];
	tid_of(tid, 90);
	struct ep pub = ep_of(A_PUB);
	rec(s, OP_DGRAM, A, SRV, MS(1), m, stun(m, sizeof m, 0x001, RTCLAB_STUN_REQUEST, tid, &(struct stun_opts){0}));
	rec(s, OP_DGRAM, SRV, A, MS(20), m,
	    stun(m, sizeof m, 0x001, RTCLAB_STUN_SUCCESS, tid, &(struct stun_opts){.mapped = &pub}));
	checks_ab(s, A, B, 1);
	dtls_and_media(s, A, B);
	/* consent freshness later */
	check(s, A, B, 20, B_UFRAG ":" A_UFRAG, B_PWD, 1, false, true, SEC(5));
	check(s, B, A, 21, A_UFRAG ":" B_UFRAG, A_PWD, 2, false, true, MS(10));
	save(s, "ws_offer_answer_checks_dtls");
}

static void seed_files(struct seed *s)
{
	start(s, 0);
	rec_str(s, OP_SDP, 0, 0, 0, offer);               /* guessed: actpass is an offer */
	rec_str(s, OP_SDP | 0x20, 0, 0, 0, answer);       /* ANSWER */
	checks_ab(s, A, B, 1);
	dtls_and_media(s, A, B);
	save(s, "sdp_files_checks");

	start(s, 1); /* no_integrity */
	rec_str(s, OP_SDP | 0x10, 0, 0, 0, offer);        /* OFFER */
	rec_str(s, OP_SDP | 0x40, 0, 0, 0, answer);       /* guessed, from webrtc-internals */
	checks_ab(s, A6, B6, 1);
	dtls_and_media(s, A6, B6);
	save(s, "sdp_files_ipv6_no_integrity");
}

static void seed_internals(struct seed *s)
{
	start(s, 0);
	char *lo = desc_json("offer", offer, NULL), *ra = desc_json("answer", answer, NULL);
	json_t *log = json_array();
	json_array_append_new(log, json_pack("{s:f,s:s,s:s}", "timestamp", 1700000000000.0, "type",
					     "setLocalDescription", "value", lo));
	json_array_append_new(log, json_pack("{s:f,s:s,s:s}", "timestamp", 1700000000010.0, "type", "icecandidate",
					     "value",
					     "sdpMid: 0, sdpMLineIndex: 0, candidate: candidate:7 1 udp 2122194687 "
					     "192.168.1.10 50006 typ host generation 0"));
	json_array_append_new(log, json_pack("{s:f,s:s,s:s}", "timestamp", 1700000000050.0, "type",
					     "setRemoteDescription", "value", ra));
	char legacy[4200];
	snprintf(legacy, sizeof legacy, "type: answer, sdp: %s", answer);
	json_array_append_new(log, json_pack("{s:f,s:s,s:s}", "timestamp", 1700000000060.0, "type",
					     "setRemoteDescription", "value", legacy));
	json_array_append_new(log, json_pack("{s:f,s:s,s:s}", "timestamp", 1700000000070.0, "type",
					     "addIceCandidate", "value",
					     "{\"candidate\":\"candidate:9 1 udp 2122194687 192.168.1.20 50009 typ host\"}"));
	json_t *dump = json_pack("{s:{s:{s:o}}}", "PeerConnections", "12-1", "updateLog", log);
	char *text = json_dumps(dump, JSON_COMPACT);
	rec_str(s, OP_INTERNALS, 0, 0, 0, text);
	checks_ab(s, A, B, 1);
	dtls_and_media(s, A, B);
	save(s, "webrtc_internals");
	free(text);
	free(lo);
	free(ra);
	json_decref(dump);
}

/* TURN: Allocate, 401, Allocate with long-term credentials, success; a
 * permission; a check sent through a Send indication and answered in a Data
 * indication; a channel bound and a check in ChannelData. */
static void turn(struct seed *s, uint8_t client, uint8_t server, uint8_t op, unsigned k0)
{
	uint8_t tid[12], m[1024], inner[512];
	struct rtclab_stun_key lt;
	rtclab_stun_key_long_term(&lt, "user", "example.org", "secret", RTCLAB_STUN_PASSWORD_MD5,
				  RTCLAB_STUN_PREP_OPAQUESTRING);
	struct ep relay = ep_of(RELAY), pub = ep_of(A_PUB), peer = ep_of(B);
	tid_of(tid, k0);
	rec(s, op, client, server, MS(1), m,
	    stun(m, sizeof m, 0x003, RTCLAB_STUN_REQUEST, tid, &(struct stun_opts){.requested_transport = true}));
	rec(s, op, server, client, MS(15), m,
	    stun(m, sizeof m, 0x003, RTCLAB_STUN_ERROR, tid,
		 &(struct stun_opts){.error = 401, .realm = "example.org", .nonce = "f00dnonce", .fingerprint = true}));
	tid_of(tid, k0 + 1);
	struct stun_opts auth = {.username = "user", .realm = "example.org", .nonce = "f00dnonce",
				 .requested_transport = true, .key = &lt, .fingerprint = true};
	rec(s, op, client, server, MS(1), m, stun(m, sizeof m, 0x003, RTCLAB_STUN_REQUEST, tid, &auth));
	rec(s, op, server, client, MS(15), m,
	    stun(m, sizeof m, 0x003, RTCLAB_STUN_SUCCESS, tid,
		 &(struct stun_opts){.relayed = &relay, .mapped = &pub, .lifetime = 600, .key = &lt, .fingerprint = true}));
	tid_of(tid, k0 + 2);
	struct stun_opts perm = auth;
	perm.requested_transport = false;
	perm.peer = &peer;
	rec(s, op, client, server, MS(1), m, stun(m, sizeof m, 0x008, RTCLAB_STUN_REQUEST, tid, &perm));
	rec(s, op, server, client, MS(15), m,
	    stun(m, sizeof m, 0x008, RTCLAB_STUN_SUCCESS, tid, &(struct stun_opts){.key = &lt, .fingerprint = true}));
	/* a check from the relayed candidate through a Send indication */
	uint8_t ctid[12];
	tid_of(ctid, k0 + 3);
	size_t il = stun(inner, sizeof inner, 0x001, RTCLAB_STUN_REQUEST, ctid,
			 &(struct stun_opts){.username = B_UFRAG ":" A_UFRAG, .priority = 41885439, .role = 1,
					     .pwd = B_PWD, .fingerprint = true});
	tid_of(tid, k0 + 4);
	rec(s, op, client, server, MS(1), m,
	    stun(m, sizeof m, 0x006, RTCLAB_STUN_INDICATION, tid, &(struct stun_opts){.peer = &peer, .data = inner, .data_len = il}));
	/* the same check on the relay's leg, and its answer */
	rec(s, OP_DGRAM, RELAY, B, MS(1), inner, il);
	il = stun(inner, sizeof inner, 0x001, RTCLAB_STUN_SUCCESS, ctid,
		  &(struct stun_opts){.mapped = &relay, .pwd = B_PWD, .fingerprint = true});
	rec(s, OP_DGRAM, B, RELAY, MS(3), inner, il);
	tid_of(tid, k0 + 5);
	rec(s, op, server, client, MS(1), m,
	    stun(m, sizeof m, 0x007, RTCLAB_STUN_INDICATION, tid, &(struct stun_opts){.peer = &peer, .data = inner, .data_len = il}));
	/* ChannelBind 0x4000 and a check in ChannelData */
	tid_of(tid, k0 + 6);
	struct stun_opts cb = auth;
	cb.requested_transport = false;
	cb.peer = &peer;
	cb.channel = 0x4000;
	rec(s, op, client, server, MS(1), m, stun(m, sizeof m, 0x009, RTCLAB_STUN_REQUEST, tid, &cb));
	rec(s, op, server, client, MS(15), m,
	    stun(m, sizeof m, 0x009, RTCLAB_STUN_SUCCESS, tid, &(struct stun_opts){.key = &lt, .fingerprint = true}));
	tid_of(ctid, k0 + 7);
	il = stun(inner, sizeof inner, 0x001, RTCLAB_STUN_REQUEST, ctid,
		  &(struct stun_opts){.username = B_UFRAG ":" A_UFRAG, .priority = 41885439, .role = 1, .use_candidate = true,
				      .pwd = B_PWD, .fingerprint = true});
	m[0] = 0x40;
	m[1] = 0x00;
	m[2] = (uint8_t)(il >> 8);
	m[3] = (uint8_t)il;
	memcpy(m + 4, inner, il);
	rec(s, op, client, server, MS(1), m, 4 + il);
	rec(s, OP_DGRAM, RELAY, B, MS(1), inner, il);
	il = stun(inner, sizeof inner, 0x001, RTCLAB_STUN_SUCCESS, ctid,
		  &(struct stun_opts){.mapped = &relay, .pwd = B_PWD, .fingerprint = true});
	rec(s, OP_DGRAM, B, RELAY, MS(3), inner, il);
	m[2] = (uint8_t)(il >> 8);
	m[3] = (uint8_t)il;
	memcpy(m + 4, inner, il);
	rec(s, op, server, client, MS(1), m, 4 + il);
	/* media through the channel */
	size_t rl = rtp(inner, 7, 0x99);
	m[2] = 0;
	m[3] = (uint8_t)rl;
	memcpy(m + 4, inner, rl);
	rec(s, op, client, server, MS(20), m, 4 + rl);
	/* Refresh with lifetime 0 */
	tid_of(tid, k0 + 8);
	struct stun_opts rf = auth;
	rf.requested_transport = false;
	rf.lifetime = 0;
	rec(s, op, client, server, SEC(2), m, stun(m, sizeof m, 0x004, RTCLAB_STUN_REQUEST, tid, &rf));
}

static void seed_turn(struct seed *s)
{
	start(s, 0);
	rec_str(s, OP_SDP, 0, 0, 0, offer);
	rec_str(s, OP_SDP, 0, 0, 0, answer); /* guessed: an answer to the waiting offer */
	turn(s, A, SRV, OP_DGRAM, 30);
	dtls_and_media(s, RELAY, B);
	save(s, "turn_allocate_send_channeldata");
}

/* TURN over TCP: the STUN messages and ChannelData framed back to back. */
static void seed_turn_tcp(struct seed *s)
{
	start(s, 0);
	rec_str(s, OP_SDP, 0, 0, 0, offer);
	rec_str(s, OP_SDP, 0, 0, 0, answer);
	rec(s, OP_TCP | 0x10, PORT(A, 9), SRV, MS(1), NULL, 0); /* SYN */
	turn(s, PORT(A, 9), SRV, OP_TCP, 50);
	rec(s, OP_TCP | 0x20, PORT(A, 9), SRV, MS(1), NULL, 0); /* FIN */
	save(s, "turn_tcp");
}

/* An ICE restart on the same signaling connection, and a role conflict. */
static void seed_restart(struct seed *s)
{
	start(s, 0);
	ws_signaling(s, offer, answer, true);
	checks_ab(s, A, B, 1);
	uint8_t tid[12], m[512];
	/* both think they are controlling: B gets a 487 */
	tid_of(tid, 40);
	rec(s, OP_DGRAM, B, A, MS(1), m,
	    stun(m, sizeof m, 0x001, RTCLAB_STUN_REQUEST, tid,
		 &(struct stun_opts){.username = A_UFRAG ":" B_UFRAG, .priority = 99, .role = 1, .pwd = A_PWD,
				     .fingerprint = true}));
	rec(s, OP_DGRAM, A, B, MS(1), m,
	    stun(m, sizeof m, 0x001, RTCLAB_STUN_ERROR, tid,
		 &(struct stun_opts){.error = 487, .pwd = A_PWD, .fingerprint = true}));
	ws_signaling(s, offer2, answer2, false);
	check(s, A, B, 41, B2_UFRAG ":" A2_UFRAG, B2_PWD, 1, true, true, MS(4));
	check(s, B, A, 42, A2_UFRAG ":" B2_UFRAG, A2_PWD, 2, false, true, MS(1));
	/* a check with a bad password, and one from a port no candidate names */
	check(s, A, B, 43, B2_UFRAG ":" A2_UFRAG, "wrongwrongwrongwrongwron", 1, false, true, MS(1));
	check(s, PORT(A, 7), B, 44, B2_UFRAG ":" A2_UFRAG, B2_PWD, 1, false, true, MS(1));
	dtls_and_media(s, A, B);
	save(s, "ice_restart_role_conflict");
}

/* WHIP: the offer in a POST, the answer in a 201, application/sdp. */
static void seed_whip(struct seed *s)
{
	start(s, 0);
	rec_str(s, OP_HTTPSDP, A_SIG, SIG, MS(1), offer);
	rec_str(s, OP_HTTPSDP | 0x10, A_SIG, SIG, MS(40), answer);
	checks_ab(s, A, SIG, 1); /* the WHIP server is the other peer */
	save(s, "whip_http");
}

static size_t ws_frame(uint8_t *b, const char *text, size_t len, bool masked)
{
	size_t n = 0;
	b[n++] = 0x81;
	if (len < 126) {
		b[n++] = (uint8_t)((masked ? 0x80 : 0) | len);
	} else {
		b[n++] = (uint8_t)((masked ? 0x80 : 0) | 126);
		b[n++] = (uint8_t)(len >> 8);
		b[n++] = (uint8_t)len;
	}
	uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
	if (masked) {
		memcpy(b + n, key, 4);
		n += 4;
	}
	for (size_t i = 0; i < len; i++)
		b[n + i] = (uint8_t)(text[i] ^ (masked ? key[i & 3] : 0));
	return n + len;
}

/* Real TCP segments: the WebSocket handshake and text frames, through events.c. */
static void seed_tcp_ws(struct seed *s)
{
	static const char req[] = "GET /signal HTTP/1.1\r\nHost: 10.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
				  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
	static const char resp[] = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
				   "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
	static uint8_t f[8192];
	start(s, 0);
	char *oj = desc_json("offer", offer, NULL), *aj = desc_json("answer", answer, NULL);
	/* A's connection */
	rec(s, OP_TCP | 0x10, A_SIG, SIG, MS(1), NULL, 0);
	rec(s, OP_TCP | 0x10, SIG, A_SIG, MS(1), NULL, 0);
	rec_str(s, OP_TCP, A_SIG, SIG, MS(1), req);
	rec_str(s, OP_TCP, SIG, A_SIG, MS(1), resp);
	rec(s, OP_TCP, A_SIG, SIG, MS(5), f, ws_frame(f, oj, strlen(oj), true));
	/* B's connection */
	rec(s, OP_TCP | 0x10, B_SIG, SIG, MS(1), NULL, 0);
	rec(s, OP_TCP | 0x10, SIG, B_SIG, MS(1), NULL, 0);
	rec_str(s, OP_TCP, B_SIG, SIG, MS(1), req);
	rec_str(s, OP_TCP, SIG, B_SIG, MS(1), resp);
	rec(s, OP_TCP, SIG, B_SIG, MS(1), f, ws_frame(f, oj, strlen(oj), false));
	rec(s, OP_TCP, B_SIG, SIG, MS(20), f, ws_frame(f, aj, strlen(aj), true));
	rec(s, OP_TCP, SIG, A_SIG, MS(1), f, ws_frame(f, aj, strlen(aj), false));
	checks_ab(s, A, B, 1);
	dtls_and_media(s, A, B);
	rec(s, OP_TCP | 0x20, A_SIG, SIG, SEC(1), NULL, 0);
	save(s, "tcp_websocket_signaling");
	free(oj);
	free(aj);
}

/* No signaling in the capture (wss://): a TLS note, and checks whose ufrags
 * no description names; one left unanswered past the timeout. */
static void seed_tls_no_sdp(struct seed *s)
{
	start(s, 0);
	rec_str(s, OP_STREAM, A_SIG, SIG, MS(1), "TLS (not decrypted: TURN over TLS, or wss:// signaling)");
	rec_str(s, OP_STREAM | 0x10, A_SIG, SIG, MS(1), "TLS (not decrypted: TURN over TLS, or wss:// signaling)");
	rec(s, OP_STREAM | 0x20, B_SIG, SIG, MS(1), "\x10", 1); /* a gap */
	check(s, A, B, 1, "rfrg:lfrg", NULL, 1, false, true, MS(100));
	check(s, B, A, 2, "lfrg:rfrg", NULL, 2, false, true, MS(1));
	check(s, A, PORT(B, 2), 3, "rfrg:lfrg", NULL, 1, false, false, MS(1));
	check(s, A, B, 4, "rfrg:lfrg", NULL, 1, true, true, MS(5));
	dtls_and_media(s, A, B);
	rec(s, OP_DGRAM, A, B, SEC(60), "\x80\x6f\x00\x01\x00\x00\x00\x01\x00\x00\x00\x01", 12);
	rec(s, OP_DGRAM, A, B, BACK_MS(500), "\x80\x6f\x00\x02\x00\x00\x00\x01\x00\x00\x00\x01", 12);
	save(s, "tls_checks_without_sdp");
}

static size_t read_file(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(1);
	}
	size_t n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

/* The RFC 5769 vectors and captured messages as datagrams between the table's addresses. */
static void seed_fixtures(struct seed *s, const char *dir)
{
	static const char *const rfc[] = {"sample_request.bin", "sample_ipv4_response.bin", "sample_ipv6_response.bin",
					  "sample_request_long_term_auth.bin"};
	static const char *const real[] = {"ndpi_stun_google_meet-f1.bin", "ndpi_stun_google_meet-f3.bin",
					   "ndpi_stun_google_meet-f5.bin", "ndpi_stun_signal-f8.bin",
					   "ndpi_stun_signal-f11.bin", "ndpi_stun_signal-f14.bin",
					   "ndpi_stun_dtls_rtp-f1.bin", "ndpi_stun_dtls_rtp-f2.bin",
					   "ndpi_stun_wa_call-f1.bin", "ndpi_stun_wa_call-f11.bin"};
	uint8_t buf[4096];
	char path[1024];
	start(s, 0);
	/* RFC 5769 2.1's request is signed with "VOkJxbRl1RmTxUk/WvJxBt"; no SDP knows it */
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, rfc[i]);
		size_t n = read_file(path, buf, sizeof buf);
		rec(s, OP_DGRAM, i & 1 ? B : A, i & 1 ? A : B, MS(3), buf, n);
	}
	save(s, "rfc5769_vectors");
	start(s, 0);
	for (size_t i = 0; i < sizeof real / sizeof real[0]; i++) {
		snprintf(path, sizeof path, "%s/real/%s", dir, real[i]);
		size_t n = read_file(path, buf, sizeof buf);
		rec(s, OP_DGRAM, i & 1 ? PORT(SRV, 1) : A, i & 1 ? A : PORT(SRV, 1), MS(7), buf, n);
	}
	save(s, "real_stun_messages");
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: make_timeline_seeds OUTDIR tests/fixtures/stun\n");
		return 2;
	}
	dir_out = argv[1];
	static struct seed s;
	make_descriptions();
	seed_ws(&s);
	seed_files(&s);
	seed_internals(&s);
	seed_turn(&s);
	seed_turn_tcp(&s);
	seed_restart(&s);
	seed_whip(&s);
	seed_tcp_ws(&s);
	seed_tls_no_sdp(&s);
	seed_fixtures(&s, argv[2]);
	return 0;
}
