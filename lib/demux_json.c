/* Demultiplexed UDP payloads as JSON (rtclab/demux_json.h). */
#include <stdio.h>

#include "rtclab/demux_json.h"
#include "rtclab/stun_json.h"

static json_t *hex32(uint32_t v)
{
	char s[16];
	snprintf(s, sizeof s, "0x%08x", (unsigned)v);
	return json_string(s);
}

/* A known name, or the number when there is none. */
static json_t *name_or_number(const char *name, unsigned v)
{
	return name ? json_string(name) : json_integer(v);
}

static json_t *version_json(uint16_t v)
{
	const char *name = rtclab_dtls_version_name(v);
	char s[16];
	snprintf(s, sizeof s, "0x%04X", (unsigned)v);
	return json_string(name ? name : s);
}

static json_t *handshake_json(const struct rtclab_dtls_handshake *h)
{
	json_t *o = json_object();
	json_object_set_new(o, "type", name_or_number(rtclab_dtls_handshake_type_name(h->type), h->type));
	json_object_set_new(o, "type_code", json_integer(h->type));
	json_object_set_new(o, "length", json_integer(h->length));
	json_object_set_new(o, "message_seq", json_integer(h->message_seq));
	json_object_set_new(o, "fragment_offset", json_integer(h->fragment_offset));
	json_object_set_new(o, "fragment_length", json_integer(h->fragment_length));
	json_object_set_new(o, "offset", json_integer(h->offset));
	return o;
}

static void set_record_body(json_t *o, const struct rtclab_dtls_record *rec)
{
	if (rec->n_handshakes > 0) {
		const struct rtclab_dtls_handshake *h = &rec->handshakes[0];
		json_object_set_new(o, "handshake_type", name_or_number(rtclab_dtls_handshake_type_name(h->type), h->type));
		json_t *list = json_array();
		for (size_t i = 0; i < rec->n_handshakes; i++)
			json_array_append_new(list, handshake_json(&rec->handshakes[i]));
		json_object_set_new(o, "handshakes", list);
	}
	if (rec->has_alert) {
		json_t *a = json_object();
		json_object_set_new(a, "level", rec->alert_level == 1   ? json_string("warning")
						: rec->alert_level == 2 ? json_string("fatal")
									: json_integer(rec->alert_level));
		json_object_set_new(a, "description",
				    name_or_number(rtclab_dtls_alert_name(rec->alert_description), rec->alert_description));
		json_object_set_new(o, "alert", a);
	}
}

json_t *rtclab_dtls_record_json(const struct rtclab_dtls_record *rec)
{
	json_t *o = json_object();
	char label[64];
	if (rec->unified) {
		json_object_set_new(o, "header", json_string("unified"));
	} else {
		json_object_set_new(o, "content_type",
				    name_or_number(rtclab_dtls_content_type_name(rec->content_type), rec->content_type));
		json_object_set_new(o, "version", version_json(rec->version));
	}
	json_object_set_new(o, "epoch", json_integer(rec->epoch));
	if (rec->sequence_bits)
		json_object_set_new(o, "sequence", json_integer((json_int_t)rec->sequence));
	if (rec->unified) {
		json_object_set_new(o, "sequence_bits", json_integer(rec->sequence_bits));
		json_object_set_new(o, "length_present", json_boolean(rec->has_length));
	}
	if (rec->has_cid)
		json_object_set_new(o, "connection_id", json_true());
	json_object_set_new(o, "length", json_integer(rec->length));
	json_object_set_new(o, "offset", json_integer(rec->offset));
	json_object_set_new(o, "encrypted", json_boolean(rec->encrypted));
	json_object_set_new(o, "label", json_string(rtclab_dtls_record_label(rec, label, sizeof label)));
	set_record_body(o, rec);
	return o;
}

json_t *rtclab_dtls_json(const struct rtclab_dtls *d)
{
	json_t *o = d->n_records > 0 ? rtclab_dtls_record_json(&d->records[0]) : json_object();
	json_t *list = json_array();
	for (size_t i = 0; i < d->n_records; i++)
		json_array_append_new(list, rtclab_dtls_record_json(&d->records[i]));
	json_object_set_new(o, "records", list);
	if (d->n_records_total != d->n_records)
		json_object_set_new(o, "records_total", json_integer((json_int_t)d->n_records_total));
	return o;
}

static const char *ext_form_name(enum rtclab_rtp_ext_form f)
{
	switch (f) {
	case RTCLAB_RTP_EXT_ONE_BYTE: return "one-byte";
	case RTCLAB_RTP_EXT_TWO_BYTE: return "two-byte";
	case RTCLAB_RTP_EXT_OTHER: return "other";
	case RTCLAB_RTP_EXT_NONE:
	default: return "none";
	}
}

static void set_rtp_extension(json_t *o, const struct rtclab_rtp *rtp)
{
	char s[8];
	snprintf(s, sizeof s, "0x%04x", (unsigned)rtp->ext_profile);
	json_object_set_new(o, "extension_profile", json_string(s));
	json_object_set_new(o, "extension_form", json_string(ext_form_name(rtp->ext_form)));
	json_object_set_new(o, "extension_words", json_integer(rtp->ext_words));
	json_t *ids = json_array();
	for (size_t i = 0; i < rtp->n_ext_ids; i++)
		json_array_append_new(ids, json_integer(rtp->ext_ids[i]));
	json_object_set_new(o, "extension_ids", ids);
}

json_t *rtclab_rtp_json(const struct rtclab_rtp *rtp)
{
	json_t *o = json_object();
	json_object_set_new(o, "payload_type", json_integer(rtp->payload_type));
	json_object_set_new(o, "ssrc", hex32(rtp->ssrc));
	json_object_set_new(o, "seq", json_integer(rtp->seq));
	json_object_set_new(o, "timestamp", json_integer(rtp->timestamp));
	json_object_set_new(o, "marker", json_boolean(rtp->marker));
	json_object_set_new(o, "version", json_integer(rtp->version));
	json_object_set_new(o, "padding", json_boolean(rtp->padding));
	if (rtp->padding)
		json_object_set_new(o, "padding_length", json_integer(rtp->padding_len));
	json_object_set_new(o, "extension", json_boolean(rtp->extension));
	if (rtp->extension)
		set_rtp_extension(o, rtp);
	json_object_set_new(o, "csrc_count", json_integer(rtp->csrc_count));
	if (rtp->csrc_count > 0 && rtp->header_size >= RTCLAB_RTP_HEADER_SIZE + 4u * rtp->csrc_count) {
		json_t *list = json_array();
		for (unsigned i = 0; i < rtp->csrc_count; i++)
			json_array_append_new(list, hex32(rtp->csrc[i]));
		json_object_set_new(o, "csrcs", list);
	}
	json_object_set_new(o, "header_length", json_integer((json_int_t)rtp->header_size));
	json_object_set_new(o, "payload_length", json_integer((json_int_t)rtp->payload.len));
	return o;
}

static json_t *rtcp_packet_json(const struct rtclab_rtcp_packet *p)
{
	json_t *o = json_object();
	json_object_set_new(o, "type", name_or_number(rtclab_rtcp_type_name(p->type), p->type));
	json_object_set_new(o, "pt", json_integer(p->type));
	if (p->type == RTCLAB_RTCP_RTPFB || p->type == RTCLAB_RTCP_PSFB) {
		json_object_set_new(o, "fmt", json_integer(p->count));
		const char *fmt = rtclab_rtcp_fmt_name(p);
		if (fmt)
			json_object_set_new(o, "feedback", json_string(fmt));
	} else {
		json_object_set_new(o, "count", json_integer(p->count));
	}
	json_object_set_new(o, "length", json_integer(p->length));
	json_object_set_new(o, "offset", json_integer(p->offset));
	if (p->padding)
		json_object_set_new(o, "padding", json_true());
	if (p->has_ssrc)
		json_object_set_new(o, "ssrc", hex32(p->ssrc));
	if (p->has_media_ssrc)
		json_object_set_new(o, "media_ssrc", hex32(p->media_ssrc));
	return o;
}

json_t *rtclab_rtcp_json(const struct rtclab_rtcp *rtcp)
{
	json_t *o = json_object(), *types = json_array(), *packets = json_array();
	for (size_t i = 0; i < rtcp->n_packets; i++) {
		const struct rtclab_rtcp_packet *p = &rtcp->packets[i];
		json_array_append_new(types, name_or_number(rtclab_rtcp_type_name(p->type), p->type));
		json_array_append_new(packets, rtcp_packet_json(p));
	}
	json_object_set_new(o, "types", types);
	json_object_set_new(o, "packets", packets);
	json_object_set_new(o, "srtcp", json_boolean(rtcp->srtcp));
	if (rtcp->srtcp_trailer) {
		json_object_set_new(o, "srtcp_e", json_boolean(rtcp->srtcp_e));
		json_object_set_new(o, "srtcp_index", json_integer(rtcp->srtcp_index));
		json_object_set_new(o, "srtcp_layout", json_string(rtcp->srtcp_layout));
	}
	return o;
}

static json_t *channeldata_json(const struct rtclab_demux_result *r)
{
	const struct rtclab_channeldata *cd = &r->u.channeldata;
	json_t *o = json_object();
	json_object_set_new(o, "channel", json_integer(cd->channel));
	json_object_set_new(o, "length", json_integer(cd->length));
	json_object_set_new(o, "channel_range", json_string(cd->range == RTCLAB_CHANNEL_RFC8656   ? "RFC 8656"
							    : cd->range == RTCLAB_CHANNEL_RFC5766 ? "RFC 5766"
												  : "invalid"));
	if (r->channel_bound)
		json_object_set_new(o, "bound", json_true());
	return o;
}

static void append_problem(json_t *list, uint32_t offset, const char *id, const char *message)
{
	json_t *p = json_object();
	json_object_set_new(p, "offset", json_integer(offset));
	json_object_set_new(p, "id", json_string(id));
	json_object_set_new(p, "message", json_string(message));
	json_array_append_new(list, p);
}

json_t *rtclab_demux_problems_json(const struct rtclab_demux_problems *ps)
{
	json_t *list = json_array();
	char text[256];
	for (size_t i = 0; i < ps->n && i < RTCLAB_DEMUX_MAX_PROBLEMS; i++)
		append_problem(list, ps->p[i].offset, rtclab_demux_error_id(ps->p[i].code),
			       rtclab_demux_problem_format(&ps->p[i], text, sizeof text));
	return list;
}

static json_t *stun_problems_json(const struct rtclab_stun_problem *ps, size_t n)
{
	json_t *list = json_array();
	char text[256];
	for (size_t i = 0; i < n; i++)
		append_problem(list, ps[i].offset, rtclab_stun_error_id(ps[i].code),
			       rtclab_stun_problem_format(&ps[i], text, sizeof text));
	return list;
}

/* The protocol's own object and its problems. */
static json_t *body_json(const struct rtclab_demux_result *r, json_t **problems)
{
	switch (r->proto) {
	case RTCLAB_DEMUX_STUN:
		*problems = stun_problems_json(r->u.stun.problems, r->u.stun.n_problems);
		return rtclab_stun_json(&r->u.stun, NULL);
	case RTCLAB_DEMUX_CHANNELDATA:
		*problems = stun_problems_json(r->u.channeldata.problems, r->u.channeldata.n_problems);
		return channeldata_json(r);
	case RTCLAB_DEMUX_DTLS:
		*problems = rtclab_demux_problems_json(&r->u.dtls.problems);
		return rtclab_dtls_json(&r->u.dtls);
	case RTCLAB_DEMUX_RTP:
		*problems = rtclab_demux_problems_json(&r->u.rtp.problems);
		return rtclab_rtp_json(&r->u.rtp);
	case RTCLAB_DEMUX_RTCP:
		*problems = rtclab_demux_problems_json(&r->u.rtcp.problems);
		return rtclab_rtcp_json(&r->u.rtcp);
	default:
		*problems = NULL;
		return NULL;
	}
}

json_t *rtclab_demux_result_json(const struct rtclab_demux_result *r)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	const char *proto = rtclab_demux_proto_name(r->proto);
	json_object_set_new(o, "proto", json_string(proto));
	json_object_set_new(o, "why", json_string(r->why));
	json_object_set_new(o, "length", json_integer((json_int_t)r->bytes.len));
	json_t *problems = NULL, *body = body_json(r, &problems);
	if (body)
		json_object_set_new(o, proto, body);
	if (problems && json_array_size(problems) > 0)
		json_object_set_new(o, "problems", problems);
	else
		json_decref(problems);
	return o;
}

json_t *rtclab_demux_tunnel_json(const struct rtclab_demux *d)
{
	const char *via = rtclab_tunnel_via_name(d->via);
	if (!via)
		return NULL;
	json_t *o = json_object();
	json_object_set_new(o, "via", json_string(via));
	if (d->has_peer) {
		char s[RTCLAB_ADDR_STRLEN];
		json_object_set_new(o, "peer", json_string(rtclab_addr_format(&d->peer, s, sizeof s)));
	}
	if (d->via == RTCLAB_TUNNEL_CHANNELDATA)
		json_object_set_new(o, "channel", json_integer(d->channel));
	return o;
}

json_t *rtclab_demux_json(const struct rtclab_demux *d)
{
	json_t *o = rtclab_demux_result_json(&d->outer);
	if (!o || d->via == RTCLAB_TUNNEL_NONE)
		return o;
	json_t *inner = rtclab_demux_result_json(&d->inner);
	if (inner) {
		json_object_set_new(inner, "tunnel", rtclab_demux_tunnel_json(d));
		json_object_set_new(inner, "offset", json_integer((json_int_t)d->inner.offset));
		json_object_set_new(o, "inner", inner);
	}
	return o;
}
