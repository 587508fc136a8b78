/* A STUN message (or ChannelData) as a readable tree with explanations,
 * like `tshark -V` but in plain words. */
#include <inttypes.h>
#include <string.h>

#include "tool.h"

/* Text in quotes; control bytes escaped, and every non-ASCII byte too when
 * the text is not valid UTF-8, so that nothing raw reaches the terminal. */
static void print_quoted(FILE *out, struct rtclab_bytes t)
{
	bool utf8 = rtclab_utf8_valid(t.ptr, t.len);
	fputc('"', out);
	for (size_t i = 0; i < t.len; i++) {
		uint8_t c = t.ptr[i];
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c == 0x7F || (c >= 0x80 && !utf8))
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
	if (!utf8)
		fputs(" (not valid UTF-8)", out);
}

static void print_hex(FILE *out, struct rtclab_bytes b, size_t max)
{
	size_t n = b.len < max ? b.len : max;
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%02x", b.ptr[i]);
	if (n < b.len)
		fprintf(out, "... (%zu bytes)", b.len);
}

static const char *family_str(enum rtclab_family f)
{
	return f == RTCLAB_FAMILY_IPV4 ? "IPv4" : f == RTCLAB_FAMILY_IPV6 ? "IPv6" : "unknown family";
}

/* RFC 8445 5.1.2.1: priority = 2^24 type preference + 2^8 local preference + (256 - component). */
static void print_priority(FILE *out, uint32_t p)
{
	unsigned type_pref = p >> 24, local = (p >> 8) & 0xFFFF, component = 256 - (p & 0xFF);
	const char *type = type_pref == 126 ? " (host)" : type_pref == 110 ? " (peer-reflexive)"
			   : type_pref == 100 ? " (server-reflexive)" : type_pref == 0 ? " (relayed)" : "";
	fprintf(out, "%" PRIu32 " = type preference %u%s x 2^24 + local preference %u x 2^8 + (256 - component %u)",
		p, type_pref, type, local, component);
}

static void print_username(FILE *out, const struct rtclab_stun_msg *msg, struct rtclab_bytes u)
{
	print_quoted(out, u);
	const uint8_t *colon = memchr(u.ptr, ':', u.len);
	bool check = msg->method == RTCLAB_STUN_BINDING && rtclab_stun_find(msg, RTCLAB_STUN_ATTR_PRIORITY);
	if (colon && check) {
		int a = (int)(colon - u.ptr), b = (int)(u.len - (size_t)a - 1);
		/* RFC 8445 7.2.2: "RFRAG:LFRAG", the receiver's ufrag first. */
		fprintf(out, " = receiver's ufrag \"%.*s\" : sender's ufrag \"%.*s\"", a, (const char *)u.ptr, b,
			(const char *)colon + 1);
	}
}

static void print_value(FILE *out, const struct rtclab_stun_msg *msg, const struct rtclab_stun_attr *a)
{
	char ip[RTCLAB_ADDR_STRLEN];
	switch (a->kind) {
	case RTCLAB_STUN_KIND_ADDRESS:
	case RTCLAB_STUN_KIND_XOR_ADDRESS:
		fprintf(out, "%s %s", family_str(a->v.addr.family), rtclab_addr_format(&a->v.addr, ip, sizeof ip));
		if (a->kind == RTCLAB_STUN_KIND_XOR_ADDRESS)
			fprintf(out, " (after undoing the XOR with the magic cookie%s)",
				a->v.addr.family == RTCLAB_FAMILY_IPV6 ? " and transaction ID" : "");
		break;
	case RTCLAB_STUN_KIND_U32:
		if (a->type == RTCLAB_STUN_ATTR_PRIORITY)
			print_priority(out, a->v.u32);
		else if (a->type == RTCLAB_STUN_ATTR_LIFETIME || a->type == RTCLAB_STUN_ATTR_CACHE_TIMEOUT)
			fprintf(out, "%" PRIu32 " seconds%s", a->v.u32,
				a->type == RTCLAB_STUN_ATTR_LIFETIME && a->v.u32 == 0 ? " (0: delete the allocation)" : "");
		else
			fprintf(out, "%" PRIu32 " (0x%08" PRIx32 ")", a->v.u32, a->v.u32);
		break;
	case RTCLAB_STUN_KIND_FINGERPRINT:
		fprintf(out, "0x%08" PRIx32, a->v.u32);
		break;
	case RTCLAB_STUN_KIND_U64:
		fprintf(out, "%s0x%016" PRIx64,
			a->type == RTCLAB_STUN_ATTR_RESERVATION_TOKEN ? "token " : "tie-breaker ", a->v.u64);
		break;
	case RTCLAB_STUN_KIND_TEXT:
		if (a->type == RTCLAB_STUN_ATTR_USERNAME)
			print_username(out, msg, a->v.text);
		else
			print_quoted(out, a->v.text);
		break;
	case RTCLAB_STUN_KIND_NONCE:
		print_quoted(out, a->v.nonce.text);
		if (a->v.nonce.has_cookie)
			fprintf(out, " (RFC 8489 security features:%s%s%s)",
				a->v.nonce.features & 0x800000 ? " password algorithms" : "",
				a->v.nonce.features & 0x400000 ? " username anonymity" : "",
				a->v.nonce.features & 0xC00000 ? "" : " none");
		break;
	case RTCLAB_STUN_KIND_ERROR_CODE:
	case RTCLAB_STUN_KIND_ADDRESS_ERROR_CODE: {
		const char *reason = rtclab_stun_error_code_reason(a->v.error.code);
		if (a->kind == RTCLAB_STUN_KIND_ADDRESS_ERROR_CODE)
			fprintf(out, "%s: ", family_str(a->v.error.family));
		fprintf(out, "%u ", a->v.error.code);
		print_quoted(out, a->v.error.reason);
		if (reason && (a->v.error.reason.len != strlen(reason) ||
			       memcmp(reason, a->v.error.reason.ptr, a->v.error.reason.len) != 0))
			fprintf(out, " (registered reason: %s)", reason);
		break;
	}
	case RTCLAB_STUN_KIND_CHANNEL_NUMBER:
		fprintf(out, "0x%04" PRIx32 " (%s)", a->v.u32,
			rtclab_channel_range_str(rtclab_channel_range((uint16_t)a->v.u32)));
		break;
	case RTCLAB_STUN_KIND_TRANSPORT:
		fprintf(out, "protocol %" PRIu32 "%s", a->v.u32, a->v.u32 == 17 ? " (UDP)" : a->v.u32 == 6 ? " (TCP)" : "");
		break;
	case RTCLAB_STUN_KIND_FAMILY:
		fputs(family_str(a->v.family), out);
		break;
	case RTCLAB_STUN_KIND_EVEN_PORT:
		fputs(a->v.flag ? "even port, and reserve the next one (R=1)" : "even port (R=0)", out);
		break;
	case RTCLAB_STUN_KIND_CHANGE_REQUEST:
		fprintf(out, "change IP %s, change port %s", a->v.change.change_ip ? "yes" : "no",
			a->v.change.change_port ? "yes" : "no");
		break;
	case RTCLAB_STUN_KIND_RESPONSE_PORT:
		fprintf(out, "port %" PRIu32, a->v.u32);
		break;
	case RTCLAB_STUN_KIND_ATTR_LIST: {
		int32_t t;
		for (size_t i = 0; (t = rtclab_stun_attr_u16_at(a, i)) >= 0; i++) {
			const char *name = rtclab_stun_attr_name((uint16_t)t);
			fprintf(out, "%s0x%04" PRIx32 "%s%s%s", i ? ", " : "", (uint32_t)t, name ? " (" : "", name ? name : "",
				name ? ")" : "");
		}
		break;
	}
	case RTCLAB_STUN_KIND_U16_LIST: {
		int32_t t;
		for (size_t i = 0; (t = rtclab_stun_attr_u16_at(a, i)) >= 0; i++)
			fprintf(out, "%s%" PRId32, i ? ", " : "", t);
		break;
	}
	case RTCLAB_STUN_KIND_PASSWORD_ALGORITHMS: {
		size_t pos = 0, i = 0;
		uint16_t alg;
		struct rtclab_bytes params;
		while (rtclab_stun_password_algorithm_next(a, &pos, &alg, &params))
			fprintf(out, "%s%s", i++ ? ", " : "", alg == 1 ? "MD5" : alg == 2 ? "SHA-256" : "unknown algorithm");
		break;
	}
	case RTCLAB_STUN_KIND_PASSWORD_ALGORITHM:
		fputs(a->v.algorithm.algorithm == 1 ? "MD5" : a->v.algorithm.algorithm == 2 ? "SHA-256" : "unknown", out);
		break;
	case RTCLAB_STUN_KIND_ICMP:
		fprintf(out, "ICMP type %u code %u, data 0x%08" PRIx32, a->v.icmp.type, a->v.icmp.code, a->v.icmp.data);
		break;
	case RTCLAB_STUN_KIND_ACCESS_TOKEN:
		fprintf(out, "nonce ");
		print_hex(out, a->v.token.nonce, 32);
		fprintf(out, ", %zu-byte encrypted block", a->v.token.block.len);
		break;
	case RTCLAB_STUN_KIND_NETWORK_INFO:
		fprintf(out, "network id %u, network cost %u", a->v.network.network_id, a->v.network.network_cost);
		break;
	case RTCLAB_STUN_KIND_EMPTY:
		fputs("(no value: its presence is the message)", out);
		break;
	default:
		print_hex(out, a->value, 64);
		break;
	}
}

static void print_attr(FILE *out, const struct style *st, const struct rtclab_stun_msg *msg,
		       const struct rtclab_stun_attr *a, bool explain)
{
	const char *name = rtclab_stun_attr_name(a->type);
	size_t pad = (4 - a->length % 4) % 4;
	fprintf(out, "    @%-4" PRIu32 " %s%s%s (0x%04x%s), %u byte%s", a->offset, st_bold(st),
		name ? name : "unknown attribute", st_off(st), a->type,
		rtclab_stun_attr_required(a->type) ? "" : ", optional", a->length, a->length == 1 ? "" : "s");
	if (pad && (size_t)a->offset + 4 + a->length + pad <= msg->size) {
		const uint8_t *p = msg->data + a->offset + 4 + a->length;
		fprintf(out, " + %zu padding (", pad);
		for (size_t i = 0; i < pad; i++)
			fprintf(out, "%s%02x", i ? " " : "", p[i]);
		fputs(")", out);
	}
	if (a->ignored)
		fprintf(out, " %s[ignored]%s", st_warn(st), st_off(st));
	fputs("\n           ", out);
	if (a->ok) {
		print_value(out, msg, a);
	} else {
		fprintf(out, "%smalformed:%s ", st_bad(st), st_off(st));
		print_hex(out, a->value, 64);
	}
	fputc('\n', out);
	if (explain)
		print_wrapped(out, st, 11, rtclab_stun_attr_explain(a->type));
}

static const char *check_color(const struct style *st, enum rtclab_stun_check c)
{
	return c == RTCLAB_STUN_CHECK_OK ? st_good(st) : c == RTCLAB_STUN_CHECK_BAD ? st_bad(st) : "";
}

static const char *prep_str(enum rtclab_stun_prep p)
{
	switch (p) {
	case RTCLAB_STUN_PREP_SASLPREP:
		return "password prepared with SASLprep, as RFC 5389 did";
	case RTCLAB_STUN_PREP_NONE:
		return "password bytes used as given, without OpaqueString or SASLprep";
	default:
		return "password prepared with OpaqueString, RFC 8489";
	}
}

static void print_integrity(FILE *out, const struct style *st, const struct rtclab_stun_verdict *v)
{
	fprintf(out, "  Integrity    %s%s%s", check_color(st, v->integrity), rtclab_stun_check_str(v->integrity),
		st_off(st));
	switch (v->integrity) {
	case RTCLAB_STUN_CHECK_ABSENT:
		fputs(": the message carries no MESSAGE-INTEGRITY, so anyone could have sent it\n", out);
		break;
	case RTCLAB_STUN_CHECK_UNCHECKED:
		fputs(": give --password (ICE: the sender's peer's ice-pwd; TURN: with --username and --realm) "
		      "to verify it\n", out);
		break;
	case RTCLAB_STUN_CHECK_OK:
	case RTCLAB_STUN_CHECK_BAD:
		if (v->key_error != RTCLAB_STUN_OK) {
			fprintf(out, ": no key could be made (%s)\n", rtclab_stun_error_str(v->key_error));
			break;
		}
		if (v->long_term)
			fprintf(out, ": long-term credentials, key = %s(username:realm:password), %s\n",
				v->algorithm == RTCLAB_STUN_PASSWORD_SHA256 ? "SHA-256" : "MD5", prep_str(v->prep));
		else
			fprintf(out, ": short-term credentials, key = the password (%s)\n", prep_str(v->prep));
		if (v->integrity == RTCLAB_STUN_CHECK_BAD)
			fputs("               the HMAC does not match: wrong password, or the message was altered\n", out);
		break;
	}
	fprintf(out, "  Fingerprint  %s%s%s", check_color(st, v->fingerprint), rtclab_stun_check_str(v->fingerprint),
		st_off(st));
	if (v->fingerprint == RTCLAB_STUN_CHECK_OK)
		fputs(": CRC-32 of the message XOR 0x5354554e matches\n", out);
	else if (v->fingerprint == RTCLAB_STUN_CHECK_BAD)
		fputs(": CRC-32 does not match; the message was damaged or is not STUN\n", out);
	else
		fputs(": no FINGERPRINT (ICE requires one on every check, RFC 8445 7.2.2)\n", out);
}

static void print_problems(FILE *out, const struct style *st, const struct rtclab_stun_problem *p, size_t n,
			   size_t total)
{
	char text[256];
	if (total == 0) {
		fprintf(out, "  Problems     %snone%s\n", st_good(st), st_off(st));
		return;
	}
	fprintf(out, "  Problems     %s%zu%s\n", st_bad(st), total, st_off(st));
	for (size_t i = 0; i < n; i++)
		fprintf(out, "    @%-4" PRIu32 " %s\n", p[i].offset, rtclab_stun_problem_format(&p[i], text, sizeof text));
	if (total > n)
		fprintf(out, "    ... and %zu more\n", total - n);
}

/* RFC 7983 (and RFC 9443): what the first byte of a UDP payload says it is. */
static const char *rfc7983_kind(uint8_t b)
{
	if (b <= 3)
		return "first byte 0-3: STUN";
	if (b >= 16 && b <= 19)
		return "first byte 16-19: ZRTP";
	if (b >= 20 && b <= 63)
		return "first byte 20-63: DTLS";
	if (b >= 64 && b <= 79)
		return "first byte 64-79: TURN ChannelData";
	if (b >= 128 && b <= 191)
		return "first byte 128-191: RTP or RTCP";
	if ((b >= 80 && b <= 127) || b >= 192)
		return "first byte 80-127 or 192-255: QUIC (RFC 9443)";
	return "first byte outside every RFC 7983 range";
}

void print_stun_text(FILE *out, const struct style *st, const struct rtclab_stun_msg *msg,
		     const struct rtclab_stun_verdict *verdict, bool explain)
{
	char title[64];
	if (msg->size < RTCLAB_STUN_HEADER_SIZE && msg->size > 0 && !(msg->data[0] & 0xC0)) {
		fprintf(out, "%sToo short for STUN%s: %zu bytes, and the header alone is 20\n", st_bold(st), st_off(st),
			msg->size);
		print_problems(out, st, msg->problems, msg->n_problems, msg->n_problems_total);
		return;
	}
	if (msg->size == 0 || (msg->data[0] & 0xC0)) {
		fprintf(out, "%sNot a STUN message%s: %s\n", st_bold(st), st_off(st),
			msg->size ? rfc7983_kind(msg->data[0]) : "no bytes at all");
		print_problems(out, st, msg->problems, msg->n_problems, msg->n_problems_total);
		return;
	}
	rtclab_stun_message_title(msg->method, msg->cls, title, sizeof title);
	fprintf(out, "%s%s%s, %s\n", st_bold(st), title, st_off(st),
		msg->magic_cookie ? "STUN (RFC 5389/8489)" : "classic STUN (RFC 3489: no magic cookie)");
	if (explain && msg->size >= RTCLAB_STUN_HEADER_SIZE) {
		struct rtclab_story story;
		rtclab_stun_story(msg, &story);
		fprintf(out, "  %s\n", rtclab_step_title(story.step));
		print_wrapped(out, st, 2, story.why);
	}
	if (msg->size < RTCLAB_STUN_HEADER_SIZE) {
		print_problems(out, st, msg->problems, msg->n_problems, msg->n_problems_total);
		return;
	}
	fputs("  Header (20 bytes)\n", out);
	const char *method = rtclab_stun_method_name(msg->method);
	fprintf(out, "    type            0x%04x = method %s (0x%03x), class %s\n", msg->type,
		method ? method : "unknown", msg->method, rtclab_stun_class_name(msg->cls));
	if (explain) {
		print_wrapped(out, st, 20, rtclab_stun_method_explain(msg->method));
		print_wrapped(out, st, 20, rtclab_stun_class_explain(msg->cls));
	}
	fprintf(out, "    length          %u bytes of attributes follow the header (%zu bytes in all)\n", msg->length,
		(size_t)msg->length + RTCLAB_STUN_HEADER_SIZE);
	if (msg->magic_cookie)
		fprintf(out, "    magic cookie    0x2112a442 (marks RFC 5389 and later STUN)\n");
	fputs("    transaction ID  ", out);
	for (size_t i = 0; i < msg->transaction_id_len; i++)
		fprintf(out, "%02x", msg->transaction_id[i]);
	fprintf(out, "%s\n", msg->magic_cookie ? "" : " (128 bits, RFC 3489)");
	if (explain)
		print_wrapped(out, st, 20, "A random number chosen by the requester; the response carries the same "
					   "one, which is how the two are matched.");
	fprintf(out, "  Attributes (%zu)\n", msg->n_attrs_total);
	for (size_t i = 0; i < msg->n_attrs; i++)
		print_attr(out, st, msg, &msg->attrs[i], explain);
	if (msg->n_attrs_total > msg->n_attrs)
		fprintf(out, "    ... %zu more not shown\n", msg->n_attrs_total - msg->n_attrs);
	if (verdict)
		print_integrity(out, st, verdict);
	print_problems(out, st, msg->problems, msg->n_problems, msg->n_problems_total);
}

void print_channeldata_text(FILE *out, const struct style *st, const struct rtclab_channeldata *cd, bool explain)
{
	if (cd->size < RTCLAB_CHANNELDATA_HEADER_SIZE) {
		fprintf(out, "%sTURN ChannelData%s, cut short before the end of its 4-byte header\n", st_bold(st),
			st_off(st));
		print_problems(out, st, cd->problems, cd->n_problems, cd->n_problems);
		return;
	}
	fprintf(out, "%sTURN ChannelData%s, channel 0x%04x, %u data byte%s\n", st_bold(st), st_off(st), cd->channel,
		cd->length, cd->length == 1 ? "" : "s");
	if (explain) {
		fprintf(out, "  %s\n", rtclab_step_title(RTCLAB_STEP_CHECKS));
		print_wrapped(out, st, 2,
			      "Data relayed through a TURN server on a bound channel: a 4-byte header replaces "
			      "the 36 bytes of a Send or Data indication. The payload is whatever the peers "
			      "exchange: ICE checks, DTLS, then SRTP or SCTP.");
	}
	fprintf(out, "  channel  0x%04x: %s\n", cd->channel, rtclab_channel_range_str(cd->range));
	fprintf(out, "  length   %u\n", cd->length);
	fputs("  data     ", out);
	print_hex(out, cd->data, 64);
	fputc('\n', out);
	if (cd->padding)
		fprintf(out, "  padding  %zu byte(s)\n", cd->padding);
	print_problems(out, st, cd->problems, cd->n_problems, cd->n_problems);
}
