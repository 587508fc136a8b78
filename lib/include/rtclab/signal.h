/* rtclab/signal.h - what a signaling message carries: an SDP offer or
 * answer, an ICE candidate, the end of candidates, or something else.
 *
 * WebRTC does not define signaling (RFC 9429 3.1); most applications send
 * JSON over a WebSocket, each wrapping RTCSessionDescriptionInit and
 * RTCIceCandidateInit differently:
 *
 *   {"type":"offer","sdp":"v=0..."}
 *   {"event":"offer","data":{"sdp":{"type":"offer","sdp":"v=0..."}}}
 *   {"msg":{"description":{"type":"answer","sdp":"v=0..."}}}
 *   {"candidate":{"candidate":"candidate:1 1 udp ...","sdpMid":"0","sdpMLineIndex":0}}
 *
 * rtclab_signal_parse() walks the whole JSON value and finds every object
 * with a "type" of offer, answer, pranswer or rollback and a string "sdp"
 * (rollback needs none), and every object with a "candidate" that is a
 * string or null (an empty or null candidate means the end of candidates),
 * wherever they are nested (up to 64 levels deep).  Each is an item with the JSON path where it
 * was found ("data.sdp", "candidates[2]"; "" for the message itself), and
 * its SDP parsed with rtclab_sdp_parse() or its candidate line with
 * rtclab_candidate_parse().  A message with none of these, JSON or not, is
 * one item of kind OTHER.
 *
 * rtclab_signal_parse_sdp_body() does the same for an HTTP body of type
 * application/sdp (WHIP/WHEP, RFC 9725): the POST carries the offer, the
 * 201 Created response the answer.
 *
 * The result owns copies of everything; free it with rtclab_signal_free().
 */
#ifndef RTCLAB_SIGNAL_H
#define RTCLAB_SIGNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "rtclab/bytes.h"
#include "rtclab/candidate.h"
#include "rtclab/sdp.h"

#ifdef __cplusplus
extern "C" {
#endif

enum rtclab_signal_kind {
	RTCLAB_SIGNAL_OTHER = 0,
	RTCLAB_SIGNAL_OFFER,
	RTCLAB_SIGNAL_ANSWER,
	RTCLAB_SIGNAL_PRANSWER,
	RTCLAB_SIGNAL_ROLLBACK,
	RTCLAB_SIGNAL_CANDIDATE,
	RTCLAB_SIGNAL_END_OF_CANDIDATES,
};

/* At most this many items are kept from one message (the rest are counted). */
#define RTCLAB_SIGNAL_MAX_ITEMS 32
#define RTCLAB_SIGNAL_PATH_MAX 128

struct rtclab_signal_item {
	enum rtclab_signal_kind kind;
	char path[RTCLAB_SIGNAL_PATH_MAX]; /* where it was found; "" for the message itself */
	/* offer, answer, pranswer (NULL for rollback, or out of memory): the
	 * SDP parsed from sdp_text (owned by the item). */
	char *sdp_text;
	size_t sdp_len;
	struct rtclab_sdp *sdp;
	/* candidate: the line (owned), and what rtclab_candidate_parse made of it. */
	char *candidate_text;
	size_t candidate_len;
	struct rtclab_candidate candidate;
	enum rtclab_cand_error cand_error;
	size_t cand_column;
	/* candidate and end-of-candidates: the other RTCIceCandidateInit members. */
	bool has_sdp_mid;
	char sdp_mid[64];
	int64_t sdp_mline_index;           /* -1 when absent */
	bool has_ufrag;
	char ufrag[64];
};

struct rtclab_signal {
	bool is_json;
	json_t *json;                      /* the parsed message (a new reference), NULL when not JSON */
	size_t n_items;                    /* at least 1 */
	size_t n_items_total;              /* found, including those over RTCLAB_SIGNAL_MAX_ITEMS */
	struct rtclab_signal_item items[RTCLAB_SIGNAL_MAX_ITEMS];
};

/* A text message (a WebSocket text message, an HTTP body of JSON).  NULL
 * only when out of memory. */
struct rtclab_signal *rtclab_signal_parse(const char *text, size_t len);

/* An application/sdp HTTP body: kind is RTCLAB_SIGNAL_OFFER or _ANSWER,
 * see rtclab_signal_http_kind().  NULL only when out of memory. */
struct rtclab_signal *rtclab_signal_parse_sdp_body(const char *text, size_t len, enum rtclab_signal_kind kind);

/* RFC 9725 4.2: a request (POST, or PATCH for an ICE restart) carries an
 * offer; a response (201 Created, or 200 to a PATCH) carries an answer.
 * RTCLAB_SIGNAL_OTHER for anything else. */
enum rtclab_signal_kind rtclab_signal_http_kind(bool is_request, struct rtclab_str method, int status);

void rtclab_signal_free(struct rtclab_signal *s);

/* "offer", "answer", "pranswer", "rollback", "candidate", "end-of-candidates", "other". */
const char *rtclab_signal_kind_name(enum rtclab_signal_kind k);

#ifdef __cplusplus
}
#endif
#endif
