/* libFuzzer target: rtclab's own pcapng reader (lib/pcapng.c) on a file in
 * memory (fmemopen), read twice: from the start, and with its first bytes
 * taken by the caller and handed to open (as capture.c does after sniffing
 * the magic number).  Both reads must agree.  Every packet is checked
 * (its bytes are read, so ASan sees any overrun of the block buffer) and
 * decoded with rtclab_packet_decode; every error must name a frame or a
 * block offset. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/pcapng_internal.h"
#include "rtclab/packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct summary {
	bool opened;
	uint64_t packets;
	uint64_t sum; /* of lengths, timestamps and bytes */
	enum rtclab_pcapng_status last;
	char err[RTCLAB_PCAPNG_ERRLEN];
};

static bool names_place(const char *err)
{
	return strncmp(err, "frame ", 6) == 0 || strncmp(err, "block at byte offset ", 21) == 0;
}

static void run(const uint8_t *data, size_t size, size_t head_len, struct summary *s)
{
	memset(s, 0, sizeof *s);
	FILE *f = fmemopen((void *)data, size, "rb");
	if (!f)
		abort();
	uint8_t head[8];
	if (fread(head, 1, head_len, f) != head_len)
		abort();
	struct rtclab_pcapng *r = rtclab_pcapng_open(f, head, head_len, s->err, sizeof s->err);
	s->opened = r != NULL;
	if (!r) {
		if (!names_place(s->err))
			abort();
		fclose(f);
		return;
	}
	int lt;
	uint32_t snaplen;
	(void)rtclab_pcapng_first_interface(r, &lt, &snaplen);
	struct rtclab_pcapng_packet p;
	while ((s->last = rtclab_pcapng_next(r, &p, s->err, sizeof s->err)) == RTCLAB_PCAPNG_PACKET) {
		s->packets++;
		if (p.frame != s->packets || !p.data || p.caplen > RTCLAB_PCAPNG_MAX_BLOCK || p.block_offset >= size ||
		    !rtclab_linktype_name(p.linktype))
			abort();
		uint64_t sum = p.caplen + p.wire_len + (uint64_t)p.ts_ns + p.interface + p.section;
		for (uint32_t i = 0; i < p.caplen; i++)
			sum = sum * 31 + p.data[i];
		s->sum += sum;
		struct rtclab_packet pkt;
		pkt.frame = p.frame;
		pkt.ts_ns = p.ts_ns;
		rtclab_packet_decode(&pkt, p.linktype, p.data, p.caplen, p.wire_len, NULL);
	}
	if (s->last == RTCLAB_PCAPNG_ERROR && !names_place(s->err))
		abort();
	char e2[4];
	if (rtclab_pcapng_next(r, &p, e2, sizeof e2) != RTCLAB_PCAPNG_END)
		abort();
	rtclab_pcapng_close(r);
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0) /* fmemopen may refuse an empty buffer */
		return 0;
	static struct summary a, b;
	run(data, size, 0, &a);
	run(data, size, size < 4 ? size : 4, &b);
	if (a.opened != b.opened || a.packets != b.packets || a.sum != b.sum || a.last != b.last ||
	    strcmp(a.err, b.err) != 0)
		abort();
	return 0;
}
