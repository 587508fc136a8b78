/* Every STUN attribute rtclab knows, encoded with the encoder from its typed
 * value, compared with the bytes its RFC lays out, decoded back to the same
 * typed value (decode(encode(m)) == m); then integrity and fingerprint,
 * re-encoding, encoder overflow, message types, classic RFC 3489 messages
 * and verification with long-term SHA-256 keys.
 *
 * The table below must have a case for every type of the RTCLAB_STUN_ATTRS
 * X-macro: test_table_covers_xmacro fails for a type added without one. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <zlib.h>

#include "rtclab/stun.h"
#include "unit.h"


static const char *hex(const uint8_t *p, size_t n, char *out, size_t outlen)
{
	size_t k = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n && k + 3 < outlen; i++)
		k += (size_t)snprintf(out + k, outlen - k, "%02x", p[i]);
	return out;
}

/* RFC 5769's transaction ID, so that its XOR-MAPPED-ADDRESS vectors apply. */
static const uint8_t TID[12] = {0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};
static const char *PASSWORD = "VOkJxbRl1RmTxUk/WvJxBt";

#define B(s) {(const uint8_t *)(s), sizeof(s) - 1}
/* 192.0.2.1 and 2001:db8:1234:5678:11:2233:4455:6677, port 32853 (RFC 5769). */
#define V4 {RTCLAB_FAMILY_IPV4, 32853, {192, 0, 2, 1}}
#define V6                                                                                                   \
	{RTCLAB_FAMILY_IPV6, 32853,                                                                          \
	 {0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0x56, 0x78, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77}}
#define V4_PLAIN "0001 8055 c0000201"
#define V6_PLAIN "0002 8055 20010db8 12345678 00112233 44556677"
/* RFC 5769 2.2 and 2.3: port XOR 0x2112, address XOR cookie (|| transaction ID). */
#define V4_XOR "0001 a147 e112a643"
#define V6_XOR "0002 a147 0113a9fa a5d3f179 bc25f4b5 bed2b9d9"

#define MAC20 "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14"
#define MAC20_HEX "0102030405060708090a0b0c0d0e0f1011121314"
#define MAC32 MAC20 "\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x20"
#define MAC32_HEX MAC20_HEX "15161718191a1b1c1d1e1f20"

struct attr_case {
	const char *label;
	struct rtclab_stun_attr in; /* .type and the typed member its kind uses (raw kinds: .value) */
	const char *wire;           /* the whole attribute as its RFC lays it out, zero padding included */
	void (*more)(const struct rtclab_stun_attr *got); /* further checks of the decoded value */
};

static void more_unknown_attributes(const struct rtclab_stun_attr *a)
{
	CU_ASSERT_EQUAL(rtclab_stun_attr_u16_at(a, 0), 0x0050);
	CU_ASSERT_EQUAL(rtclab_stun_attr_u16_at(a, 1), 0x0031);
	CU_ASSERT_EQUAL(rtclab_stun_attr_u16_at(a, 2), 0x8777);
	CU_ASSERT_EQUAL(rtclab_stun_attr_u16_at(a, 3), -1);
}

static void more_misc_info(const struct rtclab_stun_attr *a)
{
	CU_ASSERT_EQUAL(rtclab_stun_attr_u16_at(a, 0), 0x0001);
	CU_ASSERT_EQUAL(rtclab_stun_attr_u16_at(a, 1), 0xfffe);
	CU_ASSERT_EQUAL(rtclab_stun_attr_u16_at(a, 2), -1);
}

static void more_nonce_plain(const struct rtclab_stun_attr *a)
{
	CU_ASSERT_FALSE(a->v.nonce.has_cookie);
	CU_ASSERT_EQUAL(a->v.nonce.features, 0);
}

/* RFC 8489 9.2: "obMatJos2" then 4 base64 characters = 24 feature bits,
 * bit 0 (the MSB) = password algorithms, bit 1 = username anonymity. */
static void more_nonce_password_algorithms(const struct rtclab_stun_attr *a)
{
	CU_ASSERT_TRUE(a->v.nonce.has_cookie);
	CU_ASSERT_EQUAL(a->v.nonce.features, 0x800000); /* "gAAA": 100000 000000 000000 000000 */
}

static void more_nonce_both(const struct rtclab_stun_attr *a)
{
	CU_ASSERT_TRUE(a->v.nonce.has_cookie);
	CU_ASSERT_EQUAL(a->v.nonce.features, 0xC00000); /* "wAAA" */
}

static void more_nonce_last_bit(const struct rtclab_stun_attr *a)
{
	CU_ASSERT_TRUE(a->v.nonce.has_cookie);
	CU_ASSERT_EQUAL(a->v.nonce.features, 0x000001); /* "AAAB" */
}

static void more_password_algorithms(const struct rtclab_stun_attr *a)
{
	size_t pos = 0;
	uint16_t alg;
	struct rtclab_bytes params;
	CU_ASSERT_TRUE_FATAL(rtclab_stun_password_algorithm_next(a, &pos, &alg, &params));
	CU_ASSERT_EQUAL(alg, RTCLAB_STUN_PASSWORD_MD5);
	CU_ASSERT_EQUAL(params.len, 0);
	CU_ASSERT_TRUE_FATAL(rtclab_stun_password_algorithm_next(a, &pos, &alg, &params));
	CU_ASSERT_EQUAL(alg, RTCLAB_STUN_PASSWORD_SHA256);
	CU_ASSERT_EQUAL(params.len, 0);
	CU_ASSERT_TRUE_FATAL(rtclab_stun_password_algorithm_next(a, &pos, &alg, &params));
	CU_ASSERT_EQUAL(alg, 0x1234); /* an unregistered one with a 1-byte parameter, padded */
	CU_ASSERT_EQUAL(params.len, 1);
	CU_ASSERT_EQUAL(params.ptr[0], 0xab);
	CU_ASSERT_FALSE(rtclab_stun_password_algorithm_next(a, &pos, &alg, &params));
	CU_ASSERT_EQUAL(pos, a->length);
}

static void more_password_algorithms_empty(const struct rtclab_stun_attr *a)
{
	size_t pos = 0;
	uint16_t alg;
	struct rtclab_bytes params;
	CU_ASSERT_FALSE(rtclab_stun_password_algorithm_next(a, &pos, &alg, &params));
}

static const struct attr_case CASES[] = {
	{"MAPPED-ADDRESS IPv4", {.type = 0x0001, .v.addr = V4}, "0001 0008 " V4_PLAIN, NULL},
	{"MAPPED-ADDRESS IPv6", {.type = 0x0001, .v.addr = V6}, "0001 0014 " V6_PLAIN, NULL},
	{"RESPONSE-ADDRESS", {.type = 0x0002, .v.addr = V4}, "0002 0008 " V4_PLAIN, NULL},
	/* RFC 5780 7.2: flag A (change IP) = 0x4, flag B (change port) = 0x2. */
	{"CHANGE-REQUEST IP and port", {.type = 0x0003, .v.change = {true, true}}, "0003 0004 00000006", NULL},
	{"CHANGE-REQUEST IP", {.type = 0x0003, .v.change = {true, false}}, "0003 0004 00000004", NULL},
	{"CHANGE-REQUEST port", {.type = 0x0003, .v.change = {false, true}}, "0003 0004 00000002", NULL},
	{"CHANGE-REQUEST none", {.type = 0x0003, .v.change = {false, false}}, "0003 0004 00000000", NULL},
	{"SOURCE-ADDRESS", {.type = 0x0004, .v.addr = V4}, "0004 0008 " V4_PLAIN, NULL},
	{"CHANGED-ADDRESS IPv6", {.type = 0x0005, .v.addr = V6}, "0005 0014 " V6_PLAIN, NULL},
	{"USERNAME", {.type = 0x0006, .v.text = B("evtj:h6vY")}, "0006 0009 6576746a 3a683676 59000000", NULL},
	{"USERNAME empty", {.type = 0x0006, .v.text = {NULL, 0}}, "0006 0000", NULL},
	{"PASSWORD", {.type = 0x0007, .value = B("secret")}, "0007 0006 73656372 65740000", NULL},
	{"MESSAGE-INTEGRITY", {.type = 0x0008, .value = B(MAC20)}, "0008 0014 " MAC20_HEX, NULL},
	/* RFC 8489 14.8: class = code / 100 in 3 bits, number = code % 100 in 8. */
	{"ERROR-CODE 401", {.type = 0x0009, .v.error = {401, B("Unauthorized"), RTCLAB_FAMILY_NONE}},
	 "0009 0010 00000401 556e6175 74686f72 697a6564", NULL},
	{"ERROR-CODE 420 (padded)", {.type = 0x0009, .v.error = {420, B("Unknown Attribute"), RTCLAB_FAMILY_NONE}},
	 "0009 0015 00000414 556e6b6e 6f776e20 41747472 69627574 65000000", NULL},
	{"ERROR-CODE 300, no reason", {.type = 0x0009, .v.error = {300, {NULL, 0}, RTCLAB_FAMILY_NONE}},
	 "0009 0004 00000300", NULL},
	{"ERROR-CODE 699", {.type = 0x0009, .v.error = {699, B("x"), RTCLAB_FAMILY_NONE}}, "0009 0005 00000663 78000000",
	 NULL},
	{"UNKNOWN-ATTRIBUTES", {.type = 0x000A, .value = B("\x00\x50\x00\x31\x87\x77")},
	 "000a 0006 00500031 87770000", more_unknown_attributes},
	{"REFLECTED-FROM", {.type = 0x000B, .v.addr = V4}, "000b 0008 " V4_PLAIN, NULL},
	/* RFC 8656 18.1: channel number, then 16 RFFU bits. */
	{"CHANNEL-NUMBER 0x4000", {.type = 0x000C, .v.u32 = 0x4000}, "000c 0004 40000000", NULL},
	{"CHANNEL-NUMBER 0x7FFF (RFC 5766)", {.type = 0x000C, .v.u32 = 0x7FFF}, "000c 0004 7fff0000", NULL},
	{"LIFETIME", {.type = 0x000D, .v.u32 = 600}, "000d 0004 00000258", NULL},
	{"XOR-PEER-ADDRESS IPv4", {.type = 0x0012, .v.addr = V4}, "0012 0008 " V4_XOR, NULL},
	{"DATA", {.type = 0x0013, .value = B("hello")}, "0013 0005 68656c6c 6f000000", NULL},
	{"DATA empty", {.type = 0x0013, .value = {NULL, 0}}, "0013 0000", NULL},
	{"REALM", {.type = 0x0014, .v.text = B("example.org")}, "0014 000b 6578616d 706c652e 6f726700", NULL},
	{"NONCE (RFC 5769)", {.type = 0x0015, .v.nonce = {B("f//499k954d6OL34oL9FSTvy64sA"), false, 0}},
	 "0015 001c 662f2f34 39396b39 35346436 4f4c3334 6f4c3946 53547679 36347341", more_nonce_plain},
	{"NONCE with security features", {.type = 0x0015, .v.nonce = {B("obMatJos2gAAAxyz"), true, 0x800000}},
	 "0015 0010 6f624d61 744a6f73 32674141 4178797a", more_nonce_password_algorithms},
	{"NONCE cookie, both features", {.type = 0x0015, .v.nonce = {B("obMatJos2wAAA"), true, 0xC00000}},
	 "0015 000d 6f624d61 744a6f73 32774141 41000000", more_nonce_both},
	{"NONCE cookie, last feature bit", {.type = 0x0015, .v.nonce = {B("obMatJos2AAAB"), true, 1}},
	 "0015 000d 6f624d61 744a6f73 32414141 42000000", more_nonce_last_bit},
	{"XOR-RELAYED-ADDRESS IPv6", {.type = 0x0016, .v.addr = V6}, "0016 0014 " V6_XOR, NULL},
	/* RFC 8656 18.6: family byte (0x01 IPv4, 0x02 IPv6), 24 reserved bits. */
	{"REQUESTED-ADDRESS-FAMILY IPv6", {.type = 0x0017, .v.family = RTCLAB_FAMILY_IPV6}, "0017 0004 02000000", NULL},
	{"REQUESTED-ADDRESS-FAMILY IPv4", {.type = 0x0017, .v.family = RTCLAB_FAMILY_IPV4}, "0017 0004 01000000", NULL},
	/* RFC 8656 18.7: one byte, R in the top bit, then attribute padding. */
	{"EVEN-PORT R=1", {.type = 0x0018, .v.flag = true}, "0018 0001 80000000", NULL},
	{"EVEN-PORT R=0", {.type = 0x0018, .v.flag = false}, "0018 0001 00000000", NULL},
	/* RFC 8656 18.8: protocol 17 (UDP), then 3 RFFU bytes. */
	{"REQUESTED-TRANSPORT UDP", {.type = 0x0019, .v.u32 = 17}, "0019 0004 11000000", NULL},
	{"REQUESTED-TRANSPORT TCP", {.type = 0x0019, .v.u32 = 6}, "0019 0004 06000000", NULL},
	{"DONT-FRAGMENT", {.type = 0x001A}, "001a 0000", NULL},
	/* RFC 7635 6.2: nonce length, nonce, encrypted block. */
	{"ACCESS-TOKEN", {.type = 0x001B, .v.token = {B("abcd"), B("\x01\x02\x03")}},
	 "001b 0009 00046162 63640102 03000000", NULL},
	{"ACCESS-TOKEN empty nonce", {.type = 0x001B, .v.token = {{NULL, 0}, B("\xff")}}, "001b 0003 0000ff00", NULL},
	{"MESSAGE-INTEGRITY-SHA256", {.type = 0x001C, .value = B(MAC32)}, "001c 0020 " MAC32_HEX, NULL},
	{"MESSAGE-INTEGRITY-SHA256 truncated to 16",
	 {.type = 0x001C, .value = B("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10")},
	 "001c 0010 0102030405060708090a0b0c0d0e0f10", NULL},
	/* RFC 8489 14.12 and 18.5: algorithm 0x0001 MD5, 0x0002 SHA-256, no parameters. */
	{"PASSWORD-ALGORITHM SHA-256", {.type = 0x001D, .v.algorithm = {RTCLAB_STUN_PASSWORD_SHA256, {NULL, 0}}},
	 "001d 0004 00020000", NULL},
	{"PASSWORD-ALGORITHM MD5", {.type = 0x001D, .v.algorithm = {RTCLAB_STUN_PASSWORD_MD5, {NULL, 0}}},
	 "001d 0004 00010000", NULL},
	{"PASSWORD-ALGORITHM with parameters", {.type = 0x001D, .v.algorithm = {0x1234, B("\xde\xad\xbe\xef")}},
	 "001d 0008 12340004 deadbeef", NULL},
	{"USERHASH", {.type = 0x001E, .value = B(MAC32)}, "001e 0020 " MAC32_HEX, NULL},
	{"XOR-MAPPED-ADDRESS IPv4 (RFC 5769 2.2)", {.type = 0x0020, .v.addr = V4}, "0020 0008 " V4_XOR, NULL},
	{"XOR-MAPPED-ADDRESS IPv6 (RFC 5769 2.3)", {.type = 0x0020, .v.addr = V6}, "0020 0014 " V6_XOR, NULL},
	{"RESERVATION-TOKEN", {.type = 0x0022, .v.u64 = 0x0102030405060708ULL}, "0022 0008 01020304 05060708", NULL},
	{"PRIORITY", {.type = 0x0024, .v.u32 = 0x6e0001ff}, "0024 0004 6e0001ff", NULL},
	{"USE-CANDIDATE", {.type = 0x0025}, "0025 0000", NULL},
	{"PADDING", {.type = 0x0026, .value = B("\0\0\0\0\0\0\0\0")}, "0026 0008 00000000 00000000", NULL},
	/* RFC 5780 7.5: port, then 16 bits of padding. */
	{"RESPONSE-PORT", {.type = 0x0027, .v.u32 = 3478}, "0027 0004 0d960000", NULL},
	{"CONNECTION-ID", {.type = 0x002A, .v.u32 = 0x12345678}, "002a 0004 12345678", NULL},
	{"ADDITIONAL-ADDRESS-FAMILY", {.type = 0x8000, .v.family = RTCLAB_FAMILY_IPV6}, "8000 0004 02000000", NULL},
	/* RFC 8656 18.12: family, reserved, class, number, reason. */
	{"ADDRESS-ERROR-CODE 440 IPv6",
	 {.type = 0x8001, .v.error = {440, B("Address Family not Supported"), RTCLAB_FAMILY_IPV6}},
	 "8001 0020 02000428 41646472 65737320 46616d69 6c79206e 6f742053 7570706f 72746564", NULL},
	{"ADDRESS-ERROR-CODE 508 IPv4", {.type = 0x8001, .v.error = {508, B("full"), RTCLAB_FAMILY_IPV4}},
	 "8001 0008 01000508 66756c6c", NULL},
	/* RFC 8489 14.11: entries of algorithm, parameters length, parameters padded to 4. */
	{"PASSWORD-ALGORITHMS",
	 {.type = 0x8002, .value = B("\x00\x01\x00\x00\x00\x02\x00\x00\x12\x34\x00\x01\xab\x00\x00\x00")},
	 "8002 0010 00010000 00020000 12340001 ab000000", more_password_algorithms},
	{"PASSWORD-ALGORITHMS empty", {.type = 0x8002, .value = {NULL, 0}}, "8002 0000", more_password_algorithms_empty},
	{"ALTERNATE-DOMAIN", {.type = 0x8003, .v.text = B("example.net")}, "8003 000b 6578616d 706c652e 6e657400", NULL},
	/* RFC 8656 18.13: 16 reserved bits, ICMP type, ICMP code, error data. */
	{"ICMP", {.type = 0x8004, .v.icmp = {3, 1, 0x12345678}}, "8004 0008 00000301 12345678", NULL},
	{"SOFTWARE", {.type = 0x8022, .v.text = B("rtclab 0.1")}, "8022 000a 7274636c 61622030 2e310000", NULL},
	{"SOFTWARE UTF-8", {.type = 0x8022, .v.text = B("caf\xc3\xa9 \xe2\x98\x95")}, "8022 0009 636166c3 a920e298 95000000",
	 NULL},
	{"ALTERNATE-SERVER IPv6", {.type = 0x8023, .v.addr = V6}, "8023 0014 " V6_PLAIN, NULL},
	{"TRANSACTION_TRANSMIT_COUNTER", {.type = 0x8025, .value = B("\x00\x00\x02\x01")}, "8025 0004 00000201", NULL},
	{"CACHE-TIMEOUT", {.type = 0x8027, .v.u32 = 120}, "8027 0004 00000078", NULL},
	{"FINGERPRINT (as a value)", {.type = 0x8028, .v.u32 = 0xe57a3bcf}, "8028 0004 e57a3bcf", NULL},
	{"ICE-CONTROLLED", {.type = 0x8029, .v.u64 = 0x932ff9b151263b36ULL}, "8029 0008 932ff9b1 51263b36", NULL},
	{"ICE-CONTROLLING tiebreaker", {.type = 0x802A, .v.u64 = 0xfedcba9876543210ULL}, "802a 0008 fedcba98 76543210",
	 NULL},
	{"RESPONSE-ORIGIN", {.type = 0x802B, .v.addr = V4}, "802b 0008 " V4_PLAIN, NULL},
	{"OTHER-ADDRESS", {.type = 0x802C, .v.addr = V6}, "802c 0014 " V6_PLAIN, NULL},
	{"ECN-CHECK STUN", {.type = 0x802D, .value = B("\x00\x00\x00\x03")}, "802d 0004 00000003", NULL},
	{"THIRD-PARTY-AUTHORIZATION", {.type = 0x802E, .v.text = B("as.example.org")},
	 "802e 000e 61732e65 78616d70 6c652e6f 72670000", NULL},
	{"MOBILITY-TICKET", {.type = 0x8030, .value = B("\x10\x20\x30")}, "8030 0003 10203000", NULL},
	{"MS-IMPLEMENTATION-VERSION", {.type = 0x8070, .v.u32 = 6}, "8070 0004 00000006", NULL},
	{"CISCO-STUN-FLOWDATA", {.type = 0xC000, .value = B("\x01")}, "c000 0001 01000000", NULL},
	{"ENF-FLOW-DESCRIPTION", {.type = 0xC001, .value = B("\x01\x02")}, "c001 0002 01020000", NULL},
	{"ENF-NETWORK-STATUS", {.type = 0xC002, .value = B("\x01\x02\x03\x04\x05")}, "c002 0005 01020304 05000000",
	 NULL},
	{"GOOG-NETWORK-INFO", {.type = 0xC057, .v.network = {1, 10}}, "c057 0004 0001000a", NULL},
	{"GOOG-NETWORK-INFO max", {.type = 0xC057, .v.network = {0xffff, 999}}, "c057 0004 ffff03e7", NULL},
	{"GOOG-LAST-ICE-CHECK-RECEIVED", {.type = 0xC058, .value = B("\xaa\xbb")}, "c058 0002 aabb0000", NULL},
	{"GOOG-MISC-INFO", {.type = 0xC059, .value = B("\x00\x01\xff\xfe")}, "c059 0004 0001fffe", more_misc_info},
	{"GOOG-OBSOLETE-1", {.type = 0xC05A, .value = B("o")}, "c05a 0001 6f000000", NULL},
	{"GOOG-CONNECTION-ID", {.type = 0xC05B, .value = B("\x00\x00\x00\x2a")}, "c05b 0004 0000002a", NULL},
	{"GOOG-DELTA", {.type = 0xC05C, .value = B("\x01\x02\x03\x04\x05\x06")}, "c05c 0006 01020304 05060000", NULL},
	{"GOOG-DELTA-ACK", {.type = 0xC05D, .value = B("\x07")}, "c05d 0001 07000000", NULL},
	{"GOOG-DELTA-SYNC-REQ", {.type = 0xC05E, .value = {NULL, 0}}, "c05e 0000", NULL},
	{"GOOG-MESSAGE-INTEGRITY-32", {.type = 0xC060, .value = B("\xca\xfe\xba\xbe")}, "c060 0004 cafebabe", NULL},
};
#define N_CASES (sizeof CASES / sizeof CASES[0])

/* The X-macro, as data. */
struct xattr {
	uint16_t type;
	uint16_t ident_value; /* RTCLAB_STUN_ATTR_<IDENT> */
	const char *name;
	enum rtclab_stun_kind kind;
	uint16_t min, max;
};
static const struct xattr XMACRO[] = {
#define RTCLAB_X_(type_, ident_, name_, kind_, min_, max_, ref_) \
	{(type_), RTCLAB_STUN_ATTR_##ident_, (name_), RTCLAB_STUN_KIND_##kind_, (min_), (max_)},
	RTCLAB_STUN_ATTRS(RTCLAB_X_)
#undef RTCLAB_X_
};
#define N_XMACRO (sizeof XMACRO / sizeof XMACRO[0])

static bool bytes_equal(struct rtclab_bytes a, struct rtclab_bytes b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

/* Is got's typed value the value of want?  A kind added to the enum without
 * a comparison here is a -Wswitch error. */
static bool value_equal(enum rtclab_stun_kind kind, const struct rtclab_stun_attr *want,
			const struct rtclab_stun_attr *got)
{
	switch (kind) {
	case RTCLAB_STUN_KIND_EMPTY:
		return got->length == 0 && got->value.len == 0;
	case RTCLAB_STUN_KIND_ADDRESS:
	case RTCLAB_STUN_KIND_XOR_ADDRESS:
		return rtclab_addr_equal(&want->v.addr, &got->v.addr);
	case RTCLAB_STUN_KIND_U32:
	case RTCLAB_STUN_KIND_FINGERPRINT:
	case RTCLAB_STUN_KIND_CHANNEL_NUMBER:
	case RTCLAB_STUN_KIND_TRANSPORT:
	case RTCLAB_STUN_KIND_RESPONSE_PORT:
		return want->v.u32 == got->v.u32;
	case RTCLAB_STUN_KIND_U64:
		return want->v.u64 == got->v.u64;
	case RTCLAB_STUN_KIND_TEXT:
		return bytes_equal(want->v.text, got->v.text);
	case RTCLAB_STUN_KIND_NONCE:
		return bytes_equal(want->v.nonce.text, got->v.nonce.text) &&
		       want->v.nonce.has_cookie == got->v.nonce.has_cookie &&
		       want->v.nonce.features == got->v.nonce.features;
	case RTCLAB_STUN_KIND_ERROR_CODE:
		return want->v.error.code == got->v.error.code && bytes_equal(want->v.error.reason, got->v.error.reason);
	case RTCLAB_STUN_KIND_ADDRESS_ERROR_CODE:
		return want->v.error.code == got->v.error.code &&
		       bytes_equal(want->v.error.reason, got->v.error.reason) &&
		       want->v.error.family == got->v.error.family;
	case RTCLAB_STUN_KIND_FAMILY:
		return want->v.family == got->v.family;
	case RTCLAB_STUN_KIND_EVEN_PORT:
		return want->v.flag == got->v.flag;
	case RTCLAB_STUN_KIND_CHANGE_REQUEST:
		return want->v.change.change_ip == got->v.change.change_ip &&
		       want->v.change.change_port == got->v.change.change_port;
	case RTCLAB_STUN_KIND_PASSWORD_ALGORITHM:
		return want->v.algorithm.algorithm == got->v.algorithm.algorithm &&
		       bytes_equal(want->v.algorithm.params, got->v.algorithm.params);
	case RTCLAB_STUN_KIND_ICMP:
		return want->v.icmp.type == got->v.icmp.type && want->v.icmp.code == got->v.icmp.code &&
		       want->v.icmp.data == got->v.icmp.data;
	case RTCLAB_STUN_KIND_ACCESS_TOKEN:
		return bytes_equal(want->v.token.nonce, got->v.token.nonce) &&
		       bytes_equal(want->v.token.block, got->v.token.block);
	case RTCLAB_STUN_KIND_NETWORK_INFO:
		return want->v.network.network_id == got->v.network.network_id &&
		       want->v.network.network_cost == got->v.network.network_cost;
	case RTCLAB_STUN_KIND_BYTES:
	case RTCLAB_STUN_KIND_INTEGRITY:
	case RTCLAB_STUN_KIND_INTEGRITY_SHA256:
	case RTCLAB_STUN_KIND_INTEGRITY_32:
	case RTCLAB_STUN_KIND_ATTR_LIST:
	case RTCLAB_STUN_KIND_U16_LIST:
	case RTCLAB_STUN_KIND_PASSWORD_ALGORITHMS:
	case RTCLAB_STUN_KIND_UNKNOWN:
		return bytes_equal(want->value, got->value);
	}
	return false;
}

/* --- the table -------------------------------------------------------------------- */

static void test_table_covers_xmacro(void)
{
	CU_ASSERT_TRUE(N_XMACRO > 50);
	for (size_t i = 0; i < N_XMACRO; i++) {
		const struct xattr *x = &XMACRO[i];
		size_t cases = 0;
		for (size_t k = 0; k < N_CASES; k++)
			cases += CASES[k].in.type == x->type;
		CHECKF(cases > 0, "attribute 0x%04x %s is in RTCLAB_STUN_ATTRS but has no case in this table", x->type,
		       x->name);
		/* The enum, the info table and the X-macro agree. */
		CHECKF(x->ident_value == x->type, "RTCLAB_STUN_ATTR_ of %s is 0x%04x", x->name, x->ident_value);
		const struct rtclab_stun_attr_info *info = rtclab_stun_attr_info(x->type);
		CHECKF(info != NULL, "no info for 0x%04x", x->type);
		if (!info)
			continue;
		CU_ASSERT_EQUAL(info->type, x->type);
		CU_ASSERT_STRING_EQUAL(info->name, x->name);
		CU_ASSERT_STRING_EQUAL(rtclab_stun_attr_name(x->type), x->name);
		CU_ASSERT_EQUAL(info->kind, x->kind);
		CU_ASSERT_EQUAL(info->min_len, x->min);
		CU_ASSERT_EQUAL(info->max_len, x->max);
		CU_ASSERT_TRUE(info->min_len <= info->max_len);
		CU_ASSERT_PTR_NOT_NULL(info->reference);
		CU_ASSERT_EQUAL(rtclab_stun_attr_required(x->type), x->type < 0x8000);
		if (i > 0)
			CHECKF(XMACRO[i - 1].type < x->type, "X-macro not sorted at 0x%04x", x->type);
	}
	/* ...and every case is for a type the X-macro lists. */
	for (size_t k = 0; k < N_CASES; k++)
		CHECKF(rtclab_stun_attr_info(CASES[k].in.type) != NULL, "case %s: type 0x%04x unknown", CASES[k].label,
		       CASES[k].in.type);
	CU_ASSERT_PTR_NULL(rtclab_stun_attr_info(0x8050));
	CU_ASSERT_PTR_NULL(rtclab_stun_attr_name(0x0000));
}

/* Encode the case alone in a Binding request, compare the bytes, decode. */
static void run_case(const struct attr_case *c)
{
	uint8_t buf[512], out[512];
	char got_hex[1100];
	struct rtclab_stun_encoder e;
	rtclab_stun_enc_begin(&e, buf, sizeof buf, RTCLAB_STUN_BINDING, RTCLAB_STUN_REQUEST, TID);
	enum rtclab_stun_error err = rtclab_stun_enc_attr(&e, &c->in);
	size_t n = rtclab_stun_enc_end(&e);
	CHECKF(err == RTCLAB_STUN_OK && n > RTCLAB_STUN_HEADER_SIZE, "%s: encoder says %s", c->label,
	       rtclab_stun_error_id(err));
	if (n <= RTCLAB_STUN_HEADER_SIZE)
		return;

	size_t wlen;
	uint8_t *wire = unit_hex(c->wire, &wlen);
	CHECKF(n == RTCLAB_STUN_HEADER_SIZE + wlen && memcmp(buf + 20, wire, wlen) == 0,
	       "%s: wrote %s, the RFC says %s", c->label, hex(buf + 20, n - 20, got_hex, sizeof got_hex), c->wire);
	/* Header: type, length covering the attribute and its padding, cookie, ID. */
	CU_ASSERT_EQUAL(buf[0], 0x00);
	CU_ASSERT_EQUAL(buf[1], 0x01);
	CHECKF(((size_t)buf[2] << 8 | buf[3]) == n - 20, "%s: header length %u for %zu bytes", c->label,
	       (unsigned)(buf[2] << 8 | buf[3]), n - 20);
	CU_ASSERT_EQUAL(memcmp(buf + 4, "\x21\x12\xa4\x42", 4), 0);
	CU_ASSERT_EQUAL(memcmp(buf + 8, TID, 12), 0);

	struct rtclab_stun_msg m;
	err = rtclab_stun_decode(&m, buf, n);
	CHECKF(err == RTCLAB_STUN_OK && m.n_problems_total == 0, "%s: decoder says %s (%zu problems)", c->label,
	       rtclab_stun_error_id(err), m.n_problems_total);
	CHECKF(m.n_attrs == 1, "%s: %zu attributes decoded", c->label, m.n_attrs);
	if (m.n_attrs != 1) {
		free(wire);
		return;
	}
	const struct rtclab_stun_attr *a = &m.attrs[0];
	const struct rtclab_stun_attr_info *info = rtclab_stun_attr_info(c->in.type);
	CU_ASSERT_EQUAL(a->type, c->in.type);
	CU_ASSERT_EQUAL(a->offset, 20);
	CU_ASSERT_EQUAL(a->length, (uint16_t)(wire[2] << 8 | wire[3]));
	CU_ASSERT_EQUAL(a->value.len, a->length);
	CU_ASSERT_PTR_EQUAL(a->value.ptr, buf + 24);
	CU_ASSERT_FALSE(a->ignored);
	CHECKF(a->ok, "%s: decoded value not ok", c->label);
	CHECKF(info && a->kind == info->kind, "%s: kind %d", c->label, (int)a->kind);
	CHECKF(info && value_equal(info->kind, &c->in, a), "%s: decode(encode(value)) is a different value",
	       c->label);
	CU_ASSERT_PTR_EQUAL(rtclab_stun_find(&m, c->in.type), a);
	if (c->more)
		c->more(a);

	/* The decoded message encodes to the same bytes (FINGERPRINT is
	 * recomputed by rtclab_stun_encode, so it is not the value given). */
	if (c->in.type != RTCLAB_STUN_ATTR_FINGERPRINT) {
		enum rtclab_stun_error eerr;
		size_t n2 = rtclab_stun_encode(&m, NULL, out, sizeof out, &eerr);
		CHECKF(n2 == n && memcmp(out, buf, n) == 0, "%s: re-encoded differently (%s)", c->label,
		       rtclab_stun_error_id(eerr));
	}
	free(wire);
}

static void test_every_attribute(void)
{
	for (size_t k = 0; k < N_CASES; k++)
		run_case(&CASES[k]);
}

/* The cases all in one message; XOR addresses of IPv6 need the transaction
 * ID, which is the same.  Integrity and fingerprint kinds go last. */
static bool goes_last(uint16_t type)
{
	return type == RTCLAB_STUN_ATTR_MESSAGE_INTEGRITY || type == RTCLAB_STUN_ATTR_MESSAGE_INTEGRITY_SHA256 ||
	       type == RTCLAB_STUN_ATTR_GOOG_MESSAGE_INTEGRITY_32 || type == RTCLAB_STUN_ATTR_FINGERPRINT;
}

/* One case of each type, in table order: n cases chosen into idx. */
static size_t one_per_type(size_t *idx, size_t cap)
{
	size_t n = 0;
	for (size_t k = 0; k < N_CASES && n < cap; k++) {
		if (goes_last(CASES[k].in.type))
			continue;
		bool seen = false;
		for (size_t j = 0; j < n; j++)
			seen |= CASES[idx[j]].in.type == CASES[k].in.type;
		if (!seen)
			idx[n++] = k;
	}
	return n;
}

static size_t build_everything(uint8_t *buf, size_t cap, const struct rtclab_stun_key *key, size_t *idx,
			       size_t *n_idx)
{
	struct rtclab_stun_encoder e;
	*n_idx = one_per_type(idx, RTCLAB_STUN_MAX_ATTRS - 2);
	rtclab_stun_enc_begin(&e, buf, cap, RTCLAB_STUN_ALLOCATE, RTCLAB_STUN_SUCCESS, TID);
	for (size_t j = 0; j < *n_idx; j++)
		CU_ASSERT_EQUAL(rtclab_stun_enc_attr(&e, &CASES[idx[j]].in), RTCLAB_STUN_OK);
	CU_ASSERT_EQUAL(rtclab_stun_enc_integrity(&e, key), RTCLAB_STUN_OK);
	CU_ASSERT_EQUAL(rtclab_stun_enc_fingerprint(&e), RTCLAB_STUN_OK);
	return rtclab_stun_enc_end(&e);
}

static void test_all_in_one_message(void)
{
	uint8_t buf[4096];
	size_t idx[RTCLAB_STUN_MAX_ATTRS], n_idx;
	struct rtclab_stun_key key;
	CU_ASSERT_EQUAL(rtclab_stun_key_short_term(&key, PASSWORD, RTCLAB_STUN_PREP_OPAQUESTRING), RTCLAB_STUN_OK);
	size_t n = build_everything(buf, sizeof buf, &key, idx, &n_idx);
	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_TRUE(n_idx >= N_XMACRO - 4);
	struct rtclab_stun_msg m;
	CU_ASSERT_EQUAL(rtclab_stun_decode(&m, buf, n), RTCLAB_STUN_OK);
	CU_ASSERT_EQUAL(m.n_problems_total, 0);
	CU_ASSERT_EQUAL(m.length, n - 20);
	CU_ASSERT_EQUAL_FATAL(m.n_attrs, n_idx + 2);
	size_t at = 20;
	for (size_t j = 0; j < n_idx; j++) {
		const struct attr_case *c = &CASES[idx[j]];
		const struct rtclab_stun_attr *a = &m.attrs[j];
		CHECKF(a->type == c->in.type && a->offset == at && a->ok && !a->ignored, "%s at %zu in the big message",
		       c->label, at);
		CHECKF(value_equal(a->kind, &c->in, a), "%s: value differs in the big message", c->label);
		at += 4 + a->length + (4 - a->length % 4) % 4;
	}
	CU_ASSERT_EQUAL(m.integrity_offset, at);
	CU_ASSERT_EQUAL(m.fingerprint_offset, at + 24);
	CU_ASSERT_EQUAL(rtclab_stun_check_integrity(&m, &key), RTCLAB_STUN_CHECK_OK);
	CU_ASSERT_EQUAL(rtclab_stun_check_fingerprint(&m), RTCLAB_STUN_CHECK_OK);
}

/* --- unknown attributes -------------------------------------------------------------- */

static void test_unknown_optional(void)
{
	uint8_t buf[128], out[128];
	struct rtclab_stun_encoder e;
	rtclab_stun_enc_begin(&e, buf, sizeof buf, RTCLAB_STUN_BINDING, RTCLAB_STUN_REQUEST, TID);
	CU_ASSERT_EQUAL(rtclab_stun_enc_raw(&e, 0x8050, "abc", 3), RTCLAB_STUN_OK);
	struct rtclab_stun_attr pri = {.type = RTCLAB_STUN_ATTR_PRIORITY, .v.u32 = 7};
	CU_ASSERT_EQUAL(rtclab_stun_enc_attr(&e, &pri), RTCLAB_STUN_OK);
	/* A typed encode of an unknown type writes its raw value. */
	struct rtclab_stun_attr unk = {.type = 0xC0DE, .value = B("\x01\x02\x03\x04\x05")};
	CU_ASSERT_EQUAL(rtclab_stun_enc_attr(&e, &unk), RTCLAB_STUN_OK);
	size_t n = rtclab_stun_enc_end(&e);
	size_t wlen;
	uint8_t *wire = unit_hex("8050 0003 61626300  0024 0004 00000007  c0de 0005 01020304 05000000", &wlen);
	CU_ASSERT_EQUAL_FATAL(n, 20 + wlen);
	CU_ASSERT_EQUAL(memcmp(buf + 20, wire, wlen), 0);
	free(wire);

	struct rtclab_stun_msg m;
	CU_ASSERT_EQUAL(rtclab_stun_decode(&m, buf, n), RTCLAB_STUN_OK);
	CU_ASSERT_EQUAL(m.n_problems_total, 0); /* comprehension-optional: no problem */
	CU_ASSERT_EQUAL_FATAL(m.n_attrs, 3);
	const struct rtclab_stun_attr *a = &m.attrs[0];
	CU_ASSERT_EQUAL(a->type, 0x8050);
	CU_ASSERT_EQUAL(a->kind, RTCLAB_STUN_KIND_UNKNOWN);
	CU_ASSERT_TRUE(a->ok);
	CU_ASSERT_FALSE(a->ignored);
	CU_ASSERT_EQUAL(a->length, 3);
	CU_ASSERT_TRUE(bytes_equal(a->value, (struct rtclab_bytes)B("abc")));
	CU_ASSERT_FALSE(rtclab_stun_attr_required(0x8050));
	CU_ASSERT_EQUAL(m.attrs[1].v.u32, 7); /* the walk goes on after it */
	CU_ASSERT_EQUAL(m.attrs[2].kind, RTCLAB_STUN_KIND_UNKNOWN);
	CU_ASSERT_EQUAL(m.attrs[2].offset, 36);
	CU_ASSERT_TRUE(bytes_equal(m.attrs[2].value, unk.value));
	enum rtclab_stun_error err;
	CU_ASSERT_EQUAL(rtclab_stun_encode(&m, NULL, out, sizeof out, &err), n);
	CU_ASSERT_EQUAL(err, RTCLAB_STUN_OK);
	CU_ASSERT_EQUAL(memcmp(out, buf, n), 0);
}

/* --- integrity and fingerprint ------------------------------------------------------- */

/* The MAC of RFC 8489 14.5/14.6, computed here without librtclab: the
 * message up to the attribute at `at`, length field as if it ended after
 * that attribute's maclen-byte value. */
static void reference_mac(const EVP_MD *md, const struct rtclab_stun_key *key, const uint8_t *msg, size_t at,
			  size_t maclen, uint8_t *out)
{
	uint8_t copy[2048];
	unsigned outlen = 0;
	CU_ASSERT_FATAL(at <= sizeof copy);
	memcpy(copy, msg, at);
	size_t length = at + 4 + maclen - 20;
	copy[2] = (uint8_t)(length >> 8);
	copy[3] = (uint8_t)length;
	CU_ASSERT_PTR_NOT_NULL(HMAC(md, key->bytes, (int)key->len, copy, at, out, &outlen));
}

static uint32_t reference_fingerprint(const uint8_t *msg, size_t at)
{
	return (uint32_t)crc32(crc32(0L, Z_NULL, 0), msg, (uInt)at) ^ 0x5354554Eu;
}

static uint32_t be32_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static size_t begin_signed(struct rtclab_stun_encoder *e, uint8_t *buf, size_t cap, uint16_t method)
{
	struct rtclab_stun_attr user = {.type = RTCLAB_STUN_ATTR_USERNAME, .v.text = B("evtj:h6vY")};
	struct rtclab_stun_attr pri = {.type = RTCLAB_STUN_ATTR_PRIORITY, .v.u32 = 0x6e0001ff};
	rtclab_stun_enc_begin(e, buf, cap, method, RTCLAB_STUN_REQUEST, TID);
	CU_ASSERT_EQUAL(rtclab_stun_enc_attr(e, &user), RTCLAB_STUN_OK);
	CU_ASSERT_EQUAL(rtclab_stun_enc_attr(e, &pri), RTCLAB_STUN_OK);
	return e->w.pos;
}

static void test_enc_integrity_sha1(void)
{
	uint8_t buf[256], mac[EVP_MAX_MD_SIZE];
	struct rtclab_stun_key key, other;
	rtclab_stun_key_short_term(&key, PASSWORD, RTCLAB_STUN_PREP_OPAQUESTRING);
	rtclab_stun_key_short_term(&other, "VOkJxbRl1RmTxUk/WvJxBu", RTCLAB_STUN_PREP_OPAQUESTRING);
	struct rtclab_stun_encoder e;
	size_t mi_at = begin_signed(&e, buf, sizeof buf, RTCLAB_STUN_BINDING);
	CU_ASSERT_EQUAL(rtclab_stun_enc_integrity(&e, &key), RTCLAB_STUN_OK);
	/* The length field already covers MESSAGE-INTEGRITY. */
	CU_ASSERT_EQUAL((size_t)(buf[2] << 8 | buf[3]), mi_at + 24 - 20);
	size_t fp_at = e.w.pos;
	CU_ASSERT_EQUAL(rtclab_stun_enc_fingerprint(&e), RTCLAB_STUN_OK);
	size_t n = rtclab_stun_enc_end(&e);
	CU_ASSERT_EQUAL_FATAL(n, fp_at + 8);
	CU_ASSERT_EQUAL(memcmp(buf + mi_at, "\x00\x08\x00\x14", 4), 0);
	CU_ASSERT_EQUAL(memcmp(buf + fp_at, "\x80\x28\x00\x04", 4), 0);
	reference_mac(EVP_sha1(), &key, buf, mi_at, 20, mac);
	CU_ASSERT_EQUAL(memcmp(buf + mi_at + 4, mac, 20), 0);
	CU_ASSERT_EQUAL(be32_at(buf + fp_at + 4), reference_fingerprint(buf, fp_at));
	CU_ASSERT_EQUAL(be32_at(buf + fp_at + 4), rtclab_stun_fingerprint(buf, fp_at));

	struct rtclab_stun_msg m;
	CU_ASSERT_EQUAL(rtclab_stun_decode(&m, buf, n), RTCLAB_STUN_OK);
	CU_ASSERT_EQUAL(m.integrity_offset, mi_at);
	CU_ASSERT_EQUAL(m.fingerprint_offset, fp_at);
	CU_ASSERT_EQUAL(rtclab_stun_check_integrity(&m, &key), RTCLAB_STUN_CHECK_OK);
	CU_ASSERT_EQUAL(rtclab_stun_check_integrity(&m, &other), RTCLAB_STUN_CHECK_BAD);
	CU_ASSERT_EQUAL(rtclab_stun_check_integrity(&m, NULL), RTCLAB_STUN_CHECK_UNCHECKED);
	CU_ASSERT_EQUAL(rtclab_stun_check_integrity_sha256(&m, &key), RTCLAB_STUN_CHECK_ABSENT);
	CU_ASSERT_EQUAL(rtclab_stun_check_integrity_32(&m, &key), RTCLAB_STUN_CHECK_ABSENT);
	CU_ASSERT_EQUAL(rtclab_stun_check_fingerprint(&m), RTCLAB_STUN_CHECK_OK);
	CU_ASSERT_STRING_EQUAL(rtclab_stun_check_str(RTCLAB_STUN_CHECK_OK), "ok");
	CU_ASSERT_STRING_EQUAL(rtclab_stun_check_str(RTCLAB_STUN_CHECK_BAD), "bad");
	CU_ASSERT_STRING_EQUAL(rtclab_stun_check_str(RTCLAB_STUN_CHECK_ABSENT), "absent");
	CU_ASSERT_STRING_EQUAL(rtclab_stun_check_str(RTCLAB_STUN_CHECK_UNCHECKED), "unchecked");

	/* Any bit changed before the fingerprint breaks it (CRC-32). */
	buf[fp_at - 1] ^= 0x80;
	rtclab_stun_decode(&m, buf, n);
	CU_ASSERT_EQUAL(rtclab_stun_check_fingerprint(&m), RTCLAB_STUN_CHECK_BAD);
	CU_ASSERT_EQUAL(rtclab_stun_check_integrity(&m, &key), RTCLAB_STUN_CHECK_BAD);
}

static void test_enc_integrity_sha256(void)
{
	static const size_t lens[] = {16, 20, 24, 28, 32};
	struct rtclab_stun_key key, other;
	rtclab_stun_key_short_term(&key, PASSWORD, RTCLAB_STUN_PREP_OPAQUESTRING);
	rtclab_stun_key_short_term(&other, "another password", RTCLAB_STUN_PREP_OPAQUESTRING);
	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		uint8_t buf[256], mac[EVP_MAX_MD_SIZE];
		struct rtclab_stun_encoder e;
		size_t at = begin_signed(&e, buf, sizeof buf, RTCLAB_STUN_BINDING);
		CU_ASSERT_EQUAL(rtclab_stun_enc_integrity_sha256(&e, &key, lens[i]), RTCLAB_STUN_OK);
		CU_ASSERT_EQUAL(rtclab_stun_enc_fingerprint(&e), RTCLAB_STUN_OK);
		size_t n = rtclab_stun_enc_end(&e);
		CU_ASSERT_EQUAL_FATAL(n, at + 4 + lens[i] + 8);
		CU_ASSERT_EQUAL(buf[at + 1], 0x1c);
		CU_ASSERT_EQUAL(buf[at + 3], lens[i]);
		reference_mac(EVP_sha256(), &key, buf, at, lens[i], mac);
		CHECKF(memcmp(buf + at + 4, mac, lens[i]) == 0, "MESSAGE-INTEGRITY-SHA256/%zu is not the truncated HMAC",
		       lens[i]);

		struct rtclab_stun_msg m;
		CU_ASSERT_EQUAL(rtclab_stun_decode(&m, buf, n), RTCLAB_STUN_OK);
		CU_ASSERT_EQUAL(m.integrity_sha256_offset, at);
		CU_ASSERT_EQUAL(rtclab_stun_check_integrity_sha256(&m, &key), RTCLAB_STUN_CHECK_OK);
		CU_ASSERT_EQUAL(rtclab_stun_check_integrity_sha256(&m, &other), RTCLAB_STUN_CHECK_BAD);
		CU_ASSERT_EQUAL(rtclab_stun_check_integrity_sha256(&m, NULL), RTCLAB_STUN_CHECK_UNCHECKED);
		CU_ASSERT_EQUAL(rtclab_stun_check_integrity(&m, &key), RTCLAB_STUN_CHECK_ABSENT);
		CU_ASSERT_EQUAL(rtclab_stun_check_fingerprint(&m), RTCLAB_STUN_CHECK_OK);
	}
	/* Other lengths are refused and nothing is written. */
	static const size_t bad[] = {0, 4, 12, 18, 30, 36, 64};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint8_t buf[256];
		struct rtclab_stun_encoder e;
		size_t at = begin_signed(&e, buf, sizeof buf, RTCLAB_STUN_BINDING);
		CHECKF(rtclab_stun_enc_integrity_sha256(&e, &key, bad[i]) == RTCLAB_STUN_E_INVALID_ARG,
		       "MESSAGE-INTEGRITY-SHA256 of %zu bytes accepted", bad[i]);
		CU_ASSERT_EQUAL(e.w.pos, at);
		CU_ASSERT_EQUAL(rtclab_stun_enc_end(&e), 0);
		CU_ASSERT_EQUAL(e.error, RTCLAB_STUN_E_INVALID_ARG);
	}
}

static void test_enc_integrity_32(void)
{
	uint8_t buf[256], mac[EVP_MAX_MD_SIZE];
	struct rtclab_stun_key key, other;
	rtclab_stun_key_short_term(&key, PASSWORD, RTCLAB_STUN_PREP_OPAQUESTRING);
	rtclab_stun_key_short_term(&other, "x", RTCLAB_STUN_PREP_OPAQUESTRING);
	struct rtclab_stun_encoder e;
	rtclab_stun_enc_begin(&e, buf, sizeof buf, RTCLAB_STUN_GOOG_PING, RTCLAB_STUN_REQUEST, TID);
	CU_ASSERT_EQUAL(rtclab_stun_enc_integrity_32(&e, &key), RTCLAB_STUN_OK);
	size_t n = rtclab_stun_enc_end(&e);
	CU_ASSERT_EQUAL_FATAL(n, 28);
	CU_ASSERT_EQUAL(memcmp(buf, "\x02\x00\x00\x08\x21\x12\xa4\x42", 8), 0);
	CU_ASSERT_EQUAL(memcmp(buf + 20, "\xc0\x60\x00\x04", 4), 0);
	reference_mac(EVP_sha1(), &key, buf, 20, 4, mac);
	CU_ASSERT_EQUAL(memcmp(buf + 24, mac, 4), 0);
	struct rtclab_stun_msg m;
	CU_ASSERT_EQUAL(rtclab_stun_decode(&m, buf, n), RTCLAB_STUN_OK);
	CU_ASSERT_EQUAL(m.method, RTCLAB_STUN_GOOG_PING);
	CU_ASSERT_EQUAL(m.integrity_32_offset, 20);
	CU_ASSERT_EQUAL(rtclab_stun_check_integrity_32(&m, &key), RTCLAB_STUN_CHECK_OK);
	CU_ASSERT_EQUAL(rtclab_stun_check_integrity_32(&m, &other), RTCLAB_STUN_CHECK_BAD);
	CU_ASSERT_EQUAL(rtclab_stun_check_integrity(&m, &key), RTCLAB_STUN_CHECK_ABSENT);
	struct rtclab_stun_credentials cred = {.password = PASSWORD};
	struct rtclab_stun_verdict v;
	rtclab_stun_verify(&m, &cred, &v);
	CU_ASSERT_EQUAL(v.integrity, RTCLAB_STUN_CHECK_OK);
	CU_ASSERT_EQUAL(v.fingerprint, RTCLAB_STUN_CHECK_ABSENT);
}

/* MESSAGE-INTEGRITY, then MESSAGE-INTEGRITY-SHA256, then FINGERPRINT: the
 * order RFC 8489 14.6 allows; each verifies over what precedes it. */
static void test_enc_both_integrities(void)
{
	uint8_t buf[256], mac[EVP_MAX_MD_SIZE];
	struct rtclab_stun_key key, other;
	rtclab_stun_key_short_term(&key, PASSWORD, RTCLAB_STUN_PREP_OPAQUESTRING);
	rtclab_stun_key_short_term(&other, "nope", RTCLAB_STUN_PREP_OPAQUESTRING);
	struct rtclab_stun_encoder e;
	size_t mi = begin_signed(&e, buf, sizeof buf, RTCLAB_STUN_BINDING);
	CU_ASSERT_EQUAL(rtclab_stun_enc_integrity(&e, &key), RTCLAB_STUN_OK);
	size_t mi256 = e.w.pos;
	CU_ASSERT_EQUAL(rtclab_stun_enc_integrity_sha256(&e, &key, 32), RTCLAB_STUN_OK);
	size_t fp = e.w.pos;
	CU_ASSERT_EQUAL(rtclab_stun_enc_fingerprint(&e), RTCLAB_STUN_OK);
	size_t n = rtclab_stun_enc_end(&e);
	CU_ASSERT_EQUAL_FATAL(n, fp + 8);
	reference_mac(EVP_sha256(), &key, buf, mi256, 32, mac);
	CU_ASSERT_EQUAL(memcmp(buf + mi256 + 4, mac, 32), 0);
	struct rtclab_stun_msg m;
	CU_ASSERT_EQUAL(rtclab_stun_decode(&m, buf, n), RTCLAB_STUN_OK);
	CU_ASSERT_EQUAL(m.n_problems_total, 0);
	CU_ASSERT_EQUAL(m.integrity_offset, mi);
	CU_ASSERT_EQUAL(m.integrity_sha256_offset, mi256);
	CU_ASSERT_EQUAL(m.fingerprint_offset, fp);
	CU_ASSERT_FALSE(m.attrs[3].ignored);
	CU_ASSERT_EQUAL(rtclab_stun_check_integrity(&m, &key), RTCLAB_STUN_CHECK_OK);
	CU_ASSERT_EQUAL(rtclab_stun_check_integrity_sha256(&m, &key), RTCLAB_STUN_CHECK_OK);
	CU_ASSERT_EQUAL(rtclab_stun_check_fingerprint(&m), RTCLAB_STUN_CHECK_OK);
	struct rtclab_stun_credentials cred = {.password = PASSWORD};
	struct rtclab_stun_verdict v;
	rtclab_stun_verify(&m, &cred, &v);
	CU_ASSERT_EQUAL(v.integrity, RTCLAB_STUN_CHECK_OK);
	/* Every integrity attribute present must verify: spoil the SHA-256 one. */
	buf[mi256 + 10] ^= 1;
	rtclab_stun_decode(&m, buf, n);
	CU_ASSERT_EQUAL(rtclab_stun_check_integrity(&m, &key), RTCLAB_STUN_CHECK_OK);
	CU_ASSERT_EQUAL(rtclab_stun_check_integrity_sha256(&m, &key), RTCLAB_STUN_CHECK_BAD);
	rtclab_stun_verify(&m, &cred, &v);
	CU_ASSERT_EQUAL(v.integrity, RTCLAB_STUN_CHECK_BAD);
}

/* --- re-encoding ---------------------------------------------------------------------- */

static void test_reencode(void)
{
	uint8_t buf[4096], out[4096];
	size_t idx[RTCLAB_STUN_MAX_ATTRS], n_idx;
	struct rtclab_stun_key key, other;
	rtclab_stun_key_short_term(&key, PASSWORD, RTCLAB_STUN_PREP_OPAQUESTRING);
	rtclab_stun_key_short_term(&other, "a different one", RTCLAB_STUN_PREP_OPAQUESTRING);
	size_t n = build_everything(buf, sizeof buf, &key, idx, &n_idx);
	CU_ASSERT_FATAL(n > 0);
	struct rtclab_stun_msg m;
	CU_ASSERT_EQUAL(rtclab_stun_decode(&m, buf, n), RTCLAB_STUN_OK);
	enum rtclab_stun_error err;

	/* Integrity copied as it was, fingerprint recomputed: the same bytes. */
	memset(out, 0xEE, sizeof out);
	CU_ASSERT_EQUAL(rtclab_stun_encode(&m, NULL, out, sizeof out, &err), n);
	CU_ASSERT_EQUAL(err, RTCLAB_STUN_OK);
	CU_ASSERT_EQUAL(memcmp(out, buf, n), 0);
	/* Integrity recomputed with the same key: the same bytes. */
	memset(out, 0xEE, sizeof out);
	CU_ASSERT_EQUAL(rtclab_stun_encode(&m, &key, out, sizeof out, &err), n);
	CU_ASSERT_EQUAL(memcmp(out, buf, n), 0);
	/* With another key only the MAC and the fingerprint change, and they verify with it. */
	CU_ASSERT_EQUAL(rtclab_stun_encode(&m, &other, out, sizeof out, &err), n);
	size_t mi = m.integrity_offset, fp = m.fingerprint_offset;
	CU_ASSERT_EQUAL(memcmp(out, buf, mi + 4), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(out + mi + 4, buf + mi + 4, 20), 0);
	CU_ASSERT_EQUAL(memcmp(out + fp, buf + fp, 4), 0);
	struct rtclab_stun_msg m2;
	CU_ASSERT_EQUAL(rtclab_stun_decode(&m2, out, n), RTCLAB_STUN_OK);
	CU_ASSERT_EQUAL(rtclab_stun_check_integrity(&m2, &other), RTCLAB_STUN_CHECK_OK);
	CU_ASSERT_EQUAL(rtclab_stun_check_integrity(&m2, &key), RTCLAB_STUN_CHECK_BAD);
	CU_ASSERT_EQUAL(rtclab_stun_check_fingerprint(&m2), RTCLAB_STUN_CHECK_OK);
	/* A NULL err is allowed. */
	CU_ASSERT_EQUAL(rtclab_stun_encode(&m, NULL, out, sizeof out, NULL), n);

	/* Too small a buffer: 0 and no-space, nothing written past it. */
	for (size_t cap = 0; cap < n; cap += 97) {
		memset(out, 0xEE, sizeof out);
		err = RTCLAB_STUN_OK;
		CHECKF(rtclab_stun_encode(&m, &key, out, cap, &err) == 0 && err == RTCLAB_STUN_E_NO_SPACE,
		       "re-encode into %zu bytes: %s", cap, rtclab_stun_error_id(err));
		size_t touched = 0;
		for (size_t i = cap; i < sizeof out; i++)
			touched += out[i] != 0xEE;
		CHECKF(touched == 0, "re-encode into %zu bytes wrote %zu past it", cap, touched);
	}
}

/* --- encoder limits -------------------------------------------------------------------- */

static size_t encode_into(uint8_t *buf, size_t cap, enum rtclab_stun_error *err)
{
	struct rtclab_stun_key key;
	rtclab_stun_key_short_term(&key, PASSWORD, RTCLAB_STUN_PREP_OPAQUESTRING);
	struct rtclab_stun_encoder e;
	struct rtclab_stun_attr sw = {.type = RTCLAB_STUN_ATTR_SOFTWARE, .v.text = B("rtclab")};
	struct rtclab_stun_attr xma = {.type = RTCLAB_STUN_ATTR_XOR_MAPPED_ADDRESS, .v.addr = V6};
	rtclab_stun_enc_begin(&e, buf, cap, RTCLAB_STUN_BINDING, RTCLAB_STUN_SUCCESS, TID);
	rtclab_stun_enc_attr(&e, &sw);
	rtclab_stun_enc_attr(&e, &xma);
	rtclab_stun_enc_raw(&e, 0x8050, "\x01\x02\x03", 3);
	rtclab_stun_enc_integrity(&e, &key);
	rtclab_stun_enc_integrity_sha256(&e, &key, 16);
	rtclab_stun_enc_fingerprint(&e);
	size_t n = rtclab_stun_enc_end(&e);
	*err = e.error;
	return n;
}

static void test_encoder_overflow(void)
{
	uint8_t full[256], buf[300];
	enum rtclab_stun_error err;
	size_t n = encode_into(full, sizeof full, &err);
	CU_ASSERT_EQUAL_FATAL(err, RTCLAB_STUN_OK);
	CU_ASSERT_EQUAL_FATAL(n, 20 + 12 + 24 + 8 + 24 + 20 + 8);
	/* Every capacity below the size: 0, no-space, not a byte past cap. */
	size_t bad = 0, touched = 0;
	for (size_t cap = 0; cap < n; cap++) {
		memset(buf, 0xEE, sizeof buf);
		size_t got = encode_into(buf, cap, &err);
		if (got != 0 || err != RTCLAB_STUN_E_NO_SPACE) {
			if (!bad++)
				CHECKF(false, "cap %zu: returned %zu with %s", cap, got, rtclab_stun_error_id(err));
		}
		for (size_t i = cap; i < sizeof buf; i++)
			touched += buf[i] != 0xEE;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(touched, 0);
	/* Exactly n fits. */
	memset(buf, 0xEE, sizeof buf);
	CU_ASSERT_EQUAL(encode_into(buf, n, &err), n);
	CU_ASSERT_EQUAL(err, RTCLAB_STUN_OK);
	CU_ASSERT_EQUAL(memcmp(buf, full, n), 0);

	/* The error is sticky: later calls report it and add nothing. */
	struct rtclab_stun_encoder e;
	struct rtclab_stun_attr pri = {.type = RTCLAB_STUN_ATTR_PRIORITY, .v.u32 = 1};
	rtclab_stun_enc_begin(&e, buf, 26, RTCLAB_STUN_BINDING, RTCLAB_STUN_REQUEST, TID);
	CU_ASSERT_EQUAL(rtclab_stun_enc_attr(&e, &pri), RTCLAB_STUN_E_NO_SPACE);
	CU_ASSERT_EQUAL(rtclab_stun_enc_raw(&e, 0x8050, NULL, 0), RTCLAB_STUN_E_NO_SPACE);
	CU_ASSERT_EQUAL(rtclab_stun_enc_fingerprint(&e), RTCLAB_STUN_E_NO_SPACE);
	CU_ASSERT_EQUAL(rtclab_stun_enc_end(&e), 0);
	CU_ASSERT_EQUAL(e.error, RTCLAB_STUN_E_NO_SPACE);
	/* The header alone needs 20 bytes. */
	rtclab_stun_enc_begin(&e, buf, 19, RTCLAB_STUN_BINDING, RTCLAB_STUN_REQUEST, TID);
	CU_ASSERT_EQUAL(e.error, RTCLAB_STUN_E_NO_SPACE);
	CU_ASSERT_EQUAL(rtclab_stun_enc_end(&e), 0);
	rtclab_stun_enc_begin(&e, buf, 20, RTCLAB_STUN_BINDING, RTCLAB_STUN_REQUEST, TID);
	CU_ASSERT_EQUAL(rtclab_stun_enc_end(&e), 20);
	CU_ASSERT_EQUAL(memcmp(buf, "\x00\x01\x00\x00\x21\x12\xa4\x42", 8), 0);
}

/* Values that cannot be encoded: refused, nothing of them left behind. */
static void test_encoder_invalid(void)
{
	static const struct rtclab_stun_attr bad[] = {
		{.type = RTCLAB_STUN_ATTR_ERROR_CODE, .v.error = {299, {NULL, 0}, RTCLAB_FAMILY_NONE}},
		{.type = RTCLAB_STUN_ATTR_ERROR_CODE, .v.error = {700, {NULL, 0}, RTCLAB_FAMILY_NONE}},
		{.type = RTCLAB_STUN_ATTR_MAPPED_ADDRESS, .v.addr = {RTCLAB_FAMILY_NONE, 1, {0}}},
		{.type = RTCLAB_STUN_ATTR_XOR_PEER_ADDRESS, .v.addr = {RTCLAB_FAMILY_NONE, 1, {0}}},
		{.type = RTCLAB_STUN_ATTR_REQUESTED_ADDRESS_FAMILY, .v.family = RTCLAB_FAMILY_NONE},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint8_t buf[128];
		struct rtclab_stun_encoder e;
		rtclab_stun_enc_begin(&e, buf, sizeof buf, RTCLAB_STUN_BINDING, RTCLAB_STUN_REQUEST, TID);
		CHECKF(rtclab_stun_enc_attr(&e, &bad[i]) == RTCLAB_STUN_E_INVALID_ARG, "invalid value %zu accepted", i);
		CU_ASSERT_EQUAL(e.w.pos, 20);
		CU_ASSERT_EQUAL(buf[2] << 8 | buf[3], 0);
		CU_ASSERT_EQUAL(rtclab_stun_enc_end(&e), 0);
	}
	/* The message length field has 16 bits: 65532 bytes of attributes at most. */
	static uint8_t big[70000], data[65600];
	memset(data, 'd', sizeof data);
	struct rtclab_stun_encoder e;
	rtclab_stun_enc_begin(&e, big, sizeof big, RTCLAB_STUN_SEND, RTCLAB_STUN_INDICATION, TID);
	CU_ASSERT_EQUAL(rtclab_stun_enc_raw(&e, RTCLAB_STUN_ATTR_DATA, data, 65528), RTCLAB_STUN_OK);
	size_t n = rtclab_stun_enc_end(&e);
	CU_ASSERT_EQUAL(n, 20 + 65532);
	CU_ASSERT_EQUAL(big[2] << 8 | big[3], 65532);
	rtclab_stun_enc_begin(&e, big, sizeof big, RTCLAB_STUN_SEND, RTCLAB_STUN_INDICATION, TID);
	CU_ASSERT_EQUAL(rtclab_stun_enc_raw(&e, RTCLAB_STUN_ATTR_DATA, data, 65529), RTCLAB_STUN_E_INVALID_ARG);
	CU_ASSERT_EQUAL(rtclab_stun_enc_end(&e), 0);
	rtclab_stun_enc_begin(&e, big, sizeof big, RTCLAB_STUN_SEND, RTCLAB_STUN_INDICATION, TID);
	CU_ASSERT_EQUAL(rtclab_stun_enc_raw(&e, RTCLAB_STUN_ATTR_DATA, data, 65536), RTCLAB_STUN_E_INVALID_ARG);
	/* A 65528-byte DATA plus a fingerprint no longer fits in the length field. */
	rtclab_stun_enc_begin(&e, big, sizeof big, RTCLAB_STUN_SEND, RTCLAB_STUN_INDICATION, TID);
	CU_ASSERT_EQUAL(rtclab_stun_enc_raw(&e, RTCLAB_STUN_ATTR_DATA, data, 65520), RTCLAB_STUN_OK);
	CU_ASSERT_EQUAL(rtclab_stun_enc_fingerprint(&e), RTCLAB_STUN_OK);
	CU_ASSERT_EQUAL(rtclab_stun_enc_end(&e), 20 + 65532);
	rtclab_stun_enc_begin(&e, big, sizeof big, RTCLAB_STUN_SEND, RTCLAB_STUN_INDICATION, TID);
	CU_ASSERT_EQUAL(rtclab_stun_enc_raw(&e, RTCLAB_STUN_ATTR_DATA, data, 65521), RTCLAB_STUN_OK);
	CU_ASSERT_NOT_EQUAL(rtclab_stun_enc_fingerprint(&e), RTCLAB_STUN_OK);
	CU_ASSERT_EQUAL(rtclab_stun_enc_end(&e), 0);
}

/* --- message types ---------------------------------------------------------------------- */

static void test_type_method_class(void)
{
	static const struct {
		uint16_t method;
		enum rtclab_stun_class cls;
		uint16_t type;
	} known[] = {
		{RTCLAB_STUN_BINDING, RTCLAB_STUN_REQUEST, 0x0001},
		{RTCLAB_STUN_BINDING, RTCLAB_STUN_INDICATION, 0x0011},
		{RTCLAB_STUN_BINDING, RTCLAB_STUN_SUCCESS, 0x0101},
		{RTCLAB_STUN_BINDING, RTCLAB_STUN_ERROR, 0x0111},
		{RTCLAB_STUN_SHARED_SECRET, RTCLAB_STUN_REQUEST, 0x0002},
		{RTCLAB_STUN_ALLOCATE, RTCLAB_STUN_REQUEST, 0x0003},
		{RTCLAB_STUN_ALLOCATE, RTCLAB_STUN_SUCCESS, 0x0103},
		{RTCLAB_STUN_ALLOCATE, RTCLAB_STUN_ERROR, 0x0113},
		{RTCLAB_STUN_REFRESH, RTCLAB_STUN_REQUEST, 0x0004},
		{RTCLAB_STUN_SEND, RTCLAB_STUN_INDICATION, 0x0016},
		{RTCLAB_STUN_DATA, RTCLAB_STUN_INDICATION, 0x0017},
		{RTCLAB_STUN_CREATE_PERMISSION, RTCLAB_STUN_REQUEST, 0x0008},
		{RTCLAB_STUN_CHANNEL_BIND, RTCLAB_STUN_SUCCESS, 0x0109},
		{RTCLAB_STUN_CONNECT, RTCLAB_STUN_REQUEST, 0x000A},
		{RTCLAB_STUN_CONNECTION_BIND, RTCLAB_STUN_REQUEST, 0x000B},
		{RTCLAB_STUN_CONNECTION_ATTEMPT, RTCLAB_STUN_INDICATION, 0x001C},
		/* GOOG-PING is method 0x080 (IANA); M7 sits at bit 9 of the type, so
		 * its request is type 0x0200 (WebRTC's GOOG_PING_REQUEST), not 0x0080. */
		{RTCLAB_STUN_GOOG_PING, RTCLAB_STUN_REQUEST, 0x0200},
		{RTCLAB_STUN_GOOG_PING, RTCLAB_STUN_SUCCESS, 0x0300},
		{RTCLAB_STUN_GOOG_PING, RTCLAB_STUN_ERROR, 0x0310},
		{0x040, RTCLAB_STUN_REQUEST, 0x0080},
		{0xFFF, RTCLAB_STUN_ERROR, 0x3FFF},
	};
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
		CHECKF(rtclab_stun_type(known[i].method, known[i].cls) == known[i].type,
		       "type of method 0x%03x class %d is 0x%04x, want 0x%04x", known[i].method, (int)known[i].cls,
		       rtclab_stun_type(known[i].method, known[i].cls), known[i].type);
		CU_ASSERT_EQUAL(rtclab_stun_type_method(known[i].type), known[i].method);
		CU_ASSERT_EQUAL(rtclab_stun_type_class(known[i].type), known[i].cls);
	}
	/* Every 12-bit method and every class, and every 14-bit type. */
	size_t bad = 0;
	for (unsigned m = 0; m <= 0xFFF; m++)
		for (unsigned c = 0; c < 4; c++) {
			uint16_t t = rtclab_stun_type((uint16_t)m, (enum rtclab_stun_class)c);
			bad += t > 0x3FFF || rtclab_stun_type_method(t) != m ||
			       rtclab_stun_type_class(t) != (enum rtclab_stun_class)c;
		}
	for (unsigned t = 0; t <= 0x3FFF; t++)
		bad += rtclab_stun_type(rtclab_stun_type_method((uint16_t)t), rtclab_stun_type_class((uint16_t)t)) != t;
	CU_ASSERT_EQUAL(bad, 0);

	/* The encoder writes the type; the decoder reads method and class back. */
	static const uint16_t methods[] = {
		RTCLAB_STUN_BINDING,	       RTCLAB_STUN_SHARED_SECRET, RTCLAB_STUN_ALLOCATE,
		RTCLAB_STUN_REFRESH,	       RTCLAB_STUN_SEND,	  RTCLAB_STUN_DATA,
		RTCLAB_STUN_CREATE_PERMISSION, RTCLAB_STUN_CHANNEL_BIND,  RTCLAB_STUN_CONNECT,
		RTCLAB_STUN_CONNECTION_BIND,   RTCLAB_STUN_CONNECTION_ATTEMPT, RTCLAB_STUN_GOOG_PING,
	};
	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
		CU_ASSERT_PTR_NOT_NULL(rtclab_stun_method_name(methods[i]));
		for (unsigned c = 0; c < 4; c++) {
			uint8_t buf[20];
			struct rtclab_stun_encoder e;
			struct rtclab_stun_msg m;
			rtclab_stun_enc_begin(&e, buf, sizeof buf, methods[i], (enum rtclab_stun_class)c, TID);
			CU_ASSERT_EQUAL(rtclab_stun_enc_end(&e), 20);
			rtclab_stun_decode(&m, buf, 20);
			CU_ASSERT_EQUAL(m.type, rtclab_stun_type(methods[i], (enum rtclab_stun_class)c));
			CU_ASSERT_EQUAL(m.method, methods[i]);
			CU_ASSERT_EQUAL(m.cls, (enum rtclab_stun_class)c);
		}
	}
	CU_ASSERT_STRING_EQUAL(rtclab_stun_class_name(RTCLAB_STUN_SUCCESS), "success");
	char title[64];
	CU_ASSERT_STRING_EQUAL(rtclab_stun_message_title(RTCLAB_STUN_ALLOCATE, RTCLAB_STUN_ERROR, title, sizeof title),
			       "Allocate error response");
}

/* --- classic RFC 3489 messages ---------------------------------------------------------- */

static void test_classic(void)
{
	/* A Binding response with a 128-bit transaction ID, no magic cookie. */
	size_t n;
	uint8_t *buf = unit_hex("0101 000c  0102030405060708090a0b0c0d0e0f10"
				"0001 0008 0001 0d96 c6336401",
				&n);
	CU_ASSERT_EQUAL_FATAL(n, 32);
	struct rtclab_stun_msg m;
	CU_ASSERT_EQUAL(rtclab_stun_decode(&m, buf, n), RTCLAB_STUN_OK);
	CU_ASSERT_EQUAL(m.n_problems_total, 0);
	CU_ASSERT_FALSE(m.magic_cookie);
	CU_ASSERT_EQUAL(m.transaction_id_len, 16);
	CU_ASSERT_EQUAL(memcmp(m.transaction_id, buf + 4, 16), 0);
	CU_ASSERT_EQUAL(m.method, RTCLAB_STUN_BINDING);
	CU_ASSERT_EQUAL(m.cls, RTCLAB_STUN_SUCCESS);
	CU_ASSERT_EQUAL_FATAL(m.n_attrs, 1);
	struct rtclab_addr want;
	CU_ASSERT_TRUE(rtclab_addr_ip_parse(&want, "198.51.100.1"));
	want.port = 3478;
	CU_ASSERT_TRUE(rtclab_addr_equal(&m.attrs[0].v.addr, &want));
	/* Re-encoded with its 128-bit ID. */
	uint8_t out[64];
	enum rtclab_stun_error err;
	CU_ASSERT_EQUAL(rtclab_stun_encode(&m, NULL, out, sizeof out, &err), n);
	CU_ASSERT_EQUAL(memcmp(out, buf, n), 0);
	CU_ASSERT_TRUE(rtclab_stun_is_stun(buf, n, false));
	CU_ASSERT_FALSE(rtclab_stun_is_stun(buf, n, true));
	free(buf);

	/* An RFC 5389 message: 12-byte ID after the cookie. */
	uint8_t hdr[20];
	struct rtclab_stun_encoder e;
	rtclab_stun_enc_begin(&e, hdr, sizeof hdr, RTCLAB_STUN_BINDING, RTCLAB_STUN_REQUEST, TID);
	rtclab_stun_enc_end(&e);
	rtclab_stun_decode(&m, hdr, 20);
	CU_ASSERT_TRUE(m.magic_cookie);
	CU_ASSERT_EQUAL(m.transaction_id_len, 12);
	CU_ASSERT_EQUAL(memcmp(m.transaction_id, TID, 12), 0);
	/* One bit off the cookie makes it classic. */
	hdr[7] ^= 1;
	rtclab_stun_decode(&m, hdr, 20);
	CU_ASSERT_FALSE(m.magic_cookie);
	CU_ASSERT_EQUAL(m.transaction_id_len, 16);
	CU_ASSERT_EQUAL(memcmp(m.transaction_id, hdr + 4, 16), 0);
}

static void test_is_stun(void)
{
	uint8_t b[32] = {0x00, 0x01, 0x00, 0x04, 0x21, 0x12, 0xa4, 0x42};
	CU_ASSERT_TRUE(rtclab_stun_is_stun(b, 24, true));
	CU_ASSERT_TRUE(rtclab_stun_is_stun(b, 32, true)); /* the length fits in what there is */
	CU_ASSERT_FALSE(rtclab_stun_is_stun(b, 23, false)); /* the length does not */
	CU_ASSERT_FALSE(rtclab_stun_is_stun(b, 19, false));
	CU_ASSERT_FALSE(rtclab_stun_is_stun(b, 0, false));
	b[3] = 0x06; /* not a multiple of 4 */
	CU_ASSERT_FALSE(rtclab_stun_is_stun(b, 32, false));
	b[3] = 0x00;
	CU_ASSERT_TRUE(rtclab_stun_is_stun(b, 20, true));
	/* RFC 8489 6: the two leading bits are 00 (first byte 0-63; RFC 7983 narrows it to 0-3). */
	for (unsigned first = 0; first < 256; first++) {
		b[0] = (uint8_t)first;
		CHECKF(rtclab_stun_is_stun(b, 20, true) == ((first & 0xC0) == 0), "first byte %u", first);
	}
	b[0] = 0;
	b[4] = 0x20; /* no cookie */
	CU_ASSERT_FALSE(rtclab_stun_is_stun(b, 20, true));
	CU_ASSERT_TRUE(rtclab_stun_is_stun(b, 20, false));
}

/* --- verification with long-term credentials ---------------------------------------------- */

static size_t build_allocate(uint8_t *buf, size_t cap, const struct rtclab_stun_key *key, bool with_algorithm,
			     enum rtclab_stun_password_alg alg)
{
	struct rtclab_stun_attr attrs[] = {
		{.type = RTCLAB_STUN_ATTR_REQUESTED_TRANSPORT, .v.u32 = 17},
		{.type = RTCLAB_STUN_ATTR_USERNAME, .v.text = B("user")},
		{.type = RTCLAB_STUN_ATTR_REALM, .v.text = B("example.org")},
		{.type = RTCLAB_STUN_ATTR_NONCE, .v.nonce = {B("obMatJos2gAAAnonce"), true, 0x800000}},
		{.type = RTCLAB_STUN_ATTR_PASSWORD_ALGORITHM, .v.algorithm = {(uint16_t)alg, {NULL, 0}}},
	};
	struct rtclab_stun_encoder e;
	rtclab_stun_enc_begin(&e, buf, cap, RTCLAB_STUN_ALLOCATE, RTCLAB_STUN_REQUEST, TID);
	for (size_t i = 0; i < sizeof attrs / sizeof attrs[0] - !with_algorithm; i++)
		CU_ASSERT_EQUAL(rtclab_stun_enc_attr(&e, &attrs[i]), RTCLAB_STUN_OK);
	CU_ASSERT_EQUAL(rtclab_stun_enc_integrity(&e, key), RTCLAB_STUN_OK);
	CU_ASSERT_EQUAL(rtclab_stun_enc_fingerprint(&e), RTCLAB_STUN_OK);
	return rtclab_stun_enc_end(&e);
}

static void test_long_term_sha256(void)
{
	/* RFC 8489 9.2.2: key = SHA-256(username ":" OpaqueString(realm) ":" OpaqueString(password)). */
	size_t klen;
	uint8_t *want = unit_hex("2eab843d62723b5549ca4dde2641a8c07ba67a3c7df8919c8da81ee206a4b907", &klen);
	struct rtclab_stun_key sha, md5;
	CU_ASSERT_EQUAL(rtclab_stun_key_long_term(&sha, "user", "example.org", "pass", RTCLAB_STUN_PASSWORD_SHA256,
						  RTCLAB_STUN_PREP_OPAQUESTRING),
			RTCLAB_STUN_OK);
	CU_ASSERT_EQUAL(sha.len, 32);
	CU_ASSERT_EQUAL(memcmp(sha.bytes, want, 32), 0);
	free(want);
	want = unit_hex("abca35356f4b00fbc33e2d8c2c43b9d6", &klen);
	CU_ASSERT_EQUAL(rtclab_stun_key_long_term(&md5, "user", "example.org", "pass", RTCLAB_STUN_PASSWORD_MD5,
						  RTCLAB_STUN_PREP_OPAQUESTRING),
			RTCLAB_STUN_OK);
	CU_ASSERT_EQUAL(md5.len, 16);
	CU_ASSERT_EQUAL(memcmp(md5.bytes, want, 16), 0);
	free(want);

	uint8_t buf[256];
	struct rtclab_stun_msg m;
	struct rtclab_stun_verdict v;
	size_t n = build_allocate(buf, sizeof buf, &sha, true, RTCLAB_STUN_PASSWORD_SHA256);
	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_EQUAL(rtclab_stun_decode(&m, buf, n), RTCLAB_STUN_OK);
	const struct rtclab_stun_attr *pa = rtclab_stun_find(&m, RTCLAB_STUN_ATTR_PASSWORD_ALGORITHM);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pa);
	CU_ASSERT_EQUAL(pa->v.algorithm.algorithm, RTCLAB_STUN_PASSWORD_SHA256);
	/* Username and realm come from the message; the REALM makes it long-term. */
	struct rtclab_stun_credentials cred = {.password = "pass"};
	rtclab_stun_verify(&m, &cred, &v);
	CU_ASSERT_EQUAL(v.integrity, RTCLAB_STUN_CHECK_OK);
	CU_ASSERT_EQUAL(v.fingerprint, RTCLAB_STUN_CHECK_OK);
	CU_ASSERT_TRUE(v.long_term);
	CU_ASSERT_EQUAL(v.algorithm, RTCLAB_STUN_PASSWORD_SHA256);
	CU_ASSERT_EQUAL(v.key.len, 32);
	CU_ASSERT_EQUAL(memcmp(v.key.bytes, sha.bytes, 32), 0);
	CU_ASSERT_EQUAL(v.key_error, RTCLAB_STUN_OK);
	cred.password = "Pass";
	rtclab_stun_verify(&m, &cred, &v);
	CU_ASSERT_EQUAL(v.integrity, RTCLAB_STUN_CHECK_BAD);
	CU_ASSERT_EQUAL(v.algorithm, RTCLAB_STUN_PASSWORD_SHA256);
	/* Explicit username and realm override the message's. */
	struct rtclab_stun_credentials explicit_cred = {.password = "pass", .username = "user", .realm = "example.org"};
	rtclab_stun_verify(&m, &explicit_cred, &v);
	CU_ASSERT_EQUAL(v.integrity, RTCLAB_STUN_CHECK_OK);
	explicit_cred.realm = "example.com";
	rtclab_stun_verify(&m, &explicit_cred, &v);
	CU_ASSERT_EQUAL(v.integrity, RTCLAB_STUN_CHECK_BAD);

	/* Signed with the MD5 key while announcing SHA-256: does not verify. */
	n = build_allocate(buf, sizeof buf, &md5, true, RTCLAB_STUN_PASSWORD_SHA256);
	rtclab_stun_decode(&m, buf, n);
	cred.password = "pass";
	rtclab_stun_verify(&m, &cred, &v);
	CU_ASSERT_EQUAL(v.integrity, RTCLAB_STUN_CHECK_BAD);
	/* Announcing MD5 (or nothing, the RFC 5389 default): the MD5 key. */
	n = build_allocate(buf, sizeof buf, &md5, true, RTCLAB_STUN_PASSWORD_MD5);
	rtclab_stun_decode(&m, buf, n);
	rtclab_stun_verify(&m, &cred, &v);
	CU_ASSERT_EQUAL(v.integrity, RTCLAB_STUN_CHECK_OK);
	CU_ASSERT_EQUAL(v.algorithm, RTCLAB_STUN_PASSWORD_MD5);
	n = build_allocate(buf, sizeof buf, &md5, false, RTCLAB_STUN_PASSWORD_MD5);
	rtclab_stun_decode(&m, buf, n);
	CU_ASSERT_PTR_NULL(rtclab_stun_find(&m, RTCLAB_STUN_ATTR_PASSWORD_ALGORITHM));
	rtclab_stun_verify(&m, &cred, &v);
	CU_ASSERT_EQUAL(v.integrity, RTCLAB_STUN_CHECK_OK);
	CU_ASSERT_EQUAL(v.algorithm, RTCLAB_STUN_PASSWORD_MD5);
	CU_ASSERT_EQUAL(v.key.len, 16);
	/* No password: unchecked; no credentials at all: fingerprint only. */
	rtclab_stun_verify(&m, NULL, &v);
	CU_ASSERT_EQUAL(v.integrity, RTCLAB_STUN_CHECK_UNCHECKED);
	CU_ASSERT_EQUAL(v.fingerprint, RTCLAB_STUN_CHECK_OK);
}

static void test_verify_sha256(void)
{
	uint8_t buf[256];
	struct rtclab_stun_key key;
	rtclab_stun_key_short_term(&key, PASSWORD, RTCLAB_STUN_PREP_OPAQUESTRING);
	struct rtclab_stun_encoder e;
	begin_signed(&e, buf, sizeof buf, RTCLAB_STUN_BINDING);
	CU_ASSERT_EQUAL(rtclab_stun_enc_integrity_sha256(&e, &key, 32), RTCLAB_STUN_OK);
	size_t n = rtclab_stun_enc_end(&e);
	CU_ASSERT_FATAL(n > 0);
	struct rtclab_stun_msg m;
	CU_ASSERT_EQUAL(rtclab_stun_decode(&m, buf, n), RTCLAB_STUN_OK);
	struct rtclab_stun_credentials cred = {.password = PASSWORD};
	struct rtclab_stun_verdict v;
	rtclab_stun_verify(&m, &cred, &v);
	CU_ASSERT_EQUAL(v.integrity, RTCLAB_STUN_CHECK_OK);
	CU_ASSERT_FALSE(v.long_term);
	CU_ASSERT_EQUAL(v.fingerprint, RTCLAB_STUN_CHECK_ABSENT);
	CU_ASSERT_EQUAL(v.key.len, strlen(PASSWORD));
	cred.password = "VOkJxbRl1RmTxUk/WvJxBT";
	rtclab_stun_verify(&m, &cred, &v);
	CU_ASSERT_EQUAL(v.integrity, RTCLAB_STUN_CHECK_BAD);
	rtclab_stun_note_verdict(&m, &v);
	CU_ASSERT_EQUAL_FATAL(m.n_problems, 1);
	CU_ASSERT_EQUAL(m.problems[0].code, RTCLAB_STUN_E_INTEGRITY_BAD);
	CU_ASSERT_EQUAL(m.problems[0].attr_type, RTCLAB_STUN_ATTR_MESSAGE_INTEGRITY_SHA256);
	CU_ASSERT_EQUAL(m.problems[0].offset, m.integrity_sha256_offset);
}

RTCLAB_SUITE(stun_attrs)
{
	static const struct unit_test tests[] = {
		{"the table has a case for every X-macro type", test_table_covers_xmacro},
		{"every attribute: RFC bytes, decode(encode(v)) == v", test_every_attribute},
		{"every attribute in one message", test_all_in_one_message},
		{"unknown comprehension-optional attribute kept raw", test_unknown_optional},
		{"MESSAGE-INTEGRITY and FINGERPRINT encoders", test_enc_integrity_sha1},
		{"MESSAGE-INTEGRITY-SHA256 truncated to 16..32", test_enc_integrity_sha256},
		{"GOOG-MESSAGE-INTEGRITY-32", test_enc_integrity_32},
		{"MI, MI-SHA256 and FINGERPRINT together", test_enc_both_integrities},
		{"re-encoding a decoded message byte for byte", test_reencode},
		{"encoder overflow: 0 and no-space, nothing past cap", test_encoder_overflow},
		{"encoder refuses values it cannot encode", test_encoder_invalid},
		{"message type <-> method and class", test_type_method_class},
		{"classic RFC 3489 message", test_classic},
		{"rtclab_stun_is_stun", test_is_stun},
		{"long-term key with SHA-256 PASSWORD-ALGORITHM", test_long_term_sha256},
		{"MESSAGE-INTEGRITY-SHA256 through rtclab_stun_verify", test_verify_sha256},
		{NULL, NULL},
	};
	unit_add_suite("stun_attrs", tests);
}
