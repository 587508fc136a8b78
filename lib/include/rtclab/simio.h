/* rtclab/simio.h - what the sans-I/O parts of the simulator share: the
 * virtual time, the way a module hands a datagram to whoever carries it,
 * and a seedable random number generator.
 *
 * The ICE agent, the STUN and TURN servers, the NAT model and the
 * simulator core never read a clock, a socket or a global random source:
 * they are fed the current time and the datagrams that arrive, and they
 * give back the datagrams to send (through an rtclab_send_fn) and the time
 * they want to be woken at.  So one scenario and one seed always give the
 * same bytes, and the same agent can later run on real sockets.
 */
#ifndef RTCLAB_SIMIO_H
#define RTCLAB_SIMIO_H

#include <stddef.h>
#include <stdint.h>

#include "rtclab/addr.h"
#include "rtclab/packet.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Virtual time: nanoseconds since the start of the simulation. */
typedef int64_t rtclab_time_ns;
#define RTCLAB_NEVER INT64_MAX /* "no timer" */
#define RTCLAB_MS(x) ((rtclab_time_ns)(x) * 1000000LL)
#define RTCLAB_SEC(x) ((rtclab_time_ns)(x) * 1000000000LL)

/* A datagram (or, with l4 TCP, a chunk of a stream) leaving a module: from
 * src (one of the module's own transport addresses) to dst.  The bytes are
 * only valid during the call. */
typedef void (*rtclab_send_fn)(void *arg, rtclab_time_ns now, enum rtclab_l4 l4, const struct rtclab_addr *src,
			       const struct rtclab_addr *dst, const void *data, size_t len);

/* xoshiro256** (Blackman and Vigna), seeded through splitmix64: small, fast
 * and the same on every platform.  Each module that needs randomness
 * (transaction IDs, tie-breakers, ports, jitter, loss) takes a pointer to a
 * caller-owned state. */
struct rtclab_rng {
	uint64_t s[4];
};

static inline uint64_t rtclab_rng_splitmix_(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static inline void rtclab_rng_seed(struct rtclab_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = rtclab_rng_splitmix_(&seed);
}

static inline uint64_t rtclab_rng_next(struct rtclab_rng *r)
{
	uint64_t *s = r->s;
	uint64_t x = s[1] * 5, result = ((x << 7) | (x >> 57)) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = (s[3] << 45) | (s[3] >> 19);
	return result;
}

/* Uniform in [0, n) without modulo bias (n > 0). */
static inline uint64_t rtclab_rng_below(struct rtclab_rng *r, uint64_t n)
{
	uint64_t limit = UINT64_MAX - UINT64_MAX % n;
	uint64_t v;
	do
		v = rtclab_rng_next(r);
	while (v >= limit);
	return v % n;
}

/* Uniform in [0, 1). */
static inline double rtclab_rng_unit(struct rtclab_rng *r)
{
	return (double)(rtclab_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* A child generator for one module, so that adding draws in one module does
 * not shift another's sequence. */
static inline void rtclab_rng_fork(struct rtclab_rng *parent, struct rtclab_rng *child)
{
	rtclab_rng_seed(child, rtclab_rng_next(parent));
}

#ifdef __cplusplus
}
#endif
#endif
