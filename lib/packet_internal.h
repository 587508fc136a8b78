/* Private interface between lib/packet.c and lib/defrag.c. */
#ifndef RTCLAB_PACKET_INTERNAL_H
#define RTCLAB_PACKET_INTERNAL_H

#include "rtclab/packet.h"

#ifndef RTCLAB_INTERNAL
#define RTCLAB_INTERNAL __attribute__((visibility("hidden")))
#endif

/* Append a problem (static text) at a frame offset; counted when full. */
RTCLAB_INTERNAL void rtclab_packet_problem_(struct rtclab_packet *pkt, size_t offset, const char *message);

/* One IPv4 fragment (RFC 791 3.2): the datagram it belongs to, where its data goes. */
struct rtclab_frag_in {
	uint8_t src[4], dst[4];
	uint8_t proto;
	uint16_t id;
	uint32_t offset;          /* in bytes */
	bool more;                /* MF set: not the last fragment */
	struct rtclab_bytes data; /* the fragment's IP payload */
	size_t at;                /* frame offset of that payload, for problems */
	size_t header_at;         /* frame offset of the IPv4 header, for problems */
};

enum rtclab_frag_result {
	RTCLAB_FRAG_HELD,    /* kept; the datagram is not complete yet */
	RTCLAB_FRAG_DONE,    /* *out is the whole reassembled IP payload */
	RTCLAB_FRAG_DROPPED, /* not usable (problem added; the datagram is reported) */
};

RTCLAB_INTERNAL enum rtclab_frag_result rtclab_defrag_add_(struct rtclab_defrag *d, struct rtclab_packet *pkt,
							   const struct rtclab_frag_in *in, struct rtclab_bytes *out);

#endif
