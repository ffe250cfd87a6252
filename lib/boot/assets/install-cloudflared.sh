#!/bin/bash
# Installs cloudflared from its apt repository (CLOUDFLARED_APT_REPOSITORY), checked with the key
# at CLOUDFLARED_KEY_URL. From then on apt updates it; its own updater is off (see its unit).
set -euo pipefail
# The boot's settings; ZTCS_ETC points elsewhere only in tests.
# shellcheck source=/dev/null
. "${ZTCS_ETC:-/etc/ztcs}/boot.env"

keyring=/usr/share/keyrings/cloudflare-cloudflared.gpg
list=/etc/apt/sources.list.d/cloudflared.list
if [ -s "$keyring" ] && [ -s "$list" ] && command -v cloudflared >/dev/null 2>&1; then
  exit 0
fi

download="$(mktemp)"
trap 'rm -f "$download"' EXIT
curl -fsSL --retry 5 --retry-connrefused -o "$download" "$CLOUDFLARED_KEY_URL"
install -d -m 0755 /usr/share/keyrings
# apt wants a binary keyring; the key may be served ASCII-armoured.
if grep -q 'BEGIN PGP PUBLIC KEY BLOCK' "$download"; then
  gpg --batch --yes --dearmor -o "$keyring" "$download"
else
  install -m 0644 "$download" "$keyring"
fi
chmod 0644 "$keyring"
echo "deb [signed-by=$keyring] $CLOUDFLARED_APT_REPOSITORY any main" > "$list"

# Only the new source is read, which keeps the first boot short. The first boot races Ubuntu's
# own apt timers for apt's locks: try a few times.
for attempt in 1 2 3 4 5; do
  if apt-get update -qq -o DPkg::Lock::Timeout=300 \
    -o Dir::Etc::sourcelist="$list" -o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0; then
    break
  fi
  [ "$attempt" -lt 5 ] || exit 1
  sleep 15
done
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 cloudflared
