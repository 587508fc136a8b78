/* rtclab/ice.h - ICE numbers that explain themselves: candidate priority
 * (RFC 8445 5.1.2), pair priority (6.1.2.3), foundations (5.1.1.3) and the
 * check list: formation, ordering, pruning and initial states (6.1.2). */
#ifndef RTCLAB_ICE_H
#define RTCLAB_ICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtclab/candidate.h"

#ifdef __cplusplus
extern "C" {
#endif

/* RFC 8445 5.1.2.2 recommended type preferences: host 126, prflx 110, srflx 100, relay 0. */
unsigned rtclab_ice_type_preference(enum rtclab_cand_type t);

/* RFC 8445 5.1.2.1: 2^24 type preference + 2^8 local preference + (256 - component).
 * Out-of-range parts are masked to their bits (type 8, local 16, 256 - component 8). */
uint32_t rtclab_ice_priority(unsigned type_pref, unsigned local_pref, unsigned component);

struct rtclab_ice_priority_parts {
	unsigned type_pref;  /* 0-126 (127 when the priority breaks the rule) */
	unsigned local_pref; /* 0-65535 */
	unsigned component;  /* 1-256 */
};
struct rtclab_ice_priority_parts rtclab_ice_priority_split(uint32_t priority);

/* "2122260223 = type preference 126 (host) x 2^24 + local preference 65535
 * x 2^8 + (256 - component 1)." plus a sentence on what each part says.
 * Returns the length it needs (like snprintf). */
size_t rtclab_ice_priority_explain(uint32_t priority, char *buf, size_t len);

/* RFC 8445 6.1.2.3: 2^32 MIN(G,D) + 2 MAX(G,D) + (G > D ? 1 : 0), with G the
 * controlling agent's candidate priority and D the controlled agent's. */
uint64_t rtclab_ice_pair_priority(uint32_t controlling, uint32_t controlled);
/* The formula with the numbers: "2^32 x MIN(G,D) + 2 x MAX(G,D) + (G > D ? 1 : 0)
 * = 2^32 x 1686052607 + 2 x 2122260223 + 1 = ..., with G = ... the controlling
 * agent's candidate priority and D = ... the controlled agent's".  Returns the
 * length it needs (like snprintf). */
size_t rtclab_ice_pair_priority_explain(uint32_t controlling, uint32_t controlled, char *buf, size_t len);

enum rtclab_ice_pair_state {
	RTCLAB_PAIR_FROZEN = 0,
	RTCLAB_PAIR_WAITING,
	RTCLAB_PAIR_IN_PROGRESS,
	RTCLAB_PAIR_SUCCEEDED,
	RTCLAB_PAIR_FAILED,
};
const char *rtclab_ice_pair_state_name(enum rtclab_ice_pair_state s);

/* Why a pair was left out of the check list. */
enum rtclab_ice_prune {
	RTCLAB_PRUNE_NONE = 0,
	RTCLAB_PRUNE_COMPONENT,  /* different components never pair */
	RTCLAB_PRUNE_FAMILY,     /* IPv4 with IPv6 */
	RTCLAB_PRUNE_TRANSPORT,  /* UDP with TCP, or TCP types that cannot connect to each other */
	RTCLAB_PRUNE_REDUNDANT,  /* same local base and remote as a higher-priority pair (6.1.2.4) */
	RTCLAB_PRUNE_LIMIT,      /* beyond the check list limit (6.1.2.5) */
	RTCLAB_PRUNE_UNRESOLVED, /* FQDN/mDNS name (remote, or a local one from a browser's SDP)
				    not resolved: cannot be paired offline */
};
/* One or two sentences: why such a pair is not checked. */
const char *rtclab_ice_prune_str(enum rtclab_ice_prune p);

struct rtclab_ice_pair {
	size_t local, remote;      /* indexes into the candidate arrays given */
	uint64_t priority;
	enum rtclab_ice_pair_state state; /* initial state (6.1.2.6) */
	enum rtclab_ice_prune pruned;     /* RTCLAB_PRUNE_NONE for pairs in the list */
	char foundation[72];       /* pair foundation: local and remote foundations, "1:2" */
	bool via_base;             /* the local candidate is reflexive (srflx, prflx) with a known
				      base (raddr/rport): checks are sent from that base (6.1.2.4) */
	size_t same_as;            /* RTCLAB_PRUNE_REDUNDANT: index in out of the higher-priority
				      pair with the same local base and remote candidate, SIZE_MAX
				      when that pair did not fit in out; SIZE_MAX otherwise */
};

struct rtclab_ice_checklist_opts {
	bool local_controlling;    /* is the local agent the controlling one? */
	size_t limit;              /* 0 = 100, the RFC 8445 6.1.2.5 default */
};

/* Form, prune and order the check list of RFC 8445 6.1.2 from the local
 * and remote candidates.  Kept pairs come first in priority order; pruned
 * pairs follow with their reason (so a student can see why).  Returns the
 * number of pairs written to out (at most max); *kept is the number of
 * pairs in the check list.
 *
 * - Every local candidate meets every remote one (n_local x n_remote pairs;
 *   give max that many to see them all).  A pair is pruned, in this order
 *   of checks, for different components, transports that cannot connect
 *   (only UDP with UDP, TCP active with passive, passive with active and
 *   so with so can), an unresolved host name on either side, or different
 *   families.
 * - G, in the pair priority, is the controlling agent's candidate priority:
 *   the local one when opts->local_controlling, else the remote one.
 * - Order: pair priority, highest first; equal priorities keep the order
 *   of the input (lower local index first, then lower remote index).
 *   Pruned pairs follow in the same order.
 * - 6.1.2.4: a local srflx or prflx candidate is replaced by its base
 *   (raddr:rport; not when raddr is 0.0.0.0 or ::, which hides it), and a
 *   pair whose local base and remote candidate (same address, port,
 *   transport and tcptype) equal those of a higher-priority pair is
 *   RTCLAB_PRUNE_REDUNDANT.  The pair keeps the priority of the reflexive
 *   candidate and its index in local.
 * - 6.1.2.5: past opts->limit kept pairs (0: 100) the rest are
 *   RTCLAB_PRUNE_LIMIT.
 * - 6.1.2.6: for each pair foundation, the kept pair with the lowest
 *   component and, among those, the highest priority is Waiting; every
 *   other kept pair is Frozen.  Pruned pairs are Frozen.
 * opts may be NULL: the local agent controlling, limit 100.
 * No allocation: time grows with the square of the number of pairs. */
size_t rtclab_ice_checklist(const struct rtclab_candidate *local, size_t n_local,
			    const struct rtclab_candidate *remote, size_t n_remote,
			    const struct rtclab_ice_checklist_opts *opts, struct rtclab_ice_pair *out, size_t max,
			    size_t *kept);

#ifdef __cplusplus
}
#endif
#endif
