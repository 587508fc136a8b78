#!/bin/sh
# The demo that `make run` shows until the guided walkthrough exists: the
# STUN and TURN messages of a WebRTC handshake, decoded and explained in the
# order they happen.  Usage: sh examples/demo.sh [path/to/rtclab]
set -u
rtclab=${1:-build/rtclab}
dir=$(dirname "$0")/stun
status=0

show() { # title, file, extra options...
	title=$1 file=$2
	shift 2
	printf '\n==== %s\n     $ rtclab stun decode %s%s\n\n' "$title" "$*${*:+ }" "$file"
	"$rtclab" stun decode "$@" "$dir/$file" || status=1
}

cat <<'TXT'
rtclab demo: the STUN and TURN messages of one WebRTC connection.

Each peer first asks a STUN server for its public address, then a TURN
server for a relay; once the candidates have been exchanged, the peers check
the candidate pairs with STUN Binding requests signed with each other's
ice-pwd.  Every message below is decoded field by field and explained.
TXT
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
cat <<'TXT'

Try it yourself: rtclab stun decode --help.  Wrong password?  Run the last
command with --password wrong and see the integrity check fail.
TXT
exit $status
