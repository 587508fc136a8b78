/* DTLS records as a demultiplexer sees them: RFC 6347 4.1 (DTLS 1.2),
 * RFC 9147 4 (DTLS 1.3), RFC 9146 (connection IDs).
 *
 * The classic record header (DTLSPlaintext, RFC 6347 4.1):
 *
 * +-------+---------+-------+--------------------------+---------+
 * | type  | version | epoch | sequence_number (48 bit) | length  |
 * | 1     | 2       | 2     | 6                        | 2       |
 * +-------+---------+-------+--------------------------+---------+
 *
 * The RFC 9147 4 unified header of DTLS 1.3 ciphertext: one byte 001CSLEE
 * (C: connection ID present, S: 16-bit sequence number, L: length present,
 * EE: low bits of the epoch), then the connection ID, the 8- or 16-bit
 * (encrypted) sequence number, and the length when L is set.
 *
 * Several records may share one datagram (RFC 6347 4.1.1).  Handshake
 * records of epoch 0 are in the clear: their 12-byte handshake headers
 * (RFC 6347 4.2.2) are listed; everything later is encrypted.
 */
#include <stdio.h>

#include "demux_internal.h"
#include "rtclab/demux.h"

const char *rtclab_dtls_content_type_name(uint8_t type)
{
	switch (type) {
	case RTCLAB_DTLS_CHANGE_CIPHER_SPEC: return "change_cipher_spec";
	case RTCLAB_DTLS_ALERT: return "alert";
	case RTCLAB_DTLS_HANDSHAKE: return "handshake";
	case RTCLAB_DTLS_APPLICATION_DATA: return "application_data";
	case RTCLAB_DTLS_HEARTBEAT: return "heartbeat";
	case RTCLAB_DTLS_TLS12_CID: return "tls12_cid";
	case RTCLAB_DTLS_ACK: return "ack";
	default: return NULL;
	}
}

const char *rtclab_dtls_version_name(uint16_t version)
{
	switch (version) {
	case 0xFEFF: return "DTLS 1.0";
	case 0xFEFD: return "DTLS 1.2";
	case 0xFEFC: return "DTLS 1.3";
	case 0x0100: return "DTLS 1.0 (OpenSSL pre-standard)";
	default: return NULL;
	}
}

/* IANA "TLS HandshakeType". */
const char *rtclab_dtls_handshake_type_name(uint8_t type)
{
	switch (type) {
	case 0: return "HelloRequest";
	case 1: return "ClientHello";
	case 2: return "ServerHello";
	case 3: return "HelloVerifyRequest";
	case 4: return "NewSessionTicket";
	case 5: return "EndOfEarlyData";
	case 6: return "HelloRetryRequest";
	case 8: return "EncryptedExtensions";
	case 11: return "Certificate";
	case 12: return "ServerKeyExchange";
	case 13: return "CertificateRequest";
	case 14: return "ServerHelloDone";
	case 15: return "CertificateVerify";
	case 16: return "ClientKeyExchange";
	case 20: return "Finished";
	case 24: return "KeyUpdate";
	case 254: return "MessageHash";
	default: return NULL;
	}
}

/* IANA "TLS Alerts" (RFC 8446 6). */
const char *rtclab_dtls_alert_name(uint8_t d)
{
	switch (d) {
	case 0: return "close_notify";
	case 10: return "unexpected_message";
	case 20: return "bad_record_mac";
	case 21: return "decryption_failed";
	case 22: return "record_overflow";
	case 40: return "handshake_failure";
	case 42: return "bad_certificate";
	case 43: return "unsupported_certificate";
	case 44: return "certificate_revoked";
	case 45: return "certificate_expired";
	case 46: return "certificate_unknown";
	case 47: return "illegal_parameter";
	case 48: return "unknown_ca";
	case 49: return "access_denied";
	case 50: return "decode_error";
	case 51: return "decrypt_error";
	case 70: return "protocol_version";
	case 71: return "insufficient_security";
	case 80: return "internal_error";
	case 86: return "inappropriate_fallback";
	case 90: return "user_canceled";
	case 100: return "no_renegotiation";
	case 109: return "missing_extension";
	case 110: return "unsupported_extension";
	case 112: return "unrecognized_name";
	case 116: return "certificate_required";
	case 120: return "no_application_protocol";
	default: return NULL;
	}
}

static struct rtclab_dtls_record *new_record(struct rtclab_dtls *d, size_t offset)
{
	d->n_records_total++;
	if (d->n_records == RTCLAB_DTLS_MAX_RECORDS)
		return NULL;
	struct rtclab_dtls_record *rec = &d->records[d->n_records++];
	*rec = (struct rtclab_dtls_record){0};
	rec->offset = (uint32_t)offset;
	return rec;
}

/* RFC 9147 4: the unified header.  The record runs to its length, or to the
 * end of the datagram without one. */
static void read_unified(struct rtclab_dtls *d, struct rtclab_dtls_record *rec, struct rtclab_reader *r)
{
	size_t start = r->pos;
	uint8_t b = rtclab_read_u8(r);
	rec->unified = true;
	rec->encrypted = true;
	rec->epoch = b & 3;
	rec->has_cid = (b & 0x10) != 0;
	rec->has_length = (b & 0x04) != 0;
	rec->sequence_bits = (b & 0x08) ? 16 : 8;
	if (rec->has_cid) {
		/* The connection ID's length was negotiated: nothing after it can be placed. */
		rec->has_length = false;
		rec->sequence_bits = 0;
		rec->body = rtclab_read_view(r, rtclab_reader_left(r));
		rec->length = (uint16_t)(rec->body.len > 0xFFFF ? 0xFFFF : rec->body.len);
		return;
	}
	size_t need = 1 + rec->sequence_bits / 8 + (rec->has_length ? 2 : 0);
	if (!rtclab_reader_has(r, need - 1)) {
		rtclab_demux_add_problem_(&d->problems, RTCLAB_DEMUX_E_TRUNCATED_HEADER, start, need,
					  rtclab_reader_left(r) + 1);
		rtclab_reader_skip(r, rtclab_reader_left(r));
		return;
	}
	rec->sequence = rec->sequence_bits == 16 ? rtclab_read_be16(r) : rtclab_read_u8(r);
	size_t left;
	if (rec->has_length) {
		rec->length = rtclab_read_be16(r);
		left = rtclab_reader_left(r);
		if (rec->length > left) {
			rtclab_demux_add_problem_(&d->problems, RTCLAB_DEMUX_E_TRUNCATED, r->pos - 2, rec->length, left);
			rec->body = rtclab_read_view(r, left);
			return;
		}
		rec->body = rtclab_read_view(r, rec->length);
	} else {
		left = rtclab_reader_left(r);
		rec->body = rtclab_read_view(r, left);
		rec->length = (uint16_t)(left > 0xFFFF ? 0xFFFF : left);
	}
}

/* RFC 6347 4.2.2: the handshake messages (or fragments) of an epoch-0 record. */
static void read_handshakes(struct rtclab_dtls *d, struct rtclab_dtls_record *rec, const uint8_t *base)
{
	struct rtclab_reader r; /* over the record body, offsets from the datagram's start */
	rtclab_reader_init(&r, base, rec->offset + RTCLAB_DTLS_HEADER_SIZE + rec->body.len);
	r.pos = r.start = rec->offset + RTCLAB_DTLS_HEADER_SIZE;
	while (rtclab_reader_left(&r) > 0) {
		size_t at = r.pos;
		if (!rtclab_reader_has(&r, RTCLAB_DTLS_HANDSHAKE_HEADER_SIZE)) {
			rtclab_demux_add_problem_(&d->problems, RTCLAB_DEMUX_E_TRUNCATED_HEADER, at,
						  RTCLAB_DTLS_HANDSHAKE_HEADER_SIZE, rtclab_reader_left(&r));
			return;
		}
		struct rtclab_dtls_handshake h;
		h.offset = (uint32_t)at;
		h.type = rtclab_read_u8(&r);
		h.length = (uint32_t)rtclab_read_u8(&r) << 16 | rtclab_read_be16(&r);
		h.message_seq = rtclab_read_be16(&r);
		h.fragment_offset = (uint32_t)rtclab_read_u8(&r) << 16 | rtclab_read_be16(&r);
		h.fragment_length = (uint32_t)rtclab_read_u8(&r) << 16 | rtclab_read_be16(&r);
		rec->n_handshakes_total++;
		if (rec->n_handshakes < RTCLAB_DTLS_MAX_HANDSHAKES)
			rec->handshakes[rec->n_handshakes++] = h;
		if ((uint64_t)h.fragment_offset + h.fragment_length > h.length)
			rtclab_demux_add_problem_(&d->problems, RTCLAB_DEMUX_E_BAD_LENGTH, at + 9, h.length,
						  (size_t)h.fragment_offset + h.fragment_length);
		size_t left = rtclab_reader_left(&r);
		if (h.fragment_length > left) {
			rtclab_demux_add_problem_(&d->problems, RTCLAB_DEMUX_E_TRUNCATED, at + 9, h.fragment_length,
						  left);
			return;
		}
		rtclab_reader_skip(&r, h.fragment_length);
	}
}

/* What the body of a clear (epoch 0) record says. */
static void read_clear_body(struct rtclab_dtls *d, struct rtclab_dtls_record *rec, const uint8_t *base)
{
	size_t body_at = rec->offset + RTCLAB_DTLS_HEADER_SIZE;
	switch (rec->content_type) {
	case RTCLAB_DTLS_HANDSHAKE:
		read_handshakes(d, rec, base);
		break;
	case RTCLAB_DTLS_ALERT: /* RFC 8446 6: level, description */
		if (rec->body.len != 2) {
			rtclab_demux_add_problem_(&d->problems, RTCLAB_DEMUX_E_BAD_LENGTH, body_at, 2, rec->body.len);
			if (rec->body.len < 2)
				break;
		}
		rec->has_alert = true;
		rec->alert_level = rec->body.ptr[0];
		rec->alert_description = rec->body.ptr[1];
		break;
	case RTCLAB_DTLS_CHANGE_CIPHER_SPEC: /* RFC 5246 7.1: one byte, 1 */
		if (rec->body.len != 1)
			rtclab_demux_add_problem_(&d->problems, RTCLAB_DEMUX_E_BAD_LENGTH, body_at, 1, rec->body.len);
		break;
	default:
		break;
	}
}

/* A classic header; false when the rest of the datagram cannot be read. */
static bool read_classic(struct rtclab_dtls *d, struct rtclab_dtls_record *rec, struct rtclab_reader *r)
{
	size_t start = r->pos;
	if (!rtclab_reader_has(r, RTCLAB_DTLS_HEADER_SIZE)) {
		rtclab_demux_add_problem_(&d->problems, RTCLAB_DEMUX_E_TRUNCATED_HEADER, start, RTCLAB_DTLS_HEADER_SIZE,
					  rtclab_reader_left(r));
		return false;
	}
	rec->content_type = rtclab_read_u8(r);
	rec->version = rtclab_read_be16(r);
	rec->epoch = rtclab_read_be16(r);
	rec->sequence = (uint64_t)rtclab_read_be16(r) << 32;
	rec->sequence |= rtclab_read_be32(r);
	rec->sequence_bits = 48;
	rec->has_length = true;
	if (!rtclab_dtls_content_type_name(rec->content_type))
		rtclab_demux_add_problem_(&d->problems, RTCLAB_DEMUX_E_UNKNOWN_TYPE, start, 0, rec->content_type);
	/* RFC 9147 4.1: legacy_record_version is 0xFEFD (0xFEFF allowed in a first ClientHello). */
	if (rec->version != 0xFEFD && rec->version != 0xFEFF)
		rtclab_demux_add_problem_(&d->problems, RTCLAB_DEMUX_E_BAD_VERSION, start + 1, 0xFEFD, rec->version);
	if (rec->content_type == RTCLAB_DTLS_TLS12_CID) {
		/* RFC 9146 4: the connection ID (of negotiated length) sits before the length. */
		rec->has_cid = true;
		rec->has_length = false;
		rec->encrypted = true;
		size_t left = rtclab_reader_left(r);
		rec->body = rtclab_read_view(r, left);
		rec->length = (uint16_t)(left > 0xFFFF ? 0xFFFF : left);
		return true;
	}
	rec->length = rtclab_read_be16(r);
	size_t left = rtclab_reader_left(r);
	if (rec->length > left) {
		rtclab_demux_add_problem_(&d->problems, RTCLAB_DEMUX_E_TRUNCATED, start + 11, rec->length, left);
		rec->body = rtclab_read_view(r, left);
		rec->encrypted = rec->epoch > 0 || rec->content_type == RTCLAB_DTLS_APPLICATION_DATA;
		return false;
	}
	rec->body = rtclab_read_view(r, rec->length);
	rec->encrypted = rec->epoch > 0 || rec->content_type == RTCLAB_DTLS_APPLICATION_DATA;
	if (!rec->encrypted)
		read_clear_body(d, rec, r->base);
	return true;
}

bool rtclab_dtls_decode(struct rtclab_dtls *d, const void *buf, size_t len)
{
	struct rtclab_reader r;
	rtclab_reader_init(&r, buf, len);
	d->n_records = d->n_records_total = 0;
	d->problems.n = d->problems.total = 0;
	if (len == 0)
		rtclab_demux_add_problem_(&d->problems, RTCLAB_DEMUX_E_TRUNCATED_HEADER, 0, RTCLAB_DTLS_HEADER_SIZE, 0);
	while (rtclab_reader_left(&r) > 0) {
		struct rtclab_dtls_record spare;
		size_t at = r.pos;
		struct rtclab_dtls_record *rec = new_record(d, at);
		if (!rec) {
			if (d->n_records_total == RTCLAB_DTLS_MAX_RECORDS + 1)
				rtclab_demux_add_problem_(&d->problems, RTCLAB_DEMUX_E_TOO_MANY, at,
							  RTCLAB_DTLS_MAX_RECORDS, RTCLAB_DTLS_MAX_RECORDS + 1);
			rec = &spare; /* still walked, to find problems and count */
			*rec = (struct rtclab_dtls_record){0};
			rec->offset = (uint32_t)at;
		}
		if ((r.base[r.pos] & 0xE0) == 0x20) {
			read_unified(d, rec, &r);
		} else if (!read_classic(d, rec, &r)) {
			if (rec->sequence_bits == 0) { /* not even a header: not a record */
				d->n_records_total--;
				if (rec != &spare)
					d->n_records--;
			}
			break;
		}
	}
	return d->problems.total == 0;
}

const char *rtclab_dtls_record_label(const struct rtclab_dtls_record *rec, char *buf, size_t len)
{
	const char *type = rtclab_dtls_content_type_name(rec->content_type);
	if (rec->unified)
		snprintf(buf, len, "DTLS 1.3 encrypted record");
	else if (rec->content_type == RTCLAB_DTLS_TLS12_CID)
		snprintf(buf, len, "encrypted record with a connection ID");
	else if (rec->content_type == RTCLAB_DTLS_HANDSHAKE && rec->encrypted)
		snprintf(buf, len, "encrypted handshake");
	else if (rec->content_type == RTCLAB_DTLS_HANDSHAKE && rec->n_handshakes > 0) {
		const char *h = rtclab_dtls_handshake_type_name(rec->handshakes[0].type);
		snprintf(buf, len, "handshake %s", h ? h : "(unknown type)");
	} else if (rec->content_type == RTCLAB_DTLS_ALERT && rec->encrypted)
		snprintf(buf, len, "encrypted alert");
	else if (rec->has_alert) {
		const char *a = rtclab_dtls_alert_name(rec->alert_description);
		snprintf(buf, len, "%s alert %s", rec->alert_level == 2 ? "fatal" : "warning", a ? a : "(unknown)");
	} else
		snprintf(buf, len, "%s", type ? type : "unknown content type");
	return buf;
}

const char *rtclab_dtls_record_explain(const struct rtclab_dtls_record *rec)
{
	if (rec->unified)
		return "A DTLS 1.3 record in the short unified header (RFC 9147 4): its content type and even its "
		       "sequence number are encrypted. Step 6: once DTLS 1.3 keys are in use, the rest of the "
		       "handshake and the SCTP data travel like this.";
	switch (rec->content_type) {
	case RTCLAB_DTLS_HANDSHAKE:
		if (rec->encrypted)
			return "A DTLS handshake message sent under the new keys, usually Finished. Step 6: it proves "
			       "both sides derived the same keys after the ICE checks succeeded.";
		return "A DTLS handshake message in the clear. Step 6: after ICE has found a working pair, the peers "
		       "run DTLS on it to check each other's certificate against the SDP fingerprint and agree on keys.";
	case RTCLAB_DTLS_CHANGE_CIPHER_SPEC:
		return "ChangeCipherSpec (DTLS 1.2): from the next record on, this side encrypts. Step 6, the end of "
		       "the DTLS handshake.";
	case RTCLAB_DTLS_ALERT:
		return "A DTLS alert: a warning, or a fatal error that ends the session (close_notify closes it "
		       "cleanly). Step 6.";
	case RTCLAB_DTLS_APPLICATION_DATA:
		return "Encrypted application data. Step 6, media flows: in WebRTC this is SCTP carrying the data "
		       "channels (audio and video go as SRTP instead).";
	case RTCLAB_DTLS_TLS12_CID:
		return "An encrypted DTLS 1.2 record with a connection ID (RFC 9146). Step 6.";
	case RTCLAB_DTLS_ACK:
		return "A DTLS 1.3 acknowledgement of handshake records (RFC 9147 7). Step 6.";
	default:
		return "A DTLS record of a content type rtclab does not know. Step 6.";
	}
}
