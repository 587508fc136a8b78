/* rtclab/timeline.h - the handshake timeline: one model of a WebRTC
 * session that every front end renders (text ladder, JSON, Mermaid, SVG,
 * the TUI), built from the event stream of a capture (events.h) or of a
 * simulation.
 *
 * What the reconstruction does (lib/timeline.c):
 *   - Sessions.  An offer and its answer (from signaling, or supplied with
 *     rtclab_timeline_add_sdp()) make one session of two peers: A, the
 *     offerer, and B, the answerer.  STUN checks are matched to it by their
 *     USERNAME "remote-ufrag:local-ufrag" (RFC 8445 7.2.2).  Checks whose
 *     ufrags no description names make a session of their own, its peers
 *     named by what the capture shows.  A new offer with other ufrags on
 *     the same signaling connection, or from the same peer endpoints, is an
 *     ICE restart: a new generation of the same session.
 *   - Candidates with their source and time: from the SDP, trickled,
 *     server-reflexive from STUN Binding responses (XOR-MAPPED-ADDRESS),
 *     relayed from TURN Allocate responses (XOR-RELAYED-ADDRESS), and
 *     peer-reflexive: addresses checks come from that no candidate names.
 *   - Pairs and their checks: each transaction with its retransmissions,
 *     its response or timeout, round-trip time, USE-CANDIDATE, and whether
 *     its MESSAGE-INTEGRITY verifies with the ice-pwd of the description;
 *     consent freshness (RFC 7675) after selection, from both agents (the
 *     controlled agent's pair of the selected path is told by the
 *     candidates' bases and the nominating answer's mapped address, so it
 *     is found across NATs too), and consent lost when an agent's consent
 *     checks went unanswered for 30 s.  Checks relayed through
 *     TURN (Send/Data indications, ChannelData) are attributed to the
 *     relayed candidate; a message seen on two legs (client to TURN server,
 *     relay to peer) is counted once.
 *   - DTLS on the selected pair, compared with the a=setup attributes; the
 *     media or data flow after it.
 *   - Steps: every event placed in one of the six steps (story.h) with a
 *     sentence; an outcome with its reason; what the capture is missing.
 *
 * Memory is bounded by sessions, candidates, pairs and the checks kept per
 * pair (RTCLAB_TL_PAIR_CHECKS, the rest counted), never by packets: media
 * and consent checks are counted, not stored as steps.
 *
 * The model owns all its memory (no views into capture buffers).
 */
#ifndef RTCLAB_TIMELINE_H
#define RTCLAB_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "rtclab/addr.h"
#include "rtclab/candidate.h"
#include "rtclab/events.h"
#include "rtclab/nat.h"
#include "rtclab/story.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --- columns of the ladder: peers, signaling, STUN and TURN servers ---------------- */

enum rtclab_tl_node_kind {
	RTCLAB_TL_NODE_PEER = 0,
	RTCLAB_TL_NODE_SIGNALING,
	RTCLAB_TL_NODE_STUN,       /* a STUN server (Binding requests without USERNAME) */
	RTCLAB_TL_NODE_TURN,       /* a TURN server (Allocate, or tunnels) */
	RTCLAB_TL_NODE_OTHER,
	RTCLAB_TL_NODE_NAT,        /* a NAT or firewall of a simulation (its decisions) */
};

#define RTCLAB_TL_NAME_MAX 32

struct rtclab_tl_node {
	enum rtclab_tl_node_kind kind;
	char name[RTCLAB_TL_NAME_MAX];  /* "A", "B", "signaling", "STUN", "TURN", "TURN 2" */
	struct rtclab_addr addr;        /* servers: the address they were reached at; peers: unset */
	enum rtclab_l4 transport;       /* servers */
	int peer;                       /* PEER: index in session->peers */
};

/* --- peers ----------------------------------------------------------------------- */

enum rtclab_tl_role { RTCLAB_TL_ROLE_UNKNOWN = 0, RTCLAB_TL_OFFERER, RTCLAB_TL_ANSWERER };
enum rtclab_tl_ice_role { RTCLAB_TL_ICE_UNKNOWN = 0, RTCLAB_TL_CONTROLLING, RTCLAB_TL_CONTROLLED };

/* Where a peer's description came from. */
enum rtclab_tl_desc_source {
	RTCLAB_TL_DESC_NONE = 0,        /* not known: the ufrag comes from the checks */
	RTCLAB_TL_DESC_CAPTURE,         /* signaling in the capture */
	RTCLAB_TL_DESC_FILE,            /* rtclab_timeline_add_sdp() (--sdp FILE) */
	RTCLAB_TL_DESC_WEBRTC_INTERNALS,/* a chrome://webrtc-internals dump */
};

#define RTCLAB_TL_UFRAG_MAX 257         /* RFC 8839 5.4: 4-256 characters */
#define RTCLAB_TL_MAX_ENDPOINTS 16

struct rtclab_tl_peer {
	char name[RTCLAB_TL_NAME_MAX];  /* "A" (the offerer), "B" */
	enum rtclab_tl_role role;
	enum rtclab_tl_ice_role ice_role; /* from ICE-CONTROLLING/-CONTROLLED in its checks, else from the SDP */
	char ufrag[RTCLAB_TL_UFRAG_MAX];  /* the current generation's */
	char pwd[RTCLAB_TL_UFRAG_MAX];
	bool has_pwd;
	char setup[16];                 /* a=setup: "actpass", "active", "passive", "holdconn", or "" */
	bool ice_lite;
	bool end_of_candidates;         /* signalled (trickled, or a=end-of-candidates) */
	enum rtclab_tl_desc_source desc_source;
	char desc_file[128];            /* FILE, WEBRTC_INTERNALS: the file name */
	/* transport addresses it used for ICE, as seen on the wire (bases and relayed addresses) */
	size_t n_endpoints;
	struct rtclab_addr endpoints[RTCLAB_TL_MAX_ENDPOINTS];
	bool has_signaling;
	struct rtclab_addr signaling;   /* its end of the signaling connection */
	uint64_t checks_sent, checks_answered; /* transactions (retransmissions not counted) */
	int node;                       /* its column */
};

/* --- candidates ------------------------------------------------------------------ */

enum rtclab_tl_cand_source {
	RTCLAB_TL_FROM_SDP = 0,         /* an a=candidate line of the offer or answer */
	RTCLAB_TL_FROM_TRICKLE,         /* a trickled candidate (RFC 8838) */
	RTCLAB_TL_FROM_STUN,            /* XOR-MAPPED-ADDRESS of a STUN server's Binding response */
	RTCLAB_TL_FROM_TURN,            /* XOR-RELAYED-ADDRESS of an Allocate success response */
	RTCLAB_TL_FROM_CHECK,           /* a check came from (or was mapped to) an address no candidate names */
};

struct rtclab_tl_candidate {
	int peer;                       /* index in session->peers, -1 while not known */
	enum rtclab_cand_type type;
	enum rtclab_cand_transport transport;
	struct rtclab_addr addr;        /* family 0 when the address is a name (mDNS: see name) */
	char name[256];                 /* the connection address as written when it is not an IP address */
	uint32_t priority;              /* 0 when not known (learnt from the wire) */
	char foundation[33];
	bool has_related;
	struct rtclab_addr related;     /* raddr/rport, or the base a STUN/TURN server was asked from */
	enum rtclab_tl_cand_source source;
	int64_t time_ns;                /* when it was signalled or learnt */
	uint64_t frame;
	struct rtclab_addr server;      /* STUN, TURN: the server that told it */
};

/* --- pairs and checks -------------------------------------------------------------- */

enum rtclab_tl_pair_state {
	RTCLAB_TL_FROZEN = 0,           /* formed from signalled candidates, never checked */
	RTCLAB_TL_WAITING,              /* answered 487 Role Conflict: to be checked again (RFC 8445 7.2.5.1) */
	RTCLAB_TL_IN_PROGRESS,          /* checked, no answer yet when the capture ends */
	RTCLAB_TL_SUCCEEDED,
	RTCLAB_TL_FAILED,               /* an error response other than 487, or every other check timed out */
};

enum rtclab_tl_check_result {
	RTCLAB_TL_NO_RESPONSE = 0,      /* no response in the capture (it may have ended too early) */
	RTCLAB_TL_SUCCESS,
	RTCLAB_TL_ERROR,                /* error_code says which (487: role conflict) */
	RTCLAB_TL_TIMEOUT,              /* no response although the capture went on past the RFC 8489 6.2.1 timeout */
};

enum rtclab_tl_auth {
	RTCLAB_TL_AUTH_UNKNOWN = 0,     /* no password to check it with */
	RTCLAB_TL_AUTH_OK,              /* MESSAGE-INTEGRITY verifies with the ice-pwd */
	RTCLAB_TL_AUTH_BAD,             /* it does not */
	RTCLAB_TL_AUTH_ABSENT,          /* no MESSAGE-INTEGRITY */
};

struct rtclab_tl_check {
	uint8_t transaction_id[12];
	uint64_t frame;
	int64_t time_ns;
	unsigned transmissions;         /* 1 + retransmissions */
	bool use_candidate;
	enum rtclab_tl_ice_role role;   /* ICE-CONTROLLING or ICE-CONTROLLED in the request */
	uint32_t priority;              /* PRIORITY (0: absent) */
	bool consent;                   /* sent after the pair was selected: consent freshness (RFC 7675) */
	enum rtclab_tunnel_via via;     /* NONE, or how it went through TURN */
	enum rtclab_tl_auth request_auth, response_auth;
	enum rtclab_tl_check_result result;
	uint16_t error_code;
	uint64_t response_frame;
	int64_t response_time_ns;
	bool has_mapped;
	struct rtclab_addr mapped;      /* XOR-MAPPED-ADDRESS of the success response */
};

#define RTCLAB_TL_PAIR_CHECKS 16        /* checks kept per pair; the rest are counted */

struct rtclab_tl_pair {
	int peer;                       /* the agent whose pair it is: the one sending the checks */
	struct rtclab_addr local, remote;
	enum rtclab_cand_transport transport;
	int local_cand, remote_cand;    /* indices in session->candidates, -1 when not known */
	enum rtclab_tl_pair_state state;
	bool nominated;                 /* a USE-CANDIDATE request answered with success; between two ice-lite
					   agents, the pair their traffic took without checks (RFC 8445 8.2) */
	bool selected;
	uint64_t n_checks;              /* transactions */
	uint64_t n_requests;            /* including retransmissions */
	uint64_t n_success, n_errors, n_timeouts;
	uint64_t n_consent;             /* consent freshness checks among n_checks */
	uint64_t n_auth_ok, n_auth_bad; /* requests and responses whose MESSAGE-INTEGRITY was checked */
	int64_t first_check_ns, success_ns, nominated_ns, last_check_ns;
	int64_t rtt_ns;                 /* of the first successful check; -1 when none */
	size_t n_kept;
	struct rtclab_tl_check checks[RTCLAB_TL_PAIR_CHECKS];
};

/* The selected pair from the offerer's (A's) point of view. */
struct rtclab_tl_selected {
	bool has;
	int pair;                       /* index in session->pairs (that pair may be B's, reversed) */
	struct rtclab_addr local, remote;
	enum rtclab_cand_type local_type, remote_type;
	bool local_type_known, remote_type_known;
	enum rtclab_cand_transport transport;
	bool relayed;                   /* a relayed candidate on either side */
	enum rtclab_tunnel_via via;     /* how its traffic reached the TURN server, if relayed */
	int64_t time_ns;                /* nomination */
	uint64_t frame;
};

/* --- DTLS and the flow after it ---------------------------------------------------- */

struct rtclab_tl_dtls {
	bool seen;
	struct rtclab_addr client, server; /* ClientHello sender and its destination (candidate addresses) */
	int client_peer, server_peer;    /* -1 when not known */
	bool completed;                  /* both sides sent encrypted records after the handshake */
	uint64_t client_hello_frame;
	int64_t start_ns, done_ns;
	/* RFC 8842 5 / RFC 5763 5: the answerer's a=setup picks the client */
	bool setup_checked, setup_ok;
	char setup_note[200];
};

struct rtclab_tl_flow {
	bool seen;
	uint64_t packets[2], bytes[2];   /* [0] A to B, [1] B to A (or first sender, other side) */
	uint64_t rtp, rtcp, dtls_app, channeldata;
	int64_t first_ns, last_ns;
};

/* --- steps ------------------------------------------------------------------------- */

enum rtclab_tl_step_kind {
	RTCLAB_TL_EV_SIGNALING = 0,     /* the signaling channel opens, a message that is no SDP/candidate */
	RTCLAB_TL_EV_OFFER,
	RTCLAB_TL_EV_ANSWER,
	RTCLAB_TL_EV_DESCRIPTIONS_SET,  /* step 3: both descriptions known, no path yet */
	RTCLAB_TL_EV_CANDIDATE,         /* a trickled candidate */
	RTCLAB_TL_EV_END_OF_CANDIDATES,
	RTCLAB_TL_EV_STUN_SERVER,       /* a Binding exchange with a STUN server */
	RTCLAB_TL_EV_TURN,              /* Allocate, Refresh, CreatePermission, ChannelBind */
	RTCLAB_TL_EV_CHECK,             /* a connectivity check request */
	RTCLAB_TL_EV_CHECK_RESPONSE,
	RTCLAB_TL_EV_NOMINATION,        /* a USE-CANDIDATE check answered with success */
	RTCLAB_TL_EV_ROLE_CONFLICT,     /* 487 */
	RTCLAB_TL_EV_DTLS,
	RTCLAB_TL_EV_MEDIA,             /* the first media/data packet in a direction */
	RTCLAB_TL_EV_CONSENT,           /* the first consent freshness check */
	RTCLAB_TL_EV_NOTE,
	RTCLAB_TL_EV_NAT,               /* a NAT's decision (simulations): mapping created or expired,
					 * packet filtered, hairpinned, dropped by a firewall */
};

struct rtclab_tl_step {
	enum rtclab_step step;           /* 1-6 */
	enum rtclab_tl_step_kind kind;
	int64_t time_ns;
	uint64_t frame;                  /* 0: not from the capture (a supplied description) */
	int from, to;                    /* node indices, -1 when not known */
	int pair;                        /* CHECK, CHECK_RESPONSE, NOMINATION: index in pairs, else -1 */
	char what[200];                  /* "offer: audio + data, ufrag 3Fi8, 2 candidates" */
	char why[320];                   /* one or two sentences */
};

#define RTCLAB_TL_MAX_MISSING 8
#define RTCLAB_TL_MAX_STEPS 20000       /* per session; further steps are counted */

struct rtclab_tl_generation {
	char offer_ufrag[RTCLAB_TL_UFRAG_MAX], answer_ufrag[RTCLAB_TL_UFRAG_MAX];
	int64_t time_ns;
};

struct rtclab_tl_session {
	char id[2 * RTCLAB_TL_UFRAG_MAX]; /* "offerufrag:answerufrag" of the first generation */
	size_t n_generations;            /* 1 + ICE restarts */
	struct rtclab_tl_generation generations[8];
	size_t n_peers;                  /* 2 */
	struct rtclab_tl_peer peers[2];
	size_t n_nodes;
	struct rtclab_tl_node nodes[16];
	size_t n_candidates, cap_candidates;
	struct rtclab_tl_candidate *candidates;
	size_t n_pairs, cap_pairs;
	struct rtclab_tl_pair *pairs;
	struct rtclab_tl_selected selected;
	struct rtclab_tl_dtls dtls;
	struct rtclab_tl_flow flow;      /* on the selected pair */
	bool connected;
	char outcome[320];               /* "connected over srflx<->host after 3 checks in 41 ms" */
	/* Connected, then consent freshness failed on the selected pair: an
	 * agent's consent checks went unanswered for 30 s (RFC 7675 5.1), so it
	 * had to stop sending.  connected stays true; the outcome says it. */
	bool consent_lost;
	int consent_lost_peer;           /* the first agent to lose it (index in peers) */
	int64_t consent_lost_ns;         /* when: 30 s after its last answered check (or the nomination) */
	size_t n_missing;
	char missing[RTCLAB_TL_MAX_MISSING][240];
	size_t n_steps, cap_steps;
	struct rtclab_tl_step *steps;    /* in time order */
	uint64_t steps_dropped;
	int64_t first_ns, last_ns;
};

struct rtclab_timeline {
	size_t n_sessions;
	struct rtclab_tl_session **sessions; /* in order of first appearance */
	uint64_t events, datagrams, signals; /* what was fed */
	int64_t first_ns, last_ns;           /* of the whole input */
	struct rtclab_timeline_state *state; /* the reconstruction's working state (private) */
};

struct rtclab_timeline_options {
	/* Check MESSAGE-INTEGRITY with the ice-pwd (costs ~2 us per check). */
	bool no_integrity;
};

/* NULL only when out of memory.  opts may be NULL. */
struct rtclab_timeline *rtclab_timeline_new(const struct rtclab_timeline_options *opts);
void rtclab_timeline_free(struct rtclab_timeline *tl);

/* A description from elsewhere (--sdp FILE): kind RTCLAB_SIGNAL_OFFER or
 * _ANSWER, or _OTHER to guess (a=setup:actpass is an offer; otherwise the
 * first description supplied is the offer).  `source` names it in the
 * model.  Supply descriptions before the events.  Returns false with a
 * sentence in err (line:column of the first SDP error) when it is not a
 * usable description (no ice-ufrag). */
bool rtclab_timeline_add_sdp(struct rtclab_timeline *tl, const char *text, size_t len,
			     enum rtclab_signal_kind kind, enum rtclab_tl_desc_source from, const char *source,
			     char *err, size_t err_len);

/* Every description in a chrome://webrtc-internals dump (its "updateLog"
 * entries setLocalDescription/setRemoteDescription, or the newer
 * createOfferOnSuccess/... with "type: offer, sdp: ..." values).  Returns
 * how many were added, or -1 with a sentence in err. */
int rtclab_timeline_add_webrtc_internals(struct rtclab_timeline *tl, const json_t *dump, const char *source,
					 char *err, size_t err_len);

/* One event of the stream; usable as an rtclab_events_fn with tl as arg. */
void rtclab_timeline_event(void *tl, const struct rtclab_event *ev);

/* The input reached this time (a frame that gave no event: an ARP, a TCP
 * ACK or FIN, the last frame of a capture).  A check is a timeout only if
 * the capture went on long enough after it (RFC 8489 6.2.1), so tell the
 * timeline about every frame. */
void rtclab_timeline_advance(struct rtclab_timeline *tl, int64_t ts_ns);

/* A NAT's decision, from a simulation (no capture holds them): the notable
 * ones (a mapping created or expired, a packet filtered, hairpinned or
 * dropped by a firewall) become steps on the NAT's column, placed in the
 * session whose peer sits behind it; the first of each kind between the
 * same two addresses only.  At most a few thousand are kept. */
void rtclab_timeline_nat(struct rtclab_timeline *tl, int64_t ts_ns, const char *nat_name,
			 const struct rtclab_nat_decision *d);

/* The end of the input: peers resolved, pair states, the selected pair,
 * the outcome and what is missing.  Call once, after the last event. */
void rtclab_timeline_finish(struct rtclab_timeline *tl);

/* The model as JSON (docs/json.md): {"sessions":[...]} . */
json_t *rtclab_timeline_json(const struct rtclab_timeline *tl);

/* Names used in the JSON and the text. */
const char *rtclab_tl_role_name(enum rtclab_tl_role r);            /* "offerer", "answerer", "unknown" */
const char *rtclab_tl_ice_role_name(enum rtclab_tl_ice_role r);    /* "controlling", "controlled", "unknown" */
const char *rtclab_tl_cand_source_name(enum rtclab_tl_cand_source s); /* "sdp", "trickle", "stun", "turn", "check" */
const char *rtclab_tl_pair_state_name(enum rtclab_tl_pair_state s);/* "frozen", "waiting", "in-progress", "succeeded", "failed" */
const char *rtclab_tl_node_kind_name(enum rtclab_tl_node_kind k);  /* "peer", "signaling", "stun", "turn", "other" */
const char *rtclab_tl_check_result_name(enum rtclab_tl_check_result r); /* "no-response", "success", "error", "timeout" */
const char *rtclab_tl_auth_name(enum rtclab_tl_auth a);            /* "unknown", "ok", "bad", "absent" */
const char *rtclab_tl_step_kind_name(enum rtclab_tl_step_kind k);  /* "offer", "check", ... */
const char *rtclab_tl_desc_source_name(enum rtclab_tl_desc_source s); /* "none", "capture", "file", "webrtc-internals" */

#ifdef __cplusplus
}
#endif
#endif
