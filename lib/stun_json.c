/* STUN messages and ChannelData as JSON (docs/json.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtclab/stun_json.h"

json_t *rtclab_json_hex(const void *bytes, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *p = (const uint8_t *)bytes;
	char small[256] = "";
	if (len == 0)
		return json_string("");
	char *s = 2 * len + 1 <= sizeof small ? small : malloc(2 * len + 1);
	if (!s)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		s[2 * i] = digits[p[i] >> 4];
		s[2 * i + 1] = digits[p[i] & 15];
	}
	json_t *j = json_stringn(s, 2 * len);
	if (s != small)
		free(s);
	return j;
}

static const char *family_name(enum rtclab_family f)
{
	return f == RTCLAB_FAMILY_IPV4 ? "IPv4" : f == RTCLAB_FAMILY_IPV6 ? "IPv6" : "unknown";
}

static const char *algorithm_name(uint16_t alg)
{
	return alg == RTCLAB_STUN_PASSWORD_MD5 ? "MD5" : alg == RTCLAB_STUN_PASSWORD_SHA256 ? "SHA-256" : "unknown";
}

static const char *range_name(enum rtclab_channel_range r)
{
	return r == RTCLAB_CHANNEL_RFC8656 ? "RFC 8656" : r == RTCLAB_CHANNEL_RFC5766 ? "RFC 5766" : "invalid";
}

/* Text as a JSON string when it is UTF-8, else as hex under "raw". */
static void set_text(json_t *o, const char *key, struct rtclab_bytes t)
{
	if (rtclab_utf8_valid(t.ptr, t.len)) /* jansson keeps NULs as \u0000 */
		json_object_set_new(o, key, json_stringn((const char *)t.ptr, t.len));
	else
		json_object_set_new(o, "raw", rtclab_json_hex(t.ptr, t.len));
}

static void set_u16_list(json_t *o, const char *key, const struct rtclab_stun_attr *a)
{
	json_t *list = json_array();
	int32_t v;
	for (size_t i = 0; (v = rtclab_stun_attr_u16_at(a, i)) >= 0; i++)
		json_array_append_new(list, json_integer(v));
	json_object_set_new(o, key, list);
}

static void set_typed(json_t *o, const struct rtclab_stun_attr *a)
{
	char ip[RTCLAB_ADDR_STRLEN];
	switch (a->kind) {
	case RTCLAB_STUN_KIND_ADDRESS:
	case RTCLAB_STUN_KIND_XOR_ADDRESS:
		json_object_set_new(o, "family", json_string(family_name(a->v.addr.family)));
		json_object_set_new(o, "address", json_string(rtclab_addr_ip_format(&a->v.addr, ip, sizeof ip)));
		json_object_set_new(o, "port", json_integer(a->v.addr.port));
		break;
	case RTCLAB_STUN_KIND_U32:
	case RTCLAB_STUN_KIND_FINGERPRINT:
	case RTCLAB_STUN_KIND_RESPONSE_PORT:
		json_object_set_new(o, "value", json_integer(a->v.u32));
		break;
	case RTCLAB_STUN_KIND_U64: {
		char hex[17];
		snprintf(hex, sizeof hex, "%016llx", (unsigned long long)a->v.u64);
		bool tiebreaker = a->type == RTCLAB_STUN_ATTR_ICE_CONTROLLED || a->type == RTCLAB_STUN_ATTR_ICE_CONTROLLING;
		json_object_set_new(o, tiebreaker ? "tiebreaker" : "value", json_string(hex));
		break;
	}
	case RTCLAB_STUN_KIND_TEXT:
		set_text(o, "value", a->v.text);
		break;
	case RTCLAB_STUN_KIND_NONCE:
		set_text(o, "value", a->v.nonce.text);
		if (a->v.nonce.has_cookie) {
			json_t *f = json_object();
			json_object_set_new(f, "password_algorithms", json_boolean(a->v.nonce.features & 0x800000));
			json_object_set_new(f, "username_anonymity", json_boolean(a->v.nonce.features & 0x400000));
			json_object_set_new(o, "security_features", f);
		}
		break;
	case RTCLAB_STUN_KIND_ERROR_CODE:
	case RTCLAB_STUN_KIND_ADDRESS_ERROR_CODE:
		if (a->kind == RTCLAB_STUN_KIND_ADDRESS_ERROR_CODE)
			json_object_set_new(o, "family", json_string(family_name(a->v.error.family)));
		json_object_set_new(o, "code", json_integer(a->v.error.code));
		set_text(o, "reason", a->v.error.reason);
		break;
	case RTCLAB_STUN_KIND_CHANNEL_NUMBER:
		json_object_set_new(o, "value", json_integer(a->v.u32));
		json_object_set_new(o, "range", json_string(range_name(rtclab_channel_range((uint16_t)a->v.u32))));
		break;
	case RTCLAB_STUN_KIND_TRANSPORT:
		json_object_set_new(o, "value", json_integer(a->v.u32));
		json_object_set_new(o, "protocol", json_string(a->v.u32 == 17 ? "UDP" : a->v.u32 == 6 ? "TCP" : "other"));
		break;
	case RTCLAB_STUN_KIND_FAMILY:
		json_object_set_new(o, "family", json_string(family_name(a->v.family)));
		break;
	case RTCLAB_STUN_KIND_EVEN_PORT:
		json_object_set_new(o, "reserve", json_boolean(a->v.flag));
		break;
	case RTCLAB_STUN_KIND_CHANGE_REQUEST:
		json_object_set_new(o, "change_ip", json_boolean(a->v.change.change_ip));
		json_object_set_new(o, "change_port", json_boolean(a->v.change.change_port));
		break;
	case RTCLAB_STUN_KIND_ATTR_LIST:
		set_u16_list(o, "attributes", a);
		break;
	case RTCLAB_STUN_KIND_U16_LIST:
		set_u16_list(o, "values", a);
		break;
	case RTCLAB_STUN_KIND_PASSWORD_ALGORITHMS: {
		json_t *list = json_array();
		size_t pos = 0;
		uint16_t alg;
		struct rtclab_bytes params;
		while (rtclab_stun_password_algorithm_next(a, &pos, &alg, &params)) {
			json_t *e = json_object();
			json_object_set_new(e, "algorithm", json_integer(alg));
			json_object_set_new(e, "name", json_string(algorithm_name(alg)));
			json_object_set_new(e, "parameters", rtclab_json_hex(params.ptr, params.len));
			json_array_append_new(list, e);
		}
		json_object_set_new(o, "algorithms", list);
		break;
	}
	case RTCLAB_STUN_KIND_PASSWORD_ALGORITHM:
		json_object_set_new(o, "algorithm", json_integer(a->v.algorithm.algorithm));
		json_object_set_new(o, "algorithm_name", json_string(algorithm_name(a->v.algorithm.algorithm)));
		json_object_set_new(o, "parameters", rtclab_json_hex(a->v.algorithm.params.ptr, a->v.algorithm.params.len));
		break;
	case RTCLAB_STUN_KIND_ICMP:
		json_object_set_new(o, "icmp_type", json_integer(a->v.icmp.type));
		json_object_set_new(o, "icmp_code", json_integer(a->v.icmp.code));
		json_object_set_new(o, "error_data", json_integer(a->v.icmp.data));
		break;
	case RTCLAB_STUN_KIND_ACCESS_TOKEN:
		json_object_set_new(o, "nonce", rtclab_json_hex(a->v.token.nonce.ptr, a->v.token.nonce.len));
		json_object_set_new(o, "encrypted_block", rtclab_json_hex(a->v.token.block.ptr, a->v.token.block.len));
		break;
	case RTCLAB_STUN_KIND_NETWORK_INFO:
		json_object_set_new(o, "network_id", json_integer(a->v.network.network_id));
		json_object_set_new(o, "network_cost", json_integer(a->v.network.network_cost));
		break;
	case RTCLAB_STUN_KIND_EMPTY:
		break;
	default: /* bytes, integrity values, unknown attributes */
		json_object_set_new(o, "value", rtclab_json_hex(a->value.ptr, a->value.len));
		break;
	}
}

json_t *rtclab_stun_attr_json(const struct rtclab_stun_attr *a)
{
	json_t *o = json_object();
	const char *name = rtclab_stun_attr_name(a->type);
	char unknown[32];
	if (!name) {
		snprintf(unknown, sizeof unknown, "UNKNOWN-0x%04X", a->type);
		name = unknown;
	}
	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "type", json_integer(a->type));
	json_object_set_new(o, "offset", json_integer(a->offset));
	json_object_set_new(o, "length", json_integer(a->length));
	if (a->ok)
		set_typed(o, a);
	else
		json_object_set_new(o, "raw", rtclab_json_hex(a->value.ptr, a->value.len));
	if (!a->ok)
		json_object_set_new(o, "valid", json_false());
	if (a->ignored)
		json_object_set_new(o, "ignored", json_true());
	if (a->kind == RTCLAB_STUN_KIND_UNKNOWN)
		json_object_set_new(o, "comprehension_required", json_boolean(rtclab_stun_attr_required(a->type)));
	return o;
}

static json_t *problems_json(const struct rtclab_stun_problem *p, size_t n)
{
	json_t *list = json_array();
	char text[256];
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_object();
		json_object_set_new(e, "offset", json_integer(p[i].offset));
		json_object_set_new(e, "code", json_string(rtclab_stun_error_id(p[i].code)));
		json_object_set_new(e, "message", json_string(rtclab_stun_problem_format(&p[i], text, sizeof text)));
		json_array_append_new(list, e);
	}
	return list;
}

json_t *rtclab_stun_json(const struct rtclab_stun_msg *msg, const struct rtclab_stun_verdict *verdict)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	const char *method = rtclab_stun_method_name(msg->method);
	char buf[16];
	if (!method) {
		snprintf(buf, sizeof buf, "0x%03x", msg->method);
		method = buf;
	}
	json_object_set_new(o, "method", json_string(method));
	json_object_set_new(o, "class", json_string(rtclab_stun_class_name(msg->cls)));
	json_object_set_new(o, "type", json_integer(msg->type));
	json_object_set_new(o, "transaction_id", rtclab_json_hex(msg->transaction_id, msg->transaction_id_len));
	json_object_set_new(o, "length", json_integer(msg->length));
	json_object_set_new(o, "magic_cookie", json_boolean(msg->magic_cookie));
	json_t *attrs = json_array();
	for (size_t i = 0; i < msg->n_attrs; i++)
		json_array_append_new(attrs, rtclab_stun_attr_json(&msg->attrs[i]));
	json_object_set_new(o, "attributes", attrs);
	enum rtclab_stun_check integrity = RTCLAB_STUN_CHECK_UNCHECKED, fingerprint;
	if (verdict) {
		integrity = verdict->integrity;
		fingerprint = verdict->fingerprint;
	} else {
		fingerprint = rtclab_stun_check_fingerprint(msg);
		if (msg->integrity_offset == SIZE_MAX && msg->integrity_sha256_offset == SIZE_MAX &&
		    msg->integrity_32_offset == SIZE_MAX)
			integrity = RTCLAB_STUN_CHECK_ABSENT;
	}
	json_object_set_new(o, "integrity", json_string(rtclab_stun_check_str(integrity)));
	json_object_set_new(o, "fingerprint", json_string(rtclab_stun_check_str(fingerprint)));
	json_object_set_new(o, "problems", problems_json(msg->problems, msg->n_problems));
	if (msg->n_problems_total > msg->n_problems)
		json_object_set_new(o, "problems_not_shown", json_integer((json_int_t)(msg->n_problems_total - msg->n_problems)));
	return o;
}

json_t *rtclab_channeldata_json(const struct rtclab_channeldata *cd)
{
	json_t *o = json_object();
	json_object_set_new(o, "channel", json_integer(cd->channel));
	json_object_set_new(o, "channel_range", json_string(range_name(cd->range)));
	json_object_set_new(o, "length", json_integer(cd->length));
	json_object_set_new(o, "data", rtclab_json_hex(cd->data.ptr, cd->data.len));
	json_object_set_new(o, "padding", json_integer((json_int_t)cd->padding));
	json_object_set_new(o, "problems", problems_json(cd->problems, cd->n_problems));
	return o;
}
