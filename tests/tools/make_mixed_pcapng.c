/* Writes tests/fixtures/pcap/mixed_linktypes.pcapng: one pcapng section
 * (little-endian) with two interfaces of different link types, the case
 * libpcap 1.10 cannot read:
 *
 *   interface 0: Ethernet (LINKTYPE_ETHERNET 1), snaplen 262144, microseconds
 *   interface 1: raw IPv4 (LINKTYPE_RAW 101), snaplen 65535, if_tsresol 9 (nanoseconds)
 *
 * and six Enhanced Packet Blocks, alternating between the interfaces: on
 * each, a STUN Binding request from 192.0.2.1:32853 to 192.0.2.10:3478, its
 * success response, and the request again (a retransmission), as UDP over
 * IPv4 (UDP checksum 0).  The STUN messages are the RFC 5769 test vectors
 * (tests/fixtures/stun/sample_request.bin and sample_ipv4_response.bin,
 * whose XOR-MAPPED-ADDRESS is 192.0.2.1:32853).  Packet k (0-based) is at
 * 1700000000 s + k * 1.25 ms.
 *
 *   cc -std=c11 -D_POSIX_C_SOURCE=200809L -o build/make_mixed_pcapng tests/tools/make_mixed_pcapng.c
 *   build/make_mixed_pcapng tests/fixtures/stun/sample_request.bin \
 *       tests/fixtures/stun/sample_ipv4_response.bin tests/fixtures/pcap/mixed_linktypes.pcapng
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint8_t out[16384];
static size_t n;

static void le16(uint16_t v)
{
	out[n++] = (uint8_t)v;
	out[n++] = (uint8_t)(v >> 8);
}

static void le32(uint32_t v)
{
	le16((uint16_t)v);
	le16((uint16_t)(v >> 16));
}

static void bytes(const void *p, size_t len)
{
	memcpy(out + n, p, len);
	n += len;
	while (n % 4)
		out[n++] = 0;
}

/* Starts a block; end_block() writes its length at both ends. */
static size_t begin_block(uint32_t type)
{
	size_t start = n;
	le32(type);
	le32(0);
	return start;
}

static void end_block(size_t start)
{
	uint32_t total = (uint32_t)(n - start + 4);
	le32(total);
	size_t save = n;
	n = start + 4;
	le32(total);
	n = save;
}

static size_t read_file(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(1);
	}
	size_t len = fread(buf, 1, cap, f);
	fclose(f);
	if (len == 0 || len == cap) {
		fprintf(stderr, "%s: empty or too large\n", path);
		exit(1);
	}
	return len;
}

/* IPv4 + UDP around a payload; returns the length. */
static size_t ip_udp(uint8_t *p, const uint8_t src[4], const uint8_t dst[4], uint16_t sport, uint16_t dport,
		     const uint8_t *payload, size_t len)
{
	size_t total = 20 + 8 + len;
	uint8_t h[28] = {0x45, 0, (uint8_t)(total >> 8), (uint8_t)total, 0x12, 0x34, 0x40, 0, 64, 17};
	memcpy(h + 12, src, 4);
	memcpy(h + 16, dst, 4);
	uint32_t sum = 0;
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)h[i] << 8 | h[i + 1];
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	h[10] = (uint8_t)(~sum >> 8);
	h[11] = (uint8_t)~sum;
	h[20] = (uint8_t)(sport >> 8);
	h[21] = (uint8_t)sport;
	h[22] = (uint8_t)(dport >> 8);
	h[23] = (uint8_t)dport;
	h[24] = (uint8_t)((8 + len) >> 8);
	h[25] = (uint8_t)(8 + len);
	memcpy(p, h, 28);
	memcpy(p + 28, payload, len);
	return total;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s REQUEST.bin RESPONSE.bin OUT.pcapng\n", argv[0]);
		return 2;
	}
	uint8_t req[2048], resp[2048];
	size_t req_len = read_file(argv[1], req, sizeof req), resp_len = read_file(argv[2], resp, sizeof resp);
	static const uint8_t client[4] = {192, 0, 2, 1}, server[4] = {192, 0, 2, 10};
	static const uint8_t mac_client[6] = {0x02, 0, 0, 0, 0, 0x01}, mac_server[6] = {0x02, 0, 0, 0, 0, 0x0a};

	size_t b = begin_block(0x0A0D0D0A); /* Section Header Block */
	le32(0x1A2B3C4D);
	le16(1);
	le16(0);
	le32(0xFFFFFFFF); /* section length: not given */
	le32(0xFFFFFFFF);
	end_block(b);

	b = begin_block(1); /* interface 0: Ethernet */
	le16(1);
	le16(0);
	le32(262144);
	end_block(b);

	b = begin_block(1); /* interface 1: raw IPv4, nanosecond timestamps */
	le16(101);
	le16(0);
	le32(65535);
	le16(9); /* if_tsresol */
	le16(1);
	bytes((const uint8_t[]){9}, 1);
	le16(0); /* opt_endofopt */
	le16(0);
	end_block(b);

	for (int k = 0; k < 6; k++) {
		int ifid = k % 2, which = k / 2; /* 0 request, 1 response, 2 the request again */
		const uint8_t *msg = which == 1 ? resp : req;
		size_t msg_len = which == 1 ? resp_len : req_len;
		uint8_t frame[2200];
		size_t len = 0;
		if (ifid == 0) {
			memcpy(frame, which == 1 ? mac_client : mac_server, 6);
			memcpy(frame + 6, which == 1 ? mac_server : mac_client, 6);
			frame[12] = 0x08;
			frame[13] = 0x00;
			len = 14;
		}
		len += ip_udp(frame + len, which == 1 ? server : client, which == 1 ? client : server,
			      which == 1 ? 3478 : 32853, which == 1 ? 32853 : 3478, msg, msg_len);
		uint64_t ns = 1700000000ull * 1000000000ull + (uint64_t)k * 1250000u;
		uint64_t ts = ifid == 0 ? ns / 1000 : ns;
		b = begin_block(6); /* Enhanced Packet Block */
		le32((uint32_t)ifid);
		le32((uint32_t)(ts >> 32));
		le32((uint32_t)ts);
		le32((uint32_t)len);
		le32((uint32_t)len);
		bytes(frame, len);
		end_block(b);
	}

	FILE *f = fopen(argv[3], "wb");
	if (!f || fwrite(out, 1, n, f) != n || fclose(f) != 0) {
		perror(argv[3]);
		return 1;
	}
	return 0;
}
