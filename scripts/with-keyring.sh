#!/usr/bin/env bash
# Runs a command inside its own D-Bus session with an unlocked GNOME Keyring
# Secret Service, so keychain tests talk to a real one on a headless machine.
# The password only unlocks this throwaway login keyring; it protects nothing.
set -euo pipefail
if [ $# -eq 0 ]; then
	echo "usage: $0 command [args...]" >&2
	exit 2
fi
export OAWIZARD_KEYRING_PW="${OAWIZARD_KEYRING_PW:-throwaway-test-keyring}"
exec dbus-run-session -- sh -c '
	export HOME_KEYRING_DIR="${XDG_DATA_HOME:-$HOME/.local/share}/keyrings"
	mkdir -p "$HOME_KEYRING_DIR"
	eval "$(printf %s "$OAWIZARD_KEYRING_PW" | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null
	export GNOME_KEYRING_CONTROL
	unset OAWIZARD_KEYRING_PW
	exec "$@"
' with-keyring "$@"
