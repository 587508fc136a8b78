/* Shared helpers of the rtclab command's subcommands (not library API). */
#ifndef RTCLAB_TOOL_H
#define RTCLAB_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "rtclab/channeldata.h"
#include "rtclab/stun.h"

#if defined(__GNUC__)
#define RTCLAB_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define RTCLAB_PRINTF(f, a)
#endif

/* Exit statuses shared by every subcommand. */
enum {
	EXIT_CLEAN = 0,    /* input decoded, nothing wrong */
	EXIT_PROBLEMS = 1, /* input decoded, problems found or verification failed */
	EXIT_USAGE = 2,    /* bad command line, unreadable input */
};

struct subcommand {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
	void (*usage)(FILE *out);
};

int cmd_stun(int argc, char **argv);
void usage_stun(FILE *out);
int cmd_candidate(int argc, char **argv);
void usage_candidate(FILE *out);
int cmd_sdp(int argc, char **argv);
void usage_sdp(FILE *out);
int cmd_dump(int argc, char **argv);
void usage_dump(FILE *out);
int cmd_replay(int argc, char **argv);
void usage_replay(FILE *out);
int cmd_sim(int argc, char **argv);
void usage_sim(FILE *out);
int cmd_nat_matrix(int argc, char **argv);
void usage_nat_matrix(FILE *out);
int cmd_tui(int argc, char **argv);
void usage_tui(FILE *out);
int cmd_walk(int argc, char **argv);
void usage_walk(FILE *out);

/* --- output style ------------------------------------------------------------- */

struct style {
	bool color;
	int width; /* wrap explanations at this column */
};

/* Colours on a terminal unless NO_COLOR is set; `when` is auto, always or never. */
bool style_init(struct style *st, FILE *out, const char *when);
const char *st_bold(const struct style *st);
const char *st_dim(const struct style *st);
const char *st_good(const struct style *st);
const char *st_bad(const struct style *st);
const char *st_warn(const struct style *st);
const char *st_off(const struct style *st);

/* Print text word-wrapped at st->width, every line indented by indent spaces. */
void print_wrapped(FILE *out, const struct style *st, int indent, const char *text);

/* --- input -------------------------------------------------------------------- */

/* Parse hex digits, ignoring whitespace, ':' and '-' separators and 0x
 * prefixes.  Returns a malloc'd buffer, or NULL with a message in err
 * (naming the column of the first bad character). */
uint8_t *parse_hex(const char *text, size_t *len, char *err, size_t errlen);

/* Read a whole file ("-" = standard input).  NULL with errno-based message on failure. */
uint8_t *read_input(const char *path, size_t *len, char *err, size_t errlen);

/* The --sdp files of replay and tui: true when the file holds a=setup:actpass,
 * which only an offer carries (RFC 8842 5), so it can be given first whatever
 * the order on the command line.  False for "-" (read once only) and for a
 * file that cannot be read (its reader says why). */
bool sdp_file_offers(const char *path);

/* A JSON file, plain or gzip-compressed (Chrome compresses its webrtc-internals
 * dumps by default); *gzipped says which.  NULL with jerr filled (line -1 when
 * the file could not be read). */
json_t *load_json_file(const char *path, json_error_t *jerr, bool *gzipped);

/* A scenario file parsed (rtclab sim, tui, walk), or NULL with what is wrong said
 * on standard error: "CMD: why", or each problem as FILE:LINE:COLUMN: message. */
struct rtclab_scenario;
struct rtclab_scenario *scenario_load(const char *cmd, const char *path);

/* True when every byte is a hex digit, whitespace or separator (a hex dump saved as text). */
bool looks_like_hex_text(const uint8_t *buf, size_t len);

/* --- STUN printing (shared with later capture tools) ----------------------------- */

void print_stun_text(FILE *out, const struct style *st, const struct rtclab_stun_msg *msg,
		     const struct rtclab_stun_verdict *verdict, bool explain);
void print_channeldata_text(FILE *out, const struct style *st, const struct rtclab_channeldata *cd, bool explain);

#endif
