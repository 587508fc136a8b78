/* rtclab/simnet.h - the simulator's network core: a virtual clock, an event
 * queue, realms (address spaces), hosts, NATs between realms, links, and
 * the routing of datagrams (and TCP segments) between them.
 *
 * Realm 0 is the public Internet.  Every other realm is a private network
 * that a NAT (struct rtclab_nat, nat.h) joins to an outer realm; NATs nest
 * (a home NAT whose outer realm is the inside of a carrier-grade NAT).  A
 * host has addresses (IPv4 and IPv6, each in a realm), an access link and a
 * callback that receives what arrives for it.  A packet a host sends goes:
 *
 *   over the sender's access link (up) onto its realm's wire;
 *   to a host of that realm owning the destination address (over that
 *   host's access link, down), or to a NAT whose external address it is
 *   (over the NAT's uplink, down; the NAT filters and translates it onto its
 *   inner realm's wire), or else up through the realm's NAT (translated,
 *   over the NAT's uplink, up) onto the outer realm's wire, and so on.
 *
 * A packet to the NAT's own external address from inside is hairpinned
 * (RFC 4787 6).  Packets a NAT passes untranslated (IPv6, or a NAT whose
 * config does not translate) are routed down to the inside host that owns
 * the address, still through the NAT's firewall and filtering.
 *
 * Each time a packet is on a realm's wire the tap callback sees it with the
 * addresses that wire carries; every NAT decision goes to the decision
 * callback; every loss and drop to the drop callback.
 *
 * Everything happens in events processed in (time, sequence) order: ties go
 * to the event scheduled first.  Each link draws its loss and jitter from
 * its own generator forked from the seed in the order links are created, so
 * one configuration and one seed always give the same run.
 */
#ifndef RTCLAB_SIMNET_H
#define RTCLAB_SIMNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtclab/addr.h"
#include "rtclab/nat.h"
#include "rtclab/packet.h"
#include "rtclab/simio.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RTCLAB_SIMNET_INTERNET 0u       /* the realm made by rtclab_simnet_new(), named "internet" */
#define RTCLAB_SIMNET_MAX_PAYLOAD 65535 /* bytes in one datagram or segment */
#define RTCLAB_SIMNET_MAX_HOPS 64       /* realm wires a packet may cross before it is dropped */
#define RTCLAB_SIMNET_MAX_TCP_FLOWS 4096 /* TCP 4-tuples a host remembers (for the SYN flag) */

/* One direction of a link. */
struct rtclab_simnet_link {
	rtclab_time_ns latency; /* one-way delay */
	rtclab_time_ns jitter;  /* extra delay drawn uniformly from [0, jitter] */
	double loss;            /* probability that a UDP packet is lost, 0 to 1 (TCP is not lost: its
				 * retransmissions are not simulated) */
};

/* Errors are values.  Append only. */
enum rtclab_simnet_error {
	RTCLAB_SIMNET_OK = 0,
	RTCLAB_SIMNET_E_NOMEM,
	RTCLAB_SIMNET_E_REALM,        /* no such realm */
	RTCLAB_SIMNET_E_HOST,         /* no such host */
	RTCLAB_SIMNET_E_NAT,          /* no such NAT */
	RTCLAB_SIMNET_E_NAT_CONFIG,   /* rtclab_nat_new() refused the config (see the nat_error out value) */
	RTCLAB_SIMNET_E_TOPOLOGY,     /* inner realm is the Internet, already behind a NAT, or the outer
				       * realm is inside it (a loop) */
	RTCLAB_SIMNET_E_ADDRESS,      /* not an IPv4 or IPv6 address */
	RTCLAB_SIMNET_E_ADDRESS_USED, /* another host or NAT already has that address in that realm */
	RTCLAB_SIMNET_E_NOT_OWN,      /* a source address the sending host does not have */
	RTCLAB_SIMNET_E_FAMILY,       /* source and destination of different families */
	RTCLAB_SIMNET_E_L4,           /* neither UDP nor TCP */
	RTCLAB_SIMNET_E_TOO_BIG,      /* more than RTCLAB_SIMNET_MAX_PAYLOAD bytes */
	RTCLAB_SIMNET_E_LINK,         /* negative latency or jitter, loss outside [0, 1] */
	RTCLAB_SIMNET_E_PAST,         /* a time before now */
};

const char *rtclab_simnet_error_str(enum rtclab_simnet_error e);

/* A packet seen on a realm's wire. */
struct rtclab_simnet_tap {
	unsigned realm;
	const char *realm_name;
	rtclab_time_ns time;
	uint64_t packet; /* the packet's number (1, 2, ... in order of sending), the same at every tap */
	enum rtclab_l4 l4;
	bool syn;        /* TCP: the segment that opens the connection */
	struct rtclab_addr src, dst; /* as on this wire */
	const uint8_t *data;
	size_t len;
};

enum rtclab_simnet_drop_reason {
	RTCLAB_SIMNET_DROP_LOSS = 0, /* lost on a link */
	RTCLAB_SIMNET_DROP_NO_ROUTE, /* nobody has the destination address */
	RTCLAB_SIMNET_DROP_NAT,      /* a NAT dropped it (its decision says why) */
	RTCLAB_SIMNET_DROP_HOP_LIMIT,
};

struct rtclab_simnet_drop {
	enum rtclab_simnet_drop_reason reason;
	rtclab_time_ns time;
	uint64_t packet;
	enum rtclab_l4 l4;
	struct rtclab_addr src, dst; /* as where it was dropped */
	const char *node;            /* the host or NAT whose link or decision dropped it; NULL otherwise */
	bool uplink;                 /* LOSS: on the node's link towards the Internet (else towards it) */
	unsigned realm;              /* NO_ROUTE, HOP_LIMIT: the realm it was in */
};

/* Callbacks for what happens; any may be NULL. */
struct rtclab_simnet_observer {
	void (*tap)(void *arg, const struct rtclab_simnet_tap *t);
	void (*decision)(void *arg, unsigned nat, const char *nat_name, const struct rtclab_nat_decision *d);
	void (*drop)(void *arg, const struct rtclab_simnet_drop *d);
	void *arg;
};

/* What arrives for a host: local is the host's address (with port) it was
 * sent to, src the sender as seen by the host. */
typedef void (*rtclab_simnet_deliver_fn)(void *arg, rtclab_time_ns now, enum rtclab_l4 l4,
					 const struct rtclab_addr *local, const struct rtclab_addr *src,
					 const void *data, size_t len);

typedef void (*rtclab_simnet_timer_fn)(void *arg, rtclab_time_ns now);

struct rtclab_simnet_stats {
	uint64_t events;        /* processed */
	uint64_t packets;       /* sent by hosts */
	uint64_t delivered;
	uint64_t lost;          /* on links */
	uint64_t dropped;       /* by NATs, no route, hop limit */
	size_t peak_queue;      /* most events waiting at once */
};

struct rtclab_simnet;

/* A network with only the Internet realm, at time 0. */
enum rtclab_simnet_error rtclab_simnet_new(struct rtclab_simnet **out, uint64_t seed);
void rtclab_simnet_free(struct rtclab_simnet *net);

/* obs is copied. */
void rtclab_simnet_set_observer(struct rtclab_simnet *net, const struct rtclab_simnet_observer *obs);

/* A private realm (name copied); its id in *id. */
enum rtclab_simnet_error rtclab_simnet_realm_add(struct rtclab_simnet *net, const char *name, unsigned *id);
size_t rtclab_simnet_realm_count(const struct rtclab_simnet *net);
const char *rtclab_simnet_realm_name(const struct rtclab_simnet *net, unsigned realm);

/* A NAT joining inner to outer, with its external IPv4 addresses in outer.
 * Its uplink (to outer) is perfect until rtclab_simnet_nat_link().  When
 * rtclab_nat_new() refuses the config, *nat_error says why (may be NULL). */
enum rtclab_simnet_error rtclab_simnet_nat_add(struct rtclab_simnet *net, const char *name, unsigned outer,
					       unsigned inner, const struct rtclab_nat_config *cfg,
					       const struct rtclab_addr *external, size_t n_external, unsigned *id,
					       enum rtclab_nat_error *nat_error);
enum rtclab_simnet_error rtclab_simnet_nat_link(struct rtclab_simnet *net, unsigned nat,
						const struct rtclab_simnet_link *up, const struct rtclab_simnet_link *down);
/* The NAT itself (to read its mappings, or flush them: rtclab_nat_flush()). */
struct rtclab_nat *rtclab_simnet_nat(struct rtclab_simnet *net, unsigned nat);
/* The NAT whose inner realm this is, or false for the Internet and realms without one. */
bool rtclab_simnet_realm_nat(const struct rtclab_simnet *net, unsigned realm, unsigned *nat);

/* A host (name copied) without addresses; deliver gets what arrives. */
enum rtclab_simnet_error rtclab_simnet_host_add(struct rtclab_simnet *net, const char *name,
						rtclab_simnet_deliver_fn deliver, void *arg, unsigned *id);
/* An address (port ignored) of the host in realm. */
enum rtclab_simnet_error rtclab_simnet_host_addr_add(struct rtclab_simnet *net, unsigned host, unsigned realm,
						     const struct rtclab_addr *ip);
/* Take an address away (a network change); packets in flight to it are dropped. */
enum rtclab_simnet_error rtclab_simnet_host_addr_remove(struct rtclab_simnet *net, unsigned host,
							const struct rtclab_addr *ip);
/* The host's access link, both directions (perfect until set).  May change
 * at any time: a link going down is loss 1. */
enum rtclab_simnet_error rtclab_simnet_host_link(struct rtclab_simnet *net, unsigned host,
						 const struct rtclab_simnet_link *up,
						 const struct rtclab_simnet_link *down);
const char *rtclab_simnet_host_name(const struct rtclab_simnet *net, unsigned host);

/* Send now from host: src must be one of its addresses (with the port it
 * sends from).  syn marks the TCP segment that opens a connection.  The
 * bytes are copied. */
enum rtclab_simnet_error rtclab_simnet_send(struct rtclab_simnet *net, unsigned host, enum rtclab_l4 l4, bool syn,
					    const struct rtclab_addr *src, const struct rtclab_addr *dst,
					    const void *data, size_t len);

/* An rtclab_send_fn for the modules (ICE agent, servers): arg is a
 * struct rtclab_simnet_endpoint.  A TCP chunk on a 4-tuple the host has
 * neither sent nor received on before carries SYN.  A time later than now
 * delays the departure; an earlier one means now.  Errors are counted as
 * drops (rtclab_simnet_endpoint.errors). */
struct rtclab_simnet_endpoint {
	struct rtclab_simnet *net;
	unsigned host;
	uint64_t errors;
	enum rtclab_simnet_error last_error;
};
void rtclab_simnet_send_fn(void *endpoint, rtclab_time_ns now, enum rtclab_l4 l4, const struct rtclab_addr *src,
			   const struct rtclab_addr *dst, const void *data, size_t len);

/* Call fn(arg, when) at when (not before now).  Returns the timer's id, or 0
 * when out of memory or when is in the past. */
uint64_t rtclab_simnet_timer(struct rtclab_simnet *net, rtclab_time_ns when, rtclab_simnet_timer_fn fn, void *arg);
/* false when the timer already ran, was cancelled, or never was. */
bool rtclab_simnet_timer_cancel(struct rtclab_simnet *net, uint64_t id);

rtclab_time_ns rtclab_simnet_now(const struct rtclab_simnet *net);
/* The time of the next event; RTCLAB_NEVER with none. */
rtclab_time_ns rtclab_simnet_next_time(const struct rtclab_simnet *net);
/* Process the next event; false when there is none. */
bool rtclab_simnet_step(struct rtclab_simnet *net);
/* Process every event up to and including t_end, then set the clock to t_end. */
void rtclab_simnet_run_until(struct rtclab_simnet *net, rtclab_time_ns t_end);

void rtclab_simnet_get_stats(const struct rtclab_simnet *net, struct rtclab_simnet_stats *out);

#ifdef __cplusplus
}
#endif
#endif
