/* STUN message decoding: header (RFC 8489 5), attribute walk (RFC 8489 14)
 * and the typed values of every attribute rtclab knows.
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |0 0|     STUN Message Type     |         Message Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         Magic Cookie                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     Transaction ID (96 bits)                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
#include <stdint.h>
#include <string.h>

#include "rtclab/channeldata.h"
#include "rtclab/stun.h"
#include "stun_internal.h"

uint16_t rtclab_stun_type(uint16_t method, enum rtclab_stun_class cls)
{
	unsigned m = method, c = (unsigned)cls;
	return (uint16_t)((m & 0x000F) | ((m & 0x0070) << 1) | ((m & 0x0F80) << 2) | ((c & 1) << 4) |
			  ((c & 2) << 7));
}

uint16_t rtclab_stun_type_method(uint16_t type)
{
	return (uint16_t)((type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2));
}

enum rtclab_stun_class rtclab_stun_type_class(uint16_t type)
{
	return (enum rtclab_stun_class)(((type >> 4) & 1) | ((type >> 7) & 2));
}

void rtclab_stun_add_problem_(struct rtclab_stun_msg *msg, enum rtclab_stun_error code, size_t offset,
			      uint16_t attr_type, uint32_t expected, uint32_t found)
{
	msg->n_problems_total++;
	if (msg->n_problems == RTCLAB_STUN_MAX_PROBLEMS)
		return;
	struct rtclab_stun_problem *p = &msg->problems[msg->n_problems++];
	p->code = code;
	p->offset = (uint32_t)offset;
	p->attr_type = attr_type;
	p->expected = expected;
	p->found = found;
}


/* Is this class defined for this method?  RFC 8656 and RFC 6062 define Send,
 * Data and ConnectionAttempt as indications only; the others as
 * request/response transactions (Binding also as an indication, RFC 8489 3). */
static bool class_allowed(uint16_t method, enum rtclab_stun_class cls, bool *known)
{
	*known = true;
	switch (method) {
	case RTCLAB_STUN_BINDING:
		return true;
	case RTCLAB_STUN_SEND:
	case RTCLAB_STUN_DATA:
	case RTCLAB_STUN_CONNECTION_ATTEMPT:
		return cls == RTCLAB_STUN_INDICATION;
	case RTCLAB_STUN_SHARED_SECRET:
	case RTCLAB_STUN_ALLOCATE:
	case RTCLAB_STUN_REFRESH:
	case RTCLAB_STUN_CREATE_PERMISSION:
	case RTCLAB_STUN_CHANNEL_BIND:
	case RTCLAB_STUN_CONNECT:
	case RTCLAB_STUN_CONNECTION_BIND:
	case RTCLAB_STUN_GOOG_PING:
		return cls != RTCLAB_STUN_INDICATION;
	default:
		*known = false;
		return true;
	}
}

/* --- typed values ------------------------------------------------------------------ */

static void bad_length(struct rtclab_stun_msg *msg, struct rtclab_stun_attr *a, uint32_t expected)
{
	rtclab_stun_add_problem_(msg, RTCLAB_STUN_E_ATTR_BAD_LENGTH, a->offset, a->type, expected, a->length);
	a->ok = false;
}

/* RFC 8489 and RFC 8656: reserved bits (RFFU) are sent as zero and ignored
 * on receipt; non-zero ones are a sender's bug worth showing. */
static void check_reserved(struct rtclab_stun_msg *msg, const struct rtclab_stun_attr *a, size_t at,
			   uint32_t bits)
{
	if (bits)
		rtclab_stun_add_problem_(msg, RTCLAB_STUN_E_BAD_RESERVED, at, a->type, 0, bits);
}

static enum rtclab_family family_of(uint8_t code)
{
	return code == 0x01 ? RTCLAB_FAMILY_IPV4 : code == 0x02 ? RTCLAB_FAMILY_IPV6 : RTCLAB_FAMILY_NONE;
}

/* RFC 8489 14.1 and 14.2: reserved byte, family, port, address; the XOR form
 * XORs the port with the cookie's top 16 bits and the address with the
 * cookie (IPv4) or cookie || transaction ID (IPv6), i.e. header bytes 4..19. */
static void decode_address(struct rtclab_stun_msg *msg, struct rtclab_stun_attr *a, bool xor)
{
	struct rtclab_reader r;
	rtclab_reader_init(&r, a->value.ptr, a->value.len);
	uint8_t reserved = rtclab_read_u8(&r);
	uint8_t fam = rtclab_read_u8(&r);
	uint16_t port = rtclab_read_be16(&r);
	enum rtclab_family family = family_of(fam);
	if (r.error)
		return bad_length(msg, a, 8);
	if (family == RTCLAB_FAMILY_NONE) {
		rtclab_stun_add_problem_(msg, RTCLAB_STUN_E_BAD_FAMILY, a->offset + 5, a->type, 0, fam);
		a->ok = false;
		return;
	}
	size_t n = family == RTCLAB_FAMILY_IPV4 ? 4 : 16;
	if (a->length != 4 + n)
		return bad_length(msg, a, (uint32_t)(4 + n));
	check_reserved(msg, a, a->offset + 4, reserved);
	a->v.addr.family = family;
	rtclab_read_copy(&r, a->v.addr.ip, n);
	a->v.addr.port = port;
	if (xor) {
		const uint8_t *mask = msg->data + 4; /* cookie || transaction ID */
		a->v.addr.port ^= (uint16_t)(mask[0] << 8 | mask[1]);
		for (size_t i = 0; i < n; i++)
			a->v.addr.ip[i] ^= mask[i];
	}
}

static void check_text(struct rtclab_stun_msg *msg, struct rtclab_stun_attr *a, struct rtclab_bytes text,
		       size_t at)
{
	if (!rtclab_utf8_valid(text.ptr, text.len))
		rtclab_stun_add_problem_(msg, RTCLAB_STUN_E_BAD_UTF8, at, a->type, 0, (uint32_t)text.len);
}

static int b64val(uint8_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* RFC 8489 9.2: a nonce that starts with "obMatJos2" carries a 24-bit
 * security feature set as 4 base64 characters. */
static void decode_nonce(struct rtclab_stun_attr *a)
{
	static const char cookie[] = "obMatJos2";
	a->v.nonce.text = a->value;
	a->v.nonce.has_cookie = false;
	a->v.nonce.features = 0;
	if (a->value.len < 13 || memcmp(a->value.ptr, cookie, 9) != 0)
		return;
	uint32_t bits = 0;
	for (int i = 0; i < 4; i++) {
		int v = b64val(a->value.ptr[9 + i]);
		if (v < 0)
			return;
		bits = bits << 6 | (uint32_t)v;
	}
	a->v.nonce.has_cookie = true;
	a->v.nonce.features = bits;
}

/* RFC 8489 14.8: 21 reserved bits, class (3 bits), number (8 bits), reason.
 * RFC 8656 18.12 ADDRESS-ERROR-CODE puts the family in the first byte. */
static void decode_error_code(struct rtclab_stun_msg *msg, struct rtclab_stun_attr *a, bool with_family)
{
	struct rtclab_reader r;
	rtclab_reader_init(&r, a->value.ptr, a->value.len);
	uint8_t first = rtclab_read_u8(&r);
	uint8_t second = rtclab_read_u8(&r);
	uint8_t third = rtclab_read_u8(&r);
	uint8_t cls = third & 0x07;
	uint8_t number = rtclab_read_u8(&r);
	if (r.error)
		return bad_length(msg, a, 4);
	check_reserved(msg, a, a->offset + 4,
		       (with_family ? 0u : (uint32_t)first << 16) | (uint32_t)second << 8 | (third & 0xF8u));
	a->v.error.code = (uint16_t)(cls * 100 + number);
	a->v.error.reason = rtclab_read_view(&r, rtclab_reader_left(&r));
	a->v.error.family = RTCLAB_FAMILY_NONE;
	if (with_family) {
		a->v.error.family = family_of(first);
		if (a->v.error.family == RTCLAB_FAMILY_NONE) {
			rtclab_stun_add_problem_(msg, RTCLAB_STUN_E_BAD_FAMILY, a->offset + 4, a->type, 0, first);
			a->ok = false; /* as for addresses: the family cannot be represented */
		}
	}
	/* Class and number as found: cls * 100 + number would make up a code
	 * (class 4, number 150 is not 550).  Nor is the value a valid code. */
	if (cls < 3 || cls > 6 || number > 99) {
		rtclab_stun_add_problem_(msg, RTCLAB_STUN_E_BAD_ERROR_CODE, a->offset + 6, a->type, 0,
					 (uint32_t)cls << 8 | number);
		a->ok = false;
	}
	check_text(msg, a, a->v.error.reason, a->offset + 8);
}

static bool walk_password_algorithms(const struct rtclab_bytes *value, size_t *pos, uint16_t *alg,
				     struct rtclab_bytes *params)
{
	struct rtclab_reader r;
	rtclab_reader_init(&r, value->ptr, value->len);
	r.pos = *pos;
	if (rtclab_reader_left(&r) == 0)
		return false;
	*alg = rtclab_read_be16(&r);
	uint16_t plen = rtclab_read_be16(&r);
	*params = rtclab_read_view(&r, plen);
	rtclab_reader_skip(&r, (4 - plen % 4) % 4);
	if (r.error)
		return false;
	*pos = r.pos;
	return true;
}

bool rtclab_stun_password_algorithm_next(const struct rtclab_stun_attr *a, size_t *pos, uint16_t *algorithm,
					 struct rtclab_bytes *params)
{
	return walk_password_algorithms(&a->value, pos, algorithm, params);
}

int32_t rtclab_stun_attr_u16_at(const struct rtclab_stun_attr *a, size_t i)
{
	if (i >= a->value.len / 2)
		return -1;
	return (int32_t)(a->value.ptr[2 * i] << 8 | a->value.ptr[2 * i + 1]);
}

static void decode_fixed(struct rtclab_stun_msg *msg, struct rtclab_stun_attr *a)
{
	struct rtclab_reader r;
	size_t at = a->offset + 4;
	rtclab_reader_init(&r, a->value.ptr, a->value.len);
	switch (a->kind) {
	case RTCLAB_STUN_KIND_U32:
	case RTCLAB_STUN_KIND_FINGERPRINT:
		a->v.u32 = rtclab_read_be32(&r);
		break;
	case RTCLAB_STUN_KIND_TRANSPORT: /* protocol, then 24 RFFU bits */
		a->v.u32 = rtclab_read_u8(&r);
		check_reserved(msg, a, at + 1, (uint32_t)rtclab_read_u8(&r) << 16 | rtclab_read_be16(&r));
		break;
	case RTCLAB_STUN_KIND_U64:
		a->v.u64 = rtclab_read_be64(&r);
		break;
	case RTCLAB_STUN_KIND_CHANNEL_NUMBER: /* number, then 16 RFFU bits */
		a->v.u32 = rtclab_read_be16(&r);
		if (rtclab_channel_range((uint16_t)a->v.u32) == RTCLAB_CHANNEL_INVALID)
			rtclab_stun_add_problem_(msg, RTCLAB_STUN_E_CHANNEL_RANGE, at, a->type, 0, a->v.u32);
		check_reserved(msg, a, at + 2, rtclab_read_be16(&r));
		break;
	case RTCLAB_STUN_KIND_RESPONSE_PORT: /* port, then 16 bits of padding */
		a->v.u32 = rtclab_read_be16(&r);
		check_reserved(msg, a, at + 2, rtclab_read_be16(&r));
		break;
	case RTCLAB_STUN_KIND_FAMILY: { /* family, then 24 reserved bits */
		uint8_t fam = rtclab_read_u8(&r);
		a->v.family = family_of(fam);
		if (a->v.family == RTCLAB_FAMILY_NONE) {
			rtclab_stun_add_problem_(msg, RTCLAB_STUN_E_BAD_FAMILY, at, a->type, 0, fam);
			a->ok = false;
		}
		check_reserved(msg, a, at + 1, (uint32_t)rtclab_read_u8(&r) << 16 | rtclab_read_be16(&r));
		break;
	}
	case RTCLAB_STUN_KIND_EVEN_PORT: { /* R bit, then 7 RFFU bits */
		uint8_t b = rtclab_read_u8(&r);
		a->v.flag = (b & 0x80) != 0;
		check_reserved(msg, a, at, b & 0x7Fu);
		break;
	}
	case RTCLAB_STUN_KIND_CHANGE_REQUEST: { /* RFC 5780 7.2: only bits A (0x4) and B (0x2) */
		uint32_t flags = rtclab_read_be32(&r);
		a->v.change.change_ip = (flags & 0x4) != 0;
		a->v.change.change_port = (flags & 0x2) != 0;
		check_reserved(msg, a, at, flags & ~0x6u);
		break;
	}
	case RTCLAB_STUN_KIND_ICMP: /* RFC 8656 18.13: 16 reserved bits, type, code, data */
		check_reserved(msg, a, at, rtclab_read_be16(&r));
		a->v.icmp.type = rtclab_read_u8(&r);
		a->v.icmp.code = rtclab_read_u8(&r);
		a->v.icmp.data = rtclab_read_be32(&r);
		break;
	case RTCLAB_STUN_KIND_NETWORK_INFO:
		a->v.network.network_id = rtclab_read_be16(&r);
		a->v.network.network_cost = rtclab_read_be16(&r);
		break;
	default:
		break;
	}
}

void rtclab_stun_decode_value_(struct rtclab_stun_msg *msg, struct rtclab_stun_attr *a)
{
	const struct rtclab_stun_attr_info *info = rtclab_stun_attr_info(a->type);
	a->ok = true;
	if (!info) {
		a->kind = RTCLAB_STUN_KIND_UNKNOWN;
		if (rtclab_stun_attr_required(a->type))
			rtclab_stun_add_problem_(msg, RTCLAB_STUN_E_UNKNOWN_REQUIRED, a->offset, a->type, 0, 0);
		return;
	}
	a->kind = info->kind;
	if (a->length < info->min_len || (info->min_len == info->max_len && a->length != info->min_len))
		return bad_length(msg, a, info->min_len);
	if (a->length > info->max_len) {
		/* Text that is too long is still shown; a binary value is not trusted. */
		rtclab_stun_add_problem_(msg, RTCLAB_STUN_E_ATTR_TOO_LONG, a->offset, a->type, info->max_len,
					 a->length);
		if (info->kind != RTCLAB_STUN_KIND_TEXT && info->kind != RTCLAB_STUN_KIND_NONCE &&
		    info->kind != RTCLAB_STUN_KIND_ERROR_CODE && info->kind != RTCLAB_STUN_KIND_ADDRESS_ERROR_CODE) {
			a->ok = false;
			return;
		}
	}
	switch (info->kind) {
	case RTCLAB_STUN_KIND_ADDRESS:
	case RTCLAB_STUN_KIND_XOR_ADDRESS:
		decode_address(msg, a, info->kind == RTCLAB_STUN_KIND_XOR_ADDRESS);
		break;
	case RTCLAB_STUN_KIND_TEXT:
		a->v.text = a->value;
		check_text(msg, a, a->value, a->offset + 4);
		break;
	case RTCLAB_STUN_KIND_NONCE:
		decode_nonce(a);
		check_text(msg, a, a->value, a->offset + 4);
		break;
	case RTCLAB_STUN_KIND_ERROR_CODE:
	case RTCLAB_STUN_KIND_ADDRESS_ERROR_CODE:
		decode_error_code(msg, a, info->kind == RTCLAB_STUN_KIND_ADDRESS_ERROR_CODE);
		break;
	case RTCLAB_STUN_KIND_INTEGRITY_SHA256:
		/* RFC 8489 14.6: 16 to 32 bytes, a multiple of 4 (truncation). */
		if (a->length % 4)
			bad_length(msg, a, 32);
		break;
	case RTCLAB_STUN_KIND_ATTR_LIST:
	case RTCLAB_STUN_KIND_U16_LIST:
		if (a->length % 2)
			bad_length(msg, a, a->length + 1u);
		break;
	case RTCLAB_STUN_KIND_PASSWORD_ALGORITHMS: {
		size_t pos = 0;
		uint16_t alg;
		struct rtclab_bytes params;
		while (walk_password_algorithms(&a->value, &pos, &alg, &params))
			;
		if (pos != a->value.len)
			bad_length(msg, a, (uint32_t)pos);
		break;
	}
	case RTCLAB_STUN_KIND_PASSWORD_ALGORITHM: {
		struct rtclab_reader r;
		rtclab_reader_init(&r, a->value.ptr, a->value.len);
		a->v.algorithm.algorithm = rtclab_read_be16(&r);
		uint16_t plen = rtclab_read_be16(&r);
		a->v.algorithm.params = rtclab_read_view(&r, plen);
		if (r.error || rtclab_reader_left(&r) != (size_t)(4 - plen % 4) % 4)
			bad_length(msg, a, 4u + plen + (4 - plen % 4) % 4);
		break;
	}
	case RTCLAB_STUN_KIND_ACCESS_TOKEN: {
		struct rtclab_reader r;
		rtclab_reader_init(&r, a->value.ptr, a->value.len);
		uint16_t nlen = rtclab_read_be16(&r);
		a->v.token.nonce = rtclab_read_view(&r, nlen);
		a->v.token.block = rtclab_read_view(&r, rtclab_reader_left(&r));
		if (r.error)
			bad_length(msg, a, 2u + nlen);
		break;
	}
	default:
		decode_fixed(msg, a);
		break;
	}
}

/* --- the message ------------------------------------------------------------------- */

static void reset(struct rtclab_stun_msg *msg, const void *buf, size_t len)
{
	msg->data = (const uint8_t *)buf;
	msg->size = len;
	msg->type = 0;
	msg->method = 0;
	msg->cls = RTCLAB_STUN_REQUEST;
	msg->length = 0;
	msg->magic_cookie = false;
	msg->transaction_id_len = 0;
	msg->n_attrs = 0;
	msg->n_attrs_total = 0;
	msg->n_problems = 0;
	msg->n_problems_total = 0;
	msg->integrity_offset = SIZE_MAX;
	msg->integrity_sha256_offset = SIZE_MAX;
	msg->integrity_32_offset = SIZE_MAX;
	msg->fingerprint_offset = SIZE_MAX;
}

/* Where the attribute walk stands with respect to integrity (RFC 8489 14.5,
 * 14.6): after MESSAGE-INTEGRITY only MESSAGE-INTEGRITY-SHA256 and
 * FINGERPRINT may follow; after MESSAGE-INTEGRITY-SHA256 (or GOOG's 32-bit
 * variant) only FINGERPRINT; after FINGERPRINT nothing. */
enum walk_state { BEFORE_MI, AFTER_MI, AFTER_MI256, AFTER_FP };

static bool note_position(struct rtclab_stun_msg *msg, enum walk_state *st, uint16_t type, size_t at)
{
	bool ignored = false;
	if (*st == AFTER_FP) {
		rtclab_stun_add_problem_(msg, RTCLAB_STUN_E_FINGERPRINT_NOT_LAST, at, type, 0,
					 (uint32_t)msg->fingerprint_offset);
		return true;
	}
	if (type == RTCLAB_STUN_ATTR_FINGERPRINT) {
		*st = AFTER_FP;
		if (msg->fingerprint_offset == SIZE_MAX)
			msg->fingerprint_offset = at;
		return false;
	}
	bool allowed = *st == BEFORE_MI || (*st == AFTER_MI && type == RTCLAB_STUN_ATTR_MESSAGE_INTEGRITY_SHA256);
	if (!allowed) {
		size_t mi = msg->integrity_offset != SIZE_MAX ? msg->integrity_offset
			    : msg->integrity_sha256_offset != SIZE_MAX ? msg->integrity_sha256_offset
								       : msg->integrity_32_offset;
		rtclab_stun_add_problem_(msg, RTCLAB_STUN_E_AFTER_INTEGRITY, at, type, 0, (uint32_t)mi);
		return true;
	}
	if (type == RTCLAB_STUN_ATTR_MESSAGE_INTEGRITY) {
		msg->integrity_offset = at;
		*st = AFTER_MI;
	} else if (type == RTCLAB_STUN_ATTR_MESSAGE_INTEGRITY_SHA256) {
		msg->integrity_sha256_offset = at;
		*st = AFTER_MI256;
	} else if (type == RTCLAB_STUN_ATTR_GOOG_MESSAGE_INTEGRITY_32) {
		msg->integrity_32_offset = at;
		*st = AFTER_MI256;
	}
	return ignored;
}

static void walk_attributes(struct rtclab_stun_msg *msg, struct rtclab_reader *r)
{
	enum walk_state st = BEFORE_MI;
	while (rtclab_reader_left(r) > 0) {
		size_t at = r->pos;
		if (!rtclab_reader_has(r, 4)) {
			rtclab_stun_add_problem_(msg, RTCLAB_STUN_E_ATTR_HEADER_TRUNCATED, at, 0, 4,
						 (uint32_t)rtclab_reader_left(r));
			return;
		}
		uint32_t tl = rtclab_read_be32(r); /* type and length in one read */
		uint16_t type = (uint16_t)(tl >> 16);
		uint16_t len = (uint16_t)tl;
		size_t left = rtclab_reader_left(r);
		bool overrun = len > left;
		if (overrun)
			rtclab_stun_add_problem_(msg, RTCLAB_STUN_E_ATTR_OVERRUN, at, type, len, (uint32_t)left);
		struct rtclab_bytes value = rtclab_read_view(r, overrun ? left : len);
		size_t pad = (4 - len % 4) % 4;
		if (!overrun && rtclab_reader_left(r) < pad) {
			rtclab_stun_add_problem_(msg, RTCLAB_STUN_E_ATTR_PADDING_MISSING, at + 4 + len, type,
						 (uint32_t)pad, (uint32_t)rtclab_reader_left(r));
			pad = rtclab_reader_left(r);
		}
		rtclab_reader_skip(r, pad);

		msg->n_attrs_total++;
		bool ignored = note_position(msg, &st, type, at);
		/* Beyond RTCLAB_STUN_MAX_ATTRS an attribute is still checked, in a
		 * scratch slot, but not kept. */
		struct rtclab_stun_attr scratch, *a = &scratch;
		if (msg->n_attrs < RTCLAB_STUN_MAX_ATTRS)
			a = &msg->attrs[msg->n_attrs++];
		else if (msg->n_attrs_total == RTCLAB_STUN_MAX_ATTRS + 1)
			rtclab_stun_add_problem_(msg, RTCLAB_STUN_E_TOO_MANY_ATTRS, at, type, RTCLAB_STUN_MAX_ATTRS, 0);
		a->type = type;
		a->length = len;
		a->offset = (uint32_t)at;
		a->value = value;
		a->ignored = ignored;
		if (overrun) {
			const struct rtclab_stun_attr_info *info = rtclab_stun_attr_info(type);
			a->kind = info ? info->kind : RTCLAB_STUN_KIND_UNKNOWN;
			a->ok = false;
			return;
		}
		rtclab_stun_decode_value_(msg, a);
	}
}

enum rtclab_stun_error rtclab_stun_decode(struct rtclab_stun_msg *msg, const void *buf, size_t len)
{
	struct rtclab_reader r;
	reset(msg, buf, len);
	rtclab_reader_init(&r, buf, len);
	if (len > 0 && (msg->data[0] & 0xC0)) /* RFC 8489 6: the two most significant bits are zero */
		rtclab_stun_add_problem_(msg, RTCLAB_STUN_E_NOT_STUN, 0, 0, 0, msg->data[0]);
	if (len < RTCLAB_STUN_HEADER_SIZE) {
		rtclab_stun_add_problem_(msg, RTCLAB_STUN_E_TRUNCATED_HEADER, 0, 0, RTCLAB_STUN_HEADER_SIZE,
					 (uint32_t)len);
		return msg->problems[0].code;
	}
	uint16_t type = rtclab_read_be16(&r);
	msg->length = rtclab_read_be16(&r);
	uint32_t cookie = rtclab_read_be32(&r);
	msg->type = type & 0x3FFF;
	msg->method = rtclab_stun_type_method(msg->type);
	msg->cls = rtclab_stun_type_class(msg->type);
	msg->magic_cookie = cookie == RTCLAB_STUN_MAGIC_COOKIE;
	/* RFC 3489 had a 128-bit transaction ID where RFC 5389 put the cookie. */
	msg->transaction_id_len = msg->magic_cookie ? 12 : 16;
	memcpy(msg->transaction_id, msg->data + 20 - msg->transaction_id_len, msg->transaction_id_len);
	rtclab_reader_skip(&r, 12);

	bool known;
	if (!class_allowed(msg->method, msg->cls, &known))
		rtclab_stun_add_problem_(msg, RTCLAB_STUN_E_CLASS_NOT_ALLOWED, 0, 0, 0, msg->type);
	if (!known)
		rtclab_stun_add_problem_(msg, RTCLAB_STUN_E_UNKNOWN_METHOD, 0, 0, 0, msg->method);
	if (msg->length % 4)
		rtclab_stun_add_problem_(msg, RTCLAB_STUN_E_LENGTH_NOT_ALIGNED, 2, 0, 0, msg->length);

	size_t avail = len - RTCLAB_STUN_HEADER_SIZE;
	size_t body = msg->length;
	if (body > avail) {
		rtclab_stun_add_problem_(msg, RTCLAB_STUN_E_TRUNCATED, 2, 0, msg->length, (uint32_t)avail);
		body = avail;
	} else if (body < avail) {
		rtclab_stun_add_problem_(msg, RTCLAB_STUN_E_TRAILING_BYTES, RTCLAB_STUN_HEADER_SIZE + body, 0,
					 msg->length, (uint32_t)avail);
	}
	struct rtclab_reader attrs = rtclab_reader_sub(&r, body);
	walk_attributes(msg, &attrs);
	return msg->n_problems ? msg->problems[0].code : RTCLAB_STUN_OK;
}

bool rtclab_stun_is_stun(const void *buf, size_t len, bool cookie_required)
{
	const uint8_t *p = (const uint8_t *)buf;
	if (len < RTCLAB_STUN_HEADER_SIZE || (p[0] & 0xC0))
		return false;
	size_t length = (size_t)p[2] << 8 | p[3];
	if (length % 4 || length + RTCLAB_STUN_HEADER_SIZE > len)
		return false;
	if (!cookie_required)
		return true;
	return p[4] == 0x21 && p[5] == 0x12 && p[6] == 0xA4 && p[7] == 0x42;
}

const struct rtclab_stun_attr *rtclab_stun_find(const struct rtclab_stun_msg *msg, uint16_t type)
{
	for (size_t i = 0; i < msg->n_attrs; i++)
		if (msg->attrs[i].type == type)
			return &msg->attrs[i];
	return NULL;
}
