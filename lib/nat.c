/* The NAT model of RFC 4787: mappings, filtering, port assignment, timers,
 * hairpinning, and the firewall policies (names and sentences are in
 * lib/nat_info.c). */
#include "rtclab/nat.h"

#include <stdlib.h>
#include <string.h>

struct remote {
	struct rtclab_addr addr;
	rtclab_time_ns last; /* last outbound packet to it */
};

struct mapping {
	struct rtclab_nat_mapping_info info;
	struct remote *remotes; /* the remotes it has sent to, for filtering (RFC 4787 5) */
	size_t n_remotes, cap_remotes;
};

/* RFC 4787 REQ-2 "paired" pooling: one internal IP, one external IP. */
struct pairing {
	struct rtclab_addr internal; /* port 0 */
	size_t external;             /* index into rtclab_nat.external */
};

struct rtclab_nat {
	struct rtclab_nat_config cfg;
	struct rtclab_addr *external;
	size_t n_external;
	struct rtclab_rng *rng;
	rtclab_nat_decision_fn decide;
	void *arg;
	struct mapping *maps; /* in order of creation */
	size_t n_maps, cap_maps;
	struct pairing *pairs;
	size_t n_pairs, cap_pairs;
	size_t next_external;
	uint32_t cursor; /* sequential assignment: offset in the range of the next port to try */
	uint64_t next_id;
};

static bool same_ip(const struct rtclab_addr *a, const struct rtclab_addr *b)
{
	size_t n = a->family == RTCLAB_FAMILY_IPV4 ? 4 : 16;
	return a->family == b->family && memcmp(a->ip, b->ip, n) == 0;
}

static rtclab_time_ns lifetime(const struct rtclab_nat *nat, enum rtclab_l4 l4)
{
	return l4 == RTCLAB_L4_TCP ? nat->cfg.tcp_lifetime : nat->cfg.udp_lifetime;
}

/* Untranslated packets need state (pinholes) only for a stateful firewall. */
static bool keeps_pinholes(const struct rtclab_nat *nat)
{
	return nat->cfg.filter_untranslated || nat->cfg.firewall == RTCLAB_NAT_FW_TCP_443;
}

static bool translates(const struct rtclab_nat *nat, enum rtclab_family family)
{
	return nat->cfg.translate && family == RTCLAB_FAMILY_IPV4;
}

/* --- decisions ---------------------------------------------------------------------- */

static const char *rfc_of(enum rtclab_nat_decision_kind kind, enum rtclab_nat_reason reason)
{
	switch (kind) {
	case RTCLAB_NAT_MAPPING_CREATED:
	case RTCLAB_NAT_MAPPING_REUSED:
	case RTCLAB_NAT_OUTBOUND_TRANSLATED:
		return "RFC 4787 4.1";
	case RTCLAB_NAT_MAPPING_REFRESHED:
	case RTCLAB_NAT_MAPPING_EXPIRED:
		return "RFC 4787 4.3";
	case RTCLAB_NAT_INBOUND_TRANSLATED:
	case RTCLAB_NAT_INBOUND_FILTERED:
		return "RFC 4787 5";
	case RTCLAB_NAT_HAIRPINNED:
		return "RFC 4787 6";
	case RTCLAB_NAT_OUTBOUND_FORWARDED:
	case RTCLAB_NAT_INBOUND_FORWARDED:
		return "RFC 6092 3";
	case RTCLAB_NAT_FIREWALL_DROPPED:
		return reason == RTCLAB_NAT_R_NOT_ESTABLISHED || reason == RTCLAB_NAT_R_TCP_NOT_OPENED ? "RFC 5382 4"
														 : "firewall policy";
	case RTCLAB_NAT_DROPPED:
		return reason == RTCLAB_NAT_R_NO_HAIRPIN ? "RFC 4787 6" : "RFC 4787 4.1";
	}
	return "";
}

struct emit_args {
	enum rtclab_nat_decision_kind kind;
	enum rtclab_nat_reason reason;
	enum rtclab_l4 l4;
	const struct rtclab_addr *inside, *outside, *external;
	const struct mapping *m;
};

static void emit(const struct rtclab_nat *nat, rtclab_time_ns now, const struct emit_args *a)
{
	if (!nat->decide)
		return;
	struct rtclab_nat_decision d;
	memset(&d, 0, sizeof d);
	d.kind = a->kind;
	d.reason = a->reason;
	d.time = now;
	d.l4 = a->l4;
	if (a->inside)
		d.inside = *a->inside;
	if (a->outside)
		d.outside = *a->outside;
	if (a->external)
		d.external = *a->external;
	if (a->m) {
		d.has_mapping = true;
		d.mapping = a->m->info;
	}
	d.mapping_behavior = nat->cfg.mapping;
	d.filtering_behavior = nat->cfg.filtering;
	d.firewall = nat->cfg.firewall;
	d.hairpin = nat->cfg.hairpin;
	d.rfc = rfc_of(a->kind, a->reason);
	nat->decide(nat->arg, &d);
}

/* A decision about an outbound packet (inside = its source). */
static void emit_out(const struct rtclab_nat *nat, rtclab_time_ns now, enum rtclab_nat_decision_kind kind,
		     enum rtclab_nat_reason reason, const struct rtclab_nat_packet *p, const struct mapping *m)
{
	struct emit_args a = {kind, reason, p->l4, &p->src, &p->dst, m ? &m->info.external : NULL, m};
	emit(nat, now, &a);
}

/* A decision about an inbound packet (outside = its source, external = its destination). */
static void emit_in(const struct rtclab_nat *nat, rtclab_time_ns now, enum rtclab_nat_decision_kind kind,
		    enum rtclab_nat_reason reason, const struct rtclab_nat_packet *p, const struct mapping *m)
{
	struct emit_args a = {kind, reason, p->l4, m ? &m->info.internal : NULL, &p->src, &p->dst, m};
	emit(nat, now, &a);
}

/* --- mappings ----------------------------------------------------------------------- */

static void mapping_free(struct mapping *m)
{
	free(m->remotes);
	m->remotes = NULL;
}

static void remove_mapping(struct rtclab_nat *nat, size_t i)
{
	mapping_free(&nat->maps[i]);
	memmove(&nat->maps[i], &nat->maps[i + 1], (nat->n_maps - i - 1) * sizeof nat->maps[0]);
	nat->n_maps--;
}

static void expire_at(struct rtclab_nat *nat, size_t i, rtclab_time_ns now, enum rtclab_nat_reason reason)
{
	const struct mapping *m = &nat->maps[i];
	struct emit_args a = {RTCLAB_NAT_MAPPING_EXPIRED, reason,        m->info.l4, &m->info.internal,
			      &m->info.remote,            &m->info.external, m};
	emit(nat, now, &a);
	remove_mapping(nat, i);
}

/* The mapping that expires first (ties: the oldest), if it expires by now. */
static bool first_expired(const struct rtclab_nat *nat, rtclab_time_ns now, size_t *idx)
{
	bool found = false;
	for (size_t i = 0; i < nat->n_maps; i++) {
		rtclab_time_ns e = nat->maps[i].info.expires;
		if (e <= now && (!found || e < nat->maps[*idx].info.expires)) {
			*idx = i;
			found = true;
		}
	}
	return found;
}

void rtclab_nat_advance(struct rtclab_nat *nat, rtclab_time_ns now)
{
	size_t i = 0;
	while (first_expired(nat, now, &i))
		expire_at(nat, i, nat->maps[i].info.expires, RTCLAB_NAT_R_TIMEOUT);
}

rtclab_time_ns rtclab_nat_next_expiry(const struct rtclab_nat *nat)
{
	rtclab_time_ns t = RTCLAB_NEVER;
	for (size_t i = 0; i < nat->n_maps; i++)
		if (nat->maps[i].info.expires < t)
			t = nat->maps[i].info.expires;
	return t;
}

void rtclab_nat_flush(struct rtclab_nat *nat, rtclab_time_ns now)
{
	while (nat->n_maps > 0)
		expire_at(nat, 0, now, RTCLAB_NAT_R_FLUSHED);
}

/* The outbound key of RFC 4787 4.1: the internal endpoint, plus the remote
 * address (AD) or address and port (APD).  Pinholes are keyed by the
 * internal endpoint only. */
static bool key_matches(const struct rtclab_nat *nat, const struct mapping *m, const struct rtclab_nat_packet *p,
			bool translate)
{
	if (m->info.l4 != p->l4 || m->info.translated != translate || !rtclab_addr_equal(&m->info.internal, &p->src))
		return false;
	if (!translate)
		return true;
	switch (nat->cfg.mapping) {
	case RTCLAB_NAT_EI:
		return true;
	case RTCLAB_NAT_AD:
		return same_ip(&m->info.remote, &p->dst);
	case RTCLAB_NAT_APD:
		return rtclab_addr_equal(&m->info.remote, &p->dst);
	}
	return false;
}

static struct mapping *find_outbound(struct rtclab_nat *nat, const struct rtclab_nat_packet *p, bool translate)
{
	for (size_t i = 0; i < nat->n_maps; i++)
		if (key_matches(nat, &nat->maps[i], p, translate))
			return &nat->maps[i];
	return NULL;
}

/* The mapping an inbound packet to dst belongs to. */
static struct mapping *find_inbound(struct rtclab_nat *nat, enum rtclab_l4 l4, const struct rtclab_addr *dst,
				    bool translate)
{
	for (size_t i = 0; i < nat->n_maps; i++) {
		struct mapping *m = &nat->maps[i];
		if (m->info.l4 == l4 && m->info.translated == translate && rtclab_addr_equal(&m->info.external, dst))
			return m;
	}
	return NULL;
}

static struct remote *find_remote(const struct mapping *m, const struct rtclab_addr *addr, bool port_too)
{
	for (size_t i = 0; i < m->n_remotes; i++)
		if (port_too ? rtclab_addr_equal(&m->remotes[i].addr, addr) : same_ip(&m->remotes[i].addr, addr))
			return &m->remotes[i];
	return NULL;
}

/* Remember that m sent to addr; past RTCLAB_NAT_MAX_REMOTES the remote sent
 * to least recently is forgotten.  false when out of memory. */
static bool note_remote(struct mapping *m, const struct rtclab_addr *addr, rtclab_time_ns now)
{
	struct remote *r = find_remote(m, addr, true);
	if (!r && m->n_remotes == RTCLAB_NAT_MAX_REMOTES) {
		r = &m->remotes[0];
		for (size_t i = 1; i < m->n_remotes; i++)
			if (m->remotes[i].last < r->last)
				r = &m->remotes[i];
		r->addr = *addr;
	}
	if (!r) {
		if (m->n_remotes == m->cap_remotes) {
			size_t cap = m->cap_remotes ? m->cap_remotes * 2 : 4;
			struct remote *nr = realloc(m->remotes, cap * sizeof *nr);
			if (!nr)
				return false;
			m->remotes = nr;
			m->cap_remotes = cap;
		}
		r = &m->remotes[m->n_remotes++];
		r->addr = *addr;
	}
	r->last = now;
	return true;
}

/* RFC 4787 5: whether the mapping lets a packet from src in. */
static enum rtclab_nat_reason filter_check(const struct rtclab_nat *nat, const struct mapping *m,
					   const struct rtclab_addr *src)
{
	switch (nat->cfg.filtering) {
	case RTCLAB_NAT_EI:
		return RTCLAB_NAT_R_NONE;
	case RTCLAB_NAT_AD:
		return find_remote(m, src, false) ? RTCLAB_NAT_R_NONE : RTCLAB_NAT_R_ADDRESS_NOT_SENT;
	case RTCLAB_NAT_APD:
		if (find_remote(m, src, true))
			return RTCLAB_NAT_R_NONE;
		return find_remote(m, src, false) ? RTCLAB_NAT_R_PORT_NOT_SENT : RTCLAB_NAT_R_ADDRESS_NOT_SENT;
	}
	return RTCLAB_NAT_R_NONE;
}

/* --- port assignment (RFC 4787 4.2) --------------------------------------------------- */

static bool port_used(const struct rtclab_nat *nat, const struct rtclab_addr *ext, enum rtclab_l4 l4, uint16_t port)
{
	for (size_t i = 0; i < nat->n_maps; i++) {
		const struct mapping *m = &nat->maps[i];
		if (m->info.translated && m->info.l4 == l4 && m->info.external.port == port &&
		    same_ip(&m->info.external, ext))
			return true;
	}
	return false;
}

static bool port_fits(const struct rtclab_nat *nat, const struct rtclab_addr *ext, enum rtclab_l4 l4,
		      uint16_t internal_port, uint32_t port)
{
	if (nat->cfg.port_parity && (port & 1u) != (internal_port & 1u))
		return false;
	return !port_used(nat, ext, l4, (uint16_t)port);
}

/* The first fitting port at or after offset start in the range. */
static bool scan_range(struct rtclab_nat *nat, const struct rtclab_addr *ext, enum rtclab_l4 l4,
		       uint16_t internal_port, uint32_t start, uint16_t *port)
{
	uint32_t n = (uint32_t)nat->cfg.port_max - nat->cfg.port_min + 1;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t off = (start + i) % n;
		uint32_t p = nat->cfg.port_min + off;
		if (port_fits(nat, ext, l4, internal_port, p)) {
			nat->cursor = (off + 1) % n;
			*port = (uint16_t)p;
			return true;
		}
	}
	return false;
}

static bool assign_port(struct rtclab_nat *nat, const struct rtclab_addr *ext, enum rtclab_l4 l4,
			uint16_t internal_port, uint16_t *port)
{
	uint32_t n = (uint32_t)nat->cfg.port_max - nat->cfg.port_min + 1;
	switch (nat->cfg.port_alloc) {
	case RTCLAB_NAT_PORT_PRESERVE:
		/* 4.2.1: "port preservation" when no other mapping holds the port */
		if (internal_port != 0 && !port_used(nat, ext, l4, internal_port)) {
			*port = internal_port;
			return true;
		}
		return scan_range(nat, ext, l4, internal_port, nat->cursor, port);
	case RTCLAB_NAT_PORT_SEQUENTIAL:
		return scan_range(nat, ext, l4, internal_port, nat->cursor, port);
	case RTCLAB_NAT_PORT_RANDOM:
		for (int tries = 0; tries < 32; tries++) {
			uint32_t p = nat->cfg.port_min + (uint32_t)rtclab_rng_below(nat->rng, n);
			if (port_fits(nat, ext, l4, internal_port, p)) {
				*port = (uint16_t)p;
				return true;
			}
		}
		return scan_range(nat, ext, l4, internal_port, (uint32_t)rtclab_rng_below(nat->rng, n), port);
	}
	return false;
}

/* RFC 4787 4.1 REQ-2: the same external IP for every mapping of an internal IP. */
static const struct rtclab_addr *paired_external(struct rtclab_nat *nat, const struct rtclab_addr *internal)
{
	for (size_t i = 0; i < nat->n_pairs; i++)
		if (same_ip(&nat->pairs[i].internal, internal))
			return &nat->external[nat->pairs[i].external];
	size_t e = nat->next_external;
	nat->next_external = (nat->next_external + 1) % nat->n_external;
	if (nat->n_pairs == nat->cap_pairs) {
		size_t cap = nat->cap_pairs ? nat->cap_pairs * 2 : 8;
		struct pairing *np = realloc(nat->pairs, cap * sizeof *np);
		if (!np)
			return &nat->external[e]; /* unpaired this once; still a valid address */
		nat->pairs = np;
		nat->cap_pairs = cap;
	}
	nat->pairs[nat->n_pairs].internal = *internal;
	nat->pairs[nat->n_pairs].internal.port = 0;
	nat->pairs[nat->n_pairs].external = e;
	nat->n_pairs++;
	return &nat->external[e];
}

/* A new mapping for packet p; NULL with *why set when none can be made. */
static struct mapping *create_mapping(struct rtclab_nat *nat, rtclab_time_ns now, const struct rtclab_nat_packet *p,
				      bool translate, enum rtclab_nat_reason *why)
{
	if (nat->n_maps >= nat->cfg.max_mappings) {
		*why = RTCLAB_NAT_R_TABLE_FULL;
		return NULL;
	}
	struct rtclab_addr ext = p->src;
	if (translate) {
		ext = *paired_external(nat, &p->src);
		if (!assign_port(nat, &ext, p->l4, p->src.port, &ext.port)) {
			*why = RTCLAB_NAT_R_NO_PORT;
			return NULL;
		}
	}
	if (nat->n_maps == nat->cap_maps) {
		size_t cap = nat->cap_maps ? nat->cap_maps * 2 : 8;
		struct mapping *nm = realloc(nat->maps, cap * sizeof *nm);
		if (!nm) {
			*why = RTCLAB_NAT_R_TABLE_FULL;
			return NULL;
		}
		nat->maps = nm;
		nat->cap_maps = cap;
	}
	struct mapping *m = &nat->maps[nat->n_maps++];
	memset(m, 0, sizeof *m);
	m->info.id = ++nat->next_id;
	m->info.l4 = p->l4;
	m->info.internal = p->src;
	m->info.external = ext;
	m->info.remote = p->dst;
	m->info.created = now;
	m->info.lifetime = lifetime(nat, p->l4);
	m->info.translated = translate;
	return m;
}

/* The outbound half of every packet from inside: find or create the
 * mapping, note the remote, restart the timer (REQ-6), report it. */
static struct mapping *outbound_mapping(struct rtclab_nat *nat, rtclab_time_ns now, const struct rtclab_nat_packet *p,
					bool translate)
{
	enum rtclab_nat_reason why = RTCLAB_NAT_R_NONE;
	enum rtclab_nat_decision_kind kind = RTCLAB_NAT_MAPPING_REFRESHED;
	struct mapping *m = find_outbound(nat, p, translate);
	if (m && !find_remote(m, &p->dst, true))
		kind = RTCLAB_NAT_MAPPING_REUSED;
	if (!m) {
		m = create_mapping(nat, now, p, translate, &why);
		kind = RTCLAB_NAT_MAPPING_CREATED;
	}
	if (m && !note_remote(m, &p->dst, now)) {
		if (kind == RTCLAB_NAT_MAPPING_CREATED)
			remove_mapping(nat, nat->n_maps - 1);
		m = NULL;
		why = RTCLAB_NAT_R_TABLE_FULL;
	}
	if (!m) {
		emit_out(nat, now, RTCLAB_NAT_DROPPED, why, p, NULL);
		return NULL;
	}
	m->info.expires = now + lifetime(nat, p->l4);
	emit_out(nat, now, kind, RTCLAB_NAT_R_NONE, p, m);
	return m;
}

/* --- firewall ----------------------------------------------------------------------- */

static enum rtclab_nat_reason firewall_outbound(struct rtclab_nat *nat, const struct rtclab_nat_packet *p,
						bool translate)
{
	switch (nat->cfg.firewall) {
	case RTCLAB_NAT_FW_NONE:
		return RTCLAB_NAT_R_NONE;
	case RTCLAB_NAT_FW_BLOCK_UDP:
		return p->l4 == RTCLAB_L4_UDP ? RTCLAB_NAT_R_UDP_BLOCKED : RTCLAB_NAT_R_NONE;
	case RTCLAB_NAT_FW_TCP_443:
		if (p->l4 != RTCLAB_L4_TCP)
			return RTCLAB_NAT_R_UDP_BLOCKED;
		if (p->dst.port != 443)
			return RTCLAB_NAT_R_TCP_NOT_443;
		if (!p->syn) {
			const struct mapping *m = find_outbound(nat, p, translate);
			if (!m || !find_remote(m, &p->dst, true))
				return RTCLAB_NAT_R_TCP_NOT_OPENED;
		}
		return RTCLAB_NAT_R_NONE;
	}
	return RTCLAB_NAT_R_NONE;
}

/* --- packets ------------------------------------------------------------------------- */

static bool packet_ok(const struct rtclab_nat_packet *p)
{
	return (p->l4 == RTCLAB_L4_UDP || p->l4 == RTCLAB_L4_TCP) && p->src.family == p->dst.family &&
	       (p->src.family == RTCLAB_FAMILY_IPV4 || p->src.family == RTCLAB_FAMILY_IPV6);
}

bool rtclab_nat_is_external(const struct rtclab_nat *nat, const struct rtclab_addr *addr)
{
	for (size_t i = 0; i < nat->n_external; i++)
		if (same_ip(&nat->external[i], addr))
			return true;
	return false;
}

bool rtclab_nat_passes_untranslated(const struct rtclab_nat *nat, enum rtclab_family family)
{
	return !translates(nat, family);
}

static enum rtclab_nat_verdict hairpin(struct rtclab_nat *nat, rtclab_time_ns now, const struct rtclab_nat_packet *in,
				       struct rtclab_nat_packet *out)
{
	if (nat->cfg.hairpin == RTCLAB_NAT_HAIRPIN_OFF) {
		emit_out(nat, now, RTCLAB_NAT_DROPPED, RTCLAB_NAT_R_NO_HAIRPIN, in, NULL);
		return RTCLAB_NAT_DROP;
	}
	const struct mapping *m = outbound_mapping(nat, now, in, true);
	if (!m)
		return RTCLAB_NAT_DROP;
	struct rtclab_addr from = m->info.external;
	/* the looped-back packet is filtered as any inbound one (RFC 4787 6) */
	struct rtclab_nat_packet as_in = {in->l4, in->syn, from, in->dst};
	const struct mapping *t = find_inbound(nat, in->l4, &in->dst, true);
	enum rtclab_nat_reason why = t ? filter_check(nat, t, &from) : RTCLAB_NAT_R_NO_MAPPING;
	if (why != RTCLAB_NAT_R_NONE) {
		emit_in(nat, now, RTCLAB_NAT_INBOUND_FILTERED, why, &as_in, t);
		return RTCLAB_NAT_DROP;
	}
	out->src = nat->cfg.hairpin == RTCLAB_NAT_HAIRPIN_EXTERNAL ? from : in->src;
	out->dst = t->info.internal;
	struct emit_args a = {RTCLAB_NAT_HAIRPINNED, RTCLAB_NAT_R_NONE, in->l4, &in->src, &in->dst, &from, t};
	emit(nat, now, &a);
	return RTCLAB_NAT_HAIRPIN;
}

enum rtclab_nat_verdict rtclab_nat_outbound(struct rtclab_nat *nat, rtclab_time_ns now,
					    const struct rtclab_nat_packet *in, struct rtclab_nat_packet *out)
{
	rtclab_nat_advance(nat, now);
	*out = *in;
	if (!packet_ok(in)) {
		emit_out(nat, now, RTCLAB_NAT_DROPPED, RTCLAB_NAT_R_FAMILY, in, NULL);
		return RTCLAB_NAT_DROP;
	}
	bool translate = translates(nat, in->src.family);
	enum rtclab_nat_reason fw = firewall_outbound(nat, in, translate);
	if (fw != RTCLAB_NAT_R_NONE) {
		emit_out(nat, now, RTCLAB_NAT_FIREWALL_DROPPED, fw, in, NULL);
		return RTCLAB_NAT_DROP;
	}
	if (translate && rtclab_nat_is_external(nat, &in->dst))
		return hairpin(nat, now, in, out);
	if (!translate && !keeps_pinholes(nat)) {
		emit_out(nat, now, RTCLAB_NAT_OUTBOUND_FORWARDED, RTCLAB_NAT_R_NONE, in, NULL);
		return RTCLAB_NAT_PASS;
	}
	const struct mapping *m = outbound_mapping(nat, now, in, translate);
	if (!m)
		return RTCLAB_NAT_DROP;
	out->src = m->info.external;
	emit_out(nat, now, translate ? RTCLAB_NAT_OUTBOUND_TRANSLATED : RTCLAB_NAT_OUTBOUND_FORWARDED,
		 RTCLAB_NAT_R_NONE, in, m);
	return RTCLAB_NAT_PASS;
}

/* Why an inbound packet that found mapping m (or none) may not pass. */
static enum rtclab_nat_reason inbound_check(const struct rtclab_nat *nat, const struct mapping *m,
					    const struct rtclab_nat_packet *p, bool translate,
					    enum rtclab_nat_decision_kind *kind)
{
	bool tcp_fw = nat->cfg.firewall == RTCLAB_NAT_FW_TCP_443;
	*kind = RTCLAB_NAT_INBOUND_FILTERED;
	if (tcp_fw && (!m || !find_remote(m, &p->src, true))) {
		/* only packets of connections opened from inside (RFC 5382 4) */
		*kind = RTCLAB_NAT_FIREWALL_DROPPED;
		return RTCLAB_NAT_R_NOT_ESTABLISHED;
	}
	if (!translate && !nat->cfg.filter_untranslated)
		return RTCLAB_NAT_R_NONE;
	if (!m)
		return RTCLAB_NAT_R_NO_MAPPING;
	return filter_check(nat, m, &p->src);
}

enum rtclab_nat_verdict rtclab_nat_inbound(struct rtclab_nat *nat, rtclab_time_ns now,
					   const struct rtclab_nat_packet *in, struct rtclab_nat_packet *out)
{
	rtclab_nat_advance(nat, now);
	*out = *in;
	if (!packet_ok(in)) {
		emit_in(nat, now, RTCLAB_NAT_DROPPED, RTCLAB_NAT_R_FAMILY, in, NULL);
		return RTCLAB_NAT_DROP;
	}
	bool translate = translates(nat, in->dst.family);
	if (in->l4 == RTCLAB_L4_UDP && nat->cfg.firewall != RTCLAB_NAT_FW_NONE) {
		emit_in(nat, now, RTCLAB_NAT_FIREWALL_DROPPED, RTCLAB_NAT_R_UDP_BLOCKED, in, NULL);
		return RTCLAB_NAT_DROP;
	}
	if (!translate && !keeps_pinholes(nat)) {
		emit_in(nat, now, RTCLAB_NAT_INBOUND_FORWARDED, RTCLAB_NAT_R_NONE, in, NULL);
		return RTCLAB_NAT_PASS;
	}
	struct mapping *m = find_inbound(nat, in->l4, &in->dst, translate);
	enum rtclab_nat_decision_kind kind;
	enum rtclab_nat_reason why = inbound_check(nat, m, in, translate, &kind);
	if (why != RTCLAB_NAT_R_NONE) {
		emit_in(nat, now, kind, why, in, m);
		return RTCLAB_NAT_DROP;
	}
	if (m && nat->cfg.inbound_refresh) {
		m->info.expires = now + lifetime(nat, in->l4);
		emit_in(nat, now, RTCLAB_NAT_MAPPING_REFRESHED, RTCLAB_NAT_R_NONE, in, m);
	}
	if (m)
		out->dst = m->info.internal;
	emit_in(nat, now, translate ? RTCLAB_NAT_INBOUND_TRANSLATED : RTCLAB_NAT_INBOUND_FORWARDED, RTCLAB_NAT_R_NONE,
		in, m);
	return RTCLAB_NAT_PASS;
}

/* --- life cycle ---------------------------------------------------------------------- */

static enum rtclab_nat_error check_config(const struct rtclab_nat_config *cfg, size_t n_external,
					  const struct rtclab_rng *rng)
{
	if ((unsigned)cfg->mapping > RTCLAB_NAT_APD || (unsigned)cfg->filtering > RTCLAB_NAT_APD ||
	    (unsigned)cfg->port_alloc > RTCLAB_NAT_PORT_RANDOM || (unsigned)cfg->hairpin > RTCLAB_NAT_HAIRPIN_INTERNAL ||
	    (unsigned)cfg->firewall > RTCLAB_NAT_FW_TCP_443)
		return RTCLAB_NAT_E_BEHAVIOR;
	if (cfg->port_min == 0 || cfg->port_min > cfg->port_max)
		return RTCLAB_NAT_E_PORT_RANGE;
	if (cfg->udp_lifetime <= 0 || cfg->tcp_lifetime <= 0)
		return RTCLAB_NAT_E_LIFETIME;
	if (cfg->translate && n_external == 0)
		return RTCLAB_NAT_E_NO_EXTERNAL;
	if (cfg->port_alloc == RTCLAB_NAT_PORT_RANDOM && !rng)
		return RTCLAB_NAT_E_NO_RNG;
	return RTCLAB_NAT_OK;
}

static enum rtclab_nat_error check_external(const struct rtclab_addr *external, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (external[i].family != RTCLAB_FAMILY_IPV4)
			return RTCLAB_NAT_E_EXTERNAL;
		for (size_t j = 0; j < i; j++)
			if (same_ip(&external[i], &external[j]))
				return RTCLAB_NAT_E_EXTERNAL;
	}
	return RTCLAB_NAT_OK;
}

enum rtclab_nat_error rtclab_nat_new(struct rtclab_nat **out, const struct rtclab_nat_config *cfg,
				     const struct rtclab_addr *external, size_t n_external, struct rtclab_rng *rng,
				     rtclab_nat_decision_fn decide, void *arg)
{
	*out = NULL;
	enum rtclab_nat_error e = check_config(cfg, n_external, rng);
	if (e == RTCLAB_NAT_OK)
		e = check_external(external, n_external);
	if (e != RTCLAB_NAT_OK)
		return e;
	struct rtclab_nat *nat = calloc(1, sizeof *nat);
	if (!nat)
		return RTCLAB_NAT_E_NOMEM;
	nat->external = calloc(n_external ? n_external : 1, sizeof *nat->external);
	if (!nat->external) {
		free(nat);
		return RTCLAB_NAT_E_NOMEM;
	}
	for (size_t i = 0; i < n_external; i++) {
		nat->external[i] = external[i];
		nat->external[i].port = 0;
	}
	nat->n_external = n_external;
	nat->cfg = *cfg;
	if (nat->cfg.max_mappings == 0)
		nat->cfg.max_mappings = RTCLAB_NAT_DEFAULT_MAX_MAPPINGS;
	nat->rng = rng;
	nat->decide = decide;
	nat->arg = arg;
	*out = nat;
	return RTCLAB_NAT_OK;
}

void rtclab_nat_free(struct rtclab_nat *nat)
{
	if (!nat)
		return;
	for (size_t i = 0; i < nat->n_maps; i++)
		mapping_free(&nat->maps[i]);
	free(nat->maps);
	free(nat->pairs);
	free(nat->external);
	free(nat);
}

const struct rtclab_nat_config *rtclab_nat_config(const struct rtclab_nat *nat)
{
	return &nat->cfg;
}

size_t rtclab_nat_mapping_count(const struct rtclab_nat *nat)
{
	return nat->n_maps;
}

bool rtclab_nat_mapping_at(const struct rtclab_nat *nat, size_t i, struct rtclab_nat_mapping_info *info)
{
	if (i >= nat->n_maps)
		return false;
	*info = nat->maps[i].info;
	return true;
}
