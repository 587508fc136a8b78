/* Private parts of the SDP parser shared by sdp.c, sdp_attr.c and sdp_lint.c. */
#ifndef RTCLAB_SDP_INTERNAL_H
#define RTCLAB_SDP_INTERNAL_H

#include "rtclab/sdp.h"

/* Library-internal: not exported from librtclab.so. */
#define RTCLAB_INTERNAL __attribute__((visibility("hidden")))

#if defined(__GNUC__)
#define RTCLAB_PRINTF_(f, a) __attribute__((format(printf, f, a)))
#else
#define RTCLAB_PRINTF_(f, a)
#endif

struct sdp_parser {
	struct rtclab_sdp *sdp;
	int section;      /* -1 while at session level */
	int last_rank;    /* line-order position of the previous line */
	char last_type;
	bool seen_v, seen_o, seen_s, seen_t, seen_first;
	bool oom;
	size_t cap_media, cap_formats, cap_codecs, cap_fbs, cap_candidates, cap_candidate_lines, cap_groups, cap_group_mids, cap_problems;
	/* Duplicate detection: the line of the attribute seen in this section. */
	uint32_t seen_attr[RTCLAB_SDP_ATTR_COUNT_];
	int seen_attr_section;
	bool session_end_of_candidates;
};

RTCLAB_INTERNAL bool rtclab_sdp_grow_(void **arr, size_t *cap, size_t n, size_t elem);
RTCLAB_INTERNAL void rtclab_sdp_problem_(struct sdp_parser *p, enum rtclab_sdp_problem_code code, uint32_t line, uint32_t column,
			 bool warning, const char *fmt, ...) RTCLAB_PRINTF_(6, 7);
RTCLAB_INTERNAL struct rtclab_str rtclab_str_make_(const char *p, size_t n);
RTCLAB_INTERNAL bool rtclab_sdp_field_(struct rtclab_str *rest, struct rtclab_str *field);
RTCLAB_INTERNAL bool rtclab_sdp_number_(struct rtclab_str s, uint64_t max, uint64_t *out);
RTCLAB_INTERNAL uint32_t rtclab_sdp_column_(const struct rtclab_sdp_line *l, const char *at);
RTCLAB_INTERNAL void rtclab_sdp_check_addrtype_(struct sdp_parser *p, const struct rtclab_sdp_line *l, struct rtclab_str nettype,
				struct rtclab_str addrtype, struct rtclab_str address);
RTCLAB_INTERNAL void rtclab_sdp_parse_attr_(struct sdp_parser *p, struct rtclab_sdp_line *l);
RTCLAB_INTERNAL void rtclab_sdp_check_sections_(struct sdp_parser *p);
RTCLAB_INTERNAL void rtclab_sdp_finish_section_(struct sdp_parser *p);

#endif
