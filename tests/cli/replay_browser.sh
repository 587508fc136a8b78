# Sourced by tests/cli/run.sh: rtclab replay on the browser captures made by
# tests/browser/make-captures.sh (two headless Chromium, our signaling
# server, coturn, on loopback), against what the browsers reported in
# getStats() (*.expected.json) and against the checked-in expected timelines
# (*.timeline.json and *.timeline.txt, regenerated on purpose with
# tests/fixtures/pcap/make_expected_timelines.sh).
RB=tests/fixtures/pcap

# The model and the ladder, as checked in.
run rb-json 0 "$RTCLAB" replay --json "$RB/browser_loopback.pcap" &&
	if [ "$(jq -S . "$TMP/out")" = "$(jq -S . "$RB/browser_loopback.timeline.json")" ]; then ok; else
		ko "rb-json: differs from $RB/browser_loopback.timeline.json (make_expected_timelines.sh regenerates it)"
	fi
for rb in browser_loopback browser_wss browser_restart; do
	COLUMNS=120 LC_ALL=C run "rb-ladder-$rb" 0 "$RTCLAB" replay --color=never "$RB/$rb.pcap" &&
		if cmp -s "$TMP/out" "$RB/$rb.timeline.txt"; then ok; else
			ko "rb-ladder-$rb: differs from $RB/$rb.timeline.txt"
			diff -u "$RB/$rb.timeline.txt" "$TMP/out" | head -20
		fi
done

# Both runs: the selected pair is the one both browsers report in getStats().
run rb-json2 0 "$RTCLAB" replay --json "$RB/browser_loopback.pcap"
for rb_i in 0 1; do
	rb_want=$(jq -r ".runs[$rb_i].offerer.selectedPair | \"\(.local.address):\(.local.port)->\(.remote.address):\(.remote.port) \(.local.candidateType)/\(.remote.candidateType)\"" "$RB/browser_loopback.expected.json")
	rb_ans=$(jq -r ".runs[$rb_i].answerer.selectedPair | \"\(.remote.address):\(.remote.port)->\(.local.address):\(.local.port)\"" "$RB/browser_loopback.expected.json")
	rb_ufrag=$(jq -r ".runs[$rb_i].offerer.ufrag" "$RB/browser_loopback.expected.json")
	rb_s=".sessions[] | select(.peers[0].ufrag == \"$rb_ufrag\")"
	jqis "rb-selected-$rb_i" "$rb_s | .selected_pair | \"\(.local)->\(.remote) \(.local_type)/\(.remote_type)\"" "$rb_want"
	jqis "rb-selected-answerer-$rb_i" "$rb_s | .selected_pair | \"\(.local)->\(.remote)\"" "$rb_ans"
	jqis "rb-connected-$rb_i" "$rb_s | .outcome.connected" true
	jqis "rb-missing-$rb_i" "$rb_s | .missing | length" 0
done
# the story: offer, answer, trickle, STUN server, TURN Allocate, checks, nomination, DTLS
jqis rb-kinds '[.sessions[0].steps[].kind] | unique | join(",")' \
	"answer,candidate,check,check-response,consent,descriptions-set,dtls,end-of-candidates,media,nomination,offer,signaling,stun-server,turn"
jqis rb-relay-channeldata '.sessions[1] | [.selected_pair.local_type, .selected_pair.remote_type, (.flow.channeldata > 100)] | map(tostring) | join(" ")' \
	"relay relay true"
jqis rb-relay-reason '.sessions[1].outcome.reason | test("^connected over relay<->relay")' true

# Signaling over TLS: the STUN part alone, "missing" names the signaling; the
# descriptions from files (or a webrtc-internals dump) complete it.
run rb-wss 0 "$RTCLAB" replay --json "$RB/browser_wss.pcap" &&
	jqis rb-wss-missing '.sessions[0].missing[0] | test("^signaling: .*TLS.*--sdp")' true &&
	jqis rb-wss-selected '.sessions[0].selected_pair | "\(.local)->\(.remote)"' \
		"$(jq -r '.runs[0].offerer.selectedPair | "\(.local.address):\(.local.port)->\(.remote.address):\(.remote.port)"' "$RB/browser_wss.expected.json")"
run rb-wss-sdp 0 "$RTCLAB" replay --json --sdp tests/fixtures/sdp/browser_wss_offer.sdp \
	--sdp tests/fixtures/sdp/browser_wss_answer.sdp "$RB/browser_wss.pcap" &&
	jqis rb-wss-sdp-missing '.sessions[0].missing | length' 0 &&
	jqis rb-wss-sdp-roles '[.sessions[0].peers[] | .role + "/" + .description.source] | join(" ")' \
		"offerer/file answerer/file" &&
	jqis rb-wss-sdp-auth '[.sessions[0].pairs[].authentic.bad] | add' 0 &&
	jqis rb-wss-sdp-auth-ok '[.sessions[0].pairs[].authentic.ok] | add > 0' true
run rb-wss-internals 0 "$RTCLAB" replay --json --webrtc-internals \
	tests/fixtures/webrtc-internals/browser_wss_offerer.json "$RB/browser_wss.pcap" &&
	jqis rb-wss-internals-missing '.sessions[0].missing | length' 0 &&
	jqis rb-wss-internals-source '.sessions[0].peers[0].description.source' webrtc-internals
# the answer given first: the offer is still the one with a=setup:actpass
run rb-wss-sdp-order 0 "$RTCLAB" replay --json --sdp tests/fixtures/sdp/browser_wss_answer.sdp \
	--sdp tests/fixtures/sdp/browser_wss_offer.sdp "$RB/browser_wss.pcap" &&
	jqis rb-wss-sdp-order-sessions '.sessions | length' 1 &&
	jqis rb-wss-sdp-order-missing '.sessions[0].missing | length' 0
# Chrome compresses its dumps by default: a gzipped dump reads the same
gzip -c tests/fixtures/webrtc-internals/browser_wss_offerer.json >"$TMP/internals.json.gz"
run rb-wss-internals-gz 0 "$RTCLAB" replay --json --webrtc-internals "$TMP/internals.json.gz" "$RB/browser_wss.pcap" &&
	jqis rb-wss-internals-gz-missing '.sessions[0].missing | length' 0
printf '{"PeerConnections": ' | gzip -c >"$TMP/cut.json.gz"
run rb-internals-gz-bad 1 "$RTCLAB" replay --webrtc-internals "$TMP/cut.json.gz" "$RB/browser_wss.pcap" &&
	has rb-internals-gz-bad "cut.json.gz (once decompressed):1:"
run rb-wss-text 0 "$RTCLAB" replay --color=never "$RB/browser_wss.pcap" &&
	has rb-wss-text "missing: signaling: neither the offer nor the answer is in the capture"
run rb-summary 0 "$RTCLAB" replay --summary --color=never "$RB/browser_loopback.pcap" &&
	has rb-summary "relay" && has rb-summary "succeeded"
run rb-mermaid 0 "$RTCLAB" replay --mermaid "$RB/browser_loopback.pcap" &&
	has rb-mermaid "sequenceDiagram" && has rb-mermaid "->>"

# An ICE restart: one session, two generations, the pair getStats reports after it.
run rb-restart 0 "$RTCLAB" replay --json "$RB/browser_restart.pcap" &&
	jqis rb-restart-sessions '.sessions | length' 1 &&
	jqis rb-restart-generations '[.sessions[0].generations[] | .offer_ufrag + ":" + .answer_ufrag] | join(" ")' \
		"$(jq -r '[.runs[0].generations[] | .offerer.ufrag + ":" + .answerer.ufrag] | join(" ")' "$RB/browser_restart.expected.json")" &&
	jqis rb-restart-selected '.sessions[0].selected_pair | "\(.local)->\(.remote)"' \
		"$(jq -r '.runs[0].offerer.selectedPair | "\(.local.address):\(.local.port)->\(.remote.address):\(.remote.port)"' "$RB/browser_restart.expected.json")" &&
	jqis rb-restart-reason '.sessions[0].outcome.reason | test("after 1 ICE restart")' true
