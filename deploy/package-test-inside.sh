#!/bin/sh
# Runs inside a clean Debian 12 root (deploy/package-test.sh): install the package, check it, start the
# kiosk headless against the built-in simulators, upgrade, remove, purge.
set -eu
say() { echo "package-test: $*"; }
fail() { echo "package-test: FAILED: $*" >&2; exit 1; }

say "installing /tmp/library-kiosk.deb"
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends /tmp/library-kiosk.deb >/tmp/apt.log 2>&1 \
  || { tail -20 /tmp/apt.log; fail "apt-get install"; }
command -v gcc >/dev/null && fail "a compiler was installed with the package"

version=$(library-kiosk --version)
say "--version: $version"
[ "$version" = "library-kiosk 0.1.0" ] || fail "unexpected version line"
getent passwd kiosk >/dev/null || fail "no kiosk user"
[ "$(stat -c '%U %a' /var/lib/library-kiosk)" = "kiosk 700" ] || fail "state directory owner/mode"
[ "$(stat -c '%a' /etc/library-kiosk/credentials)" = "700" ] || fail "credentials directory mode"
for c in sip2-password terminal-password; do  # LoadCredential= needs every file to exist
  [ "$(stat -c '%a %s' /etc/library-kiosk/credentials/$c)" = "600 0" ] || fail "credential placeholder $c"
done
[ "$(stat -c '%a %s' /etc/library-kiosk/credentials/queue-key)" = "600 32" ] || fail "no queue key made"
grep -q '^key_file' /etc/library-kiosk/config.toml && fail "the packaged config names a key file"
key_sum=$(sha256sum < /etc/library-kiosk/credentials/queue-key)
grep -qx /etc/library-kiosk/config.toml /var/lib/dpkg/info/library-kiosk.conffiles || fail "config is not a conffile"
[ -f /lib/systemd/system/library-kiosk.service ] || fail "no unit"

# What the Ansible role does: a per-kiosk config (here: the simulators) and the secrets as credentials.
cat > /etc/library-kiosk/config.toml <<'TOML'
[site]
library_name = "Package test"
kiosk_id = "PKG-TEST-01"
[sip2]
url = "sim://"
user = "kiosk"
password_file = "credentials/sip2-password"
institution = "WIERDEN"
location = "KIOSK1"
[devices]
pass_readers = ["fake://"]
printer = "file:///var/lib/library-kiosk/receipts"
terminal = "fake://"   # the terminal simulator over a socket pair (a chroot's ptys belong to root)
[payment]
enabled = true
terminal_password_file = "credentials/terminal-password"
[store]
path = "kiosk.db"
TOML
printf 'demo\n' > /etc/library-kiosk/credentials/sip2-password
printf '123456\n' > /etc/library-kiosk/credentials/terminal-password
chmod 600 /etc/library-kiosk/credentials/*

say "config check (default location /etc/library-kiosk/config.toml)"
library-kiosk config check >/tmp/config.json || fail "config check"
grep -q '"PKG-TEST-01"' /tmp/config.json || fail "config check did not read /etc/library-kiosk/config.toml"
grep -q '"demo"' /tmp/config.json && fail "config check printed a secret"

# As systemd would run it: the kiosk user, $STATE_DIRECTORY, secrets in $CREDENTIALS_DIRECTORY.
creds=$(mktemp -d)
cp /etc/library-kiosk/credentials/* "$creds/"
chown -R kiosk:kiosk "$creds"
# The key as the service gets it (newer kiosks pick $CREDENTIALS_DIRECTORY/queue-key by themselves).
printf '[store]\npath = "kiosk.db"\nkey_file = "%s/queue-key"\n' "$creds" > /tmp/store.toml
sed -i '/^\[store\]/,$d' /etc/library-kiosk/config.toml
cat /tmp/store.toml >> /etc/library-kiosk/config.toml
say "headless start as the kiosk user"
runuser -u kiosk -- env STATE_DIRECTORY=/var/lib/library-kiosk CREDENTIALS_DIRECTORY="$creds" HOME=/var/lib/library-kiosk \
  library-kiosk run --headless --status-interval 1 --exit-after 25 >/tmp/run.out 2>/tmp/run.err \
  || { cat /tmp/run.err; fail "kiosk run"; }
grep -q '"ils_online": true' /tmp/run.out || { cat /tmp/run.err; fail "the ILS simulator never came online"; }
[ -f /var/lib/library-kiosk/kiosk.db ] || fail "no queue database in the state directory"
say "headless start: ILS online, state in /var/lib/library-kiosk"
before=$(ls -l --time-style=+ /var/lib/library-kiosk | sha256sum)

say "upgrade (reinstall over the installed version)"
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --reinstall /tmp/library-kiosk.deb >/tmp/apt.log 2>&1 || fail "upgrade"
[ "$(ls -l --time-style=+ /var/lib/library-kiosk | sha256sum)" = "$before" ] || fail "upgrade changed the state directory"
[ "$(sha256sum < /etc/library-kiosk/credentials/queue-key)" = "$key_sum" ] || fail "upgrade changed the queue key"
grep -q PKG-TEST-01 /etc/library-kiosk/config.toml || fail "upgrade replaced the administrator's config"

say "remove keeps state, purge deletes it"
DEBIAN_FRONTEND=noninteractive apt-get remove -y -q library-kiosk >/tmp/apt.log 2>&1 || fail "remove"
[ -f /var/lib/library-kiosk/kiosk.db ] || fail "remove deleted the queue"
[ -f /etc/library-kiosk/credentials/sip2-password ] || fail "remove deleted the credentials"
DEBIAN_FRONTEND=noninteractive apt-get purge -y -q library-kiosk >/tmp/apt.log 2>&1 || fail "purge"
[ -e /var/lib/library-kiosk ] && fail "purge kept the state directory"
[ -e /etc/library-kiosk/config.toml ] && fail "purge kept the config"
say "all checks passed"
