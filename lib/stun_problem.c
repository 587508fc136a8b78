/* Problems found in STUN messages, as words. */
#include <stdio.h>

#include "rtclab/stun.h"

struct error_text {
	const char *id;
	const char *str;
};

static const struct error_text error_texts[] = {
	[RTCLAB_STUN_OK] = {"ok", "no problem"},
	[RTCLAB_STUN_E_TRUNCATED_HEADER] = {"truncated_header", "message shorter than the 20-byte STUN header"},
	[RTCLAB_STUN_E_NOT_STUN] = {"not_stun", "the two leading bits are not 00, so this is not a STUN message"},
	[RTCLAB_STUN_E_LENGTH_NOT_ALIGNED] = {"length_not_aligned", "message length is not a multiple of 4"},
	[RTCLAB_STUN_E_TRUNCATED] = {"truncated", "message is shorter than its header's length field says"},
	[RTCLAB_STUN_E_TRAILING_BYTES] = {"trailing_bytes", "bytes follow the end the length field gives"},
	[RTCLAB_STUN_E_ATTR_HEADER_TRUNCATED] = {"attr_header_truncated",
						 "fewer than 4 bytes left for an attribute header"},
	[RTCLAB_STUN_E_ATTR_OVERRUN] = {"attr_overrun", "attribute runs past the end of the message"},
	[RTCLAB_STUN_E_ATTR_PADDING_MISSING] = {"attr_padding_missing",
						"attribute is not padded to a multiple of 4 bytes"},
	[RTCLAB_STUN_E_ATTR_BAD_LENGTH] = {"attr_bad_length", "attribute value has the wrong length for its type"},
	[RTCLAB_STUN_E_ATTR_TOO_LONG] = {"attr_too_long", "attribute value is longer than its type allows"},
	[RTCLAB_STUN_E_BAD_FAMILY] = {"bad_family", "address family is neither IPv4 (0x01) nor IPv6 (0x02)"},
	[RTCLAB_STUN_E_BAD_UTF8] = {"bad_utf8", "text is not valid UTF-8"},
	[RTCLAB_STUN_E_BAD_ERROR_CODE] = {"bad_error_code", "error code outside 300-699"},
	[RTCLAB_STUN_E_UNKNOWN_REQUIRED] = {"unknown_required",
					    "unknown comprehension-required attribute (a receiver answers 420)"},
	[RTCLAB_STUN_E_AFTER_INTEGRITY] = {"after_integrity",
					   "attribute after MESSAGE-INTEGRITY is ignored by receivers"},
	[RTCLAB_STUN_E_FINGERPRINT_NOT_LAST] = {"fingerprint_not_last", "FINGERPRINT is not the last attribute"},
	[RTCLAB_STUN_E_UNKNOWN_METHOD] = {"unknown_method", "unknown STUN method"},
	[RTCLAB_STUN_E_CLASS_NOT_ALLOWED] = {"class_not_allowed", "this method is not defined with this class"},
	[RTCLAB_STUN_E_CHANNEL_RANGE] = {"channel_range", "channel number outside 0x4000-0x7FFF"},
	[RTCLAB_STUN_E_TOO_MANY_ATTRS] = {"too_many_attrs", "too many attributes; the rest are checked, not kept"},
	[RTCLAB_STUN_E_INTEGRITY_BAD] = {"integrity_bad", "message integrity does not verify"},
	[RTCLAB_STUN_E_FINGERPRINT_BAD] = {"fingerprint_bad", "FINGERPRINT does not match the message's CRC-32"},
	[RTCLAB_STUN_E_BAD_CREDENTIAL] = {"bad_credential",
					  "the password (or realm) is not allowed by OpaqueString or SASLprep"},
	[RTCLAB_STUN_E_NO_SPACE] = {"no_space", "output buffer too small"},
	[RTCLAB_STUN_E_INVALID_ARG] = {"invalid_arg", "attribute cannot be encoded"},
	[RTCLAB_STUN_E_BAD_RESERVED] = {"bad_reserved", "reserved bits are not zero"},
	[RTCLAB_STUN_E_MISSING_CREDENTIAL] = {"missing_credential",
					      "long-term credentials need a username and a realm: give them, or "
					      "check a message that carries USERNAME and REALM"},
};

#define N_ERRORS (sizeof error_texts / sizeof error_texts[0])

const char *rtclab_stun_error_str(enum rtclab_stun_error code)
{
	if ((size_t)code >= N_ERRORS || !error_texts[code].str)
		return "unknown problem";
	return error_texts[code].str;
}

const char *rtclab_stun_error_id(enum rtclab_stun_error code)
{
	if ((size_t)code >= N_ERRORS || !error_texts[code].id)
		return "unknown";
	return error_texts[code].id;
}

const char *rtclab_stun_check_str(enum rtclab_stun_check c)
{
	switch (c) {
	case RTCLAB_STUN_CHECK_OK:
		return "ok";
	case RTCLAB_STUN_CHECK_BAD:
		return "bad";
	case RTCLAB_STUN_CHECK_UNCHECKED:
		return "unchecked";
	case RTCLAB_STUN_CHECK_ABSENT:
	default:
		return "absent";
	}
}

static const char *attr_label(uint16_t type, char *buf, size_t len)
{
	const char *name = rtclab_stun_attr_name(type);
	if (name)
		snprintf(buf, len, "%s (0x%04x)", name, type);
	else
		snprintf(buf, len, "attribute 0x%04x", type);
	return buf;
}

const char *rtclab_stun_problem_format(const struct rtclab_stun_problem *p, char *buf, size_t len)
{
	char a[64];
	unsigned e = p->expected, f = p->found;
	attr_label(p->attr_type, a, sizeof a);
	switch (p->code) {
	case RTCLAB_STUN_E_TRUNCATED_HEADER:
		if (e == RTCLAB_STUN_HEADER_SIZE)
			snprintf(buf, len, "only %u bytes: a STUN header needs %u (a ChannelData header 4)", f, e);
		else /* rtclab_channeldata_decode: e is the 4-byte ChannelData header */
			snprintf(buf, len, "only %u bytes: a ChannelData header needs %u", f, e);
		break;
	case RTCLAB_STUN_E_NOT_STUN:
		snprintf(buf, len, "first byte 0x%02x has leading bits %u%u; STUN needs 00 (RFC 7983: 0-3 STUN, "
			 "20-63 DTLS, 64-79 ChannelData, 128-191 RTP/RTCP)", f, (f >> 7) & 1, (f >> 6) & 1);
		break;
	case RTCLAB_STUN_E_LENGTH_NOT_ALIGNED:
		snprintf(buf, len, "message length %u is not a multiple of 4 (RFC 8489 5)", f);
		break;
	case RTCLAB_STUN_E_TRUNCATED:
		snprintf(buf, len, "length field says %u bytes follow the header, but only %u do: truncated", e, f);
		break;
	case RTCLAB_STUN_E_TRAILING_BYTES:
		snprintf(buf, len, "length field says %u bytes follow the header, but %u do; the rest is not part "
			 "of the message", e, f);
		break;
	case RTCLAB_STUN_E_ATTR_HEADER_TRUNCATED:
		snprintf(buf, len, "%u byte(s) left where an attribute header needs 4", f);
		break;
	case RTCLAB_STUN_E_ATTR_OVERRUN:
		snprintf(buf, len, "%s declares %u value bytes but only %u remain in the message", a, e, f);
		break;
	case RTCLAB_STUN_E_ATTR_PADDING_MISSING:
		snprintf(buf, len, "%s needs %u padding byte(s) to reach a 4-byte boundary; %u present",
			 p->attr_type ? a : "the ChannelData message (over TCP)", e, f);
		break;
	case RTCLAB_STUN_E_ATTR_BAD_LENGTH:
		snprintf(buf, len, "%s has a %u-byte value; expected %u", a, f, e);
		break;
	case RTCLAB_STUN_E_ATTR_TOO_LONG:
		snprintf(buf, len, "%s has a %u-byte value; at most %u allowed", a, f, e);
		break;
	case RTCLAB_STUN_E_BAD_FAMILY:
		snprintf(buf, len, "%s has address family 0x%02x; expected 0x01 (IPv4) or 0x02 (IPv6)", a, f);
		break;
	case RTCLAB_STUN_E_BAD_UTF8:
		snprintf(buf, len, "%s text is not valid UTF-8", a);
		break;
	case RTCLAB_STUN_E_BAD_ERROR_CODE:
		snprintf(buf, len, "%s has class %u and number %u: the class must be 3-6 and the number 0-99 "
			 "(codes 300-699)", a, f >> 8, f & 0xFF);
		break;
	case RTCLAB_STUN_E_UNKNOWN_REQUIRED:
		snprintf(buf, len, "%s is comprehension-required (type below 0x8000) and unknown: a server "
			 "would reject the request with 420 Unknown Attribute", a);
		break;
	case RTCLAB_STUN_E_AFTER_INTEGRITY:
		snprintf(buf, len, "%s follows the integrity attribute at offset %u and is ignored by receivers "
			 "(RFC 8489 14.5)", a, f);
		break;
	case RTCLAB_STUN_E_FINGERPRINT_NOT_LAST:
		snprintf(buf, len, "%s follows FINGERPRINT (offset %u), which must be last (RFC 8489 14.7)", a, f);
		break;
	case RTCLAB_STUN_E_UNKNOWN_METHOD:
		snprintf(buf, len, "method 0x%03x is not a registered STUN method", f);
		break;
	case RTCLAB_STUN_E_CLASS_NOT_ALLOWED: {
		char t[64];
		uint16_t type = (uint16_t)f;
		rtclab_stun_message_title(rtclab_stun_type_method(type), rtclab_stun_type_class(type), t, sizeof t);
		snprintf(buf, len, "message type 0x%04x is a %s, which no RFC defines", type, t);
		break;
	}
	case RTCLAB_STUN_E_CHANNEL_RANGE:
		snprintf(buf, len, "%s channel number 0x%04x is outside 0x4000-0x7FFF", p->attr_type ? a : "ChannelData",
			 f);
		break;
	case RTCLAB_STUN_E_TOO_MANY_ATTRS:
		snprintf(buf, len, "more than %u attributes; the rest are checked but not kept", e);
		break;
	case RTCLAB_STUN_E_BAD_RESERVED:
		snprintf(buf, len, "%s has reserved bits 0x%x set; senders must send them as zero and "
			 "receivers ignore them", a, f);
		break;
	case RTCLAB_STUN_E_INTEGRITY_BAD:
		snprintf(buf, len, "%s does not verify with the credentials given", a);
		break;
	case RTCLAB_STUN_E_FINGERPRINT_BAD:
		snprintf(buf, len, "FINGERPRINT is 0x%08x but the CRC-32 of the message XOR 0x5354554e is 0x%08x",
			 f, e);
		break;
	default:
		snprintf(buf, len, "%s", rtclab_stun_error_str(p->code));
		break;
	}
	return buf;
}
