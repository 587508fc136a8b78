/* Plain-word explanations of SDP line types (RFC 8866 5) and of the
 * attributes rtclab types (RTCLAB_SDP_ATTRS in rtclab/sdp.h), for students.
 *
 * Everything here is static const text: no state, no I/O, no allocation, and
 * never NULL.  Steps are numbered as in story.h: 1 offer, 2 answer, 3 NATs in
 * the way, 4 gathering, 5 trickling, 6 checks, then DTLS and media.
 *
 * Each attribute's sentence is a macro EXPLAIN_<IDENT>; the table is built
 * from the X-macro, so an attribute added to RTCLAB_SDP_ATTRS without an
 * explanation here does not compile.
 */
#include <stddef.h>

#include "rtclab/sdp.h"

/* RFC 5888 5, RFC 9143 (BUNDLE) */
#define EXPLAIN_GROUP                                                                                      \
	"Groups media sections by their mids. a=group:BUNDLE puts every listed section on one transport: "  \
	"one set of candidates, one DTLS session, so ICE runs once instead of once per section (steps 4 to " \
	"6); the first mid names the section whose transport they share."
/* draft-ietf-mmusic-msid (WMS: WebRTC MediaStream) */
#define EXPLAIN_MSID_SEMANTIC                                                                              \
	"Says that the tracks of this description are grouped into MediaStreams by a=msid lines (WMS). It "  \
	"matters to the receiving application, not to the connection."
/* RFC 5888 4 */
#define EXPLAIN_MID                                                                                        \
	"The media section's identifier. BUNDLE groups, trickled candidates (their sdpMid) and the answer "  \
	"refer to the section by it, so an answer repeats the offer's mids (steps 1, 2 and 5)."
/* RFC 8830 2 */
#define EXPLAIN_MSID                                                                                       \
	"Ties the section's track to a MediaStream: a stream id (or \"-\" for none) and a track id, which "  \
	"the receiving application sees when the track arrives. It plays no part in connecting."
/* RFC 8839 5.4, RFC 8445 7.2.2 */
#define EXPLAIN_ICE_UFRAG                                                                                  \
	"The ICE username fragment. In the step 6 connectivity checks the STUN USERNAME is the receiver's "  \
	"ufrag, a colon and the sender's (ufragB:ufragA), so each peer can tell the checks meant for it."
/* RFC 8839 5.4, RFC 8445 7.2.2 */
#define EXPLAIN_ICE_PWD                                                                                    \
	"The ICE password, at least 22 characters. It is the MESSAGE-INTEGRITY key of the step 6 "           \
	"connectivity checks sent to this peer, so only someone who got this description over signaling "   \
	"can send checks that verify."
/* RFC 8839 5.6, RFC 8840 (trickle) */
#define EXPLAIN_ICE_OPTIONS                                                                                \
	"ICE extensions this peer supports. \"trickle\" says it will send its candidates one by one over "   \
	"signaling as it finds them (step 5), so the other side starts checks without waiting for all of "  \
	"them."
/* RFC 8839 5.3, RFC 8445 2.5 */
#define EXPLAIN_ICE_LITE                                                                                   \
	"This peer runs ICE lite, as many servers with a public address do: it has only host candidates "   \
	"and answers connectivity checks without sending its own, so the other peer is the controlling "    \
	"one that picks the pair in step 6."
/* RFC 8839 5.5 */
#define EXPLAIN_ICE_PACING                                                                                 \
	"How many milliseconds apart this peer wants STUN requests to be sent while gathering (step 4) and " \
	"checking (step 6), so that ICE does not flood the network; 50 when not given."
/* RFC 8122 5, RFC 8827 6.5 */
#define EXPLAIN_FINGERPRINT                                                                                \
	"The hash of this peer's DTLS certificate. Once the step 6 checks find a working pair, DTLS runs "   \
	"over it, and each side checks that the certificate the other presents has this hash: the signaled " \
	"description vouches for the keys, which keeps out a man in the middle."
/* RFC 4145 4, RFC 5763 5, RFC 8842 5 */
#define EXPLAIN_SETUP                                                                                      \
	"Decides which side is the DTLS client, the one that sends the ClientHello once the step 6 checks "  \
	"succeed. An offer says actpass (either role); the answer picks active (it is the client) or "       \
	"passive (it waits for the ClientHello)."
/* RFC 8842 4 */
#define EXPLAIN_TLS_ID                                                                                     \
	"Identifies the DTLS association. The same value in a later offer or answer keeps the existing "    \
	"DTLS session; a new value asks for a new DTLS handshake."
/* RFC 3605 */
#define EXPLAIN_RTCP                                                                                       \
	"The port (and address) for RTCP, the control reports about the RTP streams, when it is not the RTP " \
	"port plus one. With ICE and rtcp-mux it is a leftover: the real addresses are in the candidates."
/* RFC 5761 5.1.1, RFC 8834 5.1.1 */
#define EXPLAIN_RTCP_MUX                                                                                   \
	"RTCP shares the RTP port, so each peer needs only component 1 candidates and ICE checks one "       \
	"component instead of two (steps 4 to 6). WebRTC requires it."
/* RFC 8858 */
#define EXPLAIN_RTCP_MUX_ONLY                                                                              \
	"The section works only with RTCP on the RTP port: the answer must accept rtcp-mux, and no "         \
	"component 2 candidates are gathered for it (step 4)."
/* RFC 5506 */
#define EXPLAIN_RTCP_RSIZE                                                                                 \
	"The peer accepts reduced-size RTCP packets, which carry one feedback message alone and so can be "  \
	"sent at once, for example to ask for a new key frame. It does not affect connecting."
/* RFC 8866 6.6 */
#define EXPLAIN_RTPMAP                                                                                     \
	"Maps an RTP payload type number from the m= line to a codec: its name, clock rate and, for audio, " \
	"the number of channels. Each RTP packet carries only the number; the answer keeps the codecs both " \
	"sides support (step 2)."
/* RFC 8866 6.15 */
#define EXPLAIN_FMTP                                                                                       \
	"Parameters of the codec with this payload type, such as opus in-band error correction, the H.264 "  \
	"profile, or apt= (the payload type a retransmission format repairs)."
/* RFC 4585 4.2, RFC 8888, draft-holmer-rmcat-transport-wide-cc-extensions */
#define EXPLAIN_RTCP_FB                                                                                    \
	"RTCP feedback the receiver may send for a payload type: nack (send lost packets again), nack pli "  \
	"(send a new key frame), ccm fir, goog-remb or transport-cc (bandwidth estimation)."
/* RFC 8285 5 */
#define EXPLAIN_EXTMAP                                                                                     \
	"Maps a small number to an RTP header extension, named by a URI, such as the audio level or the "    \
	"mid, which lets a receiver sort packets of a bundled transport into their sections."
/* RFC 8285 6 */
#define EXPLAIN_EXTMAP_ALLOW_MIXED                                                                         \
	"One-byte and two-byte RTP header extensions may be mixed in the same stream. It does not affect "   \
	"connecting."
/* RFC 5576 4.1 */
#define EXPLAIN_SSRC                                                                                       \
	"Describes an RTP stream by its SSRC, the number that identifies the sender's stream in every RTP "  \
	"packet: its cname (shared by all streams of one peer, for lip sync) and, in older SDP, its stream " \
	"and track."
/* RFC 5576 4.2, RFC 4588 (FID), RFC 5956 (FEC-FR) */
#define EXPLAIN_SSRC_GROUP                                                                                 \
	"Groups SSRCs: FID pairs a stream with its retransmission (rtx) stream, SIM lists simulcast layers " \
	"and FEC-FR pairs a stream with its forward error correction."
/* RFC 8851 */
#define EXPLAIN_RID                                                                                        \
	"Names one RTP stream of the section (an RTP stream identifier, rid), such as one simulcast layer, "  \
	"and may restrict its codec or resolution; packets carry the rid in a header extension."
/* RFC 8853 */
#define EXPLAIN_SIMULCAST                                                                                  \
	"The section sends or receives several encodings of the same source at different qualities, listed " \
	"by rid; a server can then forward to each receiver the layer it can take."
/* RFC 8841 5 */
#define EXPLAIN_SCTP_PORT                                                                                  \
	"The SCTP port of the data channel association, which runs inside DTLS once the step 6 checks "      \
	"succeed; 5000 by convention."
/* RFC 8841 6 */
#define EXPLAIN_MAX_MESSAGE_SIZE                                                                           \
	"The largest data channel message, in bytes, this peer can receive (0: no limit). The other side "   \
	"must not send larger ones."
/* draft-ietf-mmusic-sctp-sdp-05 */
#define EXPLAIN_SCTPMAP                                                                                    \
	"The old draft way to give the SCTP port and application (webrtc-datachannel) of a data channel "    \
	"section, replaced by a=sctp-port. Older browsers still send it."
/* RFC 8866 6.7.1 */
#define EXPLAIN_SENDRECV                                                                                   \
	"This peer sends and receives media in this section. It is the default when no direction is given."
/* RFC 8866 6.7.2, RFC 3264 6.1 */
#define EXPLAIN_SENDONLY                                                                                   \
	"This peer only sends media in this section; an answer to it says recvonly (or inactive)."
/* RFC 8866 6.7.3, RFC 3264 6.1 */
#define EXPLAIN_RECVONLY                                                                                   \
	"This peer only receives media in this section; an answer to it says sendonly (or inactive)."
/* RFC 8866 6.7.4 */
#define EXPLAIN_INACTIVE                                                                                   \
	"No media flows in this section in either direction, though the section and its transport stay "    \
	"negotiated."
/* RFC 8839 5.1, RFC 8445 5.1 */
#define EXPLAIN_CANDIDATE                                                                                  \
	"An ICE candidate: an address and port where this peer may be reached, with its type (host, srflx "  \
	"from a STUN server, relay on a TURN server), priority and component. Candidates are gathered in "   \
	"step 4, trickled in step 5, and the step 6 checks try them in pairs."
/* RFC 8840 8.2 */
#define EXPLAIN_END_OF_CANDIDATES                                                                          \
	"This peer has sent all its candidates: trickling is over (step 5), so once every pair has been "    \
	"checked ICE can give up instead of waiting for more candidates."
/* RFC 8839 5.2 */
#define EXPLAIN_REMOTE_CANDIDATES                                                                          \
	"In an offer sent after ICE has finished, the controlling peer lists the remote candidates of the "  \
	"pair it chose, one per component, so that both sides keep using the same pair."
/* RFC 9143 6 */
#define EXPLAIN_BUNDLE_ONLY                                                                                \
	"The section may only be used inside a BUNDLE group: it has port 0, so a peer that does not "        \
	"understand BUNDLE rejects it instead of setting up a separate transport."
/* RFC 8866 6.4 */
#define EXPLAIN_PTIME                                                                                      \
	"How many milliseconds of audio the receiver would like in each packet."
/* RFC 8866 6.5 */
#define EXPLAIN_MAXPTIME                                                                                   \
	"The most milliseconds of audio the receiver accepts in one packet."

static const char *const attr_explain_table[RTCLAB_SDP_ATTR_COUNT_] = {
	[RTCLAB_SDP_ATTR_UNKNOWN] = "An attribute rtclab does not know; kept as it is.",
#define RTCLAB_X_(ident, name, ref) [RTCLAB_SDP_ATTR_##ident] = EXPLAIN_##ident,
	RTCLAB_SDP_ATTRS(RTCLAB_X_)
#undef RTCLAB_X_
};

const char *rtclab_sdp_attr_explain(enum rtclab_sdp_attr a)
{
	if ((unsigned)a < RTCLAB_SDP_ATTR_COUNT_ && attr_explain_table[a] != NULL)
		return attr_explain_table[a];
	return attr_explain_table[RTCLAB_SDP_ATTR_UNKNOWN];
}

/* RFC 8866 5.1 to 5.14. */
const char *rtclab_sdp_line_explain(char type)
{
	switch (type) {
	case 'v':
		return "The SDP version, always 0. Every description starts with it.";
	case 'o':
		return "The origin: a user name (\"-\" in WebRTC), a session id, and a version that goes up "
		       "each time the peer sends a new description in the same session, then an address that "
		       "browsers leave as a placeholder. A new version tells the other side to renegotiate.";
	case 's':
		return "The session name. WebRTC has no use for it and writes \"-\".";
	case 'i':
		return "Free text about the session or a media section, for people. It plays no part in the "
		       "handshake.";
	case 'u':
		return "A web address with more about the session. WebRTC does not use it.";
	case 'e':
		return "An email address of the person responsible for the session. WebRTC does not use it.";
	case 'p':
		return "A phone number of the person responsible for the session. WebRTC does not use it.";
	case 'c':
		return "The connection address where media is expected. With ICE the candidates carry the real "
		       "addresses (steps 4 and 5), so browsers write a placeholder (IN IP4 0.0.0.0) or the "
		       "address of one candidate.";
	case 'b':
		return "A bandwidth limit: AS and CT in kilobits per second, TIAS in bits per second. The other "
		       "side should keep what it sends under it.";
	case 't':
		return "When the session is active, as start and stop times. \"t=0 0\" means at any time: WebRTC "
		       "sessions are not scheduled.";
	case 'r':
		return "Repeat times of a scheduled session. WebRTC does not use them.";
	case 'z':
		return "Time zone adjustments for repeat times. WebRTC does not use them.";
	case 'k':
		return "An encryption key, obsolete (RFC 8866 5.12 says not to use it). WebRTC gets its keys "
		       "from DTLS after the step 6 checks instead.";
	case 'a':
		return "An attribute. Most of what WebRTC needs is in a= lines: ICE credentials, the DTLS "
		       "fingerprint and role, codecs, candidates.";
	case 'm':
		return "Starts a media section: the kind of media (audio, video, or application for data "
		       "channels), a port, the transport protocol and the formats. Each section is offered "
		       "and answered on its own (steps 1 and 2).";
	default:
		return "A line type SDP does not define; RFC 8866 5 says a parser must reject a description "
		       "with one.";
	}
}
