# Sourced by tests/cli/run.sh (or alone: sh tests/cli/man.sh path/to/rtclab):
# the manual pages of docs/man against the command they describe.
#  - every subcommand that `rtclab help` lists has docs/man/rtclab-NAME.1,
#    and rtclab.1 lists it among the commands and in SEE ALSO;
#  - every page renders without a warning (man --warnings, or groff -ww
#    when man is not installed);
#  - every option that `rtclab NAME --help` prints appears in the page
#    (a page that lags behind its command fails);
#  - rtclab.1's SEE ALSO names every page of docs/man;
#  - `make install DESTDIR=... PREFIX=/usr` installs the pages and the
#    scenarios, and `make uninstall` removes them.
if ! command -v ko >/dev/null 2>&1; then
	# run alone: the helpers of run.sh
	RTCLAB=$1
	MAN_ALONE=1
	TMP=$(mktemp -d)
	trap 'rm -rf "$TMP"' EXIT
	pass=0
	fail=0
	ok() { pass=$((pass + 1)); }
	ko() { fail=$((fail + 1)); printf 'FAIL: %s\n' "$1"; [ -f "$TMP/out" ] && sed 's/^/  | /' "$TMP/out" | head -20; }
fi

# The repository: two levels up from this script (run.sh is next to it).
MAN_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MAN_DIR=$MAN_ROOT/docs/man
# man_ko NAME TEXT: a failure, with TEXT shown under it
man_ko() { printf '%s\n' "$2" >"$TMP/out"; ko "$1"; }
# man_text PAGE: the page's source with the escapes that hide option names
# undone (\- \% \& and font changes), for grep
man_text() {
	sed -e 's/\\-/-/g' -e 's/\\%//g' -e 's/\\&//g' -e 's/\\f[BIRP]//g' -e 's/\\f([A-Za-z][A-Za-z]//g' \
		-e 's/\\f\[[^]]*\]//g' "$1"
}
# man_has_opt FILE OPTION: OPTION appears in FILE as a whole word
man_has_opt() { grep -qE -- "(^|[^A-Za-z0-9-])$2([^A-Za-z0-9-]|\$)" "$1"; }
# man_opts: the options a --help text (standard input) prints: every long
# option it names, and the short ones that start an option line
man_opts() {
	tee "$TMP/man_help" | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
	grep -E '^ +-[A-Za-z]' "$TMP/man_help" | sed -E 's/^ +(-[A-Za-z]).*/\1/' | sort -u
}

# --- the commands that rtclab help lists ------------------------------------------------
"$RTCLAB" help >"$TMP/man_cmds" 2>&1
MAN_CMDS=$(sed -n '/^Commands:/,/^$/p' "$TMP/man_cmds" | sed -n 's/^  \([a-z][a-z0-9-]*\) .*/\1/p' | grep -vx help)
if [ -n "$MAN_CMDS" ]; then ok; else man_ko "man: no commands found under 'Commands:' in rtclab help" "$(cat "$TMP/man_cmds")"; fi

man_text "$MAN_DIR/rtclab.1" >"$TMP/man_top"
# rtclab.1's SEE ALSO section
sed -n '/^\.SH SEE ALSO/,/^\.SH /p' "$TMP/man_top" >"$TMP/man_seealso"

for name in $MAN_CMDS; do
	page=$MAN_DIR/rtclab-$name.1
	if [ ! -f "$page" ]; then
		man_ko "man-$name: docs/man/rtclab-$name.1 is missing" "rtclab help lists '$name'"
		continue
	fi
	ok
	# rtclab.1 lists the command (.TP / .B NAME) and names its page in SEE ALSO
	if grep -qx "\.B $name" "$TMP/man_top"; then ok; else man_ko "man-$name: rtclab.1 does not list the command '$name'" "expected a line '.B $name' in its list of commands"; fi
	if grep -q "^\.BR rtclab-$name (1)" "$TMP/man_seealso"; then ok; else man_ko "man-$name: the SEE ALSO of rtclab.1 does not name rtclab-$name(1)" "$(cat "$TMP/man_seealso")"; fi
	# the page's title is its name
	man_text "$page" >"$TMP/man_page"
	if grep -q "^\.TH RTCLAB-$(printf %s "$name" | tr a-z A-Z) 1 " "$TMP/man_page"; then ok; else man_ko "man-$name: .TH of rtclab-$name.1" "$(grep '^\.TH' "$TMP/man_page")"; fi
	# every option of --help is in the page
	if "$RTCLAB" "$name" --help >"$TMP/man_usage" 2>&1; then ok; else man_ko "man-$name: rtclab $name --help failed" "$(cat "$TMP/man_usage")"; fi
	missing=""
	for opt in $(man_opts <"$TMP/man_usage"); do
		man_has_opt "$TMP/man_page" "$opt" || missing="$missing $opt"
	done
	if [ -z "$missing" ]; then ok; else man_ko "man-$name: rtclab-$name.1 lacks options that rtclab $name --help prints:$missing" "$(cat "$TMP/man_usage")"; fi
done

# rtclab.1 itself: the options of rtclab --help, and a SEE ALSO entry for every page
"$RTCLAB" --help >"$TMP/man_usage" 2>&1
missing=""
for opt in $(man_opts <"$TMP/man_usage"); do
	man_has_opt "$TMP/man_top" "$opt" || missing="$missing $opt"
done
if [ -z "$missing" ]; then ok; else man_ko "man: rtclab.1 lacks options that rtclab --help prints:$missing" "$(cat "$TMP/man_usage")"; fi
for page in "$MAN_DIR"/rtclab-*.1; do
	p=$(basename "$page" .1)
	if grep -q "^\.BR $p (1)" "$TMP/man_seealso"; then ok; else man_ko "man: the SEE ALSO of rtclab.1 does not name $p(1)" "$(cat "$TMP/man_seealso")"; fi
done

# --- every page renders without a warning ---------------------------------------------------
for page in "$MAN_DIR"/*.1; do
	p=$(basename "$page")
	if command -v man >/dev/null 2>&1; then
		w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null)
	else
		w=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
	fi
	if [ -z "$w" ]; then ok; else man_ko "man-render $p: warnings" "$w"; fi
done

# --- make install, make uninstall ---------------------------------------------------------
# The tree's own Makefile, with the build directory of the rtclab being tested
# (-o all: install what is built, do not build; this test runs after the build).
MAN_BUILD=$(cd "$(dirname "$RTCLAB")" && pwd)
MAN_DEST=$TMP/man_install
MAN_P=$MAN_DEST/usr/share
man_make() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -C "$MAN_ROOT" -o all \
		BUILD="$MAN_BUILD" DESTDIR="$MAN_DEST" PREFIX=/usr "$@" >"$TMP/man_make" 2>&1
}
if ! command -v make >/dev/null 2>&1; then
	man_ko "man-install: make is not installed" ""
elif [ ! -f "$MAN_BUILD/librtclab.a" ]; then
	man_ko "man-install: $MAN_BUILD has no librtclab.a: build the tree first (make)" ""
elif man_make install; then
	ok
	for name in "" $MAN_CMDS; do
		p=rtclab${name:+-$name}.1
		if cmp -s "$MAN_DIR/$p" "$MAN_P/man/man1/$p"; then ok; else man_ko "man-install: share/man/man1/$p not installed" "$(ls "$MAN_P/man/man1" 2>&1)"; fi
	done
	missing=""
	for sc in "$MAN_ROOT"/scenarios/*.yaml; do
		cmp -s "$sc" "$MAN_P/rtclab/scenarios/${sc##*/}" || missing="$missing ${sc##*/}"
	done
	if [ -z "$missing" ]; then ok; else man_ko "man-install: scenarios not installed in share/rtclab/scenarios:$missing" "$(ls "$MAN_P/rtclab/scenarios" 2>&1)"; fi
	if man_make uninstall; then ok; else man_ko "man-uninstall: make uninstall failed" "$(cat "$TMP/man_make")"; fi
	left=$(cd "$MAN_DEST" && find . ! -type d | sort)
	if [ -z "$left" ] && [ ! -e "$MAN_P/rtclab" ]; then ok; else man_ko "man-uninstall: make uninstall left files behind" "$left"; fi
else
	man_ko "man-install: make install failed" "$(cat "$TMP/man_make")"
fi
rm -rf "$MAN_DEST"

if [ -n "${MAN_ALONE:-}" ]; then
	printf '%d passed, %d failed\n' "$pass" "$fail"
	[ "$fail" -eq 0 ]
fi
