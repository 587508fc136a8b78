/* Transport address formatting and parsing. */
#include "rtclab/addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

const char *rtclab_addr_ip_format(const struct rtclab_addr *a, char *buf, size_t len)
{
	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (a->family == RTCLAB_FAMILY_IPV4)
		inet_ntop(AF_INET, a->ip, buf, (socklen_t)len);
	else if (a->family == RTCLAB_FAMILY_IPV6)
		inet_ntop(AF_INET6, a->ip, buf, (socklen_t)len);
	return buf;
}

const char *rtclab_addr_format(const struct rtclab_addr *a, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];
	rtclab_addr_ip_format(a, ip, sizeof ip);
	if (a->family == RTCLAB_FAMILY_IPV6)
		snprintf(buf, len, "[%s]:%u", ip, (unsigned)a->port);
	else
		snprintf(buf, len, "%s:%u", ip, (unsigned)a->port);
	return buf;
}

bool rtclab_addr_ip_parse(struct rtclab_addr *a, const char *text)
{
	memset(a, 0, sizeof *a);
	if (inet_pton(AF_INET, text, a->ip) == 1) {
		a->family = RTCLAB_FAMILY_IPV4;
		return true;
	}
	if (inet_pton(AF_INET6, text, a->ip) == 1) {
		a->family = RTCLAB_FAMILY_IPV6;
		return true;
	}
	return false;
}

bool rtclab_addr_equal(const struct rtclab_addr *a, const struct rtclab_addr *b)
{
	size_t n = a->family == RTCLAB_FAMILY_IPV4 ? 4 : 16;
	return a->family == b->family && a->port == b->port && memcmp(a->ip, b->ip, n) == 0;
}
