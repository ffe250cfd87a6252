#!/bin/bash
# The first-boot sequence, run once per instance by cloud-init. The critical path (home, SSH,
# the tunnel, code-server, readiness) comes before anything optional: a failure on it stops here
# with an error that `cloud-init status` reports. The tunnel comes up before code-server is
# installed, so SSH through Access reaches a droplet whose code-server failed. Optional steps only warn.
set -euo pipefail
steps=/usr/local/lib/ztcs

"$steps/prepare-home.sh"
"$steps/configure-ssh.sh"
"$steps/install-cloudflared.sh"
systemctl daemon-reload
systemctl enable --now cloudflared-tunnel.service
"$steps/install-code-server.sh"
systemctl enable --now code-server.service
"$steps/wait-ready.sh"

"$steps/personalize.sh" || echo "ztcs: personalization did not finish; the editor is up without it" >&2
"$steps/enable-security-updates.sh" || echo "ztcs: unattended security updates could not be turned on" >&2
