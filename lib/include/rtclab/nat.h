/* rtclab/nat.h - one NAT (and firewall) as RFC 4787 describes it, sans I/O.
 *
 * A NAT is configured by its behaviours (struct rtclab_nat_config), then fed
 * packets with the current time: rtclab_nat_outbound() for a packet leaving
 * the inside, rtclab_nat_inbound() for one arriving at an external address.
 * Each call answers with a verdict and the translated addresses, and reports
 * every decision it took (a mapping created, reused, refreshed or expired, a
 * packet translated, filtered and why, hairpinned, dropped by the firewall)
 * to a callback as a struct rtclab_nat_decision: a value the timeline can
 * show, explained in one sentence by rtclab_nat_decision_explain().
 *
 * Only IPv4 is translated (there is no NAT66).  IPv6 packets, and every
 * packet of a NAT configured with translate = false, pass with their
 * addresses unchanged; a stateful firewall may still filter them (the
 * config's filter_untranslated), with "pinholes" that are mappings onto
 * themselves.
 *
 * TCP is carried by its 4-tuple and a SYN flag only: TCP flows get mappings
 * like UDP ones (their own lifetime, RFC 5382 5), and the firewall modes
 * need to know which side opened a connection.
 */
#ifndef RTCLAB_NAT_H
#define RTCLAB_NAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtclab/addr.h"
#include "rtclab/packet.h"
#include "rtclab/simio.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Mapping (RFC 4787 4.1) and filtering (RFC 4787 5) behaviours: what part of
 * the remote endpoint matters. */
enum rtclab_nat_behavior {
	RTCLAB_NAT_EI = 0, /* endpoint-independent: nothing of the remote matters */
	RTCLAB_NAT_AD,     /* address-dependent: the remote IP address */
	RTCLAB_NAT_APD,    /* address-and-port-dependent: the remote IP address and port */
};

/* Port assignment (RFC 4787 4.2.1). */
enum rtclab_nat_port_alloc {
	RTCLAB_NAT_PORT_PRESERVE = 0, /* the internal port when it is free, else sequential */
	RTCLAB_NAT_PORT_SEQUENTIAL,   /* the next free port after the last one given */
	RTCLAB_NAT_PORT_RANDOM,       /* a random free port (needs an rng) */
};

/* Hairpinning (RFC 4787 6): a packet from inside to one of the NAT's own
 * external addresses. */
enum rtclab_nat_hairpin {
	RTCLAB_NAT_HAIRPIN_OFF = 0,   /* dropped */
	RTCLAB_NAT_HAIRPIN_EXTERNAL,  /* looped back; its source is the sender's mapped address (REQ-9a) */
	RTCLAB_NAT_HAIRPIN_INTERNAL,  /* looped back; its source stays the sender's internal address */
};

/* Firewall policies in front of (or without) the NAT. */
enum rtclab_nat_firewall {
	RTCLAB_NAT_FW_NONE = 0,
	RTCLAB_NAT_FW_BLOCK_UDP, /* every UDP packet is dropped, both ways; TCP passes */
	RTCLAB_NAT_FW_TCP_443,   /* only TCP connections opened from inside to port 443; their
				  * packets pass both ways, everything else is dropped */
};

/* Defaults of rtclab_nat_config_default() and the presets. */
#define RTCLAB_NAT_DEFAULT_PORT_MIN 49152
#define RTCLAB_NAT_DEFAULT_PORT_MAX 65535
#define RTCLAB_NAT_DEFAULT_UDP_LIFETIME RTCLAB_SEC(300)  /* RFC 4787 REQ-5: >= 2 min, 5 min recommended */
#define RTCLAB_NAT_DEFAULT_TCP_LIFETIME RTCLAB_SEC(7440) /* RFC 5382 REQ-5: >= 2 h 4 min */
#define RTCLAB_NAT_DEFAULT_MAX_MAPPINGS 65536
/* Remote endpoints remembered per mapping for filtering; past it the one
 * sent to least recently is forgotten. */
#define RTCLAB_NAT_MAX_REMOTES 256

struct rtclab_nat_config {
	bool translate;                       /* false: a router (and firewall) that does not translate */
	enum rtclab_nat_behavior mapping;     /* RFC 4787 4.1 */
	enum rtclab_nat_behavior filtering;   /* RFC 4787 5 */
	enum rtclab_nat_port_alloc port_alloc;
	bool port_parity;                     /* keep the internal port's parity (RFC 4787 4.2.2) */
	uint16_t port_min, port_max;          /* external ports given out (preservation may go outside) */
	rtclab_time_ns udp_lifetime;          /* idle time before a UDP mapping expires (RFC 4787 4.3) */
	rtclab_time_ns tcp_lifetime;          /* the same for TCP (RFC 5382 5) */
	bool inbound_refresh;                 /* inbound packets refresh the mapping too (4.3, REQ-6 says
					       * outbound refresh MUST be true; inbound MAY) */
	enum rtclab_nat_hairpin hairpin;      /* RFC 4787 6 */
	bool filter_untranslated;             /* untranslated packets (IPv6, translate = false) are
					       * filtered with the filtering behaviour (a stateful firewall) */
	enum rtclab_nat_firewall firewall;
	size_t max_mappings;                  /* 0: RTCLAB_NAT_DEFAULT_MAX_MAPPINGS */
};

/* Errors are values.  Append only. */
enum rtclab_nat_error {
	RTCLAB_NAT_OK = 0,
	RTCLAB_NAT_E_UNKNOWN_NAME,  /* not a preset nor a mapping-filtering name */
	RTCLAB_NAT_E_PORT_RANGE,    /* port_min is 0 or above port_max */
	RTCLAB_NAT_E_LIFETIME,      /* a lifetime is not positive */
	RTCLAB_NAT_E_NO_EXTERNAL,   /* a translating NAT without an external IPv4 address */
	RTCLAB_NAT_E_EXTERNAL,      /* an external address that is not IPv4, or given twice */
	RTCLAB_NAT_E_NO_RNG,        /* random port assignment without a generator */
	RTCLAB_NAT_E_BEHAVIOR,      /* a behaviour, port policy, hairpin or firewall value out of range */
	RTCLAB_NAT_E_NOMEM,
};

const char *rtclab_nat_error_str(enum rtclab_nat_error e);

/* A translating NAT as RFC 4787 recommends it: endpoint-independent mapping
 * (REQ-1), address-dependent filtering (REQ-8, its more stringent choice),
 * hairpinning with the external source (REQ-9), a 5-minute UDP timer
 * refreshed by outbound packets (REQ-5, REQ-6), sequential ports from the
 * dynamic range 49152-65535 without parity; IPv6 filtered the same way; no
 * firewall. */
void rtclab_nat_config_default(struct rtclab_nat_config *cfg);

/* A configuration by name:
 * - the presets "open" (no NAT, no filtering), "full-cone" (EIM + EIF),
 *   "restricted-cone" (EIM + ADF), "port-restricted-cone" (EIM + APDF),
 *   "symmetric" (APDM + APDF), "linux" (netfilter masquerading as measured:
 *   EIM preserving the source port when free, APDF, no hairpinning);
 * - every mapping x filtering combination written "<m>-<f>" with m one of
 *   eim, adm, apdm and f one of eif, adf, apdf ("apdm-adf").
 * The classic presets equal their combination ("symmetric" is "apdm-apdf").
 * Other members get the values of rtclab_nat_config_default() ("open"
 * and "linux" differ as said).  Case-sensitive.  On error *cfg is left
 * untouched; the _at form also sets *where (if not NULL) to the offset in
 * name of the part that is not understood. */
enum rtclab_nat_error rtclab_nat_config_from_name(const char *name, struct rtclab_nat_config *cfg);
enum rtclab_nat_error rtclab_nat_config_from_name_at(const char *name, struct rtclab_nat_config *cfg,
						     size_t *where);

/* The preset names (open, full-cone, ..., linux), and the nine combination
 * names in the order eim-eif, eim-adf, eim-apdf, adm-eif, ... apdm-apdf:
 * the rows and columns of the nat-matrix. */
const char *const *rtclab_nat_preset_names(size_t *count);
const char *const *rtclab_nat_matrix_names(size_t *count);

/* The combination name of a translating configuration ("eim-apdf"); "open"
 * for one that does not translate. */
const char *rtclab_nat_config_name(const struct rtclab_nat_config *cfg);

/* "block-udp" and "tcp-443" (and "none"); false for anything else. */
bool rtclab_nat_firewall_from_name(const char *name, enum rtclab_nat_firewall *fw);
const char *rtclab_nat_firewall_name(enum rtclab_nat_firewall fw);

/* "endpoint-independent", "address-dependent", "address-and-port-dependent". */
const char *rtclab_nat_behavior_name(enum rtclab_nat_behavior b);
/* "preserve", "sequential", "random"; "off", "external", "internal". */
const char *rtclab_nat_port_alloc_name(enum rtclab_nat_port_alloc p);
const char *rtclab_nat_hairpin_name(enum rtclab_nat_hairpin h);

/* --- decisions -------------------------------------------------------------------- */

enum rtclab_nat_decision_kind {
	RTCLAB_NAT_MAPPING_CREATED = 0,  /* first packet of a new mapping (4.1) */
	RTCLAB_NAT_MAPPING_REUSED,       /* an existing mapping used towards a new remote (4.1) */
	RTCLAB_NAT_MAPPING_REFRESHED,    /* a packet restarted an existing mapping's timer (4.3) */
	RTCLAB_NAT_MAPPING_EXPIRED,      /* a mapping's timer ran out, or the NAT flushed it (4.3) */
	RTCLAB_NAT_OUTBOUND_TRANSLATED,  /* source rewritten to the mapped address */
	RTCLAB_NAT_INBOUND_TRANSLATED,   /* let in, destination rewritten to the internal address */
	RTCLAB_NAT_OUTBOUND_FORWARDED,   /* passed out without translation (IPv6, or no NAT) */
	RTCLAB_NAT_INBOUND_FORWARDED,    /* passed in without translation */
	RTCLAB_NAT_INBOUND_FILTERED,     /* dropped by the filtering behaviour (5); see reason */
	RTCLAB_NAT_HAIRPINNED,           /* looped back to another internal endpoint (6) */
	RTCLAB_NAT_FIREWALL_DROPPED,     /* dropped by the firewall policy; see reason */
	RTCLAB_NAT_DROPPED,              /* dropped for another reason; see reason */
};

enum rtclab_nat_reason {
	RTCLAB_NAT_R_NONE = 0,
	RTCLAB_NAT_R_NO_MAPPING,         /* no mapping uses that external address and port */
	RTCLAB_NAT_R_ADDRESS_NOT_SENT,   /* ADF: the mapping never sent to that remote address */
	RTCLAB_NAT_R_PORT_NOT_SENT,      /* APDF: sent to that address, never to that port */
	RTCLAB_NAT_R_UDP_BLOCKED,        /* firewall: UDP is blocked */
	RTCLAB_NAT_R_TCP_NOT_443,        /* firewall: TCP to a port other than 443 */
	RTCLAB_NAT_R_TCP_NOT_OPENED,     /* firewall: TCP segment without SYN on no open connection */
	RTCLAB_NAT_R_NOT_ESTABLISHED,    /* firewall: inbound TCP not on a connection opened from inside */
	RTCLAB_NAT_R_NO_HAIRPIN,         /* sent to the NAT's own external address, no hairpinning */
	RTCLAB_NAT_R_NO_PORT,            /* no external port free in the range */
	RTCLAB_NAT_R_TABLE_FULL,         /* max_mappings reached */
	RTCLAB_NAT_R_TIMEOUT,            /* (expired) idle for the whole lifetime */
	RTCLAB_NAT_R_FLUSHED,            /* (expired) the NAT dropped all its mappings (rebinding) */
	RTCLAB_NAT_R_FAMILY,             /* neither IPv4 nor IPv6, or mixed families */
};

/* One mapping (for a pinhole, external equals internal). */
struct rtclab_nat_mapping_info {
	uint64_t id;                   /* 1, 2, ... in order of creation */
	enum rtclab_l4 l4;
	struct rtclab_addr internal;   /* X:x */
	struct rtclab_addr external;   /* X':x' */
	struct rtclab_addr remote;     /* the remote it was created for (Y:y); part of its key
					* under address(-and-port)-dependent mapping */
	rtclab_time_ns created, expires;
	rtclab_time_ns lifetime;       /* the idle time after which it expires (UDP or TCP) */
	bool translated;               /* false for a pinhole */
};

struct rtclab_nat_decision {
	enum rtclab_nat_decision_kind kind;
	enum rtclab_nat_reason reason;
	rtclab_time_ns time;
	enum rtclab_l4 l4;
	struct rtclab_addr inside;     /* the internal endpoint of the packet (or of the mapping) */
	struct rtclab_addr outside;    /* the remote endpoint (for a hairpin: the address sent to) */
	struct rtclab_addr external;   /* the sender's external address after translation, the
					* destination of an inbound packet; family NONE if none */
	bool has_mapping;
	struct rtclab_nat_mapping_info mapping; /* the mapping concerned (hairpin: the target's) */
	enum rtclab_nat_behavior mapping_behavior, filtering_behavior;
	enum rtclab_nat_firewall firewall;
	enum rtclab_nat_hairpin hairpin;
	const char *rfc;               /* "RFC 4787 4.1" and so on; static */
};

typedef void (*rtclab_nat_decision_fn)(void *arg, const struct rtclab_nat_decision *d);

/* "mapping-created", "inbound-filtered", ...; "no-mapping", ... */
const char *rtclab_nat_decision_kind_name(enum rtclab_nat_decision_kind k);
const char *rtclab_nat_reason_name(enum rtclab_nat_reason r);

/* One sentence for students, with the addresses and the RFC section.
 * Returns the length it needs, like snprintf; always NUL-terminates when
 * len > 0. */
size_t rtclab_nat_decision_explain(const struct rtclab_nat_decision *d, char *buf, size_t len);

/* --- the NAT ----------------------------------------------------------------------- */

struct rtclab_nat;

/* A packet as the NAT sees it: TCP carries its SYN flag (a SYN without ACK
 * opens a connection). */
struct rtclab_nat_packet {
	enum rtclab_l4 l4; /* UDP or TCP */
	bool syn;
	struct rtclab_addr src, dst;
};

enum rtclab_nat_verdict {
	RTCLAB_NAT_PASS = 0, /* out (or in), with the translated addresses */
	RTCLAB_NAT_HAIRPIN,  /* outbound packet looped back inside, with the translated addresses */
	RTCLAB_NAT_DROP,
};

/* A NAT with cfg (copied) and its external IPv4 addresses (copied; ports
 * ignored).  With several, an internal address is always paired with the
 * same external one (RFC 4787 4.1, REQ-2), given in turn to new internal
 * addresses.  rng (caller-owned, may be NULL unless port_alloc is RANDOM)
 * must outlive the NAT.  decide (may be NULL) gets every decision. */
enum rtclab_nat_error rtclab_nat_new(struct rtclab_nat **out, const struct rtclab_nat_config *cfg,
				     const struct rtclab_addr *external, size_t n_external, struct rtclab_rng *rng,
				     rtclab_nat_decision_fn decide, void *arg);
void rtclab_nat_free(struct rtclab_nat *nat);

const struct rtclab_nat_config *rtclab_nat_config(const struct rtclab_nat *nat);

/* Whether addr is one of the NAT's external addresses (ports ignored). */
bool rtclab_nat_is_external(const struct rtclab_nat *nat, const struct rtclab_addr *addr);

/* Whether packets of this family pass the NAT untranslated. */
bool rtclab_nat_passes_untranslated(const struct rtclab_nat *nat, enum rtclab_family family);

/* A packet from inside, at now (never before an earlier call's time).
 * Expired mappings are reported first.  On PASS *out holds the packet as it
 * leaves; on HAIRPIN as it comes back inside. */
enum rtclab_nat_verdict rtclab_nat_outbound(struct rtclab_nat *nat, rtclab_time_ns now,
					    const struct rtclab_nat_packet *in, struct rtclab_nat_packet *out);

/* A packet from outside to one of the NAT's addresses (or, untranslated, to
 * an inside address).  On PASS *out holds the packet as it goes in. */
enum rtclab_nat_verdict rtclab_nat_inbound(struct rtclab_nat *nat, rtclab_time_ns now,
					   const struct rtclab_nat_packet *in, struct rtclab_nat_packet *out);

/* Expire (and report) every mapping whose timer ran out by now. */
void rtclab_nat_advance(struct rtclab_nat *nat, rtclab_time_ns now);

/* When the next mapping expires; RTCLAB_NEVER with none. */
rtclab_time_ns rtclab_nat_next_expiry(const struct rtclab_nat *nat);

/* Drop every mapping, each reported as expired with reason FLUSHED: a NAT
 * rebinding (a reboot, a new external port for every flow). */
void rtclab_nat_flush(struct rtclab_nat *nat, rtclab_time_ns now);

/* The live mappings, in order of creation. */
size_t rtclab_nat_mapping_count(const struct rtclab_nat *nat);
bool rtclab_nat_mapping_at(const struct rtclab_nat *nat, size_t i, struct rtclab_nat_mapping_info *info);

#ifdef __cplusplus
}
#endif
#endif
