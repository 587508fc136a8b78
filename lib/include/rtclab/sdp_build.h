/* rtclab/sdp_build.h - an SDP offer or answer written from a small model,
 * in the style of a browser's (JSEP, RFC 9429), for the simulated peers.
 *
 * What it writes (CRLF line ends):
 *
 *   v=0
 *   o=- <session id> <version> IN IP4 127.0.0.1
 *   s=-
 *   t=0 0
 *   a=group:BUNDLE 0 1               (RFC 9143)
 *   a=ice-lite                       (when asked, RFC 8839 5.3)
 *   a=msid-semantic: WMS
 *   m=audio <port> UDP/TLS/RTP/SAVPF 111
 *   c=IN IP4 <address>
 *   a=ice-ufrag, a=ice-pwd, a=ice-options:trickle, a=fingerprint:sha-256,
 *   a=setup, a=mid:0, the direction, a=rtcp-mux,
 *   a=rtpmap:111 opus/48000/2, a=fmtp:111 minptime=10;useinbandfec=1,
 *   a=candidate lines, a=end-of-candidates
 *   m=application <port> UDP/DTLS/SCTP webrtc-datachannel
 *   c=..., the same ICE and DTLS lines, a=mid:1, a=sctp-port:5000,
 *   a=max-message-size:262144, candidates
 *
 * Either section may be left out (not both); mids count from 0 in that
 * order.  With no usable candidate the sections say port 9 and
 * c=IN IP4 0.0.0.0 (RFC 9429 5.2.1, the "dummy" address of trickle ICE,
 * RFC 8840 4.1.1); otherwise the port and address of the default candidate
 * (RFC 8445 5.1.4: a component 1 UDP candidate with an IP address, relayed
 * before server-reflexive before host before peer-reflexive, the first
 * given of its kind).  Candidates go in the first section only, by
 * default: every section is bundled on one transport (RFC 9143), so one
 * list is enough and a reader does not see each candidate twice;
 * candidates_in_every_section repeats them in each section, as browsers do
 * in an initial offer.
 *
 * The result parses with rtclab_sdp_parse() without problems, gives no
 * problem from rtclab_sdp_lint() in its role, and an answer made with
 * rtclab_sdp_build_answer_to() for a built offer passes
 * rtclab_sdp_check_pair().  No I/O; rtclab_sdp_build() allocates nothing.
 */
#ifndef RTCLAB_SDP_BUILD_H
#define RTCLAB_SDP_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtclab/candidate.h"
#include "rtclab/sdp.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RTCLAB_SDP_BUILD_SHA256_LEN 32
#define RTCLAB_SDP_BUILD_SCTP_PORT 5000
#define RTCLAB_SDP_BUILD_MAX_MESSAGE_SIZE 262144

enum rtclab_sdp_build_error {
	RTCLAB_SDP_BUILD_OK = 0,
	RTCLAB_SDP_BUILD_E_ROLE,        /* the role is neither offer nor answer */
	RTCLAB_SDP_BUILD_E_UFRAG,       /* no ice-ufrag, or not 4-256 ice-chars (RFC 8839 5.4) */
	RTCLAB_SDP_BUILD_E_PWD,         /* no ice-pwd, or not 22-256 ice-chars (RFC 8839 5.4) */
	RTCLAB_SDP_BUILD_E_FINGERPRINT, /* neither 32 bytes nor 32 hex pairs with colons (RFC 8122 5) */
	RTCLAB_SDP_BUILD_E_SETUP,       /* offer not actpass, answer not active/passive (RFC 8842 5) */
	RTCLAB_SDP_BUILD_E_NO_MEDIA,    /* neither an audio nor a data channel section */
	RTCLAB_SDP_BUILD_E_CANDIDATE,   /* a candidate that does not parse back (rtclab_candidate_parse) */
	RTCLAB_SDP_BUILD_E_OFFER,       /* build_answer_to: an offer with sections rtclab cannot answer */
	RTCLAB_SDP_BUILD_E_SPACE,       /* the buffer is too small: *len is the length needed */
	RTCLAB_SDP_BUILD_E_NOMEM,
};

/* "ok", "role", ...: a short id. */
const char *rtclab_sdp_build_error_id(enum rtclab_sdp_build_error e);
/* A sentence that stands alone. */
const char *rtclab_sdp_build_error_str(enum rtclab_sdp_build_error e);

struct rtclab_sdp_build {
	enum rtclab_sdp_role role;            /* RTCLAB_SDP_ROLE_OFFER or _ANSWER */
	uint64_t session_id;                  /* o= (browsers: a random 62-bit number) */
	uint64_t session_version;             /* o=, incremented by each new description */
	const char *ice_ufrag, *ice_pwd;
	bool trickle;                         /* a=ice-options:trickle (RFC 8840 4.1.1) */
	bool ice_lite;                        /* a=ice-lite at session level */
	/* The DTLS certificate's SHA-256 fingerprint: 32 bytes, or else the
	 * text "AB:CD:..." (either case; written in uppercase). */
	const uint8_t *fingerprint;
	const char *fingerprint_text;
	enum rtclab_sdp_setup setup;          /* UNSET: actpass in an offer, active in an answer */
	bool audio;                           /* an audio section (opus/111) */
	enum rtclab_sdp_direction direction;  /* of the audio section; UNSET: sendrecv */
	bool data;                            /* a data channel section (SCTP over DTLS) */
	/* Candidates: structs (formatted with rtclab_candidate_format), then
	 * lines ("a=candidate:...", "candidate:..." or the bare value). */
	const struct rtclab_candidate *candidates;
	size_t n_candidates;
	const char *const *candidate_lines;
	size_t n_candidate_lines;
	bool end_of_candidates;               /* a=end-of-candidates (RFC 8840 8.2) */
	bool candidates_in_every_section;
};

/* Write the description into buf (NUL-terminated).  *len (if not NULL) is
 * its length without the NUL, also when RTCLAB_SDP_BUILD_E_SPACE says the
 * buffer was too small (nothing useful is in buf then). */
enum rtclab_sdp_build_error rtclab_sdp_build(const struct rtclab_sdp_build *b, char *buf, size_t cap, size_t *len);

/* The same into a new string (free() it); NULL with *error set on failure. */
char *rtclab_sdp_build_alloc(const struct rtclab_sdp_build *b, size_t *len, enum rtclab_sdp_build_error *error);

/* Prepare the model of an answer to a parsed offer: role answer; the audio
 * and data sections the offer has (it must have at most one opus audio
 * section then at most one UDP/DTLS/SCTP section, in that order, else
 * RTCLAB_SDP_BUILD_E_OFFER); the opposite direction (sendonly answered
 * recvonly, RFC 3264 6.1); setup active to actpass, passive to active,
 * active to passive (RFC 8842 5.3).  Credentials, fingerprint and
 * candidates are the caller's: set them in *b before or after. */
enum rtclab_sdp_build_error rtclab_sdp_build_answer_to(const struct rtclab_sdp *offer, struct rtclab_sdp_build *b);

#ifdef __cplusplus
}
#endif
#endif
