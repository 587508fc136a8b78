# Sourced by tests/cli/run.sh: rtclab sim on the scenarios of scenarios/.
SIMS="$TMP/sim"
mkdir -p "$SIMS"

run sim-help 0 "$RTCLAB" help && has sim-help "sim"
run sim-usage 2 "$RTCLAB" sim && has sim-usage "give a SCENARIO file"

# Every scenario checks itself (issue 6: `rtclab sim --check scenarios/`;
# 21, a thousand clients through one TURN server, takes a few seconds).
run sim-check 0 "$RTCLAB" sim --check scenarios/ && has sim-check "23 scenarios, 0 with a mismatch"
# ice-lite peers, the simulator's last limit, are simulated now (RFC 8445
# 2.5): a lite answerer connects, no limit is said (a scenario file can no
# longer ask for anything the simulator does not do), the full peer
# controls and the lite one's description says a=ice-lite.
printf 'name: lite\ndescription: an ice-lite peer\npeers:\n  - {name: A, address: 192.168.1.10, nat: full-cone}\n  - {name: B, address: 192.0.2.20, nat: open, ice: {lite: true}}\nexpect:\n  connected: true\n  controlling: A\n  why: a lite agent answers checks (RFC 8445 6.1.1)\n' >"$SIMS/lite.yaml"
run sim-check-lite 0 "$RTCLAB" sim --check "$SIMS/lite.yaml" &&
	has sim-check-lite "1 scenario, 0 with a mismatch" && hasnt sim-check-lite "cannot be checked"
run sim-lite 0 "$RTCLAB" sim --color=never "$SIMS/lite.yaml" && hasnt sim-lite "warning" &&
	has sim-lite "answerer, ICE controlled" && has sim-lite "ice-lite" && has sim-lite "Outcome        connected"
# Both lite (RFC 8445 8.2): no check at all; the pair the traffic takes.
sed 's/nat: full-cone}/nat: open, ice: {lite: true}}/; s/192.168.1.10/192.0.2.10/' "$SIMS/lite.yaml" >"$SIMS/lite2.yaml"
run sim-lite-both 0 "$RTCLAB" sim --color=never "$SIMS/lite2.yaml" &&
	has sim-lite-both "without checks: both agents are ice-lite" && hasnt sim-lite-both "missing:"
# A TURN server dropping an allocation (turn-expire) mid-session.
{ cat scenarios/08-symmetric-vs-symmetric-turn.yaml; printf 'script:\n  - {at: 5s, event: turn-expire, peer: A}\n'; } >"$SIMS/expire.yaml"
run sim-turn-expire 0 "$RTCLAB" sim --color=never "$SIMS/expire.yaml" && has sim-turn-expire "Outcome        connected"
# RFC 5780 discovery: a wrong expectation is caught and named
sed 's/mapping: no-nat/mapping: apdm/' scenarios/20-rfc5780-discovery.yaml >"$SIMS/wrong5780.yaml"
run sim-5780-wrong 1 "$RTCLAB" sim --check "$SIMS/wrong5780.yaml" &&
	has sim-5780-wrong "open: discovery says mapping no-nat, expected apdm"

# A scenario with a mistake: file, line and column, and nothing run.
printf 'name: x\npeers:\n  - {name: A, adress: 10.0.0.1}\n' >"$SIMS/bad.yaml"
run sim-bad 1 "$RTCLAB" sim "$SIMS/bad.yaml" && has sim-bad "$SIMS/bad.yaml:3:"

# The run as a ladder, with its own results.
run sim-ladder 0 "$RTCLAB" sim --color=never -q scenarios/08-symmetric-vs-symmetric-turn.yaml &&
	has sim-ladder "Allocate success" && has sim-ladder "Selected pair" &&
	has sim-ladder "Simulation  symmetric against symmetric" && has sim-ladder "A -> B: connected over"

# What crossed the wires: pcapng, one interface per wire; replayed, the same
# pair and outcome; the same seed, the same bytes.
# Every scenario but 21 (a thousand sessions, a 100 MB capture: checked by
# hand, see the notes), as issue 6 asks.
for sc in $(ls scenarios/*.yaml | grep -v '/21-' | sed 's|scenarios/||; s|\.yaml$||'); do
	run "sim-w-$sc" 0 "$RTCLAB" sim --json -w "$SIMS/$sc.pcapng" "scenarios/$sc.yaml" &&
		jq -c '[.sessions[] | [.selected_pair.local, .selected_pair.remote, .outcome.reason]]' "$TMP/out" >"$SIMS/sim.json" &&
		run "sim-replay-$sc" 0 "$RTCLAB" replay --json "$SIMS/$sc.pcapng" &&
		if [ "$(jq -c '[.sessions[] | [.selected_pair.local, .selected_pair.remote, .outcome.reason]]' "$TMP/out")" = \
			"$(cat "$SIMS/sim.json")" ]; then ok; else ko "sim-replay-$sc: the replay differs from the run"; fi
	if command -v tshark >/dev/null 2>&1; then
		tshark -r "$SIMS/$sc.pcapng" -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE \
			-o ip.check_checksum:TRUE -q -z expert >"$TMP/out" 2>/dev/null
		hasnt "sim-tshark-$sc" "Errors ("
	fi
done
run sim-seed-a 0 "$RTCLAB" sim --json --seed 5 -w "$SIMS/a.pcapng" scenarios/17-lossy-link.yaml &&
	run sim-seed-b 0 "$RTCLAB" sim --json --seed 5 -w "$SIMS/b.pcapng" scenarios/17-lossy-link.yaml &&
	run sim-seed-c 0 "$RTCLAB" sim --json --seed 6 -w "$SIMS/c.pcapng" scenarios/17-lossy-link.yaml &&
	cp "$TMP/out" "$SIMS/c.json" &&
	run sim-seed-b-json 0 "$RTCLAB" sim --json --seed 5 scenarios/17-lossy-link.yaml && cp "$TMP/out" "$SIMS/b.json" &&
	run sim-seed-a-json 0 "$RTCLAB" sim --json --seed 5 scenarios/17-lossy-link.yaml &&
	if cmp -s "$TMP/out" "$SIMS/b.json" && ! cmp -s "$TMP/out" "$SIMS/c.json"; then ok; else
		ko "sim-seed-json: one seed must give the same JSON, another seed another"
	fi
	if cmp -s "$SIMS/a.pcapng" "$SIMS/b.pcapng" && ! cmp -s "$SIMS/a.pcapng" "$SIMS/c.pcapng"; then ok; else
		ko "sim-seed: one seed must give the same bytes, another seed other bytes"
	fi

# One wire as classic pcap, and a wire that does not exist (no file left).
run sim-at 0 "$RTCLAB" sim --json -w "$SIMS/at.pcap" --at internet scenarios/06-cone-to-cone.yaml &&
	if [ "$(od -An -tx1 -N4 "$SIMS/at.pcap" | tr -d ' ')" = "4d3cb2a1" ]; then ok; else ko "sim-at: not a ns pcap"; fi
run sim-at-bad 1 "$RTCLAB" sim -w "$SIMS/none.pcap" --at nowhere scenarios/06-cone-to-cone.yaml &&
	has sim-at-bad "the wires are:" && if [ -e "$SIMS/none.pcap" ]; then ko "sim-at-bad: a file was left"; else ok; fi

# rtclab nat-matrix: the known traversal results (RFC 4787; RFC 5128 3.3).
run nm-json 0 "$RTCLAB" nat-matrix --json --configs open,eim-eif,eim-apdf,apdm-apdf,symmetric,full-cone &&
	jqis nm-cells '.cells | length' 72 &&
	# endpoint-independent mapping and filtering on one side: connects with anything, TURN or not
	jqis nm-eim-eif '[.cells[] | select(.a == "eim-eif" or .b == "eim-eif") | .connected] | all' true &&
	jqis nm-full-cone '[.cells[] | select(.a == "full-cone" or .b == "full-cone") | .connected] | all' true &&
	# address-and-port-dependent mapping against address-and-port-dependent filtering: no direct path
	jqis nm-apdm-apdf '[.cells[] | select(.turn == false and ((.a == "apdm-apdf" and (.b == "eim-apdf" or .b == "apdm-apdf")) or (.b == "apdm-apdf" and .a == "eim-apdf"))) | .connected] | any' false &&
	jqis nm-symmetric '[.cells[] | select(.turn == false and .a == "symmetric" and .b == "symmetric") | .connected] | .[0]' false &&
	# ... which a relay fixes, with a relayed candidate on one side
	jqis nm-turn '[.cells[] | select(.turn and .a == "apdm-apdf" and .b == "apdm-apdf") | [.connected, (.local_type == "relay" or .remote_type == "relay")]] | .[0] | all' true &&
	# a public host and a cone NAT: host against srflx, straight through
	jqis nm-open '[.cells[] | select(.turn == false and .a == "open" and .b == "eim-apdf") | .local_type + "-" + .remote_type] | .[0]' "host-srflx"
# Address-and-port-dependent mapping with endpoint-independent filtering on
# both sides: every check leaves through a new mapping, a storm of
# peer-reflexive candidates and triggered checks that never ends, and no
# direct path; a relayed candidate on one side still connects (TURN
# permissions are per IP address, RFC 8656 9), once the triggered checks
# leave Ta slots to the ordinary checks of the relayed pairs.
run nm-apdm-eif 0 "$RTCLAB" nat-matrix --json --configs apdm-eif,apdm-apdf &&
	jqis nm-apdm-eif-direct '[.cells[] | select(.turn == false and .a == "apdm-eif" and .b == "apdm-eif") | .connected] | .[0]' false &&
	jqis nm-apdm-eif-turn '[.cells[] | select(.turn and .a == "apdm-eif" and .b == "apdm-eif") | [.connected, (.local_type == "relay" or .remote_type == "relay")]] | .[0] | all' true &&
	jqis nm-apdm-turn '[.cells[] | select(.turn) | .connected] | all' true
run nm-table 0 "$RTCLAB" nat-matrix --color=never --configs open,symmetric &&
	has nm-table "With a STUN server only" && has nm-table "With a TURN server" && has nm-table "fails" &&
	has nm-table "8 sessions simulated"
run nm-bad 1 "$RTCLAB" nat-matrix --configs open,nonsense && has nm-bad "nonsense"
