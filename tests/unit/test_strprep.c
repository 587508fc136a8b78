/* Preparing passwords and realms: SASLprep (RFC 4013, used by RFC 5389),
 * OpaqueString (RFC 8265, used by RFC 8489), none; and the short- and
 * long-term keys made from them. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtclab/stun.h"
#include "unit.h"


static const char *prep_name(enum rtclab_stun_prep prep)
{
	return prep == RTCLAB_STUN_PREP_SASLPREP ? "SASLprep" : prep == RTCLAB_STUN_PREP_OPAQUESTRING ? "OpaqueString"
												    : "none";
}

static const char *escaped(const char *s, char *buf, size_t len)
{
	size_t k = 0;
	for (; *s && k + 5 < len; s++)
		k += (size_t)snprintf(buf + k, len - k, (unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f ? "\\x%02x" : "%c",
				      (unsigned char)*s);
	buf[k] = '\0';
	return buf;
}

/* in prepared with prep gives want (NULL: refused with BAD_CREDENTIAL). */
static void prepared(const char *file, unsigned line, enum rtclab_stun_prep prep, const char *in, const char *want)
{
	char out[256], e1[128], e2[128], e3[128];
	memset(out, 0x5A, sizeof out);
	enum rtclab_stun_error err = rtclab_stun_prepare(in, prep, out, sizeof out);
	if (want) {
		unit_check_at(err == RTCLAB_STUN_OK && strcmp(out, want) == 0, file, line, "%s(\"%s\") = %s \"%s\", want \"%s\"",
			 prep_name(prep), escaped(in, e1, sizeof e1), rtclab_stun_error_id(err),
			 err == RTCLAB_STUN_OK ? escaped(out, e2, sizeof e2) : "", escaped(want, e3, sizeof e3));
	} else {
		unit_check_at(err == RTCLAB_STUN_E_BAD_CREDENTIAL, file, line, "%s(\"%s\") = %s \"%s\", want bad_credential",
			 prep_name(prep), escaped(in, e1, sizeof e1), rtclab_stun_error_id(err),
			 err == RTCLAB_STUN_OK ? escaped(out, e2, sizeof e2) : "");
	}
}
#define PREPARED(prep, in, want) prepared(__FILE__, __LINE__, (prep), (in), (want))
#define OPAQUE RTCLAB_STUN_PREP_OPAQUESTRING
#define SASL RTCLAB_STUN_PREP_SASLPREP
#define NONE RTCLAB_STUN_PREP_NONE

static void test_ascii_unchanged(void)
{
	static const char *const ascii[] = {
		"VOkJxbRl1RmTxUk/WvJxBt", "user", "USER", "pass word", " leading and trailing ", "~!@#$%^&*()_+{}|:\"<>?",
		"0123456789", "a",
	};
	for (size_t i = 0; i < sizeof ascii / sizeof ascii[0]; i++) {
		PREPARED(OPAQUE, ascii[i], ascii[i]);
		PREPARED(SASL, ascii[i], ascii[i]);
		PREPARED(NONE, ascii[i], ascii[i]);
	}
}

/* RFC 5769 2.4: the long-term password of the test vector. */
static void test_saslprep_rfc5769(void)
{
	PREPARED(SASL, "The\xc2\xadM\xc2\xaatr\xe2\x85\xa8", "TheMatrIX");
}

/* RFC 4013 3: the examples of SASLprep. */
static void test_saslprep_rfc4013(void)
{
	PREPARED(SASL, "I\xc2\xadX", "IX");        /* 1: SOFT HYPHEN mapped to nothing */
	PREPARED(SASL, "user", "user");            /* 2: no transformation */
	PREPARED(SASL, "USER", "USER");            /* 3: case preserved */
	PREPARED(SASL, "\xc2\xaa", "a");           /* 4: NFKC */
	PREPARED(SASL, "\xe2\x85\xa8", "IX");      /* 5: NFKC, matches #1 */
	PREPARED(SASL, "\x07", NULL);              /* 6: prohibited character */
	PREPARED(SASL, "\xd8\xa7" "1", NULL);      /* 7: bidirectional check */
	/* Non-ASCII space maps to SPACE (RFC 4013 2.1, RFC 3454 C.1.2), the
	 * "commonly mapped to nothing" characters (B.1) to nothing. */
	PREPARED(SASL, "a\xc2\xa0" "b", "a b");
	PREPARED(SASL, "a\xe1\x9a\x80" "b", "a b"); /* U+1680 */
	PREPARED(SASL, "a\xcd\x8f" "b", "ab");       /* U+034F COMBINING GRAPHEME JOINER */
	PREPARED(SASL, "a\xe2\x80\x8d" "b", "ab");  /* U+200D ZERO WIDTH JOINER */
	/* Prohibited output (RFC 4013 2.3): controls, private use. */
	PREPARED(SASL, "a\x7f", NULL);
	PREPARED(SASL, "\xee\x80\x80", NULL);
	PREPARED(SASL, "\xff", NULL); /* not UTF-8 */
}

/* RFC 8265 4.2: OpaqueString, and the examples of its 4.2.3. */
static void test_opaquestring(void)
{
	/* Non-ASCII spaces become U+0020. */
	PREPARED(OPAQUE, "a\xc2\xa0" "b", "a b");            /* U+00A0 NO-BREAK SPACE */
	PREPARED(OPAQUE, "foo\xe1\x9a\x80" "bar", "foo bar"); /* RFC 8265 4.2.3 #5: U+1680 OGHAM SPACE MARK */
	PREPARED(OPAQUE, "\xe3\x80\x80x", " x");              /* U+3000 IDEOGRAPHIC SPACE */
	/* NFC, not NFKC. */
	PREPARED(OPAQUE, "e\xcc\x81", "\xc3\xa9");
	PREPARED(OPAQUE, "\xc3\xa9", "\xc3\xa9");
	PREPARED(OPAQUE, "\xe2\x85\xa8", "\xe2\x85\xa8"); /* U+2168 ROMAN NUMERAL NINE stays */
	PREPARED(OPAQUE, "\xc2\xaa", "\xc2\xaa");
	PREPARED(OPAQUE, "\xef\xac\x81", "\xef\xac\x81"); /* U+FB01 LATIN SMALL LIGATURE FI stays */
	/* RFC 8265 4.2.3, allowed as they are: */
	PREPARED(OPAQUE, "correct horse battery staple", "correct horse battery staple");
	PREPARED(OPAQUE, "Correct Horse Battery Staple", "Correct Horse Battery Staple");
	PREPARED(OPAQUE, "\xcf\x80\xc3\x9f\xc3\xa5", "\xcf\x80\xc3\x9f\xc3\xa5"); /* <pi sharp-s a-ring> */
	PREPARED(OPAQUE, "Jack of \xe2\x99\xa6s", "Jack of \xe2\x99\xa6s");
	PREPARED(OPAQUE, "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"); /* a symbol outside the BMP */
	/* ...and refused: RFC 8265 4.2.3 #6, a control character. */
	PREPARED(OPAQUE, "my cat is a \x09" "by", NULL);
	PREPARED(OPAQUE, "\x07", NULL);
	PREPARED(OPAQUE, "a\x1f", NULL);
	PREPARED(OPAQUE, "\x7f", NULL);
	PREPARED(OPAQUE, "line\nbreak", NULL);
	PREPARED(OPAQUE, "\xc3\xa9\x07", NULL); /* a control in a non-ASCII string */
	PREPARED(OPAQUE, "a\xc2\x85", NULL);    /* U+0085, a C1 control */
	/* Default-ignorable, unassigned, private use, non-characters. */
	PREPARED(OPAQUE, "The\xc2\xadM\xc2\xaatr\xe2\x85\xa8", NULL); /* U+00AD SOFT HYPHEN */
	PREPARED(OPAQUE, "\xc2\xad", NULL);
	PREPARED(OPAQUE, "a\xe2\x80\x8b" "b", NULL); /* U+200B ZERO WIDTH SPACE */
	PREPARED(OPAQUE, "\xcd\xb8", NULL);          /* U+0378, unassigned */
	PREPARED(OPAQUE, "\xee\x80\x80", NULL);      /* U+E000, private use */
	PREPARED(OPAQUE, "\xef\xbf\xbf", NULL);      /* U+FFFF */
	/* Empty, or not UTF-8 at all. */
	PREPARED(OPAQUE, "", NULL);
	PREPARED(OPAQUE, "\xff", NULL);
	PREPARED(OPAQUE, "\xc3", NULL);
	PREPARED(OPAQUE, "\xc0\x80", NULL);
}

static void test_none(void)
{
	PREPARED(NONE, "\x07", "\x07");
	PREPARED(NONE, "", "");
	PREPARED(NONE, "\xff\xfe", "\xff\xfe");
	PREPARED(NONE, "The\xc2\xadM\xc2\xaatr\xe2\x85\xa8", "The\xc2\xadM\xc2\xaatr\xe2\x85\xa8");
	PREPARED(NONE, "a\xc2\xa0" "b", "a\xc2\xa0" "b");
}

/* The output buffer must hold the result and its NUL; nothing past it is written. */
static void test_no_space(void)
{
	static const struct {
		enum rtclab_stun_prep prep;
		const char *in, *out;
	} cases[] = {
		{SASL, "The\xc2\xadM\xc2\xaatr\xe2\x85\xa8", "TheMatrIX"},
		{OPAQUE, "TheMatrIX", "TheMatrIX"},
		{OPAQUE, "e\xcc\x81t\xc3\xa9", "\xc3\xa9t\xc3\xa9"},
		{NONE, "TheMatrIX", "TheMatrIX"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t need = strlen(cases[i].out) + 1;
		for (size_t cap = 0; cap <= need; cap++) {
			char out[64];
			memset(out, 0x5A, sizeof out);
			enum rtclab_stun_error err = rtclab_stun_prepare(cases[i].in, cases[i].prep, out, cap);
			if (cap < need) {
				CHECKF(err == RTCLAB_STUN_E_NO_SPACE, "%s into %zu bytes: %s", prep_name(cases[i].prep), cap,
				       rtclab_stun_error_id(err));
			} else {
				CHECKF(err == RTCLAB_STUN_OK && strcmp(out, cases[i].out) == 0, "%s into %zu bytes: %s",
				       prep_name(cases[i].prep), cap, rtclab_stun_error_id(err));
			}
			size_t touched = 0;
			for (size_t k = cap; k < sizeof out; k++)
				touched += out[k] != 0x5A;
			CHECKF(touched == 0, "%s into %zu bytes wrote past them", prep_name(cases[i].prep), cap);
		}
	}
}

/* --- keys ---------------------------------------------------------------------------------------- */

static bool key_is(const struct rtclab_stun_key *key, const char *hexstr)
{
	size_t n;
	uint8_t *want = unit_hex(hexstr, &n);
	bool same = key->len == n && memcmp(key->bytes, want, n) == 0;
	free(want);
	return same;
}

static void test_short_term_key(void)
{
	/* RFC 8489 9.1.1: the key is the prepared password itself. */
	struct rtclab_stun_key key;
	CU_ASSERT_EQUAL(rtclab_stun_key_short_term(&key, "VOkJxbRl1RmTxUk/WvJxBt", OPAQUE), RTCLAB_STUN_OK);
	CU_ASSERT_EQUAL(key.len, 22);
	CU_ASSERT_EQUAL(memcmp(key.bytes, "VOkJxbRl1RmTxUk/WvJxBt", 22), 0);
	CU_ASSERT_EQUAL(rtclab_stun_key_short_term(&key, "a\xc2\xa0" "b", OPAQUE), RTCLAB_STUN_OK);
	CU_ASSERT_TRUE(key_is(&key, "612062"));
	CU_ASSERT_EQUAL(rtclab_stun_key_short_term(&key, "I\xc2\xadX", SASL), RTCLAB_STUN_OK);
	CU_ASSERT_TRUE(key_is(&key, "4958"));
	CU_ASSERT_EQUAL(rtclab_stun_key_short_term(&key, "I\xc2\xadX", NONE), RTCLAB_STUN_OK);
	CU_ASSERT_TRUE(key_is(&key, "49c2ad58"));
	/* Refused: no key. */
	key.len = 99;
	CU_ASSERT_EQUAL(rtclab_stun_key_short_term(&key, "I\xc2\xadX", OPAQUE), RTCLAB_STUN_E_BAD_CREDENTIAL);
	CU_ASSERT_EQUAL(key.len, 0);
	CU_ASSERT_EQUAL(rtclab_stun_key_short_term(&key, "", OPAQUE), RTCLAB_STUN_E_BAD_CREDENTIAL);
	/* RTCLAB_STUN_MAX_KEY bytes at most. */
	static char longpw[RTCLAB_STUN_MAX_KEY + 2];
	memset(longpw, 'p', RTCLAB_STUN_MAX_KEY);
	longpw[RTCLAB_STUN_MAX_KEY] = '\0';
	CU_ASSERT_EQUAL(rtclab_stun_key_short_term(&key, longpw, OPAQUE), RTCLAB_STUN_OK);
	CU_ASSERT_EQUAL(key.len, RTCLAB_STUN_MAX_KEY);
	longpw[RTCLAB_STUN_MAX_KEY] = 'p';
	longpw[RTCLAB_STUN_MAX_KEY + 1] = '\0';
	CU_ASSERT_EQUAL(rtclab_stun_key_short_term(&key, longpw, NONE), RTCLAB_STUN_E_NO_SPACE);
	CU_ASSERT_EQUAL(key.len, 0);
}

static void test_long_term_key(void)
{
	/* RFC 8489 9.2.2: MD5 or SHA-256 of username ":" realm ":" password
	 * (expected values computed with another MD5/SHA-256 implementation). */
	struct rtclab_stun_key key;
	CU_ASSERT_EQUAL(rtclab_stun_key_long_term(&key, "user", "example.org", "pass", RTCLAB_STUN_PASSWORD_MD5, OPAQUE),
			RTCLAB_STUN_OK);
	CU_ASSERT_TRUE(key_is(&key, "abca35356f4b00fbc33e2d8c2c43b9d6"));
	CU_ASSERT_EQUAL(rtclab_stun_key_long_term(&key, "user", "example.org", "pass", RTCLAB_STUN_PASSWORD_SHA256,
						  OPAQUE),
			RTCLAB_STUN_OK);
	CU_ASSERT_TRUE(key_is(&key, "2eab843d62723b5549ca4dde2641a8c07ba67a3c7df8919c8da81ee206a4b907"));
	/* The username is taken as it is. */
	CU_ASSERT_EQUAL(rtclab_stun_key_long_term(&key, "USER", "example.org", "pass", RTCLAB_STUN_PASSWORD_MD5, OPAQUE),
			RTCLAB_STUN_OK);
	CU_ASSERT_TRUE(key_is(&key, "72de853bc8cb02eab77a3beef086550a"));
	/* The password is prepared: OpaqueString maps U+00A0, SASLprep drops U+00AD. */
	CU_ASSERT_EQUAL(rtclab_stun_key_long_term(&key, "user", "example.org", "a\xc2\xa0" "b", RTCLAB_STUN_PASSWORD_MD5,
						  OPAQUE),
			RTCLAB_STUN_OK);
	CU_ASSERT_TRUE(key_is(&key, "4ce941abe380ab9e8ac0ed02a8f57d1c"));
	CU_ASSERT_EQUAL(rtclab_stun_key_long_term(&key, "user", "example.org", "I\xc2\xadX", RTCLAB_STUN_PASSWORD_SHA256,
						  SASL),
			RTCLAB_STUN_OK);
	CU_ASSERT_TRUE(key_is(&key, "6fe8504f728328d4d15704c1f3f3003a1ef508ec7d58389259f40cb7445ca693"));
	/* RFC 8489 prepares the realm with OpaqueString; RFC 5389 did not prepare it. */
	CU_ASSERT_EQUAL(rtclab_stun_key_long_term(&key, "user", "ex\xc2\xa0" "ample", "pass", RTCLAB_STUN_PASSWORD_MD5,
						  OPAQUE),
			RTCLAB_STUN_OK);
	CU_ASSERT_TRUE(key_is(&key, "f65b9f1903dc9a7860c07196307fc87b"));
	CU_ASSERT_EQUAL(rtclab_stun_key_long_term(&key, "user", "ex\xc2\xa0" "ample", "pass", RTCLAB_STUN_PASSWORD_MD5,
						  SASL),
			RTCLAB_STUN_OK);
	CU_ASSERT_TRUE(key_is(&key, "0fba52206d5fa67734a9caeae277db8a"));
	CU_ASSERT_EQUAL(rtclab_stun_key_long_term(&key, "user", "\x07", "I\xc2\xadX", RTCLAB_STUN_PASSWORD_MD5, SASL),
			RTCLAB_STUN_OK);
	CU_ASSERT_TRUE(key_is(&key, "da76b957879f9dc4e4043b7c78b91c29"));
	/* Refused realm or password: no key. */
	key.len = 99;
	CU_ASSERT_EQUAL(rtclab_stun_key_long_term(&key, "user", "\x07", "pass", RTCLAB_STUN_PASSWORD_MD5, OPAQUE),
			RTCLAB_STUN_E_BAD_CREDENTIAL);
	CU_ASSERT_EQUAL(key.len, 0);
	CU_ASSERT_EQUAL(rtclab_stun_key_long_term(&key, "user", "example.org", "\x07", RTCLAB_STUN_PASSWORD_MD5, SASL),
			RTCLAB_STUN_E_BAD_CREDENTIAL);
	CU_ASSERT_EQUAL(key.len, 0);
	CU_ASSERT_EQUAL(rtclab_stun_key_long_term(&key, "user", "example.org", "", RTCLAB_STUN_PASSWORD_MD5, OPAQUE),
			RTCLAB_STUN_E_BAD_CREDENTIAL);
}

RTCLAB_SUITE(strprep)
{
	static const struct unit_test tests[] = {
		{"ASCII unchanged by every preparation", test_ascii_unchanged},
		{"SASLprep: RFC 5769 2.4 password", test_saslprep_rfc5769},
		{"SASLprep: RFC 4013 3 examples", test_saslprep_rfc4013},
		{"OpaqueString: RFC 8265 4.2", test_opaquestring},
		{"none: the bytes as given", test_none},
		{"output buffer too small", test_no_space},
		{"short-term keys", test_short_term_key},
		{"long-term keys", test_long_term_key},
		{NULL, NULL},
	};
	unit_add_suite("strprep", tests);
}
