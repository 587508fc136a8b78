/* rtclab/stun_server.h - a simulated STUN server (RFC 8489 Binding, RFC 5780
 * NAT behaviour discovery), sans-I/O.
 *
 * The server is fed every datagram that arrives at one of its addresses
 * (rtclab_stun_server_receive) and hands its responses to the caller's
 * rtclab_send_fn (simio.h).  It keeps no state between requests, so it has
 * no timers.  Every notable thing it does (a request answered, one rejected,
 * one discarded) is reported to an optional event callback with a sentence
 * a student can read on the timeline.
 *
 * With an alternate address (a second IP address and a second port,
 * RFC 5780 4.1) the server listens on four transport addresses: primary IP
 * and alternate IP, each with the primary and the alternate port.  Its
 * responses then carry OTHER-ADDRESS and RESPONSE-ORIGIN, and it honours
 * CHANGE-REQUEST by sending the response from the other IP and/or port.
 *
 * The event types here are shared with the TURN server (turn_server.h).
 */
#ifndef RTCLAB_STUN_SERVER_H
#define RTCLAB_STUN_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtclab/addr.h"
#include "rtclab/packet.h"
#include "rtclab/simio.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --- what the servers report ------------------------------------------------------- */

enum rtclab_server_event_kind {
	RTCLAB_SERVER_EV_BINDING = 1,         /* a Binding request answered with the client's address */
	RTCLAB_SERVER_EV_REJECTED,            /* a request answered with an error response (error_code) */
	RTCLAB_SERVER_EV_DISCARDED,           /* something that arrived was ignored (text says why) */
	RTCLAB_SERVER_EV_ALLOCATION_CREATED,  /* TURN: relayed address, lifetime */
	RTCLAB_SERVER_EV_ALLOCATION_REFRESHED,/* TURN: new lifetime */
	RTCLAB_SERVER_EV_ALLOCATION_DELETED,  /* TURN: Refresh with LIFETIME 0, or its TCP connection closed */
	RTCLAB_SERVER_EV_ALLOCATION_EXPIRED,  /* TURN: not refreshed in time */
	RTCLAB_SERVER_EV_PERMISSION_INSTALLED,/* TURN: peer (its IP address counts), lifetime */
	RTCLAB_SERVER_EV_PERMISSION_REFRESHED,
	RTCLAB_SERVER_EV_PERMISSION_EXPIRED,
	RTCLAB_SERVER_EV_CHANNEL_BOUND,       /* TURN: channel, peer, lifetime */
	RTCLAB_SERVER_EV_CHANNEL_REFRESHED,
	RTCLAB_SERVER_EV_CHANNEL_EXPIRED,
	RTCLAB_SERVER_EV_RELAYED_TO_PEER,     /* TURN: Send indication or ChannelData, out of the relayed address */
	RTCLAB_SERVER_EV_RELAYED_TO_CLIENT,   /* TURN: a peer's datagram, as a Data indication or ChannelData */
	RTCLAB_SERVER_EV_DROPPED_NO_PERMISSION, /* TURN: no permission for the peer's IP address, either way */
	RTCLAB_SERVER_EV_DROPPED,             /* TURN: data dropped for another reason (text says which) */
};
#define RTCLAB_SERVER_EV_LAST RTCLAB_SERVER_EV_DROPPED

/* "binding", "rejected", ..., "dropped-no-permission" (stable identifiers). */
const char *rtclab_server_event_kind_id(enum rtclab_server_event_kind kind);

struct rtclab_server_event {
	enum rtclab_server_event_kind kind;
	rtclab_time_ns now;
	enum rtclab_l4 l4;           /* the client side's transport (UDP, or TCP for TURN over TCP) */
	struct rtclab_addr client;   /* the client's transport address (family NONE when not concerned) */
	struct rtclab_addr server;   /* the server's address the client talks to */
	struct rtclab_addr relayed;  /* TURN: the allocation's relayed address, or family NONE */
	struct rtclab_addr peer;     /* TURN: the peer concerned, or family NONE */
	uint16_t method;             /* the STUN method of the message concerned, 0 for none */
	uint16_t error_code;         /* REJECTED: the code sent (401, 438, ...) */
	uint16_t channel;            /* TURN: the channel concerned, 0 for none */
	uint32_t lifetime_s;         /* granted lifetime in seconds, where one applies */
	size_t length;               /* RELAYED_*, DROPPED*: application data bytes */
	const char *text;            /* one sentence; valid only during the callback */
};

typedef void (*rtclab_server_event_fn)(void *arg, const struct rtclab_server_event *ev);

/* --- errors ------------------------------------------------------------------------ */

/* Why a server could not be created.  Never renumber: add new ones last. */
enum rtclab_server_error {
	RTCLAB_SERVER_OK = 0,
	RTCLAB_SERVER_E_NO_MEMORY,
	RTCLAB_SERVER_E_NO_ADDRESS,      /* the listening address has no family or port 0 */
	RTCLAB_SERVER_E_ALTERNATE,       /* RFC 5780: the alternate address must have the same family
					  * and differ from the primary in both IP address and port */
	RTCLAB_SERVER_E_NO_SEND,         /* no send function */
	RTCLAB_SERVER_E_NO_REALM,        /* TURN: no realm, or one that cannot be prepared */
	RTCLAB_SERVER_E_BAD_USER,        /* TURN: a user without a name, or whose key cannot be made (where: its index) */
	RTCLAB_SERVER_E_RELAY_RANGE,     /* TURN: no relay IP address, or an empty or inverted port range */
	RTCLAB_SERVER_E_LIFETIME,        /* TURN: default lifetime above the maximum */
	RTCLAB_SERVER_E_NO_RNG,          /* TURN: no random number generator */
};
#define RTCLAB_SERVER_E_LAST RTCLAB_SERVER_E_NO_RNG

/* A short phrase: "the alternate address must differ in IP address and port". */
const char *rtclab_server_error_str(enum rtclab_server_error code);

/* --- the STUN server ---------------------------------------------------------------- */

struct rtclab_stun_server_config {
	struct rtclab_addr primary;   /* IP address and port (3478) */
	struct rtclab_addr alternate; /* RFC 5780: second IP and port; family NONE for a plain server */
	const char *software;         /* SOFTWARE in every response; NULL for none (copied) */
	rtclab_send_fn send;          /* where responses go (always l4 UDP) */
	void *send_arg;
	rtclab_server_event_fn on_event; /* may be NULL */
	void *event_arg;
};

struct rtclab_stun_server;

/* Create a server; on failure *out is NULL and the error says why. */
enum rtclab_server_error rtclab_stun_server_new(const struct rtclab_stun_server_config *cfg,
						struct rtclab_stun_server **out);
void rtclab_stun_server_free(struct rtclab_stun_server *srv);

/* The transport addresses the server listens on: 1, or 4 with an alternate
 * (primary IP/primary port, primary IP/alternate port, alternate IP/primary
 * port, alternate IP/alternate port).  Returns the count; writes at most cap. */
size_t rtclab_stun_server_addresses(const struct rtclab_stun_server *srv, struct rtclab_addr *out, size_t cap);

/* A datagram arrived at local (one of the server's addresses) from src.
 * Only UDP is served; anything else is discarded (and reported). */
void rtclab_stun_server_receive(struct rtclab_stun_server *srv, rtclab_time_ns now, enum rtclab_l4 l4,
				const struct rtclab_addr *local, const struct rtclab_addr *src, const void *data,
				size_t len);

#ifdef __cplusplus
}
#endif
#endif
