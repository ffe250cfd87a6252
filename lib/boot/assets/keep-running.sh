#!/bin/bash
# ztcs-keep-running <time>: the developer's way to say "keep running" (a long build, a job over
# lunch). The editor does not stop itself before the time has passed, e.g. `ztcs-keep-running 3h`,
# `90m` or `45` (minutes); `ztcs-keep-running 0` gives the idle stop back its say. At most a day.
set -euo pipefail
# shellcheck source=/dev/null
. "${ZTCS_ETC:-/etc/ztcs}/idle.env"

arg=${1:-}
if [[ "$arg" =~ ^([0-9]{1,4})([mh]?)$ ]]; then
  minutes=${BASH_REMATCH[1]}
  [ "${BASH_REMATCH[2]}" != h ] || minutes=$((minutes * 60))
else
  echo "usage: ztcs-keep-running <time>, e.g. 3h, 90m or 45 (minutes); 0 to stop keeping it running" >&2
  exit 2
fi
if [ "$minutes" -gt 1440 ]; then
  echo "ztcs-keep-running: at most a day (24h, 1440m); for longer, ask for idleStop to be off" >&2
  exit 2
fi
mkdir -p "$(dirname "$KEEP_RUNNING_FILE")"
touch -d "@$(($(date +%s) + minutes * 60))" "$KEEP_RUNNING_FILE"
if [ "$minutes" -eq 0 ]; then
  echo "ztcs: the editor stops again after $IDLE_MINUTES minutes without activity"
else
  echo "ztcs: the editor keeps running at least until $(date -d "@$(stat -c %Y "$KEEP_RUNNING_FILE")" '+%H:%M %Z')"
fi
