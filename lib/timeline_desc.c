/* Descriptions and trickled candidates: from the signaling in the capture
 * (SIGNAL events), from files (--sdp) and from chrome://webrtc-internals
 * dumps.  An offer starts a session (or a new generation of one: an ICE
 * restart); its answer joins it; the ufrags tie the STUN checks to it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtclab/timeline.h"
#include "timeline_internal.h"

/* The ICE credentials a description gives (the first section's; with
 * BUNDLE every section carries the same). */
static void desc_ice(const struct rtclab_sdp *sdp, struct rtclab_str *ufrag, struct rtclab_str *pwd)
{
	*ufrag = sdp->ice.ufrag;
	*pwd = sdp->ice.pwd;
	for (size_t i = 0; i < sdp->n_media; i++)
		if (sdp->media[i].ice.ufrag.len) {
			*ufrag = sdp->media[i].ice.ufrag;
			*pwd = sdp->media[i].ice.pwd;
			return;
		}
}

static const char *desc_ufrag(const struct rtclab_sdp *sdp, char *buf, size_t len)
{
	struct rtclab_str u, p;
	desc_ice(sdp, &u, &p);
	if (!u.len || u.len >= len)
		return NULL;
	snprintf(buf, len, "%.*s", (int)u.len, u.ptr);
	return buf;
}

/* "audio + video + data, 3 candidates, setup actpass" */
static void desc_summary(const struct rtclab_sdp *sdp, char *out, size_t len)
{
	size_t n = 0;
	out[0] = 0;
	for (size_t i = 0; i < sdp->n_media && n < len; i++) {
		struct rtclab_str m = sdp->media[i].kind;
		bool data = rtclab_str_eq(m, "application");
		n += (size_t)snprintf(out + n, len - n, "%s%.*s", i ? " + " : "", data ? 4 : (int)m.len,
				      data ? "data" : m.ptr);
	}
	enum rtclab_sdp_setup setup = sdp->n_media ? sdp->media[0].setup : sdp->setup;
	if (n < len)
		snprintf(out + n, len - n, "%s%zu candidate%s%s%s", n ? ", " : "", sdp->n_candidates,
			 sdp->n_candidates == 1 ? "" : "s", setup ? ", setup " : "",
			 setup ? rtclab_sdp_setup_name(setup) : "");
}

void tl_set_peer_desc(struct rtclab_timeline *tl, int si, int peer, const struct rtclab_sdp *sdp,
		      enum rtclab_tl_desc_source from, const char *file, int64_t ns, uint64_t frame)
{
	struct rtclab_tl_session *s = tl->sessions[si];
	struct tl_peer_x *px = &tl->state->sx[si]->peers[peer];
	struct rtclab_tl_peer *p = &s->peers[peer];
	struct rtclab_str u, w;
	desc_ice(sdp, &u, &w);
	snprintf(p->ufrag, sizeof p->ufrag, "%.*s", (int)(u.len < RTCLAB_TL_UFRAG_MAX ? u.len : 0), u.ptr);
	p->has_pwd = w.len && w.len < RTCLAB_TL_UFRAG_MAX;
	snprintf(p->pwd, sizeof p->pwd, "%.*s", p->has_pwd ? (int)w.len : 0, w.ptr);
	px->has_key = p->has_pwd &&
		      rtclab_stun_key_short_term(&px->key, p->pwd, RTCLAB_STUN_PREP_NONE) == RTCLAB_STUN_OK;
	enum rtclab_sdp_setup setup = sdp->n_media ? sdp->media[0].setup : sdp->setup;
	snprintf(p->setup, sizeof p->setup, "%s", setup ? rtclab_sdp_setup_name(setup) : "");
	p->ice_lite = sdp->ice.lite;
	if (s->peers[0].ice_lite && s->peers[1].ice_lite)
		tl->state->lite_sessions = true;
	for (size_t i = 0; i < sdp->n_media; i++)
		p->end_of_candidates |= sdp->media[i].end_of_candidates;
	if (p->desc_source == RTCLAB_TL_DESC_NONE || from != RTCLAB_TL_DESC_CAPTURE) {
		p->desc_source = from;
		snprintf(p->desc_file, sizeof p->desc_file, "%s", file ? file : "");
	}
	px->has_desc = true;
	snprintf(px->origin, sizeof px->origin, "%.*s", (int)(sdp->origin.session_id.len < 64 ? sdp->origin.session_id.len : 64),
		 sdp->origin.session_id.ptr);
	if (p->ufrag[0] && tl_ufrag_add(tl, p->ufrag, si, peer)) {
		struct tl_ufrag *entry = tl_ufrag_find(tl, p->ufrag, strlen(p->ufrag));
		entry->has_key = px->has_key;
		entry->key = px->key;
	}
	for (size_t i = 0; i < sdp->n_candidates; i++) {
		struct rtclab_tl_candidate c;
		if (sdp->candidates[i].component != 1)
			continue; /* RTCP's own candidates: ICE for component 1 decides the path */
		tl_candidate_from_line(&c, &sdp->candidates[i], peer, RTCLAB_TL_FROM_SDP, ns, frame);
		tl_candidate_add(s, &c);
	}
}

/* --- who is who on the signaling connection ------------------------------------------ */

static bool peer_by_signaling(struct rtclab_timeline *tl, const struct rtclab_addr *a, int *si, int *peer)
{
	for (size_t i = tl->n_sessions; i-- > 0;)
		for (int p = 0; p < 2; p++)
			if (tl->sessions[i]->peers[p].has_signaling &&
			    rtclab_addr_equal(&tl->sessions[i]->peers[p].signaling, a)) {
				*si = (int)i;
				*peer = p;
				return true;
			}
	return false;
}

static void set_signaling(struct rtclab_tl_peer *p, const struct rtclab_addr *a)
{
	if (!p->has_signaling) {
		p->has_signaling = true;
		p->signaling = *a;
	}
}

/* The step "A opens a WebSocket to the signaling server", once per session
 * and connection, at the time of the handshake. */
static void conn_step(struct rtclab_timeline *tl, int si, const struct rtclab_event *ev, int peer)
{
	struct rtclab_timeline_state *st = tl->state;
	struct rtclab_tl_session *s = tl->sessions[si];
	struct tl_session_x *x = st->sx[si];
	for (size_t i = 0; i < st->n_conns && !x->conn_stepped[peer]; i++) {
		struct tl_conn *c = &st->conns[i];
		if (c->stream_id != ev->stream_id || si >= 8 || c->stepped[si])
			continue;
		c->stepped[si] = true;
		x->conn_stepped[peer] = true;
		struct rtclab_tl_step *sp = tl_step(s, RTCLAB_STEP_OFFER, RTCLAB_TL_EV_SIGNALING, c->upgrade_ns,
						    c->upgrade_frame, s->peers[peer].node, x->signaling_node);
		if (!sp)
			return;
		char a[RTCLAB_ADDR_STRLEN];
		tl_fmt(sp->what, sizeof sp->what, "WebSocket to the signaling server %s", tl_addr(&c->server, a));
		tl_fmt(sp->why, sizeof sp->why,
			 "WebRTC defines no signaling of its own: this application carries offers, answers and "
			 "candidates as JSON over a WebSocket (an HTTP upgrade, RFC 6455).");
	}
}

static int signaling_node(struct rtclab_timeline *tl, int si, const struct rtclab_event *ev)
{
	struct tl_session_x *x = tl->state->sx[si];
	if (x->signaling_node < 0)
		x->signaling_node = tl_node_server(tl->sessions[si], RTCLAB_TL_NODE_SIGNALING, &ev->server, RTCLAB_L4_TCP);
	x->capture_signaling = true;
	return x->signaling_node;
}

/* The ends of a signaling step: the sender to the server (dir 0), or the
 * server to the receiving client (dir 1).  sender is the peer whose message
 * it is. */
static void signal_ends(struct rtclab_timeline *tl, int si, const struct rtclab_event *ev, int sender, int *from,
			int *to)
{
	struct rtclab_tl_session *s = tl->sessions[si];
	int sig = signaling_node(tl, si, ev);
	if (ev->dir == 0) {
		set_signaling(&s->peers[sender], &ev->src);
		conn_step(tl, si, ev, sender);
		*from = s->peers[sender].node;
		*to = sig;
	} else {
		int receiver = s->peers[sender].has_signaling && rtclab_addr_equal(&s->peers[sender].signaling, &ev->dst)
				       ? sender
				       : 1 - sender;
		set_signaling(&s->peers[receiver], &ev->dst);
		conn_step(tl, si, ev, receiver);
		*from = sig;
		*to = s->peers[receiver].node;
	}
}

/* --- offers and answers ----------------------------------------------------------------- */

static void new_generation(struct rtclab_tl_session *s, bool offer, const char *ufrag, int64_t ns)
{
	if (offer) {
		if (s->n_generations < sizeof s->generations / sizeof s->generations[0])
			s->n_generations++;
		struct rtclab_tl_generation *g = &s->generations[s->n_generations - 1];
		memset(g, 0, sizeof *g);
		snprintf(g->offer_ufrag, sizeof g->offer_ufrag, "%s", ufrag);
		g->time_ns = ns;
	} else {
		if (!s->n_generations)
			s->n_generations = 1;
		struct rtclab_tl_generation *g = &s->generations[s->n_generations - 1];
		snprintf(g->answer_ufrag, sizeof g->answer_ufrag, "%s", ufrag);
		if (!g->time_ns)
			g->time_ns = ns;
	}
}

static void desc_step(struct rtclab_timeline *tl, int si, int peer, const struct rtclab_sdp *sdp, bool offer, bool relay,
		      int64_t ns, uint64_t frame, int from, int to, const char *file)
{
	struct rtclab_tl_session *s = tl->sessions[si];
	char sum[120];
	desc_summary(sdp, sum, sizeof sum);
	struct rtclab_tl_step *sp = tl_step(s, offer ? RTCLAB_STEP_OFFER : RTCLAB_STEP_ANSWER,
					    offer ? RTCLAB_TL_EV_OFFER : RTCLAB_TL_EV_ANSWER, ns, frame, from, to);
	if (!sp)
		return;
	/* a description of the second or a later generation: an ICE restart */
	const struct rtclab_tl_generation *g = s->n_generations ? &s->generations[s->n_generations - 1] : NULL;
	bool restart = s->n_generations > 1 &&
		       strcmp(offer ? g->offer_ufrag : g->answer_ufrag, s->peers[peer].ufrag) == 0;
	tl_fmt(sp->what, sizeof sp->what, "%s%s%s from %s: %s, ufrag %.32s%s%.64s", restart ? "ICE restart " : "",
	       offer ? "offer" : "answer", relay ? " (relayed)" : "", s->peers[peer].name, sum, s->peers[peer].ufrag,
	       file ? ", from " : "", file ? file : "");
	if (restart && offer)
		tl_fmt(sp->why, sizeof sp->why,
		       "An ICE restart (RFC 8445 9): %s offers new ICE credentials, so both sides gather, trickle and "
		       "check again and may move to another pair; the DTLS association and the media go on.",
		       s->peers[peer].name);
	else if (restart)
		tl_fmt(sp->why, sizeof sp->why,
		       "%s answers the restart with new ICE credentials of its own; checks of the new generation start.",
		       s->peers[peer].name);
	else if (offer)
		tl_fmt(sp->why, sizeof sp->why,
			 "%s describes its media (codecs, m= sections), its ICE credentials (ice-ufrag, ice-pwd) and its "
			 "DTLS certificate fingerprint and setup role, and sends it through the signaling channel.",
			 s->peers[peer].name);
	else
		tl_fmt(sp->why, sizeof sp->why,
			 "%s answers with its own description: the media it accepts, its own ICE credentials and "
			 "fingerprint, and a DTLS setup role (active or passive) that settles who is the DTLS client.",
			 s->peers[peer].name);
}

static void both_set_step(struct rtclab_timeline *tl, int si, int64_t ns, uint64_t frame)
{
	struct rtclab_tl_session *s = tl->sessions[si];
	struct rtclab_tl_step *sp = tl_step(s, RTCLAB_STEP_NAT, RTCLAB_TL_EV_DESCRIPTIONS_SET, ns, frame,
					    s->peers[0].node, s->peers[1].node);
	if (!sp)
		return;
	tl->state->sx[si]->both_step = (int)(sp - s->steps);
	tl_fmt(sp->what, sizeof sp->what, "both descriptions set: %s %.64s, %s %.64s", s->peers[0].name, s->peers[0].ufrag,
		 s->peers[1].name, s->peers[1].ufrag);
	tl_fmt(sp->why, sizeof sp->why,
		 "Each side knows the other's credentials and codecs, but no media path exists yet: the peers "
		 "usually sit behind NATs and firewalls, so ICE must find one.");
}

/* The session an offer or answer without a known ufrag belongs to. */
/* Is this description from the same RTCPeerConnection as the peer's last
 * one?  An ICE restart keeps the o= sess-id (RFC 3264 8: only the version
 * grows); a new connection on the same signaling channel has a new one. */
static bool same_origin(struct rtclab_timeline *tl, int si, int peer, const struct rtclab_sdp *sdp)
{
	const char *o = tl->state->sx[si]->peers[peer].origin;
	struct rtclab_str id = sdp->origin.session_id;
	return !o[0] || (strlen(o) == id.len && memcmp(o, id.ptr, id.len) == 0);
}

static int desc_session(struct rtclab_timeline *tl, const struct rtclab_event *ev, const struct rtclab_sdp *sdp,
			bool offer, int *peer, bool *restart)
{
	int si, q;
	*restart = false;
	if (ev) {
		const struct rtclab_addr *a = ev->dir == 0 ? &ev->src : &ev->dst;
		if (peer_by_signaling(tl, a, &si, &q) && same_origin(tl, si, ev->dir == 0 ? q : 1 - q, sdp)) {
			/* dir 0: q sends it; dir 1: q receives it, so the other peer sent it */
			*peer = ev->dir == 0 ? q : 1 - q;
			struct tl_session_x *x = tl->state->sx[si];
			struct rtclab_tl_peer *p = &tl->sessions[si]->peers[*peer];
			if (offer && x->has_answer && x->peers[*peer].has_desc)
				*restart = true;
			if (!offer || *restart || !x->has_offer)
				return si;
			if (p->ufrag[0] && x->peers[*peer].has_desc) {
				*restart = true;
				return si;
			}
		}
	}
	/* The same o= session as a peer's earlier description (RFC 3264 8: only
	 * the version grows): an ICE restart of that session, even over another
	 * signaling connection (the peer moved to another network). */
	for (size_t i = tl->n_sessions; offer && i-- > 0;)
		for (int k = 0; k < 2; k++) {
			const struct tl_peer_x *px = &tl->state->sx[i]->peers[k];
			struct rtclab_str id = sdp->origin.session_id;
			if (px->has_desc && px->origin[0] && id.len && strlen(px->origin) == id.len &&
			    memcmp(px->origin, id.ptr, id.len) == 0 && tl->state->sx[i]->has_answer) {
				*peer = k;
				*restart = true;
				return (int)i;
			}
		}
	if (!offer) /* the latest session waiting for its answer */
		for (size_t i = tl->n_sessions; i-- > 0;) {
			struct tl_session_x *x = tl->state->sx[i];
			if (x->has_offer && !x->has_answer && x->offerer >= 0) {
				*peer = 1 - x->offerer;
				return (int)i;
			}
		}
	if (!tl_session_new(tl, &si))
		return -1;
	*peer = offer ? 0 : 1;
	return si;
}

static void on_description(struct rtclab_timeline *tl, const struct rtclab_event *ev, const struct rtclab_sdp *sdp,
			   bool offer, enum rtclab_tl_desc_source from, const char *file, int64_t when)
{
	char ub[RTCLAB_TL_UFRAG_MAX];
	const char *u = desc_ufrag(sdp, ub, sizeof ub);
	if (!u)
		return; /* no ICE credentials: nothing to tie it to */
	int64_t ns = ev ? ev->ts_ns : when;
	uint64_t frame = ev ? ev->frame : 0;
	struct tl_ufrag *known = tl_ufrag_find(tl, u, strlen(u));
	int si, peer;
	bool relay = false, restart = false;
	if (known) { /* seen before: the server relaying it, or the checks came first */
		si = known->session;
		peer = known->peer;
		relay = ev && tl->state->sx[si]->peers[peer].has_desc && from == RTCLAB_TL_DESC_CAPTURE &&
			tl->sessions[si]->peers[peer].desc_source == RTCLAB_TL_DESC_CAPTURE;
	} else {
		si = desc_session(tl, ev, sdp, offer, &peer, &restart);
		if (si < 0)
			return;
	}
	struct rtclab_tl_session *s = tl->sessions[si];
	struct tl_session_x *x = tl->state->sx[si];
	if (!relay) {
		bool had_answer = x->has_answer;
		tl_set_peer_desc(tl, si, peer, sdp, from, file, ns, frame);
		s->peers[peer].role = offer ? RTCLAB_TL_OFFERER : RTCLAB_TL_ANSWERER;
		if (s->peers[1 - peer].role == RTCLAB_TL_ROLE_UNKNOWN)
			s->peers[1 - peer].role = offer ? RTCLAB_TL_ANSWERER : RTCLAB_TL_OFFERER;
		if (offer) {
			x->offerer = peer;
			x->has_offer = true;
			x->has_answer = false;
			if (!known || restart || !s->n_generations)
				new_generation(s, true, u, ns);
			else if (!s->generations[s->n_generations - 1].offer_ufrag[0]) {
				/* the session was made from its checks (which leave the
				 * generation's ufrags empty): this offer is that generation's */
				struct rtclab_tl_generation *g = &s->generations[s->n_generations - 1];
				snprintf(g->offer_ufrag, sizeof g->offer_ufrag, "%s", u);
				if (!g->time_ns || g->time_ns > ns)
					g->time_ns = ns;
			}
			if (restart) { /* the outcome counts the checks of the new generation */
				x->checks_gen_base = x->checks_total;
				x->first_check_ns = 0;
			}
		} else {
			x->has_answer = true;
			x->offerer = 1 - peer;
			new_generation(s, false, u, ns);
		}
		(void)had_answer;
		if (!s->id[0])
			tl_session_id(s, x->offerer);
	}
	int sfrom = s->peers[peer].node, sto = -1;
	if (ev)
		signal_ends(tl, si, ev, peer, &sfrom, &sto);
	desc_step(tl, si, peer, sdp, offer, relay, ns, frame, sfrom, sto, file);
	if (!relay && x->peers[0].has_desc && x->peers[1].has_desc && x->has_offer && x->has_answer && !offer)
		both_set_step(tl, si, ns, frame);
	else if (relay && !offer && x->both_step >= 0 && (size_t)x->both_step < s->n_steps) {
		/* the offerer sets the answer when the server delivers it */
		s->steps[x->both_step].time_ns = ns + 1;
		s->steps[x->both_step].frame = frame;
	}
}

/* --- trickled candidates ---------------------------------------------------------------- */

static bool trickle_peer(struct rtclab_timeline *tl, const struct rtclab_event *ev,
			 const struct rtclab_signal_item *it, int *si, int *peer)
{
	struct tl_ufrag *u = NULL;
	if (it->has_ufrag)
		u = tl_ufrag_find(tl, it->ufrag, strlen(it->ufrag));
	if (!u && it->kind == RTCLAB_SIGNAL_CANDIDATE && it->cand_error == RTCLAB_CAND_OK && it->candidate.ufrag.len)
		u = tl_ufrag_find(tl, it->candidate.ufrag.ptr, it->candidate.ufrag.len);
	if (u) {
		*si = u->session;
		*peer = u->peer;
		return true;
	}
	const struct rtclab_addr *a = ev->dir == 0 ? &ev->src : &ev->dst;
	int q;
	if (!peer_by_signaling(tl, a, si, &q))
		return false;
	*peer = ev->dir == 0 ? q : 1 - q;
	return true;
}

static void on_trickle(struct rtclab_timeline *tl, const struct rtclab_event *ev, const struct rtclab_signal_item *it)
{
	int si, peer;
	if (!trickle_peer(tl, ev, it, &si, &peer))
		return;
	struct rtclab_tl_session *s = tl->sessions[si];
	int from, to;
	signal_ends(tl, si, ev, peer, &from, &to);
	char a[RTCLAB_ADDR_STRLEN];
	if (it->kind == RTCLAB_SIGNAL_END_OF_CANDIDATES) {
		s->peers[peer].end_of_candidates = true;
		struct rtclab_tl_step *sp = tl_step(s, RTCLAB_STEP_TRICKLE, RTCLAB_TL_EV_END_OF_CANDIDATES, ev->ts_ns,
						    ev->frame, from, to);
		if (sp) {
			tl_fmt(sp->what, sizeof sp->what, "end of candidates from %s%s", s->peers[peer].name,
				 ev->dir == 1 ? " (relayed)" : "");
			tl_fmt(sp->why, sizeof sp->why,
				 "%s has gathered everything it will (RFC 8838 8.2): once the checks with these "
				 "candidates fail, the other side may declare ICE failed.",
				 s->peers[peer].name);
		}
		return;
	}
	struct rtclab_tl_step *sp = tl_step(s, RTCLAB_STEP_TRICKLE, RTCLAB_TL_EV_CANDIDATE, ev->ts_ns, ev->frame, from, to);
	if (it->cand_error != RTCLAB_CAND_OK) {
		if (sp) {
			tl_fmt(sp->what, sizeof sp->what, "unreadable candidate from %s: %s", s->peers[peer].name,
				 rtclab_cand_error_str(it->cand_error));
			tl_fmt(sp->why, sizeof sp->why,
				 "A trickled candidate line that does not parse (RFC 8839 5.1) is dropped by the "
				 "receiving browser, so this address is never checked.");
		}
		return;
	}
	struct rtclab_tl_candidate c;
	tl_candidate_from_line(&c, &it->candidate, peer, RTCLAB_TL_FROM_TRICKLE, ev->ts_ns, ev->frame);
	if (it->candidate.component == 1)
		tl_candidate_add(s, &c);
	if (!sp)
		return;
	const char *addr = c.addr.family ? tl_addr(&c.addr, a) : c.name;
	tl_fmt(sp->what, sizeof sp->what, "candidate from %s%s: %s %s %.64s", s->peers[peer].name,
		 ev->dir == 1 ? " (relayed)" : "", rtclab_cand_type_name(c.type),
		 c.transport == RTCLAB_CAND_TCP ? "tcp" : "udp", addr);
	static const char *const kinds[] = {
		"A host candidate is an address of the peer's own interface.",
		"A server-reflexive candidate is the peer's public address as a STUN server saw it.",
		"A peer-reflexive candidate was learnt from a connectivity check.",
		"A relayed candidate is an address on a TURN server that forwards to the peer.",
	};
	tl_fmt(sp->why, sizeof sp->why,
	       "Trickle ICE (RFC 8838): each candidate is sent as soon as it is gathered, so checks can start before "
	       "gathering ends. %s",
	       kinds[c.type <= RTCLAB_CAND_RELAY ? c.type : 0]);
}

/* The connection's entry (made when its WebSocket handshake was not seen). */
static struct tl_conn *conn_entry(struct rtclab_timeline_state *st, const struct rtclab_event *ev)
{
	for (size_t i = 0; i < st->n_conns; i++)
		if (st->conns[i].stream_id == ev->stream_id)
			return &st->conns[i];
	if (st->n_conns >= TL_MAX_CONNS)
		return NULL;
	struct tl_conn *c = &st->conns[st->n_conns++];
	memset(c, 0, sizeof *c);
	c->stream_id = ev->stream_id;
	c->client = ev->client;
	c->server = ev->server;
	return c;
}

/* Has this message been seen already, on another wire?  A capture taken on
 * several wires at once (a simulation's pcapng, a router's interfaces)
 * holds each message once per wire it crossed, with that wire's addresses
 * (a NAT changes them).  What does not change is the stream of messages
 * itself: a message is the same one when the messages of its direction so
 * far, itself included, hash the same, to the same server, within 2 s. */
static bool seen_before(struct rtclab_timeline_state *st, const struct rtclab_event *ev)
{
	const uint8_t *p = NULL;
	size_t n = 0;
	if (ev->ws && ev->ws->kind == RTCLAB_WS_EV_MESSAGE) {
		p = ev->ws->payload.ptr;
		n = ev->ws->payload.len;
	} else if (ev->http && ev->http->has_body) {
		p = ev->http->body.ptr;
		n = ev->http->body.len;
	}
	struct tl_conn *c = p ? conn_entry(st, ev) : NULL;
	if (!c || ev->dir < 0 || ev->dir > 1)
		return false;
	uint64_t h = c->chain[ev->dir] ^ 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	c->chain[ev->dir] = h;
	for (size_t i = 0; i < TL_SEEN_SIGNALS; i++) {
		const struct tl_seen_signal *s = &st->seen[i];
		if (s->hash == h && s->dir == ev->dir && rtclab_addr_equal(&s->server, &ev->server) &&
		    ev->ts_ns - s->time_ns <= 2000000000LL && ev->ts_ns >= s->time_ns)
			return true;
	}
	struct tl_seen_signal *s = &st->seen[st->next_seen++ % TL_SEEN_SIGNALS];
	s->hash = h;
	s->server = ev->server;
	s->dir = ev->dir;
	s->time_ns = ev->ts_ns;
	return false;
}

void tl_on_signal(struct rtclab_timeline *tl, const struct rtclab_event *ev)
{
	const struct rtclab_signal *sig = ev->signal;
	if (!sig || seen_before(tl->state, ev))
		return;
	for (size_t i = 0; i < sig->n_items; i++) {
		const struct rtclab_signal_item *it = &sig->items[i];
		switch (it->kind) {
		case RTCLAB_SIGNAL_OFFER:
		case RTCLAB_SIGNAL_ANSWER:
		case RTCLAB_SIGNAL_PRANSWER:
			if (it->sdp)
				on_description(tl, ev, it->sdp, it->kind == RTCLAB_SIGNAL_OFFER, RTCLAB_TL_DESC_CAPTURE, NULL,
				       INT64_MIN);
			break;
		case RTCLAB_SIGNAL_CANDIDATE:
		case RTCLAB_SIGNAL_END_OF_CANDIDATES:
			on_trickle(tl, ev, it);
			break;
		default:
			break;
		}
	}
}

/* --- descriptions from files ---------------------------------------------------------- */

static bool add_sdp_at(struct rtclab_timeline *tl, const char *text, size_t len, enum rtclab_signal_kind kind,
		       enum rtclab_tl_desc_source from, const char *source, int64_t when, char *err, size_t err_len)
{
	struct rtclab_sdp *sdp = rtclab_sdp_parse(text, len);
	if (!sdp) {
		snprintf(err, err_len, "out of memory");
		return false;
	}
	char ub[RTCLAB_TL_UFRAG_MAX];
	if (!desc_ufrag(sdp, ub, sizeof ub)) {
		const struct rtclab_sdp_problem *p = NULL;
		for (size_t i = 0; i < sdp->n_problems && !p; i++)
			if (!sdp->problems[i].warning)
				p = &sdp->problems[i];
		if (p)
			snprintf(err, err_len, "not a usable description: %u:%u: %s (and no a=ice-ufrag)", p->line,
				 p->column, p->message);
		else
			snprintf(err, err_len, "not a usable description: no a=ice-ufrag line, so its checks cannot be "
					       "matched");
		rtclab_sdp_free(sdp);
		return false;
	}
	if (kind != RTCLAB_SIGNAL_OFFER && kind != RTCLAB_SIGNAL_ANSWER) {
		enum rtclab_sdp_setup setup = sdp->n_media ? sdp->media[0].setup : sdp->setup;
		bool waiting = false;
		for (size_t i = 0; i < tl->n_sessions; i++)
			waiting |= tl->state->sx[i]->has_offer && !tl->state->sx[i]->has_answer;
		kind = setup == RTCLAB_SDP_SETUP_ACTPASS ? RTCLAB_SIGNAL_OFFER
		       : waiting                         ? RTCLAB_SIGNAL_ANSWER
		       : setup == RTCLAB_SDP_SETUP_ACTIVE || setup == RTCLAB_SDP_SETUP_PASSIVE ? RTCLAB_SIGNAL_ANSWER
												: RTCLAB_SIGNAL_OFFER;
	}
	on_description(tl, NULL, sdp, kind == RTCLAB_SIGNAL_OFFER, from, source, when);
	tl->state->supplied++;
	rtclab_sdp_free(sdp);
	return true;
}

bool rtclab_timeline_add_sdp(struct rtclab_timeline *tl, const char *text, size_t len, enum rtclab_signal_kind kind,
			     enum rtclab_tl_desc_source from, const char *source, char *err, size_t err_len)
{
	return add_sdp_at(tl, text, len, kind, from, source, INT64_MIN, err, err_len);
}

/* --- chrome://webrtc-internals --------------------------------------------------------- */

static enum rtclab_signal_kind kind_of_type(const char *t)
{
	return strncmp(t, "offer", 5) == 0      ? RTCLAB_SIGNAL_OFFER
	       : strncmp(t, "answer", 6) == 0   ? RTCLAB_SIGNAL_ANSWER
	       : strncmp(t, "pranswer", 8) == 0 ? RTCLAB_SIGNAL_ANSWER
						: RTCLAB_SIGNAL_OTHER;
}

/* A description in an updateLog value: JSON {"type":"offer","sdp":"..."}
 * (Chromium 120 and later) or the older text "type: offer, sdp: v=0...".
 * *json receives a reference to free when the SDP points into it. */
static bool internals_desc(const char *value, enum rtclab_signal_kind *kind, const char **sdp, json_t **json)
{
	*json = NULL;
	if (value[0] == '{') {
		json_t *j = json_loads(value, 0, NULL);
		const char *t = json_string_value(json_object_get(j, "type"));
		const char *s = json_string_value(json_object_get(j, "sdp"));
		if (!t || !s) {
			json_decref(j);
			return false;
		}
		*kind = kind_of_type(t);
		*sdp = s;
		*json = j;
		return *kind != RTCLAB_SIGNAL_OTHER;
	}
	const char *t = strstr(value, "type: ");
	const char *s = strstr(value, "sdp: ");
	if (!t || !s)
		return false;
	*kind = kind_of_type(t + 6);
	*sdp = s + 5;
	return *kind != RTCLAB_SIGNAL_OTHER;
}

/* The candidate line of an icecandidate/addIceCandidate value, copied into
 * buf: JSON {"candidate":"candidate:..."} or "sdpMid: 0, ..., candidate: ...". */
static bool internals_candidate(const char *value, char *buf, size_t len)
{
	const char *c = NULL;
	json_t *j = NULL;
	if (value[0] == '{') {
		j = json_loads(value, 0, NULL);
		c = json_string_value(json_object_get(j, "candidate"));
	} else if ((c = strstr(value, "candidate: "))) {
		c += 11;
	}
	bool ok = c && c[0];
	if (ok)
		snprintf(buf, len, "%.*s", (int)strcspn(c, "\r\n"), c);
	json_decref(j);
	return ok;
}

static int64_t internals_time(const json_t *e)
{
	const json_t *t = json_object_get(e, "timestamp");
	return json_is_number(t) ? (int64_t)(json_number_value(t) * 1e6) : INT64_MIN; /* ms since the epoch */
}

static int internals_pc(struct rtclab_timeline *tl, const json_t *pc, const char *source, char *err, size_t err_len)
{
	const json_t *log = json_object_get(pc, "updateLog");
	if (!json_is_array(log))
		return 0;
	int added = 0;
	size_t i;
	const json_t *e;
	char local_ufrag[RTCLAB_TL_UFRAG_MAX] = "", remote_ufrag[RTCLAB_TL_UFRAG_MAX] = "";
	json_array_foreach(log, i, e) {
		const char *type = json_string_value(json_object_get(e, "type"));
		const char *value = json_string_value(json_object_get(e, "value"));
		if (!type || !value)
			continue;
		bool local = strcmp(type, "setLocalDescription") == 0;
		bool remote = strcmp(type, "setRemoteDescription") == 0;
		if (local || remote) {
			enum rtclab_signal_kind kind;
			const char *sdp;
			json_t *j;
			if (!internals_desc(value, &kind, &sdp, &j))
				continue;
			struct rtclab_sdp *parsed = rtclab_sdp_parse(sdp, strlen(sdp));
			char ub[RTCLAB_TL_UFRAG_MAX];
			if (parsed && desc_ufrag(parsed, ub, sizeof ub))
				snprintf(local ? local_ufrag : remote_ufrag, RTCLAB_TL_UFRAG_MAX, "%s", ub);
			rtclab_sdp_free(parsed);
			if (add_sdp_at(tl, sdp, strlen(sdp), kind, RTCLAB_TL_DESC_WEBRTC_INTERNALS, source, internals_time(e),
				       err, err_len))
				added++;
			json_decref(j);
			continue;
		}
		/* candidates: gathered here (onicecandidate) or received (addIceCandidate) */
		bool gathered = strcmp(type, "icecandidate") == 0 || strcmp(type, "onicecandidate") == 0;
		bool received = strcmp(type, "addIceCandidate") == 0;
		char line[512];
		if (!(gathered || received) || !internals_candidate(value, line, sizeof line))
			continue;
		const char *ufrag = gathered ? local_ufrag : remote_ufrag;
		struct tl_ufrag *u = ufrag[0] ? tl_ufrag_find(tl, ufrag, strlen(ufrag)) : NULL;
		struct rtclab_candidate c;
		size_t col;
		if (!u || rtclab_candidate_parse(&c, line, strlen(line), &col) != RTCLAB_CAND_OK || c.component != 1)
			continue;
		struct rtclab_tl_candidate tc;
		tl_candidate_from_line(&tc, &c, u->peer, RTCLAB_TL_FROM_TRICKLE, internals_time(e), 0);
		tl_candidate_add(tl->sessions[u->session], &tc);
	}
	return added;
}

int rtclab_timeline_add_webrtc_internals(struct rtclab_timeline *tl, const json_t *dump, const char *source, char *err,
					 size_t err_len)
{
	const json_t *pcs = json_object_get(dump, "PeerConnections");
	if (!json_is_object(pcs)) {
		snprintf(err, err_len, "no \"PeerConnections\" object: not a chrome://webrtc-internals dump");
		return -1;
	}
	int added = 0;
	const char *key;
	const json_t *pc;
	json_object_foreach((json_t *)pcs, key, pc) {
		int n = internals_pc(tl, pc, source, err, err_len);
		added += n;
	}
	if (!added) {
		snprintf(err, err_len, "the dump holds no setLocalDescription/setRemoteDescription with an SDP");
		return -1;
	}
	return added;
}
