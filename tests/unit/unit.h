/* Shared helpers for the CUnit unit tests. */
#ifndef RTCLAB_UNIT_H
#define RTCLAB_UNIT_H

#include <CUnit/CUnit.h>
#include <stddef.h>
#include <stdint.h>

/* Every suite: a function that registers it (tests/unit/suites.h lists them). */
#define RTCLAB_SUITE(name) void add_suite_##name(void)
#define X(name) RTCLAB_SUITE(name);
#include "suites.h"
#undef X

/* Register a suite with its tests; aborts the run if CUnit cannot. */
struct unit_test {
	const char *name;
	void (*fn)(void);
};
void unit_add_suite(const char *name, const struct unit_test *tests);

/* An assertion with a formatted message (CU_ASSERT shows only the expression). */
__attribute__((format(printf, 4, 5))) void unit_check_at(int ok, const char *file, unsigned line, const char *fmt, ...);
#define CHECKF(cond, ...) unit_check_at((cond) ? 1 : 0, __FILE__, __LINE__, __VA_ARGS__)

/* Read tests/fixtures/<rel> (directory from $RTCLAB_FIXTURES); fails the test when missing. */
uint8_t *unit_fixture(const char *rel, size_t *len);

/* Bytes from a hex string (whitespace allowed); len set; static-free, caller frees. */
uint8_t *unit_hex(const char *hex, size_t *len);

#endif
