#!/bin/bash
# The ExecStop of the idle stop's delete unit, run in the shutdown once the home is unmounted
# (the unit is ordered before the home's mount, after the network): deletes this droplet through
# the DigitalOcean API, which ends its bill. It touches no volume: DigitalOcean detaches the
# home volume from a deleted droplet and keeps it.
set -euo pipefail
# shellcheck source=/dev/null
. "${ZTCS_ETC:-/etc/ztcs}/boot.env"
# shellcheck source=/dev/null
. "${ZTCS_ETC:-/etc/ztcs}/idle.env"

droplet=$(cat "$INSTANCE_ID_FILE")
if ! [[ "$droplet" =~ ^[0-9]+$ ]]; then
  echo "ztcs: the instance id \"$droplet\" is not a droplet id: not deleting" >&2
  exit 1
fi
# Said on the console, where the rehearsal reads the order of the shutdown.
if mountpoint -q "$CODE_HOME"; then
  echo "ztcs: the home ($CODE_HOME) is still mounted" >&2
else
  echo "ztcs: the home ($CODE_HOME) is not mounted"
fi
for attempt in 1 2 3 4 5; do
  status=$(curl -sS -K "$API_CONFIG" --max-time 20 -o /dev/null -w '%{http_code}' \
    -X DELETE "$DIGITALOCEAN_API_URL/v2/droplets/$droplet" || true)
  case "$status" in
    204|404)
      echo "ztcs: droplet $droplet deleted (HTTP $status)"
      exit 0
      ;;
  esac
  echo "ztcs: deleting droplet $droplet failed (HTTP $status, try $attempt of 5)" >&2
  sleep 3
done
# Powered off but not deleted: the next deploy deletes it, since the marker exists.
exit 1
