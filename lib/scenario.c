/* Scenario files: YAML through libyaml's document loader, walked key by key
 * with a table of fields per mapping.  This file holds the walk helpers,
 * the top level, rtclab_scenario_parse() and rtclab_scenario_free(). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_internal.h"

/* --- problems ---------------------------------------------------------------------- */

static void add_problem(struct scn_parser *p, enum rtclab_scn_error code, uint32_t line, uint32_t column,
			const char *fmt, va_list ap) RTCLAB_PRINTF_(5, 0);
static void add_problem(struct scn_parser *p, enum rtclab_scn_error code, uint32_t line, uint32_t column,
			const char *fmt, va_list ap)
{
	struct rtclab_scenario *sc = p->sc;
	if (sc->n_problems == RTCLAB_SCN_MAX_PROBLEMS) {
		sc->n_problems_dropped++;
		return;
	}
	struct rtclab_scn_problem *pr = &sc->problems[sc->n_problems++];
	pr->code = code;
	pr->line = line;
	pr->column = column;
	vsnprintf(pr->message, sizeof pr->message, fmt, ap);
}

/* libyaml's marks are 0-based; ours are 1-based.  offset: bytes into a
 * scalar's text (past its opening quote). */
void rtclab_scn_problem_(struct scn_parser *p, enum rtclab_scn_error code, const yaml_node_t *at, size_t offset,
			 const char *fmt, ...)
{
	uint32_t line = 0, column = 0;
	if (at) {
		line = (uint32_t)at->start_mark.line + 1;
		column = (uint32_t)(at->start_mark.column + 1 + offset);
		if (offset && at->type == YAML_SCALAR_NODE && at->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
			column++;
	}
	va_list ap;
	va_start(ap, fmt);
	add_problem(p, code, line, column, fmt, ap);
	va_end(ap);
}

void rtclab_scn_problem_line_(struct scn_parser *p, enum rtclab_scn_error code, uint32_t line, uint32_t column,
			      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add_problem(p, code, line, column, fmt, ap);
	va_end(ap);
}

static void problem_at(struct scn_parser *p, enum rtclab_scn_error code, yaml_mark_t mark, const char *fmt, ...)
	RTCLAB_PRINTF_(4, 5);
static void problem_at(struct scn_parser *p, enum rtclab_scn_error code, yaml_mark_t mark, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add_problem(p, code, (uint32_t)mark.line + 1, (uint32_t)mark.column + 1, fmt, ap);
	va_end(ap);
}

bool rtclab_scn_grow_(struct scn_parser *p, void **arr, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return true;
	size_t want = *cap ? *cap * 2 : 8;
	void *q = realloc(*arr, want * elem);
	if (!q) {
		p->oom = true;
		return false;
	}
	memset((char *)q + *cap * elem, 0, (want - *cap) * elem);
	*arr = q;
	*cap = want;
	return true;
}

/* --- nodes ------------------------------------------------------------------------- */

/* A node by id, once: a node reached a second time came through an alias
 * (libyaml shares the anchored node), which the format does not allow. */
yaml_node_t *rtclab_scn_node_(struct scn_parser *p, yaml_node_item_t id, const yaml_node_t *near)
{
	yaml_node_t *n = yaml_document_get_node(&p->doc, id);
	if (!n)
		return NULL;
	size_t i = (size_t)(id - 1);
	if (p->claimed[i]) {
		rtclab_scn_problem_(p, RTCLAB_SCN_E_ALIAS, near, 0,
				    "a YAML alias repeats the node of line %lu; write the value out instead",
				    (unsigned long)n->start_mark.line + 1);
		return NULL;
	}
	p->claimed[i] = 1;
	return n;
}

static const char *type_word(yaml_node_type_t t)
{
	switch (t) {
	case YAML_SCALAR_NODE:
		return "a single value";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a mapping of keys";
	default:
		return "nothing";
	}
}

bool rtclab_scn_expect_(struct scn_parser *p, yaml_node_t *n, yaml_node_type_t type, const char *what)
{
	if (n->type == type)
		return true;
	rtclab_scn_problem_(p, RTCLAB_SCN_E_TYPE, n, 0, "%s: expected %s, found %s", what, type_word(type),
			    type_word(n->type));
	return false;
}

static void unknown_key(struct scn_parser *p, yaml_node_t *key, const char *name, const struct scn_field *fields,
			size_t n_fields, const char *what)
{
	const char *names[40];
	char list[400] = "";
	size_t n = n_fields < SCN_COUNT(names) ? n_fields : SCN_COUNT(names), used = 0;
	for (size_t i = 0; i < n; i++) {
		names[i] = fields[i].name;
		int w = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", names[i]);
		if (w > 0 && (size_t)w < sizeof list - used)
			used += (size_t)w;
	}
	const char *near = rtclab_scn_closest_(name, names, n);
	if (near)
		rtclab_scn_problem_(p, RTCLAB_SCN_E_UNKNOWN_KEY, key, 0, "unknown key '%s' in %s (did you mean '%s'?)",
				    name, what, near);
	else
		rtclab_scn_problem_(p, RTCLAB_SCN_E_UNKNOWN_KEY, key, 0, "unknown key '%s' in %s; expected one of: %s",
				    name, what, list);
}

/* Each key through its field's function; returns the bit set of the fields
 * seen (field i is bit i). */
uint64_t rtclab_scn_walk_(struct scn_parser *p, yaml_node_t *map, const struct scn_field *fields, size_t n_fields,
			  void *obj, const char *what)
{
	uint64_t seen = 0;
	if (!rtclab_scn_expect_(p, map, YAML_MAPPING_NODE, what))
		return 0;
	for (yaml_node_pair_t *pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *key = rtclab_scn_node_(p, pair->key, map), *value = rtclab_scn_node_(p, pair->value, key);
		if (!key || !value)
			continue;
		const char *name = rtclab_scn_string_(p, key, "a key");
		if (!name)
			continue;
		size_t i = 0;
		while (i < n_fields && strcmp(fields[i].name, name) != 0)
			i++;
		if (i == n_fields) {
			unknown_key(p, key, name, fields, n_fields, what);
		} else if (seen & (1ull << i)) {
			rtclab_scn_problem_(p, RTCLAB_SCN_E_DUPLICATE_KEY, key, 0, "'%s' given twice in %s", name, what);
		} else {
			seen |= 1ull << i;
			fields[i].fn(p, value, obj);
		}
	}
	return seen;
}

/* --- scalars ----------------------------------------------------------------------- */

const char *rtclab_scn_string_(struct scn_parser *p, yaml_node_t *n, const char *what)
{
	if (!rtclab_scn_expect_(p, n, YAML_SCALAR_NODE, what))
		return NULL;
	const char *s = (const char *)n->data.scalar.value;
	if (strlen(s) != n->data.scalar.length) {
		rtclab_scn_problem_(p, RTCLAB_SCN_E_BAD_VALUE, n, 0, "%s: a NUL character is not allowed", what);
		return NULL;
	}
	return s;
}

char *rtclab_scn_strdup_(struct scn_parser *p, yaml_node_t *n, const char *what)
{
	const char *s = rtclab_scn_string_(p, n, what);
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		p->oom = true;
	return d;
}

bool rtclab_scn_bool_(struct scn_parser *p, yaml_node_t *n, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on"}, *const no[] = {"false", "no", "off"};
	const char *s = rtclab_scn_string_(p, n, "a yes/no setting");
	if (!s)
		return false;
	for (size_t i = 0; i < SCN_COUNT(yes); i++) {
		if (strcmp(s, yes[i]) == 0 || strcmp(s, no[i]) == 0) {
			*out = strcmp(s, yes[i]) == 0;
			return true;
		}
	}
	rtclab_scn_problem_(p, RTCLAB_SCN_E_TYPE, n, 0, "'%s': expected true or false", s);
	return false;
}

bool rtclab_scn_uint_(struct scn_parser *p, yaml_node_t *n, uint64_t max, uint64_t *out, const char *what)
{
	const char *s = rtclab_scn_string_(p, n, what);
	if (!s)
		return false;
	uint64_t v = 0;
	bool ok = *s != '\0';
	int base = 10;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && s[2] != '\0') {
		base = 16;
		s += 2;
	}
	for (; ok && *s; s++) {
		int d = (*s >= '0' && *s <= '9') ? *s - '0'
			: (base == 16 && *s >= 'a' && *s <= 'f') ? *s - 'a' + 10
			: (base == 16 && *s >= 'A' && *s <= 'F') ? *s - 'A' + 10
								  : -1;
		if (d < 0 || v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			ok = false;
		else
			v = v * (uint64_t)base + (uint64_t)d;
	}
	if (!ok || v > max) {
		rtclab_scn_problem_(p, RTCLAB_SCN_E_BAD_NUMBER, n, 0, "%s: '%s' is not a whole number from 0 to %llu",
				    what, (const char *)n->data.scalar.value, (unsigned long long)max);
		return false;
	}
	*out = v;
	return true;
}

bool rtclab_scn_time_(struct scn_parser *p, yaml_node_t *n, rtclab_time_ns *out)
{
	const char *s = rtclab_scn_string_(p, n, "a time");
	if (!s)
		return false;
	if (rtclab_scn_time_parse(s, out))
		return true;
	rtclab_scn_problem_(p, RTCLAB_SCN_E_BAD_TIME, n, 0,
			    "'%s' is not a time: expected a number with a unit ms, s or min (250ms, 1.5s, 2min), at most 1440min",
			    s);
	return false;
}

bool rtclab_scn_ip_(struct scn_parser *p, yaml_node_t *n, struct rtclab_addr *out)
{
	const char *s = rtclab_scn_string_(p, n, "an address");
	if (!s)
		return false;
	if (rtclab_addr_ip_parse(out, s)) {
		out->port = 0;
		return true;
	}
	rtclab_scn_problem_(p, RTCLAB_SCN_E_BAD_ADDRESS, n, 0,
			    "'%s' is not an IP address: expected IPv4 (192.0.2.1) or IPv6 (2001:db8::1), without a port", s);
	return false;
}

/* One of words[]; returns its index or -1 (with a problem naming them). */
int rtclab_scn_word_(struct scn_parser *p, yaml_node_t *n, const char *const *words, size_t n_words, const char *what)
{
	const char *s = rtclab_scn_string_(p, n, what);
	if (!s)
		return -1;
	for (size_t i = 0; i < n_words; i++)
		if (strcmp(s, words[i]) == 0)
			return (int)i;
	char list[300] = "";
	size_t used = 0;
	for (size_t i = 0; i < n_words; i++) {
		int w = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", words[i]);
		if (w > 0 && (size_t)w < sizeof list - used)
			used += (size_t)w;
	}
	const char *near = rtclab_scn_closest_(s, words, n_words);
	if (near)
		rtclab_scn_problem_(p, RTCLAB_SCN_E_BAD_VALUE, n, 0, "%s: '%s' is not one of: %s (did you mean '%s'?)",
				    what, s, list, near);
	else
		rtclab_scn_problem_(p, RTCLAB_SCN_E_BAD_VALUE, n, 0, "%s: '%s' is not one of: %s", what, s, list);
	return -1;
}

/* --- the top level ----------------------------------------------------------------- */

/* The top-level values, read in the order that lets names resolve. */
struct top {
	yaml_node_t *link, *servers, *lans, *peers, *script, *expect;
};

static void f_name(struct scn_parser *p, yaml_node_t *v, void *o)
{
	(void)o;
	p->sc->name = rtclab_scn_strdup_(p, v, "name");
}
static void f_description(struct scn_parser *p, yaml_node_t *v, void *o)
{
	(void)o;
	p->sc->description = rtclab_scn_strdup_(p, v, "description");
}
static void f_seed(struct scn_parser *p, yaml_node_t *v, void *o)
{
	(void)o;
	rtclab_scn_uint_(p, v, UINT64_MAX, &p->sc->seed, "seed");
}
static void f_duration(struct scn_parser *p, yaml_node_t *v, void *o)
{
	(void)o;
	rtclab_time_ns t;
	if (!rtclab_scn_time_(p, v, &t))
		return;
	if (t == 0)
		rtclab_scn_problem_(p, RTCLAB_SCN_E_BAD_TIME, v, 0, "duration: expected a time above 0");
	else
		p->sc->duration = t;
}
#define TOP_FIELD(x)                                                           \
	static void f_##x(struct scn_parser *p, yaml_node_t *v, void *o)     \
	{                                                                      \
		(void)p;                                                       \
		((struct top *)o)->x = v;                                      \
	}
TOP_FIELD(link)
TOP_FIELD(servers)
TOP_FIELD(lans)
TOP_FIELD(peers)
TOP_FIELD(script)
TOP_FIELD(expect)

static const struct scn_field top_fields[] = {
	{"name", f_name},       {"description", f_description}, {"seed", f_seed},   {"duration", f_duration},
	{"link", f_link},       {"servers", f_servers},         {"lans", f_lans},   {"peers", f_peers},
	{"script", f_script},   {"expect", f_expect},
};

static void walk_top(struct scn_parser *p, yaml_node_t *root)
{
	struct top t = {0};
	uint64_t seen = rtclab_scn_walk_(p, root, top_fields, SCN_COUNT(top_fields), &t, "the scenario");
	if (root->type != YAML_MAPPING_NODE)
		return;
	static const char *const required[] = {"name", "description", "peers", "expect"};
	for (size_t i = 0; i < SCN_COUNT(required); i++) {
		size_t f = 0;
		while (strcmp(top_fields[f].name, required[i]) != 0)
			f++;
		if (!(seen & (1ull << f)))
			rtclab_scn_problem_(p, RTCLAB_SCN_E_MISSING_KEY, root, 0, "the scenario has no '%s'",
					    required[i]);
	}
	if (t.link)
		rtclab_scn_default_link_(p, t.link);
	rtclab_scn_servers_(p, t.servers); /* also when absent: the default signaling server */
	if (t.lans)
		rtclab_scn_lans_(p, t.lans);
	if (t.peers)
		rtclab_scn_peers_(p, t.peers);
	if (t.script)
		rtclab_scn_script_(p, t.script);
	if (t.expect)
		rtclab_scn_expects_(p, t.expect);
}

/* --- parse, free ------------------------------------------------------------------- */

static void defaults(struct rtclab_scenario *sc)
{
	sc->seed = 1;
	sc->duration = RTCLAB_SEC(60);
	sc->default_link.up.latency = sc->default_link.down.latency = RTCLAB_MS(10);
	sc->signaling = RTCLAB_SCN_NONE;
}

static void load(struct scn_parser *p, const char *text, size_t len)
{
	yaml_parser_t yp;
	if (!yaml_parser_initialize(&yp)) {
		p->oom = true;
		return;
	}
	yaml_parser_set_input_string(&yp, (const unsigned char *)text, len);
	if (!yaml_parser_load(&yp, &p->doc)) {
		if (yp.error == YAML_MEMORY_ERROR)
			p->oom = true;
		else
			problem_at(p, RTCLAB_SCN_E_YAML, yp.problem_mark, "YAML: %s%s%s",
				   yp.problem ? yp.problem : "syntax error", yp.context ? " " : "",
				   yp.context ? yp.context : "");
		memset(&p->doc, 0, sizeof p->doc);
		yaml_parser_delete(&yp);
		return;
	}
	yaml_node_t *root = yaml_document_get_root_node(&p->doc);
	if (!root) {
		rtclab_scn_problem_(p, RTCLAB_SCN_E_MISSING_KEY, NULL, 0, "the file is empty");
	} else {
		p->n_nodes = (size_t)(p->doc.nodes.top - p->doc.nodes.start);
		p->claimed = calloc(p->n_nodes, 1);
		if (!p->claimed)
			p->oom = true;
		else
			walk_top(p, rtclab_scn_node_(p, 1, NULL));
	}
	yaml_document_delete(&p->doc);
	yaml_parser_delete(&yp);
}

struct rtclab_scenario *rtclab_scenario_parse(const char *text, size_t len)
{
	struct scn_parser p = {0};
	p.sc = calloc(1, sizeof *p.sc);
	if (!p.sc)
		return NULL;
	p.sc->problems = calloc(RTCLAB_SCN_MAX_PROBLEMS, sizeof *p.sc->problems);
	if (!p.sc->problems) {
		free(p.sc);
		return NULL;
	}
	defaults(p.sc);
	load(&p, text, len);
	free(p.claimed);
	free(p.pending);
	if (p.oom) {
		rtclab_scenario_free(p.sc);
		return NULL;
	}
	return p.sc;
}

static void free_server(struct rtclab_scn_server *s)
{
	free(s->name);
	free(s->realm);
	for (size_t i = 0; i < s->n_users; i++) {
		free(s->users[i].username);
		free(s->users[i].password);
	}
	free(s->users);
}

static void free_peer(struct rtclab_scn_peer *pe)
{
	free(pe->name);
	free(pe->template_name);
	for (size_t i = 0; i < pe->n_turn; i++) {
		free(pe->turn[i].username);
		free(pe->turn[i].password);
	}
}

void rtclab_scenario_free(struct rtclab_scenario *sc)
{
	if (!sc)
		return;
	for (size_t i = 0; i < sc->n_lans; i++)
		free(sc->lans[i].name);
	for (size_t i = 0; i < sc->n_peers; i++)
		free_peer(&sc->peers[i]);
	for (size_t i = 0; i < sc->n_servers; i++)
		free_server(&sc->servers[i]);
	for (size_t i = 0; i < sc->n_expects; i++) {
		free(sc->expects[i].reason);
		free(sc->expects[i].why);
	}
	free(sc->name);
	free(sc->description);
	free(sc->lans);
	free(sc->peers);
	free(sc->servers);
	free(sc->events);
	free(sc->expects);
	free(sc->problems);
	free(sc);
}

size_t rtclab_scenario_peer(const struct rtclab_scenario *sc, const char *name)
{
	for (size_t i = 0; i < sc->n_peers; i++)
		if (strcmp(sc->peers[i].name, name) == 0)
			return i;
	return RTCLAB_SCN_NONE;
}

size_t rtclab_scenario_server(const struct rtclab_scenario *sc, const char *name)
{
	for (size_t i = 0; i < sc->n_servers; i++)
		if (strcmp(sc->servers[i].name, name) == 0)
			return i;
	return RTCLAB_SCN_NONE;
}
