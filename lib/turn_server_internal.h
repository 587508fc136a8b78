/* The state of the simulated TURN server, shared by lib/turn_server.c
 * (creation, input, TCP framing, authentication, requests) and
 * lib/turn_server_relay.c (allocations, permissions, channels, relaying, expiry). */
#ifndef RTCLAB_TURN_SERVER_INTERNAL_H
#define RTCLAB_TURN_SERVER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtclab/stun.h"
#include "rtclab/turn_server.h"
#include "stun_server_internal.h"

/* RFC 8656 9: a permission is for an IP address; the port is ignored. */
struct rtclab_turn_perm_ {
	struct rtclab_addr ip; /* port 0 */
	rtclab_time_ns expires;
};

/* RFC 8656 12: a binding of a channel number to a peer transport address.
 * After it expires it stays, unbound, for RTCLAB_TURN_CHANNEL_COOLDOWN so
 * that neither the number nor the peer is bound to something else. */
struct rtclab_turn_chan_ {
	uint16_t number;
	bool bound;
	struct rtclab_addr peer;
	rtclab_time_ns expires; /* bound: the end of the binding; else the end of the cooldown */
};

struct rtclab_turn_alloc_ {
	size_t slot;                    /* its index in srv->allocs */
	enum rtclab_l4 l4;              /* the 5-tuple: transport, client, server */
	struct rtclab_addr client, server;
	struct rtclab_addr relayed;
	rtclab_time_ns expires;
	size_t user;
	uint8_t allocate_tid[12];       /* the Allocate that created it: a retransmission gets the same answer */
	uint32_t granted_s;
	struct rtclab_turn_perm_ perms[RTCLAB_TURN_MAX_PERMISSIONS];
	size_t n_perms;
	struct rtclab_turn_chan_ chans[RTCLAB_TURN_MAX_CHANNELS];
	size_t n_chans;
};

struct rtclab_turn_user_ {
	char *name;
	struct rtclab_stun_key key;     /* MD5(username ":" realm ":" OpaqueString(password)) */
};

/* One client TCP connection: the bytes of a message not yet whole. */
struct rtclab_turn_conn_ {
	struct rtclab_addr local, client;
	uint8_t *buf;
	size_t len, cap;
	bool broken;                    /* fell out of step with the framing: ignored from then on */
};

struct rtclab_turn_server {
	struct rtclab_addr listen, relay_ip;
	uint16_t port_min, port_max;
	char *realm, *software;
	struct rtclab_turn_user_ *users;
	size_t n_users;
	uint32_t default_lifetime_s, max_lifetime_s, nonce_lifetime_s;
	size_t max_allocations, max_conns;
	struct rtclab_rng rng;
	uint64_t nonce_secret;
	rtclab_send_fn send;
	void *send_arg;
	rtclab_server_event_fn on_event;
	void *event_arg;

	struct rtclab_turn_alloc_ **allocs; /* slots; NULL where free */
	size_t n_slots, cap_slots, live;
	uint32_t *by_port;              /* relayed port - port_min -> slot + 1, 0 when free */
	struct rtclab_turn_conn_ *conns;
	size_t n_conns, cap_conns;
	rtclab_time_ns next_due;        /* no expiry happens before this (a lower bound) */

	uint8_t out[RTCLAB_SRV_MSG_MAX]; /* the message being built */
};

/* A request being served: where it came from and who it authenticated as. */
struct rtclab_turn_req_ {
	struct rtclab_turn_server *srv;
	rtclab_time_ns now;
	enum rtclab_l4 l4;
	const struct rtclab_addr *local, *src;
	const struct rtclab_stun_msg *msg;
	size_t user;                    /* valid once authenticated */
	bool authenticated;
};

/* --- lib/turn_server.c ----------------------------------------------------------- */

/* Send an error response to req (signed when it authenticated) and report it. */
RTCLAB_INTERNAL void rtclab_turn_reject_(const struct rtclab_turn_req_ *req, uint16_t code, const char *why);
/* Finish e (MESSAGE-INTEGRITY when authenticated, FINGERPRINT) and send it back to the client. */
RTCLAB_INTERNAL void rtclab_turn_reply_(const struct rtclab_turn_req_ *req, struct rtclab_stun_encoder *e);
/* Send bytes to an allocation's client over its 5-tuple. */
RTCLAB_INTERNAL void rtclab_turn_to_client_(struct rtclab_turn_server *srv, rtclab_time_ns now,
					    const struct rtclab_turn_alloc_ *a, const void *data, size_t len);
RTCLAB_INTERNAL void rtclab_turn_note_deadline_(struct rtclab_turn_server *srv, rtclab_time_ns t);
/* An event about an allocation (a may be NULL). */
__attribute__((format(printf, 5, 6))) RTCLAB_INTERNAL void
rtclab_turn_emit_(struct rtclab_turn_server *srv, rtclab_time_ns now, enum rtclab_server_event_kind kind,
		  const struct rtclab_turn_alloc_ *a, const char *fmt, ...);
/* The same with the event filled in by the caller (peer, channel, length...). */
__attribute__((format(printf, 3, 4))) RTCLAB_INTERNAL void
rtclab_turn_emit_ev_(struct rtclab_turn_server *srv, struct rtclab_server_event *ev, const char *fmt, ...);

/* --- lib/turn_server_relay.c ------------------------------------------------------------ */

RTCLAB_INTERNAL struct rtclab_turn_alloc_ *rtclab_turn_find_(struct rtclab_turn_server *srv, enum rtclab_l4 l4,
							    const struct rtclab_addr *server,
							    const struct rtclab_addr *client);
RTCLAB_INTERNAL void rtclab_turn_allocate_(const struct rtclab_turn_req_ *req);
RTCLAB_INTERNAL void rtclab_turn_refresh_(const struct rtclab_turn_req_ *req);
RTCLAB_INTERNAL void rtclab_turn_create_permission_(const struct rtclab_turn_req_ *req);
RTCLAB_INTERNAL void rtclab_turn_channel_bind_(const struct rtclab_turn_req_ *req);
/* A Send indication (already judged well formed) from a client. */
RTCLAB_INTERNAL void rtclab_turn_send_indication_(struct rtclab_turn_server *srv, rtclab_time_ns now,
						  enum rtclab_l4 l4, const struct rtclab_addr *local,
						  const struct rtclab_addr *src, const struct rtclab_stun_msg *msg);
/* One ChannelData message from a client. */
RTCLAB_INTERNAL void rtclab_turn_channeldata_(struct rtclab_turn_server *srv, rtclab_time_ns now, enum rtclab_l4 l4,
					      const struct rtclab_addr *local, const struct rtclab_addr *src,
					      const uint8_t *data, size_t len);
/* A datagram from a peer to a relayed address; false when no allocation has it. */
RTCLAB_INTERNAL bool rtclab_turn_from_peer_(struct rtclab_turn_server *srv, rtclab_time_ns now,
					    const struct rtclab_addr *relayed, const struct rtclab_addr *peer,
					    const uint8_t *data, size_t len);
/* Delete an allocation, with an event of this kind and sentence. */
RTCLAB_INTERNAL void rtclab_turn_delete_(struct rtclab_turn_server *srv, rtclab_time_ns now,
					 struct rtclab_turn_alloc_ *a, enum rtclab_server_event_kind kind,
					 const char *why);
RTCLAB_INTERNAL void rtclab_turn_expire_(struct rtclab_turn_server *srv, rtclab_time_ns now);

#endif
