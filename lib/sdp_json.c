/* An SDP description as JSON (docs/json.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtclab/candidate_json.h"
#include "rtclab/sdp_json.h"


/* Text as a JSON string; bytes that are not UTF-8 written as \\xNN so that
 * nothing is lost (jansson refuses invalid UTF-8). */
static json_t *str_json(struct rtclab_str s)
{
	if (s.len == 0)
		return json_string("");
	if (rtclab_utf8_valid(s.ptr, s.len))
		return json_stringn(s.ptr, s.len);
	char *esc = malloc(4 * s.len + 1);
	if (!esc)
		return json_null();
	size_t k = 0;
	for (size_t i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.ptr[i];
		if (c < 0x80)
			esc[k++] = (char)c;
		else
			k += (size_t)sprintf(esc + k, "\\x%02x", c);
	}
	json_t *j = json_stringn(esc, k);
	free(esc);
	return j;
}

static json_t *str_or_null(struct rtclab_str s, bool present)
{
	return present ? str_json(s) : json_null();
}

/* "trickle renomination" as ["trickle", "renomination"]. */
static json_t *tokens(struct rtclab_str s)
{
	json_t *a = json_array();
	size_t i = 0;
	while (i < s.len) {
		size_t j = i;
		while (j < s.len && s.ptr[j] != ' ')
			j++;
		if (j > i)
			json_array_append_new(a, str_json(rtclab_str_make(s.ptr + i, j - i)));
		i = j + 1;
	}
	return a;
}

static json_t *origin_json(const struct rtclab_sdp *sdp)
{
	if (sdp->origin.line == 0)
		return json_null();
	json_t *o = json_object();
	json_object_set_new(o, "username", str_json(sdp->origin.username));
	json_object_set_new(o, "session_id", str_json(sdp->origin.session_id));
	/* Above 2^63-1 a JSON integer would turn negative in jansson: give the digits. */
	char digits[24];
	snprintf(digits, sizeof digits, "%llu", (unsigned long long)sdp->origin.session_version);
	json_object_set_new(o, "session_version", sdp->origin.session_version <= INT64_MAX
							  ? json_integer((json_int_t)sdp->origin.session_version)
							  : json_string(digits));
	json_object_set_new(o, "nettype", str_json(sdp->origin.nettype));
	json_object_set_new(o, "addrtype", str_json(sdp->origin.addrtype));
	json_object_set_new(o, "address", str_json(sdp->origin.address));
	return o;
}

static json_t *groups_json(const struct rtclab_sdp *sdp)
{
	json_t *a = json_array();
	for (size_t g = 0; g < sdp->n_groups; g++) {
		json_t *o = json_object(), *mids = json_array();
		json_object_set_new(o, "semantics", str_json(sdp->groups[g].semantics));
		for (size_t i = 0; i < sdp->groups[g].n_mids; i++)
			json_array_append_new(mids, str_json(sdp->group_mids[sdp->groups[g].first_mid + i]));
		json_object_set_new(o, "mids", mids);
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *codecs_json(const struct rtclab_sdp *sdp, const struct rtclab_sdp_media *m)
{
	json_t *a = json_array();
	for (size_t i = 0; i < m->n_codecs; i++) {
		const struct rtclab_sdp_codec *c = &sdp->codecs[m->first_codec + i];
		json_t *o = json_object(), *fb = json_array();
		json_object_set_new(o, "payload", json_integer(c->payload));
		json_object_set_new(o, "name", str_or_null(c->name, c->name.len > 0));
		json_object_set_new(o, "clock_rate", c->clock_rate ? json_integer(c->clock_rate) : json_null());
		json_object_set_new(o, "channels", c->channels ? json_integer(c->channels) : json_null());
		json_object_set_new(o, "fmtp", str_or_null(c->fmtp, c->fmtp_line != 0));
		for (size_t k = 0; k < m->n_fbs; k++) {
			const struct rtclab_sdp_fb *f = &sdp->fbs[m->first_fb + k];
			if (f->payload < 0 || (uint32_t)f->payload == c->payload)
				json_array_append_new(fb, str_json(f->value));
		}
		json_object_set_new(o, "rtcp_fb", fb);
		if (c->is_static)
			json_object_set_new(o, "static", json_true());
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *ice_json(const struct rtclab_sdp_ice *ice)
{
	json_t *o = json_object();
	json_object_set_new(o, "ufrag", str_or_null(ice->ufrag, ice->ufrag_line != 0));
	json_object_set_new(o, "pwd", str_or_null(ice->pwd, ice->pwd_line != 0));
	json_object_set_new(o, "options", tokens(ice->options));
	json_object_set_new(o, "lite", json_boolean(ice->lite));
	return o;
}

static json_t *media_json(const struct rtclab_sdp *sdp, const struct rtclab_sdp_media *m)
{
	json_t *o = json_object(), *formats = json_array(), *cands = json_array();
	json_object_set_new(o, "kind", str_json(m->kind));
	json_object_set_new(o, "port", json_integer(m->port));
	if (m->port_count != 1)
		json_object_set_new(o, "port_count", json_integer(m->port_count));
	json_object_set_new(o, "protocol", str_json(m->proto));
	for (size_t i = 0; i < m->n_formats; i++)
		json_array_append_new(formats, str_json(sdp->formats[m->first_format + i]));
	json_object_set_new(o, "formats", formats);
	json_object_set_new(o, "mid", str_or_null(m->mid, m->mid.len > 0));
	json_object_set_new(o, "direction", json_string(rtclab_sdp_direction_name(m->direction)));
	json_object_set_new(o, "ice", ice_json(&m->ice));
	if (m->has_fingerprint) {
		json_t *f = json_object();
		json_object_set_new(f, "hash", str_json(m->fingerprint.hash));
		json_object_set_new(f, "value", str_json(m->fingerprint.value));
		json_object_set_new(o, "fingerprint", f);
	} else {
		json_object_set_new(o, "fingerprint", json_null());
	}
	json_object_set_new(o, "setup",
			    m->setup ? json_string(rtclab_sdp_setup_name(m->setup)) : json_null());
	if (m->connection.line)
		json_object_set_new(o, "connection", str_json(m->connection.address));
	json_object_set_new(o, "rtcp_mux", json_boolean(m->rtcp_mux));
	json_object_set_new(o, "rtcp_mux_only", json_boolean(m->rtcp_mux_only));
	json_object_set_new(o, "rtcp_rsize", json_boolean(m->rtcp_rsize));
	json_object_set_new(o, "bundle_only", json_boolean(m->bundle_only));
	json_object_set_new(o, "msid", str_or_null(m->msid, m->msid.len > 0));
	json_object_set_new(o, "codecs", codecs_json(sdp, m));
	json_object_set_new(o, "sctp_port", m->sctp_port >= 0 ? json_integer(m->sctp_port) : json_null());
	json_object_set_new(o, "max_message_size",
			    m->max_message_size >= 0 ? json_integer(m->max_message_size) : json_null());
	for (size_t i = 0; i < m->n_candidates; i++)
		json_array_append_new(cands, rtclab_candidate_json(&sdp->candidates[m->first_candidate + i]));
	json_object_set_new(o, "candidates", cands);
	json_object_set_new(o, "end_of_candidates", json_boolean(m->end_of_candidates));
	json_object_set_new(o, "line", json_integer(m->line));
	return o;
}

const char *rtclab_sdp_problem_id(enum rtclab_sdp_problem_code code)
{
	switch (code) {
	case RTCLAB_SDP_P_SYNTAX: return "syntax";
	case RTCLAB_SDP_P_ORDER: return "order";
	case RTCLAB_SDP_P_MISSING_LINE: return "missing_line";
	case RTCLAB_SDP_P_UNKNOWN_TYPE: return "unknown_type";
	case RTCLAB_SDP_P_BAD_VALUE: return "bad_value";
	case RTCLAB_SDP_P_BAD_LEVEL: return "bad_level";
	case RTCLAB_SDP_P_DUPLICATE: return "duplicate";
	case RTCLAB_SDP_P_MISSING_ICE: return "missing_ice";
	case RTCLAB_SDP_P_MISSING_FINGERPRINT: return "missing_fingerprint";
	case RTCLAB_SDP_P_BUNDLE: return "bundle";
	case RTCLAB_SDP_P_RTCP_MUX: return "rtcp_mux";
	case RTCLAB_SDP_P_CODEC: return "codec";
	case RTCLAB_SDP_P_SETUP: return "setup";
	case RTCLAB_SDP_P_PAIR: return "pair";
	case RTCLAB_SDP_P_LINE_END: return "line_end";
	}
	return "unknown";
}

json_t *rtclab_sdp_problems_json(const struct rtclab_sdp *sdp)
{
	json_t *a = json_array();
	for (size_t i = 0; i < sdp->n_problems; i++) {
		const struct rtclab_sdp_problem *p = &sdp->problems[i];
		json_t *o = json_object();
		json_object_set_new(o, "line", json_integer(p->line));
		json_object_set_new(o, "column", json_integer(p->column));
		json_object_set_new(o, "severity", json_string(p->warning ? "warning" : "error"));
		json_object_set_new(o, "code", json_string(rtclab_sdp_problem_id(p->code)));
		json_object_set_new(o, "message", str_json(rtclab_str_make(p->message, strlen(p->message))));
		json_array_append_new(a, o);
	}
	return a;
}

json_t *rtclab_sdp_json(const struct rtclab_sdp *sdp)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "origin", origin_json(sdp));
	json_object_set_new(o, "session_name", str_json(sdp->session_name));
	json_object_set_new(o, "groups", groups_json(sdp));
	json_object_set_new(o, "msid_semantic", str_or_null(sdp->msid_semantic, sdp->msid_semantic.len > 0));
	json_object_set_new(o, "ice_lite", json_boolean(sdp->ice.lite));
	json_t *media = json_array();
	for (size_t i = 0; i < sdp->n_media; i++)
		json_array_append_new(media, media_json(sdp, &sdp->media[i]));
	json_object_set_new(o, "media", media);
	json_object_set_new(o, "problems", rtclab_sdp_problems_json(sdp));
	return o;
}
