/* The timeline model as JSON (docs/json.md, "rtclab replay --json"), and
 * the names of its enumerations used by the JSON and the text renderers. */
#include <stdint.h>

#include <jansson.h>

#include "rtclab/demux.h"
#include "rtclab/story.h"
#include "rtclab/timeline.h"

/* --- names ------------------------------------------------------------------------- */

const char *rtclab_tl_role_name(enum rtclab_tl_role r)
{
	switch (r) {
	case RTCLAB_TL_OFFERER: return "offerer";
	case RTCLAB_TL_ANSWERER: return "answerer";
	case RTCLAB_TL_ROLE_UNKNOWN: break;
	}
	return "unknown";
}

const char *rtclab_tl_ice_role_name(enum rtclab_tl_ice_role r)
{
	switch (r) {
	case RTCLAB_TL_CONTROLLING: return "controlling";
	case RTCLAB_TL_CONTROLLED: return "controlled";
	case RTCLAB_TL_ICE_UNKNOWN: break;
	}
	return "unknown";
}

const char *rtclab_tl_cand_source_name(enum rtclab_tl_cand_source s)
{
	switch (s) {
	case RTCLAB_TL_FROM_SDP: return "sdp";
	case RTCLAB_TL_FROM_TRICKLE: return "trickle";
	case RTCLAB_TL_FROM_STUN: return "stun";
	case RTCLAB_TL_FROM_TURN: return "turn";
	case RTCLAB_TL_FROM_CHECK: return "check";
	}
	return "unknown";
}

const char *rtclab_tl_pair_state_name(enum rtclab_tl_pair_state s)
{
	switch (s) {
	case RTCLAB_TL_FROZEN: return "frozen";
	case RTCLAB_TL_WAITING: return "waiting";
	case RTCLAB_TL_IN_PROGRESS: return "in-progress";
	case RTCLAB_TL_SUCCEEDED: return "succeeded";
	case RTCLAB_TL_FAILED: return "failed";
	}
	return "unknown";
}

const char *rtclab_tl_node_kind_name(enum rtclab_tl_node_kind k)
{
	switch (k) {
	case RTCLAB_TL_NODE_PEER: return "peer";
	case RTCLAB_TL_NODE_SIGNALING: return "signaling";
	case RTCLAB_TL_NODE_STUN: return "stun";
	case RTCLAB_TL_NODE_TURN: return "turn";
	case RTCLAB_TL_NODE_NAT: return "nat";
	case RTCLAB_TL_NODE_OTHER: break;
	}
	return "other";
}

const char *rtclab_tl_check_result_name(enum rtclab_tl_check_result r)
{
	switch (r) {
	case RTCLAB_TL_NO_RESPONSE: return "no-response";
	case RTCLAB_TL_SUCCESS: return "success";
	case RTCLAB_TL_ERROR: return "error";
	case RTCLAB_TL_TIMEOUT: return "timeout";
	}
	return "unknown";
}

const char *rtclab_tl_auth_name(enum rtclab_tl_auth a)
{
	switch (a) {
	case RTCLAB_TL_AUTH_OK: return "ok";
	case RTCLAB_TL_AUTH_BAD: return "bad";
	case RTCLAB_TL_AUTH_ABSENT: return "absent";
	case RTCLAB_TL_AUTH_UNKNOWN: break;
	}
	return "unknown";
}

const char *rtclab_tl_step_kind_name(enum rtclab_tl_step_kind k)
{
	switch (k) {
	case RTCLAB_TL_EV_SIGNALING: return "signaling";
	case RTCLAB_TL_EV_OFFER: return "offer";
	case RTCLAB_TL_EV_ANSWER: return "answer";
	case RTCLAB_TL_EV_DESCRIPTIONS_SET: return "descriptions-set";
	case RTCLAB_TL_EV_CANDIDATE: return "candidate";
	case RTCLAB_TL_EV_END_OF_CANDIDATES: return "end-of-candidates";
	case RTCLAB_TL_EV_STUN_SERVER: return "stun-server";
	case RTCLAB_TL_EV_TURN: return "turn";
	case RTCLAB_TL_EV_CHECK: return "check";
	case RTCLAB_TL_EV_CHECK_RESPONSE: return "check-response";
	case RTCLAB_TL_EV_NOMINATION: return "nomination";
	case RTCLAB_TL_EV_ROLE_CONFLICT: return "role-conflict";
	case RTCLAB_TL_EV_DTLS: return "dtls";
	case RTCLAB_TL_EV_MEDIA: return "media";
	case RTCLAB_TL_EV_CONSENT: return "consent";
	case RTCLAB_TL_EV_NOTE: return "note";
	case RTCLAB_TL_EV_NAT: return "nat";
	}
	return "note";
}

const char *rtclab_tl_desc_source_name(enum rtclab_tl_desc_source s)
{
	switch (s) {
	case RTCLAB_TL_DESC_CAPTURE: return "capture";
	case RTCLAB_TL_DESC_FILE: return "file";
	case RTCLAB_TL_DESC_WEBRTC_INTERNALS: return "webrtc-internals";
	case RTCLAB_TL_DESC_NONE: break;
	}
	return "none";
}

/* --- values ------------------------------------------------------------------------ */

/* Seconds as a real to the microsecond, as `rtclab dump --json` writes "ts".
 * Times are never 0 in a capture: 0 (or less) means "not from the capture"
 * (a description supplied with --sdp), written as null. */
static json_t *seconds(int64_t ns)
{
	if (ns <= 0)
		return json_null();
	return json_real((double)(ns / 1000) / 1e6);
}

static json_t *relative(int64_t ns, int64_t first_ns)
{
	if (ns <= 0 || first_ns <= 0)
		return json_null();
	return json_real((double)((ns - first_ns) / 1000) / 1e6);
}

/* "time" and "t" of one moment of a session. */
static void set_time(json_t *o, const char *time_key, const char *t_key, int64_t ns, int64_t first_ns)
{
	json_object_set_new(o, time_key, seconds(ns));
	json_object_set_new(o, t_key, relative(ns, first_ns));
}

static json_t *addr_json(const struct rtclab_addr *a)
{
	char buf[RTCLAB_ADDR_STRLEN];
	if (a->family != RTCLAB_FAMILY_IPV4 && a->family != RTCLAB_FAMILY_IPV6)
		return json_null();
	return json_string(rtclab_addr_format(a, buf, sizeof buf));
}

/* A string that may be empty: null then.  json_string() refuses text that
 * is not UTF-8; the model's text comes from the wire, so fall back. */
static json_t *text_or_null(const char *s)
{
	if (!s || !*s)
		return json_null();
	json_t *j = json_string(s);
	return j ? j : json_string("?");
}

static json_t *text(const char *s)
{
	json_t *j = json_string(s ? s : "");
	return j ? j : json_string("?");
}

static json_t *integer(uint64_t v)
{
	return json_integer(v > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)v);
}

static const char *transport_name(enum rtclab_cand_transport t)
{
	return t == RTCLAB_CAND_TCP ? "tcp" : "udp";
}

static const char *l4_name(enum rtclab_l4 l4)
{
	return l4 == RTCLAB_L4_TCP ? "tcp" : l4 == RTCLAB_L4_UDP ? "udp" : NULL;
}

static json_t *node_name(const struct rtclab_tl_session *s, int node)
{
	if (node < 0 || (size_t)node >= s->n_nodes)
		return json_null();
	return text(s->nodes[node].name);
}

static json_t *peer_name(const struct rtclab_tl_session *s, int peer)
{
	if (peer < 0 || (size_t)peer >= s->n_peers)
		return json_null();
	return text(s->peers[peer].name);
}

/* --- objects ----------------------------------------------------------------------- */

static json_t *generations_json(const struct rtclab_tl_session *s)
{
	json_t *a = json_array();
	for (size_t i = 0; i < s->n_generations && i < sizeof s->generations / sizeof s->generations[0]; i++) {
		const struct rtclab_tl_generation *g = &s->generations[i];
		json_t *o = json_object();
		json_object_set_new(o, "offer_ufrag", text_or_null(g->offer_ufrag));
		json_object_set_new(o, "answer_ufrag", text_or_null(g->answer_ufrag));
		set_time(o, "time", "t", g->time_ns, s->first_ns);
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *peer_json(const struct rtclab_tl_session *s, const struct rtclab_tl_peer *p)
{
	json_t *o = json_object();
	json_object_set_new(o, "name", text(p->name));
	json_object_set_new(o, "role", json_string(rtclab_tl_role_name(p->role)));
	json_object_set_new(o, "ice_role", json_string(rtclab_tl_ice_role_name(p->ice_role)));
	json_object_set_new(o, "ufrag", text_or_null(p->ufrag));
	json_t *eps = json_array();
	for (size_t i = 0; i < p->n_endpoints && i < RTCLAB_TL_MAX_ENDPOINTS; i++)
		json_array_append_new(eps, addr_json(&p->endpoints[i]));
	json_object_set_new(o, "endpoints", eps);
	json_object_set_new(o, "has_pwd", json_boolean(p->has_pwd));
	json_object_set_new(o, "setup", text_or_null(p->setup));
	json_object_set_new(o, "ice_lite", json_boolean(p->ice_lite));
	json_t *d = json_object();
	json_object_set_new(d, "source", json_string(rtclab_tl_desc_source_name(p->desc_source)));
	json_object_set_new(d, "file", text_or_null(p->desc_file));
	json_object_set_new(o, "description", d);
	json_object_set_new(o, "signaling", p->has_signaling ? addr_json(&p->signaling) : json_null());
	json_object_set_new(o, "end_of_candidates", json_boolean(p->end_of_candidates));
	json_object_set_new(o, "checks_sent", integer(p->checks_sent));
	json_object_set_new(o, "checks_answered", integer(p->checks_answered));
	json_object_set_new(o, "node", json_integer(p->node));
	(void)s;
	return o;
}

static json_t *node_json(const struct rtclab_tl_node *n)
{
	json_t *o = json_object();
	json_object_set_new(o, "name", text(n->name));
	json_object_set_new(o, "kind", json_string(rtclab_tl_node_kind_name(n->kind)));
	json_object_set_new(o, "address", addr_json(&n->addr));
	const char *l4 = n->kind == RTCLAB_TL_NODE_PEER ? NULL : l4_name(n->transport);
	json_object_set_new(o, "transport", l4 ? json_string(l4) : json_null());
	return o;
}

/* Signaling, STUN and TURN servers: the nodes that are not peers. */
static json_t *servers_json(const struct rtclab_tl_session *s)
{
	json_t *a = json_array();
	for (size_t i = 0; i < s->n_nodes; i++) {
		const struct rtclab_tl_node *n = &s->nodes[i];
		if (n->kind != RTCLAB_TL_NODE_SIGNALING && n->kind != RTCLAB_TL_NODE_STUN && n->kind != RTCLAB_TL_NODE_TURN)
			continue;
		json_t *o = json_object();
		json_object_set_new(o, "kind", json_string(rtclab_tl_node_kind_name(n->kind)));
		json_object_set_new(o, "address", addr_json(&n->addr));
		json_object_set_new(o, "name", text(n->name));
		const char *l4 = l4_name(n->transport);
		json_object_set_new(o, "transport", l4 ? json_string(l4) : json_null());
		json_object_set_new(o, "node", json_integer((json_int_t)i));
		json_array_append_new(a, o);
	}
	return a;
}

/* "ip:port", or "name:port" for a candidate whose address is a name (mDNS). */
static json_t *cand_address(const struct rtclab_tl_candidate *c)
{
	if (c->addr.family == RTCLAB_FAMILY_IPV4 || c->addr.family == RTCLAB_FAMILY_IPV6)
		return addr_json(&c->addr);
	if (!c->name[0])
		return json_null();
	char buf[sizeof c->name + 8];
	snprintf(buf, sizeof buf, "%s:%u", c->name, c->addr.port);
	return text(buf);
}

static json_t *candidate_json(const struct rtclab_tl_session *s, const struct rtclab_tl_candidate *c)
{
	json_t *o = json_object();
	json_object_set_new(o, "peer", peer_name(s, c->peer));
	json_object_set_new(o, "type", json_string(rtclab_cand_type_name(c->type)));
	json_object_set_new(o, "transport", json_string(transport_name(c->transport)));
	json_object_set_new(o, "address", cand_address(c));
	json_object_set_new(o, "priority", json_integer(c->priority));
	json_object_set_new(o, "source", json_string(rtclab_tl_cand_source_name(c->source)));
	set_time(o, "time", "t", c->time_ns, s->first_ns);
	json_object_set_new(o, "frame", c->frame ? integer(c->frame) : json_null());
	json_object_set_new(o, "foundation", text_or_null(c->foundation));
	json_object_set_new(o, "related", c->has_related ? addr_json(&c->related) : json_null());
	json_object_set_new(o, "server", addr_json(&c->server));
	return o;
}

static json_t *rtt_ms(int64_t ns)
{
	return ns < 0 ? json_null() : json_real((double)ns / 1e6);
}

static json_t *check_json(const struct rtclab_tl_session *s, const struct rtclab_tl_check *c)
{
	char txn[25];
	for (size_t i = 0; i < 12; i++)
		snprintf(txn + 2 * i, 3, "%02x", c->transaction_id[i]);
	json_t *o = json_object();
	json_object_set_new(o, "transaction_id", json_string(txn));
	json_object_set_new(o, "frame", c->frame ? integer(c->frame) : json_null());
	set_time(o, "time", "t", c->time_ns, s->first_ns);
	json_object_set_new(o, "transmissions", json_integer(c->transmissions));
	json_object_set_new(o, "use_candidate", json_boolean(c->use_candidate));
	json_object_set_new(o, "ice_role", json_string(rtclab_tl_ice_role_name(c->role)));
	json_object_set_new(o, "priority", c->priority ? json_integer(c->priority) : json_null());
	json_object_set_new(o, "consent", json_boolean(c->consent));
	json_object_set_new(o, "via", c->via == RTCLAB_TUNNEL_NONE ? json_null() : json_string(rtclab_tunnel_via_name(c->via)));
	json_object_set_new(o, "request_auth", json_string(rtclab_tl_auth_name(c->request_auth)));
	json_object_set_new(o, "response_auth", json_string(rtclab_tl_auth_name(c->response_auth)));
	json_object_set_new(o, "result", json_string(rtclab_tl_check_result_name(c->result)));
	json_object_set_new(o, "error_code", c->result == RTCLAB_TL_ERROR ? json_integer(c->error_code) : json_null());
	json_object_set_new(o, "response_frame", c->response_frame ? integer(c->response_frame) : json_null());
	bool answered = c->result == RTCLAB_TL_SUCCESS || c->result == RTCLAB_TL_ERROR;
	json_object_set_new(o, "rtt_ms", answered && c->response_time_ns >= c->time_ns
						 ? rtt_ms(c->response_time_ns - c->time_ns)
						 : json_null());
	json_object_set_new(o, "mapped", c->has_mapped ? addr_json(&c->mapped) : json_null());
	return o;
}

static json_t *cand_type_of(const struct rtclab_tl_session *s, int cand)
{
	if (cand < 0 || (size_t)cand >= s->n_candidates)
		return json_null();
	return json_string(rtclab_cand_type_name(s->candidates[cand].type));
}

static json_t *pair_json(const struct rtclab_tl_session *s, const struct rtclab_tl_pair *p)
{
	json_t *o = json_object();
	json_object_set_new(o, "peer", peer_name(s, p->peer));
	json_object_set_new(o, "local", addr_json(&p->local));
	json_object_set_new(o, "remote", addr_json(&p->remote));
	json_object_set_new(o, "transport", json_string(transport_name(p->transport)));
	json_object_set_new(o, "local_candidate", cand_type_of(s, p->local_cand));
	json_object_set_new(o, "remote_candidate", cand_type_of(s, p->remote_cand));
	json_object_set_new(o, "state", json_string(rtclab_tl_pair_state_name(p->state)));
	json_object_set_new(o, "nominated", json_boolean(p->nominated));
	json_object_set_new(o, "selected", json_boolean(p->selected));
	json_object_set_new(o, "checks", integer(p->n_checks));
	json_object_set_new(o, "requests", integer(p->n_requests));
	json_object_set_new(o, "retransmissions", integer(p->n_requests > p->n_checks ? p->n_requests - p->n_checks : 0));
	json_object_set_new(o, "successes", integer(p->n_success));
	json_object_set_new(o, "errors", integer(p->n_errors));
	json_object_set_new(o, "timeouts", integer(p->n_timeouts));
	json_object_set_new(o, "consent_checks", integer(p->n_consent));
	json_t *auth = json_object();
	json_object_set_new(auth, "ok", integer(p->n_auth_ok));
	json_object_set_new(auth, "bad", integer(p->n_auth_bad));
	json_object_set_new(o, "authentic", auth);
	json_object_set_new(o, "rtt_ms", rtt_ms(p->rtt_ns));
	set_time(o, "first_check", "first_check_t", p->first_check_ns, s->first_ns);
	set_time(o, "succeeded", "succeeded_t", p->success_ns, s->first_ns);
	set_time(o, "nominated_time", "nominated_t", p->nominated ? p->nominated_ns : 0, s->first_ns);
	json_t *checks = json_array();
	for (size_t i = 0; i < p->n_kept && i < RTCLAB_TL_PAIR_CHECKS; i++)
		json_array_append_new(checks, check_json(s, &p->checks[i]));
	json_object_set_new(o, "transactions", checks);
	return o;
}

static json_t *selected_json(const struct rtclab_tl_session *s)
{
	const struct rtclab_tl_selected *sel = &s->selected;
	if (!sel->has)
		return json_null();
	json_t *o = json_object();
	json_object_set_new(o, "local", addr_json(&sel->local));
	json_object_set_new(o, "remote", addr_json(&sel->remote));
	json_object_set_new(o, "local_type",
			    sel->local_type_known ? json_string(rtclab_cand_type_name(sel->local_type)) : json_null());
	json_object_set_new(o, "remote_type",
			    sel->remote_type_known ? json_string(rtclab_cand_type_name(sel->remote_type)) : json_null());
	json_object_set_new(o, "transport", json_string(transport_name(sel->transport)));
	json_object_set_new(o, "relayed", json_boolean(sel->relayed));
	json_object_set_new(o, "via", sel->via == RTCLAB_TUNNEL_NONE ? json_null() : json_string(rtclab_tunnel_via_name(sel->via)));
	json_object_set_new(o, "pair", sel->pair >= 0 ? json_integer(sel->pair) : json_null());
	set_time(o, "time", "t", sel->time_ns, s->first_ns);
	json_object_set_new(o, "frame", sel->frame ? integer(sel->frame) : json_null());
	return o;
}

static json_t *dtls_json(const struct rtclab_tl_session *s)
{
	const struct rtclab_tl_dtls *d = &s->dtls;
	if (!d->seen)
		return json_null();
	json_t *o = json_object();
	json_object_set_new(o, "client", addr_json(&d->client));
	json_object_set_new(o, "server", addr_json(&d->server));
	json_object_set_new(o, "client_peer", peer_name(s, d->client_peer));
	json_object_set_new(o, "server_peer", peer_name(s, d->server_peer));
	json_object_set_new(o, "completed", json_boolean(d->completed));
	json_object_set_new(o, "client_hello_frame", d->client_hello_frame ? integer(d->client_hello_frame) : json_null());
	set_time(o, "start", "start_t", d->start_ns, s->first_ns);
	set_time(o, "done", "done_t", d->completed ? d->done_ns : 0, s->first_ns);
	json_object_set_new(o, "setup_ok", d->setup_checked ? json_boolean(d->setup_ok) : json_null());
	json_object_set_new(o, "setup_note", text_or_null(d->setup_note));
	return o;
}

static json_t *flow_json(const struct rtclab_tl_session *s)
{
	const struct rtclab_tl_flow *f = &s->flow;
	json_t *o = json_object();
	json_object_set_new(o, "packets", json_pack("[o,o]", integer(f->packets[0]), integer(f->packets[1])));
	json_object_set_new(o, "bytes", json_pack("[o,o]", integer(f->bytes[0]), integer(f->bytes[1])));
	json_object_set_new(o, "rtp", integer(f->rtp));
	json_object_set_new(o, "rtcp", integer(f->rtcp));
	json_object_set_new(o, "dtls_app", integer(f->dtls_app));
	json_object_set_new(o, "channeldata", integer(f->channeldata));
	set_time(o, "first", "first_t", f->first_ns, s->first_ns);
	set_time(o, "last", "last_t", f->last_ns, s->first_ns);
	return o;
}

static json_t *step_json(const struct rtclab_tl_session *s, size_t i, const struct rtclab_tl_step *st)
{
	json_t *o = json_object();
	json_object_set_new(o, "step", json_integer(st->step));
	json_object_set_new(o, "title", json_string(rtclab_step_title(st->step)));
	json_object_set_new(o, "index", json_integer((json_int_t)i));
	json_object_set_new(o, "kind", json_string(rtclab_tl_step_kind_name(st->kind)));
	set_time(o, "time", "t", st->time_ns, s->first_ns);
	json_object_set_new(o, "frame", st->frame ? integer(st->frame) : json_null());
	json_object_set_new(o, "from", node_name(s, st->from));
	json_object_set_new(o, "to", node_name(s, st->to));
	json_object_set_new(o, "pair", st->pair >= 0 && (size_t)st->pair < s->n_pairs ? json_integer(st->pair) : json_null());
	json_object_set_new(o, "what", text(st->what));
	json_object_set_new(o, "why", text(st->why));
	return o;
}

/* null, or when and whose consent freshness failed (RFC 7675 5.1) */
static json_t *consent_lost_json(const struct rtclab_tl_session *s)
{
	if (!s->consent_lost)
		return json_null();
	json_t *o = json_object();
	json_object_set_new(o, "peer", peer_name(s, s->consent_lost_peer));
	set_time(o, "time", "t", s->consent_lost_ns, s->first_ns);
	return o;
}

static json_t *session_json(const struct rtclab_tl_session *s)
{
	json_t *o = json_object(), *a;
	json_object_set_new(o, "id", text(s->id));
	json_object_set_new(o, "generations", generations_json(s));
	json_object_set_new(o, "first", seconds(s->first_ns));
	json_object_set_new(o, "last", seconds(s->last_ns));
	a = json_array();
	for (size_t i = 0; i < s->n_peers && i < 2; i++)
		json_array_append_new(a, peer_json(s, &s->peers[i]));
	json_object_set_new(o, "peers", a);
	a = json_array();
	for (size_t i = 0; i < s->n_nodes && i < sizeof s->nodes / sizeof s->nodes[0]; i++)
		json_array_append_new(a, node_json(&s->nodes[i]));
	json_object_set_new(o, "nodes", a);
	json_object_set_new(o, "servers", servers_json(s));
	a = json_array();
	for (size_t i = 0; i < s->n_candidates; i++)
		json_array_append_new(a, candidate_json(s, &s->candidates[i]));
	json_object_set_new(o, "candidates", a);
	a = json_array();
	for (size_t i = 0; i < s->n_pairs; i++)
		json_array_append_new(a, pair_json(s, &s->pairs[i]));
	json_object_set_new(o, "pairs", a);
	json_object_set_new(o, "selected_pair", selected_json(s));
	json_object_set_new(o, "dtls", dtls_json(s));
	if (s->flow.seen)
		json_object_set_new(o, "flow", flow_json(s));
	json_t *outcome = json_object();
	json_object_set_new(outcome, "connected", json_boolean(s->connected));
	json_object_set_new(outcome, "reason", text(s->outcome));
	json_object_set_new(outcome, "consent_lost", consent_lost_json(s));
	json_object_set_new(o, "outcome", outcome);
	a = json_array();
	for (size_t i = 0; i < s->n_steps; i++)
		json_array_append_new(a, step_json(s, i, &s->steps[i]));
	json_object_set_new(o, "steps", a);
	if (s->steps_dropped)
		json_object_set_new(o, "steps_dropped", integer(s->steps_dropped));
	a = json_array();
	for (size_t i = 0; i < s->n_missing && i < RTCLAB_TL_MAX_MISSING; i++)
		json_array_append_new(a, text(s->missing[i]));
	json_object_set_new(o, "missing", a);
	return o;
}

json_t *rtclab_timeline_json(const struct rtclab_timeline *tl)
{
	json_t *o = json_object(), *a = json_array();
	for (size_t i = 0; tl && i < tl->n_sessions; i++)
		json_array_append_new(a, session_json(tl->sessions[i]));
	json_object_set_new(o, "sessions", a);
	json_object_set_new(o, "events", integer(tl ? tl->events : 0));
	json_object_set_new(o, "datagrams", integer(tl ? tl->datagrams : 0));
	json_object_set_new(o, "signals", integer(tl ? tl->signals : 0));
	json_object_set_new(o, "first", seconds(tl ? tl->first_ns : 0));
	json_object_set_new(o, "last", seconds(tl ? tl->last_ns : 0));
	return o;
}
