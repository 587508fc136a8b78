/* rtclab/packet.h - one captured frame decoded from the link layer to UDP,
 * TCP or ICMP: the datagrams and segments that the WebRTC decoders and the
 * session reconstruction work on.
 *
 * rtclab_packet_decode is pure (no I/O, no allocation): it fills a struct
 * rtclab_packet with views into the frame.  IPv4 fragments are put back
 * together by struct rtclab_defrag, whose memory is bounded (see below).
 */
#ifndef RTCLAB_PACKET_H
#define RTCLAB_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtclab/addr.h"
#include "rtclab/bytes.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Link-layer types (the pcap LINKTYPE_ values rtclab reads). */
enum rtclab_linktype {
	RTCLAB_LINK_NULL = 0,       /* BSD loopback: 4-byte host-order family */
	RTCLAB_LINK_ETHERNET = 1,   /* with 802.1Q / 802.1ad tags */
	RTCLAB_LINK_RAW = 101,      /* raw IPv4 or IPv6 */
	RTCLAB_LINK_LOOP = 108,     /* OpenBSD loopback: 4-byte network-order family */
	RTCLAB_LINK_LINUX_SLL = 113,
	RTCLAB_LINK_IPV4 = 228,
	RTCLAB_LINK_IPV6 = 229,
	RTCLAB_LINK_LINUX_SLL2 = 276,
};

enum rtclab_l4 {
	RTCLAB_L4_NONE = 0, /* not IP, or an IP protocol rtclab does not open */
	RTCLAB_L4_UDP,
	RTCLAB_L4_TCP,
	RTCLAB_L4_ICMP,     /* ICMP or ICMPv6 */
};

/* What an ICMP error quotes: the start of the datagram that caused it. */
struct rtclab_icmp {
	uint8_t type, code;
	bool is_error;              /* destination unreachable, packet too big, time exceeded, ... */
	bool has_quoted;
	enum rtclab_l4 quoted_l4;   /* UDP or TCP when the quote reaches that far */
	struct rtclab_addr quoted_src, quoted_dst; /* with ports when known */
	struct rtclab_bytes quoted_payload;        /* the quoted transport payload (often truncated) */
	uint32_t mtu;               /* ICMPv6 packet too big / ICMP fragmentation needed */
};

#define RTCLAB_PACKET_MAX_PROBLEMS 4

struct rtclab_packet_problem {
	uint32_t offset;            /* in the frame */
	const char *message;        /* static text */
};

struct rtclab_packet {
	uint64_t frame;             /* 1-based frame number in the capture */
	int64_t ts_ns;              /* nanoseconds since the Unix epoch */
	uint32_t interface;         /* the capture interface (pcapng: its id in the section; pcap and
				     * live: 0), set by the caller after rtclab_packet_decode (which sets
				     * 0); TCP connections are told apart by it too */
	enum rtclab_linktype linktype;
	struct rtclab_bytes data;   /* the frame as captured */
	uint32_t wire_len;          /* its length on the wire (data.len < wire_len: cut by the snaplen) */
	uint16_t vlan;              /* outermost 802.1Q VLAN id, 0 if none */
	uint16_t ethertype;         /* the network protocol as an EtherType (0x0800 IPv4, 0x86DD IPv6,
				     * 0x0806 ARP, ...); 0 when the link layer does not say */
	int ip_version;             /* 4, 6, or 0 when not IP */
	uint8_t ip_proto;           /* IP protocol number (17 UDP, 6 TCP, 1 ICMP, 58 ICMPv6) */
	uint8_t ttl;                /* IPv4 TTL / IPv6 hop limit */
	bool reassembled;           /* the payload is an IPv4 datagram put back together from fragments */
	bool fragment;              /* a fragment held back for reassembly: nothing more to decode yet */
	enum rtclab_l4 l4;
	struct rtclab_addr src, dst; /* addresses, with the UDP/TCP ports */
	struct rtclab_bytes payload; /* UDP/TCP payload, the ICMP message body (after the 8-byte ICMP header),
				      * or for a fragment held back or not reassembled its IP payload */
	/* TCP */
	uint32_t seq, ack;
	uint8_t tcp_flags;          /* FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10 */
	/* ICMP */
	struct rtclab_icmp icmp;
	size_t n_problems;
	size_t n_problems_total;    /* including those that did not fit in problems[] */
	struct rtclab_packet_problem problems[RTCLAB_PACKET_MAX_PROBLEMS];
};

#define RTCLAB_TCP_FIN 0x01
#define RTCLAB_TCP_SYN 0x02
#define RTCLAB_TCP_RST 0x04
#define RTCLAB_TCP_PSH 0x08
#define RTCLAB_TCP_ACK 0x10

/* IPv4 reassembly state.  Memory is bounded: at most
 * RTCLAB_DEFRAG_MAX_DATAGRAMS datagrams in progress, each at most 65535
 * bytes; an incomplete datagram is dropped (and reported) after
 * RTCLAB_DEFRAG_TIMEOUT_NS of capture time or when a newer one needs its
 * slot.  Opaque; create and destroy with the functions below. */
#define RTCLAB_DEFRAG_MAX_DATAGRAMS 64
#define RTCLAB_DEFRAG_TIMEOUT_NS (30LL * 1000000000LL)
struct rtclab_defrag;
/* NULL when out of memory.  A datagram's buffers are allocated when its
 * first fragment arrives and released when it completes or is evicted. */
struct rtclab_defrag *rtclab_defrag_new(void);
void rtclab_defrag_free(struct rtclab_defrag *d);

/* Why an incomplete datagram was given up. */
enum rtclab_defrag_reason {
	RTCLAB_DEFRAG_TIMEOUT = 1,  /* no complete datagram within RTCLAB_DEFRAG_TIMEOUT_NS of its first fragment */
	RTCLAB_DEFRAG_NO_SLOT,      /* all slots busy: the oldest datagram made room for a new one */
	RTCLAB_DEFRAG_END,          /* still incomplete at the end of the capture (rtclab_defrag_flush) */
	RTCLAB_DEFRAG_INVALID,      /* fragments that cannot make a datagram (over 65535 bytes, two different ends) */
};

/* One datagram that never completed. */
struct rtclab_defrag_report {
	enum rtclab_defrag_reason reason;
	uint64_t first_frame, last_frame; /* its first and last fragment seen */
	int64_t first_ts_ns;
	struct rtclab_addr src, dst;      /* no ports */
	uint16_t id;                      /* IPv4 identification */
	uint8_t proto;
	unsigned n_fragments;
	uint32_t bytes_have;              /* payload bytes received */
	uint32_t bytes_total;             /* payload length, 0 while the last fragment is missing */
};

/* The reports are queued (the oldest RTCLAB_DEFRAG_MAX_REPORTS; more are
 * only counted).  Take the next one: false when there is none. */
#define RTCLAB_DEFRAG_MAX_REPORTS 64
bool rtclab_defrag_next_report(struct rtclab_defrag *d, struct rtclab_defrag_report *out);
/* Reports lost because the queue was full, since rtclab_defrag_new. */
uint64_t rtclab_defrag_reports_dropped(const struct rtclab_defrag *d);
/* At the end of a capture: give up every datagram still in progress
 * (reason RTCLAB_DEFRAG_END), so that each is reported. */
void rtclab_defrag_flush(struct rtclab_defrag *d);
/* "timed out", ...: a short phrase for a reason. */
const char *rtclab_defrag_reason_text(enum rtclab_defrag_reason reason);

/* Decode one frame.  The caller sets pkt->frame and pkt->ts_ns first (they
 * are kept, and the reassembly uses them); every other field is filled.
 * defrag may be NULL (fragments are then reported, not reassembled).  When a
 * fragment completes a datagram, pkt->payload points into defrag's buffer,
 * valid until the next call with the same defrag, and the offsets of the
 * problems found in the transport header count from the start of the
 * reassembled IP payload.  Overlapping fragments: the first copy of each
 * byte wins, and the packet says so.
 * Returns false only when the frame is not IP at all or cannot be read
 * (pkt->problems says why); true otherwise, even with problems. */
bool rtclab_packet_decode(struct rtclab_packet *pkt, enum rtclab_linktype linktype, const uint8_t *frame,
			  size_t caplen, uint32_t wire_len, struct rtclab_defrag *defrag);

/* "Ethernet", "Linux cooked (SLL)", ... ; NULL for a type rtclab does not read. */
const char *rtclab_linktype_name(int linktype);

#ifdef __cplusplus
}
#endif
#endif
