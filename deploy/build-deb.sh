#!/usr/bin/env bash
# make deb: build the library-kiosk Debian 12 package from this checkout (as root, or with sudo).
# The checkout's files (tracked and new, not ignored) are copied to build/deb/library-kiosk-<version>/,
# deploy/debian/ becomes its debian/, and dpkg-buildpackage builds a binary package:
#   build/library-kiosk_<version>-1_amd64.deb
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DEPS=(debhelper python3.11 python3.11-venv python3.11-dev gcc pkg-config libpcsclite-dev)
missing=()
for p in "${BUILD_DEPS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "deb: installing build dependencies: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

version=$(python3 -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
debversion=$(dpkg-parsechangelog -l deploy/debian/changelog -S Version)
if [ "${debversion%-*}" != "$version" ]; then
  echo "deb: deploy/debian/changelog is at $debversion but pyproject.toml at $version: add a changelog entry" >&2
  exit 2
fi

src="build/deb/library-kiosk-$version"
rm -rf build/deb
mkdir -p "$src"
git ls-files -z --cached --others --exclude-standard \
  | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
  | tar --null -T - -cf - | tar -xf - -C "$src"
cp -r deploy/debian "$src/debian"
cp deploy/library-kiosk.service "$src/debian/library-kiosk.service"

(cd "$src" && dpkg-buildpackage -b -us -uc --no-pre-clean >../build.log 2>&1) || {
  tail -40 build/deb/build.log >&2; echo "deb: build failed; full log in build/deb/build.log" >&2; exit 1; }
deb="build/library-kiosk_${debversion}_amd64.deb"
mv "build/deb/library-kiosk_${debversion}_amd64.deb" "$deb"
echo "deb: $deb ($(du -h "$deb" | cut -f1))"
