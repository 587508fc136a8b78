/* The ICE agent (RFC 8445): its API, configuration, local and remote
 * candidates, events, the transaction table and the dispatch of incoming
 * datagrams.  The check list is in ice_agent_check.c, STUN gathering and
 * the TURN client in ice_agent_turn.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ice_agent_internal.h"
#include "rtclab/channeldata.h"

/* --- names --------------------------------------------------------------------- */

const char *rtclab_ice_role_name(enum rtclab_ice_role r)
{
	return r == RTCLAB_ICE_CONTROLLING ? "controlling" : r == RTCLAB_ICE_CONTROLLED ? "controlled" : "unknown";
}

const char *rtclab_ice_agent_state_name(enum rtclab_ice_agent_state s)
{
	static const char *const names[] = {"new", "gathering", "checking", "connected", "completed", "failed",
					    "disconnected"};
	return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "unknown";
}

const char *rtclab_ice_agent_error_str(enum rtclab_ice_agent_error e)
{
	switch (e) {
	case RTCLAB_ICE_AGENT_OK: return "no error";
	case RTCLAB_ICE_AGENT_E_INVALID_ARG: return "an argument is missing or invalid";
	case RTCLAB_ICE_AGENT_E_NO_MEMORY: return "out of memory";
	case RTCLAB_ICE_AGENT_E_BAD_CANDIDATE: return "the candidate line does not parse";
	case RTCLAB_ICE_AGENT_E_UNSUPPORTED: return "the agent cannot use this candidate (TCP, another component, "
						    "or a name it cannot resolve)";
	case RTCLAB_ICE_AGENT_E_TOO_MANY: return "a table of the agent is full";
	case RTCLAB_ICE_AGENT_E_NOT_CONNECTED: return "no pair is selected, or consent was lost";
	case RTCLAB_ICE_AGENT_E_TOO_LARGE: return "the payload is too large";
	case RTCLAB_ICE_AGENT_E_NO_CREDENTIALS: return "the remote ufrag and pwd are not known yet";
	}
	return "unknown error";
}

const char *rtclab_ice_event_kind_name(enum rtclab_ice_event_kind k)
{
	static const char *const names[] = {"state", "candidate", "gathering-done", "pair",
					    "selected", "role", "turn", "note"};
	return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "unknown";
}

/* --- events -------------------------------------------------------------------- */

static void emit(struct rtclab_ice_agent *a, rtclab_time_ns now, enum rtclab_ice_event_kind k, size_t pair,
		 const char *line, const char *text)
{
	if (!a->cfg.on_event)
		return;
	struct rtclab_ice_event ev = {k, now, a->state, pair, line, text};
	a->cfg.on_event(a->cfg.cb_arg, &ev);
}

void rtclab_ice_note_(struct rtclab_ice_agent *a, rtclab_time_ns now, enum rtclab_ice_event_kind k, size_t pair,
		      const char *fmt, ...)
{
	if (!a->cfg.on_event)
		return;
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	emit(a, now, k, pair, NULL, text);
}

void rtclab_ice_set_state_(struct rtclab_ice_agent *a, rtclab_time_ns now, enum rtclab_ice_agent_state s,
			   const char *why)
{
	if (a->state == s)
		return;
	a->state = s;
	rtclab_ice_note_(a, now, RTCLAB_ICE_EV_STATE, SIZE_MAX, "ICE state %s: %s", rtclab_ice_agent_state_name(s),
			 why);
}

const char *rtclab_ice_addr_str_(const struct rtclab_addr *x, char buf[RTCLAB_ADDR_STRLEN])
{
	return rtclab_addr_format(x, buf, RTCLAB_ADDR_STRLEN);
}

/* --- credentials --------------------------------------------------------------- */

/* RFC 8445 5.3: ice-chars are ALPHA / DIGIT / "+" / "/": 6 bits each. */
static void random_ice_chars(struct rtclab_rng *rng, char *out, size_t n)
{
	static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i++)
		out[i] = chars[rtclab_rng_below(rng, 64)];
	out[n] = '\0';
}

/* 8 characters (48 bits, RFC 8445 5.3 asks for at least 24) and 24 (144
 * bits, at least 128). */
static void new_credentials(struct rtclab_ice_agent *a, struct ice_cred *c)
{
	random_ice_chars(a->rng, c->ufrag, 8);
	random_ice_chars(a->rng, c->pwd, 24);
}

static bool copy_text(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);
	if (n == 0 || n >= cap)
		return false;
	memcpy(dst, src, n + 1);
	return true;
}

/* --- creation ------------------------------------------------------------------ */

static bool copy_turn(struct rtclab_ice_agent *a, const struct rtclab_ice_turn_server *s)
{
	struct turn_client *t = &a->turn[a->n_turn];
	memset(t, 0, sizeof *t);
	t->srv = *s;
	if (!s->username || !s->password || !copy_text(t->user, sizeof t->user, s->username) ||
	    !copy_text(t->pass, sizeof t->pass, s->password))
		return false;
	if (s->transport != RTCLAB_L4_UDP && s->transport != RTCLAB_L4_TCP)
		return false;
	t->srv.username = t->user;
	t->srv.password = t->pass;
	t->host = SIZE_MAX;
	t->local = SIZE_MAX;
	for (size_t h = 0; h < a->n_hosts && t->host == SIZE_MAX; h++)
		if (a->hosts[h].family == s->addr.family)
			t->host = h;
	a->n_turn++;
	return true;
}

/* One Binding per STUN server from each host of its family (every host may
 * be behind a different NAT). */
static void add_stun_servers(struct rtclab_ice_agent *a, const struct rtclab_ice_agent_config *cfg)
{
	for (size_t i = 0; i < cfg->n_stun_servers; i++)
		for (size_t h = 0; h < a->n_hosts; h++)
			if (a->hosts[h].family == cfg->stun_servers[i].family &&
			    a->n_stun < sizeof a->stun / sizeof a->stun[0]) {
				a->stun[a->n_stun].addr = cfg->stun_servers[i];
				a->stun[a->n_stun].host = h;
				a->stun[a->n_stun].done = false;
				a->n_stun++;
			}
}

static enum rtclab_ice_agent_error configure(struct rtclab_ice_agent *a, const struct rtclab_ice_agent_config *cfg)
{
	if (!cfg->rng || !cfg->send || cfg->n_hosts == 0 || cfg->n_hosts > RTCLAB_ICE_AGENT_MAX_HOSTS ||
	    !cfg->hosts || cfg->n_stun_servers > RTCLAB_ICE_AGENT_MAX_SERVERS ||
	    cfg->n_turn_servers > RTCLAB_ICE_AGENT_MAX_SERVERS || (cfg->n_stun_servers && !cfg->stun_servers) ||
	    (cfg->n_turn_servers && !cfg->turn_servers) || (cfg->lite && cfg->relay_only))
		return RTCLAB_ICE_AGENT_E_INVALID_ARG;
	a->cfg = *cfg;
	a->cfg.ufrag = a->cfg.pwd = NULL; /* not kept: the caller's strings may go */
	a->cfg.hosts = NULL;
	a->cfg.stun_servers = NULL;
	a->cfg.turn_servers = NULL;
	a->rng = cfg->rng;
	/* RFC 8445 6.1.1: a lite agent is controlled while its peer is taken
	 * to be full (rtclab_ice_agent_set_remote_lite may say otherwise). */
	a->role = cfg->lite ? RTCLAB_ICE_CONTROLLED : cfg->role;
	if (!a->cfg.ta) a->cfg.ta = RTCLAB_MS(50);
	if (!a->cfg.rc) a->cfg.rc = 7;
	if (!a->cfg.rm) a->cfg.rm = 16;
	if (!a->cfg.consent_interval) a->cfg.consent_interval = RTCLAB_SEC(5);
	if (!a->cfg.consent_timeout) a->cfg.consent_timeout = RTCLAB_SEC(30);
	if (!a->cfg.nomination_delay) a->cfg.nomination_delay = RTCLAB_MS(500);
	if (!a->cfg.check_timeout) a->cfg.check_timeout = RTCLAB_SEC(40);
	for (size_t h = 0; h < cfg->n_hosts; h++) {
		if (cfg->hosts[h].family != RTCLAB_FAMILY_IPV4 && cfg->hosts[h].family != RTCLAB_FAMILY_IPV6)
			return RTCLAB_ICE_AGENT_E_INVALID_ARG;
		a->hosts[h] = cfg->hosts[h];
	}
	a->n_hosts = cfg->n_hosts;
	a->tie_breaker = rtclab_rng_next(a->rng);
	if (cfg->ufrag || cfg->pwd) {
		if (!cfg->ufrag || !cfg->pwd || !copy_text(a->local.ufrag, sizeof a->local.ufrag, cfg->ufrag) ||
		    !copy_text(a->local.pwd, sizeof a->local.pwd, cfg->pwd))
			return RTCLAB_ICE_AGENT_E_INVALID_ARG;
	} else {
		new_credentials(a, &a->local);
	}
	if (cfg->lite) /* RFC 8445 5.2: host candidates only; the servers are not used */
		return RTCLAB_ICE_AGENT_OK;
	add_stun_servers(a, cfg);
	for (size_t i = 0; i < cfg->n_turn_servers; i++)
		if (!copy_turn(a, &cfg->turn_servers[i]))
			return RTCLAB_ICE_AGENT_E_INVALID_ARG;
	return RTCLAB_ICE_AGENT_OK;
}

struct rtclab_ice_agent *rtclab_ice_agent_new(const struct rtclab_ice_agent_config *cfg,
					      enum rtclab_ice_agent_error *err)
{
	enum rtclab_ice_agent_error e = RTCLAB_ICE_AGENT_E_INVALID_ARG;
	struct rtclab_ice_agent *a = NULL;
	if (cfg) {
		a = calloc(1, sizeof *a);
		e = a ? configure(a, cfg) : RTCLAB_ICE_AGENT_E_NO_MEMORY;
		if (e != RTCLAB_ICE_AGENT_OK) {
			free(a);
			a = NULL;
		}
	}
	if (a) {
		a->selected = SIZE_MAX;
		a->first_valid = -1;
		a->checks_started = -1;
	}
	if (err)
		*err = e;
	return a;
}

void rtclab_ice_agent_free(struct rtclab_ice_agent *a)
{
	free(a);
}

/* --- transactions -------------------------------------------------------------- */

void rtclab_ice_new_tid_(struct rtclab_ice_agent *a, uint8_t id[12])
{
	uint64_t x = rtclab_rng_next(a->rng), y = rtclab_rng_next(a->rng);
	memcpy(id, &x, 8);
	memcpy(id + 8, &y, 4);
}

struct ice_tx *rtclab_ice_tx_alloc_(struct rtclab_ice_agent *a)
{
	for (size_t i = 0; i < ICE_MAX_TX; i++)
		if (a->tx[i].kind == ICE_TX_NONE) {
			memset(&a->tx[i], 0, sizeof a->tx[i]);
			rtclab_ice_new_tid_(a, a->tx[i].id);
			return &a->tx[i];
		}
	return NULL;
}

struct ice_tx *rtclab_ice_tx_find_(struct rtclab_ice_agent *a, const uint8_t id[12])
{
	for (size_t i = 0; i < ICE_MAX_TX; i++)
		if (a->tx[i].kind != ICE_TX_NONE && memcmp(a->tx[i].id, id, 12) == 0)
			return &a->tx[i];
	return NULL;
}

/* RFC 8445 14.3: RTO = MAX(500 ms, Ta x (Num-Waiting + Num-In-Progress))
 * for checks; 500 ms for the rest (RFC 8489 6.2.1's recommended initial
 * value).  A configured RTO replaces both. */
rtclab_time_ns rtclab_ice_tx_rto_(const struct rtclab_ice_agent *a, enum ice_tx_kind kind)
{
	if (a->cfg.rto)
		return a->cfg.rto;
	rtclab_time_ns rto = RTCLAB_MS(500);
	if (kind != ICE_TX_CHECK)
		return rto;
	size_t busy = 0;
	for (size_t i = 0; i < a->n_pairs; i++)
		if (a->pairs[i].pub.state == RTCLAB_PAIR_WAITING || a->pairs[i].pub.state == RTCLAB_PAIR_IN_PROGRESS)
			busy++;
	rtclab_time_ns f = a->cfg.ta * (rtclab_time_ns)busy;
	return f > rto ? f : rto;
}

size_t rtclab_ice_host_index_(const struct rtclab_ice_agent *a, const struct rtclab_addr *x)
{
	for (size_t h = 0; h < a->n_hosts; h++)
		if (rtclab_addr_equal(&a->hosts[h], x))
			return h;
	return SIZE_MAX;
}

void rtclab_ice_raw_send_(struct rtclab_ice_agent *a, rtclab_time_ns now, enum rtclab_l4 l4, size_t host,
			  const struct rtclab_addr *dst, const void *data, size_t len)
{
	a->cfg.send(a->cfg.send_arg, now, l4, &a->hosts[host], dst, data, len);
}

/* --- candidates ---------------------------------------------------------------- */

/* RFC 8445 5.1.2.1: the local preference falls with each host socket in the
 * order given (the caller lists the preferred first). */
uint32_t rtclab_ice_local_priority_(const struct rtclab_ice_agent *a, enum rtclab_cand_type type, size_t host)
{
	(void)a;
	unsigned local_pref = 65535u - (unsigned)(host < 256 ? host : 255) * 256u;
	return rtclab_ice_priority(rtclab_ice_type_preference(type), local_pref, 1);
}

/* RFC 8445 5.1.1.3: the same type, base IP, server and transport give the
 * same foundation.  Foundations are small numbers in order of first use. */
static void set_foundation(struct rtclab_ice_agent *a, struct rtclab_ice_agent_candidate *c)
{
	for (size_t i = 0; i < a->n_lc; i++) {
		const struct rtclab_ice_agent_candidate *o = &a->lc[i];
		struct rtclab_addr b1 = o->base, b2 = c->base, s1 = o->server, s2 = c->server;
		b1.port = b2.port = s1.port = s2.port = 0;
		if (o->type == c->type && rtclab_addr_equal(&b1, &b2) && rtclab_addr_equal(&s1, &s2)) {
			memcpy(c->foundation, o->foundation, sizeof c->foundation);
			return;
		}
	}
	unsigned n = 1;
	for (size_t i = 0; i < a->n_lc; i++) {
		unsigned f = (unsigned)strtoul(a->lc[i].foundation, NULL, 10);
		if (f >= n)
			n = f + 1;
	}
	snprintf(c->foundation, sizeof c->foundation, "%u", n);
}

size_t rtclab_ice_agent_candidate_format(const struct rtclab_ice_agent_candidate *c, char *buf, size_t len)
{
	struct rtclab_candidate k;
	memset(&k, 0, sizeof k);
	k.foundation = rtclab_str_make(c->foundation, strlen(c->foundation));
	k.component = 1;
	k.transport = RTCLAB_CAND_UDP;
	k.priority = c->priority;
	k.ip = c->addr;
	k.address_kind = c->addr.family == RTCLAB_FAMILY_IPV6 ? RTCLAB_CAND_ADDR_IPV6 : RTCLAB_CAND_ADDR_IPV4;
	k.port = c->addr.port;
	k.type = c->type;
	if (c->type != RTCLAB_CAND_HOST && c->related.family != RTCLAB_FAMILY_NONE) {
		k.has_raddr = k.has_rport = true;
		k.raddr_ip = c->related;
		k.rport = c->related.port;
	}
	k.generation = -1;
	k.network_id = k.network_cost = -1;
	return rtclab_candidate_format(&k, buf, len);
}

static void report_candidate(struct rtclab_ice_agent *a, rtclab_time_ns now, size_t i)
{
	char line[256];
	rtclab_ice_agent_candidate_format(&a->lc[i], line, sizeof line);
	char text[400];
	snprintf(text, sizeof text, "new local %s candidate: %s", rtclab_cand_type_name(a->lc[i].type), line);
	emit(a, now, RTCLAB_ICE_EV_CANDIDATE, SIZE_MAX, line, text);
}

/* RFC 8445 5.1.3: a candidate is redundant when another has the same
 * transport address and the same base (a srflx equal to its host when
 * there is no NAT). */
static bool redundant_local(const struct rtclab_ice_agent *a, const struct rtclab_addr *addr,
			    const struct rtclab_addr *base)
{
	for (size_t i = 0; i < a->n_lc; i++)
		if (rtclab_addr_equal(&a->lc[i].addr, addr) && rtclab_addr_equal(&a->lc[i].base, base))
			return true;
	return false;
}

size_t rtclab_ice_add_local_(struct rtclab_ice_agent *a, rtclab_time_ns now, enum rtclab_cand_type type,
			     const struct rtclab_addr *addr, const struct rtclab_addr *base,
			     const struct rtclab_addr *related, const struct rtclab_addr *server, size_t host,
			     uint32_t prflx_priority)
{
	char s1[RTCLAB_ADDR_STRLEN];
	if (redundant_local(a, addr, base)) {
		rtclab_ice_note_(a, now, RTCLAB_ICE_EV_NOTE, SIZE_MAX,
				 "%s candidate %s dropped: redundant with a candidate of the same address and base "
				 "(RFC 8445 5.1.3)",
				 rtclab_cand_type_name(type), rtclab_ice_addr_str_(addr, s1));
		return SIZE_MAX;
	}
	if (a->n_lc == RTCLAB_ICE_AGENT_MAX_LOCAL)
		return SIZE_MAX;
	struct rtclab_ice_agent_candidate c;
	memset(&c, 0, sizeof c);
	c.type = type;
	c.addr = *addr;
	c.base = *base;
	if (related)
		c.related = *related;
	if (server)
		c.server = *server;
	c.host = host;
	c.priority = type == RTCLAB_CAND_PRFLX ? prflx_priority : rtclab_ice_local_priority_(a, type, host);
	set_foundation(a, &c);
	size_t i = a->n_lc++;
	a->lc[i] = c;
	/* Peer-reflexive local candidates are never signalled (RFC 8445 7.2.5.3.1). */
	if (type != RTCLAB_CAND_PRFLX && a->cfg.trickle) {
		report_candidate(a, now, i);
		a->n_lc_reported = a->n_lc;
	}
	if (type == RTCLAB_CAND_HOST || type == RTCLAB_CAND_RELAY)
		rtclab_ice_pair_new_local_(a, now, i);
	return i;
}

static bool gathering_pending(const struct rtclab_ice_agent *a)
{
	for (size_t i = 0; i < a->n_stun; i++)
		if (!a->stun[i].done)
			return true;
	for (size_t i = 0; i < a->n_turn; i++)
		if (a->turn[i].state == TURN_IDLE || (a->turn[i].state == TURN_ALLOCATING && a->turn[i].host != SIZE_MAX))
			return true;
	return false;
}

void rtclab_ice_check_gathering_done_(struct rtclab_ice_agent *a, rtclab_time_ns now)
{
	if (!a->gathering_started || a->gathering_done || gathering_pending(a))
		return;
	a->gathering_done = true;
	if (!a->cfg.trickle) /* RFC 8838: a non-trickle agent signals everything at once */
		for (size_t i = 0; i < a->n_lc; i++)
			if (a->lc[i].type != RTCLAB_CAND_PRFLX)
				report_candidate(a, now, i);
	a->n_lc_reported = a->n_lc;
	emit(a, now, RTCLAB_ICE_EV_GATHERING_DONE, SIZE_MAX, NULL, "gathering done: end of local candidates");
	rtclab_ice_update_state_(a, now);
}

void rtclab_ice_agent_gather(struct rtclab_ice_agent *a, rtclab_time_ns now)
{
	if (a->gathering_started)
		return;
	a->gathering_started = true;
	if (a->state == RTCLAB_ICE_STATE_NEW)
		rtclab_ice_set_state_(a, now, RTCLAB_ICE_STATE_GATHERING, "gathering candidates");
	if (a->cfg.lite)
		rtclab_ice_note_(a, now, RTCLAB_ICE_EV_NOTE, SIZE_MAX,
				 "ice-lite agent (RFC 8445 2.5): host candidates only (%zu STUN and %zu TURN servers "
				 "not used, 5.2), no checks of its own; it answers the peer's checks as the %s agent",
				 a->cfg.n_stun_servers, a->cfg.n_turn_servers, rtclab_ice_role_name(a->role));
	for (size_t h = 0; h < a->n_hosts; h++)
		rtclab_ice_add_local_(a, now, RTCLAB_CAND_HOST, &a->hosts[h], &a->hosts[h], NULL, NULL, h, 0);
	for (size_t i = 0; i < a->n_turn; i++)
		if (a->turn[i].host == SIZE_MAX) {
			a->turn[i].state = TURN_FAILED;
			rtclab_ice_note_(a, now, RTCLAB_ICE_EV_TURN, SIZE_MAX,
					 "TURN server skipped: no host socket of its address family");
		}
	if (a->pace_next < now)
		a->pace_next = now;
	rtclab_ice_gather_servers_(a, now);
	rtclab_ice_check_gathering_done_(a, now);
}

/* --- remote side --------------------------------------------------------------- */

enum rtclab_ice_agent_error rtclab_ice_agent_set_remote_credentials(struct rtclab_ice_agent *a, const char *ufrag,
								    const char *pwd)
{
	if (!ufrag || !pwd)
		return RTCLAB_ICE_AGENT_E_INVALID_ARG;
	struct ice_cred c;
	if (!copy_text(c.ufrag, sizeof c.ufrag, ufrag) || !copy_text(c.pwd, sizeof c.pwd, pwd))
		return RTCLAB_ICE_AGENT_E_INVALID_ARG;
	a->remote = c;
	a->have_remote = true;
	return RTCLAB_ICE_AGENT_OK;
}

enum rtclab_ice_agent_error rtclab_ice_agent_set_remote_lite(struct rtclab_ice_agent *a, rtclab_time_ns now,
							     bool lite)
{
	if (!a)
		return RTCLAB_ICE_AGENT_E_INVALID_ARG;
	bool was = a->remote_lite;
	a->remote_lite = lite;
	rtclab_ice_lite_roles_(a, now);
	if (!a->cfg.lite)
		return RTCLAB_ICE_AGENT_OK;
	if (lite && !was) /* both lite: pairs from the candidates already known (8.2) */
		for (size_t r = 0; r < a->n_rc; r++)
			rtclab_ice_pair_new_remote_(a, now, r);
	rtclab_ice_update_state_(a, now); /* waiting for the peer's checks, or selected */
	return RTCLAB_ICE_AGENT_OK;
}

static size_t find_remote(const struct rtclab_ice_agent *a, const struct rtclab_addr *x)
{
	for (size_t i = 0; i < a->n_rc; i++)
		if (rtclab_addr_equal(&a->rc[i].addr, x))
			return i;
	return SIZE_MAX;
}

enum rtclab_ice_agent_error rtclab_ice_agent_add_remote_candidate_parsed(struct rtclab_ice_agent *a,
									 rtclab_time_ns now,
									 const struct rtclab_candidate *c)
{
	if (!c)
		return RTCLAB_ICE_AGENT_E_INVALID_ARG;
	char s[RTCLAB_ADDR_STRLEN];
	if (c->transport != RTCLAB_CAND_UDP || c->component != 1 ||
	    (c->address_kind != RTCLAB_CAND_ADDR_IPV4 && c->address_kind != RTCLAB_CAND_ADDR_IPV6)) {
		rtclab_ice_note_(a, now, RTCLAB_ICE_EV_NOTE, SIZE_MAX,
				 "remote candidate ignored: only UDP candidates of component 1 with an IP address "
				 "are used");
		return RTCLAB_ICE_AGENT_E_UNSUPPORTED;
	}
	struct rtclab_addr addr = c->ip;
	addr.port = c->port;
	size_t i = find_remote(a, &addr);
	if (i != SIZE_MAX) {
		/* Signalled after a check revealed it as peer-reflexive: it keeps
		 * its pairs and takes the signalled type and priority. */
		if (a->rc[i].type == RTCLAB_CAND_PRFLX || c->priority > a->rc[i].priority) {
			a->rc[i].type = c->type;
			a->rc[i].priority = c->priority;
		}
		return RTCLAB_ICE_AGENT_OK;
	}
	if (a->n_rc == RTCLAB_ICE_AGENT_MAX_REMOTE)
		return RTCLAB_ICE_AGENT_E_TOO_MANY;
	struct rtclab_ice_agent_candidate *r = &a->rc[a->n_rc];
	memset(r, 0, sizeof *r);
	r->type = c->type;
	r->addr = addr;
	r->base = addr;
	if (c->has_raddr && c->has_rport && c->raddr_ip.family != RTCLAB_FAMILY_NONE) {
		r->related = c->raddr_ip;
		r->related.port = c->rport;
	}
	r->priority = c->priority;
	size_t fl = c->foundation.len < sizeof r->foundation - 1 ? c->foundation.len : sizeof r->foundation - 1;
	memcpy(r->foundation, c->foundation.ptr, fl);
	r->host = SIZE_MAX;
	a->n_rc++;
	rtclab_ice_note_(a, now, RTCLAB_ICE_EV_NOTE, SIZE_MAX, "remote %s candidate %s added",
			 rtclab_cand_type_name(r->type), rtclab_ice_addr_str_(&addr, s));
	rtclab_ice_pair_new_remote_(a, now, a->n_rc - 1);
	rtclab_ice_update_state_(a, now);
	return RTCLAB_ICE_AGENT_OK;
}

enum rtclab_ice_agent_error rtclab_ice_agent_add_remote_candidate(struct rtclab_ice_agent *a, rtclab_time_ns now,
								  const char *line)
{
	if (!line)
		return RTCLAB_ICE_AGENT_E_INVALID_ARG;
	struct rtclab_candidate c;
	if (rtclab_candidate_parse(&c, line, strlen(line), NULL) != RTCLAB_CAND_OK)
		return RTCLAB_ICE_AGENT_E_BAD_CANDIDATE;
	return rtclab_ice_agent_add_remote_candidate_parsed(a, now, &c);
}

void rtclab_ice_agent_remote_gathering_done(struct rtclab_ice_agent *a, rtclab_time_ns now)
{
	a->remote_done = true;
	rtclab_ice_note_(a, now, RTCLAB_ICE_EV_NOTE, SIZE_MAX, "remote end-of-candidates (RFC 8838 8.2)");
	rtclab_ice_update_state_(a, now);
}

/* --- datagrams in -------------------------------------------------------------- */

static size_t host_candidate(const struct rtclab_ice_agent *a, size_t host)
{
	for (size_t i = 0; i < a->n_lc; i++)
		if (a->lc[i].type == RTCLAB_CAND_HOST && a->lc[i].host == host)
			return i;
	return SIZE_MAX;
}

bool rtclab_ice_agent_receive(struct rtclab_ice_agent *a, rtclab_time_ns now, enum rtclab_l4 l4,
			      const struct rtclab_addr *local, const struct rtclab_addr *remote, const void *data,
			      size_t len)
{
	if (!a || !local || !remote || (!data && len))
		return false;
	size_t h = rtclab_ice_host_index_(a, local);
	if (h == SIZE_MAX || (l4 != RTCLAB_L4_UDP && l4 != RTCLAB_L4_TCP))
		return false;
	if (rtclab_ice_turn_receive_(a, now, l4, h, remote, data, len))
		return true;
	if (l4 != RTCLAB_L4_UDP)
		return false;
	size_t lc = host_candidate(a, h);
	if (lc == SIZE_MAX)
		return false;
	if (rtclab_stun_is_stun(data, len, true))
		rtclab_ice_handle_stun_(a, now, lc, remote, data, len);
	else
		rtclab_ice_handle_app_(a, now, lc, remote, data, len);
	return true;
}

/* --- timers -------------------------------------------------------------------- */

void rtclab_ice_agent_timeout(struct rtclab_ice_agent *a, rtclab_time_ns now)
{
	for (size_t i = 0; i < ICE_MAX_TX; i++) {
		struct ice_tx *t = &a->tx[i];
		if (t->kind == ICE_TX_NONE || t->next > now)
			continue;
		if (t->kind == ICE_TX_CHECK || t->kind == ICE_TX_CONSENT)
			rtclab_ice_check_tx_timeout_(a, now, t);
		else
			rtclab_ice_server_tx_timeout_(a, now, t);
	}
	rtclab_ice_gather_servers_(a, now);
	rtclab_ice_turn_timers_(a, now);
	rtclab_ice_check_timers_(a, now);
	rtclab_ice_check_gathering_done_(a, now);
}

rtclab_time_ns rtclab_ice_agent_next_timer(const struct rtclab_ice_agent *a)
{
	rtclab_time_ns t = RTCLAB_NEVER;
	for (size_t i = 0; i < ICE_MAX_TX; i++)
		if (a->tx[i].kind != ICE_TX_NONE && a->tx[i].next < t)
			t = a->tx[i].next;
	rtclab_time_ns c = rtclab_ice_check_next_(a);
	if (c < t)
		t = c;
	c = rtclab_ice_turn_next_(a);
	return c < t ? c : t;
}

void rtclab_ice_tx_start_(struct rtclab_ice_agent *a, struct ice_tx *t, rtclab_time_ns now)
{
	t->sent = 1;
	t->rto = rtclab_ice_tx_rto_(a, t->kind);
	t->next = now + (a->cfg.rc > 1 ? t->rto : t->rto * (rtclab_time_ns)a->cfg.rm);
}

void rtclab_ice_agent_restart(struct rtclab_ice_agent *a, rtclab_time_ns now)
{
	rtclab_ice_reset_checklist_(a);
	struct ice_cred c;
	do
		new_credentials(a, &c);
	while (strcmp(c.ufrag, a->local.ufrag) == 0);
	a->local = c;
	if (a->state == RTCLAB_ICE_STATE_FAILED || !a->have_old)
		a->state = a->gathering_done ? RTCLAB_ICE_STATE_NEW : RTCLAB_ICE_STATE_GATHERING;
	rtclab_ice_note_(a, now, RTCLAB_ICE_EV_NOTE, SIZE_MAX,
			 "ICE restart: new ufrag %s, new check list; data stays on the old pair until a new one is "
			 "selected (RFC 8445 9)",
			 a->local.ufrag);
	/* The new offer or answer carries the candidates again. */
	if (a->gathering_done) {
		for (size_t i = 0; i < a->n_lc; i++)
			if (a->lc[i].type != RTCLAB_CAND_PRFLX)
				report_candidate(a, now, i);
		emit(a, now, RTCLAB_ICE_EV_GATHERING_DONE, SIZE_MAX, NULL, "end of local candidates (after the restart)");
	} else if (a->cfg.trickle) {
		for (size_t i = 0; i < a->n_lc; i++)
			if (a->lc[i].type != RTCLAB_CAND_PRFLX)
				report_candidate(a, now, i);
	}
}

/* --- observation --------------------------------------------------------------- */

enum rtclab_ice_agent_state rtclab_ice_agent_get_state(const struct rtclab_ice_agent *a) { return a->state; }
enum rtclab_ice_role rtclab_ice_agent_role(const struct rtclab_ice_agent *a) { return a->role; }
uint64_t rtclab_ice_agent_tie_breaker(const struct rtclab_ice_agent *a) { return a->tie_breaker; }
const char *rtclab_ice_agent_local_ufrag(const struct rtclab_ice_agent *a) { return a->local.ufrag; }
const char *rtclab_ice_agent_local_pwd(const struct rtclab_ice_agent *a) { return a->local.pwd; }
bool rtclab_ice_agent_gathering_done(const struct rtclab_ice_agent *a) { return a->gathering_done; }
size_t rtclab_ice_agent_local_count(const struct rtclab_ice_agent *a) { return a->n_lc; }
size_t rtclab_ice_agent_remote_count(const struct rtclab_ice_agent *a) { return a->n_rc; }
size_t rtclab_ice_agent_pair_count(const struct rtclab_ice_agent *a) { return a->n_pairs; }
size_t rtclab_ice_agent_selected(const struct rtclab_ice_agent *a) { return a->selected; }

const struct rtclab_ice_agent_candidate *rtclab_ice_agent_local_candidate(const struct rtclab_ice_agent *a, size_t i)
{
	return i < a->n_lc ? &a->lc[i] : NULL;
}

const struct rtclab_ice_agent_candidate *rtclab_ice_agent_remote_candidate(const struct rtclab_ice_agent *a,
									   size_t i)
{
	return i < a->n_rc ? &a->rc[i] : NULL;
}

const struct rtclab_ice_agent_pair *rtclab_ice_agent_pair(const struct rtclab_ice_agent *a, size_t i)
{
	return i < a->n_pairs ? &a->pairs[i].pub : NULL;
}
