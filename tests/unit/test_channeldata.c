/* TURN ChannelData (RFC 8656 12.4/12.5, RFC 5766 11.4/11.5): decoding over
 * UDP and TCP, the channel number ranges, padding, truncation, encoding. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtclab/channeldata.h"
#include "rtclab/stun_json.h"
#include "unit.h"


static const bool UDP = false, TCP = true;

static struct rtclab_channeldata CD;
static uint8_t *BUF;
static size_t LEN;

static enum rtclab_stun_error decode_hex(const char *hexstr, bool over_tcp)
{
	free(BUF);
	BUF = unit_hex(hexstr, &LEN);
	return rtclab_channeldata_decode(&CD, BUF, LEN, over_tcp);
}

static void done(void)
{
	free(BUF);
	BUF = NULL;
}

static bool data_is(const char *s)
{
	return CD.data.len == strlen(s) && (CD.data.len == 0 || memcmp(CD.data.ptr, s, CD.data.len) == 0);
}

/* The one problem of CD, checked; NULL (and a failure) when it is not so. */
static const struct rtclab_stun_problem *one_problem(const char *file, unsigned line, enum rtclab_stun_error code,
						     uint32_t offset, uint32_t expected, uint32_t found)
{
	if (CD.n_problems != 1) {
		unit_check_at(0, file, line, "%zu problems, want one %s", CD.n_problems, rtclab_stun_error_id(code));
		return NULL;
	}
	const struct rtclab_stun_problem *p = &CD.problems[0];
	unit_check_at(p->code == code && p->offset == offset && p->attr_type == 0 && p->expected == expected &&
			 p->found == found,
		 file, line, "problem %s@%u expected %u found %u; want %s@%u expected %u found %u",
		 rtclab_stun_error_id(p->code), p->offset, p->expected, p->found, rtclab_stun_error_id(code), offset,
		 expected, found);
	return p;
}
#define ONE_PROBLEM(code, offset, expected, found) one_problem(__FILE__, __LINE__, (code), (offset), (expected), (found))

static void sentence_has(const char *file, unsigned line, const struct rtclab_stun_problem *p, ...)
{
	if (!p)
		return;
	char text[512];
	rtclab_stun_problem_format(p, text, sizeof text);
	va_list ap;
	va_start(ap, p);
	for (const char *want; (want = va_arg(ap, const char *)) != NULL;)
		unit_check_at(strstr(text, want) != NULL, file, line, "\"%s\" does not say \"%s\"", text, want);
	va_end(ap);
}
#define SENTENCE(p, ...) sentence_has(__FILE__, __LINE__, (p), __VA_ARGS__, (const char *)NULL)

/* --- UDP ----------------------------------------------------------------------------------- */

static void test_udp(void)
{
	CU_ASSERT_EQUAL(decode_hex("4000 0005 68656c6c6f", UDP), RTCLAB_STUN_OK);
	CU_ASSERT_EQUAL(CD.channel, 0x4000);
	CU_ASSERT_EQUAL(CD.length, 5);
	CU_ASSERT_TRUE(data_is("hello"));
	CU_ASSERT_PTR_EQUAL(CD.data.ptr, BUF + 4);
	CU_ASSERT_EQUAL(CD.padding, 0);
	CU_ASSERT_EQUAL(CD.size, 9);
	CU_ASSERT_EQUAL(CD.range, RTCLAB_CHANNEL_RFC8656);
	CU_ASSERT_EQUAL(CD.n_problems, 0);
	/* Padding is optional over UDP: 1 to 3 bytes of it are fine. */
	static const char *const padded[] = {"4000 0005 68656c6c6f 00", "4000 0005 68656c6c6f 0000",
					     "4000 0005 68656c6c6f 000000"};
	for (size_t i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(decode_hex(padded[i], UDP), RTCLAB_STUN_OK);
		CU_ASSERT_TRUE(data_is("hello"));
		CU_ASSERT_EQUAL(CD.padding, i + 1);
		CU_ASSERT_EQUAL(CD.size, 10 + i);
	}
	/* Four bytes more are not padding. */
	CU_ASSERT_EQUAL(decode_hex("4000 0005 68656c6c6f 00000000", UDP), RTCLAB_STUN_E_TRAILING_BYTES);
	const struct rtclab_stun_problem *p = ONE_PROBLEM(RTCLAB_STUN_E_TRAILING_BYTES, 9, 5, 9);
	SENTENCE(p, "5", "9");
	CU_ASSERT_TRUE(data_is("hello")); /* the message itself is fine */
	decode_hex("4abc 0004 01020304 05060708", UDP);
	ONE_PROBLEM(RTCLAB_STUN_E_TRAILING_BYTES, 8, 4, 8);
	/* Empty data. */
	CU_ASSERT_EQUAL(decode_hex("4001 0000", UDP), RTCLAB_STUN_OK);
	CU_ASSERT_EQUAL(CD.data.len, 0);
	CU_ASSERT_EQUAL(CD.size, 4);
	done();
}

/* --- TCP ------------------------------------------------------------------------------------ */

static void test_tcp(void)
{
	/* Padded to a multiple of 4; the padding is not in the length. */
	CU_ASSERT_EQUAL(decode_hex("4000 0005 68656c6c6f 000000", TCP), RTCLAB_STUN_OK);
	CU_ASSERT_TRUE(data_is("hello"));
	CU_ASSERT_EQUAL(CD.length, 5);
	CU_ASSERT_EQUAL(CD.padding, 3);
	CU_ASSERT_EQUAL(CD.size, 12);
	CU_ASSERT_EQUAL(CD.n_problems, 0);
	/* A stream of two messages: size says where the next one starts. */
	CU_ASSERT_EQUAL(decode_hex("4000 0005 68656c6c6f 000000  4fff 0002 6869 0000  0101", TCP), RTCLAB_STUN_OK);
	CU_ASSERT_EQUAL(CD.size, 12);
	struct rtclab_channeldata next;
	CU_ASSERT_EQUAL(rtclab_channeldata_decode(&next, BUF + CD.size, LEN - CD.size, TCP), RTCLAB_STUN_OK);
	CU_ASSERT_EQUAL(next.channel, 0x4fff);
	CU_ASSERT_EQUAL(next.data.len, 2);
	CU_ASSERT_EQUAL(memcmp(next.data.ptr, "hi", 2), 0);
	CU_ASSERT_EQUAL(next.padding, 2);
	CU_ASSERT_EQUAL(next.size, 8);
	/* ...and what follows is not this message's problem (a partial next header). */
	CU_ASSERT_EQUAL(rtclab_channeldata_decode(&next, BUF + 20, LEN - 20, TCP), RTCLAB_STUN_E_TRUNCATED_HEADER);
	/* Already aligned: no padding. */
	CU_ASSERT_EQUAL(decode_hex("4000 0008 0102030405060708 4000", TCP), RTCLAB_STUN_OK);
	CU_ASSERT_EQUAL(CD.padding, 0);
	CU_ASSERT_EQUAL(CD.size, 12);
	CU_ASSERT_EQUAL(decode_hex("4002 0000", TCP), RTCLAB_STUN_OK);
	CU_ASSERT_EQUAL(CD.size, 4);

	/* Padding missing (1 of 3 bytes): a problem, and what there is counted. */
	CU_ASSERT_EQUAL(decode_hex("4000 0005 68656c6c6f 00", TCP), RTCLAB_STUN_E_ATTR_PADDING_MISSING);
	const struct rtclab_stun_problem *p = ONE_PROBLEM(RTCLAB_STUN_E_ATTR_PADDING_MISSING, 9, 3, 1);
	SENTENCE(p, "3", "1");
	CU_ASSERT_TRUE(data_is("hello"));
	CU_ASSERT_EQUAL(CD.padding, 1);
	CU_ASSERT_EQUAL(CD.size, 10);
	CU_ASSERT_EQUAL(decode_hex("4000 0007 01020304050607", TCP), RTCLAB_STUN_E_ATTR_PADDING_MISSING);
	ONE_PROBLEM(RTCLAB_STUN_E_ATTR_PADDING_MISSING, 11, 1, 0);
	CU_ASSERT_EQUAL(CD.size, 11);
	/* Over UDP the same bytes are fine. */
	CU_ASSERT_EQUAL(decode_hex("4000 0005 68656c6c6f 00", UDP), RTCLAB_STUN_OK);
	done();
}

/* --- channel numbers --------------------------------------------------------------------------- */

static void test_ranges(void)
{
	static const struct {
		const char *hex;
		uint16_t channel;
		enum rtclab_channel_range range;
	} cases[] = {
		{"4000 0001 ab", 0x4000, RTCLAB_CHANNEL_RFC8656}, /* the first, RFC 8656 */
		{"4fff 0001 ab", 0x4fff, RTCLAB_CHANNEL_RFC8656}, /* the last of RFC 8656 */
		{"5000 0001 ab", 0x5000, RTCLAB_CHANNEL_RFC5766}, /* RFC 5766 only, accepted */
		{"7c42 0001 ab", 0x7c42, RTCLAB_CHANNEL_RFC5766}, /* as coturn binds them */
		{"7fff 0001 ab", 0x7fff, RTCLAB_CHANNEL_RFC5766},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		for (int tcp = 0; tcp < 2; tcp++) {
			char h[64];
			snprintf(h, sizeof h, "%s%s", cases[i].hex, tcp ? " 000000" : "");
			CHECKF(decode_hex(h, tcp) == RTCLAB_STUN_OK && CD.n_problems == 0, "channel 0x%04x refused",
			       cases[i].channel);
			CU_ASSERT_EQUAL(CD.channel, cases[i].channel);
			CU_ASSERT_EQUAL(CD.range, cases[i].range);
			CU_ASSERT_EQUAL(CD.data.len, 1);
			CU_ASSERT_EQUAL(CD.data.ptr[0], 0xab);
		}
	}
	/* Outside 0x4000-0x7FFF: a problem, the data still decoded. */
	CU_ASSERT_EQUAL(decode_hex("3fff 0001 ab", UDP), RTCLAB_STUN_E_CHANNEL_RANGE);
	const struct rtclab_stun_problem *p = ONE_PROBLEM(RTCLAB_STUN_E_CHANNEL_RANGE, 0, 0x4000, 0x3fff);
	SENTENCE(p, "0x3fff", "0x4000");
	CU_ASSERT_EQUAL(CD.range, RTCLAB_CHANNEL_INVALID);
	CU_ASSERT_EQUAL(CD.data.len, 1);
	CU_ASSERT_EQUAL(decode_hex("8000 0001 ab 000000", TCP), RTCLAB_STUN_E_CHANNEL_RANGE);
	p = ONE_PROBLEM(RTCLAB_STUN_E_CHANNEL_RANGE, 0, 0x4000, 0x8000);
	SENTENCE(p, "0x8000");
	CU_ASSERT_EQUAL(CD.size, 8);
	done();

	/* Every number. */
	size_t bad = 0;
	for (unsigned c = 0; c <= 0xFFFF; c++) {
		enum rtclab_channel_range want = c >= 0x4000 && c <= 0x4FFF   ? RTCLAB_CHANNEL_RFC8656
						 : c >= 0x5000 && c <= 0x7FFF ? RTCLAB_CHANNEL_RFC5766
									      : RTCLAB_CHANNEL_INVALID;
		bad += rtclab_channel_range((uint16_t)c) != want;
	}
	CU_ASSERT_EQUAL(bad, 0);
	const char *s8656 = rtclab_channel_range_str(RTCLAB_CHANNEL_RFC8656);
	const char *s5766 = rtclab_channel_range_str(RTCLAB_CHANNEL_RFC5766);
	const char *sbad = rtclab_channel_range_str(RTCLAB_CHANNEL_INVALID);
	CU_ASSERT_PTR_NOT_NULL_FATAL(strstr(s8656, "8656"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s5766, "5766"));
	CU_ASSERT_TRUE(strlen(sbad) > 0 && strcmp(sbad, s8656) != 0 && strcmp(sbad, s5766) != 0);
}

/* --- truncation ---------------------------------------------------------------------------------- */

static void test_truncated_header(void)
{
	static const uint8_t hdr[4] = {0x40, 0x00, 0x00, 0x01};
	for (size_t len = 0; len < 4; len++) {
		for (int tcp = 0; tcp < 2; tcp++) {
			uint8_t *b = malloc(len ? len : 1);
			memcpy(b, hdr, len);
			CHECKF(rtclab_channeldata_decode(&CD, b, len, tcp) == RTCLAB_STUN_E_TRUNCATED_HEADER,
			       "%zu bytes: no truncated-header problem", len);
			const struct rtclab_stun_problem *p = ONE_PROBLEM(RTCLAB_STUN_E_TRUNCATED_HEADER, 0, 4, (uint32_t)len);
			CU_ASSERT_EQUAL(CD.range, RTCLAB_CHANNEL_INVALID);
			CU_ASSERT_EQUAL(CD.data.len, 0);
			CU_ASSERT_EQUAL(CD.padding, 0);
			if (p) {
				/* The sentence is about a ChannelData header of 4 bytes, not a STUN one. */
				char text[256], n[8];
				rtclab_stun_problem_format(p, text, sizeof text);
				snprintf(n, sizeof n, "%zu", len);
				CHECKF(strstr(text, n) && strstr(text, "ChannelData header") && strstr(text, "4") &&
					       !strstr(text, "STUN header needs 4"),
				       "%zu bytes: \"%s\"", len, text);
			}
			free(b);
		}
	}
	/* A STUN header's truncation still reads as such. */
	struct rtclab_stun_problem stun = {RTCLAB_STUN_E_TRUNCATED_HEADER, 0, 0, 20, 7};
	char text[256];
	rtclab_stun_problem_format(&stun, text, sizeof text);
	CHECKF(strstr(text, "7") && strstr(text, "STUN header needs 20"), "\"%s\"", text);
}

static void test_truncated_data(void)
{
	CU_ASSERT_EQUAL(decode_hex("4000 000a 0102", UDP), RTCLAB_STUN_E_TRUNCATED);
	const struct rtclab_stun_problem *p = ONE_PROBLEM(RTCLAB_STUN_E_TRUNCATED, 2, 10, 2);
	SENTENCE(p, "10", "2");
	CU_ASSERT_EQUAL(CD.channel, 0x4000);
	CU_ASSERT_EQUAL(CD.length, 10);
	CU_ASSERT_EQUAL(CD.data.len, 2); /* what there is */
	CU_ASSERT_PTR_EQUAL(CD.data.ptr, BUF + 4);
	CU_ASSERT_EQUAL(decode_hex("4000 000a 0102", TCP), RTCLAB_STUN_E_TRUNCATED);
	ONE_PROBLEM(RTCLAB_STUN_E_TRUNCATED, 2, 10, 2);
	CU_ASSERT_EQUAL(decode_hex("4000 0001", TCP), RTCLAB_STUN_E_TRUNCATED);
	ONE_PROBLEM(RTCLAB_STUN_E_TRUNCATED, 2, 1, 0);
	/* Two problems at once: bad channel and truncated. */
	CU_ASSERT_EQUAL(decode_hex("0001 0010 00", UDP), RTCLAB_STUN_E_CHANNEL_RANGE);
	CU_ASSERT_EQUAL(CD.n_problems, 2);
	CU_ASSERT_EQUAL(CD.problems[1].code, RTCLAB_STUN_E_TRUNCATED);
	done();

	/* Every prefix of a padded TCP message is a problem; over UDP the ones
	 * that hold all the data are fine (padding is optional). */
	static const uint8_t msg[12] = {0x40, 0x10, 0x00, 0x05, 'h', 'e', 'l', 'l', 'o', 0, 0, 0};
	for (size_t len = 0; len <= sizeof msg; len++) {
		uint8_t *b = malloc(len ? len : 1);
		memcpy(b, msg, len);
		enum rtclab_stun_error tcp = rtclab_channeldata_decode(&CD, b, len, TCP);
		CHECKF((tcp == RTCLAB_STUN_OK) == (len == 12), "TCP prefix %zu: %s", len, rtclab_stun_error_id(tcp));
		enum rtclab_stun_error udp = rtclab_channeldata_decode(&CD, b, len, UDP);
		CHECKF((udp == RTCLAB_STUN_OK) == (len >= 9), "UDP prefix %zu: %s", len, rtclab_stun_error_id(udp));
		CU_ASSERT_TRUE(CD.data.len <= 5 && CD.size <= len);
		free(b);
	}
}

/* --- encoding ------------------------------------------------------------------------------------ */

static void test_encode_round_trip(void)
{
	static const uint8_t data[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
	static const uint16_t channels[] = {0x4000, 0x4abc, 0x4fff, 0x5000, 0x7c42};
	for (size_t ci = 0; ci < sizeof channels / sizeof channels[0]; ci++) {
		for (size_t len = 0; len <= sizeof data; len++) {
			for (int tcp = 0; tcp < 2; tcp++) {
				uint8_t buf[32];
				memset(buf, 0xEE, sizeof buf);
				size_t pad = tcp ? (4 - len % 4) % 4 : 0;
				size_t n = rtclab_channeldata_encode(buf, sizeof buf, channels[ci], data, len, tcp);
				CHECKF(n == 4 + len + pad, "channel 0x%04x, %zu bytes, %s: size %zu", channels[ci], len,
				       tcp ? "TCP" : "UDP", n);
				CU_ASSERT_EQUAL(buf[0] << 8 | buf[1], channels[ci]);
				CU_ASSERT_EQUAL((size_t)(buf[2] << 8 | buf[3]), len); /* padding not counted */
				CU_ASSERT_EQUAL(memcmp(buf + 4, data, len), 0);
				for (size_t i = 0; i < pad; i++)
					CU_ASSERT_EQUAL(buf[4 + len + i], 0);
				CU_ASSERT_EQUAL(buf[n], 0xEE);
				struct rtclab_channeldata cd;
				CHECKF(rtclab_channeldata_decode(&cd, buf, n, tcp) == RTCLAB_STUN_OK,
				       "channel 0x%04x, %zu bytes: decode of the encoding fails", channels[ci], len);
				CU_ASSERT_EQUAL(cd.channel, channels[ci]);
				CU_ASSERT_EQUAL(cd.length, len);
				CU_ASSERT_TRUE(cd.data.len == len && (len == 0 || memcmp(cd.data.ptr, data, len) == 0));
				CU_ASSERT_EQUAL(cd.padding, pad);
				CU_ASSERT_EQUAL(cd.size, n);
				CU_ASSERT_EQUAL(cd.range, rtclab_channel_range(channels[ci]));
			}
		}
	}
}

static void test_encode_limits(void)
{
	uint8_t buf[32];
	/* Too small: 0, and nothing past the capacity touched. */
	for (size_t cap = 0; cap < 12; cap++) {
		memset(buf, 0xEE, sizeof buf);
		CHECKF(rtclab_channeldata_encode(buf, cap, 0x4000, "hello", 5, TCP) == 0, "fits in %zu bytes", cap);
		for (size_t i = cap; i < sizeof buf; i++)
			CU_ASSERT_EQUAL(buf[i], 0xEE);
	}
	CU_ASSERT_EQUAL(rtclab_channeldata_encode(buf, 12, 0x4000, "hello", 5, TCP), 12);
	CU_ASSERT_EQUAL(rtclab_channeldata_encode(buf, 9, 0x4000, "hello", 5, UDP), 9);
	CU_ASSERT_EQUAL(rtclab_channeldata_encode(buf, 8, 0x4000, "hello", 5, UDP), 0);
	/* The length field has 16 bits. */
	static uint8_t big[4 + 65536 + 4], data[65536];
	CU_ASSERT_EQUAL(rtclab_channeldata_encode(big, sizeof big, 0x4000, data, 65535, TCP), 4 + 65535 + 1);
	CU_ASSERT_EQUAL(big[2] << 8 | big[3], 65535);
	struct rtclab_channeldata cd;
	CU_ASSERT_EQUAL(rtclab_channeldata_decode(&cd, big, 4 + 65535 + 1, TCP), RTCLAB_STUN_OK);
	CU_ASSERT_EQUAL(cd.data.len, 65535);
	CU_ASSERT_EQUAL(cd.padding, 1);
	CU_ASSERT_EQUAL(rtclab_channeldata_encode(big, sizeof big, 0x4000, data, 65536, UDP), 0);
}

static void test_json(void)
{
	CU_ASSERT_EQUAL(decode_hex("7c42 0003 616263", UDP), RTCLAB_STUN_OK);
	json_t *j = rtclab_channeldata_json(&CD);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "channel")), 0x7c42);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "length")), 3);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "data")), "616263");
	CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "problems")), 0);
	json_decref(j);
	decode_hex("3000 0003 6162", UDP);
	j = rtclab_channeldata_json(&CD);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "problems")), 2);
	json_decref(j);
	done();
}

RTCLAB_SUITE(channeldata)
{
	static const struct unit_test tests[] = {
		{"UDP: optional padding, trailing bytes", test_udp},
		{"TCP: padding consumed and counted, missing padding", test_tcp},
		{"channel number ranges", test_ranges},
		{"truncated header", test_truncated_header},
		{"truncated data and every prefix", test_truncated_data},
		{"encode then decode", test_encode_round_trip},
		{"encoder limits", test_encode_limits},
		{"JSON", test_json},
		{NULL, NULL},
	};
	unit_add_suite("channeldata", tests);
}
