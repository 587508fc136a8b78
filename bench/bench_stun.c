/* make bench: STUN decode time per message for a typical ICE Binding request
 * (what Chrome sends as a connectivity check), with and without integrity
 * verification, next to a baseline measured in the same run: copying the
 * message's bytes, the least any decoder must do to look at them. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "rtclab/stun.h"

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Keep the compiler from removing the measured work. */
static volatile size_t sink;

static size_t build_check(uint8_t *buf, size_t cap, const struct rtclab_stun_key *key)
{
	static const uint8_t tid[12] = {0x4a, 0x6f, 0x1e, 0x22, 0x90, 0x0b, 0x5c, 0x13, 0x77, 0x01, 0xd2, 0xe8};
	struct rtclab_stun_encoder e;
	struct rtclab_stun_attr a;
	rtclab_stun_enc_begin(&e, buf, cap, RTCLAB_STUN_BINDING, RTCLAB_STUN_REQUEST, tid);
	rtclab_stun_enc_raw(&e, RTCLAB_STUN_ATTR_USERNAME, "9Rzd:ZuxsXLwt", 13);
	memset(&a, 0, sizeof a);
	a.type = RTCLAB_STUN_ATTR_GOOG_NETWORK_INFO;
	a.v.network.network_id = 1;
	a.v.network.network_cost = 10;
	rtclab_stun_enc_attr(&e, &a);
	a.type = RTCLAB_STUN_ATTR_ICE_CONTROLLING;
	a.v.u64 = 0x6ad5e4a3c1f0b297ULL;
	rtclab_stun_enc_attr(&e, &a);
	a.type = RTCLAB_STUN_ATTR_USE_CANDIDATE;
	rtclab_stun_enc_attr(&e, &a);
	a.type = RTCLAB_STUN_ATTR_PRIORITY;
	a.v.u32 = 1853824767;
	rtclab_stun_enc_attr(&e, &a);
	rtclab_stun_enc_integrity(&e, key);
	rtclab_stun_enc_fingerprint(&e);
	return rtclab_stun_enc_end(&e);
}

enum mode { COPY, DECODE, DECODE_VERIFY };

static double run(enum mode mode, const uint8_t *msg, size_t len, const struct rtclab_stun_key *key, long n)
{
	static struct rtclab_stun_msg m;
	uint8_t copy[256];
	double t0 = now_ns();
	for (long i = 0; i < n; i++) {
		switch (mode) {
		case COPY:
			memcpy(copy, msg, len);
			__asm__ __volatile__("" : : "r"(copy) : "memory");
			sink += copy[i % len];
			break;
		case DECODE:
			sink += rtclab_stun_decode(&m, msg, len) + m.n_attrs;
			break;
		case DECODE_VERIFY:
			rtclab_stun_decode(&m, msg, len);
			sink += rtclab_stun_check_integrity(&m, key) + rtclab_stun_check_fingerprint(&m);
			break;
		}
	}
	return (now_ns() - t0) / (double)n;
}

/* Best of several rounds: the least disturbed by the rest of the machine. */
static double best(enum mode mode, const uint8_t *msg, size_t len, const struct rtclab_stun_key *key, long n)
{
	double b = 1e30;
	for (int r = 0; r < 7; r++) {
		double t = run(mode, msg, len, key, n);
		if (t < b)
			b = t;
	}
	return b;
}

int main(void)
{
	struct rtclab_stun_key key;
	uint8_t msg[256];
	rtclab_stun_key_short_term(&key, "xC8nJjnfGlhWOnT2q5J94HzV", RTCLAB_STUN_PREP_OPAQUESTRING);
	size_t len = build_check(msg, sizeof msg, &key);
	struct rtclab_stun_msg m;
	if (len == 0 || rtclab_stun_decode(&m, msg, len) != RTCLAB_STUN_OK ||
	    rtclab_stun_check_integrity(&m, &key) != RTCLAB_STUN_CHECK_OK) {
		fprintf(stderr, "bench: the benchmark message does not verify\n");
		return 1;
	}
	double copy = best(COPY, msg, len, &key, 2000000);
	double decode = best(DECODE, msg, len, &key, 2000000);
	double verify = best(DECODE_VERIFY, msg, len, &key, 20000);
	printf("STUN decode, ICE Binding request of %zu bytes, %zu attributes (best of 7 rounds, one core)\n", len,
	       m.n_attrs);
	printf("  %-34s %9.1f ns/msg   1.00x  (baseline)\n", "baseline: copy the bytes", copy);
	printf("  %-34s %9.1f ns/msg %6.2fx  (target < 100 ns: %s)\n", "decode", decode, decode / copy,
	       decode < 100 ? "met" : "MISSED");
	printf("  %-34s %9.1f ns/msg %6.2fx\n", "decode + MESSAGE-INTEGRITY + CRC", verify, verify / copy);
	return 0;
}
