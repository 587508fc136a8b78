#!/bin/sh
# A tour of the single-message tools (make run now starts `rtclab walk`): a
# WebRTC handshake piece by piece, in the order it happens: the SDP offer
# and answer, the ICE candidates and their check list, then the STUN and
# TURN messages, each decoded and explained.
# Usage: sh examples/demo.sh [path/to/rtclab]
set -u
rtclab=${1:-build/rtclab}
here=$(dirname "$0")
dir=$here/stun
status=0

# The arguments as one would type them: quoted when they hold a space.
quoted() {
	out=""
	for a in "$@"; do
		case $a in *" "*) a="'$a'" ;; esac
		out="$out${out:+ }$a"
	done
	printf '%s' "$out"
}

# step TITLE COMMAND...: a heading, the command as typed, its output.
step() {
	title=$1
	shift
	printf '\n==== %s\n     $ rtclab %s\n\n' "$title" "$(quoted "$@")"
	"$rtclab" "$@" || status=1
}

show() { # title, file, extra options...
	title=$1 file=$2
	shift 2
	printf '\n==== %s\n     $ rtclab stun decode %s\n\n' "$title" "$(quoted "$@" "$dir/$file")"
	"$rtclab" stun decode "$@" "$dir/$file" || status=1
}

cat <<'TXT'
rtclab demo: one WebRTC connection, piece by piece.

Peer A (a Chrome browser) offers audio and video in SDP; peer B answers.
Each peer then gathers ICE candidates, asking a STUN server for its public
address and a TURN server for a relay, and trickles them to the other.  The
peers pair the candidates and check each pair with STUN Binding requests
signed with each other's ice-pwd.  Every piece below is decoded and
explained; run any command yourself to see more (drop --brief).
TXT
step "Steps 1-2: the offer and the answer, and whether they fit" \
	sdp --brief --pair "$here/sdp/01-chrome-offer.sdp" "$here/sdp/02-answer.sdp"
step "Steps 1, 2 and 5 on the wire: the signaling in a capture of a WebSocket" \
	dump --only signal "$here/capture/ws_signaling.pcap"
step "Steps 4-5: three candidates peer A gathers and trickles" \
	candidate --brief \
	"candidate:1 1 udp 2122260223 192.168.1.5 54400 typ host generation 0" \
	"candidate:2 1 udp 1686052607 203.0.113.7 54321 typ srflx raddr 192.168.1.5 rport 54400 generation 0" \
	"candidate:3 1 udp 41885439 198.51.100.1 49152 typ relay raddr 203.0.113.7 rport 54321 generation 0"
step "Step 6: the check list the two peers' candidates make" \
	candidate --pairs --brief --controlling local \
	--local "candidate:1 1 udp 2122260223 192.168.1.5 54400 typ host" \
	--local "candidate:2 1 udp 1686052607 203.0.113.7 54321 typ srflx raddr 192.168.1.5 rport 54400" \
	--remote "candidate:4 1 udp 2122260223 10.0.0.9 50000 typ host" \
	--remote "candidate:5 1 udp 1686052607 198.51.100.77 61000 typ srflx raddr 10.0.0.9 rport 50000"
show "Step 4: peer A asks a STUN server for its public address" 01-binding-request-to-stun-server.bin
show "Step 4: the STUN server answers with the address it saw" 02-binding-response-from-stun-server.bin
show "Step 4: peer A asks a TURN server for a relay" 03-turn-allocate-request.bin
show "Step 4: the TURN server wants credentials first" 04-turn-allocate-401.bin
show "Step 4: the retry, signed with the TURN account's long-term key" 05-turn-allocate-retry.bin \
	--password wonderland
show "Step 4: the relay is allocated: a relayed candidate" 06-turn-allocate-success.bin \
	--username alice --realm example.org --password wonderland
show "Step 6: a connectivity check between the peers, nominating the pair" 07-ice-connectivity-check.bin \
	--password asd88fgpdd777uzjYhagZg
show "Step 6: binding a TURN channel so relayed data costs 4 bytes, not 36" 08-turn-channel-bind.bin
show "Step 6: the RFC 5769 test check, verified with its ice-pwd" 09-rfc5769-ice-check.bin \
	--password VOkJxbRl1RmTxUk/WvJxBt
step "Step 6 on the wire: checks and the DTLS handshake in a real capture (first 12 messages)" \
	dump -c 12 "$here/capture/ice-dtls-rtp.pcapng"
step "The whole story of a real browser session, step by step (two Chromium, coturn; rtclab replay)" \
	replay --brief "$here/capture/browser-loopback.pcap"
cat <<'TXT'

Try it yourself: rtclab help lists the commands; rtclab sdp, rtclab candidate,
rtclab stun decode, rtclab dump and rtclab replay each take --help.  Wrong password?  Run
  rtclab stun decode --password wrong examples/stun/09-rfc5769-ice-check.bin
and see the integrity check fail.
TXT
exit $status
