/* Capture files through libpcap: every capture of tests/fixtures/pcap/
 * against tshark's numbers (checked in, and live when tshark is installed),
 * truncated, empty, non-capture and unknown-link-type files, several
 * link types in one pcapng, BPF filtering that keeps the file's frame
 * numbers, standard input, reassembly reports, and the writer (no partial
 * file left on failure). */
#define _DEFAULT_SOURCE /* libpcap's headers use u_int and u_char */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rtclab/capture.h"
#include "unit.h"


/* What tshark 4.0 says of each file (tshark -r F -T fields -e frame.protocols
 * -e frame.time_epoch): frames, and frames whose innermost layers are UDP,
 * TCP, ICMP/ICMPv6 (an ICMP error quoting UDP counts as ICMP, and in the
 * last column); the link type and the first frame's time from the headers. */
struct expected {
	const char *file;
	unsigned frames, udp, tcp, icmp, icmp_quoting_udp;
	int linktype;
	int64_t first_ts_ns;
	unsigned problems; /* frames with a problem (the two ARP frames of the Telegram call) */
};

static const struct expected EXPECTED[] = {
	{"ndpi_dtls_certificate_fragments.pcap", 26, 26, 0, 0, 0, 1, 1556606275726225000, 0},
	{"ndpi_rtcp_multiple_pkts_in_the_same_datagram.pcap", 5, 5, 0, 0, 0, 113, 1502626544321377000, 0},
	{"ndpi_stun.pcap", 201, 165, 35, 1, 1, 1, 1568718599876883000, 0},
	{"ndpi_stun_classic.pcap", 22, 22, 0, 0, 0, 1, 1343740773475497000, 0},
	{"ndpi_stun_dtls_rtp.pcapng", 102, 39, 63, 0, 0, 1, 1669989925164266971, 0},
	{"ndpi_stun_dtls_unidirectional_client.pcap", 6, 6, 0, 0, 0, 1, 1441761975037261000, 0},
	{"ndpi_stun_dtls_unidirectional_server.pcap", 6, 6, 0, 0, 0, 1, 1441761975301582000, 0},
	{"ndpi_stun_google_meet.pcapng", 362, 362, 0, 0, 0, 1, 1687685002250009194, 0},
	{"ndpi_stun_msteams_unidir.pcapng", 12, 12, 0, 0, 0, 1, 1618744005970632000, 0},
	{"ndpi_stun_signal.pcapng", 460, 407, 0, 53, 53, 1, 1636901936040353967, 0},
	{"ndpi_stun_tcp_multiple_msgs_same_pkt.pcap", 5, 0, 5, 0, 0, 1, 1645514762350619000, 0},
	{"ndpi_stun_wa_call.pcapng", 591, 590, 0, 1, 1, 1, 1676659968029444028, 0},
	{"ndpi_stun_zoom.pcapng", 70, 70, 0, 0, 0, 1, 1661169535535091486, 0},
	{"ndpi_telegram_videocall.pcapng", 889, 232, 644, 11, 6, 1, 1648032334213648644, 2},
};
#define N_EXPECTED (sizeof EXPECTED / sizeof EXPECTED[0])

static void fixture_path(char *buf, size_t len, const char *name)
{
	const char *dir = getenv("RTCLAB_FIXTURES");
	snprintf(buf, len, "%s/pcap/%s", dir ? dir : "tests/fixtures", name);
}

struct counts {
	unsigned frames, udp, tcp, icmp, icmp_quoting_udp, problems;
	int64_t first_ts_ns;
	enum rtclab_capture_status last;
	char err[RTCLAB_CAPTURE_ERRLEN];
};

static void count_packet(struct counts *c, const struct rtclab_packet *p)
{
	if (c->frames++ == 0)
		c->first_ts_ns = p->ts_ns;
	c->udp += p->l4 == RTCLAB_L4_UDP;
	c->tcp += p->l4 == RTCLAB_L4_TCP;
	c->icmp += p->l4 == RTCLAB_L4_ICMP;
	c->icmp_quoting_udp += p->l4 == RTCLAB_L4_ICMP && p->icmp.quoted_l4 == RTCLAB_L4_UDP;
	c->problems += p->n_problems > 0;
}

/* Read everything from an open capture. */
static void count_all(struct rtclab_capture *cap, struct counts *c)
{
	memset(c, 0, sizeof *c);
	struct rtclab_packet p;
	while ((c->last = rtclab_capture_next(cap, &p, c->err, sizeof c->err)) == RTCLAB_CAPTURE_PACKET)
		count_packet(c, &p);
}

static void test_corpus(void)
{
	for (size_t i = 0; i < N_EXPECTED; i++) {
		const struct expected *e = &EXPECTED[i];
		char path[1024], err[RTCLAB_CAPTURE_ERRLEN];
		fixture_path(path, sizeof path, e->file);
		struct rtclab_capture *cap = rtclab_capture_open_file(path, err, sizeof err);
		CHECKF(cap != NULL, "%s: %s", e->file, err);
		if (!cap)
			continue;
		CHECKF((int)rtclab_capture_linktype(cap) == e->linktype, "%s: link type %d", e->file,
		       (int)rtclab_capture_linktype(cap));
		struct counts c;
		count_all(cap, &c);
		CHECKF(c.last == RTCLAB_CAPTURE_END, "%s: %s", e->file, c.err);
		CHECKF(c.frames == e->frames && c.udp == e->udp && c.tcp == e->tcp && c.icmp == e->icmp &&
			       c.icmp_quoting_udp == e->icmp_quoting_udp,
		       "%s: frames %u udp %u tcp %u icmp %u (quoting udp %u); want %u %u %u %u (%u)", e->file, c.frames,
		       c.udp, c.tcp, c.icmp, c.icmp_quoting_udp, e->frames, e->udp, e->tcp, e->icmp,
		       e->icmp_quoting_udp);
		CHECKF(c.first_ts_ns == e->first_ts_ns, "%s: first frame at %" PRId64 ", want %" PRId64, e->file,
		       c.first_ts_ns, e->first_ts_ns);
		CHECKF(c.problems == e->problems, "%s: %u frames with problems, want %u", e->file, c.problems,
		       e->problems);
		struct rtclab_capture_stats st;
		rtclab_capture_stats(cap, &st);
		CHECKF(st.frames_read == e->frames && st.frames_filtered == 0, "%s: stats %" PRIu64, e->file,
		       st.frames_read);
		CU_ASSERT_EQUAL(rtclab_capture_next(cap, NULL, err, sizeof err), RTCLAB_CAPTURE_END);
		rtclab_capture_close(cap);
	}
}

/* "1556606275.726225000" to nanoseconds. */
static int64_t epoch_ns(const char *s)
{
	int64_t sec = 0, ns = 0;
	int digits = 0;
	for (; *s >= '0' && *s <= '9'; s++)
		sec = sec * 10 + (*s - '0');
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9' && digits < 9; s++, digits++)
			ns = ns * 10 + (*s - '0');
	for (; digits < 9; digits++)
		ns *= 10;
	return sec * 1000000000 + ns;
}

static bool has_token(const char *protocols, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = protocols; (p = strstr(p, name)) != NULL; p += n)
		if ((p == protocols || p[-1] == ':') && (p[n] == ':' || p[n] == '\t' || p[n] == '\n' || p[n] == '\0'))
			return true;
	return false;
}

/* tshark's counts for one file, classified as in EXPECTED. */
static bool tshark_counts(const char *path, struct counts *c)
{
	char cmd[1200], line[4096];
	snprintf(cmd, sizeof cmd, "tshark -r '%s' -T fields -e frame.protocols -e frame.time_epoch 2>/dev/null", path);
	FILE *f = popen(cmd, "r");
	if (!f)
		return false;
	memset(c, 0, sizeof *c);
	while (fgets(line, sizeof line, f)) {
		char *tab = strchr(line, '\t');
		if (tab)
			*tab = '\0';
		if (c->frames++ == 0 && tab)
			c->first_ts_ns = epoch_ns(tab + 1);
		bool icmp = has_token(line, "icmp") || has_token(line, "icmpv6"), udp = has_token(line, "udp");
		c->icmp += icmp;
		c->icmp_quoting_udp += icmp && udp;
		c->udp += !icmp && udp;
		c->tcp += !icmp && !udp && has_token(line, "tcp");
	}
	return pclose(f) == 0;
}

static void test_corpus_against_tshark(void)
{
	if (system("tshark -v >/dev/null 2>&1") != 0) {
		printf("\n    NOTICE: tshark is not installed: the live comparison is skipped "
		       "(the checked-in counts were still checked) ");
		return;
	}
	for (size_t i = 0; i < N_EXPECTED; i++) {
		char path[1024], err[RTCLAB_CAPTURE_ERRLEN];
		fixture_path(path, sizeof path, EXPECTED[i].file);
		struct counts t = {0}, c;
		CHECKF(tshark_counts(path, &t), "tshark -r %s failed", path);
		struct rtclab_capture *cap = rtclab_capture_open_file(path, err, sizeof err);
		CU_ASSERT_PTR_NOT_NULL_FATAL(cap);
		count_all(cap, &c);
		rtclab_capture_close(cap);
		CHECKF(c.frames == t.frames && c.udp == t.udp && c.tcp == t.tcp && c.icmp == t.icmp &&
			       c.icmp_quoting_udp == t.icmp_quoting_udp && c.first_ts_ns == t.first_ts_ns,
		       "%s: rtclab %u/%u/%u/%u/%u %" PRId64 ", tshark %u/%u/%u/%u/%u %" PRId64, EXPECTED[i].file,
		       c.frames, c.udp, c.tcp, c.icmp, c.icmp_quoting_udp, c.first_ts_ns, t.frames, t.udp, t.tcp,
		       t.icmp, t.icmp_quoting_udp, t.first_ts_ns);
	}
}

/* --- files in a temporary directory ------------------------------------------------------------ */

static char TMP[64];

static void tmp_path(char *buf, size_t len, const char *name)
{
	if (!TMP[0]) {
		strcpy(TMP, "/tmp/rtclab-capture-XXXXXX");
		CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(TMP));
	}
	snprintf(buf, len, "%s/%s", TMP, name);
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* The names in TMP, joined with spaces (sorted by nothing: for messages and counting). */
static unsigned list_tmp(char *out, size_t len)
{
	unsigned n = 0;
	out[0] = '\0';
	DIR *d = opendir(TMP);
	if (!d)
		return 0;
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (e->d_name[0] == '.')
			continue;
		n++;
		size_t k = strlen(out);
		snprintf(out + k, len - k, " %s", e->d_name);
	}
	closedir(d);
	return n;
}

static void remove_tmp_files(void)
{
	DIR *d = opendir(TMP);
	if (!d)
		return;
	char path[512];
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", TMP, e->d_name);
		if (unlink(path) != 0)
			rmdir(path);
	}
	closedir(d);
}

/* Open a file that must fail; its message must contain want. */
static void open_fails(const char *file, unsigned line, const char *path, const char *want)
{
	char err[RTCLAB_CAPTURE_ERRLEN] = "";
	struct rtclab_capture *cap = rtclab_capture_open_file(path, err, sizeof err);
	unit_check_at(cap == NULL && strstr(err, want) != NULL, file, line, "opening %s: \"%s\", want \"%s\"", path, err,
		 want);
	rtclab_capture_close(cap);
}
#define OPEN_FAILS(path, want) open_fails(__FILE__, __LINE__, (path), (want))

static uint8_t *read_fixture(const char *name, size_t *len)
{
	char rel[256];
	snprintf(rel, sizeof rel, "pcap/%s", name);
	return unit_fixture(rel, len);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void test_truncated(void)
{
	size_t len;
	uint8_t *buf = read_fixture("ndpi_stun_classic.pcap", &len); /* a classic little-endian pcap */
	size_t rec = 24;
	for (int i = 1; i < 10; i++) /* to the record of frame 10 */
		rec += 16 + le32(buf + rec + 8);
	uint32_t caplen10 = le32(buf + rec + 8);
	char path[512], err[RTCLAB_CAPTURE_ERRLEN], want[128];

	/* in the middle of frame 10's data */
	tmp_path(path, sizeof path, "cut-data.pcap");
	write_file(path, buf, rec + 16 + 5);
	struct rtclab_capture *cap = rtclab_capture_open_file(path, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cap);
	struct counts c;
	count_all(cap, &c);
	CU_ASSERT_EQUAL(c.frames, 9);
	CU_ASSERT_EQUAL(c.last, RTCLAB_CAPTURE_ERROR);
	snprintf(want, sizeof want, "frame 10: the file ends in the middle of a record (5 of %u bytes)", caplen10);
	CHECKF(strcmp(c.err, want) == 0, "\"%s\", want \"%s\"", c.err, want);
	CU_ASSERT_EQUAL(rtclab_capture_next(cap, NULL, err, sizeof err), RTCLAB_CAPTURE_END);
	rtclab_capture_close(cap);

	/* in the middle of frame 10's record header */
	tmp_path(path, sizeof path, "cut-header.pcap");
	write_file(path, buf, rec + 6);
	cap = rtclab_capture_open_file(path, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cap);
	count_all(cap, &c);
	CU_ASSERT_EQUAL(c.frames, 9);
	CHECKF(strcmp(c.err, "frame 10: the file ends in the middle of a record header (6 of 16 bytes)") == 0, "\"%s\"",
	       c.err);
	rtclab_capture_close(cap);

	/* in the file header */
	tmp_path(path, sizeof path, "cut-file-header.pcap");
	write_file(path, buf, 10);
	OPEN_FAILS(path, "the file ends inside the capture file header (10 of 24 bytes)");
	free(buf);

	/* a pcapng file cut in its interface description block, then in its thirteenth packet block */
	buf = read_fixture("ndpi_stun_zoom.pcapng", &len);
	tmp_path(path, sizeof path, "cut-idb.pcapng");
	write_file(path, buf, 100);
	OPEN_FAILS(path, "the file ends inside the pcapng section or interface header");
	tmp_path(path, sizeof path, "cut.pcapng");
	write_file(path, buf, 3000);
	cap = rtclab_capture_open_file(path, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cap);
	count_all(cap, &c);
	CU_ASSERT_EQUAL(c.frames, 12);
	CU_ASSERT_EQUAL(c.last, RTCLAB_CAPTURE_ERROR);
	CHECKF(strstr(c.err, "frame 13: the file ends in the middle of a pcapng block") != NULL, "\"%s\"", c.err);
	rtclab_capture_close(cap);
	free(buf);
	remove_tmp_files();
}

static void test_not_captures(void)
{
	char path[512];
	tmp_path(path, sizeof path, "empty.pcap");
	write_file(path, "", 0);
	OPEN_FAILS(path, "the file is empty");
	tmp_path(path, sizeof path, "text.pcap");
	write_file(path, "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n", 29);
	OPEN_FAILS(path, "not a pcap or pcapng capture");
	tmp_path(path, sizeof path, "missing.pcap");
	OPEN_FAILS(path, "No such file");

	/* a link type rtclab does not decode: written with libpcap itself */
	tmp_path(path, sizeof path, "user0.pcap");
	pcap_t *dead = pcap_open_dead(DLT_USER0, 65535);
	pcap_dumper_t *d = pcap_dump_open(dead, path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	struct pcap_pkthdr h = {.ts = {.tv_sec = 1700000000}, .caplen = 4, .len = 4};
	pcap_dump((u_char *)d, &h, (const u_char *)"abcd");
	pcap_dump_close(d);
	pcap_close(dead);
	OPEN_FAILS(path, "link type 147 is not one rtclab decodes");

	char err[RTCLAB_CAPTURE_ERRLEN] = "";
	struct rtclab_capture *cap = rtclab_capture_open_live("rtclab-no-such0", 0, false, err, sizeof err);
	CHECKF(cap == NULL && strstr(err, "rtclab-no-such0: cannot capture") != NULL, "\"%s\"", err);
	rtclab_capture_close(cap);
	remove_tmp_files();
}

/* --- pcapng with two link types ----------------------------------------------------------------- */

static void le(uint8_t *b, size_t *n, uint32_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		b[(*n)++] = (uint8_t)(v >> (8 * i));
}

static void block(uint8_t *b, size_t *n, uint32_t type, const uint8_t *body, size_t len)
{
	size_t padded = (len + 3) & ~(size_t)3, total = 12 + padded;
	le(b, n, type, 4);
	le(b, n, (uint32_t)total, 4);
	memset(b + *n, 0, padded);
	memcpy(b + *n, body, len);
	*n += padded;
	le(b, n, (uint32_t)total, 4);
}

static void idb(uint8_t *b, size_t *n, uint16_t linktype)
{
	uint8_t body[8];
	size_t k = 0;
	le(body, &k, linktype, 2);
	le(body, &k, 0, 2);
	le(body, &k, 65535, 4);
	block(b, n, 1, body, k);
}

static void epb(uint8_t *b, size_t *n, uint32_t ifid, const uint8_t *data, size_t len)
{
	uint8_t body[256];
	size_t k = 0;
	le(body, &k, ifid, 4);
	le(body, &k, 0, 4);
	le(body, &k, 1000000, 4); /* 1 s in microseconds (the default resolution) */
	le(body, &k, (uint32_t)len, 4);
	le(body, &k, (uint32_t)len, 4);
	memcpy(body + k, data, len);
	block(b, n, 6, body, k + len);
}

/* The libpcap 1.10 limitation documented in capture.h: an interface with a
 * second link type stops the reading, after the frames before it. */
static void test_pcapng_two_linktypes(void)
{
	static const uint8_t ip[] = {0x45, 0, 0, 28, 0, 1, 0, 0, 64, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2,
				     0x04, 0xd2, 0x16, 0x2e, 0, 8, 0, 0};
	uint8_t eth[14 + sizeof ip] = {[12] = 0x08, [13] = 0x00};
	memcpy(eth + 14, ip, sizeof ip);
	uint8_t file[1024], shb[16];
	size_t n = 0, k = 0;
	le(shb, &k, 0x1A2B3C4D, 4);
	le(shb, &k, 1, 2);
	le(shb, &k, 0, 2);
	le(shb, &k, 0xFFFFFFFF, 4);
	le(shb, &k, 0xFFFFFFFF, 4);
	block(file, &n, 0x0A0D0D0A, shb, k);
	idb(file, &n, 1);
	epb(file, &n, 0, eth, sizeof eth);
	idb(file, &n, 101);
	epb(file, &n, 1, ip, sizeof ip);
	char path[512], err[RTCLAB_CAPTURE_ERRLEN];
	tmp_path(path, sizeof path, "two-linktypes.pcapng");
	write_file(path, file, n);
	struct rtclab_capture *cap = rtclab_capture_open_file(path, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cap);
	struct rtclab_packet p;
	CU_ASSERT_EQUAL_FATAL(rtclab_capture_next(cap, &p, err, sizeof err), RTCLAB_CAPTURE_PACKET);
	CU_ASSERT_EQUAL(p.l4, RTCLAB_L4_UDP);
	CU_ASSERT_EQUAL(p.ts_ns, 1000000000);
	/* rtclab's pcapng reader gives the second packet its own interface's link type (raw IP). */
	CU_ASSERT_EQUAL_FATAL(rtclab_capture_next(cap, &p, err, sizeof err), RTCLAB_CAPTURE_PACKET);
	CU_ASSERT_EQUAL(p.frame, 2);
	CU_ASSERT_EQUAL(p.linktype, RTCLAB_LINK_RAW);
	CU_ASSERT_EQUAL(p.l4, RTCLAB_L4_UDP);
	CU_ASSERT_EQUAL(p.dst.port, 5678);
	CU_ASSERT_EQUAL(rtclab_capture_next(cap, &p, err, sizeof err), RTCLAB_CAPTURE_END);
	rtclab_capture_close(cap);
	remove_tmp_files();
}

/* --- filter, standard input ----------------------------------------------------------------------- */

static void test_filter_keeps_frame_numbers(void)
{
	char path[1024], err[RTCLAB_CAPTURE_ERRLEN];
	/* ndpi_stun.pcap would not do: its frames are VLAN-tagged, and BPF's "tcp"
	 * matches only untagged frames ("vlan and tcp" the tagged ones), as in tcpdump */
	fixture_path(path, sizeof path, "ndpi_stun_dtls_rtp.pcapng");
	uint64_t tcp_frames[64];
	size_t n_tcp = 0;
	struct rtclab_capture *cap = rtclab_capture_open_file(path, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cap);
	struct rtclab_packet p;
	while (rtclab_capture_next(cap, &p, err, sizeof err) == RTCLAB_CAPTURE_PACKET) {
		if (p.l4 == RTCLAB_L4_TCP && n_tcp < 64)
			tcp_frames[n_tcp++] = p.frame;
	}
	rtclab_capture_close(cap);
	CU_ASSERT_EQUAL_FATAL(n_tcp, 63);

	cap = rtclab_capture_open_file(path, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cap);
	CU_ASSERT_TRUE_FATAL(rtclab_capture_set_filter(cap, "tcp", err, sizeof err));
	size_t i = 0;
	while (rtclab_capture_next(cap, &p, err, sizeof err) == RTCLAB_CAPTURE_PACKET) {
		CHECKF(i < n_tcp && p.frame == tcp_frames[i] && p.l4 == RTCLAB_L4_TCP, "filtered packet %zu is frame %" PRIu64,
		       i, p.frame);
		i++;
	}
	CU_ASSERT_EQUAL(i, 63);
	struct rtclab_capture_stats st;
	rtclab_capture_stats(cap, &st);
	CU_ASSERT_EQUAL(st.frames_read, 102);
	CU_ASSERT_EQUAL(st.frames_filtered, 102 - 63);
	rtclab_capture_close(cap);

	/* the VLAN-tagged file: its one ICMP error, at its own frame number */
	fixture_path(path, sizeof path, "ndpi_stun.pcap");
	cap = rtclab_capture_open_file(path, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cap);
	uint64_t icmp_frame = 0;
	while (rtclab_capture_next(cap, &p, err, sizeof err) == RTCLAB_CAPTURE_PACKET)
		if (p.l4 == RTCLAB_L4_ICMP)
			icmp_frame = p.frame;
	rtclab_capture_close(cap);
	cap = rtclab_capture_open_file(path, err, sizeof err);
	CU_ASSERT_TRUE_FATAL(rtclab_capture_set_filter(cap, "icmp or (vlan and icmp)", err, sizeof err));
	CU_ASSERT_EQUAL(rtclab_capture_next(cap, &p, err, sizeof err), RTCLAB_CAPTURE_PACKET);
	CU_ASSERT_EQUAL(p.frame, icmp_frame);
	CU_ASSERT_EQUAL(p.l4, RTCLAB_L4_ICMP);
	CU_ASSERT_EQUAL(rtclab_capture_next(cap, &p, err, sizeof err), RTCLAB_CAPTURE_END);
	CU_ASSERT_FALSE(rtclab_capture_set_filter(cap, "udp and and", err, sizeof err));
	CHECKF(strncmp(err, "filter \"udp and and\": ", 22) == 0, "\"%s\"", err);
	rtclab_capture_close(cap);
}

static void test_stdin(void)
{
	char path[1024], err[RTCLAB_CAPTURE_ERRLEN];
	fixture_path(path, sizeof path, "ndpi_stun_zoom.pcapng");
	int saved = dup(STDIN_FILENO), fd = open(path, O_RDONLY);
	CU_ASSERT_FATAL(saved >= 0 && fd >= 0);
	dup2(fd, STDIN_FILENO);
	close(fd);
	struct rtclab_capture *cap = rtclab_capture_open_file("-", err, sizeof err);
	CHECKF(cap != NULL, "%s", err);
	if (cap) {
		struct counts c;
		count_all(cap, &c);
		CU_ASSERT_EQUAL(c.frames, 70);
		CU_ASSERT_EQUAL(c.first_ts_ns, 1661169535535091486);
		rtclab_capture_close(cap);
	}
	dup2(saved, STDIN_FILENO);
	close(saved);

	tmp_path(path, sizeof path, "empty");
	write_file(path, "", 0);
	saved = dup(STDIN_FILENO);
	fd = open(path, O_RDONLY);
	dup2(fd, STDIN_FILENO);
	close(fd);
	OPEN_FAILS("-", "standard input: the file is empty");
	dup2(saved, STDIN_FILENO);
	close(saved);
	remove_tmp_files();
}

/* --- the writer ------------------------------------------------------------------------------------- */

static void test_writer_round_trip(void)
{
	char in[1024], out[512], err[RTCLAB_CAPTURE_ERRLEN], names[512];
	fixture_path(in, sizeof in, "ndpi_stun_zoom.pcapng"); /* nanosecond timestamps */
	tmp_path(out, sizeof out, "copy.pcap");
	struct rtclab_capture *cap = rtclab_capture_open_file(in, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cap);
	struct rtclab_pcap_writer *w =
		rtclab_pcap_writer_open(out, rtclab_capture_linktype(cap), rtclab_capture_snaplen(cap), err, sizeof err);
	CHECKF(w != NULL, "%s", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	struct stat sb;
	CU_ASSERT_NOT_EQUAL(stat(out, &sb), 0); /* nothing at the final path before close */
	struct rtclab_packet p;
	int64_t ts[70];
	size_t n = 0;
	while (rtclab_capture_next(cap, &p, err, sizeof err) == RTCLAB_CAPTURE_PACKET) {
		if (n < 70)
			ts[n] = p.ts_ns;
		n++;
		CU_ASSERT_TRUE(rtclab_pcap_writer_write(w, &p));
	}
	rtclab_capture_close(cap);
	CHECKF(rtclab_pcap_writer_close(w, err, sizeof err), "%s", err);
	CHECKF(list_tmp(names, sizeof names) == 1, "files left:%s", names);

	cap = rtclab_capture_open_file(out, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cap);
	struct counts c;
	size_t k = 0;
	memset(&c, 0, sizeof c);
	while (rtclab_capture_next(cap, &p, err, sizeof err) == RTCLAB_CAPTURE_PACKET) {
		CHECKF(k < 70 && p.ts_ns == ts[k], "frame %zu: time %" PRId64, k + 1, p.ts_ns);
		k++;
		count_packet(&c, &p);
	}
	CU_ASSERT_EQUAL(k, 70);
	CU_ASSERT_EQUAL(c.udp, 70);
	rtclab_capture_close(cap);
	remove_tmp_files();
}

/* Raw IPv4 fragments written with the writer (LINKTYPE_RAW) and read back:
 * one datagram reassembled, one reported at the end. */
static void test_writer_raw_and_reassembly_reports(void)
{
	char out[512], err[RTCLAB_CAPTURE_ERRLEN];
	tmp_path(out, sizeof out, "frags.pcap");
	struct rtclab_pcap_writer *w = rtclab_pcap_writer_open(out, RTCLAB_LINK_RAW, 0, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	static const uint8_t udp[24] = {0x13, 0x88, 0x0d, 0x96, 0, 24, 0, 0, 'p', 'a', 'y', 'l',
					'o',  'a',  'd',  ' ',  'b', 'y', 't', 'e', 's', '!', '!', '!'};
	/* datagram 1 in two fragments, sent second first; datagram 2: only its first fragment */
	struct {
		uint16_t id, frag;
		size_t from, to;
	} parts[] = {{1, 2, 16, 24}, {1, 0x2000, 0, 16}, {2, 0x2000, 0, 16}};
	for (size_t i = 0; i < 3; i++) {
		uint8_t f[64] = {0x45, 0, 0, 0, 0, 0, 0, 0, 64, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2};
		size_t len = 20 + parts[i].to - parts[i].from;
		f[3] = (uint8_t)len;
		f[5] = (uint8_t)parts[i].id;
		f[6] = (uint8_t)(parts[i].frag >> 8);
		f[7] = (uint8_t)parts[i].frag;
		memcpy(f + 20, udp + parts[i].from, parts[i].to - parts[i].from);
		struct rtclab_packet p = {.ts_ns = 1700000000000000001 + (int64_t)i,
					  .data = {f, len},
					  .wire_len = (uint32_t)len};
		CU_ASSERT_TRUE(rtclab_pcap_writer_write(w, &p));
	}
	CU_ASSERT_TRUE_FATAL(rtclab_pcap_writer_close(w, err, sizeof err));

	struct rtclab_capture *cap = rtclab_capture_open_file(out, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cap);
	CU_ASSERT_EQUAL(rtclab_capture_linktype(cap), RTCLAB_LINK_RAW);
	struct rtclab_packet p;
	CU_ASSERT_EQUAL(rtclab_capture_next(cap, &p, err, sizeof err), RTCLAB_CAPTURE_PACKET);
	CU_ASSERT_TRUE(p.fragment);
	CU_ASSERT_EQUAL(p.ts_ns, 1700000000000000001);
	CU_ASSERT_EQUAL(rtclab_capture_next(cap, &p, err, sizeof err), RTCLAB_CAPTURE_PACKET);
	CU_ASSERT_TRUE(p.reassembled);
	CU_ASSERT_EQUAL(p.l4, RTCLAB_L4_UDP);
	CU_ASSERT_EQUAL(p.dst.port, 3478);
	CU_ASSERT_TRUE(p.payload.len == 16 && memcmp(p.payload.ptr, "payload bytes!!!", 16) == 0);
	CU_ASSERT_EQUAL(rtclab_capture_next(cap, &p, err, sizeof err), RTCLAB_CAPTURE_PACKET);
	CU_ASSERT_EQUAL(p.frame, 3);
	struct rtclab_defrag_report rep;
	CU_ASSERT_FALSE(rtclab_defrag_next_report(rtclab_capture_defrag(cap), &rep));
	CU_ASSERT_EQUAL(rtclab_capture_next(cap, &p, err, sizeof err), RTCLAB_CAPTURE_END);
	CU_ASSERT_TRUE_FATAL(rtclab_defrag_next_report(rtclab_capture_defrag(cap), &rep));
	CU_ASSERT_EQUAL(rep.reason, RTCLAB_DEFRAG_END);
	CU_ASSERT_EQUAL(rep.first_frame, 3);
	CU_ASSERT_EQUAL(rep.id, 2);
	CU_ASSERT_FALSE(rtclab_defrag_next_report(rtclab_capture_defrag(cap), &rep));
	rtclab_capture_close(cap);
	remove_tmp_files();
}

static void test_writer_failures(void)
{
	char path[512], err[RTCLAB_CAPTURE_ERRLEN] = "", names[512];
	/* a directory that does not exist */
	tmp_path(path, sizeof path, "no-such-dir/out.pcap");
	CU_ASSERT_PTR_NULL(rtclab_pcap_writer_open(path, RTCLAB_LINK_ETHERNET, 0, err, sizeof err));
	CHECKF(strstr(err, "cannot create") != NULL, "\"%s\"", err);
	/* a link type rtclab does not read */
	tmp_path(path, sizeof path, "out.pcap");
	CU_ASSERT_PTR_NULL(rtclab_pcap_writer_open(path, (enum rtclab_linktype)147, 0, err, sizeof err));
	CU_ASSERT_EQUAL(list_tmp(names, sizeof names), 0);

	/* failing at the end: the path is a directory, so the rename fails; nothing is left */
	tmp_path(path, sizeof path, "taken");
	CU_ASSERT_EQUAL_FATAL(mkdir(path, 0755), 0);
	struct rtclab_pcap_writer *w = rtclab_pcap_writer_open(path, RTCLAB_LINK_ETHERNET, 0, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_EQUAL(list_tmp(names, sizeof names), 2); /* "taken" and the temporary file */
	uint8_t frame[60] = {0};
	struct rtclab_packet p = {.data = {frame, sizeof frame}, .wire_len = sizeof frame};
	CU_ASSERT_TRUE(rtclab_pcap_writer_write(w, &p));
	CU_ASSERT_FALSE(rtclab_pcap_writer_close(w, err, sizeof err));
	CHECKF(strstr(err, "cannot put the file in place") != NULL, "\"%s\"", err);
	CHECKF(list_tmp(names, sizeof names) == 1, "files left:%s", names);

	/* discarded: nothing left */
	tmp_path(path, sizeof path, "discarded.pcap");
	w = rtclab_pcap_writer_open(path, RTCLAB_LINK_ETHERNET, 0, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_TRUE(rtclab_pcap_writer_write(w, &p));
	rtclab_pcap_writer_discard(w);
	CHECKF(list_tmp(names, sizeof names) == 1, "files left:%s", names);
	remove_tmp_files();
	rmdir(TMP);
	TMP[0] = '\0';
}

RTCLAB_SUITE(capture)
{
	static const struct unit_test tests[] = {
		{"every corpus capture: counts, link type, first time", test_corpus},
		{"every corpus capture against tshark", test_corpus_against_tshark},
		{"truncated files", test_truncated},
		{"empty, not a capture, unknown link type", test_not_captures},
		{"pcapng with two link types", test_pcapng_two_linktypes},
		{"BPF filter keeps frame numbers", test_filter_keeps_frame_numbers},
		{"standard input", test_stdin},
		{"writer round trip, nanoseconds", test_writer_round_trip},
		{"writer raw IP, reassembly reports", test_writer_raw_and_reassembly_reports},
		{"writer leaves no partial file", test_writer_failures},
		{NULL, NULL},
	};
	unit_add_suite("capture", tests);
}
