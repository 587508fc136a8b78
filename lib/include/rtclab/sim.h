/* rtclab/sim.h - a scenario run: the simulated network (simnet.h, nat.h),
 * the STUN, TURN and signaling servers, and peers whose browsers-in-miniature
 * signal over a WebSocket, gather and check with the real ICE agent
 * (ice_agent.h), then run a DTLS handshake and send media.
 *
 * What crossed each wire (every realm: a peer's LAN, the public side, ...)
 * comes out as Ethernet frames with real headers and checksums (wire.h),
 * one callback per frame with the wire it was seen on.  A caller writes
 * them to pcapng (pcapng_writer.h) and decodes the same frames into the
 * event stream (events.h) for the timeline, so a simulation and the replay
 * of its capture give the same timeline by construction.  NAT decisions
 * come out through their own callback.
 *
 * Deterministic: one scenario and one seed give the same frames, byte for
 * byte.  No I/O.
 */
#ifndef RTCLAB_SIM_H
#define RTCLAB_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtclab/candidate.h"
#include "rtclab/nat.h"
#include "rtclab/scenario.h"
#include "rtclab/simio.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Simulated time 0 is this Unix time (2026-01-01T00:00:00Z) in the frames. */
#define RTCLAB_SIM_EPOCH_NS (1767225600LL * 1000000000LL)

enum rtclab_sim_error {
	RTCLAB_SIM_OK = 0,
	RTCLAB_SIM_E_NOMEM,
	RTCLAB_SIM_E_SCENARIO,  /* the scenario has problems (parse it without errors first) */
	RTCLAB_SIM_E_NETWORK,   /* the network could not be built: the message says what */
	RTCLAB_SIM_E_SERVER,    /* a STUN or TURN server could not be created */
	RTCLAB_SIM_E_AGENT,     /* an ICE agent could not be created */
};
const char *rtclab_sim_error_str(enum rtclab_sim_error e);

struct rtclab_sim_hooks {
	/* Every frame on every wire, in time order: wire is 0, 1, ... in the
	 * order of rtclab_sim_wire_name(); time in ns since the Unix epoch. */
	void (*frame)(void *arg, unsigned wire, int64_t time_ns, const uint8_t *frame, size_t len);
	/* Every NAT decision (mapping created, packet filtered, ...). */
	void (*nat)(void *arg, int64_t time_ns, const char *nat_name, const struct rtclab_nat_decision *d);
	void *arg;
};

struct rtclab_sim_options {
	bool has_seed;
	uint64_t seed;          /* instead of the scenario's */
	rtclab_time_ns until;   /* 0: the scenario's duration */
	/* Stop as soon as every session is decided (both agents selected a
	 * pair, or one failed): for tables of outcomes (rtclab nat-matrix),
	 * not for watching a session, whose DTLS and media are then cut short. */
	bool stop_when_decided;
};

/* How one offerer's session ended, from the offerer's point of view. */
struct rtclab_sim_result {
	size_t offerer, answerer;       /* indexes in scenario->peers */
	bool connected;                 /* both agents selected a pair (consent may have been lost after) */
	rtclab_time_ns connected_at;    /* when the offerer first selected a pair; -1 never */
	bool has_pair;
	enum rtclab_cand_type local_type, remote_type;
	struct rtclab_addr local, remote;
	bool relayed;
	bool consent_lost;
	bool dtls_done;
	size_t controlling;             /* the peer controlling at the end */
	char reason[240];               /* why it failed, or how it connected */
};

struct rtclab_sim;

/* Build everything for the scenario (which must outlive the run).  On error
 * NULL, with the code in *error and a sentence in err. */
struct rtclab_sim *rtclab_sim_new(const struct rtclab_scenario *sc, const struct rtclab_sim_options *opts,
				  const struct rtclab_sim_hooks *hooks, enum rtclab_sim_error *error, char *err,
				  size_t err_len);
void rtclab_sim_free(struct rtclab_sim *sim);

/* Run to the end (the scenario's duration, or opts->until): frames and
 * decisions come out through the hooks as they happen. */
void rtclab_sim_run(struct rtclab_sim *sim);

/* The wires, for the pcapng interfaces: "LAN A", "internet", ... */
size_t rtclab_sim_wire_count(const struct rtclab_sim *sim);
const char *rtclab_sim_wire_name(const struct rtclab_sim *sim, unsigned wire);
const char *rtclab_sim_wire_description(const struct rtclab_sim *sim, unsigned wire);

/* The sessions (one per offering peer) after the run. */
size_t rtclab_sim_result_count(const struct rtclab_sim *sim);
const struct rtclab_sim_result *rtclab_sim_result(const struct rtclab_sim *sim, size_t i);

/* A peer's RFC 5780 discovery verdicts (enum rtclab_scn_mapping and
 * rtclab_scn_filtering; mapping RTCLAB_SCN_NO_NAT; -1 when a test that
 * needed an answer got none).  false when the peer ran no discovery. */
bool rtclab_sim_discovery(const struct rtclab_sim *sim, size_t peer, int *mapping, int *filtering);

/* What the scenario asks that the simulator does not do: one sentence
 * each, with the scenario line.  A run goes on without them.  None for a
 * scenario that rtclab_scenario_parse() accepted (RFC 5780 discovery
 * against a STUN server with one address, in a model built by hand). */
size_t rtclab_sim_limit_count(const struct rtclab_sim *sim);
const char *rtclab_sim_limit(const struct rtclab_sim *sim, size_t i);

/* Simulation statistics: events processed, packets sent. */
void rtclab_sim_counts(const struct rtclab_sim *sim, uint64_t *events, uint64_t *packets);

#ifdef __cplusplus
}
#endif
#endif
