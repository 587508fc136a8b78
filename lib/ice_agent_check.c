/* The ICE agent's check list (RFC 8445 6.1.2, 7, 8): pairs, Ta-paced
 * ordinary and triggered checks, answering checks, peer-reflexive
 * candidates, role conflicts, nomination, selection, consent freshness
 * (RFC 7675), failure, ICE restart and application data.  A lite agent
 * (RFC 8445 2.5, cfg.lite) keeps no check list and sends no request: it
 * answers checks and selects the pair its peer nominates (7.3.2, 8.2). */
#include <stdio.h>
#include <string.h>

#include "ice_agent_internal.h"

/* --- pairs --------------------------------------------------------------------- */

static uint64_t pair_priority(const struct rtclab_ice_agent *a, size_t l, size_t r)
{
	uint32_t lp = a->lc[l].priority, rp = a->rc[r].priority;
	return a->role == RTCLAB_ICE_CONTROLLING ? rtclab_ice_pair_priority(lp, rp) : rtclab_ice_pair_priority(rp, lp);
}

static void recompute_priorities(struct rtclab_ice_agent *a)
{
	for (size_t i = 0; i < a->n_pairs; i++)
		a->pairs[i].pub.priority = pair_priority(a, a->pairs[i].pub.local, a->pairs[i].pub.remote);
}

static size_t find_pair(const struct rtclab_ice_agent *a, size_t l, size_t r)
{
	for (size_t i = 0; i < a->n_pairs; i++)
		if (a->pairs[i].pub.local == l && a->pairs[i].pub.remote == r)
			return i;
	return SIZE_MAX;
}

static size_t checked_pairs(const struct rtclab_ice_agent *a)
{
	size_t n = 0;
	for (size_t i = 0; i < a->n_pairs; i++)
		n += a->pairs[i].pub.in_check_list;
	return n;
}

static bool foundation_active(const struct rtclab_ice_agent *a, const char *f, size_t except)
{
	for (size_t i = 0; i < a->n_pairs; i++) {
		const struct ice_pair *p = &a->pairs[i];
		if (i != except && strcmp(p->foundation, f) == 0 &&
		    (p->pub.state == RTCLAB_PAIR_WAITING || p->pub.state == RTCLAB_PAIR_IN_PROGRESS))
			return true;
	}
	return false;
}

static void pair_state(struct rtclab_ice_agent *a, rtclab_time_ns now, size_t i, enum rtclab_ice_pair_state s)
{
	struct ice_pair *p = &a->pairs[i];
	if (p->pub.state == s)
		return;
	p->pub.state = s;
	char s1[RTCLAB_ADDR_STRLEN], s2[RTCLAB_ADDR_STRLEN];
	rtclab_ice_note_(a, now, RTCLAB_ICE_EV_PAIR, i, "pair %s (%s) -> %s (%s) is %s",
			 rtclab_ice_addr_str_(&a->lc[p->pub.local].addr, s1), rtclab_cand_type_name(a->lc[p->pub.local].type),
			 rtclab_ice_addr_str_(&a->rc[p->pub.remote].addr, s2),
			 rtclab_cand_type_name(a->rc[p->pub.remote].type), rtclab_ice_pair_state_name(s));
}

/* A new pair, Frozen; Waiting at once when no pair of its foundation is
 * being checked (RFC 8445 6.1.2.6, and RFC 8838 11 for pairs formed while
 * the checks run). */
static size_t add_pair(struct rtclab_ice_agent *a, rtclab_time_ns now, size_t l, size_t r, bool in_check_list)
{
	if (a->n_pairs == RTCLAB_ICE_AGENT_MAX_PAIRS || (in_check_list && checked_pairs(a) >= ICE_MAX_CHECKED))
		return SIZE_MAX;
	size_t i = a->n_pairs++;
	struct ice_pair *p = &a->pairs[i];
	memset(p, 0, sizeof *p);
	p->pub.local = l;
	p->pub.remote = r;
	p->pub.priority = pair_priority(a, l, r);
	p->pub.state = RTCLAB_PAIR_FROZEN;
	p->pub.in_check_list = in_check_list;
	p->pub.last_response = -1;
	p->valid_of = SIZE_MAX;
	char lf[33], rf[33];
	memcpy(lf, a->lc[l].foundation, sizeof lf);
	memcpy(rf, a->rc[r].foundation, sizeof rf);
	snprintf(p->foundation, sizeof p->foundation, "%s:%s", lf, rf);
	if (in_check_list && !foundation_active(a, p->foundation, i))
		pair_state(a, now, i, RTCLAB_PAIR_WAITING);
	return i;
}

static void lite_pair(struct rtclab_ice_agent *a, rtclab_time_ns now, size_t l, size_t r);

/* Pairs are formed on host and relayed local candidates only: a srflx
 * candidate's pair would be the pair of its base (RFC 8445 6.1.2.4). */
static void maybe_pair(struct rtclab_ice_agent *a, rtclab_time_ns now, size_t l, size_t r)
{
	const struct rtclab_ice_agent_candidate *lc = &a->lc[l];
	if (lc->type != RTCLAB_CAND_HOST && lc->type != RTCLAB_CAND_RELAY)
		return;
	if (a->cfg.lite) { /* RFC 8445 6.2: no check list; with a lite peer, 8.2 */
		if (a->remote_lite)
			lite_pair(a, now, l, r);
		return;
	}
	if (a->cfg.relay_only && lc->type != RTCLAB_CAND_RELAY)
		return;
	if (lc->addr.family != a->rc[r].addr.family || find_pair(a, l, r) != SIZE_MAX)
		return;
	size_t i = add_pair(a, now, l, r, true);
	if (i != SIZE_MAX && lc->type == RTCLAB_CAND_RELAY) /* RFC 8656 9: permission before the check */
		rtclab_ice_turn_permit_(a, now, rtclab_ice_turn_of_local_(a, l), &a->rc[r].addr);
}

void rtclab_ice_pair_new_local_(struct rtclab_ice_agent *a, rtclab_time_ns now, size_t local)
{
	for (size_t r = 0; r < a->n_rc; r++)
		maybe_pair(a, now, local, r);
}

void rtclab_ice_pair_new_remote_(struct rtclab_ice_agent *a, rtclab_time_ns now, size_t remote)
{
	for (size_t l = 0; l < a->n_lc; l++)
		maybe_pair(a, now, l, remote);
}

/* --- sending ------------------------------------------------------------------- */

void rtclab_ice_send_from_(struct rtclab_ice_agent *a, rtclab_time_ns now, const struct rtclab_ice_agent_candidate *l,
			   const struct rtclab_addr *dst, const void *data, size_t len)
{
	if (l->type == RTCLAB_CAND_RELAY) {
		size_t t = rtclab_ice_turn_of_local_(a, (size_t)(l - a->lc));
		if (l >= a->lc && l < a->lc + a->n_lc && t != SIZE_MAX)
			rtclab_ice_turn_send_(a, now, t, dst, data, len);
		else
			for (size_t i = 0; i < a->n_turn; i++) /* a copy (restart): find its allocation */
				if (rtclab_addr_equal(&a->turn[i].relayed, &l->addr))
					rtclab_ice_turn_send_(a, now, i, dst, data, len);
		return;
	}
	rtclab_ice_raw_send_(a, now, RTCLAB_L4_UDP, l->host, dst, data, len);
}

static void attr_text(struct rtclab_stun_encoder *e, uint16_t type, const char *text)
{
	struct rtclab_stun_attr at;
	memset(&at, 0, sizeof at);
	at.type = type;
	at.v.text.ptr = (const uint8_t *)text;
	at.v.text.len = strlen(text);
	rtclab_stun_enc_attr(e, &at);
}

static void attr_u32(struct rtclab_stun_encoder *e, uint16_t type, uint32_t v)
{
	struct rtclab_stun_attr at;
	memset(&at, 0, sizeof at);
	at.type = type;
	at.v.u32 = v;
	rtclab_stun_enc_attr(e, &at);
}

static void attr_u64(struct rtclab_stun_encoder *e, uint16_t type, uint64_t v)
{
	struct rtclab_stun_attr at;
	memset(&at, 0, sizeof at);
	at.type = type;
	at.v.u64 = v;
	rtclab_stun_enc_attr(e, &at);
}

static void attr_addr(struct rtclab_stun_encoder *e, uint16_t type, const struct rtclab_addr *x)
{
	struct rtclab_stun_attr at;
	memset(&at, 0, sizeof at);
	at.type = type;
	at.v.addr = *x;
	rtclab_stun_enc_attr(e, &at);
}

/* MESSAGE-INTEGRITY with the short-term key of pwd, then FINGERPRINT. */
static size_t seal_short_term(struct rtclab_stun_encoder *e, const char *pwd)
{
	if (pwd) {
		struct rtclab_stun_key key;
		if (rtclab_stun_key_short_term(&key, pwd, RTCLAB_STUN_PREP_OPAQUESTRING) != RTCLAB_STUN_OK)
			return 0;
		rtclab_stun_enc_integrity(e, &key);
	}
	rtclab_stun_enc_fingerprint(e);
	return rtclab_stun_enc_end(e);
}

/* RFC 8445 7.1.1: PRIORITY is the priority the local candidate would have
 * as peer-reflexive, with the local preference of its base. */
static uint32_t check_priority(const struct rtclab_ice_agent *a, size_t l)
{
	struct rtclab_ice_priority_parts parts = rtclab_ice_priority_split(a->lc[l].priority);
	return rtclab_ice_priority(rtclab_ice_type_preference(RTCLAB_CAND_PRFLX), parts.local_pref, 1);
}

/* A Binding request of a check or consent (RFC 8445 7.2.2, RFC 7675 5.1). */
static size_t build_check(struct rtclab_ice_agent *a, struct ice_tx *t, size_t l, const struct ice_cred *lo,
			  const struct ice_cred *re)
{
	char username[2 * RTCLAB_ICE_AGENT_MAX_CRED + 2];
	snprintf(username, sizeof username, "%s:%s", re->ufrag, lo->ufrag);
	struct rtclab_stun_encoder e;
	rtclab_stun_enc_begin(&e, t->msg, sizeof t->msg, RTCLAB_STUN_BINDING, RTCLAB_STUN_REQUEST, t->id);
	attr_text(&e, RTCLAB_STUN_ATTR_USERNAME, username);
	attr_u32(&e, RTCLAB_STUN_ATTR_PRIORITY, check_priority(a, l));
	attr_u64(&e, a->role == RTCLAB_ICE_CONTROLLING ? RTCLAB_STUN_ATTR_ICE_CONTROLLING : RTCLAB_STUN_ATTR_ICE_CONTROLLED,
		 a->tie_breaker);
	if (t->use_candidate)
		rtclab_stun_enc_raw(&e, RTCLAB_STUN_ATTR_USE_CANDIDATE, NULL, 0);
	return seal_short_term(&e, re->pwd);
}

/* The transaction of a pair still awaiting an answer. */
static struct ice_tx *pair_tx(struct rtclab_ice_agent *a, size_t pair)
{
	for (size_t i = 0; i < ICE_MAX_TX; i++)
		if (a->tx[i].kind == ICE_TX_CHECK && a->tx[i].pair == pair && !a->tx[i].cancelled)
			return &a->tx[i];
	return NULL;
}

static bool send_check(struct rtclab_ice_agent *a, rtclab_time_ns now, size_t i, bool use_candidate)
{
	struct ice_pair *p = &a->pairs[i];
	struct ice_tx *old = pair_tx(a, i);
	if (old) /* RFC 8445 7.3.1.4: the old transaction waits for its answer, no retransmission */
		old->cancelled = true;
	struct ice_tx *t = rtclab_ice_tx_alloc_(a);
	if (!t)
		return false;
	t->kind = ICE_TX_CHECK;
	t->pair = i;
	t->use_candidate = use_candidate;
	t->msg_len = build_check(a, t, p->pub.local, &a->local, &a->remote);
	if (!t->msg_len) {
		t->kind = ICE_TX_NONE;
		return false;
	}
	pair_state(a, now, i, RTCLAB_PAIR_IN_PROGRESS);
	rtclab_ice_tx_start_(a, t, now);
	p->pub.requests_sent++;
	rtclab_ice_send_from_(a, now, &a->lc[p->pub.local], &a->rc[p->pub.remote].addr, t->msg, t->msg_len);
	if (a->checks_started < 0)
		a->checks_started = now;
	return true;
}

/* --- scheduling (RFC 8445 6.1.4.2) ---------------------------------------------- */

static bool pair_sendable(const struct rtclab_ice_agent *a, size_t i)
{
	const struct ice_pair *p = &a->pairs[i];
	size_t l = p->pub.local;
	if (a->lc[l].type != RTCLAB_CAND_RELAY)
		return true;
	return rtclab_ice_turn_permitted_(a, rtclab_ice_turn_of_local_(a, l), &a->rc[p->pub.remote].addr);
}

/* The ordinary check (RFC 8445 6.1.4.2): the pair of highest priority in
 * state s.  A pair in the triggered-check queue is left to the queue. */
static size_t best_in_state(struct rtclab_ice_agent *a, enum rtclab_ice_pair_state s)
{
	size_t best = SIZE_MAX;
	for (size_t i = 0; i < a->n_pairs; i++) {
		const struct ice_pair *p = &a->pairs[i];
		if (!p->pub.in_check_list || p->pub.state != s || p->triggered_queued || !pair_sendable(a, i))
			continue;
		if (best == SIZE_MAX || p->pub.priority > a->pairs[best].pub.priority)
			best = i;
	}
	return best;
}

static size_t pop_triggered(struct rtclab_ice_agent *a)
{
	for (size_t k = 0; k < a->n_triggered; k++) {
		size_t i = a->triggered[k];
		if (!pair_sendable(a, i))
			continue;
		memmove(&a->triggered[k], &a->triggered[k + 1], (a->n_triggered - k - 1) * sizeof a->triggered[0]);
		a->n_triggered--;
		a->pairs[i].triggered_queued = false;
		return i;
	}
	return SIZE_MAX;
}

/* A lite agent never sends a check, ordinary or triggered (RFC 8445 2.5,
 * 6.2): only its peer does. */
static bool checks_allowed(const struct rtclab_ice_agent *a)
{
	return !a->cfg.lite && a->have_remote && a->gathering_started && a->state != RTCLAB_ICE_STATE_FAILED;
}

/* The Waiting pair of highest priority, else a Frozen one to unfreeze;
 * none after selection (RFC 8445 8.1.2). */
static size_t ordinary_check(struct rtclab_ice_agent *a)
{
	if (a->selected != SIZE_MAX)
		return SIZE_MAX;
	size_t i = best_in_state(a, RTCLAB_PAIR_WAITING);
	return i != SIZE_MAX ? i : best_in_state(a, RTCLAB_PAIR_FROZEN);
}

/* One new check per Ta (RFC 8445 6.1.4.2): a triggered one first, else an
 * ordinary one; after selection only triggered checks run.  But the queue
 * does not keep every Ta slot while ordinary checks wait: when the last
 * check was a triggered one, an ordinary one goes next.  Between two
 * address-and-port-dependent mappings that filter nothing, each triggered
 * check leaves through a new mapping, which the peer learns as a new
 * peer-reflexive candidate (7.3.1.3) and checks at once (7.3.1.4), and so
 * on back and forth: the queues never empty, and the ordinary checks of the
 * relayed pairs, the only ones that can work there, would never be sent. */
static void next_check(struct rtclab_ice_agent *a, rtclab_time_ns now)
{
	if (!checks_allowed(a) || now < a->pace_next)
		return;
	size_t i = a->last_triggered ? ordinary_check(a) : SIZE_MAX;
	bool triggered = false;
	if (i == SIZE_MAX) {
		i = pop_triggered(a);
		triggered = i != SIZE_MAX;
	}
	if (i == SIZE_MAX)
		i = ordinary_check(a);
	if (i != SIZE_MAX && send_check(a, now, i, false)) {
		a->pace_next = now + a->cfg.ta;
		a->last_triggered = triggered;
	}
}

static void enqueue_triggered(struct rtclab_ice_agent *a, rtclab_time_ns now, size_t i)
{
	struct ice_pair *p = &a->pairs[i];
	if (p->triggered_queued || a->n_triggered == ICE_MAX_TRIGGERED)
		return;
	p->triggered_queued = true;
	a->triggered[a->n_triggered++] = i;
	pair_state(a, now, i, RTCLAB_PAIR_WAITING);
}

/* --- selection ----------------------------------------------------------------- */

static rtclab_time_ns consent_jitter(struct rtclab_ice_agent *a)
{
	/* RFC 7675 5.1: uniformly in 0.8 to 1.2 times the interval. */
	double f = 0.8 + 0.4 * rtclab_rng_unit(a->rng);
	return (rtclab_time_ns)((double)a->cfg.consent_interval * f);
}

static void select_pair(struct rtclab_ice_agent *a, rtclab_time_ns now, size_t v)
{
	if (a->selected != SIZE_MAX && a->pairs[a->selected].pub.priority >= a->pairs[v].pub.priority)
		return;
	a->selected = v;
	a->have_old = false;
	a->have_prev = false;
	a->consent_last = now;
	a->consent_next = now + consent_jitter(a);
	const struct ice_pair *p = &a->pairs[v];
	/* RFC 8445 8.1.2: checks of lower-priority pairs stop (no more
	 * retransmissions); Waiting and Frozen pairs are no longer scheduled. */
	for (size_t i = 0; i < ICE_MAX_TX; i++)
		if (a->tx[i].kind == ICE_TX_CHECK && a->pairs[a->tx[i].pair].pub.priority < p->pub.priority)
			a->tx[i].cancelled = true;
	char s1[RTCLAB_ADDR_STRLEN], s2[RTCLAB_ADDR_STRLEN];
	rtclab_ice_note_(a, now, RTCLAB_ICE_EV_SELECTED, v, "selected pair %s (%s) -> %s (%s), %s",
			 rtclab_ice_addr_str_(&a->lc[p->pub.local].addr, s1),
			 rtclab_cand_type_name(a->lc[p->pub.local].type), rtclab_ice_addr_str_(&a->rc[p->pub.remote].addr, s2),
			 rtclab_cand_type_name(a->rc[p->pub.remote].type),
			 a->cfg.lite && a->remote_lite ? "paired from the candidates without checks: both agents are "
							 "ice-lite (RFC 8445 8.2)"
			 : a->role == RTCLAB_ICE_CONTROLLING ? "nominated by the local (controlling) agent"
							     : "nominated by the remote (controlling) agent");
	if (a->lc[p->pub.local].type == RTCLAB_CAND_RELAY) /* data through a channel from now on */
		rtclab_ice_turn_bind_channel_(a, now, rtclab_ice_turn_of_local_(a, p->pub.local),
					      &a->rc[p->pub.remote].addr);
	rtclab_ice_update_state_(a, now);
}

static void nominate(struct rtclab_ice_agent *a, rtclab_time_ns now, size_t v)
{
	struct ice_pair *p = &a->pairs[v];
	if (p->pub.nominated)
		return;
	p->pub.nominated = true;
	rtclab_ice_note_(a, now, RTCLAB_ICE_EV_PAIR, v, "%s",
			 a->cfg.lite ? "pair nominated by the peer's check with USE-CANDIDATE, answered with success "
				       "(RFC 8445 7.3.2, 8.2)"
				     : "pair nominated (RFC 8445 8.1.1)");
	select_pair(a, now, v);
}

/* Two lite agents (RFC 8445 8.2): each pairs its candidates with the
 * peer's of the same address family, without a check.  The pair is
 * valid and, with no one to nominate it, selected; the one of highest
 * priority wins, which both agents compute alike (6.1.2.3), so both end on
 * the same pair once every candidate is known (8.2 would have the
 * controlling agent send an updated offer when there are several; with
 * one host per family there is one). */
static void lite_pair(struct rtclab_ice_agent *a, rtclab_time_ns now, size_t l, size_t r)
{
	if (a->lc[l].addr.family != a->rc[r].addr.family || find_pair(a, l, r) != SIZE_MAX)
		return;
	size_t i = add_pair(a, now, l, r, false);
	if (i == SIZE_MAX)
		return;
	a->pairs[i].pub.valid = true;
	pair_state(a, now, i, RTCLAB_PAIR_SUCCEEDED);
	a->pairs[i].pub.nominated = true;
	select_pair(a, now, i);
}

static size_t best_valid(const struct rtclab_ice_agent *a)
{
	size_t best = SIZE_MAX;
	for (size_t i = 0; i < a->n_pairs; i++)
		if (a->pairs[i].pub.valid && (best == SIZE_MAX || a->pairs[i].pub.priority > a->pairs[best].pub.priority))
			best = i;
	return best;
}

/* Regular nomination (RFC 8445 8.1.1): the controlling agent waits until no
 * pair of higher priority than the best valid one may still succeed, or
 * nomination_delay after the first valid pair, then checks the best valid
 * pair again with USE-CANDIDATE. */
static void maybe_nominate(struct rtclab_ice_agent *a, rtclab_time_ns now)
{
	if (a->role != RTCLAB_ICE_CONTROLLING || a->nominating || a->first_valid < 0 || !checks_allowed(a))
		return;
	size_t v = best_valid(a);
	if (v == SIZE_MAX)
		return;
	bool better_pending = false;
	for (size_t i = 0; i < a->n_pairs; i++) {
		const struct ice_pair *p = &a->pairs[i];
		if (p->pub.in_check_list && p->pub.priority > a->pairs[v].pub.priority &&
		    (p->pub.state == RTCLAB_PAIR_FROZEN || p->pub.state == RTCLAB_PAIR_WAITING ||
		     p->pub.state == RTCLAB_PAIR_IN_PROGRESS))
			better_pending = true;
	}
	if (better_pending && now < a->first_valid + a->cfg.nomination_delay)
		return;
	a->nominating = true;
	rtclab_ice_note_(a, now, RTCLAB_ICE_EV_PAIR, v, "nominating the best valid pair with USE-CANDIDATE");
	/* The check goes on the check-list pair that found the valid pair:
	 * same base, same remote, and its response maps to the valid pair. */
	size_t c = a->pairs[v].valid_of != SIZE_MAX ? a->pairs[v].valid_of : v;
	send_check(a, now, c, true);
}

/* --- answering checks (RFC 8445 7.3) --------------------------------------------- */

static void send_response(struct rtclab_ice_agent *a, rtclab_time_ns now, size_t l, const struct rtclab_addr *to,
			  const struct rtclab_stun_msg *req, uint16_t code, const char *pwd,
			  const struct rtclab_stun_msg *unknown_of)
{
	uint8_t buf[512];
	struct rtclab_stun_encoder e;
	uint8_t tid[12];
	memcpy(tid, req->transaction_id, 12);
	rtclab_stun_enc_begin(&e, buf, sizeof buf, RTCLAB_STUN_BINDING, code ? RTCLAB_STUN_ERROR : RTCLAB_STUN_SUCCESS,
			      tid);
	if (code) {
		struct rtclab_stun_attr at;
		memset(&at, 0, sizeof at);
		at.type = RTCLAB_STUN_ATTR_ERROR_CODE;
		at.v.error.code = code;
		const char *reason = rtclab_stun_error_code_reason(code);
		at.v.error.reason.ptr = (const uint8_t *)(reason ? reason : "");
		at.v.error.reason.len = reason ? strlen(reason) : 0;
		rtclab_stun_enc_attr(&e, &at);
	} else {
		attr_addr(&e, RTCLAB_STUN_ATTR_XOR_MAPPED_ADDRESS, to);
	}
	if (unknown_of) { /* RFC 8489 14.13 */
		uint8_t list[2 * RTCLAB_STUN_MAX_ATTRS];
		size_t n = 0;
		for (size_t i = 0; i < unknown_of->n_attrs; i++)
			if (unknown_of->attrs[i].kind == RTCLAB_STUN_KIND_UNKNOWN &&
			    rtclab_stun_attr_required(unknown_of->attrs[i].type)) {
				list[n++] = (uint8_t)(unknown_of->attrs[i].type >> 8);
				list[n++] = (uint8_t)unknown_of->attrs[i].type;
			}
		rtclab_stun_enc_raw(&e, RTCLAB_STUN_ATTR_UNKNOWN_ATTRIBUTES, list, n);
	}
	size_t n = seal_short_term(&e, pwd);
	if (n)
		rtclab_ice_send_from_(a, now, &a->lc[l], to, buf, n);
}

static bool has_unknown_required(const struct rtclab_stun_msg *m)
{
	for (size_t i = 0; i < m->n_problems; i++)
		if (m->problems[i].code == RTCLAB_STUN_E_UNKNOWN_REQUIRED)
			return true;
	return false;
}

static void switch_role(struct rtclab_ice_agent *a, rtclab_time_ns now, enum rtclab_ice_role r, const char *why)
{
	if (a->role == r)
		return;
	a->role = r;
	recompute_priorities(a);
	rtclab_ice_note_(a, now, RTCLAB_ICE_EV_ROLE, SIZE_MAX, "role switched to %s: %s", rtclab_ice_role_name(r), why);
}

/* RFC 8445 6.1.1: the role that being lite, or having a lite peer, imposes;
 * between two full agents the configured one (or a conflict's outcome). */
void rtclab_ice_lite_roles_(struct rtclab_ice_agent *a, rtclab_time_ns now)
{
	if (a->cfg.lite && !a->remote_lite)
		switch_role(a, now, RTCLAB_ICE_CONTROLLED,
			    "an ice-lite agent with a full peer is controlled (RFC 8445 6.1.1)");
	else if (a->cfg.lite)
		switch_role(a, now, a->cfg.role, "both agents are ice-lite: the initiating agent controls (RFC 8445 6.1.1)");
	else if (a->remote_lite)
		switch_role(a, now, RTCLAB_ICE_CONTROLLING,
			    "the peer is ice-lite: a full agent takes the controlling role (RFC 8445 6.1.1)");
}

/* RFC 8445 7.3.1.1.  True when the request is answered with 487.  The
 * repair is a full agent's (7.3.1); a lite agent cannot take the
 * controlling role from a full peer (6.1.1), so a peer that says it is
 * controlled too is answered 487 whatever the tie-breakers, and takes the
 * controlling role (7.2.5.1). */
static bool role_conflict(struct rtclab_ice_agent *a, rtclab_time_ns now, const struct rtclab_stun_msg *m)
{
	const struct rtclab_stun_attr *ctl = rtclab_stun_find(m, RTCLAB_STUN_ATTR_ICE_CONTROLLING);
	const struct rtclab_stun_attr *ctd = rtclab_stun_find(m, RTCLAB_STUN_ATTR_ICE_CONTROLLED);
	if (a->cfg.lite)
		return a->role == RTCLAB_ICE_CONTROLLED && !a->remote_lite && ctd && ctd->ok;
	if (a->role == RTCLAB_ICE_CONTROLLING && ctl && ctl->ok) {
		if (a->tie_breaker >= ctl->v.u64)
			return true;
		switch_role(a, now, RTCLAB_ICE_CONTROLLED,
			    "the peer is controlling too and its tie-breaker is larger (RFC 8445 7.3.1.1)");
	} else if (a->role == RTCLAB_ICE_CONTROLLED && ctd && ctd->ok) {
		if (a->tie_breaker < ctd->v.u64)
			return true;
		switch_role(a, now, RTCLAB_ICE_CONTROLLING,
			    "the peer is controlled too and our tie-breaker is larger or equal (RFC 8445 7.3.1.1)");
	}
	return false;
}

/* A pair whose remote candidate took a new address is a new pair: the
 * checks sent to the old address are forgotten, so that a late answer from
 * the new address cannot pass for a symmetric one (RFC 8445 7.2.5.2.1);
 * it stays Failed until a check on it is triggered. */
static void renew_pair(struct rtclab_ice_agent *a, size_t i)
{
	for (size_t k = 0; k < ICE_MAX_TX; k++)
		if (a->tx[k].kind == ICE_TX_CHECK && a->tx[k].pair == i)
			a->tx[k].kind = ICE_TX_NONE;
	struct rtclab_ice_agent_pair *p = &a->pairs[i].pub;
	p->priority = pair_priority(a, p->local, p->remote);
	p->requests_sent = p->responses_received = p->requests_received = p->responses_sent = 0;
	p->last_response = -1;
	a->pairs[i].nominate_on_success = false;
}

/* The remote table is full: behind an address-and-port-dependent mapping
 * NAT on both sides every new check comes from a new port, so the
 * peer-reflexive candidates it teaches can fill the table (a "prflx storm")
 * and a later check, the nominating one included, would find no room.  A
 * peer-reflexive candidate whose every pair has failed is dead weight: its
 * slot takes the new address, and its pairs, renewed, now lead there
 * (Failed, so they may be checked again, RFC 8445 7.3.1.4). */
static size_t reuse_dead_prflx(struct rtclab_ice_agent *a, rtclab_time_ns now, const struct rtclab_addr *from,
			       uint32_t priority)
{
	for (size_t r = 0; r < a->n_rc; r++) {
		if (a->rc[r].type != RTCLAB_CAND_PRFLX)
			continue;
		bool dead = true;
		for (size_t i = 0; i < a->n_pairs && dead; i++) {
			const struct rtclab_ice_agent_pair *p = &a->pairs[i].pub;
			if (p->remote == r && (p->state != RTCLAB_PAIR_FAILED || p->valid || p->nominated))
				dead = false;
		}
		if (!dead)
			continue;
		char s[RTCLAB_ADDR_STRLEN], o[RTCLAB_ADDR_STRLEN];
		rtclab_ice_note_(a, now, RTCLAB_ICE_EV_NOTE, SIZE_MAX,
				 "peer-reflexive remote candidate %s learnt from a check, in the place of %s, whose "
				 "pairs all failed (the remote table is full)",
				 rtclab_ice_addr_str_(from, s), rtclab_ice_addr_str_(&a->rc[r].addr, o));
		a->rc[r].addr = a->rc[r].base = *from;
		a->rc[r].priority = priority;
		for (size_t i = 0; i < a->n_pairs; i++)
			if (a->pairs[i].pub.remote == r)
				renew_pair(a, i);
		return r;
	}
	return SIZE_MAX;
}

static size_t remote_for(struct rtclab_ice_agent *a, rtclab_time_ns now, const struct rtclab_addr *from,
			 uint32_t priority)
{
	for (size_t i = 0; i < a->n_rc; i++)
		if (rtclab_addr_equal(&a->rc[i].addr, from))
			return i;
	if (a->n_rc == RTCLAB_ICE_AGENT_MAX_REMOTE)
		return reuse_dead_prflx(a, now, from, priority);
	/* RFC 8445 7.3.1.3: a peer-reflexive remote candidate, with the
	 * priority of the request and a foundation of its own. */
	struct rtclab_ice_agent_candidate *r = &a->rc[a->n_rc];
	memset(r, 0, sizeof *r);
	r->type = RTCLAB_CAND_PRFLX;
	r->addr = r->base = *from;
	r->priority = priority;
	r->host = SIZE_MAX;
	snprintf(r->foundation, sizeof r->foundation, "prflx%zu", a->n_rc);
	char s[RTCLAB_ADDR_STRLEN];
	rtclab_ice_note_(a, now, RTCLAB_ICE_EV_NOTE, SIZE_MAX, "peer-reflexive remote candidate %s learnt from a check %s",
			 rtclab_ice_addr_str_(from, s),
			 a->cfg.lite ? "(RFC 8445 7.3.2: the source of the check is the pair's remote candidate)"
				     : "(RFC 8445 7.3.1.3)");
	return a->n_rc++;
}

/* RFC 8445 7.3.2: a lite agent keeps no check list and sends no triggered
 * check.  It remembers the pair each check it answered arrived on (the
 * peer's check on it succeeded), and a check with USE-CANDIDATE answered
 * with success makes that pair valid and nominated: with one component,
 * the selected pair (8.2).  The peer's consent checks on the selected pair
 * are what tells it the peer is still there (RFC 7675). */
static void lite_after_request(struct rtclab_ice_agent *a, rtclab_time_ns now, size_t l, size_t r,
			       bool use_candidate)
{
	size_t i = find_pair(a, l, r);
	if (i == SIZE_MAX && (a->lc[l].addr.family != a->rc[r].addr.family ||
			      (i = add_pair(a, now, l, r, false)) == SIZE_MAX))
		return;
	struct ice_pair *p = &a->pairs[i];
	p->pub.requests_received++;
	p->pub.responses_sent++;
	pair_state(a, now, i, RTCLAB_PAIR_SUCCEEDED);
	if (i == a->selected)
		a->consent_last = now;
	if (!use_candidate || a->role != RTCLAB_ICE_CONTROLLED)
		return;
	p->pub.valid = true;
	nominate(a, now, i);
}

/* RFC 8445 7.3.1.4 and 7.3.1.5. */
static void after_request(struct rtclab_ice_agent *a, rtclab_time_ns now, size_t l, size_t r, bool use_candidate)
{
	size_t i = find_pair(a, l, r);
	if (i == SIZE_MAX) {
		if (a->lc[l].addr.family != a->rc[r].addr.family)
			return;
		if (a->cfg.relay_only && a->lc[l].type != RTCLAB_CAND_RELAY)
			return; /* the policy forbids this path: no triggered check on it */
		i = add_pair(a, now, l, r, true);
		if (i == SIZE_MAX)
			return;
	}
	struct ice_pair *p = &a->pairs[i];
	p->pub.requests_received++;
	p->pub.responses_sent++;
	if (p->pub.state != RTCLAB_PAIR_SUCCEEDED && (a->selected == SIZE_MAX || use_candidate))
		enqueue_triggered(a, now, i);
	if (!use_candidate || a->role != RTCLAB_ICE_CONTROLLED)
		return;
	size_t v = SIZE_MAX;
	for (size_t k = 0; k < a->n_pairs; k++)
		if (a->pairs[k].pub.valid && (a->pairs[k].valid_of == i || k == i))
			v = k;
	if (v != SIZE_MAX)
		nominate(a, now, v);
	else
		p->nominate_on_success = true;
}

static const struct ice_cred *creds_for_username(const struct rtclab_ice_agent *a, const struct rtclab_stun_attr *u,
						 bool *old)
{
	*old = false;
	if (!u || !u->ok)
		return NULL;
	const char *colon = memchr(u->v.text.ptr, ':', u->v.text.len);
	if (!colon)
		return NULL;
	struct rtclab_str mine = rtclab_str_make((const char *)u->v.text.ptr, (size_t)(colon - (const char *)u->v.text.ptr));
	if (rtclab_str_eq(mine, a->local.ufrag))
		return &a->local;
	if (a->have_prev && rtclab_str_eq(mine, a->prev_local.ufrag)) {
		*old = true;
		return &a->prev_local;
	}
	return NULL;
}

static void handle_request(struct rtclab_ice_agent *a, rtclab_time_ns now, size_t l, const struct rtclab_addr *from,
			   const struct rtclab_stun_msg *m)
{
	struct rtclab_stun_verdict v;
	rtclab_stun_verify(m, NULL, &v);
	if (v.fingerprint != RTCLAB_STUN_CHECK_OK) { /* RFC 8445 7.3: FINGERPRINT is required */
		rtclab_ice_note_(a, now, RTCLAB_ICE_EV_NOTE, SIZE_MAX, "check dropped: FINGERPRINT %s",
				 rtclab_stun_check_str(v.fingerprint));
		return;
	}
	const struct rtclab_stun_attr *user = rtclab_stun_find(m, RTCLAB_STUN_ATTR_USERNAME);
	if (!user || m->integrity_offset == SIZE_MAX) { /* RFC 8489 9.1.3 */
		send_response(a, now, l, from, m, 400, NULL, NULL);
		return;
	}
	bool old;
	const struct ice_cred *c = creds_for_username(a, user, &old);
	struct rtclab_stun_credentials cred = {c ? c->pwd : NULL, NULL, NULL, false};
	if (c)
		rtclab_stun_verify(m, &cred, &v);
	if (!c || v.integrity != RTCLAB_STUN_CHECK_OK) {
		rtclab_ice_note_(a, now, RTCLAB_ICE_EV_NOTE, SIZE_MAX, "check answered 401: %s",
				 c ? "MESSAGE-INTEGRITY does not verify with our ice-pwd" : "USERNAME is not ours");
		send_response(a, now, l, from, m, 401, NULL, NULL);
		return;
	}
	if (has_unknown_required(m)) {
		send_response(a, now, l, from, m, 420, c->pwd, m);
		return;
	}
	if (old) { /* the previous session: consent on the old pair while a restart runs */
		send_response(a, now, l, from, m, 0, c->pwd, NULL);
		if (a->cfg.lite)
			a->consent_last = now;
		return;
	}
	if (role_conflict(a, now, m)) {
		rtclab_ice_note_(a, now, RTCLAB_ICE_EV_NOTE, SIZE_MAX, "%s",
				 a->cfg.lite ? "role conflict: the full peer says it is controlled; answered 487, an "
					       "ice-lite agent cannot control (RFC 8445 6.1.1, 7.3.1.1)"
					     : "role conflict: answered 487, our tie-breaker wins (RFC 8445 7.3.1.1)");
		send_response(a, now, l, from, m, 487, c->pwd, NULL);
		return;
	}
	send_response(a, now, l, from, m, 0, c->pwd, NULL);
	const struct rtclab_stun_attr *pr = rtclab_stun_find(m, RTCLAB_STUN_ATTR_PRIORITY);
	size_t r = remote_for(a, now, from, pr && pr->ok ? pr->v.u32 : 0);
	if (r == SIZE_MAX)
		return;
	bool use_candidate = rtclab_stun_find(m, RTCLAB_STUN_ATTR_USE_CANDIDATE) != NULL;
	if (a->cfg.lite)
		lite_after_request(a, now, l, r, use_candidate);
	else
		after_request(a, now, l, r, use_candidate);
	rtclab_ice_update_state_(a, now);
}

/* --- responses to checks (RFC 8445 7.2.5) ----------------------------------------- */

static void unfreeze_foundation(struct rtclab_ice_agent *a, rtclab_time_ns now, const char *f)
{
	for (size_t i = 0; i < a->n_pairs; i++)
		if (a->pairs[i].pub.state == RTCLAB_PAIR_FROZEN && strcmp(a->pairs[i].foundation, f) == 0)
			pair_state(a, now, i, RTCLAB_PAIR_WAITING);
}

/* RFC 8445 7.2.5.3.1-2: the valid pair is made of the local candidate
 * whose address is the mapped address (a new peer-reflexive one when none
 * is) and the remote candidate checked. */
static size_t valid_pair_for(struct rtclab_ice_agent *a, rtclab_time_ns now, size_t i, const struct rtclab_addr *mapped)
{
	struct ice_pair *p = &a->pairs[i];
	const struct rtclab_ice_agent_candidate *l = &a->lc[p->pub.local];
	if (l->type == RTCLAB_CAND_RELAY || !mapped || rtclab_addr_equal(mapped, &l->addr))
		return i;
	size_t k = SIZE_MAX;
	for (size_t j = 0; j < a->n_lc && k == SIZE_MAX; j++)
		if (rtclab_addr_equal(&a->lc[j].addr, mapped) && rtclab_addr_equal(&a->lc[j].base, &l->base))
			k = j;
	if (k == SIZE_MAX) {
		char s[RTCLAB_ADDR_STRLEN];
		k = rtclab_ice_add_local_(a, now, RTCLAB_CAND_PRFLX, mapped, &l->base, &l->addr, NULL, l->host,
					  check_priority(a, p->pub.local));
		if (k == SIZE_MAX)
			return i;
		rtclab_ice_note_(a, now, RTCLAB_ICE_EV_NOTE, SIZE_MAX,
				 "peer-reflexive local candidate %s learnt from XOR-MAPPED-ADDRESS (RFC 8445 7.2.5.3.1)",
				 rtclab_ice_addr_str_(mapped, s));
	}
	size_t r = p->pub.remote;
	size_t v = find_pair(a, k, r);
	if (v == SIZE_MAX)
		v = add_pair(a, now, k, r, false);
	return v == SIZE_MAX ? i : v;
}

static void check_succeeded(struct rtclab_ice_agent *a, rtclab_time_ns now, struct ice_tx *t,
			    const struct rtclab_stun_msg *m)
{
	size_t i = t->pair;
	struct ice_pair *p = &a->pairs[i];
	p->pub.responses_received++;
	p->pub.last_response = now;
	const struct rtclab_stun_attr *x = rtclab_stun_find(m, RTCLAB_STUN_ATTR_XOR_MAPPED_ADDRESS);
	size_t v = valid_pair_for(a, now, i, x && x->ok ? &x->v.addr : NULL);
	pair_state(a, now, i, RTCLAB_PAIR_SUCCEEDED);
	unfreeze_foundation(a, now, p->foundation); /* RFC 8445 7.2.5.3.3 */
	struct ice_pair *vp = &a->pairs[v];
	vp->pub.valid = true;
	vp->valid_of = i;
	if (v != i) {
		pair_state(a, now, v, RTCLAB_PAIR_SUCCEEDED);
		vp->pub.responses_received++;
		vp->pub.last_response = now;
	}
	if (a->first_valid < 0)
		a->first_valid = now;
	if (t->use_candidate && a->role == RTCLAB_ICE_CONTROLLING)
		nominate(a, now, v);
	else if (p->nominate_on_success && a->role == RTCLAB_ICE_CONTROLLED)
		nominate(a, now, v);
}

static bool verify_response(const struct rtclab_stun_msg *m, const char *pwd)
{
	struct rtclab_stun_credentials cred = {pwd, NULL, NULL, false};
	struct rtclab_stun_verdict v;
	rtclab_stun_verify(m, &cred, &v);
	return v.integrity == RTCLAB_STUN_CHECK_OK && v.fingerprint == RTCLAB_STUN_CHECK_OK;
}

static void consent_response(struct rtclab_ice_agent *a, rtclab_time_ns now, struct ice_tx *t,
			     const struct rtclab_stun_msg *m)
{
	const char *pwd = t->aux ? a->prev_remote.pwd : a->remote.pwd;
	if (!verify_response(m, pwd))
		return;
	t->kind = ICE_TX_NONE;
	if (m->cls != RTCLAB_STUN_SUCCESS)
		return;
	a->consent_last = now;
	if (a->selected != SIZE_MAX) {
		a->pairs[a->selected].pub.responses_received++;
		a->pairs[a->selected].pub.last_response = now;
	}
	if (a->state == RTCLAB_ICE_STATE_DISCONNECTED) {
		a->state = RTCLAB_ICE_STATE_CONNECTED; /* update_state_ announces the right one */
		rtclab_ice_update_state_(a, now);
	}
}

void rtclab_ice_check_response_(struct rtclab_ice_agent *a, rtclab_time_ns now, struct ice_tx *t,
				const struct rtclab_stun_msg *m, size_t local, const struct rtclab_addr *from)
{
	if (t->kind == ICE_TX_CONSENT) {
		consent_response(a, now, t, m);
		return;
	}
	if (!verify_response(m, a->remote.pwd)) { /* RFC 8489 9.1.4: dropped silently */
		rtclab_ice_note_(a, now, RTCLAB_ICE_EV_NOTE, t->pair, "check response dropped: integrity does not verify");
		return;
	}
	size_t i = t->pair;
	struct ice_pair *p = &a->pairs[i];
	bool use_candidate = t->use_candidate;
	t->kind = ICE_TX_NONE;
	if (!rtclab_addr_equal(from, &a->rc[p->pub.remote].addr) ||
	    !rtclab_addr_equal(&a->lc[local].base, &a->lc[p->pub.local].base)) {
		/* RFC 8445 7.2.5.2.1: the addresses are not symmetric. */
		pair_state(a, now, i, RTCLAB_PAIR_FAILED);
		return;
	}
	if (m->cls == RTCLAB_STUN_ERROR) {
		const struct rtclab_stun_attr *ec = rtclab_stun_find(m, RTCLAB_STUN_ATTR_ERROR_CODE);
		if (ec && ec->ok && ec->v.error.code == 487) { /* RFC 8445 7.2.5.1 */
			/* towards a lite peer a full agent stays controlling (6.1.1) */
			switch_role(a, now,
				    !a->remote_lite && (use_candidate || a->role == RTCLAB_ICE_CONTROLLING)
					    ? RTCLAB_ICE_CONTROLLED
					    : RTCLAB_ICE_CONTROLLING,
				    "the peer answered 487 Role Conflict (RFC 8445 7.2.5.1)");
			if (a->role == RTCLAB_ICE_CONTROLLED)
				a->nominating = false;
			enqueue_triggered(a, now, i);
			return;
		}
		pair_state(a, now, i, RTCLAB_PAIR_FAILED);
		return;
	}
	check_succeeded(a, now, t, m);
	rtclab_ice_update_state_(a, now);
}

/* --- incoming STUN ------------------------------------------------------------- */

static bool structurally_ok(const struct rtclab_stun_msg *m)
{
	for (size_t i = 0; i < m->n_problems; i++) {
		enum rtclab_stun_error c = m->problems[i].code;
		if (c != RTCLAB_STUN_E_UNKNOWN_REQUIRED && c != RTCLAB_STUN_E_AFTER_INTEGRITY &&
		    c != RTCLAB_STUN_E_TOO_MANY_ATTRS)
			return false;
	}
	return m->magic_cookie;
}

void rtclab_ice_handle_stun_(struct rtclab_ice_agent *a, rtclab_time_ns now, size_t local,
			     const struct rtclab_addr *from, const uint8_t *data, size_t len)
{
	struct rtclab_stun_msg m;
	rtclab_stun_decode(&m, data, len);
	if (!structurally_ok(&m)) {
		rtclab_ice_note_(a, now, RTCLAB_ICE_EV_NOTE, SIZE_MAX, "STUN message dropped: %s",
				 m.n_problems ? rtclab_stun_error_str(m.problems[0].code) : "classic RFC 3489 message");
		return;
	}
	if (m.cls == RTCLAB_STUN_SUCCESS || m.cls == RTCLAB_STUN_ERROR) {
		struct ice_tx *t = rtclab_ice_tx_find_(a, m.transaction_id);
		if (!t)
			return;
		if (t->kind == ICE_TX_CHECK || t->kind == ICE_TX_CONSENT)
			rtclab_ice_check_response_(a, now, t, &m, local, from);
		else
			rtclab_ice_server_response_(a, now, t, &m);
		return;
	}
	if (m.cls == RTCLAB_STUN_REQUEST && m.method == RTCLAB_STUN_BINDING)
		handle_request(a, now, local, from, &m);
	/* Binding indications (keepalives) and other methods: nothing to do. */
}

void rtclab_ice_handle_app_(struct rtclab_ice_agent *a, rtclab_time_ns now, size_t local,
			    const struct rtclab_addr *from, const uint8_t *data, size_t len)
{
	bool known = false;
	for (size_t i = 0; i < a->n_pairs && !known; i++) {
		const struct ice_pair *p = &a->pairs[i];
		known = p->pub.valid && rtclab_addr_equal(&a->lc[p->pub.local].base, &a->lc[local].base) &&
			rtclab_addr_equal(&a->rc[p->pub.remote].addr, from);
	}
	if (!known && a->have_old)
		known = rtclab_addr_equal(&a->old_remote.addr, from);
	if (!known) {
		char s[RTCLAB_ADDR_STRLEN];
		rtclab_ice_note_(a, now, RTCLAB_ICE_EV_NOTE, SIZE_MAX,
				 "datagram from %s dropped: not STUN, and not from a pair that passed a check",
				 rtclab_ice_addr_str_(from, s));
		return;
	}
	if (a->cfg.on_data)
		a->cfg.on_data(a->cfg.cb_arg, now, data, len);
}

/* --- timers -------------------------------------------------------------------- */

static void data_path(struct rtclab_ice_agent *a, const struct rtclab_ice_agent_candidate **l,
		      const struct rtclab_ice_agent_candidate **r);

/* A consent request is retransmitted as any STUN request (RFC 8489
 * 6.2.1), so that a lossy path does not lose consent, but never past the
 * next consent check, which starts a new transaction (RFC 7675 5.1). */
static void consent_retransmit(struct rtclab_ice_agent *a, rtclab_time_ns now, struct ice_tx *t)
{
	const struct rtclab_ice_agent_candidate *l, *r;
	data_path(a, &l, &r);
	if (!l || t->sent >= a->cfg.rc || now >= a->consent_next) {
		t->kind = ICE_TX_NONE;
		return;
	}
	t->next = now + (t->rto << t->sent);
	t->sent++;
	if (a->selected != SIZE_MAX)
		a->pairs[a->selected].pub.requests_sent++;
	rtclab_ice_send_from_(a, now, l, &r->addr, t->msg, t->msg_len);
}

void rtclab_ice_check_tx_timeout_(struct rtclab_ice_agent *a, rtclab_time_ns now, struct ice_tx *t)
{
	if (t->kind == ICE_TX_CONSENT) {
		consent_retransmit(a, now, t);
		return;
	}
	if (!t->cancelled && t->sent < a->cfg.rc) {
		/* RFC 8489 6.2.1: the interval doubles; after the last request, Rm x RTO. */
		t->sent++;
		t->next = now + (t->sent < a->cfg.rc ? t->rto << (t->sent - 1) : t->rto * (rtclab_time_ns)a->cfg.rm);
		struct ice_pair *p = &a->pairs[t->pair];
		p->pub.requests_sent++;
		rtclab_ice_send_from_(a, now, &a->lc[p->pub.local], &a->rc[p->pub.remote].addr, t->msg, t->msg_len);
		return;
	}
	size_t i = t->pair;
	bool cancelled = t->cancelled;
	t->kind = ICE_TX_NONE;
	if (!cancelled && a->pairs[i].pub.state == RTCLAB_PAIR_IN_PROGRESS) {
		pair_state(a, now, i, RTCLAB_PAIR_FAILED);
		if (a->nominating && a->role == RTCLAB_ICE_CONTROLLING && a->selected == SIZE_MAX && t->use_candidate)
			a->nominating = false; /* try another valid pair */
	}
	rtclab_ice_update_state_(a, now);
}

static void data_path(struct rtclab_ice_agent *a, const struct rtclab_ice_agent_candidate **l,
		      const struct rtclab_ice_agent_candidate **r)
{
	*l = *r = NULL;
	if (a->selected != SIZE_MAX) {
		*l = &a->lc[a->pairs[a->selected].pub.local];
		*r = &a->rc[a->pairs[a->selected].pub.remote];
	} else if (a->have_old) {
		*l = &a->old_local;
		*r = &a->old_remote;
	}
}

static void send_consent(struct rtclab_ice_agent *a, rtclab_time_ns now)
{
	const struct rtclab_ice_agent_candidate *l, *r;
	data_path(a, &l, &r);
	struct ice_tx *t = l ? rtclab_ice_tx_alloc_(a) : NULL;
	if (!t)
		return;
	bool old = a->selected == SIZE_MAX;
	t->kind = ICE_TX_CONSENT;
	t->aux = old;
	t->pair = a->selected;
	size_t li = old ? SIZE_MAX : a->pairs[a->selected].pub.local;
	/* PRIORITY of the old local candidate: it is no longer in lc when a
	 * restart removed it; use the copy's. */
	struct ice_cred lo = old ? a->prev_local : a->local, re = old ? a->prev_remote : a->remote;
	if (li == SIZE_MAX) {
		for (size_t k = 0; k < a->n_lc; k++)
			if (rtclab_addr_equal(&a->lc[k].addr, &l->addr))
				li = k;
		if (li == SIZE_MAX) {
			t->kind = ICE_TX_NONE;
			return;
		}
	}
	t->msg_len = build_check(a, t, li, &lo, &re);
	rtclab_ice_tx_start_(a, t, now);
	if (a->selected != SIZE_MAX)
		a->pairs[a->selected].pub.requests_sent++;
	rtclab_ice_send_from_(a, now, l, &r->addr, t->msg, t->msg_len);
}

/* RFC 7675 consent is the full agent's: it sends the consent checks and
 * the lite agent only answers them (a lite agent sends no request, RFC
 * 8445 2.5).  The lite agent takes the checks as the sign that the peer is
 * still there: none for consent_timeout on the pair data goes over and it
 * gives the session up, as its full peer would after as long without an
 * answer.  Between two lite agents nobody checks, and nothing expires. */
static void lite_consent(struct rtclab_ice_agent *a, rtclab_time_ns now)
{
	if (a->remote_lite || now - a->consent_last < a->cfg.consent_timeout)
		return;
	a->selected = SIZE_MAX;
	a->have_old = false;
	rtclab_ice_set_state_(a, now, RTCLAB_ICE_STATE_FAILED,
			      "no consent check from the peer for 30 s: it has gone (RFC 7675 5.1; an ice-lite agent "
			      "sends none of its own)");
}

static void consent_timers(struct rtclab_ice_agent *a, rtclab_time_ns now)
{
	if ((a->selected == SIZE_MAX && !a->have_old) || a->state == RTCLAB_ICE_STATE_FAILED)
		return;
	if (a->cfg.lite) {
		lite_consent(a, now);
		return;
	}
	if (now - a->consent_last >= a->cfg.consent_timeout) { /* RFC 7675 5.1 */
		a->selected = SIZE_MAX;
		a->have_old = false;
		rtclab_ice_set_state_(a, now, RTCLAB_ICE_STATE_FAILED,
				      "consent lost: no answer to consent checks for 30 s (RFC 7675 5.1)");
		return;
	}
	if (now - a->consent_last >= 2 * a->cfg.consent_interval && a->state != RTCLAB_ICE_STATE_DISCONNECTED)
		rtclab_ice_set_state_(a, now, RTCLAB_ICE_STATE_DISCONNECTED,
				      "consent checks unanswered for two intervals");
	if (now >= a->consent_next) {
		send_consent(a, now);
		a->consent_next = now + consent_jitter(a);
	}
}

void rtclab_ice_check_timers_(struct rtclab_ice_agent *a, rtclab_time_ns now)
{
	consent_timers(a, now);
	maybe_nominate(a, now);
	next_check(a, now);
	rtclab_ice_update_state_(a, now);
}

/* A check can be sent as soon as Ta allows (what next_check would pick). */
static bool work_pending(const struct rtclab_ice_agent *a)
{
	for (size_t k = 0; k < a->n_triggered; k++)
		if (pair_sendable(a, a->triggered[k]))
			return true;
	if (a->selected != SIZE_MAX)
		return false;
	for (size_t i = 0; i < a->n_pairs; i++)
		if (a->pairs[i].pub.in_check_list &&
		    (a->pairs[i].pub.state == RTCLAB_PAIR_WAITING || a->pairs[i].pub.state == RTCLAB_PAIR_FROZEN) &&
		    pair_sendable(a, i))
			return true;
	return false;
}

rtclab_time_ns rtclab_ice_check_next_(const struct rtclab_ice_agent *a)
{
	rtclab_time_ns t = RTCLAB_NEVER;
	if (checks_allowed(a) && work_pending(a))
		t = a->pace_next;
	if (checks_allowed(a) && a->role == RTCLAB_ICE_CONTROLLING && !a->nominating && a->first_valid >= 0) {
		rtclab_time_ns n = a->first_valid + a->cfg.nomination_delay;
		if (n < t)
			t = n;
	}
	bool on_pair = (a->selected != SIZE_MAX || a->have_old) && a->state != RTCLAB_ICE_STATE_FAILED;
	if (on_pair && a->cfg.lite) { /* no consent check of its own: only the peer's may run out */
		rtclab_time_ns lost = a->remote_lite ? RTCLAB_NEVER : a->consent_last + a->cfg.consent_timeout;
		if (lost < t)
			t = lost;
	} else if (on_pair) {
		rtclab_time_ns c = a->consent_next;
		rtclab_time_ns lost = a->consent_last + a->cfg.consent_timeout;
		rtclab_time_ns disc = a->consent_last + 2 * a->cfg.consent_interval;
		if (a->state != RTCLAB_ICE_STATE_DISCONNECTED && disc < c)
			c = disc;
		if (lost < c)
			c = lost;
		if (c < t)
			t = c;
	}
	if (a->checks_started >= 0 && a->selected == SIZE_MAX && !a->have_old && a->state != RTCLAB_ICE_STATE_FAILED) {
		rtclab_time_ns f = a->checks_started + a->cfg.check_timeout;
		if (f < t)
			t = f;
	}
	return t;
}

/* --- state --------------------------------------------------------------------- */

static bool checks_in_flight(const struct rtclab_ice_agent *a)
{
	for (size_t i = 0; i < ICE_MAX_TX; i++)
		if (a->tx[i].kind == ICE_TX_CHECK)
			return true;
	return a->n_triggered > 0;
}

static bool all_failed(const struct rtclab_ice_agent *a)
{
	for (size_t i = 0; i < a->n_pairs; i++)
		if (a->pairs[i].pub.valid || a->pairs[i].pub.state != RTCLAB_PAIR_FAILED)
			return false;
	return true;
}

void rtclab_ice_update_state_(struct rtclab_ice_agent *a, rtclab_time_ns now)
{
	if (a->state == RTCLAB_ICE_STATE_FAILED || a->state == RTCLAB_ICE_STATE_DISCONNECTED)
		return;
	if (a->selected != SIZE_MAX) {
		if (a->gathering_done && !checks_in_flight(a))
			rtclab_ice_set_state_(a, now, RTCLAB_ICE_STATE_COMPLETED,
					      "a pair is selected and no check is left to run");
		else if (a->state != RTCLAB_ICE_STATE_COMPLETED)
			rtclab_ice_set_state_(a, now, RTCLAB_ICE_STATE_CONNECTED, "a nominated pair is selected");
		return;
	}
	if (a->have_old)
		return; /* restart: stays connected on the old pair */
	if (a->cfg.lite && a->checks_started < 0 && a->have_remote && a->gathering_started)
		a->checks_started = now; /* the peer's checks may come from now on */
	if (a->checks_started >= 0 && now - a->checks_started >= a->cfg.check_timeout) {
		rtclab_ice_set_state_(a, now, RTCLAB_ICE_STATE_FAILED,
				      a->cfg.lite && !a->remote_lite
					      ? "the peer nominated no pair (USE-CANDIDATE) before the check timeout"
					      : "no pair was selected before the check timeout");
		return;
	}
	/* A lite agent with a full peer has no pair to fail: it waits for checks. */
	bool waits = a->cfg.lite && !a->remote_lite;
	if (!waits && a->have_remote && a->remote_done && a->gathering_done && !checks_in_flight(a) && all_failed(a)) {
		rtclab_ice_set_state_(a, now, RTCLAB_ICE_STATE_FAILED,
				      a->n_pairs ? "every pair failed and both sides have signalled all their candidates"
						 : "no candidate pair to check, and both sides have signalled all their "
						   "candidates");
		return;
	}
	if (a->have_remote && a->gathering_started && (a->n_pairs || a->checks_started >= 0))
		rtclab_ice_set_state_(a, now, RTCLAB_ICE_STATE_CHECKING,
				      waits	     ? "waiting for the peer's connectivity checks (ice-lite, RFC 8445 6.2)"
				      : a->cfg.lite ? "pairing the candidates without checks (both ice-lite, RFC 8445 8.2)"
						    : "connectivity checks running");
}

/* --- data and restart ---------------------------------------------------------- */

enum rtclab_ice_agent_error rtclab_ice_agent_send_data(struct rtclab_ice_agent *a, rtclab_time_ns now,
						       const void *data, size_t len)
{
	if (!a || (!data && len))
		return RTCLAB_ICE_AGENT_E_INVALID_ARG;
	if (len > RTCLAB_ICE_AGENT_MAX_DATA)
		return RTCLAB_ICE_AGENT_E_TOO_LARGE;
	const struct rtclab_ice_agent_candidate *l, *r;
	data_path(a, &l, &r);
	if (!l || a->state == RTCLAB_ICE_STATE_FAILED)
		return RTCLAB_ICE_AGENT_E_NOT_CONNECTED;
	rtclab_ice_send_from_(a, now, l, &r->addr, data, len);
	return RTCLAB_ICE_AGENT_OK;
}

/* ICE restart (RFC 8445 9): keep a copy of the pair data goes over (and
 * the credentials its consent checks use), then empty the check list. */
void rtclab_ice_reset_checklist_(struct rtclab_ice_agent *a)
{
	const struct rtclab_ice_agent_candidate *l, *r;
	data_path(a, &l, &r);
	if (l && a->state != RTCLAB_ICE_STATE_FAILED) {
		a->old_local = *l;
		a->old_remote = *r;
		a->have_old = true;
		if (a->selected != SIZE_MAX) {
			a->prev_local = a->local;
			a->prev_remote = a->remote;
			a->have_prev = true;
		}
	}
	for (size_t i = 0; i < ICE_MAX_TX; i++)
		if (a->tx[i].kind == ICE_TX_CHECK || (a->tx[i].kind == ICE_TX_CONSENT && !a->tx[i].aux))
			a->tx[i].kind = ICE_TX_NONE;
	a->n_pairs = 0;
	a->n_rc = 0;
	a->n_triggered = 0;
	a->last_triggered = false;
	a->selected = SIZE_MAX;
	a->first_valid = -1;
	a->checks_started = -1;
	a->nominating = false;
	a->remote_done = false;
	a->have_remote = false;
}
