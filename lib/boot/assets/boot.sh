#!/bin/bash
# The boot, run by ztcs-boot.service: on the first boot, and again on every later start until it
# has finished (the unit restarts it after a failure, and a reboot or a reset starts it again).
# Each finished step leaves a record, so a later run starts from the first unfinished step.
# The steps follow this machinery as a list generated from BOOT_SEQUENCE (lib/boot/contract.ts)
# and the platform's bootSteps: the critical path (home, SSH, the tunnel, code-server, readiness)
# before anything optional. A failure on it stops this run there, with an error in the unit's
# journal; optional steps only warn, and are tried again on the next start.
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
