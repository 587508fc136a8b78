/* STUN message encoding: the header, typed attributes with zero padding
 * (RFC 8489 14), integrity and fingerprint computed over what precedes
 * them.  The header's length field is kept current after every attribute. */
#include <string.h>

#include <openssl/evp.h> /* EVP_MAX_MD_SIZE */

#include "rtclab/stun.h"
#include "stun_internal.h"

static void set_length(struct rtclab_stun_encoder *e, size_t end)
{
	rtclab_writer_patch_be16(&e->w, 2, (uint16_t)(end - RTCLAB_STUN_HEADER_SIZE));
}

static enum rtclab_stun_error fail(struct rtclab_stun_encoder *e, enum rtclab_stun_error code)
{
	if (e->error == RTCLAB_STUN_OK)
		e->error = code;
	return e->error;
}

/* The 16 header bytes after type and length: cookie || transaction ID, or a
 * classic message's 128-bit transaction ID. */
static void begin(struct rtclab_stun_encoder *e, void *buf, size_t cap, uint16_t type, const uint8_t tail[16])
{
	rtclab_writer_init(&e->w, buf, cap);
	e->error = RTCLAB_STUN_OK;
	memcpy(e->transaction_id, tail + 4, 12);
	rtclab_write_be16(&e->w, type);
	rtclab_write_be16(&e->w, 0);
	rtclab_write_bytes(&e->w, tail, 16);
	if (e->w.overflow)
		fail(e, RTCLAB_STUN_E_NO_SPACE);
}

void rtclab_stun_enc_begin(struct rtclab_stun_encoder *e, void *buf, size_t cap, uint16_t method,
			   enum rtclab_stun_class cls, const uint8_t transaction_id[12])
{
	uint8_t tail[16] = {0x21, 0x12, 0xA4, 0x42};
	memcpy(tail + 4, transaction_id, 12);
	begin(e, buf, cap, rtclab_stun_type(method, cls), tail);
}

/* Attribute header with a length patched in after the value; zero padding. */
static size_t attr_open(struct rtclab_stun_encoder *e, uint16_t type)
{
	size_t at = e->w.pos;
	rtclab_write_be16(&e->w, type);
	rtclab_write_be16(&e->w, 0);
	return at;
}

static enum rtclab_stun_error attr_close(struct rtclab_stun_encoder *e, size_t at)
{
	if (e->w.overflow)
		return fail(e, RTCLAB_STUN_E_NO_SPACE);
	size_t len = e->w.pos - at - 4;
	if (len > 0xFFFF || e->w.pos + 3 - RTCLAB_STUN_HEADER_SIZE > 0xFFFF)
		return fail(e, RTCLAB_STUN_E_INVALID_ARG);
	rtclab_writer_patch_be16(&e->w, at + 2, (uint16_t)len);
	rtclab_write_zeros(&e->w, (4 - len % 4) % 4);
	if (e->w.overflow)
		return fail(e, RTCLAB_STUN_E_NO_SPACE);
	set_length(e, e->w.pos);
	return RTCLAB_STUN_OK;
}

enum rtclab_stun_error rtclab_stun_enc_raw(struct rtclab_stun_encoder *e, uint16_t type, const void *value,
					   size_t len)
{
	if (e->error)
		return e->error;
	if (len > 0xFFFF)
		return fail(e, RTCLAB_STUN_E_INVALID_ARG);
	size_t at = attr_open(e, type);
	rtclab_write_bytes(&e->w, value, len);
	return attr_close(e, at);
}

static uint8_t family_code(enum rtclab_family f)
{
	return f == RTCLAB_FAMILY_IPV4 ? 0x01 : f == RTCLAB_FAMILY_IPV6 ? 0x02 : 0x00;
}

static bool write_address(struct rtclab_stun_encoder *e, const struct rtclab_addr *addr, bool xor)
{
	size_t n = addr->family == RTCLAB_FAMILY_IPV4 ? 4 : addr->family == RTCLAB_FAMILY_IPV6 ? 16 : 0;
	if (n == 0)
		return false;
	uint8_t ip[16];
	uint16_t port = addr->port;
	memcpy(ip, addr->ip, n);
	if (xor) {
		const uint8_t *mask = e->w.base + 4; /* cookie || transaction ID as written */
		port ^= (uint16_t)(mask[0] << 8 | mask[1]);
		for (size_t i = 0; i < n; i++)
			ip[i] ^= mask[i];
	}
	rtclab_write_u8(&e->w, 0);
	rtclab_write_u8(&e->w, family_code(addr->family));
	rtclab_write_be16(&e->w, port);
	rtclab_write_bytes(&e->w, ip, n);
	return true;
}

static void write_error_code(struct rtclab_stun_encoder *e, const struct rtclab_stun_attr *a, bool with_family)
{
	rtclab_write_u8(&e->w, with_family ? family_code(a->v.error.family) : 0);
	rtclab_write_u8(&e->w, 0);
	rtclab_write_u8(&e->w, (uint8_t)(a->v.error.code / 100 & 0x07));
	rtclab_write_u8(&e->w, (uint8_t)(a->v.error.code % 100));
	rtclab_write_bytes(&e->w, a->v.error.reason.ptr, a->v.error.reason.len);
}

/* Write a's value from its typed member; false if it cannot be encoded. */
static bool write_value(struct rtclab_stun_encoder *e, const struct rtclab_stun_attr *a,
			enum rtclab_stun_kind kind)
{
	struct rtclab_writer *w = &e->w;
	switch (kind) {
	case RTCLAB_STUN_KIND_EMPTY:
		return true;
	case RTCLAB_STUN_KIND_ADDRESS:
	case RTCLAB_STUN_KIND_XOR_ADDRESS:
		return write_address(e, &a->v.addr, kind == RTCLAB_STUN_KIND_XOR_ADDRESS);
	case RTCLAB_STUN_KIND_U32:
	case RTCLAB_STUN_KIND_FINGERPRINT:
		rtclab_write_be32(w, a->v.u32);
		return true;
	case RTCLAB_STUN_KIND_U64:
		rtclab_write_be64(w, a->v.u64);
		return true;
	case RTCLAB_STUN_KIND_TEXT:
		rtclab_write_bytes(w, a->v.text.ptr, a->v.text.len);
		return true;
	case RTCLAB_STUN_KIND_NONCE:
		rtclab_write_bytes(w, a->v.nonce.text.ptr, a->v.nonce.text.len);
		return true;
	case RTCLAB_STUN_KIND_ERROR_CODE:
	case RTCLAB_STUN_KIND_ADDRESS_ERROR_CODE:
		if (a->v.error.code < 300 || a->v.error.code > 699)
			return false;
		write_error_code(e, a, kind == RTCLAB_STUN_KIND_ADDRESS_ERROR_CODE);
		return true;
	case RTCLAB_STUN_KIND_CHANNEL_NUMBER:
	case RTCLAB_STUN_KIND_RESPONSE_PORT:
		rtclab_write_be16(w, (uint16_t)a->v.u32);
		rtclab_write_be16(w, 0);
		return true;
	case RTCLAB_STUN_KIND_TRANSPORT:
		rtclab_write_u8(w, (uint8_t)a->v.u32);
		rtclab_write_zeros(w, 3);
		return true;
	case RTCLAB_STUN_KIND_FAMILY:
		if (!family_code(a->v.family))
			return false;
		rtclab_write_u8(w, family_code(a->v.family));
		rtclab_write_zeros(w, 3);
		return true;
	case RTCLAB_STUN_KIND_EVEN_PORT:
		rtclab_write_u8(w, a->v.flag ? 0x80 : 0x00);
		return true;
	case RTCLAB_STUN_KIND_CHANGE_REQUEST:
		rtclab_write_be32(w, (a->v.change.change_ip ? 0x4u : 0) | (a->v.change.change_port ? 0x2u : 0));
		return true;
	case RTCLAB_STUN_KIND_PASSWORD_ALGORITHM:
		rtclab_write_be16(w, a->v.algorithm.algorithm);
		rtclab_write_be16(w, (uint16_t)a->v.algorithm.params.len);
		rtclab_write_bytes(w, a->v.algorithm.params.ptr, a->v.algorithm.params.len);
		rtclab_write_zeros(w, (4 - a->v.algorithm.params.len % 4) % 4);
		return a->v.algorithm.params.len <= 0xFFFF;
	case RTCLAB_STUN_KIND_ICMP:
		rtclab_write_be16(w, 0);
		rtclab_write_u8(w, a->v.icmp.type);
		rtclab_write_u8(w, a->v.icmp.code);
		rtclab_write_be32(w, a->v.icmp.data);
		return true;
	case RTCLAB_STUN_KIND_ACCESS_TOKEN:
		if (a->v.token.nonce.len > 0xFFFF)
			return false;
		rtclab_write_be16(w, (uint16_t)a->v.token.nonce.len);
		rtclab_write_bytes(w, a->v.token.nonce.ptr, a->v.token.nonce.len);
		rtclab_write_bytes(w, a->v.token.block.ptr, a->v.token.block.len);
		return true;
	case RTCLAB_STUN_KIND_NETWORK_INFO:
		rtclab_write_be16(w, a->v.network.network_id);
		rtclab_write_be16(w, a->v.network.network_cost);
		return true;
	default: /* raw kinds: bytes, lists, integrity values given as they are */
		rtclab_write_bytes(w, a->value.ptr, a->value.len);
		return true;
	}
}

enum rtclab_stun_error rtclab_stun_enc_attr(struct rtclab_stun_encoder *e, const struct rtclab_stun_attr *a)
{
	if (e->error)
		return e->error;
	const struct rtclab_stun_attr_info *info = rtclab_stun_attr_info(a->type);
	enum rtclab_stun_kind kind = info ? info->kind : RTCLAB_STUN_KIND_UNKNOWN;
	size_t at = attr_open(e, a->type);
	if (!write_value(e, a, kind)) {
		e->w.pos = at;
		return fail(e, RTCLAB_STUN_E_INVALID_ARG);
	}
	return attr_close(e, at);
}

/* RFC 8489 14.5/14.6: length field covers the integrity attribute, then the
 * MAC over everything before it. */
static enum rtclab_stun_error enc_mac(struct rtclab_stun_encoder *e, uint16_t type, const char *digest,
				      const struct rtclab_stun_key *key, size_t maclen)
{
	if (e->error)
		return e->error;
	size_t at = e->w.pos;
	if (!rtclab_writer_room(&e->w, 4 + maclen))
		return fail(e, RTCLAB_STUN_E_NO_SPACE);
	set_length(e, at + 4 + maclen);
	uint8_t mac[EVP_MAX_MD_SIZE];
	size_t n = 0;
	bool ok = rtclab_stun_hmac_(digest, key, e->w.base, at, at + 4 + maclen - RTCLAB_STUN_HEADER_SIZE, mac, &n);
	if (!ok || n < maclen)
		return fail(e, RTCLAB_STUN_E_INVALID_ARG);
	return rtclab_stun_enc_raw(e, type, mac, maclen);
}

enum rtclab_stun_error rtclab_stun_enc_integrity(struct rtclab_stun_encoder *e, const struct rtclab_stun_key *key)
{
	return enc_mac(e, RTCLAB_STUN_ATTR_MESSAGE_INTEGRITY, "SHA1", key, 20);
}

enum rtclab_stun_error rtclab_stun_enc_integrity_sha256(struct rtclab_stun_encoder *e,
							const struct rtclab_stun_key *key, size_t len)
{
	if (len < 16 || len > 32 || len % 4)
		return fail(e, RTCLAB_STUN_E_INVALID_ARG);
	return enc_mac(e, RTCLAB_STUN_ATTR_MESSAGE_INTEGRITY_SHA256, "SHA256", key, len);
}

enum rtclab_stun_error rtclab_stun_enc_integrity_32(struct rtclab_stun_encoder *e, const struct rtclab_stun_key *key)
{
	return enc_mac(e, RTCLAB_STUN_ATTR_GOOG_MESSAGE_INTEGRITY_32, "SHA1", key, 4);
}

enum rtclab_stun_error rtclab_stun_enc_fingerprint(struct rtclab_stun_encoder *e)
{
	if (e->error)
		return e->error;
	size_t at = e->w.pos;
	if (!rtclab_writer_room(&e->w, 8))
		return fail(e, RTCLAB_STUN_E_NO_SPACE);
	set_length(e, at + 8);
	uint32_t crc = rtclab_stun_fingerprint(e->w.base, at);
	uint8_t v[4] = {(uint8_t)(crc >> 24), (uint8_t)(crc >> 16), (uint8_t)(crc >> 8), (uint8_t)crc};
	return rtclab_stun_enc_raw(e, RTCLAB_STUN_ATTR_FINGERPRINT, v, 4);
}

size_t rtclab_stun_enc_end(struct rtclab_stun_encoder *e)
{
	if (e->w.overflow)
		fail(e, RTCLAB_STUN_E_NO_SPACE);
	return e->error ? 0 : e->w.pos;
}

/* RFC 5389 let padding hold any value (RFC 5769's vectors use 0x20) and the
 * MAC and CRC cover it as sent: re-encoding keeps the original padding bytes
 * so that the result is the same message. */
static void keep_padding(struct rtclab_stun_encoder *e, const struct rtclab_stun_msg *msg,
			 const struct rtclab_stun_attr *a)
{
	size_t pad = (4 - a->length % 4) % 4;
	size_t from = (size_t)a->offset + 4 + a->length;
	if (e->error || pad == 0 || from + pad > msg->size || e->w.pos < pad)
		return;
	memcpy(e->w.base + e->w.pos - pad, msg->data + from, pad);
}

size_t rtclab_stun_encode(const struct rtclab_stun_msg *msg, const struct rtclab_stun_key *key, void *buf,
			  size_t cap, enum rtclab_stun_error *err)
{
	struct rtclab_stun_encoder e;
	uint8_t tail[16];
	if (msg->transaction_id_len == 16) {
		memcpy(tail, msg->transaction_id, 16);
	} else {
		static const uint8_t cookie[4] = {0x21, 0x12, 0xA4, 0x42};
		memcpy(tail, cookie, 4);
		memcpy(tail + 4, msg->transaction_id, 12);
	}
	begin(&e, buf, cap, msg->type, tail);
	if (msg->n_attrs != msg->n_attrs_total)
		fail(&e, RTCLAB_STUN_E_TOO_MANY_ATTRS);
	for (size_t i = 0; i < msg->n_attrs && !e.error; i++) {
		const struct rtclab_stun_attr *a = &msg->attrs[i];
		if (a->type == RTCLAB_STUN_ATTR_FINGERPRINT)
			rtclab_stun_enc_fingerprint(&e);
		else if (key && a->type == RTCLAB_STUN_ATTR_MESSAGE_INTEGRITY)
			rtclab_stun_enc_integrity(&e, key);
		else if (key && a->type == RTCLAB_STUN_ATTR_MESSAGE_INTEGRITY_SHA256)
			rtclab_stun_enc_integrity_sha256(&e, key, a->length);
		else if (key && a->type == RTCLAB_STUN_ATTR_GOOG_MESSAGE_INTEGRITY_32)
			rtclab_stun_enc_integrity_32(&e, key);
		else if (a->ok)
			rtclab_stun_enc_attr(&e, a);
		else
			rtclab_stun_enc_raw(&e, a->type, a->value.ptr, a->value.len);
		keep_padding(&e, msg, a);
	}
	size_t n = rtclab_stun_enc_end(&e);
	if (err)
		*err = e.error;
	return n;
}
