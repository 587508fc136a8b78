/* Private parts of the scenario parser shared by scenario.c (the document
 * walk), scenario_net.c (links, NATs, LANs, servers), scenario_peers.c
 * (peers and templates), scenario_script.c (script and expectations) and
 * scenario_values.c (times, presets, chains, names). */
#ifndef RTCLAB_SCENARIO_INTERNAL_H
#define RTCLAB_SCENARIO_INTERNAL_H

#include <yaml.h>

#include "rtclab/scenario.h"

#define RTCLAB_INTERNAL __attribute__((visibility("hidden")))

#if defined(__GNUC__)
#define RTCLAB_PRINTF_(f, a) __attribute__((format(printf, f, a)))
#else
#define RTCLAB_PRINTF_(f, a)
#endif

/* One peer entry before expansion: the yaml nodes that are resolved once
 * every peer exists. */
struct scn_pending {
	yaml_node_t *offer_to; /* scalar, or NULL */
};

struct scn_parser {
	yaml_document_t doc;
	struct rtclab_scenario *sc;
	unsigned char *claimed; /* per node: already walked (an alias points to it twice) */
	size_t n_nodes;
	size_t cap_lans, cap_peers, cap_pending, cap_servers, cap_events, cap_expects;
	struct scn_pending *pending; /* parallel to sc->peers */
	bool oom;
};

/* A key of a mapping and what reads its value into obj. */
typedef void (*scn_field_fn)(struct scn_parser *p, yaml_node_t *value, void *obj);
struct scn_field {
	const char *name;
	scn_field_fn fn;
};

RTCLAB_INTERNAL void rtclab_scn_problem_(struct scn_parser *p, enum rtclab_scn_error code, const yaml_node_t *at,
					 size_t offset, const char *fmt, ...) RTCLAB_PRINTF_(5, 6);
RTCLAB_INTERNAL void rtclab_scn_problem_line_(struct scn_parser *p, enum rtclab_scn_error code, uint32_t line,
					      uint32_t column, const char *fmt, ...) RTCLAB_PRINTF_(5, 6);
/* The node once (a second visit is an alias: a problem placed at near, as
 * libyaml keeps no place for an alias). */
RTCLAB_INTERNAL yaml_node_t *rtclab_scn_node_(struct scn_parser *p, yaml_node_item_t id, const yaml_node_t *near);
RTCLAB_INTERNAL bool rtclab_scn_expect_(struct scn_parser *p, yaml_node_t *n, yaml_node_type_t type, const char *what);
RTCLAB_INTERNAL uint64_t rtclab_scn_walk_(struct scn_parser *p, yaml_node_t *map, const struct scn_field *fields,
					  size_t n_fields, void *obj, const char *what);
RTCLAB_INTERNAL const char *rtclab_scn_string_(struct scn_parser *p, yaml_node_t *n, const char *what);
RTCLAB_INTERNAL char *rtclab_scn_strdup_(struct scn_parser *p, yaml_node_t *n, const char *what);
RTCLAB_INTERNAL bool rtclab_scn_bool_(struct scn_parser *p, yaml_node_t *n, bool *out);
RTCLAB_INTERNAL bool rtclab_scn_uint_(struct scn_parser *p, yaml_node_t *n, uint64_t max, uint64_t *out, const char *what);
RTCLAB_INTERNAL bool rtclab_scn_time_(struct scn_parser *p, yaml_node_t *n, rtclab_time_ns *out);
RTCLAB_INTERNAL bool rtclab_scn_ip_(struct scn_parser *p, yaml_node_t *n, struct rtclab_addr *out);
RTCLAB_INTERNAL int rtclab_scn_word_(struct scn_parser *p, yaml_node_t *n, const char *const *words, size_t n_words,
				     const char *what);
RTCLAB_INTERNAL bool rtclab_scn_grow_(struct scn_parser *p, void **arr, size_t *cap, size_t n, size_t elem);
RTCLAB_INTERNAL const char *rtclab_scn_closest_(const char *word, const char *const *names, size_t n);
RTCLAB_INTERNAL int rtclab_scn_cand_type_(const char *word);

/* scenario_net.c */
RTCLAB_INTERNAL void rtclab_scn_default_link_(struct scn_parser *p, yaml_node_t *n);
RTCLAB_INTERNAL void rtclab_scn_servers_(struct scn_parser *p, yaml_node_t *n);
RTCLAB_INTERNAL void rtclab_scn_lans_(struct scn_parser *p, yaml_node_t *n);
RTCLAB_INTERNAL size_t rtclab_scn_own_lan_(struct scn_parser *p, yaml_node_t *nat, const char *peer_name,
					   yaml_node_t *at);

/* scenario_peers.c */
RTCLAB_INTERNAL void rtclab_scn_peers_(struct scn_parser *p, yaml_node_t *n);
RTCLAB_INTERNAL void rtclab_scn_link_(struct scn_parser *p, yaml_node_t *n, struct rtclab_scn_link *link);

/* scenario_script.c */
RTCLAB_INTERNAL void rtclab_scn_script_(struct scn_parser *p, yaml_node_t *n);
RTCLAB_INTERNAL void rtclab_scn_expects_(struct scn_parser *p, yaml_node_t *n);

#define SCN_COUNT(a) (sizeof(a) / sizeof((a)[0]))

#endif
