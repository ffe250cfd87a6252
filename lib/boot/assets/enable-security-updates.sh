#!/bin/bash
# Security updates come from unattended-upgrades, turned on once the editor is up, instead of a
# full upgrade that would hold back the first boot. cloudflared's repository is allowed too, so
# apt keeps it current.
set -euo pipefail
# The boot's settings; ZTCS_ETC points elsewhere only in tests.
# shellcheck source=/dev/null
. "${ZTCS_ETC:-/etc/ztcs}/boot.env"
# shellcheck source=/dev/null
. "$(dirname "$0")/retry.sh"
repository_host="${CLOUDFLARED_APT_REPOSITORY#*://}"
repository_host="${repository_host%%/*}"
repository_host="${repository_host%%:*}"

if ! dpkg -s unattended-upgrades >/dev/null 2>&1; then
  apt_retry install -y unattended-upgrades
fi
cat > /etc/apt/apt.conf.d/20auto-upgrades <<'CONF'
APT::Periodic::Update-Package-Lists "1";
APT::Periodic::Unattended-Upgrade "1";
CONF
cat > /etc/apt/apt.conf.d/52ztcs-cloudflared <<CONF
Unattended-Upgrade::Origins-Pattern:: "site=$repository_host";
CONF
systemctl enable --now unattended-upgrades.service
