# Sourced by tests/cli/run.sh: rtclab dump on the capture fixtures.
P=tests/fixtures/pcap
run dump-lines 0 "$RTCLAB" dump "$P/ndpi_stun_dtls_rtp.pcapng" &&
	has dump-lines "     1 14:05:25.164266 192.168.12.156:37967 > 142.250.82.76:19305: STUN Binding request txn=6f3653685355... USERNAME=ea3Wt_9aASooegoKAAiKAiADEA:8jb6 ICE-CONTROLLING PRIORITY=1853824767" &&
	has dump-lines "XOR-MAPPED-ADDRESS=93.35.171.3:61536" &&
	has dump-lines "DTLS 1.0 handshake ClientHello epoch=0 seq=0" &&
	has dump-lines "RTP pt=111 ssrc=0x6d1c3cfa seq=8917 ts=4165605409 marker"
# 102 frames: 78 carry a message; the other 24 are TCP segments without payload (SYN, ACK).
# Messages inside TURN tunnels (over UDP or TCP) get their own line, on the same frame.
grep -v ': \[\(turn-\|channeldata\)' "$TMP/out" >"$TMP/outer"
[ "$(wc -l <"$TMP/outer")" -eq 78 ] && ok || ko "dump-lines: expected 78 outer messages"
[ -z "$(awk '{print $1}' "$TMP/outer" | uniq -d)" ] && ok || ko "dump-lines: a frame shown twice"
has dump-lines "[turn-"
run dump-count 0 "$RTCLAB" dump -c 5 "$P/ndpi_stun_dtls_rtp.pcapng" &&
	{ [ "$(wc -l <"$TMP/out")" -eq 5 ] && ok || ko "dump-count: -c 5 printed $(wc -l <"$TMP/out") lines"; }
run dump-filter 0 "$RTCLAB" dump "$P/ndpi_stun.pcap" udp port 3478 &&
	hasnt dump-filter ":42000:" && has dump-filter "Allocate request"
run dump-bad-filter 2 "$RTCLAB" dump "$P/ndpi_stun.pcap" udp port && has dump-bad-filter "syntax error"
run dump-tunnel 0 "$RTCLAB" dump "$P/ndpi_stun.pcap" &&
	has dump-tunnel "[turn-send peer 185.170.139.1:44459] STUN Binding request" &&
	has dump-tunnel "[turn-data peer 185.170.139.1:12176] STUN Binding request"
run dump-only 0 "$RTCLAB" dump --only dtls "$P/ndpi_stun_dtls_rtp.pcapng" && hasnt dump-only "STUN" && hasnt dump-only "RTP pt"
run dump-icmp 0 "$RTCLAB" dump --only icmp "$P/ndpi_stun_signal.pcapng" &&
	has dump-icmp "ICMP destination unreachable (port unreachable) for udp 192.168.12.169:47204 > 35.158.183.167:443 (stun)"
run dump-json 0 "$RTCLAB" dump --json "$P/ndpi_stun_dtls_rtp.pcapng" &&
	jqis dump-json-first 'select(.frame == 1) | "\(.transport) \(.src) \(.dst) \(.proto) \(.stun.method) \(.stun.class)"' \
		"udp 192.168.12.156:37967 142.250.82.76:19305 stun Binding request" &&
	jqis dump-json-time 'select(.frame == 1) | .time' "2022-12-02T14:05:25.164266Z" &&
	jqis dump-json-dtls 'select(.frame == 3) | .dtls.records[0].handshake_type' ClientHello &&
	jqis dump-json-rtp 'select(.frame == 27) | "\(.rtp.payload_type) \(.rtp.ssrc) \(.rtp.marker)"' "111 0x6d1c3cfa true"
run dump-json-tunnel 0 "$RTCLAB" dump --json --only stun "$P/ndpi_stun.pcap" &&
	jqis dump-json-tunnel-via 'select(.frame == 77) | "\(.tunnel.via) \(.tunnel.peer)"' "turn-send 185.170.139.1:44459"
run dump-stats 0 "$RTCLAB" dump --stats "$P/ndpi_stun.pcap" &&
	has dump-stats "Frames      201: UDP 165, TCP 35, ICMP 1" && has dump-stats "ChannelBind success response       2" &&
	has dump-stats "ICMP errors  1"
run dump-verbose 0 "$RTCLAB" dump -v -c 1 --password nope "$P/ndpi_stun_dtls_rtp.pcapng" &&
	has dump-verbose "Binding request, STUN (RFC 5389/8489)" && has dump-verbose "Integrity    bad"
run dump-write 0 "$RTCLAB" dump --only rtp -w "$TMP/rtp.pcap" "$P/ndpi_stun_dtls_rtp.pcapng"
n_rtp=$(wc -l <"$TMP/out")
run dump-write-read 0 "$RTCLAB" dump --only rtp "$TMP/rtp.pcap" &&
	{ [ "$(wc -l <"$TMP/out")" -eq "$n_rtp" ] && hasnt dump-write-read "DTLS" && ok || ko "dump-write-read: $(wc -l <"$TMP/out") lines, expected $n_rtp"; }
run dump-write-fail 2 "$RTCLAB" dump -w "$TMP/no/such/dir/x.pcap" "$P/ndpi_stun_dtls_rtp.pcapng"
[ ! -e "$TMP/no/such/dir/x.pcap" ] && ok || ko "dump-write-fail: a file was left"
head -c 1000 "$P/ndpi_stun_zoom.pcapng" >"$TMP/trunc.pcapng"
run dump-truncated 1 "$RTCLAB" dump "$TMP/trunc.pcapng" &&
	has dump-truncated "frame 4: the file ends in the middle of a pcapng block" &&
	has dump-truncated "     3 11:58:55.607032"
printf 'hello\n' >"$TMP/notcap"
run dump-not-capture 1 "$RTCLAB" dump "$TMP/notcap" && has dump-not-capture "not a pcap or pcapng capture"
: >"$TMP/empty"
run dump-empty 1 "$RTCLAB" dump "$TMP/empty" && has dump-empty "the file is empty"
run dump-usage 2 "$RTCLAB" dump && has dump-usage "give a capture FILE"
run dump-usage-only 2 "$RTCLAB" dump --only sctp "$P/ndpi_stun.pcap" && has dump-usage-only "unknown kind 'sctp'"
run dump-stdin 0 "$RTCLAB" dump -c 1 - <"$P/ndpi_stun_dtls_rtp.pcapng" && has dump-stdin "STUN Binding request"
for f in "$P"/*.pcap "$P"/*.pcapng; do
	# Every capture decodes without a crash (exit 0, or 1 when libpcap cannot read it to the end).
	"$RTCLAB" dump "$f" >"$TMP/out" 2>"$TMP/err"
	st=$?
	[ "$st" -le 1 ] && ok || ko "dump $(basename "$f"): exit status $st"
done
# Signaling over a WebSocket on loopback, and the same capture with a frame split over several
# segments, segments out of order, and a retransmission (tests/fixtures/pcap/PROVENANCE).
for v in ws_signaling ws_signaling_split ws_signaling_reorder ws_signaling_retransmit; do
	run "dump-$v" 0 "$RTCLAB" dump --only signal "$P/$v.pcap" &&
		has "dump-$v" "HTTP 101 Switching Protocols (WebSocket, Sec-WebSocket-Accept checks out)" &&
		has "dump-$v" "SIGNAL offer: 2 media sections, ufrag nWnq" &&
		has "dump-$v" "SIGNAL answer: 2 media sections, ufrag Xa4p" &&
		has "dump-$v" "SIGNAL candidate: srflx udp 203.0.113.5 port 61000 priority 1686052607 (mid 0)" &&
		{ [ "$(grep -c 'SIGNAL candidate' "$TMP/out")" -eq 4 ] && [ "$(grep -c 'SIGNAL end-of-candidates' "$TMP/out")" -eq 2 ] &&
			ok || ko "dump-$v: expected 4 candidates and 2 ends"; }
done
run dump-signal-json 0 "$RTCLAB" dump --json --only signal "$P/ws_signaling_split.pcap" &&
	jqis dump-signal-json-offer 'select(.signal.kind == "offer") | "\(.transport) \(.signal.sdp.media | length) \(.signal.sdp.media[0].ice.ufrag)"' \
		"tcp 2 nWnq" &&
	{ [ "$(jq -rs '[.[] | select(.signal.kind == "candidate") | .signal.candidate.port] | map(tostring) | join(",")' <"$TMP/out")" = \
		"54321,61000,40000,9" ] && ok || ko "dump-signal-json-cand: candidate ports"; }
run dump-signal-stats 0 "$RTCLAB" dump --stats "$P/ws_signaling_reorder.pcap" &&
	has dump-signal-stats "offer 1 answer 1 candidate 4 end-of-candidates 2"
run dump-stun-tcp 0 "$RTCLAB" dump "$P/ndpi_stun_tcp_multiple_msgs_same_pkt.pcap" &&
	{ [ "$(grep -c 'STUN Allocate request' "$TMP/out")" -eq 6 ] && ok || ko "dump-stun-tcp: expected 6 Allocate requests (as tshark)"; }
# Live capture on the loopback interface (needs root, as CI runs): one STUN Binding request sent
# to 127.0.0.1 is seen and decoded.
if [ "$(id -u)" -eq 0 ] && command -v bash >/dev/null 2>&1 && command -v timeout >/dev/null 2>&1; then
	timeout 10 "$RTCLAB" dump -i lo -c 1 --json udp port 34781 >"$TMP/live.out" 2>"$TMP/live.err" &
	live=$!
	sleep 1
	for _ in 1 2 3 4 5; do
		bash -c 'printf "\x00\x01\x00\x00\x21\x12\xa4\x42\xb7\xe7\xa7\x01\xbc\x34\xd6\x86\xfa\x87\xdf\xae" >/dev/udp/127.0.0.1/34781' 2>/dev/null
		sleep 0.3
		kill -0 "$live" 2>/dev/null || break
	done
	wait "$live"
	st=$?
	cp "$TMP/live.out" "$TMP/out"
	cat "$TMP/live.err" >>"$TMP/out"
	if [ "$st" -eq 0 ]; then ok; else ko "dump-live: exit status $st"; fi
	jqis dump-live-stun '"\(.src | split(":")[0]) \(.dst) \(.stun.method) \(.stun.class) \(.stun.transaction_id)"' \
		"127.0.0.1 127.0.0.1:34781 Binding request b7e7a701bc34d686fa87dfae"
else
	echo "NOTICE: not root (or no bash/timeout): the live capture test (rtclab dump -i lo) is skipped"
fi
# A pcapng file whose two interfaces have different link types (Ethernet, raw IPv4): libpcap 1.10
# stops at the second interface; rtclab's own pcapng reader decodes each packet with its own.
run dump-mixed-linktypes 0 "$RTCLAB" dump "$P/mixed_linktypes.pcapng" &&
	{ [ "$(grep -c 'STUN Binding' "$TMP/out")" -eq 6 ] && ok || ko "dump-mixed-linktypes: expected 6 STUN messages"; }
run dump-mixed-filter 0 "$RTCLAB" dump "$P/mixed_linktypes.pcapng" udp src port 3478 &&
	{ [ "$(grep -c 'Binding success response' "$TMP/out")" -eq 2 ] && hasnt dump-mixed-filter "Binding request" &&
		ok || ko "dump-mixed-filter: the filter should keep the 2 responses, one on each link type"; }
run dump-stdin-pcap 0 "$RTCLAB" dump - <"$P/ndpi_stun_classic.pcap" && has dump-stdin-pcap "STUN Binding request (RFC 3489)"
run dump-verbose-media 0 "$RTCLAB" dump -v --only dtls,rtp -c 2 "$P/ndpi_stun_dtls_rtp.pcapng" &&
	has dump-verbose-media "record 1 @0: handshake ClientHello, DTLS 1.0, epoch 0, sequence 0, 144 bytes" &&
	has dump-verbose-media "ClientHello: message 0, 132 bytes" && hasnt dump-verbose-media '"content_type"'
run dump-verbose-rtp 0 "$RTCLAB" dump -v --only rtp -c 1 "$P/ndpi_stun_dtls_rtp.pcapng" &&
	has dump-verbose-rtp "version 2, payload type 111, marker set" &&
	has dump-verbose-rtp "header extension, profile 0xbede (RFC 8285 one-byte), 7 words, ids: 2 3 1 4"

# --password: a check that does not verify carries the problem, as stun decode reports it
run dump-password-bad 0 "$RTCLAB" dump --json --password wrong tests/fixtures/pcap/browser_wss.pcap &&
	has dump-password-bad-problem '"integrity":"bad","fingerprint":"absent","problems":[{"offset":76,"code":"integrity_bad"' 

# JSON lines of HTTP and WebSocket carry what the text lines say
run dump-json-http 0 "$RTCLAB" dump --json tests/fixtures/pcap/ws_signaling.pcap &&
	has dump-json-http '"proto":"http","http":{"request":true,"method":"GET","target":"/signal?room=rtclab","websocket":true}' &&
	has dump-json-http-101 '"http":{"request":false,"status":101,"reason":"Switching Protocols","websocket":true,"accept":"ok"}' &&
	has dump-json-close '"websocket":{"opcode":"close","length":2,"close_code":1000,"close_reason":""}'
