/* Preparing passwords and realms before they become STUN keys.
 *
 * RFC 5389 15.4 prepared the password with SASLprep (RFC 4013, a stringprep
 * profile with NFKC); RFC 8489 9.2.2 uses the PRECIS OpaqueString profile
 * (RFC 8265 4.2: non-ASCII spaces become U+0020, NFC, FreeformClass
 * validity).  For ASCII passwords, which ICE's ice-pwd always is, both give
 * the bytes unchanged.  SASLprep comes from GNU libidn; OpaqueString's NFC
 * and Unicode properties from GNU libunistring.
 */
#include <stdlib.h>
#include <string.h>

#include <stringprep.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include "rtclab/stun.h"

static bool is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

static enum rtclab_stun_error copy_out(const char *s, size_t n, char *out, size_t outlen)
{
	if (n + 1 > outlen)
		return RTCLAB_STUN_E_NO_SPACE;
	memcpy(out, s, n);
	out[n] = '\0';
	return RTCLAB_STUN_OK;
}

static enum rtclab_stun_error saslprep(const char *in, char *out, size_t outlen)
{
	char *prepared = NULL;
	/* Flags 0: a "query" string, so unassigned code points are allowed (RFC 3454 7). */
	if (stringprep_profile(in, &prepared, "SASLprep", 0) != STRINGPREP_OK)
		return RTCLAB_STUN_E_BAD_CREDENTIAL;
	enum rtclab_stun_error e = copy_out(prepared, strlen(prepared), out, outlen);
	free(prepared);
	return e;
}

/* RFC 8264 9: what the FreeformClass does not allow. */
static bool freeform_disallowed(ucs4_t c)
{
	return uc_is_general_category(c, UC_CATEGORY_Cc) || uc_is_general_category(c, UC_CATEGORY_Cs) ||
	       uc_is_general_category(c, UC_CATEGORY_Co) || uc_is_general_category(c, UC_CATEGORY_Cn) ||
	       uc_is_property_default_ignorable_code_point(c) || uc_is_property_not_a_character(c);
}

static enum rtclab_stun_error opaquestring(const char *in, char *out, size_t outlen)
{
	size_t n = strlen(in);
	if (n == 0)
		return RTCLAB_STUN_E_BAD_CREDENTIAL; /* RFC 8265 4.2.2: must not be empty */
	if (is_ascii(in)) {
		for (size_t i = 0; i < n; i++)
			if (in[i] < 0x20 || in[i] == 0x7F)
				return RTCLAB_STUN_E_BAD_CREDENTIAL;
		return copy_out(in, n, out, outlen);
	}
	const uint8_t *s = (const uint8_t *)in;
	if (u8_check(s, n))
		return RTCLAB_STUN_E_BAD_CREDENTIAL;
	size_t ulen = 0;
	ucs4_t *u = u8_to_u32(s, n, NULL, &ulen);
	if (!u)
		return RTCLAB_STUN_E_NO_SPACE;
	enum rtclab_stun_error e = RTCLAB_STUN_OK;
	for (size_t i = 0; i < ulen && e == RTCLAB_STUN_OK; i++) {
		if (u[i] != 0x20 && uc_is_general_category(u[i], UC_CATEGORY_Zs))
			u[i] = 0x20; /* RFC 8265 4.2.1 additional mapping rule */
		else if (freeform_disallowed(u[i]))
			e = RTCLAB_STUN_E_BAD_CREDENTIAL;
	}
	uint8_t *nfc = NULL;
	size_t nfclen = 0;
	if (e == RTCLAB_STUN_OK) {
		uint8_t *mapped = u32_to_u8(u, ulen, NULL, &n);
		if (mapped)
			nfc = u8_normalize(UNINORM_NFC, mapped, n, NULL, &nfclen);
		free(mapped);
		e = nfc ? copy_out((const char *)nfc, nfclen, out, outlen) : RTCLAB_STUN_E_NO_SPACE;
	}
	free(nfc);
	free(u);
	return e;
}

enum rtclab_stun_error rtclab_stun_prepare(const char *in, enum rtclab_stun_prep prep, char *out, size_t outlen)
{
	switch (prep) {
	case RTCLAB_STUN_PREP_SASLPREP:
		return saslprep(in, out, outlen);
	case RTCLAB_STUN_PREP_OPAQUESTRING:
		return opaquestring(in, out, outlen);
	case RTCLAB_STUN_PREP_NONE:
	default:
		return copy_out(in, strlen(in), out, outlen);
	}
}
