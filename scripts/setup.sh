#!/usr/bin/env bash
# Idempotent setup for a fresh Debian 12 machine (run as root, or with sudo available).
#   1. apt packages, only when one is missing (listing an installed one would upgrade it);
#   2. a .venv with the pinned Python dependencies, only when requirements changed.
# SKIP_APT=1 skips step 1 on developer machines that manage packages themselves.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  gcc make pkg-config libpcsclite-dev python3-venv python3-dev   # building pyscard
  libpcsclite1 pcscd vsmartcard-vpcd                           # PC/SC with a virtual reader
  socat                                                        # pty pairs for serial simulators
  libusb-1.0-0                                                 # USB receipt printers (pyusb)
  libgl1 libegl1 libegl-mesa0 libgl1-mesa-dri libgles2 libmtdev1 # Kivy offscreen / touch
  libx11-6 libxext6 libxrender1 libxrandr2 libxi6 libxcursor1 libxss1 libxinerama1
  libxkbcommon0 libxkbcommon-x11-0 xvfb xauth                  # optional X display
  espeak-ng                                                    # speech output (drivers/speech)
)

if [ "${SKIP_APT:-0}" != "1" ]; then
  missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "setup: installing apt packages: ${missing[*]}" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null || PY=python3
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $PY" >&2
  "$PY" -m venv .venv
fi

# Reinstall only when the pins or the project metadata changed.
stamp=.venv/.kiosk-installed
want=$(cat requirements.in constraints.txt pyproject.toml | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing pinned Python dependencies" >&2
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip==24.3.1 setuptools==84.2.1 wheel==0.48.0
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.in -c constraints.txt
  .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
  .venv/bin/python -c "import kivy, smartcard, serial, sqlite_utils" 2>/dev/null \
    || { echo "setup: smoke import failed" >&2; exit 1; }
  echo "$want" > "$stamp"
fi
