/* The simulated STUN server: Binding (RFC 8489), RFC 3489 classic clients
 * answered with MAPPED-ADDRESS, and RFC 5780 NAT behaviour discovery
 * (OTHER-ADDRESS, RESPONSE-ORIGIN, CHANGE-REQUEST, RESPONSE-PORT) when it
 * has an alternate address.  Also the helpers the TURN server shares:
 * judging a request, starting a response, reporting an event. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtclab/stun.h"
#include "rtclab/stun_server.h"
#include "stun_server_internal.h"

/* --- names ------------------------------------------------------------------------- */

static const char *const event_ids[] = {
	[RTCLAB_SERVER_EV_BINDING] = "binding",
	[RTCLAB_SERVER_EV_REJECTED] = "rejected",
	[RTCLAB_SERVER_EV_DISCARDED] = "discarded",
	[RTCLAB_SERVER_EV_ALLOCATION_CREATED] = "allocation-created",
	[RTCLAB_SERVER_EV_ALLOCATION_REFRESHED] = "allocation-refreshed",
	[RTCLAB_SERVER_EV_ALLOCATION_DELETED] = "allocation-deleted",
	[RTCLAB_SERVER_EV_ALLOCATION_EXPIRED] = "allocation-expired",
	[RTCLAB_SERVER_EV_PERMISSION_INSTALLED] = "permission-installed",
	[RTCLAB_SERVER_EV_PERMISSION_REFRESHED] = "permission-refreshed",
	[RTCLAB_SERVER_EV_PERMISSION_EXPIRED] = "permission-expired",
	[RTCLAB_SERVER_EV_CHANNEL_BOUND] = "channel-bound",
	[RTCLAB_SERVER_EV_CHANNEL_REFRESHED] = "channel-refreshed",
	[RTCLAB_SERVER_EV_CHANNEL_EXPIRED] = "channel-expired",
	[RTCLAB_SERVER_EV_RELAYED_TO_PEER] = "relayed-to-peer",
	[RTCLAB_SERVER_EV_RELAYED_TO_CLIENT] = "relayed-to-client",
	[RTCLAB_SERVER_EV_DROPPED_NO_PERMISSION] = "dropped-no-permission",
	[RTCLAB_SERVER_EV_DROPPED] = "dropped",
};

const char *rtclab_server_event_kind_id(enum rtclab_server_event_kind kind)
{
	if ((unsigned)kind > RTCLAB_SERVER_EV_LAST || !event_ids[kind])
		return "unknown";
	return event_ids[kind];
}

static const char *const error_texts[] = {
	[RTCLAB_SERVER_OK] = "no error",
	[RTCLAB_SERVER_E_NO_MEMORY] = "out of memory",
	[RTCLAB_SERVER_E_NO_ADDRESS] = "the listening address needs an IP address and a port",
	[RTCLAB_SERVER_E_ALTERNATE] =
		"the alternate address must have the primary's family and differ from it in IP address and port",
	[RTCLAB_SERVER_E_NO_SEND] = "no send function",
	[RTCLAB_SERVER_E_NO_REALM] = "a TURN server needs a realm that OpaqueString accepts",
	[RTCLAB_SERVER_E_BAD_USER] = "a user has no name, or a password that OpaqueString rejects",
	[RTCLAB_SERVER_E_RELAY_RANGE] = "the relay needs an IP address and a non-empty port range",
	[RTCLAB_SERVER_E_LIFETIME] = "the default allocation lifetime is above the maximum",
	[RTCLAB_SERVER_E_NO_RNG] = "a TURN server needs a random number generator",
};

const char *rtclab_server_error_str(enum rtclab_server_error code)
{
	if ((unsigned)code > RTCLAB_SERVER_E_LAST)
		return "unknown error";
	return error_texts[code];
}

/* --- shared helpers ---------------------------------------------------------------- */

const char *rtclab_srv_addr_(const struct rtclab_addr *a, char buf[RTCLAB_ADDR_STRLEN])
{
	return rtclab_addr_format(a, buf, RTCLAB_ADDR_STRLEN);
}

void rtclab_srv_emit_(rtclab_server_event_fn fn, void *arg, struct rtclab_server_event *ev, const char *fmt, ...)
{
	if (!fn)
		return;
	char text[320];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	ev->text = text;
	fn(arg, ev);
	ev->text = NULL;
}

const struct rtclab_stun_attr *rtclab_srv_find_(const struct rtclab_stun_msg *msg, uint16_t type)
{
	for (size_t i = 0; i < msg->n_attrs; i++)
		if (msg->attrs[i].type == type && !msg->attrs[i].ignored)
			return &msg->attrs[i];
	return NULL;
}

/* Problems that mean the bytes are not a STUN message one can answer:
 * RFC 8489 6.3 says such messages are discarded silently. */
static bool framing_problem(enum rtclab_stun_error code)
{
	switch (code) {
	case RTCLAB_STUN_E_NOT_STUN:
	case RTCLAB_STUN_E_TRUNCATED_HEADER:
	case RTCLAB_STUN_E_LENGTH_NOT_ALIGNED:
	case RTCLAB_STUN_E_TRUNCATED:
	case RTCLAB_STUN_E_TRAILING_BYTES:
	case RTCLAB_STUN_E_ATTR_HEADER_TRUNCATED:
	case RTCLAB_STUN_E_ATTR_OVERRUN:
	case RTCLAB_STUN_E_ATTR_PADDING_MISSING:
		return true;
	default:
		return false;
	}
}

/* Problems a receiver ignores: attributes after MESSAGE-INTEGRITY (RFC 8489
 * 14.5) and reserved bits (RFC 8656 18.8: RFFU bits ignored on reception). */
static bool harmless_problem(enum rtclab_stun_error code)
{
	return code == RTCLAB_STUN_E_AFTER_INTEGRITY || code == RTCLAB_STUN_E_BAD_RESERVED;
}

static void judge_problems(const struct rtclab_stun_msg *msg, struct rtclab_srv_judged_ *out)
{
	for (size_t i = 0; i < msg->n_problems; i++) {
		const struct rtclab_stun_problem *p = &msg->problems[i];
		if (framing_problem(p->code)) {
			out->verdict = RTCLAB_SRV_DISCARD_;
			snprintf(out->why, sizeof out->why, "not a well-formed STUN message (%s)",
				 rtclab_stun_error_str(p->code));
			return;
		}
		if (p->code == RTCLAB_STUN_E_UNKNOWN_REQUIRED) {
			if (out->n_unknown < RTCLAB_SRV_MAX_UNKNOWN)
				out->unknown[out->n_unknown++] = p->attr_type;
		} else if (!harmless_problem(p->code) && out->verdict == RTCLAB_SRV_SERVE_) {
			out->verdict = RTCLAB_SRV_BAD_REQUEST_;
			rtclab_stun_problem_format(p, out->why, sizeof out->why);
		}
	}
	if (out->verdict == RTCLAB_SRV_SERVE_ && out->n_unknown)
		out->verdict = RTCLAB_SRV_UNKNOWN_ATTR_;
}

void rtclab_srv_judge_(struct rtclab_stun_msg *msg, const void *buf, size_t len, struct rtclab_srv_judged_ *out)
{
	memset(out, 0, sizeof *out);
	rtclab_stun_decode(msg, buf, len);
	judge_problems(msg, out);
	if (out->verdict == RTCLAB_SRV_DISCARD_)
		return;
	if (msg->fingerprint_offset != SIZE_MAX) {
		/* RFC 8489 7.3: a wrong FINGERPRINT means it is not STUN at all */
		if (rtclab_stun_check_fingerprint(msg) != RTCLAB_STUN_CHECK_OK) {
			out->verdict = RTCLAB_SRV_DISCARD_;
			snprintf(out->why, sizeof out->why, "its FINGERPRINT does not match (RFC 8489 7.3)");
			return;
		}
		out->fingerprint = true;
	}
	if (msg->cls != RTCLAB_STUN_REQUEST && out->verdict != RTCLAB_SRV_SERVE_) {
		/* RFC 8489 6.3.2, 6.3.3: only requests get error responses */
		if (out->verdict == RTCLAB_SRV_UNKNOWN_ATTR_)
			snprintf(out->why, sizeof out->why, "a %s with unknown comprehension-required attributes",
				 rtclab_stun_class_name(msg->cls));
		out->verdict = RTCLAB_SRV_DISCARD_;
	}
}

void rtclab_srv_begin_response_(struct rtclab_stun_encoder *e, void *buf, size_t cap,
				const struct rtclab_stun_msg *req, enum rtclab_stun_class cls, const char *software)
{
	/* A classic RFC 3489 transaction ID is 16 bytes: the encoder writes the
	 * cookie and the last 12, and the first 4 go where the cookie was. */
	const uint8_t *tid = req->transaction_id + (req->transaction_id_len - 12);
	rtclab_stun_enc_begin(e, buf, cap, req->method, cls, tid);
	if (req->transaction_id_len == 16 && !e->error)
		memcpy(e->w.base + 4, req->transaction_id, 4);
	if (software)
		rtclab_srv_add_text_(e, RTCLAB_STUN_ATTR_SOFTWARE, software);
}

void rtclab_srv_add_error_code_(struct rtclab_stun_encoder *e, uint16_t code)
{
	struct rtclab_stun_attr a = {.type = RTCLAB_STUN_ATTR_ERROR_CODE};
	const char *reason = rtclab_stun_error_code_reason(code);
	if (!reason)
		reason = "";
	a.v.error.code = code;
	a.v.error.reason.ptr = (const uint8_t *)reason;
	a.v.error.reason.len = strlen(reason);
	rtclab_stun_enc_attr(e, &a);
}

void rtclab_srv_add_unknown_(struct rtclab_stun_encoder *e, const uint16_t *types, size_t n)
{
	uint8_t v[2 * RTCLAB_SRV_MAX_UNKNOWN];
	if (n > RTCLAB_SRV_MAX_UNKNOWN)
		n = RTCLAB_SRV_MAX_UNKNOWN;
	for (size_t i = 0; i < n; i++) {
		v[2 * i] = (uint8_t)(types[i] >> 8);
		v[2 * i + 1] = (uint8_t)types[i];
	}
	rtclab_stun_enc_raw(e, RTCLAB_STUN_ATTR_UNKNOWN_ATTRIBUTES, v, 2 * n);
}

void rtclab_srv_add_addr_(struct rtclab_stun_encoder *e, uint16_t type, const struct rtclab_addr *addr)
{
	struct rtclab_stun_attr a = {.type = type};
	a.v.addr = *addr;
	rtclab_stun_enc_attr(e, &a);
}

void rtclab_srv_add_u32_(struct rtclab_stun_encoder *e, uint16_t type, uint32_t v)
{
	struct rtclab_stun_attr a = {.type = type};
	a.v.u32 = v;
	rtclab_stun_enc_attr(e, &a);
}

void rtclab_srv_add_text_(struct rtclab_stun_encoder *e, uint16_t type, const char *text)
{
	struct rtclab_stun_attr a = {.type = type};
	a.v.text.ptr = (const uint8_t *)text;
	a.v.text.len = strlen(text);
	if (type == RTCLAB_STUN_ATTR_NONCE) /* NONCE keeps its text in v.nonce */
		a.v.nonce.text = a.v.text;
	rtclab_stun_enc_attr(e, &a);
}

/* --- the server -------------------------------------------------------------------- */

struct rtclab_stun_server {
	struct rtclab_addr primary, alternate;
	bool rfc5780;
	char *software;
	rtclab_send_fn send;
	void *send_arg;
	rtclab_server_event_fn on_event;
	void *event_arg;
	uint8_t buf[1024]; /* a response: header, addresses, SOFTWARE, FINGERPRINT */
};

static bool addr_usable(const struct rtclab_addr *a)
{
	return (a->family == RTCLAB_FAMILY_IPV4 || a->family == RTCLAB_FAMILY_IPV6) && a->port != 0;
}

static bool same_ip(const struct rtclab_addr *a, const struct rtclab_addr *b)
{
	size_t n = a->family == RTCLAB_FAMILY_IPV4 ? 4 : 16;
	return a->family == b->family && memcmp(a->ip, b->ip, n) == 0;
}

static enum rtclab_server_error check_config(const struct rtclab_stun_server_config *cfg)
{
	if (!addr_usable(&cfg->primary))
		return RTCLAB_SERVER_E_NO_ADDRESS;
	if (!cfg->send)
		return RTCLAB_SERVER_E_NO_SEND;
	if (cfg->alternate.family == RTCLAB_FAMILY_NONE)
		return RTCLAB_SERVER_OK;
	/* RFC 5780 4.1: two IP addresses and two ports */
	if (!addr_usable(&cfg->alternate) || cfg->alternate.family != cfg->primary.family ||
	    same_ip(&cfg->primary, &cfg->alternate) ||
	    cfg->primary.port == cfg->alternate.port)
		return RTCLAB_SERVER_E_ALTERNATE;
	return RTCLAB_SERVER_OK;
}

enum rtclab_server_error rtclab_stun_server_new(const struct rtclab_stun_server_config *cfg,
						struct rtclab_stun_server **out)
{
	*out = NULL;
	enum rtclab_server_error err = check_config(cfg);
	if (err)
		return err;
	struct rtclab_stun_server *s = calloc(1, sizeof *s);
	if (!s)
		return RTCLAB_SERVER_E_NO_MEMORY;
	if (cfg->software && !(s->software = strdup(cfg->software))) {
		free(s);
		return RTCLAB_SERVER_E_NO_MEMORY;
	}
	s->primary = cfg->primary;
	s->alternate = cfg->alternate;
	s->rfc5780 = cfg->alternate.family != RTCLAB_FAMILY_NONE;
	s->send = cfg->send;
	s->send_arg = cfg->send_arg;
	s->on_event = cfg->on_event;
	s->event_arg = cfg->event_arg;
	*out = s;
	return RTCLAB_SERVER_OK;
}

void rtclab_stun_server_free(struct rtclab_stun_server *srv)
{
	if (!srv)
		return;
	free(srv->software);
	free(srv);
}

/* The transport address with ip_of's IP address and port_of's port. */
static struct rtclab_addr combine(const struct rtclab_addr *ip_of, const struct rtclab_addr *port_of)
{
	struct rtclab_addr a = *ip_of;
	a.port = port_of->port;
	return a;
}

size_t rtclab_stun_server_addresses(const struct rtclab_stun_server *srv, struct rtclab_addr *out, size_t cap)
{
	struct rtclab_addr all[4] = {srv->primary};
	size_t n = 1;
	if (srv->rfc5780) {
		all[1] = combine(&srv->primary, &srv->alternate);
		all[2] = combine(&srv->alternate, &srv->primary);
		all[3] = srv->alternate;
		n = 4;
	}
	for (size_t i = 0; i < n && i < cap; i++)
		out[i] = all[i];
	return n;
}

/* Whether local is one of the addresses the server listens on. */
static bool is_ours(const struct rtclab_stun_server *srv, const struct rtclab_addr *local)
{
	struct rtclab_addr all[4];
	size_t n = rtclab_stun_server_addresses(srv, all, 4);
	for (size_t i = 0; i < n; i++)
		if (rtclab_addr_equal(&all[i], local))
			return true;
	return false;
}

/* RFC 5780 7.4: OTHER-ADDRESS differs from the address the request
 * arrived at in both IP address and port. */
static struct rtclab_addr other_of(const struct rtclab_stun_server *srv, const struct rtclab_addr *local)
{
	const struct rtclab_addr *ip = same_ip(local, &srv->primary) ? &srv->alternate : &srv->primary;
	const struct rtclab_addr *port = local->port == srv->primary.port ? &srv->alternate : &srv->primary;
	return combine(ip, port);
}

/* RFC 5780 6.1: the response leaves from the other IP address and/or port
 * when CHANGE-REQUEST asks for it. */
static struct rtclab_addr response_origin(const struct rtclab_stun_server *srv, const struct rtclab_addr *local,
					  const struct rtclab_stun_attr *change)
{
	struct rtclab_addr origin = *local;
	if (!change || !change->ok)
		return origin;
	struct rtclab_addr other = other_of(srv, local);
	if (change->v.change.change_ip)
		memcpy(origin.ip, other.ip, sizeof origin.ip);
	if (change->v.change.change_port)
		origin.port = other.port;
	return origin;
}

struct reply {
	struct rtclab_stun_server *srv;
	rtclab_time_ns now;
	const struct rtclab_addr *local, *src;
	const struct rtclab_stun_msg *req;
	bool fingerprint;
};

static void finish_and_send(const struct reply *r, struct rtclab_stun_encoder *e, const struct rtclab_addr *from,
			    const struct rtclab_addr *to)
{
	/* RFC 8489 7.3: FINGERPRINT in the response when the request had one */
	if (r->fingerprint && r->req->magic_cookie)
		rtclab_stun_enc_fingerprint(e);
	size_t n = rtclab_stun_enc_end(e);
	if (n)
		r->srv->send(r->srv->send_arg, r->now, RTCLAB_L4_UDP, from, to, r->srv->buf, n);
}

static void reply_error(const struct reply *r, uint16_t code, const uint16_t *unknown, size_t n_unknown,
			const char *why)
{
	struct rtclab_stun_encoder e;
	rtclab_srv_begin_response_(&e, r->srv->buf, sizeof r->srv->buf, r->req, RTCLAB_STUN_ERROR, r->srv->software);
	rtclab_srv_add_error_code_(&e, code);
	if (n_unknown)
		rtclab_srv_add_unknown_(&e, unknown, n_unknown);
	finish_and_send(r, &e, r->local, r->src);
	struct rtclab_server_event ev = {.kind = RTCLAB_SERVER_EV_REJECTED, .now = r->now, .l4 = RTCLAB_L4_UDP,
					 .client = *r->src, .server = *r->local, .method = r->req->method,
					 .error_code = code};
	rtclab_srv_emit_(r->srv->on_event, r->srv->event_arg, &ev, "The STUN server answered %d %s: %s.", code,
			 rtclab_stun_error_code_reason(code), why);
}

static void reply_binding(const struct reply *r)
{
	struct rtclab_stun_server *srv = r->srv;
	const struct rtclab_stun_attr *change = rtclab_srv_find_(r->req, RTCLAB_STUN_ATTR_CHANGE_REQUEST);
	const struct rtclab_stun_attr *rport = rtclab_srv_find_(r->req, RTCLAB_STUN_ATTR_RESPONSE_PORT);
	struct rtclab_addr from = response_origin(srv, r->local, change);
	struct rtclab_addr to = *r->src;
	if (rport && rport->ok) /* RFC 5780 7.5: the response goes to this port */
		to.port = (uint16_t)rport->v.u32;

	struct rtclab_stun_encoder e;
	rtclab_srv_begin_response_(&e, srv->buf, sizeof srv->buf, r->req, RTCLAB_STUN_SUCCESS, srv->software);
	/* RFC 8489 12.2: a client without the magic cookie (RFC 3489) gets MAPPED-ADDRESS */
	rtclab_srv_add_addr_(&e, r->req->magic_cookie ? RTCLAB_STUN_ATTR_XOR_MAPPED_ADDRESS : RTCLAB_STUN_ATTR_MAPPED_ADDRESS,
			     r->src);
	if (srv->rfc5780) {
		struct rtclab_addr other = other_of(srv, r->local);
		rtclab_srv_add_addr_(&e, RTCLAB_STUN_ATTR_RESPONSE_ORIGIN, &from);
		rtclab_srv_add_addr_(&e, RTCLAB_STUN_ATTR_OTHER_ADDRESS, &other);
	}
	finish_and_send(r, &e, &from, &to);

	char a[RTCLAB_ADDR_STRLEN], b[RTCLAB_ADDR_STRLEN];
	struct rtclab_server_event ev = {.kind = RTCLAB_SERVER_EV_BINDING, .now = r->now, .l4 = RTCLAB_L4_UDP,
					 .client = *r->src, .server = *r->local, .method = RTCLAB_STUN_BINDING};
	if (rtclab_addr_equal(&from, r->local) && to.port == r->src->port)
		rtclab_srv_emit_(srv->on_event, srv->event_arg, &ev,
				 "The STUN server told the client its public address, %s, as it saw it.",
				 rtclab_srv_addr_(r->src, a));
	else
		rtclab_srv_emit_(srv->on_event, srv->event_arg, &ev,
				 "The STUN server told the client its public address, %s, answering from %s as "
				 "CHANGE-REQUEST or RESPONSE-PORT asked (RFC 5780).",
				 rtclab_srv_addr_(r->src, a), rtclab_srv_addr_(&from, b));
}

static void discard(struct rtclab_stun_server *srv, rtclab_time_ns now, enum rtclab_l4 l4,
		    const struct rtclab_addr *local, const struct rtclab_addr *src, const char *why)
{
	struct rtclab_server_event ev = {.kind = RTCLAB_SERVER_EV_DISCARDED, .now = now, .l4 = l4, .client = *src,
					 .server = *local};
	rtclab_srv_emit_(srv->on_event, srv->event_arg, &ev, "The STUN server ignored what arrived: %s.", why);
}

/* A request that is well formed: Binding only, and CHANGE-REQUEST only
 * with an alternate address (RFC 5780 7.2: otherwise 420). */
static void serve(const struct reply *r)
{
	if (r->req->method != RTCLAB_STUN_BINDING) {
		reply_error(r, 400, NULL, 0, "a STUN server only answers Binding requests");
		return;
	}
	if (!r->srv->rfc5780 && rtclab_srv_find_(r->req, RTCLAB_STUN_ATTR_CHANGE_REQUEST)) {
		uint16_t t = RTCLAB_STUN_ATTR_CHANGE_REQUEST;
		reply_error(r, 420, &t, 1, "it has no second address, so it cannot honour CHANGE-REQUEST (RFC 5780 7.2)");
		return;
	}
	reply_binding(r);
}

void rtclab_stun_server_receive(struct rtclab_stun_server *srv, rtclab_time_ns now, enum rtclab_l4 l4,
				const struct rtclab_addr *local, const struct rtclab_addr *src, const void *data,
				size_t len)
{
	if (l4 != RTCLAB_L4_UDP) {
		discard(srv, now, l4, local, src, "this STUN server only serves UDP");
		return;
	}
	if (!is_ours(srv, local)) {
		discard(srv, now, l4, local, src, "it was sent to an address the server does not listen on");
		return;
	}
	struct rtclab_stun_msg msg;
	struct rtclab_srv_judged_ j;
	rtclab_srv_judge_(&msg, data, len, &j);
	if (j.verdict == RTCLAB_SRV_DISCARD_) {
		discard(srv, now, l4, local, src, j.why);
		return;
	}
	if (msg.cls != RTCLAB_STUN_REQUEST) {
		char why[96];
		snprintf(why, sizeof why, "a %s needs no answer", rtclab_stun_class_name(msg.cls));
		discard(srv, now, l4, local, src, why);
		return;
	}
	struct reply r = {srv, now, local, src, &msg, j.fingerprint};
	if (j.verdict == RTCLAB_SRV_BAD_REQUEST_)
		reply_error(&r, 400, NULL, 0, j.why);
	else if (j.verdict == RTCLAB_SRV_UNKNOWN_ATTR_)
		reply_error(&r, 420, j.unknown, j.n_unknown, "the request has comprehension-required attributes it does not know");
	else
		serve(&r);
}
