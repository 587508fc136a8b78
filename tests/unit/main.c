/* The unit test runner: every suite of suites.h, CUnit's basic interface. */
#include <CUnit/Basic.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

void unit_add_suite(const char *name, const struct unit_test *tests)
{
	CU_pSuite s = CU_add_suite(name, NULL, NULL);
	if (!s) {
		fprintf(stderr, "unit: cannot add suite %s: %s\n", name, CU_get_error_msg());
		exit(2);
	}
	for (; tests->name; tests++)
		if (!CU_add_test(s, tests->name, tests->fn)) {
			fprintf(stderr, "unit: cannot add test %s: %s\n", tests->name, CU_get_error_msg());
			exit(2);
		}
}

void unit_check_at(int ok, const char *file, unsigned line, const char *fmt, ...)
{
	char text[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	CU_assertImplementation(ok ? CU_TRUE : CU_FALSE, line, text, file, "", CU_FALSE);
}

uint8_t *unit_fixture(const char *rel, size_t *len)
{
	const char *dir = getenv("RTCLAB_FIXTURES");
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests/fixtures", rel);
	FILE *f = fopen(path, "rb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
	CU_ASSERT_FATAL(buf && fread(buf, 1, (size_t)n, f) == (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

uint8_t *unit_hex(const char *hex, size_t *len)
{
	uint8_t *out = malloc(strlen(hex) / 2 + 1);
	size_t k = 0;
	int high = -1;
	for (const char *p = hex; *p; p++) {
		if (isspace((unsigned char)*p))
			continue;
		int v = isdigit((unsigned char)*p) ? *p - '0' : tolower((unsigned char)*p) - 'a' + 10;
		if (high < 0) {
			high = v;
		} else {
			out[k++] = (uint8_t)(high << 4 | v);
			high = -1;
		}
	}
	*len = k;
	return out;
}

int main(int argc, char **argv)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
#define X(name) add_suite_##name();
#include "suites.h"
#undef X
	CU_basic_set_mode(CU_BRM_VERBOSE);
	if (argc > 1) { /* run one suite: unit-tests SUITE */
		CU_pSuite s = CU_get_suite(argv[1]);
		if (!s) {
			fprintf(stderr, "unit: no suite %s\n", argv[1]);
			return 2;
		}
		CU_basic_run_suite(s);
	} else {
		CU_basic_run_tests();
	}
	unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	unsigned run = CU_get_number_of_tests_run();
	CU_cleanup_registry();
	return failed || run == 0 ? 1 : 0;
}
