/* Private: rtclab's own pcapng reader, for the files libpcap 1.10 cannot
 * read (interfaces with different link types in one file, see capture.h).
 *
 * It streams: blocks are read one at a time from a FILE* into one buffer
 * that grows to the largest block seen, at most RTCLAB_PCAPNG_MAX_BLOCK
 * bytes, plus a table of at most RTCLAB_PCAPNG_MAX_INTERFACES interfaces
 * (24 bytes each) for the current section.  The file is never held whole,
 * and it is never seeked, so a pipe works.
 *
 * Read: Section Header Blocks in either byte order (several sections, each
 * with its own interfaces and byte order), Interface Description Blocks
 * (link type, snaplen, if_tsresol and if_tsoffset), Enhanced, Simple and
 * obsolete Packet Blocks.  Every other block is skipped by its length.
 * Every length is checked against its block.
 *
 * Errors come back as text in the caller's buffer (RTCLAB_PCAPNG_ERRLEN is
 * enough), "frame N: ..." for a packet block, "block at byte offset X: ..."
 * for any other; they do not name the file (the caller adds it).  Every
 * complete packet before damage is returned before the error.
 */
#ifndef RTCLAB_PCAPNG_INTERNAL_H
#define RTCLAB_PCAPNG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rtclab/packet.h"

#ifndef RTCLAB_INTERNAL
#define RTCLAB_INTERNAL __attribute__((visibility("hidden")))
#endif

/* The largest block accepted (libpcap's own limit is the same). */
#define RTCLAB_PCAPNG_MAX_BLOCK (16u * 1024u * 1024u)
/* The most interfaces one section may describe. */
#define RTCLAB_PCAPNG_MAX_INTERFACES 65536u
#define RTCLAB_PCAPNG_ERRLEN 512

/* The block type of a Section Header Block: the first 4 bytes of every
 * pcapng file (the same in both byte orders). */
#define RTCLAB_PCAPNG_SHB_MAGIC 0x0A0D0D0Au

struct rtclab_pcapng;

struct rtclab_pcapng_packet {
	uint64_t frame;               /* 1-based number in the file (all sections) */
	const uint8_t *data;          /* caplen bytes, valid until the next call of next or close */
	uint32_t caplen;              /* bytes captured */
	uint32_t wire_len;            /* original length (may be less than caplen in a bad file) */
	int64_t ts_ns;                /* nanoseconds since the Unix epoch (0 + if_tsoffset for an SPB) */
	enum rtclab_linktype linktype; /* of its interface; always one rtclab_packet_decode reads */
	uint32_t interface;           /* interface id in its section */
	uint32_t section;             /* 0-based section number */
	uint64_t block_offset;        /* byte offset of its block in the file */
};

enum rtclab_pcapng_status {
	RTCLAB_PCAPNG_PACKET, /* *pkt is the next packet */
	RTCLAB_PCAPNG_END,    /* the end of the file */
	RTCLAB_PCAPNG_ERROR,  /* err says what is wrong and where; END from then on */
};

/* Start reading f, positioned at the start of the file.  head (may be
 * NULL) holds head_len bytes already taken from f (a sniffed magic number,
 * say), read again before f.  The Section Header Block and the blocks up to
 * the first Interface Description Block are read now.  NULL with a message
 * when the file is empty, is not pcapng, or is damaged before any packet
 * (including "the file ends inside ..."); also when out of memory.  f is not
 * closed by this reader. */
RTCLAB_INTERNAL struct rtclab_pcapng *rtclab_pcapng_open(FILE *f, const void *head, size_t head_len, char *err,
							 size_t errlen);

/* The next packet.  A packet on an interface whose link type rtclab does
 * not decode is an error naming the frame and the link type. */
RTCLAB_INTERNAL enum rtclab_pcapng_status rtclab_pcapng_next(struct rtclab_pcapng *r,
							     struct rtclab_pcapng_packet *pkt, char *err,
							     size_t errlen);

/* The link type and snaplen of the first interface of the file (for
 * rtclab_capture_linktype / _snaplen): false when open found no
 * Interface Description Block before the end of the file or a packet. */
RTCLAB_INTERNAL bool rtclab_pcapng_first_interface(const struct rtclab_pcapng *r, int *linktype,
						   uint32_t *snaplen);

/* Frees the reader, not f. */
RTCLAB_INTERNAL void rtclab_pcapng_close(struct rtclab_pcapng *r);

#endif
