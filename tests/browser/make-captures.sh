#!/usr/bin/env bash
# Recreates the real-browser WebRTC fixtures of rtclab (see README.md here):
#   tests/fixtures/pcap/browser_loopback.pcap + .expected.json   (runs "all", "relay"; ws://)
#   tests/fixtures/pcap/browser_wss.pcap + .expected.json        (run "all"; wss://)
#   tests/fixtures/sdp/browser_wss_offer.sdp, browser_wss_answer.sdp
#   tests/fixtures/webrtc-internals/browser_wss_offerer.json     (if Chromium lets us)
# and, only when asked with --only restart:
#   tests/fixtures/pcap/browser_restart.pcap + .expected.json    (run "restart": ICE restart; ws://)
# Usage: bash tests/browser/make-captures.sh                 (as root) the first two captures
#        bash tests/browser/make-captures.sh --only restart  (as root) the ICE-restart capture only;
#                                                            the other fixtures are not touched
# Environment: NO_NETNS=1 runs on the host's network instead of a private
# network namespace (then Chrome also gathers the host's other interfaces);
# KEEP_TMP=1 keeps the temp dir (logs) for debugging.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
FIX="$ROOT/tests/fixtures"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
HTTP_PORT=18080   # serves peer.html (not captured)
WS_PORT=18088     # ws:// signaling  (captured in browser_loopback.pcap)
WSS_PORT=18443    # wss:// signaling (captured in browser_wss.pcap)
TURN_PORT=3478

log() { echo "[make-captures $(date +%H:%M:%S)] $*" >&2; }

# ---------------------------------------------------------------- inside part
# Runs in a private network namespace (only "lo", IPv4 only), so the browsers
# gather 127.0.0.1 candidates only and nothing else shows up on lo.
inside() {
  local T="$1" only="${2:-}"
  if [ "${RTCLAB_NETNS:-0}" = 1 ]; then
    ip link set lo up
    # no IPv6 in the namespace: Chrome would otherwise prefer ::1 pairs
    sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 net.ipv6.conf.lo.disable_ipv6=1 || true
  fi
  local pids=()
  cleanup_inside() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  }
  trap cleanup_inside EXIT

  # throwaway self-signed certificate for wss://
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1" -keyout "$T/key.pem" -out "$T/cert.pem" 2>"$T/openssl.log"

  turnserver -c "$HERE/turnserver.conf" --log-file "$T/turnserver.log" --pidfile "$T/turnserver.pid" \
    >"$T/turnserver.out" 2>&1 &
  pids+=($!); local turn_pid=$!
  node "$HERE/signaling.js" --host 127.0.0.1 --http-port $HTTP_PORT --ws-port $WS_PORT \
    --wss-port $WSS_PORT --cert "$T/cert.pem" --key "$T/key.pem" >"$T/signaling.log" 2>&1 &
  pids+=($!)
  local i
  for i in $(seq 1 50); do
    if curl -fsS "http://127.0.0.1:$HTTP_PORT/health" >/dev/null 2>&1 && grep -q "UDP listener opened" "$T/turnserver.log" 2>/dev/null; then break; fi
    sleep 0.2
  done
  kill -0 "$turn_pid" || { log "coturn did not start"; cat "$T/turnserver.out" >&2; return 1; }

  local rc=0
  capture() { # name filter drive-args...
    local name="$1" filter="$2"; shift 2
    tcpdump -i lo -U -s 0 -Z root -w "$T/$name.pcap" "$filter" >"$T/tcpdump-$name.log" 2>&1 &
    local tpid=$!
    for i in $(seq 1 50); do grep -q "listening on" "$T/tcpdump-$name.log" 2>/dev/null && break; sleep 0.1; done
    sleep 0.5
    local drc=0
    node "$HERE/drive.js" --chromium "$CHROMIUM" --tmp "$T" --page-url "http://127.0.0.1:$HTTP_PORT/peer.html" \
      --turn-host 127.0.0.1 --turn-port $TURN_PORT "$@" >"$T/drive-$name.log" 2>&1 || drc=$?
    cat "$T/drive-$name.log" >&2
    sleep 1
    kill -INT "$tpid"; wait "$tpid" || true
    cat "$T/tcpdump-$name.log" >&2
    return $drc
  }
  if [ "$only" = restart ]; then
    capture restart "tcp port $WS_PORT or port $TURN_PORT or udp" \
      --mode restart --ws-url "ws://127.0.0.1:$WS_PORT/" --out "$T/restart.expected.json" || rc=1
  else
  capture loopback "tcp port $WS_PORT or port $TURN_PORT or udp" \
    --mode loopback --ws-url "ws://127.0.0.1:$WS_PORT/" --out "$T/loopback.expected.json" || rc=1
  sleep 1
  mkdir -p "$T/sdp"
  capture wss "tcp port $WSS_PORT or port $TURN_PORT or udp" \
    --mode wss --ws-url "wss://127.0.0.1:$WSS_PORT/" --out "$T/wss.expected.json" \
    --sdp-dir "$T/sdp" --internals-out "$T/webrtc-internals.json" || rc=1
  fi
  cleanup_inside
  trap - EXIT
  return $rc
}

if [ "${1:-}" = "--inside" ]; then
  inside "$2" "${3:-}"
  exit $?
fi

ONLY=""
case "${1:-}" in
  "") ;;
  --only)
    case "${2:-}" in
      restart) ONLY=restart ;;
      *) echo "usage: $0 [--only restart]" >&2; exit 2 ;;
    esac ;;
  *) echo "usage: $0 [--only restart]" >&2; exit 2 ;;
esac

# ---------------------------------------------------------------- outside part
if [ "$(id -u)" = 0 ]; then
  need=()
  [ -x "$CHROMIUM" ] || need+=(chromium)
  command -v turnserver >/dev/null || need+=(coturn)
  command -v tcpdump >/dev/null || need+=(tcpdump)
  command -v node >/dev/null || need+=(nodejs)
  command -v npm >/dev/null || need+=(npm)
  command -v openssl >/dev/null || need+=(openssl)
  command -v curl >/dev/null || need+=(curl)
  command -v unshare >/dev/null || need+=(util-linux)
  command -v ip >/dev/null || need+=(iproute2)
  if [ ${#need[@]} -gt 0 ]; then
    log "installing ${need[*]}"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}"
  fi
else
  log "not root: skipping apt-get (need chromium coturn tcpdump nodejs npm openssl curl)"
fi

cd "$HERE"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund >&2; else npm install --no-audit --no-fund >&2; fi

T="$(mktemp -d /tmp/rtclab-captures.XXXXXX)"
chmod 755 "$T"
finish() {
  if [ "${KEEP_TMP:-0}" = 1 ]; then log "temp dir kept: $T"; else rm -rf "$T"; fi
}
trap finish EXIT

rc=0
if [ "${NO_NETNS:-0}" != 1 ] && unshare -n true 2>/dev/null; then
  log "running in a private network namespace (lo only)"
  RTCLAB_NETNS=1 unshare -n -- bash "$HERE/make-captures.sh" --inside "$T" "$ONLY" || rc=$?
else
  log "WARNING: no network namespace; using the host's loopback"
  bash "$HERE/make-captures.sh" --inside "$T" "$ONLY" || rc=$?
fi
if [ $rc != 0 ]; then
  log "FAILED (a run did not connect or a tool failed); fixtures left unchanged"
  KEEP_TMP=1
  exit 1
fi

# install the fixtures atomically (temp name in the destination dir, then mv)
install_file() { # src dest
  local tmp="$2.tmp.$$"
  cp "$1" "$tmp"
  mv -f "$tmp" "$2"
  log "wrote $2 ($(stat -c %s "$2") bytes)"
}

if [ "$ONLY" = restart ]; then
  [ -s "$T/restart.pcap" ] || { log "empty capture restart"; KEEP_TMP=1; exit 1; }
  # both ICE generations must be in the capture: two offers, two answers
  # (ws:// in clear) and connectivity checks with the old and the new ufrags
  if command -v tshark >/dev/null && command -v jq >/dev/null; then
    E="$T/restart.expected.json"
    bad=0
    # offers/answers as relayed by the server (tcp source port = signaling port): "type ufrag"
    sdps=$(tshark -r "$T/restart.pcap" -Y "websocket.payload.text && tcp.srcport == $WS_PORT" -T json \
        -e websocket.payload.text 2>/dev/null | jq -r '.[]._source.layers["websocket.payload.text"][0] | fromjson? |
        select(.type == "offer" or .type == "answer") |
        "\(.type) \(.sdp | [match("a=ice-ufrag:([^\r\n]*)"; "g").captures[0].string] | unique | join(","))"')
    log "browser_restart.pcap: descriptions relayed by the signaling server (type ufrag):"; echo "$sdps" >&2
    users=$(tshark -r "$T/restart.pcap" -Y 'stun.type == 0x0001 && stun.att.username' -T fields -e stun.att.username 2>/dev/null | sort | uniq -c)
    log "Binding requests by USERNAME:"; echo "$users" >&2
    for g in 0 1; do
      o=$(jq -r ".runs[0].generations[$g].offerer.ufrag" "$E"); a=$(jq -r ".runs[0].generations[$g].answerer.ufrag" "$E")
      for u in "$a:$o" "$o:$a"; do
        if ! echo "$users" | awk '{print $2}' | grep -qxF -- "$u"; then log "MISSING checks with USERNAME $u (generation $g)"; bad=1; fi
      done
      for d in "offer $o" "answer $a"; do
        if ! echo "$sdps" | grep -qxF -- "$d"; then log "MISSING $d (generation $g) in the signaling"; bad=1; fi
      done
    done
    [ "$(echo "$sdps" | grep -c .)" = 4 ] || { log "expected exactly 2 offers + 2 answers"; bad=1; }
    if [ $bad != 0 ]; then log "restart capture incomplete; fixtures left unchanged"; KEEP_TMP=1; exit 1; fi
  else
    log "WARNING: tshark or jq missing; restart capture not checked"
  fi
  mkdir -p "$FIX/pcap"
  install_file "$T/restart.pcap" "$FIX/pcap/browser_restart.pcap"
  install_file "$T/restart.expected.json" "$FIX/pcap/browser_restart.expected.json"
  log "done: $("$CHROMIUM" --version 2>/dev/null | head -1); coturn $(turnserver --version 2>/dev/null | head -1)"
  exit 0
fi

# sanity checks on the capture before installing it
for f in loopback wss; do
  [ -s "$T/$f.pcap" ] || { log "empty capture $f"; KEEP_TMP=1; exit 1; }
done
if command -v tshark >/dev/null; then
  cd_frames=$(tshark -r "$T/loopback.pcap" -Y 'stun && stun.channel' -T fields -e frame.number 2>/dev/null | wc -l)
  log "ChannelData frames in browser_loopback.pcap: $cd_frames"
  [ "$cd_frames" -gt 0 ] || log "WARNING: no ChannelData frames (relay run used Send/Data indications only)"
fi

mkdir -p "$FIX/pcap" "$FIX/sdp" "$FIX/webrtc-internals"
install_file "$T/loopback.pcap" "$FIX/pcap/browser_loopback.pcap"
install_file "$T/loopback.expected.json" "$FIX/pcap/browser_loopback.expected.json"
install_file "$T/wss.pcap" "$FIX/pcap/browser_wss.pcap"
install_file "$T/wss.expected.json" "$FIX/pcap/browser_wss.expected.json"
install_file "$T/sdp/offer.sdp" "$FIX/sdp/browser_wss_offer.sdp"
install_file "$T/sdp/answer.sdp" "$FIX/sdp/browser_wss_answer.sdp"
if [ -s "$T/webrtc-internals.json" ]; then
  install_file "$T/webrtc-internals.json" "$FIX/webrtc-internals/browser_wss_offerer.json"
else
  log "no webrtc-internals dump (see webrtcInternalsDump in browser_wss.expected.json)"
  rm -f "$FIX/webrtc-internals/browser_wss_offerer.json"
fi
log "done: $("$CHROMIUM" --version 2>/dev/null | head -1); coturn $(turnserver --version 2>/dev/null | head -1)"
