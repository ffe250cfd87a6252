#!/bin/bash
# Waits until code-server answers on loopback and the tunnel's service is active, then writes the
# readiness marker. Leaves no marker and fails when they are not up within four minutes.
set -euo pipefail
# The boot's settings; ZTCS_ETC points elsewhere only in tests.
# shellcheck source=/dev/null
. "${ZTCS_ETC:-/etc/ztcs}/boot.env"

# Quiet: code-server refuses connections until it is up, which is no error to log.
for _ in $(seq 1 120); do
  if curl -fs -o /dev/null "http://127.0.0.1:$CODE_SERVER_PORT/healthz" \
    && systemctl is-active --quiet cloudflared-tunnel.service; then
    install -d -m 0755 "$(dirname "$READY_MARKER")"
    {
      echo "ready_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
      echo "code_server=$CODE_SERVER_VERSION"
      echo "cloudflared=$(cloudflared --version 2>/dev/null | head -n 1)"
    } > "$READY_MARKER"
    echo "ztcs: code-server and cloudflared are up"
    exit 0
  fi
  sleep 2
done
echo "ztcs: code-server or cloudflared did not come up within four minutes" >&2
systemctl --no-pager --lines=20 status code-server.service cloudflared-tunnel.service >&2 || true
exit 1
