#!/usr/bin/env bash
# Starts the real wizard binary under Xvfb in demo mode, waits for its window,
# screenshots the screen and fails if the picture is blank. The PNG is kept
# in ${SHOTS_DIR:-/tmp/oawizard-shots} for a human to look at.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
out="${SHOTS_DIR:-/tmp/oawizard-shots}"
mkdir -p "$out"
work=$(mktemp -d)
trap 'kill -- -$wizard_pid 2>/dev/null; kill $xvfb_pid 2>/dev/null || true; rm -rf "$work"' EXIT

# The test command passes the wizard it already built; alone, build one.
wizard="${WIZARD_BIN:-}"
if [ -z "$wizard" ]; then
	go build -o "$work/wizard" ./cmd/wizard
	wizard="$work/wizard"
fi
display=":$((90 + RANDOM % 100))"
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb_pid=$!
sleep 1
# In a session with an unlocked keychain, as on an admin's desktop: without
# one, a login keyring left locked by an earlier run asks for its password
# over the window. setsid gives the wizard and its D-Bus session one process
# group to stop together.
DISPLAY="$display" setsid scripts/with-keyring.sh "$wizard" -data "$work/data" >"$work/wizard.log" 2>&1 &
wizard_pid=$!

# Wait for the window to be mapped, then for the demo to finish starting.
for _ in $(seq 1 60); do
	if DISPLAY="$display" xwininfo -root -tree 2>/dev/null | grep -q '公众号数据集成向导\|Official Account data integration'; then
		break
	fi
	sleep 0.5
done
sleep 4
DISPLAY="$display" import -window root "$out/wizard-demo.png"

# A blank screen has one colour; the wizard's first page has hundreds.
colours=$(convert "$out/wizard-demo.png" -format '%k' info:)
echo "screenshot $out/wizard-demo.png: $colours colours"
if [ "$colours" -lt 50 ]; then
	echo "the wizard's window looks blank"; cat "$work/wizard.log"; exit 1
fi
if ! kill -0 "$wizard_pid" 2>/dev/null; then
	echo "the wizard exited early"; cat "$work/wizard.log"; exit 1
fi
