/* RTP and RTCP headers: RFC 3550 5.1 and 6, header extensions RFC 8285,
 * feedback RFC 4585 and RFC 5104, SRTP/SRTCP RFC 3711 and RFC 7714.
 *
 * RTP fixed header (RFC 3550 5.1):
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                           timestamp                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           synchronization source (SSRC) identifier            |
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *
 * Every RTCP packet starts with V=2, P, a 5-bit count (or FMT), the packet
 * type and the length in 32-bit words minus one (RFC 3550 6.4.1); packets
 * are sent back to back as a compound packet (RFC 3550 6.1).
 *
 * SRTP (RFC 3711 3.1) leaves the RTP header in the clear and encrypts the
 * payload; SRTCP (3.4) leaves the first 8 bytes in the clear and appends the
 * E flag and the 31-bit SRTCP index.
 */
#include <string.h>

#include "demux_internal.h"
#include "rtclab/demux.h"

/* RFC 8285 4.2: one-byte elements: ID (4 bits), length - 1 (4 bits); ID 0 is padding, 15 stops. */
static void read_one_byte_ext(struct rtclab_rtp *rtp, struct rtclab_reader *r)
{
	while (rtclab_reader_left(r) > 0) {
		size_t at = r->pos;
		uint8_t b = rtclab_read_u8(r);
		uint8_t id = b >> 4, n = (uint8_t)((b & 15) + 1);
		if (id == 0) /* padding byte */
			continue;
		if (id == 15) /* reserved: stop reading the block */
			return;
		if (!rtclab_reader_has(r, n)) {
			rtclab_demux_add_problem_(&rtp->problems, RTCLAB_DEMUX_E_BAD_LENGTH, at, n,
						  rtclab_reader_left(r));
			return;
		}
		rtclab_reader_skip(r, n);
		if (rtp->n_ext_ids < RTCLAB_RTP_MAX_EXTENSIONS) {
			rtp->ext_ids[rtp->n_ext_ids] = id;
			rtp->ext_lens[rtp->n_ext_ids++] = n;
		}
		rtp->n_ext_total++;
	}
}

/* RFC 8285 4.3: two-byte elements: ID (8 bits), length (8 bits); ID 0 is padding. */
static void read_two_byte_ext(struct rtclab_rtp *rtp, struct rtclab_reader *r)
{
	while (rtclab_reader_left(r) > 0) {
		size_t at = r->pos;
		uint8_t id = rtclab_read_u8(r);
		if (id == 0)
			continue;
		if (!rtclab_reader_has(r, 1)) {
			rtclab_demux_add_problem_(&rtp->problems, RTCLAB_DEMUX_E_BAD_LENGTH, at, 2, 1);
			return;
		}
		uint8_t n = rtclab_read_u8(r);
		if (!rtclab_reader_has(r, n)) {
			rtclab_demux_add_problem_(&rtp->problems, RTCLAB_DEMUX_E_BAD_LENGTH, at, n,
						  rtclab_reader_left(r));
			return;
		}
		rtclab_reader_skip(r, n);
		if (rtp->n_ext_ids < RTCLAB_RTP_MAX_EXTENSIONS) {
			rtp->ext_ids[rtp->n_ext_ids] = id;
			rtp->ext_lens[rtp->n_ext_ids++] = n;
		}
		rtp->n_ext_total++;
	}
}

/* RFC 3550 5.3.1: profile, length in words, then the elements. False when truncated. */
static bool read_extension(struct rtclab_rtp *rtp, struct rtclab_reader *r)
{
	size_t at = r->pos;
	if (!rtclab_reader_has(r, 4)) {
		rtclab_demux_add_problem_(&rtp->problems, RTCLAB_DEMUX_E_TRUNCATED_HEADER, at, 4, rtclab_reader_left(r));
		return false;
	}
	rtp->ext_profile = rtclab_read_be16(r);
	rtp->ext_words = rtclab_read_be16(r);
	size_t n = (size_t)rtp->ext_words * 4, left = rtclab_reader_left(r);
	if (n > left) {
		rtclab_demux_add_problem_(&rtp->problems, RTCLAB_DEMUX_E_TRUNCATED, at + 2, n, left);
		return false;
	}
	struct rtclab_reader sub = rtclab_reader_sub(r, n);
	if (rtp->ext_profile == 0xBEDE) {
		rtp->ext_form = RTCLAB_RTP_EXT_ONE_BYTE;
		read_one_byte_ext(rtp, &sub);
	} else if ((rtp->ext_profile & 0xFFF0) == 0x1000) {
		rtp->ext_form = RTCLAB_RTP_EXT_TWO_BYTE;
		read_two_byte_ext(rtp, &sub);
	} else {
		rtp->ext_form = RTCLAB_RTP_EXT_OTHER;
	}
	if (rtp->n_ext_total > RTCLAB_RTP_MAX_EXTENSIONS)
		rtclab_demux_add_problem_(&rtp->problems, RTCLAB_DEMUX_E_TOO_MANY, at, RTCLAB_RTP_MAX_EXTENSIONS,
					  rtp->n_ext_total);
	return true;
}

bool rtclab_rtp_decode(struct rtclab_rtp *rtp, const void *buf, size_t len)
{
	struct rtclab_reader r;
	rtclab_reader_init(&r, buf, len);
	memset(rtp, 0, sizeof *rtp);
	if (len < RTCLAB_RTP_HEADER_SIZE) {
		rtclab_demux_add_problem_(&rtp->problems, RTCLAB_DEMUX_E_TRUNCATED_HEADER, 0, RTCLAB_RTP_HEADER_SIZE,
					  len);
		return false;
	}
	uint8_t b0 = rtclab_read_u8(&r), b1 = rtclab_read_u8(&r);
	rtp->version = b0 >> 6;
	rtp->padding = (b0 & 0x20) != 0;
	rtp->extension = (b0 & 0x10) != 0;
	rtp->csrc_count = b0 & 15;
	rtp->marker = (b1 & 0x80) != 0;
	rtp->payload_type = b1 & 0x7F;
	rtp->seq = rtclab_read_be16(&r);
	rtp->timestamp = rtclab_read_be32(&r);
	rtp->ssrc = rtclab_read_be32(&r);
	if (rtp->version != 2)
		rtclab_demux_add_problem_(&rtp->problems, RTCLAB_DEMUX_E_BAD_VERSION, 0, 2, rtp->version);
	size_t left = rtclab_reader_left(&r);
	if ((size_t)rtp->csrc_count * 4 > left) {
		rtclab_demux_add_problem_(&rtp->problems, RTCLAB_DEMUX_E_TRUNCATED, 0, (size_t)rtp->csrc_count * 4,
					  left);
		rtp->header_size = len;
		return false;
	}
	for (unsigned i = 0; i < rtp->csrc_count; i++)
		rtp->csrc[i] = rtclab_read_be32(&r);
	if (rtp->extension && !read_extension(rtp, &r)) {
		rtp->header_size = len;
		return false;
	}
	rtp->header_size = r.pos;
	size_t body = rtclab_reader_left(&r);
	if (rtp->padding) {
		/* RFC 3550 5.1: the last byte counts the padding, itself included.
		 * With SRTP the authentication tag follows, so this is only a guess. */
		rtp->padding_len = body ? r.base[len - 1] : 0;
		if (rtp->padding_len == 0 || rtp->padding_len > body) {
			rtclab_demux_add_problem_(&rtp->problems, RTCLAB_DEMUX_E_BAD_PADDING, len ? len - 1 : 0, body,
						  rtp->padding_len);
		} else {
			body -= rtp->padding_len;
		}
	}
	rtp->payload = rtclab_read_view(&r, body);
	return rtp->problems.total == 0;
}

/* --- RTCP -------------------------------------------------------------------------- */

const char *rtclab_rtcp_type_name(uint8_t type)
{
	static const char *const names[] = {"SR", "RR", "SDES", "BYE", "APP", "RTPFB", "PSFB", "XR"};
	if (type >= RTCLAB_RTCP_SR && type <= RTCLAB_RTCP_XR)
		return names[type - RTCLAB_RTCP_SR];
	switch (type) {
	case 192: return "FIR (RFC 2032)";
	case 193: return "NACK (RFC 2032)";
	case 195: return "IJ";
	case 208: return "AVB";
	case 209: return "RSI";
	case 210: return "TOKEN";
	case 211: return "IDMS";
	default: return NULL;
	}
}

const char *rtclab_rtcp_fmt_name(const struct rtclab_rtcp_packet *p)
{
	if (p->type == RTCLAB_RTCP_RTPFB) {
		switch (p->count) { /* RFC 4585 6.2, RFC 5104 4.2, draft-holmer-rmcat-transport-wide-cc-extensions */
		case 1: return "Generic NACK";
		case 3: return "TMMBR";
		case 4: return "TMMBN";
		case 15: return "transport-cc";
		default: return NULL;
		}
	}
	if (p->type == RTCLAB_RTCP_PSFB) {
		switch (p->count) { /* RFC 4585 6.3, RFC 5104 4.3, draft-alvestrand-rmcat-remb */
		case 1: return "PLI";
		case 2: return "SLI";
		case 3: return "RPSI";
		case 4: return "FIR";
		case 15: return p->remb ? "REMB" : "AFB";
		default: return NULL;
		}
	}
	return NULL;
}

/* RFC 3711 3.4 / RFC 7714 9: the E flag and index are the last 4 bytes with
 * AEAD, or come before a 10-byte HMAC-SHA1-80 tag.  Guess by the E flag. */
static void read_srtcp_trailer(struct rtclab_rtcp *rtcp, const uint8_t *p, size_t from, size_t len)
{
	size_t at = SIZE_MAX;
	if (len - from >= 4 && (p[len - 4] & 0x80)) {
		at = len - 4;
		rtcp->srtcp_layout = "AEAD (RFC 7714 9)";
	} else if (len - from >= 14 && (p[len - 14] & 0x80)) {
		at = len - 14;
		rtcp->srtcp_layout = "HMAC-SHA1-80 (RFC 3711 3.4)";
	}
	if (at == SIZE_MAX)
		return;
	rtcp->srtcp_trailer = true;
	rtcp->srtcp_trailer_offset = (uint32_t)at;
	rtcp->srtcp_e = true;
	rtcp->srtcp_index = ((uint32_t)p[at] << 24 | (uint32_t)p[at + 1] << 16 | (uint32_t)p[at + 2] << 8 | p[at + 3]) &
			    0x7FFFFFFF;
}

/* RFC 4585 6.1: feedback packets carry the media source SSRC; PSFB FMT 15
 * with "REMB" is draft-alvestrand-rmcat-remb. */
static void read_feedback(struct rtclab_rtcp_packet *p, struct rtclab_reader body)
{
	if (p->type != RTCLAB_RTCP_RTPFB && p->type != RTCLAB_RTCP_PSFB)
		return;
	if (!rtclab_reader_has(&body, 4))
		return;
	p->has_media_ssrc = true;
	p->media_ssrc = rtclab_read_be32(&body);
	struct rtclab_bytes id = rtclab_read_view(&body, 4);
	p->remb = p->type == RTCLAB_RTCP_PSFB && p->count == 15 && id.ptr && memcmp(id.ptr, "REMB", 4) == 0;
}

static bool plausible_header(uint8_t b0, uint8_t pt)
{
	return (b0 >> 6) == 2 && pt >= 192 && pt <= 223;
}

/* A padding count that does not fit its packet.  With SRTCP it is ciphertext
 * (RFC 3711 3.4 encrypts all but the first 8 bytes), so the problem is only
 * reported once the datagram turns out to be plain RTCP. */
struct bad_padding {
	size_t n, offset[RTCLAB_RTCP_MAX_PACKETS], body[RTCLAB_RTCP_MAX_PACKETS];
	uint8_t count[RTCLAB_RTCP_MAX_PACKETS];
};

static void report_padding(struct rtclab_rtcp *rtcp, const struct bad_padding *bp)
{
	for (size_t i = 0; !rtcp->srtcp && i < bp->n; i++)
		rtclab_demux_add_problem_(&rtcp->problems, RTCLAB_DEMUX_E_BAD_PADDING, bp->offset[i], bp->body[i],
					  bp->count[i]);
}

bool rtclab_rtcp_decode(struct rtclab_rtcp *rtcp, const void *buf, size_t len)
{
	struct rtclab_reader r;
	struct bad_padding bp;
	bp.n = 0;
	rtclab_reader_init(&r, buf, len);
	memset(rtcp, 0, sizeof *rtcp);
	if (len < 4)
		rtclab_demux_add_problem_(&rtcp->problems, RTCLAB_DEMUX_E_TRUNCATED_HEADER, 0, 4, len);
	while (rtclab_reader_has(&r, 4)) {
		size_t at = r.pos;
		uint8_t b0 = r.base[at], pt = r.base[at + 1];
		if (rtcp->n_packets_total > 0 && !plausible_header(b0, pt)) {
			/* Past the first packet, bytes that are not RTCP: the encrypted rest of SRTCP. */
			rtcp->srtcp = true;
			read_srtcp_trailer(rtcp, r.base, at, len);
			return rtcp->problems.total == 0;
		}
		if (rtcp->n_packets_total > 0 && ((size_t)r.base[at + 2] << 8 | r.base[at + 3]) * 4 > len - at - 4) {
			/* A header that looks like RTCP by chance (1 in 32 of random bytes) but
			 * runs past the datagram: with an SRTCP trailer at the end, the
			 * encrypted rest of SRTCP, not a truncated packet. */
			read_srtcp_trailer(rtcp, r.base, at, len);
			if (rtcp->srtcp_trailer) {
				rtcp->srtcp = true;
				return rtcp->problems.total == 0;
			}
		}
		struct rtclab_rtcp_packet p = {0};
		p.offset = (uint32_t)at;
		rtclab_read_u8(&r);
		rtclab_read_u8(&r);
		p.padding = (b0 & 0x20) != 0;
		p.count = b0 & 31;
		p.type = pt;
		p.length = rtclab_read_be16(&r);
		if ((b0 >> 6) != 2)
			rtclab_demux_add_problem_(&rtcp->problems, RTCLAB_DEMUX_E_BAD_VERSION, at, 2, b0 >> 6);
		size_t n = (size_t)p.length * 4, left = rtclab_reader_left(&r);
		if (n > left)
			rtclab_demux_add_problem_(&rtcp->problems, RTCLAB_DEMUX_E_TRUNCATED, at + 2, n + 4, left + 4);
		struct rtclab_reader body = rtclab_reader_sub(&r, n);
		if (rtclab_reader_has(&body, 4)) {
			p.has_ssrc = true;
			p.ssrc = rtclab_read_be32(&body);
		}
		read_feedback(&p, body);
		if (p.padding && n > 0 && n <= left) {
			uint8_t pad = r.base[at + 4 + n - 1];
			if ((pad == 0 || pad > n) && bp.n < RTCLAB_RTCP_MAX_PACKETS) {
				bp.offset[bp.n] = at + 4 + n - 1;
				bp.body[bp.n] = n;
				bp.count[bp.n++] = pad;
			}
		}
		rtcp->n_packets_total++;
		if (rtcp->n_packets < RTCLAB_RTCP_MAX_PACKETS)
			rtcp->packets[rtcp->n_packets++] = p;
		else if (rtcp->n_packets_total == RTCLAB_RTCP_MAX_PACKETS + 1)
			rtclab_demux_add_problem_(&rtcp->problems, RTCLAB_DEMUX_E_TOO_MANY, at, RTCLAB_RTCP_MAX_PACKETS,
						  RTCLAB_RTCP_MAX_PACKETS + 1);
		if (r.error) {
			report_padding(rtcp, &bp);
			return false;
		}
	}
	size_t left = rtclab_reader_left(&r);
	if (left > 0 && rtcp->n_packets_total > 0) {
		/* 1-3 bytes cannot be a packet; they may end an SRTCP trailer. */
		rtcp->srtcp = true;
		read_srtcp_trailer(rtcp, r.base, r.pos, len);
		if (!rtcp->srtcp_trailer) {
			rtcp->srtcp = false;
			rtclab_demux_add_problem_(&rtcp->problems, RTCLAB_DEMUX_E_TRAILING_BYTES, r.pos, 0, left);
		}
	}
	report_padding(rtcp, &bp);
	return rtcp->problems.total == 0;
}
