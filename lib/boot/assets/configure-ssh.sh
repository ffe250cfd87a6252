#!/bin/bash
# sshd listens on loopback only, on every droplet: cloud-init wrote its drop-in before sshd first
# started, and it is restarted here so that the drop-in holds whatever started sshd (Debian's
# ssh.service, or Ubuntu 24.04's ssh.socket, whose addresses its generator takes from
# ListenAddress). With SSH through Cloudflare Access the drop-in also accepts the Access
# application's short-lived certificates, and the tunnel reaches sshd on loopback.
set -euo pipefail

install -d -m 0755 /run/sshd
sshd -t
systemctl daemon-reload
if systemctl is-enabled --quiet ssh.socket 2>/dev/null; then
  systemctl restart ssh.socket
fi
systemctl restart ssh.service
