/* rtclab stun decode: one STUN message (or TURN ChannelData) decoded,
 * verified and explained. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "rtclab/stun_json.h"
#include "tool.h"

void usage_stun(FILE *out)
{
	fputs("usage: rtclab stun decode [options] FILE|-\n"
	      "       rtclab stun decode [options] --hex HEX\n"
	      "\n"
	      "Decode one STUN/TURN message (or TURN ChannelData), check its FINGERPRINT and,\n"
	      "given credentials, its MESSAGE-INTEGRITY, and explain every field.  FILE holds\n"
	      "the raw bytes (a UDP payload) or the same as hex text.\n"
	      "\n"
	      "  --hex HEX            the message as hex digits (spaces, ':' and '-' allowed)\n"
	      "  --password P         verify integrity; alone: short-term credentials (ICE: the\n"
	      "                       ice-pwd of the agent that receives the request)\n"
	      "  --username U         long-term credentials (TURN): the key is\n"
	      "  --realm R            MD5(username:realm:password); U and R default to the\n"
	      "  --long-term          message's USERNAME and REALM\n"
	      "  --tcp                the input is a TCP stream: decode every message in it,\n"
	      "                       ChannelData padded to 4 bytes (RFC 8656 12.5)\n"
	      "  --json               print JSON (docs/json.md); an array with --tcp\n"
	      "  --brief              leave out the explanations\n"
	      "  --color WHEN         auto (default), always or never (also --colour);\n"
	      "                       NO_COLOR in the environment turns auto off\n"
	      "\n"
	      "Exit status: 0 the message has no problem, 1 it has problems or fails\n"
	      "verification, 2 usage error or unreadable input.\n",
	      out);
}

struct stun_opts {
	const char *hex;
	const char *path;
	struct rtclab_stun_credentials cred;
	bool tcp, json, explain;
	struct style st;
};

static int parse_opts(struct stun_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"hex", required_argument, NULL, 'x'},      {"password", required_argument, NULL, 'p'},
		{"username", required_argument, NULL, 'u'}, {"realm", required_argument, NULL, 'r'},
		{"long-term", no_argument, NULL, 'L'},      {"tcp", no_argument, NULL, 't'},
		{"json", no_argument, NULL, 'j'},           {"brief", no_argument, NULL, 'b'},
		{"color", required_argument, NULL, 'c'},    {"colour", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
	};
	const char *color = "auto";
	memset(o, 0, sizeof *o);
	o->explain = true;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 'x': o->hex = optarg; break;
		case 'p': o->cred.password = optarg; break;
		case 'u': o->cred.username = optarg; break;
		case 'r': o->cred.realm = optarg; break;
		case 'L': o->cred.long_term = true; break;
		case 't': o->tcp = true; break;
		case 'j': o->json = true; break;
		case 'b': o->explain = false; break;
		case 'c': color = optarg; break;
		case 'h': usage_stun(stdout); exit(EXIT_CLEAN);
		default: return -1;
		}
	}
	if (!style_init(&o->st, stdout, color)) {
		fprintf(stderr, "rtclab stun: --color takes auto, always or never, not '%s'\n", color);
		return -1;
	}
	if ((o->cred.username || o->cred.realm || o->cred.long_term) && !o->cred.password) {
		fprintf(stderr, "rtclab stun: --username, --realm and --long-term need --password\n");
		return -1;
	}
	int rest = argc - optind;
	if (o->hex ? rest != 0 : rest != 1) {
		fprintf(stderr, "rtclab stun decode: give exactly one of FILE, - or --hex HEX\n");
		return -1;
	}
	o->path = o->hex ? NULL : argv[optind];
	return 0;
}

static uint8_t *load(const struct stun_opts *o, size_t *len)
{
	char err[256];
	uint8_t *buf;
	if (o->hex) {
		buf = parse_hex(o->hex, len, err, sizeof err);
		if (!buf)
			fprintf(stderr, "rtclab stun decode: --hex: %s\n", err);
		return buf;
	}
	buf = read_input(o->path, len, err, sizeof err);
	if (!buf) {
		fprintf(stderr, "rtclab stun decode: %s\n", err);
		return NULL;
	}
	if (*len > 0 && looks_like_hex_text(buf, *len)) {
		buf = realloc(buf, *len + 1);
		buf[*len] = '\0';
		uint8_t *bytes = parse_hex((const char *)buf, len, err, sizeof err);
		free(buf);
		if (!bytes)
			fprintf(stderr, "rtclab stun decode: %s (read as hex text): %s\n", o->path, err);
		return bytes;
	}
	return buf;
}

/* Decode the message at the start of buf; returns the bytes it used. */
static size_t decode_one(const struct stun_opts *o, const uint8_t *buf, size_t len, json_t *array, bool *problems)
{
	/* Leading bits 01 (first byte 64-127) is ChannelData: RFC 7983 names
	 * 64-79 (RFC 8656 channels 0x4000-0x4FFF), and RFC 5766 channels up to
	 * 0x7FFF, still bound by deployed servers, start with 80-127. */
	if (len > 0 && (buf[0] & 0xC0) == 0x40) {
		struct rtclab_channeldata cd;
		rtclab_channeldata_decode(&cd, buf, len, o->tcp);
		*problems |= cd.n_problems > 0;
		if (array)
			json_array_append_new(array, rtclab_channeldata_json(&cd));
		else
			print_channeldata_text(stdout, &o->st, &cd, o->explain);
		return cd.size;
	}
	struct rtclab_stun_msg msg;
	size_t used = len;
	if (o->tcp && len >= 4) {
		size_t want = RTCLAB_STUN_HEADER_SIZE + ((size_t)buf[2] << 8 | buf[3]);
		used = want < len ? want : len;
	}
	struct rtclab_stun_verdict v;
	rtclab_stun_decode(&msg, buf, used);
	rtclab_stun_verify(&msg, o->cred.password ? &o->cred : NULL, &v);
	rtclab_stun_note_verdict(&msg, &v);
	*problems |= msg.n_problems_total > 0;
	if (array)
		json_array_append_new(array, rtclab_stun_json(&msg, &v));
	else
		print_stun_text(stdout, &o->st, &msg, &v, o->explain);
	return used;
}

static int decode(const struct stun_opts *o)
{
	size_t len = 0;
	uint8_t *buf = load(o, &len);
	if (!buf)
		return EXIT_USAGE;
	bool problems = false;
	json_t *array = o->json ? json_array() : NULL;
	size_t pos = 0, count = 0;
	do {
		if (count++ && !o->json)
			fputc('\n', stdout);
		size_t used = decode_one(o, buf + pos, len - pos, array, &problems);
		pos += used ? used : len - pos;
	} while (o->tcp && pos < len);
	if (array) {
		json_t *doc = o->tcp ? array : json_incref(json_array_get(array, 0));
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		if (doc != array)
			json_decref(doc);
		json_decref(array);
	}
	free(buf);
	if (fflush(stdout) != 0) {
		perror("rtclab stun decode: standard output");
		return EXIT_USAGE;
	}
	return problems ? EXIT_PROBLEMS : EXIT_CLEAN;
}

int cmd_stun(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		usage_stun(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_CLEAN;
	}
	if (strcmp(argv[1], "decode") != 0) {
		fprintf(stderr, "rtclab stun: unknown action '%s' (try 'rtclab stun decode')\n", argv[1]);
		return EXIT_USAGE;
	}
	struct stun_opts o;
	if (parse_opts(&o, argc - 1, argv + 1) != 0) {
		fputs("Try 'rtclab stun --help'.\n", stderr);
		return EXIT_USAGE;
	}
	return decode(&o);
}
