/* Private helpers shared by the STUN decoder, encoder and integrity code. */
#ifndef RTCLAB_STUN_INTERNAL_H
#define RTCLAB_STUN_INTERNAL_H

#include "rtclab/stun.h"

/* Library-internal: not exported from librtclab.so. */
#define RTCLAB_INTERNAL __attribute__((visibility("hidden")))

/* Append a problem to msg (counted past the array's capacity). */
RTCLAB_INTERNAL void rtclab_stun_add_problem_(struct rtclab_stun_msg *msg, enum rtclab_stun_error code, size_t offset,
			      uint16_t attr_type, uint32_t expected, uint32_t found);

/* Decode a's typed value from a->value; problems go to msg. */
RTCLAB_INTERNAL void rtclab_stun_decode_value_(struct rtclab_stun_msg *msg, struct rtclab_stun_attr *a);


/* HMAC(digest, key) over msg[0..2) || adjusted_length || msg[4..end): the
 * integrity computation of RFC 8489 14.5 without copying the message. */
RTCLAB_INTERNAL bool rtclab_stun_hmac_(const char *digest, const struct rtclab_stun_key *key, const uint8_t *msg, size_t end,
		       size_t adjusted_length, uint8_t *out, size_t *outlen);

#endif
