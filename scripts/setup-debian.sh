#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks to build, run and test the wizard:
# cgo headers for Fyne's OpenGL driver, Xvfb and ImageMagick for screenshots,
# gnome-keyring and a D-Bus session for the real Secret Service the keychain
# tests use, mingw-w64 with osslsigncode and NSIS for the signed Windows build
# and its installer, Wine (64-bit only) with jq to run them in the test, and
# PostgreSQL for the connector's shared-database tests (a throwaway cluster
# per run, see with-postgres.sh; the packaged cluster need not run), and
# Chromium with CJK fonts for the staff console's browser test.
# Go itself is expected at /usr/local/go or on PATH.
set -euo pipefail
pkgs=(xvfb xorg-dev libgl1-mesa-dev gnome-keyring dbus-x11 imagemagick x11-utils
	gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 osslsigncode file openssl
	nsis wine wine64 jq procps postgresql chromium fonts-noto-cjk)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
