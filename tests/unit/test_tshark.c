/* Cross-check with tshark: for every test message, tshark and rtclab agree
 * on the method, the class and the list of attribute types (and, for
 * ChannelData, the channel number).  Skipped with a notice when tshark is
 * not installed.  RTCLAB_SAMPLES_DIR=dir also writes each message there as
 * a file (that is how fuzz/corpus/stun was seeded). */
#define _DEFAULT_SOURCE /* libpcap's headers use u_int and u_char */
#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>

#include "rtclab/channeldata.h"
#include "rtclab/stun.h"
#include "unit.h"

struct sample {
	char name[48];
	uint8_t bytes[600];
	size_t len;
};

#define MAX_SAMPLES 256

static const uint8_t TID[12] = {0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};

static struct rtclab_stun_attr attr(uint16_t type)
{
	struct rtclab_stun_attr a;
	memset(&a, 0, sizeof a);
	a.type = type;
	return a;
}

static struct rtclab_stun_attr text_attr(uint16_t type, const char *s)
{
	struct rtclab_stun_attr a = attr(type);
	a.v.text.ptr = (const uint8_t *)s;
	a.v.text.len = strlen(s);
	a.v.nonce.text = a.v.text; /* NONCE keeps its text in v.nonce */
	return a;
}

static struct rtclab_stun_attr u32_attr(uint16_t type, uint32_t v)
{
	struct rtclab_stun_attr a = attr(type);
	a.v.u32 = v;
	return a;
}

static struct rtclab_stun_attr addr_attr(uint16_t type, const char *ip, uint16_t port)
{
	struct rtclab_stun_attr a = attr(type);
	rtclab_addr_ip_parse(&a.v.addr, ip);
	a.v.addr.port = port;
	return a;
}

static void add(struct sample *s, size_t *n, const char *name, struct rtclab_stun_encoder *e)
{
	CU_ASSERT_FATAL(*n < MAX_SAMPLES);
	s[*n].len = rtclab_stun_enc_end(e);
	CU_ASSERT_FATAL(s[*n].len > 0);
	snprintf(s[*n].name, sizeof s[*n].name, "%s", name);
	(*n)++;
}

/* A valid value for an attribute of this kind (what tshark is shown). */
static struct rtclab_stun_attr sample_attr(const struct rtclab_stun_attr_info *info)
{
	static const uint8_t zeros[64], algs[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00};
	static const uint8_t list[] = {0x00, 0x24}, token[] = {0x00, 0x04, 1, 2, 3, 4, 9, 9, 9, 9};
	struct rtclab_stun_attr a = attr(info->type);
	a.value.ptr = zeros;
	a.value.len = info->min_len ? info->min_len : 4;
	switch (info->kind) {
	case RTCLAB_STUN_KIND_ADDRESS:
	case RTCLAB_STUN_KIND_XOR_ADDRESS:
		return addr_attr(info->type, "192.0.2.1", 1234);
	case RTCLAB_STUN_KIND_U32:
	case RTCLAB_STUN_KIND_RESPONSE_PORT:
		a.v.u32 = 600;
		break;
	case RTCLAB_STUN_KIND_U64:
		a.v.u64 = 0x0102030405060708ULL;
		break;
	case RTCLAB_STUN_KIND_TEXT:
	case RTCLAB_STUN_KIND_NONCE:
		return text_attr(info->type, "rtclab");
	case RTCLAB_STUN_KIND_ERROR_CODE:
	case RTCLAB_STUN_KIND_ADDRESS_ERROR_CODE:
		a.v.error.code = 440;
		a.v.error.reason.ptr = (const uint8_t *)"Address Family not Supported";
		a.v.error.reason.len = 28;
		a.v.error.family = RTCLAB_FAMILY_IPV6;
		break;
	case RTCLAB_STUN_KIND_CHANNEL_NUMBER:
		a.v.u32 = 0x4001;
		break;
	case RTCLAB_STUN_KIND_TRANSPORT:
		a.v.u32 = 17;
		break;
	case RTCLAB_STUN_KIND_FAMILY:
		a.v.family = RTCLAB_FAMILY_IPV4;
		break;
	case RTCLAB_STUN_KIND_EVEN_PORT:
		a.v.flag = true;
		break;
	case RTCLAB_STUN_KIND_CHANGE_REQUEST:
		a.v.change.change_port = true;
		break;
	case RTCLAB_STUN_KIND_ATTR_LIST:
	case RTCLAB_STUN_KIND_U16_LIST:
		a.value.ptr = list;
		a.value.len = sizeof list;
		break;
	case RTCLAB_STUN_KIND_PASSWORD_ALGORITHMS:
		a.value.ptr = algs;
		a.value.len = sizeof algs;
		break;
	case RTCLAB_STUN_KIND_PASSWORD_ALGORITHM:
		a.v.algorithm.algorithm = RTCLAB_STUN_PASSWORD_SHA256;
		break;
	case RTCLAB_STUN_KIND_ICMP:
		a.v.icmp.type = 3;
		a.v.icmp.code = 3;
		break;
	case RTCLAB_STUN_KIND_ACCESS_TOKEN:
		a.v.token.nonce.ptr = token + 2;
		a.v.token.nonce.len = 4;
		a.v.token.block.ptr = token + 6;
		a.v.token.block.len = 4;
		break;
	case RTCLAB_STUN_KIND_NETWORK_INFO:
		a.v.network.network_id = 1;
		a.v.network.network_cost = 10;
		break;
	case RTCLAB_STUN_KIND_INTEGRITY_SHA256:
		a.value.len = 32;
		break;
	default:
		break;
	}
	return a;
}

/* One Binding indication per attribute type rtclab knows, so that every
 * type of the X-macro list is put in front of tshark. */
static size_t add_every_attribute(struct sample *s, size_t n)
{
	static const uint16_t types[] = {
#define RTCLAB_X_(type, ident, name, kind, min, max, ref) type,
		RTCLAB_STUN_ATTRS(RTCLAB_X_)
#undef RTCLAB_X_
	};
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		const struct rtclab_stun_attr_info *info = rtclab_stun_attr_info(types[i]);
		struct rtclab_stun_encoder e;
		char name[48];
		rtclab_stun_enc_begin(&e, s[n].bytes, sizeof s[n].bytes, RTCLAB_STUN_BINDING, RTCLAB_STUN_INDICATION, TID);
		if (info->kind == RTCLAB_STUN_KIND_FINGERPRINT) {
			rtclab_stun_enc_fingerprint(&e);
		} else {
			struct rtclab_stun_attr a = sample_attr(info);
			CU_ASSERT_EQUAL(rtclab_stun_enc_attr(&e, &a), RTCLAB_STUN_OK);
		}
		snprintf(name, sizeof name, "attr-%04x", types[i]);
		add(s, &n, name, &e);
		struct rtclab_stun_msg m;
		CU_ASSERT_EQUAL(rtclab_stun_decode(&m, s[n - 1].bytes, s[n - 1].len), RTCLAB_STUN_OK);
	}
	return n;
}

/* USERNAME, REALM and NONCE of the TURN account alice / example.org. */
static void add_long_term_credentials(struct rtclab_stun_encoder *e)
{
	struct rtclab_stun_attr a = text_attr(RTCLAB_STUN_ATTR_USERNAME, "alice");
	rtclab_stun_enc_attr(e, &a);
	a = text_attr(RTCLAB_STUN_ATTR_REALM, "example.org");
	rtclab_stun_enc_attr(e, &a);
	a = text_attr(RTCLAB_STUN_ATTR_NONCE, "obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA");
	rtclab_stun_enc_attr(e, &a);
}

/* Messages of a whole handshake, built with the encoder. */
static size_t build_samples(struct sample *s)
{
	struct rtclab_stun_encoder e;
	struct rtclab_stun_key key;
	struct rtclab_stun_attr a;
	size_t n = 0;
	rtclab_stun_key_short_term(&key, "asd88fgpdd777uzjYhagZg", RTCLAB_STUN_PREP_OPAQUESTRING);

	/* Step 4: Binding to a STUN server, and its answer. */
	rtclab_stun_enc_begin(&e, s[n].bytes, sizeof s[n].bytes, RTCLAB_STUN_BINDING, RTCLAB_STUN_REQUEST, TID);
	rtclab_stun_enc_fingerprint(&e);
	add(s, &n, "binding-request-server", &e);
	rtclab_stun_enc_begin(&e, s[n].bytes, sizeof s[n].bytes, RTCLAB_STUN_BINDING, RTCLAB_STUN_SUCCESS, TID);
	a = addr_attr(RTCLAB_STUN_ATTR_XOR_MAPPED_ADDRESS, "203.0.113.7", 54321);
	rtclab_stun_enc_attr(&e, &a);
	a = addr_attr(RTCLAB_STUN_ATTR_MAPPED_ADDRESS, "203.0.113.7", 54321);
	rtclab_stun_enc_attr(&e, &a);
	a = addr_attr(RTCLAB_STUN_ATTR_RESPONSE_ORIGIN, "198.51.100.1", 3478);
	rtclab_stun_enc_attr(&e, &a);
	a = addr_attr(RTCLAB_STUN_ATTR_OTHER_ADDRESS, "198.51.100.2", 3479);
	rtclab_stun_enc_attr(&e, &a);
	a = text_attr(RTCLAB_STUN_ATTR_SOFTWARE, "rtclab test server");
	rtclab_stun_enc_attr(&e, &a);
	rtclab_stun_enc_fingerprint(&e);
	add(s, &n, "binding-success-server", &e);

	/* Step 4: TURN Allocate, 401, authenticated retry, success. */
	rtclab_stun_enc_begin(&e, s[n].bytes, sizeof s[n].bytes, RTCLAB_STUN_ALLOCATE, RTCLAB_STUN_REQUEST, TID);
	a = u32_attr(RTCLAB_STUN_ATTR_REQUESTED_TRANSPORT, 17);
	rtclab_stun_enc_attr(&e, &a);
	a = u32_attr(RTCLAB_STUN_ATTR_LIFETIME, 600);
	rtclab_stun_enc_attr(&e, &a);
	a = attr(RTCLAB_STUN_ATTR_DONT_FRAGMENT);
	rtclab_stun_enc_attr(&e, &a);
	a = attr(RTCLAB_STUN_ATTR_EVEN_PORT);
	a.v.flag = true;
	rtclab_stun_enc_attr(&e, &a);
	add(s, &n, "allocate-request", &e);
	rtclab_stun_enc_begin(&e, s[n].bytes, sizeof s[n].bytes, RTCLAB_STUN_ALLOCATE, RTCLAB_STUN_ERROR, TID);
	a = attr(RTCLAB_STUN_ATTR_ERROR_CODE);
	a.v.error.code = 401;
	a.v.error.reason.ptr = (const uint8_t *)"Unauthorized";
	a.v.error.reason.len = 12;
	rtclab_stun_enc_attr(&e, &a);
	a = text_attr(RTCLAB_STUN_ATTR_REALM, "example.org");
	rtclab_stun_enc_attr(&e, &a);
	a = text_attr(RTCLAB_STUN_ATTR_NONCE, "obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA");
	rtclab_stun_enc_attr(&e, &a);
	uint8_t algs[] = {0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00};
	rtclab_stun_enc_raw(&e, RTCLAB_STUN_ATTR_PASSWORD_ALGORITHMS, algs, sizeof algs);
	rtclab_stun_enc_fingerprint(&e);
	add(s, &n, "allocate-401", &e);
	/* The retry: long-term credentials alice / example.org / wonderland. */
	struct rtclab_stun_key lt;
	rtclab_stun_key_long_term(&lt, "alice", "example.org", "wonderland", RTCLAB_STUN_PASSWORD_MD5,
				  RTCLAB_STUN_PREP_OPAQUESTRING);
	rtclab_stun_enc_begin(&e, s[n].bytes, sizeof s[n].bytes, RTCLAB_STUN_ALLOCATE, RTCLAB_STUN_REQUEST, TID);
	a = u32_attr(RTCLAB_STUN_ATTR_REQUESTED_TRANSPORT, 17);
	rtclab_stun_enc_attr(&e, &a);
	add_long_term_credentials(&e);
	rtclab_stun_enc_integrity(&e, &lt);
	rtclab_stun_enc_fingerprint(&e);
	add(s, &n, "allocate-request-auth", &e);
	rtclab_stun_enc_begin(&e, s[n].bytes, sizeof s[n].bytes, RTCLAB_STUN_ALLOCATE, RTCLAB_STUN_SUCCESS, TID);
	a = addr_attr(RTCLAB_STUN_ATTR_XOR_RELAYED_ADDRESS, "198.51.100.1", 49152);
	rtclab_stun_enc_attr(&e, &a);
	a = addr_attr(RTCLAB_STUN_ATTR_XOR_MAPPED_ADDRESS, "2001:db8::7", 54321);
	rtclab_stun_enc_attr(&e, &a);
	a = u32_attr(RTCLAB_STUN_ATTR_LIFETIME, 600);
	rtclab_stun_enc_attr(&e, &a);
	a = attr(RTCLAB_STUN_ATTR_RESERVATION_TOKEN);
	a.v.u64 = 0x0102030405060708ULL;
	rtclab_stun_enc_attr(&e, &a);
	rtclab_stun_enc_integrity(&e, &lt);
	rtclab_stun_enc_fingerprint(&e);
	add(s, &n, "allocate-success", &e);

	/* Step 6 through the relay: permission, channel, Send/Data indications. */
	rtclab_stun_enc_begin(&e, s[n].bytes, sizeof s[n].bytes, RTCLAB_STUN_CREATE_PERMISSION, RTCLAB_STUN_REQUEST,
			      TID);
	a = addr_attr(RTCLAB_STUN_ATTR_XOR_PEER_ADDRESS, "192.0.2.44", 5000);
	rtclab_stun_enc_attr(&e, &a);
	add_long_term_credentials(&e);
	rtclab_stun_enc_integrity(&e, &lt);
	add(s, &n, "create-permission", &e);
	rtclab_stun_enc_begin(&e, s[n].bytes, sizeof s[n].bytes, RTCLAB_STUN_CHANNEL_BIND, RTCLAB_STUN_REQUEST, TID);
	a = u32_attr(RTCLAB_STUN_ATTR_CHANNEL_NUMBER, 0x4001);
	rtclab_stun_enc_attr(&e, &a);
	a = addr_attr(RTCLAB_STUN_ATTR_XOR_PEER_ADDRESS, "192.0.2.44", 5000);
	rtclab_stun_enc_attr(&e, &a);
	add(s, &n, "channel-bind", &e);
	rtclab_stun_enc_begin(&e, s[n].bytes, sizeof s[n].bytes, RTCLAB_STUN_SEND, RTCLAB_STUN_INDICATION, TID);
	a = addr_attr(RTCLAB_STUN_ATTR_XOR_PEER_ADDRESS, "192.0.2.44", 5000);
	rtclab_stun_enc_attr(&e, &a);
	rtclab_stun_enc_raw(&e, RTCLAB_STUN_ATTR_DATA, "hello, peer", 11);
	add(s, &n, "send-indication", &e);
	rtclab_stun_enc_begin(&e, s[n].bytes, sizeof s[n].bytes, RTCLAB_STUN_REFRESH, RTCLAB_STUN_REQUEST, TID);
	a = u32_attr(RTCLAB_STUN_ATTR_LIFETIME, 0);
	rtclab_stun_enc_attr(&e, &a);
	add(s, &n, "refresh-delete", &e);

	/* Step 6: a Chrome-style connectivity check and its 487 answer. */
	rtclab_stun_enc_begin(&e, s[n].bytes, sizeof s[n].bytes, RTCLAB_STUN_BINDING, RTCLAB_STUN_REQUEST, TID);
	a = text_attr(RTCLAB_STUN_ATTR_USERNAME, "evtj:h6vY");
	rtclab_stun_enc_attr(&e, &a);
	a = attr(RTCLAB_STUN_ATTR_GOOG_NETWORK_INFO);
	a.v.network.network_id = 1;
	a.v.network.network_cost = 10;
	rtclab_stun_enc_attr(&e, &a);
	a = attr(RTCLAB_STUN_ATTR_ICE_CONTROLLING);
	a.v.u64 = 0x932ff9b151263b36ULL;
	rtclab_stun_enc_attr(&e, &a);
	a = attr(RTCLAB_STUN_ATTR_USE_CANDIDATE);
	rtclab_stun_enc_attr(&e, &a);
	a = u32_attr(RTCLAB_STUN_ATTR_PRIORITY, 1853824767);
	rtclab_stun_enc_attr(&e, &a);
	rtclab_stun_enc_integrity(&e, &key);
	rtclab_stun_enc_fingerprint(&e);
	add(s, &n, "ice-check", &e);
	rtclab_stun_enc_begin(&e, s[n].bytes, sizeof s[n].bytes, RTCLAB_STUN_BINDING, RTCLAB_STUN_ERROR, TID);
	a = attr(RTCLAB_STUN_ATTR_ERROR_CODE);
	a.v.error.code = 487;
	a.v.error.reason.ptr = (const uint8_t *)"Role Conflict";
	a.v.error.reason.len = 13;
	rtclab_stun_enc_attr(&e, &a);
	a = attr(RTCLAB_STUN_ATTR_UNKNOWN_ATTRIBUTES);
	uint8_t unknown[] = {0x00, 0x31, 0x00, 0x32};
	a.value.ptr = unknown;
	a.value.len = sizeof unknown;
	rtclab_stun_enc_attr(&e, &a);
	rtclab_stun_enc_integrity(&e, &key);
	rtclab_stun_enc_fingerprint(&e);
	add(s, &n, "binding-487", &e);

	/* RFC 5780 behaviour discovery. */
	rtclab_stun_enc_begin(&e, s[n].bytes, sizeof s[n].bytes, RTCLAB_STUN_BINDING, RTCLAB_STUN_REQUEST, TID);
	a = attr(RTCLAB_STUN_ATTR_CHANGE_REQUEST);
	a.v.change.change_ip = true;
	a.v.change.change_port = true;
	rtclab_stun_enc_attr(&e, &a);
	a = u32_attr(RTCLAB_STUN_ATTR_RESPONSE_PORT, 40000);
	rtclab_stun_enc_attr(&e, &a);
	rtclab_stun_enc_raw(&e, RTCLAB_STUN_ATTR_PADDING, "\0\0\0\0\0\0\0\0", 8);
	add(s, &n, "rfc5780-change-request", &e);
	return add_every_attribute(s, n);
}

static bool have_tshark(void)
{
	return system("tshark --version >/dev/null 2>&1") == 0;
}

/* Write the messages as UDP datagrams on port 3478 into a pcap file. */
static void write_pcap(const char *path, struct sample *s, size_t n)
{
	pcap_t *p = pcap_open_dead(DLT_RAW, 65535);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	pcap_dumper_t *d = pcap_dump_open(p, path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	for (size_t i = 0; i < n; i++) {
		uint8_t pkt[700] = {0x45, 0, 0, 0, 0, 1, 0, 0, 64, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2};
		size_t total = 20 + 8 + s[i].len;
		pkt[2] = (uint8_t)(total >> 8);
		pkt[3] = (uint8_t)total;
		uint8_t udp[8] = {0xc0, 0x00, 0x0d, 0x96, (uint8_t)((8 + s[i].len) >> 8), (uint8_t)(8 + s[i].len), 0, 0};
		memcpy(pkt + 20, udp, 8);
		memcpy(pkt + 28, s[i].bytes, s[i].len);
		struct pcap_pkthdr h = {.ts = {.tv_sec = (time_t)(1700000000 + i)}, .caplen = (bpf_u_int32)total,
					.len = (bpf_u_int32)total};
		pcap_dump((u_char *)d, &h, pkt);
	}
	pcap_dump_close(d);
	pcap_close(p);
}

/* "0x0024,0x8028" (tshark's aggregated hex fields) as numbers. */
static size_t parse_hex_list(char *field, unsigned *out, size_t max)
{
	size_t n = 0;
	for (char *tok = strtok(field, ","); tok && n < max; tok = strtok(NULL, ","))
		out[n++] = (unsigned)strtoul(tok, NULL, 0);
	return n;
}

static bool is_channeldata(const struct sample *s)
{
	return s->len > 0 && (s->bytes[0] & 0xC0) == 0x40;
}

/* One tshark output line against rtclab's decoding of the same message.
 * Fields: stun.type.method, stun.type.class, stun.att.type, stun.channel,
 * classicstun.type, classicstun.att.type. */
static void compare_line(const struct sample *s, char **f) /* f[6]: expert info */
{
	if (is_channeldata(s)) {
		struct rtclab_channeldata cd;
		rtclab_channeldata_decode(&cd, s->bytes, s->len, false);
		CU_ASSERT_EQUAL(strtoul(f[3], NULL, 0), cd.channel);
		return;
	}
	struct rtclab_stun_msg m;
	rtclab_stun_decode(&m, s->bytes, s->len);
	unsigned types[64];
	size_t nt;
	bool agree;
	if (m.magic_cookie) {
		/* tshark shows the method bits in place (mask 0x3eef) and the class
		 * bits shifted down by 4 (mask 0x0110). */
		unsigned method = (unsigned)strtoul(f[0], NULL, 0);
		unsigned cls = (unsigned)strtoul(f[1], NULL, 0);
		CU_ASSERT_EQUAL(method, m.type & 0x3EEFu);
		CU_ASSERT_EQUAL(cls, (m.type & 0x0110u) >> 4);
		nt = parse_hex_list(f[2], types, 64);
		agree = method == (m.type & 0x3EEFu) && cls == (m.type & 0x0110u) >> 4;
	} else { /* RFC 3489: tshark's classicstun dissector */
		unsigned type = (unsigned)strtoul(f[4], NULL, 0);
		CU_ASSERT_EQUAL(type, m.type);
		nt = parse_hex_list(f[5], types, 64);
		agree = type == m.type;
	}
	/* tshark leaves attributes it does not know out of its field lists and
	 * names them only in expert info ("Unknown attribute 0x4000"): those
	 * must be the ones missing from its list, in rtclab's order. */
	unsigned unknown[64];
	size_t nu = 0;
	for (const char *u = f[6]; (u = strstr(u, "Unknown attribute 0x")) && nu < 64; u += 20)
		unknown[nu++] = (unsigned)strtoul(u + 18, NULL, 16);
	size_t k = 0, ku = 0;
	for (size_t a = 0; a < m.n_attrs; a++) {
		if (k < nt && types[k] == m.attrs[a].type)
			k++;
		else if (ku < nu && unknown[ku] == m.attrs[a].type)
			ku++;
		else
			agree = false;
	}
	agree = agree && k == nt && ku == nu;
	CU_ASSERT_TRUE(agree);
	if (!agree)
		fprintf(stderr, "\n  tshark disagrees with rtclab on %s\n", s->name);
}

static void compare_with_tshark(struct sample *s, size_t n)
{
	char dir[] = "/tmp/rtclab-tshark-XXXXXX";
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	char pcap[128], cmd[512];
	snprintf(pcap, sizeof pcap, "%s/samples.pcap", dir);
	write_pcap(pcap, s, n);
	snprintf(cmd, sizeof cmd,
		 "tshark -n -r %s -T fields -E separator=/t -E aggregator=, -e stun.type.method "
		 "-e stun.type.class -e stun.attribute -e stun.channel -e classicstun.type "
		 "-e classicstun.att.type -e _ws.expert.message 2>/dev/null", pcap);
	FILE *f = popen(cmd, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	char line[8192];
	size_t i = 0;
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		char *fields[7] = {line, "", "", "", "", "", ""};
		for (int k = 1; k < 7; k++) {
			char *tab = strchr(fields[k - 1], '\t');
			if (!tab)
				break;
			*tab = '\0';
			fields[k] = tab + 1;
		}
		CU_ASSERT_FATAL(i < n);
		compare_line(&s[i], fields);
		i++;
	}
	CU_ASSERT_EQUAL(pclose(f), 0);
	CU_ASSERT_EQUAL(i, n);
	unlink(pcap);
	rmdir(dir);
}

static void write_samples(const char *dir, struct sample *s, size_t n)
{
	char path[1024];
	for (size_t i = 0; i < n; i++) {
		if (snprintf(path, sizeof path, "%.900s/%s.bin", dir, s[i].name) >= (int)sizeof path)
			continue;
		FILE *f = fopen(path, "wb");
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		fwrite(s[i].bytes, 1, s[i].len, f);
		fclose(f);
	}
}

static void add_fixture(struct sample *s, size_t *n, const char *name)
{
	size_t len;
	uint8_t *buf = unit_fixture(name, &len);
	CU_ASSERT_FATAL(len <= sizeof s[*n].bytes);
	memcpy(s[*n].bytes, buf, len);
	s[*n].len = len;
	snprintf(s[*n].name, sizeof s[*n].name, "%.*s", (int)strcspn(strrchr(name, '/') + 1, "."), strrchr(name, '/') + 1);
	free(buf);
	(*n)++;
}

/* Every message captured from real applications (tests/fixtures/stun/real). */
static void add_real_messages(struct sample *s, size_t *n)
{
	const char *base = getenv("RTCLAB_FIXTURES");
	char path[1024];
	snprintf(path, sizeof path, "%.900s/stun/real", base ? base : "tests/fixtures");
	DIR *d = opendir(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	struct dirent *e;
	size_t before = *n;
	while ((e = readdir(d)))
		if (strstr(e->d_name, ".bin")) {
			snprintf(path, sizeof path, "stun/real/%.900s", e->d_name);
			add_fixture(s, n, path);
		}
	closedir(d);
	CU_ASSERT(*n - before >= 40);
}

static void test_agrees_with_tshark(void)
{
	static struct sample s[MAX_SAMPLES];
	size_t n = build_samples(s);
	uint8_t cd[] = {0x40, 0x01, 0x00, 0x08, 'r', 'e', 'l', 'a', 'y', 'e', 'd', '!'};
	memcpy(s[n].bytes, cd, sizeof cd);
	s[n].len = sizeof cd;
	snprintf(s[n++].name, sizeof s[0].name, "channeldata-4001");
	add_fixture(s, &n, "stun/sample_request.bin");
	add_fixture(s, &n, "stun/sample_ipv4_response.bin");
	add_fixture(s, &n, "stun/sample_ipv6_response.bin");
	add_fixture(s, &n, "stun/sample_request_long_term_auth.bin");
	const char *dir = getenv("RTCLAB_SAMPLES_DIR");
	if (dir)
		write_samples(dir, s, n);
	add_real_messages(s, &n);
	if (!have_tshark()) {
		fprintf(stderr, "\nNOTICE: tshark is not installed: the tshark cross-check is SKIPPED "
				"(apt-get install tshark)\n");
		return;
	}
	compare_with_tshark(s, n);
}

RTCLAB_SUITE(tshark)
{
	static const struct unit_test tests[] = {
		{"method, class and attribute list agree with tshark", test_agrees_with_tshark},
		{NULL, NULL},
	};
	unit_add_suite("tshark", tests);
}
