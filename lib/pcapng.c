/* rtclab's own pcapng reader (see pcapng_internal.h): one block at a time
 * from a FILE*, every field read through the bounds-checked reader of
 * bytes.h.  The block structure is that of the pcapng specification
 * (draft-ietf-opsawg-pcapng): a 4-byte type, a 4-byte total length, the
 * body, and the total length again.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "pcapng_internal.h"
#include "rtclab/bytes.h"

#define BT_SHB RTCLAB_PCAPNG_SHB_MAGIC
#define BT_IDB 0x00000001u
#define BT_OPB 0x00000002u /* the obsolete Packet Block */
#define BT_SPB 0x00000003u
#define BT_NRB 0x00000004u
#define BT_ISB 0x00000005u
#define BT_EPB 0x00000006u
#define BT_DSB 0x0000000Au
#define BOM 0x1A2B3C4Du

#define OPT_ENDOFOPT 0
#define OPT_IF_TSRESOL 9
#define OPT_IF_TSOFFSET 14

#define NS_PER_SEC 1000000000u
#define READ_CHUNK 65536u

struct iface {
	int linktype;
	uint32_t snaplen;
	bool binary;      /* if_tsresol is 2^-exp (else 10^-exp) */
	unsigned exp;
	uint64_t units;   /* timestamp units per second */
	int64_t tsoffset; /* seconds added to every timestamp */
};

struct rtclab_pcapng {
	FILE *f;
	uint8_t *head; /* bytes the caller took from f already */
	size_t head_len, head_pos;
	uint8_t *buf;  /* the current block, whole */
	size_t cap;
	uint64_t offset;       /* file offset of the next byte to read */
	bool big;              /* the current section is big-endian */
	bool done;             /* END or ERROR returned: END from now on */
	bool pending;          /* buf holds a block that open read but did not process */
	bool opening;          /* in open: before the first interface */
	uint32_t type, total;  /* of the block in buf */
	uint64_t block_off;    /* its file offset */
	struct iface *ifaces;  /* of the current section */
	uint32_t n_ifaces, cap_ifaces;
	uint32_t sections;     /* Section Header Blocks seen */
	uint64_t frames;       /* packets returned */
	bool have_first;
	int first_linktype;
	uint32_t first_snaplen;
};

static bool is_packet_block(uint32_t type)
{
	return type == BT_EPB || type == BT_SPB || type == BT_OPB;
}

static const char *block_name(uint32_t type)
{
	switch (type) {
	case BT_SHB:
		return "Section Header Block";
	case BT_IDB:
		return "Interface Description Block";
	case BT_OPB:
		return "Packet Block (obsolete)";
	case BT_SPB:
		return "Simple Packet Block";
	case BT_NRB:
		return "Name Resolution Block";
	case BT_ISB:
		return "Interface Statistics Block";
	case BT_EPB:
		return "Enhanced Packet Block";
	case BT_DSB:
		return "Decryption Secrets Block";
	case 0x00000BADu:
	case 0x40000BADu:
		return "Custom Block";
	}
	return NULL;
}

/* The smallest total length of a block of this type: 12 for the common
 * header and trailer, plus the fixed part of its body. */
static uint32_t min_total(uint32_t type)
{
	switch (type) {
	case BT_SHB:
		return 28; /* byte-order magic, version, section length */
	case BT_IDB:
		return 20; /* link type, reserved, snaplen */
	case BT_EPB:
	case BT_OPB:
		return 32; /* interface, timestamp, two lengths */
	case BT_SPB:
		return 16; /* original length */
	}
	return 12;
}

/* An error about the block in r->buf (type known or not): "frame N: ...
 * (block at byte offset X)" for a packet block, else "block at byte offset
 * X: ...". */
__attribute__((format(printf, 5, 6))) static void fail(const struct rtclab_pcapng *r, bool type_known, char *err,
						       size_t errlen, const char *fmt, ...)
{
	if (!err || errlen == 0)
		return;
	char what[RTCLAB_PCAPNG_ERRLEN];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (type_known && is_packet_block(r->type))
		snprintf(err, errlen, "frame %" PRIu64 ": %s (block at byte offset %" PRIu64 ")", r->frames + 1, what,
			 r->block_off);
	else
		snprintf(err, errlen, "block at byte offset %" PRIu64 ": %s", r->block_off, what);
}

/* "the Enhanced Packet Block" or "the block of type 0x00000099". */
static const char *the_block(uint32_t type, char *buf, size_t len)
{
	const char *name = block_name(type);
	if (name)
		snprintf(buf, len, "the %s", name);
	else
		snprintf(buf, len, "the block of type 0x%08" PRIx32, type);
	return buf;
}

static uint32_t swap32(uint32_t v)
{
	return (v >> 24) | ((v >> 8) & 0xFF00u) | ((v << 8) & 0xFF0000u) | (v << 24);
}

static uint16_t rd16(const struct rtclab_pcapng *r, struct rtclab_reader *rd)
{
	uint16_t v = rtclab_read_be16(rd);
	return r->big ? v : (uint16_t)(v >> 8 | v << 8);
}

static uint32_t rd32(const struct rtclab_pcapng *r, struct rtclab_reader *rd)
{
	uint32_t v = rtclab_read_be32(rd);
	return r->big ? v : swap32(v);
}

static uint64_t rd64(const struct rtclab_pcapng *r, struct rtclab_reader *rd)
{
	uint64_t v = rtclab_read_be64(rd);
	if (r->big)
		return v;
	return (uint64_t)swap32((uint32_t)v) << 32 | swap32((uint32_t)(v >> 32));
}

/* Up to n bytes: first those the caller handed back, then from the file. */
static size_t read_bytes(struct rtclab_pcapng *r, uint8_t *dst, size_t n)
{
	size_t got = 0;
	if (r->head_pos < r->head_len) {
		size_t k = r->head_len - r->head_pos;
		if (k > n)
			k = n;
		memcpy(dst, r->head + r->head_pos, k);
		r->head_pos += k;
		got = k;
	}
	if (got < n)
		got += fread(dst + got, 1, n - got, r->f);
	r->offset += got;
	return got;
}

static bool grow(struct rtclab_pcapng *r, size_t need)
{
	if (need <= r->cap)
		return true;
	size_t cap = r->cap ? r->cap : 4096;
	while (cap < need)
		cap *= 2;
	uint8_t *p = realloc(r->buf, cap);
	if (!p)
		return false;
	r->buf = p;
	r->cap = cap;
	return true;
}

enum { BLOCK_EOF = 0, BLOCK_OK = 1, BLOCK_ERROR = -1 };

/* The file ended (or could not be read) after got of want bytes of the
 * block (of its header when header).  The wording contains that of
 * capture.c's libpcap messages ("the file ends in the middle of a pcapng
 * block", before the first interface "the file ends inside the pcapng
 * section or interface header"), so that callers and their tests see the
 * same text whichever reader is used. */
static int short_read(struct rtclab_pcapng *r, bool type_known, size_t got, size_t want, bool header, char *err,
		      size_t errlen)
{
	char name[64];
	const char *what = r->opening ? "the file ends inside the pcapng section or interface header"
				      : "the file ends in the middle of a pcapng block";
	if (ferror(r->f))
		fail(r, type_known, err, errlen, "cannot read the file: %s", strerror(errno));
	else if (!type_known)
		fail(r, false, err, errlen, "%s: %zu of the 8 bytes of a block header", what, got);
	else
		fail(r, true, err, errlen, "%s: %zu of the %zu bytes of %s%s", what, got, want,
		     the_block(r->type, name, sizeof name), header ? "'s header" : "");
	return BLOCK_ERROR;
}

/* Read the next block, whole, into r->buf, and check its lengths. */
static int read_block(struct rtclab_pcapng *r, bool first, char *err, size_t errlen)
{
	char name[64];
	r->block_off = r->offset;
	r->type = 0;
	if (!grow(r, 12)) {
		fail(r, false, err, errlen, "out of memory");
		return BLOCK_ERROR;
	}
	size_t got = read_bytes(r, r->buf, 8);
	if (got == 0 && !ferror(r->f)) {
		if (first) {
			fail(r, false, err, errlen, "the file is empty");
			return BLOCK_ERROR;
		}
		return BLOCK_EOF;
	}
	if (got < 4)
		return short_read(r, false, got, 8, true, err, errlen);
	struct rtclab_reader rd;
	rtclab_reader_init(&rd, r->buf, 4);
	r->type = rd32(r, &rd);
	if (first && r->type != BT_SHB) {
		fail(r, false, err, errlen,
		     "not a pcapng file: it starts with %02x %02x %02x %02x, not a Section Header Block (0a 0d 0d 0a)",
		     r->buf[0], r->buf[1], r->buf[2], r->buf[3]);
		r->type = 0;
		return BLOCK_ERROR;
	}
	size_t header = 8;
	if (r->type == BT_SHB) { /* the byte-order magic says how to read the length */
		header = 12;
		if (got == 8)
			got += read_bytes(r, r->buf + 8, 4);
		if (got < header)
			return short_read(r, true, got, header, true, err, errlen);
		rtclab_reader_init(&rd, r->buf, 12);
		rtclab_reader_skip(&rd, 8);
		uint32_t bom = rtclab_read_be32(&rd);
		if (bom == BOM) {
			r->big = true;
		} else if (bom == swap32(BOM)) {
			r->big = false;
		} else {
			fail(r, true, err, errlen,
			     "the byte-order magic is 0x%08" PRIx32 ", neither 0x1A2B3C4D nor 0x4D3C2B1A", bom);
			return BLOCK_ERROR;
		}
	} else if (got < 8) {
		return short_read(r, true, got, 8, true, err, errlen);
	}
	rtclab_reader_init(&rd, r->buf, 8);
	rtclab_reader_skip(&rd, 4);
	r->total = rd32(r, &rd);
	uint32_t min = min_total(r->type);
	if (r->total % 4 != 0) {
		fail(r, true, err, errlen, "the total length of %s, %" PRIu32 ", is not a multiple of 4",
		     the_block(r->type, name, sizeof name), r->total);
		return BLOCK_ERROR;
	}
	if (r->total < min) {
		fail(r, true, err, errlen, "the total length of %s, %" PRIu32 ", is less than its minimum of %" PRIu32,
		     the_block(r->type, name, sizeof name), r->total, min);
		return BLOCK_ERROR;
	}
	if (r->total > RTCLAB_PCAPNG_MAX_BLOCK) {
		fail(r, true, err, errlen,
		     "the total length of %s, %" PRIu32 ", is more than the %u bytes rtclab reads in one block",
		     the_block(r->type, name, sizeof name), r->total, RTCLAB_PCAPNG_MAX_BLOCK);
		return BLOCK_ERROR;
	}
	/* The buffer grows with the bytes that really arrive, a chunk at a
	 * time, so that a short file claiming a large block costs little. */
	for (got = header; got < r->total;) {
		size_t want = r->total - got < READ_CHUNK ? r->total - got : READ_CHUNK;
		if (!grow(r, got + want)) {
			fail(r, true, err, errlen, "out of memory for a block of %" PRIu32 " bytes", r->total);
			return BLOCK_ERROR;
		}
		size_t k = read_bytes(r, r->buf + got, want);
		got += k;
		if (k < want)
			return short_read(r, true, got, r->total, false, err, errlen);
	}
	rtclab_reader_init(&rd, r->buf, r->total);
	rtclab_reader_skip(&rd, r->total - 4);
	uint32_t trailer = rd32(r, &rd);
	if (trailer != r->total) {
		fail(r, true, err, errlen,
		     "the total length at the end of %s, %" PRIu32 ", differs from the %" PRIu32 " at its start",
		     the_block(r->type, name, sizeof name), trailer, r->total);
		return BLOCK_ERROR;
	}
	return BLOCK_OK;
}

/* A reader over the block's body: after the type and length, before the trailer. */
static struct rtclab_reader body_reader(const struct rtclab_pcapng *r)
{
	struct rtclab_reader rd;
	rtclab_reader_init(&rd, r->buf, r->total - 4);
	rtclab_reader_skip(&rd, 8);
	return rd;
}

static bool process_shb(struct rtclab_pcapng *r, char *err, size_t errlen)
{
	struct rtclab_reader rd = body_reader(r);
	rtclab_reader_skip(&rd, 4); /* the byte-order magic, read with the header */
	uint16_t major = rd16(r, &rd), minor = rd16(r, &rd);
	(void)rd64(r, &rd); /* section length: -1 or a hint, not needed to stream */
	if (rd.error) {
		fail(r, true, err, errlen, "the Section Header Block is too short");
		return false;
	}
	if (major != 1) {
		fail(r, true, err, errlen, "pcapng version %u.%u: rtclab reads version 1", (unsigned)major,
		     (unsigned)minor);
		return false;
	}
	r->sections++;
	r->n_ifaces = 0; /* each section describes its own interfaces */
	return true;
}

static const uint64_t POW10[20] = {
	1u, 10u, 100u, 1000u, 10000u, 100000u, 1000000u, 10000000u, 100000000u, 1000000000u,
	10000000000u, 100000000000u, 1000000000000u, 10000000000000u, 100000000000000u,
	1000000000000000u, 10000000000000000u, 100000000000000000u, 1000000000000000000u,
	10000000000000000000u,
};

static bool process_idb(struct rtclab_pcapng *r, char *err, size_t errlen)
{
	struct rtclab_reader rd = body_reader(r);
	struct iface ifc = {.binary = false, .exp = 6, .units = 1000000u, .tsoffset = 0};
	ifc.linktype = rd16(r, &rd);
	rtclab_reader_skip(&rd, 2); /* reserved */
	ifc.snaplen = rd32(r, &rd);
	bool seen_tsresol = false, seen_tsoffset = false;
	while (rtclab_reader_left(&rd) >= 4) {
		size_t at = rd.pos;
		uint16_t code = rd16(r, &rd), len = rd16(r, &rd);
		if (code == OPT_ENDOFOPT)
			break;
		size_t padded = ((size_t)len + 3) & ~(size_t)3;
		struct rtclab_reader val = rtclab_reader_sub(&rd, len);
		if (rd.error || !rtclab_reader_skip(&rd, padded - len)) {
			fail(r, true, err, errlen,
			     "Interface Description Block option %u at byte %zu of the block has %u bytes, more than "
			     "the block holds",
			     (unsigned)code, at, (unsigned)len);
			return false;
		}
		if (code == OPT_IF_TSRESOL) {
			if (len != 1 || seen_tsresol) {
				fail(r, true, err, errlen,
				     len != 1 ? "option if_tsresol has %u bytes, not 1"
					      : "option if_tsresol appears twice (the second has %u byte)",
				     (unsigned)len);
				return false;
			}
			seen_tsresol = true;
			uint8_t v = rtclab_read_u8(&val);
			ifc.binary = (v & 0x80) != 0;
			ifc.exp = v & 0x7F;
			if (ifc.binary ? ifc.exp > 63 : ifc.exp > 19) {
				fail(r, true, err, errlen,
				     "option if_tsresol says units of %s-%u seconds; rtclab counts at most %s",
				     ifc.binary ? "2^" : "10^", ifc.exp, ifc.binary ? "2^63 units a second" : "10^19 units a second");
				return false;
			}
			ifc.units = ifc.binary ? (uint64_t)1 << ifc.exp : POW10[ifc.exp];
		} else if (code == OPT_IF_TSOFFSET) {
			if (len != 8 || seen_tsoffset) {
				fail(r, true, err, errlen,
				     len != 8 ? "option if_tsoffset has %u bytes, not 8"
					      : "option if_tsoffset appears twice (the second has %u bytes)",
				     (unsigned)len);
				return false;
			}
			seen_tsoffset = true;
			ifc.tsoffset = (int64_t)rd64(r, &val);
		}
	}
	if (r->n_ifaces >= RTCLAB_PCAPNG_MAX_INTERFACES) {
		fail(r, true, err, errlen, "more than %u interfaces in one section", RTCLAB_PCAPNG_MAX_INTERFACES);
		return false;
	}
	if (r->n_ifaces == r->cap_ifaces) {
		uint32_t cap = r->cap_ifaces ? r->cap_ifaces * 2 : 8;
		struct iface *p = realloc(r->ifaces, (size_t)cap * sizeof *p);
		if (!p) {
			fail(r, true, err, errlen, "out of memory");
			return false;
		}
		r->ifaces = p;
		r->cap_ifaces = cap;
	}
	r->ifaces[r->n_ifaces++] = ifc;
	if (!r->have_first) {
		r->have_first = true;
		r->first_linktype = ifc.linktype;
		r->first_snaplen = ifc.snaplen;
	}
	return true;
}

/* (frac * 10^9) >> exp for frac < 2^exp, exp <= 63, without overflow. */
static uint64_t binary_frac_ns(uint64_t frac, unsigned exp)
{
	if (exp <= 34) /* frac < 2^34 and 10^9 < 2^30 */
		return (frac * NS_PER_SEC) >> exp;
	/* a 128-bit product from two 64-bit halves */
	uint64_t lo_part = (frac & 0xFFFFFFFFu) * NS_PER_SEC; /* < 2^62 */
	uint64_t hi_part = (frac >> 32) * NS_PER_SEC;         /* < 2^61 */
	uint64_t lo = lo_part + (hi_part << 32);
	uint64_t carry = lo < lo_part;
	uint64_t hi = (hi_part >> 32) + carry;
	return (hi << (64 - exp)) | (lo >> exp);
}

/* A timestamp in the interface's units to nanoseconds since the epoch. */
static bool to_ns(const struct iface *ifc, uint64_t t, int64_t *out)
{
	uint64_t sec_u = t / ifc->units, frac = t % ifc->units, ns;
	if (ifc->binary)
		ns = binary_frac_ns(frac, ifc->exp);
	else if (ifc->exp <= 9)
		ns = frac * POW10[9 - ifc->exp];
	else
		ns = frac / POW10[ifc->exp - 9];
	if (sec_u > (uint64_t)INT64_MAX)
		return false;
	int64_t sec, total;
	if (__builtin_add_overflow((int64_t)sec_u, ifc->tsoffset, &sec) ||
	    __builtin_mul_overflow(sec, (int64_t)NS_PER_SEC, &total) ||
	    __builtin_add_overflow(total, (int64_t)ns, &total))
		return false;
	*out = total;
	return true;
}

static enum rtclab_pcapng_status process_packet(struct rtclab_pcapng *r, struct rtclab_pcapng_packet *pkt,
						char *err, size_t errlen)
{
	struct rtclab_reader rd = body_reader(r);
	uint32_t ifid, caplen, wire_len;
	uint64_t t = 0;
	size_t room; /* bytes of the block that packet data may take */
	if (r->type == BT_SPB) {
		ifid = 0;
		wire_len = rd32(r, &rd);
		room = rtclab_reader_left(&rd);
		caplen = wire_len;
		if (r->n_ifaces > 0 && r->ifaces[0].snaplen != 0 && caplen > r->ifaces[0].snaplen)
			caplen = r->ifaces[0].snaplen;
	} else {
		if (r->type == BT_EPB) {
			ifid = rd32(r, &rd);
		} else {
			ifid = rd16(r, &rd);
			rtclab_reader_skip(&rd, 2); /* drops count */
		}
		uint64_t hi = rd32(r, &rd);
		t = hi << 32 | rd32(r, &rd);
		caplen = rd32(r, &rd);
		wire_len = rd32(r, &rd);
		room = rtclab_reader_left(&rd);
	}
	if (rd.error) { /* cannot happen: min_total() was checked */
		fail(r, true, err, errlen, "the block is too short");
		return RTCLAB_PCAPNG_ERROR;
	}
	if (ifid >= r->n_ifaces) {
		if (r->n_ifaces == 0)
			fail(r, true, err, errlen,
			     "the packet is on interface %" PRIu32 ", but no Interface Description Block came before it in "
			     "its section",
			     ifid);
		else
			fail(r, true, err, errlen,
			     "the packet is on interface %" PRIu32 ", but its section describes only %" PRIu32
			     " interface%s (0 to %" PRIu32 ")",
			     ifid, r->n_ifaces, r->n_ifaces == 1 ? "" : "s", r->n_ifaces - 1);
		return RTCLAB_PCAPNG_ERROR;
	}
	if (caplen > room) {
		if (r->type == BT_SPB)
			fail(r, true, err, errlen,
			     "the captured length, %" PRIu32 " (the original length cut to the snaplen), is more than "
			     "the %zu bytes of packet data the block holds",
			     caplen, room);
		else
			fail(r, true, err, errlen,
			     "the captured length, %" PRIu32 ", is more than the %zu bytes of packet data the block holds",
			     caplen, room);
		return RTCLAB_PCAPNG_ERROR;
	}
	const struct iface *ifc = &r->ifaces[ifid];
	if (!rtclab_linktype_name(ifc->linktype)) {
		fail(r, true, err, errlen,
		     "interface %" PRIu32 " has link type %d, which rtclab does not decode; it reads Ethernet, Linux "
		     "cooked SLL and SLL2, raw IP and BSD loopback",
		     ifid, ifc->linktype);
		return RTCLAB_PCAPNG_ERROR;
	}
	int64_t ts;
	if (!to_ns(ifc, t, &ts)) {
		fail(r, true, err, errlen,
		     "the timestamp %" PRIu64 " in units of %s-%u s, offset by %" PRId64
		     " s, is out of the range rtclab counts in nanoseconds, the years 1678 to 2262",
		     t, ifc->binary ? "2^" : "10^", ifc->exp, ifc->tsoffset);
		return RTCLAB_PCAPNG_ERROR;
	}
	struct rtclab_bytes data = rtclab_read_view(&rd, caplen);
	pkt->frame = ++r->frames;
	pkt->data = caplen ? data.ptr : r->buf; /* never NULL */
	pkt->caplen = caplen;
	pkt->wire_len = wire_len;
	pkt->ts_ns = ts;
	pkt->linktype = (enum rtclab_linktype)ifc->linktype;
	pkt->interface = ifid;
	pkt->section = r->sections - 1;
	pkt->block_offset = r->block_off;
	return RTCLAB_PCAPNG_PACKET;
}

struct rtclab_pcapng *rtclab_pcapng_open(FILE *f, const void *head, size_t head_len, char *err, size_t errlen)
{
	struct rtclab_pcapng *r = calloc(1, sizeof *r);
	if (!r || (head_len && !(r->head = malloc(head_len)))) {
		free(r);
		if (err && errlen)
			snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->f = f;
	if (head_len) {
		memcpy(r->head, head, head_len);
		r->head_len = head_len;
	}
	r->big = true;
	r->opening = true;
	int st = read_block(r, true, err, errlen);
	if (st != BLOCK_OK || !process_shb(r, err, errlen))
		goto fail;
	/* up to the first interface, so that its link type is known */
	while (!r->have_first) {
		st = read_block(r, false, err, errlen);
		if (st == BLOCK_ERROR)
			goto fail;
		if (st == BLOCK_EOF) {
			r->done = true;
			break;
		}
		if (is_packet_block(r->type)) { /* an error, but next() says it as a frame */
			r->pending = true;
			break;
		}
		if (r->type == BT_SHB ? !process_shb(r, err, errlen)
				      : r->type == BT_IDB && !process_idb(r, err, errlen))
			goto fail;
	}
	r->opening = false;
	return r;
fail:
	rtclab_pcapng_close(r);
	return NULL;
}

enum rtclab_pcapng_status rtclab_pcapng_next(struct rtclab_pcapng *r, struct rtclab_pcapng_packet *pkt, char *err,
					     size_t errlen)
{
	if (r->done)
		return RTCLAB_PCAPNG_END;
	for (;;) {
		if (r->pending) {
			r->pending = false;
		} else {
			int st = read_block(r, false, err, errlen);
			if (st != BLOCK_OK) {
				r->done = true;
				return st == BLOCK_EOF ? RTCLAB_PCAPNG_END : RTCLAB_PCAPNG_ERROR;
			}
		}
		bool ok = true;
		switch (r->type) {
		case BT_SHB:
			ok = process_shb(r, err, errlen);
			break;
		case BT_IDB:
			ok = process_idb(r, err, errlen);
			break;
		case BT_EPB:
		case BT_SPB:
		case BT_OPB: {
			enum rtclab_pcapng_status st = process_packet(r, pkt, err, errlen);
			if (st == RTCLAB_PCAPNG_ERROR)
				r->done = true;
			return st;
		}
		default: /* Name Resolution, Interface Statistics, Decryption Secrets, custom, ...: skipped */
			break;
		}
		if (!ok) {
			r->done = true;
			return RTCLAB_PCAPNG_ERROR;
		}
	}
}

bool rtclab_pcapng_first_interface(const struct rtclab_pcapng *r, int *linktype, uint32_t *snaplen)
{
	if (!r->have_first)
		return false;
	if (linktype)
		*linktype = r->first_linktype;
	if (snaplen)
		*snaplen = r->first_snaplen;
	return true;
}

void rtclab_pcapng_close(struct rtclab_pcapng *r)
{
	if (!r)
		return;
	free(r->head);
	free(r->buf);
	free(r->ifaces);
	free(r);
}
