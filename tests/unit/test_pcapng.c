/* rtclab's own pcapng reader (lib/pcapng.c): hand-built files in both byte
 * orders (two link types interleaved, timestamp resolutions and offsets,
 * several sections, Simple and obsolete Packet Blocks, skipped blocks),
 * every malformed case with its message, and every pcapng fixture read
 * packet for packet against libpcap. */
#define _DEFAULT_SOURCE /* libpcap's headers use u_int and u_char */
#include <dirent.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/pcapng_internal.h"
#include "rtclab/packet.h"
#include "unit.h"


/* --- building pcapng files ------------------------------------------------------------------------ */

struct ng {
	uint8_t b[16384];
	size_t n;
	bool big; /* the byte order of the current section */
};

static void put8(struct ng *g, uint8_t v)
{
	CU_ASSERT_FATAL(g->n < sizeof g->b);
	g->b[g->n++] = v;
}

static void put16(struct ng *g, uint16_t v)
{
	for (int i = 0; i < 2; i++)
		put8(g, (uint8_t)(v >> (g->big ? 8 - 8 * i : 8 * i)));
}

static void put32(struct ng *g, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		put8(g, (uint8_t)(v >> (g->big ? 24 - 8 * i : 8 * i)));
}

static void put64(struct ng *g, uint64_t v)
{
	if (g->big) {
		put32(g, (uint32_t)(v >> 32));
		put32(g, (uint32_t)v);
	} else {
		put32(g, (uint32_t)v);
		put32(g, (uint32_t)(v >> 32));
	}
}

static void put_bytes(struct ng *g, const void *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		put8(g, ((const uint8_t *)p)[i]);
	while (g->n % 4)
		put8(g, 0);
}

static size_t begin(struct ng *g, uint32_t type)
{
	size_t start = g->n;
	put32(g, type);
	put32(g, 0);
	return start;
}

/* Pads, writes the total length at the end and patches it in at the start. */
static size_t end(struct ng *g, size_t start)
{
	while (g->n % 4)
		put8(g, 0);
	uint32_t total = (uint32_t)(g->n - start + 4);
	put32(g, total);
	size_t save = g->n;
	g->n = start + 4;
	put32(g, total);
	g->n = save;
	return start;
}

static size_t shb(struct ng *g, bool big)
{
	g->big = big;
	size_t s = begin(g, 0x0A0D0D0A);
	put32(g, 0x1A2B3C4D);
	put16(g, 1);
	put16(g, 0);
	put64(g, UINT64_MAX);
	return end(g, s);
}

#define NO_TSRESOL (-1)

/* An interface; tsresol is the raw if_tsresol byte or NO_TSRESOL. */
static size_t idb(struct ng *g, uint16_t linktype, uint32_t snaplen, int tsresol, int64_t tsoffset)
{
	size_t s = begin(g, 1);
	put16(g, linktype);
	put16(g, 0);
	put32(g, snaplen);
	if (tsresol != NO_TSRESOL) {
		put16(g, 9);
		put16(g, 1);
		uint8_t v = (uint8_t)tsresol;
		put_bytes(g, &v, 1);
	}
	if (tsoffset) {
		put16(g, 14);
		put16(g, 8);
		put64(g, (uint64_t)tsoffset);
	}
	put16(g, 2); /* if_name, an option that is skipped */
	put16(g, 3);
	put_bytes(g, "lo0", 3);
	put16(g, 0);
	put16(g, 0);
	return end(g, s);
}

static size_t epb(struct ng *g, uint32_t ifid, uint64_t ts, const void *data, uint32_t caplen, uint32_t wire)
{
	size_t s = begin(g, 6);
	put32(g, ifid);
	put32(g, (uint32_t)(ts >> 32));
	put32(g, (uint32_t)ts);
	put32(g, caplen);
	put32(g, wire);
	put_bytes(g, data, caplen);
	put16(g, 1); /* opt_comment */
	put16(g, 5);
	put_bytes(g, "hello", 5);
	put16(g, 0);
	put16(g, 0);
	return end(g, s);
}

static size_t spb(struct ng *g, const void *data, uint32_t stored, uint32_t wire)
{
	size_t s = begin(g, 3);
	put32(g, wire);
	put_bytes(g, data, stored);
	return end(g, s);
}

static size_t opb(struct ng *g, uint16_t ifid, uint64_t ts, const void *data, uint32_t caplen, uint32_t wire)
{
	size_t s = begin(g, 2);
	put16(g, ifid);
	put16(g, 0); /* drops */
	put32(g, (uint32_t)(ts >> 32));
	put32(g, (uint32_t)ts);
	put32(g, caplen);
	put32(g, wire);
	put_bytes(g, data, caplen);
	return end(g, s);
}

/* Any other block, with a body of len bytes of x. */
static size_t other(struct ng *g, uint32_t type, size_t len)
{
	size_t s = begin(g, type);
	for (size_t i = 0; i < len; i++)
		put8(g, 'x');
	return end(g, s);
}

/* Overwrite the 32-bit field at byte `at` (in the byte order of the section). */
static void patch32(struct ng *g, size_t at, uint32_t v)
{
	size_t save = g->n;
	g->n = at;
	put32(g, v);
	g->n = save;
}

/* --- frames ------------------------------------------------------------------------------------------- */

static uint8_t STUN_REQ[] = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

/* IPv4 + UDP 192.0.2.1:5000 -> 192.0.2.2:3478 around STUN_REQ, behind an Ethernet header when eth. */
static size_t frame(uint8_t *p, bool eth)
{
	size_t k = 0;
	if (eth) {
		static const uint8_t hdr[14] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00};
		memcpy(p, hdr, 14);
		k = 14;
	}
	size_t total = 28 + sizeof STUN_REQ;
	uint8_t ip[28] = {0x45, 0, 0, (uint8_t)total, 0, 1, 0, 0, 64, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2,
			  0x13, 0x88, 0x0d, 0x96, 0, (uint8_t)(8 + sizeof STUN_REQ), 0, 0};
	uint32_t sum = 0;
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)ip[i] << 8 | ip[i + 1];
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	ip[10] = (uint8_t)(~sum >> 8);
	ip[11] = (uint8_t)~sum;
	memcpy(p + k, ip, 28);
	memcpy(p + k + 28, STUN_REQ, sizeof STUN_REQ);
	return k + total;
}

/* --- reading -------------------------------------------------------------------------------------------- */

#define MAX_GOT 16

struct got {
	bool opened;
	size_t n;
	struct {
		uint8_t data[256];
		struct rtclab_pcapng_packet p;
	} pk[MAX_GOT];
	enum rtclab_pcapng_status last;
	char err[RTCLAB_PCAPNG_ERRLEN];
};

/* Write len bytes to a temporary file and read them all; head_len bytes
 * are taken from the file first and handed to open (as a caller that
 * sniffed the magic number would). */
static void read_all(const void *file, size_t len, size_t head_len, struct got *g)
{
	memset(g, 0, sizeof *g);
	FILE *f = tmpfile();
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(fwrite(file, 1, len, f), len);
	rewind(f);
	uint8_t head[16];
	CU_ASSERT_FATAL(head_len <= sizeof head && head_len <= len);
	CU_ASSERT_EQUAL(fread(head, 1, head_len, f), head_len);
	struct rtclab_pcapng *r = rtclab_pcapng_open(f, head, head_len, g->err, sizeof g->err);
	g->opened = r != NULL;
	if (r) {
		struct rtclab_pcapng_packet p;
		while ((g->last = rtclab_pcapng_next(r, &p, g->err, sizeof g->err)) == RTCLAB_PCAPNG_PACKET) {
			CU_ASSERT_FATAL(g->n < MAX_GOT && p.caplen <= sizeof g->pk[0].data);
			CU_ASSERT_PTR_NOT_NULL(p.data);
			memcpy(g->pk[g->n].data, p.data, p.caplen);
			g->pk[g->n].p = p;
			g->n++;
		}
		char err2[8] = "";
		CU_ASSERT_EQUAL(rtclab_pcapng_next(r, &p, err2, sizeof err2), RTCLAB_PCAPNG_END); /* and END again */
		rtclab_pcapng_close(r);
	}
	fclose(f);
}

static void read_ng(const struct ng *g, struct got *out)
{
	read_all(g->b, g->n, 0, out);
}

/* The file reads to its end with n packets. */
#define READS(got, count)                                                                                          \
	do {                                                                                                       \
		CHECKF((got)->opened && (got)->last == RTCLAB_PCAPNG_END && (got)->n == (count),                   \
		       "opened %d, %zu packets (want %d), last %d: \"%s\"", (got)->opened, (got)->n, (int)(count), \
		       (int)(got)->last, (got)->err);                                                               \
	} while (0)

/* n packets, then this error. */
#define FAILS_AFTER(got, count, msg)                                                                               \
	do {                                                                                                       \
		CHECKF((got)->opened && (got)->last == RTCLAB_PCAPNG_ERROR && (got)->n == (count) &&               \
			       strcmp((got)->err, (msg)) == 0,                                                      \
		       "opened %d, %zu packets (want %d), last %d: \"%s\", want \"%s\"", (got)->opened, (got)->n,  \
		       (int)(count), (int)(got)->last, (got)->err, (msg));                                         \
	} while (0)

/* Open fails with this message. */
#define OPEN_FAILS(got, msg)                                                                                       \
	do {                                                                                                       \
		CHECKF(!(got)->opened && strcmp((got)->err, (msg)) == 0, "opened %d: \"%s\", want \"%s\"",         \
		       (got)->opened, (got)->err, (msg));                                                           \
	} while (0)

static struct got G; /* large: not on the stack */

/* --- well-formed files ----------------------------------------------------------------------------------- */

/* Ethernet and raw IPv4 interfaces, packets interleaved, in both byte
 * orders: each packet comes with its own link type and decodes. */
static void test_two_linktypes_interleaved(void)
{
	for (int big = 0; big <= 1; big++) {
		static struct ng g;
		memset(&g, 0, sizeof g);
		uint8_t eth[128], raw[128];
		size_t eth_len = frame(eth, true), raw_len = frame(raw, false);
		shb(&g, big);
		idb(&g, 1, 65535, NO_TSRESOL, 0);
		epb(&g, 0, 1700000000000000ull, eth, (uint32_t)eth_len, (uint32_t)eth_len);
		idb(&g, 101, 65535, NO_TSRESOL, 0); /* after a packet */
		epb(&g, 1, 1700000000000001ull, raw, (uint32_t)raw_len, (uint32_t)raw_len);
		epb(&g, 0, 1700000000000002ull, eth, (uint32_t)eth_len, (uint32_t)eth_len);
		epb(&g, 1, 1700000000000003ull, raw, (uint32_t)raw_len, (uint32_t)raw_len);
		read_all(g.b, g.n, big ? 4 : 0, &G); /* the big-endian one with its magic taken first */
		READS(&G, 4);
		for (size_t i = 0; i < G.n && i < 4; i++) {
			const struct rtclab_pcapng_packet *p = &G.pk[i].p;
			bool is_eth = i % 2 == 0;
			CHECKF(p->linktype == (is_eth ? RTCLAB_LINK_ETHERNET : RTCLAB_LINK_RAW), "big %d packet %zu: link type %d",
			       big, i, (int)p->linktype);
			CU_ASSERT_EQUAL(p->frame, i + 1);
			CU_ASSERT_EQUAL(p->interface, is_eth ? 0 : 1);
			CU_ASSERT_EQUAL(p->section, 0);
			CU_ASSERT_EQUAL(p->caplen, is_eth ? eth_len : raw_len);
			CU_ASSERT_EQUAL(p->wire_len, p->caplen);
			CU_ASSERT_EQUAL(p->ts_ns, 1700000000000000000ll + (int64_t)i * 1000);
			CU_ASSERT(memcmp(G.pk[i].data, is_eth ? eth : raw, p->caplen) == 0);
			struct rtclab_packet pkt;
			pkt.frame = p->frame;
			pkt.ts_ns = p->ts_ns;
			CU_ASSERT(rtclab_packet_decode(&pkt, p->linktype, G.pk[i].data, p->caplen, p->wire_len, NULL));
			CHECKF(pkt.l4 == RTCLAB_L4_UDP && pkt.n_problems == 0 && pkt.payload.len == sizeof STUN_REQ &&
				       memcmp(pkt.payload.ptr, STUN_REQ, sizeof STUN_REQ) == 0 && pkt.src.port == 5000 &&
				       pkt.dst.port == 3478,
			       "big %d packet %zu: l4 %d, %zu problems, payload %zu bytes", big, i, (int)pkt.l4,
			       pkt.n_problems, pkt.payload.len);
		}
	}
}

/* The first interface is known after open, and a file of interfaces only reads to END. */
static void test_first_interface(void)
{
	static struct ng g;
	memset(&g, 0, sizeof g);
	shb(&g, false);
	other(&g, 4, 8); /* a Name Resolution Block first */
	idb(&g, 113, 1234, NO_TSRESOL, 0);
	idb(&g, 1, 65535, NO_TSRESOL, 0);
	FILE *f = tmpfile();
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fwrite(g.b, 1, g.n, f);
	rewind(f);
	char err[RTCLAB_PCAPNG_ERRLEN];
	struct rtclab_pcapng *r = rtclab_pcapng_open(f, NULL, 0, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	int lt = 0;
	uint32_t snaplen = 0;
	CU_ASSERT(rtclab_pcapng_first_interface(r, &lt, &snaplen));
	CU_ASSERT_EQUAL(lt, 113);
	CU_ASSERT_EQUAL(snaplen, 1234);
	struct rtclab_pcapng_packet p;
	CU_ASSERT_EQUAL(rtclab_pcapng_next(r, &p, err, sizeof err), RTCLAB_PCAPNG_END);
	rtclab_pcapng_close(r);
	fclose(f);

	/* a section without any interface */
	memset(&g, 0, sizeof g);
	shb(&g, true);
	f = tmpfile();
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fwrite(g.b, 1, g.n, f);
	rewind(f);
	r = rtclab_pcapng_open(f, NULL, 0, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_FALSE(rtclab_pcapng_first_interface(r, &lt, &snaplen));
	CU_ASSERT_EQUAL(rtclab_pcapng_next(r, &p, err, sizeof err), RTCLAB_PCAPNG_END);
	rtclab_pcapng_close(r);
	fclose(f);
}

/* if_tsresol 10^-9, 2^-20, 2^-40, 10^-3, 10^-12, the default microseconds, and if_tsoffset. */
static void test_timestamps(void)
{
	static struct ng g;
	for (int big = 0; big <= 1; big++) {
		memset(&g, 0, sizeof g);
		uint8_t raw[128];
		uint32_t len = (uint32_t)frame(raw, false);
		shb(&g, big);
		idb(&g, 101, 0, 9, 0);            /* 0: nanoseconds */
		idb(&g, 101, 0, 0x80 | 20, 0);    /* 1: 2^-20 s */
		idb(&g, 101, 0, 0x80 | 40, 0);    /* 2: 2^-40 s */
		idb(&g, 101, 0, 3, 0);            /* 3: milliseconds */
		idb(&g, 101, 0, 12, 0);           /* 4: picoseconds */
		idb(&g, 101, 0, NO_TSRESOL, 100); /* 5: microseconds, 100 s later */
		idb(&g, 101, 0, NO_TSRESOL, -50); /* 6: microseconds, 50 s earlier */
		epb(&g, 0, 1700000000123456789ull, raw, len, len);
		epb(&g, 1, (1700000000ull << 20) | (1u << 19), raw, len, len); /* .5 s */
		epb(&g, 1, (1700000000ull << 20) | 1u, raw, len, len);         /* 1/2^20 s = 953.67 ns */
		epb(&g, 2, (5ull << 40) | (3ull << 38), raw, len, len);         /* 5.75 s */
		epb(&g, 2, (5ull << 40) | ((1ull << 40) - 1), raw, len, len);   /* 5.999999999999 s */
		epb(&g, 3, 1700000000123ull, raw, len, len);
		epb(&g, 4, 1700000000123456789ull, raw, len, len); /* 1700000.000123456789 s */
		epb(&g, 5, 1500000, raw, len, len);
		epb(&g, 6, 1500000, raw, len, len);
		read_ng(&g, &G);
		READS(&G, 9);
		static const int64_t want[] = {
			1700000000123456789ll, 1700000000500000000ll, 1700000000000000953ll,
			5750000000ll,          5999999999ll,          1700000000123000000ll,
			1700000000123456ll,    101500000000ll,        -48500000000ll,
		};
		for (size_t i = 0; i < G.n && i < 9; i++)
			CHECKF(G.pk[i].p.ts_ns == want[i], "big %d packet %zu: %" PRId64 " ns, want %" PRId64, big, i,
			       G.pk[i].p.ts_ns, want[i]);
	}
}

/* Two sections, the second big-endian: each has its own interfaces. */
static void test_two_sections(void)
{
	static struct ng g;
	memset(&g, 0, sizeof g);
	uint8_t eth[128], raw[128];
	uint32_t eth_len = (uint32_t)frame(eth, true), raw_len = (uint32_t)frame(raw, false);
	shb(&g, false);
	idb(&g, 1, 65535, NO_TSRESOL, 0);
	idb(&g, 1, 65535, NO_TSRESOL, 0);
	epb(&g, 1, 1000000, eth, eth_len, eth_len);
	shb(&g, true);
	idb(&g, 101, 65535, 9, 0);
	epb(&g, 0, 2000000000, raw, raw_len, raw_len);
	shb(&g, false);
	idb(&g, 1, 65535, NO_TSRESOL, 0);
	epb(&g, 0, 3000000, eth, eth_len, eth_len);
	read_ng(&g, &G);
	READS(&G, 3);
	CU_ASSERT_EQUAL(G.pk[0].p.linktype, RTCLAB_LINK_ETHERNET);
	CU_ASSERT_EQUAL(G.pk[0].p.section, 0);
	CU_ASSERT_EQUAL(G.pk[0].p.interface, 1);
	CU_ASSERT_EQUAL(G.pk[1].p.linktype, RTCLAB_LINK_RAW);
	CU_ASSERT_EQUAL(G.pk[1].p.section, 1);
	CU_ASSERT_EQUAL(G.pk[1].p.ts_ns, 2000000000);
	CU_ASSERT_EQUAL(G.pk[2].p.linktype, RTCLAB_LINK_ETHERNET);
	CU_ASSERT_EQUAL(G.pk[2].p.section, 2);
	CU_ASSERT_EQUAL(G.pk[2].p.ts_ns, 3000000000);
	CU_ASSERT_EQUAL(G.pk[2].p.frame, 3);

	/* the second section does not keep the first one's interface 1 */
	memset(&g, 0, sizeof g);
	shb(&g, false);
	idb(&g, 1, 65535, NO_TSRESOL, 0);
	idb(&g, 1, 65535, NO_TSRESOL, 0);
	epb(&g, 1, 1000000, eth, eth_len, eth_len);
	shb(&g, true);
	idb(&g, 101, 65535, NO_TSRESOL, 0);
	size_t at = epb(&g, 1, 2000000, raw, raw_len, raw_len);
	read_ng(&g, &G);
	char want[256];
	snprintf(want, sizeof want,
		 "frame 2: the packet is on interface 1, but its section describes only 1 interface (0 to 0) "
		 "(block at byte offset %zu)",
		 at);
	FAILS_AFTER(&G, 1, want);
}

/* Simple Packet Blocks (interface 0, cut to its snaplen, no time) and obsolete Packet Blocks. */
static void test_spb_opb(void)
{
	for (int big = 0; big <= 1; big++) {
		static struct ng g;
		memset(&g, 0, sizeof g);
		uint8_t eth[128], raw[128];
		uint32_t eth_len = (uint32_t)frame(eth, true), raw_len = (uint32_t)frame(raw, false);
		shb(&g, big);
		idb(&g, 1, 40, NO_TSRESOL, 0);
		idb(&g, 101, 0, 9, 0);
		spb(&g, eth, 40, eth_len);           /* cut to the snaplen of 40 */
		spb(&g, eth, 40, 30);                /* shorter than the snaplen: padding not packet data */
		opb(&g, 1, 7000000000ull, raw, raw_len, raw_len + 10);
		opb(&g, 0, 8000000, eth, 40, eth_len);
		read_ng(&g, &G);
		READS(&G, 4);
		CU_ASSERT_EQUAL(G.pk[0].p.caplen, 40);
		CU_ASSERT_EQUAL(G.pk[0].p.wire_len, eth_len);
		CU_ASSERT_EQUAL(G.pk[0].p.ts_ns, 0);
		CU_ASSERT_EQUAL(G.pk[0].p.interface, 0);
		CU_ASSERT_EQUAL(G.pk[0].p.linktype, RTCLAB_LINK_ETHERNET);
		CU_ASSERT(memcmp(G.pk[0].data, eth, 40) == 0);
		CU_ASSERT_EQUAL(G.pk[1].p.caplen, 30);
		CU_ASSERT_EQUAL(G.pk[1].p.wire_len, 30);
		CU_ASSERT_EQUAL(G.pk[2].p.linktype, RTCLAB_LINK_RAW);
		CU_ASSERT_EQUAL(G.pk[2].p.interface, 1);
		CU_ASSERT_EQUAL(G.pk[2].p.ts_ns, 7000000000);
		CU_ASSERT_EQUAL(G.pk[2].p.caplen, raw_len);
		CU_ASSERT_EQUAL(G.pk[2].p.wire_len, raw_len + 10);
		CU_ASSERT(memcmp(G.pk[2].data, raw, raw_len) == 0);
		CU_ASSERT_EQUAL(G.pk[3].p.ts_ns, 8000000000);
		CU_ASSERT_EQUAL(G.pk[3].p.caplen, 40);
		CU_ASSERT_EQUAL(G.pk[3].p.linktype, RTCLAB_LINK_ETHERNET);
		struct rtclab_packet pkt;
		pkt.frame = 3;
		pkt.ts_ns = 0;
		CU_ASSERT(rtclab_packet_decode(&pkt, G.pk[2].p.linktype, G.pk[2].data, G.pk[2].p.caplen,
					       G.pk[2].p.wire_len, NULL));
		CU_ASSERT_EQUAL(pkt.l4, RTCLAB_L4_UDP);
	}
}

/* Name Resolution, Interface Statistics, Decryption Secrets, custom and
 * unknown blocks are skipped, wherever they are. */
static void test_skipped_blocks(void)
{
	static struct ng g;
	memset(&g, 0, sizeof g);
	uint8_t raw[128];
	uint32_t len = (uint32_t)frame(raw, false);
	shb(&g, true);
	other(&g, 0x0A, 20);        /* Decryption Secrets */
	other(&g, 0x00000BAD, 13);  /* custom, copyable */
	idb(&g, 101, 0, NO_TSRESOL, 0);
	other(&g, 4, 0);            /* Name Resolution, empty */
	epb(&g, 0, 1, raw, len, len);
	other(&g, 5, 24);           /* Interface Statistics */
	other(&g, 0x40000BAD, 5);   /* custom, not copyable */
	other(&g, 0x12345678, 100); /* unknown */
	other(&g, 0x80000001, 4);   /* local use */
	epb(&g, 0, 2, raw, len, len);
	other(&g, 7, 8);            /* the obsolete IRIG timestamp block */
	read_ng(&g, &G);
	READS(&G, 2);
	CU_ASSERT_EQUAL(G.pk[1].p.ts_ns, 2000);
}

/* Packet data of every length up to 9 (padding 0 to 3 bytes), and an empty packet. */
static void test_padding(void)
{
	static struct ng g;
	memset(&g, 0, sizeof g);
	uint8_t data[16];
	for (int i = 0; i < 16; i++)
		data[i] = (uint8_t)(0xA0 + i);
	shb(&g, false);
	idb(&g, 101, 0, NO_TSRESOL, 0);
	for (uint32_t k = 0; k <= 9; k++)
		epb(&g, 0, k, data, k, k);
	read_ng(&g, &G);
	READS(&G, 10);
	for (size_t k = 0; k < G.n; k++)
		CU_ASSERT(G.pk[k].p.caplen == k && memcmp(G.pk[k].data, data, k) == 0);
}

/* --- malformed files ------------------------------------------------------------------------------------- */

/* A good little-endian start: SHB, Ethernet IDB, one packet.  Returns the length. */
static void good_start(struct ng *g, uint8_t *eth, uint32_t *eth_len)
{
	memset(g, 0, sizeof *g);
	*eth_len = (uint32_t)frame(eth, true);
	shb(g, false);
	idb(g, 1, 65535, NO_TSRESOL, 0);
	epb(g, 0, 1000000, eth, *eth_len, *eth_len);
}

static void test_bad_lengths(void)
{
	static struct ng g;
	uint8_t eth[128];
	uint32_t len;
	char want[512];

	/* a total length that is not a multiple of 4 */
	good_start(&g, eth, &len);
	size_t at = epb(&g, 0, 2, eth, len, len);
	patch32(&g, at + 4, (uint32_t)(g.n - at) + 1);
	read_ng(&g, &G);
	snprintf(want, sizeof want,
		 "frame 2: the total length of the Enhanced Packet Block, %zu, is not a multiple of 4 (block at byte "
		 "offset %zu)",
		 g.n - at + 1, at);
	FAILS_AFTER(&G, 1, want);

	/* less than 12 */
	good_start(&g, eth, &len);
	at = other(&g, 4, 0);
	patch32(&g, at + 4, 8);
	read_ng(&g, &G);
	snprintf(want, sizeof want,
		 "block at byte offset %zu: the total length of the Name Resolution Block, 8, is less than its "
		 "minimum of 12",
		 at);
	FAILS_AFTER(&G, 1, want);

	/* less than the fixed part of an EPB */
	good_start(&g, eth, &len);
	at = other(&g, 6, 12);
	read_ng(&g, &G);
	snprintf(want, sizeof want,
		 "frame 2: the total length of the Enhanced Packet Block, 24, is less than its minimum of 32 (block "
		 "at byte offset %zu)",
		 at);
	FAILS_AFTER(&G, 1, want);

	/* more than the maximum block size (the body is not even read) */
	good_start(&g, eth, &len);
	at = other(&g, 0x12345678, 4);
	patch32(&g, at + 4, RTCLAB_PCAPNG_MAX_BLOCK + 4);
	read_ng(&g, &G);
	snprintf(want, sizeof want,
		 "block at byte offset %zu: the total length of the block of type 0x12345678, 16777220, is more than "
		 "the 16777216 bytes rtclab reads in one block",
		 at);
	FAILS_AFTER(&G, 1, want);

	/* the trailing length differs */
	good_start(&g, eth, &len);
	at = epb(&g, 0, 2, eth, len, len);
	size_t total = g.n - at;
	patch32(&g, g.n - 4, (uint32_t)total + 4);
	read_ng(&g, &G);
	snprintf(want, sizeof want,
		 "frame 2: the total length at the end of the Enhanced Packet Block, %zu, differs from the %zu at its "
		 "start (block at byte offset %zu)",
		 total + 4, total, at);
	FAILS_AFTER(&G, 1, want);

	/* in a big-endian section too */
	memset(&g, 0, sizeof g);
	shb(&g, true);
	at = idb(&g, 1, 65535, NO_TSRESOL, 0);
	patch32(&g, g.n - 4, 1);
	read_ng(&g, &G);
	snprintf(want, sizeof want,
		 "block at byte offset %zu: the total length at the end of the Interface Description Block, 1, "
		 "differs from the %zu at its start",
		 at, g.n - at);
	OPEN_FAILS(&G, want);

	/* the captured length goes past the block (EPB and OPB), the SPB's snaplen-cut length too */
	good_start(&g, eth, &len);
	at = epb(&g, 0, 2, eth, len, len);
	patch32(&g, at + 20, len + 100);
	read_ng(&g, &G);
	snprintf(want, sizeof want,
		 "frame 2: the captured length, %u, is more than the %zu bytes of packet data the block holds (block "
		 "at byte offset %zu)",
		 len + 100, (size_t)((len + 3) / 4 * 4 + 16), at); /* the data and the options after it */
	FAILS_AFTER(&G, 1, want);
	good_start(&g, eth, &len);
	at = opb(&g, 0, 2, eth, len, len);
	patch32(&g, at + 20, len + 4); /* not len + 1: that still fits in the padding */
	read_ng(&g, &G);
	snprintf(want, sizeof want,
		 "frame 2: the captured length, %u, is more than the %zu bytes of packet data the block holds (block "
		 "at byte offset %zu)",
		 len + 4, (size_t)((len + 3) / 4 * 4), at);
	FAILS_AFTER(&G, 1, want);
	good_start(&g, eth, &len);
	at = spb(&g, eth, 20, 100);
	read_ng(&g, &G);
	snprintf(want, sizeof want,
		 "frame 2: the captured length, 100 (the original length cut to the snaplen), is more than the 20 "
		 "bytes of packet data the block holds (block at byte offset %zu)",
		 at);
	FAILS_AFTER(&G, 1, want);
}

static void test_bad_interfaces(void)
{
	static struct ng g;
	uint8_t eth[128];
	uint32_t len;
	char want[512];

	/* interface id out of range */
	good_start(&g, eth, &len);
	idb(&g, 101, 65535, NO_TSRESOL, 0);
	epb(&g, 1, 2, eth, len, len);
	size_t at = epb(&g, 2, 3, eth, len, len);
	read_ng(&g, &G);
	snprintf(want, sizeof want,
		 "frame 3: the packet is on interface 2, but its section describes only 2 interfaces (0 to 1) (block at "
		 "byte offset %zu)",
		 at);
	FAILS_AFTER(&G, 2, want);

	/* a packet before any interface (in open: reported by next) */
	memset(&g, 0, sizeof g);
	shb(&g, false);
	at = spb(&g, eth, 8, 8);
	read_ng(&g, &G);
	snprintf(want, sizeof want,
		 "frame 1: the packet is on interface 0, but no Interface Description Block came before it in its "
		 "section (block at byte offset %zu)",
		 at);
	FAILS_AFTER(&G, 0, want);

	/* a link type rtclab does not decode: only its packets are an error */
	good_start(&g, eth, &len);
	idb(&g, 147, 65535, NO_TSRESOL, 0); /* LINKTYPE_USER0 */
	epb(&g, 0, 2, eth, len, len);
	at = epb(&g, 1, 3, eth, len, len);
	read_ng(&g, &G);
	snprintf(want, sizeof want,
		 "frame 3: interface 1 has link type 147, which rtclab does not decode; it reads Ethernet, Linux "
		 "cooked SLL and SLL2, raw IP and BSD loopback (block at byte offset %zu)",
		 at);
	FAILS_AFTER(&G, 2, want);

	/* bad options */
	static const struct {
		uint16_t code, len;
		uint8_t value[12];
		const char *msg;
	} OPTS[] = {
		{9, 2, {6, 0}, "option if_tsresol has 2 bytes, not 1"},
		{9, 1, {20}, "option if_tsresol says units of 10^-20 seconds; rtclab counts at most 10^19 units a second"},
		{9, 1, {0x80 | 64}, "option if_tsresol says units of 2^-64 seconds; rtclab counts at most 2^63 units a second"},
		{14, 4, {0}, "option if_tsoffset has 4 bytes, not 8"},
		{2, 200, {0}, "Interface Description Block option 2 at byte 16 of the block has 200 bytes, more than the block holds"},
	};
	for (size_t i = 0; i < sizeof OPTS / sizeof OPTS[0]; i++) {
		good_start(&g, eth, &len);
		size_t s = begin(&g, 1);
		put16(&g, 1);
		put16(&g, 0);
		put32(&g, 0);
		put16(&g, OPTS[i].code);
		put16(&g, OPTS[i].len);
		put_bytes(&g, OPTS[i].value, OPTS[i].len < 12 ? OPTS[i].len : 12);
		end(&g, s);
		epb(&g, 0, 2, eth, len, len);
		read_ng(&g, &G);
		snprintf(want, sizeof want, "block at byte offset %zu: %s", s, OPTS[i].msg);
		FAILS_AFTER(&G, 1, want);
	}
	/* if_tsresol twice */
	good_start(&g, eth, &len);
	size_t s = begin(&g, 1);
	put16(&g, 1);
	put16(&g, 0);
	put32(&g, 0);
	for (int k = 0; k < 2; k++) {
		put16(&g, 9);
		put16(&g, 1);
		put_bytes(&g, "\x09", 1);
	}
	end(&g, s);
	read_ng(&g, &G);
	snprintf(want, sizeof want,
		 "block at byte offset %zu: option if_tsresol appears twice (the second has 1 byte)", s);
	FAILS_AFTER(&G, 1, want);

	/* a timestamp beyond 2262 */
	good_start(&g, eth, &len);
	idb(&g, 1, 0, 0, 0); /* whole seconds */
	at = epb(&g, 1, 10000000000ull, eth, len, len);
	read_ng(&g, &G);
	snprintf(want, sizeof want,
		 "frame 2: the timestamp 10000000000 in units of 10^-0 s, offset by 0 s, is out of the range rtclab "
		 "counts in nanoseconds, the years 1678 to 2262 (block at byte offset %zu)",
		 at);
	FAILS_AFTER(&G, 1, want);
}

static void test_truncated(void)
{
	static struct ng g;
	uint8_t eth[128];
	uint32_t len;
	char want[512];

	/* in the middle of a packet block: every packet before it first */
	good_start(&g, eth, &len);
	epb(&g, 0, 2, eth, len, len);
	size_t at = epb(&g, 0, 3, eth, len, len);
	size_t total = g.n - at;
	read_all(g.b, at + 40, 0, &G);
	snprintf(want, sizeof want,
		 "frame 3: the file ends in the middle of a pcapng block: 40 of the %zu bytes of the Enhanced Packet "
		 "Block (block at byte offset %zu)",
		 total, at);
	FAILS_AFTER(&G, 2, want);

	/* in its header */
	read_all(g.b, at + 6, 0, &G);
	snprintf(want, sizeof want,
		 "frame 3: the file ends in the middle of a pcapng block: 6 of the 8 bytes of the Enhanced Packet "
		 "Block's header (block at byte offset %zu)",
		 at);
	FAILS_AFTER(&G, 2, want);
	read_all(g.b, at + 3, 0, &G);
	snprintf(want, sizeof want,
		 "block at byte offset %zu: the file ends in the middle of a pcapng block: 3 of the 8 bytes of a block "
		 "header",
		 at);
	FAILS_AFTER(&G, 2, want);

	/* in a skipped block, and in a second section header */
	good_start(&g, eth, &len);
	at = other(&g, 5, 40);
	read_all(g.b, at + 20, 0, &G);
	snprintf(want, sizeof want,
		 "block at byte offset %zu: the file ends in the middle of a pcapng block: 20 of the 52 bytes of the "
		 "Interface Statistics Block",
		 at);
	FAILS_AFTER(&G, 1, want);
	good_start(&g, eth, &len);
	at = shb(&g, true);
	read_all(g.b, at + 10, 0, &G);
	snprintf(want, sizeof want,
		 "block at byte offset %zu: the file ends in the middle of a pcapng block: 10 of the 12 bytes of the "
		 "Section Header Block's header",
		 at);
	FAILS_AFTER(&G, 1, want);

	/* a block that claims the largest size but is short: the buffer grows only with what arrives */
	good_start(&g, eth, &len);
	at = other(&g, 0x0BAD, 8);
	patch32(&g, at + 4, RTCLAB_PCAPNG_MAX_BLOCK);
	read_all(g.b, g.n, 0, &G);
	snprintf(want, sizeof want,
		 "block at byte offset %zu: the file ends in the middle of a pcapng block: 20 of the 16777216 bytes of "
		 "the Custom Block",
		 at);
	FAILS_AFTER(&G, 1, want);

	/* before any packet: open fails */
	good_start(&g, eth, &len);
	read_all(g.b, 30, 0, &G); /* 28 of SHB, 2 of the IDB */
	OPEN_FAILS(&G, "block at byte offset 28: the file ends inside the pcapng section or interface header: 2 of the 8 "
		       "bytes of a block header");
	read_all(g.b, 40, 0, &G);
	snprintf(want, sizeof want,
		 "block at byte offset 28: the file ends inside the pcapng section or interface header: 12 of the %u "
		 "bytes of the Interface Description Block",
		 (unsigned)(g.b[32] | g.b[33] << 8));
	OPEN_FAILS(&G, want);
	read_all(g.b, 20, 0, &G);
	OPEN_FAILS(&G, "block at byte offset 0: the file ends inside the pcapng section or interface header: 20 of the 28 "
		       "bytes of the Section Header Block");
	read_all(g.b, 0, 0, &G);
	OPEN_FAILS(&G, "block at byte offset 0: the file is empty");
}

static void test_not_pcapng(void)
{
	static struct ng g;
	static const uint8_t pcap[24] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0};
	read_all(pcap, sizeof pcap, 4, &G);
	OPEN_FAILS(&G, "block at byte offset 0: not a pcapng file: it starts with d4 c3 b2 a1, not a Section Header "
		       "Block (0a 0d 0d 0a)");

	/* a bad byte-order magic */
	memset(&g, 0, sizeof g);
	shb(&g, false);
	g.b[8] = 0x4E;
	read_ng(&g, &G);
	OPEN_FAILS(&G, "block at byte offset 0: the byte-order magic is 0x4e3c2b1a, neither 0x1A2B3C4D nor 0x4D3C2B1A");

	/* version 2 */
	memset(&g, 0, sizeof g);
	shb(&g, true);
	g.b[13] = 2;
	read_ng(&g, &G);
	OPEN_FAILS(&G, "block at byte offset 0: pcapng version 2.0: rtclab reads version 1");

	/* a bad second section */
	uint8_t eth[128];
	uint32_t len;
	good_start(&g, eth, &len);
	size_t at = shb(&g, true);
	g.b[at + 9] = 0;
	read_ng(&g, &G);
	char want[256];
	snprintf(want, sizeof want,
		 "block at byte offset %zu: the byte-order magic is 0x1a003c4d, neither 0x1A2B3C4D nor 0x4D3C2B1A",
		 at);
	FAILS_AFTER(&G, 1, want);
}

/* --- the fixtures, against libpcap ------------------------------------------------------------------------- */

/* Every pcapng file of tests/fixtures/pcap/ that libpcap reads (all its
 * interfaces have one link type), whatever its name. */
static const char *const PCAPNG_FIXTURES[] = {
	"ndpi_stun.pcap",
	"ndpi_stun_dtls_rtp.pcapng",
	"ndpi_stun_dtls_unidirectional_client.pcap",
	"ndpi_stun_dtls_unidirectional_server.pcap",
	"ndpi_stun_google_meet.pcapng",
	"ndpi_stun_msteams_unidir.pcapng",
	"ndpi_stun_signal.pcapng",
	"ndpi_stun_tcp_multiple_msgs_same_pkt.pcap",
	"ndpi_stun_wa_call.pcapng",
	"ndpi_stun_zoom.pcapng",
	"ndpi_telegram_videocall.pcapng",
};
#define N_FIXTURES (sizeof PCAPNG_FIXTURES / sizeof PCAPNG_FIXTURES[0])

static void fixture_path(char *buf, size_t len, const char *name)
{
	const char *dir = getenv("RTCLAB_FIXTURES");
	snprintf(buf, len, "%s/pcap/%s", dir ? dir : "tests/fixtures", name);
}

static int dlt_to_linktype(int dlt)
{
	return dlt == DLT_RAW ? RTCLAB_LINK_RAW : dlt;
}

static void test_fixtures_match_libpcap(void)
{
	for (size_t i = 0; i < N_FIXTURES; i++) {
		const char *name = PCAPNG_FIXTURES[i];
		char path[1024], errbuf[PCAP_ERRBUF_SIZE] = "", err[RTCLAB_PCAPNG_ERRLEN] = "";
		fixture_path(path, sizeof path, name);
		pcap_t *pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
		CHECKF(pc != NULL, "%s: libpcap: %s", name, errbuf);
		FILE *f = fopen(path, "rb");
		CHECKF(f != NULL, "%s: cannot open", name);
		struct rtclab_pcapng *r = f ? rtclab_pcapng_open(f, NULL, 0, err, sizeof err) : NULL;
		CHECKF(r != NULL, "%s: %s", name, err);
		if (!pc || !r) {
			if (pc)
				pcap_close(pc);
			rtclab_pcapng_close(r);
			if (f)
				fclose(f);
			continue;
		}
		int lt = -1;
		uint32_t snaplen = 0;
		CU_ASSERT(rtclab_pcapng_first_interface(r, &lt, &snaplen));
		CHECKF(lt == dlt_to_linktype(pcap_datalink(pc)) && (int)snaplen == pcap_snapshot(pc),
		       "%s: first interface %d/%u, libpcap %d/%d", name, lt, snaplen, pcap_datalink(pc),
		       pcap_snapshot(pc));
		uint64_t n = 0, differ = 0;
		enum rtclab_pcapng_status st;
		for (;;) {
			struct pcap_pkthdr *h;
			const u_char *data;
			struct rtclab_pcapng_packet p;
			int rc = pcap_next_ex(pc, &h, &data);
			st = rtclab_pcapng_next(r, &p, err, sizeof err);
			if (rc != 1 || st != RTCLAB_PCAPNG_PACKET) {
				CHECKF(rc == PCAP_ERROR_BREAK && st == RTCLAB_PCAPNG_END,
				       "%s: after %" PRIu64 " packets libpcap %d (%s), rtclab %d (%s)", name, n, rc,
				       rc == PCAP_ERROR ? pcap_geterr(pc) : "", (int)st, err);
				break;
			}
			n++;
			int64_t ts = (int64_t)h->ts.tv_sec * 1000000000 + h->ts.tv_usec;
			bool same = p.frame == n && p.ts_ns == ts && p.caplen == h->caplen && p.wire_len == h->len &&
				    (int)p.linktype == dlt_to_linktype(pcap_datalink(pc)) &&
				    memcmp(p.data, data, h->caplen) == 0;
			if (!same && differ++ == 0)
				CHECKF(false,
				       "%s frame %" PRIu64 ": rtclab %" PRId64 " ns %u/%u bytes, libpcap %" PRId64
				       " ns %u/%u bytes",
				       name, n, p.ts_ns, p.caplen, p.wire_len, ts, h->caplen, h->len);
		}
		CHECKF(differ == 0 && n > 0, "%s: %" PRIu64 " of %" PRIu64 " packets differ", name, differ, n);
		pcap_close(pc);
		rtclab_pcapng_close(r);
		fclose(f);
	}

	/* every pcapng file in the directory is in the list (or is the mixed one libpcap cannot read) */
	const char *dir = getenv("RTCLAB_FIXTURES");
	char path[1024];
	snprintf(path, sizeof path, "%s/pcap", dir ? dir : "tests/fixtures");
	DIR *d = opendir(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	size_t seen = 0;
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (e->d_name[0] == '.')
			continue;
		fixture_path(path, sizeof path, e->d_name);
		FILE *f = fopen(path, "rb");
		uint8_t magic[4] = {0};
		if (!f)
			continue;
		size_t got = fread(magic, 1, 4, f);
		fclose(f);
		if (got != 4 || memcmp(magic, "\x0a\x0d\x0d\x0a", 4) != 0)
			continue;
		bool listed = strcmp(e->d_name, "mixed_linktypes.pcapng") == 0;
		for (size_t i = 0; i < N_FIXTURES; i++)
			listed |= strcmp(e->d_name, PCAPNG_FIXTURES[i]) == 0;
		CHECKF(listed, "%s is pcapng but not in PCAPNG_FIXTURES", e->d_name);
		seen++;
	}
	closedir(d);
	CU_ASSERT_EQUAL(seen, N_FIXTURES + 1);
}

/* tests/fixtures/pcap/mixed_linktypes.pcapng (tests/tools/make_mixed_pcapng.c):
 * libpcap stops at its second interface; this reader returns all six
 * packets, each with its link type, each a STUN message over UDP. */
static void test_mixed_fixture(void)
{
	size_t req_len, resp_len;
	uint8_t *req = unit_fixture("stun/sample_request.bin", &req_len);
	uint8_t *resp = unit_fixture("stun/sample_ipv4_response.bin", &resp_len);
	char path[1024], errbuf[PCAP_ERRBUF_SIZE] = "", err[RTCLAB_PCAPNG_ERRLEN] = "";
	fixture_path(path, sizeof path, "mixed_linktypes.pcapng");
	FILE *f = fopen(path, "rb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	struct rtclab_pcapng *r = rtclab_pcapng_open(f, NULL, 0, err, sizeof err);
	CHECKF(r != NULL, "%s", err);
	if (r) {
		struct rtclab_pcapng_packet p;
		uint64_t n = 0;
		while (rtclab_pcapng_next(r, &p, err, sizeof err) == RTCLAB_PCAPNG_PACKET) {
			int k = (int)n++;
			CU_ASSERT_EQUAL(p.linktype, k % 2 ? RTCLAB_LINK_RAW : RTCLAB_LINK_ETHERNET);
			CU_ASSERT_EQUAL(p.ts_ns, 1700000000000000000ll + k * 1250000ll);
			struct rtclab_packet pkt;
			pkt.frame = p.frame;
			pkt.ts_ns = p.ts_ns;
			rtclab_packet_decode(&pkt, p.linktype, p.data, p.caplen, p.wire_len, NULL);
			bool is_resp = k / 2 == 1;
			const uint8_t *want = is_resp ? resp : req;
			size_t want_len = is_resp ? resp_len : req_len;
			CHECKF(pkt.l4 == RTCLAB_L4_UDP && pkt.n_problems == 0 && pkt.payload.len == want_len &&
				       memcmp(pkt.payload.ptr, want, want_len) == 0 &&
				       pkt.dst.port == (is_resp ? 32853 : 3478),
			       "frame %d: l4 %d, %zu problems, %zu payload bytes", k + 1, (int)pkt.l4, pkt.n_problems,
			       pkt.payload.len);
		}
		CHECKF(n == 6, "%" PRIu64 " packets: \"%s\"", n, err);
		rtclab_pcapng_close(r);
	}
	fclose(f);
	/* what libpcap 1.10 makes of it */
	pcap_t *pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pc);
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc = pcap_next_ex(pc, &h, &data);
	CHECKF(rc == PCAP_ERROR && strstr(pcap_geterr(pc), "different from the type of the first interface"),
	       "libpcap: %d %s", rc, rc == PCAP_ERROR ? pcap_geterr(pc) : "");
	pcap_close(pc);
	free(req);
	free(resp);
}

RTCLAB_SUITE(pcapng)
{
	static const struct unit_test tests[] = {
		{"Ethernet and raw IPv4 interleaved, both byte orders", test_two_linktypes_interleaved},
		{"first interface known after open", test_first_interface},
		{"if_tsresol and if_tsoffset", test_timestamps},
		{"several sections, each with its interfaces", test_two_sections},
		{"Simple and obsolete Packet Blocks", test_spb_opb},
		{"other blocks skipped", test_skipped_blocks},
		{"packet data padding", test_padding},
		{"bad lengths", test_bad_lengths},
		{"bad interfaces, options, link types, timestamps", test_bad_interfaces},
		{"truncated files", test_truncated},
		{"not pcapng, bad byte-order magic, version", test_not_pcapng},
		{"pcapng fixtures identical to libpcap", test_fixtures_match_libpcap},
		{"mixed link type fixture", test_mixed_fixture},
		{NULL, NULL},
	};
	unit_add_suite("pcapng", tests);
}
