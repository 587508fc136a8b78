/* The simulator's network core: realms, hosts, NATs and links, and the
 * routing of each packet hop by hop as events (the queue is in
 * lib/simnet_queue.c). */
#include "simnet_internal.h"

#include <stdlib.h>
#include <string.h>

struct link_state {
	struct rtclab_simnet_link p;
	struct rtclab_rng rng; /* this link's own draws, so one link does not shift another's */
};

struct realm {
	char *name;
	bool has_nat; /* a NAT joins this realm to an outer one */
	unsigned nat;
	unsigned *children; /* NATs whose outer realm this is */
	size_t n_children, cap_children;
};

struct host_addr {
	struct rtclab_addr ip; /* port 0 */
	unsigned realm;
};

struct tcp_flow {
	struct rtclab_addr local, remote;
};

struct host {
	char *name;
	rtclab_simnet_deliver_fn deliver;
	void *arg;
	struct host_addr *addrs;
	size_t n_addrs, cap_addrs;
	struct link_state up, down;
	struct tcp_flow *flows; /* a ring of RTCLAB_SIMNET_MAX_TCP_FLOWS at most */
	size_t n_flows, next_flow;
};

struct nat_node {
	struct rtclab_simnet *net;
	unsigned id;
	char *name;
	struct rtclab_nat *nat;
	struct rtclab_rng rng;
	struct link_state up, down;
	unsigned outer, inner;
	uint64_t expiry_event; /* 0: none pending */
	rtclab_time_ns expiry_at;
};

enum owner_kind { OWNER_NONE = 0, OWNER_HOST, OWNER_NAT };

/* Who has an address in a realm: open addressing, linear probing. */
struct owner {
	enum owner_kind kind;
	unsigned realm, index;
	struct rtclab_addr ip;
};

struct rtclab_simnet {
	struct rtclab_rng rng;
	rtclab_time_ns now;
	struct rtclab_simq q;
	struct rtclab_simnet_observer obs;
	struct rtclab_simnet_stats stats;
	uint64_t next_packet;
	struct realm *realms;
	size_t n_realms, cap_realms;
	struct host *hosts;
	size_t n_hosts, cap_hosts;
	struct nat_node **nats; /* pointers: each is its NAT's decision callback argument */
	size_t n_nats, cap_nats;
	struct owner *owners;
	size_t n_owners, cap_owners; /* cap a power of two, at most half full */
};

const char *rtclab_simnet_error_str(enum rtclab_simnet_error e)
{
	switch (e) {
	case RTCLAB_SIMNET_OK:
		return "no error";
	case RTCLAB_SIMNET_E_NOMEM:
		return "out of memory";
	case RTCLAB_SIMNET_E_REALM:
		return "no such realm";
	case RTCLAB_SIMNET_E_HOST:
		return "no such host";
	case RTCLAB_SIMNET_E_NAT:
		return "no such NAT";
	case RTCLAB_SIMNET_E_NAT_CONFIG:
		return "the NAT configuration was refused";
	case RTCLAB_SIMNET_E_TOPOLOGY:
		return "a NAT's inner realm must be a private realm not yet behind a NAT, and not contain its outer realm";
	case RTCLAB_SIMNET_E_ADDRESS:
		return "not an IPv4 or IPv6 address";
	case RTCLAB_SIMNET_E_ADDRESS_USED:
		return "that address is already in use in that realm";
	case RTCLAB_SIMNET_E_NOT_OWN:
		return "the host does not have that source address";
	case RTCLAB_SIMNET_E_FAMILY:
		return "source and destination are of different address families";
	case RTCLAB_SIMNET_E_L4:
		return "only UDP and TCP are carried";
	case RTCLAB_SIMNET_E_TOO_BIG:
		return "more than 65535 bytes in one packet";
	case RTCLAB_SIMNET_E_LINK:
		return "a link needs a non-negative latency and jitter and a loss between 0 and 1";
	case RTCLAB_SIMNET_E_PAST:
		return "that time is already past";
	}
	return "unknown simulator error";
}

/* --- the address table ----------------------------------------------------------------- */

static bool same_ip(const struct rtclab_addr *a, const struct rtclab_addr *b)
{
	size_t n = a->family == RTCLAB_FAMILY_IPV4 ? 4 : 16;
	return a->family == b->family && memcmp(a->ip, b->ip, n) == 0;
}

static size_t owner_hash(unsigned realm, const struct rtclab_addr *ip)
{
	uint64_t h = 1469598103934665603ull ^ realm;
	size_t n = ip->family == RTCLAB_FAMILY_IPV4 ? 4 : 16;
	h = (h ^ (uint64_t)ip->family) * 1099511628211ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ ip->ip[i]) * 1099511628211ull;
	return (size_t)(h ^ (h >> 29));
}

static struct owner *owner_slot(const struct rtclab_simnet *net, unsigned realm, const struct rtclab_addr *ip)
{
	if (net->cap_owners == 0)
		return NULL;
	size_t mask = net->cap_owners - 1;
	for (size_t i = owner_hash(realm, ip) & mask;; i = (i + 1) & mask) {
		struct owner *o = &net->owners[i];
		if (o->kind == OWNER_NONE)
			return o;
		if (o->realm == realm && same_ip(&o->ip, ip))
			return o;
	}
}

static const struct owner *owner_find(const struct rtclab_simnet *net, unsigned realm, const struct rtclab_addr *ip)
{
	const struct owner *o = owner_slot(net, realm, ip);
	return o && o->kind != OWNER_NONE ? o : NULL;
}

static bool owners_grow(struct rtclab_simnet *net)
{
	size_t cap = net->cap_owners ? net->cap_owners * 2 : 64;
	struct owner *old = net->owners;
	size_t old_cap = net->cap_owners;
	net->owners = calloc(cap, sizeof *net->owners);
	if (!net->owners) {
		net->owners = old;
		return false;
	}
	net->cap_owners = cap;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].kind != OWNER_NONE)
			*owner_slot(net, old[i].realm, &old[i].ip) = old[i];
	free(old);
	return true;
}

static enum rtclab_simnet_error owner_add(struct rtclab_simnet *net, enum owner_kind kind, unsigned realm,
					  unsigned index, const struct rtclab_addr *ip)
{
	if (owner_find(net, realm, ip))
		return RTCLAB_SIMNET_E_ADDRESS_USED;
	if ((net->n_owners + 1) * 2 > net->cap_owners && !owners_grow(net))
		return RTCLAB_SIMNET_E_NOMEM;
	struct owner *o = owner_slot(net, realm, ip);
	o->kind = kind;
	o->realm = realm;
	o->index = index;
	o->ip = *ip;
	o->ip.port = 0;
	net->n_owners++;
	return RTCLAB_SIMNET_OK;
}

/* Linear-probing deletion: move later entries of the cluster back. */
static void owner_remove(struct rtclab_simnet *net, struct owner *o)
{
	size_t mask = net->cap_owners - 1;
	size_t i = (size_t)(o - net->owners);
	o->kind = OWNER_NONE;
	net->n_owners--;
	for (size_t j = (i + 1) & mask; net->owners[j].kind != OWNER_NONE; j = (j + 1) & mask) {
		size_t k = owner_hash(net->owners[j].realm, &net->owners[j].ip) & mask;
		bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
		if (stays)
			continue;
		net->owners[i] = net->owners[j];
		net->owners[j].kind = OWNER_NONE;
		i = j;
	}
}

/* --- building the network ---------------------------------------------------------------- */

static bool grow_array(void **p, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return true;
	size_t c = *cap ? *cap * 2 : 8;
	void *np = realloc(*p, c * elem);
	if (!np)
		return false;
	*p = np;
	*cap = c;
	return true;
}

static char *copy_name(const char *name)
{
	size_t n = strlen(name ? name : "");
	char *s = malloc(n + 1);
	if (s)
		memcpy(s, name ? name : "", n + 1);
	return s;
}

static enum rtclab_simnet_error check_link(const struct rtclab_simnet_link *l)
{
	if (!l)
		return RTCLAB_SIMNET_OK;
	if (l->latency < 0 || l->jitter < 0 || !(l->loss >= 0.0 && l->loss <= 1.0))
		return RTCLAB_SIMNET_E_LINK;
	return RTCLAB_SIMNET_OK;
}

static void link_init(struct rtclab_simnet *net, struct link_state *l)
{
	memset(&l->p, 0, sizeof l->p);
	rtclab_rng_fork(&net->rng, &l->rng);
}

enum rtclab_simnet_error rtclab_simnet_realm_add(struct rtclab_simnet *net, const char *name, unsigned *id)
{
	if (!grow_array((void **)&net->realms, &net->cap_realms, net->n_realms, sizeof *net->realms))
		return RTCLAB_SIMNET_E_NOMEM;
	struct realm *r = &net->realms[net->n_realms];
	memset(r, 0, sizeof *r);
	r->name = copy_name(name);
	if (!r->name)
		return RTCLAB_SIMNET_E_NOMEM;
	*id = (unsigned)net->n_realms++;
	return RTCLAB_SIMNET_OK;
}

enum rtclab_simnet_error rtclab_simnet_new(struct rtclab_simnet **out, uint64_t seed)
{
	*out = NULL;
	struct rtclab_simnet *net = calloc(1, sizeof *net);
	if (!net)
		return RTCLAB_SIMNET_E_NOMEM;
	rtclab_rng_seed(&net->rng, seed);
	unsigned internet;
	if (rtclab_simnet_realm_add(net, "internet", &internet) != RTCLAB_SIMNET_OK) {
		rtclab_simnet_free(net);
		return RTCLAB_SIMNET_E_NOMEM;
	}
	*out = net;
	return RTCLAB_SIMNET_OK;
}

void rtclab_simnet_free(struct rtclab_simnet *net)
{
	if (!net)
		return;
	rtclab_simq_free_(&net->q);
	for (size_t i = 0; i < net->n_realms; i++) {
		free(net->realms[i].name);
		free(net->realms[i].children);
	}
	free(net->realms);
	for (size_t i = 0; i < net->n_hosts; i++) {
		free(net->hosts[i].name);
		free(net->hosts[i].addrs);
		free(net->hosts[i].flows);
	}
	free(net->hosts);
	for (size_t i = 0; i < net->n_nats; i++) {
		rtclab_nat_free(net->nats[i]->nat);
		free(net->nats[i]->name);
		free(net->nats[i]);
	}
	free(net->nats);
	free(net->owners);
	free(net);
}

void rtclab_simnet_set_observer(struct rtclab_simnet *net, const struct rtclab_simnet_observer *obs)
{
	if (obs)
		net->obs = *obs;
	else
		memset(&net->obs, 0, sizeof net->obs);
}

size_t rtclab_simnet_realm_count(const struct rtclab_simnet *net)
{
	return net->n_realms;
}

const char *rtclab_simnet_realm_name(const struct rtclab_simnet *net, unsigned realm)
{
	return realm < net->n_realms ? net->realms[realm].name : NULL;
}

bool rtclab_simnet_realm_nat(const struct rtclab_simnet *net, unsigned realm, unsigned *nat)
{
	if (realm >= net->n_realms || !net->realms[realm].has_nat)
		return false;
	*nat = net->realms[realm].nat;
	return true;
}

/* Whether realm is inner or lies inside it (behind NATs nested in it). */
static bool realm_within(const struct rtclab_simnet *net, unsigned realm, unsigned inner)
{
	for (size_t depth = 0; depth <= net->n_realms; depth++) {
		if (realm == inner)
			return true;
		if (!net->realms[realm].has_nat)
			return false;
		realm = net->nats[net->realms[realm].nat]->outer;
	}
	return false;
}

static void on_decision(void *arg, const struct rtclab_nat_decision *d)
{
	struct nat_node *n = arg;
	const struct rtclab_simnet_observer *obs = &n->net->obs;
	if (obs->decision)
		obs->decision(obs->arg, n->id, n->name, d);
}

static enum rtclab_simnet_error check_nat_place(const struct rtclab_simnet *net, unsigned outer, unsigned inner)
{
	if (outer >= net->n_realms || inner >= net->n_realms)
		return RTCLAB_SIMNET_E_REALM;
	if (inner == RTCLAB_SIMNET_INTERNET || inner == outer || net->realms[inner].has_nat ||
	    realm_within(net, outer, inner))
		return RTCLAB_SIMNET_E_TOPOLOGY;
	return RTCLAB_SIMNET_OK;
}

static enum rtclab_simnet_error register_nat(struct rtclab_simnet *net, struct nat_node *n,
					     const struct rtclab_addr *external, size_t n_external)
{
	struct realm *outer = &net->realms[n->outer];
	if (!grow_array((void **)&outer->children, &outer->cap_children, outer->n_children, sizeof *outer->children))
		return RTCLAB_SIMNET_E_NOMEM;
	for (size_t i = 0; i < n_external; i++) {
		enum rtclab_simnet_error e = owner_add(net, OWNER_NAT, n->outer, n->id, &external[i]);
		if (e != RTCLAB_SIMNET_OK) {
			while (i-- > 0)
				owner_remove(net, owner_slot(net, n->outer, &external[i]));
			return e;
		}
	}
	outer->children[outer->n_children++] = n->id;
	net->realms[n->inner].has_nat = true;
	net->realms[n->inner].nat = n->id;
	net->nats[net->n_nats++] = n;
	return RTCLAB_SIMNET_OK;
}

enum rtclab_simnet_error rtclab_simnet_nat_add(struct rtclab_simnet *net, const char *name, unsigned outer,
					       unsigned inner, const struct rtclab_nat_config *cfg,
					       const struct rtclab_addr *external, size_t n_external, unsigned *id,
					       enum rtclab_nat_error *nat_error)
{
	enum rtclab_simnet_error e = check_nat_place(net, outer, inner);
	if (e != RTCLAB_SIMNET_OK)
		return e;
	if (!grow_array((void **)&net->nats, &net->cap_nats, net->n_nats, sizeof *net->nats))
		return RTCLAB_SIMNET_E_NOMEM;
	struct nat_node *n = calloc(1, sizeof *n);
	if (!n || !(n->name = copy_name(name))) {
		free(n);
		return RTCLAB_SIMNET_E_NOMEM;
	}
	n->net = net;
	n->id = (unsigned)net->n_nats;
	n->outer = outer;
	n->inner = inner;
	rtclab_rng_fork(&net->rng, &n->rng);
	link_init(net, &n->up);
	link_init(net, &n->down);
	enum rtclab_nat_error ne = rtclab_nat_new(&n->nat, cfg, external, n_external, &n->rng, on_decision, n);
	if (nat_error)
		*nat_error = ne;
	e = ne == RTCLAB_NAT_OK ? register_nat(net, n, external, n_external)
				: (ne == RTCLAB_NAT_E_NOMEM ? RTCLAB_SIMNET_E_NOMEM : RTCLAB_SIMNET_E_NAT_CONFIG);
	if (e != RTCLAB_SIMNET_OK) {
		rtclab_nat_free(n->nat);
		free(n->name);
		free(n);
		return e;
	}
	*id = n->id;
	return RTCLAB_SIMNET_OK;
}

static void set_links(struct link_state *up, struct link_state *down, const struct rtclab_simnet_link *u,
		      const struct rtclab_simnet_link *d)
{
	if (u)
		up->p = *u;
	if (d)
		down->p = *d;
}

enum rtclab_simnet_error rtclab_simnet_nat_link(struct rtclab_simnet *net, unsigned nat,
						const struct rtclab_simnet_link *up, const struct rtclab_simnet_link *down)
{
	if (nat >= net->n_nats)
		return RTCLAB_SIMNET_E_NAT;
	if (check_link(up) != RTCLAB_SIMNET_OK || check_link(down) != RTCLAB_SIMNET_OK)
		return RTCLAB_SIMNET_E_LINK;
	set_links(&net->nats[nat]->up, &net->nats[nat]->down, up, down);
	return RTCLAB_SIMNET_OK;
}

struct rtclab_nat *rtclab_simnet_nat(struct rtclab_simnet *net, unsigned nat)
{
	return nat < net->n_nats ? net->nats[nat]->nat : NULL;
}

enum rtclab_simnet_error rtclab_simnet_host_add(struct rtclab_simnet *net, const char *name,
						rtclab_simnet_deliver_fn deliver, void *arg, unsigned *id)
{
	if (!grow_array((void **)&net->hosts, &net->cap_hosts, net->n_hosts, sizeof *net->hosts))
		return RTCLAB_SIMNET_E_NOMEM;
	struct host *h = &net->hosts[net->n_hosts];
	memset(h, 0, sizeof *h);
	h->name = copy_name(name);
	if (!h->name)
		return RTCLAB_SIMNET_E_NOMEM;
	h->deliver = deliver;
	h->arg = arg;
	link_init(net, &h->up);
	link_init(net, &h->down);
	*id = (unsigned)net->n_hosts++;
	return RTCLAB_SIMNET_OK;
}

enum rtclab_simnet_error rtclab_simnet_host_addr_add(struct rtclab_simnet *net, unsigned host, unsigned realm,
						     const struct rtclab_addr *ip)
{
	if (host >= net->n_hosts)
		return RTCLAB_SIMNET_E_HOST;
	if (realm >= net->n_realms)
		return RTCLAB_SIMNET_E_REALM;
	if (ip->family != RTCLAB_FAMILY_IPV4 && ip->family != RTCLAB_FAMILY_IPV6)
		return RTCLAB_SIMNET_E_ADDRESS;
	struct host *h = &net->hosts[host];
	if (!grow_array((void **)&h->addrs, &h->cap_addrs, h->n_addrs, sizeof *h->addrs))
		return RTCLAB_SIMNET_E_NOMEM;
	enum rtclab_simnet_error e = owner_add(net, OWNER_HOST, realm, host, ip);
	if (e != RTCLAB_SIMNET_OK)
		return e;
	h->addrs[h->n_addrs].ip = *ip;
	h->addrs[h->n_addrs].ip.port = 0;
	h->addrs[h->n_addrs].realm = realm;
	h->n_addrs++;
	return RTCLAB_SIMNET_OK;
}

static struct host_addr *host_addr_find(struct host *h, const struct rtclab_addr *ip)
{
	for (size_t i = 0; i < h->n_addrs; i++)
		if (same_ip(&h->addrs[i].ip, ip))
			return &h->addrs[i];
	return NULL;
}

enum rtclab_simnet_error rtclab_simnet_host_addr_remove(struct rtclab_simnet *net, unsigned host,
							const struct rtclab_addr *ip)
{
	if (host >= net->n_hosts)
		return RTCLAB_SIMNET_E_HOST;
	struct host *h = &net->hosts[host];
	struct host_addr *a = host_addr_find(h, ip);
	if (!a)
		return RTCLAB_SIMNET_E_NOT_OWN;
	owner_remove(net, owner_slot(net, a->realm, &a->ip));
	*a = h->addrs[--h->n_addrs];
	return RTCLAB_SIMNET_OK;
}

enum rtclab_simnet_error rtclab_simnet_host_link(struct rtclab_simnet *net, unsigned host,
						 const struct rtclab_simnet_link *up,
						 const struct rtclab_simnet_link *down)
{
	if (host >= net->n_hosts)
		return RTCLAB_SIMNET_E_HOST;
	if (check_link(up) != RTCLAB_SIMNET_OK || check_link(down) != RTCLAB_SIMNET_OK)
		return RTCLAB_SIMNET_E_LINK;
	set_links(&net->hosts[host].up, &net->hosts[host].down, up, down);
	return RTCLAB_SIMNET_OK;
}

const char *rtclab_simnet_host_name(const struct rtclab_simnet *net, unsigned host)
{
	return host < net->n_hosts ? net->hosts[host].name : NULL;
}

/* --- TCP flows: which segment opens a connection --------------------------------------- */

static bool flow_known(const struct host *h, const struct rtclab_addr *local, const struct rtclab_addr *remote)
{
	for (size_t i = 0; i < h->n_flows; i++)
		if (rtclab_addr_equal(&h->flows[i].local, local) && rtclab_addr_equal(&h->flows[i].remote, remote))
			return true;
	return false;
}

/* Remember a flow; the oldest is forgotten past RTCLAB_SIMNET_MAX_TCP_FLOWS. */
static void flow_note(struct host *h, const struct rtclab_addr *local, const struct rtclab_addr *remote)
{
	if (flow_known(h, local, remote))
		return;
	if (!h->flows) {
		h->flows = malloc(RTCLAB_SIMNET_MAX_TCP_FLOWS * sizeof *h->flows);
		if (!h->flows)
			return;
	}
	struct tcp_flow *f = &h->flows[h->next_flow];
	h->next_flow = (h->next_flow + 1) % RTCLAB_SIMNET_MAX_TCP_FLOWS;
	if (h->n_flows < RTCLAB_SIMNET_MAX_TCP_FLOWS)
		h->n_flows++;
	f->local = *local;
	f->remote = *remote;
}

/* --- moving packets ------------------------------------------------------------------------ */

static void report_drop(struct rtclab_simnet *net, enum rtclab_simnet_drop_reason reason,
			const struct rtclab_simq_packet *p, const char *node, bool uplink, unsigned realm)
{
	if (reason == RTCLAB_SIMNET_DROP_LOSS)
		net->stats.lost++;
	else
		net->stats.dropped++;
	if (!net->obs.drop)
		return;
	struct rtclab_simnet_drop d = {reason, net->now, p->id, p->l4, p->src, p->dst, node, uplink, realm};
	net->obs.drop(net->obs.arg, &d);
}

/* Put packet p (its data moved in) in the queue; on failure it is dropped. */
static void schedule_packet(struct rtclab_simnet *net, rtclab_time_ns time, enum rtclab_simq_kind kind,
			    unsigned target, struct rtclab_simq_packet *p)
{
	struct rtclab_simq_event *ev;
	if (!rtclab_simq_push_(&net->q, time, kind, &ev)) {
		free(p->data);
		net->stats.dropped++;
		return;
	}
	ev->target = target;
	ev->pkt = *p;
}

/* The delay across one direction of a link, or false when the packet is lost. */
static bool cross(struct link_state *l, rtclab_time_ns *delay)
{
	if (l->p.loss > 0 && rtclab_rng_unit(&l->rng) < l->p.loss)
		return false;
	*delay = l->p.latency;
	if (l->p.jitter > 0)
		*delay += (rtclab_time_ns)rtclab_rng_below(&l->rng, (uint64_t)l->p.jitter + 1);
	return true;
}

/* Send p over link towards the next event, or report it lost. */
static void forward(struct rtclab_simnet *net, struct link_state *link, const char *node, bool uplink,
		    rtclab_time_ns at, enum rtclab_simq_kind kind, unsigned target, struct rtclab_simq_packet *p)
{
	rtclab_time_ns delay;
	if (p->l4 == RTCLAB_L4_TCP) {
		/* TCP's retransmissions and reordering are not simulated: a lost
		 * segment would be sent again and the receiver would put the
		 * stream back in order, so a segment is never lost here and takes
		 * the link's fixed latency (no jitter, no reordering). */
		schedule_packet(net, at + link->p.latency, kind, target, p);
		return;
	}
	if (!cross(link, &delay)) {
		report_drop(net, RTCLAB_SIMNET_DROP_LOSS, p, node, uplink, 0);
		free(p->data);
		return;
	}
	schedule_packet(net, at + delay, kind, target, p);
}

/* Whether ip lives in realm or behind NATs under it that pass its family
 * untranslated. */
static bool realm_reaches(const struct rtclab_simnet *net, unsigned realm, const struct rtclab_addr *ip)
{
	if (owner_find(net, realm, ip))
		return true;
	const struct realm *r = &net->realms[realm];
	for (size_t i = 0; i < r->n_children; i++) {
		const struct nat_node *n = net->nats[r->children[i]];
		if (rtclab_nat_passes_untranslated(n->nat, ip->family) && realm_reaches(net, n->inner, ip))
			return true;
	}
	return false;
}

/* The NAT under realm through which ip is reached untranslated. */
static bool route_down(const struct rtclab_simnet *net, unsigned realm, const struct rtclab_addr *ip, unsigned *nat)
{
	const struct realm *r = &net->realms[realm];
	for (size_t i = 0; i < r->n_children; i++) {
		const struct nat_node *n = net->nats[r->children[i]];
		if (rtclab_nat_passes_untranslated(n->nat, ip->family) && realm_reaches(net, n->inner, ip)) {
			*nat = n->id;
			return true;
		}
	}
	return false;
}

static void nat_watch(struct rtclab_simnet *net, struct nat_node *n)
{
	rtclab_time_ns t = rtclab_nat_next_expiry(n->nat);
	if (t == RTCLAB_NEVER || (n->expiry_event && n->expiry_at <= t))
		return;
	if (n->expiry_event)
		rtclab_simq_cancel_(&net->q, n->expiry_event, RTCLAB_SIMQ_NAT_EXPIRY);
	if (t < net->now)
		t = net->now;
	struct rtclab_simq_event *ev;
	n->expiry_event = rtclab_simq_push_(&net->q, t, RTCLAB_SIMQ_NAT_EXPIRY, &ev);
	if (n->expiry_event) {
		ev->target = n->id;
		n->expiry_at = t;
	}
}

static void tap(struct rtclab_simnet *net, unsigned realm, const struct rtclab_simq_packet *p)
{
	if (!net->obs.tap)
		return;
	struct rtclab_simnet_tap t = {realm, net->realms[realm].name, net->now, p->id,     p->l4,
				      p->syn, p->src,                   p->dst,    p->data, p->len};
	net->obs.tap(net->obs.arg, &t);
}

static struct rtclab_nat_packet nat_packet(const struct rtclab_simq_packet *p)
{
	struct rtclab_nat_packet np = {p->l4, p->syn, p->src, p->dst};
	return np;
}

/* Up through the realm's own NAT: translated onto the outer wire, or
 * hairpinned back onto this one. */
static void go_up(struct rtclab_simnet *net, unsigned realm, struct rtclab_simq_packet *p)
{
	struct nat_node *n = net->nats[net->realms[realm].nat];
	struct rtclab_nat_packet in = nat_packet(p), out;
	enum rtclab_nat_verdict v = rtclab_nat_outbound(n->nat, net->now, &in, &out);
	nat_watch(net, n);
	if (v == RTCLAB_NAT_DROP) {
		report_drop(net, RTCLAB_SIMNET_DROP_NAT, p, n->name, true, realm);
		free(p->data);
		return;
	}
	p->src = out.src;
	p->dst = out.dst;
	if (v == RTCLAB_NAT_HAIRPIN)
		schedule_packet(net, net->now, RTCLAB_SIMQ_REALM, realm, p);
	else
		forward(net, &n->up, n->name, true, net->now, RTCLAB_SIMQ_REALM, n->outer, p);
}

/* A packet is on realm's wire now. */
static void arrive_realm(struct rtclab_simnet *net, unsigned realm, struct rtclab_simq_packet *p)
{
	tap(net, realm, p);
	if (++p->hops > RTCLAB_SIMNET_MAX_HOPS) {
		report_drop(net, RTCLAB_SIMNET_DROP_HOP_LIMIT, p, NULL, false, realm);
		free(p->data);
		return;
	}
	const struct owner *o = owner_find(net, realm, &p->dst);
	unsigned nat;
	if (o && o->kind == OWNER_HOST) {
		struct host *h = &net->hosts[o->index];
		forward(net, &h->down, h->name, false, net->now, RTCLAB_SIMQ_DELIVER, o->index, p);
	} else if (o && o->kind == OWNER_NAT) {
		struct nat_node *n = net->nats[o->index];
		forward(net, &n->down, n->name, false, net->now, RTCLAB_SIMQ_NAT_IN, n->id, p);
	} else if (route_down(net, realm, &p->dst, &nat)) {
		struct nat_node *n = net->nats[nat];
		forward(net, &n->down, n->name, false, net->now, RTCLAB_SIMQ_NAT_IN, n->id, p);
	} else if (net->realms[realm].has_nat) {
		go_up(net, realm, p);
	} else {
		report_drop(net, RTCLAB_SIMNET_DROP_NO_ROUTE, p, NULL, false, realm);
		free(p->data);
	}
}

/* A packet reaches a NAT from its outer realm. */
static void nat_in(struct rtclab_simnet *net, unsigned nat, struct rtclab_simq_packet *p)
{
	struct nat_node *n = net->nats[nat];
	struct rtclab_nat_packet in = nat_packet(p), out;
	enum rtclab_nat_verdict v = rtclab_nat_inbound(n->nat, net->now, &in, &out);
	nat_watch(net, n);
	if (v != RTCLAB_NAT_PASS) {
		report_drop(net, RTCLAB_SIMNET_DROP_NAT, p, n->name, false, n->outer);
		free(p->data);
		return;
	}
	p->src = out.src;
	p->dst = out.dst;
	arrive_realm(net, n->inner, p);
}

static void deliver(struct rtclab_simnet *net, unsigned host, struct rtclab_simq_packet *p)
{
	struct host *h = &net->hosts[host];
	if (!host_addr_find(h, &p->dst)) {
		/* the address went away while the packet was on its way */
		report_drop(net, RTCLAB_SIMNET_DROP_NO_ROUTE, p, h->name, false, 0);
		free(p->data);
		return;
	}
	net->stats.delivered++;
	if (p->l4 == RTCLAB_L4_TCP)
		flow_note(h, &p->dst, &p->src);
	if (h->deliver)
		h->deliver(h->arg, net->now, p->l4, &p->dst, &p->src, p->data, p->len);
	free(p->data);
}

static enum rtclab_simnet_error check_send(struct rtclab_simnet *net, unsigned host, enum rtclab_l4 l4,
					   const struct rtclab_addr *src, const struct rtclab_addr *dst, size_t len,
					   const struct host_addr **from)
{
	if (host >= net->n_hosts)
		return RTCLAB_SIMNET_E_HOST;
	if (l4 != RTCLAB_L4_UDP && l4 != RTCLAB_L4_TCP)
		return RTCLAB_SIMNET_E_L4;
	if (len > RTCLAB_SIMNET_MAX_PAYLOAD)
		return RTCLAB_SIMNET_E_TOO_BIG;
	if (src->family != dst->family)
		return RTCLAB_SIMNET_E_FAMILY;
	*from = host_addr_find(&net->hosts[host], src);
	return *from ? RTCLAB_SIMNET_OK : RTCLAB_SIMNET_E_NOT_OWN;
}

static enum rtclab_simnet_error send_at(struct rtclab_simnet *net, unsigned host, rtclab_time_ns when,
					enum rtclab_l4 l4, bool syn, const struct rtclab_addr *src,
					const struct rtclab_addr *dst, const void *data, size_t len)
{
	const struct host_addr *from;
	enum rtclab_simnet_error e = check_send(net, host, l4, src, dst, len, &from);
	if (e != RTCLAB_SIMNET_OK)
		return e;
	struct rtclab_simq_packet p = {0};
	p.data = malloc(len ? len : 1);
	if (!p.data)
		return RTCLAB_SIMNET_E_NOMEM;
	if (len)
		memcpy(p.data, data, len);
	p.len = len;
	p.id = ++net->next_packet;
	p.l4 = l4;
	p.syn = l4 == RTCLAB_L4_TCP && syn;
	p.src = *src;
	p.dst = *dst;
	net->stats.packets++;
	struct host *h = &net->hosts[host];
	if (l4 == RTCLAB_L4_TCP)
		flow_note(h, src, dst);
	forward(net, &h->up, h->name, true, when, RTCLAB_SIMQ_REALM, from->realm, &p);
	return RTCLAB_SIMNET_OK;
}

enum rtclab_simnet_error rtclab_simnet_send(struct rtclab_simnet *net, unsigned host, enum rtclab_l4 l4, bool syn,
					    const struct rtclab_addr *src, const struct rtclab_addr *dst,
					    const void *data, size_t len)
{
	return send_at(net, host, net->now, l4, syn, src, dst, data, len);
}

void rtclab_simnet_send_fn(void *endpoint, rtclab_time_ns now, enum rtclab_l4 l4, const struct rtclab_addr *src,
			   const struct rtclab_addr *dst, const void *data, size_t len)
{
	struct rtclab_simnet_endpoint *ep = endpoint;
	struct rtclab_simnet *net = ep->net;
	bool syn = false;
	if (l4 == RTCLAB_L4_TCP && ep->host < net->n_hosts)
		syn = !flow_known(&net->hosts[ep->host], src, dst);
	enum rtclab_simnet_error e =
		send_at(net, ep->host, now > net->now ? now : net->now, l4, syn, src, dst, data, len);
	if (e != RTCLAB_SIMNET_OK) {
		ep->errors++;
		ep->last_error = e;
	}
}

/* --- time ----------------------------------------------------------------------------------- */

uint64_t rtclab_simnet_timer(struct rtclab_simnet *net, rtclab_time_ns when, rtclab_simnet_timer_fn fn, void *arg)
{
	if (when < net->now || !fn)
		return 0;
	struct rtclab_simq_event *ev;
	uint64_t id = rtclab_simq_push_(&net->q, when, RTCLAB_SIMQ_TIMER, &ev);
	if (id) {
		ev->fn = fn;
		ev->arg = arg;
	}
	return id;
}

bool rtclab_simnet_timer_cancel(struct rtclab_simnet *net, uint64_t id)
{
	return rtclab_simq_cancel_(&net->q, id, RTCLAB_SIMQ_TIMER);
}

rtclab_time_ns rtclab_simnet_now(const struct rtclab_simnet *net)
{
	return net->now;
}

rtclab_time_ns rtclab_simnet_next_time(const struct rtclab_simnet *net)
{
	return rtclab_simq_next_time_(&net->q);
}

static void nat_expiry(struct rtclab_simnet *net, unsigned nat)
{
	struct nat_node *n = net->nats[nat];
	n->expiry_event = 0;
	rtclab_nat_advance(n->nat, net->now);
	nat_watch(net, n);
}

bool rtclab_simnet_step(struct rtclab_simnet *net)
{
	struct rtclab_simq_event ev;
	if (!rtclab_simq_pop_(&net->q, &ev))
		return false;
	net->now = ev.time;
	net->stats.events++;
	switch (ev.kind) {
	case RTCLAB_SIMQ_TIMER:
		ev.fn(ev.arg, net->now);
		break;
	case RTCLAB_SIMQ_REALM:
		arrive_realm(net, ev.target, &ev.pkt);
		break;
	case RTCLAB_SIMQ_NAT_IN:
		nat_in(net, ev.target, &ev.pkt);
		break;
	case RTCLAB_SIMQ_DELIVER:
		deliver(net, ev.target, &ev.pkt);
		break;
	case RTCLAB_SIMQ_NAT_EXPIRY:
		nat_expiry(net, ev.target);
		break;
	case RTCLAB_SIMQ_FREE:
		break;
	}
	return true;
}

void rtclab_simnet_run_until(struct rtclab_simnet *net, rtclab_time_ns t_end)
{
	while (rtclab_simq_next_time_(&net->q) <= t_end)
		rtclab_simnet_step(net);
	if (t_end > net->now)
		net->now = t_end;
}

void rtclab_simnet_get_stats(const struct rtclab_simnet *net, struct rtclab_simnet_stats *out)
{
	*out = net->stats;
	out->peak_queue = net->q.peak;
}
