#!/usr/bin/env bash
# Runs the packaged, signed Windows wizard and its installer under Wine, in a
# throwaway prefix removed at the end. Needs scripts/package.sh windows to
# have run (it reuses dist/, nothing is built again but a 12 KB test DLL).
#
# Debian's Wine 8.0 lacks bcryptprimitives.dll!ProcessPrng, which every Go
# program since Go 1.22 needs (Windows 10 and later have it); a stand-in
# built here from packaging/windows/test/ fills the gap, in the prefix only.
#
# Checks, in order:
#   installer   refuses Windows 7 (exit 3, nothing installed)
#   exe         -version; a full -headless -scenario ok -sdk-export run whose
#               JSON report is checked like the Linux one; the window under
#               Xvfb in Wine's virtual desktop, screenshotted, not blank, and
#               closed the way a user closes it
#   %TEMP%      the same before and after the headless and the window runs
#   installer   silent per-user install: program, signed uninstaller,
#               Start-menu shortcut, Apps entry (icon, version, publisher);
#               the installed exe's -version; silent uninstall removes the
#               program and keeps the admin's data; /REMOVEDATA removes it,
#               the saved tokens and the demo's key in the Credential
#               Manager included
# The screenshot is kept in ${SHOTS_DIR:-/tmp/oawizard-shots}.
set -euo pipefail
cd "$(dirname "$0")/.."
version="${VERSION:-$(sed -n 's/^Version = "\(.*\)"/\1/p' FyneApp.toml)}"
exe=$PWD/dist/oawizard-windows-amd64.exe
setup=$PWD/dist/oawizard-setup-windows-amd64.exe
shots="${SHOTS_DIR:-/tmp/oawizard-shots}"
for f in "$exe" "$setup"; do
	[ -f "$f" ] || { echo "wine smoke: $f is missing; run scripts/package.sh windows first" >&2; exit 1; }
done

work=$(mktemp -d)
export WINEPREFIX="$work/prefix" WINEARCH=win64 WINEDEBUG=-all
# No Mono or Gecko download prompts: the wizard needs neither.
export WINEDLLOVERRIDES="mscoree,mshtml="
xvfb_pid=""
cleanup() {
	wineserver -k 2>/dev/null || true
	[ -z "$xvfb_pid" ] || kill "$xvfb_pid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
step() { echo "-- $* (${SECONDS}s)"; }
fail() {
	echo "wine smoke: $*" >&2
	exit 1
}
SECONDS=0

step "prefix and stand-in bcryptprimitives.dll"
x86_64-w64-mingw32-gcc -shared -O2 -s -o "$work/bcryptprimitives.dll" \
	packaging/windows/test/bcryptprimitives.c -ladvapi32
x86_64-w64-mingw32-gcc -municode -O2 -s -o "$work/credtool.exe" packaging/windows/test/credtool.c -ladvapi32
wineboot -i >/dev/null 2>&1
cp "$work/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/"
winvar() { winepath -u "$(wine cmd /c echo "%$1%" | tr -d '\r')"; }
temp=$(winvar TEMP)
appdata=$(winvar APPDATA)
programs="$(winvar LOCALAPPDATA)/Programs/oawizard"
shortcut="$appdata/Microsoft/Windows/Start Menu/Programs/公众号数据集成向导.lnk"
key='HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\oawizard'

step "installer refuses Windows 7"
wine winecfg -v win7
rc=0
wine "$setup" /S || rc=$?
[ "$rc" -eq 3 ] || fail "on Windows 7 the installer exited $rc, want 3 (refused)"
[ ! -e "$programs" ] || fail "on Windows 7 the installer still installed into $programs"
wine winecfg -v win10

step "exe -version"
got=$(wine "$exe" -version | tr -d '\r')
[ "$got" = "wizard $version" ] || fail "-version printed '$got', want 'wizard $version'"

snapshot() { (cd "$temp" && find . | sort); }
temp_unchanged() {
	snapshot >"$work/temp.after"
	if ! diff "$work/temp.before" "$work/temp.after" >"$work/temp.diff"; then
		fail "$1 left this in %TEMP%:"$'\n'"$(grep '^>' "$work/temp.diff")"
	fi
}

step "exe -headless -scenario ok -sdk-export"
# The same numbers as cmd/wizard's TestHeadlessScenarios.
wine "$exe" -demo-export "Z:$work/export.csv" -followers 25001
[ "$(wc -l <"$work/export.csv")" -eq 5001 ] || fail "-demo-export wrote $(wc -l <"$work/export.csv") lines, want 5001"
snapshot >"$work/temp.before"
rc=0
wine "$exe" -headless -scenario ok -followers 25001 -sdk-export "Z:$work/export.csv" \
	>"$work/report.json" 2>"$work/progress.jsonl" || rc=$?
[ "$rc" -eq 0 ] || fail "headless exited $rc, want 0: $(cat "$work/report.json" "$work/progress.jsonl")"
jq -e . "$work/progress.jsonl" >/dev/null || fail "a progress line is not JSON: $(cat "$work/progress.jsonl")"
! grep -q '"event":"error"' "$work/progress.jsonl" || fail "headless reported an error: $(grep '"error"' "$work/progress.jsonl")"
jq -e '.scenario == "ok" and .authorization.status == "authorized" and .sync.status == "done"
	and .sync.followers == 25001 and .sdk.rows == 5000 and .overlap.matched > 0
	and (.checks | length) >= 6 and all(.checks[]; .status == "pass")' "$work/report.json" >/dev/null ||
	fail "the headless report is not the ok scenario's: $(cat "$work/report.json")"
temp_unchanged "a headless run"

step "exe window under Xvfb (Wine virtual desktop)"
n=$((90 + RANDOM % 100))
while [ -e "/tmp/.X$n-lock" ]; do n=$((n + 1)); done
display=":$n"
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb_pid=$!
sleep 1
mkdir -p "$shots"
shot="$shots/wizard-windows.png"
export DISPLAY="$display"
# Run from a folder of this run's own, so its process is told apart from
# any other wizard on the machine.
mkdir "$work/app"
cp "$exe" "$work/app/"
app="$work/app/$(basename "$exe")"
running() { pgrep -f "^$app" >/dev/null; }
wine explorer /desktop=oawizard,1280x800 "$app" >"$work/window.log" 2>&1 &
# Wine's desktop alone is one colour; the wizard's first page has hundreds.
colours=0
for _ in $(seq 1 60); do
	sleep 1
	import -window root "$shot" 2>/dev/null || continue
	colours=$(convert "$shot" -format '%k' info:)
	[ "$colours" -lt 200 ] || break
done
sleep 2
import -window root "$shot"
colours=$(convert "$shot" -format '%k' info:)
spread=$(convert "$shot" -format '%[fx:int(standard_deviation*1000)]' info:)
echo "screenshot $shot: $colours colours, standard deviation $spread/1000"
[ "$colours" -ge 200 ] && [ "$spread" -ge 50 ] || fail "the wizard's window looks blank: $(cat "$work/window.log")"
running || fail "the wizard exited early: $(cat "$work/window.log")"
step "closing the window"
# Close it as a user does (WM_CLOSE), from inside the same desktop: windows
# of another desktop are invisible to taskkill.
wine explorer /desktop=oawizard,1280x800 taskkill /im oawizard-windows-amd64.exe >/dev/null
for _ in $(seq 1 60); do
	running || break
	sleep 0.5
done
! running || fail "the wizard did not exit within 30 s of being closed"
# The empty virtual desktop lingers; the installer steps wait for a quiet Wine.
wineserver -k
unset DISPLAY
[ -f "$appdata/oawizard/wizard.db" ] || fail "the window run kept no results in %APPDATA%\\oawizard"
temp_unchanged "the window (demo mode)"

step "installer: silent per-user install"
# A token as Settings saves it, and someone else's credential.
wine "$work/credtool.exe" write "oawizard:connector:https://connector.example.test"
wine "$work/credtool.exe" write "other-app:token"
tokens() { wine "$work/credtool.exe" count "$1" | tr -d '\r'; }
wine "$setup" /S
[ -f "$programs/oawizard.exe" ] || fail "nothing installed in $programs"
cmp -s "$exe" "$programs/oawizard.exe" || fail "the installed program is not the packaged one"
osslsigncode extract-signature -in "$programs/uninstall.exe" -out "$work/uninstall.sig" >/dev/null ||
	fail "the uninstaller is not signed"
[ -f "$shortcut" ] || fail "no Start-menu shortcut"
wine reg query "$key" | tr -d '\r' >"$work/apps.txt" || fail "no entry under $key"
for want in "DisplayVersion *REG_SZ *$version\$" "Publisher *REG_SZ *oawizard\$" \
	'DisplayIcon *REG_SZ *C:\\.*\\oawizard\.exe,0$' 'QuietUninstallString *REG_SZ *".*\\uninstall\.exe" /S$'; do
	grep -Eq "$want" "$work/apps.txt" || fail "the Apps entry lacks $want: $(cat "$work/apps.txt")"
done
got=$(wine "$programs/oawizard.exe" -version | tr -d '\r')
[ "$got" = "wizard $version" ] || fail "the installed program printed '$got'"

# The uninstaller copies itself to %TEMP% and returns at once; wineserver -w
# waits for that copy to finish.
uninstall() {
	wine "$programs/uninstall.exe" /S "$@"
	wineserver -w
	[ ! -e "$programs" ] || fail "uninstall $*: $programs is still there: $(ls "$programs")"
	[ ! -e "$shortcut" ] || fail "uninstall $*: the Start-menu shortcut is still there"
	! wine reg query "$key" >/dev/null 2>&1 || fail "uninstall $*: $key is still there"
}
step "installer: silent uninstall keeps the admin's data"
uninstall
[ -f "$appdata/oawizard/wizard.db" ] || fail "the uninstaller removed %APPDATA%\\oawizard without being asked"
[ "$(tokens 'oawizard:connector:*')" = 1 ] || fail "the uninstaller removed the saved token without being asked"
# The window's demo kept its database key beside the token; it stays too.
[ "$(tokens 'oawizard:demo-store-key:*')" = 1 ] || fail "the demo's database key is not in the Credential Manager after a plain uninstall"

step "installer: reinstall, then uninstall /REMOVEDATA"
wine "$setup" /S
[ -f "$programs/oawizard.exe" ] || fail "the second install installed nothing"
uninstall /REMOVEDATA
[ ! -e "$appdata/oawizard" ] || fail "uninstall /REMOVEDATA left %APPDATA%\\oawizard"
[ ! -e "$appdata/fyne/com.oawizard.setup" ] || fail "uninstall /REMOVEDATA left the window's preferences"
[ "$(tokens 'oawizard:*')" = 0 ] || fail "uninstall /REMOVEDATA left the saved token in the Credential Manager"
[ "$(tokens 'other-app:*')" = 1 ] || fail "uninstall /REMOVEDATA removed another program's credential"

echo "wine smoke: all passed in $((SECONDS))s (Wine $(wine --version))"
