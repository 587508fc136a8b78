/* The RFC 7983 demultiplexer (lib/demux.c) and the DTLS, RTP and RTCP header
 * decoders (lib/dtls.c, lib/rtp.c): every first-byte range, hand-built
 * records and packets, malformed lengths with their offsets, TURN tunnels,
 * channel bindings, the JSON shapes, and real payloads from the corpus
 * captures checked against what tshark decodes in them
 * (tests/fixtures/payloads/, live when tshark and the captures are there). */
#define _DEFAULT_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rtclab/demux.h"
#include "rtclab/demux_json.h"
#include "unit.h"


static struct rtclab_demux D; /* large: kept out of the stack */
static uint8_t *BUF;
static size_t LEN;

static const struct rtclab_demux_result *demux_hex(const char *hex, const struct rtclab_demux_ctx *ctx)
{
	free(BUF);
	BUF = unit_hex(hex, &LEN);
	rtclab_demux_udp(&D, BUF, LEN, ctx);
	return &D.outer;
}

static void done(void)
{
	free(BUF);
	BUF = NULL;
}

/* The one problem of ps, checked. */
static void one_problem(const char *file, unsigned line, const struct rtclab_demux_problems *ps,
			enum rtclab_demux_error code, uint32_t offset, uint32_t expected, uint32_t found)
{
	if (ps->total != 1) {
		unit_check_at(0, file, line, "%zu problems (first %s@%u), want one %s@%u", ps->total,
			 ps->n ? rtclab_demux_error_id(ps->p[0].code) : "-", ps->n ? ps->p[0].offset : 0,
			 rtclab_demux_error_id(code), offset);
		return;
	}
	const struct rtclab_demux_problem *p = &ps->p[0];
	unit_check_at(p->code == code && p->offset == offset && p->expected == expected && p->found == found, file, line,
		 "problem %s@%u expected %u found %u; want %s@%u expected %u found %u", rtclab_demux_error_id(p->code),
		 p->offset, p->expected, p->found, rtclab_demux_error_id(code), offset, expected, found);
	char text[256];
	rtclab_demux_problem_format(p, text, sizeof text);
	char at[32];
	snprintf(at, sizeof at, "at byte %u", offset);
	unit_check_at(strstr(text, at) != NULL, file, line, "\"%s\" does not say \"%s\"", text, at);
}
#define ONE_PROBLEM(ps, code, offset, expected, found) \
	one_problem(__FILE__, __LINE__, (ps), (code), (offset), (expected), (found))

/* --- first bytes ------------------------------------------------------------------------------ */

static enum rtclab_demux_proto expected_proto(unsigned b, unsigned second)
{
	if (b <= 3)
		return RTCLAB_DEMUX_STUN;
	if (b >= 16 && b <= 19)
		return RTCLAB_DEMUX_ZRTP;
	if (b >= 20 && b <= 63)
		return RTCLAB_DEMUX_DTLS;
	if (b >= 64 && b <= 79)
		return RTCLAB_DEMUX_CHANNELDATA;
	if (b >= 128 && b <= 191)
		return second >= 192 && second <= 223 ? RTCLAB_DEMUX_RTCP : RTCLAB_DEMUX_RTP;
	if (b >= 80)
		return RTCLAB_DEMUX_QUIC;
	return RTCLAB_DEMUX_OTHER;
}

static void test_first_bytes(void)
{
	uint8_t buf[40];
	static const unsigned seconds[] = {0x01, 0x6f, 0xc8, 0xdf, 0xe0};
	for (unsigned b = 0; b < 256; b++) {
		for (size_t s = 0; s < sizeof seconds / sizeof seconds[0]; s++) {
			/* A STUN header with the cookie and a 20-byte body, whatever b. */
			memset(buf, 0, sizeof buf);
			buf[0] = (uint8_t)b;
			buf[1] = (uint8_t)seconds[s];
			buf[3] = 20;
			buf[4] = 0x21, buf[5] = 0x12, buf[6] = 0xA4, buf[7] = 0x42;
			char why[160];
			enum rtclab_demux_proto got = rtclab_demux_classify(buf, sizeof buf, NULL, why, sizeof why);
			enum rtclab_demux_proto want = expected_proto(b, seconds[s]);
			CHECKF(got == want, "first byte %u, second %u: %s, want %s (%s)", b, seconds[s],
			       rtclab_demux_proto_name(got), rtclab_demux_proto_name(want), why);
			char num[16];
			snprintf(num, sizeof num, "(%u)", b);
			CHECKF(strstr(why, num) != NULL, "why \"%s\" does not name byte %u", why, b);
		}
	}
	char why[160];
	uint8_t dtls[] = {0x16, 0xfe, 0xfd};
	rtclab_demux_classify(dtls, sizeof dtls, NULL, why, sizeof why);
	CU_ASSERT_STRING_EQUAL(why, "first byte 0x16 (22): DTLS, RFC 7983");
	/* 0-3 that is not STUN (the length does not fit): other. */
	uint8_t bad[] = {0x00, 0x01, 0x00, 0x30, 0x21, 0x12, 0xa4, 0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
	CU_ASSERT_EQUAL(rtclab_demux_classify(bad, sizeof bad, NULL, why, sizeof why), RTCLAB_DEMUX_OTHER);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "not STUN"));
	/* Classic RFC 3489 STUN: no cookie, still STUN. */
	uint8_t classic[20] = {0x00, 0x01, 0x00, 0x00, 0xde, 0xad, 0xbe, 0xef};
	CU_ASSERT_EQUAL(rtclab_demux_classify(classic, sizeof classic, NULL, why, sizeof why), RTCLAB_DEMUX_STUN);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "RFC 3489"));
	/* Empty. */
	CU_ASSERT_EQUAL(rtclab_demux_classify(buf, 0, NULL, why, sizeof why), RTCLAB_DEMUX_NONE);
	/* A one-byte RTP/RTCP datagram: RTP by rule, then a truncated header. */
	CU_ASSERT_EQUAL(demux_hex("80", NULL)->proto, RTCLAB_DEMUX_RTP);
	ONE_PROBLEM(&D.outer.u.rtp.problems, RTCLAB_DEMUX_E_TRUNCATED_HEADER, 0, 12, 1);
	done();
}

/* --- DTLS ------------------------------------------------------------------------------------ */

/* A ClientHello fragment: the first 32 of 256 bytes. */
#define CLIENT_HELLO_FRAGMENT                                                                               \
	"16 fefd 0000 000000000001 002c"                                                                    \
	"01 000100 0000 000000 000020"                                                                      \
	"fefd 00112233445566778899aabbccddeeff00112233445566778899aabbccdd"

/* The reasons are written without snprintf for the common kinds: the same
 * text as the format they replace, and cut like snprintf in a short buffer. */
static void test_why_texts(void)
{
	uint8_t buf[40];
	memset(buf, 0, sizeof buf);
	buf[3] = 20;
	buf[4] = 0x21, buf[5] = 0x12, buf[6] = 0xA4, buf[7] = 0x42;
	static const unsigned seconds[] = {0x01, 0x6f, 0xc8, 0xdf, 0xe0};
	for (unsigned b = 0; b < 256; b++) {
		for (size_t s = 0; s < sizeof seconds / sizeof seconds[0]; s++) {
			buf[0] = (uint8_t)b;
			buf[1] = (uint8_t)seconds[s];
			char full[160], want[200] = "";
			enum rtclab_demux_proto p = rtclab_demux_classify(buf, sizeof buf, NULL, full, sizeof full);
			if (p == RTCLAB_DEMUX_STUN)
				snprintf(want, sizeof want, "first byte 0x%02X (%u): STUN, RFC 7983; the magic cookie 0x2112A442 confirms it", b, b);
			else if (p == RTCLAB_DEMUX_DTLS)
				snprintf(want, sizeof want, "first byte 0x%02X (%u): DTLS, RFC 7983%s", b, b,
					 b >= 32 ? " (001xxxxx: the RFC 9147 4 unified header of DTLS 1.3)" : "");
			else if (p == RTCLAB_DEMUX_CHANNELDATA)
				snprintf(want, sizeof want, "first byte 0x%02X (%u): TURN ChannelData, RFC 7983", b, b);
			else if (p == RTCLAB_DEMUX_RTCP)
				snprintf(want, sizeof want, "first byte 0x%02X (%u): RTP or RTCP, RFC 7983; second byte %u is in 192-223: RTCP, RFC 5761 4", b, b, seconds[s]);
			else if (p == RTCLAB_DEMUX_RTP)
				snprintf(want, sizeof want, "first byte 0x%02X (%u): RTP or RTCP, RFC 7983; second byte %u is not 192-223: RTP, RFC 5761 4", b, b, seconds[s]);
			if (want[0])
				CHECKF(strcmp(full, want) == 0, "byte %u: \"%s\", want \"%s\"", b, full, want);
			for (size_t cap = 1; cap < sizeof full; cap++) {
				char cut[160];
				memset(cut, 'x', sizeof cut);
				rtclab_demux_classify(buf, sizeof buf, NULL, cut, cap);
				CHECKF(strlen(cut) == (strlen(full) < cap ? strlen(full) : cap - 1) &&
					       strncmp(cut, full, cap - 1) == 0 && cut[cap] == 'x',
				       "byte %u cut to %zu: \"%s\" of \"%s\"", b, cap, cut, full);
			}
		}
	}
	done();
}

static void test_dtls_client_hello(void)
{
	const struct rtclab_demux_result *r = demux_hex(CLIENT_HELLO_FRAGMENT, NULL);
	CU_ASSERT_EQUAL_FATAL(r->proto, RTCLAB_DEMUX_DTLS);
	const struct rtclab_dtls *d = &r->u.dtls;
	CU_ASSERT_EQUAL(d->problems.total, 0);
	CU_ASSERT_EQUAL_FATAL(d->n_records, 1);
	const struct rtclab_dtls_record *rec = &d->records[0];
	CU_ASSERT_EQUAL(rec->content_type, RTCLAB_DTLS_HANDSHAKE);
	CU_ASSERT_EQUAL(rec->version, 0xFEFD);
	CU_ASSERT_EQUAL(rec->epoch, 0);
	CU_ASSERT_EQUAL(rec->sequence, 1);
	CU_ASSERT_EQUAL(rec->length, 44);
	CU_ASSERT_FALSE(rec->encrypted);
	CU_ASSERT_EQUAL_FATAL(rec->n_handshakes, 1);
	const struct rtclab_dtls_handshake *h = &rec->handshakes[0];
	CU_ASSERT_EQUAL(h->type, 1);
	CU_ASSERT_EQUAL(h->length, 256);
	CU_ASSERT_EQUAL(h->message_seq, 0);
	CU_ASSERT_EQUAL(h->fragment_offset, 0);
	CU_ASSERT_EQUAL(h->fragment_length, 32);
	CU_ASSERT_EQUAL(h->offset, 13);
	char label[64];
	CU_ASSERT_STRING_EQUAL(rtclab_dtls_record_label(rec, label, sizeof label), "handshake ClientHello");
	struct rtclab_story st;
	rtclab_demux_story(r, &st);
	CU_ASSERT_EQUAL(st.step, RTCLAB_STEP_CHECKS);
	CU_ASSERT_PTR_NOT_NULL(strstr(st.why, "fingerprint"));
	/* A fragment past the message's end. */
	demux_hex("16 fefd 0000 000000000001 0014 0b 000010 0001 00000c 000008 0102030405060708", NULL);
	ONE_PROBLEM(&D.outer.u.dtls.problems, RTCLAB_DEMUX_E_BAD_LENGTH, 22, 16, 20);
	done();
}

/* ServerHello, a Certificate fragment, ServerHelloDone in one record; then
 * ChangeCipherSpec and an encrypted Finished (epoch 1). */
static void test_dtls_several_records(void)
{
	const struct rtclab_demux_result *r = demux_hex(
		"16 fefd 0000 000000000002 0030"
		"02 000004 0000 000000 000004 fefd0000"
		"0b 000400 0001 000100 000008 0102030405060708"
		"0e 000000 0002 000000 000000"
		"14 fefd 0000 000000000003 0001 01"
		"16 fefd 0001 000000000000 0008 a1a2a3a4a5a6a7a8",
		NULL);
	const struct rtclab_dtls *d = &r->u.dtls;
	CU_ASSERT_EQUAL(d->problems.total, 0);
	CU_ASSERT_EQUAL_FATAL(d->n_records, 3);
	CU_ASSERT_EQUAL_FATAL(d->records[0].n_handshakes, 3);
	CU_ASSERT_EQUAL(d->records[0].handshakes[0].type, 2);
	CU_ASSERT_EQUAL(d->records[0].handshakes[1].type, 11);
	CU_ASSERT_EQUAL(d->records[0].handshakes[1].fragment_offset, 256);
	CU_ASSERT_EQUAL(d->records[0].handshakes[1].fragment_length, 8);
	CU_ASSERT_EQUAL(d->records[0].handshakes[1].length, 1024);
	CU_ASSERT_EQUAL(d->records[0].handshakes[2].type, 14);
	CU_ASSERT_EQUAL(d->records[1].content_type, RTCLAB_DTLS_CHANGE_CIPHER_SPEC);
	CU_ASSERT_EQUAL(d->records[1].offset, 61);
	CU_ASSERT_EQUAL(d->records[2].offset, 75);
	CU_ASSERT_EQUAL(d->records[2].epoch, 1);
	CU_ASSERT_TRUE(d->records[2].encrypted);
	CU_ASSERT_EQUAL(d->records[2].n_handshakes, 0);
	char label[64];
	CU_ASSERT_STRING_EQUAL(rtclab_dtls_record_label(&d->records[2], label, sizeof label), "encrypted handshake");
	CU_ASSERT_STRING_EQUAL(rtclab_dtls_record_label(&d->records[1], label, sizeof label), "change_cipher_spec");

	/* Application data in epoch 1: SCTP inside. */
	r = demux_hex("17 fefd 0001 00000000002a 0004 deadbeef", NULL);
	CU_ASSERT_EQUAL(r->u.dtls.n_records, 1);
	CU_ASSERT_TRUE(r->u.dtls.records[0].encrypted);
	CU_ASSERT_EQUAL(r->u.dtls.records[0].sequence, 42);
	CU_ASSERT_EQUAL(r->u.dtls.problems.total, 0);
	/* 48-bit sequence numbers. */
	r = demux_hex("17 fefd 0001 ffffffffffff 0000", NULL);
	CU_ASSERT_EQUAL(r->u.dtls.records[0].sequence, 0xFFFFFFFFFFFFull);
	done();
}

static void test_dtls_alert(void)
{
	const struct rtclab_demux_result *r = demux_hex("15 fefd 0000 000000000005 0002 0228", NULL);
	const struct rtclab_dtls_record *rec = &r->u.dtls.records[0];
	CU_ASSERT_TRUE(rec->has_alert);
	CU_ASSERT_EQUAL(rec->alert_level, 2);
	CU_ASSERT_EQUAL(rec->alert_description, 40);
	char label[64];
	CU_ASSERT_STRING_EQUAL(rtclab_dtls_record_label(rec, label, sizeof label), "fatal alert handshake_failure");
	/* close_notify as a warning. */
	r = demux_hex("15 fefd 0000 000000000006 0002 0100", NULL);
	CU_ASSERT_STRING_EQUAL(rtclab_dtls_record_label(&r->u.dtls.records[0], label, sizeof label),
			       "warning alert close_notify");
	/* An alert in epoch 1 is encrypted: no level or description. */
	r = demux_hex("15 fefd 0001 000000000001 001a 000102030405060708090a0b0c0d0e0f10111213141516171819", NULL);
	CU_ASSERT_FALSE(r->u.dtls.records[0].has_alert);
	CU_ASSERT_STRING_EQUAL(rtclab_dtls_record_label(&r->u.dtls.records[0], label, sizeof label),
			       "encrypted alert");
	/* A 3-byte alert. */
	demux_hex("15 fefd 0000 000000000005 0003 022800", NULL);
	ONE_PROBLEM(&D.outer.u.dtls.problems, RTCLAB_DEMUX_E_BAD_LENGTH, 13, 2, 3);
	done();
}

static void test_dtls_unified(void)
{
	/* 0x2c = 001 0 1 1 00: no CID, 16-bit sequence number, length present, epoch 0 (low bits). */
	const struct rtclab_demux_result *r = demux_hex("2e 1234 0005 0102030405", NULL);
	CU_ASSERT_EQUAL_FATAL(r->proto, RTCLAB_DEMUX_DTLS);
	CU_ASSERT_PTR_NOT_NULL(strstr(r->why, "RFC 9147"));
	const struct rtclab_dtls_record *rec = &r->u.dtls.records[0];
	CU_ASSERT_TRUE(rec->unified);
	CU_ASSERT_TRUE(rec->encrypted);
	CU_ASSERT_EQUAL(rec->epoch, 2);
	CU_ASSERT_EQUAL(rec->sequence_bits, 16);
	CU_ASSERT_EQUAL(rec->sequence, 0x1234);
	CU_ASSERT_TRUE(rec->has_length);
	CU_ASSERT_EQUAL(rec->length, 5);
	CU_ASSERT_EQUAL(r->u.dtls.problems.total, 0);
	char label[64];
	CU_ASSERT_STRING_EQUAL(rtclab_dtls_record_label(rec, label, sizeof label), "DTLS 1.3 encrypted record");
	/* Two unified records with lengths, then one without (to the end). */
	r = demux_hex("2f 1234 0002 aabb  27 07 0001 cc  23 09 ddeeff", NULL);
	CU_ASSERT_EQUAL_FATAL(r->u.dtls.n_records, 3);
	CU_ASSERT_EQUAL(r->u.dtls.records[1].offset, 7);
	CU_ASSERT_EQUAL(r->u.dtls.records[1].sequence_bits, 8);
	CU_ASSERT_EQUAL(r->u.dtls.records[1].sequence, 7);
	CU_ASSERT_EQUAL(r->u.dtls.records[2].offset, 12);
	CU_ASSERT_FALSE(r->u.dtls.records[2].has_length);
	CU_ASSERT_EQUAL(r->u.dtls.records[2].length, 3);
	CU_ASSERT_EQUAL(r->u.dtls.records[2].epoch, 3);
	CU_ASSERT_EQUAL(r->u.dtls.problems.total, 0);
	/* With a connection ID (C bit): its length was negotiated, the rest is opaque. */
	r = demux_hex("3c 0102030405060708 1234 0002 aabb", NULL);
	CU_ASSERT_TRUE(r->u.dtls.records[0].has_cid);
	CU_ASSERT_EQUAL(r->u.dtls.records[0].sequence_bits, 0);
	CU_ASSERT_EQUAL(r->u.dtls.n_records, 1);
	CU_ASSERT_EQUAL(r->u.dtls.problems.total, 0);
	/* Length past the end. */
	demux_hex("2c 1234 0010 0102", NULL);
	ONE_PROBLEM(&D.outer.u.dtls.problems, RTCLAB_DEMUX_E_TRUNCATED, 3, 16, 2);
	/* Header cut short: 16-bit sequence and length need 5 bytes. */
	demux_hex("2c 12", NULL);
	ONE_PROBLEM(&D.outer.u.dtls.problems, RTCLAB_DEMUX_E_TRUNCATED_HEADER, 0, 5, 2);
	done();
}

static void test_dtls_truncated(void)
{
	/* The record length says 0x32 (50); 10 bytes are there. */
	demux_hex("16 fefd 0000 000000000000 0032 01020304050607080910", NULL);
	ONE_PROBLEM(&D.outer.u.dtls.problems, RTCLAB_DEMUX_E_TRUNCATED, 11, 50, 10);
	CU_ASSERT_EQUAL(D.outer.u.dtls.n_records, 1);
	CU_ASSERT_EQUAL(D.outer.u.dtls.records[0].body.len, 10);
	/* A whole record, then 5 bytes of a second header. */
	demux_hex("14 fefd 0000 000000000003 0001 01  16 fefd 0000", NULL);
	ONE_PROBLEM(&D.outer.u.dtls.problems, RTCLAB_DEMUX_E_TRUNCATED_HEADER, 14, 13, 5);
	CU_ASSERT_EQUAL(D.outer.u.dtls.n_records, 1);
	/* A handshake message running past its record. */
	demux_hex("16 fefd 0000 000000000000 0010 01 000100 0000 000000 000100 01020304", NULL);
	ONE_PROBLEM(&D.outer.u.dtls.problems, RTCLAB_DEMUX_E_TRUNCATED, 22, 256, 4);
	/* A handshake header cut short inside its record. */
	demux_hex("16 fefd 0000 000000000000 0005 0100010000", NULL);
	ONE_PROBLEM(&D.outer.u.dtls.problems, RTCLAB_DEMUX_E_TRUNCATED_HEADER, 13, 12, 5);
	/* Unknown content type and an unknown version. */
	demux_hex("1f fefd 0000 000000000000 0000", NULL);
	ONE_PROBLEM(&D.outer.u.dtls.problems, RTCLAB_DEMUX_E_UNKNOWN_TYPE, 0, 0, 31);
	demux_hex("17 0303 0001 000000000000 0000", NULL);
	ONE_PROBLEM(&D.outer.u.dtls.problems, RTCLAB_DEMUX_E_BAD_VERSION, 1, 0xFEFD, 0x0303);
	/* DTLS 1.0 (0xFEFF) is fine on the wire. */
	demux_hex("16 feff 0000 000000000000 0000", NULL);
	CU_ASSERT_EQUAL(D.outer.u.dtls.problems.total, 0);
	/* More records than kept: counted. */
	char hex[20 * 40] = "";
	for (int i = 0; i < 20; i++)
		strcat(hex, "14 fefd 0000 000000000003 0001 01 ");
	demux_hex(hex, NULL);
	CU_ASSERT_EQUAL(D.outer.u.dtls.n_records, RTCLAB_DTLS_MAX_RECORDS);
	CU_ASSERT_EQUAL(D.outer.u.dtls.n_records_total, 20);
	CU_ASSERT_EQUAL(D.outer.u.dtls.problems.total, 1);
	done();
}

/* --- RTP ------------------------------------------------------------------------------------- */

static void test_rtp(void)
{
	const struct rtclab_demux_result *r = demux_hex("80 ef 1234 00000064 1234abcd 01020304", NULL);
	CU_ASSERT_EQUAL_FATAL(r->proto, RTCLAB_DEMUX_RTP);
	const struct rtclab_rtp *p = &r->u.rtp;
	CU_ASSERT_EQUAL(p->version, 2);
	CU_ASSERT_TRUE(p->marker);
	CU_ASSERT_EQUAL(p->payload_type, 111);
	CU_ASSERT_EQUAL(p->seq, 0x1234);
	CU_ASSERT_EQUAL(p->timestamp, 100);
	CU_ASSERT_EQUAL(p->ssrc, 0x1234abcd);
	CU_ASSERT_EQUAL(p->header_size, 12);
	CU_ASSERT_EQUAL(p->payload.len, 4);
	CU_ASSERT_EQUAL(p->problems.total, 0);
	CU_ASSERT_FALSE(p->extension);

	/* Two CSRCs, a one-byte extension (ids 1, 3 and padding), 2 bytes of padding. */
	r = demux_hex("b2 60 0001 00000001 11111111 22222222 33333333"
		      "bede 0002 10ff 310102 000000"
		      "aabbccdd 0002",
		      NULL);
	p = &r->u.rtp;
	CU_ASSERT_EQUAL(p->problems.total, 0);
	CU_ASSERT_EQUAL(p->csrc_count, 2);
	CU_ASSERT_EQUAL(p->csrc[1], 0x33333333);
	CU_ASSERT_TRUE(p->extension);
	CU_ASSERT_EQUAL(p->ext_form, RTCLAB_RTP_EXT_ONE_BYTE);
	CU_ASSERT_EQUAL_FATAL(p->n_ext_ids, 2);
	CU_ASSERT_EQUAL(p->ext_ids[0], 1);
	CU_ASSERT_EQUAL(p->ext_lens[0], 1);
	CU_ASSERT_EQUAL(p->ext_ids[1], 3);
	CU_ASSERT_EQUAL(p->ext_lens[1], 2);
	CU_ASSERT_EQUAL(p->header_size, 12 + 8 + 12);
	CU_ASSERT_TRUE(p->padding);
	CU_ASSERT_EQUAL(p->padding_len, 2);
	CU_ASSERT_EQUAL(p->payload.len, 4);

	/* Two-byte form 0x1000: ids 5 (3 bytes) and 200 (0 bytes). */
	r = demux_hex("90 00 0001 00000001 11111111 1000 0002 0503aabbcc c800 00 0102", NULL);
	p = &r->u.rtp;
	CU_ASSERT_EQUAL(p->problems.total, 0);
	CU_ASSERT_EQUAL(p->ext_form, RTCLAB_RTP_EXT_TWO_BYTE);
	CU_ASSERT_EQUAL_FATAL(p->n_ext_ids, 2);
	CU_ASSERT_EQUAL(p->ext_ids[0], 5);
	CU_ASSERT_EQUAL(p->ext_ids[1], 200);
	CU_ASSERT_EQUAL(p->payload.len, 2);

	/* Malformed: extension length past the end, an element past its block,
	 * CSRCs missing, padding count larger than the payload or zero. */
	demux_hex("90 00 0001 00000001 11111111 bede 0004 10ff", NULL);
	ONE_PROBLEM(&D.outer.u.rtp.problems, RTCLAB_DEMUX_E_TRUNCATED, 14, 16, 2);
	demux_hex("90 00 0001 00000001 11111111 bede 0001 13ff0000", NULL);
	ONE_PROBLEM(&D.outer.u.rtp.problems, RTCLAB_DEMUX_E_BAD_LENGTH, 16, 4, 3);
	demux_hex("83 00 0001 00000001 11111111 22222222", NULL);
	ONE_PROBLEM(&D.outer.u.rtp.problems, RTCLAB_DEMUX_E_TRUNCATED, 0, 12, 4);
	demux_hex("a0 00 0001 00000001 11111111 aabb 09", NULL);
	ONE_PROBLEM(&D.outer.u.rtp.problems, RTCLAB_DEMUX_E_BAD_PADDING, 14, 3, 9);
	demux_hex("a0 00 0001 00000001 11111111 aabb 00", NULL);
	ONE_PROBLEM(&D.outer.u.rtp.problems, RTCLAB_DEMUX_E_BAD_PADDING, 14, 3, 0);
	done();
}

/* --- RTCP ------------------------------------------------------------------------------------ */

/* SR (with one report block) + SDES CNAME. */
#define SR_SDES                                                                                             \
	"81 c8 000c 1234abcd  e0000000 00000000  00000064 00000010 00000400"                                \
	"  55667788 00000000 00000000 00000000 00000000 00000000"                                           \
	"81 ca 0003 1234abcd 0104 6162 6364 0000"

static void test_rtcp(void)
{
	const struct rtclab_demux_result *r = demux_hex(SR_SDES, NULL);
	CU_ASSERT_EQUAL_FATAL(r->proto, RTCLAB_DEMUX_RTCP);
	CU_ASSERT_PTR_NOT_NULL(strstr(r->why, "RFC 5761"));
	const struct rtclab_rtcp *c = &r->u.rtcp;
	CU_ASSERT_EQUAL(c->problems.total, 0);
	CU_ASSERT_FALSE(c->srtcp);
	CU_ASSERT_EQUAL_FATAL(c->n_packets, 2);
	CU_ASSERT_EQUAL(c->packets[0].type, RTCLAB_RTCP_SR);
	CU_ASSERT_EQUAL(c->packets[0].count, 1);
	CU_ASSERT_EQUAL(c->packets[0].ssrc, 0x1234abcd);
	CU_ASSERT_EQUAL(c->packets[1].type, RTCLAB_RTCP_SDES);
	CU_ASSERT_EQUAL(c->packets[1].offset, 52);

	/* RR + RTPFB generic NACK + PSFB PLI. */
	r = demux_hex("80 c9 0001 11111111"
		      "81 cd 0003 11111111 22222222 00640000"
		      "81 ce 0002 11111111 22222222",
		      NULL);
	c = &r->u.rtcp;
	CU_ASSERT_EQUAL(c->problems.total, 0);
	CU_ASSERT_EQUAL_FATAL(c->n_packets, 3);
	CU_ASSERT_EQUAL(c->packets[0].type, RTCLAB_RTCP_RR);
	CU_ASSERT_EQUAL(c->packets[1].type, RTCLAB_RTCP_RTPFB);
	CU_ASSERT_STRING_EQUAL(rtclab_rtcp_fmt_name(&c->packets[1]), "Generic NACK");
	CU_ASSERT_EQUAL(c->packets[1].media_ssrc, 0x22222222);
	CU_ASSERT_STRING_EQUAL(rtclab_rtcp_fmt_name(&c->packets[2]), "PLI");

	/* REMB (PSFB FMT 15 with "REMB"), and transport-cc. */
	r = demux_hex("8f ce 0005 11111111 00000000 52454d42 0103e840 22222222"
		      "8f cd 0002 11111111 22222222",
		      NULL);
	c = &r->u.rtcp;
	CU_ASSERT_EQUAL(c->problems.total, 0);
	CU_ASSERT_TRUE(c->packets[0].remb);
	CU_ASSERT_STRING_EQUAL(rtclab_rtcp_fmt_name(&c->packets[0]), "REMB");
	CU_ASSERT_STRING_EQUAL(rtclab_rtcp_fmt_name(&c->packets[1]), "transport-cc");

	/* Malformed lengths: the first packet's length past the end; a later one's. */
	demux_hex("80 c9 0006 11111111 00000000", NULL);
	ONE_PROBLEM(&D.outer.u.rtcp.problems, RTCLAB_DEMUX_E_TRUNCATED, 2, 28, 12);
	demux_hex("80 c9 0001 11111111  81 ca 0009 1234abcd 0104 6162", NULL);
	ONE_PROBLEM(&D.outer.u.rtcp.problems, RTCLAB_DEMUX_E_TRUNCATED, 10, 40, 12);
	CU_ASSERT_EQUAL(D.outer.u.rtcp.n_packets, 2);
	/* Two bytes after the last packet: neither a packet nor an SRTCP trailer. */
	demux_hex("80 c9 0001 11111111 0000", NULL);
	ONE_PROBLEM(&D.outer.u.rtcp.problems, RTCLAB_DEMUX_E_TRAILING_BYTES, 8, 0, 2);
	/* Bad padding count in the last packet. */
	demux_hex("a0 c9 0001 11111109", NULL);
	ONE_PROBLEM(&D.outer.u.rtcp.problems, RTCLAB_DEMUX_E_BAD_PADDING, 7, 4, 9);

	/* SRTCP, AEAD: XR header in the clear, then ciphertext, E flag + index last. */
	r = demux_hex("80cf0004d2b3ec9fce65be7c390a06124a55f091d340f80aca7403d7b5a2132964bc878080000001", NULL);
	c = &r->u.rtcp;
	CU_ASSERT_EQUAL(c->problems.total, 0);
	CU_ASSERT_TRUE(c->srtcp);
	CU_ASSERT_TRUE(c->srtcp_trailer);
	CU_ASSERT_TRUE(c->srtcp_e);
	CU_ASSERT_EQUAL(c->srtcp_index, 1);
	CU_ASSERT_EQUAL(c->srtcp_trailer_offset, 36);
	CU_ASSERT_EQUAL(c->n_packets, 1);
	CU_ASSERT_EQUAL(c->packets[0].type, RTCLAB_RTCP_XR);
	/* SRTCP with an HMAC-SHA1-80 tag after the index. */
	r = demux_hex("80c80006 11111111 0102030405060708090a0b0c0d0e0f101112131415161718 80000007 00112233445566778899",
		      NULL);
	CU_ASSERT_TRUE(r->u.rtcp.srtcp);
	CU_ASSERT_EQUAL(r->u.rtcp.srtcp_index, 7);
	CU_ASSERT_EQUAL(r->u.rtcp.srtcp_trailer_offset, 32);
	done();
}

/* --- TURN tunnels and channel bindings ------------------------------------------------------- */

static const uint8_t TID[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

static size_t binding_check(uint8_t *buf, size_t cap)
{
	struct rtclab_stun_encoder e;
	rtclab_stun_enc_begin(&e, buf, cap, RTCLAB_STUN_BINDING, RTCLAB_STUN_REQUEST, TID);
	rtclab_stun_enc_raw(&e, RTCLAB_STUN_ATTR_USERNAME, "abcd:efgh", 9);
	uint8_t prio[4] = {0x6e, 0x7f, 0x1e, 0xff};
	rtclab_stun_enc_raw(&e, RTCLAB_STUN_ATTR_PRIORITY, prio, 4);
	rtclab_stun_enc_fingerprint(&e);
	return rtclab_stun_enc_end(&e);
}

static struct rtclab_addr addr(const char *ip, uint16_t port)
{
	struct rtclab_addr a;
	memset(&a, 0, sizeof a);
	CU_ASSERT_TRUE(rtclab_addr_ip_parse(&a, ip));
	a.port = port;
	return a;
}

static size_t indication(uint8_t *buf, size_t cap, uint16_t method, const struct rtclab_addr *peer,
			 const uint8_t *data, size_t len)
{
	struct rtclab_stun_encoder e;
	struct rtclab_stun_attr a;
	memset(&a, 0, sizeof a);
	rtclab_stun_enc_begin(&e, buf, cap, method, RTCLAB_STUN_INDICATION, TID);
	a.type = RTCLAB_STUN_ATTR_XOR_PEER_ADDRESS;
	a.v.addr = *peer;
	rtclab_stun_enc_attr(&e, &a);
	rtclab_stun_enc_raw(&e, RTCLAB_STUN_ATTR_DATA, data, len);
	return rtclab_stun_enc_end(&e);
}

static void test_turn_data_indication(void)
{
	uint8_t check[200], buf[400];
	size_t n = binding_check(check, sizeof check);
	CU_ASSERT_FATAL(n > 0);
	struct rtclab_addr peer = addr("198.51.100.7", 50000);
	size_t m = indication(buf, sizeof buf, RTCLAB_STUN_DATA, &peer, check, n);
	CU_ASSERT_FATAL(m > 0);
	rtclab_demux_udp(&D, buf, m, NULL);
	CU_ASSERT_EQUAL(D.outer.proto, RTCLAB_DEMUX_STUN);
	CU_ASSERT_EQUAL_FATAL(D.via, RTCLAB_TUNNEL_TURN_DATA);
	CU_ASSERT_TRUE(D.has_peer);
	CU_ASSERT_TRUE(rtclab_addr_equal(&D.peer, &peer));
	CU_ASSERT_EQUAL(D.inner.proto, RTCLAB_DEMUX_STUN);
	CU_ASSERT_EQUAL(D.inner.bytes.len, n);
	CU_ASSERT_EQUAL(D.inner.offset, 20 + 12 + 4); /* header, XOR-PEER-ADDRESS, DATA's header */
	CU_ASSERT_EQUAL(memcmp(buf + D.inner.offset, check, n), 0);
	CU_ASSERT_EQUAL(D.inner.u.stun.method, RTCLAB_STUN_BINDING);
	CU_ASSERT_EQUAL(D.inner.u.stun.n_problems, 0);
	struct rtclab_story st;
	rtclab_demux_story(&D.inner, &st);
	CU_ASSERT_EQUAL(st.step, RTCLAB_STEP_CHECKS);
	/* A Send indication with RTP in it. */
	uint8_t rtp[16];
	size_t rl;
	uint8_t *h = unit_hex("80 6f 0001 00000001 1234abcd 01020304", &rl);
	memcpy(rtp, h, rl);
	free(h);
	m = indication(buf, sizeof buf, RTCLAB_STUN_SEND, &peer, rtp, rl);
	rtclab_demux_udp(&D, buf, m, NULL);
	CU_ASSERT_EQUAL(D.via, RTCLAB_TUNNEL_TURN_SEND);
	CU_ASSERT_EQUAL(D.inner.proto, RTCLAB_DEMUX_RTP);
	CU_ASSERT_EQUAL(D.inner.u.rtp.ssrc, 0x1234abcd);
	/* A Binding request is not a tunnel. */
	rtclab_demux_udp(&D, check, n, NULL);
	CU_ASSERT_EQUAL(D.via, RTCLAB_TUNNEL_NONE);
}

static void test_channeldata_dtls(void)
{
	const struct rtclab_demux_result *r = demux_hex("4001 0039" CLIENT_HELLO_FRAGMENT " 000000", NULL); /* 57 bytes, 3 of padding */
	CU_ASSERT_EQUAL(r->proto, RTCLAB_DEMUX_CHANNELDATA);
	CU_ASSERT_EQUAL(r->u.channeldata.channel, 0x4001);
	CU_ASSERT_EQUAL(r->u.channeldata.n_problems, 0);
	CU_ASSERT_EQUAL_FATAL(D.via, RTCLAB_TUNNEL_CHANNELDATA);
	CU_ASSERT_EQUAL(D.channel, 0x4001);
	CU_ASSERT_FALSE(D.has_peer);
	CU_ASSERT_EQUAL(D.inner.offset, 4);
	CU_ASSERT_EQUAL_FATAL(D.inner.proto, RTCLAB_DEMUX_DTLS);
	CU_ASSERT_EQUAL(D.inner.u.dtls.records[0].handshakes[0].type, 1);
	CU_ASSERT_EQUAL(D.inner.u.dtls.problems.total, 0);
	/* Truncated ChannelData: the data there is still opened. */
	r = demux_hex("4001 0040 16fefd", NULL);
	CU_ASSERT_EQUAL(r->u.channeldata.n_problems, 1);
	CU_ASSERT_EQUAL(D.via, RTCLAB_TUNNEL_CHANNELDATA);
	CU_ASSERT_EQUAL(D.inner.proto, RTCLAB_DEMUX_DTLS);
	CU_ASSERT_EQUAL(D.inner.u.dtls.problems.total, 1);
	done();
}

static size_t channel_bind(uint8_t *buf, size_t cap, enum rtclab_stun_class cls, uint16_t channel,
			   const struct rtclab_addr *peer)
{
	struct rtclab_stun_encoder e;
	struct rtclab_stun_attr a;
	memset(&a, 0, sizeof a);
	rtclab_stun_enc_begin(&e, buf, cap, RTCLAB_STUN_CHANNEL_BIND, cls, TID);
	if (cls == RTCLAB_STUN_REQUEST) {
		a.type = RTCLAB_STUN_ATTR_CHANNEL_NUMBER;
		a.v.u32 = channel;
		rtclab_stun_enc_attr(&e, &a);
		a.type = RTCLAB_STUN_ATTR_XOR_PEER_ADDRESS;
		a.v.addr = *peer;
		rtclab_stun_enc_attr(&e, &a);
	}
	return rtclab_stun_enc_end(&e);
}

static void test_bound_channel(void)
{
	static struct rtclab_channel_bindings table;
	rtclab_channel_bindings_init(&table);
	struct rtclab_addr client = addr("192.0.2.10", 40000), server = addr("203.0.113.5", 3478),
			   peer = addr("198.51.100.7", 50000), other = addr("192.0.2.11", 40000);
	struct rtclab_demux_ctx up = {&client, &server, &table}, down = {&server, &client, &table};
	struct rtclab_demux_ctx elsewhere = {&other, &server, &table};
	const char *cd = "7c42 0010 80 6f 0001 00000001 1234abcd 01020304";
	/* Before any binding: QUIC range. */
	CU_ASSERT_EQUAL(demux_hex(cd, &up)->proto, RTCLAB_DEMUX_QUIC);
	/* ChannelBind request, then its success response: the table learns. */
	uint8_t buf[200];
	size_t n = channel_bind(buf, sizeof buf, RTCLAB_STUN_REQUEST, 0x7C42, &peer);
	rtclab_demux_udp(&D, buf, n, &up);
	CU_ASSERT_EQUAL(table.n, 0);
	CU_ASSERT_EQUAL(table.n_pending, 1);
	n = channel_bind(buf, sizeof buf, RTCLAB_STUN_SUCCESS, 0, NULL);
	rtclab_demux_udp(&D, buf, n, &down);
	CU_ASSERT_EQUAL_FATAL(table.n, 1);
	CU_ASSERT_EQUAL(table.b[0].channel, 0x7C42);
	/* Now 0x7C42 is ChannelData in both directions, with the peer known. */
	const struct rtclab_demux_result *r = demux_hex(cd, &down);
	CU_ASSERT_EQUAL_FATAL(r->proto, RTCLAB_DEMUX_CHANNELDATA);
	CU_ASSERT_TRUE(r->channel_bound);
	CU_ASSERT_PTR_NOT_NULL(strstr(r->why, "0x7C42"));
	CU_ASSERT_EQUAL(D.via, RTCLAB_TUNNEL_CHANNELDATA);
	CU_ASSERT_EQUAL(D.channel, 0x7C42);
	CU_ASSERT_TRUE(D.has_peer && rtclab_addr_equal(&D.peer, &peer));
	CU_ASSERT_EQUAL(D.inner.proto, RTCLAB_DEMUX_RTP);
	CU_ASSERT_EQUAL(demux_hex(cd, &up)->proto, RTCLAB_DEMUX_CHANNELDATA);
	/* Not between other addresses, not another channel. */
	CU_ASSERT_EQUAL(demux_hex(cd, &elsewhere)->proto, RTCLAB_DEMUX_QUIC);
	CU_ASSERT_EQUAL(demux_hex("7c43 0004 01020304", &up)->proto, RTCLAB_DEMUX_QUIC);
	/* A success with another transaction ID adds nothing. */
	CU_ASSERT_FALSE(rtclab_channel_bindings_note(&table, &D.outer.u.stun, &server, &client));
	/* Direct adds; a full table says so. */
	rtclab_channel_bindings_init(&table);
	for (unsigned i = 0; i < RTCLAB_CHANNEL_BINDINGS_MAX; i++)
		CU_ASSERT_TRUE(rtclab_channel_bindings_add(&table, &client, &server, (uint16_t)(0x5000 + i), NULL));
	CU_ASSERT_TRUE(rtclab_channel_bindings_add(&table, &client, &server, 0x5000, &peer)); /* refresh */
	CU_ASSERT_FALSE(rtclab_channel_bindings_add(&table, &client, &server, 0x7000, NULL));
	CU_ASSERT_PTR_NOT_NULL(rtclab_channel_bindings_find(&table, &server, &client, 0x5001));
	done();
}

/* --- JSON ------------------------------------------------------------------------------------ */

static json_t *dump_json(void)
{
	json_t *j = rtclab_demux_json(&D);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	return j;
}

static void json_has(const char *file, unsigned line, json_t *o, const char *path, const char *want)
{
	json_t *v = o;
	char buf[128];
	snprintf(buf, sizeof buf, "%s", path);
	for (char *save, *k = strtok_r(buf, ".", &save); k && v; k = strtok_r(NULL, ".", &save))
		v = json_is_array(v) ? json_array_get(v, (size_t)atoi(k)) : json_object_get(v, k);
	char *got = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
	unit_check_at(got && strcmp(got, want) == 0, file, line, "%s is %s, want %s", path, got ? got : "(absent)", want);
	free(got);
}
#define JSON_HAS(o, path, want) json_has(__FILE__, __LINE__, (o), (path), (want))

static void test_json(void)
{
	demux_hex(CLIENT_HELLO_FRAGMENT, NULL);
	json_t *j = dump_json();
	JSON_HAS(j, "proto", "\"dtls\"");
	JSON_HAS(j, "why", "\"first byte 0x16 (22): DTLS, RFC 7983\"");
	JSON_HAS(j, "dtls.content_type", "\"handshake\"");
	JSON_HAS(j, "dtls.version", "\"DTLS 1.2\"");
	JSON_HAS(j, "dtls.epoch", "0");
	JSON_HAS(j, "dtls.sequence", "1");
	JSON_HAS(j, "dtls.handshake_type", "\"ClientHello\"");
	JSON_HAS(j, "dtls.handshakes.0.fragment_length", "32");
	JSON_HAS(j, "dtls.records.0.length", "44");
	CU_ASSERT_PTR_NULL(json_object_get(j, "problems"));
	json_decref(j);

	demux_hex("80 6f 0007 00000064 1234abcd 01020304", NULL);
	j = dump_json();
	JSON_HAS(j, "proto", "\"rtp\"");
	JSON_HAS(j, "rtp.payload_type", "111");
	JSON_HAS(j, "rtp.ssrc", "\"0x1234abcd\"");
	JSON_HAS(j, "rtp.seq", "7");
	JSON_HAS(j, "rtp.timestamp", "100");
	JSON_HAS(j, "rtp.marker", "false");
	json_decref(j);

	demux_hex(SR_SDES, NULL);
	j = dump_json();
	JSON_HAS(j, "rtcp.types", "[\"SR\",\"SDES\"]");
	JSON_HAS(j, "rtcp.packets.0.ssrc", "\"0x1234abcd\"");
	json_decref(j);

	demux_hex("4001 0039" CLIENT_HELLO_FRAGMENT, NULL);
	j = dump_json();
	JSON_HAS(j, "proto", "\"channeldata\"");
	JSON_HAS(j, "channeldata.channel", "16385");
	JSON_HAS(j, "channeldata.length", "57");
	JSON_HAS(j, "inner.proto", "\"dtls\"");
	JSON_HAS(j, "inner.tunnel", "{\"via\":\"channeldata\",\"channel\":16385}");
	JSON_HAS(j, "inner.offset", "4");
	json_decref(j);

	demux_hex("16 fefd 0000 000000000000 0032 0102", NULL);
	j = dump_json();
	JSON_HAS(j, "problems.0.offset", "11");
	JSON_HAS(j, "problems.0.id", "\"truncated\"");
	json_decref(j);

	uint8_t check[200], buf[400];
	size_t n = binding_check(check, sizeof check);
	struct rtclab_addr peer = addr("198.51.100.7", 50000);
	size_t m = indication(buf, sizeof buf, RTCLAB_STUN_DATA, &peer, check, n);
	rtclab_demux_udp(&D, buf, m, NULL);
	j = dump_json();
	JSON_HAS(j, "stun.method", "\"Data\"");
	JSON_HAS(j, "inner.tunnel", "{\"via\":\"turn-data\",\"peer\":\"198.51.100.7:50000\"}");
	JSON_HAS(j, "inner.stun.method", "\"Binding\"");
	json_decref(j);
	done();
}

/* --- real payloads against tshark ------------------------------------------------------------ */

struct tally {
	size_t lines, dtls, rtp, rtcp, stun, turn, wrong;
};

/* Append to a comma list. */
static void add(char *list, size_t cap, bool hex, unsigned long long v)
{
	char item[32];
	if (hex)
		snprintf(item, sizeof item, "0x%04llx", v);
	else
		snprintf(item, sizeof item, "%llu", v);
	size_t n = strlen(list);
	snprintf(list + n, cap - n, "%s%s", n ? "," : "", item);
}

static bool field_is(const char *got, const char *want)
{
	if (strcmp(got, "*") == 0) /* this field is not compared */
		return true;
	return strcmp(want, "-") == 0 ? got[0] == '\0' : strcmp(got, want) == 0;
}

#define NF 17

static bool check_dtls(const struct rtclab_demux_result *r, char **f, char *why, size_t cap)
{
	char ct[512] = "", ep[512] = "", ver[1024] = "", hs[512] = "", off[512] = "", fl[512] = "";
	const struct rtclab_dtls *d = &r->u.dtls;
	for (size_t i = 0; i < d->n_records; i++) {
		const struct rtclab_dtls_record *rec = &d->records[i];
		add(ct, sizeof ct, false, rec->content_type);
		add(ep, sizeof ep, false, rec->epoch);
		add(ver, sizeof ver, true, rec->version);
		for (size_t k = 0; k < rec->n_handshakes; k++) {
			add(hs, sizeof hs, false, rec->handshakes[k].type);
			add(off, sizeof off, false, rec->handshakes[k].fragment_offset);
			add(fl, sizeof fl, false, rec->handshakes[k].fragment_length);
		}
	}
	snprintf(why, cap, "content types %s epochs %s versions %s handshakes %s offsets %s lengths %s", ct, ep, ver,
		 hs, off, fl);
	return field_is(ct, f[3]) && field_is(ep, f[4]) && field_is(ver, f[5]) && field_is(hs, f[6]) &&
	       field_is(off, f[7]) && field_is(fl, f[8]);
}

static bool check_rtp(const struct rtclab_demux_result *r, char **f, char *why, size_t cap)
{
	const struct rtclab_rtp *p = &r->u.rtp;
	char pt[8], ssrc[16], seq[8], ts[16], mk[4];
	snprintf(pt, sizeof pt, "%u", p->payload_type);
	snprintf(ssrc, sizeof ssrc, "0x%08x", (unsigned)p->ssrc);
	snprintf(seq, sizeof seq, "%u", p->seq);
	snprintf(ts, sizeof ts, "%u", (unsigned)p->timestamp);
	snprintf(mk, sizeof mk, "%u", p->marker ? 1u : 0u);
	snprintf(why, cap, "pt %s ssrc %s seq %s ts %s marker %s", pt, ssrc, seq, ts, mk);
	/* tshark's RTP heuristic sometimes reads a second RTP header inside the
	 * (encrypted) payload and lists two payload types: the first is the header's. */
	char *comma = strchr(f[9], ',');
	if (comma)
		*comma = '\0';
	return field_is(pt, f[9]) && field_is(ssrc, f[10]) && field_is(seq, f[11]) && field_is(ts, f[12]) &&
	       field_is(mk, f[13]);
}

static bool check_rtcp(const struct rtclab_demux_result *r, char **f, char *why, size_t cap)
{
	char pts[256] = "";
	for (size_t i = 0; i < r->u.rtcp.n_packets; i++)
		add(pts, sizeof pts, false, r->u.rtcp.packets[i].type);
	/* SRTCP: only the first packet's header is in the clear.  tshark reads
	 * on into the ciphertext and sometimes finds more "packets" there;
	 * compare the first only. */
	char *comma = strchr(f[14], ',');
	if (r->u.rtcp.srtcp && comma && r->u.rtcp.n_packets == 1)
		*comma = '\0';
	snprintf(why, cap, "packet types %s%s", pts, r->u.rtcp.srtcp ? " (SRTCP)" : "");
	return field_is(pts, f[14]);
}

static bool check_stun(const struct rtclab_demux_result *r, char **f, char *why, size_t cap)
{
	char type[32];
	if (r->proto == RTCLAB_DEMUX_CHANNELDATA)
		snprintf(type, sizeof type, "channel=0x%04x", r->u.channeldata.channel);
	else
		snprintf(type, sizeof type, "0x%04x", r->u.stun.type);
	snprintf(why, cap, "type %s", type);
	return field_is(type, f[15]);
}

static void check_line(char *line, struct tally *t, const char *source)
{
	char *f[NF], *save = NULL;
	size_t n = 0;
	for (char *tok = strtok_r(line, "\t\n", &save); tok && n < NF; tok = strtok_r(NULL, "\t\n", &save))
		f[n++] = tok;
	if (n != NF)
		return;
	t->lines++;
	size_t len;
	uint8_t *bytes = unit_hex(f[16], &len);
	rtclab_demux_udp(&D, bytes, len, NULL);
	const struct rtclab_demux_result *r = &D.outer;
	enum rtclab_demux_proto want;
	const char *kind = f[2];
	bool (*check)(const struct rtclab_demux_result *, char **, char *, size_t) = NULL;
	if (strcmp(kind, "dtls") == 0)
		want = RTCLAB_DEMUX_DTLS, check = check_dtls, t->dtls++;
	else if (strcmp(kind, "rtp") == 0)
		want = RTCLAB_DEMUX_RTP, check = check_rtp, t->rtp++;
	else if (strcmp(kind, "rtcp") == 0)
		want = RTCLAB_DEMUX_RTCP, check = check_rtcp, t->rtcp++;
	else if (strcmp(kind, "turn") == 0)
		want = strncmp(f[15], "channel=", 8) == 0 ? RTCLAB_DEMUX_CHANNELDATA : RTCLAB_DEMUX_STUN,
		check = check_stun, t->turn++;
	else
		want = RTCLAB_DEMUX_STUN, check = check_stun, t->stun++;
	char why[2048] = "";
	bool ok = r->proto == want && check(r, f, why, sizeof why);
	if (ok && strcmp(kind, "turn") == 0)
		ok = D.via != RTCLAB_TUNNEL_NONE;
	if (!ok) {
		t->wrong++;
		fprintf(stderr, "\n  %s: %s frame %s (%s): rtclab says %s, %s\n", source, f[0], f[1], kind,
			rtclab_demux_proto_name(r->proto), why);
	}
	/* Whatever it is, the JSON is made. */
	json_decref(rtclab_demux_json(&D));
	free(bytes);
}

static void check_file(FILE *in, struct tally *t, const char *source)
{
	static char line[1 << 17];
	while (fgets(line, sizeof line, in))
		check_line(line, t, source);
}

static void test_corpus(void)
{
	const char *dir = getenv("RTCLAB_FIXTURES");
	char path[1024];
	snprintf(path, sizeof path, "%s/payloads/corpus.tsv", dir ? dir : "tests/fixtures");
	FILE *in = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	struct tally t = {0};
	check_file(in, &t, "corpus.tsv");
	fclose(in);
	CHECKF(t.wrong == 0, "%zu of %zu corpus payloads decoded differently from tshark", t.wrong, t.lines);
	CU_ASSERT(t.dtls >= 100 && t.rtp >= 100 && t.rtcp >= 50 && t.stun >= 100 && t.turn >= 20);
}

static void test_live_tshark(void)
{
	const char *fixtures = getenv("RTCLAB_FIXTURES");
	const char *pcaps = getenv("RTCLAB_PCAP_DIR");
	char dir[1024], cmd[3072];
	snprintf(dir, sizeof dir, "%s", pcaps ? pcaps : "");
	if (!pcaps)
		snprintf(dir, sizeof dir, "%s/pcap", fixtures ? fixtures : "tests/fixtures");
	if (system("tshark --version >/dev/null 2>&1") != 0) {
		fprintf(stderr, "\nNOTICE: tshark is not installed: the live demux cross-check is SKIPPED "
				"(the checked-in corpus.tsv was still checked)\n");
		return;
	}
	snprintf(cmd, sizeof cmd, "ls %s/*.pcap* >/dev/null 2>&1", dir);
	if (system(cmd) != 0) {
		fprintf(stderr, "\nNOTICE: no captures in %s (set RTCLAB_PCAP_DIR): the live demux cross-check is "
				"SKIPPED\n", dir);
		return;
	}
	snprintf(cmd, sizeof cmd, "sh %s/payloads/extract.sh %s", fixtures ? fixtures : "tests/fixtures", dir);
	FILE *in = popen(cmd, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	struct tally t = {0};
	check_file(in, &t, "live tshark");
	CU_ASSERT_EQUAL(pclose(in), 0);
	CHECKF(t.lines > 0, "tshark gave no payloads from %s", dir);
	CHECKF(t.wrong == 0, "%zu of %zu payloads decoded differently from tshark", t.wrong, t.lines);
}

/* RFC 3489 messages carry no cookie: only a length that covers the datagram
 * makes them STUN.  An mDNS query (ID 0, flags 0) does not pass. */
static void test_classic_stun_exact_length(void)
{
	CU_ASSERT_EQUAL(demux_hex("0001 0000 000102030405060708090a0b0c0d0e0f", NULL)->proto, RTCLAB_DEMUX_STUN);
	CU_ASSERT_FALSE(D.outer.u.stun.magic_cookie);
	CU_ASSERT_EQUAL(demux_hex("0000 0000 0001 0000 0000 0000 0474657374 056c6f63616c 00 0001 0001", NULL)->proto,
			RTCLAB_DEMUX_OTHER);
	CU_ASSERT_PTR_NOT_NULL(strstr(D.outer.why, "no magic cookie"));
	/* a classic message with 4 bytes after it */
	CU_ASSERT_EQUAL(demux_hex("0001 0000 000102030405060708090a0b0c0d0e0f 00000000", NULL)->proto, RTCLAB_DEMUX_OTHER);
	done();
}

/* SRTCP (AEAD) whose encrypted rest happens to hold a plausible RTCP header
 * (0x80 0xDF) with a length past the datagram: ndpi_stun_google_meet.pcapng
 * frame 272.  The padding count of the first packet is ciphertext too. */
static void test_srtcp_chance_header(void)
{
	const struct rtclab_demux_result *r = demux_hex(
		"afcd000ccdeda425bf0f5f9bd63fc3bb43ed2d8a2e1864095a4c732fde26f4b9b67c1477a8b34e4e4a2ecde814707d3f"
		"c22f5dd580df5fc5a725ca774c49747afff5e16880000002",
		NULL);
	CU_ASSERT_EQUAL(r->proto, RTCLAB_DEMUX_RTCP);
	CU_ASSERT_TRUE(r->u.rtcp.srtcp);
	CU_ASSERT_TRUE(r->u.rtcp.srtcp_e);
	CU_ASSERT_EQUAL(r->u.rtcp.srtcp_index, 2);
	CU_ASSERT_EQUAL(r->u.rtcp.n_packets_total, 1);
	CU_ASSERT_EQUAL(r->u.rtcp.packets[0].type, 205);
	CHECKF(r->u.rtcp.problems.total == 0, "%zu problems", r->u.rtcp.problems.total);
	/* plain RTCP with a bad padding count still says so */
	r = demux_hex("a0c90002 11223344 00000000", NULL);
	CU_ASSERT_FALSE(r->u.rtcp.srtcp);
	CU_ASSERT_EQUAL(r->u.rtcp.problems.total, 1);
	CU_ASSERT_EQUAL(r->u.rtcp.problems.p[0].code, RTCLAB_DEMUX_E_BAD_PADDING);
	done();
}

/* Messages cut from a TCP stream (TURN over TCP): a Send indication and a
 * padded ChannelData message are opened as over UDP. */
static void test_stream_message(void)
{
	size_t n;
	uint8_t *b = unit_hex("0016 0024 2112a442 000102030405060708090a0b"
			      "0012 0008 0001 2113 e112a643"
			      "0013 0014 0001 0000 2112a442 0a0b0c0d0e0f101112131415",
			      &n);
	rtclab_demux_stream_message(&D, b, n, NULL);
	CU_ASSERT_EQUAL(D.outer.proto, RTCLAB_DEMUX_STUN);
	CU_ASSERT_EQUAL(D.outer.u.stun.method, RTCLAB_STUN_SEND);
	CU_ASSERT_EQUAL(D.via, RTCLAB_TUNNEL_TURN_SEND);
	CU_ASSERT_TRUE(D.has_peer);
	CU_ASSERT_EQUAL(D.inner.proto, RTCLAB_DEMUX_STUN);
	CU_ASSERT_EQUAL(D.inner.u.stun.method, RTCLAB_STUN_BINDING);
	CU_ASSERT_EQUAL(D.inner.u.stun.cls, RTCLAB_STUN_REQUEST);
	CU_ASSERT_EQUAL(D.inner.offset, 36);
	free(b);
	b = unit_hex("4001 000d 806f0001 00000002 00000003 ff 000000", &n);
	rtclab_demux_stream_message(&D, b, n, NULL);
	CU_ASSERT_EQUAL(D.outer.proto, RTCLAB_DEMUX_CHANNELDATA);
	CU_ASSERT_EQUAL(D.outer.u.channeldata.channel, 0x4001);
	CHECKF(D.outer.u.channeldata.n_problems == 0, "%zu ChannelData problems",
	       D.outer.u.channeldata.n_problems);
	CU_ASSERT_EQUAL(D.via, RTCLAB_TUNNEL_CHANNELDATA);
	CU_ASSERT_EQUAL(D.inner.proto, RTCLAB_DEMUX_RTP);
	CU_ASSERT_EQUAL(D.inner.bytes.len, 13);
	CU_ASSERT_EQUAL(D.inner.u.rtp.payload_type, 111);
	/* a plain STUN message: no tunnel */
	free(b);
	b = unit_hex("0001 0000 2112a442 000102030405060708090a0b", &n);
	rtclab_demux_stream_message(&D, b, n, NULL);
	CU_ASSERT_EQUAL(D.outer.proto, RTCLAB_DEMUX_STUN);
	CU_ASSERT_EQUAL(D.via, RTCLAB_TUNNEL_NONE);
	free(b);
}

RTCLAB_SUITE(demux)
{
	static const struct unit_test tests[] = {
		{"every first-byte range (RFC 7983, RFC 9443)", test_first_bytes},
		{"reasons: the same text, cut like snprintf", test_why_texts},
		{"DTLS ClientHello fragment", test_dtls_client_hello},
		{"DTLS several records, CCS, encrypted epoch 1", test_dtls_several_records},
		{"DTLS alerts", test_dtls_alert},
		{"DTLS 1.3 unified header (RFC 9147 4)", test_dtls_unified},
		{"DTLS truncated and malformed records", test_dtls_truncated},
		{"RTP: CSRCs, RFC 8285 extensions, padding, bad lengths", test_rtp},
		{"RTCP compound, feedback, SRTCP, bad lengths", test_rtcp},
		{"TURN Send/Data indications opened", test_turn_data_indication},
		{"ChannelData carrying DTLS", test_channeldata_dtls},
		{"bound channel 0x7C42 through the bindings table", test_bound_channel},
		{"JSON shapes", test_json},
		{"classic STUN only when its length covers the datagram", test_classic_stun_exact_length},
		{"SRTCP with a chance RTCP header in its ciphertext", test_srtcp_chance_header},
		{"TURN over TCP: stream messages opened", test_stream_message},
		{"corpus payloads agree with tshark (checked in)", test_corpus},
		{"corpus payloads agree with tshark (live)", test_live_tshark},
		{NULL, NULL},
	};
	unit_add_suite("demux", tests);
}
