# Sourced by tests/cli/run.sh: rtclab tui and rtclab walk driven in tmux
# (send-keys, capture-pane), at 80x24 and 200x60, on the bundled
# walkthrough and on a browser capture.  Without a terminal, walk prints the
# walkthrough as text.

# --- without a terminal ----------------------------------------------------------------
run walk-text 0 "$RTCLAB" walk --color=never &&
	has walk-text "Step 1: sending the offer" && has walk-text "offer from A" &&
	has walk-text "Binding success: mapped 203.0.113.1:" && has walk-text "Outcome" &&
	has walk-text "connected"
run tui-no-tty 2 "$RTCLAB" tui scenarios/walkthrough.yaml && has tui-no-tty "needs a terminal"
run tui-usage 2 "$RTCLAB" tui && has tui-usage "give a capture or scenario FILE"
run tui-bad-session 2 "$RTCLAB" tui --session 0 x.pcap && has tui-bad-session "--session takes a number from 1"
run walk-missing 1 "$RTCLAB" walk "$TMP/none.yaml" && has walk-missing "none.yaml"
printf 'name: x\npeers:\n  - {name: A, adress: 10.0.0.1}\n' >"$TMP/bad-walk.yaml"
run walk-bad-scenario 1 "$RTCLAB" walk "$TMP/bad-walk.yaml" && has walk-bad-scenario "bad-walk.yaml:3:"

if ! command -v tmux >/dev/null 2>&1; then
	echo "tui: tmux is not installed: the terminal tests are skipped (scripts/deps.sh installs it)"
	ko "tui: tmux missing"
else

# a server per run: a new server on a socket just killed may meet the old one exiting
TN=0
TSOCK="$TMP/tmux.0"
tm() { tmux -S "$TSOCK" "$@"; }

# tui_start COLS ROWS CMD...: CMD in a fresh tmux server; after it exits
# the pane says "rtclab-exit=STATUS" and stays.
tui_start() {
	cols=$1 rows=$2
	shift 2
	tm kill-server 2>/dev/null
	TN=$((TN + 1))
	TSOCK="$TMP/tmux.$TN"
	tm -f /dev/null new-session -d -s t -x "$cols" -y "$rows" \
		"env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color $*; echo rtclab-exit=\$?; sleep 60"
	tm set-option -t t remain-on-exit on >/dev/null 2>&1
}

# screen: the pane as text, into $TMP/out
screen() { tm capture-pane -p -t t >"$TMP/out" 2>&1; }

# wait_for TEXT: up to 5 s for TEXT to be on the screen (then $TMP/out holds it)
wait_for() {
	i=0
	while [ $i -lt 50 ]; do
		screen
		grep -qF -- "$1" "$TMP/out" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# press KEY...: send keys, then wait for the screen to settle: changed and
# the same twice 50 ms apart, or unchanged after 0.4 s (a key that changes
# nothing); at most 3 s, so that a loaded machine (the sanitizer run) waits
# as long as it needs
press() {
	tm capture-pane -p -t t >"$TMP/before" 2>/dev/null
	tm send-keys -t t "$@"
	pn=0
	: >"$TMP/last"
	while [ $pn -lt 60 ]; do
		sleep 0.05
		pn=$((pn + 1))
		tm capture-pane -p -t t >"$TMP/now" 2>/dev/null
		if ! cmp -s "$TMP/now" "$TMP/before"; then
			cmp -s "$TMP/now" "$TMP/last" && return 0
		elif [ $pn -ge 8 ]; then
			return 0
		fi
		cp "$TMP/now" "$TMP/last"
	done
}

# ladder: the ladder's message rows (they start with the time) of the last
# screen; from 160 columns the pane is beside the ladder, on its 2/5 right
ladder() {
	if [ "$cols" -ge 160 ]; then
		grep -E '^ *[+-][0-9]+\.[0-9]{3} ' "$TMP/out" | cut -c1-$((cols * 3 / 5))
	else
		grep -E '^ *[+-][0-9]+\.[0-9]{3} ' "$TMP/out"
	fi
}

# step_through NAME MAX: press Space up to MAX times; for each marker, the
# number of presses after which it first shows in the ladder, into $TMP/first
step_through() {
	name=$1 max=$2
	: >"$TMP/first"
	n=0
	while [ $n -le "$max" ]; do
		screen
		for marker in offer answer candidate "Binding success" "check " nominated; do
			if ! grep -qF "$marker	" "$TMP/first" && ladder | grep -qF -- "$marker"; then
				printf '%s\t%d\n' "$marker" "$n" >>"$TMP/first"
			fi
		done
		grep -qF "nominated	" "$TMP/first" && break
		press Space
		n=$((n + 1))
	done
}
first() { awk -F'\t' -v m="$1" '$1 == m { print $2 }' "$TMP/first"; }

# in_order NAME: offer, answer, candidates, the STUN exchange, the checks and
# the nomination each appeared, later ones only after keys were pressed, in
# the order of the handshake
in_order() {
	name=$1
	for marker in offer answer candidate "Binding success" "check " nominated; do
		if [ -z "$(first "$marker")" ]; then
			ko "$name: '$marker' never appeared in the ladder"
			sed 's/^/  | /' "$TMP/first"
			return 1
		fi
	done
	o=$(first offer) a=$(first answer) c=$(first candidate) b=$(first "Binding success")
	k=$(first "check ") nm=$(first nominated)
	if [ "$a" -gt 0 ] && [ "$o" -le "$a" ] && [ "$c" -lt "$k" ] && [ "$b" -lt "$k" ] && [ "$a" -le "$k" ] &&
		[ "$k" -lt "$nm" ]; then
		ok
	else
		ko "$name: out of order: offer $o, answer $a, candidate $c, Binding success $b, check $k, nominated $nm"
	fi
}

# detail_of NAME SEARCH FIELD TEXT: search a message, open its detail,
# select FIELD with ]; the pane shows FIELD and TEXT
detail_of() {
	name=$1
	press /
	tm send-keys -t t -l "$2"
	press Enter
	press Enter
	i=0
	while [ $i -lt 12 ]; do
		press ']'
		screen
		grep -qF "field" "$TMP/out" && grep -qF ": $3" "$TMP/out" && break
		i=$((i + 1))
	done
	if grep -qF -- "$3" "$TMP/out" && grep -qF -- "$4" "$TMP/out"; then ok; else ko "$name: the detail lacks $3 $4"; fi
}

# quit NAME: q ends it with status 0 and the terminal restored (no alternate screen)
quit() {
	press q
	if wait_for "rtclab-exit=0"; then ok; else ko "$1: q did not exit with status 0"; fi
	alt=$(tm display-message -p -t t '#{alternate_on}')
	if [ "$alt" = 0 ]; then ok; else ko "$1: the terminal is still on the alternate screen after q"; fi
}

for size in 80x24 200x60; do
	cols=${size%x*} rows=${size#*x}

	# the bundled walkthrough
	tui_start "$cols" "$rows" "$RTCLAB" walk
	if wait_for "message 1/"; then ok; else ko "walk-$size: no first screen"; fi
	has "walk-$size" "Step 1: sending the offer"
	step_through "walk-$size" 120
	in_order "walk-$size"
	detail_of "walk-$size-detail" "Binding success: mapped 203.0.113.1" "XOR-MAPPED-ADDRESS" "203.0.113.1:"
	press Tab
	screen
	has "walk-$size-hex" "0000"
	quit "walk-$size"

	# a real browser capture: two sessions, the list first
	tui_start "$cols" "$rows" "$RTCLAB" tui tests/fixtures/pcap/browser_loopback.pcap
	if wait_for "2 sessions"; then ok; else ko "tui-$size: no session list"; fi
	has "tui-$size-list" "connected host-host"
	press Enter
	if wait_for "session 1/2"; then ok; else ko "tui-$size: Enter did not open session 1"; fi
	step_through "tui-$size" 80
	# on loopback there is no STUN server: the STUN exchange is the checks' own
	for marker in offer answer candidate "check " nominated; do
		[ -n "$(first "$marker")" ] && ok || ko "tui-$size: '$marker' never appeared"
	done
	detail_of "tui-$size-detail" "success 127.0.0.1" "XOR-MAPPED-ADDRESS" "127.0.0.1:"
	quit "tui-$size"
done

# help, filter and the session list
tui_start 100 30 "$RTCLAB" tui --session 2 tests/fixtures/pcap/browser_loopback.pcap
if wait_for "session 2/2"; then ok; else ko "tui-session-2: --session 2 did not open it"; fi
press '?'
screen
has tui-help "the next / previous message"
press Escape
press f
tm send-keys -t t -l turn
press Enter
screen
has tui-filter "[filter: turn]"
if ladder | grep -vqE 'Allocate|Refresh|CreatePermission|ChannelBind|Send|Data|TURN'; then
	ko "tui-filter: a row that is not TURN shows"
	ladder | head -5 | sed 's/^/  | /'
else ok; fi
press s
screen
has tui-list "2 sessions"
quit tui-session-2

# predict mode: before the first check, the question; port-restricted against
# symmetric without TURN fails, and saying so is right
tui_start 90 30 "$RTCLAB" walk --predict scenarios/07-port-restricted-vs-symmetric.yaml
wait_for "message 1/" >/dev/null
i=0
while [ $i -lt 60 ]; do
	press Space
	screen
	grep -qF "Which candidate pair will win" "$TMP/out" && break
	i=$((i + 1))
done
has walk-predict "Which candidate pair will win"
has walk-predict "srflx - srflx"
if ladder | grep -qF "check "; then ko "walk-predict: a check was shown before the question"; else ok; fi
press f
screen
has walk-predict-answer "Right!" && has walk-predict-answer "No pair works"
press Space
quit walk-predict

# resize: from 80x24 to 200x60 the pane moves beside the ladder; play moves on by itself
tui_start 80 24 "$RTCLAB" walk
wait_for "message 1/" >/dev/null
tm resize-window -t t -x 200 -y 60 2>/dev/null || tm resize-pane -t t -x 200 -y 60
sleep 0.3
screen
# side by side, the ladder's column names and the pane's tabs share a row
if grep -q 'time.* explain ' "$TMP/out"; then ok; else
	ko "walk-resize: the pane is not beside the ladder at 200 columns"
fi
press p
sleep 1.5
screen
if grep -qF "message 1/" "$TMP/out"; then ko "walk-play: p did not move on"; else ok; fi
has walk-play "[playing x1]"
press p
quit walk-resize

# tui on a scenario: recognised by content (not a capture), simulated, the NAT pane filled
tui_start 100 40 "$RTCLAB" tui scenarios/06-cone-to-cone.yaml
if wait_for "message 1/"; then ok; else ko "tui-scenario: no first screen"; fi
press /
tm send-keys -t t -l "filtered"
press Enter
for _ in 1 2 3 4; do press Tab; done
screen
has tui-scenario-nat "NAT tables at" && has tui-scenario-nat "Mappings live now"
quit tui-scenario

# a TURN message of a simulation is verified with the scenario's user (long-term credentials)
tui_start 100 60 "$RTCLAB" walk
wait_for "message 1/" >/dev/null
press /
tm send-keys -t t -l "Allocate success"
press Enter
press Enter
i=0
while [ $i -lt 40 ] && ! grep -qF "long-term key" "$TMP/out"; do
	press J
	screen
	i=$((i + 1))
done
has walk-turn-integrity 'MESSAGE-INTEGRITY: verified with the long-term key of user "student"'
quit walk-turn

# the mouse (xterm SGR reports, as tmux passes them): a click selects the
# message of its row, the wheel moves on
tui_start 100 30 "$RTCLAB" walk
wait_for "message 1/" >/dev/null
for _ in 1 2 3 4 5 6 7 8; do press Space; done
tm send-keys -t t -l "$(printf '\033[<0;31;5M')"
tm send-keys -t t -l "$(printf '\033[<0;31;5m')"
sleep 0.2
screen
has walk-mouse-click "message 2/"
tm send-keys -t t -l "$(printf '\033[<65;31;5M')"
sleep 0.2
screen
has walk-mouse-wheel "message 5/"
quit walk-mouse

# ASCII and no colour
tui_start 80 24 "NO_COLOR=1 $RTCLAB" walk --ascii
if wait_for "message 1/"; then ok; else ko "walk-ascii: no first screen"; fi
if grep -q "$(printf '\342\224\202')" "$TMP/out"; then ko "walk-ascii: box-drawing characters with --ascii"; else ok; fi
quit walk-ascii

# a damaged capture: shown up to the damage, the error said, status 1
head -c 3000 tests/fixtures/pcap/browser_loopback.pcap >"$TMP/cut.pcap"
tui_start 80 24 "$RTCLAB" tui "$TMP/cut.pcap"
press q
if wait_for "rtclab-exit=1"; then ok; else ko "tui-damaged: exit status is not 1"; fi
has tui-damaged "the file ends in the middle"

# live (root, as CI runs): an ICE check sent to the loopback interface shows as it arrives
if [ "$(id -u)" -eq 0 ] && command -v bash >/dev/null 2>&1; then
	tui_start 100 30 "$RTCLAB" tui -i lo -f "'udp port 34782'"
	if wait_for "live on lo"; then ok; else ko "tui-live: no live status"; fi
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		bash -c 'cat tests/fixtures/stun/sample_request.bin >/dev/udp/127.0.0.1/34782' 2>/dev/null
		sleep 0.3
		screen
		grep -qF "1 session" "$TMP/out" && break
	done
	has tui-live "1 session"
	press Enter
	if wait_for "check 127.0.0.1"; then ok; else ko "tui-live: the check is not in the ladder"; fi
	quit tui-live
else
	echo "NOTICE: not root (or no bash): the live test of rtclab tui -i lo is skipped"
fi

tm kill-server 2>/dev/null
fi
