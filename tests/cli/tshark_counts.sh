# Sourced by tests/cli/run.sh: for every capture of tests/fixtures/pcap/ndpi_*,
# rtclab dump --json counts STUN messages by type (method and class, also inside
# TURN tunnels and over TCP), classic STUN, ChannelData, DTLS records and
# handshake messages, RTP and RTCP packets exactly as tshark does, with the
# adjustments documented (with their reasons and evidence) in
# tests/fixtures/pcap/make_expected_counts.sh:
#  1. STUN quoted in ICMP errors is not counted (tshark dissects the quote);
#  2. SRTCP counts its first packet only (RFC 3711 3.4: the rest is ciphertext);
#  3. RTP/RTCP that tshark's port-bound heuristics leave as "data" counts by
#     RFC 7983 / RFC 5761 (first byte 128-191, second byte 192-223 or not);
#  4. SRTCP is not counted apart from RTCP;
#  5. frames of proprietary encrypted transports (Zoom, Telegram) are excluded.
# The expected counts are checked in (expected_counts.tsv, made by
# make_expected_counts.sh); when tshark is installed they are also recomputed
# and must still match.
TC_DIR=tests/fixtures/pcap
TC_EXPECTED=$TC_DIR/expected_counts.tsv

# rtclab's counts of one capture, as CAPTURE<TAB>COUNTER<TAB>N lines, sorted.
tc_rtclab_counts() {
	tc_name=$(basename "$1")
	tc_ex=$(sh "$TC_DIR/make_expected_counts.sh" --excluded "$1" | tr '\n' ' ')
	"$RTCLAB" dump --json "$1" 2>/dev/null | jq -r --arg ex "$tc_ex" '
		def hex4: . as $t | "0123456789abcdef" as $h
			| "0x" + ([12, 8, 4, 0] | map(($t / pow(2; .) | floor) % 16 | $h[.:. + 1]) | join(""));
		def ct: {"change_cipher_spec": 20, "alert": 21, "handshake": 22, "application_data": 23,
			 "heartbeat": 24, "tls12_cid": 25, "ack": 26}[tostring] // .;
		($ex | split(" ") | map(select(. != "") | tonumber)) as $skip
		| select((.frame as $f | $skip | index($f)) | not)
		| if .proto == "stun" then (if .stun.magic_cookie then "stun." else "classicstun." end) + (.stun.type | hex4)
		  elif .proto == "channeldata" then "channeldata"
		  elif .proto == "dtls" then (.dtls.records[] | if .header == "unified" then "dtls.record.unified"
						else "dtls.record.\(.content_type | ct)" end),
					     (.dtls.records[] | (.handshakes // [])[] | "dtls.handshake.\(.type_code)")
		  elif .proto == "rtp" then "rtp"
		  elif .proto == "rtcp" then (.rtcp.packets[] | "rtcp.\(.pt)")
		  else empty end' |
		LC_ALL=C sort | uniq -c | awk -v n="$tc_name" '{ printf "%s\t%s\t%d\n", n, $2, $1 }' | LC_ALL=C sort
}

# tc_compare LABEL WANT GOT: equal, or a failure listing the lines that differ
tc_compare() {
	if [ "$2" = "$3" ]; then
		ok
	else
		printf '%s\n' "$2" >"$TMP/tc_want"
		printf '%s\n' "$3" >"$TMP/tc_got"
		: >"$TMP/out"
		ko "$1 (< expected, > got):"
		diff "$TMP/tc_want" "$TMP/tc_got" | grep '^[<>]' | sed 's/^/    /' | head -20
	fi
}

if [ ! -f "$TC_EXPECTED" ]; then
	ko "tshark-counts: $TC_EXPECTED is missing (sh $TC_DIR/make_expected_counts.sh >$TC_EXPECTED)"
else
	tc_live=false
	if command -v tshark >/dev/null 2>&1; then
		tc_live=true
	else
		echo "NOTICE: tshark not installed: live comparison skipped (checked-in counts still compared)"
	fi
	tc_pids=
	if $tc_live; then # tshark takes most of the time: all captures at once, in the background
		for tc_f in "$TC_DIR"/ndpi_*.pcap "$TC_DIR"/ndpi_*.pcapng; do
			sh "$TC_DIR/make_expected_counts.sh" "$tc_f" >"$TMP/tc_live_$(basename "$tc_f")" 2>&1 &
			tc_pids="$tc_pids $!"
		done
	fi
	tc_n=0
	for tc_f in "$TC_DIR"/ndpi_*.pcap "$TC_DIR"/ndpi_*.pcapng; do
		tc_name=$(basename "$tc_f")
		tc_n=$((tc_n + 1))
		tc_want=$(awk -F'\t' -v n="$tc_name" '$1 == n' "$TC_EXPECTED")
		if [ -z "$tc_want" ]; then
			ko "tshark-counts $tc_name: no expected counts in $TC_EXPECTED"
			continue
		fi
		tc_compare "tshark-counts $tc_name: rtclab against $TC_EXPECTED" "$tc_want" "$(tc_rtclab_counts "$tc_f")"
	done
	if $tc_live; then
		for tc_p in $tc_pids; do
			wait "$tc_p"
		done
		tc_version=$(tshark -v 2>/dev/null | awk 'NR == 1 { print $3 }')
		for tc_f in "$TC_DIR"/ndpi_*.pcap "$TC_DIR"/ndpi_*.pcapng; do
			tc_name=$(basename "$tc_f")
			tc_compare "tshark-counts $tc_name: tshark $tc_version now against $TC_EXPECTED" \
				"$(awk -F'\t' -v n="$tc_name" '$1 == n' "$TC_EXPECTED")" "$(cat "$TMP/tc_live_$tc_name")"
		done
	fi
	# every capture has its lines, and no line names a capture that is gone
	[ "$(cut -f1 "$TC_EXPECTED" | sort -u | wc -l)" -eq "$tc_n" ] && ok ||
		ko "tshark-counts: $TC_EXPECTED names $(cut -f1 "$TC_EXPECTED" | sort -u | wc -l) captures, the directory has $tc_n"
fi
