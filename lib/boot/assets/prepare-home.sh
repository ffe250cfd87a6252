#!/bin/bash
# Makes the developer's home ready. With a home volume, the home must be that volume: nothing is
# written to the droplet's own disk, where a mount would hide it later. The first time a home is
# used it gets the skeleton files and the developer as owner; later boots and replacement
# droplets find it as it was.
set -euo pipefail
# The boot's settings; ZTCS_ETC points elsewhere only in tests.
# shellcheck source=/dev/null
. "${ZTCS_ETC:-/etc/ztcs}/boot.env"

if [ -n "$HOME_VOLUME_LABEL" ] && ! mountpoint -q "$CODE_HOME"; then
  device="/dev/disk/by-label/$HOME_VOLUME_LABEL"
  for _ in $(seq 1 120); do
    [ -e "$device" ] && break
    sleep 1
  done
  mount "$CODE_HOME" || true
  if ! mountpoint -q "$CODE_HOME"; then
    echo "ztcs: the home volume labelled $HOME_VOLUME_LABEL is not mounted at $CODE_HOME; stopping" >&2
    exit 1
  fi
fi

marker="$CODE_HOME/.ztcs-home"
# Root hands the home itself to the developer; inside it, everything is the developer's and runs
# as the developer: root follows none of the links they may have planted (a workspace linked to
# /etc, or a skeleton file linked to /etc/shadow, would otherwise be handed over or overwritten).
as_developer() {
  runuser -u "$CODE_USER" -- "$@"
}
if [ ! -e "$marker" ]; then
  chown "$CODE_USER:$CODE_USER" "$CODE_HOME"
  chmod 0750 "$CODE_HOME"
  # -h, and -R without -L: a link changes owner itself, what it points at is left alone.
  find "$CODE_HOME" -mindepth 1 -maxdepth 1 ! -name lost+found -exec chown -hR "$CODE_USER:$CODE_USER" {} +
  if [ ! -e "$CODE_HOME/.bashrc" ]; then
    as_developer cp -R --preserve=mode,timestamps /etc/skel/. "$CODE_HOME/"
  fi
  # The arguments expand in the inner shell.
  # shellcheck disable=SC2016
  as_developer sh -c 'date -u +%Y-%m-%dT%H:%M:%SZ > "$1"' _ "$marker"
fi
as_developer mkdir -p -m 0755 "$WORKSPACE"
