/* Private helpers shared by the simulated STUN server (lib/stun_server.c)
 * and TURN server (lib/turn_server*.c): how a request is judged before it
 * is served, how a response starts, and how an event is reported. */
#ifndef RTCLAB_STUN_SERVER_INTERNAL_H
#define RTCLAB_STUN_SERVER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtclab/stun.h"
#include "rtclab/stun_server.h"

#ifndef RTCLAB_INTERNAL
#define RTCLAB_INTERNAL __attribute__((visibility("hidden")))
#endif

/* Room for any message a server builds: a STUN header, the fixed
 * attributes and up to 64 KiB of relayed data. */
#define RTCLAB_SRV_MSG_MAX (65536 + 512)
#define RTCLAB_SRV_MAX_UNKNOWN 16 /* attribute types listed in UNKNOWN-ATTRIBUTES */

/* What to do with a decoded message (RFC 8489 6.3). */
enum rtclab_srv_judgement_ {
	RTCLAB_SRV_SERVE_ = 0,       /* well formed: serve it */
	RTCLAB_SRV_DISCARD_,         /* not a STUN message worth answering: drop silently */
	RTCLAB_SRV_BAD_REQUEST_,     /* a request with a malformed attribute: 400 */
	RTCLAB_SRV_UNKNOWN_ATTR_,    /* a request with unknown comprehension-required attributes: 420 */
};

struct rtclab_srv_judged_ {
	enum rtclab_srv_judgement_ verdict;
	char why[128];               /* a sentence for DISCARD and BAD_REQUEST */
	uint16_t unknown[RTCLAB_SRV_MAX_UNKNOWN];
	size_t n_unknown;
	bool fingerprint;            /* the message carried a valid FINGERPRINT */
};

/* Decode buf with rtclab_stun_decode and judge it: framing problems and a
 * bad FINGERPRINT discard; malformed known attributes give 400 (requests);
 * unknown comprehension-required ones 420 (requests); anything wrong with a
 * message that is not a request discards it. */
RTCLAB_INTERNAL void rtclab_srv_judge_(struct rtclab_stun_msg *msg, const void *buf, size_t len,
				       struct rtclab_srv_judged_ *out);

/* Start the response to req (same transaction ID, classic RFC 3489 ones
 * included) with SOFTWARE when software is not NULL. */
RTCLAB_INTERNAL void rtclab_srv_begin_response_(struct rtclab_stun_encoder *e, void *buf, size_t cap,
						const struct rtclab_stun_msg *req, enum rtclab_stun_class cls,
						const char *software);

/* ERROR-CODE with its registered reason phrase. */
RTCLAB_INTERNAL void rtclab_srv_add_error_code_(struct rtclab_stun_encoder *e, uint16_t code);
/* UNKNOWN-ATTRIBUTES (RFC 8489 14.13). */
RTCLAB_INTERNAL void rtclab_srv_add_unknown_(struct rtclab_stun_encoder *e, const uint16_t *types, size_t n);
/* A typed address attribute (plain or XOR, by its kind). */
RTCLAB_INTERNAL void rtclab_srv_add_addr_(struct rtclab_stun_encoder *e, uint16_t type, const struct rtclab_addr *a);
RTCLAB_INTERNAL void rtclab_srv_add_u32_(struct rtclab_stun_encoder *e, uint16_t type, uint32_t v);
RTCLAB_INTERNAL void rtclab_srv_add_text_(struct rtclab_stun_encoder *e, uint16_t type, const char *text);

/* The first attribute of this type that a receiver heeds (not after
 * MESSAGE-INTEGRITY or FINGERPRINT, RFC 8489 14.5), or NULL. */
RTCLAB_INTERNAL const struct rtclab_stun_attr *rtclab_srv_find_(const struct rtclab_stun_msg *msg, uint16_t type);

/* Report an event (fn may be NULL); text is formatted into a local buffer. */
__attribute__((format(printf, 4, 5))) RTCLAB_INTERNAL void
rtclab_srv_emit_(rtclab_server_event_fn fn, void *arg, struct rtclab_server_event *ev, const char *fmt, ...);

/* "192.0.2.1:3478" into a caller buffer of RTCLAB_ADDR_STRLEN. */
RTCLAB_INTERNAL const char *rtclab_srv_addr_(const struct rtclab_addr *a, char buf[RTCLAB_ADDR_STRLEN]);

#endif
