/* Text lines with attributes, and the fields of a message: what every pane
 * of the terminal walkthrough produces and the screen draws (tui.h).
 *
 * Every line is made safe for a terminal here: tabs become spaces, control
 * characters (C0, DEL, C1) and bytes that are not UTF-8 become '?', and a
 * newline starts a new line with the same attribute and field. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui.h"

/* --- lines ---------------------------------------------------------------------------- */

/* The length of the UTF-8 sequence at p (of n bytes left), 0 when it is not
 * one, or a C1 control character (U+0080-U+009F), which a terminal obeys. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];
	size_t k = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
	if (k == 0 || k > n)
		return 0;
	uint32_t v = k == 1 ? c : k == 2 ? c & 0x1Fu : k == 3 ? c & 0x0Fu : c & 0x07u;
	for (size_t i = 1; i < k; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		v = v << 6 | (p[i] & 0x3Fu);
	}
	static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
	if (v < min[k] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) || (v >= 0x80 && v <= 0x9F))
		return 0;
	return k;
}

static bool grow_lines(struct tui_lines *l)
{
	if (l->n < l->cap)
		return true;
	size_t cap = l->cap ? l->cap * 2 : 64;
	struct tui_line *v = realloc(l->v, cap * sizeof *v);
	if (!v)
		return false;
	l->v = v;
	l->cap = cap;
	return true;
}

/* One line from text[0..len) (no newline in it), made safe. */
static void add_one(struct tui_lines *l, enum tui_attr a, int field, const char *text, size_t len)
{
	if (!grow_lines(l))
		return;
	char *t = malloc(len + 1);
	if (!t)
		return;
	while (len > 0 && text[len - 1] == '\r') /* a CRLF line end */
		len--;
	const unsigned char *p = (const unsigned char *)text;
	size_t o = 0;
	for (size_t i = 0; i < len;) {
		if (p[i] == '\t' || p[i] == '\r') {
			t[o++] = ' ';
			i++;
			continue;
		}
		if (p[i] < 0x20 || p[i] == 0x7F) {
			t[o++] = '?';
			i++;
			continue;
		}
		size_t k = utf8_len(p + i, len - i);
		if (k == 0) {
			t[o++] = '?';
			i++;
			continue;
		}
		memcpy(t + o, p + i, k);
		o += k;
		i += k;
	}
	t[o] = '\0';
	struct tui_line *ln = &l->v[l->n++];
	ln->text = t;
	ln->attr = a;
	ln->field = field;
	ln->hl_from = ln->hl_to = -1;
}

/* Text that may hold newlines: one line each (a final newline makes none). */
static void add_text(struct tui_lines *l, enum tui_attr a, int field, const char *text, size_t len)
{
	size_t start = 0;
	for (size_t i = 0; i <= len; i++)
		if (i == len || text[i] == '\n') {
			if (i < len || i > start || start == 0)
				add_one(l, a, field, text + start, i - start);
			start = i + 1;
		}
}

void tui_lines_add(struct tui_lines *l, enum tui_attr a, int field, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof small) {
		add_text(l, a, field, small, (size_t)n);
		return;
	}
	char *big = malloc((size_t)n + 1);
	if (!big)
		return;
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	add_text(l, a, field, big, (size_t)n);
	free(big);
}

/* Columns of s[0..len): one per character. */
static int cols(const char *s, size_t len)
{
	int n = 0;
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

/* The bytes of the first max columns of s[0..len) (whole characters). */
static size_t cut_cols(const char *s, size_t len, int max)
{
	int n = 0;
	size_t i = 0;
	while (i < len) {
		if (((unsigned char)s[i] & 0xC0) != 0x80) {
			if (n == max)
				break;
			n++;
		}
		i++;
	}
	return i;
}

/* Word wrap: the first line indented by indent, the next ones by hang.
 * Spaces between words are kept as written (columns of a table stay
 * aligned); a line break replaces them. */
static void wrap(struct tui_lines *l, enum tui_attr a, int field, int indent, int hang, int width, const char *text)
{
	if (!text)
		return;
	if (width < 16)
		width = 16;
	if (indent < 0)
		indent = 0;
	if (hang < 0)
		hang = 0;
	/* a narrow pane: keep room for words */
	if (indent > width - 16)
		indent = width - 16 > 0 ? width - 16 : 0;
	if (hang > width - 16)
		hang = width - 16 > 0 ? width - 16 : 0;
	char *buf = malloc(strlen(text) + 2); /* a line holds no more than the text */
	if (!buf)
		return;
	const char *p = text;
	int ind = indent;
	while (*p) {
		/* one paragraph, up to a newline */
		size_t plen = strcspn(p, "\n");
		const char *end = p + plen;
		size_t o = 0;
		int col = 0;
		bool any = false;
		const char *q = p;
		for (;;) {
			const char *sep = q;
			while (q < end && (*q == ' ' || *q == '\t'))
				q++;
			if (q >= end)
				break;
			int gap = (int)(q - sep);
			size_t wl = 0;
			while (q + wl < end && q[wl] != ' ' && q[wl] != '\t')
				wl++;
			int wc = cols(q, wl);
			int room = width - ind;
			if (col > 0 && col + gap + wc > room) {
				buf[o] = '\0';
				tui_lines_add(l, a, field, "%*s%s", ind, "", buf);
				o = 0;
				col = 0;
				ind = hang;
				room = width - ind;
			}
			/* a word longer than a line: cut it */
			while (col == 0 && wc > room) {
				size_t k = cut_cols(q, wl, room);
				memcpy(buf, q, k);
				buf[k] = '\0';
				tui_lines_add(l, a, field, "%*s%s", ind, "", buf);
				ind = hang;
				room = width - ind;
				q += k;
				wl -= k;
				wc = cols(q, wl);
			}
			if (col > 0) {
				for (int g = 0; g < gap; g++)
					buf[o++] = ' ';
				col += gap;
			}
			memcpy(buf + o, q, wl);
			o += wl;
			col += wc;
			q += wl;
			any = true;
		}
		if (o > 0 || !any) {
			buf[o] = '\0';
			tui_lines_add(l, a, field, "%*s%s", o ? ind : 0, "", buf);
			ind = hang;
		}
		p = *end ? end + 1 : end;
	}
	free(buf);
}

void tui_lines_wrap(struct tui_lines *l, enum tui_attr a, int field, int indent, int width, const char *text)
{
	wrap(l, a, field, indent, indent, width, text);
}

void tui_lines_wrap_hanging(struct tui_lines *l, enum tui_attr a, int field, int indent, int hang, int width,
			    const char *text)
{
	wrap(l, a, field, indent, hang, width, text);
}

void tui_lines_clear(struct tui_lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].text);
	l->n = 0;
}

void tui_lines_free(struct tui_lines *l)
{
	tui_lines_clear(l);
	free(l->v);
	l->v = NULL;
	l->cap = 0;
}

/* --- fields ---------------------------------------------------------------------------- */

void tui_fields_add(struct tui_fields *f, size_t offset, size_t len, const char *name)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		struct tui_field *v = realloc(f->v, cap * sizeof *v);
		if (!v)
			return;
		f->v = v;
		f->cap = cap;
	}
	struct tui_field *x = &f->v[f->n++];
	x->offset = offset;
	x->len = len;
	snprintf(x->name, sizeof x->name, "%s", name ? name : "");
}

void tui_fields_clear(struct tui_fields *f)
{
	f->n = 0;
}

void tui_fields_free(struct tui_fields *f)
{
	free(f->v);
	f->v = NULL;
	f->n = f->cap = 0;
}
