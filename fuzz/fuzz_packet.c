/* libFuzzer target: the per-packet path from the link layer to UDP, TCP and
 * ICMP.  The first byte picks the link type, the second how much of the
 * frame was "on the wire" beyond what is given (a snaplen cut); the rest is
 * the frame.  One reassembly state is carried between inputs, so fragments
 * from earlier inputs meet later ones; its reports are drained each time. */
#include <stdlib.h>
#include <string.h>

#include "rtclab/packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const enum rtclab_linktype LINKTYPES[] = {
	RTCLAB_LINK_NULL, RTCLAB_LINK_ETHERNET, RTCLAB_LINK_RAW,	RTCLAB_LINK_LOOP,
	RTCLAB_LINK_LINUX_SLL, RTCLAB_LINK_IPV4, RTCLAB_LINK_IPV6, RTCLAB_LINK_LINUX_SLL2,
};

static bool inside(struct rtclab_bytes v, const uint8_t *frame, size_t len, const uint8_t *other, size_t other_len)
{
	if (v.len == 0)
		return true;
	uintptr_t p = (uintptr_t)v.ptr, f = (uintptr_t)frame, o = (uintptr_t)other;
	return (p >= f && p + v.len <= f + len) || (other && p >= o && p + v.len <= o + other_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rtclab_defrag *defrag;
	static int64_t now;
	if (!defrag)
		defrag = rtclab_defrag_new();
	if (size < 2)
		return 0;
	enum rtclab_linktype lt = LINKTYPES[data[0] % 8];
	size_t cut = data[1] & 0x80 ? data[1] & 0x7F : 0;
	/* a copy, so that reading past the frame is caught by ASan */
	size_t len = size - 2;
	uint8_t *frame = malloc(len ? len : 1);
	memcpy(frame, data + 2, len);
	struct rtclab_packet pkt;
	pkt.frame = (uint64_t)now + 1;
	now += data[1] & 0x40 ? RTCLAB_DEFRAG_TIMEOUT_NS / 4 : 1000;
	pkt.ts_ns = now;
	rtclab_packet_decode(&pkt, lt, frame, len, (uint32_t)(len + cut), defrag);
	if (pkt.n_problems > RTCLAB_PACKET_MAX_PROBLEMS || pkt.n_problems > pkt.n_problems_total)
		abort();
	for (size_t i = 0; i < pkt.n_problems; i++)
		if (pkt.problems[i].offset > len || !pkt.problems[i].message)
			if (!pkt.reassembled) /* transport offsets of a reassembled datagram count from its start */
				abort();
	/* every view is inside the frame (or the reassembly buffer: then the payload) */
	bool ok = inside(pkt.payload, frame, len, pkt.reassembled ? pkt.payload.ptr : NULL, pkt.payload.len) &&
		  inside(pkt.icmp.quoted_payload, frame, len, pkt.reassembled ? pkt.payload.ptr : NULL,
			 pkt.payload.len);
	if (!ok)
		abort();
	volatile uint8_t sink = 0;
	for (size_t i = 0; i < pkt.payload.len; i++)
		sink ^= pkt.payload.ptr[i];
	for (size_t i = 0; i < pkt.icmp.quoted_payload.len; i++)
		sink ^= pkt.icmp.quoted_payload.ptr[i];
	(void)sink;
	struct rtclab_defrag_report rep;
	while (rtclab_defrag_next_report(defrag, &rep))
		if (rep.bytes_have > 65535 || (rep.bytes_total && rep.bytes_have > rep.bytes_total))
			abort();
	if (rtclab_linktype_name(lt) == NULL)
		abort();
	free(frame);
	return 0;
}
