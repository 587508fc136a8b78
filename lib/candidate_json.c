/* ICE candidates as JSON (docs/json.md, "ICE candidates"). */
#include "rtclab/candidate_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtclab/ice.h"

/* Length of the UTF-8 sequence at s (RFC 3629), 0 when it is not one. */
static size_t utf8_seq(const unsigned char *s, size_t left)
{
	size_t n = s[0] < 0x80 ? 1 : (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3 : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
	if (n == 0 || n > left || (n == 2 && s[0] < 0xC2) || (n == 4 && s[0] > 0xF4))
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	if ((n == 3 && s[0] == 0xE0 && s[1] < 0xA0) || (n == 3 && s[0] == 0xED && s[1] >= 0xA0) ||
	    (n == 4 && s[0] == 0xF0 && s[1] < 0x90) || (n == 4 && s[0] == 0xF4 && s[1] >= 0x90))
		return 0; /* overlong, surrogate, beyond U+10FFFF */
	return n;
}

/* Text as a JSON string; a byte that is not part of valid UTF-8 becomes
 * the four characters \xNN (values may hold any byte 0x80-0xFF). */
static json_t *text_json(struct rtclab_str s)
{
	size_t i = 0, k = 0, n;
	if (!s.ptr)
		return json_string("");
	const unsigned char *u = (const unsigned char *)s.ptr;
	while (i < s.len && (n = utf8_seq(u + i, s.len - i)) > 0)
		i += n;
	if (i == s.len)
		return json_stringn(s.ptr, s.len);
	char *esc = malloc(4 * s.len + 1);
	if (!esc)
		return NULL;
	for (i = 0; i < s.len; i += n) {
		n = utf8_seq(u + i, s.len - i);
		if (n) {
			memcpy(esc + k, s.ptr + i, n);
			k += n;
		} else {
			snprintf(esc + k, 5, "\\x%02x", u[i]);
			k += 4;
			n = 1;
		}
	}
	json_t *j = json_stringn(esc, k);
	free(esc);
	return j;
}

static const char *kind_name(enum rtclab_cand_addr_kind k)
{
	switch (k) {
	case RTCLAB_CAND_ADDR_IPV4:
		return "ipv4";
	case RTCLAB_CAND_ADDR_IPV6:
		return "ipv6";
	case RTCLAB_CAND_ADDR_FQDN:
		return "fqdn";
	case RTCLAB_CAND_ADDR_MDNS:
		return "mdns";
	}
	return "unknown";
}

/* Every extension pair by name; a repeated name keeps its first value. */
static json_t *extensions_json(const struct rtclab_candidate *c)
{
	json_t *o = json_object();
	char small[128];
	for (size_t i = 0; o && i < c->n_ext && i < RTCLAB_CAND_MAX_EXT; i++) {
		struct rtclab_str n = c->ext[i].name;
		if (!n.ptr || memchr(n.ptr, '\0', n.len))
			continue; /* a key must be a C string */
		char *key = n.len < sizeof small ? small : malloc(n.len + 1);
		if (!key)
			break;
		memcpy(key, n.ptr, n.len);
		key[n.len] = '\0';
		if (!json_object_get(o, key))
			json_object_set_new(o, key, text_json(c->ext[i].value));
		if (key != small)
			free(key);
	}
	return o;
}

static json_t *priority_parts_json(uint32_t priority)
{
	struct rtclab_ice_priority_parts p = rtclab_ice_priority_split(priority);
	return json_pack("{s:I,s:I,s:I}", "type_preference", (json_int_t)p.type_pref, "local_preference",
			 (json_int_t)p.local_pref, "component", (json_int_t)p.component);
}

static json_t *address_json(struct rtclab_str text, const struct rtclab_addr *ip)
{
	char buf[RTCLAB_ADDR_STRLEN];
	if (text.len)
		return text_json(text);
	return json_string(rtclab_addr_ip_format(ip, buf, sizeof buf));
}

json_t *rtclab_candidate_json(const struct rtclab_candidate *c)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "foundation", text_json(c->foundation));
	json_object_set_new(o, "component", json_integer(c->component));
	json_object_set_new(o, "transport", json_string(c->transport == RTCLAB_CAND_TCP ? "tcp" : "udp"));
	json_object_set_new(o, "priority", json_integer(c->priority));
	json_object_set_new(o, "address", address_json(c->address, &c->ip));
	json_object_set_new(o, "port", json_integer(c->port));
	json_object_set_new(o, "type", json_string(rtclab_cand_type_name(c->type)));
	json_object_set_new(o, "related_address", c->has_raddr ? address_json(c->raddr, &c->raddr_ip) : json_null());
	json_object_set_new(o, "related_port", c->has_rport ? json_integer(c->rport) : json_null());
	json_object_set_new(o, "tcptype",
			    c->tcptype != RTCLAB_TCPTYPE_NONE ? json_string(rtclab_tcptype_name(c->tcptype)) : json_null());
	json_object_set_new(o, "extensions", extensions_json(c));
	json_object_set_new(o, "priority_parts", priority_parts_json(c->priority));
	json_object_set_new(o, "address_kind", json_string(kind_name(c->address_kind)));
	return o;
}
