/* Scenario values that need no YAML: error names, times, NAT presets and
 * chains, the names of the enums, "did you mean". */
#include <stdio.h>
#include <string.h>

#include "rtclab/nat.h"
#include "scenario_internal.h"

/* --- errors ------------------------------------------------------------------------ */

static const struct {
	const char *name, *text;
} errors[] = {
	[RTCLAB_SCN_OK] = {"ok", "no problem"},
	[RTCLAB_SCN_E_YAML] = {"yaml", "not well-formed YAML"},
	[RTCLAB_SCN_E_TYPE] = {"type", "wrong type"},
	[RTCLAB_SCN_E_UNKNOWN_KEY] = {"unknown-key", "unknown key"},
	[RTCLAB_SCN_E_DUPLICATE_KEY] = {"duplicate-key", "key given twice"},
	[RTCLAB_SCN_E_MISSING_KEY] = {"missing-key", "required key missing"},
	[RTCLAB_SCN_E_BAD_VALUE] = {"bad-value", "value not allowed here"},
	[RTCLAB_SCN_E_BAD_NUMBER] = {"bad-number", "bad number"},
	[RTCLAB_SCN_E_BAD_TIME] = {"bad-time", "bad time"},
	[RTCLAB_SCN_E_BAD_ADDRESS] = {"bad-address", "bad IP address"},
	[RTCLAB_SCN_E_UNKNOWN_PRESET] = {"unknown-preset", "unknown NAT preset"},
	[RTCLAB_SCN_E_BAD_CHAIN] = {"bad-chain", "bad NAT chain"},
	[RTCLAB_SCN_E_DUPLICATE_NAME] = {"duplicate-name", "name or address used twice"},
	[RTCLAB_SCN_E_UNKNOWN_REF] = {"unknown-ref", "refers to nothing"},
	[RTCLAB_SCN_E_BAD_REF] = {"bad-ref", "refers to the wrong kind of thing"},
	[RTCLAB_SCN_E_CONFLICT] = {"conflict", "settings that contradict each other"},
	[RTCLAB_SCN_E_ALIAS] = {"alias", "YAML alias not supported"},
	[RTCLAB_SCN_E_LIMIT] = {"limit", "over a limit"},
	[RTCLAB_SCN_E_NO_MEMORY] = {"no-memory", "out of memory"},
};

const char *rtclab_scn_error_name(enum rtclab_scn_error e)
{
	return (size_t)e < SCN_COUNT(errors) ? errors[e].name : "unknown";
}

const char *rtclab_scn_error_text(enum rtclab_scn_error e)
{
	return (size_t)e < SCN_COUNT(errors) ? errors[e].text : "unknown problem";
}

size_t rtclab_scn_problem_format(const struct rtclab_scn_problem *p, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%u:%u: %s", p->line, p->column, p->message);
	return n < 0 ? 0 : (size_t)n;
}

/* --- times ------------------------------------------------------------------------- */

static const struct {
	const char *unit;
	rtclab_time_ns ns;
} units[] = {{"ms", RTCLAB_MS(1)}, {"s", RTCLAB_SEC(1)}, {"min", RTCLAB_SEC(60)}};

/* Digits, an optional fraction, optional spaces, a unit; "0" alone. */
bool rtclab_scn_time_parse(const char *text, rtclab_time_ns *out)
{
	const char *s = text;
	uint64_t whole = 0, frac = 0, frac_scale = 1;
	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		whole = whole * 10 + (uint64_t)(*s - '0');
		if (whole > 86400000)
			return false; /* above the limit in any unit */
	}
	if (*s == '.') {
		if (*++s < '0' || *s > '9')
			return false;
		for (; *s >= '0' && *s <= '9'; s++) {
			if (frac_scale >= 1000000000000ull)
				return false; /* more digits than nanoseconds need */
			frac = frac * 10 + (uint64_t)(*s - '0');
			frac_scale *= 10;
		}
	}
	while (*s == ' ')
		s++;
	if (*s == '\0') {
		if (whole != 0 || frac != 0)
			return false; /* a number without a unit: 5 what? */
		*out = 0;
		return true;
	}
	for (size_t i = 0; i < SCN_COUNT(units); i++) {
		if (strcmp(s, units[i].unit) != 0)
			continue;
		uint64_t ns = (uint64_t)units[i].ns;
		if (frac * ns % frac_scale != 0)
			return false; /* finer than a nanosecond */
		uint64_t t = whole * ns + frac * ns / frac_scale;
		if (t > (uint64_t)RTCLAB_SCN_TIME_MAX)
			return false;
		*out = (rtclab_time_ns)t;
		return true;
	}
	return false;
}

size_t rtclab_scn_time_format(rtclab_time_ns t, char *buf, size_t len)
{
	int n;
	if (t == 0)
		n = snprintf(buf, len, "0");
	else if (t % RTCLAB_SEC(60) == 0)
		n = snprintf(buf, len, "%lldmin", (long long)(t / RTCLAB_SEC(60)));
	else if (t % RTCLAB_SEC(1) == 0)
		n = snprintf(buf, len, "%llds", (long long)(t / RTCLAB_SEC(1)));
	else if (t % RTCLAB_MS(1) == 0)
		n = snprintf(buf, len, "%lldms", (long long)(t / RTCLAB_MS(1)));
	else {
		/* a fraction of a millisecond: six decimals, trailing zeros cut */
		char frac[8];
		snprintf(frac, sizeof frac, "%06lld", (long long)(t % RTCLAB_MS(1)));
		size_t f = strlen(frac);
		while (f > 0 && frac[f - 1] == '0')
			frac[--f] = '\0';
		n = snprintf(buf, len, "%lld.%sms", (long long)(t / RTCLAB_MS(1)), frac);
	}
	return n < 0 ? 0 : (size_t)n;
}

/* --- names ------------------------------------------------------------------------- */

const char *rtclab_scn_mapping_name(enum rtclab_scn_mapping m)
{
	static const char *const n[] = {"eim", "adm", "apdm"};
	return (size_t)m < SCN_COUNT(n) ? n[m] : "?";
}

const char *rtclab_scn_filtering_name(enum rtclab_scn_filtering f)
{
	static const char *const n[] = {"eif", "adf", "apdf"};
	return (size_t)f < SCN_COUNT(n) ? n[f] : "?";
}

const char *rtclab_scn_ports_name(enum rtclab_scn_ports p)
{
	static const char *const n[] = {"preserve", "sequential", "random"};
	return (size_t)p < SCN_COUNT(n) ? n[p] : "?";
}

const char *rtclab_scn_firewall_name(enum rtclab_scn_firewall f)
{
	static const char *const n[] = {"none", "block-udp", "only-tcp-443"};
	return (size_t)f < SCN_COUNT(n) ? n[f] : "?";
}

const char *rtclab_scn_server_type_name(enum rtclab_scn_server_type t)
{
	static const char *const n[] = {"stun", "turn", "signaling"};
	return (size_t)t < SCN_COUNT(n) ? n[t] : "?";
}

const char *rtclab_scn_event_name(enum rtclab_scn_event_kind k)
{
	static const char *const n[] = {"nat-rebind",     "link-down",      "link-up",  "ice-restart",
					"turn-expire",    "address-change", "peer-stop"};
	return (size_t)k < SCN_COUNT(n) ? n[k] : "?";
}

int rtclab_scn_cand_type_(const char *word)
{
	static const char *const n[] = {"host", "srflx", "prflx", "relay"};
	for (size_t i = 0; i < SCN_COUNT(n); i++)
		if (strcmp(word, n[i]) == 0)
			return (int)i; /* the order of enum rtclab_cand_type */
	return -1;
}

/* The scenario's enums are the NAT model's, value for value. */
_Static_assert((int)RTCLAB_SCN_EIM == (int)RTCLAB_NAT_EI && (int)RTCLAB_SCN_ADM == (int)RTCLAB_NAT_AD &&
		       (int)RTCLAB_SCN_APDM == (int)RTCLAB_NAT_APD,
	       "mapping behaviours");
_Static_assert((int)RTCLAB_SCN_PORTS_PRESERVE == (int)RTCLAB_NAT_PORT_PRESERVE &&
		       (int)RTCLAB_SCN_PORTS_SEQUENTIAL == (int)RTCLAB_NAT_PORT_SEQUENTIAL &&
		       (int)RTCLAB_SCN_PORTS_RANDOM == (int)RTCLAB_NAT_PORT_RANDOM,
	       "port assignment");
_Static_assert((int)RTCLAB_SCN_FW_NONE == (int)RTCLAB_NAT_FW_NONE && (int)RTCLAB_SCN_FW_BLOCK_UDP == (int)RTCLAB_NAT_FW_BLOCK_UDP &&
		       (int)RTCLAB_SCN_FW_ONLY_TCP_443 == (int)RTCLAB_NAT_FW_TCP_443,
	       "firewalls");

/* --- NAT presets ------------------------------------------------------------------- */

const char *rtclab_scn_preset_list(void)
{
	return "open, full-cone, restricted-cone, port-restricted-cone, symmetric, linux, "
	       "or <mapping>-<filtering> with mapping eim, adm or apdm and filtering eif, adf or apdf (eim-adf)";
}

static bool word_is(const char *s, size_t len, const char *w)
{
	return strlen(w) == len && memcmp(s, w, len) == 0;
}

/* The presets are the NAT model's (lib/nat_info.c), so that a scenario and
 * `rtclab nat-matrix` mean the same thing by a name: behaviours as their
 * names say, sequential ports from 49152, a 5-minute UDP timer refreshed
 * by outbound packets (RFC 4787 REQ-5, REQ-6), hairpinning presenting the
 * sender's external address (REQ-9); "linux" keeps the source port and
 * does not hairpin.  "open" is no NAT at all: the empty chain. */
bool rtclab_scn_nat_preset(const char *name, size_t len, struct rtclab_scn_nat *out)
{
	char buf[sizeof out->preset];
	struct rtclab_nat_config cfg;
	if (len >= sizeof buf || memchr(name, '\0', len) || word_is(name, len, "open"))
		return false;
	memcpy(buf, name, len);
	buf[len] = '\0';
	if (rtclab_nat_config_from_name(buf, &cfg) != RTCLAB_NAT_OK || !cfg.translate)
		return false;
	memset(out, 0, sizeof *out);
	memcpy(out->preset, buf, len + 1);
	out->mapping = (enum rtclab_scn_mapping)cfg.mapping;
	out->filtering = (enum rtclab_scn_filtering)cfg.filtering;
	out->ports = (enum rtclab_scn_ports)cfg.port_alloc;
	out->parity = cfg.port_parity;
	out->hairpinning = cfg.hairpin != RTCLAB_NAT_HAIRPIN_OFF;
	out->inbound_refresh = cfg.inbound_refresh;
	out->mapping_lifetime = cfg.udp_lifetime;
	return true;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

enum rtclab_scn_error rtclab_scn_nat_chain_parse(const char *text, size_t len, struct rtclab_scn_nat *out,
						 size_t max, size_t *n, size_t *err_offset)
{
	size_t start = 0, count = 0;
	*n = 0;
	*err_offset = 0;
	for (;;) {
		size_t end = start;
		while (end < len && text[end] != '/')
			end++;
		size_t a = start, b = end;
		while (a < b && is_space(text[a]))
			a++;
		while (b > a && is_space(text[b - 1]))
			b--;
		*err_offset = a;
		if (a == b)
			return RTCLAB_SCN_E_BAD_CHAIN; /* "symmetric//full-cone", "" */
		if (word_is(text + a, b - a, "open")) {
			if (start != 0 || end != len)
				return RTCLAB_SCN_E_BAD_CHAIN; /* open is no NAT: alone or not at all */
		} else if (count == max) {
			return RTCLAB_SCN_E_LIMIT;
		} else if (!rtclab_scn_nat_preset(text + a, b - a, &out[count++])) {
			return RTCLAB_SCN_E_UNKNOWN_PRESET;
		}
		if (end == len)
			break;
		start = end + 1;
	}
	*n = count;
	*err_offset = 0;
	return RTCLAB_SCN_OK;
}

/* --- did you mean ------------------------------------------------------------------ */

/* Optimal string alignment distance: insertions, deletions, substitutions
 * and swaps of two neighbours ("lsos" is one edit from "loss"). */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), d[33][33];
	if (la > 32 || lb > 32)
		return SIZE_MAX;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[la][lb];
}

/* The name at edit distance 1 or 2 (1 for words of four letters or fewer),
 * or NULL. */
const char *rtclab_scn_closest_(const char *word, const char *const *names, size_t n)
{
	const char *best = NULL;
	size_t best_d = strlen(word) <= 4 ? 2 : 3;
	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(word, names[i]);
		if (d < best_d) {
			best_d = d;
			best = names[i];
		}
	}
	return best;
}
