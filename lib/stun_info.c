/* Names, explanations and story placement of STUN/TURN messages, methods,
 * classes, attributes and error codes, for students.
 *
 * Everything here is static const text: no state, no I/O, no allocation.
 * Steps are numbered as in story.h: 1 offer, 2 answer, 3 NATs in the way,
 * 4 gathering, 5 trickling, 6 checks and media.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rtclab/story.h"
#include "rtclab/stun.h"

/* --- methods and classes ------------------------------------------------------------ */

/* IANA "STUN Methods" registry spellings. */
const char *rtclab_stun_method_name(uint16_t method)
{
	switch (method) {
	case RTCLAB_STUN_BINDING:
		return "Binding";
	case RTCLAB_STUN_SHARED_SECRET:
		return "SharedSecret"; /* RFC 3489 only; reserved since RFC 5389 */
	case RTCLAB_STUN_ALLOCATE:
		return "Allocate";
	case RTCLAB_STUN_REFRESH:
		return "Refresh";
	case RTCLAB_STUN_SEND:
		return "Send";
	case RTCLAB_STUN_DATA:
		return "Data";
	case RTCLAB_STUN_CREATE_PERMISSION:
		return "CreatePermission";
	case RTCLAB_STUN_CHANNEL_BIND:
		return "ChannelBind";
	case RTCLAB_STUN_CONNECT:
		return "Connect";
	case RTCLAB_STUN_CONNECTION_BIND:
		return "ConnectionBind";
	case RTCLAB_STUN_CONNECTION_ATTEMPT:
		return "ConnectionAttempt";
	case RTCLAB_STUN_GOOG_PING:
		return "GOOG-PING";
	}
	return NULL;
}

const char *rtclab_stun_class_name(enum rtclab_stun_class cls)
{
	switch (cls) {
	case RTCLAB_STUN_REQUEST:
		return "request";
	case RTCLAB_STUN_INDICATION:
		return "indication";
	case RTCLAB_STUN_SUCCESS:
		return "success";
	case RTCLAB_STUN_ERROR:
		return "error";
	}
	return "unknown";
}

/* The class as it follows a method name: "success response", "error response". */
static const char *class_suffix(enum rtclab_stun_class cls)
{
	switch (cls) {
	case RTCLAB_STUN_REQUEST:
		return "request";
	case RTCLAB_STUN_INDICATION:
		return "indication";
	case RTCLAB_STUN_SUCCESS:
		return "success response";
	case RTCLAB_STUN_ERROR:
		return "error response";
	}
	return "message";
}

const char *rtclab_stun_message_title(uint16_t method, enum rtclab_stun_class cls, char *buf, size_t len)
{
	const char *name;

	if (buf == NULL || len == 0)
		return buf;
	name = rtclab_stun_method_name(method);
	if (name != NULL)
		snprintf(buf, len, "%s %s", name, class_suffix(cls));
	else
		snprintf(buf, len, "method 0x%03x %s", (unsigned)method, class_suffix(cls));
	return buf;
}

const char *rtclab_stun_method_explain(uint16_t method)
{
	switch (method) {
	case RTCLAB_STUN_BINDING:
		/* RFC 8489 3; RFC 8445 5.1.1.2 (srflx) and 7 (checks). */
		return "The basic STUN transaction: the response reports, in XOR-MAPPED-ADDRESS, "
		       "the address and port the request came from. Sent to a STUN server it "
		       "reveals a peer's public address (step 4); sent peer to peer with ICE "
		       "attributes it is a connectivity check (step 6).";
	case RTCLAB_STUN_SHARED_SECRET:
		/* RFC 3489; removed by RFC 5389. */
		return "RFC 3489 only: asked a server, over TLS, for a temporary username and "
		       "password to protect later Binding requests. It was removed in 2008 "
		       "(RFC 5389); WebRTC never uses it, because ICE takes its credentials from "
		       "the SDP exchanged in steps 1 and 2.";
	case RTCLAB_STUN_ALLOCATE:
		/* RFC 8656 7. */
		return "TURN: asks a TURN server for a relayed transport address, a port on the "
		       "server that forwards packets to and from this client. It becomes the "
		       "relay candidate of step 4, the fallback that works even when NATs and "
		       "firewalls block every direct path.";
	case RTCLAB_STUN_REFRESH:
		/* RFC 8656 8. */
		return "TURN: keeps an allocation alive for another LIFETIME (10 minutes by "
		       "default), or deletes it when LIFETIME is 0. Clients refresh their relay "
		       "candidate from step 4 in the background for as long as it may be used.";
	case RTCLAB_STUN_SEND:
		/* RFC 8656 11.1. */
		return "TURN indication from client to server: relay the DATA to the peer named in "
		       "XOR-PEER-ADDRESS. In step 6 it carries connectivity checks, then DTLS and "
		       "media, over the relay when no channel is bound.";
	case RTCLAB_STUN_DATA:
		/* RFC 8656 11.3. */
		return "TURN indication from server to client: DATA arrived at the relayed address "
		       "from the peer in XOR-PEER-ADDRESS. This is how the peer's checks and "
		       "media reach a client that uses a relay candidate (step 6).";
	case RTCLAB_STUN_CREATE_PERMISSION:
		/* RFC 8656 9: permissions last 300 seconds. */
		return "TURN: lets the peer IP addresses in XOR-PEER-ADDRESS send to the relayed "
		       "address; the server drops packets from anyone else. The client installs "
		       "permissions for the peer's candidates in step 6, before checks can pass "
		       "through the relay, and refreshes them every 5 minutes.";
	case RTCLAB_STUN_CHANNEL_BIND:
		/* RFC 8656 12: channel bindings last 10 minutes. */
		return "TURN: binds a channel number to one peer address so relayed data can use "
		       "ChannelData messages with a 4-byte header instead of Send and Data "
		       "indications. Used in step 6 once traffic flows through the relay; a "
		       "binding lasts 10 minutes unless refreshed.";
	case RTCLAB_STUN_CONNECT:
		/* RFC 6062 4.3. */
		return "TURN over TCP (RFC 6062): asks the server to open a TCP connection from the "
		       "relayed address to a peer; the success response carries a CONNECTION-ID. "
		       "Browsers do not use it: they relay UDP to the peer, even when they reach "
		       "the TURN server over TCP or TLS.";
	case RTCLAB_STUN_CONNECTION_BIND:
		/* RFC 6062 4.3 and 4.4. */
		return "TURN over TCP (RFC 6062): sent by the client on a new TCP connection to the "
		       "server, quoting a CONNECTION-ID, to join that connection to the peer's "
		       "connection. After the success response the TCP connection carries the "
		       "peer's data as a raw byte stream.";
	case RTCLAB_STUN_CONNECTION_ATTEMPT:
		/* RFC 6062 4.4. */
		return "TURN over TCP (RFC 6062): an indication from the server that a peer opened "
		       "a TCP connection to the relayed address. The client accepts it by sending "
		       "ConnectionBind with the CONNECTION-ID it was given.";
	case RTCLAB_STUN_GOOG_PING:
		/* IANA (Jonas Oreland, Google); libwebrtc GOOG_PING_REQUEST. */
		return "Google's lightweight ICE keep-alive: once a pair works, libwebrtc sends "
		       "GOOG-PING instead of a Binding request identical to the previous one, "
		       "signed with a 4-byte GOOG-MESSAGE-INTEGRITY-32. Peers agree to use it "
		       "through GOOG-MISC-INFO in earlier checks; it belongs to step 6.";
	}
	return "A STUN method rtclab does not know: it is not in the IANA STUN Methods "
	       "registry as rtclab knows it, so only the header and the attributes can be "
	       "shown.";
}

const char *rtclab_stun_class_explain(enum rtclab_stun_class cls)
{
	switch (cls) {
	case RTCLAB_STUN_REQUEST:
		/* RFC 8489 6.2.1: retransmission over UDP. */
		return "A request expects exactly one response with the same transaction ID, "
		       "either a success or an error response; over UDP it is retransmitted until "
		       "one arrives. Binding requests drive steps 4 and 6, Allocate requests "
		       "obtain relays in step 4.";
	case RTCLAB_STUN_INDICATION:
		/* RFC 8489 3. */
		return "An indication is sent once and gets no response, so nothing is "
		       "retransmitted. ICE keep-alives (Binding indications) and TURN Send and "
		       "Data indications are indications.";
	case RTCLAB_STUN_SUCCESS:
		return "A success response answers a request that worked, matched to it by the "
		       "transaction ID. A Binding success carries XOR-MAPPED-ADDRESS, an Allocate "
		       "success carries XOR-RELAYED-ADDRESS.";
	case RTCLAB_STUN_ERROR:
		/* RFC 8489 14.8. */
		return "An error response says a request failed, with a number and reason in "
		       "ERROR-CODE. Some are routine steps rather than failures: a TURN server's "
		       "first answer to Allocate is 401, asking for credentials.";
	}
	return "Not a STUN class: the two class bits of the message type only allow request, "
	       "indication, success response and error response.";
}

/* --- attributes --------------------------------------------------------------------- */

/* One index per X line, in the order of the X-macro (which is sorted by type). */
enum attr_index {
#define RTCLAB_X_(type_, ident_, name_, kind_, min_, max_, ref_) ATTR_IDX_##ident_,
	RTCLAB_STUN_ATTRS(RTCLAB_X_)
#undef RTCLAB_X_
	ATTR_COUNT
};

static const struct rtclab_stun_attr_info attr_table[ATTR_COUNT] = {
#define RTCLAB_X_(type_, ident_, name_, kind_, min_, max_, ref_) \
	{ (type_), (name_), RTCLAB_STUN_KIND_##kind_, (min_), (max_), (ref_) },
	RTCLAB_STUN_ATTRS(RTCLAB_X_)
#undef RTCLAB_X_
};

/* The decoder looks up every attribute of every packet, so the lookup is a
 * direct index: all known types lie in 0x0000-0x007F, 0x8000-0x807F or
 * 0xC000-0xC07F, and KEY folds those three ranges into 0..511.  Entries hold
 * index + 1 (0 = unknown).  Two known types with the same key would be an
 * "initialized field overwritten" error under -Wextra -Werror. */
#define KEY(type) ((((unsigned)(type) >> 14) << 7) | ((unsigned)(type) & 0x7F))

static const uint8_t attr_by_key[512] = {
#define RTCLAB_X_(type_, ident_, name_, kind_, min_, max_, ref_) [KEY(type_)] = ATTR_IDX_##ident_ + 1,
	RTCLAB_STUN_ATTRS(RTCLAB_X_)
#undef RTCLAB_X_
};

const struct rtclab_stun_attr_info *rtclab_stun_attr_info(uint16_t type)
{
	/* Types outside the three ranges fold onto a known key: check the type. */
	unsigned i = attr_by_key[KEY(type)];
	if (i == 0 || attr_table[i - 1].type != type)
		return NULL;
	return &attr_table[i - 1];
}

const char *rtclab_stun_attr_name(uint16_t type)
{
	const struct rtclab_stun_attr_info *info = rtclab_stun_attr_info(type);
	return info == NULL ? NULL : info->name;
}

/* One explanation per X line, by index.  A type added to the X-macro without
 * an entry here is NULL and gets the generic sentence of its range. */
static const char *const attr_explain_table[ATTR_COUNT] = {
	/* RFC 8489 14.1 */
	[ATTR_IDX_MAPPED_ADDRESS] =
		"The client's public address and port as the server saw them, in plain form. "
		"RFC 3489 servers send it; modern ones send XOR-MAPPED-ADDRESS instead, but either "
		"way it is the address that becomes a server-reflexive candidate in step 4.",
	/* RFC 3489 11.2.2 */
	[ATTR_IDX_RESPONSE_ADDRESS] =
		"RFC 3489 only: asked the server to send its Binding response to this other "
		"address instead of back to the sender. RFC 5389 removed it because it let anyone "
		"aim responses at a victim; it served the old NAT-type tests, never WebRTC.",
	/* RFC 5780 7.2 (first defined in RFC 3489 11.2.4) */
	[ATTR_IDX_CHANGE_REQUEST] =
		"Asks the server to answer from its other IP address and/or port (NAT behaviour "
		"discovery, RFC 5780). If that answer never arrives, the NAT filters packets from "
		"unknown sources, a hint of how hard steps 4 and 6 will be; ICE itself never "
		"sends it.",
	/* RFC 3489 11.2.5 */
	[ATTR_IDX_SOURCE_ADDRESS] =
		"RFC 3489 only: the address and port the server sent the response from, used by "
		"the classic NAT-type tests. RFC 5780 replaces it with RESPONSE-ORIGIN.",
	/* RFC 3489 11.2.3 */
	[ATTR_IDX_CHANGED_ADDRESS] =
		"RFC 3489 only: the server's second IP address and port, the ones CHANGE-REQUEST "
		"makes it answer from. RFC 5780 replaces it with OTHER-ADDRESS.",
	/* RFC 8489 14.3; RFC 8445 7.2.2 (ufragB:ufragA) */
	[ATTR_IDX_USERNAME] =
		"Names the credentials the message is signed with. In an ICE connectivity check "
		"(step 6) it is 'ufragB:ufragA': the receiver's ice-ufrag, a colon, then the "
		"sender's, both from the SDP of steps 1 and 2; towards a TURN server (step 4) it "
		"is the account name.",
	/* RFC 3489 11.2.7 */
	[ATTR_IDX_PASSWORD] =
		"RFC 3489 only: carried the temporary password in a Shared Secret response. It "
		"went away with the Shared Secret method in RFC 5389; WebRTC's ICE passwords "
		"travel in the SDP (ice-pwd), never in STUN.",
	/* RFC 8489 14.5; RFC 8445 7.2.2 (key = the peer's ice-pwd) */
	[ATTR_IDX_MESSAGE_INTEGRITY] =
		"An HMAC-SHA1 over the message up to this attribute, proving the sender knows the "
		"password. In a step 6 check the key is the receiver's ice-pwd from the SDP, so a "
		"peer knows the check comes from the other side of the offer/answer; with TURN "
		"(step 4) it is MD5(username:realm:password).",
	/* RFC 8489 14.8 */
	[ATTR_IDX_ERROR_CODE] =
		"The number and reason phrase of an error response (class 3 to 6 and number 0 to "
		"99, e.g. 401 Unauthenticated). Some errors are routine: a TURN server's first "
		"answer to Allocate in step 4 is 401, and 438 asks for a fresh nonce.",
	/* RFC 8489 14.13 */
	[ATTR_IDX_UNKNOWN_ATTRIBUTES] =
		"In a 420 Unknown Attribute error, the list of comprehension-required attribute "
		"types the server did not understand. The client can resend the request without "
		"them.",
	/* RFC 3489 11.2.11 */
	[ATTR_IDX_REFLECTED_FROM] =
		"RFC 3489 only: in a response sent to a RESPONSE-ADDRESS, the address of the client "
		"that actually asked, so that abuse of the reflection could be traced. Removed "
		"together with RESPONSE-ADDRESS in RFC 5389.",
	/* RFC 8656 18.1 and 12 (0x4000-0x4FFF; RFC 5766 allowed up to 0x7FFF) */
	[ATTR_IDX_CHANNEL_NUMBER] =
		"The TURN channel (0x4000 to 0x4FFF in RFC 8656; RFC 5766 allowed up to 0x7FFF) "
		"that ChannelBind ties to a peer address. Afterwards, step 6 traffic through the "
		"relay travels in ChannelData messages with a 4-byte header.",
	/* RFC 8656 18.2, 7.2 (default 10 minutes), 8 (0 deletes) */
	[ATTR_IDX_LIFETIME] =
		"Seconds until a TURN allocation expires unless refreshed (600 by default). The "
		"client proposes it in Allocate or Refresh, the server answers with what it grants, "
		"and 0 in a Refresh deletes the allocation and with it the step 4 relay candidate.",
	/* RFC 8656 18.3 */
	[ATTR_IDX_XOR_PEER_ADDRESS] =
		"The peer's address as the TURN server sees it, XOR-encoded like "
		"XOR-MAPPED-ADDRESS. It names who may send through the relay (CreatePermission), "
		"whom a channel leads to (ChannelBind) and where relayed data goes or came from "
		"(Send, Data), all in step 6, using candidates the peer trickled in step 5.",
	/* RFC 8656 18.4 */
	[ATTR_IDX_DATA] =
		"The relayed payload of a Send or Data indication. In step 6 it is usually a STUN "
		"connectivity check at first, then DTLS and SRTP or SCTP packets travelling "
		"through the TURN server.",
	/* RFC 8489 14.9, 9.2 */
	[ATTR_IDX_REALM] =
		"The authentication domain of a TURN server (long-term credentials). The server "
		"sends it in a 401 or 438 error, the client repeats it in the retry, and it is part "
		"of the key MD5(username:realm:password).",
	/* RFC 8489 14.10, 9.2.1 ("obMatJos2" nonce cookie and security feature bits) */
	[ATTR_IDX_NONCE] =
		"A server-chosen value the client must echo in authenticated requests, so that old "
		"requests cannot be replayed; when it expires the server answers 438 Stale Nonce "
		"with a new one. An RFC 8489 nonce may start with 'obMatJos2' and bits announcing "
		"security features (password algorithms, username anonymity).",
	/* RFC 8656 18.5; RFC 8445 5.1.1.2 (relayed candidates) */
	[ATTR_IDX_XOR_RELAYED_ADDRESS] =
		"In an Allocate success response, the relayed address the TURN server set aside "
		"for this client. It becomes the relay candidate of step 4, the one that works "
		"even when no direct path does, and is trickled to the peer in step 5.",
	/* RFC 8656 18.6 */
	[ATTR_IDX_REQUESTED_ADDRESS_FAMILY] =
		"Asks the TURN server for a relayed address of a given family, IPv4 (0x01) or IPv6 "
		"(0x02), in an Allocate request (step 4). Without it the server allocates IPv4.",
	/* RFC 8656 18.7 */
	[ATTR_IDX_EVEN_PORT] =
		"Asks the TURN server for a relayed port with an even number and, with the R bit, "
		"to reserve the next port too (RTP and RTCP side by side). WebRTC multiplexes RTP "
		"and RTCP on one port (rtcp-mux), so browsers seldom use it.",
	/* RFC 8656 18.8; RFC 6062 5.1 (TCP) */
	[ATTR_IDX_REQUESTED_TRANSPORT] =
		"The protocol between the TURN server and the peer, as an IP protocol number: 17 "
		"for UDP, or 6 for TCP (RFC 6062). Every Allocate carries it (step 4); browsers "
		"always ask for UDP.",
	/* RFC 8656 18.9 */
	[ATTR_IDX_DONT_FRAGMENT] =
		"Asks the TURN server to set the IP 'don't fragment' bit when it relays this "
		"client's data to the peer, for path MTU discovery through the relay.",
	/* RFC 7635 6.2 */
	[ATTR_IDX_ACCESS_TOKEN] =
		"An OAuth 2.0 access token (RFC 7635) from an authorization server, shown to the "
		"TURN server instead of a long-term password in step 4. Only the TURN server can "
		"open its encrypted block, which holds the session key and the token's lifetime.",
	/* RFC 8489 14.6 */
	[ATTR_IDX_MESSAGE_INTEGRITY_SHA256] =
		"Like MESSAGE-INTEGRITY but an HMAC-SHA256 of 16 to 32 bytes. TURN clients and "
		"servers may agree on it for long-term credentials; browsers' ICE checks still use "
		"the SHA-1 version.",
	/* RFC 8489 14.12, 18.5 */
	[ATTR_IDX_PASSWORD_ALGORITHM] =
		"The algorithm the client picked from the server's PASSWORD-ALGORITHMS to turn "
		"username, realm and password into a key: MD5 (0x0001) or SHA-256 (0x0002). It "
		"appears in authenticated TURN requests in step 4.",
	/* RFC 8489 14.4, 9.2.1 (username anonymity) */
	[ATTR_IDX_USERHASH] =
		"SHA-256 of 'username:realm', sent instead of USERNAME so the user name never "
		"crosses the network in the clear. The server announces that it accepts it with "
		"the username-anonymity bit in its NONCE.",
	/* RFC 8489 14.2; RFC 8445 7.2.5.3.1 (peer-reflexive from a response) */
	[ATTR_IDX_XOR_MAPPED_ADDRESS] =
		"The address and port the request came from, XORed with the magic cookie (and the "
		"transaction ID for IPv6) so NAT 'helpers' that rewrite addresses cannot spoil it. "
		"From a STUN server it becomes the server-reflexive candidate of step 4; in a step "
		"6 check response it may reveal a new peer-reflexive address.",
	/* RFC 8656 18.10 */
	[ATTR_IDX_RESERVATION_TOKEN] =
		"An 8-byte token for a relayed address the TURN server keeps in reserve (the next "
		"port after an EVEN-PORT allocation with the R bit). A later Allocate that shows "
		"the token gets that address.",
	/* RFC 8445 7.1.1, 7.3.1.3 */
	[ATTR_IDX_PRIORITY] =
		"In a connectivity check (step 6), the priority the sender would give a "
		"peer-reflexive candidate learned from this check. If the check comes from an "
		"address the receiver does not know, it adds that address as a new candidate with "
		"this priority.",
	/* RFC 8445 7.1.2, 8.1.1 */
	[ATTR_IDX_USE_CANDIDATE] =
		"Set by the controlling agent in a check to nominate this candidate pair. When the "
		"check succeeds both peers use the pair, so this is where step 6 picks the path "
		"that DTLS, then SRTP or SCTP, will travel.",
	/* RFC 5780 7.6 */
	[ATTR_IDX_PADDING] =
		"Filler bytes that make a Binding request or response bigger, to test whether "
		"large or fragmented packets get through (NAT behaviour discovery, RFC 5780). The "
		"value means nothing and ICE does not use it.",
	/* RFC 5780 7.5 */
	[ATTR_IDX_RESPONSE_PORT] =
		"Asks the server to send its response to this port of the same IP address instead "
		"of the request's source port (RFC 5780), to test how the NAT filters incoming "
		"packets. Diagnostic only, not part of ICE.",
	/* RFC 6062 6.2.1 */
	[ATTR_IDX_CONNECTION_ID] =
		"Identifies one TCP connection between the TURN server and a peer (TURN over TCP, "
		"RFC 6062). It arrives in a Connect success or a ConnectionAttempt indication, and "
		"the client quotes it in ConnectionBind on a new TCP connection to the server.",
	/* RFC 8656 18.11 */
	[ATTR_IDX_ADDITIONAL_ADDRESS_FAMILY] =
		"In an Allocate request, asks for an IPv6 relayed address in addition to the IPv4 "
		"one, so one allocation yields two relay candidates in step 4 (dual allocation).",
	/* RFC 8656 18.12 */
	[ATTR_IDX_ADDRESS_ERROR_CODE] =
		"In an Allocate success for a dual allocation, says that one of the two address "
		"families could not be allocated and why (e.g. 440) while the other succeeded, so "
		"only one relay candidate comes out of step 4.",
	/* RFC 8489 14.11, 9.2.1 (bid-down attack prevention) */
	[ATTR_IDX_PASSWORD_ALGORITHMS] =
		"The password algorithms a TURN server supports (MD5, SHA-256), sent with its 401 "
		"or 438; the client picks one and echoes the whole list in its retry. The echo lets "
		"the server notice an attacker who removed the stronger choices.",
	/* RFC 8489 14.16 */
	[ATTR_IDX_ALTERNATE_DOMAIN] =
		"The domain name of the alternate server in a 300 Try Alternate sent over TLS or "
		"DTLS, so the client can check the new server's certificate. It accompanies "
		"ALTERNATE-SERVER.",
	/* RFC 8656 18.13 */
	[ATTR_IDX_ICMP] =
		"In a Data indication, an ICMP error (type, code, data) the TURN server received "
		"while relaying to the peer, such as 'port unreachable'. It tells the client in step "
		"6 that this peer address does not work through the relay.",
	/* RFC 8489 14.14 */
	[ATTR_IDX_SOFTWARE] =
		"Free text naming the software that sent the message, like an HTTP User-Agent. It "
		"has no effect on the protocol but helps recognise who is talking.",
	/* RFC 8489 14.15 */
	[ATTR_IDX_ALTERNATE_SERVER] =
		"In a 300 Try Alternate error, the address of another server the client should use "
		"instead, typically a TURN server shedding load during step 4.",
	/* RFC 7982 3.1 */
	[ATTR_IDX_TRANSACTION_TRANSMIT_COUNTER] =
		"Counts retransmissions (RFC 7982): the client says which copy of the request this "
		"is, and the server echoes it with its own count of responses. The client can then "
		"tell which copy a response answers, for accurate round-trip time and loss figures.",
	/* RFC 5780 (registered there; the attribute's description was dropped from the final RFC) */
	[ATTR_IDX_CACHE_TIMEOUT] =
		"Registered for NAT behaviour discovery (RFC 5780), but the final RFC no longer "
		"describes it: drafts used it to say how many seconds the server remembers an "
		"earlier request during the binding-lifetime tests. ICE does not use it.",
	/* RFC 8489 14.7; RFC 7983 (demultiplexing); RFC 8445 7 (required in checks) */
	[ATTR_IDX_FINGERPRINT] =
		"A CRC-32 of the message XORed with 0x5354554E, always the last attribute. It lets "
		"a receiver tell STUN apart from DTLS, RTP and other packets sharing the same port; "
		"ICE requires it on every check in step 6.",
	/* RFC 8445 7.1.3; role: 6.1.1 (the offerer is normally controlling) */
	[ATTR_IDX_ICE_CONTROLLED] =
		"Sent in checks by the controlled agent (in WebRTC usually the answerer, peer B), "
		"with a random 64-bit tie-breaker. If both agents claim the same role, the "
		"tie-breakers decide who switches (RFC 8445 7.3.1.1), using error 487.",
	/* RFC 8445 7.1.3 */
	[ATTR_IDX_ICE_CONTROLLING] =
		"Sent in checks by the controlling agent (in WebRTC usually the offerer, peer A), "
		"with a random 64-bit tie-breaker. Only the controlling agent nominates a pair with "
		"USE-CANDIDATE in step 6; a role clash is settled by the tie-breakers.",
	/* RFC 5780 7.3 */
	[ATTR_IDX_RESPONSE_ORIGIN] =
		"The address and port the response was sent from (RFC 5780, replacing "
		"SOURCE-ADDRESS). Compared with OTHER-ADDRESS it shows whether a CHANGE-REQUEST "
		"was honoured during NAT behaviour tests.",
	/* RFC 5780 7.4 */
	[ATTR_IDX_OTHER_ADDRESS] =
		"The server's alternate IP address and port, the ones it would answer from for a "
		"CHANGE-REQUEST (RFC 5780, replacing CHANGED-ADDRESS). It shows the server "
		"supports NAT behaviour discovery; WebRTC ignores it.",
	/* RFC 6679 7.2.2 */
	[ATTR_IDX_ECN_CHECK_STUN] =
		"Used in ICE connectivity checks (RFC 6679) to learn whether Explicit Congestion "
		"Notification marks survive the path: the response reports which ECN bits arrived "
		"on the request. If they do, RTP may use ECN on this step 6 path.",
	/* RFC 7635 6.1 */
	[ATTR_IDX_THIRD_PARTY_AUTHORIZATION] =
		"Sent by a TURN server in a 401 to say it accepts OAuth access tokens, naming the "
		"authorization server to get one from (RFC 7635). The client fetches a token and "
		"retries with ACCESS-TOKEN, in step 4.",
	/* RFC 8016 3.1 */
	[ATTR_IDX_MOBILITY_TICKET] =
		"An opaque ticket from the TURN server (RFC 8016) that lets the client keep its "
		"allocation when its own address changes, say from Wi-Fi to mobile data. Shown in "
		"a Refresh from the new address, it keeps the relay candidate and the call alive.",
	/* [MS-TURN] 2.2.2.21 */
	[ATTR_IDX_MS_IMPLEMENTATION_VERSION] =
		"Microsoft's MS-TURN extension used by Skype for Business and Teams: the version of "
		"the sender's implementation, so both sides know which Microsoft behaviours to "
		"expect. Browsers neither send nor need it.",
	/* IANA (Dan Wing) */
	[ATTR_IDX_CISCO_STUN_FLOWDATA] =
		"A Cisco vendor attribute carrying flow information for Cisco equipment; its "
		"format is not published. It is comprehension-optional, so everyone else ignores "
		"it.",
	/* IANA (Pal-Erik Martinsen); libwebrtc STUN_ATTR_NOMINATION */
	[ATTR_IDX_ENF_FLOW_DESCRIPTION] =
		"Registered for Cisco experiments in which an endpoint describes a media flow to "
		"the network. In WebRTC captures, though, 0xC001 is libwebrtc's NOMINATION: a "
		"32-bit value the controlling agent uses to nominate and re-nominate pairs (ICE "
		"renomination) in step 6.",
	/* IANA (Pal-Erik Martinsen) */
	[ATTR_IDX_ENF_NETWORK_STATUS] =
		"The counterpart of ENF-FLOW-DESCRIPTION in the same experimental Cisco work: "
		"network status reported back to the endpoint. Browsers ignore it.",
	/* IANA (Jonas Oreland, Google) */
	[ATTR_IDX_GOOG_NETWORK_INFO] =
		"Chrome's network id and network cost (upper and lower 16 bits), sent in its step "
		"6 checks. The peer can tell which network a check came through and prefer pairs "
		"on cheap networks (wired, Wi-Fi) over costly ones (cellular).",
	/* IANA (Jonas Oreland, Google) */
	[ATTR_IDX_GOOG_LAST_ICE_CHECK_RECEIVED] =
		"Experimental libwebrtc attribute: the transaction ID of the last connectivity "
		"check this agent received from the peer, piggybacked on its own step 6 check to "
		"acknowledge it.",
	/* IANA (Jonas Oreland, Google) */
	[ATTR_IDX_GOOG_MISC_INFO] =
		"A list of 16-bit values libwebrtc adds to ICE checks and responses to announce "
		"small capabilities; entry 0 is the GOOG-PING version the sender supports. When "
		"both sides support it, their step 6 keep-alives switch to GOOG-PING.",
	/* IANA (Jonas Oreland, Google) */
	[ATTR_IDX_GOOG_OBSOLETE_1] =
		"A Google attribute libwebrtc no longer uses; the type stays registered so that it "
		"is not reused. Ignore it.",
	/* IANA (Jonas Oreland, Google) */
	[ATTR_IDX_GOOG_CONNECTION_ID] =
		"Reserved by Google for an identifier of an ICE connection; libwebrtc does not "
		"use it yet. Ignore it.",
	/* IANA (Jonas Oreland, Google); libwebrtc StunDictionaryWriter */
	[ATTR_IDX_GOOG_DELTA] =
		"libwebrtc's way of keeping a small key-value dictionary in sync between ICE "
		"agents by piggybacking on step 6 checks: this attribute carries a batch of "
		"changes, which the other side confirms with GOOG-DELTA-ACK.",
	/* IANA (Jonas Oreland, Google); libwebrtc StunDictionaryView */
	[ATTR_IDX_GOOG_DELTA_ACK] =
		"Acknowledges a GOOG-DELTA with the 64-bit version of the dictionary the receiver "
		"has applied, so the sender can stop repeating those changes.",
	/* IANA (Jonas Oreland, Google) */
	[ATTR_IDX_GOOG_DELTA_SYNC_REQ] =
		"Registered by Google with GOOG-DELTA and GOOG-DELTA-ACK, as a request to "
		"resynchronise the shared dictionary; libwebrtc does not use it yet. Ignore it.",
	/* IANA (Jonas Oreland, Google) */
	[ATTR_IDX_GOOG_MESSAGE_INTEGRITY_32] =
		"MESSAGE-INTEGRITY cut to 4 bytes (HMAC-SHA1 keyed with the ice-pwd), used by "
		"GOOG-PING so that keep-alives stay small. It is still enough to show the ping "
		"comes from the peer of the offer/answer, in step 6.",
};

/* RFC 8489 14 and 7.3.1: the two halves of the attribute type space. */
static const char attr_unknown_required[] =
	"An attribute rtclab does not know, in the comprehension-required range (type below "
	"0x8000): a receiver that does not understand it must reject a request with 420 Unknown "
	"Attribute, and a response carrying it makes the transaction fail.";
static const char attr_unknown_optional[] =
	"An attribute rtclab does not know, in the comprehension-optional range (0x8000 and "
	"up): a receiver that does not understand it simply ignores it. Vendors put their own "
	"extensions in 0xC000 to 0xFFFF.";

const char *rtclab_stun_attr_explain(uint16_t type)
{
	const struct rtclab_stun_attr_info *info = rtclab_stun_attr_info(type);
	if (info && attr_explain_table[info - attr_table] != NULL)
		return attr_explain_table[info - attr_table];
	return rtclab_stun_attr_required(type) ? attr_unknown_required : attr_unknown_optional;
}

/* --- error codes -------------------------------------------------------------------- */

/* IANA "STUN Error Codes" registry.  RFC 8489 18.3 renamed 401 from
 * "Unauthorized" (RFC 5389) to "Unauthenticated". */
const char *rtclab_stun_error_code_reason(uint16_t code)
{
	switch (code) {
	case 300:
		return "Try Alternate"; /* RFC 8489 */
	case 400:
		return "Bad Request"; /* RFC 8489 */
	case 401:
		return "Unauthenticated"; /* RFC 8489 */
	case 403:
		return "Forbidden"; /* RFC 8656 */
	case 405:
		return "Mobility Forbidden"; /* RFC 8016 */
	case 420:
		return "Unknown Attribute"; /* RFC 8489 */
	case 437:
		return "Allocation Mismatch"; /* RFC 8656 */
	case 438:
		return "Stale Nonce"; /* RFC 8489 */
	case 440:
		return "Address Family not Supported"; /* RFC 8656 */
	case 441:
		return "Wrong Credentials"; /* RFC 8656 */
	case 442:
		return "Unsupported Transport Protocol"; /* RFC 8656 */
	case 443:
		return "Peer Address Family Mismatch"; /* RFC 8656 */
	case 446:
		return "Connection Already Exists"; /* RFC 6062 */
	case 447:
		return "Connection Timeout or Failure"; /* RFC 6062 */
	case 486:
		return "Allocation Quota Reached"; /* RFC 8656 */
	case 487:
		return "Role Conflict"; /* RFC 8445 */
	case 500:
		return "Server Error"; /* RFC 8489 */
	case 508:
		return "Insufficient Capacity"; /* RFC 8656 */
	}
	return NULL;
}

const char *rtclab_stun_error_code_explain(uint16_t code)
{
	switch (code) {
	case 300: /* RFC 8489 14.8, 10 (ALTERNATE-SERVER) */
		return "The server redirects the client to another server, named in "
		       "ALTERNATE-SERVER; the client sends the request again there. It must be "
		       "integrity-protected, so that an attacker cannot redirect clients.";
	case 400: /* RFC 8489 14.8, 9.1.3 */
		return "The request was malformed, for example MESSAGE-INTEGRITY without USERNAME "
		       "or a broken attribute. The client must not resend it unchanged.";
	case 401: /* RFC 8489 9.2.4-9.2.5 (long-term), 9.1.3 (short-term) */
		return "The request lacked valid credentials (RFC 5389 called this Unauthorized). "
		       "From a TURN server it is the normal first answer to Allocate: it carries "
		       "REALM and NONCE, and the client retries with USERNAME, REALM, NONCE and "
		       "MESSAGE-INTEGRITY; in an ICE check it means the ice-ufrag or ice-pwd did "
		       "not match.";
	case 403: /* RFC 8656 19 */
		return "The request was valid but the TURN server refuses it by policy, for example "
		       "a permission for a peer address it will not relay to. Repeating it will not "
		       "help; ICE loses that relay path.";
	case 405: /* RFC 8016 3 */
		return "The TURN server does not allow this allocation to move to a new client "
		       "address (mobility). The client creates a new allocation instead.";
	case 420: /* RFC 8489 14.8, 14.13 */
		return "The server met a comprehension-required attribute it does not understand; "
		       "UNKNOWN-ATTRIBUTES lists them. The client may retry without them.";
	case 437: /* RFC 8656 19, 7.2, 7.4 */
		return "The request needs an allocation that does not exist (Refresh, "
		       "CreatePermission or ChannelBind after it expired), or an Allocate came on a "
		       "5-tuple that already has one. The client starts over with a new Allocate, "
		       "usually from a new local port.";
	case 438: /* RFC 8489 9.2.5 */
		return "The NONCE the client used has expired. The error carries a fresh NONCE, and "
		       "the client simply retries the same request with it; this is routine in "
		       "long TURN sessions.";
	case 440: /* RFC 8656 19, 7.4 */
		return "The TURN server cannot give a relayed address of the requested family "
		       "(REQUESTED-ADDRESS-FAMILY). The client may ask for the other family, or "
		       "goes without a relay candidate of that family.";
	case 441: /* RFC 8656 19 */
		return "A Refresh, CreatePermission or ChannelBind used other credentials than the "
		       "Allocate that created the allocation. The client must use the same "
		       "username as for its Allocate.";
	case 442: /* RFC 8656 19, 7.2 */
		return "The Allocate asked, in REQUESTED-TRANSPORT, for a transport to the peer the "
		       "server does not support (such as TCP on a UDP-only server). The client "
		       "retries with UDP or gives up on this relay.";
	case 443: /* RFC 8656 19 */
		return "The peer address in XOR-PEER-ADDRESS is of a different family from the "
		       "relayed address (e.g. an IPv6 peer on an IPv4 relay). The client needs a "
		       "relay of the matching family for that peer.";
	case 446: /* RFC 6062 5.2 */
		return "TURN over TCP: a Connect asked for a TCP connection to a peer that this "
		       "allocation is already connected to. The client keeps using the existing "
		       "connection.";
	case 447: /* RFC 6062 5.2, 5.4 */
		return "TURN over TCP: the server could not open the TCP connection to the peer "
		       "(timeout or refusal), or the ConnectionBind came too late. The client may "
		       "try again later.";
	case 486: /* RFC 8656 19, 7.2 */
		return "This user has as many allocations on the TURN server as it is allowed. The "
		       "client must release some or wait, or try another server.";
	case 487: /* RFC 8445 7.3.1.1, 7.2.5.1 */
		return "ICE role conflict: both agents claimed the same role (both controlling or "
		       "both controlled), and comparing tie-breakers (RFC 8445 7.3.1.1) decided that "
		       "the agent that sent the check must change: it switches role and sends the "
		       "check again.";
	case 500: /* RFC 8489 14.8 */
		return "The server had a temporary problem. The client may try the request again.";
	case 508: /* RFC 8656 19, 7.4 */
		return "The TURN server is out of capacity: no more relayed addresses, none with the "
		       "requested properties, or the reserved one is gone. The client tries again "
		       "later or uses another server.";
	/* RFC 3489 11.2.9: classic codes, not in the IANA registry. */
	case 430:
		return "RFC 3489 'Stale Credentials': the shared secret used has expired. The "
		       "client gets a new one with a Shared Secret request and tries again.";
	case 431:
		return "RFC 3489 'Integrity Check Failure': MESSAGE-INTEGRITY did not verify. The "
		       "client should check its credentials before trying again.";
	case 432:
		return "RFC 3489 'Missing Username': the request had MESSAGE-INTEGRITY but no "
		       "USERNAME. The client adds it and retries.";
	case 433:
		return "RFC 3489 'Use TLS': a Shared Secret request must be sent over TLS. The "
		       "client retries over TLS.";
	case 600:
		return "RFC 3489 'Global Failure': the server says the request would fail on any "
		       "server. The client should not retry elsewhere.";
	}

	/* RFC 8489 14.8: class 3 to 6, number 0 to 99. */
	if (code >= 300 && code <= 399)
		return "A redirection: the client should send its request to another server, if "
		       "the response names one.";
	if (code >= 400 && code <= 499)
		return "The request failed because of something the client sent or did, such as "
		       "credentials, attributes or state; the reason phrase says what, and the "
		       "client fixes it before trying again.";
	if (code >= 500 && code <= 599)
		return "The server failed to handle a valid request; the client may retry later or "
		       "use another server.";
	if (code >= 600 && code <= 699)
		return "A global failure: the request would fail on any server, so the client "
		       "should not retry.";
	return "Not a valid STUN error code: codes run from 300 to 699.";
}

/* --- placing a message in the story ------------------------------------------------- */

static bool has_attr(const struct rtclab_stun_msg *msg, uint16_t type)
{
	return rtclab_stun_find(msg, type) != NULL;
}

/* The code of the message's ERROR-CODE, 0 when there is none. */
static uint16_t error_code_of(const struct rtclab_stun_msg *msg)
{
	const struct rtclab_stun_attr *a = rtclab_stun_find(msg, RTCLAB_STUN_ATTR_ERROR_CODE);
	return a != NULL && a->ok ? a->v.error.code : 0;
}

/* RFC 8445 7.1: the attributes only ICE connectivity checks carry. */
static bool is_ice_check(const struct rtclab_stun_msg *msg)
{
	return has_attr(msg, RTCLAB_STUN_ATTR_USERNAME) || has_attr(msg, RTCLAB_STUN_ATTR_PRIORITY) ||
	       has_attr(msg, RTCLAB_STUN_ATTR_ICE_CONTROLLING) ||
	       has_attr(msg, RTCLAB_STUN_ATTR_ICE_CONTROLLED) ||
	       has_attr(msg, RTCLAB_STUN_ATTR_USE_CANDIDATE);
}

static bool has_integrity(const struct rtclab_stun_msg *msg)
{
	return has_attr(msg, RTCLAB_STUN_ATTR_MESSAGE_INTEGRITY) ||
	       has_attr(msg, RTCLAB_STUN_ATTR_MESSAGE_INTEGRITY_SHA256) ||
	       has_attr(msg, RTCLAB_STUN_ATTR_GOOG_MESSAGE_INTEGRITY_32);
}

static void set_story(struct rtclab_story *out, enum rtclab_step step, const char *why)
{
	out->step = step;
	out->why = why;
}

static void story_binding(const struct rtclab_stun_msg *msg, struct rtclab_story *out)
{
	bool ice = is_ice_check(msg);

	switch (msg->cls) {
	case RTCLAB_STUN_REQUEST:
		if (!ice) {
			/* RFC 8445 5.1.1.2: server-reflexive candidates. */
			set_story(out, RTCLAB_STEP_GATHER,
				  "A request to a STUN server asking which public address and port this "
				  "peer's packets come from; the answer (XOR-MAPPED-ADDRESS) becomes a "
				  "server-reflexive (srflx) candidate.");
		} else if (has_attr(msg, RTCLAB_STUN_ATTR_USE_CANDIDATE)) {
			/* RFC 8445 7.2.2, 8.1.1 */
			set_story(out, RTCLAB_STEP_CHECKS,
				  "An ICE connectivity check sent straight to the peer's candidate, carrying "
				  "USE-CANDIDATE: the controlling agent nominates this pair, and once the "
				  "check succeeds both peers use it for DTLS and media.");
		} else {
			/* RFC 8445 7.2.2 */
			set_story(out, RTCLAB_STEP_CHECKS,
				  "An ICE connectivity check: a Binding request sent straight to one of the "
				  "peer's candidates, signed with the peer's ice-pwd (USERNAME is "
				  "ufragB:ufragA). A response proves this candidate pair works.");
		}
		return;
	case RTCLAB_STUN_SUCCESS:
		/* A check's response carries no USERNAME or PRIORITY, but it is
		 * signed with the ice-pwd (short-term credentials, RFC 8489 9.1.3);
		 * a public STUN server used for gathering does not authenticate
		 * (RFC 8489 9). */
		if (ice || has_integrity(msg)) {
			set_story(out, RTCLAB_STEP_CHECKS,
				  "The answer to an ICE connectivity check, signed with the ice-pwd: this "
				  "candidate pair works. XOR-MAPPED-ADDRESS shows the address the peer saw, "
				  "which may be a new peer-reflexive candidate.");
		} else {
			set_story(out, RTCLAB_STEP_GATHER,
				  "A STUN server's answer: XOR-MAPPED-ADDRESS is this peer's public address "
				  "and port as its NAT maps them, and becomes a server-reflexive (srflx) "
				  "candidate to trickle to the other peer.");
		}
		return;
	case RTCLAB_STUN_ERROR:
		if (error_code_of(msg) == 487) {
			/* RFC 8445 7.3.1.1, 7.2.5.1 */
			set_story(out, RTCLAB_STEP_CHECKS,
				  "An ICE role conflict (487): both agents claimed the same role, and the "
				  "tie-breakers (RFC 8445 7.3.1.1) say the agent that sent the check must "
				  "switch role; it does and checks again.");
		} else if (ice || has_integrity(msg)) {
			set_story(out, RTCLAB_STEP_CHECKS,
				  "The peer rejected an ICE connectivity check (see ERROR-CODE); a 400 or 401 "
				  "here usually means the ice-ufrag or ice-pwd from the SDP did not match.");
		} else {
			set_story(out, RTCLAB_STEP_GATHER,
				  "A STUN server refused the Binding request (see ERROR-CODE), so no "
				  "server-reflexive candidate comes from it; ICE can still use host and "
				  "relay candidates.");
		}
		return;
	case RTCLAB_STUN_INDICATION:
		break;
	}
	/* RFC 8445 11: keep-alives on the pairs in use. */
	set_story(out, RTCLAB_STEP_CHECKS,
		  "A Binding indication: a keep-alive that needs no answer, sent on the candidate "
		  "pair in use so NAT bindings stay open while media is quiet.");
}

static void story_goog_ping(const struct rtclab_stun_msg *msg, struct rtclab_story *out)
{
	switch (msg->cls) {
	case RTCLAB_STUN_SUCCESS:
		set_story(out, RTCLAB_STEP_CHECKS,
			  "The answer to a GOOG-PING keep-alive: the candidate pair in use still works.");
		return;
	case RTCLAB_STUN_ERROR:
		set_story(out, RTCLAB_STEP_CHECKS,
			  "The peer did not accept a GOOG-PING keep-alive, so the sender goes back to "
			  "full Binding requests on this pair.");
		return;
	case RTCLAB_STUN_REQUEST:
	case RTCLAB_STUN_INDICATION:
		break;
	}
	set_story(out, RTCLAB_STEP_CHECKS,
		  "GOOG-PING, libwebrtc's lightweight keep-alive: sent instead of a Binding request "
		  "identical to the previous one, signed with a 4-byte GOOG-MESSAGE-INTEGRITY-32.");
}

/* The error responses every authenticated TURN request may get. */
static const char *turn_auth_why(uint16_t code)
{
	switch (code) {
	case 401: /* RFC 8489 9.2.5 */
		return "The TURN server wants long-term credentials: it sends REALM and NONCE, and "
		       "the client retries with USERNAME, REALM, NONCE and MESSAGE-INTEGRITY.";
	case 438: /* RFC 8489 9.2.5 */
		return "The TURN nonce expired (438 Stale Nonce): the client repeats the request "
		       "with the fresh NONCE from this response.";
	case 300: /* RFC 8489 10 */
		return "The TURN server redirects the client to the server in ALTERNATE-SERVER, "
		       "which the client asks instead.";
	}
	return NULL;
}

static void story_allocate(const struct rtclab_stun_msg *msg, struct rtclab_story *out)
{
	const char *why;

	switch (msg->cls) {
	case RTCLAB_STUN_REQUEST:
		if (has_integrity(msg))
			set_story(out, RTCLAB_STEP_GATHER,
				  "An authenticated Allocate, the retry after the 401: with USERNAME, REALM, "
				  "NONCE and MESSAGE-INTEGRITY it asks the TURN server for a relayed address, "
				  "which will become a relay candidate.");
		else
			set_story(out, RTCLAB_STEP_GATHER,
				  "Asks a TURN server for a relayed address, which will become a relay "
				  "candidate. A first Allocate usually has no credentials, and the server "
				  "answers 401.");
		return;
	case RTCLAB_STUN_SUCCESS:
		/* RFC 8656 7.3: the success carries XOR-RELAYED-ADDRESS and XOR-MAPPED-ADDRESS. */
		set_story(out, RTCLAB_STEP_GATHER,
			  "The TURN server granted a relay: XOR-RELAYED-ADDRESS becomes a relay candidate, "
			  "and XOR-MAPPED-ADDRESS in the same response gives a server-reflexive one.");
		return;
	case RTCLAB_STUN_ERROR:
		if (error_code_of(msg) == 401) {
			/* RFC 8656 7.1, RFC 8489 9.2.4 */
			set_story(out, RTCLAB_STEP_GATHER,
				  "The normal first round of TURN authentication, not a failure: the server "
				  "sends REALM and NONCE, and the client retries the Allocate with USERNAME, "
				  "REALM, NONCE and MESSAGE-INTEGRITY.");
			return;
		}
		why = turn_auth_why(error_code_of(msg));
		set_story(out, RTCLAB_STEP_GATHER,
			  why != NULL ? why
				      : "The TURN server refused the allocation (see ERROR-CODE), so this "
					"server gives no relay candidate; ICE goes on with host and "
					"server-reflexive candidates.");
		return;
	case RTCLAB_STUN_INDICATION:
		break;
	}
	set_story(out, RTCLAB_STEP_GATHER,
		  "An Allocate indication, which TURN does not define (Allocate is a request); a "
		  "TURN server ignores it.");
}

static void story_refresh(const struct rtclab_stun_msg *msg, struct rtclab_story *out)
{
	const struct rtclab_stun_attr *lifetime;
	const char *why;

	switch (msg->cls) {
	case RTCLAB_STUN_REQUEST:
		lifetime = rtclab_stun_find(msg, RTCLAB_STUN_ATTR_LIFETIME);
		if (lifetime != NULL && lifetime->ok && lifetime->v.u32 == 0) /* RFC 8656 8 */
			set_story(out, RTCLAB_STEP_GATHER,
				  "Deletes the TURN allocation (LIFETIME 0): its relay candidate is no "
				  "longer needed, at the end of a call or after ICE chose another path.");
		else
			set_story(out, RTCLAB_STEP_GATHER,
				  "Keeps a TURN allocation, and so its relay candidate, alive for another "
				  "LIFETIME; clients refresh every few minutes while the relay may be used.");
		return;
	case RTCLAB_STUN_SUCCESS:
		set_story(out, RTCLAB_STEP_GATHER,
			  "The TURN server extended the allocation by the LIFETIME given (or deleted it "
			  "if that is 0), so the relay candidate stays usable.");
		return;
	case RTCLAB_STUN_ERROR:
		if (error_code_of(msg) == 437) {
			set_story(out, RTCLAB_STEP_GATHER,
				  "The allocation to refresh no longer exists (437): it expired, so the "
				  "relay candidate is gone unless the client allocates again.");
			return;
		}
		why = turn_auth_why(error_code_of(msg));
		set_story(out, RTCLAB_STEP_GATHER,
			  why != NULL ? why
				      : "The TURN server refused to refresh the allocation (see "
					"ERROR-CODE); the relay candidate will expire.");
		return;
	case RTCLAB_STUN_INDICATION:
		break;
	}
	set_story(out, RTCLAB_STEP_GATHER,
		  "A Refresh indication, which TURN does not define (Refresh is a request); a TURN "
		  "server ignores it.");
}

static void story_permission(const struct rtclab_stun_msg *msg, struct rtclab_story *out)
{
	const char *why;
	bool channel = msg->method == RTCLAB_STUN_CHANNEL_BIND;

	switch (msg->cls) {
	case RTCLAB_STUN_REQUEST:
		/* RFC 8656 9, 12 */
		set_story(out, RTCLAB_STEP_CHECKS,
			  channel ? "Binds a channel number to the peer's address on the TURN relay, so "
				    "checks and media can use compact 4-byte ChannelData headers; it "
				    "also opens the relay to that peer."
				  : "Opens the TURN relay to the peer's address (XOR-PEER-ADDRESS, from "
				    "its trickled candidates): without this permission the server drops "
				    "the peer's packets, and no check through the relay can pass.");
		return;
	case RTCLAB_STUN_SUCCESS:
		set_story(out, RTCLAB_STEP_CHECKS,
			  channel ? "The TURN server bound the channel: from now on data with this peer "
				    "can travel as ChannelData."
				  : "The TURN server installed the permission: packets from the peer's "
				    "address now pass through the relay, so checks can succeed.");
		return;
	case RTCLAB_STUN_ERROR:
		why = turn_auth_why(error_code_of(msg));
		set_story(out, RTCLAB_STEP_CHECKS,
			  why != NULL ? why
				      : "The TURN server refused to open the relay to this peer (see "
					"ERROR-CODE, e.g. 403 for a forbidden address), so this relay "
					"path cannot be used.");
		return;
	case RTCLAB_STUN_INDICATION:
		break;
	}
	set_story(out, RTCLAB_STEP_CHECKS,
		  "An indication of a method TURN defines only as a request; a TURN server ignores "
		  "it.");
}

static void story_send_data(const struct rtclab_stun_msg *msg, struct rtclab_story *out)
{
	if (msg->cls != RTCLAB_STUN_INDICATION) {
		set_story(out, RTCLAB_STEP_CHECKS,
			  "Send and Data exist only as indications (RFC 8656 11); this class is not "
			  "allowed, and a TURN server ignores the message.");
		return;
	}
	if (msg->method == RTCLAB_STUN_SEND)
		set_story(out, RTCLAB_STEP_CHECKS,
			  "The client hands its TURN server data to relay to the peer in "
			  "XOR-PEER-ADDRESS: connectivity checks first, then DTLS and media if this "
			  "relay path is chosen.");
	else
		set_story(out, RTCLAB_STEP_CHECKS,
			  "The TURN server delivers data that reached the relayed address from the "
			  "peer in XOR-PEER-ADDRESS: the peer's connectivity checks first, then DTLS and "
			  "media.");
}

static void story_tcp(const struct rtclab_stun_msg *msg, struct rtclab_story *out)
{
	const char *why;

	if (msg->cls == RTCLAB_STUN_ERROR) {
		why = turn_auth_why(error_code_of(msg));
		set_story(out, RTCLAB_STEP_CHECKS,
			  why != NULL ? why
				      : "TURN over TCP (RFC 6062): the server could not set up the TCP "
					"connection with the peer (see ERROR-CODE), so this relay path "
					"fails.");
		return;
	}
	switch (msg->method) {
	case RTCLAB_STUN_CONNECT:
		set_story(out, RTCLAB_STEP_CHECKS,
			  "TURN over TCP (RFC 6062): the client asks its TURN server to open a TCP "
			  "connection from the relayed address to the peer, a path ICE can then use.");
		return;
	case RTCLAB_STUN_CONNECTION_BIND:
		set_story(out, RTCLAB_STEP_CHECKS,
			  "TURN over TCP (RFC 6062): the client joins a new TCP connection to the "
			  "server with the peer's connection (CONNECTION-ID); then it carries the "
			  "peer's data.");
		return;
	default:
		break;
	}
	set_story(out, RTCLAB_STEP_CHECKS,
		  "TURN over TCP (RFC 6062): the TURN server tells the client that a peer opened a "
		  "TCP connection to the relayed address; the client accepts it with ConnectionBind.");
}

void rtclab_stun_story(const struct rtclab_stun_msg *msg, struct rtclab_story *out)
{
	if (out == NULL)
		return;
	if (msg == NULL) {
		set_story(out, RTCLAB_STEP_NONE, "No message to place in the handshake.");
		return;
	}

	/* RFC 5389 6 / RFC 8489 5: no magic cookie means an RFC 3489 message. */
	if (!msg->magic_cookie || msg->method == RTCLAB_STUN_SHARED_SECRET) {
		if (msg->method == RTCLAB_STUN_SHARED_SECRET)
			set_story(out, RTCLAB_STEP_GATHER,
				  "A pre-2008 RFC 3489 Shared Secret message, fetching a temporary username "
				  "and password over TLS. WebRTC never sends it: ICE credentials come from "
				  "the SDP.");
		else
			set_story(out, RTCLAB_STEP_GATHER,
				  "A pre-2008 RFC 3489 message (no magic cookie). Classic STUN used messages "
				  "like this to learn the public address and guess the NAT type; old "
				  "servers still answer them, but browsers never send them.");
		return;
	}

	switch (msg->method) {
	case RTCLAB_STUN_BINDING:
		story_binding(msg, out);
		return;
	case RTCLAB_STUN_GOOG_PING:
		story_goog_ping(msg, out);
		return;
	case RTCLAB_STUN_ALLOCATE:
		story_allocate(msg, out);
		return;
	case RTCLAB_STUN_REFRESH:
		story_refresh(msg, out);
		return;
	case RTCLAB_STUN_CREATE_PERMISSION:
	case RTCLAB_STUN_CHANNEL_BIND:
		story_permission(msg, out);
		return;
	case RTCLAB_STUN_SEND:
	case RTCLAB_STUN_DATA:
		story_send_data(msg, out);
		return;
	case RTCLAB_STUN_CONNECT:
	case RTCLAB_STUN_CONNECTION_BIND:
	case RTCLAB_STUN_CONNECTION_ATTEMPT:
		story_tcp(msg, out);
		return;
	default:
		break;
	}
	set_story(out, RTCLAB_STEP_NONE,
		  "rtclab does not know this STUN method, so it cannot place the message in the "
		  "handshake.");
}
