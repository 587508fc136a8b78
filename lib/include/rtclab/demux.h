/* rtclab/demux.h - what a WebRTC UDP payload is, by its first byte (RFC 7983,
 * RFC 9443), and the headers of what is found: STUN, TURN ChannelData, DTLS
 * records (RFC 6347, RFC 9147), RTP (RFC 3550 5.1, RFC 8285) and compound
 * RTCP (RFC 3550 6, RFC 4585, RFC 5761 4).
 *
 * WebRTC sends everything of a connection over one UDP port pair: the STUN
 * connectivity checks, the DTLS handshake and then SRTP media and SCTP data
 * (inside DTLS).  The receiver tells them apart by the first byte alone.
 *
 * Like the STUN decoder, nothing here allocates: results are views into the
 * caller's buffer, which must outlive them, and problems are values with the
 * byte offset where they were found.  Offsets of an inner (tunnelled) result
 * count from the start of the inner payload; its `offset` says where that
 * starts in the datagram.
 */
#ifndef RTCLAB_DEMUX_H
#define RTCLAB_DEMUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtclab/addr.h"
#include "rtclab/bytes.h"
#include "rtclab/channeldata.h"
#include "rtclab/story.h"
#include "rtclab/stun.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --- problems of the DTLS, RTP and RTCP decoders ----------------------------------- */

/* Never remove or renumber: add new ones last. */
enum rtclab_demux_error {
	RTCLAB_DEMUX_OK = 0,
	RTCLAB_DEMUX_E_TRUNCATED_HEADER, /* fewer bytes than the header needs (expected: header size, found: bytes left) */
	RTCLAB_DEMUX_E_TRUNCATED,        /* a length field says more than there is (expected: length, found: bytes left) */
	RTCLAB_DEMUX_E_BAD_VERSION,      /* RTP/RTCP version not 2, or a DTLS record version not 0xFEFF/0xFEFD */
	RTCLAB_DEMUX_E_UNKNOWN_TYPE,     /* a DTLS content type rtclab does not know (found: the type) */
	RTCLAB_DEMUX_E_BAD_PADDING,      /* RTP/RTCP padding count 0 or longer than the packet (found: the count) */
	RTCLAB_DEMUX_E_BAD_LENGTH,       /* a length that does not fit its type (alert not 2 bytes, fragment past the message) */
	RTCLAB_DEMUX_E_TOO_MANY,         /* more records, packets or extensions than kept (the rest are counted) */
	RTCLAB_DEMUX_E_TRAILING_BYTES,   /* bytes after the last whole RTCP packet that are not an SRTCP trailer */
};
#define RTCLAB_DEMUX_E_LAST RTCLAB_DEMUX_E_TRAILING_BYTES

struct rtclab_demux_problem {
	enum rtclab_demux_error code;
	uint32_t offset;   /* byte offset in the decoded bytes */
	uint32_t expected; /* meaning depends on code */
	uint32_t found;
};

#define RTCLAB_DEMUX_MAX_PROBLEMS 8

struct rtclab_demux_problems {
	size_t n;     /* kept in p[] */
	size_t total; /* found, including any beyond RTCLAB_DEMUX_MAX_PROBLEMS */
	struct rtclab_demux_problem p[RTCLAB_DEMUX_MAX_PROBLEMS];
};

/* "dtls_truncated"-style stable identifier and a short phrase. */
const char *rtclab_demux_error_id(enum rtclab_demux_error code);
const char *rtclab_demux_error_str(enum rtclab_demux_error code);
/* A full sentence with the offset and numbers.  Returns buf. */
const char *rtclab_demux_problem_format(const struct rtclab_demux_problem *p, char *buf, size_t len);

/* --- DTLS ------------------------------------------------------------------------- */

enum rtclab_dtls_content_type {
	RTCLAB_DTLS_CHANGE_CIPHER_SPEC = 20,
	RTCLAB_DTLS_ALERT = 21,
	RTCLAB_DTLS_HANDSHAKE = 22,
	RTCLAB_DTLS_APPLICATION_DATA = 23,
	RTCLAB_DTLS_HEARTBEAT = 24,
	RTCLAB_DTLS_TLS12_CID = 25, /* RFC 9146 */
	RTCLAB_DTLS_ACK = 26,       /* RFC 9147 7 */
};

#define RTCLAB_DTLS_HEADER_SIZE 13       /* type, version, epoch, 48-bit sequence number, length */
#define RTCLAB_DTLS_HANDSHAKE_HEADER_SIZE 12
#define RTCLAB_DTLS_MAX_RECORDS 16       /* records kept per datagram (the rest are counted) */
#define RTCLAB_DTLS_MAX_HANDSHAKES 4     /* handshake messages kept per record */

/* One handshake message header (RFC 6347 4.2.2), or one fragment of it. */
struct rtclab_dtls_handshake {
	uint8_t type;             /* 1 ClientHello, 2 ServerHello, 11 Certificate, ... */
	uint32_t length;          /* length of the whole message (24 bits) */
	uint16_t message_seq;
	uint32_t fragment_offset; /* 24 bits */
	uint32_t fragment_length; /* 24 bits: bytes of the message in this record */
	uint32_t offset;          /* of the 12-byte header in the datagram */
};

struct rtclab_dtls_record {
	uint32_t offset;          /* of the record's first byte in the datagram */
	bool unified;             /* RFC 9147 4 unified header (first byte 001CSLEE) */
	uint8_t content_type;     /* classic header; 0 in a unified header (the type is encrypted) */
	uint16_t version;         /* classic header; 0 in a unified header */
	uint16_t epoch;           /* unified header: the low 2 bits only */
	uint64_t sequence;        /* 48 bits; unified header: 8 or 16 bits, and encrypted (RFC 9147 4.2.3) */
	uint8_t sequence_bits;    /* 48, 16 or 8 */
	bool has_length;          /* unified header: L bit; classic: always */
	bool has_cid;             /* unified header C bit, or content type tls12_cid: a connection ID of
				   * negotiated length follows, so the header cannot be read further */
	uint16_t length;          /* the length field; without one, the bytes to the end of the datagram */
	struct rtclab_bytes body; /* the record's payload (view), as much as there is */
	bool encrypted;           /* epoch > 0, application data, or a unified header */
	size_t n_handshakes;      /* epoch-0 handshake messages kept */
	size_t n_handshakes_total;
	struct rtclab_dtls_handshake handshakes[RTCLAB_DTLS_MAX_HANDSHAKES];
	bool has_alert;           /* an alert in epoch 0 */
	uint8_t alert_level;      /* 1 warning, 2 fatal */
	uint8_t alert_description;
};

struct rtclab_dtls {
	size_t n_records;         /* kept */
	size_t n_records_total;
	struct rtclab_dtls_record records[RTCLAB_DTLS_MAX_RECORDS];
	struct rtclab_demux_problems problems;
};

/* Decode every record of one datagram (RFC 6347 4.1: records back to back).
 * Returns true when there is no problem. */
bool rtclab_dtls_decode(struct rtclab_dtls *d, const void *buf, size_t len);

/* Names; NULL when unknown. */
const char *rtclab_dtls_content_type_name(uint8_t type);   /* "handshake", "application_data" */
const char *rtclab_dtls_version_name(uint16_t version);    /* "DTLS 1.2" */
const char *rtclab_dtls_handshake_type_name(uint8_t type); /* "ClientHello" */
const char *rtclab_dtls_alert_name(uint8_t description);   /* "close_notify" */
/* A label for a record: "handshake ClientHello", "encrypted handshake", "DTLS 1.3 encrypted record".  Returns buf. */
const char *rtclab_dtls_record_label(const struct rtclab_dtls_record *rec, char *buf, size_t len);
/* One or two sentences for students about this kind of record; never NULL. */
const char *rtclab_dtls_record_explain(const struct rtclab_dtls_record *rec);

/* --- RTP -------------------------------------------------------------------------- */

#define RTCLAB_RTP_HEADER_SIZE 12
#define RTCLAB_RTP_MAX_EXTENSIONS 16

enum rtclab_rtp_ext_form {
	RTCLAB_RTP_EXT_NONE = 0,
	RTCLAB_RTP_EXT_ONE_BYTE,  /* profile 0xBEDE (RFC 8285 4.2) */
	RTCLAB_RTP_EXT_TWO_BYTE,  /* profile 0x100X (RFC 8285 4.3) */
	RTCLAB_RTP_EXT_OTHER,     /* an RFC 3550 5.3.1 extension of another profile */
};

struct rtclab_rtp {
	uint8_t version;
	bool padding, extension, marker;
	uint8_t csrc_count;
	uint8_t payload_type;
	uint16_t seq;
	uint32_t timestamp;
	uint32_t ssrc;
	uint32_t csrc[15];
	uint16_t ext_profile;     /* when extension */
	uint16_t ext_words;       /* extension length in 32-bit words */
	enum rtclab_rtp_ext_form ext_form;
	size_t n_ext_ids;         /* kept */
	size_t n_ext_total;
	uint8_t ext_ids[RTCLAB_RTP_MAX_EXTENSIONS];
	uint8_t ext_lens[RTCLAB_RTP_MAX_EXTENSIONS];
	uint8_t padding_len;      /* the last byte, when padding */
	size_t header_size;       /* fixed header, CSRCs and extension */
	struct rtclab_bytes payload; /* (SRTP: encrypted, followed by the authentication tag) */
	struct rtclab_demux_problems problems;
};

bool rtclab_rtp_decode(struct rtclab_rtp *rtp, const void *buf, size_t len);

/* --- RTCP ------------------------------------------------------------------------- */

enum rtclab_rtcp_type {
	RTCLAB_RTCP_SR = 200,
	RTCLAB_RTCP_RR = 201,
	RTCLAB_RTCP_SDES = 202,
	RTCLAB_RTCP_BYE = 203,
	RTCLAB_RTCP_APP = 204,
	RTCLAB_RTCP_RTPFB = 205,
	RTCLAB_RTCP_PSFB = 206,
	RTCLAB_RTCP_XR = 207,
};

#define RTCLAB_RTCP_MAX_PACKETS 16

struct rtclab_rtcp_packet {
	uint32_t offset;          /* in the datagram */
	bool padding;
	uint8_t count;            /* RC, SC or FMT: the low 5 bits of the first byte */
	uint8_t type;             /* 200 SR, ... */
	uint16_t length;          /* the length field: 32-bit words minus one */
	bool has_ssrc;
	uint32_t ssrc;            /* sender (SR, RR, feedback) or first source (SDES, BYE) */
	bool has_media_ssrc;
	uint32_t media_ssrc;      /* RTPFB, PSFB: the media source the feedback is about */
	bool remb;                /* PSFB FMT 15 with the "REMB" identifier */
};

struct rtclab_rtcp {
	size_t n_packets;         /* kept */
	size_t n_packets_total;
	struct rtclab_rtcp_packet packets[RTCLAB_RTCP_MAX_PACKETS];
	/* SRTCP (RFC 3711 3.4): only the first packet's first 8 bytes are in the
	 * clear; what follows them does not read as RTCP. */
	bool srtcp;
	bool srtcp_trailer;       /* an E flag and index were found */
	bool srtcp_e;             /* the E (encrypted) flag */
	uint32_t srtcp_index;     /* 31 bits */
	uint32_t srtcp_trailer_offset;
	const char *srtcp_layout; /* "AEAD (RFC 7714 9)" or "HMAC-SHA1-80 (RFC 3711 3.4)", or NULL */
	struct rtclab_demux_problems problems;
};

bool rtclab_rtcp_decode(struct rtclab_rtcp *rtcp, const void *buf, size_t len);

/* "SR", "RR", "SDES", "BYE", "APP", "RTPFB", "PSFB", "XR"; NULL when unknown. */
const char *rtclab_rtcp_type_name(uint8_t type);
/* The feedback message of an RTPFB or PSFB packet: "Generic NACK", "transport-cc",
 * "PLI", "FIR", "REMB", "AFB"; NULL when unknown or not feedback. */
const char *rtclab_rtcp_fmt_name(const struct rtclab_rtcp_packet *p);

/* --- channel bindings ------------------------------------------------------------- */

#define RTCLAB_CHANNEL_BINDINGS_MAX 64
#define RTCLAB_CHANNEL_PENDING_MAX 16

/* A channel bound between a TURN client and its server: ChannelData with
 * this number between these two addresses carries data to or from peer. */
struct rtclab_channel_binding {
	struct rtclab_addr client, server;
	uint16_t channel;
	bool has_peer;
	struct rtclab_addr peer;
};

/* Caller-owned: the bindings seen so far in a capture.  Zero it, or call
 * rtclab_channel_bindings_init().  RFC 8656 12: a binding lasts 10 minutes
 * unless refreshed; rtclab keeps it for the whole capture. */
struct rtclab_channel_bindings {
	size_t n;
	struct rtclab_channel_binding b[RTCLAB_CHANNEL_BINDINGS_MAX];
	size_t n_pending, next_pending; /* ChannelBind requests waiting for their success response */
	struct {
		uint8_t transaction_id[12];
		struct rtclab_channel_binding b;
	} pending[RTCLAB_CHANNEL_PENDING_MAX];
};

void rtclab_channel_bindings_init(struct rtclab_channel_bindings *t);
/* Add (or refresh) a binding; false when the table is full. */
bool rtclab_channel_bindings_add(struct rtclab_channel_bindings *t, const struct rtclab_addr *client,
				 const struct rtclab_addr *server, uint16_t channel, const struct rtclab_addr *peer);
/* Learn from a STUN message sent from src to dst: a ChannelBind request is
 * remembered, and its success response (same transaction ID, from the
 * server back to the client) adds the binding.  Returns true when it added one. */
bool rtclab_channel_bindings_note(struct rtclab_channel_bindings *t, const struct rtclab_stun_msg *msg,
				  const struct rtclab_addr *src, const struct rtclab_addr *dst);
/* The binding of this channel between a and b (either direction), or NULL. */
const struct rtclab_channel_binding *rtclab_channel_bindings_find(const struct rtclab_channel_bindings *t,
								  const struct rtclab_addr *a,
								  const struct rtclab_addr *b, uint16_t channel);

/* --- the demultiplexer ------------------------------------------------------------ */

enum rtclab_demux_proto {
	RTCLAB_DEMUX_NONE = 0,    /* an empty payload */
	RTCLAB_DEMUX_STUN,        /* 0-3 */
	RTCLAB_DEMUX_ZRTP,        /* 16-19 */
	RTCLAB_DEMUX_DTLS,        /* 20-63 */
	RTCLAB_DEMUX_CHANNELDATA, /* 64-79, or a bound channel 0x5000-0x7FFF */
	RTCLAB_DEMUX_RTP,         /* 128-191 */
	RTCLAB_DEMUX_RTCP,        /* 128-191 with a second byte 192-223 */
	RTCLAB_DEMUX_QUIC,        /* 80-127, 192-255: QUIC (RFC 9443) or something else */
	RTCLAB_DEMUX_OTHER,       /* 4-15, or bytes 0-3 that are not STUN */
};

struct rtclab_demux_result {
	enum rtclab_demux_proto proto;
	char why[160];            /* the rule that decided, for students */
	size_t offset;            /* where these bytes start in the datagram (0 for the outer result) */
	struct rtclab_bytes bytes;
	bool channel_bound;       /* ChannelData recognised through the bindings table */
	union {
		struct rtclab_stun_msg stun;
		struct rtclab_channeldata channeldata;
		struct rtclab_dtls dtls;
		struct rtclab_rtp rtp;
		struct rtclab_rtcp rtcp;
	} u;
};

enum rtclab_tunnel_via {
	RTCLAB_TUNNEL_NONE = 0,
	RTCLAB_TUNNEL_TURN_DATA,   /* a Data indication's DATA: from the peer, relayed by the server */
	RTCLAB_TUNNEL_TURN_SEND,   /* a Send indication's DATA: to the peer, through the server */
	RTCLAB_TUNNEL_CHANNELDATA, /* a ChannelData message's data */
};

struct rtclab_demux {
	struct rtclab_demux_result outer;
	enum rtclab_tunnel_via via;  /* NONE: no inner result */
	bool has_peer;
	struct rtclab_addr peer;     /* XOR-PEER-ADDRESS, or the bound peer of the channel */
	uint16_t channel;            /* RTCLAB_TUNNEL_CHANNELDATA */
	struct rtclab_demux_result inner; /* one level of nesting only */
};

/* Where the datagram was seen; every member may be NULL. */
struct rtclab_demux_ctx {
	const struct rtclab_addr *src, *dst;
	/* When set (with src and dst), ChannelData is also recognised for bound
	 * channels 0x5000-0x7FFF, and ChannelBind exchanges seen are added. */
	struct rtclab_channel_bindings *bindings;
};

/* Classify by the first bytes only and say why in why[0..why_len).  For 0-3
 * this runs rtclab_stun_is_stun (magic cookie, or an RFC 3489 message). */
enum rtclab_demux_proto rtclab_demux_classify(const void *buf, size_t len, const struct rtclab_demux_ctx *ctx,
					      char *why, size_t why_len);

/* Classify one UDP payload and decode its header; open a TURN Send or Data
 * indication or ChannelData message and demultiplex its payload again.
 * ctx may be NULL. */
void rtclab_demux_udp(struct rtclab_demux *out, const void *buf, size_t len, const struct rtclab_demux_ctx *ctx);

/* One message already cut from a TCP stream of STUN and ChannelData (RFC 8656
 * 12.5: each framed by its own length, ChannelData padded to 4 bytes): leading
 * bits 01 are ChannelData (decoded with the TCP padding rule), anything else
 * STUN.  As over UDP, a ChannelBind exchange is noted in ctx->bindings, and a
 * Send or Data indication or ChannelData message is opened one level deep.
 * ctx may be NULL. */
void rtclab_demux_stream_message(struct rtclab_demux *out, const void *buf, size_t len,
				 const struct rtclab_demux_ctx *ctx);

/* One result only, without opening tunnels. */
void rtclab_demux_result(struct rtclab_demux_result *r, const void *buf, size_t len,
			 const struct rtclab_demux_ctx *ctx);

/* "stun", "zrtp", "dtls", "channeldata", "rtp", "rtcp", "quic", "other", "none". */
const char *rtclab_demux_proto_name(enum rtclab_demux_proto proto);
/* "turn-data", "turn-send", "channeldata", or NULL. */
const char *rtclab_tunnel_via_name(enum rtclab_tunnel_via via);

/* Which step of the connection the result belongs to, and why it is there. */
void rtclab_demux_story(const struct rtclab_demux_result *r, struct rtclab_story *out);

#ifdef __cplusplus
}
#endif
#endif
