/* RFC 5769 test vectors: decoded values, integrity and fingerprint, re-encoding. */
#include <stdlib.h>
#include <string.h>

#include "rtclab/stun.h"
#include "unit.h"

static const char *PASSWORD = "VOkJxbRl1RmTxUk/WvJxBt";
/* RFC 5769 2.4: "The" U+00AD "M" U+00AA "tr" U+2168, SASLprep'd to "TheMatrIX". */
static const char *LT_PASSWORD = "The\xc2\xadM\xc2\xaatr\xe2\x85\xa8";
static const char *LT_USERNAME = "\xe3\x83\x9e\xe3\x83\x88\xe3\x83\xaa\xe3\x83\x83\xe3\x82\xaf\xe3\x82\xb9";

static struct rtclab_stun_msg msg;

static uint8_t *decode_fixture(const char *name, size_t *len)
{
	uint8_t *buf = unit_fixture(name, len);
	CU_ASSERT_EQUAL(rtclab_stun_decode(&msg, buf, *len), RTCLAB_STUN_OK);
	CU_ASSERT_EQUAL(msg.n_problems_total, 0);
	CU_ASSERT_TRUE(msg.magic_cookie);
	return buf;
}

static void assert_attr(size_t i, uint16_t type, uint32_t offset, uint16_t length)
{
	CU_ASSERT_FATAL(i < msg.n_attrs);
	CU_ASSERT_EQUAL(msg.attrs[i].type, type);
	CU_ASSERT_EQUAL(msg.attrs[i].offset, offset);
	CU_ASSERT_EQUAL(msg.attrs[i].length, length);
	CU_ASSERT_TRUE(msg.attrs[i].ok);
}

static void assert_text(size_t i, const char *text)
{
	CU_ASSERT_EQUAL(msg.attrs[i].v.text.len, strlen(text));
	CU_ASSERT_EQUAL(memcmp(msg.attrs[i].v.text.ptr, text, strlen(text)), 0);
}

static void assert_tid(const char *hex)
{
	size_t n;
	uint8_t *tid = unit_hex(hex, &n);
	CU_ASSERT_EQUAL(msg.transaction_id_len, 12);
	CU_ASSERT_EQUAL(memcmp(msg.transaction_id, tid, 12), 0);
	free(tid);
}

static enum rtclab_stun_check short_term(const char *password)
{
	struct rtclab_stun_key key;
	CU_ASSERT_EQUAL(rtclab_stun_key_short_term(&key, password, RTCLAB_STUN_PREP_OPAQUESTRING), RTCLAB_STUN_OK);
	return rtclab_stun_check_integrity(&msg, &key);
}

/* Re-encode the decoded message with the key: the same bytes as the vector
 * (the encoder keeps the 0x20 padding the RFC uses, which MAC and CRC cover).
 * Then encode the same attributes afresh with zero padding, as RFC 8489
 * senders do: the bytes differ only in padding, MAC and CRC, and verify. */
static void assert_reencodes(const uint8_t *vector, size_t len, const struct rtclab_stun_key *key)
{
	uint8_t out[256];
	enum rtclab_stun_error err;
	size_t n = rtclab_stun_encode(&msg, key, out, sizeof out, &err);
	CU_ASSERT_EQUAL_FATAL(n, len);
	CU_ASSERT_EQUAL(err, RTCLAB_STUN_OK);
	CU_ASSERT_EQUAL(memcmp(out, vector, len), 0);

	struct rtclab_stun_encoder e;
	uint8_t tid[12];
	memcpy(tid, msg.transaction_id, 12);
	rtclab_stun_enc_begin(&e, out, sizeof out, msg.method, msg.cls, tid);
	for (size_t i = 0; i < msg.n_attrs; i++) {
		const struct rtclab_stun_attr *a = &msg.attrs[i];
		if (a->type == RTCLAB_STUN_ATTR_MESSAGE_INTEGRITY)
			rtclab_stun_enc_integrity(&e, key);
		else if (a->type == RTCLAB_STUN_ATTR_FINGERPRINT)
			rtclab_stun_enc_fingerprint(&e);
		else
			rtclab_stun_enc_attr(&e, a);
	}
	CU_ASSERT_EQUAL_FATAL(rtclab_stun_enc_end(&e), len);
	size_t differ = 0;
	for (size_t i = 0; i < msg.n_attrs; i++) {
		const struct rtclab_stun_attr *a = &msg.attrs[i];
		size_t from = a->offset, to = a->offset + 4u + a->length;
		if (a->kind == RTCLAB_STUN_KIND_INTEGRITY || a->kind == RTCLAB_STUN_KIND_FINGERPRINT)
			to = a->offset + 4u; /* the MAC and CRC change with the padding */
		for (size_t p = from; p < to; p++)
			differ += out[p] != vector[p];
		for (size_t p = a->offset + 4u + a->length; p % 4; p++)
			CU_ASSERT_EQUAL(out[p], 0);
	}
	CU_ASSERT_EQUAL(memcmp(out, vector, 20), 0);
	CU_ASSERT_EQUAL(differ, 0);
	struct rtclab_stun_msg again;
	CU_ASSERT_EQUAL(rtclab_stun_decode(&again, out, len), RTCLAB_STUN_OK);
	if (again.integrity_offset != SIZE_MAX)
		CU_ASSERT_EQUAL(rtclab_stun_check_integrity(&again, key), RTCLAB_STUN_CHECK_OK);
	if (again.fingerprint_offset != SIZE_MAX)
		CU_ASSERT_EQUAL(rtclab_stun_check_fingerprint(&again), RTCLAB_STUN_CHECK_OK);
}

static void test_sample_request(void)
{
	size_t len;
	uint8_t *buf = decode_fixture("stun/sample_request.bin", &len);
	CU_ASSERT_EQUAL(len, 108);
	CU_ASSERT_EQUAL(msg.type, 0x0001);
	CU_ASSERT_EQUAL(msg.method, RTCLAB_STUN_BINDING);
	CU_ASSERT_EQUAL(msg.cls, RTCLAB_STUN_REQUEST);
	CU_ASSERT_EQUAL(msg.length, 88);
	assert_tid("b7e7a701bc34d686fa87dfae");
	CU_ASSERT_EQUAL_FATAL(msg.n_attrs, 6);
	assert_attr(0, RTCLAB_STUN_ATTR_SOFTWARE, 20, 16);
	assert_text(0, "STUN test client");
	assert_attr(1, RTCLAB_STUN_ATTR_PRIORITY, 40, 4);
	CU_ASSERT_EQUAL(msg.attrs[1].v.u32, 0x6e0001ff);
	assert_attr(2, RTCLAB_STUN_ATTR_ICE_CONTROLLED, 48, 8);
	CU_ASSERT_EQUAL(msg.attrs[2].v.u64, 0x932ff9b151263b36ULL);
	assert_attr(3, RTCLAB_STUN_ATTR_USERNAME, 60, 9);
	assert_text(3, "evtj:h6vY");
	assert_attr(4, RTCLAB_STUN_ATTR_MESSAGE_INTEGRITY, 76, 20);
	assert_attr(5, RTCLAB_STUN_ATTR_FINGERPRINT, 100, 4);
	CU_ASSERT_EQUAL(msg.attrs[5].v.u32, 0xe57a3bcf);
	CU_ASSERT_EQUAL(msg.integrity_offset, 76);
	CU_ASSERT_EQUAL(msg.fingerprint_offset, 100);
	CU_ASSERT_EQUAL(short_term(PASSWORD), RTCLAB_STUN_CHECK_OK);
	CU_ASSERT_EQUAL(short_term("VOkJxbRl1RmTxUk/WvJxBu"), RTCLAB_STUN_CHECK_BAD);
	CU_ASSERT_EQUAL(rtclab_stun_check_fingerprint(&msg), RTCLAB_STUN_CHECK_OK);
	struct rtclab_stun_key key;
	rtclab_stun_key_short_term(&key, PASSWORD, RTCLAB_STUN_PREP_OPAQUESTRING);
	assert_reencodes(buf, len, &key);
	free(buf);
}

static void assert_response(const char *name, size_t size, uint16_t length, enum rtclab_family family,
			    const char *ip, uint16_t addr_len, uint32_t mi_at, uint32_t fp)
{
	size_t len;
	uint8_t *buf = decode_fixture(name, &len);
	CU_ASSERT_EQUAL(len, size);
	CU_ASSERT_EQUAL(msg.type, 0x0101);
	CU_ASSERT_EQUAL(msg.cls, RTCLAB_STUN_SUCCESS);
	CU_ASSERT_EQUAL(msg.length, length);
	assert_tid("b7e7a701bc34d686fa87dfae");
	CU_ASSERT_EQUAL_FATAL(msg.n_attrs, 4);
	assert_attr(0, RTCLAB_STUN_ATTR_SOFTWARE, 20, 11);
	assert_text(0, "test vector");
	assert_attr(1, RTCLAB_STUN_ATTR_XOR_MAPPED_ADDRESS, 36, addr_len);
	struct rtclab_addr want;
	CU_ASSERT_TRUE(rtclab_addr_ip_parse(&want, ip));
	want.port = 32853;
	CU_ASSERT_EQUAL(msg.attrs[1].v.addr.family, family);
	CU_ASSERT_TRUE(rtclab_addr_equal(&msg.attrs[1].v.addr, &want));
	assert_attr(2, RTCLAB_STUN_ATTR_MESSAGE_INTEGRITY, mi_at, 20);
	assert_attr(3, RTCLAB_STUN_ATTR_FINGERPRINT, mi_at + 24, 4);
	CU_ASSERT_EQUAL(msg.attrs[3].v.u32, fp);
	CU_ASSERT_EQUAL(short_term(PASSWORD), RTCLAB_STUN_CHECK_OK);
	CU_ASSERT_EQUAL(short_term("wrong password 1234567"), RTCLAB_STUN_CHECK_BAD);
	CU_ASSERT_EQUAL(rtclab_stun_check_fingerprint(&msg), RTCLAB_STUN_CHECK_OK);
	struct rtclab_stun_key key;
	rtclab_stun_key_short_term(&key, PASSWORD, RTCLAB_STUN_PREP_OPAQUESTRING);
	assert_reencodes(buf, len, &key);
	free(buf);
}

static void test_ipv4_response(void)
{
	assert_response("stun/sample_ipv4_response.bin", 80, 60, RTCLAB_FAMILY_IPV4, "192.0.2.1", 8, 48, 0xc07d4c96);
}

static void test_ipv6_response(void)
{
	assert_response("stun/sample_ipv6_response.bin", 92, 72, RTCLAB_FAMILY_IPV6,
			"2001:db8:1234:5678:11:2233:4455:6677", 20, 60, 0xc8fb0b4c);
}

static void test_long_term(void)
{
	size_t len;
	uint8_t *buf = decode_fixture("stun/sample_request_long_term_auth.bin", &len);
	CU_ASSERT_EQUAL(len, 116);
	CU_ASSERT_EQUAL(msg.length, 96);
	assert_tid("78ad3433c6ad72c029da412e");
	CU_ASSERT_EQUAL_FATAL(msg.n_attrs, 4);
	assert_attr(0, RTCLAB_STUN_ATTR_USERNAME, 20, 18);
	assert_text(0, LT_USERNAME);
	assert_attr(1, RTCLAB_STUN_ATTR_NONCE, 44, 28);
	assert_text(1, "f//499k954d6OL34oL9FSTvy64sA");
	CU_ASSERT_FALSE(msg.attrs[1].v.nonce.has_cookie);
	assert_attr(2, RTCLAB_STUN_ATTR_REALM, 76, 11);
	assert_text(2, "example.org");
	assert_attr(3, RTCLAB_STUN_ATTR_MESSAGE_INTEGRITY, 92, 20);
	CU_ASSERT_EQUAL(rtclab_stun_check_fingerprint(&msg), RTCLAB_STUN_CHECK_ABSENT);

	/* The key of RFC 5769 2.4, from the SASLprep'd password. */
	struct rtclab_stun_key key;
	size_t n;
	uint8_t *want = unit_hex("e8ca7ad59d5eb0518e312911d2dab2a9", &n);
	CU_ASSERT_EQUAL(rtclab_stun_key_long_term(&key, LT_USERNAME, "example.org", LT_PASSWORD,
						  RTCLAB_STUN_PASSWORD_MD5, RTCLAB_STUN_PREP_SASLPREP),
			RTCLAB_STUN_OK);
	CU_ASSERT_EQUAL(key.len, 16);
	CU_ASSERT_EQUAL(memcmp(key.bytes, want, 16), 0);
	free(want);
	CU_ASSERT_EQUAL(rtclab_stun_check_integrity(&msg, &key), RTCLAB_STUN_CHECK_OK);
	assert_reencodes(buf, len, &key);

	/* Without SASLprep the key is different and does not verify. */
	CU_ASSERT_EQUAL(rtclab_stun_key_long_term(&key, LT_USERNAME, "example.org", LT_PASSWORD,
						  RTCLAB_STUN_PASSWORD_MD5, RTCLAB_STUN_PREP_NONE),
			RTCLAB_STUN_OK);
	CU_ASSERT_EQUAL(rtclab_stun_check_integrity(&msg, &key), RTCLAB_STUN_CHECK_BAD);
	/* OpaqueString (RFC 8489) rejects U+00AD, a default-ignorable code point. */
	CU_ASSERT_EQUAL(rtclab_stun_key_long_term(&key, LT_USERNAME, "example.org", LT_PASSWORD,
						  RTCLAB_STUN_PASSWORD_MD5, RTCLAB_STUN_PREP_OPAQUESTRING),
			RTCLAB_STUN_E_BAD_CREDENTIAL);

	/* rtclab_stun_verify finds the preparation that works, taking username and realm from the message. */
	struct rtclab_stun_credentials cred = {.password = LT_PASSWORD, .long_term = true};
	struct rtclab_stun_verdict v;
	rtclab_stun_verify(&msg, &cred, &v);
	CU_ASSERT_EQUAL(v.integrity, RTCLAB_STUN_CHECK_OK);
	CU_ASSERT_TRUE(v.long_term);
	CU_ASSERT_EQUAL(v.prep, RTCLAB_STUN_PREP_SASLPREP);
	cred.password = "TheMatrIX";
	rtclab_stun_verify(&msg, &cred, &v);
	CU_ASSERT_EQUAL(v.integrity, RTCLAB_STUN_CHECK_OK);
	cred.password = "TheMatrix";
	rtclab_stun_verify(&msg, &cred, &v);
	CU_ASSERT_EQUAL(v.integrity, RTCLAB_STUN_CHECK_BAD);
	free(buf);
}

static void test_verify_short_term(void)
{
	size_t len;
	uint8_t *buf = decode_fixture("stun/sample_request.bin", &len);
	struct rtclab_stun_verdict v;
	rtclab_stun_verify(&msg, NULL, &v);
	CU_ASSERT_EQUAL(v.integrity, RTCLAB_STUN_CHECK_UNCHECKED);
	CU_ASSERT_EQUAL(v.fingerprint, RTCLAB_STUN_CHECK_OK);
	struct rtclab_stun_credentials cred = {.password = PASSWORD};
	rtclab_stun_verify(&msg, &cred, &v);
	CU_ASSERT_EQUAL(v.integrity, RTCLAB_STUN_CHECK_OK);
	CU_ASSERT_FALSE(v.long_term);
	cred.password = "VOkJxbRl1RmTxUk/WvJxBT";
	rtclab_stun_verify(&msg, &cred, &v);
	CU_ASSERT_EQUAL(v.integrity, RTCLAB_STUN_CHECK_BAD);
	rtclab_stun_note_verdict(&msg, &v);
	CU_ASSERT_EQUAL_FATAL(msg.n_problems, 1);
	CU_ASSERT_EQUAL(msg.problems[0].code, RTCLAB_STUN_E_INTEGRITY_BAD);
	CU_ASSERT_EQUAL(msg.problems[0].offset, 76);

	/* One flipped bit in the SOFTWARE text breaks both MAC and CRC. */
	buf[25] ^= 0x01;
	rtclab_stun_decode(&msg, buf, len);
	cred.password = PASSWORD;
	rtclab_stun_verify(&msg, &cred, &v);
	CU_ASSERT_EQUAL(v.integrity, RTCLAB_STUN_CHECK_BAD);
	CU_ASSERT_EQUAL(v.fingerprint, RTCLAB_STUN_CHECK_BAD);
	/* A flipped padding byte is covered by the MAC and the CRC as sent. */
	buf[25] ^= 0x01;
	buf[73] ^= 0x01;
	rtclab_stun_decode(&msg, buf, len);
	CU_ASSERT_EQUAL(msg.n_problems_total, 0);
	CU_ASSERT_EQUAL(rtclab_stun_check_fingerprint(&msg), RTCLAB_STUN_CHECK_BAD);
	free(buf);
}

RTCLAB_SUITE(rfc5769)
{
	static const struct unit_test tests[] = {
		{"2.1 sample request (short-term)", test_sample_request},
		{"2.2 sample IPv4 response", test_ipv4_response},
		{"2.3 sample IPv6 response", test_ipv6_response},
		{"2.4 long-term authentication and SASLprep", test_long_term},
		{"verify: credentials, wrong password, altered bytes", test_verify_short_term},
		{NULL, NULL},
	};
	unit_add_suite("rfc5769", tests);
}
