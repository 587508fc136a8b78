/* rtclab/sdp.h - SDP (RFC 8866) with the attributes WebRTC uses (JSEP,
 * RFC 9429, and the RFCs it cites), parsed into a validated model.
 *
 * rtclab_sdp_parse keeps every line as a view into the caller's text (which
 * must outlive the model) plus its typed value, and builds per-media-section
 * views with the effective ICE credentials, fingerprint and setup role
 * (session-level values apply to every section that does not override
 * them).  Everything wrong is a problem with a line and column; parsing
 * continues with the next line.  The model's arrays are the only
 * allocations, and one rtclab_sdp_free releases them all.
 */
#ifndef RTCLAB_SDP_H
#define RTCLAB_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtclab/bytes.h"
#include "rtclab/candidate.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The attributes rtclab types.  X(IDENT, "name", "reference") */
#define RTCLAB_SDP_ATTRS(X)                                              \
	X(GROUP, "group", "RFC 5888, RFC 9143 (BUNDLE)")                 \
	X(MSID_SEMANTIC, "msid-semantic", "draft-ietf-mmusic-msid")      \
	X(MID, "mid", "RFC 5888 4")                                      \
	X(MSID, "msid", "RFC 8830 2")                                    \
	X(ICE_UFRAG, "ice-ufrag", "RFC 8839 5.4")                        \
	X(ICE_PWD, "ice-pwd", "RFC 8839 5.4")                            \
	X(ICE_OPTIONS, "ice-options", "RFC 8839 5.6")                    \
	X(ICE_LITE, "ice-lite", "RFC 8839 5.3")                          \
	X(ICE_PACING, "ice-pacing", "RFC 8839 5.5")                      \
	X(FINGERPRINT, "fingerprint", "RFC 8122 5")                      \
	X(SETUP, "setup", "RFC 4145 4, RFC 8842 5")                      \
	X(TLS_ID, "tls-id", "RFC 8842 4")                                \
	X(RTCP, "rtcp", "RFC 3605")                                      \
	X(RTCP_MUX, "rtcp-mux", "RFC 5761 5.1.1")                        \
	X(RTCP_MUX_ONLY, "rtcp-mux-only", "RFC 8858")                    \
	X(RTCP_RSIZE, "rtcp-rsize", "RFC 5506")                          \
	X(RTPMAP, "rtpmap", "RFC 8866 6.6")                              \
	X(FMTP, "fmtp", "RFC 8866 6.15")                                 \
	X(RTCP_FB, "rtcp-fb", "RFC 4585 4.2")                            \
	X(EXTMAP, "extmap", "RFC 8285 5")                                \
	X(EXTMAP_ALLOW_MIXED, "extmap-allow-mixed", "RFC 8285 6")        \
	X(SSRC, "ssrc", "RFC 5576 4.1")                                  \
	X(SSRC_GROUP, "ssrc-group", "RFC 5576 4.2")                      \
	X(RID, "rid", "RFC 8851")                                        \
	X(SIMULCAST, "simulcast", "RFC 8853")                            \
	X(SCTP_PORT, "sctp-port", "RFC 8841 5")                          \
	X(MAX_MESSAGE_SIZE, "max-message-size", "RFC 8841 6")            \
	X(SCTPMAP, "sctpmap", "draft-ietf-mmusic-sctp-sdp-05 (legacy)")  \
	X(SENDRECV, "sendrecv", "RFC 8866 6.7.1")                        \
	X(SENDONLY, "sendonly", "RFC 8866 6.7.2")                        \
	X(RECVONLY, "recvonly", "RFC 8866 6.7.3")                        \
	X(INACTIVE, "inactive", "RFC 8866 6.7.4")                        \
	X(CANDIDATE, "candidate", "RFC 8839 5.1")                        \
	X(END_OF_CANDIDATES, "end-of-candidates", "RFC 8840 8.2")        \
	X(REMOTE_CANDIDATES, "remote-candidates", "RFC 8839 5.2")        \
	X(BUNDLE_ONLY, "bundle-only", "RFC 9143 6")                      \
	X(PTIME, "ptime", "RFC 8866 6.4")                                \
	X(MAXPTIME, "maxptime", "RFC 8866 6.5")

enum rtclab_sdp_attr {
	RTCLAB_SDP_ATTR_UNKNOWN = 0, /* kept verbatim */
#define RTCLAB_X_(ident, name, ref) RTCLAB_SDP_ATTR_##ident,
	RTCLAB_SDP_ATTRS(RTCLAB_X_)
#undef RTCLAB_X_
	RTCLAB_SDP_ATTR_COUNT_
};

enum rtclab_sdp_direction {
	RTCLAB_SDP_DIR_UNSET = 0, /* no direction attribute: sendrecv is the default */
	RTCLAB_SDP_SENDRECV,
	RTCLAB_SDP_SENDONLY,
	RTCLAB_SDP_RECVONLY,
	RTCLAB_SDP_INACTIVE,
};

enum rtclab_sdp_setup {
	RTCLAB_SDP_SETUP_UNSET = 0,
	RTCLAB_SDP_SETUP_ACTPASS,  /* offerer: either role; the answer decides */
	RTCLAB_SDP_SETUP_ACTIVE,   /* DTLS client: sends the ClientHello */
	RTCLAB_SDP_SETUP_PASSIVE,  /* DTLS server */
	RTCLAB_SDP_SETUP_HOLDCONN,
};

/* One line, as written and as understood. */
struct rtclab_sdp_line {
	uint32_t number;          /* 1-based */
	size_t offset;            /* byte offset of the line's first character */
	char type;                /* 'v', 'o', 's', ..., 'a', 'm' */
	struct rtclab_str text;   /* the whole line without its line end */
	struct rtclab_str value;  /* after "x=" */
	int section;              /* -1: session level; else the media section index */
	/* a= lines: */
	enum rtclab_sdp_attr attr;
	struct rtclab_str name;   /* attribute name */
	struct rtclab_str attr_value; /* after the colon (len 0 for property attributes) */
	bool has_colon;
	bool valid;               /* typed value parsed without problem */
	size_t candidate;         /* index into sdp->candidates for a=candidate */
};

struct rtclab_sdp_fingerprint {
	struct rtclab_str hash;   /* "sha-256" */
	struct rtclab_str value;  /* "AB:CD:..." */
	uint32_t line;
};

struct rtclab_sdp_ice {
	struct rtclab_str ufrag, pwd;
	struct rtclab_str options; /* the tokens as written: "trickle renomination" */
	bool lite;                 /* session-level a=ice-lite */
	uint32_t ufrag_line, pwd_line; /* 0 when absent */
};

struct rtclab_sdp_codec {
	uint32_t payload;          /* 0-127 */
	struct rtclab_str name;    /* "opus" */
	uint32_t clock_rate;
	uint32_t channels;         /* 0 when not given */
	struct rtclab_str fmtp;    /* parameters, len 0 when none */
	uint32_t rtpmap_line, fmtp_line; /* 0 for a static payload type without rtpmap */
	bool is_static;            /* name and rate from RFC 3551's table, not an rtpmap */
};

/* One a=rtcp-fb (RFC 4585 4.2): feedback the receiver can send for a codec. */
struct rtclab_sdp_fb {
	int32_t payload;           /* -1 for "*" (every payload type) */
	struct rtclab_str value;   /* "nack pli", "transport-cc", ... */
	uint32_t line;
};

struct rtclab_sdp_connection {
	struct rtclab_str nettype, addrtype, address;
	uint32_t line;
};

struct rtclab_sdp_media {
	struct rtclab_str kind;    /* "audio", "video", "application", ... */
	uint32_t port;
	uint32_t port_count;       /* "9/2": 2; 1 when absent */
	struct rtclab_str proto;   /* "UDP/TLS/RTP/SAVPF" */
	size_t first_format, n_formats; /* sdp->formats[first_format ..] */
	uint32_t line;             /* the m= line */
	uint32_t last_line;        /* its last line */
	struct rtclab_str mid;
	enum rtclab_sdp_direction direction;
	/* Effective values: the section's own, else the session's. */
	struct rtclab_sdp_ice ice;
	bool has_fingerprint;
	struct rtclab_sdp_fingerprint fingerprint;
	enum rtclab_sdp_setup setup;
	struct rtclab_sdp_connection connection;
	bool rtcp_mux, rtcp_mux_only, rtcp_rsize, bundle_only, end_of_candidates;
	int64_t sctp_port;         /* -1 when absent */
	int64_t max_message_size;  /* -1 when absent */
	struct rtclab_str msid;
	size_t first_codec, n_codecs;         /* sdp->codecs[first_codec ..] */
	size_t first_fb, n_fbs;               /* sdp->fbs[first_fb ..] */
	size_t first_candidate, n_candidates; /* sdp->candidates[first_candidate ..] */
};

struct rtclab_sdp_group {
	struct rtclab_str semantics; /* "BUNDLE", "LS", ... */
	size_t first_mid, n_mids;    /* sdp->group_mids[first_mid ..] */
	uint32_t line;
};

/* Problems found while parsing or by rtclab_sdp_lint: append only. */
enum rtclab_sdp_problem_code {
	RTCLAB_SDP_P_SYNTAX = 1,    /* a line that is not x=value */
	RTCLAB_SDP_P_ORDER,         /* a line type out of RFC 8866 5's order */
	RTCLAB_SDP_P_MISSING_LINE,  /* v=, o=, s= or t= missing */
	RTCLAB_SDP_P_UNKNOWN_TYPE,  /* a line type SDP does not define */
	RTCLAB_SDP_P_BAD_VALUE,     /* a typed value that does not parse */
	RTCLAB_SDP_P_BAD_LEVEL,     /* a session-only attribute in a media section or the reverse */
	RTCLAB_SDP_P_DUPLICATE,     /* an attribute or payload type given twice */
	RTCLAB_SDP_P_MISSING_ICE,   /* no ice-ufrag or ice-pwd for a section */
	RTCLAB_SDP_P_MISSING_FINGERPRINT,
	RTCLAB_SDP_P_BUNDLE,        /* BUNDLE names a missing mid, ... */
	RTCLAB_SDP_P_RTCP_MUX,      /* component 2 candidates with rtcp-mux, ... */
	RTCLAB_SDP_P_CODEC,         /* rtpmap/fmtp for a payload type not on the m= line, ... */
	RTCLAB_SDP_P_SETUP,         /* bad setup role for an offer/answer */
	RTCLAB_SDP_P_PAIR,          /* answer does not match its offer */
	RTCLAB_SDP_P_LINE_END,      /* mixed or missing line ends (a warning) */
};

struct rtclab_sdp_problem {
	enum rtclab_sdp_problem_code code;
	uint32_t line;    /* 1-based; 0 for the description as a whole */
	uint32_t column;  /* 1-based; 0 when the whole line is meant */
	bool warning;     /* true: legal but worth knowing; false: an error */
	char message[200];
};

struct rtclab_sdp {
	const char *text;
	size_t size;
	struct rtclab_sdp_line *lines;
	size_t n_lines;
	/* Session level. */
	uint32_t version;                      /* v= */
	struct {
		struct rtclab_str username, session_id, nettype, addrtype, address;
		uint64_t session_version;
		uint32_t line;
	} origin;
	struct rtclab_str session_name;
	struct rtclab_sdp_connection connection;  /* session-level c= (line 0 when absent) */
	struct rtclab_sdp_ice ice;              /* session-level ice-ufrag/pwd/options/lite */
	bool has_fingerprint;
	struct rtclab_sdp_fingerprint fingerprint;
	enum rtclab_sdp_setup setup;
	struct rtclab_str msid_semantic;
	bool extmap_allow_mixed;
	struct rtclab_sdp_group *groups;
	size_t n_groups;
	struct rtclab_str *group_mids;
	size_t n_group_mids;
	struct rtclab_sdp_media *media;
	size_t n_media;
	struct rtclab_str *formats;            /* m= line formats of every section */
	size_t n_formats;
	struct rtclab_sdp_codec *codecs;
	size_t n_codecs;
	struct rtclab_sdp_fb *fbs;
	size_t n_fbs;
	struct rtclab_candidate *candidates;   /* in line order, grouped by section */
	size_t n_candidates;
	uint32_t *candidate_lines;             /* the line of each candidate */
	struct rtclab_sdp_problem *problems;
	size_t n_problems;
	bool crlf, lf;                         /* which line ends were seen */
};

/* Parse text[0..len).  NULL only when out of memory; problems are in the model. */
struct rtclab_sdp *rtclab_sdp_parse(const char *text, size_t len);
void rtclab_sdp_free(struct rtclab_sdp *sdp);

/* Every line again, each ended with CRLF: serialize(parse(x)) == x for
 * well-formed x with CRLF line ends.  Returns the length it needs; writes
 * at most len bytes (NUL-terminated when there is room). */
size_t rtclab_sdp_serialize(const struct rtclab_sdp *sdp, char *buf, size_t len);

/* Which side of offer/answer a description is, for the rules that differ. */
enum rtclab_sdp_role {
	RTCLAB_SDP_ROLE_UNKNOWN = 0,
	RTCLAB_SDP_ROLE_OFFER,
	RTCLAB_SDP_ROLE_ANSWER,
};

/* Lint: what a browser rejects or what breaks ICE and DTLS (missing ICE
 * credentials or fingerprint, setup roles, BUNDLE naming missing mids,
 * rtcp-mux with component 2 candidates, sections without c=, ...).
 * Appends its findings to sdp->problems; returns how many it added (0 when
 * out of memory as well, which it cannot tell apart from "none"). */
size_t rtclab_sdp_lint(struct rtclab_sdp *sdp, enum rtclab_sdp_role role);

/* Check an answer against its offer (RFC 3264 6, RFC 9429 5.3): m-line
 * count, order and kinds, mids, BUNDLE, setup roles, codecs in common,
 * directions, ICE credentials.  Appends problems, with the answer's line
 * numbers, to answer->problems; returns how many it added. */
size_t rtclab_sdp_check_pair(const struct rtclab_sdp *offer, struct rtclab_sdp *answer);

/* "offer", "answer", "pranswer" guessed from a description alone: an
 * a=setup:actpass says offer; active/passive says answer; else unknown. */
enum rtclab_sdp_role rtclab_sdp_guess_role(const struct rtclab_sdp *sdp);

/* Name, RFC reference and one or two sentences for students. */
const char *rtclab_sdp_attr_name(enum rtclab_sdp_attr a);
const char *rtclab_sdp_attr_reference(enum rtclab_sdp_attr a);
const char *rtclab_sdp_attr_explain(enum rtclab_sdp_attr a);
/* One or two sentences for a line type ('v', 'o', 'm', ...). */
const char *rtclab_sdp_line_explain(char type);
enum rtclab_sdp_attr rtclab_sdp_attr_lookup(struct rtclab_str name);

const char *rtclab_sdp_direction_name(enum rtclab_sdp_direction d);
const char *rtclab_sdp_setup_name(enum rtclab_sdp_setup s);

/* The codec of a section with this payload type, or NULL. */
const struct rtclab_sdp_codec *rtclab_sdp_codec_find(const struct rtclab_sdp *sdp, const struct rtclab_sdp_media *m,
						     uint32_t payload);

/* Expected fingerprint length in bytes for a hash name (RFC 8122 5, the
 * hash function textual names registry), 0 if unknown. */
size_t rtclab_sdp_fingerprint_hash_len(struct rtclab_str hash);

#ifdef __cplusplus
}
#endif
#endif
