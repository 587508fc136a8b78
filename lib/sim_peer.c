/* A simulated peer: a browser in miniature.  It opens its signaling
 * WebSocket, and as the offerer creates its ICE agent and sends an offer
 * (trickling candidates, or waiting for all of them), as the answerer
 * answers; it feeds the agent what arrives; once a pair is selected it runs
 * a DTLS handshake (the answerer, a=setup:active, is the client, RFC 8842
 * 5) and sends a second of audio (RTP, 20 ms packets) and a data channel
 * message.  The DTLS records have real headers and the flights of a DTLS
 * 1.2 handshake with well-formed hellos; the keys are not real, and what
 * follows ChangeCipherSpec is random bytes, as encrypted records look. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtclab/sdp_build.h"
#include "rtclab/signal.h"
#include "sim_internal.h"

#define MEDIA_PACKETS 50                /* one second of 20 ms audio */
#define DTLS_FIRST_RTO RTCLAB_SEC(1)    /* RFC 6347 4.2.4.1 */

/* --- signaling messages ------------------------------------------------------------- */

static void send_json(struct sim_peer *p, json_t *j)
{
	char *text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (text) {
		sim_ws_send_text(p, text, strlen(text));
		free(text);
	}
}

static void send_description(struct sim_peer *p, bool final)
{
	uint8_t fp[RTCLAB_SDP_BUILD_SHA256_LEN];
	struct rtclab_rng fr;
	rtclab_rng_seed(&fr, p->session_id); /* the same certificate for the whole session */
	for (size_t i = 0; i < sizeof fp; i++)
		fp[i] = (uint8_t)rtclab_rng_next(&fr);
	struct rtclab_sdp_build b = {0};
	b.role = p->offerer ? RTCLAB_SDP_ROLE_OFFER : RTCLAB_SDP_ROLE_ANSWER;
	b.session_id = p->session_id;
	b.session_version = ++p->session_version;
	b.ice_ufrag = rtclab_ice_agent_local_ufrag(p->agent);
	b.ice_pwd = rtclab_ice_agent_local_pwd(p->agent);
	b.trickle = p->sp->ice.trickle;
	b.ice_lite = p->sp->ice.lite;
	b.fingerprint = fp;
	b.setup = p->offerer ? RTCLAB_SDP_SETUP_ACTPASS : RTCLAB_SDP_SETUP_ACTIVE;
	b.audio = true;
	b.data = true;
	b.candidate_lines = (const char *const *)p->pending_lines;
	b.n_candidate_lines = final ? p->n_pending : 0;
	b.end_of_candidates = final;
	size_t len;
	enum rtclab_sdp_build_error e;
	char *sdp = rtclab_sdp_build_alloc(&b, &len, &e);
	if (!sdp)
		return;
	json_t *j = json_object();
	json_object_set_new(j, "type", json_string(p->offerer ? "offer" : "answer"));
	json_object_set_new(j, "sdp", json_stringn(sdp, len));
	free(sdp);
	send_json(p, j);
	p->sent_description = true;
}

static void send_candidate(struct sim_peer *p, const char *line)
{
	json_t *c = json_object();
	json_object_set_new(c, "candidate", json_string(line));
	json_object_set_new(c, "sdpMid", json_string("0"));
	json_object_set_new(c, "sdpMLineIndex", json_integer(0));
	json_object_set_new(c, "usernameFragment", json_string(rtclab_ice_agent_local_ufrag(p->agent)));
	json_t *j = json_object();
	json_object_set_new(j, "type", json_string("candidate"));
	json_object_set_new(j, "candidate", c);
	send_json(p, j);
}

static void send_end_of_candidates(struct sim_peer *p)
{
	json_t *j = json_object();
	json_object_set_new(j, "type", json_string("candidate"));
	json_object_set_new(j, "candidate", json_null());
	send_json(p, j);
}

/* --- DTLS, in records with real headers ------------------------------------------- */

static size_t dtls_record(struct sim_peer *p, uint8_t *out, uint8_t type, uint16_t epoch, const uint8_t *body,
			  size_t len)
{
	out[0] = type;
	out[1] = 0xFE, out[2] = 0xFD; /* DTLS 1.2 */
	out[3] = (uint8_t)(epoch >> 8), out[4] = (uint8_t)epoch;
	uint64_t seq = p->dtls_seq++;
	for (int i = 0; i < 6; i++)
		out[5 + i] = (uint8_t)(seq >> (8 * (5 - i)));
	out[11] = (uint8_t)(len >> 8), out[12] = (uint8_t)len;
	memcpy(out + 13, body, len);
	return 13 + len;
}

/* The body of a handshake message, well formed enough for any dissector:
 * DTLS 1.2 hellos with a fresh random and one cipher suite
 * (TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256), an empty certificate list, an
 * ECDHE public value.  The keys are not real: nothing is encrypted. */
static size_t handshake_body(struct sim_peer *p, uint8_t hs_type, uint8_t *b)
{
	size_t n = 0;
	switch (hs_type) {
	case 1:                               /* ClientHello (RFC 6347 4.2.1) */
	case 2:                               /* ServerHello */
		b[n++] = 0xFE, b[n++] = 0xFD;     /* DTLS 1.2 */
		for (int i = 0; i < 32; i++)      /* random */
			b[n++] = (uint8_t)rtclab_rng_next(&p->rng);
		b[n++] = 0;                       /* session id: none */
		if (hs_type == 1) {
			b[n++] = 0;               /* cookie: none */
			b[n++] = 0, b[n++] = 2;   /* cipher suites */
		}
		b[n++] = 0xC0, b[n++] = 0x2B;
		if (hs_type == 1)
			b[n++] = 1;               /* compression methods */
		b[n++] = 0;                       /* null */
		return n;
	case 11:                              /* Certificate: an empty list */
		b[n++] = 0, b[n++] = 0, b[n++] = 0;
		return n;
	case 16:                              /* ClientKeyExchange: an uncompressed P-256 point */
		b[n++] = 65;
		b[n++] = 4;
		for (int i = 0; i < 64; i++)
			b[n++] = (uint8_t)rtclab_rng_next(&p->rng);
		return n;
	default:                              /* ServerHelloDone: empty */
		return 0;
	}
}

/* A handshake message in its record (RFC 6347 4.2.2: one fragment). */
static size_t dtls_handshake(struct sim_peer *p, uint8_t *out, uint8_t hs_type, uint16_t msg_seq)
{
	uint8_t body[256];
	size_t len = handshake_body(p, hs_type, body + 12);
	body[0] = hs_type;
	body[1] = 0, body[2] = (uint8_t)(len >> 8), body[3] = (uint8_t)len;
	body[4] = (uint8_t)(msg_seq >> 8), body[5] = (uint8_t)msg_seq;
	body[6] = body[7] = body[8] = 0; /* fragment offset */
	body[9] = 0, body[10] = (uint8_t)(len >> 8), body[11] = (uint8_t)len;
	return dtls_record(p, out, 22, 0, body, 12 + len);
}

static size_t dtls_encrypted(struct sim_peer *p, uint8_t *out, uint8_t type, size_t len)
{
	uint8_t body[256];
	for (size_t i = 0; i < len; i++)
		body[i] = (uint8_t)rtclab_rng_next(&p->rng);
	return dtls_record(p, out, type, 1, body, len);
}

static void send_app(struct sim_peer *p, rtclab_time_ns now, const uint8_t *d, size_t n)
{
	rtclab_ice_agent_send_data(p->agent, now, d, n);
	sim_peer_arm(p);
}

/* The client's flights: ClientHello; then ClientKeyExchange, ChangeCipherSpec, Finished. */
static void dtls_client_flight(struct sim_peer *p, rtclab_time_ns now)
{
	uint8_t d[1024];
	size_t n = 0;
	if (p->dtls == SIM_DTLS_HELLO_SENT || p->dtls == SIM_DTLS_IDLE) {
		n = dtls_handshake(p, d, 1, 0);
		p->dtls = SIM_DTLS_HELLO_SENT;
	} else {
		n = dtls_handshake(p, d, 16, 1);
		uint8_t ccs = 1;
		n += dtls_record(p, d + n, 20, 0, &ccs, 1);
		n += dtls_encrypted(p, d + n, 22, 40);
	}
	send_app(p, now, d, n);
}

/* The server's flights: ServerHello, Certificate, ServerHelloDone; then
 * ChangeCipherSpec and Finished. */
static void dtls_server_flight(struct sim_peer *p, rtclab_time_ns now, bool finished)
{
	uint8_t d[1400];
	size_t n = 0;
	if (!finished) {
		n = dtls_handshake(p, d, 2, 0);
		n += dtls_handshake(p, d + n, 11, 1);
		n += dtls_handshake(p, d + n, 14, 2);
	} else {
		uint8_t ccs = 1;
		n = dtls_record(p, d, 20, 0, &ccs, 1);
		n += dtls_encrypted(p, d + n, 22, 40);
	}
	send_app(p, now, d, n);
}

static void media_tick(void *arg, rtclab_time_ns now);

static void start_media(struct sim_peer *p, rtclab_time_ns now)
{
	p->media_left = MEDIA_PACKETS;
	p->ssrc = (uint32_t)rtclab_rng_next(&p->rng);
	uint8_t d[128];
	size_t n = dtls_encrypted(p, d, 23, 60); /* a data channel message: SCTP in DTLS */
	send_app(p, now, d, n);
	p->media_timer = rtclab_simnet_timer(p->ep.net, now + RTCLAB_MS(20), media_tick, p);
}

static void media_tick(void *arg, rtclab_time_ns now)
{
	struct sim_peer *p = arg;
	p->media_timer = 0;
	if (p->stopped || !p->media_left)
		return;
	uint8_t rtp[172];
	rtp[0] = 0x80, rtp[1] = 111; /* RTP version 2, opus */
	rtp[2] = (uint8_t)(p->rtp_seq >> 8), rtp[3] = (uint8_t)p->rtp_seq;
	p->rtp_seq++;
	p->rtp_ts += 960;
	for (int i = 0; i < 4; i++) {
		rtp[4 + i] = (uint8_t)(p->rtp_ts >> (24 - 8 * i));
		rtp[8 + i] = (uint8_t)(p->ssrc >> (24 - 8 * i));
	}
	for (size_t i = 12; i < sizeof rtp; i++)
		rtp[i] = (uint8_t)rtclab_rng_next(&p->rng);
	send_app(p, now, rtp, sizeof rtp);
	if (--p->media_left)
		p->media_timer = rtclab_simnet_timer(p->ep.net, now + RTCLAB_MS(20), media_tick, p);
}

static void dtls_retransmit(void *arg, rtclab_time_ns now)
{
	struct sim_peer *p = arg;
	p->dtls_timer = 0;
	if (p->stopped || p->dtls == SIM_DTLS_DONE || p->dtls_tries >= 6)
		return;
	dtls_client_flight(p, now);
	p->dtls_tries++;
	p->dtls_timer = rtclab_simnet_timer(p->ep.net, now + (DTLS_FIRST_RTO << p->dtls_tries), dtls_retransmit, p);
}

/* What the agent passes up from the selected pair: DTLS (20-63) or media. */
static void on_data(void *arg, rtclab_time_ns now, const void *data, size_t len)
{
	struct sim_peer *p = arg;
	const uint8_t *d = data;
	if (len < 13 || d[0] < 20 || d[0] > 63)
		return;
	uint16_t epoch = (uint16_t)(d[3] << 8 | d[4]);
	uint8_t hs = len > 13 ? d[13] : 0;
	if (!p->dtls_client) {
		if (d[0] == 22 && epoch == 0 && hs == 1) { /* a ClientHello (again): our first flight */
			dtls_server_flight(p, now, false);
		} else if (epoch == 1 || (d[0] == 22 && hs == 16)) { /* the client's Finished */
			dtls_server_flight(p, now, true);
			if (p->dtls != SIM_DTLS_DONE) {
				p->dtls = SIM_DTLS_DONE;
				start_media(p, now);
			}
		}
		return;
	}
	if (p->dtls == SIM_DTLS_HELLO_SENT && d[0] == 22 && epoch == 0 && hs == 2) {
		p->dtls = SIM_DTLS_FINISHED_SENT;
		p->dtls_tries = 0;
		dtls_client_flight(p, now);
	} else if (p->dtls == SIM_DTLS_FINISHED_SENT && (d[0] == 20 || epoch == 1)) {
		p->dtls = SIM_DTLS_DONE;
		start_media(p, now);
	}
}

/* --- the agent ------------------------------------------------------------------------- */

static void agent_timer(void *arg, rtclab_time_ns now)
{
	struct sim_peer *p = arg;
	p->agent_timer = 0;
	if (p->agent && !p->stopped)
		rtclab_ice_agent_timeout(p->agent, now);
	sim_peer_arm(p);
}

void sim_peer_arm(struct sim_peer *p)
{
	if (!p->agent)
		return;
	rtclab_time_ns at = rtclab_ice_agent_next_timer(p->agent);
	if (p->agent_timer && at == p->agent_timer_at)
		return;
	if (p->agent_timer)
		rtclab_simnet_timer_cancel(p->ep.net, p->agent_timer);
	p->agent_timer = 0;
	if (at == RTCLAB_NEVER || p->stopped)
		return;
	rtclab_time_ns now = rtclab_simnet_now(p->ep.net);
	p->agent_timer_at = at < now ? now : at;
	p->agent_timer = rtclab_simnet_timer(p->ep.net, p->agent_timer_at, agent_timer, p);
}

static void keep_line(struct sim_peer *p, const char *line)
{
	char **v = realloc(p->pending_lines, (p->n_pending + 1) * sizeof *v);
	if (!v)
		return;
	p->pending_lines = v;
	if ((v[p->n_pending] = strdup(line)))
		p->n_pending++;
}

/* What the page signals of a candidate the agent found: nothing when the
 * scenario hides its type (candidates: [...], iceTransportPolicy relay), a
 * host address replaced by an mDNS name (<uuid>.local, as browsers do to
 * hide local addresses) when asked.  false: not signalled. */
static bool signalled_line(struct sim_peer *p, const char *line, char *out, size_t len)
{
	struct rtclab_candidate c;
	size_t col;
	if (rtclab_candidate_parse(&c, line, strlen(line), &col) != RTCLAB_CAND_OK)
		return false;
	unsigned allowed = p->sp->ice.gather ? p->sp->ice.gather : RTCLAB_SCN_GATHER_ALL;
	if (p->sp->ice.relay_only)
		allowed = 1u << RTCLAB_CAND_RELAY;
	if (!(allowed & (1u << c.type)))
		return false;
	if (!(p->sp->ice.mdns && c.type == RTCLAB_CAND_HOST)) {
		snprintf(out, len, "%s", line);
		return true;
	}
	uint64_t a = rtclab_rng_next(&p->rng), b = rtclab_rng_next(&p->rng);
	size_t at = (size_t)(c.address.ptr - line);
	snprintf(out, len, "%.*s%08x-%04x-4%03x-%04x-%012llx.local%s", (int)at, line, (unsigned)(a >> 32),
		 (unsigned)(a >> 16) & 0xFFFF, (unsigned)a & 0xFFF, (unsigned)(0x8000 | ((b >> 48) & 0x3FFF)),
		 (unsigned long long)(b & 0xFFFFFFFFFFFFull), line + at + c.address.len);
	return true;
}

static void on_agent_event(void *arg, const struct rtclab_ice_event *ev)
{
	struct sim_peer *p = arg;
	char line[512];
	switch (ev->kind) {
	case RTCLAB_ICE_EV_CANDIDATE:
		if (!signalled_line(p, ev->candidate, line, sizeof line))
			break;
		keep_line(p, line);
		if (p->sp->ice.trickle && p->sent_description)
			send_candidate(p, line);
		break;
	case RTCLAB_ICE_EV_GATHERING_DONE:
		if (!p->sp->ice.trickle && !p->sent_description)
			send_description(p, true);
		else if (!p->offerer && !p->sent_description)
			p->eoc_pending = true; /* gathered at once (host only, as a lite agent): after the answer */
		else
			send_end_of_candidates(p);
		break;
	case RTCLAB_ICE_EV_SELECTED:
		if (p->selected_at < 0)
			p->selected_at = ev->now;
		if (p->dtls_client && p->dtls == SIM_DTLS_IDLE) {
			dtls_client_flight(p, ev->now);
			p->dtls_timer = rtclab_simnet_timer(p->ep.net, ev->now + DTLS_FIRST_RTO, dtls_retransmit, p);
		}
		break;
	case RTCLAB_ICE_EV_STATE:
		if (ev->state == RTCLAB_ICE_STATE_FAILED)
			p->failed = true;
		if (ev->state == RTCLAB_ICE_STATE_DISCONNECTED || (ev->state == RTCLAB_ICE_STATE_FAILED && p->selected_at >= 0))
			p->consent_lost = true;
		break;
	default:
		break;
	}
}

static bool make_agent(struct sim_peer *p, rtclab_time_ns now)
{
	const struct rtclab_scenario *sc = p->sim->sc;
	struct rtclab_addr stun[RTCLAB_SCN_MAX_SERVERS_PER_PEER];
	struct rtclab_ice_turn_server turn[RTCLAB_SCN_MAX_SERVERS_PER_PEER];
	size_t n_stun = 0, n_turn = 0;
	for (size_t i = 0; i < p->sp->n_stun; i++)
		stun[n_stun++] = sc->servers[p->sp->stun[i]].addr;
	for (size_t i = 0; i < p->sp->n_turn; i++) {
		const struct rtclab_scn_turn_use *u = &p->sp->turn[i];
		turn[n_turn].addr = sc->servers[u->server].addr;
		turn[n_turn].transport = (u->transports & RTCLAB_SCN_UDP) ? RTCLAB_L4_UDP : RTCLAB_L4_TCP;
		turn[n_turn].username = u->username;
		turn[n_turn].password = u->password;
		n_turn++;
	}
	struct rtclab_ice_agent_config c = {0};
	/* RFC 8445 6.1.1: the offerer controls; the agent itself gives way to
	 * the lite rules once it knows whether the peer is lite (a lite agent
	 * is controlled by a full peer, a full agent controls a lite one). */
	bool controlling = p->sp->ice.role == RTCLAB_SCN_ROLE_CONTROLLING ||
			   (p->sp->ice.role == RTCLAB_SCN_ROLE_AUTO && p->offerer);
	c.role = controlling ? RTCLAB_ICE_CONTROLLING : RTCLAB_ICE_CONTROLLED;
	c.lite = p->sp->ice.lite;
	c.rng = &p->rng;
	c.hosts = p->sockets;
	c.n_hosts = p->n_sockets;
	c.stun_servers = stun;
	c.n_stun_servers = n_stun;
	c.turn_servers = turn;
	c.n_turn_servers = n_turn;
	c.trickle = p->sp->ice.trickle;
	c.relay_only = p->sp->ice.relay_only;
	c.send = rtclab_simnet_send_fn;
	c.send_arg = &p->ep;
	c.on_event = on_agent_event;
	c.on_data = on_data;
	c.cb_arg = p;
	enum rtclab_ice_agent_error e;
	p->agent = rtclab_ice_agent_new(&c, &e);
	if (!p->agent)
		return false;
	if (!p->session_id) /* the same o= session for the life of the connection (RFC 3264 8) */
		p->session_id = rtclab_rng_next(&p->rng) >> 2;
	p->dtls_client = !p->offerer;
	if (p->offerer && p->sp->ice.trickle)
		send_description(p, false);
	rtclab_ice_agent_gather(p->agent, now);
	sim_peer_arm(p);
	return true;
}

/* --- the peer's life ------------------------------------------------------------------- */

void sim_peer_start(struct sim_peer *p, rtclab_time_ns now)
{
	if (p->sp->discover != RTCLAB_SCN_NONE)
		sim_discover_start(p, now);
	if (p->partner != SIZE_MAX)
		sim_ws_connect(p, now);
}

void sim_peer_ws_open(struct sim_peer *p, rtclab_time_ns now)
{
	if (p->offerer && !p->agent)
		make_agent(p, now);
}

/* The peer moves to another network: its first address changes.  Its
 * signaling WebSocket, bound to the old address, is opened again from the
 * new one; its ICE agent keeps using the old address (whose packets now go
 * nowhere) until an ICE restart, which gathers from the new one (RFC 8445
 * 9: an address change is what ICE restarts are for). */
void sim_peer_move(struct sim_peer *p, rtclab_time_ns now, const struct rtclab_addr *ip)
{
	struct rtclab_addr old = p->sockets[0];
	old.port = 0;
	struct rtclab_addr fresh = *ip;
	fresh.port = 0;
	rtclab_simnet_host_addr_remove(p->ep.net, p->host, &old);
	if (rtclab_simnet_host_addr_add(p->ep.net, p->host, p->realm, &fresh) != RTCLAB_SIMNET_OK)
		return;
	p->sockets[0] = fresh;
	p->sockets[0].port = SIM_AGENT_PORT;
	if (rtclab_addr_equal(&p->signal_local, &old) || p->signal_local.family == fresh.family) {
		p->signal_local = fresh;
		p->signal_local.port = SIM_SIGNAL_PORT;
		p->in.len = 0;
		sim_ws_connect(p, now);
	}
	p->moved = true;
}

static void take_description(struct sim_peer *p, rtclab_time_ns now, const struct rtclab_sdp *sdp)
{
	struct rtclab_str u = sdp->ice.ufrag, w = sdp->ice.pwd;
	for (size_t i = 0; i < sdp->n_media && !u.len; i++) {
		u = sdp->media[i].ice.ufrag;
		w = sdp->media[i].ice.pwd;
	}
	char ufrag[RTCLAB_ICE_AGENT_MAX_CRED], pwd[RTCLAB_ICE_AGENT_MAX_CRED];
	snprintf(ufrag, sizeof ufrag, "%.*s", (int)u.len, u.ptr);
	snprintf(pwd, sizeof pwd, "%.*s", (int)w.len, w.ptr);
	rtclab_ice_agent_set_remote_credentials(p->agent, ufrag, pwd);
	rtclab_ice_agent_set_remote_lite(p->agent, now, sdp->ice.lite); /* session-level a=ice-lite */
	bool eoc = false;
	for (size_t i = 0; i < sdp->n_media; i++)
		eoc |= sdp->media[i].end_of_candidates;
	for (size_t i = 0; i < sdp->n_candidates; i++)
		if (sdp->candidates[i].component == 1)
			rtclab_ice_agent_add_remote_candidate_parsed(p->agent, now, &sdp->candidates[i]);
	if (eoc)
		rtclab_ice_agent_remote_gathering_done(p->agent, now);
	p->have_remote = true;
}

void sim_peer_message(struct sim_peer *p, rtclab_time_ns now, const char *text, size_t len)
{
	struct rtclab_signal *sig = rtclab_signal_parse(text, len);
	if (!sig)
		return;
	for (size_t i = 0; i < sig->n_items; i++) {
		const struct rtclab_signal_item *it = &sig->items[i];
		if (it->kind == RTCLAB_SIGNAL_OFFER && it->sdp && !p->offerer) {
			if (!p->agent && !make_agent(p, now))
				continue;
			if (p->have_remote) { /* a new offer: the offerer restarted ICE; so do we */
				for (size_t k = 0; k < p->n_pending; k++)
					free(p->pending_lines[k]);
				p->n_pending = 0;
				p->sent_description = false;
				rtclab_ice_agent_restart(p->agent, now);
			}
			take_description(p, now, it->sdp);
			if (p->sp->ice.trickle && !p->sent_description) {
				send_description(p, false);
				for (size_t k = 0; k < p->n_pending; k++)
					send_candidate(p, p->pending_lines[k]);
			}
			if (p->eoc_pending && p->sent_description) { /* a browser trickles after its answer, never before */
				p->eoc_pending = false;
				send_end_of_candidates(p);
			}
		} else if (it->kind == RTCLAB_SIGNAL_ANSWER && it->sdp && p->offerer && p->agent) {
			take_description(p, now, it->sdp);
		} else if (it->kind == RTCLAB_SIGNAL_CANDIDATE && p->agent && it->cand_error == RTCLAB_CAND_OK &&
			   it->candidate.component == 1) {
			rtclab_ice_agent_add_remote_candidate_parsed(p->agent, now, &it->candidate);
		} else if (it->kind == RTCLAB_SIGNAL_END_OF_CANDIDATES && p->agent) {
			rtclab_ice_agent_remote_gathering_done(p->agent, now);
		}
	}
	rtclab_signal_free(sig);
	sim_peer_arm(p);
}

void sim_peer_udp(struct sim_peer *p, rtclab_time_ns now, enum rtclab_l4 l4, const struct rtclab_addr *local,
		  const struct rtclab_addr *src, const uint8_t *data, size_t len)
{
	if (l4 == RTCLAB_L4_UDP && sim_discover_receive(p, now, local, data, len))
		return;
	if (!p->agent)
		return;
	rtclab_ice_agent_receive(p->agent, now, l4, local, src, data, len);
	sim_peer_arm(p);
}

/* An ICE restart by the offerer: new credentials, gathering again, a new
 * offer with the same o= session and a higher version (RFC 8445 9, RFC
 * 3264 8). */
void sim_peer_restart(struct sim_peer *p, rtclab_time_ns now)
{
	if (!p->agent || p->stopped)
		return;
	for (size_t i = 0; i < p->n_pending; i++)
		free(p->pending_lines[i]);
	p->n_pending = 0;
	p->sent_description = false;
	if (p->moved) { /* the agent's sockets are gone: a new agent on the new address */
		p->moved = false;
		if (p->agent_timer)
			rtclab_simnet_timer_cancel(p->ep.net, p->agent_timer);
		p->agent_timer = 0;
		rtclab_ice_agent_free(p->agent);
		p->agent = NULL;
		make_agent(p, now); /* sends the new offer */
		return;
	}
	rtclab_ice_agent_restart(p->agent, now);
	if (p->sp->ice.trickle)
		send_description(p, false);
	sim_peer_arm(p);
}

/* The peer stops: it sends nothing more and ignores what arrives. */
void sim_peer_stop(struct sim_peer *p)
{
	p->stopped = true;
	if (p->agent_timer)
		rtclab_simnet_timer_cancel(p->ep.net, p->agent_timer);
	if (p->media_timer)
		rtclab_simnet_timer_cancel(p->ep.net, p->media_timer);
	if (p->disc.timer)
		rtclab_simnet_timer_cancel(p->ep.net, p->disc.timer);
	if (p->dtls_timer)
		rtclab_simnet_timer_cancel(p->ep.net, p->dtls_timer);
	p->agent_timer = p->media_timer = p->dtls_timer = 0;
}

void sim_peer_free(struct sim_peer *p)
{
	rtclab_ice_agent_free(p->agent);
	for (size_t i = 0; i < p->n_pending; i++)
		free(p->pending_lines[i]);
	free(p->pending_lines);
	free(p->in.p);
}
