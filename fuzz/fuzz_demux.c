/* libFuzzer target: the RFC 7983 demultiplexer with every decoder behind it
 * (STUN, ChannelData, DTLS, RTP, RTCP, TURN tunnels one level deep), the
 * channel bindings table and the JSON.  The first byte of the input picks
 * whether a table with bound channels is passed; every record, packet and
 * problem must lie inside the input. */
#include <stdlib.h>
#include <string.h>

#include "rtclab/demux.h"
#include "rtclab/demux_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_result(const struct rtclab_demux_result *r, size_t size)
{
	if (r->bytes.len > size)
		abort();
	const struct rtclab_demux_problems *ps = NULL;
	switch (r->proto) {
	case RTCLAB_DEMUX_DTLS:
		ps = &r->u.dtls.problems;
		if (r->u.dtls.n_records > RTCLAB_DTLS_MAX_RECORDS || r->u.dtls.n_records > r->u.dtls.n_records_total)
			abort();
		for (size_t i = 0; i < r->u.dtls.n_records; i++) {
			const struct rtclab_dtls_record *rec = &r->u.dtls.records[i];
			if (rec->offset >= r->bytes.len || rec->n_handshakes > RTCLAB_DTLS_MAX_HANDSHAKES)
				abort();
			if (rec->body.ptr && (rec->body.ptr < r->bytes.ptr ||
					      rec->body.ptr + rec->body.len > r->bytes.ptr + r->bytes.len))
				abort();
		}
		break;
	case RTCLAB_DEMUX_RTP:
		ps = &r->u.rtp.problems;
		if (r->u.rtp.header_size > r->bytes.len || r->u.rtp.n_ext_ids > RTCLAB_RTP_MAX_EXTENSIONS)
			abort();
		break;
	case RTCLAB_DEMUX_RTCP:
		ps = &r->u.rtcp.problems;
		for (size_t i = 0; i < r->u.rtcp.n_packets; i++)
			if (r->u.rtcp.packets[i].offset >= r->bytes.len)
				abort();
		break;
	default:
		break;
	}
	if (ps)
		for (size_t i = 0; i < ps->n; i++)
			if (ps->p[i].offset > r->bytes.len)
				abort();
	struct rtclab_story st;
	rtclab_demux_story(r, &st);
	if (!st.why)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rtclab_demux d;
	static struct rtclab_channel_bindings table;
	if (size < 1)
		return 0;
	struct rtclab_addr a = {RTCLAB_FAMILY_IPV4, 40000, {192, 0, 2, 1}};
	struct rtclab_addr b = {RTCLAB_FAMILY_IPV4, 3478, {203, 0, 113, 5}};
	rtclab_channel_bindings_init(&table);
	rtclab_channel_bindings_add(&table, &a, &b, 0x7C42, NULL);
	rtclab_channel_bindings_add(&table, &a, &b, (uint16_t)(0x5000 | (data[0] << 4)), &b);
	struct rtclab_demux_ctx ctx = {&a, &b, &table};
	bool with_table = data[0] & 1;
	rtclab_demux_udp(&d, data + 1, size - 1, with_table ? &ctx : NULL);
	check_result(&d.outer, size - 1);
	if (d.via != RTCLAB_TUNNEL_NONE) {
		if (d.inner.offset + d.inner.bytes.len > size - 1)
			abort();
		check_result(&d.inner, size - 1);
	}
	json_t *j = rtclab_demux_json(&d);
	char *s = json_dumps(j, JSON_COMPACT);
	free(s);
	json_decref(j);
	return 0;
}
