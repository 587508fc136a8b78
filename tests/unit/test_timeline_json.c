/* The timeline model's JSON (lib/timeline_json.c) on a model built by hand:
 * every member and its type, the null cases; and the escaping of the
 * Mermaid and SVG renderers of the tools (tools/timeline_text.c, compiled
 * in here: the unit tests link only the library). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "rtclab/timeline.h"
#include "unit.h"

#include "../../tools/common.c"
#include "../../tools/timeline_text.c"

#define WEIRD "role; <conflict> & \"487\" #1: done"

static struct rtclab_timeline TL;
static struct rtclab_tl_session *S;

static void set_addr(struct rtclab_addr *a, uint8_t x, uint8_t y, uint16_t port)
{
	memset(a, 0, sizeof *a);
	a->family = RTCLAB_FAMILY_IPV4;
	a->ip[0] = 192;
	a->ip[1] = 0;
	a->ip[2] = x;
	a->ip[3] = y;
	a->port = port;
}

static void add_node(enum rtclab_tl_node_kind kind, const char *name, int peer, uint8_t y, uint16_t port)
{
	struct rtclab_tl_node *n = &S->nodes[S->n_nodes++];
	n->kind = kind;
	snprintf(n->name, sizeof n->name, "%s", name);
	n->peer = peer;
	n->transport = kind == RTCLAB_TL_NODE_SIGNALING ? RTCLAB_L4_TCP : RTCLAB_L4_UDP;
	if (kind != RTCLAB_TL_NODE_PEER)
		set_addr(&n->addr, 2, y, port);
}

static void add_step(enum rtclab_step step, enum rtclab_tl_step_kind kind, int64_t ms, uint64_t frame, int from,
		     int to, const char *what)
{
	struct rtclab_tl_step *st = &S->steps[S->n_steps++];
	st->step = step;
	st->kind = kind;
	st->time_ns = ms > 0 ? S->first_ns + ms * 1000000 : 0;
	st->frame = frame;
	st->from = from;
	st->to = to;
	st->pair = kind == RTCLAB_TL_EV_CHECK ? 0 : -1;
	snprintf(st->what, sizeof st->what, "%s", what);
	snprintf(st->why, sizeof st->why, "Because the %s has to happen before the peers can talk.", what);
}

static struct rtclab_tl_candidate *add_cand(int peer, enum rtclab_cand_type type, enum rtclab_tl_cand_source src,
					    uint8_t y, uint16_t port, uint32_t prio, int64_t ms)
{
	struct rtclab_tl_candidate *c = &S->candidates[S->n_candidates++];
	c->peer = peer;
	c->type = type;
	c->transport = RTCLAB_CAND_UDP;
	set_addr(&c->addr, 1, y, port);
	c->priority = prio;
	c->source = src;
	c->time_ns = S->first_ns + ms * 1000000;
	c->frame = (uint64_t)ms;
	snprintf(c->foundation, sizeof c->foundation, "%d", (int)port);
	return c;
}

/* Two peers, a signaling server and a STUN server; four candidates (one an
 * mDNS name of no known peer); two pairs, one selected; DTLS; steps that
 * include a self-loop and one with both ends unknown. */
static void build(void)
{
	memset(&TL, 0, sizeof TL);
	S = calloc(1, sizeof *S);
	CU_ASSERT_PTR_NOT_NULL_FATAL(S);
	S->candidates = calloc(8, sizeof *S->candidates);
	S->pairs = calloc(4, sizeof *S->pairs);
	S->steps = calloc(16, sizeof *S->steps);
	CU_ASSERT_FATAL(S->candidates && S->pairs && S->steps);
	S->cap_candidates = 8;
	S->cap_pairs = 4;
	S->cap_steps = 16;
	TL.sessions = &S;
	TL.n_sessions = 1;
	TL.first_ns = S->first_ns = 1700000000123456789LL;
	TL.last_ns = S->last_ns = S->first_ns + 900000000;
	TL.events = 40;
	TL.datagrams = 30;
	TL.signals = 6;

	snprintf(S->id, sizeof S->id, "nWnq:Zx9P");
	S->n_generations = 1;
	snprintf(S->generations[0].offer_ufrag, RTCLAB_TL_UFRAG_MAX, "nWnq");
	snprintf(S->generations[0].answer_ufrag, RTCLAB_TL_UFRAG_MAX, "Zx9P");
	S->generations[0].time_ns = S->first_ns;

	S->n_peers = 2;
	struct rtclab_tl_peer *a = &S->peers[0], *b = &S->peers[1];
	snprintf(a->name, sizeof a->name, "A");
	a->role = RTCLAB_TL_OFFERER;
	a->ice_role = RTCLAB_TL_CONTROLLING;
	snprintf(a->ufrag, sizeof a->ufrag, "nWnq");
	snprintf(a->pwd, sizeof a->pwd, "secretsecretsecretsecret");
	a->has_pwd = true;
	snprintf(a->setup, sizeof a->setup, "actpass");
	a->desc_source = RTCLAB_TL_DESC_CAPTURE;
	a->n_endpoints = 1;
	set_addr(&a->endpoints[0], 1, 10, 54321);
	a->has_signaling = true;
	set_addr(&a->signaling, 1, 10, 55514);
	a->end_of_candidates = true;
	a->checks_sent = 3;
	a->checks_answered = 2;
	a->node = 0;
	snprintf(b->name, sizeof b->name, "B");
	b->role = RTCLAB_TL_ANSWERER;
	b->ice_role = RTCLAB_TL_CONTROLLED;
	snprintf(b->ufrag, sizeof b->ufrag, "Zx9P");
	b->desc_source = RTCLAB_TL_DESC_FILE;
	snprintf(b->desc_file, sizeof b->desc_file, "answer.sdp");
	b->node = 1;

	add_node(RTCLAB_TL_NODE_PEER, "A", 0, 0, 0);
	add_node(RTCLAB_TL_NODE_PEER, "B", 1, 0, 0);
	add_node(RTCLAB_TL_NODE_SIGNALING, "signaling", -1, 1, 8765);
	add_node(RTCLAB_TL_NODE_STUN, "STUN", -1, 2, 19302);

	add_cand(0, RTCLAB_CAND_HOST, RTCLAB_TL_FROM_SDP, 10, 54321, 2122260223, 41);
	struct rtclab_tl_candidate *srflx = add_cand(0, RTCLAB_CAND_SRFLX, RTCLAB_TL_FROM_STUN, 99, 61000, 0, 120);
	srflx->has_related = true;
	set_addr(&srflx->related, 1, 10, 54321);
	set_addr(&srflx->server, 2, 2, 19302);
	add_cand(1, RTCLAB_CAND_HOST, RTCLAB_TL_FROM_TRICKLE, 20, 40000, 2122260223, 150);
	struct rtclab_tl_candidate *mdns = add_cand(-1, RTCLAB_CAND_HOST, RTCLAB_TL_FROM_TRICKLE, 0, 9, 2122194687, 160);
	memset(&mdns->addr, 0, sizeof mdns->addr);
	mdns->addr.port = 9;
	snprintf(mdns->name, sizeof mdns->name, "1f4712db-ea17-4bcf.local");

	S->n_pairs = 2;
	struct rtclab_tl_pair *p = &S->pairs[0], *q = &S->pairs[1];
	p->peer = 0;
	set_addr(&p->local, 1, 10, 54321);
	set_addr(&p->remote, 1, 20, 40000);
	p->local_cand = 0;
	p->remote_cand = 2;
	p->state = RTCLAB_TL_SUCCEEDED;
	p->nominated = p->selected = true;
	p->n_checks = 2;
	p->n_requests = 3;
	p->n_success = 2;
	p->n_auth_ok = 4;
	p->rtt_ns = 1500000;
	p->first_check_ns = S->first_ns + 200000000;
	p->success_ns = S->first_ns + 201500000;
	p->nominated_ns = S->first_ns + 250000000;
	p->n_kept = 1;
	p->checks[0].frame = 20;
	p->checks[0].time_ns = p->first_check_ns;
	p->checks[0].transmissions = 2;
	p->checks[0].result = RTCLAB_TL_SUCCESS;
	p->checks[0].response_time_ns = p->success_ns;
	p->checks[0].response_frame = 21;
	p->checks[0].request_auth = RTCLAB_TL_AUTH_OK;
	q->peer = 1;
	set_addr(&q->local, 1, 20, 40000);
	set_addr(&q->remote, 1, 99, 61000);
	q->local_cand = 2;
	q->remote_cand = -1;
	q->state = RTCLAB_TL_FAILED;
	q->n_checks = 1;
	q->n_requests = 7;
	q->n_timeouts = 1;
	q->rtt_ns = -1;

	S->selected.has = true;
	S->selected.pair = 0;
	S->selected.local = p->local;
	S->selected.remote = p->remote;
	S->selected.local_type = RTCLAB_CAND_HOST;
	S->selected.local_type_known = true;
	S->selected.remote_type_known = false;
	S->selected.time_ns = p->nominated_ns;
	S->selected.frame = 25;

	S->dtls.seen = true;
	S->dtls.client = p->local;
	S->dtls.server = p->remote;
	S->dtls.client_peer = 0;
	S->dtls.server_peer = 1;
	S->dtls.completed = true;
	S->dtls.start_ns = S->first_ns + 300000000;
	S->dtls.done_ns = S->first_ns + 340000000;
	S->connected = true;
	snprintf(S->outcome, sizeof S->outcome, "connected over host<->host after 2 checks in 250 ms");
	S->n_missing = 1;
	snprintf(S->missing[0], sizeof S->missing[0], "the answerer's trickled candidates");

	add_step(RTCLAB_STEP_OFFER, RTCLAB_TL_EV_OFFER, 1, 8, 0, 2, "offer: audio + video, ufrag nWnq");
	add_step(RTCLAB_STEP_OFFER, RTCLAB_TL_EV_OFFER, 2, 9, 2, 1, "offer");
	add_step(RTCLAB_STEP_ANSWER, RTCLAB_TL_EV_ANSWER, -1, 0, 1, 0, "answer from answer.sdp");
	add_step(RTCLAB_STEP_GATHER, RTCLAB_TL_EV_STUN_SERVER, 100, 12, 0, 3, "Binding request");
	add_step(RTCLAB_STEP_GATHER, RTCLAB_TL_EV_STUN_SERVER, 120, 13, 3, 0, "Binding success: 192.0.1.99:61000");
	add_step(RTCLAB_STEP_CHECKS, RTCLAB_TL_EV_CHECK, 200, 20, 0, 1, "check");
	add_step(RTCLAB_STEP_CHECKS, RTCLAB_TL_EV_CHECK_RESPONSE, 201, 21, 1, 0, "success");
	add_step(RTCLAB_STEP_CHECKS, RTCLAB_TL_EV_ROLE_CONFLICT, 230, 23, 1, 1, WEIRD);
	add_step(RTCLAB_STEP_CHECKS, RTCLAB_TL_EV_NOTE, 240, 24, -1, -1, "a note & nothing more");
	add_step(RTCLAB_STEP_CHECKS, RTCLAB_TL_EV_MEDIA, 400, 30, 0, -1, "first RTP packet");
}

static void teardown(void)
{
	if (S) {
		free(S->candidates);
		free(S->pairs);
		free(S->steps);
		free(S);
	}
	S = NULL;
	memset(&TL, 0, sizeof TL);
}

/* --- JSON ---------------------------------------------------------------------------- */

static json_t *J;

static json_t *session0(void)
{
	json_decref(J);
	J = rtclab_timeline_json(&TL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(J);
	json_t *sessions = json_object_get(J, "sessions");
	CU_ASSERT_FATAL(json_is_array(sessions) && json_array_size(sessions) == 1);
	return json_array_get(sessions, 0);
}

static void is_str(json_t *o, const char *key, const char *want)
{
	json_t *v = json_object_get(o, key);
	CHECKF(json_is_string(v) && strcmp(json_string_value(v), want) == 0, "%s: '%s', expected '%s'", key,
	       json_is_string(v) ? json_string_value(v) : "(not a string)", want);
}

static void is_int(json_t *o, const char *key, json_int_t want)
{
	json_t *v = json_object_get(o, key);
	CHECKF(json_is_integer(v) && json_integer_value(v) == want, "%s: %lld, expected %lld", key,
	       json_is_integer(v) ? (long long)json_integer_value(v) : -999LL, (long long)want);
}

static void is_real(json_t *o, const char *key, double want)
{
	json_t *v = json_object_get(o, key);
	double got = json_is_real(v) ? json_real_value(v) : -1e300;
	CHECKF(got > want - 1e-6 && got < want + 1e-6, "%s: %.9f, expected %.9f", key, got, want);
}

static void is_bool(json_t *o, const char *key, bool want)
{
	json_t *v = json_object_get(o, key);
	CHECKF(json_is_boolean(v) && json_is_true(v) == want, "%s: expected %s", key, want ? "true" : "false");
}

static void is_null(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	CHECKF(v && json_is_null(v), "%s: expected null", key);
}

static void test_top(void)
{
	build();
	json_t *s = session0();
	is_int(J, "events", 40);
	is_str(s, "id", "nWnq:Zx9P");
	json_t *g = json_object_get(s, "generations");
	CU_ASSERT_FATAL(json_is_array(g) && json_array_size(g) == 1);
	is_str(json_array_get(g, 0), "offer_ufrag", "nWnq");
	is_real(s, "first", 1700000000.123456);
	is_real(s, "last", 1700000001.023456);
	/* The order of the contract's members. */
	static const char *const keys[] = {"id", "peers", "servers", "candidates", "pairs", "selected_pair",
					   "dtls", "outcome", "steps", "missing"};
	const char *prev = NULL;
	size_t at = 0;
	for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
		size_t i = 0;
		const char *key;
		json_t *v;
		json_object_foreach(s, key, v) {
			(void)v;
			if (strcmp(key, keys[k]) == 0)
				break;
			i++;
		}
		CHECKF(i < json_object_size(s) && (!prev || i > at), "%s missing or before %s", keys[k], prev ? prev : "");
		prev = keys[k];
		at = i;
	}
	CU_ASSERT_PTR_NULL(json_object_get(s, "steps_dropped"));
	CU_ASSERT_PTR_NULL(json_object_get(s, "flow"));
	json_t *o = json_object_get(s, "outcome");
	is_bool(o, "connected", true);
	is_str(o, "reason", "connected over host<->host after 2 checks in 250 ms");
	is_null(o, "consent_lost");
	json_t *m = json_object_get(s, "missing");
	CU_ASSERT_FATAL(json_is_array(m) && json_array_size(m) == 1);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(m, 0)), "the answerer's trickled candidates");
	S->steps_dropped = 12;
	S->flow.seen = true;
	S->flow.packets[0] = 5;
	S->flow.rtp = 5;
	S->consent_lost = true; /* RFC 7675 5.1: B's consent checks unanswered for 30 s */
	S->consent_lost_peer = 1;
	S->consent_lost_ns = S->first_ns + 35500000000LL;
	s = session0();
	json_t *cl = json_object_get(json_object_get(s, "outcome"), "consent_lost");
	CU_ASSERT_FATAL(json_is_object(cl));
	is_str(cl, "peer", "B");
	is_real(cl, "t", 35.5);
	is_real(cl, "time", 1700000035.623456);
	is_int(s, "steps_dropped", 12);
	json_t *f = json_object_get(s, "flow");
	CU_ASSERT_FATAL(json_is_object(f));
	is_int(f, "rtp", 5);
	CU_ASSERT_EQUAL(json_integer_value(json_array_get(json_object_get(f, "packets"), 0)), 5);
	json_decref(J);
	J = NULL;
	teardown();

	/* No session at all: an empty list. */
	J = rtclab_timeline_json(&TL);
	CU_ASSERT_FATAL(json_is_array(json_object_get(J, "sessions")));
	CU_ASSERT_EQUAL(json_array_size(json_object_get(J, "sessions")), 0);
	json_decref(J);
	J = NULL;
}

static void test_peers_servers(void)
{
	build();
	json_t *s = session0();
	json_t *peers = json_object_get(s, "peers");
	CU_ASSERT_FATAL(json_is_array(peers) && json_array_size(peers) == 2);
	json_t *a = json_array_get(peers, 0), *b = json_array_get(peers, 1);
	is_str(a, "name", "A");
	is_str(a, "role", "offerer");
	is_str(a, "ice_role", "controlling");
	is_str(a, "ufrag", "nWnq");
	json_t *eps = json_object_get(a, "endpoints");
	CU_ASSERT_FATAL(json_is_array(eps) && json_array_size(eps) == 1);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(eps, 0)), "192.0.1.10:54321");
	is_bool(a, "has_pwd", true);
	CU_ASSERT_PTR_NULL(json_object_get(a, "pwd")); /* the password itself stays out */
	is_str(a, "setup", "actpass");
	is_str(json_object_get(a, "description"), "source", "capture");
	is_null(json_object_get(a, "description"), "file");
	is_str(a, "signaling", "192.0.1.10:55514");
	is_bool(a, "end_of_candidates", true);
	is_str(b, "role", "answerer");
	is_str(b, "ice_role", "controlled");
	is_null(b, "setup");
	is_null(b, "signaling");
	is_str(json_object_get(b, "description"), "source", "file");
	is_str(json_object_get(b, "description"), "file", "answer.sdp");
	CU_ASSERT_EQUAL(json_array_size(json_object_get(b, "endpoints")), 0);

	json_t *servers = json_object_get(s, "servers");
	CU_ASSERT_FATAL(json_is_array(servers) && json_array_size(servers) == 2);
	is_str(json_array_get(servers, 0), "kind", "signaling");
	is_str(json_array_get(servers, 0), "address", "192.0.2.1:8765");
	is_str(json_array_get(servers, 1), "kind", "stun");
	is_str(json_array_get(servers, 1), "address", "192.0.2.2:19302");
	teardown();
}

static void test_candidates_pairs(void)
{
	build();
	json_t *s = session0();
	json_t *c = json_object_get(s, "candidates");
	CU_ASSERT_FATAL(json_is_array(c) && json_array_size(c) == 4);
	json_t *host = json_array_get(c, 0), *srflx = json_array_get(c, 1), *mdns = json_array_get(c, 3);
	is_str(host, "peer", "A");
	is_str(host, "type", "host");
	is_str(host, "transport", "udp");
	is_str(host, "address", "192.0.1.10:54321");
	is_int(host, "priority", 2122260223);
	is_str(host, "source", "sdp");
	is_real(host, "time", 1700000000.164456);
	is_real(host, "t", 0.041);
	is_str(srflx, "type", "srflx");
	is_str(srflx, "source", "stun");
	is_int(srflx, "priority", 0);
	is_str(srflx, "related", "192.0.1.10:54321");
	is_str(srflx, "server", "192.0.2.2:19302");
	is_null(mdns, "peer");
	is_str(mdns, "address", "1f4712db-ea17-4bcf.local:9");
	is_str(json_array_get(c, 2), "source", "trickle");

	json_t *p = json_object_get(s, "pairs");
	CU_ASSERT_FATAL(json_is_array(p) && json_array_size(p) == 2);
	json_t *ok = json_array_get(p, 0), *bad = json_array_get(p, 1);
	is_str(ok, "peer", "A");
	is_str(ok, "local", "192.0.1.10:54321");
	is_str(ok, "remote", "192.0.1.20:40000");
	is_str(ok, "state", "succeeded");
	is_bool(ok, "nominated", true);
	is_int(ok, "checks", 2);
	is_int(ok, "retransmissions", 1);
	is_int(ok, "timeouts", 0);
	is_int(ok, "consent_checks", 0);
	is_real(ok, "rtt_ms", 1.5);
	is_str(ok, "local_candidate", "host");
	is_str(ok, "remote_candidate", "host");
	is_int(json_object_get(ok, "authentic"), "ok", 4);
	is_int(json_object_get(ok, "authentic"), "bad", 0);
	json_t *tx = json_object_get(ok, "transactions");
	CU_ASSERT_FATAL(json_is_array(tx) && json_array_size(tx) == 1);
	is_str(json_array_get(tx, 0), "result", "success");
	is_real(json_array_get(tx, 0), "rtt_ms", 1.5);
	is_str(bad, "peer", "B");
	is_str(bad, "state", "failed");
	is_bool(bad, "nominated", false);
	is_int(bad, "retransmissions", 6);
	is_int(bad, "timeouts", 1);
	is_null(bad, "rtt_ms");
	is_null(bad, "remote_candidate");
	teardown();
}

static void test_selected_dtls(void)
{
	build();
	json_t *s = session0();
	json_t *sel = json_object_get(s, "selected_pair");
	CU_ASSERT_FATAL(json_is_object(sel));
	is_str(sel, "local", "192.0.1.10:54321");
	is_str(sel, "remote", "192.0.1.20:40000");
	is_str(sel, "local_type", "host");
	is_null(sel, "remote_type");
	is_int(sel, "frame", 25);
	json_t *d = json_object_get(s, "dtls");
	CU_ASSERT_FATAL(json_is_object(d));
	is_str(d, "client", "192.0.1.10:54321");
	is_str(d, "server", "192.0.1.20:40000");
	is_bool(d, "completed", true);
	is_str(d, "client_peer", "A");
	is_null(d, "setup_ok");

	S->selected.has = false;
	S->dtls.seen = false;
	s = session0();
	is_null(s, "selected_pair");
	is_null(s, "dtls");
	json_decref(J);
	J = NULL;
	teardown();
}

static void test_steps(void)
{
	build();
	json_t *s = session0();
	json_t *steps = json_object_get(s, "steps");
	CU_ASSERT_FATAL(json_is_array(steps) && json_array_size(steps) == S->n_steps);
	json_t *first = json_array_get(steps, 0);
	is_int(first, "step", 1);
	is_str(first, "kind", "offer");
	is_int(first, "frame", 8);
	is_str(first, "from", "A");
	is_str(first, "to", "signaling");
	is_str(first, "what", "offer: audio + video, ufrag nWnq");
	CU_ASSERT_PTR_NOT_NULL(strstr(json_string_value(json_object_get(first, "why")), "before the peers"));
	is_real(first, "time", 1700000000.124456);
	is_real(first, "t", 0.001);
	json_t *file = json_array_get(steps, 2); /* a description from a file: no time, no frame */
	is_null(file, "time");
	is_null(file, "t");
	is_null(file, "frame");
	is_str(file, "kind", "answer");
	json_t *note = json_array_get(steps, 8);
	is_null(note, "from");
	is_null(note, "to");
	is_str(note, "kind", "note");
	is_str(json_array_get(steps, 7), "what", WEIRD);
	is_int(json_array_get(steps, 5), "pair", 0);
	is_null(json_array_get(steps, 4), "pair");
	json_decref(J);
	J = NULL;
	teardown();
}

static void test_names(void)
{
	CU_ASSERT_STRING_EQUAL(rtclab_tl_role_name(RTCLAB_TL_ROLE_UNKNOWN), "unknown");
	CU_ASSERT_STRING_EQUAL(rtclab_tl_ice_role_name(RTCLAB_TL_CONTROLLED), "controlled");
	CU_ASSERT_STRING_EQUAL(rtclab_tl_cand_source_name(RTCLAB_TL_FROM_CHECK), "check");
	CU_ASSERT_STRING_EQUAL(rtclab_tl_cand_source_name(RTCLAB_TL_FROM_TURN), "turn");
	CU_ASSERT_STRING_EQUAL(rtclab_tl_pair_state_name(RTCLAB_TL_IN_PROGRESS), "in-progress");
	CU_ASSERT_STRING_EQUAL(rtclab_tl_pair_state_name(RTCLAB_TL_FROZEN), "frozen");
	CU_ASSERT_STRING_EQUAL(rtclab_tl_pair_state_name(RTCLAB_TL_WAITING), "waiting");
	CU_ASSERT_STRING_EQUAL(rtclab_tl_node_kind_name(RTCLAB_TL_NODE_TURN), "turn");
	CU_ASSERT_STRING_EQUAL(rtclab_tl_node_kind_name(RTCLAB_TL_NODE_OTHER), "other");
	CU_ASSERT_STRING_EQUAL(rtclab_tl_check_result_name(RTCLAB_TL_NO_RESPONSE), "no-response");
	CU_ASSERT_STRING_EQUAL(rtclab_tl_check_result_name(RTCLAB_TL_TIMEOUT), "timeout");
	CU_ASSERT_STRING_EQUAL(rtclab_tl_auth_name(RTCLAB_TL_AUTH_ABSENT), "absent");
	CU_ASSERT_STRING_EQUAL(rtclab_tl_step_kind_name(RTCLAB_TL_EV_CHECK), "check");
	CU_ASSERT_STRING_EQUAL(rtclab_tl_step_kind_name(RTCLAB_TL_EV_END_OF_CANDIDATES), "end-of-candidates");
	CU_ASSERT_STRING_EQUAL(rtclab_tl_desc_source_name(RTCLAB_TL_DESC_WEBRTC_INTERNALS), "webrtc-internals");
	CU_ASSERT_STRING_EQUAL(rtclab_tl_desc_source_name(RTCLAB_TL_DESC_NONE), "none");
}

/* --- the renderers' escaping -------------------------------------------------------------- */

/* What a renderer wrote to a temporary file, as a string (caller frees). */
static char *slurp(FILE *f)
{
	long n = ftell(f);
	CU_ASSERT_FATAL(n >= 0);
	char *buf = malloc((size_t)n + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	rewind(f);
	size_t got = fread(buf, 1, (size_t)n, f);
	buf[got] = '\0';
	return buf;
}

static void test_mermaid(void)
{
	char out[256];
	tl_mermaid_escape(out, sizeof out, "a;b<c>&\"d#e:f\ng");
	CU_ASSERT_STRING_EQUAL(out, "a#59;b#lt;c#gt;#amp;#quot;d#35;e#58;f g");
	tl_mermaid_escape(out, 7, "abc;def"); /* cut before an entity that does not fit */
	CU_ASSERT_STRING_EQUAL(out, "abc");
	build();
	FILE *f = tmpfile();
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	tl_print_mermaid(f, &TL);
	char *text = slurp(f);
	fclose(f);
	CU_ASSERT_EQUAL(strncmp(text, "sequenceDiagram\n", 16), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "    participant N0 as A\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "    participant N2 as signaling 192.0.2.1#58;8765\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "    participant Nx as ? (unknown)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "    N0->>N2: offer#58; audio + video, ufrag nWnq\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "    N3-->>N0: Binding success#58; 192.0.1.99#58;61000\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "    N1->>N1: role#59; #lt;conflict#gt; #amp; #quot;487#quot; #35;1#58; done\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "    Nx->>Nx: a note #amp; nothing more\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "    Note over N0,Nx: Step 6#58; connectivity checks, then media\n"));
	/* After the "sequenceDiagram" line, a ; : # < > & or " is only ever the
	 * start of an entity or the one colon after the arrow or Note. */
	for (char *line = strchr(text, '\n') + 1; *line; line = strchr(line, '\n') + 1) {
		char *end = strchr(line, '\n');
		CU_ASSERT_PTR_NOT_NULL_FATAL(end);
		char *colon = strchr(line, ':');
		for (char *p = colon ? colon + 1 : line; p < end; p++)
			CHECKF(!strchr("<>&\":", *p), "raw '%c' in: %.*s", *p, (int)(end - line), line);
	}
	free(text);
	teardown();
}

static void test_svg(void)
{
	char out[256];
	tl_xml_escape(out, sizeof out, "a<b>&\"c'\x01\xff\xc3\xa9");
	CU_ASSERT_STRING_EQUAL(out, "a&lt;b&gt;&amp;&quot;c&apos;??\xc3\xa9");
	build();
	char path[] = "/tmp/rtclab-unit-svg-XXXXXX";
	int fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	char err[600];
	CU_ASSERT_TRUE(tl_write_svg(path, &TL, err, sizeof err));
	FILE *f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fseek(f, 0, SEEK_END);
	char *text = slurp(f);
	fclose(f);
	CU_ASSERT_EQUAL(strncmp(text, "<?xml version=\"1.0\"", 19), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "role; &lt;conflict&gt; &amp; &quot;487&quot; #1: done"));
	CU_ASSERT_PTR_NULL(strstr(text, "<conflict>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "marker-end=\"url(#arrow)\""));
	free(text);
	/* Well-formed XML, when xmllint is there to say so. */
	if (system("command -v xmllint >/dev/null 2>&1") == 0) {
		char cmd[128];
		snprintf(cmd, sizeof cmd, "xmllint --noout %s", path);
		CHECKF(system(cmd) == 0, "xmllint rejects %s", path);
	}
	unlink(path);
	/* A file that cannot be written: an error, and nothing left behind. */
	CU_ASSERT_FALSE(tl_write_svg("/nonexistent-dir/x.svg", &TL, err, sizeof err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent-dir/x.svg"));
	CU_ASSERT_EQUAL(access("/nonexistent-dir/x.svg", F_OK), -1);
	teardown();
}

/* Everything a renderer writes for the model, with f's contents. */
static char *render(bool utf8, bool ladder_only)
{
	struct style st = {false, 78};
	struct tl_text_opts o = {&st, utf8, 60, false, NULL, NULL};
	FILE *f = tmpfile();
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	if (!ladder_only)
		tl_print_header(f, &o, S);
	tl_print_ladder(f, &o, S);
	if (!ladder_only) {
		tl_print_footer(f, &o, S);
		tl_print_summary(f, &o, S);
	}
	char *text = slurp(f);
	fclose(f);
	return text;
}

/* The ladder: every kind of row, in ASCII and in UTF-8, at 60 columns. */
static void test_ladder(void)
{
	build();
	for (int utf8 = 0; utf8 <= 1; utf8++) {
		char *text = render(utf8, false);
		CU_ASSERT_PTR_NOT_NULL(strstr(text, "Step 1: sending the offer"));
		CU_ASSERT_PTR_NOT_NULL(strstr(text, "+0.001s"));
		CU_ASSERT_PTR_NOT_NULL(strstr(text, "#8"));
		CU_ASSERT_PTR_NOT_NULL(strstr(text, "missing: the answerer's trickled candidates"));
		CU_ASSERT_PTR_NOT_NULL(strstr(text, "Outcome        connected"));
		CU_ASSERT_PTR_NOT_NULL(strstr(text, "1f4712db-ea17-4bcf.local:9"));
		if (!utf8) {
			CU_ASSERT_PTR_NOT_NULL(strstr(text, "->|"));
			CU_ASSERT_PTR_NOT_NULL(strstr(text, "|<-"));
			CU_ASSERT_PTR_NOT_NULL(strstr(text, "+-. role; <conflict>")); /* the self-loop */
			for (const char *p = text; *p; p++)
				CHECKF((unsigned char)*p < 0x80, "a byte 0x%02x in ASCII output", (unsigned char)*p);
		} else {
			CU_ASSERT_PTR_NOT_NULL(strstr(text, "\u2500\u25b6"));
			CU_ASSERT_PTR_NOT_NULL(strstr(text, "\u251c\u2500\u2510 role; <conflict>"));
		}
		free(text);
		/* No line of the ladder wider than the terminal. */
		text = render(utf8, true);
		for (const char *line = text; *line;) {
			const char *end = strchr(line, '\n');
			CU_ASSERT_PTR_NOT_NULL_FATAL(end);
			int cols = 0;
			for (const char *p = line; p < end; p++)
				cols += ((unsigned char)*p & 0xC0) != 0x80;
			CHECKF(cols <= 60, "a line of %d columns: %.*s", cols, (int)(end - line), line);
			line = end + 1;
		}
		free(text);
	}
	teardown();
}

static void cleanup(void)
{
	json_decref(J);
	J = NULL;
}

RTCLAB_SUITE(timeline_json)
{
	static const struct unit_test tests[] = {
		{"top level, order, optional members", test_top},
		{"peers and servers", test_peers_servers},
		{"candidates and pairs", test_candidates_pairs},
		{"selected pair and DTLS, and null", test_selected_dtls},
		{"steps", test_steps},
		{"names", test_names},
		{"Mermaid escaping", test_mermaid},
		{"SVG escaping, well-formed, atomic", test_svg},
		{"ladder, footer, summary", test_ladder},
		{"cleanup", cleanup},
		{NULL, NULL},
	};
	unit_add_suite("timeline_json", tests);
}
