/* rtclab/ice_agent.h - a sans-I/O ICE agent (RFC 8445), full or lite, with
 * trickle ICE (RFC 8838), consent freshness (RFC 7675) and a TURN client
 * (RFC 8656).
 *
 * The agent never reads a clock or a socket.  The caller (the simulator, or
 * later a real event loop) feeds it the current time and each datagram that
 * arrives at one of its sockets; the agent hands the datagrams it sends to
 * config.send (src is always one of config.hosts) and says when it wants to
 * be woken next (rtclab_ice_agent_next_timer).  Every random choice
 * (ufrag, pwd, tie-breaker, transaction IDs, consent jitter) comes from
 * the caller's rtclab_rng, so one seed gives the same bytes.
 *
 * One component (RTP and RTCP multiplexed, as WebRTC does), UDP candidates;
 * TURN servers over UDP or TCP.  A typical run:
 *
 *   a = rtclab_ice_agent_new(&cfg, &err);
 *   rtclab_ice_agent_gather(a, now);          candidates come out as events
 *   rtclab_ice_agent_set_remote_credentials(a, ufrag, pwd);
 *   rtclab_ice_agent_set_remote_lite(a, now, sdp->ice.lite);   a=ice-lite
 *   rtclab_ice_agent_add_remote_candidate(a, now, "candidate:...");  any time
 *   rtclab_ice_agent_remote_gathering_done(a, now);
 *   loop: rtclab_ice_agent_receive(a, now, ...) for each datagram,
 *         rtclab_ice_agent_timeout(a, now) at rtclab_ice_agent_next_timer(a)
 */
#ifndef RTCLAB_ICE_AGENT_H
#define RTCLAB_ICE_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtclab/addr.h"
#include "rtclab/candidate.h"
#include "rtclab/ice.h"
#include "rtclab/simio.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RTCLAB_ICE_AGENT_MAX_HOSTS 8
#define RTCLAB_ICE_AGENT_MAX_SERVERS 4     /* STUN servers, and TURN servers, each */
#define RTCLAB_ICE_AGENT_MAX_LOCAL 32      /* local candidates, peer-reflexive ones included */
#define RTCLAB_ICE_AGENT_MAX_REMOTE 32     /* remote candidates, peer-reflexive ones included */
#define RTCLAB_ICE_AGENT_MAX_PAIRS 128     /* check list (at most 100 checked, RFC 8445 6.1.2.5) plus valid pairs */
#define RTCLAB_ICE_AGENT_MAX_DATA 8192     /* largest application payload */
#define RTCLAB_ICE_AGENT_MAX_CRED 256      /* longest ufrag, pwd, TURN username or password, with the NUL */

enum rtclab_ice_role {
	RTCLAB_ICE_CONTROLLING = 0,
	RTCLAB_ICE_CONTROLLED,
};
const char *rtclab_ice_role_name(enum rtclab_ice_role r); /* "controlling", "controlled" */

/* The agent's state, as RTCPeerConnection.iceConnectionState names them. */
enum rtclab_ice_agent_state {
	RTCLAB_ICE_STATE_NEW = 0,      /* nothing started */
	RTCLAB_ICE_STATE_GATHERING,    /* gathering, no remote credentials yet */
	RTCLAB_ICE_STATE_CHECKING,     /* connectivity checks running, nothing selected */
	RTCLAB_ICE_STATE_CONNECTED,    /* a pair is selected (nominated); data flows; checks may go on */
	RTCLAB_ICE_STATE_COMPLETED,    /* selected, no check left to run and gathering done */
	RTCLAB_ICE_STATE_FAILED,       /* every pair failed, or the timeout passed, or consent was lost */
	RTCLAB_ICE_STATE_DISCONNECTED, /* selected, but consent checks have gone unanswered a while */
};
const char *rtclab_ice_agent_state_name(enum rtclab_ice_agent_state s); /* "new", "checking", ... */

/* Errors are values. */
enum rtclab_ice_agent_error {
	RTCLAB_ICE_AGENT_OK = 0,
	RTCLAB_ICE_AGENT_E_INVALID_ARG,   /* a NULL where something is needed, a bad credential */
	RTCLAB_ICE_AGENT_E_NO_MEMORY,
	RTCLAB_ICE_AGENT_E_BAD_CANDIDATE, /* a candidate line that does not parse */
	RTCLAB_ICE_AGENT_E_UNSUPPORTED,   /* a candidate the agent cannot use (TCP, another component, a name) */
	RTCLAB_ICE_AGENT_E_TOO_MANY,      /* a table is full */
	RTCLAB_ICE_AGENT_E_NOT_CONNECTED, /* no selected pair (or consent lost) */
	RTCLAB_ICE_AGENT_E_TOO_LARGE,     /* a payload above RTCLAB_ICE_AGENT_MAX_DATA */
	RTCLAB_ICE_AGENT_E_NO_CREDENTIALS,/* remote ufrag/pwd not set */
};
const char *rtclab_ice_agent_error_str(enum rtclab_ice_agent_error e);

struct rtclab_ice_turn_server {
	struct rtclab_addr addr;
	enum rtclab_l4 transport;        /* RTCLAB_L4_UDP or RTCLAB_L4_TCP */
	const char *username, *password; /* long-term credentials (copied) */
};

/* What the agent reports as it goes. */
enum rtclab_ice_event_kind {
	RTCLAB_ICE_EV_STATE = 0,      /* the agent state changed: state */
	RTCLAB_ICE_EV_CANDIDATE,      /* a new local candidate to signal: candidate (a "candidate:..." line) */
	RTCLAB_ICE_EV_GATHERING_DONE, /* end of local candidates (signal end-of-candidates) */
	RTCLAB_ICE_EV_PAIR,           /* a pair changed state or was nominated: pair */
	RTCLAB_ICE_EV_SELECTED,       /* a pair was selected: pair */
	RTCLAB_ICE_EV_ROLE,           /* the role changed (conflict resolved) */
	RTCLAB_ICE_EV_TURN,           /* TURN client progress: allocation, permission, channel, refresh */
	RTCLAB_ICE_EV_NOTE,           /* anything else worth a line: a message dropped and why */
};
const char *rtclab_ice_event_kind_name(enum rtclab_ice_event_kind k);

struct rtclab_ice_event {
	enum rtclab_ice_event_kind kind;
	rtclab_time_ns now;
	enum rtclab_ice_agent_state state; /* the current state (the new one for RTCLAB_ICE_EV_STATE) */
	size_t pair;                       /* index for rtclab_ice_agent_pair(), SIZE_MAX when none */
	const char *candidate;             /* RTCLAB_ICE_EV_CANDIDATE: the line; else NULL */
	const char *text;                  /* one sentence saying what happened and why */
};

struct rtclab_ice_agent_config {
	enum rtclab_ice_role role;
	struct rtclab_rng *rng;          /* required; the agent keeps the pointer */
	const char *ufrag, *pwd;         /* NULL: generated (RFC 8445 5.3: 24 and 128 bits of randomness) */
	const struct rtclab_addr *hosts; /* the caller's UDP sockets (IPv4 and IPv6), preferred first */
	size_t n_hosts;
	const struct rtclab_addr *stun_servers;
	size_t n_stun_servers;
	const struct rtclab_ice_turn_server *turn_servers;
	size_t n_turn_servers;
	bool trickle;                    /* report each candidate as found; false: all at the end of gathering */
	rtclab_time_ns ta;               /* pacing of new transactions; 0: 50 ms (RFC 8445 14.2) */
	rtclab_time_ns rto;              /* initial RTO; 0: RFC 8445 14.3 (at least 500 ms) */
	unsigned rc;                     /* requests per transaction; 0: 7 (RFC 8489 6.2.1) */
	unsigned rm;                     /* last wait, in RTOs; 0: 16 (RFC 8489 6.2.1) */
	rtclab_time_ns consent_interval; /* 0: 5 s, randomized 0.8-1.2 (RFC 7675 5.1) */
	rtclab_time_ns consent_timeout;  /* 0: 30 s (RFC 7675 5.1) */
	rtclab_time_ns nomination_delay; /* controlling: how long after the first valid pair to wait for a
					    better one before nominating; 0: 500 ms */
	rtclab_time_ns check_timeout;    /* fail when nothing is selected this long after checks start,
					    even without end-of-candidates; 0: 40 s */
	rtclab_send_fn send;             /* required */
	void *send_arg;
	void (*on_event)(void *arg, const struct rtclab_ice_event *ev);
	/* Application data (DTLS, SRTP) that arrived on the selected pair. */
	void (*on_data)(void *arg, rtclab_time_ns now, const void *data, size_t len);
	void *cb_arg;
	/* iceTransportPolicy "relay" (W3C webrtc-pc 4.2.3): only relayed local
	 * candidates are paired and checked; host sockets still reach the
	 * STUN and TURN servers. */
	bool relay_only;
	/* An ICE lite agent (RFC 8445 2.5), as servers with a public address
	 * often are: host candidates only (the STUN and TURN servers above are
	 * not used, 5.2); it never sends a request (no ordinary, triggered or
	 * consent check), answers checks, and selects the pair the peer's
	 * USE-CANDIDATE check arrives on (7.3.2, 8.2).  Controlled whatever
	 * `role` says, unless the peer is lite too (6.1.1).  Not with
	 * relay_only. */
	bool lite;
};

struct rtclab_ice_agent;

/* Create an agent (nothing is sent until gather).  NULL on error, *err says why. */
struct rtclab_ice_agent *rtclab_ice_agent_new(const struct rtclab_ice_agent_config *cfg,
					      enum rtclab_ice_agent_error *err);
void rtclab_ice_agent_free(struct rtclab_ice_agent *a);

/* Start gathering: host candidates now, server-reflexive and relayed ones as
 * the servers answer. */
void rtclab_ice_agent_gather(struct rtclab_ice_agent *a, rtclab_time_ns now);

/* The remote ice-ufrag and ice-pwd (from the SDP).  Checks start once these
 * are known and there are pairs. */
enum rtclab_ice_agent_error rtclab_ice_agent_set_remote_credentials(struct rtclab_ice_agent *a, const char *ufrag,
								    const char *pwd);
/* Whether the peer is an ICE lite agent: the remote description's
 * session-level a=ice-lite (RFC 8839 5.3); false until said.  RFC 8445
 * 6.1.1: a full agent with a lite peer takes the controlling role whatever
 * its configuration (a ROLE event says so), and does not wait for checks
 * from the peer, which sends none; a lite agent with a lite peer takes the
 * configured role (the initiating agent controls) and, with no checks on
 * either side, selects the pair of highest priority among those of the same
 * address family from the candidates (8.2).  Call it with the remote
 * credentials, before the candidates. */
enum rtclab_ice_agent_error rtclab_ice_agent_set_remote_lite(struct rtclab_ice_agent *a, rtclab_time_ns now,
							     bool lite);
/* A remote candidate: a "candidate:..." line (with or without "a=") or a parsed one. */
enum rtclab_ice_agent_error rtclab_ice_agent_add_remote_candidate(struct rtclab_ice_agent *a, rtclab_time_ns now,
								  const char *line);
enum rtclab_ice_agent_error rtclab_ice_agent_add_remote_candidate_parsed(struct rtclab_ice_agent *a,
									 rtclab_time_ns now,
									 const struct rtclab_candidate *c);
/* The remote side signalled end-of-candidates (RFC 8838 8.2). */
void rtclab_ice_agent_remote_gathering_done(struct rtclab_ice_agent *a, rtclab_time_ns now);

/* A datagram (or TCP chunk from a TURN server) arrived at local, one of the
 * hosts, from remote.  Returns false when it is not for this agent. */
bool rtclab_ice_agent_receive(struct rtclab_ice_agent *a, rtclab_time_ns now, enum rtclab_l4 l4,
			      const struct rtclab_addr *local, const struct rtclab_addr *remote, const void *data,
			      size_t len);

/* Run what is due at now (checks, retransmissions, consent, refreshes). */
void rtclab_ice_agent_timeout(struct rtclab_ice_agent *a, rtclab_time_ns now);
/* When to call rtclab_ice_agent_timeout next; RTCLAB_NEVER when nothing is pending. */
rtclab_time_ns rtclab_ice_agent_next_timer(const struct rtclab_ice_agent *a);

/* Send application data over the selected pair (through the TURN server
 * when the local candidate is relayed). */
enum rtclab_ice_agent_error rtclab_ice_agent_send_data(struct rtclab_ice_agent *a, rtclab_time_ns now,
						       const void *data, size_t len);

/* ICE restart (RFC 8445 9): new local ufrag and pwd, a new check list; data
 * stays on the selected pair until the new checks select one.  Set the new
 * remote credentials and candidates as for a first session. */
void rtclab_ice_agent_restart(struct rtclab_ice_agent *a, rtclab_time_ns now);

/* --- observation --------------------------------------------------------------- */

struct rtclab_ice_agent_candidate {
	enum rtclab_cand_type type;
	struct rtclab_addr addr;    /* the transport address */
	struct rtclab_addr base;    /* host: itself; srflx/prflx: the host socket; relay: the relayed address */
	struct rtclab_addr related; /* raddr/rport as signalled (the host of a srflx, the mapped address of a
				       relay); family NONE for host candidates */
	uint32_t priority;
	char foundation[33];
	struct rtclab_addr server;  /* srflx and relay: the STUN or TURN server that gave it */
	size_t host;                /* index of the host socket it sends from */
};

struct rtclab_ice_agent_pair {
	size_t local, remote;       /* indexes for rtclab_ice_agent_local/remote_candidate() */
	uint64_t priority;
	enum rtclab_ice_pair_state state;
	bool valid;                 /* in the valid list (a check on it succeeded, RFC 8445 7.2.5.3.2) */
	bool nominated;
	bool in_check_list;         /* false: only a valid pair found through a peer-reflexive mapped address */
	unsigned requests_sent, responses_received, requests_received, responses_sent;
	rtclab_time_ns last_response; /* last success response received, or -1 */
};

enum rtclab_ice_agent_state rtclab_ice_agent_get_state(const struct rtclab_ice_agent *a);
enum rtclab_ice_role rtclab_ice_agent_role(const struct rtclab_ice_agent *a);
uint64_t rtclab_ice_agent_tie_breaker(const struct rtclab_ice_agent *a);
const char *rtclab_ice_agent_local_ufrag(const struct rtclab_ice_agent *a);
const char *rtclab_ice_agent_local_pwd(const struct rtclab_ice_agent *a);
bool rtclab_ice_agent_gathering_done(const struct rtclab_ice_agent *a);

size_t rtclab_ice_agent_local_count(const struct rtclab_ice_agent *a);
const struct rtclab_ice_agent_candidate *rtclab_ice_agent_local_candidate(const struct rtclab_ice_agent *a,
									  size_t i);
size_t rtclab_ice_agent_remote_count(const struct rtclab_ice_agent *a);
const struct rtclab_ice_agent_candidate *rtclab_ice_agent_remote_candidate(const struct rtclab_ice_agent *a,
									   size_t i);
size_t rtclab_ice_agent_pair_count(const struct rtclab_ice_agent *a);
const struct rtclab_ice_agent_pair *rtclab_ice_agent_pair(const struct rtclab_ice_agent *a, size_t i);
/* Index of the selected pair, SIZE_MAX when none. */
size_t rtclab_ice_agent_selected(const struct rtclab_ice_agent *a);

/* A candidate as a "candidate:..." line (as the event gives it).  Returns the
 * length it needs (like snprintf). */
size_t rtclab_ice_agent_candidate_format(const struct rtclab_ice_agent_candidate *c, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
