/* The terminal walkthrough (rtclab tui, rtclab walk): not library API.
 *
 *   tui_model.c   the model: a timeline (rtclab/timeline.h) built, a slice
 *                 at a time, from a capture file, a live capture or a
 *                 simulation, plus what the panes need that the timeline
 *                 does not keep: the bytes of each message that made a
 *                 step, and the NAT decisions of a simulation.
 *   tui_lines.c   text lines with attributes: what every pane produces.
 *   tui_panes.c   the panes as lines: detail, hex, explain, candidates and
 *                 pairs, NAT tables (pure functions of the model and the
 *                 current step; no curses).
 *   tui_screen.c  curses: layout, the ladder, the session list, keys, mouse.
 *   cmd_tui.c     rtclab tui and rtclab walk: options, inputs, and the
 *                 text walkthrough when the output is not a terminal.
 */
#ifndef RTCLAB_TUI_H
#define RTCLAB_TUI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtclab/addr.h"
#include "rtclab/capture.h"
#include "rtclab/events.h"
#include "rtclab/nat.h"
#include "rtclab/scenario.h"
#include "rtclab/timeline.h"

/* --- lines ---------------------------------------------------------------------------- */

enum tui_attr {
	TUI_A_NORMAL = 0,
	TUI_A_DIM,        /* explanations, things not reached yet */
	TUI_A_BOLD,
	TUI_A_HEAD,       /* a heading */
	TUI_A_GOOD,       /* verified, succeeded, connected */
	TUI_A_BAD,        /* failed, filtered, integrity bad */
	TUI_A_WARN,
	TUI_A_SELECT,     /* the selected line (the current field of the detail) */
};

struct tui_line {
	char *text;       /* UTF-8, owned; no control characters */
	enum tui_attr attr;
	int field;        /* the index (in struct tui_fields) of the field this line shows, or -1 */
	int hl_from, hl_to; /* a byte range of text drawn highlighted (the selected field in hex), or -1 */
};

struct tui_lines {
	size_t n, cap;
	struct tui_line *v;
};

void tui_lines_add(struct tui_lines *l, enum tui_attr a, int field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* text word-wrapped at width columns, each line indented by indent spaces */
void tui_lines_wrap(struct tui_lines *l, enum tui_attr a, int field, int indent, int width, const char *text);
void tui_lines_clear(struct tui_lines *l); /* back to none (memory kept) */
void tui_lines_free(struct tui_lines *l);

/* A field of a message: a byte range that the hex pane highlights. */
struct tui_field {
	size_t offset, len;   /* in the payload's bytes */
	char name[48];        /* "header", "XOR-MAPPED-ADDRESS", ... */
};
struct tui_fields {
	size_t n, cap;
	struct tui_field *v;
};
void tui_fields_add(struct tui_fields *f, size_t offset, size_t len, const char *name);
void tui_fields_clear(struct tui_fields *f);
void tui_fields_free(struct tui_fields *f);

/* --- the model --------------------------------------------------------------------------- */

enum tui_source { TUI_SRC_FILE = 0, TUI_SRC_LIVE, TUI_SRC_SIM };

enum tui_payload_kind {
	TUI_PL_DATAGRAM = 0,  /* a UDP payload, or a STUN/ChannelData message cut from a TCP stream */
	TUI_PL_SIGNAL,        /* a signaling message: its JSON (indented) or an SDP body */
};

/* The message that made a step (or several steps at one frame). */
struct tui_payload {
	uint64_t frame;       /* the event's frame (steps name it in step->frame) */
	enum tui_payload_kind kind;
	enum rtclab_l4 l4;
	struct rtclab_addr src, dst;
	int64_t ts_ns;
	const char *via;      /* SIGNAL: "WebSocket", "HTTP" (static) */
	size_t len;
	uint8_t *bytes;       /* owned; SIGNAL: text, NUL-terminated (len excludes the NUL) */
};

/* A NAT decision of a simulation, kept in time order.  Mappings created and
 * expired are all kept; of the decisions about packets (translated in or
 * out, forwarded, filtered, hairpinned, dropped) only the first of each kind
 * per mapping and remote endpoint (what a table shows); refreshes not. */
struct tui_nat_event {
	int64_t ts_ns;
	char nat[32];
	struct rtclab_nat_decision d;   /* d.rfc is static */
};

#define TUI_MAX_NAT_EVENTS 200000     /* kept; the rest counted in nat_dropped */
/* STUN and DTLS payloads kept per source, destination and message type: the
 * first ones, which are those steps show (repeats, keepalives, consent checks
 * and application data are counted by the timeline, not made steps), so
 * memory follows the flows, not the length of the capture. */
#define TUI_PAYLOADS_PER_FLOW 32
#define TUI_MAX_PAYLOADS 200000

struct tui_model {
	enum tui_source source;
	const char *input;                /* the file, scenario or interface, for titles */
	const struct rtclab_scenario *scenario; /* a simulation's (it outlives the model): TURN credentials */
	struct rtclab_timeline *tl;
	bool finished;                    /* rtclab_timeline_finish() ran: steps sorted, outcome known */
	/* sorted by frame (they come in frame order) */
	size_t n_payloads, cap_payloads;
	struct tui_payload *payloads;
	uint64_t payloads_dropped;
	size_t n_nat, cap_nat;
	struct tui_nat_event *nat;
	uint64_t nat_dropped;
	struct tui_counts *nat_seen;      /* private: packet decisions kept, by kind, mapping and remote */
	struct tui_counts *flows_seen;    /* private: STUN and DTLS payloads kept, by addresses and type */
	/* reading: progress of a file, packets of a live capture */
	uint64_t frames;                  /* fed so far */
	uint64_t bytes_done, bytes_total; /* a file: where the reader is, and its size (0 if unknown) */
	char error[RTCLAB_CAPTURE_ERRLEN];/* a capture that could not be read to its end: why */
	struct tui_loader *loader;        /* private */
};

/* A model of a capture file (read by tui_model_step), a live capture, or a
 * scenario (simulated at once).  NULL with a sentence in err. */
struct tui_model *tui_model_open_file(const char *path, const char *filter, char *err, size_t errlen);
struct tui_model *tui_model_open_live(const char *iface, const char *filter, char *err, size_t errlen);
struct tui_model *tui_model_open_scenario(const struct rtclab_scenario *sc, const char *name, bool has_seed,
					  uint64_t seed, char *err, size_t errlen);
/* Descriptions from elsewhere (before the first tui_model_step). */
bool tui_model_add_sdp(struct tui_model *m, const char *path, char *err, size_t errlen);
bool tui_model_add_webrtc_internals(struct tui_model *m, const char *path, char *err, size_t errlen);
/* Read on for about budget_ms; true when more remains (a file not read to
 * its end, a live capture).  A file read to its end is finished. */
bool tui_model_step(struct tui_model *m, int budget_ms);
/* A live capture: stop and finish (outcome, selected pair). */
void tui_model_stop(struct tui_model *m);
void tui_model_free(struct tui_model *m);

/* The payloads of a step (those of its frame), or NULL; *n how many. */
const struct tui_payload *tui_model_payloads(const struct tui_model *m, const struct rtclab_tl_step *st, size_t *n);
/* The ice-pwd the receiver of this message checks it with, from the peers of s (NULL when not known).
 * p must hold the STUN message itself between its two ends: for a check carried through TURN, the
 * caller passes the inner message with the relay's peer as its far end (tui_panes.c does). */
const char *tui_model_pwd_for(const struct rtclab_tl_session *s, const struct tui_payload *p);

/* --- panes (tui_panes.c): lines for the current step i of session s -------------------- */

/* (tui_lines.c) As tui_lines_wrap, the first line indented by indent and
 * the next ones by hang: "@20   XOR-MAPPED-ADDRESS ..." with its value
 * continued under it.  Spaces between words are kept as written. */
void tui_lines_wrap_hanging(struct tui_lines *l, enum tui_attr a, int field, int indent, int hang, int width,
			    const char *text);

/* The message decoded as a tree, each field explained; its integrity and
 * fingerprint checked with the session's ice-pwd; fields for the hex pane. */
void tui_pane_detail(const struct tui_model *m, const struct rtclab_tl_session *s, size_t i, int width,
		     struct tui_lines *out, struct tui_fields *fields);
/* The bytes, 16 a line with offsets and ASCII; the field sel (or none, -1) highlighted. */
void tui_pane_hex(const struct tui_model *m, const struct rtclab_tl_session *s, size_t i,
		  const struct tui_fields *fields, int sel, int width, struct tui_lines *out);
/* The current step's story: what happened, why, which of the six steps and
 * what it is about, what to look at next. */
void tui_pane_explain(const struct tui_model *m, const struct rtclab_tl_session *s, size_t i, int width,
		      struct tui_lines *out);
/* Each peer's candidates known at the time of step i, and the pairs with
 * their states at that time. */
void tui_pane_candidates(const struct tui_model *m, const struct rtclab_tl_session *s, size_t i, int width,
			 struct tui_lines *out);
/* Each NAT's mappings and filter permissions at the time of step i (a
 * simulation), the last decisions that changed them. */
void tui_pane_nat(const struct tui_model *m, const struct rtclab_tl_session *s, size_t i, int width,
		  struct tui_lines *out);

#endif
