/* rtclab/scenario.h - the scenario files of the NAT simulator (docs/scenarios.md).
 *
 * A scenario is a YAML file (read through libyaml) that describes peers,
 * their LANs and NAT chains, firewalls, ICE settings, STUN/TURN/signaling
 * servers, links, a timed script and the expectations that make the
 * scenario check itself.  rtclab_scenario_parse() turns it into the plain,
 * fully resolved model below: every default applied, every name resolved
 * to an index, templates (`count:`) expanded.  The model owns all its
 * memory; rtclab_scenario_free() releases it.
 *
 * Errors are values: each problem has a code, a 1-based line and column
 * and a sentence saying what was expected.  Parsing goes on after an
 * error where it can, so one run lists several problems.  A scenario with
 * problems must not be simulated.
 */
#ifndef RTCLAB_SCENARIO_H
#define RTCLAB_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtclab/addr.h"
#include "rtclab/candidate.h"
#include "rtclab/simio.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --- problems --------------------------------------------------------------------- */

enum rtclab_scn_error {
	RTCLAB_SCN_OK = 0,
	RTCLAB_SCN_E_YAML,            /* not well-formed YAML (libyaml's message) */
	RTCLAB_SCN_E_TYPE,            /* a mapping, list, string, number or boolean was expected */
	RTCLAB_SCN_E_UNKNOWN_KEY,     /* a key this place does not have */
	RTCLAB_SCN_E_DUPLICATE_KEY,   /* the same key twice in one mapping */
	RTCLAB_SCN_E_MISSING_KEY,     /* a required key is absent */
	RTCLAB_SCN_E_BAD_VALUE,       /* a word that is not one of the allowed ones */
	RTCLAB_SCN_E_BAD_NUMBER,      /* not a number, or out of range */
	RTCLAB_SCN_E_BAD_TIME,        /* a time that does not parse (units ms, s, min) */
	RTCLAB_SCN_E_BAD_ADDRESS,     /* not an IPv4 or IPv6 address */
	RTCLAB_SCN_E_UNKNOWN_PRESET,  /* a NAT preset name that does not exist */
	RTCLAB_SCN_E_BAD_CHAIN,       /* an empty NAT in a chain, or "open" inside a chain */
	RTCLAB_SCN_E_DUPLICATE_NAME,  /* two peers, servers or LANs with one name; an address used twice */
	RTCLAB_SCN_E_UNKNOWN_REF,     /* a name that refers to no peer, server or LAN */
	RTCLAB_SCN_E_BAD_REF,         /* a reference to the wrong kind of thing (a STUN list naming a signaling server) */
	RTCLAB_SCN_E_CONFLICT,        /* settings that cannot hold together */
	RTCLAB_SCN_E_ALIAS,           /* YAML anchors and aliases are not supported */
	RTCLAB_SCN_E_LIMIT,           /* too many peers, NATs, addresses, ... */
	RTCLAB_SCN_E_NO_MEMORY,
};

/* "unknown-key", ... (a stable id for scripts and tests). */
const char *rtclab_scn_error_name(enum rtclab_scn_error e);
/* "unknown key", ... (a phrase for people). */
const char *rtclab_scn_error_text(enum rtclab_scn_error e);

struct rtclab_scn_problem {
	enum rtclab_scn_error code;
	uint32_t line, column; /* 1-based; 0 when the whole file is meant */
	char message[320];     /* what is wrong and what was expected */
};

/* "12:5: unknown key 'latncy' in a link (did you mean 'latency'?)"; returns
 * the length it needs, writes at most len bytes, NUL-terminated. */
size_t rtclab_scn_problem_format(const struct rtclab_scn_problem *p, char *buf, size_t len);

/* --- times, NATs ------------------------------------------------------------------ */

/* "250ms", "5s", "1.5s", "2min", "0": into nanoseconds.  At most 1 day.
 * Returns false (and leaves *out alone) when the text is not such a time. */
bool rtclab_scn_time_parse(const char *text, rtclab_time_ns *out);
/* The shortest text rtclab_scn_time_parse reads back to t ("1500ms", "2min"). */
size_t rtclab_scn_time_format(rtclab_time_ns t, char *buf, size_t len);
#define RTCLAB_SCN_TIME_MAX RTCLAB_SEC(86400)

/* RFC 4787 4.1: mapping behaviour.  These enums have the values of the NAT
 * model's (nat.h), checked at compile time. */
enum rtclab_scn_mapping {
	RTCLAB_SCN_EIM = 0, /* endpoint-independent */
	RTCLAB_SCN_ADM,     /* address-dependent */
	RTCLAB_SCN_APDM,    /* address-and-port-dependent */
};
/* RFC 4787 5: filtering behaviour. */
enum rtclab_scn_filtering {
	RTCLAB_SCN_EIF = 0,
	RTCLAB_SCN_ADF,
	RTCLAB_SCN_APDF,
};
/* RFC 4787 4.2.1: how the external port of a new mapping is chosen. */
enum rtclab_scn_ports {
	RTCLAB_SCN_PORTS_PRESERVE = 0, /* the internal port when free, else the next free one */
	RTCLAB_SCN_PORTS_SEQUENTIAL,   /* the next port after the last one given out */
	RTCLAB_SCN_PORTS_RANDOM,
};

const char *rtclab_scn_mapping_name(enum rtclab_scn_mapping m);     /* "eim" */
const char *rtclab_scn_filtering_name(enum rtclab_scn_filtering f); /* "apdf" */
const char *rtclab_scn_ports_name(enum rtclab_scn_ports p);         /* "preserve" */

/* One direction of a link. */
struct rtclab_scn_dir {
	rtclab_time_ns latency, jitter; /* jitter: each packet gets latency + uniform [0, jitter) */
	double loss;                    /* probability in [0, 1] that a packet is lost */
};
/* up: from the peer (or server) towards the internet; down: towards it. */
struct rtclab_scn_link {
	struct rtclab_scn_dir up, down;
};

#define RTCLAB_SCN_MAX_EXTERNAL 4
/* One NAT, fully resolved from its preset and explicit settings. */
struct rtclab_scn_nat {
	char preset[24];                  /* "symmetric", "eim-adf", ...; "custom" when there is none */
	enum rtclab_scn_mapping mapping;
	enum rtclab_scn_filtering filtering;
	enum rtclab_scn_ports ports;
	bool parity;                      /* keep the internal port's parity (RFC 4787 4.2.2) */
	bool hairpinning;                 /* RFC 4787 6 */
	bool inbound_refresh;             /* inbound packets refresh a mapping too (RFC 4787 4.3) */
	rtclab_time_ns mapping_lifetime;  /* idle time after which a mapping is dropped (4.3) */
	struct rtclab_addr external[RTCLAB_SCN_MAX_EXTERNAL]; /* IPs, port 0; none: the simulator picks */
	size_t n_external;
	struct rtclab_scn_link uplink;    /* from this NAT to the next one outwards (or the internet) */
	uint32_t line, column;
};

/* "open, full-cone, restricted-cone, ..." (every preset, for messages). */
const char *rtclab_scn_preset_list(void);
/* Fill *out with the behaviours of a preset, as the NAT model defines it
 * (rtclab_nat_config_from_name() in nat.h; external addresses, uplink and
 * place left zero).  False when the name is not a preset; "open" is not a
 * NAT and is refused here (it is the empty chain). */
bool rtclab_scn_nat_preset(const char *name, size_t len, struct rtclab_scn_nat *out);

#define RTCLAB_SCN_MAX_NATS 4
/* A chain "symmetric/full-cone" (from the peer outwards) or "open" (no
 * NAT, *n = 0).  On error, *err_offset is the byte offset of the bad part. */
enum rtclab_scn_error rtclab_scn_nat_chain_parse(const char *text, size_t len, struct rtclab_scn_nat *out,
						 size_t max, size_t *n, size_t *err_offset);

/* --- the model -------------------------------------------------------------------- */

#define RTCLAB_SCN_NONE SIZE_MAX /* an index that refers to nothing */

/* A LAN: the peers on it share its NAT chain.  A peer without `lan:` is
 * alone on a LAN of its own, named after it. */
struct rtclab_scn_lan {
	char *name;
	bool shared;                                /* declared under `lans:` */
	struct rtclab_scn_nat nats[RTCLAB_SCN_MAX_NATS]; /* nats[0] is next to the peers */
	size_t n_nats;                              /* 0: the LAN is the public internet ("open") */
	uint32_t line, column;
};

enum rtclab_scn_firewall {
	RTCLAB_SCN_FW_NONE = 0,
	RTCLAB_SCN_FW_BLOCK_UDP,     /* every UDP packet is dropped, TCP passes */
	RTCLAB_SCN_FW_ONLY_TCP_443,  /* only outbound TCP connections to port 443 (and their replies) */
};
const char *rtclab_scn_firewall_name(enum rtclab_scn_firewall f);

enum rtclab_scn_role {
	RTCLAB_SCN_ROLE_AUTO = 0,   /* RFC 8445 6.1.1: the offerer controls (unless one side is lite) */
	RTCLAB_SCN_ROLE_CONTROLLING,
	RTCLAB_SCN_ROLE_CONTROLLED,
};

/* Which candidate types to gather: bits (1u << enum rtclab_cand_type). */
#define RTCLAB_SCN_GATHER_ALL ((1u << RTCLAB_CAND_HOST) | (1u << RTCLAB_CAND_SRFLX) | (1u << RTCLAB_CAND_RELAY))

struct rtclab_scn_ice {
	enum rtclab_scn_role role;
	bool has_tiebreaker;
	uint64_t tiebreaker;  /* ICE-CONTROLLING/CONTROLLED value (RFC 8445 7.3.1.1) */
	bool trickle;         /* RFC 8838; default true */
	bool lite;            /* RFC 8445 2.5 */
	bool mdns;            /* host candidates as <uuid>.local names */
	bool relay_only;      /* iceTransportPolicy "relay" */
	unsigned gather;      /* RTCLAB_SCN_GATHER_ALL by default */
};

/* TURN transports: bits. */
#define RTCLAB_SCN_UDP 1u
#define RTCLAB_SCN_TCP 2u

struct rtclab_scn_turn_use {
	size_t server;              /* index into servers */
	char *username, *password;  /* default: the server's first user */
	unsigned transports;        /* RTCLAB_SCN_UDP | RTCLAB_SCN_TCP; default: what the server offers */
};

#define RTCLAB_SCN_MAX_ADDRS 4
#define RTCLAB_SCN_MAX_SERVERS_PER_PEER 4
#define RTCLAB_SCN_MAX_PEERS 10000

struct rtclab_scn_peer {
	char *name;
	char *template_name;   /* the `name:` of its template when made by `count:` (else NULL) */
	size_t instance;       /* 1..count for a template instance, 0 otherwise */
	struct rtclab_addr addrs[RTCLAB_SCN_MAX_ADDRS]; /* LAN addresses (port 0), IPv4 and/or IPv6 */
	size_t n_addrs;
	size_t lan;            /* index into lans */
	enum rtclab_scn_firewall firewall;
	struct rtclab_scn_link link; /* access link: peer <-> its first NAT (or the internet) */
	struct rtclab_scn_ice ice;
	size_t stun[RTCLAB_SCN_MAX_SERVERS_PER_PEER];
	size_t n_stun;
	struct rtclab_scn_turn_use turn[RTCLAB_SCN_MAX_SERVERS_PER_PEER];
	size_t n_turn;
	size_t offer_to;       /* the peer it sends an offer to, or RTCLAB_SCN_NONE */
	size_t discover;       /* a STUN server to run RFC 5780 discovery against, or NONE */
	uint32_t line, column;
};

enum rtclab_scn_server_type {
	RTCLAB_SCN_STUN = 0,
	RTCLAB_SCN_TURN,
	RTCLAB_SCN_SIGNALING,
};
const char *rtclab_scn_server_type_name(enum rtclab_scn_server_type t);

struct rtclab_scn_user {
	char *username, *password;
};

struct rtclab_scn_server {
	char *name;
	enum rtclab_scn_server_type type;
	struct rtclab_addr addr;      /* with its port (3478; 443 for signaling) */
	bool has_other;               /* STUN: RFC 5780 alternate address */
	struct rtclab_addr other;     /* with its port */
	unsigned transports;          /* TURN: RTCLAB_SCN_UDP | RTCLAB_SCN_TCP */
	char *realm;                  /* TURN */
	struct rtclab_scn_user *users;
	size_t n_users;
	struct rtclab_addr relay_ip;  /* TURN: address of the relayed candidates (default: addr's IP) */
	uint16_t relay_min, relay_max;
	rtclab_time_ns allocation_lifetime, permission_lifetime, channel_lifetime;
	rtclab_time_ns latency;       /* signaling: time to pass a message on */
	struct rtclab_scn_link link;
	bool implicit;                /* the default signaling server, added when none is declared */
	uint32_t line, column;
};

enum rtclab_scn_event_kind {
	RTCLAB_SCN_EV_NAT_REBIND = 0, /* the NAT drops its mappings; new ones get new ports */
	RTCLAB_SCN_EV_LINK_DOWN,
	RTCLAB_SCN_EV_LINK_UP,
	RTCLAB_SCN_EV_ICE_RESTART,    /* the peer restarts ICE (new ufrag/pwd, new offer) */
	RTCLAB_SCN_EV_TURN_EXPIRE,    /* the TURN server drops the peer's allocation */
	RTCLAB_SCN_EV_ADDRESS_CHANGE, /* the peer's first LAN address changes (another network) */
	RTCLAB_SCN_EV_PEER_STOP,      /* the peer stops sending and answering */
};
const char *rtclab_scn_event_name(enum rtclab_scn_event_kind k); /* "nat-rebind" */

struct rtclab_scn_event {
	rtclab_time_ns at;
	enum rtclab_scn_event_kind kind;
	size_t peer;           /* index into peers */
	size_t nat;            /* NAT index in the peer's chain (0 = next to it), or NONE: its access link */
	rtclab_time_ns duration; /* link-down: up again after this (0: until a link-up) */
	size_t server;         /* turn-expire: that server only, or NONE: all of the peer's */
	struct rtclab_addr address; /* address-change */
	uint32_t line, column;
};

enum rtclab_scn_tri {
	RTCLAB_SCN_UNSET = 0,
	RTCLAB_SCN_NO,
	RTCLAB_SCN_YES,
};

/* What the simulation must show.  Each field left unset is not checked. */
struct rtclab_scn_expect {
	size_t first_peer, n_peers;   /* the peers whose sessions (as offerer) or discovery this checks */
	enum rtclab_scn_tri connected; /* both agents selected a pair during the run (see consent_lost) */
	rtclab_time_ns within;        /* 0, or: first connected no later than this */
	rtclab_time_ns after;         /* 0, or: first connected no earlier than this */
	int local_type, remote_type;  /* enum rtclab_cand_type of the selected pair, A's view, or -1 */
	enum rtclab_scn_tri relayed;  /* the selected pair has a relay candidate on either side */
	enum rtclab_family family;    /* NONE, or the selected pair's address family */
	char *reason;                 /* a substring of the failure reason, or NULL */
	enum rtclab_scn_tri consent_lost; /* RFC 7675 consent expired on either side */
	size_t controlling;           /* the peer that ends up controlling, or NONE */
	int mapping, filtering;       /* RFC 5780 discovery verdicts; -1 unset; mapping -2: no NAT */
	char *why;                    /* required: why RFC 4787 behaviour gives this outcome */
	uint32_t line, column;
};
#define RTCLAB_SCN_NO_NAT (-2)

struct rtclab_scenario {
	char *name, *description;
	uint64_t seed;                /* default 1 */
	rtclab_time_ns duration;      /* default 60 s */
	struct rtclab_scn_link default_link;
	struct rtclab_scn_lan *lans;
	size_t n_lans;
	struct rtclab_scn_peer *peers;
	size_t n_peers;
	struct rtclab_scn_server *servers;
	size_t n_servers;
	size_t signaling;             /* index of the signaling server (always one) */
	struct rtclab_scn_event *events; /* sorted by time; equal times keep file order */
	size_t n_events;
	struct rtclab_scn_expect *expects;
	size_t n_expects;
	struct rtclab_scn_problem *problems;
	size_t n_problems;
	size_t n_problems_dropped;    /* beyond RTCLAB_SCN_MAX_PROBLEMS */
};
#define RTCLAB_SCN_MAX_PROBLEMS 64

/* Parse a scenario.  NULL only when out of memory; otherwise check
 * n_problems: the model is complete only when it is 0. */
struct rtclab_scenario *rtclab_scenario_parse(const char *text, size_t len);
void rtclab_scenario_free(struct rtclab_scenario *sc);

/* The index of a peer or server by name, or RTCLAB_SCN_NONE. */
size_t rtclab_scenario_peer(const struct rtclab_scenario *sc, const char *name);
size_t rtclab_scenario_server(const struct rtclab_scenario *sc, const char *name);

#ifdef __cplusplus
}
#endif
#endif
