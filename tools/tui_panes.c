/* The panes of the terminal walkthrough as text lines (tui.h): the message
 * of a step decoded and checked (detail), its bytes (hex), the story of
 * the step (explain), the candidates and pairs as they stood at that
 * moment, and the NAT tables of a simulation.  Pure functions of the model
 * and the current step: no curses, no output, no global state. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtclab/candidate.h"
#include "rtclab/demux.h"
#include "rtclab/sdp.h"
#include "rtclab/signal.h"
#include "rtclab/stun.h"
#include "tool.h"
#include "tui.h"

/* RFC 8489 6.2.1: with the default RTO of 500 ms and Rc = 7, a client gives
 * up 39.5 s after its first transmission. */
#define STUN_TIMEOUT_NS 39500000000LL

/* --- small helpers ----------------------------------------------------------------------- */

static int pane_width(int width)
{
	return width < 20 ? 20 : width > 2000 ? 2000 : width;
}

static const char *addr_text(const struct rtclab_addr *a, char *buf, size_t len)
{
	if (a->family != RTCLAB_FAMILY_IPV4 && a->family != RTCLAB_FAMILY_IPV6)
		return "?";
	return rtclab_addr_format(a, buf, len);
}

/* "+0.252s" since the session's first message; "-" when not known. */
static const char *rel_time(char *buf, size_t len, int64_t ns, int64_t first)
{
	if (ns > 0 && first > 0)
		snprintf(buf, len, "%+.3fs", (double)(ns - first) / 1e9);
	else
		snprintf(buf, len, "-");
	return buf;
}

static const char *peer_name(const struct rtclab_tl_session *s, int peer)
{
	return peer >= 0 && (size_t)peer < s->n_peers && peer < 2 ? s->peers[peer].name : "?";
}

static const char *l4_name(enum rtclab_l4 l4)
{
	return l4 == RTCLAB_L4_TCP ? "TCP" : l4 == RTCLAB_L4_UDP ? "UDP" : "?";
}

static void blank(struct tui_lines *out)
{
	tui_lines_add(out, TUI_A_NORMAL, -1, "%s", "");
}

static bool is_check_kind(enum rtclab_tl_step_kind k)
{
	return k == RTCLAB_TL_EV_CHECK || k == RTCLAB_TL_EV_CHECK_RESPONSE || k == RTCLAB_TL_EV_NOMINATION ||
	       k == RTCLAB_TL_EV_ROLE_CONFLICT || k == RTCLAB_TL_EV_CONSENT;
}

/* The check a step of a pair is about: the request of a CHECK step, the
 * answered request of a response step. */
static const struct rtclab_tl_check *step_check(const struct rtclab_tl_session *s, const struct rtclab_tl_step *st)
{
	if (st->pair < 0 || (size_t)st->pair >= s->n_pairs || !st->frame)
		return NULL;
	const struct rtclab_tl_pair *p = &s->pairs[st->pair];
	bool request = st->kind == RTCLAB_TL_EV_CHECK || st->kind == RTCLAB_TL_EV_CONSENT;
	for (size_t k = 0; k < p->n_kept && k < RTCLAB_TL_PAIR_CHECKS; k++) {
		const struct rtclab_tl_check *c = &p->checks[k];
		if (request ? c->frame == st->frame : c->response_frame == st->frame)
			return c;
	}
	return NULL;
}

/* --- decoding a datagram -------------------------------------------------------------- */

/* Demultiplexed as the event stream did: a message cut from a TCP stream of
 * STUN and ChannelData, or a datagram (UDP, or an ICE-TCP frame).  A
 * ChannelData message on a channel 0x5000-0x7FFF is recognised only through
 * its ChannelBind, which the model does not keep: it is taken as
 * ChannelData when its length field fits (*guessed). */
static void decode(const struct tui_payload *p, struct rtclab_demux *dx, bool *guessed)
{
	*guessed = false;
	if (p->l4 == RTCLAB_L4_TCP && p->len && (p->bytes[0] & 0xC0) == 0x40) {
		rtclab_demux_stream_message(dx, p->bytes, p->len, NULL);
		return;
	}
	rtclab_demux_udp(dx, p->bytes, p->len, NULL);
	if (dx->outer.proto != RTCLAB_DEMUX_QUIC || p->len < RTCLAB_CHANNELDATA_HEADER_SIZE)
		return;
	uint16_t channel = (uint16_t)(p->bytes[0] << 8 | p->bytes[1]);
	size_t length = (size_t)(p->bytes[2] << 8 | p->bytes[3]);
	if (channel < 0x5000 || channel > 0x7FFF || p->len < 4 + length || p->len > 4 + length + 3)
		return;
	struct rtclab_channel_bindings *b = malloc(sizeof *b);
	if (!b)
		return;
	rtclab_channel_bindings_init(b);
	rtclab_channel_bindings_add(b, &p->src, &p->dst, channel, NULL);
	struct rtclab_demux_ctx ctx = {&p->src, &p->dst, b};
	rtclab_demux_udp(dx, p->bytes, p->len, &ctx);
	free(b);
	*guessed = dx->outer.proto == RTCLAB_DEMUX_CHANNELDATA;
}

/* The STUN message a step is about: for a check relayed through TURN, the
 * one inside the tunnel. */
static const struct rtclab_demux_result *stun_subject(const struct rtclab_demux *dx, enum rtclab_tl_step_kind k)
{
	bool inner_stun = dx->via != RTCLAB_TUNNEL_NONE && dx->inner.proto == RTCLAB_DEMUX_STUN;
	if (is_check_kind(k) && inner_stun)
		return &dx->inner;
	if (dx->outer.proto == RTCLAB_DEMUX_STUN)
		return &dx->outer;
	return inner_stun ? &dx->inner : NULL;
}

/* --- which message of the frame is the step's ------------------------------------------ */

enum want { WANT_NONE, WANT_SIGNAL, WANT_STUN, WANT_DTLS, WANT_MEDIA };

static enum want want_of(enum rtclab_tl_step_kind k)
{
	switch (k) {
	case RTCLAB_TL_EV_SIGNALING:
	case RTCLAB_TL_EV_OFFER:
	case RTCLAB_TL_EV_ANSWER:
	case RTCLAB_TL_EV_CANDIDATE:
	case RTCLAB_TL_EV_END_OF_CANDIDATES:
		return WANT_SIGNAL;
	case RTCLAB_TL_EV_STUN_SERVER:
	case RTCLAB_TL_EV_TURN:
	case RTCLAB_TL_EV_CHECK:
	case RTCLAB_TL_EV_CHECK_RESPONSE:
	case RTCLAB_TL_EV_NOMINATION:
	case RTCLAB_TL_EV_ROLE_CONFLICT:
	case RTCLAB_TL_EV_CONSENT:
		return WANT_STUN;
	case RTCLAB_TL_EV_DTLS:
		return WANT_DTLS;
	case RTCLAB_TL_EV_MEDIA:
		return WANT_MEDIA;
	default:
		return WANT_NONE;
	}
}

static bool is_sdp_body(const struct tui_payload *p)
{
	return p->len >= 2 && p->bytes[0] == 'v' && p->bytes[1] == '=';
}

/* How well a signaling message fits the step: 1 any, 2 the same kind. */
static int signal_score(const struct tui_payload *p, enum rtclab_tl_step_kind k, bool refine)
{
	if (p->kind != TUI_PL_SIGNAL)
		return 0;
	if (!refine)
		return 1;
	if (is_sdp_body(p))
		return k == RTCLAB_TL_EV_OFFER || k == RTCLAB_TL_EV_ANSWER ? 2 : 1;
	struct rtclab_signal *sig = rtclab_signal_parse((const char *)p->bytes, p->len);
	if (!sig)
		return 1;
	int score = 1;
	for (size_t i = 0; i < sig->n_items && i < RTCLAB_SIGNAL_MAX_ITEMS; i++) {
		enum rtclab_signal_kind sk = sig->items[i].kind;
		bool fit = k == RTCLAB_TL_EV_OFFER ? sk == RTCLAB_SIGNAL_OFFER
			 : k == RTCLAB_TL_EV_ANSWER ? sk == RTCLAB_SIGNAL_ANSWER || sk == RTCLAB_SIGNAL_PRANSWER
			 : k == RTCLAB_TL_EV_CANDIDATE ? sk == RTCLAB_SIGNAL_CANDIDATE
			 : k == RTCLAB_TL_EV_END_OF_CANDIDATES ? sk == RTCLAB_SIGNAL_END_OF_CANDIDATES
						      : sk == RTCLAB_SIGNAL_OTHER || sk == RTCLAB_SIGNAL_ROLLBACK;
		if (fit)
			score = 2;
	}
	rtclab_signal_free(sig);
	return score;
}

/* How well a datagram fits the step: 0 not at all; a transaction ID that
 * matches the step's check wins. */
static int datagram_score(const struct tui_payload *p, const struct rtclab_tl_step *st, enum want w,
			  const struct rtclab_tl_check *c, struct rtclab_demux *dx)
{
	if (p->kind != TUI_PL_DATAGRAM)
		return 0;
	bool guessed;
	decode(p, dx, &guessed);
	enum rtclab_demux_proto o = dx->outer.proto,
				i = dx->via != RTCLAB_TUNNEL_NONE ? dx->inner.proto : RTCLAB_DEMUX_NONE;
	if (w == WANT_DTLS)
		return o == RTCLAB_DEMUX_DTLS || i == RTCLAB_DEMUX_DTLS ? 2 : 0;
	if (w == WANT_MEDIA) {
		if (o == RTCLAB_DEMUX_RTP || o == RTCLAB_DEMUX_RTCP || i == RTCLAB_DEMUX_RTP || i == RTCLAB_DEMUX_RTCP)
			return 2;
		return o == RTCLAB_DEMUX_DTLS || i == RTCLAB_DEMUX_DTLS || o == RTCLAB_DEMUX_CHANNELDATA ? 1 : 0;
	}
	const struct rtclab_demux_result *r = stun_subject(dx, st->kind);
	if (!r)
		return 0;
	const struct rtclab_stun_msg *m = &r->u.stun;
	int score = 1;
	if (c && m->transaction_id_len == 12 && memcmp(m->transaction_id, c->transaction_id, 12) == 0)
		score += 8;
	switch (st->kind) {
	case RTCLAB_TL_EV_CHECK:
	case RTCLAB_TL_EV_CONSENT:
		score += m->cls == RTCLAB_STUN_REQUEST ? 2 : 0;
		break;
	case RTCLAB_TL_EV_CHECK_RESPONSE:
		score += m->cls == RTCLAB_STUN_SUCCESS || m->cls == RTCLAB_STUN_ERROR ? 2 : 0;
		break;
	case RTCLAB_TL_EV_NOMINATION:
		score += m->cls == RTCLAB_STUN_SUCCESS ? 2 : 0;
		break;
	case RTCLAB_TL_EV_ROLE_CONFLICT:
		score += m->cls == RTCLAB_STUN_ERROR ? 2 : 0;
		break;
	default: {
		/* "Binding request from ...", "Allocate error 401": the method and class named */
		const char *method = rtclab_stun_method_name(m->method);
		score += method && strstr(st->what, method) ? 1 : 0;
		score += strstr(st->what, rtclab_stun_class_name(m->cls)) ? 1 : 0;
		break;
	}
	}
	return score;
}

/* The message that made step i, or NULL (a step that no message made:
 * descriptions set, a NAT's decision, a supplied description).  *n_frame:
 * the messages at the step's frame. */
static const struct tui_payload *pick_payload(const struct tui_model *m, const struct rtclab_tl_session *s, size_t i,
					      size_t *n_frame)
{
	const struct rtclab_tl_step *st = &s->steps[i];
	*n_frame = 0;
	if (!m || !st->frame)
		return NULL;
	size_t n = 0;
	const struct tui_payload *v = tui_model_payloads(m, st, &n);
	if (!v || n == 0)
		return NULL;
	*n_frame = n;
	enum want w = want_of(st->kind);
	if (w == WANT_NONE)
		return NULL;
	if (n == 1) {
		if (w == WANT_SIGNAL)
			return v[0].kind == TUI_PL_SIGNAL ? &v[0] : NULL;
		if (v[0].kind != TUI_PL_DATAGRAM)
			return NULL;
	}
	size_t n_signal = 0;
	for (size_t k = 0; k < n; k++)
		n_signal += v[k].kind == TUI_PL_SIGNAL;
	int *score = calloc(n, sizeof *score);
	struct rtclab_demux *dx = w == WANT_SIGNAL ? NULL : malloc(sizeof *dx);
	if (!score || (w != WANT_SIGNAL && !dx)) {
		free(score);
		free(dx);
		return NULL;
	}
	const struct rtclab_tl_check *c = step_check(s, st);
	int best = 0;
	for (size_t k = 0; k < n; k++) {
		score[k] = w == WANT_SIGNAL ? signal_score(&v[k], st->kind, n_signal > 1) : datagram_score(&v[k], st, w, c, dx);
		if (score[k] > best)
			best = score[k];
	}
	free(dx);
	const struct tui_payload *pick = NULL;
	if (best > 0) {
		/* Steps of one kind at one frame (two candidates in one TCP
		 * segment) take the messages in turn. */
		size_t ordinal = 0, count = 0;
		for (size_t j = i; j-- > 0 && s->steps[j].time_ns == st->time_ns;)
			ordinal += s->steps[j].frame == st->frame && s->steps[j].kind == st->kind;
		for (size_t k = 0; k < n; k++)
			count += score[k] == best;
		ordinal = best >= 9 ? 0 : ordinal % count;
		for (size_t k = 0; k < n && !pick; k++)
			if (score[k] == best && ordinal-- == 0)
				pick = &v[k];
	}
	free(score);
	return pick;
}

/* --- detail: STUN --------------------------------------------------------------------------- */

/* The field of the byte at off (relative to the message): an attribute, or the header. */
static int field_at(const struct rtclab_stun_msg *msg, int f0, size_t off)
{
	for (size_t k = 0; k < msg->n_attrs; k++) {
		const struct rtclab_stun_attr *a = &msg->attrs[k];
		size_t end = (size_t)a->offset + 4 + a->length + (4 - a->length % 4) % 4;
		if (off >= a->offset && off < end)
			return f0 + 1 + (int)k;
	}
	return off < RTCLAB_STUN_HEADER_SIZE ? f0 : -1;
}

static size_t leading_spaces(const char *s)
{
	size_t n = 0;
	while (s[n] == ' ')
		n++;
	return n;
}

/* The tree print_stun_text() writes (unwrapped), turned into lines: each
 * marked with its field, explanations dim, each attribute's value joined to
 * its heading, then wrapped at width. */
static void stun_tree_lines(struct tui_lines *out, int width, const struct rtclab_stun_msg *msg, int f0)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	if (!f) {
		tui_lines_add(out, TUI_A_BAD, -1, "%s", "(out of memory)");
		return;
	}
	struct style st = {false, 1 << 20}; /* one line per explanation: wrapped here */
	print_stun_text(f, &st, msg, NULL, true);
	if (fclose(f) != 0 || !text) {
		free(text);
		return;
	}
	enum { TOP, HEADER, ATTRS, PROBLEMS } section = TOP;
	int cur = -1;           /* the field of the attribute being shown */
	char *pending = NULL;   /* an attribute's heading, waiting for its value */
	bool first = true;
	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		size_t ind = leading_spaces(line);
		const char *body = line + ind;
		if (first) {
			tui_lines_add(out, TUI_A_BOLD, f0, "%s", line);
			first = false;
			continue;
		}
		if (pending && !(section == ATTRS && ind == 11)) {
			tui_lines_wrap_hanging(out, TUI_A_NORMAL, cur, 4, 11, width, pending);
			pending = NULL;
		}
		if (ind == 2) {
			if (strncmp(body, "Header (", 8) == 0) {
				section = HEADER;
				tui_lines_add(out, TUI_A_BOLD, f0, "  %s", body);
			} else if (strncmp(body, "Attributes (", 12) == 0) {
				section = ATTRS;
				tui_lines_add(out, TUI_A_BOLD, -1, "  %s", body);
			} else if (strncmp(body, "Problems", 8) == 0) {
				section = PROBLEMS;
				bool none = strstr(body, "none") != NULL;
				tui_lines_add(out, none ? TUI_A_GOOD : TUI_A_BAD, -1, "  %s", body);
			} else if (section == TOP && strncmp(body, "Step ", 5) == 0) {
				tui_lines_add(out, TUI_A_DIM, -1, "  %s", body);
			} else {
				tui_lines_wrap(out, TUI_A_DIM, section == HEADER ? f0 : -1, 2, width, body);
			}
			continue;
		}
		switch (section) {
		case HEADER:
			if (ind >= 20)
				tui_lines_wrap(out, TUI_A_DIM, f0, 20, width, body);
			else
				tui_lines_wrap_hanging(out, TUI_A_NORMAL, f0, (int)ind, 20, width, body);
			break;
		case ATTRS:
			if (ind == 4 && body[0] == '@') {
				cur = field_at(msg, f0, strtoul(body + 1, NULL, 10));
				pending = line + ind;
			} else if (ind == 11 && pending) {
				/* the value on the heading's line:
				 * "@20   XOR-MAPPED-ADDRESS (0x0020), 8 bytes: IPv4 192.0.2.1:32853 (...)" */
				bool bad = strncmp(body, "malformed", 9) == 0;
				size_t len = strlen(pending) + strlen(body) + 3;
				char *joined = malloc(len);
				if (joined) {
					snprintf(joined, len, "%s: %s", pending, body);
					tui_lines_wrap_hanging(out, bad ? TUI_A_BAD : TUI_A_NORMAL, cur, 4, 11, width, joined);
					free(joined);
				}
				pending = NULL;
			} else if (ind >= 11) {
				tui_lines_wrap(out, TUI_A_DIM, cur, 11, width, body);
			} else {
				tui_lines_wrap(out, TUI_A_DIM, -1, (int)ind, width, body);
			}
			break;
		case PROBLEMS: {
			int pf = body[0] == '@' ? field_at(msg, f0, strtoul(body + 1, NULL, 10)) : -1;
			tui_lines_wrap_hanging(out, TUI_A_BAD, pf, (int)ind, (int)ind + 6, width, body);
			break;
		}
		default:
			tui_lines_wrap(out, ind ? TUI_A_DIM : TUI_A_BOLD, -1, (int)ind, width, body);
			break;
		}
	}
	if (pending)
		tui_lines_wrap_hanging(out, TUI_A_NORMAL, cur, 4, 11, width, pending);
	free(text);
}

/* The name of the peer whose ice-pwd this is ("B"), or NULL. */
static const char *pwd_owner(const struct rtclab_tl_session *s, const char *pwd)
{
	for (size_t k = 0; k < s->n_peers && k < 2; k++)
		if (s->peers[k].has_pwd && (pwd == s->peers[k].pwd || strcmp(pwd, s->peers[k].pwd) == 0))
			return s->peers[k].name;
	return NULL;
}

static int attr_field(const struct rtclab_stun_msg *msg, int f0, size_t offset)
{
	return offset == SIZE_MAX ? -1 : field_at(msg, f0, offset);
}

/* The ice-pwd a check's message is signed with, from the step itself: a
 * request with its receiver's, a response with its sender's (the receiver
 * of the request).  NULL when not known. */
static const char *step_pwd(const struct rtclab_tl_session *s, const struct rtclab_tl_step *st,
			    const struct rtclab_stun_msg *msg)
{
	int node = msg->cls == RTCLAB_STUN_REQUEST || msg->cls == RTCLAB_STUN_INDICATION ? st->to : st->from;
	if (node < 0 || (size_t)node >= s->n_nodes || s->nodes[node].kind != RTCLAB_TL_NODE_PEER)
		return NULL;
	int p = s->nodes[node].peer;
	return p >= 0 && p < 2 && (size_t)p < s->n_peers && s->peers[p].has_pwd ? s->peers[p].pwd : NULL;
}

/* The receiver's ufrag a request names (USERNAME "receiver:sender") is not
 * the current one of the password's owner: a check of an earlier ICE
 * generation, before a restart. */
static bool earlier_generation(const struct rtclab_tl_session *s, const struct rtclab_stun_msg *msg, const char *pwd)
{
	const struct rtclab_stun_attr *u = rtclab_stun_find(msg, RTCLAB_STUN_ATTR_USERNAME);
	if (!u || !u->ok || s->n_generations < 2)
		return s->n_generations > 1 && msg->cls != RTCLAB_STUN_REQUEST;
	const uint8_t *colon = memchr(u->v.text.ptr, ':', u->v.text.len);
	size_t n = colon ? (size_t)(colon - u->v.text.ptr) : u->v.text.len;
	for (size_t k = 0; k < s->n_peers && k < 2; k++)
		if (s->peers[k].has_pwd && strcmp(s->peers[k].pwd, pwd) == 0)
			return strlen(s->peers[k].ufrag) != n || memcmp(s->peers[k].ufrag, u->v.text.ptr, n) != 0;
	return false;
}

/* MESSAGE-INTEGRITY with the ice-pwd of the peer that checks it, and
 * FINGERPRINT. */
/* A TURN message signed with long-term credentials (RFC 8489 9.2): in a
 * simulation the scenario names the server's users, so each is tried with
 * the server's realm; a capture does not hold the password. */
static void turn_integrity_lines(struct tui_lines *out, int width, const struct tui_model *m,
				 const struct tui_payload *p, const struct rtclab_stun_msg *msg, int fmi)
{
	const struct rtclab_scenario *sc = m ? m->scenario : NULL;
	char text[400];
	for (size_t i = 0; sc && i < sc->n_servers; i++) {
		const struct rtclab_scn_server *sv = &sc->servers[i];
		if (sv->type != RTCLAB_SCN_TURN || !sv->realm ||
		    !(rtclab_addr_equal(&sv->addr, &p->dst) || rtclab_addr_equal(&sv->addr, &p->src)))
			continue;
		for (size_t u = 0; u < sv->n_users; u++) {
			struct rtclab_stun_credentials cred = {sv->users[u].password, sv->users[u].username, sv->realm,
							       true};
			struct rtclab_stun_verdict v;
			rtclab_stun_verify(msg, &cred, &v);
			if (v.integrity == RTCLAB_STUN_CHECK_OK) {
				snprintf(text, sizeof text,
					 "MESSAGE-INTEGRITY: verified with the long-term key of user \"%s\" (MD5 of "
					 "username:realm:password, realm \"%s\"; the scenario's server %s).",
					 sv->users[u].username, sv->realm, sv->name);
				tui_lines_wrap(out, TUI_A_GOOD, fmi, 4, width, text);
				return;
			}
		}
		snprintf(text, sizeof text,
			 "MESSAGE-INTEGRITY: does not verify with any user of the scenario's TURN server %s (realm \"%s\").",
			 sv->name, sv->realm);
		tui_lines_wrap(out, TUI_A_BAD, fmi, 4, width, text);
		return;
	}
	tui_lines_wrap(out, TUI_A_NORMAL, fmi, 4, width,
		       "MESSAGE-INTEGRITY: not checked: TURN uses long-term credentials (a username, the server's "
		       "realm and a password), not an ICE password, and the capture does not hold that password.");
}

static void stun_verdict_lines(struct tui_lines *out, int width, const struct tui_model *m,
			       const struct rtclab_tl_session *s, const struct tui_payload *p,
			       const struct rtclab_stun_msg *msg, int f0, const struct rtclab_tl_step *st)
{
	if (msg->size < RTCLAB_STUN_HEADER_SIZE || (msg->data[0] & 0xC0))
		return;
	bool ice = msg->method == RTCLAB_STUN_BINDING || msg->method == RTCLAB_STUN_GOOG_PING;
	size_t mi_off = msg->integrity_offset != SIZE_MAX	 ? msg->integrity_offset
			: msg->integrity_sha256_offset != SIZE_MAX ? msg->integrity_sha256_offset
								   : msg->integrity_32_offset;
	int fmi = attr_field(msg, f0, mi_off), ffp = attr_field(msg, f0, msg->fingerprint_offset);
	bool check = ice && (is_check_kind(st->kind) || rtclab_stun_find(msg, RTCLAB_STUN_ATTR_PRIORITY));
	/* the password: as the model finds it for this message, else as the step says */
	const char *pwds[2] = {NULL, NULL};
	if (ice && mi_off != SIZE_MAX) {
		pwds[0] = tui_model_pwd_for(s, p);
		pwds[1] = is_check_kind(st->kind) ? step_pwd(s, st, msg) : NULL;
		if (pwds[1] && pwds[0] && strcmp(pwds[0], pwds[1]) == 0)
			pwds[1] = NULL;
		if (!pwds[0]) {
			pwds[0] = pwds[1];
			pwds[1] = NULL;
		}
	}
	struct rtclab_stun_verdict v;
	const char *pwd = pwds[0];
	for (int k = 0; k < 2; k++) {
		if (k == 1 && !pwds[1])
			break;
		struct rtclab_stun_credentials cred = {pwds[k], NULL, NULL, false};
		rtclab_stun_verify(msg, pwds[k] ? &cred : NULL, &v);
		pwd = pwds[k];
		if (v.integrity == RTCLAB_STUN_CHECK_OK)
			break;
	}
	if (pwd && v.integrity != RTCLAB_STUN_CHECK_OK && pwds[0] != pwd) {
		/* neither verifies: say it with the first */
		struct rtclab_stun_credentials cred = {pwds[0], NULL, NULL, false};
		rtclab_stun_verify(msg, &cred, &v);
		pwd = pwds[0];
	}
	/* what the timeline found when it read the message (it knows every generation's password) */
	const struct rtclab_tl_check *c = check ? step_check(s, st) : NULL;
	enum rtclab_tl_auth tl_auth = !c ? RTCLAB_TL_AUTH_UNKNOWN
				      : msg->cls == RTCLAB_STUN_REQUEST ? c->request_auth
									  : c->response_auth;
	tui_lines_add(out, TUI_A_BOLD, -1, "%s", "  Integrity and fingerprint");
	char text[400];
	const struct rtclab_stun_attr *ec = rtclab_stun_find(msg, RTCLAB_STUN_ATTR_ERROR_CODE);
	if (mi_off == SIZE_MAX) {
		if (check && msg->cls == RTCLAB_STUN_ERROR && ec && ec->ok && (ec->v.error.code == 400 || ec->v.error.code == 401))
			tui_lines_wrap(out, TUI_A_NORMAL, -1, 4, width,
				       "MESSAGE-INTEGRITY: none, as it should be: the responder could not authenticate the "
				       "request (a USERNAME or MESSAGE-INTEGRITY it does not know), so it cannot sign its "
				       "answer (RFC 8489 9.1.3).");
		else if (check)
			tui_lines_wrap(out, TUI_A_WARN, -1, 4, width,
				       "MESSAGE-INTEGRITY: absent. ICE signs every check and its response with the "
				       "receiver's ice-pwd (RFC 8445 7.2.2); without it anyone could have sent this.");
		else if (ice)
			tui_lines_wrap(out, TUI_A_NORMAL, -1, 4, width,
				       "MESSAGE-INTEGRITY: none, as usual with a STUN server: a Binding request to learn "
				       "one's public address needs no credentials.");
		else
			tui_lines_wrap(out, TUI_A_NORMAL, -1, 4, width,
				       "MESSAGE-INTEGRITY: none (a TURN request before the server's 401 challenge, the "
				       "challenge itself, and Send and Data indications carry none).");
	} else if (!ice) {
		turn_integrity_lines(out, width, m, p, msg, fmi);
	} else if (!pwd) {
		tui_lines_wrap(out, TUI_A_WARN, fmi, 4, width,
			       "MESSAGE-INTEGRITY: not checked: no password. The ice-pwd of the peer this message is "
			       "checked by is not known (its description is not in the capture; supply it with --sdp).");
	} else {
		const char *who = pwd_owner(s, pwd);
		char whose[64];
		if (who)
			snprintf(whose, sizeof whose, "%s's ice-pwd", who);
		else
			snprintf(whose, sizeof whose, "the ice-pwd");
		if (v.key_error != RTCLAB_STUN_OK) {
			snprintf(text, sizeof text, "MESSAGE-INTEGRITY: not checked: no key could be made from %s (%s).",
				 whose, rtclab_stun_error_str(v.key_error));
			tui_lines_wrap(out, TUI_A_WARN, fmi, 4, width, text);
		} else if (v.integrity == RTCLAB_STUN_CHECK_OK) {
			snprintf(text, sizeof text, "MESSAGE-INTEGRITY: verified with %s", whose);
			tui_lines_wrap(out, TUI_A_GOOD, fmi, 4, width, text);
			tui_lines_wrap(out, TUI_A_DIM, fmi, 6, width,
				       msg->cls == RTCLAB_STUN_REQUEST
					       ? "The sender knows the receiver's password, learnt from its description: "
						 "proof that the check belongs to this session (short-term credentials, "
						 "RFC 8489 9.1)."
					       : "A response is signed with the same password as its request: the "
						 "responder's own ice-pwd (short-term credentials, RFC 8489 9.1).");
		} else if (tl_auth == RTCLAB_TL_AUTH_OK) {
			snprintf(text, sizeof text,
				 "MESSAGE-INTEGRITY: verified with the ice-pwd of an earlier ICE generation (checked as the "
				 "input was read); %s is the one from after the ICE restart, and does not match it.",
				 whose);
			tui_lines_wrap(out, TUI_A_GOOD, fmi, 4, width, text);
		} else if (earlier_generation(s, msg, pwd)) {
			snprintf(text, sizeof text,
				 "MESSAGE-INTEGRITY: not checked: this message belongs to an ICE generation before the "
				 "restart, whose ice-pwd is not kept (%s is the current one).",
				 whose);
			tui_lines_wrap(out, TUI_A_WARN, fmi, 4, width, text);
		} else {
			snprintf(text, sizeof text,
				 "MESSAGE-INTEGRITY: does not verify with %s: the HMAC does not match (a wrong password, "
				 "or the message was altered on the way)",
				 whose);
			tui_lines_wrap(out, TUI_A_BAD, fmi, 4, width, text);
		}
	}
	if (v.fingerprint == RTCLAB_STUN_CHECK_OK)
		tui_lines_wrap(out, TUI_A_GOOD, ffp, 4, width,
			       "FINGERPRINT: ok (the CRC-32 of the message XOR 0x5354554e matches)");
	else if (v.fingerprint == RTCLAB_STUN_CHECK_BAD)
		tui_lines_wrap(out, TUI_A_BAD, ffp, 4, width,
			       "FINGERPRINT: bad (the CRC-32 does not match: the message was damaged, or is not STUN)");
	else if (check)
		tui_lines_wrap(out, TUI_A_WARN, -1, 4, width,
			       "FINGERPRINT: absent (ICE requires one on every check, RFC 8445 7.2.2)");
	else
		tui_lines_wrap(out, TUI_A_DIM, -1, 4, width, "FINGERPRINT: none");
}

/* Fields and lines of one STUN message starting at base in the payload. */
static void stun_block(struct tui_lines *out, struct tui_fields *fields, int width, const struct tui_model *m,
		       const struct rtclab_tl_session *s, const struct tui_payload *p, const struct rtclab_stun_msg *msg, size_t base, const char *prefix,
		       const struct rtclab_tl_step *st)
{
	int f0 = (int)fields->n;
	char name[64];
	snprintf(name, sizeof name, "%sheader", prefix);
	tui_fields_add(fields, base, msg->size < RTCLAB_STUN_HEADER_SIZE ? msg->size : RTCLAB_STUN_HEADER_SIZE, name);
	for (size_t k = 0; k < msg->n_attrs; k++) {
		const struct rtclab_stun_attr *a = &msg->attrs[k];
		size_t len = 4 + (size_t)a->length + (4 - a->length % 4) % 4;
		if (a->offset >= msg->size)
			len = 0;
		else if (a->offset + len > msg->size)
			len = msg->size - a->offset;
		const char *an = rtclab_stun_attr_name(a->type);
		if (an)
			snprintf(name, sizeof name, "%s%s", prefix, an);
		else
			snprintf(name, sizeof name, "%sattribute 0x%04x", prefix, a->type);
		tui_fields_add(fields, base + a->offset, len, name);
	}
	stun_tree_lines(out, width, msg, f0);
	stun_verdict_lines(out, width, m, s, p, msg, f0, st);
}

/* --- detail: ChannelData, DTLS, RTP, RTCP ---------------------------------------------------- */

static void problems_lines(struct tui_lines *out, int width, const struct rtclab_demux_problems *pr)
{
	char text[256];
	if (pr->total == 0)
		return;
	tui_lines_add(out, TUI_A_BAD, -1, "  Problems     %zu", pr->total);
	for (size_t k = 0; k < pr->n && k < RTCLAB_DEMUX_MAX_PROBLEMS; k++)
		tui_lines_wrap(out, TUI_A_BAD, -1, 4, width, rtclab_demux_problem_format(&pr->p[k], text, sizeof text));
	if (pr->total > pr->n)
		tui_lines_add(out, TUI_A_BAD, -1, "    ... and %zu more", pr->total - pr->n);
}

static void channeldata_block(struct tui_lines *out, struct tui_fields *fields, int width,
			      const struct rtclab_channeldata *cd, size_t base, bool guessed)
{
	int f = (int)fields->n;
	tui_fields_add(fields, base, cd->size < 4 ? cd->size : 4, "ChannelData header");
	if (cd->size < RTCLAB_CHANNELDATA_HEADER_SIZE) {
		tui_lines_add(out, TUI_A_BOLD, f, "%s", "TURN ChannelData, cut short before the end of its 4-byte header");
		return;
	}
	tui_fields_add(fields, base + 4, cd->data.len, "data");
	if (cd->padding)
		tui_fields_add(fields, base + 4 + cd->data.len, cd->padding, "padding");
	tui_lines_add(out, TUI_A_BOLD, f, "TURN ChannelData, channel 0x%04x, %u data byte%s", cd->channel, cd->length,
		      cd->length == 1 ? "" : "s");
	tui_lines_wrap(out, TUI_A_DIM, -1, 2, width,
		       "Data relayed through a TURN server on a bound channel (RFC 8656 12): a 4-byte header "
		       "replaces the 36 bytes of a Send or Data indication. What it carries is whatever the peers "
		       "exchange: ICE checks, DTLS, then SRTP or SCTP.");
	tui_lines_add(out, TUI_A_NORMAL, f, "    channel   0x%04x: %s", cd->channel, rtclab_channel_range_str(cd->range));
	if (guessed)
		tui_lines_wrap(out, TUI_A_WARN, f, 14, width,
			       "(a channel above 0x4FFF is ChannelData only once a ChannelBind bound it; taken as "
			       "ChannelData here because its length field fits the datagram)");
	tui_lines_add(out, TUI_A_NORMAL, f, "    length    %u bytes of data follow the header", cd->length);
	tui_lines_add(out, TUI_A_NORMAL, f + 1, "    data      bytes %zu-%zu", base + 4,
		      base + 4 + (cd->data.len ? cd->data.len - 1 : 0));
	if (cd->padding)
		tui_lines_add(out, TUI_A_NORMAL, f + 2, "    padding   %zu byte%s to a multiple of 4", cd->padding,
			      cd->padding == 1 ? "" : "s");
	char text[256];
	for (size_t k = 0; k < cd->n_problems && k < 4; k++)
		tui_lines_wrap(out, TUI_A_BAD, -1, 4, width, rtclab_stun_problem_format(&cd->problems[k], text, sizeof text));
}

static void dtls_block(struct tui_lines *out, struct tui_fields *fields, int width, const struct rtclab_dtls *d,
		       size_t base, struct rtclab_bytes data)
{
	char label[96], name[64];
	tui_lines_add(out, TUI_A_BOLD, -1, "DTLS: %zu record%s", d->n_records_total, d->n_records_total == 1 ? "" : "s");
	for (size_t k = 0; k < d->n_records && k < RTCLAB_DTLS_MAX_RECORDS; k++) {
		const struct rtclab_dtls_record *r = &d->records[k];
		int f = (int)fields->n;
		/* from its first byte to the end of its body (a unified header has no fixed size) */
		size_t len = 0;
		if (r->offset < data.len) {
			len = data.len - r->offset;
			if (r->body.ptr >= data.ptr && r->body.ptr <= data.ptr + data.len) {
				size_t end = (size_t)(r->body.ptr - data.ptr) + r->body.len;
				if (end >= r->offset && end <= data.len)
					len = end - r->offset;
			}
		}
		rtclab_dtls_record_label(r, label, sizeof label);
		snprintf(name, sizeof name, "record %zu: %.40s", k + 1, label);
		tui_fields_add(fields, base + r->offset, len, name);
		tui_lines_add(out, TUI_A_BOLD, f, "  Record %zu @%" PRIu32 ": %s", k + 1, r->offset, label);
		if (r->unified) {
			tui_lines_add(out, TUI_A_NORMAL, f, "    unified header (DTLS 1.3): epoch bits %u, %u-bit sequence number, %s",
				      r->epoch, r->sequence_bits, r->has_cid ? "a connection ID" : "no connection ID");
			tui_lines_add(out, TUI_A_NORMAL, f, "    length %u", r->length);
		} else {
			const char *ct = rtclab_dtls_content_type_name(r->content_type);
			const char *ver = rtclab_dtls_version_name(r->version);
			tui_lines_add(out, TUI_A_NORMAL, f, "    content type %u (%s), version 0x%04x (%s)", r->content_type,
				      ct ? ct : "unknown", r->version, ver ? ver : "unknown");
			tui_lines_add(out, TUI_A_NORMAL, f, "    epoch %u, sequence number %" PRIu64 ", length %u%s", r->epoch,
				      r->sequence, r->length, r->encrypted ? ", encrypted" : "");
		}
		for (size_t h = 0; h < r->n_handshakes && h < RTCLAB_DTLS_MAX_HANDSHAKES; h++) {
			const struct rtclab_dtls_handshake *hs = &r->handshakes[h];
			const char *hn = rtclab_dtls_handshake_type_name(hs->type);
			tui_lines_add(out, TUI_A_NORMAL, f,
				      "    handshake %s (type %u): message_seq %u, length %" PRIu32 ", fragment %" PRIu32
				      "+%" PRIu32,
				      hn ? hn : "unknown", hs->type, hs->message_seq, hs->length, hs->fragment_offset,
				      hs->fragment_length);
		}
		if (r->n_handshakes_total > r->n_handshakes)
			tui_lines_add(out, TUI_A_NORMAL, f, "    ... %zu more handshake messages",
				      r->n_handshakes_total - r->n_handshakes);
		if (r->has_alert) {
			const char *an = rtclab_dtls_alert_name(r->alert_description);
			tui_lines_add(out, r->alert_level == 2 ? TUI_A_BAD : TUI_A_WARN, f, "    alert: %s, %s (%u)",
				      r->alert_level == 2 ? "fatal" : "warning", an ? an : "unknown", r->alert_description);
		}
		tui_lines_wrap(out, TUI_A_DIM, f, 4, width, rtclab_dtls_record_explain(r));
	}
	if (d->n_records_total > d->n_records)
		tui_lines_add(out, TUI_A_NORMAL, -1, "  ... %zu more records", d->n_records_total - d->n_records);
	problems_lines(out, width, &d->problems);
}

static void rtp_block(struct tui_lines *out, struct tui_fields *fields, int width, const struct rtclab_rtp *r,
		      size_t base)
{
	int f = (int)fields->n;
	tui_fields_add(fields, base, r->header_size, "RTP header");
	tui_fields_add(fields, base + r->header_size, r->payload.len, "payload");
	tui_lines_add(out, TUI_A_BOLD, f, "RTP packet: payload type %u, sequence number %u", r->payload_type, r->seq);
	tui_lines_add(out, TUI_A_NORMAL, f, "    version %u, padding %s, extension %s, marker %s, %u CSRC%s", r->version,
		      r->padding ? "yes" : "no", r->extension ? "yes" : "no", r->marker ? "yes" : "no", r->csrc_count,
		      r->csrc_count == 1 ? "" : "s");
	tui_lines_add(out, TUI_A_NORMAL, f, "    payload type %u: the codec the SDP's a=rtpmap gives this number", r->payload_type);
	tui_lines_add(out, TUI_A_NORMAL, f, "    sequence number %u, timestamp %" PRIu32 ", SSRC 0x%08" PRIx32, r->seq,
		      r->timestamp, r->ssrc);
	for (unsigned k = 0; k < r->csrc_count && k < 15; k++)
		tui_lines_add(out, TUI_A_NORMAL, f, "    CSRC 0x%08" PRIx32, r->csrc[k]);
	if (r->extension) {
		char ids[160] = "";
		size_t o = 0;
		for (size_t k = 0; k < r->n_ext_ids && k < RTCLAB_RTP_MAX_EXTENSIONS && o < sizeof ids - 16; k++)
			o += (size_t)snprintf(ids + o, sizeof ids - o, "%s%u (%u bytes)", k ? ", " : "", r->ext_ids[k],
					      r->ext_lens[k]);
		tui_lines_add(out, TUI_A_NORMAL, f, "    header extension: profile 0x%04x, %u words%s%s", r->ext_profile,
			      r->ext_words, o ? ", ids " : "", ids);
	}
	tui_lines_add(out, TUI_A_NORMAL, f + 1, "    payload: %zu bytes", r->payload.len);
	if (r->padding)
		tui_lines_add(out, TUI_A_NORMAL, f, "    padding: %u bytes", r->padding_len);
	tui_lines_wrap(out, TUI_A_DIM, -1, 4, width,
		       "SRTP (RFC 3711) encrypts only the payload: the 12-byte header stays in the clear so the "
		       "receiver can order packets and find the key (by SSRC). The payload ends with the "
		       "authentication tag.");
	problems_lines(out, width, &r->problems);
}

static void rtcp_block(struct tui_lines *out, struct tui_fields *fields, int width, const struct rtclab_rtcp *r,
		       size_t base, size_t size)
{
	char name[64];
	tui_lines_add(out, TUI_A_BOLD, -1, "RTCP: %zu packet%s%s", r->n_packets_total, r->n_packets_total == 1 ? "" : "s",
		      r->srtcp ? " (SRTCP: encrypted after the first 8 bytes)" : "");
	for (size_t k = 0; k < r->n_packets && k < RTCLAB_RTCP_MAX_PACKETS; k++) {
		const struct rtclab_rtcp_packet *p = &r->packets[k];
		const char *tn = rtclab_rtcp_type_name(p->type), *fb = rtclab_rtcp_fmt_name(p);
		size_t len = ((size_t)p->length + 1) * 4;
		if (p->offset >= size)
			len = 0;
		else if (p->offset + len > size)
			len = size - p->offset;
		int f = (int)fields->n;
		snprintf(name, sizeof name, "RTCP %s", tn ? tn : "packet");
		tui_fields_add(fields, base + p->offset, len, name);
		tui_lines_add(out, TUI_A_NORMAL, f, "  Packet %zu @%" PRIu32 ": %s (type %u)%s%s, count/format %u, %u words", k + 1,
			      p->offset, tn ? tn : "unknown", p->type, fb ? " " : "", fb ? fb : "", p->count, p->length + 1);
		if (p->has_ssrc)
			tui_lines_add(out, TUI_A_NORMAL, f, "    sender SSRC 0x%08" PRIx32 "%s", p->ssrc, p->remb ? " (REMB)" : "");
		if (p->has_media_ssrc)
			tui_lines_add(out, TUI_A_NORMAL, f, "    about media SSRC 0x%08" PRIx32, p->media_ssrc);
	}
	if (r->srtcp_trailer)
		tui_lines_add(out, TUI_A_NORMAL, -1, "  SRTCP trailer @%" PRIu32 ": E flag %s, index %" PRIu32 "%s%s",
			      r->srtcp_trailer_offset, r->srtcp_e ? "set (encrypted)" : "clear", r->srtcp_index,
			      r->srtcp_layout ? ", " : "", r->srtcp_layout ? r->srtcp_layout : "");
	tui_lines_wrap(out, TUI_A_DIM, -1, 2, width,
		       "RTCP reports on the media: sender and receiver reports (loss, jitter, round-trip), and "
		       "feedback such as NACK, PLI and congestion control, on the same port as RTP (rtcp-mux).");
	problems_lines(out, width, &r->problems);
}

/* One demultiplexed result at base in the payload. */
static void result_block(struct tui_lines *out, struct tui_fields *fields, int width, const struct tui_model *m,
			 const struct rtclab_tl_session *s, const struct tui_payload *p, const struct rtclab_demux_result *r, size_t base, bool inner,
			 bool guessed, const struct rtclab_tl_step *st)
{
	switch (r->proto) {
	case RTCLAB_DEMUX_STUN:
		stun_block(out, fields, width, m, s, p, &r->u.stun, base, inner ? "inner " : "", st);
		break;
	case RTCLAB_DEMUX_CHANNELDATA:
		channeldata_block(out, fields, width, &r->u.channeldata, base, guessed);
		break;
	case RTCLAB_DEMUX_DTLS:
		dtls_block(out, fields, width, &r->u.dtls, base, r->bytes);
		break;
	case RTCLAB_DEMUX_RTP:
		rtp_block(out, fields, width, &r->u.rtp, base);
		break;
	case RTCLAB_DEMUX_RTCP:
		rtcp_block(out, fields, width, &r->u.rtcp, base, r->bytes.len);
		break;
	default:
		tui_lines_add(out, TUI_A_BOLD, -1, "%s: %zu bytes, not decoded further", rtclab_demux_proto_name(r->proto),
			      r->bytes.len);
		break;
	}
}

static void detail_datagram(const struct tui_model *m, const struct rtclab_tl_session *s, const struct rtclab_tl_step *st,
			    const struct tui_payload *p, int width, struct tui_lines *out, struct tui_fields *fields)
{
	struct rtclab_demux *dx = malloc(sizeof *dx);
	if (!dx) {
		tui_lines_add(out, TUI_A_BAD, -1, "%s", "(out of memory)");
		return;
	}
	bool guessed;
	decode(p, dx, &guessed);
	tui_lines_wrap(out, TUI_A_DIM, -1, 0, width, dx->outer.why);
	if (dx->outer.proto != RTCLAB_DEMUX_STUN) {
		struct rtclab_story story;
		rtclab_demux_story(&dx->outer, &story);
		if (story.why && story.why[0]) {
			tui_lines_add(out, TUI_A_DIM, -1, "%s", rtclab_step_title(story.step));
			tui_lines_wrap(out, TUI_A_DIM, -1, 2, width, story.why);
		}
	}
	blank(out);
	result_block(out, fields, width, m, s, p, &dx->outer, 0, false, guessed, st);
	if (dx->via != RTCLAB_TUNNEL_NONE) {
		char a[RTCLAB_ADDR_STRLEN];
		const struct rtclab_demux_result *in = &dx->inner;
		blank(out);
		const char *where = dx->via == RTCLAB_TUNNEL_TURN_DATA   ? "Inside the Data indication (from the peer"
				    : dx->via == RTCLAB_TUNNEL_TURN_SEND ? "Inside the Send indication (to the peer"
									 : "Inside the ChannelData message (peer";
		tui_lines_add(out, TUI_A_HEAD, -1, "%s %s): bytes %zu-%zu", where,
			      dx->has_peer ? addr_text(&dx->peer, a, sizeof a) : "not known", in->offset,
			      in->offset + (in->bytes.len ? in->bytes.len - 1 : 0));
		tui_lines_wrap(out, TUI_A_DIM, -1, 2, width, in->why);
		/* The ice-pwd of a tunnelled check: tui_model_pwd_for() reads the
		 * class from the bytes it is given, so give it the inner message,
		 * between the ends the tunnel joins when the peer is known. */
		struct tui_payload q = *p;
		q.bytes = (uint8_t *)(uintptr_t)in->bytes.ptr;
		q.len = in->bytes.len;
		if (dx->has_peer && dx->via == RTCLAB_TUNNEL_TURN_SEND)
			q.dst = dx->peer;
		else if (dx->has_peer && dx->via == RTCLAB_TUNNEL_TURN_DATA)
			q.src = dx->peer;
		result_block(out, fields, width, m, s, &q, in, in->offset, true, false, st);
	}
	free(dx);
}

/* --- detail: signaling ------------------------------------------------------------------------ */

static const char *setup_meaning(enum rtclab_sdp_setup setup)
{
	switch (setup) {
	case RTCLAB_SDP_SETUP_ACTPASS: return "actpass: either DTLS role; the answer picks";
	case RTCLAB_SDP_SETUP_ACTIVE: return "active: this side is the DTLS client (it sends the ClientHello)";
	case RTCLAB_SDP_SETUP_PASSIVE: return "passive: this side is the DTLS server";
	case RTCLAB_SDP_SETUP_HOLDCONN: return "holdconn: no DTLS connection yet";
	default: return "not given";
	}
}

static void sdp_summary(struct tui_lines *out, int width, const struct rtclab_sdp *sdp)
{
	const struct rtclab_sdp_media *m0 = sdp->n_media ? &sdp->media[0] : NULL;
	const struct rtclab_sdp_ice *ice = sdp->ice.ufrag.len || !m0 ? &sdp->ice : &m0->ice;
	char row[600];
	snprintf(row, sizeof row, "ice-ufrag    %.*s", (int)ice->ufrag.len, ice->ufrag.ptr ? ice->ufrag.ptr : "");
	tui_lines_wrap_hanging(out, TUI_A_NORMAL, -1, 4, 17, width, row);
	snprintf(row, sizeof row, "ice-pwd      %.*s", (int)ice->pwd.len, ice->pwd.ptr ? ice->pwd.ptr : "");
	tui_lines_wrap_hanging(out, TUI_A_NORMAL, -1, 4, 17, width, row);
	if (!ice->ufrag.len || !ice->pwd.len)
		tui_lines_add(out, TUI_A_BAD, -1, "%s", "    (no ICE credentials: the peers cannot check any pair)");
	if (ice->options.len)
		tui_lines_add(out, TUI_A_NORMAL, -1, "    ice-options  %.*s", (int)ice->options.len, ice->options.ptr);
	if (sdp->ice.lite)
		tui_lines_add(out, TUI_A_NORMAL, -1, "%s", "    ice-lite     this side only answers checks (RFC 8445 2.5)");
	const struct rtclab_sdp_fingerprint *fp = sdp->has_fingerprint ? &sdp->fingerprint
						  : m0 && m0->has_fingerprint ? &m0->fingerprint
									       : NULL;
	if (fp) {
		snprintf(row, sizeof row, "fingerprint  %.*s %.*s", (int)fp->hash.len, fp->hash.ptr, (int)fp->value.len,
			 fp->value.ptr);
		tui_lines_wrap_hanging(out, TUI_A_NORMAL, -1, 4, 17, width, row);
	}
	else
		tui_lines_add(out, TUI_A_BAD, -1, "%s", "    fingerprint  none: DTLS cannot authenticate the peer");
	enum rtclab_sdp_setup setup = sdp->setup != RTCLAB_SDP_SETUP_UNSET ? sdp->setup : m0 ? m0->setup : sdp->setup;
	snprintf(row, sizeof row, "setup        %s", setup_meaning(setup));
	tui_lines_wrap_hanging(out, TUI_A_NORMAL, -1, 4, 17, width, row);
	for (size_t k = 0; k < sdp->n_media; k++) {
		const struct rtclab_sdp_media *md = &sdp->media[k];
		char codecs[200] = "";
		size_t o = 0;
		for (size_t c = 0; c < md->n_codecs && o < sizeof codecs - 40; c++) {
			const struct rtclab_sdp_codec *cd = &sdp->codecs[md->first_codec + c];
			if (c == 6) {
				o += (size_t)snprintf(codecs + o, sizeof codecs - o, ", +%zu more", md->n_codecs - c);
				break;
			}
			o += (size_t)snprintf(codecs + o, sizeof codecs - o, "%s%.*s", c ? ", " : "", (int)cd->name.len,
					      cd->name.ptr);
		}
		char line[400];
		snprintf(line, sizeof line, "m=%.*s %u %.*s, mid %.*s, %s%s%s%s", (int)md->kind.len, md->kind.ptr, md->port,
			 (int)md->proto.len, md->proto.ptr, md->mid.len ? (int)md->mid.len : 1, md->mid.len ? md->mid.ptr : "-",
			 rtclab_sdp_direction_name(md->direction), md->port == 0 ? " (rejected: port 0)" : "",
			 o ? ": " : "", codecs);
		tui_lines_wrap(out, TUI_A_NORMAL, -1, 4, width, line);
	}
	tui_lines_add(out, TUI_A_NORMAL, -1, "    candidates   %zu in the description%s", sdp->n_candidates,
		      sdp->n_candidates ? "" : " (trickled separately, or none gathered yet)");
}

static void candidate_summary(struct tui_lines *out, int width, const struct rtclab_signal_item *it)
{
	char line[400], a[RTCLAB_ADDR_STRLEN];
	tui_lines_wrap(out, TUI_A_NORMAL, -1, 4, width, it->candidate_text ? it->candidate_text : "");
	if (it->cand_error != RTCLAB_CAND_OK) {
		snprintf(line, sizeof line, "not understood at column %zu: %s", it->cand_column,
			 rtclab_cand_error_str(it->cand_error));
		tui_lines_wrap(out, TUI_A_BAD, -1, 4, width, line);
		return;
	}
	const struct rtclab_candidate *c = &it->candidate;
	const char *addr = c->address_kind == RTCLAB_CAND_ADDR_IPV4 || c->address_kind == RTCLAB_CAND_ADDR_IPV6
				   ? addr_text(&c->ip, a, sizeof a)
				   : NULL;
	if (addr)
		snprintf(line, sizeof line, "%s %s %s, priority %" PRIu32 ", component %u", rtclab_cand_type_name(c->type),
			 c->transport == RTCLAB_CAND_TCP ? "tcp" : "udp", addr, c->priority, c->component);
	else
		snprintf(line, sizeof line, "%s %s %.*s:%u%s, priority %" PRIu32 ", component %u",
			 rtclab_cand_type_name(c->type), c->transport == RTCLAB_CAND_TCP ? "tcp" : "udp",
			 (int)c->address.len, c->address.ptr, c->port,
			 c->address_kind == RTCLAB_CAND_ADDR_MDNS ? " (an mDNS name hiding a private address)" : "",
			 c->priority, c->component);
	tui_lines_wrap(out, TUI_A_NORMAL, -1, 4, width, line);
	if (c->has_raddr) {
		snprintf(line, sizeof line, "related address %.*s:%u (the base it was learnt from)", (int)c->raddr.len,
			 c->raddr.ptr, c->rport);
		tui_lines_wrap(out, TUI_A_NORMAL, -1, 4, width, line);
	}
	if (it->has_sdp_mid || it->sdp_mline_index >= 0) {
		snprintf(line, sizeof line, "for media section mid %s, m-line index %" PRId64,
			 it->has_sdp_mid ? it->sdp_mid : "-", it->sdp_mline_index);
		tui_lines_wrap(out, TUI_A_NORMAL, -1, 4, width, line);
	}
	tui_lines_wrap(out, TUI_A_DIM, -1, 4, width, rtclab_cand_type_explain(c->type));
}

/* Lines of text as sent; a line longer than the pane is cut into pieces,
 * except a JSON string holding an SDP, shown above already. */
static void text_lines(struct tui_lines *out, int width, const char *text, size_t len, bool sdp_shown)
{
	size_t start = 0, shown = 0;
	for (size_t k = 0; k <= len && shown < 20000; k++) {
		if (k < len && text[k] != '\n')
			continue;
		size_t n = k - start;
		const char *ln = text + start;
		start = k + 1;
		if (k == len && n == 0)
			break; /* the text ended with its last line */
		shown++;
		if (n + 2 <= (size_t)width) {
			tui_lines_add(out, TUI_A_NORMAL, -1, "  %.*s", (int)n, ln);
			continue;
		}
		/* an SDP inside a JSON string: "v=0\r\n..." */
		const char *v0 = NULL;
		for (size_t j = 0; j + 7 <= n && !v0; j++)
			if (memcmp(ln + j, "v=0\\r\\n", 7) == 0)
				v0 = ln + j;
		if (v0 && sdp_shown) {
			int keep = (int)(v0 - ln) + 3;
			tui_lines_add(out, TUI_A_NORMAL, -1, "  %.*s... (%zu more characters: the SDP shown above)", keep, ln,
				      n - (size_t)keep);
			continue;
		}
		size_t ind = 0;
		while (ind < n && ln[ind] == ' ')
			ind++;
		size_t room = (size_t)width - 2 > ind + 20 ? (size_t)width - 2 - ind : 20;
		for (size_t o = 0; o < n;) {
			size_t end = o == 0 ? ind + room : o + room;
			if (end >= n)
				end = n;
			/* whole UTF-8 characters: do not cut before a continuation byte */
			while (end < n && end > o + 1 && ((unsigned char)ln[end] & 0xC0) == 0x80)
				end--;
			tui_lines_add(out, TUI_A_NORMAL, -1, "  %*s%.*s", o ? (int)ind : 0, "", (int)(end - o), ln + o);
			o = end;
		}
	}
}

static void detail_signal(const struct rtclab_tl_step *st, const struct tui_payload *p, int width,
			  struct tui_lines *out)
{
	const char *text = (const char *)p->bytes;
	bool body = is_sdp_body(p);
	struct rtclab_signal *sig =
		body ? rtclab_signal_parse_sdp_body(text, p->len,
						    st->kind == RTCLAB_TL_EV_ANSWER ? RTCLAB_SIGNAL_ANSWER : RTCLAB_SIGNAL_OFFER)
		     : rtclab_signal_parse(text, p->len);
	bool sdp_shown = false, is_json = sig && sig->is_json;
	if (sig) {
		for (size_t k = 0; k < sig->n_items && k < RTCLAB_SIGNAL_MAX_ITEMS; k++) {
			const struct rtclab_signal_item *it = &sig->items[k];
			char where[RTCLAB_SIGNAL_PATH_MAX + 32];
			if (it->path[0])
				snprintf(where, sizeof where, " (at %s)", it->path);
			else
				where[0] = '\0';
			switch (it->kind) {
			case RTCLAB_SIGNAL_OFFER:
			case RTCLAB_SIGNAL_ANSWER:
			case RTCLAB_SIGNAL_PRANSWER:
				tui_lines_add(out, TUI_A_HEAD, -1, "An SDP %s%s", rtclab_signal_kind_name(it->kind), where);
				if (it->sdp) {
					rtclab_sdp_lint(it->sdp, it->kind == RTCLAB_SIGNAL_OFFER ? RTCLAB_SDP_ROLE_OFFER
												  : RTCLAB_SDP_ROLE_ANSWER);
					sdp_summary(out, width, it->sdp);
					size_t np = it->sdp->n_problems;
					if (np == 0)
						tui_lines_add(out, TUI_A_GOOD, -1, "%s", "    problems     none");
					for (size_t q = 0; q < np && q < 12; q++) {
						const struct rtclab_sdp_problem *pr = &it->sdp->problems[q];
						char line[300];
						snprintf(line, sizeof line, "line %u:%u: %s: %s", pr->line, pr->column,
							 pr->warning ? "warning" : "error", pr->message);
						tui_lines_wrap(out, pr->warning ? TUI_A_WARN : TUI_A_BAD, -1, 4, width, line);
					}
					if (np > 12)
						tui_lines_add(out, TUI_A_WARN, -1, "    ... and %zu more problems (rtclab sdp lists them)",
							      np - 12);
				}
				if (it->sdp_text) {
					size_t nl = 0;
					for (size_t c = 0; c < it->sdp_len; c++)
						nl += it->sdp_text[c] == '\n';
					tui_lines_add(out, TUI_A_BOLD, -1, "  The SDP (%zu lines)", nl);
					text_lines(out, width, it->sdp_text, it->sdp_len, false);
					sdp_shown = true;
				}
				break;
			case RTCLAB_SIGNAL_CANDIDATE:
				tui_lines_add(out, TUI_A_HEAD, -1, "A trickled ICE candidate%s", where);
				candidate_summary(out, width, it);
				break;
			case RTCLAB_SIGNAL_END_OF_CANDIDATES:
				tui_lines_add(out, TUI_A_HEAD, -1, "End of candidates%s", where);
				tui_lines_wrap(out, TUI_A_DIM, -1, 4, width,
					       "An empty candidate: the sender has gathered all its candidates, so the "
					       "other side knows when no more pairs will come (RFC 8838 4.4).");
				break;
			case RTCLAB_SIGNAL_ROLLBACK:
				tui_lines_add(out, TUI_A_HEAD, -1, "A rollback%s", where);
				tui_lines_wrap(out, TUI_A_DIM, -1, 4, width,
					       "The sender abandons its pending offer and returns to the stable state (RFC 9429 4.1.10.2).");
				break;
			default:
				tui_lines_add(out, TUI_A_HEAD, -1, "%s", "A signaling message of the application");
				tui_lines_wrap(out, TUI_A_DIM, -1, 4, width,
					       "It carries no description and no candidate: the application's own "
					       "messages (joining a room, a ping, a hang-up). WebRTC leaves signaling to "
					       "the application.");
				break;
			}
		}
		if (sig->n_items_total > sig->n_items)
			tui_lines_add(out, TUI_A_NORMAL, -1, "... %zu more items not shown", sig->n_items_total - sig->n_items);
		rtclab_signal_free(sig);
	}
	if (body)
		return; /* the body is the SDP shown */
	blank(out);
	tui_lines_add(out, TUI_A_BOLD, -1, "The message as sent (%zu bytes%s)", p->len,
		      is_json ? ", JSON" : "");
	text_lines(out, width, text, p->len, sdp_shown);
}

/* --- detail: a step without a message of its own ------------------------------------------ */

/* The NAT decision a NAT step tells (same time, same NAT, the same sentence). */
static const struct tui_nat_event *nat_event_of(const struct tui_model *m, const struct rtclab_tl_session *s,
						const struct rtclab_tl_step *st)
{
	if (!m || !m->n_nat || st->from < 0 || (size_t)st->from >= s->n_nodes)
		return NULL;
	const char *name = s->nodes[st->from].name;
	size_t lo = 0, hi = m->n_nat;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->nat[mid].ts_ns < st->time_ns)
			lo = mid + 1;
		else
			hi = mid;
	}
	const struct tui_nat_event *fallback = NULL;
	char why[sizeof st->why];
	for (size_t k = lo; k < m->n_nat && m->nat[k].ts_ns == st->time_ns; k++) {
		const struct tui_nat_event *e = &m->nat[k];
		if (strcmp(e->nat, name) != 0)
			continue;
		rtclab_nat_decision_explain(&e->d, why, sizeof why);
		if (strcmp(why, st->why) == 0)
			return e;
		if (!fallback && e->d.kind != RTCLAB_NAT_OUTBOUND_TRANSLATED && e->d.kind != RTCLAB_NAT_INBOUND_TRANSLATED &&
		    e->d.kind != RTCLAB_NAT_MAPPING_REFRESHED)
			fallback = e;
	}
	return fallback;
}

static void nat_decision_lines(struct tui_lines *out, int width, const struct rtclab_tl_session *s,
			       const struct tui_nat_event *e)
{
	char a[RTCLAB_ADDR_STRLEN], b[RTCLAB_ADDR_STRLEN], t1[32], t2[32];
	const struct rtclab_nat_decision *d = &e->d;
	tui_lines_add(out, TUI_A_BOLD, -1, "The decision of %s", e->nat);
	tui_lines_add(out, TUI_A_NORMAL, -1, "    kind       %s", rtclab_nat_decision_kind_name(d->kind));
	if (d->reason != RTCLAB_NAT_R_NONE)
		tui_lines_add(out, d->kind == RTCLAB_NAT_MAPPING_EXPIRED ? TUI_A_NORMAL : TUI_A_BAD, -1, "    reason     %s",
			      rtclab_nat_reason_name(d->reason));
	tui_lines_add(out, TUI_A_NORMAL, -1, "    packet     %s %s %s %s", l4_name(d->l4), addr_text(&d->inside, a, sizeof a),
		      d->kind == RTCLAB_NAT_INBOUND_FILTERED || d->kind == RTCLAB_NAT_INBOUND_TRANSLATED ? "<-" : "->",
		      addr_text(&d->outside, b, sizeof b));
	if (d->has_mapping) {
		const struct rtclab_nat_mapping_info *mp = &d->mapping;
		int64_t base = e->ts_ns - d->time; /* the simulation's time 0 */
		tui_lines_add(out, TUI_A_NORMAL, -1, "    mapping    #%" PRIu64 " %s -> %s%s", mp->id,
			      addr_text(&mp->internal, a, sizeof a), addr_text(&mp->external, b, sizeof b),
			      mp->translated ? "" : " (a pinhole: no translation)");
		if (d->mapping_behavior != RTCLAB_NAT_EI)
			tui_lines_add(out, TUI_A_NORMAL, -1, "               for %s only (%s mapping)",
				      addr_text(&mp->remote, a, sizeof a), rtclab_nat_behavior_name(d->mapping_behavior));
		tui_lines_add(out, TUI_A_NORMAL, -1, "               created %s, expires %s unless used (idle lifetime %.0f s)",
			      rel_time(t1, sizeof t1, base + mp->created, s->first_ns),
			      rel_time(t2, sizeof t2, base + mp->expires, s->first_ns), (double)mp->lifetime / 1e9);
	} else if (d->external.family) {
		tui_lines_add(out, TUI_A_NORMAL, -1, "    sent to    %s", addr_text(&d->external, a, sizeof a));
	}
	tui_lines_add(out, TUI_A_NORMAL, -1, "    behaviour  mapping %s, filtering %s", rtclab_nat_behavior_name(d->mapping_behavior),
		      rtclab_nat_behavior_name(d->filtering_behavior));
	if (d->firewall != RTCLAB_NAT_FW_NONE)
		tui_lines_add(out, TUI_A_NORMAL, -1, "    firewall   %s", rtclab_nat_firewall_name(d->firewall));
	char why[400];
	rtclab_nat_decision_explain(d, why, sizeof why);
	tui_lines_wrap(out, TUI_A_DIM, -1, 4, width, why);
	if (d->rfc && !strstr(why, d->rfc))
		tui_lines_add(out, TUI_A_DIM, -1, "    (%s)", d->rfc);
}

static void peer_desc_lines(struct tui_lines *out, int width, const struct rtclab_tl_session *s)
{
	char line[800];
	for (size_t k = 0; k < s->n_peers && k < 2; k++) {
		const struct rtclab_tl_peer *p = &s->peers[k];
		snprintf(line, sizeof line, "%s (%s, ICE %s): ufrag %s, ice-pwd %s, setup %s, description from %s%s%s", p->name,
			 rtclab_tl_role_name(p->role), rtclab_tl_ice_role_name(p->ice_role), p->ufrag[0] ? p->ufrag : "?",
			 p->has_pwd ? p->pwd : "not known", p->setup[0] ? p->setup : "not given",
			 rtclab_tl_desc_source_name(p->desc_source), p->desc_file[0] ? " " : "", p->desc_file);
		tui_lines_wrap(out, TUI_A_NORMAL, -1, 2, width, line);
	}
}

static void detail_step(const struct tui_model *m, const struct rtclab_tl_session *s, size_t i, size_t n_frame,
			int width, struct tui_lines *out)
{
	const struct rtclab_tl_step *st = &s->steps[i];
	char t[32], a[RTCLAB_ADDR_STRLEN], b[RTCLAB_ADDR_STRLEN];
	tui_lines_add(out, TUI_A_HEAD, -1, "Message %zu of %zu, %s: %s", i + 1, s->n_steps,
		      rel_time(t, sizeof t, st->time_ns, s->first_ns), rtclab_tl_step_kind_name(st->kind));
	tui_lines_wrap(out, TUI_A_BOLD, -1, 0, width, st->what);
	if (st->why[0])
		tui_lines_wrap(out, TUI_A_DIM, -1, 0, width, st->why);
	blank(out);
	switch (st->kind) {
	case RTCLAB_TL_EV_NAT: {
		const struct tui_nat_event *e = nat_event_of(m, s, st);
		if (e)
			nat_decision_lines(out, width, s, e);
		break;
	}
	case RTCLAB_TL_EV_DESCRIPTIONS_SET:
		tui_lines_add(out, TUI_A_BOLD, -1, "%s", "What each side now knows of the other");
		peer_desc_lines(out, width, s);
		break;
	case RTCLAB_TL_EV_DTLS:
		if (s->dtls.seen) {
			tui_lines_add(out, TUI_A_NORMAL, -1, "DTLS client %s, server %s: %s", addr_text(&s->dtls.client, a, sizeof a),
				      addr_text(&s->dtls.server, b, sizeof b), s->dtls.completed ? "completed" : "not completed");
			if (s->dtls.setup_note[0])
				tui_lines_wrap(out, s->dtls.setup_checked && !s->dtls.setup_ok ? TUI_A_BAD : TUI_A_NORMAL, -1, 0,
					       width, s->dtls.setup_note);
		}
		break;
	case RTCLAB_TL_EV_MEDIA:
		if (s->flow.seen)
			tui_lines_add(out, TUI_A_NORMAL, -1,
				      "On the selected pair: %" PRIu64 " packets one way, %" PRIu64 " the other (%" PRIu64
				      " RTP, %" PRIu64 " RTCP, %" PRIu64 " DTLS application data)",
				      s->flow.packets[0], s->flow.packets[1], s->flow.rtp, s->flow.rtcp, s->flow.dtls_app);
		break;
	default:
		break;
	}
	if (!st->frame && st->kind != RTCLAB_TL_EV_NAT) {
		for (size_t k = 0; k < s->n_peers && k < 2; k++)
			if (s->peers[k].desc_source == RTCLAB_TL_DESC_FILE ||
			    s->peers[k].desc_source == RTCLAB_TL_DESC_WEBRTC_INTERNALS)
				tui_lines_add(out, TUI_A_DIM, -1, "%s's description was supplied from %s %s, not captured.",
					      s->peers[k].name, rtclab_tl_desc_source_name(s->peers[k].desc_source),
					      s->peers[k].desc_file[0] ? s->peers[k].desc_file : "?");
		tui_lines_wrap(out, TUI_A_DIM, -1, 0, width, "No message of the capture made this step, so there are no bytes to show.");
	} else if (st->kind == RTCLAB_TL_EV_NAT) {
		tui_lines_wrap(out, TUI_A_DIM, -1, 0, width,
			       "A NAT's decision is no message on any wire: the simulation reports it. The NAT pane "
			       "shows the NAT's table at this moment.");
	} else if (n_frame) {
		char line[200];
		snprintf(line, sizeof line,
			 "This step has no message of its own: frame #%" PRIu64 " carried the message that led to it, "
			 "shown at that message's step.",
			 st->frame);
		tui_lines_wrap(out, TUI_A_DIM, -1, 0, width, line);
	} else if (st->frame) {
		char line[200];
		snprintf(line, sizeof line, "The bytes of frame #%" PRIu64 " were not kept.", st->frame);
		tui_lines_wrap(out, TUI_A_DIM, -1, 0, width, line);
	}
}

/* --- detail ----------------------------------------------------------------------------------- */

void tui_pane_detail(const struct tui_model *m, const struct rtclab_tl_session *s, size_t i, int width,
		     struct tui_lines *out, struct tui_fields *fields)
{
	tui_lines_clear(out);
	tui_fields_clear(fields);
	width = pane_width(width);
	if (!s || i >= s->n_steps) {
		tui_lines_add(out, TUI_A_DIM, -1, "%s", "No step selected.");
		return;
	}
	const struct rtclab_tl_step *st = &s->steps[i];
	size_t n_frame;
	const struct tui_payload *p = pick_payload(m, s, i, &n_frame);
	if (!p) {
		detail_step(m, s, i, n_frame, width, out);
		return;
	}
	char t[32], a[RTCLAB_ADDR_STRLEN], b[RTCLAB_ADDR_STRLEN];
	if (p->kind == TUI_PL_SIGNAL)
		tui_lines_add(out, TUI_A_HEAD, -1, "Frame #%" PRIu64 ", %s: %s message %s -> %s, %zu bytes", p->frame,
			      rel_time(t, sizeof t, p->ts_ns, s->first_ns), p->via ? p->via : "signaling",
			      addr_text(&p->src, a, sizeof a), addr_text(&p->dst, b, sizeof b), p->len);
	else
		tui_lines_add(out, TUI_A_HEAD, -1, "Frame #%" PRIu64 ", %s: %s %s -> %s, %zu bytes", p->frame,
			      rel_time(t, sizeof t, p->ts_ns, s->first_ns), l4_name(p->l4), addr_text(&p->src, a, sizeof a),
			      addr_text(&p->dst, b, sizeof b), p->len);
	tui_lines_wrap(out, TUI_A_BOLD, -1, 0, width, st->what);
	if (n_frame > 1) {
		size_t k = 0;
		const struct tui_payload *v = tui_model_payloads(m, st, &k);
		char line[160];
		snprintf(line, sizeof line, "(message %zu of the %zu this frame carried)", (size_t)(p - v) + 1, n_frame);
		tui_lines_wrap(out, TUI_A_DIM, -1, 0, width, line);
	}
	if (p->kind == TUI_PL_SIGNAL)
		detail_signal(st, p, width, out);
	else
		detail_datagram(m, s, st, p, width, out, fields);
}

/* --- hex ---------------------------------------------------------------------------------------- */

#define HEX_MAX_BYTES (256u * 1024u)

void tui_pane_hex(const struct tui_model *m, const struct rtclab_tl_session *s, size_t i,
		  const struct tui_fields *fields, int sel, int width, struct tui_lines *out)
{
	tui_lines_clear(out);
	width = pane_width(width);
	if (!s || i >= s->n_steps) {
		tui_lines_add(out, TUI_A_DIM, -1, "%s", "No step selected.");
		return;
	}
	size_t n_frame;
	const struct tui_payload *p = pick_payload(m, s, i, &n_frame);
	if (!p) {
		tui_lines_add(out, TUI_A_DIM, -1, "%s", "No bytes: no message of the capture made this step.");
		return;
	}
	const struct tui_field *f = fields && sel >= 0 && (size_t)sel < fields->n ? &fields->v[sel] : NULL;
	if (f && f->len)
		tui_lines_add(out, TUI_A_HEAD, sel, "Frame #%" PRIu64 ", %zu bytes; field %d of %zu: %s, bytes %zu-%zu (%zu)",
			      p->frame, p->len, sel + 1, fields->n, f->name, f->offset, f->offset + f->len - 1, f->len);
	else if (f)
		tui_lines_add(out, TUI_A_HEAD, sel, "Frame #%" PRIu64 ", %zu bytes; field %d of %zu: %s (no bytes)", p->frame,
			      p->len, sel + 1, fields->n, f->name);
	else
		tui_lines_add(out, TUI_A_HEAD, -1, "Frame #%" PRIu64 ", %zu bytes%s", p->frame, p->len,
			      fields && fields->n ? "; no field selected" : "");
	if (p->kind == TUI_PL_SIGNAL)
		tui_lines_wrap(out, TUI_A_DIM, -1, 0, width,
			       "The signaling message as the bytes of its text (UTF-8), as the detail pane shows it.");
	/* 16 bytes a line when they fit: "0000  00 01 ... 0f  ................" */
	size_t per = width >= 72 ? 16 : width >= 40 ? 8 : 4;
	size_t len = p->len < HEX_MAX_BYTES ? p->len : HEX_MAX_BYTES;
	int digits = len > 0xFFFFFF ? 8 : len > 0xFFFF ? 6 : 4;
	size_t from = f ? f->offset : 0, to = f ? f->offset + f->len : 0; /* [from, to) */
	char line[16 * 4 + 32];
	for (size_t off = 0; off < len; off += per) {
		size_t n = len - off < per ? len - off : per, o = 0;
		o += (size_t)snprintf(line + o, sizeof line - o, "%0*zx ", digits, off);
		int hl_from = -1, hl_to = -1;
		for (size_t k = 0; k < per; k++) {
			if (k < n) {
				size_t at = off + k;
				if (at >= from && at < to) {
					if (hl_from < 0)
						hl_from = (int)o + 1;
					hl_to = (int)o + 3;
				}
				o += (size_t)snprintf(line + o, sizeof line - o, " %02x", p->bytes[at]);
			} else {
				o += (size_t)snprintf(line + o, sizeof line - o, "   ");
			}
		}
		line[o++] = ' ';
		line[o++] = ' ';
		for (size_t k = 0; k < n; k++) {
			uint8_t c = p->bytes[off + k];
			line[o++] = c >= 0x20 && c < 0x7F ? (char)c : '.';
		}
		line[o] = '\0';
		bool in = hl_from >= 0;
		tui_lines_add(out, TUI_A_NORMAL, in ? sel : -1, "%s", line);
		out->v[out->n - 1].hl_from = hl_from;
		out->v[out->n - 1].hl_to = hl_to;
	}
	if (len < p->len)
		tui_lines_add(out, TUI_A_DIM, -1, "... %zu more bytes not shown", p->len - len);
}

/* --- explain ------------------------------------------------------------------------------------ */

static void node_line(struct tui_lines *out, int width, const struct rtclab_tl_session *s, int node, const char *role)
{
	char a[RTCLAB_ADDR_STRLEN], line[300];
	if (node < 0 || (size_t)node >= s->n_nodes) {
		snprintf(line, sizeof line, "%s: not known", role);
	} else {
		const struct rtclab_tl_node *n = &s->nodes[node];
		switch (n->kind) {
		case RTCLAB_TL_NODE_PEER: {
			const struct rtclab_tl_peer *p = n->peer >= 0 && n->peer < 2 ? &s->peers[n->peer] : NULL;
			bool known = p && p->role != RTCLAB_TL_ROLE_UNKNOWN; /* no description: who offered is not known */
			bool iknown = p && p->ice_role != RTCLAB_TL_ICE_UNKNOWN;
			snprintf(line, sizeof line, "%s: %s%s%s%s%s", role, n->name, known ? ", the " : "",
				 known ? rtclab_tl_role_name(p->role) : "", iknown ? ", ICE " : "",
				 iknown ? rtclab_tl_ice_role_name(p->ice_role) : "");
			break;
		}
		case RTCLAB_TL_NODE_NAT:
			snprintf(line, sizeof line, "%s: %s, the NAT in front of %s", role, n->name, peer_name(s, n->peer));
			break;
		default: {
			static const char *const what[] = {"peer", "the signaling server", "a STUN server", "a TURN server",
							   "a server", "a NAT"};
			snprintf(line, sizeof line, "%s: %s, %s at %s (%s)", role, n->name,
				 what[n->kind <= RTCLAB_TL_NODE_NAT ? n->kind : RTCLAB_TL_NODE_OTHER],
				 addr_text(&n->addr, a, sizeof a), l4_name(n->transport));
			break;
		}
		}
	}
	tui_lines_wrap(out, TUI_A_NORMAL, -1, 2, width, line);
}

static void check_lines(struct tui_lines *out, int width, const struct rtclab_tl_session *s,
			const struct rtclab_tl_step *st)
{
	const struct rtclab_tl_check *c = step_check(s, st);
	if (st->pair < 0 || (size_t)st->pair >= s->n_pairs)
		return;
	const struct rtclab_tl_pair *p = &s->pairs[st->pair];
	char a[RTCLAB_ADDR_STRLEN], b[RTCLAB_ADDR_STRLEN], t[32], line[400];
	tui_lines_add(out, TUI_A_BOLD, -1, "%s", "The check");
	snprintf(line, sizeof line, "%s's pair %s -> %s (%s at the end, %" PRIu64 " check%s)", peer_name(s, p->peer),
		 addr_text(&p->local, a, sizeof a), addr_text(&p->remote, b, sizeof b), rtclab_tl_pair_state_name(p->state),
		 p->n_checks, p->n_checks == 1 ? "" : "s");
	tui_lines_wrap(out, TUI_A_NORMAL, -1, 2, width, line);
	if (!c)
		return;
	snprintf(line, sizeof line, "request frame #%" PRIu64 " at %s, sent %u time%s%s%s", c->frame,
		 rel_time(t, sizeof t, c->time_ns, s->first_ns), c->transmissions, c->transmissions == 1 ? "" : "s",
		 c->use_candidate ? ", with USE-CANDIDATE (a nomination)" : "",
		 c->via ? " (through TURN)" : "");
	tui_lines_wrap(out, TUI_A_NORMAL, -1, 2, width, line);
	enum tui_attr at = TUI_A_NORMAL;
	switch (c->result) {
	case RTCLAB_TL_SUCCESS:
		at = TUI_A_GOOD;
		snprintf(line, sizeof line, "answered with success in frame #%" PRIu64 ", %.1f ms after it was first sent",
			 c->response_frame, (double)(c->response_time_ns - c->time_ns) / 1e6);
		break;
	case RTCLAB_TL_ERROR: {
		const char *reason = rtclab_stun_error_code_reason(c->error_code);
		at = c->error_code == 487 ? TUI_A_WARN : TUI_A_BAD;
		snprintf(line, sizeof line, "answered with error %u%s%s in frame #%" PRIu64, c->error_code, reason ? " " : "",
			 reason ? reason : "", c->response_frame);
		break;
	}
	case RTCLAB_TL_TIMEOUT:
		at = TUI_A_BAD;
		snprintf(line, sizeof line, "no answer: it timed out (39.5 s, RFC 8489 6.2.1)");
		break;
	default:
		at = TUI_A_WARN;
		snprintf(line, sizeof line, "no answer in the capture (it may have ended too early)");
		break;
	}
	tui_lines_wrap(out, at, -1, 2, width, line);
	snprintf(line, sizeof line, "MESSAGE-INTEGRITY: request %s, response %s", rtclab_tl_auth_name(c->request_auth),
		 c->result == RTCLAB_TL_SUCCESS || c->result == RTCLAB_TL_ERROR ? rtclab_tl_auth_name(c->response_auth) : "-");
	tui_lines_wrap(out, c->request_auth == RTCLAB_TL_AUTH_BAD || c->response_auth == RTCLAB_TL_AUTH_BAD ? TUI_A_BAD
														: TUI_A_NORMAL,
		       -1, 2, width, line);
	if (c->has_mapped) {
		bool same = rtclab_addr_equal(&c->mapped, &p->local);
		snprintf(line, sizeof line, "the responder saw the request come from %s%s", addr_text(&c->mapped, a, sizeof a),
			 same ? ", the local candidate itself: no NAT changed it"
			      : ": not the local candidate, so something translated it (a peer-reflexive address)");
		tui_lines_wrap(out, TUI_A_NORMAL, -1, 2, width, line);
	}
}

void tui_pane_explain(const struct tui_model *m, const struct rtclab_tl_session *s, size_t i, int width,
		      struct tui_lines *out)
{
	tui_lines_clear(out);
	width = pane_width(width);
	if (!s || i >= s->n_steps) {
		tui_lines_add(out, TUI_A_DIM, -1, "%s", "No step selected.");
		return;
	}
	const struct rtclab_tl_step *st = &s->steps[i];
	char t[32], line[600];
	if (st->kind == RTCLAB_TL_EV_NAT) {
		/* a NAT decides at any moment of the story, not only once step 3 is reached */
		tui_lines_add(out, TUI_A_HEAD, -1, "%s", "A NAT decides (the NATs and firewalls of step 3)");
		tui_lines_wrap(out, TUI_A_DIM, -1, 2, width,
			       "Every packet between a peer's LAN and the internet crosses its NAT, at any moment of "
			       "the handshake: going out, the NAT rewrites its source to a public address and port (a "
			       "mapping, RFC 4787 4); coming in, its filter lets a packet through only if the mapping "
			       "has sent to that source before (RFC 4787 5). ICE's checks exist to find the pairs "
			       "these decisions let through.");
	} else {
		tui_lines_add(out, TUI_A_HEAD, -1, "%s", rtclab_step_title(st->step));
		tui_lines_wrap(out, TUI_A_DIM, -1, 2, width, rtclab_step_explain(st->step));
	}
	blank(out);
	if (st->frame)
		snprintf(line, sizeof line, "Message %zu of %zu, %s after the session's first message, frame #%" PRIu64, i + 1,
			 s->n_steps, rel_time(t, sizeof t, st->time_ns, s->first_ns), st->frame);
	else
		snprintf(line, sizeof line, "Message %zu of %zu, %s after the session's first message", i + 1, s->n_steps,
			 rel_time(t, sizeof t, st->time_ns, s->first_ns));
	tui_lines_wrap(out, TUI_A_BOLD, -1, 0, width, line);
	tui_lines_add(out, TUI_A_BOLD, -1, "%s", "What happened");
	tui_lines_wrap(out, TUI_A_NORMAL, -1, 2, width, st->what);
	if (st->why[0]) {
		tui_lines_add(out, TUI_A_BOLD, -1, "%s", "Why");
		tui_lines_wrap(out, TUI_A_NORMAL, -1, 2, width, st->why);
	}
	tui_lines_add(out, TUI_A_BOLD, -1, "%s", "Who");
	if (st->from == st->to && st->from >= 0) {
		node_line(out, width, s, st->from, "on its own");
	} else {
		node_line(out, width, s, st->from, "from");
		node_line(out, width, s, st->to, "to");
	}
	if (st->pair >= 0)
		check_lines(out, width, s, st);
	blank(out);
	tui_lines_add(out, TUI_A_BOLD, -1, "%s", "What to look at next");
	size_t j = i + 1;
	while (j < s->n_steps && s->steps[j].kind == st->kind)
		j++;
	if (j < s->n_steps) {
		const struct rtclab_tl_step *nx = &s->steps[j];
		size_t more = j - i - 1;
		char after[64] = "";
		if (more)
			snprintf(after, sizeof after, ", after %zu more message%s like this one", more, more == 1 ? "" : "s");
		snprintf(line, sizeof line, "Next%s: %s (message %zu, %s).%s%s%s", after, nx->what, j + 1,
			 rel_time(t, sizeof t, nx->time_ns, s->first_ns), nx->step != st->step ? " That begins " : "",
			 nx->step != st->step ? rtclab_step_title(nx->step) : "", nx->step != st->step ? "." : "");
		tui_lines_wrap(out, TUI_A_NORMAL, -1, 2, width, line);
	} else if (i + 1 < s->n_steps) {
		snprintf(line, sizeof line, "The %zu steps left are more of the same; the last one tells the outcome.",
			 s->n_steps - i - 1);
		tui_lines_wrap(out, TUI_A_NORMAL, -1, 2, width, line);
	}
	if (i + 1 == s->n_steps) {
		tui_lines_wrap(out, TUI_A_NORMAL, -1, 2, width, "This is the last message. How it ended:");
		tui_lines_wrap(out, s->connected ? TUI_A_GOOD : TUI_A_BAD, -1, 2, width,
			       s->outcome[0] ? s->outcome : s->connected ? "connected" : "not connected");
		if (m && !m->finished)
			tui_lines_wrap(out, TUI_A_WARN, -1, 2, width,
				       "(the input is still being read: the outcome may change)");
		for (size_t k = 0; k < s->n_missing && k < RTCLAB_TL_MAX_MISSING; k++) {
			snprintf(line, sizeof line, "missing: %s", s->missing[k]);
			tui_lines_wrap(out, TUI_A_WARN, -1, 2, width, line);
		}
		if (s->steps_dropped) {
			snprintf(line, sizeof line, "(%" PRIu64 " more messages were not kept)", s->steps_dropped);
			tui_lines_wrap(out, TUI_A_DIM, -1, 2, width, line);
		}
	}
}

/* --- candidates and pairs ------------------------------------------------------------------------- */

static const char *cand_addr(const struct rtclab_tl_candidate *c, char *buf, size_t len)
{
	if (c->addr.family == RTCLAB_FAMILY_IPV4 || c->addr.family == RTCLAB_FAMILY_IPV6)
		return rtclab_addr_format(&c->addr, buf, len);
	snprintf(buf, len, "%.40s:%u", c->name[0] ? c->name : "?", c->addr.port);
	return buf;
}

static void how_learnt(const struct rtclab_tl_session *s, const struct rtclab_tl_candidate *c, char *buf, size_t len)
{
	char a[RTCLAB_ADDR_STRLEN], b[RTCLAB_ADDR_STRLEN], t[32];
	const char *when = rel_time(t, sizeof t, c->time_ns, s->first_ns);
	const struct rtclab_tl_peer *p = c->peer >= 0 && c->peer < 2 ? &s->peers[c->peer] : NULL;
	switch (c->source) {
	case RTCLAB_TL_FROM_SDP:
		snprintf(buf, len, "%s: a=candidate in the %s, %s", rtclab_tl_cand_source_name(c->source),
			 p && p->role == RTCLAB_TL_ANSWERER ? "answer" : p && p->role == RTCLAB_TL_OFFERER ? "offer" : "description",
			 when);
		break;
	case RTCLAB_TL_FROM_TRICKLE:
		snprintf(buf, len, "%s: trickled over signaling, %s", rtclab_tl_cand_source_name(c->source), when);
		break;
	case RTCLAB_TL_FROM_STUN:
		snprintf(buf, len, "%s: XOR-MAPPED-ADDRESS from the STUN server%s%s, %s", rtclab_tl_cand_source_name(c->source),
			 c->server.family ? " at " : "", c->server.family ? addr_text(&c->server, a, sizeof a) : "", when);
		break;
	case RTCLAB_TL_FROM_TURN:
		snprintf(buf, len, "%s: XOR-RELAYED-ADDRESS allocated on the TURN server%s%s, %s",
			 rtclab_tl_cand_source_name(c->source), c->server.family ? " at " : "",
			 c->server.family ? addr_text(&c->server, a, sizeof a) : "", when);
		break;
	case RTCLAB_TL_FROM_CHECK:
		snprintf(buf, len, "%s: a check came from (or was mapped to) this address, which no candidate named, %s",
			 rtclab_tl_cand_source_name(c->source), when);
		break;
	}
	if (c->has_related) {
		/* RFC 8445 5.1.1.2: a relayed candidate is its own base; its related address is
		 * the mapped address the TURN server saw */
		size_t o = strlen(buf);
		if (o < len)
			snprintf(buf + o, len - o, "; %s %s", c->type == RTCLAB_CAND_RELAY ? "related address" : "base",
				 addr_text(&c->related, b, sizeof b));
	}
}

static void candidate_lines(struct tui_lines *out, int width, const struct rtclab_tl_session *s, int peer, int64_t t)
{
	char a[RTCLAB_ADDR_STRLEN], line[600], how[400];
	size_t shown = 0, later = 0;
	for (size_t k = 0; k < s->n_candidates; k++) {
		const struct rtclab_tl_candidate *c = &s->candidates[k];
		if (c->peer != peer)
			continue;
		if (c->time_ns > t) {
			later++;
			continue;
		}
		shown++;
		char prio[24] = "priority not known";
		if (c->priority)
			snprintf(prio, sizeof prio, "priority %" PRIu32, c->priority);
		snprintf(line, sizeof line, "%-5s %s %s  %s", rtclab_cand_type_name(c->type),
			 c->transport == RTCLAB_CAND_TCP ? "tcp" : "udp", cand_addr(c, a, sizeof a), prio);
		tui_lines_wrap_hanging(out, TUI_A_NORMAL, -1, 4, 10, width, line);
		how_learnt(s, c, how, sizeof how);
		tui_lines_wrap(out, TUI_A_DIM, -1, 10, width, how);
	}
	if (!shown)
		tui_lines_add(out, TUI_A_DIM, -1, "%s", "    none yet");
	if (later)
		tui_lines_add(out, TUI_A_DIM, -1, "    (%zu more learnt later)", later);
}

enum pstate { PS_NONE, PS_FROZEN, PS_WAITING, PS_IN_PROGRESS, PS_SUCCEEDED, PS_FAILED };

struct pair_at {
	enum pstate state;
	bool nominated, selected;
	size_t checks, use_candidate;
	int64_t first_ns, rtt_ns;
};

/* A pair's state at time t, from its kept checks. */
static void pair_state_at(const struct rtclab_tl_session *s, size_t pi, int64_t t, struct pair_at *ps)
{
	const struct rtclab_tl_pair *p = &s->pairs[pi];
	memset(ps, 0, sizeof *ps);
	ps->rtt_ns = -1;
	ps->first_ns = -1;
	bool any_success = false, pending = false;
	int64_t last_end = -1;
	enum pstate last = PS_NONE;
	for (size_t k = 0; k < p->n_kept && k < RTCLAB_TL_PAIR_CHECKS; k++) {
		const struct rtclab_tl_check *c = &p->checks[k];
		if (c->time_ns > t)
			continue;
		ps->checks++;
		ps->use_candidate += c->use_candidate;
		if (ps->first_ns < 0 || c->time_ns < ps->first_ns)
			ps->first_ns = c->time_ns;
		bool answered = (c->result == RTCLAB_TL_SUCCESS || c->result == RTCLAB_TL_ERROR) && c->response_time_ns <= t;
		bool timed_out = c->result == RTCLAB_TL_TIMEOUT && c->time_ns + STUN_TIMEOUT_NS <= t;
		if (answered && c->result == RTCLAB_TL_SUCCESS) {
			any_success = true;
			if (ps->rtt_ns < 0)
				ps->rtt_ns = c->response_time_ns - c->time_ns;
			if (c->use_candidate)
				ps->nominated = true;
		} else if (answered) {
			if (c->response_time_ns >= last_end) {
				last_end = c->response_time_ns;
				last = c->error_code == 487 ? PS_WAITING : PS_FAILED;
			}
		} else if (timed_out) {
			if (c->time_ns + STUN_TIMEOUT_NS >= last_end) {
				last_end = c->time_ns + STUN_TIMEOUT_NS;
				last = PS_FAILED;
			}
		} else {
			pending = true;
		}
	}
	if (ps->checks == 0) {
		bool formed = p->local_cand >= 0 && p->remote_cand >= 0 && (size_t)p->local_cand < s->n_candidates &&
			      (size_t)p->remote_cand < s->n_candidates && s->candidates[p->local_cand].time_ns <= t &&
			      s->candidates[p->remote_cand].time_ns <= t;
		ps->state = formed ? PS_FROZEN : PS_NONE;
	} else if (any_success) {
		ps->state = PS_SUCCEEDED;
	} else if (pending) {
		ps->state = PS_IN_PROGRESS;
	} else {
		ps->state = last == PS_NONE ? PS_IN_PROGRESS : last;
	}
	/* checks past those kept: past the last of them, the final state holds */
	if (p->n_checks > p->n_kept && t >= p->last_check_ns) {
		ps->state = p->state == RTCLAB_TL_SUCCEEDED ? PS_SUCCEEDED
			    : p->state == RTCLAB_TL_FAILED  ? PS_FAILED
							    : ps->state;
		ps->nominated |= p->nominated && p->nominated_ns <= t;
		ps->checks = (size_t)p->n_checks;
	}
	ps->selected = s->selected.has && s->selected.pair == (int)pi && t >= s->selected.time_ns;
}

static const char *pstate_name(enum pstate st)
{
	switch (st) {
	case PS_FROZEN: return "frozen: not checked yet";
	case PS_WAITING: return "waiting: role conflict (487), to be checked again";
	case PS_IN_PROGRESS: return "in progress: checked, no answer yet";
	case PS_SUCCEEDED: return "succeeded";
	case PS_FAILED: return "failed";
	default: return "";
	}
}

static const char *cand_type_of(const struct rtclab_tl_session *s, int ci)
{
	return ci >= 0 && (size_t)ci < s->n_candidates ? rtclab_cand_type_name(s->candidates[ci].type) : "?";
}

static void pair_lines(struct tui_lines *out, int width, const struct rtclab_tl_session *s, int peer, int64_t t,
		       size_t *shown_total)
{
	char a[RTCLAB_ADDR_STRLEN], b[RTCLAB_ADDR_STRLEN], line[500], t1[32];
	size_t shown = 0;
	for (size_t k = 0; k < s->n_pairs; k++) {
		const struct rtclab_tl_pair *p = &s->pairs[k];
		if (p->peer != peer)
			continue;
		struct pair_at ps;
		pair_state_at(s, k, t, &ps);
		if (ps.state == PS_NONE)
			continue;
		shown++;
		enum tui_attr at = ps.selected ? TUI_A_GOOD
				   : ps.state == PS_SUCCEEDED ? TUI_A_GOOD
				   : ps.state == PS_FAILED    ? TUI_A_BAD
				   : ps.state == PS_IN_PROGRESS || ps.state == PS_WAITING ? TUI_A_WARN
											 : TUI_A_DIM;
		snprintf(line, sizeof line, "%s %s (%s) -> %s (%s)  %s%s%s", ps.selected ? "*" : " ",
			 addr_text(&p->local, a, sizeof a), cand_type_of(s, p->local_cand), addr_text(&p->remote, b, sizeof b),
			 cand_type_of(s, p->remote_cand), pstate_name(ps.state), ps.nominated ? ", nominated" : "",
			 ps.selected ? ", SELECTED" : "");
		tui_lines_wrap_hanging(out, at, -1, 2, 6, width, line);
		if (ps.checks) {
			char rtt[48] = "";
			if (ps.rtt_ns >= 0)
				snprintf(rtt, sizeof rtt, ", round trip %.1f ms", (double)ps.rtt_ns / 1e6);
			snprintf(line, sizeof line, "%zu check%s so far (first %s)%s%s%s", ps.checks, ps.checks == 1 ? "" : "s",
				 rel_time(t1, sizeof t1, ps.first_ns, s->first_ns), ps.use_candidate ? ", USE-CANDIDATE sent" : "",
				 rtt, p->transport == RTCLAB_CAND_TCP ? ", tcp" : "");
			tui_lines_wrap(out, TUI_A_DIM, -1, 6, width, line);
		}
	}
	if (!shown)
		tui_lines_add(out, TUI_A_DIM, -1, "%s", "    none yet");
	*shown_total += shown;
}

void tui_pane_candidates(const struct tui_model *m, const struct rtclab_tl_session *s, size_t i, int width,
			 struct tui_lines *out)
{
	(void)m;
	tui_lines_clear(out);
	width = pane_width(width);
	if (!s || i >= s->n_steps) {
		tui_lines_add(out, TUI_A_DIM, -1, "%s", "No step selected.");
		return;
	}
	int64_t t = s->steps[i].time_ns;
	char tt[32];
	tui_lines_add(out, TUI_A_HEAD, -1, "Candidates and pairs at %s (message %zu)", rel_time(tt, sizeof tt, t, s->first_ns),
		      i + 1);
	size_t unknown = 0;
	for (size_t k = 0; k < s->n_candidates; k++)
		unknown += s->candidates[k].peer < 0 && s->candidates[k].time_ns <= t;
	for (int p = 0; p < (int)s->n_peers && p < 2; p++) {
		tui_lines_add(out, TUI_A_BOLD, -1, "%s's candidates", s->peers[p].name);
		candidate_lines(out, width, s, p, t);
	}
	if (unknown) {
		tui_lines_add(out, TUI_A_BOLD, -1, "%s", "Candidates of a peer not yet known");
		candidate_lines(out, width, s, -1, t);
	}
	blank(out);
	size_t shown = 0;
	for (int p = 0; p < (int)s->n_peers && p < 2; p++) {
		tui_lines_add(out, TUI_A_BOLD, -1, "%s's pairs (%s checks them: local -> remote)", s->peers[p].name,
			      s->peers[p].name);
		pair_lines(out, width, s, p, t, &shown);
	}
	size_t later = s->n_pairs - (shown <= s->n_pairs ? shown : s->n_pairs);
	if (later)
		tui_lines_add(out, TUI_A_DIM, -1, "(%zu more pair%s appear later)", later, later == 1 ? "" : "s");
	if (s->selected.has && t < s->selected.time_ns)
		tui_lines_add(out, TUI_A_DIM, -1, "No pair selected yet: the nomination comes at %s.",
			      rel_time(tt, sizeof tt, s->selected.time_ns, s->first_ns));
	else if (!s->selected.has)
		tui_lines_add(out, TUI_A_DIM, -1, "%s", "No pair is ever selected in this session.");
}

/* --- NAT tables ------------------------------------------------------------------------------- */

#define NAT_MAX 16            /* NATs shown */
#define NAT_REMOTES 6         /* remote endpoints remembered per mapping */
#define NAT_RECENT 6          /* decisions that changed the table, shown per NAT */
#define NAT_MAPPINGS_SHOWN 48

struct nat_map {
	bool live, expired;
	struct rtclab_nat_mapping_info info;
	int64_t created_ns;               /* in the model's time */
	size_t n_remotes;
	uint64_t remotes_total;
	struct rtclab_addr remotes[NAT_REMOTES];
	uint64_t filtered;
};

struct nat_table {
	char name[32];
	int peer;                         /* the session's peer behind it, -1 */
	bool has_behaviour;
	struct rtclab_nat_decision last;  /* behaviours */
	struct nat_map *maps;             /* by mapping id */
	size_t cap_maps;
	struct {
		size_t first, last;       /* in m->nat: a run of the same decision */
		uint64_t times;
	} recent[NAT_RECENT];
	size_t n_recent;
	uint64_t created, expired, filtered, dropped, hairpinned;
};

static struct nat_map *nat_map_of(struct nat_table *nt, uint64_t id)
{
	if (id == 0 || id > 10000000)
		return NULL;
	if (id >= nt->cap_maps) {
		size_t cap = nt->cap_maps ? nt->cap_maps : 64;
		while (cap <= id)
			cap *= 2;
		struct nat_map *v = realloc(nt->maps, cap * sizeof *v);
		if (!v)
			return NULL;
		memset(v + nt->cap_maps, 0, (cap - nt->cap_maps) * sizeof *v);
		nt->maps = v;
		nt->cap_maps = cap;
	}
	return &nt->maps[id];
}

static void nat_remember_remote(struct nat_map *mp, const struct rtclab_addr *r)
{
	if (!r->family)
		return;
	for (size_t k = 0; k < mp->n_remotes; k++)
		if (rtclab_addr_equal(&mp->remotes[k], r))
			return;
	mp->remotes_total++;
	if (mp->n_remotes < NAT_REMOTES)
		mp->remotes[mp->n_remotes++] = *r;
}

static bool same_decision(const struct rtclab_nat_decision *a, const struct rtclab_nat_decision *b)
{
	return a->kind == b->kind && a->reason == b->reason && rtclab_addr_equal(&a->inside, &b->inside) &&
	       rtclab_addr_equal(&a->outside, &b->outside) && rtclab_addr_equal(&a->external, &b->external);
}

static void nat_apply(const struct tui_model *m, struct nat_table *nt, const struct tui_nat_event *e, size_t index)
{
	const struct rtclab_nat_decision *d = &e->d;
	nt->last = *d;
	nt->has_behaviour = true;
	struct nat_map *mp = d->has_mapping ? nat_map_of(nt, d->mapping.id) : NULL;
	int64_t base = e->ts_ns - d->time;
	if (mp) {
		mp->info = d->mapping;
		if (!mp->live && !mp->expired && d->kind != RTCLAB_NAT_MAPPING_EXPIRED) {
			mp->live = true; /* its creation was not kept: it exists all the same */
			mp->created_ns = base + d->mapping.created;
		}
	}
	bool changed = false;
	switch (d->kind) {
	case RTCLAB_NAT_MAPPING_CREATED:
		nt->created++;
		changed = true;
		if (mp) {
			mp->live = true;
			mp->expired = false;
			mp->n_remotes = 0;
			mp->remotes_total = 0;
			mp->created_ns = base + d->mapping.created;
			nat_remember_remote(mp, &d->outside);
		}
		break;
	case RTCLAB_NAT_MAPPING_REUSED:
		changed = true;
		if (mp)
			nat_remember_remote(mp, &d->outside);
		break;
	case RTCLAB_NAT_MAPPING_EXPIRED:
		nt->expired++;
		changed = true;
		if (mp) {
			mp->live = false;
			mp->expired = true;
		}
		break;
	case RTCLAB_NAT_OUTBOUND_TRANSLATED:
	case RTCLAB_NAT_OUTBOUND_FORWARDED:
		if (mp)
			nat_remember_remote(mp, &d->outside);
		break;
	case RTCLAB_NAT_INBOUND_FILTERED:
		nt->filtered++;
		changed = true;
		if (mp)
			mp->filtered++;
		break;
	case RTCLAB_NAT_HAIRPINNED:
		nt->hairpinned++;
		changed = true;
		break;
	case RTCLAB_NAT_FIREWALL_DROPPED:
	case RTCLAB_NAT_DROPPED:
		nt->dropped++;
		changed = true;
		break;
	default:
		break;
	}
	if (!changed)
		return;
	if (nt->n_recent && same_decision(&m->nat[nt->recent[nt->n_recent - 1].last].d, d)) {
		nt->recent[nt->n_recent - 1].last = index; /* the same again: counted */
		nt->recent[nt->n_recent - 1].times++;
		return;
	}
	if (nt->n_recent == NAT_RECENT) {
		memmove(nt->recent, nt->recent + 1, (NAT_RECENT - 1) * sizeof nt->recent[0]);
		nt->n_recent--;
	}
	nt->recent[nt->n_recent].first = nt->recent[nt->n_recent].last = index;
	nt->recent[nt->n_recent++].times = 1;
}

static const char *filtering_sentence(enum rtclab_nat_behavior f)
{
	switch (f) {
	case RTCLAB_NAT_EI:
		return "endpoint-independent filtering (EIF): once a mapping exists, a packet from anyone to its "
		       "external address gets in.";
	case RTCLAB_NAT_AD:
		return "address-dependent filtering (ADF): a mapping lets in packets only from an IP address it has "
		       "sent to (any port).";
	default:
		return "address-and-port-dependent filtering (APDF): a mapping lets in packets only from an address "
		       "and port it has sent to.";
	}
}

static const char *mapping_sentence(enum rtclab_nat_behavior b)
{
	switch (b) {
	case RTCLAB_NAT_EI:
		return "endpoint-independent mapping (EIM): one external port per internal address and port, "
		       "whoever it sends to, so a STUN server sees the port a peer will see.";
	case RTCLAB_NAT_AD:
		return "address-dependent mapping (ADM): a new external port for each remote IP address.";
	default:
		return "address-and-port-dependent mapping (APDM, \"symmetric\"): a new external port for each remote "
		       "address and port, so the port a STUN server saw is not the one a peer sees.";
	}
}

/* Who a mapping lets in, as the filtering behaviour decides. */
static void lets_in(const struct nat_map *mp, enum rtclab_nat_behavior f, char *buf, size_t len)
{
	char a[RTCLAB_ADDR_STRLEN];
	if (f == RTCLAB_NAT_EI) {
		snprintf(buf, len, "lets in: anyone");
		return;
	}
	size_t o = (size_t)snprintf(buf, len, "lets in: ");
	size_t shown = 0;
	for (size_t k = 0; k < mp->n_remotes && o < len; k++) {
		bool dup = false;
		if (f == RTCLAB_NAT_AD)
			for (size_t j = 0; j < k; j++)
				dup |= memcmp(mp->remotes[j].ip, mp->remotes[k].ip, sizeof mp->remotes[k].ip) == 0 &&
				       mp->remotes[j].family == mp->remotes[k].family;
		if (dup)
			continue;
		if (f == RTCLAB_NAT_AD)
			rtclab_addr_ip_format(&mp->remotes[k], a, sizeof a);
		else
			rtclab_addr_format(&mp->remotes[k], a, sizeof a);
		o += (size_t)snprintf(buf + o, len - o, "%s%s%s", shown ? ", " : "", a, f == RTCLAB_NAT_AD ? " (any port)" : "");
		shown++;
	}
	if (o < len && mp->remotes_total > mp->n_remotes)
		snprintf(buf + o, len - o, " and %" PRIu64 " more", mp->remotes_total - mp->n_remotes);
	else if (o < len && shown == 0)
		snprintf(buf + o, len - o, "nobody yet (it has sent to no one)");
}

static void nat_table_lines(struct tui_lines *out, int width, const struct tui_model *m,
			    const struct rtclab_tl_session *s, const struct nat_table *nt)
{
	char a[RTCLAB_ADDR_STRLEN], b[RTCLAB_ADDR_STRLEN], line[700], t1[32], t2[32];
	if (nt->peer >= 0)
		tui_lines_add(out, TUI_A_HEAD, -1, "%s, in front of %s", nt->name, peer_name(s, nt->peer));
	else
		tui_lines_add(out, TUI_A_HEAD, -1, "%s", nt->name);
	const struct rtclab_nat_decision *d = &nt->last;
	bool translating = true;
	size_t live = 0;
	for (size_t id = 1; id < nt->cap_maps; id++) {
		const struct nat_map *mp = &nt->maps[id];
		if (!mp->live)
			continue;
		live++;
		translating &= mp->info.translated;
	}
	if (!translating && live)
		tui_lines_wrap(out, TUI_A_NORMAL, -1, 2, width,
			       "It does not translate (a router with a stateful firewall): its \"mappings\" are "
			       "pinholes, an inside address mapped onto itself.");
	else
		tui_lines_wrap(out, TUI_A_NORMAL, -1, 2, width, mapping_sentence(d->mapping_behavior));
	tui_lines_wrap(out, TUI_A_NORMAL, -1, 2, width, filtering_sentence(d->filtering_behavior));
	if (d->firewall != RTCLAB_NAT_FW_NONE) {
		snprintf(line, sizeof line, "Firewall: %s (%s).", rtclab_nat_firewall_name(d->firewall),
			 d->firewall == RTCLAB_NAT_FW_BLOCK_UDP ? "every UDP packet is dropped, both ways"
								 : "only TCP connections opened from inside to port 443 pass");
		tui_lines_wrap(out, TUI_A_WARN, -1, 2, width, line);
	}
	tui_lines_add(out, TUI_A_BOLD, -1, "  Mappings live now (%zu)", live);
	size_t shown = 0;
	for (size_t id = 1; id < nt->cap_maps; id++) {
		const struct nat_map *mp = &nt->maps[id];
		if (!mp->live)
			continue;
		if (shown++ == NAT_MAPPINGS_SHOWN) {
			tui_lines_add(out, TUI_A_DIM, -1, "    ... and %zu more", live - NAT_MAPPINGS_SHOWN);
			break;
		}
		char for_whom[120] = "";
		if (d->mapping_behavior != RTCLAB_NAT_EI && mp->info.remote.family)
			snprintf(for_whom, sizeof for_whom, " for %s only", d->mapping_behavior == RTCLAB_NAT_AD
										? rtclab_addr_ip_format(&mp->info.remote, b, sizeof b)
										: rtclab_addr_format(&mp->info.remote, b, sizeof b));
		snprintf(line, sizeof line, "#%" PRIu64 " %s %s -> %s%s", mp->info.id, l4_name(mp->info.l4),
			 addr_text(&mp->info.internal, a, sizeof a), addr_text(&mp->info.external, b, sizeof b), for_whom);
		tui_lines_wrap(out, TUI_A_NORMAL, -1, 4, width, line);
		/* the model keeps no refreshes: the lifetime, not the moment it runs out */
		snprintf(line, sizeof line, "since %s; expires after %.0f s without an outbound packet",
			 rel_time(t1, sizeof t1, mp->created_ns, s->first_ns), (double)mp->info.lifetime / 1e9);
		tui_lines_wrap(out, TUI_A_DIM, -1, 8, width, line);
		lets_in(mp, d->filtering_behavior, line, sizeof line);
		tui_lines_wrap(out, TUI_A_NORMAL, -1, 8, width, line);
		if (mp->filtered) {
			snprintf(line, sizeof line, "packets from %" PRIu64 " source%s filtered so far", mp->filtered,
				 mp->filtered == 1 ? "" : "s");
			tui_lines_wrap(out, TUI_A_BAD, -1, 8, width, line);
		}
	}
	if (!live)
		tui_lines_add(out, TUI_A_DIM, -1, "%s", "    none");
	/* the model keeps the first packet of each kind between two endpoints: flows, not packets */
	snprintf(line, sizeof line,
		 "So far: %" PRIu64 " mapping%s created, %" PRIu64 " expired; flows filtered %" PRIu64 ", dropped %" PRIu64
		 ", hairpinned %" PRIu64 " (each pair of endpoints counted once)",
		 nt->created, nt->created == 1 ? "" : "s", nt->expired, nt->filtered, nt->dropped, nt->hairpinned);
	tui_lines_wrap(out, TUI_A_DIM, -1, 2, width, line);
	if (nt->n_recent) {
		tui_lines_add(out, TUI_A_BOLD, -1, "%s", "  Last changes");
		for (size_t k = 0; k < nt->n_recent; k++) {
			const struct tui_nat_event *e = &m->nat[nt->recent[k].first];
			char why[400], times[80] = "";
			rtclab_nat_decision_explain(&e->d, why, sizeof why);
			if (nt->recent[k].times > 1)
				snprintf(times, sizeof times, " (%" PRIu64 " times, the last at %s)", nt->recent[k].times,
					 rel_time(t2, sizeof t2, m->nat[nt->recent[k].last].ts_ns, s->first_ns));
			enum rtclab_nat_decision_kind kind = e->d.kind;
			enum tui_attr at = kind == RTCLAB_NAT_INBOUND_FILTERED || kind == RTCLAB_NAT_FIREWALL_DROPPED ||
							   kind == RTCLAB_NAT_DROPPED
						   ? TUI_A_BAD
					   : kind == RTCLAB_NAT_MAPPING_EXPIRED ? TUI_A_WARN
										: TUI_A_NORMAL;
			snprintf(line, sizeof line, "%s %s%s%s%s: %s", rel_time(t1, sizeof t1, e->ts_ns, s->first_ns),
				 rtclab_nat_decision_kind_name(kind), e->d.reason ? ", " : "",
				 e->d.reason ? rtclab_nat_reason_name(e->d.reason) : "", times, why);
			tui_lines_wrap(out, at, -1, 4, width, line);
		}
	}
}

static bool same_ip(const struct rtclab_addr *a, const struct rtclab_addr *b)
{
	size_t n = a->family == RTCLAB_FAMILY_IPV4 ? 4 : 16;
	return a->family && a->family == b->family && memcmp(a->ip, b->ip, n) == 0;
}

/* A session whose peers no NAT column names: the NATs whose mappings have
 * an external address the session's candidates show (a srflx or prflx
 * candidate, a pinhole of a host one), up to NAT_MAX; their count. */
static size_t session_nats(const struct rtclab_tl_session *s, const struct tui_model *m, size_t upto,
			   struct nat_table *nts)
{
	size_t n = 0;
	for (size_t k = 0; k < upto && n < NAT_MAX; k++) {
		const struct tui_nat_event *e = &m->nat[k];
		if (e->d.kind != RTCLAB_NAT_MAPPING_CREATED || !e->d.has_mapping)
			continue;
		int owner = -1;
		for (size_t c = 0; c < s->n_candidates && owner < 0; c++) {
			const struct rtclab_tl_candidate *cd = &s->candidates[c];
			if (cd->peer >= 0 && (same_ip(&cd->addr, &e->d.mapping.external) ||
					      (cd->has_related && same_ip(&cd->related, &e->d.mapping.external))))
				owner = cd->peer;
		}
		for (int p = 0; p < (int)s->n_peers && p < 2 && owner < 0; p++)
			for (size_t j = 0; j < s->peers[p].n_endpoints && j < RTCLAB_TL_MAX_ENDPOINTS; j++)
				if (same_ip(&s->peers[p].endpoints[j], &e->d.mapping.external))
					owner = p;
		if (owner < 0)
			continue;
		bool known = false;
		for (size_t j = 0; j < n; j++)
			known |= strcmp(nts[j].name, e->nat) == 0;
		if (!known) {
			snprintf(nts[n].name, sizeof nts[n].name, "%s", e->nat);
			nts[n++].peer = owner;
		}
	}
	return n;
}

void tui_pane_nat(const struct tui_model *m, const struct rtclab_tl_session *s, size_t i, int width,
		  struct tui_lines *out)
{
	tui_lines_clear(out);
	width = pane_width(width);
	if (!m || m->source != TUI_SRC_SIM) {
		tui_lines_add(out, TUI_A_HEAD, -1, "%s", "NAT tables");
		tui_lines_wrap(out, TUI_A_NORMAL, -1, 0, width,
			       "NAT tables come from a simulation (rtclab tui SCENARIO): a capture cannot see inside "
			       "a NAT. What it does show is where one translated: a server-reflexive (srflx) "
			       "candidate whose address differs from its host base, or a check that arrives from an "
			       "address no candidate named (peer-reflexive).");
		return;
	}
	if (!s || i >= s->n_steps) {
		tui_lines_add(out, TUI_A_DIM, -1, "%s", "No step selected.");
		return;
	}
	int64_t t = s->steps[i].time_ns;
	char tt[32];
	tui_lines_add(out, TUI_A_HEAD, -1, "NAT tables at %s (message %zu)", rel_time(tt, sizeof tt, t, s->first_ns), i + 1);
	if (m->n_nat == 0) {
		tui_lines_wrap(out, TUI_A_NORMAL, -1, 0, width,
			       "This simulation recorded no NAT decisions: no peer sits behind a NAT or firewall.");
		return;
	}
	/* the NATs of this session (its columns), else every NAT, up to NAT_MAX */
	struct nat_table *nts = calloc(NAT_MAX, sizeof *nts);
	if (!nts)
		return;
	size_t n = 0, more = 0;
	bool from_session = false;
	for (size_t k = 0; k < s->n_nodes && n < NAT_MAX; k++)
		if (s->nodes[k].kind == RTCLAB_TL_NODE_NAT) {
			snprintf(nts[n].name, sizeof nts[n].name, "%s", s->nodes[k].name);
			nts[n++].peer = s->nodes[k].peer;
			from_session = true;
		}
	/* events up to t: binary search, then one pass; for a NAT's own decision, the
	 * tables as that decision left them (not with what happened later in the same
	 * millisecond) */
	size_t lo = 0, hi = m->n_nat;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->nat[mid].ts_ns <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	const struct tui_nat_event *own = s->steps[i].kind == RTCLAB_TL_EV_NAT ? nat_event_of(m, s, &s->steps[i]) : NULL;
	if (own)
		lo = (size_t)(own - m->nat) + 1;
	if (!from_session)
		n = session_nats(s, m, lo, nts);
	from_session = n > 0;
	size_t last = 0;
	for (size_t k = 0; k < lo; k++) {
		const struct tui_nat_event *e = &m->nat[k];
		size_t w = last;
		if (w >= n || strcmp(nts[w].name, e->nat) != 0) {
			for (w = 0; w < n && strcmp(nts[w].name, e->nat) != 0; w++)
				;
			if (w == n) {
				if (from_session)
					continue;
				if (n == NAT_MAX) {
					more++;
					continue;
				}
				snprintf(nts[n].name, sizeof nts[n].name, "%s", e->nat);
				nts[n++].peer = -1;
			}
			last = w;
		}
		nat_apply(m, &nts[w], e, k);
	}
	for (size_t k = 0; k < n; k++) {
		if (k)
			blank(out);
		if (!nts[k].has_behaviour) {
			tui_lines_add(out, TUI_A_HEAD, -1, "%s", nts[k].name);
			tui_lines_add(out, TUI_A_DIM, -1, "%s", "  no decision yet: nothing has crossed it");
			continue;
		}
		nat_table_lines(out, width, m, s, &nts[k]);
	}
	if (n == 0)
		tui_lines_add(out, TUI_A_DIM, -1, "%s", "No NAT has decided anything yet.");
	if (more)
		tui_lines_add(out, TUI_A_DIM, -1, "(%zu decisions of other NATs not shown)", more);
	if (m->nat_dropped && lo == m->n_nat)
		tui_lines_add(out, TUI_A_WARN, -1, "(%" PRIu64 " later NAT decisions were not kept: the tables stop there)",
			      m->nat_dropped);
	for (size_t k = 0; k < n; k++)
		free(nts[k].maps);
	free(nts);
}
