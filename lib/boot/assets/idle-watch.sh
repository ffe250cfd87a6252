#!/bin/bash
# The idle stop's watcher, run as root by its timer. Activity is code-server's heartbeat file,
# an established connection to sshd (SSH through Access) and the developer's keep-running
# deadline; the finished boot and the machine's last start count as activity too. A warning goes to the developer's
# terminals and the notice file before the stop; at the stop, the stop is recorded, the home
# unmounted and the machine powered off. Nothing else: the droplet holds no cloud credential and
# calls no API; the control plane finds it powered off and deletes it (the home volume is kept).
set -euo pipefail
# The settings; ZTCS_ETC points elsewhere only in tests.
# shellcheck source=/dev/null
. "${ZTCS_ETC:-/etc/ztcs}/boot.env"
# shellcheck source=/dev/null
. "${ZTCS_ETC:-/etc/ztcs}/idle.env"

# Nothing stops an editor whose boot has not finished.
[ -e "$READY_MARKER" ] || exit 0
install -d -m 0700 "$STATE_DIR"
now=$(date +%s)

mtime() {
  stat -c %Y "$1" 2>/dev/null || echo 0
}

if [ -n "$(ss -Htn state established "( sport = :$SSHD_PORT )")" ]; then
  touch "$STATE_DIR/ssh-session"
fi

# A reboot starts the clock again: the ready marker keeps the first boot's time.
uptime_seconds=$(cut -d. -f1 "${ZTCS_PROC:-/proc}/uptime")
last=$((now - uptime_seconds))
for file in "$READY_MARKER" "$HEARTBEAT_FILE" "$STATE_DIR/ssh-session"; do
  t=$(mtime "$file")
  [ "$t" -le "$last" ] || last=$t
done
# The developer's deadline is the file's modification time (ztcs-keep-running sets it).
keep=$(mtime "$KEEP_RUNNING_FILE")
stop_at=$((last + IDLE_MINUTES * 60))
[ "$keep" -le "$stop_at" ] || stop_at=$keep

if [ "$now" -lt $((stop_at - WARNING_MINUTES * 60)) ]; then
  rm -f "$NOTICE_FILE" "$STATE_DIR/warned"
  exit 0
fi

stop_time=$(date -u -d "@$stop_at" +%H:%M:%SZ)
if [ "$now" -lt "$stop_at" ]; then
  [ "$(cat "$STATE_DIR/warned" 2>/dev/null)" != "$stop_at" ] || exit 0
  message="ztcs: this editor stops at $stop_time (UTC), in $WARNING_MINUTES minutes or less, after $IDLE_MINUTES minutes without activity; type 'ztcs-keep-running 2h' to keep it running. Your home is kept."
  printf '%s\n' "$message" > "$NOTICE_FILE"
  chmod 0644 "$NOTICE_FILE"
  # The developer's terminals: code-server's integrated terminals and SSH sessions.
  for tty in /dev/pts/[0-9]*; do
    if [ ! -e "$tty" ] || [ "$(stat -c %U "$tty")" != "$CODE_USER" ]; then
      continue
    fi
    # A terminal that blocks is given up on; the arguments expand in the inner shell.
    # shellcheck disable=SC2016
    timeout 2 bash -c 'printf "\r\n%s\r\n" "$1" > "$2"' _ "$message" "$tty" || true
  done
  echo "$stop_at" > "$STATE_DIR/warned"
  echo "$message"
  exit 0
fi

# The stop is recorded in the home (the developer reads why on the next start) and the journal.
record="$(date -u +%Y-%m-%dT%H:%M:%SZ) idle stop: last activity $(date -u -d "@$last" +%Y-%m-%dT%H:%M:%SZ), after $IDLE_MINUTES minutes without activity"
# As the developer: the folder is theirs, so root follows none of their links. The arguments
# expand in the inner shell.
# shellcheck disable=SC2016
runuser -u "$CODE_USER" -- bash -c 'mkdir -p "$1/.local/state/ztcs" && printf "%s\n" "$2" >> "$1/.local/state/ztcs/idle-stops.log"' _ "$CODE_HOME" "$record" || true
echo "$record" > "$STATE_DIR/stopped"
echo "ztcs: $record; stopping"

# The home is unmounted before the power-off, so the volume is left clean: stopping its mount unit
# stops what needs it first (code-server), then unmounts it. A process of the developer's that
# still holds it (a job left running) keeps it mounted: the shutdown then ends every process and
# unmounts it before the power goes.
if mountpoint -q "$CODE_HOME"; then
  if systemctl stop "$HOME_MOUNT_UNIT" && ! mountpoint -q "$CODE_HOME"; then
    echo "ztcs: the home ($CODE_HOME) is unmounted"
  else
    echo "ztcs: the home ($CODE_HOME) is still in use: the shutdown unmounts it once every process has ended" >&2
  fi
fi
echo "ztcs: powering off; the control plane deletes the powered-off droplet, the home volume kept"
systemctl poweroff
