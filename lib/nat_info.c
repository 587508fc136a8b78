/* NAT configurations by name (the presets and the RFC 4787 matrix), the
 * names of behaviours and decisions, and the sentence that explains a
 * decision to a student. */
#include "rtclab/nat.h"

#include <stdio.h>
#include <string.h>

const char *rtclab_nat_error_str(enum rtclab_nat_error e)
{
	switch (e) {
	case RTCLAB_NAT_OK:
		return "no error";
	case RTCLAB_NAT_E_UNKNOWN_NAME:
		return "not a NAT name: use a preset (open, full-cone, restricted-cone, port-restricted-cone, "
		       "symmetric, linux) or <mapping>-<filtering> with eim, adm or apdm and eif, adf or apdf";
	case RTCLAB_NAT_E_PORT_RANGE:
		return "the port range must be 1-65535 with its start at or below its end";
	case RTCLAB_NAT_E_LIFETIME:
		return "a mapping lifetime must be positive";
	case RTCLAB_NAT_E_NO_EXTERNAL:
		return "a translating NAT needs at least one external IPv4 address";
	case RTCLAB_NAT_E_EXTERNAL:
		return "external addresses must be IPv4 and distinct";
	case RTCLAB_NAT_E_NO_RNG:
		return "random port assignment needs a random number generator";
	case RTCLAB_NAT_E_BEHAVIOR:
		return "a behaviour, port policy, hairpin mode or firewall value is out of range";
	case RTCLAB_NAT_E_NOMEM:
		return "out of memory";
	}
	return "unknown NAT error";
}

void rtclab_nat_config_default(struct rtclab_nat_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->translate = true;
	cfg->mapping = RTCLAB_NAT_EI;
	cfg->filtering = RTCLAB_NAT_AD;
	cfg->port_alloc = RTCLAB_NAT_PORT_SEQUENTIAL;
	cfg->port_parity = false;
	cfg->port_min = RTCLAB_NAT_DEFAULT_PORT_MIN;
	cfg->port_max = RTCLAB_NAT_DEFAULT_PORT_MAX;
	cfg->udp_lifetime = RTCLAB_NAT_DEFAULT_UDP_LIFETIME;
	cfg->tcp_lifetime = RTCLAB_NAT_DEFAULT_TCP_LIFETIME;
	cfg->inbound_refresh = false;
	cfg->hairpin = RTCLAB_NAT_HAIRPIN_EXTERNAL;
	cfg->filter_untranslated = true;
	cfg->firewall = RTCLAB_NAT_FW_NONE;
	cfg->max_mappings = RTCLAB_NAT_DEFAULT_MAX_MAPPINGS;
}

static const char *const preset_names[] = {
	"open", "full-cone", "restricted-cone", "port-restricted-cone", "symmetric", "linux",
};

/* Index by mapping * 3 + filtering. */
static const char *const matrix_names[] = {
	"eim-eif", "eim-adf", "eim-apdf", "adm-eif", "adm-adf", "adm-apdf", "apdm-eif", "apdm-adf", "apdm-apdf",
};

static const char *const mapping_abbrev[] = {"eim", "adm", "apdm"};
static const char *const filtering_abbrev[] = {"eif", "adf", "apdf"};

const char *const *rtclab_nat_preset_names(size_t *count)
{
	*count = sizeof preset_names / sizeof preset_names[0];
	return preset_names;
}

const char *const *rtclab_nat_matrix_names(size_t *count)
{
	*count = sizeof matrix_names / sizeof matrix_names[0];
	return matrix_names;
}

const char *rtclab_nat_config_name(const struct rtclab_nat_config *cfg)
{
	if (!cfg->translate)
		return "open";
	if ((unsigned)cfg->mapping > RTCLAB_NAT_APD || (unsigned)cfg->filtering > RTCLAB_NAT_APD)
		return "?";
	return matrix_names[cfg->mapping * 3 + cfg->filtering];
}

static bool preset(const char *name, struct rtclab_nat_config *cfg)
{
	static const struct {
		const char *name;
		enum rtclab_nat_behavior mapping, filtering;
	} classic[] = {
		{"full-cone", RTCLAB_NAT_EI, RTCLAB_NAT_EI},
		{"restricted-cone", RTCLAB_NAT_EI, RTCLAB_NAT_AD},
		{"port-restricted-cone", RTCLAB_NAT_EI, RTCLAB_NAT_APD},
		{"symmetric", RTCLAB_NAT_APD, RTCLAB_NAT_APD},
	};
	rtclab_nat_config_default(cfg);
	if (strcmp(name, "open") == 0) {
		cfg->translate = false;
		cfg->filtering = RTCLAB_NAT_EI;
		cfg->filter_untranslated = false;
		cfg->hairpin = RTCLAB_NAT_HAIRPIN_OFF;
		return true;
	}
	if (strcmp(name, "linux") == 0) {
		/* iptables MASQUERADE: the source port is kept unless another
		 * connection holds it, APDF by conntrack, no hairpin without
		 * extra rules */
		cfg->mapping = RTCLAB_NAT_EI;
		cfg->filtering = RTCLAB_NAT_APD;
		cfg->port_alloc = RTCLAB_NAT_PORT_PRESERVE;
		cfg->hairpin = RTCLAB_NAT_HAIRPIN_OFF;
		return true;
	}
	for (size_t i = 0; i < sizeof classic / sizeof classic[0]; i++) {
		if (strcmp(name, classic[i].name) == 0) {
			cfg->mapping = classic[i].mapping;
			cfg->filtering = classic[i].filtering;
			return true;
		}
	}
	return false;
}

static int abbrev_index(const char *const *table, const char *s, size_t len)
{
	for (int i = 0; i < 3; i++)
		if (strlen(table[i]) == len && memcmp(table[i], s, len) == 0)
			return i;
	return -1;
}

enum rtclab_nat_error rtclab_nat_config_from_name_at(const char *name, struct rtclab_nat_config *cfg,
						     size_t *where)
{
	struct rtclab_nat_config c;
	if (where)
		*where = 0;
	if (preset(name, &c)) {
		*cfg = c;
		return RTCLAB_NAT_OK;
	}
	const char *dash = strchr(name, '-');
	if (!dash)
		return RTCLAB_NAT_E_UNKNOWN_NAME;
	int m = abbrev_index(mapping_abbrev, name, (size_t)(dash - name));
	if (m < 0)
		return RTCLAB_NAT_E_UNKNOWN_NAME;
	int f = abbrev_index(filtering_abbrev, dash + 1, strlen(dash + 1));
	if (f < 0) {
		if (where)
			*where = (size_t)(dash + 1 - name);
		return RTCLAB_NAT_E_UNKNOWN_NAME;
	}
	rtclab_nat_config_default(&c);
	c.mapping = (enum rtclab_nat_behavior)m;
	c.filtering = (enum rtclab_nat_behavior)f;
	*cfg = c;
	return RTCLAB_NAT_OK;
}

enum rtclab_nat_error rtclab_nat_config_from_name(const char *name, struct rtclab_nat_config *cfg)
{
	return rtclab_nat_config_from_name_at(name, cfg, NULL);
}

bool rtclab_nat_firewall_from_name(const char *name, enum rtclab_nat_firewall *fw)
{
	for (int i = RTCLAB_NAT_FW_NONE; i <= RTCLAB_NAT_FW_TCP_443; i++) {
		if (strcmp(name, rtclab_nat_firewall_name((enum rtclab_nat_firewall)i)) == 0) {
			*fw = (enum rtclab_nat_firewall)i;
			return true;
		}
	}
	return false;
}

const char *rtclab_nat_firewall_name(enum rtclab_nat_firewall fw)
{
	switch (fw) {
	case RTCLAB_NAT_FW_NONE:
		return "none";
	case RTCLAB_NAT_FW_BLOCK_UDP:
		return "block-udp";
	case RTCLAB_NAT_FW_TCP_443:
		return "tcp-443";
	}
	return "?";
}

const char *rtclab_nat_behavior_name(enum rtclab_nat_behavior b)
{
	switch (b) {
	case RTCLAB_NAT_EI:
		return "endpoint-independent";
	case RTCLAB_NAT_AD:
		return "address-dependent";
	case RTCLAB_NAT_APD:
		return "address-and-port-dependent";
	}
	return "?";
}

const char *rtclab_nat_port_alloc_name(enum rtclab_nat_port_alloc p)
{
	switch (p) {
	case RTCLAB_NAT_PORT_PRESERVE:
		return "preserve";
	case RTCLAB_NAT_PORT_SEQUENTIAL:
		return "sequential";
	case RTCLAB_NAT_PORT_RANDOM:
		return "random";
	}
	return "?";
}

const char *rtclab_nat_hairpin_name(enum rtclab_nat_hairpin h)
{
	switch (h) {
	case RTCLAB_NAT_HAIRPIN_OFF:
		return "off";
	case RTCLAB_NAT_HAIRPIN_EXTERNAL:
		return "external";
	case RTCLAB_NAT_HAIRPIN_INTERNAL:
		return "internal";
	}
	return "?";
}

const char *rtclab_nat_decision_kind_name(enum rtclab_nat_decision_kind k)
{
	static const char *const names[] = {
		"mapping-created",    "mapping-reused",      "mapping-refreshed",  "mapping-expired",
		"outbound-translated", "inbound-translated", "outbound-forwarded", "inbound-forwarded",
		"inbound-filtered",   "hairpinned",          "firewall-dropped",   "dropped",
	};
	return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

const char *rtclab_nat_reason_name(enum rtclab_nat_reason r)
{
	static const char *const names[] = {
		"none",        "no-mapping",     "address-not-sent", "port-not-sent", "udp-blocked",
		"tcp-not-443", "tcp-not-opened", "not-established",  "no-hairpin",    "no-port",
		"table-full",  "timeout",        "flushed",          "family",
	};
	return (unsigned)r < sizeof names / sizeof names[0] ? names[r] : "?";
}

/* --- the sentence -------------------------------------------------------------------- */

struct texts {
	char in[RTCLAB_ADDR_STRLEN], out[RTCLAB_ADDR_STRLEN], ext[RTCLAB_ADDR_STRLEN];
	char m_in[RTCLAB_ADDR_STRLEN], m_ext[RTCLAB_ADDR_STRLEN], m_remote[RTCLAB_ADDR_STRLEN];
	const char *l4;
	const char *mapping, *filtering;
};

static void fill_texts(const struct rtclab_nat_decision *d, struct texts *t)
{
	rtclab_addr_format(&d->inside, t->in, sizeof t->in);
	rtclab_addr_format(&d->outside, t->out, sizeof t->out);
	rtclab_addr_format(&d->external, t->ext, sizeof t->ext);
	rtclab_addr_format(&d->mapping.internal, t->m_in, sizeof t->m_in);
	rtclab_addr_format(&d->mapping.external, t->m_ext, sizeof t->m_ext);
	rtclab_addr_format(&d->mapping.remote, t->m_remote, sizeof t->m_remote);
	t->l4 = d->l4 == RTCLAB_L4_TCP ? "TCP" : "UDP";
	t->mapping = rtclab_nat_behavior_name(d->mapping_behavior);
	t->filtering = rtclab_nat_behavior_name(d->filtering_behavior);
}

static const char *key_phrase(enum rtclab_nat_behavior mapping)
{
	switch (mapping) {
	case RTCLAB_NAT_EI:
		return "the first time this internal address and port sends anywhere";
	case RTCLAB_NAT_AD:
		return "the first time this internal address and port sends to this remote address";
	case RTCLAB_NAT_APD:
		return "the first time this internal address and port sends to this remote address and port";
	}
	return "";
}

static size_t explain_mapping(const struct rtclab_nat_decision *d, const struct texts *t, char *buf, size_t len)
{
	/* idle lifetimes only: the NAT's clock is not the clock a reader sees (a
	 * capture's, or a session's relative times) */
	double life_s = (double)d->mapping.lifetime / 1e9;
	switch (d->kind) {
	case RTCLAB_NAT_MAPPING_CREATED:
		if (!d->mapping.translated)
			return (size_t)snprintf(buf, len,
						"The firewall opened a pinhole for %s %s towards %s, without translation: "
						"replies may come in until it expires, %.3f s after the last packet (%s).",
						t->l4, t->in, t->out, life_s, d->rfc);
		return (size_t)snprintf(buf, len,
					"New mapping %s -> %s for %s to %s: with %s mapping the NAT allocates an external "
					"port %s (%s).",
					t->m_in, t->m_ext, t->l4, t->out, t->mapping, key_phrase(d->mapping_behavior), d->rfc);
	case RTCLAB_NAT_MAPPING_REUSED:
		return (size_t)snprintf(buf, len,
					"Mapping %s -> %s reused for the new destination %s: with %s mapping the same "
					"external address and port serve it (%s).",
					t->m_in, t->m_ext, t->out, t->mapping, d->rfc);
	case RTCLAB_NAT_MAPPING_REFRESHED:
		return (size_t)snprintf(buf, len,
					"Mapping %s -> %s refreshed by this packet: it now expires %.3f s from now unless "
					"more traffic keeps it alive (%s).",
					t->m_in, t->m_ext, life_s, d->rfc);
	case RTCLAB_NAT_MAPPING_EXPIRED:
		if (d->reason == RTCLAB_NAT_R_FLUSHED)
			return (size_t)snprintf(buf, len,
						"Mapping %s -> %s dropped because the NAT lost all its mappings (rebinding): "
						"the next packet gets a new external port (%s).",
						t->m_in, t->m_ext, d->rfc);
		return (size_t)snprintf(buf, len,
					"Mapping %s -> %s expired, %.3f s after the last packet that refreshed it: "
					"packets to %s are now filtered and the next outbound one gets a new mapping (%s).",
					t->m_in, t->m_ext, life_s, t->m_ext, d->rfc);
	default:
		return 0;
	}
}

static size_t explain_filtered(const struct rtclab_nat_decision *d, const struct texts *t, char *buf, size_t len)
{
	switch (d->reason) {
	case RTCLAB_NAT_R_NO_MAPPING:
		return (size_t)snprintf(buf, len,
					"Inbound %s from %s to %s dropped: no mapping uses that external address and port, "
					"so the NAT does not know where to send it (%s).",
					t->l4, t->out, t->ext, d->rfc);
	case RTCLAB_NAT_R_ADDRESS_NOT_SENT:
		return (size_t)snprintf(buf, len,
					"Inbound %s from %s to %s dropped: with %s filtering only addresses that %s has sent "
					"to may answer, and it never sent to that address (%s).",
					t->l4, t->out, t->ext, t->filtering, t->m_in, d->rfc);
	case RTCLAB_NAT_R_PORT_NOT_SENT:
		return (size_t)snprintf(buf, len,
					"Inbound %s from %s to %s dropped: with %s filtering only the exact address and port "
					"that %s has sent to may answer; it has sent to that address, but never to that "
					"port (%s).",
					t->l4, t->out, t->ext, t->filtering, t->m_in, d->rfc);
	default:
		return 0;
	}
}

static size_t explain_drop(const struct rtclab_nat_decision *d, const struct texts *t, char *buf, size_t len)
{
	const char *why = "";
	switch (d->reason) {
	case RTCLAB_NAT_R_UDP_BLOCKED:
		why = d->firewall == RTCLAB_NAT_FW_TCP_443 ? "the firewall lets only TCP to port 443 through"
							  : "the firewall blocks all UDP";
		break;
	case RTCLAB_NAT_R_TCP_NOT_443:
		why = "the firewall lets TCP out only to port 443";
		break;
	case RTCLAB_NAT_R_TCP_NOT_OPENED:
		why = "the firewall passes TCP only on connections opened by a SYN from inside";
		break;
	case RTCLAB_NAT_R_NOT_ESTABLISHED:
		why = "the firewall lets TCP in only on connections opened from inside";
		break;
	case RTCLAB_NAT_R_NO_HAIRPIN:
		why = "it was sent to the NAT's own external address and this NAT does not hairpin";
		break;
	case RTCLAB_NAT_R_NO_PORT:
		why = "no external port is free in the NAT's range";
		break;
	case RTCLAB_NAT_R_TABLE_FULL:
		why = "the NAT's mapping table is full";
		break;
	case RTCLAB_NAT_R_FAMILY:
		why = "it is neither UDP nor TCP over one IP family";
		break;
	default:
		why = "of the NAT's policy";
		break;
	}
	bool inbound = d->inside.family == RTCLAB_FAMILY_NONE;
	return (size_t)snprintf(buf, len, "%s %s -> %s dropped: %s (%s).", t->l4, inbound ? t->out : t->in,
				inbound ? t->ext : t->out, why, d->rfc);
}

size_t rtclab_nat_decision_explain(const struct rtclab_nat_decision *d, char *buf, size_t len)
{
	struct texts t;
	fill_texts(d, &t);
	if (len > 0)
		buf[0] = '\0';
	switch (d->kind) {
	case RTCLAB_NAT_MAPPING_CREATED:
	case RTCLAB_NAT_MAPPING_REUSED:
	case RTCLAB_NAT_MAPPING_REFRESHED:
	case RTCLAB_NAT_MAPPING_EXPIRED:
		return explain_mapping(d, &t, buf, len);
	case RTCLAB_NAT_OUTBOUND_TRANSLATED:
		return (size_t)snprintf(buf, len, "Outbound %s %s -> %s leaves with its source rewritten to %s (%s).",
					t.l4, t.in, t.out, t.ext, d->rfc);
	case RTCLAB_NAT_INBOUND_TRANSLATED:
		return (size_t)snprintf(buf, len,
					"Inbound %s from %s to %s let in by %s filtering and forwarded to %s (%s).", t.l4,
					t.out, t.ext, t.filtering, t.in, d->rfc);
	case RTCLAB_NAT_OUTBOUND_FORWARDED:
		return (size_t)snprintf(buf, len, "Outbound %s %s -> %s passes without address translation (%s).",
					t.l4, t.in, t.out, d->rfc);
	case RTCLAB_NAT_INBOUND_FORWARDED:
		return (size_t)snprintf(buf, len, "Inbound %s %s -> %s passes without address translation (%s).",
					t.l4, t.out, t.ext, d->rfc);
	case RTCLAB_NAT_INBOUND_FILTERED:
		return explain_filtered(d, &t, buf, len);
	case RTCLAB_NAT_HAIRPINNED:
		return (size_t)snprintf(buf, len,
					"%s from %s to the NAT's own external address %s hairpinned back inside to %s, "
					"appearing to come from %s (%s).",
					t.l4, t.in, t.out, t.m_in,
					d->hairpin == RTCLAB_NAT_HAIRPIN_INTERNAL ? t.in : t.ext, d->rfc);
	case RTCLAB_NAT_FIREWALL_DROPPED:
	case RTCLAB_NAT_DROPPED:
		return explain_drop(d, &t, buf, len);
	}
	return 0;
}
