/* The ICE agent's state, shared by lib/ice_agent.c (API, candidates,
 * events), lib/ice_agent_check.c (check list, checks, consent) and
 * lib/ice_agent_turn.c (STUN gathering and the TURN client). */
#ifndef RTCLAB_ICE_AGENT_INTERNAL_H
#define RTCLAB_ICE_AGENT_INTERNAL_H

#include <stdarg.h>

#include "rtclab/ice_agent.h"
#include "rtclab/stun.h"

#define RTCLAB_INTERNAL __attribute__((visibility("hidden")))

#define ICE_MAX_TX 96          /* transactions in flight */
#define ICE_MAX_PERMS 16       /* TURN permissions per allocation */
#define ICE_MAX_CHANNELS 16    /* TURN channels per allocation */
#define ICE_MAX_TRIGGERED 64   /* triggered check queue (RFC 8445 7.3.1.4) */
#define ICE_BUF 9216           /* one outgoing message: data plus TURN and STUN headers */
#define ICE_TCP_BUF 16384      /* bytes of a TURN TCP stream held until a message is whole */
#define ICE_MAX_CHECKED 100    /* RFC 8445 6.1.2.5 */

struct ice_cred {
	char ufrag[RTCLAB_ICE_AGENT_MAX_CRED];
	char pwd[RTCLAB_ICE_AGENT_MAX_CRED];
};

enum ice_tx_kind {
	ICE_TX_NONE = 0,
	ICE_TX_CHECK,       /* a connectivity check on a pair */
	ICE_TX_CONSENT,     /* a consent freshness check on the selected pair */
	ICE_TX_STUN,        /* Binding to a STUN server */
	ICE_TX_ALLOCATE,
	ICE_TX_REFRESH,
	ICE_TX_PERMISSION,
	ICE_TX_CHANNEL_BIND,
};

struct ice_tx {
	enum ice_tx_kind kind;
	uint8_t id[12];
	size_t pair;        /* CHECK, CONSENT */
	size_t server;      /* STUN, TURN kinds */
	size_t aux;         /* PERMISSION: permission slot; CHANNEL_BIND: channel slot */
	bool use_candidate; /* CHECK: sent with USE-CANDIDATE */
	bool cancelled;     /* CHECK: superseded by a triggered check: no retransmission, no failure */
	unsigned sent;      /* requests sent */
	rtclab_time_ns rto, next;
	uint8_t msg[1024];  /* the request, as sent (retransmissions repeat it) */
	size_t msg_len;
};

struct ice_pair {
	struct rtclab_ice_agent_pair pub;
	bool triggered_queued;
	bool nominate_on_success; /* controlled: USE-CANDIDATE arrived before the check succeeded (8.2.2) */
	size_t valid_of;          /* valid pair: the check-list pair whose check found it (itself, or SIZE_MAX) */
	char foundation[72];
};

enum turn_state {
	TURN_IDLE = 0,
	TURN_ALLOCATING,
	TURN_ALLOCATED,
	TURN_FAILED,
};

struct turn_perm {
	struct rtclab_addr peer; /* port ignored (RFC 8656 9) */
	bool installed, pending;
	rtclab_time_ns refresh_at;
};

struct turn_channel {
	struct rtclab_addr peer;
	uint16_t number;
	bool bound, pending;
	rtclab_time_ns refresh_at;
};

struct turn_client {
	struct rtclab_ice_turn_server srv; /* username/password point into user/pass below */
	char user[RTCLAB_ICE_AGENT_MAX_CRED], pass[RTCLAB_ICE_AGENT_MAX_CRED];
	char realm[RTCLAB_ICE_AGENT_MAX_CRED];
	uint8_t nonce[RTCLAB_ICE_AGENT_MAX_CRED];
	size_t nonce_len;
	struct rtclab_stun_key key;
	bool have_key;
	enum turn_state state;
	unsigned auth_tries;
	size_t host;                       /* the host socket it talks from */
	struct rtclab_addr relayed, mapped;
	rtclab_time_ns refresh_at;
	size_t local;                      /* the relay candidate, SIZE_MAX before */
	struct turn_perm perms[ICE_MAX_PERMS];
	size_t n_perms;
	struct turn_channel chans[ICE_MAX_CHANNELS];
	size_t n_chans;
	uint8_t tcp_in[ICE_TCP_BUF];       /* TURN over TCP: bytes of an unfinished message */
	size_t tcp_len;
};

struct ice_stun_server {
	struct rtclab_addr addr;
	size_t host;
	bool started, done;
};

struct rtclab_ice_agent {
	struct rtclab_ice_agent_config cfg;
	struct rtclab_rng *rng;
	enum rtclab_ice_role role;
	uint64_t tie_breaker;
	enum rtclab_ice_agent_state state;
	struct ice_cred local, remote;
	bool have_remote;
	bool remote_lite;           /* the peer is an ICE lite agent (RFC 8445 2.5); cfg.lite: this one is */
	/* ICE restart (RFC 8445 9): the previous session's credentials, kept
	 * for consent on the old selected pair until a new one is selected. */
	struct ice_cred prev_local, prev_remote;
	bool have_prev;

	struct rtclab_addr hosts[RTCLAB_ICE_AGENT_MAX_HOSTS];
	size_t n_hosts;
	struct ice_stun_server stun[RTCLAB_ICE_AGENT_MAX_SERVERS * RTCLAB_ICE_AGENT_MAX_HOSTS];
	size_t n_stun;
	struct turn_client turn[RTCLAB_ICE_AGENT_MAX_SERVERS];
	size_t n_turn;

	struct rtclab_ice_agent_candidate lc[RTCLAB_ICE_AGENT_MAX_LOCAL];
	size_t n_lc;
	size_t n_lc_reported;       /* non-trickle: reported at the end of gathering */
	struct rtclab_ice_agent_candidate rc[RTCLAB_ICE_AGENT_MAX_REMOTE];
	size_t n_rc;
	struct ice_pair pairs[RTCLAB_ICE_AGENT_MAX_PAIRS];
	size_t n_pairs;
	size_t triggered[ICE_MAX_TRIGGERED];
	size_t n_triggered;
	bool last_triggered;        /* the last new check came from the triggered-check queue */
	struct ice_tx tx[ICE_MAX_TX];

	bool gathering_started, gathering_done, remote_done;
	rtclab_time_ns pace_next;   /* Ta: the earliest time for the next new transaction */
	rtclab_time_ns checks_started;
	rtclab_time_ns first_valid; /* controlling: when the first valid pair appeared, or -1 */
	bool nominating;            /* controlling: a pair has been nominated (USE-CANDIDATE sent) */
	size_t selected;
	/* The pair data goes over while an ICE restart runs: a copy, because
	 * the restart empties the check list. */
	bool have_old;
	struct rtclab_ice_agent_candidate old_local, old_remote;
	rtclab_time_ns consent_next, consent_last; /* next consent check; last response (or selection) */
	uint8_t out[ICE_BUF];
	uint8_t wrap[ICE_BUF];
};

/* ice_agent.c */
RTCLAB_INTERNAL void rtclab_ice_note_(struct rtclab_ice_agent *a, rtclab_time_ns now, enum rtclab_ice_event_kind k,
				      size_t pair, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
RTCLAB_INTERNAL void rtclab_ice_set_state_(struct rtclab_ice_agent *a, rtclab_time_ns now,
					   enum rtclab_ice_agent_state s, const char *why);
RTCLAB_INTERNAL size_t rtclab_ice_add_local_(struct rtclab_ice_agent *a, rtclab_time_ns now, enum rtclab_cand_type type,
					     const struct rtclab_addr *addr, const struct rtclab_addr *base,
					     const struct rtclab_addr *related, const struct rtclab_addr *server,
					     size_t host, uint32_t prflx_priority);
RTCLAB_INTERNAL uint32_t rtclab_ice_local_priority_(const struct rtclab_ice_agent *a, enum rtclab_cand_type type,
						    size_t host);
RTCLAB_INTERNAL void rtclab_ice_check_gathering_done_(struct rtclab_ice_agent *a, rtclab_time_ns now);
RTCLAB_INTERNAL void rtclab_ice_new_tid_(struct rtclab_ice_agent *a, uint8_t id[12]);
RTCLAB_INTERNAL struct ice_tx *rtclab_ice_tx_alloc_(struct rtclab_ice_agent *a);
RTCLAB_INTERNAL struct ice_tx *rtclab_ice_tx_find_(struct rtclab_ice_agent *a, const uint8_t id[12]);
RTCLAB_INTERNAL const char *rtclab_ice_addr_str_(const struct rtclab_addr *x, char buf[RTCLAB_ADDR_STRLEN]);
RTCLAB_INTERNAL size_t rtclab_ice_host_index_(const struct rtclab_ice_agent *a, const struct rtclab_addr *x);
RTCLAB_INTERNAL void rtclab_ice_raw_send_(struct rtclab_ice_agent *a, rtclab_time_ns now, enum rtclab_l4 l4,
					  size_t host, const struct rtclab_addr *dst, const void *data, size_t len);
RTCLAB_INTERNAL rtclab_time_ns rtclab_ice_tx_rto_(const struct rtclab_ice_agent *a, enum ice_tx_kind kind);
RTCLAB_INTERNAL void rtclab_ice_tx_start_(struct rtclab_ice_agent *a, struct ice_tx *t, rtclab_time_ns now);

/* ice_agent_check.c */
RTCLAB_INTERNAL void rtclab_ice_pair_new_local_(struct rtclab_ice_agent *a, rtclab_time_ns now, size_t local);
RTCLAB_INTERNAL void rtclab_ice_pair_new_remote_(struct rtclab_ice_agent *a, rtclab_time_ns now, size_t remote);
RTCLAB_INTERNAL void rtclab_ice_handle_stun_(struct rtclab_ice_agent *a, rtclab_time_ns now, size_t local,
					     const struct rtclab_addr *from, const uint8_t *data, size_t len);
RTCLAB_INTERNAL void rtclab_ice_handle_app_(struct rtclab_ice_agent *a, rtclab_time_ns now, size_t local,
					    const struct rtclab_addr *from, const uint8_t *data, size_t len);
RTCLAB_INTERNAL void rtclab_ice_check_timers_(struct rtclab_ice_agent *a, rtclab_time_ns now);
RTCLAB_INTERNAL rtclab_time_ns rtclab_ice_check_next_(const struct rtclab_ice_agent *a);
RTCLAB_INTERNAL void rtclab_ice_check_tx_timeout_(struct rtclab_ice_agent *a, rtclab_time_ns now, struct ice_tx *t);
RTCLAB_INTERNAL void rtclab_ice_check_response_(struct rtclab_ice_agent *a, rtclab_time_ns now, struct ice_tx *t,
						const struct rtclab_stun_msg *m, size_t local,
						const struct rtclab_addr *from);
RTCLAB_INTERNAL void rtclab_ice_update_state_(struct rtclab_ice_agent *a, rtclab_time_ns now);
RTCLAB_INTERNAL void rtclab_ice_reset_checklist_(struct rtclab_ice_agent *a);
/* RFC 8445 6.1.1: the role that cfg.lite and remote_lite impose. */
RTCLAB_INTERNAL void rtclab_ice_lite_roles_(struct rtclab_ice_agent *a, rtclab_time_ns now);
/* Send a payload from local candidate l to remote address dst (through TURN for a relay). */
RTCLAB_INTERNAL void rtclab_ice_send_from_(struct rtclab_ice_agent *a, rtclab_time_ns now,
					   const struct rtclab_ice_agent_candidate *l, const struct rtclab_addr *dst,
					   const void *data, size_t len);

/* ice_agent_turn.c */
RTCLAB_INTERNAL void rtclab_ice_gather_servers_(struct rtclab_ice_agent *a, rtclab_time_ns now);
RTCLAB_INTERNAL bool rtclab_ice_turn_receive_(struct rtclab_ice_agent *a, rtclab_time_ns now, enum rtclab_l4 l4,
					      size_t host, const struct rtclab_addr *from, const uint8_t *data,
					      size_t len);
RTCLAB_INTERNAL bool rtclab_ice_server_response_(struct rtclab_ice_agent *a, rtclab_time_ns now, struct ice_tx *t,
						 const struct rtclab_stun_msg *m);
RTCLAB_INTERNAL void rtclab_ice_server_tx_timeout_(struct rtclab_ice_agent *a, rtclab_time_ns now, struct ice_tx *t);
RTCLAB_INTERNAL void rtclab_ice_turn_timers_(struct rtclab_ice_agent *a, rtclab_time_ns now);
RTCLAB_INTERNAL rtclab_time_ns rtclab_ice_turn_next_(const struct rtclab_ice_agent *a);
/* Relay: is a permission for peer installed? */
RTCLAB_INTERNAL bool rtclab_ice_turn_permitted_(const struct rtclab_ice_agent *a, size_t turn,
						const struct rtclab_addr *peer);
/* Ask for a permission for peer unless one is installed or pending. */
RTCLAB_INTERNAL void rtclab_ice_turn_permit_(struct rtclab_ice_agent *a, rtclab_time_ns now, size_t turn,
					     const struct rtclab_addr *peer);
RTCLAB_INTERNAL void rtclab_ice_turn_bind_channel_(struct rtclab_ice_agent *a, rtclab_time_ns now, size_t turn,
						   const struct rtclab_addr *peer);
RTCLAB_INTERNAL void rtclab_ice_turn_send_(struct rtclab_ice_agent *a, rtclab_time_ns now, size_t turn,
					   const struct rtclab_addr *peer, const void *data, size_t len);
RTCLAB_INTERNAL size_t rtclab_ice_turn_of_local_(const struct rtclab_ice_agent *a, size_t local);

#endif
