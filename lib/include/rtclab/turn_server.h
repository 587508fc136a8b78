/* rtclab/turn_server.h - a simulated TURN server (RFC 8656), sans-I/O.
 *
 * Clients reach the server at one listening address, over UDP or over TCP
 * (RFC 8656 12.5: STUN messages and ChannelData back to back in the byte
 * stream, ChannelData padded to 4 bytes).  Relayed addresses are taken from
 * one relay IP address and a port range; the relay side is always UDP.
 *
 * Feed every datagram (or TCP chunk) that arrives at the listening address
 * or at a relayed address to rtclab_turn_server_receive(); the server hands
 * what it sends to the configured rtclab_send_fn: responses and indications
 * to clients (from the listening address, with the client's l4), datagrams
 * to peers (l4 UDP, from a relayed address).  Allocations, permissions and
 * channel bindings expire: call rtclab_turn_server_tick() when the time
 * rtclab_turn_server_next_timer() gives has come (it may be early, never
 * late).  Each notable decision is reported to the event callback
 * (stun_server.h) with a sentence.
 *
 * Authentication is the long-term credential mechanism (RFC 8489 9.2):
 * 401 with REALM and NONCE for a request without MESSAGE-INTEGRITY, the
 * key MD5(username ":" realm ":" password) with OpaqueString preparation,
 * nonces that expire (438 Stale Nonce) and are bound to the client's
 * address.  Every response to a request that authenticated carries
 * MESSAGE-INTEGRITY (438 included: it is only sent once the integrity
 * verified); 400 and 401 are not signed.  Every STUN message the server
 * sends carries FINGERPRINT.  The server also answers Binding requests
 * (without authentication; an RFC 3489 client gets MAPPED-ADDRESS and no
 * FINGERPRINT).
 */
#ifndef RTCLAB_TURN_SERVER_H
#define RTCLAB_TURN_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtclab/addr.h"
#include "rtclab/packet.h"
#include "rtclab/simio.h"
#include "rtclab/stun_server.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RTCLAB_TURN_DEFAULT_LIFETIME 600   /* s, RFC 8656 7.2 */
#define RTCLAB_TURN_MAX_LIFETIME 3600      /* s, RFC 8656 7.2 recommendation */
#define RTCLAB_TURN_PERMISSION_LIFETIME 300 /* s, RFC 8656 9 (fixed) */
#define RTCLAB_TURN_CHANNEL_LIFETIME 600   /* s, RFC 8656 12 (fixed) */
#define RTCLAB_TURN_CHANNEL_COOLDOWN 300   /* s after a binding expires before its number or peer may be rebound differently (RFC 8656 12) */
#define RTCLAB_TURN_NONCE_LIFETIME 600     /* s, like coturn's default */
#define RTCLAB_TURN_MAX_PERMISSIONS 32     /* per allocation; more: 508 Insufficient Capacity */
#define RTCLAB_TURN_MAX_CHANNELS 32        /* per allocation; more: 508 */
#define RTCLAB_TURN_MAX_ALLOCATIONS 65536  /* default limit of allocations; more: 486 Allocation Quota Reached */
#define RTCLAB_TURN_MAX_TCP_CONNECTIONS 65536 /* default limit of client TCP connections followed */

struct rtclab_turn_user {
	const char *username;
	const char *password;
};

struct rtclab_turn_server_config {
	struct rtclab_addr listen;      /* IP and port clients send to (3478), for UDP and TCP */
	struct rtclab_addr relay_ip;    /* the IP address relayed addresses get (port ignored) */
	uint16_t relay_port_min;        /* relayed ports; 0 and 0: 49152-65535 (RFC 8656 7.2) */
	uint16_t relay_port_max;
	const char *realm;              /* REALM (copied) */
	const struct rtclab_turn_user *users; /* copied; keys made once at creation */
	size_t n_users;
	const char *software;           /* SOFTWARE in responses; NULL for none (copied) */
	uint32_t default_lifetime_s;    /* 0: RTCLAB_TURN_DEFAULT_LIFETIME */
	uint32_t max_lifetime_s;        /* 0: RTCLAB_TURN_MAX_LIFETIME */
	uint32_t nonce_lifetime_s;      /* 0: RTCLAB_TURN_NONCE_LIFETIME */
	size_t max_allocations;         /* 0: RTCLAB_TURN_MAX_ALLOCATIONS */
	size_t max_tcp_connections;     /* 0: RTCLAB_TURN_MAX_TCP_CONNECTIONS */
	struct rtclab_rng *rng;         /* forked once at creation: relayed ports and the nonce secret */
	rtclab_send_fn send;
	void *send_arg;
	rtclab_server_event_fn on_event; /* may be NULL */
	void *event_arg;
};

struct rtclab_turn_server;

/* Create a server; on failure *out is NULL, the error says why and *where
 * (may be NULL) the index of the user concerned for RTCLAB_SERVER_E_BAD_USER. */
enum rtclab_server_error rtclab_turn_server_new(const struct rtclab_turn_server_config *cfg,
						struct rtclab_turn_server **out, size_t *where);
void rtclab_turn_server_free(struct rtclab_turn_server *srv);

/* Something arrived at local from src: at the listening address, a UDP
 * datagram or a chunk of the TCP stream from src (l4 TCP, any chunking);
 * at a relayed address, a UDP datagram from a peer. */
void rtclab_turn_server_receive(struct rtclab_turn_server *srv, rtclab_time_ns now, enum rtclab_l4 l4,
				const struct rtclab_addr *local, const struct rtclab_addr *src, const void *data,
				size_t len);

/* The client's TCP connection to local ended: its buffer is dropped and
 * the allocation on it deleted (RFC 8656 7: the 5-tuple no longer exists). */
void rtclab_turn_server_tcp_closed(struct rtclab_turn_server *srv, rtclab_time_ns now,
				   const struct rtclab_addr *local, const struct rtclab_addr *src);

/* The earliest time something may expire, RTCLAB_NEVER when nothing can. */
/* Drop the allocation of the client at this transport address (as the
 * server sees it, on UDP or TCP to `listen`) now, as if it had expired:
 * the scenario event turn-expire.  false when it has none. */
bool rtclab_turn_server_expire(struct rtclab_turn_server *srv, rtclab_time_ns now, const struct rtclab_addr *listen,
			       const struct rtclab_addr *client);

rtclab_time_ns rtclab_turn_server_next_timer(const struct rtclab_turn_server *srv);
/* Expire what is due at now (events for each). */
void rtclab_turn_server_tick(struct rtclab_turn_server *srv, rtclab_time_ns now);

/* Whether addr is one of the server's relayed addresses in use now. */
bool rtclab_turn_server_is_relayed(const struct rtclab_turn_server *srv, const struct rtclab_addr *addr);
/* Live allocations. */
size_t rtclab_turn_server_allocations(const struct rtclab_turn_server *srv);

#ifdef __cplusplus
}
#endif
#endif
