#!/bin/sh
# Every symbol the shared library exports carries the rtclab_ prefix, and it
# has a soname (public names are prefixed; the idea of curl's test1167).
set -eu
lib=$1
bad=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | grep -v '^rtclab_' | grep -v '^RTCLAB_' || true)
if [ -n "$bad" ]; then
	echo "check-exports: $lib exports names without the rtclab_ prefix:" >&2
	echo "$bad" >&2
	exit 1
fi
soname=$(objdump -p "$lib" | awk '/SONAME/ {print $2}')
[ -n "$soname" ] || { echo "check-exports: $lib has no soname" >&2; exit 1; }
# Every name declared in a public header is prefixed as well.
badh=$(grep -hoE '^[a-z_][a-z0-9_ *]*[ *](\w+)\(' lib/include/rtclab/*.h | sed -E 's/.*[ *](\w+)\($/\1/' | grep -v '^rtclab_' || true)
if [ -n "$badh" ]; then
	echo "check-exports: public headers declare functions without the rtclab_ prefix:" >&2
	echo "$badh" >&2
	exit 1
fi
echo "check-exports: $(nm -D --defined-only "$lib" | grep -c ' T rtclab_') functions exported, all rtclab_-prefixed, soname $soname"
