/* ICE numbers and the check list (RFC 8445): candidate priority (5.1.2),
 * pair priority (6.1.2.3), check list formation (6.1.2.2), pruning
 * (6.1.2.4), the limit (6.1.2.5) and initial states (6.1.2.6).  TCP
 * candidates pair as RFC 6544 6.2 says.
 *
 * No allocation.  When out has room for every pair (n_local x n_remote),
 * the pairs are sorted there (heapsort); otherwise the check list is walked
 * in order by searching the pairs again for the next one each time, which
 * takes time quadratic in the number of pairs but no memory.
 */
#include "rtclab/ice.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* --- text building --------------------------------------------------------------- */

struct text {
	char *buf;
	size_t cap, n; /* n counts every byte, written or not */
};

static void addf(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void addf(struct text *t, const char *fmt, ...)
{
	va_list ap;
	size_t room = t->n < t->cap ? t->cap - t->n : 0;
	va_start(ap, fmt);
	int k = vsnprintf(room ? t->buf + t->n : NULL, room, fmt, ap);
	va_end(ap);
	if (k > 0)
		t->n += (size_t)k;
}

/* --- candidate priority (RFC 8445 5.1.2) ------------------------------------------ */

unsigned rtclab_ice_type_preference(enum rtclab_cand_type t)
{
	switch (t) { /* 5.1.2.2 */
	case RTCLAB_CAND_HOST:
		return 126;
	case RTCLAB_CAND_PRFLX:
		return 110;
	case RTCLAB_CAND_SRFLX:
		return 100;
	case RTCLAB_CAND_RELAY:
		return 0;
	}
	return 0;
}

uint32_t rtclab_ice_priority(unsigned type_pref, unsigned local_pref, unsigned component)
{
	/* 5.1.2.1: (2^24)*(type preference) + (2^8)*(local preference) + (2^0)*(256 - component ID) */
	return (uint32_t)(type_pref & 0xFF) << 24 | (uint32_t)(local_pref & 0xFFFF) << 8 |
	       (uint32_t)((256 - component) & 0xFF);
}

struct rtclab_ice_priority_parts rtclab_ice_priority_split(uint32_t priority)
{
	struct rtclab_ice_priority_parts p;
	p.type_pref = priority >> 24;
	p.local_pref = (priority >> 8) & 0xFFFF;
	p.component = 256 - (priority & 0xFF);
	return p;
}

/* " (host)" after a recommended type preference. */
static const char *type_label(unsigned type_pref)
{
	switch (type_pref) {
	case 126:
		return " (host)";
	case 110:
		return " (prflx)";
	case 100:
		return " (srflx)";
	case 0:
		return " (relay)";
	}
	return "";
}

static void explain_type_pref(struct text *t, unsigned type_pref)
{
	static const char *const names[] = {"host", "peer-reflexive", "server-reflexive", "relayed"};
	static const unsigned prefs[] = {126, 110, 100, 0};
	for (size_t i = 0; i < sizeof prefs / sizeof prefs[0]; i++)
		if (prefs[i] == type_pref) {
			addf(t, " Type preference %u is the value RFC 8445 5.1.2.2 recommends for %s candidates.",
			     type_pref, names[i]);
			return;
		}
	if (type_pref > 126)
		addf(t, " Type preference %u breaks RFC 8445 5.1.2.1, which allows 0 to 126.", type_pref);
	else
		addf(t, " Type preference %u is not one of the values RFC 8445 5.1.2.2 recommends (host 126, "
		     "prflx 110, srflx 100, relay 0); an agent may choose others, one per candidate type.", type_pref);
}

size_t rtclab_ice_priority_explain(uint32_t priority, char *buf, size_t len)
{
	struct text t = {buf, len, 0};
	struct rtclab_ice_priority_parts p = rtclab_ice_priority_split(priority);
	if (len > 0)
		buf[0] = '\0';
	addf(&t, "%lu = type preference %u%s x 2^24 + local preference %u x 2^8 + (256 - component %u).",
	     (unsigned long)priority, p.type_pref, type_label(p.type_pref), p.local_pref, p.component);
	explain_type_pref(&t, p.type_pref);
	addf(&t, " Local preference %u ranks the agent's own candidates of one type, for example one per "
	     "network interface or IP family; 65535 is the highest.", p.local_pref);
	if (p.component == 1)
		addf(&t, " Component 1 is RTP (and RTCP too, with rtcp-mux).");
	else if (p.component == 2)
		addf(&t, " Component 2 is RTCP on its own port.");
	else
		addf(&t, " Component %u.", p.component);
	return t.n;
}

/* --- pair priority (RFC 8445 6.1.2.3) --------------------------------------------- */

uint64_t rtclab_ice_pair_priority(uint32_t controlling, uint32_t controlled)
{
	uint64_t g = controlling, d = controlled;
	uint64_t lo = g < d ? g : d, hi = g < d ? d : g;
	/* 2^32*MIN(G,D) + 2*MAX(G,D) + (G>D?1:0) */
	return (lo << 32) + 2 * hi + (g > d ? 1 : 0);
}

size_t rtclab_ice_pair_priority_explain(uint32_t controlling, uint32_t controlled, char *buf, size_t len)
{
	struct text t = {buf, len, 0};
	uint32_t lo = controlling < controlled ? controlling : controlled;
	uint32_t hi = controlling < controlled ? controlled : controlling;
	if (len > 0)
		buf[0] = '\0';
	addf(&t, "%llu = 2^32 x MIN(G,D) + 2 x MAX(G,D) + (G > D ? 1 : 0) = 2^32 x %lu + 2 x %lu + %d, with G = %lu "
	     "the controlling agent's candidate priority and D = %lu the controlled agent's. The smaller "
	     "priority dominates, so a pair is only as good as its weaker candidate; the last term tells "
	     "apart two pairs whose priorities are swapped.",
	     (unsigned long long)rtclab_ice_pair_priority(controlling, controlled), (unsigned long)lo,
	     (unsigned long)hi, controlling > controlled ? 1 : 0, (unsigned long)controlling,
	     (unsigned long)controlled);
	return t.n;
}

const char *rtclab_ice_pair_state_name(enum rtclab_ice_pair_state s)
{
	switch (s) { /* 6.1.2.6 */
	case RTCLAB_PAIR_FROZEN:
		return "Frozen";
	case RTCLAB_PAIR_WAITING:
		return "Waiting";
	case RTCLAB_PAIR_IN_PROGRESS:
		return "In-Progress";
	case RTCLAB_PAIR_SUCCEEDED:
		return "Succeeded";
	case RTCLAB_PAIR_FAILED:
		return "Failed";
	}
	return "unknown";
}

const char *rtclab_ice_prune_str(enum rtclab_ice_prune p)
{
	switch (p) {
	case RTCLAB_PRUNE_NONE:
		return "in the check list";
	case RTCLAB_PRUNE_COMPONENT:
		return "different components: ICE pairs a local and a remote candidate only when they belong to the "
		       "same component (RFC 8445 6.1.2.2)";
	case RTCLAB_PRUNE_FAMILY:
		return "IPv4 with IPv6: both candidates of a pair must have addresses of the same family "
		       "(RFC 8445 6.1.2.2)";
	case RTCLAB_PRUNE_TRANSPORT:
		return "the transports cannot connect: UDP pairs only with UDP, and a TCP candidate that is active "
		       "only with a passive one, passive with active, so with so (RFC 6544 6.2)";
	case RTCLAB_PRUNE_REDUNDANT:
		return "a reflexive local candidate is replaced by its base, since checks leave from the base; this "
		       "pair then has the same local base and remote candidate as a pair of higher priority, so "
		       "checking it would repeat that check (RFC 8445 6.1.2.4)";
	case RTCLAB_PRUNE_LIMIT:
		return "beyond the check list limit: an agent keeps only so many pairs (RFC 8445 6.1.2.5 suggests "
		       "100) and drops those of lowest priority";
	case RTCLAB_PRUNE_UNRESOLVED:
		return "the address is a host name (an FQDN, or an mDNS .local name that a browser uses to hide its "
		       "private IP): an agent must resolve it first, and ignores it otherwise (RFC 8839 5.1); "
		       "rtclab works offline and cannot resolve it, so it cannot pair it";
	}
	return "unknown reason";
}

/* --- the check list (RFC 8445 6.1.2) ----------------------------------------------- */

struct ctx {
	const struct rtclab_candidate *local, *remote;
	size_t n_local, n_remote;
	bool controlling;
	size_t limit;
};

struct pair_ref {
	size_t l, r;
	uint64_t prio;
};

static struct pair_ref make_ref(const struct ctx *x, size_t l, size_t r)
{
	struct pair_ref p = {l, r, 0};
	uint32_t lp = x->local[l].priority, rp = x->remote[r].priority;
	p.prio = x->controlling ? rtclab_ice_pair_priority(lp, rp) : rtclab_ice_pair_priority(rp, lp);
	return p;
}

/* Check list order: priority, then the input order as the stable tie rule. */
static bool before(const struct pair_ref *a, const struct pair_ref *b)
{
	if (a->prio != b->prio)
		return a->prio > b->prio;
	if (a->l != b->l)
		return a->l < b->l;
	return a->r < b->r;
}

static bool is_name(const struct rtclab_candidate *c)
{
	return c->address_kind == RTCLAB_CAND_ADDR_FQDN || c->address_kind == RTCLAB_CAND_ADDR_MDNS;
}

/* RFC 6544 6.2: active with passive, passive with active, S-O with S-O. */
static bool tcp_can_connect(enum rtclab_tcptype a, enum rtclab_tcptype b)
{
	return (a == RTCLAB_TCPTYPE_ACTIVE && b == RTCLAB_TCPTYPE_PASSIVE) ||
	       (a == RTCLAB_TCPTYPE_PASSIVE && b == RTCLAB_TCPTYPE_ACTIVE) ||
	       (a == RTCLAB_TCPTYPE_SO && b == RTCLAB_TCPTYPE_SO);
}

/* 6.1.2.2: the pairs that can be formed at all. */
static enum rtclab_ice_prune basic_prune(const struct ctx *x, size_t l, size_t r)
{
	const struct rtclab_candidate *a = &x->local[l], *b = &x->remote[r];
	if (a->component != b->component)
		return RTCLAB_PRUNE_COMPONENT;
	if (a->transport != b->transport ||
	    (a->transport == RTCLAB_CAND_TCP && !tcp_can_connect(a->tcptype, b->tcptype)))
		return RTCLAB_PRUNE_TRANSPORT;
	if (is_name(a) || is_name(b))
		return RTCLAB_PRUNE_UNRESOLVED;
	if (a->ip.family != b->ip.family)
		return RTCLAB_PRUNE_FAMILY;
	return RTCLAB_PRUNE_NONE;
}

static bool unspecified(const struct rtclab_addr *a)
{
	size_t n = a->family == RTCLAB_FAMILY_IPV4 ? 4 : 16;
	for (size_t i = 0; i < n; i++)
		if (a->ip[i])
			return false;
	return true;
}

/* A reflexive candidate whose raddr/rport name its base (6.1.2.4). */
static bool has_known_base(const struct rtclab_candidate *c)
{
	return (c->type == RTCLAB_CAND_SRFLX || c->type == RTCLAB_CAND_PRFLX) && c->has_raddr && c->has_rport &&
	       c->raddr_ip.family != RTCLAB_FAMILY_NONE && !unspecified(&c->raddr_ip);
}

static struct rtclab_addr base_of(const struct rtclab_candidate *c)
{
	struct rtclab_addr a = has_known_base(c) ? c->raddr_ip : c->ip;
	a.port = has_known_base(c) ? c->rport : c->port;
	return a;
}

static struct rtclab_addr address_of(const struct rtclab_candidate *c)
{
	struct rtclab_addr a = c->ip;
	a.port = c->port;
	return a;
}

static bool same_kind(const struct rtclab_candidate *a, const struct rtclab_candidate *b)
{
	return a->component == b->component && a->transport == b->transport && a->tcptype == b->tcptype;
}

/* Two pairs with the same local base and the same remote candidate. */
static bool duplicates(const struct ctx *x, const struct pair_ref *p, const struct pair_ref *q)
{
	const struct rtclab_candidate *lp = &x->local[p->l], *lq = &x->local[q->l];
	const struct rtclab_candidate *rp = &x->remote[p->r], *rq = &x->remote[q->r];
	if (p->r != q->r) { /* the same remote candidate, or one with the same address */
		struct rtclab_addr ap = address_of(rp), aq = address_of(rq);
		if (rp->port != rq->port || !same_kind(rp, rq) || !rtclab_addr_equal(&ap, &aq))
			return false;
	}
	struct rtclab_addr bp = base_of(lp), bq = base_of(lq);
	return same_kind(lp, lq) && rtclab_addr_equal(&bp, &bq);
}

/* 6.1.2.4: a pair that duplicates a formed pair of higher priority. */
static bool redundant(const struct ctx *x, const struct pair_ref *p)
{
	for (size_t l = 0; l < x->n_local; l++)
		for (size_t r = 0; r < x->n_remote; r++) {
			struct pair_ref q = make_ref(x, l, r);
			if (before(&q, p) && basic_prune(x, l, r) == RTCLAB_PRUNE_NONE && duplicates(x, p, &q))
				return true;
		}
	return false;
}

/* The first pair after *after (from the start when NULL) in check list
 * order; only pairs that can be formed when formed_only. */
static bool next_in_order(const struct ctx *x, const struct pair_ref *after, bool formed_only, struct pair_ref *out)
{
	bool found = false;
	for (size_t l = 0; l < x->n_local; l++)
		for (size_t r = 0; r < x->n_remote; r++) {
			struct pair_ref q = make_ref(x, l, r);
			if ((after && !before(after, &q)) || (found && !before(&q, out)))
				continue;
			if (formed_only && basic_prune(x, l, r) != RTCLAB_PRUNE_NONE)
				continue;
			*out = q;
			found = true;
		}
	return found;
}

/* The kept pairs one after the other: formed, not redundant, within the limit. */
struct kept_iter {
	struct pair_ref cur;
	size_t rank; /* kept pairs returned so far */
	bool started, done;
};

static bool kept_next(const struct ctx *x, struct kept_iter *it)
{
	struct pair_ref p, after;
	if (it->done || it->rank >= x->limit)
		return false;
	bool have = next_in_order(x, it->started ? &it->cur : NULL, true, &p);
	while (have && redundant(x, &p)) {
		after = p;
		have = next_in_order(x, &after, true, &p);
	}
	it->started = true;
	if (!have) {
		it->done = true;
		return false;
	}
	it->cur = p;
	it->rank++;
	return true;
}

static void write_pair(const struct ctx *x, struct rtclab_ice_pair *o, const struct pair_ref *p,
		       enum rtclab_ice_prune why)
{
	const struct rtclab_candidate *a = &x->local[p->l], *b = &x->remote[p->r];
	memset(o, 0, sizeof *o);
	o->local = p->l;
	o->remote = p->r;
	o->priority = p->prio;
	o->state = RTCLAB_PAIR_FROZEN;
	o->pruned = why;
	o->via_base = has_known_base(a);
	o->same_as = SIZE_MAX;
	snprintf(o->foundation, sizeof o->foundation, "%.*s:%.*s", (int)(a->foundation.len & 0xFF),
		 a->foundation.ptr ? a->foundation.ptr : "", (int)(b->foundation.len & 0xFF),
		 b->foundation.ptr ? b->foundation.ptr : "");
}

/* Why a pair is not kept, given the last kept pair when the limit was hit. */
static enum rtclab_ice_prune prune_reason(const struct ctx *x, const struct pair_ref *p, const struct pair_ref *last,
					  bool limit_hit)
{
	enum rtclab_ice_prune why = basic_prune(x, p->l, p->r);
	if (why != RTCLAB_PRUNE_NONE)
		return why;
	if (redundant(x, p))
		return RTCLAB_PRUNE_REDUNDANT;
	if (limit_hit && before(last, p))
		return RTCLAB_PRUNE_LIMIT;
	return RTCLAB_PRUNE_NONE;
}

static bool same_str(struct rtclab_str a, struct rtclab_str b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static bool same_foundation(const struct ctx *x, const struct pair_ref *p, const struct pair_ref *q)
{
	return same_str(x->local[p->l].foundation, x->local[q->l].foundation) &&
	       same_str(x->remote[p->r].foundation, x->remote[q->r].foundation);
}

/* Does kept pair y keep kept pair p Frozen (6.1.2.6)?  Same foundation, and
 * a lower component, or the same one and a higher priority. */
static bool outranks(const struct ctx *x, const struct pair_ref *y, const struct pair_ref *p)
{
	uint16_t cy = x->local[y->l].component, cp = x->local[p->l].component;
	return (y->l != p->l || y->r != p->r) && same_foundation(x, y, p) && (cy < cp || (cy == cp && before(y, p)));
}

static struct pair_ref ref_of(const struct ctx *x, const struct rtclab_ice_pair *o)
{
	return make_ref(x, o->local, o->remote);
}

/* 6.1.2.6: per foundation, the pair with the lowest component, then the
 * highest priority, is Waiting; the other kept pairs are Frozen.  Kept pairs
 * that did not fit in out are found again by walking the list. */
static void set_states(const struct ctx *x, struct rtclab_ice_pair *out, size_t n_written, size_t n_kept)
{
	struct kept_iter it = {0};
	for (size_t i = 0; i < n_written; i++) {
		struct pair_ref p = ref_of(x, &out[i]);
		out[i].state = RTCLAB_PAIR_WAITING;
		for (size_t j = 0; j < n_written && out[i].state == RTCLAB_PAIR_WAITING; j++) {
			struct pair_ref y = ref_of(x, &out[j]);
			if (outranks(x, &y, &p))
				out[i].state = RTCLAB_PAIR_FROZEN;
		}
	}
	while (n_written < n_kept && kept_next(x, &it)) {
		if (it.rank <= n_written)
			continue; /* written: compared above */
		for (size_t i = 0; i < n_written; i++) {
			struct pair_ref p = ref_of(x, &out[i]);
			if (outranks(x, &it.cur, &p))
				out[i].state = RTCLAB_PAIR_FROZEN;
		}
	}
}

/* For each redundant pair written, the pair it duplicates, when written. */
static void link_redundant(const struct ctx *x, struct rtclab_ice_pair *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (out[i].pruned != RTCLAB_PRUNE_REDUNDANT)
			continue;
		struct pair_ref p = make_ref(x, out[i].local, out[i].remote);
		for (size_t j = 0; j < i; j++) { /* the pair it repeats comes earlier */
			struct pair_ref q = make_ref(x, out[j].local, out[j].remote);
			bool formed = out[j].pruned == RTCLAB_PRUNE_NONE || out[j].pruned == RTCLAB_PRUNE_LIMIT;
			if (formed && before(&q, &p) && duplicates(x, &p, &q)) {
				out[i].same_as = j;
				break;
			}
		}
	}
}

/* --- the check list with room for every pair: sorted in place --------------------- */

typedef bool (*pair_order)(const struct rtclab_ice_pair *a, const struct rtclab_ice_pair *b);

static bool in_order(const struct rtclab_ice_pair *a, const struct rtclab_ice_pair *b)
{
	struct pair_ref p = {a->local, a->remote, a->priority}, q = {b->local, b->remote, b->priority};
	return before(&p, &q);
}

static bool kept_first(const struct rtclab_ice_pair *a, const struct rtclab_ice_pair *b)
{
	bool pa = a->pruned != RTCLAB_PRUNE_NONE, pb = b->pruned != RTCLAB_PRUNE_NONE;
	return pa != pb ? pb : in_order(a, b);
}

static void swap_pairs(struct rtclab_ice_pair *a, struct rtclab_ice_pair *b)
{
	struct rtclab_ice_pair t = *a;
	*a = *b;
	*b = t;
}

/* Heap order: a parent never comes before its children. */
static void sift_down(struct rtclab_ice_pair *a, size_t root, size_t n, pair_order first)
{
	for (size_t child; (child = 2 * root + 1) < n; root = child) {
		if (child + 1 < n && first(&a[child], &a[child + 1]))
			child++;
		if (!first(&a[root], &a[child]))
			return;
		swap_pairs(&a[root], &a[child]);
	}
}

/* Heapsort: no allocation, and the keys are unique, so the order is fixed. */
static void sort_pairs(struct rtclab_ice_pair *a, size_t n, pair_order first)
{
	for (size_t i = n / 2; i-- > 0;)
		sift_down(a, i, n, first);
	for (size_t end = n; end-- > 1;) {
		swap_pairs(&a[0], &a[end]);
		sift_down(a, 0, end, first);
	}
}

/* A formed pair (pruned at most as redundant or by the limit) earlier in out
 * with the same local base and remote candidate. */
static bool repeats_earlier(const struct ctx *x, const struct rtclab_ice_pair *out, size_t i)
{
	struct pair_ref p = ref_of(x, &out[i]);
	for (size_t j = 0; j < i; j++) {
		enum rtclab_ice_prune w = out[j].pruned;
		struct pair_ref q = ref_of(x, &out[j]);
		if ((w == RTCLAB_PRUNE_NONE || w == RTCLAB_PRUNE_REDUNDANT || w == RTCLAB_PRUNE_LIMIT) &&
		    duplicates(x, &p, &q))
			return true;
	}
	return false;
}

static size_t checklist_sorted(const struct ctx *x, struct rtclab_ice_pair *out, size_t *n_kept)
{
	size_t n = 0, rank = 0;
	for (size_t l = 0; l < x->n_local; l++)
		for (size_t r = 0; r < x->n_remote; r++) {
			struct pair_ref p = make_ref(x, l, r);
			write_pair(x, &out[n++], &p, basic_prune(x, l, r));
		}
	sort_pairs(out, n, in_order);
	for (size_t i = 0; i < n; i++) {
		if (out[i].pruned != RTCLAB_PRUNE_NONE)
			continue;
		if (repeats_earlier(x, out, i))
			out[i].pruned = RTCLAB_PRUNE_REDUNDANT;
		else if (rank++ >= x->limit)
			out[i].pruned = RTCLAB_PRUNE_LIMIT;
	}
	sort_pairs(out, n, kept_first);
	*n_kept = rank < x->limit ? rank : x->limit;
	set_states(x, out, *n_kept, *n_kept);
	return n;
}

/* --- the check list with less room: walked pair by pair ---------------------------- */

static size_t checklist_walk(const struct ctx *x, struct rtclab_ice_pair *out, size_t max, size_t *n_kept)
{
	struct kept_iter it = {0};
	struct pair_ref last = {0, 0, 0}, p, after;
	size_t n = 0;
	while (kept_next(x, &it)) {
		if (n < max)
			write_pair(x, &out[n++], &it.cur, RTCLAB_PRUNE_NONE);
		last = it.cur;
	}
	size_t n_kept_written = n;
	bool limit_hit = it.rank == x->limit;
	bool have = next_in_order(x, NULL, false, &p);
	while (have && n < max) {
		enum rtclab_ice_prune why = prune_reason(x, &p, &last, limit_hit);
		if (why != RTCLAB_PRUNE_NONE)
			write_pair(x, &out[n++], &p, why);
		after = p;
		have = next_in_order(x, &after, false, &p);
	}
	*n_kept = it.rank;
	set_states(x, out, n_kept_written, it.rank);
	return n;
}

size_t rtclab_ice_checklist(const struct rtclab_candidate *local, size_t n_local,
			    const struct rtclab_candidate *remote, size_t n_remote,
			    const struct rtclab_ice_checklist_opts *opts, struct rtclab_ice_pair *out, size_t max,
			    size_t *kept)
{
	struct ctx x = {local, remote, local ? n_local : 0, remote ? n_remote : 0, true, 100};
	size_t n, n_kept;
	if (opts) {
		x.controlling = opts->local_controlling;
		x.limit = opts->limit ? opts->limit : 100; /* 6.1.2.5 */
	}
	if (!out)
		max = 0;
	bool room = x.n_remote == 0 || (x.n_local <= SIZE_MAX / x.n_remote && max >= x.n_local * x.n_remote);
	n = room ? checklist_sorted(&x, out, &n_kept) : checklist_walk(&x, out, max, &n_kept);
	link_redundant(&x, out, n);
	if (kept)
		*kept = n_kept;
	return n;
}
