/* The state of a scenario run, shared by lib/sim.c (the network, the
 * servers, the wires, the run), lib/sim_signal.c (the signaling server and
 * the peers' WebSocket clients) and lib/sim_peer.c (the peers: offer,
 * answer, trickle, the ICE agent, DTLS and media). */
#ifndef RTCLAB_SIM_INTERNAL_H
#define RTCLAB_SIM_INTERNAL_H

#include "rtclab/ice_agent.h"
#include "rtclab/sim.h"
#include "rtclab/simnet.h"
#include "rtclab/stun_server.h"
#include "rtclab/turn_server.h"
#include "rtclab/wire.h"

#ifndef RTCLAB_INTERNAL
#define RTCLAB_INTERNAL __attribute__((visibility("hidden")))
#endif

#define SIM_AGENT_PORT 50000      /* the peers' ICE sockets */
#define SIM_SIGNAL_PORT 40000     /* the peers' side of the signaling connection */
#define SIM_WS_MAX (256u << 10)   /* the largest WebSocket message or buffered stream */

/* A byte stream in one direction of a TCP connection, until a message is whole. */
struct sim_buf {
	uint8_t *p;
	size_t len, cap;
};

enum sim_ws_state { SIM_WS_CLOSED = 0, SIM_WS_CONNECTING, SIM_WS_OPEN };

enum sim_dtls_state {
	SIM_DTLS_IDLE = 0,
	SIM_DTLS_HELLO_SENT,      /* client: ClientHello sent, waiting for the server's flight */
	SIM_DTLS_FINISHED_SENT,   /* client: its Finished sent; server: its flight sent */
	SIM_DTLS_DONE,
};

/* RFC 5780 discovery in progress (lib/sim_discover.c). */
struct sim_discovery {
	bool active;
	int stage;
	uint8_t tid[12];
	rtclab_time_ns deadline;
	uint64_t timer;
	struct rtclab_addr primary, other;       /* the server's two transport addresses */
	struct rtclab_addr map_local, filter_local;
	struct rtclab_addr m1, m2;
	int mapping, filtering;                  /* enum rtclab_scn_mapping/_filtering, RTCLAB_SCN_NO_NAT, -1 */
};

struct sim_peer {
	struct rtclab_sim *sim;
	size_t index;
	const struct rtclab_scn_peer *sp;
	/* A peer answering several offerers runs one session each: the first in
	 * its own entry, the others in extra entries on the same host, each with
	 * its own ports (SIM_AGENT_PORT + k, SIM_SIGNAL_PORT + k) and its own
	 * WebSocket, named "name#k". */
	char name[72];
	size_t owner;                                     /* the entry whose host it shares (itself, usually) */
	size_t first_extra, n_extra;                      /* owner: its extra session entries */
	unsigned host;
	struct rtclab_simnet_endpoint ep;
	struct rtclab_addr sockets[RTCLAB_SCN_MAX_ADDRS]; /* ICE host sockets */
	size_t n_sockets;
	struct rtclab_addr signal_local;                  /* its end of the signaling connection */
	struct rtclab_rng rng;
	size_t partner;                                   /* the peer it talks to, or SIZE_MAX */
	bool offerer;
	struct rtclab_ice_agent *agent;
	uint64_t agent_timer;
	rtclab_time_ns agent_timer_at;
	/* signaling */
	enum sim_ws_state ws;
	char ws_key[32];
	struct sim_buf in;                                /* bytes from the signaling server */
	bool sent_description, have_remote;
	bool eoc_pending;                                 /* answerer: end-of-candidates waits for the answer */
	uint64_t session_id, session_version;
	char **pending_lines;                             /* candidates for a non-trickle description */
	size_t n_pending;
	bool stopped;
	unsigned realm;                                   /* where its addresses are */
	bool moved;                                       /* its address changed: a restart makes a new agent */
	/* DTLS and media */
	bool dtls_client;
	enum sim_dtls_state dtls;
	uint16_t dtls_seq;
	uint64_t dtls_timer;
	unsigned dtls_tries;
	uint16_t rtp_seq;
	uint32_t rtp_ts, ssrc;
	unsigned media_left;
	uint64_t media_timer;
	struct sim_discovery disc;
	/* what happened */
	rtclab_time_ns selected_at;
	bool consent_lost;
	bool failed;
};

struct sim_conn {                                    /* the signaling server's side of one connection */
	struct rtclab_addr client;                       /* as the server sees it (after NATs) */
	struct sim_buf in;
	bool upgraded;
	size_t peer;                                     /* who it is (from the request), or SIZE_MAX */
};

/* A message the signaling server keeps until its peer connects. */
struct sim_held {
	size_t to;
	uint8_t *text;
	size_t len;
};

struct sim_server {
	struct rtclab_sim *sim;
	enum rtclab_scn_server_type type;
	const struct rtclab_scn_server *ss;
	unsigned host;
	struct rtclab_simnet_endpoint ep;
	struct rtclab_stun_server *stun;
	struct rtclab_turn_server *turn;
	uint64_t timer;
	rtclab_time_ns timer_at;
	struct sim_conn *conns;                          /* signaling */
	size_t n_conns, cap_conns;
	struct sim_held *held;                           /* signaling: messages for peers not connected yet */
	size_t n_held, cap_held;
	struct rtclab_rng rng;
};

struct sim_wire {
	char name[64], description[128];
	struct rtclab_wire *wire;
};

/* A timed event of the scenario's script, with what it needs to run. */
struct sim_script {
	struct rtclab_sim *sim;
	const struct rtclab_scn_event *e;
};

struct rtclab_sim {
	const struct rtclab_scenario *sc;
	struct rtclab_sim_hooks hooks;
	struct rtclab_rng rng;
	rtclab_time_ns until;
	bool stop_when_decided;
	struct rtclab_simnet *net;
	struct sim_wire *wires;                          /* one per realm, realm id = index */
	size_t n_wires;
	unsigned *lan_realm;                             /* per scenario LAN */
	struct sim_peer *peers;
	size_t n_peers;
	struct sim_server *servers;
	size_t n_servers;
	struct rtclab_sim_result *results;
	size_t *result_answerer;                         /* per result: the entry that answered (maybe an extra) */
	size_t n_results;
	size_t n_entries;                                /* peers plus extra sessions */
	unsigned current_wire;                           /* for the frame callback */
	int64_t current_time;
	unsigned n_public;                               /* external addresses given out */
	unsigned (*lan_nats)[RTCLAB_SCN_MAX_NATS];       /* per scenario LAN: simnet NAT ids, inside out */
	struct sim_script *script;                       /* one per scenario event */
	char (*limits)[200];                             /* what the scenario asks that is not simulated */
	size_t n_limits;
};

/* sim.c */
RTCLAB_INTERNAL void sim_buf_add(struct sim_buf *b, const void *p, size_t n);
RTCLAB_INTERNAL void sim_buf_consume(struct sim_buf *b, size_t n);
RTCLAB_INTERNAL void sim_peer_send_tcp(struct sim_peer *p, const void *data, size_t len);
RTCLAB_INTERNAL void sim_server_send_tcp(struct sim_server *s, const struct rtclab_addr *to, const void *data,
					 size_t len);

/* sim_signal.c */
RTCLAB_INTERNAL void sim_ws_connect(struct sim_peer *p, rtclab_time_ns now);
RTCLAB_INTERNAL void sim_ws_client_data(struct sim_peer *p, rtclab_time_ns now, const uint8_t *data, size_t len);
RTCLAB_INTERNAL void sim_ws_send_text(struct sim_peer *p, const char *text, size_t len);
RTCLAB_INTERNAL void sim_signal_server_data(struct sim_server *s, rtclab_time_ns now, const struct rtclab_addr *from,
					    const uint8_t *data, size_t len);

/* sim_discover.c */
RTCLAB_INTERNAL void sim_discover_start(struct sim_peer *p, rtclab_time_ns now);
RTCLAB_INTERNAL bool sim_discover_receive(struct sim_peer *p, rtclab_time_ns now, const struct rtclab_addr *local,
					  const uint8_t *data, size_t len);

/* sim_peer.c */
RTCLAB_INTERNAL void sim_peer_restart(struct sim_peer *p, rtclab_time_ns now);
RTCLAB_INTERNAL void sim_peer_stop(struct sim_peer *p);
RTCLAB_INTERNAL void sim_peer_move(struct sim_peer *p, rtclab_time_ns now, const struct rtclab_addr *ip);
RTCLAB_INTERNAL void sim_peer_start(struct sim_peer *p, rtclab_time_ns now);
RTCLAB_INTERNAL void sim_peer_ws_open(struct sim_peer *p, rtclab_time_ns now);
RTCLAB_INTERNAL void sim_peer_message(struct sim_peer *p, rtclab_time_ns now, const char *text, size_t len);
RTCLAB_INTERNAL void sim_peer_udp(struct sim_peer *p, rtclab_time_ns now, enum rtclab_l4 l4, const struct rtclab_addr *local,
				  const struct rtclab_addr *src, const uint8_t *data, size_t len);
RTCLAB_INTERNAL void sim_peer_arm(struct sim_peer *p);
RTCLAB_INTERNAL void sim_peer_free(struct sim_peer *p);

#endif
