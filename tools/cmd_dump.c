/* rtclab dump: the WebRTC messages of a capture (file, standard input or a
 * live interface), one line each like tcpdump, a decoded tree with -v,
 * JSON Lines with --json, counts with --stats. */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <stddef.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rtclab/capture.h"
#include "rtclab/demux.h"
#include "rtclab/demux_json.h"
#include "rtclab/events.h"
#include "rtclab/packet.h"
#include "rtclab/stun_json.h"
#include "rtclab/candidate_json.h"
#include "rtclab/sdp_json.h"
#include "rtclab/signal.h"
#include "rtclab/tcp.h"
#include "rtclab/websocket.h"
#include "tool.h"

void usage_dump(FILE *out)
{
	fputs("usage: rtclab dump [options] FILE|- [FILTER...]\n"
	      "       rtclab dump [options] -i INTERFACE [FILTER...]\n"
	      "\n"
	      "Show the WebRTC messages of a capture, one line each: STUN and TURN (over UDP\n"
	      "and TCP), ChannelData, DTLS, RTP, RTCP, the ICMP errors that quote them, and\n"
	      "the signaling (offers, answers, candidates) in WebSocket messages and HTTP\n"
	      "bodies, from reassembled TCP streams.  FILE is a pcap or pcapng file; FILTER\n"
	      "a BPF expression as tcpdump takes it (pcap-filter(7)).\n"
	      "\n"
	      "  -i, --interface IF   capture live on interface IF (needs root or CAP_NET_RAW)\n"
	      "  -r, --read FILE      read FILE (the same as giving it first)\n"
	      "  -c, --count N        stop after N frames that carried a message shown\n"
	      "  -v, --verbose        also the decoded fields, explained (STUN as a tree)\n"
	      "      --brief          with -v: no explanations\n"
	      "      --json           one JSON object per message (JSON Lines, docs/json.md)\n"
	      "      --only LIST      only these: stun, turn, dtls, rtp, rtcp, icmp, signal, other\n"
	      "                       (comma-separated; turn = TURN methods and ChannelData)\n"
	      "  -w, --write FILE     write the frames of the messages shown to a pcap file\n"
	      "      --stats          decode everything, print counts instead of messages\n"
	      "      --password P     verify STUN MESSAGE-INTEGRITY (as in rtclab stun decode)\n"
	      "      --username U, --realm R, --long-term   long-term credentials (TURN)\n"
	      "      --color WHEN     auto (default), always or never\n"
	      "\n"
	      "Exit status: 0 the capture was read to its end, 1 it could not be read (or\n"
	      "not to its end: every frame before the damage is still shown), 2 usage error.\n",
	      out);
}

enum only_bits {
	ONLY_STUN = 1 << 0,
	ONLY_TURN = 1 << 1,
	ONLY_DTLS = 1 << 2,
	ONLY_RTP = 1 << 3,
	ONLY_RTCP = 1 << 4,
	ONLY_ICMP = 1 << 5,
	ONLY_OTHER = 1 << 6,
	ONLY_SIGNAL = 1 << 7, /* HTTP, WebSocket and the signaling they carry */
	ONLY_ALL = (1 << 8) - 1,
};

struct dump_opts {
	const char *file, *iface, *write;
	char *filter;
	long count;
	bool verbose, explain, json, stats;
	unsigned only;
	struct rtclab_stun_credentials cred;
	struct style st;
};

/* --- counts for --stats ---------------------------------------------------------- */

#define MAX_FLOWS 4096
#define FLOW_SLOTS 8192 /* the hash index of flows[]: a power of two above MAX_FLOWS */

struct flow_count {
	struct rtclab_addr a, b;
	enum rtclab_l4 l4;
	uint64_t messages, bytes;
};

struct stats {
	uint64_t frames, udp, tcp, icmp, not_ip, fragments, problems;
	uint64_t proto[RTCLAB_DEMUX_OTHER + 1];
	uint64_t tunnelled;
	uint64_t stun[4096][4];  /* [method][class] */
	uint64_t dtls_types[256], dtls_handshakes[256];
	uint64_t rtp, rtcp_types[256];
	uint64_t icmp_errors;
	uint64_t signal[RTCLAB_SIGNAL_END_OF_CANDIDATES + 1];
	size_t n_flows;
	uint64_t flows_dropped;
	struct flow_count flows[MAX_FLOWS];
	uint16_t flow_index[FLOW_SLOTS]; /* 0 free, else 1 + an index in flows[] */
};

struct dump {
	struct dump_opts o;
	struct rtclab_capture *cap;
	struct rtclab_pcap_writer *writer;
	struct stats *stats;
	long shown;
	struct rtclab_events *events;
	const struct rtclab_packet *current; /* the frame being decoded (events come inside it) */
	bool current_shown;
	bool warned_linktype;
};

static volatile sig_atomic_t interrupted;
static struct rtclab_capture *live_cap;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
	if (live_cap)
		rtclab_capture_break(live_cap);
}

/* -w: a pcap file holds one link type; frames of another (a pcapng file's
 * other interfaces) are left out, with one warning. */
static void write_frame(struct dump *d, const struct rtclab_packet *p)
{
	if (!d->writer)
		return;
	if (p->linktype != rtclab_capture_linktype(d->cap)) {
		if (!d->warned_linktype)
			fprintf(stderr, "rtclab dump: warning: frame %llu has link type %d; a pcap file holds one link "
					"type (%d), so frames of other interfaces are not written\n",
				(unsigned long long)p->frame, (int)p->linktype, (int)rtclab_capture_linktype(d->cap));
		d->warned_linktype = true;
		return;
	}
	if (!rtclab_pcap_writer_write(d->writer, p))
		interrupted = 1;
}

/* --- options ---------------------------------------------------------------------- */

static bool parse_only(const char *list, unsigned *bits)
{
	static const struct {
		const char *name;
		unsigned bit;
	} names[] = {{"stun", ONLY_STUN}, {"turn", ONLY_TURN}, {"dtls", ONLY_DTLS}, {"rtp", ONLY_RTP},
		     {"rtcp", ONLY_RTCP}, {"icmp", ONLY_ICMP}, {"other", ONLY_OTHER}, {"signal", ONLY_SIGNAL}};
	*bits = 0;
	const char *p = list;
	while (*p) {
		size_t n = strcspn(p, ",");
		bool found = false;
		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
			if (strlen(names[i].name) == n && strncmp(p, names[i].name, n) == 0) {
				*bits |= names[i].bit;
				found = true;
			}
		if (!found) {
			fprintf(stderr, "rtclab dump: --only: unknown kind '%.*s' (stun, turn, dtls, rtp, rtcp, icmp, signal, other)\n",
				(int)n, p);
			return false;
		}
		p += n + (p[n] == ',');
	}
	return *bits != 0;
}

static char *join_args(int argc, char **argv)
{
	size_t n = 1;
	for (int i = 0; i < argc; i++)
		n += strlen(argv[i]) + 1;
	char *s = calloc(1, n);
	for (int i = 0; s && i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

static int parse_opts(struct dump_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"interface", required_argument, NULL, 'i'}, {"read", required_argument, NULL, 'r'},
		{"count", required_argument, NULL, 'c'},     {"verbose", no_argument, NULL, 'v'},
		{"brief", no_argument, NULL, 'b'},           {"json", no_argument, NULL, 'j'},
		{"only", required_argument, NULL, 'o'},      {"write", required_argument, NULL, 'w'},
		{"stats", no_argument, NULL, 's'},           {"password", required_argument, NULL, 'p'},
		{"username", required_argument, NULL, 'u'},  {"realm", required_argument, NULL, 'R'},
		{"long-term", no_argument, NULL, 'L'},       {"color", required_argument, NULL, 'C'},
		{"colour", required_argument, NULL, 'C'},    {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *color = "auto";
	memset(o, 0, sizeof *o);
	o->explain = true;
	o->only = ONLY_ALL;
	o->count = -1;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "+i:r:c:vw:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'i': o->iface = optarg; break;
		case 'r': o->file = optarg; break;
		case 'c': {
			char *end;
			o->count = strtol(optarg, &end, 10);
			if (*end || o->count <= 0) {
				fprintf(stderr, "rtclab dump: -c takes a positive number, not '%s'\n", optarg);
				return -1;
			}
			break;
		}
		case 'v': o->verbose = true; break;
		case 'b': o->explain = false; break;
		case 'j': o->json = true; break;
		case 'o':
			if (!parse_only(optarg, &o->only))
				return -1;
			break;
		case 'w': o->write = optarg; break;
		case 's': o->stats = true; break;
		case 'p': o->cred.password = optarg; break;
		case 'u': o->cred.username = optarg; break;
		case 'R': o->cred.realm = optarg; break;
		case 'L': o->cred.long_term = true; break;
		case 'C': color = optarg; break;
		case 'h': usage_dump(stdout); exit(EXIT_CLEAN);
		default: return -1;
		}
	}
	if (!style_init(&o->st, stdout, color)) {
		fprintf(stderr, "rtclab dump: --color takes auto, always or never, not '%s'\n", color);
		return -1;
	}
	if ((o->cred.username || o->cred.realm || o->cred.long_term) && !o->cred.password) {
		fprintf(stderr, "rtclab dump: --username, --realm and --long-term need --password\n");
		return -1;
	}
	if (!o->iface && !o->file) {
		if (optind >= argc) {
			fprintf(stderr, "rtclab dump: give a capture FILE, - for standard input, or -i INTERFACE\n");
			return -1;
		}
		o->file = argv[optind++];
	}
	if (o->iface && o->file) {
		fprintf(stderr, "rtclab dump: give either a FILE or -i INTERFACE, not both\n");
		return -1;
	}
	if (o->json && o->stats) {
		fprintf(stderr, "rtclab dump: --json and --stats do not go together\n");
		return -1;
	}
	if (optind < argc && !(o->filter = join_args(argc - optind, argv + optind)))
		return -1;
	return 0;
}

/* --- words ------------------------------------------------------------------------- */

static void format_time(int64_t ns, char *buf, size_t len)
{
	time_t s = (time_t)(ns / 1000000000);
	struct tm tm;
	gmtime_r(&s, &tm);
	snprintf(buf, len, "%02d:%02d:%02d.%06ld", tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (long)((ns % 1000000000) / 1000));
}

static json_t *iso_time(int64_t ns)
{
	char date[32], buf[48];
	time_t s = (time_t)(ns / 1000000000);
	struct tm tm;
	gmtime_r(&s, &tm);
	strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, sizeof buf, "%s.%06ldZ", date, (long)((ns % 1000000000) / 1000));
	return json_string(buf);
}

/* RFC 792 and RFC 4443 names of the errors a student meets. */
static const char *icmp_name(int ip_version, uint8_t type, uint8_t code)
{
	if (ip_version == 6) {
		switch (type) {
		case 1:
			return code == 4 ? "destination unreachable (port unreachable)"
			       : code == 1 ? "destination unreachable (administratively prohibited)"
			       : code == 3 ? "destination unreachable (address unreachable)"
					   : "destination unreachable";
		case 2: return "packet too big";
		case 3: return "time exceeded";
		case 4: return "parameter problem";
		case 128: return "echo request";
		case 129: return "echo reply";
		case 133: return "router solicitation";
		case 134: return "router advertisement";
		case 135: return "neighbor solicitation";
		case 136: return "neighbor advertisement";
		default: return "ICMPv6 message";
		}
	}
	switch (type) {
	case 0: return "echo reply";
	case 3:
		switch (code) {
		case 0: return "destination unreachable (net unreachable)";
		case 1: return "destination unreachable (host unreachable)";
		case 3: return "destination unreachable (port unreachable)";
		case 4: return "destination unreachable (fragmentation needed)";
		case 13: return "destination unreachable (administratively prohibited)";
		default: return "destination unreachable";
		}
	case 8: return "echo request";
	case 11: return "time exceeded";
	case 12: return "parameter problem";
	default: return "ICMP message";
	}
}

/* Which --only kind a demux result is. */
static unsigned kind_of(const struct rtclab_demux_result *r)
{
	switch (r->proto) {
	case RTCLAB_DEMUX_STUN: {
		uint16_t m = r->u.stun.method;
		return m == RTCLAB_STUN_BINDING || m == RTCLAB_STUN_GOOG_PING || m == RTCLAB_STUN_SHARED_SECRET
			       ? ONLY_STUN
			       : ONLY_TURN;
	}
	case RTCLAB_DEMUX_CHANNELDATA: return ONLY_TURN;
	case RTCLAB_DEMUX_DTLS: return ONLY_DTLS;
	case RTCLAB_DEMUX_RTP: return ONLY_RTP;
	case RTCLAB_DEMUX_RTCP: return ONLY_RTCP;
	default: return ONLY_OTHER;
	}
}

/* Attributes worth a place on a one-line summary. */
static void stun_summary(FILE *out, const struct rtclab_stun_msg *m)
{
	char title[64], ip[RTCLAB_ADDR_STRLEN];
	rtclab_stun_message_title(m->method, m->cls, title, sizeof title);
	fprintf(out, "STUN %s%s txn=", title, m->magic_cookie ? "" : " (RFC 3489)");
	for (size_t i = 0; i < m->transaction_id_len && i < 6; i++)
		fprintf(out, "%02x", m->transaction_id[i]);
	fputs("...", out);
	for (size_t i = 0; i < m->n_attrs; i++) {
		const struct rtclab_stun_attr *a = &m->attrs[i];
		const char *name = rtclab_stun_attr_name(a->type);
		if (!a->ok || !name)
			continue;
		switch (a->kind) {
		case RTCLAB_STUN_KIND_ADDRESS:
		case RTCLAB_STUN_KIND_XOR_ADDRESS:
			fprintf(out, " %s=%s", name, rtclab_addr_format(&a->v.addr, ip, sizeof ip));
			break;
		case RTCLAB_STUN_KIND_ERROR_CODE:
			fprintf(out, " ERROR-CODE=%u", a->v.error.code);
			break;
		case RTCLAB_STUN_KIND_EMPTY:
			fprintf(out, " %s", name);
			break;
		case RTCLAB_STUN_KIND_CHANNEL_NUMBER:
			fprintf(out, " CHANNEL-NUMBER=0x%04x", a->v.u32);
			break;
		case RTCLAB_STUN_KIND_U64:
			if (a->type == RTCLAB_STUN_ATTR_ICE_CONTROLLING || a->type == RTCLAB_STUN_ATTR_ICE_CONTROLLED)
				fprintf(out, " %s", name);
			break;
		case RTCLAB_STUN_KIND_U32:
			if (a->type == RTCLAB_STUN_ATTR_PRIORITY || a->type == RTCLAB_STUN_ATTR_LIFETIME)
				fprintf(out, " %s=%u", name, a->v.u32);
			break;
		case RTCLAB_STUN_KIND_TEXT:
			if (a->type == RTCLAB_STUN_ATTR_USERNAME || a->type == RTCLAB_STUN_ATTR_REALM)
				fprintf(out, " %s=%.*s", name, (int)(a->v.text.len > 64 ? 64 : a->v.text.len),
					rtclab_utf8_valid(a->v.text.ptr, a->v.text.len) ? (const char *)a->v.text.ptr : "?");
			break;
		case RTCLAB_STUN_KIND_TRANSPORT:
			fprintf(out, " REQUESTED-TRANSPORT=%s", a->v.u32 == 17 ? "UDP" : a->v.u32 == 6 ? "TCP" : "?");
			break;
		default:
			break;
		}
	}
	if (m->n_problems_total)
		fprintf(out, " [%zu problem%s]", m->n_problems_total, m->n_problems_total == 1 ? "" : "s");
}

static void dtls_summary(FILE *out, const struct rtclab_dtls *d)
{
	char label[96];
	const struct rtclab_dtls_record *first = d->n_records ? &d->records[0] : NULL;
	const char *version = first && !first->unified ? rtclab_dtls_version_name(first->version) : NULL;
	if (!first || !first->unified) /* a unified record's label says "DTLS 1.3" itself */
		fprintf(out, "%s", version ? version : "DTLS");
	for (size_t i = 0; i < d->n_records; i++)
		fprintf(out, "%s%s", i ? ", " : " ", rtclab_dtls_record_label(&d->records[i], label, sizeof label));
	if (d->n_records_total > d->n_records)
		fprintf(out, ", ... (%zu records)", d->n_records_total);
	if (first && !first->unified)
		fprintf(out, " epoch=%u seq=%llu", first->epoch, (unsigned long long)first->sequence);
}

static void rtcp_summary(FILE *out, const struct rtclab_rtcp *r)
{
	fputs(r->srtcp ? "SRTCP" : "RTCP", out);
	for (size_t i = 0; i < r->n_packets; i++) {
		const char *name = rtclab_rtcp_type_name(r->packets[i].type);
		const char *fmt = rtclab_rtcp_fmt_name(&r->packets[i]);
		fprintf(out, "%s%s", i ? "," : " ", name ? name : "?");
		if (fmt)
			fprintf(out, "(%s)", fmt);
	}
	if (r->n_packets && r->packets[0].has_ssrc)
		fprintf(out, " ssrc=0x%08x", r->packets[0].ssrc);
}

/* The one-line summary of a demux result. */
static void result_summary(FILE *out, const struct rtclab_demux_result *r)
{
	switch (r->proto) {
	case RTCLAB_DEMUX_STUN:
		stun_summary(out, &r->u.stun);
		break;
	case RTCLAB_DEMUX_CHANNELDATA:
		fprintf(out, "TURN ChannelData channel=0x%04x length=%u%s", r->u.channeldata.channel,
			r->u.channeldata.length, r->channel_bound ? " (bound channel)" : "");
		break;
	case RTCLAB_DEMUX_DTLS:
		dtls_summary(out, &r->u.dtls);
		break;
	case RTCLAB_DEMUX_RTP:
		fprintf(out, "RTP pt=%u ssrc=0x%08x seq=%u ts=%u%s", r->u.rtp.payload_type, r->u.rtp.ssrc, r->u.rtp.seq,
			r->u.rtp.timestamp, r->u.rtp.marker ? " marker" : "");
		break;
	case RTCLAB_DEMUX_RTCP:
		rtcp_summary(out, &r->u.rtcp);
		break;
	default:
		fprintf(out, "%s, %zu bytes (%s)", rtclab_demux_proto_name(r->proto), r->bytes.len, r->why);
		break;
	}
}

/* --- verbose trees ------------------------------------------------------------------ */

static void print_demux_problems(FILE *out, const struct style *st, const struct rtclab_demux_result *r)
{
	const struct rtclab_demux_problems *ps = r->proto == RTCLAB_DEMUX_DTLS  ? &r->u.dtls.problems
						: r->proto == RTCLAB_DEMUX_RTP  ? &r->u.rtp.problems
						: r->proto == RTCLAB_DEMUX_RTCP ? &r->u.rtcp.problems
										: NULL;
	char text[256];
	for (size_t i = 0; ps && i < ps->n; i++)
		fprintf(out, "    %sproblem%s @%u: %s\n", st_bad(st), st_off(st), ps->p[i].offset,
			rtclab_demux_problem_format(&ps->p[i], text, sizeof text));
}

/* RFC 6347 4.1 record header, RFC 6347 4.2.2 handshake header, in words. */
static void print_dtls_tree(FILE *out, const struct style *st, const struct rtclab_dtls *d, bool explain)
{
	char label[96];
	for (size_t i = 0; i < d->n_records; i++) {
		const struct rtclab_dtls_record *rec = &d->records[i];
		const char *version = rtclab_dtls_version_name(rec->version);
		fprintf(out, "    record %zu @%u: %s%s%s", i + 1, rec->offset, st_bold(st),
			rtclab_dtls_record_label(rec, label, sizeof label), st_off(st));
		if (rec->unified)
			fprintf(out, ", unified header, epoch bits %u, %u-bit sequence number %llu", rec->epoch,
				rec->sequence_bits, (unsigned long long)rec->sequence);
		else
			fprintf(out, ", %s, epoch %u, sequence %llu", version ? version : "unknown version", rec->epoch,
				(unsigned long long)rec->sequence);
		fprintf(out, ", %u bytes%s\n", rec->length, rec->encrypted ? " (encrypted)" : "");
		for (size_t k = 0; k < rec->n_handshakes; k++) {
			const struct rtclab_dtls_handshake *h = &rec->handshakes[k];
			const char *name = rtclab_dtls_handshake_type_name(h->type);
			fprintf(out, "      %s: message %u, %u bytes", name ? name : "unknown handshake", h->message_seq,
				h->length);
			if (h->fragment_offset || h->fragment_length != h->length)
				fprintf(out, ", fragment of %u bytes at %u", h->fragment_length, h->fragment_offset);
			fputc('\n', out);
		}
		if (rec->has_alert) {
			const char *name = rtclab_dtls_alert_name(rec->alert_description);
			fprintf(out, "      alert: %s %s\n", rec->alert_level == 2 ? "fatal" : "warning",
				name ? name : "(unknown description)");
		}
		if (explain && d->n_records > 1) /* one record: the step's sentence below says it */
			print_wrapped(out, st, 6, rtclab_dtls_record_explain(rec));
	}
	if (d->n_records_total > d->n_records)
		fprintf(out, "    ... %zu records in all\n", d->n_records_total);
}

/* RFC 3550 5.1, RFC 8285. */
static void print_rtp_tree(FILE *out, const struct rtclab_rtp *rtp)
{
	fprintf(out, "    version %u, payload type %u%s, sequence number %u, timestamp %u, SSRC 0x%08x\n", rtp->version,
		rtp->payload_type, rtp->marker ? ", marker set (end of a frame, or talk spurt)" : "", rtp->seq,
		rtp->timestamp, rtp->ssrc);
	if (rtp->csrc_count) {
		fputs("    contributing sources:", out);
		for (unsigned i = 0; i < rtp->csrc_count && i < 15; i++)
			fprintf(out, " 0x%08x", rtp->csrc[i]);
		fputc('\n', out);
	}
	if (rtp->extension) {
		fprintf(out, "    header extension, profile 0x%04x (%s), %u words, ids:", rtp->ext_profile,
			rtp->ext_form == RTCLAB_RTP_EXT_ONE_BYTE   ? "RFC 8285 one-byte"
			: rtp->ext_form == RTCLAB_RTP_EXT_TWO_BYTE ? "RFC 8285 two-byte"
								   : "other",
			rtp->ext_words);
		for (size_t i = 0; i < rtp->n_ext_ids; i++)
			fprintf(out, " %u", rtp->ext_ids[i]);
		fputc('\n', out);
	}
	fprintf(out, "    header %zu bytes, payload %zu bytes%s (in WebRTC: SRTP, encrypted and authenticated)\n",
		rtp->header_size, rtp->payload.len, rtp->padding ? " with padding" : "");
}

/* RFC 3550 6, RFC 4585, RFC 3711 3.4. */
static void print_rtcp_tree(FILE *out, const struct rtclab_rtcp *r)
{
	for (size_t i = 0; i < r->n_packets; i++) {
		const struct rtclab_rtcp_packet *p = &r->packets[i];
		const char *name = rtclab_rtcp_type_name(p->type), *fmt = rtclab_rtcp_fmt_name(p);
		fprintf(out, "    packet %zu @%u: %s (%u)%s%s, %u words", i + 1, p->offset, name ? name : "unknown type",
			p->type, fmt ? " " : "", fmt ? fmt : "", p->length + 1u);
		if (p->has_ssrc)
			fprintf(out, ", SSRC 0x%08x", p->ssrc);
		if (p->has_media_ssrc)
			fprintf(out, ", about media SSRC 0x%08x", p->media_ssrc);
		fputc('\n', out);
	}
	if (r->srtcp)
		fprintf(out, "    SRTCP: the rest is encrypted%s%s; index %u, E flag %s\n", r->srtcp_layout ? ", " : "",
			r->srtcp_layout ? r->srtcp_layout : "", r->srtcp_index, r->srtcp_e ? "set" : "clear");
}

static void print_tree(struct dump *d, const struct rtclab_demux_result *r, const struct rtclab_stun_verdict *v)
{
	FILE *out = stdout;
	const struct style *st = &d->o.st;
	if (d->o.explain)
		print_wrapped(out, st, 4, r->why);
	if (r->proto == RTCLAB_DEMUX_STUN) {
		print_stun_text(out, st, &r->u.stun, v, d->o.explain);
		return;
	}
	if (r->proto == RTCLAB_DEMUX_CHANNELDATA) {
		print_channeldata_text(out, st, &r->u.channeldata, d->o.explain);
		return;
	}
	switch (r->proto) {
	case RTCLAB_DEMUX_DTLS:
		print_dtls_tree(out, st, &r->u.dtls, d->o.explain);
		break;
	case RTCLAB_DEMUX_RTP:
		print_rtp_tree(out, &r->u.rtp);
		break;
	case RTCLAB_DEMUX_RTCP:
		print_rtcp_tree(out, &r->u.rtcp);
		break;
	default:
		fprintf(out, "    %zu bytes:", r->bytes.len);
		for (size_t i = 0; i < r->bytes.len && i < 32; i++)
			fprintf(out, " %02x", r->bytes.ptr[i]);
		fputs(r->bytes.len > 32 ? " ...\n" : "\n", out);
		break;
	}
	print_demux_problems(out, st, r);
	if (d->o.explain) {
		struct rtclab_story story;
		rtclab_demux_story(r, &story);
		fprintf(out, "    %s\n", rtclab_step_title(story.step));
		print_wrapped(out, st, 4, story.why);
	}
}

/* --- one message ---------------------------------------------------------------------- */

static const char *transport_name(enum rtclab_l4 l4)
{
	return l4 == RTCLAB_L4_UDP ? "udp" : l4 == RTCLAB_L4_TCP ? "tcp" : l4 == RTCLAB_L4_ICMP ? "icmp" : "ip";
}

/* Where a line is from: the frame, time, transport and endpoints of an event
 * (for ICMP, filled from the frame by icmp_head()). */
static void line_head(struct dump *d, const struct rtclab_event *p)
{
	char t[32], s[RTCLAB_ADDR_STRLEN], ds[RTCLAB_ADDR_STRLEN];
	format_time(p->ts_ns, t, sizeof t);
	bool ports = p->l4 == RTCLAB_L4_UDP || p->l4 == RTCLAB_L4_TCP;
	fprintf(stdout, "%6llu %s %s%s%s > %s: ", (unsigned long long)p->frame, t, st_bold(&d->o.st),
		ports ? rtclab_addr_format(&p->src, s, sizeof s) : rtclab_addr_ip_format(&p->src, s, sizeof s),
		st_off(&d->o.st),
		ports ? rtclab_addr_format(&p->dst, ds, sizeof ds) : rtclab_addr_ip_format(&p->dst, ds, sizeof ds));
}

static json_t *message_json(const struct rtclab_event *p, const char *proto)
{
	char s[RTCLAB_ADDR_STRLEN];
	json_t *o = json_object();
	json_object_set_new(o, "frame", json_integer((json_int_t)p->frame));
	json_object_set_new(o, "time", iso_time(p->ts_ns));
	json_object_set_new(o, "ts", json_real((double)p->ts_ns / 1e9));
	json_object_set_new(o, "transport", json_string(transport_name(p->l4)));
	bool ports = p->l4 == RTCLAB_L4_UDP || p->l4 == RTCLAB_L4_TCP;
	json_object_set_new(o, "src", json_string(ports ? rtclab_addr_format(&p->src, s, sizeof s)
						       : rtclab_addr_ip_format(&p->src, s, sizeof s)));
	json_object_set_new(o, "dst", json_string(ports ? rtclab_addr_format(&p->dst, s, sizeof s)
						       : rtclab_addr_ip_format(&p->dst, s, sizeof s)));
	json_object_set_new(o, "proto", json_string(proto));
	return o;
}

static void emit_json(json_t *o)
{
	char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (text)
		puts(text);
	free(text);
	json_decref(o);
}

/* Count a message for --stats. */
static void count_result(struct stats *s, const struct rtclab_demux_result *r)
{
	s->proto[r->proto <= RTCLAB_DEMUX_OTHER ? r->proto : RTCLAB_DEMUX_OTHER]++;
	if (r->proto == RTCLAB_DEMUX_STUN)
		s->stun[r->u.stun.method & 0xFFF][r->u.stun.cls]++;
	else if (r->proto == RTCLAB_DEMUX_DTLS)
		for (size_t i = 0; i < r->u.dtls.n_records; i++) {
			const struct rtclab_dtls_record *rec = &r->u.dtls.records[i];
			s->dtls_types[rec->unified ? 0 : rec->content_type]++;
			for (size_t k = 0; k < rec->n_handshakes; k++)
				s->dtls_handshakes[rec->handshakes[k].type]++;
		}
	else if (r->proto == RTCLAB_DEMUX_RTP)
		s->rtp++;
	else if (r->proto == RTCLAB_DEMUX_RTCP)
		for (size_t i = 0; i < r->u.rtcp.n_packets; i++)
			s->rtcp_types[r->u.rtcp.packets[i].type]++;
}

/* A hash of an address and port, the same for either order of a flow's two ends. */
static uint32_t addr_hash(const struct rtclab_addr *a)
{
	size_t n = a->family == RTCLAB_FAMILY_IPV4 ? 4 : 16;
	uint32_t h = 2166136261u ^ (uint32_t)a->family ^ ((uint32_t)a->port << 8);
	for (size_t i = 0; i < n; i++)
		h = (h ^ a->ip[i]) * 16777619u;
	return h;
}

static void count_flow(struct stats *s, const struct rtclab_packet *p)
{
	uint32_t h = (addr_hash(&p->src) + addr_hash(&p->dst)) * 2654435761u ^ (uint32_t)p->l4;
	size_t slot = (h ^ (h >> 15)) & (FLOW_SLOTS - 1);
	for (uint16_t i; (i = s->flow_index[slot]) != 0; slot = (slot + 1) & (FLOW_SLOTS - 1)) {
		struct flow_count *f = &s->flows[i - 1];
		if (f->l4 == p->l4 && ((rtclab_addr_equal(&f->a, &p->src) && rtclab_addr_equal(&f->b, &p->dst)) ||
				       (rtclab_addr_equal(&f->a, &p->dst) && rtclab_addr_equal(&f->b, &p->src)))) {
			f->messages++;
			f->bytes += p->payload.len;
			return;
		}
	}
	if (s->n_flows == MAX_FLOWS) {
		s->flows_dropped++;
		return;
	}
	struct flow_count *f = &s->flows[s->n_flows++];
	f->a = p->src;
	f->b = p->dst;
	f->l4 = p->l4;
	f->messages = 1;
	f->bytes = p->payload.len;
	s->flow_index[slot] = (uint16_t)s->n_flows; /* index + 1; FLOW_SLOTS > MAX_FLOWS keeps a free slot */
}

/* --- JSON Lines without jansson for the bulk of a capture ---------------------------
 *
 * RTP, RTCP and ChannelData without problems are most of the lines of a
 * capture; building each as jansson objects and dumping them was most of
 * the time of --json.  They are written here directly, byte for byte what
 * message_json + rtclab_demux_result_json + emit_json write (the keys in the
 * same order, integers as "%lld", the ts real as jansson's "%.17g").
 * Anything else, or any text that would need escaping beyond \" and \\, goes
 * through jansson as before. */

struct jline {
	char buf[8192];
	size_t len;
	bool ok;
};

static void jl_mem(struct jline *j, const char *s, size_t n)
{
	if (!j->ok || n > sizeof j->buf - j->len) {
		j->ok = false;
		return;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
}

#define JL_LIT(j, lit) jl_mem((j), "" lit, sizeof(lit) - 1) /* lit: a string literal */

static void jl_uint(struct jline *j, unsigned long long v)
{
	char d[24];
	size_t n = sizeof d;
	do {
		d[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	jl_mem(j, d + n, sizeof d - n);
}

static void jl_bool(struct jline *j, bool v)
{
	if (v)
		JL_LIT(j, "true");
	else
		JL_LIT(j, "false");
}

/* A JSON string; only printable ASCII is taken (jansson's escapes of control
 * characters and its UTF-8 checks are left to jansson). */
static void jl_str(struct jline *j, const char *s)
{
	JL_LIT(j, "\"");
	for (const char *run = s;; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\')
			continue;
		jl_mem(j, run, (size_t)(s - run));
		if (c == 0)
			break;
		if (c < 0x20 || c >= 0x80) {
			j->ok = false;
			return;
		}
		char esc[2] = {'\\', (char)c};
		jl_mem(j, esc, 2);
		run = s + 1;
	}
	JL_LIT(j, "\"");
}

static void jl_hex32(struct jline *j, uint32_t v)
{
	static const char hex[] = "0123456789abcdef";
	char s[12] = "\"0x";
	for (int i = 0; i < 8; i++)
		s[3 + i] = hex[(v >> (28 - 4 * i)) & 15];
	s[11] = '"';
	jl_mem(j, s, sizeof s);
}

static void jl_name_or_number(struct jline *j, const char *name, unsigned v)
{
	if (name)
		jl_str(j, name);
	else
		jl_uint(j, v);
}

/* "time":"2024-05-01T12:00:00.123456Z" as iso_time() writes it; the date and
 * time of day are kept for the second they belong to. */
static void jl_time(struct jline *j, int64_t ns)
{
	static int64_t cached_s = -1;
	static char date[32];
	static size_t date_len;
	if (ns < 0) { /* iso_time's arithmetic on negative times is left to it */
		j->ok = false;
		return;
	}
	int64_t sec = ns / 1000000000;
	if (sec != cached_s) {
		time_t t = (time_t)sec;
		struct tm tm;
		gmtime_r(&t, &tm);
		date_len = strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
		cached_s = date_len ? sec : -1;
	}
	long us = (long)((ns % 1000000000) / 1000);
	char frac[8] = {'.', 0, 0, 0, 0, 0, 0, 'Z'};
	for (int i = 6; i >= 1; i--, us /= 10)
		frac[i] = (char)('0' + us % 10);
	JL_LIT(j, "\"");
	jl_mem(j, date, date_len);
	jl_mem(j, frac, sizeof frac);
	JL_LIT(j, "\"");
}

/* The decimal digits of v as "%.17g" prints them, for 1e8 <= v < 2^52 (times
 * since 1973 in seconds): v is M / 2^k exactly (0 < k <= 26), so its integer
 * part and 17 significant digits come from 64-bit integer arithmetic, rounded
 * to nearest with ties to even as glibc does; trailing zeros dropped.  0 when
 * v is outside that range. */
static size_t format_g17(double v, char out[32])
{
	if (!(v >= 1e8 && v < 4503599627370496.0))
		return 0;
	uint64_t bits;
	memcpy(&bits, &v, sizeof bits);
	int k = 1075 - (int)((bits >> 52) & 0x7FF);
	uint64_t m = (bits & ((1ULL << 52) - 1)) | (1ULL << 52);
	if (k < 1 || k > 26)
		return 0;
	uint64_t ip = m >> k, frac = m & ((1ULL << k) - 1);
	char idig[20];
	size_t ni = 0;
	for (uint64_t x = ip; x; x /= 10)
		idig[ni++] = (char)('0' + x % 10);
	int fd = 17 - (int)ni; /* fractional digits: 1..9 */
	uint64_t scale = 1;
	for (int i = 0; i < fd; i++)
		scale *= 10;
	uint64_t num = frac * scale; /* < 2^26 * 10^9 */
	uint64_t digits = num >> k, rem = num & ((1ULL << k) - 1), half = 1ULL << (k - 1);
	if (rem > half || (rem == half && (digits & 1)))
		digits++;
	if (digits == scale) { /* carried into the integer part */
		digits = 0;
		ip++;
		ni = 0;
		for (uint64_t x = ip; x; x /= 10)
			idig[ni++] = (char)('0' + x % 10);
		if ((int)ni != 17 - fd)
			return 0; /* one more integer digit: leave it to snprintf */
	}
	size_t n = 0;
	while (ni)
		out[n++] = idig[--ni];
	char f[10];
	for (int i = fd - 1; i >= 0; i--, digits /= 10)
		f[i] = (char)('0' + digits % 10);
	int last = fd;
	while (last > 0 && f[last - 1] == '0')
		last--;
	if (last > 0) {
		out[n++] = '.';
		memcpy(out + n, f, (size_t)last);
		n += (size_t)last;
	}
	return n;
}

/* A real as jansson dumps it: "%.17g", with ".0" when that reads as an integer. */
static void jl_real(struct jline *j, double v)
{
	char s[40];
	size_t fast = format_g17(v, s);
	int n = fast ? (int)fast : snprintf(s, sizeof s, "%.17g", v);
	if (n <= 0 || (size_t)n >= sizeof s - 3 || memchr(s, 'e', (size_t)n) || memchr(s, 'n', (size_t)n)) {
		j->ok = false; /* exponent, nan, inf: jansson's way */
		return;
	}
	if (!memchr(s, '.', (size_t)n)) {
		s[n++] = '.';
		s[n++] = '0';
	}
	jl_mem(j, s, (size_t)n);
}

/* An address as rtclab_addr_format (ports) or rtclab_addr_ip_format writes it. */
static void jl_addr(struct jline *j, const struct rtclab_addr *a, bool ports)
{
	char s[RTCLAB_ADDR_STRLEN];
	if (a->family != RTCLAB_FAMILY_IPV4) {
		jl_str(j, ports ? rtclab_addr_format(a, s, sizeof s) : rtclab_addr_ip_format(a, s, sizeof s));
		return;
	}
	JL_LIT(j, "\"");
	for (int i = 0; i < 4; i++) {
		if (i)
			JL_LIT(j, ".");
		jl_uint(j, a->ip[i]);
	}
	if (ports) {
		JL_LIT(j, ":");
		jl_uint(j, a->port);
	}
	JL_LIT(j, "\"");
}

static const char *transport_name(enum rtclab_l4 l4);

/* message_json() as text, without its closing brace. */
static void jl_head(struct jline *j, const struct rtclab_event *p, const char *proto)
{
	bool ports = p->l4 == RTCLAB_L4_UDP || p->l4 == RTCLAB_L4_TCP;
	JL_LIT(j, "{\"frame\":");
	jl_uint(j, p->frame);
	JL_LIT(j, ",\"time\":");
	jl_time(j, p->ts_ns);
	JL_LIT(j, ",\"ts\":");
	jl_real(j, (double)p->ts_ns / 1e9);
	JL_LIT(j, ",\"transport\":");
	jl_str(j, transport_name(p->l4));
	JL_LIT(j, ",\"src\":");
	jl_addr(j, &p->src, ports);
	JL_LIT(j, ",\"dst\":");
	jl_addr(j, &p->dst, ports);
	JL_LIT(j, ",\"proto\":");
	jl_str(j, proto);
}

/* rtclab_rtp_json() */
static void jl_rtp(struct jline *j, const struct rtclab_rtp *rtp)
{
	JL_LIT(j, "{\"payload_type\":");
	jl_uint(j, rtp->payload_type);
	JL_LIT(j, ",\"ssrc\":");
	jl_hex32(j, rtp->ssrc);
	JL_LIT(j, ",\"seq\":");
	jl_uint(j, rtp->seq);
	JL_LIT(j, ",\"timestamp\":");
	jl_uint(j, rtp->timestamp);
	JL_LIT(j, ",\"marker\":");
	jl_bool(j, rtp->marker);
	JL_LIT(j, ",\"version\":");
	jl_uint(j, rtp->version);
	JL_LIT(j, ",\"padding\":");
	jl_bool(j, rtp->padding);
	if (rtp->padding) {
		JL_LIT(j, ",\"padding_length\":");
		jl_uint(j, rtp->padding_len);
	}
	JL_LIT(j, ",\"extension\":");
	jl_bool(j, rtp->extension);
	if (rtp->extension) {
		static const char hex[] = "0123456789abcdef";
		char prof[8] = {'"', '0', 'x', hex[rtp->ext_profile >> 12], hex[(rtp->ext_profile >> 8) & 15],
				hex[(rtp->ext_profile >> 4) & 15], hex[rtp->ext_profile & 15], '"'};
		JL_LIT(j, ",\"extension_profile\":");
		jl_mem(j, prof, sizeof prof);
		JL_LIT(j, ",\"extension_form\":");
		jl_str(j, rtp->ext_form == RTCLAB_RTP_EXT_ONE_BYTE   ? "one-byte"
			  : rtp->ext_form == RTCLAB_RTP_EXT_TWO_BYTE ? "two-byte"
			  : rtp->ext_form == RTCLAB_RTP_EXT_OTHER    ? "other"
								     : "none");
		JL_LIT(j, ",\"extension_words\":");
		jl_uint(j, rtp->ext_words);
		JL_LIT(j, ",\"extension_ids\":[");
		for (size_t i = 0; i < rtp->n_ext_ids; i++) {
			if (i)
				JL_LIT(j, ",");
			jl_uint(j, rtp->ext_ids[i]);
		}
		JL_LIT(j, "]");
	}
	JL_LIT(j, ",\"csrc_count\":");
	jl_uint(j, rtp->csrc_count);
	if (rtp->csrc_count > 0 && rtp->header_size >= RTCLAB_RTP_HEADER_SIZE + 4u * rtp->csrc_count) {
		JL_LIT(j, ",\"csrcs\":[");
		for (unsigned i = 0; i < rtp->csrc_count; i++) {
			if (i)
				JL_LIT(j, ",");
			jl_hex32(j, rtp->csrc[i]);
		}
		JL_LIT(j, "]");
	}
	JL_LIT(j, ",\"header_length\":");
	jl_uint(j, rtp->header_size);
	JL_LIT(j, ",\"payload_length\":");
	jl_uint(j, rtp->payload.len);
	JL_LIT(j, "}");
}

/* rtclab_rtcp_json() */
static void jl_rtcp(struct jline *j, const struct rtclab_rtcp *rtcp)
{
	JL_LIT(j, "{\"types\":[");
	for (size_t i = 0; i < rtcp->n_packets; i++) {
		if (i)
			JL_LIT(j, ",");
		jl_name_or_number(j, rtclab_rtcp_type_name(rtcp->packets[i].type), rtcp->packets[i].type);
	}
	JL_LIT(j, "],\"packets\":[");
	for (size_t i = 0; i < rtcp->n_packets; i++) {
		const struct rtclab_rtcp_packet *p = &rtcp->packets[i];
		if (i)
			JL_LIT(j, ",");
		JL_LIT(j, "{\"type\":");
		jl_name_or_number(j, rtclab_rtcp_type_name(p->type), p->type);
		JL_LIT(j, ",\"pt\":");
		jl_uint(j, p->type);
		if (p->type == RTCLAB_RTCP_RTPFB || p->type == RTCLAB_RTCP_PSFB) {
			JL_LIT(j, ",\"fmt\":");
			jl_uint(j, p->count);
			const char *fmt = rtclab_rtcp_fmt_name(p);
			if (fmt) {
				JL_LIT(j, ",\"feedback\":");
				jl_str(j, fmt);
			}
		} else {
			JL_LIT(j, ",\"count\":");
			jl_uint(j, p->count);
		}
		JL_LIT(j, ",\"length\":");
		jl_uint(j, p->length);
		JL_LIT(j, ",\"offset\":");
		jl_uint(j, p->offset);
		if (p->padding)
			JL_LIT(j, ",\"padding\":true");
		if (p->has_ssrc) {
			JL_LIT(j, ",\"ssrc\":");
			jl_hex32(j, p->ssrc);
		}
		if (p->has_media_ssrc) {
			JL_LIT(j, ",\"media_ssrc\":");
			jl_hex32(j, p->media_ssrc);
		}
		JL_LIT(j, "}");
	}
	JL_LIT(j, "],\"srtcp\":");
	jl_bool(j, rtcp->srtcp);
	if (rtcp->srtcp_trailer) {
		JL_LIT(j, ",\"srtcp_e\":");
		jl_bool(j, rtcp->srtcp_e);
		JL_LIT(j, ",\"srtcp_index\":");
		jl_uint(j, rtcp->srtcp_index);
		if (rtcp->srtcp_layout) {
			JL_LIT(j, ",\"srtcp_layout\":");
			jl_str(j, rtcp->srtcp_layout);
		}
	}
	JL_LIT(j, "}");
}

/* The line of an RTP, RTCP or ChannelData result without problems; false
 * (nothing written) for anything else: the caller uses jansson. */
static bool fast_json(const struct rtclab_event *p, const struct rtclab_demux_result *r,
		      const struct rtclab_demux *tunnel)
{
	static struct jline j;
	const struct rtclab_channeldata *cd = &r->u.channeldata;
	switch (r->proto) {
	case RTCLAB_DEMUX_RTP:
		if (r->u.rtp.problems.n)
			return false;
		break;
	case RTCLAB_DEMUX_RTCP:
		if (r->u.rtcp.problems.n)
			return false;
		break;
	case RTCLAB_DEMUX_CHANNELDATA:
		if (cd->n_problems)
			return false;
		break;
	default:
		return false;
	}
	const char *proto = rtclab_demux_proto_name(r->proto);
	j.len = 0;
	j.ok = true;
	jl_head(&j, p, proto);
	JL_LIT(&j, ",\"why\":");
	jl_str(&j, r->why);
	JL_LIT(&j, ",\"");
	jl_mem(&j, proto, strlen(proto));
	JL_LIT(&j, "\":");
	if (r->proto == RTCLAB_DEMUX_RTP) {
		jl_rtp(&j, &r->u.rtp);
	} else if (r->proto == RTCLAB_DEMUX_RTCP) {
		jl_rtcp(&j, &r->u.rtcp);
	} else {
		JL_LIT(&j, "{\"channel\":");
		jl_uint(&j, cd->channel);
		JL_LIT(&j, ",\"length\":");
		jl_uint(&j, cd->length);
		JL_LIT(&j, ",\"channel_range\":");
		jl_str(&j, cd->range == RTCLAB_CHANNEL_RFC8656   ? "RFC 8656"
			   : cd->range == RTCLAB_CHANNEL_RFC5766 ? "RFC 5766"
								 : "invalid");
		if (r->channel_bound)
			JL_LIT(&j, ",\"bound\":true");
		JL_LIT(&j, "}");
	}
	const char *via = tunnel ? rtclab_tunnel_via_name(tunnel->via) : NULL;
	if (via) {
		JL_LIT(&j, ",\"tunnel\":{\"via\":");
		jl_str(&j, via);
		if (tunnel->has_peer) {
			JL_LIT(&j, ",\"peer\":");
			jl_addr(&j, &tunnel->peer, true);
		}
		if (tunnel->via == RTCLAB_TUNNEL_CHANNELDATA) {
			JL_LIT(&j, ",\"channel\":");
			jl_uint(&j, tunnel->channel);
		}
		JL_LIT(&j, "}");
	}
	JL_LIT(&j, "}\n");
	if (!j.ok)
		return false;
	fwrite(j.buf, 1, j.len, stdout);
	return true;
}

/* Show one demux result (outer or inner); true when it passed --only. */
static bool show_result(struct dump *d, const struct rtclab_event *p, const struct rtclab_demux_result *r,
			const struct rtclab_demux *tunnel)
{
	if (d->stats) {
		count_result(d->stats, r);
		if (tunnel)
			d->stats->tunnelled++;
		return true;
	}
	if (!(kind_of(r) & d->o.only))
		return false;
	if (d->o.json && fast_json(p, r, tunnel))
		return true;
	struct rtclab_stun_verdict v;
	bool verify = r->proto == RTCLAB_DEMUX_STUN;
	if (verify)
		rtclab_stun_verify(&r->u.stun, d->o.cred.password ? &d->o.cred : NULL, &v);
	if (d->o.json) {
		json_t *o = message_json(p, rtclab_demux_proto_name(r->proto));
		json_t *body = rtclab_demux_result_json(r);
		const char *key;
		json_t *value;
		json_object_foreach(body, key, value) {
			if (strcmp(key, "proto") != 0 && strcmp(key, "length") != 0)
				json_object_set(o, key, value);
		}
		json_decref(body);
		if (verify && (v.integrity == RTCLAB_STUN_CHECK_BAD || v.fingerprint == RTCLAB_STUN_CHECK_BAD)) {
			/* the failed check is a problem of the message, as rtclab stun decode reports it */
			struct rtclab_stun_msg *m = malloc(sizeof *m);
			if (m) {
				*m = r->u.stun;
				rtclab_stun_note_verdict(m, &v);
				json_object_set_new(o, "stun", rtclab_stun_json(m, &v));
				free(m);
			}
		} else if (verify) {
			json_object_set_new(o, "stun", rtclab_stun_json(&r->u.stun, &v));
		}
		if (tunnel)
			json_object_set_new(o, "tunnel", rtclab_demux_tunnel_json(tunnel));
		emit_json(o);
		return true;
	}
	line_head(d, p);
	if (tunnel) {
		char peer[RTCLAB_ADDR_STRLEN];
		fprintf(stdout, "[%s%s%s] ", rtclab_tunnel_via_name(tunnel->via), tunnel->has_peer ? " peer " : "",
			tunnel->has_peer ? rtclab_addr_format(&tunnel->peer, peer, sizeof peer) : "");
	}
	result_summary(stdout, r);
	fputc('\n', stdout);
	if (d->o.verbose)
		print_tree(d, r, verify ? &v : NULL);
	return true;
}

/* --- events: datagrams, stream messages, signaling ------------------------------------ */

/* The frame being fed was shown: count it once, and write it with -w. */
static void mark_shown(struct dump *d)
{
	if (!d->current_shown && !d->stats) {
		d->current_shown = true;
		d->shown++;
		write_frame(d, d->current);
	}
}

/* A line for a stream message that is not a demux result. */
static void stream_line(struct dump *d, const struct rtclab_event *ev, unsigned kind, const char *proto,
			json_t *body, const char *fmt, ...) RTCLAB_PRINTF(6, 7);

static void stream_line(struct dump *d, const struct rtclab_event *ev, unsigned kind, const char *proto,
			json_t *body, const char *fmt, ...)
{
	if (d->stats || !(d->o.only & kind)) {
		json_decref(body);
		return;
	}
	if (d->o.json) {
		json_t *o = message_json(ev, proto);
		if (body)
			json_object_set_new(o, proto, body);
		emit_json(o);
	} else {
		va_list ap;
		line_head(d, ev);
		va_start(ap, fmt);
		vfprintf(stdout, fmt, ap);
		va_end(ap);
		fputc('\n', stdout);
		json_decref(body);
	}
	mark_shown(d);
}

static void show_signal_item(struct dump *d, const struct rtclab_event *ev, const struct rtclab_signal_item *it)
{
	if (d->stats) {
		d->stats->signal[it->kind <= RTCLAB_SIGNAL_END_OF_CANDIDATES ? it->kind : 0]++;
		return;
	}
	json_t *j = json_object();
	json_object_set_new(j, "kind", json_string(rtclab_signal_kind_name(it->kind)));
	if (it->path[0])
		json_object_set_new(j, "path", json_string(it->path));
	char what[200] = "";
	if (it->sdp) {
		const struct rtclab_sdp *sdp = it->sdp;
		size_t cands = sdp->n_candidates, errors = 0;
		for (size_t i = 0; i < sdp->n_problems; i++)
			errors += !sdp->problems[i].warning;
		json_object_set_new(j, "sdp", rtclab_sdp_json(sdp));
		snprintf(what, sizeof what, ": %zu media section%s, ufrag %.*s, %zu candidate%s%s", sdp->n_media,
			 sdp->n_media == 1 ? "" : "s", sdp->n_media ? (int)sdp->media[0].ice.ufrag.len : 0,
			 sdp->n_media ? sdp->media[0].ice.ufrag.ptr : "", cands, cands == 1 ? "" : "s",
			 errors ? " [SDP problems]" : "");
	} else if (it->kind == RTCLAB_SIGNAL_CANDIDATE) {
		if (it->cand_error == RTCLAB_CAND_OK) {
			char ip[RTCLAB_ADDR_STRLEN];
			const struct rtclab_candidate *cd = &it->candidate;
			json_object_set_new(j, "candidate", rtclab_candidate_json(cd));
			snprintf(what, sizeof what, ": %s %s %.*s port %u priority %u", rtclab_cand_type_name(cd->type),
				 cd->transport == RTCLAB_CAND_TCP ? "tcp" : "udp",
				 cd->address_kind <= RTCLAB_CAND_ADDR_IPV6 ? (int)strlen(rtclab_addr_ip_format(&cd->ip, ip, sizeof ip))
									   : (int)cd->address.len,
				 cd->address_kind <= RTCLAB_CAND_ADDR_IPV6 ? ip : cd->address.ptr, cd->port, cd->priority);
		} else {
			snprintf(what, sizeof what, ": unreadable candidate (%s)", rtclab_cand_error_str(it->cand_error));
		}
	}
	if (it->has_sdp_mid) {
		json_object_set_new(j, "sdp_mid", json_string(it->sdp_mid));
		size_t n = strlen(what);
		snprintf(what + n, sizeof what - n, " (mid %s)", it->sdp_mid);
	}
	if (it->sdp_mline_index >= 0)
		json_object_set_new(j, "sdp_mline_index", json_integer(it->sdp_mline_index));
	if (it->has_ufrag)
		json_object_set_new(j, "ufrag", json_string(it->ufrag));
	stream_line(d, ev, ONLY_SIGNAL, "signal", j, "SIGNAL %s%s", rtclab_signal_kind_name(it->kind), what);
}

/* A WebSocket text message or an HTTP application/sdp body: a line per
 * offer, answer or candidate, or one line saying there is none. */
static void show_signal(struct dump *d, const struct rtclab_event *ev)
{
	const struct rtclab_signal *sig = ev->signal;
	bool any = false;
	for (size_t i = 0; i < sig->n_items; i++)
		if (sig->items[i].kind != RTCLAB_SIGNAL_OTHER) {
			show_signal_item(d, ev, &sig->items[i]);
			any = true;
		}
	if (!any && !d->stats) {
		json_t *j = json_object();
		json_object_set_new(j, "kind", json_string("other"));
		if (sig->json)
			json_object_set(j, "json", sig->json);
		/* the size of the WebSocket message (an HTTP event has no payload: 0) */
		stream_line(d, ev, ONLY_SIGNAL, "signal", j, "%s %s message, %zu bytes, no offer, answer or candidate in it",
			    ev->via, sig->is_json ? "JSON" : "text", ev->ws ? ev->ws->payload.len : ev->payload_len);
	}
}

static json_t *str_json(struct rtclab_str v)
{
	return json_stringn(v.ptr ? v.ptr : "", v.len);
}

/* The "http" object of a JSON line: what the text line says. */
static json_t *http_json(const struct rtclab_ws_http *h)
{
	json_t *j = json_object();
	json_object_set_new(j, "request", json_boolean(h->is_request));
	if (h->is_request) {
		json_object_set_new(j, "method", str_json(h->method));
		json_object_set_new(j, "target", str_json(h->target));
	} else {
		json_object_set_new(j, "status", json_integer(h->status));
		json_object_set_new(j, "reason", str_json(h->reason));
	}
	json_object_set_new(j, "websocket", json_boolean(h->websocket));
	if (h->websocket && !h->is_request)
		json_object_set_new(j, "accept", json_string(!h->accept_checked ? "unchecked"
							     : h->accept_ok       ? "ok"
										  : "mismatch"));
	if (h->content_type.len)
		json_object_set_new(j, "content_type", str_json(h->content_type));
	if (h->has_body)
		json_object_set_new(j, "body_length", json_integer((json_int_t)h->body.len));
	return j;
}

static void show_http(struct dump *d, const struct rtclab_event *ev)
{
	const struct rtclab_ws_http *h = ev->http;
	json_t *j = d->o.json ? http_json(h) : NULL;
	if (h->is_request)
		stream_line(d, ev, ONLY_SIGNAL, "http", j, "HTTP %.*s %.*s%s", (int)h->method.len, h->method.ptr,
			    (int)h->target.len, h->target.ptr, h->websocket ? " (WebSocket upgrade)" : "");
	else
		stream_line(d, ev, ONLY_SIGNAL, "http", j, "HTTP %d %.*s%s", h->status, (int)h->reason.len,
			    h->reason.ptr,
			    !h->websocket ? "" : !h->accept_checked ? " (WebSocket)"
					  : h->accept_ok ? " (WebSocket, Sec-WebSocket-Accept checks out)"
							 : " (WebSocket, Sec-WebSocket-Accept does NOT match the key)");
}

/* The "websocket" object of a JSON line. */
static json_t *websocket_json(const struct rtclab_event *ev)
{
	const struct rtclab_ws_event *ws = ev->ws;
	json_t *j = json_object();
	if (ev->kind == RTCLAB_EVENT_STREAM) {
		json_object_set_new(j, "problem", json_string(rtclab_ws_problem_id(ws->problem)));
		json_object_set_new(j, "message", json_string(rtclab_ws_problem_str(ws->problem)));
		json_object_set_new(j, "offset", json_integer((json_int_t)ws->offset));
		return j;
	}
	json_object_set_new(j, "opcode", json_string(ws->kind == RTCLAB_WS_EV_MESSAGE ? "binary"
								: rtclab_ws_opcode_name(ws->opcode)));
	json_object_set_new(j, "length", json_integer((json_int_t)(ws->kind == RTCLAB_WS_EV_MESSAGE ? ev->payload_len
												       : ws->payload.len)));
	if (ws->has_close_code) {
		json_object_set_new(j, "close_code", json_integer(ws->close_code));
		json_object_set_new(j, "close_reason", str_json(ws->close_reason));
	}
	return j;
}

static void show_websocket(struct dump *d, const struct rtclab_event *ev)
{
	const struct rtclab_ws_event *ws = ev->ws;
	json_t *j = d->o.json ? websocket_json(ev) : NULL;
	if (ws->kind == RTCLAB_WS_EV_MESSAGE)
		stream_line(d, ev, ONLY_SIGNAL, "websocket", j, "WebSocket binary message, %zu bytes", ev->payload_len);
	else if (ws->opcode == RTCLAB_WS_OP_CLOSE && ws->has_close_code)
		stream_line(d, ev, ONLY_SIGNAL, "websocket", j, "WebSocket close %u (%s)", ws->close_code,
			    rtclab_ws_close_code_name(ws->close_code));
	else
		stream_line(d, ev, ONLY_SIGNAL, "websocket", j, "WebSocket %s", rtclab_ws_opcode_name(ws->opcode));
}

static void show_note(struct dump *d, const struct rtclab_event *ev)
{
	switch (ev->note) {
	case RTCLAB_NOTE_UNDECODED:
		stream_line(d, ev, ONLY_OTHER, "other", NULL, "TCP %s (the rest of this direction is not shown)", ev->text);
		break;
	case RTCLAB_NOTE_OUT_OF_STEP:
		stream_line(d, ev, ONLY_OTHER, "other", NULL, "TCP: %s; the rest of this direction is not decoded",
			    ev->text);
		break;
	case RTCLAB_NOTE_GAP:
		stream_line(d, ev, ONLY_OTHER, "other", NULL,
			    "TCP gap: %llu bytes missing from the capture at stream offset %llu",
			    (unsigned long long)ev->length, (unsigned long long)ev->offset);
		break;
	case RTCLAB_NOTE_MISMATCH:
		stream_line(d, ev, ONLY_OTHER, "other", NULL,
			    "TCP retransmission that disagrees with the first copy (%llu bytes at offset %llu); "
			    "the first copy is kept", (unsigned long long)ev->length, (unsigned long long)ev->offset);
		break;
	case RTCLAB_NOTE_WS_PROBLEM:
		stream_line(d, ev, ONLY_SIGNAL, "websocket", d->o.json ? websocket_json(ev) : NULL,
			    "WebSocket/HTTP problem at stream offset %llu: %s",
			    (unsigned long long)ev->ws->offset, rtclab_ws_problem_str(ev->ws->problem));
		break;
	case RTCLAB_NOTE_NONE:
		break;
	}
}

static void on_event(void *arg, const struct rtclab_event *ev)
{
	struct dump *d = arg;
	switch (ev->kind) {
	case RTCLAB_EVENT_DATAGRAM: {
		/* the outer result, and what a TURN tunnel carried */
		const struct rtclab_demux *dm = ev->demux;
		bool shown = show_result(d, ev, &dm->outer, NULL);
		if (dm->via != RTCLAB_TUNNEL_NONE)
			shown |= show_result(d, ev, &dm->inner, dm);
		if (shown)
			mark_shown(d);
		break;
	}
	case RTCLAB_EVENT_SIGNAL:
		show_signal(d, ev);
		break;
	case RTCLAB_EVENT_HTTP:
		show_http(d, ev);
		break;
	case RTCLAB_EVENT_WEBSOCKET:
		show_websocket(d, ev);
		break;
	case RTCLAB_EVENT_STREAM:
		show_note(d, ev);
		break;
	}
}

/* The head of an ICMP line: line_head() and message_json() read these. */
static void icmp_head(struct rtclab_event *h, const struct rtclab_packet *p)
{
	memset(h, 0, sizeof *h);
	h->frame = p->frame;
	h->ts_ns = p->ts_ns;
	h->l4 = p->l4;
	h->src = p->src;
	h->dst = p->dst;
	h->packet = p;
}

static bool show_icmp(struct dump *d, const struct rtclab_packet *p)
{
	const struct rtclab_icmp *ic = &p->icmp;
	char why[160] = "";
	enum rtclab_demux_proto quoted = RTCLAB_DEMUX_NONE;
	if (ic->has_quoted && ic->quoted_l4 == RTCLAB_L4_UDP && ic->quoted_payload.len)
		quoted = rtclab_demux_classify(ic->quoted_payload.ptr, ic->quoted_payload.len, NULL, why, sizeof why);
	if (d->stats) {
		if (ic->is_error)
			d->stats->icmp_errors++;
		return true;
	}
	if (!(d->o.only & ONLY_ICMP))
		return false;
	char qs[RTCLAB_ADDR_STRLEN], qd[RTCLAB_ADDR_STRLEN];
	const char *name = icmp_name(p->ip_version, ic->type, ic->code);
	struct rtclab_event head;
	icmp_head(&head, p);
	if (d->o.json) {
		json_t *o = message_json(&head, "icmp"), *j = json_object();
		json_object_set_new(j, "type", json_integer(ic->type));
		json_object_set_new(j, "code", json_integer(ic->code));
		json_object_set_new(j, "name", json_string(name));
		if (ic->has_quoted) {
			json_t *q = json_object();
			json_object_set_new(q, "src", json_string(rtclab_addr_format(&ic->quoted_src, qs, sizeof qs)));
			json_object_set_new(q, "dst", json_string(rtclab_addr_format(&ic->quoted_dst, qd, sizeof qd)));
			json_object_set_new(q, "transport", json_string(transport_name(ic->quoted_l4)));
			json_object_set_new(q, "proto", json_string(rtclab_demux_proto_name(quoted)));
			json_object_set_new(j, "quoted", q);
		}
		if (ic->mtu)
			json_object_set_new(j, "mtu", json_integer(ic->mtu));
		json_object_set_new(o, "icmp", j);
		emit_json(o);
		return true;
	}
	line_head(d, &head);
	fprintf(stdout, "%s %s", p->ip_version == 6 ? "ICMPv6" : "ICMP", name);
	if (ic->has_quoted)
		fprintf(stdout, " for %s %s > %s%s%s%s", transport_name(ic->quoted_l4),
			rtclab_addr_format(&ic->quoted_src, qs, sizeof qs), rtclab_addr_format(&ic->quoted_dst, qd, sizeof qd),
			quoted != RTCLAB_DEMUX_NONE ? " (" : "", quoted != RTCLAB_DEMUX_NONE ? rtclab_demux_proto_name(quoted) : "",
			quoted != RTCLAB_DEMUX_NONE ? ")" : "");
	if (ic->mtu)
		fprintf(stdout, " mtu=%u", ic->mtu);
	fputc('\n', stdout);
	if (d->o.verbose && d->o.explain && ic->is_error)
		print_wrapped(stdout, &d->o.st, 4,
			      "An ICMP error is the network's answer to a datagram it could not deliver. When it "
			      "quotes a STUN check, the candidate it was sent to is unreachable from here: the "
			      "pair fails (step 6).");
	return true;
}

static void show_packet(struct dump *d, const struct rtclab_packet *p)
{
	if (d->stats) {
		d->stats->frames++;
		d->stats->problems += p->n_problems;
		if (p->fragment)
			d->stats->fragments++;
		if (p->l4 == RTCLAB_L4_UDP)
			d->stats->udp++;
		else if (p->l4 == RTCLAB_L4_TCP)
			d->stats->tcp++;
		else if (p->l4 == RTCLAB_L4_ICMP)
			d->stats->icmp++;
		else if (!p->ip_version)
			d->stats->not_ip++;
		if (p->l4 == RTCLAB_L4_UDP || p->l4 == RTCLAB_L4_TCP)
			count_flow(d->stats, p);
	}
	/* UDP and TCP: the events of the frame come back through on_event, which
	 * marks the frame shown; every frame is fed, for the end's frame and time. */
	d->current = p;
	d->current_shown = false;
	rtclab_events_feed(d->events, p);
	if (!p->fragment && p->l4 == RTCLAB_L4_ICMP && show_icmp(d, p))
		mark_shown(d);
}

/* --- --stats ---------------------------------------------------------------------- */

static void print_stats(const struct dump *d)
{
	const struct stats *s = d->stats;
	struct rtclab_events_stats es;
	rtclab_events_get_stats(d->events, &es);
	FILE *out = stdout;
	fprintf(out, "Frames      %llu: UDP %llu, TCP %llu, ICMP %llu, not IP %llu; IPv4 fragments %llu; "
		     "frame problems %llu\n",
		(unsigned long long)s->frames, (unsigned long long)s->udp, (unsigned long long)s->tcp,
		(unsigned long long)s->icmp, (unsigned long long)s->not_ip, (unsigned long long)s->fragments,
		(unsigned long long)s->problems);
	fputs("Messages   ", out);
	for (int p = RTCLAB_DEMUX_STUN; p <= RTCLAB_DEMUX_OTHER; p++)
		if (s->proto[p])
			fprintf(out, " %s %llu", rtclab_demux_proto_name((enum rtclab_demux_proto)p),
				(unsigned long long)s->proto[p]);
	fprintf(out, "; inside TURN %llu\n", (unsigned long long)s->tunnelled);
	fputs("STUN\n", out);
	for (int m = 0; m < 4096; m++)
		for (int c = 0; c < 4; c++)
			if (s->stun[m][c]) {
				char title[64];
				rtclab_stun_message_title((uint16_t)m, (enum rtclab_stun_class)c, title, sizeof title);
				fprintf(out, "  %-34s %llu\n", title, (unsigned long long)s->stun[m][c]);
			}
	fputs("DTLS records\n", out);
	for (int t = 0; t < 256; t++)
		if (s->dtls_types[t]) {
			const char *name = t ? rtclab_dtls_content_type_name((uint8_t)t) : "DTLS 1.3 unified header";
			fprintf(out, "  %-34s %llu\n", name ? name : "?", (unsigned long long)s->dtls_types[t]);
		}
	for (int t = 0; t < 256; t++)
		if (s->dtls_handshakes[t]) {
			const char *name = rtclab_dtls_handshake_type_name((uint8_t)t);
			fprintf(out, "    %-32s %llu\n", name ? name : "?", (unsigned long long)s->dtls_handshakes[t]);
		}
	fprintf(out, "RTP packets  %llu\nRTCP packets\n", (unsigned long long)s->rtp);
	for (int t = 0; t < 256; t++)
		if (s->rtcp_types[t]) {
			const char *name = rtclab_rtcp_type_name((uint8_t)t);
			fprintf(out, "  %-34s %llu\n", name ? name : "?", (unsigned long long)s->rtcp_types[t]);
		}
	fprintf(out, "ICMP errors  %llu\n", (unsigned long long)s->icmp_errors);
	fprintf(out, "TCP          %llu connections, %llu gaps, %llu disagreeing retransmissions, %llu TLS streams\n",
		(unsigned long long)es.tcp_connections, (unsigned long long)es.tcp_gaps,
		(unsigned long long)es.tcp_mismatches, (unsigned long long)es.tls_streams);
	fprintf(out, "Signaling    %llu HTTP messages, %llu WebSocket messages (%llu problems):",
		(unsigned long long)es.http_messages, (unsigned long long)es.ws_messages,
		(unsigned long long)es.ws_problems);
	for (int k = 0; k <= RTCLAB_SIGNAL_END_OF_CANDIDATES; k++)
		if (s->signal[k])
			fprintf(out, " %s %llu", rtclab_signal_kind_name((enum rtclab_signal_kind)k),
				(unsigned long long)s->signal[k]);
	fputc('\n', out);
	fprintf(out, "Flows        %zu%s\n", s->n_flows, s->flows_dropped ? " (more not counted)" : "");
	for (size_t i = 0; i < s->n_flows && i < 20; i++) {
		char a[RTCLAB_ADDR_STRLEN], b[RTCLAB_ADDR_STRLEN];
		fprintf(out, "  %s %s <> %s: %llu datagrams/segments, %llu bytes\n", transport_name(s->flows[i].l4),
			rtclab_addr_format(&s->flows[i].a, a, sizeof a), rtclab_addr_format(&s->flows[i].b, b, sizeof b),
			(unsigned long long)s->flows[i].messages, (unsigned long long)s->flows[i].bytes);
	}
	if (s->n_flows > 20)
		fprintf(out, "  ... %zu more\n", s->n_flows - 20);
}

/* --- the loop --------------------------------------------------------------------------- */

static int open_input(struct dump *d)
{
	char err[RTCLAB_CAPTURE_ERRLEN];
	d->cap = d->o.iface ? rtclab_capture_open_live(d->o.iface, 0, true, err, sizeof err)
			    : rtclab_capture_open_file(d->o.file, err, sizeof err);
	if (!d->cap) {
		fprintf(stderr, "rtclab dump: %s\n", err);
		return EXIT_PROBLEMS;
	}
	if (d->o.filter && !rtclab_capture_set_filter(d->cap, d->o.filter, err, sizeof err)) {
		fprintf(stderr, "rtclab dump: %s\n", err);
		return EXIT_USAGE;
	}
	if (d->o.write && !(d->writer = rtclab_pcap_writer_open(d->o.write, rtclab_capture_linktype(d->cap),
								 rtclab_capture_snaplen(d->cap), err, sizeof err))) {
		fprintf(stderr, "rtclab dump: %s\n", err);
		return EXIT_USAGE;
	}
	return EXIT_CLEAN;
}

static int run(struct dump *d)
{
	char err[RTCLAB_CAPTURE_ERRLEN];
	int status = open_input(d);
	if (status != EXIT_CLEAN) {
		if (d->cap)
			rtclab_capture_close(d->cap);
		return status;
	}
	/* From a file, output in large blocks; live or from a pipe, the default
	 * buffering keeps lines coming as packets arrive. */
	static char outbuf[1 << 20];
	if (!d->o.iface && strcmp(d->o.file, "-") != 0 && !isatty(fileno(stdout)))
		setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
	live_cap = d->o.iface ? d->cap : NULL;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	d->events = rtclab_events_new(on_event, d, NULL);
	if (!d->events) {
		fputs("rtclab dump: out of memory\n", stderr);
		rtclab_capture_close(d->cap);
		return EXIT_PROBLEMS;
	}
	/* Two packets in turn, so that the last one read is still there at the end
	 * without copying each. */
	static struct rtclab_packet pkts[2];
	struct rtclab_packet *last = &pkts[1];
	memset(pkts, 0, sizeof pkts);
	enum rtclab_capture_status s;
	for (int i = 0; !interrupted && (d->o.count < 0 || d->shown < d->o.count) &&
			(s = rtclab_capture_next(d->cap, &pkts[i], err, sizeof err)) == RTCLAB_CAPTURE_PACKET;
	     i ^= 1) {
		show_packet(d, &pkts[i]);
		last = &pkts[i];
	}
	/* Connections still open end with the capture: what they hold is reported. */
	d->current = last; /* written once with -w, whether by its own messages or by these */
	rtclab_events_finish(d->events);
	if (!interrupted && (d->o.count < 0 || d->shown < d->o.count) && s == RTCLAB_CAPTURE_ERROR) {
		fflush(stdout);
		fprintf(stderr, "rtclab dump: %s\n", err);
		status = EXIT_PROBLEMS;
	}
	if (d->stats)
		print_stats(d);
	rtclab_events_free(d->events);
	d->events = NULL;
	if (d->writer) {
		if (status == EXIT_CLEAN && !rtclab_pcap_writer_close(d->writer, err, sizeof err)) {
			fprintf(stderr, "rtclab dump: %s\n", err);
			status = EXIT_PROBLEMS;
		} else if (status != EXIT_CLEAN) {
			rtclab_pcap_writer_discard(d->writer); /* no partial file */
		}
	}
	rtclab_capture_close(d->cap);
	if (fflush(stdout) != 0) {
		perror("rtclab dump: standard output");
		status = EXIT_PROBLEMS;
	}
	return status;
}

int cmd_dump(int argc, char **argv)
{
	struct dump *d = calloc(1, sizeof *d);
	if (!d) {
		fputs("rtclab dump: out of memory\n", stderr);
		return EXIT_PROBLEMS;
	}
	int status;
	if (parse_opts(&d->o, argc, argv) != 0) {
		fputs("Try 'rtclab dump --help'.\n", stderr);
		status = EXIT_USAGE;
	} else {
		if (d->o.stats && !(d->stats = calloc(1, sizeof *d->stats))) {
			fputs("rtclab dump: out of memory\n", stderr);
			status = EXIT_PROBLEMS;
		} else {
			status = run(d);
		}
	}
	free(d->o.filter);
	free(d->stats);
	free(d);
	return status;
}
