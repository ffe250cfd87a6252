#!/bin/bash
# Installs cloudflared from its apt repository (CLOUDFLARED_APT_REPOSITORY), checked with the key
# at CLOUDFLARED_KEY_URL. That key is trusted only when it is exactly one primary key whose
# fingerprint is CLOUDFLARED_KEY_FINGERPRINT: a key swapped on the way or on the server stops the
# boot here, before apt trusts it. From then on apt updates cloudflared; its own updater is off
# (see its unit).
set -euo pipefail
# The boot's settings; ZTCS_ETC points elsewhere only in tests.
# shellcheck source=/dev/null
. "${ZTCS_ETC:-/etc/ztcs}/boot.env"
# shellcheck source=/dev/null
. "$(dirname "$0")/retry.sh"

keyring=/usr/share/keyrings/cloudflare-cloudflared.gpg
list=/etc/apt/sources.list.d/cloudflared.list
source_line="deb [signed-by=$keyring] $CLOUDFLARED_APT_REPOSITORY any main"
# Done before (an earlier start, or a prepared image: scripts/prepare-image.sh): cloudflared is
# installed and apt reads this repository with a keyring of the pinned key alone. Another
# repository or key in the props installs again.
if [ -s "$keyring" ] && [ "$(cat "$list" 2>/dev/null)" = "$source_line" ] && command -v cloudflared >/dev/null 2>&1; then
  shown="$(mktemp -d)"
  kept="$(gpg --homedir "$shown" --batch --with-colons --show-keys "$keyring" 2>/dev/null || true)"
  rm -rf "$shown"
  if [ "$(grep -c '^pub:' <<< "$kept" || true)" = 1 ] && grep -q "^fpr:::::::::$CLOUDFLARED_KEY_FINGERPRINT:" <<< "$kept"; then
    exit 0
  fi
fi

download="$(mktemp)"
gnupg_home="$(mktemp -d)"
trap 'rm -rf "$download" "$gnupg_home"' EXIT
download "$CLOUDFLARED_KEY_URL" "$download"

# A throwaway keyring holds what was downloaded (binary or ASCII-armoured), and is read back.
gpg --homedir "$gnupg_home" --batch --quiet --import "$download" 2>/dev/null || true
listing="$(gpg --homedir "$gnupg_home" --batch --with-colons --list-keys 2>/dev/null || true)"
primaries="$(grep -c '^pub:' <<< "$listing" || true)"
# The fpr line that follows each pub line is the primary key's fingerprint.
fingerprint="$(awk -F: '$1 == "pub" { primary = 1; next } primary && $1 == "fpr" { print $10; primary = 0 }' <<< "$listing")"
if [ "$primaries" != 1 ] || [ "$fingerprint" != "$CLOUDFLARED_KEY_FINGERPRINT" ]; then
  echo "ztcs: the key at $CLOUDFLARED_KEY_URL is not the pinned one: expected one primary key with fingerprint $CLOUDFLARED_KEY_FINGERPRINT (cloudflaredKeyFingerprint), found $primaries: ${fingerprint//$'\n'/ }; not trusting it" >&2
  exit 1
fi

install -d -m 0755 /usr/share/keyrings
# apt wants a binary keyring: the checked key, as gpg exports it.
gpg --homedir "$gnupg_home" --batch --export "$CLOUDFLARED_KEY_FINGERPRINT" > "$download"
install -m 0644 "$download" "$keyring"
echo "$source_line" > "$list"

# Only the new source is read, which keeps the first boot short.
apt_retry update -o Dir::Etc::sourcelist="$list" -o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0
apt_retry install -y cloudflared
