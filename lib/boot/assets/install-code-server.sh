#!/bin/bash
# Installs the pinned code-server release from its .deb (at CODE_SERVER_DEB_URL), checking its
# SHA-256 when one is given.
# Does nothing when that version is already installed.
set -euo pipefail
# The boot's settings; ZTCS_ETC points elsewhere only in tests.
# shellcheck source=/dev/null
. "${ZTCS_ETC:-/etc/ztcs}/boot.env"
# shellcheck source=/dev/null
. "$(dirname "$0")/retry.sh"

# dpkg-query fails when code-server was never installed: that is not an error here.
status="$(dpkg-query -s code-server 2>/dev/null || true)"
if grep -qx 'Status: install ok installed' <<< "$status" && grep -qx "Version: $CODE_SERVER_VERSION" <<< "$status"; then
  exit 0
fi

deb="$(mktemp --suffix=.deb)"
trap 'rm -f "$deb"' EXIT
download "$CODE_SERVER_DEB_URL" "$deb"
if [ -n "$CODE_SERVER_SHA256" ]; then
  if ! echo "$CODE_SERVER_SHA256  $deb" | sha256sum --check --status; then
    echo "ztcs: code-server $CODE_SERVER_VERSION does not match the expected SHA-256; not installing" >&2
    exit 1
  fi
fi
chmod 0644 "$deb"
apt_retry install -y "$deb"
