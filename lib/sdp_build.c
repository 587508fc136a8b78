/* SDP offers and answers written from a small model (see sdp_build.h). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtclab/sdp_build.h"

#define CANDIDATE_MAX 512 /* one formatted candidate line */
#define OPUS_PT 111

static const struct {
	const char *id, *text;
} build_errors[] = {
	[RTCLAB_SDP_BUILD_OK] = {"ok", "no error"},
	[RTCLAB_SDP_BUILD_E_ROLE] = {"role", "the description must be an offer or an answer"},
	[RTCLAB_SDP_BUILD_E_UFRAG] = {"ufrag", "the ice-ufrag must be 4 to 256 letters, digits, '+' or '/' (RFC 8839 5.4)"},
	[RTCLAB_SDP_BUILD_E_PWD] = {"pwd", "the ice-pwd must be 22 to 256 letters, digits, '+' or '/' (RFC 8839 5.4)"},
	[RTCLAB_SDP_BUILD_E_FINGERPRINT] = {"fingerprint",
					    "the fingerprint must be the 32 bytes of a SHA-256 hash, or 32 hex "
					    "pairs separated by colons (RFC 8122 5)"},
	[RTCLAB_SDP_BUILD_E_SETUP] = {"setup",
				      "an offer says a=setup:actpass, an answer active or passive (RFC 8842 5)"},
	[RTCLAB_SDP_BUILD_E_NO_MEDIA] = {"no-media", "a description needs an audio or a data channel section"},
	[RTCLAB_SDP_BUILD_E_CANDIDATE] = {"candidate", "a candidate does not make a valid a=candidate line"},
	[RTCLAB_SDP_BUILD_E_OFFER] = {"offer",
				      "the offer has sections other than one opus audio section and one data "
				      "channel section, in that order"},
	[RTCLAB_SDP_BUILD_E_SPACE] = {"space", "the buffer is too small for the description"},
	[RTCLAB_SDP_BUILD_E_NOMEM] = {"nomem", "out of memory"},
};

const char *rtclab_sdp_build_error_id(enum rtclab_sdp_build_error e)
{
	if ((unsigned)e >= sizeof build_errors / sizeof build_errors[0])
		return "unknown";
	return build_errors[e].id;
}

const char *rtclab_sdp_build_error_str(enum rtclab_sdp_build_error e)
{
	if ((unsigned)e >= sizeof build_errors / sizeof build_errors[0])
		return "unknown error";
	return build_errors[e].text;
}

/* --- checking the model ----------------------------------------------------------------------- */

/* ice-char = ALPHA / DIGIT / "+" / "/" (RFC 8839 5.4) */
static bool ice_chars(const char *s, size_t min, size_t max)
{
	if (!s)
		return false;
	size_t n = strlen(s);
	if (n < min || n > max)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
			  c == '/';
		if (!ok)
			return false;
	}
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The fingerprint's 32 bytes, from bytes or from "AB:CD:..." text. */
static bool fingerprint_bytes(const struct rtclab_sdp_build *b, uint8_t out[RTCLAB_SDP_BUILD_SHA256_LEN])
{
	if (b->fingerprint) {
		memcpy(out, b->fingerprint, RTCLAB_SDP_BUILD_SHA256_LEN);
		return true;
	}
	const char *t = b->fingerprint_text;
	if (!t || strlen(t) != RTCLAB_SDP_BUILD_SHA256_LEN * 3 - 1)
		return false;
	for (size_t i = 0; i < RTCLAB_SDP_BUILD_SHA256_LEN; i++) {
		int hi = hexval(t[3 * i]), lo = hexval(t[3 * i + 1]);
		if (hi < 0 || lo < 0 || (i + 1 < RTCLAB_SDP_BUILD_SHA256_LEN && t[3 * i + 2] != ':'))
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

static enum rtclab_sdp_setup effective_setup(const struct rtclab_sdp_build *b)
{
	if (b->setup != RTCLAB_SDP_SETUP_UNSET)
		return b->setup;
	/* RFC 9429 5.3.1: the answerer takes the DTLS client role. */
	return b->role == RTCLAB_SDP_ROLE_OFFER ? RTCLAB_SDP_SETUP_ACTPASS : RTCLAB_SDP_SETUP_ACTIVE;
}

static enum rtclab_sdp_build_error check_model(const struct rtclab_sdp_build *b, uint8_t fp[RTCLAB_SDP_BUILD_SHA256_LEN])
{
	if (b->role != RTCLAB_SDP_ROLE_OFFER && b->role != RTCLAB_SDP_ROLE_ANSWER)
		return RTCLAB_SDP_BUILD_E_ROLE;
	if (!b->audio && !b->data)
		return RTCLAB_SDP_BUILD_E_NO_MEDIA;
	if (!ice_chars(b->ice_ufrag, 4, 256))
		return RTCLAB_SDP_BUILD_E_UFRAG;
	if (!ice_chars(b->ice_pwd, 22, 256))
		return RTCLAB_SDP_BUILD_E_PWD;
	if (!fingerprint_bytes(b, fp))
		return RTCLAB_SDP_BUILD_E_FINGERPRINT;
	enum rtclab_sdp_setup s = effective_setup(b);
	bool setup_ok = b->role == RTCLAB_SDP_ROLE_OFFER
				? s == RTCLAB_SDP_SETUP_ACTPASS
				: (s == RTCLAB_SDP_SETUP_ACTIVE || s == RTCLAB_SDP_SETUP_PASSIVE);
	return setup_ok ? RTCLAB_SDP_BUILD_OK : RTCLAB_SDP_BUILD_E_SETUP;
}

/* --- candidates --------------------------------------------------------------------------- */

/* Candidate i of all (structs first, then lines), parsed again from its
 * formatted line in `line`, which c's views point into.  False when it
 * does not format or parse. */
static bool candidate_at(const struct rtclab_sdp_build *b, size_t i, struct rtclab_candidate *c,
			 char line[CANDIDATE_MAX])
{
	size_t n;
	if (i < b->n_candidates) {
		n = rtclab_candidate_format(&b->candidates[i], line, CANDIDATE_MAX);
	} else {
		const char *given = b->candidate_lines[i - b->n_candidates];
		struct rtclab_candidate parsed;
		if (!given || rtclab_candidate_parse(&parsed, given, strlen(given), NULL) != RTCLAB_CAND_OK)
			return false;
		n = rtclab_candidate_format(&parsed, line, CANDIDATE_MAX);
	}
	return n < CANDIDATE_MAX && rtclab_candidate_parse(c, line, n, NULL) == RTCLAB_CAND_OK;
}

static size_t n_all_candidates(const struct rtclab_sdp_build *b)
{
	return b->n_candidates + (b->candidate_lines ? b->n_candidate_lines : 0);
}

/* RFC 8445 5.1.4: relayed, then server-reflexive, then host candidates are
 * the most likely to work as the default.  Lower is better; -1: unusable. */
static int default_rank(const struct rtclab_candidate *c)
{
	if (c->component != 1 || c->transport != RTCLAB_CAND_UDP ||
	    (c->address_kind != RTCLAB_CAND_ADDR_IPV4 && c->address_kind != RTCLAB_CAND_ADDR_IPV6))
		return -1;
	switch (c->type) {
	case RTCLAB_CAND_RELAY:
		return 0;
	case RTCLAB_CAND_SRFLX:
		return 1;
	case RTCLAB_CAND_HOST:
		return 2;
	default:
		return 3;
	}
}

struct default_addr {
	char address[64]; /* "0.0.0.0" when no candidate is usable */
	bool ipv6;
	uint16_t port;    /* 9 (discard) when no candidate is usable */
};

static enum rtclab_sdp_build_error find_default(const struct rtclab_sdp_build *b, struct default_addr *d)
{
	snprintf(d->address, sizeof d->address, "0.0.0.0");
	d->ipv6 = false;
	d->port = 9;
	int best = -1;
	for (size_t i = 0; i < n_all_candidates(b); i++) {
		char line[CANDIDATE_MAX];
		struct rtclab_candidate c;
		if (!candidate_at(b, i, &c, line))
			return RTCLAB_SDP_BUILD_E_CANDIDATE;
		int rank = default_rank(&c);
		if (rank < 0 || (best >= 0 && rank >= best))
			continue;
		best = rank;
		snprintf(d->address, sizeof d->address, "%.*s", (int)c.address.len, c.address.ptr);
		d->ipv6 = c.address_kind == RTCLAB_CAND_ADDR_IPV6;
		d->port = c.port;
	}
	return RTCLAB_SDP_BUILD_OK;
}

/* --- writing ----------------------------------------------------------------------------- */

struct out {
	char *buf;
	size_t cap, len; /* len counts what would have been written */
};

__attribute__((format(printf, 2, 3))) static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t room = o->len < o->cap ? o->cap - o->len : 0;
	int n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

static void put_session(struct out *o, const struct rtclab_sdp_build *b)
{
	put(o, "v=0\r\no=- %" PRIu64 " %" PRIu64 " IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n", b->session_id,
	    b->session_version);
	put(o, "a=group:BUNDLE");
	int mid = 0;
	if (b->audio)
		put(o, " %d", mid++);
	if (b->data)
		put(o, " %d", mid++);
	put(o, "\r\n");
	if (b->ice_lite)
		put(o, "a=ice-lite\r\n");
	put(o, "a=msid-semantic: WMS\r\n");
}

/* What every section repeats: c=, ICE credentials, DTLS, mid. */
static void put_transport(struct out *o, const struct rtclab_sdp_build *b, const struct default_addr *d,
			  const uint8_t fp[RTCLAB_SDP_BUILD_SHA256_LEN], int mid)
{
	put(o, "c=IN %s %s\r\n", d->ipv6 ? "IP6" : "IP4", d->address);
	put(o, "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\n", b->ice_ufrag, b->ice_pwd);
	if (b->trickle)
		put(o, "a=ice-options:trickle\r\n");
	put(o, "a=fingerprint:sha-256 ");
	for (size_t i = 0; i < RTCLAB_SDP_BUILD_SHA256_LEN; i++)
		put(o, i ? ":%02X" : "%02X", fp[i]);
	put(o, "\r\na=setup:%s\r\na=mid:%d\r\n", rtclab_sdp_setup_name(effective_setup(b)), mid);
}

static void put_candidates(struct out *o, const struct rtclab_sdp_build *b)
{
	for (size_t i = 0; i < n_all_candidates(b); i++) {
		char line[CANDIDATE_MAX];
		struct rtclab_candidate c;
		if (candidate_at(b, i, &c, line)) /* checked by find_default */
			put(o, "a=%s\r\n", line);
	}
	if (b->end_of_candidates)
		put(o, "a=end-of-candidates\r\n");
}

static void put_audio(struct out *o, const struct rtclab_sdp_build *b, const struct default_addr *d,
		      const uint8_t *fp, int mid)
{
	enum rtclab_sdp_direction dir = b->direction ? b->direction : RTCLAB_SDP_SENDRECV;
	put(o, "m=audio %u UDP/TLS/RTP/SAVPF %d\r\n", (unsigned)d->port, OPUS_PT);
	put_transport(o, b, d, fp, mid);
	put(o, "a=%s\r\na=rtcp-mux\r\n", rtclab_sdp_direction_name(dir));
	put(o, "a=rtpmap:%d opus/48000/2\r\na=fmtp:%d minptime=10;useinbandfec=1\r\n", OPUS_PT, OPUS_PT);
}

static void put_data(struct out *o, const struct rtclab_sdp_build *b, const struct default_addr *d,
		     const uint8_t *fp, int mid)
{
	put(o, "m=application %u UDP/DTLS/SCTP webrtc-datachannel\r\n", (unsigned)d->port);
	put_transport(o, b, d, fp, mid);
	put(o, "a=sctp-port:%d\r\na=max-message-size:%d\r\n", RTCLAB_SDP_BUILD_SCTP_PORT,
	    RTCLAB_SDP_BUILD_MAX_MESSAGE_SIZE);
}

enum rtclab_sdp_build_error rtclab_sdp_build(const struct rtclab_sdp_build *b, char *buf, size_t cap, size_t *len)
{
	uint8_t fp[RTCLAB_SDP_BUILD_SHA256_LEN];
	struct default_addr d;
	enum rtclab_sdp_build_error e = check_model(b, fp);
	if (e == RTCLAB_SDP_BUILD_OK)
		e = find_default(b, &d);
	if (e != RTCLAB_SDP_BUILD_OK)
		return e;
	struct out o = {buf, cap, 0};
	if (cap)
		buf[0] = '\0';
	put_session(&o, b);
	int mid = 0;
	if (b->audio) {
		put_audio(&o, b, &d, fp, mid++);
		put_candidates(&o, b);
	}
	if (b->data) {
		put_data(&o, b, &d, fp, mid);
		if (mid == 0 || b->candidates_in_every_section)
			put_candidates(&o, b);
		else if (b->end_of_candidates)
			put(&o, "a=end-of-candidates\r\n");
	}
	if (len)
		*len = o.len;
	return o.len < cap ? RTCLAB_SDP_BUILD_OK : RTCLAB_SDP_BUILD_E_SPACE;
}

char *rtclab_sdp_build_alloc(const struct rtclab_sdp_build *b, size_t *len, enum rtclab_sdp_build_error *error)
{
	size_t need = 0;
	enum rtclab_sdp_build_error e = rtclab_sdp_build(b, NULL, 0, &need);
	char *text = NULL;
	if (e == RTCLAB_SDP_BUILD_E_SPACE) {
		text = malloc(need + 1);
		e = text ? rtclab_sdp_build(b, text, need + 1, &need) : RTCLAB_SDP_BUILD_E_NOMEM;
	}
	if (e != RTCLAB_SDP_BUILD_OK) {
		free(text);
		text = NULL;
	}
	if (error)
		*error = e;
	if (len)
		*len = text ? need : 0;
	return text;
}

/* --- answering ---------------------------------------------------------------------------- */

static enum rtclab_sdp_direction answer_direction(enum rtclab_sdp_direction offered)
{
	switch (offered) {
	case RTCLAB_SDP_SENDONLY:
		return RTCLAB_SDP_RECVONLY;
	case RTCLAB_SDP_RECVONLY:
		return RTCLAB_SDP_SENDONLY;
	case RTCLAB_SDP_INACTIVE:
		return RTCLAB_SDP_INACTIVE;
	default:
		return RTCLAB_SDP_SENDRECV;
	}
}

static bool has_opus(const struct rtclab_sdp *offer, const struct rtclab_sdp_media *m)
{
	for (size_t i = 0; i < m->n_codecs; i++) {
		const struct rtclab_sdp_codec *c = &offer->codecs[m->first_codec + i];
		if (c->payload == OPUS_PT && rtclab_str_ieq(c->name, "opus") && c->clock_rate == 48000)
			return true;
	}
	return false;
}

enum rtclab_sdp_build_error rtclab_sdp_build_answer_to(const struct rtclab_sdp *offer, struct rtclab_sdp_build *b)
{
	b->role = RTCLAB_SDP_ROLE_ANSWER;
	b->audio = b->data = false;
	b->direction = RTCLAB_SDP_DIR_UNSET;
	b->setup = RTCLAB_SDP_SETUP_UNSET;
	size_t i = 0;
	if (i < offer->n_media && rtclab_str_eq(offer->media[i].kind, "audio")) {
		if (!has_opus(offer, &offer->media[i]))
			return RTCLAB_SDP_BUILD_E_OFFER;
		b->audio = true;
		b->direction = answer_direction(offer->media[i].direction);
		i++;
	}
	if (i < offer->n_media && rtclab_str_eq(offer->media[i].kind, "application") &&
	    rtclab_str_eq(offer->media[i].proto, "UDP/DTLS/SCTP")) {
		b->data = true;
		i++;
	}
	if (i != offer->n_media || i == 0)
		return RTCLAB_SDP_BUILD_E_OFFER;
	/* RFC 8842 5.3 (RFC 4145 4.1): the answer takes the other role. */
	enum rtclab_sdp_setup s = offer->media[0].setup;
	b->setup = s == RTCLAB_SDP_SETUP_ACTIVE ? RTCLAB_SDP_SETUP_PASSIVE : RTCLAB_SDP_SETUP_ACTIVE;
	return RTCLAB_SDP_BUILD_OK;
}
