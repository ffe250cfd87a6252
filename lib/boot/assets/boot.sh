#!/bin/bash
# The boot, run by ztcs-boot.service: on the first boot, and again on every later start until it
# has finished (the unit restarts it after a failure, and a reboot or a reset starts it again).
# Each finished step leaves a record, so a later run starts from the first unfinished step.
# The critical path (home, SSH, the tunnel, code-server, readiness) comes before anything
# optional: a failure on it stops this run here, with an error in the unit's journal. The tunnel
# comes up before code-server is installed, so SSH through Access reaches a droplet whose
# code-server failed. Optional steps only warn, and are tried again on the next start.
set -euo pipefail
steps=/usr/local/lib/ztcs
records=/var/lib/ztcs/steps
# The boot's settings; ZTCS_ETC points elsewhere only in tests.
# shellcheck source=/dev/null
. "${ZTCS_ETC:-/etc/ztcs}/boot.env"

# On every start, finished or not: a home volume whose mount the system missed (a disk that came
# late, past fstab's wait) is mounted before anything else, and code-server, which needs it, is
# started again once it is. Until the disk is there this start fails, and the unit tries again.
if [ -n "$HOME_VOLUME_LABEL" ] && [ -e "$records/prepare-home.sh" ] && ! mountpoint -q "$CODE_HOME"; then
  echo "ztcs: the home volume labelled $HOME_VOLUME_LABEL was not mounted at boot; mounting it" >&2
  for _ in $(seq 1 120); do
    [ -e "/dev/disk/by-label/$HOME_VOLUME_LABEL" ] && break
    sleep 1
  done
  mount "$CODE_HOME"
  if [ -e "$records/code-server.service" ]; then
    systemctl start code-server.service
  fi
fi

# Runs a step (its record name, then its command) unless a record says it finished before;
# records it when it succeeds, flushed to disk so that a power cut right after keeps the record.
step() {
  local name="$1"
  shift
  if [ -e "$records/$name" ]; then
    echo "ztcs: $name finished on an earlier start; skipped"
    return 0
  fi
  echo "ztcs: $name started"
  if ! "$@"; then
    return 1
  fi
  install -d -m 0755 "$records"
  date -u +%Y-%m-%dT%H:%M:%SZ > "$records/$name"
  sync "$records/$name" "$records"
  echo "ztcs: $name done"
}

step prepare-home.sh "$steps/prepare-home.sh"
step configure-ssh.sh "$steps/configure-ssh.sh"
step install-cloudflared.sh "$steps/install-cloudflared.sh"
step cloudflared-tunnel.service systemctl enable --now cloudflared-tunnel.service
step install-code-server.sh "$steps/install-code-server.sh"
# The platform's own steps (bootSteps) of a phase, in name order, each recorded like the others.
custom_steps() {
  local script
  for script in "$steps/custom/$1"/*.sh; do
    [ -e "$script" ] || continue
    step "custom-$1-$(basename "$script")" "$script" || return 1
  done
}
custom_steps before-editor
step code-server.service systemctl enable --now code-server.service
step wait-ready.sh "$steps/wait-ready.sh"

custom_steps after-ready || echo "ztcs: a boot step of the platform did not finish; the editor is up without it" >&2

step personalize.sh "$steps/personalize.sh" || echo "ztcs: personalization did not finish; the editor is up without it" >&2
step enable-security-updates.sh "$steps/enable-security-updates.sh" || echo "ztcs: unattended security updates could not be turned on" >&2
