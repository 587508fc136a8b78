/* The bounds-checked reader and writer of rtclab/bytes.h: every read and
 * write at its exact bound and one byte past it, sticky errors, sub-readers,
 * views, and a writer that never touches a byte past its capacity. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "rtclab/bytes.h"
#include "unit.h"


/* 0x01 0x02 ... 0x10 */
static const uint8_t SEQ[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

/* --- reads, data-driven --------------------------------------------------------- */

/* One read of `size` bytes; returns what it read as a number (views and
 * copies: the first byte, or 0 on failure) and whether it claims success. */
struct read_kind {
	const char *name;
	size_t size;
	uint64_t (*read)(struct rtclab_reader *r, bool *ok);
	uint64_t want; /* value of a successful read starting at SEQ[0] */
};

static uint64_t do_u8(struct rtclab_reader *r, bool *ok)
{
	uint64_t v = rtclab_read_u8(r);
	*ok = !r->error;
	return v;
}

static uint64_t do_be16(struct rtclab_reader *r, bool *ok)
{
	uint64_t v = rtclab_read_be16(r);
	*ok = !r->error;
	return v;
}

static uint64_t do_be32(struct rtclab_reader *r, bool *ok)
{
	uint64_t v = rtclab_read_be32(r);
	*ok = !r->error;
	return v;
}

static uint64_t do_be64(struct rtclab_reader *r, bool *ok)
{
	uint64_t v = rtclab_read_be64(r);
	*ok = !r->error;
	return v;
}

static uint64_t do_view5(struct rtclab_reader *r, bool *ok)
{
	struct rtclab_bytes v = rtclab_read_view(r, 5);
	*ok = v.ptr != NULL;
	if (!v.ptr)
		return v.len; /* must be 0 */
	return v.len == 5 ? v.ptr[0] : 0xDEAD;
}

static uint64_t do_copy3(struct rtclab_reader *r, bool *ok)
{
	uint8_t dst[3] = {0xAA, 0xAA, 0xAA};
	*ok = rtclab_read_copy(r, dst, sizeof dst);
	/* On failure the destination is zeroed: all three bytes must be 0. */
	return (uint64_t)dst[0] << 16 | (uint64_t)dst[1] << 8 | dst[2];
}

static uint64_t do_skip6(struct rtclab_reader *r, bool *ok)
{
	*ok = rtclab_reader_skip(r, 6);
	return *ok;
}

static const struct read_kind READS[] = {
	{"u8", 1, do_u8, 0x01},
	{"be16", 2, do_be16, 0x0102},
	{"be32", 4, do_be32, 0x01020304},
	{"be64", 8, do_be64, 0x0102030405060708ULL},
	{"view(5)", 5, do_view5, 0x01},
	{"copy(3)", 3, do_copy3, 0x010203},
	{"skip(6)", 6, do_skip6, 1},
};
#define N_READS (sizeof READS / sizeof READS[0])

/* Every read at its exact bound succeeds and leaves nothing; with one byte
 * fewer it fails, returns 0, leaves pos where it was and records that
 * offset in error_pos.  Done at offset 0 and after a prefix of 3 bytes. */
static void test_reads_at_bounds(void)
{
	for (size_t k = 0; k < N_READS; k++) {
		const struct read_kind *rk = &READS[k];
		for (size_t prefix = 0; prefix <= 3; prefix += 3) {
			uint8_t buf[32];
			memset(buf, 0xEE, prefix);
			memcpy(buf + prefix, SEQ, rk->size);
			struct rtclab_reader r;
			bool ok;

			/* Exactly enough bytes. */
			rtclab_reader_init(&r, buf, prefix + rk->size);
			CU_ASSERT_TRUE(rtclab_reader_skip(&r, prefix));
			uint64_t v = rk->read(&r, &ok);
			CHECKF(ok, "%s at exact bound (prefix %zu) fails", rk->name, prefix);
			CHECKF(v == rk->want, "%s read 0x%llx, want 0x%llx", rk->name, (unsigned long long)v,
			       (unsigned long long)rk->want);
			CHECKF(!r.error, "%s at exact bound sets error", rk->name);
			CHECKF(r.pos == prefix + rk->size, "%s: pos %zu after the read", rk->name, r.pos);
			CHECKF(rtclab_reader_left(&r) == 0, "%s: %zu left", rk->name, rtclab_reader_left(&r));
			/* ...and then one byte more is one too many. */
			CU_ASSERT_EQUAL(rtclab_read_u8(&r), 0);
			CU_ASSERT_TRUE(r.error);
			CU_ASSERT_EQUAL(r.error_pos, prefix + rk->size);

			/* One byte short. */
			rtclab_reader_init(&r, buf, prefix + rk->size - 1);
			CU_ASSERT_TRUE(rtclab_reader_skip(&r, prefix));
			v = rk->read(&r, &ok);
			CHECKF(!ok, "%s one byte short (prefix %zu) succeeds", rk->name, prefix);
			CHECKF(v == 0, "%s one byte short returns 0x%llx, not 0", rk->name, (unsigned long long)v);
			CHECKF(r.error, "%s one byte short: no error", rk->name);
			CHECKF(r.error_pos == prefix, "%s one byte short: error_pos %zu, want %zu (where the read started)",
			       rk->name, r.error_pos, prefix);
			CHECKF(r.pos == prefix, "%s one byte short: pos moved to %zu", rk->name, r.pos);
			CHECKF(rtclab_reader_left(&r) == 0, "%s one byte short: left %zu after the error", rk->name,
			       rtclab_reader_left(&r));
		}
	}
}

static void test_read_values(void)
{
	static const uint8_t b[] = {0xFF, 0x80, 0x01, 0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10, 0x0F, 0xED};
	struct rtclab_reader r;
	rtclab_reader_init(&r, b, sizeof b);
	CU_ASSERT_EQUAL(rtclab_reader_left(&r), 13);
	CU_ASSERT_EQUAL(rtclab_read_u8(&r), 0xFF);
	CU_ASSERT_EQUAL(rtclab_read_be16(&r), 0x8001);
	CU_ASSERT_EQUAL(rtclab_read_be32(&r), 0xFEDCBA98u);
	CU_ASSERT_EQUAL(r.pos, 7);
	rtclab_reader_init(&r, b, sizeof b);
	CU_ASSERT_EQUAL(rtclab_read_be64(&r), 0xFF8001FEDCBA9876ULL);
	CU_ASSERT_EQUAL(rtclab_read_be32(&r), 0x5432100Fu);
	CU_ASSERT_EQUAL(rtclab_reader_left(&r), 1);
	CU_ASSERT_TRUE(rtclab_reader_has(&r, 1));
	CU_ASSERT_FALSE(rtclab_reader_has(&r, 2));
	CU_ASSERT_TRUE(rtclab_reader_has(&r, 0));
	CU_ASSERT_FALSE(r.error); /* has() only asks */

	/* An empty buffer: nothing to read, everything fails at 0. */
	rtclab_reader_init(&r, b, 0);
	CU_ASSERT_EQUAL(rtclab_reader_left(&r), 0);
	CU_ASSERT_EQUAL(rtclab_read_u8(&r), 0);
	CU_ASSERT_TRUE(r.error);
	CU_ASSERT_EQUAL(r.error_pos, 0);
}

/* A be64 with 4 to 7 bytes left must fail as a whole, as the others do:
 * not return the high half, not report the failure half-way through. */
static void test_read_be64_partial(void)
{
	for (size_t n = 0; n < 8; n++) {
		struct rtclab_reader r;
		rtclab_reader_init(&r, SEQ, n);
		uint64_t v = rtclab_read_be64(&r);
		CHECKF(v == 0, "be64 with %zu bytes returned 0x%016llx", n, (unsigned long long)v);
		CHECKF(r.error && r.error_pos == 0, "be64 with %zu bytes: error %d at %zu", n, r.error, r.error_pos);
		CHECKF(r.pos == 0, "be64 with %zu bytes: pos %zu", n, r.pos);
	}
}

static void test_sticky_error(void)
{
	struct rtclab_reader r;
	rtclab_reader_init(&r, SEQ, 6);
	CU_ASSERT_EQUAL(rtclab_read_be16(&r), 0x0102);
	CU_ASSERT_EQUAL(rtclab_read_be32(&r), 0x03040506u); /* 4 bytes wanted, 4 there */
	CU_ASSERT_FALSE(r.error);
	rtclab_reader_init(&r, SEQ, 6);
	CU_ASSERT_EQUAL(rtclab_read_be16(&r), 0x0102);
	CU_ASSERT_EQUAL(rtclab_read_u8(&r), 0x03);
	CU_ASSERT_EQUAL(rtclab_read_be32(&r), 0); /* 4 wanted at 3, 3 there: fails */
	CU_ASSERT_TRUE(r.error);
	CU_ASSERT_EQUAL(r.error_pos, 3);
	CU_ASSERT_EQUAL(r.pos, 3);
	/* Every later read fails too, even one that would fit, and the first
	 * failure's offset is kept. */
	CU_ASSERT_EQUAL(rtclab_read_u8(&r), 0);
	CU_ASSERT_EQUAL(rtclab_read_be16(&r), 0);
	CU_ASSERT_FALSE(rtclab_reader_skip(&r, 1));
	CU_ASSERT_FALSE(rtclab_reader_skip(&r, 0));
	CU_ASSERT_FALSE(rtclab_reader_has(&r, 0));
	CU_ASSERT_EQUAL(rtclab_reader_left(&r), 0);
	struct rtclab_bytes v = rtclab_read_view(&r, 0);
	CU_ASSERT_PTR_NULL(v.ptr);
	CU_ASSERT_EQUAL(v.len, 0);
	uint8_t dst[2] = {9, 9};
	CU_ASSERT_FALSE(rtclab_read_copy(&r, dst, 2));
	CU_ASSERT_EQUAL(dst[0], 0);
	CU_ASSERT_EQUAL(dst[1], 0);
	CU_ASSERT_TRUE(r.error);
	CU_ASSERT_EQUAL(r.error_pos, 3);
	CU_ASSERT_EQUAL(r.pos, 3);

	/* A huge request cannot wrap around the bounds check. */
	rtclab_reader_init(&r, SEQ, 16);
	rtclab_read_u8(&r);
	CU_ASSERT_FALSE(rtclab_reader_skip(&r, SIZE_MAX));
	CU_ASSERT_EQUAL(r.error_pos, 1);
	rtclab_reader_init(&r, SEQ, 16);
	rtclab_read_u8(&r);
	v = rtclab_read_view(&r, SIZE_MAX - 1);
	CU_ASSERT_PTR_NULL(v.ptr);
	CU_ASSERT_TRUE(r.error);
}

static void test_views(void)
{
	struct rtclab_reader r;
	rtclab_reader_init(&r, SEQ, 10);
	rtclab_reader_skip(&r, 2);
	struct rtclab_bytes v = rtclab_read_view(&r, 8); /* exactly what is left */
	CU_ASSERT_PTR_EQUAL(v.ptr, SEQ + 2);
	CU_ASSERT_EQUAL(v.len, 8);
	CU_ASSERT_FALSE(r.error);
	v = rtclab_read_view(&r, 0); /* an empty view at the end is fine */
	CU_ASSERT_PTR_EQUAL(v.ptr, SEQ + 10);
	CU_ASSERT_EQUAL(v.len, 0);
	CU_ASSERT_FALSE(r.error);
	v = rtclab_read_view(&r, 1);
	CU_ASSERT_PTR_NULL(v.ptr);
	CU_ASSERT_EQUAL(v.len, 0);
	CU_ASSERT_TRUE(r.error);
	CU_ASSERT_EQUAL(r.error_pos, 10);

	/* Views point into the caller's buffer: no copy. */
	uint8_t buf[4] = {1, 2, 3, 4};
	rtclab_reader_init(&r, buf, sizeof buf);
	v = rtclab_read_view(&r, 4);
	buf[3] = 42;
	CU_ASSERT_EQUAL(v.ptr[3], 42);

	uint8_t dst[4];
	rtclab_reader_init(&r, SEQ, 4);
	CU_ASSERT_TRUE(rtclab_read_copy(&r, dst, 4));
	CU_ASSERT_EQUAL(memcmp(dst, SEQ, 4), 0);
}

/* --- sub-readers --------------------------------------------------------------- */

static void test_sub(void)
{
	struct rtclab_reader r;
	rtclab_reader_init(&r, SEQ, 12);
	rtclab_read_u8(&r);
	struct rtclab_reader s = rtclab_reader_sub(&r, 6);
	/* The parent advanced past the window and is fine. */
	CU_ASSERT_EQUAL(r.pos, 7);
	CU_ASSERT_FALSE(r.error);
	CU_ASSERT_EQUAL(rtclab_reader_left(&r), 5);
	/* The window: same base, offsets relative to it, 6 bytes. */
	CU_ASSERT_PTR_EQUAL(s.base, SEQ);
	CU_ASSERT_EQUAL(s.start, 1);
	CU_ASSERT_EQUAL(s.pos, 1);
	CU_ASSERT_EQUAL(s.end, 7);
	CU_ASSERT_FALSE(s.error);
	CU_ASSERT_EQUAL(rtclab_reader_left(&s), 6);
	CU_ASSERT_EQUAL(rtclab_read_be32(&s), 0x02030405u);
	CU_ASSERT_EQUAL(s.pos, 5);
	/* Reading past the window fails in the window (at its offset from base)
	 * although the parent's buffer goes on. */
	CU_ASSERT_EQUAL(rtclab_read_be32(&s), 0);
	CU_ASSERT_TRUE(s.error);
	CU_ASSERT_EQUAL(s.error_pos, 5);
	CU_ASSERT_FALSE(r.error); /* the parent does not see the window's error */
	CU_ASSERT_EQUAL(rtclab_read_u8(&r), 8);

	/* A window of a window. */
	rtclab_reader_init(&r, SEQ, 16);
	rtclab_reader_skip(&r, 4);
	s = rtclab_reader_sub(&r, 8);
	rtclab_reader_skip(&s, 2);
	struct rtclab_reader t = rtclab_reader_sub(&s, 3);
	CU_ASSERT_EQUAL(t.start, 6);
	CU_ASSERT_EQUAL(t.end, 9);
	CU_ASSERT_EQUAL(s.pos, 9);
	CU_ASSERT_EQUAL(rtclab_read_u8(&t), 7);
	CU_ASSERT_EQUAL(rtclab_read_be16(&t), 0x0809);
	CU_ASSERT_EQUAL(rtclab_read_u8(&t), 0);
	CU_ASSERT_EQUAL(t.error_pos, 9);

	/* An empty window. */
	rtclab_reader_init(&r, SEQ, 4);
	s = rtclab_reader_sub(&r, 0);
	CU_ASSERT_FALSE(r.error);
	CU_ASSERT_EQUAL(r.pos, 0);
	CU_ASSERT_EQUAL(rtclab_reader_left(&s), 0);
	/* A window of exactly what is left. */
	s = rtclab_reader_sub(&r, 4);
	CU_ASSERT_FALSE(r.error);
	CU_ASSERT_EQUAL(r.pos, 4);
	CU_ASSERT_EQUAL(rtclab_read_be32(&s), 0x01020304u);
}

static void test_sub_short(void)
{
	struct rtclab_reader r;
	rtclab_reader_init(&r, SEQ, 10);
	rtclab_reader_skip(&r, 5);
	struct rtclab_reader s = rtclab_reader_sub(&r, 6); /* 5 left */
	/* The parent fails where the window started and does not move. */
	CU_ASSERT_TRUE(r.error);
	CU_ASSERT_EQUAL(r.error_pos, 5);
	CU_ASSERT_EQUAL(r.pos, 5);
	CU_ASSERT_EQUAL(rtclab_read_u8(&r), 0);
	/* The window gets what there is. */
	CU_ASSERT_FALSE(s.error);
	CU_ASSERT_EQUAL(s.start, 5);
	CU_ASSERT_EQUAL(s.end, 10);
	CU_ASSERT_EQUAL(rtclab_reader_left(&s), 5);
	uint8_t dst[5];
	CU_ASSERT_TRUE(rtclab_read_copy(&s, dst, 5));
	CU_ASSERT_EQUAL(memcmp(dst, SEQ + 5, 5), 0);
	CU_ASSERT_EQUAL(rtclab_read_u8(&s), 0);
	CU_ASSERT_EQUAL(s.error_pos, 10);

	/* A window taken from a reader already in error is in error too. */
	s = rtclab_reader_sub(&r, 1);
	CU_ASSERT_TRUE(s.error);
	CU_ASSERT_EQUAL(rtclab_reader_left(&s), 0);
	CU_ASSERT_EQUAL(rtclab_read_u8(&s), 0);
	CU_ASSERT_EQUAL(r.error_pos, 5);
}

/* --- the writer ----------------------------------------------------------------- */

struct write_kind {
	const char *name;
	size_t size;
	void (*write)(struct rtclab_writer *w);
	uint8_t want[8];
};

static void w_u8(struct rtclab_writer *w)
{
	rtclab_write_u8(w, 0xA1);
}

static void w_be16(struct rtclab_writer *w)
{
	rtclab_write_be16(w, 0xA1B2);
}

static void w_be32(struct rtclab_writer *w)
{
	rtclab_write_be32(w, 0xA1B2C3D4u);
}

static void w_be64(struct rtclab_writer *w)
{
	rtclab_write_be64(w, 0xA1B2C3D4E5F60718ULL);
}

static void w_bytes5(struct rtclab_writer *w)
{
	static const uint8_t src[5] = {0xA1, 0xB2, 0xC3, 0xD4, 0xE5};
	rtclab_write_bytes(w, src, sizeof src);
}

static void w_zeros3(struct rtclab_writer *w)
{
	rtclab_write_zeros(w, 3);
}

static const struct write_kind WRITES[] = {
	{"u8", 1, w_u8, {0xA1}},
	{"be16", 2, w_be16, {0xA1, 0xB2}},
	{"be32", 4, w_be32, {0xA1, 0xB2, 0xC3, 0xD4}},
	{"be64", 8, w_be64, {0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0xF6, 0x07, 0x18}},
	{"bytes(5)", 5, w_bytes5, {0xA1, 0xB2, 0xC3, 0xD4, 0xE5}},
	{"zeros(3)", 3, w_zeros3, {0}},
};
#define N_WRITES (sizeof WRITES / sizeof WRITES[0])

/* Every write at exactly its capacity fits; with one byte less it
 * overflows, and no byte at or past cap changes (a canary follows). */
static void test_writes_at_bounds(void)
{
	for (size_t k = 0; k < N_WRITES; k++) {
		const struct write_kind *wk = &WRITES[k];
		for (size_t prefix = 0; prefix <= 3; prefix += 3) {
			uint8_t buf[32];
			struct rtclab_writer w;

			memset(buf, 0x5A, sizeof buf);
			rtclab_writer_init(&w, buf, prefix + wk->size);
			rtclab_write_zeros(&w, prefix);
			wk->write(&w);
			CHECKF(!w.overflow, "%s fits exactly (prefix %zu) but overflows", wk->name, prefix);
			CHECKF(w.pos == prefix + wk->size, "%s: pos %zu", wk->name, w.pos);
			CHECKF(memcmp(buf + prefix, wk->want, wk->size) == 0, "%s wrote the wrong bytes", wk->name);
			CHECKF(buf[prefix + wk->size] == 0x5A, "%s wrote past its bytes", wk->name);
			/* Full: one more byte overflows, and the canary stays. */
			rtclab_write_u8(&w, 0x33);
			CU_ASSERT_TRUE(w.overflow);
			CU_ASSERT_EQUAL(w.pos, prefix + wk->size);
			CU_ASSERT_EQUAL(buf[prefix + wk->size], 0x5A);

			memset(buf, 0x5A, sizeof buf);
			size_t cap = prefix + wk->size - 1;
			rtclab_writer_init(&w, buf, cap);
			rtclab_write_zeros(&w, prefix);
			wk->write(&w);
			CHECKF(w.overflow, "%s one byte short (prefix %zu): no overflow", wk->name, prefix);
			CHECKF(w.pos <= cap, "%s one byte short: pos %zu past cap %zu", wk->name, w.pos, cap);
			size_t touched = 0;
			for (size_t i = cap; i < sizeof buf; i++)
				touched += buf[i] != 0x5A;
			CHECKF(touched == 0, "%s one byte short: %zu byte(s) past cap written", wk->name, touched);
			/* Sticky: a later write that would fit is refused too. */
			size_t pos = w.pos;
			uint8_t before[32];
			memcpy(before, buf, sizeof buf);
			rtclab_write_bytes(&w, "", 0);
			CU_ASSERT_TRUE(w.overflow);
			if (pos < cap) {
				rtclab_write_u8(&w, 0x77);
				CHECKF(w.pos == pos && memcmp(buf, before, sizeof buf) == 0,
				       "%s: a write after an overflow was accepted", wk->name);
			}
		}
	}
}

static void test_writer_overflow(void)
{
	uint8_t buf[16];
	struct rtclab_writer w;
	memset(buf, 0x5A, sizeof buf);
	rtclab_writer_init(&w, buf, 6);
	rtclab_write_be32(&w, 0x01020304u);
	rtclab_write_be32(&w, 0x05060708u); /* 4 wanted, 2 there */
	CU_ASSERT_TRUE(w.overflow);
	CU_ASSERT_EQUAL(w.pos, 4);
	rtclab_write_be16(&w, 0x0506); /* would fit: refused, the writer is overflowed */
	CU_ASSERT_EQUAL(w.pos, 4);
	CU_ASSERT_EQUAL(buf[4], 0x5A);
	CU_ASSERT_EQUAL(buf[5], 0x5A);
	CU_ASSERT_FALSE(rtclab_writer_room(&w, 0));
	for (size_t i = 6; i < sizeof buf; i++)
		CU_ASSERT_EQUAL(buf[i], 0x5A);

	/* Zero bytes always fit, even in a full writer and a NULL buffer. */
	rtclab_writer_init(&w, buf, 0);
	rtclab_write_bytes(&w, "x", 0);
	rtclab_write_zeros(&w, 0);
	CU_ASSERT_FALSE(w.overflow);
	rtclab_writer_init(&w, NULL, 0);
	rtclab_write_zeros(&w, 0);
	CU_ASSERT_FALSE(w.overflow);
	rtclab_write_u8(&w, 1);
	CU_ASSERT_TRUE(w.overflow);
	CU_ASSERT_EQUAL(w.pos, 0);

	/* A huge write cannot wrap around the room check. */
	memset(buf, 0x5A, sizeof buf);
	rtclab_writer_init(&w, buf, 8);
	rtclab_write_u8(&w, 1);
	rtclab_write_zeros(&w, SIZE_MAX);
	CU_ASSERT_TRUE(w.overflow);
	CU_ASSERT_EQUAL(w.pos, 1);
	CU_ASSERT_EQUAL(buf[1], 0x5A);
}

static void test_patch_be16(void)
{
	uint8_t buf[8];
	struct rtclab_writer w;
	memset(buf, 0x5A, sizeof buf);
	rtclab_writer_init(&w, buf, 6);
	rtclab_write_be16(&w, 0x1111);
	rtclab_write_be16(&w, 0x2222);
	rtclab_writer_patch_be16(&w, 0, 0xABCD);
	CU_ASSERT_EQUAL(buf[0], 0xAB);
	CU_ASSERT_EQUAL(buf[1], 0xCD);
	rtclab_writer_patch_be16(&w, 2, 0x0102); /* the last two bytes written */
	CU_ASSERT_EQUAL(buf[2], 0x01);
	CU_ASSERT_EQUAL(buf[3], 0x02);
	rtclab_writer_patch_be16(&w, 1, 0xEEFF); /* straddling: still inside what was written */
	CU_ASSERT_EQUAL(buf[1], 0xEE);
	CU_ASSERT_EQUAL(buf[2], 0xFF);
	CU_ASSERT_EQUAL(w.pos, 4); /* patching does not move pos */
	CU_ASSERT_FALSE(w.overflow);
	/* Only what was written can be patched: not at pos-1, pos or beyond. */
	rtclab_writer_patch_be16(&w, 3, 0x7777);
	rtclab_writer_patch_be16(&w, 4, 0x7777);
	rtclab_writer_patch_be16(&w, 6, 0x7777);
	rtclab_writer_patch_be16(&w, 100, 0x7777);
	CU_ASSERT_EQUAL(buf[3], 0x02);
	CU_ASSERT_EQUAL(buf[4], 0x5A);
	CU_ASSERT_EQUAL(buf[5], 0x5A);
	CU_ASSERT_EQUAL(buf[6], 0x5A);
	/* An offset near SIZE_MAX must not wrap past the check (it would write
	 * just before the buffer). */
	rtclab_writer_patch_be16(&w, SIZE_MAX - 1, 0x7777);
	rtclab_writer_patch_be16(&w, SIZE_MAX, 0x7777);
	CU_ASSERT_EQUAL(memcmp(buf, "\xAB\xEE\xFF\x02\x5A\x5A\x5A\x5A", 8), 0);
	/* An empty writer has nothing to patch. */
	rtclab_writer_init(&w, buf, sizeof buf);
	rtclab_writer_patch_be16(&w, 0, 0x7777);
	CU_ASSERT_EQUAL(buf[0], 0xAB);
}

/* Writer and reader agree. */
static void test_round_trip(void)
{
	uint8_t buf[32];
	struct rtclab_writer w;
	rtclab_writer_init(&w, buf, sizeof buf);
	rtclab_write_u8(&w, 0xFE);
	rtclab_write_be16(&w, 0xBEEF);
	rtclab_write_be32(&w, 0xDEADBEEFu);
	rtclab_write_be64(&w, 0x0123456789ABCDEFULL);
	rtclab_write_bytes(&w, "abc", 3);
	rtclab_write_zeros(&w, 2);
	CU_ASSERT_FALSE(w.overflow);
	CU_ASSERT_EQUAL(w.pos, 20);
	struct rtclab_reader r;
	rtclab_reader_init(&r, buf, w.pos);
	CU_ASSERT_EQUAL(rtclab_read_u8(&r), 0xFE);
	CU_ASSERT_EQUAL(rtclab_read_be16(&r), 0xBEEF);
	CU_ASSERT_EQUAL(rtclab_read_be32(&r), 0xDEADBEEFu);
	CU_ASSERT_EQUAL(rtclab_read_be64(&r), 0x0123456789ABCDEFULL);
	struct rtclab_bytes v = rtclab_read_view(&r, 3);
	CU_ASSERT_EQUAL(memcmp(v.ptr, "abc", 3), 0);
	CU_ASSERT_EQUAL(rtclab_read_be16(&r), 0);
	CU_ASSERT_EQUAL(rtclab_reader_left(&r), 0);
	CU_ASSERT_FALSE(r.error);
}

RTCLAB_SUITE(bytes)
{
	static const struct unit_test tests[] = {
		{"every read at its exact bound and one byte past", test_reads_at_bounds},
		{"read values (big-endian)", test_read_values},
		{"be64 with 0-7 bytes fails as a whole", test_read_be64_partial},
		{"sticky error and error_pos", test_sticky_error},
		{"views and copies", test_views},
		{"sub-reader: relative offsets, parent advances", test_sub},
		{"sub-reader: short window fails the parent", test_sub_short},
		{"every write at its exact capacity and one byte short", test_writes_at_bounds},
		{"writer overflow is sticky and never writes past cap", test_writer_overflow},
		{"patch_be16", test_patch_be16},
		{"writer then reader", test_round_trip},
		{NULL, NULL},
	};
	unit_add_suite("bytes", tests);
}
