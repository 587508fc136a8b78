/* MESSAGE-INTEGRITY (RFC 8489 14.5), MESSAGE-INTEGRITY-SHA256 (14.6),
 * GOOG-MESSAGE-INTEGRITY-32, FINGERPRINT (14.7) and the keys of the short-
 * and long-term credential mechanisms (9.1, 9.2).
 *
 * The HMAC covers the message up to the integrity attribute, with the
 * header's length field set as if that attribute were the last one; so the
 * header is fed to the MAC in three pieces instead of being copied.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "rtclab/stun.h"
#include "stun_internal.h"

uint32_t rtclab_stun_fingerprint(const void *data, size_t len)
{
	uLong crc = crc32(0L, Z_NULL, 0);
	const Bytef *p = (const Bytef *)data;
	while (len > 0) { /* zlib takes uInt lengths */
		uInt chunk = len > 0x40000000u ? 0x40000000u : (uInt)len;
		crc = crc32(crc, p, chunk);
		p += chunk;
		len -= chunk;
	}
	return (uint32_t)crc ^ RTCLAB_STUN_FINGERPRINT_XOR;
}

bool rtclab_stun_hmac_(const char *digest, const struct rtclab_stun_key *key, const uint8_t *msg, size_t end,
		      size_t adjusted_length, uint8_t *out, size_t *outlen)
{
	bool ok = false;
	uint8_t len_field[2] = {(uint8_t)(adjusted_length >> 8), (uint8_t)adjusted_length};
	static const uint8_t no_key[1] = {0};
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM params[2] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0),
		OSSL_PARAM_construct_end(),
	};
	if (ctx && EVP_MAC_init(ctx, key->len ? key->bytes : no_key, key->len, params) &&
	    EVP_MAC_update(ctx, msg, 2) && EVP_MAC_update(ctx, len_field, 2) &&
	    EVP_MAC_update(ctx, msg + 4, end - 4) && EVP_MAC_final(ctx, out, outlen, EVP_MAX_MD_SIZE))
		ok = true;
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return ok;
}

/* Check the integrity attribute whose header is at `at`, carrying a MAC of
 * `maclen` bytes (maybe a truncation of the digest). */
static enum rtclab_stun_check check_mac(const struct rtclab_stun_msg *msg, size_t at, const char *digest,
					size_t maclen, const struct rtclab_stun_key *key)
{
	if (at == SIZE_MAX)
		return RTCLAB_STUN_CHECK_ABSENT;
	if (!key)
		return RTCLAB_STUN_CHECK_UNCHECKED;
	size_t end = at + 4 + maclen;
	if (end > msg->size || at < RTCLAB_STUN_HEADER_SIZE)
		return RTCLAB_STUN_CHECK_BAD;
	uint8_t mac[EVP_MAX_MD_SIZE];
	size_t n = 0;
	if (!rtclab_stun_hmac_(digest, key, msg->data, at, end - RTCLAB_STUN_HEADER_SIZE, mac, &n) || n < maclen)
		return RTCLAB_STUN_CHECK_BAD;
	return CRYPTO_memcmp(mac, msg->data + at + 4, maclen) == 0 ? RTCLAB_STUN_CHECK_OK : RTCLAB_STUN_CHECK_BAD;
}

enum rtclab_stun_check rtclab_stun_check_integrity(const struct rtclab_stun_msg *msg,
						   const struct rtclab_stun_key *key)
{
	return check_mac(msg, msg->integrity_offset, "SHA1", 20, key);
}

enum rtclab_stun_check rtclab_stun_check_integrity_sha256(const struct rtclab_stun_msg *msg,
							  const struct rtclab_stun_key *key)
{
	size_t at = msg->integrity_sha256_offset;
	if (at == SIZE_MAX || at + 4 > msg->size)
		return check_mac(msg, at, "SHA256", 32, key);
	size_t len = (size_t)msg->data[at + 2] << 8 | msg->data[at + 3];
	if (len < 16 || len > 32 || len % 4)
		return key ? RTCLAB_STUN_CHECK_BAD : RTCLAB_STUN_CHECK_UNCHECKED;
	return check_mac(msg, at, "SHA256", len, key);
}

enum rtclab_stun_check rtclab_stun_check_integrity_32(const struct rtclab_stun_msg *msg,
						      const struct rtclab_stun_key *key)
{
	return check_mac(msg, msg->integrity_32_offset, "SHA1", 4, key);
}

static uint32_t fingerprint_found(const struct rtclab_stun_msg *msg)
{
	const uint8_t *p = msg->data + msg->fingerprint_offset + 4;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

enum rtclab_stun_check rtclab_stun_check_fingerprint(const struct rtclab_stun_msg *msg)
{
	size_t at = msg->fingerprint_offset;
	if (at == SIZE_MAX)
		return RTCLAB_STUN_CHECK_ABSENT;
	if (at + 8 > msg->size)
		return RTCLAB_STUN_CHECK_BAD;
	return rtclab_stun_fingerprint(msg->data, at) == fingerprint_found(msg) ? RTCLAB_STUN_CHECK_OK
										  : RTCLAB_STUN_CHECK_BAD;
}

/* --- keys ---------------------------------------------------------------------- */

enum rtclab_stun_error rtclab_stun_key_short_term(struct rtclab_stun_key *key, const char *password,
						  enum rtclab_stun_prep prep)
{
	char prepared[RTCLAB_STUN_MAX_KEY + 1];
	key->len = 0;
	enum rtclab_stun_error e = rtclab_stun_prepare(password, prep, prepared, sizeof prepared);
	if (e != RTCLAB_STUN_OK)
		return e;
	key->len = strlen(prepared);
	memcpy(key->bytes, prepared, key->len);
	return RTCLAB_STUN_OK;
}

enum rtclab_stun_error rtclab_stun_key_long_term(struct rtclab_stun_key *key, const char *username,
						 const char *realm, const char *password,
						 enum rtclab_stun_password_alg alg, enum rtclab_stun_prep prep)
{
	char realm_p[1024], password_p[1024];
	key->len = 0;
	/* RFC 5389 15.4 prepared only the password; RFC 8489 9.2.2 the realm too. */
	enum rtclab_stun_error e = rtclab_stun_prepare(realm, prep == RTCLAB_STUN_PREP_OPAQUESTRING
							     ? prep : RTCLAB_STUN_PREP_NONE, realm_p, sizeof realm_p);
	if (e == RTCLAB_STUN_OK)
		e = rtclab_stun_prepare(password, prep, password_p, sizeof password_p);
	if (e != RTCLAB_STUN_OK)
		return e;
	const EVP_MD *md = alg == RTCLAB_STUN_PASSWORD_SHA256 ? EVP_sha256() : EVP_md5();
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned n = 0;
	bool ok = ctx && EVP_DigestInit_ex(ctx, md, NULL) && EVP_DigestUpdate(ctx, username, strlen(username)) &&
		  EVP_DigestUpdate(ctx, ":", 1) && EVP_DigestUpdate(ctx, realm_p, strlen(realm_p)) &&
		  EVP_DigestUpdate(ctx, ":", 1) && EVP_DigestUpdate(ctx, password_p, strlen(password_p)) &&
		  EVP_DigestFinal_ex(ctx, key->bytes, &n);
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return RTCLAB_STUN_E_INVALID_ARG;
	key->len = n;
	return RTCLAB_STUN_OK;
}

/* --- the whole verdict ---------------------------------------------------------- */

static bool has_integrity(const struct rtclab_stun_msg *msg)
{
	return msg->integrity_offset != SIZE_MAX || msg->integrity_sha256_offset != SIZE_MAX ||
	       msg->integrity_32_offset != SIZE_MAX;
}

/* Every integrity attribute present must verify. */
static enum rtclab_stun_check check_all(const struct rtclab_stun_msg *msg, const struct rtclab_stun_key *key)
{
	enum rtclab_stun_check c[3] = {
		rtclab_stun_check_integrity(msg, key),
		rtclab_stun_check_integrity_sha256(msg, key),
		rtclab_stun_check_integrity_32(msg, key),
	};
	for (int i = 0; i < 3; i++)
		if (c[i] == RTCLAB_STUN_CHECK_BAD)
			return RTCLAB_STUN_CHECK_BAD;
	return RTCLAB_STUN_CHECK_OK;
}

/* A text attribute as a NUL-terminated string; false when absent or too long. */
static bool attr_string(const struct rtclab_stun_msg *msg, uint16_t type, char *buf, size_t len)
{
	const struct rtclab_stun_attr *a = rtclab_stun_find(msg, type);
	if (!a || a->value.len >= len || memchr(a->value.ptr, 0, a->value.len))
		return false;
	memcpy(buf, a->value.ptr, a->value.len);
	buf[a->value.len] = '\0';
	return true;
}

static enum rtclab_stun_error make_key(const struct rtclab_stun_msg *msg, const struct rtclab_stun_credentials *cred,
				       struct rtclab_stun_verdict *out, enum rtclab_stun_prep prep,
				       struct rtclab_stun_key *key)
{
	if (!out->long_term)
		return rtclab_stun_key_short_term(key, cred->password, prep);
	char user[520], realm[800];
	const char *u = cred->username, *r = cred->realm;
	if (!u)
		u = attr_string(msg, RTCLAB_STUN_ATTR_USERNAME, user, sizeof user) ? user : NULL;
	if (!r)
		r = attr_string(msg, RTCLAB_STUN_ATTR_REALM, realm, sizeof realm) ? realm : NULL;
	if (!u || !r)
		return RTCLAB_STUN_E_MISSING_CREDENTIAL;
	return rtclab_stun_key_long_term(key, u, r, cred->password, out->algorithm, prep);
}

void rtclab_stun_verify(const struct rtclab_stun_msg *msg, const struct rtclab_stun_credentials *cred,
			struct rtclab_stun_verdict *out)
{
	memset(out, 0, sizeof *out);
	out->fingerprint = rtclab_stun_check_fingerprint(msg);
	out->algorithm = RTCLAB_STUN_PASSWORD_MD5;
	if (!has_integrity(msg)) {
		out->integrity = RTCLAB_STUN_CHECK_ABSENT;
		return;
	}
	if (!cred || !cred->password) {
		out->integrity = RTCLAB_STUN_CHECK_UNCHECKED;
		return;
	}
	out->long_term = cred->long_term || cred->username || cred->realm ||
			 rtclab_stun_find(msg, RTCLAB_STUN_ATTR_REALM) != NULL;
	const struct rtclab_stun_attr *alg = rtclab_stun_find(msg, RTCLAB_STUN_ATTR_PASSWORD_ALGORITHM);
	if (alg && alg->ok && alg->v.algorithm.algorithm == RTCLAB_STUN_PASSWORD_SHA256)
		out->algorithm = RTCLAB_STUN_PASSWORD_SHA256;

	static const enum rtclab_stun_prep order[] = {RTCLAB_STUN_PREP_OPAQUESTRING, RTCLAB_STUN_PREP_SASLPREP,
						      RTCLAB_STUN_PREP_NONE};
	struct rtclab_stun_key key;
	bool tried = false;
	out->integrity = RTCLAB_STUN_CHECK_BAD;
	out->key_error = RTCLAB_STUN_OK;
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
		enum rtclab_stun_error e = make_key(msg, cred, out, order[i], &key);
		if (e != RTCLAB_STUN_OK) {
			if (!tried)
				out->key_error = e;
			continue;
		}
		if (tried && key.len == out->key.len && memcmp(key.bytes, out->key.bytes, key.len) == 0)
			continue; /* the same key as a preparation already tried */
		tried = true;
		out->key_error = RTCLAB_STUN_OK;
		out->key = key;
		out->prep = order[i];
		if (check_all(msg, &key) == RTCLAB_STUN_CHECK_OK) {
			out->integrity = RTCLAB_STUN_CHECK_OK;
			return;
		}
	}
	out->prep = RTCLAB_STUN_PREP_OPAQUESTRING;
}

void rtclab_stun_note_verdict(struct rtclab_stun_msg *msg, const struct rtclab_stun_verdict *v)
{
	if (v->integrity == RTCLAB_STUN_CHECK_BAD) {
		size_t at = msg->integrity_offset;
		uint16_t type = RTCLAB_STUN_ATTR_MESSAGE_INTEGRITY;
		if (at == SIZE_MAX) {
			at = msg->integrity_sha256_offset, type = RTCLAB_STUN_ATTR_MESSAGE_INTEGRITY_SHA256;
			if (at == SIZE_MAX)
				at = msg->integrity_32_offset, type = RTCLAB_STUN_ATTR_GOOG_MESSAGE_INTEGRITY_32;
		}
		rtclab_stun_add_problem_(msg, RTCLAB_STUN_E_INTEGRITY_BAD, at, type, 0, 0);
	}
	if (v->fingerprint == RTCLAB_STUN_CHECK_BAD) {
		size_t at = msg->fingerprint_offset;
		uint32_t found = at + 8 <= msg->size ? fingerprint_found(msg) : 0;
		uint32_t want = rtclab_stun_fingerprint(msg->data, at);
		rtclab_stun_add_problem_(msg, RTCLAB_STUN_E_FINGERPRINT_BAD, at, RTCLAB_STUN_ATTR_FINGERPRINT, want,
					 found);
	}
}
