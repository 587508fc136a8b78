#!/bin/sh
# Command-line tests: run the built rtclab on fixture files and check what it
# prints and its exit status.  Usage: sh tests/cli/run.sh path/to/rtclab
set -u
RTCLAB=$1
F=tests/fixtures/stun
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0
PW=VOkJxbRl1RmTxUk/WvJxBt
REQ=$(od -An -v -tx1 $F/sample_request.bin | tr -d ' \n')

ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); printf 'FAIL: %s\n' "$1"; [ -f "$TMP/out" ] && sed 's/^/  | /' "$TMP/out" | head -20; }

# run NAME EXPECTED_STATUS CMD...: output (stdout+stderr) goes to $TMP/out
run() {
	name=$1 want=$2
	shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	got=$?
	cat "$TMP/err" >>"$TMP/out"
	if [ "$got" -ne "$want" ]; then
		ko "$name: exit status $got, expected $want"
		return 1
	fi
	return 0
}
# has NAME TEXT: the last output contains TEXT (fixed string)
has() { if grep -qF -- "$2" "$TMP/out"; then ok; else ko "$1: output lacks '$2'"; fi; }
hasnt() { if grep -qF -- "$2" "$TMP/out"; then ko "$1: output has '$2'"; else ok; fi; }
# jqis NAME FILTER VALUE: jq FILTER on the last output gives VALUE
jqis() {
	v=$(jq -r "$2" <"$TMP/out" 2>&1)
	if [ "$v" = "$3" ]; then ok; else ko "$1: jq '$2' gave '$v', expected '$3'"; fi
}

# --- the command -------------------------------------------------------------
run version 0 "$RTCLAB" --version && has version "rtclab 0.1.0"
run help 0 "$RTCLAB" help && has help "stun" && has help "decode, verify and explain"
run help-stun 0 "$RTCLAB" help stun && has help-stun "--password P"
run no-args 2 "$RTCLAB" && has no-args "usage: rtclab"
run unknown-command 2 "$RTCLAB" frobnicate && has unknown-command "no command 'frobnicate'"
run unknown-option 2 "$RTCLAB" stun decode --frob x && has unknown-option "Try 'rtclab stun --help'"
run no-input 2 "$RTCLAB" stun decode && has no-input "give exactly one of FILE, - or --hex HEX"
run missing-file 2 "$RTCLAB" stun decode "$TMP/nope.bin" && has missing-file "No such file or directory"
run bad-hex 2 "$RTCLAB" stun decode --hex 0001zz && has bad-hex "column 5: 'z' is not a hex digit"
run odd-hex 2 "$RTCLAB" stun decode --hex 00010 && has odd-hex "odd number of hex digits"
run username-without-password 2 "$RTCLAB" stun decode --username u "$F/sample_request.bin" &&
	has username-without-password "need --password"
run bad-color 2 "$RTCLAB" stun decode --color=sometimes "$F/sample_request.bin"

# --- decoding and verification -----------------------------------------------------
run valid-hex 0 "$RTCLAB" stun decode --hex "$REQ" && has valid-hex "Binding request" &&
	has valid-hex "Problems     none" && has valid-hex "Integrity    unchecked"
run truncated-hex 1 "$RTCLAB" stun decode --hex "$(printf %s "$REQ" | cut -c1-60)" &&
	has truncated-hex "@2    length field says 88 bytes follow the header, but only 10 do: truncated" &&
	has truncated-hex "@20   SOFTWARE (0x8022) declares 16 value bytes but only 6 remain in the message"
run truncated-header 1 "$RTCLAB" stun decode --hex 000100582112 &&
	has truncated-header "only 6 bytes: a STUN header needs 20"
run password-ok 0 "$RTCLAB" stun decode --password "$PW" "$F/sample_request.bin" &&
	has password-ok "Integrity    ok: short-term credentials" && has password-ok "Fingerprint  ok"
run password-bad 1 "$RTCLAB" stun decode --password "${PW}x" "$F/sample_request.bin" &&
	has password-bad "Integrity    bad" &&
	has password-bad "@76   MESSAGE-INTEGRITY (0x0008) does not verify with the credentials given"
LTPW=$(printf 'The\302\255M\302\252tr\342\205\250')
LTUSER=$(printf '\343\203\236\343\203\210\343\203\252\343\203\203\343\202\257\343\202\271')
run long-term 0 "$RTCLAB" stun decode --username "$LTUSER" --realm example.org --password "$LTPW" \
	"$F/sample_request_long_term_auth.bin" &&
	has long-term "long-term credentials, key = MD5(username:realm:password), password prepared with SASLprep"
run long-term-from-message 0 "$RTCLAB" stun decode --long-term --password "$LTPW" "$F/sample_request_long_term_auth.bin"
run long-term-wrong 1 "$RTCLAB" stun decode --long-term --password TheMatrix "$F/sample_request_long_term_auth.bin" &&
	has long-term-wrong "Integrity    bad"
run stdin 0 "$RTCLAB" stun decode - <"$F/sample_ipv4_response.bin" &&
	has stdin "IPv4 192.0.2.1:32853 (after undoing the XOR with the magic cookie)"
printf '%s\n' "$REQ" | fold -w 16 >"$TMP/req.hex"
run hex-text-file 0 "$RTCLAB" stun decode "$TMP/req.hex" && has hex-text-file "evtj:h6vY"
run ipv6 0 "$RTCLAB" stun decode "$F/sample_ipv6_response.bin" &&
	has ipv6 "IPv6 [2001:db8:1234:5678:11:2233:4455:6677]:32853"
run explain 0 "$RTCLAB" stun decode "$F/sample_request.bin" &&
	has explain "Step 6: connectivity checks" && has explain "receiver's ufrag \"evtj\" : sender's ufrag \"h6vY\"" &&
	has explain "type preference 110 (peer-reflexive)"
run brief-golden 0 "$RTCLAB" stun decode --brief --password "$PW" "$F/sample_request.bin"
if cmp -s "$TMP/out" tests/cli/sample_request.brief.out; then ok; else ko "brief-golden: differs from tests/cli/sample_request.brief.out"; diff tests/cli/sample_request.brief.out "$TMP/out" | head; fi
run no-color-when-piped 0 "$RTCLAB" stun decode "$F/sample_request.bin" && hasnt no-color-when-piped "$(printf '\033[')"
run color-always 0 "$RTCLAB" stun decode --color=always "$F/sample_request.bin" && has color-always "$(printf '\033[1m')"
NO_COLOR=1 run no-color-env 0 "$RTCLAB" stun decode --color=auto "$F/sample_request.bin" && hasnt no-color-env "$(printf '\033[')"

# --- JSON ---------------------------------------------------------------------------
run json 0 "$RTCLAB" stun decode --json --password "$PW" "$F/sample_ipv4_response.bin" &&
	jqis json-method .method Binding && jqis json-class .class success &&
	jqis json-tid .transaction_id b7e7a701bc34d686fa87dfae && jqis json-length .length 60 &&
	jqis json-cookie .magic_cookie true &&
	jqis json-xor '.attributes[1] | "\(.name) \(.type) \(.family) \(.address) \(.port)"' \
		"XOR-MAPPED-ADDRESS 32 IPv4 192.0.2.1 32853" &&
	jqis json-integrity .integrity ok && jqis json-fingerprint .fingerprint ok && jqis json-problems '.problems | length' 0
run json-request 0 "$RTCLAB" stun decode --json "$F/sample_request.bin" &&
	jqis json-priority '.attributes[1].value' 1845494271 &&
	jqis json-tiebreaker '.attributes[2].tiebreaker' 932ff9b151263b36 &&
	jqis json-username '.attributes[3].value' evtj:h6vY && jqis json-unchecked .integrity unchecked
run json-truncated 1 "$RTCLAB" stun decode --json --hex "$(printf %s "$REQ" | cut -c1-60)" &&
	jqis json-problem-offsets '[.problems[].offset] | map(tostring) | join(",")' "2,20" &&
	jqis json-problem-codes '[.problems[].code] | join(",")' "truncated,attr_overrun"
run json-wrong-password 1 "$RTCLAB" stun decode --json --password nope "$F/sample_request.bin" &&
	jqis json-bad .integrity bad && jqis json-bad-problem '.problems[0].code' integrity_bad

# --- ChannelData, TCP streams, classic and real-world messages -----------------------------
run channeldata-odd 2 "$RTCLAB" stun decode --hex 400100047465737
run channeldata 0 "$RTCLAB" stun decode --hex 4001000474657374 && has channeldata "TURN ChannelData, channel 0x4001" &&
	has channeldata "RFC 8656 range"
run channeldata-5766 0 "$RTCLAB" stun decode --json --hex 7c4200026869 &&
	jqis channeldata-5766-range .channel_range "RFC 5766" && jqis channeldata-5766-channel .channel 31810
run not-stun 1 "$RTCLAB" stun decode --hex 8000000474657374 && has not-stun "Not a STUN message: first byte 128-191: RTP or RTCP" &&
	has not-stun "leading bits 10"
run channeldata-truncated 1 "$RTCLAB" stun decode --hex 40010010746573 &&
	has channeldata-truncated "length field says 16 bytes follow the header, but only 3 do"
run tcp-stream 0 "$RTCLAB" stun decode --tcp --json --hex "${REQ}7c4200026869000040010000" &&
	jqis tcp-count 'length' 3 && jqis tcp-kinds '[.[0].method, .[1].channel, .[2].channel] | map(tostring) | join(",")' \
		"Binding,31810,16385"
run classic 0 "$RTCLAB" stun decode "$F/real/ndpi_stun_classic-f1.bin" &&
	has classic "classic STUN (RFC 3489: no magic cookie)" && has classic "(128 bits, RFC 3489)"
run unknown-required 1 "$RTCLAB" stun decode "$F/real/ndpi_stun_wa_call-f1.bin" &&
	has unknown-required "would reject the request with 420 Unknown Attribute"
run goog-network-info 0 "$RTCLAB" stun decode --json "$F/real/ndpi_stun_google_meet-f5.bin" &&
	jqis goog '[.attributes[] | select(.name == "GOOG-NETWORK-INFO")][0] | "\(.network_id) \(.network_cost)"' "3 10"
for f in $F/real/*.bin; do
	case $f in *wa_call-f1.bin | *wa_call-f11.bin) continue ;; esac
	run "real $(basename "$f")" 0 "$RTCLAB" stun decode --brief "$f" && ok
done

# --- the demo of make run ---------------------------------------------------------------
run demo 0 sh examples/demo.sh "$RTCLAB" && has demo "the relay is allocated" && has demo "the answer fits its offer" && has demo "SIGNAL offer: 2 media sections" &&
	[ "$(grep -c '^==== ' "$TMP/out")" -eq 15 ] && ok || ko "demo: expected 15 pieces"

# --- rtclab sdp ----------------------------------------------------------------------------
S=tests/fixtures/sdp
CHROME=$S/aiortc_audio_chrome.sdp
CHROMIUM=$S/exwebrtc_chromium_audio_video_sdp.sdp
SIM_OFFER=$S/webrtcsdp_firefox_simulcast_offer.sdp
SIM_ANSWER=$S/webrtcsdp_firefox_simulcast_answer.sdp
# hasflat NAME TEXT: like has, on the output with its lines joined (explanations are word-wrapped)
hasflat() { if tr '\n' ' ' <"$TMP/out" | tr -s ' ' | grep -qF -- "$2"; then ok; else ko "$1: output lacks '$2'"; fi; }
# usage errors and unreadable input: exit 2
run sdp-help 0 "$RTCLAB" help sdp && has sdp-help "--pair OFFER ANSWER" && has sdp-help "--role ROLE"
run sdp-help-option 0 "$RTCLAB" sdp --help && has sdp-help-option "usage: rtclab sdp [options] FILE|-"
run sdp-in-list 0 "$RTCLAB" help && has sdp-in-list "explain an SDP offer or answer line by line"
run sdp-no-args 2 "$RTCLAB" sdp && has sdp-no-args "usage: rtclab sdp"
run sdp-unknown-option 2 "$RTCLAB" sdp --frob "$CHROME" && has sdp-unknown-option "Try 'rtclab sdp --help'"
run sdp-two-files 2 "$RTCLAB" sdp "$CHROME" "$CHROMIUM" && has sdp-two-files "give exactly one FILE"
run sdp-missing-file 2 "$RTCLAB" sdp "$TMP/nope.sdp" && has sdp-missing-file "No such file or directory"
run sdp-bad-role 2 "$RTCLAB" sdp --role caller "$CHROME" && has sdp-bad-role "--role takes offer or answer, not 'caller'"
run sdp-bad-color 2 "$RTCLAB" sdp --color=sometimes "$CHROME" && has sdp-bad-color "--color takes auto, always or never"
run sdp-pair-one-file 2 "$RTCLAB" sdp --pair "$SIM_OFFER" && has sdp-pair-one-file "--pair takes two files, OFFER and ANSWER"
run sdp-pair-role 2 "$RTCLAB" sdp --role offer --pair "$SIM_OFFER" "$SIM_ANSWER" && has sdp-pair-role "--role does not go with --pair"
run sdp-pair-missing 2 "$RTCLAB" sdp --pair "$SIM_OFFER" "$TMP/nope.sdp" && has sdp-pair-missing "No such file or directory"

# every line explained with what it says here
run sdp-explain 0 "$RTCLAB" sdp "$CHROME" &&
	hasflat sdp-explain "Step 1: sending the offer" && has sdp-explain "Media section 1 of 1: audio, mid audio" &&
	has sdp-explain " 7  m=audio 45076 UDP/TLS/RTP/SAVPF 111 103 104 9 0 8 106 105 13 110 112 113 126" &&
	hasflat sdp-explain "An audio section (mid audio); port 45076, the port of its default candidate" &&
	hasflat sdp-explain "13 codecs offered: opus, ISAC x2, G722, PCMU, PCMA, CN x3, telephone-event x4." &&
	hasflat sdp-explain "A host candidate: udp, IPv4 192.168.99.58 port 45076, component 1 (RTP, and RTCP too with rtcp-mux)." &&
	hasflat sdp-explain "ICE over TCP, active: this peer opens the connection and never accepts one, so the port (9) means nothing." &&
	hasflat sdp-explain "Priority 2122194687 = type preference 126 (host) x 2^24 + local preference 32286 x 2^8 + (256 - component 1)." &&
	hasflat sdp-explain "Generation 0 (it goes up with each ICE restart)." &&
	hasflat sdp-explain "sha-256 hash (32 bytes) of this peer's DTLS certificate, 6B:8B:5D...D6:BC. When DTLS starts after the step 6 checks," &&
	hasflat sdp-explain "actpass: this peer can be DTLS client or server and lets the answer decide" &&
	hasflat sdp-explain "Username fragment \"5+Ix\" (4 characters). Checks sent to this peer carry USERNAME \"5+Ix:<other peer's ufrag>\"" &&
	hasflat sdp-explain "Payload type 111 is opus, clock rate 48000 Hz, 2 channels; the audio codec every WebRTC browser has." &&
	hasflat sdp-explain "Parameters of payload type 111 (opus): minptime=10 (shortest packet, in ms); useinbandfec=1" &&
	hasflat sdp-explain "RTCP shares the RTP port: this section needs component 1 candidates only." &&
	hasflat sdp-explain "The ICE password, at least 22 characters. It is the MESSAGE-INTEGRITY key of the step 6 connectivity checks sent to this peer" &&
	has sdp-explain "  ICE         ufrag 5+Ix, pwd of 24 characters, options trickle" &&
	hasflat sdp-explain "Candidates 4: host 4, srflx 0, prflx 0, relay 0; mDNS names 0, IPv6 2, TCP 2;" &&
	has sdp-explain "  Problems    none"
run sdp-chromium 0 "$RTCLAB" sdp "$CHROMIUM" &&
	hasflat sdp-chromium "An audio section (mid 0); port 9 (discard) is a placeholder: the real ports are in the candidates, which will be trickled (step 5)" &&
	hasflat sdp-chromium "8 codecs offered: opus, red, G722, PCMU, PCMA, CN, telephone-event x2." &&
	hasflat sdp-chromium "23 codecs offered: VP8, rtx x11, H264 x6, AV1, VP9 x2, red, ulpfec." &&
	hasflat sdp-chromium "A BUNDLE group of 2 sections: mid 0 (audio, line 8), mid 1 (video, line 37)." &&
	hasflat sdp-chromium "Parameters of payload type 97 (rtx): apt=96 (resends the lost packets of payload type 96, VP8)." &&
	hasflat sdp-chromium "peer's ufrag>:nWnq\". The same as in section 1: the sections are bundled" &&
	has sdp-chromium "  Groups      BUNDLE 0 1 (one transport: ICE and DTLS run once)" &&
	has sdp-chromium "  ICE         every section: ufrag nWnq, pwd of 24 characters, options trickle" &&
	has sdp-chromium "  DTLS        every section: fingerprint sha-256 A4:67:3A...FC:64, setup" &&
	hasflat sdp-chromium "0; none yet: they will be trickled over signaling (step 5)"
run sdp-srflx 0 "$RTCLAB" sdp "$S/aiortc_audio_firefox.sdp" &&
	hasflat sdp-srflx "A server-reflexive (srflx) candidate: UDP, IPv4 1.2.3.4 port 37264," &&
	hasflat sdp-srflx "Related address 192.168.99.58 port 37264: the base, the private address the NAT translated into this public one" &&
	hasflat sdp-srflx "No more candidates will come for this section (10 in this description)." &&
	hasflat sdp-srflx "Candidates 10: host 8, srflx 2, prflx 0, relay 0; mDNS names 0, IPv6 4, TCP 4;"
# An offer may carry component 2 candidates with rtcp-mux (in case the answer refuses it);
# read as an answer, they are useless, and rtclab says so.
run sdp-rtcp-mux-answer 1 "$RTCLAB" sdp --role answer "$S/aiortc_audio_firefox.sdp" &&
	hasflat sdp-rtcp-mux-answer "an answer says a=setup:actpass" &&
	hasflat sdp-rtcp-mux-answer "warning: a component 2 (RTCP) candidate"
run sdp-relay 1 "$RTCLAB" sdp "$S/webrtcsdp_example_08.sdp" &&
	hasflat sdp-relay "A relay candidate: UDP, IPv4 162.222.183.171 port 49761, component 1. Related address 162.222.183.171 port 49761: the candidate's own address again" &&
	hasflat sdp-relay "Candidates 16: host 4, srflx 4, prflx 0, relay 8;"
sed 's/ 192\.168\.99\.58 45076 typ host/ 7c3b2b8e-4a1c-4c8f-9e2d-1b2c3d4e5f60.local 45076 typ host/' "$CHROME" >"$TMP/mdns.sdp"
run sdp-mdns 0 "$RTCLAB" sdp "$TMP/mdns.sdp" &&
	hasflat sdp-mdns "A host candidate: udp, the mDNS name 7c3b2b8e-4a1c-4c8f-9e2d-1b2c3d4e5f60.local port 45076" &&
	hasflat sdp-mdns "mDNS names 1, IPv6 2, TCP"
run sdp-datachannel 0 "$RTCLAB" sdp "$S/aiortc_datachannel_firefox_63.sdp" &&
	hasflat sdp-datachannel "A data channel section (mid sdparta_0)" &&
	hasflat sdp-datachannel "SCTP port 5000 for the data channels, inside DTLS." &&
	hasflat sdp-datachannel "UDP/DTLS/SCTP; sctp-port 5000; max-message-size 1073741823"
run sdp-stdin 0 "$RTCLAB" sdp --brief - <"$CHROME" && has sdp-stdin "SDP offer (standard input), 41 lines, 1 media section, CRLF line ends"
run sdp-brief 0 "$RTCLAB" sdp --brief "$CHROMIUM" && has sdp-brief "Summary" &&
	hasflat sdp-brief "Media 1. audio, mid 0, sendrecv, port 9, UDP/TLS/RTP/SAVPF; codecs opus, red, G722, PCMU, PCMA, CN, telephone-event x2 2. video, mid 1," &&
	hasflat sdp-brief "codecs VP8, rtx x11, H264 x6, AV1, VP9 x2, red, ulpfec Groups BUNDLE 0 1" &&
	hasnt sdp-brief "Session level" && hasnt sdp-brief "a=ice-ufrag:nWnq"
run sdp-no-color-when-piped 0 "$RTCLAB" sdp "$CHROME" && hasnt sdp-no-color-when-piped "$(printf '\033[')"
run sdp-color-always 0 "$RTCLAB" sdp --color=always "$CHROME" && has sdp-color-always "$(printf '\033[1m')"
NO_COLOR=1 run sdp-no-color-env 0 "$RTCLAB" sdp "$CHROME" && hasnt sdp-no-color-env "$(printf '\033[')"

# JSON
run sdp-json 0 "$RTCLAB" sdp --json "$CHROMIUM" &&
	jqis sdp-json-kinds '[.media[].kind] | join(",")' "audio,video" &&
	jqis sdp-json-mids '[.media[].mid] | join(",")' "0,1" &&
	jqis sdp-json-bundle '.groups[0] | "\(.semantics) \(.mids | join(" "))"' "BUNDLE 0 1" &&
	jqis sdp-json-ufrag '.media[1].ice.ufrag' nWnq &&
	jqis sdp-json-options '.media[0].ice.options | join(",")' trickle &&
	jqis sdp-json-fingerprint '.media[0].fingerprint.hash' sha-256 &&
	jqis sdp-json-setup '[.media[].setup] | join(",")' "actpass,actpass" &&
	jqis sdp-json-opus '.media[0].codecs[] | select(.name == "opus") | "\(.payload) \(.clock_rate) \(.channels) \(.fmtp)"' \
		"111 48000 2 minptime=10;useinbandfec=1" &&
	jqis sdp-json-rtx '[.media[1].codecs[] | select(.name == "rtx")] | length' 11 &&
	jqis sdp-json-candidates '[.media[].candidates | length] | add' 0 &&
	jqis sdp-json-no-problems '.problems | length' 0
run sdp-json-session-ice 0 "$RTCLAB" sdp --json "$S/aiortc_audio_ice_session_level_credentials.sdp" &&
	jqis sdp-json-effective-ufrag '.media[0].ice.ufrag' "5+Ix" &&
	jqis sdp-json-effective-pwd '.media[0].ice.pwd | length' 24
run sdp-json-session-dtls 0 "$RTCLAB" sdp --json "$S/aiortc_audio_dtls_session_level.sdp" &&
	jqis sdp-json-effective-fingerprint '.media[0].fingerprint.value | .[0:8]' "6B:8B:5D" &&
	jqis sdp-json-effective-setup '.media[0].setup' actpass
run sdp-json-candidates 0 "$RTCLAB" sdp --json "$CHROME" &&
	jqis sdp-json-cand-type-port '[.media[0].candidates[] | "\(.type)/\(.transport)/\(.port)"] | join(",")' \
		"host/udp/38475,host/udp/45076,host/tcp/9,host/tcp/9" &&
	jqis sdp-json-cand-priority '.media[0].candidates[1].priority' 2122194687
run sdp-json-srflx 0 "$RTCLAB" sdp --json "$S/aiortc_audio_firefox.sdp" &&
	jqis sdp-json-srflx-related '.media[0].candidates[] | select(.type == "srflx" and .component == 1) | "\(.address) \(.port) \(.related_address) \(.related_port)"' \
		"1.2.3.4 37264 192.168.99.58 37264" &&
	jqis sdp-json-end-of-candidates '.media[0].end_of_candidates' true &&
	jqis sdp-json-no-errors '[.problems[] | select(.severity == "error")] | length' 0

# problems: exit 1, with line and column
FAULTY=$S/chime_local_offer_with_audio_video_faulty_m_line.sdp
run sdp-faulty 1 "$RTCLAB" sdp "$FAULTY" && has sdp-faulty "41  m=video 9 UDP/TLS/RTP/SAVPF" &&
	has sdp-faulty "error, column 28: m= line has no format list"
run sdp-faulty-brief 1 "$RTCLAB" sdp --brief "$FAULTY" &&
	has sdp-faulty-brief "error, line 41, column 28: m= line has no format list: at least one fmt must follow the proto"
run sdp-faulty-json 1 "$RTCLAB" sdp --json "$FAULTY" &&
	jqis sdp-faulty-json-where '.problems[] | select(.message | startswith("m= line has no format")) | "\(.line):\(.column):\(.severity):\(.code)"' \
		"41:28:error:bad_value"
run sdp-invalid 1 "$RTCLAB" sdp --brief "$S/sdptransform_invalid.sdp" &&
	has sdp-invalid "error, line 7, column 13: address type \"IP7\": expected IP4 or IP6" &&
	has sdp-invalid "error, line 10, column 1: \"f=\" is not an SDP line type"
run sdp-wrong-fingerprint 1 "$RTCLAB" sdp "$S/webrtcsdp_example_08.sdp" &&
	has sdp-wrong-fingerprint "error, column 21: a=fingerprint: 32 bytes, but a sha-1 fingerprint has 20"
run sdp-no-timing 1 "$RTCLAB" sdp --brief "$S/sdptransform_tcp-active.sdp" &&
	has sdp-no-timing "error: no t= (timing) line"
printf 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=rtpmap:111 opus/48000/2\r\n' >"$TMP/bare.sdp"
run sdp-missing-ice 1 "$RTCLAB" sdp --brief "$TMP/bare.sdp" && has sdp-missing-ice "Role  unknown" &&
	has sdp-missing-ice "no a=ice-ufrag and a=ice-pwd for this section" && has sdp-missing-ice "no a=fingerprint for a DTLS section"
printf 'v=0\001\r\n' >"$TMP/control.sdp"
run sdp-control-bytes 1 "$RTCLAB" sdp "$TMP/control.sdp" && has sdp-control-bytes 'v=0\x01' &&
	hasnt sdp-control-bytes "$(printf '\001')"
run sdp-role-answer 1 "$RTCLAB" sdp --brief --role answer "$CHROME" && has sdp-role-answer "Role  answer, as --role says" &&
	has sdp-role-answer "an answer says a=setup:actpass"
run sdp-role-offer 0 "$RTCLAB" sdp --brief --role offer "$CHROME" && has sdp-role-offer "Role  offer, as --role says"

# --pair: an answer checked against its offer
run sdp-pair 0 "$RTCLAB" sdp --pair "$SIM_OFFER" "$SIM_ANSWER" && has sdp-pair "Role  offer, the first file of --pair" &&
	has sdp-pair "Role  answer, the second file of --pair" && has sdp-pair "Does the answer fit the offer?" &&
	has sdp-pair "the answer fits its offer" && has sdp-pair "pair: no"
run sdp-pair-json 0 "$RTCLAB" sdp --json --pair "$SIM_OFFER" "$SIM_ANSWER" &&
	jqis sdp-pair-json-keys 'keys | join(",")' "answer,offer,problems" &&
	jqis sdp-pair-json-setup '"\(.offer.media[0].setup) \(.answer.media[0].setup)"' "actpass active" &&
	jqis sdp-pair-json-problems '.problems | length' 0
run sdp-pair-mismatch 1 "$RTCLAB" sdp --pair "$CHROMIUM" "$SIM_ANSWER" &&
	has sdp-pair-mismatch "error: the offer has 2 media sections and the answer 1" &&
	has sdp-pair-mismatch "answer line 8: m=video 9 UDP/TLS/RTP/SAVPF 120"
run sdp-pair-mismatch-json 1 "$RTCLAB" sdp --json --pair "$CHROMIUM" "$SIM_ANSWER" &&
	jqis sdp-pair-mismatch-codes '[.problems[].code] | unique | join(",")' "pair" &&
	jqis sdp-pair-mismatch-first '.problems[0] | "\(.line) \(.severity)"' "0 error" &&
	jqis sdp-pair-mismatch-answer '.answer.problems | map(select(.code == "pair")) | length' 0
sed 's/^a=setup:active/a=setup:actpass/' "$SIM_ANSWER" >"$TMP/actpass-answer.sdp"
run sdp-pair-setup 1 "$RTCLAB" sdp --brief --pair "$SIM_OFFER" "$TMP/actpass-answer.sdp" &&
	has sdp-pair-setup "offer a=setup:actpass answered with a=setup:actpass"

# every corpus description: no crash, a summary, exit 0 or 1; the clean ones exit 0
for f in $S/*.sdp; do
	"$RTCLAB" sdp "$f" >"$TMP/out" 2>&1
	st=$?
	if [ "$st" -le 1 ] && grep -q '^Summary' "$TMP/out"; then ok; else ko "sdp corpus $(basename "$f"): exit status $st"; fi
done
for f in aiortc_audio_chrome aiortc_audio_dtls_session_level aiortc_audio_firefox aiortc_audio_freeswitch \
	aiortc_audio_ice_lite aiortc_audio_ice_session_level_credentials aiortc_datachannel_firefox \
	aiortc_datachannel_firefox_63 aiortc_safari aiortc_video_chrome aiortc_video_firefox \
	exwebrtc_chromium_audio_video_sdp exwebrtc_firefox_audio_video_sdp exwebrtc_obs_audio_video_sdp \
	sdptransform_hacky sdptransform_ssrc webrtcsdp_chrome_audio_video_offer webrtcsdp_firefox_audio_offer \
	webrtcsdp_firefox_datachannel_offer webrtcsdp_firefox_simulcast_offer webrtcsdp_firefox_video_offer; do
	run "sdp clean $f" 0 "$RTCLAB" sdp --brief "$S/$f.sdp" && ok
done

# --- rtclab candidate ---------------------------------------------------------------------
CF=tests/fixtures/candidates/candidates.txt
# hasw NAME TEXT: like has, but across the word wrapping of explanations
hasw() { if tr -s ' \n' '  ' <"$TMP/out" | grep -qF -- "$2"; then ok; else ko "$1: output lacks '$2'"; fi; }
HOST='a=candidate:638323114 1 udp 2122260223 10.101.2.67 34955 typ host generation 0 network-id 2 network-cost 10'
SRFLX='a=candidate:842163049 1 udp 1677729535 82.64.133.208 51044 typ srflx raddr 192.168.0.87 rport 51044 generation 0 network-cost 999'
RELAY='a=candidate:1808221584 1 udp 33562367 128.64.32.16 32952 typ relay raddr 32.64.128.1 rport 62398 generation 0'
PRFLX='a=candidate:750991856 2 udp 25108222 237.30.30.30 51472 typ prflx raddr 47.61.61.61 rport 54763 generation 0'
TRICKLE='candidate:MOCK9004 1 udp 2122260223 10.88.178.121 52788 typ host generation 0 ufrag PWwO network-id 2 network-cost 50'
MDNS='1380287402 1 udp 2130706431 e2494022-4d9a-4c1e-a750-cc48d4f8d6ee.local 60542 typ host'
TCPA='a=candidate:1754264922 1 tcp 1518280447 10.101.2.67 9 typ host tcptype active generation 0 network-id 2 network-cost 10'
run cand-help 0 "$RTCLAB" help candidate && has cand-help "--pairs" && has cand-help "--local-file FILE"
run cand-listed 0 "$RTCLAB" help && has cand-listed "candidate  explain ICE candidate lines"
run cand-host 0 "$RTCLAB" candidate "$HOST" && has cand-host "host candidate, UDP, 10.101.2.67 port 34955, component 1" &&
	has cand-host "Step 4: gathering candidates; Step 5: trickling candidates" &&
	has cand-host "2122260223 = type preference 126 (host) x 2^24 + local preference 32542 x 2^8 + (256 - component 1)" &&
	has cand-host "private (RFC 1918)" && has cand-host "Written as an SDP attribute line" &&
	has cand-host "network-id    2" && has cand-host "Here: Wi-Fi."
run cand-srflx 0 "$RTCLAB" candidate "$SRFLX" && has cand-srflx "server-reflexive candidate (srflx)" &&
	has cand-srflx "XOR-MAPPED-ADDRESS of its Binding response" &&
	hasw cand-srflx "It reveals what is behind the NAT: 192.168.0.87 is private (RFC 1918)" &&
	has cand-srflx "raddr, rport  192.168.0.87 port 51044"
run cand-relay 0 "$RTCLAB" candidate "$RELAY" && has cand-relay "relayed candidate (relay)" &&
	hasw cand-relay "The mapped address: this peer's public address as the TURN server saw it" &&
	hasw cand-relay "Type preference 2 is not one of the values RFC 8445 5.1.2.2 recommends" &&
	hasw cand-relay "For a relayed candidate RFC 8445 recommends type preference 0; this agent chose 2."
run cand-prflx 0 "$RTCLAB" candidate "$PRFLX" && has cand-prflx "Step 6: connectivity checks, then media" &&
	has cand-prflx "component     2 (RTCP)"
run cand-trickle 0 "$RTCLAB" candidate "$TRICKLE" && has cand-trickle "RTCIceCandidate.candidate" &&
	has cand-trickle "ufrag         PWwO" && has cand-trickle "before or after an ICE restart"
run cand-mdns 0 "$RTCLAB" candidate "$MDNS" && has cand-mdns "(mDNS name)" && hasw cand-mdns "resolve, with multicast DNS" &&
	has cand-mdns "A random UUID followed by .local." && has cand-mdns "without the candidate: prefix"
run cand-tcp 0 "$RTCLAB" candidate "$TCPA" && has cand-tcp "host candidate, TCP active" &&
	has cand-tcp "9 is the discard port" && has cand-tcp "tcptype       active" &&
	hasw cand-tcp "For a host candidate RFC 8445 recommends type preference 126; this agent chose 90. Implementations give TCP" &&
	hasw cand-tcp "here 3 x 8192 + 7966. It recommends direction preference 6 for a host candidate with tcptype active."
run cand-hidden 0 "$RTCLAB" candidate 'candidate:1 1 udp 1686052607 203.0.113.1 54402 typ srflx raddr 0.0.0.0 rport 0' &&
	hasw cand-hidden "hides the related address for privacy, as RFC 8839 5.1 allows"
run cand-brief 0 "$RTCLAB" candidate --brief "$HOST" "$SRFLX" && has cand-brief "Candidate 2 (argument 3)" &&
	has cand-brief "priority      2122260223 = type preference 126" && hasnt cand-brief "Step 4" &&
	hasnt cand-brief "Candidates with the same foundation"
run cand-color 0 "$RTCLAB" candidate --color=always "$HOST" && has cand-color "$(printf '\033[1mCandidate 1')"
run cand-no-color 0 "$RTCLAB" candidate "$HOST" && hasnt cand-no-color "$(printf '\033[')"

# --json
run cand-json 0 "$RTCLAB" candidate --json "$HOST" "$SRFLX" "$TCPA" 'a=candidate:0 1 UDP 2122187007 192.168.99.58 45274 typ host' &&
	jqis cand-json-count 'length' 4 &&
	jqis cand-json-host '.[0] | "\(.foundation) \(.component) \(.transport) \(.priority) \(.address) \(.port) \(.type)"' \
		"638323114 1 udp 2122260223 10.101.2.67 34955 host" &&
	jqis cand-json-host-null '.[0] | [.related_address, .related_port, .tcptype] | map(tostring) | join(",")' "null,null,null" &&
	jqis cand-json-ext '.[0].extensions | "\(.generation) \(.["network-id"]) \(.["network-cost"])"' "0 2 10" &&
	jqis cand-json-parts '.[0].priority_parts | "\(.type_preference) \(.local_preference) \(.component)"' "126 32542 1" &&
	jqis cand-json-srflx '.[1] | "\(.type) \(.related_address) \(.related_port)"' "srflx 192.168.0.87 51044" &&
	jqis cand-json-tcp '.[2] | "\(.transport) \(.tcptype) \(.extensions.tcptype)"' "tcp active active" &&
	jqis cand-json-upper '.[3].transport' udp && jqis cand-json-kind '.[3].address_kind' ipv4
run cand-json-mdns 0 "$RTCLAB" candidate --json "$MDNS" && jqis cand-json-mdns-kind '.[0].address_kind' mdns

# files, standard input, bad lines
grep -v '^#' "$CF" | sed -n '2,7p' >"$TMP/chrome.txt"
printf '# a comment\n\n%s\r\n  \n' "$SRFLX" >>"$TMP/chrome.txt"
run cand-file 0 "$RTCLAB" candidate --json -f "$TMP/chrome.txt" && jqis cand-file-count 'length' 7 &&
	jqis cand-file-last '.[6].type' srflx
run cand-stdin 0 "$RTCLAB" candidate --json - <"$TMP/chrome.txt" && jqis cand-stdin-count 'length' 7
run cand-fixture 1 "$RTCLAB" candidate --brief -f "$CF" &&
	[ "$(grep -c '^Candidate ' "$TMP/out")" -eq 91 ] && ok || ko "cand-fixture: expected 91 candidates"
[ "$(grep -c '^rtclab candidate: warning' "$TMP/out")" -eq 9 ] && ok || ko "cand-fixture: expected 9 warnings"
[ "$(grep -c '^rtclab candidate: [^w]' "$TMP/out")" -eq 42 ] && ok || ko "cand-fixture: expected 42 bad lines"
has cand-fixture "candidates.txt line 59, column 26: a TCP candidate without tcptype" &&
	has cand-fixture "candidates.txt line 105, column 65: raddr must come right after the type" &&
	has cand-fixture "(an IPv4 address is four numbers 0-255 separated by dots" &&
	has cand-fixture "candidates.txt line 128, column 11: the component must be a number from 1 to 256" &&
	has cand-fixture "^ the line ends here" &&
	has cand-fixture "candidates.txt line 165, column 39: the address must be"
run cand-bad 1 "$RTCLAB" candidate "$HOST" '1 1 udp 1 1.2.3.4 1 typ hots' "$SRFLX" &&
	has cand-bad "argument 2, column 25: the candidate type must be host, srflx, prflx or relay" &&
	has cand-bad '^ found "hots"' && has cand-bad "Candidate 2 (argument 3)"
run cand-bad-json 1 "$RTCLAB" candidate --json '1  1 udp 1 1.2.3.4 1 typ host' &&
	has cand-bad-json "argument 2, column 3: fields must be separated by exactly one space"

# --pairs: the check list
L1='candidate:1 1 udp 2130706431 192.168.1.5 5000 typ host'
L2='candidate:2 1 udp 1694498815 203.0.113.5 6000 typ srflx raddr 192.168.1.5 rport 5000'
L3='candidate:3 1 udp 2130706175 2001:db8::5 5000 typ host'
R1='candidate:a 1 udp 2130706431 10.0.0.9 7000 typ host'
R2='candidate:b 1 udp 1694498815 198.51.100.9 7100 typ srflx raddr 10.0.0.9 rport 7000'
R3='candidate:c 1 udp 2130706431 e2494022-4d9a-4c1e-a750-cc48d4f8d6ee.local 7000 typ host'
run pairs 0 "$RTCLAB" candidate --pairs --local "$L1" "$L2" "$L3" --remote "$R1" "$R2" "$R3" &&
	has pairs "Local candidates (controlling agent)" && has pairs "Check list: 2 pairs kept of 9 (limit 100)" &&
	has pairs "L1 host udp 192.168.1.5:5000 -> R1 host udp 10.0.0.9:7000" &&
	has pairs "redundant  L2 srflx udp 203.0.113.5:6000 via base 192.168.1.5:5000 -> R1 host udp 10.0.0.9:7000 (same local base and remote as rank 1)" &&
	has pairs "family     L3 host udp [2001:db8::5]:5000 -> R1" && has pairs "unresolved L1 host" &&
	has pairs "2^32 x MIN(G,D) + 2 x MAX(G,D) + (G > D ? 1 : 0)" && has pairs "Waiting"
run pairs-json 0 "$RTCLAB" candidate --pairs --json --local "$L1" "$L2" "$L3" --remote "$R1" "$R2" "$R3" &&
	jqis pairs-json-kept '[.pairs[] | "\(.rank):\(.local)-\(.remote):\(.state)"] | join(",")' "1:0-0:Waiting,2:0-1:Waiting" &&
	jqis pairs-json-foundation '.pairs[0].foundation' "1:a" &&
	jqis pairs-json-order '.pairs[0].priority > .pairs[1].priority' true &&
	jqis pairs-json-pruned '[.pruned[].reason] | sort | join(",")' \
		"family,family,redundant,redundant,unresolved,unresolved,unresolved" &&
	jqis pairs-json-same-as '[.pruned[] | select(.reason == "redundant") | .same_as] | map(tostring) | join(",")' "1,2" &&
	jqis pairs-json-base '[.pruned[] | select(.reason == "redundant") | .via_base] | all' true &&
	jqis pairs-json-sides '"\(.controlling) \(.limit) \(.local | length) \(.remote | length) \(.local[1].type)"' "local 100 3 3 srflx"
run pairs-remote 0 "$RTCLAB" candidate --pairs --json --controlling remote --local "$L1" --remote "$R2" "$R1" &&
	jqis pairs-remote-who '.controlling' remote &&
	jqis pairs-remote-order '[.pairs[] | .remote] | map(tostring) | join(",")' "1,0"
run pairs-limit 0 "$RTCLAB" candidate --pairs --json --limit 1 --local "$L1" --remote "$R1" "$R2" &&
	jqis pairs-limit-kept '.pairs | length' 1 && jqis pairs-limit-pruned '.pruned[0].reason' limit
printf '%s\n%s\n' "$L1" "$L2" >"$TMP/local.txt"
printf '# remote\n%s\n%s\n' "$R1" 'candidate:x 1 tcp 1 10.0.0.1 9 typ hots' >"$TMP/remote.txt"
run pairs-files 1 "$RTCLAB" candidate --pairs --brief --local-file "$TMP/local.txt" --remote-file "$TMP/remote.txt" &&
	has pairs-files "remote.txt line 3, column 36: " &&
	has pairs-files "Check list: 1 pair kept of 2" && hasnt pairs-files "Initial states"

# usage errors
run cand-no-args 2 "$RTCLAB" candidate && has cand-no-args "give candidate lines, -f FILE or -"
run cand-unknown 2 "$RTCLAB" candidate --frob "$HOST" && has cand-unknown "unknown option '--frob'" &&
	has cand-unknown "Try 'rtclab candidate --help'"
run cand-missing-file 2 "$RTCLAB" candidate -f "$TMP/nope.txt" && has cand-missing-file "No such file or directory"
run cand-f-no-arg 2 "$RTCLAB" candidate -f && has cand-f-no-arg "-f needs a value"
run cand-bad-color 2 "$RTCLAB" candidate --color sometimes "$HOST"
run cand-local-alone 2 "$RTCLAB" candidate --local "$L1" && has cand-local-alone "go with --pairs"
run pairs-no-remote 2 "$RTCLAB" candidate --pairs --local "$L1" && has pairs-no-remote "needs local and remote candidates"
run pairs-stray-line 2 "$RTCLAB" candidate --pairs "$L1" --local "$L1" --remote "$R1" &&
	has pairs-stray-line "put each line after --local or --remote"
run pairs-bad-controlling 2 "$RTCLAB" candidate --pairs --controlling both --local "$L1" --remote "$R1" &&
	has pairs-bad-controlling "--controlling takes local or remote, not 'both'"
run pairs-bad-limit 2 "$RTCLAB" candidate --pairs --limit 0 --local "$L1" --remote "$R1" &&
	has pairs-bad-limit "--limit takes a number"

# --- rtclab dump ------------------------------------------------------------------
. tests/cli/tshark_counts.sh
. tests/cli/dump.sh

# --- rtclab replay ----------------------------------------------------------------
. tests/cli/replay.sh
. tests/cli/replay_browser.sh
. tests/cli/replay_corpus.sh

# --- rtclab sim -------------------------------------------------------------------
. tests/cli/sim.sh

# --- the manual pages, make install -------------------------------------------------
. tests/cli/man.sh

# --- rtclab tui and walk ----------------------------------------------------------
. tests/cli/tui.sh

printf '%d passed, %d failed\n' "$pass" "$fail"
[ "$fail" -eq 0 ]
