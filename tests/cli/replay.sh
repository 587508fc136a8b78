# Sourced by tests/cli/run.sh: rtclab replay on the capture fixtures.  Only
# what any correct reconstruction must show is checked here; the model's
# details are tested by the unit tests.
P=tests/fixtures/pcap

# --- usage ---------------------------------------------------------------------------
run replay-help 0 "$RTCLAB" replay --help && has replay-help "usage: rtclab replay" && has replay-help "--mermaid"
run replay-help-cmd 0 "$RTCLAB" help replay && has replay-help-cmd "--webrtc-internals FILE"
run replay-listed 0 "$RTCLAB" help && has replay-listed "replay"
run replay-no-file 2 "$RTCLAB" replay && has replay-no-file "give a capture FILE"
run replay-two-files 2 "$RTCLAB" replay "$P/ws_signaling.pcap" "$P/ndpi_stun_zoom.pcapng" &&
	has replay-two-files "one capture at a time"
run replay-unknown-option 2 "$RTCLAB" replay --frob "$P/ws_signaling.pcap" && has replay-unknown-option "Try 'rtclab replay --help'"
run replay-speed-zero 2 "$RTCLAB" replay --speed 0 "$P/ws_signaling.pcap" && has replay-speed-zero "--speed takes a number above 0"
run replay-speed-text 2 "$RTCLAB" replay --speed fast "$P/ws_signaling.pcap"
run replay-json-mermaid 2 "$RTCLAB" replay --json --mermaid "$P/ws_signaling.pcap" && has replay-json-mermaid "at most one of"
run replay-compact-alone 2 "$RTCLAB" replay --compact "$P/ws_signaling.pcap" && has replay-compact-alone "--compact goes with --json"
run replay-step-json 2 "$RTCLAB" replay --step --json "$P/ws_signaling.pcap"
run replay-bad-color 2 "$RTCLAB" replay --color=sometimes "$P/ws_signaling.pcap"

# --- input errors (exit 1, as rtclab dump) -----------------------------------------------
run replay-missing 1 "$RTCLAB" replay "$TMP/nope.pcap" && has replay-missing "No such file or directory"
printf 'hello\n' >"$TMP/notcap"
run replay-not-capture 1 "$RTCLAB" replay "$TMP/notcap" && has replay-not-capture "not a pcap or pcapng capture"
run replay-sdp-missing 1 "$RTCLAB" replay --sdp "$TMP/nope.sdp" "$P/ws_signaling.pcap" && has replay-sdp-missing "$TMP/nope.sdp"
printf 'v=0\r\nthis is not SDP\r\n' >"$TMP/bad.sdp"
run replay-sdp-bad 1 "$RTCLAB" replay --sdp "$TMP/bad.sdp" "$P/ws_signaling.pcap" && has replay-sdp-bad "$TMP/bad.sdp"
printf '{"PeerConnections": {\n  "1": [}\n' >"$TMP/bad.json"
run replay-internals-bad 1 "$RTCLAB" replay --webrtc-internals "$TMP/bad.json" "$P/ws_signaling.pcap" &&
	has replay-internals-bad "$TMP/bad.json:2:"

# --- no WebRTC session ---------------------------------------------------------------------
NONE=$P/ndpi_rtcp_multiple_pkts_in_the_same_datagram.pcap
run replay-none 0 "$RTCLAB" replay "$NONE" && has replay-none "No WebRTC session in"
run replay-none-json 0 "$RTCLAB" replay --json "$NONE" && jqis replay-none-json '.sessions | length' 0
run replay-none-mermaid 0 "$RTCLAB" replay --mermaid "$NONE"
[ "$(head -n 1 "$TMP/out")" = sequenceDiagram ] && ok || ko "replay-none-mermaid: first line is not sequenceDiagram"

# --- WebSocket signaling: offer, answer, candidates; no STUN ----------------------------------
WS=$P/ws_signaling.pcap
run replay-ws 0 "$RTCLAB" replay --color=never "$WS" &&
	has replay-ws "Step 1: sending the offer" && has replay-ws "Step 2: sending the answer" &&
	has replay-ws "signaling" && has replay-ws "missing: "
run replay-ws-brief 0 "$RTCLAB" replay -q "$WS"
n_brief=$(wc -l <"$TMP/out")
run replay-ws-full 0 "$RTCLAB" replay "$WS"
[ "$(wc -l <"$TMP/out")" -gt "$n_brief" ] && ok || ko "replay-ws-brief: -q does not leave the whys out"
run replay-ws-ascii 0 env LANG=C LC_ALL= LC_CTYPE= "$RTCLAB" replay "$WS" &&
	{ LC_ALL=C grep -q "$(printf '[\200-\377]')" "$TMP/out" && ko "replay-ws-ascii: non-ASCII bytes" || ok; }
run replay-ws-utf8 0 env LC_ALL=C.UTF-8 "$RTCLAB" replay "$WS" && has replay-ws-utf8 "─"
run replay-ws-narrow 0 env COLUMNS=50 LC_ALL=C.UTF-8 "$RTCLAB" replay -q "$WS" && has replay-ws-narrow "…"
run replay-ws-color 0 "$RTCLAB" replay --color=always "$WS" && has replay-ws-color "$(printf '\033[1m')"
run replay-ws-json 0 "$RTCLAB" replay --json "$WS" &&
	jqis replay-ws-json-sessions '.sessions | length >= 1' true &&
	jqis replay-ws-json-keys '.sessions[0] | [has("id","peers","servers","candidates","pairs","selected_pair","dtls","outcome","steps","missing")] | all' true &&
	jqis replay-ws-json-offerer '.sessions[0].peers[] | select(.role == "offerer") | .name' A &&
	jqis replay-ws-json-signaling '[.sessions[0].servers[] | select(.kind == "signaling")] | length >= 1' true &&
	jqis replay-ws-json-offer '[.sessions[0].steps[] | select(.kind == "offer")] | length >= 1' true &&
	jqis replay-ws-json-answer '[.sessions[0].steps[] | select(.kind == "answer")] | length >= 1' true &&
	jqis replay-ws-json-trickle '[.sessions[0].candidates[] | select(.source == "trickle")] | length >= 1' true &&
	jqis replay-ws-json-step-types '[.sessions[0].steps[] | (.step|type) == "number" and (.what|type) == "string" and (.why|type) == "string"] | all' true &&
	jqis replay-ws-json-no-pair '.sessions[0].selected_pair' null &&
	jqis replay-ws-json-no-dtls '.sessions[0].dtls' null &&
	jqis replay-ws-json-not-connected '.sessions[0].outcome.connected' false &&
	jqis replay-ws-json-missing '.sessions[0].missing | length >= 1' true
[ "$(wc -l <"$TMP/out")" -gt 1 ] && ok || ko "replay-ws-json: not indented"
run replay-ws-compact 0 "$RTCLAB" replay --json --compact "$WS" &&
	{ [ "$(wc -l <"$TMP/out")" -eq 1 ] && ok || ko "replay-ws-compact: more than one line"; }
run replay-ws-summary 0 "$RTCLAB" replay --summary --color=never "$WS" &&
	has replay-ws-summary "Candidates" && has replay-ws-summary "Pairs" && has replay-ws-summary "trickle"
run replay-ws-mermaid 0 "$RTCLAB" replay --mermaid "$WS" && has replay-ws-mermaid "participant" && has replay-ws-mermaid "->>"
[ "$(head -n 1 "$TMP/out")" = sequenceDiagram ] && ok || ko "replay-ws-mermaid: first line is not sequenceDiagram"
# Only entity codes after the message's colon: no raw ; in any line.
sed 's/#[0-9a-z]*;//g' "$TMP/out" | grep -q ';' && ko "replay-ws-mermaid: a raw ;" || ok
run replay-ws-stdin 0 "$RTCLAB" replay --json - <"$WS" && jqis replay-ws-stdin '.sessions | length >= 1' true
run replay-ws-speed 0 "$RTCLAB" replay -q --speed 1000 "$WS" && has replay-ws-speed "Step 1: sending the offer"

# --- ICE checks with USE-CANDIDATE, DTLS; no signaling --------------------------------------
ZOOM=$P/ndpi_stun_zoom.pcapng
run replay-zoom-json 0 "$RTCLAB" replay --json "$ZOOM" &&
	jqis replay-zoom-sessions '.sessions | length >= 1' true &&
	jqis replay-zoom-checks '[.sessions[].steps[] | select(.kind == "check")] | length >= 1' true &&
	jqis replay-zoom-pairs '[.sessions[].pairs[] | (.checks|type) == "number" and (.state|type) == "string" and (.nominated|type) == "boolean"] | all' true &&
	jqis replay-zoom-nominated '[.sessions[].pairs[] | select(.nominated)] | length >= 1' true &&
	jqis replay-zoom-dtls '[.sessions[].dtls | select(. != null)] | length >= 1' true &&
	jqis replay-zoom-no-signaling '[.sessions[].steps[] | select(.kind == "offer" or .kind == "answer")] | length' 0 &&
	jqis replay-zoom-rtt '[.sessions[].pairs[].rtt_ms | type] - ["number", "null"]' '[]'
run replay-zoom 0 "$RTCLAB" replay --color=never "$ZOOM" && has replay-zoom "Step 6: connectivity checks, then media" &&
	has replay-zoom "DTLS"
run replay-zoom-svg 0 "$RTCLAB" replay -q --svg "$TMP/zoom.svg" "$ZOOM"
[ -s "$TMP/zoom.svg" ] && ok || ko "replay-zoom-svg: no file"
if command -v xmllint >/dev/null 2>&1; then
	xmllint --noout "$TMP/zoom.svg" >"$TMP/out" 2>&1 && ok || ko "replay-zoom-svg: not well-formed XML"
fi
grep -q '<svg xmlns="http://www.w3.org/2000/svg" version="1.1"' "$TMP/zoom.svg" && ok || ko "replay-zoom-svg: no SVG 1.1 root"
ls "$TMP"/zoom.svg.* >/dev/null 2>&1 && ko "replay-zoom-svg: a temporary file was left" || ok
# No file on error: the capture cannot be read, or the SVG cannot be written.
run replay-svg-bad-input 1 "$RTCLAB" replay --svg "$TMP/bad.svg" "$TMP/nope.pcap"
[ ! -e "$TMP/bad.svg" ] && ok || ko "replay-svg-bad-input: a file was left"
run replay-svg-bad-dir 1 "$RTCLAB" replay -q --svg "$TMP/no/such/dir/x.svg" "$ZOOM" && has replay-svg-bad-dir "$TMP/no/such/dir/x.svg"
[ ! -e "$TMP/no/such/dir/x.svg" ] && ok || ko "replay-svg-bad-dir: a file was left"
head -c 1000 "$ZOOM" >"$TMP/trunc.pcapng"
run replay-truncated 1 "$RTCLAB" replay --svg "$TMP/trunc.svg" "$TMP/trunc.pcapng" && has replay-truncated "frame 4"
[ ! -e "$TMP/trunc.svg" ] && ok || ko "replay-truncated: an SVG of a damaged capture was written"

# Every capture replays without a crash (exit 0, or 1 when it cannot be read to its end).
for f in "$P"/*.pcap "$P"/*.pcapng; do
	"$RTCLAB" replay --json "$f" >"$TMP/out" 2>"$TMP/err"
	st=$?
	[ "$st" -le 1 ] && ok || ko "replay $(basename "$f"): exit status $st"
	[ "$st" -ne 0 ] || jq -e '.sessions | type == "array"' "$TMP/out" >/dev/null 2>&1 && ok ||
		ko "replay --json $(basename "$f"): not JSON"
done
