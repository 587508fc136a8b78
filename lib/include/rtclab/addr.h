/* rtclab/addr.h - transport addresses (IP address + port) as the wire carries them. */
#ifndef RTCLAB_ADDR_H
#define RTCLAB_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum rtclab_family {
	RTCLAB_FAMILY_NONE = 0,
	RTCLAB_FAMILY_IPV4 = 4,
	RTCLAB_FAMILY_IPV6 = 6,
};

struct rtclab_addr {
	enum rtclab_family family;
	uint16_t port;
	uint8_t ip[16]; /* IPv4 in the first 4 bytes, network order */
};

/* Longest text rtclab_addr_format can write, with its NUL: "[v6]:65535". */
#define RTCLAB_ADDR_STRLEN 56

/* "192.0.2.1" or "2001:db8::1" (RFC 5952 form). Returns buf. */
const char *rtclab_addr_ip_format(const struct rtclab_addr *a, char *buf, size_t len);

/* "192.0.2.1:32853" or "[2001:db8::1]:32853". Returns buf. */
const char *rtclab_addr_format(const struct rtclab_addr *a, char *buf, size_t len);

/* Parse an IPv4 or IPv6 address (no port) into a; false if it is neither. */
bool rtclab_addr_ip_parse(struct rtclab_addr *a, const char *text);

bool rtclab_addr_equal(const struct rtclab_addr *a, const struct rtclab_addr *b);

#ifdef __cplusplus
}
#endif
#endif
