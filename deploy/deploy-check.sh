#!/usr/bin/env bash
# make deploy-check: check what deploy/ ships to a fleet.
#   - promtool (Debian's prometheus package): alerting rules, their unit tests, the scrape config, and
#     the kiosk's /metrics names (tests/deploy/test_listener.py runs promtool check metrics when present);
#   - ansible-lint (PyPI, pinned, in its own venv under build/) on the role and the example playbook.
set -euo pipefail
cd "$(dirname "$0")/.."
# promtool from Debian's prometheus package, unpacked under build/ (not installed: no server is started).
if ! command -v promtool >/dev/null; then
  tools=build/prometheus-deb
  if [ ! -x "$tools/usr/bin/promtool" ]; then
    [ -n "$(ls /var/lib/apt/lists/*_Packages 2>/dev/null)" ] || apt-get update -qq
    mkdir -p "$tools"
    (cd build && apt-get download -q prometheus >/dev/null)
    dpkg-deb -x build/prometheus_*.deb "$tools"
  fi
  export PATH="$PWD/$tools/usr/bin:$PATH"
fi
(cd deploy/prometheus && promtool check rules kiosk-alerts.yml && promtool test rules kiosk-alerts.test.yml \
  && promtool check config prometheus-scrape.yml)
python3 -c 'import json; json.load(open("deploy/prometheus/grafana-dashboard.json"))' && echo "grafana-dashboard.json: valid JSON"
.venv/bin/python -m pytest -q tests/deploy/test_listener.py tests/deploy/test_prometheus_rules.py

venv=build/ansible-lint-venv
if [ ! -x "$venv/bin/ansible-lint" ]; then
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check ansible-lint==26.10.1 ansible-core==2.19.14
fi
(cd deploy/ansible && ../../"$venv"/bin/ansible-lint --offline -q site.yml roles/library_kiosk)
echo "deploy-check: all passed"
