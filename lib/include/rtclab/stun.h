/* rtclab/stun.h - the STUN/TURN message codec (RFC 8489, RFC 5389, RFC 3489
 * classic messages, TURN RFC 8656 and RFC 6062, ICE RFC 8445, RFC 5780).
 *
 * Decoding never allocates: struct rtclab_stun_msg holds views into the
 * caller's buffer, which must outlive it.  A message is decoded as far as it
 * is valid; everything wrong with it is listed in msg->problems, each with the
 * byte offset where it was found (like Wireshark's expert info).
 */
#ifndef RTCLAB_STUN_H
#define RTCLAB_STUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtclab/addr.h"
#include "rtclab/bytes.h"
#include "rtclab/stun_attrs.h"
#include "rtclab/story.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RTCLAB_STUN_HEADER_SIZE 20
#define RTCLAB_STUN_MAGIC_COOKIE 0x2112A442u
#define RTCLAB_STUN_FINGERPRINT_XOR 0x5354554Eu
#define RTCLAB_STUN_MAX_ATTRS 64    /* attributes kept per message (the rest are still checked) */
#define RTCLAB_STUN_MAX_PROBLEMS 16 /* problems kept per message (the rest are counted) */

enum rtclab_stun_class {
	RTCLAB_STUN_REQUEST = 0,
	RTCLAB_STUN_INDICATION = 1,
	RTCLAB_STUN_SUCCESS = 2,
	RTCLAB_STUN_ERROR = 3,
};

/* Methods (IANA "STUN Methods"). */
enum rtclab_stun_method {
	RTCLAB_STUN_BINDING = 0x001,
	RTCLAB_STUN_SHARED_SECRET = 0x002, /* RFC 3489 only */
	RTCLAB_STUN_ALLOCATE = 0x003,
	RTCLAB_STUN_REFRESH = 0x004,
	RTCLAB_STUN_SEND = 0x006,
	RTCLAB_STUN_DATA = 0x007,
	RTCLAB_STUN_CREATE_PERMISSION = 0x008,
	RTCLAB_STUN_CHANNEL_BIND = 0x009,
	RTCLAB_STUN_CONNECT = 0x00A,
	RTCLAB_STUN_CONNECTION_BIND = 0x00B,
	RTCLAB_STUN_CONNECTION_ATTEMPT = 0x00C,
	RTCLAB_STUN_GOOG_PING = 0x080,
};

/* Attribute types: RTCLAB_STUN_ATTR_USERNAME and so on. */
enum rtclab_stun_attr_type {
#define RTCLAB_X_(type, ident, name, kind, min, max, ref) RTCLAB_STUN_ATTR_##ident = type,
	RTCLAB_STUN_ATTRS(RTCLAB_X_)
#undef RTCLAB_X_
};

/* How an attribute's value is laid out, and so which member of
 * rtclab_stun_attr.v holds it. */
enum rtclab_stun_kind {
	RTCLAB_STUN_KIND_UNKNOWN = 0,     /* not a type rtclab knows: raw bytes only */
	RTCLAB_STUN_KIND_EMPTY,           /* no value (USE-CANDIDATE, DONT-FRAGMENT) */
	RTCLAB_STUN_KIND_ADDRESS,         /* v.addr */
	RTCLAB_STUN_KIND_XOR_ADDRESS,     /* v.addr, XOR already removed */
	RTCLAB_STUN_KIND_U32,             /* v.u32 */
	RTCLAB_STUN_KIND_U64,             /* v.u64 */
	RTCLAB_STUN_KIND_TEXT,            /* v.text (UTF-8, not NUL-terminated) */
	RTCLAB_STUN_KIND_NONCE,           /* v.nonce */
	RTCLAB_STUN_KIND_BYTES,           /* value */
	RTCLAB_STUN_KIND_INTEGRITY,       /* value: 20-byte HMAC-SHA1 */
	RTCLAB_STUN_KIND_INTEGRITY_SHA256,/* value: 16 to 32 bytes of HMAC-SHA256 */
	RTCLAB_STUN_KIND_INTEGRITY_32,    /* value: HMAC-SHA1 truncated to 4 bytes */
	RTCLAB_STUN_KIND_FINGERPRINT,     /* v.u32 */
	RTCLAB_STUN_KIND_ERROR_CODE,      /* v.error */
	RTCLAB_STUN_KIND_ADDRESS_ERROR_CODE, /* v.error with family */
	RTCLAB_STUN_KIND_CHANNEL_NUMBER,  /* v.u32 (16 bits used) */
	RTCLAB_STUN_KIND_TRANSPORT,       /* v.u32: IP protocol number (17 = UDP) */
	RTCLAB_STUN_KIND_FAMILY,          /* v.family */
	RTCLAB_STUN_KIND_EVEN_PORT,       /* v.flag: the R (reserve next port) bit */
	RTCLAB_STUN_KIND_CHANGE_REQUEST,  /* v.change */
	RTCLAB_STUN_KIND_RESPONSE_PORT,   /* v.u32 (16 bits used) */
	RTCLAB_STUN_KIND_ATTR_LIST,       /* value: 16-bit attribute types */
	RTCLAB_STUN_KIND_U16_LIST,        /* value: 16-bit numbers */
	RTCLAB_STUN_KIND_PASSWORD_ALGORITHMS, /* value: walk with rtclab_stun_password_algorithm_next */
	RTCLAB_STUN_KIND_PASSWORD_ALGORITHM,  /* v.algorithm */
	RTCLAB_STUN_KIND_ICMP,            /* v.icmp */
	RTCLAB_STUN_KIND_ACCESS_TOKEN,    /* v.token */
	RTCLAB_STUN_KIND_NETWORK_INFO,    /* v.network */
};

/* RFC 8489 18.5: PASSWORD-ALGORITHM values. */
enum rtclab_stun_password_alg {
	RTCLAB_STUN_PASSWORD_MD5 = 0x0001,
	RTCLAB_STUN_PASSWORD_SHA256 = 0x0002,
};

struct rtclab_stun_attr {
	uint16_t type;
	uint16_t length;            /* value length as on the wire, padding excluded */
	uint32_t offset;            /* offset of the attribute's 4-byte header in the message */
	struct rtclab_bytes value;  /* the value bytes (a view) */
	enum rtclab_stun_kind kind;
	bool ok;                    /* the typed value below is valid */
	bool ignored;               /* follows MESSAGE-INTEGRITY (or FINGERPRINT): a receiver ignores it */
	union {
		struct rtclab_addr addr;
		uint32_t u32;
		uint64_t u64;
		struct rtclab_bytes text;
		bool flag;
		enum rtclab_family family;
		struct {
			struct rtclab_bytes text;
			bool has_cookie;     /* RFC 8489 9.2: starts with "obMatJos2" */
			uint32_t features;   /* 24-bit security feature set (bit 0 = MSB) */
		} nonce;
		struct {
			uint16_t code;       /* class * 100 + number */
			struct rtclab_bytes reason;
			enum rtclab_family family; /* ADDRESS-ERROR-CODE only */
		} error;
		struct {
			bool change_ip;
			bool change_port;
		} change;
		struct {
			uint16_t algorithm;
			struct rtclab_bytes params;
		} algorithm;
		struct {
			uint8_t type;
			uint8_t code;
			uint32_t data;
		} icmp;
		struct {
			struct rtclab_bytes nonce;
			struct rtclab_bytes block; /* the encrypted block, opaque without the key */
		} token;
		struct {
			uint16_t network_id;
			uint16_t network_cost;
		} network;
	} v;
};

/* What went wrong, as a value.  Never remove or renumber: add new ones last. */
enum rtclab_stun_error {
	RTCLAB_STUN_OK = 0,
	RTCLAB_STUN_E_TRUNCATED_HEADER,    /* fewer than 20 bytes */
	RTCLAB_STUN_E_NOT_STUN,            /* the two leading bits are not 00 */
	RTCLAB_STUN_E_LENGTH_NOT_ALIGNED,  /* header length not a multiple of 4 */
	RTCLAB_STUN_E_TRUNCATED,           /* header length says more than there is */
	RTCLAB_STUN_E_TRAILING_BYTES,      /* more bytes than the header length says */
	RTCLAB_STUN_E_ATTR_HEADER_TRUNCATED, /* fewer than 4 bytes left for an attribute header */
	RTCLAB_STUN_E_ATTR_OVERRUN,        /* attribute value runs past the end of the message */
	RTCLAB_STUN_E_ATTR_PADDING_MISSING,/* last attribute not padded to 4 bytes */
	RTCLAB_STUN_E_ATTR_BAD_LENGTH,     /* value length wrong for its type */
	RTCLAB_STUN_E_ATTR_TOO_LONG,       /* value longer than its type allows */
	RTCLAB_STUN_E_BAD_FAMILY,          /* address family neither 0x01 nor 0x02 */
	RTCLAB_STUN_E_BAD_UTF8,            /* text attribute is not UTF-8 */
	RTCLAB_STUN_E_BAD_ERROR_CODE,      /* class outside 3..6 or number above 99 (found: class << 8 | number) */
	RTCLAB_STUN_E_UNKNOWN_REQUIRED,    /* unknown comprehension-required attribute */
	RTCLAB_STUN_E_AFTER_INTEGRITY,     /* attribute after MESSAGE-INTEGRITY: ignored */
	RTCLAB_STUN_E_FINGERPRINT_NOT_LAST,
	RTCLAB_STUN_E_UNKNOWN_METHOD,
	RTCLAB_STUN_E_CLASS_NOT_ALLOWED,   /* e.g. a Send request: Send is only an indication */
	RTCLAB_STUN_E_CHANNEL_RANGE,       /* channel number outside 0x4000-0x7FFF */
	RTCLAB_STUN_E_TOO_MANY_ATTRS,      /* more than RTCLAB_STUN_MAX_ATTRS: the rest not kept */
	RTCLAB_STUN_E_INTEGRITY_BAD,       /* MESSAGE-INTEGRITY(-SHA256) does not verify */
	RTCLAB_STUN_E_FINGERPRINT_BAD,     /* FINGERPRINT does not match the CRC-32 */
	RTCLAB_STUN_E_BAD_CREDENTIAL,      /* a password or realm that OpaqueString/SASLprep rejects */
	RTCLAB_STUN_E_NO_SPACE,            /* encoder: the output buffer is too small */
	RTCLAB_STUN_E_INVALID_ARG,         /* encoder: an attribute that cannot be encoded */
	RTCLAB_STUN_E_BAD_RESERVED,        /* reserved bits that must be zero are not */
	RTCLAB_STUN_E_MISSING_CREDENTIAL,  /* long-term credentials without a username or a realm */
};
#define RTCLAB_STUN_E_LAST RTCLAB_STUN_E_MISSING_CREDENTIAL

struct rtclab_stun_problem {
	enum rtclab_stun_error code;
	uint32_t offset;    /* byte offset in the message where it was found */
	uint16_t attr_type; /* the attribute concerned, 0 for the header */
	uint32_t expected;  /* a number the rule wanted (meaning depends on code) */
	uint32_t found;     /* the number found */
};

struct rtclab_stun_msg {
	const uint8_t *data;        /* the bytes decoded (view) */
	size_t size;                /* bytes available from data (the datagram) */
	uint16_t type;              /* raw 14-bit message type */
	uint16_t method;            /* 12-bit method */
	enum rtclab_stun_class cls;
	uint16_t length;            /* header length field */
	bool magic_cookie;          /* false: an RFC 3489 "classic" message */
	uint8_t transaction_id[16]; /* 12 bytes; 16 for classic messages (cookie field included) */
	size_t transaction_id_len;
	size_t n_attrs;             /* kept in attrs[] */
	size_t n_attrs_total;       /* seen, including any beyond RTCLAB_STUN_MAX_ATTRS */
	struct rtclab_stun_attr attrs[RTCLAB_STUN_MAX_ATTRS];
	/* Where the integrity and fingerprint attributes are (offset of their
	 * headers), or SIZE_MAX; only the first of each counts. */
	size_t integrity_offset, integrity_sha256_offset, integrity_32_offset, fingerprint_offset;
	size_t n_problems;
	size_t n_problems_total;
	struct rtclab_stun_problem problems[RTCLAB_STUN_MAX_PROBLEMS];
};

/* --- message type ---------------------------------------------------------------- */

/* RFC 8489 5: the class bits C1 C0 sit at bits 8 and 4 of the type, the method around them. */
uint16_t rtclab_stun_type(uint16_t method, enum rtclab_stun_class cls);
uint16_t rtclab_stun_type_method(uint16_t type);
enum rtclab_stun_class rtclab_stun_type_class(uint16_t type);

/* --- decoding -------------------------------------------------------------------- */

/* Decode the message in buf[0..len) (one datagram, or one framed message
 * from a stream).  Returns RTCLAB_STUN_OK when there is no problem, else the
 * code of the first problem; msg is filled as far as the bytes allowed. */
enum rtclab_stun_error rtclab_stun_decode(struct rtclab_stun_msg *msg, const void *buf, size_t len);

/* The cheap test a demultiplexer makes (RFC 7983 plus RFC 8489 6): leading
 * bits 00, length a multiple of 4 that fits in len.  With cookie_required,
 * classic RFC 3489 messages do not pass. */
bool rtclab_stun_is_stun(const void *buf, size_t len, bool cookie_required);

/* The first kept attribute of this type, or NULL. */
const struct rtclab_stun_attr *rtclab_stun_find(const struct rtclab_stun_msg *msg, uint16_t type);

/* Walk a 16-bit list value (UNKNOWN-ATTRIBUTES, GOOG-MISC-INFO): the i-th number, or -1. */
int32_t rtclab_stun_attr_u16_at(const struct rtclab_stun_attr *a, size_t i);

/* Walk PASSWORD-ALGORITHMS: *pos starts at 0; false at the end or on a malformed entry. */
bool rtclab_stun_password_algorithm_next(const struct rtclab_stun_attr *a, size_t *pos,
					 uint16_t *algorithm, struct rtclab_bytes *params);

/* --- problems -------------------------------------------------------------------- */

/* Short fixed phrase for a code: "attribute runs past the end of the message". */
const char *rtclab_stun_error_str(enum rtclab_stun_error code);
/* Stable identifier for a code: "attr_overrun". */
const char *rtclab_stun_error_id(enum rtclab_stun_error code);
/* A full sentence naming the attribute and the numbers involved.  Returns buf. */
const char *rtclab_stun_problem_format(const struct rtclab_stun_problem *p, char *buf, size_t len);

/* --- integrity and fingerprint --------------------------------------------------- */

/* How a password (and realm) is prepared before it becomes a key. */
enum rtclab_stun_prep {
	RTCLAB_STUN_PREP_OPAQUESTRING = 0, /* RFC 8489 (RFC 8265 OpaqueString) */
	RTCLAB_STUN_PREP_SASLPREP = 1,     /* RFC 5389 (RFC 4013 SASLprep) */
	RTCLAB_STUN_PREP_NONE = 2,         /* the bytes as given */
};

#define RTCLAB_STUN_MAX_KEY 1024 /* a short-term key is the prepared password itself */

struct rtclab_stun_key {
	uint8_t bytes[RTCLAB_STUN_MAX_KEY];
	size_t len;
};

/* Short-term credentials (ICE: the key is the ice-pwd), RFC 8489 9.1.1. */
enum rtclab_stun_error rtclab_stun_key_short_term(struct rtclab_stun_key *key, const char *password,
						  enum rtclab_stun_prep prep);
/* Long-term credentials, RFC 8489 9.2.2: MD5 (or SHA-256) of
 * username ":" realm ":" password, realm and password prepared with prep. */
enum rtclab_stun_error rtclab_stun_key_long_term(struct rtclab_stun_key *key, const char *username,
						 const char *realm, const char *password,
						 enum rtclab_stun_password_alg alg,
						 enum rtclab_stun_prep prep);

/* Prepare a string with OpaqueString or SASLprep into out (NUL-terminated). */
enum rtclab_stun_error rtclab_stun_prepare(const char *in, enum rtclab_stun_prep prep, char *out,
					   size_t outlen);

enum rtclab_stun_check {
	RTCLAB_STUN_CHECK_ABSENT = 0, /* the message carries no such attribute */
	RTCLAB_STUN_CHECK_UNCHECKED,  /* present, but no key to check it with */
	RTCLAB_STUN_CHECK_OK,
	RTCLAB_STUN_CHECK_BAD,
};
const char *rtclab_stun_check_str(enum rtclab_stun_check c); /* "ok", "bad", "absent", "unchecked" */

/* MESSAGE-INTEGRITY (HMAC-SHA1), RFC 8489 14.5. */
enum rtclab_stun_check rtclab_stun_check_integrity(const struct rtclab_stun_msg *msg,
						   const struct rtclab_stun_key *key);
/* MESSAGE-INTEGRITY-SHA256 (possibly truncated), RFC 8489 14.6. */
enum rtclab_stun_check rtclab_stun_check_integrity_sha256(const struct rtclab_stun_msg *msg,
							  const struct rtclab_stun_key *key);
/* GOOG-MESSAGE-INTEGRITY-32 (GOOG-PING): HMAC-SHA1 truncated to 4 bytes. */
enum rtclab_stun_check rtclab_stun_check_integrity_32(const struct rtclab_stun_msg *msg,
						      const struct rtclab_stun_key *key);
/* FINGERPRINT, RFC 8489 14.7: CRC-32 of what precedes it, XOR 0x5354554E. */
enum rtclab_stun_check rtclab_stun_check_fingerprint(const struct rtclab_stun_msg *msg);

/* Credentials as a user gives them; NULL members are taken from the message
 * (USERNAME, REALM) where the long-term mechanism needs them. */
struct rtclab_stun_credentials {
	const char *password;
	const char *username; /* set, or realm set: long-term */
	const char *realm;
	bool long_term;
};

/* The verdict on a message's integrity, all integrity attributes together. */
struct rtclab_stun_verdict {
	enum rtclab_stun_check integrity;   /* combined over MI, MI-SHA256, GOOG-MI-32 */
	enum rtclab_stun_check fingerprint;
	enum rtclab_stun_prep prep;         /* the preparation that verified (when ok) */
	bool long_term;
	enum rtclab_stun_password_alg algorithm; /* long-term key hash */
	struct rtclab_stun_key key;         /* the key that was tried (last one when bad) */
	enum rtclab_stun_error key_error;   /* RTCLAB_STUN_OK unless no key could be made */
};

/* Verify everything that can be verified with these credentials (cred may
 * be NULL: fingerprint only).  Tries OpaqueString first, then SASLprep, then
 * the bytes as given, each only when it gives a different key.  Long-term
 * credentials are used when cred asks for them or the message has a REALM. */
void rtclab_stun_verify(const struct rtclab_stun_msg *msg, const struct rtclab_stun_credentials *cred,
			struct rtclab_stun_verdict *out);

/* Append the verdict's failures (integrity bad, fingerprint bad) to
 * msg->problems, at the offsets of the attributes concerned. */
void rtclab_stun_note_verdict(struct rtclab_stun_msg *msg, const struct rtclab_stun_verdict *v);

/* The CRC-32 (ISO-HDLC, as zlib computes it) of data[0..len) XOR 0x5354554E. */
uint32_t rtclab_stun_fingerprint(const void *data, size_t len);

/* --- encoding -------------------------------------------------------------------- */

struct rtclab_stun_encoder {
	struct rtclab_writer w;
	uint8_t transaction_id[12];
	enum rtclab_stun_error error; /* sticky */
};

/* Start a message in buf: header with a zero length that each call updates. */
void rtclab_stun_enc_begin(struct rtclab_stun_encoder *e, void *buf, size_t cap, uint16_t method,
			   enum rtclab_stun_class cls, const uint8_t transaction_id[12]);
/* Add a typed attribute: a->type plus the member of a->v its kind uses
 * (XOR addresses are given plain; raw kinds use a->value). */
enum rtclab_stun_error rtclab_stun_enc_attr(struct rtclab_stun_encoder *e, const struct rtclab_stun_attr *a);
/* Add an attribute from raw value bytes. */
enum rtclab_stun_error rtclab_stun_enc_raw(struct rtclab_stun_encoder *e, uint16_t type, const void *value,
					   size_t len);
/* MESSAGE-INTEGRITY over everything so far. */
enum rtclab_stun_error rtclab_stun_enc_integrity(struct rtclab_stun_encoder *e, const struct rtclab_stun_key *key);
/* MESSAGE-INTEGRITY-SHA256, truncated to len bytes (16..32, a multiple of 4). */
enum rtclab_stun_error rtclab_stun_enc_integrity_sha256(struct rtclab_stun_encoder *e,
							const struct rtclab_stun_key *key, size_t len);
/* GOOG-MESSAGE-INTEGRITY-32. */
enum rtclab_stun_error rtclab_stun_enc_integrity_32(struct rtclab_stun_encoder *e, const struct rtclab_stun_key *key);
/* FINGERPRINT: call last. */
enum rtclab_stun_error rtclab_stun_enc_fingerprint(struct rtclab_stun_encoder *e);
/* Finish: the message length, or 0 with the error in e->error. */
size_t rtclab_stun_enc_end(struct rtclab_stun_encoder *e);

/* Re-encode a decoded message: same header, same attributes in the same
 * order with the same padding bytes; MESSAGE-INTEGRITY(-SHA256/-32)
 * recomputed with key (copied as they were when key is NULL) and
 * FINGERPRINT recomputed.  Returns the length,
 * 0 on error (*err says why). */
size_t rtclab_stun_encode(const struct rtclab_stun_msg *msg, const struct rtclab_stun_key *key, void *buf,
			  size_t cap, enum rtclab_stun_error *err);

/* --- names and explanations for students ------------------------------------------ */

/* IANA name of a method ("Binding", "CreatePermission", "GOOG-PING"), NULL if unknown. */
const char *rtclab_stun_method_name(uint16_t method);
/* "request", "success", "error", "indication". */
const char *rtclab_stun_class_name(enum rtclab_stun_class cls);
/* "Binding request", "Allocate error response", "Send indication". */
const char *rtclab_stun_message_title(uint16_t method, enum rtclab_stun_class cls, char *buf, size_t len);

struct rtclab_stun_attr_info {
	uint16_t type;
	const char *name;       /* IANA spelling */
	enum rtclab_stun_kind kind;
	uint16_t min_len, max_len;
	const char *reference;  /* "RFC 8489 14.2" */
};
/* NULL for a type rtclab does not know. */
const struct rtclab_stun_attr_info *rtclab_stun_attr_info(uint16_t type);
/* Name, or NULL when unknown. */
const char *rtclab_stun_attr_name(uint16_t type);
/* RFC 8489 14: 0x0000-0x7FFF must be understood by the receiver. */
static inline bool rtclab_stun_attr_required(uint16_t type)
{
	return type < 0x8000;
}

/* One or two plain sentences for students; never NULL. */
const char *rtclab_stun_method_explain(uint16_t method);
const char *rtclab_stun_class_explain(enum rtclab_stun_class cls);
const char *rtclab_stun_attr_explain(uint16_t type);
/* Reason phrase of an error code ("Unauthorized"), NULL if not registered. */
const char *rtclab_stun_error_code_reason(uint16_t code);
/* What an error code means and what the client does next. */
const char *rtclab_stun_error_code_explain(uint16_t code);

/* Which step of the connection this message belongs to, and why it matters
 * there.  A Binding request with USERNAME and PRIORITY is a connectivity
 * check (step 6); without them it asks a STUN server for the public address
 * (step 4); TURN methods obtain and use a relay. */
void rtclab_stun_story(const struct rtclab_stun_msg *msg, struct rtclab_story *out);

#ifdef __cplusplus
}
#endif
#endif
