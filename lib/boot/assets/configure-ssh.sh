#!/bin/bash
# With SSH through Cloudflare Access: sshd listens on loopback only (the tunnel reaches it there)
# and accepts the Access application's short-lived certificates; cloud-init wrote its
# configuration. Restarted here to take it. Without SSH through Access, nothing changes.
set -euo pipefail
# The boot's settings; ZTCS_ETC points elsewhere only in tests.
# shellcheck source=/dev/null
. "${ZTCS_ETC:-/etc/ztcs}/boot.env"

if [ "$SSH_THROUGH_TUNNEL" != yes ]; then
  exit 0
fi
install -d -m 0755 /run/sshd
sshd -t
systemctl daemon-reload
# Ubuntu 24.04 starts sshd from ssh.socket, whose addresses its generator takes from ListenAddress.
if systemctl is-enabled --quiet ssh.socket 2>/dev/null; then
  systemctl restart ssh.socket
fi
systemctl restart ssh.service
