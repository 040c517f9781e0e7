#!/usr/bin/env bash
# Builds the release artefacts into dist/:
#   windows   oawizard-windows-amd64.exe: GUI subsystem, icon and version
#             resources, signed with a throwaway test certificate (see
#             docs/release.md for real signing), then verified; and
#             oawizard-setup-windows-amd64.exe, its per-user NSIS installer,
#             whose uninstaller and itself are signed the same way;
#             SIGN_* variables name a real certificate (docs/release.md)
#   linux     oawizard-linux-amd64.tar.gz: binary, .desktop file and icon
#   connector oawizard-connector-linux-amd64: static, pure Go
# With no argument, all three. Needs scripts/setup-debian.sh --packaging.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
version="${VERSION:-$(sed -n 's/^Version = "\(.*\)"/\1/p' FyneApp.toml)}"
mkdir -p dist
ldflags="-s -w -X oawizard/version.Release=$version"

windows() {
	work=$(mktemp -d)
	cp assets/icon/icon.ico "$work/"
	commas="$(echo "$version" | tr . ,),0"
	sed -e "s/@VERSION@/$version/g" -e "s/@VERSION_COMMAS@/$commas/g" packaging/windows/wizard.rc.in >"$work/wizard.rc"
	x86_64-w64-mingw32-windres -c 65001 -i "$work/wizard.rc" -O coff -o cmd/wizard/rsrc_windows_amd64.syso
	trap 'rm -f cmd/wizard/rsrc_windows_amd64.syso; rm -rf "$work"' RETURN
	CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc \
		go build -trimpath -ldflags "$ldflags -H windowsgui" -o "$work/unsigned.exe" ./cmd/wizard

	signer "$work"
	cp "$work/unsigned.exe" dist/oawizard-windows-amd64.exe
	"$work/sign.sh" dist/oawizard-windows-amd64.exe

	desc=$(file -b dist/oawizard-windows-amd64.exe)
	echo "windows: $desc"
	case "$desc" in
	*"PE32+ executable"*"(GUI)"*"x86-64"*) ;;
	*) echo "not a PE32+ GUI executable"; exit 1 ;;
	esac
	verify "$cafile" dist/oawizard-windows-amd64.exe
	installer "$work"
}

# signer writes $work/sign.sh, which signs the file named after it in place
# (makensis calls it too, for the uninstaller it embeds), and sets cafile for
# verify. A release sets SIGN_PKCS12 or SIGN_PKCS11_MODULE (docs/release.md);
# without them, a throwaway self-signed certificate made fresh each time.
signer() {
	local work=$1 args=()
	cafile=${SIGN_CAFILE:-/etc/ssl/certs/ca-certificates.crt}
	if [ -n "${SIGN_PKCS12:-}" ]; then
		args=(-pkcs12 "$SIGN_PKCS12" -readpass "${SIGN_PASS_FILE:?the file holding the .pfx password}")
	elif [ -n "${SIGN_PKCS11_MODULE:-}" ]; then
		args=(-pkcs11module "$SIGN_PKCS11_MODULE" -key "${SIGN_PKCS11_KEY:?the PKCS#11 URI of the key}"
			-certs "${SIGN_CERTS:?the certificate chain (PEM)}")
		[ -z "${SIGN_PASS_FILE:-}" ] || args+=(-readpass "$SIGN_PASS_FILE")
	else
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=oawizard test signing/O=oawizard" \
			-addext "extendedKeyUsage=codeSigning" -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
		args=(-certs "$work/cert.pem" -key "$work/key.pem")
		cafile=$work/cert.pem
	fi
	[ -z "${SIGN_TIMESTAMP_URL:-}" ] || args+=(-ts "$SIGN_TIMESTAMP_URL")
	args+=(-h sha256 -n "公众号数据集成向导" -i "https://github.com/oawizard/oawizard")
	{
		echo '#!/usr/bin/env bash'
		echo 'set -e'
		echo "osslsigncode sign ${args[*]@Q} -in \"\$1\" -out \"\$1.signed\" >/dev/null"
		echo 'mv "$1.signed" "$1"'
	} >"$work/sign.sh"
	chmod +x "$work/sign.sh"
}

# verify CAFILE FILE: FILE's signature checks out against the CAs in CAFILE.
verify() {
	local report
	report=$(osslsigncode verify -CAfile "$1" -in "$2" 2>&1) || true
	echo "$(basename "$2"): $(echo "$report" | tail -1)"
	grep -q "Signature verification: ok" <<<"$report" || { echo "$report"; exit 1; }
}

# installer wraps the signed exe in the NSIS installer
# (packaging/windows/installer.nsi); makensis signs the uninstaller it
# embeds and the installer itself with the exe's certificate.
installer() {
	local work=$1 out=dist/oawizard-setup-windows-amd64.exe
	makensis -V2 -DEXE="$PWD/dist/oawizard-windows-amd64.exe" -DICON="$PWD/assets/icon/icon.ico" \
		-DVERSION="$version" -DVERSION4="$version.0" -DOUTFILE="$PWD/$out" -DSIGN="$work/sign.sh" \
		packaging/windows/installer.nsi
	desc=$(file -b "$out")
	echo "installer: $desc"
	case "$desc" in *"PE32+ executable"*"(GUI)"*) ;; *) echo "the installer is not a 64-bit GUI program"; exit 1 ;; esac
	verify "$cafile" "$out"
}

linux() {
	work=$(mktemp -d)
	trap 'rm -rf "$work"' RETURN
	root="$work/oawizard-$version"
	mkdir -p "$root/share/applications" "$root/share/icons/hicolor/512x512/apps"
	go build -trimpath -ldflags "$ldflags" -o "$root/oawizard" ./cmd/wizard
	cp packaging/linux/oawizard.desktop "$root/share/applications/"
	cp assets/icon/icon.png "$root/share/icons/hicolor/512x512/apps/oawizard.png"
	cat >"$root/install.sh" <<'SH'
#!/bin/sh
# Installs for the current user under ~/.local.
set -e
cd "$(dirname "$0")"
mkdir -p "$HOME/.local/bin" "$HOME/.local/share"
cp oawizard "$HOME/.local/bin/"
cp -r share/* "$HOME/.local/share/"
echo "installed: run oawizard, or find 公众号数据集成向导 in the applications menu"
SH
	chmod +x "$root/install.sh"
	tar -C "$work" -czf "dist/oawizard-linux-amd64.tar.gz" "oawizard-$version"
	echo "linux: dist/oawizard-linux-amd64.tar.gz"
}

connector() {
	CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o dist/oawizard-connector-linux-amd64 ./cmd/connector
	desc=$(file -b dist/oawizard-connector-linux-amd64)
	echo "connector: $desc"
	case "$desc" in *"statically linked"*) ;; *) echo "the connector is not static"; exit 1 ;; esac
	dist/oawizard-connector-linux-amd64 -version
}

targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(windows linux connector)
for t in "${targets[@]}"; do "$t"; done
