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
run demo 0 sh examples/demo.sh "$RTCLAB" && has demo "the relay is allocated" &&
	[ "$(grep -c '^==== ' "$TMP/out")" -eq 9 ] && ok || ko "demo: expected 9 messages"

printf '%d passed, %d failed\n' "$pass" "$fail"
[ "$fail" -eq 0 ]
