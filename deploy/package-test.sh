#!/usr/bin/env bash
# make package-test: install build/library-kiosk_*.deb into a clean Debian 12 root made by mmdebstrap from
# the Debian archive, and run deploy/package-test-inside.sh there (version, config check, headless start
# against the simulators, upgrade, remove, purge). Needs root (chroot) and mmdebstrap.
set -euo pipefail
cd "$(dirname "$0")/.."
deb=$(ls -t build/library-kiosk_*_amd64.deb 2>/dev/null | head -1 || true)
[ -n "$deb" ] || { echo "package-test: no package: run make deb first" >&2; exit 2; }
if ! command -v mmdebstrap >/dev/null; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null
fi
mirror=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
root=build/package-test-root
rm -rf "$root"
echo "package-test: $deb into a clean Debian 12 root ($root)"
mmdebstrap --quiet --variant=apt --mode=root \
  --customize-hook="copy-in $deb /tmp" \
  --customize-hook="chroot \"\$1\" mv /tmp/$(basename "$deb") /tmp/library-kiosk.deb" \
  --customize-hook="copy-in deploy/package-test-inside.sh /tmp" \
  --customize-hook='chroot "$1" sh /tmp/package-test-inside.sh' \
  bookworm "$root" ${mirror:+"$mirror"}
rm -rf "$root"
