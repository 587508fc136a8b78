/* rtclab/wire.h - what a simulated wire carries: complete Ethernet frames
 * for the datagrams and TCP streams the simulator moves, with real headers
 * and checksums, so that a capture written from them (pcapng_writer.h)
 * opens in Wireshark and in `rtclab dump`/`rtclab replay` like a real one.
 *
 * One struct rtclab_wire stands for one wire (one vantage point): it owns
 * the IPv4 identification counter and the TCP connections seen there.  The
 * same connection seen on two wires (before and after a NAT) has its own
 * sequence numbers on each: a NAT does not rewrite sequence numbers, but
 * each wire draws its ISNs from its own generator.
 *
 * Frames:
 * - Ethernet II; the MAC address of each side is derived from its IP
 *   address (rtclab_wire_mac), locally administered (02:...), so a frame's
 *   MACs say which hosts it is between.
 * - IPv4 (RFC 791): TTL 64, DF set, the identification from the wire's
 *   counter, header checksum.  A UDP datagram larger than the MTU is sent
 *   as IPv4 fragments (DF clear, one identification, offsets in 8-byte
 *   units, RFC 791 3.2), which rtclab_packet_decode reassembles.
 * - IPv6 (RFC 8200): hop limit 64, no extension headers.  A UDP datagram
 *   larger than the MTU is written as one frame larger than the MTU (no
 *   IPv6 fragmentation: rtclab reassembles IPv4 only).
 * - UDP (RFC 768) with its checksum over the pseudo-header, mandatory over
 *   IPv6 (RFC 8200 8.1); a computed 0 is sent as 0xFFFF.
 * - TCP (RFC 9293): a three-way handshake (SYN with an MSS option,
 *   SYN-ACK, ACK), data segments of at most one MSS (MTU - 40 over IPv4,
 *   MTU - 60 over IPv6) carrying ACK, with PSH on the last segment of each
 *   write, a FIN handshake (FIN-ACK, FIN-ACK, ACK) and RST.  Sequence and
 *   acknowledgment numbers follow the bytes sent (each SYN and FIN counts
 *   one).  The receiver's acknowledgments ride on its own segments, plus
 *   a pure ACK whenever 32 KiB of the sender's bytes are unacknowledged
 *   (half the 65535-byte window it advertises); no retransmission, no
 *   window scaling.
 *
 * Nothing here does I/O.  Frames go to a callback and are valid only
 * during the call; every frame of one call belongs to the same instant.
 */
#ifndef RTCLAB_WIRE_H
#define RTCLAB_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtclab/addr.h"
#include "rtclab/packet.h"
#include "rtclab/simio.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RTCLAB_WIRE_MTU 1500             /* the default IP MTU (Ethernet) */
#define RTCLAB_WIRE_MIN_MTU 1280         /* the smallest accepted (RFC 8200 5) */
#define RTCLAB_WIRE_ETH_HEADER 14
#define RTCLAB_WIRE_MAX_CONNECTIONS 65536u /* TCP connections open at once on one wire */
/* The largest frame a wire builds: Ethernet + IPv6 header + 65535 bytes of payload. */
#define RTCLAB_WIRE_MAX_FRAME (RTCLAB_WIRE_ETH_HEADER + 40 + 65535)

enum rtclab_wire_error {
	RTCLAB_WIRE_OK = 0,
	RTCLAB_WIRE_E_ADDRESS,     /* an address that is not IPv4 or IPv6, or two of different families */
	RTCLAB_WIRE_E_TOO_BIG,     /* a UDP payload that no IP datagram can hold (65507 / 65527 bytes) */
	RTCLAB_WIRE_E_TRANSPORT,   /* rtclab_wire_send: l4 is neither UDP nor TCP */
	RTCLAB_WIRE_E_OPEN,        /* rtclab_wire_tcp_open: the connection is already open */
	RTCLAB_WIRE_E_NO_CONNECTION, /* close or reset of a connection that is not open */
	RTCLAB_WIRE_E_TOO_MANY,    /* RTCLAB_WIRE_MAX_CONNECTIONS are open */
	RTCLAB_WIRE_E_NOMEM,
};

/* "ok", "address", ...: a short id for a log or JSON. */
const char *rtclab_wire_error_id(enum rtclab_wire_error e);
/* A sentence that stands alone. */
const char *rtclab_wire_error_str(enum rtclab_wire_error e);

struct rtclab_wire_options {
	uint16_t mtu;              /* IP MTU; 0 means RTCLAB_WIRE_MTU; at least RTCLAB_WIRE_MIN_MTU */
	struct rtclab_rng *rng;    /* the wire forks its own generator from it (for the ISNs and the
				    * first IPv4 identification); NULL: a generator seeded with 0 */
};

/* A finished frame (Ethernet II), valid only during the call. */
typedef void (*rtclab_wire_frame_fn)(void *arg, const uint8_t *frame, size_t len);

struct rtclab_wire;

/* NULL when out of memory (or an MTU outside 1280-65535).  opts may be NULL. */
struct rtclab_wire *rtclab_wire_new(const struct rtclab_wire_options *opts);
void rtclab_wire_free(struct rtclab_wire *w);

/* The MAC address rtclab gives an IP address: 02:00:a:b:c:d for IPv4
 * a.b.c.d; 02:06 and 32 bits of an FNV-1a hash of the 16 bytes for IPv6. */
void rtclab_wire_mac(const struct rtclab_addr *ip, uint8_t mac[6]);

/* One UDP datagram from src to dst (addresses with ports): one frame, or
 * IPv4 fragments when it does not fit the MTU. */
enum rtclab_wire_error rtclab_wire_udp(struct rtclab_wire *w, const struct rtclab_addr *src,
				       const struct rtclab_addr *dst, const void *payload, size_t len,
				       rtclab_wire_frame_fn fn, void *arg);

/* The three-way handshake of a new connection from client to server. */
enum rtclab_wire_error rtclab_wire_tcp_open(struct rtclab_wire *w, const struct rtclab_addr *client,
					    const struct rtclab_addr *server, rtclab_wire_frame_fn fn, void *arg);

/* Bytes of the stream from src to dst, cut into segments of at most one
 * MSS.  A connection not yet open is opened first, with src as the client
 * (the handshake frames come before the data).  len 0 writes nothing. */
enum rtclab_wire_error rtclab_wire_tcp_send(struct rtclab_wire *w, const struct rtclab_addr *src,
					    const struct rtclab_addr *dst, const void *data, size_t len,
					    rtclab_wire_frame_fn fn, void *arg);

/* An orderly close started by `from`: FIN-ACK from it, FIN-ACK from the
 * peer, the last ACK from it.  The connection is then forgotten. */
enum rtclab_wire_error rtclab_wire_tcp_close(struct rtclab_wire *w, const struct rtclab_addr *from,
					     const struct rtclab_addr *to, rtclab_wire_frame_fn fn, void *arg);

/* An abort by `from`: one RST-ACK segment.  The connection is forgotten. */
enum rtclab_wire_error rtclab_wire_tcp_reset(struct rtclab_wire *w, const struct rtclab_addr *from,
					     const struct rtclab_addr *to, rtclab_wire_frame_fn fn, void *arg);

/* Close every connection still open, client first, in the order they were
 * opened (at the end of a simulation, so that each stream ends cleanly). */
void rtclab_wire_tcp_finish(struct rtclab_wire *w, rtclab_wire_frame_fn fn, void *arg);

/* How many connections are open. */
size_t rtclab_wire_tcp_count(const struct rtclab_wire *w);

/* What the simulator's tap hands over (simio.h's rtclab_send_fn shape):
 * RTCLAB_L4_UDP is rtclab_wire_udp, RTCLAB_L4_TCP rtclab_wire_tcp_send. */
enum rtclab_wire_error rtclab_wire_send(struct rtclab_wire *w, enum rtclab_l4 l4, const struct rtclab_addr *src,
					const struct rtclab_addr *dst, const void *data, size_t len,
					rtclab_wire_frame_fn fn, void *arg);

#ifdef __cplusplus
}
#endif
#endif
