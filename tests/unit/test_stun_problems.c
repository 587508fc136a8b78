/* What the STUN decoder reports about broken messages: one crafted message
 * per problem code, each checked for the code, the byte offset, the
 * attribute, the numbers in its sentence, and that everything before the bad
 * spot is still decoded; then the length bounds of every X-macro type, and
 * sweeps over every truncation and every single-bit flip of a valid message
 * carrying every kind of attribute (run under ASan/UBSan by `make asan`). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtclab/stun.h"
#include "rtclab/stun_json.h"
#include "unit.h"


#define TIDHEX "b7e7a701bc34d686fa87dfae"
/* A header: type, length, magic cookie, the transaction ID of RFC 5769. */
#define HDR(type, len) type len "2112a442" TIDHEX
#define PRIORITY_ATTR "0024 0004 6e0001ff" /* at offset 20 when first */
#define B(s) {(const uint8_t *)(s), sizeof(s) - 1}

static const uint8_t TID[12] = {0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};
static const char *PASSWORD = "VOkJxbRl1RmTxUk/WvJxBt";

/* The message under test and its bytes (the message points into them). */
static struct rtclab_stun_msg M;
static uint8_t *BUF;
static size_t LEN;

static enum rtclab_stun_error decode_hex(const char *hexstr)
{
	free(BUF);
	BUF = unit_hex(hexstr, &LEN);
	return rtclab_stun_decode(&M, BUF, LEN);
}

static void done(void)
{
	free(BUF);
	BUF = NULL;
}

static void list_problems(const struct rtclab_stun_msg *m, char *out, size_t len)
{
	size_t k = 0;
	out[0] = '\0';
	for (size_t i = 0; i < m->n_problems && k + 1 < len; i++)
		k += (size_t)snprintf(out + k, len - k, " %s@%u(0x%04x)", rtclab_stun_error_id(m->problems[i].code),
				      m->problems[i].offset, m->problems[i].attr_type);
}

/* The problem with this code in M (the first one), checked for where it is
 * and what it concerns; when there is none the test fails and stops. */
static const struct rtclab_stun_problem *problem_at(const char *file, unsigned line, enum rtclab_stun_error code,
						    uint32_t offset, uint16_t attr_type)
{
	char all[512];
	list_problems(&M, all, sizeof all);
	for (size_t i = 0; i < M.n_problems; i++) {
		const struct rtclab_stun_problem *p = &M.problems[i];
		if (p->code != code)
			continue;
		unit_check_at(p->offset == offset && p->attr_type == attr_type, file, line,
			 "%s at offset %u attribute 0x%04x, want offset %u attribute 0x%04x", rtclab_stun_error_id(code),
			 p->offset, p->attr_type, offset, attr_type);
		return p;
	}
	/* Fatal: the caller goes on to read the problem's numbers. */
	char text[700];
	snprintf(text, sizeof text, "no %s problem; found:%s", rtclab_stun_error_id(code), all);
	CU_assertImplementation(CU_FALSE, line, text, file, "", CU_TRUE);
	return NULL;
}
#define PROBLEM(code, offset, attr) problem_at(__FILE__, __LINE__, (code), (offset), (attr))

/* Exactly these problem codes, in this order. */
static void only_problems(const char *file, unsigned line, const enum rtclab_stun_error *codes, size_t n)
{
	char all[512];
	list_problems(&M, all, sizeof all);
	bool same = M.n_problems == n && M.n_problems_total == n;
	for (size_t i = 0; same && i < n; i++)
		same = M.problems[i].code == codes[i];
	unit_check_at(same, file, line, "problems:%s", all);
}
#define ONLY(...)                                                                                  \
	do {                                                                                       \
		static const enum rtclab_stun_error codes_[] = {__VA_ARGS__};                      \
		only_problems(__FILE__, __LINE__, codes_, sizeof codes_ / sizeof codes_[0]);       \
	} while (0)

/* The sentence for p contains each of the NULL-terminated strings. */
static void sentence_has(const char *file, unsigned line, const struct rtclab_stun_problem *p, ...)
{
	if (!p)
		return;
	char text[512];
	const char *s = rtclab_stun_problem_format(p, text, sizeof text);
	unit_check_at(s == text && strlen(text) > 10, file, line, "sentence \"%s\"", text);
	va_list ap;
	va_start(ap, p);
	for (const char *want; (want = va_arg(ap, const char *)) != NULL;)
		unit_check_at(strstr(text, want) != NULL, file, line, "\"%s\" does not say \"%s\"", text, want);
	va_end(ap);
}
#define SENTENCE(p, ...) sentence_has(__FILE__, __LINE__, (p), __VA_ARGS__, (const char *)NULL)

static bool text_is(struct rtclab_bytes b, const char *s)
{
	return b.len == strlen(s) && memcmp(b.ptr, s, b.len) == 0;
}

/* The PRIORITY at offset 20 decoded fine. */
static void priority_first(void)
{
	CU_ASSERT_FATAL(M.n_attrs >= 1);
	CU_ASSERT_EQUAL(M.attrs[0].type, RTCLAB_STUN_ATTR_PRIORITY);
	CU_ASSERT_EQUAL(M.attrs[0].offset, 20);
	CU_ASSERT_TRUE(M.attrs[0].ok);
	CU_ASSERT_EQUAL(M.attrs[0].v.u32, 0x6e0001ff);
}

/* --- the header ------------------------------------------------------------------------ */

static void test_truncated_header(void)
{
	CU_ASSERT_EQUAL(decode_hex("0001 0000 2112a442 b7e7a701bc34d686fa87df"), RTCLAB_STUN_E_TRUNCATED_HEADER);
	ONLY(RTCLAB_STUN_E_TRUNCATED_HEADER);
	const struct rtclab_stun_problem *p = PROBLEM(RTCLAB_STUN_E_TRUNCATED_HEADER, 0, 0);
	CU_ASSERT_EQUAL(p->expected, 20);
	CU_ASSERT_EQUAL(p->found, 19);
	SENTENCE(p, "19", "20");
	CU_ASSERT_EQUAL(M.n_attrs, 0);
	CU_ASSERT_EQUAL(rtclab_stun_decode(&M, "", 0), RTCLAB_STUN_E_TRUNCATED_HEADER);
	CU_ASSERT_EQUAL(M.problems[0].found, 0);
	SENTENCE(&M.problems[0], "only 0 bytes", "20");
	done();
}

static void test_not_stun(void)
{
	/* 0x80: an RTP-looking first byte; the rest is a Binding request. */
	CU_ASSERT_EQUAL(decode_hex(HDR("8001", "0008") PRIORITY_ATTR), RTCLAB_STUN_E_NOT_STUN);
	ONLY(RTCLAB_STUN_E_NOT_STUN);
	const struct rtclab_stun_problem *p = PROBLEM(RTCLAB_STUN_E_NOT_STUN, 0, 0);
	CU_ASSERT_EQUAL(p->found, 0x80);
	SENTENCE(p, "0x80", "10");
	CU_ASSERT_EQUAL(M.type, 0x0001); /* decoded anyway, leading bits dropped */
	CU_ASSERT_TRUE(M.magic_cookie);
	priority_first();
	decode_hex(HDR("4001", "0000"));
	p = PROBLEM(RTCLAB_STUN_E_NOT_STUN, 0, 0);
	SENTENCE(p, "0x40", "01");
	decode_hex(HDR("3fff", "0000")); /* leading bits 00: STUN (an unknown method) */
	CU_ASSERT_EQUAL(M.n_problems, 1);
	CU_ASSERT_EQUAL(M.problems[0].code, RTCLAB_STUN_E_UNKNOWN_METHOD);
	done();
}

static void test_length_not_aligned(void)
{
	/* Length 6: EVEN-PORT (1 byte) with only one of its 3 padding bytes. */
	CU_ASSERT_EQUAL(decode_hex(HDR("0003", "0006") "0018 0001 80 00"), RTCLAB_STUN_E_LENGTH_NOT_ALIGNED);
	ONLY(RTCLAB_STUN_E_LENGTH_NOT_ALIGNED, RTCLAB_STUN_E_ATTR_PADDING_MISSING);
	const struct rtclab_stun_problem *p = PROBLEM(RTCLAB_STUN_E_LENGTH_NOT_ALIGNED, 2, 0);
	CU_ASSERT_EQUAL(p->found, 6);
	SENTENCE(p, "length 6", "4");
	p = PROBLEM(RTCLAB_STUN_E_ATTR_PADDING_MISSING, 25, RTCLAB_STUN_ATTR_EVEN_PORT);
	CU_ASSERT_EQUAL(p->expected, 3);
	CU_ASSERT_EQUAL(p->found, 1);
	SENTENCE(p, "EVEN-PORT", "3", "1");
	CU_ASSERT_EQUAL_FATAL(M.n_attrs, 1);
	CU_ASSERT_TRUE(M.attrs[0].ok);
	CU_ASSERT_TRUE(M.attrs[0].v.flag);
	done();
}

static void test_truncated(void)
{
	/* The length says 12, 8 are there. */
	CU_ASSERT_EQUAL(decode_hex(HDR("0001", "000c") PRIORITY_ATTR), RTCLAB_STUN_E_TRUNCATED);
	ONLY(RTCLAB_STUN_E_TRUNCATED);
	const struct rtclab_stun_problem *p = PROBLEM(RTCLAB_STUN_E_TRUNCATED, 2, 0);
	CU_ASSERT_EQUAL(p->expected, 12);
	CU_ASSERT_EQUAL(p->found, 8);
	SENTENCE(p, "12", "8");
	CU_ASSERT_EQUAL(M.length, 12);
	CU_ASSERT_EQUAL(M.n_attrs, 1);
	priority_first();

	/* Cut inside an attribute: it overruns what is there too. */
	decode_hex(HDR("0001", "0010") PRIORITY_ATTR "8022 0008 61");
	ONLY(RTCLAB_STUN_E_TRUNCATED, RTCLAB_STUN_E_ATTR_OVERRUN);
	p = PROBLEM(RTCLAB_STUN_E_TRUNCATED, 2, 0);
	CU_ASSERT_EQUAL(p->found, 13);
	p = PROBLEM(RTCLAB_STUN_E_ATTR_OVERRUN, 28, RTCLAB_STUN_ATTR_SOFTWARE);
	CU_ASSERT_EQUAL(p->expected, 8);
	CU_ASSERT_EQUAL(p->found, 1);
	priority_first();
	done();
}

static void test_trailing_bytes(void)
{
	CU_ASSERT_EQUAL(decode_hex(HDR("0001", "0008") PRIORITY_ATTR "deadbeef"), RTCLAB_STUN_E_TRAILING_BYTES);
	ONLY(RTCLAB_STUN_E_TRAILING_BYTES);
	const struct rtclab_stun_problem *p = PROBLEM(RTCLAB_STUN_E_TRAILING_BYTES, 28, 0);
	CU_ASSERT_EQUAL(p->expected, 8);
	CU_ASSERT_EQUAL(p->found, 12);
	SENTENCE(p, "8", "12");
	CU_ASSERT_EQUAL(M.n_attrs, 1); /* the trailing bytes are not walked */
	priority_first();
	done();
}

/* --- the attribute walk ------------------------------------------------------------------- */

static void test_attr_header_truncated(void)
{
	decode_hex(HDR("0001", "000a") PRIORITY_ATTR "8022");
	ONLY(RTCLAB_STUN_E_LENGTH_NOT_ALIGNED, RTCLAB_STUN_E_ATTR_HEADER_TRUNCATED);
	const struct rtclab_stun_problem *p = PROBLEM(RTCLAB_STUN_E_ATTR_HEADER_TRUNCATED, 28, 0);
	CU_ASSERT_EQUAL(p->expected, 4);
	CU_ASSERT_EQUAL(p->found, 2);
	SENTENCE(p, "2 byte", "4");
	CU_ASSERT_EQUAL(M.n_attrs, 1);
	priority_first();
	done();
}

static void test_attr_overrun(void)
{
	CU_ASSERT_EQUAL(decode_hex(HDR("0001", "0010") PRIORITY_ATTR "8022 0010 61626364"), RTCLAB_STUN_E_ATTR_OVERRUN);
	ONLY(RTCLAB_STUN_E_ATTR_OVERRUN);
	const struct rtclab_stun_problem *p = PROBLEM(RTCLAB_STUN_E_ATTR_OVERRUN, 28, RTCLAB_STUN_ATTR_SOFTWARE);
	CU_ASSERT_EQUAL(p->expected, 16);
	CU_ASSERT_EQUAL(p->found, 4);
	SENTENCE(p, "SOFTWARE", "16", "4");
	priority_first();
	CU_ASSERT_EQUAL_FATAL(M.n_attrs, 2); /* kept, marked invalid, with what there is */
	CU_ASSERT_EQUAL(M.attrs[1].type, RTCLAB_STUN_ATTR_SOFTWARE);
	CU_ASSERT_EQUAL(M.attrs[1].length, 16);
	CU_ASSERT_EQUAL(M.attrs[1].value.len, 4);
	CU_ASSERT_EQUAL(M.attrs[1].kind, RTCLAB_STUN_KIND_TEXT);
	CU_ASSERT_FALSE(M.attrs[1].ok);
	done();
}

static void test_attr_padding_missing(void)
{
	decode_hex(HDR("0001", "0011") PRIORITY_ATTR "8022 0005 68656c6c6f");
	ONLY(RTCLAB_STUN_E_LENGTH_NOT_ALIGNED, RTCLAB_STUN_E_ATTR_PADDING_MISSING);
	const struct rtclab_stun_problem *p = PROBLEM(RTCLAB_STUN_E_ATTR_PADDING_MISSING, 37, RTCLAB_STUN_ATTR_SOFTWARE);
	CU_ASSERT_EQUAL(p->expected, 3);
	CU_ASSERT_EQUAL(p->found, 0);
	SENTENCE(p, "SOFTWARE", "3 padding", "0 present");
	priority_first();
	CU_ASSERT_EQUAL_FATAL(M.n_attrs, 2);
	CU_ASSERT_TRUE(M.attrs[1].ok); /* the value itself is whole */
	CU_ASSERT_TRUE(text_is(M.attrs[1].v.text, "hello"));
	done();
}

/* --- typed values ---------------------------------------------------------------------------- */

static void test_attr_bad_length(void)
{
	CU_ASSERT_EQUAL(decode_hex(HDR("0001", "0010") "8022 0004 61626364  0024 0003 01020300"),
			RTCLAB_STUN_E_ATTR_BAD_LENGTH);
	ONLY(RTCLAB_STUN_E_ATTR_BAD_LENGTH);
	const struct rtclab_stun_problem *p = PROBLEM(RTCLAB_STUN_E_ATTR_BAD_LENGTH, 28, RTCLAB_STUN_ATTR_PRIORITY);
	CU_ASSERT_EQUAL(p->expected, 4);
	CU_ASSERT_EQUAL(p->found, 3);
	SENTENCE(p, "PRIORITY", "3-byte", "expected 4");
	CU_ASSERT_EQUAL_FATAL(M.n_attrs, 2);
	CU_ASSERT_TRUE(M.attrs[0].ok);
	CU_ASSERT_TRUE(text_is(M.attrs[0].v.text, "abcd"));
	CU_ASSERT_FALSE(M.attrs[1].ok);

	/* Lengths inside the bounds that the layout still rejects. */
	decode_hex(HDR("0101", "0018") "0020 0014 0001 a147 e112a643 00000000 00000000 00000000"); /* IPv4 in 20 */
	p = PROBLEM(RTCLAB_STUN_E_ATTR_BAD_LENGTH, 20, RTCLAB_STUN_ATTR_XOR_MAPPED_ADDRESS);
	CU_ASSERT_EQUAL(p->expected, 8);
	CU_ASSERT_FALSE(M.attrs[0].ok);
	decode_hex(HDR("0101", "000c") "0001 0008 0002 1234 20010db8"); /* IPv6 in 8 */
	p = PROBLEM(RTCLAB_STUN_E_ATTR_BAD_LENGTH, 20, RTCLAB_STUN_ATTR_MAPPED_ADDRESS);
	CU_ASSERT_EQUAL(p->expected, 20);
	decode_hex(HDR("0001", "0018") "001c 0012 00000000 00000000 00000000 00000000 0000 0000"); /* 18: not 4k */
	PROBLEM(RTCLAB_STUN_E_ATTR_BAD_LENGTH, 20, RTCLAB_STUN_ATTR_MESSAGE_INTEGRITY_SHA256);
	decode_hex(HDR("0111", "0008") "000a 0003 005000 00"); /* half a type */
	PROBLEM(RTCLAB_STUN_E_ATTR_BAD_LENGTH, 20, RTCLAB_STUN_ATTR_UNKNOWN_ATTRIBUTES);
	decode_hex(HDR("0111", "000c") "8002 0008 0001 0008 00020000"); /* parameters run past the value */
	PROBLEM(RTCLAB_STUN_E_ATTR_BAD_LENGTH, 20, RTCLAB_STUN_ATTR_PASSWORD_ALGORITHMS);
	decode_hex(HDR("0003", "000c") "001d 0008 0002 0000 00000000"); /* 4 bytes too many */
	PROBLEM(RTCLAB_STUN_E_ATTR_BAD_LENGTH, 20, RTCLAB_STUN_ATTR_PASSWORD_ALGORITHM);
	decode_hex(HDR("0003", "000c") "001b 0006 0008 61626364 0000"); /* nonce longer than the value */
	PROBLEM(RTCLAB_STUN_E_ATTR_BAD_LENGTH, 20, RTCLAB_STUN_ATTR_ACCESS_TOKEN);
	CU_ASSERT_FALSE(M.attrs[0].ok);
	done();
}

static void test_attr_too_long(void)
{
	/* USERNAME: 513 bytes at most (RFC 8489 14.3); a longer one is still shown. */
	static char hexbuf[2 * 600 + 64];
	size_t k = (size_t)snprintf(hexbuf, sizeof hexbuf, HDR("0001", "0208") "0006 0202");
	for (size_t i = 0; i < 516; i++)
		k += (size_t)snprintf(hexbuf + k, sizeof hexbuf - k, i < 514 ? "61" : "00");
	CU_ASSERT_EQUAL(decode_hex(hexbuf), RTCLAB_STUN_E_ATTR_TOO_LONG);
	ONLY(RTCLAB_STUN_E_ATTR_TOO_LONG);
	const struct rtclab_stun_problem *p = PROBLEM(RTCLAB_STUN_E_ATTR_TOO_LONG, 20, RTCLAB_STUN_ATTR_USERNAME);
	CU_ASSERT_EQUAL(p->expected, 513);
	CU_ASSERT_EQUAL(p->found, 514);
	SENTENCE(p, "USERNAME", "514", "513");
	CU_ASSERT_TRUE(M.attrs[0].ok);
	CU_ASSERT_EQUAL(M.attrs[0].v.text.len, 514);
	/* A binary value that is too long is not trusted. */
	decode_hex(HDR("0001", "0028") "001c 0024 00000000 00000000 00000000 00000000 00000000 00000000 00000000 "
				       "00000000 00000000");
	p = PROBLEM(RTCLAB_STUN_E_ATTR_TOO_LONG, 20, RTCLAB_STUN_ATTR_MESSAGE_INTEGRITY_SHA256);
	CU_ASSERT_EQUAL(p->expected, 32);
	CU_ASSERT_EQUAL(p->found, 36);
	CU_ASSERT_FALSE(M.attrs[0].ok);
	done();
}

/* Every X-macro type: one byte under its minimum and one over its maximum. */
static void test_length_bounds_every_type(void)
{
	static uint8_t value[1024], msgbuf[2048];
	size_t checked = 0;
#define RTCLAB_X_(type_, ident_, name_, kind_, min_, max_, ref_)                                        \
	do {                                                                                            \
		const enum rtclab_stun_kind kind = RTCLAB_STUN_KIND_##kind_;                            \
		const bool textual = kind == RTCLAB_STUN_KIND_TEXT || kind == RTCLAB_STUN_KIND_NONCE;  \
		memset(value, textual ? 'a' : 0x01, sizeof value);                                      \
		for (int over = 0; over < 2; over++) {                                                  \
			if ((!over && (min_) == 0) || (over && (max_) == 0xFFFF))                       \
				continue;                                                               \
			size_t len = over ? (size_t)(max_) + 1 : (size_t)(min_) - 1;                   \
			struct rtclab_stun_encoder e;                                                   \
			rtclab_stun_enc_begin(&e, msgbuf, sizeof msgbuf, RTCLAB_STUN_BINDING,           \
					      RTCLAB_STUN_REQUEST, TID);                                \
			rtclab_stun_enc_raw(&e, (type_), value, len);                                   \
			size_t n = rtclab_stun_enc_end(&e);                                             \
			CU_ASSERT_FATAL(n > 0);                                                         \
			rtclab_stun_decode(&M, msgbuf, n);                                              \
			bool fixed = (min_) == (max_);                                                  \
			enum rtclab_stun_error want = over && !fixed ? RTCLAB_STUN_E_ATTR_TOO_LONG      \
								     : RTCLAB_STUN_E_ATTR_BAD_LENGTH;   \
			const struct rtclab_stun_problem *p = PROBLEM(want, 20, (type_));               \
			if (p) {                                                                        \
				CHECKF(p->found == len, "%s with %zu bytes: found %u", name_, len,     \
				       p->found);                                                       \
				CHECKF(p->expected == (want == RTCLAB_STUN_E_ATTR_TOO_LONG ? (max_)     \
											   : (min_)),   \
				       "%s with %zu bytes: expected %u", name_, len, p->expected);     \
			}                                                                               \
			CHECKF(textual || kind == RTCLAB_STUN_KIND_ERROR_CODE ||                       \
				       kind == RTCLAB_STUN_KIND_ADDRESS_ERROR_CODE || !M.attrs[0].ok,  \
			       "%s with %zu bytes is still trusted", name_, len);                      \
			checked++;                                                                      \
		}                                                                                       \
	} while (0);
	RTCLAB_STUN_ATTRS(RTCLAB_X_)
#undef RTCLAB_X_
	CU_ASSERT_TRUE(checked > 50);
}

static void test_bad_family(void)
{
	CU_ASSERT_EQUAL(decode_hex(HDR("0101", "0014") PRIORITY_ATTR "0001 0008 0003 1234 c0000201"),
			RTCLAB_STUN_E_BAD_FAMILY);
	ONLY(RTCLAB_STUN_E_BAD_FAMILY);
	const struct rtclab_stun_problem *p = PROBLEM(RTCLAB_STUN_E_BAD_FAMILY, 33, RTCLAB_STUN_ATTR_MAPPED_ADDRESS);
	CU_ASSERT_EQUAL(p->found, 3);
	SENTENCE(p, "MAPPED-ADDRESS", "0x03");
	priority_first();
	CU_ASSERT_FALSE(M.attrs[1].ok);
	decode_hex(HDR("0101", "000c") "0020 0008 0000 a147 e112a643");
	p = PROBLEM(RTCLAB_STUN_E_BAD_FAMILY, 25, RTCLAB_STUN_ATTR_XOR_MAPPED_ADDRESS);
	SENTENCE(p, "0x00");
	/* One-byte family fields. */
	decode_hex(HDR("0003", "0008") "0017 0004 03000000");
	PROBLEM(RTCLAB_STUN_E_BAD_FAMILY, 24, RTCLAB_STUN_ATTR_REQUESTED_ADDRESS_FAMILY);
	CU_ASSERT_FALSE(M.attrs[0].ok);
	decode_hex(HDR("0113", "0008") "8001 0004 06000408");
	p = PROBLEM(RTCLAB_STUN_E_BAD_FAMILY, 24, RTCLAB_STUN_ATTR_ADDRESS_ERROR_CODE);
	SENTENCE(p, "0x06");
	/* None of them has a family rtclab can hold: not claimed valid, and the
	 * message re-encodes unchanged rather than with a family made up. */
	static const char *const msgs[] = {
		HDR("0101", "0014") PRIORITY_ATTR "0001 0008 0003 1234 c0000201",
		HDR("0101", "000c") "0020 0008 0000 a147 e112a643",
		HDR("0003", "0008") "0017 0004 03000000",
		HDR("0113", "0008") "8001 0004 06000408",
	};
	for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++) {
		decode_hex(msgs[i]);
		const struct rtclab_stun_attr *a = &M.attrs[M.n_attrs - 1];
		CHECKF(!a->ok, "0x%04x with a bad family claimed valid", a->type);
		uint8_t out[64];
		enum rtclab_stun_error err;
		size_t n = rtclab_stun_encode(&M, NULL, out, sizeof out, &err);
		CHECKF(n == LEN && memcmp(out, BUF, LEN) == 0, "0x%04x with a bad family re-encoded differently (%s)",
		       a->type, rtclab_stun_error_id(err));
	}
	done();
}

static void test_bad_utf8(void)
{
	static const char *const bad[] = {
		"ff", "80", "c0 80" /* overlong NUL */, "e0 80 80", "ed a0 80" /* surrogate */,
		"f4 90 80 80" /* above U+10FFFF */, "e2 82" /* cut short */, "c3 28", "f8 88 80 80",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		size_t nb;
		uint8_t *tail = unit_hex(bad[i], &nb), value[16] = {'a', 'b'}, buf[64];
		memcpy(value + 2, tail, nb);
		free(tail);
		struct rtclab_stun_encoder e;
		struct rtclab_stun_attr pri = {.type = RTCLAB_STUN_ATTR_PRIORITY, .v.u32 = 0x6e0001ff};
		rtclab_stun_enc_begin(&e, buf, sizeof buf, RTCLAB_STUN_BINDING, RTCLAB_STUN_REQUEST, TID);
		rtclab_stun_enc_attr(&e, &pri);
		rtclab_stun_enc_raw(&e, RTCLAB_STUN_ATTR_SOFTWARE, value, 2 + nb);
		size_t n = rtclab_stun_enc_end(&e);
		CU_ASSERT_EQUAL(rtclab_stun_decode(&M, buf, n), RTCLAB_STUN_E_BAD_UTF8);
		const struct rtclab_stun_problem *p = PROBLEM(RTCLAB_STUN_E_BAD_UTF8, 32, RTCLAB_STUN_ATTR_SOFTWARE);
		CHECKF(p != NULL, "%s accepted as UTF-8", bad[i]);
		if (p) {
			CU_ASSERT_EQUAL(p->found, 2 + nb);
			SENTENCE(p, "SOFTWARE", "UTF-8");
		}
		priority_first();
	}
	/* Valid UTF-8 of every length passes: U+0061 U+0080 U+0800 U+1F600 U+FFFF U+10FFFF. */
	decode_hex(HDR("0001", "0018") "8022 0011 61c280e0a080f09f9880efbfbff48fbfbf 000000");
	CU_ASSERT_EQUAL(M.n_problems_total, 0);
	/* The reason of an ERROR-CODE is text too (after its 4 bytes). */
	decode_hex(HDR("0111", "000c") "0009 0005 00000401 ff000000");
	PROBLEM(RTCLAB_STUN_E_BAD_UTF8, 28, RTCLAB_STUN_ATTR_ERROR_CODE);
	decode_hex(HDR("0111", "0008") "0015 0001 fe000000");
	PROBLEM(RTCLAB_STUN_E_BAD_UTF8, 24, RTCLAB_STUN_ATTR_NONCE);
	done();
}

static void test_bad_error_code(void)
{
	static const struct {
		const char *value;
		unsigned cls, number;
	} bad[] = {
		{"00000700", 7, 0}, {"00000263", 2, 99}, {"00000000", 0, 0}, {"00000364", 3, 100}, {"00000496", 4, 150},
		{"000006ff", 6, 255},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char hexstr[128], cls[8], number[8];
		snprintf(hexstr, sizeof hexstr, HDR("0111", "0014") PRIORITY_ATTR "0009 0008 %s 6f6f7073", bad[i].value);
		CU_ASSERT_EQUAL(decode_hex(hexstr), RTCLAB_STUN_E_BAD_ERROR_CODE);
		ONLY(RTCLAB_STUN_E_BAD_ERROR_CODE);
		const struct rtclab_stun_problem *p = PROBLEM(RTCLAB_STUN_E_BAD_ERROR_CODE, 34, RTCLAB_STUN_ATTR_ERROR_CODE);
		/* The sentence names the class and the number found. */
		snprintf(cls, sizeof cls, "%u", bad[i].cls);
		snprintf(number, sizeof number, "%u", bad[i].number);
		SENTENCE(p, "ERROR-CODE", cls, number);
		priority_first();
		/* No valid code can be made of it: the value is not claimed valid... */
		CHECKF(!M.attrs[1].ok, "class %u number %u decoded as a valid code %u", bad[i].cls, bad[i].number,
		       M.attrs[1].v.error.code);
		/* ...and re-encoding the message does not change it. */
		uint8_t out[64];
		enum rtclab_stun_error err = RTCLAB_STUN_OK;
		size_t n = rtclab_stun_encode(&M, NULL, out, sizeof out, &err);
		CHECKF(n == LEN && memcmp(out, BUF, LEN) == 0, "class %u number %u re-encoded as %zu bytes (%s)",
		       bad[i].cls, bad[i].number, n, rtclab_stun_error_id(err));
	}
	/* 300 and 699 are the bounds. */
	decode_hex(HDR("0111", "0010") "0009 0004 00000300 0009 0004 00000663");
	CU_ASSERT_EQUAL(M.n_problems_total, 0);
	CU_ASSERT_EQUAL(M.attrs[0].v.error.code, 300);
	CU_ASSERT_EQUAL(M.attrs[1].v.error.code, 699);
	done();
}

static void test_unknown_required(void)
{
	CU_ASSERT_EQUAL(decode_hex(HDR("0001", "0018") PRIORITY_ATTR "0050 0004 01020304 8050 0004 05060708"),
			RTCLAB_STUN_E_UNKNOWN_REQUIRED);
	ONLY(RTCLAB_STUN_E_UNKNOWN_REQUIRED); /* 0x8050 is optional: no problem */
	const struct rtclab_stun_problem *p = PROBLEM(RTCLAB_STUN_E_UNKNOWN_REQUIRED, 28, 0x0050);
	SENTENCE(p, "0x0050", "420");
	priority_first();
	CU_ASSERT_EQUAL_FATAL(M.n_attrs, 3);
	CU_ASSERT_EQUAL(M.attrs[1].kind, RTCLAB_STUN_KIND_UNKNOWN);
	CU_ASSERT_EQUAL(M.attrs[1].value.len, 4);
	CU_ASSERT_EQUAL(M.attrs[1].value.ptr[3], 0x04);
	CU_ASSERT_EQUAL(M.attrs[2].kind, RTCLAB_STUN_KIND_UNKNOWN);
	decode_hex(HDR("0001", "0004") "7fff 0000");
	PROBLEM(RTCLAB_STUN_E_UNKNOWN_REQUIRED, 20, 0x7fff);
	done();
}

/* --- order of attributes --------------------------------------------------------------------- */

#define MI_ATTR "0008 0014 00000000 00000000 00000000 00000000 00000000"
#define MI256_ATTR "001c 0010 00000000 00000000 00000000 00000000"
#define MI32_ATTR "c060 0004 00000000"
#define FP_ATTR "8028 0004 00000000"
#define SW_ATTR "8022 0001 78000000"

static void test_after_integrity(void)
{
	/* PRIORITY@20 MI@28 SOFTWARE@52 FINGERPRINT@60 */
	CU_ASSERT_EQUAL(decode_hex(HDR("0001", "0030") PRIORITY_ATTR MI_ATTR SW_ATTR FP_ATTR),
			RTCLAB_STUN_E_AFTER_INTEGRITY);
	ONLY(RTCLAB_STUN_E_AFTER_INTEGRITY);
	const struct rtclab_stun_problem *p = PROBLEM(RTCLAB_STUN_E_AFTER_INTEGRITY, 52, RTCLAB_STUN_ATTR_SOFTWARE);
	CU_ASSERT_EQUAL(p->found, 28);
	SENTENCE(p, "SOFTWARE", "offset 28");
	CU_ASSERT_EQUAL_FATAL(M.n_attrs, 4);
	priority_first();
	CU_ASSERT_FALSE(M.attrs[1].ignored);
	CU_ASSERT_TRUE(M.attrs[2].ignored);
	CU_ASSERT_TRUE(M.attrs[2].ok); /* still decoded, for the student to see */
	CU_ASSERT_FALSE(M.attrs[3].ignored); /* FINGERPRINT may follow MESSAGE-INTEGRITY */
	CU_ASSERT_EQUAL(M.integrity_offset, 28);
	CU_ASSERT_EQUAL(M.fingerprint_offset, 60);

	/* MI, MI-SHA256, FINGERPRINT: the order RFC 8489 allows; no problem. */
	decode_hex(HDR("0001", "003c") PRIORITY_ATTR MI_ATTR MI256_ATTR FP_ATTR);
	CU_ASSERT_EQUAL(M.n_problems_total, 0);
	for (size_t i = 0; i < M.n_attrs; i++)
		CU_ASSERT_FALSE(M.attrs[i].ignored);
	CU_ASSERT_EQUAL(M.integrity_sha256_offset, 52);

	/* After MI-SHA256 only FINGERPRINT: MI, or anything else, is ignored. */
	decode_hex(HDR("0001", "003c") PRIORITY_ATTR MI256_ATTR SW_ATTR MI_ATTR);
	p = PROBLEM(RTCLAB_STUN_E_AFTER_INTEGRITY, 48, RTCLAB_STUN_ATTR_SOFTWARE);
	CU_ASSERT_EQUAL(p->found, 28);
	CU_ASSERT_EQUAL(M.n_problems, 2);
	CU_ASSERT_EQUAL(M.problems[1].offset, 56);
	CU_ASSERT_EQUAL(M.problems[1].attr_type, RTCLAB_STUN_ATTR_MESSAGE_INTEGRITY);
	CU_ASSERT_TRUE(M.attrs[3].ignored);
	CU_ASSERT_EQUAL(M.integrity_offset, SIZE_MAX); /* an ignored MI does not count */

	/* GOOG-MESSAGE-INTEGRITY-32 ends the message the same way. */
	decode_hex(HDR("0200", "0010") MI32_ATTR PRIORITY_ATTR);
	p = PROBLEM(RTCLAB_STUN_E_AFTER_INTEGRITY, 28, RTCLAB_STUN_ATTR_PRIORITY);
	CU_ASSERT_EQUAL(p->found, 20);
	done();
}

static void test_fingerprint_not_last(void)
{
	CU_ASSERT_EQUAL(decode_hex(HDR("0001", "0018") PRIORITY_ATTR FP_ATTR SW_ATTR),
			RTCLAB_STUN_E_FINGERPRINT_NOT_LAST);
	ONLY(RTCLAB_STUN_E_FINGERPRINT_NOT_LAST);
	const struct rtclab_stun_problem *p = PROBLEM(RTCLAB_STUN_E_FINGERPRINT_NOT_LAST, 36, RTCLAB_STUN_ATTR_SOFTWARE);
	CU_ASSERT_EQUAL(p->found, 28);
	SENTENCE(p, "SOFTWARE", "offset 28");
	priority_first();
	CU_ASSERT_EQUAL_FATAL(M.n_attrs, 3);
	CU_ASSERT_FALSE(M.attrs[1].ignored);
	CU_ASSERT_TRUE(M.attrs[2].ignored);
	CU_ASSERT_EQUAL(M.fingerprint_offset, 28);
	/* A second FINGERPRINT, or MESSAGE-INTEGRITY after it. */
	decode_hex(HDR("0001", "0028") FP_ATTR FP_ATTR MI_ATTR);
	CU_ASSERT_EQUAL(M.n_problems, 2);
	PROBLEM(RTCLAB_STUN_E_FINGERPRINT_NOT_LAST, 28, RTCLAB_STUN_ATTR_FINGERPRINT);
	CU_ASSERT_EQUAL(M.problems[1].offset, 36);
	CU_ASSERT_EQUAL(M.problems[1].attr_type, RTCLAB_STUN_ATTR_MESSAGE_INTEGRITY);
	CU_ASSERT_EQUAL(M.fingerprint_offset, 20);
	CU_ASSERT_EQUAL(M.integrity_offset, SIZE_MAX);
	done();
}

/* --- method and class ---------------------------------------------------------------------------- */

static void test_unknown_method(void)
{
	CU_ASSERT_EQUAL(decode_hex(HDR("0005", "0008") PRIORITY_ATTR), RTCLAB_STUN_E_UNKNOWN_METHOD);
	ONLY(RTCLAB_STUN_E_UNKNOWN_METHOD);
	const struct rtclab_stun_problem *p = PROBLEM(RTCLAB_STUN_E_UNKNOWN_METHOD, 0, 0);
	CU_ASSERT_EQUAL(p->found, 5);
	SENTENCE(p, "0x005");
	CU_ASSERT_EQUAL(M.method, 5);
	priority_first();
	decode_hex(HDR("0fff", "0000")); /* method 0x3ff, error response */
	p = PROBLEM(RTCLAB_STUN_E_UNKNOWN_METHOD, 0, 0);
	CU_ASSERT_EQUAL(p->found, 0x3ff);
	SENTENCE(p, "0x3ff");
	done();
}

static void test_class_not_allowed(void)
{
	/* A Send request: Send is only an indication (RFC 8656 11). */
	CU_ASSERT_EQUAL(decode_hex(HDR("0006", "0008") PRIORITY_ATTR), RTCLAB_STUN_E_CLASS_NOT_ALLOWED);
	ONLY(RTCLAB_STUN_E_CLASS_NOT_ALLOWED);
	const struct rtclab_stun_problem *p = PROBLEM(RTCLAB_STUN_E_CLASS_NOT_ALLOWED, 0, 0);
	CU_ASSERT_EQUAL(p->found, 0x0006);
	SENTENCE(p, "0x0006", "Send request");
	CU_ASSERT_EQUAL(M.method, RTCLAB_STUN_SEND);
	CU_ASSERT_EQUAL(M.cls, RTCLAB_STUN_REQUEST);
	priority_first();
	static const char *const not_allowed[] = {"0107", "0117", "011c", "0013", "0019", "0210"};
	for (size_t i = 0; i < sizeof not_allowed / sizeof not_allowed[0]; i++) {
		char h[80];
		snprintf(h, sizeof h, HDR("%s", "0000"), not_allowed[i]);
		CHECKF(decode_hex(h) == RTCLAB_STUN_E_CLASS_NOT_ALLOWED, "type %s allowed", not_allowed[i]);
	}
	static const char *const allowed[] = {"0011", "0016", "0017", "001c", "0113", "0200", "0002", "0109"};
	for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++) {
		char h[80];
		snprintf(h, sizeof h, HDR("%s", "0000"), allowed[i]);
		CHECKF(decode_hex(h) == RTCLAB_STUN_OK, "type %s refused", allowed[i]);
	}
	done();
}

static void test_channel_range(void)
{
	CU_ASSERT_EQUAL(decode_hex(HDR("0009", "0010") PRIORITY_ATTR "000c 0004 3fff 0000"),
			RTCLAB_STUN_E_CHANNEL_RANGE);
	ONLY(RTCLAB_STUN_E_CHANNEL_RANGE);
	const struct rtclab_stun_problem *p = PROBLEM(RTCLAB_STUN_E_CHANNEL_RANGE, 32, RTCLAB_STUN_ATTR_CHANNEL_NUMBER);
	CU_ASSERT_EQUAL(p->found, 0x3fff);
	SENTENCE(p, "CHANNEL-NUMBER", "0x3fff");
	priority_first();
	CU_ASSERT_EQUAL(M.attrs[1].v.u32, 0x3fff);
	decode_hex(HDR("0009", "0008") "000c 0004 8000 0000");
	p = PROBLEM(RTCLAB_STUN_E_CHANNEL_RANGE, 24, RTCLAB_STUN_ATTR_CHANNEL_NUMBER);
	SENTENCE(p, "0x8000");
	static const char *const fine[] = {"4000", "4fff", "5000", "7c42", "7fff"};
	for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++) {
		char h[96];
		snprintf(h, sizeof h, HDR("0009", "0008") "000c 0004 %s 0000", fine[i]);
		CHECKF(decode_hex(h) == RTCLAB_STUN_OK, "channel %s refused", fine[i]);
	}
	done();
}

/* --- too many attributes ------------------------------------------------------------------------- */

static void test_too_many_attrs(void)
{
	/* 64 SOFTWARE, then PRIORITY, an unknown comprehension-required
	 * attribute and FINGERPRINT beyond what is kept. */
	static uint8_t buf[1024];
	struct rtclab_stun_encoder e;
	struct rtclab_stun_attr sw = {.type = RTCLAB_STUN_ATTR_SOFTWARE, .v.text = B("x")};
	struct rtclab_stun_attr pri = {.type = RTCLAB_STUN_ATTR_PRIORITY, .v.u32 = 9};
	rtclab_stun_enc_begin(&e, buf, sizeof buf, RTCLAB_STUN_BINDING, RTCLAB_STUN_REQUEST, TID);
	for (int i = 0; i < RTCLAB_STUN_MAX_ATTRS; i++)
		rtclab_stun_enc_attr(&e, &sw);
	rtclab_stun_enc_attr(&e, &pri);
	rtclab_stun_enc_raw(&e, 0x0050, "abcd", 4);
	rtclab_stun_enc_fingerprint(&e);
	size_t n = rtclab_stun_enc_end(&e);
	CU_ASSERT_EQUAL_FATAL(n, 20 + 64 * 8 + 8 + 8 + 8);
	CU_ASSERT_EQUAL(rtclab_stun_decode(&M, buf, n), RTCLAB_STUN_E_TOO_MANY_ATTRS);
	CU_ASSERT_EQUAL(M.n_attrs, RTCLAB_STUN_MAX_ATTRS);
	CU_ASSERT_EQUAL(M.n_attrs_total, RTCLAB_STUN_MAX_ATTRS + 3);
	const struct rtclab_stun_problem *p = PROBLEM(RTCLAB_STUN_E_TOO_MANY_ATTRS, 532, RTCLAB_STUN_ATTR_PRIORITY);
	if (p)
		CU_ASSERT_EQUAL(p->expected, 64);
	SENTENCE(p, "64");
	/* The ones kept are all there. */
	for (size_t i = 0; i < M.n_attrs; i++)
		CHECKF(M.attrs[i].type == RTCLAB_STUN_ATTR_SOFTWARE && M.attrs[i].offset == 20 + 8 * i && M.attrs[i].ok,
		       "attribute %zu", i);
	/* The rest are still checked: the unknown required one is reported, and
	 * the fingerprint found. */
	PROBLEM(RTCLAB_STUN_E_UNKNOWN_REQUIRED, 540, 0x0050);
	CU_ASSERT_EQUAL(M.n_problems_total, 2);
	CU_ASSERT_EQUAL(M.fingerprint_offset, 548);
	CU_ASSERT_EQUAL(rtclab_stun_check_fingerprint(&M), RTCLAB_STUN_CHECK_OK);
	/* Such a message cannot be re-encoded whole. */
	static uint8_t out[1024];
	enum rtclab_stun_error err;
	CU_ASSERT_EQUAL(rtclab_stun_encode(&M, NULL, out, sizeof out, &err), 0);
	CU_ASSERT_EQUAL(err, RTCLAB_STUN_E_TOO_MANY_ATTRS);
	/* Exactly 64 is fine. */
	rtclab_stun_enc_begin(&e, buf, sizeof buf, RTCLAB_STUN_BINDING, RTCLAB_STUN_REQUEST, TID);
	for (int i = 0; i < RTCLAB_STUN_MAX_ATTRS; i++)
		rtclab_stun_enc_attr(&e, &sw);
	n = rtclab_stun_enc_end(&e);
	CU_ASSERT_EQUAL(rtclab_stun_decode(&M, buf, n), RTCLAB_STUN_OK);
	CU_ASSERT_EQUAL(M.n_attrs_total, 64);
}

/* More problems than the array keeps: counted, not kept. */
static void test_many_problems(void)
{
	static uint8_t buf[1024];
	struct rtclab_stun_encoder e;
	rtclab_stun_enc_begin(&e, buf, sizeof buf, RTCLAB_STUN_BINDING, RTCLAB_STUN_REQUEST, TID);
	for (int i = 0; i < 20; i++)
		rtclab_stun_enc_raw(&e, (uint16_t)(0x0040 + i), NULL, 0);
	size_t n = rtclab_stun_enc_end(&e);
	CU_ASSERT_EQUAL(rtclab_stun_decode(&M, buf, n), RTCLAB_STUN_E_UNKNOWN_REQUIRED);
	CU_ASSERT_EQUAL(M.n_problems, RTCLAB_STUN_MAX_PROBLEMS);
	CU_ASSERT_EQUAL(M.n_problems_total, 20);
	CU_ASSERT_EQUAL(M.problems[RTCLAB_STUN_MAX_PROBLEMS - 1].attr_type, 0x0040 + RTCLAB_STUN_MAX_PROBLEMS - 1);
	CU_ASSERT_EQUAL(M.n_attrs, 20);
}

/* --- verdicts ---------------------------------------------------------------------------------- */

static size_t build_signed(uint8_t *buf, size_t cap, bool mi32)
{
	struct rtclab_stun_key key;
	rtclab_stun_key_short_term(&key, PASSWORD, RTCLAB_STUN_PREP_OPAQUESTRING);
	struct rtclab_stun_encoder e;
	struct rtclab_stun_attr pri = {.type = RTCLAB_STUN_ATTR_PRIORITY, .v.u32 = 0x6e0001ff};
	rtclab_stun_enc_begin(&e, buf, cap, mi32 ? RTCLAB_STUN_GOOG_PING : RTCLAB_STUN_BINDING, RTCLAB_STUN_REQUEST,
			      TID);
	rtclab_stun_enc_attr(&e, &pri);
	if (mi32)
		rtclab_stun_enc_integrity_32(&e, &key);
	else
		rtclab_stun_enc_integrity(&e, &key);
	rtclab_stun_enc_fingerprint(&e);
	return rtclab_stun_enc_end(&e);
}

static void test_verdict_problems(void)
{
	uint8_t buf[128];
	size_t n = build_signed(buf, sizeof buf, false); /* PRIORITY@20 MI@28 FP@52 */
	CU_ASSERT_EQUAL_FATAL(n, 60);
	uint32_t good_fp = (uint32_t)buf[56] << 24 | (uint32_t)buf[57] << 16 | (uint32_t)buf[58] << 8 | buf[59];
	buf[59] ^= 0xff;
	CU_ASSERT_EQUAL(rtclab_stun_decode(&M, buf, n), RTCLAB_STUN_OK); /* the decoder does not check */
	struct rtclab_stun_credentials cred = {.password = "not the password"};
	struct rtclab_stun_verdict v;
	rtclab_stun_verify(&M, &cred, &v);
	CU_ASSERT_EQUAL(v.integrity, RTCLAB_STUN_CHECK_BAD);
	CU_ASSERT_EQUAL(v.fingerprint, RTCLAB_STUN_CHECK_BAD);
	rtclab_stun_note_verdict(&M, &v);
	ONLY(RTCLAB_STUN_E_INTEGRITY_BAD, RTCLAB_STUN_E_FINGERPRINT_BAD);
	const struct rtclab_stun_problem *p = PROBLEM(RTCLAB_STUN_E_INTEGRITY_BAD, 28, RTCLAB_STUN_ATTR_MESSAGE_INTEGRITY);
	SENTENCE(p, "MESSAGE-INTEGRITY");
	p = PROBLEM(RTCLAB_STUN_E_FINGERPRINT_BAD, 52, RTCLAB_STUN_ATTR_FINGERPRINT);
	CU_ASSERT_EQUAL(p->expected, good_fp);
	CU_ASSERT_EQUAL(p->found, good_fp ^ 0xff);
	char want[16], found[16];
	snprintf(want, sizeof want, "0x%08x", (unsigned)good_fp);
	snprintf(found, sizeof found, "0x%08x", (unsigned)(good_fp ^ 0xff));
	SENTENCE(p, want, found);
	priority_first();

	/* The right password: only the fingerprint is bad. */
	rtclab_stun_decode(&M, buf, n);
	cred.password = PASSWORD;
	rtclab_stun_verify(&M, &cred, &v);
	CU_ASSERT_EQUAL(v.integrity, RTCLAB_STUN_CHECK_OK);
	rtclab_stun_note_verdict(&M, &v);
	ONLY(RTCLAB_STUN_E_FINGERPRINT_BAD);
	/* Nothing wrong: nothing noted. */
	buf[59] ^= 0xff;
	rtclab_stun_decode(&M, buf, n);
	rtclab_stun_verify(&M, &cred, &v);
	rtclab_stun_note_verdict(&M, &v);
	CU_ASSERT_EQUAL(M.n_problems_total, 0);

	/* GOOG-MESSAGE-INTEGRITY-32 is named as the attribute at fault. */
	n = build_signed(buf, sizeof buf, true); /* PRIORITY@20 MI32@28 FP@36 */
	rtclab_stun_decode(&M, buf, n);
	cred.password = "wrong";
	rtclab_stun_verify(&M, &cred, &v);
	rtclab_stun_note_verdict(&M, &v);
	ONLY(RTCLAB_STUN_E_INTEGRITY_BAD);
	p = PROBLEM(RTCLAB_STUN_E_INTEGRITY_BAD, 28, RTCLAB_STUN_ATTR_GOOG_MESSAGE_INTEGRITY_32);
	SENTENCE(p, "GOOG-MESSAGE-INTEGRITY-32");
}

/* --- words for every code ------------------------------------------------------------------------ */

static void test_error_strings(void)
{
	const char *strs[RTCLAB_STUN_E_LAST + 1], *ids[RTCLAB_STUN_E_LAST + 1];
	for (int c = RTCLAB_STUN_OK; c <= RTCLAB_STUN_E_LAST; c++) {
		strs[c] = rtclab_stun_error_str((enum rtclab_stun_error)c);
		ids[c] = rtclab_stun_error_id((enum rtclab_stun_error)c);
		CHECKF(strs[c] && strlen(strs[c]) > 3, "code %d has no text", c);
		CHECKF(ids[c] && strlen(ids[c]) > 1 && strspn(ids[c], "abcdefghijklmnopqrstuvwxyz_0123456789") ==
								 strlen(ids[c]),
		       "code %d has id \"%s\"", c, ids[c] ? ids[c] : "(null)");
		CHECKF(strcmp(ids[c], "unknown") != 0 && strcmp(strs[c], "unknown problem") != 0,
		       "code %d has the fallback text", c);
		for (int d = 0; d < c; d++) {
			CHECKF(strcmp(strs[c], strs[d]) != 0, "codes %d and %d share \"%s\"", d, c, strs[c]);
			CHECKF(strcmp(ids[c], ids[d]) != 0, "codes %d and %d share id \"%s\"", d, c, ids[c]);
		}
		/* Every code formats to a sentence, whatever its numbers. */
		struct rtclab_stun_problem p = {(enum rtclab_stun_error)c, 20, RTCLAB_STUN_ATTR_SOFTWARE, 4, 5};
		char text[256];
		CU_ASSERT_PTR_EQUAL(rtclab_stun_problem_format(&p, text, sizeof text), text);
		CHECKF(strlen(text) > 3, "code %d formats to \"%s\"", c, text);
		char tiny[8];
		rtclab_stun_problem_format(&p, tiny, sizeof tiny);
		CU_ASSERT_TRUE(strlen(tiny) < sizeof tiny);
	}
	CU_ASSERT_STRING_EQUAL(rtclab_stun_error_id(RTCLAB_STUN_E_ATTR_OVERRUN), "attr_overrun");
	CU_ASSERT_PTR_NOT_NULL(rtclab_stun_error_str((enum rtclab_stun_error)(RTCLAB_STUN_E_LAST + 1)));
	CU_ASSERT_PTR_NOT_NULL(rtclab_stun_error_id((enum rtclab_stun_error)1000));
}

/* --- sweeps -------------------------------------------------------------------------------------- */

/* A valid message with an attribute of every kind but GOOG-MESSAGE-INTEGRITY-32
 * (which cannot share a message with MESSAGE-INTEGRITY-SHA256); the second
 * message carries that one. */
static size_t build_every_kind(uint8_t *buf, size_t cap, bool goog_ping)
{
	static const struct rtclab_stun_attr attrs[] = {
		{.type = RTCLAB_STUN_ATTR_USE_CANDIDATE},
		{.type = RTCLAB_STUN_ATTR_MAPPED_ADDRESS, .v.addr = {RTCLAB_FAMILY_IPV4, 3478, {192, 0, 2, 1}}},
		{.type = RTCLAB_STUN_ATTR_XOR_MAPPED_ADDRESS,
		 .v.addr = {RTCLAB_FAMILY_IPV6, 32853, {0x20, 0x01, 0x0d, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}}},
		{.type = RTCLAB_STUN_ATTR_PRIORITY, .v.u32 = 0x6e0001ff},
		{.type = RTCLAB_STUN_ATTR_ICE_CONTROLLING, .v.u64 = 0x0123456789abcdefULL},
		{.type = RTCLAB_STUN_ATTR_USERNAME, .v.text = B("evtj:h6vY")},
		{.type = RTCLAB_STUN_ATTR_SOFTWARE, .v.text = B("rtclab")},
		{.type = RTCLAB_STUN_ATTR_NONCE, .v.nonce = {B("obMatJos2gAAAabc"), true, 0x800000}},
		{.type = RTCLAB_STUN_ATTR_DATA, .value = B("hello")},
		{.type = RTCLAB_STUN_ATTR_ERROR_CODE, .v.error = {438, B("Stale Nonce"), RTCLAB_FAMILY_NONE}},
		{.type = RTCLAB_STUN_ATTR_ADDRESS_ERROR_CODE, .v.error = {440, B("no"), RTCLAB_FAMILY_IPV6}},
		{.type = RTCLAB_STUN_ATTR_CHANNEL_NUMBER, .v.u32 = 0x4001},
		{.type = RTCLAB_STUN_ATTR_REQUESTED_TRANSPORT, .v.u32 = 17},
		{.type = RTCLAB_STUN_ATTR_REQUESTED_ADDRESS_FAMILY, .v.family = RTCLAB_FAMILY_IPV4},
		{.type = RTCLAB_STUN_ATTR_EVEN_PORT, .v.flag = true},
		{.type = RTCLAB_STUN_ATTR_CHANGE_REQUEST, .v.change = {true, true}},
		{.type = RTCLAB_STUN_ATTR_RESPONSE_PORT, .v.u32 = 5000},
		{.type = RTCLAB_STUN_ATTR_UNKNOWN_ATTRIBUTES, .value = B("\x00\x50\x80\x50")},
		{.type = RTCLAB_STUN_ATTR_GOOG_MISC_INFO, .value = B("\x00\x01\x00\x02\x00\x03")},
		{.type = RTCLAB_STUN_ATTR_PASSWORD_ALGORITHMS, .value = B("\x00\x02\x00\x00\x00\x01\x00\x00")},
		{.type = RTCLAB_STUN_ATTR_PASSWORD_ALGORITHM, .v.algorithm = {RTCLAB_STUN_PASSWORD_SHA256, {NULL, 0}}},
		{.type = RTCLAB_STUN_ATTR_ICMP, .v.icmp = {3, 3, 1500}},
		{.type = RTCLAB_STUN_ATTR_ACCESS_TOKEN, .v.token = {B("nonce"), B("\x01\x02\x03\x04\x05\x06\x07")}},
		{.type = RTCLAB_STUN_ATTR_GOOG_NETWORK_INFO, .v.network = {2, 50}},
		{.type = 0x8050, .value = B("unknown, optional")},
	};
	struct rtclab_stun_key key;
	rtclab_stun_key_short_term(&key, PASSWORD, RTCLAB_STUN_PREP_OPAQUESTRING);
	struct rtclab_stun_encoder e;
	if (goog_ping) {
		rtclab_stun_enc_begin(&e, buf, cap, RTCLAB_STUN_GOOG_PING, RTCLAB_STUN_REQUEST, TID);
		rtclab_stun_enc_integrity_32(&e, &key);
	} else {
		rtclab_stun_enc_begin(&e, buf, cap, RTCLAB_STUN_ALLOCATE, RTCLAB_STUN_ERROR, TID);
		for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++)
			CU_ASSERT_EQUAL(rtclab_stun_enc_attr(&e, &attrs[i]), RTCLAB_STUN_OK);
		rtclab_stun_enc_integrity(&e, &key);
		rtclab_stun_enc_integrity_sha256(&e, &key, 24);
	}
	rtclab_stun_enc_fingerprint(&e);
	return rtclab_stun_enc_end(&e);
}

/* Everything a tool does with a decoded message, for the sanitizers to watch. */
static void exercise(struct rtclab_stun_msg *m, struct rtclab_stun_verdict *v)
{
	static uint8_t out[2048];
	char text[256];
	struct rtclab_stun_credentials cred = {.password = PASSWORD};
	rtclab_stun_verify(m, &cred, v);
	rtclab_stun_note_verdict(m, v);
	for (size_t i = 0; i < m->n_problems; i++)
		rtclab_stun_problem_format(&m->problems[i], text, sizeof text);
	enum rtclab_stun_error err;
	rtclab_stun_encode(m, NULL, out, sizeof out, &err);
	for (size_t i = 0; i < m->n_attrs; i++) {
		size_t pos = 0;
		uint16_t alg;
		struct rtclab_bytes params;
		while (rtclab_stun_password_algorithm_next(&m->attrs[i], &pos, &alg, &params))
			;
		rtclab_stun_attr_u16_at(&m->attrs[i], 0);
	}
	json_t *j = rtclab_stun_json(m, v);
	CU_ASSERT_PTR_NOT_NULL(j);
	json_decref(j);
}

/* What any decode must give, whatever the bytes: counts within their arrays,
 * every attribute and every value inside the bytes, problems inside too. */
static bool sane(const struct rtclab_stun_msg *m, size_t len)
{
	if (m->data == NULL || m->size != len || m->n_attrs > RTCLAB_STUN_MAX_ATTRS || m->n_attrs > m->n_attrs_total ||
	    m->n_problems > RTCLAB_STUN_MAX_PROBLEMS || m->n_problems > m->n_problems_total)
		return false;
	for (size_t i = 0; i < m->n_attrs; i++) {
		const struct rtclab_stun_attr *a = &m->attrs[i];
		if (a->offset < 20 || (size_t)a->offset + 4 > len || a->value.len > len - a->offset - 4 ||
		    a->value.len > a->length || (a->value.len && a->value.ptr != m->data + a->offset + 4))
			return false;
		if (a->ok && a->value.len != a->length)
			return false;
	}
	for (size_t i = 0; i < m->n_problems; i++)
		if (m->problems[i].offset > len || m->problems[i].code == RTCLAB_STUN_OK)
			return false;
	return (m->n_problems_total == 0) == (rtclab_stun_decode(&(struct rtclab_stun_msg){0}, m->data, len) ==
					      RTCLAB_STUN_OK);
}

/* The attribute of the full message decoded the same way in m. */
static bool same_attr(const struct rtclab_stun_attr *a, const struct rtclab_stun_attr *b)
{
	return a->type == b->type && a->offset == b->offset && a->length == b->length && a->ok == b->ok &&
	       a->kind == b->kind && a->value.len == b->value.len && memcmp(a->value.ptr, b->value.ptr, a->value.len) == 0;
}

static void sweep(bool goog_ping)
{
	static uint8_t full[2048];
	static struct rtclab_stun_msg whole;
	size_t n = build_every_kind(full, sizeof full, goog_ping);
	CU_ASSERT_FATAL(n > 20);
	CU_ASSERT_EQUAL_FATAL(rtclab_stun_decode(&whole, full, n), RTCLAB_STUN_OK);
	struct rtclab_stun_verdict v;
	exercise(&whole, &v);
	CU_ASSERT_EQUAL(v.integrity, RTCLAB_STUN_CHECK_OK);
	CU_ASSERT_EQUAL(v.fingerprint, RTCLAB_STUN_CHECK_OK);
	CU_ASSERT_EQUAL(whole.n_problems_total, 0);

	/* Every prefix: at least one problem, the right first one, and every
	 * attribute that fits in the prefix decoded as in the whole message. */
	size_t quiet = 0, wrong_first = 0, lost = 0, insane = 0;
	for (size_t len = 0; len < n; len++) {
		uint8_t *b = malloc(len ? len : 1); /* exactly len bytes: ASan sees any read past them */
		memcpy(b, full, len);
		rtclab_stun_decode(&M, b, len);
		if (M.n_problems_total == 0 && !quiet++)
			CHECKF(false, "prefix of %zu bytes: no problem", len);
		enum rtclab_stun_error want = len < 20 ? RTCLAB_STUN_E_TRUNCATED_HEADER : RTCLAB_STUN_E_TRUNCATED;
		if ((M.n_problems == 0 || M.problems[0].code != want) && !wrong_first++)
			CHECKF(false, "prefix of %zu bytes: first problem %s", len,
			       M.n_problems ? rtclab_stun_error_id(M.problems[0].code) : "none");
		for (size_t i = 0; i < whole.n_attrs; i++) {
			const struct rtclab_stun_attr *a = &whole.attrs[i];
			if (a->offset + 4u + a->length + (4 - a->length % 4) % 4 > len)
				break;
			if ((i >= M.n_attrs || !same_attr(a, &M.attrs[i])) && !lost++)
				CHECKF(false, "prefix of %zu bytes: attribute %zu (0x%04x) lost", len, i, a->type);
		}
		if (!sane(&M, len) && !insane++)
			CHECKF(false, "prefix of %zu bytes: inconsistent decode", len);
		exercise(&M, &v);
		free(b);
	}
	CU_ASSERT_EQUAL(insane, 0);
	CU_ASSERT_EQUAL(quiet, 0);
	CU_ASSERT_EQUAL(wrong_first, 0);
	CU_ASSERT_EQUAL(lost, 0);

	/* Every single-bit flip: decoded without harm, and noticed, by the
	 * decoder or by the CRC-32 of FINGERPRINT, which catches every one. */
	size_t unnoticed = 0;
	uint8_t *b = malloc(n);
	for (size_t bit = 0; bit < 8 * n; bit++) {
		memcpy(b, full, n);
		b[bit / 8] ^= (uint8_t)(0x80 >> bit % 8);
		rtclab_stun_decode(&M, b, n);
		if (!sane(&M, n) && !insane++)
			CHECKF(false, "flip of bit %zu: inconsistent decode", bit);
		exercise(&M, &v);
		bool noticed = M.n_problems_total > 0 || rtclab_stun_check_fingerprint(&M) != RTCLAB_STUN_CHECK_OK;
		if (!noticed && !unnoticed++)
			CHECKF(false, "flip of bit %zu unnoticed", bit);
	}
	free(b);
	CU_ASSERT_EQUAL(unnoticed, 0);
	CU_ASSERT_EQUAL(insane, 0);
}

static void test_sweep_every_kind(void)
{
	/* Which kinds the two sweep messages cover: every kind of the X-macro. */
	static uint8_t buf[2048];
	bool seen[64] = {false};
	for (int g = 0; g < 2; g++) {
		size_t n = build_every_kind(buf, sizeof buf, g);
		CU_ASSERT_EQUAL_FATAL(rtclab_stun_decode(&M, buf, n), RTCLAB_STUN_OK);
		for (size_t i = 0; i < M.n_attrs; i++)
			if ((size_t)M.attrs[i].kind < 64)
				seen[M.attrs[i].kind] = true;
	}
	CU_ASSERT_TRUE(seen[RTCLAB_STUN_KIND_UNKNOWN]);
#define RTCLAB_X_(type_, ident_, name_, kind_, min_, max_, ref_) \
	CHECKF(seen[RTCLAB_STUN_KIND_##kind_], "no attribute of kind " #kind_ " (as " name_ ") in the sweep messages");
	RTCLAB_STUN_ATTRS(RTCLAB_X_)
#undef RTCLAB_X_
	sweep(false);
	sweep(true);
}

/* Arbitrary bytes with a plausible header and attribute walk: a consistent
 * decode every time, and nothing the sanitizers object to. */
static void test_sweep_noise(void)
{
	uint32_t x = 0x12345678;
	uint8_t b[256];
	struct rtclab_stun_verdict v;
	size_t insane = 0, walked = 0;
	for (int round = 0; round < 3000; round++) {
		size_t len = 20 + (size_t)round % 200;
		for (size_t i = 0; i < len; i++) {
			x ^= x << 13, x ^= x >> 17, x ^= x << 5;
			b[i] = (uint8_t)x;
		}
		b[0] &= 0x3f;
		b[2] = (uint8_t)((len - 20) >> 8);
		b[3] = (uint8_t)(len - 20);
		memcpy(b + 4, "\x21\x12\xa4\x42", 4);
		/* Short attributes, half of them of types rtclab knows. */
		for (size_t at = 20; at + 4 <= len;) {
			x ^= x << 13, x ^= x >> 17, x ^= x << 5;
			if (x & 1) {
				b[at] = (uint8_t)(x >> 8 & 0xc0);
				b[at + 1] = (uint8_t)(x >> 16 & 0x3f);
			}
			b[at + 2] = 0;
			b[at + 3] &= 0x1f;
			at += 4 + b[at + 3] + (4 - b[at + 3] % 4) % 4;
		}
		uint8_t *exact = malloc(len);
		memcpy(exact, b, len);
		rtclab_stun_decode(&M, exact, len);
		walked += M.n_attrs;
		if (!sane(&M, len) && !insane++)
			CHECKF(false, "noise round %d: inconsistent decode", round);
		exercise(&M, &v);
		free(exact);
	}
	CU_ASSERT_EQUAL(insane, 0);
	CU_ASSERT_TRUE(walked > 10000);
}

RTCLAB_SUITE(stun_problems)
{
	static const struct unit_test tests[] = {
		{"truncated header", test_truncated_header},
		{"not STUN (leading bits)", test_not_stun},
		{"length not a multiple of 4", test_length_not_aligned},
		{"truncated (length says more)", test_truncated},
		{"trailing bytes", test_trailing_bytes},
		{"attribute header truncated", test_attr_header_truncated},
		{"attribute overrun", test_attr_overrun},
		{"padding missing", test_attr_padding_missing},
		{"bad length for the type", test_attr_bad_length},
		{"too long", test_attr_too_long},
		{"length bounds of every X-macro type", test_length_bounds_every_type},
		{"bad address family", test_bad_family},
		{"bad UTF-8", test_bad_utf8},
		{"bad error code", test_bad_error_code},
		{"unknown comprehension-required attribute", test_unknown_required},
		{"attribute after MESSAGE-INTEGRITY", test_after_integrity},
		{"FINGERPRINT not last", test_fingerprint_not_last},
		{"unknown method", test_unknown_method},
		{"class not allowed", test_class_not_allowed},
		{"channel number out of range", test_channel_range},
		{"too many attributes", test_too_many_attrs},
		{"more problems than kept", test_many_problems},
		{"integrity and fingerprint bad (note_verdict)", test_verdict_problems},
		{"a distinct text and id for every code", test_error_strings},
		{"sweep: every prefix and every bit flip", test_sweep_every_kind},
		{"sweep: noise", test_sweep_noise},
		{NULL, NULL},
	};
	unit_add_suite("stun_problems", tests);
}
