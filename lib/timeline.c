/* The timeline reconstruction: events in, the session model out.
 *
 * This file holds the model's small containers (sessions, nodes, steps,
 * candidates, pairs), the transaction table, and what each DATAGRAM event
 * does: STUN checks and their responses, exchanges with STUN and TURN
 * servers (kept as records and placed in a session at the end, when the
 * addresses are known), TURN tunnels opened, DTLS and media counted on
 * the pairs that succeeded.  Descriptions are in timeline_desc.c, the
 * decisions taken at the end in timeline_finish.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtclab/timeline.h"
#include "timeline_internal.h"

/* --- the address map ----------------------------------------------------------------- */

static uint64_t addr_hash(const struct rtclab_addr *a)
{
	size_t n = a->family == RTCLAB_FAMILY_IPV4 ? 4 : 16; /* the rest of ip[] may hold anything */
	uint64_t h = 1469598103934665603ull ^ (uint64_t)a->family;
	for (size_t i = 0; i < n; i++)
		h = (h ^ a->ip[i]) * 1099511628211ull;
	h = (h ^ a->port) * 1099511628211ull;
	return h ^ (h >> 29);
}

static bool same(const struct rtclab_addr *x, const struct rtclab_addr *y)
{
	return rtclab_addr_equal(x, y);
}

static size_t map_slot(const struct tl_map *m, const struct rtclab_addr *a, const struct rtclab_addr *b)
{
	uint64_t h = addr_hash(a) * 31 + (b ? addr_hash(b) : 7);
	return (size_t)(h ^ (h >> 17)) & (m->cap - 1);
}

struct tl_map_entry *tl_map_find(const struct tl_map *m, const struct rtclab_addr *a, const struct rtclab_addr *b)
{
	static const struct rtclab_addr none;
	if (!m->cap)
		return NULL;
	const struct rtclab_addr *bb = b ? b : &none;
	for (size_t i = map_slot(m, a, b), n = 0; n < m->cap; i = (i + 1) & (m->cap - 1), n++) {
		struct tl_map_entry *e = &m->e[i];
		if (!e->used)
			return NULL;
		if (same(&e->a, a) && same(&e->b, bb))
			return e;
	}
	return NULL;
}

static bool map_grow(struct tl_map *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	struct tl_map_entry *e = calloc(cap, sizeof *e);
	if (!e)
		return false;
	struct tl_map old = *m;
	m->cap = cap;
	m->e = e;
	m->n = 0;
	for (size_t i = 0; i < old.cap; i++)
		if (old.e[i].used) {
			const struct rtclab_addr *b = old.e[i].b.family ? &old.e[i].b : NULL;
			size_t j = map_slot(m, &old.e[i].a, b);
			while (m->e[j].used)
				j = (j + 1) & (cap - 1);
			m->e[j] = old.e[i];
			m->n++;
		}
	free(old.e);
	return true;
}

struct tl_map_entry *tl_map_put(struct tl_map *m, const struct rtclab_addr *a, const struct rtclab_addr *b)
{
	struct tl_map_entry *e = tl_map_find(m, a, b);
	if (e)
		return e;
	if ((m->n + 1) * 2 > m->cap && !map_grow(m))
		return NULL;
	size_t i = map_slot(m, a, b);
	while (m->e[i].used)
		i = (i + 1) & (m->cap - 1);
	e = &m->e[i];
	memset(e, 0, sizeof *e);
	e->used = true;
	e->a = *a;
	if (b)
		e->b = *b;
	e->v1 = e->v2 = -1;
	m->n++;
	return e;
}

void tl_map_free(struct tl_map *m)
{
	free(m->e);
	memset(m, 0, sizeof *m);
}

/* An unordered pair of addresses as a map key. */
static void ordered(const struct rtclab_addr *x, const struct rtclab_addr *y, const struct rtclab_addr **lo,
		    const struct rtclab_addr **hi)
{
	size_t n = x->family == RTCLAB_FAMILY_IPV4 ? 4 : 16;
	int c = x->family != y->family ? (int)x->family - (int)y->family : memcmp(x->ip, y->ip, n);
	if (c == 0)
		c = (int)x->port - (int)y->port;
	*lo = c <= 0 ? x : y;
	*hi = c <= 0 ? y : x;
}

int tl_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n;
}

void tl_session_id(struct rtclab_tl_session *s, int first)
{
	size_t a = strlen(s->peers[first].ufrag), b = strlen(s->peers[1 - first].ufrag);
	memcpy(s->id, s->peers[first].ufrag, a);
	s->id[a] = ':';
	memcpy(s->id + a + 1, s->peers[1 - first].ufrag, b + 1);
}

const char *tl_addr(const struct rtclab_addr *a, char *buf)
{
	return rtclab_addr_format(a, buf, RTCLAB_ADDR_STRLEN);
}

/* --- growing arrays ------------------------------------------------------------------- */

static bool grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return true;
	size_t cap2 = *cap ? *cap * 2 : 8;
	while (cap2 < need)
		cap2 *= 2;
	void *q = realloc(*p, cap2 * size);
	if (!q)
		return false;
	memset((char *)q + *cap * size, 0, (cap2 - *cap) * size);
	*p = q;
	*cap = cap2;
	return true;
}

/* --- sessions, nodes, steps -------------------------------------------------------- */

struct rtclab_tl_session *tl_session_new(struct rtclab_timeline *tl, int *index)
{
	struct rtclab_timeline_state *st = tl->state;
	size_t cap = st->cap_sessions;
	if (!grow((void **)&tl->sessions, &cap, tl->n_sessions + 1, sizeof *tl->sessions))
		return NULL;
	cap = st->cap_sessions;
	if (!grow((void **)&st->sx, &cap, tl->n_sessions + 1, sizeof *st->sx))
		return NULL;
	st->cap_sessions = cap;
	struct rtclab_tl_session *s = calloc(1, sizeof *s);
	struct tl_session_x *x = calloc(1, sizeof *x);
	if (!s || !x) {
		free(s);
		free(x);
		return NULL;
	}
	s->n_peers = 2;
	for (int p = 0; p < 2; p++) {
		snprintf(s->peers[p].name, sizeof s->peers[p].name, "%c", 'A' + p);
		s->peers[p].node = -1;
	}
	s->first_ns = INT64_MAX;
	s->last_ns = INT64_MIN;
	x->offerer = -1;
	x->signaling_node = -1;
	x->both_step = -1;
	tl_node_peer(s, 0);
	tl_node_peer(s, 1);
	tl->sessions[tl->n_sessions] = s;
	st->sx[tl->n_sessions] = x;
	*index = (int)tl->n_sessions++;
	return s;
}

int tl_node_peer(struct rtclab_tl_session *s, int peer)
{
	if (s->peers[peer].node >= 0)
		return s->peers[peer].node;
	if (s->n_nodes >= sizeof s->nodes / sizeof s->nodes[0])
		return -1;
	struct rtclab_tl_node *n = &s->nodes[s->n_nodes];
	memset(n, 0, sizeof *n);
	n->kind = RTCLAB_TL_NODE_PEER;
	n->peer = peer;
	memcpy(n->name, s->peers[peer].name, sizeof n->name);
	s->peers[peer].node = (int)s->n_nodes;
	return (int)s->n_nodes++;
}

int tl_node_server(struct rtclab_tl_session *s, enum rtclab_tl_node_kind kind, const struct rtclab_addr *addr,
		   enum rtclab_l4 l4)
{
	unsigned same_kind = 0;
	for (size_t i = 0; i < s->n_nodes; i++) {
		struct rtclab_tl_node *n = &s->nodes[i];
		if (n->kind == RTCLAB_TL_NODE_PEER)
			continue;
		if (same(&n->addr, addr)) {
			/* a STUN server that turns out to be a TURN server too */
			if (kind == RTCLAB_TL_NODE_TURN && n->kind == RTCLAB_TL_NODE_STUN) {
				n->kind = RTCLAB_TL_NODE_TURN;
				snprintf(n->name, sizeof n->name, "TURN");
			}
			return (int)i;
		}
		same_kind += n->kind == kind;
	}
	if (s->n_nodes >= sizeof s->nodes / sizeof s->nodes[0])
		return -1;
	struct rtclab_tl_node *n = &s->nodes[s->n_nodes];
	memset(n, 0, sizeof *n);
	n->kind = kind;
	n->addr = *addr;
	n->transport = l4;
	n->peer = -1;
	const char *base = kind == RTCLAB_TL_NODE_SIGNALING ? "signaling"
			   : kind == RTCLAB_TL_NODE_STUN    ? "STUN"
			   : kind == RTCLAB_TL_NODE_TURN    ? "TURN"
							    : "other";
	if (same_kind)
		snprintf(n->name, sizeof n->name, "%s %u", base, same_kind + 1);
	else
		snprintf(n->name, sizeof n->name, "%s", base);
	return (int)s->n_nodes++;
}

struct rtclab_tl_step *tl_step(struct rtclab_tl_session *s, enum rtclab_step step, enum rtclab_tl_step_kind kind,
			       int64_t ns, uint64_t frame, int from, int to)
{
	if (s->n_steps >= RTCLAB_TL_MAX_STEPS ||
	    !grow((void **)&s->steps, &s->cap_steps, s->n_steps + 1, sizeof *s->steps)) {
		s->steps_dropped++;
		return NULL;
	}
	struct rtclab_tl_step *t = &s->steps[s->n_steps++];
	memset(t, 0, sizeof *t);
	t->step = step;
	t->kind = kind;
	t->time_ns = ns;
	t->frame = frame;
	t->from = from;
	t->to = to;
	t->pair = -1;
	if (ns != INT64_MIN) {
		if (ns < s->first_ns)
			s->first_ns = ns;
		if (ns > s->last_ns)
			s->last_ns = ns;
	}
	return t;
}

/* --- candidates --------------------------------------------------------------------- */

int tl_candidate_find(const struct rtclab_tl_session *s, int peer, const struct rtclab_addr *a)
{
	for (size_t i = 0; i < s->n_candidates; i++) {
		const struct rtclab_tl_candidate *c = &s->candidates[i];
		if ((peer < 0 || c->peer == peer) && c->addr.family && same(&c->addr, a))
			return (int)i;
	}
	return -1;
}

/* Add a candidate, or merge it into the one already known at that address:
 * a signalled copy tells more (priority, foundation) than one learnt from
 * the wire, and keeps the time it was first known. */
int tl_candidate_add(struct rtclab_tl_session *s, const struct rtclab_tl_candidate *c)
{
	int i = -1;
	if (c->addr.family)
		i = tl_candidate_find(s, c->peer, &c->addr);
	else
		for (size_t k = 0; k < s->n_candidates; k++)
			if (s->candidates[k].peer == c->peer && !s->candidates[k].addr.family &&
			    strcmp(s->candidates[k].name, c->name) == 0 && s->candidates[k].addr.port == c->addr.port)
				i = (int)k;
	if (i >= 0) {
		struct rtclab_tl_candidate *o = &s->candidates[i];
		bool signalled = c->source == RTCLAB_TL_FROM_SDP || c->source == RTCLAB_TL_FROM_TRICKLE;
		bool was_signalled = o->source == RTCLAB_TL_FROM_SDP || o->source == RTCLAB_TL_FROM_TRICKLE;
		if (signalled && !was_signalled) {
			struct rtclab_addr server = o->server;
			*o = *c;
			o->server = server;
		}
		return i;
	}
	if (!grow((void **)&s->candidates, &s->cap_candidates, s->n_candidates + 1, sizeof *s->candidates))
		return -1;
	s->candidates[s->n_candidates] = *c;
	return (int)s->n_candidates++;
}

void tl_candidate_from_line(struct rtclab_tl_candidate *out, const struct rtclab_candidate *c, int peer,
			    enum rtclab_tl_cand_source src, int64_t ns, uint64_t frame)
{
	memset(out, 0, sizeof *out);
	out->peer = peer;
	out->type = c->type;
	out->transport = c->transport;
	if (c->address_kind <= RTCLAB_CAND_ADDR_IPV6) {
		out->addr = c->ip;
		out->addr.port = c->port;
	} else {
		out->addr.port = c->port;
		snprintf(out->name, sizeof out->name, "%.*s", (int)c->address.len, c->address.ptr);
	}
	out->priority = c->priority;
	snprintf(out->foundation, sizeof out->foundation, "%.*s", (int)c->foundation.len, c->foundation.ptr);
	if (c->has_raddr && c->raddr_ip.family) {
		out->has_related = true;
		out->related = c->raddr_ip;
		out->related.port = c->rport;
	}
	out->source = src;
	out->time_ns = ns;
	out->frame = frame;
}

/* --- ufrags and endpoints ------------------------------------------------------------ */

struct tl_ufrag *tl_ufrag_find(struct rtclab_timeline *tl, const char *ufrag, size_t len)
{
	struct rtclab_timeline_state *st = tl->state;
	/* newest first: after an ICE restart that reuses a ufrag, the new session wins */
	for (size_t i = st->n_ufrags; i-- > 0;)
		if (strlen(st->ufrags[i].ufrag) == len && memcmp(st->ufrags[i].ufrag, ufrag, len) == 0)
			return &st->ufrags[i];
	return NULL;
}

bool tl_ufrag_add(struct rtclab_timeline *tl, const char *ufrag, int session, int peer)
{
	struct rtclab_timeline_state *st = tl->state;
	struct tl_ufrag *u = tl_ufrag_find(tl, ufrag, strlen(ufrag));
	if (u && u->session == session && u->peer == peer)
		return true;
	if (!grow((void **)&st->ufrags, &st->cap_ufrags, st->n_ufrags + 1, sizeof *st->ufrags))
		return false;
	u = &st->ufrags[st->n_ufrags++];
	snprintf(u->ufrag, sizeof u->ufrag, "%s", ufrag);
	u->session = session;
	u->peer = peer;
	return true;
}

void tl_peer_endpoint(struct rtclab_timeline *tl, int si, int peer, const struct rtclab_addr *a, int64_t ns,
		      uint64_t frame)
{
	struct rtclab_tl_session *s = tl->sessions[si];
	struct tl_peer_x *px = &tl->state->sx[si]->peers[peer];
	struct rtclab_tl_peer *p = &s->peers[peer];
	for (size_t i = 0; i < p->n_endpoints; i++)
		if (same(&p->endpoints[i], a))
			return;
	if (p->n_endpoints < RTCLAB_TL_MAX_ENDPOINTS) {
		px->endpoint_first_ns[p->n_endpoints] = ns;
		px->endpoint_first_frame[p->n_endpoints] = frame;
		p->endpoints[p->n_endpoints++] = *a;
	}
	struct tl_map_entry *e = tl_map_put(&tl->state->endpoints, a, NULL);
	if (e) {
		e->v1 = si;
		e->v2 = peer;
	}
}

/* --- transactions ------------------------------------------------------------------- */

static size_t txn_home(const uint8_t tid[12])
{
	uint64_t h = 1469598103934665603ull;
	for (int i = 0; i < 12; i++)
		h = (h ^ tid[i]) * 1099511628211ull;
	return (size_t)(h ^ (h >> 31)) & (TL_TXN_SLOTS - 1);
}

static struct tl_txn *txn_find(struct rtclab_timeline_state *st, const uint8_t tid[12])
{
	size_t h = txn_home(tid);
	for (size_t i = 0; i < TL_TXN_PROBE; i++) {
		struct tl_txn *t = &st->txns[(h + i) & (TL_TXN_SLOTS - 1)];
		if (t->kind != TL_TXN_FREE && memcmp(t->tid, tid, 12) == 0)
			return t;
	}
	return NULL;
}

static void txn_expire(struct rtclab_timeline *tl, struct tl_txn *t);

/* A slot for a new transaction: a free one, else the oldest of the probe
 * window (its check, if unanswered, is settled first). */
static struct tl_txn *txn_new(struct rtclab_timeline *tl, const uint8_t tid[12], enum tl_txn_kind kind)
{
	struct rtclab_timeline_state *st = tl->state;
	size_t h = txn_home(tid);
	struct tl_txn *oldest = NULL;
	for (size_t i = 0; i < TL_TXN_PROBE; i++) {
		struct tl_txn *t = &st->txns[(h + i) & (TL_TXN_SLOTS - 1)];
		if (t->kind == TL_TXN_FREE) {
			oldest = t;
			break;
		}
		if (!oldest || t->last_tx_ns < oldest->last_tx_ns)
			oldest = t;
	}
	if (oldest->kind != TL_TXN_FREE)
		txn_expire(tl, oldest);
	memset(oldest, 0, sizeof *oldest);
	oldest->kind = kind;
	memcpy(oldest->tid, tid, 12);
	oldest->check = -1;
	oldest->gather = -1;
	return oldest;
}

/* Record a sighting of this transaction on a wire leg.  True when it is a
 * transmission not counted yet (the first one, or a retransmission).
 * A message relayed through TURN is seen once on each leg (client to
 * server, relay to peer): a leg seen again means the client sent it again,
 * but the other legs then see it again too, and that is the same
 * retransmission, not one more (before, every leg seen again counted one). */
static bool txn_leg_seen(struct tl_txn *t, const struct tl_leg *leg)
{
	unsigned i = 0;
	while (i < t->n_legs && !(same(&t->legs[i].src, &leg->src) && same(&t->legs[i].dst, &leg->dst) &&
				  t->legs[i].via == leg->via))
		i++;
	if (i == t->n_legs) {
		if (t->n_legs >= TL_MAX_LEGS)
			return false;
		t->legs[t->n_legs++] = *leg;
	}
	if (++t->leg_tx[i] <= t->transmissions)
		return false;
	t->transmissions = t->leg_tx[i];
	return true;
}

/* An unanswered check leaves the table: a timeout when the capture went on
 * long enough for the transaction to give up (RFC 8489 6.2.1). */
static void txn_expire(struct rtclab_timeline *tl, struct tl_txn *t)
{
	if (t->kind != TL_TXN_CHECK || t->answered)
		return;
	struct rtclab_tl_session *s = tl->sessions[t->session];
	struct rtclab_tl_pair *p = &s->pairs[t->pair];
	bool timed_out = tl->state->now_ns - t->sent_ns >= TL_TRANSACTION_TIMEOUT_NS;
	if (timed_out)
		p->n_timeouts++;
	if (t->check >= 0)
		p->checks[t->check].result = timed_out ? RTCLAB_TL_TIMEOUT : RTCLAB_TL_NO_RESPONSE;
	t->answered = true;
}

/* --- integrity ----------------------------------------------------------------------- */

static enum rtclab_tl_auth auth_of(const struct rtclab_stun_msg *m, const struct rtclab_stun_key *key)
{
	if (m->integrity_offset == SIZE_MAX && m->integrity_sha256_offset == SIZE_MAX)
		return RTCLAB_TL_AUTH_ABSENT;
	if (!key)
		return RTCLAB_TL_AUTH_UNKNOWN;
	enum rtclab_stun_check c = m->integrity_offset != SIZE_MAX ? rtclab_stun_check_integrity(m, key)
								   : rtclab_stun_check_integrity_sha256(m, key);
	return c == RTCLAB_STUN_CHECK_OK ? RTCLAB_TL_AUTH_OK : c == RTCLAB_STUN_CHECK_BAD ? RTCLAB_TL_AUTH_BAD
											  : RTCLAB_TL_AUTH_UNKNOWN;
}

/* The key of the ufrag a check names for its receiver, else the receiver's
 * current one; NULL when neither is known. */
static const struct rtclab_stun_key *signer_key(struct rtclab_timeline *tl, int si, int peer, int signer)
{
	struct rtclab_timeline_state *st = tl->state;
	if (signer >= 0 && (size_t)signer < st->n_ufrags && st->ufrags[signer].has_key)
		return &st->ufrags[signer].key;
	const struct tl_peer_x *px = &st->sx[si]->peers[peer];
	return px->has_key ? &px->key : NULL;
}

static void count_auth(struct rtclab_tl_pair *p, enum rtclab_tl_auth a)
{
	p->n_auth_ok += a == RTCLAB_TL_AUTH_OK;
	p->n_auth_bad += a == RTCLAB_TL_AUTH_BAD;
}

/* Keep a copy of a message that cannot be verified yet (the description
 * with the ice-pwd has not arrived). */
static void park(struct rtclab_timeline *tl, const struct rtclab_stun_msg *m, int si, int pair, int check,
		 int responder, int signer, bool response)
{
	struct rtclab_timeline_state *st = tl->state;
	if (st->opts.no_integrity || st->n_parked >= TL_MAX_PARKED || check < 0)
		return;
	size_t len = RTCLAB_STUN_HEADER_SIZE + (size_t)m->length;
	if (len > m->size || len > 2048)
		return;
	struct tl_parked *p = malloc(sizeof *p + len);
	if (!p)
		return;
	if (!st->parked && !(st->parked = calloc(TL_MAX_PARKED, sizeof *st->parked))) {
		free(p);
		return;
	}
	p->session = si;
	p->pair = pair;
	p->check = check;
	p->responder = responder;
	p->signer = signer;
	p->response = response;
	p->len = len;
	memcpy(p->bytes, m->data, len);
	st->parked[st->n_parked++] = p;
}

void tl_verify_parked(struct rtclab_timeline *tl)
{
	struct rtclab_timeline_state *st = tl->state;
	for (size_t i = 0; i < st->n_parked; i++) {
		struct tl_parked *k = st->parked[i];
		const struct rtclab_stun_key *key = signer_key(tl, k->session, k->responder, k->signer);
		struct rtclab_tl_pair *p = &tl->sessions[k->session]->pairs[k->pair];
		struct rtclab_stun_msg m;
		if (key) {
			rtclab_stun_decode(&m, k->bytes, k->len);
			enum rtclab_tl_auth a = auth_of(&m, key);
			count_auth(p, a);
			if (k->response)
				p->checks[k->check].response_auth = a;
			else
				p->checks[k->check].request_auth = a;
		}
		free(k);
	}
	st->n_parked = 0;
}

/* --- pairs ---------------------------------------------------------------------------- */

static int pair_find_or_add(struct rtclab_timeline *tl, int si, int peer, const struct rtclab_addr *local,
			    const struct rtclab_addr *remote, enum rtclab_l4 l4)
{
	struct rtclab_tl_session *s = tl->sessions[si];
	struct tl_session_x *x = tl->state->sx[si];
	for (size_t i = 0; i < s->n_pairs; i++) {
		struct rtclab_tl_pair *p = &s->pairs[i];
		if (p->peer == peer && same(&p->local, local) && same(&p->remote, remote))
			return (int)i;
	}
	size_t cap = s->cap_pairs;
	if (!grow((void **)&s->pairs, &cap, s->n_pairs + 1, sizeof *s->pairs) ||
	    !grow((void **)&x->px, &x->cap_px, s->n_pairs + 1, sizeof *x->px))
		return -1;
	s->cap_pairs = cap;
	struct rtclab_tl_pair *p = &s->pairs[s->n_pairs];
	memset(p, 0, sizeof *p);
	p->peer = peer;
	p->local = *local;
	p->remote = *remote;
	p->transport = l4 == RTCLAB_L4_TCP ? RTCLAB_CAND_TCP : RTCLAB_CAND_UDP;
	p->local_cand = p->remote_cand = -1;
	p->state = RTCLAB_TL_IN_PROGRESS;
	p->rtt_ns = -1;
	memset(&x->px[s->n_pairs], 0, sizeof x->px[0]);
	const struct rtclab_addr *lo, *hi;
	ordered(local, remote, &lo, &hi);
	struct tl_map_entry *e = tl_map_put(&tl->state->pairs, lo, hi);
	if (e && e->v1 < 0) {
		e->v1 = si;
		e->v2 = (int)s->n_pairs;
	}
	return (int)s->n_pairs++;
}

/* --- TURN tunnels ------------------------------------------------------------------- */

static struct tl_alloc *alloc_find(struct rtclab_timeline_state *st, const struct rtclab_addr *client,
				   const struct rtclab_addr *server)
{
	struct tl_map_entry *e = tl_map_find(&st->allocs, client, server);
	return e ? &st->alloc[e->v1] : NULL;
}

static struct tl_alloc *alloc_put(struct rtclab_timeline_state *st, const struct rtclab_addr *client,
				  const struct rtclab_addr *server)
{
	struct tl_alloc *a = alloc_find(st, client, server);
	if (a)
		return a;
	if (!grow((void **)&st->alloc, &st->cap_alloc, st->n_alloc + 1, sizeof *st->alloc))
		return NULL;
	struct tl_map_entry *e = tl_map_put(&st->allocs, client, server);
	if (!e)
		return NULL;
	e->v1 = (int)st->n_alloc;
	a = &st->alloc[st->n_alloc++];
	memset(a, 0, sizeof *a);
	a->client = *client;
	a->server = *server;
	return a;
}

/* Where a tunnelled message logically goes: between the client's relayed
 * address on the server and the peer.  Without the Allocate response in the
 * capture, the client's own address stands for the relayed one. */
static void tunnel_ends(struct rtclab_timeline_state *st, const struct rtclab_event *ev, const struct rtclab_demux *d,
			struct rtclab_addr *lsrc, struct rtclab_addr *ldst)
{
	bool from_client;
	if (d->via == RTCLAB_TUNNEL_TURN_SEND)
		from_client = true;
	else if (d->via == RTCLAB_TUNNEL_TURN_DATA)
		from_client = false;
	else /* ChannelData goes both ways: the client is the side with an allocation */
		from_client = alloc_find(st, &ev->src, &ev->dst) || !alloc_find(st, &ev->dst, &ev->src);
	const struct rtclab_addr *client = from_client ? &ev->src : &ev->dst;
	const struct rtclab_addr *server = from_client ? &ev->dst : &ev->src;
	struct tl_alloc *a = alloc_find(st, client, server);
	struct rtclab_addr relayed = a && a->has_relayed ? a->relayed : *client;
	struct rtclab_addr peer = d->has_peer ? d->peer : *server;
	*lsrc = from_client ? relayed : peer;
	*ldst = from_client ? peer : relayed;
}

/* --- STUN and TURN server exchanges ----------------------------------------------------- */

static const struct rtclab_stun_attr *find(const struct rtclab_stun_msg *m, uint16_t type)
{
	const struct rtclab_stun_attr *a = rtclab_stun_find(m, type);
	return a && a->ok ? a : NULL;
}

/* The last successful exchange this one repeats (a STUN keepalive, a TURN
 * Refresh, CreatePermission or ChannelBind refresh), or -1.  Allocate is
 * never a repeat: each one is a new allocation. */
static int gather_like(const struct rtclab_timeline_state *st, const struct tl_gather *g)
{
	if (g->method == RTCLAB_STUN_ALLOCATE)
		return -1;
	for (size_t i = st->n_gathers, n = 0; i-- > 0 && n < 64; n++) {
		const struct tl_gather *o = &st->gathers[i];
		if (o->method == g->method && o->response_class == RTCLAB_STUN_SUCCESS && same(&o->client, &g->client) &&
		    same(&o->server, &g->server) && o->has_peer == g->has_peer && (!g->has_peer || same(&o->peer, &g->peer)) &&
		    o->channel == g->channel)
			return (int)i;
	}
	return -1;
}

static int gather_add(struct rtclab_timeline_state *st, const struct tl_gather *g)
{
	if (st->n_gathers >= TL_MAX_GATHERS ||
	    !grow((void **)&st->gathers, &st->cap_gathers, st->n_gathers + 1, sizeof *st->gathers)) {
		st->gathers_dropped++;
		return -1;
	}
	st->gathers[st->n_gathers] = *g;
	return (int)st->n_gathers++;
}

static void server_request(struct rtclab_timeline *tl, const struct rtclab_event *ev, const struct rtclab_stun_msg *m)
{
	struct rtclab_timeline_state *st = tl->state;
	struct tl_txn *t = txn_find(st, m->transaction_id);
	struct tl_leg leg = {ev->src, ev->dst, RTCLAB_TUNNEL_NONE};
	if (t && t->kind == TL_TXN_SERVER) {
		if (txn_leg_seen(t, &leg) && t->gather >= 0) {
			st->gathers[t->gather].transmissions++;
			t->last_tx_ns = ev->ts_ns;
		}
		return;
	}
	struct tl_gather g = {0};
	g.method = m->method;
	g.l4 = ev->l4;
	g.client = ev->src;
	g.server = ev->dst;
	g.request_ns = ev->ts_ns;
	g.request_frame = ev->frame;
	g.transmissions = 1;
	g.response_class = RTCLAB_STUN_REQUEST;
	const struct rtclab_stun_attr *a = find(m, RTCLAB_STUN_ATTR_XOR_PEER_ADDRESS);
	if (a) {
		g.has_peer = true;
		g.peer = a->v.addr;
	}
	if ((a = find(m, RTCLAB_STUN_ATTR_CHANNEL_NUMBER)))
		g.channel = (uint16_t)a->v.u32; /* the decoder gives the number itself (it was shifted out: always 0) */
	int same_as = gather_like(st, &g);
	int index = same_as;
	if (same_as < 0 && (index = gather_add(st, &g)) < 0)
		return;
	t = txn_new(tl, m->transaction_id, TL_TXN_SERVER);
	t->sent_ns = t->last_tx_ns = ev->ts_ns;
	t->gather = index;
	t->repeat = same_as >= 0;
	t->request_frame = ev->frame;
	t->method = m->method;
	txn_leg_seen(t, &leg);
}

static void server_response(struct rtclab_timeline *tl, const struct rtclab_event *ev, const struct rtclab_stun_msg *m,
			    struct tl_txn *t)
{
	struct rtclab_timeline_state *st = tl->state;
	if (t->answered || t->gather < 0)
		return;
	t->answered = true;
	if (t->repeat) {
		/* the same answer again is counted; a different one (a new mapping
		 * after a NAT rebinding, an error) is an exchange of its own */
		struct tl_gather *o = &st->gathers[t->gather];
		const struct rtclab_stun_attr *xm = find(m, RTCLAB_STUN_ATTR_XOR_MAPPED_ADDRESS);
		if (m->cls == RTCLAB_STUN_SUCCESS && (!xm || !o->has_mapped || same(&xm->v.addr, &o->mapped))) {
			o->repeats++;
			o->last_repeat_ns = ev->ts_ns;
			return;
		}
		struct tl_gather g = *o;
		g.request_ns = t->sent_ns;
		g.request_frame = t->request_frame;
		g.transmissions = 1;
		g.repeats = 0;
		g.has_mapped = g.has_relayed = false;
		g.error_code = 0;
		int index = gather_add(st, &g);
		if (index < 0)
			return;
		t->gather = index;
	}
	struct tl_gather *g = &st->gathers[t->gather];
	g->response_ns = ev->ts_ns;
	g->response_frame = ev->frame;
	g->response_class = m->cls;
	const struct rtclab_stun_attr *a;
	if ((a = find(m, RTCLAB_STUN_ATTR_ERROR_CODE)))
		g->error_code = a->v.error.code;
	if ((a = find(m, RTCLAB_STUN_ATTR_XOR_MAPPED_ADDRESS)) || (a = find(m, RTCLAB_STUN_ATTR_MAPPED_ADDRESS))) {
		g->has_mapped = true;
		g->mapped = a->v.addr;
	}
	if ((a = find(m, RTCLAB_STUN_ATTR_XOR_RELAYED_ADDRESS))) {
		g->has_relayed = true;
		g->relayed = a->v.addr;
	}
	if ((a = find(m, RTCLAB_STUN_ATTR_LIFETIME)))
		g->lifetime = a->v.u32;
	/* RFC 8445 5.1.1.1: a server-reflexive address's base is the address
	 * the request left from (Allocate tells one too, RFC 8656 7.3) */
	if ((g->method == RTCLAB_STUN_BINDING || g->method == RTCLAB_STUN_ALLOCATE) && m->cls == RTCLAB_STUN_SUCCESS &&
	    g->has_mapped && !same(&g->mapped, &g->client)) {
		struct tl_map_entry *e = tl_map_put(&st->mapped, &g->mapped, NULL);
		if (e && e->v1 < 0)
			e->v1 = t->gather;
	}
	if (g->method == RTCLAB_STUN_ALLOCATE && m->cls == RTCLAB_STUN_SUCCESS && g->has_relayed) {
		struct tl_alloc *al = alloc_put(st, &g->client, &g->server);
		if (al) {
			al->relayed = g->relayed;
			al->has_relayed = true;
		}
	}
}

/* --- connectivity checks -------------------------------------------------------------- */

/* The session and peers of a check's USERNAME "R:L": L sends, R receives. */
static int check_session(struct rtclab_timeline *tl, const char *l, size_t ll, const char *r, size_t rl, int *pl,
			 int *pr)
{
	/* "R:" or ":L" names no agent (RFC 8445 7.2.2; RFC 8839 5.4: a ufrag has
	 * at least 4 characters): such checks made sessions of empty ufrags */
	if (!ll || !rl)
		return -1;
	struct tl_ufrag *ul = tl_ufrag_find(tl, l, ll), *ur = tl_ufrag_find(tl, r, rl);
	char buf[RTCLAB_TL_UFRAG_MAX];
	if (ul && ur && ul->session == ur->session && ul->peer != ur->peer) {
		*pl = ul->peer;
		*pr = ur->peer;
		return ul->session;
	}
	struct tl_ufrag *known = ul ? ul : ur;
	if (known) {
		struct rtclab_tl_session *s = tl->sessions[known->session];
		int other = 1 - known->peer;
		const char *ou = ul ? r : l;
		size_t ol = ul ? rl : ll;
		/* the other side's ufrag is new to us: its description is not in the input */
		if (!s->peers[other].ufrag[0] && ol < sizeof buf) {
			snprintf(s->peers[other].ufrag, sizeof s->peers[other].ufrag, "%.*s", (int)ol, ou);
			tl_ufrag_add(tl, s->peers[other].ufrag, known->session, other);
		}
		if (strlen(s->peers[other].ufrag) == ol && memcmp(s->peers[other].ufrag, ou, ol) == 0) {
			*pl = ul ? known->peer : other;
			*pr = ul ? other : known->peer;
			return known->session;
		}
	}
	if (ll >= RTCLAB_TL_UFRAG_MAX || rl >= RTCLAB_TL_UFRAG_MAX)
		return -1;
	int si;
	struct rtclab_tl_session *s = tl_session_new(tl, &si);
	if (!s)
		return -1;
	snprintf(s->peers[0].ufrag, sizeof s->peers[0].ufrag, "%.*s", (int)ll, l);
	snprintf(s->peers[1].ufrag, sizeof s->peers[1].ufrag, "%.*s", (int)rl, r);
	tl_ufrag_add(tl, s->peers[0].ufrag, si, 0);
	tl_ufrag_add(tl, s->peers[1].ufrag, si, 1);
	s->n_generations = 1;
	*pl = 0;
	*pr = 1;
	return si;
}

static const char *via_words(enum rtclab_tunnel_via via)
{
	switch (via) {
	case RTCLAB_TUNNEL_TURN_SEND: return " through TURN (Send indication)";
	case RTCLAB_TUNNEL_TURN_DATA: return " through TURN (Data indication)";
	case RTCLAB_TUNNEL_CHANNELDATA: return " through TURN (ChannelData)";
	default: return "";
	}
}

/* libwebrtc's renomination (the "renomination" ice-option): instead of
 * USE-CANDIDATE the controlling agent sends a 4-byte nomination counter in
 * attribute 0xC001 (GOOG-NOMINATION in libwebrtc; IANA lists 0xC001 as
 * ENF-FLOW-DESCRIPTION, so only a check from the controlling side counts). */
static bool goog_nomination(const struct rtclab_stun_msg *m)
{
	const struct rtclab_stun_attr *a = rtclab_stun_find(m, 0xC001);
	return a && a->length == 4 && find(m, RTCLAB_STUN_ATTR_ICE_CONTROLLING);
}

/* The generation whose credentials a check's USERNAME "R:L" names (the
 * latest that has R or L), -1 when no description named them. */
static int check_generation(const struct rtclab_tl_session *s, const char *r, size_t rl, const char *l, size_t ll)
{
	for (size_t g = s->n_generations; g-- > 0;) {
		const struct rtclab_tl_generation *G = &s->generations[g];
		const char *u[2] = {G->offer_ufrag, G->answer_ufrag};
		for (int k = 0; k < 2; k++)
			if ((strlen(u[k]) == rl && memcmp(u[k], r, rl) == 0) || (strlen(u[k]) == ll && memcmp(u[k], l, ll) == 0))
				return (int)g;
	}
	return -1;
}

static bool same_gen(int a, int b)
{
	return a == b || a < 0 || b < 0; /* -1: checks seen before their description */
}

static bool unspecified(const struct rtclab_addr *a)
{
	static const uint8_t zero[16];
	return memcmp(a->ip, zero, a->family == RTCLAB_FAMILY_IPV4 ? 4 : 16) == 0;
}

/* The base of one of a peer's addresses: the transport address its
 * packets leave from (RFC 8445 5.1.1).  A server- or peer-reflexive
 * address stands for its base when the input tells it: the raddr/rport of
 * its candidate line (privacy hides it as 0.0.0.0:0), the client of the
 * STUN exchange that learnt it (5.1.1.1), the local address of the check
 * whose response told it (7.2.5.3.1).  A host or relayed address is its
 * own base: a relayed candidate's related address is the TURN server's
 * view of the client, not a base (5.1.1.2). */
static const struct rtclab_addr *base_of(const struct rtclab_timeline *tl, int si, int peer,
					 const struct rtclab_addr *a)
{
	const struct rtclab_tl_session *s = tl->sessions[si];
	int c = tl_candidate_find(s, peer, a);
	if (c >= 0) {
		const struct rtclab_tl_candidate *k = &s->candidates[c];
		if (k->type == RTCLAB_CAND_HOST || k->type == RTCLAB_CAND_RELAY)
			return a;
		if (k->has_related && !unspecified(&k->related))
			return &k->related;
	}
	const struct tl_peer_x *px = &tl->state->sx[si]->peers[peer];
	for (size_t i = 0; i < px->n_reflexive; i++)
		if (same(&px->reflexive[i], a))
			return &px->reflexive_base[i];
	const struct tl_map_entry *e = tl_map_find(&tl->state->mapped, a, NULL);
	if (e && e->v1 >= 0 && (size_t)e->v1 < tl->state->n_gathers)
		return &tl->state->gathers[e->v1].client;
	return a;
}

/* Pair pi is nominated pair ni's path seen from the other agent.  Each
 * pair is keyed by the addresses of the first wire leg its check was seen
 * on, so across NATs the two agents' pairs are not simply reversed: A's
 * pair host -> B's srflx, B's pair host -> A's srflx.  B's pair is the
 * same path when it leaves from the base that A's checks reach (a
 * reflexive candidate is its base's, RFC 8445 5.1.1) and goes to where B
 * saw A's checks come from: the XOR-MAPPED-ADDRESS of the nominating
 * check's answer (7.3.1.4: the controlled agent's pair on that path has
 * the request's source as its remote candidate), else to A's base. */
bool tl_pair_reverse(const struct rtclab_timeline *tl, int si, int pi, int ni)
{
	const struct rtclab_tl_session *s = tl->sessions[si];
	const struct rtclab_tl_pair *p = &s->pairs[pi], *n = &s->pairs[ni];
	if (same(&n->local, &p->remote) && same(&n->remote, &p->local))
		return true;
	if (p->peer == n->peer || p->transport != n->transport)
		return false;
	if (!same(base_of(tl, si, p->peer, &p->local), base_of(tl, si, p->peer, &n->remote)))
		return false;
	const struct tl_pair_x *nx = &tl->state->sx[si]->px[ni];
	if (nx->has_nominated_mapped)
		return same(&p->remote, &nx->nominated_mapped);
	return same(base_of(tl, si, n->peer, &p->remote), base_of(tl, si, n->peer, &n->local));
}

/* After nomination, checks on the selected path (from either agent: the
 * controlled one checks its own pair of the same path) are consent
 * freshness checks -- in the same generation only: after an ICE restart
 * the new credentials' checks on that pair are connectivity checks again
 * (RFC 8445 9), until the pair is nominated anew.  The nominated pair
 * whose path pair pi is on, or -1. */
static int nominated_path(const struct rtclab_timeline *tl, int si, int pi, int gen)
{
	const struct rtclab_tl_session *s = tl->sessions[si];
	const struct tl_session_x *x = tl->state->sx[si];
	if (s->pairs[pi].nominated && same_gen(x->px[pi].nominated_gen, gen))
		return pi;
	for (size_t i = 0; i < s->n_pairs; i++)
		if ((int)i != pi && s->pairs[i].nominated && same_gen(x->px[i].nominated_gen, gen) &&
		    tl_pair_reverse(tl, si, pi, (int)i))
			return (int)i;
	return -1;
}

/* When consent on this pair was lost, as far as the input shows at time
 * now (0: not lost): 30 s after the last success, or after the nomination
 * if later, with consent checks sent since and none answered (RFC 7675
 * 5.1).  An agent silent for longer than that counts from its first
 * unanswered check. */
int64_t tl_consent_lost_at(const struct tl_pair_x *px, int64_t now)
{
	if (px->consent_lost_ns)
		return px->consent_lost_ns;
	if (!px->unanswered_ns)
		return 0;
	int64_t from = px->unanswered_from_ns;
	if (px->unanswered_ns - from >= TL_CONSENT_TIMEOUT_NS)
		from = px->unanswered_ns;
	return now - from >= TL_CONSENT_TIMEOUT_NS ? from + TL_CONSENT_TIMEOUT_NS : 0;
}

/* A consent check sent on pair pi (on nominated pair ni's path). */
static void consent_sent(struct rtclab_tl_session *s, struct tl_session_x *x, int pi, int ni, int64_t ns)
{
	struct tl_pair_x *px = &x->px[pi];
	if (!px->unanswered_ns) {
		int64_t nominated = s->pairs[ni].nominated_ns;
		px->unanswered_ns = ns;
		px->unanswered_from_ns = px->ok_ns > nominated ? px->ok_ns : nominated;
	}
}

/* A success response on a pair: consent granted anew (RFC 7675 5.1); an
 * answer that comes after the 30 s is too late. */
static void consent_answered(struct tl_pair_x *px, int64_t ns)
{
	if (!px->consent_lost_ns)
		px->consent_lost_ns = tl_consent_lost_at(px, ns);
	px->ok_ns = ns;
	px->unanswered_ns = 0;
}

static bool pair_between(struct rtclab_timeline *tl, const struct rtclab_addr *x, const struct rtclab_addr *y, int *si,
			 int *pi);

static void check_request(struct rtclab_timeline *tl, const struct rtclab_event *ev, const struct rtclab_stun_msg *m,
			  const struct rtclab_addr *lsrc, const struct rtclab_addr *ldst, const struct tl_leg *leg)
{
	struct rtclab_timeline_state *st = tl->state;
	const struct rtclab_stun_attr *u = find(m, RTCLAB_STUN_ATTR_USERNAME);
	const char *name = (const char *)u->v.text.ptr;
	const char *colon = memchr(name, ':', u->v.text.len);
	if (!colon)
		return; /* not ICE: a USERNAME without the "R:L" form */
	struct tl_txn *t = txn_find(st, m->transaction_id);
	if (t && t->kind == TL_TXN_CHECK) {
		if (txn_leg_seen(t, leg)) { /* a leg seen once more: a retransmission */
			struct rtclab_tl_pair *p = &tl->sessions[t->session]->pairs[t->pair];
			p->n_requests++;
			if (t->check >= 0)
				p->checks[t->check].transmissions++;
			t->last_tx_ns = ev->ts_ns;
		}
		return;
	}
	int pl, pr;
	int si = check_session(tl, colon + 1, u->v.text.len - (size_t)(colon + 1 - name), name, (size_t)(colon - name),
			       &pl, &pr);
	if (si < 0)
		return;
	struct rtclab_tl_session *s = tl->sessions[si];
	struct tl_session_x *x = st->sx[si];
	tl_peer_endpoint(tl, si, pl, lsrc, ev->ts_ns, ev->frame);
	tl_peer_endpoint(tl, si, pr, ldst, ev->ts_ns, ev->frame);
	x->peers[pl].sent_checks = true;
	int pi = pair_find_or_add(tl, si, pl, lsrc, ldst, ev->l4);
	if (pi < 0)
		return;
	struct rtclab_tl_pair *p = &s->pairs[pi];
	struct rtclab_tl_check c = {0};
	memcpy(c.transaction_id, m->transaction_id, 12);
	c.frame = ev->frame;
	c.time_ns = ev->ts_ns;
	c.transmissions = 1;
	c.use_candidate = rtclab_stun_find(m, RTCLAB_STUN_ATTR_USE_CANDIDATE) != NULL || goog_nomination(m);
	c.role = find(m, RTCLAB_STUN_ATTR_ICE_CONTROLLING)  ? RTCLAB_TL_CONTROLLING
		 : find(m, RTCLAB_STUN_ATTR_ICE_CONTROLLED) ? RTCLAB_TL_CONTROLLED
							    : RTCLAB_TL_ICE_UNKNOWN;
	const struct rtclab_stun_attr *pa = find(m, RTCLAB_STUN_ATTR_PRIORITY);
	c.priority = pa ? pa->v.u32 : 0;
	int gen = check_generation(s, name, (size_t)(colon - name), colon + 1, u->v.text.len - (size_t)(colon + 1 - name));
	int np = nominated_path(tl, si, pi, gen);
	c.consent = np >= 0;
	c.via = leg->via;
	struct tl_ufrag *ur = tl_ufrag_find(tl, name, (size_t)(colon - name));
	int signer = ur && ur->session == si ? (int)(ur - st->ufrags) : -1;
	c.request_auth = st->opts.no_integrity ? RTCLAB_TL_AUTH_UNKNOWN : auth_of(m, signer_key(tl, si, pr, signer));
	if (c.role != RTCLAB_TL_ICE_UNKNOWN)
		s->peers[pl].ice_role = c.role;
	p->n_checks++;
	p->n_requests++;
	if (!c.consent) {
		x->checks_total++;
		if (!x->first_check_ns)
			x->first_check_ns = ev->ts_ns;
	}
	p->n_consent += c.consent;
	if (c.consent)
		consent_sent(s, x, pi, np, ev->ts_ns);
	count_auth(p, c.request_auth);
	if (!p->first_check_ns)
		p->first_check_ns = ev->ts_ns;
	p->last_check_ns = ev->ts_ns;
	s->peers[pl].checks_sent++;
	int kept = -1;
	if (p->n_kept < RTCLAB_TL_PAIR_CHECKS) {
		kept = (int)p->n_kept;
		p->checks[p->n_kept++] = c;
	}
	if (c.request_auth == RTCLAB_TL_AUTH_UNKNOWN && !st->opts.no_integrity) {
		x->unverified++;
		park(tl, m, si, pi, kept, pr, signer, false);
	}
	t = txn_new(tl, m->transaction_id, TL_TXN_CHECK);
	t->sent_ns = t->last_tx_ns = ev->ts_ns;
	t->session = si;
	t->pair = pi;
	t->check = kept;
	t->responder = pr;
	t->signer = signer;
	t->gen = gen;
	txn_leg_seen(t, leg);

	/* Steps: every check of the handshake; after selection only the first
	 * consent check (RFC 7675 sends one every few seconds for the whole call). */
	char a1[RTCLAB_ADDR_STRLEN], a2[RTCLAB_ADDR_STRLEN];
	if (c.consent) {
		if (x->consent_step)
			return;
		x->consent_step = true;
		struct rtclab_tl_step *sp = tl_step(s, RTCLAB_STEP_CHECKS, RTCLAB_TL_EV_CONSENT, ev->ts_ns, ev->frame,
						    s->peers[pl].node, s->peers[pr].node);
		if (sp) {
			sp->pair = pi;
			tl_fmt(sp->what, sizeof sp->what, "consent check %s -> %s%s", tl_addr(lsrc, a1), tl_addr(ldst, a2),
				 via_words(leg->via));
			tl_fmt(sp->why, sizeof sp->why, TL_CONSENT_WHY, s->peers[pl].name, s->peers[pr].name);
		}
		return;
	}
	if (p->n_checks > RTCLAB_TL_PAIR_CHECKS)
		return;
	struct rtclab_tl_step *sp = tl_step(s, RTCLAB_STEP_CHECKS, RTCLAB_TL_EV_CHECK, ev->ts_ns, ev->frame,
					    s->peers[pl].node, s->peers[pr].node);
	if (!sp)
		return;
	sp->pair = pi;
	tl_fmt(sp->what, sizeof sp->what, "check %s -> %s%s%s%s", tl_addr(lsrc, a1), tl_addr(ldst, a2),
		 c.use_candidate ? " USE-CANDIDATE" : "",
		 c.role == RTCLAB_TL_CONTROLLING ? " (controlling)" : c.role == RTCLAB_TL_CONTROLLED ? " (controlled)" : "",
		 via_words(leg->via));
	tl_fmt(sp->why, sizeof sp->why, "%s",
		 c.use_candidate
			 ? "A connectivity check with USE-CANDIDATE: the controlling agent nominates this pair; once "
			   "it is answered, both sides send media over it (RFC 8445 8.1.1)."
			 : "A connectivity check: a STUN Binding request from one candidate to the other, signed with the "
			   "receiver's ice-pwd (USERNAME receiver:sender); an answer proves the path works both ways.");
}

static void check_response(struct rtclab_timeline *tl, const struct rtclab_event *ev, const struct rtclab_stun_msg *m,
			   struct tl_txn *t, const struct rtclab_addr *lsrc, const struct rtclab_addr *ldst)
{
	struct rtclab_timeline_state *st = tl->state;
	if (t->answered)
		return; /* the same response on another leg, or a retransmitted one */
	t->answered = true;
	struct rtclab_tl_session *s = tl->sessions[t->session];
	struct tl_session_x *x = st->sx[t->session];
	struct rtclab_tl_pair *p = &s->pairs[t->pair];
	struct rtclab_tl_check *c = t->check >= 0 ? &p->checks[t->check] : NULL;
	int requester = p->peer, responder = t->responder;
	enum rtclab_tl_auth auth = st->opts.no_integrity ? RTCLAB_TL_AUTH_UNKNOWN
							 : auth_of(m, signer_key(tl, t->session, responder, t->signer));
	count_auth(p, auth);
	if (auth == RTCLAB_TL_AUTH_UNKNOWN && !st->opts.no_integrity)
		park(tl, m, t->session, t->pair, t->check, responder, t->signer, true);
	const struct rtclab_stun_attr *e = find(m, RTCLAB_STUN_ATTR_ERROR_CODE);
	const struct rtclab_stun_attr *xm = find(m, RTCLAB_STUN_ATTR_XOR_MAPPED_ADDRESS);
	bool ok = m->cls == RTCLAB_STUN_SUCCESS;
	uint16_t code = e ? e->v.error.code : 0;
	int64_t rtt = ev->ts_ns - t->last_tx_ns;
	if (c) {
		c->result = ok ? RTCLAB_TL_SUCCESS : RTCLAB_TL_ERROR;
		c->error_code = code;
		c->response_frame = ev->frame;
		c->response_time_ns = ev->ts_ns;
		c->response_auth = auth;
		if (xm) {
			c->has_mapped = true;
			c->mapped = xm->v.addr;
		}
	}
	s->peers[requester].checks_answered++;
	/* a nomination in a new generation (after an ICE restart) nominates anew */
	bool nominate = ok && c && c->use_candidate &&
			(!p->nominated || !same_gen(x->px[t->pair].nominated_gen, t->gen));
	if (ok) {
		p->n_success++;
		if (p->rtt_ns < 0) {
			p->rtt_ns = rtt;
			p->success_ns = ev->ts_ns;
		}
		if (xm) { /* what the responder saw: the requester's reflexive address */
			struct tl_peer_x *rx = &x->peers[requester];
			bool known = false;
			for (size_t i = 0; i < rx->n_reflexive; i++)
				known |= same(&rx->reflexive[i], &xm->v.addr);
			if (!known && rx->n_reflexive < RTCLAB_TL_MAX_ENDPOINTS) {
				/* its base: the local address checked from, unless the
				 * request went out through TURN (then it is the relayed
				 * address the peer saw, its own base) */
				bool relayed = t->n_legs && t->legs[0].via != RTCLAB_TUNNEL_NONE;
				rx->reflexive_base[rx->n_reflexive] = relayed ? xm->v.addr : p->local;
				rx->reflexive_ns[rx->n_reflexive] = ev->ts_ns;
				rx->reflexive[rx->n_reflexive++] = xm->v.addr;
			}
		}
		consent_answered(&x->px[t->pair], ev->ts_ns);
		if (nominate) {
			p->nominated = true;
			p->nominated_ns = ev->ts_ns;
			x->checks_at_nomination = x->checks_total;
			x->px[t->pair].checks_before_nomination = x->checks_total - x->checks_gen_base;
			x->px[t->pair].gen_first_check_ns = x->first_check_ns;
			x->px[t->pair].nominated = true;
			x->px[t->pair].nominated_gen = t->gen;
			x->px[t->pair].has_nominated_mapped = xm != NULL;
			if (xm)
				x->px[t->pair].nominated_mapped = xm->v.addr;
			/* media is counted on the pair the address map holds: maybe the reverse one */
			int msi, mpi;
			if (pair_between(tl, &p->local, &p->remote, &msi, &mpi))
				st->sx[msi]->px[mpi].nominated = true;
		}
	} else {
		p->n_errors++;
		x->px[t->pair].n_role_conflicts += code == 487;
	}
	bool consent = c && c->consent;
	if (consent || (p->n_checks > RTCLAB_TL_PAIR_CHECKS && !nominate))
		return;
	char a1[RTCLAB_ADDR_STRLEN], a2[RTCLAB_ADDR_STRLEN];
	struct rtclab_tl_step *sp = tl_step(s, RTCLAB_STEP_CHECKS,
					    code == 487 ? RTCLAB_TL_EV_ROLE_CONFLICT
					    : nominate  ? RTCLAB_TL_EV_NOMINATION
							: RTCLAB_TL_EV_CHECK_RESPONSE,
					    ev->ts_ns, ev->frame, s->peers[responder].node, s->peers[requester].node);
	if (!sp)
		return;
	sp->pair = t->pair;
	if (ok)
		tl_fmt(sp->what, sizeof sp->what, "%s %s -> %s, mapped %s, rtt %.1f ms",
			 nominate ? "nominated: success" : "success", tl_addr(lsrc, a1), tl_addr(ldst, a2),
			 xm ? tl_addr(&xm->v.addr, (char[RTCLAB_ADDR_STRLEN]){0}) : "-", (double)rtt / 1e6);
	else
		tl_fmt(sp->what, sizeof sp->what, "error %u %s -> %s", code, tl_addr(lsrc, a1), tl_addr(ldst, a2));
	if (code == 487)
		tl_fmt(sp->why, sizeof sp->why,
			 "487 Role Conflict: both agents thought they were controlling (or both controlled); the one with "
			 "the smaller tie-breaker switches role and checks again (RFC 8445 7.3.1.1).");
	else if (nominate)
		tl_fmt(sp->why, sizeof sp->why,
			 "The nominating check was answered: this pair is selected, and DTLS and media can flow over it "
			 "(RFC 8445 8.1.1).");
	else if (ok)
		tl_fmt(sp->why, sizeof sp->why, TL_CHECK_SUCCESS_WHY, s->peers[requester].name, s->peers[responder].name);
	else
		tl_fmt(sp->why, sizeof sp->why,
			 "An error response: the check failed (400 bad request, 401 wrong credentials), so this pair "
			 "fails.");
}

/* A response whose request is not in the capture (it started late, or
 * holds one direction only): counted on a pair found by its addresses. */
static void orphan_response(struct rtclab_timeline *tl, const struct rtclab_event *ev, const struct rtclab_stun_msg *m,
			    const struct rtclab_addr *lsrc, const struct rtclab_addr *ldst)
{
	struct rtclab_timeline_state *st = tl->state;
	/* A check's response carries MESSAGE-INTEGRITY (short-term credentials,
	 * RFC 8489 9.1.4, RFC 8445 7.3); a STUN server's Binding response has
	 * none.  Without this, a server's answer to a request the capture missed
	 * made the server an endpoint of peer B and a pair with it. */
	if (m->integrity_offset == SIZE_MAX && m->integrity_sha256_offset == SIZE_MAX)
		return;
	struct tl_map_entry *e = tl_map_find(&st->endpoints, ldst, NULL);
	if (!e)
		return;
	int si = e->v1, requester = e->v2;
	struct rtclab_tl_session *s = tl->sessions[si];
	st->sx[si]->orphan_responses++;
	int pi = pair_find_or_add(tl, si, requester, ldst, lsrc, ev->l4);
	if (pi < 0)
		return;
	tl_peer_endpoint(tl, si, 1 - requester, lsrc, ev->ts_ns, ev->frame);
	if (m->cls == RTCLAB_STUN_SUCCESS)
		s->pairs[pi].n_success++;
	else
		s->pairs[pi].n_errors++;
}

static void on_stun(struct rtclab_timeline *tl, const struct rtclab_event *ev, const struct rtclab_stun_msg *m,
		    const struct rtclab_addr *lsrc, const struct rtclab_addr *ldst, enum rtclab_tunnel_via via)
{
	struct rtclab_timeline_state *st = tl->state;
	if (!m->magic_cookie)
		return; /* RFC 3489 classic STUN: no ICE */
	struct tl_leg leg = {ev->src, ev->dst, via};
	if (m->cls == RTCLAB_STUN_REQUEST) {
		if (m->method == RTCLAB_STUN_BINDING && find(m, RTCLAB_STUN_ATTR_USERNAME))
			check_request(tl, ev, m, lsrc, ldst, &leg);
		else if (via == RTCLAB_TUNNEL_NONE &&
			 (m->method == RTCLAB_STUN_BINDING || m->method == RTCLAB_STUN_ALLOCATE ||
			  m->method == RTCLAB_STUN_REFRESH || m->method == RTCLAB_STUN_CREATE_PERMISSION ||
			  m->method == RTCLAB_STUN_CHANNEL_BIND))
			server_request(tl, ev, m);
		return;
	}
	if (m->cls != RTCLAB_STUN_SUCCESS && m->cls != RTCLAB_STUN_ERROR)
		return;
	struct tl_txn *t = txn_find(st, m->transaction_id);
	if (!t) {
		if (m->method == RTCLAB_STUN_BINDING)
			orphan_response(tl, ev, m, lsrc, ldst);
		return;
	}
	if (t->kind == TL_TXN_CHECK)
		check_response(tl, ev, m, t, lsrc, ldst);
	else if (t->kind == TL_TXN_SERVER)
		server_response(tl, ev, m, t);
}

/* --- DTLS and media ------------------------------------------------------------------ */

/* The pair (of any session) between these two addresses. */
static bool pair_between(struct rtclab_timeline *tl, const struct rtclab_addr *x, const struct rtclab_addr *y, int *si,
			 int *pi)
{
	/* media comes in long runs on one pair: remember the last two answers
	 * (one per direction); an address pair, once mapped, keeps its entry */
	struct rtclab_timeline_state *st = tl->state;
	for (int k = 0; k < 2; k++) {
		const struct tl_pair_cache *c = &st->pcache[k];
		if (c->valid && same(&c->x, x) && same(&c->y, y)) {
			*si = c->si;
			*pi = c->pi;
			return true;
		}
	}
	const struct rtclab_addr *lo, *hi;
	ordered(x, y, &lo, &hi);
	struct tl_map_entry *e = tl_map_find(&st->pairs, lo, hi);
	if (!e)
		return false;
	*si = e->v1;
	*pi = e->v2;
	struct tl_pair_cache *c = &st->pcache[st->pcache_next];
	st->pcache_next ^= 1;
	c->valid = true;
	c->x = *x;
	c->y = *y;
	c->si = e->v1;
	c->pi = e->v2;
	return true;
}

/* A DTLS step between the two peers (-1: not known); what is a format. */
static void dtls_step(struct rtclab_tl_session *s, const struct rtclab_event *ev, int from, int to, const char *why,
		      const char *what, ...) __attribute__((format(printf, 6, 7)));

static void dtls_step(struct rtclab_tl_session *s, const struct rtclab_event *ev, int from, int to, const char *why,
		      const char *what, ...)
{
	struct rtclab_tl_step *sp = tl_step(s, RTCLAB_STEP_CHECKS, RTCLAB_TL_EV_DTLS, ev->ts_ns, ev->frame,
					    from >= 0 ? s->peers[from].node : -1, to >= 0 ? s->peers[to].node : -1);
	if (!sp)
		return;
	va_list ap;
	va_start(ap, what);
	vsnprintf(sp->what, sizeof sp->what, what, ap);
	va_end(ap);
	tl_fmt(sp->why, sizeof sp->why, "%s", why);
}

static void on_dtls(struct rtclab_timeline *tl, const struct rtclab_event *ev, const struct rtclab_dtls *d,
		    const struct rtclab_addr *lsrc, const struct rtclab_addr *ldst, int si)
{
	struct rtclab_tl_session *s = tl->sessions[si];
	struct tl_session_x *x = tl->state->sx[si];
	struct rtclab_tl_dtls *dt = &s->dtls;
	struct tl_map_entry *es = tl_map_find(&tl->state->endpoints, lsrc, NULL);
	struct tl_map_entry *ed = tl_map_find(&tl->state->endpoints, ldst, NULL);
	int from = es && es->v1 == si ? es->v2 : -1, to = ed && ed->v1 == si ? ed->v2 : -1;
	for (size_t i = 0; i < d->n_records; i++) {
		const struct rtclab_dtls_record *r = &d->records[i];
		for (size_t h = 0; h < r->n_handshakes; h++) {
			uint8_t type = r->handshakes[h].type;
			if (type == 1 && !dt->seen) { /* ClientHello */
				dt->seen = true;
				dt->client = *lsrc;
				dt->server = *ldst;
				dt->client_peer = from;
				dt->server_peer = to;
				dt->client_hello_frame = ev->frame;
				dt->start_ns = ev->ts_ns;
				x->dtls_hello[0] = true;
				dtls_step(s, ev, from, to,
					  "On the selected pair the DTLS client starts the handshake that checks the "
					  "certificate fingerprints of the SDP and derives the SRTP keys (RFC 5763).",
					  "DTLS ClientHello");
			} else if (type == 2 && dt->seen && !x->dtls_hello[1] && same(lsrc, &dt->server)) {
				x->dtls_hello[1] = true;
				dtls_step(s, ev, from, to,
					  "The DTLS server answers with its certificate; each side compares the other's "
					  "certificate with the a=fingerprint of its description.",
					  "DTLS ServerHello");
			}
		}
		if (!dt->seen || dt->completed)
			continue;
		bool enc = r->encrypted || r->content_type == RTCLAB_DTLS_CHANGE_CIPHER_SPEC;
		if (enc && same(lsrc, &dt->client))
			x->dtls_encrypted[0] = true;
		if (enc && same(lsrc, &dt->server))
			x->dtls_encrypted[1] = true;
		if (x->dtls_encrypted[0] && x->dtls_encrypted[1]) {
			dt->completed = true;
			dt->done_ns = ev->ts_ns;
			dtls_step(s, ev, from, to,
				  "Both sides now send encrypted records: the keys are agreed, and SRTP media or SCTP "
				  "data channel messages follow.",
				  "DTLS handshake done (%.1f ms)", (double)(ev->ts_ns - dt->start_ns) / 1e6);
		}
	}
}

static void on_media(struct rtclab_timeline *tl, const struct rtclab_event *ev, const struct rtclab_demux_result *r,
		     const struct rtclab_addr *lsrc, const struct rtclab_addr *ldst, enum rtclab_tunnel_via via, int si,
		     int pi)
{
	struct rtclab_tl_session *s = tl->sessions[si];
	struct tl_session_x *x = tl->state->sx[si];
	struct rtclab_tl_pair *p = &s->pairs[pi];
	struct tl_pair_x *px = &x->px[pi];
	int dir = same(lsrc, &p->local) && !same(ldst, &p->local) ? 0 : 1;
	struct tl_leg leg = {ev->src, ev->dst, via};
	if (!px->leg_locked[dir]) {
		px->leg_locked[dir] = true;
		px->leg[dir] = leg;
	} else if (!same(&px->leg[dir].src, &leg.src) || !same(&px->leg[dir].dst, &leg.dst)) {
		return; /* the same packet on another leg of a relayed path */
	}
	px->packets[dir]++;
	px->bytes[dir] += r->bytes.len;
	px->rtp += r->proto == RTCLAB_DEMUX_RTP;
	px->rtcp += r->proto == RTCLAB_DEMUX_RTCP;
	px->channeldata += via == RTCLAB_TUNNEL_CHANNELDATA;
	if (!px->first_ns)
		px->first_ns = ev->ts_ns;
	px->last_ns = ev->ts_ns;
	if (px->nominated)
		px->media_after_nomination++;
	bool app = r->proto == RTCLAB_DEMUX_DTLS;
	if (app)
		px->dtls_app++;
	/* the first media or data-channel packet in each direction is a step */
	int from = p->peer, to = 1 - p->peer;
	if (dir == 1) {
		from = 1 - p->peer;
		to = p->peer;
	}
	int sd = from == 0 ? 0 : 1;
	if (x->media_step[sd] || !px->nominated)
		return;
	if (!(r->proto == RTCLAB_DEMUX_RTP || r->proto == RTCLAB_DEMUX_RTCP ||
	      (app && r->u.dtls.n_records && r->u.dtls.records[0].content_type == RTCLAB_DTLS_APPLICATION_DATA)))
		return;
	x->media_step[sd] = true;
	struct rtclab_tl_step *sp = tl_step(s, RTCLAB_STEP_CHECKS, RTCLAB_TL_EV_MEDIA, ev->ts_ns, ev->frame,
					    s->peers[from].node, s->peers[to].node);
	if (!sp)
		return;
	const char *what = r->proto == RTCLAB_DEMUX_RTP ? "SRTP media" : r->proto == RTCLAB_DEMUX_RTCP ? "SRTCP"
											    : "data channel (DTLS application data: SCTP)";
	tl_fmt(sp->what, sizeof sp->what, "first %s %s -> %s%s", what, s->peers[from].name, s->peers[to].name,
		 via_words(via));
	tl_fmt(sp->why, sizeof sp->why,
		 "The connection carries the application now: media is SRTP keyed by DTLS, data channels are SCTP "
		 "inside DTLS, all over the selected pair.");
}

/* Two ice-lite agents send no check (RFC 8445 8.2): each pairs its
 * candidates with the other's of the same address family and, with one
 * pair, uses it at once.  The first DTLS or media packet between a
 * candidate of one lite peer of a session and one of the other is that
 * pair: it is taken as nominated (valid and selected) from then on. */
static bool lite_pair(struct rtclab_timeline *tl, const struct rtclab_event *ev, const struct rtclab_addr *src,
		      const struct rtclab_addr *dst, int *si, int *pi)
{
	if (!tl->state->lite_sessions)
		return false;
	for (size_t i = tl->n_sessions; i-- > 0;) {
		struct rtclab_tl_session *s = tl->sessions[i];
		if (!s->peers[0].ice_lite || !s->peers[1].ice_lite)
			continue;
		for (int p = 0; p < 2; p++) {
			if (tl_candidate_find(s, p, src) < 0 || tl_candidate_find(s, 1 - p, dst) < 0)
				continue;
			int k = pair_find_or_add(tl, (int)i, p, src, dst, RTCLAB_L4_UDP);
			if (k < 0)
				return false;
			struct tl_pair_x *px = &tl->state->sx[i]->px[k];
			s->pairs[k].nominated = true;
			s->pairs[k].nominated_ns = ev->ts_ns;
			px->nominated = px->lite = true;
			px->nominated_gen = -1;
			tl_peer_endpoint(tl, (int)i, p, src, ev->ts_ns, ev->frame);
			tl_peer_endpoint(tl, (int)i, 1 - p, dst, ev->ts_ns, ev->frame);
			char a1[RTCLAB_ADDR_STRLEN], a2[RTCLAB_ADDR_STRLEN];
			struct rtclab_tl_step *sp = tl_step(s, RTCLAB_STEP_CHECKS, RTCLAB_TL_EV_NOTE, ev->ts_ns, ev->frame,
							    s->peers[p].node, s->peers[1 - p].node);
			if (sp) {
				sp->pair = k;
				tl_fmt(sp->what, sizeof sp->what, "pair %s -> %s, used without checks (both ice-lite)",
				       tl_addr(src, a1), tl_addr(dst, a2));
				tl_fmt(sp->why, sizeof sp->why,
				       "Both agents are ice-lite, so neither sends a connectivity check: each pairs its "
				       "host candidate with the other's of the same address family and sends over it at "
				       "once (RFC 8445 8.2).");
			}
			*si = (int)i;
			*pi = k;
			return true;
		}
	}
	return false;
}

static void on_result(struct rtclab_timeline *tl, const struct rtclab_event *ev, const struct rtclab_demux_result *r,
		      const struct rtclab_addr *lsrc, const struct rtclab_addr *ldst, enum rtclab_tunnel_via via)
{
	switch (r->proto) {
	case RTCLAB_DEMUX_STUN:
		on_stun(tl, ev, &r->u.stun, lsrc, ldst, via);
		return;
	case RTCLAB_DEMUX_DTLS:
	case RTCLAB_DEMUX_RTP:
	case RTCLAB_DEMUX_RTCP: {
		int si, pi;
		if (!pair_between(tl, lsrc, ldst, &si, &pi) && !lite_pair(tl, ev, lsrc, ldst, &si, &pi))
			return;
		if (r->proto == RTCLAB_DEMUX_DTLS)
			on_dtls(tl, ev, &r->u.dtls, lsrc, ldst, si);
		on_media(tl, ev, r, lsrc, ldst, via, si, pi);
		return;
	}
	default:
		return;
	}
}

static void on_datagram(struct rtclab_timeline *tl, const struct rtclab_event *ev)
{
	const struct rtclab_demux *d = ev->demux;
	tl->datagrams++;
	if (d->via == RTCLAB_TUNNEL_NONE) {
		on_result(tl, ev, &d->outer, &ev->src, &ev->dst, RTCLAB_TUNNEL_NONE);
		return;
	}
	/* The outer message is TURN's business (a Send/Data indication or
	 * ChannelData); what it carries goes between the relayed address and
	 * the peer. */
	struct rtclab_addr lsrc, ldst;
	tunnel_ends(tl->state, ev, d, &lsrc, &ldst);
	on_result(tl, ev, &d->inner, &lsrc, &ldst, d->via);
}

static void on_stream_note(struct rtclab_timeline *tl, const struct rtclab_event *ev)
{
	struct rtclab_timeline_state *st = tl->state;
	if (ev->note != RTCLAB_NOTE_UNDECODED || ev->stream_kind != RTCLAB_STREAM_TLS || ev->dir != 0)
		return;
	for (size_t i = 0; i < st->n_tls; i++)
		if (same(&st->tls[i].server, &ev->server) && rtclab_addr_equal(&st->tls[i].client, &ev->client))
			return;
	if (st->n_tls < TL_MAX_TLS) {
		st->tls[st->n_tls].client = ev->client;
		st->tls[st->n_tls++].server = ev->server;
	}
}

static void on_http(struct rtclab_timeline *tl, const struct rtclab_event *ev)
{
	struct rtclab_timeline_state *st = tl->state;
	if (!ev->http || !ev->http->websocket || ev->http->is_request)
		return;
	for (size_t i = 0; i < st->n_conns; i++)
		if (st->conns[i].stream_id == ev->stream_id)
			return;
	if (st->n_conns >= TL_MAX_CONNS)
		return;
	struct tl_conn *c = &st->conns[st->n_conns++];
	memset(c, 0, sizeof *c);
	c->stream_id = ev->stream_id;
	c->client = ev->client;
	c->server = ev->server;
	c->upgrade_ns = ev->ts_ns;
	c->upgrade_frame = ev->frame;
	c->upgraded = true;
}

void rtclab_timeline_event(void *arg, const struct rtclab_event *ev)
{
	struct rtclab_timeline *tl = arg;
	if (tl->state->finished)
		return;
	tl->events++;
	tl->state->now_ns = ev->ts_ns;
	if (ev->ts_ns < tl->first_ns || !tl->first_ns)
		tl->first_ns = ev->ts_ns;
	if (ev->ts_ns > tl->last_ns)
		tl->last_ns = ev->ts_ns;
	switch (ev->kind) {
	case RTCLAB_EVENT_DATAGRAM:
		on_datagram(tl, ev);
		break;
	case RTCLAB_EVENT_SIGNAL:
		tl->signals++;
		tl_on_signal(tl, ev);
		break;
	case RTCLAB_EVENT_HTTP:
		on_http(tl, ev);
		break;
	case RTCLAB_EVENT_STREAM:
		on_stream_note(tl, ev);
		break;
	default:
		break;
	}
}

void rtclab_timeline_nat(struct rtclab_timeline *tl, int64_t ts_ns, const char *nat_name,
			 const struct rtclab_nat_decision *d)
{
	struct rtclab_timeline_state *st = tl->state;
	switch (d->kind) {
	case RTCLAB_NAT_MAPPING_CREATED:
	case RTCLAB_NAT_MAPPING_EXPIRED:
	case RTCLAB_NAT_INBOUND_FILTERED:
	case RTCLAB_NAT_HAIRPINNED:
	case RTCLAB_NAT_FIREWALL_DROPPED:
		break;
	default:
		return; /* every packet's translation and refresh: too many to tell */
	}
	/* the first of each kind between the same two addresses */
	for (size_t i = st->n_nats; i-- > 0 && st->n_nats - i <= 256;) {
		const struct tl_nat *o = &st->nats[i];
		if (o->d.kind == d->kind && rtclab_addr_equal(&o->d.inside, &d->inside) &&
		    rtclab_addr_equal(&o->d.outside, &d->outside) && strcmp(o->name, nat_name ? nat_name : "") == 0)
			return;
	}
	if (st->n_nats >= TL_MAX_NATS ||
	    !grow((void **)&st->nats, &st->cap_nats, st->n_nats + 1, sizeof *st->nats)) {
		st->nats_dropped++;
		return;
	}
	struct tl_nat *n = &st->nats[st->n_nats++];
	snprintf(n->name, sizeof n->name, "%s", nat_name ? nat_name : "NAT");
	n->time_ns = ts_ns;
	n->d = *d;
}

void rtclab_timeline_advance(struct rtclab_timeline *tl, int64_t ts_ns)
{
	if (ts_ns > tl->state->now_ns)
		tl->state->now_ns = ts_ns;
	if (ts_ns > tl->last_ns)
		tl->last_ns = ts_ns;
}

/* --- life cycle ------------------------------------------------------------------------ */

struct rtclab_timeline *rtclab_timeline_new(const struct rtclab_timeline_options *opts)
{
	struct rtclab_timeline *tl = calloc(1, sizeof *tl);
	struct rtclab_timeline_state *st = calloc(1, sizeof *st);
	struct tl_txn *txns = calloc(TL_TXN_SLOTS, sizeof *txns);
	if (!tl || !st || !txns) {
		free(tl);
		free(st);
		free(txns);
		return NULL;
	}
	if (opts)
		st->opts = *opts;
	st->txns = txns;
	tl->state = st;
	return tl;
}

static void session_free(struct rtclab_tl_session *s, struct tl_session_x *x)
{
	if (s) {
		free(s->candidates);
		free(s->pairs);
		free(s->steps);
		free(s);
	}
	if (x) {
		free(x->px);
		free(x);
	}
}

void rtclab_timeline_free(struct rtclab_timeline *tl)
{
	if (!tl)
		return;
	struct rtclab_timeline_state *st = tl->state;
	for (size_t i = 0; i < tl->n_sessions; i++)
		session_free(tl->sessions[i], st ? st->sx[i] : NULL);
	free(tl->sessions);
	if (st) {
		for (size_t i = 0; i < st->n_parked; i++)
			free(st->parked[i]);
		free(st->parked);
		free(st->sx);
		free(st->txns);
		free(st->gathers);
		free(st->alloc);
		free(st->ufrags);
		free(st->nats);
		tl_map_free(&st->allocs);
		tl_map_free(&st->endpoints);
		tl_map_free(&st->mapped);
		tl_map_free(&st->pairs);
		free(st);
	}
	free(tl);
}

/* Settle the transactions still open: a check is a timeout when the input
 * went on long enough after it, else it had no response in the capture. */
static void settle_transactions(struct rtclab_timeline *tl)
{
	struct rtclab_timeline_state *st = tl->state;
	for (size_t i = 0; i < TL_TXN_SLOTS; i++)
		if (st->txns[i].kind == TL_TXN_CHECK && !st->txns[i].answered)
			txn_expire(tl, &st->txns[i]);
}

void rtclab_timeline_finish(struct rtclab_timeline *tl)
{
	if (tl->state->finished)
		return;
	settle_transactions(tl);
	tl_verify_parked(tl);
	tl_finish(tl);
	tl->state->finished = true;
}
