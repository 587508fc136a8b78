/* make bench: SDP parsing speed for a typical Chrome offer (audio + video,
 * BUNDLE, 31 codecs), in MB/s and offers/s, next to a baseline measured in
 * the same run: scanning the same bytes for line ends, the least any SDP
 * parser must do. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rtclab/sdp.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static volatile size_t sink;

static size_t count_lines(const char *text, size_t len)
{
	size_t n = 0;
	for (const char *p = text, *end = text + len; (p = memchr(p, '\n', (size_t)(end - p))); p++)
		n++;
	return n;
}

/* Seconds per call of f, best of 7 rounds of n calls. */
static double best(int mode, const char *text, size_t len, long n)
{
	double b = 1e30;
	for (int r = 0; r < 7; r++) {
		double t0 = now_s();
		for (long i = 0; i < n; i++) {
			if (mode == 0) {
				sink += count_lines(text, len);
			} else {
				struct rtclab_sdp *sdp = rtclab_sdp_parse(text, len);
				sink += sdp->n_lines;
				if (mode == 2)
					sink += rtclab_sdp_lint(sdp, RTCLAB_SDP_ROLE_UNKNOWN);
				rtclab_sdp_free(sdp);
			}
		}
		double t = (now_s() - t0) / (double)n;
		if (t < b)
			b = t;
	}
	return b;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "tests/fixtures/sdp/exwebrtc_chromium_audio_video_sdp.sdp";
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return 1;
	}
	static char text[1 << 20];
	size_t len = fread(text, 1, sizeof text, f);
	fclose(f);
	struct rtclab_sdp *sdp = rtclab_sdp_parse(text, len);
	if (!sdp || sdp->n_media == 0) {
		fprintf(stderr, "bench: %s does not parse\n", path);
		return 1;
	}
	size_t lines = sdp->n_lines;
	rtclab_sdp_free(sdp);
	double scan = best(0, text, len, 200000), parse = best(1, text, len, 20000), lint = best(2, text, len, 20000);
	printf("SDP parse, %s: %zu bytes, %zu lines (best of 7 rounds, one core)\n", path, len, lines);
	printf("  %-32s %9.1f MB/s %10.0f offers/s   1.00x  (baseline)\n", "baseline: find the line ends",
	       (double)len / scan / 1e6, 1 / scan);
	printf("  %-32s %9.1f MB/s %10.0f offers/s %6.2fx\n", "parse into the model", (double)len / parse / 1e6,
	       1 / parse, parse / scan);
	printf("  %-32s %9.1f MB/s %10.0f offers/s %6.2fx\n", "parse + lint", (double)len / lint / 1e6, 1 / lint,
	       lint / scan);
	return 0;
}
