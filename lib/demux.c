/* The demultiplexing of one UDP payload by its first byte (RFC 7983 7,
 * updated by RFC 9443 for QUIC), TURN channel bindings, the opening of TURN
 * tunnels (RFC 8656 11 Send/Data indications, 12 ChannelData), problem texts
 * and the story of each kind of message.
 *
 *                  +----------------+
 *                  |        [0..3] -+--> STUN
 *                  |      [16..19] -+--> ZRTP
 *      packet -->  |      [20..63] -+--> DTLS
 *                  |      [64..79] -+--> TURN Channel
 *                  |     [80..127] -+--> QUIC (short header)
 *                  |    [128..191] -+--> RTP/RTCP
 *                  |    [192..255] -+--> QUIC (long header)
 *                  +----------------+
 */
#include <stdio.h>
#include <string.h>

#include "demux_internal.h"
#include "rtclab/demux.h"

/* --- problems ---------------------------------------------------------------------- */

void rtclab_demux_add_problem_(struct rtclab_demux_problems *ps, enum rtclab_demux_error code, size_t offset,
			       size_t expected, size_t found)
{
	ps->total++;
	if (ps->n == RTCLAB_DEMUX_MAX_PROBLEMS)
		return;
	struct rtclab_demux_problem *p = &ps->p[ps->n++];
	p->code = code;
	p->offset = (uint32_t)offset;
	p->expected = (uint32_t)(expected > UINT32_MAX ? UINT32_MAX : expected);
	p->found = (uint32_t)(found > UINT32_MAX ? UINT32_MAX : found);
}

static const struct {
	const char *id, *phrase;
} error_texts[] = {
	[RTCLAB_DEMUX_OK] = {"ok", "no problem"},
	[RTCLAB_DEMUX_E_TRUNCATED_HEADER] = {"truncated_header", "header cut short"},
	[RTCLAB_DEMUX_E_TRUNCATED] = {"truncated", "length runs past the end of the datagram"},
	[RTCLAB_DEMUX_E_BAD_VERSION] = {"bad_version", "unexpected version"},
	[RTCLAB_DEMUX_E_UNKNOWN_TYPE] = {"unknown_type", "unknown content type"},
	[RTCLAB_DEMUX_E_BAD_PADDING] = {"bad_padding", "padding count does not fit"},
	[RTCLAB_DEMUX_E_BAD_LENGTH] = {"bad_length", "length wrong for its type"},
	[RTCLAB_DEMUX_E_TOO_MANY] = {"too_many", "more than rtclab keeps"},
	[RTCLAB_DEMUX_E_TRAILING_BYTES] = {"trailing_bytes", "bytes after the last packet"},
};

const char *rtclab_demux_error_id(enum rtclab_demux_error code)
{
	return (unsigned)code <= RTCLAB_DEMUX_E_LAST ? error_texts[code].id : "unknown";
}

const char *rtclab_demux_error_str(enum rtclab_demux_error code)
{
	return (unsigned)code <= RTCLAB_DEMUX_E_LAST ? error_texts[code].phrase : "unknown problem";
}

const char *rtclab_demux_problem_format(const struct rtclab_demux_problem *p, char *buf, size_t len)
{
	unsigned at = p->offset, e = p->expected, f = p->found;
	switch (p->code) {
	case RTCLAB_DEMUX_E_TRUNCATED_HEADER:
		snprintf(buf, len, "at byte %u: the header needs %u bytes, only %u are left", at, e, f);
		break;
	case RTCLAB_DEMUX_E_TRUNCATED:
		snprintf(buf, len, "at byte %u: the length says %u bytes, only %u are left", at, e, f);
		break;
	case RTCLAB_DEMUX_E_BAD_VERSION:
		snprintf(buf, len, "at byte %u: version 0x%X, expected 0x%X", at, f, e);
		break;
	case RTCLAB_DEMUX_E_UNKNOWN_TYPE:
		snprintf(buf, len, "at byte %u: unknown content type %u", at, f);
		break;
	case RTCLAB_DEMUX_E_BAD_PADDING:
		snprintf(buf, len,
			 "at byte %u: padding count %u, but the packet has %u bytes after its header (with SRTP the "
			 "last bytes are the authentication tag, not the padding count)",
			 at, f, e);
		break;
	case RTCLAB_DEMUX_E_BAD_LENGTH:
		snprintf(buf, len, "at byte %u: length %u, expected %u", at, f, e);
		break;
	case RTCLAB_DEMUX_E_TOO_MANY:
		snprintf(buf, len, "at byte %u: more than %u; the rest are counted, not kept", at, e);
		break;
	case RTCLAB_DEMUX_E_TRAILING_BYTES:
		snprintf(buf, len, "at byte %u: %u bytes after the last packet", at, f);
		break;
	case RTCLAB_DEMUX_OK:
	default:
		snprintf(buf, len, "at byte %u: %s", at, rtclab_demux_error_str(p->code));
		break;
	}
	return buf;
}

/* --- channel bindings -------------------------------------------------------------- */

void rtclab_channel_bindings_init(struct rtclab_channel_bindings *t)
{
	memset(t, 0, sizeof *t);
}

static bool same_pair(const struct rtclab_channel_binding *b, const struct rtclab_addr *x,
		      const struct rtclab_addr *y)
{
	return (rtclab_addr_equal(&b->client, x) && rtclab_addr_equal(&b->server, y)) ||
	       (rtclab_addr_equal(&b->client, y) && rtclab_addr_equal(&b->server, x));
}

const struct rtclab_channel_binding *rtclab_channel_bindings_find(const struct rtclab_channel_bindings *t,
								  const struct rtclab_addr *a,
								  const struct rtclab_addr *b, uint16_t channel)
{
	if (!t || !a || !b)
		return NULL;
	for (size_t i = 0; i < t->n && i < RTCLAB_CHANNEL_BINDINGS_MAX; i++)
		if (t->b[i].channel == channel && same_pair(&t->b[i], a, b))
			return &t->b[i];
	return NULL;
}

bool rtclab_channel_bindings_add(struct rtclab_channel_bindings *t, const struct rtclab_addr *client,
				 const struct rtclab_addr *server, uint16_t channel, const struct rtclab_addr *peer)
{
	struct rtclab_channel_binding *b =
		(struct rtclab_channel_binding *)rtclab_channel_bindings_find(t, client, server, channel);
	if (!b) {
		if (t->n >= RTCLAB_CHANNEL_BINDINGS_MAX)
			return false;
		b = &t->b[t->n++];
	}
	b->client = *client;
	b->server = *server;
	b->channel = channel;
	b->has_peer = peer != NULL;
	if (peer)
		b->peer = *peer;
	else
		memset(&b->peer, 0, sizeof b->peer);
	return true;
}

/* RFC 8656 12.1: the request carries CHANNEL-NUMBER and XOR-PEER-ADDRESS;
 * the success response carries neither, so it is matched by transaction ID. */
bool rtclab_channel_bindings_note(struct rtclab_channel_bindings *t, const struct rtclab_stun_msg *msg,
				  const struct rtclab_addr *src, const struct rtclab_addr *dst)
{
	if (!t || !msg || !src || !dst || msg->method != RTCLAB_STUN_CHANNEL_BIND || !msg->magic_cookie)
		return false;
	if (msg->cls == RTCLAB_STUN_REQUEST) {
		const struct rtclab_stun_attr *ch = rtclab_stun_find(msg, RTCLAB_STUN_ATTR_CHANNEL_NUMBER);
		const struct rtclab_stun_attr *peer = rtclab_stun_find(msg, RTCLAB_STUN_ATTR_XOR_PEER_ADDRESS);
		if (!ch || !ch->ok)
			return false;
		size_t i = t->next_pending % RTCLAB_CHANNEL_PENDING_MAX; /* the oldest is overwritten */
		t->next_pending = i + 1;
		if (t->n_pending < RTCLAB_CHANNEL_PENDING_MAX)
			t->n_pending++;
		memcpy(t->pending[i].transaction_id, msg->transaction_id, 12);
		struct rtclab_channel_binding *b = &t->pending[i].b;
		memset(b, 0, sizeof *b);
		b->client = *src;
		b->server = *dst;
		b->channel = (uint16_t)ch->v.u32;
		b->has_peer = peer && peer->ok;
		if (b->has_peer)
			b->peer = peer->v.addr;
		return false;
	}
	if (msg->cls != RTCLAB_STUN_SUCCESS)
		return false;
	for (size_t i = 0; i < t->n_pending && i < RTCLAB_CHANNEL_PENDING_MAX; i++) {
		const struct rtclab_channel_binding *b = &t->pending[i].b;
		if (memcmp(t->pending[i].transaction_id, msg->transaction_id, 12) == 0 &&
		    rtclab_addr_equal(&b->client, dst) && rtclab_addr_equal(&b->server, src))
			return rtclab_channel_bindings_add(t, &b->client, &b->server, b->channel,
							   b->has_peer ? &b->peer : NULL);
	}
	return false;
}

/* --- classification ---------------------------------------------------------------- */

static bool bound_channel(const struct rtclab_demux_ctx *ctx, const uint8_t *p, size_t len)
{
	if (!ctx || !ctx->bindings || len < RTCLAB_CHANNELDATA_HEADER_SIZE)
		return false;
	uint16_t channel = (uint16_t)(p[0] << 8 | p[1]);
	return rtclab_channel_bindings_find(ctx->bindings, ctx->src, ctx->dst, channel) != NULL;
}

/* The reasons of the common kinds, written without snprintf (the demux runs
 * once per datagram, and formatting was most of its time): the same text,
 * cut to the buffer as snprintf cuts it. */
struct why_writer {
	char *buf;
	size_t cap; /* > 0 */
	size_t len; /* characters written so far (what snprintf would count) */
};

static void why_mem(struct why_writer *w, const char *s, size_t n)
{
	if (w->len + 1 < w->cap) {
		size_t room = w->cap - 1 - w->len;
		memcpy(w->buf + w->len, s, n < room ? n : room);
	}
	w->len += n;
}

#define WHY_LIT(w, lit) why_mem((w), "" lit, sizeof(lit) - 1) /* lit: a string literal */

/* A byte in decimal. */
static void why_u8(struct why_writer *w, unsigned v)
{
	char d[3] = {(char)('0' + v / 100), (char)('0' + v / 10 % 10), (char)('0' + v % 10)};
	size_t skip = v >= 100 ? 0 : v >= 10 ? 1 : 2;
	why_mem(w, d + skip, 3 - skip);
}

/* "first byte 0x%02X (%u): " */
static void why_first_byte(struct why_writer *w, unsigned b)
{
	static const char hex[] = "0123456789ABCDEF";
	char s[32] = "first byte 0x";
	size_t n = 13;
	s[n++] = hex[(b >> 4) & 15];
	s[n++] = hex[b & 15];
	s[n++] = ' ';
	s[n++] = '(';
	if (b >= 100)
		s[n++] = (char)('0' + b / 100);
	if (b >= 10)
		s[n++] = (char)('0' + b / 10 % 10);
	s[n++] = (char)('0' + b % 10);
	memcpy(s + n, "): ", 3);
	why_mem(w, s, n + 3);
}

static void why_end(struct why_writer *w)
{
	w->buf[w->len < w->cap ? w->len : w->cap - 1] = '\0';
}

static enum rtclab_demux_proto classify_stun(const uint8_t *p, size_t len, char *why, size_t n)
{
	unsigned b = p[0];
	if (rtclab_stun_is_stun(p, len, true)) {
		struct why_writer w = {why, n, 0};
		why_first_byte(&w, b);
		WHY_LIT(&w, "STUN, RFC 7983; the magic cookie 0x2112A442 confirms it");
		why_end(&w);
		return RTCLAB_DEMUX_STUN;
	}
	/* Without the cookie only the length field vouches for STUN, so it must
	 * cover the datagram exactly (RFC 3489 11.1: one message per datagram);
	 * an mDNS header (ID 0, flags 0) passes the looser test. */
	if (rtclab_stun_is_stun(p, len, false) && RTCLAB_STUN_HEADER_SIZE + ((size_t)p[2] << 8 | p[3]) == len) {
		snprintf(why, n,
			 "first byte 0x%02X (%u): STUN, RFC 7983; no magic cookie, so a classic RFC 3489 message", b,
			 b);
		return RTCLAB_DEMUX_STUN;
	}
	snprintf(why, n,
		 "first byte 0x%02X (%u) is STUN's range 0-3 (RFC 7983), but there is no magic cookie and the "
		 "length field does not fit the datagram: not STUN",
		 b, b);
	return RTCLAB_DEMUX_OTHER;
}

static enum rtclab_demux_proto classify_rtp(const uint8_t *p, size_t len, char *why, size_t n)
{
	unsigned b = p[0];
	struct why_writer w = {why, n, 0};
	why_first_byte(&w, b);
	WHY_LIT(&w, "RTP or RTCP, RFC 7983; second byte ");
	if (len >= 2 && p[1] >= 192 && p[1] <= 223) {
		why_u8(&w, p[1]);
		WHY_LIT(&w, " is in 192-223: RTCP, RFC 5761 4");
		why_end(&w);
		return RTCLAB_DEMUX_RTCP;
	}
	why_u8(&w, len >= 2 ? p[1] : 0);
	WHY_LIT(&w, " is not 192-223: RTP, RFC 5761 4");
	why_end(&w);
	return RTCLAB_DEMUX_RTP;
}

enum rtclab_demux_proto rtclab_demux_classify(const void *buf, size_t len, const struct rtclab_demux_ctx *ctx,
					      char *why, size_t why_len)
{
	const uint8_t *p = (const uint8_t *)buf;
	char scratch[8];
	if (!why || why_len == 0)
		why = scratch, why_len = sizeof scratch;
	if (len == 0) {
		snprintf(why, why_len, "an empty payload");
		return RTCLAB_DEMUX_NONE;
	}
	unsigned b = p[0];
	if (b <= 3)
		return classify_stun(p, len, why, why_len);
	if (b >= 16 && b <= 19) {
		snprintf(why, why_len, "first byte 0x%02X (%u): ZRTP, RFC 7983", b, b);
		return RTCLAB_DEMUX_ZRTP;
	}
	if (b >= 20 && b <= 63) {
		struct why_writer w = {why, why_len, 0};
		why_first_byte(&w, b);
		WHY_LIT(&w, "DTLS, RFC 7983");
		if (b >= 32)
			WHY_LIT(&w, " (001xxxxx: the RFC 9147 4 unified header of DTLS 1.3)");
		why_end(&w);
		return RTCLAB_DEMUX_DTLS;
	}
	if (b >= 64 && b <= 79) {
		struct why_writer w = {why, why_len, 0};
		why_first_byte(&w, b);
		WHY_LIT(&w, "TURN ChannelData, RFC 7983");
		why_end(&w);
		return RTCLAB_DEMUX_CHANNELDATA;
	}
	if (b >= 128 && b <= 191)
		return classify_rtp(p, len, why, why_len);
	if (b >= 80 && b <= 127 && bound_channel(ctx, p, len)) {
		snprintf(why, why_len,
			 "first byte 0x%02X (%u): outside RFC 7983's ChannelData range 64-79, but channel 0x%04X "
			 "was bound by a ChannelBind between these addresses: TURN ChannelData (RFC 5766 range)",
			 b, b, (unsigned)(p[0] << 8 | p[1]));
		return RTCLAB_DEMUX_CHANNELDATA;
	}
	if (b >= 80) {
		snprintf(why, why_len, "first byte 0x%02X (%u): QUIC or something else, RFC 9443 (%s header range)", b,
			 b, b >= 192 ? "long" : "short");
		return RTCLAB_DEMUX_QUIC;
	}
	snprintf(why, why_len, "first byte 0x%02X (%u): unassigned by RFC 7983 (4-15)", b, b);
	return RTCLAB_DEMUX_OTHER;
}

void rtclab_demux_result(struct rtclab_demux_result *r, const void *buf, size_t len,
			 const struct rtclab_demux_ctx *ctx)
{
	r->proto = rtclab_demux_classify(buf, len, ctx, r->why, sizeof r->why);
	r->offset = 0;
	r->bytes.ptr = (const uint8_t *)buf;
	r->bytes.len = len;
	r->channel_bound = false;
	switch (r->proto) {
	case RTCLAB_DEMUX_STUN:
		rtclab_stun_decode(&r->u.stun, buf, len);
		break;
	case RTCLAB_DEMUX_CHANNELDATA:
		rtclab_channeldata_decode(&r->u.channeldata, buf, len, false);
		r->channel_bound = ((const uint8_t *)buf)[0] >= 80 || bound_channel(ctx, buf, len);
		break;
	case RTCLAB_DEMUX_DTLS:
		rtclab_dtls_decode(&r->u.dtls, buf, len);
		break;
	case RTCLAB_DEMUX_RTP:
		rtclab_rtp_decode(&r->u.rtp, buf, len);
		break;
	case RTCLAB_DEMUX_RTCP:
		rtclab_rtcp_decode(&r->u.rtcp, buf, len);
		break;
	default:
		break;
	}
}

/* --- tunnels ----------------------------------------------------------------------- */

/* RFC 8656 11.4/11.6: a Send or Data indication carries the datagram in DATA
 * and the peer in XOR-PEER-ADDRESS. */
static void open_indication(struct rtclab_demux *out, const struct rtclab_demux_ctx *ctx)
{
	const struct rtclab_stun_msg *m = &out->outer.u.stun;
	if (m->cls != RTCLAB_STUN_INDICATION || !m->magic_cookie ||
	    (m->method != RTCLAB_STUN_SEND && m->method != RTCLAB_STUN_DATA))
		return;
	const struct rtclab_stun_attr *data = rtclab_stun_find(m, RTCLAB_STUN_ATTR_DATA);
	if (!data || !data->value.ptr)
		return;
	const struct rtclab_stun_attr *peer = rtclab_stun_find(m, RTCLAB_STUN_ATTR_XOR_PEER_ADDRESS);
	out->via = m->method == RTCLAB_STUN_SEND ? RTCLAB_TUNNEL_TURN_SEND : RTCLAB_TUNNEL_TURN_DATA;
	out->has_peer = peer && peer->ok;
	if (out->has_peer)
		out->peer = peer->v.addr;
	/* The inner datagram travels between a peer and the relay: no bindings apply. */
	(void)ctx;
	rtclab_demux_result(&out->inner, data->value.ptr, data->value.len, NULL);
	out->inner.offset = (size_t)(data->value.ptr - out->outer.bytes.ptr);
}

static void open_channeldata(struct rtclab_demux *out, const struct rtclab_demux_ctx *ctx)
{
	const struct rtclab_channeldata *cd = &out->outer.u.channeldata;
	if (!cd->data.ptr && cd->length > 0)
		return;
	if (cd->size < RTCLAB_CHANNELDATA_HEADER_SIZE || cd->range == RTCLAB_CHANNEL_INVALID)
		return;
	out->via = RTCLAB_TUNNEL_CHANNELDATA;
	out->channel = cd->channel;
	const struct rtclab_channel_binding *b =
		ctx ? rtclab_channel_bindings_find(ctx->bindings, ctx->src, ctx->dst, cd->channel) : NULL;
	out->has_peer = b && b->has_peer;
	if (out->has_peer)
		out->peer = b->peer;
	const uint8_t *data = cd->data.ptr ? cd->data.ptr : out->outer.bytes.ptr + RTCLAB_CHANNELDATA_HEADER_SIZE;
	rtclab_demux_result(&out->inner, data, cd->data.len, NULL);
	out->inner.offset = RTCLAB_CHANNELDATA_HEADER_SIZE;
}

void rtclab_demux_udp(struct rtclab_demux *out, const void *buf, size_t len, const struct rtclab_demux_ctx *ctx)
{
	out->via = RTCLAB_TUNNEL_NONE;
	out->has_peer = false;
	out->channel = 0;
	memset(&out->peer, 0, sizeof out->peer);
	out->inner.proto = RTCLAB_DEMUX_NONE;
	out->inner.why[0] = '\0';
	rtclab_demux_result(&out->outer, buf, len, ctx);
	if (out->outer.proto == RTCLAB_DEMUX_STUN) {
		if (ctx)
			rtclab_channel_bindings_note(ctx->bindings, &out->outer.u.stun, ctx->src, ctx->dst);
		open_indication(out, ctx);
	} else if (out->outer.proto == RTCLAB_DEMUX_CHANNELDATA) {
		open_channeldata(out, ctx);
	}
}

void rtclab_demux_stream_message(struct rtclab_demux *out, const void *buf, size_t len,
				 const struct rtclab_demux_ctx *ctx)
{
	const uint8_t *p = (const uint8_t *)buf;
	struct rtclab_demux_result *r = &out->outer;
	out->via = RTCLAB_TUNNEL_NONE;
	out->has_peer = false;
	out->channel = 0;
	memset(&out->peer, 0, sizeof out->peer);
	out->inner.proto = RTCLAB_DEMUX_NONE;
	out->inner.why[0] = '\0';
	r->offset = 0;
	r->bytes.ptr = p;
	r->bytes.len = len;
	r->channel_bound = false;
	if (len > 0 && (p[0] & 0xC0) == 0x40) {
		r->proto = RTCLAB_DEMUX_CHANNELDATA;
		snprintf(r->why, sizeof r->why, "ChannelData over TCP: leading bits 01, padded to 4 bytes (RFC 8656 12.5)");
		rtclab_channeldata_decode(&r->u.channeldata, buf, len, true);
		r->channel_bound = p[0] >= 80 || bound_channel(ctx, p, len);
		open_channeldata(out, ctx);
		return;
	}
	r->proto = RTCLAB_DEMUX_STUN;
	snprintf(r->why, sizeof r->why,
		 "STUN over TCP: messages back to back, each framed by its length (RFC 8489 6.2.2, RFC 8656 12.5)");
	rtclab_stun_decode(&r->u.stun, buf, len);
	if (ctx)
		rtclab_channel_bindings_note(ctx->bindings, &r->u.stun, ctx->src, ctx->dst);
	open_indication(out, ctx);
}

/* --- names and story --------------------------------------------------------------- */

const char *rtclab_demux_proto_name(enum rtclab_demux_proto proto)
{
	switch (proto) {
	case RTCLAB_DEMUX_STUN: return "stun";
	case RTCLAB_DEMUX_ZRTP: return "zrtp";
	case RTCLAB_DEMUX_DTLS: return "dtls";
	case RTCLAB_DEMUX_CHANNELDATA: return "channeldata";
	case RTCLAB_DEMUX_RTP: return "rtp";
	case RTCLAB_DEMUX_RTCP: return "rtcp";
	case RTCLAB_DEMUX_QUIC: return "quic";
	case RTCLAB_DEMUX_OTHER: return "other";
	case RTCLAB_DEMUX_NONE:
	default: return "none";
	}
}

const char *rtclab_tunnel_via_name(enum rtclab_tunnel_via via)
{
	switch (via) {
	case RTCLAB_TUNNEL_TURN_DATA: return "turn-data";
	case RTCLAB_TUNNEL_TURN_SEND: return "turn-send";
	case RTCLAB_TUNNEL_CHANNELDATA: return "channeldata";
	case RTCLAB_TUNNEL_NONE:
	default: return NULL;
	}
}

static void set_story(struct rtclab_story *out, enum rtclab_step step, const char *why)
{
	out->step = step;
	out->why = why;
}

void rtclab_demux_story(const struct rtclab_demux_result *r, struct rtclab_story *out)
{
	switch (r->proto) {
	case RTCLAB_DEMUX_STUN:
		rtclab_stun_story(&r->u.stun, out);
		return;
	case RTCLAB_DEMUX_DTLS:
		if (r->u.dtls.n_records > 0) {
			set_story(out, RTCLAB_STEP_CHECKS, rtclab_dtls_record_explain(&r->u.dtls.records[0]));
			return;
		}
		set_story(out, RTCLAB_STEP_CHECKS, "A DTLS datagram too short to hold a record. Step 6.");
		return;
	case RTCLAB_DEMUX_CHANNELDATA:
		set_story(out, RTCLAB_STEP_CHECKS,
			  "TURN ChannelData: data relayed through a TURN server with a 4-byte header instead of a "
			  "STUN indication. Step 6: checks, DTLS and media on a relayed candidate pair travel like this.");
		return;
	case RTCLAB_DEMUX_RTP:
		set_story(out, RTCLAB_STEP_CHECKS,
			  "An RTP packet of audio or video. Step 6, media flows: in WebRTC it is SRTP, so the header "
			  "is in the clear but the payload is encrypted with keys from the DTLS handshake.");
		return;
	case RTCLAB_DEMUX_RTCP:
		set_story(out, RTCLAB_STEP_CHECKS,
			  r->u.rtcp.srtcp
				  ? "SRTCP: RTCP reports and feedback, encrypted after the first 8 bytes, with an E flag "
				    "and index at the end. Step 6, alongside the media."
				  : "RTCP: reports on the media (sender and receiver reports) and feedback such as NACK "
				    "and picture loss. Step 6, alongside the media.");
		return;
	case RTCLAB_DEMUX_ZRTP:
		set_story(out, RTCLAB_STEP_CHECKS,
			  "ZRTP key agreement (RFC 6189). WebRTC does not use it: its keys come from DTLS.");
		return;
	case RTCLAB_DEMUX_QUIC:
		set_story(out, RTCLAB_STEP_NONE,
			  "Outside the ranges WebRTC uses over ICE: QUIC (RFC 9443) or another protocol sharing the port.");
		return;
	case RTCLAB_DEMUX_OTHER:
	case RTCLAB_DEMUX_NONE:
	default:
		set_story(out, RTCLAB_STEP_NONE, "Not a message of the WebRTC handshake rtclab recognises.");
		return;
	}
}
