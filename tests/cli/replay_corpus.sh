# Sourced by tests/cli/run.sh: rtclab replay on every capture of
# tests/fixtures/pcap/ndpi_*, against the ICE sessions established with tshark
# alone (tests/fixtures/pcap/expected_sessions.tsv, made by
# make_expected_sessions.sh; the reasoning per capture is in
# tests/fixtures/pcap/EXPECTED_SESSIONS.md).
#
# Per line of the table (columns: file, session, a_ufrag, b_ufrag,
# selected_pair, host, srflx, prflx, relay, checks, note):
#  - session 0: the capture has no session (.sessions is empty);
#  - session 1..n: one session; it is found in the output by its two ufrags
#    (.peers[].ufrag, in either order), then its peer "A" has a_ufrag, its peer
#    "B" b_ufrag, its selected pair is selected_pair ("local->remote" from A's
#    side, or null for "none") and it has host/srflx/prflx/relay candidates of
#    each type;
#  - session "unattached": candidates of STUN/TURN server exchanges that no
#    session's endpoints use.  rtclab replay leaves them out (a timeline is
#    made of sessions), so these lines are skipped;
#  - checks: the distinct check transactions, the sum of .pairs[].checks.
RC_TSV=tests/fixtures/pcap/expected_sessions.tsv
RC_DIR=tests/fixtures/pcap
RC_SESSIONS='[.sessions[]]'

# rc_counts FILTER: "host srflx prflx relay" of the session FILTER selects
rc_counts() {
	printf '%s | [([.candidates[] | select(.type == "host")] | length),
		([.candidates[] | select(.type == "srflx")] | length),
		([.candidates[] | select(.type == "prflx")] | length),
		([.candidates[] | select(.type == "relay")] | length)] | map(tostring) | join(" ")' "$1"
}

# rc_jq NAME FILTER VALUE: like jqis, with $a and $b bound to the two ufrags of
# the line (passed with --arg, so ufrags such as "/pI0" or "l/wc" stay literal)
rc_jq() {
	v=$(jq -r --arg a "$rc_a" --arg b "$rc_b" "$2" <"$TMP/out" 2>&1)
	if [ "$v" = "$3" ]; then ok; else ko "$1: jq '$2' gave '$v', expected '$3'"; fi
}

# The number of sessions per capture: lines whose session is 1, 2, ...
rc_files=$(awk -F'\t' 'NR > 1 { print $1 }' "$RC_TSV" | LC_ALL=C sort -u)
for rc_f in $rc_files; do
	rc_n=$(awk -F'\t' -v f="$rc_f" 'NR > 1 && $1 == f && $2 ~ /^[1-9][0-9]*$/' "$RC_TSV" | wc -l | tr -d ' ')
	run "replay-$rc_f" 0 "$RTCLAB" replay --json "$RC_DIR/$rc_f" &&
		jqis "replay-$rc_f-sessions" "$RC_SESSIONS | length" "$rc_n"
done

# Each session (and each set of unattached candidates)
while IFS="$(printf '\t')" read -r rc_f rc_i rc_a rc_b rc_sel rc_host rc_srflx rc_prflx rc_relay rc_checks rc_note; do
	case $rc_i in
	session | 0 | unattached) continue ;; # the header; no sessions (counted above); not part of a session
	esac
	rc_name="replay-$rc_f-$rc_i"
	run "$rc_name" 0 "$RTCLAB" replay --json "$RC_DIR/$rc_f" || continue
	# the session whose two peers have these two ufrags
	rc_s=".sessions[] | select([.peers[].ufrag] | sort == ([\$a, \$b] | sort))"
	rc_jq "$rc_name-found" "[$rc_s] | length" 1
	rc_jq "$rc_name-peer-a" "$rc_s | .peers[] | select(.name == \"A\") | .ufrag" "$rc_a"
	rc_jq "$rc_name-peer-b" "$rc_s | .peers[] | select(.name == \"B\") | .ufrag" "$rc_b"
	if [ "$rc_sel" = none ]; then
		rc_jq "$rc_name-selected" "$rc_s | .selected_pair == null" true
	else
		rc_jq "$rc_name-selected" "$rc_s | .selected_pair.local + \"->\" + .selected_pair.remote" "$rc_sel"
	fi
	rc_jq "$rc_name-candidates" "$(rc_counts "$rc_s")" "$rc_host $rc_srflx $rc_prflx $rc_relay"
	rc_jq "$rc_name-checks" "[$rc_s | .pairs[].checks] | add // 0" "$rc_checks"
done <"$RC_TSV"
