#!/bin/bash
# The first-boot sequence, run once per instance by cloud-init. The critical path (home,
# code-server, cloudflared, their services, readiness) comes before anything optional: a failure
# on it stops here with an error that `cloud-init status` reports. Optional steps only warn.
set -euo pipefail
steps=/usr/local/lib/ztcs

"$steps/prepare-home.sh"
"$steps/install-code-server.sh"
"$steps/install-cloudflared.sh"
systemctl daemon-reload
systemctl enable --now code-server.service cloudflared-tunnel.service
"$steps/wait-ready.sh"

"$steps/personalize.sh" || echo "ztcs: personalization did not finish; the editor is up without it" >&2
"$steps/enable-security-updates.sh" || echo "ztcs: unattended security updates could not be turned on" >&2
