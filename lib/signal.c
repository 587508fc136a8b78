/* Signaling recognition: SDP descriptions (RTCSessionDescriptionInit, W3C
 * webrtc 4.8.1; JSEP, RFC 9429 4.1.8) and ICE candidates
 * (RTCIceCandidateInit, W3C webrtc 4.8.2; trickle ICE, RFC 8838) found
 * anywhere in a JSON message, and application/sdp bodies (RFC 9725). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtclab/signal.h"

/* Depth of nesting walked; jansson itself stops at 2048. */
#define MAX_DEPTH 64

static enum rtclab_signal_kind sdp_type(const char *type)
{
	if (!type)
		return RTCLAB_SIGNAL_OTHER;
	if (strcmp(type, "offer") == 0)
		return RTCLAB_SIGNAL_OFFER;
	if (strcmp(type, "answer") == 0)
		return RTCLAB_SIGNAL_ANSWER;
	if (strcmp(type, "pranswer") == 0)
		return RTCLAB_SIGNAL_PRANSWER;
	if (strcmp(type, "rollback") == 0)
		return RTCLAB_SIGNAL_ROLLBACK;
	return RTCLAB_SIGNAL_OTHER;
}

static char *copy_bytes(const char *p, size_t n)
{
	char *s = malloc(n + 1);
	if (s) {
		if (n)
			memcpy(s, p, n);
		s[n] = '\0';
	}
	return s;
}

static struct rtclab_signal_item *add_item(struct rtclab_signal *s, enum rtclab_signal_kind kind, const char *path)
{
	s->n_items_total++;
	if (s->n_items == RTCLAB_SIGNAL_MAX_ITEMS)
		return NULL;
	struct rtclab_signal_item *it = &s->items[s->n_items++];
	memset(it, 0, sizeof *it);
	it->kind = kind;
	it->sdp_mline_index = -1;
	snprintf(it->path, sizeof it->path, "%s", path);
	return it;
}

static void set_sdp(struct rtclab_signal_item *it, const char *text, size_t len)
{
	it->sdp_text = copy_bytes(text, len);
	if (!it->sdp_text)
		return;
	it->sdp_len = len;
	it->sdp = rtclab_sdp_parse(it->sdp_text, len);
}

static void copy_str(char *dst, size_t cap, const char *src, size_t len)
{
	if (len >= cap)
		len = cap - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* An RTCIceCandidateInit: "candidate" and its companions. */
static void add_candidate(struct rtclab_signal *s, json_t *obj, const char *path)
{
	json_t *cand = json_object_get(obj, "candidate");
	const char *line = json_string_value(cand);
	size_t len = json_string_length(cand);
	bool end = json_is_null(cand) || (line && len == 0);
	struct rtclab_signal_item *it =
		add_item(s, end ? RTCLAB_SIGNAL_END_OF_CANDIDATES : RTCLAB_SIGNAL_CANDIDATE, path);
	if (!it)
		return;
	json_t *mid = json_object_get(obj, "sdpMid");
	if (json_is_string(mid)) {
		it->has_sdp_mid = true;
		copy_str(it->sdp_mid, sizeof it->sdp_mid, json_string_value(mid), json_string_length(mid));
	}
	json_t *index = json_object_get(obj, "sdpMLineIndex");
	if (json_is_integer(index) && json_integer_value(index) >= 0)
		it->sdp_mline_index = json_integer_value(index);
	json_t *ufrag = json_object_get(obj, "usernameFragment");
	if (json_is_string(ufrag)) {
		it->has_ufrag = true;
		copy_str(it->ufrag, sizeof it->ufrag, json_string_value(ufrag), json_string_length(ufrag));
	}
	if (end)
		return;
	it->candidate_text = copy_bytes(line, len);
	if (!it->candidate_text)
		return;
	it->candidate_len = len;
	it->cand_error = rtclab_candidate_parse(&it->candidate, it->candidate_text, len, &it->cand_column);
}

static void join_key(char *out, size_t cap, const char *path, const char *key)
{
	snprintf(out, cap, "%s%s%s", path, *path ? "." : "", key);
}

static void walk(struct rtclab_signal *s, json_t *v, const char *path, int depth)
{
	if (depth > MAX_DEPTH)
		return;
	char sub[RTCLAB_SIGNAL_PATH_MAX];
	if (json_is_array(v)) {
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e) {
			snprintf(sub, sizeof sub, "%s[%zu]", path, i);
			walk(s, e, sub, depth + 1);
		}
		return;
	}
	if (!json_is_object(v))
		return;
	enum rtclab_signal_kind kind = sdp_type(json_string_value(json_object_get(v, "type")));
	json_t *sdp = json_object_get(v, "sdp");
	if (kind == RTCLAB_SIGNAL_ROLLBACK || (kind != RTCLAB_SIGNAL_OTHER && json_is_string(sdp))) {
		struct rtclab_signal_item *it = add_item(s, kind, path);
		if (it && json_is_string(sdp))
			set_sdp(it, json_string_value(sdp), json_string_length(sdp));
		return;
	}
	json_t *cand = json_object_get(v, "candidate");
	if (json_is_string(cand) || (cand && json_is_null(cand))) {
		add_candidate(s, v, path);
		return;
	}
	const char *key;
	json_t *e;
	json_object_foreach(v, key, e) {
		join_key(sub, sizeof sub, path, key);
		walk(s, e, sub, depth + 1);
	}
}

struct rtclab_signal *rtclab_signal_parse(const char *text, size_t len)
{
	struct rtclab_signal *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	json_error_t err;
	s->json = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
	s->is_json = s->json != NULL;
	if (s->json)
		walk(s, s->json, "", 0);
	if (s->n_items_total == 0)
		add_item(s, RTCLAB_SIGNAL_OTHER, "");
	return s;
}

struct rtclab_signal *rtclab_signal_parse_sdp_body(const char *text, size_t len, enum rtclab_signal_kind kind)
{
	struct rtclab_signal *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	struct rtclab_signal_item *it = add_item(s, kind, "");
	if (kind != RTCLAB_SIGNAL_OTHER && kind != RTCLAB_SIGNAL_ROLLBACK)
		set_sdp(it, text, len);
	return s;
}

enum rtclab_signal_kind rtclab_signal_http_kind(bool is_request, struct rtclab_str method, int status)
{
	if (is_request)
		return rtclab_str_eq(method, "POST") || rtclab_str_eq(method, "PATCH") ? RTCLAB_SIGNAL_OFFER
										       : RTCLAB_SIGNAL_OTHER;
	return status == 201 || status == 200 ? RTCLAB_SIGNAL_ANSWER : RTCLAB_SIGNAL_OTHER;
}

void rtclab_signal_free(struct rtclab_signal *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_items; i++) {
		rtclab_sdp_free(s->items[i].sdp);
		free(s->items[i].sdp_text);
		free(s->items[i].candidate_text);
	}
	json_decref(s->json);
	free(s);
}

const char *rtclab_signal_kind_name(enum rtclab_signal_kind k)
{
	switch (k) {
	case RTCLAB_SIGNAL_OFFER:
		return "offer";
	case RTCLAB_SIGNAL_ANSWER:
		return "answer";
	case RTCLAB_SIGNAL_PRANSWER:
		return "pranswer";
	case RTCLAB_SIGNAL_ROLLBACK:
		return "rollback";
	case RTCLAB_SIGNAL_CANDIDATE:
		return "candidate";
	case RTCLAB_SIGNAL_END_OF_CANDIDATES:
		return "end-of-candidates";
	case RTCLAB_SIGNAL_OTHER:
		break;
	}
	return "other";
}
