#!/bin/bash
# The ExecStop of the idle stop's delete unit, run in the shutdown once the home is unmounted
# (the unit is ordered before the home's mount, after the network): deletes this droplet through
# the DigitalOcean API, which ends its bill, never while the home is still mounted. It touches no
# volume: DigitalOcean detaches the home volume from a deleted droplet and keeps it.
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
# Said on the console, where the rehearsal reads the order of the shutdown. A home still mounted
# (its unmount failed or has not happened) may hold writes not yet on the volume: the droplet is
# left powered off, and the next deploy deletes it (the marker exists) through ACPI.
if mountpoint -q "$CODE_HOME"; then
  echo "ztcs: the home ($CODE_HOME) is still mounted: not deleting droplet $droplet; the next deploy deletes it" >&2
  exit 1
fi
echo "ztcs: the home ($CODE_HOME) is not mounted"
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
