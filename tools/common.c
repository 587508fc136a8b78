/* Output style, word wrapping and input reading for the rtclab command. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "rtclab/scenario.h"
#include "tool.h"

bool style_init(struct style *st, FILE *out, const char *when)
{
	st->width = 78;
	if (!when || strcmp(when, "auto") == 0) {
		const char *no = getenv("NO_COLOR");
		st->color = isatty(fileno(out)) && !(no && *no);
		return true;
	}
	if (strcmp(when, "always") == 0) {
		st->color = true;
		return true;
	}
	st->color = false;
	return strcmp(when, "never") == 0;
}

const char *st_bold(const struct style *st) { return st->color ? "\033[1m" : ""; }
const char *st_dim(const struct style *st) { return st->color ? "\033[2m" : ""; }
const char *st_good(const struct style *st) { return st->color ? "\033[32m" : ""; }
const char *st_bad(const struct style *st) { return st->color ? "\033[1;31m" : ""; }
const char *st_warn(const struct style *st) { return st->color ? "\033[33m" : ""; }
const char *st_off(const struct style *st) { return st->color ? "\033[0m" : ""; }

void print_wrapped(FILE *out, const struct style *st, int indent, const char *text)
{
	int col = 0;
	const char *p = text;
	while (*p) {
		while (*p == ' ')
			p++;
		size_t n = strcspn(p, " ");
		if (n == 0)
			break;
		if (col > 0 && col + 1 + (int)n > st->width) {
			fputc('\n', out);
			col = 0;
		}
		if (col == 0) {
			fprintf(out, "%*s%s", indent, "", st_dim(st));
			col = indent;
		} else {
			fputc(' ', out);
			col++;
		}
		fwrite(p, 1, n, out);
		col += (int)n;
		p += n;
	}
	if (col > 0)
		fprintf(out, "%s\n", st_off(st));
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

uint8_t *parse_hex(const char *text, size_t *len, char *err, size_t errlen)
{
	size_t n = strlen(text);
	uint8_t *out = malloc(n / 2 + 1);
	size_t k = 0;
	int high = -1;
	if (!out) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)text[i];
		if (isspace(c) || c == ':' || c == '-')
			continue;
		if (c == '0' && (text[i + 1] == 'x' || text[i + 1] == 'X') && high < 0) {
			i++;
			continue;
		}
		int v = hexval(c);
		if (v < 0) {
			snprintf(err, errlen, "column %zu: '%c' is not a hex digit", i + 1, isprint(c) ? c : '?');
			free(out);
			return NULL;
		}
		if (high < 0) {
			high = v;
		} else {
			out[k++] = (uint8_t)(high << 4 | v);
			high = -1;
		}
	}
	if (high >= 0) {
		snprintf(err, errlen, "odd number of hex digits: the last byte is half a byte");
		free(out);
		return NULL;
	}
	*len = k;
	return out;
}

bool looks_like_hex_text(const uint8_t *buf, size_t len)
{
	size_t digits = 0;
	for (size_t i = 0; i < len; i++) {
		if (hexval(buf[i]) >= 0)
			digits++;
		else if (!isspace(buf[i]) && buf[i] != ':' && buf[i] != '-' && buf[i] != 'x')
			return false;
	}
	return digits > 0;
}

uint8_t *read_input(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	size_t cap = 4096, n = 0;
	uint8_t *buf = malloc(cap);
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
		if (n == cap) {
			uint8_t *bigger = cap > ((size_t)1 << 30) ? NULL : realloc(buf, cap * 2);
			if (!bigger) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = bigger;
			cap *= 2;
		}
	}
	bool failed = !buf || ferror(f);
	if (failed)
		snprintf(err, errlen, "%s: %s", path, buf ? strerror(errno) : "too large or out of memory");
	if (f != stdin)
		fclose(f);
	if (failed) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

bool sdp_file_offers(const char *path)
{
	if (strcmp(path, "-") == 0)
		return false; /* standard input can be read once only */
	char err[256];
	size_t len;
	uint8_t *text = read_input(path, &len, err, sizeof err);
	if (!text)
		return false;
	bool actpass = false;
	static const char needle[] = "a=setup:actpass";
	for (size_t i = 0; i + sizeof needle - 1 <= len && !actpass; i++)
		actpass = memcmp(text + i, needle, sizeof needle - 1) == 0;
	free(text);
	return actpass;
}

json_t *load_json_file(const char *path, json_error_t *jerr, bool *gzipped)
{
	*gzipped = false;
	memset(jerr, 0, sizeof *jerr);
	jerr->line = -1;
	gzFile f = gzopen(path, "rb"); /* reads plain files as they are */
	if (!f) {
		snprintf(jerr->text, sizeof jerr->text, "%s", strerror(errno ? errno : ENOMEM));
		return NULL;
	}
	*gzipped = gzdirect(f) == 0;
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap);
	int n = 0;
	while (buf && (n = gzread(f, buf + len, (unsigned)(cap - len))) > 0) {
		len += (size_t)n;
		if (len == cap) {
			char *more = realloc(buf, cap * 2);
			if (!more) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = more;
			cap *= 2;
		}
	}
	if (!buf || n < 0) {
		int zerr = 0;
		const char *why = buf ? gzerror(f, &zerr) : "out of memory";
		snprintf(jerr->text, sizeof jerr->text, "%s%s", *gzipped ? "gzip: " : "", why);
		gzclose(f);
		free(buf);
		return NULL;
	}
	gzclose(f);
	json_t *j = json_loadb(buf, len, 0, jerr);
	free(buf);
	return j;
}

struct rtclab_scenario *scenario_load(const char *cmd, const char *path)
{
	char err[512];
	size_t len;
	uint8_t *text = read_input(path, &len, err, sizeof err);
	if (!text) {
		fprintf(stderr, "%s: %s\n", cmd, err);
		return NULL;
	}
	struct rtclab_scenario *sc = rtclab_scenario_parse((const char *)text, len);
	free(text);
	if (!sc) {
		fprintf(stderr, "%s: %s: out of memory\n", cmd, path);
		return NULL;
	}
	if (sc->n_problems) {
		for (size_t i = 0; i < sc->n_problems; i++) {
			char msg[512];
			rtclab_scn_problem_format(&sc->problems[i], msg, sizeof msg);
			fprintf(stderr, "%s:%s\n", path, msg);
		}
		rtclab_scenario_free(sc);
		return NULL;
	}
	return sc;
}
