#!/bin/sh
# Install the Debian packages rtclab needs to build and test, when missing.
# As root: installs them with apt-get.  Otherwise: prints the command to run.
# Used by `make run`, `make test` and .ci/run; safe to run again.
set -eu

# Build: compiler, pkg-config and the libraries rtclab uses (libidn and
# libunistring prepare passwords for STUN long-term credentials; libyaml
# reads the scenario files of the simulator).
# Test: CUnit; clang for the sanitizer run and libFuzzer;
# jq to check JSON output in the command-line tests; xmllint (libxml2-utils)
# to check that SVG output is well-formed XML; tshark to cross-check the
# decoders; tmux to drive the terminal UI in its tests; groff (groff-base) to
# check that the man pages render without warnings (tests/cli/man.sh).
PACKAGES="gcc make pkg-config libc6-dev libssl-dev zlib1g-dev libjansson-dev libpcap-dev \
libncurses-dev libcunit1-dev libidn-dev libunistring-dev libyaml-dev clang libclang-rt-14-dev tshark jq libxml2-utils tmux \
groff-base"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
	echo "deps: missing packages:$missing (no apt-get here: install their equivalents by hand)" >&2
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages:$missing" >&2
	echo "deps: run as root:  apt-get update && apt-get install -y$missing" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "deps: done"
