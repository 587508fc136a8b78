/* pcap_rewrite - derive test captures from an Ethernet/IPv4/TCP capture
 * (tests/fixtures/pcap/PROVENANCE says which were made with it).
 *
 *   pcap_rewrite split|reorder|retransmit IN.pcap OUT.pcap
 *
 * split       every TCP segment with 3 or more payload bytes becomes three
 *             segments, so that each WebSocket frame is split over several
 *             TCP segments;
 * reorder     every segment with 2 or more payload bytes becomes two, the
 *             second half written first (out of order);
 * retransmit  every segment with payload is written again (an exact
 *             retransmission), and one with 4 or more bytes a third time
 *             as its middle half only (an overlapping retransmission).
 *
 * Sequence numbers, IPv4 total length, IPv4 and TCP checksums are set for
 * each new segment; PSH and FIN stay on the last piece only.  Other packets
 * are copied.  Build by hand:
 *   cc -std=c11 -D_POSIX_C_SOURCE=200809L -o build/pcap_rewrite tests/tools/pcap_rewrite.c -lpcap
 */
#define _DEFAULT_SOURCE /* libpcap's headers use u_int and u_char */
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct layout {
	size_t ip, tcp, payload, len; /* offsets of each header and the payload; frame length */
};

/* Ethernet, IPv4, TCP: where each starts; false for anything else. */
static bool parse(const uint8_t *p, size_t caplen, uint32_t wire, struct layout *l)
{
	if (caplen != wire || caplen < 14 + 20 + 20 || p[12] != 0x08 || p[13] != 0x00)
		return false;
	l->ip = 14;
	size_t ihl = (size_t)(p[l->ip] & 0x0F) * 4;
	if ((p[l->ip] >> 4) != 4 || ihl < 20 || p[l->ip + 9] != 6)
		return false;
	size_t total = (size_t)p[l->ip + 2] << 8 | p[l->ip + 3];
	l->tcp = l->ip + ihl;
	if (l->tcp + 20 > caplen || l->ip + total > caplen)
		return false;
	size_t doff = (size_t)(p[l->tcp + 12] >> 4) * 4;
	l->payload = l->tcp + doff;
	l->len = l->ip + total;
	return doff >= 20 && l->payload <= l->len;
}

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xFFFF) + (s >> 16);
	return (uint16_t)~s;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Write the segment of `orig` with payload bytes [from, to), flags adjusted. */
static void emit(pcap_dumper_t *out, const struct pcap_pkthdr *h, const uint8_t *orig, const struct layout *l,
		 size_t from, size_t to, bool last, long usec)
{
	uint8_t buf[70000];
	size_t head = l->payload, n = to - from;
	memcpy(buf, orig, head);
	memcpy(buf + head, orig + head + from, n);
	uint8_t *ip = buf + l->ip, *tcp = buf + l->tcp;
	put16(ip + 2, (uint16_t)(head - l->ip + n));
	put16(ip + 10, 0);
	put16(ip + 10, fold(sum16(ip, l->tcp - l->ip, 0)));
	uint32_t seq = (uint32_t)tcp[4] << 24 | (uint32_t)tcp[5] << 16 | (uint32_t)tcp[6] << 8 | tcp[7];
	seq += (uint32_t)from;
	for (int i = 0; i < 4; i++)
		tcp[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
	if (!last)
		tcp[13] &= (uint8_t)~0x09; /* FIN and PSH only on the last piece */
	put16(tcp + 16, 0);
	size_t tcp_len = head - l->tcp + n;
	uint8_t pseudo[12];
	memcpy(pseudo, ip + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = 6;
	put16(pseudo + 10, (uint16_t)tcp_len);
	put16(tcp + 16, fold(sum16(tcp, tcp_len, sum16(pseudo, 12, 0))));
	struct pcap_pkthdr nh = *h;
	nh.ts.tv_usec += usec;
	while (nh.ts.tv_usec >= 1000000) {
		nh.ts.tv_usec -= 1000000;
		nh.ts.tv_sec++;
	}
	nh.caplen = nh.len = (bpf_u_int32)(head + n);
	pcap_dump((u_char *)out, &nh, buf);
}

int main(int argc, char **argv)
{
	if (argc != 4 || (strcmp(argv[1], "split") && strcmp(argv[1], "reorder") && strcmp(argv[1], "retransmit"))) {
		fprintf(stderr, "usage: pcap_rewrite split|reorder|retransmit IN.pcap OUT.pcap\n");
		return 2;
	}
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *in = pcap_open_offline(argv[2], err);
	if (!in) {
		fprintf(stderr, "pcap_rewrite: %s\n", err);
		return 1;
	}
	pcap_dumper_t *out = pcap_dump_open(in, argv[3]);
	if (!out) {
		fprintf(stderr, "pcap_rewrite: %s\n", pcap_geterr(in));
		return 1;
	}
	struct pcap_pkthdr *h;
	const u_char *p;
	int rc;
	while ((rc = pcap_next_ex(in, &h, &p)) == 1) {
		struct layout l;
		if (!parse(p, h->caplen, h->len, &l) || h->len > 65000) {
			pcap_dump((u_char *)out, h, p);
			continue;
		}
		size_t n = l.len - l.payload;
		if (!strcmp(argv[1], "split") && n >= 3) {
			emit(out, h, p, &l, 0, n / 3, false, 0);
			emit(out, h, p, &l, n / 3, 2 * n / 3, false, 1);
			emit(out, h, p, &l, 2 * n / 3, n, true, 2);
		} else if (!strcmp(argv[1], "reorder") && n >= 2) {
			emit(out, h, p, &l, n / 2, n, true, 0);
			emit(out, h, p, &l, 0, n / 2, false, 1);
		} else if (!strcmp(argv[1], "retransmit") && n >= 1) {
			emit(out, h, p, &l, 0, n, true, 0);
			emit(out, h, p, &l, 0, n, true, 100);
			if (n >= 4)
				emit(out, h, p, &l, n / 4, 3 * n / 4, false, 200);
		} else {
			emit(out, h, p, &l, 0, n, true, 0);
		}
	}
	pcap_dump_close(out);
	pcap_close(in);
	return rc == PCAP_ERROR_BREAK ? 0 : 1;
}
