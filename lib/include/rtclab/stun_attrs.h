/* rtclab/stun_attrs.h - the STUN attribute types rtclab knows, as one X-macro
 * list so that the enum, the decoder's dispatch and the name table can never
 * disagree.  Names are the IANA "STUN Attributes" registry spellings.
 *
 * X(type, IDENT, "NAME", KIND, min_len, max_len, "reference")
 * KIND is a suffix of enum rtclab_stun_kind; min_len/max_len bound the value
 * length in bytes (max 0xFFFF = no limit of its own).
 */
#ifndef RTCLAB_STUN_ATTRS_H
#define RTCLAB_STUN_ATTRS_H

#define RTCLAB_STUN_ATTRS(X)                                                                        \
	X(0x0001, MAPPED_ADDRESS, "MAPPED-ADDRESS", ADDRESS, 8, 20, "RFC 8489 14.1")                   \
	X(0x0002, RESPONSE_ADDRESS, "RESPONSE-ADDRESS", ADDRESS, 8, 20, "RFC 3489 11.2.2")             \
	X(0x0003, CHANGE_REQUEST, "CHANGE-REQUEST", CHANGE_REQUEST, 4, 4, "RFC 5780 7.2")              \
	X(0x0004, SOURCE_ADDRESS, "SOURCE-ADDRESS", ADDRESS, 8, 20, "RFC 3489 11.2.5")                 \
	X(0x0005, CHANGED_ADDRESS, "CHANGED-ADDRESS", ADDRESS, 8, 20, "RFC 3489 11.2.3")               \
	X(0x0006, USERNAME, "USERNAME", TEXT, 0, 513, "RFC 8489 14.3")                                 \
	X(0x0007, PASSWORD, "PASSWORD", BYTES, 0, 0xFFFF, "RFC 3489 11.2.7")                           \
	X(0x0008, MESSAGE_INTEGRITY, "MESSAGE-INTEGRITY", INTEGRITY, 20, 20, "RFC 8489 14.5")          \
	X(0x0009, ERROR_CODE, "ERROR-CODE", ERROR_CODE, 4, 767, "RFC 8489 14.8")                       \
	X(0x000A, UNKNOWN_ATTRIBUTES, "UNKNOWN-ATTRIBUTES", ATTR_LIST, 0, 0xFFFF, "RFC 8489 14.13")    \
	X(0x000B, REFLECTED_FROM, "REFLECTED-FROM", ADDRESS, 8, 20, "RFC 3489 11.2.11")                \
	X(0x000C, CHANNEL_NUMBER, "CHANNEL-NUMBER", CHANNEL_NUMBER, 4, 4, "RFC 8656 18.1")             \
	X(0x000D, LIFETIME, "LIFETIME", U32, 4, 4, "RFC 8656 18.2")                                    \
	X(0x0012, XOR_PEER_ADDRESS, "XOR-PEER-ADDRESS", XOR_ADDRESS, 8, 20, "RFC 8656 18.3")           \
	X(0x0013, DATA, "DATA", BYTES, 0, 0xFFFF, "RFC 8656 18.4")                                     \
	X(0x0014, REALM, "REALM", TEXT, 0, 763, "RFC 8489 14.9")                                       \
	X(0x0015, NONCE, "NONCE", NONCE, 0, 763, "RFC 8489 14.10")                                     \
	X(0x0016, XOR_RELAYED_ADDRESS, "XOR-RELAYED-ADDRESS", XOR_ADDRESS, 8, 20, "RFC 8656 18.5")     \
	X(0x0017, REQUESTED_ADDRESS_FAMILY, "REQUESTED-ADDRESS-FAMILY", FAMILY, 4, 4, "RFC 8656 18.6") \
	X(0x0018, EVEN_PORT, "EVEN-PORT", EVEN_PORT, 1, 1, "RFC 8656 18.7")                            \
	X(0x0019, REQUESTED_TRANSPORT, "REQUESTED-TRANSPORT", TRANSPORT, 4, 4, "RFC 8656 18.8")        \
	X(0x001A, DONT_FRAGMENT, "DONT-FRAGMENT", EMPTY, 0, 0, "RFC 8656 18.9")                        \
	X(0x001B, ACCESS_TOKEN, "ACCESS-TOKEN", ACCESS_TOKEN, 2, 0xFFFF, "RFC 7635 6.2")               \
	X(0x001C, MESSAGE_INTEGRITY_SHA256, "MESSAGE-INTEGRITY-SHA256", INTEGRITY_SHA256, 16, 32,      \
	  "RFC 8489 14.6")                                                                             \
	X(0x001D, PASSWORD_ALGORITHM, "PASSWORD-ALGORITHM", PASSWORD_ALGORITHM, 4, 0xFFFF,             \
	  "RFC 8489 14.12")                                                                            \
	X(0x001E, USERHASH, "USERHASH", BYTES, 32, 32, "RFC 8489 14.4")                                \
	X(0x0020, XOR_MAPPED_ADDRESS, "XOR-MAPPED-ADDRESS", XOR_ADDRESS, 8, 20, "RFC 8489 14.2")       \
	X(0x0022, RESERVATION_TOKEN, "RESERVATION-TOKEN", U64, 8, 8, "RFC 8656 18.10")                 \
	X(0x0024, PRIORITY, "PRIORITY", U32, 4, 4, "RFC 8445 16.1")                                    \
	X(0x0025, USE_CANDIDATE, "USE-CANDIDATE", EMPTY, 0, 0, "RFC 8445 16.1")                        \
	X(0x0026, PADDING, "PADDING", BYTES, 0, 0xFFFF, "RFC 5780 7.6")                                \
	X(0x0027, RESPONSE_PORT, "RESPONSE-PORT", RESPONSE_PORT, 4, 4, "RFC 5780 7.5")                 \
	X(0x002A, CONNECTION_ID, "CONNECTION-ID", U32, 4, 4, "RFC 6062 6.2.1")                         \
	X(0x8000, ADDITIONAL_ADDRESS_FAMILY, "ADDITIONAL-ADDRESS-FAMILY", FAMILY, 4, 4,                \
	  "RFC 8656 18.11")                                                                            \
	X(0x8001, ADDRESS_ERROR_CODE, "ADDRESS-ERROR-CODE", ADDRESS_ERROR_CODE, 4, 767,                \
	  "RFC 8656 18.12")                                                                            \
	X(0x8002, PASSWORD_ALGORITHMS, "PASSWORD-ALGORITHMS", PASSWORD_ALGORITHMS, 0, 0xFFFF,          \
	  "RFC 8489 14.11")                                                                            \
	X(0x8003, ALTERNATE_DOMAIN, "ALTERNATE-DOMAIN", TEXT, 0, 255, "RFC 8489 14.16")                \
	X(0x8004, ICMP, "ICMP", ICMP, 8, 8, "RFC 8656 18.13")                                          \
	X(0x8022, SOFTWARE, "SOFTWARE", TEXT, 0, 763, "RFC 8489 14.14")                                \
	X(0x8023, ALTERNATE_SERVER, "ALTERNATE-SERVER", ADDRESS, 8, 20, "RFC 8489 14.15")              \
	X(0x8025, TRANSACTION_TRANSMIT_COUNTER, "TRANSACTION_TRANSMIT_COUNTER", BYTES, 4, 4,           \
	  "RFC 7982 3.1")                                                                              \
	X(0x8027, CACHE_TIMEOUT, "CACHE-TIMEOUT", U32, 4, 4, "RFC 5780 (IANA)")                           \
	X(0x8028, FINGERPRINT, "FINGERPRINT", FINGERPRINT, 4, 4, "RFC 8489 14.7")                      \
	X(0x8029, ICE_CONTROLLED, "ICE-CONTROLLED", U64, 8, 8, "RFC 8445 16.1")                        \
	X(0x802A, ICE_CONTROLLING, "ICE-CONTROLLING", U64, 8, 8, "RFC 8445 16.1")                      \
	X(0x802B, RESPONSE_ORIGIN, "RESPONSE-ORIGIN", ADDRESS, 8, 20, "RFC 5780 7.3")                  \
	X(0x802C, OTHER_ADDRESS, "OTHER-ADDRESS", ADDRESS, 8, 20, "RFC 5780 7.4")                      \
	X(0x802D, ECN_CHECK_STUN, "ECN-CHECK STUN", BYTES, 4, 4, "RFC 6679 7.2.2")                     \
	X(0x802E, THIRD_PARTY_AUTHORIZATION, "THIRD-PARTY-AUTHORIZATION", TEXT, 0, 0xFFFF,             \
	  "RFC 7635 6.1")                                                                              \
	X(0x8030, MOBILITY_TICKET, "MOBILITY-TICKET", BYTES, 0, 0xFFFF, "RFC 8016 3.1")                \
	X(0x8070, MS_IMPLEMENTATION_VERSION, "MS-IMPLEMENTATION-VERSION", U32, 4, 4, "MS-TURN 2.2.2.21") \
	X(0xC000, CISCO_STUN_FLOWDATA, "CISCO-STUN-FLOWDATA", BYTES, 0, 0xFFFF, "IANA (Dan Wing)")     \
	X(0xC001, ENF_FLOW_DESCRIPTION, "ENF-FLOW-DESCRIPTION", BYTES, 0, 0xFFFF, "IANA")              \
	X(0xC002, ENF_NETWORK_STATUS, "ENF-NETWORK-STATUS", BYTES, 0, 0xFFFF, "IANA")                  \
	X(0xC057, GOOG_NETWORK_INFO, "GOOG-NETWORK-INFO", NETWORK_INFO, 4, 4, "IANA (Google)")         \
	X(0xC058, GOOG_LAST_ICE_CHECK_RECEIVED, "GOOG-LAST-ICE-CHECK-RECEIVED", BYTES, 0, 0xFFFF,      \
	  "IANA (Google)")                                                                             \
	X(0xC059, GOOG_MISC_INFO, "GOOG-MISC-INFO", U16_LIST, 0, 0xFFFF, "IANA (Google)")              \
	X(0xC05A, GOOG_OBSOLETE_1, "GOOG-OBSOLETE-1", BYTES, 0, 0xFFFF, "IANA (Google)")               \
	X(0xC05B, GOOG_CONNECTION_ID, "GOOG-CONNECTION-ID", BYTES, 0, 0xFFFF, "IANA (Google)")         \
	X(0xC05C, GOOG_DELTA, "GOOG-DELTA", BYTES, 0, 0xFFFF, "IANA (Google)")                         \
	X(0xC05D, GOOG_DELTA_ACK, "GOOG-DELTA-ACK", BYTES, 0, 0xFFFF, "IANA (Google)")                 \
	X(0xC05E, GOOG_DELTA_SYNC_REQ, "GOOG-DELTA-SYNC-REQ", BYTES, 0, 0xFFFF, "IANA (Google)")       \
	X(0xC060, GOOG_MESSAGE_INTEGRITY_32, "GOOG-MESSAGE-INTEGRITY-32", INTEGRITY_32, 4, 4,          \
	  "IANA (Google)")

#endif
