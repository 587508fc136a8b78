/* IPv4 fragment reassembly (RFC 791 3.2, RFC 815).
 *
 * A datagram is identified by source, destination, protocol and
 * identification (RFC 791 3.2).  Each datagram in progress has a slot with a
 * 65535-byte buffer and a bitmap of the bytes received, allocated with its
 * first fragment.  The first copy of a byte wins: a later fragment that
 * overlaps only fills the holes (and the packet says so).  At most
 * RTCLAB_DEFRAG_MAX_DATAGRAMS slots exist; a datagram is given up after
 * RTCLAB_DEFRAG_TIMEOUT_NS of capture time, when its slot is needed, when
 * its fragments contradict each other, or at rtclab_defrag_flush().  Every
 * datagram given up is queued as a report.
 */
#include <stdlib.h>
#include <string.h>

#include "packet_internal.h"

/* RFC 791 3.1: total length is 16 bits, so the data after a minimal
 * 20-byte header is at most 65515 bytes. */
#define DATA_MAX (65535u - 20u)

struct slot {
	bool used;
	uint8_t src[4], dst[4];
	uint8_t proto;
	uint16_t id;
	uint64_t age;              /* order of creation, to find the oldest */
	uint64_t first_frame, last_frame;
	int64_t first_ts_ns;
	unsigned n_fragments;
	uint32_t have;             /* bytes received */
	uint32_t total;            /* known once the last fragment (MF clear) arrived */
	uint32_t max_end;          /* one past the highest byte received */
	bool total_known;
	uint8_t *buf;              /* DATA_MAX bytes */
	uint8_t *bits;             /* one bit per byte of buf */
};

struct rtclab_defrag {
	struct slot slots[RTCLAB_DEFRAG_MAX_DATAGRAMS];
	uint64_t next_age;
	struct rtclab_defrag_report reports[RTCLAB_DEFRAG_MAX_REPORTS];
	size_t report_head, report_count;
	uint64_t reports_dropped;
	uint8_t out[DATA_MAX];     /* the last datagram completed */
};

struct rtclab_defrag *rtclab_defrag_new(void)
{
	return calloc(1, sizeof(struct rtclab_defrag));
}

static void release(struct slot *s)
{
	free(s->buf);
	free(s->bits);
	memset(s, 0, sizeof *s);
}

void rtclab_defrag_free(struct rtclab_defrag *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < RTCLAB_DEFRAG_MAX_DATAGRAMS; i++)
		release(&d->slots[i]);
	free(d);
}

static void push_report(struct rtclab_defrag *d, const struct slot *s, enum rtclab_defrag_reason reason)
{
	if (d->report_count == RTCLAB_DEFRAG_MAX_REPORTS) {
		d->reports_dropped++;
		return;
	}
	struct rtclab_defrag_report *r = &d->reports[(d->report_head + d->report_count++) % RTCLAB_DEFRAG_MAX_REPORTS];
	memset(r, 0, sizeof *r);
	r->reason = reason;
	r->first_frame = s->first_frame;
	r->last_frame = s->last_frame;
	r->first_ts_ns = s->first_ts_ns;
	r->src.family = r->dst.family = RTCLAB_FAMILY_IPV4;
	memcpy(r->src.ip, s->src, 4);
	memcpy(r->dst.ip, s->dst, 4);
	r->id = s->id;
	r->proto = s->proto;
	r->n_fragments = s->n_fragments;
	r->bytes_have = s->have;
	r->bytes_total = s->total_known ? s->total : 0;
}

static void evict(struct rtclab_defrag *d, struct slot *s, enum rtclab_defrag_reason reason)
{
	push_report(d, s, reason);
	release(s);
}

bool rtclab_defrag_next_report(struct rtclab_defrag *d, struct rtclab_defrag_report *out)
{
	if (!d || d->report_count == 0)
		return false;
	*out = d->reports[d->report_head];
	d->report_head = (d->report_head + 1) % RTCLAB_DEFRAG_MAX_REPORTS;
	d->report_count--;
	return true;
}

uint64_t rtclab_defrag_reports_dropped(const struct rtclab_defrag *d)
{
	return d ? d->reports_dropped : 0;
}

void rtclab_defrag_flush(struct rtclab_defrag *d)
{
	if (!d)
		return;
	/* oldest first, so that the reports come in capture order */
	for (;;) {
		struct slot *oldest = NULL;
		for (size_t i = 0; i < RTCLAB_DEFRAG_MAX_DATAGRAMS; i++)
			if (d->slots[i].used && (!oldest || d->slots[i].age < oldest->age))
				oldest = &d->slots[i];
		if (!oldest)
			return;
		evict(d, oldest, RTCLAB_DEFRAG_END);
	}
}

const char *rtclab_defrag_reason_text(enum rtclab_defrag_reason reason)
{
	switch (reason) {
	case RTCLAB_DEFRAG_TIMEOUT:
		return "timed out waiting for its other fragments";
	case RTCLAB_DEFRAG_NO_SLOT:
		return "given up to make room for newer datagrams";
	case RTCLAB_DEFRAG_END:
		return "still incomplete at the end of the capture";
	case RTCLAB_DEFRAG_INVALID:
		return "its fragments cannot make one datagram";
	}
	return "unknown reason";
}

/* Give up datagrams whose first fragment is older than the timeout. */
static void expire(struct rtclab_defrag *d, int64_t now)
{
	for (size_t i = 0; i < RTCLAB_DEFRAG_MAX_DATAGRAMS; i++) {
		struct slot *s = &d->slots[i];
		if (s->used && now > s->first_ts_ns && (uint64_t)now - (uint64_t)s->first_ts_ns > RTCLAB_DEFRAG_TIMEOUT_NS)
			evict(d, s, RTCLAB_DEFRAG_TIMEOUT);
	}
}

static bool same_datagram(const struct slot *s, const struct rtclab_frag_in *in)
{
	return s->used && s->id == in->id && s->proto == in->proto && memcmp(s->src, in->src, 4) == 0 &&
	       memcmp(s->dst, in->dst, 4) == 0;
}

/* The slot of this datagram, a new one (evicting the oldest when all are
 * busy), or NULL when memory runs out. */
static struct slot *find_slot(struct rtclab_defrag *d, const struct rtclab_packet *pkt, const struct rtclab_frag_in *in)
{
	struct slot *free_slot = NULL, *oldest = NULL;
	for (size_t i = 0; i < RTCLAB_DEFRAG_MAX_DATAGRAMS; i++) {
		struct slot *s = &d->slots[i];
		if (same_datagram(s, in))
			return s;
		if (!s->used && !free_slot)
			free_slot = s;
		if (s->used && (!oldest || s->age < oldest->age))
			oldest = s;
	}
	if (!free_slot) {
		evict(d, oldest, RTCLAB_DEFRAG_NO_SLOT);
		free_slot = oldest;
	}
	struct slot *s = free_slot;
	s->buf = malloc(DATA_MAX);
	s->bits = calloc(1, DATA_MAX / 8 + 1);
	if (!s->buf || !s->bits) {
		release(s);
		return NULL;
	}
	s->used = true;
	memcpy(s->src, in->src, 4);
	memcpy(s->dst, in->dst, 4);
	s->proto = in->proto;
	s->id = in->id;
	s->age = d->next_age++;
	s->first_frame = pkt->frame;
	s->first_ts_ns = pkt->ts_ns;
	return s;
}

/* Where this fragment ends, checked against what the others said.  False
 * when the datagram cannot be built (problem added). */
static bool check_end(struct slot *s, struct rtclab_packet *pkt, const struct rtclab_frag_in *in, uint32_t end)
{
	if (end > DATA_MAX) {
		rtclab_packet_problem_(pkt, in->header_at + 6,
				       "fragment offset and length make a datagram over 65535 bytes (RFC 791)");
		return false;
	}
	if (in->more && in->data.len % 8 != 0)
		rtclab_packet_problem_(pkt, in->header_at + 2,
				       "a fragment with more to follow must carry a multiple of 8 bytes (RFC 791)");
	if (!in->more) {
		if ((s->total_known && s->total != end) || s->max_end > end) {
			rtclab_packet_problem_(pkt, in->header_at + 6,
					       "two fragments end the same datagram at different places");
			return false;
		}
		s->total = end;
		s->total_known = true;
	} else if (s->total_known && end > s->total) {
		rtclab_packet_problem_(pkt, in->header_at + 6, "fragment goes past the end of its datagram");
		return false;
	}
	return true;
}

/* Copy the bytes not received yet; the first copy of a byte wins. */
static void fill(struct slot *s, struct rtclab_packet *pkt, const struct rtclab_frag_in *in)
{
	bool overlap = false, differs = false;
	for (uint32_t k = 0; k < in->data.len; k++) {
		uint32_t i = in->offset + k;
		uint8_t bit = (uint8_t)(1u << (i & 7));
		if (s->bits[i >> 3] & bit) {
			overlap = true;
			differs = differs || s->buf[i] != in->data.ptr[k];
			continue;
		}
		s->bits[i >> 3] |= bit;
		s->buf[i] = in->data.ptr[k];
		s->have++;
	}
	if (differs)
		rtclab_packet_problem_(pkt, in->at,
				       "fragment overlaps data already received, with different bytes: the first copy is kept");
	else if (overlap)
		rtclab_packet_problem_(pkt, in->at, "fragment overlaps data already received: the first copy is kept");
}

enum rtclab_frag_result rtclab_defrag_add_(struct rtclab_defrag *d, struct rtclab_packet *pkt,
					   const struct rtclab_frag_in *in, struct rtclab_bytes *out)
{
	expire(d, pkt->ts_ns);
	struct slot *s = find_slot(d, pkt, in);
	if (!s) {
		rtclab_packet_problem_(pkt, in->header_at, "out of memory: fragment not reassembled");
		return RTCLAB_FRAG_DROPPED;
	}
	s->n_fragments++;
	s->last_frame = pkt->frame;
	uint32_t end = in->offset + (uint32_t)in->data.len;
	if (!check_end(s, pkt, in, end)) {
		evict(d, s, RTCLAB_DEFRAG_INVALID);
		return RTCLAB_FRAG_DROPPED;
	}
	fill(s, pkt, in);
	if (end > s->max_end)
		s->max_end = end;
	if (!s->total_known || s->have != s->total)
		return RTCLAB_FRAG_HELD;
	memcpy(d->out, s->buf, s->total);
	out->ptr = d->out;
	out->len = s->total;
	release(s);
	return RTCLAB_FRAG_DONE;
}
