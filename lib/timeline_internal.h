/* The working state of the timeline reconstruction, shared by
 * lib/timeline.c (events: signaling, STUN, TURN, checks, DTLS, media),
 * lib/timeline_desc.c (descriptions: signaled, --sdp files,
 * webrtc-internals) and lib/timeline_finish.c (what is decided at the end:
 * gathering, candidate types, the selected pair, the outcome). */
#ifndef RTCLAB_TIMELINE_INTERNAL_H
#define RTCLAB_TIMELINE_INTERNAL_H

#include "rtclab/stun.h"
#include "rtclab/timeline.h"

#ifndef RTCLAB_INTERNAL
#define RTCLAB_INTERNAL __attribute__((visibility("hidden")))
#endif

/* RFC 8489 6.2.1: with the default RTO (500 ms) and Rc = 7 a UDP transaction
 * gives up after 39.5 s. */
#define TL_TRANSACTION_TIMEOUT_NS 39500000000LL

/* --- a small hash map keyed by one or two transport addresses ------------------------ */

struct tl_map_entry {
	bool used;
	struct rtclab_addr a, b;
	int32_t v1, v2;
};

struct tl_map {
	size_t cap, n; /* cap is a power of two */
	struct tl_map_entry *e;
};

RTCLAB_INTERNAL struct tl_map_entry *tl_map_find(const struct tl_map *m, const struct rtclab_addr *a,
						 const struct rtclab_addr *b);
/* The entry for (a, b), added with v1 = v2 = -1 when new; NULL when out of memory. */
RTCLAB_INTERNAL struct tl_map_entry *tl_map_put(struct tl_map *m, const struct rtclab_addr *a,
						const struct rtclab_addr *b);
RTCLAB_INTERNAL void tl_map_free(struct tl_map *m);

/* --- transactions ---------------------------------------------------------------- */

enum tl_txn_kind { TL_TXN_FREE = 0, TL_TXN_CHECK, TL_TXN_SERVER };

#define TL_TXN_SLOTS 16384
#define TL_TXN_PROBE 16
#define TL_MAX_LEGS 3

struct tl_leg {
	struct rtclab_addr src, dst;
	enum rtclab_tunnel_via via;
};

struct tl_txn {
	enum tl_txn_kind kind;
	uint8_t tid[12];
	int64_t sent_ns, last_tx_ns;
	unsigned n_legs;
	struct tl_leg legs[TL_MAX_LEGS];
	/* how often each leg saw it, and the transmissions counted: a relayed
	 * message is seen once per leg, so one leg seen again is a retransmission,
	 * the other legs seen again are that same retransmission */
	unsigned leg_tx[TL_MAX_LEGS];
	unsigned transmissions;
	bool answered;
	/* CHECK */
	int session, pair, check; /* check: index in pair->checks, or -1 when not kept */
	int responder;            /* the peer whose ice-pwd signs the exchange */
	int gen;                  /* the generation its USERNAME names (-1: not known from a description) */
	int signer;               /* its ufrag's index in state->ufrags, or -1 */
	/* SERVER */
	int gather;               /* index in state->gathers */
	bool repeat;              /* a refresh or keepalive of that exchange: counted, not kept */
	uint64_t request_frame;
	uint16_t method;
};

/* --- an exchange with a STUN or TURN server, placed at the end ---------------------- */

struct tl_gather {
	uint16_t method;
	enum rtclab_l4 l4;
	struct rtclab_addr client, server;
	int64_t request_ns, response_ns;
	uint64_t request_frame, response_frame;
	unsigned transmissions;
	enum rtclab_stun_class response_class; /* RTCLAB_STUN_REQUEST while unanswered */
	uint16_t error_code;
	bool has_mapped, has_relayed;
	struct rtclab_addr mapped, relayed;
	uint32_t lifetime;
	bool has_peer;
	struct rtclab_addr peer;  /* CreatePermission, ChannelBind */
	uint16_t channel;
	/* the same exchange again with the same answer (STUN keepalives, TURN
	 * refreshes): counted, so that memory does not grow with the capture */
	uint64_t repeats;
	int64_t last_repeat_ns;
};

#define TL_MAX_GATHERS 65536

/* --- TURN allocations, for opening tunnels ----------------------------------------- */

struct tl_alloc {
	struct rtclab_addr client, server, relayed;
	bool has_relayed;
};

/* --- per-session state the model does not show ----------------------------------- */

struct tl_pair_x {
	/* media on this pair: one wire leg per direction is counted (a relayed
	 * packet is seen on up to three legs on a loopback capture) */
	bool leg_locked[2];
	struct tl_leg leg[2];
	uint64_t packets[2], bytes[2];
	uint64_t rtp, rtcp, dtls_app, channeldata;
	int64_t first_ns, last_ns;
	uint64_t media_after_nomination;
	bool nominated;                    /* this pair or its reverse (the other agent's) was nominated */
	int nominated_gen;                 /* the generation of its nomination (tl_txn.gen) */
	uint64_t n_role_conflicts;         /* 487 responses among n_errors: the pair is retried, not failed */
	uint64_t checks_before_nomination; /* the generation's check transactions when it was nominated */
	int64_t gen_first_check_ns;        /* the first check of that generation */
	bool lite;                         /* two ice-lite agents' pair, taken without checks (RFC 8445 8.2) */
	/* the XOR-MAPPED-ADDRESS of its nominating check's success: where the
	 * controlled agent saw the checks come from, the remote address of its
	 * own pair on this path (RFC 8445 7.3.1.4) */
	bool has_nominated_mapped;
	struct rtclab_addr nominated_mapped;
	/* consent freshness (RFC 7675 5.1) on this pair: the last success
	 * response; the first consent check sent since then and not answered
	 * yet (0: none), with the time its 30 s count from (that success, or the
	 * nomination if later); the first loss the input showed (an answer that
	 * came only after the 30 s) */
	int64_t ok_ns;
	int64_t unanswered_ns, unanswered_from_ns;
	int64_t consent_lost_ns;
};

struct tl_peer_x {
	bool has_key;
	struct rtclab_stun_key key;        /* its ice-pwd: signs checks sent TO it and its responses */
	int64_t endpoint_first_ns[RTCLAB_TL_MAX_ENDPOINTS];
	uint64_t endpoint_first_frame[RTCLAB_TL_MAX_ENDPOINTS];
	size_t n_reflexive;                /* XOR-MAPPED-ADDRESS of its checks' success responses */
	struct rtclab_addr reflexive[RTCLAB_TL_MAX_ENDPOINTS];
	/* the base of each (RFC 8445 7.2.5.3.1: the local address of the pair
	 * checked), or the address itself when the check went through TURN */
	struct rtclab_addr reflexive_base[RTCLAB_TL_MAX_ENDPOINTS];
	int64_t reflexive_ns[RTCLAB_TL_MAX_ENDPOINTS];
	bool has_desc;
	char origin[72];                   /* o= sess-id: kept by an ICE restart, new with a new connection */
	bool sent_checks;
};

struct tl_session_x {
	struct tl_peer_x peers[2];
	size_t cap_px;
	struct tl_pair_x *px;              /* parallel to session->pairs */
	bool has_offer, has_answer;        /* in the current generation */
	int offerer;                       /* peer index of the current generation's offerer, -1 */
	int signaling_node;                /* -1 */
	uint64_t signaling_stream;         /* the stream the offer went over (0: none) */
	bool capture_signaling;            /* descriptions or candidates came over the capture's signaling */
	bool dtls_hello[2];                /* ClientHello seen / ServerHello seen */
	bool dtls_encrypted[2];            /* encrypted records from the client / the server */
	bool media_step[2];
	bool consent_step;
	int64_t consent_lost_ns[2];        /* per peer: when its consent on the selected path ran out (0: never) */
	int both_step;                     /* the "both descriptions set" step, -1 */
	bool conn_stepped[2];              /* "opens a WebSocket" said for this peer (once, whatever the wire) */
	uint64_t checks_total;             /* check transactions, consent checks excluded */
	uint64_t checks_at_nomination;
	uint64_t checks_gen_base;          /* checks_total when the current generation began */
	int64_t first_check_ns;            /* 0: none */
	uint64_t unverified;               /* checks whose integrity could not be checked (no pwd yet) */
	uint64_t orphan_responses;
};

/* A check (or its response) kept to be verified when the password arrives. */
struct tl_parked {
	int session, pair, check, responder;
	int signer;               /* index in state->ufrags of the ufrag whose pwd signs it, or -1 */
	bool response;
	size_t len;
	uint8_t bytes[];
};

#define TL_MAX_PARKED 512

/* A signaling connection: when its WebSocket handshake was seen. */
struct tl_conn {
	uint64_t stream_id;
	struct rtclab_addr client, server;
	int64_t upgrade_ns;
	uint64_t upgrade_frame;
	bool upgraded;
	bool stepped[8];                   /* the "opens the channel" step, per session (first 8) */
	uint64_t chain[2];                 /* per direction: a hash of every message so far */
};

#define TL_MAX_CONNS 256

struct tl_ufrag {
	char ufrag[RTCLAB_TL_UFRAG_MAX];
	int session, peer;
	/* the ice-pwd that went with this ufrag: after an ICE restart, checks
	 * of either generation (even mixed ones) are signed with the key of
	 * the ufrag they name (RFC 8445 7.2.2) */
	bool has_key;
	struct rtclab_stun_key key;
};

/* A TLS stream seen: signaling the capture cannot show. */
struct tl_tls {
	struct rtclab_addr client, server;
};
#define TL_MAX_TLS 16

struct tl_pair_cache {
	bool valid;
	struct rtclab_addr x, y;
	int si, pi;
};

/* A signaling message seen lately: the same message seen again on another
 * wire of the same capture (a LAN and the public side) is not a new one. */
struct tl_seen_signal {
	uint64_t hash;
	struct rtclab_addr server;
	int dir;
	int64_t time_ns;
};
#define TL_SEEN_SIGNALS 64

/* A NAT decision kept to be placed at the end (simulations). */
struct tl_nat {
	char name[48];
	int64_t time_ns;
	struct rtclab_nat_decision d;
};
#define TL_MAX_NATS 4096

struct rtclab_timeline_state {
	struct rtclab_timeline_options opts;
	size_t cap_sessions;
	struct tl_session_x **sx;          /* parallel to tl->sessions */
	struct tl_txn *txns;               /* TL_TXN_SLOTS */
	struct tl_gather *gathers;
	size_t n_gathers, cap_gathers;
	uint64_t gathers_dropped;
	struct tl_map allocs;              /* (client, server) -> index in alloc[] */
	struct tl_alloc *alloc;
	size_t n_alloc, cap_alloc;
	struct tl_map endpoints;           /* (address) -> session, peer */
	struct tl_map mapped;              /* (server-reflexive address) -> index in gathers: its base is the client */
	struct tl_map pairs;               /* (local, remote) unordered -> session, pair */
	struct tl_pair_cache pcache[2];    /* the last two lookups of pairs (one per direction) */
	int pcache_next;
	struct tl_ufrag *ufrags;
	size_t n_ufrags, cap_ufrags;
	struct tl_parked **parked;
	size_t n_parked;
	struct tl_conn conns[TL_MAX_CONNS];
	size_t n_conns;
	struct tl_nat *nats;
	size_t n_nats, cap_nats;
	uint64_t nats_dropped;
	struct tl_seen_signal seen[TL_SEEN_SIGNALS];
	size_t next_seen;
	struct tl_tls tls[TL_MAX_TLS];
	size_t n_tls;
	uint64_t supplied;                 /* descriptions supplied before the events */
	bool lite_sessions;                /* a session of two ice-lite agents: look for their check-less pair */
	bool finished;
	int64_t now_ns;                    /* the time of the latest event */
};

/* timeline.c */
RTCLAB_INTERNAL struct rtclab_tl_session *tl_session_new(struct rtclab_timeline *tl, int *index);
RTCLAB_INTERNAL int tl_node_peer(struct rtclab_tl_session *s, int peer);
RTCLAB_INTERNAL int tl_node_server(struct rtclab_tl_session *s, enum rtclab_tl_node_kind kind,
				   const struct rtclab_addr *addr, enum rtclab_l4 l4);
RTCLAB_INTERNAL struct rtclab_tl_step *tl_step(struct rtclab_tl_session *s, enum rtclab_step step,
					       enum rtclab_tl_step_kind kind, int64_t ns, uint64_t frame, int from,
					       int to);
RTCLAB_INTERNAL int tl_candidate_add(struct rtclab_tl_session *s, const struct rtclab_tl_candidate *c);
RTCLAB_INTERNAL int tl_candidate_find(const struct rtclab_tl_session *s, int peer, const struct rtclab_addr *a);
RTCLAB_INTERNAL void tl_candidate_from_line(struct rtclab_tl_candidate *out, const struct rtclab_candidate *c,
					    int peer, enum rtclab_tl_cand_source src, int64_t ns, uint64_t frame);
RTCLAB_INTERNAL struct tl_ufrag *tl_ufrag_find(struct rtclab_timeline *tl, const char *ufrag, size_t len);
RTCLAB_INTERNAL bool tl_ufrag_add(struct rtclab_timeline *tl, const char *ufrag, int session, int peer);
RTCLAB_INTERNAL void tl_peer_endpoint(struct rtclab_timeline *tl, int si, int peer, const struct rtclab_addr *a,
				      int64_t ns, uint64_t frame);
/* snprintf for sentences that may be cut short (no truncation warnings: a
 * cut sentence is fine). */
RTCLAB_INTERNAL int tl_fmt(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* "offerer-ufrag:answerer-ufrag" (first: the offerer's index). */
RTCLAB_INTERNAL void tl_session_id(struct rtclab_tl_session *s, int first);
RTCLAB_INTERNAL const char *tl_addr(const struct rtclab_addr *a, char *buf);
RTCLAB_INTERNAL void tl_verify_parked(struct rtclab_timeline *tl);
/* Whether pair pi is nominated pair ni's path seen from the other agent
 * (its reverse: the controlled agent's pair of the same path, whose checks
 * on it after nomination are consent checks). */
RTCLAB_INTERNAL bool tl_pair_reverse(const struct rtclab_timeline *tl, int si, int pi, int ni);

/* RFC 7675 5.1: consent expires when no consent check sent in the last 30 s
 * was answered. */
#define TL_CONSENT_TIMEOUT_NS 30000000000LL
/* When consent on a pair was lost as far as the input shows at time now
 * (0: not lost). */
RTCLAB_INTERNAL int64_t tl_consent_lost_at(const struct tl_pair_x *px, int64_t now);

/* timeline_desc.c */
RTCLAB_INTERNAL void tl_on_signal(struct rtclab_timeline *tl, const struct rtclab_event *ev);
RTCLAB_INTERNAL void tl_set_peer_desc(struct rtclab_timeline *tl, int si, int peer, const struct rtclab_sdp *sdp,
				      enum rtclab_tl_desc_source from, const char *file, int64_t ns, uint64_t frame);

/* timeline_finish.c */
RTCLAB_INTERNAL void tl_finish(struct rtclab_timeline *tl);
RTCLAB_INTERNAL bool tl_is_special_ip(const struct rtclab_addr *a);

/* Step texts that name the peers (written again when A and B are swapped). */
#define TL_CONSENT_WHY                                                                                            \
	"On the selected pair, %s keeps sending Binding requests (every few seconds, RFC 7675) to make sure %s "  \
	"still wants the traffic; without answers it must stop sending within 30 s."
#define TL_CHECK_SUCCESS_WHY                                                                                      \
	"A Binding success response: the path works in both directions; XOR-MAPPED-ADDRESS tells %s which "      \
	"address %s saw (a new one is a peer-reflexive candidate)."

#endif
