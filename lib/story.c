/* The six steps of a WebRTC connection, as titles and short explanations.
 *
 * The steps follow the usual explainer of the handshake: offer and answer
 * travel over an application-defined signaling channel (RFC 8829 JSEP,
 * RFC 3264 offer/answer), then ICE (RFC 8445) gathers, trickles (RFC 8838)
 * and checks candidates before DTLS and media start.
 */
#include "rtclab/story.h"

#include "rtclab/stun.h"

const char *rtclab_step_title(enum rtclab_step step)
{
	switch (step) {
	case RTCLAB_STEP_NONE:
		return "Not part of the handshake";
	case RTCLAB_STEP_OFFER:
		return "Step 1: sending the offer";
	case RTCLAB_STEP_ANSWER:
		return "Step 2: sending the answer";
	case RTCLAB_STEP_NAT:
		return "Step 3: NATs and firewalls in the way";
	case RTCLAB_STEP_GATHER:
		return "Step 4: gathering candidates";
	case RTCLAB_STEP_TRICKLE:
		return "Step 5: trickling candidates";
	case RTCLAB_STEP_CHECKS:
		return "Step 6: connectivity checks, then media";
	}
	return "Unknown step";
}

const char *rtclab_step_explain(enum rtclab_step step)
{
	switch (step) {
	case RTCLAB_STEP_NONE:
		return "This does not belong to any of the six steps of setting up a WebRTC "
		       "connection.";
	case RTCLAB_STEP_OFFER:
		/* RFC 8829 (JSEP) 5.2, RFC 8839 (ice-ufrag/ice-pwd), RFC 8122 (fingerprint),
		 * RFC 5763 (setup). */
		return "Peer A creates an SDP offer describing its media and codecs, its ICE "
		       "credentials (ice-ufrag, ice-pwd), its DTLS certificate fingerprint and "
		       "setup role, and sends it to peer B through a signaling channel. WebRTC "
		       "defines no signaling of its own: typically the application sends JSON "
		       "over a WebSocket.";
	case RTCLAB_STEP_ANSWER:
		/* RFC 3264 6, RFC 8829 5.3. */
		return "Peer B sets the offer as its remote description and replies with an SDP "
		       "answer of its own (codecs it accepts, its own ice-ufrag, ice-pwd and "
		       "fingerprint) through the same signaling channel.";
	case RTCLAB_STEP_NAT:
		return "Both peers now know each other's descriptions, but there is no path for "
		       "media yet: most hosts sit behind NATs and firewalls, so the private "
		       "addresses they know for themselves are not reachable from the other side.";
	case RTCLAB_STEP_GATHER:
		/* RFC 8445 5.1.1: host, server-reflexive and relayed candidates. */
		return "Each peer gathers ICE candidates: host addresses of its own interfaces, a "
		       "server-reflexive address learned from a STUN server's Binding response "
		       "(XOR-MAPPED-ADDRESS), and a relayed address allocated on a TURN server "
		       "(Allocate).";
	case RTCLAB_STEP_TRICKLE:
		/* RFC 8838 (Trickle ICE); the end-of-candidates attribute: RFC 8840. */
		return "Candidates are sent to the other peer over signaling one by one as they "
		       "are found (trickle ICE), so checks can start early; a final "
		       "end-of-candidates says gathering is complete.";
	case RTCLAB_STEP_CHECKS:
		/* RFC 8445 6.1.2 (pairs), 7 (checks), 8 (nomination); RFC 5764 (DTLS-SRTP),
		 * RFC 8261 (SCTP over DTLS). */
		return "ICE pairs local and remote candidates and runs STUN connectivity checks on "
		       "each pair (USERNAME ufragB:ufragA, PRIORITY, ICE-CONTROLLING or "
		       "ICE-CONTROLLED, MESSAGE-INTEGRITY, FINGERPRINT); the controlling agent "
		       "nominates a working pair with USE-CANDIDATE. Data then flows over UDP: "
		       "first the DTLS handshake, then SRTP media or SCTP data channels.";
	}
	return "An unknown step: rtclab only knows steps 1 to 6.";
}
