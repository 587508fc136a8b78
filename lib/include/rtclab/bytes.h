/* rtclab/bytes.h - the one bounds-checked reader and writer.
 *
 * Every decoder in librtclab walks untrusted bytes through struct
 * rtclab_reader and every encoder writes through struct rtclab_writer.
 * Errors are sticky (as in tcpdump's GET_ accessors, but without longjmp):
 * a read past the end returns 0, sets `error` and records where the failed
 * read started, and every later read also fails.  A decoder can therefore
 * read a whole fixed-size structure and check once.
 */
#ifndef RTCLAB_BYTES_H
#define RTCLAB_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A view into bytes owned by somebody else. */
struct rtclab_bytes {
	const uint8_t *ptr;
	size_t len;
};

/* A view of text owned by somebody else; not NUL-terminated. */
struct rtclab_str {
	const char *ptr;
	size_t len;
};

static inline struct rtclab_str rtclab_str_make(const char *ptr, size_t len)
{
	struct rtclab_str s = {ptr, len};
	return s;
}

static inline bool rtclab_str_eq(struct rtclab_str s, const char *lit)
{
	size_t n = strlen(lit);
	return s.len == n && memcmp(s.ptr, lit, n) == 0;
}

/* ASCII case-insensitive comparison with a lowercase literal. */
static inline bool rtclab_str_ieq(struct rtclab_str s, const char *lower)
{
	size_t n = strlen(lower);
	if (s.len != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s.ptr[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != lower[i])
			return false;
	}
	return true;
}

/* RFC 3629 UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. */
bool rtclab_utf8_valid(const void *text, size_t len);

struct rtclab_reader {
	const uint8_t *base; /* start of the whole buffer (offsets count from here) */
	size_t start;        /* first readable offset of this window */
	size_t end;          /* one past the last readable offset of this window */
	size_t pos;          /* next offset to read */
	bool error;          /* a read went past `end` */
	size_t error_pos;    /* offset at which the failed read started */
};

static inline void rtclab_reader_init(struct rtclab_reader *r, const void *buf, size_t len)
{
	r->base = (const uint8_t *)buf;
	r->start = 0;
	r->end = len;
	r->pos = 0;
	r->error = false;
	r->error_pos = 0;
}

/* Bytes left in the window. */
static inline size_t rtclab_reader_left(const struct rtclab_reader *r)
{
	return r->error ? 0 : r->end - r->pos;
}

static inline bool rtclab_reader_has(const struct rtclab_reader *r, size_t n)
{
	return !r->error && r->end - r->pos >= n;
}

static inline bool rtclab_reader_fail_(struct rtclab_reader *r)
{
	if (!r->error) {
		r->error = true;
		r->error_pos = r->pos;
	}
	return false;
}

static inline uint8_t rtclab_read_u8(struct rtclab_reader *r)
{
	if (!rtclab_reader_has(r, 1))
		return (uint8_t)rtclab_reader_fail_(r);
	return r->base[r->pos++];
}

static inline uint16_t rtclab_read_be16(struct rtclab_reader *r)
{
	if (!rtclab_reader_has(r, 2))
		return (uint16_t)rtclab_reader_fail_(r);
	const uint8_t *p = r->base + r->pos;
	r->pos += 2;
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t rtclab_read_be32(struct rtclab_reader *r)
{
	if (!rtclab_reader_has(r, 4))
		return (uint32_t)rtclab_reader_fail_(r);
	const uint8_t *p = r->base + r->pos;
	r->pos += 4;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t rtclab_read_be64(struct rtclab_reader *r)
{
	if (!rtclab_reader_has(r, 8)) /* fail as a whole, not after the high half */
		return (uint64_t)rtclab_reader_fail_(r);
	uint64_t hi = rtclab_read_be32(r);
	uint64_t lo = rtclab_read_be32(r);
	return hi << 32 | lo;
}

/* A view of the next n bytes; {NULL, 0} on failure. */
static inline struct rtclab_bytes rtclab_read_view(struct rtclab_reader *r, size_t n)
{
	struct rtclab_bytes v = {NULL, 0};
	if (!rtclab_reader_has(r, n)) {
		rtclab_reader_fail_(r);
		return v;
	}
	v.ptr = r->base + r->pos;
	v.len = n;
	r->pos += n;
	return v;
}

/* Copy n bytes out; the destination is zeroed on failure. */
static inline bool rtclab_read_copy(struct rtclab_reader *r, void *dst, size_t n)
{
	struct rtclab_bytes v = rtclab_read_view(r, n);
	if (!v.ptr) {
		memset(dst, 0, n);
		return false;
	}
	memcpy(dst, v.ptr, n);
	return true;
}

static inline bool rtclab_reader_skip(struct rtclab_reader *r, size_t n)
{
	if (!rtclab_reader_has(r, n))
		return rtclab_reader_fail_(r);
	r->pos += n;
	return true;
}

/* A reader over the next n bytes of r (like tcpdump's nd_push_snaplen):
 * offsets stay relative to the same base, and r advances past them.  When
 * fewer than n bytes are left the sub-reader gets what there is and r fails. */
static inline struct rtclab_reader rtclab_reader_sub(struct rtclab_reader *r, size_t n)
{
	struct rtclab_reader s = *r;
	size_t left = rtclab_reader_left(r);
	if (n > left) {
		s.end = r->pos + left;
		rtclab_reader_fail_(r);
	} else {
		s.end = r->pos + n;
		r->pos += n;
	}
	s.start = s.pos;
	return s;
}

struct rtclab_writer {
	uint8_t *base;
	size_t cap;
	size_t pos;
	bool overflow; /* a write did not fit; nothing past cap was touched */
};

static inline void rtclab_writer_init(struct rtclab_writer *w, void *buf, size_t cap)
{
	w->base = (uint8_t *)buf;
	w->cap = cap;
	w->pos = 0;
	w->overflow = false;
}

static inline bool rtclab_writer_room(struct rtclab_writer *w, size_t n)
{
	if (w->overflow || w->cap - w->pos < n) {
		w->overflow = true;
		return false;
	}
	return true;
}

static inline void rtclab_write_u8(struct rtclab_writer *w, uint8_t v)
{
	if (rtclab_writer_room(w, 1))
		w->base[w->pos++] = v;
}

static inline void rtclab_write_be16(struct rtclab_writer *w, uint16_t v)
{
	if (!rtclab_writer_room(w, 2))
		return;
	w->base[w->pos++] = (uint8_t)(v >> 8);
	w->base[w->pos++] = (uint8_t)v;
}

static inline void rtclab_write_be32(struct rtclab_writer *w, uint32_t v)
{
	if (!rtclab_writer_room(w, 4))
		return;
	for (int shift = 24; shift >= 0; shift -= 8)
		w->base[w->pos++] = (uint8_t)(v >> shift);
}

static inline void rtclab_write_be64(struct rtclab_writer *w, uint64_t v)
{
	if (!rtclab_writer_room(w, 8))
		return;
	rtclab_write_be32(w, (uint32_t)(v >> 32));
	rtclab_write_be32(w, (uint32_t)v);
}

static inline void rtclab_write_bytes(struct rtclab_writer *w, const void *src, size_t n)
{
	if (n == 0 || !rtclab_writer_room(w, n))
		return;
	memcpy(w->base + w->pos, src, n);
	w->pos += n;
}

static inline void rtclab_write_zeros(struct rtclab_writer *w, size_t n)
{
	if (n == 0 || !rtclab_writer_room(w, n))
		return;
	memset(w->base + w->pos, 0, n);
	w->pos += n;
}

/* Overwrite a 16-bit field written earlier (a length, say). */
static inline void rtclab_writer_patch_be16(struct rtclab_writer *w, size_t at, uint16_t v)
{
	if (at > w->pos || w->pos - at < 2) /* not at + 2 > pos: that wraps for at near SIZE_MAX */
		return;
	w->base[at] = (uint8_t)(v >> 8);
	w->base[at + 1] = (uint8_t)v;
}

#ifdef __cplusplus
}
#endif
#endif
